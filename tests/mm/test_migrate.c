/*
 * Page migration (migrate.c): anonymous folios move to new pages while their users keep their
 * addresses, with their data, flags, mappings and counters, and fail or retry as 6.1 does.
 *
 * Expected values come from 6.1's rules (mm/migrate.c, mm/rmap.c), not from our output:
 *  - every folio that moves counts one pgmigrate_success per base page, every folio that
 *    does not one pgmigrate_fail per page; migrate_pages returns the number of folios that
 *    failed (0 when all moved) and leaves them on the list, still isolated;
 *  - a folio with a reference beyond isolation's and its mappings' (a GUP reference) fails
 *    with -EAGAIN in folio_migrate_mapping on every one of the ten passes; an exclusive
 *    anonymous page that may be pinned keeps its PTE (page_try_share_anon_rmap) and fails;
 *    a locked folio fails at once in MIGRATE_ASYNC;
 *  - while a folio moves its PTEs are migration entries (writable for a writable PTE,
 *    readable for a COW-shared one); a CPU that had the old translation cached faults on it
 *    (the PTE was flushed before the entry was written), the fault waits and is retried;
 *  - after the move every PTE maps the new page with the rights it had, the old page is
 *    free, the rss counters and NR_ANON_MAPPED are unchanged.
 * User data is checksummed across every migration; kmm_check runs after every step.
 */
#include "mman_test.h"

#include "arch/arm64/include/asm/mmu_context.h"
#include "mm/migrate.h"
#include "mm/pagemap.h"
#include "mm/swapops.h"

#define NPG 32

static unsigned long ev(struct mt *t, enum vm_event_item i)
{
	return t->k->vm_events[i];
}

static struct page *page_at(struct mt *t, unsigned long va)
{
	const pte_t *pte = mt_pte(t, va);

	assert_non_null(pte);
	assert_true(pte_valid(*pte));
	return pte_page(t->k, *pte);
}

static unsigned long pfn_at(struct mt *t, unsigned long va)
{
	return page_to_pfn(t->k, page_at(t, va));
}

/* Isolates the folios mapped at @n pages from @va onto @list (registered), their PFNs out. */
static void isolate_range(struct mt *t, struct list_head *list, unsigned long va, unsigned n,
			  unsigned long *pfns)
{
	lru_add_drain_all(t->k);
	for (unsigned i = 0; i < n; i++) {
		struct folio *folio = page_folio(page_at(t, va + i * PG));

		if (pfns)
			pfns[i] = page_to_pfn(t->k, &folio->page);
		assert_int_equal(migrate_isolate_lru_folio(t->k, folio, list), 0);
	}
	mt_check(t);
}

static unsigned long node_sum(struct mt *t, enum node_stat_item item)
{
	unsigned long n = 0;

	for (int nid = 0; nid < MAX_NUMNODES; nid++)
		if (t->k->node_data[nid])
			n += node_page_state(t->k->node_data[nid], item);
	return n;
}

static unsigned long isolated(struct mt *t)
{
	return node_sum(t, NR_ISOLATED_ANON) + node_sum(t, NR_ISOLATED_FILE);
}

/* @pfn was freed, or reused as one of the @n pages now mapped from @va on. */
static void assert_released(struct mt *t, unsigned long pfn, unsigned long va, unsigned n)
{
	if (page_ref_count(pfn_to_page(t->k, pfn)) == 0)
		return;
	for (unsigned i = 0; i < n; i++) {
		const pte_t *pte = mt_pte(t, va + i * PG);

		if (pte && pte_valid(*pte) && pte_pfn(*pte) == pfn)
			return;
	}
	fail_msg("old pfn %#lx neither free nor reused", pfn);
}

static int migrate_to(struct mt *t, struct list_head *list, int nid, enum migrate_mode mode,
		      unsigned int *nr)
{
	struct migration_target_control mtc = {.nid = nid, .gfp_mask = GFP_HIGHUSER_MOVABLE};

	return migrate_pages(t->k, list, alloc_migration_target, NULL, (unsigned long)&mtc, mode,
			     MR_SYSCALL, nr);
}

static void putback(struct mt *t, struct list_head *list)
{
	putback_movable_pages(t->k, list);
	lru_add_drain_all(t->k);
	migrate_list_unregister(t->k, list);
	assert_int_equal(isolated(t), 0);
	mt_check(t);
}

