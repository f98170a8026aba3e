/*
 * Operations on MAP_HUGETLB mappings that 6.1 allows and the first hugetlb wave refused
 * (src/mm/hugetlb.c "mremap, MADV_DONTNEED, MADV_REMOVE"), and HugetlbPages:
 *  - MADV_DONTNEED: madvise_dontneed_free_valid_vma's rules (aligned start, end rounded down
 *    to the huge page size, MADV_FREE refused), the page freed to the pool and a private
 *    owner's reservation NOT given back (the next fault needs a free unreserved page);
 *  - MADV_REMOVE: hugetlbfs_punch_hole on a shared mapping (whole pages leave the file and
 *    every mapping; partial pages are zeroed), -EACCES on a private one;
 *  - mremap moves (MREMAP_FIXED): move_hugetlb_page_tables, alignment -EINVALs, the moved
 *    VMA keeping the reservations, and 6.1's stranded reservations after a partial move;
 *  - HugetlbPages in /proc/PID/status for every size, through fork and munmap.
 *
 * Expected values are worked by hand from 6.1's rules in the comments; kmm_check() after
 * every step; user data checksummed word by word.
 */
#include "mm_test.h"

#include "kmm/mmu.h"
#include "mm/hugetlb.h"
#include "mm/internal.h"
#include "mm/mman.h"

#include <stdlib.h>
#include <string.h>

#define P  PAGE_SIZE
#define RW (PROT_READ | PROT_WRITE)
#define PA (MAP_PRIVATE | MAP_ANONYMOUS | MAP_HUGETLB)
#define SA (MAP_SHARED | MAP_ANONYMOUS | MAP_HUGETLB)
#define M2 (2UL << 20)

static struct kmm_machine *boot(uint64_t ram, const char *cmdline)
{
	struct kmm_config cfg;

	kmm_config_init(&cfg);
	assert_int_equal(kmm_config_set_ram(&cfg, ram), KMM_OK);
	assert_int_equal(kmm_config_option(&cfg, "-cpu", "cortex-a57"), KMM_OK);
	snprintf(cfg.cmdline, sizeof(cfg.cmdline), "%s", cmdline);
	return test_machine(&cfg);
}

static unsigned long meminfo(struct kmm_machine *m, const char *row)
{
	const char *p = strstr(test_view(m, "/proc/meminfo"), row);

	assert_non_null(p);
	return strtoul(p + strlen(row), NULL, 10);
}

static uint64_t pattern(uint64_t va, uint64_t salt)
{
	return (va ^ (salt << 56)) * 0x9e3779b97f4a7c15ull;
}

/* One word every @stride bytes of [va, va + len), the value naming @tag's address. */
static void fill(struct utask *u, unsigned long va, unsigned long len, unsigned long stride,
		 unsigned long tag, uint64_t salt)
{
	for (unsigned long a = 0; a < len; a += stride)
		ut_store64(u, va + a, pattern(tag + a, salt));
}

static bool holds(struct utask *u, unsigned long va, unsigned long len, unsigned long stride,
		  unsigned long tag, uint64_t salt)
{
	for (unsigned long a = 0; a < len; a += stride)
		if (ut_load64(u, va + a) != pattern(tag + a, salt))
			return false;
	return true;
}

static bool zero(struct utask *u, unsigned long va, unsigned long len, unsigned long stride)
{
	for (unsigned long a = 0; a < len; a += stride)
		if (ut_load64(u, va + a) != 0)
			return false;
	return true;
}

static int access_status(struct utask *u, enum kmm_access type, unsigned long va)
{
	uint64_t v = 1;

	return ut_access(u, type, va, &v, sizeof(v));
}

static unsigned long attr_free(struct kmm_machine *m, const char *size)
{
	char path[96];

	snprintf(path, sizeof(path), "/sys/kernel/mm/hugepages/%s/free_hugepages", size);
	return strtoul(test_view(m, path), NULL, 10);
}

static void hp_counts(struct kmm_machine *m, unsigned long free, unsigned long rsvd)
{
	assert_int_equal(meminfo(m, "HugePages_Free:"), free);
	assert_int_equal(meminfo(m, "HugePages_Rsvd:"), rsvd);
	ut_check(m);
}

/* The level-2 descriptor at @va in @u's tables (0 if the tables are not there). */
static uint64_t pmd_desc(struct utask *u, unsigned long va)
{
	struct kmm_kernel *k = u->k;
	p4d_t *p4dp = p4d_offset(pgd_offset_pgd(k, u->t.mm->pgd, va), va);
	pud_t *pudp;

	if (p4d_none(*p4dp))
		return 0;
	pudp = pud_offset(k, p4dp, va);
	if (!pud_table(*pudp))
		return 0;
	return pmd_val(*pmd_offset(k, pudp, va));
}

