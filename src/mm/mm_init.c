/*
 * Nodes, zones and the memory map: from memblock's memory regions to initialised zones whose
 * free lists hold every page memblock did not reserve.
 *
 * Models (Linux 6.1.192): mm/page_alloc.c:free_area_init(), find_zone_movable_pfns_for_nodes(),
 *         calculate_node_totalpages(), free_area_init_core(), memmap_init(),
 *         build_all_zonelists(), init_cma_reserved_pageblock(); mm/memblock.c:memblock_free_all();
 *         mm/sparse.c:sparse_init() (the vmemmap buffer reservation).
 * Deviation: struct pages live in host memory (one lazily committed array over the PFN span,
 *         like vmemmap); their simulated backing is reserved in memblock as the kernel does.
 * Deviation: no deferred struct page init: every page is initialised and freed at
 *         memblock_free_all() time (the end state of the free lists is the same).
 *
 * Invariants (mm_init_check):
 *  1. Every valid PFN of a zone is in exactly one place: claimed by one row of the registry
 *     in page_place.h (reserved, buddy, isolated, pcp, slab, vmalloc, kernel page table,
 *     cma), or claimed by none and in use by a caller (page_place.h says which unclaimed
 *     pages are in use; the others are in no place). Pages in holes are reserved.
 *  2. A zone's managed pages equal its present pages minus its PageReserved pages.
 *  3. Zones of a node do not overlap and lie inside the node's span.
 */
#include "mm/internal.h"
#include "mm/page_place.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>

#define SECTION_MAP_SIZE (PAGES_PER_SECTION * sizeof(struct page)) /* 2 MiB: one PMD */

static void get_pfn_range_for_nid(const struct kmm_kernel *k, int nid, unsigned long *start,
				  unsigned long *end)
{
	unsigned long s, e;
	int i;

	*start = ULONG_MAX;
	*end = 0;
	for_each_mem_pfn_range(&((struct kmm_kernel *)k)->memblock, i, nid, &s, &e, NULL)
	{
		*start = s < *start ? s : *start;
		*end = e > *end ? e : *end;
	}
	if (*start == ULONG_MAX)
		*start = 0;
}

/* Host bytes of the memory map for @sections present sections. */
static uint64_t memmap_host_bytes(uint64_t sections)
{
	return sections *
	       (PAGES_PER_SECTION * sizeof(struct page) + (PAGES_PER_SECTION >> pageblock_order));
}

uint64_t kernel_memmap_host_bytes(const struct kmm_config *cfg)
{
	uint64_t sections = 0;

	/* Banks do not share sections in the estimate: at most one too many per bank. */
	for (uint32_t i = 0; i < cfg->nr_banks; i++) {
		uint64_t lo = cfg->banks[i].base >> SECTION_SIZE_BITS,
			 hi = (cfg->banks[i].base + cfg->banks[i].size +
			       (1ull << SECTION_SIZE_BITS) - 1) >>
			      SECTION_SIZE_BITS;
		sections += hi - lo;
	}
	return memmap_host_bytes(sections);
}

/*
 * Models: mm/sparse.c:sparse_init() as far as memory goes: mark present sections and
 * reserve each node's vmemmap buffer (2 MiB per present section, PMD aligned) from memblock.
 * The struct pages themselves are one host array over the PFN span.
 */
int sparse_init(struct kmm_kernel *k)
{
	struct memblock *mb = &k->memblock;
	unsigned long lo = ULONG_MAX, hi = 0, s, e, nsec;
	int i, nid;

	for_each_mem_pfn_range(mb, i, MAX_NUMNODES, &s, &e, NULL)
	{
		lo = s < lo ? s : lo;
		hi = e > hi ? e : hi;
	}
	if (lo >= hi)
		return env_error(k->env, KMM_EINVAL, "no memory left to boot with"), -EINVAL;
	k->vmemmap_base = ALIGN_DOWN(lo, PAGES_PER_SECTION);
	k->vmemmap_end = ALIGN(hi, PAGES_PER_SECTION);
	nsec = (k->vmemmap_end - k->vmemmap_base) >> PFN_SECTION_SHIFT;
	k->section_present = env_alloc(k->env, nsec);
	k->pageblock_flags =
		env_alloc_backing(k->env, (k->vmemmap_end - k->vmemmap_base) >> pageblock_order);
	k->vmemmap =
		env_alloc_backing(k->env, (k->vmemmap_end - k->vmemmap_base) * sizeof(struct page));
	if (!k->section_present || !k->pageblock_flags || !k->vmemmap)
		return env_error(k->env, KMM_EHOST,
				 "cannot allocate the memory map for %lu "
				 "sections",
				 nsec),
		       -ENOMEM;

	for (nid = 0; nid < MAX_NUMNODES; nid++) {
		unsigned long map_count = 0, last = ULONG_MAX;
		kmm_va_t buf;

		for_each_mem_pfn_range(mb, i, nid, &s, &e, NULL)
		{
			for (unsigned long pfn = s & ~(PAGES_PER_SECTION - 1); pfn < e;
			     pfn += PAGES_PER_SECTION) {
				unsigned long sec = (pfn - k->vmemmap_base) >> PFN_SECTION_SHIFT;
				if (sec != last && !k->section_present[sec])
					map_count++;
				k->section_present[sec] = 1;
				last = sec;
			}
		}
		if (!map_count)
			continue;
		/* Host memory: the struct pages of these sections will be written (memmap_init). */
		k->env->host_memmap += memmap_host_bytes(map_count);
		if (!env_host_check(k->env, "the memory map (struct pages)",
				    memmap_host_bytes(map_count)))
			return env_error(k->env, KMM_EHOST, "%s", k->env->last_error), -ENOMEM;
		/* sparse_buffer_init(): one buffer per node for all its sections. */
		mb->caller = "sparse_init_nid";
		buf = memblock_alloc_exact_nid_raw(mb, map_count * SECTION_MAP_SIZE,
						   SECTION_MAP_SIZE, k->memstart_addr,
						   MEMBLOCK_ALLOC_ACCESSIBLE, nid);
		if (!buf)
			env_printk(k->env,
				   "sparse_init_nid: node[%d] memory map backing failed. "
				   "Some memory will not be available.\n",
				   nid);
	}
	return 0;
}