/*
 * 32 private anonymous pages written, isolated and migrated: all 32 move (return 0,
 * nr_succeeded 32, pgmigrate_success +32, fail +0), each PTE maps a different page, still
 * writable and exclusive, the old pages are free, rss and NR_ANON_MAPPED are unchanged and
 * every page reads back its pattern.
 */
static void test_migrate_anon_moves_data_and_mappings(void **state)
{
	struct mt *t = mt_boot("1");
	struct list_head list;
	unsigned long old[NPG], ok0, fail0, anon0, rss0;
	unsigned int nr = 0;

	(void)state;
	mt_map(t, BASE, NPG * PG, RW, ANONP);
	mt_fill(t, BASE, NPG * PG, 11);
	INIT_LIST_HEAD(&list);
	assert_int_equal(migrate_list_register(t->k, &list), 0);
	isolate_range(t, &list, BASE, NPG, old);
	assert_int_equal(isolated(t), NPG);
	ok0 = ev(t, PGMIGRATE_SUCCESS);
	fail0 = ev(t, PGMIGRATE_FAIL);
	anon0 = node_sum(t, NR_ANON_MAPPED);
	rss0 = mt_rss(t, MM_ANONPAGES);

	assert_int_equal(migrate_to(t, &list, NUMA_NO_NODE, MIGRATE_SYNC, &nr), 0);
	assert_true(list_empty(&list));
	assert_int_equal(nr, NPG);
	assert_int_equal(ev(t, PGMIGRATE_SUCCESS) - ok0, NPG);
	assert_int_equal(ev(t, PGMIGRATE_FAIL) - fail0, 0);
	assert_int_equal(isolated(t), 0);
	migrate_list_unregister(t->k, &list);
	mt_check(t);
	for (unsigned i = 0; i < NPG; i++) {
		unsigned long va = BASE + i * PG;
		const pte_t *pte = mt_pte(t, va);
		struct page *page = page_at(t, va);

		assert_int_not_equal(page_to_pfn(t->k, page), old[i]);
		assert_released(t, old[i], BASE, NPG);
		assert_true(pte_write(*pte));
		assert_true(PageAnon(page));
		assert_true(PageAnonExclusive(page));
		assert_int_equal(page_mapcount(page), 1);
		assert_true(PageLRU(page));
	}
	assert_int_equal(node_sum(t, NR_ANON_MAPPED), anon0);
	assert_int_equal(mt_rss(t, MM_ANONPAGES), rss0);
	assert_int_equal(mt_count_pattern(t, BASE, NPG * PG, BASE, 11), NPG);
	/* the moved pages are ordinary anonymous pages: written again without a COW copy */
	mt_fill(t, BASE, NPG * PG, 12);
	for (unsigned i = 0; i < NPG; i++)
		assert_int_not_equal(pfn_at(t, BASE + i * PG), old[i]);
	assert_int_equal(mt_count_pattern(t, BASE, NPG * PG, BASE, 12), NPG);
	mt_done(t);
}

/*
 * After fork, 8 COW-shared pages (mapcount 2, read-only in both) move once: both mms map the
 * new page, still read-only and not exclusive; a write in the child then copies as COW does
 * and the parent keeps the moved page and its data.
 */
