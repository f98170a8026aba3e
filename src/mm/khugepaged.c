/*
 * khugepaged and MADV_COLLAPSE: turning 512 small anonymous pages of a 2 MiB aligned range
 * into one transparent huge page mapped by a PMD block descriptor.
 *
 * Models: mm/khugepaged.c (Linux 6.1.192) for anonymous memory: khugepaged_init(),
 *         __khugepaged_enter(), khugepaged_enter_vma(), khugepaged_fork(), __khugepaged_exit(),
 *         collect_mm_slot(), khugepaged() with khugepaged_do_scan(), khugepaged_wait_work(),
 *         khugepaged_alloc_sleep(), khugepaged_has_work(); khugepaged_scan_mm_slot(),
 *         hpage_collapse_scan_pmd(), find_pmd_or_thp_or_none(), check_pmd_still_valid(),
 *         hugepage_vma_revalidate(), alloc_charge_hpage() with hpage_collapse_alloc_page()
 *         and alloc_hugepage_khugepaged_gfpmask(), hpage_collapse_find_target_node(),
 *         collapse_huge_page() with __collapse_huge_page_swapin(),
 *         __collapse_huge_page_isolate(), __collapse_huge_page_copy(), release_pte_page(),
 *         is_refcount_suitable(); madvise_collapse() with madvise_collapse_errno();
 *         start_stop_khugepaged() (the thread side); the sysfs stores' wake-ups of
 *         scan_sleep_millisecs/alloc_sleep_millisecs; include/trace/events/huge_memory.h
 *         (mm_khugepaged_scan_pmd, mm_collapse_huge_page, mm_collapse_huge_page_isolate,
 *         mm_collapse_huge_page_swapin); mm/pgtable-generic.c pmdp_collapse_flush().
 * Deviation: the thread is created at the first run point after the first mm is registered
 *         (6.1 starts it in hugepage_init and it waits for that registration), so the boot's
 *         free memory stays the captures'; its first pass comes at the run point after that,
 *         as the 6.1 thread's comes when the registration wakes it. While no zone of its
 *         CPU's node has room above min for its task_struct, the creation is retried every
 *         HZ/10 of simulated time (as kswapd's is, vmscan.c).
 * Deviation: no shmem/file collapse (collapse_file, retract_page_tables, the pte-mapped THP
 *         list): shmem_enabled has no effect here (huge_memory.c), so only anonymous VMAs are
 *         scanned; no userfaultfd (never armed); no memcg charge (SCAN_CGROUP_CHARGE_FAIL never
 *         happens); node_reclaim_mode is 0 as on the captured kernel, so
 *         hpage_collapse_scan_abort() never aborts and is not modelled.
 * Deviation: the model has no mmap_lock. Where 6.1 drops it (before the huge page allocation,
 *         around the swap-in), other work may run here too (run points inside the allocator's
 *         slow path and swap I/O): the VMA and the PMD are looked up again afterwards exactly
 *         where 6.1 revalidates. Between isolation and the new PMD there is no run point, so
 *         the page-place check never sees the isolated small pages.
 * Deviation: a wait of 0 ms (scan_sleep_millisecs 0) waits one jiffy (4 ms at the captured
 *         kernel's HZ=250), so the simulated clock moves between passes.
 * Deviation: mm_slots_hash is keyed by the mm's simulated slab address (the kernel hashes the
 *         mm pointer, which is that address), so lookups are deterministic.
 *
 * The scan: khugepaged walks its list of mms (one slot each, in registration order) from a
 * cursor (mm slot, address) that survives between passes. A pass scans pages_to_scan
 * "pages": one for the mm, one per VMA it cannot use, 512 per PMD range it looks at. A range
 * whose PTEs pass hpage_collapse_scan_pmd's limits (none/zero PTEs <= max_ptes_none, swap
 * PTEs <= max_ptes_swap, pages mapped more than once <= max_ptes_shared, each page on the
 * LRU, unlocked, anonymous, with no reference beyond its mappings, at least one young or
 * referenced page, at least one writable PTE) is collapsed, and the pass then goes on with
 * the next range of the same mm. When the cursor leaves the last mm, full_scans counts one.
 * Between passes the thread sleeps scan_sleep_millisecs; after a failed huge page allocation
 * it sleeps alloc_sleep_millisecs once within the pass, and ends the pass on a second failure.
 *
 * The collapse (collapse_huge_page): allocate the huge page (khugepaged: GFP_TRANSHUGE when
 * khugepaged/defrag is 1, else GFP_TRANSHUGE_LIGHT; MADV_COLLAPSE: GFP_TRANSHUGE), revalidate,
 * swap in the swap PTEs, revalidate, take the PTE table off the PMD (pmdp_collapse_flush: the
 * PMD cleared, the range's TLB entries flushed), isolate the small pages, copy them (zero for
 * none and zero-page PTEs), then map the huge page by the PMD with the old PTE table deposited
 * for a later split. Any failure before the copy puts the table back: mapping and data as
 * they were.
 *
 * Invariants (khugepaged_check):
 *  1. Every slot on the list belongs to an mm with MMF_VM_HUGEPAGE and a live mm_count; no
 *     mm has two slots; the hash holds exactly the list's slots; nr_slots is the list's
 *     length; the mms on the kernel's list with MMF_VM_HUGEPAGE are as many as the slots.
 *  2. The scan cursor is NULL or a slot on the list, and its address is 2 MiB aligned.
 *  3. A registered mm has mm_users > 0 unless it is the cursor's (collect_mm_slot frees it
 *     at the next pass, as 6.1's __khugepaged_exit leaves it to the scan).
 *  4. The thread exists only while THP is enabled (always or madvise).
 */
#include "mm/khugepaged.h"

#include "kernel/sched.h"
#include "lib/trace.h"
#include "mm/gfp.h"
#include "mm/huge_mm.h"
#include "mm/internal.h"
#include "mm/mm.h"
#include "mm/mm_state.h"
#include "mm/mmap.h"
#include "mm/page-flags.h"
#include "mm/page_ref.h"
#include "mm/pagemap.h"
#include "mm/rmap.h"
#include "mm/slab.h"
#include "mm/swap.h"
#include "mm/swap_state.h"
#include "mm/swapops.h"
#include "mm/vmscan.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#define MM_SLOTS_HASH_BITS 10
#define MM_SLOTS_HASH_SIZE (1u << MM_SLOTS_HASH_BITS)
#define KHUGEPAGED_HZ	   250 /* CONFIG_HZ of the captured kernel: jiffies of the waits */
/* sizeof(struct khugepaged_mm_slot) in 6.1 (the capture's slabinfo: 112-byte objects). */
#define KHUGEPAGED_MM_SLOT_SIZE 112

/* Models: struct khugepaged_mm_slot (with the struct mm_slot it embeds). */
struct khugepaged_mm_slot {
	struct list_head mm_node;	      /* on khugepaged_state.mm_head */
	struct khugepaged_mm_slot *hash_next; /* mm_slots_hash chain */
	struct mm_struct *mm;
	uint64_t slab_obj; /* its khugepaged_mm_slot object */
};