/* Models: mm/page_alloc.c:find_zone_movable_pfns_for_nodes() for kernelcore=/movablecore=. */
static void find_zone_movable_pfns_for_nodes(struct kmm_kernel *k, int *movable_zone)
{
	unsigned long totalpages = 0, s, e, usable_startpfn, required_kernelcore,
		      required_movablecore, kernelcore_node, kernelcore_remaining;
	int i, nid, usable_nodes = 0;
	bool has_mem[MAX_NUMNODES] = {false};

	for_each_mem_pfn_range(&k->memblock, i, MAX_NUMNODES, &s, &e, &nid)
	{
		totalpages += e - s;
		if (e > s)
			has_mem[nid] = true;
	}
	for (nid = 0; nid < MAX_NUMNODES; nid++)
		usable_nodes += has_mem[nid];
	for (*movable_zone = MAX_NR_ZONES - 1; *movable_zone > 0; (*movable_zone)--) {
		if (*movable_zone != ZONE_MOVABLE &&
		    k->arch_zone_highest_possible_pfn[*movable_zone] >
			    k->arch_zone_lowest_possible_pfn[*movable_zone])
			break;
	}
	required_kernelcore = k->params.kernelcore >> PAGE_SHIFT;
	required_movablecore = k->params.movablecore >> PAGE_SHIFT;
	if (required_movablecore) {
		required_movablecore = roundup(required_movablecore, MAX_ORDER_NR_PAGES);
		if (required_movablecore > totalpages)
			required_movablecore = totalpages;
		if (totalpages - required_movablecore > required_kernelcore)
			required_kernelcore = totalpages - required_movablecore;
	}
	if (!required_kernelcore || required_kernelcore >= totalpages)
		return;
	usable_startpfn = k->arch_zone_lowest_possible_pfn[*movable_zone];
restart:
	/* Spread kernelcore as evenly as possible over the nodes. */
	kernelcore_node = required_kernelcore / (unsigned long)usable_nodes;
	for (nid = 0; nid < MAX_NUMNODES; nid++) {
		if (!has_mem[nid])
			continue;
		if (required_kernelcore < kernelcore_node)
			kernelcore_node = required_kernelcore / (unsigned long)usable_nodes;
		kernelcore_remaining = kernelcore_node;
		for_each_mem_pfn_range(&k->memblock, i, nid, &s, &e, NULL)
		{
			unsigned long size_pages;

			s = s > k->zone_movable_pfn[nid] ? s : k->zone_movable_pfn[nid];
			if (s >= e)
				continue;
			if (s < usable_startpfn) {
				unsigned long kernel_pages =
					(e < usable_startpfn ? e : usable_startpfn) - s;

				kernelcore_remaining -= kernel_pages < kernelcore_remaining
								? kernel_pages
								: kernelcore_remaining;
				required_kernelcore -= kernel_pages < required_kernelcore
							       ? kernel_pages
							       : required_kernelcore;
				if (e <= usable_startpfn) {
					k->zone_movable_pfn[nid] = e;
					continue;
				}
				s = usable_startpfn;
			}
			size_pages = e - s;
			if (size_pages > kernelcore_remaining)
				size_pages = kernelcore_remaining;
			k->zone_movable_pfn[nid] = s + size_pages;
			required_kernelcore -=
				size_pages < required_kernelcore ? size_pages : required_kernelcore;
			kernelcore_remaining -= size_pages;
			if (!kernelcore_remaining)
				break;
		}
	}
	usable_nodes--;
	if (usable_nodes && required_kernelcore > (unsigned long)usable_nodes)
		goto restart;
	/* Align ZONE_MOVABLE's start to MAX_ORDER_NR_PAGES on every node. */
	for (nid = 0; nid < MAX_NUMNODES; nid++) {
		unsigned long ns, ne;

		k->zone_movable_pfn[nid] = roundup(k->zone_movable_pfn[nid], MAX_ORDER_NR_PAGES);
		get_pfn_range_for_nid(k, nid, &ns, &ne);
		if (k->zone_movable_pfn[nid] >= ne)
			k->zone_movable_pfn[nid] = 0;
	}
}

