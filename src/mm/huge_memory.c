/*
 * Transparent huge pages: the sysfs knobs, the huge zero page, anonymous THPs mapped by a PMD
 * block descriptor (fault, write-protect fault, zap, fork, mprotect, mremap) and the PMD
 * split that hands a huge PMD back to 512 PTEs.
 *
 * Models: mm/huge_memory.c (Linux 6.1.192): hugepage_init, the transparent_hugepage sysfs
 *         files (enabled_store, defrag_store, single_hugepage_flag_store, hpage_pmd_size)
 *         and khugepaged's (mm/khugepaged.c: pages_to_scan, scan_sleep_millisecs,
 *         alloc_sleep_millisecs, max_ptes_none/swap/shared, pages_collapsed, full_scans,
 *         defrag), get_huge_zero_page, mm_get_huge_zero_page, mm_put_huge_zero_page, the
 *         huge zero page shrinker, hugepage_vma_check, transhuge_vma_suitable,
 *         vma_thp_gfp_mask, hugepage_madvise, do_huge_pmd_anonymous_page with
 *         __do_huge_pmd_anonymous_page and set_huge_zero_page, do_huge_pmd_wp_page,
 *         huge_pmd_set_accessed, zap_huge_pmd, copy_huge_pmd, change_huge_pmd, move_huge_pmd,
 *         __split_huge_pmd(_locked) with __split_huge_zero_page_pmd, split_huge_pmd_address,
 *         vma_adjust_trans_huge; mm/pgtable-generic.c pgtable_trans_huge_deposit/withdraw;
 *         the split section: can_split_folio, unmap_folio, remap_page, lru_add_page_tail,
 *         __split_huge_page_tail, __split_huge_page, split_huge_page_to_list,
 *         prep_transhuge_page, free_transhuge_page, deferred_split_huge_page,
 *         deferred_split_count, deferred_split_scan and the thp-deferred_split shrinker;
 *         madvise_free_huge_pmd; mm/madvise.c: the THP parts of
 *         madvise_cold_or_pageout_pte_range and madvise_free_pte_range.
 * Deviation: clear_huge_page is the allocator's __GFP_ZERO (the same zeroing cost per page).
 * Deviation: khugepaged's knobs live here, where the sysfs files are (6.1 keeps them in
 *         khugepaged.c); khugepaged.c reads them through thp_khugepaged_knob() and fills
 *         pages_collapsed and full_scans.
 * Deviation: shmem_enabled is shown and its values accepted, but shmem pages stay small.
 * Deviation: unmap_folio splits a PMD mapping first and then turns the PTEs into migration
 *         entries (try_to_migrate), where 6.1 writes migration entries straight from the PMD
 *         (__split_huge_pmd_locked with freeze): one machine call at a time, nothing can see
 *         the PTEs in between, and the counts (thp_split_pmd, thp_deferred_split_page) are
 *         the same. The deferred split queue is per node, without memcg (6.1 without
 *         CONFIG_MEMCG); no split_queue_lock (one call at a time). Only anonymous THPs split
 *         (no large page-cache folios exist here).
 * Deviation: a THP allocated by a path that did not call prep_transhuge_page is prepped when
 *         it is first queued (6.1 preps every THP at allocation).
 * Deviation: GUP through a read-only huge PMD faults for FOLL_WRITE even with FOLL_FORCE
 *         (can_follow_write_pmd's forced-COW case is not modelled).
 *
 * A huge PMD is an arm64 block descriptor at level 2 of a user table: the walker maps 2 MiB
 * with it and the TLB caches one entry for it. Each huge PMD has a PTE table deposited on the
 * mm's list (the generic LIFO pgtable_trans_huge_deposit keeps, linked through the table
 * pages' lru) so a split never allocates.
 *
 * Map counts (6.1's scheme): a PMD mapping counts in the folio's entire mapcount
 * (compound_mapcount of the first tail page); PTE mappings of its pages in each page's
 * _mapcount. When a THP is mapped by PMD and PTEs at once, PG_double_map is set and every
 * page's _mapcount carries one more (so page_mapped stays true while the PMD goes).
 *
 * Invariants (thp_check):
 *  1. The knobs hold values the kernel's stores accept: one enabled mode, at most one defrag
 *     mode, max_ptes_* within 0..511, pages_to_scan > 0.
 *  2. The huge zero page exists iff its refcount is non-zero; it is an order-9 page; the
 *     mms with MMF_HUGE_ZERO_PAGE plus one (the shrinker's) make the refcount.
 *  3. Every huge PMD of every mm lies in a VMA that covers its whole 2 MiB, maps an order-9
 *     anonymous compound page (or the huge zero page) at its first PFN, and has a deposited
 *     table: the mm's deposited tables equal its huge PMDs.
 *  4. NR_ANON_THPS is 512 times the anonymous THPs with an entire mapcount above zero.
 *  5. Each node's deferred split queue holds split_queue_len pages, each the head of an
 *     order-9 THP of that node with TRANSHUGE_PAGE_DTOR and a reference.
 *
 * The split (6.1's order): can_split_folio (only the caller's reference besides the mappings
 * and the swap cache's), unmap_folio (every mapping to a migration entry), the refcount
 * frozen, each tail made an order-0 folio (flags, mapping, index, swap slot) and put next to
 * the head on the LRU or on the caller's list, the swap-cache slots pointed at their pages,
 * remap_page (the migration entries back to PTEs), and the tails' extra references dropped,
 * which frees the pages nobody maps.
 */
#include "mm/huge_mm.h"

#include "arch/arm64/include/asm/tlbflush.h"
#include "lib/bug.h"
#include "mm/gfp.h"
#include "mm/internal.h"
#include "mm/khugepaged.h"
#include "mm/migrate.h"
#include "mm/mm.h"
#include "mm/mm_state.h"
#include "mm/mman.h"
#include "mm/mmap.h"
#include "mm/page-flags.h"
#include "mm/page_ref.h"
#include "mm/rmap.h"
#include "mm/shrinker.h"
#include "mm/swap.h"
#include "mm/swap_state.h"
#include "mm/swapfile.h"
#include "mm/swapops.h"

#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>

/* The knobs and the huge zero page. */
struct thp_state {
	unsigned long flags;	    /* transparent_hugepage_flags (enum above) */
	int shmem_enabled;	    /* index into shmem_modes[] (shown only) */
	unsigned int pages_to_scan; /* khugepaged_pages_to_scan */
	unsigned int scan_sleep_millisecs, alloc_sleep_millisecs;
	unsigned int max_ptes_none, max_ptes_swap, max_ptes_shared;
	unsigned int pages_collapsed, full_scans;

	struct page *huge_zero_page; /* NULL when not allocated */
	unsigned long huge_zero_pfn; /* ~0UL when not allocated */
	int huge_zero_refcount;
	struct shrinker huge_zero_page_shrinker;

	/* the split section: one deferred split queue per node (pgdat->deferred_split_queue) */
	struct deferred_split {
		struct list_head split_queue; /* THPs through page[2].deferred_list */
		unsigned long split_queue_len;
	} ds_queue[MAX_NUMNODES];
	struct shrinker deferred_split_shrinker;
};

static inline struct thp_state *thp_of(const struct kmm_kernel *k)
{
	return k->thp;
}

static bool thp_flag(const struct kmm_kernel *k, enum transparent_hugepage_flag f)
{
	return k->thp && (k->thp->flags >> f & 1);
}

/* ---- PMD entry helpers (arm64 defines them over the PTE ones) ------------------------- */

static inline pmd_t pte_pmd(pte_t pte)
{
	return __pmd(pte_val(pte));
}

static inline pmd_t pmd_mkyoung(pmd_t pmd)
{
	return pte_pmd(pte_mkyoung(pmd_pte(pmd)));
}

static inline pmd_t pmd_mkold(pmd_t pmd)
{
	return pte_pmd(pte_mkold(pmd_pte(pmd)));
}

static inline pmd_t pmd_mkdirty(pmd_t pmd)
{
	return pte_pmd(pte_mkdirty(pmd_pte(pmd)));
}

static inline pmd_t pmd_wrprotect(pmd_t pmd)
{
	return pte_pmd(pte_wrprotect(pmd_pte(pmd)));
}

static inline bool pmd_dirty(pmd_t pmd)
{
	return pte_dirty(pmd_pte(pmd));
}

/* Models: maybe_pmd_mkwrite(). */
static inline pmd_t maybe_pmd_mkwrite(pmd_t pmd, const struct vm_area_struct *vma)
{
	return (vma->vm_flags & VM_WRITE) ? pte_pmd(pte_mkwrite(pmd_pte(pmd))) : pmd;
}

/* Models: pmd_modify(): the block keeps its type bits (PMD_TYPE_SECT). */
static inline pmd_t pmd_modify(pmd_t pmd, pgprot_t newprot)
{
	return pmd_mkhuge(pte_pmd(pte_modify(pmd_pte(pmd), newprot)));
}

/* Models: mk_huge_pmd(): a block descriptor for the compound page at @pfn. */
static inline pmd_t mk_huge_pmd(unsigned long pfn, pgprot_t prot)
{
	return pfn_pmd(pfn, mk_pmd_sect_prot(prot));
}

static inline struct page *pmd_page(const struct kmm_kernel *k, pmd_t pmd)
{
	return pfn_to_page(k, pmd_pfn(pmd));
}

