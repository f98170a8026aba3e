/*
 * The page cache: each file's cached pages in its address_space, indexed by page offset;
 * filling them from the filesystem, dirtying and writing them back, dropping them on
 * truncate, and the vm_operations a file mapping faults through.
 *
 * Models: mm/filemap.c (__filemap_add_folio, filemap_add_folio, __filemap_remove_folio,
 *         filemap_remove_folio, page_cache_delete with its shadow,
 *         __filemap_get_folio, filemap_read, filemap_fault with do_sync_mmap_readahead's
 *         read-around, filemap_map_pages, filemap_page_mkwrite, filemap_write_and_wait_range),
 *         mm/page-writeback.c (folio_mark_dirty, filemap_dirty_folio, folio_account_dirtied,
 *         folio_clear_dirty_for_io, __folio_start_writeback, __folio_end_writeback,
 *         write_cache_pages), mm/truncate.c (truncate_inode_pages_range, truncate_pagecache),
 *         mm/readahead.c (the read-around window of a mapping fault), mm/rmap.c
 *         (folio_mkclean, page_mkclean_one: writeback re-protects shared PTEs), and
 *         generic_perform_write (Linux 6.1); include/trace/events/filemap.h
 *         (mm_filemap_add_to_page_cache, mm_filemap_delete_from_page_cache).
 * Deviations:
 *  - Writeback is asynchronous (6.1's writepage contract): ->writepage starts writeback and
 *    submits the I/O; the disk's completion event ends it later on the simulated clock
 *    (page-writeback.c, fs/blkdev.c). write_cache_pages uses the DIRTY tag for WB_SYNC_ALL
 *    too (no TOWRITE tagging: one thread cannot redirty pages during the walk).
 *  - Read-ahead: read() goes through readahead.c's on-demand window (PG_readahead marks,
 *    async read-ahead); a mapping fault that missed the cache reads the ra_pages window
 *    centred on it in one request, without a PG_readahead mark (no async mmap read-ahead,
 *    no mmap_miss, VM_RAND_READ not modelled). read() marks each folio it copies from
 *    accessed (the kernel marks the first of each batch of up to 15).
 *  - Large folios: the cache takes folios of any order but the model's filesystems only add
 *    order-0 ones.
 *  - Trace events: of filemap.h's four, filemap_set_wb_err and file_check_and_advance_wb_err
 *    are not emitted: the model's writeback never fails, and 6.1 emits the second only when
 *    an error sequence moved.
 *
 * Counters (per node, as the kernel's lruvec stats for a system without memcg):
 *   NR_FILE_PAGES  every page in any page cache (shmem included);
 *   NR_SHMEM       the swap-backed ones (tmpfs, memfd, shared anonymous);
 *   NR_FILE_DIRTY  dirty pages of mappings that write back (not shmem: its dirty_folio only
 *                  sets PG_dirty), with NR_ZONE_WRITE_PENDING per zone beside it;
 *   NR_WRITEBACK   pages under writeback (also in NR_ZONE_WRITE_PENDING);
 *   NR_DIRTIED / NR_WRITTEN  pages ever dirtied / written back (nr_dirtied, nr_written).
 *
 * Invariants (pagecache_check, run for every inode of every filesystem by fs_check):
 *  1. Every entry of a mapping's i_pages is a folio whose mapping and index say where it is,
 *     holding at least one reference per page for the cache, and nrpages counts them.
 *  2. The DIRTY tag of an index is set iff its folio is PG_dirty (mappings that write back);
 *     a PG_writeback folio is in flight on the disk (writeback_check counts them).
 *  3. Summed over all mappings, NR_FILE_PAGES, NR_SHMEM and NR_FILE_DIRTY equal the pages
 *     found (no swap cache yet).
 *  4. A cached page is on an LRU list, or isolated, or in use: never on a free list (the page
 *     cache is not a place: its walker checks the place each page is in).
 *  5. Any other entry of a tmpfs mapping is a swap entry (shmem.c checks those); of any
 *     other mapping, a shadow (workingset.c) naming an online node; shadows are left
 *     only by reclaim (__filemap_remove_folio with a shadow), replaced by the page that
 *     refaults there (filemap_add_folio: workingset_refault), and dropped with the range
 *     by truncation; invalidation (drop_caches) leaves none.
 */
#include "mm/pagemap.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "fs/fs.h"
#include "lib/trace.h"
#include "mm/internal.h"
#include "mm/memory.h"
#include "mm/mmap.h"
#include "mm/page_place.h"
#include "mm/rmap.h"
#include "mm/shmem.h"
#include "mm/swap.h"
#include "mm/workingset.h"
#include "mm/writeback.h"

/* Pages a fault that missed the cache reads around itself (read_ahead_kb 128). */
#define VM_READAROUND_PAGES 32

static struct kmm_kernel *vmf_kernel(const struct vm_fault *vmf)
{
	return vmf->vma->vm_mm->kernel;
}

/* ---- counters ------------------------------------------------------------------------- */

static void folio_node_mod(struct kmm_kernel *k, struct folio *folio, enum node_stat_item item,
			   long nr)
{
	__mod_node_page_state(NODE_DATA(k, page_to_nid(&folio->page)), item, nr);
}

static void folio_zone_mod(struct kmm_kernel *k, struct folio *folio, enum zone_stat_item item,
			   long nr)
{
	__mod_zone_page_state(page_zone(k, &folio->page), item, nr);
}

bool mapping_can_writeback(const struct address_space *mapping)
{
	return mapping->host && mapping->host->i_sb && mapping->host->i_sb->s_store_backed;
}

/* ---- the index ------------------------------------------------------------------------- */

/*
 * Models: __filemap_add_folio() with its shadowp: the index and the counters, not the LRU.
 * A shadow entry in the way is replaced (the first one returned in *@shadowp); a folio in
 * the way is -EEXIST. 0, -EEXIST or -ENOMEM; nothing changed on error.
 */