/* Models: mm/page_alloc.c:adjust_zone_range_for_zone_movable(). */
static void adjust_zone_range_for_zone_movable(const struct kmm_kernel *k, int nid, int zone_type,
					       unsigned long node_end_pfn, int movable_zone,
					       unsigned long *zs, unsigned long *ze)
{
	unsigned long mpfn = k->zone_movable_pfn[nid];

	if (!mpfn)
		return;
	if (zone_type == ZONE_MOVABLE) {
		*zs = mpfn;
		*ze = node_end_pfn < k->arch_zone_highest_possible_pfn[movable_zone]
			      ? node_end_pfn
			      : k->arch_zone_highest_possible_pfn[movable_zone];
	} else if (*zs<mpfn && * ze> mpfn) {
		*ze = mpfn;
	} else if (*zs >= mpfn) {
		*zs = *ze;
	}
}

/* Models: mm/page_alloc.c:zone_spanned_pages_in_node(). */
static unsigned long zone_spanned_pages_in_node(const struct kmm_kernel *k, int nid, int zone_type,
						unsigned long node_start_pfn,
						unsigned long node_end_pfn, int movable_zone,
						unsigned long *zs, unsigned long *ze)
{
	unsigned long lo = k->arch_zone_lowest_possible_pfn[zone_type];
	unsigned long hi = k->arch_zone_highest_possible_pfn[zone_type];

	if (!node_start_pfn && !node_end_pfn)
		return 0;
	*zs = clamp(node_start_pfn, lo, hi);
	*ze = clamp(node_end_pfn, lo, hi);
	adjust_zone_range_for_zone_movable(k, nid, zone_type, node_end_pfn, movable_zone, zs, ze);
	if (*ze < node_start_pfn || *zs > node_end_pfn)
		return 0;
	*ze = *ze < node_end_pfn ? *ze : node_end_pfn;
	*zs = *zs > node_start_pfn ? *zs : node_start_pfn;
	return *ze - *zs;
}

/* Models: mm/page_alloc.c:__absent_pages_in_range(): holes in [start, end) of @nid. */
static unsigned long absent_pages_in_range(struct kmm_kernel *k, int nid, unsigned long start,
					   unsigned long end)
{
	unsigned long nr_absent = end - start, s, e;
	int i;

	for_each_mem_pfn_range(&k->memblock, i, nid, &s, &e, NULL)
	{
		s = clamp(s, start, end);
		e = clamp(e, start, end);
		nr_absent -= e - s;
	}
	return nr_absent;
}

/* Models: mm/page_alloc.c:calc_memmap_size(). */
static unsigned long calc_memmap_size(unsigned long spanned, unsigned long present)
{
	unsigned long pages = spanned;

	if (spanned > present + (present >> 4))
		pages = present;
	return (pages * sizeof(struct page) + PAGE_SIZE - 1) >> PAGE_SHIFT;
}

/* Models: mm/page_alloc.c:zone_init_internals() + zone_pcp_init() + init_currently_empty_zone(). */
static int init_zone(struct kmm_kernel *k, pg_data_t *pgdat, int j, unsigned long remaining)
{
	struct zone *zone = &pgdat->node_zones[j];

	zone->managed_pages = (long)remaining;
	zone->node = pgdat->node_id;
	zone->zone_pgdat = pgdat;
	zone->name = zone_names[j];
	zone->per_cpu_pageset =
		env_alloc(k->env, sizeof(struct per_cpu_pages) * (size_t)k->nr_cpus);
	zone->per_cpu_zonestats =
		env_alloc(k->env, sizeof(struct per_cpu_zonestat) * (size_t)k->nr_cpus);
	if (!zone->per_cpu_pageset || !zone->per_cpu_zonestats)
		return -ENOMEM;
	/* Boot pagesets: high 0, batch 1 (BOOT_PAGESET_HIGH/BATCH) until setup_zone_pageset. */
	zone->pageset_high = 0;
	zone->pageset_batch = 1;
	for (int cpu = 0; cpu < k->nr_cpus; cpu++) {
		struct per_cpu_pages *pcp = &zone->per_cpu_pageset[cpu];
		pcp->high = 0;
		pcp->batch = 1;
		for (int l = 0; l < NR_PCP_LISTS; l++)
			INIT_LIST_HEAD(&pcp->lists[l]);
	}
	for (int o = 0; o < MAX_ORDER; o++) {
		for (int t = 0; t < MIGRATE_TYPES; t++)
			INIT_LIST_HEAD(&zone->free_area[o].free_list[t]);
		zone->free_area[o].nr_free = 0;
	}
	if (zone->spanned_pages)
		zone->initialized = true;
	return 0;
}

/* Models: mm/page_alloc.c:__init_single_page(). */
static inline void __init_single_page(struct page *page, int zone, int nid)
{
	*page = (struct page){0};
	set_page_links(page, zone, nid);
	set_page_count(page, 1);
	page->_mapcount = -1;
	INIT_LIST_HEAD(&page->lru);
}

/*
 * Models: mm/page_alloc.c:memmap_init() / memmap_init_range() / init_unavailable_range():
 * every struct page of the zone's span gets its node and zone; pageblocks start MOVABLE;
 * pages in holes of present sections are reserved.
 */