static void test_migrate_anon_shared_after_fork(void **state)
{
	struct mt *t = mt_boot("1");
	struct task_struct child = t->tsk;
	struct mm_struct *cmm;
	struct list_head list;
	unsigned long old[8];
	unsigned int nr = 0;

	(void)state;
	mt_map(t, BASE, 8 * PG, RW, ANONP);
	mt_fill(t, BASE, 8 * PG, 21);
	child.pid = 2;
	memset(&child.rss_stat, 0, sizeof(child.rss_stat));
	sync_mm_rss(&t->tsk, t->mm);
	cmm = dup_mm(&child, t->mm);
	assert_non_null(cmm);
	child.mm = cmm;
	mt_check(t);
	INIT_LIST_HEAD(&list);
	assert_int_equal(migrate_list_register(t->k, &list), 0);
	isolate_range(t, &list, BASE, 8, old);
	assert_int_equal(migrate_to(t, &list, NUMA_NO_NODE, MIGRATE_SYNC, &nr), 0);
	assert_int_equal(nr, 8);
	migrate_list_unregister(t->k, &list);
	mt_check(t);
	for (unsigned i = 0; i < 8; i++) {
		unsigned long va = BASE + i * PG;
		const pte_t *cpte = (const pte_t *)mm_pte_lookup(cmm, va);
		struct page *page = page_at(t, va);

		assert_int_not_equal(page_to_pfn(t->k, page), old[i]);
		assert_non_null(cpte);
		assert_true(pte_valid(*cpte));
		assert_ptr_equal(pte_page(t->k, *cpte), page);
		assert_false(pte_write(*mt_pte(t, va)));
		assert_false(pte_write(*cpte));
		assert_false(PageAnonExclusive(page));
		assert_int_equal(page_mapcount(page), 2);
	}
	/* the child writes its first page: a COW copy, the parent's stays the moved one */
	{
		struct vm_area_struct *vma = vma_lookup(cmm, BASE);
		unsigned long moved = pfn_at(t, BASE);

		set_current_task(t->k, &child);
		assert_int_equal(handle_mm_fault(vma, BASE, FAULT_FLAG_USER | FAULT_FLAG_WRITE) &
					 VM_FAULT_ERROR,
				 0);
		set_current_task(t->k, &t->tsk);
		assert_int_not_equal(pte_pfn(*(const pte_t *)mm_pte_lookup(cmm, BASE)), moved);
		assert_int_equal(pfn_at(t, BASE), moved);
	}
	assert_int_equal(mt_count_pattern(t, BASE, 8 * PG, BASE, 21), 8);
	mt_check(t);
	sync_mm_rss(&child, cmm);
	mmput(cmm);
	mt_done(t);
}

/*
 * Of 4 pages, one has an extra GUP reference and one a FOLL_PIN pin: both fail (-EAGAIN on
 * every pass: the reference breaks folio_migrate_mapping's count, the pin keeps the PTE), the
 * other two move. migrate_pages returns 2, nr_succeeded 2, pgmigrate_success +2, fail +2; the
 * failed ones stay on the list isolated, mapped as before, and go back with putback.
 */
static void test_migrate_anon_extra_ref_and_pin_fail(void **state)
{
	struct mt *t = mt_boot("1");
	struct list_head list;
	unsigned long old[4], ok0, fail0;
	struct page *ref = NULL, *pin = NULL;
	unsigned int nr = 0;

	(void)state;
	mt_map(t, BASE, 4 * PG, RW, ANONP);
	mt_fill(t, BASE, 4 * PG, 31);
	assert_int_equal(get_user_pages(t->mm, BASE + 1 * PG, 1, FOLL_WRITE, &ref), 1);
	assert_int_equal(pin_user_pages(t->mm, BASE + 3 * PG, 1, FOLL_WRITE, &pin), 1);
	INIT_LIST_HEAD(&list);
	assert_int_equal(migrate_list_register(t->k, &list), 0);
	isolate_range(t, &list, BASE, 4, old);
	ok0 = ev(t, PGMIGRATE_SUCCESS);
	fail0 = ev(t, PGMIGRATE_FAIL);

	assert_int_equal(migrate_to(t, &list, NUMA_NO_NODE, MIGRATE_SYNC, &nr), 2);
	assert_int_equal(nr, 2);
	assert_int_equal(ev(t, PGMIGRATE_SUCCESS) - ok0, 2);
	assert_int_equal(ev(t, PGMIGRATE_FAIL) - fail0, 2);
	assert_int_equal(isolated(t), 2);
	mt_check(t);
	assert_int_not_equal(pfn_at(t, BASE), old[0]);
	assert_int_equal(pfn_at(t, BASE + 1 * PG), old[1]);
	assert_int_not_equal(pfn_at(t, BASE + 2 * PG), old[2]);
	assert_int_equal(pfn_at(t, BASE + 3 * PG), old[3]);
	assert_true(pte_write(*mt_pte(t, BASE + 1 * PG)));
	assert_true(pte_write(*mt_pte(t, BASE + 3 * PG)));
	assert_true(PageAnonExclusive(page_at(t, BASE + 3 * PG)));
	putback(t, &list);
	assert_true(PageLRU(ref));
	put_page(t->k, ref);
	unpin_user_page(t->k, pin);
	assert_int_equal(mt_count_pattern(t, BASE, 4 * PG, BASE, 31), 4);
	mt_done(t);
}

