/*
 * memblock allocation: memblock_alloc, memblock_alloc_from, memblock_phys_alloc_range and
 * the memblock_alloc_try_nid family over ranges, each case run top-down and bottom-up, and the
 * range cases with all three of memblock_alloc_try_nid (zeroing), _try_nid_raw and
 * _exact_nid_raw. Memory is 16 KiB at M = 0x4000_0000 unless a case says otherwise; E = M +
 * 16K. Diagrams: "|" region edges, "xx" reserved, ".." free, "NN" the new allocation.
 *
 * Rules used to derive the expectations (mm/memblock.c): the search covers memory minus
 * reserved clamped to [max(min, PAGE_SIZE), max); top-down takes round_down(end - size, align)
 * of the highest gap where that still lies in the gap; bottom-up round_up(start, align) of the
 * lowest gap that then still holds size; the block is reserved (merging with touching
 * reservations); the virtual variants drop an unmeetable min_addr and retry from 0.
 */
#include "memblock_test.h"

#define M DRAM_BASE
#define E (DRAM_BASE + SZ_16K)

#define PATTERN 0xa5
#define SZ_64	64ULL

enum alloc_fn { A_TRY_NID, A_TRY_NID_RAW, A_EXACT_NID_RAW, A_NR };

static const char *const alloc_fn_name[A_NR] = {
	"memblock_alloc_try_nid", "memblock_alloc_try_nid_raw", "memblock_alloc_exact_nid_raw"};

/* Fills simulated RAM [pa, pa + len) with the pattern, so zeroing can be seen. */
static void fill(struct mbt *t, phys_addr_t pa, size_t len)
{
	memset(mbt_ram(t, pa, len), PATTERN, len);
}

/* Runs @fn and checks the block's content: zero for try_nid, untouched for the raw ones. */
static phys_addr_t run_alloc(struct mbt *t, enum alloc_fn fn, phys_addr_t size, phys_addr_t align,
			     phys_addr_t min, phys_addr_t max, int nid)
{
	struct memblock *mb = &t->mb;
	kmm_va_t va = 0;
	phys_addr_t pa;

	switch (fn) {
	case A_TRY_NID:
		va = memblock_alloc_try_nid(mb, size, align, min, max, nid);
		break;
	case A_TRY_NID_RAW:
		va = memblock_alloc_try_nid_raw(mb, size, align, min, max, nid);
		break;
	case A_EXACT_NID_RAW:
		va = memblock_alloc_exact_nid_raw(mb, size, align, min, max, nid);
		break;
	default:
		fail();
	}
	MB_CHECK(mb);
	if (!va)
		return 0;
	pa = memblock_va_to_pa(mb, va);
	assert_true(mbt_all_bytes(mbt_ram(t, pa, size), size, fn == A_TRY_NID ? 0 : PATTERN));
	return pa;
}

/* Runs @body for both directions on a fresh memblock with M..E as memory, RAM patterned. */
typedef void (*dir_case)(struct mbt *t, bool bu);

static void both_directions(struct mbt *t, dir_case body)
{
	for (int bu = 0; bu <= 1; bu++) {
		mbt_reset(t);
		memblock_set_bottom_up(&t->mb, bu);
		memblock_add(&t->mb, M, SZ_16K);
		fill(t, M, SZ_16K);
		body(t, bu);
		MB_CHECK(&t->mb);
	}
}

/* Same, for every allocator of the try_nid family too. */
typedef void (*nid_case)(struct mbt *t, enum alloc_fn fn, bool bu);

static void all_allocators(struct mbt *t, nid_case body)
{
	for (int fn = 0; fn < A_NR; fn++) {
		for (int bu = 0; bu <= 1; bu++) {
			mbt_reset(t);
			memblock_set_bottom_up(&t->mb, bu);
			memblock_add(&t->mb, M, SZ_16K);
			fill(t, M, SZ_16K);
			print_message("  %s, %s\n", alloc_fn_name[fn],
				      bu ? "bottom-up" : "top-down");
			body(t, (enum alloc_fn)fn, bu);
			MB_CHECK(&t->mb);
		}
	}
}

/* ---- memblock_alloc ------------------------------------------------------------------- */

/*
 *  |..............NN|   top-down: E - 2K
 *  |NN..............|   bottom-up: M
 */
