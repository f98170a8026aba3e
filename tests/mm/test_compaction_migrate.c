/*
 * Compaction with page migration (src/mm/compaction.c over migrate.c): a task's anonymous
 * memory fragmented as the frag workload does it (touch every page, MADV_DONTNEED every other
 * one), then a full compaction (the node's compact file) and a direct compaction from an
 * order-9 allocation. The user data is checked word by word after each; a pinned page (an
 * extra reference, as get_user_pages leaves) never moves.
 *
 * Expected values come from 6.1's rules, worked by hand:
 *   - the mapping is 512 MiB (131072 pages); freeing every other page frees 65536 order-0
 *     pages in movable blocks, 128 pageblocks' worth. A full compaction moves the migrate
 *     scanner's pages (low PFNs) into free pages the free scanner takes (high PFNs) until they
 *     meet, so nearly all of those pages end in whole free pageblocks: at least 85 % of 128
 *     new order-9 blocks (the rest: blocks the scanners meet in, and boot's unmovable blocks).
 *   - every page moved is counted once in pgmigrate_success and compact_isolated counts it
 *     once as a migration source and once as a target: compact_isolated >= 2 * moved.
 *   - a page with a reference beyond its mappings is not isolated (6.1's
 *     isolate_migratepages_block: page_count > page_mapcount for anon): its PFN stays.
 *   - an order-9 GFP_HIGHUSER_MOVABLE allocation with no free order-9 block direct-compacts
 *     (costly order: async compaction before reclaim): compact_stall + 1, compact_success + 1.
 * kmm_check after each step.
 */
#include "mm_test.h"

#include "mm/compaction.h"
#include "mm/gfp.h"
#include "mm/internal.h"
#include "mm/mman.h"

#define P	PAGE_SIZE
#define RW	(PROT_READ | PROT_WRITE)
#define PA	(MAP_PRIVATE | MAP_ANONYMOUS)
#define NPAGES	131072ul		       /* 512 MiB */
#define OFF2(i) ((((i)*72u) % (P - 8)) & ~7ul) /* a second word per page, moving around */

static struct kmm_machine *boot(void)
{
	struct kmm_config cfg;

	kmm_config_init(&cfg);
	assert_int_equal(kmm_config_set_ram(&cfg, 1ull << 30), KMM_OK);
	kmm_config_append(&cfg, "cma=0");
	return test_machine(&cfg);
}

static uint64_t pattern(uint64_t va, uint64_t seed)
{
	return va * 0x9e3779b97f4a7c15ull ^ seed;
}

static unsigned long ev(struct kmm_machine *m, enum vm_event_item i)
{
	return m->kernel.vm_events[i];
}

/* Free blocks of at least order 9, counted in order-9 units. */
static unsigned long free_order9(const struct zone *z)
{
	unsigned long n = 0;

	for (unsigned o = 9; o < MAX_ORDER; o++)
		n += z->free_area[o].nr_free << (o - 9);
	return n;
}

static unsigned long user_pfn(struct utask *u, uint64_t va)
{
	return pte_pfn(__pte(ut_pte(u, va)));
}

/* Maps NPAGES, writes two words per page, frees every odd page. Returns the mapping. */
static uint64_t fragment(struct utask *u)
{
	uint64_t va = ut_mmap(u, 0, NPAGES * P, RW, PA);

	assert_true(va < (1ull << 48));
	assert_int_equal(do_madvise(u->t.mm, va, NPAGES * P, MADV_NOHUGEPAGE), 0);
	for (unsigned long i = 0; i < NPAGES; i++) {
		ut_store64(u, va + i * P, pattern(va + i * P, 1));
		ut_store64(u, va + i * P + 8 + OFF2(i), pattern(va + i * P, 2));
	}
	for (unsigned long i = 1; i < NPAGES; i += 2)
		assert_int_equal(do_madvise(u->t.mm, va + i * P, P, MADV_DONTNEED), 0);
	drain_all_pages(u->k, NULL);
	return va;
}

/* The even pages hold their two words, the odd ones read as zero. */
static void verify(struct utask *u, uint64_t va)
{
	for (unsigned long i = 0; i < NPAGES; i++) {
		uint64_t a = va + i * P, want0 = i & 1 ? 0 : pattern(a, 1);
		uint64_t want1 = i & 1 ? 0 : pattern(a, 2);

		if (ut_load64(u, a) != want0 || ut_load64(u, a + 8 + OFF2(i)) != want1)
			fail_msg("page %lu at %#lx lost its data", i, (unsigned long)a);
	}
}