/*
 * MADV_DONTNEED on a private 2 MiB mapping, pool of 4, by hand:
 *   mmap A 3 pages, write all 3                   Free 1  Rsvd 0
 *   DONTNEED A+4K, 2M            -EINVAL (start not 2 MiB aligned)
 *   MADV_FREE A, 2M              -EINVAL (hugetlb takes DONTNEED only)
 *   DONTNEED A+2M, 4K            0, nothing: the end rounds down to A+2M = start
 *   DONTNEED A, 2M + 4K          page 0 only (end rounded down): Free 2, Rsvd 0 (its
 *                                reservation was consumed and is not given back)
 *   mmap B 2 pages               Rsvd 2 (free 2 - resv 0 >= 2)
 *   read A[0]                    SIGBUS: A's index 0 has no reservation, free 2 - resv 2 = 0
 *   munmap B                     Rsvd 0
 *   read A[0]                    a new zeroed page: Free 1
 *   A's pages 1 and 2 kept their data throughout.
 * A shared mapping's DONTNEED drops the entry only: the page stays in the file (Free
 * unchanged) and the next access finds it with its data, without a new page.
 */
static void test_hugetlb_ops_madv_dontneed(void **state)
{
	struct kmm_machine *m = boot(1ull << 30, "hugepages=4");
	unsigned long a, b, c;
	struct utask u;

	(void)state;
	ut_init(&u, m, 1);
	a = ut_mmap(&u, 0, 3 * M2, RW, PA);
	assert_false(IS_ERR_VALUE(a));
	fill(&u, a, 3 * M2, 256 << 10, 0, 1);
	hp_counts(m, 1, 0);
	assert_int_equal(do_madvise(u.t.mm, a + P, M2, MADV_DONTNEED), -EINVAL);
	assert_int_equal(do_madvise(u.t.mm, a, M2, MADV_FREE), -EINVAL);
	assert_int_equal(do_madvise(u.t.mm, a + M2, P, MADV_DONTNEED), 0);
	hp_counts(m, 1, 0);
	assert_true(holds(&u, a, 3 * M2, 256 << 10, 0, 1));
	assert_int_equal(do_madvise(u.t.mm, a, M2 + P, MADV_DONTNEED), 0);
	hp_counts(m, 2, 0);
	assert_true(holds(&u, a + M2, 2 * M2, 256 << 10, M2, 1));

	b = ut_mmap(&u, 0, 2 * M2, RW, PA);
	assert_false(IS_ERR_VALUE(b));
	hp_counts(m, 2, 2);
	assert_int_equal(access_status(&u, KMM_ACCESS_LOAD, a), KMM_SIGBUS);
	ut_check(m);
	assert_int_equal(do_munmap(u.t.mm, b, 2 * M2), 0);
	hp_counts(m, 2, 0);
	assert_true(zero(&u, a, M2, 256 << 10));
	hp_counts(m, 1, 0);
	assert_true(holds(&u, a + M2, 2 * M2, 256 << 10, M2, 1));

	/* DONTNEED_LOCKED is the same on hugetlb (mlock never sets VM_LOCKED on it) */
	assert_int_equal(do_madvise(u.t.mm, a + M2, 2 * M2, MADV_DONTNEED_LOCKED), 0);
	hp_counts(m, 3, 0);
	assert_int_equal(do_munmap(u.t.mm, a, 3 * M2), 0);
	hp_counts(m, 4, 0);

	c = ut_mmap(&u, 0, 2 * M2, RW, SA);
	assert_false(IS_ERR_VALUE(c));
	fill(&u, c, 2 * M2, 128 << 10, 0, 2);
	hp_counts(m, 2, 0);
	assert_int_equal(do_madvise(u.t.mm, c, 2 * M2, MADV_DONTNEED), 0);
	hp_counts(m, 2, 0); /* the file keeps both */
	assert_int_equal(pmd_desc(&u, c), 0);
	assert_true(holds(&u, c, 2 * M2, 128 << 10, 0, 2));
	hp_counts(m, 2, 0);
	assert_int_equal(do_munmap(u.t.mm, c, 2 * M2), 0);
	hp_counts(m, 4, 0);
	ut_exit(&u);
	test_machine_done(m);
}

/*
 * MADV_REMOVE (hugetlbfs_punch_hole) on a shared 2 MiB mapping of 3 pages, pool of 4, all
 * written (Free 1, Rsvd 0); a second task maps the same file through fork:
 *   REMOVE on a private mapping                 -EACCES
 *   REMOVE S+1M, 2M   the hole holds no whole page [2M, 2M): page 0's bytes [1M, 2M) and
 *                     page 1's [0, 1M) are zeroed in place; nothing freed (Free 1)
 *   REMOVE S+2M, 4M   page 1 and page 2 leave the file and both tasks' tables: Free 3,
 *                     Rsvd 0 (each page's index leaves the map with it: nothing reserved)
 *   the child reads S+2M: a new zeroed page for the file (Free 2), the parent sees it too
 */