/* Where the thread waits (the wait queue it would sleep on, and for what). */
enum khugepaged_wait {
	KH_RUNNING,	 /* in a pass (or woken, about to run) */
	KH_WAIT_TIMEOUT, /* khugepaged_wait_work: scan_sleep_millisecs, until sleep_expire */
	KH_WAIT_EVENT,	 /* khugepaged_wait_work: no mm to scan, until one is registered */
	KH_ALLOC_SLEEP,	 /* khugepaged_alloc_sleep: alloc_sleep_millisecs within a pass */
};

/* One khugepaged_do_scan() pass: its progress survives an alloc sleep. */
struct scan_pass {
	unsigned int pages, progress, pass_through_head;
	bool wait; /* may still sleep once after a failed allocation */
};

/* Models: struct collapse_control. */
struct collapse_control {
	bool is_khugepaged;
	unsigned int node_load[MAX_NUMNODES];
};

struct khugepaged_state {
	struct kmm_kernel *k;
	struct kmem_cache *mm_slot_cache;
	struct task_struct *thread; /* khugepaged_thread */
	struct env_event create_ev;
	enum khugepaged_wait wait;
	uint64_t sleep_expire; /* khugepaged_sleep_expire, machine cycles */
	bool in_pass;	       /* the thread's pass is interrupted by an alloc sleep */
	struct scan_pass pass;

	/* khugepaged_scan: the list of mms and the cursor. */
	struct list_head mm_head;
	struct khugepaged_mm_slot *scan_slot;
	unsigned long scan_address;
	unsigned long nr_slots;
	struct khugepaged_mm_slot *hash[MM_SLOTS_HASH_SIZE];

	/* The knobs, in huge_memory.c's thp_state (thp_khugepaged_knob). */
	unsigned int *pages_to_scan, *scan_sleep_millisecs, *alloc_sleep_millisecs;
	unsigned int *max_ptes_none, *max_ptes_swap, *max_ptes_shared;
	unsigned int *pages_collapsed, *full_scans;
};

static const char *const scan_result_names[] = {
#define SCAN_RESULT_NAME(id, name) [id] = name,
	SCAN_RESULTS(SCAN_RESULT_NAME)
#undef SCAN_RESULT_NAME
};

const char *scan_result_name(int r)
{
	return r >= 0 && r < NR_SCAN_RESULTS ? scan_result_names[r] : "?";
}

static inline struct khugepaged_state *khugepaged_of(const struct kmm_kernel *k)
{
	return k->khugepaged;
}

/* The trace lines' mm: its simulated address (what %p would hash). */
static inline uint64_t trace_mm(const struct mm_struct *mm)
{
	return mm->slab_obj;
}

static uint64_t msecs_to_wait_cycles(const struct kmm_kernel *k, unsigned int ms)
{
	uint64_t jiffies = ((uint64_t)ms * KHUGEPAGED_HZ + 999) / 1000; /* msecs_to_jiffies */

	if (!jiffies)
		jiffies = 1;
	return env_ns_to_cycles(k->env, jiffies * (1000000000ULL / KHUGEPAGED_HZ));
}

/* ---- the mm slots ------------------------------------------------------------------------ */

static unsigned int mm_slot_hash(const struct mm_struct *mm)
{
	return (unsigned int)(((mm->slab_obj >> 6) * 0x9e3779b97f4a7c15ULL) >>
			      (64 - MM_SLOTS_HASH_BITS));
}

/* Models: mm_slot_lookup(). */
static struct khugepaged_mm_slot *mm_slot_lookup(const struct khugepaged_state *ks,
						 const struct mm_struct *mm)
{
	struct khugepaged_mm_slot *s = ks->hash[mm_slot_hash(mm)];

	while (s && s->mm != mm)
		s = s->hash_next;
	return s;
}

static void mm_slot_hash_del(struct khugepaged_state *ks, struct khugepaged_mm_slot *slot)
{
	struct khugepaged_mm_slot **pp = &ks->hash[mm_slot_hash(slot->mm)];

	while (*pp && *pp != slot)
		pp = &(*pp)->hash_next;
	if (*pp)
		*pp = slot->hash_next;
}

static void mm_slot_free(struct khugepaged_state *ks, struct khugepaged_mm_slot *slot)
{
	mm_obj_free(ks->k, ks->mm_slot_cache, slot, slot->slab_obj);
}

/* Models: hpage_collapse_test_exit(): the mm's last user is gone. */
static inline bool hpage_collapse_test_exit(const struct mm_struct *mm)
{
	return mm->mm_users == 0;
}

/* Models: collect_mm_slot(): a slot whose mm exited leaves the list, dropping its mm. */
static void collect_mm_slot(struct khugepaged_state *ks, struct khugepaged_mm_slot *slot)
{
	struct mm_struct *mm = slot->mm;

	if (!hpage_collapse_test_exit(mm))
		return;
	mm_slot_hash_del(ks, slot);
	list_del(&slot->mm_node);
	ks->nr_slots--;
	mm_slot_free(ks, slot);
	mmdrop(mm);
}

/* ---- the thread's waits ---------------------------------------------------------------- */

/* Models: khugepaged_has_work(). */
static bool khugepaged_has_work(const struct kmm_kernel *k)
{
	return !list_empty(&khugepaged_of(k)->mm_head) && k->thp_enabled;
}

/* The thread leaves its wait now (its next run at the next run point). */
static void khugepaged_run_now(struct kmm_kernel *k)
{
	struct khugepaged_state *ks = khugepaged_of(k);

	ks->wait = KH_RUNNING;
	if (ks->thread->__state == TASK_RUNNING)
		kthread_schedule(k, ks->thread, 0);
	else
		wake_up_process(k, ks->thread);
}

static void khugepaged_want_thread(struct kmm_kernel *k)
{
	struct khugepaged_state *ks = khugepaged_of(k);

	if (!env_event_pending(&ks->create_ev))
		env_event_schedule(k->env, &ks->create_ev, k->env->cycles, 0);
}

/*
 * Models: wake_up_interruptible(&khugepaged_wait): each wait ends when its condition holds
 * (a registered mm for the untimed wait, the expiry for the timed one; the alloc sleep always).
 */
static void khugepaged_wake(struct kmm_kernel *k)
{
	struct khugepaged_state *ks = khugepaged_of(k);

	if (!ks->thread) {
		if (k->thp_enabled && !list_empty(&ks->mm_head))
			khugepaged_want_thread(k);
		return;
	}
	switch (ks->wait) {
	case KH_WAIT_EVENT:
		if (!list_empty(&ks->mm_head))
			khugepaged_run_now(k);
		break;
	case KH_WAIT_TIMEOUT:
		if (k->env->cycles >= ks->sleep_expire)
			khugepaged_run_now(k);
		break;
	case KH_ALLOC_SLEEP:
		khugepaged_run_now(k);
		break;
	case KH_RUNNING:
		break;
	}
}

/* Models: khugepaged_wait_work(): the delay to the next pass, or KTHREAD_SLEEP. */
static int64_t khugepaged_wait_work(struct kmm_kernel *k)
{
	struct khugepaged_state *ks = khugepaged_of(k);

	if (khugepaged_has_work(k)) {
		uint64_t delay = msecs_to_wait_cycles(k, *ks->scan_sleep_millisecs);

		ks->sleep_expire = k->env->cycles + delay;
		ks->wait = KH_WAIT_TIMEOUT;
		return (int64_t)delay;
	}
	ks->wait = KH_WAIT_EVENT;
	return KTHREAD_SLEEP;
}