static void test_compact_node_moves_fragmented_anon_and_keeps_data(void **state)
{
	struct kmm_machine *m = boot();
	struct kmm_kernel *k = &m->kernel;
	struct zone *z = &k->node_data[0]->node_zones[ZONE_DMA];
	unsigned long before, after, migrated0, isolated0, pinned_pfn, moved, changed = 0;
	unsigned long *pfns = calloc(NPAGES / 2, sizeof(*pfns));
	struct page *pinned;
	struct utask u;
	uint64_t va;

	(void)state;
	assert_non_null(pfns);
	ut_init(&u, m, 1);
	va = fragment(&u);
	ut_check(m);
	for (unsigned long i = 0; i < NPAGES; i += 2)
		pfns[i / 2] = user_pfn(&u, va + i * P);
	/* Pin page 2 (even: still mapped) with an extra reference. */
	pinned_pfn = user_pfn(&u, va + 2 * P);
	pinned = pfn_to_page(k, pinned_pfn);
	get_page(pinned);
	before = free_order9(z);
	migrated0 = ev(m, PGMIGRATE_SUCCESS);
	isolated0 = ev(m, COMPACTISOLATED);
	assert_int_equal(kmm_sysctl(m, "/sys/devices/system/node/node0/compact", "1"), KMM_OK);
	after = free_order9(z);
	moved = ev(m, PGMIGRATE_SUCCESS) - migrated0;
	ut_check(m);
	assert_true(moved > 0);
	assert_true(ev(m, COMPACTISOLATED) - isolated0 >= 2 * moved);
	if (after < before + 109)
		fail_msg("order-9 blocks %lu -> %lu: fewer than 85 %% of 128 made", before, after);
	/* The pinned page stayed; pages below it in PFN order did move. */
	assert_int_equal(user_pfn(&u, va + 2 * P), pinned_pfn);
	for (unsigned long i = 0; i < NPAGES; i += 2)
		changed += user_pfn(&u, va + i * P) != pfns[i / 2];
	/* The task's pages are the only movable ones besides a little page cache. */
	assert_true(changed > 0 && changed <= moved);
	verify(&u, va);
	free(pfns);
	put_page(k, pinned);
	ut_exit(&u);
	ut_check(m);
	test_machine_done(m);
}

static void test_direct_compaction_serves_an_order9_allocation(void **state)
{
	const gfp_t take = __GFP_MOVABLE | __GFP_HIGHMEM | __GFP_MEMALLOC | __GFP_NOWARN;
	struct kmm_machine *m = boot();
	struct kmm_kernel *k = &m->kernel;
	struct zone *z = &k->node_data[0]->node_zones[ZONE_DMA];
	unsigned long stall0, success0;
	struct page *page, *held[1024];
	unsigned nheld = 0, held_order[1024];
	struct utask u;
	uint64_t va;

	(void)state;
	ut_init(&u, m, 1);
	va = fragment(&u);
	/* Every free block of order >= 9 taken: only compaction can make one now. */
	for (int o = MAX_ORDER - 1; o >= 9; o--)
		while (nheld < 1024 && (page = alloc_pages(k, take, (unsigned)o))) {
			held_order[nheld] = (unsigned)o;
			held[nheld++] = page;
		}
	assert_int_equal(free_order9(z), 0);
	stall0 = ev(m, COMPACTSTALL);
	success0 = ev(m, COMPACTSUCCESS);
	page = alloc_pages(k, GFP_HIGHUSER_MOVABLE | __GFP_NOWARN, 9);
	assert_non_null(page);
	assert_int_equal(ev(m, COMPACTSTALL), stall0 + 1);
	assert_int_equal(ev(m, COMPACTSUCCESS), success0 + 1);
	/* The allocation's zone no longer defers order 9 (compaction_defer_reset, success). */
	assert_int_equal(z->compact_defer_shift, 0);
	assert_true(z->compact_order_failed > 9);
	__free_pages(k, page, 9);
	while (nheld) {
		nheld--;
		__free_pages(k, held[nheld], held_order[nheld]);
	}
	ut_check(m);
	verify(&u, va);
	ut_exit(&u);
	test_machine_done(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_compact_node_moves_fragmented_anon_and_keeps_data),
		cmocka_unit_test(test_direct_compaction_serves_an_order9_allocation),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
