/*
 * The swap cache: anonymous folios on their way to or from a swap slot, indexed by the slot,
 * and swap-in with its readahead; swapoff's walk that brings a device's entries back.
 *
 * Models: mm/swap_state.c (Linux 6.1.192): add_to_swap_cache, add_to_swap,
 *         __delete_from_swap_cache, delete_from_swap_cache, clear_shadow_from_swap_cache,
 *         swap_cache_get_folio, get_shadow_from_swap_cache, free_swap_cache,
 *         __read_swap_cache_async, read_swap_cache_async, __swapin_nr_pages, swapin_nr_pages,
 *         swap_cluster_readahead, swap_ra_info, swap_vma_readahead, swapin_readahead,
 *         init/exit_swap_address_space, show_swap_cache_info, the vma_ra_enabled knob;
 *         mm/swapfile.c (Linux 6.1.192): folio_free_swap, try_to_free_swap,
 *         __try_to_reclaim_swap, unuse_pte, unuse_pte_range..unuse_mm,
 *         find_next_to_unuse, try_to_unuse; mm/swap.c's
 *         vm.page-cluster (page_cluster, set from the RAM size by swap_setup: 3 above 16 MiB).
 * Deviation: one xarray per device, not one address_space per 64 MiB of it (no xa_lock to
 *         spread); the index is the slot offset, as in the kernel's spaces.
 * Deviation: try_to_unuse and its helpers, folio_free_swap and __try_to_reclaim_swap live
 *         here, beside the cache they work on, although the kernel keeps them in swapfile.c;
 *         swapfile.c's swapoff, free_swap_and_cache and slot scan call them.
 * Deviation: I/O waits (folio_lock on a folio being read, folio_wait_writeback) sleep the
 *         current CPU on the simulated clock until the device's completion event ran
 *         (io_schedule); no blk plugging (each read is its own request).
 * A THP swapped out whole (vmscan.c, CONFIG_THP_SWAP) sits here as one folio over the 512
 * slots of a huge cluster; each tail page's private names its own slot, as 6.1's do. A
 * split (huge_memory.c) gives each slot its own page back (swap_cache_split_folio).
 *
 * The swap cache holds one reference per page and keeps PG_swapcache, folio->private (the
 * entry) and the slot's SWAP_HAS_CACHE (swapfile.c's swap_map) in step. The swap cache is
 * not a page place: a cached page is on an LRU list (or a per-CPU batch), isolated by
 * reclaim, or in use; its walker (swapcache_walk) checks that against the places' claims.
 *
 * Invariants (swap_cache_check; swapcache_walk from the page-place check):
 *  1. Every page entry of device t's xarray at offset o is a folio with PG_swapbacked and
 *     PG_swapcache whose private is swp_entry(t, o) and whose refcount is at least 1.
 *  2. The number of page entries of each device equals its cached count, and summed per node
 *     they equal NR_SWAPCACHE.
 *  3. The slot of every cached folio has SWAP_HAS_CACHE in its swap_map byte.
 *  4. A cached page is on an LRU list or batch, or in use (isolated): never free, reserved
 *     or kernel memory.
 *  5. vm.page-cluster is within 0..INT_MAX as the sysctl allows.
 */
#include "mm/swap_state.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "lib/sink.h"
#include "lib/xarray.h"
#include "mm/memory.h"
#include "mm/mm_state.h"
#include "mm/mmap.h"
#include "mm/page_place.h"
#include "mm/pagemap.h"
#include "mm/rmap.h"
#include "mm/shmem.h"
#include "mm/swap.h"
#include "mm/swapfile.h"

/*
 * The VMA's readahead history (vma->swap_readahead_info), the kernel's packing: the last
 * fault address in the page bits, the window above the hit count in the low PAGE_SHIFT bits.
 */
#define SWAP_RA_WIN_SHIFT (PAGE_SHIFT / 2)
#define SWAP_RA_HITS_MASK ((1UL << SWAP_RA_WIN_SHIFT) - 1)
#define SWAP_RA_HITS_MAX  SWAP_RA_HITS_MASK
#define SWAP_RA_WIN_MASK  (~PAGE_MASK & ~SWAP_RA_HITS_MASK)
#define SWAP_RA_HITS(v)	  ((v)&SWAP_RA_HITS_MASK)
#define SWAP_RA_WIN(v)	  (((v)&SWAP_RA_WIN_MASK) >> SWAP_RA_WIN_SHIFT)
#define SWAP_RA_ADDR(v)	  ((v)&PAGE_MASK)
#define SWAP_RA_VAL(a, w, h)                                                                       \
	(((a)&PAGE_MASK) | (((w) << SWAP_RA_WIN_SHIFT) & SWAP_RA_WIN_MASK) |                       \
	 ((h)&SWAP_RA_HITS_MASK))
