/*
 * Splitting transparent huge pages (src/mm/huge_memory.c's split section) and THP swap-out
 * (src/mm/vmscan.c): split_huge_page on a PMD-mapped and on a PTE-mapped THP, the pin that
 * refuses it, the deferred split queue a partial unmap fills and its shrinker empties, and
 * reclaim swapping a THP out whole (a free swap cluster) or page by page (none free).
 *
 * Expected values are 6.1's rules worked by hand:
 *   - split_huge_page_to_list: can_split_folio() wants refcount == mapcount + 1 (+ 512 in the
 *     swap cache), else -EAGAIN and thp_split_page_failed; a PMD-mapped THP is unmapped through
 *     migration entries (thp_split_pmd 1) and remapped by PTEs of the same 512 pages, each an
 *     order-0 folio with the THP's anon mapping, index head + i, on the LRU next to the head;
 *     thp_split_page 1; NR_ANON_THPS and AnonHugePages fall by 512 pages with the PMD;
 *     the PTEs that went (migration entries, page_remove_rmap to -1 on a compound page) queue
 *     the THP once (thp_deferred_split_page 1) and the split takes it off the queue;
 *   - a PTE unmap that leaves a THP partly mapped queues it (deferred_split_huge_page);
 *     freeing it takes it off (free_transhuge_page); deferred_split_scan splits it, and the
 *     unmapped pages are freed by the split;
 *   - the TLB: a 2 MiB block takes one walk; after the split each 4 KiB page takes its own
 *     (512 walks for 512 pages: no block entry survives the split);
 *   - THP swap-out: add_to_swap takes one free cluster (512 slots, get_swap_pages with
 *     entry_size 512), try_to_unmap with TTU_SPLIT_HUGE_PMD splits the PMD (thp_split_pmd 1)
 *     and writes 512 swap PTEs, pageout writes it whole: thp_swpout 1, pswpout 512; with no
 *     free cluster the THP is split first (thp_swpout_fallback 1, thp_split_page 1) and its
 *     512 pages go out one by one (pswpout 512, thp_swpout 0). Swap-in is page by page;
 *   - MADV_FREE (madvise_free_huge_pmd, lru_lazyfree_fn, try_to_unmap_one's MADV_FREE check):
 *     a whole exclusive THP is made lazily freeable whole and reclaim discards it; a partly
 *     covered one is split; a shared one is left; a redirtied one is kept.
 * User data is checksummed across every step; kmm_check runs after each.
 */
#include "mm_test.h"

#include "kmm/mmu.h"
#include "mm/huge_mm.h"
#include "mm/mman.h"
#include "mm/pagemap.h"
#include "mm/shrinker.h"
#include "mm/swap_state.h"
#include "mm/swapfile.h"
#include "mm/vmscan.h"

#define P  PAGE_SIZE
#define HP (2UL << 20)
#define NR 512UL
#define RW (PROT_READ | PROT_WRITE)
#define PF (MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED)
#define VA 0x40000000UL /* 2 MiB aligned */

static struct kmm_machine *boot(void)
{
	struct kmm_config cfg;

	kmm_config_init(&cfg);
	assert_int_equal(kmm_config_set_ram(&cfg, 1ull << 30), KMM_OK);
	assert_int_equal(kmm_config_option(&cfg, "-cpu", "cortex-a57"), KMM_OK);
	return test_machine(&cfg);
}

static unsigned long ev(struct kmm_machine *m, enum vm_event_item i)
{
	return m->kernel.vm_events[i];
}

static uint64_t pattern(uint64_t va, uint64_t salt)
{
	return (va ^ (salt << 56)) * 0x9e3779b97f4a7c15ull;
}

/* Each of @n pages gets 8 words of pattern(salt), one every 512 bytes. */
static void fill(struct utask *u, unsigned long va, unsigned long n, uint64_t salt)
{
	for (unsigned long i = 0; i < n; i++)
		for (unsigned long w = 0; w < 8; w++)
			ut_store64(u, va + i * P + w * 512, pattern(va + i * P + w * 512, salt));
}

/* Every page of [va, va + n pages) read through the MMU holds pattern(salt). */
static bool holds(struct utask *u, unsigned long va, unsigned long n, uint64_t salt)
{
	for (unsigned long i = 0; i < n; i++)
		for (unsigned long w = 0; w < 8; w++)
			if (ut_load64(u, va + i * P + w * 512) !=
			    pattern(va + i * P + w * 512, salt))
				return false;
	return true;
}

/* The same read in the physical pages: page i of the THP at @pfn holds it too. */
static bool phys_holds(struct kmm_machine *m, unsigned long pfn, unsigned long va, uint64_t salt)
{
	for (unsigned long i = 0; i < NR; i++) {
		const uint64_t *p = page_host(&m->kernel, pfn_to_page(&m->kernel, pfn + i), P);

		for (unsigned long w = 0; w < 8; w++)
			if (p[w * 64] != pattern(va + i * P + w * 512, salt))
				return false;
	}
	return true;
}

static pmd_t pmd_at(struct utask *u, unsigned long va)
{
	pmd_t *p = mm_find_pmd(u->t.mm, va);

	return p ? *p : __pmd(0);
}

static bool pmd_dirty_at(struct utask *u, unsigned long va)
{
	return pte_dirty(pmd_pte(pmd_at(u, va)));
}

