/*
 * The kernel's page checks and what misuse looks like: "BUG: Bad page state" for a page freed
 * with a mapcount, a mapping, page flags, a memcg charge, or found with references when it is
 * handed out; double frees and tail-page frees (reported as CONFIG_DEBUG_VM reports them);
 * and the API's refusals of bad arguments. After each case the machine carries on and
 * kmm_check holds. Wording from mm/page_alloc.c:page_bad_reason() and mm/debug.c (6.1.192).
 * Covers src/mm/page_alloc.c (checks), src/sim/page_api.c.
 */
#include "buddy_test.h"

static struct kmm_machine *machine(void)
{
	return buddy_machine("1G", "1", NULL);
}

/* Order-4 frees go straight to the buddy (no pcp list), where the head is checked at once. */
static void free_order4_with(void (*corrupt)(struct page *), const char *reason)
{
	struct kmm_machine *m = machine();
	struct kmm_kernel *k = K(m);
	struct zone *z = zone_of(m, 0, ZONE_DMA);
	struct page *p = alloc_pages(k, GFP_KERNEL, 4);
	unsigned long free0 = zone_page_state(z, NR_FREE_PAGES), pfn = page_to_pfn(k, p);
	char head[128];

	corrupt(p);
	__free_pages(k, p, 4);
	snprintf(head, sizeof(head), "BUG: Bad page state in process kmmsim  pfn:%05lx", pfn);
	assert_contains(last_report(m), head);
	assert_contains(last_report(m), reason);
	assert_contains(kernel_log(m), head);
	assert_contains(kernel_log(m), "page dumped because: ");
	/* The block is not freed: the kernel leaves a bad page out of the allocator. */
	assert_int_equal(zone_page_state(z, NR_FREE_PAGES), free0);
	assert_int_equal(k->nr_bad_pages, 1);
	/* And the machine goes on. */
	assert_non_null(alloc_pages(k, GFP_KERNEL, 4));
	test_machine_done(m);
}

static void set_mapping(struct page *p)
{
	p->mapping = (void *)0x1000;
}

static void set_mapcount(struct page *p)
{
	p->_mapcount = 0;
}

static void set_slab(struct page *p)
{
	__SetPageSlab(p);
}

static void set_memcg(struct page *p)
{
	p->memcg_data = 0xffff000012345000ul;
}

static void test_buddy_bad_page_on_free(void **state)
{
	(void)state;
	free_order4_with(set_mapcount, "nonzero mapcount");
	free_order4_with(set_mapping, "non-NULL mapping");
	free_order4_with(set_slab, "PAGE_FLAGS_CHECK_AT_FREE flag(s) set");
	free_order4_with(set_memcg, "page still charged to cgroup");
}

static void test_buddy_bad_pcp_page_is_found_at_drain(void **state)
{
	struct kmm_machine *m = machine();
	struct kmm_kernel *k = K(m);
	struct page *p = alloc_pages(k, GFP_KERNEL, 0);
	uint64_t reports;

	(void)state;
	/*
	 * Without CONFIG_DEBUG_VM an order-0 free only puts the page on the pcp list; the check
	 * runs when the page leaves the list for the buddy (free_pcppages_bulk).
	 */
	p->_mapcount = 2;
	reports = kmm_report_count(m);
	__free_pages(k, p, 0);
	assert_int_equal(kmm_report_count(m), reports);
	drain_all_pages(k, NULL);
	assert_contains(last_report(m), "nonzero mapcount");
	assert_contains(kernel_log(m), "mapcount:3");
	assert_false(PageBuddy(p));
	test_machine_done(m);
}

static void test_buddy_bad_refcount_found_at_allocation(void **state)
{
	struct kmm_machine *m = machine();
	struct kmm_kernel *k = K(m);
	struct zone *z = zone_of(m, 0, ZONE_DMA);
	struct page *victim = NULL, *got;
	unsigned int order;

	(void)state;
	/* The block an order-4 movable request would take: the smallest MOVABLE block >= 4. */
	for (order = 4; order < MAX_ORDER && !victim; order++)
		if (nr_free_mt(z, order, MIGRATE_MOVABLE))
			victim = list_first_entry(&z->free_area[order].free_list[MIGRATE_MOVABLE],
						  struct page, lru);
	set_page_count(victim, 1);
	/* check_new_pages() finds it, drops the block, and the request gets another. */
	got = alloc_pages(k, GFP_HIGHUSER_MOVABLE, 4);
	assert_non_null(got);
	assert_ptr_not_equal(got, victim);
	assert_contains(last_report(m), "nonzero _refcount");
	assert_int_equal(k->nr_bad_pages, 1);
	test_machine_done(m);
}

