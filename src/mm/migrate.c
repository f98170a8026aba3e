/*
 * Page migration: a folio's contents, flags, page-cache slot and mappings move to another
 * page while its users keep their virtual addresses.
 *
 * migrate_pages() takes folios the caller isolated (off their LRU lists, counted in
 * NR_ISOLATED_ANON/FILE) and for each: checks it is not already freed, takes a new page from
 * the caller's allocator, locks the folio (writeback and lock rules per mode), replaces every
 * PTE mapping it by a migration entry (try_to_migrate, rmap.c: each PTE flushed from every
 * TLB before the entry is written), checks that only the expected references remain
 * (isolation's, and the page cache's or swap cache's), moves the cache slot, copies the data
 * and the flags, and turns the migration entries into PTEs of the new page
 * (remove_migration_ptes). A folio that could not move now (-EAGAIN) is tried again in the
 * next pass (ten passes; the lock is waited for from the fourth); one that cannot move at
 * all stays on the list for the caller's putback_movable_pages().
 *
 * Models: mm/migrate.c (Linux 6.1.192): migrate_pages, migrate_pages_batch's pass loop and
 *         result accounting, migrate_folio_unmap, __migrate_folio_unmap, migrate_folio_move,
 *         __migrate_folio_move, move_to_new_folio, migrate_folio(_extra),
 *         folio_migrate_mapping, folio_expected_refs, folio_migrate_flags, folio_migrate_copy,
 *         migrate_folio_done, putback_movable_pages, isolate_movable_page,
 *         alloc_migration_target, migration_entry_wait; mm/page_alloc.c's
 *         __alloc_contig_migrate_range (in page_isolation.c). Migration entries elsewhere:
 *         try_to_migrate/remove_migration_ptes (rmap.c), faults, fork and zap (memory.c),
 *         change_pte_range (mprotect.c), smaps_pte_entry (proc_task_mmu.c), mincore.
 * THP migration (CONFIG_ARCH_ENABLE_THP_MIGRATION, as arm64 has it): a PMD-mapped anonymous
 * THP moves whole. Its huge PMDs become PMD migration entries (set_pmd_migration_entry: the
 * block invalidated and flushed first), 512 pages are copied into an order-9 folio, and each
 * entry becomes a huge PMD of it (remove_migration_pmd). Faults on such an entry wait
 * (pmd_migration_entry_wait), zap/fork/mprotect/smaps/mincore handle it (huge_memory.c,
 * proc_task_mmu.c), thp_migration_success/fail count whole THPs.
 * Models: also mm/huge_memory.c set_pmd_migration_entry, remove_migration_pmd,
 *         pmd_migration_entry_wait, try_split_folio (mm/migrate.c) and try_to_migrate_one's
 *         PMD branch.
 * A THP whose order-9 target cannot be allocated (-ENOMEM) is split (try_split_folio, with
 * huge_memory.c's split_folio_to_list) and its 512 pages migrated in a second round
 * (thp_migration_fail and thp_migration_split count it once; its pages count in
 * pgmigrate_success), except for MR_NUMA_MISPLACED, as 6.1 does.
 * A THP mapped by a PMD in one mm and by PTEs in another (PG_double_map, after a fork and a
 * partial split_huge_pmd) moves whole too: its PMDs become PMD migration entries and its PTEs
 * PTE migration entries (try_to_migrate_one's two branches), and each kind is mapped back to
 * the new THP (remove_migration_pmd, remove_migration_pte). One mapped by PTEs only moves
 * through its PTEs. A PMD migration entry is split like a huge PMD (a munmap, mprotect or
 * mremap of part of its 2 MiB, while the THP is between unmap and move): 512 PTE migration
 * entries (huge_memory.c's __split_huge_pmd_locked), which the move maps by PTEs.
 * Deviation: the new THP of a PMD-and-PTE-mapped one gets PG_double_map back
 *         (thp_remap_double_map); 6.1 leaves it clear and counts the PTE-mapped pages twice in
 *         NR_ANON_MAPPED (AnonPages) until the PMD goes.
 * Deviation: try_to_migrate walks the THP's PMD mappings in every VMA first, then its PTEs
 *         (6.1 takes both in one walk, VMA by VMA). For the usual case, a forked child whose
 *         part was split, the order is the kernel's (the parent's VMA comes first).
 * Deviation: folios move one at a time (6.1.192 unmaps a batch of up to 512 pages, then
 *         moves them, so its TLB flushes are batched); the results, counters and the order
 *         folios are tried in are the same.
 * Deviation: every address_space migrates with migrate_folio() (kmmfs has no buffer heads,
 *         shmem and the swap cache use migrate_folio in the kernel too); a dirty file folio
 *         moves dirty, as with filemap_migrate_folio.
 * Deviation: one host thread. A task can only meet a migration entry while a migration is
 *         between its unmap and its move, which the model exposes through a hook
 *         (migrate_set_unmap_hook, for tests); migration_entry_wait() then counts the wait and
 *         returns at once (the migrating CPU cannot run until the faulting one returns), and
 *         the fault is retried after the move ended.
 * Deviation: a folio locked by someone else (a read in flight) is waited for on the simulated
 *         clock (the I/O completes as an event), never by sleeping on a host primitive.
 *
 * Invariants (migrate_check, and migrate_place_walk from kmm_check):
 *  1. Every folio on a registered migration list has PG_lru clear and a reference (the
 *     isolation's); it is in no other place (the place check proves it).
 *  2. The pages on migration lists plus those on reclaim's counted lists equal NR_ISOLATED_ANON
 *     + NR_ISOLATED_FILE over all nodes (vmscan_place_walk adds ours).
 *  3. Outside a migration (no folio between unmap and move), no PTE or PMD holds a migration
 *     entry (memory.c's page-table tally and thp_check report one) and no anon_vma holds a
 *     migration reference.
 */
