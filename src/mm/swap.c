/*
 * Freeing a folio whose last reference is gone: what put_page() and folio_put() call.
 *
 * Models: mm/swap.c:__folio_put(), __folio_put_small(), __folio_put_large() and
 *         include/linux/mm.h:destroy_compound_page() (Linux 6.1.192).
 * Leaves out (the reclaim issue fills it in): __page_cache_release(), which takes a folio off
 *         its LRU list; until LRU lists exist no folio is on one. No memcg, no zone-device
 *         pages, no hugetlb destructor.
 *
 * No state of its own, so no invariants: the freed pages are the page allocator's, and
 * page_alloc_check() covers them.
 */
#include "mm/gfp.h"
#include "mm/internal.h"

/* Models: destroy_compound_page(): the destructor prep_compound_page() recorded. */
static void destroy_compound_page(struct kmm_kernel *k, struct page *page)
{
	switch (page[1].compound_dtor) {
	case COMPOUND_PAGE_DTOR:
	default: /* the model makes no other kind of compound page yet */
		free_compound_page(k, page);
		break;
	}
}

/* Models: __folio_put_small(): an order-0 folio goes to this CPU's pcp list. */
static void __folio_put_small(struct kmm_kernel *k, struct folio *folio)
{
	free_unref_page(k, &folio->page, 0);
}

/* Models: __folio_put_large(). */
static void __folio_put_large(struct kmm_kernel *k, struct folio *folio)
{
	destroy_compound_page(k, &folio->page);
}

void __folio_put(struct kmm_kernel *k, struct folio *folio)
{
	if (folio_test_large(folio))
		__folio_put_large(k, folio);
	else
		__folio_put_small(k, folio);
}
