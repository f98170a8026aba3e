/*
 * The in-memory filesystem's objects: the two mounts, the flat namespace, inodes and their
 * lifetime, and kmmfs, the store-backed filesystem (its bytes in host memory, like a disk).
 * fs.h has the mount table and the rules; file.c has open files, fd tables and the system
 * calls; mm/shmem.c is tmpfs.
 *
 * Models: fs/inode.c (new_inode, iput, evict, ihold), fs/namei.c (lookup and unlink without
 *         directories), fs/libfs.c and mm/filemap.c's generic_file_mmap / generic_file_vm_ops
 *         (kmmfs mmap), a block filesystem's read_folio/writepage (kmmfs) (Linux 6.1).
 * Deviations: the namespace is one sorted array of names (binary search: O(log n) lookup,
 *         O(n) insert and remove); no dentries, directories, permissions or timestamps.
 *         kmmfs's "disk" is an xarray of 4 KiB host blocks per inode, written only by
 *         writeback (and by kmm_file_create, as a file that was on disk before boot); a
 *         block never written reads as zeros (without I/O). Reads and writes of the store go
 *         through the disk model (fs/blkdev.c): latency and bandwidth on the simulated clock,
 *         pgpgin/pgpgout; the bytes move at submission, the completion is an event.
 *         A generated file (vfs_create_generated) stands for a file of a read-only disk
 *         image (the filecache workload's squashfs data.bin): no store, its bytes a function
 *         of (seed, offset) computed when a page is read, opening it for writing -EROFS.
 *
 * Caches (reclaimable slab, kmmfs): a kmmfs name has a dentry object from the "dentry" cache
 * (192 bytes, SLAB_RECLAIM_ACCOUNT) while it is cached, and its inode an object from
 * kmmfs_inode_cache while it is in core. When nothing but the name holds the inode
 * (i_count 1: no open file, hence no mapping), the dentry is unused and sits on the super
 * block's dentry LRU; the "sb-kmmfs" shrinker (super_cache_count/super_cache_scan: counts
 * scaled by vfs_cache_pressure, the scan split between dentries and inodes in proportion)
 * frees unused dentries (prune_dcache_sb) and moves their inodes to the inode LRU, then frees
 * unused inodes (prune_icache_sb) after dropping their clean page cache (pginodesteal, or
 * kswapd_inodesteal from kswapd). Both LRUs give a second chance to an object touched since
 * it went there (DCACHE_REFERENCED, I_REFERENCED). A lookup brings both back (d_alloc, iget:
 * the store is the disk they are re-read from).
 * Deviation: tmpfs names have no dentry objects (in the kernel theirs are pinned: never on an
 *         LRU); lists are per super block, not per node, so the shrinker is not NUMA-aware.
 * Deviation: an inode whose page cache keeps pages the invalidation cannot drop (dirty,
 *         mapped) is rotated, not retried (LRU_RETRY), and shadows do not keep it in core.
 * Deviation: if the inode object cannot be allocated at lookup, the lookup still succeeds
 *         and the inode stays out of core until the next lookup (no -ENOMEM from a lookup).
 *
 * Invariants (fs_check):
 *  1. The names are sorted, unique, and each names a live inode of nlink 1 whose i_name it is.
 *  2. Every live inode is on its super block's list, with i_count > 0 (the name holds one,
 *     each struct file one); s_nr_inodes counts them.
 *  3. kmmfs: the store holds no block at or beyond i_size's last page, and nr_blocks counts
 *     its blocks; s_used_blocks equals the blocks of all its inodes. tmpfs: s_used_blocks
 *     equals the pages allocated to its inodes (in the page cache or in swap: shmem.c's
 *     shmem_check_inode checks each inode).
 *  4. Each inode's page cache passes pagecache_check's rules (filemap.c's walker runs from
 *     kmm_check's page-placement check, not from here).
 *  5. The dentry LRU holds kmmfs inodes with a cached dentry, the inode LRU in-core kmmfs
 *     inodes without one; the flags say which list an inode is on and the counts match. An
 *     inode out of core has no dentry, no page and i_count 1 (its name).
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "fs/blkdev.h"
#include "fs/fs_internal.h"
#include "mm/internal.h"
#include "mm/shmem.h"
#include "mm/slab.h"
#include "mm/workingset.h"
#include "kernel/sched.h"
#include "mm/writeback.h"

/* ---- kmmfs: the store-backed filesystem --------------------------------------------- */

struct kmmfs_inode_info {
	struct xarray store;	 /* page index -> PAGE_SIZE host bytes */
	unsigned long nr_blocks; /* blocks in the store */
	bool generated;		 /* read-only, bytes a function of (gen_seed, offset) */
	uint64_t gen_seed;
	struct inode vfs_inode;
};

/*
 * The bytes of a generated file: the little-endian 64-bit word at byte offset 8 * w is
 * splitmix64's output for the state @seed + (w + 1) * 0x9e3779b97f4a7c15 (a bijective mix
 * of the word's index and the seed), so any block is computed alone, in any order.
 */