static int filemap_add_folio_shadow(struct kmm_kernel *k, struct address_space *mapping,
				    struct folio *folio, pgoff_t index, void **shadowp)
{
	long nr = (long)folio_nr_pages(folio);
	void *old[64]; /* shadows replaced, put back if a store fails (order <= 6 folios) */

	if (nr > 64)
		return -EINVAL;
	for (long i = 0; i < nr; i++) {
		old[i] = xa_load(&mapping->i_pages, index + (pgoff_t)i);
		if (old[i] && !xa_is_value(old[i]))
			return -EEXIST;
	}
	for (long i = 0; i < nr; i++)
		if (xa_store(&mapping->i_pages, index + (pgoff_t)i, folio)) {
			while (i--) {
				if (old[i])
					xa_store(&mapping->i_pages, index + (pgoff_t)i, old[i]);
				else
					xa_erase(&mapping->i_pages, index + (pgoff_t)i);
			}
			return -ENOMEM;
		}
	if (shadowp) {
		*shadowp = NULL;
		for (long i = 0; i < nr && !*shadowp; i++)
			*shadowp = old[i];
	}
	folio_ref_add(folio, (int)nr);
	folio->mapping = mapping;
	folio->index = index;
	mapping->nrpages += (unsigned long)nr;
	folio_node_mod(k, folio, NR_FILE_PAGES, nr);
	if (folio_test_swapbacked(folio))
		folio_node_mod(k, folio, NR_SHMEM, nr);
	return 0;
}

int __filemap_add_folio(struct kmm_kernel *k, struct address_space *mapping, struct folio *folio,
			pgoff_t index)
{
	return filemap_add_folio_shadow(k, mapping, folio, index, NULL);
}

/*
 * Models: the filemap:mm_filemap_add_to_page_cache and mm_filemap_delete_from_page_cache
 * events (class mm_filemap_op_page_cache): "dev MAJ:MIN ino %lx pfn=0x%lx ofs=%lu order=%u",
 * the device of the inode's superblock, the offset in bytes. Only __filemap_add_folio and
 * __filemap_remove_folio emit them: shmem's own insertion and swap-out deletion do not.
 */
static void trace_filemap_op(struct kmm_kernel *k, enum trace_event_id id, struct folio *folio)
{
	const struct address_space *mapping = folio->mapping;
	const struct inode *host = mapping->host;
	unsigned int dev = host && host->i_sb ? host->i_sb->s_dev : 0;

	trace_emit(k->env, id, "dev %u:%u ino %lx pfn=0x%lx ofs=%lu order=%u", dev >> 20,
		   dev & 0xfffff, host ? host->i_ino : 0, page_to_pfn(k, &folio->page),
		   (unsigned long)folio->index << PAGE_SHIFT, folio_order(folio));
}

int filemap_add_folio(struct kmm_kernel *k, struct address_space *mapping, struct folio *folio,
		      pgoff_t index, gfp_t gfp)
{
	void *shadow = NULL;
	int ret;

	__folio_set_locked(folio);
	ret = filemap_add_folio_shadow(k, mapping, folio, index, &shadow);
	if (ret) {
		__folio_clear_locked(folio);
		return ret;
	}
	if (trace_enabled(k->env, TRACE_mm_filemap_add_to_page_cache))
		trace_filemap_op(k, TRACE_mm_filemap_add_to_page_cache, folio);
	/* A write that fills the page anew is no refault (__GFP_WRITE). */
	if (shadow && !(gfp & __GFP_WRITE))
		workingset_refault(k, folio, shadow);
	folio_add_lru(k, folio);
	return 0;
}

/* The next folio (not a shadow) at an index in [*@index, @end]; NULL when none. */
static struct folio *filemap_find_folio(const struct address_space *mapping, pgoff_t *index,
					pgoff_t end)
{
	unsigned long i = *index;
	void *entry;

	while ((entry = xa_find(&mapping->i_pages, &i, end, XA_PRESENT))) {
		if (!xa_is_value(entry)) {
			*index = i;
			return entry;
		}
		if (i == end)
			break;
		i++;
	}
	return NULL;
}

/* The folio at @index, or NULL (nothing, or a shadow). */
static struct folio *filemap_load_folio(const struct address_space *mapping, pgoff_t index)
{
	void *entry = xa_load(&mapping->i_pages, index);

	return entry && !xa_is_value(entry) ? entry : NULL;
}

/* Models: folio_account_cleaned(): a dirty folio leaves the dirty counts without writeback. */
static void folio_account_cleaned(struct kmm_kernel *k, struct folio *folio)
{
	long nr = (long)folio_nr_pages(folio);

	folio_node_mod(k, folio, NR_FILE_DIRTY, -nr);
	folio_zone_mod(k, folio, NR_ZONE_WRITE_PENDING, -nr);
}

void shmem_delete_from_page_cache(struct kmm_kernel *k, struct folio *folio, void *shadow)
{
	struct address_space *mapping = folio_mapping(folio);
	long nr = (long)folio_nr_pages(folio);

	if (!mapping)
		return;
	/* Models: page_cache_delete(): the shadow takes the folio's slots (xas_store). */
	for (long i = 0; i < nr; i++) {
		pgoff_t index = folio->index + (pgoff_t)i;

		if (shadow && xa_is_value(shadow)) {
			for (unsigned m = 0; m < XA_MAX_MARKS; m++)
				xa_clear_mark(&mapping->i_pages, index, m);
			if (!xa_store(&mapping->i_pages, index, shadow))
				continue;
		}
		xa_erase(&mapping->i_pages, index);
	}
	mapping->nrpages -= (unsigned long)nr;
	folio_node_mod(k, folio, NR_FILE_PAGES, -nr);
	if (folio_test_swapbacked(folio))
		folio_node_mod(k, folio, NR_SHMEM, -nr);
	/* Models: filemap_unaccount_folio(): a dirty page dropped unwritten. */
	if (folio_test_dirty(folio) && mapping_can_writeback(mapping))
		folio_account_cleaned(k, folio);
	folio->mapping = NULL;
	/* Models: filemap_free_folio(): the cache's references. */
	page_ref_sub(&folio->page, (int)nr - 1);
	folio_put(k, folio);
}

