/*
 * Watermarks, lowmem reserves, per-CPU pageset sizes, min_free_kbytes and the vm counters'
 * drift thresholds: the numbers a zone's allocations are judged by.
 *
 * Models: mm/page_alloc.c (Linux 6.1.192): calculate_min_free_kbytes(),
 *         __setup_per_zone_wmarks(), setup_per_zone_wmarks(), calculate_totalreserve_pages(),
 *         setup_per_zone_lowmem_reserve(), zone_batchsize(), zone_highsize(),
 *         zone_pcp_update(), nr_free_zone_pages(); mm/vmstat.c:calculate_normal_threshold(),
 *         refresh_zone_stat_thresholds(); mm/khugepaged.c:set_recommended_min_free_kbytes().
 * Deviation: no highmem (arm64 has none), so every zone is lowmem.
 */
#include "mm/internal.h"

#include <stdio.h>

static unsigned long int_sqrt(unsigned long x)
{
	unsigned long r = 0, bit = 1UL << (sizeof(long) * 8 - 2);

	while (bit > x)
		bit >>= 2;
	while (bit) {
		if (x >= r + bit) {
			x -= r + bit;
			r = (r >> 1) + bit;
		} else {
			r >>= 1;
		}
		bit >>= 2;
	}
	return r;
}

#define for_each_zone_k(k, pgdat, zone)                                                            \
	for_each_online_pgdat(k, pgdat) for (zone = pgdat->node_zones;                             \
					     zone < pgdat->node_zones + MAX_NR_ZONES; zone++)

/*
 * Models: mm/page_alloc.c:nr_free_zone_pages(ZONE_NORMAL) over the zonelist of node 0:
 * managed minus the high watermark of each zone up to ZONE_NORMAL, on every node.
 */
unsigned long nr_free_buffer_pages(const struct kmm_kernel *k)
{
	unsigned long sum = 0;
	pg_data_t *pgdat;

	for_each_online_pgdat(k, pgdat)
	{
		for (int z = 0; z <= ZONE_NORMAL; z++) {
			const struct zone *zone = &pgdat->node_zones[z];
			unsigned long size = zone_managed_pages(zone),
				      high = high_wmark_pages(zone);

			if (size > high)
				sum += size - high;
		}
	}
	return sum;
}

/* Models: mm/page_alloc.c:calculate_totalreserve_pages(). */
static void calculate_totalreserve_pages(struct kmm_kernel *k)
{
	unsigned long reserve_pages = 0;
	pg_data_t *pgdat;

	for_each_online_pgdat(k, pgdat)
	{
		pgdat->totalreserve_pages = 0;
		for (int i = 0; i < MAX_NR_ZONES; i++) {
			struct zone *zone = &pgdat->node_zones[i];
			long max = 0;

			for (int j = i; j < MAX_NR_ZONES; j++)
				if (zone->lowmem_reserve[j] > max)
					max = zone->lowmem_reserve[j];
			max += (long)high_wmark_pages(zone);
			if (max > zone->managed_pages)
				max = zone->managed_pages;
			pgdat->totalreserve_pages += (unsigned long)max;
			reserve_pages += (unsigned long)max;
		}
	}
	k->totalreserve_pages = reserve_pages;
}

/* Models: mm/page_alloc.c:__setup_per_zone_wmarks(). */
static void __setup_per_zone_wmarks(struct kmm_kernel *k)
{
	unsigned long pages_min = (unsigned long)k->min_free_kbytes >> (PAGE_SHIFT - 10);
	unsigned long lowmem_pages = 0;
	pg_data_t *pgdat;
	struct zone *zone;

	for_each_zone_k(k, pgdat, zone) lowmem_pages += zone_managed_pages(zone);

	for_each_zone_k(k, pgdat, zone)
	{
		uint64_t tmp =
			lowmem_pages ? (uint64_t)pages_min * zone_managed_pages(zone) / lowmem_pages
				     : 0;
		uint64_t scaled = zone_managed_pages(zone) / 10000 * k->watermark_scale_factor +
				  zone_managed_pages(zone) % 10000 * k->watermark_scale_factor /
					  10000; /* mult_frac() */

		zone->_watermark[WMARK_MIN] = tmp;
		tmp = tmp >> 2 > scaled ? tmp >> 2 : scaled;
		zone->watermark_boost = 0;
		zone->_watermark[WMARK_LOW] = min_wmark_pages(zone) + tmp;
		zone->_watermark[WMARK_HIGH] = low_wmark_pages(zone) + tmp;
		zone->_watermark[WMARK_PROMO] = high_wmark_pages(zone) + tmp;
	}
	calculate_totalreserve_pages(k);
}

/* Models: mm/page_alloc.c:zone_batchsize(). */
static int zone_batchsize(const struct zone *zone)
{
	unsigned long batch = zone_managed_pages(zone) >> 10;

	if (batch > (1UL << 20) / PAGE_SIZE)
		batch = (1UL << 20) / PAGE_SIZE;
	batch /= 4;
	if (batch < 1)
		batch = 1;
	/* Clamp to 2^n - 1 so that batches do not line up with buddy sizes. */
	return (int)rounddown_pow_of_two(batch + batch / 2) - 1;
}

/* Models: mm/page_alloc.c:zone_highsize(). */
static int zone_highsize(const struct kmm_kernel *k, const struct zone *zone, int batch,
			 int cpu_online)
{
	unsigned long total_pages;
	int nr_split_cpus, high;

	if (!k->percpu_pagelist_high_fraction)
		total_pages = low_wmark_pages(zone);
	else
		total_pages =
			zone_managed_pages(zone) / (unsigned long)k->percpu_pagelist_high_fraction;
	nr_split_cpus = k->cpus_of_node[zone->node] + cpu_online;
	if (!nr_split_cpus)
		nr_split_cpus = k->nr_cpus;
	high = (int)(total_pages / (unsigned long)nr_split_cpus);
	return high > batch << 2 ? high : batch << 2;
}

