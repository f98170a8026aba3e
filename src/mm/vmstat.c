/*
 * The memory views: /proc/zoneinfo, /proc/buddyinfo, /proc/pagetypeinfo, /proc/vmstat,
 * /proc/meminfo, and memblock's debugfs files, in the kernel's formats.
 *
 * Models (Linux 6.1.192): mm/vmstat.c:zoneinfo_show_print(), frag_show_print(),
 *         pagetypeinfo_show*(), vmstat_show(); fs/proc/meminfo.c:meminfo_proc_show();
 *         mm/page_alloc.c:si_mem_available(); mm/page-writeback.c:global_dirty_limits().
 *         /proc/meminfo has the full 6.1 arm64 list, each line from the counter the kernel
 *         uses.
 * Leaves out: counters of subsystems not modelled yet print their true value, 0 (no swap,
 *         no block devices, no hugetlb pool, no memory failure); Percpu counts the first
 *         chunk only (docs/fidelity.md).
 */
#include "mm/hugetlb.h"
#include "mm/internal.h"
#include "mm/compaction.h"
#include "mm/writeback.h"
#include "mm/mmap.h"
#include "mm/swap_state.h"
#include "mm/swapfile.h"
#include "mm/views.h"
#include "mm/vmalloc.h"

#include <inttypes.h>

static const char *const zone_stat_names[] = {
#define ZSI_NAME(e, name) name,
	ZONE_STAT_ITEMS(ZSI_NAME)
#undef ZSI_NAME
};

static const char *const numa_stat_names[] = {
#define NSI_NAME(e, name) name,
	NUMA_STAT_ITEMS(NSI_NAME)
#undef NSI_NAME
};

static const char *const node_stat_names[] = {
#define NDSI_NAME(e, name) name,
	NODE_STAT_ITEMS(NDSI_NAME)
#undef NDSI_NAME
};

static const char *const vm_event_names[] = {
#define VEI_NAME(e, name) name,
	VM_EVENT_ITEMS(VEI_NAME)
#undef VEI_NAME
};

/* Models: mm/vmstat.c:vmstat_item_in_bytes(): the slab counters are kept in bytes. */
static bool vmstat_item_in_bytes(int item)
{
	return item == NR_SLAB_RECLAIMABLE_B || item == NR_SLAB_UNRECLAIMABLE_B;
}

/* Models: node_page_state_pages(): in pages, also for the items kept in bytes. */
static long node_page_state_pages(const pg_data_t *pgdat, int item)
{
	long v = pgdat->vm_stat[item];

	return vmstat_item_in_bytes(item) ? v >> PAGE_SHIFT : v;
}

static bool is_zone_first_populated(const pg_data_t *pgdat, const struct zone *zone)
{
	for (int z = 0; z < MAX_NR_ZONES; z++)
		if (populated_zone(&pgdat->node_zones[z]))
			return zone == &pgdat->node_zones[z];
	return false;
}

/*
 * Models: vmstat_item_print_in_thp(): the THP counters count pages; the files print them in
 * huge pages (/proc/vmstat, zoneinfo's per-node stats).
 */
static long node_stat_shown(enum node_stat_item i, long pages)
{
	if (i == NR_ANON_THPS || i == NR_SHMEM_THPS || i == NR_SHMEM_PMDMAPPED ||
	    i == NR_FILE_THPS || i == NR_FILE_PMDMAPPED)
		return pages / (long)(PMD_SIZE >> PAGE_SHIFT);
	return pages;
}

