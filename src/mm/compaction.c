/*
 * Memory compaction: moving movable pages from the start of a zone to free pages at its end,
 * so that free pages merge into high-order blocks.
 *
 * Models: mm/compaction.c (Linux 6.1.192): compact_zone() with the migrate scanner
 *         (isolate_migratepages(), isolate_migratepages_block()) and the free scanner
 *         (isolate_freepages(), isolate_freepages_block()) meeting in the middle; the
 *         pageblock skip bits (isolation_suitable(), update_pageblock_skip(),
 *         __reset_isolation_suitable(), reset_isolation_suitable()); compaction_suitable(),
 *         compaction_zonelist_suitable(); deferral (defer_compaction(),
 *         compaction_deferred(), compaction_defer_reset(), compaction_restarting());
 *         try_to_compact_pages() with compact_zone_order() and capture_control;
 *         compact_node(), compact_nodes() (vm.compact_memory, the node's compact file);
 *         kcompactd (kcompactd(), kcompactd_do_work(), wakeup_kcompactd()) and proactive
 *         compaction (fragmentation_score_*(), proactive_compact_node()); the sysctls
 *         vm.extfrag_threshold, vm.compact_unevictable_allowed, vm.compaction_proactiveness.
 *         mm/page_alloc.c:compaction_capture() (the hook is in __free_one_page()).
 * Deviation: no fast searches (fast_isolate_freepages(), fast_find_migrateblock()): both
 *         scanners walk linearly from their cached positions. They are heuristics for where
 *         to start; the linear scanners find the same pages, a little later.
 * Deviation: no cond_resched() inside a run: a run point there could start kcompactd on the
 *         zone being compacted. Runs are bounded by the zone's size.
 * Deviation: no non-LRU movable pages exist in the model (no zsmalloc, balloon or z3fold), so
 *         the migrate scanner takes LRU folios only; every address_space here can migrate a
 *         dirty folio without writeback, so async mode skips only folios under writeback.
 * Deviation: kcompactd threads are created at the first request for them (a kswapd going to
 *         sleep, a proactiveness write), at a run point, as kswapd is here: the boot's free
 *         memory stays the one the captures show.
 *
 * Invariants (compaction_check):
 *  1. No compaction run is in progress between calls: no capture_control is armed.
 *  2. Each populated zone's cached scanner positions lie within the zone (or are 0 before the
 *     first run), and compact_defer_shift <= COMPACT_MAX_DEFER_SHIFT, compact_considered <=
 *     1 << compact_defer_shift.
 *  3. The sysctl values are within their ranges (extfrag 0..1000, unevictable 0..1,
 *     proactiveness 0..100).
 *  4. A node's kcompactd request order lies in [0, MAX_ORDER).
 */
#include "mm/compaction.h"

#include "kernel/sched.h"
#include "lib/bug.h"
#include "lib/trace.h"
#include "mm/gfp.h"
#include "mm/memory.h"
#include "mm/pagemap.h"
#include "mm/swap.h"
#include "mm/vmscan.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#define KMM_FILE "mm/compaction.c"

#define KCOMPACTD_COMM_FMT "kcompactd%d"

/* One node's kcompactd: its thread and the request kswapd left for it. */
struct kcompactd_node {
	struct task_struct *task;
	int max_order;			/* pgdat->kcompactd_max_order */
	int highest_zoneidx;		/* pgdat->kcompactd_highest_zoneidx */
	bool proactive_compact_trigger; /* pgdat->proactive_compact_trigger */
	bool sleeping;			/* on kcompactd_wait (the kernel's wq_has_sleeper) */
	bool create_wanted;
	uint64_t timeout; /* cycles of its next timed wait (0: none) */
	unsigned long proactive_runs;
};

struct compact_state {
	struct kmm_kernel *k;
	int extfrag_threshold;
	int compact_unevictable_allowed;
	int compaction_proactiveness;
	struct capture_control *capc; /* the armed capture (current->capture_control) */
	int capc_cpu;
	struct env_event create_ev;
	struct kcompactd_node node[MAX_NUMNODES];
};

static const char *const compact_result_names[] = {
	[COMPACT_NOT_SUITABLE_ZONE] = "not_suitable_zone",
	[COMPACT_SKIPPED] = "skipped",
	[COMPACT_DEFERRED] = "deferred",
	[COMPACT_NO_SUITABLE_PAGE] = "no_suitable_page",
	[COMPACT_CONTINUE] = "continue",
	[COMPACT_COMPLETE] = "complete",
	[COMPACT_PARTIAL_SKIPPED] = "partial_skipped",
	[COMPACT_CONTENDED] = "contended",
	[COMPACT_SUCCESS] = "success",
};

/* Zone names as the trace events print them (ZONE_TYPE). */
static const char *trace_zone_name(int idx)
{
	static const char *const names[MAX_NR_ZONES] = {"DMA", "DMA32", "Normal", "Movable"};

	return idx >= 0 && idx < MAX_NR_ZONES ? names[idx] : "?";
}

static inline bool is_via_compact_memory(int order)
{
	return order == -1;
}

static inline unsigned long pageblock_start_pfn(unsigned long pfn)
{
	return pfn & ~(pageblock_nr_pages - 1);
}

static inline unsigned long pageblock_end_pfn(unsigned long pfn)
{
	return pageblock_start_pfn(pfn) + pageblock_nr_pages;
}

static inline bool pageblock_aligned(unsigned long pfn)
{
	return !(pfn & (pageblock_nr_pages - 1));
}

/* block_start_pfn()/block_end_pfn() of the kernel: the @order-aligned block around @pfn. */
static inline unsigned long order_block_start(unsigned long pfn, int order)
{
	return pfn & ~((1UL << order) - 1);
}

static inline unsigned long order_block_end(unsigned long pfn, int order)
{
	return order_block_start(pfn, order) + (1UL << order);
}

/* Models: compact_gap(): free pages needed beyond the watermark to compact for @order. */
static inline unsigned long compact_gap(int order)
{
	return 2UL << order;
}

/* ---- pageblock skip bits ---------------------------------------------------------------- */

bool get_pageblock_skip(const struct kmm_kernel *k, unsigned long pfn)
{
	return *pageblock_flags_of(k, pfn) & PB_migrate_skip;
}

void set_pageblock_skip(struct kmm_kernel *k, unsigned long pfn)
{
	*pageblock_flags_of(k, pfn) |= PB_migrate_skip;
}

void clear_pageblock_skip(struct kmm_kernel *k, unsigned long pfn)
{
	*pageblock_flags_of(k, pfn) &= (uint8_t)~PB_migrate_skip;
}

/* ---- deferral ---------------------------------------------------------------------------- */

static void trace_defer(struct kmm_kernel *k, enum trace_event_id id, const struct zone *zone,
			int order)
{
	if (trace_enabled(k->env, id))
		trace_emit(k->env, id,
			   "node=%d zone=%-8s order=%d order_failed=%d consider=%u limit=%lu",
			   zone->node, trace_zone_name(zone_idx(zone)), order,
			   zone->compact_order_failed, zone->compact_considered,
			   1UL << zone->compact_defer_shift);
}

void defer_compaction(struct kmm_kernel *k, struct zone *zone, int order)
{
	zone->compact_considered = 0;
	zone->compact_defer_shift++;
	if (order < zone->compact_order_failed)
		zone->compact_order_failed = order;
	if (zone->compact_defer_shift > COMPACT_MAX_DEFER_SHIFT)
		zone->compact_defer_shift = COMPACT_MAX_DEFER_SHIFT;
	trace_defer(k, TRACE_mm_compaction_defer_compaction, zone, order);
}

bool compaction_deferred(struct kmm_kernel *k, struct zone *zone, int order)
{
	unsigned long defer_limit = 1UL << zone->compact_defer_shift;

	if (order < zone->compact_order_failed)
		return false;
	if (++zone->compact_considered >= defer_limit) {
		zone->compact_considered = (unsigned int)defer_limit;
		return false;
	}
	trace_defer(k, TRACE_mm_compaction_deferred, zone, order);
	return true;
}

void compaction_defer_reset(struct kmm_kernel *k, struct zone *zone, int order, bool alloc_success)
{
	if (alloc_success) {
		zone->compact_considered = 0;
		zone->compact_defer_shift = 0;
	}
	if (order >= zone->compact_order_failed)
		zone->compact_order_failed = order + 1;
	trace_defer(k, TRACE_mm_compaction_defer_reset, zone, order);
}

bool compaction_restarting(const struct zone *zone, int order)
{
	if (order < zone->compact_order_failed)
		return false;
	return zone->compact_defer_shift == COMPACT_MAX_DEFER_SHIFT &&
	       zone->compact_considered >= 1UL << zone->compact_defer_shift;
}

/* ---- cached positions and the skip-bit reset ---------------------------------------------- */

/* Models: reset_cached_positions(): the next run starts at both ends of the zone. */
static void reset_cached_positions(struct zone *zone)
{
	zone->compact_cached_migrate_pfn[0] = zone->zone_start_pfn;
	zone->compact_cached_migrate_pfn[1] = zone->zone_start_pfn;
	zone->compact_cached_free_pfn = pageblock_start_pfn(zone_end_pfn(zone) - 1);
}