/* Models: mm/page_alloc.c:zone_pcp_update() -> zone_set_pageset_high_and_batch(). */
static void zone_pcp_update(struct kmm_kernel *k, struct zone *zone, int cpu_online)
{
	/* A zone under 8192 pages has a batchsize of 0; a pcp list drains in batches of 1. */
	int batch = zone_batchsize(zone), new_batch = batch > 1 ? batch : 1;
	int new_high = zone_highsize(k, zone, new_batch, cpu_online);

	if (zone->pageset_high == new_high && zone->pageset_batch == new_batch)
		return;
	zone->pageset_high = new_high;
	zone->pageset_batch = new_batch;
	for (int cpu = 0; cpu < k->nr_cpus && zone->per_cpu_pageset; cpu++) {
		zone->per_cpu_pageset[cpu].high = new_high;
		zone->per_cpu_pageset[cpu].batch = new_batch;
	}
}

void zone_pcp_update_all(struct kmm_kernel *k)
{
	pg_data_t *pgdat;
	struct zone *zone;

	for_each_zone_k(k, pgdat, zone) zone_pcp_update(k, zone, 0);
}

void setup_per_zone_wmarks(struct kmm_kernel *k)
{
	__setup_per_zone_wmarks(k);
	zone_pcp_update_all(k);
}

void setup_per_zone_lowmem_reserve(struct kmm_kernel *k)
{
	pg_data_t *pgdat;

	for_each_online_pgdat(k, pgdat)
	{
		for (int i = 0; i < MAX_NR_ZONES - 1; i++) {
			struct zone *zone = &pgdat->node_zones[i];
			int ratio = k->sysctl_lowmem_reserve_ratio[i];
			bool clear = !ratio || !zone_managed_pages(zone);
			unsigned long managed_pages = 0;

			for (int j = i + 1; j < MAX_NR_ZONES; j++) {
				managed_pages += zone_managed_pages(&pgdat->node_zones[j]);
				zone->lowmem_reserve[j] =
					clear ? 0 : (long)(managed_pages / (unsigned long)ratio);
			}
		}
	}
	calculate_totalreserve_pages(k);
}

/* Models: mm/vmstat.c:calculate_normal_threshold(). */
static int calculate_normal_threshold(const struct kmm_kernel *k, const struct zone *zone)
{
	unsigned long mem = zone_managed_pages(zone) >> (27 - PAGE_SHIFT);
	int threshold = 2 * fls64((unsigned long)k->nr_cpus) * (1 + fls64(mem));

	return threshold < 125 ? threshold : 125;
}

void refresh_zone_stat_thresholds(struct kmm_kernel *k)
{
	pg_data_t *pgdat;
	struct zone *zone;

	for_each_zone_k(k, pgdat, zone)
	{
		if (!populated_zone(zone))
			continue;
		int threshold = calculate_normal_threshold(k, zone);
		for (int cpu = 0; cpu < k->nr_cpus; cpu++)
			zone->per_cpu_zonestats[cpu].stat_threshold = (int8_t)threshold;
	}
}

/* Models: mm/page_alloc.c:calculate_min_free_kbytes(). */
static void calculate_min_free_kbytes(struct kmm_kernel *k)
{
	unsigned long lowmem_kbytes = nr_free_buffer_pages(k) * (PAGE_SIZE >> 10);
	long new_min = (long)int_sqrt(lowmem_kbytes * 16);

	if (new_min > k->user_min_free_kbytes)
		k->min_free_kbytes = (int)(new_min < 128      ? 128
					   : new_min > 262144 ? 262144
							      : new_min);
	else
		env_printk(k->env,
			   "min_free_kbytes is not updated to %ld because user defined "
			   "value %d is preferred\n",
			   new_min, k->user_min_free_kbytes);
}

/* Models: mm/page_alloc.c:init_per_zone_wmark_min() (postcore_initcall). */
void init_per_zone_wmark_min(struct kmm_kernel *k)
{
	calculate_min_free_kbytes(k);
	setup_per_zone_wmarks(k);
	refresh_zone_stat_thresholds(k);
	setup_per_zone_lowmem_reserve(k);
}

/* Models: mm/khugepaged.c:set_recommended_min_free_kbytes(). */
void set_recommended_min_free_kbytes(struct kmm_kernel *k)
{
	unsigned long recommended_min, nr_zones = 0;
	pg_data_t *pgdat;
	struct zone *zone;

	for_each_zone_k(k, pgdat, zone)
	{
		if (!populated_zone(zone) || zone_idx(zone) > ZONE_NORMAL)
			continue;
		nr_zones++;
	}
	/* Room for two free pageblocks of every type, and for the fallbacks between them. */
	recommended_min = pageblock_nr_pages * nr_zones * 2;
	recommended_min += pageblock_nr_pages * nr_zones * MIGRATE_PCPTYPES * MIGRATE_PCPTYPES;
	/* Never more than 5% of lowmem. */
	if (recommended_min > nr_free_buffer_pages(k) / 20)
		recommended_min = nr_free_buffer_pages(k) / 20;
	recommended_min <<= (PAGE_SHIFT - 10);
	if (recommended_min > (unsigned long)k->min_free_kbytes) {
		if (k->user_min_free_kbytes >= 0)
			env_printk(k->env,
				   "raising min_free_kbytes from %d to %lu to help "
				   "transparent hugepage allocations\n",
				   k->min_free_kbytes, recommended_min);
		k->min_free_kbytes = (int)recommended_min;
	}
	setup_per_zone_wmarks(k);
}
