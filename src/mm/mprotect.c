/*
 * mprotect(2): changing the protection of an existing range of a user address space.
 *
 * The range is walked VMA by VMA. Each piece gets its new vm_flags (the requested
 * VM_READ/WRITE/EXEC and everything else of the old flags but VM_ARM64_BTI), is merged with
 * a neighbour that now looks the same or split off its VMA, is charged to the commit when a
 * private mapping first becomes writable (VM_ACCOUNT: the charge stays when it becomes
 * read-only again, as in the kernel), and its present PTEs are rewritten with pte_modify().
 * Every rewritten PTE that a CPU may have cached is flushed before mprotect returns (one
 * range flush per VMA, as tlb_end_vma does), so no TLB keeps a translation more permissive
 * than its PTE.
 *
 * A PTE made read-only keeps its dirtiness in PTE_DIRTY. When the mapping becomes writable
 * again, a PTE that is dirty and maps an exclusive anonymous page (or any page of a shared
 * mapping that does not want write notification) is made writable at once
 * (can_change_pte_writable), which is why writing pages 6..9 after mprotect RO -> RW costs no
 * fault in the capture's experiment 5; a clean or shared-COW one stays read-only and takes a
 * write fault.
 *
 * Models: mm/mprotect.c (Linux 6.1): do_mprotect_pkey, mprotect_fixup, change_protection,
 *         change_pte_range, can_change_pte_writable; arch/arm64/include/asm/mman.h
 *         (arch_validate_prot); include/linux/pkeys.h (no pkeys on arm64).
 * Deviation: no PROT_BTI / PROT_MTE: neither modelled CPU feature is reported to the kernel,
 *         so both are unknown bits (-EINVAL), as on a CPU without BTI and MTE. No
 *         READ_IMPLIES_EXEC personality. No NUMA-hinting (prot_numa) or userfaultfd paths:
 *         those callers do not exist. Swap and migration entries are left as they are (no
 *         writable migration entries exist yet). No transparent huge PMDs (none are mapped
 *         in this issue). vma_wants_writenotify() is read from the VMA's page protection
 *         (a shared writable VMA whose vm_page_prot lacks PTE_WRITE wants notification).
 *
 * Invariants (mprotect_check):
 *  1. No present PTE of a VMA is more permissive than the VMA: writable only with VM_WRITE,
 *     EL0-executable only with VM_EXEC, EL0-readable only with VM_READ|VM_WRITE|VM_EXEC,
 *     and a VMA without any access bit has no valid PTE (PROT_NONE entries only).
 *  2. A writable PTE of a private (COW) VMA maps an exclusive anonymous page.
 */
#include <errno.h>
#include <stdio.h>

#include "arch/arm64/include/asm/pgtable.h"
#include "arch/arm64/include/asm/tlbflush.h"
#include "mm/kernel.h"
#include "mm/huge_mm.h"
#include "mm/hugetlb.h"
#include "mm/memory.h"
#include "mm/mm.h"
#include "mm/mman.h"
#include "mm/mmap.h"
#include "mm/page-flags.h"
#include "mm/swapops.h"

/* change_protection() flags (MM_CP_*). */
#define MM_CP_TRY_CHANGE_WRITABLE 1UL

/* The part of an mmu_gather mprotect needs: the span of PTEs that must be flushed. */
struct prot_flush {
	unsigned long start, end; /* empty when start >= end */
};

/* Models: vm_normal_page() for a present PTE: NULL for special (zero page) entries. */
static struct page *prot_normal_page(struct kmm_kernel *k, pte_t pte)
{
	if (pte_special(pte))
		return NULL;
	return pte_page(k, pte);
}

/*
 * Models: can_change_pte_writable(): may @pte (read-only, in a VM_WRITE VMA) become writable
 * without a write fault? Only a dirty entry, and in a private mapping only one mapping an
 * exclusive anonymous page (what the write-fault handler would reuse without copying).
 */
static bool can_change_pte_writable(struct vm_area_struct *vma, pte_t pte)
{
	struct page *page;

	if (pte_protnone(pte) || !pte_dirty(pte))
		return false;
	if (vma->vm_flags & VM_SHARED)
		return true;
	page = prot_normal_page(vma->vm_mm->kernel, pte);
	return page && PageAnon(page) && PageAnonExclusive(page);
}

static void prot_flush_add(struct prot_flush *fl, unsigned long addr)
{
	if (fl->start >= fl->end) {
		fl->start = addr;
		fl->end = addr + PAGE_SIZE;
		return;
	}
	if (addr < fl->start)
		fl->start = addr;
	if (addr + PAGE_SIZE > fl->end)
		fl->end = addr + PAGE_SIZE;
}