/* Models: flush_pmd_tlb_range() (the generic one arm64 uses: flush_tlb_range). */
static void flush_pmd_tlb_range(struct kmm_kernel *k, struct vm_area_struct *vma,
				unsigned long addr)
{
	flush_tlb_range(k, vma, addr, addr + HPAGE_PMD_SIZE);
}

/* ---- the walk to a PMD entry ---------------------------------------------------------- */

pmd_t *mm_find_pmd(const struct mm_struct *mm, unsigned long addr)
{
	const struct kmm_kernel *k = mm->kernel;
	p4d_t *p4dp = p4d_offset(pgd_offset_pgd(k, mm->pgd, addr), addr);
	pud_t *pudp;

	if (p4d_none(*p4dp))
		return NULL;
	pudp = pud_offset(k, p4dp, addr);
	if (!pudp || !pud_table(*pudp))
		return NULL;
	return pmd_offset(k, pudp, addr);
}

/* ---- deposited tables ---------------------------------------------------------------- */

void pgtable_trans_huge_deposit(struct mm_struct *mm, struct page *pgtable)
{
	if (!mm->pmd_huge_pte)
		INIT_LIST_HEAD(&pgtable->lru);
	else
		list_add(&pgtable->lru, &mm->pmd_huge_pte->lru);
	mm->pmd_huge_pte = pgtable;
}

struct page *pgtable_trans_huge_withdraw(struct mm_struct *mm)
{
	struct page *pgtable = mm->pmd_huge_pte;

	if (!pgtable)
		return NULL;
	if (list_empty(&pgtable->lru)) {
		mm->pmd_huge_pte = NULL;
	} else {
		mm->pmd_huge_pte = list_entry(pgtable->lru.next, struct page, lru);
		list_del(&pgtable->lru);
	}
	INIT_LIST_HEAD(&pgtable->lru);
	return pgtable;
}

bool pgtable_trans_huge_each(const struct mm_struct *mm,
			     bool (*fn)(const struct page *pgtable, void *arg), void *arg)
{
	const struct page *first = mm->pmd_huge_pte;

	if (!first)
		return true;
	if (!fn(first, arg))
		return false;
	for (const struct list_head *l = first->lru.next; l != &first->lru; l = l->next)
		if (!fn(list_entry(l, struct page, lru), arg))
			return false;
	return true;
}

/* Models: zap_deposited_table(): the deposited table goes back at once (pte_free). */
static void zap_deposited_table(struct mm_struct *mm)
{
	struct page *pgtable = pgtable_trans_huge_withdraw(mm);

	if (pgtable)
		pte_free(mm, pgtable);
}

/* ---- the huge zero page -------------------------------------------------------------- */

bool is_huge_zero_page(const struct kmm_kernel *k, const struct page *page)
{
	return k->thp && k->thp->huge_zero_page == page && page;
}

bool is_huge_zero_pmd(const struct kmm_kernel *k, pmd_t pmd)
{
	return k->thp && k->thp->huge_zero_page && pmd_trans_huge(pmd) &&
	       pmd_pfn(pmd) == k->thp->huge_zero_pfn;
}

/* Models: get_huge_zero_page(): a reference, allocating the page on first use. */
static bool get_huge_zero_page(struct kmm_kernel *k)
{
	struct thp_state *ts = thp_of(k);
	struct page *zero_page;

	if (ts->huge_zero_refcount) {
		ts->huge_zero_refcount++;
		return true;
	}
	zero_page = alloc_pages(k, (GFP_TRANSHUGE | __GFP_ZERO) & ~__GFP_MOVABLE, HPAGE_PMD_ORDER);
	if (!zero_page) {
		count_vm_event_k(k, THP_ZERO_PAGE_ALLOC_FAILED);
		return false;
	}
	count_vm_event_k(k, THP_ZERO_PAGE_ALLOC);
	ts->huge_zero_page = zero_page;
	ts->huge_zero_pfn = page_to_pfn(k, zero_page);
	ts->huge_zero_refcount = 2; /* the caller's and the shrinker's */
	return true;
}

static void put_huge_zero_page(struct kmm_kernel *k)
{
	thp_of(k)->huge_zero_refcount--; /* never reaches 0 here: the shrinker holds one */
}

/* Models: mm_get_huge_zero_page(): one reference per mm (MMF_HUGE_ZERO_PAGE). */
static struct page *mm_get_huge_zero_page(struct mm_struct *mm)
{
	struct kmm_kernel *k = mm->kernel;

	if (mm->flags & MMF_HUGE_ZERO_PAGE)
		return thp_of(k)->huge_zero_page;
	if (!get_huge_zero_page(k))
		return NULL;
	mm->flags |= MMF_HUGE_ZERO_PAGE;
	return thp_of(k)->huge_zero_page;
}

void mm_put_huge_zero_page(struct mm_struct *mm)
{
	if (mm->kernel->thp && (mm->flags & MMF_HUGE_ZERO_PAGE)) {
		mm->flags &= ~MMF_HUGE_ZERO_PAGE;
		put_huge_zero_page(mm->kernel);
	}
}

/* Models: shrink_huge_zero_page_count(): 512 freeable when only the shrinker holds it. */
static unsigned long shrink_huge_zero_page_count(struct shrinker *s, struct shrink_control *sc)
{
	struct thp_state *ts = thp_of(sc->k);

	(void)s;
	return ts->huge_zero_refcount == 1 ? HPAGE_PMD_NR : 0;
}

/* Models: shrink_huge_zero_page_scan(): frees it when only the shrinker holds it. */
static unsigned long shrink_huge_zero_page_scan(struct shrinker *s, struct shrink_control *sc)
{
	struct kmm_kernel *k = sc->k;
	struct thp_state *ts = thp_of(k);
	struct page *zero_page;

	(void)s;
	if (ts->huge_zero_refcount != 1)
		return 0;
	zero_page = ts->huge_zero_page;
	ts->huge_zero_refcount = 0;
	ts->huge_zero_page = NULL;
	ts->huge_zero_pfn = ~0UL;
	__free_pages(k, zero_page, HPAGE_PMD_ORDER);
	return HPAGE_PMD_NR;
}

/* ---- boot ---------------------------------------------------------------------------- */

static void thp_enabled_changed(struct kmm_kernel *k);
static int deferred_split_init(struct kmm_kernel *k);

int thp_init(struct kmm_kernel *k)
{
	struct thp_state *ts = env_alloc(k->env, sizeof(*ts));

	if (!ts)
		return -ENOMEM;
	memset(ts, 0, sizeof(*ts));
	/* Debian's config: CONFIG_TRANSPARENT_HUGEPAGE_ALWAYS, defrag madvise, zero page on */
	ts->flags = 1UL << TRANSPARENT_HUGEPAGE_FLAG |
		    1UL << TRANSPARENT_HUGEPAGE_DEFRAG_REQ_MADV_FLAG |
		    1UL << TRANSPARENT_HUGEPAGE_DEFRAG_KHUGEPAGED_FLAG |
		    1UL << TRANSPARENT_HUGEPAGE_USE_ZERO_PAGE_FLAG;
	if (k->params.thp == 0 || k->params.thp == 2) { /* transparent_hugepage= never/madvise */
		ts->flags &= ~(1UL << TRANSPARENT_HUGEPAGE_FLAG);
		if (k->params.thp == 2)
			ts->flags |= 1UL << TRANSPARENT_HUGEPAGE_REQ_MADV_FLAG;
	}
	ts->shmem_enabled = 3; /* never */
	ts->pages_to_scan = HPAGE_PMD_NR * 8;
	ts->scan_sleep_millisecs = 10000;
	ts->alloc_sleep_millisecs = 60000;
	ts->max_ptes_none = HPAGE_PMD_NR - 1;
	ts->max_ptes_swap = HPAGE_PMD_NR / 8;
	ts->max_ptes_shared = HPAGE_PMD_NR / 2;
	ts->huge_zero_pfn = ~0UL;
	/* hugepage_init: below 512 MiB THP is off: every flag cleared */
	if ((unsigned long)k->totalram_pages < (512UL << (20 - PAGE_SHIFT)))
		ts->flags = 0;
	ts->huge_zero_page_shrinker.count_objects = shrink_huge_zero_page_count;
	ts->huge_zero_page_shrinker.scan_objects = shrink_huge_zero_page_scan;
	ts->huge_zero_page_shrinker.seeks = DEFAULT_SEEKS;
	k->thp = ts;
	if (register_shrinker(k, &ts->huge_zero_page_shrinker, "thp-zero")) {
		k->thp = NULL;
		env_free(k->env, ts);
		return -ENOMEM;
	}
	if (deferred_split_init(k)) {
		unregister_shrinker(k, &ts->huge_zero_page_shrinker);
		k->thp = NULL;
		env_free(k->env, ts);
		return -ENOMEM;
	}
	k->thp_enabled = false;
	thp_enabled_changed(k); /* start_stop_khugepaged: min_free_kbytes when on */
	return 0;
}

void thp_exit(struct kmm_kernel *k)
{
	struct thp_state *ts = thp_of(k);

	if (!ts)
		return;
	unregister_shrinker(k, &ts->huge_zero_page_shrinker);
	unregister_shrinker(k, &ts->deferred_split_shrinker);
	if (ts->huge_zero_page && ts->huge_zero_refcount == 1)
		__free_pages(k, ts->huge_zero_page, HPAGE_PMD_ORDER);
	k->thp = NULL;
	env_free(k->env, ts);
}

/* ---- sysfs ---------------------------------------------------------------------------- */

