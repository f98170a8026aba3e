/*
 * mprotect: argument checks, split and merge of VMAs, PTE rewrites, accounting.
 *
 * Expected values come from 6.1's rules (mm/mprotect.c, mm/mmap.c:vma_merge) and from the
 * capture's experiment 5 (faults-smp1-1G: pages 6..9 of 16 made read-only split 1 VMA into
 * 3 with VmData -16 kB, made writable again merge back into 1 with VmData +16 kB, and
 * writing the pages afterwards costs 0 faults). Each step runs every checker.
 */
#include "mman_test.h"

/*
 *  BASE                 +6p        +10p                 +16p
 *  |      rw-p           |   r--p   |        rw-p         |
 */
static void test_mprotect_split_then_merge_back(void **state)
{
	struct mt *t = mt_boot("1");
	unsigned long data;
	const struct mt_vma one[] = {{BASE, BASE + 16 * PG, VM_READ | VM_WRITE}};
	const struct mt_vma three[] = {{BASE, BASE + 6 * PG, VM_READ | VM_WRITE},
				       {BASE + 6 * PG, BASE + 10 * PG, VM_READ},
				       {BASE + 10 * PG, BASE + 16 * PG, VM_READ | VM_WRITE}};

	(void)state;
	mt_map(t, BASE, 16 * PG, RW, ANONP);
	mt_fill(t, BASE, 16 * PG, 0xa);
	assert_int_equal(t->faults, 16);
	data = t->mm->data_vm;

	assert_int_equal(do_mprotect_pkey(t->mm, BASE + 6 * PG, 4 * PG, PROT_READ, -1), 0);
	mt_check(t);
	mt_expect_vmas(t, three, 3, VM_ACCESS_FLAGS);
	assert_int_equal(t->mm->data_vm, data - 4); /* VmData -16 kB */
	for (int i = 0; i < 16; i++) {
		const pte_t *pte = mt_pte(t, BASE + (unsigned long)i * PG);

		assert_true(pte_valid(*pte));
		assert_int_equal(pte_write(*pte), i < 6 || i >= 10);
		assert_true(pte_dirty(*pte)); /* read-only keeps the dirtiness in PTE_DIRTY */
	}

	assert_int_equal(do_mprotect_pkey(t->mm, BASE + 6 * PG, 4 * PG, RW, -1), 0);
	mt_check(t);
	mt_expect_vmas(t, one, 1, VM_ACCESS_FLAGS);
	assert_int_equal(t->mm->data_vm, data);
	/* Dirty exclusive anonymous pages are made writable at once: no write fault. */
	for (int i = 6; i < 10; i++)
		assert_true(pte_hw_dirty(*mt_pte(t, BASE + (unsigned long)i * PG)));
	t->faults = 0;
	mt_fill(t, BASE + 6 * PG, 4 * PG, 0xa);
	assert_int_equal(t->faults, 0);
	assert_int_equal(mt_count_pattern(t, BASE, 16 * PG, BASE, 0xa), 16);
	mt_done(t);
}

static void test_mprotect_refuses_bad_arguments(void **state)
{
	struct mt *t = mt_boot("1");

	(void)state;
	mt_map(t, BASE, 4 * PG, RW, ANONP);
	assert_int_equal(do_mprotect_pkey(t->mm, BASE + 1, PG, PROT_READ, -1), -EINVAL);
	assert_int_equal(do_mprotect_pkey(t->mm, BASE, 0, PROT_READ, -1), 0);
	assert_int_equal(do_mprotect_pkey(t->mm, BASE, PG, 0x40, -1), -EINVAL);
	assert_int_equal(do_mprotect_pkey(t->mm, BASE, PG, PROT_BTI | PROT_READ, -1), -EINVAL);
	assert_int_equal(
		do_mprotect_pkey(t->mm, BASE, PG, PROT_READ | PROT_GROWSDOWN | PROT_GROWSUP, -1),
		-EINVAL);
	/* a growsdown request on a VMA that does not grow down */
	assert_int_equal(do_mprotect_pkey(t->mm, BASE, PG, PROT_READ | PROT_GROWSDOWN, -1),
			 -EINVAL);
	assert_int_equal(do_mprotect_pkey(t->mm, BASE, PG, PROT_READ, 1), -EINVAL);
	assert_int_equal(do_mprotect_pkey(t->mm, BASE, PG, PROT_READ, 0), 0); /* pkey 0 exists */
	assert_int_equal(do_mprotect_pkey(t->mm, BASE, PG, RW, -1), 0);
	/* a length that wraps, a range past the mapping, a range with nothing mapped */
	assert_int_equal(do_mprotect_pkey(t->mm, BASE, ~0UL - BASE + 2, PROT_READ, -1), -ENOMEM);
	assert_int_equal(do_mprotect_pkey(t->mm, BASE + 8 * PG, PG, PROT_READ, -1), -ENOMEM);
	mt_check(t);
	{
		const struct mt_vma one[] = {{BASE, BASE + 4 * PG, VM_READ | VM_WRITE}};

		mt_expect_vmas(t, one, 1, VM_ACCESS_FLAGS);
	}
	mt_done(t);
}

