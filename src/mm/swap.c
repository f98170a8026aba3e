/*
 * The LRU lists: folios entering them through per-CPU batches, moving between them
 * (activation, deactivation, rotation, lazy freeing, mlock), leaving them (isolation, the
 * last reference); and freeing a folio whose last reference is gone.
 *
 * Models: mm/swap.c (Linux 6.1.192): __page_cache_release(), __folio_put(), release_pages(),
 *         the cpu_fbatches and lru_rotate batches, lru_add_fn(), folio_batch_move_lru(),
 *         folio_add_lru(), folio_add_lru_vma(), folio_rotate_reclaimable(), folio_activate(),
 *         folio_mark_accessed(), deactivate_file_folio(), deactivate_page(),
 *         mark_page_lazyfree(), lru_add_drain_cpu(), lru_add_drain(), lru_add_drain_all();
 *         include/linux/mm_inline.h: update_lru_size(), lruvec_add_folio(),
 *         lruvec_del_folio(), __folio_clear_lru_flags(); mm/vmscan.c: folio_isolate_lru(),
 *         folio_putback_lru(); the page side of mm/mlock.c: mlock_folio(), mlock_new_page(),
 *         munlock_page(), mlock_pagevec() and its __mlock_page(), __mlock_new_page(),
 *         __munlock_page().
 *
 * The reference kernel has CONFIG_LRU_GEN built but disabled, so the classic two-list LRU is
 * what runs: folio_mark_accessed() walks inactive,unreferenced -> inactive,referenced ->
 * active,unreferenced. As in 6.1, the unevictable "list" links nothing: an unevictable folio
 * is only counted, and its lru.prev holds mlock_count.
 *
 * Deviations: one machine runs one call at a time, so the lru_lock, the local locks and the
 * per-CPU work of lru_add_drain_all() are not modelled (the drain of another CPU runs with
 * smp_processor_id() set to that CPU, so what it frees reaches that CPU's pcp lists, as the
 * kernel's work item would). lru_cache_disable() is not modelled (the batches are always
 * used). folio_mark_accessed's activation ages the node's nonresident clock
 * (workingset_activation).
 *
 * Invariants (lru_place_walk, run by kmm_check):
 *   1. every folio on an evictable list is a head page of the list's node with PG_lru set, a
 *      reference, and flags that name that list (folio_lru_list());
 *   2. a page with PG_lru and without PG_unevictable is on a list; a PG_lru folio is not
 *      both active and unevictable;
 *   3. per zone and list, the pages found (lists, and PG_lru|PG_unevictable folios for the
 *      unevictable list) equal nr_zone_<list>; per node they equal nr_<list>;
 *   4. per zone, NR_MLOCK equals the pages of PG_mlocked folios;
 *   5. a batch holds at most PAGEVEC_SIZE folios, each a head with a reference; a folio in an
 *      lru_add batch (or new in an mlock batch) has PG_lru clear and is in no other place.
 */
#include "mm/swap.h"

#include "mm/huge_mm.h"
#include "mm/hugetlb.h"
#include "mm/gfp.h"
#include "mm/mmap.h"
#include "mm/page_place.h"
#include "mm/pagemap.h"
#include "mm/workingset.h"

#include <errno.h>

/* Models: the per-CPU struct cpu_fbatches with lru_rotate's batch (6.1, CONFIG_SMP). */
struct cpu_fbatches {
	struct folio_batch lru_add;
	struct folio_batch lru_rotate;
	struct folio_batch lru_deactivate_file;
	struct folio_batch lru_deactivate;
	struct folio_batch lru_lazyfree;
	struct folio_batch activate;
};

/* What an entry of the mlock batch asks for (6.1 tags the pointer's low bits). */
enum mlock_tag { MLOCK_MUNLOCK, MLOCK_LRU_PAGE, MLOCK_NEW_PAGE };

/* Models: mm/mlock.c:struct mlock_pvec. */
struct mlock_fbatch {
	struct folio_batch fbatch;
	unsigned char tag[PAGEVEC_SIZE]; /* enum mlock_tag of each entry */
};

struct lru_state {
	struct cpu_fbatches *cpu;   /* nr_cpus entries */
	struct mlock_fbatch *mlock; /* nr_cpus entries */
};

typedef void (*move_fn_t)(struct kmm_kernel *k, struct lruvec *lruvec, struct folio *folio);

static struct cpu_fbatches *this_cpu_fbatches(struct kmm_kernel *k)
{
	return &k->lru->cpu[smp_processor_id(k)];
}

static struct zone *folio_zone(const struct kmm_kernel *k, const struct folio *folio)
{
	return page_zone(k, &folio->page);
}

/* ---- the lists and their counters (mm_inline.h) ------------------------------------------ */

