/*
 * memblock region bookkeeping: add, add_node, reserve, remove, phys_free, set_node,
 * trim_memory, bottom-up switch. Each case draws its layout; "|" marks region edges, "r1",
 * "r2" the ranges passed in, "M" the memory/reserved array after the call. Expected values
 * follow from the kernel's rules (memblock_add_range fills only uncovered parts and merges
 * touching neighbours with equal node and flags; removal isolates, then drops whole regions).
 */
#include "memblock_test.h"

/* A fresh instance is empty: one dummy region, the arm64 initial array sizes, top-down. */
static void test_memblock_init_is_empty(void **state)
{
	struct mbt *t = *state;
	struct memblock *mb = &t->mb;

	assert_int_equal(mb->memory.cnt, 1);
	assert_int_equal(mb->memory.max, 1024); /* INIT_MEMBLOCK_REGIONS * 8 */
	assert_int_equal(mb->reserved.cnt, 1);
	assert_int_equal(mb->reserved.max, 385); /* 128 + NR_CPUS(256) + 1 */
	ASSERT_REGION(mb->memory, 0, 0, 0);
	ASSERT_REGION(mb->reserved, 0, 0, 0);
	assert_int_equal(mb->memory.total_size, 0);
	assert_string_equal(mb->memory.name, "memory");
	assert_string_equal(mb->reserved.name, "reserved");
	assert_false(memblock_bottom_up(mb));
	assert_int_equal(mb->current_limit, MEMBLOCK_ALLOC_ANYWHERE);
	assert_false(mb->can_resize);
	MB_CHECK(mb);
}

/*
 *  |     r1      |
 *  +-------------+
 *  ^ 0x4000_0000  ^ +1 GiB
 */
static void test_memblock_add_simple(void **state)
{
	struct memblock *mb = &((struct mbt *)*state)->mb;

	assert_int_equal(memblock_add(mb, DRAM_BASE, SZ_1G), 0);
	MB_CHECK(mb);
	ASSERT_REGION(mb->memory, 0, DRAM_BASE, SZ_1G);
	assert_int_equal(mb->memory.cnt, 1);
	assert_int_equal(mb->memory.regions[0].nid, MAX_NUMNODES);
	assert_int_equal(mb->memory.regions[0].flags, MEMBLOCK_NONE);
	assert_int_equal(mb->memory.total_size, SZ_1G);
}

/* memblock_add_node keeps the node and flags it is given. */
static void test_memblock_add_node_simple(void **state)
{
	struct memblock *mb = &((struct mbt *)*state)->mb;

	assert_int_equal(memblock_add_node(mb, DRAM_BASE, SZ_256M, 1, MEMBLOCK_HOTPLUG), 0);
	MB_CHECK(mb);
	ASSERT_REGION(mb->memory, 0, DRAM_BASE, SZ_256M);
	assert_int_equal(mb->memory.regions[0].nid, 1);
	assert_int_equal(mb->memory.regions[0].flags, MEMBLOCK_HOTPLUG);
	assert_int_equal(mb->memory.total_size, SZ_256M);
}

/*
 *  | r1 |          | r2 |       added r2 first, then r1: the array is sorted anyway
 *  ^0x4000_0000    ^0x5000_0000
 */
static void test_memblock_add_disjoint_sorted(void **state)
{
	struct memblock *mb = &((struct mbt *)*state)->mb;

	assert_int_equal(memblock_add(mb, 0x50000000, SZ_2M), 0);
	MB_CHECK(mb);
	assert_int_equal(memblock_add(mb, DRAM_BASE, SZ_1M), 0);
	MB_CHECK(mb);
	assert_int_equal(mb->memory.cnt, 2);
	ASSERT_REGION(mb->memory, 0, DRAM_BASE, SZ_1M);
	ASSERT_REGION(mb->memory, 1, 0x50000000, SZ_2M);
	assert_int_equal(mb->memory.total_size, SZ_1M + SZ_2M);
}

