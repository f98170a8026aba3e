/*
 * mremap: growing in place, moving (page tables moved, data kept, old range gone), shrinking,
 * MREMAP_FIXED, MREMAP_DONTUNMAP, and the argument checks of sys_mremap and vma_to_resize.
 *
 * Expected values from 6.1's rules (mm/mremap.c) and the capture's experiment 6 (16 -> 32
 * pages: in place when the next 16 pages are free, VmSize +64 kB and no fault to read the old
 * pages; moved to the highest free 128 KiB below when the next 16 pages are PROT_NONE, VmSize
 * +64 kB, RSS unchanged, the moved pages read without a fault). The MREMAP_DONTUNMAP and
 * alignment cases are those of the kernel's mremap_dontunmap and mremap_test selftests,
 * restated: a source left mapped and empty, a destination holding the source's bytes, and
 * moves between PTE-, 1 MiB- and PMD-aligned addresses keeping every byte.
 */
#include "mman_test.h"

/* A 16-page mapping written with the pattern of its own addresses (seed 0xA). */
static void map16_written(struct mt *t, unsigned long va)
{
	mt_map(t, va, 16 * PG, RW, ANONP);
	mt_fill(t, va, 16 * PG, 0xa);
}

/*
 *  BASE         +16p          +32p
 *  | rw-p 16p    | (free)      |      ->  | rw-p 32p                  |
 */
static void test_mremap_grows_in_place_when_next_is_free(void **state)
{
	struct mt *t = mt_boot("1");
	unsigned long total, data;
	const struct mt_vma want[] = {{BASE, BASE + 32 * PG, VM_READ | VM_WRITE}};

	(void)state;
	map16_written(t, BASE);
	total = t->mm->total_vm;
	data = t->mm->data_vm;
	assert_int_equal(do_mremap(t->mm, BASE, 16 * PG, 32 * PG, 0, 0), BASE);
	mt_check(t);
	mt_expect_vmas(t, want, 1, VM_ACCESS_FLAGS);
	assert_int_equal(t->mm->total_vm, total + 16); /* VmSize +64 kB */
	assert_int_equal(t->mm->data_vm, data + 16);
	assert_int_equal(mt_rss(t, MM_ANONPAGES), 16);
	t->faults = 0;
	assert_int_equal(mt_count_pattern(t, BASE, 16 * PG, BASE, 0xa), 16);
	assert_int_equal(t->faults, 0);
	mt_fill(t, BASE + 16 * PG, 16 * PG, 0xb);
	assert_int_equal(t->faults, 16);
	mt_check(t);
	mt_done(t);
}

/*
 * The next range is a PROT_NONE mapping, so the 32 pages go to the highest free range below
 * mmap_base (here: just below the source, as 0xfffff7fdd000 -> 0xfffff7fbd000 in the
 * capture):
 *  BASE-32p        BASE        +16p         +32p = mmap_base
 *  |   (free)       | rw-p 16p  | ---p 16p   |
 *  | rw-p 32p (moved)|  (free)  | ---p 16p   |
 */
static void test_mremap_moves_below_when_next_is_taken(void **state)
{
	struct mt *t = mt_boot("1");
	unsigned long total;
	const struct mt_vma want[] = {{BASE - 32 * PG, BASE, VM_READ | VM_WRITE},
				      {BASE + 16 * PG, BASE + 32 * PG, 0}};

	(void)state;
	t->mm->mmap_base = BASE + 32 * PG;
	mt_map(t, BASE, 32 * PG, RW, ANONP);
	assert_int_equal(do_mprotect_pkey(t->mm, BASE + 16 * PG, 16 * PG, PROT_NONE, -1), 0);
	mt_fill(t, BASE, 16 * PG, 0xa);
	total = t->mm->total_vm;

	assert_int_equal(do_mremap(t->mm, BASE, 16 * PG, 32 * PG, MREMAP_MAYMOVE, 0),
			 BASE - 32 * PG);
	mt_check(t);
	mt_expect_vmas(t, want, 2, VM_ACCESS_FLAGS);
	assert_int_equal(t->mm->total_vm, total + 16); /* VmSize +64 kB */
	assert_int_equal(mt_rss(t, MM_ANONPAGES), 16);
	for (unsigned long a = BASE; a < BASE + 16 * PG; a += PG) {
		const pte_t *pte = mt_pte(t, a);

		assert_true(!pte || pte_none(*pte));
	}
	t->faults = 0;
	assert_int_equal(mt_count_pattern(t, BASE - 32 * PG, 16 * PG, BASE, 0xa), 16);
	assert_int_equal(t->faults, 0);
	mt_fill(t, BASE - 16 * PG, 16 * PG, 0xb);
	assert_int_equal(t->faults, 16);
	mt_done(t);
}

