/*
 * The swap cache and swap-in: the mm side of swap (swap_state.c), and swapoff's walk that
 * brings every entry of a device back (try_to_unuse).
 *
 * Models: mm/swap_state.c and mm/swap.h of Linux 6.1.192; try_to_unuse()/unuse_pte() of
 *         mm/swapfile.c.
 * Deviation: the kernel splits a device's swap cache into one address_space per 64 MiB
 *         (SWAP_ADDRESS_SPACE_SHIFT 14) to spread xa_lock contention; with no locks modelled
 *         there is one xarray per device, indexed by the slot offset.
 *
 * A folio in the swap cache (format of the fields while PG_swapcache is set):
 *   | field            | holds                                                        |
 *   |------------------|--------------------------------------------------------------|
 *   | PG_swapbacked    | set (PG_swapcache means swap cache only with it)             |
 *   | PG_swapcache     | set                                                          |
 *   | folio->private   | swp_entry_t.val of the folio's first slot                    |
 *   | folio->_refcount | one reference per page held by the cache                     |
 *   | xarray[type]     | offset .. offset + nr - 1 -> the folio's pages               |
 * An xarray slot that holds no page may hold a shadow (workingset's, an xa value entry).
 *
 * Who calls what:
 *   vmscan:   add_to_swap, folio_free_swap, __delete_from_swap_cache (with the shadow),
 *             swap_cache_state_nr_pages for the reclaim counts
 *   swapfile: init/exit_swap_address_space at swapon/swapoff, try_to_unuse at swapoff,
 *             clear_shadow_from_swap_cache when slots are freed, swap_cache_lookup_folio in
 *             free_swap_and_cache / __try_to_reclaim_swap
 *   memory.c: swap_cache_get_folio, swapin_readahead, read_swap_cache_async (do_swap_page)
 *   workingset: get_shadow_from_swap_cache (refault distance of an anon page)
 * Swap slots (SWAP_HAS_CACHE, swap_map counts, the devices) belong to swapfile.c; this file
 * never changes a swap_map count except through swapfile.h's functions.
 */
#ifndef KMM_MM_SWAP_STATE_H
#define KMM_MM_SWAP_STATE_H

#include "mm/internal.h"
#include "mm/swapops.h"

struct vm_fault;
struct sink;

/* vm.page-cluster: log2 of the swap readahead window in pages (6.1's default 3). */
#define SWAP_PAGE_CLUSTER_DEFAULT 3
/* VMA readahead's window never exceeds this many pages (6.1's SWAP_RA_ORDER_CEILING 5). */
#define SWAP_RA_ORDER_CEILING 5

/* Creates k->swapcache (no device yet). Returns 0 or -ENOMEM; on failure k is untouched. */
int swap_cache_init(struct kmm_kernel *k);

/* Frees k->swapcache and every xarray; pages still cached are the caller's to free first. */
void swap_cache_fini(struct kmm_kernel *k);

/*
 * Models: init_swap_address_space(): an empty swap cache for device @type of @nr_pages slots
 * (made at the device's first use otherwise). Returns 0 (also if it exists) or -EINVAL (bad
 * type, or before swap_cache_init); on failure nothing changes.
 */
int init_swap_address_space(struct kmm_kernel *k, unsigned int type, unsigned long nr_pages);

/*
 * Models: exit_swap_address_space(): drops device @type's cache (at swapoff, after
 * try_to_unuse emptied it of pages); shadows left in it are freed. No-op if none.
 */
void exit_swap_address_space(struct kmm_kernel *k, unsigned int type);

/*
 * Models: add_to_swap_cache(): inserts the locked, swap-backed @folio at @entry (nr slots),
 * sets PG_swapcache and folio->private, takes one reference per page, adds NR_FILE_PAGES and
 * NR_SWAPCACHE. Returns 0, -EEXIST (a page already there), -EINVAL (no such device or slot)
 * or -ENOMEM. A shadow found in the slots is returned in *@shadowp (if not NULL). On failure the
 * folio and the cache are untouched. Does not touch swap_map (the caller holds SWAP_HAS_CACHE).
 */
