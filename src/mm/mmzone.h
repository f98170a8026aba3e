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

struct free_area {
	struct list_head free_list[MIGRATE_TYPES];
	unsigned long nr_free;
};

/* PCP lists: one per (pcp migratetype, order 0..3) plus one for THP order, as in 6.1. */
#define NR_PCP_THP   1
#define NR_PCP_LISTS (MIGRATE_PCPTYPES * (PAGE_ALLOC_COSTLY_ORDER + 1 + NR_PCP_THP))

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
	unsigned long flags;

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
