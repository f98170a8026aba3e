/*
 * Public slab API (include/kmm/slab.h): argument checks, handles, then the modelled kernel
 * calls in src/mm/slab_common.c, slub.c and mempool.c. Bad arguments are refused with
 * KMM_EINVAL before anything changes; misuse that needs kernel state to see (a bad or double
 * free, an object of another cache, a corrupted object) is left to the kernel's own checks,
 * which report it in the kernel's words.
 *
 * Caches and mempools are named by handles (struct api_handles in sim/machine.h), never by
 * host pointers, so a stale or made-up handle is an error, not a crash.
 */
#include <kmm/slab.h>

#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "mm/slab.h"
#include "sim/api_checks.h"
#include "sim/machine.h"

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

/* ---- handles --------------------------------------------------------------------------- */

static uint64_t handle_add(struct kmm_env *env, struct api_handles *h, void *obj)
{
	uint32_t slot;

	for (slot = 0; slot < h->nr && h->obj[slot]; slot++)
		;
	if (slot == h->nr) {
		if (h->nr == h->cap) {
			uint32_t cap = h->cap ? 2 * h->cap : 16;
			void **o = env_realloc(env, h->obj, cap * sizeof(*o));
			uint32_t *g;

			if (!o)
				return 0;
			h->obj = o;
			g = env_realloc(env, h->gen, cap * sizeof(*g));
			if (!g)
				return 0;
			h->gen = g;
			h->cap = cap;
		}
		h->gen[h->nr++] = 1;
	}
	h->obj[slot] = obj;
	return (uint64_t)h->gen[slot] << 32 | (slot + 1);
}

static void *handle_get(const struct api_handles *h, uint64_t handle)
{
	uint32_t slot = (uint32_t)handle - 1, gen = (uint32_t)(handle >> 32);

	if (!(uint32_t)handle || slot >= h->nr || h->gen[slot] != gen)
		return NULL;
	return h->obj[slot];
}

static void handle_del(struct api_handles *h, uint64_t handle)
{
	uint32_t slot = (uint32_t)handle - 1;

	h->obj[slot] = NULL;
	h->gen[slot]++;
}

/* ---- kernel calls -------------------------------------------------------------------- */

/*
 * Every call into the kernel goes through slab_kernel_call(), which arms the BUG unwind: a
 * BUG inside makes it return KMM_EBUG. Arguments in, results out, through the struct (no
 * local of the API function is live across the setjmp).
 */
enum slab_op {
	SO_CACHE_CREATE,
	SO_CACHE_DESTROY,
	SO_CACHE_SHRINK,
	SO_CACHE_ALLOC,
	SO_CACHE_FREE,
	SO_ALLOC_BULK,
	SO_FREE_BULK,
	SO_KMALLOC,
	SO_KREALLOC,
	SO_KFREE,
	SO_KSIZE,
	SO_POOL_CREATE,
	SO_POOL_ALLOC,
	SO_POOL_FREE,
	SO_POOL_RESIZE,
	SO_POOL_DESTROY,
};

struct slab_call {
	enum slab_op op;
	struct kmem_cache *s;
	const char *name;
	unsigned int size, align;
	uint32_t flags;
	kmem_ctor_t ctor;
	void *ctor_arg;
	gfp_t gfp;
	int nid, min_nr;
	size_t n;
	uint64_t va, *array;
	mempool_t *pool;
	mempool_alloc_t alloc_fn;
	mempool_free_t free_fn;
	void *pool_data;
	/* results */
	struct kmem_cache *cache;
	uint64_t obj;
	size_t ret_size;
	int ret;
};

