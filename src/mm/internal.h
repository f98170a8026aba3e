/*
 * Kernel-internal helpers shared by the files of src/mm: the memory model (PFN <-> struct
 * page), pageblock flags, and the buddy free-list primitives. Every function takes the
 * kernel instance: there is no global state.
 */
#ifndef KMM_MM_INTERNAL_H
#define KMM_MM_INTERNAL_H

#include <limits.h>

#include "arch/arm64/include/asm/memory.h"
#include "mm/kernel.h"
#include "mm/mm.h"
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

/* The struct page array's kernel VA (arm64: VMEMMAP_START = -(1 << (VA_BITS - 6))). */
#define VMEMMAP_START 0xfffffc0000000000ull

/* The kernel VA of @page's struct page, as %p of a page prints with no_hash_pointers. */
static inline uint64_t page_struct_va(const struct kmm_kernel *k, const struct page *page)
{
	return VMEMMAP_START +
	       (page_to_pfn(k, page) - PHYS_PFN(k->memstart_addr)) * sizeof(struct page);
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
	return arch_phys_to_host(k, PFN_PHYS(page_to_pfn(k, page)), len);
}

/* The simulated CPU the current call runs on (env->cur_cpu: kmm_cpu_set, kmm_cpu_access). */
static inline int smp_processor_id(const struct kmm_kernel *k)
{
	return k->env->cur_cpu;
}

