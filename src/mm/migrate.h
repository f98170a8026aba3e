/*
 * Page migration (mm/migrate.c), the interface compaction, CMA, hugetlb, THP and the tests use.
 *
 * Models: include/linux/migrate.h and include/linux/migrate_mode.h (Linux 6.1.192).
 *
 * The caller isolates the folios first (folio_isolate_lru() for LRU folios, the movable-ops
 * isolation for others) and puts them on a list linked through folio->lru; migrate_pages()
 * moves each to a page from @get_new_page, and every folio it could not move stays on @from
 * for the caller to put back with putback_movable_pages(). While a folio moves, its PTEs hold
 * migration entries (swapops.h: SWP_MIGRATION_READ/READ_EXCLUSIVE/WRITE); a task that faults
 * on one waits for the move to end (migration_entry_wait) and retries.
 */
#ifndef KMM_MM_MIGRATE_H
#define KMM_MM_MIGRATE_H

#include "mm/mm_types.h"

struct kmm_kernel;

/* migrate_mode.h: how hard migrate_pages() tries. */
enum migrate_mode {
	MIGRATE_ASYNC,	    /* never blocks: locked, dirty-under-writeback folios fail at once */
	MIGRATE_SYNC_LIGHT, /* may block, but not on writeback */
	MIGRATE_SYNC,	    /* may block and waits for writeback */
	MIGRATE_SYNC_NO_COPY,
};

/* migrate.h: why a migration was asked for (trace events and counters name it). */
enum migrate_reason {
	MR_COMPACTION,
	MR_MEMORY_FAILURE,
	MR_MEMORY_HOTPLUG,
	MR_SYSCALL,
	MR_MEMPOLICY_MBIND,
	MR_NUMA_MISPLACED,
	MR_CONTIG_RANGE,
	MR_LONGTERM_PIN,
	MR_DEMOTION,
	MR_TYPES
};

/* The names trace events print (MIGRATE_REASON in include/trace/events/migrate.h). */
extern const char *const migrate_reason_names[MR_TYPES];

/* Returns a new page for @page (NULL: none now), or frees one migrate_pages() did not use. */
typedef struct page *new_page_t(struct kmm_kernel *k, struct page *page, unsigned long private);
typedef void free_page_t(struct kmm_kernel *k, struct page *page, unsigned long private);

/*
 * Models: migrate_pages(): moves every folio on @from. Returns 0 when all moved, the number
 * that could not be moved (>0), or a negative errno (-ENOMEM: @get_new_page had nothing,
 * -EAGAIN/-EBUSY as the kernel's). Moved folios leave @from (the old pages are freed); those
 * that failed stay on @from, still isolated. *@nr_succeeded (may be NULL) counts base pages
 * moved. Counts pgmigrate_success/fail (thp_migration_* for huge folios), emits
 * mm_migrate_pages.
 */
int migrate_pages(struct kmm_kernel *k, struct list_head *from, new_page_t get_new_page,
		  free_page_t put_new_page, unsigned long private, enum migrate_mode mode,
		  int reason, unsigned int *nr_succeeded);

/* Models: putback_movable_pages(): every folio on @l back to its LRU (or movable owner). */
void putback_movable_pages(struct kmm_kernel *k, struct list_head *l);

/*
 * Models: isolate_movable_page(): takes a non-LRU movable page (none exist yet but the API is
 * the kernel's); false when it is not one or cannot be taken now.
 */
bool isolate_movable_page(struct kmm_kernel *k, struct page *page, unsigned int mode);

/*
 * Models: migration_entry_wait(): a fault found a migration entry in the PTE at @pte_pa (the
 * table entry's physical address, as the fault path has it); returns when the migration of
 * that page has finished, so the fault can be retried.
 */
void migration_entry_wait(struct kmm_kernel *k, struct mm_struct *mm, phys_addr_t pte_pa);

#endif /* KMM_MM_MIGRATE_H */