/*
 *        |    r1 (4M)   |
 *  |  r2 (2M) |               r2 overlaps the bottom of r1
 *  |  M: 5M                 |
 *  ^0x4000_0000 ^0x4010_0000  ^0x4050_0000
 */
static void test_memblock_add_overlap_bottom(void **state)
{
	struct memblock *mb = &((struct mbt *)*state)->mb;

	memblock_add(mb, 0x40100000, SZ_4M);
	assert_int_equal(memblock_add(mb, DRAM_BASE, SZ_2M), 0);
	MB_CHECK(mb);
	assert_int_equal(mb->memory.cnt, 1);
	ASSERT_REGION(mb->memory, 0, DRAM_BASE, 0x500000);
	assert_int_equal(mb->memory.total_size, 0x500000);
}

/*
 *  |    r1 (4M)   |
 *            |    r2 (4M)   |     r2 overlaps the top of r1
 *  |  M: 7M                 |
 *  ^0x4000_0000  ^0x4030_0000 ^0x4070_0000
 */
static void test_memblock_add_overlap_top(void **state)
{
	struct memblock *mb = &((struct mbt *)*state)->mb;

	memblock_add(mb, DRAM_BASE, SZ_4M);
	assert_int_equal(memblock_add(mb, 0x40300000, SZ_4M), 0);
	MB_CHECK(mb);
	assert_int_equal(mb->memory.cnt, 1);
	ASSERT_REGION(mb->memory, 0, DRAM_BASE, 0x700000);
	assert_int_equal(mb->memory.total_size, 0x700000);
}

/*
 *  |        r1 (8M)        |
 *      | r2 |                  inside r1, and r1 again: nothing changes
 */
static void test_memblock_add_within_and_twice(void **state)
{
	struct memblock *mb = &((struct mbt *)*state)->mb;

	memblock_add(mb, DRAM_BASE, SZ_8M);
	assert_int_equal(memblock_add(mb, 0x40100000, SZ_1M), 0);
	MB_CHECK(mb);
	assert_int_equal(memblock_add(mb, DRAM_BASE, SZ_8M), 0);
	MB_CHECK(mb);
	assert_int_equal(mb->memory.cnt, 1);
	ASSERT_REGION(mb->memory, 0, DRAM_BASE, SZ_8M);
	assert_int_equal(mb->memory.total_size, SZ_8M);
}

/*
 *  | r1 |    | r2 |
 *       | r3 |          r3 fills the hole exactly: three become one
 *  ^0x4000_0000 (1M each)
 */
static void test_memblock_add_between_merges_three(void **state)
{
	struct memblock *mb = &((struct mbt *)*state)->mb;

	memblock_add(mb, DRAM_BASE, SZ_1M);
	memblock_add(mb, DRAM_BASE + SZ_2M, SZ_1M);
	assert_int_equal(mb->memory.cnt, 2);
	assert_int_equal(memblock_add(mb, DRAM_BASE + SZ_1M, SZ_1M), 0);
	MB_CHECK(mb);
	assert_int_equal(mb->memory.cnt, 1);
	ASSERT_REGION(mb->memory, 0, DRAM_BASE, 3 * SZ_1M);
}

/*
 *                       |  r (2M) ...   beyond PHYS_ADDR_MAX
 *  ---------------------+--------|
 *            PHYS_ADDR_MAX - 1M  ^ PHYS_ADDR_MAX: the size is capped to 1M
 */
static void test_memblock_add_near_max_is_capped(void **state)
{
	struct memblock *mb = &((struct mbt *)*state)->mb;
	phys_addr_t base = PHYS_ADDR_MAX - SZ_1M;

	assert_int_equal(memblock_add(mb, base, SZ_2M), 0);
	MB_CHECK(mb);
	ASSERT_REGION(mb->memory, 0, base, SZ_1M);
	assert_int_equal(mb->memory.total_size, SZ_1M);
}