void __filemap_remove_folio(struct kmm_kernel *k, struct folio *folio, void *shadow)
{
	if (folio_mapping(folio) && trace_enabled(k->env, TRACE_mm_filemap_delete_from_page_cache))
		trace_filemap_op(k, TRACE_mm_filemap_delete_from_page_cache, folio);
	shmem_delete_from_page_cache(k, folio, shadow);
}

void page_cache_replace_folio(struct kmm_kernel *k, struct address_space *mapping,
			      struct folio *old, struct folio *new)
{
	unsigned long nr = folio_nr_pages(old);

	(void)k;
	for (unsigned long i = 0; i < nr; i++)
		xa_store(&mapping->i_pages, old->index + i,
			 new); /* keeps the marks, allocates nothing */
}

void filemap_remove_folio(struct kmm_kernel *k, struct folio *folio)
{
	__filemap_remove_folio(k, folio, NULL);
}

struct folio *__filemap_get_folio(struct kmm_kernel *k, struct address_space *mapping,
				  pgoff_t index, int fgp_flags, gfp_t gfp)
{
	struct folio *folio = filemap_load_folio(mapping, index);

	if (folio) {
		folio_get(folio);
		if (fgp_flags & FGP_LOCK)
			folio_lock(folio);
		if (fgp_flags & FGP_ACCESSED)
			folio_mark_accessed(k, folio);
		return folio;
	}
	if (!(fgp_flags & FGP_CREAT))
		return NULL;
	{
		struct page *page = alloc_pages(k, gfp, 0);

		if (!page)
			return NULL;
		folio = page_folio(page);
		if (fgp_flags & FGP_ACCESSED)
			__folio_set_referenced(folio);
		if (filemap_add_folio(k, mapping, folio, index, gfp)) {
			folio_put(k, folio);
			return NULL;
		}
		if (!(fgp_flags & FGP_LOCK))
			folio_unlock(folio);
	}
	return folio;
}

/* ---- dirtying and writeback ---------------------------------------------------------- */

/* Models: folio_account_dirtied() and the dirty tag of __folio_mark_dirty(). */
static void folio_account_dirtied(struct kmm_kernel *k, struct address_space *mapping,
				  struct folio *folio)
{
	long nr = (long)folio_nr_pages(folio);

	folio_node_mod(k, folio, NR_FILE_DIRTY, nr);
	folio_zone_mod(k, folio, NR_ZONE_WRITE_PENDING, nr);
	folio_node_mod(k, folio, NR_DIRTIED, nr);
	for (long i = 0; i < nr; i++)
		xa_set_mark(&mapping->i_pages, folio->index + (pgoff_t)i, PAGECACHE_TAG_DIRTY);
}

/* Models: filemap_dirty_folio(): the dirty_folio of filesystems that write back. */
static bool filemap_dirty_folio(struct kmm_kernel *k, struct address_space *mapping,
				struct folio *folio)
{
	if (folio_test_set_dirty(folio))
		return false;
	if (folio_mapping(folio) == mapping) {
		folio_account_dirtied(k, mapping, folio);
		__mark_inode_dirty_pages(k, mapping->host);
	}
	return true;
}

bool folio_mark_dirty(struct kmm_kernel *k, struct folio *folio)
{
	struct address_space *mapping = folio_mapping(folio);

	if (!mapping)
		return !folio_test_set_dirty(folio);
	if (mapping_can_writeback(mapping))
		return filemap_dirty_folio(k, mapping, folio);
	/* noop_dirty_folio (tmpfs): PG_dirty only, no accounting. */
	return !folio_test_set_dirty(folio);
}

/* Models: page_mkclean_one(): each PTE of @folio in shared @vma made clean and read-only. */
static bool page_mkclean_one(struct folio *folio, struct vm_area_struct *vma, unsigned long address,
			     void *arg)
{
	struct kmm_kernel *k = vma->vm_mm->kernel;
	struct page_vma_mapped_walk pvmw;
	int *cleaned = arg;

	memset(&pvmw, 0, sizeof(pvmw));
	pvmw.pfn = page_to_pfn(k, &folio->page);
	pvmw.nr_pages = folio_nr_pages(folio);
	pvmw.vma = vma;
	pvmw.address = address;
	while (page_vma_mapped_walk(&pvmw)) {
		pte_t *ptep = (pte_t *)pvmw.pte;
		pte_t entry;

		if (!pte_dirty(*ptep) && !pte_write(*ptep))
			continue;
		entry = ptep_clear_flush(k, vma, pvmw.address, ptep);
		entry = pte_mkclean(pte_wrprotect(entry));
		set_pte_at(k, vma->vm_mm, pvmw.address, ptep, entry);
		(*cleaned)++;
	}
	return true;
}

/* Models: invalid_mkclean_vma(): only shared mappings write back through their PTEs. */
static bool invalid_mkclean_vma(struct vm_area_struct *vma, void *arg)
{
	return !(vma->vm_flags & VM_SHARED);
}

/*
 * Models: mm/rmap.c:folio_mkclean(): write-protects and cleans every shared PTE mapping
 * @folio (flushing each from the TLBs), so the next write faults and dirties the folio
 * again; returns how many PTEs were dirty or writable.
 */
static int folio_mkclean(struct kmm_kernel *k, struct folio *folio)
{
	int cleaned = 0;
	struct rmap_walk_control rwc = {
		.arg = &cleaned,
		.rmap_one = page_mkclean_one,
		.invalid_vma = invalid_mkclean_vma,
	};

	if (!folio_mapped(folio) || !folio_mapping(folio))
		return 0;
	rmap_walk(k, folio, &rwc);
	return cleaned;
}

bool folio_clear_dirty_for_io(struct kmm_kernel *k, struct folio *folio)
{
	struct address_space *mapping = folio_mapping(folio);
	long nr = (long)folio_nr_pages(folio);

	if (mapping && mapping_can_writeback(mapping)) {
		/* A PTE written since the last clean passes its dirt to the folio first. */
		if (folio_mkclean(k, folio))
			folio_mark_dirty(k, folio);
		if (!folio_test_clear_dirty(folio))
			return false;
		folio_node_mod(k, folio, NR_FILE_DIRTY, -nr);
		folio_zone_mod(k, folio, NR_ZONE_WRITE_PENDING, -nr);
		return true;
	}
	return folio_test_clear_dirty(folio);
}

