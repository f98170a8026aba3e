/*
 * MAP_HUGETLB mappings (src/mm/hugetlb.c "mappings"): each of arm64's four sizes maps, faults
 * and keeps its data, through the descriptors arm64 uses (64 KiB: 16 contiguous PTEs, 2 MiB:
 * a PMD block, 32 MiB: 16 contiguous PMD blocks, 1 GiB: a PUD block) and one TLB entry per
 * huge page; reservations counted by hand through mmap, fault and munmap (HugePages_Rsvd),
 * -ENOMEM when the pool cannot cover them, MAP_NORESERVE faulting into SIGBUS on an empty
 * pool, surplus pages from nr_overcommit_hugepages going back to the buddy allocator; fork
 * and COW (the child's SIGBUS when the pool is empty, the owner keeping its page); the 6.1
 * length and address rules (unaligned munmap/mprotect/MAP_FIXED/mremap: -EINVAL).
 *
 * Expected values come from 6.1's rules (hugetlb_reserve_pages, alloc_huge_page,
 * hugetlb_vm_op_close, hugetlb_vm_op_split, arch_make_huge_pte) and arm64's sizes, worked by
 * hand in the comments; kmm_check() after every step; user data checksummed.
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

struct size {
	unsigned long log, bytes, pool; /* pool: what test_hugetlb_map_each_size's boot asks */
	const char *dir;		/* its sysfs directory */
};

static const struct size sizes[] = {
	{16, 64UL << 10, 5, "/sys/kernel/mm/hugepages/hugepages-64kB/"},
	{21, 2UL << 20, 4, "/sys/kernel/mm/hugepages/hugepages-2048kB/"},
	{25, 32UL << 20, 3, "/sys/kernel/mm/hugepages/hugepages-32768kB/"},
	{30, 1UL << 30, 2, "/sys/kernel/mm/hugepages/hugepages-1048576kB/"},
};

static struct kmm_machine *boot(uint64_t ram, const char *cmdline)
{
	struct kmm_config cfg;

	kmm_config_init(&cfg);
	assert_int_equal(kmm_config_set_ram(&cfg, ram), KMM_OK);
	assert_int_equal(kmm_config_option(&cfg, "-cpu", "cortex-a57"), KMM_OK);
	snprintf(cfg.cmdline, sizeof(cfg.cmdline), "%s", cmdline);
	return test_machine(&cfg);
}

static unsigned long attr(struct kmm_machine *m, const struct size *s, const char *name)
{
	char path[128];

	snprintf(path, sizeof(path), "%s%s", s->dir, name);
	return strtoul(test_view(m, path), NULL, 10);
}

static unsigned long meminfo(struct kmm_machine *m, const char *row)
{
	const char *p = strstr(test_view(m, "/proc/meminfo"), row);

	assert_non_null(p);
	return strtoul(p + strlen(row), NULL, 10);
}

/* MemFree with the per-CPU lists drained (6.1 keeps freed order-9 blocks on them). */
static unsigned long memfree(struct kmm_machine *m)
{
	drain_all_pages(&m->kernel, NULL);
	return meminfo(m, "MemFree:");
}

static void set(struct kmm_machine *m, const char *name, const char *value)
{
	if (kmm_sysctl(m, name, value) != KMM_OK)
		fail_msg("%s=%s: %s", name, value, kmm_last_error(m));
	ut_check(m);
}

static uint64_t pattern(uint64_t va, uint64_t salt)
{
	return (va ^ (salt << 56)) * 0x9e3779b97f4a7c15ull;
}

/* One word every @stride bytes of [va, va + len). */
static void fill(struct utask *u, unsigned long va, unsigned long len, unsigned long stride,
		 uint64_t salt)
{
	for (unsigned long a = va; a < va + len; a += stride)
		ut_store64(u, a, pattern(a, salt));
}

static bool holds(struct utask *u, unsigned long va, unsigned long len, unsigned long stride,
		  uint64_t salt)
{
	for (unsigned long a = va; a < va + len; a += stride)
		if (ut_load64(u, a) != pattern(a, salt))
			return false;
	return true;
}

