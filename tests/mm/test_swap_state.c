/*
 * The mm side of swap (src/mm/swap_state.c, do_swap_page and the swap-entry paths of
 * memory.c, rmap.c, madvise.c, mincore.c, proc_task_mmu.c): pages go out the way 6.1's
 * shrink_folio_list sends an anonymous folio (isolate, add_to_swap, try_to_unmap,
 * swap_writepage, __remove_mapping), and come back by faults, readahead, MADV_WILLNEED or
 * swapoff's try_to_unuse. User data is checksummed across every trip; kmm_check runs after
 * every step (its swap rows: the swap cache against NR_SWAPCACHE and SWAP_HAS_CACHE, every
 * swap PTE against its slot's count, MM_SWAPENTS against the PTEs).
 *
 * Expected values are 6.1's rules worked by hand:
 *   - a swapped page: the PTE holds swp_entry(type, slot) with PTE_SWP_EXCLUSIVE when the page
 *     was exclusive; MM_ANONPAGES -1, MM_SWAPENTS +1; the slot's count is the PTEs holding it;
 *   - fork: copy_nonpresent_pte duplicates the slot (count 2) and clears the parent's marker;
 *     SwapPss is half a page per entry then (swp_swapcount 2);
 *   - VMA readahead (swap_ra_info): a VMA's first fault reads its history as 4 hits, so the
 *     window is __swapin_nr_pages(hits 4) = roundup(4 + 2 -> 8) capped at 1 << page-cluster,
 *     centred (left = (win - 1) / 2) when the previous fault was not adjacent: page-cluster 3
 *     reads pages f-3 .. f+4, 7 of them ahead (swap_ra 7); 2 -> f-1 .. f+2 (3); 1 -> f .. f+1
 *     (1); 0 -> only the fault (0). A later fault on a read-ahead page is a swap_ra_hit;
 *   - cluster readahead (vma_ra_enabled 0): the aligned block of 1 << page-cluster slots
 *     around the slot (slot 0, the header, skipped), first window from 4 hits: 8 slots;
 *   - MADV_FREE: a clean lazyfree folio isolated by reclaim is dropped from the PTEs
 *     (MM_ANONPAGES -1, the PTE none: the next read sees zeros); one written after the advice
 *     is dirty and goes back swap-backed, still mapped.
 */
#include "mm_test.h"

#include "mm/mman.h"
#include "mm/pagemap.h"
#include "mm/swap_state.h"
#include "mm/swapfile.h"

#define P  PAGE_SIZE
#define RW (PROT_READ | PROT_WRITE)
#define PA (MAP_PRIVATE | MAP_ANONYMOUS)

static struct kmm_machine *boot(void)
{
	struct kmm_config cfg;

	kmm_config_init(&cfg);
	assert_int_equal(kmm_config_set_ram(&cfg, 256ull << 20), KMM_OK);
	assert_int_equal(kmm_config_option(&cfg, "-cpu", "cortex-a57"), KMM_OK);
	return test_machine(&cfg);
}

/* A swap device of @mib MiB: plain (asynchronous) or zram (SWP_SYNCHRONOUS_IO). */
static void swap_on(struct kmm_machine *m, enum swap_dev_kind kind, const char *name,
		    unsigned long mib)
{
	struct swap_dev *dev = NULL;

	assert_int_equal(swap_dev_create(&m->kernel, kind, name, (uint64_t)mib << 20, NULL, &dev),
			 0);
	assert_int_equal(sys_swapon(&m->kernel, dev, 0), 0);
	ut_check(m);
}

static uint64_t pattern(uint64_t va, uint64_t seed)
{
	return (va * 0x9e3779b97f4a7c15ull) ^ (seed << 32) ^ 0x5a5a;
}

/* Fills each of @n pages at @va with 4 words derived from its address and @seed. */
static void fill(struct utask *u, uint64_t va, unsigned n, uint64_t seed)
{
	for (unsigned i = 0; i < n; i++)
		for (unsigned w = 0; w < 4; w++) {
			uint64_t a = va + i * P + w * 1024;

			ut_store64(u, a, pattern(a, seed));
		}
}