#include "mm/migrate.h"

#include "arch/arm64/include/asm/pgtable.h"
#include "lib/trace.h"
#include "mm/gfp.h"
#include "mm/huge_mm.h"
#include "mm/hugetlb.h"
#include "mm/internal.h"
#include "mm/mm_state.h"
#include "mm/mmap.h"
#include "mm/page_place.h"
#include "mm/pagemap.h"
#include "mm/rmap.h"
#include "mm/swap.h"
#include "mm/swap_state.h"
#include "mm/swapops.h"
#include "mm/writeback.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

/* migrate.h's internal results (MIGRATEPAGE_SUCCESS 0, MIGRATEPAGE_UNMAP 1). */
#define MIGRATEPAGE_SUCCESS 0
#define MIGRATEPAGE_UNMAP   1

#define NR_MAX_MIGRATE_PAGES_RETRY 10
#define MAX_MIGRATE_LISTS	   16
#define LOCK_WAIT_LIMIT		   64 /* events run while waiting for a folio lock */

const char *const migrate_reason_names[MR_TYPES] = {
	"compaction",	     "memory_failure",	"memory_hotplug",
	"syscall_or_cpuset", "mempolicy_mbind", "numa_misplaced",
	"contig_range",	     "longterm_pin",	"demotion",
};

static const char *const migrate_mode_names[] = {"MIGRATE_ASYNC", "MIGRATE_SYNC_LIGHT",
						 "MIGRATE_SYNC", "MIGRATE_SYNC_NO_COPY"};

struct migrate_state {
	const struct list_head *lists[MAX_MIGRATE_LISTS]; /* folios isolated for migration */
	int nr_lists;
	migrate_unmap_hook_t *hook; /* tests: runs while a folio's PTEs hold migration entries */
	void *hook_arg;
	struct folio *in_flight;      /* the folio between unmap and move, or NULL */
	unsigned long nr_entry_waits; /* faults that met a migration entry */
};

/* ---- state, lists ---------------------------------------------------------------------- */

int migrate_init(struct kmm_kernel *k)
{
	struct migrate_state *ms = env_alloc(k->env, sizeof(*ms));

	if (!ms)
		return -ENOMEM;
	memset(ms, 0, sizeof(*ms));
	k->migrate = ms;
	return 0;
}

void migrate_fini(struct kmm_kernel *k)
{
	if (!k->migrate)
		return;
	env_free(k->env, k->migrate);
	k->migrate = NULL;
}

int migrate_list_register(struct kmm_kernel *k, const struct list_head *list)
{
	struct migrate_state *ms = k->migrate;

	if (!ms || ms->nr_lists >= MAX_MIGRATE_LISTS)
		return -ENOSPC;
	ms->lists[ms->nr_lists++] = list;
	return 0;
}

void migrate_list_unregister(struct kmm_kernel *k, const struct list_head *list)
{
	struct migrate_state *ms = k->migrate;

	for (int i = ms ? ms->nr_lists - 1 : -1; i >= 0; i--) {
		if (ms->lists[i] != list)
			continue;
		ms->lists[i] = ms->lists[--ms->nr_lists];
		return;
	}
}

void migrate_set_unmap_hook(struct kmm_kernel *k, migrate_unmap_hook_t *hook, void *arg)
{
	if (!k->migrate)
		return;
	k->migrate->hook = hook;
	k->migrate->hook_arg = arg;
}

bool migrate_in_flight(const struct kmm_kernel *k)
{
	return k->migrate && k->migrate->in_flight;
}

unsigned long migrate_entry_waits(const struct kmm_kernel *k)
{
	return k->migrate ? k->migrate->nr_entry_waits : 0;
}

static void node_isolated_mod(struct kmm_kernel *k, struct folio *folio, long nr)
{
	mod_node_page_state_of(k, &folio->page, NR_ISOLATED_ANON + folio_is_file_lru(folio), nr);
}

int migrate_isolate_lru_folio(struct kmm_kernel *k, struct folio *folio, struct list_head *list)
{
	if (folio_isolate_lru(k, folio))
		return -EBUSY;
	list_add_tail(&folio->lru, list);
	node_isolated_mod(k, folio, (long)folio_nr_pages(folio));
	return 0;
}

void putback_movable_pages(struct kmm_kernel *k, struct list_head *l)
{
	while (!list_empty(l)) {
		struct folio *folio = list_first_entry(l, struct folio, lru);

		if (folio_test_hugetlb(folio)) { /* not counted isolated: hugetlb.c's lists */
			putback_active_hugepage(k, &folio->page);
			continue;
		}
		list_del(&folio->lru);
		node_isolated_mod(k, folio, -(long)folio_nr_pages(folio));
		folio_putback_lru(k, folio);
	}
}

bool isolate_movable_page(struct kmm_kernel *k, struct page *page, unsigned int mode)
{
	(void)k;
	(void)page;
	(void)mode;
	return false; /* __PageMovable(): no driver registers movable_operations in the model */
}

/* ---- the mapping, the flags, the data -------------------------------------------------- */

/* Models: folio_expected_refs(): isolation's, plus one per page from the cache holding it. */
static int folio_expected_refs(bool in_cache, const struct folio *folio)
{
	int refs = 1;

	if (!in_cache)
		return refs;
	refs += (int)folio_nr_pages(folio);
	if (folio_test_private(folio))
		refs++;
	return refs;
}

