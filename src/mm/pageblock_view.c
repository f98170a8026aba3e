/*
 * /sys/kernel/debug/kmm/pageblocks: the zone picture, one record per pageblock (512 PFNs,
 * 2 MiB). It answers what the captured guest learnt from /bin/pfnscan (the oracle's
 * src/pfnscan.c: /proc/kpageflags summed per pageblock) and adds what the model knows and the
 * kernel does not export without CONFIG_PAGE_OWNER: the pageblock's migratetype, its
 * compaction skip bit, and how many of its pages each owner of page_place.h holds.
 *
 * Format (no such file in Linux; the model's own debugfs entry):
 *   # comment lines, then a header "# pfn_start nopage reserved buddy ... noflags node zone
 *   migratetype skip place:reserved place:buddy ... place:none" naming the columns;
 *   "# zone NID NAME pfn 0xSTART-0xEND (N pages)" before each zone's records;
 *   one record per pageblock: "0xPFN" then one value per column;
 *   "# total" with the sums of the counting columns.
 * The first 20 columns are /bin/pfnscan's, in its order and with its meaning, so
 * scripts/zone_picture.py reads the capture's NAME.pfnscan and this view alike.
 *
 * Models: fs/proc/page.c:stable_page_flags() (Linux 6.1.192): the kpageflags bits the counts
 *         are made of: mmap (mapped, not slab), anon, comphead/comptail, thp (a compound page
 *         whose head is on the LRU or anonymous), zeropage, buddy (PageBuddy, and every page of
 *         a free buddy block: is_free_buddy_page), slab (also tails of a slab), hugetlb
 *         (PageHuge: every page of a hugetlb folio, which is then not a thp), lru, active,
 *         swapbacked, unevict, reserved, private, raw from page->flags.
 * Deviation: pgtable counts the pages the places registry puts in "kernel page table" and
 *         "user page table" (the model has no PG_table page type; 6.1 marks exactly those
 *         pages through the pgtable constructors).
 * Deviation: offline is 0: the model has no balloon or memory offlining.
 * Deviation: records go per zone (a pageblock a zone boundary cuts is printed once per zone
 *         with that zone's PFNs); pfnscan goes per "System RAM" range of /proc/iomem.
 *
 * Invariants (checked while the view is built; a failure prints "# error: ..." and stops):
 *   1. every PFN of a record is counted once: nopage + the place columns = the PFNs of the
 *      record (holes have no place);
 *   2. the buddy column of a zone equals the pages on its free lists (free_area nr_free times
 *      the order, all migratetypes incl. ISOLATE) less none: the view and the lists agree.
 */
#include <stdio.h>
#include <string.h>

#include "mm/hugetlb.h"
#include "mm/internal.h"
#include "mm/mm.h"
#include "mm/mm_state.h"
#include "mm/page_place.h"
#include "mm/views.h"

/* /bin/pfnscan's columns, in its order. */
#define PFNSCAN_COLUMNS(X)                                                                         \
	X(NOPAGE, "nopage")                                                                        \
	X(RESERVED, "reserved")                                                                    \
	X(BUDDY, "buddy")                                                                          \
	X(SLAB, "slab")                                                                            \
	X(LRU, "lru")                                                                              \
	X(ACTIVE, "active")                                                                        \
	X(ANON, "anon")                                                                            \
	X(SWAPBACKED, "swapbacked")                                                                \
	X(UNEVICT, "unevict")                                                                      \
	X(MMAP, "mmap")                                                                            \
	X(PGTABLE, "pgtable")                                                                      \
	X(COMPHEAD, "comphead")                                                                    \
	X(COMPTAIL, "comptail")                                                                    \
	X(THP, "thp")                                                                              \
	X(HUGETLB, "hugetlb")                                                                      \
	X(ZEROPAGE, "zeropage")                                                                    \
	X(OFFLINE, "offline")                                                                      \
	X(PRIVATE, "private")                                                                      \
	X(NOFLAGS, "noflags")

#define PFNSCAN_ENUM(id, name) PB_COL_##id,
enum { PFNSCAN_COLUMNS(PFNSCAN_ENUM) NR_PB_COLS };
#undef PFNSCAN_ENUM

