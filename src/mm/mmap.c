/*
 * The VMA layer of a user address space: the VMA tree and list, lookups, vma_merge and
 * split_vma, the arm64 top-down layout and get_unmapped_area, mmap/munmap/brk, stack
 * expansion and VM accounting.
 *
 * Models: mm/mmap.c (Linux 6.1): find_vma, vma_merge (cases 1-8), __split_vma, do_mmap,
 *         mmap_region, do_mas_munmap, sys_brk, do_brk_flags, vm_brk_flags, expand_downwards,
 *         vm_stat_account, may_expand_vm, _install_special_mapping; the 6.0 unmapped_area_
 *         topdown search over rb_subtree_gap; mm/util.c:arch_pick_mmap_layout and mmap_base;
 *         arch/arm64/mm/mmap.c (arch_get_unmapped_area_topdown is the generic one on arm64).
 * Deviation: 6.1 keeps VMAs in a maple tree. Here they are in a libbsd red-black tree by
 *         vm_start, augmented with rb_subtree_gap (the largest free gap below a VMA in its
 *         subtree, as 6.0's mm_rb was), plus the sorted vm_next/vm_prev list; lookups and the
 *         free-gap search are O(log n) as in the kernel. Results are the same.
 * Deviation: mempolicy, userfaultfd contexts and anon_vma_name are not modelled (they never
 *         block a merge here). The i_mmap tree is the file layer's list (pagemap.h).
 *
 * Invariants (mmap_check):
 *  1. The tree holds exactly the VMAs of the list, in address order, none overlapping, each
 *     page aligned with vm_start < vm_end <= TASK_SIZE; map_count is their number.
 *  2. Each node's rb_subtree_gap is the largest vm_start_gap(v) - vm_end_gap(v->vm_prev) of
 *     its subtree; highest_vm_end is the last VMA's vm_end_gap.
 *  3. total_vm is the sum of the VMAs' pages; data_vm, exec_vm and stack_vm the sums over
 *     the VMAs vm_stat_account classes so; mm->committed the pages of VM_ACCOUNT VMAs.
 *  4. A VMA with an anon_vma has a chain to it on its anon_vma_chain list.
 */
#define RB_AUGMENT(x) vma_gap_augment(x)

#include "mm/mmap.h"

#include "arch/arm64/include/asm/pgtable.h"
#include "kernel/sched.h"
#include "lib/bug.h"
#include "lib/trace.h"
#include "mm/huge_mm.h"
#include "mm/hugetlb.h"
#include "mm/khugepaged.h"
#include "mm/memory.h"
#include "mm/mm_state.h"
#include "mm/oom.h"
#include "mm/pagemap.h"
#include "mm/rmap.h"
#include "mm/shmem.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#ifndef __unused
#define __unused __attribute__((unused)) /* RB_GENERATE_STATIC's attribute */
#endif
#include <sys/tree.h>

static inline void vma_gap_augment(struct vm_area_struct *vma);

/* The tree type over mm->mm_rb (whose layout is libbsd's RB_HEAD). */
RB_HEAD(vma_tree, vm_area_struct);
_Static_assert(sizeof(struct vma_tree) == sizeof(((struct mm_struct *)0)->mm_rb), "mm_rb");

static inline struct vma_tree *mm_tree(const struct mm_struct *mm)
{
	return (struct vma_tree *)(uintptr_t)&mm->mm_rb;
}

static inline int vma_cmp(const struct vm_area_struct *a, const struct vm_area_struct *b)
{
	if (a->vm_end <= b->vm_start)
		return -1;
	return a->vm_start >= b->vm_end ? 1 : 0;
}

RB_GENERATE_STATIC(vma_tree, vm_area_struct, vm_rb, vma_cmp)

/* ---- gaps ----------------------------------------------------------------------------- */

static inline unsigned long stack_guard_gap_of(const struct mm_struct *mm)
{
	return mm_state_of(mm->kernel)->stack_guard_gap;
}

unsigned long vm_start_gap(const struct vm_area_struct *vma)
{
	unsigned long start = vma->vm_start;

	if (vma->vm_flags & VM_GROWSDOWN) {
		start -= stack_guard_gap_of(vma->vm_mm);
		if (start > vma->vm_start)
			start = 0;
	}
	return start;
}

unsigned long vm_end_gap(const struct vm_area_struct *vma)
{
	return vma->vm_end;
}

/* Models: vma_compute_gap(): the free space below @vma (guard gaps taken off). */
static unsigned long vma_compute_gap(const struct vm_area_struct *vma)
{
	unsigned long gap = vm_start_gap(vma), prev_end;

	if (vma->vm_prev) {
		prev_end = vm_end_gap(vma->vm_prev);
		gap = gap > prev_end ? gap - prev_end : 0;
	}
	return gap;
}

static inline unsigned long subtree_gap(const struct vm_area_struct *v)
{
	return v ? v->rb_subtree_gap : 0;
}

/* Models: vma_compute_subtree_gap(). */
static inline void vma_gap_augment(struct vm_area_struct *vma)
{
	unsigned long g = vma_compute_gap(vma), l = subtree_gap(RB_LEFT(vma, vm_rb)),
		      r = subtree_gap(RB_RIGHT(vma, vm_rb));

	if (l > g)
		g = l;
	vma->rb_subtree_gap = r > g ? r : g;
}

/* Models: vma_gap_update(): recomputes @vma's gap and its ancestors'. */
static void vma_gap_update(struct vm_area_struct *vma)
{
	for (; vma; vma = RB_PARENT(vma, vm_rb))
		vma_gap_augment(vma);
}

static void update_highest_vm_end(struct mm_struct *mm)
{
	mm->highest_vm_end = mm->mmap_last ? vm_end_gap(mm->mmap_last) : 0;
}

/* ---- tree and list linkage ------------------------------------------------------------ */

bool vma_link_tree(struct mm_struct *mm, struct vm_area_struct *vma)
{
	struct vm_area_struct *prev, *next;

	if (RB_INSERT(vma_tree, mm_tree(mm), vma))
		return false;
	prev = RB_PREV(vma_tree, mm_tree(mm), vma);
	next = RB_NEXT(vma_tree, mm_tree(mm), vma);
	vma->vm_prev = prev;
	vma->vm_next = next;
	if (prev)
		prev->vm_next = vma;
	else
		mm->mmap = vma;
	if (next)
		next->vm_prev = vma;
	else
		mm->mmap_last = vma;
	vma_gap_update(vma);
	if (next)
		vma_gap_update(next);
	update_highest_vm_end(mm);
	return true;
}

void vma_unlink_tree(struct mm_struct *mm, struct vm_area_struct *vma)
{
	struct vm_area_struct *prev = vma->vm_prev, *next = vma->vm_next, *splice;

	splice = RB_PARENT(vma, vm_rb);
	if (RB_LEFT(vma, vm_rb) && RB_RIGHT(vma, vm_rb))
		splice = NULL; /* the successor moved: recompute from it below */
	RB_REMOVE(vma_tree, mm_tree(mm), vma);
	if (prev)
		prev->vm_next = next;
	else
		mm->mmap = next;
	if (next)
		next->vm_prev = prev;
	else
		mm->mmap_last = prev;
	vma->vm_next = vma->vm_prev = NULL;
	if (splice)
		vma_gap_update(splice);
	if (next)
		vma_gap_update(next);
	if (prev)
		vma_gap_update(prev);
	update_highest_vm_end(mm);
}

/* A VMA's bounds changed in place (same neighbours): its gap and its successor's. */
static void vma_bounds_changed(struct mm_struct *mm, struct vm_area_struct *vma)
{
	vma_gap_update(vma);
	if (vma->vm_next)
		vma_gap_update(vma->vm_next);
	update_highest_vm_end(mm);
}

/* ---- lookups -------------------------------------------------------------------------- */

struct vm_area_struct *find_vma(struct mm_struct *mm, unsigned long addr)
{
	struct vm_area_struct *v = mm->mm_rb.rbh_root, *best = NULL;

