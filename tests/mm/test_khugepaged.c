/*
 * khugepaged and MADV_COLLAPSE (src/mm/khugepaged.c): 512 small anonymous pages of a 2 MiB
 * aligned range become one THP mapped by a PMD block, with every page's data kept.
 *
 * The ranges are populated with enabled=madvise and no MADV_HUGEPAGE, so the faults map 4 KiB
 * pages; MADV_HUGEPAGE then makes the VMA eligible and registers the mm (the VMA has its
 * anon_vma: hugepage_madvise's khugepaged_enter_vma). Expected values follow 6.1's rules:
 *  - hpage_collapse_scan_pmd refuses a range with more than max_ptes_none none-or-zero PTEs,
 *    more than max_ptes_swap swap PTEs, more than max_ptes_shared pages mapped twice, a page
 *    with a reference beyond its mappings (a pin), or no young page; MADV_COLLAPSE applies
 *    none of the three limits nor the young test;
 *  - a pass scans pages_to_scan: 1 for the mm, 512 per PMD range, and ends after an attempted
 *    collapse once that is reached; passes are scan_sleep_millisecs apart;
 *  - pages_collapsed counts collapsed THPs, full_scans the times the cursor left the last mm.
 * Data is checksummed over all 512 pages across each collapse; kmm_check after each step.
 */
#include "mm_test.h"

#include "kmm/mmu.h"
#include "kmm/trace.h"
#include "mm/gfp.h"
#include "mm/huge_mm.h"
#include "mm/khugepaged.h"
#include "mm/mman.h"
#include "mm/swapfile.h"
#include "mm/swapops.h"
#include "mm/vmscan.h"

#define P  PAGE_SIZE
#define HP (2UL << 20)
#define NR 512UL
#define RW (PROT_READ | PROT_WRITE)
#define PF (MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED)
#define VA 0x40000000UL /* 2 MiB aligned */
#define MS 1000000ULL	/* ns */

static struct kmm_machine *boot(void)
{
	struct kmm_config cfg;

	kmm_config_init(&cfg);
	assert_int_equal(kmm_config_set_ram(&cfg, 1ull << 30), KMM_OK);
	assert_int_equal(kmm_config_option(&cfg, "-cpu", "cortex-a57"), KMM_OK);
	return test_machine(&cfg);
}

static unsigned long ev(struct kmm_machine *m, enum vm_event_item i)
{
	return m->kernel.vm_events[i];
}

static uint64_t pattern(uint64_t va, uint64_t salt)
{
	return (va ^ (salt << 56)) * 0x9e3779b97f4a7c15ull;
}

/* Writes pattern(salt) at the start and the end of each page of [va, va + n pages). */
static void fill(struct utask *u, unsigned long va, unsigned long n, uint64_t salt)
{
	for (unsigned long i = 0; i < n; i++) {
		ut_store64(u, va + i * P, pattern(va + i * P, salt));
		ut_store64(u, va + i * P + P - 8, ~pattern(va + i * P, salt));
	}
}

static bool page_holds(struct utask *u, unsigned long a, uint64_t salt)
{
	return ut_load64(u, a) == pattern(a, salt) && ut_load64(u, a + P - 8) == ~pattern(a, salt);
}

static bool page_zero(struct utask *u, unsigned long a)
{
	return ut_load64(u, a) == 0 && ut_load64(u, a + P - 8) == 0;
}

static bool holds(struct utask *u, unsigned long va, unsigned long n, uint64_t salt)
{
	for (unsigned long i = 0; i < n; i++)
		if (!page_holds(u, va + i * P, salt))
			return false;
	return true;
}

static pmd_t pmd_at(struct utask *u, unsigned long va)
{
	pmd_t *p = mm_find_pmd(u->t.mm, va);

	return p ? *p : __pmd(0);
}

static bool is_huge(struct utask *u, unsigned long va)
{
	return pmd_trans_huge(pmd_at(u, va));
}

struct sbuf {
	char s[64];
	size_t n;
};

static void sbuf_fn(void *arg, const char *text, size_t len)
{
	struct sbuf *b = arg;

	if (b->n + len < sizeof(b->s)) {
		memcpy(b->s + b->n, text, len);
		b->n += len;
		b->s[b->n] = '\0';
	}
}

static unsigned long knob(struct kmm_machine *m, const char *name)
{
	struct sbuf b = {.n = 0};
	struct sink out = {sbuf_fn, &b};

	assert_int_equal(thp_sysfs_show(&m->kernel, name, &out), 0);
	return strtoul(b.s, NULL, 10);
}

static void set_knob(struct kmm_machine *m, const char *name, const char *val)
{
	assert_int_equal(thp_sysfs_store(&m->kernel, name, val), 0);
}

/*
 * A task with [VA, VA + nr_hp * 2 MiB) mapped, enabled=madvise, 4 KiB pages written by
 * @populate (NULL: none); then MADV_HUGEPAGE over the mapping (registration).
 */
