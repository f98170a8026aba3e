/*
 * The memory report of allocation failures and the OOM killer: "Mem-Info:", the per-node
 * and per-zone lines, the free areas by order with their migratetype letters, and the RAM
 * summary.
 *
 * Models: lib/show_mem.c:__show_mem(), mm/page_alloc.c:__show_free_areas() and
 *         show_migration_types() (Linux 6.1.192); the swap lines from the swap devices and
 *         NR_SWAPCACHE (total_swapcache_pages()).
 * Leaves out: the hugetlb lines print the reference kernel's four hstates with zero pages
 *         (no hugetlb pools yet).
 */
#include "mm/hugetlb.h"
#include "mm/internal.h"
#include "mm/swapfile.h"
#include "mm/vmscan.h"

#include <stdio.h>

#define K(pages) ((unsigned long)(pages) << (PAGE_SHIFT - 10))

static bool show_mem_node_skip(int nid, const nodemask_t *nodemask)
{
	return nodemask && !node_isset(nid, nodemask);
}

static unsigned long node_pages(const pg_data_t *pgdat, enum node_stat_item item)
{
	long v = pgdat->vm_stat[item];

	/* The _B items count bytes; the report shows pages. */
	if (item == NR_SLAB_RECLAIMABLE_B || item == NR_SLAB_UNRECLAIMABLE_B)
		v >>= PAGE_SHIFT;
	return v < 0 ? 0 : (unsigned long)v;
}

static unsigned long global_node_pages(const struct kmm_kernel *k, enum node_stat_item item)
{
	unsigned long n = 0;
	pg_data_t *pgdat;

	for_each_online_pgdat(k, pgdat) n += node_pages(pgdat, item);
	return n;
}

static unsigned long zone_pcp_pages(const struct kmm_kernel *k, const struct zone *zone)
{
	unsigned long n = 0;

	for (int cpu = 0; cpu < k->nr_cpus && zone->per_cpu_pageset; cpu++)
		n += (unsigned long)zone->per_cpu_pageset[cpu].count;
	return n;
}

static void show_global_counts(struct kmm_kernel *k)
{
	unsigned long free_pcp = 0;
	pg_data_t *pgdat;

	for_each_online_pgdat(k, pgdat) for (int z = 0; z < MAX_NR_ZONES; z++) free_pcp +=
		zone_pcp_pages(k, &pgdat->node_zones[z]);
	env_printk(k->env,
		   "active_anon:%lu inactive_anon:%lu isolated_anon:%lu\n"
		   " active_file:%lu inactive_file:%lu isolated_file:%lu\n"
		   " unevictable:%lu dirty:%lu writeback:%lu\n"
		   " slab_reclaimable:%lu slab_unreclaimable:%lu\n"
		   " mapped:%lu shmem:%lu pagetables:%lu\n"
		   " sec_pagetables:%lu bounce:%lu\n"
		   " kernel_misc_reclaimable:%lu\n"
		   " free:%lu free_pcp:%lu free_cma:%lu\n",
		   global_node_pages(k, NR_ACTIVE_ANON), global_node_pages(k, NR_INACTIVE_ANON),
		   global_node_pages(k, NR_ISOLATED_ANON), global_node_pages(k, NR_ACTIVE_FILE),
		   global_node_pages(k, NR_INACTIVE_FILE), global_node_pages(k, NR_ISOLATED_FILE),
		   global_node_pages(k, NR_UNEVICTABLE), global_node_pages(k, NR_FILE_DIRTY),
		   global_node_pages(k, NR_WRITEBACK), global_node_pages(k, NR_SLAB_RECLAIMABLE_B),
		   global_node_pages(k, NR_SLAB_UNRECLAIMABLE_B),
		   global_node_pages(k, NR_FILE_MAPPED), global_node_pages(k, NR_SHMEM),
		   global_node_pages(k, NR_PAGETABLE), global_node_pages(k, NR_SECONDARY_PAGETABLE),
		   global_zone_page_state(k, NR_BOUNCE),
		   global_node_pages(k, NR_KERNEL_MISC_RECLAIMABLE),
		   global_zone_page_state(k, NR_FREE_PAGES), free_pcp,
		   global_zone_page_state(k, NR_FREE_CMA_PAGES));
}

