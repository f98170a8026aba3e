/*
 * Watermark checks and the slow path (Linux 6.1.192 rules): the reserve fractions of
 * __zone_watermark_ok() on a hand-built zone, the same fractions end to end (GFP_NOWAIT stops
 * at min, __GFP_HIGH at min/2, GFP_ATOMIC at 3/8 of min), lowmem_reserve protecting a lower
 * zone, highatomic reserves and their release, the allocation-failure warning with the
 * memory report in the captured kernel's format, and __GFP_NOFAIL with nothing left.
 * Covers src/mm/page_alloc.c (watermarks, slow path), show_mem.c, oom_kill.c, vmscan.c.
 */
#include "buddy_test.h"

/* A zone with @free free pages, @cma of them CMA, and one free block per listed order/type. */
struct fake_zone {
	struct zone z;
	struct page pages[4];
};

static void fake_zone_init(struct fake_zone *f, long free, long cma)
{
	memset(f, 0, sizeof(*f));
	for (int o = 0; o < MAX_ORDER; o++)
		for (int t = 0; t < MIGRATE_TYPES; t++)
			INIT_LIST_HEAD(&f->z.free_area[o].free_list[t]);
	f->z.vm_stat[NR_FREE_PAGES] = free;
	f->z.vm_stat[NR_FREE_CMA_PAGES] = cma;
}

static void fake_zone_add(struct fake_zone *f, int i, unsigned order, int mt)
{
	list_add(&f->pages[i].lru, &f->z.free_area[order].free_list[mt]);
	f->z.free_area[order].nr_free++;
}

/* The lowest free count at which the check passes, by bisection over the monotone check. */
static long lowest_ok(const struct zone *z, unsigned order, unsigned long mark, int hz,
		      unsigned flags)
{
	long lo = 0, hi = 1 << 20;

	while (lo < hi) {
		long mid = (lo + hi) / 2;

		if (__zone_watermark_ok(z, order, mark, hz, flags, mid))
			hi = mid;
		else
			lo = mid + 1;
	}
	return lo;
}