static void verify(struct utask *u, uint64_t va, unsigned n, uint64_t seed)
{
	for (unsigned i = 0; i < n; i++)
		for (unsigned w = 0; w < 4; w++) {
			uint64_t a = va + i * P + w * 1024;

			assert_int_equal(ut_load64(u, a), pattern(a, seed));
		}
}

static struct folio *folio_at(struct utask *u, uint64_t va)
{
	uint64_t pte = ut_pte(u, va);

	assert_true(pte_present(__pte(pte)));
	return page_folio(pfn_to_page(u->k, pte_pfn(__pte(pte))));
}

static swp_entry_t swap_entry_at(struct utask *u, uint64_t va)
{
	uint64_t *p = mm_pte_lookup(u->t.mm, va);

	assert_non_null(p);
	assert_true(is_swap_pte(__pte(*p)));
	return pte_to_swp_entry(__pte(*p));
}

static bool pte_is_swap(struct utask *u, uint64_t va)
{
	return is_swap_pte(__pte(ut_pte(u, va)));
}

/*
 * shrink_folio_list's path for one anonymous folio, as vmscan runs it: isolate, add_to_swap
 * (slot + cache + dirty), try_to_unmap (swap entries in every PTE), pageout (clear dirty,
 * swap_writepage), wait for the write, __remove_mapping (the cache lets go; the slot keeps
 * the data), free. Returns false (folio put back) if it stayed mapped.
 */
static bool swap_out_folio(struct kmm_kernel *k, struct folio *folio)
{
	swp_entry_t entry;

	lru_add_drain_all(k);
	assert_int_equal(folio_isolate_lru(k, folio), 0);
	folio_lock(folio);
	if (!folio_test_swapcache(folio))
		assert_true(add_to_swap(k, folio));
	try_to_unmap(k, folio, 0);
	if (folio_mapped(folio)) {
		folio_unlock(folio);
		folio_putback_lru(k, folio);
		return false;
	}
	if (folio_test_dirty(folio)) {
		assert_true(folio_clear_dirty_for_io(k, folio));
		assert_int_equal(swap_writepage(k, &folio->page, NULL), 0);
		swap_io_drain(k);
		folio_lock(folio);
	}
	assert_false(folio_test_writeback(folio));
	assert_int_equal(folio_ref_count(folio), 2); /* isolation + the swap cache */
	entry.val = folio->private;
	__delete_from_swap_cache(k, folio, entry, NULL);
	put_swap_folio(k, folio, entry);
	folio_put(k, folio); /* the cache's reference */
	folio_unlock(folio);
	folio_put(k, folio); /* isolation's: the page is free */
	return true;
}

static void swap_out_range(struct utask *u, uint64_t va, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		assert_true(swap_out_folio(u->k, folio_at(u, va + i * P)));
	ut_check(u->m);
}

static unsigned long ev(struct kmm_machine *m, enum vm_event_item i)
{
	return m->kernel.vm_events[i];
}

/* The child of @parent by fork's dup_mm (pid @pid). */
static void ut_fork(struct utask *parent, struct utask *child, int pid)
{
	memcpy(child, parent, sizeof(*child));
	child->asid = (uint64_t)pid;
	child->t.pid = pid;
	memset(&child->t.rss_stat, 0, sizeof(child->t.rss_stat));
	sync_mm_rss(&parent->t, parent->t.mm);
	child->t.mm = dup_mm(&child->t, parent->t.mm);
	assert_non_null(child->t.mm);
	ut_switch(parent);
	ut_check(parent->m);
}

/*
 * 32 private anonymous pages out and back: each PTE a swap entry (exclusive: the pages were
 * never shared), rss moves from anon to swap entries, smaps counts Swap; each read back is a
 * major fault and the data is intact; afterwards no slot is in use.
 */
