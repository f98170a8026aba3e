/*
 * The buddy allocator: free lists per order and migratetype, merging on free.
 *
 * Models: mm/page_alloc.c (Linux 6.1.192): __free_one_page(), __free_pages_core(),
 *         free_reserved_page(), the free-list primitives and the migratetype names.
 * Leaves out (for now): the allocation paths, pcp lists, fallback, watermark checks, the
 *         slow path and the free-page checks — the buddy allocator issue adds them here.
 *
 * Invariants (page_alloc_check):
 *  1. A page on free_area[o].free_list[mt] is PageBuddy, has buddy_order o, lies in the zone,
 *     is aligned to 2^o, and its pageblock's migratetype is mt (unless mt is ISOLATE or the
 *     block was moved).
 *  2. free_area[o].nr_free equals the length of the o lists together.
 *  3. NR_FREE_PAGES equals the sum over orders of nr_free << o, less isolated pages;
 *     NR_FREE_CMA_PAGES the same over the CMA lists.
 *  4. No free block has a free buddy of the same order it could merge with.
 */
#include "mm/internal.h"

#include <inttypes.h>
#include <stdio.h>

const char *const migratetype_names[MIGRATE_TYPES] = {
	"Unmovable", "Movable", "Reclaimable", "HighAtomic", "CMA", "Isolate",
};

const char *const zone_names[MAX_NR_ZONES] = {"DMA", "DMA32", "Normal", "Movable"};

static inline void set_buddy_order(struct page *page, unsigned int order)
{
	page->private = order;
	__SetPageBuddy(page);
}

static inline void add_to_free_list(struct page *page, struct zone *zone, unsigned int order,
				    int migratetype)
{
	struct free_area *area = &zone->free_area[order];

	list_add(&page->lru, &area->free_list[migratetype]);
	area->nr_free++;
}

static inline void add_to_free_list_tail(struct page *page, struct zone *zone, unsigned int order,
					 int migratetype)
{
	struct free_area *area = &zone->free_area[order];

	list_add_tail(&page->lru, &area->free_list[migratetype]);
	area->nr_free++;
}

static inline void del_page_from_free_list(struct page *page, struct zone *zone, unsigned int order)
{
	list_del(&page->lru);
	__ClearPageBuddy(page);
	page->private = 0;
	zone->free_area[order].nr_free--;
}

/* Models: mm/page_alloc.c:__mod_zone_freepage_state(). */
static inline void __mod_zone_freepage_state(struct zone *zone, long nr_pages, int migratetype)
{
	__mod_zone_page_state(zone, NR_FREE_PAGES, nr_pages);
	if (is_migrate_cma(migratetype))
		__mod_zone_page_state(zone, NR_FREE_CMA_PAGES, nr_pages);
}

/* Models: mm/internal.h:page_is_buddy(): free, same order, same zone. */
static inline bool page_is_buddy(const struct kmm_kernel *k, const struct page *page,
				 const struct page *buddy, unsigned int order)
{
	if (!PageBuddy(buddy) || buddy_order(buddy) != order)
		return false;
	return page_to_nid(page) == page_to_nid(buddy) && page_zonenum(page) == page_zonenum(buddy);
}

/* Models: mm/internal.h:find_buddy_page_pfn(). */
static struct page *find_buddy_page_pfn(const struct kmm_kernel *k, struct page *page,
					unsigned long pfn, unsigned int order,
					unsigned long *buddy_pfn)
{
	unsigned long bpfn = pfn ^ (1UL << order);
	struct page *buddy;

	if (!pfn_valid(k, bpfn))
		return NULL;
	buddy = pfn_to_page(k, bpfn);
	if (!page_is_buddy(k, page, buddy, order))
		return NULL;
	*buddy_pfn = bpfn;
	return buddy;
}

/* Models: include/linux/mmzone.h:migratetype_is_mergeable(). */
static inline bool migratetype_is_mergeable(int mt)
{
	return mt < MIGRATE_PCPTYPES;
}

/* Models: mm/page_alloc.c:buddy_merge_likely(): is the next-larger buddy free already? */
static bool buddy_merge_likely(const struct kmm_kernel *k, unsigned long pfn,
			       unsigned long buddy_pfn, struct page *page, unsigned int order)
{
	unsigned long higher_page_pfn;
	struct page *higher_page;

	if (order >= MAX_ORDER - 2)
		return false;
	higher_page_pfn = buddy_pfn & pfn;
	higher_page = page + (higher_page_pfn - pfn);
	return find_buddy_page_pfn(k, higher_page, higher_page_pfn, order + 1, &buddy_pfn) != NULL;
}