static void test_buddy_watermark_reserve_fractions(void **state)
{
	struct fake_zone f;
	const int hz = ZONE_NORMAL;

	(void)state;
	fake_zone_init(&f, 0, 0);
	f.z.lowmem_reserve[ZONE_NORMAL] = 100;
	/*
	 * mark 1000, lowmem_reserve 100: order 0 passes when free > min + reserve, where
	 *   plain:                      min = 1000              -> free >= 1101
	 *   ALLOC_MIN_RESERVE:          1000 - 500 = 500        -> free >= 601
	 *   + ALLOC_NON_BLOCK:          500 - 500/4 = 375       -> free >= 476
	 *   ALLOC_NON_BLOCK alone:      1000 (no change)        -> free >= 1101
	 *   ALLOC_OOM:                  1000 - 500 = 500        -> free >= 601
	 *   MIN_RESERVE|NON_BLOCK|OOM:  375 - 187 = 188         -> free >= 289
	 */
	assert_int_equal(lowest_ok(&f.z, 0, 1000, hz, ALLOC_CMA), 1101);
	assert_int_equal(lowest_ok(&f.z, 0, 1000, hz, ALLOC_CMA | ALLOC_MIN_RESERVE), 601);
	assert_int_equal(
		lowest_ok(&f.z, 0, 1000, hz, ALLOC_CMA | ALLOC_MIN_RESERVE | ALLOC_NON_BLOCK), 476);
	assert_int_equal(lowest_ok(&f.z, 0, 1000, hz, ALLOC_CMA | ALLOC_NON_BLOCK), 1101);
	assert_int_equal(lowest_ok(&f.z, 0, 1000, hz, ALLOC_CMA | ALLOC_OOM), 601);
	assert_int_equal(lowest_ok(&f.z, 0, 1000, hz,
				   ALLOC_CMA | ALLOC_MIN_RESERVE | ALLOC_NON_BLOCK | ALLOC_OOM),
			 289);
	/* Without ALLOC_CMA the free CMA pages do not count; without reserves, nor highatomic. */
	f.z.vm_stat[NR_FREE_CMA_PAGES] = 50;
	f.z.nr_reserved_highatomic = 512;
	assert_int_equal(lowest_ok(&f.z, 0, 1000, hz, ALLOC_CMA), 1101 + 512);
	assert_int_equal(lowest_ok(&f.z, 0, 1000, hz, 0), 1101 + 512 + 50);
	assert_int_equal(lowest_ok(&f.z, 0, 1000, hz, ALLOC_NON_BLOCK), 1101 + 50);
	/* lowmem_reserve is per requested zone: a DMA-only request does not pay Normal's. */
	assert_int_equal(lowest_ok(&f.z, 0, 1000, ZONE_DMA, ALLOC_NON_BLOCK), 1001 + 50);

	/* High orders: (1 << order) - 1 pages are unusable, and a block must exist. */
	fake_zone_init(&f, 0, 0);
	assert_false(__zone_watermark_ok(&f.z, 2, 1000, hz, ALLOC_CMA, 5000));
	fake_zone_add(&f, 0, 3, MIGRATE_MOVABLE);
	assert_int_equal(lowest_ok(&f.z, 2, 1000, hz, ALLOC_CMA), 1001 + 3);
	fake_zone_init(&f, 0, 0);
	fake_zone_add(&f, 0, 5, MIGRATE_CMA);
	assert_false(__zone_watermark_ok(&f.z, 2, 1000, hz, 0, 5000));
	assert_true(__zone_watermark_ok(&f.z, 2, 1000, hz, ALLOC_CMA, 5000));
	fake_zone_init(&f, 0, 0);
	fake_zone_add(&f, 0, 2, MIGRATE_HIGHATOMIC);
	assert_false(__zone_watermark_ok(&f.z, 2, 1000, hz, ALLOC_CMA, 5000));
	assert_true(__zone_watermark_ok(&f.z, 2, 1000, hz, ALLOC_HIGHATOMIC, 5000));
	assert_true(__zone_watermark_ok(&f.z, 2, 1000, hz, ALLOC_OOM, 5000));
	/* A free block below the requested order does not help. */
	fake_zone_init(&f, 0, 0);
	fake_zone_add(&f, 0, 1, MIGRATE_MOVABLE);
	assert_false(__zone_watermark_ok(&f.z, 2, 1000, hz, ALLOC_CMA, 5000));
}

static struct page *last_order4;

/* Allocates movable order-4 blocks (no pcp at order 4) until the first failure. */
static unsigned long fill_order4(struct kmm_machine *m, gfp_t gfp)
{
	unsigned long n = 0;
	struct page *p;

	while ((p = alloc_pages(K(m), gfp | __GFP_MOVABLE | __GFP_NOWARN, 4))) {
		last_order4 = p;
		n++;
	}
	return n;
}

static void test_buddy_atomic_and_high_reach_below_min(void **state)
{
	struct kmm_machine *m = buddy_machine("1G", "1", NULL);
	struct zone *z = zone_of(m, 0, ZONE_DMA);
	unsigned long min, min1, min2, f, max_ha;

	(void)state;
	/* No boosting: the watermarks stay put while memory runs out. */
	assert_int_equal(kmm_sysctl(m, "vm.watermark_boost_factor", "0"), KMM_OK);
	min = z->_watermark[WMARK_MIN];
	min1 = min - min / 2;	     /* __GFP_HIGH: ALLOC_MIN_RESERVE */
	min2 = min1 - min1 / 4;	     /* GFP_ATOMIC: ALLOC_MIN_RESERVE | ALLOC_NON_BLOCK */
	assert_int_equal(min, 5632); /* min_free_kbytes 22528 (khugepaged's), as captured */
	/*
	 * An order-4 request passes while free - 15 > the reduced min. Each success takes 16
	 * pages, so the first failure leaves min' <= free <= min' + 15.
	 */
	assert_true(fill_order4(m, GFP_NOWAIT) > 10000);
	f = zone_page_state(z, NR_FREE_PAGES);
	assert_true(f >= min && f <= min + 15);
	assert_true(fill_order4(m, GFP_KERNEL | __GFP_HIGH) > 0);
	f = zone_page_state(z, NR_FREE_PAGES);
	assert_true(f >= min1 && f <= min1 + 15);
	/*
	 * The blocking request went through direct reclaim (counted as an allocstall on its
	 * highest zone, Normal) and direct compaction, whose entry point skips until compaction
	 * exists: COMPACT_SKIPPED is not a compaction stall.
	 */
	assert_true(K(m)->vm_events[ALLOCSTALL_NORMAL] > 0);
	assert_int_equal(K(m)->vm_events[COMPACTSTALL], 0);
	assert_true(fill_order4(m, GFP_ATOMIC) > 0);
	f = zone_page_state(z, NR_FREE_PAGES);
	assert_true(f >= min2 && f <= min2 + 15);
	assert_check(m);

	/* Highatomic reserves never exceed 1% of the zone plus one pageblock. */
	max_ha = zone_managed_pages(z) / 100 + pageblock_nr_pages;
	assert_true(z->nr_reserved_highatomic <= max_ha + pageblock_nr_pages);
	assert_int_equal(blocks_of_type(m, z, MIGRATE_HIGHATOMIC) * pageblock_nr_pages,
			 z->nr_reserved_highatomic);
	/* Running short woke kswapd (recorded until reclaim exists). */
	assert_true(z->zone_pgdat->kswapd_wakeups > 0);
	test_machine_done(m);
}