/* The counters a cached folio carries move with it when it changes zone (or node). */
static void migrate_cache_stats(struct kmm_kernel *k, struct folio *dst, struct folio *src,
				bool dirty, struct address_space *mapping)
{
	long nr = (long)folio_nr_pages(src);
	struct zone *oldzone = page_zone(k, &src->page), *newzone = page_zone(k, &dst->page);

	if (oldzone == newzone)
		return;
	mod_node_page_state_of(k, &src->page, NR_FILE_PAGES, -nr);
	mod_node_page_state_of(k, &dst->page, NR_FILE_PAGES, nr);
	if (folio_test_swapbacked(src) && !folio_test_swapcache(src)) {
		mod_node_page_state_of(k, &src->page, NR_SHMEM, -nr);
		mod_node_page_state_of(k, &dst->page, NR_SHMEM, nr);
	}
	if (folio_test_swapcache(src)) {
		mod_node_page_state_of(k, &src->page, NR_SWAPCACHE, -nr);
		mod_node_page_state_of(k, &dst->page, NR_SWAPCACHE, nr);
	}
	if (dirty && mapping && mapping_can_writeback(mapping)) {
		mod_node_page_state_of(k, &src->page, NR_FILE_DIRTY, -nr);
		mod_node_page_state_of(k, &dst->page, NR_FILE_DIRTY, nr);
		__mod_zone_page_state(oldzone, NR_ZONE_WRITE_PENDING, -nr);
		__mod_zone_page_state(newzone, NR_ZONE_WRITE_PENDING, nr);
	}
}

/*
 * Models: folio_migrate_mapping(): -EAGAIN when references beyond the expected ones exist
 * (a pin, a GUP reference, another mapping); else @dst takes @src's place in its page cache
 * or swap cache with the cache's references, index, mapping, swap-backed, swap-cache and
 * dirty state.
 */
static int folio_migrate_mapping(struct kmm_kernel *k, struct address_space *mapping,
				 struct folio *dst, struct folio *src, int extra_count)
{
	bool swapcache = folio_test_swapcache(src);
	bool in_cache = mapping || swapcache;
	int expected = folio_expected_refs(in_cache, src) + extra_count;
	long nr = (long)folio_nr_pages(src);
	bool dirty;

	if (folio_ref_count(src) != expected)
		return -EAGAIN;
	dst->index = src->index;
	dst->mapping = src->mapping;
	if (folio_test_swapbacked(src))
		__folio_set_swapbacked(dst);
	if (!in_cache)
		return MIGRATEPAGE_SUCCESS;
	/* the references are frozen at @expected: nobody can look up the folio now */
	folio_ref_add(dst, (int)nr);
	if (swapcache) {
		folio_set_swapcache(dst);
		for (long i = 0; i < nr; i++)
			pfn_to_page(k, page_to_pfn(k, &dst->page) + (unsigned long)i)->private =
				pfn_to_page(k, page_to_pfn(k, &src->page) + (unsigned long)i)
					->private;
	}
	dirty = folio_test_dirty(src);
	if (dirty) {
		folio_clear_dirty(src);
		folio_set_dirty(dst);
	}
	if (swapcache)
		swap_cache_replace_folio(k, src, dst);
	else
		page_cache_replace_folio(k, mapping, src, dst);
	folio_ref_add(src, (int)-nr);
	migrate_cache_stats(k, dst, src, dirty, mapping);
	return MIGRATEPAGE_SUCCESS;
}

/* Models: folio_migrate_flags(): the page state the new folio inherits. */
static void folio_migrate_flags(struct kmm_kernel *k, struct folio *dst, struct folio *src)
{
	if (folio_test_error(src))
		folio_set_error(dst);
	if (folio_test_referenced(src))
		folio_set_referenced(dst);
	if (folio_test_uptodate(src))
		folio_set_uptodate(dst);
	if (folio_test_clear_active(src))
		folio_set_active(dst);
	else if (folio_test_clear_unevictable(src))
		folio_set_unevictable(dst);
	if (folio_test_workingset(src))
		folio_set_workingset(dst);
	if (folio_test_mappedtodisk(src))
		folio_set_mappedtodisk(dst);
	if (folio_test_dirty(src))
		folio_set_dirty(dst);
	if (folio_test_swapcache(src))
		folio_clear_swapcache(src);
	folio_clear_private(src);
	src->private = 0;
	if (folio_test_writeback(dst))
		folio_end_writeback(k, dst);
	if (folio_test_readahead(src))
		folio_set_readahead(dst);
}

/* Models: folio_copy() (copy_highpage per page), charged per page on the simulated clock. */
static void folio_copy(struct kmm_kernel *k, struct folio *dst, struct folio *src)
{
	unsigned long nr = folio_nr_pages(src);
	void *d = page_host(k, &dst->page, nr * PAGE_SIZE);
	const void *s = page_host(k, &src->page, nr * PAGE_SIZE);

	if (d && s)
		memcpy(d, s, nr * PAGE_SIZE);
	for (unsigned long i = 0; i < nr; i++)
		env_charge(k->env, COST_page_copy);
}

/* Models: migrate_folio() / migrate_folio_extra(): mapping, then data and flags. */
static int migrate_folio(struct kmm_kernel *k, struct address_space *mapping, struct folio *dst,
			 struct folio *src, enum migrate_mode mode)
{
	int rc = folio_migrate_mapping(k, mapping, dst, src, 0);

