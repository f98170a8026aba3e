/*
 * Page isolation and contiguous allocation: pageblocks set to MIGRATE_ISOLATE so the
 * allocator cannot hand out their pages, and alloc_contig_range() on top of it.
 *
 * Models: mm/page_isolation.c:start_isolate_page_range(), undo_isolate_page_range(),
 *         set_migratetype_isolate(), unset_migratetype_isolate(), has_unmovable_pages(),
 *         test_pages_isolated(); mm/page_alloc.c:alloc_contig_range(),
 *         free_contig_range(), __alloc_contig_migrate_range() (Linux 6.1.192). The free
 *         pages of the range are taken by isolate_freepages_range() (compaction.c), as in
 *         the kernel; the movable pages in use are first migrated out of it (migrate.c,
 *         MR_CONTIG_RANGE), so a range fails with -EBUSY only when a page cannot move.
 * Deviation: the range's LRU folios are isolated here by a scan of our own (the part of
 *         compaction's isolate_migratepages_block() that alloc_contig_range uses: LRU folios,
 *         unevictable ones included, 32 at a time, anonymous ones with references beyond
 *         their mappings left alone); clean page-cache folios are migrated like the others
 *         (6.1 first tries reclaim_clean_pages_from_list() on them): the range ends free
 *         either way, pgmigrate_success counts them. Hugetlb pages go to hugetlb.c's
 *         isolate_or_dissolve_huge_page() first, as in the kernel's scan: a free pool page
 *         is dissolved, a gigantic one ends the attempt with -ENOMEM.
 * Deviation: a free block larger than a pageblock that reaches outside the isolated range
 *         is split into its pageblock halves before isolating (the kernel splits it in
 *         isolate_single_pageblock() after marking the block), with the same outcome.
 *
 * Invariants (checked by page_alloc_check and, through isolate_place_walk(), mm_init_check):
 * an isolated pageblock's free pages are on the ISOLATE lists and not counted in
 * NR_FREE_PAGES; zone->nr_isolate_pageblock counts the isolated pageblocks.
 */
#include "mm/compaction.h"
#include "mm/gfp.h"
#include "mm/hugetlb.h"
#include "mm/internal.h"
#include "mm/migrate.h"
#include "mm/page_place.h"
#include "mm/pagemap.h"
#include "mm/swap.h"

#include <errno.h>

static unsigned long pageblock_start_pfn(unsigned long pfn)
{
	return ALIGN_DOWN(pfn, pageblock_nr_pages);
}

/* Models: has_unmovable_pages(): the first page that could not be migrated away, or NULL. */
static struct page *has_unmovable_pages(struct kmm_kernel *k, unsigned long start_pfn,
					unsigned long end_pfn, int migratetype)
{
	struct page *page = pfn_to_page(k, start_pfn);

	if (get_pageblock_migratetype(k, page) == MIGRATE_CMA)
		return migratetype == MIGRATE_CMA ? NULL : page;
	for (unsigned long pfn = start_pfn; pfn < end_pfn; pfn++) {
		page = pfn_to_page(k, pfn);
		if (PageReserved(page))
			return page;
		if (page_zonenum(page) == ZONE_MOVABLE)
			continue;
		if (PageHuge(page)) { /* arm64 migrates every hugetlb size: skip the whole page */
			pfn = page_to_pfn(k, compound_head(page)) +
			      compound_nr(compound_head(page)) - 1;
			continue;
		}
		/* Free pages (buddy or pcp) have no references. */
		if (!page_ref_count(page)) {
			if (PageBuddy(page))
				pfn += (1UL << buddy_order(page)) - 1;
			continue;
		}
		/* In use and not on an LRU: nothing could move it. */
		if (!test_page_flag(page, PG_lru))
			return page;
	}
	return NULL;
}

