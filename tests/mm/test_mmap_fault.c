/*
 * Page faults through the MMU: the zero page on a read then COW on a write, a write-first
 * fault, PageAnonExclusive reuse (pgreuse), fork COW isolation with checksums both ways,
 * access-flag faults on a CPU without hardware AF and none with it, SIGSEGV/SIGBUS with the
 * MMU's syndromes, munmap giving pages and page tables back, populate and gup.
 *
 * Covers: src/mm/memory.c, src/mm/rmap.c, src/mm/gup.c, src/arch/arm64/mm/fault.c,
 * src/kernel/fork.c. Expected counts follow the kernel's rules in the comments; ESR values
 * are the architecture's encodings (EC 0x24 data abort from EL0, 0x20 instruction abort;
 * DFSC 0b0001LL translation, 0b0011LL permission at level LL; WnR bit 6; IL bit 25).
 */
#include "mm_test.h"

#define P  PAGE_SIZE
#define RW (PROT_READ | PROT_WRITE)
#define PA (MAP_PRIVATE | MAP_ANONYMOUS)

static struct kmm_machine *boot(const char *cpu)
{
	struct kmm_config cfg;

	kmm_config_init(&cfg);
	assert_int_equal(kmm_config_set_ram(&cfg, 1ull << 30), KMM_OK);
	if (cpu) /* as kmmsim's -cpu: __cpu_setup sets TCR_EL1.HA/HD only with FEAT_HAFDBS */
		assert_int_equal(kmm_config_option(&cfg, "-cpu", cpu), KMM_OK);
	return test_machine(&cfg);
}

static uint64_t pattern(uint64_t va, uint64_t seed)
{
	return va * 0x9e3779b97f4a7c15ull ^ seed;
}

/* Sum of one word per page over [va, va + n pages). */
static uint64_t checksum(struct utask *u, uint64_t va, unsigned n)
{
	uint64_t sum = 0;

	for (unsigned i = 0; i < n; i++)
		sum = sum * 31 + ut_load64(u, va + i * P);
	return sum;
}

/*
 * A read of untouched anonymous memory maps the zero page (special, read-only, no rss, no
 * page); the write after it is a second fault that copies it (wp_page_copy from the zero
 * page: a zeroed page, MM_ANONPAGES + 1). pgfault and min_flt count both.
 */
static void test_fault_zero_page_then_write(void **state)
{
	struct kmm_machine *m = boot(NULL);
	struct utask u;
	unsigned long va, pgfault, anon_mapped, inactive;
	uint64_t pte;

	ut_init(&u, m, 1);
	va = ut_mmap(&u, 0, 4 * P, RW, PA);
	lru_add_drain(&m->kernel);
	inactive = node_stat(m, NR_INACTIVE_ANON);
	pgfault = m->kernel.vm_events[PGFAULT];
	anon_mapped = node_stat(m, NR_ANON_MAPPED);
	assert_int_equal(ut_load64(&u, va), 0);
	pte = ut_pte(&u, va);
	assert_int_equal(pte_pfn(__pte(pte)), m->kernel.mm_state->zero_pfn);
	assert_true(pte & PTE_SPECIAL);
	assert_true(pte & PTE_RDONLY);
	assert_int_equal(u.t.min_flt, 1);
	assert_int_equal(m->kernel.vm_events[PGFAULT], pgfault + 1);
	assert_int_equal(ut_rss(&u, MM_ANONPAGES), 0);
	ut_check(m);
	ut_store64(&u, va + 8, 0x1234);
	pte = ut_pte(&u, va);
	assert_int_not_equal(pte_pfn(__pte(pte)), m->kernel.mm_state->zero_pfn);
	assert_false(pte & PTE_SPECIAL);
	assert_int_equal(u.t.min_flt, 2);
	assert_int_equal(ut_rss(&u, MM_ANONPAGES), 1);
	assert_int_equal(node_stat(m, NR_ANON_MAPPED), anon_mapped + 1);
	assert_int_equal(ut_load64(&u, va), 0);
	assert_int_equal(ut_load64(&u, va + 8), 0x1234);
	assert_int_equal(u.t.min_flt, 2); /* the loads hit */
	/* a write first is one fault */
	ut_store64(&u, va + P, 7);
	assert_int_equal(u.t.min_flt, 3);
	assert_int_equal(ut_rss(&u, MM_ANONPAGES), 2);
	/* new anonymous pages go to the inactive anon list (through the per-CPU batch) */
	lru_add_drain(&m->kernel);
	assert_int_equal(node_stat(m, NR_INACTIVE_ANON), inactive + 2);
	assert_true(PageLRU(pfn_to_page(&m->kernel, pte_pfn(__pte(ut_pte(&u, va + P))))));
	ut_check(m);
	ut_exit(&u);
	assert_int_equal(node_stat(m, NR_ANON_MAPPED), anon_mapped);
	test_machine_done(m);
}

