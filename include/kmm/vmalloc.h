/*
 * libkmm public API: vmalloc — virtually contiguous kernel memory in the vmalloc range
 * (0xffff800008000000..0xfffffbfff0000000, the arm64 48-bit layout), mapped in the kernel's
 * page tables; vmap of page arrays; ioremap of device ranges; the areas' descriptors.
 *
 * Addresses are simulated kernel VAs (kmm_va_t). A simulated CPU reaches the memory with
 * kmm_cpu_access(); the host reads its pages through kmm_vmalloc_to_pfn() and
 * kmm_phys_read()/kmm_phys_write().
 *
 * Outcomes follow the kernel: a request it would fail returns KMM_ENOMEM (with its
 * "vmalloc error: ..." warning unless KMM___GFP_NOWARN); a size of 0 or an ioremap of RAM
 * returns KMM_EINVAL and the kernel's warning is reported; a vfree of an address that is not
 * page aligned or holds no area (a double vfree) returns KMM_OK with the kernel's warning
 * ("Trying to vfree() nonexistent vm area ..."), and the machine carries on, tainted. As in
 * Linux 6.1, a page-aligned address inside an area frees that whole area.
 *
 * Freed areas are unmapped at once but their range waits on the purge list, TLB not yet
 * flushed, until more than kmm_vmalloc_stats().lazy_max_pages pages wait (or
 * kmm_vm_unmap_aliases()): until then a CPU may still hit a stale TLB entry.
 */
#ifndef KMM_VMALLOC_H
#define KMM_VMALLOC_H

#include <kmm/page.h>
#include <kmm/types.h>

#ifdef __cplusplus
extern "C" {
#endif

struct kmm_machine;

#define KMM_VMALLOC_START 0xffff800008000000ull
#define KMM_VMALLOC_END	  0xfffffbfff0000000ull

/* vm_struct flags, with the kernel's values. */
#define KMM_VM_IOREMAP	       0x001ul
#define KMM_VM_ALLOC	       0x002ul
#define KMM_VM_MAP	       0x004ul
#define KMM_VM_NO_GUARD	       0x040ul
#define KMM_VM_ALLOW_HUGE_VMAP 0x400ul

/* vmalloc(@size): GFP_KERNEL pages, PAGE_KERNEL, any node. The VA in *@va. */
KMM_API enum kmm_status kmm_vmalloc(struct kmm_machine *m, size_t size, kmm_va_t *va);
/* vzalloc(): the same, zeroed. */
KMM_API enum kmm_status kmm_vzalloc(struct kmm_machine *m, size_t size, kmm_va_t *va);
/* vmalloc_node(): pages from node @node (KMM_EINVAL if the node has no memory). */
KMM_API enum kmm_status kmm_vmalloc_node(struct kmm_machine *m, size_t size, int node,
					 kmm_va_t *va);
/* vmalloc_huge(): 2 MiB blocks where @size allows (at least 2 MiB per online node). */
KMM_API enum kmm_status kmm_vmalloc_huge(struct kmm_machine *m, size_t size, kmm_gfp_t gfp,
					 kmm_va_t *va);
/*
 * __vmalloc_node_range() with PAGE_KERNEL: an area of @size at a power-of-two @align
 * inside [@start, @end) — which must lie within the modules and vmalloc space
 * [0xffff800000000000, KMM_VMALLOC_END) —, @vm_flags among KMM_VM_NO_GUARD |
 * KMM_VM_ALLOW_HUGE_VMAP, @node or -1 for any.
 */
KMM_API enum kmm_status kmm_vmalloc_node_range(struct kmm_machine *m, size_t size, uint64_t align,
					       kmm_va_t start, kmm_va_t end, kmm_gfp_t gfp,
					       unsigned long vm_flags, int node, kmm_va_t *va);
/* vfree(): unmap and free an area and its pages (0 is ignored, as the kernel does). */
KMM_API enum kmm_status kmm_vfree(struct kmm_machine *m, kmm_va_t va);

/* vmap(pages, count, VM_MAP, PAGE_KERNEL) of @count frames (no reference taken). */
KMM_API enum kmm_status kmm_vmap(struct kmm_machine *m, const kmm_pfn_t *pfns, unsigned count,
				 kmm_va_t *va);
KMM_API enum kmm_status kmm_vunmap(struct kmm_machine *m, kmm_va_t va);

/* ioremap(): Device-nGnRE, never executable; KMM_EINVAL for RAM (the kernel's WARN). */
KMM_API enum kmm_status kmm_ioremap(struct kmm_machine *m, kmm_pa_t pa, size_t size, kmm_va_t *va);
KMM_API enum kmm_status kmm_iounmap(struct kmm_machine *m, kmm_va_t va);

/* vmalloc_to_pfn(): the frame mapped at @va, or KMM_ENOENT if nothing is mapped there. */
KMM_API enum kmm_status kmm_vmalloc_to_pfn(struct kmm_machine *m, kmm_va_t va, kmm_pfn_t *pfn);
/* is_vmalloc_addr(). */
KMM_API bool kmm_is_vmalloc_addr(kmm_va_t va);

/* An area's descriptor (struct vm_struct). */
struct kmm_vm_area {
	kmm_va_t addr;
	uint64_t size; /* including the guard page, unless KMM_VM_NO_GUARD */
	unsigned long flags;
	unsigned nr_pages;
	unsigned page_order; /* 9 when mapped with 2 MiB blocks */
	kmm_pa_t phys_addr;  /* ioremap and the kernel image's areas */
	char caller[64];     /* what /proc/vmallocinfo prints */
};

/* find_vm_area(): the area holding @va; KMM_ENOENT if none. */
KMM_API enum kmm_status kmm_find_vm_area(struct kmm_machine *m, kmm_va_t va,
					 struct kmm_vm_area *out);
/* vm_unmap_aliases(): purge the lazily freed areas now (one TLB flush for them all). */
KMM_API enum kmm_status kmm_vm_unmap_aliases(struct kmm_machine *m);

struct kmm_vmalloc_stats {
	uint64_t lazy_pages;	 /* pages waiting on the purge list */
	uint64_t lazy_max_pages; /* the purge threshold: fls(CPUs) * 32 MiB */
	uint64_t vmalloc_pages;	 /* pages vmalloc holds (VmallocUsed) */
	uint64_t busy_areas, free_areas, purge_areas;
	uint64_t fit[5];	  /* NOTHING, FL (full), LE (left edge), RE (right edge), NE */
	uint64_t purges;	  /* purges that had work */
	uint64_t purged_areas;	  /* areas merged back by them */
	uint64_t tlb_flush_range; /* flush_tlb_kernel_range by pages (TLBI VAALE1IS) */
	uint64_t tlb_flush_all;	  /* flush_tlb_all (TLBI VMALLE1IS) */
	uint64_t overflow_purges; /* an allocation found no room, purged and retried */
	uint64_t pgtable_pages;	  /* page-table pages taken from the buddy allocator */
	uint64_t huge_mappings;	  /* 2 MiB / 1 GiB block entries written */
};

KMM_API enum kmm_status kmm_vmalloc_stats(struct kmm_machine *m, struct kmm_vmalloc_stats *out);

#ifdef __cplusplus
}
#endif

#endif /* KMM_VMALLOC_H */
