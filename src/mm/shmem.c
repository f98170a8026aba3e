/*
 * tmpfs: files that live only in the page cache. Their pages are swap-backed (PG_swapbacked:
 * on the anon LRU lists, counted in NR_SHMEM and Shmem as well as in NR_FILE_PAGES), zeroed
 * when first touched; holes read as zeros without allocating. The same files back shared
 * anonymous mappings (shmem_zero_setup) and memfd_create, whose seals are enforced here.
 *
 * Models: mm/shmem.c (shmem_get_folio_gfp with SGP_READ/SGP_CACHE/SGP_WRITE,
 *         shmem_add_to_page_cache, shmem_recalc_inode, shmem_inode_acct_block, shmem_fault,
 *         shmem_file_read_iter, shmem_write_begin/end, shmem_setattr, shmem_mmap,
 *         shmem_evict_inode, shmem_zero_setup, shmem_file_setup, shmem_init), mm/memfd.c
 *         (memfd_create, memfd_add_seals, memfd_get_seals, memfd_wait_for_pins) and
 *         include/linux/mm.h's seal_check_write (Linux 6.1.192).
 * Swap: reclaim writes a dirty tmpfs page out through shmem_writepage: it takes a swap slot
 *         (owned by tmpfs: SWAP_MAP_SHMEM), moves the folio from the file's page cache into the
 *         swap cache and leaves the swap entry in its page-cache slot (info->swapped counts
 *         them). shmem_get_folio finds the entry and reads the page back (shmem_swapin_folio:
 *         the swap cache, else swap_cluster_readahead; a major fault when read from the
 *         device), puts it back in the file and frees the slot. Truncation and eviction free
 *         the swapped pages' slots (shmem_undo_range), as does a hole punch (MADV_REMOVE:
 *         shmem_fallocate's FALLOC_FL_PUNCH_HOLE), swapoff brings them back (shmem_unuse),
 *         MADV_WILLNEED reads them into the swap cache (shmem_willneed), smaps counts them
 *         (shmem_swap_usage).
 * Models: mm/shmem.c shmem_writepage, shmem_swapin_folio, shmem_free_swap, shmem_undo_range's
 *         swap part, shmem_unuse, shmem_swap_usage, shmem_partial_swap_usage; mm/madvise.c
 *         force_shm_swapin_readahead; include/linux/swap.h swp_to_radix_entry (Linux 6.1.192).
 * Deviation: shmem_unuse walks the tmpfs super blocks' inodes, not 6.1's shmem_swaplist of
 *         inodes that have swapped pages (the same inodes, found in a longer list). The
 *         shmem read-in is swap_cluster_readahead without the pseudo-VMA (no mempolicy).
 * Deviations: no huge pages (shmem_enabled never); no fallocate or hole punching;
 * memfd_wait_for_pins does not wait: a page with references beyond the cache's and its mappings' is
 *         pinned and F_SEAL_WRITE fails with -EBUSY at once (the kernel retries for a while
 *         before the same answer). MFD_HUGETLB is refused with -EINVAL (no hugetlbfs).
 *
 * Invariants (checked by fs_check and the page-cache walker):
 *  1. Every page of a tmpfs mapping is PG_swapbacked and uptodate.
 *  2. info->alloced is at least the inode's cached pages plus info->swapped (6.1 gives the
 *     difference back lazily, shmem_recalc_inode), and the super block's s_used_blocks is
 *     the sum of alloced over its inodes.
 *  3. Every value entry of a tmpfs page cache is a swap entry of a device that is on, whose
 *     slot tmpfs owns (count SWAP_MAP_SHMEM); info->swapped counts them (shmem_check_inode).
 */
#include "mm/shmem.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "fs/fs_internal.h"
#include "mm/internal.h"
#include "mm/mmap.h"
#include "mm/slab.h"
#include "mm/swap.h"
#include "mm/swap_state.h"
#include "mm/swapfile.h"
#include "mm/swapops.h"

/* How shmem_get_folio may find or make a page (enum sgp_type). */
enum sgp_type {
	SGP_READ,  /* do not allocate: a hole reads as zeros */
	SGP_CACHE, /* allocate a zeroed page if absent (faults) */
	SGP_WRITE, /* allocate, the caller writes into it */
};

static const struct vm_operations_struct shmem_vm_ops;

static struct inode *shmem_alloc_inode(struct kmm_kernel *k, struct super_block *sb)
{
	struct shmem_inode_info *info = env_alloc(k->env, sizeof(*info));