/*
 * Unmapped address: SIGSEGV SEGV_MAPERR with the abort's syndrome: EC 0x24, IL, DFSC level-0
 * translation fault (nothing mapped in the pgd: 0x04), WnR for a store: 0x92000044.
 * A store to a read-only VMA: SEGV_ACCERR; the zero page is mapped by the first read and the
 * store takes a level-3 permission fault (DFSC 0x0f): 0x9200004f.
 * A fetch from a non-executable VMA: EC 0x20, level-3 permission: 0x8200000f, SEGV_ACCERR.
 */
static void test_fault_sigsegv_syndromes(void **state)
{
	struct kmm_machine *m = boot(NULL);
	struct utask u;
	unsigned long ro, rw;
	uint64_t v = 1;

	ut_init(&u, m, 1);
	assert_int_equal(ut_access(&u, KMM_ACCESS_STORE, 0x1000000, &v, 8), SIGSEGV);
	assert_int_equal(u.t.last_sig.si_code, SEGV_MAPERR);
	assert_int_equal(u.t.last_sig.esr, 0x92000044ull);
	assert_int_equal(u.t.last_sig.far, 0x1000000);
	assert_int_equal(u.t.last_sig.si_addr, 0x1000000);
	ro = ut_mmap(&u, 0, P, PROT_READ, PA);
	rw = ut_mmap(&u, 0, P, RW, PA);
	assert_int_equal(ut_load64(&u, ro), 0);
	assert_int_equal(ut_access(&u, KMM_ACCESS_STORE, ro + 16, &v, 8), SIGSEGV);
	assert_int_equal(u.t.last_sig.si_code, SEGV_ACCERR);
	assert_int_equal(u.t.last_sig.esr, 0x9200004full);
	assert_int_equal(u.t.last_sig.far, ro + 16);
	ut_store64(&u, rw, 5);
	assert_int_equal(ut_access(&u, KMM_ACCESS_IFETCH, rw, &v, 4), SIGSEGV);
	assert_int_equal(u.t.last_sig.si_code, SEGV_ACCERR);
	assert_int_equal(u.t.last_sig.esr, 0x8200000full);
	/* a kernel address from EL0: do_bad_area, the ESR sanitised to a level-0 fault */
	assert_int_equal(ut_access(&u, KMM_ACCESS_LOAD, 0xffff000000001000ull, &v, 8), SIGSEGV);
	assert_int_equal(u.t.last_sig.si_code, SEGV_MAPERR);
	assert_int_equal(u.t.last_sig.esr & 0x3f, 0x04);
	ut_check(m);
	ut_exit(&u);
	test_machine_done(m);
}

/*
 * fork: the child's copy write-protects both; a write in either copies (the other keeps
 * its data: checksums), and once the other side has its own copy the last sharer reuses
 * its page (PageAnonExclusive after the copy: wp_page_reuse, pgreuse + 1).
 */