/* The page of @pfn if it has a memory map and belongs to @zone, else NULL. */
static struct page *zone_pfn_page(const struct kmm_kernel *k, const struct zone *zone,
				  unsigned long pfn)
{
	struct page *page;

	if (!zone_spans_pfn(zone, pfn) || !pfn_valid(k, pfn))
		return NULL;
	page = pfn_to_page(k, pfn);
	return page_zone(k, page) == zone ? page : NULL;
}

/* Models: pageblock_skip_persistent(): a compound page of at least a pageblock. */
static bool pageblock_skip_persistent(const struct page *page)
{
	if (!PageCompound(page))
		return false;
	page = &page_folio(page)->page;
	return compound_order(page) >= pageblock_order;
}

/* Models: __reset_isolation_pfn(): clears @pfn's block skip bit if a sample says it may help. */
static bool __reset_isolation_pfn(struct kmm_kernel *k, struct zone *zone, unsigned long pfn,
				  bool check_source, bool check_target)
{
	struct page *page = zone_pfn_page(k, zone, pfn);
	unsigned long block_pfn, end_pfn;

	if (!page || pageblock_skip_persistent(page))
		return false;
	if (check_source && check_target && !get_pageblock_skip(k, pfn))
		return true;
	if (!check_source && check_target && get_pfnblock_migratetype(k, pfn) != MIGRATE_MOVABLE)
		return false;
	block_pfn = pageblock_start_pfn(pfn);
	if (block_pfn < zone->zone_start_pfn)
		block_pfn = zone->zone_start_pfn;
	if (zone_pfn_page(k, zone, block_pfn))
		pfn = block_pfn;
	end_pfn = pageblock_end_pfn(pfn) - 1;
	if (end_pfn > zone_end_pfn(zone) - 1)
		end_pfn = zone_end_pfn(zone) - 1;
	if (!zone_pfn_page(k, zone, end_pfn))
		return false;
	/* Sample one page in 2^PAGE_ALLOC_COSTLY_ORDER: an LRU page or a free one. */
	for (; pfn <= end_pfn; pfn += 1UL << PAGE_ALLOC_COSTLY_ORDER) {
		page = pfn_to_page(k, pfn);
		if ((check_source && PageLRU(page)) || (check_target && PageBuddy(page))) {
			clear_pageblock_skip(k, pfn);
			return true;
		}
	}
	return false;
}

void __reset_isolation_suitable(struct kmm_kernel *k, struct zone *zone)
{
	unsigned long migrate_pfn = zone->zone_start_pfn;
	unsigned long free_pfn = zone_end_pfn(zone) - 1;
	unsigned long reset_migrate = free_pfn, reset_free = migrate_pfn;
	bool source_set = false, free_set = false;

	/* Only after a full compaction ran recently (the scanners met). */
	if (!zone->compact_blockskip_flush)
		return;
	zone->compact_blockskip_flush = false;
	for (; migrate_pfn < free_pfn;
	     migrate_pfn += pageblock_nr_pages, free_pfn -= pageblock_nr_pages) {
		if (__reset_isolation_pfn(k, zone, migrate_pfn, true, source_set) &&
		    migrate_pfn < reset_migrate) {
			source_set = true;
			reset_migrate = migrate_pfn;
			zone->compact_init_migrate_pfn = reset_migrate;
			zone->compact_cached_migrate_pfn[0] = reset_migrate;
			zone->compact_cached_migrate_pfn[1] = reset_migrate;
		}
		if (__reset_isolation_pfn(k, zone, free_pfn, free_set, true) &&
		    free_pfn > reset_free) {
			free_set = true;
			reset_free = free_pfn;
			zone->compact_init_free_pfn = reset_free;
			zone->compact_cached_free_pfn = reset_free;
		}
		if (free_pfn < pageblock_nr_pages)
			break;
	}
	/* Leave no distance if no suitable block was reset. */
	if (reset_migrate >= reset_free) {
		zone->compact_cached_migrate_pfn[0] = migrate_pfn;
		zone->compact_cached_migrate_pfn[1] = migrate_pfn;
		zone->compact_cached_free_pfn = free_pfn;
	}
}

void reset_isolation_suitable(struct kmm_kernel *k, pg_data_t *pgdat)
{
	for (int z = 0; z < MAX_NR_ZONES; z++) {
		struct zone *zone = &pgdat->node_zones[z];

		if (populated_zone(zone))
			__reset_isolation_suitable(k, zone);
	}
}

/* Models: isolation_suitable(): the block is worth scanning (skip bit clear, or ignored). */
static bool isolation_suitable(const struct kmm_kernel *k, const struct compact_control *cc,
			       unsigned long pfn)
{
	return cc->ignore_skip_hint || !get_pageblock_skip(k, pfn);
}

/* Models: test_and_set_skip(): true if the block was already marked (another compactor). */
static bool test_and_set_skip(struct kmm_kernel *k, struct compact_control *cc, unsigned long pfn)
{
	bool skip;

	if (cc->ignore_skip_hint || !pageblock_aligned(pfn))
		return false;
	skip = get_pageblock_skip(k, pfn);
	if (!skip && !cc->no_set_skip_hint)
		set_pageblock_skip(k, pfn);
	return skip;
}

/* Models: update_cached_migrate(): the migrate scanner resumes after @pfn's block. */
static void update_cached_migrate(struct compact_control *cc, unsigned long pfn)
{
	struct zone *zone = cc->zone;

	pfn = pageblock_end_pfn(pfn);
	if (cc->no_set_skip_hint)
		return;
	if (pfn > zone->compact_cached_migrate_pfn[0])
		zone->compact_cached_migrate_pfn[0] = pfn;
	if (cc->mode != MIGRATE_ASYNC && pfn > zone->compact_cached_migrate_pfn[1])
		zone->compact_cached_migrate_pfn[1] = pfn;
}

/* Models: update_pageblock_skip(): a free-scanned block gave nothing: skip it next time. */
static void update_pageblock_skip(struct kmm_kernel *k, struct compact_control *cc,
				  unsigned long pfn)
{
	struct zone *zone = cc->zone;

	if (cc->no_set_skip_hint)
		return;
	set_pageblock_skip(k, pfn);
	if (pfn < zone->compact_cached_free_pfn)
		zone->compact_cached_free_pfn = pfn;
}

/* ---- the free scanner --------------------------------------------------------------------- */

/*
 * Models: pageblock_pfn_to_page(): the first page of [start, end) when the whole range has a
 * memory map and lies in @zone, else NULL.
 */
static struct page *pageblock_pfn_to_page(const struct kmm_kernel *k, unsigned long start_pfn,
					  unsigned long end_pfn, const struct zone *zone)
{
	struct page *start = zone_pfn_page(k, zone, start_pfn);

	if (!start || !zone_pfn_page(k, zone, end_pfn - 1))
		return NULL;
	return start;
}

/*
 * Models: isolate_freepages_block() (not strict): takes free blocks of [*start_pfn, end_pfn)
 * off the buddy lists onto @freelist (head pages, order in page->private), every @stride-th
 * PFN, until the migrate list is matched. Returns the pages taken; *start_pfn: where it stopped.
 */
static unsigned long isolate_freepages_block(struct kmm_kernel *k, struct compact_control *cc,
					     unsigned long *start_pfn, unsigned long end_pfn,
					     struct list_head *freelist, unsigned int stride)
{
	unsigned long nr_scanned = 0, total_isolated = 0;
	unsigned long blockpfn = *start_pfn;

	for (; blockpfn < end_pfn; blockpfn += stride) {
		struct page *page = pfn_to_page(k, blockpfn);
		unsigned int order;
		int isolated;

		nr_scanned++;
		if (PageCompound(page)) {
			struct page *head = &page_folio(page)->page;

			if (head == page && compound_order(page) < MAX_ORDER)
				blockpfn += (1UL << compound_order(page)) - 1;
			continue;
		}
		if (!PageBuddy(page))
			continue;
		order = buddy_order(page);
		isolated = __isolate_free_page(k, page, order);
		if (!isolated)
			break;
		page->private = order;
		nr_scanned += (unsigned long)isolated - 1;
		total_isolated += (unsigned long)isolated;
		cc->nr_freepages += (unsigned int)isolated;
		list_add_tail(&page->lru, freelist);
		if (cc->nr_migratepages <= cc->nr_freepages) {
			blockpfn += (unsigned long)isolated;
			break;
		}
		blockpfn += (unsigned long)isolated - 1;
	}
	if (blockpfn > end_pfn)
		blockpfn = end_pfn;
	if (trace_enabled(k->env, TRACE_mm_compaction_isolate_freepages))
		trace_emit(k->env, TRACE_mm_compaction_isolate_freepages,
			   "range=(0x%lx ~ 0x%lx) nr_scanned=%lu nr_taken=%lu", *start_pfn,
			   blockpfn, nr_scanned, total_isolated);
	*start_pfn = blockpfn;
	cc->total_free_scanned += nr_scanned;
	env_charge_n(k->env, COST_compact_scan, nr_scanned);
	if (total_isolated)
		count_vm_events(k, COMPACTISOLATED, (long)total_isolated);
	return total_isolated;
}

