/*
 * The LRU lists (src/mm/swap.c): pages reach a list only when a per-CPU batch of 15 drains,
 * move between lists by 6.1's rules, and leave them by isolation or their last reference;
 * mlock's page side; the counters /proc/vmstat shows. Pages come straight from the buddy
 * allocator, made to look anonymous (mapping | PAGE_MAPPING_ANON, PG_swapbacked) or file
 * (neither) the way the fault paths will.
 *
 * Expected values come from 6.1's rules (mm/swap.c, mm/mlock.c), worked by hand:
 *   - folio_add_lru() queues; the 15th folio of a batch drains it (PAGEVEC_SIZE 15), so after
 *     N additions a list has 15 * (N / 15) of them: the faults capture's note that
 *     nr_zone_inactive_anon is "off by up to 15" against nr_anon_pages;
 *   - mark_page_accessed: inactive,unreferenced -> inactive,referenced -> (activate batch)
 *     active,unreferenced; pgactivate counts the move, not a folio activated in its lru_add
 *     batch;
 *   - MADV_FREE's 256 pages count pglazyfree 255 before the drain (17 full batches), as the
 *     capture of the faults workload shows;
 *   - mlock: NR_MLOCK and unevictable_pgs_mlocked at once, the move (culled) at the drain;
 *     munlock of the last mlock: munlocked and rescued.
 * kmm_check (whose LRU row checks the lists against the counters) runs after each step.
 */
#include "buddy_test.h"

#include "mm/mmap.h"
#include "mm/page_place.h"
#include "mm/swap.h"

static struct kmm_machine *machine(const char *smp)
{
	return buddy_machine("1G", smp, NULL);
}

static struct page *new_page(struct kmm_kernel *k, bool anon)
{
	struct page *p = alloc_pages(k, GFP_HIGHUSER_MOVABLE, 0);

	assert_non_null(p);
	if (anon) {
		p->mapping = (void *)PAGE_MAPPING_ANON; /* an anon_vma | PAGE_MAPPING_ANON */
		__SetPageSwapBacked(p);
	}
	return p;
}

static long node_stat(struct kmm_kernel *k, enum node_stat_item i)
{
	return k->node_data[0]->vm_stat[i];
}

/* The zone counter summed over node 0's zones. */
static long zone_stat(struct kmm_kernel *k, enum zone_stat_item i)
{
	long n = 0;

	for (int z = 0; z < MAX_NR_ZONES; z++)
		n += k->node_data[0]->node_zones[z].vm_stat[i];
	return n;
}

static unsigned long ev(struct kmm_kernel *k, enum vm_event_item i)
{
	return k->vm_events[i];
}

static struct list_head *lru_list(struct kmm_kernel *k, enum lru_list lru)
{
	return &k->node_data[0]->__lruvec.lists[lru];
}

static bool on_list(struct kmm_kernel *k, struct page *p, enum lru_list lru)
{
	const struct list_head *h = lru_list(k, lru);

	for (const struct list_head *e = h->next; e != h; e = e->next)
		if (e == &p->lru)
			return true;
	return false;
}

/* Counters of list @lru on node 0: the node's and the zones' agree and equal @n. */
static void assert_lru_size(struct kmm_kernel *k, enum lru_list lru, long n)
{
	assert_int_equal(node_stat(k, (enum node_stat_item)(NR_LRU_BASE + lru)), n);
	assert_int_equal(zone_stat(k, (enum zone_stat_item)(NR_ZONE_LRU_BASE + lru)), n);
	if (lru != LRU_UNEVICTABLE) {
		const struct list_head *h = lru_list(k, lru);
		long pages = 0;

		for (const struct list_head *e = h->next; e != h; e = e->next)
			pages += (long)folio_nr_pages(list_entry(e, struct folio, lru));
		assert_int_equal(pages, n);
	}
}

static void drop(struct kmm_kernel *k, struct page *p)
{
	put_page(k, p);
}

/*
 * 14 pages wait in CPU 0's lru_add batch, on no list and uncounted, each with the batch's
 * reference; the 15th drains the batch: all 15 on the inactive anon list, the last added at
 * its head. A 16th waits again until lru_add_drain().
 */
