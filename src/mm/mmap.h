/*
 * The VMA layer of a user address space: VM_* flags, the VMA tree and list, lookups, merging
 * and splitting, get_unmapped_area, the mmap/munmap/brk system calls as the kernel implements
 * them, stack expansion, VM accounting and overcommit (mm/util.c).
 *
 * Models (Linux 6.1): include/linux/mm.h (VM_* flags, vma helpers), mm/mmap.c, mm/util.c
 *         (__vm_enough_memory, arch_pick_mmap_layout, vm_mmap_pgoff), mm/nommu-free parts of
 *         include/linux/mman.h (calc_vm_prot_bits, calc_vm_flag_bits), arch/arm64 layout
 *         (processor.h, elf.h).
 * Conventions: there is no `current`. Functions take the mm (or the vma) first; the kernel
 *         instance is mm->kernel. Addresses are user VAs (unsigned long). Functions that the
 *         kernel makes return an address or a -errno in one unsigned long keep doing so
 *         (IS_ERR_VALUE tells them apart). Nothing here touches the page tables except
 *         do_munmap/do_brk (through memory.h's unmap_region) and populate.
 */
#ifndef KMM_MM_MMAP_H
#define KMM_MM_MMAP_H

#include <stdbool.h>
#include <stddef.h>

#include "mm/mm_types.h"

struct kmm_kernel;
struct task_struct;
struct sink;

/* ---- VM_* flags (include/linux/mm.h, 6.1, arm64 with MTE and BTI configured) ----------- */

#define VM_NONE		0x00000000UL
#define VM_READ		0x00000001UL
#define VM_WRITE	0x00000002UL
#define VM_EXEC		0x00000004UL
#define VM_SHARED	0x00000008UL
#define VM_MAYREAD	0x00000010UL
#define VM_MAYWRITE	0x00000020UL
#define VM_MAYEXEC	0x00000040UL
#define VM_MAYSHARE	0x00000080UL
#define VM_GROWSDOWN	0x00000100UL
#define VM_UFFD_MISSING 0x00000200UL
#define VM_PFNMAP	0x00000400UL
#define VM_UFFD_WP	0x00001000UL
#define VM_LOCKED	0x00002000UL
#define VM_IO		0x00004000UL
#define VM_SEQ_READ	0x00008000UL
#define VM_RAND_READ	0x00010000UL
#define VM_DONTCOPY	0x00020000UL
#define VM_DONTEXPAND	0x00040000UL
#define VM_LOCKONFAULT	0x00080000UL
#define VM_ACCOUNT	0x00100000UL
#define VM_NORESERVE	0x00200000UL
#define VM_HUGETLB	0x00400000UL
#define VM_SYNC		0x00800000UL
#define VM_ARCH_1	0x01000000UL
#define VM_WIPEONFORK	0x02000000UL
#define VM_DONTDUMP	0x04000000UL
#define VM_SOFTDIRTY	0UL /* no CONFIG_MEM_SOFT_DIRTY on arm64 */
#define VM_MIXEDMAP	0x10000000UL
#define VM_HUGEPAGE	0x20000000UL
#define VM_NOHUGEPAGE	0x40000000UL
#define VM_MERGEABLE	0x80000000UL
#define VM_ARM64_BTI	VM_ARCH_1
#define VM_MTE		(1UL << 32) /* VM_HIGH_ARCH_0 */
#define VM_MTE_ALLOWED	(1UL << 33) /* VM_HIGH_ARCH_1 */

#define VM_STACK	       VM_GROWSDOWN
#define VM_DATA_FLAGS_TSK_EXEC (VM_READ | VM_WRITE | VM_MAYREAD | VM_MAYWRITE | VM_MAYEXEC)
/* arm64 page.h; VM_MTE_ALLOWED only where the CPU has MTE (never on the modelled CPUs). */
#define VM_DATA_DEFAULT_FLAGS  VM_DATA_FLAGS_TSK_EXEC
#define VM_STACK_DEFAULT_FLAGS VM_DATA_DEFAULT_FLAGS
#define VM_STACK_FLAGS	       (VM_STACK | VM_STACK_DEFAULT_FLAGS | VM_ACCOUNT)
#define VM_ACCESS_FLAGS	       (VM_READ | VM_WRITE | VM_EXEC)
#define VM_SPECIAL	       (VM_IO | VM_DONTEXPAND | VM_PFNMAP | VM_MIXEDMAP)

