/*
 * Public slab API (include/kmm/slab.h): argument checks, handles, then the modelled kernel
 * calls in src/mm/slab_common.c, slub.c and mempool.c, each call one body under the API
 * boundary (sim/api.h). Bad arguments are refused with
 * KMM_EINVAL before anything changes; misuse that needs kernel state to see (a bad or double
 * free, an object of another cache, a corrupted object) is left to the kernel's own checks,
 * which report it in the kernel's words.
 *
 * Caches and mempools are named by handles from the machine's handle table (sim/api.h), never
 * by host pointers, so a stale, made-up or wrong-kind handle is an error, not a crash.
 */
#include <kmm/slab.h>
#include <kmm/stats.h>

#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "mm/slab.h"
#include "sim/api.h"

_Static_assert(KMM_SLAB_CONSISTENCY_CHECKS == SLAB_CONSISTENCY_CHECKS &&
		       KMM_SLAB_RED_ZONE == SLAB_RED_ZONE && KMM_SLAB_POISON == SLAB_POISON &&
		       KMM_SLAB_HWCACHE_ALIGN == SLAB_HWCACHE_ALIGN &&
		       KMM_SLAB_CACHE_DMA == SLAB_CACHE_DMA &&
		       KMM_SLAB_CACHE_DMA32 == SLAB_CACHE_DMA32 &&
		       KMM_SLAB_STORE_USER == SLAB_STORE_USER &&
		       KMM_SLAB_RECLAIM_ACCOUNT == SLAB_RECLAIM_ACCOUNT &&
		       KMM_SLAB_PANIC == SLAB_PANIC &&
		       KMM_SLAB_TYPESAFE_BY_RCU == SLAB_TYPESAFE_BY_RCU &&
		       KMM_SLAB_MEM_SPREAD == SLAB_MEM_SPREAD && KMM_SLAB_TRACE == SLAB_TRACE &&
		       KMM_SLAB_NOLEAKTRACE == SLAB_NOLEAKTRACE &&
		       KMM_SLAB_ACCOUNT == SLAB_ACCOUNT &&
		       KMM_SLAB_NO_USER_FLAGS == SLAB_NO_USER_FLAGS,
	       "public SLAB flags differ from the kernel's");

/* A mempool and what it holds on to. */
struct api_mempool {
	mempool_t *pool;
	uint64_t cache; /* the cache handle a slab pool pins (0: none) */
};

static enum kmm_status api_cache(const struct api *a, kmm_cache_t cache, struct kmem_cache **s)
{
	*s = api_handle_get(a->m, API_HANDLE_CACHE, cache);
	if (!*s)
		return api_error(a, KMM_EINVAL, "no cache with handle %#llx",
				 (unsigned long long)cache);
	return KMM_OK;
}

static enum kmm_status api_pool(const struct api *a, kmm_mempool_t pool, struct api_mempool **p)
{
	*p = api_handle_get(a->m, API_HANDLE_MEMPOOL, pool);
	if (!*p)
		return api_error(a, KMM_EINVAL, "no mempool with handle %#llx",
				 (unsigned long long)pool);
	return KMM_OK;
}

/* ---- caches ---------------------------------------------------------------------------- */

API_BODY(kmem_cache_create, {
	const char *name;
	unsigned int size, align;
	uint32_t flags;
	kmm_kmem_ctor_fn ctor;
	void *ctor_arg;
	kmm_cache_t *cache;
})
{
	const char *name = p->name;
	struct kmem_cache *s;

	if (!p->cache || !name)
		return api_error(a, KMM_EINVAL, "NULL %s", !name ? "name" : "cache");
	if (!*name || strlen(name) >= 64)
		return api_error(a, KMM_EINVAL,
				 "name \"%.80s\": a name of 1 to 63 characters is needed", name);
	for (const char *c = name; *c; c++)
		if (isspace((unsigned char)*c) || !isprint((unsigned char)*c))
			return api_error(a, KMM_EINVAL,
					 "name \"%s\" has a blank or unprintable character "
					 "(it confuses /proc/slabinfo parsers)",
					 name);
	if (!p->size || p->size > KMALLOC_MAX_SIZE)
		return api_error(a, KMM_EINVAL, "size %u is not in 1..%lu", p->size,
				 KMALLOC_MAX_SIZE);
	if (p->align & (p->align - 1))
		return api_error(a, KMM_EINVAL, "align %u is not a power of two", p->align);
	if (p->flags & ~SLAB_FLAGS_PERMITTED)
		return api_error(a, KMM_EINVAL, "flags %#x are outside SLAB_FLAGS_PERMITTED",
				 p->flags & ~SLAB_FLAGS_PERMITTED);
	s = kmem_cache_create(a->k, name, p->size, p->align, p->flags, (kmem_ctor_t)p->ctor,
			      p->ctor_arg);
	if (!s)
		return env_error(a->env, KMM_ENOMEM, "%s(%s): the kernel could not create it",
				 a->fn, name);
	*p->cache = api_handle_add(a->m, API_HANDLE_CACHE, s);
	if (!*p->cache) {
		kmem_cache_destroy(a->k, s);
		return api_error(a, KMM_EHOST, "host memory exhausted");
	}
	return KMM_OK;
}