static void test_lru_add_lands_at_the_drain(void **state)
{
	struct kmm_machine *m = machine("1");
	struct kmm_kernel *k = K(m);
	struct page *p[16];

	(void)state;
	for (int i = 0; i < 14; i++) {
		p[i] = new_page(k, true);
		lru_cache_add(k, p[i]);
		assert_false(PageLRU(p[i]));
		assert_int_equal(page_count(p[i]), 2);
		assert_check(m);
	}
	assert_lru_size(k, LRU_INACTIVE_ANON, 0);
	assert_int_equal(lru_batched_folios(k, 0), 14);
	p[14] = new_page(k, true);
	lru_cache_add(k, p[14]);
	assert_int_equal(lru_batched_folios(k, 0), 0);
	assert_lru_size(k, LRU_INACTIVE_ANON, 15);
	assert_ptr_equal(lru_list(k, LRU_INACTIVE_ANON)->next, &p[14]->lru);
	assert_ptr_equal(lru_list(k, LRU_INACTIVE_ANON)->prev, &p[0]->lru);
	for (int i = 0; i < 15; i++) {
		assert_true(PageLRU(p[i]) && !PageActive(p[i]));
		assert_int_equal(page_count(p[i]), 1);
	}
	assert_check(m);
	p[15] = new_page(k, true);
	lru_cache_add(k, p[15]);
	assert_lru_size(k, LRU_INACTIVE_ANON, 15);
	assert_check(m);
	lru_add_drain(k);
	assert_lru_size(k, LRU_INACTIVE_ANON, 16);
	assert_true(on_list(k, p[15], LRU_INACTIVE_ANON));
	assert_check(m);
	for (int i = 0; i < 16; i++)
		drop(k, p[i]);
	assert_lru_size(k, LRU_INACTIVE_ANON, 0);
	test_machine_done(m);
}

/*
 * The capture's rule: after N anonymous pages are added, nr_zone_inactive_anon lags
 * nr_anon_pages by N mod 15 (here: the pages added), never more than 14.
 */
static void test_lru_counter_lags_by_the_batch(void **state)
{
	struct kmm_machine *m = machine("1");
	struct kmm_kernel *k = K(m);
	struct page *p[40];

	(void)state;
	for (int n = 1; n <= 40; n++) {
		p[n - 1] = new_page(k, true);
		lru_cache_add(k, p[n - 1]);
		assert_int_equal(zone_stat(k, NR_ZONE_INACTIVE_ANON), n - n % 15);
	}
	assert_check(m);
	lru_add_drain(k);
	assert_int_equal(zone_stat(k, NR_ZONE_INACTIVE_ANON), 40);
	for (int i = 0; i < 40; i++)
		drop(k, p[i]);
	test_machine_done(m);
}

/* File pages (no PG_swapbacked) go to the inactive file list. */
static void test_lru_file_pages_go_to_the_file_list(void **state)
{
	struct kmm_machine *m = machine("1");
	struct kmm_kernel *k = K(m);
	struct page *p = new_page(k, false);

	(void)state;
	lru_cache_add(k, p);
	lru_add_drain(k);
	assert_lru_size(k, LRU_INACTIVE_FILE, 1);
	assert_lru_size(k, LRU_INACTIVE_ANON, 0);
	assert_check(m);
	drop(k, p);
	assert_lru_size(k, LRU_INACTIVE_FILE, 0);
	test_machine_done(m);
}

/*
 * mark_page_accessed on an LRU page: the first sets PG_referenced; the second queues it for
 * activation (PG_referenced cleared at once, the move and pgactivate at the drain); a third
 * sets PG_referenced on the active page.
 */