const char *const thp_sysfs_files[] = {
	"defrag",
	"enabled",
	"hpage_pmd_size",
	"shmem_enabled",
	"use_zero_page",
	"khugepaged/alloc_sleep_millisecs",
	"khugepaged/defrag",
	"khugepaged/full_scans",
	"khugepaged/max_ptes_none",
	"khugepaged/max_ptes_shared",
	"khugepaged/max_ptes_swap",
	"khugepaged/pages_collapsed",
	"khugepaged/pages_to_scan",
	"khugepaged/scan_sleep_millisecs",
	NULL,
};

static const char *const shmem_modes[] = {"always", "within_size", "advise",
					  "never",  "deny",	   "force"};

/* Models: sysfs_streq(): equal up to one trailing newline on either side. */
static bool sysfs_streq(const char *s1, const char *s2)
{
	while (*s1 && *s1 == *s2) {
		s1++;
		s2++;
	}
	if (*s1 == *s2)
		return true;
	if (!*s1 && *s2 == '\n' && !s2[1])
		return true;
	return *s1 == '\n' && !s1[1] && !*s2;
}

/* Models: kstrtoul(s, 10): decimal, an optional '+', one trailing newline. */
static int kstrtoul10(const char *s, unsigned long *res)
{
	unsigned long v = 0;
	bool any = false;

	if (*s == '+')
		s++;
	for (; *s >= '0' && *s <= '9'; s++, any = true) {
		if (v > (ULONG_MAX - (unsigned long)(*s - '0')) / 10)
			return -ERANGE;
		v = v * 10 + (unsigned long)(*s - '0');
	}
	if (*s == '\n')
		s++;
	if (!any || *s)
		return -EINVAL;
	*res = v;
	return 0;
}

static int kstrtouint10(const char *s, unsigned int *res)
{
	unsigned long v;
	int err = kstrtoul10(s, &v);

	if (err)
		return err;
	if (v > UINT_MAX)
		return -ERANGE;
	*res = (unsigned int)v;
	return 0;
}

/* Models: the start_stop_khugepaged() side effect the model has: min_free_kbytes. */
static void thp_enabled_changed(struct kmm_kernel *k)
{
	bool on = thp_flag(k, TRANSPARENT_HUGEPAGE_FLAG) ||
		  thp_flag(k, TRANSPARENT_HUGEPAGE_REQ_MADV_FLAG);

	if (on && !k->thp_enabled)
		set_recommended_min_free_kbytes(k);
	k->thp_enabled = on;
	start_stop_khugepaged(k);
}

static void show_modes(const struct sink *out, const char *const *names, int n, int cur)
{
	for (int i = 0; i < n; i++)
		sink_printf(out, i == cur ? "%s[%s]" : "%s%s", i ? " " : "", names[i]);
	sink_printf(out, "\n");
}

static const char *const enabled_modes[] = {"always", "madvise", "never"};
static const char *const defrag_modes[] = {"always", "defer", "defer+madvise", "madvise", "never"};
static const int defrag_flags[] = {
	TRANSPARENT_HUGEPAGE_DEFRAG_DIRECT_FLAG, TRANSPARENT_HUGEPAGE_DEFRAG_KSWAPD_FLAG,
	TRANSPARENT_HUGEPAGE_DEFRAG_KSWAPD_OR_MADV_FLAG, TRANSPARENT_HUGEPAGE_DEFRAG_REQ_MADV_FLAG};

static int enabled_mode(const struct kmm_kernel *k)
{
	if (thp_flag(k, TRANSPARENT_HUGEPAGE_FLAG))
		return 0;
	return thp_flag(k, TRANSPARENT_HUGEPAGE_REQ_MADV_FLAG) ? 1 : 2;
}

static int defrag_mode(const struct kmm_kernel *k)
{
	for (int i = 0; i < 4; i++)
		if (thp_flag(k, defrag_flags[i]))
			return i;
	return 4;
}

/* The unsigned khugepaged knobs: name, field, minimum, maximum, writable. */
struct uint_knob {
	const char *name;
	size_t off;
	unsigned int min, max;
	bool writable;
};

static const struct uint_knob uint_knobs[] = {
	{"khugepaged/pages_to_scan", offsetof(struct thp_state, pages_to_scan), 1, UINT_MAX, true},
	{"khugepaged/scan_sleep_millisecs", offsetof(struct thp_state, scan_sleep_millisecs), 0,
	 UINT_MAX, true},
	{"khugepaged/alloc_sleep_millisecs", offsetof(struct thp_state, alloc_sleep_millisecs), 0,
	 UINT_MAX, true},
	{"khugepaged/max_ptes_none", offsetof(struct thp_state, max_ptes_none), 0, HPAGE_PMD_NR - 1,
	 true},
	{"khugepaged/max_ptes_swap", offsetof(struct thp_state, max_ptes_swap), 0, HPAGE_PMD_NR - 1,
	 true},
	{"khugepaged/max_ptes_shared", offsetof(struct thp_state, max_ptes_shared), 0,
	 HPAGE_PMD_NR - 1, true},
	{"khugepaged/pages_collapsed", offsetof(struct thp_state, pages_collapsed), 0, 0, false},
	{"khugepaged/full_scans", offsetof(struct thp_state, full_scans), 0, 0, false},
};

static const struct uint_knob *find_uint_knob(const char *name)
{
	for (size_t i = 0; i < sizeof(uint_knobs) / sizeof(uint_knobs[0]); i++)
		if (!strcmp(uint_knobs[i].name, name))
			return &uint_knobs[i];
	return NULL;
}

static unsigned int *knob_field(struct thp_state *ts, const struct uint_knob *kn)
{
	return (unsigned int *)((char *)ts + kn->off);
}

int thp_sysfs_show(struct kmm_kernel *k, const char *name, const struct sink *out)
{
	struct thp_state *ts = thp_of(k);
	const struct uint_knob *kn = find_uint_knob(name);

	if (!ts)
		return -ENOENT;
	if (kn)
		sink_printf(out, "%u\n", *knob_field(ts, kn));
	else if (!strcmp(name, "enabled"))
		show_modes(out, enabled_modes, 3, enabled_mode(k));
	else if (!strcmp(name, "defrag"))
		show_modes(out, defrag_modes, 5, defrag_mode(k));
	else if (!strcmp(name, "shmem_enabled"))
		show_modes(out, shmem_modes, 6, ts->shmem_enabled);
	else if (!strcmp(name, "use_zero_page"))
		sink_printf(out, "%d\n", thp_flag(k, TRANSPARENT_HUGEPAGE_USE_ZERO_PAGE_FLAG));
	else if (!strcmp(name, "khugepaged/defrag"))
		sink_printf(out, "%d\n", thp_flag(k, TRANSPARENT_HUGEPAGE_DEFRAG_KHUGEPAGED_FLAG));
	else if (!strcmp(name, "hpage_pmd_size"))
		sink_printf(out, "%lu\n", HPAGE_PMD_SIZE);
	else
		return -ENOENT;
	return 0;
}

static int store_enabled(struct kmm_kernel *k, const char *val)
{
	struct thp_state *ts = thp_of(k);
	unsigned long both =
		1UL << TRANSPARENT_HUGEPAGE_FLAG | 1UL << TRANSPARENT_HUGEPAGE_REQ_MADV_FLAG;

	if (sysfs_streq(val, "always"))
		ts->flags = (ts->flags & ~both) | 1UL << TRANSPARENT_HUGEPAGE_FLAG;
	else if (sysfs_streq(val, "madvise"))
		ts->flags = (ts->flags & ~both) | 1UL << TRANSPARENT_HUGEPAGE_REQ_MADV_FLAG;
	else if (sysfs_streq(val, "never"))
		ts->flags &= ~both;
	else
		return -EINVAL;
	thp_enabled_changed(k);
	return 0;
}

static int store_defrag(struct kmm_kernel *k, const char *val)
{
	struct thp_state *ts = thp_of(k);
	unsigned long all = 0;
	int mode = -1;

	for (int i = 0; i < 5; i++)
		if (sysfs_streq(val, defrag_modes[i]))
			mode = i;
	if (mode < 0)
		return -EINVAL;
	for (int i = 0; i < 4; i++)
		all |= 1UL << defrag_flags[i];
	ts->flags &= ~all;
	if (mode < 4)
		ts->flags |= 1UL << defrag_flags[mode];
	return 0;
}

/* Models: single_hugepage_flag_store(): 0 or 1. */
static int store_flag(struct kmm_kernel *k, enum transparent_hugepage_flag f, const char *val)
{
	unsigned long v;
	int err = kstrtoul10(val, &v);

	if (err)
		return err;
	if (v > 1)
		return -EINVAL;
	if (v)
		k->thp->flags |= 1UL << f;
	else
		k->thp->flags &= ~(1UL << f);
	return 0;
}

int thp_sysfs_store(struct kmm_kernel *k, const char *name, const char *val)
{
	struct thp_state *ts = thp_of(k);
	const struct uint_knob *kn = find_uint_knob(name);
	unsigned int v;
	int err;

	if (!ts)
		return -ENOENT;
	if (kn) {
		if (!kn->writable)
			return -EACCES;
		err = kstrtouint10(val, &v);
		if (err)
			return err;
		if (v < kn->min || v > kn->max)
			return -EINVAL;
		*knob_field(ts, kn) = v;
		if (strstr(name, "sleep_millisecs"))
			khugepaged_sleep_knob_changed(k);
		return 0;
	}
	if (!strcmp(name, "enabled"))
		return store_enabled(k, val);
	if (!strcmp(name, "defrag"))
		return store_defrag(k, val);
	if (!strcmp(name, "use_zero_page"))
		return store_flag(k, TRANSPARENT_HUGEPAGE_USE_ZERO_PAGE_FLAG, val);
	if (!strcmp(name, "khugepaged/defrag"))
		return store_flag(k, TRANSPARENT_HUGEPAGE_DEFRAG_KHUGEPAGED_FLAG, val);
	if (!strcmp(name, "shmem_enabled")) {
		for (int i = 0; i < 6; i++) {
			if (sysfs_streq(val, shmem_modes[i])) {
				ts->shmem_enabled = i;
				return 0;
			}
		}
		return -EINVAL;
	}
	if (!strcmp(name, "hpage_pmd_size"))
		return -EACCES;
	return -ENOENT;
}

