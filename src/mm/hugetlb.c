/*
 * hugetlb: pools of huge pages per size (hstate) and per node, grown and shrunk through the
 * sysctls and sysfs files, fed by the buddy allocator (or alloc_contig_pages() for gigantic
 * sizes), drained back to it.
 *
 * Models: mm/hugetlb.c (Linux 6.1.192): hugetlb_add_hstate(), hugetlb_init_hstates(),
 *         enqueue_huge_page(), dequeue_huge_page_node_exact(), alloc_buddy_huge_page(),
 *         alloc_gigantic_page(), alloc_fresh_huge_page(), alloc_pool_huge_page(),
 *         remove_pool_huge_page(), __remove_hugetlb_page(), update_and_free_page(),
 *         free_huge_page(), adjust_pool_surplus(), set_max_huge_pages(),
 *         alloc_surplus_huge_page(), __nr_hugepages_store_common(), the hstate and per-node
 *         sysfs attributes, hugetlb_sysctl_handler_common(), hugetlb_overcommit_handler(),
 *         hugetlb_report_meminfo(), hugetlb_report_node_meminfo(), hugetlb_show_meminfo_node(),
 *         hugetlb_total_pages(), demote_store(), demote_size_store(), demote_pool_huge_page(),
 *         demote_free_huge_page(), hugepagesz_setup(), hugepages_setup(),
 *         default_hugepagesz_setup(), hugetlb_hstate_alloc_pages(), report_hugepages(),
 *         hugetlb_init();
 *         the mappings: hugetlb_reserve_pages(), hugetlb_acct_memory(), gather_surplus_pages(),
 *         return_unused_surplus_pages(), region_chg/add/del/count(), vma_has_reserves(),
 *         vma_needs/commit_reservation(), dequeue_huge_page_vma(), alloc_huge_page(),
 *         hugetlb_fault(), hugetlb_no_page(), hugetlb_wp(), unmap_ref_private(),
 *         __unmap_hugepage_range(), copy_hugetlb_page_range(), hugetlb_change_protection(),
 *         hugetlb_vm_op_open/close/split(), hugepage_add_new_anon_rmap(), smaps_hugetlb_range(),
 *         move_hugetlb_page_tables(), clear_vma_resv_huge_pages(), hugetlb_count_add/sub(),
 *         hugetlb_report_usage() (fs/proc's HugetlbPages row);
 *         fs/hugetlbfs/inode.c: hugetlbfs_punch_hole(), hugetlbfs_zero_partial_page(),
 *         hugetlb_vmdelete_list(), remove_inode_hugepages()'s hole-punch path;
 *         isolate_or_dissolve_huge_page(), alloc_and_dissolve_huge_page() (alloc_contig_range's
 *         free pool pages), isolate_hugetlb(), putback_active_hugepage(),
 *         alloc_huge_page_nodemask(), alloc_migrate_huge_page(), move_hugetlb_state();
 *         mm/migrate.c: migrate_hugetlbs(), unmap_and_move_huge_page(), the hugetlb parts of
 *         try_to_migrate_one() and remove_migration_pte(); arm64's set_huge_swap_pte_at();
 *         fs/hugetlbfs/inode.c: hugetlbfs_file_mmap(), hugetlb_get_unmapped_area(),
 *         hugetlb_file_setup(), remove_inode_hugepages(); mm/mmap.c: ksys_mmap_pgoff()'s
 *         MAP_HUGETLB part;
 *         mm/page_alloc.c: alloc_contig_pages(); arch/arm64/mm/hugetlbpage.c:
 *         hugetlbpage_init(), set_huge_pte_at(), huge_ptep_get(), huge_ptep_get_and_clear(),
 *         huge_pte_offset(), huge_pte_alloc(), arch_make_huge_pte(),
 *         flush_hugetlb_tlb_range() (Linux 6.1.192).
 *
 * Sections: hstates; nodes; HPG flags; free lists; the page allocator; pools; meminfo;
 * sysctls and sysfs; boot; mappings (the file and reservations, descriptors, faults, unmap/
 * fork/mprotect/smaps); checks.
 *
 * The hstates, in the order arm64 registers them (the kernel's hstates[] index):
 *
 * | idx | size    | order | mapped by              | gigantic | sysfs name              |
 * |-----|---------|-------|------------------------|----------|-------------------------|
 * | 0   | 1 GiB   | 18    | a PUD block            | yes      | hugepages-1048576kB     |
 * | 1   | 32 MiB  | 13    | 16 contiguous PMDs     | yes      | hugepages-32768kB       |
 * | 2   | 2 MiB   | 9     | a PMD block (default)  | no       | hugepages-2048kB        |
 * | 3   | 64 KiB  | 4     | 16 contiguous PTEs     | no       | hugepages-64kB          |
 *
 * A pool page is a compound page whose first tail names HUGETLB_PAGE_DTOR. Its head's
 * ->private holds the HPG_* flags (HPG_freed while on a free list), its ->lru links it on its
 * node's free list or on the hstate's active list. Free pool pages have no reference.
 *
 * Pool growth: set_max_huge_pages() turns surplus pages into persistent ones first, then asks
 * alloc_pool_huge_page() for one page at a time, each time from the next node of the allowed
 * ones that gives one (round robin: next_nid_to_alloc). A buddy request is
 * htlb_alloc_mask|__GFP_THISNODE|__GFP_COMP|__GFP_NOWARN, plus __GFP_RETRY_MAYFAIL unless the
 * node already failed a hard try in this resize (node_alloc_noretry; then it is
 * __GFP_NORETRY-like: no retry flag), so the slow path reclaims and compacts for it. Each
 * buddy attempt counts htlb_buddy_alloc_success or htlb_buddy_alloc_fail. The first node with
 * no page ends the growth: the pool keeps what it got (the sysctl write still succeeds).
 *
 * Mappings. An anonymous MAP_HUGETLB mmap gets an unlinked hugetlbfs file of the length
 * rounded up to the size (hugetlb_file_setup), which the VMA holds through its private data
 * (struct hugetlb_vma: the file, and for a private mapping's owner its resv_map). Reservations
 * are 6.1's: a shared file's resv_map says which indices are reserved or cached, a private
 * owner's which ones a fault consumed; mmap reserves what the map lacks (gathering surplus
 * pages within nr_overcommit_hugepages, -ENOMEM beyond), a fault consumes one (the page
 * carries HPG_restore_reserve until it is mapped), close returns the owner's unconsumed ones
 * and the file's eviction the rest. The entries are arm64's:
 *
 * | size   | table level | descriptors                      | TLB entries (the MMU model) |
 * |--------|-------------|----------------------------------|-----------------------------|
 * | 64 KiB | 3 (PTE)     | 16 pages, contiguous bit, 4K apart | one of 64 KiB             |
 * | 2 MiB  | 2 (PMD)     | 1 block                          | one of 2 MiB                |
 * | 32 MiB | 2 (PMD)     | 16 blocks, contiguous bit, 2M apart | one of 32 MiB            |
 * | 1 GiB  | 1 (PUD)     | 1 block                          | one of 1 GiB                |
 *
 * A hugetlb page is mapped whole: each mapping counts in its entire mapcount (compound_
 * mapcount), not in rss or NR_ANON_MAPPED (6.1: hugetlb pages are in neither).
 *
 * Deviations:
 *  - One call at a time: hugetlb_lock and resize_lock are not modelled; no signals.
 *  - No hugetlbfs mount: only anonymous MAP_HUGETLB files (no memfd_create(MFD_HUGETLB), no
 *    SysV SHM_HUGETLB, no named files); the file, resv_map and private data are host
 *    objects, not slab ones. /proc/<pid>/maps shows no "/anon_hugepage (deleted)" name.
 *  - No PMD sharing, no memory failure, no userfaultfd, no subpools. Migration (of
 *    alloc_contig_range's in-use pages; compaction skips hugetlb as 6.1 does) moves anonymous
 *    pages only: a shared file's page never gets HPG_migratable, so it is not isolated
 *    (6.1 migrates those too). Its rmap walk visits every hugetlb VMA of the size in every mm
 *    (no anon_vma interval tree here). The unmap hook of migrate.c is not called for hugetlb
 *    pages, so no task meets a hugetlb migration entry. 6.1.192 has no hugetlb migration
 *    counters: pgmigrate_success/fail count the base pages.
 *  - A resv_map is a bitmap over the file's indices (the kernel keeps regions in a list).
 *  - mremap moves a hugetlb mapping (MREMAP_FIXED) entry by entry, as 6.1 does without
 *    PMD sharing; the old VMA gets a fresh private data object (6.1 clears its pointer), made
 *    ready before the move (hugetlb_mremap_prepare) so a host allocation cannot fail after it.
 *    A partial move strands the rest of the old VMA's reservations as 6.1 does; resv_stranded
 *    counts them for the check (the kernel keeps no such count). The file's reverse map for
 *    MADV_REMOVE is a walk over every mm's VMAs (hugetlb files have no i_mmap tree here).
 *  - The access and dirty flags of contiguous entries are gathered from all 16 descriptors
 *    (huge_ptep_get) but faults write them to all; the walker's hardware updates set them in
 *    the descriptor it used, as the architecture allows.
 *  - No hugetlb cgroups, no vmemmap optimisation (HPG_vmemmap_optimized is never set), no
 *    memory failure, no CMA area for gigantic pages (hugetlb_cma=).
 *  - Gigantic pages are found by alloc_contig_pages() over free ranges only until migration
 *    lands in alloc_contig_range(); boot-time gigantic pages come from it too (the kernel
 *    takes them from memblock before the buddy allocator exists).
 *
 * Invariants (hugetlb_check, run by kmm_check):
 *  1. For each hstate and node: free_huge_pages_node counts the pages on the node's free
 *     list, each a hugetlb compound head of the hstate's order on that node with refcount 0
 *     and HPG_freed; the global counters are the sums over nodes.
 *  2. free <= nr, surplus <= nr per node and globally; resv_huge_pages <= free_huge_pages.
 *  3. The pages on the active list are hugetlb heads of the hstate's order with references,
 *     without HPG_freed; nr_huge_pages_node = free + active pages of the node.
 *  4. max_huge_pages never exceeds nr_huge_pages - surplus_huge_pages after a resize ends.
 *  5. Every huge entry of every hugetlb VMA (aligned to its size, with its private data) has
 *     the descriptors of the table above, each naming its part of one in-use pool page of
 *     the VMA's size; a writable entry of a private mapping maps an exclusive anonymous page;
 *     each page's entire mapcount counts the entries mapping it over all mms; a cached page
 *     of a shared file holds one reference more than its mappings.
 *  6. resv_huge_pages is, per size, the owners' unconsumed reservations over their VMAs, plus
 *     the files' reserved indices without a page, plus in-use pages still HPG_restore_reserve,
 *     plus the reservations partial mremaps stranded (resv_stranded).
 *  7. Each mm's hugetlb_usage (HugetlbPages) is the base pages its huge entries map.
 * The placement check's HUGETLB row claims every page of each free pool page.
 */
#include "mm/hugetlb.h"

#include "arch/arm64/include/asm/memory.h"
#include "arch/arm64/include/asm/tlbflush.h"
#include "lib/cmdline.h"
#include "mm/gfp.h"
#include "mm/internal.h"
#include "mm/migrate.h"
#include "mm/mm_state.h"
#include "mm/page_place.h"
#include "mm/pagemap.h"
#include "mm/rmap.h"
#include "mm/swapops.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* arm64 with 4 KiB pages (arch/arm64/include/asm/pgtable-hwdef.h). */
#define PUD_ORDER      18 /* PUD_SHIFT 30 */
#define CONT_PMD_ORDER 13 /* CONT_PMD_SHIFT 25: 16 PMDs */
#define PMD_ORDER      9  /* PMD_SHIFT 21 */
#define CONT_PTE_ORDER 4  /* CONT_PTE_SHIFT 16: 16 PTEs */

/* The HPG_* bits of a hugetlb head's ->private (include/linux/hugetlb.h). */
enum hugetlb_page_flags {
	HPG_restore_reserve,
	HPG_migratable,
	HPG_temporary,
	HPG_freed,
	HPG_vmemmap_optimized,
	HPG_raw_hwp_unreliable,
	__NR_HPAGEFLAGS,
};

/* Models: struct hstate. */
struct hstate {
	/* Constant after boot. */
	unsigned int order;
	unsigned int demote_order; /* 0: this size demotes to nothing (no demote files) */
	char name[32];		   /* "hugepages-2048kB" */

	/* The pool (hugetlb_lock in the kernel). */
	unsigned long max_huge_pages; /* what the last resize left persistent */
	unsigned long nr_huge_pages, free_huge_pages, resv_huge_pages, surplus_huge_pages;
	unsigned long nr_overcommit_huge_pages;
	unsigned long resv_stranded; /* reservations a partial mremap left with no owner (6.1) */
	unsigned long max_huge_pages_node[MAX_NUMNODES]; /* hugepages=N:M's boot-time asks */
	unsigned int nr_huge_pages_node[MAX_NUMNODES];
	unsigned int free_huge_pages_node[MAX_NUMNODES];
	unsigned int surplus_huge_pages_node[MAX_NUMNODES];
	struct list_head hugepage_freelists[MAX_NUMNODES];
	struct list_head hugepage_activelist;
	int next_nid_to_alloc, next_nid_to_free;
};

struct hugetlb_state {
	struct hstate hstates[HUGE_MAX_HSTATE];
	int hugetlb_max_hstate;
	int default_hstate_idx;
	struct list_head files; /* every live hugetlb_file (the check's) */
};

/* ---- hstates ---------------------------------------------------------------------------- */

static inline unsigned int huge_page_order(const struct hstate *h)
{
	return h->order;
}

static inline unsigned long pages_per_huge_page(const struct hstate *h)
{
	return 1UL << h->order;
}

static inline unsigned long huge_page_size(const struct hstate *h)
{
	return PAGE_SIZE << h->order;
}

/* Models: hstate_is_gigantic(): beyond the buddy allocator's largest block. */
static inline bool hstate_is_gigantic(const struct hstate *h)
{
	return huge_page_order(h) >= MAX_ORDER;
}

static inline unsigned long persistent_huge_pages(const struct hstate *h)
{
	return h->nr_huge_pages - h->surplus_huge_pages;
}

static inline struct hstate *default_hstate(const struct kmm_kernel *k)
{
	return &k->hugetlb->hstates[k->hugetlb->default_hstate_idx];
}

#define for_each_hstate(hs, h)                                                                     \
	for (h = (hs)->hstates; h < &(hs)->hstates[(hs)->hugetlb_max_hstate]; h++)

/* Models: size_to_hstate(). */
static struct hstate *size_to_hstate(const struct kmm_kernel *k, unsigned long size)
{
	struct hstate *h;

	for_each_hstate(k->hugetlb, h) if (huge_page_size(h) == size) return h;
	return NULL;
}

/* The hstate of a hugetlb folio (folio_hstate()). */
static struct hstate *page_hstate(const struct kmm_kernel *k, const struct page *head)
{
	return size_to_hstate(k, PAGE_SIZE << compound_order(head));
}

/*
 * Models: hugetlb_add_hstate(): a new hstate of @order (nothing if that size exists). Returns
 * the hstate of that size (the kernel's parsed_hstate).
 */
static struct hstate *hugetlb_add_hstate(struct hugetlb_state *hs, unsigned int order)
{
	struct hstate *h;

	for_each_hstate(hs, h) if (h->order == order) return h;
	if (hs->hugetlb_max_hstate >= HUGE_MAX_HSTATE)
		return NULL; /* BUG_ON in the kernel; arm64 has exactly four sizes */
	h = &hs->hstates[hs->hugetlb_max_hstate++];
	h->order = order;
	INIT_LIST_HEAD(&h->hugepage_activelist);
	for (int nid = 0; nid < MAX_NUMNODES; nid++)
		INIT_LIST_HEAD(&h->hugepage_freelists[nid]);
	snprintf(h->name, sizeof(h->name), "hugepages-%lukB", huge_page_size(h) / 1024);
	return h;
}

/* Models: hugetlb_init_hstates()' demote_order: the next smaller size. */
static void hugetlb_init_demote(struct hugetlb_state *hs)
{
	struct hstate *h, *h2;

	for_each_hstate(hs, h) for_each_hstate(hs, h2) if (h2 != h && h2->order < h->order &&
							   h2->order > h->demote_order)
		h->demote_order = h2->order;
}

/* ---- nodes ------------------------------------------------------------------------------ */

/* node_states[N_MEMORY]: the nodes with present pages. */
static nodemask_t nodes_with_memory(const struct kmm_kernel *k)
{
	nodemask_t m = {0};

	for (int nid = 0; nid < MAX_NUMNODES; nid++)
		if (k->node_data[nid] && k->node_data[nid]->node_present_pages)
			m.bits |= 1UL << nid;
	return m;
}

static int nodes_weight(const nodemask_t *m)
{
	return __builtin_popcountl(m->bits);
}

