/*
 * Memory compaction (src/mm/compaction.c) without page migration: deferral, the
 * fragmentation index, compaction_suitable, the pageblock skip bits and their reset, the
 * scanners meeting in a zone with nothing to move, the sysctls and the node's compact file.
 *
 * Expected values are worked out by hand from Linux 6.1.192's rules (in the comments):
 *   - defer_compaction(): considered = 0, shift + 1 (at most 6), order_failed lowered to the
 *     order; compaction_deferred(): an order below order_failed never is; otherwise the
 *     attempt is skipped until ++considered reaches 1 << shift.
 *   - __fragmentation_index(): 0 without free blocks, -1000 when a block of the order is
 *     free, else 1000 - (1000 + free_pages * 1000 / 2^order) / free_blocks_total (integer
 *     divisions); extfrag_for_order(): (free - suitable blocks * 2^order) * 100 / free.
 *   - __compaction_suitable(): SUCCESS when the order's watermark is met; SKIPPED unless the
 *     free pages exceed low (costly orders) + 2 << order; then, for costly orders, SKIPPED if
 *     0 <= fragindex <= vm.extfrag_threshold.
 *   - __reset_isolation_suitable(): the migrate side (low half) clears a block's skip bit for
 *     a sampled LRU page only (until a source is found), the free side (high half) for a
 *     sampled free page in a MOVABLE block; the sample is every 8th page from the block start.
 * kmm_check after each step.
 */
#include "buddy_test.h"

#include "mm/compaction.h"

#define ZPAGES (1UL << 18) /* 1 GiB of 4 KiB pages: one zone, DMA, PFNs 0x40000..0x80000 */

static struct kmm_machine *machine_1g(void)
{
	return buddy_machine("1G", "1", "cma=0");
}

static unsigned long ev(struct kmm_machine *m, enum vm_event_item i)
{
	return m->kernel.vm_events[i];
}

/*
 * Every free page of the machine allocated as order-0 pages (no reclaim, no watermarks);
 * @mine[pfn - start] is set for each. Returns how many.
 */
static unsigned long exhaust(struct kmm_machine *m, struct zone *z, uint8_t *mine)
{
	const gfp_t gfp = __GFP_MOVABLE | __GFP_HIGHMEM | __GFP_MEMALLOC | __GFP_NOWARN;
	struct kmm_kernel *k = K(m);
	unsigned long n = 0;

	for (int pass = 0; pass < 2; pass++) {
		for (int order = MAX_ORDER - 1; order >= 0; order--) {
			struct page *page;

			while ((page = alloc_pages(k, gfp, (unsigned)order))) {
				unsigned long pfn = page_to_pfn(k, page);

				split_page(k, page, (unsigned)order);
				for (unsigned long i = 0; i < 1UL << order; i++)
					mine[pfn + i - z->zone_start_pfn] = 1;
				n += 1UL << order;
			}
		}
		drain_all_pages(k, NULL); /* pcp pages back: the second pass takes them */
	}
	assert_int_equal(zone_page_state(z, NR_FREE_PAGES), 0);
	return n;
}

/* Frees our pages at offsets @first, @first + @every, ... from the zone's start, up to @max. */
static unsigned long free_pattern(struct kmm_machine *m, struct zone *z, uint8_t *mine,
				  unsigned long first, unsigned long every, unsigned long max)
{
	unsigned long n = 0;

	for (unsigned long off = first; off < ZPAGES && n < max; off += every) {
		if (!mine[off])
			continue;
		__free_pages(K(m), pfn_to_page(K(m), z->zone_start_pfn + off), 0);
		mine[off] = 0;
		n++;
	}
	drain_all_pages(K(m), NULL);
	return n;
}

/* ---- deferral ---------------------------------------------------------------------------- */