/* Models: mm/vmstat.c:zoneinfo_show_print(). */
static void zoneinfo_show_print(const struct kmm_kernel *k, const pg_data_t *pgdat,
				const struct zone *zone, const struct sink *out)
{
	sink_printf(out, "Node %d, zone %8s", pgdat->node_id, zone_names[zone_idx(zone)]);
	if (is_zone_first_populated(pgdat, zone)) {
		sink_printf(out, "\n  per-node stats");
		for (int i = 0; i < NR_VM_NODE_STAT_ITEMS; i++)
			sink_printf(out, "\n      %-12s %ld", node_stat_names[i],
				    node_stat_shown(i, node_page_state_pages(pgdat, i)));
	}
	sink_printf(out,
		    "\n  pages free     %lu"
		    "\n        boost    %lu"
		    "\n        min      %lu"
		    "\n        low      %lu"
		    "\n        high     %lu"
		    "\n        spanned  %lu"
		    "\n        present  %lu"
		    "\n        managed  %lu"
		    "\n        cma      %lu",
		    zone_page_state(zone, NR_FREE_PAGES), zone->watermark_boost,
		    min_wmark_pages(zone), low_wmark_pages(zone), high_wmark_pages(zone),
		    zone->spanned_pages, zone->present_pages, zone_managed_pages(zone),
		    zone->cma_pages);
	sink_printf(out, "\n        protection: (%ld", zone->lowmem_reserve[0]);
	for (int i = 1; i < MAX_NR_ZONES; i++)
		sink_printf(out, ", %ld", zone->lowmem_reserve[i]);
	sink_printf(out, ")");
	if (!populated_zone(zone)) {
		sink_printf(out, "\n");
		return;
	}
	for (int i = 0; i < NR_VM_ZONE_STAT_ITEMS; i++)
		sink_printf(out, "\n      %-12s %lu", zone_stat_names[i],
			    zone_page_state(zone, (enum zone_stat_item)i));
	for (int i = 0; i < NR_VM_NUMA_EVENT_ITEMS; i++)
		sink_printf(out, "\n      %-12s %lu", numa_stat_names[i], zone->vm_numa_event[i]);
	sink_printf(out, "\n  pagesets");
	for (int cpu = 0; cpu < k->nr_cpus; cpu++) {
		const struct per_cpu_pages *pcp = &zone->per_cpu_pageset[cpu];

		sink_printf(out,
			    "\n    cpu: %i"
			    "\n              count: %i"
			    "\n              high:  %i"
			    "\n              batch: %i",
			    cpu, pcp->count, pcp->high, pcp->batch);
		sink_printf(out, "\n  vm stats threshold: %d",
			    zone->per_cpu_zonestats[cpu].stat_threshold);
	}
	sink_printf(out,
		    "\n  node_unreclaimable:  %u"
		    "\n  start_pfn:           %lu\n",
		    0u, zone->zone_start_pfn);
}

void show_zoneinfo(const struct kmm_kernel *k, const struct sink *out)
{
	pg_data_t *pgdat;

	for_each_online_pgdat(k, pgdat) for (int z = 0; z < MAX_NR_ZONES; z++)
		zoneinfo_show_print(k, pgdat, &pgdat->node_zones[z], out);
}

/* Models: mm/vmstat.c:frag_show_print(). */
void show_buddyinfo(const struct kmm_kernel *k, const struct sink *out)
{
	pg_data_t *pgdat;

	for_each_online_pgdat(k, pgdat)
	{
		for (int z = 0; z < MAX_NR_ZONES; z++) {
			const struct zone *zone = &pgdat->node_zones[z];

			if (!populated_zone(zone))
				continue;
			sink_printf(out, "Node %d, zone %8s ", pgdat->node_id, zone_names[z]);
			for (int o = 0; o < MAX_ORDER; o++)
				sink_printf(out, "%6lu ", zone->free_area[o].nr_free);
			sink_printf(out, "\n");
		}
	}
}

static unsigned long list_count(const struct list_head *head, bool *overflow)
{
	unsigned long n = 0;

	*overflow = false;
	for (const struct list_head *p = head->next; p != head; p = p->next) {
		if (++n >= 100000) {
			*overflow = true;
			break;
		}
	}
	return n;
}

