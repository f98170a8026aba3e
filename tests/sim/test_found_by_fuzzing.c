/*
 * Regression tests for the bugs fuzzing and the bad-input tables found (issue 13). Each case
 * names its bug; each failed (or crashed) before its fix.
 */
#include "kmm_test.h"

#include "mm/internal.h"
#include "sim/machine.h"
#include "tools/mmu_json.h"

/*
 * Bug 1: a zone under 8192 managed pages got a per-CPU batch of 0, and draining a list that
 * held a page looped forever. Each configuration makes such a zone (16 MiB of ZONE_MOVABLE,
 * 16 MiB of RAM, a 48 MiB kernelcore, a 64 MiB node).
 */
static void test_fuzz_small_zone_drains(void **state)
{
	static const char *const setups[][2] = {
		{"-append", "movablecore=16M"},
		{"-append", "mem=16M"},
		{"-append", "kernelcore=48M"},
		{"-numa", "node,nodeid=0,mem=192M,cpus=0"},
	};

	for (size_t i = 0; i < sizeof(setups) / sizeof(setups[0]); i++) {
		struct kmm_config cfg;
		struct kmm_machine *m;
		kmm_pfn_t pfn;

		kmm_config_init(&cfg);
		assert_int_equal(kmm_config_option(&cfg, "-m", "256M"), KMM_OK);
		assert_int_equal(kmm_config_option(&cfg, "-smp", "1"), KMM_OK);
		assert_int_equal(kmm_config_option(&cfg, setups[i][0], setups[i][1]), KMM_OK);
		if (i == 3)
			assert_int_equal(kmm_config_option(&cfg, "-numa", "node,nodeid=1,mem=64M"),
					 KMM_OK);
		m = test_machine(&cfg);
		for (int node = 0; node < (i == 3 ? 2 : 1); node++) {
			assert_int_equal(
				kmm_alloc_pages_node(m, node, KMM_GFP_HIGHUSER_MOVABLE, 0, &pfn),
				KMM_OK);
			assert_int_equal(kmm_free_pages(m, pfn, 0), KMM_OK);
		}
		assert_int_equal(kmm_drain_all_pages(m), KMM_OK);
		test_machine_done(m);
	}
}

/* ... and kmm_check now sees a batch of 0 (the state that hung the drain). */
static void test_fuzz_check_sees_pcp_batch_zero(void **state)
{
	struct kmm_machine *m = test_machine(NULL);
	struct zone *zone = &m->kernel.node_data[0]->node_zones[ZONE_DMA];

	zone->per_cpu_pageset[1].batch = 0;
	assert_int_equal(kmm_check(m), KMM_ECORRUPT);
	assert_non_null(strstr(kmm_last_error(m), "pcp: cpu 1 DMA batch 0"));
	zone->per_cpu_pageset[1].batch = zone->pageset_batch;
	test_machine_done(m);
}

/*
 * Bug 2: __GFP_MOVABLE|__GFP_RECLAIMABLE selected no real free list and corrupted the per-CPU
 * list counts; the kernel treats the pair as a bug (VM_WARN_ON in gfp_migratetype). Refused,
 * and nothing changes.
 */
static void test_fuzz_movable_and_reclaimable_together_is_refused(void **state)
{
	struct kmm_machine *m = test_machine(NULL);
	const kmm_gfp_t both = KMM_GFP_KERNEL | KMM___GFP_MOVABLE | KMM___GFP_RECLAIMABLE;
	kmm_pfn_t pfn = 0;
	kmm_va_t va = 0;

	assert_error(kmm_alloc_pages(m, both, 1, &pfn), KMM_EINVAL, kmm_last_error(m),
		     "both __GFP_MOVABLE and __GFP_RECLAIMABLE");
	assert_error(kmm_kmalloc(m, 64, both, &va), KMM_EINVAL, kmm_last_error(m),
		     "kmm_kmalloc: GFP");
	assert_int_equal(pfn, 0);
	assert_int_equal(va, 0);
	assert_int_equal(kmm_report_count(m), 0);
	test_machine_done(m);
}