static void test_compaction_defer_backs_off_and_resets(void **state)
{
	struct kmm_machine *m = machine_1g();
	struct kmm_kernel *k = K(m);
	struct zone *z = zone_of(m, 0, ZONE_DMA);

	(void)state;
	/* Boot: nothing deferred, order_failed 0. */
	assert_int_equal(z->compact_considered, 0);
	assert_int_equal(z->compact_defer_shift, 0);
	assert_int_equal(z->compact_order_failed, 0);
	assert_false(compaction_deferred(k, z, 9)); /* ++considered = 1 >= 1 << 0 */
	assert_int_equal(z->compact_considered, 1);

	/* One failure at order 9: shift 1, the next attempt is skipped, the one after runs. */
	defer_compaction(k, z, 9);
	assert_int_equal(z->compact_considered, 0);
	assert_int_equal(z->compact_defer_shift, 1);
	assert_int_equal(z->compact_order_failed, 0); /* min(0, 9) */
	assert_true(compaction_deferred(k, z, 9));
	assert_false(compaction_deferred(k, z, 9));
	/* A second failure: shift 2, three skipped, the fourth runs. */
	defer_compaction(k, z, 9);
	for (int i = 0; i < 3; i++)
		assert_true(compaction_deferred(k, z, 9));
	assert_false(compaction_deferred(k, z, 9));
	assert_int_equal(z->compact_considered, 4);
	/* The shift stops at COMPACT_MAX_DEFER_SHIFT (6): 64 attempts, 63 skipped. */
	for (int i = 0; i < 10; i++)
		defer_compaction(k, z, 9);
	assert_int_equal(z->compact_defer_shift, 6);
	assert_false(compaction_restarting(z, 9));
	for (int i = 0; i < 63; i++)
		assert_true(compaction_deferred(k, z, 9));
	assert_false(compaction_deferred(k, z, 9));
	assert_int_equal(z->compact_considered, 64);
	assert_true(compaction_restarting(z, 9)); /* shift 6 and considered >= 64 */
	assert_check(m);

	/* A success at order 9 with the allocation done: back-off gone, orders <= 9 never defer. */
	compaction_defer_reset(k, z, 9, true);
	assert_int_equal(z->compact_considered, 0);
	assert_int_equal(z->compact_defer_shift, 0);
	assert_int_equal(z->compact_order_failed, 10);
	defer_compaction(k, z, 10);
	assert_false(compaction_deferred(k, z, 9)); /* 9 < order_failed 10: not even counted */
	assert_int_equal(z->compact_considered, 0);
	assert_true(compaction_deferred(k, z, 10));
	/* A failure at a lower order lowers order_failed. */
	defer_compaction(k, z, 4);
	assert_int_equal(z->compact_order_failed, 4);
	assert_int_equal(z->compact_defer_shift, 2);
	/* A likely success (alloc_success false) keeps the back-off but raises order_failed. */
	compaction_defer_reset(k, z, 6, false);
	assert_int_equal(z->compact_defer_shift, 2);
	assert_int_equal(z->compact_order_failed, 7);
	assert_check(m);
	test_machine_done(m);
}

/* ---- fragmentation index ------------------------------------------------------------------ */

static void test_compaction_fragindex_hand_values(void **state)
{
	struct zone z;

	(void)state;
	memset(&z, 0, sizeof(z));
	/* No free page: 0 (a failure would be for lack of memory), extfrag 0. */
	assert_int_equal(fragmentation_index(&z, 9), 0);
	assert_int_equal(extfrag_for_order(&z, 9), 0);

	/* 1024 free order-0 pages: 1000 - (1000 + 1024000 / 512) / 1024 = 1000 - 2 = 998. */
	z.free_area[0].nr_free = 1024;
	assert_int_equal(fragmentation_index(&z, 9), 998);
	assert_int_equal(extfrag_for_order(&z, 9), 100);
	/* For order 1: 1000 - (1000 + 1024000 / 2) / 1024 = 1000 - 513000 / 1024 = 1000 - 500. */
	assert_int_equal(fragmentation_index(&z, 1), 500);
	/* Order 0 always has a suitable block. */
	assert_int_equal(fragmentation_index(&z, 0), -1000);

	/* Plus one free order-9 block: suitable for 9 (-1000); extfrag (1536 - 512) * 100 / 1536.
	 */
	z.free_area[9].nr_free = 1;
	assert_int_equal(fragmentation_index(&z, 9), -1000);
	assert_int_equal(extfrag_for_order(&z, 9), 66);
	/* Order 10: 1536 pages in 1025 blocks: 1000 - (1000 + 1536000 / 1024) / 1025 = 1000 - 2. */
	assert_int_equal(fragmentation_index(&z, 10), 998);

	/* Four order-3 blocks only, order 4: 1000 - (1000 + 32000 / 16) / 4 = 1000 - 750 = 250. */
	memset(&z, 0, sizeof(z));
	z.free_area[3].nr_free = 4;
	assert_int_equal(fragmentation_index(&z, 4), 250);
	assert_int_equal(extfrag_for_order(&z, 4), 100);
	assert_int_equal(extfrag_for_order(&z, 3), 0);
	/* Two order-8 blocks, order 9: 1000 - (1000 + 512000 / 512) / 2 = 0: lack of memory. */
	memset(&z, 0, sizeof(z));
	z.free_area[8].nr_free = 2;
	assert_int_equal(fragmentation_index(&z, 9), 0);
}

