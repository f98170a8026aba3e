/*
 * mlock(2), mlock2(2), munlock(2), mlockall(2), munlockall(2): the VMA side of memory locking.
 *
 * Locking a range gives its VMAs VM_LOCKED (and VM_LOCKONFAULT for MLOCK_ONFAULT /
 * MCL_ONFAULT), splitting or merging them like mprotect does, charges mm->locked_vm (VmLck)
 * with the pages newly covered, moves the pages already mapped there to the unevictable list
 * (mlock_folio: PG_mlocked, nr_mlock, unevictable_pgs_mlocked), and then faults the rest in
 * (__mm_populate, skipped for ONFAULT VMAs: their pages are locked as they are faulted).
 * Unlocking clears the flags, uncharges locked_vm and gives the mapped pages back to the
 * evictable lists (munlock_folio). mlockall(MCL_FUTURE) sets mm->def_flags so later mappings
 * are born locked.
 *
 * Credentials: RLIMIT_MEMLOCK is task_struct.rlim[RLIMIT_MEMLOCK_] (bytes), CAP_IPC_LOCK is
 * held unless task_struct.cap_dropped names it (src/mm/mman.h). The captured process is root,
 * so by default no limit applies; without CAP_IPC_LOCK 6.1's rules apply: -EPERM when the
 * limit is 0, -ENOMEM when the locked total would pass it.
 *
 * Models: mm/mlock.c (Linux 6.1): can_do_mlock, do_mlock, apply_vma_lock_flags,
 *         mlock_fixup, mlock_vma_pages_range with mlock_pte_range,
 *         count_mm_mlocked_page_nr, apply_mlockall_flags, sys_mlockall/munlockall,
 *         __mlock_posix_error_return.
 * Deviation: the page side (mlock_folio/munlock_folio and their per-CPU batch) is swap.c's;
 *         large folios are skipped as 6.1 skips PTE-mapped THPs (none exist yet). The
 *         temporary VM_IO that 6.1 sets during the page walk (against concurrent migration)
 *         has no purpose without concurrency and is not set.
 *
 * Invariants (mlock_check):
 *  1. mm->locked_vm equals the pages of the mm's VM_LOCKED VMAs (every path that changes
 *     VM_LOCKED goes through mlock_fixup or the VMA layer, which keep it so).
 *  2. VM_LOCKONFAULT is only set together with VM_LOCKED.
 */
#include <errno.h>
#include <stdio.h>

#include "arch/arm64/include/asm/pgtable.h"
#include "kernel/sched.h"
#include "mm/kernel.h"
#include "mm/huge_mm.h"
#include "mm/memory.h"
#include "mm/mm.h"
#include "mm/mman.h"
#include "mm/mmap.h"
#include "mm/swap.h"

#define VM_LOCKED_CLEAR_MASK (~(VM_LOCKED | VM_LOCKONFAULT))

/* Models: capable(CAP_IPC_LOCK) for @tsk. */
static bool capable_ipc_lock(const struct task_struct *tsk)
{
	return !(tsk->cap_dropped & (1ULL << CAP_IPC_LOCK));
}

/* RLIMIT_MEMLOCK of @tsk in pages (rlimit(RLIMIT_MEMLOCK) >> PAGE_SHIFT). */
static unsigned long memlock_limit_pages(const struct task_struct *tsk)
{
	return (unsigned long)(tsk->rlim[RLIMIT_MEMLOCK_].rlim_cur >> PAGE_SHIFT);
}

/* Models: can_do_mlock(): a non-zero RLIMIT_MEMLOCK, or CAP_IPC_LOCK. */
static bool can_do_mlock(const struct task_struct *tsk)
{
	return tsk->rlim[RLIMIT_MEMLOCK_].rlim_cur != 0 || capable_ipc_lock(tsk);
}

/*
 * Models: mlock_vma_pages_range() with mlock_pte_range(): sets @newflags on @vma, then
 * mlocks (VM_LOCKED) or munlocks every page mapped in [@start, @end), between two drains of
 * the LRU batches.
 */