enum kmm_status kmm_kmem_cache_create(struct kmm_machine *m, const char *name, unsigned int size,
				      unsigned int align, uint32_t flags, kmm_kmem_ctor_fn ctor,
				      void *ctor_arg, kmm_cache_t *cache)
{
	return API_CALL(m, API_SLAB, kmem_cache_create, name, size, align, flags, ctor, ctor_arg,
			cache);
}

static bool pool_pins(void *obj, void *arg)
{
	return ((const struct api_mempool *)obj)->cache == *(const kmm_cache_t *)arg;
}

API_BODY(kmem_cache_destroy, { kmm_cache_t cache; })
{
	struct kmem_cache *s;
	enum kmm_status st = api_cache(a, p->cache, &s);

	if (st)
		return st;
	if (api_handle_find(a->m, API_HANDLE_MEMPOOL, pool_pins, (void *)&p->cache))
		return api_error(a, KMM_EINVAL, "a mempool still uses cache %s", s->name);
	api_handle_del(a->m, p->cache);
	kmem_cache_destroy(a->k, s);
	return KMM_OK;
}

enum kmm_status kmm_kmem_cache_destroy(struct kmm_machine *m, kmm_cache_t cache)
{
	return API_CALL(m, API_SLAB, kmem_cache_destroy, cache);
}

API_BODY(kmem_cache_shrink, { kmm_cache_t cache; })
{
	struct kmem_cache *s;
	enum kmm_status st = api_cache(a, p->cache, &s);

	if (!st)
		kmem_cache_shrink(a->k, s);
	return st;
}

enum kmm_status kmm_kmem_cache_shrink(struct kmm_machine *m, kmm_cache_t cache)
{
	return API_CALL(m, API_SLAB, kmem_cache_shrink, cache);
}

API_BODY(kmem_cache_alloc, {
	kmm_cache_t cache;
	kmm_gfp_t gfp;
	int nid;
	kmm_va_t *va;
})
{
	struct kmem_cache *s;
	uint64_t obj;
	enum kmm_status st = api_cache(a, p->cache, &s);

	if (st || (st = api_check_gfp(a, p->gfp)) || (st = api_check_nid(a, p->nid)))
		return st;
	if (!p->va)
		return api_error(a, KMM_EINVAL, "NULL va");
	obj = kmem_cache_alloc_node(a->k, s, p->gfp, p->nid);
	if (!obj)
		return env_error(a->env, KMM_ENOMEM, "%s(%s): out of memory", a->fn, s->name);
	*p->va = obj;
	return KMM_OK;
}

enum kmm_status kmm_kmem_cache_alloc(struct kmm_machine *m, kmm_cache_t cache, kmm_gfp_t gfp,
				     kmm_va_t *va)
{
	return API_CALL(m, API_SLAB, kmem_cache_alloc, cache, gfp, NUMA_NO_NODE, va);
}

enum kmm_status kmm_kmem_cache_alloc_node(struct kmm_machine *m, kmm_cache_t cache, kmm_gfp_t gfp,
					  int nid, kmm_va_t *va)
{
	return API_CALL(m, API_SLAB, kmem_cache_alloc, cache, gfp, nid, va);
}

API_BODY(kmem_cache_free, {
	kmm_cache_t cache;
	kmm_va_t va;
})
{
	struct kmem_cache *s;
	enum kmm_status st = api_cache(a, p->cache, &s);

	if (!st)
		kmem_cache_free(a->k, s, p->va);
	return st;
}