	if (rc != MIGRATEPAGE_SUCCESS)
		return rc;
	if (mode != MIGRATE_SYNC_NO_COPY)
		folio_copy(k, dst, src);
	folio_migrate_flags(k, dst, src);
	return MIGRATEPAGE_SUCCESS;
}

/* Models: move_to_new_folio(): LRU folios only (no movable_operations in the model). */
static int move_to_new_folio(struct kmm_kernel *k, struct folio *dst, struct folio *src,
			     enum migrate_mode mode)
{
	int rc = migrate_folio(k, folio_mapping(src), dst, src, mode);

	/* the old page-cache mapping goes; an anon one stays for PageAnon until the free */
	if (rc == MIGRATEPAGE_SUCCESS && !((uintptr_t)src->mapping & PAGE_MAPPING_FLAGS))
		src->mapping = NULL;
	return rc;
}

/* ---- THP migration: PMD migration entries --------------------------------------------- */

/*
 * A PMD-mapped anonymous THP moves whole (CONFIG_ARCH_ENABLE_THP_MIGRATION): each huge PMD
 * mapping it becomes a PMD migration entry (set_pmd_migration_entry), the 512 pages are
 * copied into an order-9 folio, and each entry becomes a huge PMD of the new folio
 * (remove_migration_pmd). The deposited PTE table stays with its mm throughout.
 */

static inline pmd_t thp_pmd_of_pte(pte_t pte)
{
	return __pmd(pte_val(pte));
}

/* The huge PMD entry of @vma covering the THP @folio, or NULL (the rmap walk's address). */
static pmd_t *thp_pmd_in_vma(struct vm_area_struct *vma, unsigned long address)
{
	unsigned long haddr = address & HPAGE_PMD_MASK;

	if (haddr < vma->vm_start || haddr + HPAGE_PMD_SIZE > vma->vm_end)
		return NULL;
	return mm_find_pmd(vma->vm_mm, haddr);
}

/*
 * Models: set_pmd_migration_entry(): the huge PMD invalidated and flushed from every TLB
 * (pmdp_invalidate: break before make), then a migration entry naming the head PFN in its
 * place. A possibly pinned exclusive THP keeps its PMD (page_try_share_anon_rmap): false.
 */
static bool set_pmd_migration_entry(struct kmm_kernel *k, struct vm_area_struct *vma,
				    unsigned long haddr, pmd_t *pmdp, struct folio *folio)
{
	struct page *page = &folio->page;
	unsigned long pfn = page_to_pfn(k, page);
	bool anon_exclusive = folio_test_anon(folio) && PageAnonExclusive(page);
	pmd_t pmdval = *pmdp;
	pte_t pteval = pmd_pte(pmdval);
	swp_entry_t entry;

	set_pmd(pmdp, __pmd(pmd_val(pmdval) & ~PMD_SECT_VALID));
	flush_tlb_range(k, vma, haddr, haddr + HPAGE_PMD_SIZE);
	if (anon_exclusive) {
		if (folio_maybe_dma_pinned(folio)) {
			set_pmd(pmdp, pmdval);
			return false;
		}
		ClearPageAnonExclusive(page);
	}
	if (pte_dirty(pteval))
		folio_mark_dirty(k, folio);
	entry = migration_entry_for(pfn, pteval, anon_exclusive);
	set_pmd(pmdp, swp_entry_to_pmd(entry));
	if (trace_enabled(k->env, TRACE_set_migration_pte))
		trace_emit(k->env, TRACE_set_migration_pte, "addr=%lx, pte=%lx order=%u", haddr,
			   (unsigned long)pmd_val(*pmdp), folio_order(folio));
	page_remove_rmap(page, vma, true);
	folio_put(k, folio);
	return true;
}

/* try_to_migrate_one()'s PMD branch for each VMA that may map @folio. */
static bool try_to_migrate_pmd_one(struct folio *folio, struct vm_area_struct *vma,
				   unsigned long address, void *arg)
{
	struct kmm_kernel *k = vma->vm_mm->kernel;
	pmd_t *pmdp = thp_pmd_in_vma(vma, address);

	(void)arg;
	if (!pmdp || !pmd_present(*pmdp) || !pmd_trans_huge(*pmdp) ||
	    pmd_pfn(*pmdp) != page_to_pfn(k, &folio->page))
		return true;
	return set_pmd_migration_entry(k, vma, address & HPAGE_PMD_MASK, pmdp, folio);
}

static int thp_not_pmd_mapped(struct folio *folio)
{
	return folio_entire_mapcount(folio) <= 0;
}

/*
 * Models: the first tail page's entire mapcount of a THP mapped again by a PMD
 * (page_add_anon_rmap with RMAP_COMPOUND): the first PMD mapping counts the THP in
 * NR_ANON_THPS and its pages in NR_ANON_MAPPED (pages PTEs map too: thp_remap_double_map).
 */
static void thp_add_anon_pmd_rmap(struct kmm_kernel *k, struct page *page,
				  struct vm_area_struct *vma, bool exclusive)
{
	if (++page[1].compound_mapcount == 0) {
		mod_node_page_state_of(k, page, NR_ANON_THPS, (long)HPAGE_PMD_NR);
		mod_node_page_state_of(k, page, NR_ANON_MAPPED, (long)HPAGE_PMD_NR);
	}
	if (exclusive)
		SetPageAnonExclusive(page);
	if (vma->vm_flags & VM_LOCKED) /* mlock_vma_page */
		mlock_folio(k, page_folio(page));
}

struct remove_pmd_arg {
	struct folio *src; /* the folio the entries name */
};