/* ---- registration ------------------------------------------------------------------------ */

void __khugepaged_enter(struct mm_struct *mm)
{
	struct kmm_kernel *k = mm->kernel;
	struct khugepaged_state *ks = khugepaged_of(k);
	struct khugepaged_mm_slot *slot;
	uint64_t obj;
	bool wakeup;
	unsigned int h;

	if (!ks || hpage_collapse_test_exit(mm))
		return;
	slot = mm_obj_alloc(k, ks->mm_slot_cache, sizeof(*slot), &obj);
	if (!slot)
		return;
	slot->slab_obj = obj;
	if (mm->flags & MMF_VM_HUGEPAGE) { /* test_and_set_bit */
		mm_slot_free(ks, slot);
		return;
	}
	mm->flags |= MMF_VM_HUGEPAGE;
	slot->mm = mm;
	h = mm_slot_hash(mm);
	slot->hash_next = ks->hash[h];
	ks->hash[h] = slot;
	/* behind the cursor: the area settles a little before it is scanned */
	wakeup = list_empty(&ks->mm_head);
	list_add_tail(&slot->mm_node, &ks->mm_head);
	ks->nr_slots++;
	mmgrab(mm);
	if (wakeup)
		khugepaged_wake(k);
}

void khugepaged_enter_vma(struct vm_area_struct *vma, unsigned long vm_flags)
{
	struct mm_struct *mm = vma->vm_mm;

	if (!khugepaged_of(mm->kernel) || (mm->flags & MMF_VM_HUGEPAGE) || !mm->kernel->thp_enabled)
		return;
	if (hugepage_vma_check(vma, vm_flags, false, false, true))
		__khugepaged_enter(mm);
}

void khugepaged_fork(struct mm_struct *mm, struct mm_struct *oldmm)
{
	if (oldmm->flags & MMF_VM_HUGEPAGE)
		__khugepaged_enter(mm);
}

void khugepaged_exit(struct mm_struct *mm)
{
	struct khugepaged_state *ks = khugepaged_of(mm->kernel);
	struct khugepaged_mm_slot *slot;

	if (!ks || !(mm->flags & MMF_VM_HUGEPAGE))
		return;
	slot = mm_slot_lookup(ks, mm);
	if (!slot || slot == ks->scan_slot)
		return; /* the scan holds it: collect_mm_slot frees it at the next pass */
	mm_slot_hash_del(ks, slot);
	list_del(&slot->mm_node);
	ks->nr_slots--;
	mm->flags &= ~MMF_VM_HUGEPAGE;
	mm_slot_free(ks, slot);
	mmdrop(mm);
}

/* ---- the PMD, the VMA, the pages ------------------------------------------------------- */

/* Models: find_pmd_or_thp_or_none(). */
static int find_pmd_or_thp_or_none(struct mm_struct *mm, unsigned long address, pmd_t **pmd)
{
	pmd_t pmde;

	*pmd = mm_find_pmd(mm, address);
	if (!*pmd)
		return SCAN_PMD_NULL;
	pmde = **pmd;
	if (pmd_none(pmde))
		return SCAN_PMD_NONE;
	if (pmd_trans_huge(pmde))
		return SCAN_PMD_MAPPED;
	if (!pmd_present(pmde) || pmd_bad(pmde))
		return SCAN_PMD_NULL;
	return SCAN_SUCCEED;
}

/* Models: check_pmd_still_valid(). */
static int check_pmd_still_valid(struct mm_struct *mm, unsigned long address, pmd_t *pmd)
{
	pmd_t *new_pmd;
	int result = find_pmd_or_thp_or_none(mm, address, &new_pmd);

	if (result != SCAN_SUCCEED)
		return result;
	return new_pmd == pmd ? SCAN_SUCCEED : SCAN_FAIL;
}

/* Models: hugepage_vma_revalidate(). */
static int hugepage_vma_revalidate(struct mm_struct *mm, unsigned long address, bool expect_anon,
				   struct vm_area_struct **vmap, const struct collapse_control *cc)
{
	struct vm_area_struct *vma;

	if (hpage_collapse_test_exit(mm))
		return SCAN_ANY_PROCESS;
	*vmap = vma = find_vma(mm, address);
	if (!vma)
		return SCAN_VMA_NULL;
	if (!transhuge_vma_suitable(vma, address))
		return SCAN_ADDRESS_RANGE;
	if (!hugepage_vma_check(vma, vma->vm_flags, false, false, cc->is_khugepaged))
		return SCAN_VMA_CHECK;
	if (expect_anon && (!vma->anon_vma || !vma_is_anonymous(vma)))
		return SCAN_PAGE_ANON;
	return SCAN_SUCCEED;
}

/* Models: vm_normal_page() for the anonymous PTEs met here. */
static struct page *khugepaged_normal_page(struct kmm_kernel *k, pte_t pte)
{
	unsigned long pfn = pte_pfn(pte);

	if (pte_special(pte) || is_zero_pfn(k, pfn) || !pfn_valid(k, pfn))
		return NULL;
	return pfn_to_page(k, pfn);
}

/* Models: is_refcount_suitable(): no reference beyond the mappings (and the swap cache). */
static bool is_refcount_suitable(struct page *page)
{
	struct folio *folio = page_folio(page);
	int expected = folio_mapcount(folio);

	if (folio_test_swapcache(folio))
		expected += (int)folio_nr_pages(folio);
	return folio_ref_count(folio) == expected;
}

/* The young test khugepaged makes (page_is_young is idle tracking: not modelled). */
static bool pte_or_page_young(pte_t pte, const struct folio *folio)
{
	return pte_young(pte) || folio_test_referenced(folio);
}

static void isolated_mod(struct kmm_kernel *k, struct page *page, long nr)
{
	mod_node_page_state_of(k, page, NR_ISOLATED_ANON + folio_is_file_lru(page_folio(page)), nr);
}

/* Models: release_pte_page(): back to the LRU, unlocked, no longer counted isolated. */
static void release_pte_page(struct kmm_kernel *k, struct page *page)
{
	isolated_mod(k, page, -(long)folio_nr_pages(page_folio(page)));
	folio_unlock(page_folio(page));
	putback_lru_page(k, page);
}

/* Models: release_pte_pages(): the pages isolated before PTE @upto, and the compound ones. */
static void release_pte_pages(struct kmm_kernel *k, pte_t *pte, pte_t *upto,
			      struct list_head *compound_pagelist)
{
	while (--upto >= pte) {
		pte_t pteval = *upto;
		struct page *page;

		if (pte_none(pteval) || is_zero_pfn(k, pte_pfn(pteval)))
			continue;
		page = pfn_to_page(k, pte_pfn(pteval));
		if (!PageCompound(page))
			release_pte_page(k, page);
	}
	while (!list_empty(compound_pagelist)) {
		struct folio *folio = list_first_entry(compound_pagelist, struct folio, lru);

		list_del(&folio->lru);
		release_pte_page(k, &folio->page);
	}
}

