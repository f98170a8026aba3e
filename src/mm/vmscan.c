/*
 * Reclaim entry points for the page allocator: waking kswapd and direct reclaim.
 *
 * Models: mm/vmscan.c:wakeup_kswapd() (the wake-up request and its bookkeeping) and
 *         try_to_free_pages() (Linux 6.1.192).
 * Leaves out (the reclaim issue fills these in): the LRU lists, shrink_node() and kswapd's
 *         balance_pgdat(). Until then there is nothing to reclaim: try_to_free_pages()
 *         counts the stall and returns 0 pages, and a kswapd wake-up is recorded in the
 *         node (order, highest zone, number of wakes) without reclaiming.
 */
#include "mm/gfp.h"
#include "mm/internal.h"

/* Models: pgdat_balanced(): some eligible zone meets its high watermark at @order. */
static bool pgdat_balanced(const pg_data_t *pgdat, int order, int highest_zoneidx)
{
	for (int i = 0; i <= highest_zoneidx; i++) {
		const struct zone *zone = &pgdat->node_zones[i];

		if (!managed_zone(zone))
			continue;
		if (zone_watermark_ok(zone, (unsigned int)order, high_wmark_pages(zone),
				      highest_zoneidx, 0))
			return true;
	}
	return false;
}

void wakeup_kswapd(struct kmm_kernel *k, struct zone *zone, unsigned int gfp, int order,
		   enum zone_type highest_zoneidx)
{
	pg_data_t *pgdat = zone->zone_pgdat;

	(void)k;
	(void)gfp;
	if (!managed_zone(zone))
		return;
	if (pgdat->kswapd_highest_zoneidx == MAX_NR_ZONES ||
	    pgdat->kswapd_highest_zoneidx < (int)highest_zoneidx)
		pgdat->kswapd_highest_zoneidx = (int)highest_zoneidx;
	if (pgdat->kswapd_order < order)
		pgdat->kswapd_order = order;
	/* A balanced node without a boosted watermark needs no kswapd. */
	if (pgdat_balanced(pgdat, order, (int)highest_zoneidx) && !zone->watermark_boost)
		return;
	pgdat->kswapd_wakeups++;
}

unsigned long try_to_free_pages(struct kmm_kernel *k, struct zonelist *zonelist, int order,
				unsigned int gfp, const nodemask_t *nodemask)
{
	struct zoneref *z = zonelist->_zonerefs;
	int zid = gfp_zone(gfp);

	(void)order;
	(void)nodemask;
	/* allocstall_<zone> counts direct reclaim entries by the request's highest zone. */
	if (z->zone && zid >= 0)
		k->vm_events[ALLOCSTALL_DMA + zid]++;
	return 0;
}