static void memmap_init_zone(struct kmm_kernel *k, struct zone *zone)
{
	int nid = zone->node, z = zone_idx(zone);
	unsigned long start = zone->zone_start_pfn, end = zone_end_pfn(zone);

	for (unsigned long pfn = start; pfn < end; pfn++) {
		struct page *page;

		if (!pfn_valid(k, pfn)) {
			pfn = ((pfn + PAGES_PER_SECTION) & ~(PAGES_PER_SECTION - 1)) - 1;
			continue;
		}
		if (!(pfn & (PAGES_PER_SECTION - 1)))
			env_progress(k->env, "memory map", pfn - start, end - start);
		page = pfn_to_page(k, pfn);
		env_charge(k->env, COST_memmap_init);
		__init_single_page(page, z, nid);
		if (!(pfn & (pageblock_nr_pages - 1)))
			set_pageblock_migratetype(k, page, MIGRATE_MOVABLE);
		if (!memblock_is_memory(&k->memblock, PFN_PHYS(pfn)))
			SetPageReserved(page);
	}
}

static pg_data_t *alloc_node_data(struct kmm_kernel *k, int nid)
{
	pg_data_t *pgdat = k->node_data[nid];

	if (!pgdat) {
		pgdat = env_alloc(k->env, sizeof(*pgdat));
		if (!pgdat)
			return NULL;
		pgdat->node_id = nid;
		pgdat->kswapd_highest_zoneidx = MAX_NR_ZONES;
		k->node_data[nid] = pgdat;
	}
	return pgdat;
}

/* Models: mm/page_alloc.c:free_area_init_node() + calculate_node_totalpages() + _core(). */
static int free_area_init_node(struct kmm_kernel *k, int nid, int movable_zone)
{
	pg_data_t *pgdat = alloc_node_data(k, nid);
	unsigned long start_pfn, end_pfn, totalpages = 0, realtotalpages = 0;

	if (!pgdat)
		return -ENOMEM;
	get_pfn_range_for_nid(k, nid, &start_pfn, &end_pfn);
	pgdat->node_start_pfn = start_pfn;
	if (start_pfn != end_pfn)
		env_printk(k->env, "Initmem setup node %d [mem %#018" PRIx64 "-%#018" PRIx64 "]\n",
			   nid, PFN_PHYS(start_pfn), PFN_PHYS(end_pfn) - 1);

	for (int j = 0; j < MAX_NR_ZONES; j++) {
		struct zone *zone = &pgdat->node_zones[j];
		unsigned long zs = 0, ze = 0, size, real_size, freesize, memmap_pages;

		size = zone_spanned_pages_in_node(k, nid, j, start_pfn, end_pfn, movable_zone, &zs,
						  &ze);
		real_size = size ? size - absent_pages_in_range(k, nid, zs, ze) : 0;
		zone->zone_start_pfn = size ? zs : 0;
		zone->spanned_pages = size;
		zone->present_pages = real_size;
		totalpages += size;
		realtotalpages += real_size;

		/* free_area_init_core(): the estimate of managed pages until the hand-over. */
		freesize = real_size;
		memmap_pages = calc_memmap_size(size, freesize);
		if (freesize >= memmap_pages)
			freesize -= memmap_pages;
		else if (memmap_pages)
			env_printk(k->env, "  %s zone: %lu memmap pages exceeds freesize %lu\n",
				   zone_names[j], memmap_pages, freesize);
		k->nr_kernel_pages += freesize;
		k->nr_all_pages += freesize;
		zone->node = nid;
		zone->zone_pgdat = pgdat;
		if (init_zone(k, pgdat, j, freesize))
			return -ENOMEM;
		if (size)
			memmap_init_zone(k, zone);
	}
	pgdat->node_spanned_pages = totalpages;
	pgdat->node_present_pages = realtotalpages;
	for (int j = 0; j < MAX_NR_ZONES; j++) {
		if (populated_zone(&pgdat->node_zones[j]))
			pgdat->nr_zones = j + 1;
	}
	return 0;
}

/* Models: mm/page_alloc.c:free_area_init(). */
int free_area_init(struct kmm_kernel *k, const unsigned long *max_zone_pfn)
{
	unsigned long start_pfn = ULONG_MAX, s, e;
	int i, nid, movable_zone = ZONE_NORMAL;

	for_each_mem_pfn_range(&k->memblock, i, MAX_NUMNODES, &s, &e, NULL) start_pfn =
		s < start_pfn ? s : start_pfn;
	for (int z = 0; z < MAX_NR_ZONES; z++) {
		unsigned long end_pfn;

		if (z == ZONE_MOVABLE)
			continue;
		end_pfn = max_zone_pfn[z] > start_pfn ? max_zone_pfn[z] : start_pfn;
		k->arch_zone_lowest_possible_pfn[z] = start_pfn;
		k->arch_zone_highest_possible_pfn[z] = end_pfn;
		start_pfn = end_pfn;
	}
	find_zone_movable_pfns_for_nodes(k, &movable_zone);

	env_printk(k->env, "Zone ranges:\n");
	for (int z = 0; z < MAX_NR_ZONES; z++) {
		if (z == ZONE_MOVABLE)
			continue;
		if (k->arch_zone_lowest_possible_pfn[z] == k->arch_zone_highest_possible_pfn[z])
			env_printk(k->env, "  %-8s empty\n", zone_names[z]);
		else
			env_printk(k->env, "  %-8s [mem %#018" PRIx64 "-%#018" PRIx64 "]\n",
				   zone_names[z], PFN_PHYS(k->arch_zone_lowest_possible_pfn[z]),
				   PFN_PHYS(k->arch_zone_highest_possible_pfn[z]) - 1);
	}
	env_printk(k->env, "Movable zone start for each node\n");
	for (nid = 0; nid < MAX_NUMNODES; nid++) {
		if (k->zone_movable_pfn[nid])
			env_printk(k->env, "  Node %d: %#018" PRIx64 "\n", nid,
				   PFN_PHYS(k->zone_movable_pfn[nid]));
	}
	env_printk(k->env, "Early memory node ranges\n");
	for_each_mem_pfn_range(&k->memblock, i, MAX_NUMNODES, &s, &e, &nid)
		env_printk(k->env, "  node %3d: [mem %#018" PRIx64 "-%#018" PRIx64 "]\n", nid,
			   PFN_PHYS(s), PFN_PHYS(e) - 1);

	for (nid = 0; nid < MAX_NUMNODES; nid++) {
		unsigned long ns, ne;

		get_pfn_range_for_nid(k, nid, &ns, &ne);
		if (ns == ne && nid >= k->nr_online_nodes)
			continue;
		if (free_area_init_node(k, nid, movable_zone))
			return env_error(k->env, KMM_EHOST, "cannot allocate node %d", nid),
			       -ENOMEM;
	}
	return 0;
}

