/*
 * The page and folio helpers every mm file uses: references (get_page, put_page, folio_get,
 * folio_put), map counts (page_mapcount, folio_mapcount), anonymous pages (PageAnon,
 * folio_test_anon), folio sizes (folio_order, folio_nr_pages).
 *
 * Models: include/linux/mm.h, mm/util.c (__page_mapcount, folio_mapcount) and the
 *         PAGE_MAPPING_* part of include/linux/page-flags.h (Linux 6.1).
 *
 * put_page() of the last reference frees the folio through the normal path (__folio_put() in
 * swap.c: a compound folio through its destructor, an order-0 page to the per-CPU lists), so
 * it needs the kernel; get_page() does not.
 *
 * Deviations: no hugetlb, no zone-device pages, no page pinning (FOLL_PIN) yet. A put_page()
 * on a page whose count is already 0 is reported as CONFIG_DEBUG_VM's VM_BUG_ON_PAGE would
 * report it and changes nothing (the reference kernel would let the count go negative), as
 * __free_pages() does (page_alloc.c).
 */
#ifndef KMM_MM_MM_H
#define KMM_MM_MM_H

#include "mm/mmdebug.h"
#include "mm/page-flags.h"
#include "mm/page_ref.h"

struct kmm_kernel;

/* The destructors a compound page can name in compound_dtor (6.1; the model makes only the first).
 */
enum compound_dtor_id {
	NULL_COMPOUND_DTOR,
	COMPOUND_PAGE_DTOR,
	HUGETLB_PAGE_DTOR,
	TRANSHUGE_PAGE_DTOR,
	NR_COMPOUND_DTORS,
};

/* ---- folio sizes ------------------------------------------------------------------------ */

static inline unsigned int folio_order(const struct folio *folio)
{
	return folio_test_large(folio) ? folio->_folio_order : 0;
}

static inline unsigned long folio_nr_pages(const struct folio *folio)
{
	return folio_test_large(folio) ? folio->_folio_nr_pages : 1;
}

/* Models: compound_nr(): pages in the compound page @page heads (1 if not compound). */
static inline unsigned long compound_nr(const struct page *page)
{
	return PageHead(page) ? page[1].compound_nr : 1;
}

/* ---- anonymous pages: the low bits of ->mapping ---------------------------------------- */

#define PAGE_MAPPING_ANON    0x1UL
#define PAGE_MAPPING_MOVABLE 0x2UL
#define PAGE_MAPPING_KSM     (PAGE_MAPPING_ANON | PAGE_MAPPING_MOVABLE)
#define PAGE_MAPPING_FLAGS   (PAGE_MAPPING_ANON | PAGE_MAPPING_MOVABLE)

static inline bool folio_test_anon(const struct folio *folio)
{
	return ((uintptr_t)folio->mapping & PAGE_MAPPING_ANON) != 0;
}

static inline bool PageAnon(const struct page *page)
{
	return folio_test_anon(page_folio(page));
}

/* ---- map counts: _mapcount starts at -1 ----------------------------------------------- */

/* Models: folio_entire_mapcount(): mappings of the whole (large) folio, by PMD. */
static inline int folio_entire_mapcount(const struct folio *folio)
{
	return folio->_total_mapcount + 1;
}

/* PG_double_map is PG_workingset in the first tail page (6.1, THP mapped by PMD and PTEs). */
static inline bool folio_test_double_map(const struct folio *folio)
{
	return folio->_flags_1 >> PG_workingset & 1;
}

/* Models: page_mapcount() with __page_mapcount() (no hugetlb). */
static inline int page_mapcount(const struct page *page)
{
	int ret = page->_mapcount + 1;
	const struct folio *folio;

	if (!PageCompound(page) || !PageAnon(page))
		return ret; /* a file THP counts its PMD mappings in each page's _mapcount */
	folio = page_folio(page);
	ret += folio_entire_mapcount(folio);
	return folio_test_double_map(folio) ? ret - 1 : ret;
}

/* Models: mm/util.c:folio_mapcount() (no hugetlb). */
static inline int folio_mapcount(const struct folio *folio)
{
	int compound, ret;
	unsigned long nr;

	if (!folio_test_large(folio))
		return folio->_mapcount + 1;
	compound = folio_entire_mapcount(folio);
	ret = compound;
	nr = folio_nr_pages(folio);
	for (unsigned long i = 0; i < nr; i++)
		ret += (&folio->page)[i]._mapcount + 1;
	if (!folio_test_anon(folio))
		return ret - compound * (int)nr; /* file pages count the PMD in each _mapcount */
	return folio_test_double_map(folio) ? ret - (int)nr : ret;
}

static inline bool folio_mapped(const struct folio *folio)
{
	return folio_mapcount(folio) > 0;
}

/* ---- references ----------------------------------------------------------------------- */

/*
 * Reports a reference dropped from a page nobody holds (or a tail page) as DEBUG_VM would,
 * naming @function; the page is left as it is (page_alloc.c).
 */
void page_ref_underflow(struct kmm_kernel *k, struct page *page, const char *function);

/* Models: mm/swap.c:__folio_put(): frees a folio whose last reference was dropped. */
void __folio_put(struct kmm_kernel *k, struct folio *folio);

static inline void folio_get(struct folio *folio)
{
	folio_ref_inc(folio);
}

/* Models: get_page(): one more reference to the folio @page belongs to. */
static inline void get_page(struct page *page)
{
	folio_get(page_folio(page));
}

/* Models: put_page_testzero(): drops a reference; true if it was the last. */
static inline bool put_page_testzero(struct kmm_kernel *k, struct page *page)
{
	if (page_ref_count(page) <= 0) {
		page_ref_underflow(k, page, "put_page_testzero");
		return false;
	}
	return page_ref_dec_and_test(page);
}

static inline bool folio_put_testzero(struct kmm_kernel *k, struct folio *folio)
{
	return put_page_testzero(k, &folio->page);
}

/* Models: folio_put(): drops a reference; the last one frees the folio. */
static inline void folio_put(struct kmm_kernel *k, struct folio *folio)
{
	if (folio_put_testzero(k, folio))
		__folio_put(k, folio);
}

/* Models: put_page(): folio_put() of the folio @page belongs to. */
static inline void put_page(struct kmm_kernel *k, struct page *page)
{
	folio_put(k, page_folio(page));
}

#endif /* KMM_MM_MM_H */
