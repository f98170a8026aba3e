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
 * Deviations: no swap yet (info->swapped stays 0, pages are never written out); no huge
 *         pages (shmem_enabled never); no fallocate or hole punching; memfd_wait_for_pins
 *         does not wait: a page with references beyond the cache's and its mappings' is
 *         pinned and F_SEAL_WRITE fails with -EBUSY at once (the kernel retries for a while
 *         before the same answer). MFD_HUGETLB is refused with -EINVAL (no hugetlbfs).
 *
 * Invariants (checked by fs_check and the page-cache walker):
 *  1. Every page of a tmpfs mapping is PG_swapbacked and uptodate.
 *  2. info->alloced equals the inode's cached pages (no swap), and the super block's
 *     s_used_blocks is their sum over its inodes.
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

static void shmem_evict_inode(struct kmm_kernel *k, struct inode *inode)
{
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

/*
 * Models: shmem_get_folio_gfp(): the folio at @index, referenced and locked. A new one is
 * charged to the filesystem (-ENOSPC when full), zeroed, uptodate, swap-backed, put in the
 * cache and on the LRU. With SGP_READ a hole gives NULL and 0. 0 or -ENOSPC/-ENOMEM.
 */
static int shmem_get_folio(struct kmm_kernel *k, struct inode *inode, pgoff_t index,
			   struct folio **foliop, enum sgp_type sgp)
{
	struct address_space *mapping = inode->i_mapping;
	struct super_block *sb = inode->i_sb;
	struct folio *folio = __filemap_get_folio(k, mapping, index, FGP_LOCK, 0);
	struct page *page;
	uint8_t *p;
	int err;

	*foliop = NULL;
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

vm_fault_t shmem_fault(struct vm_fault *vmf)
{
	struct kmm_kernel *k = vmf->vma->vm_mm->kernel;
	struct inode *inode = file_inode(vmf->vma->vm_file);
	struct folio *folio;
	int err;

	if ((loff_t)vmf->pgoff >= (inode->i_size + (loff_t)PAGE_SIZE - 1) >> PAGE_SHIFT)
		return VM_FAULT_SIGBUS;
	err = shmem_get_folio(k, inode, vmf->pgoff, &folio, SGP_CACHE);
	if (err)
		return err == -ENOMEM ? VM_FAULT_OOM : VM_FAULT_SIGBUS;
	vmf->page = folio_page(folio, vmf->pgoff - folio->index);
	return VM_FAULT_LOCKED;
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
		shmem_get_folio(k, inode, index, &folio, SGP_READ);
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
			err = shmem_get_folio(k, inode, index, &folio, SGP_WRITE);
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
	inode->i_size = size;
	if (size < old) {
		truncate_pagecache(k, inode, size);
		shmem_recalc_inode(inode);
	}
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

static const struct address_space_operations shmem_aops = {0};

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