/* Models: next_node_allowed(): the next node of @m after @nid, wrapping. */
static int next_node_allowed(int nid, const nodemask_t *m)
{
	for (int i = 1; i <= MAX_NUMNODES; i++) {
		int n = (nid + i) % MAX_NUMNODES;

		if (node_isset(n, m))
			return n;
	}
	return nid;
}

/* Models: get_valid_node_allowed(): @nid if allowed, else the first allowed node. */
static int get_valid_node_allowed(int nid, const nodemask_t *m)
{
	if (!node_isset(nid, m))
		nid = next_node_allowed(nid, m);
	return nid;
}

/* Models: hstate_next_node_to_alloc(): the node to try, and advance the round robin. */
static int hstate_next_node_to_alloc(struct hstate *h, const nodemask_t *m)
{
	int nid = get_valid_node_allowed(h->next_nid_to_alloc, m);

	h->next_nid_to_alloc = next_node_allowed(nid, m);
	return nid;
}

static int hstate_next_node_to_free(struct hstate *h, const nodemask_t *m)
{
	int nid = get_valid_node_allowed(h->next_nid_to_free, m);

	h->next_nid_to_free = next_node_allowed(nid, m);
	return nid;
}

/* ---- HPG flags on the head ------------------------------------------------------------- */

static inline bool HPageTest(const struct page *head, enum hugetlb_page_flags f)
{
	return head->private >> f & 1;
}

static inline void HPageSet(struct page *head, enum hugetlb_page_flags f)
{
	head->private |= 1UL << f;
}

static inline void HPageClear(struct page *head, enum hugetlb_page_flags f)
{
	head->private &= ~(1UL << f);
}

/* ---- the free lists --------------------------------------------------------------------- */

/* Models: enqueue_huge_page(): onto its node's free list, counted free. */
static void enqueue_huge_page(struct hstate *h, struct page *page)
{
	int nid = page_to_nid(page);

	list_move(&page->lru, &h->hugepage_freelists[nid]);
	h->free_huge_pages++;
	h->free_huge_pages_node[nid]++;
	HPageSet(page, HPG_freed);
}

/* Models: __prep_new_huge_page() + __prep_account_new_huge_page(). */
static void prep_new_huge_page(struct hstate *h, struct page *page, int nid)
{
	INIT_LIST_HEAD(&page->lru);
	page[1].compound_dtor = HUGETLB_PAGE_DTOR;
	page->private = 0;
	h->nr_huge_pages++;
	h->nr_huge_pages_node[nid]++;
}

/* Models: __remove_hugetlb_page(): off the lists and the counters, one reference again. */
static void remove_hugetlb_page(struct hstate *h, struct page *page, bool adjust_surplus)
{
	int nid = page_to_nid(page);

	list_del(&page->lru);
	if (HPageTest(page, HPG_freed)) {
		h->free_huge_pages--;
		h->free_huge_pages_node[nid]--;
	}
	if (adjust_surplus) {
		h->surplus_huge_pages--;
		h->surplus_huge_pages_node[nid]--;
	}
	page[1].compound_dtor = hstate_is_gigantic(h) ? NULL_COMPOUND_DTOR : COMPOUND_PAGE_DTOR;
	page->private = 0;
	set_page_count(page, 1);
	h->nr_huge_pages--;
	h->nr_huge_pages_node[nid]--;
}

/* ---- to and from the page allocator ------------------------------------------------------ */

/* Models: htlb_alloc_mask(): movable unless gigantic (hugepage_movable_supported()). */
static gfp_t htlb_alloc_mask(const struct hstate *h)
{
	return hstate_is_gigantic(h) ? GFP_HIGHUSER : GFP_HIGHUSER_MOVABLE;
}

/* Models: pfn_range_valid_contig(): every page present, in @z, not reserved, not hugetlb. */
static bool pfn_range_valid_contig(const struct kmm_kernel *k, const struct zone *z,
				   unsigned long start_pfn, unsigned long nr_pages)
{
	for (unsigned long pfn = start_pfn; pfn < start_pfn + nr_pages; pfn++) {
		struct page *page;

		if (!pfn_valid(k, pfn))
			return false;
		page = pfn_to_page(k, pfn);
		if (page_zone(k, page) != z || PageReserved(page) || PageHuge(page))
			return false;
	}
	return true;
}

/*
 * Models: mm/page_alloc.c:alloc_contig_pages() for one node's zonelist (__GFP_THISNODE: the
 * node's own zones from gfp_zone() down): the first @nr_pages-aligned range that
 * alloc_contig_range() takes. Each page of it has one reference. NULL if none.
 * Deviation: the zones are walked from the node's pgdat, not through the zonelist.
 */
static struct page *alloc_contig_pages(struct kmm_kernel *k, unsigned long nr_pages, gfp_t gfp,
				       int nid)
{
	pg_data_t *pgdat = k->node_data[nid];
	int high = gfp_zone(gfp);

	for (int zi = high; pgdat && zi >= 0; zi--) {
		struct zone *z = &pgdat->node_zones[zi];
		unsigned long pfn;

		if (!z->initialized || !z->managed_pages)
			continue;
		pfn = (z->zone_start_pfn + nr_pages - 1) & ~(nr_pages - 1);
		for (; pfn + nr_pages <= zone_end_pfn(z); pfn += nr_pages) {
			if (!pfn_range_valid_contig(k, z, pfn, nr_pages))
				continue;
			if (alloc_contig_range(k, pfn, pfn + nr_pages, MIGRATE_MOVABLE, gfp) == 0)
				return pfn_to_page(k, pfn);
		}
	}
	return NULL;
}

/*
 * Models: alloc_gigantic_page() + prep_compound_gigantic_page(): a compound page of the
 * hstate's order whose every page has refcount 0 (frozen).
 */
static struct page *alloc_gigantic_page(struct kmm_kernel *k, struct hstate *h, gfp_t gfp, int nid)
{
	unsigned long nr = pages_per_huge_page(h);
	struct page *page = alloc_contig_pages(k, nr, gfp, nid);

	if (!page)
		return NULL;
	prep_compound_page(page, huge_page_order(h));
	for (unsigned long i = 0; i < nr; i++)
		set_page_count(page + i, 0);
	return page;
}

/* Models: destroy_compound_gigantic_page() + free_gigantic_page(). */
static void free_gigantic_page(struct kmm_kernel *k, struct hstate *h, struct page *page)
{
	unsigned long nr = pages_per_huge_page(h);

	for (unsigned long i = 1; i < nr; i++) {
		page[i].compound_head = 0;
		page[i].mapping = NULL;
		set_page_count(page + i, 1);
	}
	page[1].compound_dtor = 0;
	page[1].compound_order = 0;
	page[1].compound_mapcount = 0;
	page[1].compound_nr = 0;
	page[1].mapping = NULL;
	page[1]._mapcount = -1;
	clear_page_flag(page, PG_head);
	set_page_count(page, 1);
	free_contig_range(k, page_to_pfn(k, page), nr);
}

/*
 * Models: alloc_buddy_huge_page(): one compound block from @nid's zones, its head frozen
 * (refcount 0). Tries hard (__GFP_RETRY_MAYFAIL) unless @noretry names the node; a hard
 * failure names it, a later success clears it.
 */
static struct page *alloc_buddy_huge_page(struct kmm_kernel *k, struct hstate *h, gfp_t gfp,
					  int nid, nodemask_t *noretry)
{
	bool try_hard = !(noretry && node_isset(nid, noretry));
	struct page *page;

	gfp |= __GFP_COMP | __GFP_NOWARN;
	if (try_hard)
		gfp |= __GFP_RETRY_MAYFAIL;
	page = __alloc_pages(k, gfp, huge_page_order(h), nid, NULL);
	if (page)
		set_page_count(page, 0); /* page_ref_freeze(page, 1) */
	count_vm_event(k, page ? HTLB_BUDDY_ALLOC_SUCCESS : HTLB_BUDDY_ALLOC_FAIL);
	if (noretry && page && !try_hard)
		noretry->bits &= ~(1UL << nid);
	if (noretry && !page && try_hard)
		noretry->bits |= 1UL << nid;
	return page;
}

/* Models: alloc_fresh_huge_page(): a new pool page, counted in the pool, not yet free. */
static struct page *alloc_fresh_huge_page(struct kmm_kernel *k, struct hstate *h, gfp_t gfp,
					  int nid, nodemask_t *noretry)
{
	struct page *page = hstate_is_gigantic(h) ? alloc_gigantic_page(k, h, gfp, nid)
						  : alloc_buddy_huge_page(k, h, gfp, nid, noretry);

	if (page)
		prep_new_huge_page(h, page, page_to_nid(page));
	return page;
}

/* Models: __update_and_free_page(): a page removed from the pool back to the allocator. */
static void update_and_free_page(struct kmm_kernel *k, struct hstate *h, struct page *page)
{
	if (hstate_is_gigantic(h)) {
		free_gigantic_page(k, h, page);
		return;
	}
	page[1].compound_mapcount = -1;
	__free_pages(k, page, huge_page_order(h));
}

void free_huge_page(struct kmm_kernel *k, struct page *page)
{
	struct hstate *h = page_hstate(k, page);
	int nid = page_to_nid(page);
	bool restore_reserve = HPageTest(page, HPG_restore_reserve);

	if (PageAnon(page))
		ClearPageAnonExclusive(page);
	page->mapping = NULL;
	HPageClear(page, HPG_restore_reserve);
	HPageClear(page, HPG_migratable);
	if (restore_reserve)
		h->resv_huge_pages++;
	if (HPageTest(page, HPG_temporary)) {
		remove_hugetlb_page(h, page, false);
		update_and_free_page(k, h, page);
	} else if (h->surplus_huge_pages_node[nid]) {
		remove_hugetlb_page(h, page, true);
		update_and_free_page(k, h, page);
	} else {
		enqueue_huge_page(h, page);
	}
}

/* Models: alloc_pool_huge_page(): one page from the next allowed node that has one. */
static bool alloc_pool_huge_page(struct kmm_kernel *k, struct hstate *h, const nodemask_t *allowed,
				 nodemask_t *noretry)
{
	gfp_t gfp = htlb_alloc_mask(h) | __GFP_THISNODE;
	struct page *page = NULL;

	for (int n = nodes_weight(allowed); n > 0 && !page; n--)
		page = alloc_fresh_huge_page(k, h, gfp, hstate_next_node_to_alloc(h, allowed),
					     noretry);
	if (!page)
		return false;
	free_huge_page(k, page); /* into the pool */
	return true;
}

/* Models: remove_pool_huge_page(): a free page of the next node (with surplus, if asked). */
static struct page *remove_pool_huge_page(struct hstate *h, const nodemask_t *allowed,
					  bool acct_surplus)
{
	for (int n = nodes_weight(allowed); n > 0; n--) {
		int nid = hstate_next_node_to_free(h, allowed);
		struct page *page;

		if ((acct_surplus && !h->surplus_huge_pages_node[nid]) ||
		    list_empty(&h->hugepage_freelists[nid]))
			continue;
		page = list_first_entry(&h->hugepage_freelists[nid], struct page, lru);
		remove_hugetlb_page(h, page, acct_surplus);
		return page;
	}
	return NULL;
}

/* Models: adjust_pool_surplus(): one page into (+1) or out of (-1) the surplus. */
static bool adjust_pool_surplus(struct hstate *h, const nodemask_t *allowed, int delta)
{
	for (int n = nodes_weight(allowed); n > 0; n--) {
		int nid = delta < 0 ? hstate_next_node_to_alloc(h, allowed)
				    : hstate_next_node_to_free(h, allowed);

		if (delta < 0 ? h->surplus_huge_pages_node[nid] != 0
			      : h->surplus_huge_pages_node[nid] < h->nr_huge_pages_node[nid]) {
			h->surplus_huge_pages += (unsigned long)(long)delta;
			h->surplus_huge_pages_node[nid] += (unsigned int)delta;
			return true;
		}
	}
	return false;
}

/*
 * Models: set_max_huge_pages(): makes the persistent pool @count pages (@nid: that node's
 * part of it), as far as memory allows. Never fails: a short pool is the result.
 */
static void set_max_huge_pages(struct kmm_kernel *k, struct hstate *h, unsigned long count, int nid,
			       const nodemask_t *allowed)
{
	nodemask_t noretry = {0};
	unsigned long min_count;
	struct list_head page_list;

	if (nid != NUMA_NO_NODE) {
		unsigned long old = count;

		count += h->nr_huge_pages - h->nr_huge_pages_node[nid];
		if (count < old)
			count = ULONG_MAX;
	}
	while (h->surplus_huge_pages && count > persistent_huge_pages(h))
		if (!adjust_pool_surplus(h, allowed, -1))
			break;
	while (count > persistent_huge_pages(h)) {
		env_cond_resched(k->env);
		if (!alloc_pool_huge_page(k, h, allowed, &noretry))
			goto out;
	}
	min_count = h->resv_huge_pages + h->nr_huge_pages - h->free_huge_pages;
	if (min_count < count)
		min_count = count;
	INIT_LIST_HEAD(&page_list);
	while (min_count < persistent_huge_pages(h)) {
		struct page *page = remove_pool_huge_page(h, allowed, false);

		if (!page)
			break;
		list_add(&page->lru, &page_list);
	}
	while (!list_empty(&page_list)) {
		struct page *page = list_first_entry(&page_list, struct page, lru);

		list_del(&page->lru);
		update_and_free_page(k, h, page);
	}
	while (count < persistent_huge_pages(h))
		if (!adjust_pool_surplus(h, allowed, 1))
			break;
out:
	h->max_huge_pages = persistent_huge_pages(h);
}

/*
 * Models: __nr_hugepages_store_common() for a task without a memory policy: every node with
 * memory, or @nid's alone.
 */
static void nr_hugepages_store_common(struct kmm_kernel *k, struct hstate *h, int nid,
				      unsigned long count)
{
	nodemask_t allowed = nodes_with_memory(k);

	if (nid != NUMA_NO_NODE)
		allowed.bits = 1UL << nid;
	set_max_huge_pages(k, h, count, nid, &allowed);
}

unsigned long hugetlb_total_pages(const struct kmm_kernel *k)
{
	const struct hstate *h;
	unsigned long nr = 0;

	if (!k->hugetlb)
		return 0;
	for_each_hstate(k->hugetlb, h) nr += h->nr_huge_pages * pages_per_huge_page(h);
	return nr;
}

/* ---- meminfo ---------------------------------------------------------------------------- */

void hugetlb_report_meminfo(const struct kmm_kernel *k, const struct sink *out)
{
	const struct hstate *h, *dh;
	unsigned long total = 0;

	if (!k->hugetlb)
		return;
	dh = default_hstate(k);
	for_each_hstate(k->hugetlb, h) total += huge_page_size(h) * h->nr_huge_pages;
	sink_printf(out,
		    "HugePages_Total:   %5lu\n"
		    "HugePages_Free:    %5lu\n"
		    "HugePages_Rsvd:    %5lu\n"
		    "HugePages_Surp:    %5lu\n"
		    "Hugepagesize:   %8lu kB\n",
		    dh->nr_huge_pages, dh->free_huge_pages, dh->resv_huge_pages,
		    dh->surplus_huge_pages, huge_page_size(dh) / 1024);
	sink_printf(out, "Hugetlb:        %8lu kB\n", total / 1024);
}

void hugetlb_report_node_meminfo(const struct kmm_kernel *k, int nid, const struct sink *out)
{
	const struct hstate *h;

	if (!k->hugetlb || nid < 0 || nid >= MAX_NUMNODES)
		return;
	h = default_hstate(k);
	sink_printf(out,
		    "Node %d HugePages_Total: %5u\n"
		    "Node %d HugePages_Free:  %5u\n"
		    "Node %d HugePages_Surp:  %5u\n",
		    nid, h->nr_huge_pages_node[nid], nid, h->free_huge_pages_node[nid], nid,
		    h->surplus_huge_pages_node[nid]);
}

void hugetlb_show_meminfo_node(const struct kmm_kernel *k, int nid)
{
	const struct hstate *h;

	if (!k->hugetlb || nid < 0 || nid >= MAX_NUMNODES)
		return;
	for_each_hstate(k->hugetlb, h)
		env_printk(k->env,
			   "Node %d hugepages_total=%u hugepages_free=%u hugepages_surp=%u "
			   "hugepages_size=%lukB\n",
			   nid, h->nr_huge_pages_node[nid], h->free_huge_pages_node[nid],
			   h->surplus_huge_pages_node[nid], huge_page_size(h) / 1024);
}

/* ---- sysctls and sysfs -------------------------------------------------------------------- */

/*
 * kstrtoul(@s, 10) as sysfs stores see it: optional '+', digits, one optional newline.
 * Also proc_doulongvec_minmax's one value: blanks around it allowed, no '-'.
 */
