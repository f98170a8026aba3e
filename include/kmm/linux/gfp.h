/*
 * libkmm compat: the page allocator by the kernel's names (include/linux/gfp.h) over the
 * machine bound to this thread. alloc_pages() returns a struct page pointer (NULL on
 * failure); __get_free_pages() and alloc_pages_exact() a host pointer into the block, which
 * the caller may read and write whole (its bytes are simulated RAM).
 */
#ifndef KMM_LINUX_GFP_H
#define KMM_LINUX_GFP_H

#include <kmm/linux/compat.h>

#ifdef __cplusplus
extern "C" {
#endif

/* GFP flags: the reference kernel's names and values (kmm/page.h). */
#define __GFP_DMA	     KMM___GFP_DMA
#define __GFP_HIGHMEM	     KMM___GFP_HIGHMEM
#define __GFP_DMA32	     KMM___GFP_DMA32
#define __GFP_MOVABLE	     KMM___GFP_MOVABLE
#define __GFP_RECLAIMABLE    KMM___GFP_RECLAIMABLE
#define __GFP_HIGH	     KMM___GFP_HIGH
#define __GFP_IO	     KMM___GFP_IO
#define __GFP_FS	     KMM___GFP_FS
#define __GFP_ZERO	     KMM___GFP_ZERO
#define __GFP_ATOMIC	     KMM___GFP_ATOMIC
#define __GFP_DIRECT_RECLAIM KMM___GFP_DIRECT_RECLAIM
#define __GFP_KSWAPD_RECLAIM KMM___GFP_KSWAPD_RECLAIM
#define __GFP_WRITE	     KMM___GFP_WRITE
#define __GFP_NOWARN	     KMM___GFP_NOWARN
#define __GFP_RETRY_MAYFAIL  KMM___GFP_RETRY_MAYFAIL
#define __GFP_NOFAIL	     KMM___GFP_NOFAIL
#define __GFP_NORETRY	     KMM___GFP_NORETRY
#define __GFP_MEMALLOC	     KMM___GFP_MEMALLOC
#define __GFP_COMP	     KMM___GFP_COMP
#define __GFP_NOMEMALLOC     KMM___GFP_NOMEMALLOC
#define __GFP_HARDWALL	     KMM___GFP_HARDWALL
#define __GFP_THISNODE	     KMM___GFP_THISNODE
#define __GFP_ACCOUNT	     KMM___GFP_ACCOUNT
#define __GFP_RECLAIM	     KMM___GFP_RECLAIM
#define GFP_ATOMIC	     KMM_GFP_ATOMIC
#define GFP_KERNEL	     KMM_GFP_KERNEL
#define GFP_KERNEL_ACCOUNT   KMM_GFP_KERNEL_ACCOUNT
#define GFP_NOWAIT	     KMM_GFP_NOWAIT
#define GFP_NOIO	     KMM_GFP_NOIO
#define GFP_NOFS	     KMM_GFP_NOFS
#define GFP_USER	     KMM_GFP_USER
#define GFP_DMA		     KMM_GFP_DMA
#define GFP_DMA32	     KMM_GFP_DMA32
#define GFP_HIGHUSER	     KMM_GFP_HIGHUSER
#define GFP_HIGHUSER_MOVABLE KMM_GFP_HIGHUSER_MOVABLE
#define GFP_TRANSHUGE_LIGHT  KMM_GFP_TRANSHUGE_LIGHT
#define GFP_TRANSHUGE	     KMM_GFP_TRANSHUGE

#define MAX_ORDER    KMM_MAX_ORDER
#define NUMA_NO_NODE (-1)

#ifndef PAGE_SHIFT
#define PAGE_SHIFT KMM_PAGE_SHIFT
#endif
#ifndef PAGE_SIZE
#define PAGE_SIZE (1UL << KMM_PAGE_SHIFT)
#endif
#ifndef PAGE_MASK
#define PAGE_MASK (~(PAGE_SIZE - 1))
#endif

/*
 * struct page: 64 bytes, as on arm64; a pointer to one names a PFN the kernel's way
 * (vmemmap + pfn, so page + 1 is the next frame and %p prints what the kernel's would).
 * It points at no host memory: never dereference it.
 */
struct page {
	unsigned long kmm_opaque[8];
};

#define KMM_LINUX_VMEMMAP_START 0xfffffc0000000000ull /* -(1 << (VA_BITS - 6)) */

static inline struct page *pfn_to_page(unsigned long pfn)
{
	const struct kmm_linux_current *c = kmm_linux_current(NULL, false);

	return (struct page *)(uintptr_t)(KMM_LINUX_VMEMMAP_START +
					  (pfn - (c->phys_offset >> KMM_PAGE_SHIFT)) *
						  sizeof(struct page));
}

static inline unsigned long page_to_pfn(const struct page *page)
{
	const struct kmm_linux_current *c = kmm_linux_current(NULL, false);

	return ((uintptr_t)page - KMM_LINUX_VMEMMAP_START) / sizeof(struct page) +
	       (c->phys_offset >> KMM_PAGE_SHIFT);
}

/* The host pointer to 2^@order frames from @pfn (their bytes the caller's to write). */
static inline void *kmm_linux_pfn_to_host(const struct kmm_linux_current *c, kmm_pfn_t pfn,
					  unsigned int order)
{
	return kmm_phys_to_host(c->machine, pfn << KMM_PAGE_SHIFT, KMM_PAGE_SIZE << order);
}

static inline struct page *kmm_linux_alloc(const char *fn, int nid, gfp_t gfp, unsigned int order)
{
	const struct kmm_linux_current *c = kmm_linux_current(fn, false);
	kmm_pfn_t pfn;

	if (!c || kmm_alloc_pages_node(c->machine, nid, gfp, order, &pfn) != KMM_OK)
		return NULL;
	kmm_linux_pfn_to_host(c, pfn, order); /* the whole block is the caller's to write */
	return pfn_to_page(pfn);
}

/* alloc_pages(): 2^@order frames, or NULL. */
static inline struct page *alloc_pages(gfp_t gfp, unsigned int order)
{
	return kmm_linux_alloc("alloc_pages", NUMA_NO_NODE, gfp, order);
}

static inline struct page *alloc_pages_node(int nid, gfp_t gfp, unsigned int order)
{
	return kmm_linux_alloc("alloc_pages_node", nid, gfp, order);
}

static inline struct page *alloc_page(gfp_t gfp)
{
	return kmm_linux_alloc("alloc_page", NUMA_NO_NODE, gfp, 0);
}

/* __free_pages(): drops the allocation's reference (the last one frees). */
static inline void __free_pages(struct page *page, unsigned int order)
{
	const struct kmm_linux_current *c = kmm_linux_current("__free_pages", false);

	if (c && page)
		kmm_free_pages(c->machine, page_to_pfn(page), order);
}

static inline void __free_page(struct page *page)
{
	__free_pages(page, 0);
}

/* __get_free_pages(): the block's address (a host pointer as unsigned long), or 0. */
static inline unsigned long __get_free_pages(gfp_t gfp, unsigned int order)
{
	const struct kmm_linux_current *c = kmm_linux_current("__get_free_pages", false);
	kmm_pfn_t pfn;

	if (!c || kmm_alloc_pages(c->machine, gfp, order, &pfn) != KMM_OK)
		return 0;
	return (unsigned long)(uintptr_t)kmm_linux_pfn_to_host(c, pfn, order);
}

static inline unsigned long __get_free_page(gfp_t gfp)
{
	return __get_free_pages(gfp, 0);
}

static inline unsigned long get_zeroed_page(gfp_t gfp)
{
	return __get_free_pages(gfp | __GFP_ZERO, 0);
}

/* free_pages(): @addr from __get_free_pages (0 is ignored, as the kernel does). */
static inline void free_pages(unsigned long addr, unsigned int order)
{
	const struct kmm_linux_current *c;
	kmm_pa_t pa;

	if (!addr || !(c = kmm_linux_current("free_pages", false)))
		return;
	if (kmm_linux_host_to_phys("free_pages", (const void *)(uintptr_t)addr, &pa) == KMM_OK)
		kmm_free_pages(c->machine, pa >> KMM_PAGE_SHIFT, order);
}

static inline void free_page(unsigned long addr)
{
	free_pages(addr, 0);
}

/* alloc_pages_exact(): @size bytes of whole pages, or NULL. */
static inline void *alloc_pages_exact(size_t size, gfp_t gfp)
{
	const struct kmm_linux_current *c = kmm_linux_current("alloc_pages_exact", false);
	kmm_va_t va;

	if (!c || kmm_alloc_pages_exact(c->machine, size, gfp, &va) != KMM_OK)
		return NULL;
	return kmm_linux_va_to_host(c, va, (size + KMM_PAGE_SIZE - 1) & ~(KMM_PAGE_SIZE - 1));
}

static inline void free_pages_exact(void *virt, size_t size)
{
	const struct kmm_linux_current *c = kmm_linux_current("free_pages_exact", false);
	kmm_va_t va;

	if (c && virt && (va = kmm_linux_host_to_va(c, "free_pages_exact", virt)))
		kmm_free_pages_exact(c->machine, va, size);
}

#ifdef __cplusplus
}
#endif

#endif /* KMM_LINUX_GFP_H */
