/*
 * The LRU lists and the per-CPU folio batches in front of them; mlock's page side.
 *
 * Models: include/linux/swap.h, include/linux/pagevec.h (struct folio_batch),
 *         include/linux/mm_inline.h (folio_lru_list, lruvec_add_folio, ...), the LRU part of
 *         mm/swap.c, mm/vmscan.c:folio_isolate_lru()/folio_putback_lru(), and the page side of
 *         mm/mlock.c (Linux 6.1, classic LRU: CONFIG_LRU_GEN is built but not enabled).
 *
 * A folio reaches an LRU list in two steps, as in the kernel: folio_add_lru() takes a
 * reference and puts the folio in this CPU's lru_add batch (PAGEVEC_SIZE = 15 folios; a
 * large folio, or the 15th, drains the batch at once); the drain (lru_add_drain() or a full
 * batch) links it on the list folio_lru_list() names and sets PG_lru. Until then it is on no
 * list and nr_zone_inactive_anon does not count it. The other batches (rotate, deactivate,
 * deactivate_file, lazyfree, activate, and mlock's) hold folios already on a list (or
 * isolated since), each with a reference, and move them when they drain.
 *
 * Every function here takes the machine's kernel and acts on the CPU the call runs on
 * (smp_processor_id()). None of them fails: a folio in the wrong state for an operation is
 * left as it is (the kernel's rules; DEBUG_VM's checks are not run).
 */
#ifndef KMM_MM_SWAP_H
#define KMM_MM_SWAP_H

#include "mm/internal.h"

struct vm_area_struct;

/* ---- folio batches (include/linux/pagevec.h) --------------------------------------------- */

#define PAGEVEC_SIZE 15

struct folio_batch {
	unsigned char nr;
	bool percpu_pvec_drained;
	struct folio *folios[PAGEVEC_SIZE];
};

static inline void folio_batch_init(struct folio_batch *fbatch)
{
	fbatch->nr = 0;
	fbatch->percpu_pvec_drained = false;
}

static inline unsigned int folio_batch_count(const struct folio_batch *fbatch)
{
	return fbatch->nr;
}

static inline unsigned int folio_batch_space(const struct folio_batch *fbatch)
{
	return PAGEVEC_SIZE - fbatch->nr;
}

/* Adds @folio (the caller's reference goes with it); returns the room left, 0: now full. */
static inline unsigned int folio_batch_add(struct folio_batch *fbatch, struct folio *folio)
{
	fbatch->folios[fbatch->nr++] = folio;
	return folio_batch_space(fbatch);
}

/* ---- which list (include/linux/mm_inline.h) ---------------------------------------------- */

/* Models: folio_is_file_lru(): file and lazyfree (swap-backed cleared) folios. */
static inline bool folio_is_file_lru(const struct folio *folio)
{
	return !folio_test_swapbacked(folio);
}

/* Models: folio_lru_list(): the list the folio's flags name. */
static inline enum lru_list folio_lru_list(const struct folio *folio)
{
	enum lru_list lru;

	if (folio_test_unevictable(folio))
		return LRU_UNEVICTABLE;
	lru = folio_is_file_lru(folio) ? LRU_INACTIVE_FILE : LRU_INACTIVE_ANON;
	if (folio_test_active(folio))
		lru += LRU_ACTIVE;
	return lru;
}

/* Models: folio_lruvec(): the lruvec of the folio's node (no memcg). */
static inline struct lruvec *folio_lruvec(const struct kmm_kernel *k, const struct folio *folio)
{
	return &k->node_data[page_to_nid(&folio->page)]->__lruvec;
}

/* Models: folio_evictable(): not mlocked, and not in a mapping marked unevictable. */
bool folio_evictable(const struct folio *folio);

/* Models: lruvec_add_folio(), lruvec_add_folio_tail(), lruvec_del_folio(): list + counters. */
void lruvec_add_folio(struct kmm_kernel *k, struct lruvec *lruvec, struct folio *folio);
void lruvec_add_folio_tail(struct kmm_kernel *k, struct lruvec *lruvec, struct folio *folio);
void lruvec_del_folio(struct kmm_kernel *k, struct lruvec *lruvec, struct folio *folio);

/* ---- adding, moving, draining (mm/swap.c) ------------------------------------------------ */

/*
 * Models: folio_add_lru(): takes a reference and queues @folio (not on an LRU, PG_lru clear)
 * for the LRU on this CPU; it reaches a list when the batch drains. The caller keeps its own
 * reference.
 */
void folio_add_lru(struct kmm_kernel *k, struct folio *folio);
/* Models: lru_cache_add(): folio_add_lru() of the folio @page belongs to. */
void lru_cache_add(struct kmm_kernel *k, struct page *page);
/*
 * Models: folio_add_lru_vma(): mlock_new_folio() if @vma is VM_LOCKED (and not VM_SPECIAL),
 * else folio_add_lru(). Reads only vma->vm_flags.
 */
void folio_add_lru_vma(struct kmm_kernel *k, struct folio *folio, struct vm_area_struct *vma);
/* Models: lru_cache_add_inactive_or_unevictable() (6.1's name for the above, by page). */
void lru_cache_add_inactive_or_unevictable(struct kmm_kernel *k, struct page *page,
					   struct vm_area_struct *vma);

