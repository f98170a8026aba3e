/*
 * The VMA layer: the arm64 norandmaps layout against the captured process, vma_merge's cases
 * 1-8, split and munmap, MAP_FIXED_NOREPLACE, vm.max_map_count, brk as 6.1 does it (the
 * capture's two [heap] VMAs), overcommit refusals, the stack guard gap.
 *
 * Covers: src/mm/mmap.c, src/mm/util.c, src/kernel/fork.c (mm_alloc, mmput).
 * Expected addresses come from tests/data/oracles/linux/captures/faults-smp1-1G/
 * boot.maps_norand.txt and faults.result.txt (experiment 8), or are worked out from the
 * kernel's rules in the comments. kmm_check runs after every step.
 */
#include "mm_test.h"

#define P  PAGE_SIZE
#define RW (PROT_READ | PROT_WRITE)
#define PA (MAP_PRIVATE | MAP_ANONYMOUS)

static struct kmm_machine *boot(void)
{
	struct kmm_config cfg;

	kmm_config_init(&cfg);
	assert_int_equal(kmm_config_set_ram(&cfg, 1ull << 30), KMM_OK);
	return test_machine(&cfg);
}

/* The VMAs of @mm as "start-end flags" lines, for messages. */
static unsigned count_vmas(struct mm_struct *mm)
{
	unsigned n = 0;

	for (struct vm_area_struct *v = mm->mmap; v; v = v->vm_next)
		n++;
	return n;
}

/*
 * mmap_base = PAGE_ALIGN(STACK_TOP - gap): gap = 8 MiB rlimit + 1 MiB guard gap < MIN_GAP,
 * so 128 MiB: 0x1000000000000 - 0x8000000 = 0xfffff8000000. The captured maps_norand then
 * shows, top-down: [vvar]+[vdso] (3 pages) at 0xfffff7ffd000, anon8M at 0xfffff77fd000,
 * nohuge1M at 0xfffff76fd000, ro64K at 0xfffff76ed000, malloc's 200K+header (0x33000) at
 * 0xfffff76ba000, exe16K at 0xfffff76b6000.
 */
static void test_mmap_layout_matches_capture(void **state)
{
	struct kmm_machine *m = boot();
	struct utask u;

	ut_init(&u, m, 1);
	assert_int_equal(u.t.mm->mmap_base, 0xfffff8000000ul);
	assert_int_equal(get_unmapped_area(u.t.mm, NULL, 0, 3 * P, 0, 0), 0xfffff7ffd000ul);
	assert_int_equal(install_special_mapping(u.t.mm, 0xfffff7ffd000ul, 2 * P,
						 VM_READ | VM_MAYREAD, "[vvar]"),
			 0);
	assert_int_equal(install_special_mapping(u.t.mm, 0xfffff7fff000ul, P,
						 VM_READ | VM_EXEC | VM_MAYREAD | VM_MAYEXEC,
						 "[vdso]"),
			 0);
	ut_check(m);
	assert_int_equal(ut_mmap(&u, 0, 8 << 20, RW, PA), 0xfffff77fd000ul);
	assert_int_equal(ut_mmap(&u, 0, 1 << 20, RW, PA), 0xfffff76fd000ul);
	assert_int_equal(ut_mmap(&u, 0, 64 << 10, PROT_READ, PA), 0xfffff76ed000ul);
	assert_int_equal(ut_mmap(&u, 0, 0x33000, RW, PA), 0xfffff76ba000ul);
	assert_int_equal(ut_mmap(&u, 0, 16 << 10, PROT_READ, PA), 0xfffff76b6000ul);
	/* anon8M and nohuge1M touch and have the same flags: 6.1 merges them (the capture's
	 * separate lines come from MADV_NOHUGEPAGE on the second) */
	assert_int_equal(count_vmas(u.t.mm), 6);
	assert_int_equal(u.t.mm->total_vm, 3 + 2048 + 256 + 16 + 0x33 + 4);
	assert_int_equal(u.t.mm->data_vm, 2048 + 256 + 0x33);
	ut_check(m);
	ut_exit(&u);
	test_machine_done(m);
}