	while (v) {
		if (v->vm_end > addr) {
			best = v;
			if (v->vm_start <= addr)
				break;
			v = RB_LEFT(v, vm_rb);
		} else {
			v = RB_RIGHT(v, vm_rb);
		}
	}
	return best;
}

struct vm_area_struct *find_vma_prev(struct mm_struct *mm, unsigned long addr,
				     struct vm_area_struct **pprev)
{
	struct vm_area_struct *vma = find_vma(mm, addr);

	*pprev = vma ? vma->vm_prev : mm->mmap_last;
	return vma;
}

struct vm_area_struct *find_vma_intersection(struct mm_struct *mm, unsigned long start,
					     unsigned long end)
{
	struct vm_area_struct *vma = find_vma(mm, start);

	return vma && vma->vm_start < end ? vma : NULL;
}

struct vm_area_struct *vma_lookup(struct mm_struct *mm, unsigned long addr)
{
	struct vm_area_struct *vma = find_vma(mm, addr);

	return vma && vma->vm_start <= addr ? vma : NULL;
}

/* ---- accounting ----------------------------------------------------------------------- */

static inline bool is_exec_mapping(vm_flags_t flags)
{
	return (flags & (VM_EXEC | VM_WRITE | VM_STACK)) == VM_EXEC;
}

static inline bool is_stack_mapping(vm_flags_t flags)
{
	return (flags & VM_STACK) == VM_STACK;
}

static inline bool is_data_mapping(vm_flags_t flags)
{
	return (flags & (VM_WRITE | VM_SHARED | VM_STACK)) == VM_WRITE;
}

void vm_stat_account(struct mm_struct *mm, vm_flags_t flags, long npages)
{
	mm->total_vm += (unsigned long)npages;
	if (is_exec_mapping(flags))
		mm->exec_vm += (unsigned long)npages;
	else if (is_stack_mapping(flags))
		mm->stack_vm += (unsigned long)npages;
	else if (is_data_mapping(flags))
		mm->data_vm += (unsigned long)npages;
}

/* The rlimit @which of the task running for @mm (the defaults when none). */
static uint64_t mm_rlimit(const struct mm_struct *mm, int which)
{
	struct task_struct *t = get_current_task(mm->kernel);

	if (t && t->mm == mm)
		return t->rlim[which].rlim_cur;
	return which == RLIMIT_STACK_ ? _STK_LIM : RLIM_INFINITY;
}

bool may_expand_vm(struct mm_struct *mm, vm_flags_t flags, unsigned long npages)
{
	uint64_t as = mm_rlimit(mm, RLIMIT_AS_), data = mm_rlimit(mm, RLIMIT_DATA_);

	if (as != RLIM_INFINITY && mm->total_vm + npages > as >> PAGE_SHIFT)
		return false;
	if (is_data_mapping(flags) && data != RLIM_INFINITY &&
	    mm->data_vm + npages > data >> PAGE_SHIFT)
		return false; /* 6.1 also allows it with ignore_rlimit_data (off by default) */
	return true;
}

vm_flags_t calc_vm_prot_bits(unsigned long prot)
{
	vm_flags_t f = 0;

	if (prot & PROT_READ)
		f |= VM_READ;
	if (prot & PROT_WRITE)
		f |= VM_WRITE;
	if (prot & PROT_EXEC)
		f |= VM_EXEC;
	if (prot & PROT_BTI)
		f |= VM_ARM64_BTI; /* arch_calc_vm_prot_bits (system_supports_bti: neither CPU) */
	return f;
}

vm_flags_t calc_vm_flag_bits(unsigned long flags)
{
	vm_flags_t f = 0;

	if (flags & MAP_GROWSDOWN)
		f |= VM_GROWSDOWN;
	if (flags & MAP_LOCKED)
		f |= VM_LOCKED;
	if (flags & MAP_SYNC)
		f |= VM_SYNC;
	return f;
}

/*
 * Models: vma_wants_writenotify(): a shared writable mapping whose file wants to know when
 * a page is first written (page_mkwrite) or can track dirty pages starts read-only.
 */
static bool vma_wants_writenotify(const struct vm_area_struct *vma)
{
	vm_flags_t vm_flags = vma->vm_flags;

	if ((vm_flags & (VM_WRITE | VM_SHARED)) != (VM_WRITE | VM_SHARED))
		return false;
	if (vma->vm_ops && (vma->vm_ops->page_mkwrite || vma->vm_ops->pfn_mkwrite))
		return true;
	if (vm_flags & VM_PFNMAP)
		return false;
	/* mapping_can_writeback(): the model's filesystems without page_mkwrite (tmpfs) do not */
	return false;
}

void vma_set_page_prot(struct vm_area_struct *vma)
{
	vm_flags_t vm_flags = vma->vm_flags;

	if (vma_wants_writenotify(vma))
		vm_flags &= ~VM_SHARED;
	vma->vm_page_prot = vm_get_page_prot(vm_flags);
}

/* VM_ACCOUNT pages of @vma go to Committed_AS and to mm->committed. */
static void vma_commit(struct vm_area_struct *vma, long sign)
{
	if (vma->vm_flags & VM_ACCOUNT)
		vma->vm_mm->committed += (unsigned long)(sign * (long)vma_pages(vma));
}

/* ---- VMA objects ---------------------------------------------------------------------- */

struct vm_area_struct *vm_area_alloc(struct mm_struct *mm)
{
	struct mm_state *ms = mm_state_of(mm->kernel);
	uint64_t obj;
	struct vm_area_struct *vma =
		mm_obj_alloc(mm->kernel, ms->vm_area_cachep, sizeof(*vma), &obj);

	if (!vma)
		return NULL;
	vma->slab_obj = obj;
	vma->vm_mm = mm;
	INIT_LIST_HEAD(&vma->anon_vma_chain);
	INIT_LIST_HEAD(&vma->shared);
	ms->nr_vmas++;
	return vma;
}

struct vm_area_struct *vm_area_dup(struct vm_area_struct *orig)
{
	struct vm_area_struct *vma = vm_area_alloc(orig->vm_mm);

	if (!vma)
		return NULL;
	vma->vm_start = orig->vm_start;
	vma->vm_end = orig->vm_end;
	vma->vm_page_prot = orig->vm_page_prot;
	vma->vm_flags = orig->vm_flags;
	vma->vm_ops = orig->vm_ops;
	vma->vm_pgoff = orig->vm_pgoff;
	vma->anon_vma = orig->anon_vma; /* chains: anon_vma_clone / anon_vma_fork */
	vma->vm_file = orig->vm_file ? get_file(orig->vm_file) : NULL;
	vma->vm_private_data = orig->vm_private_data;
	vma->special_name = orig->special_name;
	vma->swap_readahead_info = orig->swap_readahead_info;
	return vma;
}

void vm_area_free(struct vm_area_struct *vma)
{
	struct kmm_kernel *k = vma->vm_mm->kernel;
	struct mm_state *ms = mm_state_of(k);

	if (vma->vm_file)
		fput(k, vma->vm_file);
	ms->nr_vmas--;
	mm_obj_free(vma->vm_mm->kernel, ms->vm_area_cachep, vma, vma->slab_obj);
}

/* Models: __vma_link_file(): a file VMA joins its mapping's i_mmap; shared ones count. */
static void core_vma_link_file(struct vm_area_struct *vma)
{
	if (!vma->vm_file)
		return;
	if (vma->vm_flags & VM_SHARED)
		mapping_allow_writable(vma->vm_file->f_mapping);
	vma_link_file(vma);
}

/* Models: __remove_shared_vm_struct() / unlink_file_vma(). */
static void core_vma_unlink_file(struct vm_area_struct *vma)
{
	if (!vma->vm_file || !vma->shared.next || list_empty(&vma->shared))
		return;
	if (vma->vm_flags & VM_SHARED)
		mapping_unmap_writable(vma->vm_file->f_mapping);
	vma_unlink_file(vma);
	INIT_LIST_HEAD(&vma->shared);
}