/* Models: update_lru_size(): the node's nr_<lru> and the zone's nr_zone_<lru>. */
static void update_lru_size(struct kmm_kernel *k, struct lruvec *lruvec, enum lru_list lru,
			    struct zone *zone, long nr_pages)
{
	__mod_node_page_state(lruvec->pgdat, (enum node_stat_item)(NR_LRU_BASE + lru), nr_pages);
	__mod_zone_page_state(zone, (enum zone_stat_item)(NR_ZONE_LRU_BASE + lru), nr_pages);
	(void)k;
}

void lruvec_add_folio(struct kmm_kernel *k, struct lruvec *lruvec, struct folio *folio)
{
	enum lru_list lru = folio_lru_list(folio);

	update_lru_size(k, lruvec, lru, folio_zone(k, folio), (long)folio_nr_pages(folio));
	if (lru != LRU_UNEVICTABLE)
		list_add(&folio->lru, &lruvec->lists[lru]);
}

void lruvec_add_folio_tail(struct kmm_kernel *k, struct lruvec *lruvec, struct folio *folio)
{
	enum lru_list lru = folio_lru_list(folio);

	update_lru_size(k, lruvec, lru, folio_zone(k, folio), (long)folio_nr_pages(folio));
	list_add_tail(&folio->lru, &lruvec->lists[lru]);
}

void lruvec_del_folio(struct kmm_kernel *k, struct lruvec *lruvec, struct folio *folio)
{
	enum lru_list lru = folio_lru_list(folio);

	if (lru != LRU_UNEVICTABLE)
		list_del(&folio->lru);
	update_lru_size(k, lruvec, lru, folio_zone(k, folio), -(long)folio_nr_pages(folio));
}

bool folio_evictable(const struct folio *folio)
{
	const struct address_space *mapping = folio_mapping(folio);

	return !(mapping && mapping_unevictable(mapping)) && !folio_test_mlocked(folio);
}

/* Models: __folio_clear_lru_flags(): a folio leaving the LRU for good. */
static void __folio_clear_lru_flags(struct folio *folio)
{
	__folio_clear_lru(folio);
	if (folio_test_active(folio) && folio_test_unevictable(folio))
		return; /* a bug: left for the free-time check (bad_page) to report */
	__folio_clear_active(folio);
	__folio_clear_unevictable(folio);
}

/* ---- freeing --------------------------------------------------------------------------- */

/* Models: __page_cache_release(): off the LRU before the folio is freed. */
static void __page_cache_release(struct kmm_kernel *k, struct folio *folio)
{
	if (folio_test_lru(folio)) {
		lruvec_del_folio(k, folio_lruvec(k, folio), folio);
		__folio_clear_lru_flags(folio);
	}
}

/* Models: destroy_compound_page(): the destructor prep_compound_page() recorded. */
static void destroy_compound_page(struct kmm_kernel *k, struct page *page)
{
	switch (page[1].compound_dtor) {
	case HUGETLB_PAGE_DTOR:
		free_huge_page(k, page);
		break;
	case TRANSHUGE_PAGE_DTOR:
		free_transhuge_page(k, page);
		break;
	case COMPOUND_PAGE_DTOR:
	default: /* the model makes no other kind of compound page yet */
		free_compound_page(k, page);
		break;
	}
}

/* Models: __folio_put_small(): an order-0 folio goes to this CPU's pcp list. */
static void __folio_put_small(struct kmm_kernel *k, struct folio *folio)
{
	__page_cache_release(k, folio);
	free_unref_page(k, &folio->page, 0);
}

/* Models: __folio_put_large(). */
static void __folio_put_large(struct kmm_kernel *k, struct folio *folio)
{
	__page_cache_release(k, folio);
	destroy_compound_page(k, &folio->page);
}

void __folio_put(struct kmm_kernel *k, struct folio *folio)
{
	if (folio_test_large(folio))
		__folio_put_large(k, folio);
	else
		__folio_put_small(k, folio);
}

/*
 * Models: release_pages(). The order-0 folios freed are gathered with list_add and freed from
 * the head, as free_unref_page_list() frees them: the last one released is freed first.
 */
void release_pages(struct kmm_kernel *k, struct page **pages, int nr)
{
	struct list_head to_free;

	INIT_LIST_HEAD(&to_free);
	for (int i = 0; i < nr; i++) {
		struct folio *folio = page_folio(pages[i]);

		if (!folio_put_testzero(k, folio))
			continue;
		if (folio_test_large(folio)) {
			__folio_put_large(k, folio);
			continue;
		}
		if (folio_test_lru(folio)) {
			lruvec_del_folio(k, folio_lruvec(k, folio), folio);
			__folio_clear_lru_flags(folio);
		}
		list_add(&folio->lru, &to_free);
	}
	while (!list_empty(&to_free)) {
		struct page *page = list_entry(to_free.next, struct page, lru);

		list_del(&page->lru);
		free_unref_page(k, page, 0);
	}
}

