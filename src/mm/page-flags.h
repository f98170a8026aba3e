/*
 * Page flags: the PG_* bits of page->flags and their accessors, generated from one table so
 * that names, bits and policies cannot drift apart.
 *
 * Models: include/linux/page-flags.h (Linux 6.1, arm64: CONFIG_MMU, no PG_uncached, no
 *         PG_hwpoison/young/idle/arch_2 in the model, so __NR_PAGEFLAGS ends after PG_mlocked
 *         and the node/zone fields of page->flags keep their place).
 *
 * Each row of PAGEFLAGS(X) is X(Uname, lname, bit, policy) and yields
 *
 *   PageUname  SetPageUname  ClearPageUname  __SetPageUname  __ClearPageUname
 *   TestSetPageUname  TestClearPageUname
 *   folio_test_lname  folio_set_lname  folio_clear_lname  __folio_set_lname
 *   __folio_clear_lname  folio_test_set_lname  folio_test_clear_lname
 *
 * The policy says which struct page of a compound page holds the flag, as the kernel's do:
 *
 * | policy         | the page accessors act on          | the kernel also checks (DEBUG_VM) |
 * |----------------|------------------------------------|-----------------------------------|
 * | PF_ANY         | the page given                     | -                                 |
 * | PF_HEAD        | its compound head                  | -                                 |
 * | PF_ONLY_HEAD   | the page given                     | it is not a tail                  |
 * | PF_NO_TAIL     | its compound head                  | no tail on a write                |
 * | PF_NO_COMPOUND | the page given                     | it is not compound                |
 *
 * The folio accessors act on the folio (a head page) itself: every flag here lives in the
 * folio's first page.
 *
 * Deviations: the model is single-threaded per machine, so the atomic (SetPageX) and the
 *         non-atomic (__SetPageX) forms are the same store, and TestSet/TestClear are plain
 *         read-modify-writes. The DEBUG_VM policy checks are not run (CONFIG_DEBUG_VM is off
 *         in the reference kernel). PG_large_rmappable does not exist in 6.1 (it came in 6.6).
 *
 * Page types (PageBuddy, ...) are not flags in 6.1: they live in page_type, which overlays
 * _mapcount; see mm_types.h.
 */
#ifndef KMM_MM_PAGE_FLAGS_H
#define KMM_MM_PAGE_FLAGS_H

#include "mm/mm_types.h"

/* The kernel's bit order (enum pageflags, 6.1); page_alloc.c's dump names them by it. */
enum pageflags {
	PG_locked,
	PG_referenced,
	PG_uptodate,
	PG_dirty,
	PG_lru,
	PG_active,
	PG_workingset,
	PG_waiters,
	PG_error,
	PG_slab,
	PG_owner_priv_1,
	PG_arch_1,
	PG_reserved,
	PG_private,
	PG_private_2,
	PG_writeback,
	PG_head,
	PG_mappedtodisk,
	PG_reclaim,
	PG_swapbacked,
	PG_unevictable,
	PG_mlocked,
	__NR_PAGEFLAGS,

	/* Bits that mean something else for some pages (the kernel's aliases). */
	PG_readahead = PG_reclaim,
	PG_anon_exclusive = PG_mappedtodisk, /* anonymous pages */
	PG_checked = PG_owner_priv_1,	     /* filesystems */
	PG_swapcache = PG_owner_priv_1,	     /* swap-backed pages: swp_entry_t in private */
	PG_fscache = PG_private_2,
	PG_isolated = PG_reclaim,  /* non-LRU movable pages isolated for migration */
	PG_reported = PG_uptodate, /* free pages reported to a hypervisor */
};

/* Raw bit access, for code that means a bit and not a flag (dumps, tests, the slab overlay). */
static inline bool test_page_flag(const struct page *p, int bit)
{
	return p->flags >> bit & 1;
}

static inline void set_page_flag(struct page *p, int bit)
{
	p->flags |= 1UL << bit;
}

static inline void clear_page_flag(struct page *p, int bit)
{
	p->flags &= ~(1UL << bit);
}

