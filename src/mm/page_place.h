/*
 * Where a page can be: the registry the page-placement check (mm_init_check, run by kmm_check)
 * proves "every page is in exactly one place" against.
 *
 * Each owner of pages has one row: an id, the name the check's reports use, and a walker that
 * lives in the owner's file. The walker goes through the owner's own records (its lists, its
 * arrays, its tables; page flags only where they are the owner's record), claims every page
 * it holds with place_claim(), and checks what only the owner knows (its counters against
 * what it found), failing with place_fail(). The check runs the walkers in table order, so a
 * page claimed twice is reported with both rows' names: "mm: pfn 0x... is in 2 places
 * (reserved and pcp)". The rows are exclusive: a page leaves one owner before it joins the
 * next (an isolated free block leaves the free lists, an LRU page is isolated before it goes
 * on a migration list).
 *
 * No row holds the pages a caller owns (alloc_pages() to a driver or the host): the kernel
 * keeps no record of them either. After the walkers, a page no row claimed is "in use" when
 * it carries a reference, is a tail of a compound page, or lies inside a block whose first
 * page is in use and whose alignment allows that order (the tails of a non-compound
 * alloc_pages(order > 0) have no reference of their own). Anything else is in no place and
 * reported: a PageBuddy page on no free list, a page with no reference outside every block.
 * bad_page() leaves pages out of use without a record, as the kernel does; once a machine has
 * a bad page, unclaimed pages without references are allowed.
 *
 * Adding an owner (wave 2: LRU lists, the hugetlb pool's free lists, pages isolated for
 * migration or reclaim):
 *   1. add a row to PAGE_PLACES below; its position is the order reports name places in;
 *   2. write the walker next to the owner's lists: place_claim() every page it holds (all
 *      pages of a folio), then compare the owner's counters (lruvec sizes,
 *      free_huge_pages, nr_isolated_*) with what it claimed; return false with the reason;
 *   3. in tests/mm/test_page_place.c, plant a page in the new place and in another one and
 *      check the report names both.
 * The page cache and the swap cache are not places: a page in them is also on an LRU list, or
 * isolated from it, or in use. Their walkers run after the places' (a second table, added
 * with them) and check with place_of() that each page they find sits in one of the places
 * allowed for it.
 */
#ifndef KMM_MM_PAGE_PLACE_H
#define KMM_MM_PAGE_PLACE_H

#include "mm/internal.h"

/*
 * X(id, name, walker), in report order. The walkers live with their owners:
 *   RESERVED  mm_init.c         what the hand-over to the buddy allocator kept (PageReserved)
 *   BUDDY     page_alloc.c      the free_area lists, all migratetypes but ISOLATE
 *   ISOLATED  page_isolation.c  the ISOLATE free lists of isolated pageblocks
 *   PCP       page_alloc.c      the per-CPU page lists
 *   SLAB      slub.c            slabs and kmalloc_large blocks
 *   VMALLOC   vmalloc.c         the page arrays of VM_ALLOC areas
 *   PGTABLE   mmu.c             kernel page tables taken from the buddy allocator
 *   CMA       cma.c             the pages cma_alloc() handed out
 *   LRU       swap.c            the LRU lists (unevictable folios by their flags), and the
 *                               folios waiting in the per-CPU lru_add and mlock-new batches
 *   PGTABLE_USER memory.c       user page tables: each mm's pgd and the tables below it
 *   RECLAIM   vmscan.c          folios reclaim holds isolated from the LRU lists
 *   MIGRATE   migrate.c         folios isolated for migration (registered lists)
 *   HUGETLB   hugetlb.c         the free pages of the hugetlb pools (every page of each)
 */