static void test_hugetlb_ops_madv_remove(void **state)
{
	struct kmm_machine *m = boot(1ull << 30, "hugepages=4");
	struct utask u, child;
	unsigned long s, p;

	(void)state;
	ut_init(&u, m, 1);
	p = ut_mmap(&u, 0, M2, RW, PA);
	assert_false(IS_ERR_VALUE(p));
	assert_int_equal(do_madvise(u.t.mm, p, M2, MADV_REMOVE), -EACCES);
	assert_int_equal(do_munmap(u.t.mm, p, M2), 0);
	s = ut_mmap(&u, 0, 3 * M2, RW, SA);
	assert_false(IS_ERR_VALUE(s));
	fill(&u, s, 3 * M2, 64 << 10, 0, 3);
	hp_counts(m, 1, 0);

	memcpy(&child, &u, sizeof(child));
	child.asid = 2;
	child.t.pid = 2;
	memset(&child.t.rss_stat, 0, sizeof(child.t.rss_stat));
	child.t.mm = dup_mm(&child.t, u.t.mm);
	assert_non_null(child.t.mm);
	ut_check(m);

	assert_int_equal(do_madvise(u.t.mm, s + (1UL << 20), M2, MADV_REMOVE), 0);
	hp_counts(m, 1, 0);
	assert_true(holds(&u, s, 1UL << 20, 64 << 10, 0, 3));
	assert_true(zero(&u, s + (1UL << 20), M2, 64 << 10));
	assert_true(holds(&u, s + 3 * (1UL << 20), 3 * (1UL << 20), 64 << 10, 3 * (1UL << 20), 3));
	ut_switch(&child);
	assert_true(zero(&child, s + (1UL << 20), M2, 64 << 10));
	ut_switch(&u);
	ut_check(m);

	assert_int_equal(do_madvise(u.t.mm, s + M2, 2 * M2, MADV_REMOVE), 0);
	hp_counts(m, 3, 0);
	assert_int_equal(pmd_desc(&u, s + M2), 0);
	ut_switch(&child);
	assert_true(zero(&child, s + M2, M2, 64 << 10));
	hp_counts(m, 2, 0);
	ut_store64(&child, s + M2 + 8, 0x1234);
	assert_true(holds(&child, s, 1UL << 20, 64 << 10, 0, 3));
	ut_switch(&u);
	assert_int_equal(ut_load64(&u, s + M2 + 8), 0x1234);
	hp_counts(m, 2, 0);
	ut_exit(&child);
	ut_switch(&u);
	ut_check(m);
	ut_exit(&u);
	hp_counts(m, 4, 0);
	test_machine_done(m);
}

/*
 * mremap of a private 2 MiB mapping of 4 pages at 1 GiB, pool of 6, pages 0 and 1 written
 * (Free 4, Rsvd 2):
 *   new address 3 GiB + 4 KiB, FIXED            -EINVAL (not huge-page aligned)
 *   DONTUNMAP (same length)                     -EINVAL (VM_DONTEXPAND: vma_to_resize)
 *   grow to 5 pages                             -EINVAL (no hugetlb expansion)
 *   MAYMOVE without FIXED, same length          the address itself, nothing moves
 *   FIXED to 3 GiB                              3 GiB: the same two pages mapped there (the
 *                                               same PFNs, no fault), the old range gone
 *                                               (SIGSEGV); Free 4, Rsvd 2 (the moved VMA
 *                                               owns the reservations)
 *   a write of page 2 at the new address        consumes a reservation: Free 3, Rsvd 1
 *   FIXED to 1 GiB, shrunk to 2 pages           page 3's reservation returned (the tail is
 *                                               unmapped first), page 2 freed: Free 4, Rsvd 0
 *   munmap                                      Free 6, Rsvd 0
 */
static void test_hugetlb_ops_mremap_move(void **state)
{
	struct kmm_machine *m = boot(1ull << 30, "hugepages=6");
	const unsigned long a = 1UL << 30, b = 3UL << 30;
	unsigned long aborts, pfn0, pfn1;
	struct utask u;

	(void)state;
	ut_init(&u, m, 1);
	assert_int_equal(ut_mmap(&u, a, 4 * M2, RW, PA | MAP_FIXED), a);
	fill(&u, a, 2 * M2, 64 << 10, 0, 4);
	hp_counts(m, 4, 2);
	pfn0 = (unsigned long)((pmd_desc(&u, a) & PTE_ADDR_MASK) >> PAGE_SHIFT);
	pfn1 = (unsigned long)((pmd_desc(&u, a + M2) & PTE_ADDR_MASK) >> PAGE_SHIFT);

	assert_int_equal(
		(long)do_mremap(u.t.mm, a, 4 * M2, 4 * M2, MREMAP_MAYMOVE | MREMAP_FIXED, b + P),
		-EINVAL);
	assert_int_equal(
		(long)do_mremap(u.t.mm, a, 4 * M2, 4 * M2, MREMAP_MAYMOVE | MREMAP_DONTUNMAP, 0),
		-EINVAL);
	assert_int_equal((long)do_mremap(u.t.mm, a, 4 * M2, 5 * M2, MREMAP_MAYMOVE, 0), -EINVAL);
	assert_int_equal(do_mremap(u.t.mm, a, 4 * M2, 4 * M2, MREMAP_MAYMOVE, 0), a);
	hp_counts(m, 4, 2);

	assert_int_equal(do_mremap(u.t.mm, a, 4 * M2, 4 * M2, MREMAP_MAYMOVE | MREMAP_FIXED, b), b);
	hp_counts(m, 4, 2);
	assert_null(find_vma_intersection(u.t.mm, a, a + 4 * M2));
	assert_int_equal((pmd_desc(&u, b) & PTE_ADDR_MASK) >> PAGE_SHIFT, pfn0);
	assert_int_equal((pmd_desc(&u, b + M2) & PTE_ADDR_MASK) >> PAGE_SHIFT, pfn1);
	assert_int_equal(pmd_desc(&u, b) & 3, 1); /* a block */
	aborts = u.aborts;
	assert_true(holds(&u, b, 2 * M2, 64 << 10, 0, 4));
	assert_int_equal(u.aborts, aborts); /* moved, not faulted */
	assert_int_equal(access_status(&u, KMM_ACCESS_LOAD, a), KMM_SIGSEGV);
	ut_store64(&u, b + 2 * M2, pattern(2 * M2, 4));
	hp_counts(m, 3, 1);

	assert_int_equal(do_mremap(u.t.mm, b, 4 * M2, 2 * M2, MREMAP_MAYMOVE | MREMAP_FIXED, a), a);
	hp_counts(m, 4, 0);
	assert_true(holds(&u, a, 2 * M2, 64 << 10, 0, 4));
	assert_null(find_vma_intersection(u.t.mm, b, b + 4 * M2));
	assert_int_equal(do_munmap(u.t.mm, a, 2 * M2), 0);
	hp_counts(m, 6, 0);
	ut_exit(&u);
	test_machine_done(m);
}

