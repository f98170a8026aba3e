/*
 * The mmu_gather of a munmap as Linux 6.1 has it: 8 pages in the on-stack bundle, then batch
 * pages of MAX_GATHER_BATCH (510) entries, at most MAX_GATHER_BATCH_COUNT (19); the TLB
 * flushed per VMA with the gathered range (per page below MAX_TLBI_OPS = 512 pages, the whole
 * ASID at or above it), the page tables through the table batch, freed an RCU grace period
 * later; and the rss cache of current folded into the mm before the zap's own changes
 * (add_mm_rss_vec), so VmRSS moves as the capture's munmap steps show.
 *
 * Covers: src/mm/memory.c (gather, zap, free_pgtables, add_mm_rss_vec), src/mm/madvise.c
 * (MADV_DONTNEED through zap_page_range). Expected values are worked out in the comments
 * from the kernel's constants and the capture (faults-smp1-1G, experiments 1 and 2).
 * The CPU is cortex-a57: no FEAT_TLBIRANGE, so a range flush is one TLBI per stride.
 */
#include "mm_test.h"

#include "arch/arm64/include/asm/tlbflush.h"
#include "mm/mman.h"

#define P  PAGE_SIZE
#define RW (PROT_READ | PROT_WRITE)
#define PF (MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED)

/* 2 MiB-aligned, inside the first 1 GiB: the region and its guard share one PMD table. */
#define REGION 0x10000000UL
#define GUARD  (REGION + 0x8000000UL) /* 128 MiB above: its PTE table is not the region's */

static struct kmm_machine *boot(void)
{
	struct kmm_config cfg;

	kmm_config_init(&cfg);
	assert_int_equal(kmm_config_set_ram(&cfg, 1ull << 30), KMM_OK);
	assert_int_equal(kmm_config_option(&cfg, "-cpu", "cortex-a57"), KMM_OK);
	return test_machine(&cfg);
}

static unsigned long pgalloc(struct kmm_machine *m)
{
	unsigned long v = 0;

	for (int z = 0; z < MAX_NR_ZONES; z++)
		v += m->kernel.vm_events[PGALLOC_DMA + z];
	return v;
}

static unsigned long pgfree(struct kmm_machine *m)
{
	return m->kernel.vm_events[PGFREE];
}

/* VmRSS in kB as /proc/<pid>/status shows it: the mm's synced counters only. */
static long vmrss_kb(struct utask *u)
{
	return (long)get_mm_rss(u->t.mm) << (PAGE_SHIFT - 10);
}

/* A region of @n pages at REGION and a one-page guard at GUARD, each written once. */
static void map_region(struct utask *u, unsigned long n)
{
	assert_int_equal(ut_mmap(u, GUARD, P, RW, PF), GUARD);
	ut_store64(u, GUARD, 7);
	assert_int_equal(ut_mmap(u, REGION, n * P, RW, PF), REGION);
	/* experiments 1 and 2 map 4 KiB pages (MADV_NOHUGEPAGE): no THP on a 1 GiB machine */
	assert_int_equal(do_madvise(u->t.mm, REGION, n * P, MADV_NOHUGEPAGE), 0);
}

static void write_region(struct utask *u, unsigned long first, unsigned long n)
{
	for (unsigned long i = first; i < first + n; i++)
		ut_store64(u, REGION + i * P, i * 0x9e3779b97f4a7c15ull);
}

/*
 * 4 MiB (1024 pages) at a 2 MiB boundary, as experiment 1/2's munmap: the zap takes 8 pages
 * into the bundle, then batch pages: the bundle fills at page 8 (batch page 1), that one at
 * page 8 + 510 = 518 (batch page 2), which holds the other 506: 2 batch pages. The two PTE
 * tables go to a table batch (1 page). So pgalloc +3; pgfree +1024 pages +2 batch pages = 1026
 * in the call; the tables and their batch page (+3) an RCU grace period later: the grace
 * period ends at the first run point (evq.h: an API call's return), the callback runs at the
 * second. The zap's flush is 1024 pages >= MAX_TLBI_OPS: one flush_tlb_mm (by way of
 * __flush_tlb_range); the tables' flush: range [REGION, REGION + 2 MiB + 4 KiB) at the PMD
 * stride, not last level: 2 strides, 2 TLBIs; with the ASIDE1IS of flush_tlb_mm, 3 user TLBIs.
 */