static void setup(struct kmm_machine *m, struct utask *u, unsigned long nr_hp,
		  void (*populate)(struct utask *u))
{
	set_knob(m, "enabled", "madvise");
	ut_init(u, m, 1);
	assert_int_equal(ut_mmap(u, VA, nr_hp * HP, RW, PF), VA);
	if (populate)
		populate(u);
	for (unsigned long i = 0; i < nr_hp; i++)
		assert_false(is_huge(u, VA + i * HP));
	assert_int_equal(do_madvise(u->t.mm, VA, nr_hp * HP, MADV_HUGEPAGE), 0);
	assert_true(u->t.mm->flags & MMF_VM_HUGEPAGE);
	assert_int_equal(khugepaged_nr_mm_slots(u->k), 1);
}

static void populate_one(struct utask *u)
{
	fill(u, VA, NR, 1);
}

/*
 * A fully populated range: one pass of khugepaged collapses it. The PMD becomes a block of
 * the new THP (NR_ANON_THPS 512, MM_ANONPAGES still 512), thp_collapse_alloc 1,
 * pages_collapsed 1; the second (empty, PMD none) range ends the mm, so full_scans is 1. All
 * 512 pages keep their data, and one TLB entry covers them: no walk after the first access.
 */
static void test_khugepaged_collapse_keeps_data_and_maps_block(void **state)
{
	struct kmm_machine *m = boot();
	struct kmm_tlb_stats t0, t1;
	unsigned long pt0;
	struct utask u;

	(void)state;
	assert_int_equal(kmm_trace_enable(m, "huge_memory", true), KMM_OK);
	setup(m, &u, 2, populate_one);
	pt0 = node_stat(m, NR_PAGETABLE);
	assert_int_equal(node_stat(m, NR_ANON_THPS), 0);
	assert_int_equal(khugepaged_scan_now(u.k, 1), 1);
	assert_int_equal(ev(m, THP_COLLAPSE_ALLOC), 1);
	assert_int_equal(ev(m, THP_COLLAPSE_ALLOC_FAILED), 0);
	assert_int_equal(knob(m, "khugepaged/pages_collapsed"), 1);
	assert_int_equal(knob(m, "khugepaged/full_scans"), 1);
	assert_true(is_huge(&u, VA));
	assert_false(is_huge(&u, VA + HP));
	assert_null(mm_pte_lookup(u.t.mm, VA)); /* no PTE level under the block */
	assert_int_equal(node_stat(m, NR_ANON_THPS), NR);
	assert_int_equal(ut_rss(&u, MM_ANONPAGES), NR);
	/* the PTE table moved from the PMD to the deposit: no page-table page more or less */
	assert_int_equal(node_stat(m, NR_PAGETABLE), pt0);
	assert_non_null(strstr(test_view(m, "/sys/kernel/debug/tracing/trace"),
			       "status=succeeded, unmapped=0"));
	assert_non_null(strstr(test_view(m, "/sys/kernel/debug/tracing/trace"),
			       "mm_collapse_huge_page: mm="));
	assert_non_null(strstr(test_view(m, "/sys/kernel/debug/tracing/trace"), "status=pmd_none"));
	ut_check(m);

	assert_true(holds(&u, VA, 1, 1));
	assert_int_equal(kmm_tlb_stats(m, 0, &t0), KMM_OK);
	assert_true(holds(&u, VA, NR, 1)); /* all 512 pages: 1024 loads */
	assert_int_equal(kmm_tlb_stats(m, 0, &t1), KMM_OK);
	assert_int_equal(t1.walks - t0.walks, 0);
	assert_non_null(strstr(test_view(m, "/proc/meminfo"), "AnonHugePages:      2048 kB\n"));
	ut_check(m);
	ut_exit(&u);
	ut_check(m);
	test_machine_done(m);
}

/* Range 0: 510 pages written, page 510 read (the zero page), page 511 untouched. */
static void populate_two_none(struct utask *u)
{
	fill(u, VA, NR - 2, 1);
	assert_int_equal(ut_load64(u, VA + (NR - 2) * P), 0);
}

/*
 * max_ptes_none counts none and zero-page PTEs together: the range has 2. With max_ptes_none
 * 1 the scan refuses it (thp_scan_exceed_none_pte +1, nothing allocated); with 2 it collapses,
 * the zero page's and the untouched page's places zeroed (MM_ANONPAGES 510 -> 512).
 */