static void slab_call_run(struct kmm_kernel *k, void *arg)
{
	struct slab_call *c = arg;

	switch (c->op) {
	case SO_CACHE_CREATE:
		c->cache = kmem_cache_create(k, c->name, c->size, c->align, c->flags, c->ctor,
					     c->ctor_arg);
		break;
	case SO_CACHE_DESTROY:
		kmem_cache_destroy(k, c->s);
		break;
	case SO_CACHE_SHRINK:
		kmem_cache_shrink(k, c->s);
		break;
	case SO_CACHE_ALLOC:
		c->obj = kmem_cache_alloc_node(k, c->s, c->gfp, c->nid);
		break;
	case SO_CACHE_FREE:
		kmem_cache_free(k, c->s, c->va);
		break;
	case SO_ALLOC_BULK:
		c->ret = kmem_cache_alloc_bulk(k, c->s, c->gfp, c->n, c->array);
		break;
	case SO_FREE_BULK:
		kmem_cache_free_bulk(k, c->s, c->n, c->array);
		break;
	case SO_KMALLOC:
		c->obj = __kmalloc_node_track_caller(k, c->n, c->gfp, c->nid, _RET_IP_(kmm_api));
		break;
	case SO_KREALLOC:
		c->obj = krealloc(k, c->va, c->n, c->gfp);
		break;
	case SO_KFREE:
		kfree_caller(k, c->va, _RET_IP_(kmm_api));
		break;
	case SO_KSIZE:
		c->ret_size = ksize(k, c->va);
		break;
	case SO_POOL_CREATE:
		c->pool = mempool_create(k, c->min_nr, c->alloc_fn, c->free_fn, c->pool_data);
		break;
	case SO_POOL_ALLOC:
		c->obj = mempool_alloc(k, c->pool, c->gfp);
		break;
	case SO_POOL_FREE:
		mempool_free(k, c->va, c->pool);
		break;
	case SO_POOL_RESIZE:
		c->ret = mempool_resize(k, c->pool, c->min_nr);
		break;
	case SO_POOL_DESTROY:
		mempool_destroy(k, c->pool);
		break;
	}
}

static enum kmm_status slab_kernel_call(struct kmm_machine *m, struct slab_call *c)
{
	return api_kernel_call(&m->kernel, slab_call_run, c);
}

/* ---- checks ---------------------------------------------------------------------------- */

static enum kmm_status api_kernel(struct kmm_machine *m, const char *fn, struct kmm_kernel **k)
{
	if (!m)
		return kmm_error_nomachine(KMM_EINVAL, "%s: NULL machine", fn);
	if (m->env.dead)
		return env_error(&m->env, KMM_EDEAD, "%s: machine is dead: only inspect or destroy",
				 fn);
	if (!m->kernel.booted || m->kernel.kmem.slab_state < UP)
		return env_error(&m->env, KMM_EINVAL, "%s: the machine has no slab allocator", fn);
	*k = &m->kernel;
	return KMM_OK;
}

static enum kmm_status get_cache(struct kmm_machine *m, const char *fn, kmm_cache_t cache,
				 struct kmm_kernel **k, struct kmem_cache **s)
{
	enum kmm_status st = api_kernel(m, fn, k);

	if (st)
		return st;
	*s = handle_get(&m->caches, cache);
	if (!*s)
		return env_error(&m->env, KMM_EINVAL, "%s: no cache with handle %#llx", fn,
				 (unsigned long long)cache);
	return KMM_OK;
}

/* ---- caches ---------------------------------------------------------------------------- */

enum kmm_status kmm_kmem_cache_create(struct kmm_machine *m, const char *name, unsigned int size,
				      unsigned int align, uint32_t flags, kmm_kmem_ctor_fn ctor,
				      void *ctor_arg, kmm_cache_t *cache)
{
	const char *fn = "kmm_kmem_cache_create";
	struct kmm_kernel *k = NULL;
	struct kmem_cache *s = NULL;
	enum kmm_status st = api_kernel(m, fn, &k);

	if (st)
		return st;
	if (!cache || !name || !*name || strlen(name) >= 64)
		return env_error(k->env, KMM_EINVAL, "%s: a name of 1 to 63 characters is needed",
				 fn);
	for (const char *p = name; *p; p++)
		if (isspace((unsigned char)*p) || !isprint((unsigned char)*p))
			return env_error(k->env, KMM_EINVAL,
					 "%s: name \"%s\" has a blank or unprintable character "
					 "(it confuses /proc/slabinfo parsers)",
					 fn, name);
	if (!size || size > KMALLOC_MAX_SIZE)
		return env_error(k->env, KMM_EINVAL, "%s: size %u is not in 1..%lu", fn, size,
				 KMALLOC_MAX_SIZE);
	if (align & (align - 1))
		return env_error(k->env, KMM_EINVAL, "%s: align %u is not a power of two", fn,
				 align);
	if (flags & ~SLAB_FLAGS_PERMITTED)
		return env_error(k->env, KMM_EINVAL,
				 "%s: flags %#x are not allowed for kmem_cache_create", fn,
				 flags & ~SLAB_FLAGS_PERMITTED);
	{
		struct slab_call c = {.op = SO_CACHE_CREATE,
				      .name = name,
				      .size = size,
				      .align = align,
				      .flags = flags,
				      .ctor = (kmem_ctor_t)ctor,
				      .ctor_arg = ctor_arg};

		if ((st = slab_kernel_call(m, &c)))
			return st;
		s = c.cache;
	}
	if (!s)
		return env_error(k->env, KMM_ENOMEM, "%s(%s): the kernel could not create it", fn,
				 name);
	*cache = handle_add(k->env, &m->caches, s);
	if (!*cache) {
		struct slab_call c = {.op = SO_CACHE_DESTROY, .s = s};

		slab_kernel_call(m, &c);
		return env_error(k->env, KMM_EHOST, "%s: host memory exhausted", fn);
	}
	return KMM_OK;
}