static void alloc_simple(struct mbt *t, bool bu)
{
	struct memblock *mb = &t->mb;
	kmm_va_t va = memblock_alloc(mb, SZ_2K, SMP_CACHE_BYTES);
	phys_addr_t want = bu ? M : E - SZ_2K;

	assert_int_equal(va, want); /* linear_offset 0: VA == PA */
	assert_true(mbt_all_bytes(mbt_ram(t, want, SZ_2K), SZ_2K, 0));
	assert_int_equal(mb->reserved.cnt, 1);
	ASSERT_REGION(mb->reserved, 0, want, SZ_2K);
	assert_int_equal(memblock_reserved_size(mb), SZ_2K);
}

static void test_memblock_alloc_simple(void **state)
{
	both_directions(*state, alloc_simple);
}

/*
 *  |....xx........NN|   r1 at M+4K (2K); top-down: E - 1K, apart from r1
 *  |NN..xx..........|   bottom-up: M, apart from r1
 */
static void alloc_disjoint(struct mbt *t, bool bu)
{
	struct memblock *mb = &t->mb;
	phys_addr_t want = bu ? M : E - SZ_1K;

	memblock_reserve(mb, M + SZ_4K, SZ_2K);
	assert_int_equal(memblock_alloc(mb, SZ_1K, SMP_CACHE_BYTES), want);
	assert_int_equal(mb->reserved.cnt, 2);
	ASSERT_REGION(mb->reserved, bu ? 0 : 1, want, SZ_1K);
	assert_int_equal(mb->reserved.total_size, SZ_1K + SZ_2K);
}

static void test_memblock_alloc_disjoint(void **state)
{
	both_directions(*state, alloc_disjoint);
}

/*
 * A reservation at the top (r1 = [E - 4K, E)):
 *  |..........NNxxxx|   top-down: right below r1, merged: [E - 6K, E)
 *  |NN........xxxx  |   bottom-up: M, two regions
 */
static void alloc_below_top_reservation(struct mbt *t, bool bu)
{
	struct memblock *mb = &t->mb;

	memblock_reserve(mb, E - SZ_4K, SZ_4K);
	if (bu) {
		assert_int_equal(memblock_alloc(mb, SZ_2K, SMP_CACHE_BYTES), M);
		assert_int_equal(mb->reserved.cnt, 2);
	} else {
		assert_int_equal(memblock_alloc(mb, SZ_2K, SMP_CACHE_BYTES), E - SZ_4K - SZ_2K);
		assert_int_equal(mb->reserved.cnt, 1);
		ASSERT_REGION(mb->reserved, 0, E - SZ_4K - SZ_2K, SZ_4K + SZ_2K);
	}
}

static void test_memblock_alloc_next_to_top_reservation(void **state)
{
	both_directions(*state, alloc_below_top_reservation);
}

/*
 * A reservation at the bottom (r1 = [M, M + 4K)):
 *  |xxxx..........NN|   top-down: E - 2K, two regions
 *  |xxxxNN..........|   bottom-up: right above r1, merged: [M, M + 6K)
 */
static void alloc_above_bottom_reservation(struct mbt *t, bool bu)
{
	struct memblock *mb = &t->mb;

	memblock_reserve(mb, M, SZ_4K);
	if (bu) {
		assert_int_equal(memblock_alloc(mb, SZ_2K, SMP_CACHE_BYTES), M + SZ_4K);
		assert_int_equal(mb->reserved.cnt, 1);
		ASSERT_REGION(mb->reserved, 0, M, SZ_4K + SZ_2K);
	} else {
		assert_int_equal(memblock_alloc(mb, SZ_2K, SMP_CACHE_BYTES), E - SZ_2K);
		assert_int_equal(mb->reserved.cnt, 2);
	}
}

static void test_memblock_alloc_next_to_bottom_reservation(void **state)
{
	both_directions(*state, alloc_above_bottom_reservation);
}

/*
 * The first gap in search order is too small; the second fits.
 * top-down:  r1 = [E - 1K - 1K, E - 1K), gap of 1K above it:
 *   |.....NNNNxx.|  2K lands right below r1: [E - 4K, E - 2K) merged with r1 -> [E-4K, E-1K)
 * bottom-up: r1 = [M + 1K, M + 2K), gap of 1K below it:
 *   |.xxNNNN.....|  2K lands right above r1: [M + 2K, M + 4K) merged -> [M+1K, M+4K)
 */