/* Bug 3: nr * 8 + 1 wrapped and the bulk array was a 1-byte block written past its end. */
static void test_fuzz_bulk_page_count_that_wraps_is_refused(void **state)
{
	struct kmm_machine *m = test_machine(NULL);
	kmm_pfn_t pfns[4] = {0};
	size_t done = 7;

	assert_error(kmm_alloc_pages_bulk(m, KMM_GFP_KERNEL, SIZE_MAX / 8 + 1, pfns, &done),
		     KMM_EINVAL, kmm_last_error(m), "pages at once");
	assert_error(kmm_alloc_pages_bulk(m, KMM_GFP_KERNEL, (size_t)INT32_MAX + 1, pfns, &done),
		     KMM_EINVAL, kmm_last_error(m), "pages at once");
	assert_int_equal(done, 7);
	assert_int_equal(pfns[0], 0);
	test_machine_done(m);
}

/* Bug 10: an alignment above CONFIG_CMA_ALIGNMENT (order 8) was quietly lowered to 8. */
static void test_fuzz_cma_alignment_above_the_cap_is_refused(void **state)
{
	struct kmm_machine *m = test_machine(NULL);
	kmm_pfn_t pfn = 0;

	assert_error(kmm_cma_alloc(m, 1024, 10, &pfn), KMM_EINVAL, kmm_last_error(m),
		     "align order 10 is above CONFIG_CMA_ALIGNMENT (8)");
	assert_int_equal(pfn, 0);
	/* Order 8 is honoured: the run starts on a 256-page boundary of the area. */
	assert_int_equal(kmm_cma_alloc(m, 1024, 8, &pfn), KMM_OK);
	assert_int_equal(pfn % 256, 0);
	assert_int_equal(kmm_cma_release(m, pfn, 1024), KMM_OK);
	test_machine_done(m);
}

/* Bug 4: a NULL parameter string crashed; sysctl fields without a NUL were read past. */
static void test_fuzz_config_append_null_and_unterminated_sysctl(void **state)
{
	struct kmm_config cfg;
	struct kmm_machine *m = NULL;

	kmm_config_init(&cfg);
	assert_error(kmm_config_append(&cfg, NULL), KMM_EINVAL, kmm_last_error(NULL),
		     "kmm_config_append: NULL params");
	assert_error(kmm_config_append(NULL, "mem=512M"), KMM_EINVAL, kmm_last_error(NULL),
		     "NULL config");
	assert_int_equal(kmm_config_add_sysctl(&cfg, "vm.min_free_kbytes", "8192"), KMM_OK);
	memset(cfg.sysctls[0].name, 'x', sizeof(cfg.sysctls[0].name));
	assert_error(kmm_config_validate(&cfg), KMM_EINVAL, kmm_last_error(NULL), "not terminated");
	assert_int_equal(kmm_machine_create(&cfg, &m), KMM_EINVAL);
	assert_null(m);
	kmm_config_init(&cfg);
	assert_int_equal(kmm_config_add_sysctl(&cfg, "vm.min_free_kbytes", "8192"), KMM_OK);
	memset(cfg.sysctls[0].value, '9', sizeof(cfg.sysctls[0].value));
	assert_error(kmm_config_validate(&cfg), KMM_EINVAL, kmm_last_error(NULL), "not terminated");
	kmm_config_init(&cfg);
	cfg.nr_sysctls = 1000;
	assert_error(kmm_config_validate(&cfg), KMM_EINVAL, kmm_last_error(NULL), "1000 sysctls");
}

/* Bug 7: these failing calls left kmm_last_error(m) empty or stale. */
static void test_fuzz_every_failing_call_sets_last_error(void **state)
{
	struct kmm_machine *m = test_machine(NULL);
	struct kmm_report r;
	char buf[16];

	assert_int_equal(kmm_proc_show(m, "/proc/iomem", NULL, NULL), KMM_EINVAL);
	assert_string_equal(kmm_last_error(m), "kmm_proc_show: NULL sink");
	assert_int_equal(kmm_proc_read(m, NULL, buf, sizeof(buf)), KMM_EINVAL);
	assert_string_equal(kmm_last_error(m), "kmm_proc_read: NULL path");
	assert_int_equal(kmm_trace_enable(m, NULL, true), KMM_EINVAL);
	assert_string_equal(kmm_last_error(m), "kmm_trace_enable: NULL name");
	assert_int_equal(kmm_report_get(m, 0, &r), KMM_ENOENT);
	assert_non_null(strstr(kmm_last_error(m), "kmm_report_get: no report 0"));
	assert_int_equal(kmm_report_get(m, 5, &r), KMM_ENOENT);
	assert_non_null(strstr(kmm_last_error(m), "no report 5"));
	test_machine_done(m);
}

/* The text of the last report of @m (the ring keeps it), or "" when there is none. */
static const char *last_report_text(struct kmm_machine *m)
{
	static struct kmm_report r;

	if (!kmm_report_count(m) || kmm_report_get(m, kmm_report_count(m), &r) != KMM_OK)
		return "";
	return r.text;
}

