/*
 * The kernel idioms every mm file shares: the small arithmetic of lib/kernel.h, the reports
 * of lib/bug.h (origin, text, WARN_ON_ONCE per machine), the page flags generated from one
 * table (bits as the kernel's enum pageflags, 6.1), the folio overlay of struct page, and the
 * reference helpers (get_page/put_page free through the normal path).
 *
 * Expected values are the kernel's facts (bit numbers, formulas) worked out by hand.
 */
#include "buddy_test.h"

#include "lib/bug.h"
#include "lib/kernel.h"
#include "mm/mm.h"

#define KMM_FILE "mm/test_idioms.c"

/* ---- lib/kernel.h ----------------------------------------------------------------------- */

static void test_kernel_helpers_match_the_kernel_formulas(void **state)
{
	uint64_t big = 0xfffffffffffff001ull;

	(void)state;
	assert_int_equal(ALIGN(0x1001u, 0x1000u), 0x2000u);
	assert_int_equal(ALIGN_DOWN(0x1fffu, 0x1000u), 0x1000u);
	assert_true(IS_ALIGNED(0x3000ul, 0x1000ul) && !IS_ALIGNED(0x3008ul, 0x10ul));
	assert_int_equal(round_up(0x4001ull, 0x4000ull), 0x8000ull);
	assert_int_equal(round_up(0ull, 0x1000ull), 0ull); /* the mask form: 0 stays 0 */
	assert_int_equal(round_up(big, 0x1000ull), 0ull);  /* and the top wraps */
	assert_int_equal(round_down(0x4fffull, 0x4000ull), 0x4000ull);
	assert_int_equal(DIV_ROUND_UP(10, 4), 3);
	assert_int_equal(roundup(10, 6), 12);
	assert_int_equal(min(3, 7), 3);
	assert_int_equal(max_t(unsigned long, -1, 7), ULONG_MAX);
	assert_int_equal(clamp(12, 0, 10), 10);
	assert_int_equal(fls(0), 0);
	assert_int_equal(fls(1), 1);
	assert_int_equal(fls(0x80000000u), 32);
	assert_int_equal(fls64(1ull << 40), 41);
	assert_int_equal(__ffs(0x50ul), 4);
	assert_int_equal(__fls(0x50ul), 6);
	assert_int_equal(ilog2(4096), 12);
	assert_int_equal(ilog2(4097), 12);
	assert_true(is_power_of_2(64) && !is_power_of_2(0) && !is_power_of_2(96));
	assert_int_equal(roundup_pow_of_two(65), 128);
	assert_int_equal(rounddown_pow_of_two(65), 64);
	assert_int_equal(order_base_2(1), 0);
	assert_int_equal(order_base_2(5), 3);
	assert_int_equal(get_order(1), 0);
	assert_int_equal(get_order(4096), 0);
	assert_int_equal(get_order(4097), 1);
	assert_int_equal(get_order(5 * 4096), 3);
	assert_int_equal(BIT(5), 32);
	assert_int_equal(ARRAY_SIZE((int[7]){0}), 7);
}

/* ---- lib/bug.h ---------------------------------------------------------------------------- */

static const struct kmm_report *report_n(struct kmm_machine *m, uint64_t seq)
{
	static struct kmm_report r;

	if (kmm_report_get(m, seq, &r) != KMM_OK)
		fail_msg("no report %llu", (unsigned long long)seq);
	return &r;
}

static bool warn_site(struct kmm_env *env, int x)
{
	return WARN_ON_ONCE(env, x > 2);
}

