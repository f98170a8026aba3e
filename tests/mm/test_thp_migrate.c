/*
 * THP migration (migrate.c's PMD migration entries, 6.1 with ARCH_ENABLE_THP_MIGRATION): a
 * PMD-mapped anonymous THP moves whole to a new order-9 folio.
 *
 * Expected values come from 6.1's rules (mm/migrate.c migrate_pages_batch, mm/rmap.c
 * try_to_migrate_one's PMD branch, mm/huge_memory.c set_pmd_migration_entry,
 * remove_migration_pmd, zap_huge_pmd, copy_huge_pmd, change_huge_pmd, fs/proc/task_mmu.c
 * smaps_pmd_entry), not from our output:
 *  - a THP that moves counts thp_migration_success 1 and pgmigrate_success 512; one that does
 *    not (a FOLL_PIN pin: page_try_share_anon_rmap keeps the PMD, -EAGAIN on all ten passes)
 *    thp_migration_fail 1 and pgmigrate_fail 512, and migrate_pages returns 1;
 *  - after the move the PMD is a block descriptor of the new THP's head with the rights it had
 *    (writable and exclusive), the old THP is free, NR_ANON_THPS and the rss are unchanged,
 *    and the 2 MiB take one TLB entry: one table walk for 512 pages;
 *  - while it moves the PMD is a writable migration entry naming the old head: a load faults
 *    and waits (the fault returns 0, the entry stays); smaps_rollup still counts 2048 kB of
 *    AnonHugePages and Rss; mprotect(PROT_READ) makes the entry readable-exclusive; fork copies
 *    it as a readable entry in both mms (both then map the new THP read-only);
 *  - with no order-9 target the THP is split and its 512 pages migrate (try_split_folio):
 *    thp_migration_fail 1, thp_migration_split 1, pgmigrate_success 512, return 0;
 *  - alloc_contig_range (cma_alloc's and the gigantic pool's) over THPs migrates each THP it
 *    touches whole, from a tail page too (MR_CONTIG_RANGE).
 * User data is checksummed (all 512 pages) across every move; kmm_check after every step.
 */
#include "mm_test.h"

#include "kmm/mmu.h"
#include "mm/huge_mm.h"
#include "mm/migrate.h"
#include "mm/mman.h"
#include "mm/pagemap.h"
#include "mm/swapops.h"

#include <stdlib.h>
#include <string.h>

#define P  PAGE_SIZE
#define HP (2UL << 20)
#define NR 512UL
#define VA 0x40000000UL /* 2 MiB aligned */

struct tm {
	struct kmm_machine *m;
	struct kmm_kernel *k;
	kmm_pid_t pid;
	struct mm_struct *mm;
};

static void tm_check(struct tm *t)
{
	if (kmm_check(t->m) != KMM_OK)
		fail_msg("kmm_check: %s", kmm_last_error(t->m));
}

/* A task with @nthp THPs from VA on, each page's first word written: @seed ^ its address. */
static void tm_boot(struct tm *t, const char *ram, unsigned long nthp, uint64_t seed)
{
	struct kmm_config cfg;
	kmm_va_t va;

	kmm_config_init(&cfg);
	kmm_config_option(&cfg, "-m", ram);
	kmm_config_option(&cfg, "-smp", "2");
	t->m = test_machine(&cfg);
	t->k = &t->m->kernel;
	assert_int_equal(kmm_task_create(t->m, "thp", 0, &t->pid), KMM_OK);
	assert_int_equal(kmm_mmap(t->m, t->pid, VA, nthp * HP, KMM_PROT_READ | KMM_PROT_WRITE,
				  KMM_MAP_PRIVATE | KMM_MAP_ANONYMOUS | KMM_MAP_FIXED, -1, 0, &va),
			 KMM_OK);
	assert_int_equal(va, VA);
	for (unsigned long a = VA; a < VA + nthp * HP; a += P) {
		uint64_t w = seed ^ a;

		assert_int_equal(
			kmm_task_access(t->m, t->pid, KMM_ACCESS_STORE, a, &w, sizeof(w), NULL),
			KMM_OK);
	}
	t->mm = find_task_by_vpid(t->k, t->pid)->mm;
	tm_check(t);
}

static unsigned long ev(struct tm *t, enum vm_event_item i)
{
	return t->k->vm_events[i];
}

static unsigned long nstat(struct tm *t, enum node_stat_item item)
{
	long v = 0;

	for (int nid = 0; nid < MAX_NUMNODES; nid++)
		if (t->k->node_data[nid])
			v += t->k->node_data[nid]->vm_stat[item];
	return (unsigned long)v;
}

static pmd_t pmd_of(struct mm_struct *mm, unsigned long va)
{
	pmd_t *p = mm_find_pmd(mm, va);

	return p ? *p : __pmd(0);
}

static bool huge_at(struct mm_struct *mm, unsigned long va)
{
	pmd_t pmd = pmd_of(mm, va);

	return pmd_present(pmd) && pmd_trans_huge(pmd);
}

static unsigned long head_pfn(struct tm *t, unsigned long va)
{
	assert_true(huge_at(t->mm, va));
	return pmd_pfn(pmd_of(t->mm, va));
}

/* The word tm_boot wrote at the start of the page at @va. */
static uint64_t touch_word(kmm_pid_t pid, uint64_t seed, unsigned long va)
{
	(void)pid;
	return seed ^ va;
}

/* Pages of the THP mapped at @va whose first word in RAM (not through the TLB) is right. */
static unsigned long thp_pages_ok(struct tm *t, unsigned long va, uint64_t seed)
{
	unsigned long pfn = head_pfn(t, va), n = 0;

	for (unsigned long i = 0; i < NR; i++) {
		uint64_t w;

		memcpy(&w, page_host(t->k, pfn_to_page(t->k, pfn + i), P), sizeof(w));
		n += w == touch_word(t->pid, seed, va + i * P);
	}
	return n;
}