/* Distance between nodes, 10 local / 20 remote unless the config says otherwise. */
static int node_distance(const struct kmm_kernel *k, int a, int b)
{
	int d = k->cfg->distance[a][b];

	return d ? d : a == b ? 10 : 20;
}

/* Models: mm/page_alloc.c:find_next_best_node(): the nearest unused node, load-balanced. */
static int find_next_best_node(const struct kmm_kernel *k, int node, bool *used,
			       const int *node_load)
{
	int best = NUMA_NO_NODE, min_val = 1 << 30;

	if (!used[node]) {
		used[node] = true;
		return node;
	}
	for (int n = 0; n < MAX_NUMNODES; n++) {
		int val;

		if (!k->node_data[n] || used[n])
			continue;
		val = node_distance(k, node, n);
		val += n < node;		/* penalise nodes before this one */
		val += k->cpus_of_node[n] != 0; /* PENALTY_FOR_NODE_WITH_CPUS */
		val *= MAX_NUMNODES;
		val += node_load[n];
		if (val < min_val) {
			min_val = val;
			best = n;
		}
	}
	if (best >= 0)
		used[best] = true;
	return best;
}

static void zonelist_add_node_zones(struct zoneref **zr, pg_data_t *node, int *policy_zone)
{
	for (int z = MAX_NR_ZONES - 1; z >= 0; z--) {
		struct zone *zone = &node->node_zones[z];

		if (!managed_zone(zone))
			continue;
		(*zr)->zone = zone;
		(*zr)->zone_idx = z;
		(*zr)++;
		if (policy_zone && z > *policy_zone && z != ZONE_MOVABLE)
			*policy_zone = z; /* check_highest_zone() */
	}
}

/*
 * Models: mm/page_alloc.c:build_zonelists(): nodes in find_next_best_node() order, each
 * node's zones from the highest down; the no-fallback list holds this node's zones only.
 */
static void build_zonelists(struct kmm_kernel *k, pg_data_t *pgdat, int *node_load)
{
	int order[MAX_NUMNODES], n = 0, local = pgdat->node_id, prev = local, node;
	bool used[MAX_NUMNODES] = {false};
	struct zoneref *zr = pgdat->node_zonelists[ZONELIST_FALLBACK]._zonerefs;
	char line[128];
	size_t len = 0;

	while ((node = find_next_best_node(k, local, used, node_load)) >= 0) {
		if (node_distance(k, local, node) != node_distance(k, local, prev))
			node_load[node] += 1;
		order[n++] = node;
		prev = node;
	}
	for (int i = 0; i < n; i++)
		zonelist_add_node_zones(&zr, k->node_data[order[i]], &k->policy_zone);
	zr->zone = NULL;
	zr = pgdat->node_zonelists[ZONELIST_NOFALLBACK]._zonerefs;
	zonelist_add_node_zones(&zr, pgdat, NULL);
	zr->zone = NULL;

	line[0] = '\0';
	for (int i = 0; i < n; i++)
		len += (size_t)snprintf(line + len, sizeof(line) - len, "%d ", order[i]);
	env_printk(k->env, "Fallback order for Node %d: %s\n", local, line);
}

/* The online nodes as the kernel's %*pbl prints a bitmap: "0", "0-1", "0,2-3". */
static void format_node_list(struct kmm_kernel *k)
{
	size_t n = 0, cap = sizeof(k->online_nodes_list);

	k->online_nodes_list[0] = 0;
	for (int nid = 0; nid < MAX_NUMNODES; nid++) {
		int last = nid;

		if (!k->node_data[nid])
			continue;
		while (last + 1 < MAX_NUMNODES && k->node_data[last + 1])
			last++;
		n += (size_t)snprintf(k->online_nodes_list + n, n < cap ? cap - n : 0, "%s%d",
				      n ? "," : "", nid);
		if (last > nid)
			n += (size_t)snprintf(k->online_nodes_list + n, n < cap ? cap - n : 0,
					      "-%d", last);
		nid = last;
	}
}

