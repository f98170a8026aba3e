/*
 * The buddy page allocator: free lists per order and migratetype, per-CPU page lists, the
 * watermark checks, the fast and slow allocation paths, fallback stealing, highatomic
 * reserves and the free path.
 *
 * Models: mm/page_alloc.c (Linux 6.1.192, after the ALLOC_NON_BLOCK/ALLOC_MIN_RESERVE rework):
 *         __alloc_pages(), get_page_from_freelist(), zone_watermark_fast(),
 *         __zone_watermark_ok(), rmqueue(), rmqueue_pcplist(), rmqueue_buddy(), rmqueue_bulk(),
 *         __rmqueue(), __rmqueue_smallest(), expand(), __rmqueue_fallback(),
 *         find_suitable_fallback(), can_steal_fallback(), steal_suitable_fallback(),
 *         move_freepages_block(), boost_watermark(), reserve/unreserve_highatomic_pageblock(),
 *         __alloc_pages_slowpath() with gfp_to_alloc_flags(), should_reclaim_retry(),
 *         should_compact_retry(), __alloc_pages_may_oom(), warn_alloc(); the free side
 *         __free_pages(), free_the_page(), free_unref_page(), free_pcppages_bulk(),
 *         nr_pcp_free()/nr_pcp_high(), __free_pages_ok(), __free_one_page(); drain_pages(),
 *         drain_all_pages(); compound pages, split_page(), alloc_pages_exact(); the
 *         free/new page checks and bad_page().
 * Context: one host thread drives a machine; zone->lock and the pcp locks are the points
 *         where the kernel would take them (named in comments), never contended.
 * Leaves out: cpusets (ALLOC_CPUSET is computed, no cpuset restricts), memcg charging,
 *         node_reclaim (off by default), page owner, KASAN/KMSAN hooks, debug_pagealloc guard
 *         pages, the deferred struct page init race (all struct pages exist at boot), the
 *         pcp trylock failure path (the lock is never held by another context).
 * Deviations: see docs/buddy.md — put_page_testzero() on a page whose refcount is already 0
 *         reports as CONFIG_DEBUG_VM's VM_BUG_ON_PAGE would, then carries on with the page
 *         where it was (the reference kernel, without DEBUG_VM, would silently drive the
 *         refcount negative).
 *
 * Invariants (page_alloc_check):
 *  1. A page on free_area[o].free_list[mt] is PageBuddy, has buddy_order o, lies in the
 *     zone and is aligned to 2^o.
 *  2. free_area[o].nr_free equals the length of the order-o lists together.
 *  3. NR_FREE_PAGES equals the pages on the buddy lists less the isolated ones;
 *     NR_FREE_CMA_PAGES the pages on the CMA lists. (Pages on pcp lists are not free pages,
 *     as in the kernel: MemFree excludes them.)
 *  4. No free block below pageblock order has a free buddy of its order. (From pageblock
 *     order up, merging depends on the blocks' types when freed; a later type change — a
 *     steal, a highatomic release — leaves mergeable buddies apart, as in the kernel.)
 *  5. A pcp list holds order-(pindex_to_order) pages that are not PageBuddy, have refcount 0,
 *     and belong to the zone; pcp->count equals the pages on the lists of that CPU; its batch
 *     is at least 1 (drain_pages_zone frees in batches) and at most its high mark.
 *  6. The CMA, ISOLATE and HIGHATOMIC lists hold only blocks whose pageblock has that type.
 *  7. nr_reserved_highatomic is a multiple of pageblock_nr_pages and at least the pages of
 *     HIGHATOMIC pageblocks counted on the lists.
 */
#include "mm/compaction.h"
#include "mm/gfp.h"
#include "mm/internal.h"
#include "mm/memory.h"
#include "mm/oom.h"
#include "mm/page_place.h"
#include "mm/vmscan.h"
#include "lib/trace.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "lib/bug.h"

#define KMM_FILE "mm/page_alloc.c"

/*
 * The kernel's function attributes (include/linux/compiler_attributes.h). The reports, the
 * trace formatting, the pcp refill and the slow path are kept out of line, so the fast paths
 * stay small and keep their values in registers.
 */
#define noinline __attribute__((__noinline__))
#define __cold	 __attribute__((__cold__))

const char *const migratetype_names[MIGRATE_TYPES] = {
	"Unmovable", "Movable", "Reclaimable", "HighAtomic", "CMA", "Isolate",
};

const char *const zone_names[MAX_NR_ZONES] = {"DMA", "DMA32", "Normal", "Movable"};

#define MAX_RECLAIM_RETRIES 16
#define MAX_COMPACT_RETRIES 16

/* ---- GFP helpers ------------------------------------------------------------------------ */

/*
 * arm64 has ZONE_DMA and ZONE_DMA32 and no HIGHMEM: GFP_ZONE_TABLE maps the four zone bits
 * to DMA, DMA32, NORMAL or MOVABLE; the combinations of two zone modifiers are GFP_ZONE_BAD
 * (-1 here). A table, as the kernel's: every allocation looks its zone up.
 */
static const signed char gfp_zone_table[GFP_ZONEMASK + 1] = {
	ZONE_NORMAL,  /* none */
	ZONE_DMA,     /* __GFP_DMA */
	ZONE_NORMAL,  /* __GFP_HIGHMEM: no highmem on arm64 */
	-1,	      /* __GFP_DMA | __GFP_HIGHMEM */
	ZONE_DMA32,   /* __GFP_DMA32 */
	-1,	      /* __GFP_DMA | __GFP_DMA32 */
	-1,	      /* __GFP_HIGHMEM | __GFP_DMA32 */
	-1,	      /* __GFP_DMA | __GFP_HIGHMEM | __GFP_DMA32 */
	ZONE_NORMAL,  /* __GFP_MOVABLE */
	ZONE_DMA,     /* __GFP_MOVABLE | __GFP_DMA */
	ZONE_MOVABLE, /* __GFP_MOVABLE | __GFP_HIGHMEM */
	-1,	      /* __GFP_MOVABLE | __GFP_DMA | __GFP_HIGHMEM */
	ZONE_DMA32,   /* __GFP_MOVABLE | __GFP_DMA32 */
	-1,	      /* __GFP_MOVABLE | __GFP_DMA | __GFP_DMA32 */
	-1,	      /* __GFP_MOVABLE | __GFP_HIGHMEM | __GFP_DMA32 */
	-1,	      /* all four */
};

int gfp_zone(gfp_t gfp)
{
	return gfp_zone_table[gfp & GFP_ZONEMASK];
}

/* The composite names first, then the single bits, as the kernel's gfpflag_names table. */
static const struct {
	gfp_t mask;
	const char *name;
} gfpflag_names[] = {
	{GFP_TRANSHUGE, "GFP_TRANSHUGE"},
	{GFP_TRANSHUGE_LIGHT, "GFP_TRANSHUGE_LIGHT"},
	{GFP_HIGHUSER_MOVABLE, "GFP_HIGHUSER_MOVABLE"},
	{GFP_HIGHUSER, "GFP_HIGHUSER"},
	{GFP_USER, "GFP_USER"},
	{GFP_KERNEL_ACCOUNT, "GFP_KERNEL_ACCOUNT"},
	{GFP_KERNEL, "GFP_KERNEL"},
	{GFP_NOFS, "GFP_NOFS"},
	{GFP_ATOMIC, "GFP_ATOMIC"},
	{GFP_NOIO, "GFP_NOIO"},
	{GFP_NOWAIT, "GFP_NOWAIT"},
	{GFP_DMA, "GFP_DMA"},
	{__GFP_HIGHMEM, "__GFP_HIGHMEM"},
	{GFP_DMA32, "GFP_DMA32"},
	{__GFP_HIGH, "__GFP_HIGH"},
	{__GFP_ATOMIC, "__GFP_ATOMIC"},
	{__GFP_IO, "__GFP_IO"},
	{__GFP_FS, "__GFP_FS"},
	{__GFP_NOWARN, "__GFP_NOWARN"},
	{__GFP_RETRY_MAYFAIL, "__GFP_RETRY_MAYFAIL"},
	{__GFP_NOFAIL, "__GFP_NOFAIL"},
	{__GFP_NORETRY, "__GFP_NORETRY"},
	{__GFP_COMP, "__GFP_COMP"},
	{__GFP_ZERO, "__GFP_ZERO"},
	{__GFP_NOMEMALLOC, "__GFP_NOMEMALLOC"},
	{__GFP_MEMALLOC, "__GFP_MEMALLOC"},
	{__GFP_HARDWALL, "__GFP_HARDWALL"},
	{__GFP_THISNODE, "__GFP_THISNODE"},
	{__GFP_RECLAIMABLE, "__GFP_RECLAIMABLE"},
	{__GFP_MOVABLE, "__GFP_MOVABLE"},
	{__GFP_ACCOUNT, "__GFP_ACCOUNT"},
	{__GFP_WRITE, "__GFP_WRITE"},
	{__GFP_RECLAIM, "__GFP_RECLAIM"},
	{__GFP_DIRECT_RECLAIM, "__GFP_DIRECT_RECLAIM"},
	{__GFP_KSWAPD_RECLAIM, "__GFP_KSWAPD_RECLAIM"},
	{__GFP_ZEROTAGS, "__GFP_ZEROTAGS"},
};

/* Models: lib/vsprintf.c:format_flags() over gfpflag_names (the %pGg format). */
const char *format_gfp(gfp_t gfp, char *buf, size_t len)
{
	size_t n = 0;

	buf[0] = 0;
	for (size_t i = 0; gfp && i < ARRAY_SIZE(gfpflag_names); i++) {
		if ((gfp & gfpflag_names[i].mask) != gfpflag_names[i].mask)
			continue;
		gfp &= ~gfpflag_names[i].mask;
		n += (size_t)snprintf(buf + n, n < len ? len - n : 0, "%s%s", gfpflag_names[i].name,
				      gfp ? "|" : "");
	}
	if (gfp)
		snprintf(buf + n, n < len ? len - n : 0, "%#x", gfp);
	return buf;
}

bool gfp_from_name(const char *name, gfp_t *out)
{
	for (size_t i = 0; i < ARRAY_SIZE(gfpflag_names); i++) {
		if (strcmp(name, gfpflag_names[i].name) == 0) {
			*out = gfpflag_names[i].mask;
			return true;
		}
	}
	return false;
}

static inline bool want_init_on_alloc(const struct kmm_kernel *k, gfp_t gfp)
{
	return k->params.init_on_alloc || (gfp & __GFP_ZERO);
}

static inline bool want_init_on_free(const struct kmm_kernel *k)
{
	return k->params.init_on_free;
}

/*
 * Models: kernel_init_pages(): zero the pages in simulated RAM.
 * Host memory: pages whose backing was never written are zero already; they are skipped
 * and stay uncommitted (the simulated cost is charged all the same).
 */
static void kernel_init_pages(struct kmm_kernel *k, struct page *page, unsigned int nr)
{
	env_charge_n(k->env, COST_page_zero, nr);
	arch_phys_zero(&k->hw->phys, PFN_PHYS(page_to_pfn(k, page)), (phys_addr_t)nr << PAGE_SHIFT);
}

/* ---- free-list primitives (zone->lock held) -------------------------------------------- */

static inline void set_buddy_order(struct page *page, unsigned int order)
{
	page->private = order;
	__SetPageBuddy(page);
}

static inline void add_to_free_list(struct page *page, struct zone *zone, unsigned int order,
				    int migratetype)
{
	struct free_area *area = &zone->free_area[order];

	list_add(&page->lru, &area->free_list[migratetype]);
	area->nr_free++;
}

static inline void add_to_free_list_tail(struct page *page, struct zone *zone, unsigned int order,
					 int migratetype)
{
	struct free_area *area = &zone->free_area[order];

	list_add_tail(&page->lru, &area->free_list[migratetype]);
	area->nr_free++;
}

/* Used for pages that are already on a free list: to the tail, as the kernel moves them. */
static inline void move_to_free_list(struct page *page, struct zone *zone, unsigned int order,
				     int migratetype)
{
	list_move_tail(&page->lru, &zone->free_area[order].free_list[migratetype]);
}

static inline void del_page_from_free_list(struct page *page, struct zone *zone, unsigned int order)
{
	list_del(&page->lru);
	__ClearPageBuddy(page);
	page->private = 0;
	zone->free_area[order].nr_free--;
}

static inline struct page *get_page_from_free_area(struct free_area *area, int migratetype)
{
	if (list_empty(&area->free_list[migratetype]))
		return NULL;
	return list_first_entry(&area->free_list[migratetype], struct page, lru);
}

static inline bool free_area_empty(const struct free_area *area, int migratetype)
{
	return list_empty(&area->free_list[migratetype]);
}

/* Models: mm/page_alloc.c:__mod_zone_freepage_state(). */
static inline void __mod_zone_freepage_state(struct zone *zone, long nr_pages, int migratetype)
{
	__mod_zone_page_state(zone, NR_FREE_PAGES, nr_pages);
	if (is_migrate_cma(migratetype))
		__mod_zone_page_state(zone, NR_FREE_CMA_PAGES, nr_pages);
}

bool has_isolate_pageblock(const struct zone *zone)
{
	return zone->nr_isolate_pageblock != 0;
}

/* The migratetype a page had when it went onto a pcp list (kept in page->index). */
static inline int get_pcppage_migratetype(const struct page *page)
{
	return (int)page->index;
}

static inline void set_pcppage_migratetype(struct page *page, int migratetype)
{
	page->index = (unsigned long)migratetype;
}

static inline bool is_migrate_highatomic(int mt)
{
	return mt == MIGRATE_HIGHATOMIC;
}

/* Models: include/linux/mmzone.h:migratetype_is_mergeable(). */
static inline bool migratetype_is_mergeable(int mt)
{
	return mt < MIGRATE_PCPTYPES;
}

/* ---- pcp list indices ------------------------------------------------------------------ */

static inline bool pcp_allowed_order(unsigned int order)
{
	return order <= PAGE_ALLOC_COSTLY_ORDER || order == pageblock_order;
}