/*
 * Models: split_map_pages(): every isolated block becomes order-0 pages, each with one
 * reference (post_alloc_hook), in PFN order on @list.
 */
static void split_map_pages(struct kmm_kernel *k, struct compact_control *cc,
			    struct list_head *list)
{
	struct list_head tmp;

	INIT_LIST_HEAD(&tmp);
	while (!list_empty(list)) {
		struct page *page = list_first_entry(list, struct page, lru);
		unsigned int order = (unsigned int)page->private;
		unsigned long nr = 1UL << order;

		list_del(&page->lru);
		page->private = 0;
		for (unsigned long i = 0; i < nr; i++) {
			/* zeroed on the host only if it goes back unused (release_freepages) */
			cc->freepages_zero_owed =
				post_alloc_hook_zero_owed(k, page + i, __GFP_MOVABLE);
			list_add_tail(&page[i].lru, &tmp);
		}
	}
	while (!list_empty(&tmp))
		list_move_tail(tmp.next, list);
}

/* Models: suitable_migration_target(): a movable (or CMA) block without a huge free block. */
static bool suitable_migration_target(const struct kmm_kernel *k, const struct compact_control *cc,
				      unsigned long pfn)
{
	const struct page *page = pfn_to_page(k, pfn);

	if (PageBuddy(page) && buddy_order(page) >= pageblock_order)
		return false;
	if (cc->ignore_block_suitable)
		return true;
	return get_pfnblock_migratetype(k, pfn) == MIGRATE_MOVABLE ||
	       get_pfnblock_migratetype(k, pfn) == MIGRATE_CMA;
}

/* Models: isolate_freepages(): the free scanner, downwards from cc->free_pfn. */
static void isolate_freepages(struct kmm_kernel *k, struct compact_control *cc)
{
	struct zone *zone = cc->zone;
	unsigned long isolate_start_pfn = cc->free_pfn;
	unsigned long block_start_pfn = pageblock_start_pfn(isolate_start_pfn);
	unsigned long block_end_pfn = block_start_pfn + pageblock_nr_pages;
	unsigned long low_pfn = pageblock_end_pfn(cc->migrate_pfn);
	unsigned int stride = cc->mode == MIGRATE_ASYNC ? COMPACT_CLUSTER_MAX : 1;

	if (block_end_pfn > zone_end_pfn(zone))
		block_end_pfn = zone_end_pfn(zone);
	for (; block_start_pfn >= low_pfn; block_end_pfn = block_start_pfn,
					   block_start_pfn -= pageblock_nr_pages,
					   isolate_start_pfn = block_start_pfn) {
		unsigned long nr_isolated;

		if (!pageblock_pfn_to_page(k, block_start_pfn, block_end_pfn, zone))
			goto next;
		if (!suitable_migration_target(k, cc, block_start_pfn))
			goto next;
		if (!isolation_suitable(k, cc, block_start_pfn))
			goto next;
		nr_isolated = isolate_freepages_block(k, cc, &isolate_start_pfn, block_end_pfn,
						      &cc->freepages, stride);
		if (isolate_start_pfn == block_end_pfn)
			update_pageblock_skip(k, cc, block_start_pfn);
		if (cc->nr_freepages >= cc->nr_migratepages) {
			/* Restart at the previous block if this one is used up. */
			if (isolate_start_pfn >= block_end_pfn)
				isolate_start_pfn = block_start_pfn - pageblock_nr_pages;
			break;
		} else if (isolate_start_pfn < block_end_pfn) {
			break; /* isolation failed early (the watermark): stop */
		}
		if (nr_isolated) {
			stride = 1;
			goto next;
		}
		stride = stride << 1 < COMPACT_CLUSTER_MAX ? stride << 1 : COMPACT_CLUSTER_MAX;
	next:
		if (block_start_pfn < pageblock_nr_pages) {
			isolate_start_pfn = 0;
			break;
		}
	}
	cc->free_pfn = isolate_start_pfn;
	split_map_pages(k, cc, &cc->freepages);
}

/* Models: compaction_alloc(): migrate_pages()' new page, from the isolated free pages. */
static struct page *compaction_alloc(struct kmm_kernel *k, struct page *migratepage,
				     unsigned long data)
{
	struct compact_control *cc = (struct compact_control *)data;
	struct page *freepage;

	(void)migratepage;
	if (list_empty(&cc->freepages)) {
		isolate_freepages(k, cc);
		if (list_empty(&cc->freepages))
			return NULL;
	}
	freepage = list_first_entry(&cc->freepages, struct page, lru);
	list_del(&freepage->lru);
	cc->nr_freepages--;
	return freepage;
}

/* Models: compaction_free(): an unused new page back to the isolated free pages. */
static void compaction_free(struct kmm_kernel *k, struct page *page, unsigned long data)
{
	struct compact_control *cc = (struct compact_control *)data;

	(void)k;
	list_add(&page->lru, &cc->freepages);
	cc->nr_freepages++;
}

/*
 * Models: release_freepages(): isolated free pages back; returns the highest PFN. Host side:
 * the zeroing split_map_pages() charged is done now for the pages no migration overwrote.
 */
static unsigned long release_freepages(struct kmm_kernel *k, struct list_head *freelist,
				       bool zero_owed)
{
	unsigned long high_pfn = 0;

	while (!list_empty(freelist)) {
		struct page *page = list_first_entry(freelist, struct page, lru);
		unsigned long pfn = page_to_pfn(k, page);

		list_del(&page->lru);
		if (zero_owed)
			arch_phys_zero(&k->hw->phys, PFN_PHYS(pfn), PAGE_SIZE);
		put_page(k, page);
		if (pfn > high_pfn)
			high_pfn = pfn;
	}
	return high_pfn;
}

/* ---- the migrate scanner ------------------------------------------------------------------ */

#define ISOLATE_UNEVICTABLE   0x8u /* isolate_mode_t: unevictable folios may be taken */
#define ISOLATE_ASYNC_MIGRATE 0x4u /* only folios migratable without blocking */

/*
 * Takes @folio off its LRU onto cc->migratepages (NR_ISOLATED_* counted); false when it may
 * not or cannot go.
 */
static bool compact_isolate_folio(struct kmm_kernel *k, struct compact_control *cc,
				  struct folio *folio, unsigned int mode)
{
	struct address_space *mapping = folio_mapping(folio);

	/* A pinned anonymous folio cannot move: don't take it off the LRU. */
	if (!mapping && folio_ref_count(folio) - 1 > folio_mapcount(folio))
		return false;
	/* Only anonymous folios in GFP_NOFS context (no fs locks). */
	if (!(cc->gfp_mask & __GFP_FS) && mapping)
		return false;
	if (!(mode & ISOLATE_UNEVICTABLE) && folio_test_unevictable(folio))
		return false;
	if ((mode & ISOLATE_ASYNC_MIGRATE) && folio_test_writeback(folio))
		return false;
	return migrate_isolate_lru_folio(k, folio, &cc->migratepages) == 0;
}

/*
 * Models: isolate_migratepages_block(): LRU folios of [low_pfn, end_pfn) onto
 * cc->migratepages, at most COMPACT_CLUSTER_MAX at a time. Returns 0 (cc->migrate_pfn: where
 * it stopped); the model has no contention, signals or -ENOMEM here.
 */
