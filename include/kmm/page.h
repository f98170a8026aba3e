/*
 * libkmm public API: the buddy page allocator (alloc_pages and friends), CMA, contiguous
 * ranges, per-CPU lists, and the simulated CPU that calls run on.
 *
 * Pages are named by PFN (page frame number, pa >> KMM_PAGE_SHIFT); their contents live in
 * simulated RAM (kmm_phys_read/kmm_phys_write). Outcomes follow the kernel: an allocation the
 * kernel would fail returns KMM_ENOMEM (with the kernel's warning in the log unless
 * KMM___GFP_NOWARN); a free the kernel would complain about (double free, a page with
 * references or mappings) returns KMM_OK with a report in the kernel's wording
 * ("BUG: Bad page state ..."), and the machine carries on, tainted.
 */
#ifndef KMM_PAGE_H
#define KMM_PAGE_H

#include <kmm/types.h>

#ifdef __cplusplus
extern "C" {
#endif

struct kmm_machine;

/* GFP flags: the kernel's names with a KMM_ prefix and the reference kernel's values. */
typedef uint32_t kmm_gfp_t;

#define KMM___GFP_DMA		 0x01u
#define KMM___GFP_HIGHMEM	 0x02u
#define KMM___GFP_DMA32		 0x04u
#define KMM___GFP_MOVABLE	 0x08u
#define KMM___GFP_RECLAIMABLE	 0x10u
#define KMM___GFP_HIGH		 0x20u
#define KMM___GFP_IO		 0x40u
#define KMM___GFP_FS		 0x80u
#define KMM___GFP_ZERO		 0x100u
#define KMM___GFP_ATOMIC	 0x200u
#define KMM___GFP_DIRECT_RECLAIM 0x400u
#define KMM___GFP_KSWAPD_RECLAIM 0x800u
#define KMM___GFP_WRITE		 0x1000u
#define KMM___GFP_NOWARN	 0x2000u
#define KMM___GFP_RETRY_MAYFAIL	 0x4000u
#define KMM___GFP_NOFAIL	 0x8000u
#define KMM___GFP_NORETRY	 0x10000u
#define KMM___GFP_MEMALLOC	 0x20000u
#define KMM___GFP_COMP		 0x40000u
#define KMM___GFP_NOMEMALLOC	 0x80000u
#define KMM___GFP_HARDWALL	 0x100000u
#define KMM___GFP_THISNODE	 0x200000u
#define KMM___GFP_ACCOUNT	 0x400000u
#define KMM___GFP_RECLAIM	 (KMM___GFP_DIRECT_RECLAIM | KMM___GFP_KSWAPD_RECLAIM)
#define KMM_GFP_ATOMIC		 (KMM___GFP_HIGH | KMM___GFP_ATOMIC | KMM___GFP_KSWAPD_RECLAIM)
#define KMM_GFP_KERNEL		 (KMM___GFP_RECLAIM | KMM___GFP_IO | KMM___GFP_FS)
#define KMM_GFP_KERNEL_ACCOUNT	 (KMM_GFP_KERNEL | KMM___GFP_ACCOUNT)
#define KMM_GFP_NOWAIT		 (KMM___GFP_KSWAPD_RECLAIM)
#define KMM_GFP_NOIO		 (KMM___GFP_RECLAIM)
#define KMM_GFP_NOFS		 (KMM___GFP_RECLAIM | KMM___GFP_IO)
#define KMM_GFP_USER		 (KMM___GFP_RECLAIM | KMM___GFP_IO | KMM___GFP_FS | KMM___GFP_HARDWALL)
#define KMM_GFP_DMA		 KMM___GFP_DMA
#define KMM_GFP_DMA32		 KMM___GFP_DMA32
#define KMM_GFP_HIGHUSER	 (KMM_GFP_USER | KMM___GFP_HIGHMEM)
#define KMM_GFP_HIGHUSER_MOVABLE (KMM_GFP_HIGHUSER | KMM___GFP_MOVABLE)
#define KMM_GFP_TRANSHUGE_LIGHT                                                                    \
	((KMM_GFP_HIGHUSER_MOVABLE | KMM___GFP_COMP | KMM___GFP_NOMEMALLOC | KMM___GFP_NOWARN) &   \
	 ~KMM___GFP_RECLAIM)
#define KMM_GFP_TRANSHUGE (KMM_GFP_TRANSHUGE_LIGHT | KMM___GFP_DIRECT_RECLAIM)

#define KMM_MAX_ORDER 11 /* orders 0..10 */

/* Migratetypes, with the kernel's values. */
enum kmm_migratetype {
	KMM_MIGRATE_UNMOVABLE,
	KMM_MIGRATE_MOVABLE,
	KMM_MIGRATE_RECLAIMABLE,
	KMM_MIGRATE_HIGHATOMIC,
	KMM_MIGRATE_CMA,
	KMM_MIGRATE_ISOLATE,
};

/*
 * Parses GFP flags written the kernel's way ("GFP_KERNEL|__GFP_ZERO", "0x100cca"), as
 * /proc and the trace events print them. KMM_EINVAL names an unknown word.
 */
KMM_API enum kmm_status kmm_gfp_parse(const char *text, kmm_gfp_t *gfp);
/* Formats @gfp as the kernel's %pGg does; returns @buf. */
KMM_API const char *kmm_gfp_format(kmm_gfp_t gfp, char *buf, size_t len);

/*
 * alloc_pages(gfp, order) on the current CPU's node: 2^order contiguous pages; *pfn is the
 * first. KMM_ENOMEM: the kernel would have returned NULL (the reason in kmm_last_error and,
 * without __GFP_NOWARN, the failure warning in the log). KMM_EINVAL: order > 10, unknown
 * GFP bits, or two zone modifiers.
 */
KMM_API enum kmm_status kmm_alloc_pages(struct kmm_machine *m, kmm_gfp_t gfp, unsigned order,
					kmm_pfn_t *pfn);
/* alloc_pages_node(): @nid first (-1: the current CPU's node), then its fallback list. */
KMM_API enum kmm_status kmm_alloc_pages_node(struct kmm_machine *m, int nid, kmm_gfp_t gfp,
					     unsigned order, kmm_pfn_t *pfn);
/*
 * __free_pages(page, order): drops the reference the allocation gave; the last reference
 * frees. KMM_EINVAL only when @pfn is not a page of the machine's memory map.
 */
KMM_API enum kmm_status kmm_free_pages(struct kmm_machine *m, kmm_pfn_t pfn, unsigned order);
/* get_page(): one more reference (a later kmm_free_pages then only drops it). */
KMM_API enum kmm_status kmm_get_page(struct kmm_machine *m, kmm_pfn_t pfn);
/* split_page(): an order-N block without __GFP_COMP becomes 2^N order-0 pages. */
KMM_API enum kmm_status kmm_split_page(struct kmm_machine *m, kmm_pfn_t pfn, unsigned order);

/* alloc_pages_bulk_array(): order-0 pages into the zero slots of @pfns; *nr_done is the count. */
KMM_API enum kmm_status kmm_alloc_pages_bulk(struct kmm_machine *m, kmm_gfp_t gfp, size_t nr,
					     kmm_pfn_t *pfns, size_t *nr_done);

/*
 * alloc_pages_exact()/free_pages_exact(): linear-map address of @size bytes of pages.
 * KMM_EINVAL, each with its own text: a NULL @va; @size 0 or above 4 MiB (2^(MAX_ORDER - 1)
 * pages).
 */
KMM_API enum kmm_status kmm_alloc_pages_exact(struct kmm_machine *m, size_t size, kmm_gfp_t gfp,
					      kmm_va_t *va);
KMM_API enum kmm_status kmm_free_pages_exact(struct kmm_machine *m, kmm_va_t va, size_t size);

/*
 * alloc_contig_range(start, end, migratetype): every page of [start, end) allocated with one
 * reference each, if all are free. KMM_ENOMEM (-EBUSY in the kernel): a page is in use.
 */
KMM_API enum kmm_status kmm_alloc_contig_range(struct kmm_machine *m, kmm_pfn_t start,
					       kmm_pfn_t end, enum kmm_migratetype migratetype);
KMM_API enum kmm_status kmm_free_contig_range(struct kmm_machine *m, kmm_pfn_t pfn, size_t nr);

/*
 * cma_alloc()/cma_release() on the default CMA area (cma= boot parameter). @align is an order
 * of pages, at most 8 (CONFIG_CMA_ALIGNMENT): a larger one is refused with KMM_EINVAL.
 */
KMM_API enum kmm_status kmm_cma_alloc(struct kmm_machine *m, size_t count, unsigned align,
				      kmm_pfn_t *pfn);
KMM_API enum kmm_status kmm_cma_release(struct kmm_machine *m, kmm_pfn_t pfn, size_t count);

/* start_isolate_page_range()/undo_isolate_page_range() over whole pageblocks. */
KMM_API enum kmm_status kmm_isolate_range(struct kmm_machine *m, kmm_pfn_t start, kmm_pfn_t end,
					  enum kmm_migratetype migratetype);
KMM_API enum kmm_status kmm_undo_isolate_range(struct kmm_machine *m, kmm_pfn_t start,
					       kmm_pfn_t end, enum kmm_migratetype migratetype);

/* drain_all_pages(NULL): every CPU's pcp lists back to the buddy allocator. */
KMM_API enum kmm_status kmm_drain_all_pages(struct kmm_machine *m);

/* What the memory map says about one page. */
struct kmm_page_info {
	int refcount;
	int mapcount;
	uint64_t flags;	  /* page->flags (PG_* bits, node and zone fields) */
	int node, zone;	  /* zone: 0 DMA, 1 DMA32, 2 Normal, 3 Movable */
	int pageblock_mt; /* enum kmm_migratetype of the pageblock */
	bool buddy;	  /* head of a free buddy block */
	unsigned buddy_order;
	bool compound_head, compound_tail;
	unsigned compound_order;
};

KMM_API enum kmm_status kmm_page_info(struct kmm_machine *m, kmm_pfn_t pfn,
				      struct kmm_page_info *info);

/* virt_to_phys() for a linear-map address. KMM_EINVAL outside the linear map's RAM. */
KMM_API enum kmm_status kmm_virt_to_phys(struct kmm_machine *m, kmm_va_t va, kmm_pa_t *pa);

#ifdef __cplusplus
}
#endif

#endif /* KMM_PAGE_H */