/* ---- mmap arguments (uapi asm-generic/mman-common.h; the KMM_ values of kmm/task.h) ---- */

#define PROT_NONE      0x0
#define PROT_READ      0x1
#define PROT_WRITE     0x2
#define PROT_EXEC      0x4
#define PROT_BTI       0x10
#define PROT_MTE       0x20
#define PROT_GROWSDOWN 0x01000000
#define PROT_GROWSUP   0x02000000

#define MAP_SHARED	    0x01
#define MAP_PRIVATE	    0x02
#define MAP_SHARED_VALIDATE 0x03
#define MAP_TYPE	    0x0f
#define MAP_FIXED	    0x10
#define MAP_ANONYMOUS	    0x20
#define MAP_GROWSDOWN	    0x0100
#define MAP_DENYWRITE	    0x0800
#define MAP_EXECUTABLE	    0x1000
#define MAP_LOCKED	    0x2000
#define MAP_NORESERVE	    0x4000
#define MAP_POPULATE	    0x8000
#define MAP_NONBLOCK	    0x10000
#define MAP_STACK	    0x20000
#define MAP_HUGETLB	    0x40000
#define MAP_SYNC	    0x80000
#define MAP_FIXED_NOREPLACE 0x100000
#define MAP_UNINITIALIZED   0x4000000
/* The flags MAP_SHARED_VALIDATE accepts (LEGACY_MAP_MASK | MAP_SYNC). */
#define LEGACY_MAP_MASK                                                                            \
	(MAP_SHARED | MAP_PRIVATE | MAP_FIXED | MAP_ANONYMOUS | MAP_DENYWRITE | MAP_EXECUTABLE |   \
	 MAP_UNINITIALIZED | MAP_GROWSDOWN | MAP_LOCKED | MAP_NORESERVE | MAP_POPULATE |           \
	 MAP_NONBLOCK | MAP_STACK | MAP_HUGETLB)

/* ---- the arm64 user layout (48-bit VA, 4 KiB pages; processor.h, elf.h) --------------- */

#define TASK_SIZE_64		(1UL << 48)
#define TASK_SIZE		TASK_SIZE_64
#define DEFAULT_MAP_WINDOW	TASK_SIZE_64
#define STACK_TOP		TASK_SIZE_64 /* STACK_TOP_MAX */
#define TASK_UNMAPPED_BASE	(DEFAULT_MAP_WINDOW / 4)
#define STACK_RND_MASK		0x3ffffUL /* pages of stack-top randomisation */
#define MMAP_RND_BITS		18	  /* vm.mmap_rnd_bits of the captured kernel */
#define MIN_GAP			(128UL << 20)
#define MAX_GAP			(STACK_TOP / 6 * 5)
#define DEFAULT_STACK_GUARD_GAP (256UL << PAGE_SHIFT) /* stack_guard_gap= in pages */
#define DEFAULT_MAX_MAP_COUNT	65530		      /* USHRT_MAX - MAPCOUNT_ELF_CORE_MARGIN */
#define DEFAULT_MMAP_MIN_ADDR	4096		      /* CONFIG_DEFAULT_MMAP_MIN_ADDR */

/* vm.overcommit_memory */
#define OVERCOMMIT_GUESS  0
#define OVERCOMMIT_ALWAYS 1
#define OVERCOMMIT_NEVER  2

#define PAGE_ALIGN(x)	  (((x) + PAGE_SIZE - 1) & PAGE_MASK)
#define offset_in_page(x) ((unsigned long)(x) & ~PAGE_MASK)
#define MAX_ERRNO	  4095
#define IS_ERR_VALUE(x)	  ((unsigned long)(x) >= (unsigned long)-MAX_ERRNO)

/* ---- VMA predicates (include/linux/mm.h) ---------------------------------------------- */

static inline bool vma_is_anonymous(const struct vm_area_struct *vma)
{
	return !vma->vm_ops;
}