void folio_start_writeback(struct kmm_kernel *k, struct folio *folio)
{
	struct address_space *mapping = folio_mapping(folio);
	long nr = (long)folio_nr_pages(folio);

	if (folio_test_set_writeback(folio))
		return;
	folio_node_mod(k, folio, NR_WRITEBACK, nr);
	folio_zone_mod(k, folio, NR_ZONE_WRITE_PENDING, nr);
	if (!mapping)
		return;
	for (long i = 0; i < nr; i++) {
		pgoff_t index = folio->index + (pgoff_t)i;

		xa_set_mark(&mapping->i_pages, index, PAGECACHE_TAG_WRITEBACK);
		if (!folio_test_dirty(folio))
			xa_clear_mark(&mapping->i_pages, index, PAGECACHE_TAG_DIRTY);
		xa_clear_mark(&mapping->i_pages, index, PAGECACHE_TAG_TOWRITE);
	}
}

void folio_end_writeback(struct kmm_kernel *k, struct folio *folio)
{
	struct address_space *mapping = folio_mapping(folio);
	long nr = (long)folio_nr_pages(folio);

	if (!folio_test_writeback(folio))
		return;
	/* Models: folio_end_writeback(): a folio reclaim wrote goes to the inactive tail. */
	if (folio_test_reclaim(folio)) {
		folio_clear_reclaim(folio);
		folio_rotate_reclaimable(k, folio);
	}
	folio_clear_writeback(folio);
	folio_node_mod(k, folio, NR_WRITEBACK, -nr);
	folio_zone_mod(k, folio, NR_ZONE_WRITE_PENDING, -nr);
	folio_node_mod(k, folio, NR_WRITTEN, nr);
	if (mapping)
		for (long i = 0; i < nr; i++)
			xa_clear_mark(&mapping->i_pages, folio->index + (pgoff_t)i,
				      PAGECACHE_TAG_WRITEBACK);
}

/* Models: write_cache_pages() over [@index, @end]: the walk; *@done says a stop was asked. */
static int write_cache_range(struct kmm_kernel *k, struct address_space *mapping,
			     struct writeback_control *wbc, pgoff_t index, pgoff_t end,
			     pgoff_t *done_index, bool *done)
{
	struct folio *folio;
	int ret = 0;

	while (!*done && (folio = xa_find(&mapping->i_pages, &index, end, PAGECACHE_TAG_DIRTY))) {
		pgoff_t next = folio->index + folio_nr_pages(folio);
		int err;

		*done_index = folio->index;
		folio_get(folio);
		if (folio_test_locked(folio) && wbc->sync_mode == WB_SYNC_NONE)
			goto skip; /* someone else has it (kswapd's pageout): leave it */
		folio_lock(folio);
		if (folio->mapping != mapping || !folio_test_dirty(folio))
			goto unlock;
		if (folio_test_writeback(folio)) {
			if (wbc->sync_mode == WB_SYNC_NONE)
				goto unlock;
			folio_wait_writeback(k, folio);
		}
		if (!folio_clear_dirty_for_io(k, folio))
			goto unlock;
		err = mapping->a_ops->writepage(k, folio, wbc);
		if (err == AOP_WRITEPAGE_ACTIVATE) {
			folio_unlock(folio);
			err = 0;
		}
		if (err) {
			mapping->flags |= 1UL << (err == -ENOSPC ? AS_ENOSPC : AS_EIO);
			if (!ret)
				ret = err;
			if (wbc->sync_mode != WB_SYNC_ALL)
				*done = true;
		}
		wbc->nr_to_write -= (long)folio_nr_pages(folio);
		if (wbc->nr_to_write <= 0 && wbc->sync_mode == WB_SYNC_NONE) {
			*done_index = next;
			*done = true;
		}
		goto skip;
	unlock:
		folio_unlock(folio);
	skip:
		folio_put(k, folio);
		if (next == 0 || next > end)
			break;
		index = next;
	}
	return ret;
}

int write_cache_pages(struct kmm_kernel *k, struct address_space *mapping,
		      struct writeback_control *wbc)
{
	pgoff_t done_index = 0;
	bool done = false;
	int ret;

	if (!mapping->a_ops || !mapping->a_ops->writepage)
		return 0;
	if (!wbc->range_cyclic)
		return write_cache_range(k, mapping, wbc, (pgoff_t)wbc->range_start >> PAGE_SHIFT,
					 (pgoff_t)wbc->range_end >> PAGE_SHIFT, &done_index, &done);
	/* from where the last cyclic pass stopped to the end, then from 0 up to there */
	{
		pgoff_t start = mapping->writeback_index;

		done_index = start;
		ret = write_cache_range(k, mapping, wbc, start, ~0UL, &done_index, &done);
		if (!done && start) {
			done_index = 0;
			int err = write_cache_range(k, mapping, wbc, 0, start - 1, &done_index,
						    &done);

			if (err && !ret)
				ret = err;
		}
		mapping->writeback_index = done ? done_index : 0;
	}
	return ret;
}

/* Models: __filemap_fdatawait_range(): waits for each folio under writeback in the range. */
static void filemap_fdatawait_range(struct kmm_kernel *k, struct address_space *mapping,
				    pgoff_t index, pgoff_t end)
{
	struct folio *folio;

	while ((folio = xa_find(&mapping->i_pages, &index, end, PAGECACHE_TAG_WRITEBACK))) {
		pgoff_t next = folio->index + folio_nr_pages(folio);

		folio_get(folio);
		folio_wait_writeback(k, folio);
		folio_put(k, folio);
		if (next == 0 || next > end)
			break;
		index = next;
	}
}

