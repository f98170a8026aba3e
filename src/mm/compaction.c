/*
 * Compaction entry point for the page allocator.
 *
 * Models: mm/compaction.c:try_to_compact_pages() (Linux 6.1.192), its interface only.
 * Leaves out (the compaction issue fills it in): the migrate and free scanners, deferral
 *         and capture. Until then no zone is suitable for compaction: the result is
 *         COMPACT_SKIPPED, which the slow path treats as "compaction did nothing".
 */
#include "mm/internal.h"

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