/* Models: mm/vmstat.c:pagetypeinfo_show() (no page_owner: no mixed-block counts). */
void show_pagetypeinfo(const struct kmm_kernel *k, const struct sink *out)
{
	pg_data_t *pgdat;

	for_each_online_pgdat(k, pgdat)
	{
		sink_printf(out, "Page block order: %d\n", pageblock_order);
		sink_printf(out, "Pages per block:  %lu\n\n", pageblock_nr_pages);
		sink_printf(out, "%-43s ", "Free pages count per migrate type at order");
		for (int o = 0; o < MAX_ORDER; o++)
			sink_printf(out, "%6d ", o);
		sink_printf(out, "\n");
		for (int z = 0; z < MAX_NR_ZONES; z++) {
			const struct zone *zone = &pgdat->node_zones[z];

			if (!populated_zone(zone))
				continue;
			for (int mt = 0; mt < MIGRATE_TYPES; mt++) {
				sink_printf(out, "Node %4d, zone %8s, type %12s ", pgdat->node_id,
					    zone_names[z], migratetype_names[mt]);
				for (int o = 0; o < MAX_ORDER; o++) {
					bool overflow;
					unsigned long n = list_count(
						&zone->free_area[o].free_list[mt], &overflow);
					sink_printf(out, "%s%6lu ", overflow ? ">" : "", n);
				}
				sink_printf(out, "\n");
			}
		}
		sink_printf(out, "\n%-23s", "Number of blocks type ");
		for (int mt = 0; mt < MIGRATE_TYPES; mt++)
			sink_printf(out, "%12s ", migratetype_names[mt]);
		sink_printf(out, "\n");
		for (int z = 0; z < MAX_NR_ZONES; z++) {
			const struct zone *zone = &pgdat->node_zones[z];
			unsigned long count[MIGRATE_TYPES] = {0};

			if (!populated_zone(zone))
				continue;
			for (unsigned long pfn = zone->zone_start_pfn; pfn < zone_end_pfn(zone);
			     pfn += pageblock_nr_pages) {
				if (!pfn_valid(k, pfn) || page_zone(k, pfn_to_page(k, pfn)) != zone)
					continue;
				count[get_pfnblock_migratetype(k, pfn)]++;
			}
			sink_printf(out, "Node %d, zone %8s ", pgdat->node_id, zone_names[z]);
			for (int mt = 0; mt < MIGRATE_TYPES; mt++)
				sink_printf(out, "%12lu ", count[mt]);
			sink_printf(out, "\n");
		}
	}
}

unsigned long global_zone_page_state(const struct kmm_kernel *k, enum zone_stat_item item)
{
	unsigned long n = 0;
	pg_data_t *pgdat;

	for_each_online_pgdat(k, pgdat) for (int z = 0; z < MAX_NR_ZONES; z++) n +=
		zone_page_state(&pgdat->node_zones[z], item);
	return n;
}

/* Models: global_node_page_state_pages(). */
static long global_node_page_state(const struct kmm_kernel *k, enum node_stat_item item)
{
	long n = 0;
	pg_data_t *pgdat;

	for_each_online_pgdat(k, pgdat) n += node_page_state_pages(pgdat, item);
	return n;
}

void show_vmstat(const struct kmm_kernel *k, const struct sink *out)
{
	unsigned long bg, dirty, numa[NR_VM_NUMA_EVENT_ITEMS] = {0};
	pg_data_t *pgdat;

	for (int i = 0; i < NR_VM_ZONE_STAT_ITEMS; i++)
		sink_printf(out, "%s %lu\n", zone_stat_names[i],
			    global_zone_page_state(k, (enum zone_stat_item)i));
	for_each_online_pgdat(k, pgdat) for (int z = 0; z < MAX_NR_ZONES;
					     z++) for (int i = 0; i < NR_VM_NUMA_EVENT_ITEMS; i++)
		numa[i] += pgdat->node_zones[z].vm_numa_event[i];
	for (int i = 0; i < NR_VM_NUMA_EVENT_ITEMS; i++)
		sink_printf(out, "%s %lu\n", numa_stat_names[i], numa[i]);
	for (int i = 0; i < NR_VM_NODE_STAT_ITEMS; i++)
		sink_printf(out, "%s %ld\n", node_stat_names[i],
			    node_stat_shown((enum node_stat_item)i,
					    global_node_page_state(k, (enum node_stat_item)i)));
	global_dirty_limits(k, &bg, &dirty);
	sink_printf(out, "nr_dirty_threshold %lu\n", dirty);
	sink_printf(out, "nr_dirty_background_threshold %lu\n", bg);
	/* pgpgin/pgpgout count 512-byte sectors (submit_bio); the file shows KiB (vmstat_start). */
	for (int i = 0; i < NR_VM_EVENT_ITEMS; i++)
		sink_printf(out, "%s %lu\n", vm_event_names[i],
			    i == PGPGIN || i == PGPGOUT ? k->vm_events[i] / 2 : k->vm_events[i]);
	sink_printf(out, "nr_unstable 0\n");
}

