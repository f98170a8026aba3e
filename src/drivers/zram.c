/*
 * zram: a block device whose pages are kept compressed in memory.
 *
 * Each slot of the device has one table entry: nothing, a same-filled page (every 64-bit
 * word equal: only the word is kept, ZRAM_SAME, no memory), a compressed object, or a
 * "huge" object (the page stored whole because its compressed size reached zsmalloc's
 * huge_class_size). The compressed objects live in a zsmalloc pool: objects of a size
 * class (32 bytes up to a page in 16-byte steps, the object plus an 8-byte handle) packed
 * in zspages of 1..4 pages, the count chosen per class for the least waste, classes with
 * the same geometry merged into the larger. mem_used_total is the pool's pages.
 *
 *   /sys/block/zram0/mm_stat:
 *   orig_data_size compr_data_size mem_used_total mem_limit mem_used_max same_pages
 *   pages_compacted huge_pages huge_pages_since        (bytes, bytes, bytes, ..., counts)
 *
 * Models: drivers/block/zram/zram_drv.c (Linux 6.1.192): page_same_filled,
 *         __zram_bvec_write (same-filled, compress, the huge cut-off, mem_limit,
 *         update_used_max), zram_free_page, __zram_bvec_read, zram_slot_free_notify,
 *         mm_stat_show, disksize_show/store (PAGE_ALIGN), comp_algorithm_show;
 *         mm/zsmalloc.c: the size classes (get_size_class_index, get_pages_per_zspage,
 *         can_merge, huge_class_size), zs_get_total_pages.
 * Deviation: the captured kernel compresses with lzo-rle (CONFIG_ZRAM_DEF_COMP="lzo-rle"):
 *         LZO1X-1 whose encoder also emits run-length codes for long zero runs. The model
 *         compresses with liblzo2's lzo1x_1_compress, the same LZO1X-1 format without the
 *         zero-run codes: for pages without long zero runs the sizes are the same, and a
 *         page with long zero runs comes out a few bytes to tens of bytes larger here (one
 *         literal-run code per 16..48 zero bytes instead of one run code); pages that are
 *         entirely zero never reach the compressor (same-filled). comp_algorithm still
 *         reads "[lzo-rle]", the captured kernel's name.
 * The pool's pages come from the buddy allocator as zsmalloc's do (alloc_zspage: one
 * order-0 page at a time with zram's gfp, NR_ZSPAGES counted), so swapping to zram costs
 * simulated RAM: about a page per 2..3 pages stored on typical data. zram first asks
 * without direct reclaim (__GFP_KSWAPD_RECLAIM|__GFP_NOWARN|__GFP_HIGHMEM|__GFP_MOVABLE),
 * then with GFP_NOIO|__GFP_HIGHMEM|__GFP_MOVABLE; under reclaim (PF_MEMALLOC) both may use
 * the reserves. A write whose zspage cannot be had fails with -ENOMEM, nothing changed.
 * Deviation: the zsmalloc pool is counted, not laid out: each class holds
 *         ceil(objects / objs_per_zspage) zspages, i.e. as if always compacted (no
 *         fragmentation from frees; pages_compacted stays 0). The zspages' pages are taken
 *         and given back as that count moves, but the objects' bytes live in host memory
 *         (charged to the machine's budget), not in those pages; the pages are not
 *         migratable (6.1's zsmalloc registers movable_operations), so compaction skips them.
 * Deviation: no writeback to a backing device, no idle/recompression, no per-CPU streams.
 *
 * Invariants (zram_check):
 *  1. pages_stored = entries holding data; same_pages = ZRAM_SAME entries; huge_pages =
 *     ZRAM_HUGE entries; compr_data_size = the sum of the non-same entries' sizes.
 *  2. Each class's object count is the number of entries whose object size maps to it;
 *     pool_pages = the sum over classes of ceil(objects / objs_per_zspage) * pages.
 *  3. mem_used_max >= pool_pages; with a mem_limit, pool_pages <= limit after each write.
 *  4. Each class's page list holds nr_zspages * pages_per_zspage pages, and pool_pages is
 *     the pages on all lists.
 */