/* The VMA at @addr: [start, end) with @flags' access bits, or fail. */
static void expect_vma(struct mm_struct *mm, unsigned long addr, unsigned long start,
		       unsigned long end, vm_flags_t access)
{
	struct vm_area_struct *v = vma_lookup(mm, addr);

	if (!v || v->vm_start != start || v->vm_end != end ||
	    (v->vm_flags & VM_ACCESS_FLAGS) != access)
		fail_msg("at %#lx: want %#lx-%#lx %#lx, have %#lx-%#lx %#lx", addr, start, end,
			 access, v ? v->vm_start : 0, v ? v->vm_end : 0,
			 v ? v->vm_flags & VM_ACCESS_FLAGS : 0);
}

#define BASE 0x10000000ul
#define R    (VM_READ | VM_MAYREAD | VM_MAYWRITE | VM_MAYEXEC)
#define RWF  (R | VM_WRITE | VM_ACCOUNT) /* private writable: charged */

/* Maps [BASE + a*P, BASE + b*P) with @prot, fixed. */
static void map_pages(struct utask *u, unsigned a, unsigned b, int prot)
{
	assert_int_equal(ut_mmap(u, BASE + a * P, (b - a) * P, prot, PA | MAP_FIXED), BASE + a * P);
}

/*
 *   case 1:  PPPP....NNNN  map the hole with the same flags  ->  PPPPPPPPPPPP (one VMA)
 *   case 2:  PPPP........  map after prev                    ->  PPPPPPPP
 *   case 3:  ........NNNN  map before next                   ->  NNNNNNNN
 */
static void test_mmap_merge_cases_1_2_3(void **state)
{
	struct kmm_machine *m = boot();
	struct utask u;

	ut_init(&u, m, 1);
	map_pages(&u, 0, 2, RW);
	map_pages(&u, 4, 6, RW);
	assert_int_equal(u.t.mm->map_count, 2);
	map_pages(&u, 2, 4, RW); /* case 1 */
	assert_int_equal(u.t.mm->map_count, 1);
	expect_vma(u.t.mm, BASE, BASE, BASE + 6 * P, VM_READ | VM_WRITE);
	ut_check(m);
	map_pages(&u, 6, 7, RW); /* case 2 */
	expect_vma(u.t.mm, BASE, BASE, BASE + 7 * P, VM_READ | VM_WRITE);
	map_pages(&u, 20, 22, RW);
	map_pages(&u, 18, 20, RW); /* case 3 */
	expect_vma(u.t.mm, BASE + 18 * P, BASE + 18 * P, BASE + 22 * P, VM_READ | VM_WRITE);
	/* different flags never merge */
	map_pages(&u, 7, 8, PROT_READ);
	assert_int_equal(u.t.mm->map_count, 3);
	ut_check(m);
	ut_exit(&u);
	test_machine_done(m);
}

/* What mprotect_fixup accounts when two pages change from @from to @to. */
static void flip_account(struct mm_struct *mm, vm_flags_t from, vm_flags_t to)
{
	vm_stat_account(mm, from, -2);
	vm_stat_account(mm, to, 2);
}

/*
 * Cases 4-8 are mprotect's: vma_merge over (part of) an existing VMA, here with VM_WRITE
 * flipped. Each draws prev/mid/next before and after ([) page numbers from BASE).
 */
