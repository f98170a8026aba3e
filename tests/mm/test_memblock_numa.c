/*
 * memblock and nodes and flags: the try_nid family with a node (fallback to any node unless
 * exact), memblock_phys_alloc_try_nid, memblock_alloc_node, the MAX_NUMNODES warning; and the
 * effect of NOMAP, HOTPLUG (with and without movable_node) and MIRROR on allocation.
 *
 * NUMA layout: 16 MiB at M = 0x4000_0000 in eight nodes, one memory region each:
 *
 *   node:  0 (4M)  | 1 (1M) | 2 (2M) | 3 (2M) | 4 (1M) | 5 (1M) | 6 (4M)  | 7 (1M)
 *   base:  4000_0000 4040_0000 4050_0000 4070_0000 4090_0000 40a0_0000 40b0_0000 40f0_0000
 *   end:                                                                      4100_0000
 *
 * Each case runs for memblock_alloc_try_nid, _try_nid_raw and _exact_nid_raw, top-down and
 * bottom-up; min/max are the start/end of DRAM unless a case says otherwise. Expectations
 * follow the kernel's order: [min, max) on the node, then (not exact) any node, then (min
 * dropped) the same two again.
 */
#include "memblock_test.h"

#define M	DRAM_BASE
#define PATTERN 0x5a

static const phys_addr_t node_size[8] = {SZ_4M, SZ_1M, SZ_2M, SZ_2M, SZ_1M, SZ_1M, SZ_4M, SZ_1M};

static phys_addr_t node_base(int nid)
{
	phys_addr_t b = M;

	for (int i = 0; i < nid; i++)
		b += node_size[i];
	return b;
}

static phys_addr_t node_end(int nid)
{
	return node_base(nid) + node_size[nid];
}

static void setup_numa(struct mbt *t)
{
	for (int i = 0; i < 8; i++)
		assert_int_equal(
			memblock_add_node(&t->mb, node_base(i), node_size[i], i, MEMBLOCK_NONE), 0);
	assert_int_equal(t->mb.memory.cnt, 8);
	memset(mbt_ram(t, M, SZ_16M), PATTERN, SZ_16M);
	MB_CHECK(&t->mb);
}

enum alloc_fn { A_TRY_NID, A_TRY_NID_RAW, A_EXACT_NID_RAW, A_NR };

static phys_addr_t run_alloc(struct mbt *t, enum alloc_fn fn, phys_addr_t size, phys_addr_t min,
			     phys_addr_t max, int nid)
{
	struct memblock *mb = &t->mb;
	kmm_va_t va;

	if (fn == A_TRY_NID)
		va = memblock_alloc_try_nid(mb, size, SMP_CACHE_BYTES, min, max, nid);
	else if (fn == A_TRY_NID_RAW)
		va = memblock_alloc_try_nid_raw(mb, size, SMP_CACHE_BYTES, min, max, nid);
	else
		va = memblock_alloc_exact_nid_raw(mb, size, SMP_CACHE_BYTES, min, max, nid);
	MB_CHECK(mb);
	if (va)
		assert_true(
			mbt_all_bytes(mbt_ram(t, va, size), size, fn == A_TRY_NID ? 0 : PATTERN));
	return va; /* linear_offset 0 */
}

static phys_addr_t dram_alloc(struct mbt *t, enum alloc_fn fn, phys_addr_t size, int nid)
{
	return run_alloc(t, fn, size, memblock_start_of_DRAM(&t->mb), memblock_end_of_DRAM(&t->mb),
			 nid);
}

typedef void (*numa_case)(struct mbt *t, enum alloc_fn fn, bool bu);

static void all_modes(struct mbt *t, numa_case body)
{
	for (int fn = 0; fn < A_NR; fn++) {
		for (int bu = 0; bu <= 1; bu++) {
			mbt_reset(t);
			memblock_set_bottom_up(&t->mb, bu);
			setup_numa(t);
			body(t, (enum alloc_fn)fn, bu);
			MB_CHECK(&t->mb);
		}
	}
}

/* Node 3 has room: top-down its last 4K, bottom-up its first. */
static void numa_simple(struct mbt *t, enum alloc_fn fn, bool bu)
{
	phys_addr_t pa = dram_alloc(t, fn, SZ_4K, 3);

	assert_int_equal(pa, bu ? node_base(3) : node_end(3) - SZ_4K);
	assert_int_equal(pa, bu ? 0x40700000 : 0x408ff000);
	ASSERT_REGION(t->mb.reserved, 0, pa, SZ_4K);
}

static void test_memblock_numa_simple(void **state)
{
	all_modes(*state, numa_simple);
}

/*
 * Node 1 (1M) cannot hold 2M: any node instead. Top-down: node 7 is too small, node 6 gives
 * 0x40f0_0000 - 2M = 0x40d0_0000; bottom-up: node 0 at M. exact_nid: fails.
 */