static bool cache_pinned(const struct kmm_machine *m, kmm_cache_t cache)
{
	for (uint32_t i = 0; i < m->pools.nr; i++) {
		const struct api_mempool *p = m->pools.obj[i];

		if (p && p->cache == cache)
			return true;
	}
	return false;
}

enum kmm_status kmm_kmem_cache_destroy(struct kmm_machine *m, kmm_cache_t cache)
{
	const char *fn = "kmm_kmem_cache_destroy";
	struct kmm_kernel *k = NULL;
	struct kmem_cache *s = NULL;
	enum kmm_status st = get_cache(m, fn, cache, &k, &s);

	if (st)
		return st;
	if (cache_pinned(m, cache))
		return env_error(k->env, KMM_EINVAL, "%s: a mempool still uses cache %s", fn,
				 s->name);
	handle_del(&m->caches, cache);
	{
		struct slab_call c = {.op = SO_CACHE_DESTROY, .s = s};

		return slab_kernel_call(m, &c);
	}
}

enum kmm_status kmm_kmem_cache_shrink(struct kmm_machine *m, kmm_cache_t cache)
{
	struct kmm_kernel *k = NULL;
	struct kmem_cache *s = NULL;
	enum kmm_status st = get_cache(m, "kmm_kmem_cache_shrink", cache, &k, &s);

	if (st)
		return st;
	{
		struct slab_call c = {.op = SO_CACHE_SHRINK, .s = s};

		return slab_kernel_call(m, &c);
	}
}

static enum kmm_status cache_alloc(struct kmm_machine *m, const char *fn, kmm_cache_t cache,
				   kmm_gfp_t gfp, int nid, kmm_va_t *va)
{
	struct kmm_kernel *k = NULL;
	struct kmem_cache *s = NULL;
	uint64_t obj;
	enum kmm_status st = get_cache(m, fn, cache, &k, &s);

	if (st || (st = api_check_gfp(k, fn, gfp)) || (st = api_check_nid(k, fn, nid)))
		return st;
	if (!va)
		return env_error(k->env, KMM_EINVAL, "%s: NULL va", fn);
	{
		struct slab_call c = {.op = SO_CACHE_ALLOC, .s = s, .gfp = gfp, .nid = nid};

		if ((st = slab_kernel_call(m, &c)))
			return st;
		obj = c.obj;
	}
	if (!obj)
		return env_error(k->env, KMM_ENOMEM, "%s(%s): out of memory", fn, s->name);
	*va = obj;
	return KMM_OK;
}

enum kmm_status kmm_kmem_cache_alloc(struct kmm_machine *m, kmm_cache_t cache, kmm_gfp_t gfp,
				     kmm_va_t *va)
{
	return cache_alloc(m, "kmm_kmem_cache_alloc", cache, gfp, NUMA_NO_NODE, va);
}

enum kmm_status kmm_kmem_cache_alloc_node(struct kmm_machine *m, kmm_cache_t cache, kmm_gfp_t gfp,
					  int nid, kmm_va_t *va)
{
	return cache_alloc(m, "kmm_kmem_cache_alloc_node", cache, gfp, nid, va);
}