static int isolate_migratepages_block(struct kmm_kernel *k, struct compact_control *cc,
				      unsigned long low_pfn, unsigned long end_pfn,
				      unsigned int mode)
{
	unsigned long nr_scanned = 0, nr_isolated = 0, start_pfn = low_pfn;
	unsigned long next_skip_pfn = 0;
	bool skip_on_failure = false, skip_updated = false;
	bool valid_page = false;
	unsigned long valid_pfn = 0;

	cc->migrate_pfn = low_pfn;
	if (cc->direct_compaction && cc->mode == MIGRATE_ASYNC) {
		skip_on_failure = true;
		next_skip_pfn = order_block_end(low_pfn, cc->order);
	}
	for (; low_pfn < end_pfn; low_pfn++) {
		struct page *page;
		struct folio *folio;

		if (skip_on_failure && low_pfn >= next_skip_pfn) {
			if (nr_isolated)
				break;
			next_skip_pfn = order_block_end(low_pfn, cc->order);
		}
		nr_scanned++;
		page = pfn_to_page(k, low_pfn);
		if (!valid_page && pageblock_aligned(low_pfn)) {
			if (!isolation_suitable(k, cc, low_pfn)) {
				low_pfn = end_pfn;
				goto isolate_abort;
			}
			valid_page = true;
			valid_pfn = low_pfn;
		}
		if (PageBuddy(page)) {
			unsigned int freepage_order = buddy_order(page);

			if (freepage_order > 0 && freepage_order < MAX_ORDER)
				low_pfn += (1UL << freepage_order) - 1;
			continue;
		}
		if (PageCompound(page) && !cc->alloc_contig) {
			struct page *head = &page_folio(page)->page;

			if (head == page && compound_order(page) < MAX_ORDER)
				low_pfn += (1UL << compound_order(page)) - 1;
			goto isolate_fail;
		}
		if (!PageLRU(page))
			goto isolate_fail;
		folio = page_folio(page);
		if (!skip_updated) {
			skip_updated = true;
			if (test_and_set_skip(k, cc, low_pfn))
				goto isolate_abort;
		}
		if (!compact_isolate_folio(k, cc, folio, mode))
			goto isolate_fail;
		if (folio_test_large(folio))
			low_pfn += folio_nr_pages(folio) - 1;
		cc->nr_migratepages += (unsigned int)folio_nr_pages(folio);
		nr_isolated += folio_nr_pages(folio);
		nr_scanned += folio_nr_pages(folio) - 1;
		if (cc->nr_migratepages >= COMPACT_CLUSTER_MAX && !cc->rescan && !cc->contended) {
			++low_pfn;
			break;
		}
		continue;
	isolate_fail:
		if (!skip_on_failure)
			continue;
		/* Something in this order-aligned block cannot move: release what was taken. */
		if (nr_isolated) {
			putback_movable_pages(k, &cc->migratepages);
			cc->nr_migratepages = 0;
			nr_isolated = 0;
		}
		if (low_pfn < next_skip_pfn) {
			low_pfn = next_skip_pfn - 1;
			next_skip_pfn += 1UL << cc->order;
		}
	}
	if (low_pfn > end_pfn)
		low_pfn = end_pfn;
isolate_abort:
	/* Scanned the whole block: skip it next time if it gave nothing (or twice in a row). */
	if (low_pfn == end_pfn && (!nr_isolated || cc->rescan)) {
		if (valid_page && !skip_updated)
			set_pageblock_skip(k, valid_pfn);
		update_cached_migrate(cc, low_pfn);
	}
	if (trace_enabled(k->env, TRACE_mm_compaction_isolate_migratepages))
		trace_emit(k->env, TRACE_mm_compaction_isolate_migratepages,
			   "range=(0x%lx ~ 0x%lx) nr_scanned=%lu nr_taken=%lu", start_pfn, low_pfn,
			   nr_scanned, nr_isolated);
	cc->total_migrate_scanned += nr_scanned;
	env_charge_n(k->env, COST_compact_scan, nr_scanned);
	if (nr_isolated)
		count_vm_events(k, COMPACTISOLATED, (long)nr_isolated);
	cc->migrate_pfn = low_pfn;
	return 0;
}

/* Models: suitable_migration_source(): async direct compaction keeps to its own block type. */
static bool suitable_migration_source(const struct kmm_kernel *k, const struct compact_control *cc,
				      unsigned long pfn)
{
	int block_mt;

	if (pageblock_skip_persistent(pfn_to_page(k, pfn)))
		return false;
	if (cc->mode != MIGRATE_ASYNC || !cc->direct_compaction)
		return true;
	block_mt = get_pfnblock_migratetype(k, pfn);
	if (cc->migratetype == MIGRATE_MOVABLE)
		return block_mt == MIGRATE_MOVABLE || block_mt == MIGRATE_CMA;
	return block_mt == cc->migratetype;
}

typedef enum { ISOLATE_ABORT, ISOLATE_NONE, ISOLATE_SUCCESS } isolate_migrate_t;

/* Models: isolate_migratepages(): the next block with something to migrate, upwards. */
static isolate_migrate_t isolate_migratepages(struct kmm_kernel *k, struct compact_control *cc)
{
	const unsigned int mode =
		(k->compact->compact_unevictable_allowed ? ISOLATE_UNEVICTABLE : 0) |
		(cc->mode != MIGRATE_SYNC ? ISOLATE_ASYNC_MIGRATE : 0);
	unsigned long low_pfn = cc->migrate_pfn;
	unsigned long block_start_pfn = pageblock_start_pfn(low_pfn);
	unsigned long block_end_pfn = pageblock_end_pfn(low_pfn);

	if (block_start_pfn < cc->zone->zone_start_pfn)
		block_start_pfn = cc->zone->zone_start_pfn;
	for (; block_end_pfn <= cc->free_pfn; cc->migrate_pfn = low_pfn = block_end_pfn,
					      block_start_pfn = block_end_pfn,
					      block_end_pfn += pageblock_nr_pages) {
		if (!pageblock_pfn_to_page(k, block_start_pfn, block_end_pfn, cc->zone))
			continue;
		if (pageblock_aligned(low_pfn) && !isolation_suitable(k, cc, low_pfn))
			continue;
		if (!suitable_migration_source(k, cc, block_start_pfn)) {
			update_cached_migrate(cc, block_end_pfn);
			continue;
		}
		if (isolate_migratepages_block(k, cc, low_pfn, block_end_pfn, mode))
			return ISOLATE_ABORT;
		break;
	}
	return cc->nr_migratepages ? ISOLATE_SUCCESS : ISOLATE_NONE;
}

/* ---- fragmentation score, suitability ----------------------------------------------------- */

/* Models: fragmentation_score_zone_weighted(): the zone's score scaled by its share of RAM. */
static unsigned int fragmentation_score_zone_weighted(const struct zone *zone)
{
	unsigned long score = zone->present_pages * extfrag_for_order(zone, COMPACTION_HPAGE_ORDER);

	return (unsigned int)(score / (zone->zone_pgdat->node_present_pages + 1));
}

unsigned int fragmentation_score_node(const struct kmm_kernel *k, const pg_data_t *pgdat)
{
	unsigned int score = 0;

	(void)k;
	for (int z = 0; z < MAX_NR_ZONES; z++)
		score += fragmentation_score_zone_weighted(&pgdat->node_zones[z]);
	return score;
}

/* Models: fragmentation_score_wmark(): low = max(100 - proactiveness, 5), high = low + 10. */
static unsigned int fragmentation_score_wmark(const struct kmm_kernel *k, bool low)
{
	int p = k->compact->compaction_proactiveness;
	unsigned int wmark_low = 100U - (unsigned int)p > 5U ? 100U - (unsigned int)p : 5U;

	return low ? wmark_low : (wmark_low + 10 < 100 ? wmark_low + 10 : 100);
}

static bool should_proactive_compact_node(struct kmm_kernel *k, pg_data_t *pgdat)
{
	if (!k->compact->compaction_proactiveness || kswapd_is_running(k, pgdat->node_id))
		return false;
	return fragmentation_score_node(k, pgdat) > fragmentation_score_wmark(k, false);
}

/* Models: compact_scanners_met(): the free scanner reached the migrate scanner's block. */
static inline bool compact_scanners_met(const struct compact_control *cc)
{
	return cc->free_pfn >> pageblock_order <= cc->migrate_pfn >> pageblock_order;
}

/* Models: free_area_empty(). */
static bool free_area_empty(const struct free_area *area, int mt)
{
	return list_empty(&area->free_list[mt]);
}

/* Models: find_suitable_fallback(only_stealable = true) != -1 for the finish check. */
static bool can_steal_fallback(const struct free_area *area, unsigned int order, int mt)
{
	static const int fallbacks[MIGRATE_TYPES][2] = {
		[MIGRATE_UNMOVABLE] = {MIGRATE_RECLAIMABLE, MIGRATE_MOVABLE},
		[MIGRATE_MOVABLE] = {MIGRATE_RECLAIMABLE, MIGRATE_UNMOVABLE},
		[MIGRATE_RECLAIMABLE] = {MIGRATE_UNMOVABLE, MIGRATE_MOVABLE},
	};

	if (mt >= MIGRATE_PCPTYPES || area->nr_free == 0)
		return false;
	/* can_steal_fallback(): big enough blocks, or types that should claim. */
	if (!(order >= pageblock_order / 2 || mt == MIGRATE_RECLAIMABLE || mt == MIGRATE_UNMOVABLE))
		return false;
	for (int i = 0; i < 2; i++)
		if (!free_area_empty(area, fallbacks[mt][i]))
			return true;
	return false;
}

/* Models: __compact_finished(). */
static enum compact_result __compact_finished(struct kmm_kernel *k, struct compact_control *cc)
{
	if (compact_scanners_met(cc)) {
		reset_cached_positions(cc->zone);
		if (cc->direct_compaction)
			cc->zone->compact_blockskip_flush = true;
		return cc->whole_zone ? COMPACT_COMPLETE : COMPACT_PARTIAL_SKIPPED;
	}
	if (cc->proactive_compaction) {
		if (kswapd_is_running(k, cc->zone->node))
			return COMPACT_PARTIAL_SKIPPED;
		return extfrag_for_order(cc->zone, COMPACTION_HPAGE_ORDER) >
				       fragmentation_score_wmark(k, true)
			       ? COMPACT_CONTINUE
			       : COMPACT_SUCCESS;
	}
	if (is_via_compact_memory(cc->order))
		return COMPACT_CONTINUE;
	/* Always finish the pageblock the migrate scanner is in. */
	if (!pageblock_aligned(cc->migrate_pfn))
		return COMPACT_CONTINUE;
	for (unsigned int order = (unsigned int)cc->order; order < MAX_ORDER; order++) {
		const struct free_area *area = &cc->zone->free_area[order];

		if (!free_area_empty(area, cc->migratetype))
			return COMPACT_SUCCESS;
		if (cc->migratetype == MIGRATE_MOVABLE && !free_area_empty(area, MIGRATE_CMA))
			return COMPACT_SUCCESS;
		if (can_steal_fallback(area, order, cc->migratetype))
			return COMPACT_SUCCESS;
	}
	return cc->contended ? COMPACT_CONTENDED : COMPACT_NO_SUITABLE_PAGE;
}