/* ---- compaction_suitable ------------------------------------------------------------------ */

static void test_compaction_suitable_watermark_gap_and_threshold(void **state)
{
	struct kmm_machine *m = machine_1g();
	struct kmm_kernel *k = K(m);
	struct zone *z = zone_of(m, 0, ZONE_DMA);
	uint8_t *mine = calloc(ZPAGES, 1);
	unsigned long low, freed;

	(void)state;
	assert_non_null(mine);
	/* A fresh zone has free order-9 blocks above the low watermark: nothing to do. */
	assert_int_equal(compaction_suitable(k, z, 9, ALLOC_WMARK_LOW, ZONE_DMA), COMPACT_SUCCESS);
	/* compact_memory's order -1 always continues. */
	assert_int_equal(compaction_suitable(k, z, -1, 0, ZONE_DMA), COMPACT_CONTINUE);

	exhaust(m, z, mine);
	low = low_wmark_pages(z);
	/* Free pages: every other page, exactly low + 1024 of them: not above the gap. */
	freed = free_pattern(m, z, mine, 0, 2, low + 1024);
	assert_int_equal(freed, low + 1024);
	assert_int_equal(zone_page_state(z, NR_FREE_PAGES), low + 1024);
	assert_int_equal(z->free_area[0].nr_free, low + 1024); /* no two of them are buddies */
	assert_int_equal(compaction_suitable(k, z, 9, ALLOC_WMARK_LOW, ZONE_DMA), COMPACT_SKIPPED);
	/* One more: above low + 2 << 9; fragindex 1000 - (1000 + F*1000/512)/F = 998 > 500. */
	assert_int_equal(free_pattern(m, z, mine, 0, 2, 1), 1);
	freed++;
	assert_int_equal(fragmentation_index(z, 9),
			 1000 - (int)((1000 + freed * 1000 / 512) / freed));
	assert_int_equal(fragmentation_index(z, 9), 998);
	assert_int_equal(compaction_suitable(k, z, 9, ALLOC_WMARK_LOW, ZONE_DMA), COMPACT_CONTINUE);
	/* vm.extfrag_threshold 1000: 998 <= 1000 says "lack of memory": skipped. */
	assert_int_equal(kmm_sysctl(m, "vm.extfrag_threshold", "1000"), KMM_OK);
	assert_int_equal(compaction_suitable(k, z, 9, ALLOC_WMARK_LOW, ZONE_DMA), COMPACT_SKIPPED);
	/* Order 3 is not costly: the threshold does not apply; min + 16 is far below. */
	assert_int_equal(compaction_suitable(k, z, 3, ALLOC_WMARK_LOW, ZONE_DMA), COMPACT_CONTINUE);
	/* Order 0 meets its watermark: success. */
	assert_int_equal(compaction_suitable(k, z, 0, ALLOC_WMARK_LOW, ZONE_DMA), COMPACT_SUCCESS);
	assert_check(m);
	free(mine);
	test_machine_done(m);
}

/* ---- skip bits ---------------------------------------------------------------------------- */

static bool block_all_mine(const uint8_t *mine, unsigned long block)
{
	for (unsigned long i = 0; i < pageblock_nr_pages; i++)
		if (!mine[block * pageblock_nr_pages + i])
			return false;
	return true;
}