/* ---- the scan of one PMD range ----------------------------------------------------------- */

/* What hpage_collapse_scan_pmd counted, for its trace line and the collapse. */
struct pmd_scan {
	int none_or_zero, shared, referenced, unmapped;
	bool writable;
	struct page *page; /* the last page looked at (the trace's scan_pfn) */
};

/* One PTE of hpage_collapse_scan_pmd's loop: SCAN_SUCCEED to go on, else the result. */
static int scan_pmd_pte(struct khugepaged_state *ks, struct vm_area_struct *vma, pte_t pteval,
			struct collapse_control *cc, struct pmd_scan *s)
{
	struct kmm_kernel *k = ks->k;
	struct folio *folio;
	struct page *page;

	if (is_swap_pte(pteval)) {
		if (!cc->is_khugepaged || ++s->unmapped <= (int)*ks->max_ptes_swap)
			return SCAN_SUCCEED;
		count_vm_event(k, THP_SCAN_EXCEED_SWAP_PTE);
		return SCAN_EXCEED_SWAP_PTE;
	}
	if (pte_none(pteval) || is_zero_pfn(k, pte_pfn(pteval))) {
		if (!cc->is_khugepaged || ++s->none_or_zero <= (int)*ks->max_ptes_none)
			return SCAN_SUCCEED;
		count_vm_event(k, THP_SCAN_EXCEED_NONE_PTE);
		return SCAN_EXCEED_NONE_PTE;
	}
	if (pte_write(pteval))
		s->writable = true;
	page = khugepaged_normal_page(k, pteval);
	if (!page)
		return SCAN_PAGE_NULL;
	s->page = page;
	if (page_mapcount(page) > 1 && ++s->shared > (int)*ks->max_ptes_shared &&
	    cc->is_khugepaged) {
		count_vm_event(k, THP_SCAN_EXCEED_SHARE_PTE);
		return SCAN_EXCEED_SHARED_PTE;
	}
	folio = page_folio(page);
	cc->node_load[page_to_nid(&folio->page)]++;
	if (!folio_test_lru(folio))
		return SCAN_PAGE_LRU;
	if (folio_test_locked(folio))
		return SCAN_PAGE_LOCK;
	if (!folio_test_anon(folio))
		return SCAN_PAGE_ANON;
	if (!is_refcount_suitable(&folio->page))
		return SCAN_PAGE_COUNT;
	if (cc->is_khugepaged && pte_or_page_young(pteval, folio))
		s->referenced++;
	(void)vma;
	return SCAN_SUCCEED;
}

static int collapse_huge_page(struct khugepaged_state *ks, struct mm_struct *mm,
			      unsigned long address, int referenced, int unmapped,
			      struct collapse_control *cc);

/*
 * Models: hpage_collapse_scan_pmd(): looks at the 512 PTEs under the PMD of @address and
 * collapses them when they qualify (then *@mmap_locked is false, as 6.1 returns with the lock
 * dropped). Returns the scan_result.
 */
static int hpage_collapse_scan_pmd(struct khugepaged_state *ks, struct mm_struct *mm,
				   struct vm_area_struct *vma, unsigned long address,
				   bool *mmap_locked, struct collapse_control *cc)
{
	struct kmm_kernel *k = ks->k;
	struct pmd_scan s = {0};
	int result;
	pmd_t *pmd;

	result = find_pmd_or_thp_or_none(mm, address, &pmd);
	if (result != SCAN_SUCCEED)
		goto out;
	memset(cc->node_load, 0, sizeof(cc->node_load));
	{
		pte_t *pte = pte_offset_kernel(k, pmd, address);

		for (unsigned long i = 0; i < HPAGE_PMD_NR; i++) {
			result = scan_pmd_pte(ks, vma, pte[i], cc, &s);
			if (result != SCAN_SUCCEED)
				goto out;
		}
	}
	if (!s.writable)
		result = SCAN_PAGE_RO;
	else if (cc->is_khugepaged &&
		 (!s.referenced || (s.unmapped && s.referenced < (int)HPAGE_PMD_NR / 2)))
		result = SCAN_LACK_REFERENCED_PAGE;
	else
		result = SCAN_SUCCEED;
	if (result == SCAN_SUCCEED) {
		result = collapse_huge_page(ks, mm, address, s.referenced, s.unmapped, cc);
		*mmap_locked = false;
	}
out:
	if (trace_enabled(k->env, TRACE_mm_khugepaged_scan_pmd))
		trace_emit(k->env, TRACE_mm_khugepaged_scan_pmd,
			   "mm=%016" PRIx64 ", scan_pfn=0x%lx, writable=%d, referenced=%d, "
			   "none_or_zero=%d, status=%s, unmapped=%d",
			   trace_mm(mm), s.page ? page_to_pfn(k, s.page) : (unsigned long)-1,
			   s.writable, s.referenced, s.none_or_zero, scan_result_name(result),
			   s.unmapped);
	return result;
}

/* ---- the collapse ------------------------------------------------------------------------ */

/* Models: hpage_collapse_find_target_node(): the first node with the most pages scanned. */
static int hpage_collapse_find_target_node(const struct collapse_control *cc)
{
	unsigned int max_value = 0;
	int target = 0;

	for (int nid = 0; nid < MAX_NUMNODES; nid++)
		if (cc->node_load[nid] > max_value) {
			max_value = cc->node_load[nid];
			target = nid;
		}
	return target;
}

/*
 * Models: alloc_charge_hpage() with hpage_collapse_alloc_page(): the huge page, counted in
 * thp_collapse_alloc or thp_collapse_alloc_failed, prepped as a THP (prep_transhuge_page).
 * Deviation: the allocation prefers the target node and falls back along its zonelist; 6.1
 * limits the fallback to the nodes tied for the most pages scanned (one node: the same).
 */
static int alloc_charge_hpage(struct kmm_kernel *k, struct page **hpage,
			      const struct collapse_control *cc)
{
	gfp_t gfp = GFP_TRANSHUGE;

	if (cc->is_khugepaged && !thp_khugepaged_defrag(k))
		gfp = GFP_TRANSHUGE_LIGHT; /* alloc_hugepage_khugepaged_gfpmask */
	*hpage = alloc_pages_node(k, hpage_collapse_find_target_node(cc), gfp, HPAGE_PMD_ORDER);
	if (!*hpage) {
		count_vm_event(k, THP_COLLAPSE_ALLOC_FAILED);
		return SCAN_ALLOC_HUGE_PAGE_FAIL;
	}
	prep_transhuge_page(*hpage); /* hpage_collapse_alloc_page: as every new THP */
	count_vm_event(k, THP_COLLAPSE_ALLOC);
	return SCAN_SUCCEED;
}

/* The VMA and PTE table of @address after a swap-in that may have slept: still the same? */
static int swapin_revalidate(struct mm_struct *mm, unsigned long address, pmd_t *pmd,
			     struct vm_area_struct **vma)
{
	const struct collapse_control cc = {.is_khugepaged = false};
	int result = hugepage_vma_revalidate(mm, address, true, vma, &cc);

	return result == SCAN_SUCCEED ? check_pmd_still_valid(mm, address, pmd) : result;
}

