/*
 * No stale translation survives mprotect, munmap, mremap or madvise, on any CPU.
 *
 * A property test over random operation sequences (seeded): one mm runs on every CPU of a
 * 4-CPU machine (switch_mm on each), random loads and stores from random CPUs fill their TLBs
 * (faults go to do_mem_abort and are retried, as the task path does), and after every
 * operation each CPU is probed page by page through its own TLB against an uncached walk of
 * the same page tables (AT S1E0R/S1E0W, which never consult the TLB):
 *  - where the walk faults for a read, the CPU's load must fault too (no stale present
 *    translation: munmap, DONTNEED, PROT_NONE, the old range of a move);
 *  - where the walk faults for a write, the CPU's store must fault too (no stale writable
 *    translation: mprotect downgrades, MADV_FREE's clean entries);
 *  - where the walk translates, the CPU's load returns the bytes at the walk's PA (no stale
 *    output address: mremap moved the page elsewhere).
 * A probe that succeeds where it must not fails the test with the CPU, page and operation.
 */
#include "mman_test.h"

#include "arch/arm64/include/asm/mmu_context.h"

#define NCPU 4
#define NPG  48
#define WIN2 (BASE + (1UL << 30)) /* the second window, for moves */

/* How much the run exercised: the test fails if the probes never had a TLB hit to check. */
static unsigned long n_user_ok, n_probe_hits;

struct rng {
	uint64_t s;
};

static uint64_t rng_next(struct rng *r)
{
	r->s ^= r->s << 13;
	r->s ^= r->s >> 7;
	r->s ^= r->s << 17;
	return r->s;
}

static unsigned long rng_below(struct rng *r, unsigned long n)
{
	return (unsigned long)(rng_next(r) % n);
}

/* A task-like access by @cpu: faults handled by the kernel until done or signalled. */
static bool user_access(struct mt *t, unsigned cpu, bool write, unsigned long va)
{
	uint64_t word = va;

	for (int tries = 0; tries < 8; tries++) {
		struct kmm_mmu_fault f;
		enum kmm_status st =
			kmm_cpu_access(t->m, cpu, write ? KMM_ACCESS_STORE : KMM_ACCESS_LOAD, va,
				       &word, sizeof(word), &f);

		if (st == KMM_OK) {
			n_user_ok++;
			return true;
		}
		assert_int_equal(st, KMM_EFAULT);
		t->tsk.cpu = (int)cpu;
		if (do_mem_abort(t->k, &t->tsk, f.far, f.esr) != 0)
			return false; /* SIGSEGV/SIGBUS: the access is not allowed */
	}
	fail_msg("cpu %u: %s at %#lx keeps faulting", cpu, write ? "store" : "load", va);
	return false;
}

/* Probes one page on one CPU: its TLB must never allow more than the walk does. */
static void probe(struct mt *t, unsigned cpu, unsigned long va, const char *op)
{
	uint64_t par_r = 0, par_w = 0, via_cpu = 0, via_walk = 0;
	struct kmm_mmu_fault f;
	enum kmm_status st;

	assert_int_equal(kmm_at(t->m, cpu, KMM_AT_S1E0R, va, &par_r, NULL), KMM_OK);
	assert_int_equal(kmm_at(t->m, cpu, KMM_AT_S1E0W, va, &par_w, NULL), KMM_OK);
	st = kmm_cpu_access(t->m, cpu, KMM_ACCESS_LOAD, va, &via_cpu, sizeof(via_cpu), &f);
	if (par_r & 1) {
		if (st == KMM_OK)
			fail_msg("after %s: cpu %u loads %#lx through a stale translation", op, cpu,
				 va);
	} else if (st == KMM_OK) {
		kmm_pa_t pa = (par_r & 0x0000fffffffff000ULL) | (va & (PG - 1));

		assert_int_equal(kmm_phys_read(t->m, pa, &via_walk, sizeof(via_walk)), KMM_OK);
		n_probe_hits++;
		if (via_walk != via_cpu)
			fail_msg("after %s: cpu %u reads %#lx from another frame than the walk's",
				 op, cpu, va);
	}
	if (par_w & 1) {
		st = kmm_cpu_access(t->m, cpu, KMM_ACCESS_STORE, va, &via_cpu, sizeof(via_cpu), &f);
		if (st == KMM_OK)
			fail_msg("after %s: cpu %u stores to %#lx through a stale writable "
				 "translation",
				 op, cpu, va);
	}
}

