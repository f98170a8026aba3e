/*
 * GFP flags and the page allocator's entry points (include/linux/gfp.h, gfp_types.h).
 *
 * The flag values are the reference kernel's (6.1.192, arm64, no KASAN and no lockdep, so the
 * SKIP_* and NOLOCKDEP bits are 0): the mode printed in "page allocation failure" and OOM
 * reports reads the same as on the real kernel (GFP_HIGHUSER_MOVABLE is 0x100cca).
 *
 * Every entry point takes the kernel instance first; otherwise the names, parameter order
 * and return conventions are the kernel's (NULL on failure, nothing changed).
 */
#ifndef KMM_MM_GFP_H
#define KMM_MM_GFP_H

#include "mm/kernel.h"

typedef unsigned int gfp_t;

/* The single bits with their names, for format_gfp() (the defines below must agree). */
#define GFP_BITS(X)                                                                                \
	X(__GFP_DMA, 0x01u)                                                                        \
	X(__GFP_HIGHMEM, 0x02u)                                                                    \
	X(__GFP_DMA32, 0x04u)                                                                      \
	X(__GFP_MOVABLE, 0x08u)                                                                    \
	X(__GFP_RECLAIMABLE, 0x10u)                                                                \
	X(__GFP_HIGH, 0x20u)                                                                       \
	X(__GFP_IO, 0x40u)                                                                         \
	X(__GFP_FS, 0x80u)                                                                         \
	X(__GFP_ZERO, 0x100u)                                                                      \
	X(__GFP_ATOMIC, 0x200u)                                                                    \
	X(__GFP_DIRECT_RECLAIM, 0x400u)                                                            \
	X(__GFP_KSWAPD_RECLAIM, 0x800u)                                                            \
	X(__GFP_WRITE, 0x1000u)                                                                    \
	X(__GFP_NOWARN, 0x2000u)                                                                   \
	X(__GFP_RETRY_MAYFAIL, 0x4000u)                                                            \
	X(__GFP_NOFAIL, 0x8000u)                                                                   \
	X(__GFP_NORETRY, 0x10000u)                                                                 \
	X(__GFP_MEMALLOC, 0x20000u)                                                                \
	X(__GFP_COMP, 0x40000u)                                                                    \
	X(__GFP_NOMEMALLOC, 0x80000u)                                                              \
	X(__GFP_HARDWALL, 0x100000u)                                                               \
	X(__GFP_THISNODE, 0x200000u)                                                               \
	X(__GFP_ACCOUNT, 0x400000u)                                                                \
	X(__GFP_ZEROTAGS, 0x800000u)

#define __GFP_DMA	     ((gfp_t)0x01u)
#define __GFP_HIGHMEM	     ((gfp_t)0x02u)
#define __GFP_DMA32	     ((gfp_t)0x04u)
#define __GFP_MOVABLE	     ((gfp_t)0x08u)
#define __GFP_RECLAIMABLE    ((gfp_t)0x10u)
#define __GFP_HIGH	     ((gfp_t)0x20u)
#define __GFP_IO	     ((gfp_t)0x40u)
#define __GFP_FS	     ((gfp_t)0x80u)
#define __GFP_ZERO	     ((gfp_t)0x100u)
#define __GFP_ATOMIC	     ((gfp_t)0x200u)
#define __GFP_DIRECT_RECLAIM ((gfp_t)0x400u)
#define __GFP_KSWAPD_RECLAIM ((gfp_t)0x800u)
#define __GFP_WRITE	     ((gfp_t)0x1000u)
#define __GFP_NOWARN	     ((gfp_t)0x2000u)
#define __GFP_RETRY_MAYFAIL  ((gfp_t)0x4000u)
#define __GFP_NOFAIL	     ((gfp_t)0x8000u)
#define __GFP_NORETRY	     ((gfp_t)0x10000u)
#define __GFP_MEMALLOC	     ((gfp_t)0x20000u)
#define __GFP_COMP	     ((gfp_t)0x40000u)
#define __GFP_NOMEMALLOC     ((gfp_t)0x80000u)
#define __GFP_HARDWALL	     ((gfp_t)0x100000u)
#define __GFP_THISNODE	     ((gfp_t)0x200000u)
#define __GFP_ACCOUNT	     ((gfp_t)0x400000u)
#define __GFP_ZEROTAGS	     ((gfp_t)0x800000u)
#define __GFP_BITS_SHIFT     27
#define __GFP_BITS_MASK	     ((gfp_t)((1u << __GFP_BITS_SHIFT) - 1))
#define __GFP_RECLAIM	     (__GFP_DIRECT_RECLAIM | __GFP_KSWAPD_RECLAIM)
#define GFP_ZONEMASK	     (__GFP_DMA | __GFP_HIGHMEM | __GFP_DMA32 | __GFP_MOVABLE)
#define GFP_MOVABLE_MASK     (__GFP_RECLAIMABLE | __GFP_MOVABLE)
#define GFP_MOVABLE_SHIFT    3