/* Models: remove_vma(): close, unlink the file and the anon_vmas, free. */
static void remove_vma(struct vm_area_struct *vma)
{
	if (vma->vm_ops && vma->vm_ops->close)
		vma->vm_ops->close(vma);
	core_vma_unlink_file(vma);
	unlink_anon_vmas(vma);
	vm_area_free(vma);
}

int insert_vm_struct(struct mm_struct *mm, struct vm_area_struct *vma)
{
	if (find_vma_intersection(mm, vma->vm_start, vma->vm_end))
		return -ENOMEM;
	if ((vma->vm_flags & VM_ACCOUNT) && __vm_enough_memory(mm, (long)vma_pages(vma), false))
		return -ENOMEM;
	if (!vma->vm_file && !vma->vm_ops && !vma->vm_pgoff)
		vma->vm_pgoff = vma->vm_start >> PAGE_SHIFT; /* vma_is_anonymous: vm_pgoff = addr */
	vma_link_tree(mm, vma);
	core_vma_link_file(vma);
	vma_commit(vma, 1);
	mm->map_count++;
	return 0;
}

/* fork's linking of a copied VMA (dup_mmap): tree and list, the file's i_mmap. */
void vma_link_fork(struct mm_struct *mm, struct vm_area_struct *vma)
{
	vma_link_tree(mm, vma);
	core_vma_link_file(vma);
	if (vma->vm_ops && vma->vm_ops->open)
		vma->vm_ops->open(vma);
}

/* ---- merging -------------------------------------------------------------------------- */

/* Models: is_mergeable_vma(): same flags, file and (here) name; no close hook. */
static bool is_mergeable_vma(const struct vm_area_struct *vma, const struct file *file,
			     vm_flags_t vm_flags)
{
	if ((vma->vm_flags ^ vm_flags) & ~VM_SOFTDIRTY)
		return false;
	if (vma->vm_file != file)
		return false;
	return vma->special_name == NULL;
}

static inline bool list_is_singular(const struct list_head *h)
{
	return !list_empty(h) && h->next == h->prev;
}

/* Models: is_mergeable_anon_vma(). */
static bool is_mergeable_anon_vma(const struct anon_vma *a1, const struct anon_vma *a2,
				  const struct vm_area_struct *vma)
{
	if ((!a1 || !a2) &&
	    (!vma || list_is_singular(&vma->anon_vma_chain) || list_empty(&vma->anon_vma_chain)))
		return true;
	return a1 == a2;
}

/* Models: can_vma_merge_before(): a range ending at @vma->vm_start with page offset... */
static bool can_vma_merge_before(const struct vm_area_struct *vma, vm_flags_t vm_flags,
				 const struct anon_vma *anon_vma, const struct file *file,
				 unsigned long vm_pgoff)
{
	return is_mergeable_vma(vma, file, vm_flags) &&
	       is_mergeable_anon_vma(anon_vma, vma->anon_vma, vma) && vma->vm_pgoff == vm_pgoff;
}

/* Models: can_vma_merge_after(): a range starting at @vma->vm_end at page offset @vm_pgoff. */
static bool can_vma_merge_after(const struct vm_area_struct *vma, vm_flags_t vm_flags,
				const struct anon_vma *anon_vma, const struct file *file,
				unsigned long vm_pgoff)
{
	return is_mergeable_vma(vma, file, vm_flags) &&
	       is_mergeable_anon_vma(anon_vma, vma->anon_vma, vma) &&
	       vma->vm_pgoff + vma_pages(vma) == vm_pgoff;
}

/* The surviving @dst takes @src's anon_vma if it has none (dup_anon_vma). 0 or -ENOMEM. */
static int dup_anon_vma(struct vm_area_struct *dst, struct vm_area_struct *src)
{
	if (src && src->anon_vma && !dst->anon_vma) {
		dst->anon_vma = src->anon_vma;
		return anon_vma_clone(dst, src);
	}
	return 0;
}

/* Removes @vma from @mm as a merge does (its range was taken over by a neighbour). */
static void merge_remove(struct mm_struct *mm, struct vm_area_struct *vma)
{
	vma_commit(vma, -1);
	vma_unlink_tree(mm, vma);
	mm->map_count--;
	remove_vma(vma);
}

/* Sets @vma's bounds in place (no neighbour crossed), keeping commit and gaps right. */
static void vma_set_bounds(struct mm_struct *mm, struct vm_area_struct *vma, unsigned long start,
			   unsigned long end, unsigned long pgoff)
{
	if (start > vma->vm_start || end < vma->vm_end)
		vma_adjust_trans_huge(vma, start, end, 0); /* a new boundary cuts a huge PMD */
	vma_commit(vma, -1);
	vma->vm_start = start;
	vma->vm_end = end;
	vma->vm_pgoff = pgoff;
	vma_commit(vma, 1);
	vma_bounds_changed(mm, vma);
}

/*
 * The cases, as mm/mmap.c draws them (PPPP prev, NNNN next, XXXX the VMA being changed, ****
 * the range [addr, end) asked for):
 *     1: ****    2: ****     3: ****   4: ****      5: ****     6: ****  7: ****  8: ****
 *     PPPPNNNN   PPPPxxxx    xxxxNNNN  PPPPNNNNxxxx PPPPXXXX    PPPPXXXXNNNN ...
 * 1 and 6 join prev and next; 2, 5 and 7 extend prev (5 shrinks the VMA after, 7 removes
 * it); 3 and 8 extend next down (8 removes the VMA between); 4 moves the prev/next boundary.
 */
struct vm_area_struct *vma_merge(struct mm_struct *mm, struct vm_area_struct *prev,
				 unsigned long addr, unsigned long end, vm_flags_t vm_flags,
				 struct anon_vma *anon_vma, struct file *file, unsigned long pgoff)
{
	unsigned long pglen = (end - addr) >> PAGE_SHIFT;
	struct vm_area_struct *mid, *next;
	bool merge_prev = false, merge_next = false;

	if (vm_flags & VM_SPECIAL)
		return NULL;
	next = find_vma(mm, prev ? prev->vm_end : 0);
	mid = next;
	if (next && next->vm_end == end) /* cases 6, 7, 8 */
		next = find_vma(mm, next->vm_end);
	if ((prev && addr <= prev->vm_start) || (mid && end > mid->vm_end) || addr >= end)
		return NULL; /* the caller broke vma_merge's contract (VM_WARN_ON in 6.1) */

	if (prev && prev->vm_end == addr &&
	    can_vma_merge_after(prev, vm_flags, anon_vma, file, pgoff))
		merge_prev = true;
	if (next && end == next->vm_start &&
	    can_vma_merge_before(next, vm_flags, anon_vma, file, pgoff + pglen))
		merge_next = true;

	if (merge_prev && merge_next &&
	    is_mergeable_anon_vma(prev->anon_vma, next->anon_vma, NULL)) { /* cases 1, 6 */
		unsigned long new_end = next->vm_end;

		if (dup_anon_vma(prev, next) || (mid != next && dup_anon_vma(prev, mid)))
			return NULL;
		if (mid != next)
			merge_remove(mm, mid);
		merge_remove(mm, next);
		vma_set_bounds(mm, prev, prev->vm_start, new_end, prev->vm_pgoff);
		return prev;
	}
	if (merge_prev) { /* cases 2, 5, 7 */
		if (mid && mid->vm_start < end) {
			if (dup_anon_vma(prev, mid))
				return NULL;
			if (mid->vm_end == end) /* case 7 */
				merge_remove(mm, mid);
			else /* case 5 */
				vma_set_bounds(mm, mid, end, mid->vm_end,
					       mid->vm_pgoff +
						       ((end - mid->vm_start) >> PAGE_SHIFT));
		}
		vma_set_bounds(mm, prev, prev->vm_start, end, prev->vm_pgoff);
		return prev;
	}
	if (merge_next) {
		if (prev && addr < prev->vm_end) { /* case 4 */
			if (dup_anon_vma(next, prev))
				return NULL;
			vma_set_bounds(mm, prev, prev->vm_start, addr, prev->vm_pgoff);
		} else if (mid != next) { /* case 8 */
			if (dup_anon_vma(next, mid))
				return NULL;
			merge_remove(mm, mid);
		}
		vma_set_bounds(mm, next, addr, next->vm_end, next->vm_pgoff - pglen);
		return next;
	}
	return NULL;
}