	if (!info)
		return NULL;
	info->seals = F_SEAL_SEAL; /* only memfd_create(MFD_ALLOW_SEALING) lifts it */
	return &info->vfs_inode;
}

/* Models: shmem_recalc_inode(): gives back the blocks of pages no longer cached. */
static void shmem_recalc_inode(struct inode *inode)
{
	struct shmem_inode_info *info = SHMEM_I(inode);
	long freed = (long)info->alloced - (long)info->swapped - (long)inode->i_mapping->nrpages;

	if (freed > 0) {
		info->alloced -= (unsigned long)freed;
		inode->i_blocks -= (unsigned long)freed * (PAGE_SIZE >> 9);
		inode->i_sb->s_used_blocks -= (unsigned long)freed;
	}
}

static void shmem_free_swap_from(struct kmm_kernel *k, struct inode *inode, pgoff_t start);

static void shmem_evict_inode(struct kmm_kernel *k, struct inode *inode)
{
	shmem_free_swap_from(k, inode, 0);
	truncate_inode_pages(k, inode->i_mapping, 0);
	shmem_recalc_inode(inode);
}

static void shmem_free_inode(struct kmm_kernel *k, struct inode *inode)
{
	env_free(k->env, SHMEM_I(inode));
}

bool shmem_mapping(const struct address_space *mapping)
{
	return mapping && mapping->host && mapping->host->i_sb && mapping->host->i_sb->s_op &&
	       mapping->host->i_sb->s_op->alloc_inode == shmem_alloc_inode;
}

/* ---- swap entries in the page cache ------------------------------------------------------ */

/*
 * Models: swp_to_radix_entry()/radix_to_swp_entry(): a swap entry as an xarray value, the
 * type in the top MAX_SWAPFILES_SHIFT of its BITS_PER_XA_VALUE bits (6.1's generic layout).
 */
#define SHMEM_SWP_TYPE_SHIFT (BITS_PER_XA_VALUE - MAX_SWAPFILES_SHIFT)

static void *swp_to_radix_entry(swp_entry_t entry)
{
	return xa_mk_value(((unsigned long)swp_type(entry) << SHMEM_SWP_TYPE_SHIFT) |
			   swp_offset(entry));
}

static swp_entry_t radix_to_swp_entry(const void *radswap)
{
	unsigned long v = xa_to_value(radswap);

	return swp_entry((unsigned int)(v >> SHMEM_SWP_TYPE_SHIFT),
			 v & ((1UL << SHMEM_SWP_TYPE_SHIFT) - 1));
}

/*
 * Models: shmem_writepage(): reclaim's ->writepage for tmpfs. The locked, unmapped folio
 * (its dirty bit already cleared for I/O) gets a swap slot, enters the swap cache, leaves
 * the file's cache (its slot keeps the swap entry) and is written: 0, folio unlocked. With
 * no swap, no free slot, or outside reclaim it is redirtied: AOP_WRITEPAGE_ACTIVATE, still
 * locked.
 */
static int shmem_writepage(struct kmm_kernel *k, struct folio *folio, struct writeback_control *wbc)
{
	struct address_space *mapping = folio_mapping(folio);
	struct inode *inode = mapping->host;
	struct shmem_inode_info *info = SHMEM_I(inode);
	swp_entry_t swap;

	if (folio_test_large(folio) || (info->flags & VM_LOCKED) || !total_swap_pages(k) ||
	    !wbc->for_reclaim)
		goto redirty;
	swap = folio_alloc_swap(k, folio);
	if (!swap.val)
		goto redirty;
	if (add_to_swap_cache(k, folio, swap, __GFP_HIGH | __GFP_NOMEMALLOC | __GFP_NOWARN, NULL)) {
		put_swap_folio(k, folio, swap);
		goto redirty;
	}
	shmem_recalc_inode(inode);
	info->swapped++;
	swap_shmem_alloc(k, swap);
	/* Models: shmem_delete_from_page_cache(): the entry takes the folio's slot. */
	shmem_delete_from_page_cache(k, folio, swp_to_radix_entry(swap));
	return swap_writepage(k, &folio->page, wbc);
redirty:
	folio_mark_dirty(k, folio);
	if (wbc->for_reclaim)
		return AOP_WRITEPAGE_ACTIVATE;
	folio_unlock(folio);
	return 0;
}