/* Models: mm/page_alloc.c:build_all_zonelists(). */
void build_all_zonelists(struct kmm_kernel *k)
{
	int node_load[MAX_NUMNODES] = {0};
	unsigned long vm_total_pages = 0;
	pg_data_t *pgdat;

	k->policy_zone = 0;
	for_each_online_pgdat(k, pgdat) build_zonelists(k, pgdat, node_load);
	/* nr_free_zone_pages(gfp_zone(GFP_HIGHUSER_MOVABLE)) over node 0's zonelist */
	for_each_online_pgdat(k, pgdat)
	{
		for (int z = 0; z < MAX_NR_ZONES; z++) {
			struct zone *zone = &pgdat->node_zones[z];
			if (zone_managed_pages(zone) > high_wmark_pages(zone))
				vm_total_pages += zone_managed_pages(zone) - high_wmark_pages(zone);
		}
	}
	env_printk(k->env, "Built %d zonelists, mobility grouping %s.  Total pages: %lu\n",
		   k->nr_online_nodes,
		   vm_total_pages < pageblock_nr_pages * MIGRATE_TYPES ? "off" : "on",
		   vm_total_pages);
	env_printk(k->env, "Policy zone: %s\n", zone_names[k->policy_zone]);
	format_node_list(k);
}

/* Models: mm/page_alloc.c:memblock_free_pages() via __free_pages_memory(). */
static void __free_pages_memory(struct kmm_kernel *k, unsigned long start, unsigned long end)
{
	unsigned long first = start;

	while (start < end) {
		if (!(start & (PAGES_PER_SECTION - 1)))
			env_progress(k->env, "handing memory to the buddy allocator", start - first,
				     end - first);
		unsigned int order = start ? (unsigned int)__builtin_ctzl(start) : MAX_ORDER - 1;

		if (order > MAX_ORDER - 1)
			order = MAX_ORDER - 1;
		while (start + (1UL << order) > end)
			order--;
		__free_pages_core(k, pfn_to_page(k, start), order);
		start += 1UL << order;
	}
}

/* Models: mm/memblock.c:reserve_bootmem_region(). */
static void reserve_bootmem_region(struct kmm_kernel *k, phys_addr_t start, phys_addr_t end)
{
	for (unsigned long pfn = PFN_DOWN(start); pfn < PFN_UP(end); pfn++) {
		if (pfn_valid(k, pfn)) {
			struct page *page = pfn_to_page(k, pfn);
			INIT_LIST_HEAD(&page->lru);
			SetPageReserved(page);
		}
	}
}

/* Models: mm/memblock.c:memblock_free_all() -> free_low_memory_core_early(). */
unsigned long memblock_free_all(struct kmm_kernel *k)
{
	struct memblock *mb = &k->memblock;
	struct memblock_region *r;
	phys_addr_t start, end;
	unsigned long count = 0;
	pg_data_t *pgdat;
	uint64_t i;

	for_each_online_pgdat(k, pgdat) for (int z = 0; z < MAX_NR_ZONES; z++) pgdat->node_zones[z]
		.managed_pages = 0; /* reset_all_zones_managed_pages */
	memblock_clear_hotplug(mb, 0, PHYS_ADDR_MAX);
	for_each_reserved_mem_range(mb, i, &start, &end) reserve_bootmem_region(k, start, end);
	for_each_mem_region(mb, r) if (memblock_is_nomap(r))
		reserve_bootmem_region(k, r->base, r->base + r->size);
	for_each_free_mem_range(mb, i, NUMA_NO_NODE, MEMBLOCK_NONE, &start, &end, NULL)
	{
		unsigned long s = PFN_UP(start), e = PFN_DOWN(end);

		e = e < k->max_low_pfn ? e : k->max_low_pfn;
		if (s >= e)
			continue;
		__free_pages_memory(k, s, e);
		count += e - s;
	}
	k->totalram_pages += (long)count;
	return count;
}

/* Models: mm/page_alloc.c:init_cma_reserved_pageblock() for every block of the CMA area. */
void cma_activate_area(struct kmm_kernel *k, phys_addr_t base, phys_addr_t size)
{
	for (unsigned long pfn = PFN_DOWN(base); pfn < PFN_DOWN(base + size);
	     pfn += pageblock_nr_pages) {
		struct page *page = pfn_to_page(k, pfn);

		for (unsigned long i = 0; i < pageblock_nr_pages; i++) {
			__ClearPageReserved(&page[i]);
			set_page_count(&page[i], 0);
		}
		set_pageblock_migratetype(k, page, MIGRATE_CMA);
		page_zone(k, page)->managed_pages += (long)pageblock_nr_pages;
		page_zone(k, page)->cma_pages += pageblock_nr_pages;
		k->totalram_pages += (long)pageblock_nr_pages;
		__free_one_page(k, page, pfn, page_zone(k, page), pageblock_order, MIGRATE_CMA,
				FPI_NONE);
		k->vm_events[PGFREE] += pageblock_nr_pages;
	}
}

/* ---- kmm_check: where every page is (the registry in page_place.h) ---------------------- */

/*
 * The check's scratch, from the machine's allocator: one byte per PFN of the present sections
 * (the PFNs that have a memory map), found through a section -> slot table. A machine with
 * holes between its banks pays only for its sections, not for the physical span.
 */
struct place_map {
	const struct kmm_kernel *k;
	unsigned int *slot; /* per section of the vmemmap range: its index among the present */
	uint8_t *place;	    /* per PFN of the present sections: the row that claimed it */
	char *why;
	size_t whylen;
};