unsigned int *thp_khugepaged_knob(struct kmm_kernel *k, const char *name)
{
	const struct uint_knob *kn = find_uint_knob(name);

	return k->thp && kn ? knob_field(k->thp, kn) : NULL;
}

bool thp_khugepaged_defrag(const struct kmm_kernel *k)
{
	return thp_flag(k, TRANSPARENT_HUGEPAGE_DEFRAG_KHUGEPAGED_FLAG);
}

/* ---- policy -------------------------------------------------------------------------- */

bool transhuge_vma_suitable(const struct vm_area_struct *vma, unsigned long addr)
{
	unsigned long haddr;

	if (!vma_is_anonymous(vma) &&
	    ((vma->vm_start >> PAGE_SHIFT) - vma->vm_pgoff) % HPAGE_PMD_NR)
		return false;
	haddr = addr & HPAGE_PMD_MASK;
	return haddr >= vma->vm_start && haddr + HPAGE_PMD_SIZE <= vma->vm_end;
}

/* Models: hugepage_flags_enabled()/hugepage_flags_always() as the VMA check reads them. */
static bool hugepage_vma_enabled(const struct kmm_kernel *k, unsigned long vm_flags,
				 bool enforce_sysfs)
{
	if (!enforce_sysfs)
		return true;
	if (thp_flag(k, TRANSPARENT_HUGEPAGE_FLAG))
		return true;
	return thp_flag(k, TRANSPARENT_HUGEPAGE_REQ_MADV_FLAG) && (vm_flags & VM_HUGEPAGE);
}

bool hugepage_vma_check(struct vm_area_struct *vma, unsigned long vm_flags, bool smaps, bool in_pf,
			bool enforce_sysfs)
{
	const struct kmm_kernel *k = vma->vm_mm->kernel;

	if (!k->thp)
		return false;
	if ((vm_flags & VM_NOHUGEPAGE) || (vma->vm_mm->flags & MMF_DISABLE_THP))
		return false;
	if (vm_flags & (VM_SPECIAL | VM_HUGETLB)) /* VM_NO_KHUGEPAGED */
		return false;
	if (!in_pf && !transhuge_vma_suitable(vma, vma->vm_end - HPAGE_PMD_SIZE))
		return false;
	if (!hugepage_vma_enabled(k, vm_flags, enforce_sysfs))
		return false;
	if (!vma_is_anonymous(vma))
		return false; /* no shmem THP, no READ_ONLY_THP_FOR_FS here */
	if (!vma->anon_vma)
		return smaps || in_pf;
	return true;
}

gfp_t vma_thp_gfp_mask(const struct vm_area_struct *vma)
{
	const struct kmm_kernel *k = vma->vm_mm->kernel;
	bool madvised = vma->vm_flags & VM_HUGEPAGE;

	if (thp_flag(k, TRANSPARENT_HUGEPAGE_DEFRAG_DIRECT_FLAG))
		return GFP_TRANSHUGE | (madvised ? 0 : __GFP_NORETRY);
	if (thp_flag(k, TRANSPARENT_HUGEPAGE_DEFRAG_KSWAPD_FLAG))
		return GFP_TRANSHUGE_LIGHT | __GFP_KSWAPD_RECLAIM;
	if (thp_flag(k, TRANSPARENT_HUGEPAGE_DEFRAG_KSWAPD_OR_MADV_FLAG))
		return GFP_TRANSHUGE_LIGHT |
		       (madvised ? __GFP_DIRECT_RECLAIM : __GFP_KSWAPD_RECLAIM);
	if (thp_flag(k, TRANSPARENT_HUGEPAGE_DEFRAG_REQ_MADV_FLAG))
		return GFP_TRANSHUGE_LIGHT | (madvised ? __GFP_DIRECT_RECLAIM : 0);
	return GFP_TRANSHUGE_LIGHT;
}

int hugepage_madvise(const struct vm_area_struct *vma, unsigned long *vm_flags, int advice)
{
	(void)vma;
	switch (advice) {
	case MADV_HUGEPAGE:
		*vm_flags &= ~VM_NOHUGEPAGE;
		*vm_flags |= VM_HUGEPAGE;
		break;
	case MADV_NOHUGEPAGE:
		*vm_flags &= ~VM_HUGEPAGE;
		*vm_flags |= VM_NOHUGEPAGE;
		break;
	default:
		return -EINVAL;
	}
	return 0;
}

/* ---- faults --------------------------------------------------------------------------- */

/* Models: set_huge_zero_page(). */
static void set_huge_zero_page(struct page *pgtable, struct mm_struct *mm,
			       struct vm_area_struct *vma, unsigned long haddr, pmd_t *pmd,
			       struct page *zero_page)
{
	struct kmm_kernel *k = mm->kernel;
	pmd_t entry = mk_huge_pmd(page_to_pfn(k, zero_page), __pgprot(vma->vm_page_prot));

	(void)haddr;
	pgtable_trans_huge_deposit(mm, pgtable);
	set_pmd(pmd, entry);
}

/* Models: __do_huge_pmd_anonymous_page(): map the new THP @page by the PMD. */
static vm_fault_t __do_huge_pmd_anonymous_page(struct vm_fault *vmf, struct page *page)
{
	struct vm_area_struct *vma = vmf->vma;
	struct mm_struct *mm = vma->vm_mm;
	struct kmm_kernel *k = mm->kernel;
	unsigned long haddr = vmf->address & HPAGE_PMD_MASK;
	struct page *pgtable = pte_alloc_one(mm);
	pmd_t entry;

	if (!pgtable) { /* an OOM, not a fallback: 6.1 counts nothing here */
		put_page(k, page);
		return VM_FAULT_OOM;
	}
	__SetPageUptodate(page);
	entry = mk_huge_pmd(page_to_pfn(k, page), __pgprot(vma->vm_page_prot));
	entry = maybe_pmd_mkwrite(pmd_mkdirty(entry), vma);
	page_add_new_anon_rmap(page, vma, haddr);
	lru_cache_add_inactive_or_unevictable(k, page, vma);
	pgtable_trans_huge_deposit(mm, pgtable);
	set_pmd(vmf->pmd, entry);
	add_mm_counter(mm, MM_ANONPAGES, HPAGE_PMD_NR);
	count_vm_event_k(k, THP_FAULT_ALLOC);
	return 0;
}

vm_fault_t do_huge_pmd_anonymous_page(struct vm_fault *vmf)
{
	struct vm_area_struct *vma = vmf->vma;
	struct mm_struct *mm = vma->vm_mm;
	struct kmm_kernel *k = mm->kernel;
	unsigned long haddr = vmf->address & HPAGE_PMD_MASK;
	struct page *page;

	if (!transhuge_vma_suitable(vma, haddr))
		return VM_FAULT_FALLBACK;
	if (anon_vma_prepare(vma))
		return VM_FAULT_OOM;
	khugepaged_enter_vma(vma, vma->vm_flags);
	if (!(vmf->flags & FAULT_FLAG_WRITE) &&
	    thp_flag(k, TRANSPARENT_HUGEPAGE_USE_ZERO_PAGE_FLAG)) {
		struct page *pgtable = pte_alloc_one(mm), *zero_page;

		if (!pgtable)
			return VM_FAULT_OOM;
		zero_page = mm_get_huge_zero_page(mm);
		if (!zero_page) {
			pte_free(mm, pgtable);
			count_vm_event_k(k, THP_FAULT_FALLBACK);
			return VM_FAULT_FALLBACK;
		}
		set_huge_zero_page(pgtable, mm, vma, haddr, vmf->pmd, zero_page);
		return 0;
	}
	page = alloc_pages(k, vma_thp_gfp_mask(vma) | __GFP_ZERO, HPAGE_PMD_ORDER);
	if (!page) {
		count_vm_event_k(k, THP_FAULT_FALLBACK);
		return VM_FAULT_FALLBACK;
	}
	prep_transhuge_page(page);
	return __do_huge_pmd_anonymous_page(vmf, page);
}

void huge_pmd_set_accessed(struct vm_fault *vmf)
{
	struct vm_area_struct *vma = vmf->vma;
	bool write = vmf->flags & FAULT_FLAG_WRITE;
	pmd_t entry = pmd_mkyoung(vmf->orig_pmd);

	if (pmd_val(*vmf->pmd) != pmd_val(vmf->orig_pmd))
		return;
	if (write)
		entry = pmd_mkdirty(entry);
	ptep_set_access_flags(vma->vm_mm->kernel, vma, vmf->address & HPAGE_PMD_MASK,
			      (pte_t *)vmf->pmd, pmd_pte(entry), write);
}