static void test_lru_second_access_activates(void **state)
{
	struct kmm_machine *m = machine("1");
	struct kmm_kernel *k = K(m);
	struct page *p = new_page(k, true);
	unsigned long act = ev(k, PGACTIVATE);

	(void)state;
	lru_cache_add(k, p);
	lru_add_drain(k);
	mark_page_accessed(k, p);
	assert_true(PageReferenced(p) && !PageActive(p));
	assert_lru_size(k, LRU_INACTIVE_ANON, 1);
	assert_check(m);
	mark_page_accessed(k, p);
	assert_false(PageReferenced(p));
	assert_lru_size(k, LRU_INACTIVE_ANON, 1);
	assert_int_equal(ev(k, PGACTIVATE), act);
	assert_int_equal(page_count(p), 2); /* the activate batch's */
	assert_check(m);
	lru_add_drain(k);
	assert_true(PageActive(p) && PageLRU(p));
	assert_lru_size(k, LRU_INACTIVE_ANON, 0);
	assert_lru_size(k, LRU_ACTIVE_ANON, 1);
	assert_int_equal(ev(k, PGACTIVATE), act + 1);
	assert_int_equal(page_count(p), 1);
	assert_check(m);
	mark_page_accessed(k, p);
	assert_true(PageReferenced(p) && PageActive(p));
	assert_check(m);

	/* deactivate_page: back to the inactive list at the drain, pgdeactivate +1 */
	deactivate_page(k, p);
	assert_lru_size(k, LRU_ACTIVE_ANON, 1);
	lru_add_drain(k);
	assert_lru_size(k, LRU_ACTIVE_ANON, 0);
	assert_lru_size(k, LRU_INACTIVE_ANON, 1);
	assert_false(PageActive(p) || PageReferenced(p));
	assert_int_equal(ev(k, PGDEACTIVATE), 1);
	assert_check(m);
	drop(k, p);
	test_machine_done(m);
}

/* Two accesses while still in the lru_add batch: PG_active, so the drain puts it on the
 * active list directly, and pgactivate does not count it. */
static void test_lru_access_in_the_batch_adds_active(void **state)
{
	struct kmm_machine *m = machine("1");
	struct kmm_kernel *k = K(m);
	struct page *p = new_page(k, true);
	unsigned long act = ev(k, PGACTIVATE);

	(void)state;
	lru_cache_add(k, p);
	mark_page_accessed(k, p);
	mark_page_accessed(k, p);
	assert_true(PageActive(p) && !PageLRU(p) && !PageReferenced(p));
	assert_check(m);
	lru_add_drain(k);
	assert_lru_size(k, LRU_ACTIVE_ANON, 1);
	assert_int_equal(ev(k, PGACTIVATE), act);
	assert_check(m);
	drop(k, p);
	assert_lru_size(k, LRU_ACTIVE_ANON, 0);
	test_machine_done(m);
}

/*
 * MADV_FREE of 256 anonymous pages (the faults capture, step 7): each goes through the
 * lazyfree batch; 17 batches of 15 drain on their own (pglazyfree 255), the 256th waits for
 * the next drain. Lazyfree pages sit on the inactive file list without PG_swapbacked.
 */
static void test_lru_lazyfree_256_pages(void **state)
{
	struct kmm_machine *m = machine("1");
	struct kmm_kernel *k = K(m);
	struct page **p = calloc(256, sizeof(*p));

	(void)state;
	for (int i = 0; i < 256; i++) {
		p[i] = new_page(k, true);
		lru_cache_add(k, p[i]);
	}
	lru_add_drain(k);
	mark_page_accessed(k, p[0]);
	mark_page_accessed(k, p[0]);
	lru_add_drain(k); /* p[0] is active anon */
	assert_lru_size(k, LRU_INACTIVE_ANON, 255);
	assert_lru_size(k, LRU_ACTIVE_ANON, 1);
	for (int i = 0; i < 256; i++)
		folio_mark_lazyfree(k, page_folio(p[i]));
	assert_int_equal(ev(k, PGLAZYFREE), 255);
	assert_lru_size(k, LRU_INACTIVE_FILE, 255);
	assert_check(m);
	lru_add_drain(k);
	assert_int_equal(ev(k, PGLAZYFREE), 256);
	assert_lru_size(k, LRU_INACTIVE_FILE, 256);
	assert_lru_size(k, LRU_INACTIVE_ANON, 0);
	assert_lru_size(k, LRU_ACTIVE_ANON, 0);
	for (int i = 0; i < 256; i++)
		assert_false(PageSwapBacked(p[i]) || PageActive(p[i]) || PageReferenced(p[i]));
	assert_check(m);

	/* a lazyfree page is not lazyfreed again; a file page never is */
	folio_mark_lazyfree(k, page_folio(p[0]));
	lru_add_drain(k);
	assert_int_equal(ev(k, PGLAZYFREE), 256);
	for (int i = 0; i < 256; i++)
		drop(k, p[i]);
	assert_lru_size(k, LRU_INACTIVE_FILE, 0);
	free(p);
	test_machine_done(m);
}

