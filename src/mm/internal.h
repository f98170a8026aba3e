/*
 * Kernel-internal helpers shared by the files of src/mm: the memory model (PFN <-> struct
 * page), pageblock flags, and the buddy free-list primitives. Every function takes the
 * kernel instance: there is no global state.
 */
#ifndef KMM_MM_INTERNAL_H
#define KMM_MM_INTERNAL_H

#include <limits.h>

#include "mm/kernel.h"
#include "mm/mmzone.h"

/* ---- memory model: SPARSEMEM_VMEMMAP, one host array over [vmemmap_base, vmemmap_end) --- */

#define SECTION_SIZE_BITS 27 /* arm64, 4 KiB pages: 128 MiB sections */
#define PFN_SECTION_SHIFT (SECTION_SIZE_BITS - PAGE_SHIFT)
#define PAGES_PER_SECTION (1UL << PFN_SECTION_SHIFT)

static inline struct page *pfn_to_page(const struct kmm_kernel *k, unsigned long pfn)
{
	return k->vmemmap + (pfn - k->vmemmap_base);
}

static inline unsigned long page_to_pfn(const struct kmm_kernel *k, const struct page *page)
{
	return (unsigned long)(page - k->vmemmap) + k->vmemmap_base;
}

/* Models: pfn_valid() for SPARSEMEM: the PFN's section has a memory map. */
static inline bool pfn_valid(const struct kmm_kernel *k, unsigned long pfn)
{
	return pfn >= k->vmemmap_base && pfn < k->vmemmap_end &&
	       k->section_present[(pfn - k->vmemmap_base) >> PFN_SECTION_SHIFT];
}

/* ---- the linear map (arm64, 48-bit VA): kernel VAs are plain numbers, never host pointers */

#define PAGE_OFFSET 0xffff000000000000ull /* -(1 << VA_BITS) */

/* Models: arch/arm64/include/asm/memory.h:__phys_to_virt() (linear map only). */
static inline uint64_t __va(const struct kmm_kernel *k, phys_addr_t pa)
{
	return (pa - k->memstart_addr) | PAGE_OFFSET;
}

/* Models: __virt_to_phys() for a linear-map address. */
static inline phys_addr_t __pa(const struct kmm_kernel *k, uint64_t va)
{
	return (va & ~PAGE_OFFSET) + k->memstart_addr;
}

static inline uint64_t page_address(const struct kmm_kernel *k, const struct page *page)
{
	return __va(k, PFN_PHYS(page_to_pfn(k, page)));
}

static inline struct page *virt_to_page(const struct kmm_kernel *k, uint64_t va)
{
	return pfn_to_page(k, PHYS_PFN(__pa(k, va)));
}

/* Host view of a page's contents in simulated RAM (NULL if the PFN is not RAM). */
static inline void *page_host(const struct kmm_kernel *k, const struct page *page, size_t len)
{
	return phys_to_host(&k->hw->phys, PFN_PHYS(page_to_pfn(k, page)), len);
}

/* The simulated CPU the current call runs on. */
static inline int smp_processor_id(const struct kmm_kernel *k)
{
	return k->cpu;
}

static inline int numa_node_id(const struct kmm_kernel *k)
{
	return k->node_of_cpu[k->cpu];
}

static inline pg_data_t *NODE_DATA(const struct kmm_kernel *k, int nid)
{
	return k->node_data[nid];
}

static inline struct zone *page_zone(const struct kmm_kernel *k, const struct page *page)
{
	return &k->node_data[page_to_nid(page)]->node_zones[page_zonenum(page)];
}

/* ---- pageblock flags: 3 migratetype bits + the compaction skip bit per pageblock -------- */

#define PB_migrate_mask 0x7u
#define PB_migrate_skip 0x8u

static inline uint8_t *pageblock_flags_of(const struct kmm_kernel *k, unsigned long pfn)
{
	return &k->pageblock_flags[(pfn - k->vmemmap_base) >> pageblock_order];
}

static inline int get_pfnblock_migratetype(const struct kmm_kernel *k, unsigned long pfn)
{
	return *pageblock_flags_of(k, pfn) & PB_migrate_mask;
}