/*
 * A partial move strands reservations, as 6.1's clear_vma_resv_huge_pages does: private 2 MiB
 * mapping of 4 pages, page 0 written (Free 3, Rsvd 3). Moving page 1 alone (FIXED) gives the
 * new VMA the owner's map (its index 1 still reserved); the old VMA loses its map, so the
 * pieces left, [0] and [2, 4), are no owner any more and their unconsumed indices 2 and 3 are
 * never given back: Rsvd 3 after the move. Writing the moved page consumes index 1 (Free 2,
 * Rsvd 2). A fault in the old piece [2, 4) has no reservation and finds free 2 - resv 2 = 0:
 * SIGBUS. munmap of everything frees the two pages: Free 4, Rsvd 2 for good. The data of the
 * moved page and of page 0 stay.
 */
static void test_hugetlb_ops_mremap_partial_strands(void **state)
{
	struct kmm_machine *m = boot(1ull << 30, "hugepages=4");
	const unsigned long a = 1UL << 30, b = 3UL << 30;
	struct utask u;

	(void)state;
	ut_init(&u, m, 1);
	assert_int_equal(ut_mmap(&u, a, 4 * M2, RW, PA | MAP_FIXED), a);
	fill(&u, a, M2, 64 << 10, 0, 5);
	hp_counts(m, 3, 3);
	assert_int_equal(do_mremap(u.t.mm, a + M2, M2, M2, MREMAP_MAYMOVE | MREMAP_FIXED, b), b);
	hp_counts(m, 3, 3);
	assert_true(holds(&u, a, M2, 64 << 10, 0, 5));
	fill(&u, b, M2, 64 << 10, M2, 5);
	hp_counts(m, 2, 2);
	assert_int_equal(access_status(&u, KMM_ACCESS_STORE, a + 2 * M2), KMM_SIGBUS);
	assert_int_equal(access_status(&u, KMM_ACCESS_LOAD, a + 3 * M2), KMM_SIGBUS);
	hp_counts(m, 2, 2);
	assert_true(holds(&u, b, M2, 64 << 10, M2, 5));
	assert_true(holds(&u, a, M2, 64 << 10, 0, 5));
	assert_int_equal(do_munmap(u.t.mm, b, M2), 0);
	hp_counts(m, 3, 2);
	assert_int_equal(do_munmap(u.t.mm, a, 4 * M2), 0);
	hp_counts(m, 4, 2);
	ut_exit(&u);
	hp_counts(m, 4, 2);
	test_machine_done(m);
}

/* The heads of the free pool pages of order @order, lowest PFN first, at most @max. */
static unsigned long free_pool_heads(struct kmm_machine *m, unsigned int order,
				     unsigned long *heads, unsigned long max)
{
	struct kmm_kernel *k = &m->kernel;
	unsigned long n = 0;

	for (unsigned long pfn = 0; pfn < k->max_pfn && n < max; pfn++) {
		struct page *page;

		if (!pfn_valid(k, pfn))
			continue;
		page = pfn_to_page(k, pfn);
		if (PageHuge(page) && PageHead(page) && compound_order(page) == order &&
		    !page_ref_count(page)) {
			heads[n++] = pfn;
			pfn += (1UL << order) - 1;
		}
	}
	return n;
}

static unsigned long vmevent(struct kmm_machine *m, const char *name)
{
	const char *text = test_view(m, "/proc/vmstat"), *p = text;
	size_t len = strlen(name);

	while ((p = strstr(p, name)) != NULL) {
		if ((p == text || p[-1] == '\n') && p[len] == ' ')
			return strtoul(p + len + 1, NULL, 10);
		p += len;
	}
	fail_msg("no %s in /proc/vmstat", name);
	return 0;
}