static void folios_put(struct kmm_kernel *k, struct folio **folios, unsigned int nr)
{
	release_pages(k, (struct page **)folios, (int)nr);
}

/* ---- the batches ---------------------------------------------------------------------- */

/* Models: lru_add_fn(): the list is chosen now, from the flags the folio has at the drain. */
static void lru_add_fn(struct kmm_kernel *k, struct lruvec *lruvec, struct folio *folio)
{
	bool was_unevictable = folio_test_clear_unevictable(folio);
	long nr_pages = (long)folio_nr_pages(folio);

	if (folio_evictable(folio)) {
		if (was_unevictable)
			__count_vm_events(k, UNEVICTABLE_PGS_RESCUED, nr_pages);
	} else {
		folio_clear_active(folio);
		folio_set_unevictable(folio);
		folio->mlock_count = 0; /* underestimated: reclaim would correct it */
		if (!was_unevictable)
			__count_vm_events(k, UNEVICTABLE_PGS_CULLED, nr_pages);
	}
	lruvec_add_folio(k, lruvec, folio);
}

/*
 * Models: folio_batch_move_lru(): @move_fn on each folio (but lru_add's) still on the LRU,
 * then the batch's references are dropped.
 */
static void folio_batch_move_lru(struct kmm_kernel *k, struct folio_batch *fbatch,
				 move_fn_t move_fn)
{
	for (unsigned int i = 0; i < folio_batch_count(fbatch); i++) {
		struct folio *folio = fbatch->folios[i];

		if (move_fn != lru_add_fn && !folio_test_clear_lru(folio))
			continue; /* isolated since it was queued */
		move_fn(k, folio_lruvec(k, folio), folio);
		folio_set_lru(folio);
	}
	folios_put(k, fbatch->folios, folio_batch_count(fbatch));
	folio_batch_init(fbatch);
}

/* Models: folio_may_be_lru_cached(): a large folio does not wait in a batch. */
static bool folio_may_be_lru_cached(const struct folio *folio)
{
	return !folio_test_large(folio);
}

/* Models: folio_batch_add_and_move(): a full batch, or a large folio, drains at once. */
static void folio_batch_add_and_move(struct kmm_kernel *k, struct folio_batch *fbatch,
				     struct folio *folio, move_fn_t move_fn)
{
	if (folio_batch_add(fbatch, folio) && folio_may_be_lru_cached(folio))
		return;
	folio_batch_move_lru(k, fbatch, move_fn);
}

/* Models: lru_move_tail_fn(): to the inactive tail, counted in pgrotated. */
static void lru_move_tail_fn(struct kmm_kernel *k, struct lruvec *lruvec, struct folio *folio)
{
	if (folio_test_unevictable(folio))
		return;
	lruvec_del_folio(k, lruvec, folio);
	folio_clear_active(folio);
	lruvec_add_folio_tail(k, lruvec, folio);
	__count_vm_events(k, PGROTATED, (long)folio_nr_pages(folio));
}

/* Models: folio_activate_fn(). */
static void folio_activate_fn(struct kmm_kernel *k, struct lruvec *lruvec, struct folio *folio)
{
	if (folio_test_active(folio) || folio_test_unevictable(folio))
		return;
	lruvec_del_folio(k, lruvec, folio);
	folio_set_active(folio);
	lruvec_add_folio(k, lruvec, folio);
	__count_vm_events(k, PGACTIVATE, (long)folio_nr_pages(folio));
}

/* Models: lru_deactivate_file_fn(): the six cases of the kernel's comment. */
static void lru_deactivate_file_fn(struct kmm_kernel *k, struct lruvec *lruvec, struct folio *folio)
{
	bool active = folio_test_active(folio);
	long nr_pages = (long)folio_nr_pages(folio);

	if (folio_test_unevictable(folio) || folio_mapped(folio))
		return;
	lruvec_del_folio(k, lruvec, folio);
	folio_clear_active(folio);
	folio_clear_referenced(folio);
	if (folio_test_writeback(folio) || folio_test_dirty(folio)) {
		lruvec_add_folio(k, lruvec, folio);
		folio_set_reclaim(folio);
	} else {
		lruvec_add_folio_tail(k, lruvec, folio);
		__count_vm_events(k, PGROTATED, nr_pages);
	}
	if (active)
		__count_vm_events(k, PGDEACTIVATE, nr_pages);
}

/* Models: lru_deactivate_fn(). */
static void lru_deactivate_fn(struct kmm_kernel *k, struct lruvec *lruvec, struct folio *folio)
{
	if (folio_test_unevictable(folio) || !folio_test_active(folio))
		return;
	lruvec_del_folio(k, lruvec, folio);
	folio_clear_active(folio);
	folio_clear_referenced(folio);
	lruvec_add_folio(k, lruvec, folio);
	__count_vm_events(k, PGDEACTIVATE, (long)folio_nr_pages(folio));
}