static bool is_huge(struct utask *u, unsigned long va)
{
	return pmd_trans_huge(pmd_at(u, va));
}

/* A THP at @va, filled with pattern(salt): its head page. */
static struct page *thp_at(struct utask *u, unsigned long va, uint64_t salt)
{
	fill(u, va, NR, salt);
	assert_true(is_huge(u, va));
	return pfn_to_page(u->k, pmd_pfn(pmd_at(u, va)));
}

/* split_huge_page as its callers hold it: a reference and the lock. */
static int split_locked(struct kmm_kernel *k, struct page *page)
{
	struct folio *folio = page_folio(page);
	int ret;

	folio_get(folio);
	folio_lock(folio);
	ret = split_huge_page(k, page);
	folio_unlock(page_folio(page));
	put_page(k, page);
	return ret;
}

/*
 * A PMD-mapped THP split: the same 512 PFNs, each its own order-0 anonymous folio on the LRU,
 * mapped by a PTE; the block's TLB entry is gone (512 walks for 512 pages); the data is
 * intact through the MMU and in the pages.
 */
static void test_thp_split_pmd_mapped(void **state)
{
	struct kmm_machine *m = boot();
	struct kmm_kernel *k = &m->kernel;
	struct kmm_tlb_stats t0, t1;
	unsigned long pfn, lru0;
	struct page *head;
	struct utask u;

	(void)state;
	ut_init(&u, m, 1);
	assert_int_equal(ut_mmap(&u, VA, HP, RW, PF), VA);
	head = thp_at(&u, VA, 1);
	pfn = page_to_pfn(k, head);
	assert_int_equal(node_stat(m, NR_ANON_THPS), NR);
	lru0 = node_stat(m, NR_INACTIVE_ANON) + node_stat(m, NR_ACTIVE_ANON);
	ut_check(m);

	assert_int_equal(split_locked(k, head), 0);
	assert_int_equal(ev(m, THP_SPLIT_PAGE), 1);
	assert_int_equal(ev(m, THP_SPLIT_PAGE_FAILED), 0);
	assert_int_equal(ev(m, THP_SPLIT_PMD), 1);
	/* the migration entries' page_remove_rmap queued it once; the split took it off */
	assert_int_equal(ev(m, THP_DEFERRED_SPLIT_PAGE), 1);
	assert_int_equal(deferred_split_queue_len(k, 0), 0);
	assert_int_equal(node_stat(m, NR_ANON_THPS), 0);
	assert_int_equal(node_stat(m, NR_ANON_MAPPED), NR);
	assert_int_equal(node_stat(m, NR_INACTIVE_ANON) + node_stat(m, NR_ACTIVE_ANON), lru0);
	assert_int_equal(ut_rss(&u, MM_ANONPAGES), NR);
	assert_false(is_huge(&u, VA));
	for (unsigned long i = 0; i < NR; i++) {
		struct page *page = pfn_to_page(k, pfn + i);
		pte_t pte = __pte(ut_pte(&u, VA + i * P));

		assert_true(pte_present(pte));
		assert_int_equal(pte_pfn(pte), pfn + i);
		assert_false(PageCompound(page));
		assert_true(PageAnon(page) && PageLRU(page) && PageAnonExclusive(page));
		assert_int_equal(page->index, (VA >> PAGE_SHIFT) + i);
		assert_int_equal(page->mapping, head->mapping);
		assert_int_equal(page_ref_count(page), 1);
		assert_int_equal(page_mapcount(page), 1);
	}
	ut_check(m);

	/* no stale block translation: each page now takes its own walk */
	assert_int_equal(kmm_tlb_stats(m, 0, &t0), KMM_OK);
	assert_true(holds(&u, VA, NR, 1));
	assert_int_equal(kmm_tlb_stats(m, 0, &t1), KMM_OK);
	assert_int_equal(t1.walks - t0.walks, NR);
	assert_true(phys_holds(m, pfn, VA, 1));
	fill(&u, VA, NR, 2); /* writes land in the same pages */
	assert_true(phys_holds(m, pfn, VA, 2));
	ut_check(m);
	ut_exit(&u);
	ut_check(m);
	test_machine_done(m);
}

/*
 * A pinned THP (FOLL_PIN: one reference more than its mappings) and one held by a GUP
 * reference refuse to split: -EAGAIN, thp_split_page_failed, the PMD intact. Unpinned, it
 * splits.
 */
static void test_thp_split_refused_when_pinned(void **state)
{
	struct kmm_machine *m = boot();
	struct kmm_kernel *k = &m->kernel;
	struct page *head, *pages[1];
	struct utask u;

	(void)state;
	ut_init(&u, m, 1);
	assert_int_equal(ut_mmap(&u, VA, HP, RW, PF), VA);
	head = thp_at(&u, VA, 3);
	assert_int_equal(pin_user_pages(u.t.mm, VA + 9 * P, 1, FOLL_WRITE | FOLL_LONGTERM, pages),
			 1);
	assert_ptr_equal(pages[0], head + 9);
	assert_int_equal(split_locked(k, head), -EAGAIN);
	assert_int_equal(ev(m, THP_SPLIT_PAGE_FAILED), 1);
	assert_int_equal(ev(m, THP_SPLIT_PAGE), 0);
	assert_true(is_huge(&u, VA));
	assert_int_equal(node_stat(m, NR_ANON_THPS), NR);
	assert_true(holds(&u, VA, NR, 3));
	ut_check(m);
	unpin_user_page(k, pages[0]);

	assert_int_equal(get_user_pages(u.t.mm, VA, 1, 0, pages), 1);
	assert_int_equal(split_locked(k, head), -EAGAIN);
	assert_int_equal(ev(m, THP_SPLIT_PAGE_FAILED), 2);
	put_page(k, pages[0]);
	ut_check(m);

	assert_int_equal(split_locked(k, head), 0);
	assert_int_equal(ev(m, THP_SPLIT_PAGE), 1);
	assert_true(holds(&u, VA, NR, 3));
	ut_check(m);
	ut_exit(&u);
	test_machine_done(m);
}

