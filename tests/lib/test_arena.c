/*
 * The machine's host-memory arena (src/lib/arena.c): zeroed, aligned blocks of every size
 * class, recycling, large blocks given back to the host when freed, and everything returned
 * by arena_fini.
 */
#include "kmm_test.h"

#include "lib/arena.h"

static void fill(void *p, size_t n, int v)
{
	memset(p, v, n);
}

static bool all_zero(const void *p, size_t n)
{
	const unsigned char *c = p;

	for (size_t i = 0; i < n; i++)
		if (c[i])
			return false;
	return true;
}

/* Every size up to past the small limit: zero, 16-aligned, and its bytes all writable. */
static void test_arena_every_size_is_zeroed_and_aligned(void **state)
{
	struct host_arena a;
	char why[128];

	arena_init(&a);
	for (size_t size = 1; size <= ARENA_SMALL_MAX + 4096; size += size < 600 ? 1 : 997) {
		unsigned char *p = arena_alloc(&a, size, 16);

		assert_non_null(p);
		assert_int_equal((uintptr_t)p % 16, 0);
		assert_true(all_zero(p, size));
		fill(p, size, 0xa5);
		arena_free(&a, p);
	}
	assert_true(arena_check(&a, why, sizeof(why)));
	arena_fini(&a);
	assert_int_equal(a.mapped, 0);
}

/* A recycled block comes back zeroed, though its last owner wrote all over it. */
static void test_arena_recycled_blocks_are_zeroed(void **state)
{
	struct host_arena a;
	void *p, *q;

	arena_init(&a);
	p = arena_alloc(&a, 200, 16);
	fill(p, 200, 0xff);
	arena_free(&a, p);
	q = arena_alloc(&a, 200, 16);
	assert_ptr_equal(p, q);	       /* the class's free list hands the same block back ... */
	assert_true(all_zero(q, 200)); /* ... clean */
	arena_fini(&a);
}

static void test_arena_alignments_up_to_a_page(void **state)
{
	struct host_arena a;

	arena_init(&a);
	for (size_t align = 16; align <= 4096; align *= 2)
		for (size_t size = 1; size < 10000; size = size * 3 + 1) {
			void *p = arena_alloc(&a, size, align);

			assert_non_null(p);
			assert_int_equal((uintptr_t)p % align, 0);
			fill(p, size, 1);
		}
	assert_null(arena_alloc(&a, 64, 8192)); /* above a page: refused */
	assert_null(arena_alloc(&a, 64, 48));	/* not a power of two */
	arena_fini(&a);
}

/* A large block is a mapping of its own: freeing it gives the host its pages back. */
static void test_arena_large_blocks_return_to_the_host(void **state)
{
	struct host_arena a;
	size_t before;
	char *p, *q;
	char why[128];

	arena_init(&a);
	before = a.mapped;
	p = arena_alloc(&a, 64 << 20, 4096);
	assert_non_null(p);
	assert_int_equal((uintptr_t)p % 4096, 0);
	assert_true(a.mapped >= before + (64 << 20));
	p[0] = 1;
	p[(64 << 20) - 1] = 2;
	q = arena_alloc(&a, 1 << 20, 16);
	assert_true(arena_check(&a, why, sizeof(why)));
	arena_free(&a, p);
	assert_true(a.mapped < before + (4 << 20));
	arena_free(&a, q);
	assert_int_equal(a.mapped, before);
	assert_true(arena_check(&a, why, sizeof(why)));
	arena_fini(&a);
}

/*
 * ARENA_HUGE_ALIGN: a large block on a 2 MiB boundary, zeroed, whose mapping is the block and
 * its header page only (the alignment slack is unmapped), returned whole on free.
 */
static void test_arena_huge_aligned_blocks(void **state)
{
	struct host_arena a;
	size_t before;
	char *p, *q;
	char why[128];

	arena_init(&a);
	before = a.mapped;
	p = arena_alloc(&a, 4 << 20, ARENA_HUGE_ALIGN);
	q = arena_alloc(&a, 2 << 20, ARENA_HUGE_ALIGN);
	assert_non_null(p);
	assert_non_null(q);
	assert_int_equal((uintptr_t)p % (2 << 20), 0);
	assert_int_equal((uintptr_t)q % (2 << 20), 0);
	assert_int_equal(p[0] | p[(4 << 20) - 1] | q[12345], 0);
	p[(4 << 20) - 1] = 1;
	q[(2 << 20) - 1] = 2;
	/* (4 MiB + a header page) + (2 MiB + a header page): no slack stays mapped */
	assert_int_equal(a.mapped, before + (6 << 20) + 2 * 4096);
	assert_true(arena_check(&a, why, sizeof(why)));
	arena_free(&a, p);
	assert_int_equal(a.mapped, before + (2 << 20) + 4096);
	arena_free(&a, q);
	assert_int_equal(a.mapped, before);
	arena_fini(&a);
}

/* realloc keeps the contents through growing and shrinking, small and large. */
static void test_arena_realloc_keeps_contents(void **state)
{
	struct host_arena a;
	unsigned char *p;
	size_t sizes[] = {10, 100, 5000, 70000, 300000, 40, 3};
	size_t prev = 0;

	arena_init(&a);
	p = NULL;
	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		size_t keep = prev < sizes[i] ? prev : sizes[i];

		p = arena_realloc(&a, p, sizes[i]);
		assert_non_null(p);
		for (size_t j = 0; j < keep; j++)
			assert_int_equal(p[j], (unsigned char)(j * 7));
		for (size_t j = 0; j < sizes[i]; j++)
			p[j] = (unsigned char)(j * 7);
		prev = sizes[i];
	}
	arena_free(&a, p);
	arena_fini(&a);
}

/* A block freed twice is refused the second time, and the free lists stay sound. */
static void test_arena_double_free_is_refused(void **state)
{
	struct host_arena a;
	void *p, *q, *r;
	char why[160];

	arena_init(&a);
	p = arena_alloc(&a, 32, 16);
	q = arena_alloc(&a, 32, 64);
	assert_true(arena_free(&a, p));
	assert_false(arena_free(&a, p));
	assert_true(arena_free(&a, q));
	assert_false(arena_free(&a, q));
	assert_true(arena_check(&a, why, sizeof(why)));
	r = arena_alloc(&a, 32, 16);
	assert_ptr_equal(r, p);
	assert_ptr_not_equal(arena_alloc(&a, 32, 16), r);
	arena_fini(&a);
}

/* A free list that loops (memory corruption) is caught. */
static void test_arena_check_sees_a_free_list_cycle(void **state)
{
	struct host_arena a;
	void *p;
	char why[160];

	arena_init(&a);
	p = arena_alloc(&a, 32, 16);
	assert_true(arena_free(&a, p));
	*(void **)((char *)p - 16) = (char *)p - 16; /* the block's link points at itself */
	assert_false(arena_check(&a, why, sizeof(why)));
	assert_non_null(strstr(why, "a cycle"));
	arena_fini(&a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_arena_every_size_is_zeroed_and_aligned),
		cmocka_unit_test(test_arena_recycled_blocks_are_zeroed),
		cmocka_unit_test(test_arena_alignments_up_to_a_page),
		cmocka_unit_test(test_arena_large_blocks_return_to_the_host),
		cmocka_unit_test(test_arena_huge_aligned_blocks),
		cmocka_unit_test(test_arena_realloc_keeps_contents),
		cmocka_unit_test(test_arena_double_free_is_refused),
		cmocka_unit_test(test_arena_check_sees_a_free_list_cycle),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
