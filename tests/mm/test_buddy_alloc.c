/*
 * The buddy allocator's allocation and free paths on a booted 1 GiB machine (QEMU virt,
 * one CPU unless said): merging across all orders, the fallback order of each migratetype,
 * whole-pageblock and single-page steals with the claim rule, the pcp refill and drain
 * counts, CMA only for movable requests, isolation, contiguous ranges, CMA allocation,
 * alloc_pages_exact, compound pages, and init_on_alloc/init_on_free. Expected values are
 * worked out by hand from Linux 6.1.192's rules in the comments. kmm_check after each step.
 * Covers src/mm/page_alloc.c, page_isolation.c, cma.c.
 */
#include "buddy_test.h"

/* Every free page allocated (watermarks ignored), each block split into order-0 pages. */
static unsigned long exhaust_memory(struct kmm_machine *m)
{
	struct kmm_kernel *k = K(m);
	unsigned long n = 0;

	for (int order = MAX_ORDER - 1; order >= 0; order--) {
		struct page *page;

		while ((page = alloc_pages(k, GFP_HIGHUSER_MOVABLE | __GFP_MEMALLOC | __GFP_NOWARN,
					   (unsigned)order))) {
			split_page(k, page, (unsigned)order);
			n += 1UL << order;
		}
	}
	drain_all_pages(k, NULL);
	/* pcp pages drained back are free again: take them too */
	for (struct page *page;
	     (page = alloc_pages(k, GFP_HIGHUSER_MOVABLE | __GFP_MEMALLOC | __GFP_NOWARN, 0));)
		n++;
	return n;
}

static void test_buddy_merges_across_all_orders(void **state)
{
	struct kmm_machine *m = buddy_machine("1G", "1", NULL);
	struct kmm_kernel *k = K(m);
	struct zone *z = zone_of(m, 0, ZONE_DMA);
	unsigned long base[MAX_ORDER], free0;
	struct page *page;

	(void)state;
	/* A movable order-10 block comes straight off the MOVABLE list (no pcp at order 10). */
	free0 = zone_page_state(z, NR_FREE_PAGES);
	page = alloc_pages(k, GFP_HIGHUSER_MOVABLE, 10);
	assert_non_null(page);
	assert_int_equal(zone_page_state(z, NR_FREE_PAGES), free0 - 1024);
	for (int o = 0; o < MAX_ORDER; o++)
		base[o] = z->free_area[o].nr_free;
	split_page(k, page, 10);
	/*
	 * Free pages 1..1023 (to the pcp list, then drained). They merge into one block of each
	 * order 0..9, starting at page 2^o:
	 *   [0][1][2 3][4 .. 7] ... [512 .. 1023]
	 *    ^ still allocated: the order-10 merge must wait for it.
	 */
	for (int i = 1; i < 1024; i++)
		__free_pages(k, page + i, 0);
	drain_all_pages(k, NULL);
	for (int o = 0; o < 10; o++) {
		assert_int_equal(z->free_area[o].nr_free, base[o] + 1);
		assert_true(PageBuddy(page + (1 << o)));
		assert_int_equal(buddy_order(page + (1 << o)), o);
	}
	assert_int_equal(z->free_area[10].nr_free, base[10]);
	assert_check(m);
	/* Page 0 completes the block: every order merges up to one order-10 block. */
	__free_pages(k, page, 0);
	drain_all_pages(k, NULL);
	for (int o = 0; o < 10; o++)
		assert_int_equal(z->free_area[o].nr_free, base[o]);
	assert_int_equal(z->free_area[10].nr_free, base[10] + 1);
	assert_true(PageBuddy(page) && buddy_order(page) == 10);
	assert_int_equal(zone_page_state(z, NR_FREE_PAGES), free0);
	test_machine_done(m);
}

struct extfrag_log {
	int n;
	char first[512];
};

static void record_extfrag(void *arg, const char *event, const char *line, size_t len)
{
	struct extfrag_log *log = arg;

	if (strcmp(event, "mm_page_alloc_extfrag") != 0)
		return;
	if (log->n++ == 0)
		snprintf(log->first, sizeof(log->first), "%.*s", (int)len, line);
}