/* The policies: which page of a compound page holds the flag. */
#define PF_ANY(page)	     ((struct page *)(page))
#define PF_HEAD(page)	     compound_head(page)
#define PF_ONLY_HEAD(page)   ((struct page *)(page))
#define PF_NO_TAIL(page)     compound_head(page)
#define PF_NO_COMPOUND(page) ((struct page *)(page))

/*
 * The flag table. The kernel generates SwapCache by hand (its test also needs SwapBacked), so
 * it is written out below; the other flags come from here.
 */
#define PAGEFLAGS(X)                                                                               \
	X(Locked, locked, PG_locked, PF_NO_TAIL)                                                   \
	X(Referenced, referenced, PG_referenced, PF_HEAD)                                          \
	X(Uptodate, uptodate, PG_uptodate, PF_NO_TAIL)                                             \
	X(Dirty, dirty, PG_dirty, PF_HEAD)                                                         \
	X(LRU, lru, PG_lru, PF_HEAD)                                                               \
	X(Active, active, PG_active, PF_HEAD)                                                      \
	X(Workingset, workingset, PG_workingset, PF_HEAD)                                          \
	X(Waiters, waiters, PG_waiters, PF_ONLY_HEAD)                                              \
	X(Error, error, PG_error, PF_NO_TAIL)                                                      \
	X(Slab, slab, PG_slab, PF_NO_TAIL)                                                         \
	X(OwnerPriv1, owner_priv_1, PG_owner_priv_1, PF_ANY)                                       \
	X(Reserved, reserved, PG_reserved, PF_NO_COMPOUND)                                         \
	X(Private, private, PG_private, PF_ANY)                                                    \
	X(Private2, private_2, PG_private_2, PF_ANY)                                               \
	X(Writeback, writeback, PG_writeback, PF_NO_TAIL)                                          \
	X(Head, head, PG_head, PF_ANY)                                                             \
	X(MappedToDisk, mappedtodisk, PG_mappedtodisk, PF_NO_TAIL)                                 \
	X(Reclaim, reclaim, PG_reclaim, PF_NO_TAIL)                                                \
	X(SwapBacked, swapbacked, PG_swapbacked, PF_NO_TAIL)                                       \
	X(Unevictable, unevictable, PG_unevictable, PF_HEAD)                                       \
	X(Mlocked, mlocked, PG_mlocked, PF_NO_TAIL)                                                \
	X(AnonExclusive, anon_exclusive, PG_anon_exclusive, PF_ANY)

/* ---- the generators --------------------------------------------------------------------- */

#define PAGEFLAG_FOLIO_OPS(lname, bit)                                                             \
	static inline bool folio_test_##lname(const struct folio *folio)                           \
	{                                                                                          \
		return test_page_flag(&folio->page, bit);                                          \
	}                                                                                          \
	static inline void folio_set_##lname(struct folio *folio)                                  \
	{                                                                                          \
		set_page_flag(&folio->page, bit);                                                  \
	}                                                                                          \
	static inline void folio_clear_##lname(struct folio *folio)                                \
	{                                                                                          \
		clear_page_flag(&folio->page, bit);                                                \
	}                                                                                          \
	static inline void __folio_set_##lname(struct folio *folio)                                \
	{                                                                                          \
		set_page_flag(&folio->page, bit);                                                  \
	}                                                                                          \
	static inline void __folio_clear_##lname(struct folio *folio)                              \
	{                                                                                          \
		clear_page_flag(&folio->page, bit);                                                \
	}                                                                                          \
	static inline bool folio_test_set_##lname(struct folio *folio)                             \
	{                                                                                          \
		bool old = test_page_flag(&folio->page, bit);                                      \
		set_page_flag(&folio->page, bit);                                                  \
		return old;                                                                        \
	}                                                                                          \
	static inline bool folio_test_clear_##lname(struct folio *folio)                           \
	{                                                                                          \
		bool old = test_page_flag(&folio->page, bit);                                      \
		clear_page_flag(&folio->page, bit);                                                \
		return old;                                                                        \
	}

