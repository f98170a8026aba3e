/*
 * The allocator-independent half of the slab layer: creating, merging, shrinking and
 * destroying caches; the kmalloc caches and their size classes; kmalloc, kfree, ksize,
 * krealloc and friends; large kmalloc straight from the page allocator; the random freelist
 * sequences; /proc/slabinfo; the kmem trace events.
 *
 * kmalloc size classes: kmalloc_caches[type][index], index = the power of two (3: 8 bytes ...
 * 13: 8 KiB), 1 for 96 and 2 for 192 bytes. Sizes up to 192 go through size_index[(size-1)/8],
 * larger ones through fls(size - 1). KMALLOC_MIN_SIZE (the machine's kmalloc_minalign, 128 as
 * arm64's ARCH_DMA_MINALIGN) removes the classes below it, and 96 (when >= 64) and 192 (when
 * >= 128), by pointing their size_index entries at the next class. Above 8 KiB, kmalloc takes
 * compound pages from the page allocator.
 *
 * Models: mm/slab_common.c (Linux 6.1), include/linux/slab.h.
 * Left out: usercopy regions (kept as fields only), memcg (kmalloc-cg-* exist and are
 *         separate caches, but nothing is charged), kasan/kmemleak/kfence hooks,
 *         kfree_rcu, kmem_dump_obj.
 * Deviation: kmem_cache_create() refuses a zero size and sizes above KMALLOC_MAX_SIZE (the
 *         checks CONFIG_DEBUG_VM makes); large kmalloc pages carry PG_owner_priv_1 while
 *         allocated, so kfree() of a page that is neither slab nor large kmalloc is reported
 *         and refused instead of handed to the page allocator.
 */
#include "mm/slab.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "lib/bug.h"
#include "lib/kernel.h"
#include "lib/sink.h"
#include "lib/trace.h"

#define KMM_FILE "mm/slab_common.c"

/* ---- trace events (include/trace/events/kmem.h) ---------------------------------------- */

static const char *trace_gfp(gfp_t gfp, char *buf, size_t len)
{
	return gfp ? format_gfp(gfp, buf, len) : "none";
}

void __trace_kmem_cache_alloc(struct kmm_kernel *k, unsigned long call_site, uint64_t ptr,
			      const struct kmem_cache *s, gfp_t gfp, int node)
{
	char site[96], flags[256];

	if (!trace_enabled(k->env, TRACE_kmem_cache_alloc))
		return;
	trace_emit(k->env, TRACE_kmem_cache_alloc,
		   "call_site=%s ptr=%016" PRIx64
		   " bytes_req=%u bytes_alloc=%u gfp_flags=%s node=%d accounted=%s",
		   call_site_name(call_site, site, sizeof(site)), ptr, s->object_size, s->size,
		   trace_gfp(gfp, flags, sizeof(flags)), node,
		   (gfp & __GFP_ACCOUNT) || (s->flags & SLAB_ACCOUNT) ? "true" : "false");
}

void __trace_kmalloc(struct kmm_kernel *k, unsigned long call_site, uint64_t ptr, size_t bytes_req,
		     size_t bytes_alloc, gfp_t gfp, int node)
{
	char site[96], flags[256];

	if (!trace_enabled(k->env, TRACE_kmalloc))
		return;
	trace_emit(k->env, TRACE_kmalloc,
		   "call_site=%s ptr=%016" PRIx64
		   " bytes_req=%zu bytes_alloc=%zu gfp_flags=%s node=%d accounted=%s",
		   call_site_name(call_site, site, sizeof(site)), ptr, bytes_req, bytes_alloc,
		   trace_gfp(gfp, flags, sizeof(flags)), node,
		   (gfp & __GFP_ACCOUNT) ? "true" : "false");
}

void __trace_kfree(struct kmm_kernel *k, unsigned long call_site, uint64_t ptr)
{
	char site[96];

	if (trace_enabled(k->env, TRACE_kfree))
		trace_emit(k->env, TRACE_kfree, "call_site=%s ptr=%016" PRIx64,
			   call_site_name(call_site, site, sizeof(site)), ptr);
}