static void test_gather_munmap_4M(void **state)
{
	struct kmm_machine *m = boot();
	struct tlbflush_stats t0;
	struct utask u;
	unsigned long a0, f0, ptab;

	ut_init(&u, m, 1);
	map_region(&u, 1024);
	write_region(&u, 0, 1024);
	ut_check(m);
	ptab = node_stat(m, NR_PAGETABLE);
	a0 = pgalloc(m);
	f0 = pgfree(m);
	t0 = m->kernel.tlbflush;
	assert_int_equal(do_munmap(u.t.mm, REGION, 1024 * P), 0);
	assert_int_equal(pgalloc(m) - a0, 3);
	assert_int_equal(pgfree(m) - f0, 1026);
	assert_int_equal(node_stat(m, NR_PAGETABLE), ptab - 2);
	assert_int_equal(m->kernel.tlbflush.range_to_mm - t0.range_to_mm, 1);
	assert_int_equal(m->kernel.tlbflush.mm - t0.mm, 1);
	assert_int_equal(m->kernel.tlbflush.range - t0.range, 1);
	assert_int_equal(m->kernel.tlbflush.user_tlbi - t0.user_tlbi, 1 + 2);
	assert_int_equal(rcu_tables_pending(&m->kernel), 1);
	env_run_due(&m->env); /* run point 1 (an API call's return): the grace period ends */
	ut_check(m);
	assert_int_equal(pgfree(m) - f0, 1026);
	assert_int_equal(rcu_tables_pending(&m->kernel), 1);
	env_run_due(&m->env); /* run point 2: the callback frees 2 PTE tables + the batch page */
	assert_int_equal(pgfree(m) - f0, 1029);
	assert_int_equal(rcu_tables_pending(&m->kernel), 0);
	assert_int_equal(pgalloc(m) - a0, 3);
	ut_check(m);
	ut_exit(&u);
	test_machine_done(m);
}

/*
 * 100 pages out of the middle of a 512-page region (one PTE table, kept by the VMAs either
 * side): 100 > 8, so 1 batch page (pgalloc +1, pgfree +101); no table freed; the flush is
 * below MAX_TLBI_OPS: per page, 100 last-level TLBIs, no flush_tlb_mm.
 */
static void test_gather_munmap_small_per_page(void **state)
{
	struct kmm_machine *m = boot();
	struct tlbflush_stats t0;
	struct utask u;
	unsigned long a0, f0;

	ut_init(&u, m, 1);
	map_region(&u, 512);
	write_region(&u, 0, 512);
	ut_check(m);
	a0 = pgalloc(m);
	f0 = pgfree(m);
	t0 = m->kernel.tlbflush;
	assert_int_equal(do_munmap(u.t.mm, REGION + 100 * P, 100 * P), 0);
	assert_int_equal(pgalloc(m) - a0, 1);
	assert_int_equal(pgfree(m) - f0, 101);
	assert_int_equal(m->kernel.tlbflush.range - t0.range, 1);
	assert_int_equal(m->kernel.tlbflush.range_to_mm - t0.range_to_mm, 0);
	assert_int_equal(m->kernel.tlbflush.mm - t0.mm, 0);
	assert_int_equal(m->kernel.tlbflush.user_tlbi - t0.user_tlbi, 100);
	assert_int_equal(rcu_tables_pending(&m->kernel), 0);
	ut_check(m);
	/* the pages either side kept their data */
	assert_int_equal(ut_load64(&u, REGION + 99 * P), 99 * 0x9e3779b97f4a7c15ull);
	assert_int_equal(ut_load64(&u, REGION + 200 * P), 200 * 0x9e3779b97f4a7c15ull);
	ut_check(m);
	ut_exit(&u);
	test_machine_done(m);
}

/*
 * 20000 pages (78 MiB): the gather holds 8 + 19 * 510 = 9698 pages at most. It allocates 19
 * batch pages once, fills at pages 9698 and 19396 (a forced flush each: TLB, then the frees,
 * reusing the same batch pages), and the rest (604) goes at the VMA's end: three zap flushes,
 * each >= 512 pages, so three whole-ASID flushes. Tables: pages 0..19999 span 40 PTE tables
 * (20000 / 512 = 39.06), all freed (the guard is 128 MiB up): 1 table batch page. The tables'
 * flush covers [REGION, REGION + 39 * 2 MiB + 4 KiB) at the PMD stride: 40 TLBIs, after the
 * three ASIDE1IS of the zap flushes.
 * pgalloc +19 +1; pgfree 20000 + 19 in the call, 40 + 1 after the grace period.
 */
static void test_gather_munmap_batch_limit(void **state)
{
	struct kmm_machine *m = boot();
	struct tlbflush_stats t0;
	struct utask u;
	unsigned long a0, f0;
	const unsigned long n = 20000;

	ut_init(&u, m, 1);
	map_region(&u, n);
	write_region(&u, 0, n);
	ut_check(m);
	a0 = pgalloc(m);
	f0 = pgfree(m);
	t0 = m->kernel.tlbflush;
	assert_int_equal(do_munmap(u.t.mm, REGION, n * P), 0);
	assert_int_equal(pgalloc(m) - a0, MAX_GATHER_BATCH_COUNT + 1);
	assert_int_equal(pgfree(m) - f0, n + MAX_GATHER_BATCH_COUNT);
	assert_int_equal(m->kernel.tlbflush.range_to_mm - t0.range_to_mm, 3);
	assert_int_equal(m->kernel.tlbflush.mm - t0.mm, 3);
	assert_int_equal(m->kernel.tlbflush.range - t0.range, 1);
	assert_int_equal(m->kernel.tlbflush.user_tlbi - t0.user_tlbi, 3 + 40);
	assert_int_equal(rcu_tables_pending(&m->kernel), 1);
	rcu_barrier_tables(&m->kernel);
	assert_int_equal(pgfree(m) - f0, n + MAX_GATHER_BATCH_COUNT + 41);
	assert_int_equal(rcu_tables_pending(&m->kernel), 0);
	ut_check(m);
	ut_exit(&u);
	test_machine_done(m);
}

