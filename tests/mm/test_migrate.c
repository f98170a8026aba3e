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
 *    free, the rss counters and NR_ANON_MAPPED are unchanged;
 *  - page-cache, shmem and swap-cache folios move with their cache slot (the cache then holds
 *    the new folio at the same index or entry), their dirty state and counters; across nodes
 *    the node counters move by exactly the pages moved;
 *  - fork, munmap, mprotect (a writable entry becomes readable), mremap, mincore (resident)
 *    and smaps (counted as mapped once) over a migration entry mid-move;
 *  - alloc_contig_range/cma_alloc migrate the movable pages in use out of the range
 *    (MR_CONTIG_RANGE) and fail with -EBUSY only for a page that cannot move (pinned);
 *  - the trace events: set_/remove_migration_pte per PTE, mm_migrate_pages(_start) per call.
 * User data is checksummed across every migration; kmm_check runs after every step.
 */
#include "mman_test.h"

#include "arch/arm64/include/asm/mmu_context.h"
#include "mm/migrate.h"
#include "mm/pagemap.h"
#include "mm/rmap.h"
#include "fs/fs.h"
#include "mm/swap_state.h"
#include "mm/swapfile.h"
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

/* Occurrences of @needle in @hay. */
static int count_str(const char *hay, const char *needle)
{
	int n = 0;

	for (const char *p = strstr(hay, needle); p; p = strstr(p + 1, needle))
		n++;
	return n;
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
	assert_int_equal(kmm_trace_enable(t->m, "migrate", true), KMM_OK);
	assert_int_equal(migrate_to(t, &list, NUMA_NO_NODE, MIGRATE_SYNC, &nr), 0);
	assert_int_equal(kmm_trace_enable(t->m, "migrate", false), KMM_OK);
	assert_int_equal(nr, 8);
	migrate_list_unregister(t->k, &list);
	mt_check(t);
	/* trace: one entry set and removed per PTE (8 pages x 2 mms), one start/end pair */
	{
		const char *tr = test_view(t->m, "/sys/kernel/debug/tracing/trace");

		assert_int_equal(count_str(tr, "set_migration_pte: addr="), 16);
		assert_int_equal(count_str(tr, "remove_migration_pte: addr="), 16);
		assert_int_equal(count_str(tr, "mm_migrate_pages_start: mode=MIGRATE_SYNC "
					       "reason=syscall_or_cpuset"),
				 1);
		assert_int_equal(count_str(tr, "mm_migrate_pages: nr_succeeded=8 nr_failed=0 "
					       "nr_thp_succeeded=0 nr_thp_failed=0 nr_thp_split=0 "
					       "mode=MIGRATE_SYNC reason=syscall_or_cpuset"),
				 1);
		assert_non_null(strstr(tr, "order=0"));
	}
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

/* ---- page cache, shmem and swap cache folios ------------------------------------------ */

/* The folio in @mapping at @index (no reference kept), or NULL. */
static struct folio *cached(struct mt *t, struct address_space *mapping, pgoff_t index)
{
	struct folio *folio = filemap_get_folio(t->k, mapping, index);

	if (folio)
		folio_put(t->k, folio);
	return folio;
}

static long node_stat_of(struct mt *t, enum node_stat_item item)
{
	return (long)node_sum(t, item);
}

/*
 * A 6-page kmmfs file: pages 0-3 mapped shared and written through the mapping (dirty), pages
 * 4-5 read only (clean, unmapped). All 6 page-cache folios move: the cache holds the new ones
 * at the same indices, dirty where the old were, the mapped ones mapped at the same
 * addresses; NR_FILE_PAGES, NR_FILE_DIRTY, NR_FILE_MAPPED and the rss are unchanged. After
 * unmap, fsync and drop_caches the file reads back what was written through the mapping (the
 * dirty data moved with the folio and was written from the new page).
 */
static void test_migrate_file_folios(void **state)
{
	struct mt *t = mt_boot("1");
	static uint8_t data[6 * 4096];
	struct address_space *mapping;
	unsigned long old[6], populate = 0, rss0;
	long pages0, dirty0, mapped0;
	struct list_head list;
	struct file *f = NULL;
	unsigned int nr = 0;

	(void)state;
	for (size_t i = 0; i < sizeof(data); i++)
		data[i] = (uint8_t)(i * 7 + 3);
	assert_int_equal(vfs_create_file(t->k, "/mnt/disk/mig", data, sizeof(data)), 0);
	assert_int_equal(filp_open(t->k, "/mnt/disk/mig", O_RDWR, &f), 0);
	mapping = f->f_mapping;
	assert_int_equal(do_mmap(t->mm, f, BASE, 4 * PG, RW, MAP_SHARED | MAP_FIXED, 0, &populate),
			 BASE);
	mt_fill(t, BASE, 4 * PG, 91);
	for (unsigned i = 4; i < 6; i++) {
		uint8_t b[16];

		assert_int_equal(vfs_pread(t->k, f, b, sizeof(b), (loff_t)(i * PG)), sizeof(b));
	}
	lru_add_drain_all(t->k);
	INIT_LIST_HEAD(&list);
	assert_int_equal(migrate_list_register(t->k, &list), 0);
	for (unsigned i = 0; i < 6; i++) {
		struct folio *folio = cached(t, mapping, i);

		assert_non_null(folio);
		assert_int_equal(folio_test_dirty(folio), i < 4);
		old[i] = page_to_pfn(t->k, &folio->page);
		assert_int_equal(migrate_isolate_lru_folio(t->k, folio, &list), 0);
	}
	mt_check(t);
	pages0 = node_stat_of(t, NR_FILE_PAGES);
	dirty0 = node_stat_of(t, NR_FILE_DIRTY);
	mapped0 = node_stat_of(t, NR_FILE_MAPPED);
	rss0 = mt_rss(t, MM_FILEPAGES);
	assert_int_equal(migrate_to(t, &list, NUMA_NO_NODE, MIGRATE_SYNC, &nr), 0);
	assert_int_equal(nr, 6);
	migrate_list_unregister(t->k, &list);
	lru_add_drain_all(t->k); /* the unmapped ones wait in the per-CPU lru_add batch */
	mt_check(t);
	for (unsigned i = 0; i < 6; i++) {
		struct folio *folio = cached(t, mapping, i);

		assert_non_null(folio);
		assert_int_not_equal(page_to_pfn(t->k, &folio->page), old[i]);
		assert_ptr_equal(folio->mapping, mapping);
		assert_int_equal(folio->index, i);
		assert_int_equal(folio_test_dirty(folio), i < 4);
		assert_true(folio_test_uptodate(folio));
		assert_true(folio_test_lru(folio));
		if (i < 4) {
			assert_ptr_equal(page_at(t, BASE + i * PG), &folio->page);
			assert_int_equal(page_mapcount(&folio->page), 1);
		} else {
			assert_int_equal(page_mapcount(&folio->page), 0);
		}
	}
	assert_int_equal(node_stat_of(t, NR_FILE_PAGES), pages0);
	assert_int_equal(node_stat_of(t, NR_FILE_DIRTY), dirty0);
	assert_int_equal(node_stat_of(t, NR_FILE_MAPPED), mapped0);
	assert_int_equal(mt_rss(t, MM_FILEPAGES), rss0);
	assert_int_equal(mt_count_pattern(t, BASE, 4 * PG, BASE, 91), 4);
	/* the data written through the mapping reaches the file from the new pages */
	assert_int_equal(do_munmap(t->mm, BASE, 4 * PG), 0);
	assert_int_equal(vfs_fsync_range(t->k, f, 0, (loff_t)sizeof(data) - 1, 0), 0);
	assert_int_equal(drop_caches_write(t->k, 1), 0);
	mt_check(t);
	for (unsigned i = 0; i < 6; i++) {
		uint8_t b[4096];

		assert_int_equal(vfs_pread(t->k, f, b, sizeof(b), (loff_t)(i * PG)), sizeof(b));
		if (i < 4) {
			uint64_t w, want = 91 ^ ((BASE + i * PG) * 0x9e3779b97f4a7c15ULL);

			memcpy(&w, b, sizeof(w));
			assert_int_equal(w, want);
			assert_memory_equal(b + 8, data + i * PG + 8, PG - 8);
		} else {
			assert_memory_equal(b, data + i * PG, PG);
		}
	}
	fput(t->k, f);
	mt_done(t);
}

/*
 * 4 pages of MAP_SHARED|MAP_ANONYMOUS (shmem) written, then migrated: the shmem file's cache
 * holds the new folios (swap-backed, dirty), NR_SHMEM and NR_FILE_PAGES are unchanged, the
 * data is intact, and a fork after the move shares the new pages.
 */
static void test_migrate_shmem_folios(void **state)
{
	struct mt *t = mt_boot("1");
	struct address_space *mapping;
	unsigned long old[4];
	long shmem0, pages0;
	struct list_head list;
	unsigned int nr = 0;

	(void)state;
	mt_map(t, BASE, 4 * PG, RW, MAP_SHARED | MAP_ANONYMOUS | MAP_FIXED);
	mt_fill(t, BASE, 4 * PG, 101);
	mapping = vma_lookup(t->mm, BASE)->vm_file->f_mapping;
	INIT_LIST_HEAD(&list);
	assert_int_equal(migrate_list_register(t->k, &list), 0);
	isolate_range(t, &list, BASE, 4, old);
	shmem0 = node_stat_of(t, NR_SHMEM);
	pages0 = node_stat_of(t, NR_FILE_PAGES);
	assert_int_equal(migrate_to(t, &list, NUMA_NO_NODE, MIGRATE_SYNC, &nr), 0);
	assert_int_equal(nr, 4);
	migrate_list_unregister(t->k, &list);
	mt_check(t);
	for (unsigned i = 0; i < 4; i++) {
		struct folio *folio = cached(t, mapping, i);

		assert_non_null(folio);
		assert_int_not_equal(page_to_pfn(t->k, &folio->page), old[i]);
		assert_ptr_equal(page_at(t, BASE + i * PG), &folio->page);
		assert_true(folio_test_swapbacked(folio));
		assert_true(folio_test_dirty(folio));
		assert_false(folio_test_anon(folio));
	}
	assert_int_equal(node_stat_of(t, NR_SHMEM), shmem0);
	assert_int_equal(node_stat_of(t, NR_FILE_PAGES), pages0);
	assert_int_equal(mt_count_pattern(t, BASE, 4 * PG, BASE, 101), 4);
	mt_done(t);
}

/*
 * Two anonymous pages, one of them also in the swap cache (add_to_swap while mapped, as
 * reclaim leaves it before pageout): both move; the swap cache holds the new folio under the
 * same entry (PG_swapcache, private = the entry, dirty), NR_SWAPCACHE is unchanged, the data
 * is intact, and unmapping the page frees its slot (kmm_check's swap census agrees).
 */
static void test_migrate_swapcache_folio(void **state)
{
	struct mt *t = mt_boot("1");
	struct swap_dev *dev = NULL;
	struct list_head list;
	unsigned long old[2];
	struct folio *folio, *now;
	long swapcache0;
	swp_entry_t entry;
	unsigned int nr = 0;

	(void)state;
	assert_int_equal(swap_dev_create(t->k, SWAP_DEV_PLAIN, "/dev/vdb", 16UL << 20, NULL, &dev),
			 0);
	assert_int_equal(sys_swapon(t->k, dev, 0), 0);
	mt_map(t, BASE, 2 * PG, RW, ANONP);
	mt_fill(t, BASE, 2 * PG, 111);
	INIT_LIST_HEAD(&list);
	assert_int_equal(migrate_list_register(t->k, &list), 0);
	isolate_range(t, &list, BASE, 2, old);
	folio = page_folio(pfn_to_page(t->k, old[0]));
	folio_lock(folio);
	assert_true(add_to_swap(t->k, folio));
	folio_unlock(folio);
	entry.val = folio->private;
	mt_check(t);
	swapcache0 = node_stat_of(t, NR_SWAPCACHE);
	assert_int_equal(swapcache0, 1);
	assert_int_equal(migrate_to(t, &list, NUMA_NO_NODE, MIGRATE_SYNC, &nr), 0);
	assert_int_equal(nr, 2);
	migrate_list_unregister(t->k, &list);
	mt_check(t);
	now = swap_cache_lookup_folio(t->k, entry);
	assert_non_null(now);
	folio_put(t->k, now);
	assert_int_not_equal(page_to_pfn(t->k, &now->page), old[0]);
	assert_ptr_equal(page_at(t, BASE), &now->page);
	assert_true(folio_test_swapcache(now));
	assert_true(folio_test_anon(now));
	assert_true(folio_test_dirty(now));
	assert_int_equal(now->private, entry.val);
	assert_int_equal(node_stat_of(t, NR_SWAPCACHE), swapcache0);
	assert_int_equal(mt_count_pattern(t, BASE, 2 * PG, BASE, 111), 2);
	assert_int_equal(do_munmap(t->mm, BASE, 2 * PG), 0);
	mt_check(t);
	mt_done(t);
}

/* mt_boot's machine with two nodes of 256 MiB (CPU 0 on node 0, CPU 1 on node 1). */
static struct mt *mt_boot_numa(void)
{
	struct kmm_config cfg;
	struct mt *t = calloc(1, sizeof(*t));

	assert_non_null(t);
	kmm_config_init(&cfg);
	kmm_config_option(&cfg, "-m", "512M");
	kmm_config_option(&cfg, "-smp", "2");
	kmm_config_option(&cfg, "-numa", "node,nodeid=0,mem=256M,cpus=0");
	kmm_config_option(&cfg, "-numa", "node,nodeid=1,mem=256M,cpus=1");
	t->m = test_machine(&cfg);
	t->k = &t->m->kernel;
	t->mm = mm_alloc(t->k);
	assert_non_null(t->mm);
	t->tsk.pid = 1;
	t->tsk.mm = t->mm;
	for (int i = 0; i < NR_TASK_RLIMITS; i++)
		t->tsk.rlim[i].rlim_cur = t->tsk.rlim[i].rlim_max = RLIM_INFINITY;
	t->tsk.rlim[RLIMIT_STACK_].rlim_cur = 8UL << 20;
	set_current_task(t->k, &t->tsk);
	return t;
}

static long node_stat_at(struct mt *t, int nid, enum node_stat_item item)
{
	return (long)node_page_state(t->k->node_data[nid], item);
}

/*
 * 8 anonymous pages and 4 pages of a shared kmmfs mapping written (dirty), all on node 0,
 * migrated to node 1 (migration_target_control.nid = 1): every new page is on node 1, and
 * per node NR_ANON_MAPPED, NR_FILE_PAGES, NR_FILE_MAPPED and NR_FILE_DIRTY move by exactly
 * what moved (8, 4, 4, 4) from node 0 to node 1; the zones' NR_ZONE_WRITE_PENDING follow.
 */
static void test_migrate_to_another_node(void **state)
{
	struct mt *t = mt_boot_numa();
	static uint8_t data[4 * 4096];
	const enum node_stat_item items[] = {NR_ANON_MAPPED, NR_FILE_PAGES, NR_FILE_MAPPED,
					     NR_FILE_DIRTY};
	const long moved[] = {8, 4, 4, 4};
	long before[2][4], wp0[2];
	unsigned long populate = 0;
	struct list_head list;
	struct file *f = NULL;
	unsigned int nr = 0;

	(void)state;
	t->tsk.cpu = 0;
	memset(data, 0x3c, sizeof(data));
	assert_int_equal(vfs_create_file(t->k, "/mnt/disk/numa", data, sizeof(data)), 0);
	assert_int_equal(filp_open(t->k, "/mnt/disk/numa", O_RDWR, &f), 0);
	mt_map(t, BASE, 8 * PG, RW, ANONP);
	mt_fill(t, BASE, 8 * PG, 121);
	assert_int_equal(
		do_mmap(t->mm, f, BASE + 16 * PG, 4 * PG, RW, MAP_SHARED | MAP_FIXED, 0, &populate),
		BASE + 16 * PG);
	mt_fill(t, BASE + 16 * PG, 4 * PG, 122);
	for (unsigned i = 0; i < 8; i++)
		assert_int_equal(page_to_nid(page_at(t, BASE + i * PG)), 0);
	for (unsigned i = 0; i < 4; i++)
		assert_int_equal(page_to_nid(page_at(t, BASE + (16 + i) * PG)), 0);
	INIT_LIST_HEAD(&list);
	assert_int_equal(migrate_list_register(t->k, &list), 0);
	isolate_range(t, &list, BASE, 8, NULL);
	isolate_range(t, &list, BASE + 16 * PG, 4, NULL);
	for (int nid = 0; nid < 2; nid++) {
		wp0[nid] = 0;
		for (int z = 0; z < MAX_NR_ZONES; z++)
			wp0[nid] += (long)zone_page_state(&t->k->node_data[nid]->node_zones[z],
							  NR_ZONE_WRITE_PENDING);
		for (int i = 0; i < 4; i++)
			before[nid][i] = node_stat_at(t, nid, items[i]);
	}
	assert_int_equal(migrate_to(t, &list, 1, MIGRATE_SYNC, &nr), 0);
	assert_int_equal(nr, 12);
	migrate_list_unregister(t->k, &list);
	mt_check(t);
	for (unsigned i = 0; i < 8; i++)
		assert_int_equal(page_to_nid(page_at(t, BASE + i * PG)), 1);
	for (unsigned i = 0; i < 4; i++)
		assert_int_equal(page_to_nid(page_at(t, BASE + (16 + i) * PG)), 1);
	for (int i = 0; i < 4; i++) {
		assert_int_equal(node_stat_at(t, 0, items[i]), before[0][i] - moved[i]);
		assert_int_equal(node_stat_at(t, 1, items[i]), before[1][i] + moved[i]);
	}
	for (int nid = 0; nid < 2; nid++) {
		long wp = 0;

		for (int z = 0; z < MAX_NR_ZONES; z++)
			wp += (long)zone_page_state(&t->k->node_data[nid]->node_zones[z],
						    NR_ZONE_WRITE_PENDING);
		assert_int_equal(wp, wp0[nid] + (nid ? 4 : -4));
	}
	assert_int_equal(mt_count_pattern(t, BASE, 8 * PG, BASE, 121), 8);
	assert_int_equal(mt_count_pattern(t, BASE + 16 * PG, 4 * PG, BASE + 16 * PG, 122), 4);
	assert_int_equal(do_munmap(t->mm, BASE + 16 * PG, 4 * PG), 0);
	fput(t->k, f);
	mt_done(t);
}

/* ---- alloc_contig_range and cma_alloc with migration ---------------------------------- */

/*
 * The first pageblock holding a page mapped in [@va, +@n pages) whose pages are all free or
 * on an LRU (no kernel page: what a movable block looks like), or 0.
 */
static unsigned long movable_block_of(struct mt *t, unsigned long va, unsigned n)
{
	lru_add_drain_all(t->k);
	drain_all_pages(t->k, NULL);
	for (unsigned i = 0; i < n; i++) {
		unsigned long lo = ALIGN_DOWN(pfn_at(t, va + i * PG), pageblock_nr_pages), pfn;

		for (pfn = lo; pfn < lo + pageblock_nr_pages; pfn++) {
			struct page *page = pfn_to_page(t->k, pfn);

			if (page_ref_count(page) && !PageLRU(page))
				break;
		}
		if (pfn == lo + pageblock_nr_pages)
			return lo;
	}
	return 0;
}

/* Pages of [@lo, @hi) in use on an LRU (what alloc_contig_range has to migrate). */
static unsigned long lru_pages_in(struct mt *t, unsigned long lo, unsigned long hi)
{
	unsigned long n = 0;

	lru_add_drain_all(t->k);
	for (unsigned long pfn = lo; pfn < hi; pfn++)
		n += page_ref_count(pfn_to_page(t->k, pfn)) && PageLRU(pfn_to_page(t->k, pfn));
	return n;
}

/*
 * The pageblock holding 64 written anonymous pages and 8 shmem pages, taken whole with
 * alloc_contig_range(MIGRATE_MOVABLE): it succeeds (6.1 migrates the movable pages out
 * first), every page of the block is allocated with one reference, each LRU page that was in
 * the block moved once (pgmigrate_success + exactly that many), no user page maps into the
 * block, every page reads back its data, and no pageblock stays isolated.
 */
static void test_migrate_contig_range_moves_users_out(void **state)
{
	struct mt *t = mt_boot("1");
	unsigned long lo, hi, in_use, ok0;
	struct zone *zone;

	(void)state;
	mt_map(t, BASE, 4096 * PG, RW, ANONP);
	mt_fill(t, BASE, 4096 * PG, 131);
	mt_map(t, BASE + 8192 * PG, 8 * PG, RW, MAP_SHARED | MAP_ANONYMOUS | MAP_FIXED);
	mt_fill(t, BASE + 8192 * PG, 8 * PG, 132);
	lo = movable_block_of(t, BASE, 4096);
	assert_int_not_equal(lo, 0);
	hi = lo + pageblock_nr_pages;
	zone = page_zone(t->k, pfn_to_page(t->k, lo));
	in_use = lru_pages_in(t, lo, hi);
	assert_true(in_use > 0);
	ok0 = ev(t, PGMIGRATE_SUCCESS);
	assert_int_equal(alloc_contig_range(t->k, lo, hi, MIGRATE_MOVABLE, GFP_KERNEL), 0);
	assert_int_equal(ev(t, PGMIGRATE_SUCCESS) - ok0, in_use);
	for (unsigned long pfn = lo; pfn < hi; pfn++)
		assert_int_equal(page_ref_count(pfn_to_page(t->k, pfn)), 1);
	for (unsigned i = 0; i < 4096; i++)
		assert_false(pfn_at(t, BASE + i * PG) >= lo && pfn_at(t, BASE + i * PG) < hi);
	for (unsigned i = 0; i < 8; i++) {
		unsigned long pfn = pfn_at(t, BASE + (8192 + i) * PG);

		assert_false(pfn >= lo && pfn < hi);
	}
	assert_int_equal(zone->nr_isolate_pageblock, 0);
	assert_int_equal(isolated(t), 0);
	mt_check(t);
	assert_int_equal(mt_count_pattern(t, BASE, 4096 * PG, BASE, 131), 4096);
	assert_int_equal(mt_count_pattern(t, BASE + 8192 * PG, 8 * PG, BASE + 8192 * PG, 132), 8);
	free_contig_range(t->k, lo, pageblock_nr_pages);
	mt_done(t);
}

/*
 * The same with one page of the block pinned (FOLL_PIN): that page cannot move, so
 * alloc_contig_range fails with -EBUSY; the pinned page is still mapped where it was, the
 * block is no longer isolated, nothing of it is allocated, and the data is intact.
 */
static void test_migrate_contig_range_pinned_is_ebusy(void **state)
{
	struct mt *t = mt_boot("1");
	unsigned long lo, hi, pinned_pfn, free0;
	struct page *pin = NULL;
	struct zone *zone;

	(void)state;
	mt_map(t, BASE, 4096 * PG, RW, ANONP);
	mt_fill(t, BASE, 4096 * PG, 141);
	lo = movable_block_of(t, BASE, 4096);
	assert_int_not_equal(lo, 0);
	for (unsigned i = 0; i < 4096 && !pin; i++)
		if (ALIGN_DOWN(pfn_at(t, BASE + i * PG), pageblock_nr_pages) == lo)
			assert_int_equal(pin_user_pages(t->mm, BASE + i * PG, 1, FOLL_WRITE, &pin),
					 1);
	assert_non_null(pin);
	pinned_pfn = page_to_pfn(t->k, pin);
	hi = lo + pageblock_nr_pages;
	zone = page_zone(t->k, pin);
	lru_add_drain_all(t->k);
	drain_all_pages(t->k, NULL);
	assert_int_equal(alloc_contig_range(t->k, lo, hi, MIGRATE_MOVABLE, GFP_KERNEL), -EBUSY);
	assert_int_equal(page_ref_count(pin) >= GUP_PIN_COUNTING_BIAS, 1);
	assert_int_equal(page_to_pfn(t->k, pin), pinned_pfn);
	assert_int_equal(page_mapcount(pin), 1);
	assert_int_equal(zone->nr_isolate_pageblock, 0);
	assert_int_equal(isolated(t), 0);
	drain_all_pages(t->k, NULL);
	free0 = 0;
	for (unsigned long pfn = lo; pfn < hi; pfn++)
		free0 += page_ref_count(pfn_to_page(t->k, pfn)) == 0;
	/* every page of the block is free or one of ours: none was left allocated */
	for (unsigned long pfn = lo; pfn < hi; pfn++) {
		struct page *page = pfn_to_page(t->k, pfn);

		if (page_ref_count(page))
			assert_true(PageLRU(page) || page_mapcount(page) || PageReserved(page));
	}
	assert_true(free0 > 0);
	mt_check(t);
	unpin_user_page(t->k, pin);
	assert_int_equal(mt_count_pattern(t, BASE, 4096 * PG, BASE, 141), 4096);
	mt_done(t);
}

/*
 * cma_alloc under load: 140 MiB of anonymous memory written on a 256 MiB machine, so that the
 * allocator gives movable pages from the 64 MiB CMA area once its free pages exceed half of
 * the zone's (6.1's __rmqueue rule). cma_alloc of 16 MiB from the area's start then succeeds
 * there (first fit, align 0: the run at base), migrating exactly the user pages that were in
 * it; all data is intact and the run is released cleanly. Trace: one mm_migrate_pages_start
 * and mm_migrate_pages pair per batch with reason=contig_range.
 */
static void test_migrate_cma_alloc_under_load(void **state)
{
	struct mt *t = mt_boot("1");
	const unsigned long n = (140UL << 20) / PG, want = (16UL << 20) / PG;
	unsigned long base = t->k->cma.base_pfn, in_use, ok0;
	struct page *run;
	const char *tr;

	(void)state;
	assert_true(t->k->cma.count >= want);
	mt_map(t, BASE, n * PG, RW, ANONP);
	mt_fill(t, BASE, n * PG, 151);
	in_use = lru_pages_in(t, base, base + want);
	assert_true(in_use > 0);
	ok0 = ev(t, PGMIGRATE_SUCCESS);
	assert_int_equal(kmm_trace_enable(t->m, "mm_migrate_pages", true), KMM_OK);
	assert_int_equal(kmm_trace_enable(t->m, "mm_migrate_pages_start", true), KMM_OK);
	run = cma_alloc(t->k, want, 0, false);
	assert_int_equal(kmm_trace_enable(t->m, "migrate", false), KMM_OK);
	assert_ptr_equal(run, pfn_to_page(t->k, base));
	assert_int_equal(ev(t, PGMIGRATE_SUCCESS) - ok0, in_use);
	tr = test_view(t->m, "/sys/kernel/debug/tracing/trace");
	assert_non_null(
		strstr(tr, "mm_migrate_pages_start: mode=MIGRATE_SYNC reason=contig_range"));
	assert_non_null(strstr(tr, "mm_migrate_pages: nr_succeeded="));
	assert_non_null(strstr(tr, "nr_failed=0 nr_thp_succeeded=0 nr_thp_failed=0 nr_thp_split=0 "
				   "mode=MIGRATE_SYNC reason=contig_range"));
	mt_check(t);
	assert_int_equal(mt_count_pattern(t, BASE, n * PG, BASE, 151), n);
	assert_true(cma_release(t->k, run, want));
	mt_done(t);
}

/* ---- a task's views and calls while a page is a migration entry ---------------------- */

/* The first word of the page mapped at @va of @mm (a present PTE), without a fault. */
static uint64_t word_at(struct kmm_kernel *k, struct mm_struct *mm, unsigned long va)
{
	const pte_t *pte = (const pte_t *)mm_pte_lookup(mm, va);
	uint64_t w;

	assert_non_null(pte);
	assert_true(pte_valid(*pte));
	memcpy(&w, page_host(k, pte_page(k, *pte), PAGE_SIZE), sizeof(w));
	return w;
}

struct views_during {
	struct kmm_machine *m;
	kmm_pid_t pid;
	struct mm_struct *mm;
	unsigned long va, va2;
	long rss, anon;
	unsigned seen;
};

/*
 * First folio mid-move: smaps_rollup still counts it (Rss, Anonymous unchanged: 6.1 counts
 * the page behind a migration entry), mincore says resident, and mprotect(PROT_READ) turns
 * its writable migration entry into a readable-exclusive one. Second folio mid-move: the
 * whole mapping moves (mremap MAYMOVE|FIXED), its migration entry with it.
 */
static void views_hook(struct kmm_kernel *k, struct folio *src, void *arg)
{
	struct views_during *d = arg;
	const pte_t *pte;
	unsigned char vec[4];

	(void)src;
	if (d->seen++ == 0) {
		assert_int_equal(test_view_kb(d->m, d->pid, "smaps_rollup", "Rss"), d->rss);
		assert_int_equal(test_view_kb(d->m, d->pid, "smaps_rollup", "Anonymous"), d->anon);
		memset(vec, 7, sizeof(vec));
		assert_int_equal(do_mincore(d->mm, d->va, 4 * PG, vec), 0);
		for (int i = 0; i < 4; i++)
			assert_int_equal(vec[i], 1);
		pte = (const pte_t *)mm_pte_lookup(d->mm, d->va);
		assert_true(is_writable_migration_entry(pte_to_swp_entry(*pte)));
		assert_int_equal(do_mprotect_pkey(d->mm, d->va, 4 * PG, PROT_READ, -1), 0);
		pte = (const pte_t *)mm_pte_lookup(d->mm, d->va);
		assert_true(is_readable_exclusive_migration_entry(pte_to_swp_entry(*pte)));
		assert_false(pte_write(*(const pte_t *)mm_pte_lookup(d->mm, d->va + 2 * PG)));
	} else if (d->seen == 2) {
		assert_int_equal(do_mremap(d->mm, d->va, 4 * PG, 4 * PG,
					   MREMAP_MAYMOVE | MREMAP_FIXED, d->va2),
				 d->va2);
		assert_null(vma_lookup(d->mm, d->va));
		pte = (const pte_t *)mm_pte_lookup(d->mm, d->va2 + PG);
		assert_non_null(pte);
		assert_true(is_readable_exclusive_migration_entry(pte_to_swp_entry(*pte)));
	}
	(void)k;
}

/*
 * A task's 4 written anonymous pages migrate while the views and calls above run mid-move:
 * afterwards the mapping lives at its new address, every page there is the new one, read-only
 * (the mprotect) yet still exclusive, so after mprotect(RW) a write reuses the page in place
 * (no COW copy); the data and smaps_rollup's Rss are what they were.
 */
static void test_migrate_views_and_calls_mid_move(void **state)
{
	struct kmm_config cfg;
	struct kmm_machine *m;
	struct kmm_kernel *k;
	struct task_struct *tsk;
	struct views_during d = {0};
	struct list_head list;
	unsigned long old[4];
	uint64_t words[4];
	unsigned int nr = 0;
	kmm_va_t va;

	(void)state;
	kmm_config_init(&cfg);
	kmm_config_option(&cfg, "-m", "256M");
	m = test_machine(&cfg);
	k = &m->kernel;
	assert_int_equal(kmm_task_create(m, "mig", 0, &d.pid), KMM_OK);
	assert_int_equal(kmm_mmap(m, d.pid, 0, 4 * PG, KMM_PROT_READ | KMM_PROT_WRITE,
				  KMM_MAP_PRIVATE | KMM_MAP_ANONYMOUS, -1, 0, &va),
			 KMM_OK);
	assert_int_equal(kmm_task_touch(m, d.pid, KMM_ACCESS_STORE, va, 4 * PG, 0, KMM_TOUCH_SEQ,
					0x6d6967, NULL),
			 KMM_OK);
	tsk = find_task_by_vpid(k, d.pid);
	assert_non_null(tsk);
	sync_mm_rss(tsk, tsk->mm);
	d.m = m;
	d.mm = tsk->mm;
	d.va = va;
	d.va2 = va + (1UL << 30);
	d.rss = test_view_kb(m, d.pid, "smaps_rollup", "Rss");
	d.anon = test_view_kb(m, d.pid, "smaps_rollup", "Anonymous");
	lru_add_drain_all(k);
	INIT_LIST_HEAD(&list);
	assert_int_equal(migrate_list_register(k, &list), 0);
	for (unsigned i = 0; i < 4; i++) {
		const pte_t *pte = (const pte_t *)mm_pte_lookup(d.mm, va + i * PG);

		words[i] = word_at(k, d.mm, va + i * PG);
		old[i] = pte_pfn(*pte);
		assert_int_equal(migrate_isolate_lru_folio(k, page_folio(pte_page(k, *pte)), &list),
				 0);
	}
	assert_int_equal(kmm_check(m), KMM_OK);
	migrate_set_unmap_hook(k, views_hook, &d);
	{
		struct migration_target_control mtc = {.nid = NUMA_NO_NODE,
						       .gfp_mask = GFP_HIGHUSER_MOVABLE};

		assert_int_equal(migrate_pages(k, &list, alloc_migration_target, NULL,
					       (unsigned long)&mtc, MIGRATE_SYNC, MR_SYSCALL, &nr),
				 0);
	}
	migrate_set_unmap_hook(k, NULL, NULL);
	migrate_list_unregister(k, &list);
	assert_int_equal(nr, 4);
	assert_int_equal(d.seen, 4);
	if (kmm_check(m) != KMM_OK)
		fail_msg("kmm_check: %s", kmm_last_error(m));
	for (unsigned i = 0; i < 4; i++) {
		const pte_t *pte = (const pte_t *)mm_pte_lookup(d.mm, d.va2 + i * PG);

		assert_non_null(pte);
		assert_true(pte_valid(*pte));
		assert_false(pte_write(*pte));
		assert_int_not_equal(pte_pfn(*pte), old[i]);
		assert_true(PageAnonExclusive(pte_page(k, *pte)));
		assert_int_equal(word_at(k, d.mm, d.va2 + i * PG), words[i]);
	}
	assert_int_equal(test_view_kb(m, d.pid, "smaps_rollup", "Rss"), d.rss);
	assert_int_equal(do_mprotect_pkey(d.mm, d.va2, 4 * PG, PROT_READ | PROT_WRITE, -1), 0);
	{
		unsigned long before = pte_pfn(*(const pte_t *)mm_pte_lookup(d.mm, d.va2));

		assert_int_equal(kmm_task_touch(m, d.pid, KMM_ACCESS_STORE, d.va2, PG, 0,
						KMM_TOUCH_SEQ, 0x6d6968, NULL),
				 KMM_OK);
		assert_int_equal(pte_pfn(*(const pte_t *)mm_pte_lookup(d.mm, d.va2)), before);
	}
	if (kmm_check(m) != KMM_OK)
		fail_msg("kmm_check: %s", kmm_last_error(m));
	test_machine_done(m);
}

/*
 * An anonymous folio under writeback to an asynchronous swap device (added to the swap cache,
 * unmapped and written as reclaim's pageout does, back on the LRU): MIGRATE_ASYNC and
 * MIGRATE_SYNC_LIGHT do not wait for writeback (-EBUSY: one failure at once, pgmigrate_fail +1, the
 * folio stays on the list); MIGRATE_SYNC waits from the fourth pass (force) on the simulated clock
 * until the write completes, then moves it: the swap cache holds the new, clean folio, and the
 * task's next access maps that one.
 */
static void test_migrate_under_writeback(void **state)
{
	struct mt *t = mt_boot("1");
	struct swap_dev *dev = NULL;
	struct list_head list;
	unsigned long old[1], fail0;
	struct folio *folio, *now;
	swp_entry_t entry;
	unsigned int nr = 0;

	(void)state;
	assert_int_equal(swap_dev_create(t->k, SWAP_DEV_PLAIN, "/dev/vdb", 16UL << 20, NULL, &dev),
			 0);
	assert_int_equal(sys_swapon(t->k, dev, 0), 0);
	mt_map(t, BASE, PG, RW, ANONP);
	mt_fill(t, BASE, PG, 161);
	INIT_LIST_HEAD(&list);
	assert_int_equal(migrate_list_register(t->k, &list), 0);
	isolate_range(t, &list, BASE, 1, old);
	folio = page_folio(pfn_to_page(t->k, old[0]));
	folio_lock(folio);
	assert_true(add_to_swap(t->k, folio));
	entry.val = folio->private;
	try_to_unmap(t->k, folio, 0);
	assert_false(folio_mapped(folio));
	assert_true(folio_clear_dirty_for_io(t->k, folio));
	assert_int_equal(swap_writepage(t->k, &folio->page, NULL), 0);
	assert_true(folio_test_writeback(folio));
	assert_false(folio_test_locked(folio));
	fail0 = ev(t, PGMIGRATE_FAIL);
	assert_int_equal(migrate_to(t, &list, NUMA_NO_NODE, MIGRATE_ASYNC, &nr), 1);
	assert_int_equal(migrate_to(t, &list, NUMA_NO_NODE, MIGRATE_SYNC_LIGHT, &nr), 1);
	assert_int_equal(nr, 0);
	assert_int_equal(ev(t, PGMIGRATE_FAIL) - fail0, 2);
	assert_ptr_equal(list.next, &folio->lru);
	assert_true(folio_test_writeback(folio));
	assert_int_equal(migrate_to(t, &list, NUMA_NO_NODE, MIGRATE_SYNC, &nr), 0);
	assert_int_equal(nr, 1);
	migrate_list_unregister(t->k, &list);
	mt_check(t);
	now = swap_cache_lookup_folio(t->k, entry);
	assert_non_null(now);
	folio_put(t->k, now);
	assert_int_not_equal(page_to_pfn(t->k, &now->page), old[0]);
	assert_false(folio_test_writeback(now));
	assert_false(folio_test_dirty(now));
	/* the task's next access finds the new folio in the swap cache (a minor fault) */
	assert_int_equal(mt_count_pattern(t, BASE, PG, BASE, 161), 1);
	assert_ptr_equal(page_at(t, BASE), &now->page);
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
		cmocka_unit_test(test_migrate_file_folios),
		cmocka_unit_test(test_migrate_shmem_folios),
		cmocka_unit_test(test_migrate_swapcache_folio),
		cmocka_unit_test(test_migrate_to_another_node),
		cmocka_unit_test(test_migrate_contig_range_moves_users_out),
		cmocka_unit_test(test_migrate_contig_range_pinned_is_ebusy),
		cmocka_unit_test(test_migrate_cma_alloc_under_load),
		cmocka_unit_test(test_migrate_views_and_calls_mid_move),
		cmocka_unit_test(test_migrate_under_writeback),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
