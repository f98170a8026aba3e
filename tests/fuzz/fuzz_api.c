/*
 * fuzz_api: the public API as a sequence of operations on a small machine.
 *
 * The first byte picks one of a few machines (80 MiB of RAM of which mem= leaves 24-48 MiB to
 * the kernel, 1-2 CPUs, with and without CMA and init_on_free: small zones keep the boot and
 * each kmm_check short); every following group of bytes is one operation: page allocations (orders,
 * GFP flags from a table that includes refused ones), bulk, exact, contig, CMA, isolation,
 * kmalloc/kzalloc/krealloc/ksize, caches, mempools, vmalloc/vzalloc/vmap/ioremap, CPU
 * switches, sysctls, trace events, views, and deliberate misuse (a double free right after
 * the free, misaligned and wild pointers, stale cache and pool handles).
 *
 * After every operation:
 *   - kmm_check() passes (else abort(): the fuzzer's crash);
 *   - the machine is alive, unless the operation was a misuse the kernel may BUG on (then
 *     the input ends: the machine is destroyed);
 *   - the harness's own books agree: live allocations never overlap (physical ranges for
 *     pages and linear-map objects, VA ranges for vmalloc), the pattern written into each
 *     allocation is still there (checked again before each free), memory asked zeroed
 *     (__GFP_ZERO, kzalloc, vzalloc) read zero;
 *   - a call refused with KMM_EINVAL changed nothing observable (/proc/buddyinfo and the
 *     report count) and every failed call left a non-empty kmm_last_error().
 * Operation counts and sizes are bounded so that one input runs in milliseconds.
 */
#include <kmm/kmm.h>
#include <kmm/task.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FUZZ_MAX_LIVE 48
#define FUZZ_MAX_OPS  24
#define FUZZ_CACHES   4
#define FUZZ_POOLS    3
#define PAT_LEN	      16
#define FUZZ_TASKS    3
#define FUZZ_HELD     32

/* ---- input ---------------------------------------------------------------------------- */

struct input {
	const uint8_t *p;
	size_t n, pos;
};

static uint8_t in_u8(struct input *in)
{
	return in->pos < in->n ? in->p[in->pos++] : 0;
}

static uint32_t in_u16(struct input *in)
{
	uint32_t lo = in_u8(in);

	return lo | (uint32_t)in_u8(in) << 8;
}

/* ---- the harness's books -------------------------------------------------------------- */

enum kind { K_NONE, K_PAGES, K_EXACT, K_CONTIG, K_CMA, K_KMALLOC, K_CACHE, K_POOL, K_VMALLOC };

struct live {
	enum kind kind;
	kmm_pa_t pa; /* physical start (all but K_VMALLOC) */
	kmm_va_t va; /* linear-map or vmalloc address (0 for K_PAGES, K_CONTIG, K_CMA) */
	uint64_t size;
	unsigned order; /* K_PAGES */
	int owner;	/* K_CACHE: cache slot; K_POOL: pool slot */
	uint8_t pat;
};

struct fuzz {
	struct kmm_machine *m;
	struct input in;
	unsigned nr_cpus;
	kmm_pfn_t pfn_lo, pfn_hi;
	kmm_pa_t mmio_base;
	uint64_t mmio_size;
	struct live live[FUZZ_MAX_LIVE];
	kmm_cache_t cache[FUZZ_CACHES], stale_cache;
	unsigned cache_size[FUZZ_CACHES];
	kmm_mempool_t pool[FUZZ_POOLS], stale_pool;
	uint64_t pool_size[FUZZ_POOLS];
	uint8_t next_pat;
	kmm_pid_t task[FUZZ_TASKS]; /* 0: a free slot */
	kmm_va_t task_va[FUZZ_TASKS];
	uint64_t task_len[FUZZ_TASKS], task_pat[FUZZ_TASKS];
	int task_fd[FUZZ_TASKS]; /* a memfd or file of the task (-1: none) */
	/* The task's shared mapping of task_fd (fmap_len 0: none, or the books lost it). */
	kmm_va_t fmap_va[FUZZ_TASKS];
	uint64_t fmap_len[FUZZ_TASKS], fmap_off[FUZZ_TASKS];
	/* Pages get_user_pages/pin_user_pages gave that the harness still holds. */
	kmm_pfn_t held_pfn[FUZZ_HELD];
	unsigned held_flags[FUZZ_HELD];
	unsigned nr_held;
	bool misuse;	   /* this operation misuses the API on purpose */
	bool warns_einval; /* its KMM_EINVAL comes with the kernel's warning (vmalloc) */
	const char *op;
};

static void fuzz_fail(struct fuzz *f, const char *what)
{
	fprintf(stderr, "fuzz_api: operation %s: %s\n  last error: %s\n", f->op, what,
		f->m ? kmm_last_error(f->m) : kmm_last_error(NULL));
	abort();
}

/* The machines the first byte picks from. */
static const struct {
	unsigned mib, mem_mib, cpus;
	const char *append;
} machines[] = {
	{80, 24, 1, "mem=24M"},
	{80, 40, 2, "mem=40M cma=8M"},
	{80, 48, 2, "mem=48M cma=16M init_on_free=1"},
	{80, 32, 1, "mem=32M init_on_alloc=1 slub_debug=FZPU"},
};

static const kmm_gfp_t gfps[] = {
	KMM_GFP_KERNEL,
	KMM_GFP_KERNEL | KMM___GFP_ZERO,
	KMM_GFP_ATOMIC,
	KMM_GFP_NOWAIT | KMM___GFP_NOWARN,
	KMM_GFP_HIGHUSER_MOVABLE,
	KMM_GFP_HIGHUSER_MOVABLE | KMM___GFP_ZERO,
	KMM_GFP_KERNEL | KMM___GFP_COMP,
	KMM_GFP_KERNEL | KMM___GFP_RECLAIMABLE,
	KMM_GFP_KERNEL | KMM___GFP_DMA,
	KMM_GFP_KERNEL | KMM___GFP_DMA32 | KMM___GFP_NOWARN,
	KMM_GFP_KERNEL_ACCOUNT,
	KMM_GFP_TRANSHUGE,
	KMM_GFP_KERNEL | KMM___GFP_NORETRY | KMM___GFP_NOWARN,
	/* refused: two zone modifiers, movable with reclaimable, unknown bits */
	KMM_GFP_KERNEL | KMM___GFP_DMA | KMM___GFP_DMA32,
	KMM_GFP_KERNEL | KMM___GFP_MOVABLE | KMM___GFP_RECLAIMABLE,
	KMM_GFP_KERNEL | 0x40000000u,
};

static kmm_gfp_t pick_gfp(struct fuzz *f)
{
	return gfps[in_u8(&f->in) % (sizeof(gfps) / sizeof(gfps[0]))];
}

static bool overlaps(uint64_t a, uint64_t alen, uint64_t b, uint64_t blen)
{
	return a < b + blen && b < a + alen;
}

static void pat_fill(uint8_t *buf, size_t len, uint8_t pat)
{
	for (size_t i = 0; i < len; i++)
		buf[i] = (uint8_t)(pat + i * 7);
}

/* The physical address of byte @off of @l (vmalloc areas through their page tables). */
static bool live_pa(struct fuzz *f, const struct live *l, uint64_t off, kmm_pa_t *pa)
{
	kmm_pfn_t pfn;

	if (l->kind != K_VMALLOC) {
		*pa = l->pa + off;
		return true;
	}
	if (kmm_vmalloc_to_pfn(f->m, l->va + off, &pfn) != KMM_OK)
		return false;
	*pa = (pfn << KMM_PAGE_SHIFT) | ((l->va + off) & (KMM_PAGE_SIZE - 1));
	return true;
}