enum kmm_status kmm_kmem_cache_free(struct kmm_machine *m, kmm_cache_t cache, kmm_va_t va)
{
	return API_CALL(m, API_SLAB, kmem_cache_free, cache, va);
}

API_BODY(kmem_cache_alloc_bulk, {
	kmm_cache_t cache;
	kmm_gfp_t gfp;
	size_t nr;
	kmm_va_t *va;
})
{
	struct kmem_cache *s;
	enum kmm_status st = api_cache(a, p->cache, &s);

	if (st || (st = api_check_gfp(a, p->gfp)))
		return st;
	if (!p->va && p->nr)
		return api_error(a, KMM_EINVAL, "NULL va");
	if (!p->nr)
		return KMM_OK;
	if (p->nr > INT32_MAX)
		return api_error(a, KMM_EINVAL, "%zu objects at once", p->nr);
	if (!kmem_cache_alloc_bulk(a->k, s, p->gfp, p->nr, p->va))
		return env_error(a->env, KMM_ENOMEM, "%s(%s, %zu): out of memory", a->fn, s->name,
				 p->nr);
	return KMM_OK;
}

enum kmm_status kmm_kmem_cache_alloc_bulk(struct kmm_machine *m, kmm_cache_t cache, kmm_gfp_t gfp,
					  size_t nr, kmm_va_t *va)
{
	return API_CALL(m, API_SLAB, kmem_cache_alloc_bulk, cache, gfp, nr, va);
}

API_BODY(kmem_cache_free_bulk, {
	kmm_cache_t cache; /* 0: kfree_bulk */
	size_t nr;
	const kmm_va_t *va;
})
{
	struct kmem_cache *s = NULL;
	uint64_t *copy;
	enum kmm_status st = p->cache ? api_cache(a, p->cache, &s) : KMM_OK;

	if (st)
		return st;
	if (!p->nr)
		return KMM_OK;
	if (!p->va || p->nr > SIZE_MAX / 8)
		return api_error(a, KMM_EINVAL, "NULL va or too many objects");
	copy = env_alloc(a->env, p->nr * sizeof(*copy)); /* the kernel reorders the array */
	if (!copy)
		return api_error(a, KMM_EHOST, "host memory exhausted");
	memcpy(copy, p->va, p->nr * sizeof(*copy));
	kmem_cache_free_bulk(a->k, s, p->nr, copy);
	env_free(a->env, copy);
	return KMM_OK;
}

enum kmm_status kmm_kmem_cache_free_bulk(struct kmm_machine *m, kmm_cache_t cache, size_t nr,
					 const kmm_va_t *va)
{
	return API_CALL(m, API_SLAB, kmem_cache_free_bulk, cache, nr, va);
}

static void fill_info(const struct kmm_kernel *k, const struct kmem_cache *s,
		      struct kmm_slab_info *info)
{
	struct slabinfo si;

	memset(info, 0, sizeof(*info));
	snprintf(info->name, sizeof(info->name), "%s", s->name);
	info->object_size = s->object_size;
	info->size = s->size;
	info->align = s->align;
	info->offset = s->offset;
	info->inuse = s->inuse;
	info->red_left_pad = s->red_left_pad;
	info->order = oo_order(s->oo);
	info->objects = oo_objects(s->oo);
	info->min_order = oo_order(s->min);
	info->min_objects = oo_objects(s->min);
	info->min_partial = s->min_partial;
	info->cpu_partial = s->cpu_partial;
	info->cpu_partial_slabs = s->cpu_partial_slabs;
	info->flags = s->flags;
	info->refcount = s->refcount;
	get_slabinfo(k, s, &si);
	info->slabs = si.num_slabs;
	info->objs = si.num_objs;
	info->active_objs = si.active_objs;
	for (int nid = 0; nid < k->kmem.nr_node_ids; nid++)
		if (s->node[nid])
			info->partial_slabs += s->node[nid]->nr_partial;
	for (int cpu = 0; cpu < k->nr_cpus; cpu++) {
		const struct kmem_cache_cpu *c = &s->cpu_slab[cpu];

		info->cpu_slabs += c->slab != NULL;
		for (const struct slab *p = c->partial; p; p = p->next)
			info->cpu_slabs++;
	}
}