/*
 * munmap of 16 pages in the middle of a THP: the PMD is split (vma_adjust_trans_huge), the
 * first PTE unmapped queues the THP (thp_deferred_split_page 1, queue length 1; the other 15
 * find it queued). AnonHugePages is 0 from the PMD split on, the 512 pages stay allocated.
 * The shrinker counts 1 and its scan splits it: thp_split_page 1, the 16 unmapped pages
 * freed, 496 left mapped with their data.
 */
static void test_thp_deferred_split_partial_munmap(void **state)
{
	struct kmm_machine *m = boot();
	struct kmm_kernel *k = &m->kernel;
	unsigned long pfn;
	struct utask u;

	(void)state;
	ut_init(&u, m, 1);
	assert_int_equal(ut_mmap(&u, VA, HP, RW, PF), VA);
	pfn = page_to_pfn(k, thp_at(&u, VA, 4));
	assert_int_equal(do_munmap(u.t.mm, VA + 100 * P, 16 * P), 0);
	assert_int_equal(ev(m, THP_SPLIT_PMD), 1);
	assert_int_equal(ev(m, THP_DEFERRED_SPLIT_PAGE), 1);
	assert_int_equal(deferred_split_queue_len(k, 0), 1);
	assert_int_equal(node_stat(m, NR_ANON_THPS), 0);
	assert_int_equal(node_stat(m, NR_ANON_MAPPED), NR - 16);
	assert_true(PageHead(pfn_to_page(k, pfn)));
	ut_check(m);

	/*
	 * shrink_slab at priority 0: deferred_split_count 1, delta 1 * 4 / DEFAULT_SEEKS = 2,
	 * one scan of 2: the THP is split (the other shrinkers find nothing of it).
	 */
	assert_true(shrink_slab(k, GFP_KERNEL, 0, 0) >= 1);
	assert_int_equal(ev(m, THP_SPLIT_PAGE), 1);
	assert_int_equal(deferred_split_queue_len(k, 0), 0);
	assert_false(PageCompound(pfn_to_page(k, pfn)));
	for (unsigned long i = 100; i < 116; i++)
		assert_int_equal(page_ref_count(pfn_to_page(k, pfn + i)), 0);
	assert_int_equal(node_stat(m, NR_ANON_MAPPED), NR - 16);
	assert_true(holds(&u, VA, 100, 4));
	assert_true(holds(&u, VA + 116 * P, NR - 116, 4));
	ut_check(m);
	ut_exit(&u);
	test_machine_done(m);
}

/*
 * MADV_DONTNEED of the THP's first 8 pages queues it; munmap of the rest frees it and takes
 * it off the queue (free_transhuge_page): nothing left to split.
 */
static void test_thp_deferred_split_dontneed_then_free(void **state)
{
	struct kmm_machine *m = boot();
	struct kmm_kernel *k = &m->kernel;
	struct utask u;

	(void)state;
	ut_init(&u, m, 1);
	assert_int_equal(ut_mmap(&u, VA, HP, RW, PF), VA);
	thp_at(&u, VA, 5);
	assert_int_equal(do_madvise(u.t.mm, VA, 8 * P, MADV_DONTNEED), 0);
	assert_int_equal(ev(m, THP_DEFERRED_SPLIT_PAGE), 1);
	assert_int_equal(deferred_split_queue_len(k, 0), 1);
	assert_int_equal(ut_load64(&u, VA), 0); /* a new zero-filled page */
	assert_true(holds(&u, VA + 8 * P, NR - 8, 5));
	ut_check(m);
	assert_int_equal(do_munmap(u.t.mm, VA, HP), 0);
	assert_int_equal(deferred_split_queue_len(k, 0), 0);
	assert_int_equal(ev(m, THP_SPLIT_PAGE), 0);
	assert_int_equal(node_stat(m, NR_ANON_MAPPED), 0);
	ut_check(m);
	ut_exit(&u);
	test_machine_done(m);
}

/* ---- THP swap-out ------------------------------------------------------------------------ */

/* A swap device of @mib MiB: plain (asynchronous) or zram (SWP_SYNCHRONOUS_IO). */
static void swap_on(struct kmm_machine *m, enum swap_dev_kind kind, unsigned long mib)
{
	struct swap_dev *dev = NULL;

	assert_int_equal(
		swap_dev_create(&m->kernel, kind, "swap0", (uint64_t)mib << 20, NULL, &dev), 0);
	assert_int_equal(sys_swapon(&m->kernel, dev, 0), 0);
	ut_check(m);
}