static inline unsigned int order_to_pindex(int migratetype, unsigned int order)
{
	if (order > PAGE_ALLOC_COSTLY_ORDER)
		return NR_LOWORDER_PCP_LISTS + (migratetype == MIGRATE_MOVABLE);
	return MIGRATE_PCPTYPES * order + (unsigned int)migratetype;
}

static inline unsigned int pindex_to_order(unsigned int pindex)
{
	if (pindex >= NR_LOWORDER_PCP_LISTS)
		return pageblock_order;
	return pindex / MIGRATE_PCPTYPES;
}

static inline struct per_cpu_pages *this_cpu_pcp(const struct kmm_kernel *k, struct zone *zone)
{
	return &zone->per_cpu_pageset[smp_processor_id(k)];
}

/* ---- trace events ----------------------------------------------------------------------- */

/*
 * Each event is a bit test where it fires; only an enabled event calls out of the hot path to
 * format its record.
 */
static noinline __cold void emit_page_free(struct kmm_kernel *k, struct page *page,
					   unsigned int order)
{
	trace_emit(k->env, TRACE_mm_page_free, "page=%#" PRIx64 " pfn=0x%lx order=%u",
		   page_struct_va(k, page), page_to_pfn(k, page), order);
}

static inline void trace_page_free(struct kmm_kernel *k, struct page *page, unsigned int order)
{
	if (trace_enabled(k->env, TRACE_mm_page_free))
		emit_page_free(k, page, order);
}

static noinline __cold void emit_page_alloc(struct kmm_kernel *k, struct page *page,
					    unsigned int order, gfp_t gfp, int migratetype)
{
	char flags[256];

	format_gfp(gfp, flags, sizeof(flags));
	trace_emit(k->env, TRACE_mm_page_alloc,
		   "page=%#" PRIx64 " pfn=0x%lx order=%u migratetype=%d gfp_flags=%s",
		   page ? page_struct_va(k, page) : 0, page ? page_to_pfn(k, page) : 0, order,
		   migratetype, gfp ? flags : "none");
}

static inline void trace_page_alloc(struct kmm_kernel *k, struct page *page, unsigned int order,
				    gfp_t gfp, int migratetype)
{
	if (trace_enabled(k->env, TRACE_mm_page_alloc))
		emit_page_alloc(k, page, order, gfp, migratetype);
}

static noinline __cold void emit_zone_locked(struct kmm_kernel *k, struct page *page,
					     unsigned int order, int migratetype,
					     bool percpu_refill)
{
	trace_emit(k->env, TRACE_mm_page_alloc_zone_locked,
		   "page=%#" PRIx64 " pfn=0x%lx order=%u migratetype=%d percpu_refill=%d",
		   page_struct_va(k, page), page_to_pfn(k, page), order, migratetype,
		   percpu_refill);
}

static inline void trace_zone_locked(struct kmm_kernel *k, struct page *page, unsigned int order,
				     int migratetype, bool percpu_refill)
{
	if (trace_enabled(k->env, TRACE_mm_page_alloc_zone_locked))
		emit_zone_locked(k, page, order, migratetype, percpu_refill);
}

static noinline __cold void emit_pcpu_drain(struct kmm_kernel *k, struct page *page,
					    unsigned int order, int migratetype)
{
	trace_emit(k->env, TRACE_mm_page_pcpu_drain,
		   "page=%#" PRIx64 " pfn=0x%lx order=%u migratetype=%d", page_struct_va(k, page),
		   page_to_pfn(k, page), order, migratetype);
}

static inline void trace_pcpu_drain(struct kmm_kernel *k, struct page *page, unsigned int order,
				    int migratetype)
{
	if (trace_enabled(k->env, TRACE_mm_page_pcpu_drain))
		emit_pcpu_drain(k, page, order, migratetype);
}

/* ---- bad pages -------------------------------------------------------------------------- */

static void format_page_flags(unsigned long flags, char *buf, size_t len)
{
	static const char *const names[__NR_PAGEFLAGS] = {
		"locked",	"referenced", "uptodate",     "dirty",	 "lru",
		"active",	"workingset", "waiters",      "error",	 "slab",
		"owner_priv_1", "arch_1",     "reserved",     "private", "private_2",
		"writeback",	"head",	      "mappedtodisk", "reclaim", "swapbacked",
		"unevictable",	"mlocked",
	};
	size_t n = 0;

	for (int i = 0; i < __NR_PAGEFLAGS; i++)
		if (flags >> i & 1)
			n += (size_t)snprintf(buf + n, n < len ? len - n : 0, "%s|", names[i]);
	snprintf(buf + n, n < len ? len - n : 0, "node=%lu|zone=%lu",
		 flags >> NODES_PGSHIFT & NODES_MASK, flags >> ZONES_PGSHIFT & ZONES_MASK);
}

static int page_mapcount_of(const struct page *page)
{
	/* A page with a type (buddy, ...) has no mapcount: the kernel prints mapcount 0. */
	if ((page->page_type & PAGE_TYPE_BASE) == PAGE_TYPE_BASE && page->page_type != 0xffffffffu)
		return 0;
	return page->_mapcount + 1;
}

/*
 * Models: mm/debug.c:dump_page(). Deviation: the two "raw:" lines are left out (they would
 * show host pointers of the list linkage, which differ from run to run).
 */
void dump_page(struct kmm_kernel *k, const struct page *page, const char *reason)
{
	const struct page *head = compound_head(page);
	char flags[512];

	env_printk(k->env,
		   "page:%#" PRIx64 " refcount:%d mapcount:%d mapping:%p index:%#lx pfn:%#lx\n",
		   page_struct_va(k, page), page_count(head), page_mapcount_of(page),
		   PageTail(page) ? NULL : page->mapping, PageTail(page) ? 0 : page->index,
		   page_to_pfn(k, page));
	if (PageCompound(page))
		env_printk(k->env,
			   "head:%#" PRIx64 " order:%u compound_mapcount:%d compound_pincount:%d\n",
			   page_struct_va(k, head), compound_order(head),
			   head[1].compound_mapcount + 1, 0);
	if (head->memcg_data)
		env_printk(k->env, "memcg:%lx\n", head->memcg_data);
	format_page_flags(head->flags, flags, sizeof(flags));
	env_printk(k->env, "flags: %#lx(%s)%s\n", head->flags, flags,
		   get_pageblock_migratetype(k, page) == MIGRATE_CMA ? " CMA" : "");
	if (reason)
		env_printk(k->env, "page dumped because: %s\n", reason);
}

/*
 * Models: mm/page_alloc.c:bad_page(): the report and the taint. The caller leaves the page
 * out of the allocator, as the kernel does (kmm_check counts it as in use).
 */
void bad_page(struct kmm_kernel *k, struct page *page, const char *reason)
{
	env_printk(k->env, "BUG: Bad page state in process %s  pfn:%05lx\n", "kmmsim",
		   page_to_pfn(k, page));
	dump_page(k, page, reason);
	bug_report(k->env, KMM_REPORT_ERROR, BUG_SITE(0, "bad_page", reason),
		   "BUG: Bad page state in process kmmsim  pfn:%05lx\npage dumped because: %s",
		   page_to_pfn(k, page), reason ? reason : "");
	k->env->taint |= 1u << 5; /* TAINT_BAD_PAGE ('B') */
	k->nr_bad_pages++;
}

#define PAGE_FLAGS_CHECK_AT_FREE                                                                   \
	(1UL << PG_lru | 1UL << PG_locked | 1UL << PG_private | 1UL << PG_private_2 |              \
	 1UL << PG_writeback | 1UL << PG_reserved | 1UL << PG_slab | 1UL << PG_active |            \
	 1UL << PG_unevictable | 1UL << PG_mlocked)
/* Every page flag (the node/zone fields live above them). */
#define PAGE_FLAGS_CHECK_AT_PREP ((1UL << __NR_PAGEFLAGS) - 1)

/*
 * _mapcount and _refcount lie side by side: one 8-byte load reads both, and comparing it with
 * the same bytes of a page in the expected state (-1, 0) tests both, whatever the host's byte
 * order.
 */
_Static_assert(offsetof(struct page, _refcount) == offsetof(struct page, _mapcount) + 4,
	       "_mapcount and _refcount must be adjacent");

static inline uint64_t mapcount_refcount_word(const struct page *page)
{
	uint64_t w;

	memcpy(&w, (const char *)page + offsetof(struct page, _mapcount), sizeof(w));
	return w;
}

static const struct page page_in_expected_state = {._mapcount = -1, ._refcount = 0};

/*
 * Models: page_expected_state(): mapcount -1, no mapping, refcount 0, no memcg, none of
 * @check_flags. Branch-free (one test of the fields or-ed together): the tails of an order-9
 * block are 511 of these in a row.
 */
static inline bool page_expected_state(const struct page *page, unsigned long check_flags)
{
	return !((mapcount_refcount_word(page) ^ mapcount_refcount_word(&page_in_expected_state)) |
		 (uintptr_t)page->mapping | page->memcg_data | (page->flags & check_flags));
}

/* Models: page_bad_reason(): the last matching reason wins, as in the kernel. */
static const char *page_bad_reason(const struct page *page, unsigned long flags)
{
	const char *reason = NULL;

	if (page->_mapcount != -1)
		reason = "nonzero mapcount";
	if (page->mapping)
		reason = "non-NULL mapping";
	if (page_ref_count(page) != 0)
		reason = "nonzero _refcount";
	if (page->flags & flags)
		reason = flags == PAGE_FLAGS_CHECK_AT_PREP ? "PAGE_FLAGS_CHECK_AT_PREP flag(s) set"
							   : "PAGE_FLAGS_CHECK_AT_FREE flag(s) set";
	if (page->memcg_data)
		reason = "page still charged to cgroup";
	return reason;
}

/* The report for a page that failed page_expected_state(); out of the fast paths. */
static noinline __cold void bad_page_state(struct kmm_kernel *k, struct page *page,
					   unsigned long check_flags)
{
	bad_page(k, page, page_bad_reason(page, check_flags));
}

static inline bool free_page_is_bad(struct kmm_kernel *k, struct page *page)
{
	if (page_expected_state(page, PAGE_FLAGS_CHECK_AT_FREE))
		return false;
	bad_page_state(k, page, PAGE_FLAGS_CHECK_AT_FREE);
	return true;
}

#define TAIL_MAPPING ((void *)0x400)

/* The checks of free_tail_pages_check() below, with their reports. */
static noinline __cold int bad_tail_page(struct kmm_kernel *k, struct page *head, struct page *page)
{
	if (page - head == 1) {
		if (page->compound_mapcount != -1) {
			bad_page(k, page, "nonzero compound_mapcount");
			return 1;
		}
	} else if (page - head > 2 && page->mapping != TAIL_MAPPING) {
		bad_page(k, page, "corrupted mapping in tail page");
		return 1;
	}
	if (!PageTail(page)) {
		bad_page(k, page, "PageTail not set");
		return 1;
	}
	if (compound_head(page) != head) {
		bad_page(k, page, "compound_head not consistent");
		return 1;
	}
	return 0;
}

/*
 * Models: free_tail_pages_check() (the reference kernel runs it only with DEBUG_VM; we do).
 * The common case, a tail that passes, is one branch-free test: PageTail and
 * compound_head() == head are one compare of compound_head with head | 1.
 */
static inline int free_tail_pages_check(struct kmm_kernel *k, struct page *head, struct page *page)
{
	uint64_t bits = page->compound_head ^ ((uintptr_t)head | 1);
	int ret = 0;

	if (page - head == 1)
		bits |= (unsigned int)page->compound_mapcount + 1u;
	else if (page - head > 2)
		bits |= (uintptr_t)page->mapping ^ (uintptr_t)TAIL_MAPPING;
	if (bits)
		ret = bad_tail_page(k, head, page);
	page->mapping = NULL;
	page->compound_head = 0;
	return ret;
}

/*
 * A page on a list: the model's list_del() leaves lru NULL, memmap init leaves it pointing at
 * itself, and no page outside a list keeps another link there (a compound tail's
 * compound_head, which overlays lru.next, is cleared by free_tail_pages_check() before this
 * runs). A tail of a block being freed that is still linked sits on a pcp list (or another
 * owner's list): the block was freed with a wrong order or its pages were freed one by one
 * already. Not a check of the kernel's (a page on a pcp list looks free there); see
 * docs/fidelity.md.
 */
static inline bool free_tail_is_linked(struct kmm_kernel *k, struct page *page)
{
	if (!page->lru.next || page->lru.next == &page->lru)
		return false;
	bad_page(k, page, "page still on a list (freed already, or a wrong order)");
	return true;
}

/*
 * The tail pages of an order > 0 block in free_pages_prepare(): checked, their flags cleared.
 * Returns the number of bad pages. A wrong order (an order-0 page freed as order 3) shows
 * here: the pages past the real block are free (PageBuddy: "nonzero mapcount"), on a pcp list,
 * or someone else's (a refcount, a flag, PageTail).
 */
static int free_tail_pages_prepare(struct kmm_kernel *k, struct page *page, unsigned int order)
{
	bool compound = PageCompound(page);
	int bad = 0;

	for (unsigned int i = 1; i < (1u << order); i++) {
		if (compound)
			bad += free_tail_pages_check(k, page, page + i);
		if (free_page_is_bad(k, page + i) || free_tail_is_linked(k, page + i)) {
			bad++;
			continue;
		}
		page[i].flags &= ~PAGE_FLAGS_CHECK_AT_PREP;
	}
	if (compound)
		page[1].compound_order = 0;
	return bad;
}

/*
 * Models: free_pages_prepare(): the checks on every page of the block, flags cleared,
 * init_on_free. Returns false when a page was bad: then nothing is freed.
 */