API_BODY(kmem_cache_info, {
	kmm_cache_t cache;
	struct kmm_slab_info *info;
})
{
	struct kmem_cache *s;
	enum kmm_status st = api_cache(a, p->cache, &s);

	if (st)
		return st;
	if (!p->info)
		return api_error(a, KMM_EINVAL, "NULL info");
	fill_info(a->k, s, p->info);
	return KMM_OK;
}

enum kmm_status kmm_kmem_cache_info(struct kmm_machine *m, kmm_cache_t cache,
				    struct kmm_slab_info *info)
{
	return API_CALL(m, API_SLAB, kmem_cache_info, cache, info);
}

API_BODY(slab_info, {
	const char *name;
	struct kmm_slab_info *info;
})
{
	struct kmem_cache *s;

	if (!p->name || !p->info)
		return api_error(a, KMM_EINVAL, "NULL %s", !p->name ? "name" : "info");
	s = kmem_cache_find(a->k, p->name);
	if (!s)
		return api_error(a, KMM_ENOENT, "no cache named %s", p->name);
	fill_info(a->k, s, p->info);
	return KMM_OK;
}

enum kmm_status kmm_slab_info(struct kmm_machine *m, const char *name, struct kmm_slab_info *info)
{
	return API_CALL(m, API_SLAB, slab_info, name, info);
}

/* ---- kmalloc ------------------------------------------------------------------------- */

API_BODY(kmalloc, {
	size_t n, size;
	kmm_gfp_t gfp;
	int nid;
	kmm_va_t *va;
})
{
	uint64_t obj;
	size_t bytes;
	enum kmm_status st;

	if ((st = api_check_gfp(a, p->gfp)) || (st = api_check_nid(a, p->nid)))
		return st;
	if (!p->va)
		return api_error(a, KMM_EINVAL, "NULL va");
	if (__builtin_mul_overflow(p->n, p->size, &bytes))
		return api_error(a, KMM_ENOMEM, "%zu * %zu overflows (NULL)", p->n, p->size);
	obj = __kmalloc_node_track_caller(a->k, bytes, p->gfp, p->nid, _RET_IP_(kmm_api));
	if (!obj)
		return env_error(a->env, KMM_ENOMEM, "%s(%zu): out of memory", a->fn, bytes);
	*p->va = obj;
	return KMM_OK;
}

enum kmm_status kmm_kmalloc(struct kmm_machine *m, size_t size, kmm_gfp_t gfp, kmm_va_t *va)
{
	return API_CALL(m, API_SLAB, kmalloc, 1, size, gfp, NUMA_NO_NODE, va);
}

enum kmm_status kmm_kmalloc_node(struct kmm_machine *m, size_t size, kmm_gfp_t gfp, int nid,
				 kmm_va_t *va)
{
	return API_CALL(m, API_SLAB, kmalloc, 1, size, gfp, nid, va);
}

enum kmm_status kmm_kzalloc(struct kmm_machine *m, size_t size, kmm_gfp_t gfp, kmm_va_t *va)
{
	return API_CALL(m, API_SLAB, kmalloc, 1, size, gfp | __GFP_ZERO, NUMA_NO_NODE, va);
}

enum kmm_status kmm_kmalloc_array(struct kmm_machine *m, size_t n, size_t size, kmm_gfp_t gfp,
				  kmm_va_t *va)
{
	return API_CALL(m, API_SLAB, kmalloc, n, size, gfp, NUMA_NO_NODE, va);
}

enum kmm_status kmm_kcalloc(struct kmm_machine *m, size_t n, size_t size, kmm_gfp_t gfp,
			    kmm_va_t *va)
{
	return API_CALL(m, API_SLAB, kmalloc, n, size, gfp | __GFP_ZERO, NUMA_NO_NODE, va);
}

API_BODY(krealloc, {
	kmm_va_t va;
	size_t new_size;
	kmm_gfp_t gfp;
	kmm_va_t *out;
})
{
	uint64_t obj;
	enum kmm_status st = api_check_gfp(a, p->gfp);

	if (st)
		return st;
	if (!p->out)
		return api_error(a, KMM_EINVAL, "NULL out");
	obj = krealloc(a->k, p->va, p->new_size, p->gfp);
	if (!obj)
		return env_error(a->env, KMM_ENOMEM,
				 "%s(%zu): out of memory (the old object stays)", a->fn,
				 p->new_size);
	*p->out = obj;
	return KMM_OK;
}