void __trace_kmem_cache_free(struct kmm_kernel *k, unsigned long call_site, uint64_t ptr,
			     const struct kmem_cache *s)
{
	char site[96];

	if (trace_enabled(k->env, TRACE_kmem_cache_free))
		trace_emit(k->env, TRACE_kmem_cache_free, "call_site=%s ptr=%016" PRIx64 " name=%s",
			   call_site_name(call_site, site, sizeof(site)), ptr, s->name);
}

/* ---- creating and destroying caches --------------------------------------------------- */

/*
 * Models: mm/slab_common.c:calculate_alignment(): SLAB_HWCACHE_ALIGN aligns to the cache
 * line, halved while the object fits twice; never below ARCH_SLAB_MINALIGN, always a word.
 */
unsigned int calculate_alignment(const struct kmm_kernel *k, slab_flags_t flags, unsigned int align,
				 unsigned int size)
{
	if (flags & SLAB_HWCACHE_ALIGN) {
		unsigned int ralign = k->kmem.cache_line_size;

		while (size <= ralign / 2)
			ralign /= 2;
		align = max(align, ralign);
	}
	align = max(align, (unsigned int)ARCH_SLAB_MINALIGN);
	return (align + 7u) & ~7u;
}

/* Models: mm/slab_common.c:slab_unmergeable(). */
int slab_unmergeable(const struct kmm_kernel *k, const struct kmem_cache *s)
{
	if (k->kmem.slab_nomerge || (s->flags & SLAB_NEVER_MERGE))
		return 1;
	if (s->ctor || s->usersize)
		return 1;
	return s->refcount < 0; /* kept apart during boot */
}

/*
 * Models: mm/slab_common.c:find_mergeable(): the oldest cache whose objects can hold ours
 * with less than a word to spare, the same alignment, and the same DMA/reclaim/account kind.
 */
struct kmem_cache *find_mergeable(struct kmm_kernel *k, unsigned int size, unsigned int align,
				  slab_flags_t flags, const char *name, kmem_ctor_t ctor)
{
	struct list_head *pos;

	if (k->kmem.slab_nomerge || ctor)
		return NULL;
	size = (size + 7u) & ~7u;
	align = calculate_alignment(k, flags, align, size);
	size = ALIGN(size, align);
	flags = kmem_cache_flags(k, size, flags, name);
	if (flags & SLAB_NEVER_MERGE)
		return NULL;
	for (pos = k->kmem.slab_caches.prev; pos != &k->kmem.slab_caches; pos = pos->prev) {
		struct kmem_cache *s = list_entry(pos, struct kmem_cache, list);

		if (slab_unmergeable(k, s))
			continue;
		if (size > s->size)
			continue;
		if ((flags & SLAB_MERGE_SAME) != (s->flags & SLAB_MERGE_SAME))
			continue;
		if ((s->size & ~(align - 1)) != s->size)
			continue;
		if (s->size - size >= 8)
			continue;
		return s;
	}
	return NULL;
}

/* A new host descriptor with its object in cache kmem_cache (GFP as the caller's). */
static struct kmem_cache *kmem_cache_new(struct kmm_kernel *k, const char *name, gfp_t gfp)
{
	struct kmem_cache *s = env_alloc(k->env, sizeof(*s));

	if (!s)
		return NULL;
	s->name = env_strdup(k->env, name);
	s->va = s->name ? kmem_cache_zalloc(k, k->kmem.kmem_cache, gfp) : 0;
	if (!s->va) {
		env_free(k->env, (void *)s->name);
		env_free(k->env, s);
		return NULL;
	}
	return s;
}

static void kmem_cache_delete(struct kmm_kernel *k, struct kmem_cache *s)
{
	if (s->va)
		kmem_cache_free(k, k->kmem.kmem_cache, s->va);
	env_free(k->env, (void *)s->name);
	env_free(k->env, s);
}