static inline bool free_pages_prepare(struct kmm_kernel *k, struct page *page, unsigned int order,
				      bool check_free)
{
	int bad = 0;

	trace_page_free(k, page, order);
	env_charge_n(k->env, COST_page_prep, 1u << order);
	/* munlock raced with truncation: not a bug, counted in unevictable_pgs_cleared */
	if (PageMlocked(page)) {
		long nr_pages = 1L << order;

		__ClearPageMlocked(page);
		__mod_zone_page_state(page_zone(k, page), NR_MLOCK, -nr_pages);
		count_vm_events(k, UNEVICTABLE_PGS_CLEARED, nr_pages);
	}
	/* DEBUG_VM's VM_BUG_ON_PAGE(compound && compound_order(page) != order): a bad page. */
	if (PageCompound(page) && compound_order(page) != order) {
		bad_page(k, page, "compound order differs from the order freed");
		return false;
	}
	if (order)
		bad = free_tail_pages_prepare(k, page, order);
	/* an anonymous (or movable) page's mapping is a tagged pointer: no longer its business */
	if ((uintptr_t)page->mapping & PAGE_MAPPING_FLAGS)
		page->mapping = NULL;
	if (check_free && free_page_is_bad(k, page))
		bad++;
	if (bad)
		return false;
	page->flags &= ~PAGE_FLAGS_CHECK_AT_PREP;
	page->private = 0;
	if (want_init_on_free(k))
		kernel_init_pages(k, page, 1u << order);
	return true;
}

static inline bool check_new_page(struct kmm_kernel *k, struct page *page)
{
	if (page_expected_state(page, PAGE_FLAGS_CHECK_AT_PREP))
		return false;
	bad_page_state(k, page, PAGE_FLAGS_CHECK_AT_PREP);
	return true;
}

static inline bool check_new_pages(struct kmm_kernel *k, struct page *page, unsigned int order)
{
	for (unsigned int i = 0; i < (1u << order); i++)
		if (check_new_page(k, page + i))
			return true;
	return false;
}

/* ---- merging on free -------------------------------------------------------------------- */

/*
 * Models: mm/internal.h:page_is_buddy(): free, same order, same zone. The node and zone
 * fields are the top bits of page->flags: same node and same zone is one compare of them
 * (the kernel's page_zone_id()).
 */
_Static_assert((NODES_MASK << NODES_PGSHIFT | ZONES_MASK << ZONES_PGSHIFT) == ~0UL << ZONES_PGSHIFT,
	       "node and zone must be all the top bits of page->flags");

static inline bool page_is_buddy(const struct page *page, const struct page *buddy,
				 unsigned int order)
{
	if (!PageBuddy(buddy) || buddy_order(buddy) != order)
		return false;
	return (page->flags ^ buddy->flags) >> ZONES_PGSHIFT == 0;
}

/*
 * Models: mm/internal.h:find_buddy_page_pfn(). @pfn must be a page of the memory map: its
 * buddy below MAX_ORDER then lies in the same memory section, which the map covers whole, so
 * the buddy has a struct page (the kernel relies on the same rule and does not check).
 */
_Static_assert(MAX_ORDER - 1 <= PFN_SECTION_SHIFT, "a buddy block must not cross a section");

/*
 * The struct page of @to_pfn, from @page (that of @from_pfn) in the same memory map. The
 * offset is signed: an unsigned PFN difference would wrap, and the pointer arithmetic with it
 * is undefined even when the result lands back in the map.
 */
static inline struct page *page_at_pfn(struct page *page, unsigned long from_pfn,
				       unsigned long to_pfn)
{
	return page + ((long)to_pfn - (long)from_pfn);
}

static inline struct page *find_buddy_page_pfn(struct page *page, unsigned long pfn,
					       unsigned int order, unsigned long *buddy_pfn)
{
	unsigned long bpfn = pfn ^ (1UL << order);
	struct page *buddy = page_at_pfn(page, pfn, bpfn);

	/* Set even when it is not free, as the kernel does: buddy_merge_likely() uses it. */
	*buddy_pfn = bpfn;
	if (!page_is_buddy(page, buddy, order))
		return NULL;
	return buddy;
}

/*
 * Host memory of free blocks. A free page's contents are not promised (with init_on_free
 * they are zero anyway), so the host memory written behind a free block can go back to the
 * host. Giving it back at every free would make each reuse pay a host page fault: a
 * workload that maps and unmaps the same memory over and over would run at the host
 * kernel's fault rate. So some written memory is kept behind free blocks for reuse: when a
 * block of a pageblock or more is freed and the written RAM exceeds the RAM in use by more
 * than host_slack.limit (an eighth of RAM, 32 MiB to 512 MiB), the block gives its host
 * memory back. The RAM in use is counted as written (it may not be), so the estimate of
 * written free RAM is low and the slack kept is at most the limit.
 */
static void host_slack_free_block(struct kmm_kernel *k, unsigned long pfn, unsigned order)
{
	struct host_slack *hs = &k->host_slack;
	uint64_t used, free_pages = global_zone_page_state(k, NR_FREE_PAGES);

	/* Each time: totalram_pages grows while memblock hands RAM over at boot. */
	hs->limit = clamp_t(uint64_t, ((uint64_t)k->totalram_pages << PAGE_SHIFT) / 8,
			    (uint64_t)32 << 20, (uint64_t)512 << 20);
	used = (uint64_t)(k->totalram_pages > (long)free_pages
				  ? k->totalram_pages - (long)free_pages
				  : 0)
	       << PAGE_SHIFT;
	if (k->env->host_touched <= used + hs->limit)
		return;
	arch_phys_discard(k, PFN_PHYS(pfn), (phys_addr_t)PAGE_SIZE << order);
	hs->given_back += (uint64_t)PAGE_SIZE << order;
}

/*
 * Models: mm/page_alloc.c:buddy_merge_likely(): is the next-larger buddy free already?
 * @buddy_pfn is the buddy of the merged block at its final order; the next-larger block's
 * buddy may lie outside the memory map, which the pfn_valid() test catches.
 */
static bool buddy_merge_likely(const struct kmm_kernel *k, unsigned long pfn,
			       unsigned long buddy_pfn, struct page *page, unsigned int order)
{
	unsigned long higher_page_pfn;

	if (order >= MAX_ORDER - 2)
		return false;
	higher_page_pfn = buddy_pfn & pfn;
	if (!pfn_valid(k, higher_page_pfn ^ (1UL << (order + 1))))
		return false;
	return find_buddy_page_pfn(page_at_pfn(page, pfn, higher_page_pfn), higher_page_pfn,
				   order + 1, &buddy_pfn) != NULL;
}

void __free_one_page(struct kmm_kernel *k, struct page *page, unsigned long pfn, struct zone *zone,
		     unsigned int order, int migratetype, fpi_t fpi_flags)
{
	unsigned long buddy_pfn = 0, combined_pfn;
	struct page *buddy;
	bool to_tail;

	if (!is_migrate_isolate(migratetype))
		__mod_zone_freepage_state(zone, 1L << order, migratetype);

	while (order < MAX_ORDER - 1) {
		/* A direct compactor of this zone takes the block it was waiting for. */
		if (compaction_capture(k, zone, page, order, migratetype)) {
			if (!is_migrate_isolate(migratetype))
				__mod_zone_freepage_state(zone, -(1L << order), migratetype);
			return;
		}
		buddy = find_buddy_page_pfn(page, pfn, order, &buddy_pfn);
		if (!buddy)
			break;
		if (order >= pageblock_order) {
			/* Never merge a pageblock without fallbacks into an ordinary one. */
			int buddy_mt = get_pfnblock_migratetype(k, buddy_pfn);

			if (migratetype != buddy_mt && (!migratetype_is_mergeable(migratetype) ||
							!migratetype_is_mergeable(buddy_mt)))
				break;
		}
		del_page_from_free_list(buddy, zone, order);
		env_charge(k->env, COST_buddy_merge);
		combined_pfn = buddy_pfn & pfn;
		page = page_at_pfn(page, pfn, combined_pfn);
		pfn = combined_pfn;
		order++;
	}
	set_buddy_order(page, order);
	env_charge(k->env, COST_buddy_free);
	if (order >= pageblock_order)
		host_slack_free_block(k, pfn, order);

	if (fpi_flags & FPI_TO_TAIL)
		to_tail = true;
	else
		to_tail = buddy_merge_likely(k, pfn, buddy_pfn, page, order);
	if (to_tail)
		add_to_free_list_tail(page, zone, order, migratetype);
	else
		add_to_free_list(page, zone, order, migratetype);
}

/* Models: free_one_page(): zone->lock, re-reading the type if isolation may have changed it. */
static void free_one_page(struct kmm_kernel *k, struct zone *zone, struct page *page,
			  unsigned long pfn, unsigned int order, int migratetype, fpi_t fpi_flags)
{
	if (has_isolate_pageblock(zone) || is_migrate_isolate(migratetype))
		migratetype = get_pfnblock_migratetype(k, pfn);
	__free_one_page(k, page, pfn, zone, order, migratetype, fpi_flags);
}

/* Models: mm/page_alloc.c:__free_pages_ok(). */
static void __free_pages_ok(struct kmm_kernel *k, struct page *page, unsigned int order,
			    fpi_t fpi_flags)
{
	unsigned long pfn = page_to_pfn(k, page);

	if (!free_pages_prepare(k, page, order, true))
		return;
	free_one_page(k, page_zone(k, page), page, pfn, order, get_pfnblock_migratetype(k, pfn),
		      fpi_flags);
	count_vm_events(k, PGFREE, 1L << order);
}

void __free_pages_core(struct kmm_kernel *k, struct page *page, unsigned int order)
{
	unsigned int nr_pages = 1u << order;

	env_charge_n(k->env, COST_boot_free_page, nr_pages);
	for (unsigned int i = 0; i < nr_pages; i++) {
		__ClearPageReserved(&page[i]);
		set_page_count(&page[i], 0);
	}
	page_zone(k, page)->managed_pages += nr_pages;
	__free_pages_ok(k, page, order, FPI_TO_TAIL);
}

void free_reserved_page(struct kmm_kernel *k, struct page *page)
{
	__ClearPageReserved(page);
	set_page_count(page, 0);
	page_zone(k, page)->managed_pages++;
	k->totalram_pages++;
	__free_pages_ok(k, page, 0, FPI_NONE);
}

/* ---- the pcp lists ---------------------------------------------------------------------- */

/*
 * Models: free_pcppages_bulk(): returns @count pages of @pcp to the buddy lists, round robin
 * over the lists starting after @pindex (so the list just freed to goes last), oldest first.
 */
static void free_pcppages_bulk(struct kmm_kernel *k, struct zone *zone, int count,
			       struct per_cpu_pages *pcp, int pindex)
{
	int min_pindex = 0, max_pindex = NR_PCP_LISTS - 1;
	bool isolated_pageblocks = has_isolate_pageblock(zone);

	count = count < pcp->count ? count : pcp->count;
	pindex = pindex - 1;
	/* zone->lock */
	while (count > 0) {
		struct list_head *list;
		unsigned int order;

		for (;;) {
			if (++pindex > max_pindex)
				pindex = min_pindex;
			list = &pcp->lists[pindex];
			if (!list_empty(list))
				break;
			if (pindex == max_pindex)
				max_pindex--;
			if (pindex == min_pindex)
				min_pindex++;
		}
		order = pindex_to_order((unsigned int)pindex);
		do {
			struct page *page = list_entry(list->prev, struct page, lru);
			int mt = get_pcppage_migratetype(page);

			list_del(&page->lru);
			count -= 1 << order;
			pcp->count -= 1 << order;
			if (free_page_is_bad(k, page))
				continue;
			if (isolated_pageblocks)
				mt = get_pageblock_migratetype(k, page);
			__free_one_page(k, page, page_to_pfn(k, page), zone, order, mt, FPI_NONE);
			trace_pcpu_drain(k, page, order, mt);
		} while (count > 0 && !list_empty(list));
	}
}

/* Models: nr_pcp_free(): how many to free; grows free_factor while frees outpace allocs. */
static int nr_pcp_free(struct per_cpu_pages *pcp, int high, int batch, bool free_high)
{
	int min_nr_free, max_nr_free;

	if (free_high)
		return pcp->count;
	if (high < batch)
		return 1;
	min_nr_free = batch;
	max_nr_free = high - batch;
	batch <<= pcp->free_factor;
	if (batch < max_nr_free && pcp->free_factor < PCP_BATCH_SCALE_MAX)
		pcp->free_factor++;
	return batch < min_nr_free ? min_nr_free : batch > max_nr_free ? max_nr_free : batch;
}

/* Models: nr_pcp_high(): with kswapd reclaiming the zone, keep at most 4 batches. */
static int nr_pcp_high(const struct per_cpu_pages *pcp, const struct zone *zone, bool free_high)
{
	int high = pcp->high;

	if (!high || free_high)
		return 0;
	if (!(zone->flags & (1UL << ZONE_RECLAIM_ACTIVE)))
		return high;
	return (pcp->batch << 2) < high ? pcp->batch << 2 : high;
}

/* Models: free_unref_page_commit(). */
static void free_unref_page_commit(struct kmm_kernel *k, struct zone *zone,
				   struct per_cpu_pages *pcp, struct page *page, int migratetype,
				   unsigned int order)
{
	unsigned int pindex = order_to_pindex(migratetype, order);
	bool free_high;
	int high;

	count_vm_events(k, PGFREE, 1L << order);
	env_charge(k->env, COST_pcp_free);
	list_add(&page->lru, &pcp->lists[pindex]);
	pcp->count += 1 << order;
	/* A high-order free after a run of frees empties the list: the next alloc reuses. */
	free_high = pcp->free_factor && order && order <= PAGE_ALLOC_COSTLY_ORDER;
	high = nr_pcp_high(pcp, zone, free_high);
	if (pcp->count >= high)
		free_pcppages_bulk(k, zone, nr_pcp_free(pcp, high, pcp->batch, free_high), pcp,
				   (int)pindex);
}

/* Models: free_unref_page(): order <= 3 and THP-order frees go to this CPU's pcp list. */
void free_unref_page(struct kmm_kernel *k, struct page *page, unsigned int order)
{
	unsigned long pfn = page_to_pfn(k, page);
	int migratetype, pcpmigratetype;
	struct zone *zone = page_zone(k, page);

	/* free_pcp_prepare(): without DEBUG_VM the head is checked when it leaves the list. */
	if (!free_pages_prepare(k, page, order, false))
		return;
	migratetype = pcpmigratetype = get_pfnblock_migratetype(k, pfn);
	set_pcppage_migratetype(page, migratetype);
	if (migratetype >= MIGRATE_PCPTYPES) {
		if (is_migrate_isolate(migratetype)) {
			/* No PGFREE here: 6.1 counts it in free_unref_page_commit() only. */
			free_one_page(k, zone, page, pfn, order, migratetype, FPI_NONE);
			return;
		}
		pcpmigratetype = MIGRATE_MOVABLE;
	}
	free_unref_page_commit(k, zone, this_cpu_pcp(k, zone), page, pcpmigratetype, order);
}