/* The descriptors of the huge page at @va, read from @u's tables by hand. */
static uint64_t *leaf(struct utask *u, unsigned long va, int level)
{
	struct kmm_kernel *k = u->k;
	pgd_t *pgdp = pgd_offset_pgd(k, u->t.mm->pgd, va);
	p4d_t *p4dp = p4d_offset(pgdp, va);
	pud_t *pudp;
	pmd_t *pmdp;

	if (p4d_none(*p4dp))
		return NULL;
	pudp = pud_offset(k, p4dp, va);
	if (level == 1)
		return (uint64_t *)pudp;
	if (!pud_table(*pudp))
		return NULL;
	pmdp = pmd_offset(k, pudp, va);
	if (level == 2)
		return (uint64_t *)pmdp;
	if (!pmd_table(*pmdp))
		return NULL;
	return (uint64_t *)pte_offset_kernel(k, pmdp, va);
}

/*
 * arm64's huge descriptors (arch_make_huge_pte, set_huge_pte_at): 64 KiB at level 3, 16
 * page descriptors (bits[1:0] = 0b11) with the contiguous bit, 4 KiB apart; 2 MiB one level-2
 * block (0b01) without it; 32 MiB 16 level-2 blocks with it, 2 MiB apart; 1 GiB one level-1
 * block. Every descriptor is valid, user, and names its part of the one compound page.
 */
static void check_descriptors(struct utask *u, const struct size *s, unsigned long va)
{
	int level = s->log == 30 ? 1 : s->log >= 21 ? 2 : 3;
	unsigned int n = (s->log == 16 || s->log == 25) ? 16 : 1;
	unsigned long step = level == 3 ? 1 : level == 2 ? 512 : 1UL << 18;
	uint64_t *d = leaf(u, va, level), type = level == 3 ? 3 : 1;
	unsigned long pfn0;
	struct page *head;

	assert_non_null(d);
	pfn0 = (unsigned long)((d[0] & PTE_ADDR_MASK) >> PAGE_SHIFT);
	for (unsigned int i = 0; i < n; i++) {
		assert_int_equal(d[i] & 3, type);
		assert_int_equal(!!(d[i] & PTE_CONT), n == 16);
		assert_true(d[i] & PTE_USER);
		assert_true(d[i] & PTE_AF);
		assert_int_equal((d[i] & PTE_ADDR_MASK) >> PAGE_SHIFT, pfn0 + i * step);
	}
	if (n == 1 && level < 3)
		assert_int_equal(d[1] & 3, 0); /* the next slot is not part of it */
	head = pfn_to_page(u->k, pfn0);
	assert_true(PageHuge(head) && PageHead(head));
	assert_int_equal(PAGE_SHIFT + compound_order(head), s->log);
	assert_int_equal(pfn0 & ((s->bytes >> PAGE_SHIFT) - 1), 0);
}

/*
 * Each size: a private mapping of a length one byte over the huge page size is rounded up to
 * two huge pages (ksys_mmap_pgoff's ALIGN), at an address aligned to the size
 * (hugetlb_get_unmapped_area); both are reserved at mmap (resv_hugepages 2), the first write
 * takes one fault, consumes one reservation (resv 1, free N - 1), and maps the arm64
 * descriptors. The rest of the huge page takes no fault and no table walk (one TLB entry
 * covers it); no rss (6.1 keeps hugetlb out of MM_ANONPAGES); smaps counts it private.
 * munmap gives back the page and the reservation left.
 */