static void test_swap_private_anon_roundtrip(void **state)
{
	struct kmm_machine *m = boot();
	const unsigned n = 32;
	long free_before;
	unsigned long maj;
	struct utask u;
	uint64_t va;

	(void)state;
	swap_on(m, SWAP_DEV_PLAIN, "/dev/vdb", 16);
	free_before = get_nr_swap_pages(&m->kernel);
	ut_init(&u, m, 1);
	va = ut_mmap(&u, 0, n * P, RW, PA);
	fill(&u, va, n, 1);
	assert_int_equal(ut_rss(&u, MM_ANONPAGES), n);
	swap_out_range(&u, va, n);
	for (unsigned i = 0; i < n; i++) {
		assert_true(pte_is_swap(&u, va + i * P));
		assert_true(pte_swp_exclusive(__pte(ut_pte(&u, va + i * P))));
		assert_int_equal(swap_map_byte(&m->kernel, swap_entry_at(&u, va + i * P)), 1);
	}
	assert_int_equal(ut_rss(&u, MM_ANONPAGES), 0);
	assert_int_equal(ut_rss(&u, MM_SWAPENTS), n);
	assert_int_equal(get_nr_swap_pages(&m->kernel), free_before - n);
	assert_int_equal(node_stat(m, NR_SWAPCACHE), 0);

	maj = ev(m, PGMAJFAULT);
	swap_set_page_cluster(&m->kernel, 0); /* no readahead: one major fault per page */
	verify(&u, va, n, 1);
	assert_int_equal(ev(m, PGMAJFAULT), maj + n);
	assert_int_equal(ut_rss(&u, MM_ANONPAGES), n);
	assert_int_equal(ut_rss(&u, MM_SWAPENTS), 0);
	ut_check(m);
	/* the pages sit in the swap cache with their slots until written or freed */
	assert_int_equal(node_stat(m, NR_SWAPCACHE), n);
	assert_true(folio_test_swapcache(folio_at(&u, va)));
	ut_exit(&u);
	ut_check(m);
	assert_int_equal(node_stat(m, NR_SWAPCACHE), 0);
	assert_int_equal(get_nr_swap_pages(&m->kernel), free_before);
	test_machine_done(m);
}

/*
 * A write fault on a swap PTE carrying the exclusive marker maps the swapped-in page
 * writable at once (no copy), and since only the cache and the fault hold the folio then
 * (should_try_to_free_swap: refcount 2 after the LRU batch drained) its slot is freed.
 */
static void test_swap_write_fault_reuses_exclusive(void **state)
{
	struct kmm_machine *m = boot();
	struct utask u;
	struct folio *folio;
	uint64_t va;

	(void)state;
	swap_on(m, SWAP_DEV_PLAIN, "/dev/vdb", 16);
	swap_set_page_cluster(&m->kernel, 0);
	ut_init(&u, m, 1);
	va = ut_mmap(&u, 0, P, RW, PA);
	fill(&u, va, 1, 3);
	swap_out_range(&u, va, 1);
	assert_true(pte_swp_exclusive(__pte(ut_pte(&u, va))));
	ut_store64(&u, va + 8, 42);
	folio = folio_at(&u, va);
	assert_true(pte_write(__pte(ut_pte(&u, va))));
	assert_true(PageAnonExclusive(&folio->page));
	assert_false(folio_test_swapcache(folio));
	assert_int_equal(node_stat(m, NR_SWAPCACHE), 0);
	assert_int_equal(ut_load64(&u, va + 8), 42);
	assert_int_equal(ut_load64(&u, va), pattern(va, 3));
	ut_check(m);
	ut_exit(&u);
	test_machine_done(m);
}

/*
 * Swapped after fork: the folio is mapped by parent and child; try_to_unmap puts the entry in
 * both PTEs (count 2, not exclusive). Each side reads its data back; SwapPss is half a page.
 * The child's exit drops its count; the parent's the last.
 */
