/*
 * memblock: the boot-time memory allocator (struct memblock and its API).
 *
 * Models: include/linux/memblock.h (Linux 6.1, arm64 configuration: CONFIG_NUMA,
 *         NODES_SHIFT 4, NR_CPUS 256, CONFIG_EFI, CONFIG_ARM_GIC_V3_ITS,
 *         CONFIG_ARCH_KEEP_MEMBLOCK, no CONFIG_HAVE_MEMBLOCK_PHYS_MAP).
 * Deviation: the kernel has one global `memblock`; here it is an instance and every function
 *         takes `struct memblock *mb` first, then the kernel's parameters in the kernel's order.
 * Deviation: the virtual-address allocators (memblock_alloc*) return a simulated linear-map
 *         address (kmm_va_t, 0 for NULL) computed as pa + mb->linear_offset, never a host
 *         pointer; memblock_free() takes that address back.
 *
 * Region layout (both types):
 *
 * | field      | meaning                                                          |
 * |------------|------------------------------------------------------------------|
 * | base, size | [base, base + size), base + size never wraps (sizes are capped)  |
 * | flags      | enum memblock_flags (memory only; reserved regions keep 0)       |
 * | nid        | node id; MAX_NUMNODES means "not assigned" (memblock_add/reserve)|
 *
 * An empty type holds one dummy region {0, 0} (cnt == 1), as in the kernel.
 * The caller of a logged call (the kernel's %pS) is whatever mb->caller names at the call; it
 * is consumed by that call. See docs/memblock.md.
 */
#ifndef KMM_MM_MEMBLOCK_H
#define KMM_MM_MEMBLOCK_H

#include <kmm/types.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct kmm_env;
struct hw_phys;
struct sink;

#ifndef KMM_PHYS_ADDR_T_DEFINED
#define KMM_PHYS_ADDR_T_DEFINED
typedef uint64_t phys_addr_t;
#endif

#ifndef NUMA_NO_NODE
#define NUMA_NO_NODE (-1)
#endif
#ifndef MAX_NUMNODES
#define MAX_NUMNODES 16 /* 1 << CONFIG_NODES_SHIFT */
#endif

#ifndef PHYS_ADDR_MAX
#define PHYS_ADDR_MAX (~(uint64_t)0) /* same spelling as kernel/params.h */
#endif

/* Initial array sizes: mm/memblock.c and arch/arm64/include/asm/memory.h with NR_CPUS=256. */
#define MEMBLOCK_NR_CPUS	       256
#define INIT_MEMBLOCK_REGIONS	       128
#define INIT_MEMBLOCK_RESERVED_REGIONS (INIT_MEMBLOCK_REGIONS + MEMBLOCK_NR_CPUS + 1)
#define INIT_MEMBLOCK_MEMORY_REGIONS   (INIT_MEMBLOCK_REGIONS * 8)

/* Special limits of the allocation API. */
#define MEMBLOCK_ALLOC_ANYWHERE	   (~(phys_addr_t)0)
#define MEMBLOCK_ALLOC_ACCESSIBLE  0
#define MEMBLOCK_ALLOC_NOLEAKTRACE 1
#define MEMBLOCK_LOW_LIMIT	   0

#define SMP_CACHE_BYTES 64 /* arm64 L1_CACHE_BYTES */

enum memblock_flags {
	MEMBLOCK_NONE = 0x0,	       /* no special request */
	MEMBLOCK_HOTPLUG = 0x1,	       /* hot(un)pluggable; avoided with movable_node */
	MEMBLOCK_MIRROR = 0x2,	       /* mirrored; preferred once some exists */
	MEMBLOCK_NOMAP = 0x4,	       /* not in the linear map; never allocated from */
	MEMBLOCK_DRIVER_MANAGED = 0x8, /* added by a driver; never allocated from */
};

struct memblock_region {
	phys_addr_t base;
	phys_addr_t size;
	enum memblock_flags flags;
	int nid;
};

struct memblock_type {
	unsigned long cnt;		 /* regions in use (1 when empty: the dummy) */
	unsigned long max;		 /* entries in @regions */
	phys_addr_t total_size;		 /* sum of the region sizes */
	struct memblock_region *regions; /* host memory of mb->env */
	const char *name;		 /* "memory" or "reserved" */
	phys_addr_t array_pa;		 /* simulated PA of a doubled array, 0 while initial */
};