static enum compact_result compact_finished(struct kmm_kernel *k, struct compact_control *cc)
{
	enum compact_result ret = __compact_finished(k, cc);

	if (trace_enabled(k->env, TRACE_mm_compaction_finished))
		trace_emit(k->env, TRACE_mm_compaction_finished,
			   "node=%d zone=%-8s order=%d ret=%s", cc->zone->node,
			   trace_zone_name(zone_idx(cc->zone)), cc->order,
			   compact_result_names[ret]);
	return ret == COMPACT_NO_SUITABLE_PAGE ? COMPACT_CONTINUE : ret;
}

/* Models: __compaction_suitable(). */
static enum compact_result __compaction_suitable(const struct zone *zone, int order,
						 unsigned int alloc_flags, int highest_zoneidx,
						 unsigned long wmark_target)
{
	unsigned long watermark;

	if (is_via_compact_memory(order))
		return COMPACT_CONTINUE;
	watermark = wmark_pages(zone, alloc_flags & ALLOC_WMARK_MASK);
	if (zone_watermark_ok(zone, (unsigned int)order, watermark, highest_zoneidx, alloc_flags))
		return COMPACT_SUCCESS;
	/* Order-0 pages for the free scanner: low (costly) or min, plus the gap. */
	watermark = order > PAGE_ALLOC_COSTLY_ORDER ? low_wmark_pages(zone) : min_wmark_pages(zone);
	watermark += compact_gap(order);
	if (!__zone_watermark_ok(zone, 0, watermark, highest_zoneidx, ALLOC_CMA,
				 (long)wmark_target))
		return COMPACT_SKIPPED;
	return COMPACT_CONTINUE;
}

enum compact_result compaction_suitable(struct kmm_kernel *k, struct zone *zone, int order,
					unsigned int alloc_flags, int highest_zoneidx)
{
	enum compact_result ret = __compaction_suitable(zone, order, alloc_flags, highest_zoneidx,
							zone_page_state(zone, NR_FREE_PAGES));

	/* Costly orders: compact only when the failure would be for fragmentation. */
	if (ret == COMPACT_CONTINUE && order > PAGE_ALLOC_COSTLY_ORDER) {
		int fragindex = fragmentation_index(zone, (unsigned int)order);

		if (fragindex >= 0 && fragindex <= k->compact->extfrag_threshold)
			ret = COMPACT_NOT_SUITABLE_ZONE;
	}
	if (trace_enabled(k->env, TRACE_mm_compaction_suitable))
		trace_emit(k->env, TRACE_mm_compaction_suitable,
			   "node=%d zone=%-8s order=%d ret=%s", zone->node,
			   trace_zone_name(zone_idx(zone)), order, compact_result_names[ret]);
	return ret == COMPACT_NOT_SUITABLE_ZONE ? COMPACT_SKIPPED : ret;
}

bool compaction_zonelist_suitable(struct kmm_kernel *k, const struct alloc_context *ac, int order,
				  unsigned int alloc_flags)
{
	struct zoneref *z;
	struct zone *zone;

	for_each_zone_zonelist_nodemask(zone, z, ac->zonelist, ac->highest_zoneidx, ac->nodemask)
	{
		/* Not all of the reclaimable memory: a share of it per order. */
		unsigned long available = zone_reclaimable_pages(k, zone) / (unsigned long)order +
					  zone_page_state(zone, NR_FREE_PAGES);

		if (__compaction_suitable(zone, order, alloc_flags, (int)ac->highest_zoneidx,
					  available) == COMPACT_CONTINUE)
			return true;
	}
	return false;
}

/* ---- compact_zone ------------------------------------------------------------------------- */

static void compact_zone_setup(struct kmm_kernel *k, struct compact_control *cc)
{
	struct zone *zone = cc->zone;
	unsigned long start_pfn = zone->zone_start_pfn, end_pfn = zone_end_pfn(zone);

	if (compaction_restarting(zone, cc->order))
		__reset_isolation_suitable(k, zone);
	cc->fast_start_pfn = 0;
	if (cc->whole_zone) {
		cc->migrate_pfn = start_pfn;
		cc->free_pfn = pageblock_start_pfn(end_pfn - 1);
		return;
	}
	cc->migrate_pfn = zone->compact_cached_migrate_pfn[cc->mode != MIGRATE_ASYNC];
	cc->free_pfn = zone->compact_cached_free_pfn;
	if (cc->free_pfn < start_pfn || cc->free_pfn >= end_pfn) {
		cc->free_pfn = pageblock_start_pfn(end_pfn - 1);
		zone->compact_cached_free_pfn = cc->free_pfn;
	}
	if (cc->migrate_pfn < start_pfn || cc->migrate_pfn >= end_pfn) {
		cc->migrate_pfn = start_pfn;
		zone->compact_cached_migrate_pfn[0] = cc->migrate_pfn;
		zone->compact_cached_migrate_pfn[1] = cc->migrate_pfn;
	}
	if (cc->migrate_pfn <= zone->compact_init_migrate_pfn)
		cc->whole_zone = true;
}

static void trace_compaction_end(struct kmm_kernel *k, const struct compact_control *cc, bool sync,
				 enum compact_result ret)
{
	const struct zone *zone = cc->zone;

	if (trace_enabled(k->env, TRACE_mm_compaction_end))
		trace_emit(k->env, TRACE_mm_compaction_end,
			   "zone_start=0x%lx migrate_pfn=0x%lx free_pfn=0x%lx zone_end=0x%lx, "
			   "mode=%s status=%s",
			   zone->zone_start_pfn, cc->migrate_pfn, cc->free_pfn, zone_end_pfn(zone),
			   sync ? "sync" : "async", compact_result_names[ret]);
}

/* One round of compact_zone's loop: isolate, migrate. Returns COMPACT_CONTINUE or the end. */
static enum compact_result compact_zone_round(struct kmm_kernel *k, struct compact_control *cc,
					      unsigned long *last_migrated_pfn, bool *update_cached)
{
	unsigned long iteration_start_pfn = cc->migrate_pfn;
	unsigned int nr_succeeded = 0;
	int err;

	cc->rescan =
		pageblock_start_pfn(*last_migrated_pfn) == pageblock_start_pfn(iteration_start_pfn);
	switch (isolate_migratepages(k, cc)) {
	case ISOLATE_ABORT:
		putback_movable_pages(k, &cc->migratepages);
		cc->nr_migratepages = 0;
		return COMPACT_CONTENDED;
	case ISOLATE_NONE:
		if (*update_cached)
			cc->zone->compact_cached_migrate_pfn[1] =
				cc->zone->compact_cached_migrate_pfn[0];
		goto check_drain;
	case ISOLATE_SUCCESS:
		*update_cached = false;
		*last_migrated_pfn = iteration_start_pfn;
	}
	err = migrate_pages(k, &cc->migratepages, compaction_alloc, compaction_free,
			    (unsigned long)cc, cc->mode, MR_COMPACTION, &nr_succeeded);
	if (trace_enabled(k->env, TRACE_mm_compaction_migratepages))
		trace_emit(k->env, TRACE_mm_compaction_migratepages, "nr_migrated=%u nr_failed=%u",
			   nr_succeeded, cc->nr_migratepages - nr_succeeded);
	cc->nr_migratepages = 0;
	if (err) {
		putback_movable_pages(k, &cc->migratepages);
		if (err == -ENOMEM && !compact_scanners_met(cc))
			return COMPACT_CONTENDED;
		/* Async direct compaction: the rest of this order-aligned block is no use. */
		if (cc->direct_compaction && cc->mode == MIGRATE_ASYNC) {
			cc->migrate_pfn = order_block_end(cc->migrate_pfn - 1, cc->order);
			*last_migrated_pfn = 0;
		}
	}
check_drain:
	/* Left the order-aligned block migrated from: flush its freed pages so they merge. */
	if (cc->order > 0 && *last_migrated_pfn) {
		if (*last_migrated_pfn < order_block_start(cc->migrate_pfn, cc->order)) {
			drain_local_pages(k, cc->zone);
			*last_migrated_pfn = 0;
		}
	}
	return COMPACT_CONTINUE;
}

enum compact_result compact_zone(struct kmm_kernel *k, struct compact_control *cc,
				 struct capture_control *capc)
{
	struct zone *zone = cc->zone;
	const bool sync = cc->mode != MIGRATE_ASYNC;
	unsigned long last_migrated_pfn = 0;
	enum compact_result ret;
	bool update_cached;