static inline unsigned long vma_pages(const struct vm_area_struct *vma)
{
	return (vma->vm_end - vma->vm_start) >> PAGE_SHIFT;
}

/* Models: is_cow_mapping(): private and may be written (pages are copied on write). */
static inline bool is_cow_mapping(vm_flags_t flags)
{
	return (flags & (VM_SHARED | VM_MAYWRITE)) == VM_MAYWRITE;
}

/* Models: vm_start_gap()/vm_end_gap(): a VMA's extent with the stack guard gap. */
unsigned long vm_start_gap(const struct vm_area_struct *vma);
unsigned long vm_end_gap(const struct vm_area_struct *vma);

/* ---- kernel state (boot) -------------------------------------------------------------- */

/*
 * Creates the state mmap.c, memory.c, rmap.c and fork.c share (struct mm_state, hung off
 * k->mm_state): the slab caches mm_struct, vm_area_struct, anon_vma, anon_vma_chain, the
 * zero page, the tunables' defaults. Called once at boot after kmem_cache_init. 0 or -ENOMEM
 * (then nothing is left allocated). mm_state_fini frees it (after every mm is gone).
 */
int mm_state_init(struct kmm_kernel *k);
void mm_state_fini(struct kmm_kernel *k);

/* ---- lookups (mm/mmap.c; O(log n) in the VMA tree) ------------------------------------ */

/* The first VMA with vm_end > @addr, or NULL. Changes nothing. */
struct vm_area_struct *find_vma(struct mm_struct *mm, unsigned long addr);
/* find_vma(), and *@pprev the VMA before the result (the last VMA if the result is NULL). */
struct vm_area_struct *find_vma_prev(struct mm_struct *mm, unsigned long addr,
				     struct vm_area_struct **pprev);
/* The first VMA overlapping [@start, @end), or NULL. */
struct vm_area_struct *find_vma_intersection(struct mm_struct *mm, unsigned long start,
					     unsigned long end);
/* The VMA that contains @addr, or NULL. */
struct vm_area_struct *vma_lookup(struct mm_struct *mm, unsigned long addr);

/* ---- VMA objects (the vm_area_struct cache, kernel/fork.c) --------------------------- */

/* A zeroed VMA of @mm (vm_mm set, lists empty), or NULL when the slab cache is out of memory. */
struct vm_area_struct *vm_area_alloc(struct mm_struct *mm);
/* A copy of @orig (same mm, flags, file reference taken; anon_vma chains empty), or NULL. */
struct vm_area_struct *vm_area_dup(struct vm_area_struct *orig);
/* Frees a VMA that is in no tree (drops its file reference). */
void vm_area_free(struct vm_area_struct *vma);

/* ---- the tree and list ---------------------------------------------------------------- */

/*
 * Models: insert_vm_struct(): links @vma (not yet linked; [vm_start, vm_end) free in @mm)
 * into @mm's tree, list and its file's i_mmap, charges VM_ACCOUNT commit. 0, or -ENOMEM
 * (overlap, or the commit refused): then nothing changed.
 * Does not merge. Does not account total_vm (callers call vm_stat_account).
 */
int insert_vm_struct(struct mm_struct *mm, struct vm_area_struct *vma);

/*
 * Models: vma_merge() (6.1, cases 1-8): tries to extend @prev and/or the VMA after [@addr,
 * @end) so they cover the range with the given attributes. Returns the merged VMA, or NULL
 * when nothing could merge (then nothing changed). @prev may be NULL.
 */
struct vm_area_struct *vma_merge(struct mm_struct *mm, struct vm_area_struct *prev,
				 unsigned long addr, unsigned long end, vm_flags_t vm_flags,
				 struct anon_vma *anon_vma, struct file *file, unsigned long pgoff);

/*
 * Models: __split_vma(): splits @vma at @addr (page aligned, strictly inside); the new VMA
 * takes the part below @addr if @new_below, else the part above. 0 or -ENOMEM (nothing
 * changed). split_vma() also refuses with -ENOMEM at vm.max_map_count.
 */
int __split_vma(struct mm_struct *mm, struct vm_area_struct *vma, unsigned long addr,
		int new_below);
int split_vma(struct mm_struct *mm, struct vm_area_struct *vma, unsigned long addr, int new_below);