/*
 * alloc_contig_range over free pool pages (isolate_or_dissolve_huge_page): 2 MiB pool of 8
 * with 2 pages mapped by a task (data written). A range of two free pool pages' PFNs is
 * taken: alloc_and_dissolve_huge_page gives the pool a fresh page from the node for each
 * (htlb_buddy_alloc_success +2) and frees the old ones into the isolated range, so the
 * range comes back allocated (every page one reference, none hugetlb), the pool still has
 * 8 pages, 6 free, none of them in the range; the task's data is unchanged. A gigantic pool
 * page in a range makes it fail at once with -ENOMEM (the kernel fences them off), the page
 * staying in the pool.
 */
static void test_hugetlb_ops_contig_range_dissolves_free_pages(void **state)
{
	struct kmm_machine *m = boot(1ull << 30, "hugepagesz=32M hugepages=1 hugepagesz=2M "
						 "hugepages=8");
	struct kmm_kernel *k = &m->kernel;
	unsigned long heads[8], n, a, ok0, start, gig;
	struct utask u;

	(void)state;
	ut_init(&u, m, 1);
	a = ut_mmap(&u, 0, 2 * M2, RW, PA);
	assert_false(IS_ERR_VALUE(a));
	fill(&u, a, 2 * M2, 4096, 0, 6);
	hp_counts(m, 6, 0);
	n = free_pool_heads(m, 9, heads, 8);
	assert_int_equal(n, 6);
	/* two free pool pages next to each other: the range holds nothing else */
	start = 0;
	for (unsigned long i = 0; i + 1 < n && !start; i++)
		if (heads[i + 1] == heads[i] + 512)
			start = heads[i];
	assert_true(start != 0);
	ok0 = vmevent(m, "htlb_buddy_alloc_success");
	assert_int_equal(alloc_contig_range(k, start, start + 1024, MIGRATE_MOVABLE, GFP_KERNEL),
			 0);
	ut_check(m);
	assert_int_equal(vmevent(m, "htlb_buddy_alloc_success") - ok0, 2);
	for (unsigned long pfn = start; pfn < start + 1024; pfn++) {
		assert_int_equal(page_ref_count(pfn_to_page(k, pfn)), 1);
		assert_false(PageHuge(pfn_to_page(k, pfn)));
	}
	assert_int_equal(meminfo(m, "HugePages_Total:"), 8);
	hp_counts(m, 6, 0);
	n = free_pool_heads(m, 9, heads, 8);
	assert_int_equal(n, 6);
	for (unsigned long i = 0; i < n; i++)
		assert_true(heads[i] + 512 <= start || heads[i] >= start + 1024);
	assert_true(holds(&u, a, 2 * M2, 4096, 0, 6));
	free_contig_range(k, start, 1024);
	ut_check(m);

	assert_int_equal(free_pool_heads(m, 13, &gig, 1), 1);
	assert_int_equal(alloc_contig_range(k, gig, gig + 1024, MIGRATE_MOVABLE, GFP_KERNEL),
			 -ENOMEM);
	assert_int_equal(free_pool_heads(m, 13, &gig, 1), 1);
	assert_int_equal(attr_free(m, "hugepages-32768kB"), 1);
	ut_check(m);

	ut_exit(&u);
	hp_counts(m, 8, 0);
	test_machine_done(m);
}

static unsigned long mapped_pfn(struct utask *u, unsigned long va)
{
	return (unsigned long)((pmd_desc(u, va) & PTE_ADDR_MASK) >> PAGE_SHIFT);
}

/*
 * alloc_contig_range over an in-use 2 MiB page (isolate_hugetlb, migrate_hugetlbs), pool of 8,
 * one private page written (Free 7, Rsvd 0). free 7 > resv 0, so the target is a free pool
 * page (alloc_huge_page_nodemask's dequeue) and the old page goes back to the pool inside the
 * range: 6.1's test_pages_isolated then finds a page not in the buddy: -EBUSY, although the
 * page moved (pgmigrate_success +512; the task's entry names another PFN, its data intact,
 * HugetlbPages unchanged, Free 7). The same range again: the old page is free now and is
 * dissolved (htlb_buddy_alloc_success +1): 0, the pool still 8 with 7 free.
 */