/*
 * Models: change_pte_range() over [@addr, @end) of @vma (which the caller keeps inside one
 * PTE table): each present entry gets @newprot (pte_modify keeps dirtiness), and with
 * MM_CP_TRY_CHANGE_WRITABLE a dirty exclusive one becomes writable. Every changed present
 * entry joins @fl (arm64 has no pte_needs_flush: all of them are flushed). Returns the
 * number of entries changed.
 */
static long change_pte_range(struct vm_area_struct *vma, pte_t *pte, unsigned long addr,
			     unsigned long end, pgprot_t newprot, unsigned long cp_flags,
			     struct prot_flush *fl)
{
	struct kmm_kernel *k = vma->vm_mm->kernel;
	long pages = 0;

	for (; addr != end; pte++, addr += PAGE_SIZE) {
		pte_t oldpte = *pte, ptent;

		if (!pte_present(oldpte)) {
			/* a writable migration entry becomes readable: the new rights are unknown
			 */
			if (is_swap_pte(oldpte) &&
			    is_writable_migration_entry(pte_to_swp_entry(oldpte))) {
				swp_entry_t entry = pte_to_swp_entry(oldpte);
				struct page *page = pfn_to_page(k, swp_offset_pfn(entry));

				entry = PageAnon(page)
						? make_readable_exclusive_migration_entry(
							  swp_offset(entry))
						: make_readable_migration_entry(swp_offset(entry));
				set_pte_at(k, vma->vm_mm, addr, pte, swp_entry_to_pte(entry));
				pages++;
			}
			continue; /* none, or a swap entry: nothing else to change here */
		}
		ptent = pte_modify(oldpte, newprot);
		if ((cp_flags & MM_CP_TRY_CHANGE_WRITABLE) && !pte_write(ptent) &&
		    can_change_pte_writable(vma, ptent))
			ptent = pte_mkwrite(ptent);
		if (pte_same(oldpte, ptent))
			continue;
		/* ptep_modify_prot_start/commit: clear, then write the new entry. */
		ptep_get_and_clear(vma->vm_mm, addr, pte);
		set_pte_at(k, vma->vm_mm, addr, pte, ptent);
		prot_flush_add(fl, addr);
		pages++;
	}
	return pages;
}

/*
 * Models: change_protection() / change_protection_range(): rewrites the present PTEs of
 * [@start, @end) in @vma with @newprot, then (tlb_end_vma) flushes every CPU's TLB over the
 * entries changed, last level only. Missing tables are skipped a PMD at a time. Returns the
 * number of PTEs changed.
 */
static long change_protection(struct vm_area_struct *vma, unsigned long start, unsigned long end,
			      pgprot_t newprot, unsigned long cp_flags)
{
	struct mm_struct *mm = vma->vm_mm;
	struct prot_flush fl = {0, 0};
	unsigned long addr = start, next;
	long pages = 0;

	if (is_vm_hugetlb_page(vma))
		return hugetlb_change_protection(vma, start, end, newprot);
	while (addr < end) {
		pte_t *pte;

		pmd_t *pmdp = mm_find_pmd(mm, addr);

		next = (addr & PMD_MASK) + PMD_SIZE;
		if (next > end || next < addr)
			next = end;
		if (pmdp && pmd_trans_huge(*pmdp)) { /* change_pmd_range(): a huge PMD */
			if (next - addr != HPAGE_PMD_SIZE) {
				__split_huge_pmd(vma, pmdp, addr);
			} else {
				pages += change_huge_pmd(vma, pmdp, addr, newprot);
				addr = next;
				continue;
			}
		}
		pte = (pte_t *)mm_pte_lookup(mm, addr);
		if (pte)
			pages += change_pte_range(vma, pte, addr, next, newprot, cp_flags, &fl);
		addr = next;
	}
	if (fl.start < fl.end)
		__flush_tlb_range(mm->kernel, vma, fl.start, fl.end, PAGE_SIZE, true, 3);
	return pages;
}

/*
 * Models: vma_wants_manual_pte_write_upgrade() as mprotect_fixup computes it: private
 * writable VMAs always (COW must be checked PTE by PTE); shared writable ones only when they
 * want write notification (read here from vm_page_prot lacking PTE_WRITE).
 */
static bool vma_wants_manual_pte_write_upgrade(const struct vm_area_struct *vma)
{
	if (!(vma->vm_flags & VM_WRITE))
		return false;
	if (!(vma->vm_flags & VM_SHARED))
		return true;
	return !(vma->vm_page_prot & PTE_WRITE);
}