/* A zero-sized add changes nothing. */
static void test_memblock_add_zero_size(void **state)
{
	struct memblock *mb = &((struct mbt *)*state)->mb;

	assert_int_equal(memblock_add(mb, DRAM_BASE, 0), 0);
	MB_CHECK(mb);
	assert_int_equal(mb->memory.total_size, 0);
	ASSERT_REGION(mb->memory, 0, 0, 0);
}

/*
 * Overlapping add with another node (bad input): the kernel merges what it can and WARNs when
 * it has to insert a piece below a region of another node.
 *
 *            | node 0 (2M)  |
 *  | add (3M), no node       |
 *  | new 1M  | node 0 (2M)  |     two regions (nodes differ), one WARN (line 635)
 *  ^0x3ff0_0000 ^0x4000_0000
 */
static void test_memblock_add_overlap_other_node_warns(void **state)
{
	struct mbt *t = *state;
	struct memblock *mb = &t->mb;
	uint64_t seq;

	memblock_add_node(mb, DRAM_BASE, SZ_2M, 0, MEMBLOCK_NONE);
	seq = t->env.report_seq;
	assert_int_equal(memblock_add(mb, DRAM_BASE - SZ_1M, 3 * SZ_1M), 0);
	MB_CHECK(mb);
	assert_int_equal(mb->memory.cnt, 2);
	ASSERT_REGION(mb->memory, 0, DRAM_BASE - SZ_1M, SZ_1M);
	assert_int_equal(mb->memory.regions[0].nid, MAX_NUMNODES);
	ASSERT_REGION(mb->memory, 1, DRAM_BASE, SZ_2M);
	assert_int_equal(mb->memory.regions[1].nid, 0);
	assert_int_equal(t->env.report_seq, seq + 1);
	assert_int_equal(mbt_last_report(t)->kind, KMM_REPORT_WARN);
	assert_string_equal(mbt_last_report(t)->text,
			    "WARNING: CPU: 0 PID: 0 at mm/memblock.c:635 memblock_add_range");
}

/*
 * Same, but the add starts inside the node-0 region: the piece above is appended without a
 * WARN (the kernel only checks pieces inserted below an existing region).
 *
 *  | node 0 (2M)  |
 *       | add (2M)      |
 *  | node 0 (2M)  | 1M  |
 */
static void test_memblock_add_overlap_above_other_node_silent(void **state)
{
	struct mbt *t = *state;
	struct memblock *mb = &t->mb;
	uint64_t seq;

	memblock_add_node(mb, DRAM_BASE, SZ_2M, 0, MEMBLOCK_NONE);
	seq = t->env.report_seq;
	assert_int_equal(memblock_add(mb, DRAM_BASE + SZ_1M, SZ_2M), 0);
	MB_CHECK(mb);
	assert_int_equal(mb->memory.cnt, 2);
	ASSERT_REGION(mb->memory, 0, DRAM_BASE, SZ_2M);
	ASSERT_REGION(mb->memory, 1, DRAM_BASE + SZ_2M, SZ_1M);
	assert_int_equal(t->env.report_seq, seq);
}

/* Reservations: the same rules on the reserved array, and memory is not consulted. */
static void test_memblock_reserve_simple_and_outside_memory(void **state)
{
	struct memblock *mb = &((struct mbt *)*state)->mb;

	memblock_add(mb, DRAM_BASE, SZ_1G);
	assert_int_equal(memblock_reserve(mb, DRAM_BASE + SZ_2M, SZ_128K), 0);
	MB_CHECK(mb);
	/* Below DRAM: accepted, as the kernel does (reserve never looks at memory). */
	assert_int_equal(memblock_reserve(mb, 0x10000000, SZ_4K), 0);
	MB_CHECK(mb);
	assert_int_equal(mb->reserved.cnt, 2);
	ASSERT_REGION(mb->reserved, 0, 0x10000000, SZ_4K);
	ASSERT_REGION(mb->reserved, 1, DRAM_BASE + SZ_2M, SZ_128K);
	assert_int_equal(mb->reserved.regions[1].nid, MAX_NUMNODES);
	assert_int_equal(memblock_reserved_size(mb), SZ_128K + SZ_4K);
	assert_true(memblock_is_reserved(mb, 0x10000000));
	assert_false(memblock_is_memory(mb, 0x10000000));
}

