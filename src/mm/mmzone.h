/*
 * Nodes and zones: pg_data_t, struct zone, free areas, per-CPU pagesets, and the counters
 * /proc/zoneinfo and /proc/vmstat print.
 *
 * Migratetypes and zone types keep the kernel's names and values (6.1, CONFIG_CMA and
 * CONFIG_MEMORY_ISOLATION on, so MIGRATE_TYPES = 6).
 */
#ifndef KMM_MM_MMZONE_H
#define KMM_MM_MMZONE_H

#include "mm/mm_types.h"

#define MAX_NUMNODES 16
#define NUMA_NO_NODE (-1)

enum migratetype {
	MIGRATE_UNMOVABLE,
	MIGRATE_MOVABLE,
	MIGRATE_RECLAIMABLE,
	MIGRATE_PCPTYPES,
	MIGRATE_HIGHATOMIC = MIGRATE_PCPTYPES,
	MIGRATE_CMA,
	MIGRATE_ISOLATE,
	MIGRATE_TYPES
};

extern const char *const migratetype_names[MIGRATE_TYPES];

enum zone_type { ZONE_DMA, ZONE_DMA32, ZONE_NORMAL, ZONE_MOVABLE, MAX_NR_ZONES };

extern const char *const zone_names[MAX_NR_ZONES];

enum zone_watermarks { WMARK_MIN, WMARK_LOW, WMARK_HIGH, WMARK_PROMO, NR_WMARK };

/* Zone counters, in /proc/vmstat order (enum zone_stat_item). */
#define ZONE_STAT_ITEMS(X)                                                                         \
	X(NR_FREE_PAGES, "nr_free_pages")                                                          \
	X(NR_ZONE_INACTIVE_ANON, "nr_zone_inactive_anon")                                          \
	X(NR_ZONE_ACTIVE_ANON, "nr_zone_active_anon")                                              \
	X(NR_ZONE_INACTIVE_FILE, "nr_zone_inactive_file")                                          \
	X(NR_ZONE_ACTIVE_FILE, "nr_zone_active_file")                                              \
	X(NR_ZONE_UNEVICTABLE, "nr_zone_unevictable")                                              \
	X(NR_ZONE_WRITE_PENDING, "nr_zone_write_pending")                                          \
	X(NR_MLOCK, "nr_mlock")                                                                    \
	X(NR_BOUNCE, "nr_bounce")                                                                  \
	X(NR_ZSPAGES, "nr_zspages")                                                                \
	X(NR_FREE_CMA_PAGES, "nr_free_cma")

enum zone_stat_item {
#define ZSI_ENUM(e, name) e,
	ZONE_STAT_ITEMS(ZSI_ENUM)
#undef ZSI_ENUM
		NR_VM_ZONE_STAT_ITEMS
};

#define NUMA_STAT_ITEMS(X)                                                                         \
	X(NUMA_HIT, "numa_hit")                                                                    \
	X(NUMA_MISS, "numa_miss")                                                                  \
	X(NUMA_FOREIGN, "numa_foreign")                                                            \
	X(NUMA_INTERLEAVE_HIT, "numa_interleave")                                                  \
	X(NUMA_LOCAL, "numa_local")                                                                \
	X(NUMA_OTHER, "numa_other")

enum numa_stat_item {
#define NSI_ENUM(e, name) e,
	NUMA_STAT_ITEMS(NSI_ENUM)
#undef NSI_ENUM
		NR_VM_NUMA_EVENT_ITEMS
};