static void test_swap_after_fork_both_tasks(void **state)
{
	struct kmm_machine *m = boot();
	struct utask parent, child;
	const unsigned n = 8;
	long free_before;
	swp_entry_t e;
	uint64_t va;

	(void)state;
	swap_on(m, SWAP_DEV_PLAIN, "/dev/vdb", 16);
	swap_set_page_cluster(&m->kernel, 0);
	free_before = get_nr_swap_pages(&m->kernel);
	ut_init(&parent, m, 1);
	va = ut_mmap(&parent, 0, n * P, RW, PA);
	fill(&parent, va, n, 5);
	ut_fork(&parent, &child, 2);
	swap_out_range(&parent, va, n);
	e = swap_entry_at(&parent, va);
	assert_int_equal(swap_entry_at(&child, va).val, e.val);
	assert_int_equal(swap_map_byte(&m->kernel, e), 2);
	assert_false(pte_swp_exclusive(__pte(ut_pte(&parent, va))));
	assert_int_equal(ut_rss(&parent, MM_SWAPENTS), n);
	assert_int_equal(ut_rss(&child, MM_SWAPENTS), n);
	verify(&child, va, n, 5);
	ut_check(m);
	/* the child's read left the pages in the swap cache, the parent's PTEs still swap */
	assert_true(pte_is_swap(&parent, va));
	assert_int_equal(swap_map_byte(&m->kernel, e), 1 | SWAP_HAS_CACHE);
	verify(&parent, va, n, 5);
	ut_check(m);
	ut_exit(&child);
	ut_check(m);
	ut_exit(&parent);
	ut_check(m);
	assert_int_equal(get_nr_swap_pages(&m->kernel), free_before);
	test_machine_done(m);
}

/*
 * Fork of swapped pages: copy_nonpresent_pte duplicates each slot (count 2), the child counts
 * MM_SWAPENTS, the parent's exclusive marker goes. The child reads them (into the swap
 * cache); its exit unmaps them but the cache keeps them while the parent's PTEs hold the
 * slots (count 1 | SWAP_HAS_CACHE: free_swap_cache finds the slot still swapped); the
 * parent reads its data from the cache.
 */
static void test_swap_fork_of_swapped_pages(void **state)
{
	struct kmm_machine *m = boot();
	struct utask parent, child;
	const unsigned n = 8;
	long free_before;
	swp_entry_t e;
	uint64_t va;

	(void)state;
	swap_on(m, SWAP_DEV_PLAIN, "/dev/vdb", 16);
	swap_set_page_cluster(&m->kernel, 0);
	free_before = get_nr_swap_pages(&m->kernel);
	ut_init(&parent, m, 1);
	va = ut_mmap(&parent, 0, n * P, RW, PA);
	fill(&parent, va, n, 9);
	swap_out_range(&parent, va, n);
	e = swap_entry_at(&parent, va);
	assert_true(pte_swp_exclusive(__pte(ut_pte(&parent, va))));
	ut_fork(&parent, &child, 2);
	assert_int_equal(swap_map_byte(&m->kernel, e), 2);
	assert_false(pte_swp_exclusive(__pte(ut_pte(&parent, va))));
	assert_int_equal(ut_rss(&child, MM_SWAPENTS), n);
	assert_int_equal(get_nr_swap_pages(&m->kernel), free_before - n);
	verify(&child, va, n, 9);
	ut_check(m);
	ut_exit(&child);
	ut_check(m);
	/* the child's reads left the pages in the swap cache: the parent's PTEs hold the slots */
	assert_int_equal(swap_map_byte(&m->kernel, e), 1 | SWAP_HAS_CACHE);
	assert_int_equal(node_stat(m, NR_SWAPCACHE), n);
	verify(&parent, va, n, 9);
	ut_exit(&parent);
	ut_check(m);
	assert_int_equal(get_nr_swap_pages(&m->kernel), free_before);
	test_machine_done(m);
}

/* mremap moving a swapped range keeps the swap PTEs; the data comes back at the new place. */
static void test_swap_mremap_move(void **state)
{
	struct kmm_machine *m = boot();
	const unsigned n = 16;
	unsigned long moved;
	struct utask u;
	uint64_t va, dst;

	(void)state;
	swap_on(m, SWAP_DEV_PLAIN, "/dev/vdb", 16);
	ut_init(&u, m, 1);
	va = ut_mmap(&u, 0x10000000, n * P, RW, PA | MAP_FIXED);
	dst = 0x20000000; /* another PTE table: move_ptes entry by entry */
	fill(&u, va, n, 11);
	swap_out_range(&u, va, n);
	moved = do_mremap(u.t.mm, va, n * P, n * P, MREMAP_MAYMOVE | MREMAP_FIXED, dst);
	assert_int_equal(moved, dst);
	ut_check(m);
	for (unsigned i = 0; i < n; i++)
		assert_true(pte_is_swap(&u, dst + i * P));
	/* the pages were filled at va: their data is the old addresses' pattern */
	for (unsigned i = 0; i < n; i++)
		for (unsigned w = 0; w < 4; w++)
			assert_int_equal(ut_load64(&u, dst + i * P + w * 1024),
					 pattern(va + i * P + w * 1024, 11));
	ut_check(m);
	ut_exit(&u);
	test_machine_done(m);
}