/* MADV_PAGEOUT's way into reclaim: the folio aged and isolated, reclaim_pages on it. */
static unsigned long reclaim_folio(struct kmm_kernel *k, struct folio *folio)
{
	struct list_head list;
	unsigned long vm_flags;

	/* madvise_pageout's young-bit clearing (pmdp/ptep_test_and_clear_young) */
	folio_referenced(k, folio, 0, &vm_flags);
	lru_add_drain_all(k);
	INIT_LIST_HEAD(&list);
	assert_int_equal(folio_isolate_lru(k, folio), 0);
	list_add(&folio->lru, &list);
	return reclaim_pages(k, &list);
}

static swp_entry_t swap_entry_at(struct utask *u, unsigned long va)
{
	uint64_t *p = mm_pte_lookup(u->t.mm, va);

	assert_non_null(p);
	assert_true(is_swap_pte(__pte(*p)));
	return pte_to_swp_entry(__pte(*p));
}

/*
 * A THP swapped out whole to zram: one free cluster taken (512 slots, the first at a
 * multiple of 512), the PMD split into 512 swap PTEs naming consecutive slots, one write of
 * 512 pages (thp_swpout 1, pswpout 512), nothing split or queued; 512 pages reclaimed. The
 * pages come back one fault each (swap-in stays page by page), data intact.
 */
static void test_thp_swpout_whole_zram(void **state)
{
	struct kmm_machine *m = boot();
	struct kmm_kernel *k = &m->kernel;
	swp_entry_t first;
	struct page *head;
	struct utask u;

	(void)state;
	swap_on(m, SWAP_DEV_ZRAM, 64);
	ut_init(&u, m, 1);
	assert_int_equal(ut_mmap(&u, VA, HP, RW, PF), VA);
	head = thp_at(&u, VA, 6);
	assert_int_equal(reclaim_folio(k, page_folio(head)), NR);
	assert_int_equal(ev(m, THP_SWPOUT), 1);
	assert_int_equal(ev(m, THP_SWPOUT_FALLBACK), 0);
	assert_int_equal(ev(m, PSWPOUT), NR);
	assert_int_equal(ev(m, THP_SPLIT_PMD), 1);
	assert_int_equal(ev(m, THP_SPLIT_PAGE), 0);
	assert_int_equal(ev(m, THP_DEFERRED_SPLIT_PAGE), 0); /* in the swap cache: not queued */
	assert_int_equal(node_stat(m, NR_ANON_THPS), 0);
	assert_int_equal(ut_rss(&u, MM_ANONPAGES), 0);
	assert_int_equal(ut_rss(&u, MM_SWAPENTS), NR);
	first = swap_entry_at(&u, VA);
	assert_int_equal(swp_offset(first) % NR, 0);
	for (unsigned long i = 0; i < NR; i++) {
		swp_entry_t e = swap_entry_at(&u, VA + i * P);

		assert_int_equal(swp_type(e), swp_type(first));
		assert_int_equal(swp_offset(e), swp_offset(first) + i);
		assert_int_equal(swap_map_byte(k, e), 1);
	}
	ut_check(m);

	assert_true(holds(&u, VA, NR, 6));
	assert_int_equal(ev(m, PSWPIN), NR);
	assert_int_equal(ut_rss(&u, MM_ANONPAGES), NR);
	assert_int_equal(ut_rss(&u, MM_SWAPENTS), 0);
	assert_int_equal(node_stat(m, NR_ANON_THPS), 0); /* 4 KiB pages now */
	ut_check(m);
	ut_exit(&u);
	ut_check(m);
	test_machine_done(m);
}

/*
 * The plain (asynchronous) device: the THP is written whole and stays in the swap cache
 * under writeback when reclaim moves on. A fault on page 5 meanwhile maps that page of the
 * cached THP (folio_file_page); after the write completes every page reads back intact.
 */
static void test_thp_swpout_whole_plain_then_fault(void **state)
{
	struct kmm_machine *m = boot();
	struct kmm_kernel *k = &m->kernel;
	struct page *head;
	struct utask u;

	(void)state;
	swap_on(m, SWAP_DEV_PLAIN, 64);
	ut_init(&u, m, 1);
	assert_int_equal(ut_mmap(&u, VA, HP, RW, PF), VA);
	head = thp_at(&u, VA, 7);
	assert_int_equal(reclaim_folio(k, page_folio(head)), 0); /* written, not yet freed */
	assert_int_equal(ev(m, THP_SWPOUT), 1);
	assert_int_equal(ev(m, PSWPOUT), NR);
	assert_true(PageSwapCache(head) && PageHead(head));
	assert_int_equal(ut_rss(&u, MM_SWAPENTS), NR);
	ut_check(m);

	assert_int_equal(ut_load64(&u, VA + 5 * P), pattern(VA + 5 * P, 7));
	assert_int_equal(pte_pfn(__pte(ut_pte(&u, VA + 5 * P))), page_to_pfn(k, head + 5));
	assert_int_equal(ev(m, PSWPIN), 0); /* from the swap cache */
	ut_check(m);
	swap_io_drain(k);
	ut_check(m);
	assert_true(holds(&u, VA, NR, 7));
	ut_check(m);
	ut_exit(&u);
	ut_check(m);
	test_machine_done(m);
}

/*
 * No free cluster (a 4 MiB zram: cluster 0 holds the header, cluster 1 is taken by one
 * small page swapped first): add_to_swap fails for the THP, it is split
 * (thp_swpout_fallback 1, thp_split_page 1) and its 512 pages go out one by one in the same
 * reclaim call (pswpout 1 + 512, thp_swpout 0, 512 reclaimed). Swap-in keeps the data.
 */