static uint64_t kmmfs_gen_word(uint64_t seed, uint64_t w)
{
	uint64_t z = seed + (w + 1) * 0x9e3779b97f4a7c15ULL;

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

void kmmfs_generated_bytes(uint64_t seed, uint64_t off, void *buf, uint64_t len)
{
	uint8_t *p = buf;

	while (len) {
		uint64_t word = kmmfs_gen_word(seed, off >> 3);
		unsigned int b = (unsigned int)(off & 7);

		if (!b && len >= 8) {
			for (int i = 0; i < 8; i++)
				p[i] = (uint8_t)(word >> (8 * i));
			p += 8;
			off += 8;
			len -= 8;
			continue;
		}
		*p++ = (uint8_t)(word >> (8 * b));
		off++;
		len--;
	}
}

bool kmmfs_inode_generated(const struct inode *inode)
{
	return inode->i_sb->s_store_backed &&
	       container_of(inode, struct kmmfs_inode_info, vfs_inode)->generated;
}

static struct kmmfs_inode_info *KMMFS_I(struct inode *inode)
{
	return container_of(inode, struct kmmfs_inode_info, vfs_inode);
}

static struct inode *kmmfs_alloc_inode(struct kmm_kernel *k, struct super_block *sb)
{
	struct kmmfs_inode_info *info = env_alloc(k->env, sizeof(*info));

	if (!info)
		return NULL;
	xa_init(&info->store, k->env);
	return &info->vfs_inode;
}

static void kmmfs_free_block(struct kmm_kernel *k, struct inode *inode, pgoff_t index)
{
	struct kmmfs_inode_info *info = KMMFS_I(inode);
	void *block = xa_erase(&info->store, index);

	if (block) {
		env_free(k->env, block);
		info->nr_blocks--;
		inode->i_blocks -= PAGE_SIZE >> 9;
		inode->i_sb->s_used_blocks--;
	}
}

/* Drops the store's blocks from page @from on; zeroes the tail of the block holding @size. */
void kmmfs_truncate_store(struct kmm_kernel *k, struct inode *inode, loff_t size)
{
	struct kmmfs_inode_info *info = KMMFS_I(inode);
	pgoff_t from = (pgoff_t)(size + (loff_t)PAGE_SIZE - 1) >> PAGE_SHIFT;
	unsigned long index = from;
	uint8_t *block;

	while (xa_find(&info->store, &index, ~0UL, XA_PRESENT))
		kmmfs_free_block(k, inode, index);
	if (size & (loff_t)(PAGE_SIZE - 1)) {
		block = xa_load(&info->store, (pgoff_t)size >> PAGE_SHIFT);
		if (block) {
			size_t off = (size_t)(size & (loff_t)(PAGE_SIZE - 1));

			memset(block + off, 0, PAGE_SIZE - off);
		}
	}
}

static void kmmfs_evict_inode(struct kmm_kernel *k, struct inode *inode)
{
	truncate_inode_pages(k, inode->i_mapping, 0);
	inode_io_list_del(k, inode);
	kmmfs_truncate_store(k, inode, 0);
	xa_destroy(&KMMFS_I(inode)->store);
}

static void kmmfs_free_inode(struct kmm_kernel *k, struct inode *inode)
{
	env_free(k->env, KMMFS_I(inode));
}

/*
 * The store block for page @index, allocated (zeroed) if absent. NULL: the filesystem is
 * full (*@err = -ENOSPC) or host memory ran out (-ENOMEM).
 */
static uint8_t *kmmfs_get_block(struct kmm_kernel *k, struct inode *inode, pgoff_t index, int *err)
{
	struct kmmfs_inode_info *info = KMMFS_I(inode);
	struct super_block *sb = inode->i_sb;
	uint8_t *block = xa_load(&info->store, index);

	if (block)
		return block;
	if (sb->s_used_blocks >= sb->s_max_blocks) {
		*err = -ENOSPC;
		return NULL;
	}
	block = env_alloc(k->env, PAGE_SIZE);
	if (!block || xa_store(&info->store, index, block)) {
		env_free(k->env, block);
		*err = -ENOMEM;
		return NULL;
	}
	env_host_check(k->env, "a kmmfs file's store", PAGE_SIZE);
	info->nr_blocks++;
	inode->i_blocks += PAGE_SIZE >> 9;
	sb->s_used_blocks++;
	return block;
}

/*
 * Fills @folio from the store, the generator or zeros (a hole); true if that takes the disk
 * (a hole reads nothing: block_read_full_folio zero-fills unmapped blocks).
 */
static bool kmmfs_fill_folio(struct kmm_kernel *k, struct inode *inode, struct folio *folio,
			     int *err)
{
	uint8_t *dst = page_host(k, &folio->page, PAGE_SIZE);
	const uint8_t *src = xa_load(&KMMFS_I(inode)->store, folio->index);
	bool io = src || KMMFS_I(inode)->generated;

	*err = 0;
	if (!dst) {
		*err = -EIO;
		return false;
	}
	if (src) {
		memcpy(dst, src, PAGE_SIZE);
	} else if (KMMFS_I(inode)->generated) {
		loff_t pos = (loff_t)folio->index << PAGE_SHIFT;
		uint64_t n =
			inode->i_size > pos ? min(PAGE_SIZE, (uint64_t)(inode->i_size - pos)) : 0;

		kmmfs_generated_bytes(KMMFS_I(inode)->gen_seed, (uint64_t)pos, dst, n);
		memset(dst + n, 0, PAGE_SIZE - n);
	} else {
		memset(dst, 0, PAGE_SIZE);
	}
	env_charge(k->env, io ? COST_page_copy : COST_page_zero);
	folio_set_uptodate(folio);
	folio_set_mappedtodisk(folio);
	return io;
}

/*
 * Models: a block filesystem's read_folio (block_read_full_folio): one page read from the
 * disk; folio->private holds when the disk completes it (the caller waits).
 */
static int kmmfs_read_folio(struct kmm_kernel *k, struct file *file, struct folio *folio)
{
	struct inode *inode = folio_mapping(folio)->host;
	struct blk_dev *disk = kmmfs_disk(k);
	int err;

	if (kmmfs_fill_folio(k, inode, folio, &err) && disk)
		folio->private = (unsigned long)blk_submit_read(k, disk, 1);
	return err;
}

/*
 * Models: a block filesystem's readahead (mpage_readahead): the batch's pages, contiguous,
 * read in one request; each uptodate, stamped with its completion, unlocked.
 */
static void kmmfs_readahead(struct kmm_kernel *k, struct file *file, struct folio **folios,
			    unsigned int nr)
{
	struct inode *inode = file_inode(file);
	struct blk_dev *disk = kmmfs_disk(k);
	unsigned long io = 0;
	uint64_t done_at = 0;
	int err;

	for (unsigned int i = 0; i < nr; i++)
		io += kmmfs_fill_folio(k, inode, folios[i], &err);
	if (io && disk)
		done_at = blk_submit_read(k, disk, io);
	for (unsigned int i = 0; i < nr; i++) {
		if (folio_test_uptodate(folios[i]))
			folios[i]->private = (unsigned long)done_at;
		folio_unlock(folios[i]);
	}
}

/*
 * Models: a block filesystem's writepage (block_write_full_page) with 6.1's contract
 * (pagemap.h): the page's bytes go to the store, writeback starts, the disk completes it
 * later. A page wholly past i_size is dropped from writing (a truncate raced). No room in
 * the store: reclaim gets the folio back dirty (AOP_WRITEPAGE_ACTIVATE); others the error.
 */
static int kmmfs_writepage(struct kmm_kernel *k, struct folio *folio, struct writeback_control *wbc)
{
	struct inode *inode = folio_mapping(folio)->host;
	const uint8_t *src = page_host(k, &folio->page, PAGE_SIZE);
	struct blk_dev *disk = kmmfs_disk(k);
	uint8_t *dst;
	int err = 0;

	if (((loff_t)folio->index << PAGE_SHIFT) >= inode->i_size) {
		folio_unlock(folio);
		return 0;
	}
	dst = src ? kmmfs_get_block(k, inode, folio->index, &err) : NULL;
	if (!dst) {
		err = err ? err : -EIO;
		if (wbc->for_reclaim) {
			folio_mark_dirty(k, folio); /* folio_redirty_for_writepage */
			return AOP_WRITEPAGE_ACTIVATE;
		}
		folio_unlock(folio);
		return err;
	}
	memcpy(dst, src, PAGE_SIZE);
	env_charge(k->env, COST_page_copy);
	folio_set_mappedtodisk(folio);
	if (folio_test_writeback(folio)) {
		/*
		 * The caller started writeback itself (the contract before 6.1's, which some
		 * callers may still follow): it ends it too, so the write is not tracked by
		 * the disk; its time and sectors are still the disk's. The folio stays locked.
		 */
		if (disk)
			blk_submit_read_or_write_untracked(k, disk, true, 1);
		else
			submit_bio_account(k, true, PAGE_SIZE >> 9);
		return 0;
	}
	folio_start_writeback(k, folio);
	folio_unlock(folio);
	if (disk) {
		blk_submit_write(k, disk, folio);
	} else {
		submit_bio_account(k, true, PAGE_SIZE >> 9);
		folio_end_writeback(k, folio);
	}
	return 0;
}

static const struct address_space_operations kmmfs_aops = {
	.read_folio = kmmfs_read_folio,
	.writepage = kmmfs_writepage,
	.readahead = kmmfs_readahead,
};

static const struct vm_operations_struct generic_file_vm_ops = {
	.fault = filemap_fault,
	.map_pages = filemap_map_pages,
	.page_mkwrite = filemap_page_mkwrite,
};

/* Models: generic_file_mmap(). */
static int kmmfs_mmap(struct file *file, struct vm_area_struct *vma)
{
	vma->vm_ops = &generic_file_vm_ops;
	return 0;
}

static int64_t kmmfs_read_iter(struct kmm_kernel *k, struct file *file, void *buf, uint64_t len,
			       loff_t *pos)
{
	return filemap_read(k, file, buf, len, pos);
}

static int64_t kmmfs_write_iter(struct kmm_kernel *k, struct file *file, const void *buf,
				uint64_t len, loff_t *pos)
{
	int64_t n = generic_perform_write(k, file, buf, len, *pos);

	if (n > 0)
		*pos += n;
	return n;
}

static int kmmfs_setattr_size(struct kmm_kernel *k, struct inode *inode, loff_t size)
{
	loff_t old = inode->i_size;

	inode->i_size = size;
	if (size < old) {
		truncate_pagecache(k, inode, size);
		kmmfs_truncate_store(k, inode, size);
	}
	return 0;
}

static int kmmfs_fsync(struct kmm_kernel *k, struct file *file, loff_t start, loff_t end,
		       int datasync)
{
	return filemap_write_and_wait_range(k, file->f_mapping, start, end);
}

static const struct file_operations kmmfs_fops = {
	.mmap = kmmfs_mmap,
	.fsync = kmmfs_fsync,
	.read_iter = kmmfs_read_iter,
	.write_iter = kmmfs_write_iter,
	.setattr_size = kmmfs_setattr_size,
};

static const struct super_operations kmmfs_sops = {
	.alloc_inode = kmmfs_alloc_inode,
	.evict_inode = kmmfs_evict_inode,
	.free_inode = kmmfs_free_inode,
};

/*
 * Fills a new kmmfs file's store with @size bytes of @data, as a file that was on disk
 * before: nothing enters the page cache. 0 or -ENOSPC/-ENOMEM (blocks written stay: the
 * caller evicts the inode).
 */
int kmmfs_fill_store(struct kmm_kernel *k, struct inode *inode, const void *data, uint64_t size)
{
	for (uint64_t off = 0; off < size; off += PAGE_SIZE) {
		uint64_t n = min(PAGE_SIZE, size - off);
		int err = 0;
		uint8_t *block;

		if (!memchr_nonzero((const uint8_t *)data + off, n))
			continue; /* a hole reads as zeros */
		block = kmmfs_get_block(k, inode, (pgoff_t)(off >> PAGE_SHIFT), &err);
		if (!block)
			return err;
		memcpy(block, (const uint8_t *)data + off, n);
	}
	return 0;
}

/* ---- mounts, inodes and names ------------------------------------------------------- */

static struct fs_state *fs_of(const struct kmm_kernel *k)
{
	return k->fs;
}

struct super_block *shm_mnt_sb(struct kmm_kernel *k)
{
	return &k->fs->sb[FS_SHM];
}

/* The mount holding @path (longest prefix): kmmfs under /mnt/disk/, tmpfs elsewhere. */
struct super_block *fs_sb_of_path(struct kmm_kernel *k, const char *path)
{
	const char *prefix = k->fs->sb[FS_KMMFS].s_mountpoint;

	if (!strncmp(path, prefix, strlen(prefix)))
		return &k->fs->sb[FS_KMMFS];
	return &k->fs->sb[FS_TMPFS];
}

/*
 * The slab caches of the filesystems' objects, created when first needed.
 * Deviation: the kernel creates them at boot (vfs_caches_init, shmem_init); creating them on
 * first use keeps the boot the captures pin (the boot-time slab caches and free lists)
 * unchanged for machines that never open a file. Sizes are the captured slabinfo objsizes
 * (filp 256 with SLAB_HWCACHE_ALIGN, shmem_inode_cache 784); kmmfs has no kernel twin and
 * takes inode_cache's 640.
 */
static struct kmem_cache *fs_cache(struct kmm_kernel *k, struct kmem_cache **cachep,
				   const char *name, unsigned int size, slab_flags_t flags)
{
	if (!*cachep)
		*cachep = kmem_cache_create(k, name, size, 0, flags, NULL, NULL);
	return *cachep;
}

struct kmem_cache *fs_filp_cache(struct kmm_kernel *k)
{
	return fs_cache(k, &k->fs->filp_cachep, "filp", 232,
			SLAB_HWCACHE_ALIGN | SLAB_PANIC | SLAB_ACCOUNT);
}

static struct kmem_cache *fs_inode_cache(struct kmm_kernel *k, struct super_block *sb)
{
	if (sb->s_store_backed)
		return fs_cache(k, &sb->s_inode_cachep, "kmmfs_inode_cache", 640,
				SLAB_RECLAIM_ACCOUNT | SLAB_ACCOUNT);
	return fs_cache(k, &sb->s_inode_cachep, "shmem_inode_cache", 784,
			SLAB_PANIC | SLAB_ACCOUNT);
}

/* ---- caches: dentries and inodes on LRUs, the super block's shrinker ------------------ */

static struct kmem_cache *fs_dentry_cache(struct kmm_kernel *k)
{
	return fs_cache(k, &k->fs->dentry_cachep, "dentry", 192,
			SLAB_RECLAIM_ACCOUNT | SLAB_PANIC | SLAB_MEM_SPREAD | SLAB_ACCOUNT);
}

static bool inode_cacheable(const struct inode *inode)
{
	return inode->i_sb->s_store_backed && inode->i_nlink;
}

static void d_lru_del(struct inode *inode)
{
	if (!(inode->d_flags & DCACHE_LRU_LIST))
		return;
	list_del(&inode->d_lru);
	inode->d_flags &= ~DCACHE_LRU_LIST;
	inode->i_sb->s_nr_dentry_unused--;
}

static void d_lru_add(struct inode *inode)
{
	list_add_tail(&inode->d_lru, &inode->i_sb->s_dentry_lru);
	inode->d_flags |= DCACHE_LRU_LIST;
	inode->i_sb->s_nr_dentry_unused++;
}

static void inode_lru_list_del(struct inode *inode)
{
	if (!(inode->i_state & I_ON_LRU))
		return;
	list_del(&inode->i_lru);
	inode->i_state &= ~I_ON_LRU;
	inode->i_sb->s_nr_inodes_unused--;
}

/* Models: inode_add_lru(): an unused in-core inode without a dentry. */
static void inode_add_lru(struct inode *inode)
{
	if ((inode->i_state & I_ON_LRU) || !inode->i_slab || inode->i_dentry || inode->i_count != 1)
		return;
	list_add_tail(&inode->i_lru, &inode->i_sb->s_inode_lru);
	inode->i_state |= I_ON_LRU;
	inode->i_sb->s_nr_inodes_unused++;
}

/* Models: d_alloc(): the name's dentry object. false: no memory (nothing changed). */
static bool d_alloc(struct kmm_kernel *k, struct inode *inode)
{
	struct kmem_cache *cache = fs_dentry_cache(k);

	if (inode->i_dentry)
		return true;
	inode->i_dentry = cache ? kmem_cache_alloc(k, cache, GFP_KERNEL) : 0;
	if (!inode->i_dentry)
		return false;
	inode_lru_list_del(inode); /* a dentry pins its inode */
	return true;
}

/* Models: dentry_free() of a pruned or deleted dentry. */
static void d_free(struct kmm_kernel *k, struct inode *inode)
{
	d_lru_del(inode);
	if (inode->i_dentry)
		kmem_cache_free(k, k->fs->dentry_cachep, inode->i_dentry);
	inode->i_dentry = 0;
}

/*
 * Models: dput()'s retain_dentry(): the last user let go of a cached name: onto the dentry
 * LRU, or marked referenced if it is there already.
 */
static void dput_unused(struct inode *inode)
{
	if (!inode_cacheable(inode) || inode->i_count != 1)
		return;
	if (!inode->i_dentry) {
		inode_add_lru(inode);
		return;
	}
	if (inode->d_flags & DCACHE_LRU_LIST)
		inode->d_flags |= DCACHE_REFERENCED;
	else
		d_lru_add(inode);
}

/* Models: iget's re-read of an inode pruned out of core, and d_alloc for its name. */
static void fs_lookup_cached(struct kmm_kernel *k, struct inode *inode)
{
	if (!inode->i_sb->s_store_backed || !inode->i_nlink)
		return;
	if (!inode->i_slab) {
		struct kmem_cache *cache = inode->i_sb->s_inode_cachep;

		inode->i_slab = cache ? kmem_cache_alloc(k, cache, GFP_KERNEL) : 0;
		if (!inode->i_slab)
			return;
	}
	inode->i_state |= I_REFERENCED;
	if (d_alloc(k, inode))
		dput_unused(inode);
}

/* true when the current task is a kswapd thread (current_is_kswapd: PF_KSWAPD). */
static bool current_is_kswapd(const struct kmm_kernel *k)
{
	const struct task_struct *t = cpu_curr(k, smp_processor_id(k));

	return t && (t->flags & PF_KSWAPD);
}

/* Models: prune_dcache_sb() with dentry_lru_isolate(): frees up to @nr unused dentries. */
static unsigned long prune_dcache_sb(struct kmm_kernel *k, struct super_block *sb, unsigned long nr)
{
	unsigned long freed = 0;

	while (nr-- && !list_empty(&sb->s_dentry_lru)) {
		struct inode *inode = list_first_entry(&sb->s_dentry_lru, struct inode, d_lru);

		if (inode->i_count != 1) { /* in use again: off the LRU (LRU_REMOVED) */
			d_lru_del(inode);
			continue;
		}
		if (inode->d_flags & DCACHE_REFERENCED) { /* LRU_ROTATE */
			inode->d_flags &= ~DCACHE_REFERENCED;
			list_move_tail(&inode->d_lru, &sb->s_dentry_lru);
			continue;
		}
		d_free(k, inode);
		freed++;
		inode_add_lru(inode); /* dentry_unlink_inode -> iput_final -> inode_add_lru */
	}
	return freed;
}

/* Models: inode_lru_isolate() for one inode: true if it was freed. */
static bool inode_lru_isolate(struct kmm_kernel *k, struct super_block *sb, struct inode *inode)
{
	if (inode->i_count != 1 || inode->i_dentry) { /* in use: LRU_REMOVED */
		inode_lru_list_del(inode);
		return false;
	}
	if (inode->i_state & I_REFERENCED) { /* LRU_ROTATE */
		inode->i_state &= ~I_REFERENCED;
		list_move_tail(&inode->i_lru, &sb->s_inode_lru);
		return false;
	}
	if (inode->i_data.nrpages) {
		unsigned long reap = invalidate_mapping_pages(k, &inode->i_data, 0, ~0UL);

		k->vm_events[current_is_kswapd(k) ? KSWAPD_INODESTEAL : PGINODESTEAL] += reap;
		if (inode->i_data.nrpages) { /* dirty or mapped pages stay */
			list_move_tail(&inode->i_lru, &sb->s_inode_lru);
			return false;
		}
	}
	/* evict() of a clean inode whose disk copy stays: the shadows go with it. */
	inode_lru_list_del(inode);
	xa_destroy(&inode->i_data.i_pages);
	kmem_cache_free(k, sb->s_inode_cachep, inode->i_slab);
	inode->i_slab = 0;
	return true;
}

/* Models: prune_icache_sb(): looks at up to @nr inodes of the LRU, frees the unused. */
static unsigned long prune_icache_sb(struct kmm_kernel *k, struct super_block *sb, unsigned long nr)
{
	unsigned long freed = 0;

	while (nr-- && !list_empty(&sb->s_inode_lru))
		freed += inode_lru_isolate(k, sb,
					   list_first_entry(&sb->s_inode_lru, struct inode, i_lru));
	return freed;
}

/* mult_frac(x, n, d) without overflow. */
static unsigned long mult_frac(unsigned long x, unsigned long n, unsigned long d)
{
	return (x / d) * n + (x % d) * n / d;
}

/* Models: super_cache_count(): unused dentries + inodes, scaled by vfs_cache_pressure. */
static unsigned long super_cache_count(struct shrinker *s, struct shrink_control *sc)
{
	struct super_block *sb = container_of(s, struct super_block, s_shrink);
	unsigned long total = sb->s_nr_dentry_unused + sb->s_nr_inodes_unused;

	if (!total)
		return SHRINK_EMPTY;
	return vfs_pressure_ratio(sc->k, total);
}

/* Models: super_cache_scan(): the scan split between dcache and icache in proportion. */
static unsigned long super_cache_scan(struct shrinker *s, struct shrink_control *sc)
{
	struct super_block *sb = container_of(s, struct super_block, s_shrink);
	unsigned long dentries = sb->s_nr_dentry_unused, inodes = sb->s_nr_inodes_unused;
	unsigned long total = dentries + inodes + 1, freed;

	if (!(sc->gfp_mask & __GFP_FS))
		return SHRINK_STOP;
	dentries = mult_frac(sc->nr_to_scan, dentries, total);
	inodes = mult_frac(sc->nr_to_scan, inodes, total);
	freed = prune_dcache_sb(sc->k, sb, dentries + 1);
	freed += prune_icache_sb(sc->k, sb, inodes + 1);
	return freed;
}

struct inode *new_inode(struct kmm_kernel *k, struct super_block *sb, umode_t mode)
{
	struct kmem_cache *cache = fs_inode_cache(k, sb);
	struct inode *inode = cache ? sb->s_op->alloc_inode(k, sb) : NULL;

	if (!inode)
		return NULL;
	inode->i_slab = kmem_cache_alloc(k, cache, GFP_KERNEL);
	if (!inode->i_slab) {
		sb->s_op->free_inode(k, inode);
		return NULL;
	}
	inode->i_mode = mode;
	inode->i_ino = ++sb->s_next_ino;
	inode->i_count = 1;
	inode->i_sb = sb;
	inode->i_mapping = &inode->i_data;
	inode->i_data.host = inode;
	xa_init(&inode->i_data.i_pages, k->env);
	xa_set_update(&inode->i_data.i_pages, workingset_update_node, k); /* shadow nodes */
	inode->i_data.gfp_mask = GFP_HIGHUSER_MOVABLE;
	INIT_LIST_HEAD(&inode->i_data.i_mmap);
	inode->i_data.a_ops = sb->s_aops;
	list_add_tail(&inode->i_sb_list, &sb->s_inodes);
	sb->s_nr_inodes++;
	return inode;
}

void ihold(struct inode *inode)
{
	inode->i_count++;
}

/* Models: evict() and destroy_inode(): pages, store, slab object and host struct. */
static void evict(struct kmm_kernel *k, struct inode *inode)
{
	struct super_block *sb = inode->i_sb;

	sb->s_op->evict_inode(k, inode);
	xa_destroy(&inode->i_data.i_pages);
	list_del(&inode->i_sb_list);
	sb->s_nr_inodes--;
	d_free(k, inode);
	inode_lru_list_del(inode);
	if (inode->i_slab)
		kmem_cache_free(k, sb->s_inode_cachep, inode->i_slab);
	env_free(k->env, inode->i_name);
	sb->s_op->free_inode(k, inode);
}

void iput(struct kmm_kernel *k, struct inode *inode)
{
	if (!inode)
		return;
	if (--inode->i_count > 0) {
		dput_unused(inode);
		return;
	}
	evict(k, inode);
}

/* The slot of @path in the sorted names, or where it would go (*@found says which). */
static unsigned long name_slot(const struct fs_state *fs, const char *path, bool *found)
{
	unsigned long lo = 0, hi = fs->nr_names;

	while (lo < hi) {
		unsigned long mid = lo + (hi - lo) / 2;
		int c = strcmp(fs->names[mid]->i_name, path);

		if (c == 0) {
			*found = true;
			return mid;
		}
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	*found = false;
	return lo;
}

struct inode *fs_lookup(struct kmm_kernel *k, const char *path)
{
	struct fs_state *fs = fs_of(k);
	bool found;
	unsigned long slot = name_slot(fs, path, &found);

	if (!found)
		return NULL;
	fs_lookup_cached(k, fs->names[slot]);
	return fs->names[slot];
}

/* Gives @inode the name @path (not present). 0 or -ENOMEM (nothing changed). */
int fs_link_name(struct kmm_kernel *k, struct inode *inode, const char *path)
{
	struct fs_state *fs = fs_of(k);
	bool found;
	unsigned long slot = name_slot(fs, path, &found);
	char *name;

	if (found)
		return -EEXIST;
	if (fs->nr_names == fs->names_cap) {
		unsigned long cap = fs->names_cap ? fs->names_cap * 2 : 16;
		struct inode **names = env_realloc(k->env, fs->names, cap * sizeof(*names));

		if (!names)
			return -ENOMEM;
		fs->names = names;
		fs->names_cap = cap;
	}
	name = env_strdup(k->env, path);
	if (!name)
		return -ENOMEM;
	memmove(&fs->names[slot + 1], &fs->names[slot], (fs->nr_names - slot) * sizeof(*fs->names));
	fs->names[slot] = inode;
	fs->nr_names++;
	env_free(k->env, inode->i_name);
	inode->i_name = name;
	inode->i_nlink = 1;
	ihold(inode); /* the name's reference */
	/* d_instantiate; without memory the name is simply not cached (a lookup retries) */
	if (inode->i_sb->s_store_backed)
		(void)d_alloc(k, inode);
	return 0;
}

int vfs_unlink(struct kmm_kernel *k, const char *path)
{
	struct fs_state *fs = fs_of(k);
	bool found;
	unsigned long slot = name_slot(fs, path, &found);
	struct inode *inode;

	if (!found)
		return -ENOENT;
	inode = fs->names[slot];
	memmove(&fs->names[slot], &fs->names[slot + 1],
		(fs->nr_names - slot - 1) * sizeof(*fs->names));
	fs->nr_names--;
	inode->i_nlink = 0;
	d_free(k, inode); /* d_delete: an unlinked name is not cached */
	inode_lru_list_del(inode);
	iput(k, inode);
	return 0;
}

/* A valid name: starts with '/', not just "/", no NUL inside, under PATH_MAX_KMM. */
int fs_check_path(const char *path)
{
	size_t len;

	if (!path || path[0] != '/')
		return -EINVAL;
	len = strnlen(path, PATH_MAX_KMM);
	if (len >= PATH_MAX_KMM)
		return -ENAMETOOLONG;
	if (len == 1 || path[len - 1] == '/')
		return -EISDIR;
	return 0;
}

int vfs_create_file(struct kmm_kernel *k, const char *path, const void *data, uint64_t size)
{
	struct super_block *sb;
	struct inode *inode;
	int err = fs_check_path(path);

	if (err)
		return err;
	if (size > (uint64_t)INT64_MAX)
		return -EFBIG;
	sb = fs_sb_of_path(k, path);
	if (((size + PAGE_SIZE - 1) >> PAGE_SHIFT) > sb->s_max_blocks - sb->s_used_blocks && data)
		return -ENOSPC;
	inode = new_inode(k, sb, S_IFREG | 0644);
	if (!inode)
		return -ENOMEM;
	if (sb->s_store_backed) {
		inode->i_size = (loff_t)size;
		err = data ? kmmfs_fill_store(k, inode, data, size) : 0;
	} else {
		err = shmem_fill_new(k, inode, data, size);
	}
	if (!err) {
		if (fs_lookup(k, path))
			vfs_unlink(k, path);
		err = fs_link_name(k, inode, path);
	}
	iput(k, inode); /* the creator's reference: the name keeps it */
	return err;
}

int vfs_create_generated(struct kmm_kernel *k, const char *path, uint64_t size, uint64_t seed)
{
	struct super_block *sb;
	struct inode *inode;
	int err = fs_check_path(path);

	if (err)
		return err;
	if (size > (uint64_t)INT64_MAX)
		return -EFBIG;
	sb = fs_sb_of_path(k, path);
	if (!sb->s_store_backed)
		return -EINVAL; /* only kmmfs keeps a file's bytes outside the page cache */
	inode = new_inode(k, sb, S_IFREG | 0444);
	if (!inode)
		return -ENOMEM;
	inode->i_size = (loff_t)size;
	KMMFS_I(inode)->generated = true;
	KMMFS_I(inode)->gen_seed = seed;
	if (fs_lookup(k, path))
		vfs_unlink(k, path);
	err = fs_link_name(k, inode, path);
	iput(k, inode);
	return err;
}

const struct inode *fs_next_inode(const struct kmm_kernel *k, const struct inode *prev)
{
	const struct fs_state *fs = fs_of(k);
	int i = 0;
	const struct list_head *next;

	if (!fs)
		return NULL;
	if (prev) {
		i = (int)(prev->i_sb - fs->sb);
		next = prev->i_sb_list.next;
	} else {
		next = fs->sb[0].s_inodes.next;
	}
	for (;;) {
		if (next != &fs->sb[i].s_inodes)
			return container_of(next, struct inode, i_sb_list);
		if (++i == FS_NR_MOUNTS)
			return NULL;
		next = fs->sb[i].s_inodes.next;
	}
}

/* ---- boot, shutdown, check ----------------------------------------------------------- */

static void fs_init_sb(struct super_block *sb, struct kmm_kernel *k, const char *type,
		       const char *mountpoint, bool store_backed, unsigned long max_blocks)
{
	sb->s_type = type;
	sb->s_mountpoint = mountpoint;
	sb->s_store_backed = store_backed;
	sb->s_kernel = k;
	sb->s_max_blocks = max_blocks;
	INIT_LIST_HEAD(&sb->s_inodes);
	INIT_LIST_HEAD(&sb->s_dentry_lru);
	INIT_LIST_HEAD(&sb->s_inode_lru);
}

int get_anon_bdev(struct kmm_kernel *k, unsigned int *p)
{
	struct fs_state *fs = k->fs;

	for (unsigned int m = 1; m < ANON_DEV_WORDS * 64; m++) {
		if (!(fs->anon_devs[m / 64] & (1ULL << (m % 64)))) {
			fs->anon_devs[m / 64] |= 1ULL << (m % 64);
			*p = m; /* MKDEV(0, m): major 0 */
			return 0;
		}
	}
	return -EMFILE;
}

void free_anon_bdev(struct kmm_kernel *k, unsigned int dev)
{
	unsigned int m = dev & 0xfffff;

	if (!(dev >> 20) && m && m < ANON_DEV_WORDS * 64)
		k->fs->anon_devs[m / 64] &= ~(1ULL << (m % 64));
}

int fs_init(struct kmm_kernel *k)
{
	struct fs_state *fs = env_alloc(k->env, sizeof(*fs));
	unsigned long ram = (unsigned long)k->totalram_pages;

	if (!fs)
		return -ENOMEM;
	k->fs = fs;
	INIT_LIST_HEAD(&fs->files);
	/* tmpfs's default size is half of RAM; the disk is as large as RAM. */
	fs_init_sb(&fs->sb[FS_TMPFS], k, "tmpfs", "/", false, ram / 2);
	fs_init_sb(&fs->sb[FS_KMMFS], k, "kmmfs", "/mnt/disk/", true, ram);
	fs->sb[FS_KMMFS].s_op = &kmmfs_sops;
	fs->sb[FS_KMMFS].s_fops = &kmmfs_fops;
	fs->sb[FS_KMMFS].s_aops = &kmmfs_aops;
	/* alloc_super(): the super block's shrinker, batch 1024 */
	fs->sb[FS_KMMFS].s_shrink.count_objects = super_cache_count;
	fs->sb[FS_KMMFS].s_shrink.scan_objects = super_cache_scan;
	fs->sb[FS_KMMFS].s_shrink.seeks = DEFAULT_SEEKS;
	fs->sb[FS_KMMFS].s_shrink.batch = 1024;
	if (register_shrinker(k, &fs->sb[FS_KMMFS].s_shrink, "sb-%s", "kmmfs"))
		return -ENOMEM;
	/* shm_mnt: a kern_mount, which shmem_fill_super leaves without a size limit */
	fs_init_sb(&fs->sb[FS_SHM], k, "tmpfs", NULL, false, ULONG_MAX);
	if (shmem_init(k, &fs->sb[FS_SHM]))
		return -ENOMEM;
	/*
	 * The anonymous devices in 6.1's mount order: mnt_init() runs shmem_init() (shm_mnt:
	 * 00:01) before init_mount_tree() mounts the rootfs tmpfs (00:02, as the captures'
	 * /bin lines show). kmmfs stands for a disk filesystem: a block device, not one of these.
	 */
	if (get_anon_bdev(k, &fs->sb[FS_SHM].s_dev) || get_anon_bdev(k, &fs->sb[FS_TMPFS].s_dev))
		return -EMFILE;
	return shmem_init(k, &fs->sb[FS_TMPFS]);
}

void fs_fini(struct kmm_kernel *k)
{
	struct fs_state *fs = k->fs;

	if (!fs)
		return;
	unregister_shrinker(k, &fs->sb[FS_KMMFS].s_shrink);
	/* The machine goes: host memory only (pages and slab objects go with the machine). */
	for (int i = 0; i < FS_NR_MOUNTS; i++) {
		struct super_block *sb = &fs->sb[i];

		while (!list_empty(&sb->s_inodes)) {
			struct inode *inode =
				list_first_entry(&sb->s_inodes, struct inode, i_sb_list);

			list_del(&inode->i_sb_list);
			xa_destroy(&inode->i_data.i_pages);
			if (sb->s_store_backed) {
				struct kmmfs_inode_info *info = KMMFS_I(inode);
				unsigned long index;
				void *block;

				xa_for_each(&info->store, index, block) env_free(k->env, block);
				xa_destroy(&info->store);
			}
			env_free(k->env, inode->i_name);
			sb->s_op->free_inode(k, inode);
		}
	}
	file_table_fini(k);
	env_free(k->env, fs->names);
	env_free(k->env, fs);
	k->fs = NULL;
}

static bool fs_check_inode(const struct kmm_kernel *k, const struct super_block *sb,
			   const struct inode *inode, unsigned long *blocks, char *why,
			   size_t whylen)
{
	if (inode->i_count <= 0 || inode->i_sb != sb) {
		snprintf(why, whylen, "fs: inode %lu of %s has i_count %d", inode->i_ino,
			 sb->s_type, inode->i_count);
		return false;
	}
	if (sb->s_store_backed) {
		const struct kmmfs_inode_info *info =
			container_of(inode, struct kmmfs_inode_info, vfs_inode);
		unsigned long index =
			(unsigned long)(inode->i_size + (loff_t)PAGE_SIZE - 1) >> PAGE_SHIFT;
		char xwhy[128];

		if (!xa_check(&info->store, xwhy, sizeof(xwhy))) {
			snprintf(why, whylen, "fs: store of inode %lu: %s", inode->i_ino, xwhy);
			return false;
		}
		if (xa_find(&info->store, &index, ~0UL, XA_PRESENT)) {
			snprintf(why, whylen, "fs: inode %lu (size %lld) has a store block at %lu",
				 inode->i_ino, (long long)inode->i_size, index);
			return false;
		}
		if (info->nr_blocks != info->store.nr_entries) {
			snprintf(why, whylen, "fs: inode %lu counts %lu blocks, its store has %lu",
				 inode->i_ino, info->nr_blocks, info->store.nr_entries);
			return false;
		}
		*blocks += info->nr_blocks;
	} else {
		if (!shmem_check_inode(k, inode, why, whylen))
			return false;
		*blocks += SHMEM_I((struct inode *)inode)->alloced;
	}
	return true;
}

/* Invariant 5: the LRUs against the inodes' flags and the counts. */
static bool fs_check_lrus(const struct super_block *sb, char *why, size_t whylen)
{
	unsigned long nd = 0, ni = 0;
	const struct list_head *pos;

	for (pos = sb->s_dentry_lru.next; pos != &sb->s_dentry_lru; pos = pos->next) {
		const struct inode *inode = container_of(pos, struct inode, d_lru);

		nd++;
		if (!sb->s_store_backed || !inode->i_dentry ||
		    !(inode->d_flags & DCACHE_LRU_LIST)) {
			snprintf(why, whylen, "fs: inode %lu on the dentry LRU without a dentry",
				 inode->i_ino);
			return false;
		}
	}
	for (pos = sb->s_inode_lru.next; pos != &sb->s_inode_lru; pos = pos->next) {
		const struct inode *inode = container_of(pos, struct inode, i_lru);

		ni++;
		if (!inode->i_slab || inode->i_dentry || !(inode->i_state & I_ON_LRU)) {
			snprintf(why, whylen, "fs: inode %lu on the inode LRU out of core or named",
				 inode->i_ino);
			return false;
		}
	}
	if (nd != sb->s_nr_dentry_unused || ni != sb->s_nr_inodes_unused) {
		snprintf(why, whylen, "fs: %s LRUs hold %lu dentries and %lu inodes, count %lu/%lu",
			 sb->s_type, nd, ni, sb->s_nr_dentry_unused, sb->s_nr_inodes_unused);
		return false;
	}
	for (pos = sb->s_inodes.next; pos != &sb->s_inodes; pos = pos->next) {
		const struct inode *inode = container_of(pos, struct inode, i_sb_list);

		if (!inode->i_slab && (inode->i_dentry || inode->i_data.nrpages ||
				       inode->i_count != 1 || !inode->i_nlink)) {
			snprintf(why, whylen, "fs: inode %lu out of core but in use", inode->i_ino);
			return false;
		}
	}
	return true;
}

bool fs_check(const struct kmm_kernel *k, char *why, size_t whylen)
{
	const struct fs_state *fs = fs_of(k);

	if (!fs)
		return true;
	for (unsigned long i = 0; i < fs->nr_names; i++) {
		const struct inode *inode = fs->names[i];

		if (!inode->i_name || inode->i_nlink != 1 ||
		    (i && strcmp(fs->names[i - 1]->i_name, inode->i_name) >= 0)) {
			snprintf(why, whylen, "fs: name %lu (%s) out of order or not linked", i,
				 inode->i_name ? inode->i_name : "(null)");
			return false;
		}
	}
	for (int m = 0; m < FS_NR_MOUNTS; m++) {
		const struct super_block *sb = &fs->sb[m];
		unsigned long n = 0, blocks = 0;
		const struct list_head *pos;

		for (pos = sb->s_inodes.next; pos != &sb->s_inodes; pos = pos->next) {
			if (!fs_check_inode(k, sb, container_of(pos, struct inode, i_sb_list),
					    &blocks, why, whylen))
				return false;
			n++;
		}
		if (n != sb->s_nr_inodes || blocks != sb->s_used_blocks) {
			snprintf(why, whylen,
				 "fs: %s counts %lu inodes and %lu blocks, its inodes %lu and %lu",
				 sb->s_type, sb->s_nr_inodes, sb->s_used_blocks, n, blocks);
			return false;
		}
		if (!fs_check_lrus(sb, why, whylen))
			return false;
	}
	return file_table_check(k, why, whylen);
}