	cc->total_migrate_scanned = 0;
	cc->total_free_scanned = 0;
	cc->nr_migratepages = 0;
	cc->nr_freepages = 0;
	INIT_LIST_HEAD(&cc->freepages);
	INIT_LIST_HEAD(&cc->migratepages);
	cc->migratetype = gfp_migratetype(cc->gfp_mask);
	ret = compaction_suitable(k, zone, cc->order, cc->alloc_flags, cc->highest_zoneidx);
	if (ret == COMPACT_SUCCESS || ret == COMPACT_SKIPPED)
		return ret;
	/* The page-place check finds the isolated folios on this list while the run lasts. */
	if (migrate_list_register(k, &cc->migratepages))
		return COMPACT_CONTENDED;
	compact_zone_setup(k, cc);
	update_cached =
		!sync && zone->compact_cached_migrate_pfn[0] == zone->compact_cached_migrate_pfn[1];
	if (trace_enabled(k->env, TRACE_mm_compaction_begin))
		trace_emit(k->env, TRACE_mm_compaction_begin,
			   "zone_start=0x%lx migrate_pfn=0x%lx free_pfn=0x%lx zone_end=0x%lx, "
			   "mode=%s",
			   zone->zone_start_pfn, cc->migrate_pfn, cc->free_pfn, zone_end_pfn(zone),
			   sync ? "sync" : "async");
	lru_add_drain(k);
	while ((ret = compact_finished(k, cc)) == COMPACT_CONTINUE) {
		ret = compact_zone_round(k, cc, &last_migrated_pfn, &update_cached);
		if (ret != COMPACT_CONTINUE)
			break;
		if (capc && capc->page) {
			ret = COMPACT_SUCCESS;
			break;
		}
	}
	/* Unused free pages back; the free scanner resumes no lower than the highest of them. */
	if (cc->nr_freepages > 0) {
		unsigned long free_pfn = pageblock_start_pfn(
			release_freepages(k, &cc->freepages, cc->freepages_zero_owed));

		cc->nr_freepages = 0;
		if (free_pfn > zone->compact_cached_free_pfn)
			zone->compact_cached_free_pfn = free_pfn;
	}
	migrate_list_unregister(k, &cc->migratepages);
	count_vm_events(k, COMPACTMIGRATE_SCANNED, (long)cc->total_migrate_scanned);
	count_vm_events(k, COMPACTFREE_SCANNED, (long)cc->total_free_scanned);
	trace_compaction_end(k, cc, sync, ret);
	return ret;
}

/* ---- direct compaction and capture -------------------------------------------------------- */

bool compaction_capture(struct kmm_kernel *k, struct zone *zone, struct page *page,
			unsigned int order, int migratetype)
{
	struct compact_state *cs = k->compact;
	struct capture_control *capc = cs ? cs->capc : NULL;

	/* task_capc(): the current task's own direct compaction of this zone. */
	if (!capc || capc->page || capc->cc->zone != zone || !capc->cc->direct_compaction ||
	    capc->task != get_current_task(k) || cs->capc_cpu != smp_processor_id(k))
		return false;
	if (order != (unsigned int)capc->cc->order)
		return false;
	/* Not into CMA or isolated blocks; low orders do not pollute movable pageblocks. */
	if (is_migrate_cma(migratetype) || is_migrate_isolate(migratetype))
		return false;
	if (order < pageblock_order && migratetype == MIGRATE_MOVABLE)
		return false;
	capc->page = page;
	return true;
}

/* Models: compact_zone_order(): one zone for a direct compactor, capture armed. */
static enum compact_result compact_zone_order(struct kmm_kernel *k, struct zone *zone, int order,
					      unsigned int gfp, enum compact_priority prio,
					      unsigned int alloc_flags, int highest_zoneidx,
					      struct page **capture)
{
	struct compact_control cc = {
		.order = order,
		.search_order = (short)order,
		.gfp_mask = gfp,
		.zone = zone,
		.mode = prio == COMPACT_PRIO_ASYNC ? MIGRATE_ASYNC : MIGRATE_SYNC_LIGHT,
		.alloc_flags = alloc_flags,
		.highest_zoneidx = highest_zoneidx,
		.direct_compaction = true,
		.whole_zone = prio == MIN_COMPACT_PRIORITY,
		.ignore_skip_hint = prio == MIN_COMPACT_PRIORITY,
		.ignore_block_suitable = prio == MIN_COMPACT_PRIORITY,
	};
	struct capture_control capc = {.cc = &cc, .task = get_current_task(k)};
	struct compact_state *cs = k->compact;
	struct capture_control *outer = cs->capc;
	int outer_cpu = cs->capc_cpu;
	enum compact_result ret;

	cs->capc = &capc;
	cs->capc_cpu = smp_processor_id(k);
	ret = compact_zone(k, &cc, &capc);
	cs->capc = outer;
	cs->capc_cpu = outer_cpu;
	*capture = capc.page;
	if (*capture)
		ret = COMPACT_SUCCESS;
	return ret;
}

enum compact_result try_to_compact_pages(struct kmm_kernel *k, unsigned int gfp, unsigned int order,
					 unsigned int alloc_flags, const struct alloc_context *ac,
					 enum compact_priority prio, struct page **capture)
{
	enum compact_result rc = COMPACT_SKIPPED;
	struct zoneref *z;
	struct zone *zone;
	char flags[256];

	*capture = NULL;
	if (!k->compact || !(gfp & __GFP_IO)) /* gfp_compaction_allowed() */
		return COMPACT_SKIPPED;
	if (trace_enabled(k->env, TRACE_mm_compaction_try_to_compact_pages)) {
		format_gfp(gfp, flags, sizeof(flags));
		trace_emit(k->env, TRACE_mm_compaction_try_to_compact_pages,
			   "order=%u gfp_mask=%s priority=%d", order, flags, (int)prio);
	}
	for_each_zone_zonelist_nodemask(zone, z, ac->zonelist, ac->highest_zoneidx, ac->nodemask)
	{
		enum compact_result status;

		if (prio > MIN_COMPACT_PRIORITY && compaction_deferred(k, zone, (int)order)) {
			rc = rc > COMPACT_DEFERRED ? rc : COMPACT_DEFERRED;
			continue;
		}
		status = compact_zone_order(k, zone, (int)order, gfp, prio, alloc_flags,
					    (int)ac->highest_zoneidx, capture);
		rc = status > rc ? status : rc;
		if (status == COMPACT_SUCCESS) {
			/* Likely, not certain: the caller confirms with alloc_success. */
			compaction_defer_reset(k, zone, (int)order, false);
			break;
		}
		if (prio != COMPACT_PRIO_ASYNC &&
		    (status == COMPACT_COMPLETE || status == COMPACT_PARTIAL_SKIPPED))
			defer_compaction(k, zone, (int)order);
	}
	return rc;
}

/* ---- whole nodes: compact_memory, the node's compact file, proactive runs ------------------ */

static void compact_one_zone(struct kmm_kernel *k, struct zone *zone, bool proactive)
{
	struct compact_control cc = {
		.order = -1,
		.search_order = -1,
		.mode = proactive ? MIGRATE_SYNC_LIGHT : MIGRATE_SYNC,
		.ignore_skip_hint = true,
		.whole_zone = true,
		.gfp_mask = GFP_KERNEL,
		.proactive_compaction = proactive,
		.zone = zone,
	};

	compact_zone(k, &cc, NULL);
	if (proactive) {
		count_vm_events(k, KCOMPACTD_MIGRATE_SCANNED, (long)cc.total_migrate_scanned);
		count_vm_events(k, KCOMPACTD_FREE_SCANNED, (long)cc.total_free_scanned);
	}
}

int compact_node_zone(struct kmm_kernel *k, int nid, int zoneid)
{
	pg_data_t *pgdat;

	if (!k->compact || nid < 0 || nid >= MAX_NUMNODES || !(pgdat = NODE_DATA(k, nid)) ||
	    zoneid < 0 || zoneid >= MAX_NR_ZONES || !populated_zone(&pgdat->node_zones[zoneid]))
		return -EINVAL;
	lru_add_drain_all(k);
	compact_one_zone(k, &pgdat->node_zones[zoneid], false);
	return 0;
}

int compact_node(struct kmm_kernel *k, int nid)
{
	pg_data_t *pgdat;

	if (!k->compact || nid < 0 || nid >= MAX_NUMNODES || !(pgdat = NODE_DATA(k, nid)))
		return -EINVAL;
	for (int z = 0; z < MAX_NR_ZONES; z++)
		if (populated_zone(&pgdat->node_zones[z]))
			compact_one_zone(k, &pgdat->node_zones[z], false);
	return 0;
}

void compact_nodes(struct kmm_kernel *k)
{
	lru_add_drain_all(k);
	for (int nid = 0; nid < MAX_NUMNODES; nid++)
		if (NODE_DATA(k, nid))
			compact_node(k, nid);
}

/* Models: proactive_compact_node(). */
static void proactive_compact_node(struct kmm_kernel *k, pg_data_t *pgdat)
{
	for (int z = 0; z < MAX_NR_ZONES; z++)
		if (populated_zone(&pgdat->node_zones[z]))
			compact_one_zone(k, &pgdat->node_zones[z], true);
}

