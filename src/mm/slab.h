/*
 * The slab allocator's internal interface (mm/slab.h, include/linux/slab.h): struct slab,
 * the object layout constants, and the entry points of slub.c, slab_common.c and mempool.c.
 *
 * struct slab overlays the head struct page of the slab's compound page, as in 6.1:
 *
 * | offset | struct page      | struct slab                                         |
 * |--------|------------------|-----------------------------------------------------|
 * | 0      | flags            | __page_flags (PG_slab, PG_head, PG_active=pfmemalloc)|
 * | 8      | lru              | slab_list, or next + slabs on a CPU partial list    |
 * | 24     | mapping          | slab_cache                                          |
 * | 32     | index            | freelist (VA of the first free object, 0: none)     |
 * | 40     | private          | counters: inuse:16, objects:15, frozen:1            |
 * | 48     | _mapcount        | __unused (left at -1, as the page allocator wants)  |
 * | 52     | _refcount        | __page_refcount                                     |
 * | 56     | memcg_data       | memcg_data                                          |
 *
 * Objects are kernel linear-map VAs (uint64_t, 0 for NULL); their bytes are read and written
 * through the linear map's host view. Every entry point takes the kernel instance first;
 * otherwise names, parameter order and return conventions are the kernel's.
 */
#ifndef KMM_MM_SLAB_H
#define KMM_MM_SLAB_H

#include "lib/bug.h"
#include "lib/trace.h"
#include "mm/gfp.h"
#include "mm/internal.h"
#include "mm/slub_def.h"

/* Models: mm/slab.h:struct slab for CONFIG_SLUB. */
struct slab {
	unsigned long __page_flags;
	union {
		struct list_head slab_list;
		struct {
			struct slab *next;
			int slabs; /* CPU partial slabs left, this one included */
		};
	};
	struct kmem_cache *slab_cache;
	uint64_t freelist;
	union {
		unsigned long counters;
		struct {
			unsigned inuse : 16;
			unsigned objects : 15;
			unsigned frozen : 1;
		};
	};
	unsigned int __unused;
	int __page_refcount;
	unsigned long memcg_data;
};