static void test_hugetlb_ops_contig_range_migrates_in_use(void **state)
{
	struct kmm_machine *m = boot(1ull << 30, "hugepages=8");
	struct kmm_kernel *k = &m->kernel;
	unsigned long a, pfn, mig0, bud0;
	struct utask u;

	(void)state;
	ut_init(&u, m, 1);
	a = ut_mmap(&u, 0, M2, RW, PA);
	assert_false(IS_ERR_VALUE(a));
	fill(&u, a, M2, 4096, 0, 7);
	hp_counts(m, 7, 0);
	pfn = mapped_pfn(&u, a);
	mig0 = vmevent(m, "pgmigrate_success");
	bud0 = vmevent(m, "htlb_buddy_alloc_success");
	assert_int_equal(alloc_contig_range(k, pfn, pfn + 512, MIGRATE_MOVABLE, GFP_KERNEL),
			 -EBUSY);
	ut_check(m);
	assert_int_equal(vmevent(m, "pgmigrate_success") - mig0, 512);
	assert_int_equal(vmevent(m, "htlb_buddy_alloc_success") - bud0, 0);
	assert_true(mapped_pfn(&u, a) != pfn);
	assert_int_equal(pmd_desc(&u, a) & 3, 1);
	assert_true(PageHuge(pfn_to_page(k, pfn)) && !page_ref_count(pfn_to_page(k, pfn)));
	hp_counts(m, 7, 0);
	assert_true(holds(&u, a, M2, 4096, 0, 7));

	assert_int_equal(alloc_contig_range(k, pfn, pfn + 512, MIGRATE_MOVABLE, GFP_KERNEL), 0);
	ut_check(m);
	assert_int_equal(vmevent(m, "htlb_buddy_alloc_success") - bud0, 1);
	assert_int_equal(meminfo(m, "HugePages_Total:"), 8);
	hp_counts(m, 7, 0);
	free_contig_range(k, pfn, 512);
	ut_check(m);
	assert_true(holds(&u, a, M2, 4096, 0, 7));
	ut_exit(&u);
	hp_counts(m, 8, 0);
	test_machine_done(m);
}

/*
 * An in-use page when the pool has no free unreserved page: pool of 2, both mapped by a
 * private mapping and written (Free 0), then shared with a forked child (entire mapcount 2,
 * both read-only). alloc_contig_range over page 0: free 0 - resv 0 = 0, so the target is a
 * fresh temporary page (alloc_migrate_huge_page: htlb_buddy_alloc_success +1); both mappings
 * become migration entries and then entries of the new page (mapcount 2, read-only, the
 * same new PFN in both tasks); move_hugetlb_state makes the old page the temporary one, so it
 * goes to the buddy allocator and the range is had: 0. The pool is 2 pages (Total 2, Free 0,
 * Surp 0) and both tasks read their data back; HugetlbPages is unchanged in both (4096 kB).
 */
static void test_hugetlb_ops_contig_range_temporary_target(void **state)
{
	struct kmm_machine *m = boot(1ull << 30, "hugepages=2");
	struct kmm_kernel *k = &m->kernel;
	struct utask u, child;
	unsigned long a, pfn, npfn, mig0, bud0;

	(void)state;
	ut_init(&u, m, 1);
	a = ut_mmap(&u, 0, 2 * M2, RW, PA);
	assert_false(IS_ERR_VALUE(a));
	fill(&u, a, 2 * M2, 4096, 0, 8);
	hp_counts(m, 0, 0);
	memcpy(&child, &u, sizeof(child));
	child.asid = 2;
	child.t.pid = 2;
	memset(&child.t.rss_stat, 0, sizeof(child.t.rss_stat));
	child.t.mm = dup_mm(&child.t, u.t.mm);
	assert_non_null(child.t.mm);
	ut_check(m);
	pfn = mapped_pfn(&u, a);
	assert_int_equal(folio_entire_mapcount(page_folio(pfn_to_page(k, pfn))), 2);
	mig0 = vmevent(m, "pgmigrate_success");
	bud0 = vmevent(m, "htlb_buddy_alloc_success");
	assert_int_equal(alloc_contig_range(k, pfn, pfn + 512, MIGRATE_MOVABLE, GFP_KERNEL), 0);
	ut_check(m);
	assert_int_equal(vmevent(m, "pgmigrate_success") - mig0, 512);
	assert_int_equal(vmevent(m, "htlb_buddy_alloc_success") - bud0, 1);
	npfn = mapped_pfn(&u, a);
	assert_true(npfn != pfn);
	assert_int_equal(mapped_pfn(&child, a), npfn);
	assert_false(pmd_desc(&u, a) & PTE_WRITE);
	assert_false(pmd_desc(&child, a) & PTE_WRITE);
	assert_int_equal(folio_entire_mapcount(page_folio(pfn_to_page(k, npfn))), 2);
	for (unsigned long p = pfn; p < pfn + 512; p++)
		assert_int_equal(page_ref_count(pfn_to_page(k, p)), 1);
	assert_int_equal(meminfo(m, "HugePages_Total:"), 2);
	assert_int_equal(meminfo(m, "HugePages_Surp:"), 0);
	hp_counts(m, 0, 0);
	assert_int_equal(u.t.mm->hugetlb_usage, 1024);
	assert_int_equal(child.t.mm->hugetlb_usage, 1024);
	assert_true(holds(&u, a, 2 * M2, 4096, 0, 8));
	ut_switch(&child);
	assert_true(holds(&child, a, 2 * M2, 4096, 0, 8));
	ut_switch(&u);
	free_contig_range(k, pfn, 512);
	ut_check(m);
	ut_exit(&child);
	ut_switch(&u);
	ut_exit(&u);
	hp_counts(m, 2, 0);
	test_machine_done(m);
}