static void test_thp_swpout_fallback_fragmented(void **state)
{
	struct kmm_machine *m = boot();
	struct kmm_kernel *k = &m->kernel;
	struct page *head;
	struct utask u;

	(void)state;
	swap_on(m, SWAP_DEV_ZRAM, 4);
	ut_init(&u, m, 1);
	assert_int_equal(ut_mmap(&u, VA, HP, RW, PF), VA);
	assert_int_equal(ut_mmap(&u, VA + HP, P, RW, PF), VA + HP);
	ut_store64(&u, VA + HP, 42);
	assert_int_equal(
		reclaim_folio(k, page_folio(pfn_to_page(k, pte_pfn(__pte(ut_pte(&u, VA + HP)))))),
		1);
	assert_int_equal(swp_offset(swap_entry_at(&u, VA + HP)), NR); /* cluster 1 */
	head = thp_at(&u, VA, 8);
	ut_check(m);

	assert_int_equal(reclaim_folio(k, page_folio(head)), NR);
	assert_int_equal(ev(m, THP_SWPOUT), 0);
	assert_int_equal(ev(m, THP_SWPOUT_FALLBACK), 1);
	assert_int_equal(ev(m, THP_SPLIT_PAGE), 1);
	assert_int_equal(ev(m, PSWPOUT), 1 + NR);
	assert_int_equal(ut_rss(&u, MM_SWAPENTS), 1 + NR);
	assert_int_equal(ut_rss(&u, MM_ANONPAGES), 0);
	assert_int_equal(deferred_split_queue_len(k, 0), 0);
	ut_check(m);
	assert_true(holds(&u, VA, NR, 8));
	assert_int_equal(ut_load64(&u, VA + HP), 42);
	ut_check(m);
	ut_exit(&u);
	ut_check(m);
	test_machine_done(m);
}

/*
 * Reclaim of a partly mapped THP (munmap of 4 pages: no PMD maps it) splits it before
 * add_to_swap (6.1: "split folios without a PMD map right away"): thp_split_page 1, no
 * thp_swpout, no fallback. Its 512 pages then take their own trips through
 * shrink_folio_list: the 508 mapped ones are unmapped to swap entries and written (pswpout
 * 508, 508 reclaimed); the 4 unmapped ones get a slot that swap_writepage frees at once
 * (folio_free_swap: no PTE refers to it), stay dirty, and are freed when reclaim puts them
 * back with no reference left: "freed without IO". The queue is empty (the split took the
 * THP off).
 */
static void test_thp_reclaim_partly_mapped_splits(void **state)
{
	struct kmm_machine *m = boot();
	struct kmm_kernel *k = &m->kernel;
	struct page *head;
	struct utask u;

	(void)state;
	swap_on(m, SWAP_DEV_ZRAM, 64);
	ut_init(&u, m, 1);
	assert_int_equal(ut_mmap(&u, VA, HP, RW, PF), VA);
	head = thp_at(&u, VA, 9);
	assert_int_equal(do_munmap(u.t.mm, VA + 200 * P, 4 * P), 0);
	assert_int_equal(deferred_split_queue_len(k, 0), 1);
	ut_check(m);
	assert_int_equal(reclaim_folio(k, page_folio(head)), NR - 4);
	assert_int_equal(ev(m, PSWPOUT), NR - 4);
	assert_int_equal(ev(m, THP_SPLIT_PAGE), 1);
	assert_int_equal(ev(m, THP_SWPOUT), 0);
	assert_int_equal(ev(m, THP_SWPOUT_FALLBACK), 0);
	assert_int_equal(deferred_split_queue_len(k, 0), 0);
	assert_int_equal(ut_rss(&u, MM_SWAPENTS), NR - 4);
	ut_check(m);
	assert_true(holds(&u, VA, 200, 9));
	assert_true(holds(&u, VA + 204 * P, NR - 204, 9));
	ut_check(m);
	ut_exit(&u);
	test_machine_done(m);
}

/*
 * MADV_PAGEOUT over a whole exclusive THP isolates it by its PMD and reclaims it whole
 * (thp_swpout 1, pswpout 512); over half of another it splits it (thp_split_page 1) and
 * pages out the 256 advised pages one by one (pswpout 512 + 256), the other half staying
 * resident. Data intact after.
 */
static void test_thp_madv_pageout(void **state)
{
	struct kmm_machine *m = boot();
	struct utask u;

	(void)state;
	swap_on(m, SWAP_DEV_ZRAM, 64);
	ut_init(&u, m, 1);
	assert_int_equal(ut_mmap(&u, VA, 2 * HP, RW, PF), VA);
	thp_at(&u, VA, 10);
	thp_at(&u, VA + HP, 11);
	assert_int_equal(do_madvise(u.t.mm, VA, HP, MADV_PAGEOUT), 0);
	assert_int_equal(ev(m, THP_SWPOUT), 1);
	assert_int_equal(ev(m, PSWPOUT), NR);
	assert_int_equal(ut_rss(&u, MM_SWAPENTS), NR);
	assert_int_equal(node_stat(m, NR_ANON_THPS), NR);
	ut_check(m);
	assert_int_equal(do_madvise(u.t.mm, VA + HP, HP / 2, MADV_PAGEOUT), 0);
	assert_int_equal(ev(m, THP_SPLIT_PAGE), 1);
	assert_int_equal(ev(m, THP_SWPOUT), 1);
	assert_int_equal(ev(m, PSWPOUT), NR + NR / 2);
	assert_int_equal(ut_rss(&u, MM_SWAPENTS), NR + NR / 2);
	assert_int_equal(ut_rss(&u, MM_ANONPAGES), NR / 2);
	assert_int_equal(node_stat(m, NR_ANON_THPS), 0);
	ut_check(m);
	assert_true(holds(&u, VA, NR, 10));
	assert_true(holds(&u, VA + HP, NR, 11));
	ut_check(m);
	ut_exit(&u);
	test_machine_done(m);
}