static void test_hugetlb_map_each_size(void **state)
{
	struct kmm_machine *m = boot(6ull << 30, "hugepagesz=1G hugepages=2 hugepagesz=32M "
						 "hugepages=3 hugepagesz=2M hugepages=4 "
						 "hugepagesz=64K hugepages=5");
	struct utask u;

	(void)state;
	ut_init(&u, m, 1);
	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		const struct size *s = &sizes[i];
		unsigned long nr = attr(m, s, "nr_hugepages"), va, aborts, shared, private;
		unsigned long stride = s->bytes >= (32UL << 20) ? s->bytes / 2048 : P;
		struct kmm_tlb_stats t0, t1;
		struct vm_area_struct *vma;

		assert_int_equal(nr, s->pool);
		va = ut_mmap(&u, 0, s->bytes + 1, RW, PA | (int)(s->log << MAP_HUGE_SHIFT));
		assert_false(IS_ERR_VALUE(va));
		assert_int_equal(va & (s->bytes - 1), 0);
		vma = find_vma(u.t.mm, va);
		assert_int_equal(vma->vm_end - vma->vm_start, 2 * s->bytes);
		assert_true(vma->vm_flags & VM_HUGETLB);
		assert_int_equal(attr(m, s, "resv_hugepages"), 2);
		assert_int_equal(attr(m, s, "free_hugepages"), nr);
		ut_check(m);

		aborts = u.aborts;
		ut_store64(&u, va, pattern(va, i));
		assert_int_equal(u.aborts, aborts + 1);
		check_descriptors(&u, s, va);
		assert_int_equal(attr(m, s, "resv_hugepages"), 1);
		assert_int_equal(attr(m, s, "free_hugepages"), nr - 1);
		assert_int_equal(ut_rss(&u, MM_ANONPAGES), 0);
		ut_check(m);

		assert_int_equal(kmm_tlb_stats(m, 0, &t0), KMM_OK);
		fill(&u, va + stride, s->bytes - stride, stride, i);
		assert_int_equal(kmm_tlb_stats(m, 0, &t1), KMM_OK);
		assert_int_equal(u.aborts, aborts + 1);
		assert_int_equal(t1.walks - t0.walks, 0); /* one entry for the whole page */
		assert_true(holds(&u, va, s->bytes, stride, i));
		hugetlb_smaps(vma, &shared, &private);
		assert_int_equal(shared, 0);
		assert_int_equal(private, s->bytes);
		assert_int_equal(vma_kernel_pagesize(vma), s->bytes);
		ut_check(m);

		assert_int_equal(do_munmap(u.t.mm, va, 2 * s->bytes), 0);
		assert_int_equal(attr(m, s, "resv_hugepages"), 0);
		assert_int_equal(attr(m, s, "free_hugepages"), nr);
		ut_check(m);
	}
	ut_exit(&u);
	ut_check(m);
	test_machine_done(m);
}

/*
 * Reservations by hand, 2 MiB pool of 4 (default size: the meminfo rows):
 *   mmap A private 3 pages            Rsvd 3  Free 4
 *   write A[0]                        Rsvd 2  Free 3   (the owner's reservation consumed)
 *   mmap B private 2 pages            -ENOMEM: free 3 - resv 2 = 1 < 2; nothing changes
 *   mmap C shared 1 page              Rsvd 3  Free 3
 *   write C[0]                        Rsvd 2  Free 2   (the page joins C's file)
 *   munmap A                          Rsvd 0  Free 3   (A's two unconsumed go back)
 *   munmap C                          Rsvd 0  Free 4   (the file goes: its page back)
 * MAP_NORESERVE of 5 pages: Rsvd 0; four writes take the four pages, the fifth is SIGBUS
 * (no reservation, no free page, no overcommit: alloc_huge_page's -ENOSPC).
 */