/*
 * Bug 5: an order-0 page freed as order 3 went through with KMM_OK and no report (its
 * neighbours, on a pcp list, were then in two places). Now the tails fail the free checks:
 * "Bad page state", and the block is not freed; kmm_check holds.
 */
static void test_fuzz_wrong_order_free_is_a_bad_page(void **state)
{
	struct kmm_machine *m = test_machine(NULL);
	kmm_pfn_t held[64], pfn = 0;
	size_t n = 0;
	uint64_t before;

	/* An order-0 page at an order-3 boundary; the pages before it go back to the pcp list. */
	for (;;) {
		assert_int_equal(kmm_alloc_pages(m, KMM_GFP_KERNEL, 0, &pfn), KMM_OK);
		if (!(pfn & 7))
			break;
		assert_true(n < 64);
		held[n++] = pfn;
	}
	for (size_t i = 0; i < n; i++)
		assert_int_equal(kmm_free_pages(m, held[i], 0), KMM_OK);
	before = kmm_report_count(m);
	assert_int_equal(kmm_free_pages(m, pfn, 3), KMM_OK);
	assert_true(kmm_report_count(m) > before);
	assert_non_null(strstr(last_report_text(m), "BUG: Bad page state"));
	assert_int_equal(kmm_check(m), KMM_OK);
	test_machine_done(m);

	/* The pages of a split order-3 block freed one by one, then the block as order 3. */
	m = test_machine(NULL);
	assert_int_equal(kmm_alloc_pages(m, KMM_GFP_KERNEL, 3, &pfn), KMM_OK);
	assert_int_equal(kmm_split_page(m, pfn, 3), KMM_OK);
	for (unsigned i = 1; i < 8; i++)
		assert_int_equal(kmm_free_pages(m, pfn + i, 0), KMM_OK);
	before = kmm_report_count(m);
	assert_int_equal(kmm_free_pages(m, pfn, 3), KMM_OK);
	assert_true(kmm_report_count(m) > before);
	assert_non_null(strstr(last_report_text(m), "still on a list"));
	test_machine_done(m);

	/* An order-3 compound page freed as order 2 left four tail pages behind, silently. */
	m = test_machine(NULL);
	assert_int_equal(kmm_alloc_pages(m, KMM_GFP_KERNEL | KMM___GFP_COMP, 3, &pfn), KMM_OK);
	before = kmm_report_count(m);
	assert_error(kmm_free_pages(m, pfn, 2), KMM_EINVAL, kmm_last_error(m),
		     "is an order-3 compound page, not order 2");
	assert_int_equal(kmm_report_count(m), before);
	assert_int_equal(kmm_free_pages(m, pfn, 3), KMM_OK);
	test_machine_done(m);
}

/*
 * Bug 5: kmm_split_page of an order-0 page to order 10 gave a reference to 1023 pages that were
 * free or someone else's. Refused with a report; nothing changes.
 */
static void test_fuzz_split_past_the_allocation_is_refused(void **state)
{
	struct kmm_machine *m = test_machine(NULL);
	struct kmm_page_info before, after;
	kmm_pfn_t pfn = 0;
	uint64_t reports;

	do
		assert_int_equal(kmm_alloc_pages(m, KMM_GFP_KERNEL, 0, &pfn), KMM_OK);
	while (pfn & 1023);
	assert_int_equal(kmm_page_info(m, pfn + 1, &before), KMM_OK);
	reports = kmm_report_count(m);
	assert_error(kmm_split_page(m, pfn, 10), KMM_EINVAL, kmm_last_error(m),
		     "is not an allocated order-10 block");
	assert_int_equal(kmm_report_count(m), reports + 1);
	assert_non_null(strstr(last_report_text(m), "split_page: pfn:"));
	assert_int_equal(kmm_page_info(m, pfn + 1, &after), KMM_OK);
	assert_int_equal(after.refcount, before.refcount);
	assert_int_equal(kmm_free_pages(m, pfn, 0), KMM_OK);
	/* A real order-3 block still splits. */
	assert_int_equal(kmm_alloc_pages(m, KMM_GFP_KERNEL, 3, &pfn), KMM_OK);
	assert_int_equal(kmm_split_page(m, pfn, 3), KMM_OK);
	for (unsigned i = 0; i < 8; i++)
		assert_int_equal(kmm_free_pages(m, pfn + i, 0), KMM_OK);
	test_machine_done(m);
}