static bool parse_ulong(const char *s, bool blanks, unsigned long *out)
{
	unsigned long v = 0;
	const char *p = s;

	while (blanks && (*p == ' ' || *p == '\t' || *p == '\n'))
		p++;
	if (*p == '+' && !blanks)
		p++;
	if (*p < '0' || *p > '9')
		return false;
	for (; *p >= '0' && *p <= '9'; p++) {
		if (v > (ULONG_MAX - (unsigned long)(*p - '0')) / 10)
			return false; /* -ERANGE in the kernel; refused as well */
		v = v * 10 + (unsigned long)(*p - '0');
	}
	if (blanks)
		while (*p == ' ' || *p == '\t' || *p == '\n')
			p++;
	else if (*p == '\n')
		p++;
	if (*p)
		return false;
	*out = v;
	return true;
}

static const char *const hugetlb_sysctls[] = {"nr_hugepages", "nr_hugepages_mempolicy",
					      "nr_overcommit_hugepages"};

bool hugetlb_sysctl_exists(const char *bare)
{
	for (size_t i = 0; bare && i < ARRAY_SIZE(hugetlb_sysctls); i++)
		if (strcmp(bare, hugetlb_sysctls[i]) == 0)
			return true;
	return false;
}

void hugetlb_sysctl_list(void (*fn)(void *arg, const char *name), void *arg)
{
	char name[64];

	for (size_t i = 0; i < ARRAY_SIZE(hugetlb_sysctls); i++) {
		snprintf(name, sizeof(name), "vm.%s", hugetlb_sysctls[i]);
		fn(arg, name);
	}
}

/* Models: hugetlb_sysctl_handler_common() and hugetlb_overcommit_handler(), reads. */
int hugetlb_sysctl_read(const struct kmm_kernel *k, const char *bare, const struct sink *out)
{
	const struct hstate *h;

	if (!hugetlb_sysctl_exists(bare) || !k->hugetlb)
		return -ENOENT;
	h = default_hstate(k);
	sink_printf(out, "%lu\n",
		    strcmp(bare, "nr_overcommit_hugepages") == 0 ? h->nr_overcommit_huge_pages
								 : h->max_huge_pages);
	return 0;
}

/* Models: the same handlers' writes. */
int hugetlb_sysctl_write(struct kmm_kernel *k, const char *bare, const char *value)
{
	struct hstate *h;
	unsigned long v;

	if (!hugetlb_sysctl_exists(bare) || !k->hugetlb)
		return -ENOENT;
	h = default_hstate(k);
	if (!value || !parse_ulong(value, true, &v))
		return -EINVAL;
	if (strcmp(bare, "nr_overcommit_hugepages") == 0) {
		if (hstate_is_gigantic(h))
			return -EINVAL;
		h->nr_overcommit_huge_pages = v;
		return 0;
	}
	nr_hugepages_store_common(k, h, NUMA_NO_NODE, v);
	return 0;
}

#define HSTATE_DIR "/sys/kernel/mm/hugepages/"
#define NODE_DIR   "/sys/devices/system/node/node"

/* The attributes: name, node file too, writable. */
static const struct hstate_attr {
	const char *name;
	bool per_node;
	bool writable;
	bool readable;
} hstate_attrs[] = {
	{"nr_hugepages", true, true, true},
	{"nr_hugepages_mempolicy", false, true, true},
	{"nr_overcommit_hugepages", false, true, true},
	{"free_hugepages", true, false, true},
	{"resv_hugepages", false, false, true},
	{"surplus_hugepages", true, false, true},
	{"demote_size", false, true, true},
	{"demote", false, true, false},
};

/*
 * Splits @path into the hstate, the node (NUMA_NO_NODE for the global directory) and the
 * attribute. False if it names no file of this machine.
 */
static bool hugetlb_sysfs_lookup(const struct kmm_kernel *k, const char *path, struct hstate **hp,
				 int *nidp, const struct hstate_attr **ap)
{
	const char *p = NULL, *slash;
	struct hstate *h;
	int nid = NUMA_NO_NODE;

	if (!k->hugetlb || !path)
		return false;
	if (strncmp(path, HSTATE_DIR, strlen(HSTATE_DIR)) == 0) {
		p = path + strlen(HSTATE_DIR);
	} else if (strncmp(path, NODE_DIR, strlen(NODE_DIR)) == 0) {
		char *end;
		long n = strtol(path + strlen(NODE_DIR), &end, 10);

		if (end == path + strlen(NODE_DIR) || n < 0 || n >= MAX_NUMNODES ||
		    strncmp(end, "/hugepages/", 11) != 0 ||
		    !node_isset((int)n, &(nodemask_t){nodes_with_memory(k).bits}))
			return false;
		nid = (int)n;
		p = end + 11;
	}
	if (!p || !(slash = strchr(p, '/')))
		return false;
	for_each_hstate(k->hugetlb, h)
	{
		if (strlen(h->name) != (size_t)(slash - p) || strncmp(p, h->name, slash - p) != 0)
			continue;
		for (size_t i = 0; i < ARRAY_SIZE(hstate_attrs); i++) {
			const struct hstate_attr *a = &hstate_attrs[i];

			if (strcmp(slash + 1, a->name) != 0 ||
			    (nid != NUMA_NO_NODE && !a->per_node))
				continue;
			if (strncmp(a->name, "demote", 6) == 0 && !h->demote_order)
				return false;
			*hp = h;
			*nidp = nid;
			*ap = a;
			return true;
		}
		return false;
	}
	return false;
}

int hugetlb_sysfs_show(const struct kmm_kernel *k, const char *path, const struct sink *out)
{
	const struct hstate_attr *a;
	struct hstate *h;
	unsigned long v;
	int nid;

	if (!hugetlb_sysfs_lookup(k, path, &h, &nid, &a))
		return -ENOENT;
	if (!a->readable)
		return -EACCES;
	if (strcmp(a->name, "demote_size") == 0) {
		sink_printf(out, "%lukB\n", (PAGE_SIZE << h->demote_order) / 1024);
		return 0;
	}
	if (strcmp(a->name, "nr_overcommit_hugepages") == 0)
		v = h->nr_overcommit_huge_pages;
	else if (strcmp(a->name, "free_hugepages") == 0)
		v = nid == NUMA_NO_NODE ? h->free_huge_pages : h->free_huge_pages_node[nid];
	else if (strcmp(a->name, "resv_hugepages") == 0)
		v = h->resv_huge_pages;
	else if (strcmp(a->name, "surplus_hugepages") == 0)
		v = nid == NUMA_NO_NODE ? h->surplus_huge_pages : h->surplus_huge_pages_node[nid];
	else /* nr_hugepages, nr_hugepages_mempolicy */
		v = nid == NUMA_NO_NODE ? h->nr_huge_pages : h->nr_huge_pages_node[nid];
	sink_printf(out, "%lu\n", v);
	return 0;
}

/*
 * Models: demote_free_huge_page(): the free pool page @page of @h leaves the pool and becomes
 * pages of the demote size, each a new pool page of that size freed into its pool
 * (free_huge_page: onto the free list, or to the allocator when its node has surplus).
 */
static void demote_free_huge_page(struct kmm_kernel *k, struct hstate *h, struct page *page)
{
	struct hstate *t = size_to_hstate(k, PAGE_SIZE << h->demote_order);
	unsigned long nr = pages_per_huge_page(h), step = pages_per_huge_page(t);
	int nid = page_to_nid(page);

	remove_hugetlb_page(h, page, false);
	/* destroy_compound_hugetlb_page_for_demote: no compound page, no references */
	for (unsigned long i = 1; i < nr; i++) {
		page[i].compound_head = 0;
		page[i].mapping = NULL;
		page[i].private = 0;
	}
	page[1].compound_dtor = 0;
	page[1].compound_order = 0;
	page[1].compound_mapcount = 0;
	page[1].compound_nr = 0;
	page[1]._mapcount = -1;
	clear_page_flag(page, PG_head);
	for (unsigned long i = 0; i < nr; i += step) {
		struct page *sub = page + i;

		prep_compound_page(sub, t->order);
		for (unsigned long j = 0; j < step; j++)
			set_page_count(sub + j, 0);
		sub->private = 0;
		prep_new_huge_page(t, sub, nid);
		free_huge_page(k, sub);
	}
	h->max_huge_pages--;
	t->max_huge_pages += nr / step;
}

/*
 * Models: demote_store() with demote_pool_huge_page(): up to @nr free pages of @h (on @nid,
 * or on every node in next_nid_to_free order) demoted while free exceeds reserved (6.1's
 * unsigned "available" test). 0.
 */
static int demote_store(struct kmm_kernel *k, struct hstate *h, int nid, unsigned long nr)
{
	nodemask_t allowed = nodes_with_memory(k);

	if (nid != NUMA_NO_NODE)
		allowed.bits = 1UL << nid;
	while (nr) {
		unsigned long avail =
			nid != NUMA_NO_NODE ? h->free_huge_pages_node[nid] : h->free_huge_pages;
		struct page *page = NULL;

		if (avail - h->resv_huge_pages == 0)
			break;
		for (int i = 0, node; i < nodes_weight(&allowed) && !page; i++) {
			node = hstate_next_node_to_free(h, &allowed);
			if (!list_empty(&h->hugepage_freelists[node]))
				page = list_first_entry(&h->hugepage_freelists[node], struct page,
							lru);
		}
		if (!page)
			return -EBUSY; /* only poisoned pages would be left in the kernel */
		demote_free_huge_page(k, h, page);
		nr--;
	}
	return 0;
}

/* Models: demote_size_store(): a smaller hstate's size of at least HUGETLB_PAGE_ORDER. */
static int demote_size_store(struct kmm_kernel *k, struct hstate *h, const char *value)
{
	struct hstate *t = size_to_hstate(k, (unsigned long)memparse(value, NULL));

	if (!t || t->order < PMD_ORDER || t->order >= h->order)
		return -EINVAL;
	h->demote_order = t->order;
	return 0;
}

int hugetlb_sysfs_store(struct kmm_kernel *k, const char *path, const char *value)
{
	const struct hstate_attr *a;
	struct hstate *h;
	unsigned long v;
	int nid;

	if (!hugetlb_sysfs_lookup(k, path, &h, &nid, &a))
		return -ENOENT;
	if (!a->writable)
		return -EACCES;
	if (value && strcmp(a->name, "demote_size") == 0)
		return demote_size_store(k, h, value);
	if (!value || !parse_ulong(value, false, &v))
		return -EINVAL;
	if (strcmp(a->name, "demote") == 0)
		return demote_store(k, h, nid, v);
	if (strcmp(a->name, "nr_overcommit_hugepages") == 0) {
		if (hstate_is_gigantic(h))
			return -EINVAL;
		h->nr_overcommit_huge_pages = v;
		return 0;
	}
	nr_hugepages_store_common(k, h, nid, v);
	return 0;
}

void hugetlb_sysfs_list(const struct kmm_kernel *k, void (*fn)(void *arg, const char *path),
			void *arg)
{
	nodemask_t mem = nodes_with_memory(k);
	const struct hstate *h;
	char path[160];

	if (!k->hugetlb)
		return;
	for_each_hstate(k->hugetlb, h)
	{
		for (size_t i = 0; i < ARRAY_SIZE(hstate_attrs); i++) {
			const struct hstate_attr *a = &hstate_attrs[i];

			if (strncmp(a->name, "demote", 6) == 0 && !h->demote_order)
				continue;
			snprintf(path, sizeof(path), HSTATE_DIR "%s/%s", h->name, a->name);
			fn(arg, path);
		}
	}
	for (int nid = 0; nid < MAX_NUMNODES; nid++) {
		if (!node_isset(nid, &mem))
			continue;
		for_each_hstate(k->hugetlb, h)
		{
			for (size_t i = 0; i < ARRAY_SIZE(hstate_attrs); i++) {
				if (!hstate_attrs[i].per_node)
					continue;
				snprintf(path, sizeof(path), NODE_DIR "%d/hugepages/%s/%s", nid,
					 h->name, hstate_attrs[i].name);
				fn(arg, path);
			}
		}
	}
}

/* ---- boot ------------------------------------------------------------------------------- */

/* Models: lib/string_helpers.c:string_get_size(size, 1, STRING_UNITS_2): "2.00 MiB". */
static void size_string(unsigned long size, char *buf, size_t len)
{
	static const char *const units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
	unsigned int u = 0;

	while (size >= 1024 && u + 1 < ARRAY_SIZE(units)) {
		size /= 1024; /* the sizes are powers of two: no remainder to round */
		u++;
	}
	snprintf(buf, len,
		 size < 10    ? "%lu.00 %s"
		 : size < 100 ? "%lu.0 %s"
			      : "%lu %s",
		 size, units[u]);
}

/* Models: arm64's arch_hugetlb_valid_size(): PUD (4 KiB pages), CONT_PMD, PMD, CONT_PTE. */
static bool arch_hugetlb_valid_size(unsigned long size)
{
	return size == PAGE_SIZE << PUD_ORDER || size == PAGE_SIZE << CONT_PMD_ORDER ||
	       size == PAGE_SIZE << PMD_ORDER || size == PAGE_SIZE << CONT_PTE_ORDER;
}

/* The __setup handlers' static state (mm/hugetlb.c's file-scope variables). */
struct hugetlb_parse {
	bool parsed_valid_hugepagesz, parsed_default_hugepagesz;
	struct hstate *parsed_hstate;
	unsigned long default_hstate_max_huge_pages;
	unsigned long default_hugepages_in_node[MAX_NUMNODES];
	unsigned long *last_mhp;
};

/*
 * Models: hugetlb_hstate_alloc_pages() and hugetlb_hstate_alloc_pages_onenode(): the boot-time
 * pool of @h, max_huge_pages cut to what came (with the kernel's warning).
 */
static void hugetlb_hstate_alloc_pages(struct kmm_kernel *k, struct hstate *h)
{
	nodemask_t mem = nodes_with_memory(k), noretry = {0};
	bool node_specific = false;
	unsigned long i;
	char buf[32];

	if (!h->max_huge_pages)
		return;
	size_string(huge_page_size(h), buf, sizeof(buf));
	for (int nid = 0; nid < MAX_NUMNODES; nid++) {
		if (!h->max_huge_pages_node[nid])
			continue;
		node_specific = true;
		for (i = 0; i < h->max_huge_pages_node[nid]; i++) {
			struct page *page = alloc_fresh_huge_page(
				k, h, htlb_alloc_mask(h) | __GFP_THISNODE, nid, NULL);

			if (!page)
				break;
			free_huge_page(k, page); /* into the pool */
		}
		if (i == h->max_huge_pages_node[nid])
			continue;
		env_printk(k->env,
			   "HugeTLB: allocating %lu of page size %s failed node%d.  Only allocated "
			   "%lu hugepages.\n",
			   h->max_huge_pages_node[nid], buf, nid, i);
		h->max_huge_pages -= h->max_huge_pages_node[nid] - i;
		h->max_huge_pages_node[nid] = i;
	}
	if (node_specific)
		return;
	for (i = 0; i < h->max_huge_pages; i++)
		if (!alloc_pool_huge_page(k, h, &mem, hstate_is_gigantic(h) ? NULL : &noretry))
			break;
	if (i < h->max_huge_pages) {
		env_printk(k->env,
			   "HugeTLB: allocating %lu of page size %s failed.  Only allocated %lu "
			   "hugepages.\n",
			   h->max_huge_pages, buf, i);
		h->max_huge_pages = i;
	}
}

/* Models: hugepagesz_setup(). */
static void hugepagesz_setup(struct kmm_kernel *k, struct hugetlb_parse *ps, const char *s)
{
	struct hugetlb_state *hs = k->hugetlb;
	unsigned long size = memparse(s, NULL);
	struct hstate *h;

	ps->parsed_valid_hugepagesz = false;
	if (!arch_hugetlb_valid_size(size)) {
		env_printk(k->env, "HugeTLB: unsupported hugepagesz=%s\n", s);
		return;
	}
	h = size_to_hstate(k, size);
	if (h) {
		if (!ps->parsed_default_hugepagesz || h != default_hstate(k) ||
		    default_hstate(k)->max_huge_pages) {
			env_printk(k->env, "HugeTLB: hugepagesz=%s specified twice, ignoring\n", s);
			return;
		}
		ps->parsed_hstate = h;
		ps->parsed_valid_hugepagesz = true;
		return;
	}
	ps->parsed_hstate = hugetlb_add_hstate(hs, (unsigned int)__builtin_ctzl(size) - PAGE_SHIFT);
	ps->parsed_valid_hugepagesz = true;
}