static void test_buddy_highatomic_reserve_and_release(void **state)
{
	struct kmm_machine *m = buddy_machine("1G", "1", NULL);
	struct zone *z = zone_of(m, 0, ZONE_DMA);
	struct page *p, *q;
	unsigned long block;

	(void)state;
	/*
	 * Below the low watermark, an atomic high-order request takes the slow path with
	 * ALLOC_HIGHATOMIC; its success reserves the page's pageblock as HIGHATOMIC, and the next
	 * one is served from that reserve first. (Above low, the fast path reserves nothing.)
	 */
	fill_order4(m, GFP_NOWAIT);
	assert_int_equal(z->nr_reserved_highatomic, 0);
	p = alloc_pages(K(m), GFP_ATOMIC, 4);
	assert_non_null(p);
	block = page_to_pfn(K(m), p) / pageblock_nr_pages;
	assert_int_equal(z->nr_reserved_highatomic, pageblock_nr_pages);
	assert_int_equal(blocks_of_type(m, z, MIGRATE_HIGHATOMIC), 1);
	assert_int_equal(get_pageblock_migratetype(K(m), p), MIGRATE_HIGHATOMIC);
	q = alloc_pages(K(m), GFP_ATOMIC, 4);
	assert_int_equal(page_to_pfn(K(m), q) / pageblock_nr_pages, block);
	assert_int_equal(z->nr_reserved_highatomic, pageblock_nr_pages);
	/* Ordinary requests cannot count the reserve: it is subtracted from their free pages. */
	__free_pages(K(m), p, 4);
	__free_pages(K(m), q, 4);
	assert_int_equal(blocks_of_type(m, z, MIGRATE_HIGHATOMIC), 1);
	/*
	 * A blocking request that fails its watermark releases the reserve: should_reclaim_retry
	 * hands the highatomic pageblock to the requester's type (UNMOVABLE).
	 */
	alloc_pages(K(m), GFP_KERNEL | __GFP_NOWARN, 0);
	assert_int_equal(z->nr_reserved_highatomic, 0);
	assert_int_equal(blocks_of_type(m, z, MIGRATE_HIGHATOMIC), 0);
	assert_int_equal(get_pfnblock_migratetype(K(m), block * pageblock_nr_pages),
			 MIGRATE_UNMOVABLE);
	test_machine_done(m);
}