static void mlock_vma_pages_range(struct vm_area_struct *vma, unsigned long start,
				  unsigned long end, vm_flags_t newflags)
{
	struct kmm_kernel *k = vma->vm_mm->kernel;
	unsigned long addr = start;

	vma->vm_flags = newflags;
	lru_add_drain(k);
	while (addr < end) {
		unsigned long next = (addr & PMD_MASK) + PMD_SIZE;
		const pte_t *pte;

		const pmd_t *pmdp = mm_find_pmd(vma->vm_mm, addr);

		if (next > end || next < addr)
			next = end;
		if (pmdp && pmd_present(*pmdp) && pmd_trans_huge(*pmdp)) { /* mlock_pte_range */
			if (!is_huge_zero_pmd(k, *pmdp)) {
				struct folio *folio = page_folio(pfn_to_page(k, pmd_pfn(*pmdp)));

				if (newflags & VM_LOCKED)
					mlock_folio(k, folio);
				else
					munlock_folio(k, folio);
			}
			addr = next;
			continue;
		}
		pte = (const pte_t *)mm_pte_lookup(vma->vm_mm, addr);
		for (; pte && addr < next; addr += PAGE_SIZE, pte++) {
			struct folio *folio;

			if (!pte_present(*pte) || pte_special(*pte))
				continue;
			folio = page_folio(pte_page(k, *pte));
			if (folio_test_large(folio))
				continue;
			if (newflags & VM_LOCKED)
				mlock_folio(k, folio);
			else
				munlock_folio(k, folio);
		}
		addr = next;
	}
	lru_add_drain(k);
}

/*
 * Models: mlock_fixup(): [@start, @end) of @vma gets @newflags (lock bits changed): merge
 * or split, locked_vm, the pages moved. Special, hugetlb VMAs keep their flags (and are not
 * counted). *@prev is the VMA now covering the range. 0 or -ENOMEM (a split failed).
 */
static int mlock_fixup(struct vm_area_struct *vma, struct vm_area_struct **prev,
		       unsigned long start, unsigned long end, vm_flags_t newflags)
{
	struct mm_struct *mm = vma->vm_mm;
	vm_flags_t oldflags = vma->vm_flags;
	unsigned long pgoff;
	long nr_pages;
	int ret = 0;

	if (newflags == oldflags || (oldflags & (VM_SPECIAL | VM_HUGETLB)))
		goto out;

	pgoff = vma->vm_pgoff + ((start - vma->vm_start) >> PAGE_SHIFT);
	*prev = vma_merge(mm, *prev, start, end, newflags, vma->anon_vma, vma->vm_file, pgoff);
	if (*prev) {
		vma = *prev;
	} else {
		if (start != vma->vm_start) {
			ret = split_vma(mm, vma, start, 1);
			if (ret)
				goto out;
		}
		if (end != vma->vm_end) {
			ret = split_vma(mm, vma, end, 0);
			if (ret)
				goto out;
		}
	}

	nr_pages = (long)((end - start) >> PAGE_SHIFT);
	if (!(newflags & VM_LOCKED))
		nr_pages = -nr_pages;
	else if (oldflags & VM_LOCKED)
		nr_pages = 0;
	mm->locked_vm += (unsigned long)nr_pages;

	if ((newflags & VM_LOCKED) && (oldflags & VM_LOCKED))
		vma->vm_flags = newflags; /* ONFAULT changed only: the pages are locked already */
	else
		mlock_vma_pages_range(vma, start, end, newflags);
out:
	*prev = vma;
	return ret;
}

/*
 * Models: apply_vma_lock_flags(): every VMA piece of [@start, @start + @len) gets its lock
 * bits replaced by @flags. The range must be mapped without holes (-ENOMEM at the first
 * one; the pieces before it stay changed, as in 6.1).
 */