static void test_buddy_double_free_and_tail_free(void **state)
{
	struct kmm_machine *m = machine();
	struct kmm_kernel *k = K(m);
	struct zone *z = zone_of(m, 0, ZONE_DMA);
	struct page *p = alloc_pages(k, GFP_KERNEL, 0), *c;
	int count;

	(void)state;
	__free_pages(k, p, 0);
	count = z->per_cpu_pageset[0].count;
	/* The second free: refcount already 0. Reported, and the page stays where it is. */
	__free_pages(k, p, 0);
	assert_contains(last_report(m), "VM_BUG_ON_PAGE(page_ref_count(page) == 0)");
	assert_contains(kernel_log(m),
			"page dumped because: VM_BUG_ON_PAGE(page_ref_count(page) == 0)");
	assert_int_equal(z->per_cpu_pageset[0].count, count);
	assert_check(m);
	/* Freeing a tail page of a compound page. */
	c = alloc_pages(k, GFP_KERNEL | __GFP_COMP, 2);
	__free_pages(k, c + 1, 0);
	assert_contains(last_report(m), "VM_BUG_ON_PAGE(PageTail(page))");
	assert_true(PageHead(c) && page_count(c) == 1);
	__free_pages(k, c, 2); /* the right way still works */
	assert_int_equal(k->nr_bad_pages, 0);
	test_machine_done(m);
}

static void test_buddy_api_refuses_bad_arguments(void **state)
{
	struct kmm_machine *m = machine();
	struct kmm_kernel *k = K(m);
	kmm_pfn_t pfn, image = PHYS_PFN(k->image.text);
	kmm_va_t va;
	size_t done;

	(void)state;
	assert_int_equal(kmm_alloc_pages(NULL, KMM_GFP_KERNEL, 0, &pfn), KMM_EINVAL);
	assert_einval_mentions(kmm_alloc_pages(m, KMM_GFP_KERNEL, 0, NULL), kmm_last_error(m),
			       "NULL pfn");
	assert_einval_mentions(kmm_alloc_pages(m, 1u << 30, 0, &pfn), kmm_last_error(m),
			       "unknown GFP bits");
	assert_einval_mentions(kmm_alloc_pages_node(m, 3, KMM_GFP_KERNEL, 0, &pfn),
			       kmm_last_error(m), "node 3 is not online");
	assert_einval_mentions(kmm_free_pages(m, 0x10, 0), kmm_last_error(m), "no struct page");
	assert_einval_mentions(kmm_free_pages(m, image, 0), kmm_last_error(m), "reserved");
	/* A slab page belongs to the slab allocator: __free_pages on it is refused. */
	{
		kmm_va_t obj;
		kmm_pa_t pa;

		assert_int_equal(kmm_kmalloc(m, 64, KMM_GFP_KERNEL, &obj), KMM_OK);
		assert_int_equal(kmm_virt_to_phys(m, obj, &pa), KMM_OK);
		assert_einval_mentions(kmm_free_pages(m, pa >> KMM_PAGE_SHIFT, 0),
				       kmm_last_error(m), "slab page");
		assert_int_equal(kmm_kfree(m, obj), KMM_OK);
	}
	assert_int_equal(kmm_alloc_pages(m, KMM_GFP_KERNEL, 3, &pfn), KMM_OK);
	assert_einval_mentions(kmm_free_pages(m, pfn + 1, 3), kmm_last_error(m),
			       "not the start of an order-3 block");
	assert_int_equal(kmm_free_pages(m, pfn, 3), KMM_OK);
	assert_einval_mentions(kmm_alloc_pages_exact(m, 0, KMM_GFP_KERNEL, &va), kmm_last_error(m),
			       "size 0");
	assert_einval_mentions(kmm_free_pages_exact(m, 0x1234, 4096), kmm_last_error(m),
			       "linear-map");
	assert_einval_mentions(kmm_cpu_set(m, 7), kmm_last_error(m), "CPU 7 does not exist");
	assert_einval_mentions(kmm_isolate_range(m, 0x48001, 0x48400, KMM_MIGRATE_MOVABLE),
			       kmm_last_error(m), "pageblock aligned");
	assert_einval_mentions(kmm_cma_release(m, 0x40000, 1), kmm_last_error(m),
			       "not inside the CMA area");
	assert_einval_mentions(kmm_alloc_pages_bulk(m, KMM_GFP_KERNEL, 4, NULL, &done),
			       kmm_last_error(m), "NULL pfns");
	/* Well-formed calls work and keep the books straight. */
	{
		kmm_pfn_t pfns[8] = {0};
		struct kmm_page_info info;

		assert_int_equal(kmm_alloc_pages_bulk(m, KMM_GFP_KERNEL, 8, pfns, &done), KMM_OK);
		assert_int_equal(done, 8);
		assert_int_equal(kmm_page_info(m, pfns[0], &info), KMM_OK);
		assert_int_equal(info.refcount, 1);
		assert_int_equal(info.pageblock_mt, KMM_MIGRATE_UNMOVABLE);
		for (int i = 0; i < 8; i++)
			assert_int_equal(kmm_free_pages(m, pfns[i], 0), KMM_OK);
		assert_int_equal(kmm_cma_alloc(m, 64, 0, &pfn), KMM_OK);
		assert_int_equal(kmm_cma_release(m, pfn, 64), KMM_OK);
		assert_int_equal(kmm_alloc_pages_exact(m, 3 * 4096, KMM_GFP_KERNEL, &va), KMM_OK);
		assert_int_equal(kmm_free_pages_exact(m, va, 3 * 4096), KMM_OK);
	}
	test_machine_done(m);
}