/*
 * Models: vma_adjust() (the part mprotect/mremap need): sets @vma to [@start, @end) with
 * @pgoff, keeping the tree, list and gaps right; @next (the VMA after, or NULL) is removed
 * and freed when @remove_next. 0 or -ENOMEM. The caller guarantees no overlap.
 */
int vma_adjust(struct vm_area_struct *vma, unsigned long start, unsigned long end,
	       unsigned long pgoff, struct vm_area_struct *next, bool remove_next);

/* ---- address space layout ------------------------------------------------------------- */

/*
 * Models: mm/util.c:arch_pick_mmap_layout() for @tsk's exec of @mm: mmap_base from the stack
 * rlimit and stack_guard_gap, randomised (the machine's PRNG) unless @tsk has
 * ADDR_NO_RANDOMIZE or the kernel was booted with norandmaps. Sets mm->mmap_base and
 * mm->task_size only.
 */
void arch_pick_mmap_layout(struct task_struct *tsk, struct mm_struct *mm);

/* The randomisation a new exec gets (arch_mmap_rnd), in bytes; 0 under norandmaps. */
unsigned long arch_mmap_rnd(struct kmm_kernel *k);

/* Models: struct vm_unmapped_area_info and vm_unmapped_area() (top-down or bottom-up). */
#define VM_UNMAPPED_AREA_TOPDOWN 1
struct vm_unmapped_area_info {
	unsigned long flags;
	unsigned long length;
	unsigned long low_limit, high_limit;
	unsigned long align_mask, align_offset;
};
/* The address of a free range of @info->length, or -ENOMEM. Changes nothing. */
unsigned long vm_unmapped_area(struct mm_struct *mm, const struct vm_unmapped_area_info *info);

/*
 * Models: get_unmapped_area() with arch_get_unmapped_area_topdown(): @addr if it is a
 * usable hint (or MAP_FIXED), else top-down below mm->mmap_base. An address or -ENOMEM /
 * -EINVAL. Changes nothing.
 */
unsigned long get_unmapped_area(struct mm_struct *mm, struct file *file, unsigned long addr,
				unsigned long len, unsigned long pgoff, unsigned long flags);

/* ---- the system calls ----------------------------------------------------------------- */

/*
 * Models: do_mmap() (and vm_mmap_pgoff's populate): maps @len bytes at @addr (a hint, or
 * exact with MAP_FIXED / MAP_FIXED_NOREPLACE) for @file (NULL: anonymous) at page offset
 * @pgoff. Returns the address, or a -errno as unsigned long (-EINVAL, -ENOMEM, -EEXIST,
 * -EACCES, -EPERM, -ENODEV, -EOVERFLOW, -EAGAIN); on error the mm is unchanged except that a
 * MAP_FIXED mapping may have unmapped what was there (as the kernel). *@populate is the
 * length to populate (MAP_POPULATE/MAP_LOCKED), or 0. Does not populate itself.
 */
unsigned long do_mmap(struct mm_struct *mm, struct file *file, unsigned long addr,
		      unsigned long len, unsigned long prot, unsigned long flags,
		      unsigned long pgoff, unsigned long *populate);

/*
 * Models: vm_mmap_pgoff(): do_mmap() and then __mm_populate() of what it asked for; the
 * entry point of the mmap system call (ksys_mmap_pgoff's checks included: MAP_HUGETLB
 * -EINVAL, bad fd is the caller's). Returns the address or -errno.
 */
unsigned long vm_mmap_pgoff(struct mm_struct *mm, struct file *file, unsigned long addr,
			    unsigned long len, unsigned long prot, unsigned long flags,
			    unsigned long pgoff);

/*
 * Models: mmap_region(): maps [@addr, @addr + @len) with @vm_flags (unmapping what was
 * there), merging with neighbours when it can. The address or -errno.
 */
unsigned long mmap_region(struct mm_struct *mm, struct file *file, unsigned long addr,
			  unsigned long len, vm_flags_t vm_flags, unsigned long pgoff);