/* An unset history reads as 4 hits, so the first faults start with a small window. */
#define GET_SWAP_RA_VAL(vma) ((vma)->swap_readahead_info ? (vma)->swap_readahead_info : 4)

/* I/O waits give up after this many sleeps (a completion that never comes is a bug). */
#define SWAP_IO_WAIT_LIMIT 100000

struct swap_space {
	struct xarray xa;
	unsigned long nr_pages; /* page entries (shadows not counted) */
	bool active;
};

struct swap_cache_state {
	struct swap_space spaces[MAX_SWAPFILES];
	int page_cluster;	    /* vm.page-cluster */
	bool vma_ra_enabled;	    /* /sys/kernel/mm/swap/vma_ra_enabled */
	unsigned int ra_hits;	    /* swapin_readahead_hits (cluster readahead) */
	unsigned long prev_offset;  /* swapin_nr_pages' last offset without hits */
	unsigned int last_ra_pages; /* last_readahead_pages */
};

/* A shadow is an xarray value entry (xa_mk_value: bit 0 set). */
static inline bool swap_entry_is_shadow(const void *entry)
{
	return xa_is_value(entry);
}

/*
 * The cache of @entry's device; set up at the device's first use if swapon did not call
 * init_swap_address_space. NULL for a type that is not a swap device's.
 */
static struct swap_space *space_of(const struct kmm_kernel *k, swp_entry_t entry)
{
	struct swap_cache_state *sc = k->swapcache;
	unsigned int type = swp_type(entry);
	struct swap_space *sp;

	if (!sc || type >= MAX_SWAPFILES)
		return NULL;
	sp = &sc->spaces[type];
	if (!sp->active) {
		if (!swp_swap_info(k, entry))
			return NULL;
		xa_init(&sp->xa, k->env);
		sp->nr_pages = 0;
		sp->active = true;
	}
	return sp;
}

/* io_schedule() until @folio's read finished (PG_locked cleared by its completion). */
static void folio_wait_read(struct kmm_kernel *k, struct folio *folio)
{
	struct kmm_env *env = k->env;

	for (int i = 0; folio_test_locked(folio) && i < SWAP_IO_WAIT_LIMIT; i++) {
		uint64_t due = env->evq.next_due;

		if (due == UINT64_MAX || env->dead)
			break;
		env_sleep(env, due > env->cycles ? due - env->cycles : 0);
	}
}

void folio_lock_io(struct kmm_kernel *k, struct folio *folio)
{
	folio_wait_read(k, folio);
	folio_lock(folio);
}

void swap_folio_wait_writeback(struct kmm_kernel *k, struct folio *folio)
{
	struct kmm_env *env = k->env;

	for (int i = 0; folio_test_writeback(folio) && i < SWAP_IO_WAIT_LIMIT; i++) {
		uint64_t due = env->evq.next_due;

		if (due == UINT64_MAX || env->dead)
			break;
		env_sleep(env, due > env->cycles ? due - env->cycles : 0);
	}
}

/* ---- set-up ---------------------------------------------------------------------------- */

int swap_cache_init(struct kmm_kernel *k)
{
	struct swap_cache_state *sc = env_alloc(k->env, sizeof(*sc));

	if (!sc)
		return -ENOMEM;
	memset(sc, 0, sizeof(*sc));
	/* swap_setup(): page_cluster 2 below 16 MiB of RAM, else 3. */
	sc->page_cluster = k->totalram_pages < (16L << (20 - PAGE_SHIFT)) ? 2 : 3;
	sc->vma_ra_enabled = true;
	sc->ra_hits = 4; /* swapin_readahead_hits = ATOMIC_INIT(4) */
	k->swapcache = sc;
	return 0;
}

void swap_cache_fini(struct kmm_kernel *k)
{
	struct swap_cache_state *sc = k->swapcache;

	if (!sc)
		return;
	for (unsigned int t = 0; t < MAX_SWAPFILES; t++)
		if (sc->spaces[t].active)
			xa_destroy(&sc->spaces[t].xa);
	env_free(k->env, sc);
	k->swapcache = NULL;
}

int init_swap_address_space(struct kmm_kernel *k, unsigned int type, unsigned long nr_pages)
{
	struct swap_cache_state *sc = k->swapcache;
	struct swap_space *sp;

	(void)nr_pages; /* the xarray grows with the offsets used */
	if (!sc || type >= MAX_SWAPFILES)
		return -EINVAL;
	sp = &sc->spaces[type];
	if (sp->active)
		return 0;
	xa_init(&sp->xa, k->env);
	sp->nr_pages = 0;
	sp->active = true;
	return 0;
}

