/*
 * Memory compaction (mm/compaction.c): the interface the page allocator, kswapd, the sysctls,
 * sysfs, kmmsim steps and the tests use.
 *
 * Models: include/linux/compaction.h and the compaction part of mm/internal.h (struct
 *         compact_control, struct capture_control) (Linux 6.1.192).
 *
 * The zone's own compaction fields (cached scanner positions, deferral) live in struct zone
 * (mmzone.h); kcompactd's request per node and the sysctl values live in struct compact_state
 * (compaction.c, k->compact). enum compact_result and enum compact_priority are in internal.h.
 */
#ifndef KMM_MM_COMPACTION_H
#define KMM_MM_COMPACTION_H

#include "mm/internal.h"
#include "mm/migrate.h"

/* Do not skip compaction more than 64 times (1 << COMPACT_MAX_DEFER_SHIFT). */
#define COMPACT_MAX_DEFER_SHIFT 6
/* Pages isolated per round of the migrate scanner (SWAP_CLUSTER_MAX). */
#define COMPACT_CLUSTER_MAX 32
/* kcompactd's proactive check interval (HPAGE_FRAG_CHECK_INTERVAL_MSEC). */
#define HPAGE_FRAG_CHECK_INTERVAL_MSEC 500
/* The order the fragmentation score is taken for (HPAGE_PMD_ORDER with 4 KiB pages). */
#define COMPACTION_HPAGE_ORDER 9

/* Defaults of the sysctls (6.1): vm.extfrag_threshold, vm.compaction_proactiveness, ... */
#define DEFAULT_EXTFRAG_THRESHOLD	    500
#define DEFAULT_COMPACTION_PROACTIVENESS    20
#define DEFAULT_COMPACT_UNEVICTABLE_ALLOWED 1 /* CONFIG_COMPACT_UNEVICTABLE_DEFAULT (!RT) */

/* Models: mm/internal.h:struct compact_control: one compaction run over one zone. */
struct compact_control {
	struct list_head freepages;    /* free pages to migrate to (isolated, order 0) */
	struct list_head migratepages; /* pages to be migrated (isolated from the LRU) */
	unsigned int nr_freepages;
	unsigned int nr_migratepages;
	unsigned long free_pfn;	   /* where the free scanner goes on (downwards) */
	unsigned long migrate_pfn; /* where the migrate scanner goes on (upwards) */
	unsigned long fast_start_pfn;
	struct zone *zone;
	unsigned long total_migrate_scanned;
	unsigned long total_free_scanned;
	unsigned short fast_search_fail;
	short search_order;
	unsigned int gfp_mask;
	int order; /* -1: the whole zone (compact_memory, the node's compact file) */
	int migratetype;
	unsigned int alloc_flags;
	int highest_zoneidx;
	enum migrate_mode mode;
	bool ignore_skip_hint;
	bool no_set_skip_hint;
	bool ignore_block_suitable;
	bool direct_compaction;
	bool proactive_compaction;
	bool whole_zone;
	bool contended;
	bool rescan;
	bool alloc_contig;
	bool freepages_zero_owed; /* host side: freepages' charged zeroing not done yet */
};

/* Models: struct capture_control: a direct compactor's claim on the block it frees. */
struct capture_control {
	struct compact_control *cc;
	struct page *page;
	struct task_struct *task; /* the compacting task (current->capture_control) */
};

/* Creates k->compact (sysctl defaults; kcompactd threads come at first need). 0 or -ENOMEM. */
int compaction_init(struct kmm_kernel *k);
/* Stops the kcompactd threads and frees k->compact; nothing else changes. */
void compaction_fini(struct kmm_kernel *k);
/* compaction.c's invariants (header essay); false with the reason. Changes nothing. */
bool compaction_check(const struct kmm_kernel *k, char *why, size_t whylen);

/*
 * Models: compact_zone(): one run of both scanners over @cc->zone (the caller fills @cc as
 * compact_zone_order/compact_node do). Returns the compact_result; both lists are empty after.
 */
enum compact_result compact_zone(struct kmm_kernel *k, struct compact_control *cc,
				 struct capture_control *capc);

/*
 * Models: compaction_suitable(): COMPACT_SKIPPED (too few free pages, or the fragmentation
 * index says the failure is for lack of memory), COMPACT_SUCCESS (the watermark for @order is
 * met already) or COMPACT_CONTINUE. Changes nothing.
 */
enum compact_result compaction_suitable(struct kmm_kernel *k, struct zone *zone, int order,
					unsigned int alloc_flags, int highest_zoneidx);
/* Models: compaction_zonelist_suitable(): would some zone of @ac pass with reclaim's help? */
bool compaction_zonelist_suitable(struct kmm_kernel *k, const struct alloc_context *ac, int order,
				  unsigned int alloc_flags);

