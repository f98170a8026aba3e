/*
 * libkmm public API: SLUB (kmem_cache_*), kmalloc and friends, and mempools.
 *
 * Objects are kernel linear-map addresses (kmm_va_t) in simulated RAM: read and write their
 * bytes with kmm_phys_read()/kmm_phys_write() at kmm_virt_to_phys(). Calls run on the current
 * simulated CPU (kmm_cpu_set), whose per-CPU slabs they use, as kernel code would.
 *
 * Outcomes follow the kernel:
 *   - an allocation the kernel would fail returns KMM_ENOMEM (the kernel's warning in the
 *     log unless KMM___GFP_NOWARN);
 *   - kmalloc(0) succeeds with the kernel's ZERO_SIZE_PTR (16), which kfree ignores;
 *   - a bad free (not an object, an object of another cache, misaligned, already free) or a
 *     corrupted object returns KMM_OK with a report in the kernel's wording (a SLUB "BUG
 *     cache (...): reason" report, or a WARNING) and is not carried out; the machine goes on;
 *   - a kmem_cache_destroy() with objects left reports them, keeps the cache and returns
 *     KMM_OK, as the kernel does; the handle is gone, the objects can still be kfree'd.
 * Bad arguments (NULL outputs, unknown handles, unknown GFP bits, sizes the API cannot
 * express) are KMM_EINVAL with nothing changed.
 */
#ifndef KMM_SLAB_H
#define KMM_SLAB_H

#include <kmm/page.h>
#include <kmm/types.h>