static void numa_small_node(struct mbt *t, enum alloc_fn fn, bool bu)
{
	phys_addr_t pa = dram_alloc(t, fn, SZ_2M, 1);

	if (fn == A_EXACT_NID_RAW)
		assert_int_equal(pa, 0);
	else
		assert_int_equal(pa, bu ? M : 0x40d00000);
}

static void test_memblock_numa_small_node_falls_back(void **state)
{
	all_modes(*state, numa_small_node);
}

/* Node 2 fully reserved: any node (top-down 0x40ff_f000, bottom-up M), or nothing if exact. */
static void numa_node_reserved(struct mbt *t, enum alloc_fn fn, bool bu)
{
	phys_addr_t pa;

	memblock_reserve(&t->mb, node_base(2), node_size[2]);
	pa = dram_alloc(t, fn, SZ_4K, 2);
	if (fn == A_EXACT_NID_RAW) {
		assert_int_equal(pa, 0);
		assert_int_equal(t->mb.reserved.cnt, 1);
	} else {
		assert_int_equal(pa, bu ? M : 0x40fff000);
		assert_int_equal(t->mb.reserved.cnt, 2);
	}
}

static void test_memblock_numa_node_reserved_falls_back(void **state)
{
	all_modes(*state, numa_node_reserved);
}

/*
 * Node 4 with its middle 512K reserved (r1 = [0x4094_0000, 0x409c_0000)):
 *   | 256K free | r1 512K | 256K free |
 * 128K fits either side: top-down 0x409e_0000, bottom-up 0x4090_0000 (two regions).
 * 512K fits neither: any node (top-down node 7: 0x40f8_0000; bottom-up M), exact: fails.
 */
static void numa_part_reserved(struct mbt *t, enum alloc_fn fn, bool bu)
{
	struct memblock *mb = &t->mb;
	phys_addr_t pa;

	memblock_reserve(mb, 0x40940000, SZ_512K);
	pa = dram_alloc(t, fn, SZ_128K, 4);
	assert_int_equal(pa, bu ? 0x40900000 : 0x409e0000);
	assert_int_equal(mb->reserved.cnt, 2);
	memblock_phys_free(mb, pa, SZ_128K);

	pa = dram_alloc(t, fn, SZ_512K, 4);
	if (fn == A_EXACT_NID_RAW)
		assert_int_equal(pa, 0);
	else
		assert_int_equal(pa, bu ? M : 0x40f80000);
}

static void test_memblock_numa_part_reserved(void **state)
{
	all_modes(*state, numa_part_reserved);
}

/*
 * [min, max) = [0x406f_f000, 0x4070_1000) straddles the end of node 2 (4K on each side);
 * 8K does not fit on either side, so min is dropped: [0, 0x4070_1000).
 *   nid 2: node 2 holds it: top-down 0x406f_e000, bottom-up 0x4050_0000 (all allocators).
 *   nid 3: node 3 holds only 4K below max: any node (top-down node 2's 0x406f_e000,
 *          bottom-up M), exact: fails.
 */
static void numa_split_range(struct mbt *t, enum alloc_fn fn, bool bu)
{
	struct memblock *mb = &t->mb;
	phys_addr_t pa;

	pa = run_alloc(t, fn, SZ_8K, 0x406ff000, 0x40701000, 2);
	assert_int_equal(pa, bu ? 0x40500000 : 0x406fe000);
	memblock_phys_free(mb, pa, SZ_8K);

	pa = run_alloc(t, fn, SZ_8K, 0x406ff000, 0x40701000, 3);
	if (fn == A_EXACT_NID_RAW)
		assert_int_equal(pa, 0);
	else
		assert_int_equal(pa, bu ? M : 0x406fe000);
}

static void test_memblock_numa_split_range(void **state)
{
	all_modes(*state, numa_split_range);
}

/*
 * [min, max) = nodes 4 and 5 only; the node asked for lies outside.
 *   nid 2 (below the range): try_nid takes any node inside the range (top-down 0x40af_f000,
 *     bottom-up 0x4090_0000); exact_nid drops min and finds node 2 below max (top-down
 *     0x406f_f000, bottom-up 0x4050_0000).
 *   nid 7 (above the range): try_nid as before; exact_nid fails (node 7 is above max).
 */