/*
 * Models: remove_migration_pmd(): each PMD migration entry naming the source becomes a huge
 * PMD of @folio (the new THP, or the source again when the move failed) with the rights and
 * the young/dirty state the entry kept.
 */
static bool remove_migration_pmd_one(struct folio *folio, struct vm_area_struct *vma,
				     unsigned long address, void *arg)
{
	struct mm_struct *mm = vma->vm_mm;
	struct kmm_kernel *k = mm->kernel;
	const struct remove_pmd_arg *ra = arg;
	pmd_t *pmdp = thp_pmd_in_vma(vma, address);
	unsigned long haddr = address & HPAGE_PMD_MASK;
	swp_entry_t entry;
	pte_t pte;

	if (!pmdp || !is_pmd_migration_entry(*pmdp))
		return true;
	entry = pmd_to_swp_entry(*pmdp);
	if (swp_offset_pfn(entry) != page_to_pfn(k, &ra->src->page))
		return true;
	folio_get(folio);
	pte = pmd_pte(pfn_pmd(page_to_pfn(k, &folio->page),
			      mk_pmd_sect_prot(__pgprot(vma->vm_page_prot))));
	if (is_writable_migration_entry(entry) && (vma->vm_flags & VM_WRITE))
		pte = pte_mkwrite(pte); /* maybe_pmd_mkwrite */
	if (!is_migration_entry_young(entry))
		pte = pte_mkold(pte);
	if (folio_test_dirty(folio) && is_migration_entry_dirty(entry))
		pte = pte_mkdirty(pte);
	thp_add_anon_pmd_rmap(k, &folio->page, vma, !is_readable_migration_entry(entry));
	/* no flush: the entry was not valid, no TLB can hold it */
	set_pmd(pmdp, thp_pmd_of_pte(pte));
	if (trace_enabled(k->env, TRACE_remove_migration_pte))
		trace_emit(k->env, TRACE_remove_migration_pte, "addr=%lx, pte=%lx order=%u", haddr,
			   (unsigned long)pte_val(pte), folio_order(folio));
	if (vma->vm_flags & VM_LOCKED)
		mlock_page_drain_local(k);
	return true;
}

/* try_to_migrate() for every kind of mapping: a THP's PMDs first, then any PTEs. */
static void migrate_unmap_mappings(struct kmm_kernel *k, struct folio *src)
{
	if (folio_test_large(src) && folio_entire_mapcount(src) > 0) {
		struct rmap_walk_control rwc = {.rmap_one = try_to_migrate_pmd_one,
						.done = thp_not_pmd_mapped};

		rmap_walk(k, src, &rwc);
		if (folio_entire_mapcount(src) > 0)
			return; /* a PMD kept (pinned): the caller puts the others back */
	}
	if (folio_mapped(src))
		try_to_migrate(k, src, 0);
}

/*
 * A THP mapped again by PMDs and by PTEs at once (it was so before its move, or the move
 * failed back onto it): PG_double_map and the +1 in every page's _mapcount are set again, and
 * the pages the PTE remaps counted a second time in NR_ANON_MAPPED are taken out, as
 * __split_huge_pmd_locked leaves a THP that one mm maps by a PMD and another by PTEs.
 * Deviation: 6.1's remove_migration_ptes sets no PG_double_map on the new THP, so its
 * NR_ANON_MAPPED counts those pages twice (and keeps them if the PMD is split later).
 */
static void thp_remap_double_map(struct kmm_kernel *k, struct folio *folio)
{
	struct page *page = &folio->page;
	long twice = 0;

	if (!folio_test_anon(folio) || folio_entire_mapcount(folio) <= 0 ||
	    folio_test_double_map(folio))
		return;
	for (unsigned long i = 0; i < HPAGE_PMD_NR; i++)
		twice += page[i]._mapcount >= 0;
	if (!twice)
		return;
	folio->_flags_1 |= 1UL << PG_workingset; /* SetPageDoubleMap */
	for (unsigned long i = 0; i < HPAGE_PMD_NR; i++)
		page[i]._mapcount++;
	mod_node_page_state_of(k, page, NR_ANON_MAPPED, -twice);
}

/* remove_migration_ptes() for every kind of entry: PMDs of a THP, then PTEs. */
static void migrate_remap_mappings(struct kmm_kernel *k, struct folio *src, struct folio *dst)
{
	if (folio_test_large(src)) {
		struct remove_pmd_arg ra = {.src = src};
		struct rmap_walk_control rwc = {
			.arg = &ra, .rmap_one = remove_migration_pmd_one, .anon_vma_held = true};

		rmap_walk(k, dst, &rwc);
	}
	remove_migration_ptes(k, src, dst, false);
	if (folio_test_large(dst))
		thp_remap_double_map(k, dst);
}

void pmd_migration_entry_wait(struct kmm_kernel *k, struct mm_struct *mm, pmd_t *pmdp)
{
	(void)mm;
	if (!k->migrate || !is_pmd_migration_entry(*pmdp))
		return;
	/* the folio is locked until its move ended: counted as a wait, the fault retries */
	k->migrate->nr_entry_waits++;
}

/* ---- one folio --------------------------------------------------------------------------- */

/* Models: migrate_folio_done(): the moved (or freed) source leaves isolation. */
static void migrate_folio_done(struct kmm_kernel *k, struct folio *src, enum migrate_reason reason)
{
	node_isolated_mod(k, src, -(long)folio_nr_pages(src));
	if (reason != MR_MEMORY_FAILURE)
		folio_put(k, src);
}

/*
 * Waits for another holder's folio lock on the simulated clock (its I/O completes as an
 * event). Returns true with the lock taken.
 */