/* Models: lru_lazyfree_fn(): a clean anonymous folio becomes a file-LRU (lazyfree) one. */
static void lru_lazyfree_fn(struct kmm_kernel *k, struct lruvec *lruvec, struct folio *folio)
{
	if (!folio_test_anon(folio) || !folio_test_swapbacked(folio) ||
	    folio_test_swapcache(folio) || folio_test_unevictable(folio))
		return;
	lruvec_del_folio(k, lruvec, folio);
	folio_clear_active(folio);
	folio_clear_referenced(folio);
	folio_clear_swapbacked(folio);
	lruvec_add_folio(k, lruvec, folio);
	__count_vm_events(k, PGLAZYFREE, (long)folio_nr_pages(folio));
}

/* ---- the entry points ------------------------------------------------------------------ */

void folio_add_lru(struct kmm_kernel *k, struct folio *folio)
{
	folio_get(folio);
	folio_batch_add_and_move(k, &this_cpu_fbatches(k)->lru_add, folio, lru_add_fn);
}

void lru_cache_add(struct kmm_kernel *k, struct page *page)
{
	folio_add_lru(k, page_folio(page));
}

void folio_add_lru_vma(struct kmm_kernel *k, struct folio *folio, struct vm_area_struct *vma)
{
	if ((vma->vm_flags & (VM_LOCKED | VM_SPECIAL)) == VM_LOCKED)
		mlock_new_folio(k, folio);
	else
		folio_add_lru(k, folio);
}

void lru_cache_add_inactive_or_unevictable(struct kmm_kernel *k, struct page *page,
					   struct vm_area_struct *vma)
{
	folio_add_lru_vma(k, page_folio(page), vma);
}

void folio_rotate_reclaimable(struct kmm_kernel *k, struct folio *folio)
{
	if (folio_test_locked(folio) || folio_test_dirty(folio) || folio_test_unevictable(folio) ||
	    !folio_test_lru(folio))
		return;
	folio_get(folio);
	folio_batch_add_and_move(k, &this_cpu_fbatches(k)->lru_rotate, folio, lru_move_tail_fn);
}

void folio_activate(struct kmm_kernel *k, struct folio *folio)
{
	if (!folio_test_lru(folio) || folio_test_active(folio) || folio_test_unevictable(folio))
		return;
	folio_get(folio);
	folio_batch_add_and_move(k, &this_cpu_fbatches(k)->activate, folio, folio_activate_fn);
}

/*
 * Models: __lru_cache_activate_folio(): a folio still in this CPU's lru_add batch is marked
 * active, so the drain puts it on the active list (other CPUs' batches are not looked at).
 */
static void __lru_cache_activate_folio(struct kmm_kernel *k, struct folio *folio)
{
	struct folio_batch *fbatch = &this_cpu_fbatches(k)->lru_add;

	for (int i = (int)folio_batch_count(fbatch) - 1; i >= 0; i--) {
		if (fbatch->folios[i] == folio) {
			folio_set_active(folio);
			break;
		}
	}
}

void folio_mark_accessed(struct kmm_kernel *k, struct folio *folio)
{
	if (!folio_test_referenced(folio)) {
		folio_set_referenced(folio);
	} else if (folio_test_unevictable(folio)) {
		/* the unevictable list is never rotated: nothing to do */
	} else if (!folio_test_active(folio)) {
		if (folio_test_lru(folio))
			folio_activate(k, folio);
		else
			__lru_cache_activate_folio(k, folio);
		folio_clear_referenced(folio);
		workingset_activation(k, folio);
	}
}

void mark_page_accessed(struct kmm_kernel *k, struct page *page)
{
	folio_mark_accessed(k, page_folio(page));
}

void deactivate_file_folio(struct kmm_kernel *k, struct folio *folio)
{
	if (folio_test_unevictable(folio))
		return;
	folio_get(folio);
	folio_batch_add_and_move(k, &this_cpu_fbatches(k)->lru_deactivate_file, folio,
				 lru_deactivate_file_fn);
}

void deactivate_page(struct kmm_kernel *k, struct page *page)
{
	struct folio *folio = page_folio(page);

	if (!folio_test_lru(folio) || folio_test_unevictable(folio) || !folio_test_active(folio))
		return;
	folio_get(folio);
	folio_batch_add_and_move(k, &this_cpu_fbatches(k)->lru_deactivate, folio,
				 lru_deactivate_fn);
}

void folio_mark_lazyfree(struct kmm_kernel *k, struct folio *folio)
{
	if (!folio_test_lru(folio) || !folio_test_anon(folio) || !folio_test_swapbacked(folio) ||
	    folio_test_swapcache(folio) || folio_test_unevictable(folio))
		return;
	folio_get(folio);
	folio_batch_add_and_move(k, &this_cpu_fbatches(k)->lru_lazyfree, folio, lru_lazyfree_fn);
}