#define PAGE_PLACES(X)                                                                             \
	X(RESERVED, "reserved", reserved_place_walk)                                               \
	X(BUDDY, "buddy", buddy_place_walk)                                                        \
	X(ISOLATED, "isolated", isolate_place_walk)                                                \
	X(PCP, "pcp", pcp_place_walk)                                                              \
	X(SLAB, "slab", slab_place_walk)                                                           \
	X(VMALLOC, "vmalloc", vmalloc_place_walk)                                                  \
	X(PGTABLE, "kernel page table", pgtable_place_walk)                                        \
	X(CMA, "cma", cma_place_walk)                                                              \
	X(LRU, "lru", lru_place_walk)                                                              \
	X(PGTABLE_USER, "user page table", pgtable_user_place_walk)                                \
	X(RECLAIM, "reclaim", vmscan_place_walk)                                                   \
	X(MIGRATE, "migration", migrate_place_walk)                                                \
	X(HUGETLB, "hugetlb", hugetlb_place_walk)

/* PLACE_NONE: claimed by no row (in use by a caller, or lost). */
#define PAGE_PLACE_ENUM(id, name, walk) PLACE_##id,
enum page_place { PLACE_NONE, PAGE_PLACES(PAGE_PLACE_ENUM) NR_PAGE_PLACES };
#undef PAGE_PLACE_ENUM

_Static_assert(NR_PAGE_PLACES <= 256, "a place is one byte of the placement map");

/* The check's scratch: which row claimed each PFN of the memory map (mm_init.c). */
struct place_map;

/*
 * Claims @nr pages from @pfn for @place. Returns false, with the reason for the check's
 * report, if a page has no memory map or another row (or this one) claimed it already.
 */
bool place_claim(struct place_map *map, enum page_place place, unsigned long pfn, unsigned long nr);

/* The row that claimed @pfn so far (PLACE_NONE: none, or @pfn has no memory map). */
enum page_place place_of(const struct place_map *map, unsigned long pfn);

/* Records an owner's own finding as the check's reason; returns false. */
bool place_fail(struct place_map *map, const char *fmt, ...) KMM_PRINTF(2, 3);

const char *page_place_name(enum page_place place);

/*
 * The map the check builds, kept for views (mm_init.c): every place's walker run once, then
 * place_of() answers per PFN. NULL with the reason in @why on a walker's finding or host
 * exhaustion; nothing in the machine changes. place_map_destroy(NULL) is a no-op.
 */
struct place_map *place_map_create(const struct kmm_kernel *k, char *why, size_t whylen);
void place_map_destroy(struct place_map *map);

/*
 * Claims for @place every block on @zone's free lists of migratetype @mt, or of every
 * migratetype but MIGRATE_ISOLATE when @mt is -1 (page_alloc.c).
 */
bool free_area_place_walk(const struct kmm_kernel *k, struct place_map *map, enum page_place place,
			  const struct zone *zone, int mt);

/* The walkers: claim the pages the owner holds and check its counters; false on a finding. */
#define PAGE_PLACE_PROTO(id, name, walk)                                                           \
	bool walk(const struct kmm_kernel *k, struct place_map *map);
PAGE_PLACES(PAGE_PLACE_PROTO)
#undef PAGE_PLACE_PROTO

/*
 * The caches (not places), X(name, walker), run after the places' walkers in this order. Each
 * goes through its own index and checks with place_of() that every page it holds is in a
 * place allowed for it (or in use), and its counters against what it found:
 *   PAGECACHE  filemap.c  every file's page cache (NR_FILE_PAGES, NR_SHMEM, NR_FILE_DIRTY)
 *   SWAPCACHE  swap_state.c  every swap device's cache (NR_SWAPCACHE)
 */
#define PAGE_CACHES(X)                                                                             \
	X(PAGECACHE, "page cache", pagecache_walk)                                                 \
	X(SWAPCACHE, "swap cache", swapcache_walk)

#define PAGE_CACHE_PROTO(id, name, walk)                                                           \
	bool walk(const struct kmm_kernel *k, struct place_map *map);
PAGE_CACHES(PAGE_CACHE_PROTO)
#undef PAGE_CACHE_PROTO

#endif /* KMM_MM_PAGE_PLACE_H */