/* Models: folio_rotate_reclaimable(): a clean, unlocked LRU folio to the inactive tail. */
void folio_rotate_reclaimable(struct kmm_kernel *k, struct folio *folio);
/* Models: folio_activate(): an inactive evictable LRU folio queued for the active list. */
void folio_activate(struct kmm_kernel *k, struct folio *folio);
/*
 * Models: folio_mark_accessed(): first call sets PG_referenced; the second activates (an LRU
 * folio through the activate batch, a folio still in this CPU's lru_add batch by PG_active).
 */
void folio_mark_accessed(struct kmm_kernel *k, struct folio *folio);
void mark_page_accessed(struct kmm_kernel *k, struct page *page);
/* Models: deactivate_file_folio(): an unmapped file folio toward the inactive tail. */
void deactivate_file_folio(struct kmm_kernel *k, struct folio *folio);
/* Models: deactivate_page(): an active evictable LRU folio queued for the inactive list. */
void deactivate_page(struct kmm_kernel *k, struct page *page);
/*
 * Models: mark_page_lazyfree() (MADV_FREE): a swap-backed anonymous LRU folio not in the swap
 * cache is queued; the drain clears PG_swapbacked/active/referenced, puts it on the inactive
 * file list and counts pglazyfree.
 */
void folio_mark_lazyfree(struct kmm_kernel *k, struct folio *folio);
void mark_page_lazyfree(struct kmm_kernel *k, struct page *page);

/* Models: lru_add_drain_cpu(): empties @cpu's LRU batches (not its mlock batch). */
void lru_add_drain_cpu(struct kmm_kernel *k, int cpu);
/* Models: lru_add_drain(): this CPU's LRU batches, then its mlock batch. */
void lru_add_drain(struct kmm_kernel *k);
/* Models: lru_add_drain_all(): every CPU's LRU and mlock batches. */
void lru_add_drain_all(struct kmm_kernel *k);

/*
 * Models: folio_isolate_lru() (vmscan.c): takes @folio off its LRU list with a reference for
 * the caller; PG_lru cleared, PG_active/PG_unevictable kept. Returns 0, or -EBUSY (nothing
 * changed) if it is not on a list. nr_isolated_* are the caller's to count, as in the kernel.
 */
int folio_isolate_lru(struct kmm_kernel *k, struct folio *folio);
int isolate_lru_page(struct kmm_kernel *k, struct page *page);
/* Models: folio_putback_lru(): back through folio_add_lru(), dropping isolation's reference. */
void folio_putback_lru(struct kmm_kernel *k, struct folio *folio);
void putback_lru_page(struct kmm_kernel *k, struct page *page);

/*
 * Models: release_pages(): put_page() of each of @pages; a folio whose last reference goes
 * leaves its LRU list (PG_lru/active/unevictable cleared) and is freed.
 */
void release_pages(struct kmm_kernel *k, struct page **pages, int nr);

/* ---- mlock's page side (mm/mlock.c) ------------------------------------------------------ */

/*
 * Models: mlock_folio(): sets PG_mlocked (first time: NR_MLOCK and unevictable_pgs_mlocked
 * += nr pages) and queues @folio (on an LRU list, or isolated) for the unevictable list.
 */
void mlock_folio(struct kmm_kernel *k, struct folio *folio);
/*
 * Models: mlock_new_page(): for a new folio not yet on an LRU: sets PG_mlocked, counts, and
 * queues it; its drain adds it to the unevictable list (unevictable_pgs_culled).
 */
void mlock_new_page(struct kmm_kernel *k, struct page *page);
void mlock_new_folio(struct kmm_kernel *k, struct folio *folio);
/*
 * Models: munlock_page(): queues @page's folio; its drain drops one mlock_count and, at 0,
 * clears PG_mlocked (NR_MLOCK, unevictable_pgs_munlocked) and returns it to an evictable
 * list (unevictable_pgs_rescued).
 */
void munlock_page(struct kmm_kernel *k, struct page *page);
void munlock_folio(struct kmm_kernel *k, struct folio *folio);
/* Models: mlock_page_drain_local(), mlock_page_drain_remote(), need_mlock_page_drain(). */
void mlock_page_drain_local(struct kmm_kernel *k);
void mlock_page_drain_remote(struct kmm_kernel *k, int cpu);
bool need_mlock_page_drain(const struct kmm_kernel *k, int cpu);

/* ---- set-up ------------------------------------------------------------------------------ */

/*
 * Models: swap_setup() and the lruvec part of pgdat_init_internals(): empty lists and
 * batches for every node and CPU. Returns 0 or -ENOMEM (nothing allocated).
 */
int lru_init(struct kmm_kernel *k);
/* Frees what lru_init() allocated (the pages still in batches are not freed: shutdown). */
void lru_fini(struct kmm_kernel *k);

/* Pages in @cpu's batches, all kinds (tests, /proc views). */
unsigned int lru_batched_folios(const struct kmm_kernel *k, int cpu);

#endif /* KMM_MM_SWAP_H */
