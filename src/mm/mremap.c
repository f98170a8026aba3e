/*
 * mremap(2): resizing and moving a mapping.
 *
 * Shrinking unmaps the tail. Growing extends the VMA in place when the range after it is free
 * (vma_expandable; the extension goes through vma_merge, which may also join the next VMA),
 * charging the commit for VM_ACCOUNT mappings and locked_vm for locked ones (whose new part
 * is then populated). Otherwise, with MREMAP_MAYMOVE, a new range is found top-down
 * (get_unmapped_area), a VMA is made there (copy_vma: merged with a neighbour when it can,
 * with the same anon_vma so the pages need no rmap update: page->index stays valid because
 * the new VMA's vm_pgoff is the old one's), the PTEs are moved (move_page_tables: each entry
 * cleared at the old address and written at the new one; the old range is flushed from every
 * TLB before mremap returns, so no CPU keeps the old translation), and the old range is
 * unmapped — or, with MREMAP_DONTUNMAP, kept as an empty mapping that faults in fresh pages.
 * MREMAP_FIXED moves to the given address after unmapping whatever was there.
 *
 * The capture's experiment 6 shows both: 16 -> 32 pages grows in place when the next 16
 * pages are free, and moves to 0xfffff7fbd000 (the highest free 128 KiB below) when they are
 * a PROT_NONE mapping; the moved pages are read back without a fault.
 *
 * Models: mm/mremap.c (Linux 6.1): sys_mremap, mremap_to, vma_to_resize, vma_expandable,
 *         move_vma, move_page_tables, move_ptes; mm/mmap.c:copy_vma; mm/mlock.c:
 *         mlock_future_check.
 * Deviation: a whole PTE table moves (move_normal_pmd) only when the destination's pmd
 *         table exists already: 6.1's alloc_new_pmd would allocate it (the core exposes no
 *         pmd-level allocation), so a PMD-aligned move into a 1 GiB region without page
 *         tables moves entry by entry and leaves the emptied source table until munmap frees
 *         it (VmPTE can be 4 kB higher in between). No PUD-level moves (move_normal_pud: a
 *         1 GiB-aligned move of 1 GiB moves its PMD tables one by one). Hugetlb VMAs move
 *         through hugetlb.c's move_hugetlb_page_tables (MREMAP_FIXED only: 6.1 refuses
 *         growth and DONTUNMAP of them). No userfaultfd,
 * no vm_ops->mremap (no special mapping supports moving: [vdso]/[vvar] are VM_DONTEXPAND and
 * refused). copy_vma inserts the new VMA through insert_vm_struct with VM_ACCOUNT masked, so the
 * commit is charged once, by move_vma, as 6.1's vma_link does.
 *
 * Invariants: none of its own; after every call mmap_check (VMA tree, accounting),
 * mm_check (rss, mapcounts) and mprotect_check hold.
 */
#include <errno.h>

#include "arch/arm64/include/asm/pgtable.h"
#include "arch/arm64/include/asm/tlbflush.h"
#include "kernel/sched.h"
#include "mm/kernel.h"
#include "mm/huge_mm.h"
#include "mm/hugetlb.h"
#include "mm/memory.h"
#include "mm/mm.h"
#include "mm/mman.h"
#include "mm/mmap.h"
#include "mm/rmap.h"

#define VM_LOCKED_CLEAR_MASK (~(VM_LOCKED | VM_LOCKONFAULT))

/* vm.max_map_count of @mm's kernel (the core keeps the sysctl). */
static int mremap_max_map_count(const struct mm_struct *mm)
{
	return mm->kernel->sysctl_max_map_count;
}

/*
 * Models: mlock_future_check(): may @bytes more of a VM_LOCKED mapping be locked? The
 * current task's RLIMIT_MEMLOCK unless it has CAP_IPC_LOCK (mman.h). 0 or -EAGAIN.
 */