static void numa_no_overlap(struct mbt *t, enum alloc_fn fn, bool bu)
{
	struct memblock *mb = &t->mb;
	phys_addr_t pa;

	pa = run_alloc(t, fn, SZ_4K, node_base(4), node_end(5), 2);
	if (fn == A_EXACT_NID_RAW)
		assert_int_equal(pa, bu ? 0x40500000 : 0x406ff000);
	else
		assert_int_equal(pa, bu ? 0x40900000 : 0x40aff000);
	memblock_phys_free(mb, pa, SZ_4K);

	pa = run_alloc(t, fn, SZ_4K, node_base(4), node_end(5), 7);
	if (fn == A_EXACT_NID_RAW)
		assert_int_equal(pa, 0);
	else
		assert_int_equal(pa, bu ? 0x40900000 : 0x40aff000);
}

static void test_memblock_numa_no_overlap(void **state)
{
	all_modes(*state, numa_no_overlap);
}

/*
 * Node 5: | r1 512K | gap 256K | r2 256K |  a 256K request fills the gap: one region.
 */
static void numa_full_merge(struct mbt *t, enum alloc_fn fn, bool bu)
{
	struct memblock *mb = &t->mb;

	memblock_reserve(mb, node_base(5), SZ_512K);
	memblock_reserve(mb, node_base(5) + SZ_512K + SZ_256K, SZ_256K);
	assert_int_equal(dram_alloc(t, fn, SZ_256K, 5), node_base(5) + SZ_512K);
	assert_int_equal(mb->reserved.cnt, 1);
	ASSERT_REGION(mb->reserved, 0, node_base(5), SZ_1M);
}

static void test_memblock_numa_reserved_full_merge(void **state)
{
	all_modes(*state, numa_full_merge);
}

/* 6M exceeds every region (regions of different nodes never merge): fails everywhere. */
static void numa_too_large(struct mbt *t, enum alloc_fn fn, bool bu)
{
	assert_int_equal(dram_alloc(t, fn, 6 * SZ_1M, 6), 0);
	assert_int_equal(t->mb.reserved.total_size, 0);
}

static void test_memblock_numa_too_large_fails(void **state)
{
	all_modes(*state, numa_too_large);
}

/* memblock_phys_alloc_try_nid and memblock_alloc_node, top-down. */
static void test_memblock_numa_phys_try_nid_and_alloc_node(void **state)
{
	struct mbt *t = *state;
	struct memblock *mb = &t->mb;

	setup_numa(t);
	assert_int_equal(memblock_phys_alloc_try_nid(mb, SZ_4K, SZ_4K, 2), 0x406ff000);
	assert_int_equal(memblock_phys_alloc_try_nid(mb, SZ_2M, SZ_4K, 1), 0x40d00000);
	assert_int_equal(memblock_alloc_node(mb, SZ_4K, SZ_4K, 5), 0x40aff000);
	assert_true(mbt_all_bytes(mbt_ram(t, 0x40aff000, SZ_4K), SZ_4K, 0));
	/* phys allocations are not zeroed */
	assert_true(mbt_all_bytes(mbt_ram(t, 0x406ff000, SZ_4K), SZ_4K, PATTERN));
	MB_CHECK(mb);
}

/* nid == MAX_NUMNODES: WARN_ONCE, then treated as "any node". */
static void test_memblock_numa_max_numnodes_warns_once(void **state)
{
	struct mbt *t = *state;
	struct memblock *mb = &t->mb;
	uint64_t seq;

	setup_numa(t);
	seq = t->env.report_seq;
	assert_int_equal(memblock_phys_alloc_try_nid(mb, SZ_4K, SZ_4K, MAX_NUMNODES), 0x40fff000);
	assert_int_equal(t->env.report_seq, seq + 1);
	assert_int_equal(mbt_last_report(t)->kind, KMM_REPORT_WARN);
	assert_string_equal(
		mbt_last_report(t)->text,
		"Usage of MAX_NUMNODES is deprecated. Use NUMA_NO_NODE instead\n"
		"WARNING: CPU: 0 PID: 0 at mm/memblock.c:1381 memblock_alloc_range_nid");
	assert_int_equal(memblock_phys_alloc_try_nid(mb, SZ_4K, SZ_4K, MAX_NUMNODES), 0x40ffe000);
	assert_int_equal(t->env.report_seq, seq + 1);
	MB_CHECK(mb);
}

/* ---- flags ------------------------------------------------------------------------------ */

/*
 *  | memory 12K         | NOMAP 4K |     NOMAP is never allocated from
 *  |..........NN........|          |     top-down: E - 4K - 2K; bottom-up: M
 */
