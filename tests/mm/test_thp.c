/*
 * Transparent huge pages (src/mm/huge_memory.c): the sysfs knobs as the capture shows them
 * (observations.md, "Transparent hugepages / hugetlb sysfs at boot") and the values the
 * kernel's stores refuse; THP off below 512 MiB; an anonymous fault mapping a 2 MiB block
 * descriptor (one fault, one TLB entry for 512 pages); the huge zero page on a read and its
 * split on the write after it (6.1 falls back to 4 KiB COW); fork's shared huge PMD and the
 * split a write to it takes; partial munmap/mprotect splitting the PMD, whole-PMD mprotect and
 * mremap keeping it; MADV_NOHUGEPAGE and enabled=madvise. User data is checksummed across
 * every split, move and fork; kmm_check after each step.
 *
 * Expected values come from 6.1's rules (HPAGE_PMD_NR = 512, the deposited PTE table per huge
 * PMD, thp_* counters) and the faults capture (experiments 3 and 3b).
 */
#include "mm_test.h"

#include "arch/arm64/include/asm/tlbflush.h"
#include "kmm/mmu.h"
#include "mm/huge_mm.h"
#include "mm/mman.h"

#define P   PAGE_SIZE
#define HP  (2UL << 20)
#define NR  512UL
#define RW  (PROT_READ | PROT_WRITE)
#define PF  (MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED)
#define VA  0x40000000UL /* 2 MiB aligned */
#define VA2 0x48000000UL

static struct kmm_machine *boot_ram(unsigned long long ram)
{
	struct kmm_config cfg;

	kmm_config_init(&cfg);
	assert_int_equal(kmm_config_set_ram(&cfg, ram), KMM_OK);
	assert_int_equal(kmm_config_option(&cfg, "-cpu", "cortex-a57"), KMM_OK);
	return test_machine(&cfg);
}

static struct kmm_machine *boot(void)
{
	return boot_ram(1ull << 30);
}

static unsigned long ev(struct kmm_machine *m, enum vm_event_item i)
{
	return m->kernel.vm_events[i];
}

static uint64_t pattern(uint64_t va, uint64_t salt)
{
	return (va ^ (salt << 56)) * 0x9e3779b97f4a7c15ull;
}

static void fill(struct utask *u, unsigned long va, unsigned long n, uint64_t salt)
{
	for (unsigned long i = 0; i < n; i++)
		ut_store64(u, va + i * P, pattern(va + i * P, salt));
}