/* The same read through the task's MMU (loads from its CPU). */
static unsigned long task_pages_ok(struct tm *t, unsigned long va, unsigned long npages,
				   uint64_t seed)
{
	unsigned long n = 0;

	for (unsigned long i = 0; i < npages; i++) {
		uint64_t w = 0;

		assert_int_equal(kmm_task_access(t->m, t->pid, KMM_ACCESS_LOAD, va + i * P, &w,
						 sizeof(w), NULL),
				 KMM_OK);
		n += w == touch_word(t->pid, seed, va + i * P);
	}
	return n;
}

static long view_kb(struct tm *t, const char *file, const char *field)
{
	char path[64], name[40];
	const char *p;

	snprintf(path, sizeof(path), "/proc/%d/%s", (int)t->pid, file);
	snprintf(name, sizeof(name), "\n%s:", field);
	p = strstr(test_view(t->m, path), name);
	assert_non_null(p);
	return strtol(p + strlen(name), NULL, 10);
}

/* Isolates the THP mapped at @va onto @list (registered). */
static struct folio *isolate_thp(struct tm *t, struct list_head *list, unsigned long va)
{
	struct folio *folio = page_folio(pfn_to_page(t->k, head_pfn(t, va)));

	lru_add_drain_all(t->k);
	INIT_LIST_HEAD(list);
	assert_int_equal(migrate_list_register(t->k, list), 0);
	assert_int_equal(migrate_isolate_lru_folio(t->k, folio, list), 0);
	tm_check(t);
	return folio;
}

static int migrate_list(struct tm *t, struct list_head *list, unsigned int *nr)
{
	struct migration_target_control mtc = {.nid = NUMA_NO_NODE,
					       .gfp_mask = GFP_HIGHUSER_MOVABLE};

	return migrate_pages(t->k, list, alloc_migration_target, NULL, (unsigned long)&mtc,
			     MIGRATE_SYNC, MR_SYSCALL, nr);
}

/*
 * A written THP migrates whole: return 0, 512 pages, thp_migration_success +1,
 * pgmigrate_success +512, no failure; the PMD is a writable block of a new head (the old THP
 * is free); the 512 pages hold their data in RAM and through the MMU; the first load walks
 * the tables once and the other 511 hit the block's TLB entry; a store lands in the new THP.
 */
static void test_thp_migrate_keeps_data_and_block(void **state)
{
	struct tm t;
	struct list_head list;
	struct kmm_tlb_stats s0, s1;
	unsigned long old, new, ok0, fail0, thp0, rss0, thps0;
	unsigned int nr = 0;
	uint64_t w;

	(void)state;
	tm_boot(&t, "1G", 1, 0x7468706d);
	old = head_pfn(&t, VA);
	assert_int_equal(thp_pages_ok(&t, VA, 0x7468706d), NR);
	ok0 = ev(&t, PGMIGRATE_SUCCESS);
	fail0 = ev(&t, PGMIGRATE_FAIL);
	thp0 = ev(&t, THP_MIGRATION_SUCCESS);
	thps0 = nstat(&t, NR_ANON_THPS);
	sync_mm_rss(find_task_by_vpid(t.k, t.pid), t.mm);
	rss0 = (unsigned long)get_mm_counter(t.mm, MM_ANONPAGES);
	isolate_thp(&t, &list, VA);
	assert_int_equal(migrate_list(&t, &list, &nr), 0);
	migrate_list_unregister(t.k, &list);
	tm_check(&t);
	assert_int_equal(nr, NR);
	assert_int_equal(ev(&t, THP_MIGRATION_SUCCESS) - thp0, 1);
	assert_int_equal(ev(&t, THP_MIGRATION_FAIL), 0);
	assert_int_equal(ev(&t, PGMIGRATE_SUCCESS) - ok0, NR);
	assert_int_equal(ev(&t, PGMIGRATE_FAIL) - fail0, 0);
	new = head_pfn(&t, VA);
	assert_int_not_equal(new, old);
	assert_int_equal(new % NR, 0);
	assert_true(PageHead(pfn_to_page(t.k, new)));
	assert_int_equal(folio_entire_mapcount(page_folio(pfn_to_page(t.k, new))), 1);
	assert_true(PageAnonExclusive(pfn_to_page(t.k, new)));
	assert_true(pmd_write(pmd_of(t.mm, VA)));
	assert_int_equal(page_ref_count(pfn_to_page(t.k, old)), 0);
	assert_int_equal(nstat(&t, NR_ANON_THPS), thps0);
	assert_int_equal(get_mm_counter(t.mm, MM_ANONPAGES), rss0);
	assert_int_equal(nstat(&t, NR_ISOLATED_ANON), 0);
	assert_int_equal(thp_pages_ok(&t, VA, 0x7468706d), NR);

	/* one TLB entry for the block: 512 loads, one walk */
	assert_int_equal(kmm_tlb_stats(t.m, 0, &s0), KMM_OK);
	assert_int_equal(task_pages_ok(&t, VA, NR, 0x7468706d), NR);
	assert_int_equal(kmm_tlb_stats(t.m, 0, &s1), KMM_OK);
	assert_int_equal(s1.walks - s0.walks, 1);
	/* no stale translation: a store goes to the new THP's page */
	w = 0x5354414c45;
	assert_int_equal(
		kmm_task_access(t.m, t.pid, KMM_ACCESS_STORE, VA + 7 * P, &w, sizeof(w), NULL),
		KMM_OK);
	assert_memory_equal(page_host(t.k, pfn_to_page(t.k, new + 7), P), &w, sizeof(w));
	tm_check(&t);
	test_machine_done(t.m);
}