void exit_swap_address_space(struct kmm_kernel *k, unsigned int type)
{
	struct swap_cache_state *sc = k->swapcache;

	if (!sc || type >= MAX_SWAPFILES || !sc->spaces[type].active)
		return;
	xa_destroy(&sc->spaces[type].xa);
	memset(&sc->spaces[type], 0, sizeof(sc->spaces[type]));
}

/* ---- the cache ------------------------------------------------------------------------- */

int add_to_swap_cache(struct kmm_kernel *k, struct folio *folio, swp_entry_t entry,
		      unsigned int gfp, void **shadowp)
{
	struct swap_info_struct *si = swp_swap_info(k, entry);
	struct swap_space *sp = space_of(k, entry);
	unsigned long idx = swp_offset(entry);
	long nr = (long)folio_nr_pages(folio);
	void *shadow = NULL;

	(void)gfp;
	if (!sp || !si || idx + (unsigned long)nr > si->max)
		return -EINVAL;
	for (long i = 0; i < nr; i++) {
		void *old = xa_load(&sp->xa, idx + (unsigned long)i);

		if (old && !swap_entry_is_shadow(old))
			return -EEXIST;
		if (old)
			shadow = old;
	}
	for (long i = 0; i < nr; i++)
		if (xa_store(&sp->xa, idx + (unsigned long)i, folio)) {
			while (i--)
				xa_erase(&sp->xa, idx + (unsigned long)i);
			return -ENOMEM;
		}
	folio_ref_add(folio, (int)nr);
	folio_set_swapcache(folio);
	for (long i = 1; i < nr; i++) /* a THP's tails name their own slots */
		folio_page(folio, i)->private = entry.val + (unsigned long)i;
	folio->private = entry.val;
	sp->nr_pages += (unsigned long)nr;
	mod_node_page_state_of(k, &folio->page, NR_FILE_PAGES, nr);
	mod_node_page_state_of(k, &folio->page, NR_SWAPCACHE, nr);
	if (shadowp)
		*shadowp = shadow;
	return 0;
}

void __delete_from_swap_cache(struct kmm_kernel *k, struct folio *folio, swp_entry_t entry,
			      void *shadow)
{
	struct swap_space *sp = space_of(k, entry);
	unsigned long idx = swp_offset(entry);
	long nr = (long)folio_nr_pages(folio);

	if (!sp)
		return;
	for (long i = 0; i < nr; i++) {
		if (shadow)
			xa_store(&sp->xa, idx + (unsigned long)i, shadow);
		else
			xa_erase(&sp->xa, idx + (unsigned long)i);
		folio_page(folio, i)->private = 0;
	}
	folio->private = 0;
	folio_clear_swapcache(folio);
	sp->nr_pages -= (unsigned long)nr;
	mod_node_page_state_of(k, &folio->page, NR_FILE_PAGES, -nr);
	mod_node_page_state_of(k, &folio->page, NR_SWAPCACHE, -nr);
}

void swap_cache_replace_folio(struct kmm_kernel *k, struct folio *old, struct folio *new)
{
	swp_entry_t entry = {old->private};
	struct swap_space *sp = space_of(k, entry);
	unsigned long idx = swp_offset(entry), nr = folio_nr_pages(old);

	for (unsigned long i = 0; sp && i < nr; i++)
		xa_store(&sp->xa, idx + i, new); /* a replacement allocates nothing */
}

void swap_cache_split_folio(struct kmm_kernel *k, struct page *head, unsigned long nr)
{
	swp_entry_t entry = {head->private};
	struct swap_space *sp = space_of(k, entry);

	for (unsigned long i = 1; sp && i < nr; i++)
		xa_store(&sp->xa, swp_offset(entry) + i, head + i); /* no allocation: a slot */
}

void delete_from_swap_cache(struct kmm_kernel *k, struct folio *folio)
{
	swp_entry_t entry = {folio->private};
	long nr = (long)folio_nr_pages(folio);

	__delete_from_swap_cache(k, folio, entry, NULL);
	put_swap_folio(k, folio, entry);
	for (long i = 0; i < nr; i++)
		folio_put(k, folio);
}

void clear_shadow_from_swap_cache(struct kmm_kernel *k, unsigned int type, unsigned long begin,
				  unsigned long end)
{
	struct swap_space *sp = space_of(k, swp_entry(type, 0));
	unsigned long idx;
	void *e;

	if (!sp || begin > end)
		return;
	xa_for_each_range(&sp->xa, idx, e, begin, end)
	{
		if (swap_entry_is_shadow(e))
			xa_erase(&sp->xa, idx);
	}
}

struct folio *swap_cache_lookup_folio(struct kmm_kernel *k, swp_entry_t entry)
{
	struct swap_space *sp = space_of(k, entry);
	void *e;