struct memblock {
	/* The kernel's struct memblock. */
	bool bottom_up;
	phys_addr_t current_limit;
	struct memblock_type memory;
	struct memblock_type reserved;

	/* The file-scope state of mm/memblock.c, per instance. */
	bool debug;		     /* memblock=debug */
	bool can_resize;	     /* memblock_allow_resize() was called */
	bool system_has_some_mirror; /* memblock_mark_mirror() marked something */

	/* Settings the kernel keeps elsewhere; set by the boot code before use. */
	bool mirrored_kernelcore; /* kernelcore=mirror (mm/page_alloc.c) */
	bool movable_node;	  /* movable_node (movable_node_is_enabled()) */
	uint64_t linear_offset;	  /* __va(pa) == pa + linear_offset (mod 2^64) */

	/* Caller named in the next memblock=debug line (stands for %pS); NULL: omitted. */
	const char *caller;

	/*
	 * Environment: host memory, log, reports; simulated RAM for zeroing (may be NULL;
	 * opaque here: only arch code, asm/memory.h, looks inside).
	 */
	struct kmm_env *env;
	const struct hw_phys *phys;
};

/*
 * Sets up an empty memblock: arrays of INIT_MEMBLOCK_MEMORY_REGIONS and
 * INIT_MEMBLOCK_RESERVED_REGIONS entries in host memory, top-down, no limit, resizing not
 * yet allowed. @phys may be NULL (no allocation is zeroed then). Returns 0, -EINVAL for a
 * NULL @mb or @env, or -ENOMEM (host memory; nothing is left allocated).
 */
int memblock_init(struct memblock *mb, struct kmm_env *env, const struct hw_phys *phys);
/* Frees the host arrays. The simulated reservations of doubled arrays are not touched. */
void memblock_fini(struct memblock *mb);

/* Lets full region arrays double from now on (arm64: at the end of paging_init()). */
void memblock_allow_resize(struct memblock *mb);

/*
 * Region changes: 0, or -ENOMEM when the region array cannot grow (nothing changed then).
 * add/reserve fill only what no region covers yet and merge; remove/phys_free split regions
 * crossing the range ends and drop what lies inside. Sizes are capped at PHYS_ADDR_MAX.
 */
int memblock_add_node(struct memblock *mb, phys_addr_t base, phys_addr_t size, int nid,
		      enum memblock_flags flags);
int memblock_add(struct memblock *mb, phys_addr_t base, phys_addr_t size);
int memblock_remove(struct memblock *mb, phys_addr_t base, phys_addr_t size);
int memblock_phys_free(struct memblock *mb, phys_addr_t base, phys_addr_t size);
int memblock_reserve(struct memblock *mb, phys_addr_t base, phys_addr_t size);
/* Frees a block of memblock_alloc*() by its linear-map address; 0 is ignored. */
void memblock_free(struct memblock *mb, kmm_va_t ptr, size_t size);
/* Shrinks memory regions to @align boundaries; regions left without an aligned part go. */
void memblock_trim_memory(struct memblock *mb, phys_addr_t align);

/* Whether two ranges / a range and any region of @type overlap. No side effects. */
unsigned long memblock_addrs_overlap(phys_addr_t base1, phys_addr_t size1, phys_addr_t base2,
				     phys_addr_t size2);
bool memblock_overlaps_region(const struct memblock_type *type, phys_addr_t base, phys_addr_t size);

/*
 * Flag changes on memory (and memblock_set_node on @type): the range is isolated, whole
 * regions inside are changed, neighbours merge again. 0 or -ENOMEM (nothing changed).
 */
int memblock_mark_hotplug(struct memblock *mb, phys_addr_t base, phys_addr_t size);
int memblock_clear_hotplug(struct memblock *mb, phys_addr_t base, phys_addr_t size);
/* Does nothing (returns 0) unless mb->mirrored_kernelcore, as in the kernel. */
int memblock_mark_mirror(struct memblock *mb, phys_addr_t base, phys_addr_t size);
int memblock_mark_nomap(struct memblock *mb, phys_addr_t base, phys_addr_t size);
int memblock_clear_nomap(struct memblock *mb, phys_addr_t base, phys_addr_t size);
int memblock_set_node(struct memblock *mb, phys_addr_t base, phys_addr_t size,
		      struct memblock_type *type, int nid);