/* Models: __collapse_huge_page_swapin(): every swap PTE of the range faulted back in. */
static int __collapse_huge_page_swapin(struct mm_struct *mm, struct vm_area_struct *vma,
				       unsigned long haddr, pmd_t *pmd, int referenced)
{
	struct kmm_kernel *k = mm->kernel;
	int swapped_in = 0, result = SCAN_SUCCEED;

	for (unsigned long a = haddr; a < haddr + HPAGE_PMD_SIZE; a += PAGE_SIZE) {
		vm_fault_t ret;

		if (!is_swap_pte(*pte_offset_kernel(k, pmd, a)))
			continue;
		ret = do_swap_page_at(vma, pmd, a);
		if (ret & VM_FAULT_RETRY) {
			result = SCAN_PAGE_LOCK;
			break;
		}
		if (ret & VM_FAULT_ERROR) {
			result = SCAN_FAIL;
			break;
		}
		swapped_in++;
		/* the read may have slept (run points): 6.1's VM_FAULT_RETRY re-lookup */
		result = swapin_revalidate(mm, a, pmd, &vma);
		if (result != SCAN_SUCCEED)
			break;
	}
	if (result == SCAN_SUCCEED && swapped_in)
		lru_add_drain(k); /* the LRU batch's reference on the swapped-in pages */
	if (trace_enabled(k->env, TRACE_mm_collapse_huge_page_swapin))
		trace_emit(k->env, TRACE_mm_collapse_huge_page_swapin,
			   "mm=%016" PRIx64 ", swapped_in=%d, referenced=%d, ret=%d", trace_mm(mm),
			   swapped_in, referenced, result == SCAN_SUCCEED);
	return result;
}

static bool folio_on_list(const struct folio *folio, const struct list_head *list)
{
	for (const struct list_head *l = list->next; l != list; l = l->next)
		if (list_entry(l, struct folio, lru) == folio)
			return true;
	return false;
}

/* One PTE of __collapse_huge_page_isolate: SCAN_SUCCEED to go on, else the result. */
static int isolate_pte(struct khugepaged_state *ks, pte_t pteval, const struct collapse_control *cc,
		       struct list_head *compound_pagelist, struct pmd_scan *s)
{
	struct kmm_kernel *k = ks->k;
	struct folio *folio;
	struct page *page;

	if (pte_none(pteval) || (pte_present(pteval) && is_zero_pfn(k, pte_pfn(pteval)))) {
		if (!cc->is_khugepaged || ++s->none_or_zero <= (int)*ks->max_ptes_none)
			return SCAN_SUCCEED;
		count_vm_event(k, THP_SCAN_EXCEED_NONE_PTE);
		return SCAN_EXCEED_NONE_PTE;
	}
	if (!pte_present(pteval))
		return SCAN_PTE_NON_PRESENT;
	page = khugepaged_normal_page(k, pteval);
	if (!page)
		return SCAN_PAGE_NULL;
	s->page = page;
	if (page_mapcount(page) > 1 && ++s->shared > (int)*ks->max_ptes_shared &&
	    cc->is_khugepaged) {
		count_vm_event(k, THP_SCAN_EXCEED_SHARE_PTE);
		return SCAN_EXCEED_SHARED_PTE;
	}
	folio = page_folio(page);
	if (folio_test_large(folio) && folio_on_list(folio, compound_pagelist))
		goto next;	      /* dealt with at an earlier PTE */
	if (folio_test_locked(folio)) /* trylock_page */
		return SCAN_PAGE_LOCK;
	folio_lock(folio);
	if (!is_refcount_suitable(&folio->page)) {
		folio_unlock(folio);
		return SCAN_PAGE_COUNT;
	}
	if (folio_isolate_lru(k, folio)) {
		folio_unlock(folio);
		return SCAN_DEL_PAGE_LRU;
	}
	isolated_mod(k, &folio->page, (long)folio_nr_pages(folio));
	if (folio_test_large(folio))
		list_add_tail(&folio->lru, compound_pagelist);
next:
	if (cc->is_khugepaged && pte_or_page_young(pteval, folio))
		s->referenced++;
	if (pte_write(pteval))
		s->writable = true;
	return SCAN_SUCCEED;
}

/*
 * Models: __collapse_huge_page_isolate(): locks and isolates every page of the (already
 * unhooked) PTE table @pte. On failure everything isolated goes back.
 */
static int __collapse_huge_page_isolate(struct khugepaged_state *ks, pte_t *pte,
					const struct collapse_control *cc,
					struct list_head *compound_pagelist)
{
	struct kmm_kernel *k = ks->k;
	struct pmd_scan s = {0};
	int result = SCAN_SUCCEED;
	unsigned long i;

	for (i = 0; i < HPAGE_PMD_NR; i++) {
		result = isolate_pte(ks, pte[i], cc, compound_pagelist, &s);
		if (result != SCAN_SUCCEED)
			break;
	}
	if (result == SCAN_SUCCEED) {
		if (!s.writable)
			result = SCAN_PAGE_RO;
		else if (cc->is_khugepaged && !s.referenced)
			result = SCAN_LACK_REFERENCED_PAGE;
	}
	if (result != SCAN_SUCCEED)
		release_pte_pages(k, pte, pte + i, compound_pagelist);
	if (trace_enabled(k->env, TRACE_mm_collapse_huge_page_isolate))
		trace_emit(k->env, TRACE_mm_collapse_huge_page_isolate,
			   "scan_pfn=0x%lx, none_or_zero=%d, referenced=%d, writable=%d, status=%s",
			   s.page ? page_to_pfn(k, s.page) : (unsigned long)-1, s.none_or_zero,
			   s.referenced, s.writable, scan_result_name(result));
	return result;
}

/*
 * Models: __collapse_huge_page_copy(): each small page copied into its place in @hpage (a
 * none or zero-page PTE gives a zeroed page), its PTE cleared, its mapping and reference
 * dropped; the compound pages go back to the LRU at the end.
 */
static void __collapse_huge_page_copy(struct kmm_kernel *k, pte_t *pte, struct page *hpage,
				      struct vm_area_struct *vma,
				      struct list_head *compound_pagelist)
{
	for (unsigned long i = 0; i < HPAGE_PMD_NR; i++) {
		pte_t pteval = pte[i];
		void *dst = page_host(k, hpage + i, PAGE_SIZE);
		struct page *src_page;

		if (pte_none(pteval) || is_zero_pfn(k, pte_pfn(pteval))) {
			memset(dst, 0, PAGE_SIZE); /* clear_user_highpage */
			env_charge(k->env, COST_page_zero);
			add_mm_counter(vma->vm_mm, MM_ANONPAGES, 1);
			pte_clear(&pte[i]);
			continue;
		}
		src_page = pfn_to_page(k, pte_pfn(pteval));
		memcpy(dst, page_host(k, src_page, PAGE_SIZE), PAGE_SIZE); /* copy_user_highpage */
		env_charge(k->env, COST_page_copy);
		if (!PageCompound(src_page))
			release_pte_page(k, src_page);
		pte_clear(&pte[i]);
		page_remove_rmap(src_page, vma, false);
		free_swap_cache(k, src_page); /* free_page_and_swap_cache */
		put_page(k, src_page);
	}
	while (!list_empty(compound_pagelist)) {
		struct folio *folio = list_first_entry(compound_pagelist, struct folio, lru);

		list_del(&folio->lru);
		isolated_mod(k, &folio->page, -(long)folio_nr_pages(folio));
		folio_unlock(folio);
		free_swap_cache(k, &folio->page);
		putback_lru_page(k, &folio->page);
	}
}

