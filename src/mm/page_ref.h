/*
 * The reference count of a page (page->_refcount) and of a folio.
 *
 * Models: include/linux/page_ref.h (Linux 6.1).
 *
 * The page_ref_* helpers act on the struct page given (a tail page's own count is 0); the
 * folio_ref_* helpers and page_count() act on the folio, i.e. the compound head, as the
 * kernel's do. Code that walks every PFN and means the count stored in that very struct page
 * uses page_ref_count().
 *
 * Deviations: the model is single-threaded per machine, so the counts are plain ints; there
 * are no page_ref tracepoints (CONFIG_DEBUG_PAGE_REF is off in the reference kernel).
 */
#ifndef KMM_MM_PAGE_REF_H
#define KMM_MM_PAGE_REF_H

#include "mm/mm_types.h"

static inline int page_ref_count(const struct page *page)
{
	return page->_refcount;
}

/* Models: page_count(): the count of the folio @page belongs to. */
static inline int page_count(const struct page *page)
{
	return page_folio(page)->_refcount;
}

static inline int folio_ref_count(const struct folio *folio)
{
	return folio->_refcount;
}

static inline void set_page_count(struct page *page, int v)
{
	page->_refcount = v;
}

/* Models: init_page_count(): a page leaving the allocator has one reference. */
static inline void init_page_count(struct page *page)
{
	set_page_count(page, 1);
}

static inline void page_ref_add(struct page *page, int nr)
{
	page->_refcount += nr;
}

static inline void page_ref_sub(struct page *page, int nr)
{
	page->_refcount -= nr;
}

static inline void page_ref_inc(struct page *page)
{
	page->_refcount++;
}

static inline void page_ref_dec(struct page *page)
{
	page->_refcount--;
}

/* True when the count dropped to 0. */
static inline bool page_ref_dec_and_test(struct page *page)
{
	return --page->_refcount == 0;
}

static inline bool page_ref_sub_and_test(struct page *page, int nr)
{
	return (page->_refcount -= nr) == 0;
}

/* Models: page_ref_add_unless(): add @nr unless the count is @u; true if it added. */
static inline bool page_ref_add_unless(struct page *page, int nr, int u)
{
	if (page->_refcount == u)
		return false;
	page->_refcount += nr;
	return true;
}

static inline void folio_ref_inc(struct folio *folio)
{
	page_ref_inc(&folio->page);
}

static inline void folio_ref_add(struct folio *folio, int nr)
{
	page_ref_add(&folio->page, nr);
}

static inline bool folio_ref_dec_and_test(struct folio *folio)
{
	return page_ref_dec_and_test(&folio->page);
}

/* Models: folio_try_get(): a reference unless the folio is free (count 0). */
static inline bool folio_try_get(struct folio *folio)
{
	return page_ref_add_unless(&folio->page, 1, 0);
}

#endif /* KMM_MM_PAGE_REF_H */