/*
 *  | r1 |   | r2 |     disjoint reservations, then overlap bottom/top, within, between
 */
static void test_memblock_reserve_overlaps_merge(void **state)
{
	struct memblock *mb = &((struct mbt *)*state)->mb;

	/* |r1 @+1M, 4M| then |r2 @0, 2M| overlapping its bottom: one [0, 5M). */
	memblock_reserve(mb, DRAM_BASE + SZ_1M, SZ_4M);
	memblock_reserve(mb, DRAM_BASE, SZ_2M);
	MB_CHECK(mb);
	assert_int_equal(mb->reserved.cnt, 1);
	ASSERT_REGION(mb->reserved, 0, DRAM_BASE, 5 * SZ_1M);

	/* |r3 @+4M, 4M| overlapping the top: [0, 8M). */
	memblock_reserve(mb, DRAM_BASE + SZ_4M, SZ_4M);
	MB_CHECK(mb);
	ASSERT_REGION(mb->reserved, 0, DRAM_BASE, SZ_8M);

	/* Within and twice: unchanged. */
	memblock_reserve(mb, DRAM_BASE + SZ_1M, SZ_1M);
	memblock_reserve(mb, DRAM_BASE, SZ_8M);
	MB_CHECK(mb);
	assert_int_equal(mb->reserved.cnt, 1);
	assert_int_equal(mb->reserved.total_size, SZ_8M);

	/* |r @+9M, 1M| apart, then the hole [8M, 9M) filled: all one. */
	memblock_reserve(mb, DRAM_BASE + 9 * SZ_1M, SZ_1M);
	assert_int_equal(mb->reserved.cnt, 2);
	memblock_reserve(mb, DRAM_BASE + SZ_8M, SZ_1M);
	MB_CHECK(mb);
	assert_int_equal(mb->reserved.cnt, 1);
	ASSERT_REGION(mb->reserved, 0, DRAM_BASE, 10 * SZ_1M);
}

static void test_memblock_reserve_near_max_is_capped(void **state)
{
	struct memblock *mb = &((struct mbt *)*state)->mb;
	phys_addr_t base = PHYS_ADDR_MAX - SZ_1M;

	assert_int_equal(memblock_reserve(mb, base, SZ_2M), 0);
	MB_CHECK(mb);
	ASSERT_REGION(mb->reserved, 0, base, SZ_1M);
}

/*
 *  | r1 (4M) |      | r2 (4M) |     remove r1: r2 is left
 *  ^0x4000_0000     ^0x5000_0000
 */
static void test_memblock_remove_simple(void **state)
{
	struct memblock *mb = &((struct mbt *)*state)->mb;

	memblock_add(mb, DRAM_BASE, SZ_4M);
	memblock_add(mb, 0x50000000, SZ_4M);
	assert_int_equal(memblock_remove(mb, DRAM_BASE, SZ_4M), 0);
	MB_CHECK(mb);
	assert_int_equal(mb->memory.cnt, 1);
	ASSERT_REGION(mb->memory, 0, 0x50000000, SZ_4M);
	assert_int_equal(mb->memory.total_size, SZ_4M);
}

/* Removing what is not there changes nothing. */
static void test_memblock_remove_absent(void **state)
{
	struct memblock *mb = &((struct mbt *)*state)->mb;

	memblock_add(mb, DRAM_BASE, SZ_4M);
	assert_int_equal(memblock_remove(mb, 0x50000000, SZ_1G), 0);
	MB_CHECK(mb);
	assert_int_equal(mb->memory.cnt, 1);
	ASSERT_REGION(mb->memory, 0, DRAM_BASE, SZ_4M);
}