static void test_mremap_shrinks_by_unmapping_the_tail(void **state)
{
	struct mt *t = mt_boot("1");
	const struct mt_vma want[] = {{BASE, BASE + 4 * PG, VM_READ | VM_WRITE}};

	(void)state;
	map16_written(t, BASE);
	assert_int_equal(do_mremap(t->mm, BASE, 16 * PG, 4 * PG, 0, 0), BASE);
	mt_check(t);
	mt_expect_vmas(t, want, 1, VM_ACCESS_FLAGS);
	assert_int_equal(mt_rss(t, MM_ANONPAGES), 4);
	assert_int_equal(mt_count_pattern(t, BASE, 4 * PG, BASE, 0xa), 4);
	mt_done(t);
}

static void test_mremap_refuses_bad_arguments(void **state)
{
	struct mt *t = mt_boot("1");
	const struct mt_vma want[] = {{BASE, BASE + 16 * PG, VM_READ | VM_WRITE},
				      {BASE + 16 * PG, BASE + 20 * PG, VM_READ}};

	(void)state;
	map16_written(t, BASE);
	mt_map(t, BASE + 16 * PG, 4 * PG, PROT_READ, ANONP);
	assert_int_equal(do_mremap(t->mm, BASE, PG, PG, 8, 0), (unsigned long)-EINVAL);
	assert_int_equal(do_mremap(t->mm, BASE, PG, PG, MREMAP_FIXED, BASE + 64 * PG),
			 (unsigned long)-EINVAL);
	assert_int_equal(do_mremap(t->mm, BASE, PG, 2 * PG, MREMAP_MAYMOVE | MREMAP_DONTUNMAP, 0),
			 (unsigned long)-EINVAL);
	assert_int_equal(do_mremap(t->mm, BASE, PG, PG, MREMAP_DONTUNMAP, 0),
			 (unsigned long)-EINVAL);
	assert_int_equal(do_mremap(t->mm, BASE + 1, PG, PG, 0, 0), (unsigned long)-EINVAL);
	assert_int_equal(do_mremap(t->mm, BASE, PG, 0, 0, 0), (unsigned long)-EINVAL);
	assert_int_equal(do_mremap(t->mm, BASE + 64 * PG, PG, 2 * PG, 0, 0),
			 (unsigned long)-EFAULT);
	/* across the end of the VMA */
	assert_int_equal(do_mremap(t->mm, BASE + 15 * PG, 2 * PG, 4 * PG, MREMAP_MAYMOVE, 0),
			 (unsigned long)-EFAULT);
	/* the next range is taken and moving is not allowed */
	assert_int_equal(do_mremap(t->mm, BASE, 16 * PG, 17 * PG, 0, 0), (unsigned long)-ENOMEM);
	/* a destination overlapping the source */
	assert_int_equal(do_mremap(t->mm, BASE, 4 * PG, 4 * PG, MREMAP_MAYMOVE | MREMAP_FIXED,
				   BASE + 2 * PG),
			 (unsigned long)-EINVAL);
	assert_int_equal(do_mremap(t->mm, BASE, 4 * PG, 4 * PG, MREMAP_MAYMOVE | MREMAP_FIXED,
				   BASE + 64 * PG + 1),
			 (unsigned long)-EINVAL);
	/* "duplicating" a private mapping with old_len 0 */
	assert_int_equal(do_mremap(t->mm, BASE, 0, 4 * PG, MREMAP_MAYMOVE, 0),
			 (unsigned long)-EINVAL);
	mt_check(t);
	mt_expect_vmas(t, want, 2, VM_ACCESS_FLAGS);
	assert_int_equal(mt_count_pattern(t, BASE, 16 * PG, BASE, 0xa), 16);
	mt_done(t);
}