/* Reads or writes (@write) the pattern at the start and end of @l; false on a mismatch. */
static bool live_pattern(struct fuzz *f, const struct live *l, bool write)
{
	uint8_t want[PAT_LEN], got[PAT_LEN];
	uint64_t offs[2] = {0, l->size - PAT_LEN}; /* the end only when apart from the start */
	size_t len = l->size < PAT_LEN ? (size_t)l->size : PAT_LEN;

	pat_fill(want, len, l->pat);
	for (int i = 0; i < (l->size >= 2 * PAT_LEN ? 2 : 1); i++) {
		kmm_pa_t pa;
		if (!live_pa(f, l, offs[i], &pa))
			fuzz_fail(f, "a live vmalloc area lost its mapping");
		if (write) {
			if (kmm_phys_write(f->m, pa, want, len) != KMM_OK)
				fuzz_fail(f, "cannot write into a live allocation");
		} else {
			if (kmm_phys_read(f->m, pa, got, len) != KMM_OK)
				fuzz_fail(f, "cannot read a live allocation");
			if (memcmp(want, got, len) != 0)
				return false;
		}
	}
	return true;
}

static void check_zero(struct fuzz *f, const struct live *l)
{
	uint8_t buf[256];
	size_t len = l->size < sizeof(buf) ? (size_t)l->size : sizeof(buf);
	kmm_pa_t pa;

	if (!live_pa(f, l, 0, &pa) || kmm_phys_read(f->m, pa, buf, len) != KMM_OK)
		fuzz_fail(f, "cannot read a zeroed allocation");
	for (size_t i = 0; i < len; i++)
		if (buf[i])
			fuzz_fail(f, "memory asked zeroed is not zero");
}

/* Books a new allocation: no overlap with any live one, zero if asked, pattern written. */
static struct live *track(struct fuzz *f, struct live l, bool zeroed)
{
	struct live *slot = NULL;

	if (l.size == 0)
		return NULL;
	for (int i = 0; i < FUZZ_MAX_LIVE; i++) {
		struct live *o = &f->live[i];
		if (o->kind == K_NONE) {
			if (!slot)
				slot = o;
			continue;
		}
		if ((l.kind == K_VMALLOC) == (o->kind == K_VMALLOC) &&
		    (l.kind == K_VMALLOC ? overlaps(l.va, l.size, o->va, o->size)
					 : overlaps(l.pa, l.size, o->pa, o->size)))
			fuzz_fail(f, "a new allocation overlaps a live one");
	}
	if (zeroed)
		check_zero(f, &l);
	l.pat = f->next_pat += 37;
	if (!slot)
		return NULL; /* books full: leaked on purpose, the machine keeps it */
	*slot = l;
	live_pattern(f, slot, true);
	return slot;
}

static struct live *pick_live(struct fuzz *f)
{
	unsigned start = in_u8(&f->in);

	for (unsigned i = 0; i < FUZZ_MAX_LIVE; i++) {
		struct live *l = &f->live[(start + i) % FUZZ_MAX_LIVE];
		if (l->kind != K_NONE)
			return l;
	}
	return NULL;
}

/* Frees @l the right way (after checking its pattern); @twice: then again (a misuse). */
static enum kmm_status live_free(struct fuzz *f, struct live *l, bool twice)
{
	enum kmm_status st = KMM_OK;

	if (!live_pattern(f, l, false))
		fuzz_fail(f, "a live allocation's pattern changed");
	for (int n = 0; n < (twice ? 2 : 1); n++) {
		f->misuse = n > 0;
		switch (l->kind) {
		case K_PAGES:
			st = kmm_free_pages(f->m, l->pa >> KMM_PAGE_SHIFT, l->order);
			break;
		case K_EXACT:
			st = kmm_free_pages_exact(f->m, l->va, l->size);
			break;
		case K_CONTIG:
			st = kmm_free_contig_range(f->m, l->pa >> KMM_PAGE_SHIFT,
						   l->size >> KMM_PAGE_SHIFT);
			break;
		case K_CMA:
			st = kmm_cma_release(f->m, l->pa >> KMM_PAGE_SHIFT,
					     l->size >> KMM_PAGE_SHIFT);
			break;
		case K_KMALLOC:
			st = kmm_kfree(f->m, l->va);
			break;
		case K_CACHE:
			st = l->owner >= 0 ? kmm_kmem_cache_free(f->m, f->cache[l->owner], l->va)
					   : kmm_kfree(f->m, l->va);
			break;
		case K_POOL:
			st = kmm_mempool_free(f->m, f->pool[l->owner], l->va);
			break;
		case K_VMALLOC:
			st = kmm_vfree(f->m, l->va);
			break;
		case K_NONE:
			break;
		}
		if (n == 0 && st != KMM_OK)
			fuzz_fail(f, "freeing a live allocation failed");
	}
	l->kind = K_NONE;
	return st;
}

/* ---- operations ------------------------------------------------------------------------ */

static enum kmm_status op_alloc_pages(struct fuzz *f)
{
	kmm_gfp_t gfp = pick_gfp(f);
	unsigned b = in_u8(&f->in), order = b < 200 ? b % 4 : b % 12;
	kmm_pfn_t pfn;
	enum kmm_status st = kmm_alloc_pages(f->m, gfp, order, &pfn);

	if (st == KMM_OK && order <= 10)
		track(f,
		      (struct live){.kind = K_PAGES,
				    .pa = pfn << KMM_PAGE_SHIFT,
				    .size = KMM_PAGE_SIZE << order,
				    .order = order},
		      gfp & KMM___GFP_ZERO);
	return st;
}

static enum kmm_status op_bulk(struct fuzz *f)
{
	kmm_pfn_t pfns[16] = {0};
	size_t nr = 1 + in_u8(&f->in) % 16, done = 0;
	kmm_gfp_t gfp = pick_gfp(f);
	enum kmm_status st = kmm_alloc_pages_bulk(f->m, gfp, nr, pfns, &done);

	if (st == KMM_OK && done > nr)
		fuzz_fail(f, "bulk allocated more than asked");
	for (size_t i = 0; st == KMM_OK && i < nr; i++)
		if (pfns[i])
			track(f,
			      (struct live){.kind = K_PAGES,
					    .pa = pfns[i] << KMM_PAGE_SHIFT,
					    .size = KMM_PAGE_SIZE},
			      false);
	return st;
}

static enum kmm_status op_exact(struct fuzz *f)
{
	size_t size = 1 + in_u16(&f->in);
	kmm_gfp_t gfp = pick_gfp(f);
	kmm_va_t va;
	kmm_pa_t pa;
	enum kmm_status st = kmm_alloc_pages_exact(f->m, size, gfp, &va);

	if (st != KMM_OK)
		return st;
	if (kmm_virt_to_phys(f->m, va, &pa) != KMM_OK)
		fuzz_fail(f, "alloc_pages_exact gave an address outside the linear map");
	track(f, (struct live){.kind = K_EXACT, .pa = pa, .va = va, .size = size},
	      gfp & KMM___GFP_ZERO);
	return st;
}

static enum kmm_status op_contig(struct fuzz *f)
{
	uint64_t span = f->pfn_hi - f->pfn_lo;
	kmm_pfn_t start = f->pfn_lo + (in_u16(&f->in) * 16u) % span;
	size_t nr = 1 + in_u8(&f->in) * 2u;
	enum kmm_migratetype mt = in_u8(&f->in) & 1 ? KMM_MIGRATE_MOVABLE : KMM_MIGRATE_CMA;
	enum kmm_status st;

	if (in_u8(&f->in) == 0xff)
		nr = 0; /* an empty range: refused */
	st = kmm_alloc_contig_range(f->m, start, start + nr, mt);
	if (st == KMM_OK)
		track(f,
		      (struct live){.kind = K_CONTIG,
				    .pa = start << KMM_PAGE_SHIFT,
				    .size = nr << KMM_PAGE_SHIFT},
		      false);
	return st;
}

static enum kmm_status op_cma(struct fuzz *f)
{
	size_t count = 1 + in_u8(&f->in) % 64;
	unsigned align = in_u8(&f->in) % 10; /* 9 is above the cap */
	kmm_pfn_t pfn;
	enum kmm_status st = kmm_cma_alloc(f->m, count, align, &pfn);

	if (st == KMM_OK) {
		if (pfn & ((1ull << align) - 1))
			fuzz_fail(f, "cma_alloc ignored the alignment");
		track(f,
		      (struct live){.kind = K_CMA,
				    .pa = pfn << KMM_PAGE_SHIFT,
				    .size = count << KMM_PAGE_SHIFT},
		      false);
	}
	return st;
}