static void test_buddy_fallback_order_per_migratetype(void **state)
{
	struct kmm_machine *m = buddy_machine("1G", "1", NULL);
	struct kmm_kernel *k = K(m);
	struct zone *z = zone_of(m, 0, ZONE_DMA);
	struct extfrag_log log = {0};
	struct page *r1, *r2, *u, *mv;
	unsigned long unmovable0;

	(void)state;
	/* Low watermarks so the end of the test is decided by the free lists, not by them. */
	assert_int_equal(kmm_sysctl(m, "vm.min_free_kbytes", "1024"), KMM_OK);
	kmm_trace_set_handler(m, record_extfrag, &log);
	assert_int_equal(kmm_trace_enable(m, "mm_page_alloc_extfrag", true), KMM_OK);
	/*
	 * At boot every pageblock outside CMA is MOVABLE but for what the slab allocator took
	 * (UNMOVABLE, stolen as one order-10 block and split: no UNMOVABLE order-10 block is
	 * free). Nothing is RECLAIMABLE yet.
	 */
	unmovable0 = blocks_of_type(m, z, MIGRATE_UNMOVABLE);
	assert_int_equal(nr_free_mt(z, 10, MIGRATE_UNMOVABLE), 0);
	assert_int_equal(blocks_of_type(m, z, MIGRATE_RECLAIMABLE), 0);

	/*
	 * RECLAIMABLE falls back to UNMOVABLE, then MOVABLE: UNMOVABLE has no order-10 block, so
	 * an order-10 MOVABLE block is stolen whole (2 pageblocks change owner), twice.
	 */
	r1 = alloc_pages(k, GFP_KERNEL | __GFP_RECLAIMABLE, 10);
	assert_non_null(r1);
	assert_int_equal(log.n, 1);
	assert_contains(log.first, "alloc_order=10 fallback_order=10 pageblock_order=9 "
				   "alloc_migratetype=2 fallback_migratetype=1 fragmenting=0 "
				   "change_ownership=1");
	r2 = alloc_pages(k, GFP_KERNEL | __GFP_RECLAIMABLE, 10);
	assert_non_null(r2);
	assert_int_equal(blocks_of_type(m, z, MIGRATE_RECLAIMABLE), 4);
	__free_pages(k, r1, 10); /* an order-10 RECLAIMABLE free block */
	assert_int_equal(nr_free_mt(z, 10, MIGRATE_RECLAIMABLE), 1);

	/* UNMOVABLE prefers RECLAIMABLE to MOVABLE: it takes r1's block back. */
	log.n = 0;
	u = alloc_pages(k, GFP_KERNEL, 10);
	assert_ptr_equal(u, r1);
	assert_contains(log.first, "alloc_migratetype=0 fallback_migratetype=2");
	assert_int_equal(blocks_of_type(m, z, MIGRATE_UNMOVABLE), unmovable0 + 2);
	__free_pages(k, u, 10);	 /* order-10 UNMOVABLE free block */
	__free_pages(k, r2, 10); /* order-10 RECLAIMABLE free block */
	assert_check(m);

	/*
	 * MOVABLE prefers RECLAIMABLE to UNMOVABLE. Take every MOVABLE and CMA order-10 block;
	 * the first movable request that must fall back takes the RECLAIMABLE block (r2).
	 */
	log.n = 0;
	do {
		mv = alloc_pages(k, GFP_HIGHUSER_MOVABLE | __GFP_NOWARN, 10);
		assert_non_null(mv);
	} while (log.n == 0);
	assert_ptr_equal(mv, r2);
	assert_contains(log.first, "alloc_migratetype=1 fallback_migratetype=2");
	assert_int_equal(nr_free_mt(z, 10, MIGRATE_MOVABLE) + nr_free_mt(z, 10, MIGRATE_CMA), 0);
	/* And then UNMOVABLE's block. */
	log.n = 0;
	mv = alloc_pages(k, GFP_HIGHUSER_MOVABLE | __GFP_NOWARN, 10);
	assert_ptr_equal(mv, u);
	assert_contains(log.first, "alloc_migratetype=1 fallback_migratetype=0");
	/* HIGHATOMIC, CMA and ISOLATE have no fallbacks; CMA serves only movable requests. */
	test_machine_done(m);
}

