/*
 * User page tables and page faults: table allocation, handle_mm_fault and its handlers, the
 * per-task rss caches, zapping with an mmu_gather, freeing page tables, and fork's copy.
 *
 * Models: mm/memory.c (Linux 6.1): __pud_alloc/__pmd_alloc/__pte_alloc, handle_mm_fault,
 *         __handle_mm_fault, handle_pte_fault, do_anonymous_page, do_wp_page, wp_page_reuse,
 *         wp_page_copy, vm_normal_page, mm_account_fault, zap_pte_range..unmap_vmas,
 *         zap_page_range, free_pgd_range/free_pgtables, copy_page_range/copy_present_pte,
 *         do_swap_page (with should_try_to_free_swap), copy_nonpresent_pte (swap entries),
 *         zap of swap entries;
 *         include/linux/mm.h SPLIT_RSS_COUNTING (add_mm_counter_fast, check_sync_rss_stat,
 *         sync_mm_rss, add_mm_rss_vec); include/asm-generic/tlb.h, mm/mmu_gather.c and
 *         arch/arm64/include/asm/tlb.h (the gather, tlb_flush, tlb_remove_table).
 * Deviation: no THP (a PMD is always a table here), no NUMA hinting, no userfaultfd; locks
 *         are not modelled. The page tables down to the PTE table exist before a handler
 *         runs (__handle_mm_fault allocates them), so no prealloc_pte.
 * The gather is 6.1's: 8 pages on the stack, then batch pages of 510 (at most 19) taken with
 *         GFP_NOWAIT, a flush (arm64 tlb_flush: the range with its stride and TTL level, a
 *         whole-ASID flush above MAX_TLBI_OPS) and the frees only when no batch page can be
 *         had, the batch pages freed by tlb_finish_mmu. Page tables go through the table batch
 *         (MMU_GATHER_RCU_TABLE_FREE, selected by arm64 and set in the captured config) and are
 *         freed after a grace period, modelled on the event queue: it ends at the first run
 *         point after call_rcu (the return of the unmapping call: back to user space, a
 *         quiescent state) and the callback runs at the next one (the following call).
 * Deviation: the kernel's callback runs a tick or so later (wall time), so the capture shows
 *         a 4 MiB munmap's "pgfree 3" (2 PTE tables + the batch page) in the next step (and
 *         "in one step or the next" run to run); kmmsim's report-step makes several API calls
 *         before it reads /proc/vmstat, so there it lands in the munmap step itself.
 * Deviation: a gather batch keeps its entries in host memory beside the simulated page that
 *         backs it (the page is what pgalloc/pgfree and the free counts see); the same for
 *         the table batch. tlb_batch_pages_flush does not cond_resched (no run point there,
 *         so a grace period cannot end inside the call that began it). tlb_remove_table_one's
 *         IPI (no batch page) is not modelled.
 *
 * Sections: current task and rss counters; page-table allocation; faults; zap and free;
 * fork's copy; checks and the page-placement walker.
 *
 * Invariants (mm_check):
 *  1. Every valid or PROT_NONE PTE in an mm's tables lies inside one of its VMAs.
 *  2. For every page, _mapcount + 1 equals the number of PTEs (over all mms) that map it;
 *     the zero page is mapped only by special PTEs and never counted.
 *  3. An mm's rss counters (synced plus every task's unsynced cache for it) equal the PTEs
 *     mapping anon pages (MM_ANONPAGES) and file pages (MM_FILEPAGES / MM_SHMEMPAGES).
 *  4. pgtables_bytes is 4096 times the PUD, PMD and PTE table pages below the pgd; no table
 *     page is reachable twice (claimed once by the "user page table" placement row).
 *  5. NR_ANON_MAPPED equals the anon pages with _mapcount >= 0.
 *  6. Every swap entry in a PTE names a slot whose swap_map count equals the number of PTEs
 *     holding it (no shmem swap, no continuation counts), and MM_SWAPENTS counts an mm's.
 * mm_check also runs, for each mm, the VMA layer's mmap_check, mprotect.c's mprotect_check
 * (PTE permissions within the VMA's) and mlock.c's mlock_check (locked_vm).
 */
#include "mm/memory.h"

#include "arch/arm64/include/asm/pgtable.h"
#include "arch/arm64/include/asm/tlbflush.h"
#include "kernel/sched.h"
#include "lib/bug.h"
#include "lib/trace.h"
#include "mm/gfp.h"
#include "mm/huge_mm.h"
#include "mm/hugetlb.h"
#include "mm/mm_state.h"
#include "mm/mman.h"
#include "mm/migrate.h"
#include "mm/mmap.h"
#include "mm/page_place.h"
#include "mm/pagemap.h"
#include "mm/rmap.h"
#include "mm/swap.h"
#include "mm/swap_state.h"
#include "mm/swapfile.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define GFP_PGTABLE_USER (GFP_KERNEL | __GFP_ZERO | __GFP_ACCOUNT)

/* ---- the current task and the rss counters ------------------------------------------- */

void set_current_task(struct kmm_kernel *k, struct task_struct *tsk)
{
	k->mm_state->current = tsk;
}

struct task_struct *get_current_task(const struct kmm_kernel *k)
{
	return k->mm_state->current;
}

unsigned int memalloc_noreclaim_save(struct kmm_kernel *k)
{
	struct task_struct *cur = get_current_task(k);
	unsigned int saved;

	if (!cur) {
		k->mm_state->host_memalloc++;
		return 0;
	}
	saved = cur->flags & PF_MEMALLOC;
	cur->flags |= PF_MEMALLOC;
	return saved;
}

void memalloc_noreclaim_restore(struct kmm_kernel *k, unsigned int saved)
{
	struct task_struct *cur = get_current_task(k);

	if (!cur) {
		if (k->mm_state->host_memalloc)
			k->mm_state->host_memalloc--;
		return;
	}
	cur->flags = (cur->flags & ~PF_MEMALLOC) | saved;
}

bool current_is_memalloc(const struct kmm_kernel *k)
{
	struct task_struct *cur = get_current_task(k);

	return cur ? (cur->flags & PF_MEMALLOC) != 0 : k->mm_state->host_memalloc > 0;
}

unsigned long get_mm_counter(const struct mm_struct *mm, int member)
{
	long v = mm->rss_stat[member];

	return v < 0 ? 0 : (unsigned long)v;
}

/*
 * Models: mm_trace_rss_stat(): kmem:rss_stat, the counter's new size in bytes. mm_id is the
 * kernel's hashed pointer; here the mm's slab object address folded to 32 bits (stable).
 */
static void trace_rss_stat(struct mm_struct *mm, int member)
{
	static const char *const names[NR_MM_COUNTERS] = {"MM_FILEPAGES", "MM_ANONPAGES",
							  "MM_SWAPENTS", "MM_SHMEMPAGES"};
	struct kmm_kernel *k = mm->kernel;
	struct task_struct *cur = get_current_task(k);

	if (!trace_enabled(k->env, TRACE_rss_stat))
		return;
	trace_emit(k->env, TRACE_rss_stat, "mm_id=%u curr=%d type=%s size=%ldB",
		   (unsigned)(mm->slab_obj >> 6 ^ mm->slab_obj >> 38), cur && cur->mm == mm,
		   names[member], mm->rss_stat[member] * (long)PAGE_SIZE); /* may be < 0 */
}

void add_mm_counter(struct mm_struct *mm, int member, long value)
{
	mm->rss_stat[member] += value;
	trace_rss_stat(mm, member);
}

unsigned long get_mm_rss(const struct mm_struct *mm)
{
	return get_mm_counter(mm, MM_FILEPAGES) + get_mm_counter(mm, MM_ANONPAGES) +
	       get_mm_counter(mm, MM_SHMEMPAGES);
}

void sync_mm_rss(struct task_struct *tsk, struct mm_struct *mm)
{
	for (int i = 0; i < NR_MM_COUNTERS; i++) {
		if (tsk->rss_stat.count[i]) {
			add_mm_counter(mm, i, tsk->rss_stat.count[i]);
			mm->rss_pending[i] -= tsk->rss_stat.count[i];
			tsk->rss_stat.count[i] = 0;
		}
	}
	tsk->rss_stat.events = 0;
}

void update_hiwater_rss(struct mm_struct *mm)
{
	unsigned long rss = get_mm_rss(mm);

	if (mm->hiwater_rss < rss)
		mm->hiwater_rss = rss;
}

void update_hiwater_vm(struct mm_struct *mm)
{
	if (mm->hiwater_vm < mm->total_vm)
		mm->hiwater_vm = mm->total_vm;
}

int mm_counter_file(const struct page *page)
{
	return PageSwapBacked(page) ? MM_SHMEMPAGES : MM_FILEPAGES;
}

int mm_counter(const struct page *page)
{
	return PageAnon(page) ? MM_ANONPAGES : mm_counter_file(page);
}

/* Models: add_mm_counter_fast(): into current's cache when current runs @mm. */
static void add_mm_counter_fast(struct mm_struct *mm, int member, int val)
{
	struct task_struct *task = get_current_task(mm->kernel);

	if (task && task->mm == mm) {
		task->rss_stat.count[member] += val;
		mm->rss_pending[member] += val;
	} else
		add_mm_counter(mm, member, val);
}

/* Models: check_sync_rss_stat(): every TASK_RSS_EVENTS_THRESH faults, fold the cache in. */
static void check_sync_rss_stat(struct kmm_kernel *k)
{
	struct task_struct *task = get_current_task(k);

	if (task && task->mm && task->rss_stat.events++ > TASK_RSS_EVENTS_THRESH)
		sync_mm_rss(task, task->mm);
}

/* ---- page-table allocation ------------------------------------------------------------ */

/* A zeroed page for a user page table, counted in pgtables_bytes. 0 when out of memory. */
static phys_addr_t pgtable_alloc_user(struct mm_struct *mm, bool pte_table)
{
	struct kmm_kernel *k = mm->kernel;
	struct page *page = alloc_pages(k, GFP_PGTABLE_USER, 0);

	if (!page)
		return 0;
	mm->pgtables_bytes += PAGE_SIZE;
	if (pte_table) /* pgtable_pte_page_ctor (and pgtable_pmd_page_ctor below) */
		mod_node_page_state_of(k, page, NR_PAGETABLE, 1);
	return PFN_PHYS(page_to_pfn(k, page));
}

/* mm_dec_nr_p?ds and the pgtable dtor: the page itself is freed after the TLB flush. */
static void pgtable_unaccount_user(struct mm_struct *mm, phys_addr_t pa, bool counted)
{
	struct kmm_kernel *k = mm->kernel;

	mm->pgtables_bytes -= PAGE_SIZE;
	if (counted)
		mod_node_page_state_of(k, pfn_to_page(k, PHYS_PFN(pa)), NR_PAGETABLE, -1);
}

/*
 * Models: __pud_alloc (pud_alloc_one: no NR_PAGETABLE in 6.1), __pmd_alloc and __pte_alloc
 * (both through a pgtable ctor: NR_PAGETABLE), with the user table descriptors of arm64
 * (p?d_populate: TYPE_TABLE | TABLE_PXN).
 */
pud_t *mm_pud_alloc(struct mm_struct *mm, unsigned long addr)
{
	struct kmm_kernel *k = mm->kernel;
	pgd_t *pgdp = pgd_offset_pgd(k, mm->pgd, addr);
	p4d_t *p4dp = p4d_offset(pgdp, addr);
	phys_addr_t pa;

	if (p4d_none(*p4dp)) {
		pa = pgtable_alloc_user(mm, false);
		if (!pa)
			return NULL;
		__p4d_populate(p4dp, pa, P4D_TYPE_TABLE | P4D_TABLE_PXN);
	}
	return pud_offset(k, p4dp, addr);
}

