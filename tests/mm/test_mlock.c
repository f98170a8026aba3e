/*
 * mlock, mlock2(MLOCK_ONFAULT), munlock, mlockall, munlockall: VM_LOCKED/VM_LOCKONFAULT,
 * splits and merges, locked_vm (VmLck), the pages' PG_mlocked and unevictable placement,
 * RLIMIT_MEMLOCK and CAP_IPC_LOCK.
 *
 * Expected values from 6.1's rules (mm/mlock.c) and the capture's experiment 7: mlock of a
 * fresh 64 KiB mapping costs 16 faults, VmLck 64 kB, nr_mlock +16, unevictable_pgs_mlocked
 * +16; munlock gives them back (VmLck 0, nr_mlock -16, unevictable_pgs_munlocked +16). The
 * limit cases are the mlock2 selftests' (restated): without CAP_IPC_LOCK a limit of 0 is
 * -EPERM and a request past the limit -ENOMEM, and ranges already locked are not counted
 * twice.
 */
#include "mman_test.h"

static unsigned long nr_mlock(struct mt *t)
{
	return global_zone_page_state(t->k, NR_MLOCK);
}

/*  BASE                       +16p
 *  | rw-p 16 pages, never touched |   -> mlock: all 16 faulted in and locked
 */
static void test_mlock_populates_and_locks_as_the_capture(void **state)
{
	struct mt *t = mt_boot("1");
	unsigned long mlocked0, munlocked0, nr0;

	(void)state;
	mt_map(t, BASE, 16 * PG, RW, ANONP);
	mlocked0 = t->k->vm_events[UNEVICTABLE_PGS_MLOCKED];
	munlocked0 = t->k->vm_events[UNEVICTABLE_PGS_MUNLOCKED];
	nr0 = nr_mlock(t);
	assert_int_equal(do_mlock(&t->tsk, BASE, 16 * PG, 0), 0);
	lru_add_drain_all(t->k);
	mt_check(t);
	assert_int_equal(t->tsk.min_flt, 16);
	assert_int_equal(t->mm->locked_vm, 16); /* VmLck 64 kB */
	assert_true(t->mm->mmap->vm_flags & VM_LOCKED);
	assert_int_equal(mt_rss(t, MM_ANONPAGES), 16);
	assert_int_equal(nr_mlock(t) - nr0, 16);
	assert_int_equal(t->k->vm_events[UNEVICTABLE_PGS_MLOCKED] - mlocked0, 16);
	for (unsigned long a = BASE; a < BASE + 16 * PG; a += PG) {
		struct page *page = pte_page(t->k, *mt_pte(t, a));

		assert_true(PageMlocked(page));
		assert_true(PageUnevictable(page));
	}

	assert_int_equal(do_munlock(&t->tsk, BASE, 16 * PG), 0);
	lru_add_drain_all(t->k);
	mt_check(t);
	assert_int_equal(t->mm->locked_vm, 0);
	assert_false(t->mm->mmap->vm_flags & VM_LOCKED);
	assert_int_equal(nr_mlock(t), nr0);
	assert_int_equal(t->k->vm_events[UNEVICTABLE_PGS_MUNLOCKED] - munlocked0, 16);
	for (unsigned long a = BASE; a < BASE + 16 * PG; a += PG) {
		struct page *page = pte_page(t->k, *mt_pte(t, a));

		assert_false(PageMlocked(page));
		assert_false(PageUnevictable(page));
	}
	mt_done(t);
}

/*
 * Locking the middle splits; unlocking merges back; locking twice counts once.
 *  BASE     +4p        +12p      +16p
 *  | rw-p    | rw-p lo  | rw-p    |
 */
