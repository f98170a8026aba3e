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

#include "arch/arm64/include/asm/pgtable.h"
#include "mm/gfp.h"
#include "mm/mm_types.h"

struct kmm_kernel;
struct place_map;

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
 * Models: migration_entry_wait(): a fault found a migration entry in the PTE at @ptep (the
 * fault path's pointer); returns when that page's migration has finished (see migrate.c's
 * Deviation: at once, counted), so the fault returns 0 and is retried. Changes no PTE.
 */
void migration_entry_wait(struct kmm_kernel *k, struct mm_struct *mm, pte_t *ptep);
/*
 * Models: pmd_migration_entry_wait(): a fault found a PMD migration entry (a THP between its
 * unmap and its move): counted with the PTE waits; the fault returns and the access retries.
 */
void pmd_migration_entry_wait(struct kmm_kernel *k, struct mm_struct *mm, pmd_t *pmdp);

/*
 * Models: isolate_lru_page() + the NR_ISOLATED_ANON/FILE count callers of migrate_pages() do
 * (isolate_migratepages_block, isolate_migratepages_range): @folio off its LRU with a
 * reference, at the tail of @list. 0, or -EBUSY (not on an LRU: nothing changed). @list must
 * be registered (migrate_list_register) so the page-place check finds the folio.
 */
int migrate_isolate_lru_folio(struct kmm_kernel *k, struct folio *folio, struct list_head *list);

/*
 * Records @list (a caller's list of folios isolated for migration, e.g. compact_control's
 * migratepages) for the page-place check's "migration" row until it is unregistered. 0 or
 * -ENOSPC (16 lists at once; nothing recorded). Register before isolating onto it, unregister
 * once it is empty (after migrate_pages + putback_movable_pages).
 */
int migrate_list_register(struct kmm_kernel *k, const struct list_head *list);
void migrate_list_unregister(struct kmm_kernel *k, const struct list_head *list);

/* Models: struct migration_target_control. */
struct migration_target_control {
	int nid;		    /* preferred node, NUMA_NO_NODE: the source page's */
	const unsigned long *nmask; /* allowed nodes, NULL: all */
	gfp_t gfp_mask;
};

/*
 * Models: alloc_migration_target(): a new_page_t for migrate_pages() with @private a
 * struct migration_target_control *: a page (a compound page of the same order for a large
 * folio, without reclaim) on mtc->nid or the source's node. NULL when none.
 */
struct page *alloc_migration_target(struct kmm_kernel *k, struct page *page, unsigned long private);

/*
 * Tests: @hook runs for each folio after its PTEs became migration entries and before it
 * moves (what another CPU can observe during a migration). NULL removes it.
 */
typedef void migrate_unmap_hook_t(struct kmm_kernel *k, struct folio *src, void *arg);
void migrate_set_unmap_hook(struct kmm_kernel *k, migrate_unmap_hook_t *hook, void *arg);
/* Faults that met a migration entry (migration_entry_wait calls) since boot. */
unsigned long migrate_entry_waits(const struct kmm_kernel *k);
/* True while a folio is between its unmap and its move (its PTEs hold migration entries). */
bool migrate_in_flight(const struct kmm_kernel *k);

/* Boot and shutdown of migration's state (k->migrate). 0 or -ENOMEM. */
int migrate_init(struct kmm_kernel *k);
void migrate_fini(struct kmm_kernel *k);
/* Pages on the registered migration lists (vmscan_place_walk's NR_ISOLATED balance). */
unsigned long migrate_isolated_pages(const struct kmm_kernel *k);
/* The same, of node @nid only (vmscan_check's per-node NR_ISOLATED balance). */
unsigned long migrate_isolated_pages_node(const struct kmm_kernel *k, int nid);
/* The "migration" page place: claims the folios on the registered lists. */
bool migrate_place_walk(const struct kmm_kernel *k, struct place_map *map);
/* migrate.c's invariants; true or false with the reason. */
bool migrate_check(const struct kmm_kernel *k, char *why, size_t whylen);

#endif /* KMM_MM_MIGRATE_H */