vm_fault_t do_huge_pmd_wp_page(struct vm_fault *vmf)
{
	struct vm_area_struct *vma = vmf->vma;
	struct kmm_kernel *k = vma->vm_mm->kernel;
	unsigned long haddr = vmf->address & HPAGE_PMD_MASK;
	pmd_t orig_pmd = vmf->orig_pmd, entry;
	struct page *page;

	if (is_huge_zero_pmd(k, orig_pmd))
		goto fallback;
	if (pmd_val(*vmf->pmd) != pmd_val(orig_pmd))
		return 0;
	page = pmd_page(k, orig_pmd);
	if (PageAnonExclusive(page))
		goto reuse;
	/* the THP's LRU batch was drained when it was added: no extra reference there */
	if (page_ref_count(page) > 1 + (PageSwapCache(page) ? (int)HPAGE_PMD_NR : 0))
		goto fallback;
	if (page_ref_count(page) == 1) {
		SetPageAnonExclusive(page); /* page_move_anon_rmap */
		page->mapping = (void *)((uintptr_t)vma->anon_vma | PAGE_MAPPING_ANON);
		goto reuse;
	}
	goto fallback;
reuse:
	if (vmf->flags & FAULT_FLAG_UNSHARE)
		return 0;
	entry = maybe_pmd_mkwrite(pmd_mkdirty(pmd_mkyoung(orig_pmd)), vma);
	ptep_set_access_flags(k, vma, haddr, (pte_t *)vmf->pmd, pmd_pte(entry), 1);
	return VM_FAULT_WRITE;
fallback:
	__split_huge_pmd(vma, vmf->pmd, vmf->address);
	return VM_FAULT_FALLBACK;
}

/* ---- zap, fork, mprotect, mremap ------------------------------------------------------ */

int zap_huge_pmd(struct mmu_gather *tlb, struct vm_area_struct *vma, pmd_t *pmd, unsigned long addr)
{
	struct mm_struct *mm = tlb->mm;
	struct kmm_kernel *k = mm->kernel;
	pmd_t orig_pmd = *pmd;
	struct page *page;

	if (!pmd_trans_huge(orig_pmd))
		return 0;
	pmd_clear(pmd);				/* pmdp_huge_get_and_clear_full */
	if (is_pmd_migration_entry(orig_pmd)) { /* a THP mid-move: no rmap, no reference */
		zap_deposited_table(mm);
		add_mm_counter(mm, MM_ANONPAGES, -(long)HPAGE_PMD_NR);
		return 1;
	}
	tlb_flush_pmd_range(tlb, addr, HPAGE_PMD_SIZE);
	if (is_huge_zero_pmd(k, orig_pmd)) {
		zap_deposited_table(mm);
		return 1;
	}
	page = pmd_page(k, orig_pmd);
	page_remove_rmap(page, vma, true);
	zap_deposited_table(mm);
	add_mm_counter(mm, MM_ANONPAGES, -(long)HPAGE_PMD_NR);
	tlb_remove_page_size(tlb, page, HPAGE_PMD_SIZE);
	return 1;
}

int copy_huge_pmd(struct vm_area_struct *dst_vma, struct vm_area_struct *src_vma, pmd_t *dst_pmd,
		  pmd_t *src_pmd, unsigned long addr)
{
	struct mm_struct *dst_mm = dst_vma->vm_mm, *src_mm = src_vma->vm_mm;
	struct kmm_kernel *k = src_mm->kernel;
	struct page *pgtable, *src_page;
	pmd_t pmd;

	if (!vma_is_anonymous(dst_vma))
		return 0; /* refilled on fault */
	pgtable = pte_alloc_one(dst_mm);
	if (!pgtable)
		return -ENOMEM;
	pmd = *src_pmd;
	if (is_pmd_migration_entry(pmd)) { /* both mms share the THP read-only after its move */
		swp_entry_t entry = pmd_to_swp_entry(pmd);

		if (!is_readable_migration_entry(entry)) {
			pmd = swp_entry_to_pmd(make_readable_migration_entry(swp_offset(entry)));
			set_pmd(src_pmd, pmd);
		}
		add_mm_counter(dst_mm, MM_ANONPAGES, HPAGE_PMD_NR);
		pgtable_trans_huge_deposit(dst_mm, pgtable);
		set_pmd(dst_pmd, pmd);
		return 0;
	}
	if (!pmd_trans_huge(pmd)) {
		pte_free(dst_mm, pgtable);
		return -EAGAIN;
	}
	if (is_huge_zero_pmd(k, pmd)) {
		mm_get_huge_zero_page(dst_mm); /* only a reference: the page exists */
		goto out_zero_page;
	}
	src_page = pmd_page(k, pmd);
	get_page(src_page);
	if (page_try_dup_anon_rmap(src_page, true, src_vma)) {
		/* maybe pinned: split, and copy the PTEs */
		put_page(k, src_page);
		pte_free(dst_mm, pgtable);
		__split_huge_pmd(src_vma, src_pmd, addr);
		return -EAGAIN;
	}
	add_mm_counter(dst_mm, MM_ANONPAGES, HPAGE_PMD_NR);
out_zero_page:
	pgtable_trans_huge_deposit(dst_mm, pgtable);
	set_pmd(src_pmd, pmd_wrprotect(*src_pmd)); /* pmdp_set_wrprotect */
	set_pmd(dst_pmd, pmd_mkold(pmd_wrprotect(pmd)));
	return 0;
}

long change_huge_pmd(struct vm_area_struct *vma, pmd_t *pmd, unsigned long addr, pgprot_t newprot)
{
	struct kmm_kernel *k = vma->vm_mm->kernel;
	pmd_t oldpmd = *pmd, entry;

	if (!pmd_trans_huge(oldpmd))
		return 0;
	if (is_pmd_migration_entry(oldpmd)) { /* a writable entry becomes readable (exclusive) */
		swp_entry_t swp = pmd_to_swp_entry(oldpmd);

		if (is_writable_migration_entry(swp))
			set_pmd(pmd, swp_entry_to_pmd(make_readable_exclusive_migration_entry(
					     swp_offset(swp))));
		return 1;
	}
	/* pmdp_invalidate_ad: break before make */
	set_pmd(pmd, __pmd(pmd_val(oldpmd) & ~PMD_SECT_VALID));
	flush_pmd_tlb_range(k, vma, addr);
	entry = pmd_modify(oldpmd, newprot);
	set_pmd(pmd, entry);
	return HPAGE_PMD_NR;
}

bool move_huge_pmd(struct vm_area_struct *vma, struct vm_area_struct *new_vma,
		   unsigned long old_addr, unsigned long new_addr, pmd_t *old_pmd, pmd_t *new_pmd)
{
	struct kmm_kernel *k = vma->vm_mm->kernel;
	pmd_t pmd;

	(void)new_vma;
	(void)new_addr;
	if (!pmd_none(*new_pmd) || !pmd_trans_huge(*old_pmd))
		return false;
	pmd = *old_pmd;
	pmd_clear(old_pmd); /* pmdp_huge_get_and_clear: the deposit stays on the same mm */
	set_pmd(new_pmd, pmd);
	flush_pmd_tlb_range(k, vma, old_addr);
	return true;
}

/* ---- split ---------------------------------------------------------------------------- */

/* Models: __split_huge_zero_page_pmd(): 512 special PTEs of the small zero page. */
static void __split_huge_zero_page_pmd(struct vm_area_struct *vma, unsigned long haddr, pmd_t *pmd)
{
	struct mm_struct *mm = vma->vm_mm;
	struct kmm_kernel *k = mm->kernel;
	struct page *pgtable;
	pte_t *pte;

	pmd_clear(pmd); /* pmdp_huge_clear_flush */
	flush_pmd_tlb_range(k, vma, haddr);
	pgtable = pgtable_trans_huge_withdraw(mm);
	pte = page_host(k, pgtable, PAGE_SIZE);
	for (unsigned long i = 0; i < HPAGE_PMD_NR; i++) {
		pte_t entry = pfn_pte(mm_state_of(k)->zero_pfn, __pgprot(vma->vm_page_prot));

		set_pte_at(k, mm, haddr + i * PAGE_SIZE, &pte[i], pte_mkspecial(entry));
	}
	__pmd_populate(pmd, PFN_PHYS(page_to_pfn(k, pgtable)), PMD_TYPE_TABLE | PMD_TABLE_PXN);
}

static inline void SetPageDoubleMapOf(struct page *head)
{
	page_folio(head)->_flags_1 |= 1UL << PG_workingset;
}

static inline bool TestClearPageDoubleMapOf(struct page *head)
{
	struct folio *folio = page_folio(head);
	bool was = folio_test_double_map(folio);

	folio->_flags_1 &= ~(1UL << PG_workingset);
	return was;
}

/*
 * Models: __split_huge_pmd_locked()'s pmd_migration branch: a PMD migration entry (a THP
 * between its unmap and its move) becomes 512 PTE migration entries, one per page, with the
 * entry's rights, young and dirty bits. The map counts do not change (the PMD's went when the
 * entry was made) and nothing is flushed (the entry was not valid); the move's
 * remove_migration_ptes then maps the new THP's pages by PTEs here.
 */