static bool folio_lock_wait(struct kmm_kernel *k, struct folio *folio)
{
	struct kmm_env *env = k->env;

	for (int i = 0; folio_test_locked(folio) && i < LOCK_WAIT_LIMIT; i++) {
		uint64_t due = env->evq.next_due;

		if (due == UINT64_MAX || env->dead || k->migrate->in_flight)
			break;
		env_sleep(env, due > env->cycles ? due - env->cycles : 0);
	}
	if (folio_test_locked(folio))
		return false;
	folio_lock(folio);
	return true;
}

struct unmap_record {
	bool was_mapped;
	struct anon_vma *anon_vma;
};

/*
 * Models: __migrate_folio_unmap(): lock (mode rules), writeback (mode rules), anon_vma held,
 * PTEs to migration entries. MIGRATEPAGE_UNMAP with both folios locked, or an errno with
 * everything as it was (-EAGAIN: try again later; -EBUSY: not in this mode).
 */
static int __migrate_folio_unmap(struct kmm_kernel *k, struct folio *src, struct folio *dst,
				 int force, enum migrate_mode mode, struct unmap_record *rec)
{
	int rc = -EAGAIN;

	rec->was_mapped = false;
	rec->anon_vma = NULL;
	if (folio_test_locked(src)) {
		if (!force || mode == MIGRATE_ASYNC)
			return rc;
		if (!folio_lock_wait(k, src))
			return rc;
	} else {
		folio_lock(src);
	}
	if (folio_test_writeback(src)) {
		if (mode != MIGRATE_SYNC && mode != MIGRATE_SYNC_NO_COPY) {
			rc = -EBUSY;
			goto out_unlock;
		}
		if (!force)
			goto out_unlock;
		folio_wait_writeback(k, src);
		if (folio_test_writeback(src))
			goto out_unlock;
	}
	if (folio_test_anon(src))
		rec->anon_vma = folio_get_anon_vma(k, src);
	folio_lock(dst);
	if (!src->mapping) {
		if (folio_test_private(src))
			goto out_unlock_both; /* orphaned with fs-private data: not movable */
	} else if (folio_mapped(src)) {
		migrate_unmap_mappings(k, src);
		rec->was_mapped = true;
	}
	if (!folio_mapped(src))
		return MIGRATEPAGE_UNMAP;
	if (rec->was_mapped) /* a pinned exclusive page kept its PTE: put the others back */
		migrate_remap_mappings(k, src, src);
out_unlock_both:
	folio_unlock(dst);
out_unlock:
	if (rec->anon_vma)
		folio_put_anon_vma(k, rec->anon_vma);
	folio_unlock(src);
	return rc;
}

/* Models: __migrate_folio_move(): move, then the PTEs to the new (or back to the old) folio. */
static int __migrate_folio_move(struct kmm_kernel *k, struct folio *src, struct folio *dst,
				enum migrate_mode mode, const struct unmap_record *rec)
{
	int rc = move_to_new_folio(k, dst, src, mode);

	if (rc == MIGRATEPAGE_SUCCESS) {
		/* on the LRU first, so an mlocked folio's remap builds its mlock_count */
		folio_add_lru(k, dst);
		if (rec->was_mapped)
			lru_add_drain(k);
	}
	if (rec->was_mapped)
		migrate_remap_mappings(k, src, rc == MIGRATEPAGE_SUCCESS ? dst : src);
	folio_unlock(dst);
	if (rec->anon_vma)
		folio_put_anon_vma(k, rec->anon_vma);
	folio_unlock(src);
	if (rc == MIGRATEPAGE_SUCCESS)
		folio_put(k, dst); /* the allocation's reference: the LRU and the PTEs hold it */
	return rc;
}

static void put_new(struct kmm_kernel *k, free_page_t put_new_page, unsigned long private,
		    struct folio *dst)
{
	if (put_new_page)
		put_new_page(k, &dst->page, private);
	else
		folio_put(k, dst);
}

/*
 * Models: migrate_folio_unmap() + migrate_folio_move() for one folio. MIGRATEPAGE_SUCCESS
 * (@src left @from and was released), -EAGAIN (@src stays on @from for the next pass),
 * -ENOMEM (no new page: @src stays), or another errno with @src moved to @ret.
 */
static int unmap_and_move(struct kmm_kernel *k, new_page_t get_new_page, free_page_t put_new_page,
			  unsigned long private, struct folio *src, int force,
			  enum migrate_mode mode, enum migrate_reason reason, struct list_head *ret)
{
	struct migrate_state *ms = k->migrate;
	struct unmap_record rec;
	struct page *newpage;
	struct folio *dst;
	int rc;

	if (folio_ref_count(src) == 1) { /* freed under us: isolation holds the last reference */
		folio_clear_active(src);
		folio_clear_unevictable(src);
		list_del(&src->lru);
		migrate_folio_done(k, src, reason);
		return MIGRATEPAGE_SUCCESS;
	}
	newpage = get_new_page(k, &src->page, private);
	if (!newpage)
		return -ENOMEM;
	dst = page_folio(newpage);
	dst->private = 0;
	rc = __migrate_folio_unmap(k, src, dst, force, mode, &rec);
	if (rc != MIGRATEPAGE_UNMAP) {
		if (rc != -EAGAIN)
			list_move_tail(&src->lru, ret);
		put_new(k, put_new_page, private, dst);
		return rc;
	}
	ms->in_flight = src;
	if (ms->hook)
		ms->hook(k, src, ms->hook_arg);
	rc = __migrate_folio_move(k, src, dst, mode, &rec);
	ms->in_flight = NULL;
	if (rc != -EAGAIN)
		list_del(&src->lru);
	if (rc == MIGRATEPAGE_SUCCESS) {
		migrate_folio_done(k, src, reason);
		return rc;
	}
	if (rc != -EAGAIN)
		list_add_tail(&src->lru, ret);
	put_new(k, put_new_page, private, dst);
	return rc;
}