#define PFNSCAN_NAME(id, name) name,
static const char *const pb_col_names[NR_PB_COLS] = {PFNSCAN_COLUMNS(PFNSCAN_NAME)};
#undef PFNSCAN_NAME

struct pb_counts {
	unsigned long col[NR_PB_COLS];
	unsigned long place[NR_PAGE_PLACES];
};

/* Models: page_mapped(): any mapping of the page's folio (a small page: its _mapcount). */
static bool pb_page_mapped(const struct page *page)
{
	if (!PageCompound(page))
		return page->_mapcount >= 0;
	return folio_mapped(page_folio(page));
}

/* One PFN with a memory map: its kpageflags bits as counts. @in_free_block: is_free_buddy. */
static void pb_count_page(const struct kmm_kernel *k, const struct place_map *map,
			  unsigned long pfn, bool in_free_block, struct pb_counts *c)
{
	const struct page *page = pfn_to_page(k, pfn);
	enum page_place place = place_of(map, pfn);
	bool any = false, slab = test_page_flag(page, PG_slab);
	bool buddy = PageBuddy(page) || in_free_block;

#define PB_SET(id, cond)                                                                           \
	do {                                                                                       \
		if (cond) {                                                                        \
			c->col[PB_COL_##id]++;                                                     \
			any = true;                                                                \
		}                                                                                  \
	} while (0)
	c->place[place]++;
	if (PageTail(page) && test_page_flag(compound_head(page), PG_slab))
		slab = true;
	PB_SET(MMAP, !buddy && !slab && pb_page_mapped(page));
	PB_SET(ANON, !buddy && !slab && PageAnon(page));
	PB_SET(COMPHEAD, PageHead(page));
	PB_SET(COMPTAIL, PageTail(page));
	PB_SET(HUGETLB, PageHuge(page));
	if (PageHuge(page)) {
		/* stable_page_flags: a hugetlb page is not also a THP */
	} else if (PageCompound(page) && !slab) {
		const struct page *head = compound_head(page);

		PB_SET(THP, test_page_flag(head, PG_lru) || PageAnon(head));
	} else {
		PB_SET(ZEROPAGE, is_zero_pfn(k, pfn));
	}
	PB_SET(BUDDY, buddy);
	PB_SET(PGTABLE, place == PLACE_PGTABLE || place == PLACE_PGTABLE_USER);
	PB_SET(SLAB, slab);
	PB_SET(LRU, test_page_flag(page, PG_lru));
	PB_SET(ACTIVE, test_page_flag(page, PG_active));
	PB_SET(SWAPBACKED, test_page_flag(page, PG_swapbacked));
	PB_SET(UNEVICT, test_page_flag(page, PG_unevictable));
	PB_SET(RESERVED, test_page_flag(page, PG_reserved));
	PB_SET(PRIVATE, test_page_flag(page, PG_private));
	/* flags pfnscan has no column for still make the page "not noflags" */
	if (!any && (page->flags & ((1UL << __NR_PAGEFLAGS) - 1)) != 0)
		any = true;
	if (!any)
		c->col[PB_COL_NOFLAGS]++;
#undef PB_SET
}

static void pb_header(const struct sink *out)
{
	sink_printf(out,
		    "# per-pageblock (512 pfn) records of the model: /bin/pfnscan's kpageflags "
		    "counts, the pageblock's node, zone, migratetype and skip bit, then pages "
		    "per place (page_place.h)\n# pfn_start");
	for (int c = 0; c < NR_PB_COLS; c++)
		sink_printf(out, " %s", pb_col_names[c]);
	sink_printf(out, " node zone migratetype skip");
	for (int p = 0; p < NR_PAGE_PLACES; p++) {
		const char *name = p == PLACE_NONE ? "none" : page_place_name((enum page_place)p);

		sink_printf(out, " place:");
		for (; *name; name++)
			sink_printf(out, "%c", *name == ' ' ? '_' : *name);
	}
	sink_printf(out, "\n");
}

/* The pages @zone's free lists hold, every migratetype (invariant 2). */
static unsigned long pb_zone_free_pages(const struct zone *zone)
{
	unsigned long n = 0;

	for (int o = 0; o < MAX_ORDER; o++)
		n += zone->free_area[o].nr_free << o;
	return n;
}

static bool pb_show_zone(const struct kmm_kernel *k, const struct place_map *map,
			 const struct zone *zone, int nid, const struct sink *out,
			 struct pb_counts *total)
{
	unsigned long start = zone->zone_start_pfn, end = zone_end_pfn(zone);
	unsigned long free_end = 0, zone_buddy = 0;

	sink_printf(out, "# zone %d %s pfn %#lx-%#lx (%lu pages)\n", nid, zone->name, start, end,
		    end - start);
	for (unsigned long pb = start & ~(pageblock_nr_pages - 1); pb < end;
	     pb += pageblock_nr_pages) {
		unsigned long a = pb < start ? start : pb;
		unsigned long b = pb + pageblock_nr_pages > end ? end : pb + pageblock_nr_pages;
		unsigned long counted = 0;
		struct pb_counts c;
		uint8_t flags = 0;

		memset(&c, 0, sizeof(c));
		for (unsigned long pfn = a; pfn < b; pfn++) {
			const struct page *page;

			if (!pfn_valid(k, pfn)) {
				c.col[PB_COL_NOPAGE]++;
				continue;
			}
			page = pfn_to_page(k, pfn);
			if (PageBuddy(page) && pfn >= free_end)
				free_end = pfn + (1UL << buddy_order(page));
			pb_count_page(k, map, pfn, pfn < free_end, &c);
		}
		if (pfn_valid(k, a))
			flags = *pageblock_flags_of(k, a);
		for (int p = 0; p < NR_PAGE_PLACES; p++)
			counted += c.place[p];
		if (counted + c.col[PB_COL_NOPAGE] != b - a) {
			sink_printf(out, "# error: pageblock %#lx: %lu pages counted of %lu\n", pb,
				    counted + c.col[PB_COL_NOPAGE], b - a);
			return false;
		}
		sink_printf(out, "%#lx", pb);
		for (int col = 0; col < NR_PB_COLS; col++) {
			sink_printf(out, " %lu", c.col[col]);
			total->col[col] += c.col[col];
		}
		sink_printf(out, " %d %s %s %d", nid, zone->name,
			    migratetype_names[flags & PB_migrate_mask],
			    (flags & PB_migrate_skip) != 0);
		for (int p = 0; p < NR_PAGE_PLACES; p++) {
			sink_printf(out, " %lu", c.place[p]);
			total->place[p] += c.place[p];
		}
		sink_printf(out, "\n");
		zone_buddy += c.col[PB_COL_BUDDY];
	}
	if (zone_buddy != pb_zone_free_pages(zone)) {
		sink_printf(out, "# error: zone %d %s: %lu buddy pages, the free lists hold %lu\n",
			    nid, zone->name, zone_buddy, pb_zone_free_pages(zone));
		return false;
	}
	return true;
}

/* The model's own debugfs file /sys/kernel/debug/kmm/pageblocks (format above). */
void show_pageblocks(const struct kmm_kernel *k, const struct sink *out)
{
	char why[256] = "";
	struct place_map *map = place_map_create(k, why, sizeof(why));
	struct pb_counts total;
	pg_data_t *pgdat;
	bool ok = true;

	if (!map) {
		sink_printf(out, "# error: %s\n", why);
		return;
	}
	memset(&total, 0, sizeof(total));
	pb_header(out);
	for_each_online_pgdat(k, pgdat)
	{
		for (int z = 0; z < MAX_NR_ZONES && ok; z++) {
			const struct zone *zone = &pgdat->node_zones[z];

			if (populated_zone(zone))
				ok = pb_show_zone(k, map, zone, pgdat->node_id, out, &total);
		}
		if (!ok)
			break;
	}
	place_map_destroy(map);
	if (!ok)
		return;
	sink_printf(out, "# total");
	for (int col = 0; col < NR_PB_COLS; col++)
		sink_printf(out, " %lu", total.col[col]);
	for (int p = 0; p < NR_PAGE_PLACES; p++)
		sink_printf(out, " %lu", total.place[p]);
	sink_printf(out, "\n");
}