static void split_pmd_migration_entry(struct vm_area_struct *vma, pmd_t *pmd, unsigned long haddr)
{
	struct mm_struct *mm = vma->vm_mm;
	struct kmm_kernel *k = mm->kernel;
	swp_entry_t entry = pmd_to_swp_entry(*pmd);
	unsigned long pfn = swp_offset_pfn(entry);
	bool write = is_writable_migration_entry(entry);
	bool exclusive = is_readable_exclusive_migration_entry(entry);
	bool young = is_migration_entry_young(entry), dirty = is_migration_entry_dirty(entry);
	struct page *pgtable = pgtable_trans_huge_withdraw(mm);
	pte_t *pte = page_host(k, pgtable, PAGE_SIZE);

	for (unsigned long i = 0; i < HPAGE_PMD_NR; i++) {
		swp_entry_t e;

		if (write)
			e = make_writable_migration_entry(pfn + i);
		else if (exclusive)
			e = make_readable_exclusive_migration_entry(pfn + i);
		else
			e = make_readable_migration_entry(pfn + i);
		if (young)
			e = make_migration_entry_young(e);
		if (dirty)
			e = make_migration_entry_dirty(e);
		set_pte_at(k, mm, haddr + i * PAGE_SIZE, &pte[i], swp_entry_to_pte(e));
	}
	__pmd_populate(pmd, PFN_PHYS(page_to_pfn(k, pgtable)), PMD_TYPE_TABLE | PMD_TABLE_PXN);
}

/* Models: __split_huge_pmd_locked() (not freezing: unmap_folio freezes through the PTEs). */
static void __split_huge_pmd_locked(struct vm_area_struct *vma, pmd_t *pmd, unsigned long haddr)
{
	struct mm_struct *mm = vma->vm_mm;
	struct kmm_kernel *k = mm->kernel;
	struct page *page, *pgtable;
	bool write, young, dirty, anon_exclusive;
	pmd_t old_pmd;
	pte_t *pte;

	count_vm_event_k(k, THP_SPLIT_PMD);
	if (is_pmd_migration_entry(*pmd)) {
		split_pmd_migration_entry(vma, pmd, haddr);
		return;
	}
	if (is_huge_zero_pmd(k, *pmd)) {
		__split_huge_zero_page_pmd(vma, haddr, pmd);
		return;
	}
	old_pmd = *pmd;
	set_pmd(pmd, __pmd(pmd_val(old_pmd) & ~PMD_SECT_VALID)); /* pmdp_invalidate */
	flush_pmd_tlb_range(k, vma, haddr);
	page = pmd_page(k, old_pmd);
	dirty = pmd_dirty(old_pmd);
	if (dirty)
		SetPageDirty(page);
	write = pmd_write(old_pmd);
	young = pmd_young(old_pmd);
	anon_exclusive = PageAnon(page) && PageAnonExclusive(page);
	page_ref_add(page, HPAGE_PMD_NR - 1);
	pgtable = pgtable_trans_huge_withdraw(mm);
	pte = page_host(k, pgtable, PAGE_SIZE);
	for (unsigned long i = 0; i < HPAGE_PMD_NR; i++) {
		pte_t entry = mk_pte(k, page + i, __pgprot(vma->vm_page_prot));

		entry = (vma->vm_flags & VM_WRITE) ? pte_mkwrite(entry) : entry;
		if (anon_exclusive)
			SetPageAnonExclusive(page + i);
		if (!write)
			entry = pte_wrprotect(entry);
		if (!young)
			entry = pte_mkold(entry);
		if (dirty)
			entry = pte_mkdirty(entry);
		set_pte_at(k, mm, haddr + i * PAGE_SIZE, &pte[i], entry);
		page[i]._mapcount++;
	}
	/* PG_double_map before the entire mapcount drops, so page_mapped stays true */
	if (folio_entire_mapcount(page_folio(page)) > 1 &&
	    !folio_test_double_map(page_folio(page))) {
		SetPageDoubleMapOf(page);
		for (unsigned long i = 0; i < HPAGE_PMD_NR; i++)
			page[i]._mapcount++;
	}
	if (--page[1].compound_mapcount < 0) {
		mod_node_page_state_of(k, page, NR_ANON_THPS, -(long)HPAGE_PMD_NR);
		if (TestClearPageDoubleMapOf(page))
			for (unsigned long i = 0; i < HPAGE_PMD_NR; i++)
				page[i]._mapcount--;
	}
	if (vma->vm_flags & VM_LOCKED) /* munlock_vma_page(page, vma, true) */
		munlock_page(k, page);
	__pmd_populate(pmd, PFN_PHYS(page_to_pfn(k, pgtable)), PMD_TYPE_TABLE | PMD_TABLE_PXN);
}

void __split_huge_pmd(struct vm_area_struct *vma, pmd_t *pmd, unsigned long address)
{
	if (!pmd || !pmd_trans_huge(*pmd) || (is_swap_pmd(*pmd) && !is_pmd_migration_entry(*pmd)))
		return;
	__split_huge_pmd_locked(vma, pmd, address & HPAGE_PMD_MASK);
}

void split_huge_pmd_address(struct vm_area_struct *vma, unsigned long address)
{
	__split_huge_pmd(vma, mm_find_pmd(vma->vm_mm, address), address);
}

/* Models: split_huge_pmd_if_needed(): @address cuts a huge PMD's 2 MiB of @vma. */
static void split_huge_pmd_if_needed(struct vm_area_struct *vma, unsigned long address)
{
	if ((address & ~HPAGE_PMD_MASK) && (address & HPAGE_PMD_MASK) >= vma->vm_start &&
	    (address & HPAGE_PMD_MASK) + HPAGE_PMD_SIZE <= vma->vm_end)
		split_huge_pmd_address(vma, address);
}

void vma_adjust_trans_huge(struct vm_area_struct *vma, unsigned long start, unsigned long end,
			   long adjust_next)
{
	split_huge_pmd_if_needed(vma, start);
	split_huge_pmd_if_needed(vma, end);
	if (adjust_next > 0 && vma->vm_next) {
		struct vm_area_struct *next = vma->vm_next;

		split_huge_pmd_if_needed(next, next->vm_start + (unsigned long)adjust_next);
	}
}

/* ==== split_huge_page and the deferred split queue (the split section) =================== */

void split_huge_pmd_folio(struct vm_area_struct *vma, unsigned long address, struct folio *folio)
{
	struct kmm_kernel *k = vma->vm_mm->kernel;
	pmd_t *pmd = mm_find_pmd(vma->vm_mm, address);

	if (!pmd || !pmd_trans_huge(*pmd) || is_swap_pmd(*pmd) || is_huge_zero_pmd(k, *pmd))
		return;
	if (pmd_page(k, *pmd) != &folio->page)
		return;
	__split_huge_pmd(vma, pmd, address);
}

static inline struct list_head *page_deferred_list(struct page *head)
{
	return &head[2].deferred_list;
}

static struct deferred_split *get_deferred_split_queue(struct kmm_kernel *k,
						       const struct page *page)
{
	return &thp_of(k)->ds_queue[page_to_nid(page)];
}

void prep_transhuge_page(struct page *page)
{
	INIT_LIST_HEAD(page_deferred_list(page));
	page[1].compound_dtor = TRANSHUGE_PAGE_DTOR;
}

void free_transhuge_page(struct kmm_kernel *k, struct page *page)
{
	struct list_head *dl = page_deferred_list(page);

	if (dl->next && !list_empty(dl)) {
		get_deferred_split_queue(k, page)->split_queue_len--;
		list_del(dl);
	}
	dl->next = dl->prev = NULL; /* no host pointer stays in the freed page */
	free_compound_page(k, page);
}

void deferred_split_huge_page(struct kmm_kernel *k, struct page *page)
{
	struct deferred_split *ds_queue;

	if (!k->thp || page[1].compound_order != HPAGE_PMD_ORDER ||
	    page[1].compound_dtor == HUGETLB_PAGE_DTOR)
		return;
	/* reclaim swaps this THP out whole: it is being handled (6.1's PageSwapCache test) */
	if (PageSwapCache(page))
		return;
	if (page[1].compound_dtor != TRANSHUGE_PAGE_DTOR)
		prep_transhuge_page(page); /* allocated by a path that did not prep it */
	if (!list_empty(page_deferred_list(page)))
		return;
	ds_queue = get_deferred_split_queue(k, page);
	count_vm_event_k(k, THP_DEFERRED_SPLIT_PAGE);
	list_add_tail(page_deferred_list(page), &ds_queue->split_queue);
	ds_queue->split_queue_len++;
}

bool can_split_folio(const struct folio *folio, int *pextra_pins)
{
	int extra_pins;

	/* the swap cache holds one reference per page; the page cache would too */
	if (folio_test_anon(folio))
		extra_pins = folio_test_swapcache(folio) ? (int)folio_nr_pages(folio) : 0;
	else
		extra_pins = (int)folio_nr_pages(folio);
	if (pextra_pins)
		*pextra_pins = extra_pins;
	return folio_mapcount(folio) == folio_ref_count(folio) - extra_pins - 1;
}

/* Models: unmap_folio(): every PMD and PTE mapping of an anonymous THP to migration entries. */
static void unmap_folio(struct kmm_kernel *k, struct folio *folio)
{
	try_to_migrate(k, folio, TTU_SPLIT_HUGE_PMD | TTU_SYNC);
}

/* Models: remap_page(): the migration entries of the @nr pages from @folio back to PTEs. */
static void remap_page(struct kmm_kernel *k, struct folio *folio, unsigned long nr)
{
	for (unsigned long i = 0; i < nr; i += folio_nr_pages(folio)) {
		struct folio *f = page_folio(&folio->page + i);

		remove_migration_ptes(k, f, f, true);
		if (folio_test_large(f))
			break; /* not split: one walk did all */
	}
}