/* Node counters (enum node_stat_item, 6.1 with CONFIG_SWAP and CONFIG_NUMA_BALANCING). */
#define NODE_STAT_ITEMS(X)                                                                         \
	X(NR_INACTIVE_ANON, "nr_inactive_anon")                                                    \
	X(NR_ACTIVE_ANON, "nr_active_anon")                                                        \
	X(NR_INACTIVE_FILE, "nr_inactive_file")                                                    \
	X(NR_ACTIVE_FILE, "nr_active_file")                                                        \
	X(NR_UNEVICTABLE, "nr_unevictable")                                                        \
	X(NR_SLAB_RECLAIMABLE_B, "nr_slab_reclaimable")                                            \
	X(NR_SLAB_UNRECLAIMABLE_B, "nr_slab_unreclaimable")                                        \
	X(NR_ISOLATED_ANON, "nr_isolated_anon")                                                    \
	X(NR_ISOLATED_FILE, "nr_isolated_file")                                                    \
	X(WORKINGSET_NODES, "workingset_nodes")                                                    \
	X(WORKINGSET_REFAULT_ANON, "workingset_refault_anon")                                      \
	X(WORKINGSET_REFAULT_FILE, "workingset_refault_file")                                      \
	X(WORKINGSET_ACTIVATE_ANON, "workingset_activate_anon")                                    \
	X(WORKINGSET_ACTIVATE_FILE, "workingset_activate_file")                                    \
	X(WORKINGSET_RESTORE_ANON, "workingset_restore_anon")                                      \
	X(WORKINGSET_RESTORE_FILE, "workingset_restore_file")                                      \
	X(WORKINGSET_NODERECLAIM, "workingset_nodereclaim")                                        \
	X(NR_ANON_MAPPED, "nr_anon_pages")                                                         \
	X(NR_FILE_MAPPED, "nr_mapped")                                                             \
	X(NR_FILE_PAGES, "nr_file_pages")                                                          \
	X(NR_FILE_DIRTY, "nr_dirty")                                                               \
	X(NR_WRITEBACK, "nr_writeback")                                                            \
	X(NR_WRITEBACK_TEMP, "nr_writeback_temp")                                                  \
	X(NR_SHMEM, "nr_shmem")                                                                    \
	X(NR_SHMEM_THPS, "nr_shmem_hugepages")                                                     \
	X(NR_SHMEM_PMDMAPPED, "nr_shmem_pmdmapped")                                                \
	X(NR_FILE_THPS, "nr_file_hugepages")                                                       \
	X(NR_FILE_PMDMAPPED, "nr_file_pmdmapped")                                                  \
	X(NR_ANON_THPS, "nr_anon_transparent_hugepages")                                           \
	X(NR_VMSCAN_WRITE, "nr_vmscan_write")                                                      \
	X(NR_VMSCAN_IMMEDIATE, "nr_vmscan_immediate_reclaim")                                      \
	X(NR_DIRTIED, "nr_dirtied")                                                                \
	X(NR_WRITTEN, "nr_written")                                                                \
	X(NR_THROTTLED_WRITTEN, "nr_throttled_written")                                            \
	X(NR_KERNEL_MISC_RECLAIMABLE, "nr_kernel_misc_reclaimable")                                \
	X(NR_FOLL_PIN_ACQUIRED, "nr_foll_pin_acquired")                                            \
	X(NR_FOLL_PIN_RELEASED, "nr_foll_pin_released")                                            \
	X(NR_KERNEL_STACK_KB, "nr_kernel_stack")                                                   \
	X(NR_PAGETABLE, "nr_page_table_pages")                                                     \
	X(NR_SECONDARY_PAGETABLE, "nr_sec_page_table_pages")                                       \
	X(NR_SWAPCACHE, "nr_swapcached")                                                           \
	X(PGPROMOTE_SUCCESS, "pgpromote_success")                                                  \
	X(PGPROMOTE_CANDIDATE, "pgpromote_candidate")

enum node_stat_item {
#define NDSI_ENUM(e, name) e,
	NODE_STAT_ITEMS(NDSI_ENUM)
#undef NDSI_ENUM
		NR_VM_NODE_STAT_ITEMS
};