/*
 * Models: mprotect_fixup(): gives [@start, @end) of @vma (inside it) the flags @newflags:
 * commit charge, merge or split, vm_flags and vm_page_prot, PTE rewrite, locked-COW
 * populate, vm counters. *@pprev is the VMA now covering the range. 0 or -ENOMEM (nothing
 * of this piece changed).
 */
static int mprotect_fixup(struct vm_area_struct *vma, struct vm_area_struct **pprev,
			  unsigned long start, unsigned long end, vm_flags_t newflags)
{
	struct mm_struct *mm = vma->vm_mm;
	vm_flags_t oldflags = vma->vm_flags;
	long nrpages = (long)((end - start) >> PAGE_SHIFT);
	long charged = 0;
	unsigned long pgoff;
	int error;

	if (newflags == oldflags) {
		*pprev = vma;
		return 0;
	}

	/* A private mapping that becomes writable is charged once (VM_ACCOUNT stays). */
	if (newflags & VM_WRITE) {
		if (!may_expand_vm(mm, newflags, (unsigned long)nrpages) &&
		    may_expand_vm(mm, oldflags, (unsigned long)nrpages))
			return -ENOMEM;
		if (!(oldflags & (VM_ACCOUNT | VM_WRITE | VM_HUGETLB | VM_SHARED | VM_NORESERVE))) {
			charged = nrpages;
			if (__vm_enough_memory(mm, charged, true))
				return -ENOMEM;
			newflags |= VM_ACCOUNT;
		}
	}

	pgoff = vma->vm_pgoff + ((start - vma->vm_start) >> PAGE_SHIFT);
	*pprev = vma_merge(mm, *pprev, start, end, newflags, vma->anon_vma, vma->vm_file, pgoff);
	if (*pprev) {
		vma = *pprev;
	} else {
		*pprev = vma;
		if (start != vma->vm_start) {
			error = split_vma(mm, vma, start, 1);
			if (error)
				goto fail;
		}
		if (end != vma->vm_end) {
			error = split_vma(mm, vma, end, 0);
			if (error)
				goto fail;
		}
	}

	if ((newflags ^ vma->vm_flags) & VM_ACCOUNT) /* mm->committed: pages of VM_ACCOUNT VMAs */
		mm->committed += vma_pages(vma);
	vma->vm_flags = newflags;
	vma_set_page_prot(vma);
	change_protection(vma, start, end, __pgprot(vma->vm_page_prot),
			  vma_wants_manual_pte_write_upgrade(vma) ? MM_CP_TRY_CHANGE_WRITABLE : 0);

	/* A locked private mapping that becomes writable is COWed now (no fault later). */
	if ((oldflags & (VM_WRITE | VM_SHARED | VM_LOCKED)) == VM_LOCKED && (newflags & VM_WRITE))
		__mm_populate(mm, start, end - start, 1);

	vm_stat_account(mm, oldflags, -nrpages);
	vm_stat_account(mm, newflags, nrpages);
	return 0;

fail:
	vm_unacct_memory(mm->kernel, charged);
	return error;
}

/* Models: arch_validate_prot() of arm64 on a CPU without BTI and MTE (see Deviation). */
static bool arch_validate_prot(unsigned long prot)
{
	const unsigned long supported = PROT_READ | PROT_WRITE | PROT_EXEC | 0x8 /* PROT_SEM */;

	return (prot & ~supported) == 0;
}

/* The flags one VMA gets from mprotect's @prot (calc_vm_prot_bits + the kept old flags). */
static vm_flags_t mprotect_newflags(const struct vm_area_struct *vma, unsigned long prot)
{
	const vm_flags_t mask_off_old_flags = VM_READ | VM_WRITE | VM_EXEC | VM_ARM64_BTI;

	return calc_vm_prot_bits(prot) | (vma->vm_flags & ~mask_off_old_flags);
}

/*
 * Finds the first VMA of the range and adjusts [*@start, *@end) for PROT_GROWSDOWN/UP, as
 * do_mprotect_pkey does before its loop. 0 or -ENOMEM / -EINVAL.
 */
static int mprotect_first_vma(struct mm_struct *mm, int grows, unsigned long *start,
			      unsigned long *end, struct vm_area_struct **pvma,
			      struct vm_area_struct **pprev)
{
	struct vm_area_struct *prev, *vma = find_vma_prev(mm, *start, &prev);

	if (!vma)
		return -ENOMEM;
	if (grows & PROT_GROWSDOWN) {
		if (vma->vm_start >= *end)
			return -ENOMEM;
		*start = vma->vm_start;
		if (!(vma->vm_flags & VM_GROWSDOWN))
			return -EINVAL;
	} else {
		if (vma->vm_start > *start)
			return -ENOMEM;
		if (grows & PROT_GROWSUP) /* arm64 has no VM_GROWSUP VMA */
			return -EINVAL;
	}
	*pvma = vma;
	*pprev = *start > vma->vm_start ? vma : prev;
	return 0;
}