int filemap_write_and_wait_range(struct kmm_kernel *k, struct address_space *mapping, loff_t start,
				 loff_t end)
{
	int ret;

	if (end < start || !mapping->nrpages || !mapping_can_writeback(mapping) ||
	    !mapping->a_ops || !mapping->a_ops->writepage)
		return 0;
	if (mapping->flags & (1UL << AS_ENOSPC)) {
		mapping->flags &= ~(1UL << AS_ENOSPC);
		return -ENOSPC;
	}
	{
		struct writeback_control wbc = {
			.nr_to_write = (long)(~0UL >> 1),
			.range_start = start,
			.range_end = end,
			.sync_mode = WB_SYNC_ALL,
		};

		ret = write_cache_pages(k, mapping, &wbc);
	}
	filemap_fdatawait_range(k, mapping, (pgoff_t)start >> PAGE_SHIFT,
				(pgoff_t)end >> PAGE_SHIFT);
	/* Models: filemap_check_errors(): a writeback error is reported once. */
	if (mapping->flags & (1UL << AS_EIO)) {
		mapping->flags &= ~(1UL << AS_EIO);
		ret = -EIO;
	}
	return ret;
}

/* ---- truncate -------------------------------------------------------------------------- */

static void zero_folio_range(struct kmm_kernel *k, struct folio *folio, size_t from, size_t to)
{
	uint8_t *p = page_host(k, &folio->page, PAGE_SIZE);

	if (p && to > from)
		memset(p + from, 0, to - from);
}

/*
 * Models: truncate_folio_batch_exceptionals() / clear_shadow_entry(): truncation drops the
 * shadows of the range along with the pages.
 */
static void clear_shadow_entries(struct address_space *mapping, pgoff_t start, pgoff_t end)
{
	unsigned long index = start;
	void *entry;

	if (!mapping->i_pages.nr_values)
		return;
	while ((entry = xa_find(&mapping->i_pages, &index, end, XA_PRESENT))) {
		if (xa_is_value(entry))
			xa_erase(&mapping->i_pages, index);
		if (index == end)
			break;
		index++;
	}
}

void truncate_inode_pages_range(struct kmm_kernel *k, struct address_space *mapping, loff_t lstart,
				loff_t lend)
{
	pgoff_t start = (pgoff_t)(lstart + (loff_t)PAGE_SIZE - 1) >> PAGE_SHIFT;
	pgoff_t end; /* inclusive: the last page wholly inside */
	pgoff_t index;
	struct folio *folio;
	uint64_t after;

	if (!mapping->i_pages.nr_entries || lend < lstart)
		return;
	/* The partial page at the start keeps its head, loses the rest up to lend. */
	if (lstart & (loff_t)(PAGE_SIZE - 1)) {
		folio = filemap_load_folio(mapping, (pgoff_t)lstart >> PAGE_SHIFT);
		if (folio) {
			size_t from = (size_t)(lstart & (loff_t)(PAGE_SIZE - 1));
			size_t to = PAGE_SIZE;

			if ((lend >> PAGE_SHIFT) == (lstart >> PAGE_SHIFT))
				to = (size_t)(lend & (loff_t)(PAGE_SIZE - 1)) + 1;
			zero_folio_range(k, folio, from, to);
		}
	}
	/* lend + 1 in unsigned arithmetic: lend is LLONG_MAX for "to the end" */
	after = (uint64_t)lend + 1;
	if ((after & (PAGE_SIZE - 1)) && (lend >> PAGE_SHIFT) != (lstart >> PAGE_SHIFT)) {
		folio = filemap_load_folio(mapping, (pgoff_t)lend >> PAGE_SHIFT);
		if (folio)
			zero_folio_range(k, folio, 0, (size_t)(lend & (loff_t)(PAGE_SIZE - 1)) + 1);
	}
	if ((after >> PAGE_SHIFT) == 0)
		return;
	end = (pgoff_t)(after >> PAGE_SHIFT) - 1;
	if (end < start)
		return;
	clear_shadow_entries(mapping, start, end);
	index = start;
	while ((folio = filemap_find_folio(mapping, &index, end))) {
		pgoff_t next = folio->index + folio_nr_pages(folio);

		folio_get(folio);
		folio_lock(folio);
		/* Models: truncate_inode_folio(): the caller unmapped the range first. */
		folio_wait_writeback(k, folio);
		if (!folio_mapped(folio)) {
			folio_clear_mappedtodisk(folio);
			if (folio_test_dirty(folio) && !mapping_can_writeback(mapping))
				folio_clear_dirty(folio);
			filemap_remove_folio(k, folio);
			folio_clear_dirty(folio);
			folio_clear_uptodate(folio);
		}
		folio_unlock(folio);
		folio_put(k, folio);
		if (next == 0 || next > end)
			break;
		index = next;
	}
}

unsigned long invalidate_mapping_pages(struct kmm_kernel *k, struct address_space *mapping,
				       pgoff_t start, pgoff_t end)
{
	unsigned long index = start, count = 0;
	struct folio *folio;

	while ((folio = filemap_find_folio(mapping, &index, end))) {
		pgoff_t next = folio->index + folio_nr_pages(folio);

		/* Models: mapping_evict_folio(): only the cache's references, nothing pending. */
		if (!folio_test_dirty(folio) && !folio_test_locked(folio) &&
		    !folio_test_writeback(folio) && !folio_mapped(folio) &&
		    folio_ref_count(folio) == (int)folio_nr_pages(folio) &&
		    !folio_test_swapbacked(folio)) {
			count += folio_nr_pages(folio);
			folio_get(folio);
			filemap_remove_folio(k, folio);
			folio_put(k, folio);
		}
		if (next == 0 || next > end)
			break;
		index = next;
	}
	return count;
}

void truncate_inode_pages(struct kmm_kernel *k, struct address_space *mapping, loff_t lstart)
{
	truncate_inode_pages_range(k, mapping, lstart, INT64_MAX);
}