static void free_the_page(struct kmm_kernel *k, struct page *page, unsigned int order)
{
	if (pcp_allowed_order(order))
		free_unref_page(k, page, order);
	else
		__free_pages_ok(k, page, order, FPI_NONE);
}

/* Models: free_compound_page(): the destructor of an ordinary compound page. */
void free_compound_page(struct kmm_kernel *k, struct page *page)
{
	free_the_page(k, page, compound_order(page));
}

/* Models: drain_pages_zone(): empties one CPU's pcp lists of @zone, in bounded chunks. */
static void drain_pages_zone(struct kmm_kernel *k, int cpu, struct zone *zone)
{
	struct per_cpu_pages *pcp = &zone->per_cpu_pageset[cpu];

	while (pcp->count) {
		int to_drain = pcp->batch << PCP_BATCH_SCALE_MAX;

		free_pcppages_bulk(k, zone, to_drain < pcp->count ? to_drain : pcp->count, pcp, 0);
	}
}

static void drain_pages(struct kmm_kernel *k, int cpu)
{
	pg_data_t *pgdat;

	for_each_online_pgdat(k, pgdat) for (int z = 0; z < MAX_NR_ZONES; z++)
	{
		struct zone *zone = &pgdat->node_zones[z];

		if (populated_zone(zone) && zone->per_cpu_pageset)
			drain_pages_zone(k, cpu, zone);
	}
}

void drain_local_pages(struct kmm_kernel *k, struct zone *zone)
{
	if (zone)
		drain_pages_zone(k, smp_processor_id(k), zone);
	else
		drain_pages(k, smp_processor_id(k));
}

/* Models: __drain_all_pages(zone, false): every CPU that has pcp pages (of @zone) drains. */
void drain_all_pages(struct kmm_kernel *k, struct zone *zone)
{
	for (int cpu = 0; cpu < k->nr_cpus; cpu++) {
		if (zone) {
			if (zone->per_cpu_pageset[cpu].count)
				drain_pages_zone(k, cpu, zone);
		} else {
			drain_pages(k, cpu);
		}
	}
}

/* ---- removing pages from the buddy lists ------------------------------------------------- */

/* Models: expand(): split a 2^high block down to 2^low, the upper halves back on the lists. */
static inline void expand(struct zone *zone, struct page *page, unsigned int low, unsigned int high,
			  int migratetype)
{
	unsigned long size = 1UL << high;

	while (high > low) {
		high--;
		size >>= 1;
		add_to_free_list(&page[size], zone, high, migratetype);
		set_buddy_order(&page[size], high);
	}
}

/* Models: __rmqueue_smallest(): the smallest block of @migratetype that fits. */
static struct page *__rmqueue_smallest(struct kmm_kernel *k, struct zone *zone, unsigned int order,
				       int migratetype)
{
	for (unsigned int current_order = order; current_order < MAX_ORDER; ++current_order) {
		struct free_area *area = &zone->free_area[current_order];
		struct page *page = get_page_from_free_area(area, migratetype);

		if (!page)
			continue;
		del_page_from_free_list(page, zone, current_order);
		env_charge(k->env, COST_buddy_rmqueue);
		env_charge_n(k->env, COST_buddy_split, current_order - order);
		expand(zone, page, order, current_order, migratetype);
		set_pcppage_migratetype(page, migratetype);
		trace_zone_locked(k, page, order, migratetype,
				  pcp_allowed_order(order) && migratetype < MIGRATE_PCPTYPES);
		return page;
	}
	return NULL;
}

/* The 6.1 fallback order; the other types have none. */
static const int fallbacks[MIGRATE_TYPES][3] = {
	[MIGRATE_UNMOVABLE] = {MIGRATE_RECLAIMABLE, MIGRATE_MOVABLE, MIGRATE_TYPES},
	[MIGRATE_MOVABLE] = {MIGRATE_RECLAIMABLE, MIGRATE_UNMOVABLE, MIGRATE_TYPES},
	[MIGRATE_RECLAIMABLE] = {MIGRATE_UNMOVABLE, MIGRATE_MOVABLE, MIGRATE_TYPES},
	[MIGRATE_HIGHATOMIC] = {MIGRATE_TYPES},
	[MIGRATE_CMA] = {MIGRATE_TYPES},
	[MIGRATE_ISOLATE] = {MIGRATE_TYPES},
};

/*
 * Models: move_freepages(): move the free blocks in [start_pfn, end_pfn] to @migratetype's
 * lists; count pages that look movable (on the LRU) in *num_movable.
 */
static int move_freepages(struct kmm_kernel *k, struct zone *zone, unsigned long start_pfn,
			  unsigned long end_pfn, int migratetype, int *num_movable)
{
	int pages_moved = 0;

	for (unsigned long pfn = start_pfn; pfn <= end_pfn;) {
		struct page *page = pfn_to_page(k, pfn);
		unsigned int order;

		if (!PageBuddy(page)) {
			if (num_movable && test_page_flag(page, PG_lru))
				(*num_movable)++;
			pfn++;
			continue;
		}
		order = buddy_order(page);
		move_to_free_list(page, zone, order, migratetype);
		pfn += 1UL << order;
		pages_moved += 1 << order;
	}
	return pages_moved;
}

int move_freepages_block(struct kmm_kernel *k, struct zone *zone, struct page *page,
			 int migratetype, int *num_movable)
{
	unsigned long pfn = page_to_pfn(k, page);
	unsigned long start_pfn = pfn & ~(pageblock_nr_pages - 1);
	unsigned long end_pfn = start_pfn + pageblock_nr_pages - 1;

	if (num_movable)
		*num_movable = 0;
	/* Do not cross zone boundaries. */
	if (!zone_spans_pfn(zone, start_pfn))
		start_pfn = pfn;
	if (!zone_spans_pfn(zone, end_pfn))
		return 0;
	return move_freepages(k, zone, start_pfn, end_pfn, migratetype, num_movable);
}

static void change_pageblock_range(struct kmm_kernel *k, struct page *pageblock_page,
				   unsigned int start_order, int migratetype)
{
	int nr_pageblocks = 1 << (start_order - pageblock_order);

	while (nr_pageblocks--) {
		set_pageblock_migratetype(k, pageblock_page, migratetype);
		pageblock_page += pageblock_nr_pages;
	}
}

/* Models: can_steal_fallback(): may this request claim the whole fallback pageblock? */
static bool can_steal_fallback(unsigned int order, int start_mt)
{
	if (order >= pageblock_order)
		return true;
	return order >= pageblock_order / 2 || start_mt == MIGRATE_RECLAIMABLE ||
	       start_mt == MIGRATE_UNMOVABLE;
}

/* Models: boost_watermark(): raise the watermarks by a pageblock, up to the factor's cap. */
static bool boost_watermark(const struct kmm_kernel *k, struct zone *zone)
{
	unsigned long max_boost;

	if (!k->watermark_boost_factor)
		return false;
	/* Too small a zone: boosting would be disruptive. */
	if (pageblock_nr_pages * 4 > zone_managed_pages(zone))
		return false;
	max_boost =
		zone->_watermark[WMARK_HIGH] / 10000 * (unsigned long)k->watermark_boost_factor +
		zone->_watermark[WMARK_HIGH] % 10000 * (unsigned long)k->watermark_boost_factor /
			10000; /* mult_frac */
	if (!max_boost)
		return false;
	max_boost = max_boost > pageblock_nr_pages ? max_boost : pageblock_nr_pages;
	zone->watermark_boost = zone->watermark_boost + pageblock_nr_pages < max_boost
					? zone->watermark_boost + pageblock_nr_pages
					: max_boost;
	return true;
}

/*
 * Models: steal_suitable_fallback(): take @page for @start_type; claim its whole pageblock
 * when enough of the block is free or already of a compatible type.
 */
static void steal_suitable_fallback(struct kmm_kernel *k, struct zone *zone, struct page *page,
				    unsigned int alloc_flags, int start_type, bool whole_block)
{
	unsigned int current_order = buddy_order(page);
	int free_pages, movable_pages, alike_pages;
	int old_block_type = get_pageblock_migratetype(k, page);

	if (is_migrate_highatomic(old_block_type))
		goto single_page;
	if (current_order >= pageblock_order) {
		change_pageblock_range(k, page, current_order, start_type);
		goto single_page;
	}
	if (boost_watermark(k, zone) && (alloc_flags & ALLOC_KSWAPD))
		zone->flags |= 1UL << ZONE_BOOSTED_WATERMARK;
	if (!whole_block)
		goto single_page;
	free_pages = move_freepages_block(k, zone, page, start_type, &movable_pages);
	if (start_type == MIGRATE_MOVABLE)
		alike_pages = movable_pages;
	else if (old_block_type == MIGRATE_MOVABLE)
		alike_pages = (int)pageblock_nr_pages - (free_pages + movable_pages);
	else
		alike_pages = 0;
	/* Zone boundary: the block could not be moved. */
	if (!free_pages)
		goto single_page;
	if (free_pages + alike_pages >= (1 << (pageblock_order - 1)))
		set_pageblock_migratetype(k, page, start_type);
	return;

single_page:
	move_to_free_list(page, zone, current_order, start_type);
}

/* Models: find_suitable_fallback(): the first fallback type with a free block at @order. */
static int find_suitable_fallback(struct free_area *area, unsigned int order, int migratetype,
				  bool only_stealable, bool *can_steal)
{
	*can_steal = false;
	if (area->nr_free == 0)
		return -1;
	for (int i = 0;; i++) {
		int fallback_mt = fallbacks[migratetype][i];

		if (fallback_mt == MIGRATE_TYPES)
			break;
		if (free_area_empty(area, fallback_mt))
			continue;
		if (can_steal_fallback(order, migratetype))
			*can_steal = true;
		if (!only_stealable || *can_steal)
			return fallback_mt;
	}
	return -1;
}

/*
 * Models: __rmqueue_fallback(): steal from another type — the largest block first (to
 * claim whole pageblocks and limit mixing), except that movable requests which could not
 * claim a block take the smallest one.
 */
static bool __rmqueue_fallback(struct kmm_kernel *k, struct zone *zone, unsigned int order,
			       int start_migratetype, unsigned int alloc_flags)
{
	int current_order, min_order = (int)order, fallback_mt = -1;
	struct free_area *area = NULL;
	bool can_steal = false;
	struct page *page;

	if (order < pageblock_order && (alloc_flags & ALLOC_NOFRAGMENT))
		min_order = pageblock_order;
	for (current_order = MAX_ORDER - 1; current_order >= min_order; --current_order) {
		area = &zone->free_area[current_order];
		fallback_mt = find_suitable_fallback(area, (unsigned int)current_order,
						     start_migratetype, false, &can_steal);
		if (fallback_mt == -1)
			continue;
		if (!can_steal && start_migratetype == MIGRATE_MOVABLE &&
		    current_order > (int)order)
			goto find_smallest;
		goto do_steal;
	}
	return false;

find_smallest:
	for (current_order = (int)order; current_order < MAX_ORDER; current_order++) {
		area = &zone->free_area[current_order];
		fallback_mt = find_suitable_fallback(area, (unsigned int)current_order,
						     start_migratetype, false, &can_steal);
		if (fallback_mt != -1)
			break;
	}
	if (current_order == MAX_ORDER)
		return false;

do_steal:
	page = get_page_from_free_area(area, fallback_mt);
	steal_suitable_fallback(k, zone, page, alloc_flags, start_migratetype, can_steal);
	if (trace_enabled(k->env, TRACE_mm_page_alloc_extfrag))
		trace_emit(k->env, TRACE_mm_page_alloc_extfrag,
			   "page=%#" PRIx64 " pfn=0x%lx alloc_order=%u fallback_order=%d "
			   "pageblock_order=%d alloc_migratetype=%d fallback_migratetype=%d "
			   "fragmenting=%d change_ownership=%d",
			   page_struct_va(k, page), page_to_pfn(k, page), order, current_order,
			   pageblock_order, start_migratetype, fallback_mt,
			   current_order < pageblock_order,
			   start_migratetype == get_pageblock_migratetype(k, page));
	return true;
}

/* Models: __rmqueue(): own type, then CMA (for movable), then fallback — with CMA balancing. */
static struct page *__rmqueue(struct kmm_kernel *k, struct zone *zone, unsigned int order,
			      int migratetype, unsigned int alloc_flags)
{
	struct page *page;

	/* Balance CMA use: take from CMA first while it holds over half the free pages. */
	if ((alloc_flags & ALLOC_CMA) &&
	    zone_page_state(zone, NR_FREE_CMA_PAGES) > zone_page_state(zone, NR_FREE_PAGES) / 2) {
		page = __rmqueue_smallest(k, zone, order, MIGRATE_CMA);
		if (page)
			return page;
	}
	for (;;) {
		page = __rmqueue_smallest(k, zone, order, migratetype);
		if (page)
			return page;
		if (alloc_flags & ALLOC_CMA) {
			page = __rmqueue_smallest(k, zone, order, MIGRATE_CMA);
			if (page)
				return page;
		}
		if (!__rmqueue_fallback(k, zone, order, migratetype, alloc_flags))
			return NULL;
	}
}

/*
 * Host side only (no kernel counterpart): the blocks just moved onto a pcp list are handed
 * out next, so the host memory behind them is committed now, one populate request per run
 * of adjacent blocks, instead of one host page fault per page at its first write (phys.h,
 * "Committing ahead"). Only for order-0 movable lists, the user pages of faults: a larger
 * block (a THP-sized one on its pcp list above all) may never be written whole, and the
 * kernel's own unmovable pages are few and written by their users anyway.
 */