/*
 * Bug 6: kfree of a pointer inside a kmalloc larger than 8 KiB freed the whole allocation. It
 * is reported and not carried out (a deliberate deviation from 6.1, docs/fidelity.md).
 */
static void test_fuzz_kfree_inside_a_large_kmalloc_is_refused(void **state)
{
	struct kmm_machine *m = test_machine(NULL);
	kmm_va_t va = 0;
	uint64_t reports;

	assert_int_equal(kmm_kmalloc(m, 64 * 1024, KMM_GFP_KERNEL, &va), KMM_OK);
	reports = kmm_report_count(m);
	assert_int_equal(kmm_kfree(m, va + 4096), KMM_OK);
	assert_int_equal(kmm_report_count(m), reports + 1);
	assert_non_null(strstr(last_report_text(m), "pointer inside a large kmalloc: not freed"));
	assert_int_equal(kmm_check(m), KMM_OK);
	reports = kmm_report_count(m);
	assert_int_equal(kmm_kfree(m, va), KMM_OK);
	assert_int_equal(kmm_report_count(m), reports);
	test_machine_done(m);
}

/*
 * Found by fuzz_api: mempool_resize() grew a pool made with min_nr 0 by copying its reserve
 * with memcpy() from the array it does not have (NULL, 0 bytes): undefined behaviour, which
 * UBSan stops on (the asan preset). Growing such a pool must work and fill the reserve.
 */
static void test_fuzz_mempool_grows_from_empty(void **state)
{
	struct kmm_machine *m = test_machine(NULL);
	kmm_mempool_t pool;
	int min_nr = -1, curr_nr = -1;
	kmm_va_t va;

	assert_int_equal(kmm_mempool_create_kmalloc(m, 0, 64, &pool), KMM_OK);
	assert_int_equal(kmm_mempool_resize(m, pool, 4), KMM_OK);
	assert_int_equal(kmm_mempool_info(m, pool, &min_nr, &curr_nr), KMM_OK);
	assert_int_equal(min_nr, 4);
	assert_int_equal(curr_nr, 4);
	assert_int_equal(kmm_mempool_alloc(m, pool, KMM_GFP_KERNEL, &va), KMM_OK);
	assert_int_equal(kmm_mempool_free(m, pool, va), KMM_OK);
	assert_int_equal(kmm_mempool_destroy(m, pool), KMM_OK);
	assert_int_equal(kmm_check(m), KMM_OK);
	test_machine_done(m);
}

/*
 * Found by fuzz_mmu_corpus: the MMU corpus reader (src/tools/mmu_json.c) stepped past the end
 * of a line that stopped after a member name, inside a unicode escape, or right after a
 * backslash, and then read beyond the line's NUL for its error message (ASan: heap overflow).
 * Each line below has bytes after its NUL: the message must not quote them.
 */
static void test_fuzz_json_reader_stops_at_the_end_of_the_line(void **state)
{
	static const struct {
		char text[16];
		const char *err;
	} cases[] = {
		{"{\"a\"\0XYZ", "expected ':' at the end of the line"},
		{"\"\\u1\0\"XYZ", "unterminated string near \"1\""},
		{"\"ab\\\0XYZ", "unterminated string at the end of the line"},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct json_doc doc = {0};
		char text[16];

		memcpy(text, cases[i].text, sizeof(text));
		assert_int_equal(json_parse(&doc, text), -1);
		assert_string_equal(doc.err, cases[i].err);
		json_free(&doc);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fuzz_small_zone_drains),
		cmocka_unit_test(test_fuzz_check_sees_pcp_batch_zero),
		cmocka_unit_test(test_fuzz_movable_and_reclaimable_together_is_refused),
		cmocka_unit_test(test_fuzz_bulk_page_count_that_wraps_is_refused),
		cmocka_unit_test(test_fuzz_cma_alignment_above_the_cap_is_refused),
		cmocka_unit_test(test_fuzz_config_append_null_and_unterminated_sysctl),
		cmocka_unit_test(test_fuzz_every_failing_call_sets_last_error),
		cmocka_unit_test(test_fuzz_wrong_order_free_is_a_bad_page),
		cmocka_unit_test(test_fuzz_split_past_the_allocation_is_refused),
		cmocka_unit_test(test_fuzz_kfree_inside_a_large_kmalloc_is_refused),
		cmocka_unit_test(test_fuzz_mempool_grows_from_empty),
		cmocka_unit_test(test_fuzz_json_reader_stops_at_the_end_of_the_line),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