void truncate_pagecache(struct kmm_kernel *k, struct inode *inode, loff_t newsize)
{
	struct address_space *mapping = inode->i_mapping;
	loff_t holebegin = (loff_t)round_up((uint64_t)newsize, PAGE_SIZE);

	/*
	 * Unmap the whole pages past the end (their private COW copies too), drop them, then
	 * unmap again for a page a fault mapped meanwhile (none here: one thread).
	 */
	unmap_mapping_range(mapping, holebegin, 0, 1);
	truncate_inode_pages(k, mapping, newsize);
}

/* ---- read and write -------------------------------------------------------------------- */

/*
 * Models: filemap_read_folio(): fills a locked, not-uptodate folio through ->read_folio.
 * 0 or -errno (-EIO when the filesystem has no way to fill it).
 */
static int filemap_read_folio(struct kmm_kernel *k, struct file *file, struct folio *folio)
{
	struct address_space *mapping = folio_mapping(folio);

	int err;

	if (!mapping || !mapping->a_ops || !mapping->a_ops->read_folio)
		return -EIO;
	err = mapping->a_ops->read_folio(k, file, folio);
	if (!err)
		folio_wait_read(k, folio); /* the disk's time for it */
	return err;
}

/*
 * Models: filemap_get_pages() for one page: the uptodate folio at @index with a reference,
 * read through ->read_folio if needed (the cache misses: *@major is set). NULL with *@err.
 */
static struct folio *filemap_get_uptodate(struct kmm_kernel *k, struct file *file, pgoff_t index,
					  bool *major, int *err)
{
	struct address_space *mapping = file->f_mapping;
	struct folio *folio = __filemap_get_folio(k, mapping, index, FGP_ACCESSED, 0);

	if (!folio) {
		folio = __filemap_get_folio(k, mapping, index, FGP_CREAT | FGP_LOCK,
					    mapping_gfp_mask(mapping));
		if (!folio) {
			*err = -ENOMEM;
			return NULL;
		}
		*major = true;
	} else {
		folio_lock(folio);
	}
	if (!folio_test_uptodate(folio)) {
		*err = filemap_read_folio(k, file, folio);
		if (*err) {
			folio_unlock(folio);
			folio_put(k, folio);
			return NULL;
		}
	}
	folio_unlock(folio);
	return folio;
}

/*
 * Models: filemap_get_pages() for one page with read-ahead: a miss starts the synchronous
 * window, a PG_readahead mark the next one; the folio is uptodate and its read complete on
 * return (with a reference), or NULL with *@err.
 */
static struct folio *filemap_get_ra(struct kmm_kernel *k, struct file *file, pgoff_t index,
				    pgoff_t last_index, int *err)
{
	struct address_space *mapping = file->f_mapping;
	struct folio *folio = filemap_get_folio(k, mapping, index);
	bool major = false;

	if (!folio) {
		page_cache_sync_ra(k, file, index, last_index - index);
		folio = filemap_get_folio(k, mapping, index);
	}
	if (!folio)
		return filemap_get_uptodate(k, file, index, &major, err);
	if (folio_test_readahead(folio))
		page_cache_async_ra(k, file, folio, last_index - folio->index);
	if (!folio_test_uptodate(folio)) {
		folio_lock(folio);
		*err = folio_test_uptodate(folio) ? 0 : filemap_read_folio(k, file, folio);
		folio_unlock(folio);
		if (*err) {
			folio_put(k, folio);
			return NULL;
		}
	}
	folio_wait_read(k, folio);
	return folio;
}

int64_t filemap_read(struct kmm_kernel *k, struct file *file, void *buf, uint64_t len, loff_t *pos)
{
	struct inode *inode = file_inode(file);
	struct file_ra_state *ra = &file->f_ra;
	uint64_t done = 0;

	while (done < len && *pos < inode->i_size) {
		pgoff_t index = (pgoff_t)*pos >> PAGE_SHIFT;
		pgoff_t last_index =
			(pgoff_t)((*pos + (loff_t)(len - done) + (loff_t)PAGE_SIZE - 1) >>
				  PAGE_SHIFT);
		size_t off = (size_t)(*pos & (loff_t)(PAGE_SIZE - 1));
		uint64_t n = min(PAGE_SIZE - off, len - done);
		int err = 0;
		struct folio *folio = filemap_get_ra(k, file, index, last_index, &err);
		const uint8_t *src;

		if (!folio)
			return done ? (int64_t)done : err;
		/* a page read again by the next read() is marked accessed once */
		if (ra->prev_pos <= 0 || (pgoff_t)((ra->prev_pos - 1) >> PAGE_SHIFT) != index)
			folio_mark_accessed(k, folio);
		if ((uint64_t)(inode->i_size - *pos) < n)
			n = (uint64_t)(inode->i_size - *pos);
		src = page_host(k, &folio->page, PAGE_SIZE);
		memcpy((uint8_t *)buf + done, src + off, n);
		env_charge(k->env, COST_page_copy);
		folio_put(k, folio);
		done += n;
		*pos += (loff_t)n;
		ra->prev_pos = *pos;
	}
	return (int64_t)done;
}

/*
 * Models: generic_perform_write() with simple_write_begin/end-like steps: each page is got
 * (created if absent, read first when the write covers only part of it and it is not
 * uptodate), copied into, marked uptodate and dirty; i_size grows past the last byte.
 */
int64_t generic_perform_write(struct kmm_kernel *k, struct file *file, const void *buf,
			      uint64_t len, loff_t pos)
{
	struct inode *inode = file_inode(file);
	struct address_space *mapping = file->f_mapping;
	uint64_t done = 0;

	while (done < len) {
		pgoff_t index = (pgoff_t)pos >> PAGE_SHIFT;
		size_t off = (size_t)(pos & (loff_t)(PAGE_SIZE - 1));
		uint64_t n = min(PAGE_SIZE - off, len - done);
		struct folio *folio =
			__filemap_get_folio(k, mapping, index, FGP_LOCK | FGP_WRITE | FGP_CREAT,
					    mapping_gfp_mask(mapping));
		uint8_t *dst;

		if (!folio)
			return done ? (int64_t)done : -ENOMEM;
		if (!folio_test_uptodate(folio) && n != PAGE_SIZE) {
			int err = 0;

			if (((loff_t)index << PAGE_SHIFT) < inode->i_size)
				err = filemap_read_folio(k, file, folio);
			else
				zero_folio_range(k, folio, 0, PAGE_SIZE);
			if (err) {
				folio_unlock(folio);
				folio_put(k, folio);
				return done ? (int64_t)done : err;
			}
		}
		dst = page_host(k, &folio->page, PAGE_SIZE);
		memcpy(dst + off, (const uint8_t *)buf + done, n);
		env_charge(k->env, COST_page_copy);
		folio_set_uptodate(folio);
		folio_mark_dirty(k, folio);
		folio_unlock(folio);
		folio_mark_accessed(k, folio);
		folio_put(k, folio);
		done += n;
		pos += (loff_t)n;
		if (pos > inode->i_size)
			inode->i_size = pos;
		balance_dirty_pages_ratelimited(k, mapping);
	}
	return (int64_t)done;
}