static void test_khugepaged_max_ptes_none_boundary(void **state)
{
	struct kmm_machine *m = boot();
	unsigned long exceed;
	struct utask u;

	(void)state;
	setup(m, &u, 1, populate_two_none);
	assert_int_equal(ut_rss(&u, MM_ANONPAGES), NR - 2);
	set_knob(m, "khugepaged/max_ptes_none", "0");
	assert_int_equal(khugepaged_scan_now(u.k, 1), 1);
	assert_int_equal(ev(m, THP_SCAN_EXCEED_NONE_PTE), 1);
	set_knob(m, "khugepaged/max_ptes_none", "1");
	assert_int_equal(khugepaged_scan_now(u.k, 1), 1);
	assert_int_equal(ev(m, THP_SCAN_EXCEED_NONE_PTE), 2);
	assert_int_equal(ev(m, THP_COLLAPSE_ALLOC), 0);
	assert_false(is_huge(&u, VA));
	assert_int_equal(knob(m, "khugepaged/full_scans"), 2);
	ut_check(m);
	assert_true(holds(&u, VA, NR - 2, 1)); /* the thread's first pass refuses it too */
	ut_check(m);
	exceed = ev(m, THP_SCAN_EXCEED_NONE_PTE);

	set_knob(m, "khugepaged/max_ptes_none", "2");
	assert_int_equal(khugepaged_scan_now(u.k, 1), 1);
	assert_int_equal(ev(m, THP_SCAN_EXCEED_NONE_PTE), exceed);
	assert_int_equal(ev(m, THP_COLLAPSE_ALLOC), 1);
	assert_true(is_huge(&u, VA));
	assert_int_equal(ut_rss(&u, MM_ANONPAGES), NR);
	assert_int_equal(knob(m, "khugepaged/pages_collapsed"), 1);
	ut_check(m);
	assert_true(holds(&u, VA, NR - 2, 1));
	assert_true(page_zero(&u, VA + (NR - 2) * P));
	assert_true(page_zero(&u, VA + (NR - 1) * P));
	ut_check(m);
	ut_exit(&u);
	test_machine_done(m);
}

/* Range 0 filled, range 1 with 448 pages (64 none), range 2 with 447 (65 none). */
static void populate_three(struct utask *u)
{
	fill(u, VA, NR, 1);
	fill(u, VA + HP, NR - 64, 2);
	fill(u, VA + 2 * HP, NR - 65, 3);
}

/*
 * max_ptes_none 64 over three ranges in one pass (pages_to_scan 4096): 0 and 1 collapse, 2
 * (65 none) is refused. Progress: 1 + 512 (collapse, back to do_scan) + 1 + 512 (collapse) +
 * 1 + 512 (refused) then the VMA's end: full_scans 1.
 */
static void test_khugepaged_max_ptes_none_64(void **state)
{
	struct kmm_machine *m = boot();
	struct utask u;

	(void)state;
	setup(m, &u, 3, populate_three);
	set_knob(m, "khugepaged/max_ptes_none", "64");
	assert_int_equal(khugepaged_scan_now(u.k, 1), 1);
	assert_int_equal(knob(m, "khugepaged/pages_collapsed"), 2);
	assert_int_equal(knob(m, "khugepaged/full_scans"), 1);
	assert_int_equal(ev(m, THP_SCAN_EXCEED_NONE_PTE), 1);
	assert_true(is_huge(&u, VA));
	assert_true(is_huge(&u, VA + HP));
	assert_false(is_huge(&u, VA + 2 * HP));
	assert_int_equal(ut_rss(&u, MM_ANONPAGES), 2 * NR + NR - 65);
	ut_check(m);
	assert_true(holds(&u, VA, NR, 1));
	assert_true(holds(&u, VA + HP, NR - 64, 2));
	for (unsigned long i = NR - 64; i < NR; i++)
		assert_true(page_zero(&u, VA + HP + i * P));
	assert_true(holds(&u, VA + 2 * HP, NR - 65, 3));
	ut_check(m);
	ut_exit(&u);
	test_machine_done(m);
}

static void swap_on(struct kmm_machine *m)
{
	struct swap_dev *dev = NULL;

	assert_int_equal(
		swap_dev_create(&m->kernel, SWAP_DEV_PLAIN, "/dev/vdb", 16ull << 20, NULL, &dev),
		0);
	assert_int_equal(sys_swapon(&m->kernel, dev, 0), 0);
	ut_check(m);
}

static unsigned swapped(struct utask *u, unsigned long va, unsigned long n)
{
	unsigned c = 0;

	for (unsigned long i = 0; i < n; i++)
		c += is_swap_pte(__pte(ut_pte(u, va + i * P)));
	return c;
}

/*
 * max_ptes_swap (64 by default): 65 pages paged out refuse the range
 * (thp_scan_exceed_swap_pte); with one of them touched back, 64 swap PTEs pass, 448 young
 * pages (>= 256, the young test with swap PTEs) too: the thread's first pass (created at the
 * touch's run point, run at the next) swaps the 64 back in (__collapse_huge_page_swapin,
 * MM_SWAPENTS 0) and collapses the range with every page's data.
 */
static void test_khugepaged_max_ptes_swap(void **state)
{
	struct kmm_machine *m = boot();
	struct utask u;

	(void)state;
	swap_on(m);
	setup(m, &u, 1, populate_one);
	assert_int_equal(knob(m, "khugepaged/max_ptes_swap"), 64);
	assert_int_equal(do_madvise(u.t.mm, VA, 65 * P, MADV_PAGEOUT), 0);
	assert_int_equal(swapped(&u, VA, NR), 65);
	assert_int_equal(khugepaged_scan_now(u.k, 1), 1);
	assert_int_equal(ev(m, THP_SCAN_EXCEED_SWAP_PTE), 1);
	assert_int_equal(ev(m, THP_COLLAPSE_ALLOC), 0);
	assert_false(is_huge(&u, VA));
	assert_int_equal(kmm_trace_enable(m, "mm_collapse_huge_page_swapin", true), KMM_OK);
	assert_int_equal(ut_load64(&u, VA), pattern(VA, 1)); /* swapped back in by the access */
	assert_int_equal(kmm_idle(m, 1 * MS), KMM_OK);
	assert_non_null(khugepaged_thread(u.k));
	assert_non_null(strstr(test_view(m, "/sys/kernel/debug/tracing/trace"),
			       "swapped_in=64, referenced=448, ret=1"));
	assert_int_equal(ev(m, THP_SCAN_EXCEED_SWAP_PTE), 1);
	assert_int_equal(ev(m, THP_COLLAPSE_ALLOC), 1);
	assert_true(is_huge(&u, VA));
	assert_int_equal(ut_rss(&u, MM_SWAPENTS), 0);
	assert_int_equal(ut_rss(&u, MM_ANONPAGES), NR);
	ut_check(m);
	assert_true(holds(&u, VA, NR, 1));
	ut_check(m);
	ut_exit(&u);
	test_machine_done(m);
}