/* Models: default_hugepagesz_setup(). */
static void default_hugepagesz_setup(struct kmm_kernel *k, struct hugetlb_parse *ps, const char *s)
{
	struct hugetlb_state *hs = k->hugetlb;
	unsigned long size;
	struct hstate *h;

	ps->parsed_valid_hugepagesz = false;
	if (ps->parsed_default_hugepagesz) {
		env_printk(k->env,
			   "HugeTLB: default_hugepagesz previously specified, ignoring %s\n", s);
		return;
	}
	size = memparse(s, NULL);
	if (!arch_hugetlb_valid_size(size)) {
		env_printk(k->env, "HugeTLB: unsupported default_hugepagesz=%s\n", s);
		return;
	}
	ps->parsed_hstate = hugetlb_add_hstate(hs, (unsigned int)__builtin_ctzl(size) - PAGE_SHIFT);
	ps->parsed_valid_hugepagesz = true;
	ps->parsed_default_hugepagesz = true;
	hs->default_hstate_idx = (int)(size_to_hstate(k, size) - hs->hstates);
	h = default_hstate(k);
	if (ps->default_hstate_max_huge_pages) {
		h->max_huge_pages = ps->default_hstate_max_huge_pages;
		memcpy(h->max_huge_pages_node, ps->default_hugepages_in_node,
		       sizeof(h->max_huge_pages_node));
		if (hstate_is_gigantic(h))
			hugetlb_hstate_alloc_pages(k, h);
		ps->default_hstate_max_huge_pages = 0;
	}
}

/* Models: hugepages_clear_pages_in_node(). */
static void hugepages_clear_pages_in_node(struct hugetlb_state *hs, struct hugetlb_parse *ps)
{
	if (!ps->parsed_hstate || !hs->hugetlb_max_hstate) {
		ps->default_hstate_max_huge_pages = 0;
		memset(ps->default_hugepages_in_node, 0, sizeof(ps->default_hugepages_in_node));
	} else {
		ps->parsed_hstate->max_huge_pages = 0;
		memset(ps->parsed_hstate->max_huge_pages_node, 0,
		       sizeof(ps->parsed_hstate->max_huge_pages_node));
	}
}

/* One unsigned decimal as sscanf("%lu%n") reads it; false if none. */
static bool scan_ulong(const char *p, unsigned long *v, int *count)
{
	char *end;

	if (!((*p >= '0' && *p <= '9') || *p == '+' || *p == ' '))
		return false;
	*v = strtoul(p, &end, 10);
	if (end == p)
		return false;
	*count = (int)(end - p);
	return true;
}

/* Models: hugepages_setup(), with the "N" and "node:N,node:N" forms. */
static void hugepages_setup(struct kmm_kernel *k, struct hugetlb_parse *ps, const char *s)
{
	struct hugetlb_state *hs = k->hugetlb;
	nodemask_t mem = nodes_with_memory(k);
	unsigned long *mhp, tmp;
	const char *p = s;
	int count;

	if (!ps->parsed_valid_hugepagesz) {
		env_printk(k->env,
			   "HugeTLB: hugepages=%s does not follow a valid hugepagesz, ignoring\n",
			   s);
		ps->parsed_valid_hugepagesz = true;
		return;
	}
	mhp = !hs->hugetlb_max_hstate ? &ps->default_hstate_max_huge_pages
				      : &ps->parsed_hstate->max_huge_pages;
	if (mhp == ps->last_mhp) {
		env_printk(k->env,
			   "HugeTLB: hugepages= specified twice without interleaving hugepagesz=, "
			   "ignoring hugepages=%s\n",
			   s);
		return;
	}
	while (*p) {
		if (!scan_ulong(p, &tmp, &count))
			goto invalid;
		if (p[count] == ':') {
			int node;

			if (tmp >= MAX_NUMNODES || !node_isset((int)tmp, &mem))
				goto invalid;
			node = (int)tmp;
			p += count + 1;
			if (!scan_ulong(p, &tmp, &count))
				goto invalid;
			if (!hs->hugetlb_max_hstate)
				ps->default_hugepages_in_node[node] = tmp;
			else
				ps->parsed_hstate->max_huge_pages_node[node] = tmp;
			*mhp += tmp;
			if (p[count] != ',')
				break;
			p += count + 1;
		} else {
			if (p != s)
				goto invalid;
			*mhp = tmp;
			break;
		}
	}
	if (hs->hugetlb_max_hstate && hstate_is_gigantic(ps->parsed_hstate))
		hugetlb_hstate_alloc_pages(k, ps->parsed_hstate);
	ps->last_mhp = mhp;
	return;
invalid:
	env_printk(k->env, "HugeTLB: Invalid hugepages parameter %s\n", p);
	hugepages_clear_pages_in_node(hs, ps);
}

/* Replays the hugetlb words of the command line (k->params.hugetlb) through the handlers. */
static void hugetlb_parse_cmdline(struct kmm_kernel *k, struct hugetlb_parse *ps)
{
	char word[KMM_CMDLINE_MAX];
	const char *s = k->params.hugetlb;

	while (*s == ' ') {
		size_t n = strcspn(s + 1, " ");
		char *eq;

		snprintf(word, sizeof(word), "%.*s", (int)n, s + 1);
		s += n + 1;
		eq = strchr(word, '=');
		if (!eq)
			continue;
		*eq = 0;
		if (strcmp(word, "hugepagesz") == 0)
			hugepagesz_setup(k, ps, eq + 1);
		else if (strcmp(word, "default_hugepagesz") == 0)
			default_hugepagesz_setup(k, ps, eq + 1);
		else
			hugepages_setup(k, ps, eq + 1);
	}
}

/* Models: report_hugepages(). */
static void report_hugepages(struct kmm_kernel *k)
{
	struct hstate *h;
	char buf[32];

	for_each_hstate(k->hugetlb, h)
	{
		size_string(huge_page_size(h), buf, sizeof(buf));
		env_printk(k->env, "HugeTLB: registered %s page size, pre-allocated %lu pages\n",
			   buf, h->free_huge_pages);
		env_printk(k->env, "HugeTLB: 0 KiB vmemmap can be freed for a %s page\n", buf);
	}
}

/*
 * The command line's handlers (early params in the kernel), arm64's hugetlbpage_init()
 * (arch_initcall) and hugetlb_init() (subsys_initcall), in that order.
 * Deviation: the handlers run here, not while the command line is parsed, so their messages
 *         come with hugetlb_init's; boot-time gigantic pages come from alloc_contig_pages()
 *         (the kernel takes them from memblock; on a fresh machine the result is the same).
 */
int hugetlb_init(struct kmm_kernel *k)
{
	struct hugetlb_state *hs = env_alloc(k->env, sizeof(*hs));
	struct hugetlb_parse ps = {.parsed_valid_hugepagesz = true};
	struct hstate *h;

	if (!hs)
		return -ENOMEM;
	memset(hs, 0, sizeof(*hs));
	INIT_LIST_HEAD(&hs->files);
	k->hugetlb = hs;
	hugetlb_parse_cmdline(k, &ps);
	/* arm64 hugetlbpage_init(): PUD (pud_sect_supported), CONT_PMD, PMD, CONT_PTE */
	hugetlb_add_hstate(hs, PUD_ORDER);
	hugetlb_add_hstate(hs, CONT_PMD_ORDER);
	hugetlb_add_hstate(hs, PMD_ORDER);
	hugetlb_add_hstate(hs, CONT_PTE_ORDER);
	/* hugetlb_init(): HPAGE_SIZE is the default unless default_hugepagesz= said otherwise */
	if (!ps.parsed_default_hugepagesz) {
		hs->default_hstate_idx =
			(int)(size_to_hstate(k, PAGE_SIZE << PMD_ORDER) - hs->hstates);
		h = default_hstate(k);
		if (ps.default_hstate_max_huge_pages) {
			char buf[32];

			size_string(huge_page_size(h), buf, sizeof(buf));
			if (h->max_huge_pages) {
				env_printk(
					k->env,
					"HugeTLB: Ignoring hugepages=%lu associated with %s page "
					"size\n",
					h->max_huge_pages, buf);
				env_printk(
					k->env,
					"HugeTLB: Using hugepages=%lu for number of default huge "
					"pages\n",
					ps.default_hstate_max_huge_pages);
			}
			h->max_huge_pages = ps.default_hstate_max_huge_pages;
			memcpy(h->max_huge_pages_node, ps.default_hugepages_in_node,
			       sizeof(h->max_huge_pages_node));
		}
	}
	/* hugetlb_init_hstates(): the boot-time pools of the buddy sizes, then demote orders */
	for_each_hstate(hs, h) if (!hstate_is_gigantic(h)) hugetlb_hstate_alloc_pages(k, h);
	hugetlb_init_demote(hs);
	report_hugepages(k);
	return 0;
}

void hugetlb_exit(struct kmm_kernel *k)
{
	env_free(k->env, k->hugetlb);
	k->hugetlb = NULL;
}

/* ---- mappings: the hugetlbfs file, reservations ------------------------------------------ */

/* The private-data flags of a hugetlb VMA (vma_resv_map's low bits in the kernel). */
#define HPAGE_RESV_OWNER    (1UL << 0)
#define HPAGE_RESV_UNMAPPED (1UL << 1)

/*
 * Models: struct resv_map, as a bitmap over the file's huge page indices. For a shared file
 * (the inode's map) a set bit is a page reserved or present; for a private mapping (the
 * owner's map) a set bit is a page whose reservation a fault consumed.
 */
struct resv_map {
	int refs;
	unsigned long nr;    /* indices [0, nr) */
	unsigned long *bits; /* BITS_TO_LONGS(nr) words */
};

/* The hugetlbfs inode of one anonymous MAP_HUGETLB mapping (hugetlb_file_setup). */
struct hugetlb_file {
	int refs; /* VMAs' private data holding it, and the caller of setup */
	struct hstate *h;
	unsigned long nr;      /* i_size in huge pages */
	struct page **pages;   /* the page cache of a shared mapping, by index */
	unsigned long nrpages; /* pages cached */
	struct resv_map *resv; /* the inode's map (shared mappings) */
	struct list_head list; /* on hugetlb_state's files, for the check */
};

/* vm_private_data of a hugetlb VMA; a split shares it (one reference per VMA). */
struct hugetlb_vma {
	int refs;
	struct hugetlb_file *hf;
	struct resv_map *resv;	   /* private owner: the consumed reservations */
	unsigned long flags;	   /* HPAGE_RESV_OWNER, HPAGE_RESV_UNMAPPED */
	struct hugetlb_vma *spare; /* hugetlb_mremap_prepare's, for clear_vma_resv_huge_pages */
};

#define BITS_PER_WORD (8 * sizeof(unsigned long))

static struct resv_map *resv_map_alloc(struct kmm_kernel *k, unsigned long nr)
{
	struct resv_map *m = env_alloc(k->env, sizeof(*m));
	size_t words = (nr + BITS_PER_WORD - 1) / BITS_PER_WORD;

	if (!m)
		return NULL;
	m->bits = env_alloc(k->env, (words ? words : 1) * sizeof(unsigned long));
	if (!m->bits) {
		env_free(k->env, m);
		return NULL;
	}
	memset(m->bits, 0, (words ? words : 1) * sizeof(unsigned long));
	m->refs = 1;
	m->nr = nr;
	return m;
}

static void resv_map_put(struct kmm_kernel *k, struct resv_map *m)
{
	if (!m || --m->refs)
		return;
	env_free(k->env, m->bits);
	env_free(k->env, m);
}

static bool resv_test(const struct resv_map *m, unsigned long i)
{
	return m->bits[i / BITS_PER_WORD] >> (i % BITS_PER_WORD) & 1;
}

/* Models: region_count(): indices of [@f, @t) in the map. */
static long region_count(const struct resv_map *m, unsigned long f, unsigned long t)
{
	long n = 0;

	for (unsigned long i = f; i < t && i < m->nr; i++)
		n += resv_test(m, i);
	return n;
}

/* Models: region_chg(): indices of [@f, @t) not in the map (what region_add would add). */
static long region_chg(const struct resv_map *m, unsigned long f, unsigned long t)
{
	return (long)(t - f) - region_count(m, f, t);
}

/* Models: region_add(): puts [@f, @t) in the map; returns how many were not in it. */
static long region_add(struct resv_map *m, unsigned long f, unsigned long t)
{
	long added = region_chg(m, f, t);

	for (unsigned long i = f; i < t && i < m->nr; i++)
		m->bits[i / BITS_PER_WORD] |= 1UL << (i % BITS_PER_WORD);
	return added;
}

/* Models: region_del(): takes [@f, @t) out of the map; returns how many were in it. */
static long region_del(struct resv_map *m, unsigned long f, unsigned long t)
{
	long del = region_count(m, f, t);

	for (unsigned long i = f; i < t && i < m->nr; i++)
		m->bits[i / BITS_PER_WORD] &= ~(1UL << (i % BITS_PER_WORD));
	return del;
}

static inline struct hugetlb_vma *hvma(const struct vm_area_struct *vma)
{
	return vma->vm_private_data;
}

/* Models: hstate_vma(). */
static inline struct hstate *hstate_vma(const struct vm_area_struct *vma)
{
	return hvma(vma)->hf->h;
}

static inline unsigned int huge_page_shift(const struct hstate *h)
{
	return h->order + PAGE_SHIFT;
}

static inline unsigned long huge_page_mask(const struct hstate *h)
{
	return ~(huge_page_size(h) - 1);
}

/* Models: vma_hugecache_offset(): the file index of the huge page at @address. */
static unsigned long vma_hugecache_offset(const struct hstate *h, const struct vm_area_struct *vma,
					  unsigned long address)
{
	return ((address - vma->vm_start) >> huge_page_shift(h)) +
	       (vma->vm_pgoff >> huge_page_order(h));
}

static bool is_vma_resv_set(const struct vm_area_struct *vma, unsigned long flag)
{
	return (hvma(vma)->flags & flag) != 0;
}

/* Models: alloc_surplus_huge_page(): a fresh page beyond the pool, within the overcommit. */
static struct page *alloc_surplus_huge_page(struct kmm_kernel *k, struct hstate *h, int nid)
{
	nodemask_t allowed = nodes_with_memory(k);
	struct page *page = NULL;

	if (hstate_is_gigantic(h) || h->surplus_huge_pages >= h->nr_overcommit_huge_pages)
		return NULL;
	for (int n = nodes_weight(&allowed); n > 0 && !page; n--) {
		nid = get_valid_node_allowed(nid, &allowed);
		page = alloc_fresh_huge_page(k, h, htlb_alloc_mask(h) | __GFP_THISNODE, nid, NULL);
		nid = next_node_allowed(nid, &allowed);
	}
	if (!page)
		return NULL;
	h->surplus_huge_pages++;
	h->surplus_huge_pages_node[page_to_nid(page)]++;
	return page;
}

/*
 * Models: gather_surplus_pages(): makes the free pool cover @delta more reserved pages,
 * allocating surplus pages as needed (and the overcommit allows). 0 or -ENOMEM.
 */
static int gather_surplus_pages(struct kmm_kernel *k, struct hstate *h, long delta)
{
	long needed = (long)(h->resv_huge_pages + (unsigned long)delta) - (long)h->free_huge_pages;
	struct list_head surplus;
	long allocated = 0;
	int ret = -ENOMEM;

	if (needed <= 0) {
		h->resv_huge_pages += (unsigned long)delta;
		return 0;
	}
	INIT_LIST_HEAD(&surplus);
	for (; allocated < needed; allocated++) {
		struct page *page = alloc_surplus_huge_page(k, h, numa_node_id(k));

		if (!page)
			break;
		list_add(&page->lru, &surplus);
	}
	if (allocated == needed) {
		h->resv_huge_pages += (unsigned long)delta;
		ret = 0;
	}
	while (!list_empty(&surplus)) {
		struct page *page = list_first_entry(&surplus, struct page, lru);

		list_del(&page->lru);
		INIT_LIST_HEAD(&page->lru);
		if (ret == 0)
			enqueue_huge_page(h, page); /* into the pool, reserved */
		else
			free_huge_page(k, page); /* surplus: back to the buddy allocator */
	}
	return ret;
}

/* Models: return_unused_surplus_pages(): @unused reservations end; surplus pages go back. */
static void return_unused_surplus_pages(struct kmm_kernel *k, struct hstate *h,
					unsigned long unused)
{
	nodemask_t allowed = nodes_with_memory(k);
	unsigned long nr = unused < h->surplus_huge_pages ? unused : h->surplus_huge_pages;

	h->resv_huge_pages -= unused;
	if (hstate_is_gigantic(h))
		return;
	while (nr--) {
		struct page *page = remove_pool_huge_page(h, &allowed, true);

		if (!page)
			break;
		update_and_free_page(k, h, page);
	}
}

/*
 * Models: hugetlb_acct_memory(): @delta > 0 reserves that many pages (gathering surplus
 * pages; -ENOMEM if the pool cannot cover them), < 0 releases.
 */
static int hugetlb_acct_memory(struct kmm_kernel *k, struct hstate *h, long delta)
{
	if (delta > 0) {
		if (gather_surplus_pages(k, h, delta) < 0)
			return -ENOMEM;
		if ((unsigned long)delta > h->free_huge_pages) { /* allowed_mems_nr: every node */
			return_unused_surplus_pages(k, h, (unsigned long)delta);
			return -ENOMEM;
		}
	} else if (delta < 0) {
		return_unused_surplus_pages(k, h, (unsigned long)-delta);
	}
	return 0;
}