static void pcp_commit_host(struct kmm_kernel *k, struct list_head *list, unsigned int order)
{
	unsigned long start = 0, end = 0;

	for (struct list_head *e = list->next; e != list; e = e->next) {
		unsigned long pfn = page_to_pfn(k, list_entry(e, struct page, lru));

		if (end && pfn == end) {
			end += 1UL << order;
			continue;
		}
		if (end)
			arch_phys_commit(k, PFN_PHYS(start), PFN_PHYS(end - start));
		start = pfn;
		end = pfn + (1UL << order);
	}
	if (end)
		arch_phys_commit(k, PFN_PHYS(start), PFN_PHYS(end - start));
}

/* Models: rmqueue_bulk(): @count blocks onto a pcp list under one zone->lock. */
static noinline int rmqueue_bulk(struct kmm_kernel *k, struct zone *zone, unsigned int order,
				 unsigned long count, struct list_head *list, int migratetype,
				 unsigned int alloc_flags)
{
	int allocated = 0;
	unsigned long i;

	for (i = 0; i < count; ++i) {
		struct page *page = __rmqueue(k, zone, order, migratetype, alloc_flags);

		if (!page)
			break;
		/* check_pcp_refill(): without DEBUG_VM pages are checked as they enter the list */
		if (check_new_pages(k, page, order))
			continue;
		list_add_tail(&page->lru, list);
		allocated++;
		if (is_migrate_cma(get_pcppage_migratetype(page)))
			__mod_zone_page_state(zone, NR_FREE_CMA_PAGES, -(1L << order));
	}
	__mod_zone_page_state(zone, NR_FREE_PAGES, -(long)(i << order));
	if (!order && migratetype == MIGRATE_MOVABLE)
		pcp_commit_host(k, list, order);
	return allocated;
}

/* Models: zone_statistics(): numa_hit/miss/foreign/local/other, one per allocation. */
static void zone_statistics(const struct kmm_kernel *k, struct zone *preferred_zone, struct zone *z,
			    long nr_account)
{
	enum numa_stat_item local_stat =
		zone_to_nid(z) == numa_node_id(k) ? NUMA_LOCAL : NUMA_OTHER;

	if (zone_to_nid(z) == zone_to_nid(preferred_zone)) {
		z->vm_numa_event[NUMA_HIT] += (unsigned long)nr_account;
	} else {
		z->vm_numa_event[NUMA_MISS] += (unsigned long)nr_account;
		preferred_zone->vm_numa_event[NUMA_FOREIGN] += (unsigned long)nr_account;
	}
	z->vm_numa_event[local_stat] += (unsigned long)nr_account;
}

static inline void count_pgalloc(struct kmm_kernel *k, const struct page *page, long nr)
{
	count_vm_events(k, (enum vm_event_item)(PGALLOC_DMA + page_zonenum(page)), nr);
}

/* Models: rmqueue_buddy(): straight from the buddy lists, with the highatomic reserve rules. */
static noinline struct page *rmqueue_buddy(struct kmm_kernel *k, struct zone *preferred_zone,
					   struct zone *zone, unsigned int order,
					   unsigned int alloc_flags, int migratetype)
{
	struct page *page;

	do {
		page = NULL;
		/* zone->lock */
		if (alloc_flags & ALLOC_HIGHATOMIC)
			page = __rmqueue_smallest(k, zone, order, MIGRATE_HIGHATOMIC);
		if (!page) {
			page = __rmqueue(k, zone, order, migratetype, alloc_flags);
			/* Reserves are for those who may dip below min, when all else failed. */
			if (!page && (alloc_flags & (ALLOC_OOM | ALLOC_NON_BLOCK)))
				page = __rmqueue_smallest(k, zone, order, MIGRATE_HIGHATOMIC);
			if (!page)
				return NULL;
		}
		__mod_zone_freepage_state(zone, -(1L << order), get_pcppage_migratetype(page));
	} while (check_new_pages(k, page, order));
	count_pgalloc(k, page, 1L << order);
	zone_statistics(k, preferred_zone, zone, 1);
	return page;
}

/* Models: __rmqueue_pcplist(): refill an empty list with a batch, then take its head. */
static struct page *__rmqueue_pcplist(struct kmm_kernel *k, struct zone *zone, unsigned int order,
				      int migratetype, unsigned int alloc_flags,
				      struct per_cpu_pages *pcp, struct list_head *list)
{
	struct page *page;

	if (list_empty(list)) {
		int batch = pcp->batch, alloced;

		/* Scale the batch down for higher orders, but refill at least two. */
		if (batch > 1)
			batch = batch >> order > 2 ? batch >> order : 2;
		alloced = rmqueue_bulk(k, zone, order, (unsigned long)batch, list, migratetype,
				       alloc_flags);
		pcp->count += alloced << order;
		if (list_empty(list))
			return NULL;
	}
	page = list_first_entry(list, struct page, lru);
	list_del(&page->lru);
	pcp->count -= 1 << order;
	env_charge(k->env, COST_pcp_alloc);
	return page;
}

static struct page *rmqueue_pcplist(struct kmm_kernel *k, struct zone *preferred_zone,
				    struct zone *zone, unsigned int order, int migratetype,
				    unsigned int alloc_flags)
{
	struct per_cpu_pages *pcp = this_cpu_pcp(k, zone);
	struct page *page;

	/* An allocation halves the free-side batch scaling. */
	pcp->free_factor >>= 1;
	page = __rmqueue_pcplist(k, zone, order, migratetype, alloc_flags, pcp,
				 &pcp->lists[order_to_pindex(migratetype, order)]);
	if (page) {
		count_pgalloc(k, page, 1L << order);
		zone_statistics(k, preferred_zone, zone, 1);
	}
	return page;
}

/* Models: rmqueue(). Movable requests that may not use CMA skip the pcp lists. */
static struct page *rmqueue(struct kmm_kernel *k, struct zone *preferred_zone, struct zone *zone,
			    unsigned int order, gfp_t gfp, unsigned int alloc_flags,
			    int migratetype)
{
	struct page *page = NULL;

	(void)gfp;
	if (pcp_allowed_order(order) &&
	    ((alloc_flags & ALLOC_CMA) || migratetype != MIGRATE_MOVABLE))
		page = rmqueue_pcplist(k, preferred_zone, zone, order, migratetype, alloc_flags);
	if (!page)
		page = rmqueue_buddy(k, preferred_zone, zone, order, alloc_flags, migratetype);
	if (zone->flags & (1UL << ZONE_BOOSTED_WATERMARK)) {
		zone->flags &= ~(1UL << ZONE_BOOSTED_WATERMARK);
		wakeup_kswapd(k, zone, 0, 0, (enum zone_type)zone_idx(zone));
	}
	return page;
}

/* ---- watermark checks ------------------------------------------------------------------- */

/* Models: __zone_watermark_unusable_free(). */
static long __zone_watermark_unusable_free(const struct zone *z, unsigned int order,
					   unsigned int alloc_flags)
{
	long unusable_free = (1L << order) - 1;

	/* Without access to reserves, the highatomic pageblocks do not count. */
	if (!(alloc_flags & ALLOC_RESERVES))
		unusable_free += (long)z->nr_reserved_highatomic;
	/* Requests that may not use CMA cannot count its free pages either. */
	if (!(alloc_flags & ALLOC_CMA))
		unusable_free += (long)zone_page_state(z, NR_FREE_CMA_PAGES);
	return unusable_free;
}

bool __zone_watermark_ok(const struct zone *z, unsigned int order, unsigned long mark,
			 int highest_zoneidx, unsigned int alloc_flags, long free_pages)
{
	long min = (long)mark;

	free_pages -= __zone_watermark_unusable_free(z, order, alloc_flags);
	if (alloc_flags & ALLOC_RESERVES) {
		/* __GFP_HIGH may use half of min; non-blocking ones a further quarter. */
		if (alloc_flags & ALLOC_MIN_RESERVE) {
			min -= min / 2;
			if (alloc_flags & ALLOC_NON_BLOCK)
				min -= min / 4;
		}
		/* OOM victims may go deeper still. */
		if (alloc_flags & ALLOC_OOM)
			min -= min / 2;
	}
	if (free_pages <= min + z->lowmem_reserve[highest_zoneidx])
		return false;
	if (!order)
		return true;
	/* High orders: one free block of a usable type, at this order or above. */
	for (unsigned int o = order; o < MAX_ORDER; o++) {
		const struct free_area *area = &z->free_area[o];

		if (!area->nr_free)
			continue;
		for (int mt = 0; mt < MIGRATE_PCPTYPES; mt++)
			if (!free_area_empty(area, mt))
				return true;
		if ((alloc_flags & ALLOC_CMA) && !free_area_empty(area, MIGRATE_CMA))
			return true;
		if ((alloc_flags & (ALLOC_HIGHATOMIC | ALLOC_OOM)) &&
		    !free_area_empty(area, MIGRATE_HIGHATOMIC))
			return true;
	}
	return false;
}

bool zone_watermark_ok(const struct zone *z, unsigned int order, unsigned long mark,
		       int highest_zoneidx, unsigned int alloc_flags)
{
	return __zone_watermark_ok(z, order, mark, highest_zoneidx, alloc_flags,
				   (long)zone_page_state(z, NR_FREE_PAGES));
}

/* Models: zone_watermark_fast(): the order-0 shortcut, and atomic requests ignoring boost. */
static bool zone_watermark_fast(const struct zone *z, unsigned int order, unsigned long mark,
				int highest_zoneidx, unsigned int alloc_flags, gfp_t gfp)
{
	long free_pages = (long)zone_page_state(z, NR_FREE_PAGES);

	if (!order) {
		long usable_free = free_pages;
		long reserved = __zone_watermark_unusable_free(z, 0, alloc_flags);

		usable_free -= usable_free < reserved ? usable_free : reserved;
		if (usable_free > (long)mark + z->lowmem_reserve[highest_zoneidx])
			return true;
	}
	if (__zone_watermark_ok(z, order, mark, highest_zoneidx, alloc_flags, free_pages))
		return true;
	/* A boosted watermark must not fail atomic order-0 requests that meet the real one. */
	if (!order && (gfp & __GFP_ATOMIC) && z->watermark_boost &&
	    (alloc_flags & ALLOC_WMARK_MASK) == WMARK_MIN) {
		mark = z->_watermark[WMARK_MIN];
		return __zone_watermark_ok(z, order, mark, highest_zoneidx, alloc_flags,
					   free_pages);
	}
	return false;
}

/* ---- highatomic reserves ----------------------------------------------------------------- */

/* Models: reserve_highatomic_pageblock(): up to 1% of the zone plus a pageblock. */
static noinline void reserve_highatomic_pageblock(struct kmm_kernel *k, struct page *page,
						  struct zone *zone)
{
	unsigned long max_managed = zone_managed_pages(zone) / 100 + pageblock_nr_pages;
	int mt;

	if (zone->nr_reserved_highatomic >= max_managed)
		return;
	/* zone->lock */
	mt = get_pageblock_migratetype(k, page);
	if (migratetype_is_mergeable(mt)) {
		zone->nr_reserved_highatomic += pageblock_nr_pages;
		set_pageblock_migratetype(k, page, MIGRATE_HIGHATOMIC);
		move_freepages_block(k, zone, page, MIGRATE_HIGHATOMIC, NULL);
	}
}

/*
 * Models: unreserve_highatomic_pageblock(): give one highatomic block back to the
 * requester's type. Without @force, keep at least one pageblock reserved.
 */
static bool unreserve_highatomic_pageblock(struct kmm_kernel *k, const struct alloc_context *ac,
					   bool force)
{
	struct zoneref *z;
	struct zone *zone;

	for_each_zone_zonelist_nodemask(zone, z, ac->zonelist, ac->highest_zoneidx, ac->nodemask)
	{
		if (!force && zone->nr_reserved_highatomic <= pageblock_nr_pages)
			continue;
		/* zone->lock */
		for (unsigned int order = 0; order < MAX_ORDER; order++) {
			struct page *page = get_page_from_free_area(&zone->free_area[order],
								    MIGRATE_HIGHATOMIC);

			if (!page)
				continue;
			/* The block may have changed type under a fallback steal. */
			if (is_migrate_highatomic(get_pageblock_migratetype(k, page)))
				zone->nr_reserved_highatomic -=
					zone->nr_reserved_highatomic < pageblock_nr_pages
						? zone->nr_reserved_highatomic
						: pageblock_nr_pages;
			set_pageblock_migratetype(k, page, ac->migratetype);
			if (move_freepages_block(k, zone, page, ac->migratetype, NULL))
				return true;
		}
	}
	return false;
}

/* ---- the allocation paths ---------------------------------------------------------------- */

static struct zonelist *node_zonelist(const struct kmm_kernel *k, int nid, gfp_t gfp)
{
	return &NODE_DATA(k, nid)->node_zonelists[gfp & __GFP_THISNODE ? ZONELIST_NOFALLBACK
								       : ZONELIST_FALLBACK];
}

static struct zoneref *first_zones_zonelist(struct zonelist *zonelist,
					    enum zone_type highest_zoneidx, const nodemask_t *nodes)
{
	return next_zones_zonelist(zonelist->_zonerefs, highest_zoneidx, nodes);
}

/* Models: prep_compound_page(). */
void prep_compound_page(struct page *page, unsigned int order)
{
	unsigned int nr = 1u << order;

	set_page_flag(page, PG_head);
	for (unsigned int i = 1; i < nr; i++) {
		page[i].mapping = TAIL_MAPPING;
		page[i].compound_head = (unsigned long)page | 1;
		/* page[1]'s private overlays compound_order/dtor below: set them after */
	}
	page[1].compound_dtor = COMPOUND_PAGE_DTOR;
	page[1].compound_order = (unsigned char)order;
	page[1].compound_mapcount = -1;
	page[1].compound_pincount = 0;
	page[1].compound_nr = nr;
}

/* Models: post_alloc_hook(): one reference, and zeroed when init_on_alloc or __GFP_ZERO. */
void post_alloc_hook(struct kmm_kernel *k, struct page *page, unsigned int order, gfp_t gfp)
{
	page->private = 0;
	set_page_count(page, 1);
	if (!want_init_on_free(k) && want_init_on_alloc(k, gfp))
		kernel_init_pages(k, page, 1u << order);
}