/* ---- mid-move: the PMD is a migration entry ------------------------------------------ */

struct during {
	struct tm *t;
	unsigned long old;
	long rss_kb, thp_kb;
	unsigned long waits0, hooks;
	kmm_pid_t child; /* forked mid-move, or 0 */
	bool fork;
};

static void during_hook(struct kmm_kernel *k, struct folio *src, void *arg)
{
	struct during *d = arg;
	struct tm *t = d->t;
	struct kmm_mmu_fault f;
	pmd_t pmd = pmd_of(t->mm, VA);
	swp_entry_t entry;
	unsigned char vec[4];
	uint64_t w = 0;

	d->hooks++;
	assert_int_equal(page_to_pfn(k, &src->page), d->old);
	assert_true(migrate_in_flight(k));
	assert_true(is_pmd_migration_entry(pmd));
	entry = pmd_to_swp_entry(pmd);
	assert_true(is_writable_migration_entry(entry));
	assert_int_equal(swp_offset_pfn(entry), d->old);
	assert_null(mm_pte_lookup(t->mm, VA)); /* no PTE level: the deposit stays deposited */
	/* a load faults on the entry (no TLB keeps the block) and waits; the entry stays */
	assert_int_equal(kmm_cpu_access(t->m, 0, KMM_ACCESS_LOAD, VA + 3 * P, &w, sizeof(w), &f),
			 KMM_EFAULT);
	assert_int_equal(do_mem_abort(k, find_task_by_vpid(k, t->pid), f.far, f.esr), 0);
	assert_int_equal(migrate_entry_waits(k) - d->waits0, 1);
	assert_int_equal(pmd_val(pmd_of(t->mm, VA)), pmd_val(pmd));
	/* smaps counts the THP behind the entry; mincore says resident */
	assert_int_equal(view_kb(t, "smaps_rollup", "AnonHugePages"), d->thp_kb);
	assert_int_equal(view_kb(t, "smaps_rollup", "Rss"), d->rss_kb);
	memset(vec, 7, sizeof(vec));
	assert_int_equal(do_mincore(t->mm, VA, 4 * P, vec), 0);
	for (int i = 0; i < 4; i++)
		assert_int_equal(vec[i], 1);
	if (d->fork) {
		/* fork copies the entry, readable in both (6.1's copy_huge_pmd) */
		assert_int_equal(kmm_task_fork(t->m, t->pid, &d->child), KMM_OK);
		assert_true(is_readable_migration_entry(pmd_to_swp_entry(pmd_of(t->mm, VA))));
		assert_true(is_readable_migration_entry(
			pmd_to_swp_entry(pmd_of(find_task_by_vpid(k, d->child)->mm, VA))));
	} else {
		/* mprotect(PROT_READ): the writable entry becomes readable-exclusive */
		assert_int_equal(do_mprotect_pkey(t->mm, VA, HP, PROT_READ, -1), 0);
		assert_true(
			is_readable_exclusive_migration_entry(pmd_to_swp_entry(pmd_of(t->mm, VA))));
	}
}

/*
 * The THP's move with the hook above (a load mid-move, smaps, mincore, mprotect): after it the
 * PMD is a read-only block of the new THP, still exclusive, so after mprotect(RW) a store
 * reuses it in place (no split, no copy); the data are intact and smaps' figures unchanged.
 */
static void test_thp_migrate_fault_and_calls_mid_move(void **state)
{
	struct tm t;
	struct during d = {0};
	struct list_head list;
	unsigned int nr = 0;
	unsigned long new;
	uint64_t w = 42;

	(void)state;
	tm_boot(&t, "1G", 1, 0x6d6964);
	d.t = &t;
	d.old = head_pfn(&t, VA);
	d.rss_kb = view_kb(&t, "smaps_rollup", "Rss");
	d.thp_kb = view_kb(&t, "smaps_rollup", "AnonHugePages");
	assert_int_equal(d.thp_kb, 2048);
	d.waits0 = migrate_entry_waits(t.k);
	isolate_thp(&t, &list, VA);
	migrate_set_unmap_hook(t.k, during_hook, &d);
	assert_int_equal(migrate_list(&t, &list, &nr), 0);
	migrate_set_unmap_hook(t.k, NULL, NULL);
	migrate_list_unregister(t.k, &list);
	tm_check(&t);
	assert_int_equal(d.hooks, 1);
	assert_int_equal(nr, NR);
	new = head_pfn(&t, VA);
	assert_int_not_equal(new, d.old);
	assert_false(pmd_write(pmd_of(t.mm, VA)));
	assert_true(PageAnonExclusive(pfn_to_page(t.k, new)));
	assert_int_equal(thp_pages_ok(&t, VA, 0x6d6964), NR);
	assert_int_equal(view_kb(&t, "smaps_rollup", "AnonHugePages"), 2048);
	assert_int_equal(view_kb(&t, "smaps_rollup", "Rss"), d.rss_kb);
	assert_int_equal(do_mprotect_pkey(t.mm, VA, HP, PROT_READ | PROT_WRITE, -1), 0);
	assert_int_equal(
		kmm_task_access(t.m, t.pid, KMM_ACCESS_STORE, VA + 9 * P, &w, sizeof(w), NULL),
		KMM_OK);
	assert_int_equal(head_pfn(&t, VA), new);
	assert_memory_equal(page_host(t.k, pfn_to_page(t.k, new + 9), P), &w, sizeof(w));
	assert_int_equal(task_pages_ok(&t, VA, 9, 0x6d6964), 9);
	tm_check(&t);
	test_machine_done(t.m);
}