#define SLAB_MATCH(pg, sl)                                                                         \
	_Static_assert(offsetof(struct page, pg) == offsetof(struct slab, sl), "slab "             \
									       "overlay: " #sl)
SLAB_MATCH(flags, __page_flags);
SLAB_MATCH(compound_head, slab_list); /* bit 0 of a slab's head stays clear */
SLAB_MATCH(mapping, slab_cache);
SLAB_MATCH(index, freelist);
SLAB_MATCH(private, counters);
SLAB_MATCH(_mapcount, __unused);
SLAB_MATCH(_refcount, __page_refcount);
SLAB_MATCH(memcg_data, memcg_data);
#undef SLAB_MATCH
_Static_assert(sizeof(struct slab) == sizeof(struct page), "struct slab overlays struct page");

/* ---- object layout constants (include/linux/poison.h, mm/slub.c) ---------------------- */
#define POISON_INUSE	  0x5a /* padding and unused slab space */
#define POISON_FREE	  0x6b /* a free object's bytes */
#define POISON_END	  0xa5 /* its last byte */
#define SLUB_RED_INACTIVE 0xbb /* red zone of a free object */
#define SLUB_RED_ACTIVE	  0xcc /* red zone of an allocated object */

#define OO_SHIFT	  16
#define OO_MASK		  ((1u << OO_SHIFT) - 1)
#define MAX_OBJS_PER_PAGE 32767 /* slab.objects is 15 bits */
#define MIN_PARTIAL	  5
#define MAX_PARTIAL	  10
#define TRACK_SIZE	  32 /* sizeof(struct track) with CONFIG_STACKDEPOT on arm64 */
/* Model: marks the head page of a live large kmalloc (owner-private flag of the slab layer). */
#define PG_large_kmalloc   PG_owner_priv_1
#define ARCH_SLAB_MINALIGN 8

#define DEBUG_DEFAULT_FLAGS                                                                        \
	(SLAB_CONSISTENCY_CHECKS | SLAB_RED_ZONE | SLAB_POISON | SLAB_STORE_USER)
#define DEBUG_METADATA_FLAGS (SLAB_RED_ZONE | SLAB_POISON | SLAB_STORE_USER)
#define SLAB_DEBUG_FLAGS                                                                           \
	(SLAB_RED_ZONE | SLAB_POISON | SLAB_STORE_USER | SLAB_TRACE | SLAB_CONSISTENCY_CHECKS)
#define SLAB_NEVER_MERGE                                                                           \
	(SLAB_RED_ZONE | SLAB_POISON | SLAB_STORE_USER | SLAB_TRACE | SLAB_TYPESAFE_BY_RCU |       \
	 SLAB_NOLEAKTRACE | SLAB_FAILSLAB)
#define SLAB_MERGE_SAME (SLAB_RECLAIM_ACCOUNT | SLAB_CACHE_DMA | SLAB_CACHE_DMA32 | SLAB_ACCOUNT)
#define SLAB_CORE_FLAGS                                                                            \
	(SLAB_HWCACHE_ALIGN | SLAB_CACHE_DMA | SLAB_CACHE_DMA32 | SLAB_PANIC |                     \
	 SLAB_TYPESAFE_BY_RCU | SLAB_DEBUG_OBJECTS)
#define SLAB_CACHE_FLAGS                                                                           \
	(SLAB_NOLEAKTRACE | SLAB_RECLAIM_ACCOUNT | SLAB_TEMPORARY | SLAB_ACCOUNT |                 \
	 SLAB_NO_USER_FLAGS)
#define CACHE_CREATE_MASK (SLAB_CORE_FLAGS | SLAB_DEBUG_FLAGS | SLAB_CACHE_FLAGS)
#define SLAB_FLAGS_PERMITTED                                                                       \
	(SLAB_CORE_FLAGS | SLAB_RED_ZONE | SLAB_POISON | SLAB_STORE_USER | SLAB_TRACE |            \
	 SLAB_CONSISTENCY_CHECKS | SLAB_MEM_SPREAD | SLAB_NOLEAKTRACE | SLAB_RECLAIM_ACCOUNT |     \
	 SLAB_TEMPORARY | SLAB_ACCOUNT | SLAB_NO_USER_FLAGS)

/* mm/internal.h */
#define GFP_RECLAIM_MASK                                                                           \
	(__GFP_RECLAIM | __GFP_HIGH | __GFP_IO | __GFP_FS | __GFP_NOWARN | __GFP_RETRY_MAYFAIL |   \
	 __GFP_NOFAIL | __GFP_NORETRY | __GFP_MEMALLOC | __GFP_NOMEMALLOC | __GFP_ATOMIC)
#define GFP_CONSTRAINT_MASK (__GFP_HARDWALL | __GFP_THISNODE)
#define GFP_SLAB_BUG_MASK   (__GFP_DMA32 | __GFP_HIGHMEM | ~__GFP_BITS_MASK)

/* kmalloc(0) returns ZERO_SIZE_PTR; kfree() ignores it and NULL. */
#define ZERO_SIZE_PTR	    ((uint64_t)16)
#define ZERO_OR_NULL_PTR(x) ((uint64_t)(x) <= ZERO_SIZE_PTR)

/*
 * Call sites. The kernel records _RET_IP_ (in the free-track data, the trace events and the
 * reports); the model has no return addresses, so each entry point passes the address of a
 * symbol of its own in kernel text, printed back by name.
 */
#define SLAB_CALL_SITES(X)                                                                         \
	X(kmem_cache_alloc)                                                                        \
	X(kmem_cache_alloc_node)                                                                   \
	X(kmem_cache_alloc_bulk)                                                                   \
	X(kmem_cache_free)                                                                         \
	X(kmem_cache_free_bulk)                                                                    \
	X(kmem_cache_create)                                                                       \
	X(kmem_cache_destroy)                                                                      \
	X(__kmalloc)                                                                               \
	X(__kmalloc_node)                                                                          \
	X(kmalloc_large)                                                                           \
	X(krealloc)                                                                                \
	X(kfree)                                                                                   \
	X(cache_random_seq_create)                                                                 \
	X(init_kmem_cache_nodes)                                                                   \
	X(mempool_alloc)                                                                           \
	X(mempool_free)                                                                            \
	X(mempool_init_node)                                                                       \
	X(kmm_api)

enum slab_call_site {
#define SLAB_SITE_ENUM(name) SITE_##name,
	SLAB_CALL_SITES(SLAB_SITE_ENUM)
#undef SLAB_SITE_ENUM
		NR_SLAB_CALL_SITES
};

#define KIMAGE_TEXT    0xffff800008010000ull /* _text with nokaslr */
#define SITE_SPAN      0x100
#define _RET_IP_(site) ((unsigned long)(KIMAGE_TEXT + (unsigned long)SITE_##site * SITE_SPAN))

/* "name+0x0/0x100" for a call site address, as %pS prints it; "0x..." for anything else. */
const char *call_site_name(unsigned long addr, char *buf, size_t len);

/* ---- struct slab helpers --------------------------------------------------------------- */

static inline struct slab *page_slab(const struct page *page)
{
	return (struct slab *)page;
}

static inline struct page *slab_page(const struct slab *slab)
{
	return (struct page *)slab;
}

static inline unsigned int slab_order(const struct slab *slab)
{
	return compound_order(slab_page(slab));
}

static inline unsigned long slab_size(const struct slab *slab)
{
	return PAGE_SIZE << slab_order(slab);
}

static inline int slab_nid(const struct slab *slab)
{
	return page_to_nid(slab_page(slab));
}

static inline uint64_t slab_address(const struct kmm_kernel *k, const struct slab *slab)
{
	return page_address(k, slab_page(slab));
}

/* pfmemalloc is kept in PG_active of the slab (mm/slab.h). */
static inline bool slab_test_pfmemalloc(const struct slab *slab)
{
	return test_page_flag(slab_page(slab), PG_active);
}

/*
 * The struct page of a linear-map VA, or NULL when @va is not in the linear map or not
 * backed by the memory map (where the kernel would take a translation fault).
 */
static inline struct page *virt_to_page_safe(const struct kmm_kernel *k, uint64_t va)
{
	unsigned long pfn;

	if (va < PAGE_OFFSET || va >= PAGE_OFFSET + (1ull << 47))
		return NULL;
	pfn = PHYS_PFN(__pa(k, va));
	if (!pfn_valid(k, pfn))
		return NULL;
	return pfn_to_page(k, pfn);
}

/* Models: virt_to_slab(): the slab holding @va, or NULL if @va is not in a slab page. */
static inline struct slab *virt_to_slab(const struct kmm_kernel *k, uint64_t va)
{
	struct page *page = virt_to_page_safe(k, va);

	if (!page)
		return NULL;
	page = compound_head(page);
	return PageSlab(page) ? page_slab(page) : NULL;
}

static inline unsigned int oo_order(struct kmem_cache_order_objects x)
{
	return x.x >> OO_SHIFT;
}

static inline unsigned int oo_objects(struct kmem_cache_order_objects x)
{
	return x.x & OO_MASK;
}

static inline struct kmem_cache_node *get_node(const struct kmem_cache *s, int node)
{
	return s->node[node];
}

#define for_each_kmem_cache_node(k, s, nid, n)                                                     \
	for ((nid) = 0; (nid) < (k)->kmem.nr_node_ids; (nid)++)                                    \
		if (((n) = get_node((s), (nid))) != NULL)

/* Host bytes of [va, va + len) in the linear map, or NULL. */
static inline uint8_t *kmem_host(const struct kmm_kernel *k, uint64_t va, size_t len)
{
	return arch_phys_to_host(k, __pa(k, va), len);
}

/* Models: mm/slab.h:slab_want_init_on_alloc() / slab_want_init_on_free(). */
static inline bool slab_want_init_on_alloc(const struct kmm_kernel *k, gfp_t flags,
					   const struct kmem_cache *c)
{
	if (k->kmem.init_on_alloc) {
		if (c->ctor)
			return false;
		if (c->flags & (SLAB_TYPESAFE_BY_RCU | SLAB_POISON))
			return flags & __GFP_ZERO;
		return true;
	}
	return flags & __GFP_ZERO;
}

static inline bool slab_want_init_on_free(const struct kmm_kernel *k, const struct kmem_cache *c)
{
	if (k->kmem.init_on_free)
		return !(c->ctor || (c->flags & (SLAB_TYPESAFE_BY_RCU | SLAB_POISON)));
	return false;
}

/* Models: mm/slab.h:slab_ksize(). */
static inline size_t slab_ksize(const struct kmem_cache *s)
{
	if (s->flags & (SLAB_RED_ZONE | SLAB_POISON))
		return s->object_size;
	if (s->flags & (SLAB_TYPESAFE_BY_RCU | SLAB_STORE_USER))
		return s->inuse;
	return s->size;
}

/* Models: include/linux/slab.h:kmalloc_type(). */
static inline enum kmalloc_cache_type kmalloc_type(gfp_t flags)
{
	if ((flags & (__GFP_RECLAIMABLE | __GFP_DMA | __GFP_ACCOUNT)) == 0)
		return KMALLOC_NORMAL;
	if (flags & __GFP_DMA)
		return KMALLOC_DMA;
	if (flags & __GFP_RECLAIMABLE)
		return KMALLOC_RECLAIM;
	return KMALLOC_CGROUP;
}

/* ---- slub.c ----------------------------------------------------------------------------- */

/*
 * Models: mm/slub.c:kmem_cache_init(): the two bootstrap caches, the kmalloc caches, the
 * random freelist sequences; prints the "SLUB:" boot line. Runs once the page allocator is
 * up. Returns 0, or -ENOMEM (host or simulated memory exhausted; nothing is left behind).
 */
int kmem_cache_init(struct kmm_kernel *k);
/* Frees the host side of every cache (machine teardown; simulated memory goes with RAM). */
void kmem_cache_fini(struct kmm_kernel *k);

/*
 * Models: mm/slub.c:setup_slub_debug() and the slub_min_order=, slub_max_order=,
 * slub_min_objects=, slab_nomerge handlers, applied from the parsed command line.
 */
void slub_apply_params(struct kmm_kernel *k);

/* Models: mm/slub.c:kmem_cache_flags(): the slub_debug flags that apply to cache @name. */
slab_flags_t kmem_cache_flags(const struct kmm_kernel *k, unsigned int object_size,
			      slab_flags_t flags, const char *name);

/*
 * The geometry part of kmem_cache_open(): flags, calculate_sizes(), the slub_debug=O retry,
 * min_partial and cpu_partial. @s has name, object_size, size, align, ctor set. Returns 0,
 * or -EINVAL when no slab order can hold an object. Touches nothing but @s.
 */
int kmem_cache_open_geometry(const struct kmm_kernel *k, struct kmem_cache *s, slab_flags_t flags);

int __kmem_cache_create(struct kmm_kernel *k, struct kmem_cache *s, slab_flags_t flags);
struct kmem_cache *__kmem_cache_alias(struct kmm_kernel *k, const char *name, unsigned int size,
				      unsigned int align, slab_flags_t flags, kmem_ctor_t ctor);
int __kmem_cache_shutdown(struct kmm_kernel *k, struct kmem_cache *s);
void __kmem_cache_release(struct kmm_kernel *k, struct kmem_cache *s);
int __kmem_cache_shrink(struct kmm_kernel *k, struct kmem_cache *s);

uint64_t kmem_cache_alloc(struct kmm_kernel *k, struct kmem_cache *s, gfp_t flags);
uint64_t kmem_cache_alloc_node(struct kmm_kernel *k, struct kmem_cache *s, gfp_t flags, int node);
uint64_t __kmem_cache_alloc_node(struct kmm_kernel *k, struct kmem_cache *s, gfp_t flags, int node,
				 size_t orig_size, unsigned long caller);
void kmem_cache_free(struct kmm_kernel *k, struct kmem_cache *s, uint64_t x);
void __kmem_cache_free(struct kmm_kernel *k, struct kmem_cache *s, uint64_t x,
		       unsigned long caller);
/* Fills @p with @size objects; returns @size, or 0 with nothing allocated. */
int kmem_cache_alloc_bulk(struct kmm_kernel *k, struct kmem_cache *s, gfp_t flags, size_t size,
			  uint64_t *p);
/* @s may be NULL (kfree_bulk): each object's own cache is used. */
void kmem_cache_free_bulk(struct kmm_kernel *k, struct kmem_cache *s, size_t size, uint64_t *p);

/* Models: mm/slub.c:get_slabinfo(). */
struct slabinfo {
	unsigned long active_objs, num_objs, active_slabs, num_slabs;
	unsigned int objects_per_slab, cache_order;
};
void get_slabinfo(const struct kmm_kernel *k, const struct kmem_cache *s, struct slabinfo *si);

/*
 * A WARN from @site (bug.h), in the full shape of the kernel's __warn(): the cut-here line, the
 * optional WARN() message @msg, the WARNING line, the call trace @trace; then @after.
 */
void slab_warn(struct kmm_kernel *k, const struct bug_site *site, const char *trace,
	       const char *msg, const char *after);
/* The oops the kernel would take on @x, a kernel address with no RAM behind it. */
void slab_bad_address(struct kmm_kernel *k, const char *trace, uint64_t x);

/* print_tainted() of the reference kernel, from the machine's taint state. */
const char *slab_print_tainted(const struct kmm_kernel *k, char *buf, size_t len);

/*
 * Invariants of every cache, slab and object (slub.c's header lists them). False with the
 * first violation in @why.
 */
bool slub_check(const struct kmm_kernel *k, char *why, size_t whylen);

/* ---- slab_common.c ---------------------------------------------------------------------- */

/* The kmem trace events (include/trace/events/kmem.h); each costs a bit test when off. */
void __trace_kmem_cache_alloc(struct kmm_kernel *k, unsigned long call_site, uint64_t ptr,
			      const struct kmem_cache *s, gfp_t gfp, int node);
void __trace_kmalloc(struct kmm_kernel *k, unsigned long call_site, uint64_t ptr, size_t bytes_req,
		     size_t bytes_alloc, gfp_t gfp, int node);
void __trace_kfree(struct kmm_kernel *k, unsigned long call_site, uint64_t ptr);
void __trace_kmem_cache_free(struct kmm_kernel *k, unsigned long call_site, uint64_t ptr,
			     const struct kmem_cache *s);

static inline void trace_kmem_cache_alloc(struct kmm_kernel *k, unsigned long call_site,
					  uint64_t ptr, const struct kmem_cache *s, gfp_t gfp,
					  int node)
{
	if (trace_enabled(k->env, TRACE_kmem_cache_alloc))
		__trace_kmem_cache_alloc(k, call_site, ptr, s, gfp, node);
}

static inline void trace_kmalloc(struct kmm_kernel *k, unsigned long call_site, uint64_t ptr,
				 size_t bytes_req, size_t bytes_alloc, gfp_t gfp, int node)
{
	if (trace_enabled(k->env, TRACE_kmalloc))
		__trace_kmalloc(k, call_site, ptr, bytes_req, bytes_alloc, gfp, node);
}

static inline void trace_kfree(struct kmm_kernel *k, unsigned long call_site, uint64_t ptr)
{
	if (trace_enabled(k->env, TRACE_kfree))
		__trace_kfree(k, call_site, ptr);
}

static inline void trace_kmem_cache_free(struct kmm_kernel *k, unsigned long call_site,
					 uint64_t ptr, const struct kmem_cache *s)
{
	if (trace_enabled(k->env, TRACE_kmem_cache_free))
		__trace_kmem_cache_free(k, call_site, ptr, s);
}

/* Models: mm/slab_common.c:kmalloc_fix_flags(): the WARN, and the flags without the bad bits. */
gfp_t kmalloc_fix_flags(struct kmm_kernel *k, gfp_t flags);
/*
 * Models: mm/slab_common.c:free_large_kmalloc() for @object outside any slab; anything but a
 * live large kmalloc is reported (in @fn's name) and left alone.
 */
void free_large_kmalloc(struct kmm_kernel *k, uint64_t object, const char *fn);

struct kmem_cache *kmem_cache_create(struct kmm_kernel *k, const char *name, unsigned int size,
				     unsigned int align, slab_flags_t flags, kmem_ctor_t ctor,
				     void *ctor_arg);
void kmem_cache_destroy(struct kmm_kernel *k, struct kmem_cache *s);
int kmem_cache_shrink(struct kmm_kernel *k, struct kmem_cache *s);
unsigned int calculate_alignment(const struct kmm_kernel *k, slab_flags_t flags, unsigned int align,
				 unsigned int size);
int slab_unmergeable(const struct kmm_kernel *k, const struct kmem_cache *s);
struct kmem_cache *find_mergeable(struct kmm_kernel *k, unsigned int size, unsigned int align,
				  slab_flags_t flags, const char *name, kmem_ctor_t ctor);
int create_boot_cache(struct kmm_kernel *k, struct kmem_cache *s, const char *name,
		      unsigned int size, slab_flags_t flags, unsigned int useroffset,
		      unsigned int usersize);
void setup_kmalloc_cache_index_table(struct kmm_kernel *k);
int create_kmalloc_caches(struct kmm_kernel *k, slab_flags_t flags);
/*
 * Models: mm/slab_common.c:kmalloc_slab(): NULL for 0 and for sizes above 8 KiB. Its two
 * lookups (size_index up to 192 bytes, fls above) are folded into kmalloc_size_index, which
 * setup_kmalloc_cache_index_table() builds from them.
 */
static inline struct kmem_cache *kmalloc_slab(const struct kmm_kernel *k, size_t size, gfp_t flags)
{
	unsigned int index;

	if (!size || size > KMALLOC_MAX_CACHE_SIZE)
		return NULL;
	index = k->kmem.kmalloc_size_index[(size + 7) >> 3];
	return k->kmem.kmalloc_caches[kmalloc_type(flags)][index];
}
size_t kmalloc_size_roundup(const struct kmm_kernel *k, size_t size);
int cache_random_seq_create(struct kmm_kernel *k, struct kmem_cache *s, unsigned int count,
			    gfp_t gfp);
void cache_random_seq_destroy(struct kmm_kernel *k, struct kmem_cache *s);

uint64_t __kmalloc(struct kmm_kernel *k, size_t size, gfp_t flags);
uint64_t __do_kmalloc_node(struct kmm_kernel *k, size_t size, gfp_t flags, int node,
			   unsigned long caller);
uint64_t __kmalloc_node(struct kmm_kernel *k, size_t size, gfp_t flags, int node);
uint64_t __kmalloc_node_track_caller(struct kmm_kernel *k, size_t size, gfp_t flags, int node,
				     unsigned long caller);
uint64_t kmalloc_large_node(struct kmm_kernel *k, size_t size, gfp_t flags, int node);
void kfree(struct kmm_kernel *k, uint64_t object);
void kfree_caller(struct kmm_kernel *k, uint64_t object, unsigned long caller);
void kfree_general(struct kmm_kernel *k, uint64_t object, unsigned long caller);
size_t __ksize(struct kmm_kernel *k, uint64_t object);
size_t ksize(struct kmm_kernel *k, uint64_t object);
uint64_t krealloc(struct kmm_kernel *k, uint64_t p, size_t new_size, gfp_t flags);
uint64_t kmalloc_array(struct kmm_kernel *k, size_t n, size_t size, gfp_t flags);
uint64_t kcalloc(struct kmm_kernel *k, size_t n, size_t size, gfp_t flags);

static inline uint64_t kmalloc(struct kmm_kernel *k, size_t size, gfp_t flags)
{
	return __kmalloc(k, size, flags);
}

static inline uint64_t kzalloc(struct kmm_kernel *k, size_t size, gfp_t flags)
{
	return __kmalloc(k, size, flags | __GFP_ZERO);
}

static inline uint64_t kmem_cache_zalloc(struct kmm_kernel *k, struct kmem_cache *s, gfp_t flags)
{
	return kmem_cache_alloc(k, s, flags | __GFP_ZERO);
}

/* Models: mm/slab_common.c:slab_show() over every cache: /proc/slabinfo, version 2.1. */
struct sink;
void show_slabinfo(const struct kmm_kernel *k, const struct sink *out);

/* The cache named @name (first in /proc/slabinfo order), or NULL. */
struct kmem_cache *kmem_cache_find(const struct kmm_kernel *k, const char *name);

/* ---- mempool.c -------------------------------------------------------------------------- */

typedef uint64_t (*mempool_alloc_t)(struct kmm_kernel *k, gfp_t gfp, void *pool_data);
typedef void (*mempool_free_t)(struct kmm_kernel *k, uint64_t element, void *pool_data);

/* Models: include/linux/mempool.h:mempool_t. Elements are VAs. */
typedef struct mempool_s {
	int min_nr;	      /* the reserve */
	int curr_nr;	      /* elements in the reserve now */
	uint64_t *elements;   /* host view of the kmalloc'ed array */
	uint64_t elements_va; /* its VA */
	void *pool_data;
	mempool_alloc_t alloc;
	mempool_free_t free;
	uint64_t va; /* model: the pool's own kzalloc'ed object */
} mempool_t;

mempool_t *mempool_create_node(struct kmm_kernel *k, int min_nr, mempool_alloc_t alloc_fn,
			       mempool_free_t free_fn, void *pool_data, gfp_t gfp_mask, int nid);
mempool_t *mempool_create(struct kmm_kernel *k, int min_nr, mempool_alloc_t alloc_fn,
			  mempool_free_t free_fn, void *pool_data);
void mempool_destroy(struct kmm_kernel *k, mempool_t *pool);
int mempool_resize(struct kmm_kernel *k, mempool_t *pool, int new_min_nr);
uint64_t mempool_alloc(struct kmm_kernel *k, mempool_t *pool, gfp_t gfp_mask);
void mempool_free(struct kmm_kernel *k, uint64_t element, mempool_t *pool);

uint64_t mempool_alloc_slab(struct kmm_kernel *k, gfp_t gfp, void *pool_data);
void mempool_free_slab(struct kmm_kernel *k, uint64_t element, void *pool_data);
uint64_t mempool_kmalloc(struct kmm_kernel *k, gfp_t gfp, void *pool_data);
void mempool_kfree(struct kmm_kernel *k, uint64_t element, void *pool_data);
uint64_t mempool_alloc_pages(struct kmm_kernel *k, gfp_t gfp, void *pool_data);
void mempool_free_pages(struct kmm_kernel *k, uint64_t element, void *pool_data);

/* A large kmalloc's head: the bit without PG_swapbacked (a THP in the swap cache has both). */
static inline bool PageLargeKmalloc(const struct page *page)
{
	return test_page_flag(page, PG_large_kmalloc) && !test_page_flag(page, PG_swapbacked);
}

#endif /* KMM_MM_SLAB_H */