/*
 * post_alloc_hook() for a page the caller overwrites whole before anyone reads it (compaction's
 * migration targets): the zeroing is charged now, the host memset is left to the caller, who
 * does it (arch_phys_zero) only if the page goes back unused. Returns whether it is owed.
 */
bool post_alloc_hook_zero_owed(struct kmm_kernel *k, struct page *page, gfp_t gfp)
{
	page->private = 0;
	set_page_count(page, 1);
	if (want_init_on_free(k) || !want_init_on_alloc(k, gfp))
		return false;
	env_charge_n(k->env, COST_page_zero, 1);
	return true;
}

/* Models: prep_new_page(). */
static void prep_new_page(struct kmm_kernel *k, struct page *page, unsigned int order, gfp_t gfp,
			  unsigned int alloc_flags)
{
	(void)alloc_flags;
	env_charge_n(k->env, COST_page_prep, 1u << order);
	post_alloc_hook(k, page, order, gfp);
	if (order && (gfp & __GFP_COMP))
		prep_compound_page(page, order);
}

/* Models: alloc_flags_nofragment(): a Normal-zone request avoids fragmenting when DMA32 has room.
 */
static unsigned int alloc_flags_nofragment(const struct kmm_kernel *k, struct zone *zone, gfp_t gfp)
{
	unsigned int alloc_flags = gfp & __GFP_KSWAPD_RECLAIM; /* == ALLOC_KSWAPD */

	if (!zone || zone_idx(zone) != ZONE_NORMAL)
		return alloc_flags;
	/* With several nodes, only when the node has a populated DMA32 to fall back to. */
	if (k->nr_online_nodes > 1 && !populated_zone(zone - 1))
		return alloc_flags;
	return alloc_flags | ALLOC_NOFRAGMENT;
}

static unsigned int gfp_to_alloc_flags_cma(gfp_t gfp, unsigned int alloc_flags)
{
	if (gfp_migratetype(gfp) == MIGRATE_MOVABLE)
		alloc_flags |= ALLOC_CMA;
	return alloc_flags;
}

/*
 * Models: get_page_from_freelist(): walk the zonelist; take from the first zone whose
 * watermark allows it. ALLOC_NOFRAGMENT first keeps to the local node, then is dropped.
 */
static struct page *get_page_from_freelist(struct kmm_kernel *k, gfp_t gfp, unsigned int order,
					   unsigned int alloc_flags, const struct alloc_context *ac)
{
	struct zoneref *z;
	struct zone *zone;
	bool no_fallback;

retry:
	no_fallback = alloc_flags & ALLOC_NOFRAGMENT;
	z = ac->preferred_zoneref;
	for_next_zone_zonelist_nodemask(zone, z, ac->highest_zoneidx, ac->nodemask)
	{
		struct page *page;
		unsigned long mark;

		if (!zone->per_cpu_pageset)
			continue;
		if (no_fallback && k->nr_online_nodes > 1 && zone != ac->preferred_zoneref->zone &&
		    zone_to_nid(zone) != zone_to_nid(ac->preferred_zoneref->zone)) {
			/* Fragmenting locally beats using a remote node. */
			alloc_flags &= ~ALLOC_NOFRAGMENT;
			goto retry;
		}
		mark = wmark_pages(zone, alloc_flags & ALLOC_WMARK_MASK);
		if (!zone_watermark_fast(zone, order, mark, (int)ac->highest_zoneidx, alloc_flags,
					 gfp)) {
			/* node_reclaim_mode is 0: no node reclaim, go to the next zone. */
			if (!(alloc_flags & ALLOC_NO_WATERMARKS))
				continue;
		}
		page = rmqueue(k, ac->preferred_zoneref->zone, zone, order, gfp, alloc_flags,
			       ac->migratetype);
		if (page) {
			prep_new_page(k, page, order, gfp, alloc_flags);
			/* An atomic high-order success reserves a pageblock for the next one. */
			if (alloc_flags & ALLOC_HIGHATOMIC)
				reserve_highatomic_pageblock(k, page, zone);
			return page;
		}
	}
	if (no_fallback) {
		alloc_flags &= ~ALLOC_NOFRAGMENT;
		goto retry;
	}
	return NULL;
}

/* Models: gfp_to_alloc_flags() (6.1.192). */
static unsigned int gfp_to_alloc_flags(gfp_t gfp, unsigned int order)
{
	unsigned int alloc_flags = ALLOC_WMARK_MIN | ALLOC_CPUSET;

	/* __GFP_HIGH == ALLOC_MIN_RESERVE and __GFP_KSWAPD_RECLAIM == ALLOC_KSWAPD. */
	alloc_flags |= gfp & (__GFP_HIGH | __GFP_KSWAPD_RECLAIM);
	if (!(gfp & __GFP_DIRECT_RECLAIM)) {
		/* Cannot block: a share of the min reserve unless told not to use reserves. */
		if (!(gfp & __GFP_NOMEMALLOC)) {
			alloc_flags |= ALLOC_NON_BLOCK;
			if (order > 0 && (alloc_flags & ALLOC_MIN_RESERVE))
				alloc_flags |= ALLOC_HIGHATOMIC;
		}
		if (alloc_flags & ALLOC_MIN_RESERVE)
			alloc_flags &= ~ALLOC_CPUSET;
	}
	return gfp_to_alloc_flags_cma(gfp, alloc_flags);
}

/*
 * Models: __gfp_pfmemalloc_flags(): __GFP_MEMALLOC ignores the watermarks; an OOM victim
 * (oom_reserves_allowed) may dig into the reserves (ALLOC_OOM) to get to its exit.
 */
static unsigned int __gfp_pfmemalloc_flags(const struct kmm_kernel *k, gfp_t gfp)
{
	if (gfp & __GFP_NOMEMALLOC)
		return 0;
	if (gfp & __GFP_MEMALLOC)
		return ALLOC_NO_WATERMARKS;
	if (current_is_memalloc(k))
		return ALLOC_NO_WATERMARKS;
	if (tsk_is_oom_victim(get_current_task(k)))
		return ALLOC_OOM;
	return 0;
}

static void wake_all_kswapds(struct kmm_kernel *k, unsigned int order, gfp_t gfp,
			     const struct alloc_context *ac)
{
	pg_data_t *last_pgdat = NULL;
	struct zoneref *z;
	struct zone *zone;

	for_each_zone_zonelist_nodemask(zone, z, ac->zonelist, ac->highest_zoneidx, ac->nodemask)
	{
		if (!managed_zone(zone))
			continue;
		if (last_pgdat != zone->zone_pgdat) {
			wakeup_kswapd(k, zone, gfp, (int)order, ac->highest_zoneidx);
			last_pgdat = zone->zone_pgdat;
		}
	}
}

/* Models: __alloc_pages_direct_reclaim(): reclaim, then retry once more after draining. */
static struct page *__alloc_pages_direct_reclaim(struct kmm_kernel *k, gfp_t gfp,
						 unsigned int order, unsigned int alloc_flags,
						 const struct alloc_context *ac,
						 unsigned long *did_some_progress)
{
	struct page *page;
	bool drained = false;
	unsigned int noreclaim;

	/* __perform_reclaim(): the task reclaims with PF_MEMALLOC set */
	noreclaim = memalloc_noreclaim_save(k);
	*did_some_progress = try_to_free_pages(k, ac->zonelist, (int)order, gfp, ac->nodemask);
	memalloc_noreclaim_restore(k, noreclaim);
	if (!*did_some_progress)
		return NULL;
retry:
	page = get_page_from_freelist(k, gfp, order, alloc_flags, ac);
	if (!page && !drained) {
		unreserve_highatomic_pageblock(k, ac, false);
		drain_all_pages(k, NULL);
		drained = true;
		goto retry;
	}
	return page;
}

/* Models: __alloc_pages_direct_compact(). */
static struct page *__alloc_pages_direct_compact(struct kmm_kernel *k, gfp_t gfp,
						 unsigned int order, unsigned int alloc_flags,
						 const struct alloc_context *ac,
						 enum compact_priority prio,
						 enum compact_result *compact_result)
{
	struct page *page = NULL;

	if (!order)
		return NULL;
	*compact_result = try_to_compact_pages(k, gfp, order, alloc_flags, ac, prio, &page);
	if (*compact_result == COMPACT_SKIPPED)
		return NULL;
	count_vm_events(k, COMPACTSTALL, 1);
	if (page)
		prep_new_page(k, page, order, gfp, alloc_flags);
	if (!page)
		page = get_page_from_freelist(k, gfp, order, alloc_flags, ac);
	if (page) {
		struct zone *zone = page_zone(k, page);

		zone->compact_blockskip_flush = false;
		compaction_defer_reset(k, zone, (int)order, true);
		count_vm_events(k, COMPACTSUCCESS, 1);
		return page;
	}
	count_vm_events(k, COMPACTFAIL, 1);
	return NULL;
}

static bool compaction_made_progress(enum compact_result result)
{
	return result == COMPACT_SUCCESS;
}

static bool compaction_failed(enum compact_result result)
{
	return result == COMPACT_COMPLETE;
}

static bool compaction_withdrawn(enum compact_result result)
{
	return result == COMPACT_DEFERRED || result == COMPACT_CONTENDED ||
	       result == COMPACT_PARTIAL_SKIPPED || result == COMPACT_SKIPPED;
}

/* Models: should_compact_retry() (CONFIG_COMPACTION). */
static bool should_compact_retry(struct kmm_kernel *k, const struct alloc_context *ac,
				 unsigned int order, unsigned int alloc_flags,
				 enum compact_result compact_result,
				 enum compact_priority *compact_priority, int *compaction_retries)
{
	int max_retries = MAX_COMPACT_RETRIES, min_priority;

	if (!order)
		return false;
	if (compaction_made_progress(compact_result))
		(*compaction_retries)++;
	if (compaction_failed(compact_result))
		goto check_priority;
	/* Skipped for lack of order-0 pages: retry while reclaim could supply them. */
	if (compact_result == COMPACT_SKIPPED) /* compaction_needs_reclaim() */
		return compaction_zonelist_suitable(k, ac, (int)order, alloc_flags);
	if (compaction_withdrawn(compact_result))
		goto check_priority;
	if (order > PAGE_ALLOC_COSTLY_ORDER)
		max_retries /= 4;
	if (*compaction_retries <= max_retries)
		return true;
check_priority:
	min_priority =
		order > PAGE_ALLOC_COSTLY_ORDER ? MIN_COMPACT_PRIORITY + 1 : MIN_COMPACT_PRIORITY;
	if ((int)*compact_priority > min_priority) {
		(*compact_priority)--;
		*compaction_retries = 0;
		return true;
	}
	return false;
}

/* Models: should_reclaim_retry(): would the free + reclaimable pages meet min in some zone? */
static bool should_reclaim_retry(struct kmm_kernel *k, gfp_t gfp, unsigned int order,
				 const struct alloc_context *ac, unsigned int alloc_flags,
				 bool did_some_progress, int *no_progress_loops)
{
	struct zoneref *z;
	struct zone *zone;
	bool ret = false;

	(void)gfp;
	/* Costly orders make no forward-progress promise: count them as no progress. */
	if (did_some_progress && order <= PAGE_ALLOC_COSTLY_ORDER)
		*no_progress_loops = 0;
	else
		(*no_progress_loops)++;
	if (*no_progress_loops > MAX_RECLAIM_RETRIES)
		return unreserve_highatomic_pageblock(k, ac, true);
	for_each_zone_zonelist_nodemask(zone, z, ac->zonelist, ac->highest_zoneidx, ac->nodemask)
	{
		/* What reclaim could free, plus what is free: enough for the min watermark? */
		long available = (long)zone_reclaimable_pages(k, zone) +
				 (long)zone_page_state(zone, NR_FREE_PAGES);

		if (__zone_watermark_ok(zone, order, min_wmark_pages(zone),
					(int)ac->highest_zoneidx, alloc_flags, available)) {
			ret = true;
			break;
		}
	}
	/* The kernel's cond_resched() here: a run point for kswapd and the other events. */
	env_cond_resched(k->env);
	return ret || unreserve_highatomic_pageblock(k, ac, true);
}

/* Models: warn_alloc(): the "page allocation failure" warning and the memory dump. */
static void warn_alloc(struct kmm_kernel *k, gfp_t gfp, const nodemask_t *nodemask,
		       unsigned int order)
{
	char flags[256], nodes[64] = "(null)";

	if (gfp & __GFP_NOWARN)
		return;
	format_gfp(gfp, flags, sizeof(flags));
	if (nodemask) {
		size_t n = 0;

		nodes[0] = 0;
		for (int nid = 0; nid < MAX_NUMNODES; nid++)
			if (node_isset(nid, nodemask))
				n += (size_t)snprintf(nodes + n, sizeof(nodes) - n, "%s%d",
						      n ? "," : "", nid);
	}
	env_printk(k->env,
		   "kmmsim: page allocation failure: order:%u, mode:%#x(%s), nodemask=%s,"
		   "cpuset=/,mems_allowed=%s\n",
		   order, gfp, flags, nodes, k->online_nodes_list);
	bug_report(k->env, KMM_REPORT_WARN, BUG_SITE(0, "warn_alloc", "page allocation failure"),
		   "kmmsim: page allocation failure: order:%u, mode:%#x(%s), nodemask=%s", order,
		   gfp, flags, nodes);
	__show_mem(k, nodemask, gfp_zone(gfp));
}

/* Models: __alloc_pages_cpuset_fallback() (no cpusets: one attempt). */
static struct page *__alloc_pages_cpuset_fallback(struct kmm_kernel *k, gfp_t gfp,
						  unsigned int order, unsigned int alloc_flags,
						  const struct alloc_context *ac)
{
	return get_page_from_freelist(k, gfp, order, alloc_flags | ALLOC_CPUSET, ac);
}