/* A free buddy block of more than a pageblock covering @pfn's block, or NULL. */
static struct page *covering_free_block(struct kmm_kernel *k, unsigned long pfn,
					unsigned int *order)
{
	for (unsigned int o = pageblock_order + 1; o < MAX_ORDER; o++) {
		unsigned long head = pfn & ~((1UL << o) - 1);
		struct page *page;

		if (!pfn_valid(k, head))
			continue;
		page = pfn_to_page(k, head);
		if (PageBuddy(page) && buddy_order(page) == o) {
			*order = o;
			return page;
		}
	}
	return NULL;
}

/* Splits a free block into free pageblocks on their own types' lists, without merging. */
static void split_free_block_to_pageblocks(struct kmm_kernel *k, struct zone *zone,
					   struct page *page, unsigned int order)
{
	int mt = get_pageblock_migratetype(k, page);

	list_del(&page->lru);
	__ClearPageBuddy(page);
	zone->free_area[order].nr_free--;
	for (unsigned long i = 0; i < 1UL << order; i += pageblock_nr_pages) {
		struct page *piece = page + i;
		int pmt = get_pageblock_migratetype(k, piece);

		piece->private = pageblock_order;
		__SetPageBuddy(piece);
		list_add_tail(&piece->lru, &zone->free_area[pageblock_order].free_list[pmt]);
		zone->free_area[pageblock_order].nr_free++;
		/* A merged block may span two mergeable types: move the counts with the pages. */
		if (pmt != mt && (pmt == MIGRATE_CMA || mt == MIGRATE_CMA))
			__mod_zone_page_state(zone, NR_FREE_CMA_PAGES,
					      pmt == MIGRATE_CMA ? (long)pageblock_nr_pages
								 : -(long)pageblock_nr_pages);
	}
}

/*
 * Models: set_migratetype_isolate() for one pageblock of the isolated range [range_start,
 * range_end) (pageblock aligned). Returns 0 or -EBUSY (nothing changed).
 */
static int set_migratetype_isolate(struct kmm_kernel *k, struct page *page, int migratetype,
				   unsigned long range_start, unsigned long range_end)
{
	struct zone *zone = page_zone(k, page);
	unsigned long pfn = page_to_pfn(k, page), nr_pages;
	struct page *big;
	unsigned int order;
	int mt;

	/* zone->lock */
	mt = get_pageblock_migratetype(k, page);
	if (is_migrate_isolate(mt))
		return -EBUSY;
	if (has_unmovable_pages(k, pfn, pfn + pageblock_nr_pages, migratetype))
		return -EBUSY;
	/* A free block reaching outside the range is split so the outside stays usable. */
	big = covering_free_block(k, pfn, &order);
	if (big &&
	    (page_to_pfn(k, big) < range_start || page_to_pfn(k, big) + (1UL << order) > range_end))
		split_free_block_to_pageblocks(k, zone, big, order);
	set_pageblock_migratetype(k, page, MIGRATE_ISOLATE);
	zone->nr_isolate_pageblock++;
	nr_pages = (unsigned long)move_freepages_block(k, zone, page, MIGRATE_ISOLATE, NULL);
	__mod_zone_page_state(zone, NR_FREE_PAGES, -(long)nr_pages);
	if (is_migrate_cma(mt))
		__mod_zone_page_state(zone, NR_FREE_CMA_PAGES, -(long)nr_pages);
	/* Pages on pcp lists go back to the buddy, into the isolated block. */
	drain_all_pages(k, zone);
	return 0;
}