/* Event counters (enum vm_event_item, 6.1 arm64 config), in /proc/vmstat order. */
#define VM_EVENT_ITEMS(X)                                                                          \
	X(PGPGIN, "pgpgin")                                                                        \
	X(PGPGOUT, "pgpgout")                                                                      \
	X(PSWPIN, "pswpin")                                                                        \
	X(PSWPOUT, "pswpout")                                                                      \
	X(PGALLOC_DMA, "pgalloc_dma")                                                              \
	X(PGALLOC_DMA32, "pgalloc_dma32")                                                          \
	X(PGALLOC_NORMAL, "pgalloc_normal")                                                        \
	X(PGALLOC_MOVABLE, "pgalloc_movable")                                                      \
	X(ALLOCSTALL_DMA, "allocstall_dma")                                                        \
	X(ALLOCSTALL_DMA32, "allocstall_dma32")                                                    \
	X(ALLOCSTALL_NORMAL, "allocstall_normal")                                                  \
	X(ALLOCSTALL_MOVABLE, "allocstall_movable")                                                \
	X(PGSKIP_DMA, "pgskip_dma")                                                                \
	X(PGSKIP_DMA32, "pgskip_dma32")                                                            \
	X(PGSKIP_NORMAL, "pgskip_normal")                                                          \
	X(PGSKIP_MOVABLE, "pgskip_movable")                                                        \
	X(PGFREE, "pgfree")                                                                        \
	X(PGACTIVATE, "pgactivate")                                                                \
	X(PGDEACTIVATE, "pgdeactivate")                                                            \
	X(PGLAZYFREE, "pglazyfree")                                                                \
	X(PGFAULT, "pgfault")                                                                      \
	X(PGMAJFAULT, "pgmajfault")                                                                \
	X(PGLAZYFREED, "pglazyfreed")                                                              \
	X(PGREFILL, "pgrefill")                                                                    \
	X(PGREUSE, "pgreuse")                                                                      \
	X(PGSTEAL_KSWAPD, "pgsteal_kswapd")                                                        \
	X(PGSTEAL_DIRECT, "pgsteal_direct")                                                        \
	X(PGDEMOTE_KSWAPD, "pgdemote_kswapd")                                                      \
	X(PGDEMOTE_DIRECT, "pgdemote_direct")                                                      \
	X(PGSCAN_KSWAPD, "pgscan_kswapd")                                                          \
	X(PGSCAN_DIRECT, "pgscan_direct")                                                          \
	X(PGSCAN_DIRECT_THROTTLE, "pgscan_direct_throttle")                                        \
	X(PGSCAN_ANON, "pgscan_anon")                                                              \
	X(PGSCAN_FILE, "pgscan_file")                                                              \
	X(PGSTEAL_ANON, "pgsteal_anon")                                                            \
	X(PGSTEAL_FILE, "pgsteal_file")                                                            \
	X(ZONE_RECLAIM_FAILED, "zone_reclaim_failed")                                              \
	X(PGINODESTEAL, "pginodesteal")                                                            \
	X(SLABS_SCANNED, "slabs_scanned")                                                          \
	X(KSWAPD_INODESTEAL, "kswapd_inodesteal")                                                  \
	X(KSWAPD_LOW_WMARK_HIT_QUICKLY, "kswapd_low_wmark_hit_quickly")                            \
	X(KSWAPD_HIGH_WMARK_HIT_QUICKLY, "kswapd_high_wmark_hit_quickly")                          \
	X(PAGEOUTRUN, "pageoutrun")                                                                \
	X(PGROTATED, "pgrotated")                                                                  \
	X(DROP_PAGECACHE, "drop_pagecache")                                                        \
	X(DROP_SLAB, "drop_slab")                                                                  \
	X(OOM_KILL, "oom_kill")                                                                    \
	X(NUMA_PTE_UPDATES, "numa_pte_updates")                                                    \
	X(NUMA_HUGE_PTE_UPDATES, "numa_huge_pte_updates")                                          \
	X(NUMA_HINT_FAULTS, "numa_hint_faults")                                                    \
	X(NUMA_HINT_FAULTS_LOCAL, "numa_hint_faults_local")                                        \
	X(NUMA_PAGES_MIGRATED, "numa_pages_migrated")                                              \
	X(PGMIGRATE_SUCCESS, "pgmigrate_success")                                                  \
	X(PGMIGRATE_FAIL, "pgmigrate_fail")                                                        \
	X(THP_MIGRATION_SUCCESS, "thp_migration_success")                                          \
	X(THP_MIGRATION_FAIL, "thp_migration_fail")                                                \
	X(THP_MIGRATION_SPLIT, "thp_migration_split")                                              \
	X(COMPACTMIGRATE_SCANNED, "compact_migrate_scanned")                                       \
	X(COMPACTFREE_SCANNED, "compact_free_scanned")                                             \
	X(COMPACTISOLATED, "compact_isolated")                                                     \
	X(COMPACTSTALL, "compact_stall")                                                           \
	X(COMPACTFAIL, "compact_fail")                                                             \
	X(COMPACTSUCCESS, "compact_success")                                                       \
	X(KCOMPACTD_WAKE, "compact_daemon_wake")                                                   \
	X(KCOMPACTD_MIGRATE_SCANNED, "compact_daemon_migrate_scanned")                             \
	X(KCOMPACTD_FREE_SCANNED, "compact_daemon_free_scanned")                                   \
	X(HTLB_BUDDY_ALLOC_SUCCESS, "htlb_buddy_alloc_success")                                    \
	X(HTLB_BUDDY_ALLOC_FAIL, "htlb_buddy_alloc_fail")                                          \
	X(CMA_ALLOC_SUCCESS, "cma_alloc_success")                                                  \
	X(CMA_ALLOC_FAIL, "cma_alloc_fail")                                                        \
	X(UNEVICTABLE_PGS_CULLED, "unevictable_pgs_culled")                                        \
	X(UNEVICTABLE_PGS_SCANNED, "unevictable_pgs_scanned")                                      \
	X(UNEVICTABLE_PGS_RESCUED, "unevictable_pgs_rescued")                                      \
	X(UNEVICTABLE_PGS_MLOCKED, "unevictable_pgs_mlocked")                                      \
	X(UNEVICTABLE_PGS_MUNLOCKED, "unevictable_pgs_munlocked")                                  \
	X(UNEVICTABLE_PGS_CLEARED, "unevictable_pgs_cleared")                                      \
	X(UNEVICTABLE_PGS_STRANDED, "unevictable_pgs_stranded")                                    \
	X(THP_FAULT_ALLOC, "thp_fault_alloc")                                                      \
	X(THP_FAULT_FALLBACK, "thp_fault_fallback")                                                \
	X(THP_FAULT_FALLBACK_CHARGE, "thp_fault_fallback_charge")                                  \
	X(THP_COLLAPSE_ALLOC, "thp_collapse_alloc")                                                \
	X(THP_COLLAPSE_ALLOC_FAILED, "thp_collapse_alloc_failed")                                  \
	X(THP_FILE_ALLOC, "thp_file_alloc")                                                        \
	X(THP_FILE_FALLBACK, "thp_file_fallback")                                                  \
	X(THP_FILE_FALLBACK_CHARGE, "thp_file_fallback_charge")                                    \
	X(THP_FILE_MAPPED, "thp_file_mapped")                                                      \
	X(THP_SPLIT_PAGE, "thp_split_page")                                                        \
	X(THP_SPLIT_PAGE_FAILED, "thp_split_page_failed")                                          \
	X(THP_DEFERRED_SPLIT_PAGE, "thp_deferred_split_page")                                      \
	X(THP_SPLIT_PMD, "thp_split_pmd")                                                          \
	X(THP_SCAN_EXCEED_NONE_PTE, "thp_scan_exceed_none_pte")                                    \
	X(THP_SCAN_EXCEED_SWAP_PTE, "thp_scan_exceed_swap_pte")                                    \
	X(THP_SCAN_EXCEED_SHARE_PTE, "thp_scan_exceed_share_pte")                                  \
	X(THP_ZERO_PAGE_ALLOC, "thp_zero_page_alloc")                                              \
	X(THP_ZERO_PAGE_ALLOC_FAILED, "thp_zero_page_alloc_failed")                                \
	X(THP_SWPOUT, "thp_swpout")                                                                \
	X(THP_SWPOUT_FALLBACK, "thp_swpout_fallback")                                              \
	X(BALLOON_INFLATE, "balloon_inflate")                                                      \
	X(BALLOON_DEFLATE, "balloon_deflate")                                                      \
	X(BALLOON_MIGRATE, "balloon_migrate")                                                      \
	X(SWAP_RA, "swap_ra")                                                                      \
	X(SWAP_RA_HIT, "swap_ra_hit")                                                              \
	X(KSM_SWPIN_COPY, "ksm_swpin_copy")                                                        \
	X(COW_KSM, "cow_ksm")                                                                      \
	X(ZSWPIN, "zswpin")                                                                        \
	X(ZSWPOUT, "zswpout")