/* One VMA fault at page @f of 64 swapped pages: pages read ahead (swap_ra) and the window. */
static void vma_ra_case(int cluster, unsigned long want_ra, unsigned first, unsigned last)
{
	struct kmm_machine *m = boot();
	const unsigned n = 64, f = 20;
	unsigned long ra, hit;
	struct utask u;
	uint64_t va;

	swap_on(m, SWAP_DEV_PLAIN, "/dev/vdb", 16);
	ut_init(&u, m, 1);
	va = ut_mmap(&u, 0x10000000, n * P, RW, PA | MAP_FIXED); /* one PTE table */
	assert_int_equal(va, 0x10000000);
	fill(&u, va, n, 13);
	swap_out_range(&u, va, n);
	assert_int_equal(swap_set_page_cluster(&m->kernel, cluster), 0);
	ra = ev(m, SWAP_RA);
	hit = ev(m, SWAP_RA_HIT);
	assert_int_equal(ut_load64(&u, va + f * P), pattern(va + f * P, 13));
	assert_int_equal(ev(m, SWAP_RA), ra + want_ra);
	assert_int_equal(node_stat(m, NR_SWAPCACHE), want_ra + 1);
	for (unsigned i = 0; i < n; i++) {
		bool in = i >= first && i <= last;
		struct folio *fo;

		if (i == f) {
			assert_false(pte_is_swap(&u, va + i * P));
			continue;
		}
		fo = swap_cache_lookup_folio(&m->kernel, swap_entry_at(&u, va + i * P));
		assert_int_equal(fo != NULL, in);
		if (fo)
			folio_put(&m->kernel, fo);
	}
	ut_check(m);
	if (want_ra) { /* the next page was read ahead: a hit, no major fault */
		unsigned long maj = ev(m, PGMAJFAULT);

		assert_int_equal(ut_load64(&u, va + (f + 1) * P), pattern(va + (f + 1) * P, 13));
		assert_int_equal(ev(m, SWAP_RA_HIT), hit + 1);
		assert_int_equal(ev(m, PGMAJFAULT), maj);
	}
	verify(&u, va, n, 13);
	ut_check(m);
	ut_exit(&u);
	test_machine_done(m);
}

static void test_swap_vma_readahead_windows(void **state)
{
	(void)state;
	vma_ra_case(3, 7, 17, 24);
	vma_ra_case(2, 3, 19, 22);
	vma_ra_case(1, 1, 20, 21);
	vma_ra_case(0, 0, 20, 20);
}

/*
 * Cluster readahead (vma_ra_enabled off): the aligned block of 8 slots around the faulting
 * slot (page-cluster 3), the header slot excluded: every slot of that block holding one of
 * our pages is read, the others are free and skipped.
 */
static void test_swap_cluster_readahead_window(void **state)
{
	struct kmm_machine *m = boot();
	const unsigned n = 32, f = 10;
	unsigned long ra, want = 0, off;
	struct utask u;
	uint64_t va;

	(void)state;
	swap_on(m, SWAP_DEV_PLAIN, "/dev/vdb", 16);
	swap_set_vma_ra_enabled(&m->kernel, false);
	ut_init(&u, m, 1);
	va = ut_mmap(&u, 0, n * P, RW, PA);
	fill(&u, va, n, 17);
	swap_out_range(&u, va, n);
	off = swp_offset(swap_entry_at(&u, va + f * P));
	for (unsigned i = 0; i < n; i++) {
		unsigned long o = swp_offset(swap_entry_at(&u, va + i * P));

		if (i != f && o >= (off & ~7UL) && o <= (off | 7UL) && o != 0)
			want++;
	}
	ra = ev(m, SWAP_RA);
	assert_int_equal(ut_load64(&u, va + f * P), pattern(va + f * P, 17));
	assert_int_equal(ev(m, SWAP_RA), ra + want);
	assert_true(want > 0);
	ut_check(m);
	verify(&u, va, n, 17);
	ut_exit(&u);
	ut_check(m);
	test_machine_done(m);
}

