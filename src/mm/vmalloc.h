/*
 * vmalloc: the vmap area allocator over [VMALLOC_START, VMALLOC_END), virtually contiguous
 * allocations mapped in the kernel page tables, vmap/vunmap of page arrays, ioremap, lazy
 * freeing with batched TLB flushes, and /proc/vmallocinfo. See vmalloc.c and docs/vmalloc.md.
 *
 * Every entry point takes the kernel instance first; otherwise names, flags, parameter
 * order and return conventions are the kernel's (a VA of 0 is NULL).
 */
#ifndef KMM_MM_VMALLOC_H
#define KMM_MM_VMALLOC_H

#include "lib/sink.h"
#include "mm/gfp.h"
#include "arch/arm64/include/asm/pgtable.h"

/* vm_struct flags (include/linux/vmalloc.h, 6.1). */
#define VM_IOREMAP	     0x00000001ul
#define VM_ALLOC	     0x00000002ul
#define VM_MAP		     0x00000004ul
#define VM_USERMAP	     0x00000008ul
#define VM_DMA_COHERENT	     0x00000010ul
#define VM_UNINITIALIZED     0x00000020ul
#define VM_NO_GUARD	     0x00000040ul
#define VM_KASAN	     0x00000080ul
#define VM_FLUSH_RESET_PERMS 0x00000100ul
#define VM_MAP_PUT_PAGES     0x00000200ul
#define VM_ALLOW_HUGE_VMAP   0x00000400ul

#define IOREMAP_MAX_ORDER PUD_SHIFT /* arm64, 4 KiB pages */

/* mm/internal.h: the GFP bits that nested allocations inherit. */
#define GFP_RECLAIM_MASK                                                                           \
	(__GFP_RECLAIM | __GFP_HIGH | __GFP_IO | __GFP_FS | __GFP_NOWARN | __GFP_RETRY_MAYFAIL |   \
	 __GFP_NOFAIL | __GFP_NORETRY | __GFP_MEMALLOC | __GFP_NOMEMALLOC | __GFP_ATOMIC)

/* A vmalloc/vmap/ioremap area (include/linux/vmalloc.h). */
struct vm_struct {
	struct vm_struct *next; /* vmlist, before vmalloc_init() */
	kmm_va_t addr;
	unsigned long size; /* including the guard page, unless VM_NO_GUARD */
	unsigned long flags;
	struct page **pages; /* host array of nr_pages entries */
	unsigned int page_order;
	unsigned int nr_pages;
	phys_addr_t phys_addr;
	const char *caller;  /* what %pS prints in /proc/vmallocinfo */
	kmm_va_t pages_area; /* the vmalloc area accounting for a page array > PAGE_SIZE */
	bool early;	     /* vm_area_add_early(): a static vm_struct of the image */
};

/* Models: get_vm_area_size(): the size without the guard page. */
static inline unsigned long get_vm_area_size(const struct vm_struct *area)
{
	return area->flags & VM_NO_GUARD ? area->size : area->size - PAGE_SIZE;
}

/* Counters the tests and kmmbench read (no kernel counterpart). */
struct vmap_stats {
	uint64_t fit[5];	  /* adjust_va_to_fit_type() by enum fit_type */
	uint64_t purges;	  /* __purge_vmap_area_lazy() runs that had work */
	uint64_t purged_areas;	  /* lazily freed areas merged back into the free tree */
	uint64_t overflow_purges; /* alloc_vmap_area() purged and retried */
	uint64_t pgtable_pages;	  /* table pages taken from the buddy allocator */
	uint64_t huge_mappings;	  /* PMD/PUD block entries written by vmap_range_noflush() */
};

/* Which tree an iteration walks. */
enum vmap_which { VMAP_BUSY, VMAP_FREE, VMAP_PURGE };

/* ---- boot (mmu.c, setup.c) -------------------------------------------------------------- */

/* Allocates the allocator's state (before paging_init's early areas). 0 or -ENOMEM. */
int vmap_state_init(struct kmm_kernel *k);
void vmap_state_fini(struct kmm_kernel *k);

/*
 * Models: vm_area_add_early(): records a fixed area (the image segments) before
 * vmalloc_init(). Returns 0, -ENOMEM, or -EINVAL (BUG_ON: overlap or after vmalloc_init).
 */
int vm_area_add_early(struct kmm_kernel *k, kmm_va_t addr, phys_addr_t phys, unsigned long size,
		      unsigned long flags, const char *caller);

/* Models: vmalloc_init(): busy areas from the early list, free space around them. 0/-ENOMEM. */
int vmalloc_init(struct kmm_kernel *k);

/* Models: arch/arm64/mm/mmu.c:paging_init(). 0, or -ENOSPC/-ENOMEM/-EINVAL (reason set). */
int paging_init(struct kmm_kernel *k);
void mark_linear_text_alias_ro(struct kmm_kernel *k);
void mark_rodata_ro(struct kmm_kernel *k);

/* ---- the vmap area allocator -------------------------------------------------------- */

/*
 * Models: __get_vm_area_node(): a vm area of @size (plus a guard page unless VM_NO_GUARD),
 * aligned to @align, inside [@start, @end). NULL (nothing changed) when there is no room.
 */
struct vm_struct *__get_vm_area_node(struct kmm_kernel *k, unsigned long size, unsigned long align,
				     unsigned long shift, unsigned long flags, unsigned long start,
				     unsigned long end, int node, gfp_t gfp_mask,
				     const char *caller);
struct vm_struct *__get_vm_area_caller(struct kmm_kernel *k, unsigned long size,
				       unsigned long flags, unsigned long start, unsigned long end,
				       const char *caller);