/*
 * fork mid-move: parent and child get readable entries; after the move both map the new THP
 * read-only by PMD (entire mapcount 2), the child reads all 512 pages' data; the child's exit
 * (zap_huge_pmd) leaves the parent's mapping alone.
 */
static void test_thp_migrate_fork_mid_move(void **state)
{
	struct tm t, c;
	struct during d = {.fork = true};
	struct list_head list;
	unsigned int nr = 0;
	unsigned long new;

	(void)state;
	tm_boot(&t, "1G", 1, 0x666f726b);
	d.t = &t;
	d.old = head_pfn(&t, VA);
	d.rss_kb = view_kb(&t, "smaps_rollup", "Rss");
	d.thp_kb = 2048;
	d.waits0 = migrate_entry_waits(t.k);
	isolate_thp(&t, &list, VA);
	migrate_set_unmap_hook(t.k, during_hook, &d);
	assert_int_equal(migrate_list(&t, &list, &nr), 0);
	migrate_set_unmap_hook(t.k, NULL, NULL);
	migrate_list_unregister(t.k, &list);
	tm_check(&t);
	assert_int_equal(nr, NR);
	new = head_pfn(&t, VA);
	c = t;
	c.pid = d.child;
	c.mm = find_task_by_vpid(t.k, d.child)->mm;
	assert_int_equal(head_pfn(&c, VA), new);
	assert_int_equal(folio_entire_mapcount(page_folio(pfn_to_page(t.k, new))), 2);
	assert_false(pmd_write(pmd_of(t.mm, VA)));
	assert_false(pmd_write(pmd_of(c.mm, VA)));
	assert_false(PageAnonExclusive(pfn_to_page(t.k, new)));
	assert_int_equal(task_pages_ok(&c, VA, NR, 0x666f726b), NR);
	assert_int_equal(kmm_task_exit(t.m, d.child, 0), KMM_OK);
	tm_check(&t);
	assert_int_equal(folio_entire_mapcount(page_folio(pfn_to_page(t.k, new))), 1);
	assert_int_equal(task_pages_ok(&t, VA, NR, 0x666f726b), NR);
	tm_check(&t);
	test_machine_done(t.m);
}

/*
 * A THP with a FOLL_PIN pin cannot move: the PMD stays (page_try_share_anon_rmap), each of
 * the ten passes gives -EAGAIN: migrate_pages returns 1, thp_migration_fail +1,
 * pgmigrate_fail +512, nothing succeeded; the THP stays mapped writable, isolated until
 * put back, its data intact.
 */
static void test_thp_migrate_pinned_fails(void **state)
{
	struct tm t;
	struct list_head list;
	struct page *pin = NULL;
	unsigned long old, ok0, fail0, tf0, ts0;
	unsigned int nr = 0;

	(void)state;
	tm_boot(&t, "1G", 1, 0x70696e);
	old = head_pfn(&t, VA);
	assert_int_equal(pin_user_pages(t.mm, VA + 5 * P, 1, FOLL_WRITE, &pin), 1);
	assert_int_equal(page_to_pfn(t.k, pin), old + 5);
	ok0 = ev(&t, PGMIGRATE_SUCCESS);
	fail0 = ev(&t, PGMIGRATE_FAIL);
	tf0 = ev(&t, THP_MIGRATION_FAIL);
	ts0 = ev(&t, THP_MIGRATION_SUCCESS);
	isolate_thp(&t, &list, VA);
	assert_int_equal(migrate_list(&t, &list, &nr), 1);
	assert_int_equal(nr, 0);
	assert_int_equal(ev(&t, THP_MIGRATION_FAIL) - tf0, 1);
	assert_int_equal(ev(&t, THP_MIGRATION_SUCCESS) - ts0, 0);
	assert_int_equal(ev(&t, PGMIGRATE_FAIL) - fail0, NR);
	assert_int_equal(ev(&t, PGMIGRATE_SUCCESS) - ok0, 0);
	assert_int_equal(nstat(&t, NR_ISOLATED_ANON), NR);
	tm_check(&t);
	assert_int_equal(head_pfn(&t, VA), old);
	assert_true(pmd_write(pmd_of(t.mm, VA)));
	putback_movable_pages(t.k, &list);
	migrate_list_unregister(t.k, &list);
	unpin_user_page(t.k, pin);
	assert_int_equal(nstat(&t, NR_ISOLATED_ANON), 0);
	tm_check(&t);
	assert_int_equal(thp_pages_ok(&t, VA, 0x70696e), NR);
	test_machine_done(t.m);
}

/* A migration target allocator with no order-9 block to give (order 0 as usual). */
static struct page *no_huge_target(struct kmm_kernel *k, struct page *page, unsigned long private)
{
	if (folio_test_large(page_folio(page)))
		return NULL;
	return alloc_migration_target(k, page, private);
}

/*
 * No order-9 target: 6.1 splits the THP (try_split_folio) and migrates its 512 pages in a
 * second round: thp_migration_fail 1 and thp_migration_split 1 (the THP counted once, its
 * pieces' results not counted as failures), thp_split_page 1, pgmigrate_success 512,
 * pgmigrate_fail 0, nr_succeeded 512, and migrate_pages returns 0 (nothing left on the list).
 * The 2 MiB are now 512 PTEs, each of a page other than its old one, writable, with the data.
 */