void mark_page_lazyfree(struct kmm_kernel *k, struct page *page)
{
	folio_mark_lazyfree(k, page_folio(page));
}

void lru_add_drain_cpu(struct kmm_kernel *k, int cpu)
{
	struct cpu_fbatches *fb = &k->lru->cpu[cpu];

	if (folio_batch_count(&fb->lru_add))
		folio_batch_move_lru(k, &fb->lru_add, lru_add_fn);
	if (folio_batch_count(&fb->lru_rotate))
		folio_batch_move_lru(k, &fb->lru_rotate, lru_move_tail_fn);
	if (folio_batch_count(&fb->lru_deactivate_file))
		folio_batch_move_lru(k, &fb->lru_deactivate_file, lru_deactivate_file_fn);
	if (folio_batch_count(&fb->lru_deactivate))
		folio_batch_move_lru(k, &fb->lru_deactivate, lru_deactivate_fn);
	if (folio_batch_count(&fb->lru_lazyfree))
		folio_batch_move_lru(k, &fb->lru_lazyfree, lru_lazyfree_fn);
	if (folio_batch_count(&fb->activate))
		folio_batch_move_lru(k, &fb->activate, folio_activate_fn);
}

void lru_add_drain(struct kmm_kernel *k)
{
	lru_add_drain_cpu(k, smp_processor_id(k));
	mlock_page_drain_local(k);
}

/* Models: cpu_needs_drain(). */
static bool cpu_needs_drain(const struct kmm_kernel *k, int cpu)
{
	const struct cpu_fbatches *fb = &k->lru->cpu[cpu];

	return folio_batch_count(&fb->lru_add) || folio_batch_count(&fb->lru_rotate) ||
	       folio_batch_count(&fb->lru_deactivate_file) ||
	       folio_batch_count(&fb->lru_deactivate) || folio_batch_count(&fb->lru_lazyfree) ||
	       folio_batch_count(&fb->activate) || need_mlock_page_drain(k, cpu);
}

/*
 * Models: lru_add_drain_all(): the kernel queues lru_add_drain_per_cpu() on each CPU that
 * needs it and waits; the model runs it as that CPU, in CPU order.
 */
void lru_add_drain_all(struct kmm_kernel *k)
{
	int saved = k->env->cur_cpu;

	for (int cpu = 0; cpu < k->nr_cpus; cpu++) {
		if (!cpu_needs_drain(k, cpu))
			continue;
		k->env->cur_cpu = cpu;
		lru_add_drain(k);
	}
	k->env->cur_cpu = saved;
}

int folio_isolate_lru(struct kmm_kernel *k, struct folio *folio)
{
	if (!folio_test_clear_lru(folio))
		return -EBUSY;
	folio_get(folio);
	lruvec_del_folio(k, folio_lruvec(k, folio), folio);
	return 0;
}

int isolate_lru_page(struct kmm_kernel *k, struct page *page)
{
	return folio_isolate_lru(k, page_folio(page));
}

void folio_putback_lru(struct kmm_kernel *k, struct folio *folio)
{
	folio_add_lru(k, folio);
	folio_put(k, folio); /* isolation's reference */
}

void putback_lru_page(struct kmm_kernel *k, struct page *page)
{
	folio_putback_lru(k, page_folio(page));
}

/* ---- mlock's page side (mm/mlock.c) ----------------------------------------------------- */

/* Models: __mlock_page(): an LRU folio to the unevictable list, or one more mlock_count. */
static void __mlock_folio(struct kmm_kernel *k, struct folio *folio)
{
	struct lruvec *lruvec = folio_lruvec(k, folio);
	long nr_pages = (long)folio_nr_pages(folio);

	if (!folio_test_clear_lru(folio))
		return; /* off the LRU: nothing more to do now */
	if (folio_evictable(folio)) {
		/* PG_mlocked went again before the batch drained */
		if (folio_test_unevictable(folio)) {
			lruvec_del_folio(k, lruvec, folio);
			folio_clear_unevictable(folio);
			lruvec_add_folio(k, lruvec, folio);
			__count_vm_events(k, UNEVICTABLE_PGS_RESCUED, nr_pages);
		}
	} else if (folio_test_unevictable(folio)) {
		if (folio_test_mlocked(folio))
			folio->mlock_count++;
	} else {
		lruvec_del_folio(k, lruvec, folio);
		folio_clear_active(folio);
		folio_set_unevictable(folio);
		folio->mlock_count = folio_test_mlocked(folio);
		lruvec_add_folio(k, lruvec, folio);
		__count_vm_events(k, UNEVICTABLE_PGS_CULLED, nr_pages);
	}
	folio_set_lru(folio);
}