static void test_mmap_merge_cases_4_to_8(void **state)
{
	struct kmm_machine *m = boot();
	struct utask u;
	struct mm_struct *mm;
	struct vm_area_struct *prev, *res;

	ut_init(&u, m, 1);
	mm = u.t.mm;

	/* case 4: PPPP(pp)NNNN, pp -> N's flags: P [0,2) N [2,6) */
	map_pages(&u, 0, 4, RW);
	map_pages(&u, 4, 6, PROT_READ);
	prev = vma_lookup(mm, BASE);
	res = vma_merge(mm, prev, BASE + 2 * P, BASE + 4 * P, R, NULL, NULL, (BASE >> 12) + 2);
	flip_account(mm, RWF, R);
	assert_ptr_equal(res, vma_lookup(mm, BASE + 4 * P));
	expect_vma(mm, BASE, BASE, BASE + 2 * P, VM_READ | VM_WRITE);
	expect_vma(mm, BASE + 2 * P, BASE + 2 * P, BASE + 6 * P, VM_READ);
	assert_int_equal(res->vm_pgoff, (BASE >> 12) + 2);
	ut_check(m);
	assert_int_equal(do_munmap(mm, BASE, 6 * P), 0);

	/* case 5: PPPP(mm)MMMM, mm -> P's flags: P [0,4) M [4,6) */
	map_pages(&u, 0, 2, RW);
	map_pages(&u, 2, 6, PROT_READ);
	prev = vma_lookup(mm, BASE);
	res = vma_merge(mm, prev, BASE + 2 * P, BASE + 4 * P, RWF, NULL, NULL, (BASE >> 12) + 2);
	flip_account(mm, R, RWF);
	assert_ptr_equal(res, prev);
	expect_vma(mm, BASE, BASE, BASE + 4 * P, VM_READ | VM_WRITE);
	expect_vma(mm, BASE + 4 * P, BASE + 4 * P, BASE + 6 * P, VM_READ);
	assert_int_equal(vma_lookup(mm, BASE + 4 * P)->vm_pgoff, (BASE >> 12) + 4);
	ut_check(m);
	assert_int_equal(do_munmap(mm, BASE, 6 * P), 0);

	/* case 6: PPPP(MMMM)NNNN, M -> the others' flags: one VMA [0,6) */
	map_pages(&u, 0, 2, RW);
	map_pages(&u, 2, 4, PROT_READ);
	map_pages(&u, 4, 6, RW);
	prev = vma_lookup(mm, BASE);
	res = vma_merge(mm, prev, BASE + 2 * P, BASE + 4 * P, RWF, NULL, NULL, (BASE >> 12) + 2);
	flip_account(mm, R, RWF);
	assert_ptr_equal(res, prev);
	assert_int_equal(mm->map_count, 1);
	expect_vma(mm, BASE, BASE, BASE + 6 * P, VM_READ | VM_WRITE);
	ut_check(m);
	assert_int_equal(do_munmap(mm, BASE, 6 * P), 0);

	/* case 7: PPPP(MMMM) and a next that cannot merge: M joins P */
	map_pages(&u, 0, 2, RW);
	map_pages(&u, 2, 4, PROT_READ);
	map_pages(&u, 4, 6, PROT_EXEC);
	prev = vma_lookup(mm, BASE);
	res = vma_merge(mm, prev, BASE + 2 * P, BASE + 4 * P, RWF, NULL, NULL, (BASE >> 12) + 2);
	flip_account(mm, R, RWF);
	assert_ptr_equal(res, prev);
	assert_int_equal(mm->map_count, 2);
	expect_vma(mm, BASE, BASE, BASE + 4 * P, VM_READ | VM_WRITE);
	ut_check(m);
	assert_int_equal(do_munmap(mm, BASE, 6 * P), 0);

	/* case 8: a prev that cannot merge, (MMMM)NNNN: M joins N */
	map_pages(&u, 0, 2, PROT_EXEC);
	map_pages(&u, 2, 4, PROT_READ);
	map_pages(&u, 4, 6, RW);
	prev = vma_lookup(mm, BASE);
	res = vma_merge(mm, prev, BASE + 2 * P, BASE + 4 * P, RWF, NULL, NULL, (BASE >> 12) + 2);
	flip_account(mm, R, RWF);
	assert_ptr_equal(res, vma_lookup(mm, BASE + 5 * P));
	assert_int_equal(mm->map_count, 2);
	expect_vma(mm, BASE + 2 * P, BASE + 2 * P, BASE + 6 * P, VM_READ | VM_WRITE);
	assert_int_equal(res->vm_pgoff, (BASE >> 12) + 2);
	ut_check(m);
	ut_exit(&u);
	test_machine_done(m);
}

/*
 * munmap of the middle of a VMA splits it in two; of a range over three VMAs trims the outer
 * ones; unaligned or zero-length is -EINVAL; unmapping nothing is 0.
 */