/*
 * max_ptes_shared (256) after fork: the parent's 512 pages are mapped twice: refused in both
 * mms (thp_scan_exceed_share_pte +2; the child is registered by khugepaged_fork). After the
 * parent rewrites 256 pages (COW: its own copies), 256 are shared: the parent's range passes
 * and collapses; the child's PTEs are all write-protected (COW), so its range is refused as
 * no_writable_page. Both keep their own data.
 */
static void test_khugepaged_max_ptes_shared_after_fork(void **state)
{
	struct kmm_machine *m = boot();
	struct utask parent, child;
	unsigned long shared;

	(void)state;
	setup(m, &parent, 1, populate_one);
	memcpy(&child, &parent, sizeof(child));
	child.asid = 2;
	child.t.pid = 2;
	memset(&child.t.rss_stat, 0, sizeof(child.t.rss_stat));
	sync_mm_rss(&parent.t, parent.t.mm);
	child.t.mm = dup_mm(&child.t, parent.t.mm);
	assert_non_null(child.t.mm);
	assert_true(child.t.mm->flags & MMF_VM_HUGEPAGE);
	assert_int_equal(khugepaged_nr_mm_slots(parent.k), 2);
	assert_int_equal(khugepaged_scan_now(parent.k, 1), 1);
	assert_int_equal(ev(m, THP_SCAN_EXCEED_SHARE_PTE), 2);
	assert_int_equal(ev(m, THP_COLLAPSE_ALLOC), 0);
	ut_check(m);

	fill(&parent, VA, NR / 2, 4); /* 256 COW copies (the thread's first pass meanwhile) */
	shared = ev(m, THP_SCAN_EXCEED_SHARE_PTE);
	assert_int_equal(khugepaged_scan_now(parent.k, 1), 1);
	assert_int_equal(ev(m, THP_SCAN_EXCEED_SHARE_PTE), shared);
	assert_int_equal(ev(m, THP_COLLAPSE_ALLOC), 1);
	assert_true(is_huge(&parent, VA));
	assert_false(is_huge(&child, VA));
	assert_int_equal(knob(m, "khugepaged/pages_collapsed"), 1);
	ut_check(m);
	assert_true(holds(&parent, VA, NR / 2, 4));
	assert_true(holds(&parent, VA + NR / 2 * P, NR / 2, 1));
	assert_true(holds(&child, VA, NR, 1));
	ut_check(m);
	ut_exit(&child);
	assert_int_equal(khugepaged_nr_mm_slots(parent.k), 1);
	ut_check(m);
	ut_exit(&parent);
	assert_int_equal(khugepaged_nr_mm_slots(parent.k), 0);
	ut_check(m);
	test_machine_done(m);
}

/* One page written in range 0, range 1 full. */
static void populate_sparse(struct utask *u)
{
	fill(u, VA + 7 * P, 1, 1);
	fill(u, VA + HP, NR, 2);
}

/*
 * MADV_COLLAPSE ignores max_ptes_* and enabled: with enabled=never it collapses a range with
 * one page (511 zeroed) and a full one: 0. Over a range already PMD-mapped it is 0 again. A
 * pinned page: -EAGAIN (not_suitable_page_count), the range and its data untouched. A
 * MADV_NOHUGEPAGE VMA, and a VMA never faulted (no anon_vma): -EINVAL. No order-9 block left:
 * -ENOMEM (thp_collapse_alloc_failed).
 */