static void alloc_second_fit(struct mbt *t, bool bu)
{
	struct memblock *mb = &t->mb;

	if (bu) {
		memblock_reserve(mb, M + SZ_1K, SZ_1K);
		assert_int_equal(memblock_alloc(mb, SZ_2K, SMP_CACHE_BYTES), M + SZ_2K);
		ASSERT_REGION(mb->reserved, 0, M + SZ_1K, 3 * SZ_1K);
	} else {
		memblock_reserve(mb, E - SZ_2K, SZ_1K);
		assert_int_equal(memblock_alloc(mb, SZ_2K, SMP_CACHE_BYTES), E - SZ_4K);
		ASSERT_REGION(mb->reserved, 0, E - SZ_4K, 3 * SZ_1K);
	}
	assert_int_equal(mb->reserved.cnt, 1);
}

static void test_memblock_alloc_second_fit(void **state)
{
	both_directions(*state, alloc_second_fit);
}

/*
 *  |xxxxxxxxNNxxxxxx|   the only gap is exactly 2K: both directions fill it, all merge
 *  ^M      ^M+8K ^M+10K
 */
static void alloc_in_between(struct mbt *t, bool bu)
{
	struct memblock *mb = &t->mb;

	memblock_reserve(mb, M, SZ_8K);
	memblock_reserve(mb, M + SZ_8K + SZ_2K, SZ_4K + SZ_2K);
	assert_int_equal(memblock_alloc(mb, SZ_2K, SMP_CACHE_BYTES), M + SZ_8K);
	assert_int_equal(mb->reserved.cnt, 1);
	ASSERT_REGION(mb->reserved, 0, M, SZ_16K);
	assert_int_equal(memblock_reserved_size(mb), memblock_phys_mem_size(mb));
}

static void test_memblock_alloc_in_between(void **state)
{
	both_directions(*state, alloc_in_between);
}

/*
 *  |xxxx.xxxx.xxxx..|   gaps of 1K, 1K and 2K; a 2K + 256 request fits none: fails
 */
static void alloc_small_gaps(struct mbt *t, bool bu)
{
	struct memblock *mb = &t->mb;

	memblock_reserve(mb, M, SZ_4K);
	memblock_reserve(mb, M + SZ_4K + SZ_1K, SZ_4K);
	memblock_reserve(mb, M + SZ_8K + SZ_2K, SZ_4K);
	assert_int_equal(memblock_alloc(mb, SZ_2K + 256, SMP_CACHE_BYTES), 0);
	assert_int_equal(mb->reserved.cnt, 3);
	assert_int_equal(mb->reserved.total_size, 3 * SZ_4K);
}

static void test_memblock_alloc_small_gaps_fails(void **state)
{
	both_directions(*state, alloc_small_gaps);
}

/* Everything reserved, or a request larger than memory: fails, nothing reserved. */
static void alloc_no_room(struct mbt *t, bool bu)
{
	struct memblock *mb = &t->mb;

	assert_int_equal(memblock_alloc(mb, SZ_16K + 1, SMP_CACHE_BYTES), 0);
	assert_int_equal(mb->reserved.total_size, 0);
	memblock_reserve(mb, M, SZ_16K);
	assert_int_equal(memblock_alloc(mb, SZ_64, SMP_CACHE_BYTES), 0);
	assert_int_equal(mb->reserved.cnt, 1);
	assert_int_equal(mb->reserved.total_size, SZ_16K);
}
static void test_memblock_alloc_no_room_fails(void **state)
{
	both_directions(*state, alloc_no_room);
}

/*
 *  |xxxxxxxxxxxxxx..|   exactly 2K free at the top: both directions take it, all merge
 */
static void alloc_limited_space(struct mbt *t, bool bu)
{
	struct memblock *mb = &t->mb;

	memblock_reserve(mb, M, SZ_16K - SZ_2K);
	assert_int_equal(memblock_alloc(mb, SZ_2K, SMP_CACHE_BYTES), E - SZ_2K);
	assert_int_equal(mb->reserved.cnt, 1);
	ASSERT_REGION(mb->reserved, 0, M, SZ_16K);
}

static void test_memblock_alloc_limited_space(void **state)
{
	both_directions(*state, alloc_limited_space);
}