#define PAGE_PLACE_NAME(id, name, walk)	  [PLACE_##id] = name,
#define PAGE_PLACE_WALKER(id, name, walk) [PLACE_##id] = walk,
static const char *const page_place_names[NR_PAGE_PLACES] = {[PLACE_NONE] = "no place",
							     PAGE_PLACES(PAGE_PLACE_NAME)};

typedef bool page_place_walk_fn(const struct kmm_kernel *k, struct place_map *map);

static page_place_walk_fn *const page_place_walkers[NR_PAGE_PLACES] = {
	PAGE_PLACES(PAGE_PLACE_WALKER)};

#define PAGE_CACHE_WALKER(id, name, walk) walk,
static page_place_walk_fn *const page_cache_walkers[] = {PAGE_CACHES(PAGE_CACHE_WALKER)};
#undef PAGE_CACHE_WALKER
#undef PAGE_PLACE_NAME
#undef PAGE_PLACE_WALKER

const char *page_place_name(enum page_place place)
{
	return (unsigned)place < NR_PAGE_PLACES ? page_place_names[place] : "?";
}

static uint8_t *place_byte(const struct place_map *map, unsigned long pfn)
{
	const struct kmm_kernel *k = map->k;
	size_t slot;

	if (!pfn_valid(k, pfn))
		return NULL;
	slot = map->slot[(pfn - k->vmemmap_base) >> PFN_SECTION_SHIFT];
	return &map->place[slot * PAGES_PER_SECTION + (pfn & (PAGES_PER_SECTION - 1))];
}

bool place_fail(struct place_map *map, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(map->why, map->whylen, fmt, ap);
	va_end(ap);
	return false;
}

bool place_claim(struct place_map *map, enum page_place place, unsigned long pfn, unsigned long nr)
{
	for (unsigned long i = pfn; i < pfn + nr; i++) {
		uint8_t *b = place_byte(map, i);

		if (!b)
			return place_fail(map, "mm: %s holds pfn 0x%lx, which has no memory map",
					  page_place_name(place), i);
		if (*b != PLACE_NONE)
			return place_fail(
				map, "mm: pfn 0x%lx is in 2 places (%s and %s), refcount %d", i,
				page_place_name((enum page_place)b[0]), page_place_name(place),
				page_ref_count(pfn_to_page(map->k, i)));
		*b = (uint8_t)place;
	}
	return true;
}

enum page_place place_of(const struct place_map *map, unsigned long pfn)
{
	const uint8_t *b = place_byte(map, pfn);

	return b ? (enum page_place)b[0] : PLACE_NONE;
}

/* Allocates the zeroed map; false (with a KMM_EHOST-like reason) if the host has no memory. */
static bool place_map_init(struct place_map *map, const struct kmm_kernel *k, char *why,
			   size_t whylen)
{
	unsigned long nsec = (k->vmemmap_end - k->vmemmap_base) >> PFN_SECTION_SHIFT;
	size_t present = 0, head, size;
	char *mem;

	for (unsigned long sec = 0; sec < nsec; sec++)
		present += k->section_present[sec] != 0;
	head = (nsec * sizeof(unsigned int) + 15) & ~(size_t)15;
	size = head + present * PAGES_PER_SECTION;
	mem = env_alloc(k->env, size);
	if (!mem) {
		snprintf(why, whylen,
			 "mm: cannot check where pages are: host memory exhausted (%zu bytes for "
			 "the placement map)",
			 size);
		return false;
	}
	*map = (struct place_map){.k = k,
				  .slot = (unsigned int *)(void *)mem,
				  .place = (uint8_t *)mem + head,
				  .why = why,
				  .whylen = whylen};
	present = 0;
	for (unsigned long sec = 0; sec < nsec; sec++)
		map->slot[sec] = k->section_present[sec] ? (unsigned int)present++ : 0;
	return true;
}

/* The next PFN from @pfn with a memory map, or @end. */
static unsigned long next_valid_pfn(const struct kmm_kernel *k, unsigned long pfn,
				    unsigned long end)
{
	while (pfn < end && !pfn_valid(k, pfn))
		pfn = (pfn | (PAGES_PER_SECTION - 1)) + 1;
	return pfn < end ? pfn : end;
}

/*
 * Row RESERVED: the pages the hand-over to the buddy allocator kept (memblock's reserved
 * ranges, NOMAP ranges, holes inside present sections). Once memblock_free_all() is done,
 * PageReserved is memblock's record of them; free_reserved_page() clears it as it hands a
 * page over.
 */
bool reserved_place_walk(const struct kmm_kernel *k, struct place_map *map)
{
	const pg_data_t *pgdat;

	for_each_online_pgdat(k, pgdat)
	{
		for (int z = 0; z < MAX_NR_ZONES; z++) {
			const struct zone *zone = &pgdat->node_zones[z];
			unsigned long end = zone_end_pfn(zone);

			for (unsigned long pfn = next_valid_pfn(k, zone->zone_start_pfn, end);
			     pfn < end; pfn = next_valid_pfn(k, pfn + 1, end))
				if (PageReserved(pfn_to_page(k, pfn)) &&
				    !place_claim(map, PLACE_RESERVED, pfn, 1))
					return false;
		}
	}
	return true;
}

