/*
 * The page-placement check (mm_init_check through kmm_check, registry in mm/page_place.h):
 * every page is in exactly one place. Each case plants a broken state by editing the kernel's
 * structures directly, keeping every other checker's counters consistent so that the
 * placement check is the one that speaks, and expects the report the rule gives:
 *
 *   a page two rows claim       "mm: pfn 0x<pfn> is in 2 places (<row> and <later row>), ..."
 *                                (rows named in table order: reserved, buddy, isolated, pcp,
 *                                 slab, vmalloc, kernel page table, cma, lru)
 *   a page no row claims that   "mm: pfn 0x<pfn> is in no place: <what it looks like>"
 *   is not in use
 *   an owner's counter off      the owner's own text
 *   no memory for the scratch   "host memory exhausted", and the machine is unharmed
 *
 * After each case the state is put back and kmm_check holds again.
 * Covers src/mm/mm_init.c (the check) and the walkers in page_alloc.c, page_isolation.c,
 * vmalloc.c, mmu.c and swap.c.
 */
#include "buddy_test.h"

#include "mm/swap.h"
#include "mm/vmalloc.h"

static struct kmm_machine *machine(void)
{
	return buddy_machine("1G", "1", NULL);
}

/* Asserts kmm_check fails and its text contains @needle. */
static void assert_check_says(struct kmm_machine *m, const char *needle)
{
	assert_int_equal(kmm_check(m), KMM_ECORRUPT);
	assert_contains(kmm_last_error(m), needle);
}

/* The first page on any pcp list of @k (order 0 after a single free), or NULL. */
static struct page *first_pcp_page(struct kmm_kernel *k)
{
	for (int z = 0; z < MAX_NR_ZONES; z++) {
		struct zone *zone = &k->node_data[0]->node_zones[z];

		if (!zone->initialized || !zone->per_cpu_pageset)
			continue;
		for (int l = 0; l < NR_PCP_LISTS; l++) {
			struct list_head *h = &zone->per_cpu_pageset[0].lists[l];

			if (!list_empty(h))
				return list_first_entry(h, struct page, lru);
		}
	}
	return NULL;
}

/* The first free block of @order on a MOVABLE list of node 0, and its zone. */
static struct page *first_free_block(struct kmm_kernel *k, unsigned int order, struct zone **zp)
{
	for (int z = 0; z < MAX_NR_ZONES; z++) {
		struct zone *zone = &k->node_data[0]->node_zones[z];
		struct list_head *h = &zone->free_area[order].free_list[MIGRATE_MOVABLE];

		if (zone->initialized && !list_empty(h)) {
			*zp = zone;
			return list_first_entry(h, struct page, lru);
		}
	}
	return NULL;
}

/*
 * A free page on CPU 0's pcp list that also carries PG_reserved: the reserved row and the pcp
 * row both claim it, and the report names them in table order.
 */
static void test_page_place_pcp_page_also_reserved(void **state)
{
	struct kmm_machine *m = machine();
	struct kmm_kernel *k = K(m);
	struct page *p;
	char want[128];

	(void)state;
	__free_pages(k, alloc_pages(k, GFP_KERNEL, 0), 0);
	p = first_pcp_page(k);
	assert_non_null(p);
	SetPageReserved(p);
	snprintf(want, sizeof(want), "mm: pfn 0x%lx is in 2 places (reserved and pcp), refcount 0",
		 page_to_pfn(k, p));
	assert_check_says(m, want);
	__ClearPageReserved(p);
	test_machine_done(m);
}

/*
 * A vmalloc area whose page array names a page that is free in the buddy allocator: the
 *   buddy row claims it first, the vmalloc row second.
 *
 *   vm->pages[0] --X--> P (in use, refcount 1: now held by nobody's record, still in use)
 *               \-----> Q (head of a free block on a MOVABLE list)
 */