/* ---- the list ---------------------------------------------------------------------------- */

struct migrate_pages_stats {
	unsigned long nr_succeeded, nr_failed_pages, nr_thp_succeeded, nr_thp_failed, nr_thp_split;
};

static void list_splice_head(struct list_head *list, struct list_head *head)
{
	if (list_empty(list))
		return;
	list->prev->next = head->next;
	head->next->prev = list->prev;
	head->next = list->next;
	list->next->prev = head;
	list->next = list->prev = list;
}

/*
 * Models: try_split_folio(): a THP that could not get an order-9 target splits into 512
 * order-0 folios, all on @split_folios (still isolated), to be migrated one by one. 0 or the
 * split's errno (the THP unchanged).
 */
static int try_split_folio(struct kmm_kernel *k, struct folio *folio, struct list_head *split)
{
	int rc;

	folio_lock(folio);
	rc = split_folio_to_list(k, folio, split);
	folio_unlock(folio);
	if (!rc)
		list_move_tail(&folio->lru, split);
	return rc;
}

/*
 * Models: migrate_pages_batch()'s pass loop over @from, and its second round over the pieces
 * of THPs split for want of an order-9 target (their failures not counted: the THP counted
 * once). Returns failures or -ENOMEM.
 */
static int migrate_pages_passes(struct kmm_kernel *k, struct list_head *from,
				new_page_t get_new_page, free_page_t put_new_page,
				unsigned long private, enum migrate_mode mode, int reason,
				struct list_head *ret, struct migrate_pages_stats *st)
{
	int retry = 1, large_retry = 1, nr_failed = 0, nr_large_failed = 0, rc = 0;
	unsigned long nr_retry_pages = 0, thp_retry = 0;
	bool nosplit = reason == MR_NUMA_MISPLACED, no_split_folio_counting = false;
	struct list_head split_folios;

	INIT_LIST_HEAD(&split_folios);
	if (migrate_list_register(k, &split_folios))
		return -ENOMEM;
split_folio_migration:
	for (int pass = 0; pass < NR_MAX_MIGRATE_PAGES_RETRY && (retry || large_retry); pass++) {
		struct list_head *l, *n;

		retry = 0;
		large_retry = 0;
		nr_retry_pages = 0;
		thp_retry = 0;
		for (l = from->next; l != from; l = n) {
			struct folio *folio = list_entry(l, struct folio, lru);
			unsigned long nr = folio_nr_pages(folio);
			bool is_large = folio_test_large(folio);
			bool is_thp = is_large && folio_order(folio) == PMD_SHIFT - PAGE_SHIFT;

			n = l->next;
			rc = unmap_and_move(k, get_new_page, put_new_page, private, folio, pass > 2,
					    mode, (enum migrate_reason)reason, ret);
			switch (rc) {
			case MIGRATEPAGE_SUCCESS:
				st->nr_succeeded += nr;
				st->nr_thp_succeeded += is_thp;
				break;
			case -EAGAIN:
				if (is_large) {
					large_retry++;
					thp_retry += is_thp;
				} else if (!no_split_folio_counting) {
					retry++;
				}
				nr_retry_pages += nr;
				break;
			case -ENOMEM:
				if (is_large) {
					nr_large_failed++;
					st->nr_thp_failed += is_thp;
					if (!nosplit && !try_split_folio(k, folio, &split_folios)) {
						st->nr_thp_split += is_thp;
						break;
					}
				} else if (!no_split_folio_counting) {
					nr_failed++;
				}
				st->nr_failed_pages += nr + nr_retry_pages;
				list_splice_head(&split_folios, ret);
				st->nr_thp_failed += thp_retry;
				rc = -ENOMEM;
				goto out;
			default:
				if (is_large) {
					nr_large_failed++;
					st->nr_thp_failed += is_thp;
				} else if (!no_split_folio_counting) {
					nr_failed++;
				}
				st->nr_failed_pages += nr;
				break;
			}
		}
	}
	nr_failed += retry;
	nr_large_failed += large_retry;
	st->nr_thp_failed += thp_retry;
	st->nr_failed_pages += nr_retry_pages;
	if (!list_empty(&split_folios)) {
		/* the folios that did not move wait in @ret; the pieces get their round */
		list_splice_head(from, ret);
		list_splice_head(&split_folios, from);
		no_split_folio_counting = true;
		retry = 1;
		goto split_folio_migration;
	}
	rc = nr_failed + nr_large_failed;
out:
	migrate_list_unregister(k, &split_folios);
	return rc;
}