/* Models: unset_migratetype_isolate(): back to @migratetype, merging free pageblocks. */
static void unset_migratetype_isolate(struct kmm_kernel *k, struct page *page, int migratetype)
{
	struct zone *zone = page_zone(k, page);
	unsigned long nr_pages;

	if (!is_migrate_isolate(get_pageblock_migratetype(k, page)))
		return;
	/* A whole free pageblock is freed again so that it merges with its buddy. */
	if (PageBuddy(page) && buddy_order(page) >= pageblock_order) {
		unsigned int order = buddy_order(page);

		__isolate_free_page(k, page, order);
		set_pageblock_migratetype(k, page, migratetype);
		zone->nr_isolate_pageblock--;
		__putback_isolated_page(k, page, order, migratetype);
		return;
	}
	nr_pages = (unsigned long)move_freepages_block(k, zone, page, migratetype, NULL);
	__mod_zone_page_state(zone, NR_FREE_PAGES, (long)nr_pages);
	if (is_migrate_cma(migratetype))
		__mod_zone_page_state(zone, NR_FREE_CMA_PAGES, (long)nr_pages);
	set_pageblock_migratetype(k, page, migratetype);
	zone->nr_isolate_pageblock--;
}

void undo_isolate_page_range(struct kmm_kernel *k, unsigned long start_pfn, unsigned long end_pfn,
			     int migratetype)
{
	for (unsigned long pfn = pageblock_start_pfn(start_pfn); pfn < end_pfn;
	     pfn += pageblock_nr_pages)
		unset_migratetype_isolate(k, pfn_to_page(k, pfn), migratetype);
}

int start_isolate_page_range(struct kmm_kernel *k, unsigned long start_pfn, unsigned long end_pfn,
			     int migratetype)
{
	unsigned long pfn, range_start = pageblock_start_pfn(start_pfn),
			   range_end = pageblock_start_pfn(end_pfn + pageblock_nr_pages - 1);

	for (pfn = range_start; pfn < end_pfn; pfn += pageblock_nr_pages) {
		if (set_migratetype_isolate(k, pfn_to_page(k, pfn), migratetype, range_start,
					    range_end)) {
			undo_isolate_page_range(k, start_pfn, pfn, migratetype);
			return -EBUSY;
		}
	}
	return 0;
}

/* Models: test_pages_isolated(): every page of the range is free in an isolated block. */
int test_pages_isolated(struct kmm_kernel *k, unsigned long start_pfn, unsigned long end_pfn)
{
	unsigned long pfn;

	for (pfn = pageblock_start_pfn(start_pfn); pfn < end_pfn; pfn += pageblock_nr_pages)
		if (!is_migrate_isolate(get_pfnblock_migratetype(k, pfn)))
			return -EBUSY;
	for (pfn = start_pfn; pfn < end_pfn;) {
		struct page *page = pfn_to_page(k, pfn);

		if (!PageBuddy(page))
			return -EBUSY;
		pfn += 1UL << buddy_order(page);
	}
	return 0;
}

struct page *free_block_of(struct kmm_kernel *k, unsigned long pfn, unsigned int *order)
{
	for (unsigned int o = 0; o < MAX_ORDER; o++) {
		unsigned long head = pfn & ~((1UL << o) - 1);
		struct page *page = pfn_to_page(k, head);

		if (PageBuddy(page) && buddy_order(page) >= o) {
			if (head + (1UL << buddy_order(page)) <= pfn)
				return NULL;
			*order = buddy_order(page);
			return page;
		}
	}
	return NULL;
}

/*
 * Models: isolate_migratepages_range() as __alloc_contig_migrate_range() calls it
 * (ISOLATE_UNEVICTABLE): from *@pfnp up to @end, LRU folios onto @list until
 * COMPACT_CLUSTER_MAX pages are isolated; *@pfnp is where the next call resumes. Returns the
 * pages isolated. Free blocks are skipped whole; pages off the LRU (in use by the kernel, in
 * flight elsewhere) and anonymous folios with references beyond their mappings (a pin, a GUP
 * reference: !page_mapping && page_count > page_mapcount) are left where they are.
 */