enum kmm_status kmm_krealloc(struct kmm_machine *m, kmm_va_t va, size_t new_size, kmm_gfp_t gfp,
			     kmm_va_t *out)
{
	return API_CALL(m, API_SLAB, krealloc, va, new_size, gfp, out);
}

API_BODY(kfree, { kmm_va_t va; })
{
	kfree_caller(a->k, p->va, _RET_IP_(kmm_api));
	return KMM_OK;
}

enum kmm_status kmm_kfree(struct kmm_machine *m, kmm_va_t va)
{
	return API_CALL(m, API_SLAB, kfree, va);
}

API_BODY(ksize, {
	kmm_va_t va;
	size_t *size;
})
{
	if (!p->size)
		return api_error(a, KMM_EINVAL, "NULL size");
	*p->size = ksize(a->k, p->va);
	return KMM_OK;
}

enum kmm_status kmm_ksize(struct kmm_machine *m, kmm_va_t va, size_t *size)
{
	return API_CALL(m, API_SLAB, ksize, va, size);
}

/* ---- mempools -------------------------------------------------------------------------- */

API_BODY(mempool_create, {
	int min_nr;
	mempool_alloc_t alloc_fn;
	mempool_free_t free_fn;
	void *data;
	kmm_cache_t cache; /* the cache a slab pool pins (0: none) */
	kmm_mempool_t *pool;
})
{
	struct api_mempool *mp;

	if (!p->pool)
		return api_error(a, KMM_EINVAL, "NULL pool");
	if (p->min_nr < 0 || p->min_nr > 1 << 20)
		return api_error(a, KMM_EINVAL, "min_nr %d is not in 0..%d", p->min_nr, 1 << 20);
	mp = env_alloc(a->env, sizeof(*mp));
	if (!mp)
		return api_error(a, KMM_EHOST, "host memory exhausted");
	mp->pool = mempool_create(a->k, p->min_nr, p->alloc_fn, p->free_fn, p->data);
	if (!mp->pool) {
		env_free(a->env, mp);
		return api_error(a, KMM_ENOMEM, "could not fill the reserve of %d", p->min_nr);
	}
	mp->cache = p->cache;
	*p->pool = api_handle_add(a->m, API_HANDLE_MEMPOOL, mp);
	if (!*p->pool) {
		mempool_destroy(a->k, mp->pool);
		env_free(a->env, mp);
		return api_error(a, KMM_EHOST, "host memory exhausted");
	}
	return KMM_OK;
}

API_BODY(mempool_create_slab, {
	int min_nr;
	kmm_cache_t cache;
	kmm_mempool_t *pool;
})
{
	struct kmem_cache *s;
	enum kmm_status st = api_cache(a, p->cache, &s);

	if (st)
		return st;
	return mempool_create_body(a, &(struct mempool_create_args){p->min_nr, mempool_alloc_slab,
								    mempool_free_slab, s, p->cache,
								    p->pool});
}

enum kmm_status kmm_mempool_create_slab(struct kmm_machine *m, int min_nr, kmm_cache_t cache,
					kmm_mempool_t *pool)
{
	return API_CALL(m, API_SLAB, mempool_create_slab, min_nr, cache, pool);
}

enum kmm_status kmm_mempool_create_kmalloc(struct kmm_machine *m, int min_nr, size_t size,
					   kmm_mempool_t *pool)
{
	return API_CALL(m, API_SLAB, mempool_create, min_nr, mempool_kmalloc, mempool_kfree,
			(void *)(uintptr_t)size, 0, pool);
}

API_BODY(mempool_create_page, {
	int min_nr;
	unsigned order;
	kmm_mempool_t *pool;
})
{
	if (p->order >= MAX_ORDER)
		return api_error(a, KMM_EINVAL, "order %u is above MAX_ORDER - 1 (%d)", p->order,
				 MAX_ORDER - 1);
	return mempool_create_body(
		a, &(struct mempool_create_args){p->min_nr, mempool_alloc_pages, mempool_free_pages,
						 (void *)(uintptr_t)p->order, 0, p->pool});
}

enum kmm_status kmm_mempool_create_page(struct kmm_machine *m, int min_nr, unsigned order,
					kmm_mempool_t *pool)
{
	return API_CALL(m, API_SLAB, mempool_create_page, min_nr, order, pool);
}