/*
 *        |   r1 (4M)    |
 *  | rm (2M) |                 -> |  3M  | from 0x4020_0000
 *  ^0x4000_0000
 */
static void test_memblock_remove_overlap_bottom(void **state)
{
	struct memblock *mb = &((struct mbt *)*state)->mb;

	memblock_add(mb, DRAM_BASE + SZ_1M, SZ_4M);
	assert_int_equal(memblock_remove(mb, DRAM_BASE, SZ_2M), 0);
	MB_CHECK(mb);
	ASSERT_REGION(mb->memory, 0, DRAM_BASE + SZ_2M, 3 * SZ_1M);
	assert_int_equal(mb->memory.total_size, 3 * SZ_1M);
}

/*
 *  |   r1 (4M)    |
 *           | rm (4M)   |      -> |  3M  | at 0x4000_0000
 */
static void test_memblock_remove_overlap_top(void **state)
{
	struct memblock *mb = &((struct mbt *)*state)->mb;

	memblock_add(mb, DRAM_BASE, SZ_4M);
	assert_int_equal(memblock_remove(mb, DRAM_BASE + 3 * SZ_1M, SZ_4M), 0);
	MB_CHECK(mb);
	ASSERT_REGION(mb->memory, 0, DRAM_BASE, 3 * SZ_1M);
}

/*
 *  |        r1 (4M)       |
 *       | rm 1M |               -> | 1M |       | 2M |   (split in two)
 */
static void test_memblock_remove_within_splits(void **state)
{
	struct memblock *mb = &((struct mbt *)*state)->mb;

	memblock_add_node(mb, DRAM_BASE, SZ_4M, 2, MEMBLOCK_NONE);
	assert_int_equal(memblock_remove(mb, DRAM_BASE + SZ_1M, SZ_1M), 0);
	MB_CHECK(mb);
	assert_int_equal(mb->memory.cnt, 2);
	ASSERT_REGION(mb->memory, 0, DRAM_BASE, SZ_1M);
	ASSERT_REGION(mb->memory, 1, DRAM_BASE + SZ_2M, SZ_2M);
	/* Both halves keep the node of the region they came from. */
	assert_int_equal(mb->memory.regions[0].nid, 2);
	assert_int_equal(mb->memory.regions[1].nid, 2);
	assert_int_equal(mb->memory.total_size, 3 * SZ_1M);
}

/* Removing the only region leaves the dummy, now with nid MAX_NUMNODES. */
static void test_memblock_remove_only_region(void **state)
{
	struct memblock *mb = &((struct mbt *)*state)->mb;

	memblock_add_node(mb, DRAM_BASE, SZ_4M, 0, MEMBLOCK_NONE);
	assert_int_equal(memblock_remove(mb, DRAM_BASE, SZ_4M), 0);
	MB_CHECK(mb);
	assert_int_equal(mb->memory.cnt, 1);
	ASSERT_REGION(mb->memory, 0, 0, 0);
	assert_int_equal(mb->memory.regions[0].nid, MAX_NUMNODES);
	assert_int_equal(mb->memory.total_size, 0);
}

/*
 *  |  r1 (2M) ending at PHYS_ADDR_MAX |
 *                  | rm (2M, capped to 1M)   -> the lower 1M stays
 */
static void test_memblock_remove_near_max(void **state)
{
	struct memblock *mb = &((struct mbt *)*state)->mb;

	memblock_add(mb, PHYS_ADDR_MAX - SZ_2M, SZ_2M);
	assert_int_equal(memblock_remove(mb, PHYS_ADDR_MAX - SZ_1M, SZ_2M), 0);
	MB_CHECK(mb);
	ASSERT_REGION(mb->memory, 0, PHYS_ADDR_MAX - SZ_2M, SZ_1M);
}