/* Each machine has its own "once": the second machine warns although the first did. */
static void test_bug_warn_on_once_is_per_machine(void **state)
{
	struct kmm_machine *a = buddy_machine("256M", "1", NULL);
	struct kmm_machine *b = buddy_machine("256M", "1", NULL);
	uint64_t na = kmm_report_count(a), nb = kmm_report_count(b);

	(void)state;
	assert_false(warn_site(&a->env, 1));
	assert_int_equal(kmm_report_count(a), na);
	assert_true(warn_site(&a->env, 3)); /* yields the condition, as the kernel's does */
	assert_true(warn_site(&a->env, 4));
	assert_int_equal(kmm_report_count(a), na + 1);
	assert_string_equal(report_n(a, na + 1)->text,
			    "WARNING: CPU: 0 at mm/test_idioms.c: warn_site\n");
	assert_string_equal(report_n(a, na + 1)->origin, "mm/test_idioms.c");
	assert_string_equal(report_n(a, na + 1)->condition, "x > 2");
	assert_true(warn_site(&b->env, 5));
	assert_int_equal(kmm_report_count(b), nb + 1);
	test_machine_done(a);
	test_machine_done(b);
}

/* With the kernel's line the WARNING line has the kernel's full shape; WARN() leads with text. */
static void test_bug_warn_with_a_kernel_line(void **state)
{
	struct kmm_machine *m = buddy_machine("256M", "1", NULL);
	uint64_t n = kmm_report_count(m);

	(void)state;
	assert_true(WARN_AT(&m->env, 1234, n < 1000, "bad %s\n", "thing"));
	assert_string_equal(report_n(m, n + 1)->text,
			    "bad thing\nWARNING: CPU: 0 PID: 0 at mm/test_idioms.c:1234 "
			    "test_bug_warn_with_a_kernel_line");
	assert_int_equal(report_n(m, n + 1)->kind, KMM_REPORT_WARN);
	test_machine_done(m);
}

/* CONFIG_DEBUG_VM is off, as in the reference kernel: the VM_ checks compile and never run. */
static void test_vm_checks_are_compiled_out(void **state)
{
	struct kmm_machine *m = buddy_machine("256M", "1", NULL);
	struct kmm_kernel *k = K(m);
	struct page *page = alloc_pages(k, GFP_KERNEL, 0);
	uint64_t n = kmm_report_count(m);
	int evaluated = 0;

	(void)state;
	VM_BUG_ON(k, ++evaluated);
	VM_BUG_ON_PAGE(k, ++evaluated, page);
	VM_WARN_ON(k, ++evaluated);
	VM_WARN_ON_ONCE(k, ++evaluated);
	VM_WARN_ON_ONCE_PAGE(k, ++evaluated, page);
	VM_WARN_ON_FOLIO(k, ++evaluated, page_folio(page));
	assert_int_equal(evaluated, 0);
	assert_int_equal(kmm_report_count(m), n);
	assert_false(m->env.dead);
	__free_pages(k, page, 0);
	test_machine_done(m);
}

/* ---- page flags -------------------------------------------------------------------------- */

/* The bits of include/linux/page-flags.h (6.1, arm64), counted by hand from its enum. */
static void test_page_flags_have_the_kernels_bits(void **state)
{
	(void)state;
	assert_int_equal(PG_locked, 0);
	assert_int_equal(PG_uptodate, 2);
	assert_int_equal(PG_lru, 4);
	assert_int_equal(PG_active, 5);
	assert_int_equal(PG_slab, 9);
	assert_int_equal(PG_reserved, 12);
	assert_int_equal(PG_writeback, 15);
	assert_int_equal(PG_head, 16);
	assert_int_equal(PG_reclaim, 18);
	assert_int_equal(PG_swapbacked, 19);
	assert_int_equal(PG_mlocked, 21);
	assert_int_equal(PG_anon_exclusive, 17); /* = PG_mappedtodisk */
	assert_int_equal(PG_swapcache, 10);	 /* = PG_owner_priv_1 */
}