/* Models: mk_huge_pmd() + maybe_pmd_mkwrite(pmd_mkdirty()) for the collapsed page. */
static pmd_t collapsed_pmd(struct kmm_kernel *k, struct page *hpage,
			   const struct vm_area_struct *vma)
{
	pte_t entry = pmd_pte(
		pfn_pmd(page_to_pfn(k, hpage), mk_pmd_sect_prot(__pgprot(vma->vm_page_prot))));

	entry = pte_mkdirty(entry);
	if (vma->vm_flags & VM_WRITE)
		entry = pte_mkwrite(entry);
	return __pmd(pte_val(entry));
}

/*
 * The part of collapse_huge_page() done with the mmap_lock held for write in 6.1: unhook the
 * PTE table, isolate, copy, map the huge page. SCAN_SUCCEED, or the isolation's failure with
 * the table hooked back as it was.
 */
static int collapse_huge_page_locked(struct khugepaged_state *ks, struct vm_area_struct *vma,
				     unsigned long address, pmd_t *pmd, struct page *hpage,
				     const struct collapse_control *cc)
{
	struct kmm_kernel *k = ks->k;
	struct mm_struct *mm = vma->vm_mm;
	struct list_head compound_pagelist;
	pmd_t _pmd = *pmd;
	struct page *pgtable = pfn_to_page(k, PHYS_PFN(pmd_page_paddr(_pmd)));
	pte_t *pte = pte_offset_kernel(k, &_pmd, address);
	int result;

	INIT_LIST_HEAD(&compound_pagelist);
	/* pmdp_collapse_flush: no small and huge TLB entries for one VA at once */
	pmd_clear(pmd);
	flush_tlb_range(k, vma, address, address + HPAGE_PMD_SIZE);
	result = __collapse_huge_page_isolate(ks, pte, cc, &compound_pagelist);
	if (result != SCAN_SUCCEED) {
		set_pmd(pmd, _pmd); /* pmd_populate with the same table */
		return result;
	}
	__collapse_huge_page_copy(k, pte, hpage, vma, &compound_pagelist);
	__SetPageUptodate(hpage);
	page_add_new_anon_rmap(hpage, vma, address);
	lru_cache_add_inactive_or_unevictable(k, hpage, vma);
	pgtable_trans_huge_deposit(mm, pgtable);
	set_pmd(pmd, collapsed_pmd(k, hpage, vma));
	return SCAN_SUCCEED;
}

/*
 * Models: collapse_huge_page(): @address's 512 small pages become one THP mapped by the PMD.
 * Every failure leaves the mapping and the data as they were. Returns the scan_result.
 */
static int collapse_huge_page(struct khugepaged_state *ks, struct mm_struct *mm,
			      unsigned long address, int referenced, int unmapped,
			      struct collapse_control *cc)
{
	struct kmm_kernel *k = ks->k;
	struct vm_area_struct *vma;
	struct page *hpage = NULL;
	pmd_t *pmd;
	int result;

	result = alloc_charge_hpage(k, &hpage, cc);
	if (result != SCAN_SUCCEED)
		goto out;
	result = hugepage_vma_revalidate(mm, address, true, &vma, cc);
	if (result != SCAN_SUCCEED)
		goto out;
	result = find_pmd_or_thp_or_none(mm, address, &pmd);
	if (result != SCAN_SUCCEED)
		goto out;
	if (unmapped) {
		result = __collapse_huge_page_swapin(mm, vma, address, pmd, referenced);
		if (result != SCAN_SUCCEED)
			goto out;
	}
	/* mmap_write_lock: the swap-in may have slept */
	result = hugepage_vma_revalidate(mm, address, true, &vma, cc);
	if (result != SCAN_SUCCEED)
		goto out;
	result = check_pmd_still_valid(mm, address, pmd);
	if (result != SCAN_SUCCEED)
		goto out;
	result = collapse_huge_page_locked(ks, vma, address, pmd, hpage, cc);
	if (result == SCAN_SUCCEED)
		hpage = NULL;
out:
	if (hpage)
		put_page(k, hpage); /* free_transhuge_page, its destructor */
	if (trace_enabled(k->env, TRACE_mm_collapse_huge_page))
		trace_emit(k->env, TRACE_mm_collapse_huge_page,
			   "mm=%016" PRIx64 ", isolated=%d, status=%s", trace_mm(mm),
			   result == SCAN_SUCCEED, scan_result_name(result));
	return result;
}

/* ---- the thread's scan --------------------------------------------------------------------- */

static inline unsigned long hpage_round_up(unsigned long a)
{
	return (a + HPAGE_PMD_SIZE - 1) & HPAGE_PMD_MASK;
}

/*
 * Models: khugepaged_scan_mm_slot(): scans from the cursor until @pages of progress, an
 * attempted collapse, or the mm's end (then the cursor moves to the next mm, full_scans
 * counting the end of the list). Returns the progress made.
 */
static unsigned int khugepaged_scan_mm_slot(struct khugepaged_state *ks, unsigned int pages,
					    int *result, struct collapse_control *cc)
{
	struct khugepaged_mm_slot *slot = ks->scan_slot;
	struct vm_area_struct *vma = NULL;
	unsigned int progress = 0;
	struct mm_struct *mm;

	*result = SCAN_FAIL;
	if (!slot) {
		slot = list_first_entry(&ks->mm_head, struct khugepaged_mm_slot, mm_node);
		ks->scan_address = 0;
		ks->scan_slot = slot;
	}
	mm = slot->mm;
	progress++;
	if (hpage_collapse_test_exit(mm))
		goto breakouterloop;
	for (vma = find_vma(mm, ks->scan_address); vma; vma = vma->vm_next) {
		unsigned long hstart, hend;

		if (!hugepage_vma_check(vma, vma->vm_flags, false, false, true)) {
			progress++;
			continue;
		}
		hstart = hpage_round_up(vma->vm_start);
		hend = vma->vm_end & HPAGE_PMD_MASK;
		if (ks->scan_address > hend) {
			progress++;
			continue;
		}
		if (ks->scan_address < hstart)
			ks->scan_address = hstart;
		while (ks->scan_address < hend) {
			bool mmap_locked = true;

			*result = hpage_collapse_scan_pmd(ks, mm, vma, ks->scan_address,
							  &mmap_locked, cc);
			if (*result == SCAN_SUCCEED)
				++*ks->pages_collapsed;
			ks->scan_address += HPAGE_PMD_SIZE;
			progress += HPAGE_PMD_NR;
			if (!mmap_locked || progress >= pages)
				goto breakouterloop;
			if (hpage_collapse_test_exit(mm))
				goto breakouterloop;
		}
	}
breakouterloop:
	if (hpage_collapse_test_exit(mm) || !vma) {
		if (slot->mm_node.next != &ks->mm_head) {
			ks->scan_slot =
				list_entry(slot->mm_node.next, struct khugepaged_mm_slot, mm_node);
			ks->scan_address = 0;
		} else {
			ks->scan_slot = NULL;
			++*ks->full_scans;
		}
		collect_mm_slot(ks, slot);
	}
	return progress;
}