static void test_buddy_movable_steals_single_page_below_order_4(void **state)
{
	struct kmm_machine *m = buddy_machine("1G", "1", NULL);
	struct kmm_kernel *k = K(m);
	struct zone *z = zone_of(m, 0, ZONE_DMA);
	struct extfrag_log log = {0};
	unsigned long pfn;
	struct page *x, *got;

	(void)state;
	exhaust_memory(m);
	assert_int_equal(zone_page_state(z, NR_FREE_PAGES), 0);
	/*
	 * One free page in an UNMOVABLE pageblock. A movable order-0 request cannot claim a
	 * block (order < pageblock_order / 2 = 4): it takes the page alone and the block stays
	 * UNMOVABLE (change_ownership=0, fragmenting=1).
	 */
	pfn = z->zone_start_pfn + 64 * pageblock_nr_pages;
	x = pfn_to_page(k, pfn);
	set_pageblock_migratetype(k, x, MIGRATE_UNMOVABLE);
	__free_pages(k, x, 0);
	drain_all_pages(k, NULL);
	assert_int_equal(nr_free_mt(z, 0, MIGRATE_UNMOVABLE), 1);
	kmm_trace_set_handler(m, record_extfrag, &log);
	kmm_trace_enable(m, "mm_page_alloc_extfrag", true);
	got = alloc_pages(k, GFP_HIGHUSER_MOVABLE | __GFP_MEMALLOC | __GFP_NOWARN, 0);
	assert_ptr_equal(got, x);
	assert_contains(log.first, "alloc_order=0 fallback_order=0 pageblock_order=9 "
				   "alloc_migratetype=1 fallback_migratetype=0 fragmenting=1 "
				   "change_ownership=0");
	assert_int_equal(get_pfnblock_migratetype(k, pfn), MIGRATE_UNMOVABLE);
	test_machine_done(m);
}

/*
 * An UNMOVABLE request falling back into a MOVABLE pageblock with 100 free pages claims the
 * block when free + "alike" pages reach half a block (256): alike = 512 - free - pages that
 * look movable (on the LRU). Same 100 free pages, two outcomes.
 */
static void claim_case(bool others_on_lru, int expect_mt)
{
	struct kmm_machine *m = buddy_machine("1G", "1", NULL);
	struct kmm_kernel *k = K(m);
	struct zone *z = zone_of(m, 0, ZONE_DMA);
	unsigned long start = z->zone_start_pfn + 64 * pageblock_nr_pages;
	struct page *got;

	assert_int_equal(kmm_sysctl(m, "vm.watermark_boost_factor", "0"), KMM_OK);
	exhaust_memory(m);
	for (unsigned long i = 100; i < pageblock_nr_pages && others_on_lru; i++)
		set_page_flag(pfn_to_page(k, start + i), PG_lru);
	for (unsigned long i = 0; i < 100; i++)
		__free_pages(k, pfn_to_page(k, start + i), 0);
	drain_all_pages(k, NULL);
	assert_int_equal(get_pfnblock_migratetype(k, start), MIGRATE_MOVABLE);
	got = alloc_pages(k, GFP_KERNEL | __GFP_MEMALLOC | __GFP_NOWARN, 0);
	assert_non_null(got);
	assert_int_equal(page_to_pfn(k, got) / pageblock_nr_pages, start / pageblock_nr_pages);
	assert_int_equal(get_pfnblock_migratetype(k, start), expect_mt);
	/* Either way the block's free pages moved to the UNMOVABLE lists. */
	assert_int_equal(nr_free_mt(z, 0, MIGRATE_MOVABLE) + nr_free_mt(z, 1, MIGRATE_MOVABLE) +
				 nr_free_mt(z, 2, MIGRATE_MOVABLE),
			 0);
	for (unsigned long i = 100; i < pageblock_nr_pages && others_on_lru; i++)
		clear_page_flag(pfn_to_page(k, start + i), PG_lru);
	test_machine_done(m);
}

static void test_buddy_unmovable_claims_block_by_half_rule(void **state)
{
	(void)state;
	claim_case(false, MIGRATE_UNMOVABLE); /* 100 free + 412 alike >= 256 */
	claim_case(true, MIGRATE_MOVABLE);    /* 100 free + 0 alike < 256 */
}