/* No memory at all: fails, reserved stays empty. */
static void test_memblock_alloc_no_memory_fails(void **state)
{
	struct mbt *t = *state;

	for (int bu = 0; bu <= 1; bu++) {
		mbt_reset(t);
		memblock_set_bottom_up(&t->mb, bu);
		assert_int_equal(memblock_alloc(&t->mb, SZ_1K, SMP_CACHE_BYTES), 0);
		assert_int_equal(memblock_phys_alloc(&t->mb, SZ_1K, SZ_1K), 0);
		ASSERT_REGION(t->mb.reserved, 0, 0, 0);
		MB_CHECK(&t->mb);
	}
}

/* The raw variant leaves the old content; memblock_alloc zeroes. */
static void alloc_raw_keeps_content(struct mbt *t, bool bu)
{
	struct memblock *mb = &t->mb;
	kmm_va_t va = memblock_alloc_raw(mb, SZ_2K, SMP_CACHE_BYTES);

	assert_int_equal(va, bu ? M : E - SZ_2K);
	assert_true(mbt_all_bytes(mbt_ram(t, va, SZ_2K), SZ_2K, PATTERN));
}

static void test_memblock_alloc_raw_keeps_content(void **state)
{
	both_directions(*state, alloc_raw_keeps_content);
}

/* ---- memblock_alloc_from --------------------------------------------------------------- */

/*
 * min_addr = M + 8K:
 *  |........|......NN|   top-down: E - 2K (the top is above min anyway)
 *  |........|NN......|   bottom-up: exactly min_addr
 */
static void alloc_from_simple(struct mbt *t, bool bu)
{
	phys_addr_t want = bu ? M + SZ_8K : E - SZ_2K;

	assert_int_equal(memblock_alloc_from(&t->mb, SZ_2K, SMP_CACHE_BYTES, M + SZ_8K), want);
	ASSERT_REGION(t->mb.reserved, 0, want, SZ_2K);
}

static void test_memblock_alloc_from_simple(void **state)
{
	both_directions(*state, alloc_from_simple);
}

/* A misaligned min_addr (M + 8K - 1): bottom-up rounds it up to M + 8K. */
static void alloc_from_misaligned(struct mbt *t, bool bu)
{
	phys_addr_t want = bu ? M + SZ_8K : E - SZ_2K;

	assert_int_equal(memblock_alloc_from(&t->mb, SZ_2K, SMP_CACHE_BYTES, M + SZ_8K - 1), want);
}

static void test_memblock_alloc_from_misaligned(void **state)
{
	both_directions(*state, alloc_from_misaligned);
}

/*
 * min_addr too high (E - 1K, less room than 2K above it): min is dropped, retry from 0.
 *  |..............NN|   top-down: E - 2K
 *  |NN..............|   bottom-up: M (min_addr is forgotten entirely)
 */
static void alloc_from_high_addr(struct mbt *t, bool bu)
{
	assert_int_equal(memblock_alloc_from(&t->mb, SZ_2K, SMP_CACHE_BYTES, E - SZ_1K),
			 bu ? M : E - SZ_2K);
}

static void test_memblock_alloc_from_high_addr(void **state)
{
	both_directions(*state, alloc_from_high_addr);
}

/*
 * Everything above min_addr (M + 8K) reserved: retry from 0.
 *  |......NN|xxxxxxxx|   top-down: right below min, merged -> [M + 6K, E)
 *  |NN......|xxxxxxxx|   bottom-up: M, two regions
 */
static void alloc_from_no_space_above(struct mbt *t, bool bu)
{
	struct memblock *mb = &t->mb;

	memblock_reserve(mb, M + SZ_8K, SZ_8K);
	if (bu) {
		assert_int_equal(memblock_alloc_from(mb, SZ_2K, SMP_CACHE_BYTES, M + SZ_8K), M);
		assert_int_equal(mb->reserved.cnt, 2);
	} else {
		assert_int_equal(memblock_alloc_from(mb, SZ_2K, SMP_CACHE_BYTES, M + SZ_8K),
				 M + SZ_8K - SZ_2K);
		assert_int_equal(mb->reserved.cnt, 1);
		ASSERT_REGION(mb->reserved, 0, M + SZ_8K - SZ_2K, SZ_8K + SZ_2K);
	}
}

static void test_memblock_alloc_from_no_space_above(void **state)
{
	both_directions(*state, alloc_from_no_space_above);
}

/* min_addr below memory (M - 1M): the search starts at M anyway. */
static void alloc_from_min_below_memory(struct mbt *t, bool bu)
{
	assert_int_equal(memblock_alloc_from(&t->mb, SZ_2K, SMP_CACHE_BYTES, M - SZ_1M),
			 bu ? M : E - SZ_2K);
}