/* Models: hstate_sizelog(): the hstate of 1 << @log bytes; 0: the default. NULL if none. */
static struct hstate *hstate_sizelog(const struct kmm_kernel *k, unsigned long log)
{
	if (!k->hugetlb)
		return NULL;
	if (!log)
		return default_hstate(k);
	if (log >= 64)
		return NULL;
	return size_to_hstate(k, 1UL << log);
}

struct hugetlb_file *hugetlb_file_setup(struct kmm_kernel *k, unsigned long *len,
					unsigned long flags, int *err)
{
	struct hstate *h = hstate_sizelog(k, (flags >> MAP_HUGE_SHIFT) & MAP_HUGE_MASK);
	struct hugetlb_file *hf;

	*err = -EINVAL;
	if (!h)
		return NULL;
	if (*len > TASK_SIZE)
		return *err = -ENOMEM, NULL;
	*len = (*len + huge_page_size(h) - 1) & huge_page_mask(h);
	*err = -ENOMEM;
	hf = env_alloc(k->env, sizeof(*hf));
	if (!hf)
		return NULL;
	memset(hf, 0, sizeof(*hf));
	hf->refs = 1;
	hf->h = h;
	hf->nr = *len >> huge_page_shift(h);
	hf->resv = resv_map_alloc(k, hf->nr);
	if (!hf->resv) {
		env_free(k->env, hf);
		return NULL;
	}
	list_add_tail(&hf->list, &k->hugetlb->files);
	*err = 0;
	return hf; /* acctflag VM_NORESERVE: the mmap reserves */
}

/*
 * Models: hugetlbfs_evict_inode() -> remove_inode_hugepages() + hugetlb_unreserve_pages():
 * the cached pages lose the page cache's reference, the reservations left are returned.
 */
void hugetlb_file_put(struct kmm_kernel *k, struct hugetlb_file *hf)
{
	long freed = 0, chg;

	if (!hf || --hf->refs)
		return;
	for (unsigned long i = 0; hf->pages && i < hf->nr; i++) {
		struct page *page = hf->pages[i];

		if (!page)
			continue;
		hf->pages[i] = NULL;
		hf->nrpages--;
		page->mapping = NULL;
		put_page(k, page); /* free_huge_page: back to the pool */
		freed++;
	}
	chg = region_del(hf->resv, 0, hf->nr);
	hugetlb_acct_memory(k, hf->h, -(chg - freed));
	list_del(&hf->list);
	resv_map_put(k, hf->resv);
	env_free(k->env, hf->pages);
	env_free(k->env, hf);
}

unsigned long hugetlb_get_unmapped_area(struct mm_struct *mm, struct hugetlb_file *hf,
					unsigned long addr, unsigned long len, unsigned long flags)
{
	struct hstate *h = hf->h;
	struct vm_unmapped_area_info info;
	unsigned long ret;

	if (len & ~huge_page_mask(h))
		return (unsigned long)-EINVAL;
	if (len > TASK_SIZE)
		return (unsigned long)-ENOMEM;
	if (flags & MAP_FIXED) { /* prepare_hugepage_range, then get_unmapped_area's checks */
		if (addr & ~huge_page_mask(h))
			return (unsigned long)-EINVAL;
		if (addr > TASK_SIZE - len)
			return (unsigned long)-ENOMEM;
		if (addr < (unsigned long)mm->kernel->sysctl_mmap_min_addr)
			return (unsigned long)-EPERM;
		return addr;
	}
	if (addr) {
		struct vm_area_struct *vma;

		addr = (addr + huge_page_size(h) - 1) & huge_page_mask(h);
		vma = find_vma(mm, addr);
		if (TASK_SIZE - len >= addr && (!vma || addr + len <= vm_start_gap(vma)))
			return addr;
	}
	/* hugetlb_get_unmapped_area_topdown, then bottom-up */
	info.flags = VM_UNMAPPED_AREA_TOPDOWN;
	info.length = len;
	info.low_limit = PAGE_SIZE > (unsigned long)mm->kernel->sysctl_mmap_min_addr
				 ? PAGE_SIZE
				 : (unsigned long)mm->kernel->sysctl_mmap_min_addr;
	info.high_limit = mm->mmap_base;
	info.align_mask = PAGE_MASK & ~huge_page_mask(h);
	info.align_offset = 0;
	ret = vm_unmapped_area(mm, &info);
	if (offset_in_page(ret)) {
		info.flags = 0;
		info.low_limit = TASK_UNMAPPED_BASE;
		info.high_limit = TASK_SIZE;
		ret = vm_unmapped_area(mm, &info);
	}
	return ret;
}

/* Models: hugetlb_vm_op_open(): a split shares the private data (and the reservation). */
static void hugetlb_vm_op_open(struct vm_area_struct *vma)
{
	hvma(vma)->refs++;
}

/*
 * Models: hugetlb_vm_op_close(): an owner's reservations for this VMA's range that no fault
 * consumed are returned; the last VMA drops the map and the file.
 */
static void hugetlb_vm_op_close(struct vm_area_struct *vma)
{
	struct kmm_kernel *k = vma->vm_mm->kernel;
	struct hugetlb_vma *hv = hvma(vma);
	struct hstate *h = hv->hf->h;

	if (hv->resv && (hv->flags & HPAGE_RESV_OWNER)) {
		unsigned long start = vma_hugecache_offset(h, vma, vma->vm_start);
		unsigned long end = vma_hugecache_offset(h, vma, vma->vm_end);
		long reserve = (long)(end - start) - region_count(hv->resv, start, end);

		if (reserve)
			hugetlb_acct_memory(k, h, -reserve);
	}
	if (--hv->refs)
		return;
	resv_map_put(k, hv->resv);
	hugetlb_file_put(k, hv->hf);
	env_free(k->env, hv->spare);
	env_free(k->env, hv);
	vma->vm_private_data = NULL;
}

/* Models: hugetlb_vm_op_split(): only at a huge page boundary. */
static int hugetlb_vm_op_split(struct vm_area_struct *vma, unsigned long addr)
{
	return (addr & ~huge_page_mask(hstate_vma(vma))) ? -EINVAL : 0;
}

static const struct vm_operations_struct hugetlb_vm_ops = {
	.open = hugetlb_vm_op_open,
	.close = hugetlb_vm_op_close,
	.may_split = hugetlb_vm_op_split,
};

/*
 * Models: hugetlb_reserve_pages(): reserves the huge pages [@from, @to) of @hv's file for
 * @vma. Shared: the inode's map says what is reserved already; private: the VMA gets its own
 * map and owns the whole range. 0 or -ENOMEM (nothing reserved).
 */
static int hugetlb_reserve_pages(struct kmm_kernel *k, struct hugetlb_vma *hv, unsigned long from,
				 unsigned long to, vm_flags_t vm_flags)
{
	struct hstate *h = hv->hf->h;
	struct resv_map *resv;
	long chg;

	if (vm_flags & VM_NORESERVE)
		return 0;
	if (vm_flags & VM_MAYSHARE) {
		resv = hv->hf->resv;
		chg = region_chg(resv, from, to);
	} else {
		resv = resv_map_alloc(k, hv->hf->nr);
		if (!resv)
			return -ENOMEM;
		chg = (long)(to - from);
		hv->resv = resv;
		hv->flags |= HPAGE_RESV_OWNER;
	}
	if (hugetlb_acct_memory(k, h, chg) < 0) {
		if (!(vm_flags & VM_MAYSHARE)) {
			resv_map_put(k, resv);
			hv->resv = NULL;
			hv->flags &= ~HPAGE_RESV_OWNER;
		}
		return -ENOMEM;
	}
	if (vm_flags & VM_MAYSHARE)
		region_add(resv, from, to);
	return 0;
}

int hugetlb_file_mmap(struct hugetlb_file *hf, struct vm_area_struct *vma)
{
	struct kmm_kernel *k = vma->vm_mm->kernel;
	struct hstate *h = hf->h;
	struct hugetlb_vma *hv;
	unsigned long from, to;
	int err;

	if (vma->vm_pgoff & (~huge_page_mask(h) >> PAGE_SHIFT))
		return -EINVAL;
	from = vma->vm_pgoff >> huge_page_order(h);
	to = from + ((vma->vm_end - vma->vm_start) >> huge_page_shift(h));
	if (to > hf->nr)
		return -EINVAL; /* the anonymous file is exactly the mapping's length */
	hv = env_alloc(k->env, sizeof(*hv));
	if (!hv)
		return -ENOMEM;
	memset(hv, 0, sizeof(*hv));
	if ((vma->vm_flags & VM_MAYSHARE) && !hf->pages) {
		hf->pages = env_alloc(k->env, hf->nr * sizeof(*hf->pages));
		if (!hf->pages) {
			env_free(k->env, hv);
			return -ENOMEM;
		}
		memset(hf->pages, 0, hf->nr * sizeof(*hf->pages));
	}
	hv->hf = hf;
	err = hugetlb_reserve_pages(k, hv, from, to, vma->vm_flags);
	if (err) {
		env_free(k->env, hv);
		return err;
	}
	hv->refs = 1;
	hf->refs++;
	vma->vm_flags |= VM_HUGETLB | VM_DONTEXPAND;
	vma->vm_ops = &hugetlb_vm_ops;
	vma->vm_private_data = hv;
	return 0;
}

void hugetlb_vma_abort(struct vm_area_struct *vma)
{
	if (vma->vm_private_data)
		hugetlb_vm_op_close(vma);
}

int hugetlb_dup_vma_private(struct vm_area_struct *vma)
{
	struct kmm_kernel *k = vma->vm_mm->kernel;
	struct hugetlb_vma *old = hvma(vma), *hv = env_alloc(k->env, sizeof(*hv));

	if (!hv)
		return -ENOMEM;
	memset(hv, 0, sizeof(*hv));
	hv->hf = old->hf;
	hv->hf->refs++;
	vma->vm_private_data = hv; /* refs 0: the fork's open() takes the VMA's */
	return 0;
}

unsigned long vma_kernel_pagesize(const struct vm_area_struct *vma)
{
	return is_vm_hugetlb_page(vma) && hvma(vma) ? huge_page_size(hstate_vma(vma)) : PAGE_SIZE;
}

int hugetlb_mremap_check(const struct vm_area_struct *vma, unsigned long addr,
			 unsigned long *old_len, unsigned long *new_len, unsigned long new_addr)
{
	const struct hstate *h = hstate_vma(vma);

	*old_len = (*old_len + huge_page_size(h) - 1) & huge_page_mask(h);
	*new_len = (*new_len + huge_page_size(h) - 1) & huge_page_mask(h);
	if ((addr & ~huge_page_mask(h)) || (new_addr & ~huge_page_mask(h)))
		return -EINVAL;
	if (*new_len > *old_len)
		return -EINVAL; /* no expansion: reservations cannot be split */
	return 0;		/* a move goes through move_hugetlb_page_tables */
}

/* ---- mappings: descriptors ---------------------------------------------------------------- */

/*
 * arm64's huge entries (arch/arm64/mm/hugetlbpage.c): the first descriptor of the huge page
 * and how many there are (16 for the contiguous sizes), each @stride pages after the last.
 */
struct huge_ptes {
	uint64_t *first;
	unsigned int n;
	unsigned long stride; /* pages each descriptor maps */
	int level;	      /* 1 (PUD), 2 (PMD), 3 (PTE) */
};

static void huge_geometry(const struct hstate *h, struct huge_ptes *hp)
{
	switch (h->order) {
	case PUD_ORDER:
		*hp = (struct huge_ptes){NULL, 1, 1UL << PUD_ORDER, 1};
		break;
	case CONT_PMD_ORDER:
		*hp = (struct huge_ptes){NULL, CONT_PMDS, 1UL << PMD_ORDER, 2};
		break;
	case PMD_ORDER:
		*hp = (struct huge_ptes){NULL, 1, 1UL << PMD_ORDER, 2};
		break;
	default:
		*hp = (struct huge_ptes){NULL, CONT_PTES, 1, 3};
		break;
	}
}

/*
 * Models: huge_pte_offset(): the first descriptor of the huge page at @addr (aligned) in
 * @mm's tables, or NULL when the tables above it are missing. Nothing is allocated.
 */
static bool huge_pte_offset(const struct mm_struct *mm, const struct hstate *h, unsigned long addr,
			    struct huge_ptes *hp)
{
	const struct kmm_kernel *k = mm->kernel;
	p4d_t *p4dp = p4d_offset(pgd_offset_pgd(k, mm->pgd, addr), addr);
	pud_t *pudp;
	pmd_t *pmdp;

	huge_geometry(h, hp);
	hp->first = NULL;
	if (p4d_none(*p4dp))
		return false;
	pudp = pud_offset(k, p4dp, addr);
	if (hp->level == 1) {
		hp->first = (uint64_t *)pudp;
		return true;
	}
	if (!pud_table(*pudp))
		return false;
	pmdp = pmd_offset(k, pudp, addr);
	if (hp->level == 2) {
		hp->first = (uint64_t *)pmdp;
		return true;
	}
	if (!pmd_table(*pmdp))
		return false;
	hp->first = (uint64_t *)pte_offset_kernel(k, pmdp, addr);
	return true;
}

/* Models: huge_pte_alloc(): the same, allocating the tables down to the descriptor's level. */
static bool huge_pte_alloc(struct mm_struct *mm, const struct hstate *h, unsigned long addr,
			   struct huge_ptes *hp)
{
	huge_geometry(h, hp);
	if (hp->level == 1)
		hp->first = (uint64_t *)mm_pud_alloc(mm, addr);
	else if (hp->level == 2)
		hp->first = (uint64_t *)mm_pmd_alloc(mm, addr);
	else
		hp->first = mm_pte_alloc(mm, addr);
	return hp->first != NULL;
}

/* Models: huge_ptep_get(): the first descriptor, with the dirty and young bits of all. */
static pte_t huge_ptep_get(const struct huge_ptes *hp)
{
	pte_t pte = __pte(hp->first[0]);

	for (unsigned int i = 1; i < hp->n && pte_valid(pte); i++) {
		pte_t e = __pte(hp->first[i]);

		if (pte_dirty(e))
			pte = pte_mkdirty(pte);
		if (pte_young(e))
			pte = pte_mkyoung(pte);
	}
	return pte;
}

/* The head page the huge entry @pte maps (its address is the first descriptor's). */
static struct page *huge_pte_page(const struct kmm_kernel *k, pte_t pte)
{
	return pfn_to_page(k, pte_pfn(pte));
}

/*
 * Models: set_huge_pte_at(): writes the huge page's descriptors, each with its own output
 * address (the contiguous sizes: 16 descriptors, @stride pages apart). The entry must be
 * invalid before (a new mapping, or after a clear and flush: break-before-make).
 */
static void set_huge_pte_at(const struct huge_ptes *hp, pte_t pte)
{
	unsigned long pfn = pte_pfn(pte);
	uint64_t prot = pte_val(pte) & ~PTE_ADDR_MASK;

	for (unsigned int i = 0; i < hp->n; i++, pfn += hp->stride)
		hp->first[i] = ((uint64_t)pfn << PAGE_SHIFT) | prot;
}

/* Models: huge_ptep_get_and_clear(): clears every descriptor; returns the gathered entry. */
static pte_t huge_ptep_get_and_clear(const struct huge_ptes *hp)
{
	pte_t pte = huge_ptep_get(hp);

	for (unsigned int i = 0; i < hp->n; i++)
		hp->first[i] = 0;
	return pte;
}

/* Models: flush_hugetlb_tlb_range(): stride and level by the huge page size. */
static void flush_hugetlb_tlb_range(struct vm_area_struct *vma, unsigned long start,
				    unsigned long end)
{
	struct kmm_kernel *k = vma->vm_mm->kernel;
	unsigned long stride = huge_page_size(hstate_vma(vma));

	if (stride == PMD_SIZE)
		__flush_tlb_range(k, vma, start, end, stride, false, 2);
	else if (stride == PUD_SIZE)
		__flush_tlb_range(k, vma, start, end, stride, false, 1);
	else
		__flush_tlb_range(k, vma, start, end, PAGE_SIZE, false, 0);
}

/* Models: huge_ptep_clear_flush(): break-before-make's first half. */
static pte_t huge_ptep_clear_flush(struct vm_area_struct *vma, unsigned long addr,
				   const struct huge_ptes *hp)
{
	pte_t pte = huge_ptep_get_and_clear(hp);

	flush_hugetlb_tlb_range(vma, addr, addr + huge_page_size(hstate_vma(vma)));
	return pte;
}

/*
 * Models: make_huge_pte() with arm64's arch_make_huge_pte(): a block (PMD, PUD) or a
 * contiguous page/block (64 KiB, 32 MiB) descriptor for @page, young.
 */
static pte_t make_huge_pte(const struct kmm_kernel *k, const struct vm_area_struct *vma,
			   const struct page *page, bool writable)
{
	const struct hstate *h = hstate_vma(vma);
	pte_t entry = mk_pte(k, page, __pgprot(vma->vm_page_prot));

	entry = writable ? pte_mkwrite(pte_mkdirty(entry)) : pte_wrprotect(entry);
	entry = pte_mkhuge(pte_mkyoung(entry));
	if (h->order == CONT_PTE_ORDER)
		entry = pte_mkcont(entry);
	else if (h->order == CONT_PMD_ORDER)
		entry = __pte(pte_val(entry) | PMD_SECT_CONT);
	return entry;
}