static int mlock_future_check(struct mm_struct *mm, vm_flags_t flags, unsigned long bytes)
{
	const struct task_struct *tsk = get_current_task(mm->kernel);
	unsigned long locked, limit;

	if (!(flags & VM_LOCKED) || !tsk || !(tsk->cap_dropped & (1ULL << CAP_IPC_LOCK)))
		return 0;
	locked = (bytes >> PAGE_SHIFT) + mm->locked_vm;
	limit = (unsigned long)(tsk->rlim[RLIMIT_MEMLOCK_].rlim_cur >> PAGE_SHIFT);
	return locked > limit ? -EAGAIN : 0;
}

/* The pmd slot of @addr in @mm if its pmd table exists (get_old_pmd's walk), else NULL. */
static pmd_t *mremap_pmd_slot(struct mm_struct *mm, unsigned long addr)
{
	struct kmm_kernel *k = mm->kernel;
	p4d_t *p4dp = p4d_offset(pgd_offset_pgd(k, mm->pgd, addr), addr);
	pud_t *pudp;

	if (p4d_none(*p4dp))
		return NULL;
	pudp = pud_offset(k, p4dp, addr);
	if (!pudp || !pud_table(*pudp))
		return NULL;
	return pmd_offset(k, pudp, addr);
}

/* Models: get_extent(NORMAL_PMD): the bytes to the next PMD boundary of both addresses. */
static unsigned long pmd_extent(unsigned long old_addr, unsigned long old_end,
				unsigned long new_addr)
{
	unsigned long extent = ((old_addr | (PMD_SIZE - 1)) + 1) - old_addr;
	unsigned long to_new = ((new_addr | (PMD_SIZE - 1)) + 1) - new_addr;

	if (extent > old_end - old_addr)
		extent = old_end - old_addr;
	return extent < to_new ? extent : to_new;
}

/*
 * Models: move_normal_pmd(): when source and destination are PMD-aligned over a whole PMD,
 * the source's PTE table itself moves to the destination's empty pmd slot, and the old
 * range (walk caches included) is flushed. false when it cannot (no table at the source,
 * the destination's pmd table missing or its slot taken): then the PTEs move one by one.
 */
static bool move_normal_pmd(struct vm_area_struct *vma, unsigned long old_addr,
			    unsigned long new_addr)
{
	struct mm_struct *mm = vma->vm_mm;
	pmd_t *old_pmd = mremap_pmd_slot(mm, old_addr), *new_pmd, pmd;

	if (!old_pmd || !pmd_table(*old_pmd))
		return false;
	new_pmd = mremap_pmd_slot(mm, new_addr);
	if (!new_pmd || !pmd_none(*new_pmd))
		return false;
	pmd = *old_pmd;
	pmd_clear(old_pmd);
	set_pmd(new_pmd, pmd);
	flush_tlb_range(mm->kernel, vma, old_addr, old_addr + PMD_SIZE);
	return true;
}

/*
 * Models: move_ptes(): moves the entries of [@old_addr, @old_addr + @len) (inside one PTE
 * table) to @new_addr, allocating the destination tables; present entries moved are flushed
 * from every TLB (old range). Returns the bytes moved (short only when a destination table
 * could not be allocated).
 */
static unsigned long move_ptes(struct vm_area_struct *vma, unsigned long old_addr,
			       unsigned long new_addr, unsigned long len)
{
	struct mm_struct *mm = vma->vm_mm;
	struct kmm_kernel *k = mm->kernel;
	unsigned long done = 0, fstart = old_addr + len, fend = old_addr;

	for (; done < len; done += PAGE_SIZE) {
		unsigned long from = old_addr + done, to = new_addr + done;
		pte_t *old_pte = (pte_t *)mm_pte_lookup(mm, from), *new_pte;
		pte_t pte;

		if (!old_pte || pte_none(*old_pte))
			continue;
		new_pte = (pte_t *)mm_pte_alloc(mm, to);
		if (!new_pte)
			break;
		pte = ptep_get_and_clear(mm, from, old_pte);
		if (pte_present(pte)) {
			if (from < fstart)
				fstart = from;
			if (from + PAGE_SIZE > fend)
				fend = from + PAGE_SIZE;
		}
		set_pte_at(k, mm, to, new_pte, pte);
	}
	if (fstart < fend)
		flush_tlb_range(k, vma, fstart, fend);
	return done;
}