/*
 * Models: shmem_swapin_folio(): reads the page whose swap entry @radswap sits at @index back
 * into the file. On success *@foliop is the folio, locked, with the caller's reference, back
 * in the page cache and dirty, and the slot is freed; a read from the device adds
 * VM_FAULT_MAJOR to *@fault_type (if given) and counts pgmajfault. -EEXIST if the entry
 * changed meanwhile (the caller looks again), -EIO, -ENOMEM.
 */
static int shmem_swapin_folio(struct kmm_kernel *k, struct inode *inode, pgoff_t index,
			      void *radswap, struct folio **foliop, vm_fault_t *fault_type)
{
	struct address_space *mapping = inode->i_mapping;
	struct shmem_inode_info *info = SHMEM_I(inode);
	swp_entry_t swap = radix_to_swp_entry(radswap);
	struct folio *folio;
	int err;

	*foliop = NULL;
	if (!get_swap_device(k, swap))
		return -EIO;
	folio = swap_cache_get_folio(k, swap, NULL, 0);
	if (!folio) {
		struct page *page;

		if (fault_type) {
			*fault_type |= VM_FAULT_MAJOR;
			count_vm_event(k, PGMAJFAULT);
		}
		/* Models: shmem_swapin(). */
		page = swap_cluster_readahead(k, swap, mapping_gfp_mask(mapping), NULL);
		if (!page)
			return -ENOMEM;
		folio = page_folio(page);
	}
	folio_lock_io(k, folio);
	if (!folio_test_swapcache(folio) || folio->private != swap.val ||
	    xa_load(&mapping->i_pages, index) != radswap) {
		err = -EEXIST;
		goto unlock;
	}
	if (!folio_test_uptodate(folio)) {
		err = -EIO;
		goto unlock;
	}
	swap_folio_wait_writeback(k, folio);
	/* Models: shmem_add_to_page_cache() replacing the expected swap entry. */
	err = __filemap_add_folio(k, mapping, folio, index);
	if (err)
		goto unlock;
	info->swapped--;
	shmem_recalc_inode(inode);
	delete_from_swap_cache(k, folio);
	folio_mark_dirty(k, folio);
	swap_free(k, swap);
	*foliop = folio;
	return 0;
unlock:
	folio_unlock(folio);
	folio_put(k, folio);
	return err;
}

/*
 * Models: shmem_get_folio_gfp(): the folio at @index, referenced and locked. A swapped-out
 * page is read back (shmem_swapin_folio). A new one is charged to the filesystem (-ENOSPC
 * when full), zeroed, uptodate, swap-backed, put in the cache and on the LRU. With SGP_READ
 * a hole gives NULL and 0. 0 or -ENOSPC/-ENOMEM/-EIO.
 */
static int shmem_get_folio(struct kmm_kernel *k, struct inode *inode, pgoff_t index,
			   struct folio **foliop, enum sgp_type sgp, vm_fault_t *fault_type)
{
	struct address_space *mapping = inode->i_mapping;
	struct super_block *sb = inode->i_sb;
	struct folio *folio;
	struct page *page;
	uint8_t *p;
	void *entry;
	int err;

	*foliop = NULL;
	while ((entry = xa_load(&mapping->i_pages, index)) && xa_is_value(entry)) {
		err = shmem_swapin_folio(k, inode, index, entry, foliop, fault_type);
		if (err != -EEXIST)
			return err;
	}
	folio = __filemap_get_folio(k, mapping, index, FGP_LOCK, 0);
	if (folio) {
		*foliop = folio;
		return 0;
	}
	if (sgp == SGP_READ)
		return 0;
	if (sb->s_used_blocks >= sb->s_max_blocks)
		return -ENOSPC;
	page = alloc_pages(k, mapping_gfp_mask(mapping), 0);
	if (!page)
		return -ENOMEM;
	folio = page_folio(page);
	p = page_host(k, page, PAGE_SIZE);
	if (p)
		memset(p, 0, PAGE_SIZE);
	env_charge(k->env, COST_page_zero);
	__folio_set_locked(folio);
	__folio_set_swapbacked(folio);
	folio_set_uptodate(folio);
	/* Models: shmem_add_to_page_cache(). */
	err = __filemap_add_folio(k, mapping, folio, index);
	if (err) {
		__folio_clear_locked(folio);
		folio_put(k, folio);
		return err;
	}
	folio_add_lru(k, folio);
	SHMEM_I(inode)->alloced++;
	inode->i_blocks += PAGE_SIZE >> 9;
	sb->s_used_blocks++;
	*foliop = folio;
	return 0;
}