static void show_node_line(struct kmm_kernel *k, const pg_data_t *pgdat)
{
	env_printk(k->env,
		   "Node %d active_anon:%lukB inactive_anon:%lukB active_file:%lukB "
		   "inactive_file:%lukB unevictable:%lukB isolated(anon):%lukB "
		   "isolated(file):%lukB mapped:%lukB dirty:%lukB writeback:%lukB shmem:%lukB "
		   "shmem_thp: %lukB shmem_pmdmapped: %lukB anon_thp: %lukB writeback_tmp:%lukB "
		   "kernel_stack:%lukB pagetables:%lukB sec_pagetables:%lukB "
		   "all_unreclaimable? %s\n",
		   pgdat->node_id, K(node_pages(pgdat, NR_ACTIVE_ANON)),
		   K(node_pages(pgdat, NR_INACTIVE_ANON)), K(node_pages(pgdat, NR_ACTIVE_FILE)),
		   K(node_pages(pgdat, NR_INACTIVE_FILE)), K(node_pages(pgdat, NR_UNEVICTABLE)),
		   K(node_pages(pgdat, NR_ISOLATED_ANON)), K(node_pages(pgdat, NR_ISOLATED_FILE)),
		   K(node_pages(pgdat, NR_FILE_MAPPED)), K(node_pages(pgdat, NR_FILE_DIRTY)),
		   K(node_pages(pgdat, NR_WRITEBACK)), K(node_pages(pgdat, NR_SHMEM)),
		   K(node_pages(pgdat, NR_SHMEM_THPS)), K(node_pages(pgdat, NR_SHMEM_PMDMAPPED)),
		   K(node_pages(pgdat, NR_ANON_THPS)), K(node_pages(pgdat, NR_WRITEBACK_TEMP)),
		   node_pages(pgdat, NR_KERNEL_STACK_KB), K(node_pages(pgdat, NR_PAGETABLE)),
		   K(node_pages(pgdat, NR_SECONDARY_PAGETABLE)),
		   kswapd_gave_up(k, pgdat->node_id) ? "yes" : "no");
}

static void show_zone_line(struct kmm_kernel *k, const struct zone *zone)
{
	char lr[128];
	size_t n = 0;

	env_printk(k->env,
		   "Node %d %s free:%lukB boost:%lukB min:%lukB low:%lukB high:%lukB "
		   "reserved_highatomic:%luKB active_anon:%lukB inactive_anon:%lukB "
		   "active_file:%lukB inactive_file:%lukB unevictable:%lukB writepending:%lukB "
		   "present:%lukB managed:%lukB mlocked:%lukB bounce:%lukB free_pcp:%lukB "
		   "local_pcp:%lukB free_cma:%lukB\n",
		   zone->node, zone->name, K(zone_page_state(zone, NR_FREE_PAGES)),
		   K(zone->watermark_boost), K(min_wmark_pages(zone)), K(low_wmark_pages(zone)),
		   K(high_wmark_pages(zone)), K(zone->nr_reserved_highatomic),
		   K(zone_page_state(zone, NR_ZONE_ACTIVE_ANON)),
		   K(zone_page_state(zone, NR_ZONE_INACTIVE_ANON)),
		   K(zone_page_state(zone, NR_ZONE_ACTIVE_FILE)),
		   K(zone_page_state(zone, NR_ZONE_INACTIVE_FILE)),
		   K(zone_page_state(zone, NR_ZONE_UNEVICTABLE)),
		   K(zone_page_state(zone, NR_ZONE_WRITE_PENDING)), K(zone->present_pages),
		   K(zone_managed_pages(zone)), K(zone_page_state(zone, NR_MLOCK)),
		   K(zone_page_state(zone, NR_BOUNCE)), K(zone_pcp_pages(k, zone)),
		   K(zone->per_cpu_pageset ? zone->per_cpu_pageset[smp_processor_id(k)].count : 0),
		   K(zone_page_state(zone, NR_FREE_CMA_PAGES)));
	for (int i = 0; i < MAX_NR_ZONES; i++)
		n += (size_t)snprintf(lr + n, sizeof(lr) - n, " %ld", zone->lowmem_reserve[i]);
	env_printk(k->env, "lowmem_reserve[]:%s\n", lr);
}