/*
 * Models: move_page_tables(): moves [@old_addr, +@len) of @vma to @new_addr, a whole PTE
 * table at a time where both are PMD-aligned over a PMD (move_normal_pmd), else entry by
 * entry. Returns the bytes moved (less than @len only when a table could not be allocated).
 */
static unsigned long move_page_tables(struct vm_area_struct *vma, unsigned long old_addr,
				      unsigned long new_addr, unsigned long len)
{
	unsigned long old_end = old_addr + len, start = old_addr, extent;

	if (is_vm_hugetlb_page(vma))
		return move_hugetlb_page_tables(vma, vma, old_addr, new_addr, len);
	for (; old_addr < old_end; old_addr += extent, new_addr += extent) {
		unsigned long moved;

		pmd_t *old_pmd = mremap_pmd_slot(vma->vm_mm, old_addr), *new_pmd;

		extent = pmd_extent(old_addr, old_end, new_addr);
		if (old_pmd && pmd_trans_huge(*old_pmd)) { /* a huge PMD moves whole or splits */
			if (extent == HPAGE_PMD_SIZE) {
				new_pmd = mm_pmd_alloc(vma->vm_mm, new_addr);
				if (!new_pmd)
					return old_addr - start;
				if (move_huge_pmd(vma, vma, old_addr, new_addr, old_pmd, new_pmd))
					continue;
			}
			__split_huge_pmd(vma, old_pmd, old_addr);
		}
		if (extent == PMD_SIZE && move_normal_pmd(vma, old_addr, new_addr))
			continue;
		moved = move_ptes(vma, old_addr, new_addr, extent);
		if (moved < extent)
			return old_addr - start + moved;
	}
	return len;
}

/*
 * Sets or clears VM_ACCOUNT on @vma (linked), keeping mm->committed (the pages of the mm's
 * VM_ACCOUNT VMAs, which the VMA layer maintains) right. The Committed_AS charge is the
 * caller's.
 */
static void vma_set_account(struct vm_area_struct *vma, bool on)
{
	if (!!(vma->vm_flags & VM_ACCOUNT) == on)
		return;
	if (on) {
		vma->vm_flags |= VM_ACCOUNT;
		vma->vm_mm->committed += vma_pages(vma);
	} else {
		vma->vm_flags &= ~VM_ACCOUNT;
		vma->vm_mm->committed -= vma_pages(vma);
	}
}

/*
 * Models: mm/mmap.c:copy_vma(): a VMA for [@addr, @addr + @len) like *@vmap at page offset
 * @pgoff: an existing neighbour extended by vma_merge, or a copy inserted. NULL when out of
 * memory. If the merge swallowed the source's own range, *@vmap becomes the merged VMA.
 */