static void test_mlock_splits_merges_and_counts_once(void **state)
{
	struct mt *t = mt_boot("1");
	const struct mt_vma three[] = {{BASE, BASE + 4 * PG, 0},
				       {BASE + 4 * PG, BASE + 12 * PG, VM_LOCKED},
				       {BASE + 12 * PG, BASE + 16 * PG, 0}};

	(void)state;
	mt_map(t, BASE, 16 * PG, RW, ANONP);
	assert_int_equal(do_mlock(&t->tsk, BASE + 4 * PG, 8 * PG, 0), 0);
	mt_check(t);
	mt_expect_vmas(t, three, 3, VM_LOCKED | VM_LOCKONFAULT);
	assert_int_equal(t->mm->locked_vm, 8);
	assert_int_equal(do_mlock(&t->tsk, BASE + 4 * PG, 8 * PG, 0), 0);
	assert_int_equal(t->mm->locked_vm, 8);
	/* an unaligned start and length round out to whole pages: [+3p, +13p) */
	assert_int_equal(do_mlock(&t->tsk, BASE + 3 * PG + 100, 9 * PG, 0), 0);
	mt_check(t);
	assert_int_equal(t->mm->locked_vm, 10);
	assert_int_equal(do_munlock(&t->tsk, BASE, 16 * PG), 0);
	mt_check(t);
	assert_int_equal(t->mm->map_count, 1);
	assert_int_equal(t->mm->locked_vm, 0);
	mt_done(t);
}

/* MLOCK_ONFAULT: nothing is faulted in; pages touched later are locked as they come. */
static void test_mlock2_onfault_locks_on_touch(void **state)
{
	struct mt *t = mt_boot("1");

	(void)state;
	mt_map(t, BASE, 16 * PG, RW, ANONP);
	assert_int_equal(do_mlock(&t->tsk, BASE, 16 * PG, 2), -EINVAL);
	assert_int_equal(do_mlock(&t->tsk, BASE, 16 * PG, MLOCK_ONFAULT), 0);
	mt_check(t);
	assert_int_equal(t->mm->mmap->vm_flags & (VM_LOCKED | VM_LOCKONFAULT),
			 VM_LOCKED | VM_LOCKONFAULT);
	assert_int_equal(t->mm->locked_vm, 16);
	assert_int_equal(mt_rss(t, MM_ANONPAGES), 0);
	mt_fill(t, BASE, 4 * PG, 0x1);
	lru_add_drain_all(t->k);
	mt_check(t);
	for (unsigned long a = BASE; a < BASE + 4 * PG; a += PG)
		assert_true(PageMlocked(pte_page(t->k, *mt_pte(t, a))));
	/* populate faults the rest in; each new page is locked as it comes */
	assert_int_equal(do_madvise(t->mm, BASE, 16 * PG, MADV_POPULATE_WRITE), 0);
	lru_add_drain_all(t->k);
	mt_check(t);
	assert_int_equal(mt_rss(t, MM_ANONPAGES), 16);
	for (unsigned long a = BASE; a < BASE + 16 * PG; a += PG)
		assert_true(PageMlocked(pte_page(t->k, *mt_pte(t, a))));
	mt_done(t);
}

static void test_mlock_limits_without_cap_ipc_lock(void **state)
{
	struct mt *t = mt_boot("1");

	(void)state;
	mt_map(t, BASE, 16 * PG, RW, ANONP);
	mt_map(t, BASE + 32 * PG, 4 * PG, RW, ANONP);
	assert_int_equal(do_mlock(&t->tsk, BASE + 20 * PG, PG, 0), -ENOMEM); /* a hole */
	/* root: the limit does not apply */
	t->tsk.rlim[RLIMIT_MEMLOCK_].rlim_cur = 8 * PG;
	assert_int_equal(do_mlock(&t->tsk, BASE, 16 * PG, 0), 0);
	assert_int_equal(do_munlock(&t->tsk, BASE, 16 * PG), 0);

	t->tsk.cap_dropped = 1ULL << CAP_IPC_LOCK;
	assert_int_equal(do_mlock(&t->tsk, BASE, 16 * PG, 0), -ENOMEM);
	assert_int_equal(t->mm->locked_vm, 0);
	assert_int_equal(do_mlock(&t->tsk, BASE, 8 * PG, 0), 0);
	/* the locked part is not counted twice: 8 locked + 8 new > 8, but 4 + 4 fits */
	assert_int_equal(do_mlock(&t->tsk, BASE + 4 * PG, 4 * PG, 0), 0);
	assert_int_equal(do_mlock(&t->tsk, BASE + 4 * PG, 8 * PG, 0), -ENOMEM);
	assert_int_equal(do_mlockall(&t->tsk, MCL_CURRENT), -ENOMEM);
	t->tsk.rlim[RLIMIT_MEMLOCK_].rlim_cur = 0;
	assert_int_equal(do_mlock(&t->tsk, BASE, PG, 0), -EPERM);
	assert_int_equal(do_mlockall(&t->tsk, MCL_FUTURE), -EPERM);
	mt_check(t);
	assert_int_equal(t->mm->locked_vm, 8);
	mt_done(t);
}