static void test_buddy_steal_boosts_watermark_and_wakes_kswapd(void **state)
{
	struct kmm_machine *m = buddy_machine("1G", "1", NULL);
	struct kmm_kernel *k = K(m);
	struct zone *z = zone_of(m, 0, ZONE_DMA);
	unsigned long start = z->zone_start_pfn + 64 * pageblock_nr_pages, wakes, boost;
	unsigned long high = z->_watermark[WMARK_HIGH];

	(void)state;
	exhaust_memory(m);
	for (unsigned long i = 0; i < 300; i++)
		__free_pages(k, pfn_to_page(k, start + i), 0);
	drain_all_pages(k, NULL);
	wakes = z->zone_pgdat->kswapd_wakeups;
	/*
	 * A steal below pageblock order boosts the watermarks by one pageblock (the cap,
	 * high * 15000 / 10000, is far above 512 here) and, since GFP_KERNEL may wake kswapd,
	 * flags the zone; the allocation that finds the flag clears it and wakes kswapd.
	 */
	assert_true(high * 15000 / 10000 > 2 * pageblock_nr_pages);
	boost = z->watermark_boost; /* the slab allocator's boot-time steal boosted it once */
	assert_non_null(alloc_pages(k, GFP_KERNEL | __GFP_MEMALLOC | __GFP_NOWARN, 0));
	assert_int_equal(z->watermark_boost, boost + pageblock_nr_pages);
	assert_false(z->flags & (1UL << ZONE_BOOSTED_WATERMARK));
	assert_true(z->zone_pgdat->kswapd_wakeups > wakes);
	test_machine_done(m);
}

/* The kernel's nr_pcp_free(): pages to free once the list reaches high. */
static int model_nr_pcp_free(int *free_factor, int high, int batch)
{
	int min_nr = batch, max_nr = high - batch, n = batch << *free_factor;

	if (high < batch)
		return 1;
	if (n < max_nr && *free_factor < 5)
		(*free_factor)++;
	return n < min_nr ? min_nr : n > max_nr ? max_nr : n;
}

static void test_buddy_pcp_refill_and_drain_counts(void **state)
{
	struct kmm_machine *m = buddy_machine("1G", "1", NULL);
	struct kmm_kernel *k = K(m);
	struct zone *z = zone_of(m, 0, ZONE_DMA);
	struct per_cpu_pages *pcp = &z->per_cpu_pageset[0];
	unsigned long free0 = zone_page_state(z, NR_FREE_PAGES), n = 3 * 7040;
	struct page **pages = calloc(n, sizeof(*pages));
	int count, ff = 0;

	(void)state;
	/* The captured 1G/1-CPU kernel: high 7040, batch 63. */
	assert_int_equal(pcp->high, 7040);
	assert_int_equal(pcp->batch, 63);
	assert_int_equal(pcp->count, 0);
	/* One order-0 allocation refills a batch: 62 left on the list, 63 gone from the free count.
	 */
	pages[0] = alloc_pages(k, GFP_KERNEL, 0);
	assert_int_equal(pcp->count, 62);
	assert_int_equal(zone_page_state(z, NR_FREE_PAGES), free0 - 63);
	for (unsigned long i = 1; i < n; i++)
		pages[i] = alloc_pages(k, GFP_KERNEL, 0);
	/* n allocations take ceil(n / 63) batches: 21120 = 335 * 63 + 15, so 336 refills. */
	assert_int_equal(pcp->count, 336 * 63 - (int)n);
	assert_int_equal(pcp->free_factor, 0);
	/* Freeing: each free adds one; at high, nr_pcp_free() pages go back, scaling up. */
	count = pcp->count;
	for (unsigned long i = 0; i < n; i++) {
		__free_pages(k, pages[i], 0);
		count++;
		if (count >= 7040)
			count -= model_nr_pcp_free(&ff, 7040, 63);
		assert_int_equal(pcp->count, count);
	}
	assert_int_equal(pcp->free_factor, ff);
	assert_true(ff > 0);
	/* pcp pages are not free pages: draining returns them and the free count. */
	assert_int_equal(zone_page_state(z, NR_FREE_PAGES), free0 - (unsigned long)count);
	drain_all_pages(k, NULL);
	assert_int_equal(pcp->count, 0);
	assert_int_equal(zone_page_state(z, NR_FREE_PAGES), free0);
	free(pages);
	test_machine_done(m);
}