static enum kmm_status op_isolate(struct fuzz *f)
{
	uint64_t span = f->pfn_hi - f->pfn_lo;
	kmm_pfn_t start = f->pfn_lo + ((in_u8(&f->in) * 512u) % span);
	kmm_pfn_t end = start + 512u * (1 + in_u8(&f->in) % 4);
	enum kmm_migratetype mt = in_u8(&f->in) & 1 ? KMM_MIGRATE_MOVABLE : KMM_MIGRATE_CMA;
	enum kmm_status st;

	if (end > f->pfn_hi)
		end = f->pfn_hi;
	st = kmm_isolate_range(f->m, start, end, mt);
	if (st == KMM_OK && kmm_undo_isolate_range(f->m, start, end, mt) != KMM_OK)
		fuzz_fail(f, "undoing an isolation that succeeded failed");
	return st;
}

static enum kmm_status op_kmalloc(struct fuzz *f)
{
	unsigned how = in_u8(&f->in) % 5;
	size_t size = in_u16(&f->in) % (how == 4 ? 64 : 20000);
	kmm_gfp_t gfp = pick_gfp(f);
	kmm_va_t va;
	kmm_pa_t pa;
	enum kmm_status st;
	struct live *old;

	switch (how) {
	case 0:
		st = kmm_kmalloc(f->m, size, gfp, &va);
		break;
	case 1:
		st = kmm_kzalloc(f->m, size, gfp, &va);
		break;
	case 2:
		st = kmm_kcalloc(f->m, 1 + size % 8, size / 8, gfp, &va);
		size = (1 + size % 8) * (size / 8);
		break;
	case 3: /* krealloc of a live kmalloc object: the old bytes move */
		f->op = "krealloc";
		old = pick_live(f);
		if (!old || old->kind != K_KMALLOC)
			return KMM_OK;
		if (!live_pattern(f, old, false))
			fuzz_fail(f, "a live allocation's pattern changed");
		st = kmm_krealloc(f->m, old->va, size, gfp, &va);
		if (st != KMM_OK)
			return st;
		old->kind = K_NONE;
		if (size) { /* the old object's first bytes moved with it */
			uint8_t want[PAT_LEN], got[PAT_LEN];
			size_t n = size < old->size ? size : old->size;
			n = n < PAT_LEN ? n : PAT_LEN;
			pat_fill(want, n, old->pat);
			if (kmm_virt_to_phys(f->m, va, &pa) != KMM_OK ||
			    kmm_phys_read(f->m, pa, got, n) != KMM_OK || memcmp(want, got, n))
				fuzz_fail(f, "krealloc lost the object's bytes");
		}
		break;
	default: { /* ksize of a live object, or of something else */
		size_t ks = 0;
		old = pick_live(f);
		if (old && old->kind == K_KMALLOC) {
			st = kmm_ksize(f->m, old->va, &ks);
			if (st == KMM_OK && ks < old->size)
				fuzz_fail(f, "ksize smaller than the request");
			return st;
		}
		return KMM_OK;
	}
	}
	if (st != KMM_OK || size == 0)
		return st;
	if (kmm_virt_to_phys(f->m, va, &pa) != KMM_OK)
		fuzz_fail(f, "kmalloc gave an address outside the linear map");
	/* krealloc keeps the old bytes, even with __GFP_ZERO (which zeroes only what grows) */
	track(f, (struct live){.kind = K_KMALLOC, .pa = pa, .va = va, .size = size},
	      how == 1 || how == 2 || (how == 0 && (gfp & KMM___GFP_ZERO)));
	return st;
}

static void ctor_fill(void *arg, kmm_va_t object, void *mem, size_t size)
{
	(void)arg;
	(void)object;
	memset(mem, 0x5a, size);
}

static enum kmm_status op_cache(struct fuzz *f)
{
	static const unsigned sizes[] = {8, 24, 64, 100, 192, 600, 4096, 5000, 0, 1u << 23};
	static const uint32_t flags[] = {
		0,
		KMM_SLAB_HWCACHE_ALIGN,
		KMM_SLAB_RED_ZONE | KMM_SLAB_POISON | KMM_SLAB_STORE_USER,
		KMM_SLAB_RECLAIM_ACCOUNT,
		KMM_SLAB_TYPESAFE_BY_RCU,
		KMM_SLAB_CACHE_DMA | KMM_SLAB_CACHE_DMA32, /* refused */
		0x80000000u,				   /* refused */
	};
	unsigned what = in_u8(&f->in) % 6, c = in_u8(&f->in) % FUZZ_CACHES;
	kmm_va_t va;
	kmm_pa_t pa;
	enum kmm_status st;
	char name[32];

	switch (what) {
	case 0: { /* create */
		unsigned size = sizes[in_u8(&f->in) % 10], align = 1u << (in_u8(&f->in) % 9);
		uint32_t fl = flags[in_u8(&f->in) % 7];
		bool ctor = in_u8(&f->in) & 1;
		if (f->cache[c])
			return KMM_OK;
		snprintf(name, sizeof(name), "fuzz_cache_%u", c);
		st = kmm_kmem_cache_create(f->m, name, size, align == 256 ? 3 : align, fl,
					   ctor ? ctor_fill : NULL, NULL, &f->cache[c]);
		if (st == KMM_OK)
			f->cache_size[c] = size;
		return st;
	}
	case 1:
	case 2: /* alloc */
		if (!f->cache[c])
			return KMM_OK;
		st = kmm_kmem_cache_alloc(f->m, f->cache[c], pick_gfp(f), &va);
		if (st != KMM_OK)
			return st;
		if (kmm_virt_to_phys(f->m, va, &pa) != KMM_OK)
			fuzz_fail(f, "a cache object outside the linear map");
		track(f,
		      (struct live){.kind = K_CACHE,
				    .pa = pa,
				    .va = va,
				    .size = f->cache_size[c],
				    .owner = (int)c},
		      false);
		return st;
	case 3: /* destroy (objects left: reported, cache kept, objects freed by kfree later) */
		if (!f->cache[c])
			return KMM_OK;
		for (int i = 0; i < FUZZ_POOLS; i++)
			if (f->pool[i] && f->pool_size[i] == (uint64_t)-1 - c)
				return KMM_OK; /* a pool uses it */
		st = kmm_kmem_cache_destroy(f->m, f->cache[c]);
		if (st == KMM_OK) { /* objects left stay valid: kfree them from now on */
			f->stale_cache = f->cache[c];
			f->cache[c] = 0;
			for (int i = 0; i < FUZZ_MAX_LIVE; i++)
				if (f->live[i].kind == K_CACHE && f->live[i].owner == (int)c)
					f->live[i].owner = -1;
		}
		return st;
	case 4:
		return f->cache[c] ? kmm_kmem_cache_shrink(f->m, f->cache[c]) : KMM_OK;
	default: { /* bulk alloc, then free the lot at once */
		kmm_va_t objs[8];
		size_t nr = 1 + in_u8(&f->in) % 8;
		if (!f->cache[c])
			return KMM_OK;
		st = kmm_kmem_cache_alloc_bulk(f->m, f->cache[c], KMM_GFP_KERNEL, nr, objs);
		if (st == KMM_OK)
			st = kmm_kmem_cache_free_bulk(f->m, f->cache[c], nr, objs);
		return st;
	}
	}
}

static enum kmm_status op_pool(struct fuzz *f)
{
	unsigned what = in_u8(&f->in) % 5, p = in_u8(&f->in) % FUZZ_POOLS;
	int min_nr = in_u8(&f->in) % 9;
	kmm_va_t va;
	kmm_pa_t pa;
	enum kmm_status st;