int add_to_swap_cache(struct kmm_kernel *k, struct folio *folio, swp_entry_t entry,
		      unsigned int gfp, void **shadowp);

/*
 * Models: add_to_swap(): allocates slots with folio_alloc_swap(), adds the anonymous folio to
 * the swap cache and marks it dirty (it must be written before it can be dropped). Returns
 * false with nothing changed when no slot is free or the cache cannot take it.
 */
bool add_to_swap(struct kmm_kernel *k, struct folio *folio);

/*
 * Models: __delete_from_swap_cache(): removes @folio from the cache, storing @shadow (or
 * nothing when NULL) in its slots; clears PG_swapcache, subtracts the counters. Does not drop
 * the cache's references and does not free the slots (the caller does both).
 */
void __delete_from_swap_cache(struct kmm_kernel *k, struct folio *folio, swp_entry_t entry,
			      void *shadow);

/*
 * Models: delete_from_swap_cache(): __delete_from_swap_cache without a shadow, then
 * put_swap_folio() (drops SWAP_HAS_CACHE) and the cache's references.
 */
void delete_from_swap_cache(struct kmm_kernel *k, struct folio *folio);
/*
 * Models: __split_huge_page()'s swap-cache part: after the THP @head (in the swap cache) was
 * split, slot i of its range names page @head + i. Allocates nothing.
 */
void swap_cache_split_folio(struct kmm_kernel *k, struct page *head, unsigned long nr);

/*
 * Models: clear_shadow_from_swap_cache(): erases shadows of slots @begin..@end of @type (the
 * slots were freed). Pages in the cache are left alone.
 */
void clear_shadow_from_swap_cache(struct kmm_kernel *k, unsigned int type, unsigned long begin,
				  unsigned long end);

/*
 * Models: filemap_get_folio(swap_address_space(entry), swp_offset(entry)): the folio cached
 * at @entry with a new reference, or NULL (nothing, or a shadow). No counters change.
 */
struct folio *swap_cache_lookup_folio(struct kmm_kernel *k, swp_entry_t entry);

/*
 * Models: swap_cache_get_folio(): swap_cache_lookup_folio plus readahead bookkeeping: a hit
 * on a readahead folio (PG_readahead) counts swap_ra_hit and, with @vma, feeds the VMA's
 * readahead history. Returns the folio with a reference, or NULL.
 */
struct folio *swap_cache_get_folio(struct kmm_kernel *k, swp_entry_t entry,
				   struct vm_area_struct *vma, unsigned long addr);

/* Models: get_shadow_from_swap_cache(): the shadow stored at @entry, or NULL. */
void *get_shadow_from_swap_cache(struct kmm_kernel *k, swp_entry_t entry);

/*
 * Models: folio_free_swap(): if @folio is in the swap cache, not under writeback and no PTE
 * still holds its swap entry (swp_swapcount 0), deletes it from the cache and frees the
 * slots; marks it dirty (the only copy is now in memory). Returns true if it did.
 */
bool folio_free_swap(struct kmm_kernel *k, struct folio *folio);

/* __try_to_reclaim_swap() flags (6.1's TTRS_*). */
#define TTRS_ANYWAY   0x1 /* reclaim the cached folio whatever its state */
#define TTRS_UNMAPPED 0x2 /* ... if no PTE maps it */
#define TTRS_FULL     0x4 /* ... if swap is over half full (vm_swap_full) */

/*
 * Models: __try_to_reclaim_swap() (swapfile.c): if @entry's slot is cached by an unlocked
 * folio that @flags allow to go, folio_free_swap() it. Returns the folio's pages if freed,
 * minus them if it stayed, 0 if nothing is cached there. free_swap_and_cache and the slot
 * scan's reuse of cache-only slots call it.
 */
int __try_to_reclaim_swap(struct kmm_kernel *k, swp_entry_t entry, unsigned long flags);

/* Models: try_to_free_swap(): folio_free_swap on @page's folio; 1 if freed, else 0. */
int try_to_free_swap(struct kmm_kernel *k, struct page *page);