API_BODY(mempool_alloc, {
	kmm_mempool_t pool;
	kmm_gfp_t gfp;
	kmm_va_t *va;
})
{
	struct api_mempool *mp;
	uint64_t obj;
	enum kmm_status st = api_pool(a, p->pool, &mp);

	if (st || (st = api_check_gfp(a, p->gfp)))
		return st;
	if (!p->va)
		return api_error(a, KMM_EINVAL, "NULL va");
	obj = mempool_alloc(a->k, mp->pool, p->gfp);
	if (!obj)
		return api_error(a, KMM_ENOMEM, "allocator and reserve are empty");
	*p->va = obj;
	return KMM_OK;
}

enum kmm_status kmm_mempool_alloc(struct kmm_machine *m, kmm_mempool_t pool, kmm_gfp_t gfp,
				  kmm_va_t *va)
{
	return API_CALL(m, API_SLAB, mempool_alloc, pool, gfp, va);
}

API_BODY(mempool_free, {
	kmm_mempool_t pool;
	kmm_va_t va;
})
{
	struct api_mempool *mp;
	enum kmm_status st = api_pool(a, p->pool, &mp);

	if (!st)
		mempool_free(a->k, p->va, mp->pool);
	return st;
}

enum kmm_status kmm_mempool_free(struct kmm_machine *m, kmm_mempool_t pool, kmm_va_t va)
{
	return API_CALL(m, API_SLAB, mempool_free, pool, va);
}

API_BODY(mempool_resize, {
	kmm_mempool_t pool;
	int new_min_nr;
})
{
	struct api_mempool *mp;
	enum kmm_status st = api_pool(a, p->pool, &mp);

	if (st)
		return st;
	if (p->new_min_nr < 1 || p->new_min_nr > 1 << 20)
		return api_error(a, KMM_EINVAL,
				 "new_min_nr %d is outside 1..1048576 (mempool_resize)",
				 p->new_min_nr);
	if (mempool_resize(a->k, mp->pool, p->new_min_nr))
		return api_error(a, KMM_ENOMEM, "out of memory");
	return KMM_OK;
}

enum kmm_status kmm_mempool_resize(struct kmm_machine *m, kmm_mempool_t pool, int new_min_nr)
{
	return API_CALL(m, API_SLAB, mempool_resize, pool, new_min_nr);
}

API_BODY(mempool_destroy, { kmm_mempool_t pool; })
{
	struct api_mempool *mp;
	enum kmm_status st = api_pool(a, p->pool, &mp);

	if (st)
		return st;
	api_handle_del(a->m, p->pool);
	mempool_destroy(a->k, mp->pool);
	env_free(a->env, mp);
	return KMM_OK;
}

enum kmm_status kmm_mempool_destroy(struct kmm_machine *m, kmm_mempool_t pool)
{
	return API_CALL(m, API_SLAB, mempool_destroy, pool);
}

API_BODY(mempool_info, {
	kmm_mempool_t pool;
	int *min_nr, *curr_nr;
})
{
	struct api_mempool *mp;
	enum kmm_status st = api_pool(a, p->pool, &mp);

	if (st)
		return st;
	if (p->min_nr)
		*p->min_nr = mp->pool->min_nr;
	if (p->curr_nr)
		*p->curr_nr = mp->pool->curr_nr;
	return KMM_OK;
}

enum kmm_status kmm_mempool_info(struct kmm_machine *m, kmm_mempool_t pool, int *min_nr,
				 int *curr_nr)
{
	return API_CALL(m, API_SLAB, mempool_info, pool, min_nr, curr_nr);
}

/* ---- every cache (include/kmm/stats.h) ------------------------------------------------- */

API_BODY(stats_slab_caches, {
	void (*fn)(void *arg, const struct kmm_slab_info *info);
	void *arg;
})
{
	const struct list_head *head = &a->k->kmem.slab_caches;
	struct kmm_slab_info info;

	if (!p->fn)
		return api_error(a, KMM_EINVAL, "NULL callback");
	for (const struct list_head *pos = head->next; pos && pos != head; pos = pos->next) {
		fill_info(a->k, list_entry(pos, struct kmem_cache, list), &info);
		p->fn(p->arg, &info);
	}
	return KMM_OK;
}

enum kmm_status kmm_stats_slab_caches(struct kmm_machine *m,
				      void (*fn)(void *arg, const struct kmm_slab_info *info),
				      void *arg)
{
	return API_CALL(m, API_SLAB, stats_slab_caches, fn, arg);
}