	switch (what) {
	case 0: { /* create */
		unsigned type = in_u8(&f->in) % 3, c = in_u8(&f->in) % FUZZ_CACHES;
		if (f->pool[p])
			return KMM_OK;
		if (type == 0 && f->cache[c]) {
			st = kmm_mempool_create_slab(f->m, min_nr, f->cache[c], &f->pool[p]);
			f->pool_size[p] = (uint64_t)-1 - c; /* marks the cache it uses */
		} else if (type == 1) {
			f->pool_size[p] = 1 + in_u16(&f->in) % 4096;
			st = kmm_mempool_create_kmalloc(f->m, min_nr, f->pool_size[p], &f->pool[p]);
		} else {
			unsigned order = in_u8(&f->in) % 3;
			f->pool_size[p] = KMM_PAGE_SIZE << order;
			st = kmm_mempool_create_page(f->m, min_nr, order, &f->pool[p]);
		}
		if (st != KMM_OK)
			f->pool[p] = 0;
		return st;
	}
	case 1: { /* alloc */
		uint64_t size = f->pool_size[p];
		if (!f->pool[p])
			return KMM_OK;
		if (size > (uint64_t)-1 - FUZZ_CACHES)
			size = f->cache_size[(uint64_t)-1 - size];
		st = kmm_mempool_alloc(f->m, f->pool[p], KMM_GFP_KERNEL, &va);
		if (st != KMM_OK)
			return st;
		if (kmm_virt_to_phys(f->m, va, &pa) != KMM_OK)
			fuzz_fail(f, "a pool element outside the linear map");
		track(f,
		      (struct live){
			      .kind = K_POOL, .pa = pa, .va = va, .size = size, .owner = (int)p},
		      false);
		return st;
	}
	case 2:
		return f->pool[p] ? kmm_mempool_resize(f->m, f->pool[p], min_nr) : KMM_OK;
	case 3: { /* destroy: its elements first */
		int min = -1, curr = -1;
		if (!f->pool[p])
			return KMM_OK;
		for (int i = 0; i < FUZZ_MAX_LIVE; i++)
			if (f->live[i].kind == K_POOL && f->live[i].owner == (int)p)
				live_free(f, &f->live[i], false);
		st = kmm_mempool_info(f->m, f->pool[p], &min, &curr);
		if (st != KMM_OK || curr > min || curr < 0)
			fuzz_fail(f, "mempool reserve fill out of range");
		st = kmm_mempool_destroy(f->m, f->pool[p]);
		if (st == KMM_OK) {
			f->stale_pool = f->pool[p];
			f->pool[p] = 0;
		}
		return st;
	}
	default:
		return kmm_mempool_info(f->m, f->pool[p] ? f->pool[p] : 12345, &min_nr, &min_nr);
	}
}

static enum kmm_status op_vmalloc(struct fuzz *f)
{
	unsigned what = in_u8(&f->in) % 5;
	size_t size = in_u16(&f->in) * 4u;
	kmm_va_t va;
	enum kmm_status st;

	f->warns_einval = true; /* vmalloc(0) and ioremap of RAM: -EINVAL with a WARN */
	switch (what) {
	case 0:
	case 1:
		st = what ? kmm_vzalloc(f->m, size, &va) : kmm_vmalloc(f->m, size, &va);
		if (st == KMM_OK)
			track(f, (struct live){.kind = K_VMALLOC, .va = va, .size = size}, what);
		return st;
	case 2: { /* vmap pages of our own, read them through the mapping, unmap, free */
		kmm_pfn_t pfns[4], got;
		unsigned n = 1 + in_u8(&f->in) % 4, done = 0;
		for (; done < n; done++)
			if (kmm_alloc_pages(f->m, KMM_GFP_KERNEL | KMM___GFP_NOWARN, 0,
					    &pfns[done]) != KMM_OK)
				break;
		st = done ? kmm_vmap(f->m, pfns, done, &va) : KMM_OK;
		if (done && st == KMM_OK) {
			for (unsigned i = 0; i < done; i++)
				if (kmm_vmalloc_to_pfn(f->m, va + i * KMM_PAGE_SIZE, &got) !=
					    KMM_OK ||
				    got != pfns[i])
					fuzz_fail(f, "vmap maps another page");
			if (kmm_vunmap(f->m, va) != KMM_OK)
				fuzz_fail(f, "vunmap of a live vmap failed");
		}
		for (unsigned i = 0; i < done; i++)
			if (kmm_free_pages(f->m, pfns[i], 0) != KMM_OK)
				fuzz_fail(f, "freeing a vmapped page failed");
		return st;
	}
	case 3: { /* ioremap of the board's device range, or of RAM (refused) */
		bool ram = in_u8(&f->in) & 1;
		kmm_pa_t pa = ram ? f->pfn_lo << KMM_PAGE_SHIFT
				  : f->mmio_base + (size % (f->mmio_size ? f->mmio_size : 1));
		st = kmm_ioremap(f->m, pa, 1 + size % 8192, &va);
		if (st == KMM_OK && kmm_iounmap(f->m, va) != KMM_OK)
			fuzz_fail(f, "iounmap of a live ioremap failed");
		return st;
	}
	default:
		return kmm_vm_unmap_aliases(f->m);
	}
}

static enum kmm_status op_misc(struct fuzz *f)
{
	static const char *const sysctls[][2] = {
		{"vm.min_free_kbytes", "1024"},
		{"vm.min_free_kbytes", "0"},
		{"vm.min_free_kbytes", "-5"},
		{"vm.watermark_scale_factor", "300"},
		{"vm.watermark_scale_factor", "0"},
		{"vm.watermark_boost_factor", "0"},
		{"vm.lowmem_reserve_ratio", "64 64 8 0"},
		{"vm.lowmem_reserve_ratio", "1 x"},
		{"vm.percpu_pagelist_high_fraction", "8"},
		{"vm.percpu_pagelist_high_fraction", "1"},
		{"vm.percpu_pagelist_high_fraction", "0"},
		{"vm.nonexistent", "1"},
	};
	static const char *const views[] = {
		"/proc/buddyinfo",  "/proc/zoneinfo",	 "/proc/meminfo",
		"/proc/slabinfo",   "/proc/vmallocinfo", "/proc/pagetypeinfo",
		"/proc/vmstat",	    "/proc/iomem",	 "/sys/kernel/debug/tracing/trace",
		"/proc/nonexistent"};
	static const char *const events[] = {"all", "kmem", "mm_page_alloc", "vmalloc", "none"};
	static char buf[65536];
	unsigned what = in_u8(&f->in) % 6, b = in_u8(&f->in);
	enum kmm_status st;

	switch (what) {
	case 0:
		f->op = "cpu_set";
		st = kmm_cpu_set(f->m, b % (f->nr_cpus + 1));
		return st;
	case 1:
		f->op = "sysctl";
		return kmm_sysctl(f->m, sysctls[b % 12][0], sysctls[b % 12][1]);
	case 2:
		f->op = "trace";
		st = kmm_trace_enable(f->m, events[b % 5], b & 0x80);
		if (b & 0x40)
			kmm_trace_clear(f->m);
		return st;
	case 3: { /* a view, into a buffer sometimes too small */
		size_t len = b & 0x80 ? 1 + b % 64 : sizeof(buf);
		st = kmm_proc_read(f->m, views[b % 10], buf, len);
		return st == KMM_ERANGE || st == KMM_ENOENT ? KMM_OK : st;
	}
	case 4:
		f->op = "drain";
		return kmm_drain_all_pages(f->m);
	default: { /* get_page then a free, or split_page of a non-compound block */
		struct live *l = pick_live(f);
		struct kmm_page_info pi;
		if (!l || l->kind != K_PAGES)
			return KMM_OK;
		if (kmm_page_info(f->m, l->pa >> KMM_PAGE_SHIFT, &pi) != KMM_OK)
			fuzz_fail(f, "page_info of a live page failed");
		f->op = b & 1 ? "get_page" : "split_page";
		if (b & 1) {
			st = kmm_get_page(f->m, l->pa >> KMM_PAGE_SHIFT);
			if (st == KMM_OK)
				st = kmm_free_pages(f->m, l->pa >> KMM_PAGE_SHIFT, l->order);
			if (st == KMM_OK && !pi.compound_head && l->order) {
				/* __free_pages() with the first page still referenced frees the
				 * rest of a non-compound block: the first page is what is left */
				l->order = 0;
				l->size = KMM_PAGE_SIZE;
				live_pattern(f, l, true);
			}
			return st;
		}
		if (pi.compound_head || l->order == 0)
			return KMM_OK;
		st = kmm_split_page(f->m, l->pa >> KMM_PAGE_SHIFT, l->order);
		if (st == KMM_OK) { /* now 2^order order-0 pages: book the first, free the rest */
			for (kmm_pfn_t i = 1; i < (1u << l->order); i++)
				if (kmm_free_pages(f->m, (l->pa >> KMM_PAGE_SHIFT) + i, 0) !=
				    KMM_OK)
					fuzz_fail(f, "freeing a split page failed");
			l->order = 0;
			l->size = KMM_PAGE_SIZE;
			live_pattern(f, l, true);
		}
		return st;
	}
	}
}