/*
 * mlock of an LRU page: NR_MLOCK and unevictable_pgs_mlocked at once; the drain moves it to
 * the unevictable list (culled, mlock_count 1). A second mlock raises mlock_count; the first
 * munlock lowers it; the last clears PG_mlocked (munlocked) and puts it back on an evictable
 * list (rescued). Unevictable pages are counted, not linked.
 */
static void test_lru_mlock_munlock(void **state)
{
	struct kmm_machine *m = machine("1");
	struct kmm_kernel *k = K(m);
	struct page *p = new_page(k, true);
	struct folio *f = page_folio(p);

	(void)state;
	lru_cache_add(k, p);
	mark_page_accessed(k, p);
	mark_page_accessed(k, p);
	lru_add_drain(k);
	assert_lru_size(k, LRU_ACTIVE_ANON, 1);
	mlock_folio(k, f);
	assert_true(PageMlocked(p));
	assert_int_equal(zone_stat(k, NR_MLOCK), 1);
	assert_int_equal(ev(k, UNEVICTABLE_PGS_MLOCKED), 1);
	assert_lru_size(k, LRU_ACTIVE_ANON, 1);
	assert_check(m);
	lru_add_drain(k);
	assert_true(PageUnevictable(p) && PageLRU(p) && !PageActive(p));
	assert_lru_size(k, LRU_ACTIVE_ANON, 0);
	assert_lru_size(k, LRU_UNEVICTABLE, 1);
	assert_int_equal(ev(k, UNEVICTABLE_PGS_CULLED), 1);
	assert_int_equal(f->mlock_count, 1);
	assert_check(m);

	mlock_folio(k, f); /* a second VMA locks it */
	lru_add_drain(k);
	assert_int_equal(zone_stat(k, NR_MLOCK), 1);
	assert_int_equal(ev(k, UNEVICTABLE_PGS_MLOCKED), 1);
	assert_int_equal(f->mlock_count, 2);
	/* accesses do nothing on the unevictable list */
	mark_page_accessed(k, p);
	mark_page_accessed(k, p);
	lru_add_drain(k);
	assert_lru_size(k, LRU_UNEVICTABLE, 1);
	assert_check(m);

	munlock_folio(k, f);
	lru_add_drain(k);
	assert_int_equal(f->mlock_count, 1);
	assert_true(PageMlocked(p));
	assert_int_equal(ev(k, UNEVICTABLE_PGS_MUNLOCKED), 0);
	assert_check(m);
	munlock_folio(k, f);
	lru_add_drain(k);
	assert_false(PageMlocked(p) || PageUnevictable(p));
	assert_int_equal(zone_stat(k, NR_MLOCK), 0);
	assert_int_equal(ev(k, UNEVICTABLE_PGS_MUNLOCKED), 1);
	assert_int_equal(ev(k, UNEVICTABLE_PGS_RESCUED), 1);
	assert_lru_size(k, LRU_UNEVICTABLE, 0);
	assert_lru_size(k, LRU_INACTIVE_ANON, 1); /* culling cleared PG_active */
	assert_int_equal(page_count(p), 1);
	assert_check(m);
	drop(k, p);
	test_machine_done(m);
}

/*
 * A new page faulted into a VM_LOCKED VMA (lru_cache_add_inactive_or_unevictable): mlocked
 * at once, onto the unevictable list at the drain; freed while mlocked, it leaves the list
 * and the free path clears PG_mlocked (unevictable_pgs_cleared).
 */