static void test_buddy_drain_all_pages_reaches_every_cpu(void **state)
{
	struct kmm_machine *m = buddy_machine("1G", "2", NULL);
	struct kmm_kernel *k = K(m);
	struct zone *z = zone_of(m, 0, ZONE_DMA);
	struct page *p0, *p1;

	(void)state;
	kmm_cpu_set(m, 0);
	p0 = alloc_pages(k, GFP_KERNEL, 0);
	kmm_cpu_set(m, 1);
	p1 = alloc_pages(k, GFP_KERNEL, 0);
	/* Each CPU refilled its own list; a page freed on CPU 1 goes to CPU 1's list. */
	assert_int_equal(z->per_cpu_pageset[0].count, z->per_cpu_pageset[0].batch - 1);
	assert_int_equal(z->per_cpu_pageset[1].count, z->per_cpu_pageset[1].batch - 1);
	__free_pages(k, p0, 0);
	__free_pages(k, p1, 0);
	assert_int_equal(z->per_cpu_pageset[1].count, z->per_cpu_pageset[1].batch + 1);
	drain_local_pages(k, NULL);
	assert_int_equal(z->per_cpu_pageset[1].count, 0);
	assert_int_equal(z->per_cpu_pageset[0].count, z->per_cpu_pageset[0].batch - 1);
	drain_all_pages(k, NULL);
	assert_int_equal(z->per_cpu_pageset[0].count, 0);
	test_machine_done(m);
}

static void test_buddy_cma_only_for_movable(void **state)
{
	struct kmm_machine *m = buddy_machine("1G", "1", NULL);
	struct kmm_kernel *k = K(m);
	struct zone *z = zone_of(m, 0, ZONE_DMA);
	unsigned long cma_lo = k->cma.base_pfn, cma_hi = cma_lo + k->cma.count, got = 0;
	struct page *page;

	(void)state;
	assert_int_equal(k->cma.count, 16384); /* 64 MiB */
	/* Unmovable requests never get CMA pages, down to their watermark failure. */
	while ((page = alloc_pages(k, GFP_KERNEL | __GFP_NOWARN, 0))) {
		unsigned long pfn = page_to_pfn(k, page);

		assert_false(pfn >= cma_lo && pfn < cma_hi);
		got++;
	}
	assert_true(got > 200000);
	/*
	 * As in the captured OOM reports: the zone fails unmovable requests with free pages far
	 * above min, because almost all of them are CMA pages they may not count.
	 */
	assert_int_equal(zone_page_state(z, NR_FREE_CMA_PAGES), 16384);
	assert_true(zone_page_state(z, NR_FREE_PAGES) > min_wmark_pages(z) + 10000);
	assert_contains(kernel_log(m), "kmmsim invoked oom-killer: gfp_mask=0x2cc0("
				       "GFP_KERNEL|__GFP_NOWARN), order=0");
	/* A movable request still succeeds, from CMA (it holds over half the free pages). */
	page = alloc_pages(k, GFP_HIGHUSER_MOVABLE, 0);
	assert_non_null(page);
	assert_true(page_to_pfn(k, page) >= cma_lo && page_to_pfn(k, page) < cma_hi);
	test_machine_done(m);
}

static void test_buddy_isolation_blocks_allocation(void **state)
{
	struct kmm_machine *m = buddy_machine("1G", "1", NULL);
	struct kmm_kernel *k = K(m);
	struct zone *z = zone_of(m, 0, ZONE_DMA);
	unsigned long free0 = zone_page_state(z, NR_FREE_PAGES), start;
	struct page *block = alloc_pages(k, GFP_HIGHUSER_MOVABLE, 10);

	(void)state;
	/* Free again: a free order-10 block we know; isolate its two pageblocks. */
	start = page_to_pfn(k, block);
	__free_pages(k, block, 10);
	assert_int_equal(start_isolate_page_range(k, start, start + 1024, MIGRATE_MOVABLE), 0);
	assert_int_equal(blocks_of_type(m, z, MIGRATE_ISOLATE), 2);
	assert_int_equal(zone_page_state(z, NR_FREE_PAGES), free0 - 1024);
	assert_int_equal(test_pages_isolated(k, start, start + 1024), 0);
	/* Isolating again is refused (-EBUSY); nothing changes. */
	assert_int_equal(start_isolate_page_range(k, start, start + 512, MIGRATE_MOVABLE), -EBUSY);
	assert_check(m);
	/* No allocation, even ignoring watermarks, returns an isolated page. */
	for (struct page *p;
	     (p = alloc_pages(k, GFP_HIGHUSER_MOVABLE | __GFP_MEMALLOC | __GFP_NOWARN, 0));)
		assert_false(page_to_pfn(k, p) >= start && page_to_pfn(k, p) < start + 1024);
	assert_int_equal(zone_page_state(z, NR_FREE_PAGES), 0);
	undo_isolate_page_range(k, start, start + 1024, MIGRATE_MOVABLE);
	assert_int_equal(blocks_of_type(m, z, MIGRATE_ISOLATE), 0);
	/* The two halves merged back into one order-10 block. */
	assert_int_equal(zone_page_state(z, NR_FREE_PAGES), 1024);
	assert_int_equal(z->free_area[10].nr_free, 1);
	test_machine_done(m);
}