/*
 * Tasks: create, mmap (prot and flags from tables that include refused bits), touch (a word
 * stored must load back), munmap (sometimes unaligned), fork, exit, brk, wild accesses (a
 * SIGSEGV: KMM_EFAULT, the task stopped; its next access is refused the same way), and
 * oom_score_adj writes in and out of range (a refused one changes nothing).
 */
static enum kmm_status op_task(struct fuzz *f)
{
	static const int prots[] = {KMM_PROT_READ | KMM_PROT_WRITE, KMM_PROT_READ, KMM_PROT_NONE,
				    KMM_PROT_READ | KMM_PROT_EXEC, 0x40 /* unknown */};
	static const int flags[] = {KMM_MAP_PRIVATE | KMM_MAP_ANONYMOUS,
				    KMM_MAP_SHARED | KMM_MAP_ANONYMOUS,
				    KMM_MAP_PRIVATE | KMM_MAP_ANONYMOUS | KMM_MAP_POPULATE,
				    KMM_MAP_PRIVATE | KMM_MAP_ANONYMOUS | KMM_MAP_NORESERVE,
				    KMM_MAP_PRIVATE | KMM_MAP_ANONYMOUS | 0x800000 /* unknown */};
	static const char *const names[] = {
		"task_create", "task_mmap", "task_touch", "task_munmap",     "task_fork",
		"task_exit",   "task_wild", "task_brk",	  "task_store_load", "task_oom_score_adj"};
	unsigned what = in_u8(&f->in) % 10, slot = in_u8(&f->in) % FUZZ_TASKS;
	kmm_pid_t *pid = &f->task[slot], child;

	f->op = names[what];
	f->fmap_len[slot] = 0; /* the task's mappings may change: forget its file mapping */
	uint64_t done, v, len;
	enum kmm_status st;
	kmm_va_t va;

	if (!*pid && what != 0)
		return KMM_OK;
	switch (what) {
	case 0:
		if (*pid)
			return KMM_OK;
		st = kmm_task_create(f->m, "fuzz", in_u8(&f->in) % f->nr_cpus, pid);
		f->task_len[slot] = 0;
		return st;
	case 1:
		len = (uint64_t)(in_u8(&f->in) % 16 + 1) << 12;
		st = kmm_mmap(f->m, *pid, 0, len, prots[in_u8(&f->in) % 5],
			      flags[in_u8(&f->in) % 5], -1, 0, &va);
		if (!st) {
			f->task_va[slot] = va;
			f->task_len[slot] = len;
		}
		return st;
	case 2:
		if (!f->task_len[slot])
			return KMM_OK;
		f->task_pat[slot] = 0x1000 + in_u8(&f->in);
		st = kmm_task_touch(f->m, *pid, in_u8(&f->in) % 3, f->task_va[slot],
				    f->task_len[slot], 8u << (in_u8(&f->in) % 10),
				    in_u8(&f->in) % 3, f->task_pat[slot], &done);
		return st;
	case 3:
		if (!f->task_len[slot])
			return KMM_OK;
		st = kmm_munmap(f->m, *pid, f->task_va[slot] + (in_u8(&f->in) & 1 ? 1 : 0),
				f->task_len[slot] / 2);
		if (!st)
			f->task_len[slot] = 0;
		return st;
	case 4:
		for (unsigned i = 0; i < FUZZ_TASKS; i++) {
			if (!f->task[i]) {
				st = kmm_task_fork(f->m, *pid, &child);
				if (!st) {
					f->task[i] = child;
					f->fmap_len[i] = 0;
					f->task_va[i] = f->task_va[slot];
					f->task_len[i] = f->task_len[slot];
				}
				return st;
			}
		}
		return KMM_OK;
	case 5:
		st = kmm_task_exit(f->m, *pid, in_u8(&f->in));
		*pid = 0;
		return st;
	case 6: /* wild: the kernel half, or low memory nothing maps */
		va = in_u8(&f->in) & 1 ? 0xffff000000001000ull : (uint64_t)in_u16(&f->in) << 12;
		return kmm_task_access(f->m, *pid, KMM_ACCESS_LOAD, va, &v, 8, NULL);
	case 7:
		return kmm_brk(f->m, *pid, 0x498000 + ((uint64_t)in_u8(&f->in) << 12), &va);
	case 8: { /* -1100..1100: the ends are refused, the value read back is the last good */
		int adj = (int)(in_u16(&f->in) % 2201) - 1100, before = 0, after = 0;

		if (kmm_task_oom_score(f->m, *pid, &before, NULL))
			return KMM_OK;
		st = kmm_task_set_oom_score_adj(f->m, *pid, adj);
		if (kmm_task_oom_score(f->m, *pid, &after, NULL) == KMM_OK &&
		    after != (st ? before : adj))
			fuzz_fail(f, "oom_score_adj did not read back as written (or changed when "
				     "refused)");
		return st;
	}
	default: /* a store, then a load of the same word: the value must come back */
		if (!f->task_len[slot])
			return KMM_OK;
		va = f->task_va[slot] + ((in_u16(&f->in) * 8u) % f->task_len[slot]);
		v = 0x5eed0000u + slot;
		st = kmm_task_access(f->m, *pid, KMM_ACCESS_STORE, va, &v, 8, NULL);
		if (st)
			return st;
		v = 0;
		st = kmm_task_access(f->m, *pid, KMM_ACCESS_LOAD, va, &v, 8, NULL);
		if (!st && v != 0x5eed0000u + slot)
			fuzz_fail(f, "a task's store did not load back");
		return st;
	}
}

/* Deliberate misuse: the kernel reports it (or dies of it); the books stay right. */
static enum kmm_status op_misuse(struct fuzz *f)
{
	unsigned what = in_u8(&f->in) % 7;
	struct live *l;
	kmm_va_t va;

	f->misuse = true;
	switch (what) {
	case 0: /* double free, right after the free (nothing reused the memory yet) */
		l = pick_live(f);
		/* not of pool elements (the kernel cannot see it: the reserve holds one twice),
		 * nor of ranges (contig, CMA, exact: unchecked in the kernel too) */
		if (!l || (l->kind != K_PAGES && l->kind != K_KMALLOC && l->kind != K_CACHE &&
			   l->kind != K_VMALLOC))
			return KMM_OK;
		f->misuse = false;
		return live_free(f, l, true);
	case 1: /* kfree of a misaligned pointer inside a live slab object (not of a large
		 * kmalloc above 8 KiB: the kernel frees the pages whatever the offset) */
		l = pick_live(f);
		if (!l || (l->kind != K_KMALLOC && l->kind != K_CACHE) || l->size < 2 ||
		    l->size > 8192)
			return KMM_OK;
		return kmm_kfree(f->m, l->va + 1 + in_u8(&f->in) % (l->size - 1));
	case 2: /* wild pointers: outside the linear map's RAM */
		va = 0xffff000000000000ull | (uint64_t)(in_u16(&f->in) | 1) << 36;
		if (in_u8(&f->in) & 1)
			return kmm_kfree(f->m, va);
		return kmm_free_pages(f->m, f->pfn_hi + in_u8(&f->in), 0);
	case 3: /* vfree of something that is no area */
		return kmm_vfree(f->m,
				 KMM_VMALLOC_START + (uint64_t)in_u16(&f->in) * 0x10000000ull);
	case 4: /* stale cache handle */
		return f->stale_cache ? kmm_kmem_cache_alloc(f->m, f->stale_cache, 0, &va) : KMM_OK;
	case 5: /* stale pool handle */
		return f->stale_pool ? kmm_mempool_alloc(f->m, f->stale_pool, 0, &va) : KMM_OK;
	default: /* ksize of a non-object (a warning and 0) */
	{
		size_t ks;
		return kmm_ksize(f->m, 0xffff0000deadbe00ull, &ks);
	}
	}
}