/* ---- splitting ------------------------------------------------------------------------ */

int __split_vma(struct mm_struct *mm, struct vm_area_struct *vma, unsigned long addr, int new_below)
{
	struct vm_area_struct *new;

	if (addr <= vma->vm_start || addr >= vma->vm_end || offset_in_page(addr))
		return -EINVAL;
	if (vma->vm_ops && vma->vm_ops->may_split) {
		int err = vma->vm_ops->may_split(vma, addr);

		if (err)
			return err;
	}
	new = vm_area_dup(vma);
	if (!new)
		return -ENOMEM;
	vma_adjust_trans_huge(vma, vma->vm_start, addr, 0); /* __vma_adjust: split at @addr */
	if (new_below) {
		new->vm_end = addr;
	} else {
		new->vm_start = addr;
		new->vm_pgoff += (addr - vma->vm_start) >> PAGE_SHIFT;
	}
	if (anon_vma_clone(new, vma)) {
		vm_area_free(new);
		return -ENOMEM;
	}
	vma_commit(vma, -1);
	if (new_below) {
		vma->vm_pgoff += (addr - vma->vm_start) >> PAGE_SHIFT;
		vma->vm_start = addr;
	} else {
		vma->vm_end = addr;
	}
	vma_commit(vma, 1);
	vma_bounds_changed(mm, vma);
	vma_link_tree(mm, new);
	core_vma_link_file(new);
	if (new->vm_ops &&new->vm_ops->open)
		new->vm_ops->open(new);
	vma_commit(new, 1);
	mm->map_count++;
	return 0;
}

int split_vma(struct mm_struct *mm, struct vm_area_struct *vma, unsigned long addr, int new_below)
{
	if (mm->map_count >= mm->kernel->sysctl_max_map_count)
		return -ENOMEM;
	return __split_vma(mm, vma, addr, new_below);
}

int vma_adjust(struct vm_area_struct *vma, unsigned long start, unsigned long end,
	       unsigned long pgoff, struct vm_area_struct *next, bool remove_next)
{
	struct mm_struct *mm = vma->vm_mm;

	if (remove_next && next) {
		if (dup_anon_vma(vma, next))
			return -ENOMEM;
		merge_remove(mm, next);
	}
	if (start < vma->vm_start || end > vma->vm_end) {
		/* growing: must not cross a neighbour */
		if ((vma->vm_prev && start < vma->vm_prev->vm_end) ||
		    (vma->vm_next && end > vma->vm_next->vm_start))
			return -ENOMEM;
	}
	vma_set_bounds(mm, vma, start, end, pgoff);
	return 0;
}

/* ---- layout --------------------------------------------------------------------------- */

unsigned long arch_mmap_rnd(struct kmm_kernel *k)
{
	/* arch_mmap_rnd(): mmap_rnd_bits (18) random page bits */
	return (env_random(k->env) & ((1UL << MMAP_RND_BITS) - 1)) << PAGE_SHIFT;
}

/* Models: mm/util.c:mmap_base(). */
static unsigned long mmap_base(struct kmm_kernel *k, unsigned long rnd, uint64_t stack_rlim,
			       bool randomize)
{
	unsigned long gap = stack_rlim, pad = mm_state_of(k)->stack_guard_gap;

	if (randomize)
		pad += STACK_RND_MASK << PAGE_SHIFT; /* stack_maxrandom_size */
	if (gap + pad > gap)
		gap += pad;
	if (gap < MIN_GAP && MIN_GAP < MAX_GAP)
		gap = MIN_GAP;
	else if (gap > MAX_GAP)
		gap = MAX_GAP;
	return PAGE_ALIGN(STACK_TOP - gap - rnd);
}

void arch_pick_mmap_layout(struct task_struct *tsk, struct mm_struct *mm)
{
	struct kmm_kernel *k = mm->kernel;
	bool randomize = !(tsk->personality & ADDR_NO_RANDOMIZE) && k->params.randomize_va_space;
	unsigned long rnd = randomize ? arch_mmap_rnd(k) : 0;

	mm->task_size = TASK_SIZE;
	mm->mmap_base = mmap_base(k, rnd, tsk->rlim[RLIMIT_STACK_].rlim_cur, randomize);
}

/*
 * Models: unmapped_area(): the lowest fit in [low_limit, high_limit).
 * Deviation: a walk of the VMA list (O(n)): it only serves the top-down search's fallback.
 */
static unsigned long unmapped_area(struct mm_struct *mm, const struct vm_unmapped_area_info *info)
{
	unsigned long length = info->length + info->align_mask, gap_start = 0, gap_end, a;
	struct vm_area_struct *v = mm->mmap;

	if (length < info->length || info->high_limit < length)
		return (unsigned long)-ENOMEM;
	for (;; v = v->vm_next) {
		gap_end = v ? vm_start_gap(v) : ~0UL;
		if (gap_end > info->high_limit)
			gap_end = info->high_limit;
		a = gap_start > info->low_limit ? gap_start : info->low_limit;
		a += (info->align_offset - a) & info->align_mask;
		if (a < gap_end && gap_end - a >= info->length)
			return a;
		if (!v || gap_end >= info->high_limit)
			return (unsigned long)-ENOMEM;
		gap_start = vm_end_gap(v);
	}
}

/* Models: unmapped_area_topdown(): the highest fit in [low_limit, high_limit). */
static unsigned long unmapped_area_topdown(struct mm_struct *mm,
					   const struct vm_unmapped_area_info *info)
{
	unsigned long length = info->length + info->align_mask, low_limit, high_limit, gap_start,
		      gap_end;
	struct vm_area_struct *vma;

	if (length < info->length)
		return (unsigned long)-ENOMEM;
	gap_end = info->high_limit;
	if (gap_end < length)
		return (unsigned long)-ENOMEM;
	high_limit = gap_end - length;
	if (info->low_limit > high_limit)
		return (unsigned long)-ENOMEM;
	low_limit = info->low_limit + length;

	gap_start = mm->highest_vm_end;
	if (gap_start <= high_limit)
		goto found_highest;
	vma = mm->mm_rb.rbh_root;
	if (!vma || vma->rb_subtree_gap < length)
		return (unsigned long)-ENOMEM;
	for (;;) {
		gap_start = vma->vm_prev ? vm_end_gap(vma->vm_prev) : 0;
		if (gap_start <= high_limit && RB_RIGHT(vma, vm_rb) &&
		    RB_RIGHT(vma, vm_rb)->rb_subtree_gap >= length) {
			vma = RB_RIGHT(vma, vm_rb);
			continue;
		}
	check_current:
		gap_end = vm_start_gap(vma);
		if (gap_end < low_limit)
			return (unsigned long)-ENOMEM;
		if (gap_start <= high_limit && gap_end > gap_start && gap_end - gap_start >= length)
			goto found;
		if (RB_LEFT(vma, vm_rb) && RB_LEFT(vma, vm_rb)->rb_subtree_gap >= length) {
			vma = RB_LEFT(vma, vm_rb);
			continue;
		}
		for (;;) {
			struct vm_area_struct *prev = vma;

			vma = RB_PARENT(vma, vm_rb);
			if (!vma)
				return (unsigned long)-ENOMEM;
			if (prev == RB_RIGHT(vma, vm_rb)) {
				gap_start = vma->vm_prev ? vm_end_gap(vma->vm_prev) : 0;
				goto check_current;
			}
		}
	}
found:
	if (gap_end > info->high_limit)
		gap_end = info->high_limit;
found_highest:
	gap_end -= info->length;
	gap_end -= (gap_end - info->align_offset) & info->align_mask;
	return gap_end;
}