/*
 * Models: free_swap_cache(): called for each page an unmap frees: if it is in the swap cache
 * and no longer mapped, try_to_free_swap. The page's reference is the caller's.
 */
void free_swap_cache(struct kmm_kernel *k, struct page *page);

/*
 * Models: read_swap_cache_async(): the page cached at @entry (a reference), else a new page
 * allocated with @gfp, added to the cache (SWAP_HAS_CACHE via swapcache_prepare), put on the
 * LRU and read with swap_readpage(). NULL when the slot is free, or no memory. *@new_page
 * (if not NULL) says whether a read was started.
 */
struct page *read_swap_cache_async(struct kmm_kernel *k, swp_entry_t entry, unsigned int gfp,
				   struct vm_area_struct *vma, unsigned long addr, bool *new_page);

/*
 * Models: swap_cluster_readahead(): reads the aligned window of 1 << page-cluster slots
 * around @entry (shrunk by swapin_nr_pages' hit history), then returns @entry's page (a
 * reference) or NULL. Counts swap_ra for each page read ahead.
 */
struct page *swap_cluster_readahead(struct kmm_kernel *k, swp_entry_t entry, unsigned int gfp,
				    struct vm_fault *vmf);

/*
 * Models: swap_vma_readahead(): reads the swap PTEs of @vmf's VMA in a window around the
 * fault address sized from page-cluster and the VMA's readahead history, then returns the
 * faulting entry's page (a reference) or NULL. Counts swap_ra for each page read ahead.
 */
struct page *swap_vma_readahead(struct kmm_kernel *k, swp_entry_t entry, unsigned int gfp,
				struct vm_fault *vmf);

/*
 * Models: swapin_readahead(): swap_vma_readahead when vma_ra_enabled (default), else
 * swap_cluster_readahead.
 */
struct page *swapin_readahead(struct kmm_kernel *k, swp_entry_t entry, unsigned int gfp,
			      struct vm_fault *vmf);

/*
 * Models: try_to_unuse() (swapfile.c): swapoff's walk. Every mm's swap PTEs of device @type
 * are replaced by present PTEs of the read-back pages (unuse_pte), then the cache is emptied
 * of the device's pages. Returns 0, or -ENOMEM (what was brought back stays back; the
 * device's remaining entries are untouched and usable).
 */
int try_to_unuse(struct kmm_kernel *k, unsigned int type);

/*
 * Models: __folio_lock() on a folio whose swap read may be in flight: the current CPU sleeps
 * on the simulated clock until the read's completion unlocked it, then takes the lock.
 */
void folio_lock_io(struct kmm_kernel *k, struct folio *folio);

/* Models: folio_wait_writeback() for a swap-cache folio: sleeps until PG_writeback clears. */
void swap_folio_wait_writeback(struct kmm_kernel *k, struct folio *folio);

/*
 * folio_migrate_mapping()'s store for the swap cache: @new takes every slot of @old (whose
 * private holds the entry; @new's must already). Counts and flags are the caller's.
 */
void swap_cache_replace_folio(struct kmm_kernel *k, struct folio *old, struct folio *new);

/* Models: total_swapcache_pages(): pages in the swap cache over all devices. */
unsigned long total_swapcache_pages(const struct kmm_kernel *k);

/* Models: show_swap_cache_info()'s first line: "%lu pages in swap cache" (no Free/Total). */
void show_swap_cache_info(const struct kmm_kernel *k, const struct sink *out);

/* vm.page-cluster and /sys/kernel/mm/swap/vma_ra_enabled. Set: 0 or -EINVAL (unchanged). */
int swap_page_cluster(const struct kmm_kernel *k);
int swap_set_page_cluster(struct kmm_kernel *k, long value);
bool swap_vma_ra_enabled(const struct kmm_kernel *k);
void swap_set_vma_ra_enabled(struct kmm_kernel *k, bool on);

/* The kmm_check piece: invariants of swap_state.c (counters, entries, flags). */
bool swap_cache_check(const struct kmm_kernel *k, char *why, size_t whylen);

#endif /* KMM_MM_SWAP_STATE_H */