static unsigned long hattr(struct kmm_machine *m, const char *size, const char *name)
{
	char path[128];

	snprintf(path, sizeof(path), "/sys/kernel/mm/hugepages/%s/%s", size, name);
	return strtoul(test_view(m, path), NULL, 10);
}

static int hstore(struct kmm_machine *m, const char *size, const char *name, const char *v)
{
	char path[128];

	snprintf(path, sizeof(path), "/sys/kernel/mm/hugepages/%s/%s", size, name);
	return kmm_sysctl(m, path, v);
}

/*
 * Demotion (demote_store, demote_free_huge_page), pools 32 MiB x 2 and 2 MiB x 3 on 1 GiB:
 *   demote_size: 32 MiB's is 2048kB, 2 MiB's 64kB (the next smaller size, hugetlb_init_hstates)
 *   32M demote 1        32M: 1 page (free 1); 2M: 3 + 16 = 19 (free 19)
 *   map one 32M page    Rsvd 1: free 1 - resv 1 = 0 available, demote 1 does nothing (32M: 1)
 *   2M demote 2         2M: 17; 64K: 2 x 32 = 64, all free
 *   demote_size 64K on 2M: -EINVAL (below HUGETLB_PAGE_ORDER); 1G on 32M: -EINVAL (not
 *   smaller); 2M on 1G: accepted, read back 2048kB; demote "x": -EINVAL
 * 64 KiB pages from the demoted ones map and keep their data.
 */
static void test_hugetlb_ops_demote(void **state)
{
	struct kmm_machine *m =
		boot(1ull << 30, "hugepagesz=32M hugepages=2 hugepagesz=2M hugepages=3");
	unsigned long a, b;
	struct utask u;

	(void)state;
	ut_init(&u, m, 1);
	assert_string_equal(test_view(m, "/sys/kernel/mm/hugepages/hugepages-32768kB/demote_size"),
			    "2048kB\n");
	assert_string_equal(test_view(m, "/sys/kernel/mm/hugepages/hugepages-2048kB/demote_size"),
			    "64kB\n");
	assert_int_equal(hattr(m, "hugepages-32768kB", "nr_hugepages"), 2);
	assert_int_equal(hstore(m, "hugepages-32768kB", "demote", "1"), KMM_OK);
	ut_check(m);
	assert_int_equal(hattr(m, "hugepages-32768kB", "nr_hugepages"), 1);
	assert_int_equal(hattr(m, "hugepages-32768kB", "free_hugepages"), 1);
	assert_int_equal(hattr(m, "hugepages-2048kB", "nr_hugepages"), 19);
	assert_int_equal(hattr(m, "hugepages-2048kB", "free_hugepages"), 19);

	a = ut_mmap(&u, 0, 32UL << 20, RW, PA | (25 << MAP_HUGE_SHIFT));
	assert_false(IS_ERR_VALUE(a));
	assert_int_equal(hattr(m, "hugepages-32768kB", "resv_hugepages"), 1);
	assert_int_equal(hstore(m, "hugepages-32768kB", "demote", "1"), KMM_OK);
	assert_int_equal(hattr(m, "hugepages-32768kB", "nr_hugepages"), 1);
	ut_check(m);

	assert_int_equal(hstore(m, "hugepages-2048kB", "demote", "2"), KMM_OK);
	ut_check(m);
	assert_int_equal(hattr(m, "hugepages-2048kB", "nr_hugepages"), 17);
	assert_int_equal(hattr(m, "hugepages-64kB", "nr_hugepages"), 64);
	assert_int_equal(hattr(m, "hugepages-64kB", "free_hugepages"), 64);

	assert_int_equal(hstore(m, "hugepages-2048kB", "demote_size", "64K"), KMM_EINVAL);
	assert_int_equal(hstore(m, "hugepages-32768kB", "demote_size", "1G"), KMM_EINVAL);
	assert_int_equal(hstore(m, "hugepages-1048576kB", "demote_size", "2M"), KMM_OK);
	assert_string_equal(
		test_view(m, "/sys/kernel/mm/hugepages/hugepages-1048576kB/demote_size"),
		"2048kB\n");
	assert_int_equal(hstore(m, "hugepages-2048kB", "demote", "x"), KMM_EINVAL);
	assert_int_equal(hattr(m, "hugepages-2048kB", "nr_hugepages"), 17);

	b = ut_mmap(&u, 0, 40 * (64UL << 10), RW, PA | (16 << MAP_HUGE_SHIFT));
	assert_false(IS_ERR_VALUE(b));
	fill(&u, b, 40 * (64UL << 10), 8192, 0, 9);
	assert_int_equal(hattr(m, "hugepages-64kB", "free_hugepages"), 24);
	ut_check(m);
	assert_true(holds(&u, b, 40 * (64UL << 10), 8192, 0, 9));
	ut_exit(&u);
	assert_int_equal(hattr(m, "hugepages-64kB", "free_hugepages"), 64);
	ut_check(m);
	test_machine_done(m);
}

