/*
 * memblock region arrays: initial sizes, doubling when full (the new array's range taken from
 * memblock itself and reserved; the previous doubled array's range freed), doubling refused
 * before memblock_allow_resize or without room, and host-memory failure at init and on growth.
 *
 * Sizes (arm64, 24-byte entries): reserved 385 entries = 9240 B -> 770 entries = 18480 B in a
 * 0x5000 (5-page) block -> 1540 entries = 36960 B in a 0xa000 block; memory 1024 entries ->
 * 2048 = 49152 B in a 0xc000 block.
 */
#include "memblock_test.h"

#include <errno.h>

#define M DRAM_BASE

/* Reservation i: 4K at M + i * 8K, so no two touch. */
static int reserve_nth(struct memblock *mb, unsigned long i)
{
	return memblock_reserve(mb, M + i * SZ_8K, SZ_4K);
}

/*
 * Memory [M, M + 64M). 385 reservations fill the initial array; the 386th doubles it:
 *
 *  |x.x.x. ... x.x (385) ......................................|AAAAA|
 *  ^M                                          0x43ff_b000 (A) ^      ^0x4400_0000
 *
 * The new array goes top-down into the highest free 0x5000 bytes, above the pending range.
 */
static void test_memblock_reserved_array_doubles(void **state)
{
	struct mbt *t = *state;
	struct memblock *mb = &t->mb;
	unsigned long i;

	memblock_add(mb, M, SZ_64M);
	memblock_allow_resize(mb);
	for (i = 0; i < 385; i++)
		assert_int_equal(reserve_nth(mb, i), 0);
	MB_CHECK(mb);
	assert_int_equal(mb->reserved.cnt, 385);
	assert_int_equal(mb->reserved.max, 385);
	assert_int_equal(mb->reserved.array_pa, 0);

	mb->debug = true;
	mbt_log_clear(t);
	assert_int_equal(reserve_nth(mb, 385), 0);
	MB_CHECK(mb);
	assert_string_equal(
		mbt_log(t),
		"[    0.000000] memblock_reserve: [0x0000000040302000-0x0000000040302fff]\n"
		"[    0.000000] memblock: reserved is doubled to 770 at "
		"[0x0000000043ffb000-0x0000000043fff82f]\n"
		"[    0.000000] memblock_reserve: [0x0000000043ffb000-0x0000000043ffffff] "
		"memblock_double_array\n");
	mb->debug = false;
	assert_int_equal(mb->reserved.max, 770);
	assert_int_equal(mb->reserved.array_pa, 0x43ffb000);
	assert_int_equal(mb->reserved.cnt, 387);
	ASSERT_REGION(mb->reserved, 385, M + 385 * SZ_8K, SZ_4K);
	ASSERT_REGION(mb->reserved, 386, 0x43ffb000, 0x5000);
	assert_int_equal(memblock_reserved_size(mb), 386 * SZ_4K + 0x5000);
	assert_int_equal(mb->memory.max, 1024);

	/*
	 * Fill to 770 regions (769 small + the array); the next doubles again: the new block
	 * (0xa000) goes right below the old one, which is freed.
	 */
	for (i = 386; i < 769; i++)
		assert_int_equal(reserve_nth(mb, i), 0);
	assert_int_equal(mb->reserved.cnt, 770);
	mb->debug = true;
	mbt_log_clear(t);
	assert_int_equal(reserve_nth(mb, 769), 0);
	MB_CHECK(mb);
	assert_string_equal(
		mbt_log(t),
		"[    0.000000] memblock_reserve: [0x0000000040602000-0x0000000040602fff]\n"
		"[    0.000000] memblock: reserved is doubled to 1540 at "
		"[0x0000000043ff1000-0x0000000043ffa05f]\n"
		"[    0.000000] memblock_phys_free: [0x0000000043ffb000-0x0000000043ffffff] "
		"memblock_free\n"
		"[    0.000000] memblock_reserve: [0x0000000043ff1000-0x0000000043ffafff] "
		"memblock_double_array\n");
	assert_int_equal(mb->reserved.max, 1540);
	assert_int_equal(mb->reserved.array_pa, 0x43ff1000);
	assert_int_equal(mb->reserved.cnt, 771);
	ASSERT_REGION(mb->reserved, 770, 0x43ff1000, 0xa000);
	assert_false(memblock_is_reserved(mb, 0x43ffb000));
	assert_int_equal(memblock_reserved_size(mb), 770 * SZ_4K + 0xa000);
	/* Every entry survived the moves. */
	for (i = 0; i < 770; i++)
		ASSERT_REGION(mb->reserved, i, M + i * SZ_8K, SZ_4K);
}

/*
 * The memory array doubles too; its block is found in memory and reserved.
 *
 *  |m.m.m. ... m (1024 regions: B first, then 1023 small)       |  B (1M)   |CCC|
 *  ^M                                                0x5000_0000 ^  0x500f_4000 ^
 */