/*
 * A locked folio: MIGRATE_ASYNC never waits (fails: return 1, the folio stays), and the same
 * folio moves once unlocked. Bad arguments are -EINVAL with nothing changed; an allocator
 * with nothing to give is -ENOMEM with every folio still on the list.
 */
static struct page *no_page(struct kmm_kernel *k, struct page *page, unsigned long private)
{
	(void)k;
	(void)page;
	(void)private;
	return NULL;
}

static void test_migrate_anon_locked_enomem_and_bad_args(void **state)
{
	struct mt *t = mt_boot("1");
	struct list_head list;
	unsigned long old[2], fail0;
	struct folio *folio;
	unsigned int nr = 7;

	(void)state;
	mt_map(t, BASE, 2 * PG, RW, ANONP);
	mt_fill(t, BASE, 2 * PG, 41);
	INIT_LIST_HEAD(&list);
	assert_int_equal(migrate_list_register(t->k, &list), 0);
	isolate_range(t, &list, BASE, 2, old);
	folio = page_folio(pfn_to_page(t->k, old[0]));
	folio_lock(folio);
	assert_int_equal(migrate_to(t, &list, NUMA_NO_NODE, MIGRATE_ASYNC, &nr), 1);
	assert_int_equal(nr, 1);
	assert_ptr_equal(list.next, &folio->lru);
	assert_ptr_equal(list.prev, &folio->lru);
	folio_unlock(folio);
	mt_check(t);

	assert_int_equal(migrate_pages(t->k, &list, NULL, NULL, 0, MIGRATE_SYNC, MR_SYSCALL, NULL),
			 -EINVAL);
	assert_int_equal(migrate_to(t, &list, NUMA_NO_NODE, (enum migrate_mode)9, NULL), -EINVAL);
	fail0 = ev(t, PGMIGRATE_FAIL);
	assert_int_equal(
		migrate_pages(t->k, &list, no_page, NULL, 0, MIGRATE_SYNC, MR_SYSCALL, NULL),
		-ENOMEM);
	assert_int_equal(ev(t, PGMIGRATE_FAIL) - fail0, 1);
	assert_ptr_equal(list.next, &folio->lru);
	mt_check(t);

	assert_int_equal(migrate_to(t, &list, NUMA_NO_NODE, MIGRATE_ASYNC, &nr), 0);
	assert_int_equal(nr, 1);
	assert_int_not_equal(pfn_at(t, BASE), old[0]);
	migrate_list_unregister(t->k, &list);
	assert_int_equal(mt_count_pattern(t, BASE, 2 * PG, BASE, 41), 2);
	mt_done(t);
}

/*
 * A folio whose last mapping went while it was isolated (munmap after isolation) is freed by
 * migrate_pages without a copy and counts as moved (6.1: refcount 1 is "migrated").
 */
static void test_migrate_anon_freed_while_isolated(void **state)
{
	struct mt *t = mt_boot("1");
	struct list_head list;
	unsigned long old[1], ok0;
	unsigned int nr = 0;

	(void)state;
	mt_map(t, BASE, PG, RW, ANONP);
	mt_fill(t, BASE, PG, 51);
	INIT_LIST_HEAD(&list);
	assert_int_equal(migrate_list_register(t->k, &list), 0);
	isolate_range(t, &list, BASE, 1, old);
	assert_int_equal(do_munmap(t->mm, BASE, PG), 0);
	mt_check(t);
	assert_int_equal(page_ref_count(pfn_to_page(t->k, old[0])), 1);
	ok0 = ev(t, PGMIGRATE_SUCCESS);
	assert_int_equal(migrate_to(t, &list, NUMA_NO_NODE, MIGRATE_SYNC, &nr), 0);
	assert_int_equal(nr, 1);
	assert_int_equal(ev(t, PGMIGRATE_SUCCESS) - ok0, 1);
	assert_int_equal(page_ref_count(pfn_to_page(t->k, old[0])), 0);
	migrate_list_unregister(t->k, &list);
	mt_done(t);
}

/*
 * mlocked pages move and stay mlocked: the new pages are PG_mlocked and unevictable, NR_MLOCK
 * and the Unevictable count are unchanged, the data is intact.
 */
