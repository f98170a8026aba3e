/*
 * Memory pools: a reserve of preallocated elements that an allocation falls back to when
 * the pool's own allocator fails, refilled first when elements are freed.
 *
 * The pool's reserve is an array of element addresses in kmalloc'ed memory, as in the
 * kernel; the mempool_t itself is host memory (it holds the host's allocator callbacks), with
 * its kzalloc'ed object allocated alongside, as for the slab descriptors.
 *
 * Models: mm/mempool.c (Linux 6.1): mempool_init_node, mempool_create_node, mempool_destroy,
 *         mempool_resize, mempool_alloc, mempool_free, and the slab, kmalloc and page pools.
 * Left out: KASAN poisoning of reserved elements; the wait queue.
 * Deviation: when both the allocator and the reserve come up empty, the kernel sleeps until
 *         another task frees an element (or 5 s pass) and tries again, for ever. The model
 *         has no other task: it lets the 5 s pass on the simulated clock, tries once more
 *         and then returns NULL.
 *
 * The pool keeps 0 <= curr_nr <= min_nr, elements[0 .. curr_nr) being live elements of the
 * pool's allocator; the elements count as allocated objects (or pages) in kmm_check.
 */
#include "mm/slab.h"

#include <errno.h>
#include <string.h>

#define MEMPOOL_T_SIZE 72 /* sizeof(mempool_t) in the reference kernel */

static void add_element(mempool_t *pool, uint64_t element)
{
	pool->elements[pool->curr_nr++] = element;
}

static uint64_t remove_element(mempool_t *pool)
{
	return pool->elements[--pool->curr_nr];
}

/* Models: mm/mempool.c:mempool_exit(). */
static void mempool_exit(struct kmm_kernel *k, mempool_t *pool)
{
	while (pool->curr_nr)
		pool->free(k, remove_element(pool), pool->pool_data);
	kfree(k, pool->elements_va);
	pool->elements = NULL;
	pool->elements_va = 0;
}

/* Models: mm/mempool.c:mempool_init_node(): the array, then min_nr elements. */
static int mempool_init_node(struct kmm_kernel *k, mempool_t *pool, int min_nr,
			     mempool_alloc_t alloc_fn, mempool_free_t free_fn, void *pool_data,
			     gfp_t gfp_mask, int node_id)
{
	pool->min_nr = min_nr;
	pool->pool_data = pool_data;
	pool->alloc = alloc_fn;
	pool->free = free_fn;
	pool->elements_va = __kmalloc_node(k, (size_t)min_nr * 8, gfp_mask, node_id);
	if (!pool->elements_va)
		return -ENOMEM;
	pool->elements =
		min_nr ? (uint64_t *)kmem_host(k, pool->elements_va, (size_t)min_nr * 8) : NULL;
	if (min_nr && !pool->elements)
		return -ENOMEM;
	while (pool->curr_nr < pool->min_nr) {
		uint64_t element = pool->alloc(k, gfp_mask, pool->pool_data);

		if (!element) {
			mempool_exit(k, pool);
			return -ENOMEM;
		}
		add_element(pool, element);
	}
	return 0;
}

mempool_t *mempool_create_node(struct kmm_kernel *k, int min_nr, mempool_alloc_t alloc_fn,
			       mempool_free_t free_fn, void *pool_data, gfp_t gfp_mask, int node_id)
{
	mempool_t *pool = env_alloc(k->env, sizeof(*pool));

	if (!pool)
		return NULL;
	pool->va = __kmalloc_node(k, MEMPOOL_T_SIZE, gfp_mask | __GFP_ZERO, node_id);
	if (!pool->va) {
		env_free(k->env, pool);
		return NULL;
	}
	if (mempool_init_node(k, pool, min_nr, alloc_fn, free_fn, pool_data, gfp_mask, node_id)) {
		kfree(k, pool->va);
		env_free(k->env, pool);
		return NULL;
	}
	return pool;
}

mempool_t *mempool_create(struct kmm_kernel *k, int min_nr, mempool_alloc_t alloc_fn,
			  mempool_free_t free_fn, void *pool_data)
{
	return mempool_create_node(k, min_nr, alloc_fn, free_fn, pool_data, GFP_KERNEL,
				   NUMA_NO_NODE);
}

void mempool_destroy(struct kmm_kernel *k, mempool_t *pool)
{
	if (!pool)
		return;
	mempool_exit(k, pool);
	kfree(k, pool->va);
	env_free(k->env, pool);
}