static void test_khugepaged_madv_collapse(void **state)
{
	struct kmm_machine *m = boot();
	struct page *pin = NULL, *blocks[600], *pg;
	struct list_head smalls;
	unsigned long nblocks = 0;
	struct utask u;

	(void)state;
	setup(m, &u, 2, populate_sparse);
	set_knob(m, "khugepaged/max_ptes_none", "0");
	set_knob(m, "enabled", "never");
	assert_null(khugepaged_thread(u.k));
	assert_int_equal(khugepaged_scan_now(u.k, 1), 0); /* THP off: no scan */
	assert_int_equal(do_madvise(u.t.mm, VA, 2 * HP, MADV_COLLAPSE), 0);
	assert_true(is_huge(&u, VA) && is_huge(&u, VA + HP));
	assert_int_equal(ev(m, THP_COLLAPSE_ALLOC), 2);
	assert_int_equal(ut_rss(&u, MM_ANONPAGES), 2 * NR);
	assert_int_equal(knob(m, "khugepaged/pages_collapsed"), 0); /* khugepaged's count only */
	ut_check(m);
	assert_true(page_holds(&u, VA + 7 * P, 1));
	assert_true(page_zero(&u, VA));
	assert_true(holds(&u, VA + HP, NR, 2));
	assert_int_equal(do_madvise(u.t.mm, VA, 2 * HP, MADV_COLLAPSE), 0);
	assert_int_equal(ev(m, THP_COLLAPSE_ALLOC), 2);
	ut_check(m);

	/* a pinned page: -EAGAIN (not_suitable_page_count) */
	assert_int_equal(ut_mmap(&u, VA + 4 * HP, 2 * HP, RW, PF), VA + 4 * HP);
	fill(&u, VA + 4 * HP, NR, 5);
	assert_int_equal(pin_user_pages(u.t.mm, VA + 4 * HP + 9 * P, 1, FOLL_WRITE, &pin), 1);
	assert_int_equal(do_madvise(u.t.mm, VA + 4 * HP, HP, MADV_COLLAPSE), -EAGAIN);
	assert_false(is_huge(&u, VA + 4 * HP));
	assert_int_equal(ev(m, THP_COLLAPSE_ALLOC), 2);
	ut_check(m);
	assert_true(holds(&u, VA + 4 * HP, NR, 5));
	unpin_user_page(u.k, pin);
	/* the second range was never faulted (pmd_none: -EINVAL); the first one collapses */
	assert_int_equal(do_madvise(u.t.mm, VA + 4 * HP, 2 * HP, MADV_COLLAPSE), -EINVAL);
	assert_true(is_huge(&u, VA + 4 * HP));
	assert_int_equal(do_madvise(u.t.mm, VA + 4 * HP, HP, MADV_COLLAPSE), 0);
	ut_check(m);
	assert_true(holds(&u, VA + 4 * HP, NR, 5));

	/* MADV_NOHUGEPAGE, and a VMA with no anon_vma: -EINVAL */
	assert_int_equal(do_madvise(u.t.mm, VA + 4 * HP, 2 * HP, MADV_NOHUGEPAGE), 0);
	assert_int_equal(do_madvise(u.t.mm, VA + 4 * HP, HP, MADV_COLLAPSE), -EINVAL);
	assert_int_equal(ut_mmap(&u, VA + 8 * HP, HP, RW, PF), VA + 8 * HP);
	assert_int_equal(do_madvise(u.t.mm, VA + 8 * HP, HP, MADV_COLLAPSE), -EINVAL);
	ut_check(m);

	/*
	 * Every order-9 block taken (CMA's too), then every page down to the min watermark (off
	 * the LRU, no swap): no huge page, compaction not suitable, nothing to reclaim: -ENOMEM.
	 */
	assert_int_equal(ut_mmap(&u, VA + 10 * HP, HP, RW, PF), VA + 10 * HP);
	fill(&u, VA + 10 * HP, 16, 6);
	while (nblocks < 600 &&
	       (blocks[nblocks] = alloc_pages(
			u.k, GFP_HIGHUSER_MOVABLE | __GFP_NOWARN | __GFP_NORETRY, HPAGE_PMD_ORDER)))
		nblocks++;
	assert_true(nblocks > 100 && nblocks < 600);
	INIT_LIST_HEAD(&smalls);
	while ((pg = alloc_pages(u.k, GFP_HIGHUSER_MOVABLE | __GFP_NOWARN | __GFP_NORETRY, 0)))
		list_add(&pg->lru, &smalls);
	assert_int_equal(do_madvise(u.t.mm, VA + 10 * HP, HP, MADV_COLLAPSE), -ENOMEM);
	assert_int_equal(ev(m, THP_COLLAPSE_ALLOC_FAILED), 1);
	assert_false(is_huge(&u, VA + 10 * HP));
	while (!list_empty(&smalls)) {
		pg = list_first_entry(&smalls, struct page, lru);
		list_del(&pg->lru);
		__free_pages(u.k, pg, 0);
	}
	while (nblocks)
		__free_pages(u.k, blocks[--nblocks], HPAGE_PMD_ORDER);
	ut_check(m);
	assert_true(holds(&u, VA + 10 * HP, 16, 6));
	assert_int_equal(do_madvise(u.t.mm, VA + 10 * HP, HP, MADV_COLLAPSE), 0);
	assert_true(holds(&u, VA + 10 * HP, 16, 6));
	ut_check(m);
	ut_exit(&u);
	test_machine_done(m);
}

static void populate_three_full(struct utask *u)
{
	fill(u, VA, NR, 1);
	fill(u, VA + HP, NR, 2);
	fill(u, VA + 2 * HP, NR, 3);
}

/*
 * MADV_COLLAPSE's THP is prepped as 6.1's hpage_collapse_alloc_page does (prep_transhuge_page):
 * TRANSHUGE_PAGE_DTOR and an empty deferred list. Unmapping its last 4 KiB splits the PMD
 * (thp_split_pmd 1) and leaves the THP partly mapped, so page_remove_rmap queues it for a
 * deferred split (thp_deferred_split_page 1, queue length 1); the other 511 pages keep their
 * data. kmm_check (thp_check, invariant 3) rejects a huge PMD mapping an unprepped THP.
 */