/* mremap_dontunmap_simple: the pages move, the source stays mapped and reads zeros. */
static void test_mremap_dontunmap_leaves_an_empty_source(void **state)
{
	struct mt *t = mt_boot("1");
	unsigned long dst;

	(void)state;
	mt_map(t, BASE, 5 * PG, RW, ANONP);
	mt_fill(t, BASE, 5 * PG, 0xa);
	dst = do_mremap(t->mm, BASE, 5 * PG, 5 * PG, MREMAP_MAYMOVE | MREMAP_DONTUNMAP, 0);
	assert_false(IS_ERR_VALUE(dst));
	mt_check(t);
	assert_int_equal(t->mm->map_count, 2);
	assert_non_null(vma_lookup(t->mm, BASE));
	assert_int_equal(mt_rss(t, MM_ANONPAGES), 5);
	assert_int_equal(mt_count_pattern(t, dst, 5 * PG, BASE, 0xa), 5);
	for (unsigned long a = BASE; a < BASE + 5 * PG; a += PG)
		assert_int_equal(*mt_user(t, a, false), 0);
	mt_check(t);
	assert_int_equal(do_munmap(t->mm, dst, 5 * PG), 0);
	assert_int_equal(do_munmap(t->mm, BASE, 5 * PG), 0);
	mt_check(t);
	mt_done(t);
}

/*
 * mremap_dontunmap_simple_fixed and _partial_mapping_overwrite: onto an existing mapping.
 *  src  BASE: aaaaa           dst BASE+64p: XXXXXXXXXX
 *  after:     00000                         aaaaaXXXXX
 */
static void test_mremap_dontunmap_fixed_overwrites_part_of_dest(void **state)
{
	struct mt *t = mt_boot("1");
	const unsigned long dst = BASE + 64 * PG;

	(void)state;
	mt_map(t, BASE, 5 * PG, RW, ANONP);
	mt_fill(t, BASE, 5 * PG, 0xa);
	mt_map(t, dst, 10 * PG, RW, ANONP);
	mt_fill(t, dst, 10 * PG, 0x58);
	assert_int_equal(do_mremap(t->mm, BASE, 5 * PG, 5 * PG,
				   MREMAP_MAYMOVE | MREMAP_DONTUNMAP | MREMAP_FIXED, dst),
			 dst);
	mt_check(t);
	assert_int_equal(mt_count_pattern(t, dst, 5 * PG, BASE, 0xa), 5);
	assert_int_equal(mt_count_pattern(t, dst + 5 * PG, 5 * PG, dst + 5 * PG, 0x58), 5);
	for (unsigned long a = BASE; a < BASE + 5 * PG; a += PG)
		assert_int_equal(*mt_user(t, a, false), 0);
	mt_check(t);
	mt_done(t);
}

/* mremap_dontunmap_partial_mapping: the last 5 of 10 pages move; the first 5 stay. */
static void test_mremap_dontunmap_part_of_a_mapping(void **state)
{
	struct mt *t = mt_boot("1");
	unsigned long dst;

	(void)state;
	mt_map(t, BASE, 10 * PG, RW, ANONP);
	mt_fill(t, BASE, 10 * PG, 0xa);
	dst = do_mremap(t->mm, BASE + 5 * PG, 5 * PG, 5 * PG, MREMAP_MAYMOVE | MREMAP_DONTUNMAP, 0);
	assert_false(IS_ERR_VALUE(dst));
	mt_check(t);
	assert_int_equal(mt_count_pattern(t, BASE, 5 * PG, BASE, 0xa), 5);
	assert_int_equal(mt_count_pattern(t, dst, 5 * PG, BASE + 5 * PG, 0xa), 5);
	for (unsigned long a = BASE + 5 * PG; a < BASE + 10 * PG; a += PG)
		assert_int_equal(*mt_user(t, a, false), 0);
	mt_check(t);
	mt_done(t);
}