/* ---- mappings ------------------------------------------------------------------------- */

void vma_link_file(struct vm_area_struct *vma)
{
	if (vma->vm_file)
		list_add_tail(&vma->shared, &vma->vm_file->f_mapping->i_mmap);
}

void vma_unlink_file(struct vm_area_struct *vma)
{
	if (vma->vm_file && vma->shared.next)
		list_del(&vma->shared);
}

/*
 * Models: do_sync_mmap_readahead()'s read-around: a fault that missed the cache reads the
 * ra_pages window centred on it (clipped to the file), each absent page once.
 */
static void filemap_readaround(struct kmm_kernel *k, struct file *file, pgoff_t index)
{
	struct address_space *mapping = file->f_mapping;
	pgoff_t max = (pgoff_t)(file_inode(file)->i_size + (loff_t)PAGE_SIZE - 1) >> PAGE_SHIFT;
	pgoff_t start = index > VM_READAROUND_PAGES / 2 ? index - VM_READAROUND_PAGES / 2 : 0;
	pgoff_t end = min(start + VM_READAROUND_PAGES, max);

	if (mapping->a_ops && mapping->a_ops->readahead) {
		/* one request for the window (do_sync_mmap_readahead), no async mark */
		if (end > start)
			page_cache_ra_unbounded(k, file, start, end - start, 0);
		return;
	}
	for (pgoff_t i = start; i < end; i++) {
		struct folio *folio;

		if (i == index || filemap_load_folio(mapping, i))
			continue;
		folio = __filemap_get_folio(k, mapping, i, FGP_CREAT | FGP_LOCK,
					    mapping_gfp_mask(mapping));
		if (!folio)
			return;
		if (filemap_read_folio(k, file, folio)) {
			filemap_remove_folio(k, folio);
			folio_unlock(folio);
			folio_put(k, folio);
			return;
		}
		folio_unlock(folio);
		folio_put(k, folio);
	}
}

vm_fault_t filemap_fault(struct vm_fault *vmf)
{
	struct kmm_kernel *k = vmf_kernel(vmf);
	struct file *file = vmf->vma->vm_file;
	struct address_space *mapping = file->f_mapping;
	pgoff_t max_idx = (pgoff_t)(file_inode(file)->i_size + (loff_t)PAGE_SIZE - 1) >> PAGE_SHIFT;
	vm_fault_t ret = 0;
	struct folio *folio;

	if (vmf->pgoff >= max_idx)
		return VM_FAULT_SIGBUS;
	folio = filemap_get_folio(k, mapping, vmf->pgoff);
	if (!folio) {
		/* A major fault: the page has to come from the store. */
		count_vm_event(k, PGMAJFAULT);
		ret = VM_FAULT_MAJOR;
		filemap_readaround(k, file, vmf->pgoff);
		folio = __filemap_get_folio(k, mapping, vmf->pgoff, FGP_CREAT | FGP_FOR_MMAP,
					    vmf->gfp_mask ? vmf->gfp_mask
							  : mapping_gfp_mask(mapping));
		if (!folio)
			return VM_FAULT_OOM;
	}
	folio_lock(folio);
	if (!folio_test_uptodate(folio) && filemap_read_folio(k, file, folio)) {
		folio_unlock(folio);
		folio_put(k, folio);
		return VM_FAULT_SIGBUS;
	}
	folio_wait_read(k, folio); /* a read-around page whose read is still in flight */
	vmf->page = folio_page(folio, vmf->pgoff - folio->index);
	return ret | VM_FAULT_LOCKED;
}

/*
 * Models: filemap_map_pages() (fault-around): maps each cached page of [start_pgoff,
 * end_pgoff] that is uptodate, not locked, inside i_size and not mapped at its address yet,
 * without a fault each; a page is skipped (left to ->fault) otherwise. Each mapped page
 * keeps the reference taken here (the PTE's). VM_FAULT_NOPAGE if vmf->address was mapped.
 */
vm_fault_t filemap_map_pages(struct vm_fault *vmf, pgoff_t start_pgoff, pgoff_t end_pgoff)
{
	struct kmm_kernel *k = vmf_kernel(vmf);
	struct vm_area_struct *vma = vmf->vma;
	struct address_space *mapping = vma->vm_file->f_mapping;
	loff_t size = file_inode(vma->vm_file)->i_size;
	unsigned long index = start_pgoff;
	vm_fault_t ret = 0;
	struct folio *folio;

	if (size <= 0)
		return 0;
	end_pgoff = min(end_pgoff, (pgoff_t)((size - 1) >> PAGE_SHIFT));
	while (index <= end_pgoff && (folio = filemap_find_folio(mapping, &index, end_pgoff))) {
		unsigned long addr = vma->vm_start + ((index - vma->vm_pgoff) << PAGE_SHIFT);
		struct page *page = folio_page(folio, index - folio->index);

		/* Models: next_uptodate_page(): only pages ready to map, none being read. */
		if (folio_test_uptodate(folio) && !folio_test_locked(folio) &&
		    folio_try_get(folio)) {
			vmf->pte = pte_offset_kernel(k, vmf->pmd, addr);
			if (pte_none(*vmf->pte)) {
				if (addr == vmf->address)
					ret = VM_FAULT_NOPAGE;
				do_set_pte(vmf, page, addr);
			} else {
				folio_put(k, folio);
			}
		}
		if (index == end_pgoff)
			break;
		index++;
	}
	vmf->pte = NULL;
	return ret;
}