unsigned long vm_unmapped_area(struct mm_struct *mm, const struct vm_unmapped_area_info *info)
{
	struct kmm_env *env = mm->kernel->env;
	unsigned long addr;

	if (info->flags & VM_UNMAPPED_AREA_TOPDOWN)
		addr = unmapped_area_topdown(mm, info);
	else
		addr = unmapped_area(mm, info);
	if (trace_enabled(env, TRACE_vm_unmapped_area)) /* mmap:vm_unmapped_area */
		trace_emit(env, TRACE_vm_unmapped_area,
			   "addr=0x%lx err=%ld total_vm=0x%lx flags=0x%lx len=0x%lx lo=0x%lx "
			   "hi=0x%lx mask=0x%lx ofs=0x%lx",
			   IS_ERR_VALUE(addr) ? 0 : addr, IS_ERR_VALUE(addr) ? (long)addr : 0,
			   mm->total_vm, info->flags, info->length, info->low_limit,
			   info->high_limit, info->align_mask, info->align_offset);
	return addr;
}

/* Models: arch_get_unmapped_area_topdown() (generic, used by arm64). */
static unsigned long arch_get_unmapped_area_topdown(struct mm_struct *mm, unsigned long addr,
						    unsigned long len, unsigned long flags)
{
	unsigned long mmap_end = TASK_SIZE,
		      min_addr = (unsigned long)mm->kernel->sysctl_mmap_min_addr;
	struct vm_area_struct *vma, *prev;
	struct vm_unmapped_area_info info;

	if (len > mmap_end - min_addr)
		return (unsigned long)-ENOMEM;
	if (flags & MAP_FIXED)
		return addr;
	if (addr) {
		addr = PAGE_ALIGN(addr);
		vma = find_vma_prev(mm, addr, &prev);
		if (mmap_end - len >= addr && addr >= min_addr &&
		    (!vma || addr + len <= vm_start_gap(vma)) &&
		    (!prev || addr >= vm_end_gap(prev)))
			return addr;
	}
	info.flags = VM_UNMAPPED_AREA_TOPDOWN;
	info.length = len;
	info.low_limit = min_addr > PAGE_SIZE ? min_addr : PAGE_SIZE;
	info.high_limit = mm->mmap_base; /* arch_get_mmap_base: no 52-bit window here */
	info.align_mask = 0;
	info.align_offset = 0;
	addr = vm_unmapped_area(mm, &info);
	if (offset_in_page(addr)) {
		info.flags = 0;
		info.low_limit = TASK_UNMAPPED_BASE;
		info.high_limit = mmap_end;
		addr = vm_unmapped_area(mm, &info);
	}
	return addr;
}

unsigned long get_unmapped_area(struct mm_struct *mm, struct file *file, unsigned long addr,
				unsigned long len, unsigned long pgoff, unsigned long flags)
{
	(void)file;
	(void)pgoff;
	if (len > TASK_SIZE)
		return (unsigned long)-ENOMEM;
	addr = arch_get_unmapped_area_topdown(mm, addr, len, flags);
	if (IS_ERR_VALUE(addr))
		return addr;
	if (addr > TASK_SIZE - len)
		return (unsigned long)-ENOMEM;
	if (offset_in_page(addr))
		return (unsigned long)-EINVAL;
	/* security_mmap_addr(): tasks have no CAP_SYS_RAWIO */
	if (addr < (unsigned long)mm->kernel->sysctl_mmap_min_addr)
		return (unsigned long)-EPERM;
	return addr;
}

/* ---- mmap ----------------------------------------------------------------------------- */

/* Models: accountable_mapping(): private writable mappings are charged to Committed_AS. */
static bool accountable_mapping(vm_flags_t vm_flags)
{
	return (vm_flags & (VM_NORESERVE | VM_SHARED | VM_WRITE)) == VM_WRITE;
}

/* Unmaps what overlaps [@addr, @addr + @len) for a MAP_FIXED mapping. 0 or -ENOMEM. */
static int munmap_for_map(struct mm_struct *mm, unsigned long addr, unsigned long len)
{
	return find_vma_intersection(mm, addr, addr + len) ? do_munmap(mm, addr, len) : 0;
}

/* mmap_region() for a file or, with @hf, the hugetlbfs file of a MAP_HUGETLB mapping. */
static unsigned long __mmap_region(struct mm_struct *mm, struct file *file, struct hugetlb_file *hf,
				   unsigned long addr, unsigned long len, vm_flags_t vm_flags,
				   unsigned long pgoff)
{
	unsigned long charged = 0, end = addr + len;
	struct vm_area_struct *vma, *prev;
	int error;

	if (!may_expand_vm(mm, vm_flags, len >> PAGE_SHIFT)) {
		unsigned long nr_pages = 0;

		for (vma = find_vma(mm, addr); vma && vma->vm_start < end; vma = vma->vm_next)
			nr_pages += ((vma->vm_end < end ? vma->vm_end : end) -
				     (vma->vm_start > addr ? vma->vm_start : addr)) >>
				    PAGE_SHIFT;
		if (!may_expand_vm(mm, vm_flags, (len >> PAGE_SHIFT) - nr_pages))
			return (unsigned long)-ENOMEM;
	}
	if (munmap_for_map(mm, addr, len))
		return (unsigned long)-ENOMEM;
	if (accountable_mapping(vm_flags) && !hf) { /* hugetlb accounts on its own */
		charged = len >> PAGE_SHIFT;
		if (__vm_enough_memory(mm, (long)charged, false))
			return (unsigned long)-ENOMEM;
		vm_flags |= VM_ACCOUNT;
	}
	find_vma_prev(mm, addr, &prev);
	vma = hf ? NULL : vma_merge(mm, prev, addr, end, vm_flags, NULL, file, pgoff);
	if (vma)
		goto out;
	vma = vm_area_alloc(mm);
	if (!vma)
		goto unacct_nomem;
	vma->vm_start = addr;
	vma->vm_end = end;
	vma->vm_flags = vm_flags;
	vma->vm_pgoff = pgoff;
	vma_set_page_prot(vma);
	if (hf) {
		error = hugetlb_file_mmap(hf, vma); /* call_mmap: hugetlbfs_file_mmap */
		if (error)
			goto free_vma;
		vm_flags = vma->vm_flags & ~(VM_LOCKED | VM_LOCKONFAULT); /* never locked */
		vma->vm_flags = vm_flags;
	} else if (file) {
		if (vm_flags & VM_SHARED) {
			error = mapping_map_writable(file->f_mapping);
			if (error)
				goto free_vma;
		}
		vma->vm_file = get_file(file);
		error = file->f_op->mmap(file, vma); /* call_mmap */
		if (error)
			goto unmap_writable;
		vm_flags = vma->vm_flags;
	} else if (vm_flags & VM_SHARED) {
		error = shmem_zero_setup(vma);
		if (error)
			goto free_vma;
	}
	if (!vma_link_tree(mm, vma)) {
		error = -ENOMEM;
		goto unmap_writable;
	}
	core_vma_link_file(vma);
	vma_commit(vma, 1);
	mm->map_count++;
	if (file && (vm_flags & VM_SHARED))
		mapping_unmap_writable(file->f_mapping);
	vma_set_page_prot(vma);
out:
	khugepaged_enter_vma(vma, vma->vm_flags); /* merged or new: vma_merge's and ours */
	vm_stat_account(mm, vm_flags, (long)(len >> PAGE_SHIFT));
	if (vm_flags & VM_LOCKED)
		mm->locked_vm += len >> PAGE_SHIFT;
	return addr;
unmap_writable:
	if (file && (vm_flags & VM_SHARED))
		mapping_unmap_writable(file->f_mapping);
	if (hf)
		hugetlb_vma_abort(vma);
free_vma:
	vm_area_free(vma);
	if (charged)
		vm_unacct_memory(mm->kernel, (long)charged);
	return (unsigned long)(long)error;
unacct_nomem:
	if (charged)
		vm_unacct_memory(mm->kernel, (long)charged);
	return (unsigned long)-ENOMEM;
}