static void test_compaction_skip_bits_reset_by_sample(void **state)
{
	struct kmm_machine *m = machine_1g();
	struct kmm_kernel *k = K(m);
	struct zone *z = zone_of(m, 0, ZONE_DMA);
	uint8_t *mine = calloc(ZPAGES, 1);
	const unsigned long nblocks = ZPAGES / pageblock_nr_pages, start = z->zone_start_pfn;
	unsigned long hi_even = 0, hi_odd = 0, lo_even = 0;

	(void)state;
	assert_non_null(mine);
	assert_int_equal(nblocks, 512);
	exhaust(m, z, mine);
	/*
	 * Three blocks wholly ours, movable: in the high half one with its even pages free (the
	 * sample hits free pages) and one with its odd pages free (the sample misses them); in the
	 * low half one with its even pages free (the migrate side looks for LRU pages only).
	 */
	for (unsigned long b = nblocks - 1; b >= nblocks / 2 && (!hi_even || !hi_odd); b--)
		if (block_all_mine(mine, b) &&
		    get_pfnblock_migratetype(k, start + b * pageblock_nr_pages) ==
			    MIGRATE_MOVABLE) {
			if (!hi_even)
				hi_even = b;
			else
				hi_odd = b;
		}
	for (unsigned long b = 1; b < nblocks / 2 && !lo_even; b++)
		if (block_all_mine(mine, b))
			lo_even = b;
	assert_true(hi_even && hi_odd && lo_even);
	free_pattern(m, z, mine, hi_even * pageblock_nr_pages, 2, pageblock_nr_pages / 2);
	free_pattern(m, z, mine, hi_odd * pageblock_nr_pages + 1, 2, pageblock_nr_pages / 2);
	free_pattern(m, z, mine, lo_even * pageblock_nr_pages, 2, pageblock_nr_pages / 2);

	for (unsigned long b = 0; b < nblocks; b++)
		set_pageblock_skip(k, start + b * pageblock_nr_pages);
	/* Without compact_blockskip_flush the reset does nothing. */
	z->compact_blockskip_flush = false;
	reset_isolation_suitable(k, NODE_DATA(k, 0));
	assert_true(get_pageblock_skip(k, start + hi_even * pageblock_nr_pages));

	z->compact_blockskip_flush = true;
	reset_isolation_suitable(k, NODE_DATA(k, 0));
	assert_false(z->compact_blockskip_flush);
	assert_false(get_pageblock_skip(k, start + hi_even * pageblock_nr_pages));
	assert_true(get_pageblock_skip(k, start + hi_odd * pageblock_nr_pages));
	assert_true(get_pageblock_skip(k, start + lo_even * pageblock_nr_pages));
	/*
	 * No source block was found (no LRU page anywhere), so reset_migrate stays at the zone's
	 * last PFN, above any free-side hit: "no distance". After 256 rounds the migrate side is at
	 * 0x40000 + 256 * 512 = 0x60000 and the free side at 0x7ffff - 256 * 512 = 0x5ffff.
	 */
	assert_int_equal(z->compact_cached_migrate_pfn[0], 0x60000);
	assert_int_equal(z->compact_cached_migrate_pfn[1], 0x60000);
	assert_int_equal(z->compact_cached_free_pfn, 0x5ffff);
	assert_check(m);
	free(mine);
	test_machine_done(m);
}

/* ---- the scanners ------------------------------------------------------------------------- */

static void test_compaction_scanners_meet_with_nothing_movable(void **state)
{
	struct kmm_machine *m = machine_1g();
	struct kmm_kernel *k = K(m);
	struct zone *z = zone_of(m, 0, ZONE_DMA);
	uint8_t *mine = calloc(ZPAGES, 1);
	unsigned long isolated0, free_scanned0, migrate_scanned0;
	struct compact_control cc = {
		.order = -1,
		.mode = MIGRATE_SYNC,
		.ignore_skip_hint = true,
		.whole_zone = true,
		.gfp_mask = GFP_KERNEL,
		.zone = z,
	};

	(void)state;
	assert_non_null(mine);
	/* No LRU page anywhere: what exhaust() took is not on an LRU, half of it freed again. */
	exhaust(m, z, mine);
	free_pattern(m, z, mine, 0, 2, ZPAGES);
	isolated0 = ev(m, COMPACTISOLATED);
	free_scanned0 = ev(m, COMPACTFREE_SCANNED);
	migrate_scanned0 = ev(m, COMPACTMIGRATE_SCANNED);
	assert_int_equal(kmm_trace_enable(m, "mm_compaction_begin", true), KMM_OK);
	assert_int_equal(kmm_trace_enable(m, "mm_compaction_end", true), KMM_OK);
	/*
	 * The migrate scanner walks every block up to the free scanner's (the zone's last block)
	 * and isolates nothing; the free scanner runs only when migration asks for pages, so
	 * it never does: the run ends COMPACT_COMPLETE with the scanners met.
	 */
	assert_int_equal(compact_zone(k, &cc, NULL), COMPACT_COMPLETE);
	assert_true(cc.migrate_pfn >> pageblock_order >= cc.free_pfn >> pageblock_order);
	assert_int_equal(cc.free_pfn, 0x7fe00); /* pageblock_start_pfn(zone_end - 1) */
	assert_int_equal(ev(m, COMPACTISOLATED), isolated0);
	assert_int_equal(ev(m, COMPACTFREE_SCANNED), free_scanned0);
	/* Each block up to 0x7fe00 looked at: at least one PFN per block, at most every PFN. */
	assert_true(ev(m, COMPACTMIGRATE_SCANNED) - migrate_scanned0 >= 511);
	assert_true(ev(m, COMPACTMIGRATE_SCANNED) - migrate_scanned0 <= 0x3fe00);
	/* reset_cached_positions(): the next run starts at both ends. */
	assert_int_equal(z->compact_cached_migrate_pfn[0], 0x40000);
	assert_int_equal(z->compact_cached_migrate_pfn[1], 0x40000);
	assert_int_equal(z->compact_cached_free_pfn, 0x7fe00);
	assert_contains(test_view(m, "/sys/kernel/debug/tracing/trace"),
			"mm_compaction_begin: zone_start=0x40000 migrate_pfn=0x40000 "
			"free_pfn=0x7fe00 zone_end=0x80000, mode=sync");
	assert_contains(test_view(m, "/sys/kernel/debug/tracing/trace"),
			"mode=sync status=complete");
	assert_check(m);
	free(mine);
	test_machine_done(m);
}