/*
 * Models: khugepaged_do_scan()'s loop: true when it stops for khugepaged_alloc_sleep (the
 * caller sleeps alloc_sleep_millisecs, then calls again to finish the pass).
 */
static bool khugepaged_do_scan(struct kmm_kernel *k, struct scan_pass *p, bool may_sleep)
{
	struct khugepaged_state *ks = khugepaged_of(k);
	struct collapse_control cc = {.is_khugepaged = true};
	int result = SCAN_SUCCEED;

	for (;;) {
		if (!ks->scan_slot)
			p->pass_through_head++;
		if (khugepaged_has_work(k) && p->pass_through_head < 2)
			p->progress +=
				khugepaged_scan_mm_slot(ks, p->pages - p->progress, &result, &cc);
		else
			p->progress = p->pages;
		if (p->progress >= p->pages)
			return false;
		if (result == SCAN_ALLOC_HUGE_PAGE_FAIL) {
			if (!p->wait || !may_sleep)
				return false;
			p->wait = false;
			return true;
		}
	}
}

static void scan_pass_begin(struct kmm_kernel *k, struct scan_pass *p)
{
	p->pages = *khugepaged_of(k)->pages_to_scan;
	p->progress = 0;
	p->pass_through_head = 0;
	p->wait = true;
	lru_add_drain_all(k);
}

/* Models: one trip round khugepaged()'s loop: a pass (or its rest), then the wait. */
static int64_t khugepaged_fn(struct kmm_kernel *k, struct task_struct *t, void *data)
{
	struct khugepaged_state *ks = khugepaged_of(k);

	(void)t;
	(void)data;
	ks->wait = KH_RUNNING;
	if (!ks->in_pass)
		scan_pass_begin(k, &ks->pass);
	ks->in_pass = khugepaged_do_scan(k, &ks->pass, true);
	if (ks->in_pass) { /* khugepaged_alloc_sleep */
		ks->wait = KH_ALLOC_SLEEP;
		return (int64_t)msecs_to_wait_cycles(k, *ks->alloc_sleep_millisecs);
	}
	return khugepaged_wait_work(k);
}

unsigned int khugepaged_scan_now(struct kmm_kernel *k, unsigned int scans)
{
	struct khugepaged_state *ks = khugepaged_of(k);
	unsigned int done = 0;

	if (!ks || !k->thp_enabled)
		return 0;
	for (; done < scans; done++) {
		struct scan_pass p;

		scan_pass_begin(k, &p);
		khugepaged_do_scan(k, &p, false);
	}
	return done;
}

/* The create event: the thread, woken for its first pass. */
static void khugepaged_create_fn(struct kmm_env *env, struct env_event *ev)
{
	struct khugepaged_state *ks = ev->arg;
	struct kmm_kernel *k = ks->k;

	(void)env;
	if (ks->thread || !k->thp_enabled || !k->tasks || list_empty(&ks->mm_head))
		return;
	if (!node_has_room_for_kthread(NODE_DATA(k, k->node_of_cpu[0]))) {
		/* Its task_struct must not fail: look again in HZ/10, as kswapd's creation does. */
		uint64_t tenth = (KHUGEPAGED_HZ / 10) * (1000000000ULL / KHUGEPAGED_HZ);

		env_event_schedule(k->env, &ks->create_ev,
				   k->env->cycles + env_ns_to_cycles(k->env, tenth), 0);
		return;
	}
	if (kthread_create_on_cpu(k, khugepaged_fn, NULL, 0, "khugepaged", &ks->thread)) {
		ks->thread = NULL;
		return;
	}
	ks->wait = KH_RUNNING;
	ks->in_pass = false;
	wake_up_process(k, ks->thread);
}

static void khugepaged_stop_thread(struct kmm_kernel *k)
{
	struct khugepaged_state *ks = khugepaged_of(k);
	struct khugepaged_mm_slot *slot = ks->scan_slot;

	if (ks->thread && k->tasks)
		kthread_stop(k, ks->thread);
	ks->thread = NULL;
	ks->in_pass = false;
	ks->wait = KH_RUNNING;
	ks->scan_slot = NULL; /* khugepaged()'s exit: the cursor's slot collected */
	if (slot)
		collect_mm_slot(ks, slot);
}

void start_stop_khugepaged(struct kmm_kernel *k)
{
	struct khugepaged_state *ks = khugepaged_of(k);

	if (!ks)
		return;
	if (!k->thp_enabled) {
		env_event_cancel(k->env, &ks->create_ev);
		khugepaged_stop_thread(k);
		return;
	}
	if (!list_empty(&ks->mm_head))
		khugepaged_wake(k);
}

void khugepaged_sleep_knob_changed(struct kmm_kernel *k)
{
	struct khugepaged_state *ks = khugepaged_of(k);

	if (!ks)
		return;
	ks->sleep_expire = 0;
	khugepaged_wake(k);
}

/* ---- MADV_COLLAPSE --------------------------------------------------------------------------- */

/* Models: madvise_collapse_errno(). */
static int madvise_collapse_errno(int r)
{
	switch (r) {
	case SCAN_ALLOC_HUGE_PAGE_FAIL:
		return -ENOMEM;
	case SCAN_CGROUP_CHARGE_FAIL:
		return -EBUSY;
	case SCAN_PAGE_COUNT:
	case SCAN_PAGE_LOCK:
	case SCAN_PAGE_LRU:
	case SCAN_DEL_PAGE_LRU:
		return -EAGAIN; /* temporary: trying again may succeed */
	default:
		return -EINVAL;
	}
}

/* The results after which madvise_collapse goes on with the next range. */
static bool madvise_collapse_continues(int r)
{
	switch (r) {
	case SCAN_PMD_NULL:
	case SCAN_PTE_NON_PRESENT:
	case SCAN_PTE_UFFD_WP:
	case SCAN_PAGE_RO:
	case SCAN_LACK_REFERENCED_PAGE:
	case SCAN_PAGE_NULL:
	case SCAN_PAGE_COUNT:
	case SCAN_PAGE_LOCK:
	case SCAN_PAGE_COMPOUND:
	case SCAN_PAGE_LRU:
	case SCAN_DEL_PAGE_LRU:
		return true;
	default:
		return false;
	}
}