/* Models: defer_compaction(): backs off after a failure (shift + 1, order_failed lowered). */
void defer_compaction(struct kmm_kernel *k, struct zone *zone, int order);
/* Models: compaction_deferred(): true when this attempt should be skipped (counts it). */
bool compaction_deferred(struct kmm_kernel *k, struct zone *zone, int order);
/* Models: compaction_defer_reset(): after a success; @alloc_success resets the back-off. */
void compaction_defer_reset(struct kmm_kernel *k, struct zone *zone, int order, bool alloc_success);
/* Models: compaction_restarting(): deferred to the limit and the limit reached. */
bool compaction_restarting(const struct zone *zone, int order);

/* Models: reset_isolation_suitable(): clears the skip bits of @pgdat's flagged zones. */
void reset_isolation_suitable(struct kmm_kernel *k, pg_data_t *pgdat);
/*
 * Models: __reset_isolation_suitable(): when the zone's compact_blockskip_flush is set (a full
 * run ended), clears it and the skip bits of blocks a sample finds free or LRU pages in, and
 * moves the cached scanner positions to the first such blocks. Nothing when the flag is clear.
 */
void __reset_isolation_suitable(struct kmm_kernel *k, struct zone *zone);

/* Pageblock skip bit of @pfn's pageblock (PB_migrate_skip). */
bool get_pageblock_skip(const struct kmm_kernel *k, unsigned long pfn);
void set_pageblock_skip(struct kmm_kernel *k, unsigned long pfn);
void clear_pageblock_skip(struct kmm_kernel *k, unsigned long pfn);

/*
 * vmstat.c. Models: fragmentation_index(): -1000 when a free block of @order exists, 0 when
 * no page is free, else 1000 - (1000 + free_pages * 1000 / 2^order) / free_blocks_total.
 */
int fragmentation_index(const struct zone *zone, unsigned int order);
/* Models: extfrag_for_order(): percentage of free pages in blocks smaller than @order. */
unsigned int extfrag_for_order(const struct zone *zone, unsigned int order);
/* Models: fragmentation_score_node(): the node's score (0..100), zones weighted by size. */
unsigned int fragmentation_score_node(const struct kmm_kernel *k, const pg_data_t *pgdat);

/*
 * Models: compact_node(): a full synchronous compaction of every zone of node @nid (the
 * node's sysfs compact file). 0, or -EINVAL when @nid names no online node (nothing done).
 */
int compact_node(struct kmm_kernel *k, int nid);
/* Models: compact_nodes(): vm.compact_memory's write: every node. */
void compact_nodes(struct kmm_kernel *k);
/*
 * Compacts one zone of node @nid as compact_node() does (kmmsim's `compact node=N zone=Z`).
 * 0, or -EINVAL when the node or zone does not exist or is empty (nothing done).
 */
int compact_node_zone(struct kmm_kernel *k, int nid, int zoneid);

/* Models: wakeup_kcompactd(): kswapd asks node @pgdat's kcompactd for @order pages. */
void wakeup_kcompactd(struct kmm_kernel *k, pg_data_t *pgdat, int order, int highest_zoneidx);

/*
 * Models: compaction_capture() as __free_one_page() calls it: when the current task is
 * direct-compacting @zone for order <= @order and @migratetype suits, the freed block is
 * taken (removed from nothing: the caller does not enqueue it). True when captured.
 */
bool compaction_capture(struct kmm_kernel *k, struct zone *zone, struct page *page,
			unsigned int order, int migratetype);

/*
 * The sysctls (sysctl_vm.c's part rows): vm.compact_memory (write-only, any value compacts
 * every node), vm.extfrag_threshold (0..1000), vm.compact_unevictable_allowed (0..1),
 * vm.compaction_proactiveness (0..100). Setters: 0 or -EINVAL (nothing changed).
 */
int sysctl_compact_memory_write(struct kmm_kernel *k, long value);
int sysctl_extfrag_threshold(const struct kmm_kernel *k);
int set_sysctl_extfrag_threshold(struct kmm_kernel *k, long value);
int sysctl_compact_unevictable_allowed(const struct kmm_kernel *k);
int set_sysctl_compact_unevictable_allowed(struct kmm_kernel *k, long value);
int sysctl_compaction_proactiveness(const struct kmm_kernel *k);
int set_sysctl_compaction_proactiveness(struct kmm_kernel *k, long value);

/*
 * /sys/devices/system/node/nodeN/compact: a write compacts node N. 0; -ENOENT when @path is
 * not such a file (node absent: the file does not exist). Nothing else is written.
 */
int node_compact_sysfs_write(struct kmm_kernel *k, const char *path, const char *value);

#endif /* KMM_MM_COMPACTION_H */