static void test_page_place_vmalloc_page_also_free(void **state)
{
	struct kmm_machine *m = machine();
	struct kmm_kernel *k = K(m);
	kmm_va_t va = vmalloc(k, PAGE_SIZE, "test");
	struct vm_struct *vm = find_vm_area(k, va);
	struct zone *zone;
	struct page *q = first_free_block(k, 0, &zone), *p;
	char want[128];

	(void)state;
	assert_non_null(vm);
	assert_non_null(q);
	p = vm->pages[0];
	vm->pages[0] = q;
	snprintf(want, sizeof(want), "mm: pfn 0x%lx is in 2 places (buddy and vmalloc), refcount 0",
		 page_to_pfn(k, q));
	assert_check_says(m, want);
	vm->pages[0] = p;
	assert_check(m);
	vfree(k, va);
	test_machine_done(m);
}

/*
 * An order-10 free block taken off its list with the counters fixed up, as if a path had
 * dropped it. Its head starts a MAX_ORDER-aligned block, so no in-use page before it can
 * reach over it:
 *
 *   ... | in use or free | Q Q Q ... Q (1024 pages, on no list) | ...
 *                          ^ PageBuddy still set: "marked free ... on no free list"
 *                          ^ then PageBuddy cleared: "no reference, and in no allocated block"
 */
static void test_page_place_dropped_block_is_in_no_place(void **state)
{
	struct kmm_machine *m = machine();
	struct kmm_kernel *k = K(m);
	unsigned int order = MAX_ORDER - 1;
	struct zone *zone;
	struct page *q = first_free_block(k, order, &zone);
	char want[128];

	(void)state;
	assert_non_null(q);
	list_del(&q->lru);
	zone->free_area[order].nr_free--;
	__mod_zone_page_state(zone, NR_FREE_PAGES, -(1L << order));
	snprintf(want, sizeof(want),
		 "mm: pfn 0x%lx is in no place: marked free (PageBuddy) but on no free list",
		 page_to_pfn(k, q));
	assert_check_says(m, want);

	__ClearPageBuddy(q);
	snprintf(want, sizeof(want),
		 "mm: pfn 0x%lx is in no place: no reference, and in no allocated block",
		 page_to_pfn(k, q));
	assert_check_says(m, want);

	__SetPageBuddy(q);
	list_add(&q->lru, &zone->free_area[order].free_list[MIGRATE_MOVABLE]);
	zone->free_area[order].nr_free++;
	__mod_zone_page_state(zone, NR_FREE_PAGES, 1L << order);
	test_machine_done(m);
}

/*
 * The tails of a non-compound order-3 allocation have no reference of their own: they are in
 * use with their head (its alignment allows order 3), not lost.
 */
static void test_page_place_non_compound_tails_are_in_use(void **state)
{
	struct kmm_machine *m = machine();
	struct kmm_kernel *k = K(m);
	struct page *p = alloc_pages(k, GFP_KERNEL, 3);

	(void)state;
	assert_non_null(p);
	assert_int_equal(page_count(&p[7]), 0);
	assert_check(m);
	__free_pages(k, p, 3);
	test_machine_done(m);
}

/* The owners' own checks: a counter that disagrees with what the walker found. */
static void test_page_place_owner_counters(void **state)
{
	struct kmm_machine *m = machine();
	struct kmm_kernel *k = K(m);
	struct zone *zone = zone_of(m, 0, ZONE_DMA);
	unsigned long n = k->nr_kernel_pgtables;
	char want[160];

	(void)state;
	k->nr_kernel_pgtables++;
	snprintf(want, sizeof(want),
		 "page tables: %lu tables from the buddy allocator hang below swapper_pg_dir, "
		 "nr_kernel_pgtables is %lu",
		 n, n + 1);
	assert_check_says(m, want);
	k->nr_kernel_pgtables--;

	zone->nr_isolate_pageblock++;
	assert_check_says(m, "isolation: node 0 DMA has 0 isolated pageblocks, "
			     "nr_isolate_pageblock is 1");
	zone->nr_isolate_pageblock--;
	test_machine_done(m);
}