static void test_memblock_nomap_is_skipped(void **state)
{
	struct mbt *t = *state;
	struct memblock *mb;
	const phys_addr_t e = M + SZ_16K;

	for (int bu = 0; bu <= 1; bu++) {
		mbt_reset(t);
		mb = &t->mb;
		memblock_set_bottom_up(mb, bu);
		memblock_add(mb, M, SZ_16K);
		assert_int_equal(memblock_mark_nomap(mb, e - SZ_4K, SZ_4K), 0);
		MB_CHECK(mb);
		assert_int_equal(mb->memory.cnt, 2);
		assert_int_equal(mb->memory.regions[1].flags, MEMBLOCK_NOMAP);
		assert_true(memblock_is_memory(mb, e - 1));
		assert_false(memblock_is_map_memory(mb, e - 1));
		assert_true(memblock_is_map_memory(mb, M));
		assert_int_equal(memblock_phys_alloc(mb, SZ_2K, SZ_1K), bu ? M : e - SZ_4K - SZ_2K);
		/* Asking for more than the mapped part: fails although 16K is memory. */
		assert_int_equal(memblock_phys_alloc(mb, SZ_16K - SZ_4K, SZ_1K), 0);
		assert_int_equal(memblock_clear_nomap(mb, e - SZ_4K, SZ_4K), 0);
		MB_CHECK(mb);
		assert_int_equal(mb->memory.cnt, 1);
	}
}

/*
 *  | memory 12K         | HOTPLUG 4K |   skipped only with movable_node
 */
static void test_memblock_hotplug_skipped_with_movable_node(void **state)
{
	struct mbt *t = *state;
	struct memblock *mb = &t->mb;
	const phys_addr_t e = M + SZ_16K;

	memblock_add(mb, M, SZ_16K);
	assert_int_equal(memblock_mark_hotplug(mb, e - SZ_4K, SZ_4K), 0);
	MB_CHECK(mb);
	assert_int_equal(mb->memory.cnt, 2);
	assert_true(memblock_is_hotpluggable(&mb->memory.regions[1]));
	assert_int_equal(memblock_phys_alloc(mb, SZ_2K, SZ_1K), e - SZ_2K);
	mb->movable_node = true;
	assert_int_equal(memblock_phys_alloc(mb, SZ_2K, SZ_1K), e - SZ_4K - SZ_2K);
	assert_int_equal(memblock_clear_hotplug(mb, 0, PHYS_ADDR_MAX), 0);
	MB_CHECK(mb);
	assert_int_equal(mb->memory.cnt, 1);
	assert_int_equal(memblock_phys_alloc(mb, SZ_2K, SZ_1K), e - SZ_4K);
	MB_CHECK(mb);
}

/*
 * Mirror: marking does nothing without kernelcore=mirror. With it, allocations prefer the
 * mirrored region; when it cannot hold a request, the kernel's warning and a second try.
 *  | MIRROR 4K | memory 12K              |
 */
static void test_memblock_mirror_preferred_then_fallback(void **state)
{
	struct mbt *t = *state;
	struct memblock *mb;

	for (int bu = 0; bu <= 1; bu++) {
		mbt_reset(t);
		mb = &t->mb;
		memblock_set_bottom_up(mb, bu);
		memblock_add(mb, M, SZ_16K);
		assert_int_equal(memblock_mark_mirror(mb, M, SZ_4K), 0);
		assert_int_equal(mb->memory.cnt, 1); /* no mirrored_kernelcore: no effect */
		assert_false(mb->system_has_some_mirror);

		mb->mirrored_kernelcore = true;
		assert_int_equal(memblock_mark_mirror(mb, M, SZ_4K), 0);
		MB_CHECK(mb);
		assert_true(mb->system_has_some_mirror);
		assert_int_equal(mb->memory.cnt, 2);
		assert_true(memblock_is_mirror(&mb->memory.regions[0]));

		mbt_log_clear(t);
		assert_int_equal(memblock_alloc(mb, SZ_1K, SMP_CACHE_BYTES),
				 bu ? M : M + 3 * SZ_1K);
		assert_int_equal(t->env.log.len, 0);
		assert_int_equal(memblock_alloc(mb, SZ_8K, SMP_CACHE_BYTES),
				 bu ? M + SZ_4K : M + SZ_8K);
		assert_string_equal(mbt_log(t), "[    0.000000] Could not allocate "
						"0x0000000000002000 bytes of mirrored memory\n");
		MB_CHECK(mb);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(fn) cmocka_unit_test_setup_teardown(fn, mbt_setup_phys, mbt_teardown)
		T(test_memblock_numa_simple),
		T(test_memblock_numa_small_node_falls_back),
		T(test_memblock_numa_node_reserved_falls_back),
		T(test_memblock_numa_part_reserved),
		T(test_memblock_numa_split_range),
		T(test_memblock_numa_no_overlap),
		T(test_memblock_numa_reserved_full_merge),
		T(test_memblock_numa_too_large_fails),
		T(test_memblock_numa_phys_try_nid_and_alloc_node),
		T(test_memblock_numa_max_numnodes_warns_once),
		T(test_memblock_nomap_is_skipped),
		T(test_memblock_hotplug_skipped_with_movable_node),
		T(test_memblock_mirror_preferred_then_fallback),
#undef T
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
