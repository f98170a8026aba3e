/*
 * SLUB's cache descriptors (include/linux/slub_def.h, mm/slab.h) and the per-kernel slab
 * state, kept apart from mm/slab.h so that struct kmm_kernel can embed struct kmem_globals.
 *
 * Where things live:
 *
 * | thing                         | kernel                         | model |
 * |-------------------------------|--------------------------------|--------------------------------|
 * | objects, free pointers        | slab pages                     | slab pages in simulated RAM |
 * | struct slab                   | overlays struct page           | overlays struct page (slab.h)
 * | | struct kmem_cache             | an object of cache kmem_cache  | host memory; its object in |
 * |                               |                                | kmem_cache is allocated too |
 * | struct kmem_cache_node        | an object of kmem_cache_node   | the same scheme | | struct
 * kmem_cache_cpu         | percpu area                    | host array, one per CPU        | |
 * random_seq, mempool elements  | kmalloc memory                 | kmalloc memory                 |
 *
 * The descriptors hold host pointers (lists, the cache name), so they stay in host memory; the
 * simulated objects that stand for them are allocated and freed with them, so /proc/slabinfo
 * and the Slab counters show the same costs as the kernel's.
 */
#ifndef KMM_MM_SLUB_DEF_H
#define KMM_MM_SLUB_DEF_H

#include "mm/mm_types.h"
#include "mm/mmzone.h"

typedef unsigned int gfp_t;
typedef unsigned int slab_flags_t;

/* ---- cache flags (include/linux/slab.h, 6.1; SLAB_DEBUG_OBJECTS and KASAN are off) ----- */
#define SLAB_CONSISTENCY_CHECKS 0x00000100u /* slub_debug=F */
#define SLAB_RED_ZONE		0x00000400u /* slub_debug=Z */
#define SLAB_POISON		0x00000800u /* slub_debug=P */
#define SLAB_KMALLOC		0x00001000u /* a kmalloc cache */
#define SLAB_HWCACHE_ALIGN	0x00002000u
#define SLAB_CACHE_DMA		0x00004000u
#define SLAB_CACHE_DMA32	0x00008000u
#define SLAB_STORE_USER		0x00010000u /* slub_debug=U */
#define SLAB_RECLAIM_ACCOUNT	0x00020000u
#define SLAB_PANIC		0x00040000u
#define SLAB_TYPESAFE_BY_RCU	0x00080000u
#define SLAB_MEM_SPREAD		0x00100000u
#define SLAB_TRACE		0x00200000u /* slub_debug=T */
#define SLAB_DEBUG_OBJECTS	0u	    /* CONFIG_DEBUG_OBJECTS off */
#define SLAB_NOLEAKTRACE	0x00800000u
#define SLAB_FAILSLAB		0x02000000u /* slub_debug=A */
#define SLAB_ACCOUNT		0x04000000u
#define SLAB_KASAN		0u /* CONFIG_KASAN off */
#define SLAB_NO_USER_FLAGS	0x10000000u
#define SLAB_TEMPORARY		SLAB_RECLAIM_ACCOUNT
/* SLUB-internal */
#define __OBJECT_POISON	 0x80000000u
#define __CMPXCHG_DOUBLE 0x40000000u

/* ---- kmalloc size classes (include/linux/slab.h with SLUB, 4 KiB pages) ------------------ */
#define KMALLOC_SHIFT_HIGH     (PAGE_SHIFT + 1) /* 13: kmalloc-8k is the largest cache */
#define KMALLOC_SHIFT_MAX      (MAX_ORDER + PAGE_SHIFT - 1)
#define KMALLOC_MAX_SIZE       (1UL << KMALLOC_SHIFT_MAX)
#define KMALLOC_MAX_CACHE_SIZE (1UL << KMALLOC_SHIFT_HIGH)
#define KMALLOC_MAX_ORDER      (KMALLOC_SHIFT_MAX - PAGE_SHIFT)

/* enum kmalloc_cache_type with CONFIG_ZONE_DMA and CONFIG_MEMCG_KMEM. */
enum kmalloc_cache_type {
	KMALLOC_NORMAL = 0,
	KMALLOC_CGROUP,
	KMALLOC_RECLAIM,
	KMALLOC_DMA,
	NR_KMALLOC_TYPES
};

/* ---- descriptors ------------------------------------------------------------------------ */

struct slab;
struct kmm_kernel;

/* include/linux/reciprocal_div.h: division by a constant as multiply and shifts. */
struct reciprocal_value {
	uint32_t m;
	uint8_t sh1, sh2;
};

struct kmem_cache_order_objects {
	unsigned int x; /* order << OO_SHIFT | objects */
};

/*
 * Models: include/linux/slub_def.h:struct kmem_cache_cpu (no local_lock: one host thread
 * drives a machine, so the lockless fast path needs no cmpxchg).
 * Deviation: slab_va/slab_host cache the current slab's address and its host view, derived
 * whenever c->slab changes, so the fast paths need not look up the memory map.
 */
struct kmem_cache_cpu {
	uint64_t freelist;    /* VA of the next free object of c->slab (0: none) */
	unsigned long tid;    /* transaction id */
	struct slab *slab;    /* the slab allocated from */
	struct slab *partial; /* frozen partial slabs (slab->next chain) */
	uint64_t slab_va;     /* model: page_address(c->slab) */
	uint8_t *slab_host;   /* model: host view of c->slab's memory */
	uint64_t slab_bytes;  /* model: c->slab->objects * size (where the objects end) */
	uint64_t unused;      /* model: 64 bytes, so that a shift finds a CPU's entry */
};