/*
 * A THP shared by fork (one PMD in each mm, entire mapcount 2) splits in both: each mm gets
 * 512 PTEs of the same pages (map count 2 each, write-protected for COW), then a write in the
 * child copies one 4 KiB page only. Data intact in both.
 */
static void test_thp_split_shared_by_fork(void **state)
{
	struct kmm_machine *m = boot();
	struct kmm_kernel *k = &m->kernel;
	struct utask parent, child;
	struct page *head;
	unsigned long pfn;

	(void)state;
	ut_init(&parent, m, 1);
	assert_int_equal(ut_mmap(&parent, VA, HP, RW, PF), VA);
	head = thp_at(&parent, VA, 12);
	pfn = page_to_pfn(k, head);
	memcpy(&child, &parent, sizeof(child));
	child.asid = 2;
	child.t.pid = 2;
	memset(&child.t.rss_stat, 0, sizeof(child.t.rss_stat));
	sync_mm_rss(&parent.t, parent.t.mm);
	child.t.mm = dup_mm(&child.t, parent.t.mm);
	assert_non_null(child.t.mm);
	ut_switch(&parent);
	assert_int_equal(folio_entire_mapcount(page_folio(head)), 2);
	ut_check(m);

	assert_int_equal(split_locked(k, head), 0);
	assert_int_equal(ev(m, THP_SPLIT_PMD), 2);
	assert_int_equal(ev(m, THP_SPLIT_PAGE), 1);
	assert_false(is_huge(&parent, VA) || is_huge(&child, VA));
	for (unsigned long i = 0; i < NR; i++) {
		assert_int_equal(page_mapcount(pfn_to_page(k, pfn + i)), 2);
		assert_int_equal(pte_pfn(__pte(ut_pte(&child, VA + i * P))), pfn + i);
		assert_false(pte_write(__pte(ut_pte(&child, VA + i * P))));
	}
	ut_check(m);
	ut_store64(&child, VA + 3 * P, 99);
	assert_int_equal(ut_load64(&parent, VA + 3 * P), pattern(VA + 3 * P, 12));
	assert_true(pte_pfn(__pte(ut_pte(&child, VA + 3 * P))) != pfn + 3);
	assert_true(holds(&parent, VA, NR, 12));
	assert_true(holds(&child, VA + 4 * P, NR - 4, 12));
	ut_check(m);
	ut_exit(&child);
	ut_check(m);
	ut_exit(&parent);
	test_machine_done(m);
}

/*
 * An mlocked THP (unevictable, PG_mlocked, NR_MLOCK 512) splits into 512 unevictable,
 * mlocked order-0 pages: NR_MLOCK and the unevictable LRU count stay 512 (kmm_check counts
 * them by their flags); data intact.
 */
static void test_thp_split_mlocked(void **state)
{
	struct kmm_machine *m = boot();
	struct kmm_kernel *k = &m->kernel;
	unsigned long pfn;
	struct page *head;
	struct utask u;

	(void)state;
	ut_init(&u, m, 1);
	assert_int_equal(ut_mmap(&u, VA, HP, RW, PF), VA);
	head = thp_at(&u, VA, 13);
	pfn = page_to_pfn(k, head);
	assert_int_equal(do_mlock(&u.t, VA, HP, 0), 0);
	lru_add_drain_all(k);
	mlock_page_drain_local(k);
	assert_true(PageMlocked(head) && PageUnevictable(head));
	assert_int_equal(node_stat(m, NR_UNEVICTABLE), NR);
	ut_check(m);
	assert_int_equal(split_locked(k, head), 0);
	lru_add_drain_all(k);
	mlock_page_drain_local(k);
	for (unsigned long i = 0; i < NR; i++) {
		struct page *page = pfn_to_page(k, pfn + i);

		assert_true(PageMlocked(page) && PageUnevictable(page) && PageLRU(page));
	}
	assert_int_equal(node_stat(m, NR_UNEVICTABLE), NR);
	ut_check(m);
	assert_true(holds(&u, VA, NR, 13));
	ut_check(m);
	ut_exit(&u);
	ut_check(m);
	test_machine_done(m);
}

/* ---- MADV_FREE of THPs (madvise_free_huge_pmd) ----------------------------------------- */