static void test_fault_fork_cow_isolation(void **state)
{
	struct kmm_machine *m = boot(NULL);
	struct utask parent, child;
	unsigned long va, reuse;
	const unsigned n = 16;
	uint64_t psum, csum;
	struct page *page;

	ut_init(&parent, m, 1);
	va = ut_mmap(&parent, 0, n * P, RW, PA);
	for (unsigned i = 0; i < n; i++)
		ut_store64(&parent, va + i * P, pattern(va + i * P, 1));
	psum = checksum(&parent, va, n);
	page = pfn_to_page(&m->kernel, pte_pfn(__pte(ut_pte(&parent, va))));
	assert_true(PageAnonExclusive(page));

	memcpy(&child, &parent, sizeof(child));
	child.asid = 2;
	child.t.pid = 2;
	child.t.min_flt = 0;
	memset(&child.t.rss_stat, 0, sizeof(child.t.rss_stat));
	sync_mm_rss(&parent.t, parent.t.mm);
	child.t.mm = dup_mm(&child.t, parent.t.mm);
	assert_non_null(child.t.mm);
	ut_check(m);
	assert_int_equal(page_mapcount(page), 2);
	assert_false(PageAnonExclusive(page));
	assert_true(ut_pte(&parent, va) & PTE_RDONLY);
	assert_false(ut_pte(&child, va) & PTE_AF); /* copy_present_pte: old in the child */
	assert_int_equal(get_mm_counter(child.t.mm, MM_ANONPAGES), n);
	assert_int_equal(checksum(&child, va, n), psum);

	/* the child writes every page: the parent sees none of it */
	for (unsigned i = 0; i < n; i++)
		ut_store64(&child, va + i * P, pattern(va + i * P, 2));
	csum = checksum(&child, va, n);
	assert_int_equal(checksum(&parent, va, n), psum);
	assert_int_equal(page_mapcount(page), 1);
	ut_check(m);

	/* the parent is the last sharer of its pages: a write reuses them */
	reuse = m->kernel.vm_events[PGREUSE];
	ut_store64(&parent, va, pattern(va, 3));
	assert_int_equal(m->kernel.vm_events[PGREUSE], reuse + 1);
	assert_int_equal(pte_pfn(__pte(ut_pte(&parent, va))), page_to_pfn(&m->kernel, page));
	assert_int_equal(checksum(&child, va, n), csum);
	ut_check(m);
	ut_exit(&child);
	ut_check(m);
	assert_int_equal(ut_load64(&parent, va), pattern(va, 3));
	ut_exit(&parent);
	test_machine_done(m);
}

/*
 * cortex-a57 has no hardware access flag: after folio_referenced clears the AF, the next
 * load takes an access-flag fault (pgfault + 1, handled by handle_pte_fault's young path);
 * on "max" (FEAT_HAFDBS, TCR.HA) the MMU sets it and there is no fault.
 */
static void test_fault_access_flag_by_cpu(void **state)
{
	const char *cpus[] = {"cortex-a57", "max"};

	for (int c = 0; c < 2; c++) {
		struct kmm_machine *m = boot(cpus[c]);
		struct utask u;
		unsigned long va, flt, vmf;
		struct folio *folio;

		ut_init(&u, m, 1);
		va = ut_mmap(&u, 0, P, RW, PA);
		ut_store64(&u, va, 42);
		folio = page_folio(pfn_to_page(&m->kernel, pte_pfn(__pte(ut_pte(&u, va)))));
		assert_int_equal(folio_referenced(&m->kernel, folio, 0, &vmf), 1);
		assert_false(ut_pte(&u, va) & PTE_AF);
		assert_int_equal(folio_referenced(&m->kernel, folio, 0, &vmf), 0);
		flt = u.t.min_flt;
		assert_int_equal(ut_load64(&u, va), 42);
		assert_true(ut_pte(&u, va) & PTE_AF);
		assert_int_equal(u.t.min_flt, flt + (c == 0 ? 1 : 0));
		ut_check(m);
		ut_exit(&u);
		test_machine_done(m);
	}
}

/*
 * munmap zaps: pages back to the allocator, NR_ANON_MAPPED and rss down, the page tables
 * that only the range used freed (pgtables_bytes back to what the empty mm had: 0).
 */
/* Free pages plus slab pages (drained): what munmap and exit must give back. */
static unsigned long free_and_slab_pages(struct kmm_machine *m)
{
	unsigned long v = 0;

	assert_int_equal(kmm_drain_all_pages(m), KMM_OK);
	for (int z = 0; z < MAX_NR_ZONES; z++)
		v += (unsigned long)m->kernel.node_data[0]->node_zones[z].vm_stat[NR_FREE_PAGES];
	return v + node_stat(m, NR_SLAB_UNRECLAIMABLE_B) / PAGE_SIZE;
}

