/*
 * The trace event table: one row per event, X(name, subsystem), named as the kernel's
 * tracepoints and grouped as /sys/kernel/tracing/events/<subsystem>/<name> groups them. A new
 * event is a row here, a format in its subsystem's code, nothing else: the enable bitmap is
 * sized from the table.
 */
#ifndef KMM_LIB_TRACE_EVENTS_H
#define KMM_LIB_TRACE_EVENTS_H

#define TRACE_EVENTS(X)                                                                            \
	X(mm_page_alloc, "kmem")                                                                   \
	X(mm_page_free, "kmem")                                                                    \
	X(mm_page_free_batched, "kmem")                                                            \
	X(mm_page_alloc_zone_locked, "kmem")                                                       \
	X(mm_page_pcpu_drain, "kmem")                                                              \
	X(mm_page_alloc_extfrag, "kmem")                                                           \
	X(kmem_cache_alloc, "kmem")                                                                \
	X(kmalloc, "kmem")                                                                         \
	X(kfree, "kmem")                                                                           \
	X(kmem_cache_free, "kmem")                                                                 \
	X(rss_stat, "kmem")                                                                        \
	X(vm_unmapped_area, "mmap")                                                                \
	X(mm_vmscan_kswapd_sleep, "vmscan")                                                        \
	X(mm_vmscan_kswapd_wake, "vmscan")                                                         \
	X(mm_vmscan_wakeup_kswapd, "vmscan")                                                       \
	X(mm_vmscan_direct_reclaim_begin, "vmscan")                                                \
	X(mm_vmscan_direct_reclaim_end, "vmscan")                                                  \
	X(mm_vmscan_lru_isolate, "vmscan")                                                         \
	X(mm_vmscan_lru_shrink_inactive, "vmscan")                                                 \
	X(mm_vmscan_lru_shrink_active, "vmscan")                                                   \
	X(mm_vmscan_throttled, "vmscan")                                                           \
	X(mm_compaction_isolate_migratepages, "compaction")                                        \
	X(mm_compaction_isolate_freepages, "compaction")                                           \
	X(mm_compaction_migratepages, "compaction")                                                \
	X(mm_compaction_begin, "compaction")                                                       \
	X(mm_compaction_end, "compaction")                                                         \
	X(mm_compaction_try_to_compact_pages, "compaction")                                        \
	X(mm_compaction_finished, "compaction")                                                    \
	X(mm_compaction_suitable, "compaction")                                                    \
	X(mm_compaction_deferred, "compaction")                                                    \
	X(mm_compaction_defer_compaction, "compaction")                                            \
	X(mm_compaction_defer_reset, "compaction")                                                 \
	X(mm_compaction_kcompactd_sleep, "compaction")                                             \
	X(mm_compaction_wakeup_kcompactd, "compaction")                                            \
	X(mm_compaction_kcompactd_wake, "compaction")                                              \
	X(mm_migrate_pages, "migrate")                                                             \
	X(mm_migrate_pages_start, "migrate")                                                       \
	X(set_migration_pte, "migrate")                                                            \
	X(remove_migration_pte, "migrate")                                                         \
	X(mm_khugepaged_scan_pmd, "huge_memory")                                                   \
	X(mm_collapse_huge_page, "huge_memory")                                                    \
	X(mm_collapse_huge_page_isolate, "huge_memory")                                            \
	X(mm_collapse_huge_page_swapin, "huge_memory")                                             \
	X(mm_filemap_delete_from_page_cache, "filemap")                                            \
	X(mm_filemap_add_to_page_cache, "filemap")

enum trace_event_id {
#define TRACE_ENUM(name, sys) TRACE_##name,
	TRACE_EVENTS(TRACE_ENUM)
#undef TRACE_ENUM
		NR_TRACE_EVENTS
};

/* The enable bitmap: one bit per event. */
#define TRACE_MASK_WORDS ((NR_TRACE_EVENTS + 63) / 64)

#endif /* KMM_LIB_TRACE_EVENTS_H */