/* Models: mm/page_alloc.c:si_mem_available(). */
static long si_mem_available(const struct kmm_kernel *k)
{
	unsigned long wmark_low = 0;
	long available, pagecache, reclaimable;
	pg_data_t *pgdat;

	for_each_online_pgdat(k, pgdat) for (int z = 0; z < MAX_NR_ZONES; z++) wmark_low +=
		low_wmark_pages(&pgdat->node_zones[z]);
	available = (long)global_zone_page_state(k, NR_FREE_PAGES) - (long)k->totalreserve_pages;
	pagecache = global_node_page_state(k, NR_ACTIVE_FILE) +
		    global_node_page_state(k, NR_INACTIVE_FILE);
	available +=
		pagecache - (pagecache / 2 < (long)wmark_low ? pagecache / 2 : (long)wmark_low);
	reclaimable = global_node_page_state(k, NR_SLAB_RECLAIMABLE_B) +
		      global_node_page_state(k, NR_KERNEL_MISC_RECLAIMABLE);
	available += reclaimable -
		     (reclaimable / 2 < (long)wmark_low ? reclaimable / 2 : (long)wmark_low);
	return available < 0 ? 0 : available;
}

static void show_val_kb(const struct sink *out, const char *label, unsigned long pages)
{
	sink_printf(out, "%s%8lu kB\n", label, pages << (PAGE_SHIFT - 10));
}

/* Committed_AS: mm/util.c's vm_memory_committed(); 0 before boot and after shutdown. */
static unsigned long meminfo_committed_as(const struct kmm_kernel *k)
{
	return k->mm_state ? vm_memory_committed(k) : 0;
}

/* Models: mm/percpu.c:pcpu_nr_pages(): the first chunk, PCPU_UNIT_PAGES per unit (CPU). */
static unsigned long pcpu_nr_pages(const struct kmm_kernel *k)
{
	return 31UL * (unsigned long)k->nr_cpus; /* "Embedded 31 pages/cpu" */
}

/*
 * Models: fs/proc/meminfo.c:meminfo_proc_show() (6.1 arm64: CONFIG_ZSWAP, MEMORY_FAILURE,
 * TRANSPARENT_HUGEPAGE, CMA, HUGETLB_PAGE; no HIGHMEM, no SHADOW_CALL_STACK) and
 * mm/hugetlb.c:hugetlb_report_meminfo() (hugetlb.c). No block
 * devices (Buffers 0), no zswap (Zswap 0); SwapCached is the swap cache (swap_state.c),
 * SwapTotal/SwapFree from si_swapinfo (swapfile.c).
 */