static unsigned long isolate_contig_migratepages(struct kmm_kernel *k, unsigned long *pfnp,
						 unsigned long end, struct list_head *list,
						 int *err)
{
	unsigned long pfn = *pfnp, nr = 0;

	for (; pfn < end && nr < COMPACT_CLUSTER_MAX; pfn++) {
		struct page *page = pfn_to_page(k, pfn);
		struct folio *folio;

		if (PageHuge(page)) { /* hugetlb.c: a free pool page is dissolved */
			int ret = isolate_or_dissolve_huge_page(k, page, list);

			if (ret < 0) {
				*err = ret == -EBUSY ? 0 : ret; /* -ENOMEM: the caller gives up */
				pfn += PageHead(page) ? compound_nr(page) - 1 : 0;
				continue;
			}
			*err = 0;
			if (PageHuge(page)) { /* isolated onto @list, whole */
				struct page *head = compound_head(page);

				nr += compound_nr(head);
				pfn = page_to_pfn(k, head) + compound_nr(head) - 1;
				continue;
			}
			if (!PageBuddy(page))
				continue; /* dissolved from a tail: its block comes later */
		}
		if (PageBuddy(page)) {
			pfn += (1UL << buddy_order(page)) - 1;
			continue;
		}
		folio = page_folio(page); /* a THP's tail page stands for its folio (PageLRU) */
		if (!folio_ref_count(folio) || !folio_test_lru(folio))
			continue;
		if (folio_test_anon(folio) && !folio_test_swapcache(folio) &&
		    folio_ref_count(folio) > folio_mapcount(folio))
			continue;
		if (migrate_isolate_lru_folio(k, folio, list))
			continue;
		nr += folio_nr_pages(folio);
		pfn = page_to_pfn(k, &folio->page) + folio_nr_pages(folio) - 1;
	}
	*pfnp = pfn;
	return nr;
}

/*
 * Models: __alloc_contig_migrate_range(): the movable folios of [start, end) migrated out
 * (MIGRATE_SYNC, MR_CONTIG_RANGE, new pages on the zone's node), a batch at a time; a batch
 * that still has folios after 5 tries gives -EBUSY. Returns 0, -EBUSY or -ENOMEM, with every
 * folio that did not move back on its LRU.
 */
static int __alloc_contig_migrate_range(struct kmm_kernel *k, struct zone *zone,
					unsigned long start, unsigned long end)
{
	struct migration_target_control mtc = {
		.nid = zone_to_nid(zone),
		.gfp_mask = GFP_USER | __GFP_MOVABLE | __GFP_RETRY_MAYFAIL,
	};
	struct list_head migratepages;
	unsigned long pfn = start;
	unsigned int tries = 0;
	int ret = 0, err = 0;

	INIT_LIST_HEAD(&migratepages);
	if (migrate_list_register(k, &migratepages))
		return -ENOMEM;
	lru_add_drain_all(k); /* lru_cache_disable(): folios in per-CPU batches reach their LRU */
	while (pfn < end || !list_empty(&migratepages)) {
		if (list_empty(&migratepages)) {
			isolate_contig_migratepages(k, &pfn, end, &migratepages, &err);
			tries = 0;
			if (err) { /* isolate_migratepages_range's -ENOMEM (hugetlb) */
				ret = err;
				break;
			}
			if (list_empty(&migratepages))
				continue;
		} else if (++tries == 5) {
			ret = -EBUSY;
			break;
		}
		ret = migrate_pages(k, &migratepages, alloc_migration_target, NULL,
				    (unsigned long)&mtc, MIGRATE_SYNC, MR_CONTIG_RANGE, NULL);
		if (ret == -ENOMEM)
			break;
	}
	if (ret < 0)
		putback_movable_pages(k, &migratepages);
	migrate_list_unregister(k, &migratepages);
	return ret < 0 ? ret : 0;
}

