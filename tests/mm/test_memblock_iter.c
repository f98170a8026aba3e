/*
 * memblock iterators, queries and memory limits: for_each_mem_range(_rev),
 * for_each_free_mem_range(_reverse), for_each_reserved_mem_range, for_each_mem_pfn_range,
 * for_each_mem_region; phys_mem_size, start/end_of_DRAM, is_memory, is_map_memory,
 * is_region_memory, is_reserved, is_region_reserved, search_pfn_nid; enforce_memory_limit,
 * mem_limit_remove_map, cap_memory_range.
 */
#include "memblock_test.h"

#define M DRAM_BASE

struct range {
	phys_addr_t start, end;
	int nid;
};

#define MAX_RANGES 16

struct ranges {
	int n;
	struct range r[MAX_RANGES];
};

static void push(struct ranges *rs, phys_addr_t start, phys_addr_t end, int nid)
{
	assert_true(rs->n < MAX_RANGES);
	rs->r[rs->n++] = (struct range){start, end, nid};
}

static void assert_ranges(const struct ranges *got, const struct range *want, int n)
{
	assert_int_equal(got->n, n);
	for (int i = 0; i < n; i++) {
		assert_int_equal(got->r[i].start, want[i].start);
		assert_int_equal(got->r[i].end, want[i].end);
		assert_int_equal(got->r[i].nid, want[i].nid);
	}
}

/*
 * memory:   | n0 [M, +64K)      |      | n1 [M+128K, +64K) |   |r2: M+256K+2K, 2K, no node|
 * reserved:      |xx 16K @+16K|        |xx 8K|
 * free:     |16K|              |32K|         |56K        |     |2K|
 */
static void setup_layout(struct memblock *mb)
{
	memblock_add_node(mb, M, SZ_64K, 0, MEMBLOCK_NONE);
	memblock_add_node(mb, M + SZ_128K, SZ_64K, 1, MEMBLOCK_NONE);
	memblock_add(mb, M + SZ_256K + SZ_2K, SZ_2K);
	memblock_reserve(mb, M + SZ_16K, SZ_16K);
	memblock_reserve(mb, M + SZ_128K, SZ_8K);
	MB_CHECK(mb);
}

static void test_memblock_for_each_mem_range(void **state)
{
	struct memblock *mb = &((struct mbt *)*state)->mb;
	const struct range mem[] = {{M, M + SZ_64K, 0},
				    {M + SZ_128K, M + SZ_128K + SZ_64K, 0},
				    {M + SZ_256K + SZ_2K, M + SZ_256K + SZ_4K, 0}};
	struct ranges fwd = {0}, rev = {0};
	struct memblock_region *reg;
	phys_addr_t s, e;
	uint64_t i;
	int n = 0;

	setup_layout(mb);
	for_each_mem_range(mb, i, &s, &e) push(&fwd, s, e, 0);
	assert_ranges(&fwd, mem, 3);
	for_each_mem_range_rev(mb, i, &s, &e) push(&rev, s, e, 0);
	assert_int_equal(rev.n, 3);
	for (int k = 0; k < 3; k++)
		assert_int_equal(rev.r[k].start, mem[2 - k].start);
	for_each_mem_region(mb, reg) n++;
	assert_int_equal(n, 3);
}

static void test_memblock_for_each_free_mem_range(void **state)
{
	struct memblock *mb = &((struct mbt *)*state)->mb;
	const struct range want[] = {{M, M + SZ_16K, 0},
				     {M + 2 * SZ_16K, M + SZ_64K, 0},
				     {M + SZ_128K + SZ_8K, M + SZ_128K + SZ_64K, 1},
				     {M + SZ_256K + SZ_2K, M + SZ_256K + SZ_4K, MAX_NUMNODES}};
	struct ranges fwd = {0}, rev = {0}, n1 = {0};
	phys_addr_t s, e;
	uint64_t i;
	int nid;

	setup_layout(mb);
	for_each_free_mem_range(mb, i, NUMA_NO_NODE, MEMBLOCK_NONE, &s, &e, &nid)
		push(&fwd, s, e, nid);
	assert_ranges(&fwd, want, 4);
	for_each_free_mem_range_reverse(mb, i, NUMA_NO_NODE, MEMBLOCK_NONE, &s, &e, &nid)
		push(&rev, s, e, nid);
	assert_int_equal(rev.n, 4);
	for (int k = 0; k < 4; k++) {
		assert_int_equal(rev.r[k].start, want[3 - k].start);
		assert_int_equal(rev.r[k].end, want[3 - k].end);
	}
	for_each_free_mem_range(mb, i, 1, MEMBLOCK_NONE, &s, &e, &nid) push(&n1, s, e, nid);
	assert_ranges(&n1, &want[2], 1);
	/* NULL outputs are allowed. */
	nid = 0;
	for_each_free_mem_range(mb, i, NUMA_NO_NODE, MEMBLOCK_NONE, NULL, NULL, NULL) nid++;
	assert_int_equal(nid, 4);
}