static void probe_all(struct mt *t, const char *op)
{
	for (unsigned cpu = 0; cpu < NCPU; cpu++)
		for (unsigned long i = 0; i < NPG; i++) {
			probe(t, cpu, BASE + i * PG, op);
			probe(t, cpu, WIN2 + i * PG, op);
		}
}

static void random_accesses(struct mt *t, struct rng *r, int n)
{
	for (int i = 0; i < n; i++) {
		unsigned long va = (rng_below(r, 2) ? WIN2 : BASE) + rng_below(r, NPG) * PG;

		user_access(t, (unsigned)rng_below(r, NCPU), rng_below(r, 2), va);
	}
}

/* One random operation on a random sub-range; returns its name. */
static const char *random_op(struct mt *t, struct rng *r)
{
	static const int prots[] = {PROT_NONE, PROT_READ, RW};
	unsigned long win = rng_below(r, 2) ? WIN2 : BASE, other = win == BASE ? WIN2 : BASE;
	unsigned long first = rng_below(r, NPG), n = 1 + rng_below(r, NPG - first);
	unsigned long va = win + first * PG, len = n * PG;

	switch (rng_below(r, 6)) {
	case 0:
		do_mprotect_pkey(t->mm, va, len, (unsigned long)prots[rng_below(r, 3)], -1);
		return "mprotect";
	case 1:
		assert_int_equal(do_munmap(t->mm, va, len), 0);
		return "munmap";
	case 2: {
		unsigned long populate;

		do_mmap(t->mm, NULL, va, len, RW, ANONP, 0, &populate);
		return "mmap MAP_FIXED";
	}
	case 3:
		if (vma_lookup(t->mm, va) && vma_lookup(t->mm, va)->vm_end >= va + len)
			do_mremap(t->mm, va, len, len, MREMAP_MAYMOVE | MREMAP_FIXED,
				  other + first * PG);
		return "mremap";
	case 4:
		do_madvise(t->mm, va, len, MADV_DONTNEED);
		return "MADV_DONTNEED";
	default:
		do_madvise(t->mm, va, len, MADV_FREE);
		return "MADV_FREE";
	}
}

static void test_mman_no_stale_translation_on_any_cpu(void **state)
{
	const char *n = "4";
	struct mt *t = mt_boot(n);
	struct rng r = {0x9e3779b97f4a7c15ULL};

	(void)state;
	for (unsigned cpu = 0; cpu < NCPU; cpu++) {
		switch_mm(t->k, NULL, t->mm, (int)cpu);
		assert_int_equal(kmm_mmu_set_reg(t->m, cpu, KMM_REG_CURRENT_EL, 0), KMM_OK);
	}
	mt_map(t, BASE, NPG * PG, RW, ANONP);
	mt_map(t, WIN2, NPG * PG, RW, ANONP);
	for (int step = 0; step < 200; step++) {
		const char *op;

		random_accesses(t, &r, 64);
		op = random_op(t, &r);
		mt_check(t);
		probe_all(t, op);
	}
	for (unsigned cpu = 0; cpu < NCPU; cpu++)
		cpu_set_reserved_ttbr0(t->k, (int)cpu);
	print_message("%lu user accesses done, %lu probes compared a TLB translation\n", n_user_ok,
		      n_probe_hits);
	assert_true(n_user_ok > 1000);
	assert_true(n_probe_hits > 1000);
	mt_done(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_mman_no_stale_translation_on_any_cpu),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