/*
 * A page no row claimed (page_place.h): in use, or in no place. @block_end is the end of the
 * block the in-use pages seen so far can head, kept across a run of unclaimed pages. Returns
 * NULL for a page in use, else what is wrong with it.
 */
static const char *unclaimed_page(const struct kmm_kernel *k, const struct page *p,
				  unsigned long pfn, unsigned long *block_end)
{
	unsigned long end;

	if (PageBuddy(p))
		return "marked free (PageBuddy) but on no free list";
	if (PageTail(p))
		return NULL; /* with its head */
	if (page_ref_count(p) > 0) {
		if (PageHead(p)) {
			end = pfn + (1UL << compound_order(p));
		} else {
			unsigned int align =
				pfn ? (unsigned int)__builtin_ctzl(pfn) : MAX_ORDER - 1;

			end = pfn + (1UL << (align < MAX_ORDER - 1 ? align : MAX_ORDER - 1));
		}
		*block_end = end > *block_end ? end : *block_end;
		return NULL;
	}
	if (pfn < *block_end || k->nr_bad_pages)
		return NULL;
	return "no reference, and in no allocated block";
}

/* Invariants 1-3 for one zone, after every row has claimed its pages. */
static bool check_zone_places(const struct place_map *map, const struct zone *zone, int nid)
{
	const struct kmm_kernel *k = map->k;
	unsigned long present = 0, reserved = 0, block_end = 0, end = zone_end_pfn(zone);

	for (unsigned long pfn = next_valid_pfn(k, zone->zone_start_pfn, end); pfn < end;
	     pfn = next_valid_pfn(k, pfn + 1, end)) {
		const struct page *p = pfn_to_page(k, pfn);
		const char *wrong;

		if (!memblock_is_memory(&k->memblock, PFN_PHYS(pfn))) {
			if (PageReserved(p))
				continue;
			snprintf(map->why, map->whylen, "mm: pfn 0x%lx in a hole is not reserved",
				 pfn);
			return false;
		}
		present++;
		reserved += PageReserved(p);
		if (page_zone(k, p) != zone) {
			snprintf(map->why, map->whylen,
				 "mm: pfn 0x%lx of node %d %s is in the wrong zone (node %d %s)",
				 pfn, nid, zone->name, page_to_nid(p), zone_names[page_zonenum(p)]);
			return false;
		}
		if (place_of(map, pfn) != PLACE_NONE) {
			block_end = 0; /* no allocated block reaches past a page someone holds */
			continue;
		}
		wrong = unclaimed_page(k, p, pfn, &block_end);
		if (wrong) {
			snprintf(map->why, map->whylen, "mm: pfn 0x%lx is in no place: %s", pfn,
				 wrong);
			return false;
		}
	}
	if (present != zone->present_pages) {
		snprintf(map->why, map->whylen, "mm: node %d %s has %lu present pages, %lu counted",
			 nid, zone->name, zone->present_pages, present);
		return false;
	}
	if (k->booted && (long)(present - reserved) != zone->managed_pages) {
		snprintf(map->why, map->whylen,
			 "mm: node %d %s manages %ld pages but %lu present pages are not reserved",
			 nid, zone->name, zone->managed_pages, present - reserved);
		return false;
	}
	return true;
}

bool mm_init_check(const struct kmm_kernel *k, char *why, size_t whylen)
{
	struct place_map map;
	bool ok = true;

	if (!k->vmemmap)
		return true;
	if (!place_map_init(&map, k, why, whylen))
		return false;
	for (int place = PLACE_NONE + 1; place < NR_PAGE_PLACES && ok; place++)
		ok = page_place_walkers[place](k, &map);
	for (size_t i = 0; i < ARRAY_SIZE(page_cache_walkers) && ok; i++)
		ok = page_cache_walkers[i](k, &map);
	for (int nid = 0; nid < MAX_NUMNODES && ok; nid++) {
		if (!k->node_data[nid])
			continue;
		for (int z = 0; z < MAX_NR_ZONES && ok; z++)
			ok = check_zone_places(&map, &k->node_data[nid]->node_zones[z], nid);
	}
	env_free(k->env, map.slot);
	return ok;
}

/*
 * For views (pageblock_view.c): the placement map as the check builds it, kept for lookups
 * with place_of(). NULL, with the reason in @why, if a walker has a finding or the host has
 * no memory for the map; the machine is left untouched either way.
 */
struct place_map *place_map_create(const struct kmm_kernel *k, char *why, size_t whylen)
{
	struct place_map map, *out;
	bool ok = true;

	if (!k->vmemmap) {
		snprintf(why, whylen, "mm: no memory map yet");
		return NULL;
	}
	if (!place_map_init(&map, k, why, whylen))
		return NULL;
	for (int place = PLACE_NONE + 1; place < NR_PAGE_PLACES && ok; place++)
		ok = page_place_walkers[place](k, &map);
	out = ok ? env_alloc(k->env, sizeof(*out)) : NULL;
	if (!out) {
		if (ok)
			snprintf(why, whylen, "mm: host memory exhausted");
		env_free(k->env, map.slot);
		return NULL;
	}
	*out = map;
	out->why = NULL; /* the caller's buffer: only the walkers above wrote to it */
	out->whylen = 0;
	return out;
}

void place_map_destroy(struct place_map *map)
{
	if (!map)
		return;
	env_free(map->k->env, map->slot);
	env_free(map->k->env, map);
}