#define PAGEFLAG_PAGE_SET_OPS(uname, bit, policy)                                                  \
	static inline void SetPage##uname(struct page *page)                                       \
	{                                                                                          \
		set_page_flag(policy(page), bit);                                                  \
	}                                                                                          \
	static inline void ClearPage##uname(struct page *page)                                     \
	{                                                                                          \
		clear_page_flag(policy(page), bit);                                                \
	}                                                                                          \
	static inline void __SetPage##uname(struct page *page)                                     \
	{                                                                                          \
		set_page_flag(policy(page), bit);                                                  \
	}                                                                                          \
	static inline void __ClearPage##uname(struct page *page)                                   \
	{                                                                                          \
		clear_page_flag(policy(page), bit);                                                \
	}                                                                                          \
	static inline bool TestSetPage##uname(struct page *page)                                   \
	{                                                                                          \
		struct page *p = policy(page);                                                     \
		bool old = test_page_flag(p, bit);                                                 \
		set_page_flag(p, bit);                                                             \
		return old;                                                                        \
	}                                                                                          \
	static inline bool TestClearPage##uname(struct page *page)                                 \
	{                                                                                          \
		struct page *p = policy(page);                                                     \
		bool old = test_page_flag(p, bit);                                                 \
		clear_page_flag(p, bit);                                                           \
		return old;                                                                        \
	}

#define PAGEFLAG_OPS(uname, lname, bit, policy)                                                    \
	static inline bool Page##uname(const struct page *page)                                    \
	{                                                                                          \
		return test_page_flag(policy(page), bit);                                          \
	}                                                                                          \
	PAGEFLAG_PAGE_SET_OPS(uname, bit, policy)                                                  \
	PAGEFLAG_FOLIO_OPS(lname, bit)

PAGEFLAGS(PAGEFLAG_OPS)

/* PG_readahead is PG_reclaim's bit on a page-cache folio not under writeback (readahead.c). */
PAGEFLAG_FOLIO_OPS(readahead, PG_readahead)

/* ---- flags the kernel writes by hand ------------------------------------------------------ */

/* PG_swapcache is PG_owner_priv_1: it means swap cache only on a swap-backed page. */
static inline bool folio_test_swapcache(const struct folio *folio)
{
	return folio_test_swapbacked(folio) && test_page_flag(&folio->page, PG_swapcache);
}

static inline bool PageSwapCache(const struct page *page)
{
	return folio_test_swapcache(page_folio(page));
}

PAGEFLAG_PAGE_SET_OPS(SwapCache, PG_swapcache, PF_NO_TAIL)
static inline void folio_set_swapcache(struct folio *folio)
{
	set_page_flag(&folio->page, PG_swapcache);
}

static inline void folio_clear_swapcache(struct folio *folio)
{
	clear_page_flag(&folio->page, PG_swapcache);
}

/* Compound pages: PageHead is a flag, PageTail the low bit of the first word of a tail. */
static inline bool PageTail(const struct page *p)
{
	return p->compound_head & 1;
}

static inline bool PageCompound(const struct page *p)
{
	return PageHead(p) || PageTail(p);
}

/* Models: compound_order(): 0 for a page that is not a compound head. */
static inline unsigned int compound_order(const struct page *p)
{
	return PageHead(p) ? p[1].compound_order : 0;
}

/* Models: folio_test_large(): a folio of more than one page. */
static inline bool folio_test_large(const struct folio *folio)
{
	return folio_test_head(folio);
}

/* ---- page types: in page_type (over _mapcount), a type bit is *clear* when it applies ----- */

#define PAGE_TYPE_BASE 0xf0000000u
#define PG_buddy       0x00000080u

static inline bool PageBuddy(const struct page *p)
{
	return (p->page_type & (PAGE_TYPE_BASE | PG_buddy)) == PAGE_TYPE_BASE;
}

static inline void __SetPageBuddy(struct page *p)
{
	p->page_type &= ~PG_buddy;
}

static inline void __ClearPageBuddy(struct page *p)
{
	p->page_type |= PG_buddy;
}

static inline unsigned int buddy_order(const struct page *p)
{
	return (unsigned int)p->private;
}

#endif /* KMM_MM_PAGE_FLAGS_H */