	if (!sp || non_swap_entry(entry))
		return NULL;
	e = xa_load(&sp->xa, swp_offset(entry));
	if (!e || swap_entry_is_shadow(e))
		return NULL;
	folio_get(e);
	return e;
}

struct folio *swap_cache_get_folio(struct kmm_kernel *k, swp_entry_t entry,
				   struct vm_area_struct *vma, unsigned long addr)
{
	struct swap_cache_state *sc = k->swapcache;
	struct folio *folio = swap_cache_lookup_folio(k, entry);
	bool readahead, vma_ra;

	if (!folio || folio_test_large(folio))
		return folio;
	vma_ra = sc->vma_ra_enabled;
	readahead = folio_test_clear_readahead(folio);
	if (vma && vma_ra) {
		unsigned long ra_val = GET_SWAP_RA_VAL(vma);
		unsigned long win = SWAP_RA_WIN(ra_val), hits = SWAP_RA_HITS(ra_val);

		if (readahead && hits < SWAP_RA_HITS_MAX)
			hits++;
		vma->swap_readahead_info = SWAP_RA_VAL(addr, win, hits);
	}
	if (readahead) {
		count_vm_event_k(k, SWAP_RA_HIT);
		if (!vma || !vma_ra)
			sc->ra_hits++;
	}
	return folio;
}

void *get_shadow_from_swap_cache(struct kmm_kernel *k, swp_entry_t entry)
{
	struct swap_space *sp = space_of(k, entry);
	void *e;

	if (!sp)
		return NULL;
	e = xa_load(&sp->xa, swp_offset(entry));
	return swap_entry_is_shadow(e) ? e : NULL;
}

bool add_to_swap(struct kmm_kernel *k, struct folio *folio)
{
	swp_entry_t entry = folio_alloc_swap(k, folio);

	if (!entry.val)
		return false;
	/* Only an xarray node allocation can fail here (-ENOMEM). */
	if (add_to_swap_cache(k, folio, entry, GFP_ATOMIC | __GFP_NOWARN, NULL)) {
		put_swap_folio(k, folio, entry);
		return false;
	}
	/*
	 * The folio may have been clean (a fresh swap-in); it must be written before reclaim
	 * can drop it: its only copy would be gone otherwise.
	 */
	folio_mark_dirty(k, folio);
	return true;
}

bool folio_free_swap(struct kmm_kernel *k, struct folio *folio)
{
	swp_entry_t entry = {folio->private};

	if (!folio_test_swapcache(folio) || folio_test_writeback(folio))
		return false;
	if (swap_slots_swapped(k, entry, (int)folio_nr_pages(folio)))
		return false; /* a PTE (or shmem) still refers to the slot */
	delete_from_swap_cache(k, folio);
	folio_set_dirty(folio);
	return true;
}

int __try_to_reclaim_swap(struct kmm_kernel *k, swp_entry_t entry, unsigned long flags)
{
	struct folio *folio = swap_cache_lookup_folio(k, entry);
	int nr, ret = 0;

	if (!folio)
		return 0;
	nr = (int)folio_nr_pages(folio);
	if (!folio_test_locked(folio)) { /* folio_trylock */
		folio_lock(folio);
		if ((flags & TTRS_ANYWAY) || ((flags & TTRS_UNMAPPED) && !folio_mapped(folio)) ||
		    ((flags & TTRS_FULL) && vm_swap_full(k)))
			ret = folio_free_swap(k, folio);
		folio_unlock(folio);
	}
	folio_put(k, folio);
	return ret ? nr : -nr;
}

int try_to_free_swap(struct kmm_kernel *k, struct page *page)
{
	return folio_free_swap(k, page_folio(page)) ? 1 : 0;
}

void free_swap_cache(struct kmm_kernel *k, struct page *page)
{
	struct folio *folio = page_folio(page);

	if (folio_test_swapcache(folio) && !folio_mapped(folio) && !folio_test_locked(folio)) {
		folio_lock(folio);
		folio_free_swap(k, folio);
		folio_unlock(folio);
	}
}

/* ---- swap-in ------------------------------------------------------------------------- */

/* Models: __read_swap_cache_async(). */
static struct page *__read_swap_cache_async(struct kmm_kernel *k, swp_entry_t entry,
					    unsigned int gfp, struct vm_area_struct *vma,
					    unsigned long addr, bool *new_page_allocated)
{
	struct folio *folio;
	struct page *page;
	void *shadow = NULL;

	(void)vma;
	(void)addr;
	*new_page_allocated = false;
	if (!get_swap_device(k, entry))
		return NULL;
	folio = swap_cache_lookup_folio(k, entry);
	if (folio)
		return &folio->page;
	/* A free slot is not read ahead (the slot-cache race of the kernel cannot happen). */
	if (!swp_swapcount(k, entry))
		return NULL;
	page = alloc_pages(k, gfp, 0);
	if (!page)
		return NULL;
	folio = page_folio(page);
	if (swapcache_prepare(k, entry)) {
		/* -EEXIST has no racer to wait for here: one thread. */
		folio_put(k, folio);
		return NULL;
	}
	__folio_set_locked(folio);
	__folio_set_swapbacked(folio);
	if (add_to_swap_cache(k, folio, entry, gfp, &shadow)) {
		put_swap_folio(k, folio, entry);
		folio_unlock(folio);
		folio_put(k, folio);
		return NULL;
	}
	folio_add_lru(k, folio);
	*new_page_allocated = true;
	return page;
}