static void test_hugetlb_map_reservations(void **state)
{
	struct kmm_machine *m = boot(1ull << 30, "hugepages=4");
	unsigned long a, b, c, d;
	struct utask u;

	(void)state;
	ut_init(&u, m, 1);
	assert_int_equal(meminfo(m, "HugePages_Total:"), 4);
	a = ut_mmap(&u, 0, 3 * M2, RW, PA);
	assert_false(IS_ERR_VALUE(a));
	assert_int_equal(meminfo(m, "HugePages_Rsvd:"), 3);
	assert_int_equal(meminfo(m, "HugePages_Free:"), 4);
	ut_check(m);
	ut_store64(&u, a, pattern(a, 1));
	assert_int_equal(meminfo(m, "HugePages_Rsvd:"), 2);
	assert_int_equal(meminfo(m, "HugePages_Free:"), 3);
	ut_check(m);
	b = ut_mmap(&u, 0, 2 * M2, RW, PA);
	assert_int_equal((long)b, -ENOMEM);
	assert_int_equal(meminfo(m, "HugePages_Rsvd:"), 2);
	ut_check(m);
	c = ut_mmap(&u, 0, M2, RW, SA);
	assert_false(IS_ERR_VALUE(c));
	assert_int_equal(meminfo(m, "HugePages_Rsvd:"), 3);
	ut_store64(&u, c + 8, pattern(c, 2));
	assert_int_equal(meminfo(m, "HugePages_Rsvd:"), 2);
	assert_int_equal(meminfo(m, "HugePages_Free:"), 2);
	assert_int_equal(meminfo(m, "Hugetlb:"), 4 * 2048);
	ut_check(m);
	assert_int_equal(do_munmap(u.t.mm, a, 3 * M2), 0);
	assert_int_equal(meminfo(m, "HugePages_Rsvd:"), 0);
	assert_int_equal(meminfo(m, "HugePages_Free:"), 3);
	ut_check(m);
	assert_int_equal(ut_load64(&u, c + 8), pattern(c, 2));
	assert_int_equal(do_munmap(u.t.mm, c, M2), 0);
	assert_int_equal(meminfo(m, "HugePages_Free:"), 4);
	ut_check(m);

	d = ut_mmap(&u, 0, 5 * M2, RW, PA | MAP_NORESERVE);
	assert_false(IS_ERR_VALUE(d));
	assert_int_equal(meminfo(m, "HugePages_Rsvd:"), 0);
	for (unsigned long i = 0; i < 4; i++)
		ut_store64(&u, d + i * M2, pattern(d + i * M2, 3));
	assert_int_equal(meminfo(m, "HugePages_Free:"), 0);
	{
		uint64_t v = 1;

		assert_int_equal(ut_access(&u, KMM_ACCESS_STORE, d + 4 * M2, &v, sizeof(v)),
				 KMM_SIGBUS);
	}
	for (unsigned long i = 0; i < 4; i++)
		assert_int_equal(ut_load64(&u, d + i * M2), pattern(d + i * M2, 3));
	ut_check(m);
	assert_int_equal(do_munmap(u.t.mm, d, 5 * M2), 0);
	assert_int_equal(meminfo(m, "HugePages_Free:"), 4);
	ut_check(m);
	ut_exit(&u);
	test_machine_done(m);
}

/*
 * Surplus pages: with a pool of 1 and nr_overcommit_hugepages 2, a private mapping of 3
 * pages reserves 3: gather_surplus_pages allocates the 2 missing (HugePages_Surp 2, Total 3,
 * MemFree 4 MiB lower; compared with the per-CPU lists drained, within a slab page or so). A fourth
 * page beyond the overcommit cannot be reserved (-ENOMEM). munmap returns the unconsumed
 * reservations; return_unused_surplus_pages gives the surplus pages back to the buddy allocator
 * (Surp 0, Total 1, MemFree as before), and so does free_huge_page for a surplus page that was
 * mapped.
 */