static void test_buddy_gfp_parse_and_format(void **state)
{
	char buf[256];
	kmm_gfp_t gfp;

	(void)state;
	/* The masks the captured kernel printed in its OOM reports. */
	assert_string_equal(kmm_gfp_format(0x400dc0, buf, sizeof(buf)),
			    "GFP_KERNEL_ACCOUNT|__GFP_ZERO");
	assert_string_equal(kmm_gfp_format(0x140dca, buf, sizeof(buf)),
			    "GFP_HIGHUSER_MOVABLE|__GFP_COMP|__GFP_ZERO");
	assert_string_equal(kmm_gfp_format(0x100cca, buf, sizeof(buf)), "GFP_HIGHUSER_MOVABLE");
	assert_string_equal(kmm_gfp_format(KMM_GFP_ATOMIC | KMM___GFP_NOWARN, buf, sizeof(buf)),
			    "GFP_ATOMIC|__GFP_NOWARN");
	assert_string_equal(kmm_gfp_format(KMM_GFP_TRANSHUGE, buf, sizeof(buf)), "GFP_TRANSHUGE");
	assert_int_equal(kmm_gfp_parse("GFP_KERNEL|__GFP_ZERO", &gfp), KMM_OK);
	assert_int_equal(gfp, 0xdc0);
	assert_int_equal(kmm_gfp_parse("0x100cca", &gfp), KMM_OK);
	assert_int_equal(gfp, KMM_GFP_HIGHUSER_MOVABLE);
	assert_int_equal(kmm_gfp_parse("GFP_KERNEL|__GFP_BOGUS", &gfp), KMM_EINVAL);
	assert_int_equal(gfp_migratetype(GFP_HIGHUSER_MOVABLE), MIGRATE_MOVABLE);
	assert_int_equal(gfp_migratetype(GFP_KERNEL | __GFP_RECLAIMABLE), MIGRATE_RECLAIMABLE);
	assert_int_equal(gfp_migratetype(GFP_ATOMIC), MIGRATE_UNMOVABLE);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_buddy_bad_page_on_free),
		cmocka_unit_test(test_buddy_bad_pcp_page_is_found_at_drain),
		cmocka_unit_test(test_buddy_bad_refcount_found_at_allocation),
		cmocka_unit_test(test_buddy_double_free_and_tail_free),
		cmocka_unit_test(test_buddy_api_refuses_bad_arguments),
		cmocka_unit_test(test_buddy_gfp_parse_and_format),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