/*
 * MADV_FREE: clean lazyfree folios are discarded by try_to_unmap (no swap slot used, the
 * next read is a zero page); a page written after the advice is kept, swap-backed again.
 */
static void test_swap_madv_free_discard(void **state)
{
	struct kmm_machine *m = boot();
	const unsigned n = 4;
	long free_before;
	struct folio *kept;
	struct utask u;
	uint64_t va;

	(void)state;
	swap_on(m, SWAP_DEV_PLAIN, "/dev/vdb", 16);
	free_before = get_nr_swap_pages(&m->kernel);
	ut_init(&u, m, 1);
	va = ut_mmap(&u, 0, n * P, RW, PA);
	fill(&u, va, n, 19);
	assert_int_equal(do_madvise(u.t.mm, va, n * P, MADV_FREE), 0);
	lru_add_drain_all(&m->kernel);
	ut_store64(&u, va + 3 * P, 99); /* redirtied: must survive */
	kept = folio_at(&u, va + 3 * P);
	for (unsigned i = 0; i < 3; i++) {
		struct folio *folio = folio_at(&u, va + i * P);

		assert_false(folio_test_swapbacked(folio));
		assert_int_equal(folio_isolate_lru(&m->kernel, folio), 0);
		try_to_unmap(&m->kernel, folio, 0);
		assert_false(folio_mapped(folio));
		folio_put(&m->kernel, folio); /* isolation's: freed */
		assert_int_equal(ut_pte(&u, va + i * P), 0);
	}
	assert_int_equal(ut_rss(&u, MM_ANONPAGES), 1);
	ut_check(m);
	assert_int_equal(folio_isolate_lru(&m->kernel, kept), 0);
	try_to_unmap(&m->kernel, kept, 0);
	assert_true(folio_mapped(kept));
	assert_true(folio_test_swapbacked(kept));
	folio_putback_lru(&m->kernel, kept);
	ut_check(m);
	assert_int_equal(ut_load64(&u, va), 0);
	assert_int_equal(ut_load64(&u, va + 3 * P), 99);
	assert_int_equal(get_nr_swap_pages(&m->kernel), free_before);
	ut_check(m);
	ut_exit(&u);
	test_machine_done(m);
}

/*
 * mincore and MADV_WILLNEED: a swapped page is not resident; WILLNEED reads the range into
 * the swap cache (the PTEs stay swap entries) and mincore then says resident; MADV_DONTNEED
 * frees the slots.
 */
static void test_swap_mincore_willneed_dontneed(void **state)
{
	struct kmm_machine *m = boot();
	const unsigned n = 8;
	long free_before;
	unsigned char vec[8];
	struct utask u;
	uint64_t va;

	(void)state;
	swap_on(m, SWAP_DEV_PLAIN, "/dev/vdb", 16);
	free_before = get_nr_swap_pages(&m->kernel);
	ut_init(&u, m, 1);
	va = ut_mmap(&u, 0, n * P, RW, PA);
	fill(&u, va, n, 23);
	swap_out_range(&u, va, n);
	assert_int_equal(do_mincore(u.t.mm, va, n * P, vec), 0);
	for (unsigned i = 0; i < n; i++)
		assert_int_equal(vec[i], 0);
	assert_int_equal(do_madvise(u.t.mm, va, n * P, MADV_WILLNEED), 0);
	swap_io_drain(&m->kernel);
	ut_check(m);
	assert_int_equal(node_stat(m, NR_SWAPCACHE), n);
	assert_int_equal(do_mincore(u.t.mm, va, n * P, vec), 0);
	for (unsigned i = 0; i < n; i++) {
		assert_int_equal(vec[i], 1);
		assert_true(pte_is_swap(&u, va + i * P));
	}
	assert_int_equal(do_madvise(u.t.mm, va, n * P, MADV_DONTNEED), 0);
	ut_check(m);
	assert_int_equal(ut_rss(&u, MM_SWAPENTS), 0);
	assert_int_equal(get_nr_swap_pages(&m->kernel), free_before);
	ut_exit(&u);
	test_machine_done(m);
}