/* ---- mappings: rmap, allocation, faults -------------------------------------------------- */

/* Models: hugetlb_count_add() / hugetlb_count_sub(): mm->hugetlb_usage (HugetlbPages). */
static void hugetlb_count_add(long pages, struct mm_struct *mm)
{
	mm->hugetlb_usage += pages;
}

static void hugetlb_count_sub(long pages, struct mm_struct *mm)
{
	mm->hugetlb_usage -= pages;
}

/* Models: hugepage_add_new_anon_rmap(): the first (entire) mapping of an exclusive page. */
static void hugepage_add_new_anon_rmap(struct page *page, struct vm_area_struct *vma,
				       unsigned long address)
{
	page[1].compound_mapcount = 0;
	page->mapping = (void *)((uintptr_t)vma->anon_vma | PAGE_MAPPING_ANON);
	page->index = linear_page_index(vma, address);
	SetPageAnonExclusive(page);
}

/* Models: page_dup_file_rmap() / page_remove_rmap() for hugetlb: the entire mapcount. */
static void hugetlb_dup_rmap(struct page *page)
{
	page[1].compound_mapcount++;
}

static void hugetlb_remove_rmap(struct page *page)
{
	page[1].compound_mapcount--;
}

/* Models: vma_has_reserves(). */
static bool vma_has_reserves(const struct vm_area_struct *vma, long chg)
{
	if (vma->vm_flags & VM_NORESERVE)
		return (vma->vm_flags & VM_MAYSHARE) && chg == 0;
	if (vma->vm_flags & VM_MAYSHARE)
		return chg == 0;
	if (is_vma_resv_set(vma, HPAGE_RESV_OWNER))
		return chg == 0;
	return false;
}

/*
 * Models: vma_needs_reservation() / vma_commit_reservation(): 1 if the page at @addr needs
 * a page beyond the reservations, 0 if one is reserved for it. @commit records the fault.
 */
static long vma_reservation(struct vm_area_struct *vma, unsigned long addr, bool commit)
{
	struct hugetlb_vma *hv = hvma(vma);
	const struct hstate *h = hv->hf->h;
	unsigned long idx = vma_hugecache_offset(h, vma, addr);
	struct resv_map *resv = (vma->vm_flags & VM_MAYSHARE) ? hv->hf->resv : hv->resv;
	long ret;

	if (!resv)
		return 1;
	ret = commit ? region_add(resv, idx, idx + 1) : region_chg(resv, idx, idx + 1);
	if (vma->vm_flags & VM_MAYSHARE)
		return ret;
	return ret > 0 ? 0 : 1; /* private: in the map means consumed already */
}

/* Models: dequeue_huge_page_node_exact(): a free page of @nid, now in use (one reference). */
static struct page *dequeue_huge_page_node_exact(struct hstate *h, int nid)
{
	struct page *page;

	if (list_empty(&h->hugepage_freelists[nid]))
		return NULL;
	page = list_first_entry(&h->hugepage_freelists[nid], struct page, lru);
	list_move(&page->lru, &h->hugepage_activelist);
	set_page_count(page, 1);
	HPageClear(page, HPG_freed);
	h->free_huge_pages--;
	h->free_huge_pages_node[nid]--;
	return page;
}

/* Models: dequeue_huge_page_vma(): local node first, then the others in order. */
static struct page *dequeue_huge_page_vma(struct kmm_kernel *k, struct hstate *h,
					  struct vm_area_struct *vma, bool avoid_reserve, long chg)
{
	int nid = numa_node_id(k);
	struct page *page = NULL;

	if (!vma_has_reserves(vma, chg) && h->free_huge_pages - h->resv_huge_pages == 0)
		return NULL;
	if (avoid_reserve && h->free_huge_pages - h->resv_huge_pages == 0)
		return NULL;
	for (int i = 0; i < MAX_NUMNODES && !page; i++)
		page = dequeue_huge_page_node_exact(h, (nid + i) % MAX_NUMNODES);
	if (page && !avoid_reserve && vma_has_reserves(vma, chg)) {
		HPageSet(page, HPG_restore_reserve);
		h->resv_huge_pages--;
	}
	return page;
}

/*
 * Models: alloc_huge_page(): a page for the fault at @addr: from the pool (consuming the
 * reservation when there is one), else a surplus page. NULL: none (the kernel's -ENOSPC).
 */
static struct page *alloc_huge_page(struct vm_area_struct *vma, unsigned long addr,
				    bool avoid_reserve)
{
	struct kmm_kernel *k = vma->vm_mm->kernel;
	struct hstate *h = hstate_vma(vma);
	long chg = vma_reservation(vma, addr, false), gbl_chg = chg;
	struct page *page;

	if (avoid_reserve)
		gbl_chg = 1;
	page = dequeue_huge_page_vma(k, h, vma, avoid_reserve, gbl_chg);
	if (!page) {
		page = alloc_surplus_huge_page(k, h, numa_node_id(k));
		if (!page)
			return NULL;
		if (!avoid_reserve && vma_has_reserves(vma, gbl_chg)) {
			HPageSet(page, HPG_restore_reserve);
			h->resv_huge_pages--;
		}
		list_add(&page->lru, &h->hugepage_activelist);
		set_page_count(page, 1);
	}
	vma_reservation(vma, addr, true);
	return page;
}

/* Models: clear_huge_page(). */
static void clear_huge_page(struct kmm_kernel *k, struct page *page, const struct hstate *h)
{
	env_charge_n(k->env, COST_page_zero, pages_per_huge_page(h));
	arch_phys_zero(&k->hw->phys, PFN_PHYS(page_to_pfn(k, page)),
		       (phys_addr_t)huge_page_size(h));
}

/* Models: copy_user_huge_page(). */
static void copy_user_huge_page(struct kmm_kernel *k, struct page *dst, struct page *src,
				const struct hstate *h)
{
	void *d = page_host(k, dst, huge_page_size(h)), *s = page_host(k, src, huge_page_size(h));

	env_charge_n(k->env, COST_page_copy, pages_per_huge_page(h));
	if (d && s)
		memcpy(d, s, huge_page_size(h));
}

/* Models: set_huge_ptep_writable(): writable, dirty, young; the old entry flushed first. */
static void set_huge_ptep_writable(struct vm_area_struct *vma, unsigned long haddr,
				   const struct huge_ptes *hp)
{
	pte_t entry = huge_ptep_get(hp);

	entry = pte_mkyoung(pte_mkdirty(pte_mkwrite(entry)));
	huge_ptep_clear_flush(vma, haddr, hp);
	set_huge_pte_at(hp, entry);
}

static void unmap_hugepage_range(struct vm_area_struct *vma, unsigned long start, unsigned long end,
				 struct page *ref_page);

/*
 * Models: unmap_ref_private(): the owner of a private mapping could not get a page for its
 * COW: @page leaves every other (non-owner: forked) VMA of the same file, which will take
 * SIGBUS on its next fault there (HPAGE_RESV_UNMAPPED).
 */
static void unmap_ref_private(struct kmm_kernel *k, struct vm_area_struct *vma, struct page *page,
			      unsigned long address)
{
	struct hugetlb_file *hf = hvma(vma)->hf;
	unsigned long pgoff = ((address - vma->vm_start) >> PAGE_SHIFT) + vma->vm_pgoff;
	struct mm_state *ms = k->mm_state;

	for (struct list_head *l = ms->mms.next; l != &ms->mms; l = l->next) {
		struct mm_struct *mm = list_entry(l, struct mm_struct, mmlist);

		for (struct vm_area_struct *v = mm->mmap; v; v = v->vm_next) {
			unsigned long a;

			if (v == vma || !is_vm_hugetlb_page(v) || hvma(v)->hf != hf ||
			    is_vma_resv_set(v, HPAGE_RESV_OWNER) || pgoff < v->vm_pgoff)
				continue;
			a = v->vm_start + ((pgoff - v->vm_pgoff) << PAGE_SHIFT);
			if (a >= v->vm_end || is_vma_resv_set(v, HPAGE_RESV_UNMAPPED))
				continue;
			unmap_hugepage_range(v, a, a + huge_page_size(hf->h), page);
		}
	}
}

/*
 * Models: hugetlb_wp(): a write (or unshare) fault on a read-only huge entry: reuse an
 * exclusive anonymous page, else copy it into a new one. The owner of a private mapping
 * that finds no page takes the page from its children instead (unmap_ref_private).
 */
static vm_fault_t hugetlb_wp(struct mm_struct *mm, struct vm_area_struct *vma,
			     unsigned long address, const struct huge_ptes *hp, unsigned int flags)
{
	struct kmm_kernel *k = mm->kernel;
	struct hstate *h = hstate_vma(vma);
	unsigned long haddr = address & huge_page_mask(h);
	bool unshare = flags & FAULT_FLAG_UNSHARE, outside_reserve, retried = false;
	pte_t pte = huge_ptep_get(hp);
	struct page *old_page = huge_pte_page(k, pte), *new_page;

retry_avoidreserve:
	if (page_mapcount(old_page) == 1 && PageAnon(old_page)) {
		if (!PageAnonExclusive(old_page)) { /* page_move_anon_rmap */
			old_page->mapping = (void *)((uintptr_t)vma->anon_vma | PAGE_MAPPING_ANON);
			SetPageAnonExclusive(old_page);
		}
		if (!unshare)
			set_huge_ptep_writable(vma, haddr, hp);
		return 0;
	}
	outside_reserve = is_vma_resv_set(vma, HPAGE_RESV_OWNER);
	get_page(old_page);
	new_page = alloc_huge_page(vma, haddr, outside_reserve);
	if (!new_page) {
		put_page(k, old_page);
		if (outside_reserve && !retried) { /* once: the children's mappings are gone */
			unmap_ref_private(k, vma, old_page, haddr);
			retried = true;
			goto retry_avoidreserve;
		}
		return VM_FAULT_SIGBUS;
	}
	if (anon_vma_prepare(vma)) {
		put_page(k, new_page);
		put_page(k, old_page);
		return VM_FAULT_OOM;
	}
	copy_user_huge_page(k, new_page, old_page, h);
	HPageClear(new_page, HPG_restore_reserve);
	huge_ptep_clear_flush(vma, haddr, hp);
	hugetlb_remove_rmap(old_page);
	hugepage_add_new_anon_rmap(new_page, vma, haddr);
	set_huge_pte_at(hp, make_huge_pte(k, vma, new_page, !unshare));
	HPageSet(new_page, HPG_migratable);
	put_page(k, old_page); /* the mapping's reference */
	put_page(k, old_page); /* ours */
	return unshare ? 0 : VM_FAULT_WRITE;
}

/*
 * Models: hugetlb_no_page(): no entry yet. A shared mapping finds the page in the file or
 * adds a new one to it; a private one gets a new anonymous page. Zeroed, mapped; a private
 * write maps it writable at once (the kernel's hugetlb_wp without a second fault).
 */
static vm_fault_t hugetlb_no_page(struct mm_struct *mm, struct vm_area_struct *vma,
				  unsigned long address, const struct huge_ptes *hp,
				  unsigned int flags)
{
	struct kmm_kernel *k = mm->kernel;
	struct hugetlb_vma *hv = hvma(vma);
	struct hstate *h = hv->hf->h;
	unsigned long haddr = address & huge_page_mask(h);
	unsigned long idx = vma_hugecache_offset(h, vma, haddr);
	bool shared = vma->vm_flags & VM_MAYSHARE, writable;
	struct page *page = shared ? hv->hf->pages[idx] : NULL;

	if (is_vma_resv_set(vma, HPAGE_RESV_UNMAPPED))
		return VM_FAULT_SIGBUS;
	if (idx >= hv->hf->nr)
		return VM_FAULT_SIGBUS; /* beyond i_size */
	if (!page) {
		if (!shared && anon_vma_prepare(vma))
			return VM_FAULT_OOM;
		page = alloc_huge_page(vma, haddr, false);
		if (!page)
			return VM_FAULT_SIGBUS;
		clear_huge_page(k, page, h);
		if (shared) { /* huge_add_to_page_cache: the cache's reference */
			get_page(page);
			HPageClear(page, HPG_restore_reserve);
			hv->hf->pages[idx] = page;
			hv->hf->nrpages++;
			page->index = idx << huge_page_order(h);
			page[1].compound_mapcount = -1;
		}
	} else {
		get_page(page);
		vma_reservation(vma, haddr, false);
	}
	hugetlb_count_add((long)pages_per_huge_page(h), mm);
	if (shared) {
		hugetlb_dup_rmap(page);
		set_huge_pte_at(hp, make_huge_pte(k, vma, page, vma->vm_flags & VM_WRITE));
		return 0;
	}
	HPageClear(page, HPG_restore_reserve);
	hugepage_add_new_anon_rmap(page, vma, haddr);
	writable = (flags & FAULT_FLAG_WRITE) && (vma->vm_flags & VM_WRITE);
	set_huge_pte_at(hp, make_huge_pte(k, vma, page, writable));
	HPageSet(page, HPG_migratable);
	return (flags & FAULT_FLAG_WRITE) ? VM_FAULT_WRITE : 0;
}

vm_fault_t hugetlb_fault(struct mm_struct *mm, struct vm_area_struct *vma, unsigned long address,
			 unsigned int flags)
{
	struct hstate *h = hstate_vma(vma);
	unsigned long haddr = address & huge_page_mask(h);
	struct huge_ptes hp;
	pte_t entry;

	if (!huge_pte_alloc(mm, h, haddr, &hp))
		return VM_FAULT_OOM;
	entry = huge_ptep_get(&hp);
	if (pte_none(entry))
		return hugetlb_no_page(mm, vma, address, &hp, flags);
	if (flags & (FAULT_FLAG_WRITE | FAULT_FLAG_UNSHARE)) {
		if (!pte_write(entry))
			return hugetlb_wp(mm, vma, address, &hp, flags);
		if (flags & FAULT_FLAG_WRITE)
			entry = pte_mkdirty(entry);
	}
	entry = pte_mkyoung(entry);
	if (pte_val(entry) != pte_val(huge_ptep_get(&hp))) { /* huge_ptep_set_access_flags */
		huge_ptep_clear_flush(vma, haddr, &hp);
		set_huge_pte_at(&hp, entry);
	}
	return 0;
}

/* ---- mappings: unmap, fork, mprotect, smaps ------------------------------------------------ */

void __unmap_hugepage_range(struct mmu_gather *tlb, struct vm_area_struct *vma, unsigned long start,
			    unsigned long end, struct page *ref_page)
{
	struct mm_struct *mm = vma->vm_mm;
	struct kmm_kernel *k = mm->kernel;
	struct hstate *h = hstate_vma(vma);
	unsigned long sz = huge_page_size(h);

	for (unsigned long address = start & huge_page_mask(h); address < end; address += sz) {
		struct huge_ptes hp;
		struct page *page;
		pte_t pte;

		if (!huge_pte_offset(mm, h, address, &hp))
			continue;
		pte = huge_ptep_get(&hp);
		if (pte_none(pte))
			continue;
		page = huge_pte_page(k, pte);
		if (ref_page) {
			if (page != ref_page)
				continue;
			hvma(vma)->flags |= HPAGE_RESV_UNMAPPED;
		}
		huge_ptep_get_and_clear(&hp);
		if (sz == PUD_SIZE) /* tlb_remove_huge_tlb_entry */
			tlb_flush_pud_range(tlb, address, sz);
		else if (sz == PMD_SIZE)
			tlb_flush_pmd_range(tlb, address, sz);
		else
			tlb_flush_pte_range(tlb, address, sz);
		hugetlb_count_sub((long)pages_per_huge_page(h), mm);
		hugetlb_remove_rmap(page);
		tlb_remove_page_size(tlb, page, sz);
		if (ref_page)
			break;
	}
	tlb_end_vma(tlb, vma);
}

/* Models: unmap_hugepage_range(): its own gather. */
static void unmap_hugepage_range(struct vm_area_struct *vma, unsigned long start, unsigned long end,
				 struct page *ref_page)
{
	struct mmu_gather tlb;

	tlb_gather_mmu(&tlb, vma->vm_mm);
	__unmap_hugepage_range(&tlb, vma, start, end, ref_page);
	tlb_finish_mmu(&tlb);
}

int copy_hugetlb_page_range(struct mm_struct *dst, struct mm_struct *src,
			    struct vm_area_struct *dst_vma, struct vm_area_struct *src_vma)
{
	struct kmm_kernel *k = src->kernel;
	struct hstate *h = hstate_vma(src_vma);
	bool cow = is_cow_mapping(src_vma->vm_flags);
	unsigned long sz = huge_page_size(h);
	int ret = 0;