enum kmm_status kmm_kmem_cache_free(struct kmm_machine *m, kmm_cache_t cache, kmm_va_t va)
{
	struct kmm_kernel *k = NULL;
	struct kmem_cache *s = NULL;
	enum kmm_status st = get_cache(m, "kmm_kmem_cache_free", cache, &k, &s);

	if (st)
		return st;
	{
		struct slab_call c = {.op = SO_CACHE_FREE, .s = s, .va = va};

		return slab_kernel_call(m, &c);
	}
}

enum kmm_status kmm_kmem_cache_alloc_bulk(struct kmm_machine *m, kmm_cache_t cache, kmm_gfp_t gfp,
					  size_t nr, kmm_va_t *va)
{
	const char *fn = "kmm_kmem_cache_alloc_bulk";
	struct kmm_kernel *k = NULL;
	struct kmem_cache *s = NULL;
	int done;
	enum kmm_status st = get_cache(m, fn, cache, &k, &s);

	if (st || (st = api_check_gfp(k, fn, gfp)))
		return st;
	if (!va && nr)
		return env_error(k->env, KMM_EINVAL, "%s: NULL va", fn);
	if (!nr)
		return KMM_OK;
	if (nr > INT32_MAX)
		return env_error(k->env, KMM_EINVAL, "%s: %zu objects at once", fn, nr);
	{
		struct slab_call c = {
			.op = SO_ALLOC_BULK, .s = s, .gfp = gfp, .n = nr, .array = va};

		if ((st = slab_kernel_call(m, &c)))
			return st;
		done = c.ret;
	}
	if (!done)
		return env_error(k->env, KMM_ENOMEM, "%s(%s, %zu): out of memory", fn, s->name, nr);
	return KMM_OK;
}