static void test_migrate_anon_mlocked(void **state)
{
	struct mt *t = mt_boot("1");
	struct list_head list;
	unsigned long old[8], mlock0;
	unsigned int nr = 0;

	(void)state;
	mt_map(t, BASE, 8 * PG, RW, ANONP);
	mt_fill(t, BASE, 8 * PG, 61);
	assert_int_equal(do_mlock(&t->tsk, BASE, 8 * PG, 0), 0);
	lru_add_drain_all(t->k);
	mlock0 = global_zone_page_state(t->k, NR_MLOCK);
	INIT_LIST_HEAD(&list);
	assert_int_equal(migrate_list_register(t->k, &list), 0);
	isolate_range(t, &list, BASE, 8, old);
	assert_int_equal(migrate_to(t, &list, NUMA_NO_NODE, MIGRATE_SYNC, &nr), 0);
	assert_int_equal(nr, 8);
	migrate_list_unregister(t->k, &list);
	lru_add_drain_all(t->k);
	mt_check(t);
	for (unsigned i = 0; i < 8; i++) {
		struct page *page = page_at(t, BASE + i * PG);

		assert_int_not_equal(page_to_pfn(t->k, page), old[i]);
		assert_true(PageMlocked(page));
		assert_true(PageUnevictable(page));
	}
	assert_int_equal(global_zone_page_state(t->k, NR_MLOCK), mlock0);
	assert_int_equal(mt_count_pattern(t, BASE, 8 * PG, BASE, 61), 8);
	assert_int_equal(do_munlock(&t->tsk, BASE, 8 * PG), 0);
	lru_add_drain_all(t->k);
	mt_done(t);
}

/* ---- what other CPUs see during and after a migration -------------------------------- */

#define NCPU 4

struct during {
	struct mt *t;
	unsigned long va;      /* the page whose move is watched */
	unsigned long old_pfn; /* its page before the move */
	unsigned long hooks;   /* folios the hook saw */
	unsigned long faults;  /* accesses that faulted on a migration entry */
	unsigned long waits0;  /* migrate_entry_waits before */
};

/* A load by @cpu through its TLB: KMM_OK with the word, or the fault. */
static enum kmm_status cpu_load(struct mt *t, unsigned cpu, unsigned long va, uint64_t *word,
				struct kmm_mmu_fault *f)
{
	return kmm_cpu_access(t->m, cpu, KMM_ACCESS_LOAD, va, word, sizeof(*word), f);
}

/*
 * Runs between the unmap and the move: the PTE is a writable migration entry naming the old
 * page, every CPU (each had the translation cached) faults on a load, the fault waits and
 * leaves the entry; the fork of the mm in this state copies the entry.
 */
static void during_hook(struct kmm_kernel *k, struct folio *src, void *arg)
{
	struct during *d = arg;
	struct mt *t = d->t;
	const pte_t *pte = mt_pte(t, d->va);
	swp_entry_t entry;

	(void)k;
	d->hooks++;
	assert_true(migrate_in_flight(t->k));
	if (page_to_pfn(t->k, &src->page) != d->old_pfn)
		return; /* another page of the range */
	assert_non_null(pte);
	assert_false(pte_valid(*pte));
	entry = pte_to_swp_entry(*pte);
	assert_int_equal(swp_offset_pfn(entry), d->old_pfn);
	assert_true(is_writable_migration_entry(entry));
	for (unsigned cpu = 0; cpu < NCPU; cpu++) {
		struct kmm_mmu_fault f;
		uint64_t w = 0;

		assert_int_equal(cpu_load(t, cpu, d->va, &w, &f), KMM_EFAULT);
		t->tsk.cpu = (int)cpu;
		assert_int_equal(do_mem_abort(t->k, &t->tsk, f.far, f.esr), 0);
		d->faults++;
		assert_int_equal(pte_val(*mt_pte(t, d->va)), pte_val(*pte));
	}
}

/*
 * 16 pages read on all 4 CPUs (their TLBs hold the translations), then migrated with a hook
 * that accesses one page from every CPU mid-move: each access faults (no stale translation
 * of the old page survives the unmap) and waits. Afterwards each CPU's load returns the data
 * through the new page (AT S1E0R gives the new PA), and a store from a CPU lands in the new
 * page.
 */