static void test_thp_migrate_split_fallback(void **state)
{
	struct tm t;
	struct list_head list;
	struct migration_target_control mtc = {.nid = NUMA_NO_NODE,
					       .gfp_mask = GFP_HIGHUSER_MOVABLE};
	unsigned long old, tf0, ts0, split0, ok0, fail0;
	unsigned int nr = 0;

	(void)state;
	tm_boot(&t, "1G", 1, 0x73706c);
	old = head_pfn(&t, VA);
	tf0 = ev(&t, THP_MIGRATION_FAIL);
	ts0 = ev(&t, THP_MIGRATION_SPLIT);
	split0 = ev(&t, THP_SPLIT_PAGE);
	ok0 = ev(&t, PGMIGRATE_SUCCESS);
	fail0 = ev(&t, PGMIGRATE_FAIL);
	isolate_thp(&t, &list, VA);
	assert_int_equal(migrate_pages(t.k, &list, no_huge_target, NULL, (unsigned long)&mtc,
				       MIGRATE_SYNC, MR_SYSCALL, &nr),
			 0);
	migrate_list_unregister(t.k, &list);
	tm_check(&t);
	assert_int_equal(nr, NR);
	assert_int_equal(ev(&t, THP_MIGRATION_FAIL) - tf0, 1);
	assert_int_equal(ev(&t, THP_MIGRATION_SPLIT) - ts0, 1);
	assert_int_equal(ev(&t, THP_MIGRATION_SUCCESS), 0);
	assert_int_equal(ev(&t, THP_SPLIT_PAGE) - split0, 1);
	assert_int_equal(ev(&t, PGMIGRATE_SUCCESS) - ok0, NR);
	assert_int_equal(ev(&t, PGMIGRATE_FAIL) - fail0, 0);
	assert_int_equal(nstat(&t, NR_ISOLATED_ANON), 0);
	assert_false(huge_at(t.mm, VA));
	for (unsigned long i = 0; i < NR; i++) {
		const pte_t *pte = (const pte_t *)mm_pte_lookup(t.mm, VA + i * P);
		uint64_t w;

		assert_non_null(pte);
		assert_true(pte_valid(*pte) && pte_write(*pte));
		assert_int_not_equal(pte_pfn(*pte),
				     old + i); /* moved (freed pieces may be reused) */
		assert_false(folio_test_large(page_folio(pte_page(t.k, *pte))));
		memcpy(&w, page_host(t.k, pte_page(t.k, *pte), P), sizeof(w));
		assert_int_equal(w, touch_word(t.pid, 0x73706c, VA + i * P));
	}
	assert_int_equal(task_pages_ok(&t, VA, NR, 0x73706c), NR);
	tm_check(&t);
	test_machine_done(t.m);
}

/*
 * alloc_contig_range (what cma_alloc and a gigantic hugetlb pool allocation run) over
 * THP-backed user memory: a range that starts in the middle of one THP (a tail page: its
 * folio is taken whole, as 6.1's PageLRU on a tail reads the head's flag) and ends in the
 * middle of another migrates every THP it touches whole (thp_migration_success one each,
 * pgmigrate_success 512 each, reason contig_range), the range comes back allocated, and every
 * page of all 16 THPs keeps its data; the task's PMDs are all still blocks.
 */
static void test_thp_migrate_contig_range_over_thps(void **state)
{
	struct tm t;
	const unsigned long nthp = 16;
	unsigned long heads[16], start, end, touched = 0, ts0, ok0;

	(void)state;
	tm_boot(&t, "1G", nthp, 0x636d61);
	for (unsigned long i = 0; i < nthp; i++)
		heads[i] = head_pfn(&t, VA + i * HP);
	start = heads[5] + 100; /* a tail page of the sixth THP */
	end = start + 3 * NR;	/* into whatever lies 3 THPs on */
	for (unsigned long i = 0; i < nthp; i++)
		touched += heads[i] < end && heads[i] + NR > start;
	/* the range holds only THPs of this task and free pages */
	for (unsigned long pfn = start; pfn < end; pfn++) {
		struct page *page = pfn_to_page(t.k, pfn);
		bool mine = false;

		for (unsigned long i = 0; i < nthp; i++)
			mine |= pfn >= heads[i] && pfn < heads[i] + NR;
		assert_true(mine || page_ref_count(page) == 0);
	}
	assert_true(touched >= 1);
	ts0 = ev(&t, THP_MIGRATION_SUCCESS);
	ok0 = ev(&t, PGMIGRATE_SUCCESS);
	assert_int_equal(alloc_contig_range(t.k, start, end, MIGRATE_MOVABLE, GFP_KERNEL), 0);
	tm_check(&t);
	assert_int_equal(ev(&t, THP_MIGRATION_SUCCESS) - ts0, touched);
	assert_int_equal(ev(&t, PGMIGRATE_SUCCESS) - ok0, touched * NR);
	for (unsigned long pfn = start; pfn < end; pfn++)
		assert_int_equal(page_ref_count(pfn_to_page(t.k, pfn)), 1);
	for (unsigned long i = 0; i < nthp; i++) {
		unsigned long pfn = head_pfn(&t, VA + i * HP);

		assert_false(pfn < end && pfn + NR > start);
		assert_int_equal(thp_pages_ok(&t, VA + i * HP, 0x636d61), NR);
	}
	free_contig_range(t.k, start, end - start);
	tm_check(&t);
	assert_int_equal(task_pages_ok(&t, VA + 5 * HP, NR, 0x636d61), NR);
	test_machine_done(t.m);
}

/* ---- a THP mapped by a PMD in one mm and by PTEs in another ------------------------------ */

struct mixed {
	struct tm *t, *c;  /* the parent (PMD) and the child (PTEs, on CPU 1) */
	unsigned long old; /* the old head */
	unsigned long waits0, hooks;
	bool split_entry; /* split the parent's PMD migration entry mid-move */
	unsigned long splits0;
};