/* Models: __mlock_new_page(): a new folio straight onto the unevictable list. */
static void __mlock_new_folio(struct kmm_kernel *k, struct folio *folio)
{
	if (!folio_evictable(folio)) {
		folio_set_unevictable(folio);
		folio->mlock_count = folio_test_mlocked(folio);
		__count_vm_events(k, UNEVICTABLE_PGS_CULLED, (long)folio_nr_pages(folio));
	}
	lruvec_add_folio(k, folio_lruvec(k, folio), folio);
	folio_set_lru(folio);
}

/* Models: __munlock_page(): one mlock less; the last one makes the folio evictable again. */
static void __munlock_folio(struct kmm_kernel *k, struct folio *folio)
{
	struct lruvec *lruvec = folio_lruvec(k, folio);
	long nr_pages = (long)folio_nr_pages(folio);
	bool isolated = folio_test_clear_lru(folio);

	if (isolated && folio_test_unevictable(folio)) {
		if (folio->mlock_count)
			folio->mlock_count--;
		if (folio->mlock_count) {
			folio_set_lru(folio);
			return;
		}
	}
	if (folio_test_clear_mlocked(folio)) {
		__mod_zone_page_state(folio_zone(k, folio), NR_MLOCK, -nr_pages);
		__count_vm_events(k,
				  isolated || !folio_test_unevictable(folio)
					  ? UNEVICTABLE_PGS_MUNLOCKED
					  : UNEVICTABLE_PGS_STRANDED,
				  nr_pages);
	}
	if (isolated && folio_test_unevictable(folio) && folio_evictable(folio)) {
		lruvec_del_folio(k, lruvec, folio);
		folio_clear_unevictable(folio);
		lruvec_add_folio(k, lruvec, folio);
		__count_vm_events(k, UNEVICTABLE_PGS_RESCUED, nr_pages);
	}
	if (isolated)
		folio_set_lru(folio);
}

/* Models: mlock_pagevec(): each entry as its tag says, then the batch's references go. */
static void mlock_folio_batch(struct kmm_kernel *k, struct mlock_fbatch *mb)
{
	struct folio_batch *fbatch = &mb->fbatch;

	for (unsigned int i = 0; i < folio_batch_count(fbatch); i++) {
		struct folio *folio = fbatch->folios[i];

		if (mb->tag[i] == MLOCK_LRU_PAGE)
			__mlock_folio(k, folio);
		else if (mb->tag[i] == MLOCK_NEW_PAGE)
			__mlock_new_folio(k, folio);
		else
			__munlock_folio(k, folio);
	}
	folios_put(k, fbatch->folios, folio_batch_count(fbatch));
	folio_batch_init(fbatch);
}

/* Queues @folio (with the caller's new reference) as @tag; drains when full or large. */
static void mlock_fbatch_add(struct kmm_kernel *k, struct folio *folio, enum mlock_tag tag)
{
	struct mlock_fbatch *mb = &k->lru->mlock[smp_processor_id(k)];

	mb->tag[folio_batch_count(&mb->fbatch)] = (unsigned char)tag;
	if (!folio_batch_add(&mb->fbatch, folio) || !folio_may_be_lru_cached(folio))
		mlock_folio_batch(k, mb);
}

void mlock_page_drain_local(struct kmm_kernel *k)
{
	mlock_page_drain_remote(k, smp_processor_id(k));
}

void mlock_page_drain_remote(struct kmm_kernel *k, int cpu)
{
	struct mlock_fbatch *mb = &k->lru->mlock[cpu];

	if (folio_batch_count(&mb->fbatch))
		mlock_folio_batch(k, mb);
}

bool need_mlock_page_drain(const struct kmm_kernel *k, int cpu)
{
	return folio_batch_count(&k->lru->mlock[cpu].fbatch) != 0;
}

void mlock_folio(struct kmm_kernel *k, struct folio *folio)
{
	if (!folio_test_set_mlocked(folio)) {
		long nr_pages = (long)folio_nr_pages(folio);

		__mod_zone_page_state(folio_zone(k, folio), NR_MLOCK, nr_pages);
		__count_vm_events(k, UNEVICTABLE_PGS_MLOCKED, nr_pages);
	}
	folio_get(folio);
	mlock_fbatch_add(k, folio, MLOCK_LRU_PAGE);
}

void mlock_new_folio(struct kmm_kernel *k, struct folio *folio)
{
	long nr_pages = (long)folio_nr_pages(folio);

	folio_set_mlocked(folio);
	__mod_zone_page_state(folio_zone(k, folio), NR_MLOCK, nr_pages);
	__count_vm_events(k, UNEVICTABLE_PGS_MLOCKED, nr_pages);
	folio_get(folio);
	mlock_fbatch_add(k, folio, MLOCK_NEW_PAGE);
}

void mlock_new_page(struct kmm_kernel *k, struct page *page)
{
	mlock_new_folio(k, page_folio(page));
}