/* Models: __alloc_pages_may_oom(). */
static struct page *__alloc_pages_may_oom(struct kmm_kernel *k, gfp_t gfp, unsigned int order,
					  const struct alloc_context *ac,
					  unsigned long *did_some_progress)
{
	struct page *page;

	*did_some_progress = 0;
	/* A last try at the high watermark, in case someone freed memory meanwhile. */
	page = get_page_from_freelist(k, (gfp | __GFP_HARDWALL) & ~__GFP_DIRECT_RECLAIM, order,
				      ALLOC_WMARK_HIGH | ALLOC_CPUSET, ac);
	if (page)
		return page;
	/* The OOM killer does not help costly, RETRY_MAYFAIL, THISNODE or lowmem requests. */
	if (order > PAGE_ALLOC_COSTLY_ORDER || (gfp & (__GFP_RETRY_MAYFAIL | __GFP_THISNODE)) ||
	    ac->highest_zoneidx < ZONE_NORMAL)
		return NULL;
	if (out_of_memory(k, gfp, (int)order, ac)) {
		*did_some_progress = 1;
		if (gfp & __GFP_NOFAIL)
			page = __alloc_pages_cpuset_fallback(k, gfp, order, ALLOC_NO_WATERMARKS,
							     ac);
	}
	return page;
}

/*
 * Models: __alloc_pages_slowpath(). The order of attempts is the kernel's: wake kswapd, try
 * with the min watermark, async compaction for costly (or unmovable high-order) requests,
 * then reclaim and compaction with retries, then OOM; __GFP_NOFAIL never gives up.
 * Deviation: a __GFP_NOFAIL request that the OOM killer cannot help (no tasks to kill yet)
 * would loop forever in the kernel; here the simulated kernel BUGs ("System is deadlocked
 * on memory", as the kernel's OOM killer panics when nothing can be killed).
 */
static noinline struct page *__alloc_pages_slowpath(struct kmm_kernel *k, gfp_t gfp,
						    unsigned int order, struct alloc_context *ac)
{
	bool can_direct_reclaim = gfp & __GFP_DIRECT_RECLAIM;
	bool can_compact = gfp & __GFP_IO; /* gfp_compaction_allowed(), CONFIG_COMPACTION=y */
	bool costly_order = order > PAGE_ALLOC_COSTLY_ORDER;
	enum compact_priority compact_priority;
	enum compact_result compact_result;
	unsigned long did_some_progress;
	int compaction_retries, no_progress_loops, nofail_loops = 0;
	unsigned int alloc_flags, reserve_flags;
	struct page *page = NULL;

	if ((gfp & (__GFP_ATOMIC | __GFP_DIRECT_RECLAIM)) ==
	    (__GFP_ATOMIC | __GFP_DIRECT_RECLAIM)) {
		bug_report(
			k->env, KMM_REPORT_WARN,
			BUG_SITE(0, "__alloc_pages_slowpath",
				 "(gfp_mask & (__GFP_ATOMIC|__GFP_DIRECT_RECLAIM)) == "
				 "(__GFP_ATOMIC|__GFP_DIRECT_RECLAIM)"),
			"WARNING: __GFP_ATOMIC with __GFP_DIRECT_RECLAIM: dropping __GFP_ATOMIC");
		gfp &= ~__GFP_ATOMIC;
	}
	compaction_retries = 0;
	no_progress_loops = 0;
	compact_result = COMPACT_SKIPPED;
	compact_priority = DEF_COMPACT_PRIORITY;
	alloc_flags = gfp_to_alloc_flags(gfp, order);
	ac->preferred_zoneref =
		first_zones_zonelist(ac->zonelist, ac->highest_zoneidx, ac->nodemask);
	if (!ac->preferred_zoneref->zone)
		goto nopage;
	if (alloc_flags & ALLOC_KSWAPD) {
		wake_all_kswapds(k, order, gfp, ac);
		/* A run point: the kswapd just woken runs as another CPU would run it. */
		env_cond_resched(k->env);
	}
	page = get_page_from_freelist(k, gfp, order, alloc_flags, ac);
	if (page)
		goto got_pg;
	if (can_direct_reclaim && can_compact &&
	    (costly_order || (order > 0 && ac->migratetype != MIGRATE_MOVABLE)) &&
	    !__gfp_pfmemalloc_flags(k, gfp)) {
		page = __alloc_pages_direct_compact(k, gfp, order, alloc_flags, ac,
						    INIT_COMPACT_PRIORITY, &compact_result);
		if (page)
			goto got_pg;
		if (costly_order && (gfp & __GFP_NORETRY)) {
			if (compact_result == COMPACT_SKIPPED || compact_result == COMPACT_DEFERRED)
				goto nopage;
			if (gfp & __GFP_THISNODE)
				goto nopage;
			compact_priority = INIT_COMPACT_PRIORITY;
		}
	}

retry:
	if (alloc_flags & ALLOC_KSWAPD) {
		wake_all_kswapds(k, order, gfp, ac);
		/* A run point: the kswapd just woken runs as another CPU would run it. */
		env_cond_resched(k->env);
	}
	reserve_flags = __gfp_pfmemalloc_flags(k, gfp);
	if (reserve_flags)
		alloc_flags =
			gfp_to_alloc_flags_cma(gfp, reserve_flags) | (alloc_flags & ALLOC_KSWAPD);
	if (!(alloc_flags & ALLOC_CPUSET) || reserve_flags) {
		ac->nodemask = NULL;
		ac->preferred_zoneref =
			first_zones_zonelist(ac->zonelist, ac->highest_zoneidx, ac->nodemask);
	}
	page = get_page_from_freelist(k, gfp, order, alloc_flags, ac);
	if (page)
		goto got_pg;
	if (!can_direct_reclaim)
		goto nopage;
	/* 6.1: a task already freeing memory (PF_MEMALLOC) never recurses into reclaim */
	if (current_is_memalloc(k))
		goto nopage;
	page = __alloc_pages_direct_reclaim(k, gfp, order, alloc_flags, ac, &did_some_progress);
	if (page)
		goto got_pg;
	page = __alloc_pages_direct_compact(k, gfp, order, alloc_flags, ac, compact_priority,
					    &compact_result);
	if (page)
		goto got_pg;
	if (gfp & __GFP_NORETRY)
		goto nopage;
	if (costly_order && (!can_compact || !(gfp & __GFP_RETRY_MAYFAIL)))
		goto nopage;
	if (should_reclaim_retry(k, gfp, order, ac, alloc_flags, did_some_progress > 0,
				 &no_progress_loops))
		goto retry;
	if (did_some_progress > 0 && can_compact &&
	    should_compact_retry(k, ac, order, alloc_flags, compact_result, &compact_priority,
				 &compaction_retries))
		goto retry;
	page = __alloc_pages_may_oom(k, gfp, order, ac, &did_some_progress);
	if (page)
		goto got_pg;
	/* a victim that already had the reserves must not loop on them */
	if (tsk_is_oom_victim(get_current_task(k)) &&
	    ((alloc_flags & ALLOC_OOM) || (gfp & __GFP_NOMEMALLOC)))
		goto nopage;
	if (did_some_progress) {
		no_progress_loops = 0;
		goto retry;
	}

nopage:
	if (gfp & __GFP_NOFAIL) {
		if (!can_direct_reclaim) {
			bug_report(
				k->env, KMM_REPORT_WARN,
				BUG_SITE(0, "__alloc_pages_slowpath", "!can_direct_reclaim"),
				"WARNING: __GFP_NOFAIL without __GFP_DIRECT_RECLAIM cannot loop");
			goto fail;
		}
		if (costly_order)
			bug_report(k->env, KMM_REPORT_WARN,
				   BUG_SITE(0, "__alloc_pages_slowpath", "costly_order"),
				   "WARNING: __GFP_NOFAIL for a costly order %u", order);
		/* Help it along with a share of the reserves, then keep trying. */
		page = __alloc_pages_cpuset_fallback(k, gfp, order, ALLOC_MIN_RESERVE, ac);
		if (page)
			goto got_pg;
		if (++nofail_loops > MAX_RECLAIM_RETRIES) {
			__show_mem(k, ac->nodemask, gfp_zone(gfp));
			bug_report(k->env, KMM_REPORT_BUG,
				   BUG_SITE_IN("mm/oom_kill.c", 0, "out_of_memory", "__GFP_NOFAIL"),
				   "Kernel panic - not syncing: System is "
				   "deadlocked on memory");
		}
		goto retry;
	}
fail:
	warn_alloc(k, gfp, ac->nodemask, order);
got_pg:
	return page;
}

/* Models: prepare_alloc_pages(). Returns false for a zone modifier combination gfp_zone refuses. */
static bool prepare_alloc_pages(struct kmm_kernel *k, gfp_t gfp, int preferred_nid,
				const nodemask_t *nodemask, struct alloc_context *ac,
				unsigned int *alloc_flags)
{
	int zone = gfp_zone(gfp);

	if (zone < 0)
		return false;
	ac->highest_zoneidx = (enum zone_type)zone;
	ac->zonelist = node_zonelist(k, preferred_nid, gfp);
	ac->nodemask = nodemask;
	ac->migratetype = gfp_migratetype(gfp);
	ac->spread_dirty_pages = gfp & __GFP_WRITE;
	ac->preferred_zoneref =
		first_zones_zonelist(ac->zonelist, ac->highest_zoneidx, ac->nodemask);
	*alloc_flags = gfp_to_alloc_flags_cma(gfp, *alloc_flags);
	return true;
}

struct page *__alloc_pages(struct kmm_kernel *k, gfp_t gfp, unsigned int order, int preferred_nid,
			   const unsigned long *nodemask_bits)
{
	unsigned int alloc_flags = ALLOC_WMARK_LOW;
	nodemask_t nodemask_storage, *nodemask = NULL;
	struct alloc_context ac = {0};
	struct page *page;

	if (order >= MAX_ORDER) {
		if (!(gfp & __GFP_NOWARN))
			bug_report(k->env, KMM_REPORT_WARN,
				   BUG_SITE(0, "__alloc_pages", "order >= MAX_ORDER"),
				   "WARNING: __alloc_pages: order %u >= MAX_ORDER", order);
		return NULL;
	}
	if (nodemask_bits) {
		nodemask_storage.bits = *nodemask_bits;
		nodemask = &nodemask_storage;
	}
	gfp &= __GFP_BITS_MASK;
	if (!prepare_alloc_pages(k, gfp, preferred_nid, nodemask, &ac, &alloc_flags))
		return NULL;
	alloc_flags |= alloc_flags_nofragment(k, ac.preferred_zoneref->zone, gfp);
	/* The fast path. */
	page = get_page_from_freelist(k, gfp, order, alloc_flags, &ac);
	if (!page) {
		ac.spread_dirty_pages = false;
		ac.nodemask = nodemask;
		page = __alloc_pages_slowpath(k, gfp, order, &ac);
	}
	trace_page_alloc(k, page, order, gfp, ac.migratetype);
	return page;
}

struct page *alloc_pages_node(struct kmm_kernel *k, int nid, gfp_t gfp, unsigned int order)
{
	if (nid == NUMA_NO_NODE)
		nid = numa_node_id(k);
	return __alloc_pages(k, gfp, order, nid, NULL);
}

struct page *alloc_pages(struct kmm_kernel *k, gfp_t gfp, unsigned int order)
{
	return __alloc_pages(k, gfp, order, numa_node_id(k), NULL);
}

/*
 * Models: __alloc_pages_bulk() into an array: fill the NULL slots from one zone's pcp list,
 * falling back to single allocations when the fast path cannot serve.
 */
unsigned long alloc_pages_bulk_array(struct kmm_kernel *k, gfp_t gfp, unsigned long nr_pages,
				     struct page **page_array)
{
	unsigned int alloc_flags = ALLOC_WMARK_LOW;
	unsigned long nr_populated = 0, nr_account = 0;
	struct per_cpu_pages *pcp;
	struct alloc_context ac;
	struct zoneref *z;
	struct zone *zone;
	struct page *page;

	while (nr_populated < nr_pages && page_array[nr_populated])
		nr_populated++;
	if (nr_populated == nr_pages)
		return nr_populated;
	if (nr_pages - nr_populated == 1)
		goto failed;
	gfp &= __GFP_BITS_MASK;
	if (!prepare_alloc_pages(k, gfp, numa_node_id(k), NULL, &ac, &alloc_flags))
		return nr_populated;
	/* The first zone that meets the low watermark plus the request. */
	z = ac.preferred_zoneref;
	for_next_zone_zonelist_nodemask(zone, z, ac.highest_zoneidx, ac.nodemask)
	{
		unsigned long mark;

		if (k->nr_online_nodes > 1 && zone != ac.preferred_zoneref->zone &&
		    zone_to_nid(zone) != zone_to_nid(ac.preferred_zoneref->zone))
			goto failed;
		mark = wmark_pages(zone, alloc_flags & ALLOC_WMARK_MASK) + nr_pages;
		if (zone->per_cpu_pageset &&
		    zone_watermark_fast(zone, 0, mark, ac.preferred_zoneref->zone_idx, alloc_flags,
					gfp))
			break;
	}
	if (!zone)
		goto failed;
	pcp = this_cpu_pcp(k, zone);
	while (nr_populated < nr_pages) {
		if (page_array[nr_populated]) {
			nr_populated++;
			continue;
		}
		page = __rmqueue_pcplist(k, zone, 0, ac.migratetype, alloc_flags, pcp,
					 &pcp->lists[order_to_pindex(ac.migratetype, 0)]);
		if (!page) {
			if (!nr_account)
				goto failed;
			break;
		}
		nr_account++;
		prep_new_page(k, page, 0, gfp, 0);
		trace_page_alloc(k, page, 0, gfp, ac.migratetype);
		page_array[nr_populated++] = page;
	}
	count_vm_events(k, (enum vm_event_item)(PGALLOC_DMA + zone_idx(zone)), (long)nr_account);
	zone_statistics(k, ac.preferred_zoneref->zone, zone, (long)nr_account);
	return nr_populated;

failed:
	page = __alloc_pages(k, gfp, 0, numa_node_id(k), NULL);
	if (page)
		page_array[nr_populated++] = page;
	return nr_populated;
}