#include "drivers/zram.h"

#include "lib/env.h"
#include "lib/sink.h"
#include "mm/gfp.h"
#include "mm/internal.h"
#include "mm/kernel.h"

#include <errno.h>
#include <lzo1x.h>
#include <stdio.h>
#include <string.h>

#define ZRAM_PAGE_SIZE		4096u
#define ZS_HANDLE_SIZE		8u
#define ZS_MIN_ALLOC_SIZE	32u
#define ZS_SIZE_CLASS_DELTA	16u
#define ZS_MAX_PAGES_PER_ZSPAGE 4u
#define ZS_SIZE_CLASSES                                                                            \
	((ZRAM_PAGE_SIZE - ZS_MIN_ALLOC_SIZE + ZS_SIZE_CLASS_DELTA - 1) / ZS_SIZE_CLASS_DELTA + 1)

enum zram_pageflags {
	ZRAM_SAME = 1 << 0,	 /* same-filled: the word is in .element */
	ZRAM_HUGE = 1 << 1,	 /* stored whole */
	ZRAM_ALLOCATED = 1 << 2, /* holds data */
};

struct zram_table_entry {
	uint8_t *handle;  /* the object (host memory), NULL for same-filled */
	uint64_t element; /* the word of a same-filled page */
	uint16_t size;	  /* compressed size (PAGE_SIZE: huge) */
	uint8_t flags;
};

/* One zsmalloc size class after merging (mm/zsmalloc.c: struct size_class). */
struct zs_class {
	uint16_t size, pages_per_zspage, objs_per_zspage;
	unsigned long objs;
	unsigned long nr_zspages; /* zspages held (objs fit in them) */
	struct list_head pages;	  /* their pages, by page->lru */
};

struct zram {
	uint64_t disksize;
	unsigned long nr_pages;
	struct zram_table_entry *table;
	uint64_t limit_pages;
	/* stats (struct zram_stats) */
	uint64_t compr_data_size, pages_stored, same_pages, huge_pages, huge_pages_since;
	uint64_t max_used_pages;
	/* zsmalloc */
	uint8_t class_of[ZS_SIZE_CLASSES]; /* size class index -> merged class */
	struct zs_class classes[ZS_SIZE_CLASSES];
	uint64_t pool_pages;
	size_t huge_class_size; /* zs_huge_class_size() */
	/* LZO1X-1 */
	void *wrkmem;
	uint8_t *cbuf; /* compressed output, worst case */
};

#define ZRAM_CBUF_SIZE (ZRAM_PAGE_SIZE + ZRAM_PAGE_SIZE / 16 + 64 + 3)

/* Models: zsmalloc's get_pages_per_zspage(): the zspage size wasting least. */
static unsigned int get_pages_per_zspage(unsigned int class_size)
{
	unsigned int best = 1, max_usedpc = 0;

	for (unsigned int i = 1; i <= ZS_MAX_PAGES_PER_ZSPAGE; i++) {
		unsigned int zspage_size = i * ZRAM_PAGE_SIZE;
		unsigned int usedpc = (zspage_size - zspage_size % class_size) * 100 / zspage_size;

		if (usedpc > max_usedpc) {
			max_usedpc = usedpc;
			best = i;
		}
	}
	return best;
}

static unsigned int class_size_of(unsigned int i)
{
	unsigned int size = ZS_MIN_ALLOC_SIZE + i * ZS_SIZE_CLASS_DELTA;

	return size > ZRAM_PAGE_SIZE ? ZRAM_PAGE_SIZE : size;
}

size_t zs_huge_class_size(void)
{
	for (int i = (int)ZS_SIZE_CLASSES - 1; i >= 0; i--) {
		unsigned int size = class_size_of((unsigned int)i);
		unsigned int ppz = get_pages_per_zspage(size);

		if (ppz != 1 && ppz * ZRAM_PAGE_SIZE / size != 1)
			return size - (ZS_HANDLE_SIZE - 1);
	}
	return ZRAM_PAGE_SIZE;
}