static void test_mlockall_current_future_and_munlockall(void **state)
{
	struct mt *t = mt_boot("1");

	(void)state;
	mt_map(t, BASE, 4 * PG, RW, ANONP);
	mt_map(t, BASE + 8 * PG, 4 * PG, PROT_READ, ANONP);
	assert_int_equal(do_mlockall(&t->tsk, 0), -EINVAL);
	assert_int_equal(do_mlockall(&t->tsk, MCL_ONFAULT), -EINVAL);
	assert_int_equal(do_mlockall(&t->tsk, 8), -EINVAL);

	assert_int_equal(do_mlockall(&t->tsk, MCL_CURRENT | MCL_FUTURE), 0);
	mt_check(t);
	assert_int_equal(t->mm->locked_vm, 8);
	assert_int_equal(mt_rss(t, MM_ANONPAGES), 4); /* the read-only VMA: zero page */
	assert_true(t->mm->def_flags & VM_LOCKED);
	mt_map(t, BASE + 16 * PG, 4 * PG, RW, ANONP);
	assert_true(vma_lookup(t->mm, BASE + 16 * PG)->vm_flags & VM_LOCKED);
	assert_int_equal(t->mm->locked_vm, 12);

	assert_int_equal(do_munlockall(&t->tsk), 0);
	mt_check(t);
	assert_int_equal(t->mm->locked_vm, 0);
	assert_false(t->mm->def_flags & VM_LOCKED);
	for (const struct vm_area_struct *v = t->mm->mmap; v; v = v->vm_next)
		assert_false(v->vm_flags & (VM_LOCKED | VM_LOCKONFAULT));

	assert_int_equal(do_mlockall(&t->tsk, MCL_FUTURE | MCL_ONFAULT), 0);
	assert_int_equal(t->mm->def_flags & (VM_LOCKED | VM_LOCKONFAULT),
			 VM_LOCKED | VM_LOCKONFAULT);
	assert_int_equal(t->mm->locked_vm, 0);
	assert_int_equal(do_munlockall(&t->tsk), 0);
	mt_check(t);
	mt_done(t);
}

/* A locked private read-only mapping made writable is COWed by mprotect itself. */
static void test_mlock_mprotect_writable_cows_at_once(void **state)
{
	struct mt *t = mt_boot("1");

	(void)state;
	mt_map(t, BASE, 4 * PG, PROT_READ, ANONP);
	assert_int_equal(do_mlock(&t->tsk, BASE, 4 * PG, 0), 0);
	assert_int_equal(mt_rss(t, MM_ANONPAGES), 0); /* zero page, read-only */
	assert_int_equal(do_mprotect_pkey(t->mm, BASE, 4 * PG, RW, -1), 0);
	mt_check(t);
	assert_int_equal(mt_rss(t, MM_ANONPAGES), 4);
	t->faults = 0;
	mt_fill(t, BASE, 4 * PG, 0x2);
	assert_int_equal(t->faults, 0);
	mt_done(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_mlock_populates_and_locks_as_the_capture),
		cmocka_unit_test(test_mlock_splits_merges_and_counts_once),
		cmocka_unit_test(test_mlock2_onfault_locks_on_touch),
		cmocka_unit_test(test_mlock_limits_without_cap_ipc_lock),
		cmocka_unit_test(test_mlockall_current_future_and_munlockall),
		cmocka_unit_test(test_mlock_mprotect_writable_cows_at_once),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