/* One access by @t's task on @cpu, faulting once: the fault must meet a migration entry. */
static void access_mid_move(struct tm *t, unsigned cpu, unsigned long va)
{
	struct kmm_mmu_fault f;
	uint64_t w = 0;

	assert_int_equal(kmm_cpu_access(t->m, cpu, KMM_ACCESS_LOAD, va, &w, sizeof(w), &f),
			 KMM_EFAULT);
	assert_int_equal(do_mem_abort(t->k, find_task_by_vpid(t->k, t->pid), f.far, f.esr), 0);
}

static void mixed_hook(struct kmm_kernel *k, struct folio *src, void *arg)
{
	struct mixed *d = arg;
	pmd_t pmd = pmd_of(d->t->mm, VA);

	d->hooks++;
	assert_int_equal(page_to_pfn(k, &src->page), d->old);
	/* the parent's PMD: a readable entry (fork write-protected it) naming the old head */
	assert_true(is_pmd_migration_entry(pmd));
	assert_true(is_readable_migration_entry(pmd_to_swp_entry(pmd)));
	assert_int_equal(swp_offset_pfn(pmd_to_swp_entry(pmd)), d->old);
	/* the child's PTEs: page i's entry names old + i; the unmapped last page has none */
	for (unsigned long i = 0; i < NR; i++) {
		const pte_t *pte = (const pte_t *)mm_pte_lookup(d->c->mm, VA + i * P);

		assert_non_null(pte);
		if (i == NR - 1) {
			assert_true(pte_none(*pte));
			continue;
		}
		assert_true(is_swap_pte(*pte));
		assert_true(is_readable_migration_entry(pte_to_swp_entry(*pte)));
		assert_int_equal(swp_offset_pfn(pte_to_swp_entry(*pte)), d->old + i);
	}
	assert_false(folio_mapped(src));
	/* both tasks fault on the entries and wait: one wait each, the entries stay */
	access_mid_move(d->c, 1, VA + 3 * P);
	access_mid_move(d->t, 0, VA + 5 * P);
	assert_int_equal(migrate_entry_waits(k) - d->waits0, 2);
	assert_true(is_pmd_migration_entry(pmd_of(d->t->mm, VA)));
	if (d->split_entry) {
		/* munmap of the parent's last 64 KiB splits its PMD migration entry */
		d->splits0 = ev(d->t, THP_SPLIT_PMD);
		assert_int_equal(do_munmap(d->t->mm, VA + HP - 16 * P, 16 * P), 0);
		assert_int_equal(ev(d->t, THP_SPLIT_PMD) - d->splits0, 1);
		assert_false(is_swap_pmd(pmd_of(d->t->mm, VA)));
		for (unsigned long i = 0; i < NR - 16; i++) {
			const pte_t *pte = (const pte_t *)mm_pte_lookup(d->t->mm, VA + i * P);

			assert_non_null(pte);
			assert_true(is_readable_migration_entry(pte_to_swp_entry(*pte)));
			assert_false(is_readable_exclusive_migration_entry(pte_to_swp_entry(*pte)));
			assert_int_equal(swp_offset_pfn(pte_to_swp_entry(*pte)), d->old + i);
		}
		assert_true(pte_none(*(const pte_t *)mm_pte_lookup(d->t->mm, VA + HP - P)));
		access_mid_move(d->t, 0, VA + 6 * P); /* now a PTE migration entry: a wait too */
		assert_int_equal(migrate_entry_waits(k) - d->waits0, 3);
	}
}

/* A parent mapping one written THP by its PMD, and a forked child on CPU 1 whose last page
 * was unmapped (split_huge_pmd in the child only: PG_double_map set, as 6.1's
 * __split_huge_pmd_locked does while another PMD maps the THP). */
static void mixed_boot(struct tm *t, struct tm *c, uint64_t seed)
{
	struct folio *folio;

	tm_boot(t, "1G", 1, seed);
	*c = *t;
	assert_int_equal(kmm_task_fork(t->m, t->pid, &c->pid), KMM_OK);
	c->mm = find_task_by_vpid(t->k, c->pid)->mm;
	assert_int_equal(kmm_task_set_cpu(t->m, c->pid, 1), KMM_OK);
	assert_int_equal(kmm_munmap(t->m, c->pid, VA + HP - P, P), KMM_OK);
	tm_check(t);
	assert_true(huge_at(t->mm, VA));
	assert_false(huge_at(c->mm, VA));
	folio = page_folio(pfn_to_page(t->k, head_pfn(t, VA)));
	assert_true(folio_test_double_map(folio));
	assert_int_equal(folio_entire_mapcount(folio), 1);
	assert_int_equal(page_mapcount(&folio->page + 3), 2);
	assert_int_equal(page_mapcount(&folio->page + NR - 1), 1);
	/* the child's CPU has its mm, and a TLB entry for page 3 */
	assert_int_equal(task_pages_ok(c, VA, 4, seed), 4);
}

/*
 * 6.1 migrates a THP mapped by a PMD in one mm and by PTEs in another (try_to_migrate_one's
 * PMD and PTE branches; remove_migration_pmd and remove_migration_pte back): return 0, 512
 * pages, thp_migration_success +1, pgmigrate_success +512. Mid-move the parent's PMD is a
 * readable PMD migration entry, the child's 511 PTEs readable entries of old + i; loads by
 * both tasks (CPU 0 and CPU 1) fault and wait. After it: the parent's PMD is a read-only block
 * of the new head, the child's PTEs map new + i read-only, the old THP is free; the map
 * counts as before (entire 1, page 3 mapped twice, page 511 once), NR_ANON_THPS, rss and
 * AnonPages unchanged; every page's data is intact through both tasks' MMUs (the child's
 * stale TLB entry for page 3 was flushed: it reads the new page). A store by the child then
 * copies page 3 (COW: two mappings) and the parent still reads its old value.
 */