/* Models: zs_create_pool()'s class set-up with can_merge(). */
static void zs_init_classes(struct zram *zram)
{
	int prev = -1;

	for (int i = (int)ZS_SIZE_CLASSES - 1; i >= 0; i--) {
		unsigned int size = class_size_of((unsigned int)i);
		unsigned int ppz = get_pages_per_zspage(size);
		unsigned int objs = ppz * ZRAM_PAGE_SIZE / size;

		if (prev >= 0 && zram->classes[prev].pages_per_zspage == ppz &&
		    zram->classes[prev].objs_per_zspage == objs) {
			zram->class_of[i] = (uint8_t)prev;
			continue;
		}
		zram->classes[i] =
			(struct zs_class){(uint16_t)size, (uint16_t)ppz, (uint16_t)objs, 0, 0, {0}};
		INIT_LIST_HEAD(&zram->classes[i].pages);
		zram->class_of[i] = (uint8_t)i;
		prev = i;
	}
}

/* Models: get_size_class_index() on the handle-extended size, then the merge. */
static struct zs_class *zs_class_for(struct zram *zram, unsigned int size)
{
	unsigned int idx = 0;

	size += ZS_HANDLE_SIZE;
	if (size > ZS_MIN_ALLOC_SIZE)
		idx = (size - ZS_MIN_ALLOC_SIZE + ZS_SIZE_CLASS_DELTA - 1) / ZS_SIZE_CLASS_DELTA;
	if (idx > ZS_SIZE_CLASSES - 1)
		idx = ZS_SIZE_CLASSES - 1;
	return &zram->classes[zram->class_of[idx]];
}

static unsigned long zs_zspages_needed(const struct zs_class *c)
{
	return (c->objs + c->objs_per_zspage - 1) / c->objs_per_zspage;
}

static uint64_t zs_class_pages(const struct zs_class *c)
{
	return zs_zspages_needed(c) * c->pages_per_zspage;
}

/* Models: free_zspage(): the last zspage's pages go back to the buddy allocator. */
static void zs_free_zspage(struct kmm_kernel *k, struct zram *zram, struct zs_class *c)
{
	for (unsigned int i = 0; i < c->pages_per_zspage; i++) {
		struct page *page = list_first_entry(&c->pages, struct page, lru);

		list_del(&page->lru);
		__mod_zone_page_state(page_zone(k, page), NR_ZSPAGES, -1);
		__free_pages(k, page, 0);
	}
	c->nr_zspages--;
	zram->pool_pages -= c->pages_per_zspage;
}

/* Models: alloc_zspage(): pages_per_zspage order-0 pages with @gfp; -ENOMEM, none kept. */
static int zs_alloc_zspage(struct kmm_kernel *k, struct zram *zram, struct zs_class *c, gfp_t gfp)
{
	struct list_head got;

	INIT_LIST_HEAD(&got);
	for (unsigned int i = 0; i < c->pages_per_zspage; i++) {
		struct page *page = alloc_pages(k, gfp, 0);

		if (!page) {
			while (!list_empty(&got)) {
				page = list_first_entry(&got, struct page, lru);
				list_del(&page->lru);
				__free_pages(k, page, 0);
			}
			return -ENOMEM;
		}
		list_add_tail(&page->lru, &got);
	}
	while (!list_empty(&got)) {
		struct page *page = list_first_entry(&got, struct page, lru);

		list_move(&page->lru, &c->pages);
		__mod_zone_page_state(page_zone(k, page), NR_ZSPAGES, 1);
	}
	c->nr_zspages++;
	zram->pool_pages += c->pages_per_zspage;
	return 0;
}

/*
 * zs_malloc/zs_free's effect on the pool: the class's object count moves by @delta and its
 * zspages follow (a new zspage when the objects no longer fit, the last one given back when
 * it is empty). 0, or -ENOMEM when a zspage cannot be had with either of zram's gfp masks
 * (nothing changed).
 */