	for (unsigned long addr = src_vma->vm_start; addr < src_vma->vm_end; addr += sz) {
		struct huge_ptes sp, dp;
		struct page *page;
		pte_t entry;

		if (!huge_pte_offset(src, h, addr, &sp) || pte_none(huge_ptep_get(&sp)))
			continue;
		if (!huge_pte_alloc(dst, h, addr, &dp)) {
			ret = -ENOMEM;
			break;
		}
		entry = huge_ptep_get(&sp);
		page = huge_pte_page(k, entry);
		get_page(page);
		hugetlb_dup_rmap(page); /* page_try_dup_anon_rmap: no pins here */
		if (PageAnon(page))
			ClearPageAnonExclusive(page);
		if (cow) { /* huge_ptep_set_wrprotect: contiguous entries break-before-make */
			entry = pte_wrprotect(entry);
			huge_ptep_get_and_clear(&sp);
			if (sp.n > 1)
				flush_hugetlb_tlb_range(src_vma, addr, addr + sz);
			set_huge_pte_at(&sp, entry);
		}
		set_huge_pte_at(&dp, entry);
		hugetlb_count_add((long)pages_per_huge_page(h), dst);
	}
	(void)dst_vma;
	if (cow) /* dup_mmap's flush_tlb_mm, for this range */
		flush_tlb_range(k, src_vma, src_vma->vm_start, src_vma->vm_end);
	return ret;
}

long hugetlb_change_protection(struct vm_area_struct *vma, unsigned long address, unsigned long end,
			       pgprot_t newprot)
{
	struct mm_struct *mm = vma->vm_mm;
	struct hstate *h = hstate_vma(vma);
	unsigned long start = address, sz = huge_page_size(h);
	long pages = 0;

	for (; address < end; address += sz) {
		struct huge_ptes hp;
		pte_t pte;

		if (!huge_pte_offset(mm, h, address, &hp))
			continue;
		pte = huge_ptep_get(&hp);
		if (pte_none(pte))
			continue;
		/* huge_ptep_modify_prot_start/commit: cleared, then the new entry */
		huge_ptep_get_and_clear(&hp);
		pte = pte_modify(pte, newprot);
		pte = pte_mkhuge(pte);
		if (h->order == CONT_PTE_ORDER)
			pte = pte_mkcont(pte);
		else if (h->order == CONT_PMD_ORDER)
			pte = __pte(pte_val(pte) | PMD_SECT_CONT);
		set_huge_pte_at(&hp, pte);
		pages++;
	}
	if (pages)
		flush_hugetlb_tlb_range(vma, start, end);
	return pages << h->order;
}

void hugetlb_smaps(const struct vm_area_struct *vma, unsigned long *shared, unsigned long *private)
{
	const struct kmm_kernel *k = vma->vm_mm->kernel;
	const struct hstate *h = hstate_vma(vma);

	*shared = *private = 0;
	for (unsigned long a = vma->vm_start; a < vma->vm_end; a += huge_page_size(h)) {
		struct huge_ptes hp;
		pte_t pte;

		if (!huge_pte_offset(vma->vm_mm, h, a, &hp))
			continue;
		pte = huge_ptep_get(&hp);
		if (!pte_present(pte))
			continue;
		if (page_mapcount(huge_pte_page(k, pte)) >= 2)
			*shared += huge_page_size(h);
		else
			*private += huge_page_size(h);
	}
}

/* ---- mappings: mremap, MADV_DONTNEED, MADV_REMOVE ---------------------------------------- */

unsigned long move_hugetlb_page_tables(struct vm_area_struct *vma, struct vm_area_struct *new_vma,
				       unsigned long old_addr, unsigned long new_addr,
				       unsigned long len)
{
	struct mm_struct *mm = vma->vm_mm;
	struct hstate *h = hstate_vma(vma);
	unsigned long sz = huge_page_size(h), old_end = old_addr + len, start = old_addr;
	bool moved = false;

	(void)new_vma; /* the same mm: huge_pte_alloc needs it only for PMD sharing */
	for (; old_addr < old_end; old_addr += sz, new_addr += sz) {
		struct huge_ptes sp, dp;

		if (!huge_pte_offset(mm, h, old_addr, &sp) || pte_none(huge_ptep_get(&sp)))
			continue;
		if (!huge_pte_alloc(mm, h, new_addr, &dp))
			break;
		/* move_huge_pte: cleared at the old address, written whole at the new one */
		set_huge_pte_at(&dp, huge_ptep_get_and_clear(&sp));
		moved = true;
	}
	if (moved) /* tlb_remove_huge_tlb_entry + tlb_flush_mmu_tlbonly over the old range */
		flush_hugetlb_tlb_range(vma, start, old_end);
	return len + old_addr - old_end;
}

int hugetlb_mremap_prepare(struct vm_area_struct *vma)
{
	struct hugetlb_vma *hv = hvma(vma);

	if ((vma->vm_flags & VM_MAYSHARE) || hv->spare)
		return 0;
	hv->spare = env_alloc(vma->vm_mm->kernel->env, sizeof(*hv->spare));
	return hv->spare ? 0 : -ENOMEM;
}

void clear_vma_resv_huge_pages(struct vm_area_struct *vma, unsigned long moved_start,
			       unsigned long moved_end)
{
	struct hugetlb_vma *old = hvma(vma), *hv;
	struct hstate *h = old->hf->h;

	if (vma->vm_flags & VM_MAYSHARE)
		return; /* the file's map holds the reservations: nothing is the VMA's */
	if (old->resv && (old->flags & HPAGE_RESV_OWNER)) {
		/* 6.1 gives nothing back: the rest of this VMA keeps its reservations forever */
		unsigned long s = vma_hugecache_offset(h, vma, vma->vm_start);
		unsigned long e = vma_hugecache_offset(h, vma, vma->vm_end);
		unsigned long ms = vma_hugecache_offset(h, vma, moved_start);
		unsigned long me = vma_hugecache_offset(h, vma, moved_end);
		long kept = (long)(e - s) - region_count(old->resv, s, e);

		kept -= (long)(me - ms) - region_count(old->resv, ms, me);
		h->resv_stranded += (unsigned long)kept;
	}
	hv = old->spare; /* hugetlb_mremap_prepare made sure of it */
	old->spare = NULL;
	memset(hv, 0, sizeof(*hv));
	hv->refs = 1;
	hv->hf = old->hf;
	hv->hf->refs++;
	old->refs--; /* the moved VMA holds the other reference (copy_vma's open) */
	vma->vm_private_data = hv;
}

/*
 * Models: hugetlb_vmdelete_list() over every VMA of every mm that maps @hf: unmaps the file's
 * huge pages [@first, @last) wherever they are mapped.
 */
static void hugetlb_vmdelete_list(struct kmm_kernel *k, struct hugetlb_file *hf,
				  unsigned long first, unsigned long last)
{
	struct mm_state *ms = k->mm_state;
	unsigned int order = huge_page_order(hf->h);

	for (struct list_head *l = ms->mms.next; l != &ms->mms; l = l->next) {
		struct mm_struct *mm = list_entry(l, struct mm_struct, mmlist);

		for (struct vm_area_struct *v = mm->mmap; v; v = v->vm_next) {
			const unsigned int shift = order + PAGE_SHIFT;
			unsigned long vs, ve, s, e;

			if (!is_vm_hugetlb_page(v) || !hvma(v) || hvma(v)->hf != hf)
				continue;
			vs = v->vm_pgoff >> order;
			ve = vs + ((v->vm_end - v->vm_start) >> shift);
			s = first > vs ? first : vs;
			e = last < ve ? last : ve;
			if (s < e)
				unmap_hugepage_range(v, v->vm_start + ((s - vs) << shift),
						     v->vm_start + ((e - vs) << shift), NULL);
		}
	}
}

/* Models: hugetlbfs_zero_partial_page(): zeroes [@start, @end) of a cached page, if any. */
static void hugetlbfs_zero_partial_page(struct kmm_kernel *k, struct hugetlb_file *hf,
					unsigned long start, unsigned long end)
{
	const struct hstate *h = hf->h;
	unsigned long idx = start >> huge_page_shift(h);
	struct page *page = idx < hf->nr ? hf->pages[idx] : NULL;

	if (!page)
		return;
	start &= ~huge_page_mask(h);
	end &= ~huge_page_mask(h);
	if (!end)
		end = huge_page_size(h);
	env_charge_n(k->env, COST_page_zero, (end - start) >> PAGE_SHIFT);
	arch_phys_zero(&k->hw->phys, PFN_PHYS(page_to_pfn(k, page)) + start,
		       (phys_addr_t)(end - start));
}

int hugetlb_punch_hole(struct vm_area_struct *vma, unsigned long offset, unsigned long len)
{
	struct kmm_kernel *k = vma->vm_mm->kernel;
	struct hugetlb_file *hf = hvma(vma)->hf;
	struct hstate *h = hf->h;
	unsigned long hsz = huge_page_size(h);
	unsigned long hole_start = (offset + hsz - 1) & ~(hsz - 1);
	unsigned long hole_end = (offset + len) & ~(hsz - 1);

	if (!hf->pages)
		return 0; /* a private mapping's file: the caller refused it (-EACCES) */
	hf->refs++;	  /* get_file: the VMA may go with the unmapping */
	if (offset < hole_start)
		hugetlbfs_zero_partial_page(k, hf, offset,
					    offset + len < hole_start ? offset + len : hole_start);
	if (hole_end > hole_start)
		hugetlb_vmdelete_list(k, hf, hole_start >> huge_page_shift(h),
				      hole_end >> huge_page_shift(h));
	if (offset + len > hole_end && offset + len > hole_start)
		hugetlbfs_zero_partial_page(k, hf, hole_end, offset + len);
	/* remove_inode_hugepages, hole punch: each cached page leaves with its index */
	for (unsigned long i = hole_start >> huge_page_shift(h);
	     i < (hole_end >> huge_page_shift(h)) && i < hf->nr; i++) {
		struct page *page = hf->pages[i];

		if (!page)
			continue;
		hf->pages[i] = NULL;
		hf->nrpages--;
		page->mapping = NULL;
		put_page(k, page);
		/* hugetlb_unreserve_pages(i, i + 1, 1): region_del 1 - freed 1, nothing back */
		region_del(hf->resv, i, i + 1);
	}
	hugetlb_file_put(k, hf);
	return 0;
}

/* ---- contiguous ranges: pool pages in the way of alloc_contig_range ---------------------- */

/*
 * Models: alloc_and_dissolve_huge_page(): the free pool page @old, in a range
 * alloc_contig_range() isolated, is replaced in the pool by a fresh page of its node (from
 * outside the isolated blocks) and goes back to the buddy allocator, into its isolated block.
 * 0 or -ENOMEM (no page to replace it with; @old stays).
 */
static int alloc_and_dissolve_huge_page(struct kmm_kernel *k, struct hstate *h, struct page *old)
{
	int nid = page_to_nid(old);
	struct page *new =
		alloc_buddy_huge_page(k, h, htlb_alloc_mask(h) | __GFP_THISNODE, nid, NULL);

	if (!new)
		return -ENOMEM;
	remove_hugetlb_page(h, old, false);
	prep_new_huge_page(h, new, nid);
	enqueue_huge_page(h, new);
	update_and_free_page(k, h, old); /* remove_hugetlb_page's reference: to the buddy */
	return 0;
}

int isolate_or_dissolve_huge_page(struct kmm_kernel *k, struct page *page, struct list_head *list)
{
	struct page *head;
	struct hstate *h;

	if (!PageHuge(page))
		return 0;
	head = compound_head(page);
	h = page_hstate(k, head);
	if (hstate_is_gigantic(h))
		return -ENOMEM; /* alloc_contig_range and gigantic pages depend on each other */
	if (page_count(head) && isolate_hugetlb(k, head, list))
		return 0;
	if (!page_count(head) && HPageTest(head, HPG_freed))
		return alloc_and_dissolve_huge_page(k, h, head);
	return -EBUSY;
}

/* ---- migration of in-use pool pages ------------------------------------------------------ */

bool isolate_hugetlb(struct kmm_kernel *k, struct page *page, struct list_head *list)
{
	struct page *head = compound_head(page);

	(void)k;
	if (!PageHuge(head) || !HPageTest(head, HPG_migratable) || !page_count(head))
		return false;
	HPageClear(head, HPG_migratable);
	get_page(head);
	list_move_tail(&head->lru, list);
	return true;
}

void putback_active_hugepage(struct kmm_kernel *k, struct page *page)
{
	HPageSet(page, HPG_migratable);
	list_move_tail(&page->lru, &page_hstate(k, page)->hugepage_activelist);
	put_page(k, page);
}

struct page *alloc_hugetlb_migration_target(struct kmm_kernel *k, struct page *src, int nid)
{
	struct hstate *h = page_hstate(k, src);
	struct page *page = NULL;

	if (h->free_huge_pages > h->resv_huge_pages) /* dequeue_huge_page_nodemask */
		for (int i = 0; i < MAX_NUMNODES && !page; i++)
			page = dequeue_huge_page_node_exact(h, (nid + i) % MAX_NUMNODES);
	if (page)
		return page;
	if (hstate_is_gigantic(h)) /* alloc_migrate_huge_page: a temporary page */
		return NULL;
	page = alloc_fresh_huge_page(k, h, htlb_alloc_mask(h), nid, NULL);
	if (!page)
		return NULL;
	HPageSet(page, HPG_temporary);
	list_add(&page->lru, &h->hugepage_activelist);
	set_page_count(page, 1);
	return page;
}

/* The address where @vma would map its file's (or anon_vma's) page of index @index, or 0. */
static unsigned long hugetlb_page_address(const struct vm_area_struct *vma, unsigned long index)
{
	unsigned long a;

	if (index < vma->vm_pgoff)
		return 0;
	a = vma->vm_start + ((index - vma->vm_pgoff) << PAGE_SHIFT);
	return a < vma->vm_end ? a : 0;
}

/* Models: set_huge_swap_pte_at(): the same non-present entry in each descriptor. */
static void set_huge_swap_pte_at(const struct huge_ptes *hp, pte_t pte)
{
	for (unsigned int i = 0; i < hp->n; i++)
		hp->first[i] = pte_val(pte);
}

/*
 * Models: the hugetlb part of try_to_migrate() (try_to_migrate_one) and of
 * remove_migration_ptes() (remove_migration_pte) for an anonymous hugetlb page: with @dst
 * NULL, every huge entry mapping @src becomes a migration entry (cleared and flushed first;
 * the mapping's rmap and reference dropped); else every migration entry naming @src becomes
 * an entry of @dst with the rights, access and dirty state it had. The rmap walk is over
 * every hugetlb VMA of the size in every mm (see the header's deviation).
 */
static void hugetlb_migration_ptes(struct kmm_kernel *k, struct page *src, struct page *dst)
{
	struct hstate *h = page_hstate(k, src);
	struct mm_state *ms = k->mm_state;
	unsigned long pfn = page_to_pfn(k, src);

	for (struct list_head *l = ms->mms.next; l != &ms->mms; l = l->next) {
		struct mm_struct *mm = list_entry(l, struct mm_struct, mmlist);

		for (struct vm_area_struct *v = mm->mmap; v; v = v->vm_next) {
			unsigned long a;
			struct huge_ptes hp;
			pte_t pte;

			if (!is_vm_hugetlb_page(v) || !hvma(v) || hstate_vma(v) != h)
				continue;
			a = hugetlb_page_address(v, src->index);
			if (!a || !huge_pte_offset(mm, h, a, &hp))
				continue;
			pte = huge_ptep_get(&hp);
			if (!dst) {
				bool exclusive = PageAnonExclusive(src);

				if (!pte_present(pte) || pte_pfn(pte) != pfn)
					continue;
				pte = huge_ptep_clear_flush(v, a, &hp);
				if (pte_dirty(pte))
					SetPageDirty(src);
				if (exclusive)
					ClearPageAnonExclusive(src); /* page_try_share_anon_rmap */
				set_huge_swap_pte_at(&hp, swp_entry_to_pte(migration_entry_for(
								  pfn, pte, exclusive)));
				hugetlb_remove_rmap(src);
				put_page(k, src);
			} else {
				swp_entry_t e = pte_to_swp_entry(pte);
				pte_t n;

				if (!is_swap_pte(pte) || !is_migration_entry(e) ||
				    swp_offset_pfn(e) != pfn)
					continue;
				n = make_huge_pte(k, v, dst, false);
				if (!is_migration_entry_young(e))
					n = pte_mkold(n);
				if (PageDirty(dst) && is_migration_entry_dirty(e))
					n = pte_mkdirty(n);
				if (is_writable_migration_entry(e) && (v->vm_flags & VM_WRITE))
					n = pte_mkwrite(n); /* maybe_mkwrite */
				get_page(dst);
				dst[1].compound_mapcount++; /* hugepage_add_anon_rmap */
				if (!is_readable_migration_entry(e))
					SetPageAnonExclusive(dst);
				set_huge_pte_at(&hp, n);
			}
		}
	}
}