/* ---- kcompactd ---------------------------------------------------------------------------- */

static uint64_t msecs_to_cycles(const struct kmm_kernel *k, unsigned long ms)
{
	return env_ns_to_cycles(k->env, (uint64_t)ms * 1000000ULL);
}

/* Models: kcompactd_node_suitable(): some zone up to the request's would compact. */
static bool kcompactd_node_suitable(struct kmm_kernel *k, pg_data_t *pgdat)
{
	struct kcompactd_node *kn = &k->compact->node[pgdat->node_id];

	for (int z = 0; z <= kn->highest_zoneidx && z < MAX_NR_ZONES; z++) {
		struct zone *zone = &pgdat->node_zones[z];

		if (populated_zone(zone) &&
		    compaction_suitable(k, zone, kn->max_order, 0, kn->highest_zoneidx) ==
			    COMPACT_CONTINUE)
			return true;
	}
	return false;
}

/* Models: kcompactd_do_work(): compact each zone for the requested order. */
static void kcompactd_do_work(struct kmm_kernel *k, pg_data_t *pgdat)
{
	struct kcompactd_node *kn = &k->compact->node[pgdat->node_id];
	struct compact_control cc = {
		.order = kn->max_order,
		.search_order = (short)kn->max_order,
		.highest_zoneidx = kn->highest_zoneidx,
		.mode = MIGRATE_SYNC_LIGHT,
		.gfp_mask = GFP_KERNEL,
	};

	if (trace_enabled(k->env, TRACE_mm_compaction_kcompactd_wake))
		trace_emit(k->env, TRACE_mm_compaction_kcompactd_wake,
			   "nid=%d order=%d classzone_idx=%-8s", pgdat->node_id, cc.order,
			   trace_zone_name(cc.highest_zoneidx));
	count_vm_event(k, KCOMPACTD_WAKE);
	for (int z = 0; z <= cc.highest_zoneidx && z < MAX_NR_ZONES; z++) {
		struct zone *zone = &pgdat->node_zones[z];
		enum compact_result status;

		if (!populated_zone(zone) || compaction_deferred(k, zone, cc.order))
			continue;
		if (compaction_suitable(k, zone, cc.order, 0, z) != COMPACT_CONTINUE)
			continue;
		cc.zone = zone;
		status = compact_zone(k, &cc, NULL);
		if (status == COMPACT_SUCCESS) {
			compaction_defer_reset(k, zone, cc.order, false);
		} else if (status == COMPACT_PARTIAL_SKIPPED || status == COMPACT_COMPLETE) {
			drain_all_pages(k, zone);
			defer_compaction(k, zone, cc.order);
		}
		count_vm_events(k, KCOMPACTD_MIGRATE_SCANNED, (long)cc.total_migrate_scanned);
		count_vm_events(k, KCOMPACTD_FREE_SCANNED, (long)cc.total_free_scanned);
	}
	if (kn->max_order <= cc.order)
		kn->max_order = 0;
	if (kn->highest_zoneidx >= cc.highest_zoneidx)
		kn->highest_zoneidx = pgdat->nr_zones - 1;
}

/* Models: the wait at the top of kcompactd()'s loop: the delay to the next run. */
static int64_t kcompactd_sleep(struct kmm_kernel *k, pg_data_t *pgdat, uint64_t timeout)
{
	struct kcompactd_node *kn = &k->compact->node[pgdat->node_id];

	if (trace_enabled(k->env, TRACE_mm_compaction_kcompactd_sleep))
		trace_emit(k->env, TRACE_mm_compaction_kcompactd_sleep, "nid=%d", pgdat->node_id);
	kn->sleeping = true;
	if (!k->compact->compaction_proactiveness) {
		kn->timeout = 0;
		return KTHREAD_SLEEP; /* MAX_SCHEDULE_TIMEOUT */
	}
	kn->timeout = timeout;
	return (int64_t)timeout;
}

/* Models: one trip round kcompactd()'s loop, from the end of its wait. */
static int64_t kcompactd_fn(struct kmm_kernel *k, struct task_struct *t, void *data)
{
	pg_data_t *pgdat = data;
	struct kcompactd_node *kn = &k->compact->node[pgdat->node_id];
	uint64_t default_timeout = msecs_to_cycles(k, HPAGE_FRAG_CHECK_INTERVAL_MSEC);
	uint64_t timeout = default_timeout;

	(void)t;
	kn->sleeping = false;
	/* A request is pending (kcompactd_work_requested), not the proactive trigger. */
	if (kn->max_order > 0 && !kn->proactive_compact_trigger) {
		kcompactd_do_work(k, pgdat);
		return kcompactd_sleep(k, pgdat, default_timeout);
	}
	if (should_proactive_compact_node(k, pgdat)) {
		unsigned int prev_score = fragmentation_score_node(k, pgdat), score;

		kn->proactive_runs++;
		proactive_compact_node(k, pgdat);
		score = fragmentation_score_node(k, pgdat);
		if (score >= prev_score) /* no progress: back off */
			timeout = default_timeout << COMPACT_MAX_DEFER_SHIFT;
	}
	kn->proactive_compact_trigger = false;
	return kcompactd_sleep(k, pgdat, timeout);
}

/* wake_up_interruptible(&pgdat->kcompactd_wait): ends a timed wait early too. */
static void kcompactd_wake(struct kmm_kernel *k, struct kcompactd_node *kn)
{
	if (!kn->task)
		return;
	kn->sleeping = false;
	if (kn->task->__state == TASK_RUNNING)
		kthread_schedule(k, kn->task, 0);
	else
		wake_up_process(k, kn->task);
}

/* Models: kcompactd_run(): node @nid's kcompactd on the node's first CPU. */
static int kcompactd_run(struct kmm_kernel *k, int nid)
{
	struct kcompactd_node *kn = &k->compact->node[nid];
	char comm[TASK_COMM_LEN];
	int cpu = 0, err;

	if (kn->task)
		return 0;
	if (!k->tasks)
		return -EBUSY;
	for (int c = 0; c < k->nr_cpus; c++)
		if (k->node_of_cpu[c] == nid) {
			cpu = c;
			break;
		}
	snprintf(comm, sizeof(comm), KCOMPACTD_COMM_FMT, nid);
	err = kthread_create_on_cpu(k, kcompactd_fn, NODE_DATA(k, nid), cpu, comm, &kn->task);
	if (err)
		kn->task = NULL;
	return err;
}

/* The create event: each node's kcompactd asked for, created, and run once. */
static void kcompactd_create_fn(struct kmm_env *env, struct env_event *ev)
{
	struct compact_state *cs = ev->arg;
	struct kmm_kernel *k = cs->k;

	(void)env;
	for (int nid = 0; nid < MAX_NUMNODES; nid++) {
		struct kcompactd_node *kn = &cs->node[nid];

		if (!kn->create_wanted || !NODE_DATA(k, nid) ||
		    !node_has_room_for_kthread(NODE_DATA(k, nid)))
			continue;
		kn->create_wanted = false;
		if (kcompactd_run(k, nid))
			continue;
		kn->highest_zoneidx =
			kn->max_order ? kn->highest_zoneidx : NODE_DATA(k, nid)->nr_zones - 1;
		wake_up_process(k, kn->task);
	}
}

static void kcompactd_want(struct kmm_kernel *k, int nid)
{
	struct compact_state *cs = k->compact;

	cs->node[nid].create_wanted = true;
	if (!env_event_pending(&cs->create_ev))
		env_event_schedule(k->env, &cs->create_ev, k->env->cycles, 0);
}

void wakeup_kcompactd(struct kmm_kernel *k, pg_data_t *pgdat, int order, int highest_zoneidx)
{
	struct kcompactd_node *kn;

	if (!order || !k->compact)
		return;
	kn = &k->compact->node[pgdat->node_id];
	if (kn->max_order < order)
		kn->max_order = order;
	if (kn->highest_zoneidx > highest_zoneidx)
		kn->highest_zoneidx = highest_zoneidx;
	if (!kn->task) {
		if (kcompactd_node_suitable(k, pgdat))
			kcompactd_want(k, pgdat->node_id);
		return;
	}
	if (!kn->sleeping || !kcompactd_node_suitable(k, pgdat))
		return;
	if (trace_enabled(k->env, TRACE_mm_compaction_wakeup_kcompactd))
		trace_emit(k->env, TRACE_mm_compaction_wakeup_kcompactd,
			   "nid=%d order=%d classzone_idx=%-8s", pgdat->node_id, order,
			   trace_zone_name(highest_zoneidx));
	kcompactd_wake(k, kn);
}

/* ---- sysctls and sysfs -------------------------------------------------------------------- */

int sysctl_compact_memory_write(struct kmm_kernel *k, long value)
{
	(void)value; /* any value: sysctl_compaction_handler() ignores what is written */
	if (!k->compact)
		return -EINVAL;
	compact_nodes(k);
	return 0;
}

int sysctl_extfrag_threshold(const struct kmm_kernel *k)
{
	return k->compact ? k->compact->extfrag_threshold : DEFAULT_EXTFRAG_THRESHOLD;
}