static void test_memblock_alloc_from_min_below_memory(void **state)
{
	both_directions(*state, alloc_from_min_below_memory);
}

/* ---- memblock_alloc_try_nid and friends over [min, max), NUMA_NO_NODE -------------------- */

/*
 *  |....[......NN]....|  min = M + 4K, max = M + 12K: top-down max - 2K
 *  |....[NN......]....|  bottom-up: min
 */
static void nid_simple(struct mbt *t, enum alloc_fn fn, bool bu)
{
	phys_addr_t pa =
		run_alloc(t, fn, SZ_2K, SMP_CACHE_BYTES, M + SZ_4K, M + 12 * SZ_1K, NUMA_NO_NODE);

	assert_int_equal(pa, bu ? M + SZ_4K : M + 12 * SZ_1K - SZ_2K);
	ASSERT_REGION(t->mb.reserved, 0, pa, SZ_2K);
}

static void test_memblock_alloc_nid_simple(void **state)
{
	all_allocators(*state, nid_simple);
}

/*
 * Misaligned bounds, min = M + 4K + 7, max = M + 12K + 7:
 *   top-down round_down(max - 2K, 64) = M + 10K; bottom-up round_up(min, 64) = M + 4K + 64.
 */
static void nid_misaligned(struct mbt *t, enum alloc_fn fn, bool bu)
{
	phys_addr_t pa = run_alloc(t, fn, SZ_2K, SMP_CACHE_BYTES, M + SZ_4K + 7, M + 12 * SZ_1K + 7,
				   NUMA_NO_NODE);

	assert_int_equal(pa, bu ? M + SZ_4K + 64 : M + 10 * SZ_1K);
}

static void test_memblock_alloc_nid_misaligned_bounds(void **state)
{
	all_allocators(*state, nid_misaligned);
}

/* [min, max) exactly the size: both directions return min. */
static void nid_exact_address(struct mbt *t, enum alloc_fn fn, bool bu)
{
	assert_int_equal(run_alloc(t, fn, SZ_2K, SMP_CACHE_BYTES, M + SZ_4K, M + SZ_4K + SZ_2K,
				   NUMA_NO_NODE),
			 M + SZ_4K);
}

static void test_memblock_alloc_nid_exact_address(void **state)
{
	all_allocators(*state, nid_exact_address);
}

/*
 * [min, max) = [M + 4K, M + 5K) is narrower than 2K: min is dropped, [0, M + 5K) is used.
 *  |..NN[.]..........|   top-down: max - 2K = M + 3K
 *  |NN..[.]..........|   bottom-up: M
 */
static void nid_narrow_range(struct mbt *t, enum alloc_fn fn, bool bu)
{
	assert_int_equal(
		run_alloc(t, fn, SZ_2K, SMP_CACHE_BYTES, M + SZ_4K, M + 5 * SZ_1K, NUMA_NO_NODE),
		bu ? M : M + 3 * SZ_1K);
}

static void test_memblock_alloc_nid_narrow_range_drops_min(void **state)
{
	all_allocators(*state, nid_narrow_range);
}

/* max_addr below all memory: fails even after dropping min. */
static void nid_low_max(struct mbt *t, enum alloc_fn fn, bool bu)
{
	assert_int_equal(run_alloc(t, fn, SZ_2K, SMP_CACHE_BYTES, SZ_4K, M - SZ_4K, NUMA_NO_NODE),
			 0);
	assert_int_equal(t->mb.reserved.total_size, 0);
}

static void test_memblock_alloc_nid_low_max_fails(void **state)
{
	all_allocators(*state, nid_low_max);
}

/*
 * Range [M + 4K, M + 12K) with its upper half reserved (r1 = [M + 8K, M + 12K)):
 *  |....[....NNxxxx]....|  top-down: right below r1, merged -> [M + 6K, M + 12K)
 *  |....[NN..xxxx  ]....|  bottom-up: min, separate
 */