static void test_mmap_munmap_splits(void **state)
{
	struct kmm_machine *m = boot();
	struct utask u;
	struct mm_struct *mm;

	ut_init(&u, m, 1);
	mm = u.t.mm;
	map_pages(&u, 0, 10, RW);
	assert_int_equal(do_munmap(mm, BASE + 4 * P, 2 * P), 0);
	assert_int_equal(mm->map_count, 2);
	expect_vma(mm, BASE, BASE, BASE + 4 * P, VM_READ | VM_WRITE);
	expect_vma(mm, BASE + 6 * P, BASE + 6 * P, BASE + 10 * P, VM_READ | VM_WRITE);
	assert_int_equal(vma_lookup(mm, BASE + 6 * P)->vm_pgoff, (BASE >> 12) + 6);
	assert_int_equal(mm->total_vm, 8);
	ut_check(m);
	map_pages(&u, 12, 14, PROT_READ);
	assert_int_equal(do_munmap(mm, BASE + 2 * P, 11 * P), 0); /* [2, 13) */
	assert_int_equal(mm->map_count, 2);
	expect_vma(mm, BASE, BASE, BASE + 2 * P, VM_READ | VM_WRITE);
	expect_vma(mm, BASE + 13 * P, BASE + 13 * P, BASE + 14 * P, VM_READ);
	assert_int_equal(do_munmap(mm, BASE + 1, P), -EINVAL);
	assert_int_equal(do_munmap(mm, BASE, 0), -EINVAL);
	assert_int_equal(do_munmap(mm, BASE + 100 * P, P), 0);
	assert_int_equal(do_munmap(mm, TASK_SIZE - P, 2 * P), -EINVAL);
	ut_check(m);
	ut_exit(&u);
	test_machine_done(m);
}

/* MAP_FIXED_NOREPLACE over a mapping is -EEXIST and leaves it; MAP_FIXED replaces it. */
static void test_mmap_fixed_noreplace_and_hints(void **state)
{
	struct kmm_machine *m = boot();
	struct utask u;

	ut_init(&u, m, 1);
	map_pages(&u, 0, 4, RW);
	assert_int_equal(ut_mmap(&u, BASE + 2 * P, 4 * P, PROT_READ, PA | MAP_FIXED_NOREPLACE),
			 (unsigned long)-EEXIST);
	expect_vma(u.t.mm, BASE, BASE, BASE + 4 * P, VM_READ | VM_WRITE);
	assert_int_equal(ut_mmap(&u, BASE + 4 * P, P, PROT_READ, PA | MAP_FIXED_NOREPLACE),
			 BASE + 4 * P);
	/* a free hint is taken as is; a busy one falls back to top-down */
	assert_int_equal(ut_mmap(&u, BASE + 8 * P, P, RW, PA), BASE + 8 * P);
	assert_int_equal(ut_mmap(&u, BASE, P, RW, PA), u.t.mm->mmap_base - P);
	/* bad arguments */
	assert_int_equal(ut_mmap(&u, 0, 0, RW, PA), (unsigned long)-EINVAL);
	assert_int_equal(ut_mmap(&u, BASE + 1, P, RW, PA | MAP_FIXED), (unsigned long)-EINVAL);
	assert_int_equal(ut_mmap(&u, 0, P, RW, MAP_ANONYMOUS), (unsigned long)-EINVAL);
	/* MAP_HUGETLB with an empty pool: 6.1's hugetlb_reserve_pages cannot reserve */
	assert_int_equal(ut_mmap(&u, 0, P, RW, PA | MAP_HUGETLB), (unsigned long)-ENOMEM);
	assert_int_equal(ut_mmap(&u, 0, TASK_SIZE, RW, PA), (unsigned long)-ENOMEM);
	/* below vm.mmap_min_addr (4096): no CAP_SYS_RAWIO */
	assert_int_equal(ut_mmap(&u, 0, P, RW, PA | MAP_FIXED), (unsigned long)-EPERM);
	ut_check(m);
	ut_exit(&u);
	test_machine_done(m);
}

/*
 * vm.max_map_count: do_mmap refuses once map_count is above it (so max + 1 VMAs can exist,
 * as in the kernel), a split once it is reached: -ENOMEM, nothing changed.
 */