void munlock_folio(struct kmm_kernel *k, struct folio *folio)
{
	folio_get(folio);
	mlock_fbatch_add(k, folio, MLOCK_MUNLOCK);
}

void munlock_page(struct kmm_kernel *k, struct page *page)
{
	munlock_folio(k, page_folio(page));
}

/* ---- set-up, the placement walker ------------------------------------------------------ */

int lru_init(struct kmm_kernel *k)
{
	pg_data_t *pgdat;

	k->lru = env_alloc(k->env, sizeof(*k->lru));
	if (!k->lru)
		return -ENOMEM;
	k->lru->cpu = env_alloc(k->env, (size_t)k->nr_cpus * sizeof(*k->lru->cpu));
	k->lru->mlock = env_alloc(k->env, (size_t)k->nr_cpus * sizeof(*k->lru->mlock));
	if (!k->lru->cpu || !k->lru->mlock) {
		lru_fini(k);
		return -ENOMEM;
	}
	for_each_online_pgdat(k, pgdat)
	{
		for (int lru = 0; lru < NR_LRU_LISTS; lru++)
			INIT_LIST_HEAD(&pgdat->__lruvec.lists[lru]);
		pgdat->__lruvec.pgdat = pgdat;
	}
	return 0;
}

void lru_fini(struct kmm_kernel *k)
{
	if (!k->lru)
		return;
	env_free(k->env, k->lru->cpu);
	env_free(k->env, k->lru->mlock);
	env_free(k->env, k->lru);
	k->lru = NULL;
}

unsigned int lru_batched_folios(const struct kmm_kernel *k, int cpu)
{
	const struct cpu_fbatches *fb = &k->lru->cpu[cpu];

	return folio_batch_count(&fb->lru_add) + folio_batch_count(&fb->lru_rotate) +
	       folio_batch_count(&fb->lru_deactivate_file) +
	       folio_batch_count(&fb->lru_deactivate) + folio_batch_count(&fb->lru_lazyfree) +
	       folio_batch_count(&fb->activate) + folio_batch_count(&k->lru->mlock[cpu].fbatch);
}

/* Pages found per zone and list, and mlocked pages per zone, on one node. */
struct lru_census {
	unsigned long pages[MAX_NR_ZONES][NR_LRU_LISTS];
	unsigned long mlocked[MAX_NR_ZONES];
};

/* Invariant 1: claims every folio of the evictable lists of @pgdat. */
static bool lru_lists_walk(const struct kmm_kernel *k, struct place_map *map,
			   const pg_data_t *pgdat, struct lru_census *c)
{
	for (int lru = 0; lru < LRU_UNEVICTABLE; lru++) {
		const struct list_head *head = &pgdat->__lruvec.lists[lru];
		unsigned long n = 0;

		for (const struct list_head *p = head->next; p != head; p = p->next) {
			const struct folio *folio = list_entry(p, struct folio, lru);
			const struct page *page = &folio->page;
			unsigned long pfn = page_to_pfn(k, page), nr;

			if (++n > pgdat->node_spanned_pages)
				return place_fail(map, "lru: node %d list %d does not end",
						  pgdat->node_id, lru);
			if (PageTail(page) || !folio_test_lru(folio) ||
			    page_to_nid(page) != pgdat->node_id || folio_ref_count(folio) <= 0 ||
			    folio_lru_list(folio) != (enum lru_list)lru)
				return place_fail(map,
						  "lru: pfn 0x%lx on node %d list %d: flags %#lx, "
						  "refcount %d",
						  pfn, pgdat->node_id, lru,
						  page->flags & 0xffffffUL, page_ref_count(page));
			nr = folio_nr_pages(folio);
			if (!place_claim(map, PLACE_LRU, pfn, nr))
				return false;
			c->pages[page_zonenum(page)][lru] += nr;
		}
	}
	return true;
}

/* Invariants 2 and 4: PG_lru, PG_unevictable and PG_mlocked folios of @pgdat's memory map. */
static bool lru_flags_scan(const struct kmm_kernel *k, struct place_map *map,
			   const pg_data_t *pgdat, struct lru_census *c)
{
	unsigned long end = pgdat->node_start_pfn + pgdat->node_spanned_pages;

	for (unsigned long pfn = pgdat->node_start_pfn; pfn < end; pfn++) {
		const struct page *page;
		unsigned long nr;

		if (!pfn_valid(k, pfn)) {
			pfn = (pfn | (PAGES_PER_SECTION - 1));
			continue;
		}
		page = pfn_to_page(k, pfn);
		if (!(page->flags & (1UL << PG_lru | 1UL << PG_mlocked)) || PageTail(page))
			continue;
		nr = compound_nr(page);
		if (test_page_flag(page, PG_mlocked))
			c->mlocked[page_zonenum(page)] += nr;
		if (!test_page_flag(page, PG_lru))
			continue;
		if (test_page_flag(page, PG_unevictable)) {
			if (test_page_flag(page, PG_active))
				return place_fail(map, "lru: pfn 0x%lx is active and unevictable",
						  pfn);
			if (!place_claim(map, PLACE_LRU, pfn, nr))
				return false;
			c->pages[page_zonenum(page)][LRU_UNEVICTABLE] += nr;
		} else if (place_of(map, pfn) != PLACE_LRU) {
			return place_fail(map, "lru: pfn 0x%lx has PG_lru but is on no LRU list",
					  pfn);
		}
	}
	return true;
}