static void nid_upper_half_reserved(struct mbt *t, enum alloc_fn fn, bool bu)
{
	struct memblock *mb = &t->mb;
	phys_addr_t pa;

	memblock_reserve(mb, M + SZ_8K, SZ_4K);
	pa = run_alloc(t, fn, SZ_2K, SMP_CACHE_BYTES, M + SZ_4K, M + 12 * SZ_1K, NUMA_NO_NODE);
	if (bu) {
		assert_int_equal(pa, M + SZ_4K);
		assert_int_equal(mb->reserved.cnt, 2);
	} else {
		assert_int_equal(pa, M + 6 * SZ_1K);
		assert_int_equal(mb->reserved.cnt, 1);
		ASSERT_REGION(mb->reserved, 0, M + 6 * SZ_1K, 6 * SZ_1K);
	}
}

static void test_memblock_alloc_nid_upper_half_reserved(void **state)
{
	all_allocators(*state, nid_upper_half_reserved);
}

/*
 * Range [M + 4K, M + 12K) with its lower half reserved (r1 = [M + 4K, M + 8K)):
 *  |....[xxxx....NN]....|  top-down: max - 2K, separate
 *  |....[xxxxNN....]....|  bottom-up: right above r1, merged -> [M + 4K, M + 10K)
 */
static void nid_lower_half_reserved(struct mbt *t, enum alloc_fn fn, bool bu)
{
	struct memblock *mb = &t->mb;
	phys_addr_t pa;

	memblock_reserve(mb, M + SZ_4K, SZ_4K);
	pa = run_alloc(t, fn, SZ_2K, SMP_CACHE_BYTES, M + SZ_4K, M + 12 * SZ_1K, NUMA_NO_NODE);
	if (bu) {
		assert_int_equal(pa, M + SZ_8K);
		assert_int_equal(mb->reserved.cnt, 1);
		ASSERT_REGION(mb->reserved, 0, M + SZ_4K, 6 * SZ_1K);
	} else {
		assert_int_equal(pa, M + 10 * SZ_1K);
		assert_int_equal(mb->reserved.cnt, 2);
	}
}

static void test_memblock_alloc_nid_lower_half_reserved(void **state)
{
	all_allocators(*state, nid_lower_half_reserved);
}

/*
 * Range [M + 4K, M + 8K): r1 = [M + 4K, M + 5K), r2 = [M + 7K, M + 8K), 2K gap between.
 * A 1K request: top-down lands at M + 6K (merges with r2), bottom-up at M + 5K (with r1).
 * A 2K request fills the gap: everything merges into [M + 4K, M + 8K).
 */
static void nid_reserved_with_space(struct mbt *t, enum alloc_fn fn, bool bu)
{
	struct memblock *mb = &t->mb;
	phys_addr_t pa;

	memblock_reserve(mb, M + SZ_4K, SZ_1K);
	memblock_reserve(mb, M + 7 * SZ_1K, SZ_1K);
	pa = run_alloc(t, fn, SZ_1K, SMP_CACHE_BYTES, M + SZ_4K, M + SZ_8K, NUMA_NO_NODE);
	assert_int_equal(pa, bu ? M + 5 * SZ_1K : M + 6 * SZ_1K);
	assert_int_equal(mb->reserved.cnt, 2);
	ASSERT_REGION(mb->reserved, 0, M + SZ_4K, bu ? SZ_2K : SZ_1K);
	ASSERT_REGION(mb->reserved, 1, bu ? M + 7 * SZ_1K : M + 6 * SZ_1K, bu ? SZ_1K : SZ_2K);
	assert_int_equal(mb->reserved.total_size, 3 * SZ_1K);
}

static void test_memblock_alloc_nid_reserved_with_space(void **state)
{
	all_allocators(*state, nid_reserved_with_space);
}

static void nid_reserved_full_merge(struct mbt *t, enum alloc_fn fn, bool bu)
{
	struct memblock *mb = &t->mb;

	memblock_reserve(mb, M + SZ_4K, SZ_1K);
	memblock_reserve(mb, M + 7 * SZ_1K, SZ_1K);
	assert_int_equal(
		run_alloc(t, fn, SZ_2K, SMP_CACHE_BYTES, M + SZ_4K, M + SZ_8K, NUMA_NO_NODE),
		M + 5 * SZ_1K);
	assert_int_equal(mb->reserved.cnt, 1);
	ASSERT_REGION(mb->reserved, 0, M + SZ_4K, SZ_4K);
}

static void test_memblock_alloc_nid_reserved_full_merge(void **state)
{
	all_allocators(*state, nid_reserved_full_merge);
}