static inline int get_pageblock_migratetype(const struct kmm_kernel *k, const struct page *page)
{
	return get_pfnblock_migratetype(k, page_to_pfn(k, page));
}

static inline void set_pageblock_migratetype(struct kmm_kernel *k, struct page *page, int mt)
{
	uint8_t *f = pageblock_flags_of(k, page_to_pfn(k, page));

	*f = (uint8_t)((*f & ~PB_migrate_mask) | (mt & PB_migrate_mask));
}

static inline bool is_migrate_cma(int mt)
{
	return mt == MIGRATE_CMA;
}

static inline bool is_migrate_isolate(int mt)
{
	return mt == MIGRATE_ISOLATE;
}

/* ---- zone counters ------------------------------------------------------------------ */

static inline void __mod_zone_page_state(struct zone *zone, enum zone_stat_item item, long nr)
{
	zone->vm_stat[item] += nr;
}

static inline unsigned long zone_page_state(const struct zone *zone, enum zone_stat_item item)
{
	return zone->vm_stat[item] < 0 ? 0 : (unsigned long)zone->vm_stat[item];
}

/* Models: include/linux/vmstat.h:global_zone_page_state(), summed over every zone. */
unsigned long global_zone_page_state(const struct kmm_kernel *k, enum zone_stat_item item);

/* ---- buddy allocator core (page_alloc.c) --------------------------------------------- */

typedef unsigned int fpi_t;
#define FPI_NONE    0u
#define FPI_TO_TAIL (1u << 1)

/* Models: mm/page_alloc.c:__free_one_page(): merge with free buddies, then enqueue. */
void __free_one_page(struct kmm_kernel *k, struct page *page, unsigned long pfn, struct zone *zone,
		     unsigned int order, int migratetype, fpi_t fpi_flags);

/* Models: mm/page_alloc.c:__free_pages_core(): boot-time hand-over of a block to the buddy. */
void __free_pages_core(struct kmm_kernel *k, struct page *page, unsigned int order);

/* Models: mm/page_alloc.c:free_reserved_page() via free_reserved_area() for one page. */
void free_reserved_page(struct kmm_kernel *k, struct page *page);

/* Checks the buddy lists of every zone (page_alloc.c); false with a reason on violation. */
bool page_alloc_check(const struct kmm_kernel *k, char *why, size_t whylen);

/* ---- mm_init.c: nodes, zones, the memory map ------------------------------------------ */

int sparse_init(struct kmm_kernel *k);
int free_area_init(struct kmm_kernel *k, const unsigned long *max_zone_pfn);
void build_all_zonelists(struct kmm_kernel *k);
/* Hands every page memblock did not reserve to the buddy allocator; returns the count. */
unsigned long memblock_free_all(struct kmm_kernel *k);
void cma_activate_area(struct kmm_kernel *k, phys_addr_t base, phys_addr_t size);
bool mm_init_check(const struct kmm_kernel *k, char *why, size_t whylen);

/* ---- wmark.c: watermarks and friends -------------------------------------------------- */

void init_per_zone_wmark_min(struct kmm_kernel *k);
void set_recommended_min_free_kbytes(struct kmm_kernel *k);

/* Models: mm/page_alloc.c:setup_per_zone_wmarks() (6.1), including the pcp update. */
void setup_per_zone_wmarks(struct kmm_kernel *k);
/* Models: mm/page_alloc.c:setup_per_zone_lowmem_reserve(). */
void setup_per_zone_lowmem_reserve(struct kmm_kernel *k);
/* Models: mm/page_alloc.c:zone_pcp_update() for every populated zone. */
void zone_pcp_update_all(struct kmm_kernel *k);
/* Models: mm/vmstat.c:refresh_zone_stat_thresholds(). */
void refresh_zone_stat_thresholds(struct kmm_kernel *k);
/* Models: mm/page_alloc.c:nr_free_buffer_pages(). */
unsigned long nr_free_buffer_pages(const struct kmm_kernel *k);

#define for_each_online_pgdat(k, pgdat)                                                            \
	for (int nid__ = 0; nid__ < MAX_NUMNODES; nid__++)                                         \
		if (((pgdat) = (k)->node_data[nid__]) != NULL)

#endif /* KMM_MM_INTERNAL_H */