static void test_hugetlb_map_surplus_returns_to_buddy(void **state)
{
	struct kmm_machine *m = boot(1ull << 30, "hugepages=1");
	unsigned long a, memfree0;
	struct utask u;

	(void)state;
	ut_init(&u, m, 1);
	set(m, "vm.nr_overcommit_hugepages", "2");
	memfree0 = memfree(m);
	assert_int_equal((long)ut_mmap(&u, 0, 4 * M2, RW, PA), -ENOMEM);
	assert_int_equal(meminfo(m, "HugePages_Surp:"), 0);
	/* the surplus pages tried went back (a slab page for the VMA may stay) */
	assert_true(memfree(m) + 64 >= memfree0);
	ut_check(m);
	a = ut_mmap(&u, 0, 3 * M2, RW, PA);
	assert_false(IS_ERR_VALUE(a));
	assert_int_equal(meminfo(m, "HugePages_Surp:"), 2);
	assert_int_equal(meminfo(m, "HugePages_Total:"), 3);
	assert_int_equal(meminfo(m, "HugePages_Rsvd:"), 3);
	assert_true(memfree(m) <= memfree0 - 4096);
	ut_check(m);
	fill(&u, a, 3 * M2, M2 / 4, 5);
	assert_int_equal(meminfo(m, "HugePages_Free:"), 0);
	assert_true(holds(&u, a, 3 * M2, M2 / 4, 5));
	ut_check(m);
	assert_int_equal(do_munmap(u.t.mm, a, 3 * M2), 0);
	assert_int_equal(meminfo(m, "HugePages_Surp:"), 0);
	assert_int_equal(meminfo(m, "HugePages_Total:"), 1);
	assert_int_equal(meminfo(m, "HugePages_Free:"), 1);
	ut_check(m);
	assert_true(memfree(m) + 64 >= memfree0);
	ut_exit(&u);
	test_machine_done(m);
}

static void fork_into(struct utask *child, struct utask *parent, uint64_t asid)
{
	memcpy(child, parent, sizeof(*child));
	child->asid = asid;
	child->t.pid = (int)asid;
	memset(&child->t.rss_stat, 0, sizeof(child->t.rss_stat));
	sync_mm_rss(&parent->t, parent->t.mm);
	child->t.mm = dup_mm(&child->t, parent->t.mm);
	assert_non_null(child->t.mm);
}

/*
 * fork shares each private huge page write-protected (entire mapcount 2, smaps Shared). With
 * a free page, the child's write copies (hugetlb_wp: a page from free - resv, not a
 * reservation: the child owns none); the parent's write then finds its page alone again and
 * reuses it. With the pool empty, the child's write is SIGBUS; the owner's write takes its
 * page back from the child (unmap_ref_private) and the child's next access is SIGBUS too.
 */
static void test_hugetlb_map_fork_cow(void **state)
{
	struct kmm_machine *m = boot(1ull << 30, "hugepages=3");
	struct utask parent, child;
	struct page *head;
	unsigned long a, shared, private;
	uint64_t v = 7;

	(void)state;
	ut_init(&parent, m, 1);
	a = ut_mmap(&parent, 0, 2 * M2, RW, PA);
	assert_false(IS_ERR_VALUE(a));
	fill(&parent, a, 2 * M2, 64 << 10, 1);
	assert_int_equal(meminfo(m, "HugePages_Free:"), 1);
	assert_int_equal(meminfo(m, "HugePages_Rsvd:"), 0);
	head = pfn_to_page(&m->kernel,
			   (unsigned long)((*leaf(&parent, a, 2) & PTE_ADDR_MASK) >> PAGE_SHIFT));
	fork_into(&child, &parent, 2);
	ut_check(m);
	assert_int_equal(folio_entire_mapcount(page_folio(head)), 2);
	assert_false(*leaf(&parent, a, 2) & PTE_WRITE);
	assert_false(*leaf(&child, a, 2) & PTE_WRITE);
	hugetlb_smaps(find_vma(child.t.mm, a), &shared, &private);
	assert_int_equal(shared, 2 * M2);
	assert_true(holds(&child, a, 2 * M2, 64 << 10, 1));

	/* the child's write: the one free page (free 1 - resv 0) becomes its copy */
	ut_store64(&child, a + 8, pattern(a + 8, 2));
	assert_int_equal(meminfo(m, "HugePages_Free:"), 0);
	assert_int_equal(folio_entire_mapcount(page_folio(head)), 1);
	assert_int_equal(ut_load64(&parent, a + 8), 0); /* never written there */
	assert_int_equal(ut_load64(&child, a + 8), pattern(a + 8, 2));
	assert_true(holds(&child, a, M2, 64 << 10, 1)); /* copied */
	assert_true(holds(&parent, a, M2, 64 << 10, 1));
	ut_check(m);
	/* the parent's write reuses its page, now mapped once */
	ut_store64(&parent, a, pattern(a, 3));
	assert_int_equal(meminfo(m, "HugePages_Free:"), 0);
	assert_int_equal(ut_load64(&child, a), pattern(a, 1));
	ut_check(m);

	/* the second page, shared, pool empty: the child's write is SIGBUS */
	assert_int_equal(ut_access(&child, KMM_ACCESS_STORE, a + M2, &v, sizeof(v)), KMM_SIGBUS);
	assert_true(holds(&child, a + M2, M2, 64 << 10, 1));
	/* the owner's write takes the page back from the child */
	ut_store64(&parent, a + M2, pattern(a + M2, 4));
	assert_int_equal(*leaf(&child, a + M2, 2), 0);
	assert_int_equal(ut_access(&child, KMM_ACCESS_LOAD, a + M2, &v, sizeof(v)), KMM_SIGBUS);
	assert_true(holds(&parent, a + M2 + (64 << 10), M2 - (64 << 10), 64 << 10, 1));
	ut_check(m);
	ut_exit(&child);
	ut_check(m);
	assert_int_equal(meminfo(m, "HugePages_Free:"), 1);
	ut_exit(&parent);
	assert_int_equal(meminfo(m, "HugePages_Free:"), 3);
	ut_check(m);
	test_machine_done(m);
}