/*
 * Swap devices: swapon/swapoff of zram and plain devices with fuzzed sizes, flags and names,
 * the stats and the views. Every refusal is a status; the machine must stay consistent.
 */
static enum kmm_status op_swap(struct fuzz *f)
{
	static const char *const names[] = {"/dev/zram0", "/dev/zram1", "/dev/vdb", "/dev/vdc"};
	static char buf[4096];
	unsigned what = in_u8(&f->in) % 5, b = in_u8(&f->in);
	struct kmm_swap_config c = {.name = names[b % 4]};
	enum kmm_status st;

	switch (what) {
	case 0:
	case 1:
		f->op = "swapon";
		c.kind = c.name[5] == 'z' ? KMM_SWAP_ZRAM : KMM_SWAP_PLAIN;
		c.bytes = (uint64_t)in_u16(&f->in) << (b & 0x80 ? 12 : 8); /* up to 256 MiB */
		c.swap_flags = b & 0x40 ? KMM_SWAP_FLAG_PREFER | (int)in_u8(&f->in) : 0;
		if (b & 0x20)
			c.swap_flags |= (int)in_u8(&f->in) << 16; /* discard bits, or bad ones */
		st = kmm_swapon(f->m, &c);
		return st == KMM_EINVAL || st == KMM_EBUSY || st == KMM_ENOMEM ? KMM_OK : st;
	case 2:
		f->op = "swapoff";
		st = kmm_swapoff(f->m, c.name);
		return st == KMM_EINVAL || st == KMM_EBUSY || st == KMM_ENOMEM ? KMM_OK : st;
	case 3: {
		struct kmm_swap_stats ss;
		struct kmm_zram_stat zs;
		f->op = "swap_stats";
		if ((st = kmm_swap_stats(f->m, &ss)))
			return st;
		if (ss.free_kb > ss.total_kb)
			fuzz_fail(f, "SwapFree above SwapTotal");
		st = kmm_zram_stat(f->m, c.name, &zs);
		return st == KMM_ENOENT ? KMM_OK : st;
	}
	default:
		f->op = "swap views";
		st = kmm_proc_read(f->m, b & 1 ? "/proc/swaps" : "/sys/block/zram0/mm_stat", buf,
				   sizeof(buf));
		return st == KMM_ENOENT ? KMM_OK : st;
	}
}

/*
 * The rest of the mmap family on a task's mapping: madvise (every advice, and unknown ones),
 * mprotect, mremap (in place or moving), mlock/mlock2/munlock/mlockall/munlockall, msync,
 * mincore (its vector checked against the range), get_user_pages (pinned or not) put back at
 * once. Refusals are statuses; the store/load check of op_task keeps working afterwards.
 */
static enum kmm_status op_vm(struct fuzz *f)
{
	static const int advices[] = {KMM_MADV_NORMAL,	       KMM_MADV_RANDOM,
				      KMM_MADV_SEQUENTIAL,     KMM_MADV_WILLNEED,
				      KMM_MADV_DONTNEED,       KMM_MADV_FREE,
				      KMM_MADV_REMOVE,	       KMM_MADV_DONTFORK,
				      KMM_MADV_DOFORK,	       KMM_MADV_HUGEPAGE,
				      KMM_MADV_NOHUGEPAGE,     KMM_MADV_WIPEONFORK,
				      KMM_MADV_KEEPONFORK,     KMM_MADV_COLD,
				      KMM_MADV_PAGEOUT,	       KMM_MADV_POPULATE_READ,
				      KMM_MADV_POPULATE_WRITE, KMM_MADV_DONTNEED_LOCKED,
				      KMM_MADV_COLLAPSE,       99 /* unknown */};
	static const char *const names[] = {"madvise",	"mprotect", "mremap",  "mlock", "munlock",
					    "mlockall", "msync",    "mincore", "gup"};
	unsigned what = in_u8(&f->in) % 9, slot = in_u8(&f->in) % FUZZ_TASKS;
	kmm_pid_t pid = f->task[slot];
	uint64_t len = f->task_len[slot], off, n;
	kmm_va_t va = f->task_va[slot], out;
	enum kmm_status st;

	f->op = names[what];
	if (!pid || !len)
		return KMM_OK;
	off = ((uint64_t)in_u8(&f->in) << 12) % len;
	n = ((uint64_t)(in_u8(&f->in) % 16) + 1) << 12;
	if (in_u8(&f->in) == 0xff)
		n += 1; /* an unaligned length: the kernel rounds it up */
	switch (what) {
	case 0:
		return kmm_madvise(f->m, pid, va + off, n,
				   advices[in_u8(&f->in) % (sizeof(advices) / sizeof(advices[0]))]);
	case 1:
		return kmm_mprotect(f->m, pid, va + off, n,
				    in_u8(&f->in) & 1 ? KMM_PROT_READ
						      : KMM_PROT_READ | KMM_PROT_WRITE);
	case 2: {
		uint64_t nl = ((uint64_t)(in_u8(&f->in) % 32) + 1) << 12;

		st = kmm_mremap(f->m, pid, va, len, nl, in_u8(&f->in) & 1 ? KMM_MREMAP_MAYMOVE : 0,
				0, &out);
		if (!st) {
			f->task_va[slot] = out;
			f->task_len[slot] = nl;
			f->fmap_len[slot] = 0;
		}
		return st;
	}
	case 3:
		return in_u8(&f->in) & 1 ? kmm_mlock(f->m, pid, va + off, n)
					 : kmm_mlock2(f->m, pid, va + off, n, KMM_MLOCK_ONFAULT);
	case 4:
		return kmm_munlock(f->m, pid, va + off, n);
	case 5:
		return in_u8(&f->in) & 1
			       ? kmm_mlockall(f->m, pid, KMM_MCL_CURRENT | KMM_MCL_ONFAULT)
			       : kmm_munlockall(f->m, pid);
	case 6:
		return kmm_msync(f->m, pid, va + off, n,
				 in_u8(&f->in) & 1 ? KMM_MS_SYNC
						   : KMM_MS_ASYNC | KMM_MS_INVALIDATE);
	case 7: {
		uint8_t vec[18]; /* up to 17 pages (16 and a byte), and the guard */

		memset(vec, 0xaa, sizeof(vec));
		st = kmm_mincore(f->m, pid, va + off, n, vec);
		if (!st && vec[(n + 4095) >> 12] != 0xaa)
			fuzz_fail(f, "mincore wrote past the range's pages");
		return st;
	}
	default: {
		kmm_pfn_t pfns[16];
		uint64_t got = 0, nr = (n >> 12) > 16 ? 16 : n >> 12;
		unsigned gf = in_u8(&f->in) & 1 ? KMM_FOLL_PIN | KMM_FOLL_WRITE : KMM_FOLL_WRITE;

		st = kmm_get_user_pages(f->m, pid, va + off, nr, gf, pfns, &got);
		if (got > nr)
			fuzz_fail(f, "get_user_pages returned more pages than asked");
		for (uint64_t i = 0; i < got; i++)
			if (kmm_put_user_page(f->m, pfns[i], gf))
				fuzz_fail(f, "put_user_page of a page get_user_pages gave");
		return st;
	}
	}
}

/*
 * Files: memfd_create (with or without sealing), seals (a refused one changes nothing), a
 * file created with contents on tmpfs or on the store-backed /mnt/disk, pwrite/pread round
 * trips through the page cache (and, when the task maps the file shared, the same bytes
 * loaded through the mapping), truncate, fsync, a shared or private mapping of the file at
 * an offset (the task's mapping becomes it), close, unlink while mapped.
 */
static const char *const fuzz_paths[] = {"/tmp/fuzz", "/mnt/disk/fuzz"};