/*
 * Iteration primitives (see the for_each_* macros below): advance *@idx and fill the outputs
 * (each may be NULL); *@idx becomes MEMBLOCK_ITER_END (-1 for the pfn walk) at the end. They
 * change nothing but the WARN_ONCE state (nid == MAX_NUMNODES).
 */
void __next_mem_range(struct memblock *mb, uint64_t *idx, int nid, enum memblock_flags flags,
		      const struct memblock_type *type_a, const struct memblock_type *type_b,
		      phys_addr_t *out_start, phys_addr_t *out_end, int *out_nid);
void __next_mem_range_rev(struct memblock *mb, uint64_t *idx, int nid, enum memblock_flags flags,
			  const struct memblock_type *type_a, const struct memblock_type *type_b,
			  phys_addr_t *out_start, phys_addr_t *out_end, int *out_nid);
void __next_mem_pfn_range(const struct memblock *mb, int *idx, int nid,
			  unsigned long *out_start_pfn, unsigned long *out_end_pfn, int *out_nid);

#define MEMBLOCK_ITER_END ((uint64_t)UINT64_MAX)

#define __for_each_mem_range(mb, i, type_a, type_b, nid, flags, p_start, p_end, p_nid)             \
	for (i = 0, __next_mem_range(mb, &i, nid, flags, type_a, type_b, p_start, p_end, p_nid);   \
	     i != MEMBLOCK_ITER_END;                                                               \
	     __next_mem_range(mb, &i, nid, flags, type_a, type_b, p_start, p_end, p_nid))

#define __for_each_mem_range_rev(mb, i, type_a, type_b, nid, flags, p_start, p_end, p_nid)         \
	for (i = MEMBLOCK_ITER_END,                                                                \
	    __next_mem_range_rev(mb, &i, nid, flags, type_a, type_b, p_start, p_end, p_nid);       \
	     i != MEMBLOCK_ITER_END;                                                               \
	     __next_mem_range_rev(mb, &i, nid, flags, type_a, type_b, p_start, p_end, p_nid))

/* Memory ranges, skipping hotpluggable (with movable_node), NOMAP and driver-managed ones. */
#define for_each_mem_range(mb, i, p_start, p_end)                                                  \
	__for_each_mem_range(mb, i, &(mb)->memory, NULL, NUMA_NO_NODE,                             \
			     MEMBLOCK_HOTPLUG | MEMBLOCK_DRIVER_MANAGED, p_start, p_end, NULL)

#define for_each_mem_range_rev(mb, i, p_start, p_end)                                              \
	__for_each_mem_range_rev(mb, i, &(mb)->memory, NULL, NUMA_NO_NODE,                         \
				 MEMBLOCK_HOTPLUG | MEMBLOCK_DRIVER_MANAGED, p_start, p_end, NULL)

#define for_each_reserved_mem_range(mb, i, p_start, p_end)                                         \
	__for_each_mem_range(mb, i, &(mb)->reserved, NULL, NUMA_NO_NODE, MEMBLOCK_NONE, p_start,   \
			     p_end, NULL)

/* Free ranges: memory minus reserved, ascending / descending. */
#define for_each_free_mem_range(mb, i, nid, flags, p_start, p_end, p_nid)                          \
	__for_each_mem_range(mb, i, &(mb)->memory, &(mb)->reserved, nid, flags, p_start, p_end,    \
			     p_nid)

#define for_each_free_mem_range_reverse(mb, i, nid, flags, p_start, p_end, p_nid)                  \
	__for_each_mem_range_rev(mb, i, &(mb)->memory, &(mb)->reserved, nid, flags, p_start,       \
				 p_end, p_nid)

/* Whole-page ranges of memory regions; @nid MAX_NUMNODES for all nodes. */
#define for_each_mem_pfn_range(mb, i, nid, p_start, p_end, p_nid)                                  \
	for (i = -1, __next_mem_pfn_range(mb, &i, nid, p_start, p_end, p_nid); i >= 0;             \
	     __next_mem_pfn_range(mb, &i, nid, p_start, p_end, p_nid))