static void test_lru_new_page_in_a_locked_vma(void **state)
{
	struct kmm_machine *m = machine("1");
	struct kmm_kernel *k = K(m);
	struct vm_area_struct locked = {.vm_flags = VM_READ | VM_WRITE | VM_LOCKED};
	struct vm_area_struct special = {.vm_flags = VM_LOCKED | VM_IO};
	struct page *p = new_page(k, true), *q = new_page(k, true);

	(void)state;
	lru_cache_add_inactive_or_unevictable(k, p, &locked);
	lru_cache_add_inactive_or_unevictable(k, q, &special);
	assert_true(PageMlocked(p) && !PageMlocked(q));
	assert_int_equal(zone_stat(k, NR_MLOCK), 1);
	assert_lru_size(k, LRU_UNEVICTABLE, 0);
	assert_check(m);
	lru_add_drain(k);
	assert_lru_size(k, LRU_UNEVICTABLE, 1);
	assert_lru_size(k, LRU_INACTIVE_ANON, 1);
	assert_int_equal(ev(k, UNEVICTABLE_PGS_CULLED), 1);
	assert_int_equal(page_folio(p)->mlock_count, 1);
	assert_check(m);
	drop(k, p);
	assert_lru_size(k, LRU_UNEVICTABLE, 0);
	assert_int_equal(zone_stat(k, NR_MLOCK), 0);
	assert_int_equal(ev(k, UNEVICTABLE_PGS_CLEARED), 1);
	assert_check(m);
	drop(k, q);
	test_machine_done(m);
}

/*
 * Isolation takes a page off its list with a reference (PG_lru cleared, PG_active kept);
 * a second isolation, or one of a page still in a batch, is -EBUSY. Putback goes through
 * the lru_add batch and lands on the list its flags name.
 */
static void test_lru_isolate_putback(void **state)
{
	struct kmm_machine *m = machine("1");
	struct kmm_kernel *k = K(m);
	struct page *p = new_page(k, true);

	(void)state;
	lru_cache_add(k, p);
	assert_int_equal(isolate_lru_page(k, p), -EBUSY);
	mark_page_accessed(k, p);
	mark_page_accessed(k, p);
	lru_add_drain(k);
	assert_int_equal(isolate_lru_page(k, p), 0);
	assert_false(PageLRU(p));
	assert_true(PageActive(p));
	assert_int_equal(page_count(p), 2);
	assert_lru_size(k, LRU_ACTIVE_ANON, 0);
	assert_check(m);
	assert_int_equal(isolate_lru_page(k, p), -EBUSY);
	deactivate_page(k, p); /* not on a list: nothing queued */
	assert_int_equal(lru_batched_folios(k, 0), 0);
	putback_lru_page(k, p);
	assert_int_equal(page_count(p), 2); /* the caller's and the batch's */
	assert_lru_size(k, LRU_ACTIVE_ANON, 0);
	assert_check(m);
	lru_add_drain(k);
	assert_lru_size(k, LRU_ACTIVE_ANON, 1);
	assert_int_equal(page_count(p), 1);
	assert_check(m);
	drop(k, p);
	test_machine_done(m);
}

/*
 * The last reference: an LRU page leaves its list and is freed (its flags clear); a page
 * whose caller let go while it waited in a batch is freed by the drain right after it was
 * added. release_pages() frees several at once.
 */
static void test_lru_last_reference_leaves_the_lru(void **state)
{
	struct kmm_machine *m = machine("1");
	struct kmm_kernel *k = K(m);
	struct page *p = new_page(k, true), *q = new_page(k, true), *r[3];
	long free = zone_stat(k, NR_FREE_PAGES);

	(void)state;
	lru_cache_add(k, p);
	lru_add_drain(k);
	mark_page_accessed(k, p);
	drop(k, p);
	assert_lru_size(k, LRU_INACTIVE_ANON, 0);
	assert_int_equal(page_ref_count(p), 0);
	assert_false(PageLRU(p) || PageActive(p) || p->mapping);
	assert_check(m);

	lru_cache_add(k, q);
	drop(k, q);
	assert_int_equal(page_count(q), 1);
	assert_check(m);
	lru_add_drain(k);
	assert_int_equal(page_ref_count(q), 0);
	assert_lru_size(k, LRU_INACTIVE_ANON, 0);
	assert_check(m);

	for (int i = 0; i < 3; i++) {
		r[i] = new_page(k, false);
		lru_cache_add(k, r[i]);
	}
	lru_add_drain(k);
	assert_lru_size(k, LRU_INACTIVE_FILE, 3);
	release_pages(k, r, 3);
	assert_lru_size(k, LRU_INACTIVE_FILE, 0);
	/* the pages went to the pcp list (not counted free), and the batch held none back */
	assert_int_equal(lru_batched_folios(k, 0), 0);
	assert_true(zone_stat(k, NR_FREE_PAGES) <= free);
	test_machine_done(m);
}