/*
 * swapoff: try_to_unuse brings every entry of the device back into the PTEs of parent and
 * child (one page each, shared: mapcount 2), the device ends with no slot in use.
 */
static void test_swap_try_to_unuse_brings_back(void **state)
{
	struct kmm_machine *m = boot();
	struct utask parent, child;
	const unsigned n = 24;
	struct folio *folio;
	uint64_t va;

	(void)state;
	swap_on(m, SWAP_DEV_PLAIN, "/dev/vdb", 16);
	ut_init(&parent, m, 1);
	va = ut_mmap(&parent, 0, n * P, RW, PA);
	fill(&parent, va, n, 29);
	ut_fork(&parent, &child, 2);
	swap_out_range(&parent, va, n);
	assert_int_equal(try_to_unuse(&m->kernel, swp_type(swap_entry_at(&parent, va))), 0);
	ut_check(m);
	assert_int_equal(swp_swap_info(&m->kernel, swp_entry(0, 0))->inuse_pages, 0);
	for (unsigned i = 0; i < n; i++) {
		assert_false(pte_is_swap(&parent, va + i * P));
		assert_false(pte_is_swap(&child, va + i * P));
	}
	folio = folio_at(&parent, va);
	assert_int_equal(folio_mapcount(folio), 2);
	assert_ptr_equal(folio_at(&child, va), folio);
	assert_int_equal(ut_rss(&parent, MM_SWAPENTS), 0);
	assert_int_equal(node_stat(m, NR_SWAPCACHE), 0);
	verify(&parent, va, n, 29);
	verify(&child, va, n, 29);
	ut_check(m);
	ut_exit(&child);
	ut_exit(&parent);
	ut_check(m);
	test_machine_done(m);
}

/*
 * zram (SWP_SYNCHRONOUS_IO): a fault on a slot only one PTE holds reads a new page at once,
 * outside the swap cache (nr_swapcached stays 0, no readahead), and frees the slot.
 */
static void test_swap_zram_synchronous_shortcut(void **state)
{
	struct kmm_machine *m = boot();
	const unsigned n = 8;
	unsigned long ra, maj;
	long free_before;
	struct utask u;
	uint64_t va;

	(void)state;
	swap_on(m, SWAP_DEV_ZRAM, "/dev/zram0", 16);
	free_before = get_nr_swap_pages(&m->kernel);
	ut_init(&u, m, 1);
	va = ut_mmap(&u, 0, n * P, RW, PA);
	fill(&u, va, n, 31);
	swap_out_range(&u, va, n);
	ra = ev(m, SWAP_RA);
	maj = ev(m, PGMAJFAULT);
	verify(&u, va, n, 31);
	assert_int_equal(ev(m, SWAP_RA), ra);
	assert_int_equal(ev(m, PGMAJFAULT), maj + n);
	assert_int_equal(node_stat(m, NR_SWAPCACHE), 0);
	assert_int_equal(get_nr_swap_pages(&m->kernel), free_before);
	ut_check(m);
	ut_exit(&u);
	test_machine_done(m);
}

/* The value (kB) of "@field:" in /proc/@pid/@file (the first occurrence). */
/*
 * The views of a task whose 16 written pages were swapped out, then forked: smaps_rollup's
 * Swap is 64 kB in both, SwapPss half of it (each slot held by 2 PTEs: 4096 / 2 bytes per
 * page), status VmSwap 64 kB (MM_SWAPENTS), Rss 0 for those pages. The child's exit: the
 * parent's SwapPss is the whole 64 kB again.
 */
