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
 *         hugetlb_total_pages(), hugepagesz_setup(), hugepages_setup(),
 *         default_hugepagesz_setup(), hugetlb_hstate_alloc_pages(), report_hugepages(),
 *         hugetlb_init();
 *         mm/page_alloc.c: alloc_contig_pages(); arch/arm64/mm/hugetlbpage.c:
 *         hugetlbpage_init() (Linux 6.1.192).
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
 * Deviations:
 *  - One call at a time: hugetlb_lock and resize_lock are not modelled; no signals.
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
 * The placement check's HUGETLB row claims every page of each free pool page.
 */
#include "mm/hugetlb.h"

#include "mm/gfp.h"
#include "mm/internal.h"
#include "mm/page_place.h"

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
	{"demote_size", false, false, true},
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
	if (!value || !parse_ulong(value, false, &v))
		return -EINVAL;
	if (strcmp(a->name, "demote") == 0)
		return -EINVAL; /* demotion is not modelled: refused, nothing changed */
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

/* Models: lib/cmdline.c:memparse(): a number (0x.. and 0.. too) with an optional K..E. */
static unsigned long memparse(const char *s)
{
	char *end;
	unsigned long v = strtoul(s, &end, 0);

	switch (*end) {
	case 'E':
	case 'e':
		v <<= 10; /* fall through */
	case 'P':
	case 'p':
		v <<= 10; /* fall through */
	case 'T':
	case 't':
		v <<= 10; /* fall through */
	case 'G':
	case 'g':
		v <<= 10; /* fall through */
	case 'M':
	case 'm':
		v <<= 10; /* fall through */
	case 'K':
	case 'k':
		v <<= 10; /* fall through */
	default:
		break;
	}
	return v;
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
	unsigned long size = memparse(s);
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
	size = memparse(s);
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

bool hugetlb_check(const struct kmm_kernel *k, char *why, size_t whylen)
{
	const struct hstate *h;

	if (!k->hugetlb)
		return true;
	for_each_hstate(k->hugetlb, h) if (!hstate_check(k, h, why, whylen)) return false;
	return true;
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
