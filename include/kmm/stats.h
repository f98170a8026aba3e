/*
 * libkmm public API: structured statistics, so a host reads numbers instead of parsing the
 * /proc text (zones and their free areas per order and migratetype, per-CPU page lists, slab
 * caches, TLB counters, single counters by name), and a sampler that records chosen counters
 * every N simulated nanoseconds (a time series, docs/json-schema.md).
 *
 * Every call here only reads the machine (the sampler's rows aside): none changes the kernel's
 * state, charges simulated time or runs pending events. A NULL machine or output is KMM_EINVAL;
 * a machine not booted yet is KMM_EINVAL naming it; a dead machine can still be read.
 */
#ifndef KMM_STATS_H
#define KMM_STATS_H

#include <kmm/mmu.h>
#include <kmm/page.h>
#include <kmm/slab.h>
#include <kmm/types.h>

#ifdef __cplusplus
extern "C" {
#endif

struct kmm_machine;

#define KMM_NR_MIGRATETYPES 6  /* UNMOVABLE MOVABLE RECLAIMABLE HIGHATOMIC CMA ISOLATE */
#define KMM_NR_PCP_LISTS    14 /* 3 pcp types x orders 0..3, then the two THP lists */

/* One populated zone, as /proc/zoneinfo, /proc/buddyinfo and /proc/pagetypeinfo show it. */
struct kmm_zone_stats {
	int node;
	int zone;      /* 0 DMA, 1 DMA32, 2 Normal, 3 Movable */
	char name[16]; /* "DMA32" */
	uint64_t start_pfn, spanned_pages, present_pages, managed_pages, cma_pages;
	uint64_t free_pages; /* NR_FREE_PAGES: the buddy allocator's, pcp lists excluded */
	uint64_t wmark_min, wmark_low, wmark_high, watermark_boost;
	uint64_t nr_reserved_highatomic;
	uint64_t free_blocks[KMM_MAX_ORDER]; /* free_area[order].nr_free (buddyinfo) */
	/* free blocks on each (order, migratetype) list (pagetypeinfo) */
	uint64_t free_blocks_mt[KMM_MAX_ORDER][KMM_NR_MIGRATETYPES];
	uint64_t pageblocks_mt[KMM_NR_MIGRATETYPES]; /* pageblocks of each migratetype */
	uint64_t pcp_pages;			     /* pages on every CPU's pcp lists */
	int pcp_high, pcp_batch;		     /* the zone's pageset high and batch */
};

/* Number of populated zones (0 before boot). kmm_stats_zone() takes 0 .. this - 1. */
KMM_API unsigned kmm_stats_nr_zones(struct kmm_machine *m);

/*
 * Fills *@out for populated zone @index (node by node, zone by zone, as /proc/zoneinfo
 * orders them). KMM_ENOENT for an index past the last. Counts the free lists: O(free blocks).
 */
KMM_API enum kmm_status kmm_stats_zone(struct kmm_machine *m, unsigned index,
				       struct kmm_zone_stats *out);

/* One CPU's per-CPU page lists in one zone. */
struct kmm_pcp_stats {
	int node, zone;
	unsigned cpu;
	int count, high, batch, free_factor;
	uint64_t list_pages[KMM_NR_PCP_LISTS]; /* pages on each list */
};

/* Fills *@out for CPU @cpu in populated zone @index. KMM_ENOENT / KMM_EINVAL for bad indices. */
KMM_API enum kmm_status kmm_stats_pcp(struct kmm_machine *m, unsigned index, unsigned cpu,
				      struct kmm_pcp_stats *out);

/*
 * Calls @fn once per slab cache, in /proc/slabinfo's order (the cache list's); @info is valid
 * during the call only. KMM_EINVAL before the slab allocator is up.
 */
KMM_API enum kmm_status
kmm_stats_slab_caches(struct kmm_machine *m,
		      void (*fn)(void *arg, const struct kmm_slab_info *info), void *arg);

/* Every CPU's TLB counters added up (kmm_tlb_stats has them one CPU at a time). */
KMM_API enum kmm_status kmm_stats_tlb(struct kmm_machine *m, struct kmm_tlb_stats *out);

/*
 * One counter by name into *@value:
 *   - any /proc/vmstat field ("nr_free_pages", "pgfault", "compact_stall", ...);
 *   - "free_order_N": free blocks of order N over all zones (N 0..10);
 *   - "free_pages_order_ge_N": free pages in blocks of order >= N over all zones;
 *   - "unusable_index_N": the unusable free space index for order N over all zones, in
 *     thousandths (/sys/kernel/debug/extfrag/unusable_index prints it as N.NNN per zone);
 *   - "fragmentation_score": the highest node's fragmentation score (0..100, compaction's
 *     proactiveness measure: extfrag of order 9 weighted by each zone's share of the node);
 *   - "tlb_hits", "tlb_misses" (L1I + L1D + L2 of every CPU: a miss in both levels counts
 *     once, as a walk), "tlb_walks", "tlb_walk_reads";
 *   - "clock_ns": the machine clock.
 * KMM_ENOENT naming it for an unknown counter.
 */
KMM_API enum kmm_status kmm_stats_counter(struct kmm_machine *m, const char *name, int64_t *value);

/* ---- time series ----------------------------------------------------------------------- */

#define KMM_SAMPLE_MAX_COUNTERS 64
/* Rows x counters a sampler keeps at most; later rows are counted as dropped. */
#define KMM_SAMPLE_MAX_VALUES (1u << 22)

/*
 * Starts sampling the comma-separated @counters (names as kmm_stats_counter takes them) every
 * @interval_ns of simulated time, replacing any sampler already running (its rows are lost).
 * A row is taken now, then at each run point of the event queue once an interval has passed
 * (API boundaries, the kernel's scheduling points, sleeps), stamped with the clock when taken.
 * KMM_EINVAL for an interval of 0, no counter or more than KMM_SAMPLE_MAX_COUNTERS;
 * KMM_ENOENT naming an unknown counter; nothing changes then.
 */
KMM_API enum kmm_status kmm_sample_start(struct kmm_machine *m, uint64_t interval_ns,
					 const char *counters);

/* Takes a last row now and stops sampling; the rows stay readable. KMM_ENOENT if none ran. */
KMM_API enum kmm_status kmm_sample_stop(struct kmm_machine *m);

/* Rows taken, counters per row, rows dropped for the cap (NULL outputs skipped). */
KMM_API enum kmm_status kmm_sample_shape(struct kmm_machine *m, uint64_t *rows, unsigned *cols,
					 uint64_t *dropped);

/* Name of counter column @col ("pgfault"); NULL past the last or without a sampler. */
KMM_API const char *kmm_sample_column(struct kmm_machine *m, unsigned col);

/* Row @row: its time in *@t_ns and its @cols values into @values. KMM_ENOENT past the end. */
KMM_API enum kmm_status kmm_sample_row(struct kmm_machine *m, uint64_t row, uint64_t *t_ns,
				       int64_t *values, unsigned cols);

/* Writes the rows as CSV ("t_ns,name,..." then one line per row) through @sink. */
KMM_API enum kmm_status kmm_sample_csv(struct kmm_machine *m, kmm_sink_fn sink, void *arg);

#ifdef __cplusplus
}
#endif

#endif /* KMM_STATS_H */