/*
 * Same reservations, a 3K request: no room in [M + 4K, M + 8K), so min is dropped and
 * [0, M + 8K) is searched.
 *  |.NNN[x..x]........|   top-down: the 2K gap is too small; [M, M + 4K) gives M + 1K,
 *                         which touches r1 -> [M + 1K, M + 5K) and r2: two regions
 *  |NNN.[x..x]........|   bottom-up: M, three regions
 */
static void nid_reserved_no_space(struct mbt *t, enum alloc_fn fn, bool bu)
{
	struct memblock *mb = &t->mb;

	memblock_reserve(mb, M + SZ_4K, SZ_1K);
	memblock_reserve(mb, M + 7 * SZ_1K, SZ_1K);
	assert_int_equal(
		run_alloc(t, fn, 3 * SZ_1K, SMP_CACHE_BYTES, M + SZ_4K, M + SZ_8K, NUMA_NO_NODE),
		bu ? M : M + SZ_1K);
	if (bu) {
		assert_int_equal(mb->reserved.cnt, 3);
		ASSERT_REGION(mb->reserved, 0, M, 3 * SZ_1K);
	} else {
		assert_int_equal(mb->reserved.cnt, 2);
		ASSERT_REGION(mb->reserved, 0, M + SZ_1K, SZ_4K);
	}
	assert_int_equal(mb->reserved.total_size, 5 * SZ_1K);
}

static void test_memblock_alloc_nid_reserved_no_space(void **state)
{
	all_allocators(*state, nid_reserved_no_space);
}

/* All memory reserved: fails. */
static void nid_reserved_all(struct mbt *t, enum alloc_fn fn, bool bu)
{
	memblock_reserve(&t->mb, M, SZ_16K);
	assert_int_equal(
		run_alloc(t, fn, SZ_1K, SMP_CACHE_BYTES, M + SZ_4K, M + SZ_8K, NUMA_NO_NODE), 0);
	assert_int_equal(t->mb.reserved.total_size, SZ_16K);
}

static void test_memblock_alloc_nid_reserved_all_fails(void **state)
{
	all_allocators(*state, nid_reserved_all);
}

/*
 * Bounds beyond memory are clipped to it: max = E + 1M, min = M + 4K gives E - 2K top-down
 * and min bottom-up; min = M - 1M, max = M + 12K gives max - 2K top-down and M bottom-up.
 */
static void nid_caps(struct mbt *t, enum alloc_fn fn, bool bu)
{
	struct memblock *mb = &t->mb;
	phys_addr_t pa;

	pa = run_alloc(t, fn, SZ_2K, SMP_CACHE_BYTES, M + SZ_4K, E + SZ_1M, NUMA_NO_NODE);
	assert_int_equal(pa, bu ? M + SZ_4K : E - SZ_2K);
	memblock_phys_free(mb, pa, SZ_2K);
	pa = run_alloc(t, fn, SZ_2K, SMP_CACHE_BYTES, M - SZ_1M, M + 12 * SZ_1K, NUMA_NO_NODE);
	assert_int_equal(pa, bu ? M : M + 10 * SZ_1K);
}

static void test_memblock_alloc_nid_caps_bounds_to_memory(void **state)
{
	all_allocators(*state, nid_caps);
}

/* max_addr above current_limit is capped to the limit by the virtual allocators. */
static void nid_current_limit(struct mbt *t, enum alloc_fn fn, bool bu)
{
	memblock_set_current_limit(&t->mb, M + SZ_8K);
	assert_int_equal(run_alloc(t, fn, SZ_2K, SMP_CACHE_BYTES, 0, E, NUMA_NO_NODE),
			 bu ? M : M + SZ_8K - SZ_2K);
}

static void test_memblock_alloc_nid_respects_current_limit(void **state)
{
	all_allocators(*state, nid_current_limit);
}

/* ---- memblock_phys_alloc_range / memblock_phys_alloc ------------------------------------ */

/*
 * memblock_phys_alloc_range does not drop start, and an explicit end is not capped at
 * current_limit (only MEMBLOCK_ALLOC_ACCESSIBLE means the limit).
 */