#define GFP_ATOMIC	     (__GFP_HIGH | __GFP_ATOMIC | __GFP_KSWAPD_RECLAIM)
#define GFP_KERNEL	     (__GFP_RECLAIM | __GFP_IO | __GFP_FS)
#define GFP_KERNEL_ACCOUNT   (GFP_KERNEL | __GFP_ACCOUNT)
#define GFP_NOWAIT	     (__GFP_KSWAPD_RECLAIM)
#define GFP_NOIO	     (__GFP_RECLAIM)
#define GFP_NOFS	     (__GFP_RECLAIM | __GFP_IO)
#define GFP_USER	     (__GFP_RECLAIM | __GFP_IO | __GFP_FS | __GFP_HARDWALL)
#define GFP_DMA		     __GFP_DMA
#define GFP_DMA32	     __GFP_DMA32
#define GFP_HIGHUSER	     (GFP_USER | __GFP_HIGHMEM)
#define GFP_HIGHUSER_MOVABLE (GFP_HIGHUSER | __GFP_MOVABLE)
#define GFP_TRANSHUGE_LIGHT                                                                        \
	((GFP_HIGHUSER_MOVABLE | __GFP_COMP | __GFP_NOMEMALLOC | __GFP_NOWARN) & ~__GFP_RECLAIM)
#define GFP_TRANSHUGE (GFP_TRANSHUGE_LIGHT | __GFP_DIRECT_RECLAIM)

/* Models: include/linux/gfp.h:gfp_migratetype(). */
static inline int gfp_migratetype(gfp_t gfp)
{
	return (int)((gfp & GFP_MOVABLE_MASK) >> GFP_MOVABLE_SHIFT);
}

static inline bool gfpflags_allow_blocking(gfp_t gfp)
{
	return (gfp & __GFP_DIRECT_RECLAIM) != 0;
}

/*
 * Models: include/linux/gfp.h:gfp_zone() with GFP_ZONE_TABLE for arm64 (ZONE_DMA and
 * ZONE_DMA32 configured, no HIGHMEM). Returns -1 for the combinations GFP_ZONE_BAD forbids
 * (the kernel's VM_BUG_ON); callers refuse those.
 */
int gfp_zone(gfp_t gfp);

/* The mask of a name of the kernel's gfpflag_names table ("GFP_KERNEL", "__GFP_ZERO"). */
bool gfp_from_name(const char *name, gfp_t *out);

/* Formats @gfp the kernel's way ("GFP_KERNEL|__GFP_ZERO"); returns @buf. */
const char *format_gfp(gfp_t gfp, char *buf, size_t len);

/* ---- the page allocator (page_alloc.c); NULL on failure with nothing changed ---------- */

/*
 * Allocates 2^@order contiguous pages from @preferred_nid's zonelist (falling back along it
 * unless __GFP_THISNODE). Context: may enter the slow path (reclaim and compaction entry
 * points) when @gfp allows blocking.
 */
struct page *__alloc_pages(struct kmm_kernel *k, gfp_t gfp, unsigned int order, int preferred_nid,
			   const unsigned long *nodemask);
/* The local node of the current simulated CPU. */
struct page *alloc_pages(struct kmm_kernel *k, gfp_t gfp, unsigned int order);
struct page *alloc_pages_node(struct kmm_kernel *k, int nid, gfp_t gfp, unsigned int order);
/* Fills the NULL slots of @page_array with order-0 pages; returns how many slots are set. */
unsigned long alloc_pages_bulk_array(struct kmm_kernel *k, gfp_t gfp, unsigned long nr_pages,
				     struct page **page_array);
/* Drops a reference; the last one frees the pages (to the pcp lists for low orders). */
void __free_pages(struct kmm_kernel *k, struct page *page, unsigned int order);

/* Linear-map address of 2^order pages with the tail past @size freed; 0 on failure. */
uint64_t alloc_pages_exact(struct kmm_kernel *k, size_t size, gfp_t gfp);
void free_pages_exact(struct kmm_kernel *k, uint64_t va, size_t size);

#endif /* KMM_MM_GFP_H */