static void test_memblock_for_each_reserved_and_pfn_range(void **state)
{
	struct memblock *mb = &((struct mbt *)*state)->mb;
	const struct range res[] = {{M + SZ_16K, M + 2 * SZ_16K, 0},
				    {M + SZ_128K, M + SZ_128K + SZ_8K, 0}};
	struct ranges got = {0};
	unsigned long sp, ep;
	phys_addr_t s, e;
	uint64_t i;
	int k, nid, seen = 0;

	setup_layout(mb);
	for_each_reserved_mem_range(mb, i, &s, &e) push(&got, s, e, 0);
	assert_ranges(&got, res, 2);

	/* The 2K region holds no whole page: skipped. PFNs of M = 0x40000. */
	for_each_mem_pfn_range(mb, k, MAX_NUMNODES, &sp, &ep, &nid)
	{
		if (seen == 0) {
			assert_int_equal(sp, 0x40000);
			assert_int_equal(ep, 0x40010);
			assert_int_equal(nid, 0);
		} else {
			assert_int_equal(sp, 0x40020);
			assert_int_equal(ep, 0x40030);
			assert_int_equal(nid, 1);
		}
		seen++;
	}
	assert_int_equal(seen, 2);
	seen = 0;
	for_each_mem_pfn_range(mb, k, 1, &sp, &ep, NULL)
	{
		assert_int_equal(sp, 0x40020);
		seen++;
	}
	assert_int_equal(seen, 1);
}

/*
 * Flags and the iterators: NOMAP regions are skipped by for_each_mem_range and the free
 * ranges; HOTPLUG ones (with movable_node) only by the free ranges, since for_each_mem_range
 * asks for them.
 */
static void test_memblock_iterators_and_flags(void **state)
{
	struct memblock *mb = &((struct mbt *)*state)->mb;
	phys_addr_t s, e;
	uint64_t i;
	int n;

	setup_layout(mb);
	memblock_mark_nomap(mb, M + SZ_128K, SZ_64K);
	memblock_mark_hotplug(mb, M, SZ_64K);
	mb->movable_node = true;
	MB_CHECK(mb);

	n = 0;
	for_each_mem_range(mb, i, &s, &e)
	{
		assert_true(s != M + SZ_128K);
		n++;
	}
	assert_int_equal(n, 2); /* hotplug n0 and the 2K region */

	n = 0;
	for_each_free_mem_range(mb, i, NUMA_NO_NODE, MEMBLOCK_NONE, &s, &e, NULL)
	{
		assert_int_equal(s, M + SZ_256K + SZ_2K);
		n++;
	}
	assert_int_equal(n, 1);

	/* Asking for NOMAP explicitly includes it. */
	n = 0;
	for_each_free_mem_range(mb, i, NUMA_NO_NODE, MEMBLOCK_NOMAP | MEMBLOCK_HOTPLUG, &s, &e,
				NULL) n++;
	assert_int_equal(n, 4);
}

/* Empty reserved (the dummy): free ranges are the memory regions themselves. */
static void test_memblock_free_range_without_reservations(void **state)
{
	struct memblock *mb = &((struct mbt *)*state)->mb;
	phys_addr_t s, e;
	uint64_t i;
	int n = 0;

	memblock_add(mb, M, SZ_1M);
	for_each_free_mem_range_reverse(mb, i, NUMA_NO_NODE, MEMBLOCK_NONE, &s, &e, NULL)
	{
		assert_int_equal(s, M);
		assert_int_equal(e, M + SZ_1M);
		n++;
	}
	assert_int_equal(n, 1);
	/*
	 * No memory: no free range; for_each_mem_range still visits the empty dummy entry
	 * [0, 0), as the kernel's does.
	 */
	memblock_remove(mb, M, SZ_1M);
	n = 0;
	for_each_free_mem_range(mb, i, NUMA_NO_NODE, MEMBLOCK_NONE, &s, &e, NULL) n++;
	assert_int_equal(n, 0);
	for_each_mem_range(mb, i, &s, &e)
	{
		assert_int_equal(s, 0);
		assert_int_equal(e, 0);
		n++;
	}
	assert_int_equal(n, 1);
}