/* Models: move_hugetlb_state(): a temporary target hands its state to the old page. */
static void move_hugetlb_state(struct kmm_kernel *k, struct page *old, struct page *new)
{
	struct hstate *h = page_hstate(k, old);
	int old_nid = page_to_nid(old), new_nid = page_to_nid(new);

	if (!HPageTest(new, HPG_temporary))
		return;
	HPageSet(old, HPG_temporary);
	HPageClear(new, HPG_temporary);
	if (new_nid != old_nid && h->surplus_huge_pages_node[old_nid]) {
		h->surplus_huge_pages_node[old_nid]--;
		h->surplus_huge_pages_node[new_nid]++;
	}
}

/*
 * Models: unmap_and_move_huge_page(): one isolated hugetlb page to a page from
 * @get_new_page: migration entries, copy, entries of the new page; the new page joins the
 * active list, the old one is put back (and freed). MIGRATEPAGE_SUCCESS (0), -ENOMEM (no
 * target), -EAGAIN (references beyond the expected ones: put back as it was), -EBUSY.
 */
static int unmap_and_move_huge_page(struct kmm_kernel *k, new_page_t get_new_page,
				    free_page_t put_new_page, unsigned long private,
				    struct page *src)
{
	struct hstate *h = page_hstate(k, src);
	struct page *dst;
	bool mapped;
	int rc = -EAGAIN;

	if (page_count(src) == 1) { /* freed from under us: done */
		putback_active_hugepage(k, src);
		return 0;
	}
	if (!PageAnon(src))
		return -EBUSY; /* see the header's deviation: shared pages are never isolated */
	dst = get_new_page(k, src, private);
	if (!dst)
		return -ENOMEM;
	mapped = folio_entire_mapcount(page_folio(src)) > 0;
	if (mapped)
		hugetlb_migration_ptes(k, src, NULL);
	if (page_count(src) == 1) { /* move_to_new_folio: only the isolation's reference */
		copy_user_huge_page(k, dst, src, h);
		dst->mapping = src->mapping; /* folio_migrate_mapping for anon */
		dst->index = src->index;
		if (PageDirty(src))
			SetPageDirty(dst);
		rc = 0;
	}
	if (mapped)
		hugetlb_migration_ptes(k, src, rc ? src : dst);
	if (rc) {
		if (put_new_page)
			put_new_page(k, dst, private);
		else
			put_page(k, dst);
		return rc;
	}
	move_hugetlb_state(k, src, dst);
	putback_active_hugepage(k, dst);
	putback_active_hugepage(k, src); /* the last reference: free_huge_page */
	return 0;
}

unsigned long migrate_hugetlbs(struct kmm_kernel *k, struct list_head *from,
			       new_page_t get_new_page, free_page_t put_new_page,
			       unsigned long private, unsigned long *nr_succeeded,
			       unsigned long *nr_failed_pages, int *err)
{
	unsigned long nr_failed = 0, retry = 1, nr_retry_pages = 0;

	*err = 0;
	for (int pass = 0; pass < 10 && retry; pass++) {
		retry = 0;
		nr_retry_pages = 0;
		for (struct list_head *l = from->next, *n = l->next; l != from;
		     l = n, n = l->next) {
			struct page *page = list_entry(l, struct page, lru);
			unsigned long nr = compound_nr(page);
			int rc;

			if (!PageHuge(page))
				continue;
			rc = unmap_and_move_huge_page(k, get_new_page, put_new_page, private, page);
			if (rc == -ENOMEM) {
				*nr_failed_pages += nr + nr_retry_pages;
				*err = -ENOMEM;
				return nr_failed;
			}
			if (rc == -EAGAIN) {
				retry++;
				nr_retry_pages += nr;
			} else if (rc == 0) {
				*nr_succeeded += nr;
			} else {
				nr_failed++;
				*nr_failed_pages += nr;
			}
		}
	}
	*nr_failed_pages += nr_retry_pages;
	return nr_failed + retry;
}

/* ---- checks ----------------------------------------------------------------------------- */

/* ---- checks ----------------------------------------------------------------------------- */

static bool hstate_check(const struct kmm_kernel *k, const struct hstate *h, char *why,
			 size_t whylen)
{
	unsigned long nr = 0, fr = 0, su = 0, active[MAX_NUMNODES] = {0};

	for (int nid = 0; nid < MAX_NUMNODES; nid++) {
		unsigned int n = 0;

		for (const struct list_head *l = h->hugepage_freelists[nid].next;
		     l != &h->hugepage_freelists[nid]; l = l->next) {
			const struct page *page = list_entry(l, struct page, lru);

			if (!PageHuge(page) || PageTail(page) || compound_order(page) != h->order ||
			    page_to_nid(page) != nid || page_ref_count(page) != 0 ||
			    !HPageTest(page, HPG_freed))
				return snprintf(why, whylen,
						"hugetlb: %s: a page on node %d's free list is not "
						"a "
						"free pool page (pfn 0x%lx)",
						h->name, nid, page_to_pfn(k, page)),
				       false;
			n++;
		}
		if (n != h->free_huge_pages_node[nid])
			return snprintf(why, whylen,
					"hugetlb: %s: node %d's free list holds %u pages, "
					"free_huge_pages_node says %u",
					h->name, nid, n, h->free_huge_pages_node[nid]),
			       false;
		fr += h->free_huge_pages_node[nid];
		nr += h->nr_huge_pages_node[nid];
		su += h->surplus_huge_pages_node[nid];
		if (h->surplus_huge_pages_node[nid] > h->nr_huge_pages_node[nid])
			return snprintf(why, whylen,
					"hugetlb: %s: node %d has more surplus than pages", h->name,
					nid),
			       false;
	}
	for (const struct list_head *l = h->hugepage_activelist.next; l != &h->hugepage_activelist;
	     l = l->next) {
		const struct page *page = list_entry(l, struct page, lru);

		if (!PageHuge(page) || compound_order(page) != h->order ||
		    page_ref_count(page) <= 0 || HPageTest(page, HPG_freed))
			return snprintf(why, whylen,
					"hugetlb: %s: a page on the active list is not an "
					"in-use pool page (pfn 0x%lx)",
					h->name, page_to_pfn(k, page)),
			       false;
		active[page_to_nid(page)]++;
	}
	for (int nid = 0; nid < MAX_NUMNODES; nid++)
		if (h->nr_huge_pages_node[nid] != h->free_huge_pages_node[nid] + active[nid])
			return snprintf(why, whylen,
					"hugetlb: %s: node %d counts %u pages, %u free + %lu in "
					"use found",
					h->name, nid, h->nr_huge_pages_node[nid],
					h->free_huge_pages_node[nid], active[nid]),
			       false;
	if (nr != h->nr_huge_pages || fr != h->free_huge_pages || su != h->surplus_huge_pages)
		return snprintf(why, whylen,
				"hugetlb: %s: global counters (%lu/%lu/%lu) are not the sums of "
				"the nodes' (%lu/%lu/%lu)",
				h->name, h->nr_huge_pages, h->free_huge_pages,
				h->surplus_huge_pages, nr, fr, su),
		       false;
	if (h->resv_huge_pages > h->free_huge_pages)
		return snprintf(why, whylen, "hugetlb: %s: %lu reserved but %lu free", h->name,
				h->resv_huge_pages, h->free_huge_pages),
		       false;
	if (h->max_huge_pages > persistent_huge_pages(h))
		return snprintf(why, whylen,
				"hugetlb: %s: max_huge_pages %lu above the %lu "
				"persistent pages",
				h->name, h->max_huge_pages, persistent_huge_pages(h)),
		       false;
	return true;
}

/* ---- checks of the mappings ---------------------------------------------------------------- */

struct map_tally {
	struct kmm_kernel *k;
	unsigned long *pfns, nr, cap;
	bool nomem;
};

static bool tally_pfn(struct map_tally *t, unsigned long pfn)
{
	if (t->nr == t->cap) {
		unsigned long cap = t->cap ? 2 * t->cap : 256;
		unsigned long *n = env_alloc(t->k->env, cap * sizeof(*n));

		if (!n)
			return !(t->nomem = true);
		if (t->nr)
			memcpy(n, t->pfns, t->nr * sizeof(*n));
		env_free(t->k->env, t->pfns);
		t->pfns = n;
		t->cap = cap;
	}
	t->pfns[t->nr++] = pfn;
	return true;
}

static int cmp_pfn(const void *a, const void *b)
{
	unsigned long x = *(const unsigned long *)a, y = *(const unsigned long *)b;

	return x < y ? -1 : x > y;
}

/* Invariant 5 for one huge entry of @vma at @a: its descriptors and the page they map. */
static bool huge_entry_check(struct map_tally *t, const struct vm_area_struct *vma, unsigned long a,
			     const struct huge_ptes *hp, char *why, size_t whylen)
{
	const struct hstate *h = hstate_vma(vma);
	pte_t first = __pte(hp->first[0]);
	uint64_t type = hp->level == 3 ? PTE_TYPE_PAGE : PMD_TYPE_SECT;
	unsigned long pfn = pte_pfn(first);
	const struct page *head;

	for (unsigned int i = 0; i < hp->n; i++) {
		uint64_t d = hp->first[i];

		if ((d & PTE_TYPE_MASK) != type || !!(d & PTE_CONT) != (hp->n > 1) ||
		    ((d & PTE_ADDR_MASK) >> PAGE_SHIFT) != pfn + i * hp->stride ||
		    (d & ~PTE_ADDR_MASK & ~(PTE_AF | PTE_DIRTY | PTE_RDONLY)) !=
			    (pte_val(first) & ~PTE_ADDR_MASK & ~(PTE_AF | PTE_DIRTY | PTE_RDONLY)))
			return snprintf(why, whylen,
					"hugetlb: descriptor %u of the %s entry at %#lx is %#llx, "
					"not its part of the first (%#llx)",
					i, h->name, a, (unsigned long long)d,
					(unsigned long long)pte_val(first)),
			       false;
	}
	head = pfn_to_page(t->k, pfn);
	if (!PageHuge(head) || PageTail(head) || compound_order(head) != h->order ||
	    HPageTest(head, HPG_freed) || page_ref_count(head) <= 0)
		return snprintf(why, whylen,
				"hugetlb: the %s entry at %#lx maps pfn %#lx, not an in-use %s "
				"page",
				h->name, a, pfn, h->name),
		       false;
	if (pte_write(first) && is_cow_mapping(vma->vm_flags) &&
	    (!PageAnon(head) || !PageAnonExclusive(head)))
		return snprintf(why, whylen,
				"hugetlb: a writable entry at %#lx of a private mapping maps a "
				"shared page",
				a),
		       false;
	return tally_pfn(t, pfn);
}

/* Invariants 5 and 6 over one hugetlb VMA: its entries, its outstanding reservations. */
static bool hugetlb_vma_check(struct map_tally *t, const struct vm_area_struct *vma, long *resv,
			      long *usage, char *why, size_t whylen)
{
	const struct hugetlb_vma *hv = hvma(vma);
	const struct hstate *h;

	if (!hv || !hv->hf || hv->refs <= 0)
		return snprintf(why, whylen, "hugetlb: VMA %#lx without its private data",
				vma->vm_start),
		       false;
	h = hv->hf->h;
	if ((vma->vm_start | vma->vm_end) & ~huge_page_mask(h))
		return snprintf(why, whylen, "hugetlb: VMA %#lx-%#lx not %s aligned", vma->vm_start,
				vma->vm_end, h->name),
		       false;
	if ((hv->flags & HPAGE_RESV_OWNER) && hv->resv) {
		unsigned long s = vma_hugecache_offset(h, vma, vma->vm_start);
		unsigned long e = vma_hugecache_offset(h, vma, vma->vm_end);

		resv[h - t->k->hugetlb->hstates] += (long)(e - s) - region_count(hv->resv, s, e);
	}
	for (unsigned long a = vma->vm_start; a < vma->vm_end; a += huge_page_size(h)) {
		struct huge_ptes hp;

		if (!huge_pte_offset(vma->vm_mm, h, a, &hp) || pte_none(__pte(hp.first[0])))
			continue;
		*usage += (long)pages_per_huge_page(h);
		if (!huge_entry_check(t, vma, a, &hp, why, whylen))
			return false;
	}
	return true;
}

/*
 * Invariants 5 and 6 (the mappings): every hugetlb VMA of every mm and every hugetlb file.
 * Changes nothing.
 */
static bool hugetlb_map_check(struct kmm_kernel *k, char *why, size_t whylen)
{
	struct map_tally t = {.k = k};
	long resv[HUGE_MAX_HSTATE] = {0};
	struct mm_state *ms = k->mm_state;
	const struct hstate *h;
	bool ok = true;

	for (struct list_head *l = ms ? ms->mms.next : NULL; ok && l && l != &ms->mms;
	     l = l->next) {
		struct mm_struct *mm = list_entry(l, struct mm_struct, mmlist);
		long usage = 0;

		for (struct vm_area_struct *v = mm->mmap; ok && v; v = v->vm_next)
			if (is_vm_hugetlb_page(v))
				ok = hugetlb_vma_check(&t, v, resv, &usage, why, whylen);
		if (ok && usage != mm->hugetlb_usage)
			ok = !snprintf(why, whylen,
				       "hugetlb: an mm's hugetlb_usage is %ld, its entries map %ld",
				       mm->hugetlb_usage, usage);
	}
	for (struct list_head *l = k->hugetlb->files.next; ok && l != &k->hugetlb->files;
	     l = l->next) {
		const struct hugetlb_file *hf = list_entry(l, struct hugetlb_file, list);
		unsigned long cached = 0;

		for (unsigned long i = 0; i < hf->nr; i++) {
			const struct page *page = hf->pages ? hf->pages[i] : NULL;

			int maps = page ? folio_entire_mapcount(page_folio(page)) : 0;

			if (page) { /* the cache's reference and one per mapping */
				cached++;
				if (page_ref_count(page) != maps + 1)
					ok = !snprintf(why, whylen,
						       "hugetlb: a cached %s page has %d "
						       "references, %d mappings",
						       hf->h->name, page_ref_count(page), maps);
			} else if (resv_test(hf->resv, i)) {
				resv[hf->h - k->hugetlb->hstates]++;
			}
		}
		if (ok && cached != hf->nrpages)
			ok = !snprintf(why, whylen, "hugetlb: a file caches %lu pages, says %lu",
				       cached, hf->nrpages);
	}
	if (ok && t.nomem)
		ok = !snprintf(why, whylen, "hugetlb: host memory exhausted (the check's tally)");
	if (ok && t.nr)
		qsort(t.pfns, t.nr, sizeof(*t.pfns), cmp_pfn);
	for (unsigned long i = 0, j; ok && i < t.nr; i = j) {
		const struct page *head = pfn_to_page(k, t.pfns[i]);

		for (j = i; j < t.nr && t.pfns[j] == t.pfns[i]; j++)
			;
		if ((unsigned long)folio_entire_mapcount(page_folio(head)) != j - i)
			ok = !snprintf(why, whylen,
				       "hugetlb: page %#lx has entire mapcount %d, %lu entries map "
				       "it",
				       t.pfns[i], folio_entire_mapcount(page_folio(head)), j - i);
	}
	for_each_hstate(k->hugetlb, h)
	{
		resv[h - k->hugetlb->hstates] += (long)h->resv_stranded;
		for (const struct list_head *l = h->hugepage_activelist.next;
		     ok && l != &h->hugepage_activelist; l = l->next)
			resv[h - k->hugetlb->hstates] +=
				HPageTest(list_entry(l, struct page, lru), HPG_restore_reserve);
		if (ok && (long)h->resv_huge_pages != resv[h - k->hugetlb->hstates])
			ok = !snprintf(why, whylen,
				       "hugetlb: %s: resv_huge_pages %lu, the mappings reserve %ld",
				       h->name, h->resv_huge_pages, resv[h - k->hugetlb->hstates]);
	}
	env_free(k->env, t.pfns);
	return ok;
}

bool hugetlb_check(const struct kmm_kernel *k, char *why, size_t whylen)
{
	const struct hstate *h;

	if (!k->hugetlb)
		return true;
	for_each_hstate(k->hugetlb, h) if (!hstate_check(k, h, why, whylen)) return false;
	return hugetlb_map_check((struct kmm_kernel *)k, why, whylen);
}

/* Row HUGETLB (page_place.h): every page of each free pool page. */
bool hugetlb_place_walk(const struct kmm_kernel *k, struct place_map *map)
{
	const struct hstate *h;

	if (!k->hugetlb)
		return true;
	for_each_hstate(k->hugetlb, h)
	{
		for (int nid = 0; nid < MAX_NUMNODES; nid++) {
			for (const struct list_head *l = h->hugepage_freelists[nid].next;
			     l != &h->hugepage_freelists[nid]; l = l->next) {
				const struct page *page = list_entry(l, struct page, lru);

				if (!place_claim(map, PLACE_HUGETLB, page_to_pfn(k, page),
						 pages_per_huge_page(h)))
					return false;
			}
		}
	}
	return true;
}