static void test_mmap_max_map_count(void **state)
{
	struct kmm_machine *m = boot();
	struct utask u;

	ut_init(&u, m, 1);
	assert_int_equal(kmm_sysctl(m, "vm.max_map_count", "3"), KMM_OK);
	map_pages(&u, 0, 2, RW);
	map_pages(&u, 3, 5, RW);
	map_pages(&u, 6, 10, RW);
	assert_int_equal(do_munmap(u.t.mm, BASE + 7 * P, P), -ENOMEM);
	assert_int_equal(u.t.mm->map_count, 3);
	/* merging needs no new VMA: [0,2) [2,3) [3,5) become one */
	map_pages(&u, 2, 3, RW);
	assert_int_equal(u.t.mm->map_count, 2);
	map_pages(&u, 12, 13, RW);
	map_pages(&u, 14, 15, RW); /* 3 > 3 is false: a fourth VMA */
	assert_int_equal(u.t.mm->map_count, 4);
	assert_int_equal(ut_mmap(&u, BASE + 16 * P, P, RW, PA | MAP_FIXED), (unsigned long)-ENOMEM);
	assert_int_equal(u.t.mm->map_count, 4);
	ut_check(m);
	ut_exit(&u);
	test_machine_done(m);
}

/*
 * brk as the capture's experiment 8: the bss VMA [0x4a3000, 0x50e000) ends at start_brk
 * 0x50e000; the first brk makes a second [heap] VMA (6.1's brk does not merge with a VMA
 * that ends at start_brk); it grows in place and shrinks back.
 */
static void test_mmap_brk_two_heap_vmas(void **state)
{
	struct kmm_machine *m = boot();
	struct utask u;
	struct mm_struct *mm;

	ut_init(&u, m, 1);
	mm = u.t.mm;
	assert_int_equal(vm_brk_flags(mm, 0x4a3000, 0x50e000 - 0x4a3000, 0), 0);
	mm->start_brk = mm->brk = 0x50e000;
	assert_int_equal(do_brk(mm, 0x530000), 0x530000);
	assert_int_equal(mm->map_count, 2);
	expect_vma(mm, 0x4a3000, 0x4a3000, 0x50e000, VM_READ | VM_WRITE);
	expect_vma(mm, 0x50e000, 0x50e000, 0x530000, VM_READ | VM_WRITE);
	/* sbrk(1M): 0x530000 -> 0x630000, the second VMA grows */
	assert_int_equal(do_brk(mm, 0x630000), 0x630000);
	expect_vma(mm, 0x50e000, 0x50e000, 0x630000, VM_READ | VM_WRITE);
	assert_int_equal(mm->map_count, 2);
	ut_check(m);
	assert_int_equal(do_brk(mm, 0x530000), 0x530000);
	expect_vma(mm, 0x50e000, 0x50e000, 0x530000, VM_READ | VM_WRITE);
	/* below start_brk: refused, the old break returned */
	assert_int_equal(do_brk(mm, 0x400000), 0x530000);
	/* into a mapping (with a page of gap): refused */
	assert_int_equal(ut_mmap(&u, 0x600000, P, RW, PA | MAP_FIXED), 0x600000);
	assert_int_equal(do_brk(mm, 0x5ff001), 0x530000);
	assert_int_equal(do_brk(mm, 0x5ff000), 0x5ff000);
	ut_check(m);
	ut_exit(&u);
	test_machine_done(m);
}

/*
 * vm.overcommit_memory: 2 refuses a private writable mapping beyond CommitLimit
 * (overcommit_kbytes here) and ignores MAP_NORESERVE; 1 takes anything; 0 refuses one larger
 * than RAM. Committed_AS follows the VM_ACCOUNT VMAs.
 */
