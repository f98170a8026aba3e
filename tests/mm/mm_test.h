/*
 * A minimal user task for the core mm tests, before the task layer: an mm from mm_alloc,
 * a task_struct made here, switched onto CPU 0 with the arch's check_and_switch_context
 * (TTBR0, and the ASID in TTBR1), and the access loop the task layer will own: an access through
 * the MMU, on an abort do_mem_abort, then retry.
 */
#ifndef KMM_TESTS_MM_TEST_H
#define KMM_TESTS_MM_TEST_H

#include "kmm_test.h"

#include <errno.h>
#include <inttypes.h>

#include "arch/arm64/include/asm/mmu_context.h"
#include "arch/arm64/include/asm/pgtable.h"
#include "kernel/sched.h"
#include "mm/memory.h"
#include "mm/mm_state.h"
#include "mm/mmap.h"
#include "mm/rmap.h"
#include "mm/swap.h"
#include "sim/machine.h"

struct utask {
	struct kmm_machine *m;
	struct kmm_kernel *k;
	struct task_struct t;
	uint64_t asid;
	unsigned long aborts; /* do_mem_abort calls */
};

static inline void ut_switch(struct utask *u)
{
	set_current_task(u->k, &u->t);
	check_and_switch_context(u->k, u->t.mm, 0); /* TTBR0 and the ASID (in TTBR1) */
	assert_int_equal(kmm_mmu_set_reg(u->m, 0, KMM_REG_CURRENT_EL, 0), KMM_OK);
}

/* A task with an empty mm laid out as an exec with norandmaps and an 8 MiB stack rlimit. */
static inline void ut_init(struct utask *u, struct kmm_machine *m, uint64_t asid)
{
	memset(u, 0, sizeof(*u));
	u->m = m;
	u->k = &m->kernel;
	u->asid = asid;
	u->t.pid = (int)asid;
	for (int i = 0; i < NR_TASK_RLIMITS; i++)
		u->t.rlim[i].rlim_cur = u->t.rlim[i].rlim_max = RLIM_INFINITY;
	u->t.rlim[RLIMIT_STACK_].rlim_cur = 8ull << 20;
	u->t.personality = ADDR_NO_RANDOMIZE;
	u->t.mm = mm_alloc(u->k);
	assert_non_null(u->t.mm);
	arch_pick_mmap_layout(&u->t, u->t.mm);
	ut_switch(u);
}

static inline void ut_exit(struct utask *u)
{
	cpu_set_reserved_ttbr0(u->k, 0);
	sync_mm_rss(&u->t, u->t.mm);
	mmput(u->t.mm);
	u->t.mm = NULL;
	set_current_task(u->k, NULL);
	assert_int_equal(kmm_mmu_set_reg(u->m, 0, KMM_REG_CURRENT_EL, 1), KMM_OK);
}

/* An access by the task: 0, or the signal the kernel raised (tsk->last_sig filled). */
static inline int ut_access(struct utask *u, enum kmm_access type, uint64_t va, void *buf,
			    size_t len)
{
	for (int tries = 0; tries < 8; tries++) {
		struct kmm_mmu_fault f;
		int sig;

		ut_switch(u);
		if (kmm_cpu_access(u->m, 0, type, va, buf, len, &f) == KMM_OK)
			return 0;
		u->aborts++;
		sig = do_mem_abort(u->k, &u->t, f.far, f.esr);
		if (sig)
			return sig;
	}
	fail_msg("access at %#" PRIx64 " still faults after 8 fixes", va);
	return -1;
}

static inline uint64_t ut_load64(struct utask *u, uint64_t va)
{
	uint64_t v = 0;

	assert_int_equal(ut_access(u, KMM_ACCESS_LOAD, va, &v, sizeof(v)), 0);
	return v;
}

static inline void ut_store64(struct utask *u, uint64_t va, uint64_t v)
{
	assert_int_equal(ut_access(u, KMM_ACCESS_STORE, va, &v, sizeof(v)), 0);
}

static inline unsigned long ut_mmap(struct utask *u, unsigned long addr, unsigned long len,
				    int prot, int flags)
{
	set_current_task(u->k, &u->t);
	return vm_mmap_pgoff(u->t.mm, NULL, addr, len, (unsigned long)prot, (unsigned long)flags,
			     0);
}

static inline void ut_check(struct kmm_machine *m)
{
	if (kmm_check(m) != KMM_OK)
		fail_msg("kmm_check: %s", kmm_last_error(m));
}

/* The present PTE of @va in @u's tables (0 if none). */
static inline uint64_t ut_pte(struct utask *u, uint64_t va)
{
	uint64_t *p = mm_pte_lookup(u->t.mm, va);

	return p ? *p : 0;
}

static inline unsigned long ut_rss(struct utask *u, int member)
{
	return (unsigned long)(u->t.mm->rss_stat[member] + u->t.mm->rss_pending[member]);
}

static inline unsigned long node_stat(struct kmm_machine *m, enum node_stat_item item)
{
	long v = 0;

	for (int nid = 0; nid < MAX_NUMNODES; nid++)
		if (m->kernel.node_data[nid])
			v += m->kernel.node_data[nid]->vm_stat[item];
	return (unsigned long)v;
}

#endif /* KMM_TESTS_MM_TEST_H */