static void show_zone_free_area(struct kmm_kernel *k, const struct zone *zone)
{
	static const char letters[MIGRATE_TYPES] = {'U', 'M', 'E', 'H', 'C', 'I'};
	unsigned long total = 0;
	char line[1024];
	size_t n = 0;

	n += (size_t)snprintf(line + n, sizeof(line) - n, "Node %d %s: ", zone->node, zone->name);
	for (unsigned int order = 0; order < MAX_ORDER; order++) {
		const struct free_area *area = &zone->free_area[order];
		char types[MIGRATE_TYPES + 1];
		int t = 0;

		total += area->nr_free << order;
		n += (size_t)snprintf(line + n, sizeof(line) - n, "%lu*%lukB ", area->nr_free,
				      K(1UL) << order);
		if (!area->nr_free)
			continue;
		for (int mt = 0; mt < MIGRATE_TYPES; mt++)
			if (!list_empty(&area->free_list[mt]))
				types[t++] = letters[mt];
		types[t] = 0;
		n += (size_t)snprintf(line + n, sizeof(line) - n, "(%s) ", types);
	}
	env_printk(k->env, "%s= %lukB\n", line, K(total));
}

void __show_mem(struct kmm_kernel *k, const nodemask_t *nodemask, int max_zone_idx)
{
	unsigned long total = 0, reserved = 0;
	pg_data_t *pgdat;

	if (max_zone_idx < 0)
		max_zone_idx = MAX_NR_ZONES - 1;
	env_printk(k->env, "Mem-Info:\n");
	show_global_counts(k);
	for_each_online_pgdat(k, pgdat) if (!show_mem_node_skip(pgdat->node_id, nodemask))
		show_node_line(k, pgdat);
	for_each_online_pgdat(k, pgdat) for (int z = 0; z <= max_zone_idx; z++)
	{
		const struct zone *zone = &pgdat->node_zones[z];

		if (populated_zone(zone) && !show_mem_node_skip(pgdat->node_id, nodemask))
			show_zone_line(k, zone);
	}
	for_each_online_pgdat(k, pgdat) for (int z = 0; z <= max_zone_idx; z++)
	{
		const struct zone *zone = &pgdat->node_zones[z];

		if (populated_zone(zone) && !show_mem_node_skip(pgdat->node_id, nodemask))
			show_zone_free_area(k, zone);
	}
	for_each_online_pgdat(k, pgdat) if (!show_mem_node_skip(pgdat->node_id, nodemask))
		hugetlb_show_meminfo_node(k, pgdat->node_id);
	env_printk(k->env, "%lu total pagecache pages\n", global_node_pages(k, NR_FILE_PAGES));
	env_printk(k->env, "%lu pages in swap cache\n", global_node_pages(k, NR_SWAPCACHE));
	env_printk(k->env, "Free swap  = %ldkB\nTotal swap = %ldkB\n",
		   get_nr_swap_pages(k) << (PAGE_SHIFT - 10),
		   total_swap_pages(k) << (PAGE_SHIFT - 10));
	for_each_online_pgdat(k, pgdat) for (int z = 0; z < MAX_NR_ZONES; z++)
	{
		const struct zone *zone = &pgdat->node_zones[z];

		if (!populated_zone(zone))
			continue;
		total += zone->present_pages;
		reserved += zone->present_pages - zone_managed_pages(zone);
	}
	env_printk(k->env, "%lu pages RAM\n0 pages HighMem/MovableOnly\n%lu pages reserved\n",
		   total, reserved);
	env_printk(k->env, "%lu pages cma reserved\n0 pages hwpoisoned\n", k->totalcma_pages);
}