/* Models: mm/slab_common.c:create_cache(). */
static struct kmem_cache *create_cache(struct kmm_kernel *k, const char *name,
				       unsigned int object_size, unsigned int align,
				       slab_flags_t flags, kmem_ctor_t ctor, void *ctor_arg,
				       int *errp)
{
	struct kmem_cache *s = kmem_cache_new(k, name, GFP_KERNEL);

	*errp = -ENOMEM;
	if (!s)
		return NULL;
	s->size = s->object_size = object_size;
	s->align = align;
	s->ctor = ctor;
	s->ctor_arg = ctor_arg;
	*errp = __kmem_cache_create(k, s, flags);
	if (*errp) {
		kmem_cache_delete(k, s);
		return NULL;
	}
	s->refcount = 1;
	list_add(&s->list, &k->kmem.slab_caches);
	return s;
}

/*
 * Models: mm/slab_common.c:kmem_cache_create_usercopy() without a usercopy region: an alias
 * of a compatible cache, or a new cache. NULL (with the kernel's warning) on failure.
 */
struct kmem_cache *kmem_cache_create(struct kmm_kernel *k, const char *name, unsigned int size,
				     unsigned int align, slab_flags_t flags, kmem_ctor_t ctor,
				     void *ctor_arg)
{
	struct kmem_cache *s = NULL;
	int err = 0;

	if (!name || !size || size > KMALLOC_MAX_SIZE) {
		env_printk(k->env, "kmem_cache_create(%s) integrity check failed\n",
			   name ? name : "(null)");
		err = -EINVAL;
	} else if (flags & ~SLAB_FLAGS_PERMITTED) {
		err = -EINVAL;
	} else {
		flags &= CACHE_CREATE_MASK;
		s = __kmem_cache_alias(k, name, size, align, flags, ctor);
		if (!s)
			s = create_cache(k, name, size, calculate_alignment(k, flags, align, size),
					 flags, ctor, ctor_arg, &err);
	}
	if (err) {
		if (flags & SLAB_PANIC)
			bug_report(k->env, KMM_REPORT_BUG,
				   BUG_SITE(0, "kmem_cache_create", "SLAB_PANIC"),
				   "Kernel panic - not syncing: kmem_cache_create_usercopy: Failed "
				   "to create slab '%s'. Error %d\n",
				   name ? name : "(null)", err);
		bug_report(k->env, KMM_REPORT_WARN, BUG_SITE(0, "kmem_cache_create", "err"),
			   "kmem_cache_create_usercopy(%s) failed with error %d\n",
			   name ? name : "(null)", err);
		return NULL;
	}
	return s;
}

/* Models: mm/slab_common.c:slab_kmem_cache_release(). */
static void slab_kmem_cache_release(struct kmm_kernel *k, struct kmem_cache *s)
{
	__kmem_cache_release(k, s);
	kmem_cache_delete(k, s);
}

/*
 * Models: mm/slab_common.c:kmem_cache_destroy(): drops one reference; the last shuts the
 * cache down. Objects still allocated are listed, the cache is kept (leaked) and the
 * kernel's WARN is raised.
 */
void kmem_cache_destroy(struct kmm_kernel *k, struct kmem_cache *s)
{
	char site[96];

	if (!s)
		return;
	s->refcount--;
	if (s->refcount)
		return;
	if (__kmem_cache_shutdown(k, s) != 0) {
		char msg[256];

		snprintf(msg, sizeof(msg),
			 "kmem_cache_destroy %s: Slab cache still has objects when called from %s",
			 s->name, call_site_name(_RET_IP_(kmem_cache_destroy), site, sizeof(site)));
		slab_warn(k, BUG_SITE(493, "kmem_cache_destroy", "__kmem_cache_shutdown(s) != 0"),
			  "kmem_cache_destroy", msg, NULL);
		return;
	}
	list_del(&s->list);
	slab_kmem_cache_release(k, s);
}

int kmem_cache_shrink(struct kmm_kernel *k, struct kmem_cache *s)
{
	return __kmem_cache_shrink(k, s);
}

struct kmem_cache *kmem_cache_find(const struct kmm_kernel *k, const char *name)
{
	const struct list_head *pos;