/*
 * Models: the swap part of shmem_undo_range(): frees the slots of the swapped-out pages at
 * indices @start..@end (shmem_free_swap) before the page cache is truncated there.
 */
static void shmem_free_swap_range(struct kmm_kernel *k, struct inode *inode, pgoff_t start,
				  pgoff_t end)
{
	struct address_space *mapping = inode->i_mapping;
	struct shmem_inode_info *info = SHMEM_I(inode);
	unsigned long index = start;
	void *entry;

	if (!info->swapped || end < start)
		return;
	while ((entry = xa_find(&mapping->i_pages, &index, end, XA_PRESENT))) {
		if (xa_is_value(entry)) {
			xa_erase(&mapping->i_pages, index);
			free_swap_and_cache(k, radix_to_swp_entry(entry));
			info->swapped--;
		}
		if (index >= end)
			break;
		index++;
	}
}

static void shmem_free_swap_from(struct kmm_kernel *k, struct inode *inode, pgoff_t start)
{
	shmem_free_swap_range(k, inode, start, ~0UL);
}

/* A swapped-out page at @index comes back into the file (to be partly zeroed). 0 or -errno. */
static int shmem_swapin_partial(struct kmm_kernel *k, struct inode *inode, pgoff_t index)
{
	struct folio *folio;
	int err;

	if (!xa_is_value(xa_load(&inode->i_mapping->i_pages, index)))
		return 0;
	err = shmem_get_folio(k, inode, index, &folio, SGP_READ, NULL);
	if (!err && folio) {
		folio_unlock(folio);
		folio_put(k, folio);
	}
	return err;
}

int shmem_punch_hole(struct kmm_kernel *k, struct inode *inode, loff_t offset, loff_t len)
{
	struct address_space *mapping = inode->i_mapping;
	loff_t lend = offset + len - 1;
	loff_t unmap_start = (offset + (loff_t)PAGE_SIZE - 1) & ~(loff_t)(PAGE_SIZE - 1);
	loff_t unmap_end = ((offset + len) & ~(loff_t)(PAGE_SIZE - 1)) - 1;
	pgoff_t first = (pgoff_t)(unmap_start >> PAGE_SHIFT);
	int err;

	if (offset < 0 || len <= 0)
		return -EINVAL;
	if (SHMEM_I(inode)->seals & (F_SEAL_WRITE | F_SEAL_FUTURE_WRITE))
		return -EPERM;
	if (unmap_end > unmap_start)
		unmap_mapping_range(mapping, unmap_start, 1 + unmap_end - unmap_start, 0);
	/* Models: shmem_get_partial_folio(): partial pages at the ends are read back. */
	if ((offset & (loff_t)(PAGE_SIZE - 1)) &&
	    (err = shmem_swapin_partial(k, inode, (pgoff_t)(offset >> PAGE_SHIFT))))
		return err;
	if (((lend + 1) & (loff_t)(PAGE_SIZE - 1)) &&
	    (err = shmem_swapin_partial(k, inode, (pgoff_t)(lend >> PAGE_SHIFT))))
		return err;
	if (unmap_end > unmap_start) /* whole pages inside */
		shmem_free_swap_range(k, inode, first, (pgoff_t)(unmap_end >> PAGE_SHIFT));
	truncate_inode_pages_range(k, mapping, offset, lend);
	shmem_recalc_inode(inode);
	return 0;
}

vm_fault_t shmem_fault(struct vm_fault *vmf)
{
	struct kmm_kernel *k = vmf->vma->vm_mm->kernel;
	struct inode *inode = file_inode(vmf->vma->vm_file);
	vm_fault_t ret = 0;
	struct folio *folio;
	int err;

	if ((loff_t)vmf->pgoff >= (inode->i_size + (loff_t)PAGE_SIZE - 1) >> PAGE_SHIFT)
		return VM_FAULT_SIGBUS;
	err = shmem_get_folio(k, inode, vmf->pgoff, &folio, SGP_CACHE, &ret);
	if (err)
		return err == -ENOMEM ? VM_FAULT_OOM : VM_FAULT_SIGBUS;
	vmf->page = folio_page(folio, vmf->pgoff - folio->index);
	return ret | VM_FAULT_LOCKED;
}