unsigned long mmap_region(struct mm_struct *mm, struct file *file, unsigned long addr,
			  unsigned long len, vm_flags_t vm_flags, unsigned long pgoff)
{
	return __mmap_region(mm, file, NULL, addr, len, vm_flags, pgoff);
}

/* Models: mlock_future_check(): RLIMIT_MEMLOCK for a VM_LOCKED mapping of @len bytes. */
static int mlock_future_check(struct mm_struct *mm, vm_flags_t flags, unsigned long len)
{
	uint64_t lim = mm_rlimit(mm, RLIMIT_MEMLOCK_);

	if (!(flags & VM_LOCKED) || lim == RLIM_INFINITY)
		return 0;
	if (((mm->locked_vm << PAGE_SHIFT) + len) > lim)
		return -EAGAIN; /* no CAP_IPC_LOCK for the simulated tasks */
	return 0;
}

/* do_mmap()'s checks of a file mapping (6.1): 0, or -errno as unsigned long. */
static unsigned long do_mmap_file_flags(struct file *file, unsigned long len, unsigned long prot,
					unsigned long flags, unsigned long pgoff,
					vm_flags_t *vm_flags)
{
	unsigned long maxsize = (unsigned long)INT64_MAX; /* file_mmap_size_max: S_ISREG */

	if (len > maxsize || pgoff > (maxsize - len) >> PAGE_SHIFT) /* file_mmap_ok */
		return (unsigned long)-EOVERFLOW;
	switch (flags & MAP_TYPE) {
	case MAP_SHARED:
		if ((prot & PROT_WRITE) && !(file->f_mode & FMODE_WRITE))
			return (unsigned long)-EACCES;
		*vm_flags |= VM_SHARED | VM_MAYSHARE;
		if (!(file->f_mode & FMODE_WRITE))
			*vm_flags &= ~(VM_MAYWRITE | VM_SHARED);
		/* fallthrough */
	case MAP_PRIVATE:
		if (!(file->f_mode & FMODE_READ))
			return (unsigned long)-EACCES;
		if (!file->f_op || !file->f_op->mmap)
			return (unsigned long)-ENODEV;
		if (*vm_flags & VM_GROWSDOWN)
			return (unsigned long)-EINVAL;
		return 0;
	default:
		return (unsigned long)-EINVAL;
	}
}

/* do_mmap() for a file or, with @hf, the hugetlbfs file of a MAP_HUGETLB mapping. */
static unsigned long __do_mmap(struct mm_struct *mm, struct file *file, struct hugetlb_file *hf,
			       unsigned long addr, unsigned long len, unsigned long prot,
			       unsigned long flags, unsigned long pgoff, unsigned long *populate)
{
	vm_flags_t vm_flags;

	*populate = 0;
	if (!len)
		return (unsigned long)-EINVAL;
	if (flags & MAP_FIXED_NOREPLACE)
		flags |= MAP_FIXED;
	if (!(flags & MAP_FIXED)) {
		unsigned long min = (unsigned long)mm->kernel->sysctl_mmap_min_addr;

		addr = PAGE_ALIGN(addr); /* round_hint_to_min() */
		if (addr && addr < min)
			addr = PAGE_ALIGN(min);
	}
	len = PAGE_ALIGN(len);
	if (!len)
		return (unsigned long)-ENOMEM;
	if ((pgoff + (len >> PAGE_SHIFT)) < pgoff)
		return (unsigned long)-EOVERFLOW;
	if (mm->map_count > mm->kernel->sysctl_max_map_count)
		return (unsigned long)-ENOMEM;

	if (hf) /* the file's get_unmapped_area: hugetlb_get_unmapped_area */
		addr = hugetlb_get_unmapped_area(mm, hf, addr, len, flags);
	else
		addr = get_unmapped_area(mm, file, addr, len, pgoff, flags);
	if (IS_ERR_VALUE(addr))
		return addr;
	if (flags & MAP_FIXED_NOREPLACE) {
		if (find_vma_intersection(mm, addr, addr + len))
			return (unsigned long)-EEXIST;
	}
	vm_flags = calc_vm_prot_bits(prot) | calc_vm_flag_bits(flags) | mm->def_flags | VM_MAYREAD |
		   VM_MAYWRITE | VM_MAYEXEC;
	if (mlock_future_check(mm, vm_flags, len))
		return (unsigned long)-EAGAIN;
	if (file) {
		unsigned long err = do_mmap_file_flags(file, len, prot, flags, pgoff, &vm_flags);

		if (err)
			return err;
	} else {
		switch (flags & MAP_TYPE) {
		case MAP_SHARED:
			if (vm_flags & VM_GROWSDOWN) /* VM_GROWSUP is VM_NONE on arm64 */
				return (unsigned long)-EINVAL;
			pgoff = 0;
			vm_flags |= VM_SHARED | VM_MAYSHARE;
			break;
		case MAP_PRIVATE:
			pgoff = hf ? 0 : addr >> PAGE_SHIFT; /* hugetlb: offset 0 of its file */
			break;
		default:
			return (unsigned long)-EINVAL;
		}
	}
	if (flags & MAP_NORESERVE) { /* overcommit_memory 2 ignores it (OVERCOMMIT_NEVER) */
		if (mm->kernel->sysctl_overcommit_memory != OVERCOMMIT_NEVER)
			vm_flags |= VM_NORESERVE;
		if (hf) /* hugetlb applies strict overcommit unless MAP_NORESERVE */
			vm_flags |= VM_NORESERVE;
	}
	addr = __mmap_region(mm, file, hf, addr, len, vm_flags, pgoff);
	if (!IS_ERR_VALUE(addr) &&
	    ((vm_flags & VM_LOCKED) || (flags & (MAP_POPULATE | MAP_NONBLOCK)) == MAP_POPULATE))
		*populate = len;
	return addr;
}

unsigned long do_mmap(struct mm_struct *mm, struct file *file, unsigned long addr,
		      unsigned long len, unsigned long prot, unsigned long flags,
		      unsigned long pgoff, unsigned long *populate)
{
	return __do_mmap(mm, file, NULL, addr, len, prot, flags, pgoff, populate);
}

unsigned long vm_mmap_pgoff(struct mm_struct *mm, struct file *file, unsigned long addr,
			    unsigned long len, unsigned long prot, unsigned long flags,
			    unsigned long pgoff)
{
	struct hugetlb_file *hf = NULL;
	unsigned long populate, ret;

	if ((flags & MAP_HUGETLB) && file)
		return (unsigned long)-EINVAL; /* not a hugetlbfs file */
	if (flags & MAP_HUGETLB) {	       /* ksys_mmap_pgoff: an anonymous hugetlbfs file */
		int err;

		hf = hugetlb_file_setup(mm->kernel, &len, flags, &err);
		if (!hf)
			return (unsigned long)(long)err;
	}
	if ((flags & MAP_TYPE) == MAP_SHARED_VALIDATE &&
	    (flags & ~(LEGACY_MAP_MASK | MAP_SYNC | MAP_FIXED_NOREPLACE)))
		return (unsigned long)-EOPNOTSUPP;
	if ((flags & MAP_TYPE) == MAP_SHARED_VALIDATE)
		flags = (flags & ~(unsigned long)MAP_TYPE) | MAP_SHARED;
	ret = __do_mmap(mm, file, hf, addr, len, prot, flags, pgoff, &populate);
	hugetlb_file_put(mm->kernel, hf); /* fput: the VMA holds its own reference */
	if (populate && !IS_ERR_VALUE(ret))
		__mm_populate(mm, ret, populate, 1);
	return ret;
}

/* ---- munmap --------------------------------------------------------------------------- */