/*
 * MADV_FREE over a whole THP mapped only here (6.1's madvise_free_huge_pmd): PG_dirty and
 * PG_swapbacked go, the block (dirty since the write fault) stays but is old and clean, and the THP
 * moves whole to the inactive file LRU (lru_lazyfree_fn: pglazyfree +512, NR_INACTIVE_FILE +512);
 * nothing is split and the data is still there. Reclaim then drops it without swap (reclaim_pages
 * from MADV_PAGEOUT): try_to_unmap with TTU_SPLIT_HUGE_PMD splits the PMD (thp_split_pmd 1), each
 * of the 512 PTEs is discarded (refcount = isolation + mappings, clean), which leaves the THP
 * partly mapped once (thp_deferred_split_page 1) until the free takes it off the queue;
 * pglazyfreed +512, rss and NR_ANON_THPS 512 lower, no swap-out. A load there then reads 0;
 * the other THP keeps its data.
 */
static void test_thp_madv_free_whole_then_reclaim(void **state)
{
	struct kmm_machine *m = boot();
	struct utask u;
	struct page *head;
	unsigned long file0, rss0;

	(void)state;
	ut_init(&u, m, 1);
	assert_int_equal(ut_mmap(&u, VA, 2 * HP, RW, PF), VA);
	head = thp_at(&u, VA, 20);
	thp_at(&u, VA + HP, 21);
	lru_add_drain_all(u.k);
	file0 = node_stat(m, NR_INACTIVE_FILE);
	rss0 = ut_rss(&u, MM_ANONPAGES);
	assert_true(PageSwapBacked(head) && pmd_dirty_at(&u, VA));
	assert_int_equal(do_madvise(u.t.mm, VA, HP, MADV_FREE), 0);
	ut_check(m);
	assert_int_equal(ev(m, PGLAZYFREE), NR);
	assert_int_equal(ev(m, THP_SPLIT_PMD) + ev(m, THP_SPLIT_PAGE), 0);
	assert_true(is_huge(&u, VA));
	assert_int_equal(pmd_pfn(pmd_at(&u, VA)), page_to_pfn(u.k, head));
	assert_false(pte_dirty(pmd_pte(pmd_at(&u, VA))));
	assert_false(pte_young(pmd_pte(pmd_at(&u, VA))));
	assert_false(PageDirty(head) || PageSwapBacked(head) || PageActive(head));
	assert_true(PageLRU(head));
	assert_int_equal(node_stat(m, NR_INACTIVE_FILE) - file0, NR);
	assert_true(holds(&u, VA, NR, 20));
	ut_check(m);

	assert_int_equal(do_madvise(u.t.mm, VA, HP, MADV_PAGEOUT), 0);
	ut_check(m);
	assert_int_equal(ev(m, PGLAZYFREED), NR);
	assert_int_equal(ev(m, THP_SPLIT_PMD), 1);
	assert_int_equal(ev(m, THP_SPLIT_PAGE), 0);
	assert_int_equal(ev(m, THP_DEFERRED_SPLIT_PAGE), 1);
	assert_int_equal(ev(m, THP_SWPOUT) + ev(m, PSWPOUT), 0);
	assert_int_equal(deferred_split_queue_len(u.k, 0), 0);
	assert_int_equal(rss0 - ut_rss(&u, MM_ANONPAGES), NR);
	assert_int_equal(node_stat(m, NR_ANON_THPS), NR);
	assert_int_equal(node_stat(m, NR_INACTIVE_FILE), file0);
	for (unsigned long i = 0; i < NR; i++)
		assert_true(ut_pte(&u, VA + i * P) == 0);
	assert_int_equal(ut_load64(&u, VA + 7 * P), 0);
	assert_true(holds(&u, VA + HP, NR, 21));
	ut_check(m);
	ut_exit(&u);
	test_machine_done(m);
}

/*
 * A lazily freeable THP written again before reclaim is kept: the store makes its block
 * dirty; reclaim splits the PMD (thp_split_pmd 1), the first PTE carries the dirt to the
 * folio, so try_to_unmap puts the PTE back and the THP is swap-backed again (6.1's
 * try_to_unmap_one MADV_FREE check): nothing discarded (pglazyfreed 0), rss unchanged, the
 * new word and the 511 other pages' data intact.
 */
static void test_thp_madv_free_redirtied_kept(void **state)
{
	struct kmm_machine *m = boot();
	struct utask u;
	struct page *head;
	unsigned long rss0;

	(void)state;
	ut_init(&u, m, 1);
	assert_int_equal(ut_mmap(&u, VA, HP, RW, PF), VA);
	head = thp_at(&u, VA, 22);
	rss0 = ut_rss(&u, MM_ANONPAGES);
	assert_int_equal(do_madvise(u.t.mm, VA, HP, MADV_FREE), 0);
	assert_int_equal(ev(m, PGLAZYFREE), NR);
	ut_store64(&u, VA + 5 * P + 8, 0x7265646972747921ull);
	ut_check(m);
	assert_int_equal(do_madvise(u.t.mm, VA, HP, MADV_PAGEOUT), 0);
	ut_check(m);
	assert_int_equal(ev(m, PGLAZYFREED), 0);
	assert_int_equal(ev(m, THP_SPLIT_PMD), 1);
	assert_true(PageSwapBacked(head));
	assert_int_equal(ut_rss(&u, MM_ANONPAGES), rss0);
	assert_int_equal(ut_load64(&u, VA + 5 * P + 8), 0x7265646972747921ull);
	assert_true(holds(&u, VA, NR, 22));
	ut_check(m);
	ut_exit(&u);
	test_machine_done(m);
}