/* ---- sysctls and sysfs -------------------------------------------------------------------- */

static void assert_proc(struct kmm_machine *m, const char *path, const char *want)
{
	char buf[64];

	assert_int_equal(kmm_proc_read(m, path, buf, sizeof(buf)), KMM_OK);
	assert_string_equal(buf, want);
}

static void test_compaction_sysctls_and_node_file(void **state)
{
	struct kmm_machine *m = machine_1g();
	char buf[64];

	(void)state;
	/* 6.1's defaults. */
	assert_proc(m, "/proc/sys/vm/extfrag_threshold", "500\n");
	assert_proc(m, "/proc/sys/vm/compact_unevictable_allowed", "1\n");
	assert_proc(m, "/proc/sys/vm/compaction_proactiveness", "20\n");
	/* compact_memory is write-only (0200). */
	assert_int_not_equal(kmm_proc_read(m, "/proc/sys/vm/compact_memory", buf, sizeof(buf)),
			     KMM_OK);
	/* Ranges: extfrag 0..1000, unevictable 0..1, proactiveness 0..100; refusals change nothing.
	 */
	assert_int_equal(kmm_sysctl(m, "vm.extfrag_threshold", "1001"), KMM_EINVAL);
	assert_int_equal(kmm_sysctl(m, "vm.extfrag_threshold", "-1"), KMM_EINVAL);
	assert_int_equal(kmm_sysctl(m, "vm.compact_unevictable_allowed", "2"), KMM_EINVAL);
	assert_int_equal(kmm_sysctl(m, "vm.compaction_proactiveness", "101"), KMM_EINVAL);
	assert_proc(m, "/proc/sys/vm/extfrag_threshold", "500\n");
	assert_int_equal(kmm_sysctl(m, "vm.extfrag_threshold", "0"), KMM_OK);
	assert_int_equal(kmm_sysctl(m, "vm.compact_unevictable_allowed", "0"), KMM_OK);
	assert_int_equal(kmm_sysctl(m, "vm.compaction_proactiveness", "0"), KMM_OK);
	assert_proc(m, "/proc/sys/vm/extfrag_threshold", "0\n");
	assert_proc(m, "/proc/sys/vm/compact_unevictable_allowed", "0\n");
	assert_proc(m, "/proc/sys/vm/compaction_proactiveness", "0\n");
	/* Any value compacts; node 0's file exists, node 1's does not on one node. */
	assert_int_equal(kmm_sysctl(m, "vm.compact_memory", "1"), KMM_OK);
	assert_int_equal(kmm_sysctl(m, "/sys/devices/system/node/node0/compact", "1"), KMM_OK);
	assert_int_equal(kmm_sysctl(m, "/sys/devices/system/node/node1/compact", "1"), KMM_ENOENT);
	assert_int_equal(kmm_sysctl(m, "/sys/devices/system/node/node0/compactx", "1"), KMM_ENOENT);
	assert_check(m);
	test_machine_done(m);
}