pmd_t *mm_pmd_alloc(struct mm_struct *mm, unsigned long addr)
{
	struct kmm_kernel *k = mm->kernel;
	pud_t *pudp = mm_pud_alloc(mm, addr);
	phys_addr_t pa;

	if (!pudp)
		return NULL;
	if (pud_none(*pudp)) {
		pa = pgtable_alloc_user(mm, true);
		if (!pa)
			return NULL;
		__pud_populate(pudp, pa, PUD_TYPE_TABLE | PUD_TABLE_PXN);
	} else if (!pud_table(*pudp)) {
		return NULL;
	}
	return pmd_offset(k, pudp, addr);
}

uint64_t *mm_pte_alloc(struct mm_struct *mm, unsigned long addr)
{
	struct kmm_kernel *k = mm->kernel;
	pmd_t *pmdp = mm_pmd_alloc(mm, addr);
	phys_addr_t pa;

	if (!pmdp)
		return NULL;
	if (pmd_none(*pmdp)) {
		pa = pgtable_alloc_user(mm, true);
		if (!pa)
			return NULL;
		__pmd_populate(pmdp, pa, PMD_TYPE_TABLE | PMD_TABLE_PXN);
	} else if (!pmd_table(*pmdp)) {
		return NULL;
	}
	return (uint64_t *)pte_offset_kernel(k, pmdp, addr);
}

struct page *pte_alloc_one(struct mm_struct *mm)
{
	phys_addr_t pa = pgtable_alloc_user(mm, true);

	return pa ? pfn_to_page(mm->kernel, PHYS_PFN(pa)) : NULL;
}

void pte_free(struct mm_struct *mm, struct page *pgtable)
{
	struct kmm_kernel *k = mm->kernel;
	phys_addr_t pa = PFN_PHYS(page_to_pfn(k, pgtable));

	pgtable_unaccount_user(mm, pa, true);
	__free_pages(k, pgtable, 0);
}

uint64_t *mm_pte_lookup(const struct mm_struct *mm, unsigned long addr)
{
	const struct kmm_kernel *k = mm->kernel;
	pgd_t *pgdp = pgd_offset_pgd(k, mm->pgd, addr);
	p4d_t *p4dp = p4d_offset(pgdp, addr);
	pud_t *pudp;
	pmd_t *pmdp;

	if (p4d_none(*p4dp))
		return NULL;
	pudp = pud_offset(k, p4dp, addr);
	if (!pud_table(*pudp))
		return NULL;
	pmdp = pmd_offset(k, pudp, addr);
	if (!pmd_table(*pmdp))
		return NULL;
	return (uint64_t *)pte_offset_kernel(k, pmdp, addr);
}

/* ---- faults --------------------------------------------------------------------------- */

static inline struct kmm_kernel *vma_kernel(const struct vm_area_struct *vma)
{
	return vma->vm_mm->kernel;
}

/* Models: vm_normal_page(): the struct page a PTE maps, NULL for special ones. */
static struct page *vm_normal_page(struct vm_area_struct *vma, pte_t pte)
{
	struct kmm_kernel *k = vma_kernel(vma);
	unsigned long pfn = pte_pfn(pte);

	if (pte_special(pte) || is_zero_pfn(k, pfn) || !pfn_valid(k, pfn))
		return NULL;
	return pfn_to_page(k, pfn);
}

/* Models: maybe_mkwrite(): writable if the VMA is. */
static pte_t maybe_mkwrite(pte_t pte, const struct vm_area_struct *vma)
{
	return (vma->vm_flags & VM_WRITE) ? pte_mkwrite(pte) : pte;
}

/* Models: alloc_zeroed_user_highpage_movable() (arm64 fault.c). */
static struct page *alloc_zeroed_user_highpage_movable(struct vm_area_struct *vma)
{
	return alloc_pages(vma_kernel(vma), GFP_HIGHUSER_MOVABLE | __GFP_ZERO, 0);
}

/* Models: do_anonymous_page(): the zero page on a read, a new zeroed page on a write. */
static vm_fault_t do_anonymous_page(struct vm_fault *vmf)
{
	struct vm_area_struct *vma = vmf->vma;
	struct kmm_kernel *k = vma_kernel(vma);
	struct page *page;
	pte_t entry;

	if (vma->vm_flags & VM_SHARED)
		return VM_FAULT_SIGBUS;
	if (!(vmf->flags & FAULT_FLAG_WRITE)) {
		entry = pte_mkspecial(
			pfn_pte(mm_state_of(k)->zero_pfn, __pgprot(vma->vm_page_prot)));
		goto setpte;
	}
	if (anon_vma_prepare(vma))
		return VM_FAULT_OOM;
	page = alloc_zeroed_user_highpage_movable(vma);
	if (!page)
		return VM_FAULT_OOM;
	__SetPageUptodate(page);
	entry = mk_pte(k, page, __pgprot(vma->vm_page_prot));
	if (vma->vm_flags & VM_WRITE)
		entry = pte_mkwrite(pte_mkdirty(entry));
	add_mm_counter_fast(vma->vm_mm, MM_ANONPAGES, 1);
	page_add_new_anon_rmap(page, vma, vmf->address);
	lru_cache_add_inactive_or_unevictable(k, page, vma);
setpte:
	set_pte_at(k, vma->vm_mm, vmf->address, vmf->pte, entry);
	return 0;
}

/* Models: wp_page_reuse(): the page stays; the PTE becomes young, dirty and writable. */
static void wp_page_reuse(struct vm_fault *vmf)
{
	struct vm_area_struct *vma = vmf->vma;
	pte_t entry = maybe_mkwrite(pte_mkdirty(pte_mkyoung(vmf->orig_pte)), vma);

	ptep_set_access_flags(vma_kernel(vma), vma, vmf->address, vmf->pte, entry, 1);
	count_vm_event_k(vma_kernel(vma), PGREUSE);
}

/* Models: wp_page_copy(): a private copy of vmf->page (or of the zero page) replaces it. */
static vm_fault_t wp_page_copy(struct vm_fault *vmf)
{
	struct vm_area_struct *vma = vmf->vma;
	struct mm_struct *mm = vma->vm_mm;
	struct kmm_kernel *k = mm->kernel;
	struct page *old_page = vmf->page, *new_page;
	pte_t entry;

	if (anon_vma_prepare(vma))
		goto oom;
	if (!old_page) {
		new_page = alloc_zeroed_user_highpage_movable(vma);
		if (!new_page)
			goto oom;
	} else {
		void *dst, *src;

		new_page = alloc_pages(k, GFP_HIGHUSER_MOVABLE, 0);
		if (!new_page)
			goto oom;
		dst = page_host(k, new_page, PAGE_SIZE);
		src = page_host(k, old_page, PAGE_SIZE);
		if (dst && src)
			memcpy(dst, src, PAGE_SIZE); /* __wp_page_copy_user: copy_user_highpage */
	}
	__SetPageUptodate(new_page);
	if (old_page) {
		if (!PageAnon(old_page)) {
			add_mm_counter_fast(mm, mm_counter_file(old_page), -1);
			add_mm_counter_fast(mm, MM_ANONPAGES, 1);
		}
	} else {
		add_mm_counter_fast(mm, MM_ANONPAGES, 1);
	}
	entry = mk_pte(k, new_page, __pgprot(vma->vm_page_prot));
	entry = maybe_mkwrite(pte_mkdirty(entry), vma);
	/* break-before-make: clear and flush, then the new entry */
	ptep_clear_flush(k, vma, vmf->address, vmf->pte);
	page_add_new_anon_rmap(new_page, vma, vmf->address);
	lru_cache_add_inactive_or_unevictable(k, new_page, vma);
	set_pte_at(k, mm, vmf->address, vmf->pte, entry);
	if (old_page) {
		page_remove_rmap(old_page, vma, false);
		put_page(k, old_page); /* the mapping's reference */
		put_page(k, old_page); /* do_wp_page's get_page */
	}
	return VM_FAULT_WRITE;
oom:
	if (old_page)
		put_page(k, old_page);
	return VM_FAULT_OOM;
}

/* ---- file faults (do_fault) ----------------------------------------------------------- */

void do_set_pte(struct vm_fault *vmf, struct page *page, unsigned long addr)
{
	struct vm_area_struct *vma = vmf->vma;
	struct kmm_kernel *k = vma_kernel(vma);
	bool write = vmf->flags & FAULT_FLAG_WRITE;
	bool prefault = vmf->address != addr;
	pte_t entry = mk_pte(k, page, __pgprot(vma->vm_page_prot));

	if (prefault && arch_wants_old_prefaulted_pte(k))
		entry = pte_mkold(entry);
	if (write)
		entry = maybe_mkwrite(pte_mkdirty(entry), vma);
	if (write && !(vma->vm_flags & VM_SHARED)) { /* a copy-on-write page */
		add_mm_counter_fast(vma->vm_mm, MM_ANONPAGES, 1);
		page_add_new_anon_rmap(page, vma, addr);
		lru_cache_add_inactive_or_unevictable(k, page, vma);
	} else {
		add_mm_counter_fast(vma->vm_mm, mm_counter_file(page), 1);
		page_add_file_rmap(page, vma, false);
	}
	set_pte_at(k, vma->vm_mm, addr, vmf->pte, entry);
}

/* Models: __do_fault(): ->fault gives a locked, referenced page in vmf->page. */
static vm_fault_t __do_fault(struct vm_fault *vmf)
{
	vm_fault_t ret = vmf->vma->vm_ops->fault(vmf);

	if (ret & (VM_FAULT_ERROR | VM_FAULT_NOPAGE | VM_FAULT_RETRY | VM_FAULT_DONE_COW))
		return ret;
	if (!(ret & VM_FAULT_LOCKED))
		folio_lock(page_folio(vmf->page));
	return ret;
}

/* Models: finish_fault(): maps vmf->page (or the COW copy) unless the PTE changed. */
static vm_fault_t finish_fault(struct vm_fault *vmf)
{
	struct vm_area_struct *vma = vmf->vma;
	struct page *page;

	if ((vmf->flags & FAULT_FLAG_WRITE) && !(vma->vm_flags & VM_SHARED))
		page = vmf->cow_page;
	else
		page = vmf->page;
	vmf->pte = (pte_t *)mm_pte_lookup(vma->vm_mm, vmf->address);
	if (!vmf->pte)
		return VM_FAULT_OOM;
	if ((vmf->flags & FAULT_FLAG_ORIG_PTE_VALID) ? pte_val(*vmf->pte) != pte_val(vmf->orig_pte)
						     : !pte_none(*vmf->pte))
		return VM_FAULT_NOPAGE; /* vmf_pte_changed */
	do_set_pte(vmf, page, vmf->address);
	return 0;
}

/*
 * Models: do_fault_around(): ->map_pages over the fault_around_bytes-aligned window around
 * the address, clipped to the VMA and to the PTE table.
 */
static vm_fault_t do_fault_around(struct vm_fault *vmf)
{
	struct vm_area_struct *vma = vmf->vma;
	unsigned long nr_pages = mm_state_of(vma_kernel(vma))->fault_around_bytes >> PAGE_SHIFT;
	unsigned long mask = ~(nr_pages * PAGE_SIZE - 1) & PAGE_MASK;
	unsigned long address = vmf->address & mask;
	unsigned long start_pgoff = vmf->pgoff, end_pgoff, off;

	if (address < vma->vm_start)
		address = vma->vm_start;
	off = ((vmf->address - address) >> PAGE_SHIFT) & (PTRS_PER_PTE - 1);
	start_pgoff -= off;
	end_pgoff = start_pgoff - ((address >> PAGE_SHIFT) & (PTRS_PER_PTE - 1)) + PTRS_PER_PTE - 1;
	if (end_pgoff > vma_pages(vma) + vma->vm_pgoff - 1)
		end_pgoff = vma_pages(vma) + vma->vm_pgoff - 1;
	if (end_pgoff > start_pgoff + nr_pages - 1)
		end_pgoff = start_pgoff + nr_pages - 1;
	return vma->vm_ops->map_pages(vmf, start_pgoff, end_pgoff);
}

