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
#include "mm/huge_mm.h"
#include "mm/migrate.h"

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

/* ---- THPs: migration and splits ------------------------------------------------------- */

#define THP_NPG 1024UL /* two 2 MiB THPs at BASE */

/* The folio mapped at @va (as CPU 0's uncached walk sees it), or NULL. */
static struct folio *folio_at(struct mt *t, unsigned long va)
{
	uint64_t par = 0;

	assert_int_equal(kmm_at(t->m, 0, KMM_AT_S1E0R, va, &par, NULL), KMM_OK);
	if (par & 1)
		return NULL;
	return page_folio(pfn_to_page(t->k, (par & 0x0000fffffffff000ULL) >> PAGE_SHIFT));
}

/* migrate_pages (MIGRATE_SYNC) of the folio mapped at @va, whole (a THP to an order-9 one). */
static void migrate_at(struct mt *t, unsigned long va)
{
	struct migration_target_control mtc = {.nid = NUMA_NO_NODE,
					       .gfp_mask = GFP_HIGHUSER_MOVABLE};
	struct folio *folio = folio_at(t, va);
	struct list_head list;
	unsigned int nr = 0;

	if (!folio || !folio_test_anon(folio))
		return;
	lru_add_drain_all(t->k);
	INIT_LIST_HEAD(&list);
	assert_int_equal(migrate_list_register(t->k, &list), 0);
	if (migrate_isolate_lru_folio(t->k, folio, &list) == 0) {
		migrate_pages(t->k, &list, alloc_migration_target, NULL, (unsigned long)&mtc,
			      MIGRATE_SYNC, MR_SYSCALL, &nr);
		putback_movable_pages(t->k, &list);
	}
	migrate_list_unregister(t->k, &list);
}

/* split_huge_page of the THP mapped at @va, as its callers hold it (a reference, the lock). */
static void split_at(struct mt *t, unsigned long va)
{
	struct folio *folio = folio_at(t, va);

	if (!folio || !folio_test_large(folio))
		return;
	folio_get(folio);
	folio_lock(folio);
	split_huge_page(t->k, &folio->page);
	folio_unlock(folio);
	folio_put(t->k, folio);
}

static const char *random_thp_op(struct mt *t, struct rng *r, unsigned long *nmig)
{
	unsigned long first = rng_below(r, THP_NPG), n = 1 + rng_below(r, THP_NPG - first);
	unsigned long va = BASE + first * PG, len = n * PG;

	switch (rng_below(r, 10)) {
	case 0:
	case 1:
	case 2:
		migrate_at(t, va);
		(*nmig)++;
		return "migrate_pages";
	case 3:
		split_at(t, va);
		return "split_huge_page";
	case 4:
		do_mprotect_pkey(t->mm, va, len, rng_below(r, 2) ? PROT_READ : RW, -1);
		return "mprotect";
	case 5:
		do_madvise(t->mm, va, len, MADV_DONTNEED);
		return "MADV_DONTNEED";
	case 6:
		do_madvise(t->mm, va, len, MADV_FREE);
		return "MADV_FREE";
	case 7:
	case 8:
		do_mprotect_pkey(t->mm, BASE, THP_NPG * PG, RW, -1);
		do_madvise(t->mm, BASE + (first / 512) * 512 * PG, 512 * PG, MADV_COLLAPSE);
		return "MADV_COLLAPSE";
	default:
		assert_int_equal(do_munmap(t->mm, va, len), 0);
		mt_map(t, va, len, RW, ANONP);
		return "munmap+mmap";
	}
}

/*
 * The same property over THP-backed memory of a 1 GiB machine (THP on): two THPs written
 * from CPU 0, then random accesses from the four CPUs (block entries in their TLBs) and a
 * random operation per step: migrate_pages of the folio at a random page (a THP moves whole
 * through PMD migration entries, or a PTE-mapped one through PTE entries), split_huge_page,
 * partial mprotect/DONTNEED/FREE (PMD splits), MADV_COLLAPSE (a new block), munmap + mmap.
 * After each, every page on every CPU is probed: no load or store may go through a block or
 * page translation the tables no longer give, and a load must read the walk's frame.
 */
static void test_thp_no_stale_translation_on_any_cpu(void **state)
{
	struct kmm_config cfg;
	struct mt *t = calloc(1, sizeof(*t));
	struct rng r = {0x7468705f746c62ULL};
	unsigned long nmig = 0, mig0, hits0 = n_probe_hits;

	(void)state;
	assert_non_null(t);
	kmm_config_init(&cfg);
	kmm_config_option(&cfg, "-m", "1G");
	kmm_config_option(&cfg, "-smp", "4");
	t->m = test_machine(&cfg);
	t->k = &t->m->kernel;
	t->mm = mm_alloc(t->k);
	assert_non_null(t->mm);
	t->tsk.pid = 1;
	t->tsk.mm = t->mm;
	for (int i = 0; i < NR_TASK_RLIMITS; i++)
		t->tsk.rlim[i].rlim_cur = t->tsk.rlim[i].rlim_max = RLIM_INFINITY;
	set_current_task(t->k, &t->tsk);
	for (unsigned cpu = 0; cpu < NCPU; cpu++) {
		switch_mm(t->k, NULL, t->mm, (int)cpu);
		assert_int_equal(kmm_mmu_set_reg(t->m, cpu, KMM_REG_CURRENT_EL, 0), KMM_OK);
	}
	mt_map(t, BASE, THP_NPG * PG, RW, ANONP);
	for (unsigned long i = 0; i < THP_NPG; i++)
		user_access(t, 0, true, BASE + i * PG);
	assert_true(pmd_trans_huge(*mm_find_pmd(t->mm, BASE)));
	mig0 = t->k->vm_events[THP_MIGRATION_SUCCESS];
	for (int step = 0; step < 60; step++) {
		const char *op;

		for (int i = 0; i < 64; i++)
			user_access(t, (unsigned)rng_below(&r, NCPU), rng_below(&r, 2),
				    BASE + rng_below(&r, THP_NPG) * PG);
		op = random_thp_op(t, &r, &nmig);
		mt_check(t);
		for (unsigned cpu = 0; cpu < NCPU; cpu++)
			for (unsigned long i = 0; i < THP_NPG; i++)
				probe(t, cpu, BASE + i * PG, op);
	}
	for (unsigned cpu = 0; cpu < NCPU; cpu++)
		cpu_set_reserved_ttbr0(t->k, (int)cpu);
	print_message("%lu migrations tried, %lu THPs moved, %lu probes compared\n", nmig,
		      t->k->vm_events[THP_MIGRATION_SUCCESS] - mig0, n_probe_hits - hits0);
	assert_true(t->k->vm_events[THP_MIGRATION_SUCCESS] - mig0 >= 3);
	assert_true(n_probe_hits - hits0 > 10000);
	mt_done(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_mman_no_stale_translation_on_any_cpu),
		cmocka_unit_test(test_thp_no_stale_translation_on_any_cpu),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