enum vm_event_item {
#define VEI_ENUM(e, name) e,
	VM_EVENT_ITEMS(VEI_ENUM)
#undef VEI_ENUM
		NR_VM_EVENT_ITEMS
};

/* zone->flags bits (enum zone_flags). */
enum zone_flags {
	ZONE_BOOSTED_WATERMARK, /* a fallback boosted the watermark: wake kswapd on next alloc */
	ZONE_RECLAIM_ACTIVE,	/* kswapd may be reclaiming: pcp lists keep fewer pages */
};

struct free_area {
	struct list_head free_list[MIGRATE_TYPES];
	unsigned long nr_free;
};

/*
 * PCP lists, as 6.1 with THP: one per (pcp migratetype, order 0..3), then two for the
 * pageblock order (non-movable, movable).
 */
#define NR_PCP_THP	      2
#define NR_LOWORDER_PCP_LISTS (MIGRATE_PCPTYPES * (PAGE_ALLOC_COSTLY_ORDER + 1))
#define NR_PCP_LISTS	      (NR_LOWORDER_PCP_LISTS + NR_PCP_THP)
#define PCP_BATCH_SCALE_MAX   5 /* CONFIG_PCP_BATCH_SCALE_MAX of the reference config */

struct per_cpu_pages {
	int count; /* pages on the lists */
	int high;  /* drain above this */
	int batch; /* chunk size for buddy add/remove */
	short free_factor;
	struct list_head lists[NR_PCP_LISTS];
};