/*
 * The rss cache (TASK_RSS_EVENTS_THRESH = 64): check_sync_rss_stat folds it at the fault
 * whose events count was already 65, i.e. every 66th fault after a sync (sync_mm_rss zeroes
 * the count), before that fault maps its page.
 *
 * Experiment 2's pattern, from a fresh sync: 1024 write faults sync at faults 66, 132, ...,
 * 990 (= 15 * 66); the last folds faults 1..989, leaving 35 pages in the cache: VmRSS +989
 * pages = +3956 kB (the capture's write_touch). munmap's add_mm_rss_vec folds the 35 in first,
 * then takes the 1024 away: VmRSS -3956 kB (the capture's munmap).
 *
 * Experiment 1's pattern: 32 reads of the zero page first (faults too: events, no rss), then
 * the 1024 writes: fault 32 + 1024 = 1056 = 16 * 66 is the last write, which folds the 1023
 * before it: VmRSS +4092 kB with 1 page pending; munmap: -4092 kB, as the capture shows.
 */
static void rss_case(unsigned reads, long touch_kb)
{
	struct kmm_machine *m = boot();
	struct utask u;
	long rss0;

	ut_init(&u, m, 1);
	map_region(&u, 1024);
	sync_mm_rss(&u.t, u.t.mm); /* a fresh cache: events 0 */
	rss0 = vmrss_kb(&u);
	for (unsigned i = 0; i < reads; i++)
		assert_int_equal(ut_load64(&u, REGION + i * P), 0);
	write_region(&u, 0, 1024);
	assert_int_equal(vmrss_kb(&u) - rss0, touch_kb);
	assert_int_equal(u.t.rss_stat.count[MM_ANONPAGES], 1024 - touch_kb / 4);
	ut_check(m);
	rss0 = vmrss_kb(&u);
	assert_int_equal(do_munmap(u.t.mm, REGION, 1024 * P), 0);
	assert_int_equal(vmrss_kb(&u) - rss0, -touch_kb);
	assert_int_equal(u.t.rss_stat.count[MM_ANONPAGES], 0);
	assert_int_equal(u.t.rss_stat.events, 0);
	ut_check(m);
	ut_exit(&u);
	test_machine_done(m);
}

static void test_gather_rss_sync_exp2(void **state)
{
	rss_case(0, 3956);
}

static void test_gather_rss_sync_exp1(void **state)
{
	rss_case(32, 4092);
}

/*
 * MADV_DONTNEED zaps through the same path: after experiment 1's pattern (1 page pending),
 * dropping 256 pages folds the pending page in and takes 256 away: VmRSS -255 pages = -1020
 * kB; a zap of another mm (current not running it) leaves current's cache alone.
 */
static void test_gather_rss_sync_dontneed(void **state)
{
	struct kmm_machine *m = boot();
	struct utask u;
	long rss0;

	ut_init(&u, m, 1);
	map_region(&u, 1024);
	sync_mm_rss(&u.t, u.t.mm);
	for (unsigned i = 0; i < 32; i++)
		assert_int_equal(ut_load64(&u, REGION + i * P), 0);
	write_region(&u, 0, 1024);
	assert_int_equal(u.t.rss_stat.count[MM_ANONPAGES], 1);
	ut_check(m);
	rss0 = vmrss_kb(&u);
	assert_int_equal(do_madvise(u.t.mm, REGION, 256 * P, MADV_DONTNEED), 0);
	assert_int_equal(vmrss_kb(&u) - rss0, -1020);
	assert_int_equal(u.t.rss_stat.count[MM_ANONPAGES], 0);
	ut_check(m);
	/* the dropped pages read back zero; the rest kept their data */
	assert_int_equal(ut_load64(&u, REGION + 255 * P), 0);
	assert_int_equal(ut_load64(&u, REGION + 256 * P), 256 * 0x9e3779b97f4a7c15ull);
	/* not current: the zap goes straight into the mm, current's cache untouched */
	write_region(&u, 0, 1);
	set_current_task(u.k, NULL);
	rss0 = vmrss_kb(&u);
	{
		long pending = u.t.rss_stat.count[MM_ANONPAGES];

		assert_true(pending > 0);
		assert_int_equal(do_madvise(u.t.mm, REGION, P, MADV_DONTNEED), 0);
		assert_int_equal(u.t.rss_stat.count[MM_ANONPAGES], pending);
		assert_int_equal(vmrss_kb(&u) - rss0, -4);
	}
	ut_switch(&u);
	ut_check(m);
	ut_exit(&u);
	test_machine_done(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_gather_munmap_4M),
		cmocka_unit_test(test_gather_munmap_small_per_page),
		cmocka_unit_test(test_gather_munmap_batch_limit),
		cmocka_unit_test(test_gather_rss_sync_exp2),
		cmocka_unit_test(test_gather_rss_sync_exp1),
		cmocka_unit_test(test_gather_rss_sync_dontneed),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