static void test_khugepaged_collapsed_thp_is_prepped(void **state)
{
	struct kmm_machine *m = boot();
	struct page *head;
	struct utask u;

	(void)state;
	set_knob(m, "enabled", "madvise");
	ut_init(&u, m, 1);
	assert_int_equal(ut_mmap(&u, VA, HP, RW, PF), VA);
	fill(&u, VA, NR, 1);
	assert_false(is_huge(&u, VA));
	assert_int_equal(do_madvise(u.t.mm, VA, HP, MADV_COLLAPSE), 0);
	assert_true(is_huge(&u, VA));
	ut_check(m);
	head = pfn_to_page(u.k, pmd_pfn(pmd_at(&u, VA)));
	assert_int_equal(head[1].compound_dtor, TRANSHUGE_PAGE_DTOR);
	assert_true(list_empty(&head[2].deferred_list));
	assert_int_equal(ev(m, THP_DEFERRED_SPLIT_PAGE), 0);
	assert_int_equal(do_munmap(u.t.mm, VA + HP - P, P), 0);
	ut_check(m);
	assert_int_equal(ev(m, THP_SPLIT_PMD), 1);
	assert_int_equal(ev(m, THP_DEFERRED_SPLIT_PAGE), 1);
	assert_int_equal(deferred_split_queue_len(u.k, page_to_nid(head)), 1);
	assert_false(list_empty(&head[2].deferred_list));
	assert_true(holds(&u, VA, NR - 1, 1));
	ut_check(m);
	ut_exit(&u);
	ut_check(m);
	test_machine_done(m);
}

/*
 * The thread on simulated time, pages_to_scan 512 and scan_sleep_millisecs 1000 (250 jiffies
 * at HZ=250): a pass ends after its first collapse (1 + 512 >= 512), so range k collapses in
 * pass k. The registration wakes the thread (created at the first run point, its first pass
 * at the next), then each pass starts 1000 ms after the previous one ended (a pass costs
 * under 1 ms here: 512 copies at 1024 cycles). Pass 4 finds the VMA done: full_scans 1.
 * Waits are whole jiffies: 1000 ms is 250 of them, 100 ms 25.
 */
static void test_khugepaged_thread_on_simulated_time(void **state)
{
	struct kmm_machine *m = boot();
	uint64_t t0;
	struct utask u;

	(void)state;
	set_knob(m, "khugepaged/pages_to_scan", "512");
	set_knob(m, "khugepaged/scan_sleep_millisecs", "1000");
	setup(m, &u, 3, populate_three_full);
	assert_null(khugepaged_thread(u.k));
	t0 = kmm_clock_ns(m);
	assert_int_equal(kmm_idle(m, 1 * MS), KMM_OK);
	assert_non_null(khugepaged_thread(u.k));
	assert_true(is_huge(&u, VA));
	assert_false(is_huge(&u, VA + HP));
	assert_int_equal(knob(m, "khugepaged/pages_collapsed"), 1);
	assert_int_equal(kmm_idle(m, t0 + 995 * MS - kmm_clock_ns(m)), KMM_OK);
	assert_false(is_huge(&u, VA + HP));
	assert_int_equal(kmm_idle(m, t0 + 1010 * MS - kmm_clock_ns(m)), KMM_OK);
	assert_true(is_huge(&u, VA + HP));
	assert_false(is_huge(&u, VA + 2 * HP));
	assert_int_equal(kmm_idle(m, t0 + 2010 * MS - kmm_clock_ns(m)), KMM_OK);
	assert_true(is_huge(&u, VA + 2 * HP));
	assert_int_equal(knob(m, "khugepaged/pages_collapsed"), 3);
	assert_int_equal(knob(m, "khugepaged/full_scans"), 0);
	assert_int_equal(kmm_idle(m, t0 + 3010 * MS - kmm_clock_ns(m)), KMM_OK);
	assert_int_equal(knob(m, "khugepaged/full_scans"), 1);
	ut_check(m);
	assert_true(holds(&u, VA, NR, 1));
	assert_true(holds(&u, VA + HP, NR, 2));
	assert_true(holds(&u, VA + 2 * HP, NR, 3));
	ut_check(m);
	/*
	 * Pass 4 left the cursor after range 0 (the scan went on from the list's head). A
	 * shorter sleep takes effect at once (the store resets the expiry and wakes the thread):
	 * pass 5 now (range 1), pass 6 at +100 ms (range 2), pass 7 at +200 ms ends the VMA:
	 * full_scans 2. Without the wake-up pass 5 would wait until t0 + 4000 ms.
	 */
	set_knob(m, "khugepaged/scan_sleep_millisecs", "100");
	assert_int_equal(kmm_idle(m, 150 * MS), KMM_OK);
	assert_int_equal(knob(m, "khugepaged/full_scans"), 1);
	assert_int_equal(kmm_idle(m, 101 * MS), KMM_OK);
	assert_int_equal(knob(m, "khugepaged/full_scans"), 2);
	/* never stops the thread; the mm stays registered */
	set_knob(m, "enabled", "never");
	assert_null(khugepaged_thread(u.k));
	assert_int_equal(khugepaged_nr_mm_slots(u.k), 1);
	assert_int_equal(kmm_idle(m, 1000 * MS), KMM_OK);
	assert_int_equal(knob(m, "khugepaged/full_scans"), 2);
	ut_check(m);
	ut_exit(&u);
	assert_int_equal(khugepaged_nr_mm_slots(u.k), 0);
	ut_check(m);
	test_machine_done(m);
}