struct per_cpu_zonestat {
	int8_t vm_stat_diff[NR_VM_ZONE_STAT_ITEMS];
	int8_t stat_threshold;
};

/*
 * The LRU lists (enum lru_list, 6.1): bit 0 "active", bit 1 "file", and the unevictable list
 * last. Their sizes are the node counters from NR_LRU_BASE and the zone counters from
 * NR_ZONE_LRU_BASE, in the same order (swap.c's update_lru_size).
 */
#define LRU_BASE   0
#define LRU_ACTIVE 1
#define LRU_FILE   2

enum lru_list {
	LRU_INACTIVE_ANON = LRU_BASE,
	LRU_ACTIVE_ANON = LRU_BASE + LRU_ACTIVE,
	LRU_INACTIVE_FILE = LRU_BASE + LRU_FILE,
	LRU_ACTIVE_FILE = LRU_BASE + LRU_FILE + LRU_ACTIVE,
	LRU_UNEVICTABLE,
	NR_LRU_LISTS
};

#define NR_LRU_BASE	 NR_INACTIVE_ANON
#define NR_ZONE_LRU_BASE NR_ZONE_INACTIVE_ANON

/*
 * Models: struct lruvec (6.1, no memcg: one per node, pgdat->__lruvec). The unevictable
 * list stays empty, as 6.1's: an unevictable folio is counted, not linked (its lru.prev holds
 * mlock_count); swap.c finds those folios by their flags.
 */
struct lruvec {
	struct list_head lists[NR_LRU_LISTS];
	unsigned long anon_cost, file_cost; /* lru_note_cost (reclaim's scan balance) */
	/* Evictions and activations, the clock shadow entries read (workingset.c). */
	unsigned long nonresident_age;
	struct pglist_data *pgdat;
};

struct pglist_data;