static struct vm_area_struct *copy_vma(struct vm_area_struct **vmap, unsigned long addr,
				       unsigned long len, unsigned long pgoff, bool keep_source)
{
	struct vm_area_struct *vma = *vmap, *new_vma, *prev;
	struct mm_struct *mm = vma->vm_mm;
	unsigned long vma_start = vma->vm_start;
	vm_flags_t account;
	bool can_self_merge = false;

	if (vma_is_anonymous(vma) && !vma->anon_vma) {
		pgoff = addr >> PAGE_SHIFT; /* no page carries an index yet */
		can_self_merge = true;
	}
	new_vma = find_vma_prev(mm, addr, &prev);
	if (new_vma && new_vma->vm_start < addr + len)
		return NULL;
	if (can_self_merge && keep_source && (addr == vma->vm_end || vma->vm_start == addr + len))
		new_vma = NULL; /* DONTUNMAP must leave the source a VMA of its own */
	else
		new_vma = vma_merge(mm, prev, addr, addr + len, vma->vm_flags, vma->anon_vma,
				    vma->vm_file, pgoff);
	if (new_vma) {
		if (vma_start >= new_vma->vm_start && vma_start < new_vma->vm_end)
			*vmap = vma = new_vma; /* merged with the (unfaulted) source itself */
		return new_vma;
	}
	new_vma = vm_area_dup(vma);
	if (!new_vma)
		return NULL;
	new_vma->vm_start = addr;
	new_vma->vm_end = addr + len;
	new_vma->vm_pgoff = pgoff;
	if (anon_vma_clone(new_vma, vma)) {
		vm_area_free(new_vma);
		return NULL;
	}
	account = new_vma->vm_flags & VM_ACCOUNT;
	new_vma->vm_flags &= ~VM_ACCOUNT;
	if (insert_vm_struct(mm, new_vma)) {
		unlink_anon_vmas(new_vma);
		vm_area_free(new_vma);
		return NULL;
	}
	vma_set_account(new_vma, account != 0);
	if (new_vma->vm_ops && new_vma->vm_ops->open)
		new_vma->vm_ops->open(new_vma); /* hugetlb: the private data's reference */
	return new_vma;
}

/* Models: the DONTUNMAP ending of move_vma(): the source stays, empty and unlocked. */
static void move_vma_keep_source(struct vm_area_struct *vma, unsigned long old_addr,
				 unsigned long old_len)
{
	vma->vm_flags &= VM_LOCKED_CLEAR_MASK;
	if (vma->vm_start == old_addr && vma->vm_end == old_addr + old_len) {
		unlink_anon_vmas(vma); /* fresh pages from now on */
		if (vma_is_anonymous(vma) && !vma->vm_file)
			vma->vm_pgoff = vma->vm_start >> PAGE_SHIFT;
	}
}

/*
 * Models: move_vma(): moves [@old_addr, +@old_len) of @vma to a new VMA at @new_addr of
 * @new_len; *@locked when the new part must be populated (VM_LOCKED). Returns @new_addr or
 * -errno (-ENOMEM).
 */