int migrate_pages(struct kmm_kernel *k, struct list_head *from, new_page_t get_new_page,
		  free_page_t put_new_page, unsigned long private, enum migrate_mode mode,
		  int reason, unsigned int *nr_succeeded)
{
	struct migrate_pages_stats st = {0};
	struct list_head ret_folios = {&ret_folios, &ret_folios};
	int rc;

	if (!k->migrate || !from || !get_new_page || (unsigned int)mode > MIGRATE_SYNC_NO_COPY ||
	    reason < 0 || reason >= MR_TYPES)
		return -EINVAL;
	if (trace_enabled(k->env, TRACE_mm_migrate_pages_start))
		trace_emit(k->env, TRACE_mm_migrate_pages_start, "mode=%s reason=%s",
			   migrate_mode_names[mode], migrate_reason_names[reason]);
	if (migrate_list_register(k, &ret_folios))
		return -ENOMEM;
	{ /* hugetlb.c: migrate_hugetlbs first; the ones left wait on ret_folios */
		int herr;
		unsigned long hleft =
			migrate_hugetlbs(k, from, get_new_page, put_new_page, private,
					 &st.nr_succeeded, &st.nr_failed_pages, &herr);

		for (struct list_head *l = from->next, *n = l->next; l != from; l = n, n = l->next)
			if (PageHuge(list_entry(l, struct page, lru)))
				list_move_tail(l, &ret_folios);
		rc = herr ? herr
			  : migrate_pages_passes(k, from, get_new_page, put_new_page, private, mode,
						 reason, &ret_folios, &st);
		if (rc >= 0)
			rc += (int)hleft;
	}
	list_splice_head(&ret_folios, from);
	migrate_list_unregister(k, &ret_folios);
	if (list_empty(from))
		rc = 0;
	count_vm_events(k, PGMIGRATE_SUCCESS, (long)st.nr_succeeded);
	count_vm_events(k, PGMIGRATE_FAIL, (long)st.nr_failed_pages);
	count_vm_events(k, THP_MIGRATION_SUCCESS, (long)st.nr_thp_succeeded);
	count_vm_events(k, THP_MIGRATION_FAIL, (long)st.nr_thp_failed);
	count_vm_events(k, THP_MIGRATION_SPLIT, (long)st.nr_thp_split);
	if (trace_enabled(k->env, TRACE_mm_migrate_pages))
		trace_emit(k->env, TRACE_mm_migrate_pages,
			   "nr_succeeded=%lu nr_failed=%lu nr_thp_succeeded=%lu nr_thp_failed=%lu "
			   "nr_thp_split=%lu mode=%s reason=%s",
			   st.nr_succeeded, st.nr_failed_pages, st.nr_thp_succeeded,
			   st.nr_thp_failed, st.nr_thp_split, migrate_mode_names[mode],
			   migrate_reason_names[reason]);
	if (nr_succeeded)
		*nr_succeeded = (unsigned int)st.nr_succeeded;
	return rc;
}

struct page *alloc_migration_target(struct kmm_kernel *k, struct page *page, unsigned long private)
{
	const struct migration_target_control *mtc = (const void *)private;
	struct folio *folio = page_folio(page);
	int nid = mtc->nid == NUMA_NO_NODE ? page_to_nid(page) : mtc->nid;
	unsigned int order = folio_order(folio);
	gfp_t gfp = mtc->gfp_mask;
	struct page *new;

	if (folio_test_hugetlb(folio))
		return alloc_hugetlb_migration_target(k, page, nid);
	if (order) {
		gfp &= ~__GFP_RECLAIM;
		gfp |= GFP_TRANSHUGE | __GFP_COMP;
	}
	new = __alloc_pages(k, gfp, order, nid, mtc->nmask);
	if (order > 1 && new)
		prep_transhuge_page(new); /* __folio_alloc: every new large folio */
	return new;
}

/* ---- faults on migration entries -------------------------------------------------------- */

void migration_entry_wait(struct kmm_kernel *k, struct mm_struct *mm, pte_t *ptep)
{
	swp_entry_t entry;

	(void)mm;
	if (!k->migrate || !is_swap_pte(*ptep))
		return;
	entry = pte_to_swp_entry(*ptep);
	if (!is_migration_entry(entry))
		return;
	/* migration_entry_wait_on_locked(): the folio is locked until its move ended */
	k->migrate->nr_entry_waits++;
}

/* ---- checks ------------------------------------------------------------------------------ */

unsigned long migrate_isolated_pages_node(const struct kmm_kernel *k, int nid)
{
	const struct migrate_state *ms = k->migrate;
	unsigned long nr = 0;

	for (int i = 0; ms && i < ms->nr_lists; i++)
		for (const struct list_head *l = ms->lists[i]->next; l != ms->lists[i];
		     l = l->next) {
			const struct folio *folio = list_entry(l, struct folio, lru);

			if (nid < 0 || page_to_nid(&folio->page) == nid)
				nr += folio_nr_pages(folio);
		}
	return nr;
}

unsigned long migrate_isolated_pages(const struct kmm_kernel *k)
{
	return migrate_isolated_pages_node(k, -1);
}

bool migrate_place_walk(const struct kmm_kernel *k, struct place_map *map)
{
	const struct migrate_state *ms = k->migrate;

	for (int i = 0; ms && i < ms->nr_lists; i++) {
		for (const struct list_head *l = ms->lists[i]->next; l != ms->lists[i];
		     l = l->next) {
			const struct folio *folio = list_entry(l, struct folio, lru);
			unsigned long pfn = page_to_pfn(k, &folio->page);

			if (folio_test_lru(folio) || folio_ref_count(folio) < 1)
				return place_fail(
					map,
					"migrate: pfn %#lx on a migration list with PG_lru "
					"or no reference",
					pfn);
			if (!place_claim(map, PLACE_MIGRATE, pfn, folio_nr_pages(folio)))
				return false;
		}
	}
	return true;
}

bool migrate_check(const struct kmm_kernel *k, char *why, size_t whylen)
{
	const struct migrate_state *ms = k->migrate;

	if (!ms)
		return true;
	if (ms->nr_lists < 0 || ms->nr_lists > MAX_MIGRATE_LISTS) {
		snprintf(why, whylen, "migrate: %d lists registered", ms->nr_lists);
		return false;
	}
	return true;
}