struct zone {
	/* Constant after boot (recomputed by sysctls that change them). */
	unsigned long _watermark[NR_WMARK];
	unsigned long watermark_boost;
	unsigned long nr_reserved_highatomic;
	long lowmem_reserve[MAX_NR_ZONES];
	int node;
	struct pglist_data *zone_pgdat;
	struct per_cpu_pages *per_cpu_pageset;	    /* nr_cpus entries */
	struct per_cpu_zonestat *per_cpu_zonestats; /* nr_cpus entries */
	int pageset_high;
	int pageset_batch;
	unsigned long zone_start_pfn;
	long managed_pages;
	unsigned long spanned_pages;
	unsigned long present_pages;
	unsigned long cma_pages;
	const char *name;
	bool initialized;

	/* Under zone->lock. */
	struct free_area free_area[MAX_ORDER];
	unsigned long flags;		    /* enum zone_flags bits */
	unsigned long nr_isolate_pageblock; /* pageblocks of MIGRATE_ISOLATE */

	/* Compaction (compaction.c): where the scanners resume, and the deferral state. */
	unsigned long compact_cached_free_pfn;
	unsigned long compact_cached_migrate_pfn[2]; /* [0] async, [1] sync */
	unsigned long compact_init_migrate_pfn;
	unsigned long compact_init_free_pfn;
	unsigned int compact_considered;  /* attempts skipped since the last deferral */
	unsigned int compact_defer_shift; /* skip up to 1 << shift attempts */
	int compact_order_failed;	  /* orders from here on are deferred */
	bool compact_blockskip_flush;	  /* a direct compactor's scanners met: reset skip bits */

	/* Statistics. */
	long vm_stat[NR_VM_ZONE_STAT_ITEMS];
	unsigned long vm_numa_event[NR_VM_NUMA_EVENT_ITEMS];
};

#define MAX_ZONES_PER_ZONELIST (MAX_NUMNODES * MAX_NR_ZONES)

struct zoneref {
	struct zone *zone;
	int zone_idx;
};

enum { ZONELIST_FALLBACK, ZONELIST_NOFALLBACK, MAX_ZONELISTS };

struct zonelist {
	struct zoneref _zonerefs[MAX_ZONES_PER_ZONELIST + 1];
};

typedef struct pglist_data {
	struct zone node_zones[MAX_NR_ZONES];
	struct zonelist node_zonelists[MAX_ZONELISTS];
	int nr_zones; /* highest populated zone index + 1 */
	unsigned long node_start_pfn;
	unsigned long node_present_pages;
	unsigned long node_spanned_pages;
	int node_id;
	unsigned long totalreserve_pages;
	long vm_stat[NR_VM_NODE_STAT_ITEMS];

	/* The LRU lists of the node's pages (swap.c); set up by lru_init(). */
	struct lruvec __lruvec;

	/* kswapd (vmscan.c): the wake requests it has received; it runs with reclaim. */
	int kswapd_order;
	int kswapd_highest_zoneidx;
	unsigned long kswapd_wakeups;
} pg_data_t;

static inline bool populated_zone(const struct zone *z)
{
	return z->present_pages != 0;
}

static inline bool managed_zone(const struct zone *z)
{
	return z->managed_pages > 0;
}

static inline unsigned long zone_managed_pages(const struct zone *z)
{
	return (unsigned long)z->managed_pages;
}

static inline unsigned long zone_end_pfn(const struct zone *z)
{
	return z->zone_start_pfn + z->spanned_pages;
}

static inline bool zone_spans_pfn(const struct zone *z, unsigned long pfn)
{
	return z->zone_start_pfn <= pfn && pfn < zone_end_pfn(z);
}

static inline int zone_idx(const struct zone *z)
{
	return (int)(z - z->zone_pgdat->node_zones);
}

#define min_wmark_pages(z)  ((z)->_watermark[WMARK_MIN] + (z)->watermark_boost)
#define low_wmark_pages(z)  ((z)->_watermark[WMARK_LOW] + (z)->watermark_boost)
#define high_wmark_pages(z) ((z)->_watermark[WMARK_HIGH] + (z)->watermark_boost)
#define wmark_pages(z, i)   ((z)->_watermark[i] + (z)->watermark_boost)

#endif /* KMM_MM_MMZONE_H */