/* Models: shmem_file_read_iter(): cached pages copied, holes read as zeros. */
static int64_t shmem_file_read_iter(struct kmm_kernel *k, struct file *file, void *buf,
				    uint64_t len, loff_t *pos)
{
	struct inode *inode = file_inode(file);
	uint64_t done = 0;

	while (done < len && *pos < inode->i_size) {
		pgoff_t index = (pgoff_t)*pos >> PAGE_SHIFT;
		size_t off = (size_t)(*pos & (loff_t)(PAGE_SIZE - 1));
		uint64_t n = min(PAGE_SIZE - off, len - done);
		struct folio *folio;

		n = min(n, (uint64_t)(inode->i_size - *pos));
		shmem_get_folio(k, inode, index, &folio, SGP_READ, NULL);
		if (folio) {
			const uint8_t *src = page_host(k, &folio->page, PAGE_SIZE);

			memcpy((uint8_t *)buf + done, src + off, n);
			env_charge(k->env, COST_page_copy);
			folio_unlock(folio);
			folio_mark_accessed(k, folio);
			folio_put(k, folio);
		} else {
			memset((uint8_t *)buf + done, 0, n);
		}
		done += n;
		*pos += (loff_t)n;
	}
	return (int64_t)done;
}

/* Models: shmem_write_begin()'s seal checks for a write of @len bytes at @pos. */
static int shmem_write_sealed(const struct inode *inode, loff_t pos, uint64_t len)
{
	unsigned int seals = SHMEM_I((struct inode *)inode)->seals;

	if (seals & (F_SEAL_WRITE | F_SEAL_FUTURE_WRITE))
		return -EPERM;
	if ((seals & F_SEAL_GROW) && pos + (loff_t)len > inode->i_size)
		return -EPERM;
	return 0;
}

/* Models: generic_perform_write() with shmem_write_begin/end, one page per step. */
static int64_t shmem_file_write_iter(struct kmm_kernel *k, struct file *file, const void *buf,
				     uint64_t len, loff_t *pos)
{
	struct inode *inode = file_inode(file);
	uint64_t done = 0;

	while (done < len) {
		pgoff_t index = (pgoff_t)*pos >> PAGE_SHIFT;
		size_t off = (size_t)(*pos & (loff_t)(PAGE_SIZE - 1));
		uint64_t n = min(PAGE_SIZE - off, len - done);
		struct folio *folio;
		uint8_t *dst;
		int err = shmem_write_sealed(inode, *pos, n);

		if (!err)
			err = shmem_get_folio(k, inode, index, &folio, SGP_WRITE, NULL);
		if (err)
			return done ? (int64_t)done : err;
		dst = page_host(k, &folio->page, PAGE_SIZE);
		memcpy(dst + off, (const uint8_t *)buf + done, n);
		env_charge(k->env, COST_page_copy);
		folio_mark_dirty(k, folio);
		folio_unlock(folio);
		folio_mark_accessed(k, folio);
		folio_put(k, folio);
		done += n;
		*pos += (loff_t)n;
		if (*pos > inode->i_size)
			inode->i_size = *pos;
	}
	return (int64_t)done;
}

/* Models: shmem_setattr() for a size change: the seals, then the pages past the end. */
static int shmem_setattr_size(struct kmm_kernel *k, struct inode *inode, loff_t size)
{
	unsigned int seals = SHMEM_I(inode)->seals;
	loff_t old = inode->i_size;

	if ((size < old && (seals & F_SEAL_SHRINK)) || (size > old && (seals & F_SEAL_GROW)))
		return -EPERM;
	if (size < old) {
		pgoff_t last = (pgoff_t)size >> PAGE_SHIFT;
		struct folio *folio;

		/* A swapped-out partial last page comes back to have its tail zeroed. */
		if ((size & (loff_t)(PAGE_SIZE - 1)) &&
		    xa_is_value(xa_load(&inode->i_mapping->i_pages, last))) {
			int err = shmem_get_folio(k, inode, last, &folio, SGP_READ, NULL);

			if (err)
				return err;
			if (folio) {
				folio_unlock(folio);
				folio_put(k, folio);
			}
		}
		inode->i_size = size;
		shmem_free_swap_from(k, inode,
				     (pgoff_t)((size + (loff_t)PAGE_SIZE - 1) >> PAGE_SHIFT));
		truncate_pagecache(k, inode, size);
		shmem_recalc_inode(inode);
	}
	inode->i_size = size;
	return 0;
}