struct vm_struct *get_vm_area_caller(struct kmm_kernel *k, unsigned long size, unsigned long flags,
				     const char *caller);
/* The area whose [start, end) holds @addr, or NULL. */
struct vm_struct *find_vm_area(const struct kmm_kernel *k, kmm_va_t addr);
/* Unmaps the area holding @addr and frees its range lazily; returns the vm_struct or NULL. */
struct vm_struct *remove_vm_area(struct kmm_kernel *k, kmm_va_t addr);
/* Models: free_vm_area(): remove_vm_area() and free the descriptor. */
void free_vm_area(struct kmm_kernel *k, struct vm_struct *area);

/* Models: lazy_max_pages(): fls(online CPUs) * 32 MiB, in pages. */
unsigned long lazy_max_pages(const struct kmm_kernel *k);
/* Models: vm_unmap_aliases(): purge every lazily freed area now (with its TLB flush). */
void vm_unmap_aliases(struct kmm_kernel *k);
/* Pages waiting on the purge list (vmap_lazy_nr). */
unsigned long vmap_lazy_nr(const struct kmm_kernel *k);

/* Calls @fn for each area of @which in address order (vm is NULL for free/purge areas). */
void vmap_for_each_area(const struct kmm_kernel *k, enum vmap_which which,
			void (*fn)(void *arg, unsigned long start, unsigned long end,
				   const struct vm_struct *vm),
			void *arg);
struct vmap_stats *vmap_stats(struct kmm_kernel *k);

/* ---- allocations ---------------------------------------------------------------------- */

/*
 * Every allocating entry point takes @caller where the kernel takes its caller's return
 * address: the text /proc/vmallocinfo prints for the area (%pS). They return the area's
 * VA, or 0 (nothing changed, the kernel's warning unless __GFP_NOWARN) on failure.
 */
kmm_va_t __vmalloc_node_range(struct kmm_kernel *k, unsigned long size, unsigned long align,
			      unsigned long start, unsigned long end, gfp_t gfp_mask, pgprot_t prot,
			      unsigned long vm_flags, int node, const char *caller);
kmm_va_t __vmalloc_node(struct kmm_kernel *k, unsigned long size, unsigned long align,
			gfp_t gfp_mask, int node, const char *caller);
kmm_va_t vmalloc(struct kmm_kernel *k, unsigned long size, const char *caller);
kmm_va_t vzalloc(struct kmm_kernel *k, unsigned long size, const char *caller);
kmm_va_t vmalloc_node(struct kmm_kernel *k, unsigned long size, int node, const char *caller);
kmm_va_t vzalloc_node(struct kmm_kernel *k, unsigned long size, int node, const char *caller);
kmm_va_t vmalloc_huge(struct kmm_kernel *k, unsigned long size, gfp_t gfp_mask, const char *caller);
/* Unmaps and frees a vmalloc area and its pages; warns on a bad or unknown address. */
void vfree(struct kmm_kernel *k, kmm_va_t addr);

/* Maps @count pages (not taking references) with pgprot_nx(@prot); 0 on failure. */
kmm_va_t vmap(struct kmm_kernel *k, struct page **pages, unsigned int count, unsigned long flags,
	      pgprot_t prot, const char *caller);
void vunmap(struct kmm_kernel *k, kmm_va_t addr);

/* Maps a device range with @prot (never executable); 0 for RAM (with a warning) or no room. */
kmm_va_t ioremap_prot(struct kmm_kernel *k, phys_addr_t phys_addr, size_t size, pteval_t prot,
		      const char *caller);
/* ioremap(): Device-nGnRE. */
kmm_va_t ioremap(struct kmm_kernel *k, phys_addr_t phys_addr, size_t size, const char *caller);
void iounmap(struct kmm_kernel *k, kmm_va_t addr);

/* The page mapped at @addr (a tail page inside a block), or NULL. */
struct page *vmalloc_to_page(const struct kmm_kernel *k, kmm_va_t addr);
bool is_vmalloc_or_module_addr(kmm_va_t addr);

/* ---- page tables of the vmalloc range ------------------------------------------------ */

/* Models: vunmap_range(): clears the PTEs of [addr, end) and flushes the TLB. */
void vunmap_range(struct kmm_kernel *k, unsigned long addr, unsigned long end);

/* ---- views and checks --------------------------------------------------------------- */

/* Models: mm/vmalloc.c:s_show() and friends: /proc/vmallocinfo. */
void show_vmallocinfo(const struct kmm_kernel *k, const struct sink *out);
/* Models: vmalloc_nr_pages(): pages vmalloc has taken from the buddy allocator. */
unsigned long vmalloc_nr_pages(const struct kmm_kernel *k);
/* Models: arch/arm64/mm/ptdump.c via /sys/kernel/debug/kernel_page_tables. */
void show_kernel_page_tables(const struct kmm_kernel *k, const struct sink *out);
/* A user address space's tables (the pgd at @pgd) in the same format (ptdump.c). */
void ptdump_user_page_tables(const struct kmm_kernel *k, phys_addr_t pgd, const struct sink *out);

bool vmalloc_check(const struct kmm_kernel *k, char *why, size_t whylen);
bool pgtable_check(const struct kmm_kernel *k, char *why, size_t whylen);

/* Models: is_vmalloc_addr(). */
static inline bool is_vmalloc_addr(kmm_va_t addr)
{
	return addr >= VMALLOC_START && addr < VMALLOC_END;
}

#endif /* KMM_MM_VMALLOC_H */