/* The bytes [@off, @off + @n) of the file as the task's shared mapping of it loads them. */
static void file_map_coherent(struct fuzz *f, unsigned slot, uint64_t off, const uint8_t *want,
			      uint64_t n)
{
	struct kmm_task_info ti;
	uint8_t got[256];

	if (!f->fmap_len[slot] || off < f->fmap_off[slot] ||
	    off + n > f->fmap_off[slot] + f->fmap_len[slot] || n > sizeof(got))
		return;
	if (kmm_task_info(f->m, f->task[slot], &ti) || ti.state == 'T')
		return; /* stopped by an earlier signal: its accesses are refused */
	if (kmm_task_access(f->m, f->task[slot], KMM_ACCESS_LOAD,
			    f->fmap_va[slot] + off - f->fmap_off[slot], got, (size_t)n, NULL))
		fuzz_fail(f, "a load of a shared file mapping inside the file faulted");
	if (memcmp(got, want, (size_t)n))
		fuzz_fail(f, "a shared mapping and pread disagree about the file's bytes");
}

static enum kmm_status op_file(struct fuzz *f)
{
	static const char *const names[] = {"memfd_create",  "file_create", "file_rw",
					    "file_truncate", "memfd_seal",  "file_mmap",
					    "file_close",    "file_fsync"};
	unsigned what = in_u8(&f->in) % 8, slot = in_u8(&f->in) % FUZZ_TASKS;
	kmm_pid_t pid = f->task[slot];
	int *fd = &f->task_fd[slot];
	uint64_t done, size;
	enum kmm_status st;
	uint8_t buf[256], got[256];

	f->op = names[what];
	if (!pid)
		return KMM_OK;
	switch (what) {
	case 0:
		if (*fd >= 0)
			return KMM_OK;
		return kmm_memfd_create(f->m, pid, "fuzz",
					in_u8(&f->in) & 1 ? KMM_MFD_ALLOW_SEALING : 0, fd);
	case 1: {
		const char *path = fuzz_paths[in_u8(&f->in) & 1];

		if (*fd >= 0)
			return KMM_OK;
		size = (uint64_t)in_u16(&f->in) % (64u << 10);
		st = kmm_file_create(f->m, path, NULL, size);
		if (st)
			return st;
		return kmm_file_open(f->m, pid, path, KMM_O_RDWR, fd);
	}
	case 2: {
		uint64_t off = (uint64_t)in_u16(&f->in) % (64u << 10);

		if (*fd < 0)
			return KMM_OK;
		pat_fill(buf, sizeof(buf), (uint8_t)in_u8(&f->in));
		st = kmm_file_pwrite(f->m, pid, *fd, buf, sizeof(buf), off, &done);
		if (st || done != sizeof(buf))
			return st; /* a seal refuses it */
		st = kmm_file_pread(f->m, pid, *fd, got, sizeof(got), off, &done);
		if (!st && (done != sizeof(got) || memcmp(buf, got, sizeof(buf))))
			fuzz_fail(f, "a file's bytes did not read back as written");
		if (!st)
			file_map_coherent(f, slot, off, buf, sizeof(buf));
		return st;
	}
	case 3:
		if (*fd < 0)
			return KMM_OK;
		return kmm_file_truncate(f->m, pid, *fd, (uint64_t)in_u16(&f->in) % (96u << 10));
	case 4: {
		int seals = in_u8(&f->in) & 0x1f, before = 0, after = 0;

		if (*fd < 0)
			return KMM_OK;
		if (kmm_memfd_get_seals(f->m, pid, *fd, &before))
			return KMM_OK; /* not a memfd */
		st = kmm_memfd_add_seals(f->m, pid, *fd, seals);
		if (!kmm_memfd_get_seals(f->m, pid, *fd, &after) &&
		    after != (st ? before : before | seals))
			fuzz_fail(f, "seals did not read back as added (or changed when refused)");
		return st;
	}
	case 5: {
		kmm_va_t va;
		uint64_t len = (uint64_t)(in_u8(&f->in) % 16 + 1) << 12;
		uint8_t how = in_u8(&f->in);
		uint64_t off = (uint64_t)(how >> 2 & 3) << 12;
		bool shared = !(how & 1);

		if (*fd < 0)
			return KMM_OK;
		st = kmm_mmap(f->m, pid, 0, len,
			      how & 2 ? KMM_PROT_READ : KMM_PROT_READ | KMM_PROT_WRITE,
			      shared ? KMM_MAP_SHARED : KMM_MAP_PRIVATE, *fd, off, &va);
		if (!st) {
			f->task_va[slot] = va;
			f->task_len[slot] = len;
			f->fmap_va[slot] = va;
			f->fmap_len[slot] = shared ? len : 0;
			f->fmap_off[slot] = off;
		}
		return st;
	}
	case 6:
		if (*fd < 0)
			return KMM_OK;
		st = kmm_file_close(f->m, pid, *fd);
		*fd = -1;
		f->fmap_len[slot] = 0; /* the next descriptor may be another file */
		if (!st && in_u8(&f->in) & 1) {
			st = kmm_file_unlink(f->m, fuzz_paths[0]);
			if (st == KMM_OK || st == KMM_ENOENT)
				st = kmm_file_unlink(f->m, fuzz_paths[1]);
		}
		return st == KMM_ENOENT ? KMM_OK : st;
	default:
		if (*fd < 0)
			return KMM_OK;
		return kmm_file_fsync(f->m, pid, *fd);
	}
}

/*
 * get_user_pages and pin_user_pages held across operations: a reference or pin taken with
 * flags from a table (FOLL_WRITE breaks COW, FOLL_LONGTERM, and flags the kernel refuses),
 * kept while the task maps, unmaps, forks, truncates and exits around it, released by a
 * later operation or at the end of the input. A release the harness does not hold (twice,
 * or with other flags) must be refused.
 */
static enum kmm_status op_gup(struct fuzz *f)
{
	static const unsigned gflags[] = {
		0,
		KMM_FOLL_WRITE,
		KMM_FOLL_PIN,
		KMM_FOLL_PIN | KMM_FOLL_WRITE,
		KMM_FOLL_PIN | KMM_FOLL_LONGTERM,
		KMM_FOLL_PIN | KMM_FOLL_WRITE | KMM_FOLL_LONGTERM,
		KMM_FOLL_LONGTERM,
		KMM_FOLL_WRITE | KMM_FOLL_FORCE,
		0x20000000 /* unknown */,
	};
	unsigned what = in_u8(&f->in) % 3, slot = in_u8(&f->in) % FUZZ_TASKS;
	enum kmm_status st;

	f->op = what == 0 ? "gup_hold" : what == 1 ? "gup_release" : "gup_release_twice";
	if (what == 0) {
		kmm_pfn_t pfns[8];
		uint64_t got = 0, len = f->task_len[slot];
		uint64_t off = len ? ((uint64_t)in_u8(&f->in) << 12) % len : 0;
		uint64_t nr = in_u8(&f->in) % 8 + 1;
		unsigned gf = gflags[in_u8(&f->in) % (sizeof(gflags) / sizeof(gflags[0]))];

		if (!f->task[slot] || !len || f->nr_held + nr > FUZZ_HELD)
			return KMM_OK;
		st = kmm_get_user_pages(f->m, f->task[slot], f->task_va[slot] + off, nr, gf, pfns,
					&got);
		if (got > nr)
			fuzz_fail(f, "get_user_pages returned more pages than asked");
		for (uint64_t i = 0; i < got; i++) {
			f->held_pfn[f->nr_held] = pfns[i];
			f->held_flags[f->nr_held++] = gf;
		}
		return st;
	}
	if (!f->nr_held)
		return KMM_OK;
	unsigned i = in_u8(&f->in) % f->nr_held;
	kmm_pfn_t pfn = f->held_pfn[i];
	unsigned gf = f->held_flags[i];

	f->held_pfn[i] = f->held_pfn[--f->nr_held];
	f->held_flags[i] = f->held_flags[f->nr_held];
	if ((st = kmm_put_user_page(f->m, pfn, gf)))
		fuzz_fail(f, "put_user_page of a page get_user_pages gave");
	if (what == 2) {
		bool held_again = false;

		for (unsigned j = 0; j < f->nr_held; j++)
			held_again |= f->held_pfn[j] == pfn && f->held_flags[j] == gf;
		if (!held_again && kmm_put_user_page(f->m, pfn, gf) == KMM_OK)
			fuzz_fail(f, "a second put_user_page of one reference was accepted");
	}
	return KMM_OK;
}