/* Models: do_read_fault(): fault-around first, ->fault if that did not map the address. */
static vm_fault_t do_read_fault(struct vm_fault *vmf)
{
	struct vm_area_struct *vma = vmf->vma;
	vm_fault_t ret;

	if (vma->vm_ops->map_pages &&
	    mm_state_of(vma_kernel(vma))->fault_around_bytes >> PAGE_SHIFT > 1) {
		ret = do_fault_around(vmf);
		if (ret)
			return ret;
	}
	ret = __do_fault(vmf);
	if (ret & (VM_FAULT_ERROR | VM_FAULT_NOPAGE | VM_FAULT_RETRY))
		return ret;
	ret |= finish_fault(vmf);
	folio_unlock(page_folio(vmf->page));
	if (ret & (VM_FAULT_ERROR | VM_FAULT_NOPAGE | VM_FAULT_RETRY))
		put_page(vma_kernel(vma), vmf->page);
	return ret;
}

/* Models: do_cow_fault(): a write to a private file mapping: a private copy of the page. */
static vm_fault_t do_cow_fault(struct vm_fault *vmf)
{
	struct vm_area_struct *vma = vmf->vma;
	struct kmm_kernel *k = vma_kernel(vma);
	vm_fault_t ret;
	void *d, *s;

	if (anon_vma_prepare(vma))
		return VM_FAULT_OOM;
	vmf->cow_page = alloc_pages(k, GFP_HIGHUSER_MOVABLE, 0);
	if (!vmf->cow_page)
		return VM_FAULT_OOM;
	ret = __do_fault(vmf);
	if (ret & (VM_FAULT_ERROR | VM_FAULT_NOPAGE | VM_FAULT_RETRY))
		goto uncharge_out;
	d = page_host(k, vmf->cow_page, PAGE_SIZE);
	s = page_host(k, vmf->page, PAGE_SIZE);
	if (d && s)
		memcpy(d, s, PAGE_SIZE); /* copy_user_highpage */
	__SetPageUptodate(vmf->cow_page);
	ret |= finish_fault(vmf);
	folio_unlock(page_folio(vmf->page));
	put_page(k, vmf->page);
	if (ret & (VM_FAULT_ERROR | VM_FAULT_NOPAGE | VM_FAULT_RETRY))
		goto uncharge_out;
	return ret;
uncharge_out:
	put_page(k, vmf->cow_page);
	return ret;
}

/* Models: do_page_mkwrite(): the file is told a page is about to become writable. */
static vm_fault_t do_page_mkwrite(struct vm_fault *vmf)
{
	unsigned int old_flags = vmf->flags;
	vm_fault_t ret;

	vmf->flags = FAULT_FLAG_WRITE | FAULT_FLAG_MKWRITE;
	ret = vmf->vma->vm_ops->page_mkwrite(vmf);
	vmf->flags = old_flags;
	if (ret & (VM_FAULT_ERROR | VM_FAULT_NOPAGE))
		return ret;
	if (!(ret & VM_FAULT_LOCKED)) {
		folio_lock(page_folio(vmf->page));
		ret |= VM_FAULT_LOCKED;
	}
	return ret;
}

/* Models: fault_dirty_shared_page(): the page is dirty; unlock it. */
static vm_fault_t fault_dirty_shared_page(struct vm_fault *vmf)
{
	struct kmm_kernel *k = vma_kernel(vmf->vma);
	struct folio *folio = page_folio(vmf->page);

	folio_mark_dirty(k, folio);
	folio_unlock(folio);
	return 0;
}

/* Models: do_shared_fault(): a write fault on a shared file mapping. */
static vm_fault_t do_shared_fault(struct vm_fault *vmf)
{
	struct vm_area_struct *vma = vmf->vma;
	struct kmm_kernel *k = vma_kernel(vma);
	vm_fault_t ret, tmp;

	ret = __do_fault(vmf);
	if (ret & (VM_FAULT_ERROR | VM_FAULT_NOPAGE | VM_FAULT_RETRY))
		return ret;
	if (vma->vm_ops->page_mkwrite) {
		folio_unlock(page_folio(vmf->page));
		tmp = do_page_mkwrite(vmf);
		if (!tmp || (tmp & (VM_FAULT_ERROR | VM_FAULT_NOPAGE))) {
			put_page(k, vmf->page);
			return tmp;
		}
	}
	ret |= finish_fault(vmf);
	if (ret & (VM_FAULT_ERROR | VM_FAULT_NOPAGE | VM_FAULT_RETRY)) {
		folio_unlock(page_folio(vmf->page));
		put_page(k, vmf->page);
		return ret;
	}
	ret |= fault_dirty_shared_page(vmf);
	return ret;
}

/* Models: do_fault(). */
static vm_fault_t do_fault(struct vm_fault *vmf)
{
	struct vm_area_struct *vma = vmf->vma;

	if (!vma->vm_ops->fault)
		return VM_FAULT_SIGBUS;
	if (!(vmf->flags & FAULT_FLAG_WRITE))
		return do_read_fault(vmf);
	if (!(vma->vm_flags & VM_SHARED))
		return do_cow_fault(vmf);
	return do_shared_fault(vmf);
}

/* Models: wp_page_shared(): a write to a shared page mapped read-only (write-notify). */
static vm_fault_t wp_page_shared(struct vm_fault *vmf)
{
	struct vm_area_struct *vma = vmf->vma;
	struct kmm_kernel *k = vma_kernel(vma);
	vm_fault_t ret = VM_FAULT_WRITE, tmp;

	get_page(vmf->page);
	if (vma->vm_ops && vma->vm_ops->page_mkwrite) {
		tmp = do_page_mkwrite(vmf);
		if (!tmp || (tmp & (VM_FAULT_ERROR | VM_FAULT_NOPAGE))) {
			put_page(k, vmf->page);
			return tmp;
		}
		/* finish_mkwrite_fault: the PTE must still be the one we saw */
		if (pte_val(*vmf->pte) != pte_val(vmf->orig_pte)) {
			folio_unlock(page_folio(vmf->page));
			put_page(k, vmf->page);
			return VM_FAULT_NOPAGE;
		}
		wp_page_reuse(vmf);
	} else {
		wp_page_reuse(vmf);
		folio_lock(page_folio(vmf->page));
	}
	ret |= fault_dirty_shared_page(vmf);
	put_page(k, vmf->page);
	return ret;
}

/* Models: do_wp_page(): a write to a present read-only PTE: reuse or copy. */
static vm_fault_t do_wp_page(struct vm_fault *vmf)
{
	struct vm_area_struct *vma = vmf->vma;
	struct page *page;

	vmf->page = vm_normal_page(vma, vmf->orig_pte);
	if (!vmf->page)
		return wp_page_copy(vmf); /* the zero page (no VM_PFNMAP/MIXEDMAP here) */
	if (vma->vm_flags & (VM_SHARED | VM_MAYSHARE))
		return wp_page_shared(vmf);
	page = vmf->page;
	if (PageAnon(page)) {
		if (PageAnonExclusive(page))
			goto reuse;
		if (page_ref_count(page) > 3)
			goto copy;
		if (!PageLRU(page)) /* a reference may sit in a per-CPU LRU batch */
			lru_add_drain(vma_kernel(vma));
		if (page_ref_count(page) != 1)
			goto copy;
		SetPageAnonExclusive(page); /* page_move_anon_rmap */
		page->mapping = (void *)((uintptr_t)vma->anon_vma | PAGE_MAPPING_ANON);
	reuse:
		wp_page_reuse(vmf);
		return VM_FAULT_WRITE;
	}
copy:
	get_page(page);
	return wp_page_copy(vmf);
}

/*
 * Models: should_try_to_free_swap(): drop the swap copy after a swap-in when swap is over
 * half full, the page is mlocked, or a write fault leaves only this mapping and the cache.
 */
static bool should_try_to_free_swap(struct kmm_kernel *k, struct folio *folio,
				    const struct vm_area_struct *vma, unsigned int fault_flags)
{
	if (!folio_test_swapcache(folio))
		return false;
	if (vm_swap_full(k) || (vma->vm_flags & VM_LOCKED) || folio_test_mlocked(folio))
		return true;
	return (fault_flags & FAULT_FLAG_WRITE) && folio_ref_count(folio) == 2;
}

/*
 * Models: do_swap_page()'s SWP_SYNCHRONOUS_IO shortcut (zram, a slot no one else uses): a
 * new page read at once, outside the swap cache. NULL: no memory, or 0 in *@ret to retry.
 */
static struct folio *swapin_sync(struct vm_fault *vmf, swp_entry_t entry, vm_fault_t *ret)
{
	struct kmm_kernel *k = vma_kernel(vmf->vma);
	struct page *page = alloc_pages(k, GFP_HIGHUSER_MOVABLE, 0);
	struct folio *folio;

	/* Deviation: allocated before swapcache_prepare (6.1.192 after), so no failure path
	 * has to clear SWAP_HAS_CACHE without a folio; the outcome is the same. */
	if (!page) {
		*ret = VM_FAULT_OOM;
		return NULL;
	}
	folio = page_folio(page);
	if (swapcache_prepare(k, entry)) {
		folio_put(k, folio);
		*ret = 0;
		return NULL;
	}
	__folio_set_locked(folio);
	__folio_set_swapbacked(folio);
	folio_add_lru(k, folio);
	folio->private = entry.val; /* folio_set_swap_entry: where swap_readpage reads */
	swap_readpage(k, page, true);
	folio->private = 0;
	return folio;
}

/*
 * Models: do_swap_page(): a fault on a swap PTE. The folio comes from the swap cache, from
 * the SWP_SYNCHRONOUS_IO shortcut, or from swapin_readahead (a major fault, pgmajfault). The
 * PTE takes it back (MM_SWAPENTS to MM_ANONPAGES), exclusive when the swap PTE carried the
 * marker, the folio is new, or only this mapping holds it: then a write fault maps it
 * writable at once; otherwise do_wp_page copies.
 * Deviation: a fault on an entry whose device is gone returns VM_FAULT_SIGBUS (the kernel
 * returns 0 and the access faults again until swapoff restored the PTE).
 */