static void test_fault_munmap_frees_pages_and_tables(void **state)
{
	struct kmm_machine *m = boot(NULL);
	struct utask u;
	unsigned long va, free_before, ptab;
	const unsigned n = 600; /* crosses a 2 MiB boundary: two PTE tables at least */

	ut_init(&u, m, 1);
	free_before = free_and_slab_pages(m);
	ptab = node_stat(m, NR_PAGETABLE);
	va = ut_mmap(&u, 0, n * P, RW, PA);
	for (unsigned i = 0; i < n; i++)
		ut_store64(&u, va + i * P, i);
	sync_mm_rss(&u.t, u.t.mm);
	assert_int_equal(get_mm_counter(u.t.mm, MM_ANONPAGES), n);
	/* PUD + PMD + 2 or 3 PTE tables, depending on how the range sits in 2 MiB blocks */
	assert_true(u.t.mm->pgtables_bytes >= 4 * 4096 && u.t.mm->pgtables_bytes <= 5 * 4096);
	/* the PUD table has no pgtable ctor in 6.1: not in NR_PAGETABLE */
	assert_int_equal(node_stat(m, NR_PAGETABLE), ptab + u.t.mm->pgtables_bytes / 4096 - 1);
	assert_int_equal(free_and_slab_pages(m), free_before - n - u.t.mm->pgtables_bytes / 4096);
	ut_check(m);
	assert_int_equal(do_munmap(u.t.mm, va, n * P), 0);
	assert_int_equal(get_mm_counter(u.t.mm, MM_ANONPAGES), 0);
	assert_int_equal(u.t.mm->pgtables_bytes, 0);
	assert_int_equal(node_stat(m, NR_PAGETABLE), ptab);
	rcu_barrier_tables(&m->kernel); /* the tables go an RCU grace period after the unmap */
	assert_int_equal(free_and_slab_pages(m), free_before);
	ut_check(m);
	ut_exit(&u);
	test_machine_done(m);
}

/*
 * MAP_POPULATE write-faults every page of a private writable mapping (min_flt counts them
 * as gup faults of current); get_user_pages(FOLL_WRITE) on a COW-shared page breaks COW;
 * a pin takes GUP_PIN_COUNTING_BIAS and makes fork copy the pinned exclusive page.
 */
static void test_fault_populate_and_gup(void **state)
{
	struct kmm_machine *m = boot(NULL);
	struct utask u, child;
	unsigned long va;
	struct page *pages[4];
	int ref;

	ut_init(&u, m, 1);
	va = ut_mmap(&u, 0, 8 * P, RW, PA | MAP_POPULATE);
	assert_int_equal(u.t.min_flt, 8);
	assert_int_equal(ut_rss(&u, MM_ANONPAGES), 8);
	for (unsigned i = 0; i < 8; i++)
		assert_false(ut_pte(&u, va + i * P) & PTE_RDONLY);
	ut_store64(&u, va, 99);
	assert_int_equal(u.t.min_flt, 8);
	assert_int_equal(get_user_pages(u.t.mm, va, 2, FOLL_WRITE, pages), 2);
	assert_int_equal(page_to_pfn(&m->kernel, pages[0]), pte_pfn(__pte(ut_pte(&u, va))));
	put_page(&m->kernel, pages[0]);
	put_page(&m->kernel, pages[1]);
	/* a pin: refcount + 1024; fork then copies the page instead of sharing it */
	ref = page_ref_count(pfn_to_page(&m->kernel, pte_pfn(__pte(ut_pte(&u, va)))));
	assert_int_equal(pin_user_pages(u.t.mm, va, 1, FOLL_WRITE | FOLL_LONGTERM, pages), 1);
	assert_int_equal(page_ref_count(pages[0]), ref + GUP_PIN_COUNTING_BIAS);
	memcpy(&child, &u, sizeof(child));
	child.asid = 2;
	sync_mm_rss(&u.t, u.t.mm);
	memset(&child.t.rss_stat, 0, sizeof(child.t.rss_stat));
	child.t.mm = dup_mm(&child.t, u.t.mm);
	assert_non_null(child.t.mm);
	assert_int_not_equal(pte_pfn(__pte(ut_pte(&child, va))), page_to_pfn(&m->kernel, pages[0]));
	assert_int_equal(pte_pfn(__pte(ut_pte(&child, va + P))),
			 pte_pfn(__pte(ut_pte(&u, va + P))));
	assert_int_equal(ut_load64(&child, va), 99);
	assert_int_equal(page_mapcount(pages[0]), 1);
	ut_check(m);
	unpin_user_page(&m->kernel, pages[0]);
	assert_int_equal(page_ref_count(pages[0]), ref);
	ut_exit(&child);
	ut_exit(&u);
	test_machine_done(m);
}

/* The per-task rss cache is folded into the mm every TASK_RSS_EVENTS_THRESH (64) faults. */
static void test_fault_split_rss_counting(void **state)
{
	struct kmm_machine *m = boot(NULL);
	struct utask u;
	unsigned long va;

	ut_init(&u, m, 1);
	va = ut_mmap(&u, 0, 100 * P, RW, PA);
	for (unsigned i = 0; i < 60; i++)
		ut_store64(&u, va + i * P, i);
	/* events counts faults; no sync yet: the mm's own count still 0 */
	assert_int_equal(u.t.mm->rss_stat[MM_ANONPAGES], 0);
	assert_int_equal(u.t.rss_stat.count[MM_ANONPAGES], 60);
	for (unsigned i = 60; i < 100; i++)
		ut_store64(&u, va + i * P, i);
	/* check_sync_rss_stat: events++ > 64 syncs at the 66th fault, before it maps its page */
	assert_int_equal(u.t.mm->rss_stat[MM_ANONPAGES], 65);
	assert_int_equal(u.t.rss_stat.count[MM_ANONPAGES], 35);
	ut_check(m);
	ut_exit(&u);
	test_machine_done(m);
}