static void test_migrate_anon_no_stale_translation(void **state)
{
	struct mt *t = mt_boot("4");
	struct during d = {.t = t, .va = BASE + 5 * PG};
	struct list_head list;
	unsigned long old[16];
	unsigned int nr = 0;

	(void)state;
	for (unsigned cpu = 0; cpu < NCPU; cpu++) {
		switch_mm(t->k, NULL, t->mm, (int)cpu);
		assert_int_equal(kmm_mmu_set_reg(t->m, cpu, KMM_REG_CURRENT_EL, 0), KMM_OK);
	}
	mt_map(t, BASE, 16 * PG, RW, ANONP);
	mt_fill(t, BASE, 16 * PG, 71);
	for (unsigned cpu = 0; cpu < NCPU; cpu++)
		for (unsigned i = 0; i < 16; i++) {
			struct kmm_mmu_fault f;
			uint64_t w = 0;

			assert_int_equal(cpu_load(t, cpu, BASE + i * PG, &w, &f), KMM_OK);
			assert_int_equal(w, 71 ^ ((BASE + i * PG) * 0x9e3779b97f4a7c15ULL));
		}
	INIT_LIST_HEAD(&list);
	assert_int_equal(migrate_list_register(t->k, &list), 0);
	isolate_range(t, &list, BASE, 16, old);
	d.waits0 = migrate_entry_waits(t->k);
	d.old_pfn = old[5];
	migrate_set_unmap_hook(t->k, during_hook, &d);
	assert_int_equal(migrate_to(t, &list, NUMA_NO_NODE, MIGRATE_SYNC, &nr), 0);
	migrate_set_unmap_hook(t->k, NULL, NULL);
	migrate_list_unregister(t->k, &list);
	assert_int_equal(nr, 16);
	assert_int_equal(d.hooks, 16);
	assert_int_equal(d.faults, NCPU);
	assert_int_equal(migrate_entry_waits(t->k) - d.waits0, NCPU);
	assert_false(migrate_in_flight(t->k));
	mt_check(t);
	for (unsigned cpu = 0; cpu < NCPU; cpu++)
		for (unsigned i = 0; i < 16; i++) {
			unsigned long va = BASE + i * PG;
			uint64_t par = 0, w = 0;
			struct kmm_mmu_fault f;
			enum kmm_status st;

			assert_int_equal(kmm_at(t->m, cpu, KMM_AT_S1E0R, va, &par, NULL), KMM_OK);
			assert_int_equal(par & 1, 0);
			assert_int_equal((par >> PAGE_SHIFT) & ((1UL << 36) - 1), pfn_at(t, va));
			assert_int_not_equal(pfn_at(t, va), old[i]);
			/* the moved PTE is old (an access-flag fault on this CPU type): retry once
			 */
			st = cpu_load(t, cpu, va, &w, &f);
			if (st != KMM_OK) {
				t->tsk.cpu = (int)cpu;
				assert_int_equal(do_mem_abort(t->k, &t->tsk, f.far, f.esr), 0);
				st = cpu_load(t, cpu, va, &w, &f);
			}
			assert_int_equal(st, KMM_OK);
			assert_int_equal(w, 71 ^ (va * 0x9e3779b97f4a7c15ULL));
		}
	/* a store from CPU 2 reaches the new page */
	{
		uint64_t w = 0x5a5a5a5a5a5a5a5aULL, got;
		struct kmm_mmu_fault f;
		enum kmm_status st;

		st = kmm_cpu_access(t->m, 2, KMM_ACCESS_STORE, BASE + 9 * PG, &w, sizeof(w), &f);
		if (st != KMM_OK) {
			t->tsk.cpu = 2;
			assert_int_equal(do_mem_abort(t->k, &t->tsk, f.far, f.esr), 0);
			st = kmm_cpu_access(t->m, 2, KMM_ACCESS_STORE, BASE + 9 * PG, &w, sizeof(w),
					    &f);
		}
		assert_int_equal(st, KMM_OK);
		memcpy(&got, page_host(t->k, page_at(t, BASE + 9 * PG), PAGE_SIZE), sizeof(got));
		assert_int_equal(got, w);
	}
	mt_check(t);
	for (unsigned cpu = 0; cpu < NCPU; cpu++)
		switch_mm(t->k, t->mm, NULL, (int)cpu);
	mt_done(t);
}

/*
 * A fork and a munmap while pages are migration entries: the child copies the entry (as a
 * readable entry, both sides now COW) and gets the new page when the move ends; the munmap
 * of another page mid-move drops its entry (rss and the old folio's count go with it) and
 * that page's move ends with no mapping to restore.
 */