/* The report when __free_pages() or put_page() meets a tail page or a page nobody holds. */
noinline __cold void page_ref_underflow(struct kmm_kernel *k, struct page *page,
					const char *function)
{
	const char *cond = PageTail(page) ? "VM_BUG_ON_PAGE(PageTail(page))"
					  : "VM_BUG_ON_PAGE(page_ref_count(page) == 0)";

	dump_page(k, page, cond);
	bug_report(k->env, KMM_REPORT_WARN, BUG_SITE(0, function, cond),
		   "page:%#" PRIx64 " pfn:%#lx refcount:%d: page dumped because: %s "
		   "(the page is not freed)",
		   page_struct_va(k, page), page_to_pfn(k, page), page_ref_count(page), cond);
	k->env->taint |= 1u << 5;
}

/*
 * Models: __free_pages(). Deviation (see the file header): a page whose refcount is already
 * 0 — a double free, or a tail page — is reported as CONFIG_DEBUG_VM reports it and left
 * where it is.
 */
void __free_pages(struct kmm_kernel *k, struct page *page, unsigned int order)
{
	bool head = PageHead(page);

	if (PageTail(page) || page_ref_count(page) <= 0) {
		page_ref_underflow(k, page, "__free_pages");
		return;
	}
	if (page_ref_dec_and_test(page))
		free_the_page(k, page, order);
	else if (!head)
		/* Someone else holds the first page: free the rest, which only we held. */
		while (order-- > 0)
			free_the_page(k, page + (1u << order), order);
}

/*
 * Models: alloc_pages_exact(): the smallest order that holds @size, split, and the pages past
 * the end freed at once. Returns the linear-map address, 0 on failure.
 */
uint64_t alloc_pages_exact(struct kmm_kernel *k, size_t size, gfp_t gfp)
{
	unsigned int order = get_order(size);
	unsigned long nr = (size + PAGE_SIZE - 1) >> PAGE_SHIFT;
	struct page *page;

	if (gfp & (__GFP_COMP | __GFP_HIGHMEM)) {
		bug_report(
			k->env, KMM_REPORT_WARN,
			BUG_SITE(0, "alloc_pages_exact", "gfp_mask & (__GFP_COMP | __GFP_HIGHMEM)"),
			"WARNING: alloc_pages_exact with __GFP_COMP or __GFP_HIGHMEM: dropped");
		gfp &= ~(__GFP_COMP | __GFP_HIGHMEM);
	}
	if (!size || order >= MAX_ORDER)
		return 0;
	page = alloc_pages(k, gfp, order);
	if (!page)
		return 0;
	for (unsigned long i = 1; i < nr; i++)
		set_page_count(page + i, 1);
	for (unsigned long i = nr; i < 1UL << order; i++)
		__free_pages_ok(k, page + i, 0, FPI_TO_TAIL);
	return page_address(k, page);
}

/* Models: free_pages_exact(). */
void free_pages_exact(struct kmm_kernel *k, uint64_t va, size_t size)
{
	uint64_t end = va + ((size + PAGE_SIZE - 1) & PAGE_MASK);

	for (; va < end; va += PAGE_SIZE)
		__free_pages(k, virt_to_page(k, va), 0);
}

/*
 * Models: split_page(): an order-N non-compound block becomes 2^N order-0 pages.
 * Deviation: the kernel trusts @order. The model first checks that every tail is in the state
 * a tail of an allocated non-compound block is in (no reference, no mapcount or page type, no
 * flags, on no list): a larger @order than was allocated reaches pages that are free, on a pcp
 * list or someone else's. Then it reports and changes nothing; returns false.
 */
bool split_page(struct kmm_kernel *k, struct page *page, unsigned int order)
{
	for (unsigned int i = 1; i < (1u << order); i++) {
		struct page *tail = page + i;

		if (!page_expected_state(tail, PAGE_FLAGS_CHECK_AT_PREP) ||
		    (tail->lru.next && tail->lru.next != &tail->lru)) {
			bug_report(k->env, KMM_REPORT_WARN,
				   BUG_SITE(0, "split_page", "tail not part of the block"),
				   "split_page: pfn:%05lx is not a tail of an allocated order-%u "
				   "block at pfn:%05lx (refcount:%d mapcount:%d flags:%#lx%s): "
				   "not split",
				   page_to_pfn(k, tail), order, page_to_pfn(k, page),
				   page_ref_count(tail), tail->_mapcount, tail->flags,
				   PageBuddy(tail) ? " buddy" : "");
			return false;
		}
	}
	for (unsigned int i = 1; i < (1u << order); i++)
		set_page_count(page + i, 1);
	return true;
}

/* Models: __isolate_free_page(). */
int __isolate_free_page(struct kmm_kernel *k, struct page *page, unsigned int order)
{
	struct zone *zone = page_zone(k, page);
	int mt = get_pageblock_migratetype(k, page);

	if (!is_migrate_isolate(mt)) {
		/* Keep the zone above min for the rest of the system. */
		unsigned long watermark = zone->_watermark[WMARK_MIN] + (1UL << order);

		if (!zone_watermark_ok(zone, 0, watermark, 0, ALLOC_CMA))
			return 0;
		__mod_zone_freepage_state(zone, -(1L << order), mt);
	}
	del_page_from_free_list(page, zone, order);
	/* A whole pageblock taken: make it movable unless it is a special type. */
	if (order >= pageblock_order - 1) {
		struct page *endpage = page + (1UL << order) - 1;

		for (; page < endpage; page += pageblock_nr_pages) {
			int bmt = get_pageblock_migratetype(k, page);

			if (migratetype_is_mergeable(bmt))
				set_pageblock_migratetype(k, page, MIGRATE_MOVABLE);
		}
	}
	return 1 << order;
}

void __putback_isolated_page(struct kmm_kernel *k, struct page *page, unsigned int order, int mt)
{
	__free_one_page(k, page, page_to_pfn(k, page), page_zone(k, page), order, mt, FPI_TO_TAIL);
}

/* ---- checks ----------------------------------------------------------------------------- */

static bool check_zone_free_lists(const struct kmm_kernel *k, const struct zone *zone, char *why,
				  size_t whylen)
{
	unsigned long free = 0, free_cma = 0, isolated = 0;

	for (unsigned int order = 0; order < MAX_ORDER; order++) {
		const struct free_area *area = &zone->free_area[order];
		unsigned long n = 0;

		for (int mt = 0; mt < MIGRATE_TYPES; mt++) {
			const struct list_head *head = &area->free_list[mt], *pos;

			for (pos = head->next; pos != head; pos = pos->next) {
				const struct page *p = list_entry(pos, struct page, lru);
				unsigned long pfn = page_to_pfn(k, p), bpfn = pfn ^ (1UL << order);
				int bmt = get_pfnblock_migratetype(k, pfn);

				if (!PageBuddy(p) || buddy_order(p) != order ||
				    pfn & ((1UL << order) - 1) || !zone_spans_pfn(zone, pfn) ||
				    page_zone(k, p) != zone) {
					snprintf(why, whylen,
						 "buddy: pfn 0x%lx on %s order-%u %s list "
						 "is not a free block of that order in the zone",
						 pfn, zone->name, order, migratetype_names[mt]);
					return false;
				}
				if ((mt == MIGRATE_CMA || mt == MIGRATE_ISOLATE ||
				     mt == MIGRATE_HIGHATOMIC) &&
				    bmt != mt) {
					snprintf(why, whylen,
						 "buddy: pfn 0x%lx on the %s list but its "
						 "pageblock is %s",
						 pfn, migratetype_names[mt],
						 migratetype_names[bmt]);
					return false;
				}
				if (order < pageblock_order && pfn_valid(k, bpfn) &&
				    page_is_buddy(p, pfn_to_page(k, bpfn), order)) {
					snprintf(why, whylen,
						 "buddy: free blocks at pfn 0x%lx and 0x%lx "
						 "(order %u) were left unmerged",
						 pfn, bpfn, order);
					return false;
				}
				n++;
				if (mt == MIGRATE_ISOLATE)
					isolated += 1UL << order;
				if (mt == MIGRATE_CMA)
					free_cma += 1UL << order;
			}
		}
		if (n != area->nr_free) {
			snprintf(why, whylen,
				 "buddy: %s order %u nr_free %lu but the lists hold %lu",
				 zone->name, order, area->nr_free, n);
			return false;
		}
		free += n << order;
	}
	if (free - isolated != zone_page_state(zone, NR_FREE_PAGES) ||
	    free_cma != zone_page_state(zone, NR_FREE_CMA_PAGES)) {
		snprintf(why, whylen,
			 "buddy: %s NR_FREE_PAGES %lu / NR_FREE_CMA_PAGES %lu, lists "
			 "hold %lu / %lu",
			 zone->name, zone_page_state(zone, NR_FREE_PAGES),
			 zone_page_state(zone, NR_FREE_CMA_PAGES), free - isolated, free_cma);
		return false;
	}
	if (zone->nr_reserved_highatomic % pageblock_nr_pages) {
		snprintf(why, whylen,
			 "buddy: %s nr_reserved_highatomic %lu is not whole pageblocks", zone->name,
			 zone->nr_reserved_highatomic);
		return false;
	}
	return true;
}

static bool check_zone_pcp_lists(const struct kmm_kernel *k, const struct zone *zone, char *why,
				 size_t whylen)
{
	for (int cpu = 0; cpu < k->nr_cpus; cpu++) {
		const struct per_cpu_pages *pcp = &zone->per_cpu_pageset[cpu];
		long count = 0;

		for (unsigned int pindex = 0; pindex < NR_PCP_LISTS; pindex++) {
			const struct list_head *head = &pcp->lists[pindex], *pos;
			unsigned int order = pindex_to_order(pindex);

			for (pos = head->next; pos != head; pos = pos->next) {
				const struct page *p = list_entry(pos, struct page, lru);
				unsigned long pfn = page_to_pfn(k, p);

				if (PageBuddy(p) || page_ref_count(p) != 0 ||
				    page_zone(k, p) != zone || pfn & ((1UL << order) - 1)) {
					snprintf(why, whylen,
						 "pcp: pfn 0x%lx on cpu %d's %s list %u is "
						 "not a free order-%u block of the zone",
						 pfn, cpu, zone->name, pindex, order);
					return false;
				}
				count += 1L << order;
			}
		}
		if (count != pcp->count) {
			snprintf(why, whylen, "pcp: cpu %d %s count %d but the lists hold %ld", cpu,
				 zone->name, pcp->count, count);
			return false;
		}
		if (pcp->batch < 1 || pcp->high < pcp->batch) {
			snprintf(why, whylen,
				 "pcp: cpu %d %s batch %d, high %d (need 1 <= batch <= high)", cpu,
				 zone->name, pcp->batch, pcp->high);
			return false;
		}
	}
	return true;
}

bool page_alloc_check(const struct kmm_kernel *k, char *why, size_t whylen)
{
	const pg_data_t *pgdat;

	for (int nid = 0; nid < MAX_NUMNODES; nid++) {
		pgdat = k->node_data[nid];
		if (!pgdat)
			continue;
		for (int z = 0; z < MAX_NR_ZONES; z++) {
			const struct zone *zone = &pgdat->node_zones[z];

			if (!zone->initialized)
				continue;
			if (!check_zone_free_lists(k, zone, why, whylen))
				return false;
			if (zone->per_cpu_pageset && !check_zone_pcp_lists(k, zone, why, whylen))
				return false;
		}
	}
	return true;
}

/* ---- where the allocator's free pages are (page_place.h) ------------------------------ */

/* The free lists of @zone for a row: see the prototype in page_place.h. */
bool free_area_place_walk(const struct kmm_kernel *k, struct place_map *map, enum page_place place,
			  const struct zone *zone, int mt)
{
	for (unsigned int order = 0; order < MAX_ORDER; order++) {
		for (int t = 0; t < MIGRATE_TYPES; t++) {
			const struct list_head *head = &zone->free_area[order].free_list[t], *pos;

			if (mt < 0 ? t == MIGRATE_ISOLATE : t != mt)
				continue;
			for (pos = head->next; pos != head; pos = pos->next) {
				const struct page *p = list_entry(pos, struct page, lru);

				if (!place_claim(map, place, page_to_pfn(k, p), 1UL << order))
					return false;
			}
		}
	}
	return true;
}

/* Row BUDDY: the free lists of every migratetype but ISOLATE (page_isolation.c's row). */
bool buddy_place_walk(const struct kmm_kernel *k, struct place_map *map)
{
	const pg_data_t *pgdat;

	for_each_online_pgdat(k, pgdat)
	{
		for (int z = 0; z < MAX_NR_ZONES; z++) {
			const struct zone *zone = &pgdat->node_zones[z];

			if (zone->initialized &&
			    !free_area_place_walk(k, map, PLACE_BUDDY, zone, -1))
				return false;
		}
	}
	return true;
}

/* Row PCP for one zone: each entry of a CPU's list is a free block of that list's order. */
static bool zone_pcp_place_walk(const struct kmm_kernel *k, struct place_map *map,
				const struct zone *zone)
{
	for (int cpu = 0; cpu < k->nr_cpus; cpu++) {
		for (unsigned int l = 0; l < NR_PCP_LISTS; l++) {
			const struct list_head *head = &zone->per_cpu_pageset[cpu].lists[l], *pos;
			unsigned long nr = 1UL << pindex_to_order(l);

			for (pos = head->next; pos != head; pos = pos->next) {
				const struct page *p = list_entry(pos, struct page, lru);

				if (!place_claim(map, PLACE_PCP, page_to_pfn(k, p), nr))
					return false;
			}
		}
	}
	return true;
}

/* Row PCP: every CPU's lists of every zone. */
bool pcp_place_walk(const struct kmm_kernel *k, struct place_map *map)
{
	const pg_data_t *pgdat;

	for_each_online_pgdat(k, pgdat)
	{
		for (int z = 0; z < MAX_NR_ZONES; z++) {
			const struct zone *zone = &pgdat->node_zones[z];

			if (zone->initialized && zone->per_cpu_pageset &&
			    !zone_pcp_place_walk(k, map, zone))
				return false;
		}
	}
	return true;
}
