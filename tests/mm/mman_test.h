/*
 * Helpers for the tests of the calls that change existing mappings (test_mprotect.c,
 * test_mremap.c, test_madvise.c, test_mlock.c): a machine with one bare mm (mm_alloc), user
 * memory written and read through the mm's own page tables (a fault first when the PTE does
 * not allow the access, as a CPU would take one), VMA listings, and the checkers run after
 * every step.
 *
 * The layout the tests draw is the bare mm's: no exec, so every address is the test's own
 * MAP_FIXED choice (BASE and up), and counts are exact.
 */
#ifndef KMM_TESTS_MM_MMAN_TEST_H
#define KMM_TESTS_MM_MMAN_TEST_H

#include <errno.h>

#include "kmm_test.h"

#include "arch/arm64/include/asm/pgtable.h"
#include "kernel/sched.h"
#include "mm/internal.h"
#include "mm/kernel.h"
#include "mm/memory.h"
#include "mm/mm.h"
#include "mm/mman.h"
#include "mm/mmap.h"
#include "mm/page-flags.h"
#include "mm/swap.h"
#include "sim/machine.h"

#define PG    4096UL
#define BASE  0x100000000UL /* 4 GiB: far from everything, PMD- and PUD-aligned */
#define RW    (PROT_READ | PROT_WRITE)
#define ANONP (MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED)

struct mt {
	struct kmm_machine *m;
	struct kmm_kernel *k;
	struct mm_struct *mm;
	struct task_struct tsk; /* the caller, for mlock's limits and the fault counters */
	unsigned long faults;	/* faults the helpers took */
};

static inline struct mt *mt_boot(const char *smp)
{
	struct kmm_config cfg;
	struct mt *t = calloc(1, sizeof(*t));

	assert_non_null(t);
	kmm_config_init(&cfg);
	kmm_config_option(&cfg, "-m", "256M");
	kmm_config_option(&cfg, "-smp", smp);
	t->m = test_machine(&cfg);
	t->k = &t->m->kernel;
	t->mm = mm_alloc(t->k);
	assert_non_null(t->mm);
	t->tsk.pid = 1;
	t->tsk.mm = t->mm;
	for (int i = 0; i < NR_TASK_RLIMITS; i++)
		t->tsk.rlim[i].rlim_cur = t->tsk.rlim[i].rlim_max = RLIM_INFINITY;
	t->tsk.rlim[RLIMIT_STACK_].rlim_cur = 8UL << 20;
	t->tsk.rlim[RLIMIT_MEMLOCK_].rlim_cur = MLOCK_LIMIT;
	t->tsk.rlim[RLIMIT_MEMLOCK_].rlim_max = MLOCK_LIMIT;
	set_current_task(t->k, &t->tsk);
	return t;
}

/* Every checker of the mm and of the machine. */
static inline void mt_check(struct mt *t)
{
	char why[256];

	if (!mmap_check(t->mm, why, sizeof(why)))
		fail_msg("mmap_check: %s", why);
	if (!mprotect_check(t->mm, why, sizeof(why)))
		fail_msg("mprotect_check: %s", why);
	if (!mlock_check(t->mm, why, sizeof(why)))
		fail_msg("mlock_check: %s", why);
	if (kmm_check(t->m) != KMM_OK)
		fail_msg("kmm_check: %s", kmm_last_error(t->m));
}

static inline void mt_done(struct mt *t)
{
	mt_check(t);
	set_current_task(t->k, NULL);
	mmput(t->mm);
	test_machine_done(t->m);
	free(t);
}

/* mmap of @len bytes at exactly @va (anonymous private unless @flags says otherwise). */
static inline void mt_map(struct mt *t, unsigned long va, unsigned long len, int prot, int flags)
{
	unsigned long populate = 0;
	unsigned long got = do_mmap(t->mm, NULL, va, len, (unsigned long)prot, (unsigned long)flags,
				    0, &populate);

	assert_int_equal(got, va);
	if (populate)
		assert_int_equal(__mm_populate(t->mm, va, populate, 0), 0);
	mt_check(t);
}

/* An rss counter of the mm with the task's cache folded in (as /proc/<pid>/smaps sees). */
static inline unsigned long mt_rss(struct mt *t, int member)
{
	sync_mm_rss(&t->tsk, t->mm);
	return get_mm_counter(t->mm, member);
}

static inline const pte_t *mt_pte(struct mt *t, unsigned long va)
{
	return (const pte_t *)mm_pte_lookup(t->mm, va);
}

/*
 * The host view of the byte at @va, after a fault where a CPU without hardware access-flag
 * and dirty management (cortex-a57, the captures' CPU) would take one: an invalid or old
 * entry, or a store through a clean or read-only one.
 */
static inline uint8_t *mt_user(struct mt *t, unsigned long va, bool write)
{
	const pte_t *pte = mt_pte(t, va);

	if (!pte || !pte_valid(*pte) || !pte_young(*pte) || (write && !pte_hw_dirty(*pte))) {
		struct vm_area_struct *vma = vma_lookup(t->mm, va);

		vm_fault_t ret;

		assert_non_null(vma);
		ret = handle_mm_fault(vma, va, FAULT_FLAG_USER | (write ? FAULT_FLAG_WRITE : 0));
		assert_int_equal(ret & (VM_FAULT_ERROR | VM_FAULT_RETRY), 0);
		t->faults++;
		pte = mt_pte(t, va);
	}
	assert_non_null(pte);
	return (uint8_t *)page_host(t->k, pte_page(t->k, *pte), PAGE_SIZE) + (va & (PG - 1));
}

/* Writes a page-identifying pattern into each page of [va, va + len). */
static inline void mt_fill(struct mt *t, unsigned long va, unsigned long len, uint64_t seed)
{
	for (unsigned long a = va; a < va + len; a += PG) {
		uint64_t w = seed ^ (a * 0x9e3779b97f4a7c15ULL);

		memcpy(mt_user(t, a, true), &w, sizeof(w));
	}
}

/* The number of pages of [va, va + len) whose pattern is @seed's for address @origin + off. */
static inline unsigned long mt_count_pattern(struct mt *t, unsigned long va, unsigned long len,
					     unsigned long origin, uint64_t seed)
{
	unsigned long n = 0;

	for (unsigned long off = 0; off < len; off += PG) {
		uint64_t w, want = seed ^ ((origin + off) * 0x9e3779b97f4a7c15ULL);

		memcpy(&w, mt_user(t, va + off, false), sizeof(w));
		n += w == want;
	}
	return n;
}

/* The VMA list as "start-end flags" triples: asserts [start, end) and vm_flags & @mask. */
struct mt_vma {
	unsigned long start, end;
	vm_flags_t flags;
};

static inline void mt_expect_vmas(struct mt *t, const struct mt_vma *want, int n, vm_flags_t mask)
{
	const struct vm_area_struct *vma = t->mm->mmap;

	for (int i = 0; i < n; i++, vma = vma->vm_next) {
		assert_non_null(vma);
		if (vma->vm_start != want[i].start || vma->vm_end != want[i].end ||
		    (vma->vm_flags & mask) != want[i].flags)
			fail_msg("VMA %d: %#lx-%#lx flags %#lx, want %#lx-%#lx %#lx", i,
				 vma->vm_start, vma->vm_end, vma->vm_flags & mask, want[i].start,
				 want[i].end, want[i].flags);
	}
	assert_null(vma);
	assert_int_equal(t->mm->map_count, n);
}

#endif /* KMM_TESTS_MM_MMAN_TEST_H */