/*
 * A hole in the range: 6.1 changes the VMAs before the hole and then fails.
 *  BASE      +2p   +3p      +5p
 *  |  rw-p    |hole |  rw-p  |
 */
static void test_mprotect_hole_changes_the_part_before_it(void **state)
{
	struct mt *t = mt_boot("1");
	const struct mt_vma want[] = {{BASE, BASE + 2 * PG, VM_READ},
				      {BASE + 3 * PG, BASE + 5 * PG, VM_READ | VM_WRITE}};

	(void)state;
	mt_map(t, BASE, 2 * PG, RW, ANONP);
	mt_map(t, BASE + 3 * PG, 2 * PG, RW, ANONP);
	assert_int_equal(do_mprotect_pkey(t->mm, BASE, 5 * PG, PROT_READ, -1), -ENOMEM);
	mt_check(t);
	mt_expect_vmas(t, want, 2, VM_ACCESS_FLAGS);
	mt_done(t);
}

/* PROT_NONE keeps the pages (PTEs invalid to the MMU, present to the kernel). */
static void test_mprotect_none_keeps_the_data(void **state)
{
	struct mt *t = mt_boot("1");

	(void)state;
	mt_map(t, BASE, 8 * PG, RW, ANONP);
	mt_fill(t, BASE, 8 * PG, 0x5eed);
	assert_int_equal(do_mprotect_pkey(t->mm, BASE, 8 * PG, PROT_NONE, -1), 0);
	mt_check(t);
	for (int i = 0; i < 8; i++) {
		const pte_t *pte = mt_pte(t, BASE + (unsigned long)i * PG);

		assert_false(pte_valid(*pte));
		assert_true(pte_protnone(*pte));
	}
	assert_int_equal(mt_rss(t, MM_ANONPAGES), 8);
	assert_int_equal(do_mprotect_pkey(t->mm, BASE, 8 * PG, PROT_READ, -1), 0);
	mt_check(t);
	t->faults = 0;
	assert_int_equal(mt_count_pattern(t, BASE, 8 * PG, BASE, 0x5eed), 8);
	assert_int_equal(t->faults, 0);
	mt_done(t);
}

/*
 * vma_merge through mprotect (6.1's cases, our drawings). VM_ACCOUNT is part of the flags
 * that must match: a private mapping that was ever writable keeps it, one that never was
 * does not, and the two do not merge.
 *  case 1:  A rw | B r | C rw    -> B rw: one VMA (prev and next absorb it)
 *  no merge: A r (never writable) | B rw -> first 2p of B r: three VMAs
 *  case 4:  A r (was rw) | B rw  -> first 2p of B r: A grows, B shrinks
 *  case 5:  A rw | B r (was rw)  -> last 2p of A r: B grows down, A shrinks
 */