/*
 * 6.1's rules for hugetlb ranges: munmap, mprotect or mremap that would split a VMA off a
 * huge page boundary is -EINVAL (hugetlb_vm_op_split), so is an unaligned MAP_FIXED address
 * (prepare_hugepage_range), a MAP_HUGE size with no hstate (4 MiB), a mremap that grows.
 * Aligned ones split fine: half a 2-page mapping goes, its reservation with it; mprotect of
 * one page read-only makes the next write SIGSEGV, the data stays.
 */
static void test_hugetlb_map_alignment_rules(void **state)
{
	struct kmm_machine *m = boot(1ull << 30, "hugepages=4");
	unsigned long a;
	struct utask u;
	uint64_t v = 1;

	(void)state;
	ut_init(&u, m, 1);
	assert_int_equal((long)ut_mmap(&u, 0, M2, RW, PA | (22 << MAP_HUGE_SHIFT)), -EINVAL);
	assert_int_equal((long)ut_mmap(&u, 0x40000000UL + P, M2, RW, PA | MAP_FIXED), -EINVAL);
	assert_int_equal(meminfo(m, "HugePages_Rsvd:"), 0);
	a = ut_mmap(&u, 0x40000000UL, 2 * M2, RW, PA | MAP_FIXED);
	assert_int_equal(a, 0x40000000UL);
	fill(&u, a, 2 * M2, 1 << 20, 1);
	ut_check(m);
	assert_int_equal(do_munmap(u.t.mm, a + P, P), -EINVAL);
	assert_int_equal(do_munmap(u.t.mm, a, M2 + P), -EINVAL);
	assert_int_equal(do_mprotect_pkey(u.t.mm, a, P, PROT_READ, -1), -EINVAL);
	assert_int_equal((long)do_mremap(u.t.mm, a, 2 * M2, 3 * M2, 0, 0), -EINVAL);
	assert_int_equal((long)do_mremap(u.t.mm, a + P, M2, M2, 0, 0), -EINVAL);
	assert_true(holds(&u, a, 2 * M2, 1 << 20, 1));
	ut_check(m);
	assert_int_equal(do_mprotect_pkey(u.t.mm, a + M2, M2, PROT_READ, -1), 0);
	assert_int_equal(ut_access(&u, KMM_ACCESS_STORE, a + M2, &v, sizeof(v)), KMM_SIGSEGV);
	assert_true(holds(&u, a, 2 * M2, 1 << 20, 1));
	ut_check(m);
	assert_int_equal(do_mprotect_pkey(u.t.mm, a + M2, M2, RW, -1), 0);
	ut_store64(&u, a + M2, pattern(a + M2, 1)); /* reuse: the page is exclusive */
	assert_int_equal(meminfo(m, "HugePages_Free:"), 2);
	ut_check(m);
	/* mremap shrinking to one page unmaps the second */
	assert_int_equal(do_mremap(u.t.mm, a, 2 * M2, M2, 0, 0), a);
	assert_int_equal(meminfo(m, "HugePages_Free:"), 3);
	assert_true(holds(&u, a, M2, 1 << 20, 1));
	ut_check(m);
	assert_int_equal(do_munmap(u.t.mm, a, M2), 0);
	assert_int_equal(meminfo(m, "HugePages_Free:"), 4);
	ut_check(m);
	ut_exit(&u);
	test_machine_done(m);
}