enum kmm_status kmm_kmem_cache_free_bulk(struct kmm_machine *m, kmm_cache_t cache, size_t nr,
					 const kmm_va_t *va)
{
	const char *fn = "kmm_kmem_cache_free_bulk";
	struct kmm_kernel *k = NULL;
	struct kmem_cache *s = NULL;
	uint64_t *copy;
	enum kmm_status st = cache ? get_cache(m, fn, cache, &k, &s) : api_kernel(m, fn, &k);

	if (st)
		return st;
	if (!nr)
		return KMM_OK;
	if (!va || nr > SIZE_MAX / 8)
		return env_error(k->env, KMM_EINVAL, "%s: NULL va or too many objects", fn);
	copy = env_alloc(k->env, nr * sizeof(*copy)); /* the kernel reorders the array */
	if (!copy)
		return env_error(k->env, KMM_EHOST, "%s: host memory exhausted", fn);
	memcpy(copy, va, nr * sizeof(*copy));
	{
		struct slab_call c = {.op = SO_FREE_BULK, .s = s, .n = nr, .array = copy};

		st = slab_kernel_call(m, &c);
	}
	env_free(k->env, copy);
	return st;
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

enum kmm_status kmm_kmem_cache_info(struct kmm_machine *m, kmm_cache_t cache,
				    struct kmm_slab_info *info)
{
	struct kmm_kernel *k = NULL;
	struct kmem_cache *s = NULL;
	enum kmm_status st = get_cache(m, "kmm_kmem_cache_info", cache, &k, &s);

	if (st)
		return st;
	if (!info)
		return env_error(k->env, KMM_EINVAL, "kmm_kmem_cache_info: NULL info");
	fill_info(k, s, info);
	return KMM_OK;
}

enum kmm_status kmm_slab_info(struct kmm_machine *m, const char *name, struct kmm_slab_info *info)
{
	struct kmm_kernel *k = NULL;
	struct kmem_cache *s = NULL;
	enum kmm_status st = api_kernel(m, "kmm_slab_info", &k);

	if (st)
		return st;
	if (!name || !info)
		return env_error(k->env, KMM_EINVAL, "kmm_slab_info: NULL argument");
	s = kmem_cache_find(k, name);
	if (!s)
		return env_error(k->env, KMM_ENOENT, "kmm_slab_info: no cache named %s", name);
	fill_info(k, s, info);
	return KMM_OK;
}

/* ---- kmalloc ------------------------------------------------------------------------- */

static enum kmm_status kmalloc_common(struct kmm_machine *m, const char *fn, size_t n, size_t size,
				      kmm_gfp_t gfp, int nid, kmm_va_t *va)
{
	struct kmm_kernel *k = NULL;
	uint64_t obj;
	size_t bytes;
	enum kmm_status st = api_kernel(m, fn, &k);

	if (st || (st = api_check_gfp(k, fn, gfp)) || (st = api_check_nid(k, fn, nid)))
		return st;
	if (!va)
		return env_error(k->env, KMM_EINVAL, "%s: NULL va", fn);
	if (__builtin_mul_overflow(n, size, &bytes))
		return env_error(k->env, KMM_ENOMEM, "%s: %zu * %zu overflows (NULL)", fn, n, size);
	{
		struct slab_call c = {.op = SO_KMALLOC, .n = bytes, .gfp = gfp, .nid = nid};

		if ((st = slab_kernel_call(m, &c)))
			return st;
		obj = c.obj;
	}
	if (!obj)
		return env_error(k->env, KMM_ENOMEM, "%s(%zu): out of memory", fn, bytes);
	*va = obj;
	return KMM_OK;
}

enum kmm_status kmm_kmalloc(struct kmm_machine *m, size_t size, kmm_gfp_t gfp, kmm_va_t *va)
{
	return kmalloc_common(m, "kmm_kmalloc", 1, size, gfp, NUMA_NO_NODE, va);
}

enum kmm_status kmm_kmalloc_node(struct kmm_machine *m, size_t size, kmm_gfp_t gfp, int nid,
				 kmm_va_t *va)
{
	return kmalloc_common(m, "kmm_kmalloc_node", 1, size, gfp, nid, va);
}

enum kmm_status kmm_kzalloc(struct kmm_machine *m, size_t size, kmm_gfp_t gfp, kmm_va_t *va)
{
	return kmalloc_common(m, "kmm_kzalloc", 1, size, gfp | __GFP_ZERO, NUMA_NO_NODE, va);
}

enum kmm_status kmm_kmalloc_array(struct kmm_machine *m, size_t n, size_t size, kmm_gfp_t gfp,
				  kmm_va_t *va)
{
	return kmalloc_common(m, "kmm_kmalloc_array", n, size, gfp, NUMA_NO_NODE, va);
}

enum kmm_status kmm_kcalloc(struct kmm_machine *m, size_t n, size_t size, kmm_gfp_t gfp,
			    kmm_va_t *va)
{
	return kmalloc_common(m, "kmm_kcalloc", n, size, gfp | __GFP_ZERO, NUMA_NO_NODE, va);
}

enum kmm_status kmm_krealloc(struct kmm_machine *m, kmm_va_t va, size_t new_size, kmm_gfp_t gfp,
			     kmm_va_t *out)
{
	const char *fn = "kmm_krealloc";
	struct kmm_kernel *k = NULL;
	uint64_t obj;
	enum kmm_status st = api_kernel(m, fn, &k);

	if (st || (st = api_check_gfp(k, fn, gfp)))
		return st;
	if (!out)
		return env_error(k->env, KMM_EINVAL, "%s: NULL out", fn);
	{
		struct slab_call c = {.op = SO_KREALLOC, .va = va, .n = new_size, .gfp = gfp};

		if ((st = slab_kernel_call(m, &c)))
			return st;
		obj = c.obj;
	}
	if (!obj)
		return env_error(k->env, KMM_ENOMEM,
				 "%s(%zu): out of memory (the old object stays)", fn, new_size);
	*out = obj;
	return KMM_OK;
}

enum kmm_status kmm_kfree(struct kmm_machine *m, kmm_va_t va)
{
	struct kmm_kernel *k = NULL;
	enum kmm_status st = api_kernel(m, "kmm_kfree", &k);

	if (st)
		return st;
	{
		struct slab_call c = {.op = SO_KFREE, .va = va};

		return slab_kernel_call(m, &c);
	}
}

enum kmm_status kmm_ksize(struct kmm_machine *m, kmm_va_t va, size_t *size)
{
	struct kmm_kernel *k = NULL;
	enum kmm_status st = api_kernel(m, "kmm_ksize", &k);

	if (st)
		return st;
	if (!size)
		return env_error(k->env, KMM_EINVAL, "kmm_ksize: NULL size");
	{
		struct slab_call c = {.op = SO_KSIZE, .va = va};

		if ((st = slab_kernel_call(m, &c)))
			return st;
		*size = c.ret_size;
	}
	return KMM_OK;
}

enum kmm_status kmm_virt_to_phys(struct kmm_machine *m, kmm_va_t va, kmm_pa_t *pa)
{
	struct kmm_kernel *k = NULL;

	if (!m || !pa)
		return kmm_error_nomachine(KMM_EINVAL, "kmm_virt_to_phys: NULL argument");
	if (!m->kernel.booted)
		return env_error(&m->env, KMM_EINVAL, "kmm_virt_to_phys: no booted kernel");
	k = &m->kernel;
	if (!virt_to_page_safe(k, va))
		return env_error(k->env, KMM_EINVAL,
				 "kmm_virt_to_phys: %#llx is not a linear-map address of RAM",
				 (unsigned long long)va);
	*pa = __pa(k, va);
	return KMM_OK;
}

/* ---- mempools -------------------------------------------------------------------------- */

static enum kmm_status pool_create(struct kmm_machine *m, const char *fn, int min_nr,
				   mempool_alloc_t alloc_fn, mempool_free_t free_fn, void *data,
				   uint64_t cache, kmm_mempool_t *pool)
{
	struct kmm_kernel *k = &m->kernel;
	struct api_mempool *p = NULL;

	if (!pool)
		return env_error(k->env, KMM_EINVAL, "%s: NULL pool", fn);
	if (min_nr < 0 || min_nr > 1 << 20)
		return env_error(k->env, KMM_EINVAL, "%s: min_nr %d is not in 0..%d", fn, min_nr,
				 1 << 20);
	p = env_alloc(k->env, sizeof(*p));
	if (!p)
		return env_error(k->env, KMM_EHOST, "%s: host memory exhausted", fn);
	{
		struct slab_call c = {.op = SO_POOL_CREATE,
				      .min_nr = min_nr,
				      .alloc_fn = alloc_fn,
				      .free_fn = free_fn,
				      .pool_data = data};
		enum kmm_status st = slab_kernel_call(m, &c);

		if (st)
			return st;
		p->pool = c.pool;
	}
	if (!p->pool) {
		env_free(k->env, p);
		return env_error(k->env, KMM_ENOMEM, "%s: could not fill the reserve of %d", fn,
				 min_nr);
	}
	p->cache = cache;
	*pool = handle_add(k->env, &m->pools, p);
	if (!*pool) {
		struct slab_call c = {.op = SO_POOL_DESTROY, .pool = p->pool};

		slab_kernel_call(m, &c);
		env_free(k->env, p);
		return env_error(k->env, KMM_EHOST, "%s: host memory exhausted", fn);
	}
	return KMM_OK;
}

enum kmm_status kmm_mempool_create_slab(struct kmm_machine *m, int min_nr, kmm_cache_t cache,
					kmm_mempool_t *pool)
{
	struct kmm_kernel *k = NULL;
	struct kmem_cache *s = NULL;
	enum kmm_status st = get_cache(m, "kmm_mempool_create_slab", cache, &k, &s);

	if (st)
		return st;
	return pool_create(m, "kmm_mempool_create_slab", min_nr, mempool_alloc_slab,
			   mempool_free_slab, s, cache, pool);
}

enum kmm_status kmm_mempool_create_kmalloc(struct kmm_machine *m, int min_nr, size_t size,
					   kmm_mempool_t *pool)
{
	struct kmm_kernel *k = NULL;
	enum kmm_status st = api_kernel(m, "kmm_mempool_create_kmalloc", &k);

	if (st)
		return st;
	return pool_create(m, "kmm_mempool_create_kmalloc", min_nr, mempool_kmalloc, mempool_kfree,
			   (void *)(uintptr_t)size, 0, pool);
}

enum kmm_status kmm_mempool_create_page(struct kmm_machine *m, int min_nr, unsigned order,
					kmm_mempool_t *pool)
{
	struct kmm_kernel *k = NULL;
	enum kmm_status st = api_kernel(m, "kmm_mempool_create_page", &k);

	if (st)
		return st;
	if (order >= MAX_ORDER)
		return env_error(k->env, KMM_EINVAL, "kmm_mempool_create_page: order %u > %d",
				 order, MAX_ORDER - 1);
	return pool_create(m, "kmm_mempool_create_page", min_nr, mempool_alloc_pages,
			   mempool_free_pages, (void *)(uintptr_t)order, 0, pool);
}

static enum kmm_status get_pool(struct kmm_machine *m, const char *fn, kmm_mempool_t pool,
				struct kmm_kernel **k, struct api_mempool **p)
{
	enum kmm_status st = api_kernel(m, fn, k);

	if (st)
		return st;
	*p = handle_get(&m->pools, pool);
	if (!*p)
		return env_error(&m->env, KMM_EINVAL, "%s: no mempool with handle %#llx", fn,
				 (unsigned long long)pool);
	return KMM_OK;
}

enum kmm_status kmm_mempool_alloc(struct kmm_machine *m, kmm_mempool_t pool, kmm_gfp_t gfp,
				  kmm_va_t *va)
{
	const char *fn = "kmm_mempool_alloc";
	struct kmm_kernel *k = NULL;
	struct api_mempool *p = NULL;
	uint64_t obj;
	enum kmm_status st = get_pool(m, fn, pool, &k, &p);

	if (st || (st = api_check_gfp(k, fn, gfp)))
		return st;
	if (!va)
		return env_error(k->env, KMM_EINVAL, "%s: NULL va", fn);
	{
		struct slab_call c = {.op = SO_POOL_ALLOC, .pool = p->pool, .gfp = gfp};

		if ((st = slab_kernel_call(m, &c)))
			return st;
		obj = c.obj;
	}
	if (!obj)
		return env_error(k->env, KMM_ENOMEM, "%s: allocator and reserve are empty", fn);
	*va = obj;
	return KMM_OK;
}

enum kmm_status kmm_mempool_free(struct kmm_machine *m, kmm_mempool_t pool, kmm_va_t va)
{
	struct kmm_kernel *k = NULL;
	struct api_mempool *p = NULL;
	enum kmm_status st = get_pool(m, "kmm_mempool_free", pool, &k, &p);

	if (st)
		return st;
	{
		struct slab_call c = {.op = SO_POOL_FREE, .pool = p->pool, .va = va};

		return slab_kernel_call(m, &c);
	}
}

enum kmm_status kmm_mempool_resize(struct kmm_machine *m, kmm_mempool_t pool, int new_min_nr)
{
	struct kmm_kernel *k = NULL;
	struct api_mempool *p = NULL;
	int ret;
	enum kmm_status st = get_pool(m, "kmm_mempool_resize", pool, &k, &p);

	if (st)
		return st;
	if (new_min_nr < 1 || new_min_nr > 1 << 20)
		return env_error(k->env, KMM_EINVAL, "kmm_mempool_resize: new_min_nr %d",
				 new_min_nr);
	{
		struct slab_call c = {.op = SO_POOL_RESIZE, .pool = p->pool, .min_nr = new_min_nr};

		if ((st = slab_kernel_call(m, &c)))
			return st;
		ret = c.ret;
	}
	return ret ? env_error(k->env, KMM_ENOMEM, "kmm_mempool_resize: out of memory") : KMM_OK;
}

enum kmm_status kmm_mempool_destroy(struct kmm_machine *m, kmm_mempool_t pool)
{
	struct kmm_kernel *k = NULL;
	struct api_mempool *p = NULL;
	enum kmm_status st = get_pool(m, "kmm_mempool_destroy", pool, &k, &p);

	if (st)
		return st;
	handle_del(&m->pools, pool);
	{
		struct slab_call c = {.op = SO_POOL_DESTROY, .pool = p->pool};

		st = slab_kernel_call(m, &c);
	}
	env_free(k->env, p);
	return st;
}

enum kmm_status kmm_mempool_info(struct kmm_machine *m, kmm_mempool_t pool, int *min_nr,
				 int *curr_nr)
{
	struct kmm_kernel *k = NULL;
	struct api_mempool *p = NULL;
	enum kmm_status st = get_pool(m, "kmm_mempool_info", pool, &k, &p);

	if (st)
		return st;
	if (min_nr)
		*min_nr = p->pool->min_nr;
	if (curr_nr)
		*curr_nr = p->pool->curr_nr;
	return KMM_OK;
}