static unsigned long move_vma(struct vm_area_struct *vma, unsigned long old_addr,
			      unsigned long old_len, unsigned long new_len, unsigned long new_addr,
			      bool *locked, unsigned long flags)
{
	struct mm_struct *mm = vma->vm_mm;
	long to_account = (long)(new_len - old_len);
	vm_flags_t vm_flags = vma->vm_flags;
	const bool split_before = vma->vm_start != old_addr;
	const bool split_after = vma->vm_end != old_addr + old_len;
	struct vm_area_struct *new_vma;
	unsigned long moved_len, hiwater_vm, below = 0, above = 0;
	int err = 0;

	if (mm->map_count >= mremap_max_map_count(mm) - 3)
		return (unsigned long)-ENOMEM;
	if (flags & MREMAP_DONTUNMAP)
		to_account = (long)new_len;
	if ((flags & MREMAP_DONTUNMAP) && (vma->vm_flags & VM_LOCKED)) {
		if (split_before)
			err = split_vma(mm, vma, old_addr, 1);
		if (!err && split_after)
			err = split_vma(mm, vma, old_addr + old_len, 0);
		if (err)
			return (unsigned long)(long)err;
	}
	if ((vm_flags & VM_ACCOUNT) && __vm_enough_memory(mm, to_account >> PAGE_SHIFT, true))
		return (unsigned long)-ENOMEM;
	if (is_vm_hugetlb_page(vma) && hugetlb_mremap_prepare(vma))
		return (unsigned long)-ENOMEM;

	new_vma = copy_vma(&vma, new_addr, new_len,
			   vma->vm_pgoff + ((old_addr - vma->vm_start) >> PAGE_SHIFT),
			   flags & MREMAP_DONTUNMAP);
	if (!new_vma) {
		if (vm_flags & VM_ACCOUNT)
			vm_unacct_memory(mm->kernel, to_account >> PAGE_SHIFT);
		return (unsigned long)-ENOMEM;
	}
	moved_len = move_page_tables(vma, old_addr, new_addr, old_len);
	if (moved_len < old_len) {
		/* Put back what moved; the new VMA is then the one unmapped below. */
		move_page_tables(new_vma, new_addr, old_addr, moved_len);
		vma = new_vma;
		old_len = new_len;
		old_addr = new_addr;
		new_addr = (unsigned long)-ENOMEM;
		err = -ENOMEM;
	}
	if (is_vm_hugetlb_page(vma)) /* the moved VMA keeps the reservations */
		clear_vma_resv_huge_pages(vma, old_addr, old_addr + old_len);

	/* The old range's commit goes with the new VMA: do_munmap must not give it back. */
	if ((vm_flags & VM_ACCOUNT) && !(flags & MREMAP_DONTUNMAP)) {
		vma_set_account(vma, false);
		/* The pieces of the old VMA that stay around the hole (found again by address). */
		if (old_addr > vma->vm_start)
			below = vma->vm_start;
		if (old_addr + old_len < vma->vm_end)
			above = old_addr + old_len;
	}
	hiwater_vm = mm->hiwater_vm;
	vm_stat_account(mm, vma->vm_flags, (long)(new_len >> PAGE_SHIFT));

	if (!err && (flags & MREMAP_DONTUNMAP)) {
		move_vma_keep_source(vma, old_addr, old_len);
		return new_addr;
	}
	if (do_munmap(mm, old_addr, old_len) < 0) {
		if ((vm_flags & VM_ACCOUNT) && !(flags & MREMAP_DONTUNMAP))
			vm_acct_memory(mm->kernel, (long)(old_len >> PAGE_SHIFT));
		below = above = 0;
	}
	if (vm_flags & VM_LOCKED) {
		mm->locked_vm += new_len >> PAGE_SHIFT;
		*locked = true;
	}
	mm->hiwater_vm = hiwater_vm;
	/* The parts of the old VMA left around the hole keep their charge. */
	if (below && vma_lookup(mm, below))
		vma_set_account(vma_lookup(mm, below), true);
	if (above && vma_lookup(mm, above))
		vma_set_account(vma_lookup(mm, above), true);
	return new_addr;
}

/*
 * Models: vma_to_resize(): the VMA holding [@addr, +@old_len), if it may become @new_len.
 * *@err is 0 or -EFAULT / -EINVAL / -EAGAIN / -ENOMEM (then NULL).
 */
static struct vm_area_struct *vma_to_resize(struct mm_struct *mm, unsigned long addr,
					    unsigned long old_len, unsigned long new_len,
					    unsigned long flags, int *err)
{
	struct vm_area_struct *vma = vma_lookup(mm, addr);
	unsigned long pgoff;

	*err = -EFAULT;
	if (!vma)
		return NULL;
	*err = -EINVAL;
	if (!old_len && !(vma->vm_flags & (VM_SHARED | VM_MAYSHARE)))
		return NULL; /* "duplicating" a private mapping is refused */
	if ((flags & MREMAP_DONTUNMAP) && (vma->vm_flags & (VM_DONTEXPAND | VM_PFNMAP)))
		return NULL;
	*err = -EFAULT;
	if (old_len > vma->vm_end - addr)
		return NULL; /* across VMA boundaries */
	*err = 0;
	if (new_len == old_len)
		return vma;
	pgoff = vma->vm_pgoff + ((addr - vma->vm_start) >> PAGE_SHIFT);
	*err = -EINVAL;
	if (pgoff + (new_len >> PAGE_SHIFT) < pgoff)
		return NULL;
	*err = -EFAULT;
	if (vma->vm_flags & (VM_DONTEXPAND | VM_PFNMAP))
		return NULL;
	*err = mlock_future_check(mm, vma->vm_flags, new_len - old_len);
	if (*err)
		return NULL;
	*err = -ENOMEM;
	if (!may_expand_vm(mm, vma->vm_flags, (new_len - old_len) >> PAGE_SHIFT))
		return NULL;
	*err = 0;
	return vma;
}