void __free_one_page(struct kmm_kernel *k, struct page *page, unsigned long pfn, struct zone *zone,
		     unsigned int order, int migratetype, fpi_t fpi_flags)
{
	unsigned long buddy_pfn = 0, combined_pfn;
	struct page *buddy;
	bool to_tail;

	if (!is_migrate_isolate(migratetype))
		__mod_zone_freepage_state(zone, 1L << order, migratetype);

	while (order < MAX_ORDER - 1) {
		buddy = find_buddy_page_pfn(k, page, pfn, order, &buddy_pfn);
		if (!buddy)
			break;
		if (order >= pageblock_order) {
			/* Never merge a pageblock without fallbacks into an ordinary one. */
			int buddy_mt = get_pfnblock_migratetype(k, buddy_pfn);

			if (migratetype != buddy_mt && (!migratetype_is_mergeable(migratetype) ||
							!migratetype_is_mergeable(buddy_mt)))
				break;
		}
		del_page_from_free_list(buddy, zone, order);
		combined_pfn = buddy_pfn & pfn;
		page = page + (combined_pfn - pfn);
		pfn = combined_pfn;
		order++;
	}
	set_buddy_order(page, order);

	if (fpi_flags & FPI_TO_TAIL)
		to_tail = true;
	else
		to_tail = buddy_merge_likely(k, pfn, buddy_pfn, page, order);
	if (to_tail)
		add_to_free_list_tail(page, zone, order, migratetype);
	else
		add_to_free_list(page, zone, order, migratetype);
}

/* Models: mm/page_alloc.c:__free_pages_ok() (checks arrive with the buddy issue). */
static void __free_pages_ok(struct kmm_kernel *k, struct page *page, unsigned int order,
			    fpi_t fpi_flags)
{
	unsigned long pfn = page_to_pfn(k, page);
	int migratetype = get_pfnblock_migratetype(k, pfn);

	k->vm_events_pgfree += 1UL << order;
	__free_one_page(k, page, pfn, page_zone(k, page), order, migratetype, fpi_flags);
}

void __free_pages_core(struct kmm_kernel *k, struct page *page, unsigned int order)
{
	unsigned int nr_pages = 1u << order;

	for (unsigned int i = 0; i < nr_pages; i++) {
		__ClearPageReserved(&page[i]);
		set_page_count(&page[i], 0);
	}
	page_zone(k, page)->managed_pages += nr_pages;
	__free_pages_ok(k, page, order, FPI_TO_TAIL);
}

void free_reserved_page(struct kmm_kernel *k, struct page *page)
{
	__ClearPageReserved(page);
	set_page_count(page, 0);
	page_zone(k, page)->managed_pages++;
	k->totalram_pages++;
	__free_pages_ok(k, page, 0, FPI_NONE);
}

static bool check_zone_free_lists(const struct kmm_kernel *k, const struct zone *zone, char *why,
				  size_t whylen)
{
	unsigned long free = 0, free_cma = 0, isolated = 0;

	for (unsigned int order = 0; order < MAX_ORDER; order++) {
		const struct free_area *area = &zone->free_area[order];
		unsigned long n = 0;

		for (int mt = 0; mt < MIGRATE_TYPES; mt++) {
			const struct list_head *head = &area->free_list[mt], *pos;

			for (pos = head->next; pos != head; pos = pos->next) {
				const struct page *p = list_entry(pos, struct page, lru);
				unsigned long pfn = page_to_pfn(k, p), bpfn = pfn ^ (1UL << order);

				if (!PageBuddy(p) || buddy_order(p) != order ||
				    pfn & ((1UL << order) - 1) || !zone_spans_pfn(zone, pfn) ||
				    page_zone(k, p) != zone) {
					snprintf(why, whylen,
						 "buddy: pfn 0x%lx on %s order-%u %s list "
						 "is not a free block of that order in the zone",
						 pfn, zone->name, order, migratetype_names[mt]);
					return false;
				}
				if (order < MAX_ORDER - 1 && pfn_valid(k, bpfn) &&
				    page_is_buddy(k, p, pfn_to_page(k, bpfn), order) &&
				    (order < pageblock_order ||
				     get_pfnblock_migratetype(k, bpfn) ==
					     get_pfnblock_migratetype(k, pfn))) {
					snprintf(why, whylen,
						 "buddy: free blocks at pfn 0x%lx and 0x%lx "
						 "(order %u) were left unmerged",
						 pfn, bpfn, order);
					return false;
				}
				n++;
				if (mt == MIGRATE_ISOLATE)
					isolated += 1UL << order;
				if (mt == MIGRATE_CMA)
					free_cma += 1UL << order;
			}
		}
		if (n != area->nr_free) {
			snprintf(why, whylen,
				 "buddy: %s order %u nr_free %lu but the lists hold %lu",
				 zone->name, order, area->nr_free, n);
			return false;
		}
		free += n << order;
	}
	if (free - isolated != zone_page_state(zone, NR_FREE_PAGES) ||
	    free_cma != zone_page_state(zone, NR_FREE_CMA_PAGES)) {
		snprintf(why, whylen,
			 "buddy: %s NR_FREE_PAGES %lu / NR_FREE_CMA_PAGES %lu, lists "
			 "hold %lu / %lu",
			 zone->name, zone_page_state(zone, NR_FREE_PAGES),
			 zone_page_state(zone, NR_FREE_CMA_PAGES), free - isolated, free_cma);
		return false;
	}
	return true;
}

bool page_alloc_check(const struct kmm_kernel *k, char *why, size_t whylen)
{
	const pg_data_t *pgdat;

	for (int nid = 0; nid < MAX_NUMNODES; nid++) {
		pgdat = k->node_data[nid];
		if (!pgdat)
			continue;
		for (int z = 0; z < MAX_NR_ZONES; z++) {
			const struct zone *zone = &pgdat->node_zones[z];
			if (zone->initialized && !check_zone_free_lists(k, zone, why, whylen))
				return false;
		}
	}
	return true;
}