/*
 *  | r1 (4M)  |    | r2 (4M)  |
 *        |    rm (8M)    |         -> | 2M |          | 2M |
 *  ^0x4000_0000 ^+8M      ^+10M
 */
static void test_memblock_remove_overlap_two(void **state)
{
	struct memblock *mb = &((struct mbt *)*state)->mb;

	memblock_add(mb, DRAM_BASE, SZ_4M);
	memblock_add(mb, DRAM_BASE + SZ_8M, SZ_4M);
	assert_int_equal(memblock_remove(mb, DRAM_BASE + SZ_2M, SZ_8M), 0);
	MB_CHECK(mb);
	assert_int_equal(mb->memory.cnt, 2);
	ASSERT_REGION(mb->memory, 0, DRAM_BASE, SZ_2M);
	ASSERT_REGION(mb->memory, 1, DRAM_BASE + 10 * SZ_1M, SZ_2M);
	assert_int_equal(mb->memory.total_size, SZ_4M);
}

/* memblock_phys_free: the remove rules on the reserved array (simple, within, two, all). */
static void test_memblock_phys_free_cases(void **state)
{
	struct memblock *mb = &((struct mbt *)*state)->mb;

	/*  | r1 (4M) |    | r2 (4M) |   free r1 */
	memblock_reserve(mb, DRAM_BASE, SZ_4M);
	memblock_reserve(mb, DRAM_BASE + SZ_8M, SZ_4M);
	assert_int_equal(memblock_phys_free(mb, DRAM_BASE, SZ_4M), 0);
	MB_CHECK(mb);
	assert_int_equal(mb->reserved.cnt, 1);
	ASSERT_REGION(mb->reserved, 0, DRAM_BASE + SZ_8M, SZ_4M);

	/* Absent: nothing happens. */
	assert_int_equal(memblock_phys_free(mb, DRAM_BASE, SZ_4M), 0);
	MB_CHECK(mb);
	assert_int_equal(mb->reserved.cnt, 1);

	/*  |      r2 (4M)     |  free 1M at +1M  ->  | 1M |    | 2M | */
	assert_int_equal(memblock_phys_free(mb, DRAM_BASE + SZ_8M + SZ_1M, SZ_1M), 0);
	MB_CHECK(mb);
	assert_int_equal(mb->reserved.cnt, 2);
	ASSERT_REGION(mb->reserved, 0, DRAM_BASE + SZ_8M, SZ_1M);
	ASSERT_REGION(mb->reserved, 1, DRAM_BASE + SZ_8M + SZ_2M, SZ_2M);

	/* Free across both pieces and beyond: empty again (dummy entry). */
	assert_int_equal(memblock_phys_free(mb, DRAM_BASE, SZ_64M), 0);
	MB_CHECK(mb);
	assert_int_equal(mb->reserved.cnt, 1);
	ASSERT_REGION(mb->reserved, 0, 0, 0);
	assert_int_equal(memblock_reserved_size(mb), 0);
}

/* memblock_free takes the linear-map address of a memblock_alloc result. */
static void test_memblock_free_by_va(void **state)
{
	struct memblock *mb = &((struct mbt *)*state)->mb;

	mb->linear_offset = 0xffff000000000000ULL - DRAM_BASE; /* PAGE_OFFSET - PHYS_OFFSET */
	memblock_reserve(mb, DRAM_BASE, SZ_8K);
	memblock_free(mb, 0xffff000000001000ULL, SZ_4K); /* __va(DRAM_BASE + 4K) */
	MB_CHECK(mb);
	assert_int_equal(mb->reserved.cnt, 1);
	ASSERT_REGION(mb->reserved, 0, DRAM_BASE, SZ_4K);
	memblock_free(mb, 0, SZ_4K); /* NULL: ignored */
	assert_int_equal(mb->reserved.total_size, SZ_4K);
}