/* Models: mremap_to(): MREMAP_FIXED and/or MREMAP_DONTUNMAP. */
static unsigned long mremap_to(struct mm_struct *mm, unsigned long addr, unsigned long old_len,
			       unsigned long new_addr, unsigned long new_len, bool *locked,
			       unsigned long flags)
{
	struct vm_area_struct *vma;
	unsigned long ret, map_flags = 0;
	int err;

	if (offset_in_page(new_addr))
		return (unsigned long)-EINVAL;
	if (new_len > TASK_SIZE || new_addr > TASK_SIZE - new_len)
		return (unsigned long)-EINVAL;
	if (addr + old_len > new_addr && new_addr + new_len > addr)
		return (unsigned long)-EINVAL; /* overlapping source and destination */
	if (mm->map_count + 2 >= mremap_max_map_count(mm) - 3)
		return (unsigned long)-ENOMEM;
	if (flags & MREMAP_FIXED) {
		err = do_munmap(mm, new_addr, new_len);
		if (err)
			return (unsigned long)(long)err;
	}
	if (old_len > new_len) {
		err = do_munmap(mm, addr + new_len, old_len - new_len);
		if (err)
			return (unsigned long)(long)err;
		old_len = new_len;
	}
	vma = vma_to_resize(mm, addr, old_len, new_len, flags, &err);
	if (!vma)
		return (unsigned long)(long)err;
	if ((flags & MREMAP_DONTUNMAP) && !may_expand_vm(mm, vma->vm_flags, old_len >> PAGE_SHIFT))
		return (unsigned long)-ENOMEM;
	if (flags & MREMAP_FIXED)
		map_flags |= MAP_FIXED;
	if (vma->vm_flags & VM_MAYSHARE)
		map_flags |= MAP_SHARED;
	ret = get_unmapped_area(mm, vma->vm_file, new_addr, new_len,
				vma->vm_pgoff + ((addr - vma->vm_start) >> PAGE_SHIFT), map_flags);
	if (IS_ERR_VALUE(ret))
		return ret;
	if (!(flags & MREMAP_FIXED))
		new_addr = ret;
	return move_vma(vma, addr, old_len, new_len, new_addr, locked, flags);
}

/* Models: vma_expandable(): is [vm_end, vm_end + @delta) free and usable for @vma? */
static bool vma_expandable(struct vm_area_struct *vma, unsigned long delta)
{
	unsigned long end = vma->vm_end + delta;

	if (end < vma->vm_end)
		return false;
	if (find_vma_intersection(vma->vm_mm, vma->vm_end, end))
		return false;
	return !(get_unmapped_area(vma->vm_mm, NULL, vma->vm_start, end - vma->vm_start, 0,
				   MAP_FIXED) &
		 ~PAGE_MASK);
}

/* The in-place growth of sys_mremap: [addr + old_len, addr + new_len) joins @vma. */
static unsigned long mremap_expand(struct vm_area_struct *vma, unsigned long addr,
				   unsigned long old_len, unsigned long new_len, bool *locked)
{
	struct mm_struct *mm = vma->vm_mm;
	long pages = (long)((new_len - old_len) >> PAGE_SHIFT);
	unsigned long ext_start = addr + old_len, ext_end = addr + new_len;
	unsigned long ext_pgoff = vma->vm_pgoff + ((ext_start - vma->vm_start) >> PAGE_SHIFT);

	if ((vma->vm_flags & VM_ACCOUNT) && __vm_enough_memory(mm, pages, true))
		return (unsigned long)-ENOMEM;
	vma = vma_merge(mm, vma, ext_start, ext_end, vma->vm_flags, vma->anon_vma, vma->vm_file,
			ext_pgoff);
	if (!vma) {
		vm_unacct_memory(mm->kernel, pages);
		return (unsigned long)-ENOMEM;
	}
	vm_stat_account(mm, vma->vm_flags, pages);
	if (vma->vm_flags & VM_LOCKED) {
		mm->locked_vm += (unsigned long)pages;
		*locked = true;
	}
	return addr;
}