/* A large folio does not wait: adding it drains the batch with it. */
static void test_lru_large_folio_drains_at_once(void **state)
{
	struct kmm_machine *m = machine("1");
	struct kmm_kernel *k = K(m);
	struct page *small = new_page(k, true);
	struct page *thp = alloc_pages(k, GFP_HIGHUSER_MOVABLE | __GFP_COMP, 2);

	(void)state;
	thp->mapping = (void *)PAGE_MAPPING_ANON;
	__SetPageSwapBacked(thp);
	lru_cache_add(k, small);
	assert_lru_size(k, LRU_INACTIVE_ANON, 0);
	lru_cache_add(k, thp);
	assert_lru_size(k, LRU_INACTIVE_ANON, 5); /* 1 + 4 pages */
	assert_check(m);
	mlock_folio(k, page_folio(thp)); /* large: its mlock batch drains at once too */
	assert_int_equal(zone_stat(k, NR_MLOCK), 4);
	assert_lru_size(k, LRU_UNEVICTABLE, 4);
	assert_int_equal(ev(k, UNEVICTABLE_PGS_CULLED), 4);
	assert_check(m);
	drop(k, thp);
	drop(k, small);
	assert_lru_size(k, LRU_INACTIVE_ANON, 0);
	assert_lru_size(k, LRU_UNEVICTABLE, 0);
	assert_int_equal(ev(k, UNEVICTABLE_PGS_CLEARED), 4);
	test_machine_done(m);
}

/* Rotation: a clean inactive file page goes to the tail of its list, pgrotated +1. */
static void test_lru_rotate_to_the_tail(void **state)
{
	struct kmm_machine *m = machine("1");
	struct kmm_kernel *k = K(m);
	struct page *a = new_page(k, false), *b = new_page(k, false);

	(void)state;
	lru_cache_add(k, a);
	lru_cache_add(k, b);
	lru_add_drain(k);
	assert_ptr_equal(lru_list(k, LRU_INACTIVE_FILE)->prev, &a->lru);
	folio_rotate_reclaimable(k, page_folio(b));
	lru_add_drain(k);
	assert_ptr_equal(lru_list(k, LRU_INACTIVE_FILE)->prev, &b->lru);
	assert_int_equal(ev(k, PGROTATED), 1);
	SetPageDirty(a); /* a dirty page is not rotated */
	folio_rotate_reclaimable(k, page_folio(a));
	lru_add_drain(k);
	assert_int_equal(ev(k, PGROTATED), 1);
	ClearPageDirty(a);
	assert_check(m);
	drop(k, a);
	drop(k, b);
	test_machine_done(m);
}

/* Batches are per CPU: CPU 0's drain leaves CPU 1's batch; lru_add_drain_all empties both. */
static void test_lru_batches_are_per_cpu(void **state)
{
	struct kmm_machine *m = machine("2");
	struct kmm_kernel *k = K(m);
	struct page *p = new_page(k, true), *q;

	(void)state;
	k->env->cur_cpu = 1;
	q = new_page(k, true);
	lru_cache_add(k, q);
	mlock_folio(k, page_folio(q)); /* q is not on the LRU yet: the mlock drain skips it */
	k->env->cur_cpu = 0;
	lru_cache_add(k, p);
	lru_add_drain(k);
	assert_lru_size(k, LRU_INACTIVE_ANON, 1);
	assert_int_equal(lru_batched_folios(k, 1), 2);
	assert_check(m);
	lru_add_drain_all(k);
	assert_int_equal(lru_batched_folios(k, 1), 0);
	assert_int_equal(k->env->cur_cpu, 0);
	/* lru_add drained first: q went to the unevictable list as lru_add_fn saw PG_mlocked */
	assert_lru_size(k, LRU_UNEVICTABLE, 1);
	assert_int_equal(page_folio(q)->mlock_count, 1);
	assert_check(m);
	munlock_folio(k, page_folio(q));
	lru_add_drain(k);
	assert_lru_size(k, LRU_UNEVICTABLE, 0);
	drop(k, p);
	drop(k, q);
	test_machine_done(m);
}