/*
 * Models: mm/mempool.c:mempool_resize(): shrinking frees reserve elements beyond the new
 * minimum; growing reallocates the array and tops the reserve up as far as the allocator
 * allows. Returns 0 or -ENOMEM (nothing changed).
 */
int mempool_resize(struct kmm_kernel *k, mempool_t *pool, int new_min_nr)
{
	uint64_t new_va;
	uint64_t *new_elements;

	if (new_min_nr <= pool->min_nr) {
		while (new_min_nr < pool->curr_nr)
			pool->free(k, remove_element(pool), pool->pool_data);
		pool->min_nr = new_min_nr;
		return 0;
	}
	new_va = kmalloc_array(k, (size_t)new_min_nr, 8, GFP_KERNEL);
	new_elements = new_va ? (uint64_t *)kmem_host(k, new_va, (size_t)new_min_nr * 8) : NULL;
	if (!new_elements)
		return -ENOMEM;
	if (pool->curr_nr) /* a pool made with min_nr 0 has no array yet */
		memcpy(new_elements, pool->elements, (size_t)pool->curr_nr * 8);
	kfree(k, pool->elements_va);
	pool->elements = new_elements;
	pool->elements_va = new_va;
	pool->min_nr = new_min_nr;
	while (pool->curr_nr < pool->min_nr) {
		uint64_t element = pool->alloc(k, GFP_KERNEL, pool->pool_data);

		if (!element)
			break;
		add_element(pool, element);
	}
	return 0;
}

/*
 * Models: mm/mempool.c:mempool_alloc(): the allocator first without direct reclaim or I/O,
 * then the reserve, then the allocator with the caller's full mask.
 */
uint64_t mempool_alloc(struct kmm_kernel *k, mempool_t *pool, gfp_t gfp_mask)
{
	gfp_t gfp_temp;
	uint64_t element;
	bool waited = false;

	gfp_mask |= __GFP_NOMEMALLOC | __GFP_NORETRY | __GFP_NOWARN;
	gfp_temp = gfp_mask & ~(__GFP_DIRECT_RECLAIM | __GFP_IO);
repeat_alloc:
	element = pool->alloc(k, gfp_temp, pool->pool_data);
	if (element)
		return element;
	if (pool->curr_nr)
		return remove_element(pool);
	if (gfp_temp != gfp_mask) {
		gfp_temp = gfp_mask;
		goto repeat_alloc;
	}
	if (!(gfp_mask & __GFP_DIRECT_RECLAIM) || waited)
		return 0;
	/* io_schedule_timeout(5 * HZ): the task sleeps; due background work runs meanwhile. */
	env_sleep(k->env, 5ull * k->env->cpu_mhz * 1000000ull);
	waited = true;
	goto repeat_alloc;
}

/* Models: mm/mempool.c:mempool_free(): back to the reserve while it is short. */
void mempool_free(struct kmm_kernel *k, uint64_t element, mempool_t *pool)
{
	if (!element)
		return;
	if (pool->curr_nr < pool->min_nr) {
		add_element(pool, element);
		return;
	}
	pool->free(k, element, pool->pool_data);
}

/* The standard pools (mm/mempool.c): @pool_data is the cache, the size, or the order. */
uint64_t mempool_alloc_slab(struct kmm_kernel *k, gfp_t gfp, void *pool_data)
{
	return kmem_cache_alloc(k, pool_data, gfp);
}

void mempool_free_slab(struct kmm_kernel *k, uint64_t element, void *pool_data)
{
	kmem_cache_free(k, pool_data, element);
}

uint64_t mempool_kmalloc(struct kmm_kernel *k, gfp_t gfp, void *pool_data)
{
	return __kmalloc(k, (size_t)(uintptr_t)pool_data, gfp);
}

void mempool_kfree(struct kmm_kernel *k, uint64_t element, void *pool_data)
{
	kfree(k, element);
}

uint64_t mempool_alloc_pages(struct kmm_kernel *k, gfp_t gfp, void *pool_data)
{
	struct page *page = alloc_pages(k, gfp, (unsigned int)(uintptr_t)pool_data);

	return page ? page_address(k, page) : 0;
}

void mempool_free_pages(struct kmm_kernel *k, uint64_t element, void *pool_data)
{
	__free_pages(k, virt_to_page(k, element), (unsigned int)(uintptr_t)pool_data);
}
