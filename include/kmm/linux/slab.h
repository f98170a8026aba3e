/*
 * libkmm compat: SLUB by the kernel's names (include/linux/slab.h) over the machine bound to
 * this thread. Objects are host pointers into simulated RAM: read and write them as kernel
 * code does; kfree() and kmem_cache_free() take them back. NULL on failure; kmalloc(0) is
 * ZERO_SIZE_PTR, which kfree ignores.
 */
#ifndef KMM_LINUX_SLAB_H
#define KMM_LINUX_SLAB_H

#include <kmm/linux/compat.h>
#include <kmm/linux/gfp.h>

#ifdef __cplusplus
extern "C" {
#endif

#define SLAB_CONSISTENCY_CHECKS KMM_SLAB_CONSISTENCY_CHECKS
#define SLAB_RED_ZONE		KMM_SLAB_RED_ZONE
#define SLAB_POISON		KMM_SLAB_POISON
#define SLAB_HWCACHE_ALIGN	KMM_SLAB_HWCACHE_ALIGN
#define SLAB_CACHE_DMA		KMM_SLAB_CACHE_DMA
#define SLAB_CACHE_DMA32	KMM_SLAB_CACHE_DMA32
#define SLAB_STORE_USER		KMM_SLAB_STORE_USER
#define SLAB_RECLAIM_ACCOUNT	KMM_SLAB_RECLAIM_ACCOUNT
#define SLAB_PANIC		KMM_SLAB_PANIC
#define SLAB_TYPESAFE_BY_RCU	KMM_SLAB_TYPESAFE_BY_RCU
#define SLAB_ACCOUNT		KMM_SLAB_ACCOUNT

#define ZERO_SIZE_PTR	    ((void *)16)
#define ZERO_OR_NULL_PTR(x) ((uintptr_t)(x) <= (uintptr_t)ZERO_SIZE_PTR)

/* A cache: its kmm_cache_t handle carried in the pointer (never dereference). */
struct kmem_cache;

/* The host pointer to the slab object (or kmalloc block) at @va; ZERO_SIZE_PTR stays. */
static inline void *kmm_linux_obj(const struct kmm_linux_current *c, kmm_va_t va)
{
	size_t size = 0;

	if (va == (kmm_va_t)(uintptr_t)ZERO_SIZE_PTR)
		return ZERO_SIZE_PTR;
	kmm_ksize(c->machine, va, &size);
	return kmm_linux_va_to_host(c, va, size);
}

/* The VA of object @p for @fn, 16 for ZERO_SIZE_PTR, 0 when it is not one (recorded). */
static inline kmm_va_t kmm_linux_obj_va(const struct kmm_linux_current *c, const char *fn,
					const void *p)
{
	if (p == ZERO_SIZE_PTR)
		return (kmm_va_t)(uintptr_t)ZERO_SIZE_PTR;
	return kmm_linux_host_to_va(c, fn, p);
}

static inline void *kmalloc_node(size_t size, gfp_t flags, int node)
{
	const struct kmm_linux_current *c = kmm_linux_current("kmalloc", false);
	kmm_va_t va;

	if (!c || kmm_kmalloc_node(c->machine, size, flags, node, &va) != KMM_OK)
		return NULL;
	return kmm_linux_obj(c, va);
}

static inline void *kmalloc(size_t size, gfp_t flags)
{
	return kmalloc_node(size, flags, -1);
}

static inline void *kzalloc(size_t size, gfp_t flags)
{
	return kmalloc_node(size, flags | __GFP_ZERO, -1);
}

static inline void *kzalloc_node(size_t size, gfp_t flags, int node)
{
	return kmalloc_node(size, flags | __GFP_ZERO, node);
}

/* kmalloc_array(), kcalloc(): NULL when @n * @size overflows. */
static inline void *kmalloc_array(size_t n, size_t size, gfp_t flags)
{
	const struct kmm_linux_current *c = kmm_linux_current("kmalloc_array", false);
	kmm_va_t va;

	if (!c || kmm_kmalloc_array(c->machine, n, size, flags, &va) != KMM_OK)
		return NULL;
	return kmm_linux_obj(c, va);
}

static inline void *kcalloc(size_t n, size_t size, gfp_t flags)
{
	return kmalloc_array(n, size, flags | __GFP_ZERO);
}

static inline void kfree(const void *objp)
{
	const struct kmm_linux_current *c;
	kmm_va_t va;

	if (ZERO_OR_NULL_PTR(objp) || !(c = kmm_linux_current("kfree", false)))
		return;
	if ((va = kmm_linux_host_to_va(c, "kfree", objp)))
		kmm_kfree(c->machine, va);
}

/* krealloc(): the new block (maybe @p), or NULL with @p left as it was. */
static inline void *krealloc(const void *p, size_t new_size, gfp_t flags)
{
	const struct kmm_linux_current *c = kmm_linux_current("krealloc", false);
	kmm_va_t va = 0, out;

	if (!c)
		return NULL;
	if (p && !(va = kmm_linux_obj_va(c, "krealloc", p)))
		return NULL;
	if (kmm_krealloc(c->machine, va, new_size, flags, &out) != KMM_OK)
		return NULL;
	return kmm_linux_obj(c, out);
}

static inline size_t ksize(const void *objp)
{
	const struct kmm_linux_current *c = kmm_linux_current("ksize", false);
	kmm_va_t va;
	size_t size = 0;

	if (ZERO_OR_NULL_PTR(objp) || !c || !(va = kmm_linux_host_to_va(c, "ksize", objp)))
		return 0;
	kmm_ksize(c->machine, va, &size);
	return size;
}

/* ---- caches ---------------------------------------------------------------------------- */

union kmm_linux_ctor {
	void (*fn)(void *);
	void *arg;
};

/* Runs the kernel-style constructor (void (*)(void *)) carried in @arg on the object. */
static inline void kmm_linux_ctor_call(void *arg, kmm_va_t object, void *mem, size_t size)
{
	union kmm_linux_ctor u = {.arg = arg};

	(void)object;
	(void)size;
	u.fn(mem);
}

static inline struct kmem_cache *kmem_cache_create(const char *name, unsigned int size,
						   unsigned int align, unsigned int flags,
						   void (*ctor)(void *))
{
	const struct kmm_linux_current *c = kmm_linux_current("kmem_cache_create", false);
	union kmm_linux_ctor u = {.fn = ctor};
	kmm_cache_t cache;

	if (!c || kmm_kmem_cache_create(c->machine, name, size, align, flags,
					ctor ? kmm_linux_ctor_call : NULL, ctor ? u.arg : NULL,
					&cache) != KMM_OK)
		return NULL;
	return (struct kmem_cache *)(uintptr_t)cache;
}

#define KMEM_CACHE(__struct, __flags)                                                              \
	kmem_cache_create(#__struct, sizeof(struct __struct), _Alignof(struct __struct),           \
			  (__flags), NULL)

static inline void kmem_cache_destroy(struct kmem_cache *s)
{
	const struct kmm_linux_current *c = kmm_linux_current("kmem_cache_destroy", false);

	if (c && s)
		kmm_kmem_cache_destroy(c->machine, (kmm_cache_t)(uintptr_t)s);
}

/* kmem_cache_shrink(): 0 (or -EINVAL without a binding or for a bad cache). */
static inline int kmem_cache_shrink(struct kmem_cache *s)
{
	const struct kmm_linux_current *c = kmm_linux_current("kmem_cache_shrink", false);

	if (!c)
		return -EINVAL;
	return kmm_linux_errno(kmm_kmem_cache_shrink(c->machine, (kmm_cache_t)(uintptr_t)s));
}

static inline void *kmem_cache_alloc_node(struct kmem_cache *s, gfp_t flags, int node)
{
	const struct kmm_linux_current *c = kmm_linux_current("kmem_cache_alloc", false);
	kmm_va_t va;

	if (!c || kmm_kmem_cache_alloc_node(c->machine, (kmm_cache_t)(uintptr_t)s, flags, node,
					    &va) != KMM_OK)
		return NULL;
	return kmm_linux_obj(c, va);
}

static inline void *kmem_cache_alloc(struct kmem_cache *s, gfp_t flags)
{
	return kmem_cache_alloc_node(s, flags, -1);
}

static inline void *kmem_cache_zalloc(struct kmem_cache *s, gfp_t flags)
{
	return kmem_cache_alloc_node(s, flags | __GFP_ZERO, -1);
}

static inline void kmem_cache_free(struct kmem_cache *s, void *objp)
{
	const struct kmm_linux_current *c = kmm_linux_current("kmem_cache_free", false);
	kmm_va_t va;

	if (c && objp && (va = kmm_linux_host_to_va(c, "kmem_cache_free", objp)))
		kmm_kmem_cache_free(c->machine, (kmm_cache_t)(uintptr_t)s, va);
}

#ifdef __cplusplus
}
#endif

#endif /* KMM_LINUX_SLAB_H */