	if (!k->kmem.slab_caches.next)
		return NULL;
	for (pos = k->kmem.slab_caches.next; pos != &k->kmem.slab_caches; pos = pos->next) {
		struct kmem_cache *s = list_entry(pos, struct kmem_cache, list);

		if (strcmp(s->name, name) == 0)
			return s;
	}
	return NULL;
}

/* ---- boot-time and kmalloc caches ----------------------------------------------------- */

/*
 * Models: mm/slab_common.c:create_boot_cache(): power-of-two sizes are naturally aligned,
 * everything at least ARCH_KMALLOC_MINALIGN. Returns 0 or a negative errno (where the kernel
 * panics: boot then fails).
 */
int create_boot_cache(struct kmm_kernel *k, struct kmem_cache *s, const char *name,
		      unsigned int size, slab_flags_t flags, unsigned int useroffset,
		      unsigned int usersize)
{
	unsigned int align = k->kmem.arch_kmalloc_minalign;
	int err;

	if (!s->name)
		s->name = env_strdup(k->env, name);
	if (!s->name)
		return -ENOMEM;
	s->size = s->object_size = size;
	if (is_power_of_2(size))
		align = max(align, size);
	s->align = calculate_alignment(k, flags, align, size);
	s->useroffset = useroffset;
	s->usersize = usersize;
	err = __kmem_cache_create(k, s, flags);
	if (err) {
		env_printk(k->env,
			   "Kernel panic - not syncing: Creation of kmalloc slab %s size=%u "
			   "failed. Reason %d\n",
			   name, size, err);
		return err;
	}
	s->refcount = -1; /* exempt from merging for now */
	return 0;
}

/* Models: mm/slab_common.c:create_kmalloc_cache(). */
static struct kmem_cache *create_kmalloc_cache(struct kmm_kernel *k, const char *name,
					       unsigned int size, slab_flags_t flags,
					       unsigned int useroffset, unsigned int usersize)
{
	struct kmem_cache *s = kmem_cache_new(k, name, GFP_NOWAIT);

	if (!s)
		return NULL;
	if (create_boot_cache(k, s, name, size, flags | SLAB_KMALLOC, useroffset, usersize)) {
		kmem_cache_delete(k, s);
		return NULL;
	}
	list_add(&s->list, &k->kmem.slab_caches);
	s->refcount = 1;
	return s;
}

/* size / 8 -> kmalloc index for sizes up to 192 (mm/slab_common.c:size_index). */
static const uint8_t size_index_default[24] = {
	3, 4, 5, 5, 6, 6, 6, 6, /*   8 ..  64 */
	1, 1, 1, 1,		/*  72 ..  96 */
	7, 7, 7, 7,		/* 104 .. 128 */
	2, 2, 2, 2, 2, 2, 2, 2, /* 136 .. 192 */
};

static inline unsigned int size_index_elem(unsigned int bytes)
{
	return (bytes - 1) / 8;
}