/* Models: mm/slab.h:struct kmem_cache_node (SLUB with CONFIG_SLUB_DEBUG). */
struct kmem_cache_node {
	unsigned long nr_partial;
	struct list_head partial;
	long nr_slabs;
	long total_objects;
	struct list_head full; /* only with SLAB_STORE_USER */
	uint64_t va;	       /* model: this structure's object in cache kmem_cache_node */
};

/* Constructor: @object is the object's VA, @mem its @size bytes in simulated RAM. */
typedef void (*kmem_ctor_t)(void *arg, uint64_t object, void *mem, size_t size);

/*
 * Models: include/linux/slub_def.h:struct kmem_cache (CONFIG_SLUB_CPU_PARTIAL,
 * CONFIG_SLAB_FREELIST_HARDENED, CONFIG_SLAB_FREELIST_RANDOM, CONFIG_NUMA).
 *
 * Constant after kmem_cache_open(): everything but refcount, object_size/inuse (raised by a
 * merge), cpu_slab and node contents.
 */
struct kmem_cache {
	/* What the fast paths read, in the first 64 bytes. */
	struct kmem_cache_cpu *cpu_slab; /* nr_cpus entries */
	/* Model: ceil(2^64 / size); x % size == 0 iff x * div_m (mod 2^64) < div_m, for any
	 * x below 2^32 (the fast paths' pointer checks). */
	uint64_t div_m;
	unsigned long random;	  /* freelist pointer obfuscation */
	unsigned int offset;	  /* free pointer offset in the object */
	unsigned int object_size; /* the caller's object */
	unsigned int size;	  /* object + metadata, aligned */
	/* Model: the fast paths' simulated cost in cycles, from the cost table: [0] an allocation,
	 * [1] one that zeroes the object, [2] a free (one add on the fast paths). */
	uint32_t fast_charge[3];
	/* Model: slab_want_init_on_alloc() without and with __GFP_ZERO (constant: the boot
	 * parameter, the constructor and the flags are). */
	bool init_alloc[2];

	slab_flags_t flags;
	unsigned long min_partial;
	struct reciprocal_value reciprocal_size;
	unsigned int cpu_partial;
	unsigned int cpu_partial_slabs;
	struct kmem_cache_order_objects oo;
	struct kmem_cache_order_objects min;
	gfp_t allocflags;
	int refcount;
	kmem_ctor_t ctor;
	void *ctor_arg;
	unsigned int inuse; /* offset to the metadata */
	unsigned int align;
	unsigned int red_left_pad;
	const char *name;
	struct list_head list; /* on kmem_globals.slab_caches */
	unsigned int remote_node_defrag_ratio;
	unsigned int *random_seq; /* host view of the kmalloc'ed sequence (NULL: none) */
	uint64_t random_seq_va;	  /* its VA */
	unsigned int useroffset;
	unsigned int usersize;
	uint64_t va; /* model: this descriptor's object in cache kmem_cache */
	struct kmem_cache_node *node[MAX_NUMNODES];
};

enum slab_state {
	DOWN,	      /* no slab functionality yet */
	PARTIAL,      /* kmem_cache_node available */
	PARTIAL_NODE, /* (SLAB only) */
	UP,	      /* slab caches usable but not all extras yet */
	FULL	      /* everything is working */
};

/*
 * The slab allocator's global state, one per kernel (mm/slab_common.c and mm/slub.c
 * globals). Boot parameters are constant after kmem_cache_init(); the rest changes under
 * what the kernel calls slab_mutex.
 */
struct kmem_globals {
	/* Boot parameters and machine facts. */
	unsigned int arch_kmalloc_minalign; /* ARCH_KMALLOC_MINALIGN (ARCH_DMA_MINALIGN) */
	unsigned int kmalloc_min_size;	    /* KMALLOC_MIN_SIZE */
	unsigned int kmalloc_shift_low;	    /* KMALLOC_SHIFT_LOW */
	unsigned int cache_line_size;	    /* 64 on the reference Cortex-A57 */
	unsigned int slub_min_order, slub_max_order, slub_min_objects;
	slab_flags_t slub_debug;       /* global slub_debug flags */
	const char *slub_debug_string; /* blocks with cache lists, or NULL */
	bool disable_higher_order_debug;
	bool slab_nomerge;
	bool init_on_alloc, init_on_free;
	bool slab_nodes[MAX_NUMNODES];
	int nr_node_ids;

	/* Under slab_mutex. */
	enum slab_state slab_state;
	struct list_head slab_caches;
	struct kmem_cache *kmem_cache;
	struct kmem_cache *kmem_cache_node;
	struct kmem_cache *kmalloc_caches[NR_KMALLOC_TYPES][KMALLOC_SHIFT_HIGH + 1];
	uint8_t size_index[24];
	/* Model: the kmalloc index of every size, by (size + 7) / 8 (0: none). */
	uint8_t kmalloc_size_index[KMALLOC_MAX_CACHE_SIZE / 8 + 1];

	/*
	 * Model: one bit per 8 bytes of the memory map's PFN range, set while the object that
	 * starts there is allocated (a KASAN-like shadow, committed lazily by the host). It
	 * lets every free be checked in O(1) and kmm_check count objects exactly.
	 */
	uint64_t *objmap;
	uint64_t objmap_va0, objmap_bits; /* linear-map VA of bit 0; number of bits */
	uint64_t nr_large_kmalloc;	  /* live large kmalloc allocations */
	/*
	 * Model: slabs where a corrupted free pointer cut a freelist (their cut-off objects are
	 * neither free nor allocated any more, as in the kernel); kmm_check allows those.
	 */
	unsigned long *corrupt_slabs; /* PFNs */
	size_t nr_corrupt_slabs, cap_corrupt_slabs;
};

#endif /* KMM_MM_SLUB_DEF_H */