/*
 * Takes every free order-9 block with @gfp, then (with @smalls) order-0 pages down to the
 * min watermark.
 */
static unsigned long exhaust(struct kmm_kernel *k, gfp_t gfp, struct page **blocks,
			     unsigned long max, struct list_head *smalls)
{
	unsigned long n = 0;
	struct page *pg;

	while (n < max && (blocks[n] = alloc_pages(k, gfp, HPAGE_PMD_ORDER)))
		n++;
	if (!smalls)
		return n;
	while ((pg = alloc_pages(k, gfp, 0)))
		list_add(&pg->lru, smalls);
	return n;
}

static void give_back(struct kmm_kernel *k, struct page **blocks, unsigned long n,
		      struct list_head *smalls)
{
	while (smalls && !list_empty(smalls)) {
		struct page *pg = list_first_entry(smalls, struct page, lru);

		list_del(&pg->lru);
		__free_pages(k, pg, 0);
	}
	while (n)
		__free_pages(k, blocks[--n], HPAGE_PMD_ORDER);
}

/*
 * The thread's creation while free memory sits at min (its task_struct needs room above min,
 * as kswapd's does). The registration asks for the thread; memory is then exhausted to min by
 * allocations that never reclaim (so no run point), and the create event runs at the first run
 * point, R (kmm_idle): no room, so it looks again every HZ/10 (25 jiffies, 100 ms at HZ=250),
 * as kswapd's creation does. Memory is given back at R + 1 ms, with no further registration:
 * the retry at R + 100 ms creates the thread and wakes it for its first pass, which collapses
 * the range (512 young pages, pages_to_scan 4096). Before that nothing collapses.
 */
static void test_khugepaged_thread_created_when_memory_returns(void **state)
{
	struct kmm_machine *m = boot();
	struct page *blocks[600];
	struct list_head smalls;
	unsigned long n;
	uint64_t r;
	struct utask u;

	(void)state;
	INIT_LIST_HEAD(&smalls);
	set_knob(m, "enabled", "madvise");
	ut_init(&u, m, 1);
	assert_int_equal(ut_mmap(&u, VA, HP, RW, PF), VA);
	fill(&u, VA, NR, 1);
	assert_int_equal(do_madvise(u.t.mm, VA, HP, MADV_HUGEPAGE), 0);
	assert_int_equal(khugepaged_nr_mm_slots(u.k), 1);
	n = exhaust(u.k, GFP_HIGHUSER_MOVABLE & ~__GFP_RECLAIM, blocks, 600, &smalls);
	assert_false(node_has_room_for_kthread(NODE_DATA(u.k, u.k->node_of_cpu[0])));
	assert_null(khugepaged_thread(u.k));
	r = kmm_clock_ns(m);
	assert_int_equal(kmm_idle(m, 1 * MS), KMM_OK);
	assert_null(khugepaged_thread(u.k));
	give_back(u.k, blocks, n, &smalls);
	assert_true(node_has_room_for_kthread(NODE_DATA(u.k, u.k->node_of_cpu[0])));
	ut_check(m);
	assert_int_equal(kmm_idle(m, r + 99 * MS - kmm_clock_ns(m)), KMM_OK);
	assert_null(khugepaged_thread(u.k));
	assert_false(is_huge(&u, VA));
	assert_int_equal(kmm_idle(m, r + 102 * MS - kmm_clock_ns(m)), KMM_OK);
	assert_non_null(khugepaged_thread(u.k));
	assert_true(is_huge(&u, VA));
	assert_int_equal(knob(m, "khugepaged/pages_collapsed"), 1);
	ut_check(m);
	assert_true(holds(&u, VA, NR, 1));
	ut_check(m);
	ut_exit(&u);
	test_machine_done(m);
}

/*
 * khugepaged/defrag 0 (GFP_TRANSHUGE_LIGHT) with no order-9 block. The thread is created while
 * memory is plentiful (its task_struct needs room above min): range 0 holds one page then,
 * range 1 all but one (max_ptes_none 0 refuses both; both have their PTE table, so the pages
 * written later are small ones); pass 1 at the registration R ends the mm (full_scans 1). Both
 * ranges are then filled and memory exhausted (no kswapd wake-up: its aging would clear the
 * young bits khugepaged wants). Pass 2 at R + 1000 fails
 * on range 0 (thp_collapse_alloc_failed 1) and sleeps alloc_sleep_millisecs (2000) within the
 * pass; at R + 3000 it fails on range 1 (2) and ends: scan_sleep_millisecs (1000). Pass 3 at
 * R + 4000 ends the mm (full_scans 2), starts again at the head, fails on range 0 (3) and
 * sleeps 2000. Memory is given back at R + 4010: at R + 6000 the pass resumes with range 1,
 * which collapses, then ends the mm (full_scans 3). Range 0 waits for pass 4, at R + 7000.
 */