static vm_fault_t do_swap_page(struct vm_fault *vmf)
{
	struct vm_area_struct *vma = vmf->vma;
	struct kmm_kernel *k = vma_kernel(vma);
	swp_entry_t entry = pte_to_swp_entry(vmf->orig_pte);
	struct folio *swapcache, *folio;
	struct swap_info_struct *si;
	unsigned int rmap_flags = RMAP_NONE;
	bool need_clear_cache = false, exclusive;
	vm_fault_t ret = 0;
	struct page *page;
	pte_t pte;

	if (non_swap_entry(entry)) {
		if (is_migration_entry(entry)) { /* wait for the move, then the access retries */
			migration_entry_wait(k, vma->vm_mm, vmf->pte);
			return 0;
		}
		return VM_FAULT_SIGBUS; /* no hwpoison or marker entries here */
	}
	si = get_swap_device(k, entry);
	if (!si)
		return VM_FAULT_SIGBUS;
	folio = swap_cache_get_folio(k, entry, vma, vmf->address);
	swapcache = folio;
	if (!folio) {
		if ((si->flags & SWP_SYNCHRONOUS_IO) && __swap_count(k, entry) == 1) {
			folio = swapin_sync(vmf, entry, &ret);
			if (!folio)
				return ret;
			need_clear_cache = true;
		} else {
			page = swapin_readahead(k, entry, GFP_HIGHUSER_MOVABLE, vmf);
			folio = page ? page_folio(page) : NULL;
			swapcache = folio;
		}
		if (!folio)
			return pte_same(*vmf->pte, vmf->orig_pte) ? VM_FAULT_OOM : 0;
		ret = VM_FAULT_MAJOR;
		count_vm_event_k(k, PGMAJFAULT);
	}
	folio_lock_io(k, folio);
	page = &folio->page;
	if (swapcache) {
		/* folio_file_page(): a THP swapped out whole maps the page of this slot */
		if (folio_test_large(folio) && folio_test_swapcache(folio) &&
		    entry.val - folio->private < folio_nr_pages(folio))
			page = folio_page(folio, entry.val - folio->private);
		if (!folio_test_swapcache(folio) || page->private != entry.val)
			goto out_page;
		if ((vmf->flags & FAULT_FLAG_WRITE) && !folio_test_lru(folio))
			lru_add_drain(k);
	}
	if (!pte_same(*vmf->pte, vmf->orig_pte))
		goto out_page;
	if (!folio_test_uptodate(folio)) {
		ret = VM_FAULT_SIGBUS;
		goto out_page;
	}
	exclusive = pte_swp_exclusive(vmf->orig_pte);
	if (folio != swapcache)
		exclusive = true;
	else if (exclusive && folio_test_writeback(folio) && (si->flags & SWP_STABLE_WRITES))
		exclusive = false;

	swap_free(k, entry);
	if (should_try_to_free_swap(k, folio, vma, vmf->flags))
		folio_free_swap(k, folio);
	add_mm_counter_fast(vma->vm_mm, MM_ANONPAGES, 1);
	add_mm_counter_fast(vma->vm_mm, MM_SWAPENTS, -1);
	pte = mk_pte(k, page, __pgprot(vma->vm_page_prot));
	if (exclusive || folio_ref_count(folio) == 1) {
		if (vmf->flags & FAULT_FLAG_WRITE) {
			pte = maybe_mkwrite(pte_mkdirty(pte), vma);
			vmf->flags &= ~FAULT_FLAG_WRITE;
			ret |= VM_FAULT_WRITE;
		}
		rmap_flags |= RMAP_EXCLUSIVE;
	}
	vmf->orig_pte = pte;
	page_add_anon_rmap(page, vma, vmf->address, rmap_flags);
	set_pte_at(k, vma->vm_mm, vmf->address, vmf->pte, pte);
	folio_unlock(folio);
	if (need_clear_cache)
		put_swap_folio(k, folio, entry); /* swapcache_clear() */
	if (vmf->flags & FAULT_FLAG_WRITE) {
		ret |= do_wp_page(vmf);
		if (ret & VM_FAULT_ERROR)
			ret &= VM_FAULT_ERROR;
	}
	return ret;
out_page:
	folio_unlock(folio);
	if (need_clear_cache)
		put_swap_folio(k, folio, entry);
	folio_put(k, folio);
	return ret;
}

vm_fault_t do_swap_page_at(struct vm_area_struct *vma, pmd_t *pmd, unsigned long address)
{
	struct vm_fault vmf = {.vma = vma,
			       .address = address,
			       .real_address = address,
			       .flags = FAULT_FLAG_ALLOW_RETRY,
			       .pgoff = linear_page_index(vma, address),
			       .pmd = pmd,
			       .gfp_mask = GFP_HIGHUSER_MOVABLE};

	vmf.pte = pte_offset_kernel(vma_kernel(vma), pmd, address);
	vmf.orig_pte = *vmf.pte;
	if (!is_swap_pte(vmf.orig_pte))
		return 0;
	return do_swap_page(&vmf);
}

/* Models: handle_pte_fault(). */
static vm_fault_t handle_pte_fault(struct vm_fault *vmf)
{
	struct vm_area_struct *vma = vmf->vma;
	pte_t entry;

	vmf->orig_pte = *vmf->pte;
	if (pte_none(vmf->orig_pte)) {
		if (vma_is_anonymous(vma))
			return do_anonymous_page(vmf);
		return do_fault(vmf);
	}
	if (!pte_present(vmf->orig_pte))
		return do_swap_page(vmf);
	vmf->flags |= FAULT_FLAG_ORIG_PTE_VALID;
	entry = vmf->orig_pte;
	if (vmf->flags & (FAULT_FLAG_WRITE | FAULT_FLAG_UNSHARE)) {
		if (!pte_write(entry))
			return do_wp_page(vmf);
		if (vmf->flags & FAULT_FLAG_WRITE)
			entry = pte_mkdirty(entry);
	}
	entry = pte_mkyoung(entry);
	/* an unchanged entry is a spurious fault: arm64's flush_tlb_fix_spurious_fault is empty */
	ptep_set_access_flags(vma_kernel(vma), vma, vmf->address, vmf->pte, entry,
			      !!(vmf->flags & FAULT_FLAG_WRITE));
	return 0;
}

/* Models: create_huge_pmd(): an anonymous VMA's THP fault (no huge file faults here). */
static vm_fault_t create_huge_pmd(struct vm_fault *vmf)
{
	if (vma_is_anonymous(vmf->vma))
		return do_huge_pmd_anonymous_page(vmf);
	return VM_FAULT_FALLBACK;
}

/* Models: wp_huge_pmd(): anonymous: do_huge_pmd_wp_page; else split and go on with PTEs. */
static vm_fault_t wp_huge_pmd(struct vm_fault *vmf)
{
	if (vma_is_anonymous(vmf->vma))
		return do_huge_pmd_wp_page(vmf);
	__split_huge_pmd(vmf->vma, vmf->pmd, vmf->address);
	return VM_FAULT_FALLBACK;
}

/*
 * Models: __handle_mm_fault(): the tables down to the PMD, a huge PMD's fault (a new THP, the
 * huge zero page, a write-protect fault or the access flag), else the PTE table and
 * handle_pte_fault.
 */
static vm_fault_t __handle_mm_fault(struct vm_area_struct *vma, unsigned long address,
				    unsigned int flags)
{
	struct vm_fault vmf = {.vma = vma,
			       .address = address & PAGE_MASK,
			       .real_address = address,
			       .flags = flags,
			       .pgoff = linear_page_index(vma, address & PAGE_MASK),
			       .gfp_mask = vma->vm_file ? mapping_gfp_mask(vma->vm_file->f_mapping)
							: GFP_HIGHUSER_MOVABLE};

	vm_fault_t ret;

	vmf.pmd = mm_pmd_alloc(vma->vm_mm, vmf.address);
	if (!vmf.pmd)
		return VM_FAULT_OOM;
	if (is_pmd_migration_entry(*vmf.pmd)) { /* a THP mid-move: wait, the access retries */
		pmd_migration_entry_wait(vma_kernel(vma), vma->vm_mm, vmf.pmd);
		return 0;
	}
	if (pmd_none(*vmf.pmd) && hugepage_vma_check(vma, vma->vm_flags, false, true, true)) {
		ret = create_huge_pmd(&vmf);
		if (!(ret & VM_FAULT_FALLBACK))
			return ret;
	} else if (pmd_trans_huge(*vmf.pmd)) {
		vmf.orig_pmd = *vmf.pmd;
		if ((flags & (FAULT_FLAG_WRITE | FAULT_FLAG_UNSHARE)) && !pmd_write(vmf.orig_pmd)) {
			ret = wp_huge_pmd(&vmf);
			if (!(ret & VM_FAULT_FALLBACK))
				return ret;
		} else {
			huge_pmd_set_accessed(&vmf);
			return 0;
		}
	}
	vmf.pte = (pte_t *)mm_pte_alloc(vma->vm_mm, vmf.address);
	if (!vmf.pte)
		return VM_FAULT_OOM;
	return handle_pte_fault(&vmf);
}

/* Models: mm_account_fault(): min_flt/maj_flt of current, for successful faults. */
static void mm_account_fault(struct kmm_kernel *k, unsigned int flags, vm_fault_t ret)
{
	struct task_struct *t = get_current_task(k);

	if (!t || (ret & (VM_FAULT_ERROR | VM_FAULT_RETRY)))
		return;
	if ((ret & VM_FAULT_MAJOR) || (flags & FAULT_FLAG_TRIED))
		t->maj_flt++;
	else
		t->min_flt++;
}

/* Models: sanitize_fault_flags(). */
static vm_fault_t sanitize_fault_flags(struct vm_area_struct *vma, unsigned int *flags)
{
	if (*flags & FAULT_FLAG_UNSHARE) {
		if (*flags & FAULT_FLAG_WRITE)
			return VM_FAULT_SIGSEGV;
		if (!is_cow_mapping(vma->vm_flags))
			*flags &= ~FAULT_FLAG_UNSHARE;
	}
	return 0;
}

vm_fault_t handle_mm_fault(struct vm_area_struct *vma, unsigned long address, unsigned int flags)
{
	struct kmm_kernel *k = vma_kernel(vma);
	vm_fault_t ret;

	count_vm_event_k(k, PGFAULT);
	check_sync_rss_stat(k);
	ret = sanitize_fault_flags(vma, &flags);
	if (ret)
		return ret;
	if (is_vm_hugetlb_page(vma))
		ret = hugetlb_fault(vma->vm_mm, vma, address, flags);
	else
		ret = __handle_mm_fault(vma, address, flags);
	mm_account_fault(k, flags, ret);
	return ret;
}

/* ---- zap ------------------------------------------------------------------------------ */

/*
 * Models: struct mmu_table_batch: the page-table pages of one tlb_table_flush, in the page
 * __get_free_page gave for them (@page); @rcu is the rcu_head: an event of the machine's
 * queue (evq.h), first the end of the grace period, then the callback.
 */
struct mmu_table_batch {
	struct env_event rcu;
	struct list_head list; /* mm_state->rcu_tables from call_rcu to the callback */
	struct kmm_kernel *k;
	struct page *page;
	bool gp_done; /* the grace period is over: the next run runs the callback */
	unsigned int nr;
	struct page *tables[MAX_TABLE_BATCH];
};

/* Models: __tlb_reset_range(): an empty range, nothing cleared. */
static void __tlb_reset_range(struct mmu_gather *tlb)
{
	if (tlb->fullmm) {
		tlb->start = tlb->end = ~0UL;
	} else {
		tlb->start = TASK_SIZE;
		tlb->end = 0;
	}
	tlb->freed_tables = false;
	tlb->cleared_ptes = tlb->cleared_pmds = tlb->cleared_puds = tlb->cleared_p4ds = false;
}

/* Models: __tlb_gather_mmu(). */
static void __tlb_gather_mmu(struct mmu_gather *tlb, struct mm_struct *mm, bool fullmm)
{
	memset(tlb, 0, sizeof(*tlb));
	tlb->mm = mm;
	tlb->fullmm = fullmm;
	tlb->local.max = MMU_GATHER_BUNDLE;
	tlb->local.pages = tlb->__pages;
	tlb->active = &tlb->local;
	__tlb_reset_range(tlb);
}

void tlb_gather_mmu(struct mmu_gather *tlb, struct mm_struct *mm)
{
	__tlb_gather_mmu(tlb, mm, false);
}

void tlb_gather_mmu_fullmm(struct mmu_gather *tlb, struct mm_struct *mm)
{
	__tlb_gather_mmu(tlb, mm, true);
}

/* Models: __tlb_adjust_range(). */
static void __tlb_adjust_range(struct mmu_gather *tlb, unsigned long address, unsigned long size)
{
	if (address < tlb->start)
		tlb->start = address;
	if (address + size > tlb->end)
		tlb->end = address + size;
}