static int apply_vma_lock_flags(struct mm_struct *mm, unsigned long start, size_t len,
				vm_flags_t flags)
{
	unsigned long nstart, end = start + len, tmp;
	struct vm_area_struct *vma, *prev;
	int error;

	if (end < start)
		return -EINVAL;
	if (end == start)
		return 0;
	vma = find_vma_prev(mm, start, &prev);
	if (!vma || vma->vm_start > start)
		return -ENOMEM;
	if (start > vma->vm_start)
		prev = vma;

	for (nstart = start;;) {
		vm_flags_t newflags = (vma->vm_flags & VM_LOCKED_CLEAR_MASK) | flags;

		tmp = vma->vm_end < end ? vma->vm_end : end;
		error = mlock_fixup(vma, &prev, nstart, tmp, newflags);
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

/* Models: count_mm_mlocked_page_nr(): pages of VM_LOCKED VMAs inside [@start, +@len). */
static unsigned long count_mm_mlocked_page_nr(struct mm_struct *mm, unsigned long start, size_t len)
{
	unsigned long end = start + len, count = 0;
	struct vm_area_struct *vma;

	for (vma = find_vma(mm, start); vma && vma->vm_start < end; vma = vma->vm_next) {
		unsigned long s = vma->vm_start > start ? vma->vm_start : start;
		unsigned long e = vma->vm_end < end ? vma->vm_end : end;

		if (vma->vm_flags & VM_LOCKED)
			count += (e - s) >> PAGE_SHIFT;
	}
	return count;
}

/* Models: __mlock_posix_error_return(): POSIX wants ENOMEM/EAGAIN from mlock's populate. */
static int mlock_posix_error_return(int error)
{
	if (error == -EFAULT)
		return -ENOMEM;
	if (error == -ENOMEM)
		return -EAGAIN;
	return error;
}

/* Models: do_mlock() with @vm_flags VM_LOCKED (| VM_LOCKONFAULT). */
static int do_mlock_flags(struct task_struct *tsk, unsigned long start, size_t len,
			  vm_flags_t vm_flags)
{
	struct mm_struct *mm = tsk->mm;
	unsigned long locked, lock_limit;
	int error = -ENOMEM;

	if (!can_do_mlock(tsk))
		return -EPERM;
	len = PAGE_ALIGN(len + offset_in_page(start));
	start &= PAGE_MASK;
	lock_limit = memlock_limit_pages(tsk);
	locked = (len >> PAGE_SHIFT) + mm->locked_vm;
	if (locked > lock_limit && !capable_ipc_lock(tsk))
		locked -= count_mm_mlocked_page_nr(mm, start, len); /* already locked parts */
	if (locked <= lock_limit || capable_ipc_lock(tsk))
		error = apply_vma_lock_flags(mm, start, len, vm_flags);
	if (error)
		return error;
	error = __mm_populate(mm, start, len, 0);
	return error ? mlock_posix_error_return(error) : 0;
}

int do_mlock(struct task_struct *tsk, unsigned long start, size_t len, unsigned int flags)
{
	vm_flags_t vm_flags = VM_LOCKED;

	if (flags & ~(unsigned int)MLOCK_ONFAULT)
		return -EINVAL;
	if (flags & MLOCK_ONFAULT)
		vm_flags |= VM_LOCKONFAULT;
	return do_mlock_flags(tsk, start, len, vm_flags);
}

int do_munlock(struct task_struct *tsk, unsigned long start, size_t len)
{
	len = PAGE_ALIGN(len + offset_in_page(start));
	start &= PAGE_MASK;
	return apply_vma_lock_flags(tsk->mm, start, len, 0);
}

/*
 * Models: apply_mlockall_flags(): mm->def_flags for MCL_FUTURE, and with MCL_CURRENT (or
 * for munlockall, @flags 0) every VMA's lock bits. Errors of single VMAs are ignored.
 */
static void apply_mlockall_flags(struct mm_struct *mm, int flags)
{
	struct vm_area_struct *vma, *prev = NULL;
	vm_flags_t to_add = 0;

	mm->def_flags &= VM_LOCKED_CLEAR_MASK;
	if (flags & MCL_FUTURE) {
		mm->def_flags |= VM_LOCKED;
		if (flags & MCL_ONFAULT)
			mm->def_flags |= VM_LOCKONFAULT;
		if (!(flags & MCL_CURRENT))
			return;
	}
	if (flags & MCL_CURRENT) {
		to_add |= VM_LOCKED;
		if (flags & MCL_ONFAULT)
			to_add |= VM_LOCKONFAULT;
	}
	for (vma = mm->mmap; vma; vma = find_vma(mm, prev->vm_end)) {
		vm_flags_t newflags = (vma->vm_flags & VM_LOCKED_CLEAR_MASK) | to_add;

		mlock_fixup(vma, &prev, vma->vm_start, vma->vm_end, newflags);
	}
}

int do_mlockall(struct task_struct *tsk, int flags)
{
	struct mm_struct *mm = tsk->mm;

	if (!flags || (flags & ~(MCL_CURRENT | MCL_FUTURE | MCL_ONFAULT)) || flags == MCL_ONFAULT)
		return -EINVAL;
	if (!can_do_mlock(tsk))
		return -EPERM;
	if ((flags & MCL_CURRENT) && mm->total_vm > memlock_limit_pages(tsk) &&
	    !capable_ipc_lock(tsk))
		return -ENOMEM;
	apply_mlockall_flags(mm, flags);
	if (flags & MCL_CURRENT)
		__mm_populate(mm, 0, TASK_SIZE, 1); /* mm_populate(): errors ignored */
	return 0;
}

int do_munlockall(struct task_struct *tsk)
{
	apply_mlockall_flags(tsk->mm, 0);
	return 0;
}

bool mlock_check(const struct mm_struct *mm, char *why, size_t whylen)
{
	const struct vm_area_struct *vma;
	unsigned long locked = 0;

	for (vma = mm->mmap; vma; vma = vma->vm_next) {
		if ((vma->vm_flags & (VM_LOCKED | VM_LOCKONFAULT)) == VM_LOCKONFAULT) {
			snprintf(why, whylen, "mlock: VM_LOCKONFAULT without VM_LOCKED at %#lx",
				 vma->vm_start);
			return false;
		}
		if (vma->vm_flags & VM_LOCKED)
			locked += vma_pages(vma);
	}
	if (locked != mm->locked_vm) {
		snprintf(why, whylen, "mlock: locked_vm %lu pages, VM_LOCKED VMAs hold %lu",
			 mm->locked_vm, locked);
		return false;
	}
	return true;
}