int do_mprotect_pkey(struct mm_struct *mm, unsigned long start, size_t len, unsigned long prot,
		     int pkey)
{
	const int grows = (int)(prot & (PROT_GROWSDOWN | PROT_GROWSUP));
	struct vm_area_struct *vma, *prev;
	unsigned long nstart, end, tmp;
	int error;

	prot &= ~(unsigned long)(PROT_GROWSDOWN | PROT_GROWSUP);
	if (grows == (PROT_GROWSDOWN | PROT_GROWSUP))
		return -EINVAL;
	if (start & ~PAGE_MASK)
		return -EINVAL;
	if (!len)
		return 0;
	len = PAGE_ALIGN(len);
	end = start + len;
	if (end <= start)
		return -ENOMEM;
	if (!arch_validate_prot(prot))
		return -EINVAL;
	if (pkey != -1 && pkey != 0) /* mm_pkey_is_allocated() without pkeys */
		return -EINVAL;

	error = mprotect_first_vma(mm, grows, &start, &end, &vma, &prev);
	if (error)
		return error;

	for (nstart = start;;) {
		vm_flags_t newflags = mprotect_newflags(vma, prot);

		/* Each VM_x needs its VM_MAYx (VM_MAY* sit 4 bits above). */
		if ((newflags & ~(newflags >> 4)) & VM_ACCESS_FLAGS)
			return -EACCES;
		tmp = vma->vm_end < end ? vma->vm_end : end;
		error = mprotect_fixup(vma, &prev, nstart, tmp, newflags);
		if (error)
			return error;
		nstart = tmp;
		if (nstart < prev->vm_end)
			nstart = prev->vm_end;
		if (nstart >= end)
			return 0;
		vma = find_vma(mm, prev->vm_end);
		if (!vma || vma->vm_start != nstart)
			return -ENOMEM;
	}
}

/* Invariant 1 for one present @pte of @vma; NULL or what is wrong. */
static const char *pte_prot_violation(const struct vm_area_struct *vma, pte_t pte)
{
	vm_flags_t f = vma->vm_flags;

	if (!pte_valid(pte))
		return NULL; /* PROT_NONE or swap: no access at all */
	if (!(f & VM_ACCESS_FLAGS))
		return "a valid PTE in a PROT_NONE VMA";
	if (pte_write(pte) && !(f & VM_WRITE))
		return "a writable PTE in a VMA without VM_WRITE";
	if (pte_user_exec(pte) && !(f & VM_EXEC))
		return "an EL0-executable PTE in a VMA without VM_EXEC";
	if (pte_user(pte) && !(f & (VM_READ | VM_WRITE)))
		return "an EL0-readable PTE in a VMA without VM_READ";
	return NULL;
}

/* Invariants 1 and 2 over the PTEs of one VMA. */
static bool vma_prot_check(const struct vm_area_struct *vma, char *why, size_t whylen)
{
	struct kmm_kernel *k = vma->vm_mm->kernel;
	unsigned long addr = vma->vm_start;

	if (is_vm_hugetlb_page(vma))
		return true; /* huge entries: hugetlb_check's */
	while (addr < vma->vm_end) {
		const pte_t *pte = (const pte_t *)mm_pte_lookup(vma->vm_mm, addr);
		unsigned long next = (addr & PMD_MASK) + PMD_SIZE;

		if (next > vma->vm_end)
			next = vma->vm_end;
		for (; pte && addr < next; addr += PAGE_SIZE, pte++) {
			const char *bad = pte_prot_violation(vma, *pte);
			struct page *page;

			if (!bad && pte_valid(*pte) && pte_write(*pte) &&
			    is_cow_mapping(vma->vm_flags)) {
				page = prot_normal_page(k, *pte);
				if (!page || !PageAnon(page) || !PageAnonExclusive(page))
					bad = "a writable PTE of a COW mapping on a non-exclusive "
					      "page";
			}
			if (bad) {
				snprintf(why, whylen,
					 "mprotect: %s at %#lx (vm_flags %#lx, pte %#llx)", bad,
					 addr, vma->vm_flags, (unsigned long long)pte_val(*pte));
				return false;
			}
		}
		addr = next;
	}
	return true;
}

bool mprotect_check(const struct mm_struct *mm, char *why, size_t whylen)
{
	const struct vm_area_struct *vma;

	for (vma = mm->mmap; vma; vma = vma->vm_next)
		if (!vma_prot_check(vma, why, whylen))
			return false;
	return true;
}