/* The HugetlbPages row of task @pid's status, in kB. */
static unsigned long hugetlb_pages_kb(struct kmm_machine *m, kmm_pid_t pid)
{
	char path[64];
	const char *p;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	p = strstr(test_view(m, path), "HugetlbPages:");
	assert_non_null(p);
	return strtoul(p + strlen("HugetlbPages:"), NULL, 10);
}

/*
 * HugetlbPages (hugetlb_report_usage: mm->hugetlb_usage << (PAGE_SHIFT - 10)) by hand: a
 * task maps two pages of each size and touches the first: 64 + 2048 + 32768 + 1048576 =
 * 1083456 kB. Touching the second 64 KiB page adds 64 (1083520). fork copies every private
 * entry (copy_hugetlb_page_range: hugetlb_count_add): the child shows the same. MADV_DONTNEED
 * of the parent's 2 MiB page takes 2048 off the parent only; munmap of the 1 GiB mapping
 * 1048576 more; the child's COW write of the 32 MiB page replaces its entry (no change).
 */
static void test_hugetlb_ops_status_hugetlbpages(void **state)
{
	static const struct {
		int flag;
		unsigned long bytes;
	} sz[] = {{KMM_MAP_HUGE_64KB, 64UL << 10},
		  {KMM_MAP_HUGE_2MB, 2UL << 20},
		  {KMM_MAP_HUGE_32MB, 32UL << 20},
		  {KMM_MAP_HUGE_1GB, 1UL << 30}};
	struct kmm_machine *m = boot(6ull << 30, "hugepagesz=1G hugepages=2 hugepagesz=32M "
						 "hugepages=4 hugepagesz=2M hugepages=4 "
						 "hugepagesz=64K hugepages=4");
	kmm_va_t va[4];
	kmm_pid_t pid, child;
	uint64_t word = 0x5a5a;

	(void)state;
	assert_int_equal(kmm_task_create(m, "ht", 0, &pid), KMM_OK);
	assert_int_equal(hugetlb_pages_kb(m, pid), 0);
	for (int i = 0; i < 4; i++) {
		assert_int_equal(
			kmm_mmap(m, pid, 0, 2 * sz[i].bytes, KMM_PROT_READ | KMM_PROT_WRITE,
				 KMM_MAP_PRIVATE | KMM_MAP_ANONYMOUS | KMM_MAP_HUGETLB | sz[i].flag,
				 -1, 0, &va[i]),
			KMM_OK);
		assert_int_equal(
			kmm_task_access(m, pid, KMM_ACCESS_STORE, va[i], &word, sizeof(word), NULL),
			KMM_OK);
		ut_check(m);
	}
	assert_int_equal(hugetlb_pages_kb(m, pid), 64 + 2048 + 32768 + 1048576);
	assert_int_equal(kmm_task_access(m, pid, KMM_ACCESS_STORE, va[0] + (64 << 10), &word,
					 sizeof(word), NULL),
			 KMM_OK);
	assert_int_equal(hugetlb_pages_kb(m, pid), 1083520);
	assert_int_equal(kmm_task_fork(m, pid, &child), KMM_OK);
	ut_check(m);
	assert_int_equal(hugetlb_pages_kb(m, child), 1083520);
	assert_int_equal(kmm_madvise(m, pid, va[1], 2UL << 20, KMM_MADV_DONTNEED), KMM_OK);
	assert_int_equal(hugetlb_pages_kb(m, pid), 1083520 - 2048);
	assert_int_equal(hugetlb_pages_kb(m, child), 1083520);
	assert_int_equal(kmm_munmap(m, pid, va[3], 2UL << 30), KMM_OK);
	assert_int_equal(hugetlb_pages_kb(m, pid), 1083520 - 2048 - 1048576);
	ut_check(m);
	word = 0xc0c0;
	assert_int_equal(
		kmm_task_access(m, child, KMM_ACCESS_STORE, va[2], &word, sizeof(word), NULL),
		KMM_OK);
	assert_int_equal(hugetlb_pages_kb(m, child), 1083520);
	word = 0;
	assert_int_equal(kmm_task_access(m, pid, KMM_ACCESS_LOAD, va[2], &word, sizeof(word), NULL),
			 KMM_OK);
	assert_int_equal(word, 0x5a5a);
	ut_check(m);
	assert_int_equal(kmm_task_exit(m, child, 0), KMM_OK);
	assert_int_equal(kmm_task_exit(m, pid, 0), KMM_OK);
	ut_check(m);
	test_machine_done(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hugetlb_ops_madv_dontneed),
		cmocka_unit_test(test_hugetlb_ops_madv_remove),
		cmocka_unit_test(test_hugetlb_ops_mremap_move),
		cmocka_unit_test(test_hugetlb_ops_mremap_partial_strands),
		cmocka_unit_test(test_hugetlb_ops_status_hugetlbpages),
		cmocka_unit_test(test_hugetlb_ops_contig_range_dissolves_free_pages),
		cmocka_unit_test(test_hugetlb_ops_contig_range_migrates_in_use),
		cmocka_unit_test(test_hugetlb_ops_contig_range_temporary_target),
		cmocka_unit_test(test_hugetlb_ops_demote),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