static void test_thp_migrate_pmd_and_pte_mapped(void **state)
{
	struct tm t, c;
	struct mixed d = {0};
	struct list_head list;
	unsigned int nr = 0;
	unsigned long new, ts0, ok0, thps0, anon0, rss_p, rss_c;
	struct folio *nf;
	uint64_t w = 0xc0ffee;

	(void)state;
	mixed_boot(&t, &c, 0x6d6978);
	d.t = &t;
	d.c = &c;
	d.old = head_pfn(&t, VA);
	ts0 = ev(&t, THP_MIGRATION_SUCCESS);
	ok0 = ev(&t, PGMIGRATE_SUCCESS);
	thps0 = nstat(&t, NR_ANON_THPS);
	anon0 = nstat(&t, NR_ANON_MAPPED);
	rss_p = (unsigned long)view_kb(&t, "smaps_rollup", "Rss");
	rss_c = (unsigned long)view_kb(&c, "smaps_rollup", "Rss");
	d.waits0 = migrate_entry_waits(t.k);
	isolate_thp(&t, &list, VA);
	migrate_set_unmap_hook(t.k, mixed_hook, &d);
	assert_int_equal(migrate_list(&t, &list, &nr), 0);
	migrate_set_unmap_hook(t.k, NULL, NULL);
	migrate_list_unregister(t.k, &list);
	tm_check(&t);
	assert_int_equal(d.hooks, 1);
	assert_int_equal(nr, NR);
	assert_int_equal(ev(&t, THP_MIGRATION_SUCCESS) - ts0, 1);
	assert_int_equal(ev(&t, PGMIGRATE_SUCCESS) - ok0, NR);
	new = head_pfn(&t, VA);
	assert_int_not_equal(new, d.old);
	assert_int_equal(page_ref_count(pfn_to_page(t.k, d.old)), 0);
	assert_false(pmd_write(pmd_of(t.mm, VA)));
	for (unsigned long i = 0; i < NR - 1; i++) {
		const pte_t *pte = (const pte_t *)mm_pte_lookup(c.mm, VA + i * P);

		assert_true(pte_valid(*pte));
		assert_false(pte_write(*pte));
		assert_int_equal(pte_pfn(*pte), new + i);
	}
	nf = page_folio(pfn_to_page(t.k, new));
	assert_int_equal(folio_entire_mapcount(nf), 1);
	assert_int_equal(page_mapcount(&nf->page + 3), 2);
	assert_int_equal(page_mapcount(&nf->page + NR - 1), 1);
	assert_int_equal(nstat(&t, NR_ANON_THPS), thps0);
	assert_int_equal(nstat(&t, NR_ANON_MAPPED), anon0);
	assert_int_equal(view_kb(&t, "smaps_rollup", "Rss"), rss_p);
	assert_int_equal(view_kb(&c, "smaps_rollup", "Rss"), rss_c);
	assert_int_equal(thp_pages_ok(&t, VA, 0x6d6978), NR);
	assert_int_equal(task_pages_ok(&c, VA, NR - 1, 0x6d6978), NR - 1);
	assert_int_equal(task_pages_ok(&t, VA, NR, 0x6d6978), NR);
	assert_int_equal(
		kmm_task_access(t.m, c.pid, KMM_ACCESS_STORE, VA + 3 * P, &w, sizeof(w), NULL),
		KMM_OK);
	assert_int_not_equal(pte_pfn(*(const pte_t *)mm_pte_lookup(c.mm, VA + 3 * P)), new + 3);
	assert_int_equal(task_pages_ok(&t, VA + 3 * P, 1, 0x6d6978), 1);
	tm_check(&t);
	assert_int_equal(kmm_task_exit(t.m, c.pid, 0), KMM_OK);
	tm_check(&t);
	assert_int_equal(task_pages_ok(&t, VA, NR, 0x6d6978), NR);
	test_machine_done(t.m);
}

/*
 * The same move with the parent's PMD migration entry split mid-move (munmap of its last
 * 16 pages, as 6.1's __split_huge_pmd_locked does for a pmd_migration): thp_split_pmd +1, 496
 * readable PTE migration entries of old + i and 16 empty PTEs; a load there waits too (3 waits
 * in all). After the move nothing maps the new THP by a PMD: the parent's 496 and the child's
 * 511 PTEs map new + i read-only, NR_ANON_THPS is 512 lower, AnonPages counts the pages either
 * maps (511, one less than before: the last page is mapped by neither), the parent's Rss
 * 64 kB lower and no AnonHugePages; the data hold in both.
 */