int do_munmap(struct mm_struct *mm, unsigned long start, size_t len)
{
	struct vm_area_struct *vma, *prev, *last, *next, *v;
	unsigned long end, nr_accounted = 0;

	if (offset_in_page(start) || start > TASK_SIZE || len > TASK_SIZE - start)
		return -EINVAL;
	end = start + PAGE_ALIGN(len);
	if (end == start)
		return -EINVAL;
	vma = find_vma(mm, start);
	if (!vma || vma->vm_start >= end)
		return 0;
	if (start > vma->vm_start) {
		if (end < vma->vm_end && mm->map_count >= mm->kernel->sysctl_max_map_count)
			return -ENOMEM;
		int err = __split_vma(mm, vma, start, 0); /* -EINVAL: hugetlb_vm_op_split */

		if (err)
			return err;
		vma = vma->vm_next;
	}
	last = find_vma(mm, end);
	if (last && end > last->vm_start) {
		int err = __split_vma(mm, last, end, 1);

		if (err)
			return err;
		vma = find_vma(mm, start); /* the lower part is the new VMA */
	}
	prev = vma->vm_prev;
	for (last = vma; last->vm_next && last->vm_next->vm_end <= end; last = last->vm_next)
		;
	next = last->vm_next;
	for (v = vma; v != next; v = v->vm_next)
		if (v->vm_flags & VM_LOCKED)
			mm->locked_vm -= vma_pages(v);
	unmap_region(mm, vma, prev, start, end);
	update_hiwater_vm(mm); /* remove_mt(): the high watermark before total_vm drops */
	for (v = vma; v != next;) {
		struct vm_area_struct *n = v->vm_next;

		vm_stat_account(mm, v->vm_flags, -(long)vma_pages(v));
		if (v->vm_flags & VM_ACCOUNT)
			nr_accounted += vma_pages(v);
		vma_commit(v, -1);
		vma_unlink_tree(mm, v);
		mm->map_count--;
		remove_vma(v);
		v = n;
	}
	vm_unacct_memory(mm->kernel, (long)nr_accounted);
	return 0;
}

/* ---- brk ------------------------------------------------------------------------------ */

/* Models: do_brk_flags(): grows @vma (if it ends at @addr and can merge) or adds a VMA. */
static int do_brk_flags(struct mm_struct *mm, struct vm_area_struct *vma, unsigned long addr,
			unsigned long len, vm_flags_t flags)
{
	flags |= VM_DATA_DEFAULT_FLAGS | VM_ACCOUNT | mm->def_flags;
	if (!may_expand_vm(mm, flags, len >> PAGE_SHIFT))
		return -ENOMEM;
	if (mm->map_count > mm->kernel->sysctl_max_map_count)
		return -ENOMEM;
	if (__vm_enough_memory(mm, (long)(len >> PAGE_SHIFT), false))
		return -ENOMEM;
	if (vma && vma->vm_end == addr &&
	    can_vma_merge_after(vma, flags, NULL, NULL, addr >> PAGE_SHIFT)) {
		vma_set_bounds(mm, vma, vma->vm_start, addr + len, vma->vm_pgoff);
		khugepaged_enter_vma(vma, flags);
		goto out;
	}
	vma = vm_area_alloc(mm);
	if (!vma) {
		vm_unacct_memory(mm->kernel, (long)(len >> PAGE_SHIFT));
		return -ENOMEM;
	}
	vma->vm_start = addr;
	vma->vm_end = addr + len;
	vma->vm_pgoff = addr >> PAGE_SHIFT;
	vma->vm_flags = flags;
	vma_set_page_prot(vma);
	if (!vma_link_tree(mm, vma)) {
		vm_area_free(vma);
		vm_unacct_memory(mm->kernel, (long)(len >> PAGE_SHIFT));
		return -ENOMEM;
	}
	vma_commit(vma, 1);
	mm->map_count++;
out:
	mm->total_vm += len >> PAGE_SHIFT;
	mm->data_vm += len >> PAGE_SHIFT;
	if (flags & VM_LOCKED)
		mm->locked_vm += len >> PAGE_SHIFT;
	return 0;
}

int vm_brk_flags(struct mm_struct *mm, unsigned long addr, unsigned long request,
		 unsigned long flags)
{
	unsigned long len = PAGE_ALIGN(request), a;
	struct vm_area_struct *prev;
	int ret;

	if (flags & ~VM_EXEC)
		return -EINVAL;
	if (len < request)
		return -ENOMEM;
	if (!len)
		return 0;
	a = get_unmapped_area(mm, NULL, addr, len, 0, MAP_FIXED); /* check_brk_limits */
	if (IS_ERR_VALUE(a))
		return (int)(long)a;
	if (mlock_future_check(mm, mm->def_flags, len))
		return -EAGAIN;
	ret = munmap_for_map(mm, addr, len);
	if (ret)
		return ret;
	find_vma_prev(mm, addr, &prev);
	ret = do_brk_flags(mm, prev, addr, len, flags);
	if (!ret && (mm->def_flags & VM_LOCKED))
		__mm_populate(mm, addr, len, 1);
	return ret;
}

/* Models: check_data_rlimit(). */
static bool check_data_rlimit(uint64_t rlim, unsigned long new, unsigned long start,
			      unsigned long end_data, unsigned long start_data)
{
	return rlim < RLIM_INFINITY && (new - start) + (end_data - start_data) > rlim;
}

unsigned long do_brk(struct mm_struct *mm, unsigned long brk)
{
	unsigned long newbrk, oldbrk, origbrk = mm->brk;
	struct vm_area_struct *next, *brkvma;

	if (brk < mm->start_brk) /* no CONFIG_COMPAT_BRK */
		goto out;
	if (check_data_rlimit(mm_rlimit(mm, RLIMIT_DATA_), brk, mm->start_brk, mm->end_data,
			      mm->start_data))
		goto out;
	newbrk = PAGE_ALIGN(brk);
	oldbrk = PAGE_ALIGN(mm->brk);
	if (oldbrk == newbrk) {
		mm->brk = brk;
		return brk;
	}
	if (brk <= mm->brk) { /* shrinking is always allowed */
		brkvma = find_vma(mm, newbrk);
		if (!brkvma || brkvma->vm_start >= oldbrk)
			goto out;
		mm->brk = brk;
		if (do_munmap(mm, newbrk, oldbrk - newbrk)) {
			mm->brk = origbrk;
			goto out;
		}
		return brk;
	}
	next = find_vma(mm, oldbrk);
	if (next && newbrk + PAGE_SIZE > vm_start_gap(next))
		goto out;
	/* mas_prev(start_brk): the VMA holding oldbrk - 1 if it reaches past start_brk */
	brkvma = oldbrk ? find_vma(mm, oldbrk - 1) : NULL;
	if (brkvma && (brkvma->vm_start >= oldbrk || brkvma->vm_end <= mm->start_brk))
		brkvma = NULL;
	if (do_brk_flags(mm, brkvma, oldbrk, newbrk - oldbrk, 0) < 0)
		goto out;
	mm->brk = brk;
	if (mm->def_flags & VM_LOCKED)
		__mm_populate(mm, oldbrk, newbrk - oldbrk, 1);
	return brk;
out:
	mm->brk = origbrk;
	return origbrk;
}

/* ---- special mappings and the stack --------------------------------------------------- */

int install_special_mapping(struct mm_struct *mm, unsigned long addr, unsigned long len,
			    vm_flags_t vm_flags, const char *name)
{
	struct vm_area_struct *vma;

	if (!len || offset_in_page(addr) || offset_in_page(len))
		return -EINVAL;
	if (find_vma_intersection(mm, addr, addr + len))
		return -EEXIST;
	vma = vm_area_alloc(mm);
	if (!vma)
		return -ENOMEM;
	vma->vm_start = addr;
	vma->vm_end = addr + len;
	vma->vm_flags = vm_flags | mm->def_flags | VM_DONTEXPAND;
	vma->special_name = name;
	vma_set_page_prot(vma);
	if (insert_vm_struct(mm, vma)) {
		vm_area_free(vma);
		return -ENOMEM;
	}
	vm_stat_account(mm, vma->vm_flags, (long)(len >> PAGE_SHIFT));
	return 0;
}