/*
 * memory:   | n0 [M, +256M) |  hole  | n1 [0x6000_0000, +256M) |
 * reserved:    |x [M+1M, +1M)|
 */
static void test_memblock_queries(void **state)
{
	struct memblock *mb = &((struct mbt *)*state)->mb;
	unsigned long sp = 7, ep = 7;

	assert_int_equal(memblock_start_of_DRAM(mb), 0);
	assert_int_equal(memblock_end_of_DRAM(mb), 0);
	memblock_add_node(mb, M, SZ_256M, 0, MEMBLOCK_NONE);
	memblock_add_node(mb, 0x60000000, SZ_256M, 1, MEMBLOCK_NONE);
	memblock_reserve(mb, M + SZ_1M, SZ_1M);
	MB_CHECK(mb);

	assert_int_equal(memblock_phys_mem_size(mb), SZ_512M);
	assert_int_equal(memblock_reserved_size(mb), SZ_1M);
	assert_int_equal(memblock_start_of_DRAM(mb), M);
	assert_int_equal(memblock_end_of_DRAM(mb), 0x70000000);

	assert_true(memblock_is_memory(mb, M));
	assert_false(memblock_is_memory(mb, 0x50000000));
	assert_true(memblock_is_memory(mb, 0x6fffffff));
	assert_false(memblock_is_memory(mb, 0x70000000));
	assert_true(memblock_is_map_memory(mb, 0x60000000));
	assert_false(memblock_is_map_memory(mb, 0x50000000));

	assert_true(memblock_is_region_memory(mb, M, SZ_256M));
	assert_false(memblock_is_region_memory(mb, M, SZ_256M + 1));
	assert_false(memblock_is_region_memory(mb, 0x5ffff000, SZ_8K));

	assert_true(memblock_is_reserved(mb, M + SZ_1M));
	assert_false(memblock_is_reserved(mb, M + SZ_2M));
	assert_false(memblock_is_region_reserved(mb, M, SZ_1M));
	assert_true(memblock_is_region_reserved(mb, M, SZ_1M + 1));
	assert_true(memblock_overlaps_region(&mb->memory, 0x5fffffff, 2));
	assert_false(memblock_overlaps_region(&mb->memory, 0x50000000, SZ_256M));
	assert_true(memblock_addrs_overlap(0, 2, 1, 2));
	assert_false(memblock_addrs_overlap(0, 1, 1, 1));

	assert_int_equal(memblock_search_pfn_nid(mb, 0x60010, &sp, &ep), 1);
	assert_int_equal(sp, 0x60000);
	assert_int_equal(ep, 0x70000);
	sp = ep = 7;
	assert_int_equal(memblock_search_pfn_nid(mb, 0x50000, &sp, &ep), -1);
	assert_int_equal(sp, 7); /* untouched */
	assert_int_equal(memblock_get_region_node(&mb->memory.regions[0]), 0);
}

/*
 * memory:   | 4M |          | 3M        | NOMAP 1M |
 * reserved:   |x 1M|             |xx 2M    |
 *           ^M   ^+4M       ^+8M  ^+9M   ^+11M     ^+12M
 *
 * The lowest 6M end at M + 10M (4M from the first region, 2M of the second).
 */
static void setup_limit_layout(struct memblock *mb)
{
	memblock_add(mb, M, SZ_4M);
	memblock_add(mb, M + SZ_8M, SZ_4M);
	memblock_mark_nomap(mb, M + 11 * SZ_1M, SZ_1M);
	memblock_reserve(mb, M + SZ_1M, SZ_1M);
	memblock_reserve(mb, M + 9 * SZ_1M, SZ_2M);
	MB_CHECK(mb);
	assert_int_equal(mb->memory.cnt, 3);
}