/*
 * Models: lru_add_page_tail(): a split tail goes next to its head on the LRU, or on @list (with
 * a reference) when the caller isolated the THP (reclaim, migration).
 */
static void lru_add_page_tail(struct page *head, struct page *tail, struct list_head *list)
{
	if (list) {
		folio_get(page_folio(tail));
		list_add_tail(&tail->lru, list);
		return;
	}
	if (PageUnevictable(tail)) {
		tail->lru.prev = NULL;
		tail->mlock_count = 0;
	} else {
		list_add_tail(&tail->lru, &head->lru);
	}
	SetPageLRU(tail);
}

/* The flags a tail takes from its head (6.1's list, without the bits arm64 lacks here). */
#define SPLIT_TAIL_FLAGS                                                                           \
	(1UL << PG_referenced | 1UL << PG_swapbacked | 1UL << PG_swapcache | 1UL << PG_mlocked |   \
	 1UL << PG_uptodate | 1UL << PG_active | 1UL << PG_workingset | 1UL << PG_locked |         \
	 1UL << PG_unevictable | 1UL << PG_dirty)

/* Models: __split_huge_page_tail(): page @tail of @head becomes an order-0 folio. */
static void __split_huge_page_tail(struct page *head, unsigned int tail, struct list_head *list)
{
	struct page *page_tail = head + tail;
	bool swapcache = PageSwapCache(head);

	page_tail->flags &= ~((1UL << __NR_PAGEFLAGS) - 1);
	page_tail->flags |= head->flags & SPLIT_TAIL_FLAGS;
	page_tail->mapping = head->mapping;
	page_tail->index = head->index + tail;
	if (!swapcache)
		page_tail->private = 0;
	page_tail->compound_head = 0; /* clear_compound_head */
	page_tail->lru.prev = NULL;
	/* one reference to drop below, one more for the swap cache */
	set_page_count(page_tail, 1 + swapcache);
	lru_add_page_tail(head, page_tail, list);
}

/*
 * Models: __split_huge_page(): the frozen, unmapped THP becomes nr order-0 folios, tails
 * next to the head on the LRU (or on @list), their swap-cache slots their own; then the
 * migration entries come back as PTEs and the tails' extra references are dropped (the
 * unmapped ones are freed). @page stays locked.
 */
static void __split_huge_page(struct kmm_kernel *k, struct page *page, struct list_head *list)
{
	struct folio *folio = page_folio(page);
	struct page *head = &folio->page;
	unsigned int nr = (unsigned int)folio_nr_pages(folio);
	bool swapcache = PageSwapCache(head);
	swp_entry_t entry = {head->private};

	for (unsigned int i = nr - 1; i >= 1; i--)
		__split_huge_page_tail(head, i, list);
	if (swapcache)
		swap_cache_split_folio(k, head, nr);
	__ClearPageHead(head);
	set_page_count(head, swapcache ? 2 : 1);
	remap_page(k, folio, nr);
	if (swapcache)
		split_swap_cluster(k, entry);
	for (unsigned int i = 0; i < nr; i++) {
		struct page *subpage = head + i;

		if (subpage == page)
			continue;
		folio_unlock(page_folio(subpage));
		/* free_page_and_swap_cache() */
		free_swap_cache(k, subpage);
		put_page(k, subpage);
	}
}

int split_huge_page_to_list(struct kmm_kernel *k, struct page *page, struct list_head *list)
{
	struct folio *folio = page_folio(page);
	struct anon_vma *anon_vma = NULL;
	int extra_pins, ret;

	if (!k->thp || !folio_test_large(folio) || !folio_test_locked(folio))
		return -EINVAL;
	if (is_huge_zero_page(k, &folio->page))
		return -EBUSY;
	if (folio_test_writeback(folio))
		return -EBUSY;
	if (!folio_test_anon(folio)) { /* no large page-cache folios in this model */
		ret = -EBUSY;
		goto out;
	}
	/* the tails go next to the head: an isolated THP needs the caller's list (6.1 warns) */
	if (!list && !folio_test_lru(folio)) {
		ret = -EBUSY;
		goto out;
	}
	/* the THP's anon_vma stays while its mappings are migration entries */
	anon_vma = folio_get_anon_vma(k, folio);
	if (!anon_vma) {
		ret = -EBUSY;
		goto out;
	}
	if (!can_split_folio(folio, &extra_pins)) {
		ret = -EAGAIN;
		goto out_unlock;
	}
	unmap_folio(k, folio);
	if (folio_ref_count(folio) == 1 + extra_pins) { /* folio_ref_freeze() */
		struct list_head *dl = page_deferred_list(&folio->page);

		set_page_count(&folio->page, 0);
		if (folio[0]._folio_dtor == TRANSHUGE_PAGE_DTOR && !list_empty(dl)) {
			get_deferred_split_queue(k, &folio->page)->split_queue_len--;
			list_del(dl);
		}
		__split_huge_page(k, page, list);
		ret = 0;
	} else {
		remap_page(k, folio, folio_nr_pages(folio));
		ret = -EAGAIN;
	}
out_unlock:
	folio_put_anon_vma(k, anon_vma);
out:
	count_vm_event_k(k, !ret ? THP_SPLIT_PAGE : THP_SPLIT_PAGE_FAILED);
	return ret;
}

int split_huge_page(struct kmm_kernel *k, struct page *page)
{
	return split_huge_page_to_list(k, page, NULL);
}

int split_folio_to_list(struct kmm_kernel *k, struct folio *folio, struct list_head *list)
{
	return split_huge_page_to_list(k, &folio->page, list);
}

/* A locked, referenced split of the THP @page belongs to, as madvise and others take it. */
static int split_huge_page_get_locked(struct kmm_kernel *k, struct page *page)
{
	struct folio *folio = page_folio(page);
	int err;

	folio_get(folio);
	if (folio_test_locked(folio)) { /* trylock_page */
		folio_put(k, folio);
		return -EAGAIN;
	}
	folio_lock(folio);
	err = split_huge_page(k, page);
	folio_unlock(page_folio(page));
	put_page(k, page);
	return err;
}

int madvise_split_pte_mapped_thp(struct kmm_kernel *k, struct page *page)
{
	if (page_mapcount(page) != 1) /* do not interfere with other mappings */
		return -EBUSY;
	return split_huge_page_get_locked(k, page);
}

void madvise_cold_or_pageout_huge_pmd(struct vm_area_struct *vma, pmd_t *pmd, unsigned long addr,
				      unsigned long next, struct list_head *pageout, bool anon_only)
{
	struct kmm_kernel *k = vma->vm_mm->kernel;
	pmd_t orig_pmd = *pmd;
	struct page *page;

	if (!pmd_trans_huge(orig_pmd) || is_swap_pmd(orig_pmd) || is_huge_zero_pmd(k, orig_pmd))
		return; /* not present (a THP mid-migration) or the huge zero page */
	page = pmd_page(k, orig_pmd);
	if (page_mapcount(page) != 1 || (anon_only && !PageAnon(page)))
		return;
	if (next - addr != HPAGE_PMD_SIZE) { /* part of it: split, the PTE walk goes on */
		split_huge_page_get_locked(k, page);
		return;
	}
	if (pmd_young(orig_pmd)) { /* pmdp_invalidate, then the old entry */
		set_pmd(pmd, __pmd(pmd_val(orig_pmd) & ~PMD_SECT_VALID));
		flush_pmd_tlb_range(k, vma, addr);
		set_pmd(pmd, pmd_mkold(orig_pmd));
	}
	ClearPageReferenced(page);
	if (!pageout) {
		deactivate_page(k, page);
		return;
	}
	if (folio_isolate_lru(k, page_folio(page)) == 0) {
		if (PageUnevictable(page))
			putback_lru_page(k, page);
		else
			list_add(&page_folio(page)->lru, pageout);
	}
}

/*
 * Models: madvise_free_huge_pmd(): MADV_FREE over the huge PMD at @addr of [@addr, @next).
 * A THP mapped only here (total mapcount 1, not locked) that the range covers whole loses
 * PG_dirty, its block is made old and clean (invalidated and flushed first, so no CPU keeps
 * writing through a dirty translation) and it is marked lazily freeable whole (pglazyfree
 * +512); one the range covers in part is split (split_huge_page) and the PTE walk takes its
 * pages. Returns true when the PMD was handled whole (the PTE walk skips it).
 */
bool madvise_free_huge_pmd(struct vm_area_struct *vma, pmd_t *pmd, unsigned long addr,
			   unsigned long next)
{
	struct kmm_kernel *k = vma->vm_mm->kernel;
	pmd_t orig_pmd = *pmd;
	struct page *page;

	if (!pmd_trans_huge(orig_pmd) || is_swap_pmd(orig_pmd) || is_huge_zero_pmd(k, orig_pmd))
		return false; /* a THP mid-migration, or the huge zero page */
	page = pmd_page(k, orig_pmd);
	if (folio_mapcount(page_folio(page)) != 1 || PageLocked(page))
		return false; /* other mappings might not free it; or trylock_page failed */
	if (next - addr != HPAGE_PMD_SIZE) {
		split_huge_page_get_locked(k, page);
		return false;
	}
	ClearPageDirty(page);
	if (pmd_young(orig_pmd) || pmd_dirty(orig_pmd)) { /* pmdp_invalidate, then the old entry */
		set_pmd(pmd, __pmd(pmd_val(orig_pmd) & ~PMD_SECT_VALID));
		flush_pmd_tlb_range(k, vma, addr);
		set_pmd(pmd, pte_pmd(pte_mkclean(pmd_pte(pmd_mkold(orig_pmd)))));
	}
	mark_page_lazyfree(k, page);
	return true;
}