static void test_memblock_memory_array_doubles(void **state)
{
	struct mbt *t = *state;
	struct memblock *mb = &t->mb;
	unsigned long i;

	memblock_allow_resize(mb);
	memblock_add(mb, 0x50000000, SZ_1M);
	for (i = 0; i < 1023; i++)
		assert_int_equal(memblock_add(mb, M + i * SZ_8K, SZ_4K), 0);
	assert_int_equal(mb->memory.cnt, 1024);
	mb->debug = true;
	mbt_log_clear(t);
	assert_int_equal(memblock_add(mb, M + 1023 * SZ_8K, SZ_4K), 0);
	MB_CHECK(mb);
	assert_string_equal(
		mbt_log(t),
		"[    0.000000] memblock_add: [0x00000000407fe000-0x00000000407fefff]\n"
		"[    0.000000] memblock: memory is doubled to 2048 at "
		"[0x00000000500f4000-0x00000000500fffff]\n"
		"[    0.000000] memblock_reserve: [0x00000000500f4000-0x00000000500fffff] "
		"memblock_double_array\n");
	assert_int_equal(mb->memory.max, 2048);
	assert_int_equal(mb->memory.cnt, 1025);
	assert_int_equal(mb->memory.array_pa, 0x500f4000);
	assert_int_equal(mb->reserved.cnt, 1);
	ASSERT_REGION(mb->reserved, 0, 0x500f4000, 0xc000);
	assert_int_equal(memblock_phys_mem_size(mb), 1024 * SZ_4K + SZ_1M);
}

/* Without a 48K free block anywhere, the memory array cannot double: -ENOMEM, unchanged. */
static void test_memblock_double_fails_without_room(void **state)
{
	struct mbt *t = *state;
	struct memblock *mb = &t->mb;
	unsigned long i;

	memblock_allow_resize(mb);
	for (i = 0; i < 1024; i++)
		assert_int_equal(memblock_add(mb, M + i * SZ_8K, SZ_4K), 0);
	mbt_log_clear(t);
	assert_int_equal(memblock_add(mb, M + 1024 * SZ_8K, SZ_4K), -ENOMEM);
	MB_CHECK(mb);
	assert_string_equal(mbt_log(t), "[    0.000000] memblock: Failed to double memory array "
					"from 1024 to 2048 entries !\n");
	assert_int_equal(mb->memory.cnt, 1024);
	assert_int_equal(mb->memory.max, 1024);
	assert_int_equal(mb->reserved.total_size, 0);
	/* Isolation needs two spare entries: removing inside a region fails the same way. */
	assert_int_equal(memblock_remove(mb, M + 0x800, 0x800), -ENOMEM);
	MB_CHECK(mb);
	assert_int_equal(mb->memory.cnt, 1024);
}

/* Before memblock_allow_resize, a full array cannot grow: -ENOMEM without a message. */
static void test_memblock_double_needs_allow_resize(void **state)
{
	struct mbt *t = *state;
	struct memblock *mb = &t->mb;

	memblock_add(mb, M, SZ_64M);
	for (unsigned long i = 0; i < 385; i++)
		reserve_nth(mb, i);
	mbt_log_clear(t);
	assert_int_equal(reserve_nth(mb, 385), -ENOMEM);
	MB_CHECK(mb);
	assert_int_equal(t->env.log.len, 0);
	assert_int_equal(mb->reserved.cnt, 385);
	assert_int_equal(mb->reserved.max, 385);
	/*
	 * Filling the hole between regions 0 and 1 would merge them, but memblock_add_range
	 * needs room for the new piece before it merges: this fails too.
	 */
	assert_int_equal(memblock_reserve(mb, M + SZ_4K, SZ_4K), -ENOMEM);
	assert_int_equal(mb->reserved.cnt, 385);
	/* A range already covered needs no entry and succeeds. */
	assert_int_equal(memblock_reserve(mb, M, SZ_4K), 0);
	MB_CHECK(mb);
}

/* Host memory runs out while doubling: -ENOMEM, nothing changed, then a retry works. */
static void test_memblock_double_host_failure_is_clean(void **state)
{
	struct mbt *t = *state;
	struct memblock *mb = &t->mb;

	memblock_add(mb, M, SZ_64M);
	memblock_allow_resize(mb);
	for (unsigned long i = 0; i < 385; i++)
		reserve_nth(mb, i);
	t->env.fail_nth = t->env.host_allocs + 1;
	assert_int_equal(reserve_nth(mb, 385), -ENOMEM);
	MB_CHECK(mb);
	assert_int_equal(mb->reserved.cnt, 385);
	assert_int_equal(mb->reserved.max, 385);
	assert_int_equal(mb->reserved.array_pa, 0);
	assert_int_equal(memblock_reserved_size(mb), 385 * SZ_4K);
	assert_non_null(strstr(t->env.last_error, "double the reserved array"));
	t->env.fail_nth = 0;
	assert_int_equal(reserve_nth(mb, 385), 0);
	MB_CHECK(mb);
	assert_int_equal(mb->reserved.max, 770);
}

/* memblock_init: bad arguments and host failure on either array leave nothing behind. */
static void test_memblock_init_failures(void **state)
{
	struct mbt *t = *state;
	struct memblock mb2;
	uint64_t live = t->env.host_live_allocs;

	assert_int_equal(memblock_init(NULL, &t->env, NULL), -EINVAL);
	assert_int_equal(memblock_init(&mb2, NULL, NULL), -EINVAL);
	for (uint64_t n = 1; n <= 2; n++) {
		t->env.fail_nth = t->env.host_allocs + n;
		assert_int_equal(memblock_init(&mb2, &t->env, NULL), -ENOMEM);
		assert_int_equal(t->env.host_live_allocs, live);
	}
	t->env.fail_nth = 0;
	assert_int_equal(memblock_init(&mb2, &t->env, NULL), 0);
	MB_CHECK(&mb2);
	memblock_fini(&mb2);
	assert_int_equal(t->env.host_live_allocs, live);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(fn) cmocka_unit_test_setup_teardown(fn, mbt_setup, mbt_teardown)
		T(test_memblock_reserved_array_doubles),
		T(test_memblock_memory_array_doubles),
		T(test_memblock_double_fails_without_room),
		T(test_memblock_double_needs_allow_resize),
		T(test_memblock_double_host_failure_is_clean),
		T(test_memblock_init_failures),
#undef T
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