static int zs_account(struct kmm_kernel *k, struct zram *zram, unsigned int size, int delta)
{
	struct zs_class *c = zs_class_for(zram, size);

	c->objs = (unsigned long)((long)c->objs + delta);
	while (c->nr_zspages < zs_zspages_needed(c)) {
		const gfp_t movable = __GFP_HIGHMEM | __GFP_MOVABLE;

		if (zs_alloc_zspage(k, zram, c, __GFP_KSWAPD_RECLAIM | __GFP_NOWARN | movable) &&
		    zs_alloc_zspage(k, zram, c, GFP_NOIO | movable)) {
			c->objs = (unsigned long)((long)c->objs - delta);
			return -ENOMEM;
		}
	}
	while (c->nr_zspages > zs_zspages_needed(c))
		zs_free_zspage(k, zram, c);
	return 0;
}

struct zram *zram_create(struct kmm_kernel *k, uint64_t disksize, int *err)
{
	struct zram *zram;

	disksize = (disksize + ZRAM_PAGE_SIZE - 1) & ~(uint64_t)(ZRAM_PAGE_SIZE - 1);
	if (!disksize || disksize / ZRAM_PAGE_SIZE > UINT32_MAX) {
		*err = -EINVAL;
		return NULL;
	}
	zram = env_alloc(k->env, sizeof(*zram));
	if (!zram) {
		*err = -ENOMEM;
		return NULL;
	}
	memset(zram, 0, sizeof(*zram));
	zram->disksize = disksize;
	zram->nr_pages = (unsigned long)(disksize / ZRAM_PAGE_SIZE);
	zram->table = env_alloc(k->env, zram->nr_pages * sizeof(*zram->table));
	zram->wrkmem = env_alloc(k->env, LZO1X_1_MEM_COMPRESS);
	zram->cbuf = env_alloc(k->env, ZRAM_CBUF_SIZE);
	if (!zram->table || !zram->wrkmem || !zram->cbuf || lzo_init() != LZO_E_OK) {
		zram_destroy(k, zram);
		*err = -ENOMEM;
		return NULL;
	}
	memset(zram->table, 0, zram->nr_pages * sizeof(*zram->table));
	zs_init_classes(zram);
	zram->huge_class_size = zs_huge_class_size();
	return zram;
}

void zram_destroy(struct kmm_kernel *k, struct zram *zram)
{
	if (!zram)
		return;
	for (unsigned long i = 0; zram->table && i < zram->nr_pages; i++)
		env_free(k->env, zram->table[i].handle);
	for (unsigned int c = 0; zram->table && c < ZS_SIZE_CLASSES; c++)
		while (zram->class_of[c] == c && zram->classes[c].nr_zspages)
			zs_free_zspage(k, zram, &zram->classes[c]);
	env_free(k->env, zram->table);
	env_free(k->env, zram->wrkmem);
	env_free(k->env, zram->cbuf);
	env_free(k->env, zram);
}

uint64_t zram_disksize(const struct zram *zram)
{
	return zram->disksize;
}

void zram_set_mem_limit(struct zram *zram, uint64_t bytes)
{
	zram->limit_pages = (bytes + ZRAM_PAGE_SIZE - 1) / ZRAM_PAGE_SIZE;
}

/* Models: page_same_filled(). */
static bool page_same_filled(const void *ptr, uint64_t *element)
{
	const uint64_t *page = ptr;
	unsigned int last = ZRAM_PAGE_SIZE / sizeof(*page) - 1;

	if (page[0] != page[last])
		return false;
	for (unsigned int pos = 1; pos < last; pos++)
		if (page[pos] != page[0])
			return false;
	*element = page[0];
	return true;
}

/* Models: zram_free_page(). */
static void zram_free_page(struct kmm_kernel *k, struct zram *zram, unsigned long index)
{
	struct zram_table_entry *e = &zram->table[index];

	if (!(e->flags & ZRAM_ALLOCATED))
		return;
	if (e->flags & ZRAM_HUGE)
		zram->huge_pages--;
	if (e->flags & ZRAM_SAME) {
		zram->same_pages--;
	} else {
		zs_account(k, zram, e->size, -1); /* only gives pages back: cannot fail */
		zram->compr_data_size -= e->size;
		env_free(k->env, e->handle);
	}
	zram->pages_stored--;
	memset(e, 0, sizeof(*e));
}