/*
 * A fault below a VM_GROWSDOWN VMA grows it (expand_stack in __do_page_fault, stack_vm up);
 * one that would bring it within stack_guard_gap of the mapping below is SEGV_MAPERR.
 */
static void test_fault_stack_growth_and_guard(void **state)
{
	struct kmm_machine *m = boot(NULL);
	struct utask u;
	unsigned long top = 0x7000000000ul, gap = 256 * P, below;
	uint64_t v = 1;

	ut_init(&u, m, 1);
	assert_int_equal(ut_mmap(&u, top - 4 * P, 4 * P, RW, PA | MAP_FIXED | MAP_GROWSDOWN),
			 top - 4 * P);
	below = top - 20 * P - gap;
	assert_int_equal(ut_mmap(&u, below - P, P, RW, PA | MAP_FIXED), below - P);
	ut_store64(&u, top - 10 * P + 8, 3); /* 6 pages below the start */
	assert_int_equal(vma_lookup(u.t.mm, top - P)->vm_start, top - 10 * P);
	assert_int_equal(u.t.mm->stack_vm, 10);
	ut_store64(&u, top - 20 * P, 4); /* exactly the guard gap above the mapping below */
	assert_int_equal(ut_access(&u, KMM_ACCESS_STORE, top - 21 * P, &v, 8), SIGSEGV);
	assert_int_equal(u.t.last_sig.si_code, SEGV_MAPERR);
	assert_int_equal(vma_lookup(u.t.mm, top - P)->vm_start, top - 20 * P);
	ut_check(m);
	ut_exit(&u);
	test_machine_done(m);
}

struct trace_log {
	int n;
	char last[256];
};

static void record(void *arg, const char *event, const char *line, size_t len)
{
	struct trace_log *log = arg;

	(void)event;
	log->n++;
	snprintf(log->last, sizeof(log->last), "%.*s", (int)len, line);
}

/*
 * kmem:rss_stat fires when a counter of the mm itself changes (sync_mm_rss, zap), with the
 * size in bytes; mmap:vm_unmapped_area for each search, with the kernel's fields.
 */
static void test_fault_trace_events(void **state)
{
	struct kmm_machine *m = boot(NULL);
	struct trace_log log = {0};
	struct utask u;
	unsigned long va;

	ut_init(&u, m, 1);
	kmm_trace_set_handler(m, record, &log);
	assert_int_equal(kmm_trace_enable(m, "vm_unmapped_area", true), KMM_OK);
	va = ut_mmap(&u, 0, 3 * P, RW, PA);
	assert_int_equal(log.n, 1);
	assert_non_null(strstr(log.last,
			       "addr=0xfffff7ffd000 err=0 total_vm=0x0 flags=0x1 "
			       "len=0x3000 lo=0x1000 hi=0xfffff8000000 mask=0x0 ofs=0x0"));
	assert_int_equal(kmm_trace_enable(m, "rss_stat", true), KMM_OK);
	for (unsigned i = 0; i < 3; i++)
		ut_store64(&u, va + i * P, i);
	assert_int_equal(log.n, 1); /* the per-task cache took them */
	sync_mm_rss(&u.t, u.t.mm);
	assert_int_equal(log.n, 2);
	assert_non_null(strstr(log.last, "curr=1 type=MM_ANONPAGES size=12288B"));
	ut_check(m);
	ut_exit(&u);
	test_machine_done(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fault_zero_page_then_write),
		cmocka_unit_test(test_fault_sigsegv_syndromes),
		cmocka_unit_test(test_fault_fork_cow_isolation),
		cmocka_unit_test(test_fault_access_flag_by_cpu),
		cmocka_unit_test(test_fault_munmap_frees_pages_and_tables),
		cmocka_unit_test(test_fault_populate_and_gup),
		cmocka_unit_test(test_fault_split_rss_counting),
		cmocka_unit_test(test_fault_stack_growth_and_guard),
		cmocka_unit_test(test_fault_trace_events),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