static void test_khugepaged_alloc_sleep(void **state)
{
	struct kmm_machine *m = boot();
	struct page *blocks[600];
	unsigned long n;
	uint64_t r;
	struct utask u;

	(void)state;
	set_knob(m, "enabled", "madvise");
	set_knob(m, "khugepaged/defrag", "0");
	set_knob(m, "khugepaged/max_ptes_none", "0");
	set_knob(m, "khugepaged/alloc_sleep_millisecs", "2000");
	set_knob(m, "khugepaged/scan_sleep_millisecs", "1000");
	ut_init(&u, m, 1);
	assert_int_equal(ut_mmap(&u, VA, 2 * HP, RW, PF), VA);
	fill(&u, VA, 1, 1);
	fill(&u, VA + HP, NR - 1, 2);
	assert_int_equal(do_madvise(u.t.mm, VA, 2 * HP, MADV_HUGEPAGE), 0);
	r = kmm_clock_ns(m);
	assert_int_equal(kmm_idle(m, 1 * MS), KMM_OK);
	assert_non_null(khugepaged_thread(u.k));
	assert_int_equal(knob(m, "khugepaged/full_scans"), 1);
	fill(&u, VA, NR, 1);
	fill(&u, VA + HP, NR, 2);
	n = exhaust(u.k, GFP_HIGHUSER_MOVABLE & ~__GFP_RECLAIM, blocks, 600, NULL);
	assert_true(n > 100 && n < 600);
	assert_int_equal(kmm_idle(m, r + 990 * MS - kmm_clock_ns(m)), KMM_OK);
	assert_int_equal(ev(m, THP_COLLAPSE_ALLOC_FAILED), 0);
	assert_int_equal(kmm_idle(m, r + 1010 * MS - kmm_clock_ns(m)), KMM_OK);
	assert_int_equal(ev(m, THP_COLLAPSE_ALLOC_FAILED), 1);
	assert_int_equal(kmm_idle(m, r + 2990 * MS - kmm_clock_ns(m)), KMM_OK);
	assert_int_equal(ev(m, THP_COLLAPSE_ALLOC_FAILED), 1);
	assert_int_equal(kmm_idle(m, r + 3010 * MS - kmm_clock_ns(m)), KMM_OK);
	assert_int_equal(ev(m, THP_COLLAPSE_ALLOC_FAILED), 2);
	assert_int_equal(knob(m, "khugepaged/full_scans"), 1);
	assert_int_equal(kmm_idle(m, r + 3990 * MS - kmm_clock_ns(m)), KMM_OK);
	assert_int_equal(ev(m, THP_COLLAPSE_ALLOC_FAILED), 2);
	assert_int_equal(kmm_idle(m, r + 4010 * MS - kmm_clock_ns(m)), KMM_OK);
	assert_int_equal(ev(m, THP_COLLAPSE_ALLOC_FAILED), 3);
	assert_int_equal(knob(m, "khugepaged/full_scans"), 2);
	give_back(u.k, blocks, n, NULL);
	ut_check(m);
	assert_int_equal(kmm_idle(m, r + 5990 * MS - kmm_clock_ns(m)), KMM_OK);
	assert_false(is_huge(&u, VA + HP));
	assert_int_equal(kmm_idle(m, r + 6010 * MS - kmm_clock_ns(m)), KMM_OK);
	assert_true(is_huge(&u, VA + HP));
	assert_false(is_huge(&u, VA));
	assert_int_equal(ev(m, THP_COLLAPSE_ALLOC), 1);
	assert_int_equal(knob(m, "khugepaged/pages_collapsed"), 1);
	assert_int_equal(knob(m, "khugepaged/full_scans"), 3);
	assert_int_equal(kmm_idle(m, r + 7010 * MS - kmm_clock_ns(m)), KMM_OK);
	assert_true(is_huge(&u, VA));
	ut_check(m);
	assert_true(holds(&u, VA, NR, 1));
	assert_true(holds(&u, VA + HP, NR, 2));
	ut_check(m);
	ut_exit(&u);
	test_machine_done(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_khugepaged_collapse_keeps_data_and_maps_block),
		cmocka_unit_test(test_khugepaged_max_ptes_none_boundary),
		cmocka_unit_test(test_khugepaged_max_ptes_none_64),
		cmocka_unit_test(test_khugepaged_max_ptes_swap),
		cmocka_unit_test(test_khugepaged_max_ptes_shared_after_fork),
		cmocka_unit_test(test_khugepaged_madv_collapse),
		cmocka_unit_test(test_khugepaged_collapsed_thp_is_prepped),
		cmocka_unit_test(test_khugepaged_thread_on_simulated_time),
		cmocka_unit_test(test_khugepaged_alloc_sleep),
		cmocka_unit_test(test_khugepaged_thread_created_when_memory_returns),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