int zram_write_page(struct kmm_kernel *k, struct zram *zram, unsigned long index, const void *src)
{
	struct zram_table_entry *e;
	lzo_uint comp_len = ZRAM_CBUF_SIZE;
	uint64_t element;
	uint8_t *obj;

	if (index >= zram->nr_pages)
		return -EIO;
	env_charge(k->env, COST_zram_same_check);
	if (page_same_filled(src, &element)) {
		zram->same_pages++;
		zram_free_page(k, zram, index);
		e = &zram->table[index];
		e->flags = ZRAM_SAME | ZRAM_ALLOCATED;
		e->element = element;
		zram->pages_stored++;
		return 0;
	}
	if (lzo1x_1_compress(src, ZRAM_PAGE_SIZE, zram->cbuf, &comp_len, zram->wrkmem) !=
	    LZO_E_OK) {
		env_printk(k->env, "zram: Compression failed! err=%d\n", -EINVAL);
		return -EINVAL;
	}
	env_charge(k->env, COST_zram_compress);
	if (comp_len >= zram->huge_class_size)
		comp_len = ZRAM_PAGE_SIZE;
	if (zs_account(k, zram, (unsigned int)comp_len, +1))
		return -ENOMEM;
	if (zram->pool_pages > zram->max_used_pages)
		zram->max_used_pages = zram->pool_pages; /* update_used_max */
	if (zram->limit_pages && zram->pool_pages > zram->limit_pages) {
		zs_account(k, zram, (unsigned int)comp_len, -1);
		return -ENOMEM;
	}
	obj = env_alloc(k->env, comp_len);
	if (!obj) {
		zs_account(k, zram, (unsigned int)comp_len, -1);
		return -ENOMEM;
	}
	memcpy(obj, comp_len == ZRAM_PAGE_SIZE ? src : zram->cbuf, comp_len);
	zram->compr_data_size += comp_len;
	zram_free_page(k, zram, index);
	e = &zram->table[index];
	e->flags = ZRAM_ALLOCATED;
	if (comp_len == ZRAM_PAGE_SIZE) {
		e->flags |= ZRAM_HUGE;
		zram->huge_pages++;
		zram->huge_pages_since++;
	}
	e->handle = obj;
	e->size = (uint16_t)comp_len;
	zram->pages_stored++;
	return 0;
}

int zram_read_page(struct kmm_kernel *k, struct zram *zram, unsigned long index, void *dst)
{
	const struct zram_table_entry *e;
	lzo_uint len = ZRAM_PAGE_SIZE;

	if (index >= zram->nr_pages)
		return -EIO;
	e = &zram->table[index];
	if (!(e->flags & ZRAM_ALLOCATED) || (e->flags & ZRAM_SAME)) {
		uint64_t *page = dst;

		for (unsigned int i = 0; i < ZRAM_PAGE_SIZE / sizeof(*page); i++)
			page[i] = e->element;
		return 0;
	}
	if (e->size == ZRAM_PAGE_SIZE) {
		memcpy(dst, e->handle, ZRAM_PAGE_SIZE);
		return 0;
	}
	env_charge(k->env, COST_zram_decompress);
	if (lzo1x_decompress_safe(e->handle, e->size, dst, &len, NULL) != LZO_E_OK ||
	    len != ZRAM_PAGE_SIZE) {
		env_printk(k->env, "zram: Decompression failed! err=%d, page=%lu\n", -EINVAL,
			   index);
		return -EIO;
	}
	return 0;
}

void zram_slot_free_notify(struct kmm_kernel *k, struct zram *zram, unsigned long index)
{
	if (index < zram->nr_pages)
		zram_free_page(k, zram, index);
}

void zram_mm_stat(const struct zram *zram, struct zram_mm_stat *st)
{
	*st = (struct zram_mm_stat){
		.orig_data_size = zram->pages_stored * ZRAM_PAGE_SIZE,
		.compr_data_size = zram->compr_data_size,
		.mem_used_total = zram->pool_pages * ZRAM_PAGE_SIZE,
		.mem_limit = zram->limit_pages * ZRAM_PAGE_SIZE,
		.mem_used_max = zram->max_used_pages * ZRAM_PAGE_SIZE,
		.same_pages = zram->same_pages,
		.pages_compacted = 0,
		.huge_pages = zram->huge_pages,
		.huge_pages_since = zram->huge_pages_since,
	};
}