static void test_buddy_lowmem_reserve_protects_dma(void **state)
{
	struct kmm_machine *m = buddy_machine("5G", "1", NULL);
	struct zone *dma = zone_of(m, 0, ZONE_DMA), *normal = zone_of(m, 0, ZONE_NORMAL);
	long reserve = dma->lowmem_reserve[ZONE_MOVABLE];
	unsigned long f, min_d = min_wmark_pages(dma), min_n = min_wmark_pages(normal);

	(void)state;
	assert_int_equal(kmm_sysctl(m, "vm.watermark_boost_factor", "0"), KMM_OK);
	/*
	 * GFP_HIGHUSER_MOVABLE may use Movable, Normal, DMA32, DMA (gfp_zone: ZONE_MOVABLE).
	 * DMA's protection against such requests is lowmem_reserve[ZONE_MOVABLE]: the managed
	 * pages above it / lowmem_reserve_ratio[DMA] (256) = Normal's 2 GiB / 256.
	 */
	assert_true(reserve > 1500 && reserve <= 2048);
	fill_order4(m, GFP_HIGHUSER_MOVABLE & ~__GFP_DIRECT_RECLAIM);
	f = zone_page_state(normal, NR_FREE_PAGES);
	assert_true(f >= min_n && f <= min_n + 15);
	f = zone_page_state(dma, NR_FREE_PAGES);
	assert_true(f >= min_d + (unsigned long)reserve &&
		    f <= min_d + (unsigned long)reserve + 15);
	/* A DMA request (highest zone DMA, reserve 0) still goes down to DMA's own min. */
	fill_order4(m, GFP_NOWAIT | GFP_DMA);
	f = zone_page_state(dma, NR_FREE_PAGES);
	assert_true(f >= min_d && f <= min_d + 15);
	test_machine_done(m);
}

/* "Node 0 DMA free:43688kB boost:0kB" -> "Node # DMA free:#kB boost:#kB"; yes/no -> '?' */
static void skeleton(const char *line, char *out, size_t len)
{
	size_t n = 0;

	for (const char *p = line; *p && *p != '\n' && n + 1 < len; p++) {
		if (*p >= '0' && *p <= '9') {
			while (p[1] >= '0' && p[1] <= '9')
				p++;
			out[n++] = '#';
		} else {
			out[n++] = *p;
		}
	}
	out[n] = 0;
	if (n >= 4 && strcmp(out + n - 4, " yes") == 0)
		strcpy(out + n - 3, "?");
	else if (n >= 3 && strcmp(out + n - 3, " no") == 0)
		strcpy(out + n - 2, "?");
}

/* The first line of @text containing @key, without its "[ time] " prefix, as a skeleton. */
static void line_skeleton(const char *text, const char *key, char *out, size_t len)
{
	const char *p = strstr(text, key), *bol;

	if (!p)
		fail_msg("no \"%s\" in the log", key);
	for (bol = p; bol > text && bol[-1] != '\n'; bol--)
		;
	if (*bol == '[')
		bol = strchr(bol, ']') + 2;
	skeleton(bol, out, len);
}

static char *read_capture(const char *name)
{
	char path[512];
	FILE *f;
	char *buf = calloc(1, 1 << 20);

	snprintf(path, sizeof(path), "%s/oracles/linux/captures/a57-smp1-1G/%s", KMM_DATA_DIR,
		 name);
	f = test_data_fopen(path);
	buf[fread(buf, 1, (1 << 20) - 1, f)] = 0;
	fclose(f);
	return buf;
}

static void test_buddy_failure_warning_and_show_mem_format(void **state)
{
	struct kmm_machine *m = buddy_machine("1G", "1", NULL);
	char *captured = read_capture("post_oom.dmesg.txt");
	static const char *const keys[] = {
		"active_anon:",
		" active_file:",
		" unevictable:",
		" slab_reclaimable:",
		" mapped:",
		" sec_pagetables:",
		" kernel_misc_reclaimable:",
		" free:",
		"Node 0 active_anon:",
		"Node 0 DMA free:",
		"lowmem_reserve[]:",
		"pages RAM",
		"pages reserved",
		"pages cma reserved",
		"Free swap",
	};
	char ours[2048], theirs[2048];
	const char *log;

	(void)state;
	fill_order4(m, GFP_NOWAIT);
	/* Without __GFP_NOWARN the failure is reported, with the kernel's mode string. */
	assert_null(alloc_pages(K(m), GFP_NOWAIT | __GFP_MOVABLE, 4));
	log = kernel_log(m);
	assert_contains(log, "kmmsim: page allocation failure: order:4, mode:0x808("
			     "GFP_NOWAIT|__GFP_MOVABLE), nodemask=(null),cpuset=/,mems_allowed=0");
	assert_contains(log, "Mem-Info:");
	assert_contains(log, "lowmem_reserve[]: 0 0 0 0");
	/* Every line of the report has the captured kernel's fields in the same order. */
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		line_skeleton(log, keys[i], ours, sizeof(ours));
		line_skeleton(captured, keys[i], theirs, sizeof(theirs));
		if (strcmp(ours, theirs) != 0)
			fail_msg("line \"%s\":\n ours:   %s\n kernel: %s", keys[i], ours, theirs);
	}
	/* The free-area line: "Node 0 DMA: N*4kB (..) ... = NkB", orders 4kB .. 4096kB. */
	assert_contains(log, "Node 0 DMA: ");
	assert_contains(log, "*4096kB ");
	free(captured);
	test_machine_done(m);
}