struct page *read_swap_cache_async(struct kmm_kernel *k, swp_entry_t entry, unsigned int gfp,
				   struct vm_area_struct *vma, unsigned long addr, bool *new_page)
{
	bool allocated;
	struct page *page = __read_swap_cache_async(k, entry, gfp, vma, addr, &allocated);

	if (allocated)
		swap_readpage(k, page, false);
	if (new_page)
		*new_page = allocated;
	return page;
}

/* Models: __swapin_nr_pages(): the readahead window from the hit history. */
static unsigned int __swapin_nr_pages(unsigned long prev_offset, unsigned long offset,
				      unsigned int hits, unsigned int max_pages,
				      unsigned int prev_win)
{
	unsigned int pages = hits + 2, last_ra;

	if (pages == 2) {
		/* No hits to judge by: read ahead only after an adjacent fault. */
		if (offset != prev_offset + 1 && offset != prev_offset - 1)
			pages = 1;
	} else {
		unsigned int roundup = 4;

		while (roundup < pages)
			roundup <<= 1;
		pages = roundup;
	}
	if (pages > max_pages)
		pages = max_pages;
	last_ra = prev_win / 2; /* shrink slowly */
	if (pages < last_ra)
		pages = last_ra;
	return pages;
}

/* Models: swapin_nr_pages(): the cluster readahead's window for @offset. */
static unsigned long swapin_nr_pages(struct kmm_kernel *k, unsigned long offset)
{
	struct swap_cache_state *sc = k->swapcache;
	unsigned int hits, pages, max_pages;

	max_pages = 1u << sc->page_cluster;
	if (max_pages <= 1)
		return 1;
	hits = sc->ra_hits;
	sc->ra_hits = 0;
	pages = __swapin_nr_pages(sc->prev_offset, offset, hits, max_pages, sc->last_ra_pages);
	if (!hits)
		sc->prev_offset = offset;
	sc->last_ra_pages = pages;
	return pages;
}

/* Reads @entry ahead (not the faulting one): a new page is marked PG_readahead, swap_ra. */
static void swap_ra_one(struct kmm_kernel *k, swp_entry_t entry, unsigned int gfp,
			struct vm_area_struct *vma, unsigned long addr, bool is_target)
{
	bool allocated;
	struct page *page = __read_swap_cache_async(k, entry, gfp, vma, addr, &allocated);

	if (!page)
		return;
	if (allocated) {
		swap_readpage(k, page, false);
		if (!is_target) {
			folio_set_readahead(page_folio(page));
			count_vm_event_k(k, SWAP_RA);
		}
	}
	put_page(k, page);
}

struct page *swap_cluster_readahead(struct kmm_kernel *k, swp_entry_t entry, unsigned int gfp,
				    struct vm_fault *vmf)
{
	struct swap_info_struct *si = swp_swap_info(k, entry);
	unsigned long entry_offset = swp_offset(entry), start, end, mask;
	struct vm_area_struct *vma = vmf ? vmf->vma : NULL;
	unsigned long addr = vmf ? vmf->address : 0;

	if (!si)
		return NULL;
	mask = swapin_nr_pages(k, entry_offset) - 1;
	if (mask) {
		start = entry_offset & ~mask;
		end = entry_offset | mask;
		if (!start) /* slot 0 is the swap header */
			start++;
		if (end >= si->max)
			end = si->max - 1;
		for (unsigned long off = start; off <= end; off++)
			swap_ra_one(k, swp_entry(swp_type(entry), off), gfp, vma, addr,
				    off == entry_offset);
		lru_add_drain(k);
	}
	return read_swap_cache_async(k, entry, gfp, vma, addr, NULL);
}

/* Models: swap_ra_clamp_pfn(): the window stays inside the VMA and the PTE table. */
static void swap_ra_clamp_pfn(const struct vm_area_struct *vma, unsigned long faddr,
			      unsigned long lpfn, unsigned long rpfn, unsigned long *start,
			      unsigned long *end)
{
	unsigned long lo = vma->vm_start >> PAGE_SHIFT, tbl = (faddr & PMD_MASK) >> PAGE_SHIFT;
	unsigned long hi = vma->vm_end >> PAGE_SHIFT, tbl_end = tbl + (PMD_SIZE >> PAGE_SHIFT);

	*start = lpfn > lo ? lpfn : lo;
	if (*start < tbl)
		*start = tbl;
	*end = rpfn < hi ? rpfn : hi;
	if (*end > tbl_end)
		*end = tbl_end;
}