/*
 * The LRU row (swap.c): a page on the inactive anon list that also carries PG_reserved is in
 * two places, named in table order (reserved, then lru); a list size its counter disagrees
 * with; a PG_lru page on no list; a page added to the lru_add batch twice (a caller's bug)
 * is in the lru row twice.
 */
static void test_page_place_lru_page_in_two_places(void **state)
{
	struct kmm_machine *m = machine();
	struct kmm_kernel *k = K(m);
	struct page *p = alloc_pages(k, GFP_HIGHUSER_MOVABLE, 0);
	struct page *q = alloc_pages(k, GFP_HIGHUSER_MOVABLE, 0);
	struct zone *zone = page_zone(k, p);
	unsigned long pfn = page_to_pfn(k, p);
	char want[160];

	(void)state;
	p->mapping = (void *)PAGE_MAPPING_ANON;
	__SetPageSwapBacked(p);
	lru_cache_add(k, p);
	lru_add_drain(k);
	assert_check(m);

	SetPageReserved(p);
	snprintf(want, sizeof(want), "mm: pfn 0x%lx is in 2 places (reserved and lru)", pfn);
	assert_check_says(m, want);
	ClearPageReserved(p);
	assert_check(m);

	__mod_zone_page_state(zone, NR_ZONE_INACTIVE_ANON, 1);
	snprintf(want, sizeof(want), "lru: node 0 zone %s list 0 holds 1 pages, its counter says 2",
		 zone_names[zone_idx(zone)]);
	assert_check_says(m, want);
	__mod_zone_page_state(zone, NR_ZONE_INACTIVE_ANON, -1);
	assert_check(m);

	assert_int_equal(isolate_lru_page(k, p), 0);
	SetPageLRU(p);
	snprintf(want, sizeof(want), "lru: pfn 0x%lx has PG_lru but is on no LRU list", pfn);
	assert_check_says(m, want);
	ClearPageLRU(p);
	putback_lru_page(k, p);
	lru_add_drain(k);
	assert_check(m);

	lru_cache_add(k, q);
	assert_check(m);
	lru_cache_add(k, q);
	snprintf(want, sizeof(want), "mm: pfn 0x%lx is in 2 places (lru and lru)",
		 page_to_pfn(k, q));
	assert_check_says(m, want);
	/* a drain would link q twice: the machine goes as it is */
	kmm_machine_destroy(m);
}

/*
 * The check's scratch comes from the machine's allocator: failing each host allocation
 * kmm_check makes in turn gives a clean "host memory exhausted" failure, one of them the
 * placement map's, and the machine checks clean afterwards.
 */
static void test_page_place_map_allocation_failure(void **state)
{
	struct kmm_machine *m = machine();
	bool placement = false;
	int failures = 0;

	(void)state;
	for (uint64_t n = 1; n < 32; n++) {
		enum kmm_status st;

		m->env.fail_nth = m->env.host_allocs + n;
		st = kmm_check(m);
		m->env.fail_nth = 0;
		if (st == KMM_OK)
			break; /* past the last allocation the check makes */
		assert_int_equal(st, KMM_EHOST);
		assert_contains(kmm_last_error(m), "host memory exhausted");
		placement |= strstr(kmm_last_error(m), "placement map") != NULL;
		failures++;
	}
	assert_true(failures >= 1);
	assert_true(placement);
	test_machine_done(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_page_place_pcp_page_also_reserved),
		cmocka_unit_test(test_page_place_vmalloc_page_also_free),
		cmocka_unit_test(test_page_place_dropped_block_is_in_no_place),
		cmocka_unit_test(test_page_place_non_compound_tails_are_in_use),
		cmocka_unit_test(test_page_place_owner_counters),
		cmocka_unit_test(test_page_place_lru_page_in_two_places),
		cmocka_unit_test(test_page_place_map_allocation_failure),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
