/*
 * Compaction entry point for the page allocator, and the strict isolation of free pages that
 * alloc_contig_range() uses.
 *
 * Models: mm/compaction.c:try_to_compact_pages() (Linux 6.1.192), its interface only;
 *         isolate_freepages_range() with isolate_freepages_block(strict) and split_map_pages().
 * Leaves out (the compaction issue fills it in): the migrate and free scanners, deferral
 *         and capture. Until then no zone is suitable for compaction: the result is
 *         COMPACT_SKIPPED, which the slow path treats as "compaction did nothing".
 * Deviation: isolate_freepages_range() hands the part of a free block outside the range back
 *         to the buddy at once, page by page (they merge back), where the kernel isolates the
 *         whole block and alloc_contig_range() frees the outside afterwards: the same result.
 *
 * No state of its own yet, so no invariants: the pages it takes are the page allocator's
 * (page_alloc_check covers them).
 */
#include "mm/gfp.h"
#include "mm/internal.h"

#include "lib/bug.h"

#define KMM_FILE "mm/compaction.c"

unsigned long isolate_freepages_range(struct kmm_kernel *k, struct zone *zone,
				      unsigned long start_pfn, unsigned long end_pfn)
{
	unsigned long pfn;

	for (pfn = start_pfn; pfn < end_pfn;) {
		unsigned int order = 0;
		struct page *page = free_block_of(k, pfn, &order);
		unsigned long head;

		/* The caller saw every page of the range free; anything else is a broken invariant.
		 */
		if (!page) {
			bug_report(k->env, KMM_REPORT_BUG,
				   BUG_SITE(0, "isolate_freepages_range", "!free_block_of(pfn)"),
				   "kernel BUG: pfn 0x%lx of an isolated range is not free", pfn);
			return 0;
		}
		head = page_to_pfn(k, page);
		__isolate_free_page(k, page, order);
		for (unsigned long i = head; i < head + (1UL << order); i++) {
			struct page *p = pfn_to_page(k, i);

			if (i < start_pfn || i >= end_pfn)
				__free_one_page(k, p, i, zone, 0, get_pfnblock_migratetype(k, i),
						FPI_NONE);
			else
				post_alloc_hook(k, p, 0, __GFP_MOVABLE); /* split_map_pages() */
		}
		pfn = head + (1UL << order);
	}
	return end_pfn;
}

enum compact_result try_to_compact_pages(struct kmm_kernel *k, unsigned int gfp, unsigned int order,
					 unsigned int alloc_flags, const struct alloc_context *ac,
					 enum compact_priority prio, struct page **capture)
{
	(void)k;
	(void)gfp;
	(void)order;
	(void)alloc_flags;
	(void)ac;
	(void)prio;
	*capture = NULL;
	return COMPACT_SKIPPED;
}