static void test_page_flags_accessors_follow_the_policy(void **state)
{
	struct kmm_machine *m = buddy_machine("256M", "1", NULL);
	struct kmm_kernel *k = K(m);
	struct page *head = alloc_pages(k, GFP_KERNEL | __GFP_COMP, 2);
	struct folio *folio = page_folio(head + 3);

	(void)state;
	assert_ptr_equal(&folio->page, head);
	assert_int_equal(folio_order(folio), 2);
	assert_int_equal(folio_nr_pages(folio), 4);
	assert_ptr_equal(folio_page(folio, 2), head + 2);
	/* PF_HEAD: set through a tail, it lands on the head */
	SetPageLRU(head + 1);
	assert_true(test_page_flag(head, PG_lru) && !test_page_flag(head + 1, PG_lru));
	assert_true(PageLRU(head + 3) && folio_test_lru(folio));
	assert_true(TestClearPageLRU(head + 2));
	assert_false(TestClearPageLRU(head));
	assert_false(folio_test_lru(folio));
	/* PF_ANY: the page itself */
	SetPageAnonExclusive(head + 1);
	assert_true(PageAnonExclusive(head + 1) && !PageAnonExclusive(head));
	ClearPageAnonExclusive(head + 1);
	/* swapcache means something only on a swap-backed folio */
	folio_set_swapcache(folio);
	assert_false(folio_test_swapcache(folio));
	folio_set_swapbacked(folio);
	assert_true(PageSwapCache(head + 1));
	folio_clear_swapcache(folio);
	folio_clear_swapbacked(folio);
	__free_pages(k, head, 2);
	test_machine_done(m);
}

/* ---- references --------------------------------------------------------------------------- */

static void test_put_page_frees_through_the_normal_path(void **state)
{
	struct kmm_machine *m = buddy_machine("256M", "1", NULL);
	struct kmm_kernel *k = K(m);
	struct zone *z;
	unsigned long free0;
	struct page *page, *head;

	(void)state;
	drain_all_pages(k, NULL);
	page = alloc_pages(k, GFP_KERNEL, 0);
	z = page_zone(k, page);
	drain_all_pages(k, NULL);
	free0 = zone_page_state(z, NR_FREE_PAGES);
	get_page(page);
	assert_int_equal(page_count(page), 2);
	put_page(k, page);
	assert_int_equal(page_count(page), 1);
	put_page(k, page); /* the last reference: to the pcp list, then the buddy */
	drain_all_pages(k, NULL);
	assert_int_equal(zone_page_state(z, NR_FREE_PAGES), free0 + 1);

	/* A compound page: a reference through a tail is the folio's; the last frees all 4. */
	head = alloc_pages(k, GFP_KERNEL | __GFP_COMP, 2);
	drain_all_pages(k, NULL);
	free0 = zone_page_state(z, NR_FREE_PAGES);
	get_page(head + 3);
	assert_int_equal(page_ref_count(head), 2);
	assert_int_equal(page_ref_count(head + 3), 0);
	assert_int_equal(page_count(head + 3), 2);
	put_page(k, head + 2);
	put_page(k, head + 1);
	drain_all_pages(k, NULL);
	assert_int_equal(zone_page_state(z, NR_FREE_PAGES), free0 + 4);
	test_machine_done(m);
}

/* A reference dropped from a page nobody holds: reported, nothing freed twice. */
static void test_put_page_of_a_free_page_is_reported(void **state)
{
	struct kmm_machine *m = buddy_machine("256M", "1", NULL);
	struct kmm_kernel *k = K(m);
	struct page *page = alloc_pages(k, GFP_KERNEL, 0);
	uint64_t n;

	(void)state;
	put_page(k, page);
	n = kmm_report_count(m);
	put_page(k, page);
	assert_int_equal(kmm_report_count(m), n + 1);
	assert_contains(last_report(m), "VM_BUG_ON_PAGE(page_ref_count(page) == 0)");
	assert_string_equal(report_n(m, n + 1)->function, "put_page_testzero");
	assert_int_equal(page_ref_count(page), 0);
	test_machine_done(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_kernel_helpers_match_the_kernel_formulas),
		cmocka_unit_test(test_bug_warn_on_once_is_per_machine),
		cmocka_unit_test(test_bug_warn_with_a_kernel_line),
		cmocka_unit_test(test_vm_checks_are_compiled_out),
		cmocka_unit_test(test_page_flags_have_the_kernels_bits),
		cmocka_unit_test(test_page_flags_accessors_follow_the_policy),
		cmocka_unit_test(test_put_page_frees_through_the_normal_path),
		cmocka_unit_test(test_put_page_of_a_free_page_is_reported),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