/* The smaps row of @name in @text after @after (a VMA's block), as a number. */
static unsigned long smaps_row(const char *text, const char *after, const char *name)
{
	const char *p = strstr(text, after);

	assert_non_null(p);
	p = strstr(p, name);
	assert_non_null(p);
	return strtoul(p + strlen(name), NULL, 10);
}

/*
 * Through the public API: a task's 64 KiB mapping (KMM_MAP_HUGE_64KB), touched by
 * kmm_task_touch, shows in /proc/PID/smaps with KernelPageSize and MMUPageSize 64 kB,
 * Private_Hugetlb of what was touched and Rss 0 (smaps_hugetlb_range); meminfo's Hugetlb
 * counts the whole 64 KiB pool (hugetlb_total_pages, every size).
 */
static void test_hugetlb_map_smaps_through_the_api(void **state)
{
	struct kmm_machine *m =
		boot(1ull << 30, "hugepagesz=64K hugepages=8 hugepagesz=2M hugepages=2");
	char path[64], start[32];
	const char *text;
	kmm_pid_t pid;
	kmm_va_t va;

	(void)state;
	assert_int_equal(kmm_task_create(m, "ht", 0, &pid), KMM_OK);
	assert_int_equal(
		kmm_mmap(m, pid, 0, 256 << 10, KMM_PROT_READ | KMM_PROT_WRITE,
			 KMM_MAP_PRIVATE | KMM_MAP_ANONYMOUS | KMM_MAP_HUGETLB | KMM_MAP_HUGE_64KB,
			 -1, 0, &va),
		KMM_OK);
	assert_int_equal(va & 0xffff, 0);
	assert_int_equal(kmm_task_touch(m, pid, KMM_ACCESS_STORE, va, 192 << 10, 0, KMM_TOUCH_SEQ,
					0x5a, NULL),
			 KMM_OK);
	ut_check(m);
	snprintf(path, sizeof(path), "/proc/%d/smaps", (int)pid);
	snprintf(start, sizeof(start), "%08lx-", (unsigned long)va);
	text = test_view(m, path);
	assert_int_equal(smaps_row(text, start, "KernelPageSize:"), 64);
	assert_int_equal(smaps_row(text, start, "MMUPageSize:"), 64);
	assert_int_equal(smaps_row(text, start, "Private_Hugetlb:"), 192);
	assert_int_equal(smaps_row(text, start, "Shared_Hugetlb:"), 0);
	assert_int_equal(smaps_row(text, start, "Rss:"), 0);
	/* 8 x 64 KiB + 2 x 2 MiB; HugePages_* are the default size's (2 MiB) */
	assert_int_equal(meminfo(m, "Hugetlb:"), 8 * 64 + 2 * 2048);
	assert_int_equal(meminfo(m, "HugePages_Rsvd:"), 0);
	assert_int_equal(kmm_munmap(m, pid, va, 256 << 10), KMM_OK);
	ut_check(m);
	test_machine_done(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hugetlb_map_each_size),
		cmocka_unit_test(test_hugetlb_map_reservations),
		cmocka_unit_test(test_hugetlb_map_surplus_returns_to_buddy),
		cmocka_unit_test(test_hugetlb_map_fork_cow),
		cmocka_unit_test(test_hugetlb_map_alignment_rules),
		cmocka_unit_test(test_hugetlb_map_smaps_through_the_api),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