/*
 * MADV_FREE over half a THP: madvise_free_huge_pmd splits it (split_huge_page: thp_split_pmd
 * 1, thp_split_page 1, thp_deferred_split_page 1 from the unmap, NR_ANON_THPS 0), and the PTE
 * walk marks the 256 advised pages lazily freeable (pglazyfree 255 = 17 batches of
 * PAGEVEC_SIZE 15 moved, 256 after the drain); the other 256 stay
 * swap-backed. Reclaim of the whole range with no swap drops exactly the 256 (pglazyfreed
 * 256, rss 256 lower); the rest keep their data, the dropped ones read 0.
 */
static void test_thp_madv_free_partial_splits(void **state)
{
	struct kmm_machine *m = boot();
	struct utask u;
	struct page *head;
	unsigned long pfn, rss0;

	(void)state;
	ut_init(&u, m, 1);
	assert_int_equal(ut_mmap(&u, VA, HP, RW, PF), VA);
	head = thp_at(&u, VA, 23);
	pfn = page_to_pfn(u.k, head);
	rss0 = ut_rss(&u, MM_ANONPAGES);
	assert_int_equal(do_madvise(u.t.mm, VA, HP / 2, MADV_FREE), 0);
	ut_check(m);
	assert_int_equal(ev(m, THP_SPLIT_PAGE), 1);
	assert_int_equal(ev(m, THP_SPLIT_PMD), 1);
	assert_int_equal(ev(m, THP_DEFERRED_SPLIT_PAGE), 1);
	/* order-0 pages go through the CPU's lazyfree batch of 15: 17 full batches moved */
	assert_int_equal(ev(m, PGLAZYFREE), 17 * 15);
	lru_add_drain_all(u.k);
	assert_int_equal(ev(m, PGLAZYFREE), NR / 2);
	assert_int_equal(node_stat(m, NR_ANON_THPS), 0);
	assert_false(is_huge(&u, VA));
	for (unsigned long i = 0; i < NR; i++) {
		struct page *page = pfn_to_page(u.k, pfn + i);

		assert_false(PageCompound(page));
		assert_true(PageSwapBacked(page) == (i >= NR / 2));
	}
	assert_true(holds(&u, VA, NR, 23));
	ut_check(m);
	assert_int_equal(do_madvise(u.t.mm, VA, HP, MADV_PAGEOUT), 0);
	ut_check(m);
	assert_int_equal(ev(m, PGLAZYFREED), NR / 2);
	assert_int_equal(rss0 - ut_rss(&u, MM_ANONPAGES), NR / 2);
	assert_true(holds(&u, VA + HP / 2, NR / 2, 23));
	assert_int_equal(ut_load64(&u, VA), 0);
	ut_check(m);
	ut_exit(&u);
	test_machine_done(m);
}

/*
 * A THP two mms map (fork) is not made lazily freeable (total_mapcount 2: the other mm might
 * still want it): MADV_FREE leaves its block (dirty) and PG_swapbacked alone (pglazyfree 0,
 * no split).
 */
static void test_thp_madv_free_shared_left(void **state)
{
	struct kmm_machine *m = boot();
	struct utask parent, child;
	struct page *head;

	(void)state;
	ut_init(&parent, m, 1);
	assert_int_equal(ut_mmap(&parent, VA, HP, RW, PF), VA);
	head = thp_at(&parent, VA, 24);
	memcpy(&child, &parent, sizeof(child));
	child.asid = 2;
	child.t.pid = 2;
	memset(&child.t.rss_stat, 0, sizeof(child.t.rss_stat));
	sync_mm_rss(&parent.t, parent.t.mm);
	child.t.mm = dup_mm(&child.t, parent.t.mm);
	assert_non_null(child.t.mm);
	ut_switch(&parent);
	assert_int_equal(do_madvise(parent.t.mm, VA, HP, MADV_FREE), 0);
	ut_check(m);
	assert_int_equal(ev(m, PGLAZYFREE), 0);
	assert_int_equal(ev(m, THP_SPLIT_PMD) + ev(m, THP_SPLIT_PAGE), 0);
	assert_true(is_huge(&parent, VA) && is_huge(&child, VA));
	assert_true(PageSwapBacked(head) && pmd_dirty_at(&parent, VA));
	assert_true(holds(&child, VA, NR, 24));
	ut_exit(&child);
	ut_check(m);
	ut_exit(&parent);
	test_machine_done(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_thp_split_pmd_mapped),
		cmocka_unit_test(test_thp_split_refused_when_pinned),
		cmocka_unit_test(test_thp_deferred_split_partial_munmap),
		cmocka_unit_test(test_thp_deferred_split_dontneed_then_free),
		cmocka_unit_test(test_thp_swpout_whole_zram),
		cmocka_unit_test(test_thp_swpout_whole_plain_then_fault),
		cmocka_unit_test(test_thp_swpout_fallback_fragmented),
		cmocka_unit_test(test_thp_reclaim_partly_mapped_splits),
		cmocka_unit_test(test_thp_madv_pageout),
		cmocka_unit_test(test_thp_split_shared_by_fork),
		cmocka_unit_test(test_thp_split_mlocked),
		cmocka_unit_test(test_thp_madv_free_whole_then_reclaim),
		cmocka_unit_test(test_thp_madv_free_redirtied_kept),
		cmocka_unit_test(test_thp_madv_free_partial_splits),
		cmocka_unit_test(test_thp_madv_free_shared_left),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
