/*
 * The contiguous memory allocator over the boot-time CMA area (cma= on the command line,
 * 64 MiB by default): a bitmap of the area's pages, and allocation through
 * alloc_contig_range() with MIGRATE_CMA.
 *
 * Models: mm/cma.c:cma_alloc(), cma_release(), cma_bitmap_aligned_mask/offset() (Linux
 *         6.1.192) for the default area ("reserved", order_per_bit 0).
 * Leaves out: several areas (CONFIG_CMA_AREAS), the retry sleep on -EBUSY (nothing else
 *         runs while the simulated kernel waits, so a retry would find the same state),
 *         cma_debug_show_areas().
 *
 * Invariants (cma_check): a bit is set exactly for the pages handed out by cma_alloc() and
 * not yet released; those pages are in use (not free in the buddy or on a pcp list).
 */
#include "mm/gfp.h"
#include "mm/internal.h"
#include "mm/page_place.h"

#include <errno.h>
#include <stdio.h>

static bool bit_test(const unsigned long *map, unsigned long bit)
{
	return map[bit / 64] >> (bit % 64) & 1;
}

static void bits_assign(unsigned long *map, unsigned long bit, unsigned long n, bool on)
{
	for (unsigned long i = bit; i < bit + n; i++) {
		if (on)
			map[i / 64] |= 1UL << (i % 64);
		else
			map[i / 64] &= ~(1UL << (i % 64));
	}
}

/* Models: bitmap_find_next_zero_area_off(): the first clear run of @nr bits at an aligned spot. */
static unsigned long find_zero_area(const unsigned long *map, unsigned long size,
				    unsigned long start, unsigned long nr, unsigned long mask,
				    unsigned long offset)
{
	for (;;) {
		unsigned long index, end, i;

		while (start < size && bit_test(map, start))
			start++;
		index = ((start + offset + mask) & ~mask) - offset;
		end = index + nr;
		if (end > size)
			return size;
		for (i = index; i < end && !bit_test(map, i); i++)
			;
		if (i == end)
			return index;
		start = i + 1;
	}
}

int cma_init_area(struct kmm_kernel *k)
{
	struct cma *cma = &k->cma;
	unsigned long words;

	if (!k->cma_size)
		return 0;
	cma->base_pfn = PFN_DOWN(k->cma_base);
	cma->count = k->cma_size >> PAGE_SHIFT;
	words = (cma->count + 63) / 64;
	cma->bitmap = env_alloc(k->env, words * sizeof(unsigned long));
	if (!cma->bitmap)
		return -ENOMEM;
	for (unsigned long i = 0; i < words; i++)
		cma->bitmap[i] = 0;
	return 0;
}

struct page *cma_alloc(struct kmm_kernel *k, unsigned long count, unsigned int align, bool no_warn)
{
	struct cma *cma = &k->cma;
	unsigned long mask, offset, start = 0, bitmap_no, pfn;
	struct page *page = NULL;
	int ret = -ENOMEM;

	if (!cma->count || !cma->bitmap || !count)
		return NULL;
	if (align > CMA_ALIGNMENT)
		align = CMA_ALIGNMENT;
	mask = (1UL << align) - 1;
	offset = cma->base_pfn & mask;
	for (;;) {
		bitmap_no = find_zero_area(cma->bitmap, cma->count, start, count, mask, offset);
		if (bitmap_no >= cma->count)
			break;
		bits_assign(cma->bitmap, bitmap_no, count, true);
		pfn = cma->base_pfn + bitmap_no;
		ret = alloc_contig_range(k, pfn, pfn + count, MIGRATE_CMA,
					 GFP_KERNEL | (no_warn ? __GFP_NOWARN : 0));
		if (ret == 0) {
			page = pfn_to_page(k, pfn);
			break;
		}
		bits_assign(cma->bitmap, bitmap_no, count, false);
		if (ret != -EBUSY)
			break;
		/* Try again past the busy spot. */
		start = bitmap_no + mask + 1;
	}
	if (ret && !no_warn)
		env_printk(k->env,
			   "cma_alloc: reserved: alloc failed, req-size: %lu pages, ret: %d\n",
			   count, ret);
	k->vm_events[page ? CMA_ALLOC_SUCCESS : CMA_ALLOC_FAIL]++;
	return page;
}

bool cma_release(struct kmm_kernel *k, struct page *pages, unsigned long count)
{
	struct cma *cma = &k->cma;
	unsigned long pfn;

	if (!pages || !cma->count)
		return false;
	pfn = page_to_pfn(k, pages);
	if (pfn < cma->base_pfn || pfn >= cma->base_pfn + cma->count ||
	    count > cma->base_pfn + cma->count - pfn)
		return false;
	free_contig_range(k, pfn, count);
	bits_assign(cma->bitmap, pfn - cma->base_pfn, count, false);
	return true;
}

bool cma_check(const struct kmm_kernel *k, char *why, size_t whylen)
{
	const struct cma *cma = &k->cma;

	for (unsigned long i = 0; i < cma->count && cma->bitmap; i++) {
		const struct page *page = pfn_to_page(k, cma->base_pfn + i);

		if (bit_test(cma->bitmap, i) && (PageBuddy(page) || page_ref_count(page) == 0)) {
			snprintf(why, whylen, "cma: pfn 0x%lx is marked allocated but is free",
				 cma->base_pfn + i);
			return false;
		}
	}
	return true;
}

/* Row CMA (page_place.h): the pages cma_alloc() handed out, from the area's bitmap. */
bool cma_place_walk(const struct kmm_kernel *k, struct place_map *map)
{
	const struct cma *cma = &k->cma;

	for (unsigned long i = 0; i < cma->count && cma->bitmap; i++)
		if (bit_test(cma->bitmap, i) && !place_claim(map, PLACE_CMA, cma->base_pfn + i, 1))
			return false;
	return true;
}