static void phys_alloc_range(struct mbt *t, bool bu)
{
	struct memblock *mb = &t->mb;

	memblock_set_current_limit(mb, M + SZ_8K);
	assert_int_equal(memblock_phys_alloc_range(mb, SZ_1K, SZ_1K, M, E), bu ? M : E - SZ_1K);
	assert_int_equal(memblock_phys_alloc(mb, SZ_1K, SZ_1K), bu ? M + SZ_1K : M + SZ_8K - SZ_1K);
	/* [E - 1K, E) but start above it: no room, no retry. */
	assert_int_equal(memblock_phys_alloc_range(mb, SZ_2K, SZ_1K, E - SZ_1K, E), 0);
	/* NOLEAKTRACE also means the current limit. */
	assert_int_equal(memblock_phys_alloc_range(mb, SZ_1K, SZ_1K, 0, MEMBLOCK_ALLOC_NOLEAKTRACE),
			 bu ? M + SZ_2K : M + SZ_8K - SZ_2K);
	/* Physical allocations are not zeroed. */
	assert_true(mbt_all_bytes(mbt_ram(t, bu ? M : M + SZ_8K - SZ_2K, SZ_2K), SZ_2K, PATTERN));
}

static void test_memblock_phys_alloc_range(void **state)
{
	both_directions(*state, phys_alloc_range);
}

/*
 * Alignment: 4K-aligned requests in a 16K range with 1K reserved at each end. top-down:
 * round_down(E - 1K - 4K, 4K) = E - 8K; bottom-up: round_up(M + 1K, 4K) = M + 4K.
 */
static void alloc_alignment(struct mbt *t, bool bu)
{
	struct memblock *mb = &t->mb;

	memblock_reserve(mb, M, SZ_1K);
	memblock_reserve(mb, E - SZ_1K, SZ_1K);
	assert_int_equal(memblock_phys_alloc(mb, SZ_4K, SZ_4K), bu ? M + SZ_4K : E - SZ_8K);
	assert_int_equal(mb->reserved.cnt, 3);
}

static void test_memblock_alloc_alignment(void **state)
{
	both_directions(*state, alloc_alignment);
}

/* The first page of the physical address space is never handed out. */
static void test_memblock_alloc_never_first_page(void **state)
{
	struct mbt *t = *state;
	struct memblock *mb;

	for (int bu = 0; bu <= 1; bu++) {
		mbt_reset(t);
		mb = &t->mb;
		mb->phys = NULL; /* memory at PA 0 is not RAM here */
		memblock_set_bottom_up(mb, bu);
		memblock_add(mb, 0, SZ_8K);
		assert_int_equal(memblock_phys_alloc(mb, SZ_4K, SZ_4K), SZ_4K);
		assert_int_equal(memblock_phys_alloc(mb, SZ_4K, SZ_4K), 0);
		MB_CHECK(mb);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(fn) cmocka_unit_test_setup_teardown(fn, mbt_setup_phys, mbt_teardown)
		T(test_memblock_alloc_simple),
		T(test_memblock_alloc_disjoint),
		T(test_memblock_alloc_next_to_top_reservation),
		T(test_memblock_alloc_next_to_bottom_reservation),
		T(test_memblock_alloc_second_fit),
		T(test_memblock_alloc_in_between),
		T(test_memblock_alloc_small_gaps_fails),
		T(test_memblock_alloc_no_room_fails),
		T(test_memblock_alloc_limited_space),
		T(test_memblock_alloc_no_memory_fails),
		T(test_memblock_alloc_raw_keeps_content),
		T(test_memblock_alloc_from_simple),
		T(test_memblock_alloc_from_misaligned),
		T(test_memblock_alloc_from_high_addr),
		T(test_memblock_alloc_from_no_space_above),
		T(test_memblock_alloc_from_min_below_memory),
		T(test_memblock_alloc_nid_simple),
		T(test_memblock_alloc_nid_misaligned_bounds),
		T(test_memblock_alloc_nid_exact_address),
		T(test_memblock_alloc_nid_narrow_range_drops_min),
		T(test_memblock_alloc_nid_low_max_fails),
		T(test_memblock_alloc_nid_upper_half_reserved),
		T(test_memblock_alloc_nid_lower_half_reserved),
		T(test_memblock_alloc_nid_reserved_with_space),
		T(test_memblock_alloc_nid_reserved_full_merge),
		T(test_memblock_alloc_nid_reserved_no_space),
		T(test_memblock_alloc_nid_reserved_all_fails),
		T(test_memblock_alloc_nid_caps_bounds_to_memory),
		T(test_memblock_alloc_nid_respects_current_limit),
		T(test_memblock_phys_alloc_range),
		T(test_memblock_alloc_alignment),
		T(test_memblock_alloc_never_first_page),
#undef T
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