static void test_mmap_overcommit_refusals(void **state)
{
	struct kmm_machine *m = boot();
	struct utask u;
	unsigned long before;

	ut_init(&u, m, 1);
	before = vm_memory_committed(u.k);
	assert_int_equal(ut_mmap(&u, 0, 4 << 20, RW, PA) != (unsigned long)-ENOMEM, 1);
	assert_int_equal(vm_memory_committed(u.k), before + 1024);
	/* read-only and MAP_NORESERVE mappings are not charged */
	ut_mmap(&u, 0, 4 << 20, PROT_READ, PA);
	ut_mmap(&u, 0, 4 << 20, RW, PA | MAP_NORESERVE);
	assert_int_equal(vm_memory_committed(u.k), before + 1024);
	/* mode 2 with CommitLimit 64 MiB: 64 MiB - admin/user reserves - already committed */
	assert_int_equal(kmm_sysctl(m, "vm.overcommit_memory", "2"), KMM_OK);
	assert_int_equal(kmm_sysctl(m, "vm.overcommit_kbytes", "65536"), KMM_OK);
	assert_int_equal(vm_commit_limit(u.k), 16384);
	assert_int_equal(ut_mmap(&u, 0, 64 << 20, RW, PA), (unsigned long)-ENOMEM);
	assert_int_equal(ut_mmap(&u, 0, 64 << 20, RW, PA | MAP_NORESERVE), (unsigned long)-ENOMEM);
	assert_int_equal(vm_memory_committed(u.k), before + 1024);
	assert_true(!IS_ERR_VALUE(ut_mmap(&u, 0, 1 << 20, RW, PA)));
	/* mode 1: anything */
	assert_int_equal(kmm_sysctl(m, "vm.overcommit_memory", "1"), KMM_OK);
	assert_true(!IS_ERR_VALUE(ut_mmap(&u, 0, 64ul << 30, RW, PA)));
	/* mode 0: not more than RAM in one go */
	assert_int_equal(kmm_sysctl(m, "vm.overcommit_memory", "0"), KMM_OK);
	assert_int_equal(ut_mmap(&u, 0, 2ul << 30, RW, PA), (unsigned long)-ENOMEM);
	ut_check(m);
	ut_exit(&u);
	assert_int_equal(vm_memory_committed(&m->kernel), before);
	test_machine_done(m);
}

/*
 * The stack guard gap (256 pages): get_unmapped_area keeps it free below a VM_GROWSDOWN
 * VMA, and the stack cannot grow closer than it to the mapping below.
 */
static void test_mmap_stack_guard_gap(void **state)
{
	struct kmm_machine *m = boot();
	struct utask u;
	struct mm_struct *mm;
	struct vm_area_struct *stack;
	unsigned long top = 0x7000000000ul, gap = 256 * P;

	ut_init(&u, m, 1);
	mm = u.t.mm;
	assert_int_equal(ut_mmap(&u, top - 4 * P, 4 * P, RW, PA | MAP_FIXED | MAP_GROWSDOWN),
			 top - 4 * P);
	stack = vma_lookup(mm, top - P);
	assert_true(stack->vm_flags & VM_GROWSDOWN);
	assert_int_equal(vm_start_gap(stack), top - 4 * P - gap);
	/* a hint inside the gap is not taken */
	assert_true(ut_mmap(&u, top - 4 * P - 2 * P, P, RW, PA) != top - 6 * P);
	/* a mapping ending gap + 14 pages below the top: the stack grows to 14 pages, no more */
	assert_int_equal(ut_mmap(&u, top - 14 * P - gap - 8 * P, 8 * P, RW, PA | MAP_FIXED),
			 top - 14 * P - gap - 8 * P);
	assert_int_equal(expand_stack(stack, top - 14 * P), 0);
	assert_int_equal(stack->vm_start, top - 14 * P);
	assert_int_equal(mm->stack_vm, 14);
	assert_int_equal(expand_stack(stack, top - 15 * P), -ENOMEM);
	assert_int_equal(stack->vm_start, top - 14 * P);
	ut_check(m);
	ut_exit(&u);
	test_machine_done(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_mmap_layout_matches_capture),
		cmocka_unit_test(test_mmap_merge_cases_1_2_3),
		cmocka_unit_test(test_mmap_merge_cases_4_to_8),
		cmocka_unit_test(test_mmap_munmap_splits),
		cmocka_unit_test(test_mmap_fixed_noreplace_and_hints),
		cmocka_unit_test(test_mmap_max_map_count),
		cmocka_unit_test(test_mmap_brk_two_heap_vmas),
		cmocka_unit_test(test_mmap_overcommit_refusals),
		cmocka_unit_test(test_mmap_stack_guard_gap),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