/* Models: tlb_get_unmap_shift(): the smallest entry size cleared. */
static unsigned int tlb_get_unmap_shift(const struct mmu_gather *tlb)
{
	if (tlb->cleared_ptes)
		return PAGE_SHIFT;
	if (tlb->cleared_pmds)
		return PMD_SHIFT;
	if (tlb->cleared_puds)
		return PUD_SHIFT;
	if (tlb->cleared_p4ds)
		return PGDIR_SHIFT;
	return PAGE_SHIFT;
}

/* Models: arm64 tlb_get_level(): the TTL hint, only when one level alone was cleared. */
static int tlb_get_level(const struct mmu_gather *tlb)
{
	if (tlb->freed_tables)
		return 0;
	if (tlb->cleared_ptes && !(tlb->cleared_pmds || tlb->cleared_puds || tlb->cleared_p4ds))
		return 3;
	if (tlb->cleared_pmds && !(tlb->cleared_ptes || tlb->cleared_puds || tlb->cleared_p4ds))
		return 2;
	if (tlb->cleared_puds && !(tlb->cleared_ptes || tlb->cleared_pmds || tlb->cleared_p4ds))
		return 1;
	return 0;
}

/*
 * Models: arm64 tlb_flush(): a full mm (exit) needs only its walk caches gone, so flush_tlb_mm
 * when tables were freed and nothing otherwise (the ASID is not reused unflushed); else
 * __flush_tlb_range with the stride and level (it becomes flush_tlb_mm above MAX_TLBI_OPS).
 */
static void tlb_flush(struct mmu_gather *tlb)
{
	struct kmm_kernel *k = tlb->mm->kernel;
	struct vm_area_struct vma = {.vm_mm = tlb->mm};
	bool last_level = !tlb->freed_tables;

	tlb->nr_flushes++;
	if (tlb->fullmm) {
		if (!last_level)
			flush_tlb_mm(k, tlb->mm);
		return;
	}
	__flush_tlb_range(k, &vma, tlb->start, tlb->end, 1UL << tlb_get_unmap_shift(tlb),
			  last_level, tlb_get_level(tlb));
}

/* Models: tlb_flush_mmu_tlbonly(): flush what was cleared, then start an empty range. */
static void tlb_flush_mmu_tlbonly(struct mmu_gather *tlb)
{
	if (!(tlb->freed_tables || tlb->cleared_ptes || tlb->cleared_pmds || tlb->cleared_puds ||
	      tlb->cleared_p4ds))
		return;
	tlb_flush(tlb);
	__tlb_reset_range(tlb);
}

/* Models: the callback of call_rcu(): __tlb_remove_table_free() (each table, then the batch). */
static void tlb_remove_table_rcu(struct mmu_table_batch *batch)
{
	struct kmm_kernel *k = batch->k;
	struct mm_state *ms = k->mm_state;

	list_del(&batch->list);
	ms->nr_rcu_tables--;
	for (unsigned int i = 0; i < batch->nr; i++)
		__free_pages(k, batch->tables[i], 0); /* arm64 __tlb_remove_table */
	__free_pages(k, batch->page, 0);
	env_free(k->env, batch);
}

/*
 * The grace period on the machine's event queue. call_rcu queues the event for now; its first
 * run (the next run point: the return of the call that unmapped, i.e. the task's return to
 * user space, a quiescent state) ends the grace period and requeues it; the second run (the
 * run point after that: the next call) invokes the callback, as RCU's softirq does a tick later.
 */
static void tlb_remove_table_rcu_event(struct kmm_env *env, struct env_event *ev)
{
	struct mmu_table_batch *batch = ev->arg;

	if (!batch->gp_done) {
		batch->gp_done = true;
		if (!env_event_schedule(env, ev, env->cycles, ev->cpu))
			return;
	}
	tlb_remove_table_rcu(batch);
}

/* Models: tlb_remove_table_free() with MMU_GATHER_RCU_TABLE_FREE: call_rcu. */
static void tlb_remove_table_free(struct mmu_table_batch *batch)
{
	struct kmm_kernel *k = batch->k;
	struct mm_state *ms = k->mm_state;

	list_add_tail(&batch->list, &ms->rcu_tables);
	ms->nr_rcu_tables++;
	env_event_init(&batch->rcu, tlb_remove_table_rcu_event, batch);
	if (env_event_schedule(k->env, &batch->rcu, k->env->cycles, k->env->cur_cpu))
		tlb_remove_table_rcu(
			batch); /* no host memory to queue it: as if the grace period ended */
}

void rcu_barrier_tables(struct kmm_kernel *k)
{
	struct mm_state *ms = k->mm_state;

	while (ms && !list_empty(&ms->rcu_tables)) {
		struct mmu_table_batch *batch =
			list_entry(ms->rcu_tables.next, struct mmu_table_batch, list);

		env_event_cancel(k->env, &batch->rcu);
		tlb_remove_table_rcu(batch);
	}
}

unsigned long rcu_tables_pending(const struct kmm_kernel *k)
{
	return k->mm_state ? k->mm_state->nr_rcu_tables : 0;
}

/* Models: tlb_table_flush(): invalidate the walk caches, then hand the batch to RCU. */
static void tlb_table_flush(struct mmu_gather *tlb)
{
	if (tlb->batch) {
		tlb_flush_mmu_tlbonly(tlb); /* tlb_table_invalidate */
		tlb_remove_table_free(tlb->batch);
		tlb->batch = NULL;
	}
}

/* Models: tlb_batch_pages_flush(): free the gathered pages, 512 at a time. */
static void tlb_batch_pages_flush(struct mmu_gather *tlb)
{
	struct kmm_kernel *k = tlb->mm->kernel;

	for (struct mmu_gather_batch *batch = &tlb->local; batch && batch->nr;
	     batch = batch->next) {
		struct page **pages = batch->pages;

		do {
			unsigned int nr = batch->nr < 512 ? batch->nr : 512;

			lru_add_drain(k); /* free_pages_and_swap_cache() */
			for (unsigned int i = 0; i < nr; i++)
				free_swap_cache(k, pages[i]);
			release_pages(k, pages, (int)nr);
			pages += nr;
			batch->nr -= nr;
		} while (batch->nr);
	}
	tlb->active = &tlb->local;
}

/* Models: tlb_batch_list_free(): the batch pages go back (tlb_finish_mmu). */
static void tlb_batch_list_free(struct mmu_gather *tlb)
{
	struct kmm_kernel *k = tlb->mm->kernel;
	struct mmu_gather_batch *batch, *next;

	for (batch = tlb->local.next; batch; batch = next) {
		next = batch->next;
		__free_pages(k, batch->page, 0);
		env_free(k->env, batch);
	}
	tlb->local.next = NULL;
}

/* Models: tlb_flush_mmu(): flush, then the page tables to RCU, then free the pages. */
static void tlb_flush_mmu(struct mmu_gather *tlb)
{
	tlb_flush_mmu_tlbonly(tlb);
	tlb_table_flush(tlb);
	tlb_batch_pages_flush(tlb);
}

void tlb_finish_mmu(struct mmu_gather *tlb)
{
	tlb_flush_mmu(tlb);
	tlb_batch_list_free(tlb);
}

/* Models: tlb_next_batch(): the next batch page, or false (the caller must flush). */
static bool tlb_next_batch(struct mmu_gather *tlb)
{
	struct kmm_kernel *k = tlb->mm->kernel;
	struct mmu_gather_batch *batch = tlb->active;
	struct page *page;

	if (batch->next) {
		tlb->active = batch->next;
		return true;
	}
	if (tlb->batch_count == MAX_GATHER_BATCH_COUNT)
		return false;
	page = alloc_pages(k, GFP_NOWAIT | __GFP_NOWARN, 0);
	if (!page)
		return false;
	batch = env_alloc(k->env, sizeof(*batch) + MAX_GATHER_BATCH * sizeof(struct page *));
	if (!batch) {
		__free_pages(k, page, 0);
		return false;
	}
	tlb->batch_count++;
	batch->next = NULL;
	batch->nr = 0;
	batch->max = MAX_GATHER_BATCH;
	batch->page = page;
	batch->pages = (struct page **)(batch + 1);
	tlb->active->next = batch;
	tlb->active = batch;
	return true;
}

/* Models: __tlb_remove_page(): true when the batch is full and no other can be had. */
static bool __tlb_remove_page(struct mmu_gather *tlb, struct page *page)
{
	struct mmu_gather_batch *batch = tlb->active;

	batch->pages[batch->nr++] = page;
	if (batch->nr == batch->max && !tlb_next_batch(tlb))
		return true;
	return false;
}

/* Models: tlb_flush_pte_range() (tlb_remove_tlb_entry). */
void tlb_flush_pte_range(struct mmu_gather *tlb, unsigned long address, unsigned long size)
{
	__tlb_adjust_range(tlb, address, size);
	tlb->cleared_ptes = true;
}

void tlb_flush_pud_range(struct mmu_gather *tlb, unsigned long address, unsigned long size)
{
	__tlb_adjust_range(tlb, address, size);
	tlb->cleared_puds = true;
}

void tlb_flush_pmd_range(struct mmu_gather *tlb, unsigned long address, unsigned long size)
{
	__tlb_adjust_range(tlb, address, size);
	tlb->cleared_pmds = true;
}

void tlb_remove_page_size(struct mmu_gather *tlb, struct page *page, unsigned long size)
{
	(void)size; /* arm64 has no MMU_GATHER_PAGE_SIZE: tlb_change_page_size does nothing */
	if (__tlb_remove_page(tlb, page))
		tlb_flush_mmu(tlb);
}

/* Models: struct zap_details: even_cows false keeps private COW copies (anon pages). */
struct zap_details {
	bool even_cows;
};

/* Models: should_zap_page(). */
static bool should_zap_page(const struct zap_details *details, const struct page *page)
{
	if (!details || details->even_cows || !page)
		return true;
	return !PageAnon(page);
}

/*
 * Models: zap_pte_range(): clears the PTEs of [@addr, @end) under one PMD. When the gather
 * can take no more pages (no batch page to be had) it stops after that page, flushes the TLB
 * (under the PTE lock), then frees the pages and goes on (after the unlock).
 */
static void zap_pte_range(struct mmu_gather *tlb, struct vm_area_struct *vma, pmd_t *pmdp,
			  unsigned long addr, unsigned long end, long *rss,
			  const struct zap_details *details)
{
	struct kmm_kernel *k = vma_kernel(vma);

again:;
	pte_t *ptep = pte_offset_kernel(k, pmdp, addr);
	bool force_flush = false;

	for (; addr != end; ptep++, addr += PAGE_SIZE) {
		pte_t pte = *ptep;
		struct page *page;

		if (pte_none(pte))
			continue;
		if (!pte_present(pte)) {
			swp_entry_t entry = pte_to_swp_entry(pte);

			if (!non_swap_entry(entry)) { /* a private anon page's swap entry */
				if (details && !details->even_cows)
					continue; /* should_zap_cows() */
				rss[MM_SWAPENTS]--;
				free_swap_and_cache(k, entry);
			} else if (is_migration_entry(entry)) { /* the page counts in rss still */
				page = pfn_to_page(k, swp_offset_pfn(entry));
				if (!should_zap_page(details, page))
					continue;
				rss[mm_counter(page)]--;
			}
			pte_clear(ptep); /* pte_clear_not_present_full */
			continue;
		}
		page = vm_normal_page(vma, pte);
		if (!should_zap_page(details, page))
			continue;
		pte_clear(ptep);
		tlb_flush_pte_range(tlb, addr, PAGE_SIZE); /* tlb_remove_tlb_entry */
		if (!page)
			continue;
		if (!PageAnon(page)) {
			if (pte_dirty(pte))
				folio_mark_dirty(k, page_folio(page)); /* set_page_dirty */
			if (pte_young(pte) && !(vma->vm_flags & VM_SEQ_READ))
				mark_page_accessed(k, page);
		}
		rss[mm_counter(page)]--;
		page_remove_rmap(page, vma, false);
		if (__tlb_remove_page(tlb, page)) {
			force_flush = true;
			addr += PAGE_SIZE;
			break;
		}
	}
	if (force_flush) {
		tlb_flush_mmu_tlbonly(tlb); /* under the PTE lock */
		tlb_flush_mmu(tlb);	    /* after it */
		if (addr != end)
			goto again;
	}
}