/* Models: acct_stack_growth(): may @vma grow by @grow pages to @size bytes? */
static int acct_stack_growth(struct vm_area_struct *vma, unsigned long size, unsigned long grow)
{
	struct mm_struct *mm = vma->vm_mm;

	if (!may_expand_vm(mm, vma->vm_flags, grow))
		return -ENOMEM;
	if (size > mm_rlimit(mm, RLIMIT_STACK_))
		return -ENOMEM;
	if (mlock_future_check(mm, vma->vm_flags, grow << PAGE_SHIFT))
		return -ENOMEM;
	if (__vm_enough_memory(mm, (long)grow, false))
		return -ENOMEM;
	return 0;
}

int expand_downwards(struct vm_area_struct *vma, unsigned long address)
{
	struct mm_struct *mm = vma->vm_mm;
	struct vm_area_struct *prev = vma->vm_prev;
	unsigned long size, grow;
	int error;

	address &= PAGE_MASK;
	if (address < (unsigned long)mm->kernel->sysctl_mmap_min_addr)
		return -EPERM;
	if (prev && !(prev->vm_flags & VM_GROWSDOWN) && (prev->vm_flags & VM_ACCESS_FLAGS)) {
		if (address - prev->vm_end < stack_guard_gap_of(mm))
			return -ENOMEM;
	}
	if (anon_vma_prepare(vma))
		return -ENOMEM;
	if (address >= vma->vm_start)
		return 0;
	size = vma->vm_end - address;
	grow = (vma->vm_start - address) >> PAGE_SHIFT;
	if (grow > vma->vm_pgoff)
		return -ENOMEM;
	error = acct_stack_growth(vma, size, grow);
	if (error)
		return error;
	if (vma->vm_flags & VM_LOCKED)
		mm->locked_vm += grow;
	vm_stat_account(mm, vma->vm_flags, (long)grow);
	vma_set_bounds(mm, vma, address, vma->vm_end, vma->vm_pgoff - grow);
	return 0;
}

int expand_stack(struct vm_area_struct *vma, unsigned long address)
{
	if (!(vma->vm_flags & VM_GROWSDOWN))
		return -EFAULT;
	return expand_downwards(vma, address);
}

/* ---- check ---------------------------------------------------------------------------- */

#define CHECK(cond, ...)                                                                           \
	do {                                                                                       \
		if (!(cond)) {                                                                     \
			snprintf(why, whylen, __VA_ARGS__);                                        \
			return false;                                                              \
		}                                                                                  \
	} while (0)

static bool gap_check(const struct vm_area_struct *v, char *why, size_t whylen)
{
	unsigned long g;

	if (!v)
		return true;
	g = vma_compute_gap(v);
	if (subtree_gap(RB_LEFT(v, vm_rb)) > g)
		g = subtree_gap(RB_LEFT(v, vm_rb));
	if (subtree_gap(RB_RIGHT(v, vm_rb)) > g)
		g = subtree_gap(RB_RIGHT(v, vm_rb));
	CHECK(g == v->rb_subtree_gap, "mmap: VMA %lx-%lx rb_subtree_gap %lx, should be %lx",
	      v->vm_start, v->vm_end, v->rb_subtree_gap, g);
	return gap_check(RB_LEFT(v, vm_rb), why, whylen) &&
	       gap_check(RB_RIGHT(v, vm_rb), why, whylen);
}

bool mmap_check(const struct mm_struct *mm, char *why, size_t whylen)
{
	struct vm_area_struct *v, *t, *prev = NULL;
	unsigned long n = 0, total = 0, data = 0, exec = 0, stack = 0, committed = 0;

	t = RB_MIN(vma_tree, mm_tree(mm));
	for (v = mm->mmap; v; prev = v, v = v->vm_next, t = RB_NEXT(vma_tree, mm_tree(mm), t)) {
		CHECK(t == v, "mmap: tree and list differ at VMA %lx-%lx", v->vm_start, v->vm_end);
		CHECK(v->vm_prev == prev, "mmap: VMA %lx-%lx vm_prev wrong", v->vm_start,
		      v->vm_end);
		CHECK(v->vm_mm == mm, "mmap: VMA %lx-%lx of another mm", v->vm_start, v->vm_end);
		CHECK(v->vm_start < v->vm_end && !offset_in_page(v->vm_start) &&
			      !offset_in_page(v->vm_end) && v->vm_end <= TASK_SIZE,
		      "mmap: VMA %lx-%lx malformed", v->vm_start, v->vm_end);
		CHECK(!prev || prev->vm_end <= v->vm_start, "mmap: VMA %lx-%lx overlaps %lx-%lx",
		      v->vm_start, v->vm_end, prev->vm_start, prev->vm_end);
		CHECK(!v->anon_vma || !list_empty(&v->anon_vma_chain),
		      "mmap: VMA %lx-%lx has an anon_vma but no chain", v->vm_start, v->vm_end);
		n++;
		total += vma_pages(v);
		if (is_exec_mapping(v->vm_flags))
			exec += vma_pages(v);
		else if (is_stack_mapping(v->vm_flags))
			stack += vma_pages(v);
		else if (is_data_mapping(v->vm_flags))
			data += vma_pages(v);
		if (v->vm_flags & VM_ACCOUNT)
			committed += vma_pages(v);
	}
	CHECK(t == NULL, "mmap: the tree has VMAs the list lacks");
	CHECK(mm->mmap_last == prev, "mmap: mmap_last wrong");
	CHECK((unsigned long)mm->map_count == n, "mmap: map_count %d, %lu VMAs", mm->map_count, n);
	CHECK(mm->highest_vm_end == (prev ? vm_end_gap(prev) : 0), "mmap: highest_vm_end wrong");
	CHECK(mm->total_vm == total && mm->data_vm == data && mm->exec_vm == exec &&
		      mm->stack_vm == stack,
	      "mmap: vm counters total/data/exec/stack %lu/%lu/%lu/%lu, VMAs say %lu/%lu/%lu/%lu",
	      mm->total_vm, mm->data_vm, mm->exec_vm, mm->stack_vm, total, data, exec, stack);
	CHECK(mm->committed == committed, "mmap: committed %lu pages, VM_ACCOUNT VMAs %lu",
	      mm->committed, committed);
	return gap_check(mm->mm_rb.rbh_root, why, whylen);
}

/* ---- exit ----------------------------------------------------------------------------- */

void exit_mmap(struct mm_struct *mm)
{
	struct vm_area_struct *vma = mm->mmap, *next;
	unsigned long nr_accounted = 0;
	struct mmu_gather tlb;

	if (!vma)
		return;
	tlb_gather_mmu_fullmm(&tlb, mm);
	unmap_vmas(&tlb, vma, 0, ~0UL);
	/* the memory is gone: the OOM killer and its reaper skip this mm from now on */
	mm->flags |= MMF_OOM_SKIP;
	free_pgtables(&tlb, vma, 0 /* FIRST_USER_ADDRESS */, 0 /* USER_PGTABLES_CEILING */);
	tlb_finish_mmu(&tlb);
	for (; vma; vma = next) {
		next = vma->vm_next;
		if (vma->vm_flags & VM_ACCOUNT)
			nr_accounted += vma_pages(vma);
		remove_vma(vma);
	}
	mm->mm_rb.rbh_root = NULL;
	mm->mmap = mm->mmap_last = NULL;
	/* the kernel leaves these as they were (nobody looks); the check reads them */
	mm->map_count = 0;
	mm->highest_vm_end = 0;
	mm->total_vm = mm->data_vm = mm->exec_vm = mm->stack_vm = mm->locked_vm = 0;
	mm->committed = 0;
	vm_unacct_memory(mm->kernel, (long)nr_accounted);
}