/* Models: shmem_mmap() with seal_check_write(). */
static int shmem_mmap(struct file *file, struct vm_area_struct *vma)
{
	unsigned int seals = SHMEM_I(file_inode(file))->seals;

	if ((seals & (F_SEAL_WRITE | F_SEAL_FUTURE_WRITE)) && (vma->vm_flags & VM_SHARED) &&
	    (vma->vm_flags & VM_WRITE))
		return -EPERM;
	vma->vm_ops = &shmem_vm_ops;
	return 0;
}

/* Models: noop_fsync(): tmpfs has nothing to write back. */
static int shmem_fsync(struct kmm_kernel *k, struct file *file, loff_t start, loff_t end,
		       int datasync)
{
	return 0;
}

static const struct file_operations shmem_file_operations = {
	.mmap = shmem_mmap,
	.fsync = shmem_fsync,
	.read_iter = shmem_file_read_iter,
	.write_iter = shmem_file_write_iter,
	.setattr_size = shmem_setattr_size,
};

static const struct vm_operations_struct shmem_vm_ops = {
	.fault = shmem_fault,
	.map_pages = filemap_map_pages,
};

static const struct super_operations shmem_ops = {
	.alloc_inode = shmem_alloc_inode,
	.evict_inode = shmem_evict_inode,
	.free_inode = shmem_free_inode,
};

static const struct address_space_operations shmem_aops = {
	.writepage = shmem_writepage,
};

int shmem_init(struct kmm_kernel *k, struct super_block *sb)
{
	sb->s_op = &shmem_ops;
	sb->s_fops = &shmem_file_operations;
	sb->s_aops = &shmem_aops;
	return 0; /* shmem_inode_cache is made with the first inode (fs/inode.c) */
}

int shmem_fill_new(struct kmm_kernel *k, struct inode *inode, const void *data, uint64_t size)
{
	struct file file = {.f_inode = inode, .f_mapping = inode->i_mapping};
	loff_t pos = 0;
	int64_t n;

	if (!data) {
		inode->i_size = (loff_t)size;
		return 0;
	}
	if (((size + PAGE_SIZE - 1) >> PAGE_SHIFT) >
	    inode->i_sb->s_max_blocks - inode->i_sb->s_used_blocks)
		return -ENOSPC;
	n = shmem_file_write_iter(k, &file, data, size, &pos);
	return n < 0 ? (int)n : (uint64_t)n == size ? 0 : -ENOSPC;
}

/* ---- unnamed tmpfs files: shared anonymous memory and memfd -------------------------- */

/* An unlinked tmpfs inode named @name (for d_path), or NULL. */
static struct inode *shmem_unlinked_inode(struct kmm_kernel *k, const char *name, loff_t size)
{
	struct inode *inode = new_inode(k, shm_mnt_sb(k), S_IFREG | 0777);

	if (!inode)
		return NULL;
	inode->i_name = env_strdup(k->env, name);
	if (!inode->i_name) {
		iput(k, inode);
		return NULL;
	}
	inode->i_size = size;
	return inode;
}

struct file *shmem_file_setup(struct kmm_kernel *k, const char *name, loff_t size, int *err)
{
	struct inode *inode;
	struct file *file;

	if (size < 0) {
		*err = -EINVAL;
		return NULL;
	}
	inode = shmem_unlinked_inode(k, name, size);
	if (!inode) {
		*err = -ENOMEM;
		return NULL;
	}
	file = alloc_file(k, inode, O_RDWR);
	if (!file) {
		iput(k, inode);
		*err = -ENOMEM;
		return NULL;
	}
	return file;
}

int shmem_zero_setup(struct vm_area_struct *vma)
{
	struct kmm_kernel *k = vma->vm_mm->kernel;
	int err = 0;
	struct file *file =
		shmem_file_setup(k, "/dev/zero", (loff_t)(vma->vm_end - vma->vm_start), &err);

	if (!file)
		return err;
	if (vma->vm_file)
		fput(k, vma->vm_file);
	vma->vm_file = file;
	vma->vm_ops = &shmem_vm_ops;
	return 0;
}