static void test_buddy_contig_range_and_cma_alloc(void **state)
{
	struct kmm_machine *m = buddy_machine("1G", "1", NULL);
	struct kmm_kernel *k = K(m);
	struct zone *z = zone_of(m, 0, ZONE_DMA);
	unsigned long free0 = zone_page_state(z, NR_FREE_PAGES), base = k->cma.base_pfn;
	struct page *p, *busy;

	(void)state;
	(void)p;
	/* cma_alloc: the first fit from the area's start, 300 pages, each with one reference. */
	p = cma_alloc(k, 300, 0, false);
	assert_ptr_equal(p, pfn_to_page(k, base));
	for (int i = 0; i < 300; i++)
		assert_int_equal(page_count(p + i), 1);
	assert_int_equal(zone_page_state(z, NR_FREE_CMA_PAGES), 16384 - 300);
	assert_int_equal(zone_page_state(z, NR_FREE_PAGES), free0 - 300);
	assert_check(m);
	/* align 8 (CMA_ALIGNMENT): the next run starts at the next multiple of 256 pages. */
	p = cma_alloc(k, 10, 8, false);
	assert_int_equal(page_to_pfn(k, p), base + 512);
	assert_true(cma_release(k, p, 10));
	assert_true(cma_release(k, pfn_to_page(k, base), 300));
	drain_all_pages(k, NULL); /* released pages go through the pcp lists */
	assert_int_equal(zone_page_state(z, NR_FREE_CMA_PAGES), 16384);
	assert_int_equal(zone_page_state(z, NR_FREE_PAGES), free0);
	assert_int_equal(k->vm_events[CMA_ALLOC_SUCCESS], 2);
	assert_check(m);

	/* A page in use inside the range: -EBUSY, and nothing changed. */
	busy = alloc_pages(k, GFP_HIGHUSER_MOVABLE, 0);
	free0 = zone_page_state(z, NR_FREE_PAGES);
	assert_int_equal(alloc_contig_range(k, page_to_pfn(k, busy) - 5, page_to_pfn(k, busy) + 5,
					    MIGRATE_MOVABLE, GFP_KERNEL),
			 -EBUSY);
	assert_int_equal(zone_page_state(z, NR_FREE_PAGES), free0);
	assert_int_equal(blocks_of_type(m, z, MIGRATE_ISOLATE), 0);
	assert_check(m);
	/* A free unaligned range: exactly its pages are taken, the rest of each block returns. */
	{
		struct page *blk = list_first_entry(&z->free_area[10].free_list[MIGRATE_MOVABLE],
						    struct page, lru);
		unsigned long s = page_to_pfn(k, blk) + 7;

		drain_all_pages(k, NULL);
		free0 = zone_page_state(z, NR_FREE_PAGES);
		assert_int_equal(alloc_contig_range(k, s, s + 1000, MIGRATE_MOVABLE, GFP_KERNEL),
				 0);
		assert_int_equal(zone_page_state(z, NR_FREE_PAGES), free0 - 1000);
		assert_check(m);
		free_contig_range(k, s, 1000);
		drain_all_pages(k, NULL);
		assert_int_equal(zone_page_state(z, NR_FREE_PAGES), free0);
	}
	test_machine_done(m);
}