/* True when every page of [va, va + n pages) holds pattern(salt). */
static bool holds(struct utask *u, unsigned long va, unsigned long n, uint64_t salt)
{
	for (unsigned long i = 0; i < n; i++)
		if (ut_load64(u, va + i * P) != pattern(va + i * P, salt))
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
	char s[256];
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

static const char *show(struct kmm_machine *m, const char *name, struct sbuf *b)
{
	struct sink out = {sbuf_fn, b};

	b->n = 0;
	b->s[0] = '\0';
	assert_int_equal(thp_sysfs_show(&m->kernel, name, &out), 0);
	return b->s;
}

/* The boot values of a57-smp1-1G (observations.md), then the stores the kernel refuses. */
static void test_thp_sysfs(void **state)
{
	struct kmm_machine *m = boot();
	struct kmm_kernel *k = &m->kernel;
	struct sbuf b;
	static const char *const expect[][2] = {
		{"defrag", "always defer defer+madvise [madvise] never\n"},
		{"enabled", "[always] madvise never\n"},
		{"hpage_pmd_size", "2097152\n"},
		{"shmem_enabled", "always within_size advise [never] deny force\n"},
		{"use_zero_page", "1\n"},
		{"khugepaged/alloc_sleep_millisecs", "60000\n"},
		{"khugepaged/defrag", "1\n"},
		{"khugepaged/full_scans", "0\n"},
		{"khugepaged/max_ptes_none", "511\n"},
		{"khugepaged/max_ptes_shared", "256\n"},
		{"khugepaged/max_ptes_swap", "64\n"},
		{"khugepaged/pages_collapsed", "0\n"},
		{"khugepaged/pages_to_scan", "4096\n"},
		{"khugepaged/scan_sleep_millisecs", "10000\n"},
	};

	(void)state;
	for (size_t i = 0; i < sizeof(expect) / sizeof(expect[0]); i++)
		assert_string_equal(show(m, expect[i][0], &b), expect[i][1]);
	assert_true(k->thp_enabled);
	/* enabled_store/defrag_store: sysfs_streq, one trailing newline allowed */
	assert_int_equal(thp_sysfs_store(k, "enabled", "madvise\n"), 0);
	assert_string_equal(show(m, "enabled", &b), "always [madvise] never\n");
	assert_int_equal(thp_sysfs_store(k, "enabled", "Always"), -EINVAL);
	assert_int_equal(thp_sysfs_store(k, "enabled", "always\n\n"), -EINVAL);
	assert_int_equal(thp_sysfs_store(k, "enabled", ""), -EINVAL);
	assert_string_equal(show(m, "enabled", &b), "always [madvise] never\n");
	assert_int_equal(thp_sysfs_store(k, "defrag", "defer+madvise"), 0);
	assert_string_equal(show(m, "defrag", &b), "always defer [defer+madvise] madvise never\n");
	assert_int_equal(thp_sysfs_store(k, "defrag", "never"), 0);
	assert_string_equal(show(m, "defrag", &b), "always defer defer+madvise madvise [never]\n");
	assert_int_equal(thp_sysfs_store(k, "defrag", "defer madvise"), -EINVAL);
	/* single_hugepage_flag_store: 0 or 1 */
	assert_int_equal(thp_sysfs_store(k, "use_zero_page", "2"), -EINVAL);
	assert_int_equal(thp_sysfs_store(k, "use_zero_page", "x"), -EINVAL);
	assert_int_equal(thp_sysfs_store(k, "use_zero_page", "0"), 0);
	assert_string_equal(show(m, "use_zero_page", &b), "0\n");
	/* khugepaged: max_ptes_* <= HPAGE_PMD_NR - 1, pages_to_scan >= 1 */
	assert_int_equal(thp_sysfs_store(k, "khugepaged/max_ptes_none", "512"), -EINVAL);
	assert_int_equal(thp_sysfs_store(k, "khugepaged/max_ptes_none", "-1"), -EINVAL);
	assert_int_equal(thp_sysfs_store(k, "khugepaged/max_ptes_none", "0"), 0);
	assert_int_equal(thp_sysfs_store(k, "khugepaged/max_ptes_swap", "511\n"), 0);
	assert_int_equal(thp_sysfs_store(k, "khugepaged/pages_to_scan", "0"), -EINVAL);
	assert_int_equal(thp_sysfs_store(k, "khugepaged/pages_to_scan", "99999999999"), -ERANGE);
	assert_string_equal(show(m, "khugepaged/max_ptes_none", &b), "0\n");
	assert_string_equal(show(m, "khugepaged/max_ptes_swap", &b), "511\n");
	/* read-only and missing files */
	assert_int_equal(thp_sysfs_store(k, "khugepaged/pages_collapsed", "1"), -EACCES);
	assert_int_equal(thp_sysfs_store(k, "hpage_pmd_size", "4096"), -EACCES);
	assert_int_equal(thp_sysfs_store(k, "nosuch", "1"), -ENOENT);
	/* the same through the public API */
	assert_int_equal(kmm_sysctl(m, THP_SYSFS_DIR "enabled", "never"), KMM_OK);
	assert_int_equal(kmm_sysctl(m, THP_SYSFS_DIR "enabled", "sometimes"), KMM_EINVAL);
	assert_string_equal(show(m, "enabled", &b), "always madvise [never]\n");
	assert_false(k->thp_enabled);
	ut_check(m);
	test_machine_done(m);
}

/* hugepage_init: below 512 MiB of totalram every flag is cleared (the 512M captures). */
static void test_thp_off_below_512M(void **state)
{
	struct kmm_machine *m = boot_ram(512ull << 20); /* totalram < 512 MiB: reserved memory */
	struct utask u;
	struct sbuf b;

	(void)state;
	assert_false(m->kernel.thp_enabled);
	assert_string_equal(show(m, "enabled", &b), "always madvise [never]\n");
	assert_string_equal(show(m, "defrag", &b), "always defer defer+madvise madvise [never]\n");
	assert_string_equal(show(m, "use_zero_page", &b), "0\n");
	ut_init(&u, m, 1);
	assert_int_equal(ut_mmap(&u, VA, HP, RW, PF), VA);
	ut_store64(&u, VA, 1);
	assert_false(is_huge(&u, VA));
	assert_int_equal(ev(m, THP_FAULT_ALLOC), 0);
	ut_check(m);
	ut_exit(&u);
	test_machine_done(m);
}

/*
 * A write fault in a 2 MiB-aligned anonymous range maps a THP by a block descriptor: one
 * fault for 512 pages, thp_fault_alloc 1, NR_ANON_THPS 512, MM_ANONPAGES 512, one PTE table
 * deposited (NR_PAGETABLE +2: the PMD table and the deposit). The TLB holds one entry for the
 * block: after the first access, the other 511 pages take no table walk.
 */
static void test_thp_fault_block_mapping(void **state)
{
	struct kmm_machine *m = boot();
	struct kmm_tlb_stats t0, t1;
	unsigned long pt0, aborts;
	struct utask u;
	unsigned char vec[NR];

	(void)state;
	ut_init(&u, m, 1);
	assert_int_equal(ut_mmap(&u, VA, 2 * HP, RW, PF), VA);
	pt0 = node_stat(m, NR_PAGETABLE);
	ut_store64(&u, VA, pattern(VA, 1));
	assert_int_equal(u.aborts, 1);
	assert_true(is_huge(&u, VA));
	assert_int_equal(ev(m, THP_FAULT_ALLOC), 1);
	assert_int_equal(node_stat(m, NR_ANON_THPS), NR);
	assert_int_equal(ut_rss(&u, MM_ANONPAGES), NR);
	/* the PMD table and the deposited PTE table (6.1's pud_alloc_one is not counted) */
	assert_int_equal(node_stat(m, NR_PAGETABLE) - pt0, 2);
	assert_int_equal(mm_pte_lookup(u.t.mm, VA), NULL); /* no PTE level under a block */
	ut_check(m);

	assert_int_equal(kmm_tlb_stats(m, 0, &t0), KMM_OK);
	aborts = u.aborts;
	fill(&u, VA, NR, 1);
	assert_int_equal(kmm_tlb_stats(m, 0, &t1), KMM_OK);
	assert_int_equal(u.aborts, aborts); /* 512 pages, no fault */
	assert_int_equal(t1.walks - t0.walks, 0);
	assert_true(holds(&u, VA, NR, 1));
	/* the second 2 MiB is its own THP */
	ut_store64(&u, VA + HP, 5);
	assert_int_equal(ev(m, THP_FAULT_ALLOC), 2);
	assert_int_equal(node_stat(m, NR_ANON_THPS), 2 * NR);
	/* mincore: every page of a huge PMD is resident */
	assert_int_equal(do_mincore(u.t.mm, VA, HP, vec), 0);
	for (unsigned long i = 0; i < NR; i++)
		assert_int_equal(vec[i], 1);
	ut_check(m);
	/* munmap of the whole range: both THPs and both deposits go */
	assert_int_equal(do_munmap(u.t.mm, VA, 2 * HP), 0);
	assert_int_equal(node_stat(m, NR_ANON_THPS), 0);
	assert_int_equal(ut_rss(&u, MM_ANONPAGES), 0);
	ut_check(m);
	ut_exit(&u);
	test_machine_done(m);
}

/*
 * Experiment 3b: a read maps the huge zero page (2 faults for 4 MiB, thp_zero_page_alloc
 * once, no rss); a write then splits the PMD (thp_split_pmd) into 512 zero-page PTEs and
 * copies the written page only (do_anonymous_page's COW of the zero page).
 */
static void test_thp_huge_zero_page(void **state)
{
	struct kmm_machine *m = boot();
	struct utask u;

	(void)state;
	ut_init(&u, m, 1);
	assert_int_equal(ut_mmap(&u, VA, 2 * HP, RW, PF), VA);
	assert_int_equal(ut_load64(&u, VA), 0);
	assert_int_equal(ut_load64(&u, VA + HP + 64 * P), 0);
	assert_int_equal(u.aborts, 2);
	assert_int_equal(ev(m, THP_ZERO_PAGE_ALLOC), 1);
	assert_true(is_huge_zero_pmd(&m->kernel, pmd_at(&u, VA)));
	assert_true(is_huge_zero_pmd(&m->kernel, pmd_at(&u, VA + HP)));
	assert_int_equal(ut_rss(&u, MM_ANONPAGES), 0);
	assert_int_equal(node_stat(m, NR_ANON_THPS), 0);
	ut_check(m);

	ut_store64(&u, VA + 3 * P, 77);
	assert_int_equal(ev(m, THP_SPLIT_PMD), 1);
	assert_false(is_huge(&u, VA));
	assert_int_equal(ut_rss(&u, MM_ANONPAGES), 1);
	assert_true(is_zero_pfn(&m->kernel, pte_pfn(__pte(ut_pte(&u, VA)))));
	assert_int_equal(ut_load64(&u, VA + 3 * P), 77);
	assert_int_equal(ut_load64(&u, VA + 4 * P), 0);
	assert_true(is_huge(&u, VA + HP)); /* the other range keeps the huge zero page */
	ut_check(m);
	ut_exit(&u);
	ut_check(m);
	test_machine_done(m);
}

/*
 * fork shares the THP by PMD (copy_huge_pmd: both write-protected, the child's old, entire
 * mapcount 2, the child's MM_ANONPAGES 512); a write in either is do_huge_pmd_wp_page on a
 * shared THP: the PMD is split and the page copied by the PTE path. Checksums both ways.
 */
static void test_thp_fork_cow(void **state)
{
	struct kmm_machine *m = boot();
	struct utask parent, child;
	struct folio *folio;
	unsigned long split;

	(void)state;
	ut_init(&parent, m, 1);
	assert_int_equal(ut_mmap(&parent, VA, HP, RW, PF), VA);
	fill(&parent, VA, NR, 1);
	folio = page_folio(pfn_to_page(&m->kernel, pmd_pfn(pmd_at(&parent, VA))));
	assert_int_equal(folio_entire_mapcount(folio), 1);

	memcpy(&child, &parent, sizeof(child));
	child.asid = 2;
	child.t.pid = 2;
	child.t.min_flt = 0;
	memset(&child.t.rss_stat, 0, sizeof(child.t.rss_stat));
	sync_mm_rss(&parent.t, parent.t.mm);
	child.t.mm = dup_mm(&child.t, parent.t.mm);
	assert_non_null(child.t.mm);
	ut_check(m);
	assert_true(is_huge(&parent, VA) && is_huge(&child, VA));
	assert_int_equal(folio_entire_mapcount(folio), 2);
	assert_false(pmd_write(pmd_at(&parent, VA)));
	assert_false(pmd_write(pmd_at(&child, VA)));
	assert_int_equal(get_mm_counter(child.t.mm, MM_ANONPAGES), NR);
	assert_true(holds(&child, VA, NR, 1));

	split = ev(m, THP_SPLIT_PMD);
	ut_store64(&child, VA + 10 * P, pattern(VA + 10 * P, 2));
	assert_int_equal(ev(m, THP_SPLIT_PMD), split + 1);
	assert_false(is_huge(&child, VA));
	assert_true(is_huge(&parent, VA));
	assert_int_equal(ut_load64(&parent, VA + 10 * P), pattern(VA + 10 * P, 1));
	ut_check(m);
	/* the parent's write: its PMD is still shared with the child's PTEs: split too */
	ut_store64(&parent, VA, pattern(VA, 3));
	assert_int_equal(ev(m, THP_SPLIT_PMD), split + 2);
	assert_int_equal(ut_load64(&child, VA), pattern(VA, 1));
	assert_int_equal(ut_load64(&child, VA + 10 * P), pattern(VA + 10 * P, 2));
	assert_true(holds(&child, VA + 11 * P, NR - 11, 1));
	assert_true(holds(&parent, VA + P, NR - 1, 1));
	ut_check(m);
	ut_exit(&child);
	ut_check(m);
	assert_true(holds(&parent, VA + P, NR - 1, 1));
	ut_exit(&parent);
	test_machine_done(m);
}

/*
 * A new VMA boundary inside a huge PMD splits it (vma_adjust_trans_huge): munmap of one page
 * and mprotect of a part. mprotect of the whole 2 MiB keeps the block (change_huge_pmd) and a
 * write after mprotect back reuses it (exclusive: do_huge_pmd_wp_page's reuse).
 */
static void test_thp_split_on_partial_munmap_mprotect(void **state)
{
	struct kmm_machine *m = boot();
	struct utask u;
	unsigned long split;

	(void)state;
	ut_init(&u, m, 1);
	assert_int_equal(ut_mmap(&u, VA, 2 * HP, RW, PF), VA);
	fill(&u, VA, 2 * NR, 1);
	assert_true(is_huge(&u, VA) && is_huge(&u, VA + HP));
	split = ev(m, THP_SPLIT_PMD);

	/* whole-PMD mprotect: still huge, read-only; back to rw and a write reuses the THP */
	assert_int_equal(do_mprotect_pkey(u.t.mm, VA + HP, HP, PROT_READ, -1), 0);
	assert_true(is_huge(&u, VA + HP));
	assert_false(pmd_write(pmd_at(&u, VA + HP)));
	assert_int_equal(do_mprotect_pkey(u.t.mm, VA + HP, HP, RW, -1), 0);
	ut_store64(&u, VA + HP, pattern(VA + HP, 1));
	assert_true(is_huge(&u, VA + HP));
	assert_true(pmd_write(pmd_at(&u, VA + HP)));
	assert_int_equal(ev(m, THP_SPLIT_PMD), split);
	ut_check(m);

	/* munmap of one page in the middle of the first THP */
	assert_int_equal(do_munmap(u.t.mm, VA + 100 * P, P), 0);
	assert_int_equal(ev(m, THP_SPLIT_PMD), split + 1);
	assert_false(is_huge(&u, VA));
	assert_int_equal(ut_rss(&u, MM_ANONPAGES), 2 * NR - 1);
	assert_true(holds(&u, VA, 100, 1));
	assert_true(holds(&u, VA + 101 * P, NR - 101, 1));
	ut_check(m);

	/* mprotect of half the second THP: split; the pages keep their data */
	assert_int_equal(do_mprotect_pkey(u.t.mm, VA + HP, HP / 2, PROT_READ, -1), 0);
	assert_int_equal(ev(m, THP_SPLIT_PMD), split + 2);
	assert_false(is_huge(&u, VA + HP));
	assert_true(holds(&u, VA + HP, NR, 1));
	ut_check(m);
	ut_exit(&u);
	ut_check(m);
	test_machine_done(m);
}

/* mremap of a whole THP to another 2 MiB-aligned address moves the PMD (no split). */
static void test_thp_mremap_moves_pmd(void **state)
{
	struct kmm_machine *m = boot();
	struct utask u;
	unsigned long split, ret;

	(void)state;
	ut_init(&u, m, 1);
	assert_int_equal(ut_mmap(&u, VA, HP, RW, PF), VA);
	fill(&u, VA, NR, 4);
	split = ev(m, THP_SPLIT_PMD);
	ret = do_mremap(u.t.mm, VA, HP, HP, MREMAP_MAYMOVE | MREMAP_FIXED, VA2);
	assert_int_equal(ret, VA2);
	assert_true(is_huge(&u, VA2));
	assert_int_equal(ev(m, THP_SPLIT_PMD), split);
	ut_check(m);
	for (unsigned long i = 0; i < NR; i++)
		assert_int_equal(ut_load64(&u, VA2 + i * P), pattern(VA + i * P, 4));
	ut_exit(&u);
	test_machine_done(m);
}

/* MADV_NOHUGEPAGE keeps 4 KiB pages; enabled=madvise gives THPs only under MADV_HUGEPAGE. */
static void test_thp_madvise_and_modes(void **state)
{
	struct kmm_machine *m = boot();
	struct utask u;

	(void)state;
	ut_init(&u, m, 1);
	assert_int_equal(ut_mmap(&u, VA, HP, RW, PF), VA);
	assert_int_equal(do_madvise(u.t.mm, VA, HP, MADV_NOHUGEPAGE), 0);
	ut_store64(&u, VA, 1);
	assert_false(is_huge(&u, VA));
	assert_int_equal(ev(m, THP_FAULT_ALLOC), 0);

	assert_int_equal(thp_sysfs_store(&m->kernel, "enabled", "madvise"), 0);
	assert_int_equal(ut_mmap(&u, VA2, 2 * HP, RW, PF), VA2);
	ut_store64(&u, VA2, 1);
	assert_false(is_huge(&u, VA2));
	assert_int_equal(do_madvise(u.t.mm, VA2 + HP, HP, MADV_HUGEPAGE), 0);
	ut_store64(&u, VA2 + HP, 1);
	assert_true(is_huge(&u, VA2 + HP));
	assert_int_equal(ev(m, THP_FAULT_ALLOC), 1);
	ut_check(m);
	ut_exit(&u);
	test_machine_done(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_thp_sysfs),
		cmocka_unit_test(test_thp_off_below_512M),
		cmocka_unit_test(test_thp_fault_block_mapping),
		cmocka_unit_test(test_thp_huge_zero_page),
		cmocka_unit_test(test_thp_fork_cow),
		cmocka_unit_test(test_thp_split_on_partial_munmap_mprotect),
		cmocka_unit_test(test_thp_mremap_moves_pmd),
		cmocka_unit_test(test_thp_madvise_and_modes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