#define KMALLOC_INFO(sz, short_sz)                                                                 \
	{                                                                                          \
		{"kmalloc-" #short_sz, "kmalloc-cg-" #short_sz, "kmalloc-rcl-" #short_sz,          \
		 "dma-kmalloc-" #short_sz},                                                        \
			sz                                                                         \
	}

/* Models: mm/slab_common.c:kmalloc_info[] up to KMALLOC_SHIFT_HIGH. */
static const struct {
	const char *name[NR_KMALLOC_TYPES];
	unsigned int size;
} kmalloc_info[KMALLOC_SHIFT_HIGH + 1] = {
	KMALLOC_INFO(0, 0),	KMALLOC_INFO(96, 96),	KMALLOC_INFO(192, 192),
	KMALLOC_INFO(8, 8),	KMALLOC_INFO(16, 16),	KMALLOC_INFO(32, 32),
	KMALLOC_INFO(64, 64),	KMALLOC_INFO(128, 128), KMALLOC_INFO(256, 256),
	KMALLOC_INFO(512, 512), KMALLOC_INFO(1024, 1k), KMALLOC_INFO(2048, 2k),
	KMALLOC_INFO(4096, 4k), KMALLOC_INFO(8192, 8k),
};

/* Models: mm/slab_common.c:setup_kmalloc_cache_index_table(). */
void setup_kmalloc_cache_index_table(struct kmm_kernel *k)
{
	unsigned int min = k->kmem.kmalloc_min_size;
	uint8_t *size_index = k->kmem.size_index;

	memcpy(size_index, size_index_default, sizeof(size_index_default));
	for (unsigned int i = 8; i < min; i += 8) {
		unsigned int elem = size_index_elem(i);

		if (elem >= sizeof(size_index_default))
			break;
		size_index[elem] = (uint8_t)k->kmem.kmalloc_shift_low;
	}
	if (min >= 64) /* no 96-byte cache with 64-byte alignment */
		for (unsigned int i = 64 + 8; i <= 96; i += 8)
			size_index[size_index_elem(i)] = 7;
	if (min >= 128) /* no 192-byte cache with 128-byte alignment: use kmalloc-256 */
		for (unsigned int i = 128 + 8; i <= 192; i += 8)
			size_index[size_index_elem(i)] = 8;
	/* Model: kmalloc_slab()'s two lookups as one table over every 8-byte step; the
	 * classes above 192 bytes are powers of two, so each step lies in one class. */
	for (unsigned int j = 1; j <= KMALLOC_MAX_CACHE_SIZE / 8; j++)
		k->kmem.kmalloc_size_index[j] =
			j * 8 <= 192 ? size_index[j - 1] : (uint8_t)fls64(j * 8 - 1);
	k->kmem.kmalloc_size_index[0] = 0;
}

/* Models: mm/slab_common.c:new_kmalloc_cache(). */
static int new_kmalloc_cache(struct kmm_kernel *k, int idx, enum kmalloc_cache_type type,
			     slab_flags_t flags)
{
	struct kmem_cache *s;

	if (type == KMALLOC_RECLAIM)
		flags |= SLAB_RECLAIM_ACCOUNT;
	else if (type == KMALLOC_CGROUP)
		flags |= SLAB_ACCOUNT;
	else if (type == KMALLOC_DMA)
		flags |= SLAB_CACHE_DMA;
	s = create_kmalloc_cache(k, kmalloc_info[idx].name[type], kmalloc_info[idx].size, flags, 0,
				 kmalloc_info[idx].size);
	if (!s)
		return -ENOMEM;
	k->kmem.kmalloc_caches[type][idx] = s;
	/* With CONFIG_MEMCG_KMEM the KMALLOC_NORMAL caches are never merged. */
	if (type == KMALLOC_NORMAL)
		s->refcount = -1;
	return 0;
}

/* Models: mm/slab_common.c:create_kmalloc_caches(). */
int create_kmalloc_caches(struct kmm_kernel *k, slab_flags_t flags)
{
	struct kmem_cache *(*caches)[KMALLOC_SHIFT_HIGH + 1] = k->kmem.kmalloc_caches;
	unsigned int min = k->kmem.kmalloc_min_size;

	for (int type = KMALLOC_NORMAL; type < NR_KMALLOC_TYPES; type++) {
		for (int i = (int)k->kmem.kmalloc_shift_low; i <= KMALLOC_SHIFT_HIGH; i++) {
			if (!caches[type][i] && new_kmalloc_cache(k, i, type, flags))
				return -ENOMEM;
			/* 96 and 192 follow the power of two before them. */
			if (min <= 32 && i == 6 && !caches[type][1] &&
			    new_kmalloc_cache(k, 1, type, flags))
				return -ENOMEM;
			if (min <= 64 && i == 7 && !caches[type][2] &&
			    new_kmalloc_cache(k, 2, type, flags))
				return -ENOMEM;
		}
	}
	k->kmem.slab_state = UP;
	return 0;
}

/* Models: mm/slab_common.c:kmalloc_size_roundup(). */
size_t kmalloc_size_roundup(const struct kmm_kernel *k, size_t size)
{
	const struct kmem_cache *c;

	if (!size)
		return 0;
	if (size == SIZE_MAX)
		return SIZE_MAX;
	if (size > KMALLOC_MAX_CACHE_SIZE)
		return PAGE_SIZE << get_order(size);
	c = kmalloc_slab(k, size, GFP_KERNEL);
	return c ? c->object_size : 0;
}

/* ---- kmalloc, kfree, ksize ------------------------------------------------------------ */

/* Models: mm/slab_common.c:kmalloc_fix_flags(). */
gfp_t kmalloc_fix_flags(struct kmm_kernel *k, gfp_t flags)
{
	gfp_t invalid_mask = flags & GFP_SLAB_BUG_MASK;
	char a[256], b[256];

	flags &= ~GFP_SLAB_BUG_MASK;
	bug_report(k->env, KMM_REPORT_WARN, BUG_SITE(0, "kmalloc_fix_flags", "GFP_SLAB_BUG_MASK"),
		   "Unexpected gfp: %#x (%s). Fixing up to gfp: %#x (%s). Fix your code!\n",
		   invalid_mask, format_gfp(invalid_mask, a, sizeof(a)), flags,
		   format_gfp(flags, b, sizeof(b)));
	return flags;
}

/*
 * Models: mm/slab_common.c:__kmalloc_large_node(): compound pages for a kmalloc above 8 KiB,
 * counted as unreclaimable slab memory.
 */
static uint64_t __kmalloc_large_node(struct kmm_kernel *k, size_t size, gfp_t flags, int node)
{
	unsigned int order = get_order(size);
	struct page *page;

	if (flags & GFP_SLAB_BUG_MASK)
		flags = kmalloc_fix_flags(k, flags);
	flags |= __GFP_COMP;
	page = alloc_pages_node(k, node, flags, order);
	if (!page)
		return 0;
	NODE_DATA(k, page_to_nid(page))->vm_stat[NR_SLAB_UNRECLAIMABLE_B] +=
		(long)(PAGE_SIZE << order);
	set_page_flag(page, PG_large_kmalloc);
	k->kmem.nr_large_kmalloc++;
	return page_address(k, page);
}

uint64_t kmalloc_large_node(struct kmm_kernel *k, size_t size, gfp_t flags, int node)
{
	uint64_t ret = __kmalloc_large_node(k, size, flags, node);

	trace_kmalloc(k, _RET_IP_(kmalloc_large), ret, size, PAGE_SIZE << get_order(size), flags,
		      node);
	return ret;
}

/*
 * Models: mm/slab_common.c:free_large_kmalloc(): @object is in no slab page. Pages that are
 * not a large kmalloc (or no memory at all), and pointers inside one that are not its start,
 * are reported and left alone.
 */
void free_large_kmalloc(struct kmm_kernel *k, uint64_t object, const char *fn)
{
	struct page *page = virt_to_page_safe(k, object);
	char trace[96], after[64];
	unsigned int order;

	snprintf(trace, sizeof(trace), "free_large_kmalloc\n %s", fn);
	if (!page) {
		slab_bad_address(k, trace, object);
		return;
	}
	page = compound_head(page);
	if (!PageLargeKmalloc(page)) {
		/* The kernel's WARN_ON_ONCE(order == 0) fires for any order-0 page; the model
		 * refuses every page that is not a live large kmalloc (it is not freed). */
		snprintf(after, sizeof(after), "object pointer: 0x%016" PRIx64, object);
		slab_warn(k,
			  BUG_SITE(904, "free_large_kmalloc",
				   "not a slab object nor a large kmalloc"),
			  trace, NULL, after);
		return;
	}
	if (object != page_address(k, page)) {
		/* Deviation (docs/fidelity.md): 6.1 frees the whole allocation; the model keeps
		 * slab.h's promise that a misaligned free is reported and not carried out. */
		snprintf(after, sizeof(after), "object pointer: 0x%016" PRIx64, object);
		slab_warn(k,
			  BUG_SITE(0, "free_large_kmalloc",
				   "object inside a large kmalloc, not its start"),
			  trace, "free_large_kmalloc: pointer inside a large kmalloc: not freed",
			  after);
		return;
	}
	order = compound_order(page);
	NODE_DATA(k, page_to_nid(page))->vm_stat[NR_SLAB_UNRECLAIMABLE_B] -=
		(long)(PAGE_SIZE << order);
	clear_page_flag(page, PG_large_kmalloc);
	k->kmem.nr_large_kmalloc--;
	__free_pages(k, page, order);
}

/*
 * Models: mm/slab_common.c:__do_kmalloc_node(): the whole of kmalloc (__kmalloc() in slub.c
 * runs its common case in line and comes here for the rest).
 */
uint64_t __do_kmalloc_node(struct kmm_kernel *k, size_t size, gfp_t flags, int node,
			   unsigned long caller)
{
	struct kmem_cache *s;
	uint64_t ret;

	if (size > KMALLOC_MAX_CACHE_SIZE) {
		ret = __kmalloc_large_node(k, size, flags, node);
		trace_kmalloc(k, caller, ret, size, PAGE_SIZE << get_order(size), flags, node);
		return ret;
	}
	if (!size)
		return ZERO_SIZE_PTR;
	s = kmalloc_slab(k, size, flags);
	if (!s)
		return 0; /* before create_kmalloc_caches() */
	ret = __kmem_cache_alloc_node(k, s, flags, node, size, caller);
	trace_kmalloc(k, caller, ret, size, s->size, flags, node);
	return ret;
}

uint64_t __kmalloc_node(struct kmm_kernel *k, size_t size, gfp_t flags, int node)
{
	return __do_kmalloc_node(k, size, flags, node, _RET_IP_(__kmalloc_node));
}

/*
 * Models: mm/slab_common.c:kfree(): by page type, to the slab or the page allocator (the
 * whole of it: kfree() and kfree_caller() in slub.c run the common case in line and come here
 * for the rest).
 */
void kfree_general(struct kmm_kernel *k, uint64_t object, unsigned long caller)
{
	struct slab *slab;

	trace_kfree(k, caller, object);
	if (ZERO_OR_NULL_PTR(object))
		return;
	slab = virt_to_slab(k, object);
	if (!slab) {
		free_large_kmalloc(k, object, "kfree");
		return;
	}
	__kmem_cache_free(k, slab->slab_cache, object, caller);
}

/* Models: mm/slab_common.c:__ksize(). */
size_t __ksize(struct kmm_kernel *k, uint64_t object)
{
	struct page *page;

	if (object == ZERO_SIZE_PTR)
		return 0;
	page = virt_to_page_safe(k, object);
	if (!page) {
		slab_bad_address(k, "__ksize", object);
		return 0;
	}
	page = compound_head(page);
	if (!PageSlab(page)) {
		unsigned long size = PAGE_SIZE << compound_order(page);

		if (size <= KMALLOC_MAX_CACHE_SIZE) {
			slab_warn(k,
				  BUG_SITE(1014, "__ksize",
					   "folio_size(folio) <= KMALLOC_MAX_CACHE_SIZE"),
				  "__ksize", NULL, NULL);
			return 0;
		}
		if (object != page_address(k, page)) {
			slab_warn(k, BUG_SITE(1016, "__ksize", "object != folio_address(folio)"),
				  "__ksize", NULL, NULL);
			return 0;
		}
		return size;
	}
	return slab_ksize(page_slab(page)->slab_cache);
}

size_t ksize(struct kmm_kernel *k, uint64_t object)
{
	if (ZERO_OR_NULL_PTR(object))
		return 0;
	return __ksize(k, object);
}

/* Models: mm/slab_common.c:__do_krealloc() and krealloc(). */
uint64_t krealloc(struct kmm_kernel *k, uint64_t p, size_t new_size, gfp_t flags)
{
	size_t ks = 0;
	uint64_t ret;

	if (!new_size) {
		kfree_caller(k, p, _RET_IP_(krealloc));
		return ZERO_SIZE_PTR;
	}
	if (!ZERO_OR_NULL_PTR(p))
		ks = __ksize(k, p);
	if (ks >= new_size) {
		/* It still fits: zero the spare room when init_on_alloc or __GFP_ZERO. */
		if (k->kmem.init_on_alloc || (flags & __GFP_ZERO)) {
			uint8_t *mem = kmem_host(k, p, ks);

			if (mem)
				memset(mem + new_size, 0, ks - new_size);
		}
		return p;
	}
	ret = __kmalloc_node_track_caller(k, new_size, flags, NUMA_NO_NODE, _RET_IP_(krealloc));
	if (ret && ks) {
		uint8_t *to = kmem_host(k, ret, ks);
		const uint8_t *from = kmem_host(k, p, ks);

		if (to && from)
			memcpy(to, from, ks);
	}
	if (ret && ret != p)
		kfree_caller(k, p, _RET_IP_(krealloc));
	return ret;
}

/* Models: include/linux/slab.h:kmalloc_array(): NULL when n * size overflows. */
uint64_t kmalloc_array(struct kmm_kernel *k, size_t n, size_t size, gfp_t flags)
{
	size_t bytes;

	if (__builtin_mul_overflow(n, size, &bytes))
		return 0;
	return __kmalloc(k, bytes, flags);
}

uint64_t kcalloc(struct kmm_kernel *k, size_t n, size_t size, gfp_t flags)
{
	return kmalloc_array(k, n, size, flags | __GFP_ZERO);
}

/* ---- random freelist sequences (CONFIG_SLAB_FREELIST_RANDOM) -------------------------- */

/*
 * Models: mm/slab_common.c:cache_random_seq_create(): a Fisher-Yates shuffle of 0..count-1
 * in a kcalloc'ed array. Deviation: the random numbers come from the machine's seeded PRNG.
 */
int cache_random_seq_create(struct kmm_kernel *k, struct kmem_cache *s, unsigned int count,
			    gfp_t gfp)
{
	unsigned int *list;
	uint64_t va;

	if (count < 2 || s->random_seq)
		return 0;
	va = kcalloc(k, count, sizeof(unsigned int), gfp);
	list = va ? (unsigned int *)kmem_host(k, va, count * sizeof(unsigned int)) : NULL;
	if (!list)
		return -ENOMEM;
	for (unsigned int i = 0; i < count; i++)
		list[i] = i;
	for (unsigned int i = count - 1; i > 0; i--) {
		unsigned int r = (unsigned int)(env_random(k->env) % (i + 1)), t = list[i];

		list[i] = list[r];
		list[r] = t;
	}
	s->random_seq = list;
	s->random_seq_va = va;
	return 0;
}

void cache_random_seq_destroy(struct kmm_kernel *k, struct kmem_cache *s)
{
	if (s->random_seq_va)
		kfree(k, s->random_seq_va);
	s->random_seq = NULL;
	s->random_seq_va = 0;
}

/* ---- /proc/slabinfo ------------------------------------------------------------------- */

/* Models: mm/slab_common.c:print_slabinfo_header(), cache_show() and slab_show(). */
void show_slabinfo(const struct kmm_kernel *k, const struct sink *out)
{
	const struct list_head *pos;

	sink_printf(out, "slabinfo - version: 2.1\n");
	sink_printf(out, "# name            <active_objs> <num_objs> <objsize> <objperslab> "
			 "<pagesperslab> : tunables <limit> <batchcount> <sharedfactor> : slabdata "
			 "<active_slabs> <num_slabs> <sharedavail>\n");
	if (!k->kmem.slab_caches.next)
		return;
	for (pos = k->kmem.slab_caches.next; pos != &k->kmem.slab_caches; pos = pos->next) {
		const struct kmem_cache *s = list_entry(pos, struct kmem_cache, list);
		struct slabinfo si;

		get_slabinfo(k, s, &si);
		sink_printf(out, "%-17s %6lu %6lu %6u %4u %4d", s->name, si.active_objs,
			    si.num_objs, s->size, si.objects_per_slab, 1 << si.cache_order);
		sink_printf(out, " : tunables %4u %4u %4u", 0u, 0u, 0u);
		sink_printf(out, " : slabdata %6lu %6lu %6lu\n", si.active_slabs, si.num_slabs,
			    0ul);
	}
}