vm_fault_t filemap_page_mkwrite(struct vm_fault *vmf)
{
	struct kmm_kernel *k = vmf_kernel(vmf);
	struct folio *folio = page_folio(vmf->page);
	struct inode *inode = file_inode(vmf->vma->vm_file);

	folio_lock(folio);
	if (folio_mapping(folio) != inode->i_mapping) {
		folio_unlock(folio);
		return VM_FAULT_NOPAGE; /* truncated meanwhile */
	}
	/* The page is dirtied now, before the PTE becomes writable (6.1: folio_mark_dirty). */
	folio_mark_dirty(k, folio);
	return VM_FAULT_LOCKED;
}

/* ---- the walker for kmm_check ---------------------------------------------------------- */

/* Where a cached page may be: on an LRU list, or in use (isolated, or in a per-CPU batch). */
static bool page_place_allows_cache(enum page_place place)
{
	return place == PLACE_NONE || place == PLACE_LRU || place == PLACE_RECLAIM ||
	       place == PLACE_MIGRATE;
}

struct pagecache_census {
	long file_pages[MAX_NUMNODES], shmem[MAX_NUMNODES], dirty[MAX_NUMNODES];
};

/* Checks one mapping's entries (invariants 1, 2 and 4); adds its pages to the census. */
static bool pagecache_check_mapping(const struct kmm_kernel *k, const struct address_space *mapping,
				    struct place_map *map, struct pagecache_census *c)
{
	unsigned long index, nr = 0;
	struct folio *folio;
	char why[160];

	if (!xa_check(&mapping->i_pages, why, sizeof(why)))
		return place_fail(map, "page cache of inode %lu: %s", mapping->host->i_ino, why);
	xa_for_each(&mapping->i_pages, index, folio)
	{
		unsigned long pfn;
		int nid;
		enum page_place place;
		bool dirty_tag;

		if (xa_is_value(folio)) { /* a shadow: it names an online node */
			unsigned long eviction;
			bool ws;

			if (shmem_mapping(mapping))
				continue; /* a swap entry: shmem_check_inode checks it */
			if (!workingset_unpack(k, folio, &nid, &eviction, &ws) ||
			    !k->node_data[nid])
				return place_fail(map, "page cache of inode %lu: bad shadow at %lu",
						  mapping->host->i_ino, index);
			continue;
		}
		pfn = page_to_pfn(k, &folio->page);
		nid = page_to_nid(&folio->page);
		place = place_of(map, pfn);
		dirty_tag = xa_get_mark(&mapping->i_pages, index, PAGECACHE_TAG_DIRTY);
		nr++;
		if (folio->mapping != mapping || index < folio->index ||
		    index >= folio->index + folio_nr_pages(folio))
			return place_fail(map,
					  "page cache of inode %lu: pfn 0x%lx at index %lu "
					  "says mapping %p index %lu",
					  mapping->host->i_ino, pfn, index, folio->mapping,
					  folio->index);
		if (page_ref_count(&folio->page) < (int)folio_nr_pages(folio))
			return place_fail(map,
					  "page cache of inode %lu: pfn 0x%lx has %d references",
					  mapping->host->i_ino, pfn, page_ref_count(&folio->page));
		if (mapping_can_writeback(mapping) && dirty_tag != folio_test_dirty(folio))
			return place_fail(
				map, "page cache of inode %lu: pfn 0x%lx dirty %d, tag %d",
				mapping->host->i_ino, pfn, folio_test_dirty(folio), dirty_tag);
		if (folio_test_writeback(folio) && !mapping_can_writeback(mapping))
			return place_fail(map, "page cache of inode %lu: pfn 0x%lx under writeback",
					  mapping->host->i_ino, pfn);
		if (place != PLACE_NONE && !page_place_allows_cache(place))
			return place_fail(map, "page cache of inode %lu: pfn 0x%lx is in %s",
					  mapping->host->i_ino, pfn, page_place_name(place));
		c->file_pages[nid]++;
		if (folio_test_swapbacked(folio))
			c->shmem[nid]++;
		if (folio_test_dirty(folio) && mapping_can_writeback(mapping))
			c->dirty[nid]++;
	}
	if (nr != mapping->nrpages)
		return place_fail(map, "page cache of inode %lu: nrpages %lu, %lu entries",
				  mapping->host->i_ino, mapping->nrpages, nr);
	return true;
}

bool pagecache_walk(const struct kmm_kernel *k, struct place_map *map)
{
	struct pagecache_census c;
	const struct inode *inode = NULL;

	memset(&c, 0, sizeof(c));
	while ((inode = fs_next_inode(k, inode)))
		if (!pagecache_check_mapping(k, inode->i_mapping, map, &c))
			return false;
	for (int nid = 0; nid < MAX_NUMNODES; nid++) {
		const pg_data_t *pgdat = k->node_data[nid];

		if (!pgdat)
			continue;
		/* NR_FILE_PAGES also counts the swap cache (swapcache_walk checks that part). */
		if (pgdat->vm_stat[NR_FILE_PAGES] - pgdat->vm_stat[NR_SWAPCACHE] !=
			    c.file_pages[nid] ||
		    pgdat->vm_stat[NR_SHMEM] != c.shmem[nid] ||
		    pgdat->vm_stat[NR_FILE_DIRTY] != c.dirty[nid])
			return place_fail(
				map,
				"page cache: node %d counts nr_file_pages %ld nr_shmem %ld "
				"nr_dirty %ld, the mappings hold %ld, %ld, %ld",
				nid, pgdat->vm_stat[NR_FILE_PAGES], pgdat->vm_stat[NR_SHMEM],
				pgdat->vm_stat[NR_FILE_DIRTY], c.file_pages[nid], c.shmem[nid],
				c.dirty[nid]);
	}
	return true;
}