/* Models: mm_stat_show(). */
void zram_show_mm_stat(const struct zram *zram, const struct sink *out)
{
	struct zram_mm_stat st;

	zram_mm_stat(zram, &st);
	sink_printf(out, "%8llu %8llu %8llu %8llu %8lld %8llu %8llu %8llu %8llu\n",
		    (unsigned long long)st.orig_data_size, (unsigned long long)st.compr_data_size,
		    (unsigned long long)st.mem_used_total, (unsigned long long)st.mem_limit,
		    (long long)st.mem_used_max, (unsigned long long)st.same_pages,
		    (unsigned long long)st.pages_compacted, (unsigned long long)st.huge_pages,
		    (unsigned long long)st.huge_pages_since);
}

void zram_show_disksize(const struct zram *zram, const struct sink *out)
{
	sink_printf(out, "%llu\n", (unsigned long long)zram->disksize);
}

/* Models: zcomp_available_show(): the captured config's backends (no 842), current in []. */
void zram_show_comp_algorithm(const struct zram *zram, const struct sink *out)
{
	(void)zram;
	sink_printf(out, "lzo [lzo-rle] lz4 lz4hc zstd \n");
}

bool zram_check(const struct zram *zram, char *why, size_t whylen)
{
	uint64_t stored = 0, same = 0, huge = 0, compr = 0, pool = 0;
	unsigned long objs[ZS_SIZE_CLASSES] = {0};

	for (unsigned long i = 0; i < zram->nr_pages; i++) {
		const struct zram_table_entry *e = &zram->table[i];

		if (!(e->flags & ZRAM_ALLOCATED))
			continue;
		stored++;
		same += !!(e->flags & ZRAM_SAME);
		huge += !!(e->flags & ZRAM_HUGE);
		if (!(e->flags & ZRAM_SAME)) {
			compr += e->size;
			objs[zs_class_for((struct zram *)zram, e->size) - zram->classes]++;
		}
	}
	for (unsigned int c = 0; c < ZS_SIZE_CLASSES; c++) {
		if (zram->class_of[c] != c)
			continue;
		const struct zs_class *cl = &zram->classes[c];
		unsigned long listed = 0;

		if (objs[c] != cl->objs) {
			snprintf(why, whylen, "zram: class %u holds %lu objects, counted %lu",
				 cl->size, objs[c], cl->objs);
			return false;
		}
		for (const struct list_head *l = cl->pages.next; l != &cl->pages; l = l->next)
			if (++listed > cl->nr_zspages * cl->pages_per_zspage)
				break;
		if (cl->nr_zspages != zs_zspages_needed(cl) ||
		    listed != cl->nr_zspages * cl->pages_per_zspage) {
			snprintf(why, whylen,
				 "zram: class %u holds %lu zspages (%lu pages listed) for %lu "
				 "objects of %u per zspage",
				 cl->size, cl->nr_zspages, listed, cl->objs, cl->objs_per_zspage);
			return false;
		}
		pool += zs_class_pages(cl);
	}
	if (stored != zram->pages_stored || same != zram->same_pages || huge != zram->huge_pages ||
	    compr != zram->compr_data_size || pool != zram->pool_pages ||
	    zram->max_used_pages < pool) {
		snprintf(why, whylen,
			 "zram: stats stored %llu same %llu huge %llu compr %llu pool %llu, "
			 "table says %llu %llu %llu %llu %llu",
			 (unsigned long long)zram->pages_stored,
			 (unsigned long long)zram->same_pages, (unsigned long long)zram->huge_pages,
			 (unsigned long long)zram->compr_data_size,
			 (unsigned long long)zram->pool_pages, (unsigned long long)stored,
			 (unsigned long long)same, (unsigned long long)huge,
			 (unsigned long long)compr, (unsigned long long)pool);
		return false;
	}
	return true;
}