struct fork_during {
	struct mt *t;
	struct task_struct child;
	struct mm_struct *cmm;
	unsigned long seen;
};

static void fork_hook(struct kmm_kernel *k, struct folio *src, void *arg)
{
	struct fork_during *d = arg;
	struct mt *t = d->t;

	(void)k;
	(void)src;
	if (d->seen++ == 0) { /* the first page is mid-move: fork now */
		d->child = t->tsk;
		d->child.pid = 2;
		memset(&d->child.rss_stat, 0, sizeof(d->child.rss_stat));
		sync_mm_rss(&t->tsk, t->mm);
		d->cmm = dup_mm(&d->child, t->mm);
		assert_non_null(d->cmm);
		d->child.mm = d->cmm;
	} else if (d->seen == 2) { /* the second: unmap it */
		assert_int_equal(do_munmap(t->mm, BASE + PG, PG), 0);
		assert_int_equal(do_munmap(d->cmm, BASE + PG, PG), 0);
	}
}

static void test_migrate_anon_fork_and_munmap_mid_move(void **state)
{
	struct mt *t = mt_boot("1");
	struct fork_during d = {.t = t};
	struct list_head list;
	unsigned long old[3];
	unsigned int nr = 0;
	const pte_t *cpte;

	(void)state;
	mt_map(t, BASE, 3 * PG, RW, ANONP);
	mt_fill(t, BASE, 3 * PG, 81);
	INIT_LIST_HEAD(&list);
	assert_int_equal(migrate_list_register(t->k, &list), 0);
	isolate_range(t, &list, BASE, 3, old);
	migrate_set_unmap_hook(t->k, fork_hook, &d);
	assert_int_equal(migrate_to(t, &list, NUMA_NO_NODE, MIGRATE_SYNC, &nr), 0);
	migrate_set_unmap_hook(t->k, NULL, NULL);
	migrate_list_unregister(t->k, &list);
	assert_int_equal(nr, 3);
	assert_int_equal(d.seen, 3);
	mt_check(t);
	/* page 0: moved mid-fork, shared by both, read-only */
	cpte = (const pte_t *)mm_pte_lookup(d.cmm, BASE);
	assert_non_null(cpte);
	assert_true(pte_valid(*cpte));
	assert_int_equal(pte_pfn(*cpte), pfn_at(t, BASE));
	assert_int_not_equal(pfn_at(t, BASE), old[0]);
	assert_false(pte_write(*cpte));
	assert_false(pte_write(*mt_pte(t, BASE)));
	assert_int_equal(page_mapcount(page_at(t, BASE)), 2);
	/* page 1: unmapped mid-move in both */
	assert_null(vma_lookup(t->mm, BASE + PG));
	assert_released(t, old[1], BASE, 3);
	/* page 2: forked as a present page (COW-shared), then moved with both mappings */
	assert_int_equal(pte_pfn(*(const pte_t *)mm_pte_lookup(d.cmm, BASE + 2 * PG)),
			 pfn_at(t, BASE + 2 * PG));
	assert_int_equal(page_mapcount(page_at(t, BASE + 2 * PG)), 2);
	assert_int_equal(mt_count_pattern(t, BASE, PG, BASE, 81), 1);
	assert_int_equal(mt_count_pattern(t, BASE + 2 * PG, PG, BASE + 2 * PG, 81), 1);
	sync_mm_rss(&t->tsk, t->mm);
	sync_mm_rss(&d.child, d.cmm);
	assert_int_equal(get_mm_counter(d.cmm, MM_ANONPAGES), 2);
	assert_int_equal(get_mm_counter(t->mm, MM_ANONPAGES), 2);
	mmput(d.cmm);
	mt_done(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_migrate_anon_moves_data_and_mappings),
		cmocka_unit_test(test_migrate_anon_shared_after_fork),
		cmocka_unit_test(test_migrate_anon_extra_ref_and_pin_fail),
		cmocka_unit_test(test_migrate_anon_locked_enomem_and_bad_args),
		cmocka_unit_test(test_migrate_anon_freed_while_isolated),
		cmocka_unit_test(test_migrate_anon_mlocked),
		cmocka_unit_test(test_migrate_anon_no_stale_translation),
		cmocka_unit_test(test_migrate_anon_fork_and_munmap_mid_move),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