/* Models: swap_ra_info(): the VMA window [*@start, *@end) (PFNs); returns its size. */
static unsigned int swap_ra_info(struct kmm_kernel *k, struct vm_fault *vmf, unsigned long *start,
				 unsigned long *end)
{
	struct swap_cache_state *sc = k->swapcache;
	struct vm_area_struct *vma = vmf->vma;
	unsigned long faddr = vmf->address, fpfn = faddr >> PAGE_SHIFT, ra_val, pfn;
	unsigned int max_win, hits, prev_win, win, left;
	int order =
		sc->page_cluster < SWAP_RA_ORDER_CEILING ? sc->page_cluster : SWAP_RA_ORDER_CEILING;

	max_win = 1u << order;
	if (max_win == 1)
		return 1;
	ra_val = GET_SWAP_RA_VAL(vma);
	pfn = SWAP_RA_ADDR(ra_val) >> PAGE_SHIFT;
	prev_win = (unsigned int)SWAP_RA_WIN(ra_val);
	hits = (unsigned int)SWAP_RA_HITS(ra_val);
	win = __swapin_nr_pages(pfn, fpfn, hits, max_win, prev_win);
	vma->swap_readahead_info = SWAP_RA_VAL(faddr, (unsigned long)win, 0UL);
	if (win == 1)
		return 1;
	if (fpfn == pfn + 1) /* moving up: the window starts at the fault */
		swap_ra_clamp_pfn(vma, faddr, fpfn, fpfn + win, start, end);
	else if (pfn == fpfn + 1) /* moving down: it ends there */
		swap_ra_clamp_pfn(vma, faddr, fpfn - win + 1, fpfn + 1, start, end);
	else {
		left = (win - 1) / 2;
		swap_ra_clamp_pfn(vma, faddr, fpfn - left, fpfn + win - left, start, end);
	}
	return win;
}

struct page *swap_vma_readahead(struct kmm_kernel *k, swp_entry_t fentry, unsigned int gfp,
				struct vm_fault *vmf)
{
	struct vm_area_struct *vma = vmf->vma;
	unsigned long start = 0, end = 0;
	unsigned int win = swap_ra_info(k, vmf, &start, &end);

	if (win > 1) {
		for (unsigned long pfn = start; pfn < end; pfn++) {
			unsigned long a = pfn << PAGE_SHIFT;
			pte_t *ptep = (pte_t *)mm_pte_lookup(vma->vm_mm, a);
			swp_entry_t entry;

			if (!ptep || !is_swap_pte(*ptep))
				continue;
			entry = pte_to_swp_entry(*ptep);
			if (non_swap_entry(entry))
				continue;
			swap_ra_one(k, entry, gfp, vma, vmf->address, a == vmf->address);
		}
		lru_add_drain(k);
	}
	return read_swap_cache_async(k, fentry, gfp, vma, vmf->address, NULL);
}

struct page *swapin_readahead(struct kmm_kernel *k, swp_entry_t entry, unsigned int gfp,
			      struct vm_fault *vmf)
{
	if (k->swapcache->vma_ra_enabled)
		return swap_vma_readahead(k, entry, gfp, vmf);
	return swap_cluster_readahead(k, entry, gfp, vmf);
}

/* ---- swapoff: bringing a device's entries back ------------------------------------------ */

/*
 * Models: unuse_pte(): the swap PTE at @ptep becomes a present, old PTE of @folio (its
 * exclusive marker carried over), swap_free drops the PTE's slot reference.
 */
static void unuse_pte(struct kmm_kernel *k, struct vm_area_struct *vma, pte_t *ptep,
		      unsigned long addr, swp_entry_t entry, struct folio *folio)
{
	struct page *page = &folio->page;
	pte_t old = *ptep, pte;

	add_mm_counter(vma->vm_mm, MM_SWAPENTS, -1);
	add_mm_counter(vma->vm_mm, MM_ANONPAGES, 1);
	folio_get(folio);
	page_add_anon_rmap(page, vma, addr, pte_swp_exclusive(old) ? RMAP_EXCLUSIVE : RMAP_NONE);
	pte = pte_mkold(mk_pte(k, page, __pgprot(vma->vm_page_prot)));
	set_pte_at(k, vma->vm_mm, addr, ptep, pte);
	swap_free(k, entry);
}