static inline int numa_node_id(const struct kmm_kernel *k)
{
	return k->node_of_cpu[k->env->cur_cpu];
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

/* ---- node counters and events (the model applies every delta at once: no per-CPU diffs) -- */

static inline void __mod_node_page_state(pg_data_t *pgdat, enum node_stat_item item, long nr)
{
	pgdat->vm_stat[item] += nr;
}

/* Models: node_page_state(): a counter of @pgdat, 0 if it went negative. */
static inline unsigned long node_page_state(const pg_data_t *pgdat, enum node_stat_item item)
{
	return pgdat->vm_stat[item] < 0 ? 0 : (unsigned long)pgdat->vm_stat[item];
}

static inline void count_vm_events(struct kmm_kernel *k, enum vm_event_item item, long nr)
{
	k->vm_events[item] += (unsigned long)nr;
}

static inline void __count_vm_events(struct kmm_kernel *k, enum vm_event_item item, long nr)
{
	count_vm_events(k, item, nr);
}

static inline void count_vm_event(struct kmm_kernel *k, enum vm_event_item item)
{
	count_vm_events(k, item, 1);
}

/* Models: include/linux/vmstat.h:global_zone_page_state(), summed over every zone. */
unsigned long global_zone_page_state(const struct kmm_kernel *k, enum zone_stat_item item);

/* ---- buddy allocator core (page_alloc.c) --------------------------------------------- */

typedef unsigned int fpi_t;
#define FPI_NONE    0u
#define FPI_TO_TAIL (1u << 1)

/* Alloc flags (mm/internal.h, 6.1.192 after the reserve rework). */
#define ALLOC_WMARK_MIN	    WMARK_MIN
#define ALLOC_WMARK_LOW	    WMARK_LOW
#define ALLOC_WMARK_HIGH    WMARK_HIGH
#define ALLOC_NO_WATERMARKS 0x04u /* don't check watermarks at all */
#define ALLOC_WMARK_MASK    (ALLOC_NO_WATERMARKS - 1)
#define ALLOC_OOM	    0x08u  /* an OOM victim: half of the remaining min reserve */
#define ALLOC_NON_BLOCK	    0x10u  /* cannot block: a further quarter of min (with MIN_RESERVE) */
#define ALLOC_MIN_RESERVE   0x20u  /* __GFP_HIGH: half of min */
#define ALLOC_CPUSET	    0x40u  /* check the cpuset (no cpusets here: always allowed) */
#define ALLOC_CMA	    0x80u  /* may use MIGRATE_CMA free pages */
#define ALLOC_NOFRAGMENT    0x100u /* avoid mixing pageblock types: fall back to lower zones */
#define ALLOC_HIGHATOMIC    0x200u /* may use MIGRATE_HIGHATOMIC */
#define ALLOC_KSWAPD	    0x800u /* may wake kswapd (== __GFP_KSWAPD_RECLAIM) */
#define ALLOC_RESERVES	    (ALLOC_NON_BLOCK | ALLOC_MIN_RESERVE | ALLOC_HIGHATOMIC | ALLOC_OOM)

typedef struct {
	unsigned long bits; /* MAX_NUMNODES <= 64 */
} nodemask_t;

static inline bool node_isset(int nid, const nodemask_t *m)
{
	return m->bits >> nid & 1;
}

/* Models: mm/internal.h:struct alloc_context. */
struct alloc_context {
	struct zonelist *zonelist;
	const nodemask_t *nodemask;
	struct zoneref *preferred_zoneref;
	int migratetype;
	enum zone_type highest_zoneidx;
	bool spread_dirty_pages;
};

static inline int zone_to_nid(const struct zone *zone)
{
	return zone->node;
}

/* Models: include/linux/mmzone.h:next_zones_zonelist(): the next usable zoneref from @z. */
static inline struct zoneref *next_zones_zonelist(struct zoneref *z, enum zone_type highest_zoneidx,
						  const nodemask_t *nodes)
{
	while (z->zone && (z->zone_idx > (int)highest_zoneidx ||
			   (nodes && !node_isset(zone_to_nid(z->zone), nodes))))
		z++;
	return z;
}

#define for_next_zone_zonelist_nodemask(zone, z, highidx, nodemask)                                \
	for (zone = (z)->zone; zone;                                                               \
	     z++, z = next_zones_zonelist(z, highidx, nodemask), zone = (z)->zone)

#define for_each_zone_zonelist_nodemask(zone, z, zlist, highidx, nodemask)                         \
	for (z = next_zones_zonelist((zlist)->_zonerefs, highidx, nodemask), zone = (z)->zone;     \
	     zone; z = next_zones_zonelist(++z, highidx, nodemask), zone = (z)->zone)

/* Models: mm/page_alloc.c:__free_one_page(): merge with free buddies, then enqueue. */
void __free_one_page(struct kmm_kernel *k, struct page *page, unsigned long pfn, struct zone *zone,
		     unsigned int order, int migratetype, fpi_t fpi_flags);

/* Models: mm/page_alloc.c:__free_pages_core(): boot-time hand-over of a block to the buddy. */
void __free_pages_core(struct kmm_kernel *k, struct page *page, unsigned int order);

/* Models: free_unref_page(): an order-0 (or pcp-sized) block to this CPU's pcp list. */
void free_unref_page(struct kmm_kernel *k, struct page *page, unsigned int order);
/* Models: free_compound_page(): frees the compound page @page heads, all of it. */
void free_compound_page(struct kmm_kernel *k, struct page *page);

/* Models: mm/page_alloc.c:free_reserved_page() via free_reserved_area() for one page. */
void free_reserved_page(struct kmm_kernel *k, struct page *page);

/* Checks the buddy and pcp lists of every zone; false with a reason on violation. */
bool page_alloc_check(const struct kmm_kernel *k, char *why, size_t whylen);

bool __zone_watermark_ok(const struct zone *z, unsigned int order, unsigned long mark,
			 int highest_zoneidx, unsigned int alloc_flags, long free_pages);
bool zone_watermark_ok(const struct zone *z, unsigned int order, unsigned long mark,
		       int highest_zoneidx, unsigned int alloc_flags);

/* Moves the free pages of @page's pageblock to @migratetype's lists; returns pages moved. */
int move_freepages_block(struct kmm_kernel *k, struct zone *zone, struct page *page,
			 int migratetype, int *num_movable);
/* Models: drain_all_pages(): NULL for every zone. */
void drain_all_pages(struct kmm_kernel *k, struct zone *zone);
void drain_local_pages(struct kmm_kernel *k, struct zone *zone);
/* Takes a free buddy block off its list for isolation/compaction; 0 if the watermark says no. */
int __isolate_free_page(struct kmm_kernel *k, struct page *page, unsigned int order);
void __putback_isolated_page(struct kmm_kernel *k, struct page *page, unsigned int order, int mt);
void prep_compound_page(struct page *page, unsigned int order);
bool split_page(struct kmm_kernel *k, struct page *page, unsigned int order);
bool has_isolate_pageblock(const struct zone *zone);

/* page_isolation.c: 0 or -EBUSY/-EINVAL; on failure nothing changed. */
int start_isolate_page_range(struct kmm_kernel *k, unsigned long start_pfn, unsigned long end_pfn,
			     int migratetype);
void undo_isolate_page_range(struct kmm_kernel *k, unsigned long start_pfn, unsigned long end_pfn,
			     int migratetype);
int test_pages_isolated(struct kmm_kernel *k, unsigned long start_pfn, unsigned long end_pfn);
int alloc_contig_range(struct kmm_kernel *k, unsigned long start, unsigned long end,
		       int migratetype, unsigned int gfp);
void free_contig_range(struct kmm_kernel *k, unsigned long pfn, unsigned long nr_pages);
/* The free buddy block containing @pfn (its head, order in *@order), or NULL if @pfn is busy. */
struct page *free_block_of(struct kmm_kernel *k, unsigned long pfn, unsigned int *order);

/*
 * compaction.c: takes every free page of [start_pfn, end_pfn) of @zone out of the buddy
 * allocator, each with one reference (the parts of a free block outside the range go back).
 * Returns end_pfn, or 0 when a page of the range is not free (a BUG: the caller isolated the
 * range and saw it free).
 */
unsigned long isolate_freepages_range(struct kmm_kernel *k, struct zone *zone,
				      unsigned long start_pfn, unsigned long end_pfn);

/* cma.c: the default CMA area. cma_alloc returns NULL when no free run exists. */
#define CMA_ALIGNMENT 8 /* CONFIG_CMA_ALIGNMENT: cma_alloc caps the alignment order there */
int cma_init_area(struct kmm_kernel *k);
struct page *cma_alloc(struct kmm_kernel *k, unsigned long count, unsigned int align, bool no_warn);
bool cma_release(struct kmm_kernel *k, struct page *pages, unsigned long count);
bool cma_check(const struct kmm_kernel *k, char *why, size_t whylen);
void post_alloc_hook(struct kmm_kernel *k, struct page *page, unsigned int order, unsigned int gfp);
bool post_alloc_hook_zero_owed(struct kmm_kernel *k, struct page *page, unsigned int gfp);

/* Kernel-style reports of the free/alloc checks (Bad page state ...); dump_page: mmdebug.h. */
void bad_page(struct kmm_kernel *k, struct page *page, const char *reason);

/* show_mem.c: the Mem-Info block of OOM reports and allocation-failure warnings. */
void __show_mem(struct kmm_kernel *k, const nodemask_t *nodemask, int max_zone_idx);

/* vmscan.c / compaction.c / oom_kill.c: entry points for the reclaim, compaction and OOM
 * issues. Until those land they do nothing and say so through their return values. */
void wakeup_kswapd(struct kmm_kernel *k, struct zone *zone, unsigned int gfp, int order,
		   enum zone_type highest_zoneidx);
unsigned long try_to_free_pages(struct kmm_kernel *k, struct zonelist *zonelist, int order,
				unsigned int gfp, const nodemask_t *nodemask);
enum compact_result {
	COMPACT_NOT_SUITABLE_ZONE,
	COMPACT_SKIPPED,
	COMPACT_DEFERRED,
	COMPACT_NO_SUITABLE_PAGE,
	COMPACT_CONTINUE,
	COMPACT_COMPLETE,
	COMPACT_PARTIAL_SKIPPED,
	COMPACT_CONTENDED,
	COMPACT_SUCCESS,
};
enum compact_priority {
	COMPACT_PRIO_SYNC_FULL,
	COMPACT_PRIO_SYNC_LIGHT,
	COMPACT_PRIO_ASYNC,
	MIN_COMPACT_PRIORITY = COMPACT_PRIO_SYNC_FULL,
	DEF_COMPACT_PRIORITY = COMPACT_PRIO_SYNC_LIGHT,
	INIT_COMPACT_PRIORITY = COMPACT_PRIO_ASYNC,
};
enum compact_result try_to_compact_pages(struct kmm_kernel *k, unsigned int gfp, unsigned int order,
					 unsigned int alloc_flags, const struct alloc_context *ac,
					 enum compact_priority prio, struct page **capture);
/* Returns true when it freed memory (a victim was killed). */
bool out_of_memory(struct kmm_kernel *k, unsigned int gfp, int order,
		   const struct alloc_context *ac);

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