int sys_memfd_create(struct kmm_kernel *k, struct files_struct *files, const char *name,
		     unsigned int flags)
{
	char path[PATH_MAX_KMM];
	struct file *file;
	int err = 0, fd;

	if (flags & ~(MFD_CLOEXEC | MFD_ALLOW_SEALING | MFD_HUGETLB) || (flags & MFD_HUGETLB))
		return -EINVAL;
	if (!name)
		return -EFAULT;
	if (strnlen(name, MFD_NAME_MAX + 1) > MFD_NAME_MAX)
		return -EINVAL;
	snprintf(path, sizeof(path), "/memfd:%s", name);
	file = shmem_file_setup(k, path, 0, &err);
	if (!file)
		return err;
	file->f_flags |= O_LARGEFILE;
	if (flags & MFD_ALLOW_SEALING)
		SHMEM_I(file_inode(file))->seals &= ~(unsigned int)F_SEAL_SEAL;
	fd = fd_install_new(k, files, file, (flags & MFD_CLOEXEC) ? O_CLOEXEC : 0);
	if (fd < 0)
		fput(k, file);
	return fd;
}

/* The seals of @file's inode if it is tmpfs (memfd_file_seals_ptr), else NULL. */
static unsigned int *memfd_file_seals_ptr(struct file *file)
{
	if (!shmem_mapping(file->f_mapping))
		return NULL;
	return &SHMEM_I(file_inode(file))->seals;
}

unsigned int memfd_file_seals(const struct file *file)
{
	unsigned int *seals = memfd_file_seals_ptr((struct file *)file);

	return seals ? *seals : 0;
}

/*
 * Models: memfd_wait_for_pins() without the wait: -EBUSY if a cached page has references
 * beyond the cache's one per page and one per mapping (a get_user_pages pin).
 */
static int memfd_wait_for_pins(struct kmm_kernel *k, struct address_space *mapping)
{
	unsigned long index;
	struct folio *folio;

	lru_add_drain(k); /* memfd_tag_pins: the per-CPU batches' references are not pins */
	xa_for_each(&mapping->i_pages, index, folio)
	{
		if (index != folio->index)
			continue;
		if (folio_ref_count(folio) - folio_mapcount(folio) > (int)folio_nr_pages(folio))
			return -EBUSY;
	}
	return 0;
}

/* Models: memfd_add_seals(). */
static int memfd_add_seals(struct kmm_kernel *k, struct file *file, unsigned int seals)
{
	unsigned int *file_seals;
	int err;

	if (!(file->f_mode & FMODE_WRITE))
		return -EPERM;
	if (seals & ~(unsigned int)F_ALL_SEALS)
		return -EINVAL;
	file_seals = memfd_file_seals_ptr(file);
	if (!file_seals)
		return -EINVAL;
	if (*file_seals & F_SEAL_SEAL)
		return -EPERM;
	if ((seals & F_SEAL_WRITE) && !(*file_seals & F_SEAL_WRITE)) {
		err = mapping_deny_writable(file->f_mapping);
		if (err)
			return err;
		err = memfd_wait_for_pins(k, file->f_mapping);
		if (err) {
			mapping_allow_writable(file->f_mapping);
			return err;
		}
	}
	*file_seals |= seals;
	return 0;
}

int memfd_fcntl(struct kmm_kernel *k, struct file *file, unsigned int cmd, unsigned long arg)
{
	unsigned int *seals;

	switch (cmd) {
	case F_ADD_SEALS:
		if (arg > UINT_MAX)
			return -EINVAL;
		return memfd_add_seals(k, file, (unsigned int)arg);
	case F_GET_SEALS:
		seals = memfd_file_seals_ptr(file);
		return seals ? (int)*seals : -EINVAL;
	default:
		return -EINVAL;
	}
}

/* ---- swapoff, madvise, smaps and the check ---------------------------------------------- */

int shmem_unuse(struct kmm_kernel *k, unsigned int type)
{
	struct super_block *sb = k->fs ? shm_mnt_sb(k) : NULL;

	if (sb) {
		for (struct list_head *l = sb->s_inodes.next; l != &sb->s_inodes; l = l->next) {
			struct inode *inode = container_of(l, struct inode, i_sb_list);
			struct address_space *mapping = inode->i_mapping;
			unsigned long index = 0;
			void *entry;

			if (!SHMEM_I(inode)->swapped)
				continue;
			while ((entry = xa_find(&mapping->i_pages, &index, ~0UL, XA_PRESENT))) {
				if (xa_is_value(entry) &&
				    swp_type(radix_to_swp_entry(entry)) == type) {
					struct folio *folio;
					int err = shmem_get_folio(k, inode, index, &folio,
								  SGP_CACHE, NULL);

					if (err)
						return err;
					if (folio) {
						folio_unlock(folio);
						folio_put(k, folio);
					}
				}
				if (index == ~0UL)
					break;
				index++;
			}
		}
	}
	return 0;
}