void show_meminfo(const struct kmm_kernel *k, const struct sink *out)
{
	unsigned long sreclaimable, sunreclaim, pages[NR_LRU_LISTS], freeswap, totalswap;
	long cached = global_node_page_state(k, NR_FILE_PAGES) -
		      (long)total_swapcache_pages(k); /* buffers: 0 */

	for (int lru = 0; lru < NR_LRU_LISTS; lru++)
		pages[lru] = (unsigned long)global_node_page_state(
			k, (enum node_stat_item)(NR_LRU_BASE + lru));
	sreclaimable = (unsigned long)global_node_page_state(k, NR_SLAB_RECLAIMABLE_B);
	sunreclaim = (unsigned long)global_node_page_state(k, NR_SLAB_UNRECLAIMABLE_B);

	show_val_kb(out, "MemTotal:       ", (unsigned long)k->totalram_pages);
	show_val_kb(out, "MemFree:        ", global_zone_page_state(k, NR_FREE_PAGES));
	show_val_kb(out, "MemAvailable:   ", (unsigned long)si_mem_available(k));
	show_val_kb(out, "Buffers:        ", 0);
	show_val_kb(out, "Cached:         ", cached < 0 ? 0 : (unsigned long)cached);
	show_val_kb(out, "SwapCached:     ", total_swapcache_pages(k));
	show_val_kb(out, "Active:         ", pages[LRU_ACTIVE_ANON] + pages[LRU_ACTIVE_FILE]);
	show_val_kb(out, "Inactive:       ", pages[LRU_INACTIVE_ANON] + pages[LRU_INACTIVE_FILE]);
	show_val_kb(out, "Active(anon):   ", pages[LRU_ACTIVE_ANON]);
	show_val_kb(out, "Inactive(anon): ", pages[LRU_INACTIVE_ANON]);
	show_val_kb(out, "Active(file):   ", pages[LRU_ACTIVE_FILE]);
	show_val_kb(out, "Inactive(file): ", pages[LRU_INACTIVE_FILE]);
	show_val_kb(out, "Unevictable:    ", pages[LRU_UNEVICTABLE]);
	show_val_kb(out, "Mlocked:        ", global_zone_page_state(k, NR_MLOCK));
	si_swapinfo(k, &freeswap, &totalswap);
	show_val_kb(out, "SwapTotal:      ", totalswap);
	show_val_kb(out, "SwapFree:       ", freeswap);
	sink_printf(out, "Zswap:          %8lu kB\n", 0UL);
	sink_printf(out, "Zswapped:       %8lu kB\n", 0UL);
	show_val_kb(out,
		    "Dirty:          ", (unsigned long)global_node_page_state(k, NR_FILE_DIRTY));
	show_val_kb(out,
		    "Writeback:      ", (unsigned long)global_node_page_state(k, NR_WRITEBACK));
	show_val_kb(out,
		    "AnonPages:      ", (unsigned long)global_node_page_state(k, NR_ANON_MAPPED));
	show_val_kb(out,
		    "Mapped:         ", (unsigned long)global_node_page_state(k, NR_FILE_MAPPED));
	show_val_kb(out, "Shmem:          ", (unsigned long)global_node_page_state(k, NR_SHMEM));
	show_val_kb(out, "KReclaimable:   ",
		    sreclaimable +
			    (unsigned long)global_node_page_state(k, NR_KERNEL_MISC_RECLAIMABLE));
	show_val_kb(out, "Slab:           ", sreclaimable + sunreclaim);
	show_val_kb(out, "SReclaimable:   ", sreclaimable);
	show_val_kb(out, "SUnreclaim:     ", sunreclaim);
	sink_printf(out, "KernelStack:    %8lu kB\n",
		    (unsigned long)global_node_page_state(k, NR_KERNEL_STACK_KB));
	show_val_kb(out,
		    "PageTables:     ", (unsigned long)global_node_page_state(k, NR_PAGETABLE));
	show_val_kb(out, "SecPageTables:  ",
		    (unsigned long)global_node_page_state(k, NR_SECONDARY_PAGETABLE));
	show_val_kb(out, "NFS_Unstable:   ", 0);
	show_val_kb(out, "Bounce:         ", global_zone_page_state(k, NR_BOUNCE));
	show_val_kb(out, "WritebackTmp:   ",
		    (unsigned long)global_node_page_state(k, NR_WRITEBACK_TEMP));
	show_val_kb(out, "CommitLimit:    ", vm_commit_limit(k));
	show_val_kb(out, "Committed_AS:   ", meminfo_committed_as(k));
	sink_printf(out, "VmallocTotal:   %8lu kB\n", (VMALLOC_END - VMALLOC_START) >> 10);
	show_val_kb(out, "VmallocUsed:    ", vmalloc_nr_pages(k));
	show_val_kb(out, "VmallocChunk:   ", 0);
	show_val_kb(out, "Percpu:         ", pcpu_nr_pages(k));
	sink_printf(out, "HardwareCorrupted: %5lu kB\n", 0UL); /* no memory-failure model */
	show_val_kb(out,
		    "AnonHugePages:  ", (unsigned long)global_node_page_state(k, NR_ANON_THPS));
	show_val_kb(out,
		    "ShmemHugePages: ", (unsigned long)global_node_page_state(k, NR_SHMEM_THPS));
	show_val_kb(out, "ShmemPmdMapped: ",
		    (unsigned long)global_node_page_state(k, NR_SHMEM_PMDMAPPED));
	show_val_kb(out,
		    "FileHugePages:  ", (unsigned long)global_node_page_state(k, NR_FILE_THPS));
	show_val_kb(out, "FilePmdMapped:  ",
		    (unsigned long)global_node_page_state(k, NR_FILE_PMDMAPPED));
	show_val_kb(out, "CmaTotal:       ", k->totalcma_pages);
	show_val_kb(out, "CmaFree:        ", global_zone_page_state(k, NR_FREE_CMA_PAGES));
	hugetlb_report_meminfo(k, out);
}