#define for_each_mem_region(mb, region)                                                            \
	for (region = (mb)->memory.regions; region < (mb)->memory.regions + (mb)->memory.cnt;      \
	     region++)

#define for_each_reserved_mem_region(mb, region)                                                   \
	for (region = (mb)->reserved.regions;                                                      \
	     region < (mb)->reserved.regions + (mb)->reserved.cnt; region++)

static inline bool memblock_is_hotpluggable(const struct memblock_region *m)
{
	return m->flags & MEMBLOCK_HOTPLUG;
}

static inline bool memblock_is_mirror(const struct memblock_region *m)
{
	return m->flags & MEMBLOCK_MIRROR;
}

static inline bool memblock_is_nomap(const struct memblock_region *m)
{
	return m->flags & MEMBLOCK_NOMAP;
}

static inline bool memblock_is_driver_managed(const struct memblock_region *m)
{
	return m->flags & MEMBLOCK_DRIVER_MANAGED;
}

static inline void memblock_set_region_node(struct memblock_region *r, int nid)
{
	r->nid = nid;
}

static inline int memblock_get_region_node(const struct memblock_region *r)
{
	return r->nid;
}

/* PFN views of a region: memory rounds inwards, reserved outwards. */
static inline unsigned long memblock_region_memory_base_pfn(const struct memblock_region *reg)
{
	return (unsigned long)((reg->base + KMM_PAGE_SIZE - 1) >> KMM_PAGE_SHIFT);
}

static inline unsigned long memblock_region_memory_end_pfn(const struct memblock_region *reg)
{
	return (unsigned long)((reg->base + reg->size) >> KMM_PAGE_SHIFT);
}

static inline unsigned long memblock_region_reserved_base_pfn(const struct memblock_region *reg)
{
	return (unsigned long)(reg->base >> KMM_PAGE_SHIFT);
}

static inline unsigned long memblock_region_reserved_end_pfn(const struct memblock_region *reg)
{
	return (unsigned long)((reg->base + reg->size + KMM_PAGE_SIZE - 1) >> KMM_PAGE_SHIFT);
}

/*
 * Physical allocation: the address of a new reservation of @size bytes aligned to @align,
 * or 0 when the request cannot be met (nothing changed then). @end MEMBLOCK_ALLOC_ACCESSIBLE
 * (or _NOLEAKTRACE) means mb->current_limit. memblock_alloc_range_nid falls back from @nid
 * to any node unless @exact_nid, and from mirrored to any memory with the kernel's warning.
 */
phys_addr_t memblock_phys_alloc_range(struct memblock *mb, phys_addr_t size, phys_addr_t align,
				      phys_addr_t start, phys_addr_t end);
phys_addr_t memblock_alloc_range_nid(struct memblock *mb, phys_addr_t size, phys_addr_t align,
				     phys_addr_t start, phys_addr_t end, int nid, bool exact_nid);
phys_addr_t memblock_phys_alloc_try_nid(struct memblock *mb, phys_addr_t size, phys_addr_t align,
					int nid);
phys_addr_t memblock_phys_alloc(struct memblock *mb, phys_addr_t size, phys_addr_t align);

/*
 * Linear-map allocation: the kmm_va_t of the block, or 0. A @min_addr that cannot be met is
 * dropped (retry from 0); @max_addr is capped at mb->current_limit. The _raw variants leave
 * the memory as it was; memblock_alloc_try_nid zeroes it in simulated RAM (when mb->phys).
 * _exact_nid_raw never falls back to another node.
 */
kmm_va_t memblock_alloc_exact_nid_raw(struct memblock *mb, phys_addr_t size, phys_addr_t align,
				      phys_addr_t min_addr, phys_addr_t max_addr, int nid);
kmm_va_t memblock_alloc_try_nid_raw(struct memblock *mb, phys_addr_t size, phys_addr_t align,
				    phys_addr_t min_addr, phys_addr_t max_addr, int nid);
kmm_va_t memblock_alloc_try_nid(struct memblock *mb, phys_addr_t size, phys_addr_t align,
				phys_addr_t min_addr, phys_addr_t max_addr, int nid);