void shmem_willneed(struct kmm_kernel *k, struct address_space *mapping, pgoff_t start, pgoff_t end)
{
	unsigned long index = start;
	void *entry;

	if (!mapping->i_pages.nr_values || end < start)
		return;
	while ((entry = xa_find(&mapping->i_pages, &index, end, XA_PRESENT))) {
		if (xa_is_value(entry)) {
			struct page *page = read_swap_cache_async(
				k, radix_to_swp_entry(entry), GFP_HIGHUSER_MOVABLE, NULL, 0, NULL);

			if (page)
				put_page(k, page);
		}
		if (index >= end)
			break;
		index++;
	}
	lru_add_drain(k);
}

unsigned long shmem_partial_swap_usage(const struct address_space *mapping, pgoff_t start,
				       pgoff_t end)
{
	unsigned long index = start, swapped = 0;
	void *entry;

	if (!mapping->i_pages.nr_values || end <= start)
		return 0;
	while ((entry = xa_find((struct xarray *)&mapping->i_pages, &index, end - 1, XA_PRESENT))) {
		swapped += xa_is_value(entry);
		if (index >= end - 1)
			break;
		index++;
	}
	return swapped << PAGE_SHIFT;
}

unsigned long shmem_swap_usage(const struct vm_area_struct *vma)
{
	struct inode *inode = file_inode(vma->vm_file);
	struct shmem_inode_info *info = SHMEM_I(inode);
	struct address_space *mapping = inode->i_mapping;
	unsigned long swapped = info->swapped;

	if (!swapped)
		return 0;
	/* The whole file mapped: the inode's count; else the entries in the VMA's range. */
	if (!vma->vm_pgoff && vma->vm_end - vma->vm_start >= (unsigned long)inode->i_size)
		return swapped << PAGE_SHIFT;
	return shmem_partial_swap_usage(mapping, vma->vm_pgoff, vma->vm_pgoff + vma_pages(vma));
}

unsigned long shmem_swap_holes(const struct vm_area_struct *vma, unsigned long start)
{
	struct address_space *mapping = file_inode(vma->vm_file)->i_mapping;
	unsigned long index, last, swapped = 0;
	void *entry;

	if (start < vma->vm_start)
		start = vma->vm_start;
	if (!mapping->i_pages.nr_values || start >= vma->vm_end)
		return 0;
	index = vma->vm_pgoff + ((start - vma->vm_start) >> PAGE_SHIFT);
	last = vma->vm_pgoff + vma_pages(vma) - 1;
	while ((entry = xa_find(&mapping->i_pages, &index, last, XA_PRESENT))) {
		if (xa_is_value(entry)) {
			unsigned long addr =
				vma->vm_start + ((index - vma->vm_pgoff) << PAGE_SHIFT);
			const uint64_t *pte = mm_pte_lookup(vma->vm_mm, addr);

			swapped += !pte || pte_none(__pte(*pte));
		}
		if (index >= last)
			break;
		index++;
	}
	return swapped << PAGE_SHIFT;
}

bool shmem_check_inode(const struct kmm_kernel *k, const struct inode *inode, char *why,
		       size_t whylen)
{
	struct shmem_inode_info *info = SHMEM_I((struct inode *)inode);
	const struct address_space *mapping = inode->i_mapping;
	unsigned long index = 0, swapped = 0;
	void *entry;

	while (mapping->i_pages.nr_values &&
	       (entry = xa_find((struct xarray *)&mapping->i_pages, &index, ~0UL, XA_PRESENT))) {
		if (xa_is_value(entry)) {
			swp_entry_t swap = radix_to_swp_entry(entry);
			unsigned char count =
				swap_map_byte(k, swap) & (unsigned char)~SWAP_HAS_CACHE;

			if (count != SWAP_MAP_SHMEM) { /* 3 */
				snprintf(why, whylen,
					 "shmem: inode %lu index %lu: swap entry %u:%#lx has count "
					 "%#x, not tmpfs's",
					 inode->i_ino, index, swp_type(swap), swp_offset(swap),
					 count);
				return false;
			}
			swapped++;
		}
		if (index == ~0UL)
			break;
		index++;
	}
	if (swapped != info->swapped || info->alloced < mapping->nrpages + swapped) { /* 2, 3 */
		snprintf(why, whylen,
			 "shmem: inode %lu: %lu swap entries, swapped %lu; alloced %lu, %lu cached",
			 inode->i_ino, swapped, info->swapped, info->alloced, mapping->nrpages);
		return false;
	}
	return true;
}