static void test_thp_migrate_split_pmd_migration_entry(void **state)
{
	struct tm t, c;
	struct mixed d = {.split_entry = true};
	struct list_head list;
	unsigned int nr = 0;
	unsigned long new, thps0, anon0;
	long rss0;

	(void)state;
	mixed_boot(&t, &c, 0x73706d);
	rss0 = view_kb(&t, "smaps_rollup", "Rss");
	d.t = &t;
	d.c = &c;
	d.old = head_pfn(&t, VA);
	thps0 = nstat(&t, NR_ANON_THPS);
	anon0 = nstat(&t, NR_ANON_MAPPED);
	d.waits0 = migrate_entry_waits(t.k);
	isolate_thp(&t, &list, VA);
	migrate_set_unmap_hook(t.k, mixed_hook, &d);
	assert_int_equal(migrate_list(&t, &list, &nr), 0);
	migrate_set_unmap_hook(t.k, NULL, NULL);
	migrate_list_unregister(t.k, &list);
	tm_check(&t);
	assert_int_equal(d.hooks, 1);
	assert_int_equal(nr, NR);
	assert_false(huge_at(t.mm, VA));
	new = pte_pfn(*(const pte_t *)mm_pte_lookup(t.mm, VA));
	assert_int_not_equal(new, d.old);
	assert_int_equal(new % NR, 0);
	for (unsigned long i = 0; i < NR; i++) {
		const pte_t *pp = (const pte_t *)mm_pte_lookup(t.mm, VA + i * P);
		const pte_t *pc = (const pte_t *)mm_pte_lookup(c.mm, VA + i * P);

		if (i < NR - 16) {
			assert_true(pte_valid(*pp) && !pte_write(*pp));
			assert_int_equal(pte_pfn(*pp), new + i);
		} else {
			assert_true(pte_none(*pp));
		}
		if (i < NR - 1)
			assert_int_equal(pte_pfn(*pc), new + i);
	}
	assert_int_equal(folio_entire_mapcount(page_folio(pfn_to_page(t.k, new))), 0);
	assert_int_equal(thps0 - nstat(&t, NR_ANON_THPS), NR);
	assert_int_equal(anon0 - nstat(&t, NR_ANON_MAPPED), 1); /* page 511: neither maps it */
	assert_int_equal(rss0 - view_kb(&t, "smaps_rollup", "Rss"), 16 * 4);
	assert_int_equal(view_kb(&t, "smaps_rollup", "AnonHugePages"), 0);
	assert_int_equal(task_pages_ok(&t, VA, NR - 16, 0x73706d), NR - 16);
	assert_int_equal(task_pages_ok(&c, VA, NR - 1, 0x73706d), NR - 1);
	assert_int_equal(kmm_task_exit(t.m, c.pid, 0), KMM_OK);
	tm_check(&t);
	assert_int_equal(task_pages_ok(&t, VA, NR - 16, 0x73706d), NR - 16);
	test_machine_done(t.m);
}

/*
 * The same PMD-and-PTE-mapped THP with one more reference (as a FOLL_GET would hold) cannot
 * move: folio_migrate_mapping sees refcount 2 where it expects 1 (-EAGAIN) on each of the ten
 * passes, so migrate_pages returns 1 with thp_migration_fail +1 and pgmigrate_fail +512; each
 * pass unmaps to both kinds of entries and maps the old THP back by both kinds: the parent's
 * PMD and the child's 511 PTEs name the old pages again, PG_double_map is set again (page 3
 * mapped twice, page 511 once), NR_ANON_THPS and AnonPages are as before, the data intact.
 */
static void test_thp_migrate_pmd_and_pte_mapped_busy(void **state)
{
	struct tm t, c;
	struct list_head list;
	struct folio *folio;
	unsigned int nr = 0;
	unsigned long old, tf0, pf0, thps0, anon0;

	(void)state;
	mixed_boot(&t, &c, 0x627573);
	old = head_pfn(&t, VA);
	folio = page_folio(pfn_to_page(t.k, old));
	tf0 = ev(&t, THP_MIGRATION_FAIL);
	pf0 = ev(&t, PGMIGRATE_FAIL);
	thps0 = nstat(&t, NR_ANON_THPS);
	anon0 = nstat(&t, NR_ANON_MAPPED);
	folio_get(folio);
	isolate_thp(&t, &list, VA);
	assert_int_equal(migrate_list(&t, &list, &nr), 1);
	assert_int_equal(nr, 0);
	assert_int_equal(ev(&t, THP_MIGRATION_FAIL) - tf0, 1);
	assert_int_equal(ev(&t, PGMIGRATE_FAIL) - pf0, NR);
	tm_check(&t);
	assert_int_equal(head_pfn(&t, VA), old);
	for (unsigned long i = 0; i < NR - 1; i++)
		assert_int_equal(pte_pfn(*(const pte_t *)mm_pte_lookup(c.mm, VA + i * P)), old + i);
	assert_true(folio_test_double_map(folio));
	assert_int_equal(folio_entire_mapcount(folio), 1);
	assert_int_equal(page_mapcount(&folio->page + 3), 2);
	assert_int_equal(page_mapcount(&folio->page + NR - 1), 1);
	assert_int_equal(nstat(&t, NR_ANON_THPS), thps0);
	assert_int_equal(nstat(&t, NR_ANON_MAPPED), anon0);
	putback_movable_pages(t.k, &list);
	migrate_list_unregister(t.k, &list);
	folio_put(t.k, folio);
	tm_check(&t);
	assert_int_equal(thp_pages_ok(&t, VA, 0x627573), NR);
	assert_int_equal(task_pages_ok(&c, VA, NR - 1, 0x627573), NR - 1);
	assert_int_equal(task_pages_ok(&t, VA, NR, 0x627573), NR);
	test_machine_done(t.m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_thp_migrate_keeps_data_and_block),
		cmocka_unit_test(test_thp_migrate_fault_and_calls_mid_move),
		cmocka_unit_test(test_thp_migrate_fork_mid_move),
		cmocka_unit_test(test_thp_migrate_pinned_fails),
		cmocka_unit_test(test_thp_migrate_split_fallback),
		cmocka_unit_test(test_thp_migrate_contig_range_over_thps),
		cmocka_unit_test(test_thp_migrate_pmd_and_pte_mapped),
		cmocka_unit_test(test_thp_migrate_split_pmd_migration_entry),
		cmocka_unit_test(test_thp_migrate_pmd_and_pte_mapped_busy),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