int madvise_collapse(struct vm_area_struct *vma, struct vm_area_struct **prev, unsigned long start,
		     unsigned long end)
{
	struct mm_struct *mm = vma->vm_mm;
	struct kmm_kernel *k = mm->kernel;
	struct khugepaged_state *ks = khugepaged_of(k);
	struct collapse_control cc = {.is_khugepaged = false};
	unsigned long hstart, hend, addr;
	int thps = 0, last_fail = SCAN_FAIL;
	bool mmap_locked = true;

	*prev = vma;
	if (!ks || !hugepage_vma_check(vma, vma->vm_flags, false, false, false))
		return -EINVAL;
	mmgrab(mm);
	lru_add_drain_all(k);
	hstart = hpage_round_up(start);
	hend = end & HPAGE_PMD_MASK;
	for (addr = hstart; addr < hend; addr += HPAGE_PMD_SIZE) {
		int result;

		if (!mmap_locked) {
			mmap_locked = true;
			result = hugepage_vma_revalidate(mm, addr, false, &vma, &cc);
			if (result != SCAN_SUCCEED) {
				last_fail = result;
				break;
			}
			if ((vma->vm_end & HPAGE_PMD_MASK) < hend)
				hend = vma->vm_end & HPAGE_PMD_MASK;
		}
		result = hpage_collapse_scan_pmd(ks, mm, vma, addr, &mmap_locked, &cc);
		if (!mmap_locked)
			*prev = NULL; /* the caller looks the VMA up again */
		if (result == SCAN_SUCCEED || result == SCAN_PMD_MAPPED) {
			++thps;
			continue;
		}
		last_fail = result;
		if (!madvise_collapse_continues(result))
			break;
	}
	mmdrop(mm);
	return thps == (int)((hend - hstart) >> HPAGE_PMD_SHIFT)
		       ? 0
		       : madvise_collapse_errno(last_fail);
}

/* ---- boot, shutdown, check ------------------------------------------------------------------ */

struct task_struct *khugepaged_thread(const struct kmm_kernel *k)
{
	return k->khugepaged ? k->khugepaged->thread : NULL;
}

unsigned long khugepaged_nr_mm_slots(const struct kmm_kernel *k)
{
	return k->khugepaged ? k->khugepaged->nr_slots : 0;
}

int khugepaged_init(struct kmm_kernel *k)
{
	struct khugepaged_state *ks;

	if (!k->thp)
		return 0; /* THP not built in: nothing registers */
	ks = env_alloc(k->env, sizeof(*ks));
	if (!ks)
		return -ENOMEM;
	memset(ks, 0, sizeof(*ks));
	ks->k = k;
	INIT_LIST_HEAD(&ks->mm_head);
	env_event_init(&ks->create_ev, khugepaged_create_fn, ks);
	ks->mm_slot_cache = kmem_cache_create(k, "khugepaged_mm_slot", KHUGEPAGED_MM_SLOT_SIZE, 8,
					      0, NULL, NULL);
	ks->pages_to_scan = thp_khugepaged_knob(k, "khugepaged/pages_to_scan");
	ks->scan_sleep_millisecs = thp_khugepaged_knob(k, "khugepaged/scan_sleep_millisecs");
	ks->alloc_sleep_millisecs = thp_khugepaged_knob(k, "khugepaged/alloc_sleep_millisecs");
	ks->max_ptes_none = thp_khugepaged_knob(k, "khugepaged/max_ptes_none");
	ks->max_ptes_swap = thp_khugepaged_knob(k, "khugepaged/max_ptes_swap");
	ks->max_ptes_shared = thp_khugepaged_knob(k, "khugepaged/max_ptes_shared");
	ks->pages_collapsed = thp_khugepaged_knob(k, "khugepaged/pages_collapsed");
	ks->full_scans = thp_khugepaged_knob(k, "khugepaged/full_scans");
	if (!ks->mm_slot_cache || !ks->pages_to_scan || !ks->scan_sleep_millisecs ||
	    !ks->alloc_sleep_millisecs || !ks->max_ptes_none || !ks->max_ptes_swap ||
	    !ks->max_ptes_shared || !ks->pages_collapsed || !ks->full_scans) {
		env_free(k->env, ks);
		return -ENOMEM;
	}
	k->khugepaged = ks;
	return 0;
}

void khugepaged_fini(struct kmm_kernel *k)
{
	struct khugepaged_state *ks = khugepaged_of(k);

	if (!ks)
		return;
	env_event_cancel(k->env, &ks->create_ev);
	if (ks->thread && k->tasks)
		kthread_stop(k, ks->thread);
	while (!list_empty(&ks->mm_head)) {
		struct khugepaged_mm_slot *slot =
			list_first_entry(&ks->mm_head, struct khugepaged_mm_slot, mm_node);
		struct mm_struct *mm = slot->mm;

		list_del(&slot->mm_node);
		mm->flags &= ~MMF_VM_HUGEPAGE;
		mm_slot_free(ks, slot);
		mmdrop(mm);
	}
	env_free(k->env, ks);
	k->khugepaged = NULL;
}

#define CHECK(cond, ...)                                                                           \
	do {                                                                                       \
		if (!(cond)) {                                                                     \
			snprintf(why, whylen, __VA_ARGS__);                                        \
			return false;                                                              \
		}                                                                                  \
	} while (0)

/* The mms on the kernel's list that carry MMF_VM_HUGEPAGE. */
static unsigned long nr_flagged_mms(const struct kmm_kernel *k)
{
	const struct mm_state *ms = k->mm_state;
	unsigned long n = 0;

	for (const struct list_head *l = ms ? ms->mms.next : NULL; l && l != &ms->mms; l = l->next)
		n += !!(list_entry(l, struct mm_struct, mmlist)->flags & MMF_VM_HUGEPAGE);
	return n;
}

bool khugepaged_check(const struct kmm_kernel *k, char *why, size_t whylen)
{
	const struct khugepaged_state *ks = khugepaged_of(k);
	unsigned long n = 0, hashed = 0;
	bool cursor_found = !ks || !ks->scan_slot;

	if (!ks)
		return true;
	for (const struct list_head *l = ks->mm_head.next; l != &ks->mm_head; l = l->next) {
		const struct khugepaged_mm_slot *slot =
			list_entry(l, struct khugepaged_mm_slot, mm_node);
		const struct mm_struct *mm = slot->mm;

		n++;
		CHECK(mm && (mm->flags & MMF_VM_HUGEPAGE),
		      "khugepaged: slot %lu's mm lacks MMF_VM_HUGEPAGE", n); /* 1 */
		CHECK(mm->mm_count >= 1, "khugepaged: slot %lu holds no mm_count", n);
		CHECK(mm_slot_lookup(ks, mm) == slot, "khugepaged: slot %lu not (only) in the hash",
		      n);
		CHECK(mm->mm_users > 0 || slot == ks->scan_slot,
		      "khugepaged: an exited mm kept off the cursor"); /* 3 */
		cursor_found |= slot == ks->scan_slot;
	}
	for (unsigned int h = 0; h < MM_SLOTS_HASH_SIZE; h++)
		for (const struct khugepaged_mm_slot *s = ks->hash[h]; s; s = s->hash_next)
			hashed++;
	CHECK(hashed == n && n == ks->nr_slots,
	      "khugepaged: %lu slots listed, %lu hashed, %lu counted", n, hashed, ks->nr_slots);
	CHECK(cursor_found && !(ks->scan_address & ~HPAGE_PMD_MASK),
	      "khugepaged: scan cursor off the list or unaligned (%#lx)", ks->scan_address); /* 2 */
	CHECK(!ks->thread || k->thp_enabled, "khugepaged: thread runs with THP never");	     /* 4 */
	CHECK(nr_flagged_mms(k) == n, "khugepaged: %lu mms flagged MMF_VM_HUGEPAGE, %lu slots",
	      nr_flagged_mms(k), n); /* 1: each flagged mm on the kernel's list has its slot */
	return true;
}