/*
 * Models: add_mm_rss_vec(): the zap's rss changes into the mm, after folding in current's
 * cache when current runs this mm (sync_mm_rss), so the counts /proc shows are exact after it.
 */
static void add_mm_rss_vec(struct mm_struct *mm, const long *rss)
{
	struct task_struct *cur = get_current_task(mm->kernel);

	if (cur && cur->mm == mm)
		sync_mm_rss(cur, mm);
	for (int i = 0; i < NR_MM_COUNTERS; i++)
		if (rss[i])
			add_mm_counter(mm, i, rss[i]);
}

/*
 * Models: unmap_page_range() between tlb_start_vma() and tlb_end_vma(): the table walk of zap
 * over [@addr, @end) of @vma; arm64 has no MMU_GATHER_MERGE_VMAS, so the range is flushed at
 * the end of each VMA.
 */
static void unmap_page_range(struct mmu_gather *tlb, struct vm_area_struct *vma, unsigned long addr,
			     unsigned long end, const struct zap_details *details)
{
	struct mm_struct *mm = vma->vm_mm;
	struct kmm_kernel *k = mm->kernel;

	if (is_vm_hugetlb_page(vma)) { /* unmap_single_vma: __unmap_hugepage_range_final */
		__unmap_hugepage_range(tlb, vma, addr, end, NULL);
		return;
	}
	while (addr < end) {
		pgd_t *pgdp = pgd_offset_pgd(k, mm->pgd, addr);
		p4d_t *p4dp = p4d_offset(pgdp, addr);
		unsigned long next = pgd_addr_end(addr, end), pnext;
		pud_t *pudp;
		pmd_t *pmdp;

		if (p4d_none(*p4dp)) {
			addr = next;
			continue;
		}
		for (; addr != next; addr = pnext) {
			pnext = pud_addr_end(addr, next);
			pudp = pud_offset(k, p4dp, addr);
			if (!pud_table(*pudp))
				continue;
			for (unsigned long a = addr, mnext; a != pnext; a = mnext) {
				long rss[NR_MM_COUNTERS] = {0};

				mnext = pmd_addr_end(a, pnext);
				pmdp = pmd_offset(k, pudp, a);
				if (pmd_trans_huge(*pmdp)) { /* zap_pmd_range() */
					if (mnext - a != HPAGE_PMD_SIZE)
						__split_huge_pmd(vma, pmdp, a);
					else if (zap_huge_pmd(tlb, vma, pmdp, a))
						continue;
				}
				if (!pmd_table(*pmdp))
					continue;
				zap_pte_range(tlb, vma, pmdp, a, mnext, rss, details);
				add_mm_rss_vec(mm, rss);
			}
		}
	}
	tlb_end_vma(tlb, vma);
}

void tlb_end_vma(struct mmu_gather *tlb, struct vm_area_struct *vma)
{
	(void)vma;
	if (!tlb->fullmm)
		tlb_flush_mmu_tlbonly(tlb);
}

/* Models: unmap_single_vma(). */
static void unmap_single_vma(struct mmu_gather *tlb, struct vm_area_struct *vma,
			     unsigned long start_addr, unsigned long end_addr)
{
	unsigned long start = start_addr > vma->vm_start ? start_addr : vma->vm_start;
	unsigned long end = end_addr < vma->vm_end ? end_addr : vma->vm_end;

	if (start >= end)
		return;
	unmap_page_range(tlb, vma, start, end, NULL);
}

void unmap_vmas(struct mmu_gather *tlb, struct vm_area_struct *vma, unsigned long start,
		unsigned long end)
{
	for (; vma && vma->vm_start < end; vma = vma->vm_next)
		unmap_single_vma(tlb, vma, start, end);
}

void zap_page_range(struct vm_area_struct *vma, unsigned long start, unsigned long size)
{
	struct mmu_gather tlb;
	unsigned long end = start + size;

	tlb_gather_mmu(&tlb, vma->vm_mm);
	update_hiwater_rss(vma->vm_mm);
	for (; vma && vma->vm_start < end; vma = vma->vm_next)
		unmap_single_vma(&tlb, vma, start, end);
	tlb_finish_mmu(&tlb);
}

/* Models: zap_page_range_single() with details: one VMA, one flush. */
static void zap_page_range_single(struct vm_area_struct *vma, unsigned long address,
				  unsigned long size, const struct zap_details *details)
{
	struct mmu_gather tlb;

	tlb_gather_mmu(&tlb, vma->vm_mm);
	update_hiwater_rss(vma->vm_mm);
	unmap_page_range(&tlb, vma, address, address + size, details);
	tlb_finish_mmu(&tlb);
}

void unmap_mapping_range(struct address_space *mapping, int64_t holebegin, int64_t holelen,
			 int even_cows)
{
	struct zap_details details = {.even_cows = even_cows != 0};
	unsigned long first = (unsigned long)holebegin >> PAGE_SHIFT, last;
	unsigned long hlen = (unsigned long)(holelen + (int64_t)PAGE_SIZE - 1) >> PAGE_SHIFT;

	last = holelen ? first + hlen - 1 : ~0UL;
	if (last < first)
		last = ~0UL;
	for (struct list_head *l = mapping->i_mmap.next; l != &mapping->i_mmap; l = l->next) {
		struct vm_area_struct *vma = list_entry(l, struct vm_area_struct, shared);
		unsigned long vba = vma->vm_pgoff, vea = vba + vma_pages(vma) - 1, zba, zea;

		if (vea < first || vba > last)
			continue;
		zba = first > vba ? first : vba;
		zea = last < vea ? last : vea;
		zap_page_range_single(vma, ((zba - vba) << PAGE_SHIFT) + vma->vm_start,
				      (zea - zba + 1) << PAGE_SHIFT, &details);
	}
}

/* ---- freeing page tables -------------------------------------------------------------- */

/*
 * Models: tlb_remove_table() (MMU_GATHER_TABLE_FREE): the unlinked table joins the gather's
 * table batch, a page of its own from __get_free_page(GFP_NOWAIT | __GFP_NOWARN); a full batch
 * goes to RCU. Without a batch page: invalidate, then free the table at once
 * (tlb_remove_table_one: the IPI to every CPU is not modelled).
 */
static void tlb_remove_table(struct mmu_gather *tlb, phys_addr_t pa)
{
	struct kmm_kernel *k = tlb->mm->kernel;
	struct page *table = pfn_to_page(k, PHYS_PFN(pa));

	if (!tlb->batch) {
		struct page *page = alloc_pages(k, GFP_NOWAIT | __GFP_NOWARN, 0);
		struct mmu_table_batch *batch = page ? env_alloc(k->env, sizeof(*batch)) : NULL;

		if (!batch) {
			if (page)
				__free_pages(k, page, 0);
			tlb_flush_mmu_tlbonly(tlb);
			__free_pages(k, table, 0);
			return;
		}
		memset(batch, 0, sizeof(*batch));
		batch->k = k;
		batch->page = page;
		tlb->batch = batch;
	}
	tlb->batch->tables[tlb->batch->nr++] = table;
	if (tlb->batch->nr == MAX_TABLE_BATCH)
		tlb_table_flush(tlb);
}

/*
 * Models: p?d_free_tlb(): a table unlinked from @mm at @pa (mapping from @addr): the range
 * takes [@addr, + PAGE_SIZE) with the level cleared above it (@cleared), tables were freed
 * (the flush goes to the walk caches), the pgtable dtor, then tlb_remove_table.
 */
static void pgtable_free_tlb(struct mmu_gather *tlb, phys_addr_t pa, bool counted,
			     unsigned long addr, bool *cleared)
{
	__tlb_adjust_range(tlb, addr, PAGE_SIZE);
	*cleared = true;
	tlb->freed_tables = true;
	pgtable_unaccount_user(tlb->mm, pa, counted);
	tlb_remove_table(tlb, pa);
}

/* Models: free_pte_range(): pte_free_tlb (tlb_flush_pmd_range). */
static void free_pte_range(struct mmu_gather *tlb, pmd_t *pmdp, unsigned long addr)
{
	phys_addr_t pa = pmd_page_paddr(*pmdp);

	pmd_clear(pmdp);
	pgtable_free_tlb(tlb, pa, true, addr, &tlb->cleared_pmds);
}

/* Models: free_pmd_range(). */
static void free_pmd_range(struct mmu_gather *tlb, pud_t *pudp, unsigned long addr,
			   unsigned long end, unsigned long floor, unsigned long ceiling)
{
	struct kmm_kernel *k = tlb->mm->kernel;
	unsigned long start = addr, next;
	phys_addr_t pa;

	do {
		pmd_t *pmdp = pmd_offset(k, pudp, addr);

		next = pmd_addr_end(addr, end);
		if (pmd_table(*pmdp))
			free_pte_range(tlb, pmdp, addr);
	} while (addr = next, addr != end);
	start &= PUD_MASK;
	if (start < floor)
		return;
	if (ceiling) {
		ceiling &= PUD_MASK;
		if (!ceiling)
			return;
	}
	if (end - 1 > ceiling - 1)
		return;
	pa = pud_page_paddr(*pudp);
	pud_clear(pudp);
	pgtable_free_tlb(tlb, pa, true, start, &tlb->cleared_puds); /* pmd_free_tlb */
}

/* Models: free_pud_range() (with free_p4d_range folded: four levels). */
static void free_pud_range(struct mmu_gather *tlb, p4d_t *p4dp, unsigned long addr,
			   unsigned long end, unsigned long floor, unsigned long ceiling)
{
	struct kmm_kernel *k = tlb->mm->kernel;
	unsigned long start = addr, next;
	phys_addr_t pa;

	do {
		pud_t *pudp = pud_offset(k, p4dp, addr);

		next = pud_addr_end(addr, end);
		if (pud_table(*pudp))
			free_pmd_range(tlb, pudp, addr, next, floor, ceiling);
	} while (addr = next, addr != end);
	start &= PGDIR_MASK;
	if (start < floor)
		return;
	if (ceiling) {
		ceiling &= PGDIR_MASK;
		if (!ceiling)
			return;
	}
	if (end - 1 > ceiling - 1)
		return;
	pa = p4d_page_paddr(*p4dp);
	p4d_clear(p4dp);
	pgtable_free_tlb(tlb, pa, false, start, &tlb->cleared_p4ds); /* pud_free_tlb */
}

/* Models: free_pgd_range(): tables of [@addr, @end) not shared with [.., floor) or [ceiling..). */
static void free_pgd_range(struct mmu_gather *tlb, unsigned long addr, unsigned long end,
			   unsigned long floor, unsigned long ceiling)
{
	struct kmm_kernel *k = tlb->mm->kernel;
	unsigned long next;

	addr &= PMD_MASK;
	if (addr < floor) {
		addr += PMD_SIZE;
		if (!addr)
			return;
	}
	if (ceiling) {
		ceiling &= PMD_MASK;
		if (!ceiling)
			return;
	}
	if (end - 1 > ceiling - 1)
		end -= PMD_SIZE;
	if (addr > end - 1)
		return;
	do {
		p4d_t *p4dp = p4d_offset(pgd_offset_pgd(k, tlb->mm->pgd, addr), addr);

		next = pgd_addr_end(addr, end);
		if (!p4d_none(*p4dp))
			free_pud_range(tlb, p4dp, addr, next, floor, ceiling);
	} while (addr = next, addr != end);
}