/* Models: unuse_pte_range()..unuse_vma(): every swap PTE of @type in @vma brought back. */
static int unuse_vma(struct kmm_kernel *k, struct vm_area_struct *vma, unsigned int type)
{
	for (unsigned long addr = vma->vm_start; addr < vma->vm_end; addr += PAGE_SIZE) {
		pte_t *ptep = (pte_t *)mm_pte_lookup(vma->vm_mm, addr);
		struct vm_fault vmf = {.vma = vma, .address = addr};
		swp_entry_t entry;
		struct folio *folio;
		struct page *page;

		if (!ptep) { /* no PTE table: skip to the next one */
			addr = (addr | (PMD_SIZE - 1)) - PAGE_SIZE + 1;
			continue;
		}
		if (!is_swap_pte(*ptep))
			continue;
		entry = pte_to_swp_entry(*ptep);
		if (non_swap_entry(entry) || swp_type(entry) != type)
			continue;
		folio = swap_cache_get_folio(k, entry, vma, addr);
		if (!folio) {
			vmf.pte = ptep;
			vmf.orig_pte = *ptep;
			page = swapin_readahead(k, entry, GFP_HIGHUSER_MOVABLE, &vmf);
			folio = page ? page_folio(page) : NULL;
		}
		if (!folio) {
			if (!swp_swapcount(k, entry))
				continue; /* freed meanwhile */
			return -ENOMEM;
		}
		folio_lock_io(k, folio);
		swap_folio_wait_writeback(k, folio);
		ptep = (pte_t *)mm_pte_lookup(vma->vm_mm, addr);
		if (ptep && is_swap_pte(*ptep) && pte_to_swp_entry(*ptep).val == entry.val &&
		    folio_test_uptodate(folio))
			unuse_pte(k, vma, ptep, addr, entry, folio);
		folio_free_swap(k, folio);
		folio_unlock(folio);
		folio_put(k, folio);
	}
	return 0;
}

/* Models: unuse_mm(). */
static int unuse_mm(struct kmm_kernel *k, struct mm_struct *mm, unsigned int type)
{
	for (struct vm_area_struct *vma = mm->mmap; vma; vma = vma->vm_next) {
		int ret;

		if (!vma->anon_vma)
			continue;
		ret = unuse_vma(k, vma, type);
		if (ret)
			return ret;
	}
	return 0;
}

/* Models: find_next_to_unuse(): the next slot after @prev with any count or cache; 0: none. */
static unsigned long find_next_to_unuse(const struct swap_info_struct *si, unsigned long prev)
{
	for (unsigned long i = prev + 1; i < si->max; i++) {
		unsigned char c = si->swap_map[i];

		if (c && (c & ~SWAP_HAS_CACHE) != SWAP_MAP_BAD)
			return i;
	}
	return 0;
}

int try_to_unuse(struct kmm_kernel *k, unsigned int type)
{
	struct swap_info_struct *si = swp_swap_info(k, swp_entry(type, 0));
	struct mm_state *ms = k->mm_state;
	struct mm_struct *mm;
	unsigned long i;
	int passes = 0;

	if (!si)
		return -EINVAL;
	while (si->inuse_pages && passes++ < 4) {
		int err = shmem_unuse(k, type);

		if (err)
			return err;
		for (struct list_head *l = ms->mms.next; l != &ms->mms; l = l->next) {
			int ret;

			mm = list_entry(l, struct mm_struct, mmlist);
			ret = unuse_mm(k, mm, type);
			if (ret)
				return ret;
		}
		for (i = 0; si->inuse_pages && (i = find_next_to_unuse(si, i)) != 0;) {
			struct folio *folio = swap_cache_lookup_folio(k, swp_entry(type, i));

			if (!folio)
				continue;
			folio_lock_io(k, folio);
			swap_folio_wait_writeback(k, folio);
			folio_free_swap(k, folio);
			folio_unlock(folio);
			folio_put(k, folio);
		}
	}
	/* The kernel retries until done or a signal; a slot nobody can bring back is a leak. */
	return si->inuse_pages ? -EBUSY : 0;
}

/* ---- views and knobs ------------------------------------------------------------------ */

unsigned long total_swapcache_pages(const struct kmm_kernel *k)
{
	const struct swap_cache_state *sc = k->swapcache;
	unsigned long n = 0;

	if (!sc)
		return 0;
	for (unsigned int t = 0; t < MAX_SWAPFILES; t++)
		n += sc->spaces[t].nr_pages;
	return n;
}

void show_swap_cache_info(const struct kmm_kernel *k, const struct sink *out)
{
	sink_printf(out, "%lu pages in swap cache\n", total_swapcache_pages(k));
}

int swap_page_cluster(const struct kmm_kernel *k)
{
	return k->swapcache ? k->swapcache->page_cluster : SWAP_PAGE_CLUSTER_DEFAULT;
}