int set_sysctl_extfrag_threshold(struct kmm_kernel *k, long value)
{
	if (!k->compact || value < 0 || value > 1000)
		return -EINVAL;
	k->compact->extfrag_threshold = (int)value;
	return 0;
}

int sysctl_compact_unevictable_allowed(const struct kmm_kernel *k)
{
	return k->compact ? k->compact->compact_unevictable_allowed
			  : DEFAULT_COMPACT_UNEVICTABLE_ALLOWED;
}

int set_sysctl_compact_unevictable_allowed(struct kmm_kernel *k, long value)
{
	if (!k->compact || value < 0 || value > 1)
		return -EINVAL;
	k->compact->compact_unevictable_allowed = (int)value;
	return 0;
}

int sysctl_compaction_proactiveness(const struct kmm_kernel *k)
{
	return k->compact ? k->compact->compaction_proactiveness : DEFAULT_COMPACTION_PROACTIVENESS;
}

/* Models: compaction_proactiveness_sysctl_handler(): a non-zero write triggers every node. */
int set_sysctl_compaction_proactiveness(struct kmm_kernel *k, long value)
{
	struct compact_state *cs = k->compact;

	if (!cs || value < 0 || value > 100)
		return -EINVAL;
	cs->compaction_proactiveness = (int)value;
	if (!value)
		return 0;
	for (int nid = 0; nid < MAX_NUMNODES; nid++) {
		struct kcompactd_node *kn = &cs->node[nid];

		if (!NODE_DATA(k, nid) || kn->proactive_compact_trigger)
			continue;
		kn->proactive_compact_trigger = true;
		if (kn->task)
			kcompactd_wake(k, kn);
		else
			kcompactd_want(k, nid);
	}
	return 0;
}

#define NODE_SYSFS_DIR "/sys/devices/system/node/node"

int node_compact_sysfs_write(struct kmm_kernel *k, const char *path, const char *value)
{
	const char *p;
	long nid = 0;

	(void)value; /* compact_store() ignores what is written */
	if (!k->compact || strncmp(path, NODE_SYSFS_DIR, strlen(NODE_SYSFS_DIR)) != 0)
		return -ENOENT;
	p = path + strlen(NODE_SYSFS_DIR);
	if (*p < '0' || *p > '9')
		return -ENOENT;
	for (; *p >= '0' && *p <= '9' && nid < MAX_NUMNODES; p++)
		nid = nid * 10 + (*p - '0');
	if (strcmp(p, "/compact") != 0 || nid >= MAX_NUMNODES || !NODE_DATA(k, (int)nid))
		return -ENOENT;
	lru_add_drain_all(k);
	return compact_node(k, (int)nid);
}

/* ---- boot, shutdown, check ---------------------------------------------------------------- */

int compaction_init(struct kmm_kernel *k)
{
	struct compact_state *cs = env_alloc(k->env, sizeof(*cs));
	pg_data_t *pgdat;

	if (!cs)
		return -ENOMEM;
	memset(cs, 0, sizeof(*cs));
	cs->k = k;
	cs->extfrag_threshold = DEFAULT_EXTFRAG_THRESHOLD;
	cs->compact_unevictable_allowed = DEFAULT_COMPACT_UNEVICTABLE_ALLOWED;
	cs->compaction_proactiveness = DEFAULT_COMPACTION_PROACTIVENESS;
	env_event_init(&cs->create_ev, kcompactd_create_fn, cs);
	for_each_online_pgdat(k, pgdat)
	{
		cs->node[pgdat->node_id].highest_zoneidx = pgdat->nr_zones - 1;
		for (int z = 0; z < MAX_NR_ZONES; z++)
			if (populated_zone(&pgdat->node_zones[z]))
				reset_cached_positions(&pgdat->node_zones[z]);
	}
	k->compact = cs;
	return 0;
}

void compaction_fini(struct kmm_kernel *k)
{
	struct compact_state *cs = k->compact;

	if (!cs)
		return;
	env_event_cancel(k->env, &cs->create_ev);
	for (int nid = 0; nid < MAX_NUMNODES; nid++)
		if (cs->node[nid].task && k->tasks)
			kthread_stop(k, cs->node[nid].task);
	env_free(k->env, cs);
	k->compact = NULL;
}

#define CHECK(cond, ...)                                                                           \
	do {                                                                                       \
		if (!(cond)) {                                                                     \
			snprintf(why, whylen, __VA_ARGS__);                                        \
			return false;                                                              \
		}                                                                                  \
	} while (0)

static bool zone_compaction_check(const struct zone *zone, char *why, size_t whylen)
{
	unsigned long start = zone->zone_start_pfn, end = zone_end_pfn(zone);

	/* 2. */
	CHECK(zone->compact_cached_free_pfn == 0 ||
		      (zone->compact_cached_free_pfn >= pageblock_start_pfn(start) &&
		       zone->compact_cached_free_pfn < end),
	      "compaction: zone %s cached free pfn 0x%lx outside [0x%lx, 0x%lx)", zone->name,
	      zone->compact_cached_free_pfn, start, end);
	for (int i = 0; i < 2; i++)
		CHECK(zone->compact_cached_migrate_pfn[i] == 0 ||
			      (zone->compact_cached_migrate_pfn[i] >= start &&
			       zone->compact_cached_migrate_pfn[i] <= pageblock_end_pfn(end - 1)),
		      "compaction: zone %s cached migrate pfn[%d] 0x%lx outside the zone",
		      zone->name, i, zone->compact_cached_migrate_pfn[i]);
	CHECK(zone->compact_defer_shift <= COMPACT_MAX_DEFER_SHIFT,
	      "compaction: zone %s defer shift %u > %d", zone->name, zone->compact_defer_shift,
	      COMPACT_MAX_DEFER_SHIFT);
	CHECK(zone->compact_considered <= 1U << zone->compact_defer_shift,
	      "compaction: zone %s considered %u > limit %u", zone->name, zone->compact_considered,
	      1U << zone->compact_defer_shift);
	return true;
}

bool compaction_check(const struct kmm_kernel *k, char *why, size_t whylen)
{
	const struct compact_state *cs = k->compact;
	pg_data_t *pgdat;

	if (!cs)
		return true;
	CHECK(!cs->capc, "compaction: a capture_control is armed outside a run"); /* 1. */
	CHECK(cs->extfrag_threshold >= 0 && cs->extfrag_threshold <= 1000,	  /* 3. */
	      "compaction: extfrag_threshold %d out of range", cs->extfrag_threshold);
	CHECK(cs->compact_unevictable_allowed == 0 || cs->compact_unevictable_allowed == 1,
	      "compaction: compact_unevictable_allowed %d", cs->compact_unevictable_allowed);
	CHECK(cs->compaction_proactiveness >= 0 && cs->compaction_proactiveness <= 100,
	      "compaction: proactiveness %d", cs->compaction_proactiveness);
	for_each_online_pgdat(k, pgdat)
	{
		const struct kcompactd_node *kn = &cs->node[pgdat->node_id];

		CHECK(kn->max_order >= 0 && kn->max_order < MAX_ORDER, /* 4. */
		      "compaction: node %d kcompactd order %d", pgdat->node_id, kn->max_order);
		for (int z = 0; z < MAX_NR_ZONES; z++)
			if (populated_zone(&pgdat->node_zones[z]) &&
			    !zone_compaction_check(&pgdat->node_zones[z], why, whylen))
				return false;
	}
	return true;
}

/* ---- alloc_contig_range's strict isolation ------------------------------------------------- */

/*
 * Models: isolate_freepages_range() with isolate_freepages_block(strict) and split_map_pages().
 * Deviation: the part of a free block outside the range goes back to the buddy at once, page
 * by page (they merge back), where the kernel isolates the whole block and
 * alloc_contig_range() frees the outside afterwards: the same result.
 */
unsigned long isolate_freepages_range(struct kmm_kernel *k, struct zone *zone,
				      unsigned long start_pfn, unsigned long end_pfn)
{
	unsigned long pfn;

	for (pfn = start_pfn; pfn < end_pfn;) {
		unsigned int order = 0;
		struct page *page = free_block_of(k, pfn, &order);
		unsigned long head;

		/* The caller saw every page of the range free; anything else is a broken invariant.
		 */
		if (!page) {
			bug_report(k->env, KMM_REPORT_BUG,
				   BUG_SITE(0, "isolate_freepages_range", "!free_block_of(pfn)"),
				   "kernel BUG: pfn 0x%lx of an isolated range is not free", pfn);
			return 0;
		}
		head = page_to_pfn(k, page);
		__isolate_free_page(k, page, order);
		for (unsigned long i = head; i < head + (1UL << order); i++) {
			struct page *p = pfn_to_page(k, i);

			if (i < start_pfn || i >= end_pfn)
				__free_one_page(k, p, i, zone, 0, get_pfnblock_migratetype(k, i),
						FPI_NONE);
			else
				post_alloc_hook(k, p, 0, __GFP_MOVABLE); /* split_map_pages() */
		}
		pfn = head + (1UL << order);
	}
	return end_pfn;
}