/* Gives back every reference and pin the harness holds (before the machine goes). */
static void gup_release_all(struct fuzz *f)
{
	while (f->nr_held) {
		f->nr_held--;
		if (kmm_put_user_page(f->m, f->held_pfn[f->nr_held], f->held_flags[f->nr_held]))
			fuzz_fail(f, "put_user_page of a held page at the end");
	}
}

/*
 * The machine's own calls: compaction of a node or zone (absent ones refused), idle time
 * for kswapd, kcompactd and I/O completions, hugetlb pool sizes through sysctl, and the
 * stats API (each zone's free lists, isolated blocks aside, sum to its free pages).
 */
static enum kmm_status op_machine(struct fuzz *f)
{
	static const char *const zones[] = {NULL, "DMA", "DMA32", "Normal", "Movable", "Bogus"};
	static const char *const nr_huge[] = {"0", "4", "16", "1000000", "-1"};
	unsigned what = in_u8(&f->in) % 4;
	enum kmm_status st;

	switch (what) {
	case 0:
		f->op = "compact";
		st = kmm_compact(f->m, (int)(in_u8(&f->in) % 3) - 1, zones[in_u8(&f->in) % 6]);
		return st;
	case 1:
		f->op = "idle";
		return kmm_idle(f->m, (uint64_t)in_u16(&f->in) * 100000u);
	case 2:
		f->op = "nr_hugepages";
		st = kmm_sysctl(f->m, "vm.nr_hugepages", nr_huge[in_u8(&f->in) % 5]);
		return st;
	default: {
		unsigned nz = kmm_stats_nr_zones(f->m);
		struct kmm_zone_stats zs;

		f->op = "stats_zone";
		for (unsigned i = 0; i < nz; i++) {
			uint64_t sum = 0;

			if ((st = kmm_stats_zone(f->m, i, &zs)))
				return st;
			/* isolated pageblocks' free pages are not counted free (6.1) */
			for (unsigned o = 0; o < KMM_MAX_ORDER; o++)
				sum += (zs.free_blocks[o] -
					zs.free_blocks_mt[o][KMM_MIGRATE_ISOLATE])
				       << o;
			if (sum != zs.free_pages)
				fuzz_fail(f, "a zone's free lists do not sum to its free pages");
		}
		if (kmm_stats_zone(f->m, nz, &zs) != KMM_ENOENT)
			fuzz_fail(f, "kmm_stats_zone past the last zone is not KMM_ENOENT");
		return KMM_OK;
	}
	}
}

static const struct {
	const char *name;
	enum kmm_status (*fn)(struct fuzz *f);
} ops[] = {
	{"alloc_pages", op_alloc_pages},
	{"alloc_pages", op_alloc_pages},
	{"free", NULL},
	{"free", NULL},
	{"bulk", op_bulk},
	{"exact", op_exact},
	{"contig", op_contig},
	{"cma", op_cma},
	{"isolate", op_isolate},
	{"kmalloc", op_kmalloc},
	{"kmalloc", op_kmalloc},
	{"cache", op_cache},
	{"cache", op_cache},
	{"mempool", op_pool},
	{"vmalloc", op_vmalloc},
	{"misc", op_misc},
	{"misuse", op_misuse},
	{"task", op_task},
	{"task", op_task},
	{"swap", op_swap},
	{"vm", op_vm},
	{"vm", op_vm},
	{"file", op_file},
	{"machine", op_machine},
	{"file", op_file},
	{"gup", op_gup},
};

/* ---- one input --------------------------------------------------------------------------- */

static void snapshot(struct fuzz *f, char *buf, size_t len, uint64_t *reports)
{
	if (kmm_proc_read(f->m, "/proc/buddyinfo", buf, len) != KMM_OK)
		fuzz_fail(f, "cannot read /proc/buddyinfo");
	*reports = kmm_report_count(f->m);
}

static void verify_books(struct fuzz *f)
{
	for (int i = 0; i < FUZZ_MAX_LIVE; i++) {
		const struct live *l = &f->live[i];
		if (l->kind != K_NONE && !live_pattern(f, l, false)) {
			fprintf(stderr,
				"fuzz_api: kind %d pa 0x%llx va 0x%llx size %llu order %u\n",
				l->kind, (unsigned long long)l->pa, (unsigned long long)l->va,
				(unsigned long long)l->size, l->order);
			fuzz_fail(f, "a live allocation's pattern changed");
		}
	}
}

static bool machine_up(struct fuzz *f, uint8_t pick)
{
	struct kmm_config cfg;
	struct kmm_mmio_range mmio[8];
	unsigned i = pick % (sizeof(machines) / sizeof(machines[0]));

	kmm_config_init(&cfg);
	if (kmm_config_set_ram(&cfg, (uint64_t)machines[i].mib << 20) != KMM_OK ||
	    kmm_config_append(&cfg, machines[i].append) != KMM_OK)
		fuzz_fail(f, "config");
	cfg.nr_cpus = machines[i].cpus;
	cfg.seed = 1 + (pick >> 4);
	if (kmm_machine_create(&cfg, &f->m) != KMM_OK)
		fuzz_fail(f, "the machine does not boot");
	f->nr_cpus = machines[i].cpus;
	f->pfn_lo = KMM_VIRT_RAM_BASE >> KMM_PAGE_SHIFT;
	f->pfn_hi = f->pfn_lo + ((uint64_t)machines[i].mem_mib << (20 - KMM_PAGE_SHIFT));
	if (kmm_config_mmio_layout(&cfg, mmio, 8) > 0) {
		f->mmio_base = mmio[0].base;
		f->mmio_size = mmio[0].size;
	}
	return true;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct fuzz fz;
	static char before[4096], after[4096];
	struct fuzz *f = &fz;
	unsigned nops = 0;
	bool trace = getenv("KMM_FUZZ_TRACE") != NULL; /* each operation to stderr */

	if (size < 1)
		return 0;
	memset(f, 0, sizeof(*f));
	for (unsigned i = 0; i < FUZZ_TASKS; i++)
		f->task_fd[i] = -1;
	f->in = (struct input){data, size, 1};
	f->op = "create";
	machine_up(f, data[0]);
	while (f->in.pos < f->in.n && nops++ < FUZZ_MAX_OPS) {
		unsigned o = in_u8(&f->in) % (sizeof(ops) / sizeof(ops[0]));
		uint64_t r0, r1;
		enum kmm_status st;

		f->op = ops[o].name;
		f->misuse = false;
		f->warns_einval = false;
		snapshot(f, before, sizeof(before), &r0);
		if (ops[o].fn) {
			st = ops[o].fn(f);
		} else {
			struct live *l = pick_live(f);
			st = l ? live_free(f, l, false) : KMM_OK;
		}
		if (trace)
			fprintf(stderr, "fuzz_api: op %u %s -> %s%s\n", nops, f->op,
				kmm_status_name(st), f->misuse ? " (misuse)" : "");
		if (kmm_machine_dead(f->m) || st == KMM_EBUG || st == KMM_EDEAD) {
			if (!f->misuse)
				fuzz_fail(f, "the kernel died of a legal sequence");
			break;
		}
		if (st != KMM_OK && !kmm_last_error(f->m)[0])
			fuzz_fail(f, "a failed call left no kmm_last_error");
		if (st == KMM_EINVAL) {
			snapshot(f, after, sizeof(after), &r1);
			if ((r1 != r0 && !f->warns_einval) || strcmp(before, after) != 0)
				fuzz_fail(f, "a refused call changed the machine");
		}
		if (kmm_check(f->m) != KMM_OK)
			fuzz_fail(f, "kmm_check failed");
		verify_books(f);
	}
	if (!kmm_machine_dead(f->m)) {
		f->op = "gup_release_all";
		gup_release_all(f);
		if (kmm_check(f->m) != KMM_OK)
			fuzz_fail(f, "kmm_check failed");
	}
	kmm_machine_destroy(f->m);
	f->m = NULL;
	return 0;
}