/* mem=6M via memblock_enforce_memory_limit: everything from M + 10M goes, NOMAP included. */
static void test_memblock_enforce_memory_limit(void **state)
{
	struct mbt *t = *state;
	struct memblock *mb = &t->mb;

	setup_limit_layout(mb);
	memblock_enforce_memory_limit(mb, 0);
	memblock_enforce_memory_limit(mb, SZ_64M); /* more than there is: no change */
	assert_int_equal(memblock_phys_mem_size(mb), 12 * SZ_1M - SZ_4M);
	memblock_enforce_memory_limit(mb, 6 * SZ_1M);
	MB_CHECK(mb);
	assert_int_equal(mb->memory.cnt, 2);
	ASSERT_REGION(mb->memory, 0, M, SZ_4M);
	ASSERT_REGION(mb->memory, 1, M + SZ_8M, SZ_2M);
	assert_int_equal(memblock_phys_mem_size(mb), 6 * SZ_1M);
	assert_int_equal(mb->reserved.cnt, 2);
	ASSERT_REGION(mb->reserved, 1, M + 9 * SZ_1M, SZ_1M);
	assert_int_equal(memblock_reserved_size(mb), SZ_2M);
}

/* mem=6M as arm64 applies it (memblock_mem_limit_remove_map): the NOMAP region stays. */
static void test_memblock_mem_limit_remove_map_keeps_nomap(void **state)
{
	struct memblock *mb = &((struct mbt *)*state)->mb;

	setup_limit_layout(mb);
	memblock_mem_limit_remove_map(mb, 0);
	assert_int_equal(mb->memory.cnt, 3);
	memblock_mem_limit_remove_map(mb, 6 * SZ_1M);
	MB_CHECK(mb);
	assert_int_equal(mb->memory.cnt, 3);
	ASSERT_REGION(mb->memory, 0, M, SZ_4M);
	ASSERT_REGION(mb->memory, 1, M + SZ_8M, SZ_2M);
	ASSERT_REGION(mb->memory, 2, M + 11 * SZ_1M, SZ_1M);
	assert_true(memblock_is_nomap(&mb->memory.regions[2]));
	assert_int_equal(memblock_phys_mem_size(mb), 7 * SZ_1M);
	ASSERT_REGION(mb->reserved, 1, M + 9 * SZ_1M, SZ_1M);
}

/*
 * memblock_cap_memory_range(M + 1M, 2M):
 *  memory   |  4M                       |   ->   |   [M+1M, M+3M)   |
 *  reserved |x|   |x|          |x|           ->     |x|   (only the one inside stays)
 *           ^M    ^M+1M+4K     ^M+3M
 */
static void test_memblock_cap_memory_range(void **state)
{
	struct mbt *t = *state;
	struct memblock *mb = &t->mb;

	mbt_log_clear(t);
	memblock_cap_memory_range(mb, M, SZ_1M);
	assert_string_equal(mbt_log(t), "[    0.000000] memblock_cap_memory_range: No memory "
					"registered yet\n");
	memblock_add(mb, M, SZ_4M);
	memblock_reserve(mb, M, SZ_4K);
	memblock_reserve(mb, M + SZ_1M + SZ_4K, SZ_4K);
	memblock_reserve(mb, M + 3 * SZ_1M, SZ_4K);
	memblock_cap_memory_range(mb, M + SZ_1M, 0); /* size 0: nothing */
	assert_int_equal(mb->reserved.cnt, 3);
	memblock_cap_memory_range(mb, M + SZ_1M, SZ_2M);
	MB_CHECK(mb);
	assert_int_equal(mb->memory.cnt, 1);
	ASSERT_REGION(mb->memory, 0, M + SZ_1M, SZ_2M);
	assert_int_equal(mb->reserved.cnt, 1);
	ASSERT_REGION(mb->reserved, 0, M + SZ_1M + SZ_4K, SZ_4K);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(fn) cmocka_unit_test_setup_teardown(fn, mbt_setup, mbt_teardown)
		T(test_memblock_for_each_mem_range),
		T(test_memblock_for_each_free_mem_range),
		T(test_memblock_for_each_reserved_and_pfn_range),
		T(test_memblock_iterators_and_flags),
		T(test_memblock_free_range_without_reservations),
		T(test_memblock_queries),
		T(test_memblock_enforce_memory_limit),
		T(test_memblock_mem_limit_remove_map_keeps_nomap),
		T(test_memblock_cap_memory_range),
#undef T
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