/*
 * memblock_set_node isolates and relabels; equal neighbours merge again.
 *
 *  |           memory 1G, no node              |
 *  |  n0 (256M) |  n1 (256M)  |   n0 (512M)    |   after set_node 0 on all, 1 on the middle
 *  |                 n0 (1G)                   |   after set_node 0 on all again
 */
static void test_memblock_set_node_splits_and_merges(void **state)
{
	struct memblock *mb = &((struct mbt *)*state)->mb;

	memblock_add(mb, DRAM_BASE, SZ_1G);
	assert_int_equal(memblock_set_node(mb, DRAM_BASE, SZ_1G, &mb->memory, 0), 0);
	MB_CHECK(mb);
	assert_int_equal(memblock_set_node(mb, 0x50000000, SZ_256M, &mb->memory, 1), 0);
	MB_CHECK(mb);
	assert_int_equal(mb->memory.cnt, 3);
	ASSERT_REGION(mb->memory, 0, DRAM_BASE, SZ_256M);
	ASSERT_REGION(mb->memory, 1, 0x50000000, SZ_256M);
	ASSERT_REGION(mb->memory, 2, 0x60000000, SZ_512M);
	assert_int_equal(mb->memory.regions[0].nid, 0);
	assert_int_equal(mb->memory.regions[1].nid, 1);
	assert_int_equal(mb->memory.regions[2].nid, 0);
	assert_int_equal(memblock_set_node(mb, 0, PHYS_ADDR_MAX, &mb->memory, 0), 0);
	MB_CHECK(mb);
	assert_int_equal(mb->memory.cnt, 1);
	ASSERT_REGION(mb->memory, 0, DRAM_BASE, SZ_1G);
	assert_int_equal(mb->memory.total_size, SZ_1G);
}

/*
 * memblock_trim_memory(2M):
 *  | r1 4M, aligned |   | r2 1M, no whole 2M inside |      -> r2 removed
 *  | r1 |   | r3 3M at +5M |                               -> [+6M, +8M)
 *  | r1 |   | r4 3M at +6M |                               -> [+6M, +8M)
 */
static void test_memblock_trim_memory(void **state)
{
	struct mbt *t = *state;
	struct memblock *mb = &t->mb;

	memblock_add(mb, DRAM_BASE, SZ_4M);
	memblock_add(mb, DRAM_BASE + 6 * SZ_1M, SZ_2M);
	memblock_trim_memory(mb, SZ_2M);
	MB_CHECK(mb);
	assert_int_equal(mb->memory.cnt, 2); /* both already aligned */

	mbt_reset(t);
	memblock_add(mb, DRAM_BASE, SZ_4M);
	memblock_add(mb, DRAM_BASE + 5 * SZ_1M, SZ_1M);
	memblock_trim_memory(mb, SZ_2M);
	MB_CHECK(mb);
	assert_int_equal(mb->memory.cnt, 1);
	ASSERT_REGION(mb->memory, 0, DRAM_BASE, SZ_4M);

	mbt_reset(t);
	memblock_add(mb, DRAM_BASE, SZ_4M);
	memblock_add(mb, DRAM_BASE + 5 * SZ_1M, 3 * SZ_1M);
	memblock_trim_memory(mb, SZ_2M);
	MB_CHECK(mb);
	ASSERT_REGION(mb->memory, 1, DRAM_BASE + 6 * SZ_1M, SZ_2M);
	assert_int_equal(mb->memory.total_size, 6 * SZ_1M);

	mbt_reset(t);
	memblock_add(mb, DRAM_BASE, SZ_4M);
	memblock_add(mb, DRAM_BASE + 6 * SZ_1M, 3 * SZ_1M);
	memblock_trim_memory(mb, SZ_2M);
	MB_CHECK(mb);
	ASSERT_REGION(mb->memory, 1, DRAM_BASE + 6 * SZ_1M, SZ_2M);

	/* Everything too small: the array ends empty. */
	mbt_reset(t);
	memblock_add(mb, DRAM_BASE + SZ_4K, SZ_4K);
	memblock_trim_memory(mb, SZ_2M);
	MB_CHECK(mb);
	ASSERT_REGION(mb->memory, 0, 0, 0);
	assert_int_equal(mb->memory.total_size, 0);
}