void free_pgtables(struct mmu_gather *tlb, struct vm_area_struct *vma, unsigned long floor,
		   unsigned long ceiling)
{
	unsigned long top = ceiling ? ceiling : ~0UL;

	while (vma && vma->vm_start < top) {
		struct vm_area_struct *next = vma->vm_next;
		unsigned long addr = vma->vm_start;

		if (next && next->vm_start >= top)
			next = NULL; /* the kernel's detached list ends here */
		/* gather nearby VMAs into one call down */
		while (next && next->vm_start <= vma->vm_end + PMD_SIZE) {
			vma = next;
			next = vma->vm_next;
			if (next && next->vm_start >= top)
				next = NULL;
		}
		free_pgd_range(tlb, addr, vma->vm_end, floor, next ? next->vm_start : ceiling);
		vma = next;
	}
}

void unmap_region(struct mm_struct *mm, struct vm_area_struct *vma, struct vm_area_struct *prev,
		  unsigned long start, unsigned long end)
{
	struct vm_area_struct *next;
	struct mmu_gather tlb;

	for (next = vma; next && next->vm_start < end; next = next->vm_next)
		;
	tlb_gather_mmu(&tlb, mm);
	update_hiwater_rss(mm);
	unmap_vmas(&tlb, vma, start, end);
	free_pgtables(&tlb, vma, prev ? prev->vm_end : 0 /* FIRST_USER_ADDRESS */,
		      next ? next->vm_start : 0 /* USER_PGTABLES_CEILING */);
	tlb_finish_mmu(&tlb);
}

/* ---- fork ----------------------------------------------------------------------------- */

/* Models: copy_present_page(): a pinned exclusive anon page is copied for the child. */
static int copy_present_page(struct vm_area_struct *dst_vma, unsigned long addr, pte_t *dst_pte,
			     struct page *page, long *rss)
{
	struct kmm_kernel *k = vma_kernel(dst_vma);
	struct page *new_page = alloc_pages(k, GFP_HIGHUSER_MOVABLE, 0);
	void *d, *s;
	pte_t pte;

	if (!new_page)
		return -ENOMEM;
	d = page_host(k, new_page, PAGE_SIZE);
	s = page_host(k, page, PAGE_SIZE);
	if (d && s)
		memcpy(d, s, PAGE_SIZE);
	__SetPageUptodate(new_page);
	page_add_new_anon_rmap(new_page, dst_vma, addr);
	lru_cache_add_inactive_or_unevictable(k, new_page, dst_vma);
	rss[MM_ANONPAGES]++;
	pte = mk_pte(k, new_page, __pgprot(dst_vma->vm_page_prot));
	pte = maybe_mkwrite(pte_mkdirty(pte), dst_vma);
	set_pte_at(k, dst_vma->vm_mm, addr, dst_pte, pte);
	return 0;
}

/* Models: copy_present_pte(): the child's PTE; a COW page is write-protected in both. */
static int copy_present_pte(struct vm_area_struct *dst_vma, struct vm_area_struct *src_vma,
			    pte_t *dst_pte, pte_t *src_pte, unsigned long addr, long *rss)
{
	struct kmm_kernel *k = vma_kernel(src_vma);
	struct mm_struct *src_mm = src_vma->vm_mm;
	unsigned long vm_flags = src_vma->vm_flags;
	pte_t pte = *src_pte;
	struct page *page = vm_normal_page(src_vma, pte);

	if (page && PageAnon(page)) {
		get_page(page);
		if (page_try_dup_anon_rmap(page, false, src_vma)) {
			put_page(k, page);
			return copy_present_page(dst_vma, addr, dst_pte, page, rss);
		}
		rss[MM_ANONPAGES]++;
	} else if (page) {
		get_page(page);
		page_add_file_rmap(page, dst_vma, false);
		rss[mm_counter_file(page)]++;
	}
	if (is_cow_mapping(vm_flags) && pte_write(pte)) {
		ptep_set_wrprotect(src_mm, addr, src_pte);
		pte = pte_wrprotect(pte);
	}
	if (vm_flags & VM_SHARED)
		pte = pte_mkclean(pte);
	pte = pte_mkold(pte);
	set_pte_at(k, dst_vma->vm_mm, addr, dst_pte, pte);
	return 0;
}

/*
 * Models: copy_nonpresent_pte() for swap entries: the child shares the slot (swap_duplicate,
 * its MM_SWAPENTS); an exclusive entry becomes shared in the parent too. -EIO (nothing
 * changed) when the slot's count cannot grow.
 */
static int copy_nonpresent_pte(struct vm_area_struct *dst_vma, struct vm_area_struct *src_vma,
			       pte_t *dst_pte, pte_t *src_pte, unsigned long addr, long *rss)
{
	struct kmm_kernel *k = vma_kernel(src_vma);
	pte_t pte = *src_pte;
	swp_entry_t entry = pte_to_swp_entry(pte);

	if (is_migration_entry(entry)) {
		/* the child's entry is remapped with the rest when the move ends */
		rss[mm_counter(pfn_to_page(k, swp_offset_pfn(entry)))]++;
		if (!is_readable_migration_entry(entry) && is_cow_mapping(src_vma->vm_flags)) {
			/* both sides read-only: an exclusive or writable entry becomes shared */
			entry = make_readable_migration_entry(swp_offset(entry));
			pte = swp_entry_to_pte(entry);
			set_pte_at(k, src_vma->vm_mm, addr, src_pte, pte);
		}
		set_pte_at(k, dst_vma->vm_mm, addr, dst_pte, pte);
		return 0;
	}
	if (non_swap_entry(entry))
		return 0; /* no hwpoison entries in this model */
	if (swap_duplicate(k, entry) < 0)
		return -EIO;
	if (pte_swp_exclusive(*src_pte)) {
		pte = pte_swp_clear_exclusive(*src_pte);
		set_pte_at(k, src_vma->vm_mm, addr, src_pte, pte);
	}
	rss[MM_SWAPENTS]++;
	set_pte_at(k, dst_vma->vm_mm, addr, dst_pte, pte);
	return 0;
}

/* Models: vma_needs_copy(): file PTEs are refaulted in the child unless anon pages exist. */
static bool vma_needs_copy(const struct vm_area_struct *dst_vma,
			   const struct vm_area_struct *src_vma)
{
	if (dst_vma->vm_flags & VM_WIPEONFORK)
		return false;
	if (src_vma->vm_flags & (VM_PFNMAP | VM_MIXEDMAP))
		return true;
	return src_vma->anon_vma != NULL;
}

int copy_page_range(struct vm_area_struct *dst_vma, struct vm_area_struct *src_vma)
{
	struct mm_struct *dst_mm = dst_vma->vm_mm, *src_mm = src_vma->vm_mm;
	long rss[NR_MM_COUNTERS] = {0};
	bool cow = is_cow_mapping(src_vma->vm_flags);
	int ret = 0;

	if (!vma_needs_copy(dst_vma, src_vma))
		return 0;
	if (is_vm_hugetlb_page(src_vma))
		return copy_hugetlb_page_range(dst_mm, src_mm, dst_vma, src_vma);
	for (unsigned long addr = src_vma->vm_start; addr < src_vma->vm_end;) {
		pmd_t *src_pmd = mm_find_pmd(src_mm, addr), *dst_pmd;
		unsigned long next = pmd_addr_end(addr, src_vma->vm_end);
		pte_t *src_pte, *dst_pte;

		if (src_pmd && pmd_trans_huge(*src_pmd)) { /* copy_pmd_range() */
			dst_pmd = mm_pmd_alloc(dst_mm, addr);
			ret = dst_pmd ? copy_huge_pmd(dst_vma, src_vma, dst_pmd, src_pmd, addr)
				      : -ENOMEM;
			if (ret == -ENOMEM)
				goto out;
			ret = 0;
			if (pmd_trans_huge(*src_pmd) || pmd_none(*src_pmd)) {
				addr = next;
				continue;
			}
		}
		src_pte = (pte_t *)mm_pte_lookup(src_mm, addr);
		if (!src_pte) {
			addr = next;
			continue;
		}
		for (; addr < next; addr += PAGE_SIZE, src_pte++) {
			if (pte_none(*src_pte))
				continue;
			dst_pte = (pte_t *)mm_pte_alloc(dst_mm, addr);
			if (!dst_pte) {
				ret = -ENOMEM;
				goto out;
			}
			if (pte_present(*src_pte))
				ret = copy_present_pte(dst_vma, src_vma, dst_pte, src_pte, addr,
						       rss);
			else
				ret = copy_nonpresent_pte(dst_vma, src_vma, dst_pte, src_pte, addr,
							  rss);
			if (ret)
				goto out;
		}
	}
out:
	for (int i = 0; i < NR_MM_COUNTERS; i++)
		if (rss[i])
			add_mm_counter(dst_mm, i, rss[i]);
	if (cow) /* the parent's write-protected range leaves every TLB (flush_tlb_range) */
		flush_tlb_range(src_mm->kernel, src_vma, src_vma->vm_start, src_vma->vm_end);
	return ret;
}

/* ---- checks --------------------------------------------------------------------------- */

#define CHECK(cond, ...)                                                                           \
	do {                                                                                       \
		if (!(cond)) {                                                                     \
			snprintf(why, whylen, __VA_ARGS__);                                        \
			return false;                                                              \
		}                                                                                  \
	} while (0)

/* The check's tally: the PFN of every present PTE (sorted later), rss per mm. */
struct pte_tally {
	const struct kmm_kernel *k;
	unsigned long *pfns, nr_pfns, cap_pfns;
	unsigned long *swaps, nr_swaps, cap_swaps; /* swp_entry_t.val of every swap PTE */
	unsigned long *huge, nr_huge, cap_huge;	   /* head PFN of every THP a huge PMD maps */
	bool nomem;
	long rss[NR_MM_COUNTERS];
	unsigned long tables;
	struct place_map *place; /* when the placement check runs the walk */
};

static bool tally_push(struct pte_tally *t, unsigned long **arr, unsigned long *nr,
		       unsigned long *capp, unsigned long v)
{
	if (*nr == *capp) {
		unsigned long cap = *capp ? 2 * *capp : 4096;
		unsigned long *n = env_alloc(t->k->env, cap * sizeof(*n));

		if (!n) {
			t->nomem = true;
			return false;
		}
		if (*nr)
			memcpy(n, *arr, *nr * sizeof(*n));
		env_free(t->k->env, *arr);
		*arr = n;
		*capp = cap;
	}
	(*arr)[(*nr)++] = v;
	return true;
}

static bool tally_add(struct pte_tally *t, unsigned long pfn)
{
	return tally_push(t, &t->pfns, &t->nr_pfns, &t->cap_pfns, pfn);
}

static int cmp_ulong(const void *a, const void *b)
{
	unsigned long x = *(const unsigned long *)a, y = *(const unsigned long *)b;

	return x < y ? -1 : x > y;
}