static void test_buddy_alloc_pages_exact_frees_the_tail(void **state)
{
	struct kmm_machine *m = buddy_machine("1G", "1", NULL);
	struct kmm_kernel *k = K(m);
	struct zone *z = zone_of(m, 0, ZONE_DMA);
	unsigned long free0;
	uint64_t va;
	struct page *p;

	(void)state;
	drain_all_pages(k, NULL);
	/* 5 pages: order 3 is allocated, pages 5..7 go back at once. */
	free0 = zone_page_state(z, NR_FREE_PAGES);
	va = alloc_pages_exact(k, 5 * PAGE_SIZE, GFP_KERNEL);
	assert_true(va >= PAGE_OFFSET);
	p = virt_to_page(k, va);
	for (int i = 0; i < 5; i++)
		assert_int_equal(page_count(p + i), 1);
	/* pages 5..7 went straight back to the buddy lists */
	for (int i = 5; i < 8; i++)
		assert_int_equal(page_count(p + i), 0);
	free_pages_exact(k, va, 5 * PAGE_SIZE);
	drain_all_pages(k, NULL);
	assert_int_equal(zone_page_state(z, NR_FREE_PAGES), free0);
	test_machine_done(m);
}

static void test_buddy_compound_pages(void **state)
{
	struct kmm_machine *m = buddy_machine("1G", "1", NULL);
	struct kmm_kernel *k = K(m);
	struct page *head = alloc_pages(k, GFP_KERNEL | __GFP_COMP, 2);

	(void)state;
	assert_true(PageHead(head));
	for (int i = 1; i < 4; i++) {
		assert_true(PageTail(head + i));
		assert_ptr_equal(compound_head(head + i), head);
		assert_int_equal(page_ref_count(head + i), 0);
	}
	assert_int_equal(compound_order(head), 2);
	assert_int_equal(head[1].compound_nr, 4);
	__free_pages(k, head, 2);
	drain_all_pages(k, NULL);
	for (int i = 0; i < 4; i++) {
		assert_false(PageHead(head + i));
		assert_false(PageTail(head + i));
	}
	assert_int_equal(k->nr_bad_pages, 0);
	test_machine_done(m);
}

/* Writes a pattern into @page, frees it, and reallocates it (the pcp list is LIFO). */
static uint64_t reuse_word(struct kmm_machine *m, gfp_t gfp, bool *same)
{
	struct kmm_kernel *k = K(m);
	struct page *p = alloc_pages(k, GFP_KERNEL, 0), *q;
	uint64_t word = 0x5a5a5a5a5a5a5a5aull;

	kmm_phys_write(m, PFN_PHYS(page_to_pfn(k, p)) + 8, &word, sizeof(word));
	__free_pages(k, p, 0);
	q = alloc_pages(k, gfp, 0);
	*same = p == q;
	kmm_phys_read(m, PFN_PHYS(page_to_pfn(k, q)) + 8, &word, sizeof(word));
	return word;
}

static void test_buddy_init_on_alloc_and_free(void **state)
{
	struct kmm_machine *m;
	bool same;

	(void)state;
	/* The reference default: init_on_alloc=1 zeroes every allocated page. */
	m = buddy_machine("1G", "1", NULL);
	assert_int_equal(reuse_word(m, GFP_KERNEL, &same), 0);
	assert_true(same);
	assert_contains(kernel_log(m),
			"mem auto-init: stack:all(zero), heap alloc:on, heap free:off");
	test_machine_done(m);
	/* init_on_alloc=0: contents survive, unless __GFP_ZERO asks. */
	m = buddy_machine("1G", "1", "init_on_alloc=0");
	assert_int_equal(reuse_word(m, GFP_KERNEL, &same), 0x5a5a5a5a5a5a5a5aull);
	assert_int_equal(reuse_word(m, GFP_KERNEL | __GFP_ZERO, &same), 0);
	test_machine_done(m);
	/* init_on_free=1 zeroes at free time (and init_on_alloc then has nothing to do). */
	m = buddy_machine("1G", "1", "init_on_alloc=0 init_on_free=1");
	assert_int_equal(reuse_word(m, GFP_KERNEL, &same), 0);
	assert_contains(kernel_log(m), "heap alloc:off, heap free:on");
	test_machine_done(m);
}