#ifdef __cplusplus
extern "C" {
#endif

struct kmm_machine;

/* A cache made by kmm_kmem_cache_create (0 is never a valid handle). */
typedef uint64_t kmm_cache_t;
/* A mempool made by kmm_mempool_create_* (0 is never a valid handle). */
typedef uint64_t kmm_mempool_t;

/* Cache flags: the kernel's SLAB_* names and values (include/linux/slab.h, 6.1). */
#define KMM_SLAB_CONSISTENCY_CHECKS 0x00000100u
#define KMM_SLAB_RED_ZONE	    0x00000400u
#define KMM_SLAB_POISON		    0x00000800u
#define KMM_SLAB_HWCACHE_ALIGN	    0x00002000u
#define KMM_SLAB_CACHE_DMA	    0x00004000u
#define KMM_SLAB_CACHE_DMA32	    0x00008000u
#define KMM_SLAB_STORE_USER	    0x00010000u
#define KMM_SLAB_RECLAIM_ACCOUNT    0x00020000u
#define KMM_SLAB_PANIC		    0x00040000u
#define KMM_SLAB_TYPESAFE_BY_RCU    0x00080000u
#define KMM_SLAB_MEM_SPREAD	    0x00100000u
#define KMM_SLAB_TRACE		    0x00200000u
#define KMM_SLAB_NOLEAKTRACE	    0x00800000u
#define KMM_SLAB_ACCOUNT	    0x04000000u
#define KMM_SLAB_NO_USER_FLAGS	    0x10000000u

/*
 * A constructor, run on each object when its slab is made (the kernel's ctor). @mem is the
 * object's bytes in simulated RAM, valid during the call. It must not call into the machine.
 */
typedef void (*kmm_kmem_ctor_fn)(void *arg, kmm_va_t object, void *mem, size_t size);

/* ---- caches -------------------------------------------------------------------------- */

/*
 * kmem_cache_create(): a cache of @size-byte objects aligned to @align (0 or a power of
 * two). The kernel may merge it with a compatible cache (then /proc/slabinfo shows that
 * one). KMM_EINVAL: NULL/empty/blank-containing name, size 0 or above 4 MiB, align not a power
 * of two, flags the kernel refuses. KMM_ENOMEM: the kernel failed to create it.
 */
KMM_API enum kmm_status kmm_kmem_cache_create(struct kmm_machine *m, const char *name,
					      unsigned int size, unsigned int align, uint32_t flags,
					      kmm_kmem_ctor_fn ctor, void *ctor_arg,
					      kmm_cache_t *cache);
/* kmem_cache_destroy(). KMM_EINVAL if a mempool still uses the cache (nothing done). */
KMM_API enum kmm_status kmm_kmem_cache_destroy(struct kmm_machine *m, kmm_cache_t cache);
/* kmem_cache_shrink(): flush the CPU slabs, free empty slabs, sort the partial lists. */
KMM_API enum kmm_status kmm_kmem_cache_shrink(struct kmm_machine *m, kmm_cache_t cache);

KMM_API enum kmm_status kmm_kmem_cache_alloc(struct kmm_machine *m, kmm_cache_t cache,
					     kmm_gfp_t gfp, kmm_va_t *va);
/* kmem_cache_alloc_node(): @nid (-1: any). */
KMM_API enum kmm_status kmm_kmem_cache_alloc_node(struct kmm_machine *m, kmm_cache_t cache,
						  kmm_gfp_t gfp, int nid, kmm_va_t *va);
KMM_API enum kmm_status kmm_kmem_cache_free(struct kmm_machine *m, kmm_cache_t cache, kmm_va_t va);
/* kmem_cache_alloc_bulk(): all @nr objects or none (KMM_ENOMEM). */
KMM_API enum kmm_status kmm_kmem_cache_alloc_bulk(struct kmm_machine *m, kmm_cache_t cache,
						  kmm_gfp_t gfp, size_t nr, kmm_va_t *va);
/* kmem_cache_free_bulk(); with @cache 0, kfree_bulk() (each object to its own cache). */
KMM_API enum kmm_status kmm_kmem_cache_free_bulk(struct kmm_machine *m, kmm_cache_t cache,
						 size_t nr, const kmm_va_t *va);

/* What /sys/kernel/slab/<cache>/ says about a cache, plus its layout. */
struct kmm_slab_info {
	char name[64];
	unsigned object_size; /* object_size */
	unsigned size;	      /* slab_size: object + metadata, aligned */
	unsigned align;
	unsigned offset;       /* free pointer offset */
	unsigned inuse;	       /* offset of the metadata */
	unsigned red_left_pad; /* left red zone */
	unsigned order;	       /* preferred slab order */
	unsigned objects;      /* objs_per_slab at that order */
	unsigned min_order, min_objects;
	unsigned long min_partial;
	unsigned cpu_partial;	    /* objects */
	unsigned cpu_partial_slabs; /* the limit the kernel derives from it */
	uint32_t flags;		    /* SLAB_* (with the kernel's internal bits) */
	int refcount;		    /* 1 + merged aliases; -1 for unmergeable kmalloc caches */
	unsigned long slabs, objs, active_objs; /* as /proc/slabinfo counts them */
	unsigned long partial_slabs;		/* on the node partial lists */
	unsigned long cpu_slabs;		/* CPU slabs and CPU partial slabs */
};

KMM_API enum kmm_status kmm_kmem_cache_info(struct kmm_machine *m, kmm_cache_t cache,
					    struct kmm_slab_info *info);
/* The same for any cache by its /proc/slabinfo name ("kmalloc-128"); KMM_ENOENT if none. */
KMM_API enum kmm_status kmm_slab_info(struct kmm_machine *m, const char *name,
				      struct kmm_slab_info *info);

/* ---- kmalloc --------------------------------------------------------------------------- */

/*
 * kmalloc(): up to 8 KiB from the kmalloc caches (kmalloc-, -cg- with __GFP_ACCOUNT, -rcl-
 * with __GFP_RECLAIMABLE, dma- with __GFP_DMA), larger from the page allocator.
 */
KMM_API enum kmm_status kmm_kmalloc(struct kmm_machine *m, size_t size, kmm_gfp_t gfp,
				    kmm_va_t *va);
KMM_API enum kmm_status kmm_kmalloc_node(struct kmm_machine *m, size_t size, kmm_gfp_t gfp, int nid,
					 kmm_va_t *va);
KMM_API enum kmm_status kmm_kzalloc(struct kmm_machine *m, size_t size, kmm_gfp_t gfp,
				    kmm_va_t *va);
/* kmalloc_array()/kcalloc(): KMM_ENOMEM when @n * @size overflows, as the kernel's NULL. */
KMM_API enum kmm_status kmm_kmalloc_array(struct kmm_machine *m, size_t n, size_t size,
					  kmm_gfp_t gfp, kmm_va_t *va);
KMM_API enum kmm_status kmm_kcalloc(struct kmm_machine *m, size_t n, size_t size, kmm_gfp_t gfp,
				    kmm_va_t *va);
/* krealloc(): *@out may equal @va; @new_size 0 frees and gives ZERO_SIZE_PTR. */
KMM_API enum kmm_status kmm_krealloc(struct kmm_machine *m, kmm_va_t va, size_t new_size,
				     kmm_gfp_t gfp, kmm_va_t *out);
KMM_API enum kmm_status kmm_kfree(struct kmm_machine *m, kmm_va_t va);
/* ksize(): the usable size of an allocation (0 with a warning for a non-allocation). */
KMM_API enum kmm_status kmm_ksize(struct kmm_machine *m, kmm_va_t va, size_t *size);

/* ---- mempools -------------------------------------------------------------------------- */

/* mempool_create_slab_pool(): @min_nr objects of @cache kept in reserve. */
KMM_API enum kmm_status kmm_mempool_create_slab(struct kmm_machine *m, int min_nr,
						kmm_cache_t cache, kmm_mempool_t *pool);
/* mempool_create_kmalloc_pool(): kmalloc(@size) elements. */
KMM_API enum kmm_status kmm_mempool_create_kmalloc(struct kmm_machine *m, int min_nr, size_t size,
						   kmm_mempool_t *pool);
/* mempool_create_page_pool(): 2^@order-page elements, named by their linear-map address. */
KMM_API enum kmm_status kmm_mempool_create_page(struct kmm_machine *m, int min_nr, unsigned order,
						kmm_mempool_t *pool);
/*
 * mempool_alloc(): from the pool's allocator, else from the reserve. KMM_ENOMEM when both
 * are empty (where the kernel would sleep for a free: the model has no one to wait for).
 */
KMM_API enum kmm_status kmm_mempool_alloc(struct kmm_machine *m, kmm_mempool_t pool, kmm_gfp_t gfp,
					  kmm_va_t *va);
/* mempool_free(): refills the reserve first. */
KMM_API enum kmm_status kmm_mempool_free(struct kmm_machine *m, kmm_mempool_t pool, kmm_va_t va);
KMM_API enum kmm_status kmm_mempool_resize(struct kmm_machine *m, kmm_mempool_t pool,
					   int new_min_nr);
KMM_API enum kmm_status kmm_mempool_destroy(struct kmm_machine *m, kmm_mempool_t pool);
/* The reserve's size and fill. */
KMM_API enum kmm_status kmm_mempool_info(struct kmm_machine *m, kmm_mempool_t pool, int *min_nr,
					 int *curr_nr);

#ifdef __cplusplus
}
#endif

#endif /* KMM_SLAB_H */