/*
 * mremap_test's alignment cases, scaled to this machine: moves of 2-4 MiB between PTE-,
 * 1 MiB- and PMD-aligned sources and destinations keep every byte and leave nothing behind.
 */
static void test_mremap_fixed_moves_keep_data_at_any_alignment(void **state)
{
	static const struct {
		unsigned long src_off, dst_off, len;
	} cases[] = {
		{PG, PG, 2 * PG},
		{1UL << 20, PG, 2UL << 20},
		{1UL << 20, 1UL << 20, 2UL << 20},
		{2UL << 20, PG, 4UL << 20},
		{2UL << 20, 1UL << 20, 4UL << 20},
		{2UL << 20, 2UL << 20, 4UL << 20},
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct mt *t = mt_boot("1");
		const unsigned long src = BASE + cases[i].src_off;
		const unsigned long dst = BASE + (1UL << 30) + cases[i].dst_off;
		const unsigned long len = cases[i].len;

		mt_map(t, src, len, RW, ANONP);
		mt_fill(t, src, len, 0xc0ffee + i);
		assert_int_equal(
			do_mremap(t->mm, src, len, len, MREMAP_MAYMOVE | MREMAP_FIXED, dst), dst);
		mt_check(t);
		assert_null(find_vma_intersection(t->mm, src, src + len));
		assert_int_equal(mt_rss(t, MM_ANONPAGES), len / PG);
		t->faults = 0;
		assert_int_equal(mt_count_pattern(t, dst, len, src, 0xc0ffee + i), len / PG);
		assert_int_equal(t->faults, 0);
		mt_done(t);
	}
}

/*
 * PMD-aligned source and destination over whole PMDs: the PTE tables themselves move
 * (move_normal_pmd), so VmPTE does not change and the destination uses the source's tables.
 *  BASE+2M [table A][table B] BASE+6M          BASE+512M [table A][table B]
 */
static void test_mremap_moves_whole_pte_tables_when_pmd_aligned(void **state)
{
	struct mt *t = mt_boot("1");
	const unsigned long src = BASE + (2UL << 20), dst = BASE + (512UL << 20);
	const unsigned long len = 4UL << 20;
	const pte_t *table_a, *table_b;
	long pgtables;

	(void)state;
	mt_map(t, src, len, RW, ANONP);
	mt_fill(t, src, len, 0x77);
	table_a = mt_pte(t, src);
	table_b = mt_pte(t, src + (2UL << 20));
	pgtables = t->mm->pgtables_bytes;
	assert_int_equal(do_mremap(t->mm, src, len, len, MREMAP_MAYMOVE | MREMAP_FIXED, dst), dst);
	mt_check(t);
	assert_int_equal(t->mm->pgtables_bytes, pgtables);
	assert_ptr_equal(mt_pte(t, dst), table_a);
	assert_ptr_equal(mt_pte(t, dst + (2UL << 20)), table_b);
	assert_null(mt_pte(t, src));
	t->faults = 0;
	assert_int_equal(mt_count_pattern(t, dst, len, src, 0x77), len / PG);
	assert_int_equal(t->faults, 0);
	mt_done(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_mremap_grows_in_place_when_next_is_free),
		cmocka_unit_test(test_mremap_moves_below_when_next_is_taken),
		cmocka_unit_test(test_mremap_shrinks_by_unmapping_the_tail),
		cmocka_unit_test(test_mremap_refuses_bad_arguments),
		cmocka_unit_test(test_mremap_dontunmap_leaves_an_empty_source),
		cmocka_unit_test(test_mremap_dontunmap_fixed_overwrites_part_of_dest),
		cmocka_unit_test(test_mremap_dontunmap_part_of_a_mapping),
		cmocka_unit_test(test_mremap_fixed_moves_keep_data_at_any_alignment),
		cmocka_unit_test(test_mremap_moves_whole_pte_tables_when_pmd_aligned),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