/* ---- kcompactd ---------------------------------------------------------------------------- */

static void test_compaction_kcompactd_request_then_proactive(void **state)
{
	struct kmm_machine *m = machine_1g();
	struct kmm_kernel *k = K(m);
	struct zone *z = zone_of(m, 0, ZONE_DMA);
	uint8_t *mine = calloc(ZPAGES, 1);
	unsigned long wake0, scanned0, scanned1;

	(void)state;
	assert_non_null(mine);
	/*
	 * kcompactd0 comes at the first run point after something asks for it: here a write of
	 * vm.compaction_proactiveness, whose proactive check finds a fresh zone (score ~0).
	 */
	assert_int_equal(kmm_sysctl(m, "vm.compaction_proactiveness", "20"), KMM_OK);
	assert_int_equal(kmm_idle(m, 1000000), KMM_OK);
	assert_int_equal(ev(m, KCOMPACTD_MIGRATE_SCANNED), 0);
	exhaust(m, z, mine);
	free_pattern(m, z, mine, 0, 2, ZPAGES); /* ~half the zone free, all order 0 */
	wake0 = ev(m, KCOMPACTD_WAKE);
	scanned0 = ev(m, KCOMPACTD_MIGRATE_SCANNED);
	/*
	 * kswapd's request for order 9 (as kswapd_try_to_sleep makes it): the zone is suitable
	 * (fragindex ~999 > 500), so the sleeping kcompactd0 is woken and compacts once:
	 * compact_daemon_wake + 1. Nothing is movable, so the run ends with the scanners met
	 * short of a whole-zone run (PARTIAL_SKIPPED): the zone's order-9 compaction is deferred.
	 */
	wakeup_kcompactd(k, NODE_DATA(k, 0), 9, ZONE_DMA);
	assert_int_equal(kmm_idle(m, 1000000), KMM_OK);
	assert_int_equal(ev(m, KCOMPACTD_WAKE), wake0 + 1);
	scanned1 = ev(m, KCOMPACTD_MIGRATE_SCANNED);
	assert_true(scanned1 > scanned0);
	assert_int_equal(z->compact_defer_shift, 1);
	assert_int_equal(z->compact_considered, 0);
	assert_contains(test_view(m, "/proc/vmstat"), "compact_daemon_wake 1\n");
	/* The request was consumed: 400 ms more bring no second run. */
	assert_int_equal(kmm_idle(m, 400000000), KMM_OK);
	assert_int_equal(ev(m, KCOMPACTD_WAKE), wake0 + 1);
	assert_int_equal(ev(m, KCOMPACTD_MIGRATE_SCANNED), scanned1);
	/*
	 * At 500 ms (HPAGE_FRAG_CHECK_INTERVAL_MSEC) the proactive check: the node's score is
	 * 100 * present / (present + 1) = 99 > the high mark min(max(100 - 20, 5) + 10, 100) = 90,
	 * so every zone is compacted proactively (counted as kcompactd's scanning, no wake).
	 */
	assert_int_equal(fragmentation_score_node(k, NODE_DATA(k, 0)), 99);
	assert_int_equal(kmm_idle(m, 200000000), KMM_OK);
	assert_int_equal(ev(m, KCOMPACTD_WAKE), wake0 + 1);
	assert_true(ev(m, KCOMPACTD_MIGRATE_SCANNED) > scanned1);
	/* With vm.compaction_proactiveness 0 the thread only waits for requests. */
	scanned1 = ev(m, KCOMPACTD_MIGRATE_SCANNED);
	assert_int_equal(kmm_sysctl(m, "vm.compaction_proactiveness", "0"), KMM_OK);
	assert_int_equal(kmm_idle(m, 100000000000ull), KMM_OK);
	assert_int_equal(ev(m, KCOMPACTD_MIGRATE_SCANNED), scanned1);
	assert_check(m);
	free(mine);
	test_machine_done(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_compaction_defer_backs_off_and_resets),
		cmocka_unit_test(test_compaction_fragindex_hand_values),
		cmocka_unit_test(test_compaction_suitable_watermark_gap_and_threshold),
		cmocka_unit_test(test_compaction_skip_bits_reset_by_sample),
		cmocka_unit_test(test_compaction_scanners_meet_with_nothing_movable),
		cmocka_unit_test(test_compaction_sysctls_and_node_file),
		cmocka_unit_test(test_compaction_kcompactd_request_then_proactive),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