/*
 * Models: alloc_contig_range(): isolate the pageblocks, migrate the movable pages in use out
 * of the range, take every free block of the range out of the buddy, hand back the parts
 * outside [start, end), and leave each page of the range allocated with one reference.
 * Returns 0, -EBUSY (a page that cannot move, or a block could not be isolated), -ENOMEM (no
 * page to migrate to) or -EINVAL (the range leaves the zone). On failure the range's pages
 * are as they were, except those migrated away (as in the kernel).
 */
int alloc_contig_range(struct kmm_kernel *k, unsigned long start, unsigned long end,
		       int migratetype, gfp_t gfp)
{
	unsigned long outer_start;
	struct zone *zone;
	int ret;

	(void)gfp;
	if (start >= end || !pfn_valid(k, start) || !pfn_valid(k, end - 1))
		return -EINVAL;
	zone = page_zone(k, pfn_to_page(k, start));
	if (!zone_spans_pfn(zone, end - 1) || page_zone(k, pfn_to_page(k, end - 1)) != zone)
		return -EINVAL;
	ret = start_isolate_page_range(k, start, end, migratetype);
	if (ret)
		return ret;
	ret = __alloc_contig_migrate_range(k, zone, start, end);
	if (ret && ret != -EBUSY) {
		undo_isolate_page_range(k, start, end, migratetype);
		return ret;
	}
	/*
	 * Every page must be free now (migrated-from pages were freed straight into the isolated
	 * blocks). The walk starts at the head of the free block that holds @start (outer_start
	 * in the kernel).
	 */
	{
		unsigned int order = 0;
		struct page *head = free_block_of(k, start, &order);

		outer_start = head ? page_to_pfn(k, head) : start;
	}
	if (test_pages_isolated(k, outer_start, end)) {
		undo_isolate_page_range(k, start, end, migratetype);
		return -EBUSY;
	}
	if (!isolate_freepages_range(k, zone, start, end))
		return -EBUSY;
	undo_isolate_page_range(k, start, end, migratetype);
	return 0;
}

/* Models: free_contig_range(): drops one reference of each page. */
void free_contig_range(struct kmm_kernel *k, unsigned long pfn, unsigned long nr_pages)
{
	for (unsigned long i = 0; i < nr_pages; i++)
		__free_pages(k, pfn_to_page(k, pfn + i), 0);
}

/*
 * Row ISOLATED (page_place.h): the free pages of isolated pageblocks, on the ISOLATE lists.
 * Also checks that zone->nr_isolate_pageblock counts the zone's isolated pageblocks (each
 * counted in the zone of its first page, as set_migratetype_isolate() counts it).
 */
bool isolate_place_walk(const struct kmm_kernel *k, struct place_map *map)
{
	const pg_data_t *pgdat;

	for_each_online_pgdat(k, pgdat)
	{
		for (int z = 0; z < MAX_NR_ZONES; z++) {
			const struct zone *zone = &pgdat->node_zones[z];
			unsigned long nr = 0, end = zone_end_pfn(zone);

			if (!zone->initialized)
				continue;
			if (!free_area_place_walk(k, map, PLACE_ISOLATED, zone, MIGRATE_ISOLATE))
				return false;
			for (unsigned long pfn = pageblock_start_pfn(zone->zone_start_pfn +
								     pageblock_nr_pages - 1);
			     pfn < end; pfn += pageblock_nr_pages) {
				if (!pfn_valid(k, pfn)) { /* a hole: skip its section at once */
					pfn = ALIGN(pfn + 1, PAGES_PER_SECTION) -
					      pageblock_nr_pages;
					continue;
				}
				nr += page_zone(k, pfn_to_page(k, pfn)) == zone &&
				      is_migrate_isolate(get_pfnblock_migratetype(k, pfn));
			}
			if (nr != zone->nr_isolate_pageblock)
				return place_fail(
					map,
					"isolation: node %d %s has %lu isolated pageblocks, "
					"nr_isolate_pageblock is %lu",
					pgdat->node_id, zone->name, nr, zone->nr_isolate_pageblock);
		}
	}
	return true;
}