int swap_set_page_cluster(struct kmm_kernel *k, long value)
{
	/* vm_table: proc_dointvec_minmax with extra1 = SYSCTL_ZERO, no upper bound. */
	if (!k->swapcache || value < 0 || value > INT_MAX)
		return -EINVAL;
	k->swapcache->page_cluster = (int)value;
	return 0;
}

bool swap_vma_ra_enabled(const struct kmm_kernel *k)
{
	return k->swapcache && k->swapcache->vma_ra_enabled;
}

void swap_set_vma_ra_enabled(struct kmm_kernel *k, bool on)
{
	if (k->swapcache)
		k->swapcache->vma_ra_enabled = on;
}

/* ---- checks ---------------------------------------------------------------------------- */

static bool swap_cache_fail(char *why, size_t whylen, const char *msg, unsigned int type,
			    unsigned long idx)
{
	snprintf(why, whylen, "swap cache: %s (type %u offset %#lx)", msg, type, idx);
	return false;
}

bool swap_cache_check(const struct kmm_kernel *k, char *why, size_t whylen)
{
	const struct swap_cache_state *sc = k->swapcache;
	long per_node[MAX_NUMNODES] = {0};

	if (!sc)
		return true;
	if (sc->page_cluster < 0)
		return swap_cache_fail(why, whylen, "negative page-cluster", 0, 0); /* 5 */
	for (unsigned int t = 0; t < MAX_SWAPFILES; t++) {
		const struct swap_space *sp = &sc->spaces[t];
		unsigned long idx, n = 0;
		void *e;

		if (!sp->active)
			continue;
		if (!xa_check(&sp->xa, why, whylen))
			return false;
		xa_for_each(&sp->xa, idx, e)
		{
			const struct folio *folio = e;

			if (swap_entry_is_shadow(e))
				continue;
			n++;
			if (!folio_test_swapcache(folio) ||
			    folio->private > swp_entry(t, idx).val ||
			    swp_entry(t, idx).val - folio->private >= folio_nr_pages(folio))
				return swap_cache_fail(why, whylen, "folio not at its entry", t,
						       idx); /* 1 */
			if (folio_ref_count(folio) < 1)
				return swap_cache_fail(why, whylen, "folio without references", t,
						       idx); /* 1 */
			if (!(swap_map_byte(k, swp_entry(t, idx)) & SWAP_HAS_CACHE))
				return swap_cache_fail(why, whylen, "slot without SWAP_HAS_CACHE",
						       t, idx); /* 3 */
			per_node[page_to_nid(&folio->page)]++;
		}
		if (n != sp->nr_pages) /* 2 */
			return swap_cache_fail(why, whylen, "page count differs from the xarray", t,
					       n);
	}
	for (int nid = 0; nid < MAX_NUMNODES; nid++) { /* 2 */
		const pg_data_t *pgdat = k->node_data[nid];

		if (pgdat && pgdat->vm_stat[NR_SWAPCACHE] != per_node[nid]) {
			snprintf(why, whylen,
				 "swap cache: node %d nr_swapcached %ld, cache holds %ld", nid,
				 pgdat->vm_stat[NR_SWAPCACHE], per_node[nid]);
			return false;
		}
	}
	return true;
}

/*
 * Where a swap-cache page may be: on an LRU list or batch, in use (no row: isolated, being
 * read or written), or on a list of pages reclaim isolated (rows added after this one). Never
 * free, reserved, or kernel memory.
 */
static bool swapcache_place_ok(enum page_place p)
{
	switch (p) {
	case PLACE_RESERVED:
	case PLACE_BUDDY:
	case PLACE_ISOLATED:
	case PLACE_PCP:
	case PLACE_SLAB:
	case PLACE_VMALLOC:
	case PLACE_PGTABLE:
	case PLACE_CMA:
	case PLACE_PGTABLE_USER:
		return false;
	default:
		return true;
	}
}

bool swapcache_walk(const struct kmm_kernel *k, struct place_map *map)
{
	const struct swap_cache_state *sc = k->swapcache;

	if (!sc)
		return true;
	for (unsigned int t = 0; t < MAX_SWAPFILES; t++) {
		const struct swap_space *sp = &sc->spaces[t];
		unsigned long idx;
		void *e;

		if (!sp->active)
			continue;
		xa_for_each(&sp->xa, idx, e)
		{
			const struct folio *folio = e;
			unsigned long pfn;
			enum page_place p;

			if (swap_entry_is_shadow(e))
				continue;
			pfn = page_to_pfn(k, &folio->page);
			p = place_of(map, pfn);
			if (!swapcache_place_ok(p)) /* 4 */
				return place_fail(
					map, "swap cache: pfn %#lx (type %u offset %#lx) is in %s",
					pfn, t, idx, page_place_name(p));
		}
	}
	return true;
}