static void test_buddy_numa_local_first_then_fallback(void **state)
{
	struct kmm_config cfg;
	struct kmm_machine *m;
	struct kmm_kernel *k;
	struct page *p;
	kmm_pfn_t pfn;
	unsigned long hit1, local1, other0;

	(void)state;
	kmm_config_init(&cfg);
	kmm_config_option(&cfg, "-m", "2G");
	kmm_config_option(&cfg, "-smp", "4");
	kmm_config_option(&cfg, "-numa", "node,nodeid=0,mem=1G,cpus=0-1");
	kmm_config_option(&cfg, "-numa", "node,nodeid=1,mem=1G,cpus=2-3");
	m = test_machine(&cfg);
	k = K(m);
	/*
	 * Counts from here on: the slab allocator's boot made node 1's kmem_cache_node on
	 * node 1 from CPU 0 (a numa_hit and a numa_other in node 1's zone).
	 */
	hit1 = zone_of(m, 1, ZONE_DMA)->vm_numa_event[NUMA_HIT];
	local1 = zone_of(m, 1, ZONE_DMA)->vm_numa_event[NUMA_LOCAL];
	other0 = zone_of(m, 0, ZONE_DMA)->vm_numa_event[NUMA_OTHER];
	/* CPU 2 is on node 1: its allocations come from node 1 (numa_hit, numa_local). */
	kmm_cpu_set(m, 2);
	p = alloc_pages(k, GFP_KERNEL, 0);
	assert_int_equal(page_to_nid(p), 1);
	assert_int_equal(zone_of(m, 1, ZONE_DMA)->vm_numa_event[NUMA_HIT], hit1 + 1);
	assert_int_equal(zone_of(m, 1, ZONE_DMA)->vm_numa_event[NUMA_LOCAL], local1 + 1);
	/* Asking for node 0 from CPU 2: a hit for node 0, counted as numa_other. */
	p = alloc_pages_node(k, 0, GFP_KERNEL, 0);
	assert_int_equal(page_to_nid(p), 0);
	assert_int_equal(zone_of(m, 0, ZONE_DMA)->vm_numa_event[NUMA_OTHER], other0 + 1);
	/* Fill node 1: __GFP_THISNODE then fails, plain requests spill to node 0 (numa_miss). */
	while (alloc_pages_node(k, 1, GFP_HIGHUSER_MOVABLE | __GFP_THISNODE | __GFP_NOWARN, 4))
		;
	assert_null(
		alloc_pages_node(k, 1, GFP_HIGHUSER_MOVABLE | __GFP_THISNODE | __GFP_NOWARN, 4));
	p = alloc_pages_node(k, 1, GFP_HIGHUSER_MOVABLE | __GFP_NOWARN, 4);
	assert_non_null(p);
	assert_int_equal(page_to_nid(p), 0);
	assert_true(zone_of(m, 0, ZONE_DMA)->vm_numa_event[NUMA_MISS] >= 1);
	assert_true(zone_of(m, 1, ZONE_DMA)->vm_numa_event[NUMA_FOREIGN] >= 1);
	assert_int_equal(kmm_alloc_pages_node(m, 1, KMM_GFP_KERNEL, 0, &pfn), KMM_OK);
	test_machine_done(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_buddy_merges_across_all_orders),
		cmocka_unit_test(test_buddy_fallback_order_per_migratetype),
		cmocka_unit_test(test_buddy_movable_steals_single_page_below_order_4),
		cmocka_unit_test(test_buddy_unmovable_claims_block_by_half_rule),
		cmocka_unit_test(test_buddy_steal_boosts_watermark_and_wakes_kswapd),
		cmocka_unit_test(test_buddy_pcp_refill_and_drain_counts),
		cmocka_unit_test(test_buddy_drain_all_pages_reaches_every_cpu),
		cmocka_unit_test(test_buddy_cma_only_for_movable),
		cmocka_unit_test(test_buddy_isolation_blocks_allocation),
		cmocka_unit_test(test_buddy_contig_range_and_cma_alloc),
		cmocka_unit_test(test_buddy_alloc_pages_exact_frees_the_tail),
		cmocka_unit_test(test_buddy_compound_pages),
		cmocka_unit_test(test_buddy_init_on_alloc_and_free),
		cmocka_unit_test(test_buddy_numa_local_first_then_fallback),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