static void test_swap_smaps_and_status_views(void **state)
{
	struct kmm_machine *m = boot();
	const unsigned n = 16;
	kmm_pid_t pid, child;
	long rss_before;
	kmm_va_t va;

	(void)state;
	swap_on(m, SWAP_DEV_PLAIN, "/dev/vdb", 16);
	assert_int_equal(kmm_task_create(m, "swapper", 0, &pid), KMM_OK);
	assert_int_equal(kmm_mmap(m, pid, 0, n * P, KMM_PROT_READ | KMM_PROT_WRITE,
				  KMM_MAP_PRIVATE | KMM_MAP_ANONYMOUS, -1, 0, &va),
			 KMM_OK);
	assert_int_equal(
		kmm_task_touch(m, pid, KMM_ACCESS_STORE, va, n * P, 0, KMM_TOUCH_SEQ, 0xfeed, NULL),
		KMM_OK);
	rss_before = test_view_kb(m, pid, "smaps_rollup", "Rss");
	{
		struct task_struct *t = find_task_by_vpid(&m->kernel, pid);
		struct utask u = {.m = m, .k = &m->kernel};

		u.t.mm = t->mm;
		sync_mm_rss(t, t->mm);
		swap_out_range(&u, va, n);
	}
	assert_int_equal(test_view_kb(m, pid, "smaps_rollup", "Swap"), n * 4);
	assert_int_equal(test_view_kb(m, pid, "smaps_rollup", "SwapPss"), n * 4);
	assert_int_equal(test_view_kb(m, pid, "status", "VmSwap"), n * 4);
	assert_int_equal(test_view_kb(m, pid, "smaps_rollup", "Rss"), rss_before - n * 4);
	assert_int_equal(kmm_task_fork(m, pid, &child), KMM_OK);
	ut_check(m);
	assert_int_equal(test_view_kb(m, pid, "smaps_rollup", "Swap"), n * 4);
	assert_int_equal(test_view_kb(m, pid, "smaps_rollup", "SwapPss"), n * 2);
	assert_int_equal(test_view_kb(m, child, "smaps_rollup", "SwapPss"), n * 2);
	assert_int_equal(test_view_kb(m, child, "status", "VmSwap"), n * 4);
	assert_int_equal(kmm_task_exit(m, child, 0), KMM_OK);
	ut_check(m);
	assert_int_equal(test_view_kb(m, pid, "smaps_rollup", "SwapPss"), n * 4);
	assert_int_equal(kmm_task_exit(m, pid, 0), KMM_OK);
	ut_check(m);
	test_machine_done(m);
}

/*
 * vm.page-cluster: 3 on a machine above 16 MiB (swap_setup), written through sysctl and read
 * back as proc_dointvec prints it; a negative value is refused (extra1 = SYSCTL_ZERO) and
 * changes nothing. /sys/kernel/mm/swap/vma_ra_enabled reads "true" by default.
 */
static void test_swap_page_cluster_sysctl(void **state)
{
	struct kmm_machine *m = boot();
	char buf[32];

	(void)state;
	assert_int_equal(swap_page_cluster(&m->kernel), 3);
	assert_int_equal(kmm_proc_read(m, "/proc/sys/vm/page-cluster", buf, sizeof(buf)), KMM_OK);
	assert_string_equal(buf, "3\n");
	assert_int_equal(kmm_sysctl(m, "vm.page-cluster", "1"), KMM_OK);
	assert_int_equal(swap_page_cluster(&m->kernel), 1);
	assert_int_equal(kmm_sysctl(m, "vm.page-cluster", "-1"), KMM_EINVAL);
	assert_int_equal(swap_page_cluster(&m->kernel), 1);
	assert_int_equal(kmm_proc_read(m, "/sys/kernel/mm/swap/vma_ra_enabled", buf, sizeof(buf)),
			 KMM_OK);
	assert_string_equal(buf, "true\n");
	ut_check(m);
	test_machine_done(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_swap_private_anon_roundtrip),
		cmocka_unit_test(test_swap_write_fault_reuses_exclusive),
		cmocka_unit_test(test_swap_after_fork_both_tasks),
		cmocka_unit_test(test_swap_fork_of_swapped_pages),
		cmocka_unit_test(test_swap_mremap_move),
		cmocka_unit_test(test_swap_vma_readahead_windows),
		cmocka_unit_test(test_swap_cluster_readahead_window),
		cmocka_unit_test(test_swap_madv_free_discard),
		cmocka_unit_test(test_swap_mincore_willneed_dontneed),
		cmocka_unit_test(test_swap_try_to_unuse_brings_back),
		cmocka_unit_test(test_swap_zram_synchronous_shortcut),
		cmocka_unit_test(test_swap_smaps_and_status_views),
		cmocka_unit_test(test_swap_page_cluster_sysctl),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