/* Models: deferred_split_count(): the node's queue length. */
static unsigned long deferred_split_count(struct shrinker *s, struct shrink_control *sc)
{
	(void)s;
	return thp_of(sc->k)->ds_queue[sc->nid].split_queue_len;
}

/*
 * Models: deferred_split_scan(): up to nr_to_scan queued THPs of the node, each pinned and
 * split if its lock is free; the ones not split go back to the queue's tail. Returns the THPs
 * split, or SHRINK_STOP when none was and the queue is empty.
 */
static unsigned long deferred_split_scan(struct shrinker *s, struct shrink_control *sc)
{
	struct kmm_kernel *k = sc->k;
	struct deferred_split *ds_queue = &thp_of(k)->ds_queue[sc->nid];
	struct list_head list, *pos, *next;
	unsigned long split = 0;

	(void)s;
	INIT_LIST_HEAD(&list);
	for (pos = ds_queue->split_queue.next; pos != &ds_queue->split_queue; pos = next) {
		struct page *page = container_of(pos, struct page, deferred_list) - 2;

		next = pos->next;
		folio_get(page_folio(page)); /* get_page_unless_zero: a queued THP is not free */
		list_move(pos, &list);
		if (!--sc->nr_to_scan)
			break;
	}
	for (pos = list.next; pos != &list; pos = next) {
		struct page *page = container_of(pos, struct page, deferred_list) - 2;

		next = pos->next;
		if (!folio_test_locked(page_folio(page))) { /* trylock_page */
			folio_lock(page_folio(page));
			if (!split_huge_page(k, page)) /* off the queue when split */
				split++;
			folio_unlock(page_folio(page));
		}
		put_page(k, page);
	}
	while (!list_empty(&list)) /* list_splice_tail */
		list_move_tail(list.next, &ds_queue->split_queue);
	if (!split && list_empty(&ds_queue->split_queue))
		return SHRINK_STOP;
	return split;
}

static int deferred_split_init(struct kmm_kernel *k)
{
	struct thp_state *ts = thp_of(k);

	for (int nid = 0; nid < MAX_NUMNODES; nid++)
		INIT_LIST_HEAD(&ts->ds_queue[nid].split_queue);
	ts->deferred_split_shrinker.count_objects = deferred_split_count;
	ts->deferred_split_shrinker.scan_objects = deferred_split_scan;
	ts->deferred_split_shrinker.seeks = DEFAULT_SEEKS;
	ts->deferred_split_shrinker.flags = SHRINKER_NUMA_AWARE | SHRINKER_NONSLAB;
	return register_shrinker(k, &ts->deferred_split_shrinker, "thp-deferred_split");
}

unsigned long deferred_split_queue_len(const struct kmm_kernel *k, int nid)
{
	return k->thp && nid >= 0 && nid < MAX_NUMNODES ? k->thp->ds_queue[nid].split_queue_len : 0;
}

/* ---- checks ---------------------------------------------------------------------------- */

#define CHECK(cond, ...)                                                                           \
	do {                                                                                       \
		if (!(cond)) {                                                                     \
			snprintf(why, whylen, __VA_ARGS__);                                        \
			return false;                                                              \
		}                                                                                  \
	} while (0)

static bool count_deposit(const struct page *pgtable, void *arg)
{
	(void)pgtable;
	++*(unsigned long *)arg;
	return true;
}

/* Invariant 3 for @mm: returns the huge PMDs mapping THPs in *@nr_thp_maps. */
static bool thp_check_mm(const struct mm_struct *mm, unsigned long *nr_zero_maps, char *why,
			 size_t whylen)
{
	const struct kmm_kernel *k = mm->kernel;
	unsigned long nr_huge = 0, nr_deposit = 0;

	for (struct vm_area_struct *vma = mm->mmap; vma; vma = vma->vm_next) {
		if (vma->vm_flags & VM_HUGETLB)
			continue; /* hugetlb blocks are hugetlb_check's */
		for (unsigned long a = vma->vm_start & HPAGE_PMD_MASK; a < vma->vm_end;
		     a += HPAGE_PMD_SIZE) {
			pmd_t *pmdp = mm_find_pmd(mm, a);
			const struct page *page;

			if (!pmdp || !pmd_trans_huge(*pmdp))
				continue;
			nr_huge++;
			CHECK(a >= vma->vm_start && a + HPAGE_PMD_SIZE <= vma->vm_end,
			      "thp: huge PMD at %#lx crosses its VMA", a);
			if (is_swap_pmd(*pmdp)) {
				CHECK(is_pmd_migration_entry(*pmdp) && migrate_in_flight(k),
				      "thp: PMD swap entry at %#lx outside a THP migration", a);
				continue;
			}
			if (is_huge_zero_pmd(k, *pmdp)) {
				(*nr_zero_maps)++;
				continue;
			}
			page = pfn_to_page(k, pmd_pfn(*pmdp));
			CHECK(PageHead(page) && page[1].compound_order == HPAGE_PMD_ORDER,
			      "thp: huge PMD at %#lx maps pfn %#lx, not an order-9 head", a,
			      pmd_pfn(*pmdp));
			CHECK(PageAnon(page), "thp: huge PMD at %#lx maps a non-anon page", a);
			CHECK(page[1].compound_mapcount >= 0,
			      "thp: huge PMD at %#lx maps a THP with no entire mapcount", a);
		}
	}
	pgtable_trans_huge_each(mm, count_deposit, &nr_deposit);
	CHECK(nr_deposit == nr_huge, "thp: mm has %lu huge PMDs, %lu deposited tables", nr_huge,
	      nr_deposit);
	return true;
}

bool thp_check(const struct kmm_kernel *k, char *why, size_t whylen)
{
	const struct thp_state *ts = thp_of(k);
	const struct mm_state *ms = k->mm_state;
	unsigned long zero_mms = 0, zero_maps = 0;
	long nr_thps = 0;

	if (!ts)
		return true;
	CHECK(!(thp_flag(k, TRANSPARENT_HUGEPAGE_FLAG) &&
		thp_flag(k, TRANSPARENT_HUGEPAGE_REQ_MADV_FLAG)),
	      "thp: enabled is both always and madvise"); /* 1 */
	for (int i = 0, n = 0; i < 4; i++) {
		n += thp_flag(k, defrag_flags[i]);
		CHECK(n <= 1, "thp: more than one defrag mode");
	}
	CHECK(ts->max_ptes_none < HPAGE_PMD_NR && ts->max_ptes_swap < HPAGE_PMD_NR &&
		      ts->max_ptes_shared < HPAGE_PMD_NR && ts->pages_to_scan,
	      "thp: a khugepaged knob out of range");
	CHECK(!ts->huge_zero_page == !ts->huge_zero_refcount,
	      "thp: huge zero page %s with refcount %d", ts->huge_zero_page ? "set" : "unset",
	      ts->huge_zero_refcount); /* 2 */
	for (const struct list_head *l = ms ? ms->mms.next : NULL; l && l != &ms->mms;
	     l = l->next) {
		const struct mm_struct *mm = list_entry(l, struct mm_struct, mmlist);
		unsigned long maps = 0;

		if (!thp_check_mm(mm, &maps, why, whylen)) /* 3 */
			return false;
		CHECK(!maps || (mm->flags & MMF_HUGE_ZERO_PAGE),
		      "thp: an mm maps the huge zero page without holding it");
		zero_maps += maps;
		zero_mms += !!(mm->flags & MMF_HUGE_ZERO_PAGE);
	}
	CHECK(!ts->huge_zero_page || (unsigned long)ts->huge_zero_refcount == zero_mms + 1,
	      "thp: huge zero refcount %d, %lu mms hold it", ts->huge_zero_refcount, zero_mms);
	for (int nid = 0; nid < MAX_NUMNODES; nid++)
		if (k->node_data[nid])
			nr_thps += k->node_data[nid]->vm_stat[NR_ANON_THPS];
	CHECK(nr_thps % (long)HPAGE_PMD_NR == 0 && nr_thps >= 0,
	      "thp: NR_ANON_THPS %ld not a multiple of 512", nr_thps); /* 4 (the rest: mm_check) */
	/* 5 */
	for (int nid = 0; nid < MAX_NUMNODES; nid++) {
		const struct deferred_split *dq = &ts->ds_queue[nid];
		unsigned long n = 0;

		for (const struct list_head *l = dq->split_queue.next; l != &dq->split_queue;
		     l = l->next) {
			const struct page *head = container_of(l, struct page, deferred_list) - 2;

			CHECK(++n <= dq->split_queue_len,
			      "thp: node %d's split queue is longer than %lu", nid,
			      dq->split_queue_len);
			CHECK(PageHead(head) && head[1].compound_order == HPAGE_PMD_ORDER &&
				      head[1].compound_dtor == TRANSHUGE_PAGE_DTOR,
			      "thp: pfn %#lx on node %d's split queue is not a THP head",
			      page_to_pfn(k, head), nid);
			CHECK(page_to_nid(head) == nid && page_ref_count(head) > 0,
			      "thp: pfn %#lx on node %d's split queue: node %d, refcount %d",
			      page_to_pfn(k, head), nid, page_to_nid(head), page_ref_count(head));
		}
		CHECK(n == dq->split_queue_len, "thp: node %d's split queue has %lu pages, len %lu",
		      nid, n, dq->split_queue_len);
	}
	(void)zero_maps;
	return true;
}