/*
 * Models: do_munmap(): unmaps [@start, @start + @len) (splitting VMAs at the ends), zaps
 * the pages, frees page tables, unaccounts. 0, -EINVAL (unaligned, beyond TASK_SIZE, zero
 * length) or -ENOMEM (a split would exceed vm.max_map_count or memory ran out: nothing
 * changed).
 */
int do_munmap(struct mm_struct *mm, unsigned long start, size_t len);

/*
 * Models: sys_brk(): moves mm->brk to @brk (growing the heap VMA with do_brk_flags, or
 * unmapping), as 6.1 does including its refusals (below start_brk, RLIMIT_DATA, the stack
 * guard gap, overcommit). Returns the new break, or the old one when refused.
 */
unsigned long do_brk(struct mm_struct *mm, unsigned long brk);

/*
 * Models: vm_brk_flags(): an anonymous private mapping [@addr, @addr + @len) (merged with
 * the VMA below when it can), as the ELF loader makes the bss. 0 or -errno.
 */
int vm_brk_flags(struct mm_struct *mm, unsigned long addr, unsigned long len, unsigned long flags);

/*
 * Models: _install_special_mapping(): a VMA [@addr, @addr + @len) with @vm_flags |
 * VM_DONTEXPAND that /proc/<pid>/maps names @name ("[vvar]", "[vdso]"); no pages (a
 * placeholder). 0 or -errno (-ENOMEM, -EEXIST if the range is not free).
 */
int install_special_mapping(struct mm_struct *mm, unsigned long addr, unsigned long len,
			    vm_flags_t vm_flags, const char *name);

/*
 * Models: expand_stack()/expand_downwards(): grows the VM_GROWSDOWN @vma down to
 * @address (page aligned down), respecting stack_guard_gap against the VMA below, the
 * stack rlimit and RLIMIT_AS. 0, or -ENOMEM (nothing changed).
 */
int expand_stack(struct vm_area_struct *vma, unsigned long address);
int expand_downwards(struct vm_area_struct *vma, unsigned long address);

/* ---- accounting (mm/mmap.c, mm/util.c) ------------------------------------------------ */

/* Models: vm_stat_account(): total_vm and data/exec/stack_vm of @mm by @npages (signed). */
void vm_stat_account(struct mm_struct *mm, vm_flags_t flags, long npages);
/* Models: may_expand_vm(): false when @npages more of @flags break RLIMIT_AS / RLIMIT_DATA. */
bool may_expand_vm(struct mm_struct *mm, vm_flags_t flags, unsigned long npages);
/* Models: calc_vm_prot_bits() | calc_vm_flag_bits() for mmap's @prot and @flags. */
vm_flags_t calc_vm_prot_bits(unsigned long prot);
vm_flags_t calc_vm_flag_bits(unsigned long flags);
/* Models: vma_set_page_prot(): vma->vm_page_prot from vm_flags (vm_get_page_prot). */
void vma_set_page_prot(struct vm_area_struct *vma);

/*
 * Models: mm/util.c:__vm_enough_memory(): may @pages more be committed under
 * vm.overcommit_memory (0 heuristic, 1 always, 2 never beyond CommitLimit)? 0 (and the pages
 * are added to Committed_AS) or -ENOMEM (nothing changed). @cap_sys_admin as the kernel's.
 */
int __vm_enough_memory(struct mm_struct *mm, long pages, bool cap_sys_admin);
/* Models: vm_acct_memory()/vm_unacct_memory(): Committed_AS += / -= @pages. */
void vm_acct_memory(struct kmm_kernel *k, long pages);
void vm_unacct_memory(struct kmm_kernel *k, long pages);
/* Committed_AS in pages (vm_memory_committed). */
unsigned long vm_memory_committed(const struct kmm_kernel *k);
/* CommitLimit in pages (vm_commit_limit: overcommit_kbytes, else ratio of RAM, + swap). */
unsigned long vm_commit_limit(const struct kmm_kernel *k);

/*
 * Checks @mm's VMA structure: tree order and augmentation (rb_subtree_gap), list links,
 * map_count, no overlap, page alignment, anon_vma chains, vm accounting sums. true, or
 * false with the reason in @why.
 */
bool mmap_check(const struct mm_struct *mm, char *why, size_t whylen);

#endif /* KMM_MM_MMAP_H */