static void test_mprotect_merges_as_vma_merge_cases(void **state)
{
	struct mt *t = mt_boot("1");

	(void)state;
	mt_map(t, BASE, 2 * PG, RW, ANONP);
	mt_map(t, BASE + 2 * PG, 2 * PG, PROT_READ, ANONP);
	mt_map(t, BASE + 4 * PG, 2 * PG, RW, ANONP);
	assert_int_equal(t->mm->map_count, 3);
	assert_int_equal(do_mprotect_pkey(t->mm, BASE + 2 * PG, 2 * PG, RW, -1), 0);
	mt_check(t);
	{
		const struct mt_vma want[] = {{BASE, BASE + 6 * PG, VM_READ | VM_WRITE}};

		mt_expect_vmas(t, want, 1, VM_ACCESS_FLAGS);
	}
	assert_int_equal(do_munmap(t->mm, BASE, 6 * PG), 0);

	mt_map(t, BASE, 2 * PG, PROT_READ, ANONP);
	mt_map(t, BASE + 2 * PG, 4 * PG, RW, ANONP);
	assert_int_equal(do_mprotect_pkey(t->mm, BASE + 2 * PG, 2 * PG, PROT_READ, -1), 0);
	mt_check(t);
	{
		const struct mt_vma want[] = {
			{BASE, BASE + 2 * PG, VM_READ},
			{BASE + 2 * PG, BASE + 4 * PG, VM_READ | VM_ACCOUNT},
			{BASE + 4 * PG, BASE + 6 * PG, VM_READ | VM_WRITE | VM_ACCOUNT}};

		mt_expect_vmas(t, want, 3, VM_ACCESS_FLAGS | VM_ACCOUNT);
	}
	assert_int_equal(do_munmap(t->mm, BASE, 6 * PG), 0);

	mt_map(t, BASE, 2 * PG, RW, ANONP);
	assert_int_equal(do_mprotect_pkey(t->mm, BASE, 2 * PG, PROT_READ, -1), 0);
	mt_map(t, BASE + 2 * PG, 4 * PG, RW, ANONP);
	assert_int_equal(do_mprotect_pkey(t->mm, BASE + 2 * PG, 2 * PG, PROT_READ, -1), 0);
	mt_check(t);
	{
		const struct mt_vma want[] = {{BASE, BASE + 4 * PG, VM_READ},
					      {BASE + 4 * PG, BASE + 6 * PG, VM_READ | VM_WRITE}};

		mt_expect_vmas(t, want, 2, VM_ACCESS_FLAGS);
	}
	assert_int_equal(do_munmap(t->mm, BASE, 6 * PG), 0);

	mt_map(t, BASE, 4 * PG, RW, ANONP);
	mt_map(t, BASE + 4 * PG, 2 * PG, RW, ANONP);
	assert_int_equal(t->mm->map_count, 1); /* same flags: mmap merged them */
	assert_int_equal(do_mprotect_pkey(t->mm, BASE + 4 * PG, 2 * PG, PROT_READ, -1), 0);
	assert_int_equal(do_mprotect_pkey(t->mm, BASE + 2 * PG, 2 * PG, PROT_READ, -1), 0);
	mt_check(t);
	{
		const struct mt_vma want[] = {{BASE, BASE + 2 * PG, VM_READ | VM_WRITE},
					      {BASE + 2 * PG, BASE + 6 * PG, VM_READ}};

		mt_expect_vmas(t, want, 2, VM_ACCESS_FLAGS);
	}
	mt_done(t);
}

/* A private read-only mapping made writable is charged once; made read-only it stays so. */
static void test_mprotect_accounts_private_writable(void **state)
{
	struct mt *t = mt_boot("1");
	unsigned long before;

	(void)state;
	mt_map(t, BASE, 8 * PG, PROT_READ, ANONP);
	assert_false(t->mm->mmap->vm_flags & VM_ACCOUNT);
	before = vm_memory_committed(t->k);
	assert_int_equal(do_mprotect_pkey(t->mm, BASE, 8 * PG, RW, -1), 0);
	assert_true(t->mm->mmap->vm_flags & VM_ACCOUNT);
	assert_int_equal(vm_memory_committed(t->k), before + 8);
	assert_int_equal(do_mprotect_pkey(t->mm, BASE, 8 * PG, PROT_READ, -1), 0);
	assert_true(t->mm->mmap->vm_flags & VM_ACCOUNT);
	assert_int_equal(vm_memory_committed(t->k), before + 8);
	mt_check(t);
	mt_done(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_mprotect_split_then_merge_back),
		cmocka_unit_test(test_mprotect_refuses_bad_arguments),
		cmocka_unit_test(test_mprotect_hole_changes_the_part_before_it),
		cmocka_unit_test(test_mprotect_none_keeps_the_data),
		cmocka_unit_test(test_mprotect_merges_as_vma_merge_cases),
		cmocka_unit_test(test_mprotect_accounts_private_writable),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