static void test_memblock_bottom_up_switch(void **state)
{
	struct memblock *mb = &((struct mbt *)*state)->mb;

	assert_false(memblock_bottom_up(mb));
	memblock_set_bottom_up(mb, true);
	assert_true(memblock_bottom_up(mb));
	assert_true(mb->bottom_up);
	memblock_set_bottom_up(mb, false);
	assert_false(memblock_bottom_up(mb));
	memblock_set_current_limit(mb, 0x80000000);
	assert_int_equal(memblock_get_current_limit(mb), 0x80000000);
}

/* memblock_check catches broken arrays (it never fixes them). */
static void test_memblock_check_reports_violations(void **state)
{
	struct memblock *mb = &((struct mbt *)*state)->mb;
	char why[256];

	memblock_add(mb, DRAM_BASE, SZ_4M);
	memblock_add(mb, DRAM_BASE + SZ_8M, SZ_4M);
	MB_CHECK(mb);

	mb->memory.total_size += 1;
	assert_false(memblock_check(mb, why, sizeof(why)));
	assert_non_null(strstr(why, "total_size"));
	mb->memory.total_size -= 1;

	mb->memory.regions[1].base = DRAM_BASE + SZ_2M; /* overlaps region 0 */
	assert_false(memblock_check(mb, why, sizeof(why)));
	assert_non_null(strstr(why, "overlapping"));
	mb->memory.regions[1].base = DRAM_BASE + SZ_4M; /* touches, same node and flags */
	assert_false(memblock_check(mb, why, sizeof(why)));
	assert_non_null(strstr(why, "mergeable"));
	mb->memory.regions[1].base = DRAM_BASE + SZ_8M;

	mb->memory.regions[1].size = 0;
	assert_false(memblock_check(mb, why, sizeof(why)));
	assert_non_null(strstr(why, "empty region"));
	mb->memory.regions[1].size = SZ_4M;

	mb->memory.cnt = mb->memory.max + 1;
	assert_false(memblock_check(mb, why, sizeof(why)));
	mb->memory.cnt = 2;
	MB_CHECK(mb);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(fn) cmocka_unit_test_setup_teardown(fn, mbt_setup, mbt_teardown)
		T(test_memblock_init_is_empty),
		T(test_memblock_add_simple),
		T(test_memblock_add_node_simple),
		T(test_memblock_add_disjoint_sorted),
		T(test_memblock_add_overlap_bottom),
		T(test_memblock_add_overlap_top),
		T(test_memblock_add_within_and_twice),
		T(test_memblock_add_between_merges_three),
		T(test_memblock_add_near_max_is_capped),
		T(test_memblock_add_zero_size),
		T(test_memblock_add_overlap_other_node_warns),
		T(test_memblock_add_overlap_above_other_node_silent),
		T(test_memblock_reserve_simple_and_outside_memory),
		T(test_memblock_reserve_overlaps_merge),
		T(test_memblock_reserve_near_max_is_capped),
		T(test_memblock_remove_simple),
		T(test_memblock_remove_absent),
		T(test_memblock_remove_overlap_bottom),
		T(test_memblock_remove_overlap_top),
		T(test_memblock_remove_within_splits),
		T(test_memblock_remove_only_region),
		T(test_memblock_remove_near_max),
		T(test_memblock_remove_overlap_two),
		T(test_memblock_phys_free_cases),
		T(test_memblock_free_by_va),
		T(test_memblock_set_node_splits_and_merges),
		T(test_memblock_trim_memory),
		T(test_memblock_bottom_up_switch),
		T(test_memblock_check_reports_violations),
#undef T
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