/* Invariants 3 and 4: the counters against the census of @pgdat. */
static bool lru_census_check(struct place_map *map, const pg_data_t *pgdat,
			     const struct lru_census *c)
{
	for (int lru = 0; lru < NR_LRU_LISTS; lru++) {
		unsigned long node = 0;
		long want;

		for (int z = 0; z < MAX_NR_ZONES; z++) {
			const struct zone *zone = &pgdat->node_zones[z];

			want = zone->vm_stat[NR_ZONE_LRU_BASE + lru];
			if (want != (long)c->pages[z][lru])
				return place_fail(map,
						  "lru: node %d zone %s list %d holds %lu pages, "
						  "its counter says %ld",
						  pgdat->node_id, zone_names[z], lru,
						  c->pages[z][lru], want);
			node += c->pages[z][lru];
		}
		want = pgdat->vm_stat[NR_LRU_BASE + lru];
		if (want != (long)node)
			return place_fail(map,
					  "lru: node %d list %d holds %lu pages, nr_%d says %ld",
					  pgdat->node_id, lru, node, lru, want);
	}
	for (int z = 0; z < MAX_NR_ZONES; z++)
		if (pgdat->node_zones[z].vm_stat[NR_MLOCK] != (long)c->mlocked[z])
			return place_fail(map,
					  "lru: node %d zone %s has %lu mlocked pages, "
					  "nr_mlock says %ld",
					  pgdat->node_id, zone_names[z], c->mlocked[z],
					  pgdat->node_zones[z].vm_stat[NR_MLOCK]);
	return true;
}

/* Invariant 5 for one batch; @claim: its folios are off the LRU and in no other place. */
static bool fbatch_walk(const struct kmm_kernel *k, struct place_map *map,
			const struct folio_batch *fbatch, const unsigned char *tags, int cpu,
			bool claim)
{
	if (fbatch->nr > PAGEVEC_SIZE)
		return place_fail(map, "lru: cpu %d has a batch of %u", cpu, fbatch->nr);
	for (unsigned int i = 0; i < fbatch->nr; i++) {
		const struct folio *folio = fbatch->folios[i];
		unsigned long pfn = page_to_pfn(k, &folio->page);
		bool new = claim && (!tags || tags[i] == MLOCK_NEW_PAGE);

		if (PageTail(&folio->page) || folio_ref_count(folio) <= 0 ||
		    (new &&folio_test_lru(folio)))
			return place_fail(map,
					  "lru: pfn 0x%lx in a batch of cpu %d: flags %#lx, "
					  "refcount %d",
					  pfn, cpu, folio->flags & 0xffffffUL,
					  folio_ref_count(folio));
		if (new && !place_claim(map, PLACE_LRU, pfn, folio_nr_pages(folio)))
			return false;
	}
	return true;
}

bool lru_place_walk(const struct kmm_kernel *k, struct place_map *map)
{
	const pg_data_t *pgdat;

	if (!k->lru)
		return true;
	for (int cpu = 0; cpu < k->nr_cpus; cpu++) {
		const struct cpu_fbatches *fb = &k->lru->cpu[cpu];
		const struct mlock_fbatch *mb = &k->lru->mlock[cpu];

		if (!fbatch_walk(k, map, &fb->lru_add, NULL, cpu, true) ||
		    !fbatch_walk(k, map, &fb->lru_rotate, NULL, cpu, false) ||
		    !fbatch_walk(k, map, &fb->lru_deactivate_file, NULL, cpu, false) ||
		    !fbatch_walk(k, map, &fb->lru_deactivate, NULL, cpu, false) ||
		    !fbatch_walk(k, map, &fb->lru_lazyfree, NULL, cpu, false) ||
		    !fbatch_walk(k, map, &fb->activate, NULL, cpu, false) ||
		    !fbatch_walk(k, map, &mb->fbatch, mb->tag, cpu, true))
			return false;
	}
	for_each_online_pgdat(k, pgdat)
	{
		struct lru_census c = {0};

		if (!lru_lists_walk(k, map, pgdat, &c) || !lru_flags_scan(k, map, pgdat, &c) ||
		    !lru_census_check(map, pgdat, &c))
			return false;
	}
	return true;
}