static inline kmm_va_t memblock_alloc(struct memblock *mb, phys_addr_t size, phys_addr_t align)
{
	return memblock_alloc_try_nid(mb, size, align, MEMBLOCK_LOW_LIMIT,
				      MEMBLOCK_ALLOC_ACCESSIBLE, NUMA_NO_NODE);
}

static inline kmm_va_t memblock_alloc_raw(struct memblock *mb, phys_addr_t size, phys_addr_t align)
{
	return memblock_alloc_try_nid_raw(mb, size, align, MEMBLOCK_LOW_LIMIT,
					  MEMBLOCK_ALLOC_ACCESSIBLE, NUMA_NO_NODE);
}

static inline kmm_va_t memblock_alloc_from(struct memblock *mb, phys_addr_t size, phys_addr_t align,
					   phys_addr_t min_addr)
{
	return memblock_alloc_try_nid(mb, size, align, min_addr, MEMBLOCK_ALLOC_ACCESSIBLE,
				      NUMA_NO_NODE);
}

static inline kmm_va_t memblock_alloc_node(struct memblock *mb, phys_addr_t size, phys_addr_t align,
					   int nid)
{
	return memblock_alloc_try_nid(mb, size, align, MEMBLOCK_LOW_LIMIT,
				      MEMBLOCK_ALLOC_ACCESSIBLE, nid);
}

/* The physical address behind a memblock_alloc*() result (__pa). */
static inline phys_addr_t memblock_va_to_pa(const struct memblock *mb, kmm_va_t va)
{
	return va - mb->linear_offset;
}

static inline void memblock_set_bottom_up(struct memblock *mb, bool enable)
{
	mb->bottom_up = enable;
}

static inline bool memblock_bottom_up(const struct memblock *mb)
{
	return mb->bottom_up;
}

void memblock_set_current_limit(struct memblock *mb, phys_addr_t limit);
phys_addr_t memblock_get_current_limit(const struct memblock *mb);

phys_addr_t memblock_phys_mem_size(const struct memblock *mb);
phys_addr_t memblock_reserved_size(const struct memblock *mb);
phys_addr_t memblock_start_of_DRAM(const struct memblock *mb);
phys_addr_t memblock_end_of_DRAM(const struct memblock *mb);

/* mem=: keep the lowest @limit bytes of memory (and reservations below that point). */
void memblock_enforce_memory_limit(struct memblock *mb, phys_addr_t limit);
/* Keep only [base, base + size) of the mapped memory; NOMAP regions stay. */
void memblock_cap_memory_range(struct memblock *mb, phys_addr_t base, phys_addr_t size);
/* mem= as arm64 applies it: memblock_cap_memory_range(0, end of the lowest @limit bytes). */
void memblock_mem_limit_remove_map(struct memblock *mb, phys_addr_t limit);

bool memblock_is_memory(const struct memblock *mb, phys_addr_t addr);
bool memblock_is_map_memory(const struct memblock *mb, phys_addr_t addr);
bool memblock_is_region_memory(const struct memblock *mb, phys_addr_t base, phys_addr_t size);
bool memblock_is_reserved(const struct memblock *mb, phys_addr_t addr);
bool memblock_is_region_reserved(const struct memblock *mb, phys_addr_t base, phys_addr_t size);
/* Node of the memory region holding @pfn and its PFN span, or -1 (outputs untouched). */
int memblock_search_pfn_nid(const struct memblock *mb, unsigned long pfn, unsigned long *start_pfn,
			    unsigned long *end_pfn);

/* "MEMBLOCK configuration:" dump to the kernel log; memblock_dump_all only with mb->debug. */
void memblock_dump_all(const struct memblock *mb);
void __memblock_dump_all(const struct memblock *mb);

/* /sys/kernel/debug/memblock/{memory,reserved}: "%4d: %pa..%pa" per region. */
void memblock_debugfs_show(const struct memblock_type *type, const struct sink *out);

/* Checks the invariants listed in memblock.c; false with the reason in @why. */
bool memblock_check(const struct memblock *mb, char *why, size_t whylen);

#endif /* KMM_MM_MEMBLOCK_H */