static void test_buddy_order_above_max_and_bad_zone_modifiers(void **state)
{
	struct kmm_machine *m = buddy_machine("1G", "1", NULL);
	kmm_pfn_t pfn;

	(void)state;
	/* The kernel warns and returns NULL for order >= MAX_ORDER ... */
	assert_null(alloc_pages(K(m), GFP_KERNEL, MAX_ORDER));
	assert_contains(last_report(m), "order 11 >= MAX_ORDER");
	/* ... the API refuses it up front, as it refuses two zone modifiers (GFP_ZONE_BAD). */
	assert_einval_mentions(kmm_alloc_pages(m, KMM_GFP_KERNEL, 11, &pfn), kmm_last_error(m),
			       "MAX_ORDER");
	assert_einval_mentions(kmm_alloc_pages(m, KMM___GFP_DMA | KMM___GFP_DMA32, 0, &pfn),
			       kmm_last_error(m), "GFP_ZONE_BAD");
	assert_int_equal(gfp_zone(__GFP_DMA | __GFP_HIGHMEM), -1);
	assert_int_equal(gfp_zone(GFP_HIGHUSER_MOVABLE), ZONE_MOVABLE);
	assert_int_equal(gfp_zone(GFP_HIGHUSER), ZONE_NORMAL);
	assert_int_equal(gfp_zone(GFP_KERNEL | __GFP_MOVABLE), ZONE_NORMAL);
	assert_int_equal(gfp_zone(GFP_DMA32 | __GFP_MOVABLE), ZONE_DMA32);
	test_machine_done(m);
}

static void test_buddy_nofail_with_nothing_left_bugs(void **state)
{
	struct kmm_machine *m = buddy_machine("1G", "1", NULL);
	kmm_pfn_t pfn;

	(void)state;
	while (kmm_alloc_pages(m, KMM_GFP_HIGHUSER_MOVABLE | KMM___GFP_MEMALLOC | KMM___GFP_NOWARN,
			       0, &pfn) == KMM_OK)
		;
	assert_int_equal(zone_page_state(zone_of(m, 0, ZONE_DMA), NR_FREE_PAGES), 0);
	/* A normal request fails cleanly, after the OOM killer found nothing to kill. */
	assert_int_equal(kmm_alloc_pages(m, KMM_GFP_KERNEL | KMM___GFP_NOWARN, 0, &pfn),
			 KMM_ENOMEM);
	assert_contains(kernel_log(m), "Out of memory and no killable processes...");
	assert_int_equal(kmm_check(m), KMM_OK);
	/* __GFP_NOFAIL can neither fail nor succeed: the simulated kernel dies. */
	assert_int_equal(kmm_alloc_pages(m, KMM_GFP_KERNEL | KMM___GFP_NOFAIL, 0, &pfn), KMM_EBUG);
	assert_contains(last_report(m), "System is deadlocked on memory");
	assert_int_equal(kmm_alloc_pages(m, KMM_GFP_KERNEL, 0, &pfn), KMM_EDEAD);
	kmm_machine_destroy(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_buddy_watermark_reserve_fractions),
		cmocka_unit_test(test_buddy_atomic_and_high_reach_below_min),
		cmocka_unit_test(test_buddy_highatomic_reserve_and_release),
		cmocka_unit_test(test_buddy_lowmem_reserve_protects_dma),
		cmocka_unit_test(test_buddy_failure_warning_and_show_mem_format),
		cmocka_unit_test(test_buddy_order_above_max_and_bad_zone_modifiers),
		cmocka_unit_test(test_buddy_nofail_with_nothing_left_bugs),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