/* A huge PMD at @va: inside a VMA; a THP's head PFN goes to the huge tally, 512 anon rss. */
static bool walk_huge_pmd(const struct mm_struct *mm, struct pte_tally *t, pmd_t pmd,
			  unsigned long va, char *why, size_t whylen)
{
	const struct kmm_kernel *k = mm->kernel;
	struct vm_area_struct *vma = find_vma((struct mm_struct *)mm, va);

	CHECK(vma && vma->vm_start <= va && va + HPAGE_PMD_SIZE <= vma->vm_end,
	      "mm: huge PMD for %#lx outside every VMA", va);
	if (is_swap_pmd(pmd)) { /* a THP mid-move: counts in rss */
		CHECK(is_pmd_migration_entry(pmd) && migrate_in_flight(k),
		      "mm: PMD migration entry at %#lx outside a migration", va);
		if (!t->place)
			t->rss[MM_ANONPAGES] += HPAGE_PMD_NR;
		return true;
	}
	if (t->place || is_huge_zero_pmd(k, pmd))
		return true;
	t->rss[MM_ANONPAGES] += HPAGE_PMD_NR;
	return tally_push(t, &t->huge, &t->nr_huge, &t->cap_huge, pmd_pfn(pmd));
}

static bool claim_deposit(const struct page *pgtable, void *arg)
{
	struct pte_tally *t = arg;

	t->tables++;
	return !t->place ||
	       place_claim(t->place, PLACE_PGTABLE_USER, page_to_pfn(t->k, pgtable), 1);
}

/* A leaf at table indices (@i, @j, @l) of @mm lies in a hugetlb VMA (not counted here). */
static bool huge_entry_in_hugetlb_vma(const struct mm_struct *mm, unsigned i, unsigned j,
				      unsigned l)
{
	unsigned long va = (unsigned long)i << PGDIR_SHIFT | (unsigned long)j << PUD_SHIFT |
			   (unsigned long)l << PMD_SHIFT;
	struct vm_area_struct *vma = find_vma((struct mm_struct *)mm, va);

	return vma && vma->vm_start <= va && is_vm_hugetlb_page(vma);
}

/* Counts the present PTEs of @mm (their PFNs into @t) and its table pages. */
static bool walk_user_tables(const struct mm_struct *mm, struct pte_tally *t, char *why,
			     size_t whylen)
{
	const struct kmm_kernel *k = mm->kernel;
	pgd_t *pgd = pgtable_host(k, mm->pgd);

	CHECK(pgd, "mm: pgd %#" PRIx64 " is not RAM", (uint64_t)mm->pgd);
	if (!pgtable_trans_huge_each(mm, claim_deposit, t))
		return false;
	for (unsigned i = 0; i < PTRS_PER_PGD; i++) {
		p4d_t *p4dp = (p4d_t *)&pgd[i];
		pud_t *pud;

		if (p4d_none(*p4dp))
			continue;
		t->tables++;
		if (t->place &&
		    !place_claim(t->place, PLACE_PGTABLE_USER, PHYS_PFN(p4d_page_paddr(*p4dp)), 1))
			return false;
		pud = pgtable_host(k, p4d_page_paddr(*p4dp));
		for (unsigned j = 0; j < PTRS_PER_PUD; j++) {
			pmd_t *pmd;

			if (pud_none(pud[j]))
				continue;
			if (!pud_table(pud[j]) && huge_entry_in_hugetlb_vma(mm, i, j, 0))
				continue; /* a hugetlb PUD block: hugetlb_check's */
			CHECK(pud_table(pud[j]), "mm: a user PUD entry is not a table");
			t->tables++;
			if (t->place && !place_claim(t->place, PLACE_PGTABLE_USER,
						     PHYS_PFN(pud_page_paddr(pud[j])), 1))
				return false;
			pmd = pgtable_host(k, pud_page_paddr(pud[j]));
			for (unsigned l = 0; l < PTRS_PER_PMD; l++) {
				pte_t *pte;
				unsigned long base = (unsigned long)i << PGDIR_SHIFT |
						     (unsigned long)j << PUD_SHIFT |
						     (unsigned long)l << PMD_SHIFT;

				if (pmd_none(pmd[l]))
					continue;
				if (pmd_trans_huge(pmd[l]) &&
				    huge_entry_in_hugetlb_vma(mm, i, j, l))
					continue; /* a hugetlb PMD block: hugetlb_check's */
				if (pmd_trans_huge(pmd[l])) {
					if (!walk_huge_pmd(mm, t, pmd[l], base, why, whylen))
						return false;
					continue;
				}
				CHECK(pmd_table(pmd[l]), "mm: a user PMD entry is not a table");
				t->tables++;
				if (t->place && !place_claim(t->place, PLACE_PGTABLE_USER,
							     PHYS_PFN(pmd_page_paddr(pmd[l])), 1))
					return false;
				if (t->place)
					continue;
				pte = pgtable_host(k, pmd_page_paddr(pmd[l]));
				for (unsigned e = 0; e < PTRS_PER_PTE; e++) {
					unsigned long va = base | (unsigned long)e << PAGE_SHIFT;
					struct vm_area_struct *vma;
					unsigned long pfn;

					if (pte_none(pte[e]))
						continue;
					vma = find_vma((struct mm_struct *)mm, va);
					CHECK(vma && vma->vm_start <= va,
					      "mm: PTE for %#lx outside every VMA", va);
					if (is_vm_hugetlb_page(vma))
						continue; /* hugetlb_check's */
					if (!pte_present(pte[e])) {
						swp_entry_t se = pte_to_swp_entry(pte[e]);

						if (is_migration_entry(se)) { /* counts in rss */
							CHECK(migrate_in_flight(k),
							      "mm: migration entry at %#lx outside "
							      "a "
							      "migration",
							      va);
							pfn = swp_offset_pfn(se);
							t->rss[mm_counter(pfn_to_page(k, pfn))]++;
							continue;
						}
						if (non_swap_entry(se))
							continue;
						if (!tally_push(t, &t->swaps, &t->nr_swaps,
								&t->cap_swaps, se.val))
							return false;
						t->rss[MM_SWAPENTS]++;
						continue;
					}
					pfn = pte_pfn(pte[e]);
					if (is_zero_pfn(k, pfn)) {
						CHECK(pte_special(pte[e]),
						      "mm: zero page at %#lx not special", va);
						continue;
					}
					CHECK(pfn_valid(k, pfn), "mm: PTE at %#lx maps pfn %#lx",
					      va, pfn);
					if (!tally_add(t, pfn))
						return false;
					t->rss[mm_counter(pfn_to_page(k, pfn))]++;
				}
			}
		}
	}
	return true;
}

bool mm_check(const struct kmm_kernel *k, char *why, size_t whylen)
{
	struct mm_state *ms = k->mm_state;
	struct pte_tally t = {.k = k};
	unsigned long nmm = 0, anon_mapped = 0;
	long nr_anon = 0;
	bool ok = true;

	if (!ms || !ms->nr_mms)
		return true;
	for (struct list_head *l = ms->mms.next; ok && l != &ms->mms; l = l->next) {
		struct mm_struct *mm = list_entry(l, struct mm_struct, mmlist);

		nmm++;
		memset(t.rss, 0, sizeof(t.rss));
		t.tables = 0;
		ok = mmap_check(mm, why, whylen) && mprotect_check(mm, why, whylen) &&
		     mlock_check(mm, why, whylen) && walk_user_tables(mm, &t, why, whylen);
		if (!ok)
			break;
		if ((long)(t.tables * PAGE_SIZE) != mm->pgtables_bytes) {
			snprintf(why, whylen, "mm: pgtables_bytes %ld, tables hold %lu pages",
				 mm->pgtables_bytes, t.tables);
			ok = false;
			break;
		}
		for (int i = 0; i < NR_MM_COUNTERS && ok; i++) {
			long have = mm->rss_stat[i] + mm->rss_pending[i];

			if (have != t.rss[i]) {
				snprintf(why, whylen, "mm: rss counter %d is %ld, PTEs say %ld", i,
					 have, t.rss[i]);
				ok = false;
			}
		}
	}
	if (t.nomem)
		snprintf(why, whylen, "mm: host memory exhausted (the check's PTE tally)");
	if (ok && nmm != ms->nr_mms) {
		snprintf(why, whylen, "mm: %lu mm_structs listed, nr_mms %lu", nmm, ms->nr_mms);
		ok = false;
	}
	if (ok && t.nr_pfns)
		qsort(t.pfns, t.nr_pfns, sizeof(*t.pfns), cmp_ulong);
	for (unsigned long i = 0, j; ok && i < t.nr_pfns; i = j) {
		const struct page *p = pfn_to_page(k, t.pfns[i]);

		const struct folio *f = page_folio(p);
		unsigned long bias;

		for (j = i; j < t.nr_pfns && t.pfns[j] == t.pfns[i]; j++)
			;
		bias = folio_test_large(f) && folio_test_double_map(f); /* PG_double_map's +1 */
		if ((unsigned long)(p->_mapcount + 1) != j - i + bias) {
			snprintf(why, whylen, "mm: pfn %#lx has mapcount %d, %lu PTEs map it",
				 t.pfns[i], p->_mapcount + 1, j - i);
			ok = false;
		}
		/* a THP a PMD maps counts 512 in NR_ANON_MAPPED (below), not page by page */
		if (PageAnon(p) && !(folio_test_large(f) && folio_entire_mapcount(f) > 0))
			anon_mapped++;
	}
	if (ok && t.nr_huge)
		qsort(t.huge, t.nr_huge, sizeof(*t.huge), cmp_ulong);
	for (unsigned long i = 0, j; ok && i < t.nr_huge; i = j) { /* 2, for huge PMDs */
		const struct folio *f = page_folio(pfn_to_page(k, t.huge[i]));

		for (j = i; j < t.nr_huge && t.huge[j] == t.huge[i]; j++)
			;
		if ((unsigned long)folio_entire_mapcount(f) != j - i) {
			snprintf(why, whylen,
				 "mm: THP %#lx has entire mapcount %d, %lu PMDs map it", t.huge[i],
				 folio_entire_mapcount(f), j - i);
			ok = false;
		}
		anon_mapped += folio_nr_pages(f);
	}
	if (ok && t.nr_swaps)
		qsort(t.swaps, t.nr_swaps, sizeof(*t.swaps), cmp_ulong);
	for (unsigned long i = 0, j; ok && i < t.nr_swaps; i = j) {
		swp_entry_t se = {t.swaps[i]};
		unsigned int count;

		for (j = i; j < t.nr_swaps && t.swaps[j] == t.swaps[i]; j++)
			;
		count = swap_map_byte(k, se) & ~SWAP_HAS_CACHE;
		if (count != j - i) { /* 6 */
			snprintf(why, whylen,
				 "mm: swap entry %u:%#lx has count %u, %lu PTEs hold it",
				 swp_type(se), swp_offset(se), count, j - i);
			ok = false;
		}
	}
	for (int nid = 0; ok && nid < MAX_NUMNODES; nid++)
		if (k->node_data[nid])
			nr_anon += k->node_data[nid]->vm_stat[NR_ANON_MAPPED];
	if (ok && nr_anon != (long)anon_mapped) {
		snprintf(why, whylen, "mm: NR_ANON_MAPPED %ld, %lu anon pages mapped", nr_anon,
			 anon_mapped);
		ok = false;
	}
	env_free(k->env, t.pfns);
	env_free(k->env, t.swaps);
	env_free(k->env, t.huge);
	return ok;
}

/* The "user page table" placement row: every table page below each mm's pgd, and the pgd. */
bool pgtable_user_place_walk(const struct kmm_kernel *k, struct place_map *map)
{
	struct mm_state *ms = k->mm_state;
	char why[160];

	if (!ms)
		return true;
	for (struct list_head *l = ms->mms.next; l != &ms->mms; l = l->next) {
		struct mm_struct *mm = list_entry(l, struct mm_struct, mmlist);
		struct pte_tally t = {.k = k, .place = map};

		if (!place_claim(map, PLACE_PGTABLE_USER, PHYS_PFN(mm->pgd), 1))
			return false;
		why[0] = 0;
		if (!walk_user_tables(mm, &t, why, sizeof(why)))
			return why[0] ? place_fail(map, "%s", why) : false;
	}
	return true;
}