/* The value of "@name" in view @path (the number after the name). */
static long view_value(struct kmm_machine *m, const char *path, const char *name)
{
	const char *v = test_view(m, path), *p = strstr(v, name);

	if (!p)
		fail_msg("no %s in %s", name, path);
	return strtol(p + strlen(name), NULL, 10);
}

/*
 * /proc/meminfo and /proc/vmstat show the lists: three anonymous pages, one activated, one
 * mlocked: Inactive(anon), Active(anon), Unevictable and Mlocked 4 kB each.
 */
static void test_lru_views(void **state)
{
	struct kmm_machine *m = machine("1");
	struct kmm_kernel *k = K(m);
	struct page *p[3];

	(void)state;
	for (int i = 0; i < 3; i++) {
		p[i] = new_page(k, true);
		lru_cache_add(k, p[i]);
	}
	assert_int_equal(view_value(m, "/proc/meminfo", "\nInactive(anon):"), 0);
	lru_add_drain(k);
	mark_page_accessed(k, p[1]);
	mark_page_accessed(k, p[1]);
	mlock_folio(k, page_folio(p[2]));
	lru_add_drain(k);
	assert_int_equal(view_value(m, "/proc/meminfo", "\nInactive(anon):"), 4);
	assert_int_equal(view_value(m, "/proc/meminfo", "\nActive(anon):"), 4);
	assert_int_equal(view_value(m, "/proc/meminfo", "\nActive:"), 4);
	assert_int_equal(view_value(m, "/proc/meminfo", "\nInactive:"), 4);
	assert_int_equal(view_value(m, "/proc/meminfo", "\nUnevictable:"), 4);
	assert_int_equal(view_value(m, "/proc/meminfo", "\nMlocked:"), 4);
	assert_int_equal(view_value(m, "/proc/vmstat", "\nnr_zone_inactive_anon "), 1);
	assert_int_equal(view_value(m, "/proc/vmstat", "\nnr_active_anon "), 1);
	assert_int_equal(view_value(m, "/proc/vmstat", "\nnr_unevictable "), 1);
	assert_int_equal(view_value(m, "/proc/vmstat", "\nnr_mlock "), 1);
	assert_int_equal(view_value(m, "/proc/vmstat", "\nunevictable_pgs_mlocked "), 1);
	assert_int_equal(view_value(m, "/proc/vmstat", "\nunevictable_pgs_culled "), 1);
	assert_int_equal(view_value(m, "/proc/vmstat", "\npgactivate "), 1);
	assert_check(m);
	for (int i = 0; i < 3; i++)
		drop(k, p[i]);
	assert_int_equal(view_value(m, "/proc/meminfo", "\nMlocked:"), 0);
	assert_int_equal(view_value(m, "/proc/vmstat", "\nunevictable_pgs_cleared "), 1);
	test_machine_done(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lru_add_lands_at_the_drain),
		cmocka_unit_test(test_lru_counter_lags_by_the_batch),
		cmocka_unit_test(test_lru_file_pages_go_to_the_file_list),
		cmocka_unit_test(test_lru_second_access_activates),
		cmocka_unit_test(test_lru_access_in_the_batch_adds_active),
		cmocka_unit_test(test_lru_lazyfree_256_pages),
		cmocka_unit_test(test_lru_mlock_munlock),
		cmocka_unit_test(test_lru_new_page_in_a_locked_vma),
		cmocka_unit_test(test_lru_isolate_putback),
		cmocka_unit_test(test_lru_last_reference_leaves_the_lru),
		cmocka_unit_test(test_lru_large_folio_drains_at_once),
		cmocka_unit_test(test_lru_rotate_to_the_tail),
		cmocka_unit_test(test_lru_batches_are_per_cpu),
		cmocka_unit_test(test_lru_views),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