/* sys_mremap's flag and length checks; 0 or -EINVAL. */
static int mremap_args(unsigned long addr, unsigned long flags, unsigned long old_len,
		       unsigned long new_len)
{
	if (flags & ~(unsigned long)(MREMAP_FIXED | MREMAP_MAYMOVE | MREMAP_DONTUNMAP))
		return -EINVAL;
	if ((flags & MREMAP_FIXED) && !(flags & MREMAP_MAYMOVE))
		return -EINVAL;
	/* DONTUNMAP always moves and never resizes. */
	if ((flags & MREMAP_DONTUNMAP) && (!(flags & MREMAP_MAYMOVE) || old_len != new_len))
		return -EINVAL;
	if (offset_in_page(addr))
		return -EINVAL;
	return 0;
}

/* Models: sys_mremap() once the arguments passed (locked: populate the new part). */
static unsigned long mremap_locked(struct mm_struct *mm, unsigned long addr, unsigned long old_len,
				   unsigned long new_len, unsigned long flags,
				   unsigned long *new_addr, bool *locked)
{
	struct vm_area_struct *vma = vma_lookup(mm, addr);
	unsigned long map_flags = 0, ret;
	int err;

	if (!vma)
		return (unsigned long)-EFAULT;
	if (flags & (MREMAP_FIXED | MREMAP_DONTUNMAP))
		return mremap_to(mm, addr, old_len, *new_addr, new_len, locked, flags);
	if (old_len >= new_len) { /* shrinking always works: unmap the tail */
		err = do_munmap(mm, addr + new_len, old_len - new_len);
		if (err < 0 && old_len != new_len)
			return (unsigned long)(long)err;
		return addr;
	}
	vma = vma_to_resize(mm, addr, old_len, new_len, flags, &err);
	if (!vma)
		return (unsigned long)(long)err;
	if (old_len == vma->vm_end - addr && vma_expandable(vma, new_len - old_len)) {
		*new_addr = addr;
		return mremap_expand(vma, addr, old_len, new_len, locked);
	}
	if (!(flags & MREMAP_MAYMOVE))
		return (unsigned long)-ENOMEM;
	if (vma->vm_flags & VM_MAYSHARE)
		map_flags |= MAP_SHARED;
	ret = get_unmapped_area(mm, vma->vm_file, 0, new_len,
				vma->vm_pgoff + ((addr - vma->vm_start) >> PAGE_SHIFT), map_flags);
	if (IS_ERR_VALUE(ret))
		return ret;
	*new_addr = ret;
	return move_vma(vma, addr, old_len, new_len, ret, locked, flags);
}

unsigned long do_mremap(struct mm_struct *mm, unsigned long addr, unsigned long old_len,
			unsigned long new_len, unsigned long flags, unsigned long new_addr)
{
	struct vm_area_struct *vma;
	bool locked = false;
	unsigned long ret;
	int err = mremap_args(addr, flags, old_len, new_len);

	if (err)
		return (unsigned long)(long)err;
	old_len = PAGE_ALIGN(old_len);
	new_len = PAGE_ALIGN(new_len);
	if (!new_len)
		return (unsigned long)-EINVAL;
	vma = vma_lookup(mm, addr);
	if (vma && is_vm_hugetlb_page(vma)) {
		err = hugetlb_mremap_check(vma, addr, &old_len, &new_len, new_addr);
		if (err)
			return (unsigned long)(long)err;
	}
	ret = mremap_locked(mm, addr, old_len, new_len, flags, &new_addr, &locked);
	if (offset_in_page(ret))
		locked = false; /* an error */
	if (locked && new_len > old_len)
		__mm_populate(mm, new_addr + old_len, new_len - old_len, 1);
	return ret;
}