void show_memblock_memory(const struct kmm_kernel *k, const struct sink *out)
{
	memblock_debugfs_show(&k->memblock.memory, out);
}

void show_memblock_reserved(const struct kmm_kernel *k, const struct sink *out)
{
	memblock_debugfs_show(&k->memblock.reserved, out);
}

/* Models: mm/vmstat.c:struct contig_page_info and fill_contig_page_info(). */
struct contig_page_info {
	unsigned long free_pages;
	unsigned long free_blocks_total;
	unsigned long free_blocks_suitable;
};

static void fill_contig_page_info(const struct zone *zone, unsigned int suitable_order,
				  struct contig_page_info *info)
{
	*info = (struct contig_page_info){0};
	for (unsigned int order = 0; order < MAX_ORDER; order++) {
		unsigned long blocks = zone->free_area[order].nr_free;

		info->free_blocks_total += blocks;
		info->free_pages += blocks << order;
		if (order >= suitable_order)
			info->free_blocks_suitable += blocks << (order - suitable_order);
	}
}

/*
 * Models: __fragmentation_index(): 0 = failure would be for lack of memory, toward 1000 =
 * for fragmentation; -1000 when a suitable block exists.
 */
static int __fragmentation_index(unsigned int order, const struct contig_page_info *info)
{
	unsigned long requested = 1UL << order;

	if (!info->free_blocks_total)
		return 0;
	if (info->free_blocks_suitable)
		return -1000;
	return 1000 -
	       (int)((1000 + info->free_pages * 1000ULL / requested) / info->free_blocks_total);
}

/* Models: unusable_free_index(): the share of free memory in blocks too small for @order. */
static int unusable_free_index(unsigned int order, const struct contig_page_info *info)
{
	if (info->free_pages == 0)
		return 1000;
	return (int)((info->free_pages - (info->free_blocks_suitable << order)) * 1000ULL /
		     info->free_pages);
}

int fragmentation_index(const struct zone *zone, unsigned int order)
{
	struct contig_page_info info;

	fill_contig_page_info(zone, order, &info);
	return __fragmentation_index(order, &info);
}

unsigned int extfrag_for_order(const struct zone *zone, unsigned int order)
{
	struct contig_page_info info;

	fill_contig_page_info(zone, order, &info);
	if (!info.free_pages)
		return 0;
	return (unsigned int)((info.free_pages - (info.free_blocks_suitable << order)) * 100 /
			      info.free_pages);
}

static void extfrag_show(const struct kmm_kernel *k, const struct sink *out, bool unusable)
{
	pg_data_t *pgdat;

	for_each_online_pgdat(k, pgdat) for (int z = 0; z < MAX_NR_ZONES; z++)
	{
		const struct zone *zone = &pgdat->node_zones[z];

		if (!populated_zone(zone))
			continue;
		sink_printf(out, "Node %d, zone %8s ", pgdat->node_id, zone_names[z]);
		for (unsigned int order = 0; order < MAX_ORDER; order++) {
			struct contig_page_info info;
			int index;

			fill_contig_page_info(zone, order, &info);
			index = unusable ? unusable_free_index(order, &info)
					 : __fragmentation_index(order, &info);
			sink_printf(out, unusable ? "%d.%03d " : "%2d.%03d ", index / 1000,
				    (index < 0 ? -index : index) % 1000);
		}
		sink_printf(out, "\n");
	}
}

void show_unusable_index(const struct kmm_kernel *k, const struct sink *out)
{
	extfrag_show(k, out, true);
}

void show_extfrag_index(const struct kmm_kernel *k, const struct sink *out)
{
	extfrag_show(k, out, false);
}
