/*
 * Kernel boot for memory, in arm64's order: the command line, memblock from the machine's
 * RAM, the kernel image and the boot loader's blobs, NUMA nodes, the memory map, zones, CMA,
 * per-CPU areas, zonelists, the hand-over to the buddy allocator, and the initcalls that set
 * the watermarks; then the initrd and __init memory are freed, as on a real boot.
 *
 * Models (Linux 6.1.192): arch/arm64/kernel/setup.c:setup_arch(), request_standard_resources();
 *         arch/arm64/mm/init.c:arm64_memblock_init(), bootmem_init(), zone_sizes_init(),
 *         max_zone_phys(), mem_init(); drivers/base/arch_numa.c:numa_init(),
 *         setup_node_data(); kernel/dma/contiguous.c:dma_contiguous_reserve();
 *         mm/cma.c:cma_init_reserved_areas(); mm/huge_memory.c:hugepage_init();
 *         mm/page_alloc.c:mem_init_print_info(), free_reserved_area();
 *         init/initramfs.c:free_initrd_mem(); kernel/resource.c:reserve_region_with_split().
 * Deviation: the kernel's own early allocations that the model does not make yet (hash
 *         tables, the log buffer, the vmemmap's page tables, ...) can be given as -reserve
 *         entries; percpu is modelled by its first-chunk size only. paging_init (mmu.c)
 *         does build the kernel page tables from memblock, as the kernel does.
 *
 * Invariants (kernel_check): memblock's, the iomem tree's, the buddy lists',
 * mm_init_check()'s (every page in exactly one place), CMA's, slub_check()'s (every slab
 * object free or allocated exactly once), the kernel page tables' (pgtable_check) and
 * vmalloc's (vmalloc_check), the filesystems' (fs_check), the ASID allocator's
 * (asid_check).
 */
#include "arch/arm64/include/asm/mmu_context.h"
#include "fs/fs.h"
#include "fs/proc_task_mmu.h"
#include "hw/hw.h"
#include "kernel/sched.h"
#include "mm/writeback.h"
#include "mm/compaction.h"
#include "mm/huge_mm.h"
#include "mm/khugepaged.h"
#include "mm/hugetlb.h"
#include "mm/internal.h"
#include "mm/slab.h"
#include "mm/memory.h"
#include "mm/migrate.h"
#include "mm/mmap.h"
#include "mm/oom.h"
#include "mm/rmap.h"
#include "mm/shrinker.h"
#include "mm/workingset.h"
#include "mm/swap.h"
#include "mm/swap_state.h"
#include "mm/swapfile.h"
#include "mm/vmalloc.h"
#include "mm/vmscan.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>

#define SZ_1M	       ((phys_addr_t)1 << 20)
#define SZ_2M	       ((phys_addr_t)2 << 20)
#define SZ_1G	       ((phys_addr_t)1 << 30)
#define NODE_DATA_SIZE 0x2c80 /* sizeof(pg_data_t) of the reference kernel */
#define PCPU_UNIT_SIZE 126976 /* "percpu: Embedded 31 pages/cpu ... u126976" */

/*
 * Where QEMU's loader puts the kernel, initrd and DTB (hw/arm/boot.c facts): the Image at
 * RAM + 2 MiB (its text 64 KiB in), the initrd at RAM + min(RAM/2, 128 MiB), the DTB at the
 * next 2 MiB boundary after it. Sizes are the reference kernel's.
 */
static void place_kernel_image(struct kmm_kernel *k)
{
	const struct phys_bank *bank = &k->hw->phys.banks[0];
	phys_addr_t base = bank->base, ram = phys_ram_size(&k->hw->phys);
	struct kernel_image *im = &k->image;

	im->text = base + 0x210000;
	im->etext = im->text + 0xcf0000; /* segment sizes: the paging_init vm areas */
	im->start_rodata = im->etext;
	im->init_begin = im->text + 0x1650000;
	im->inittext_end = im->init_begin + 0xe0000;
	im->initdata_begin = im->inittext_end;
	im->init_end = im->init_begin + 0x650000;
	im->sdata = im->init_end;
	im->end = im->text + 0x2000000;
	im->code_kb = 13248;
	im->rwdata_kb = 2806;
	im->rodata_kb = 9524;
	im->init_kb = 6464;
	im->bss_kb = 627;
	im->initrd_start = base + (ram / 2 < 128 * SZ_1M ? ram / 2 : 128 * SZ_1M);
	im->initrd_size = 0x231400; /* frees 2244K of pages; reserved up to ...231fff */
	im->fdt_start = ALIGN(im->initrd_start + im->initrd_size, SZ_2M);
	im->fdt_size = SZ_1M;
}

/*
 * The DT's memory nodes: the RAM banks in PA order, cut where one NUMA node's memory ends
 * (QEMU lays node memory out in node order). Calls @fn for each piece with its node id (0
 * without NUMA); stops at the first non-zero return.
 */
static int for_each_dt_memory(struct kmm_kernel *k,
			      int (*fn)(struct kmm_kernel *k, phys_addr_t base, phys_addr_t size,
					int nid))
{
	const struct hw_phys *phys = &k->hw->phys;
	const struct kmm_config *cfg = k->cfg;
	uint32_t nid = 0;
	uint64_t node_left = cfg->nr_nodes ? cfg->nodes[0].mem_size : UINT64_MAX;

	for (uint32_t i = 0; i < phys->nr_banks; i++) {
		uint64_t base = phys->banks[i].base, end = phys->banks[i].end;

		while (base < end) {
			uint64_t n = end - base < node_left ? end - base : node_left;
			int ret = fn(k, base, n, (int)nid);

			if (ret)
				return ret;
			base += n;
			node_left -= n;
			while (node_left == 0 && nid + 1 < cfg->nr_nodes)
				node_left = cfg->nodes[++nid].mem_size;
		}
	}
	return 0;
}

/* Models: drivers/of/fdt.c:early_init_dt_add_memory_arch(). */
static int dt_add_memory(struct kmm_kernel *k, phys_addr_t base, phys_addr_t size, int nid)
{
	k->memblock.caller = "early_init_dt_add_memory_arch";
	return memblock_add(&k->memblock, base, size) ? -ENOMEM : 0;
}

/* Models: drivers/of/of_numa.c:of_numa_parse_memory_nodes(). */
static int dt_set_node(struct kmm_kernel *k, phys_addr_t base, phys_addr_t size, int nid)
{
	return memblock_set_node(&k->memblock, base, size, &k->memblock.memory, nid) ? -ENOMEM : 0;
}

static int early_reserve(struct kmm_kernel *k, phys_addr_t base, phys_addr_t size,
			 const char *caller)
{
	k->memblock.caller = caller;
	return memblock_reserve(&k->memblock, base, size) ? -ENOMEM : 0;
}

/* Models: arch/arm64/mm/init.c:arm64_memblock_init(). */
static int arm64_memblock_init(struct kmm_kernel *k)
{
	struct memblock *mb = &k->memblock;
	struct kernel_image *im = &k->image;
	phys_addr_t initrd_base = im->initrd_start & PAGE_MASK;
	phys_addr_t initrd_size =
		ALIGN(im->initrd_start + im->initrd_size, PAGE_SIZE) - initrd_base;

	k->memstart_addr = memblock_start_of_DRAM(mb) & ~(SZ_1G - 1); /* ARM64_MEMSTART_ALIGN */
	mb->linear_offset = PAGE_OFFSET - k->memstart_addr;
	if (k->params.memory_limit != PHYS_ADDR_MAX) {
		mb->caller = "arm64_memblock_init";
		memblock_mem_limit_remove_map(mb, k->params.memory_limit);
		mb->caller = "arm64_memblock_init";
		if (memblock_add(mb, im->text, im->end - im->text))
			return -ENOMEM;
		env_printk(k->env, "Memory limited to %" PRIu64 "MB\n",
			   k->params.memory_limit >> 20);
	}
	if (im->initrd_size) {
		if (!memblock_is_region_memory(mb, initrd_base, initrd_size)) {
			env_printk(k->env, "initrd not fully accessible via the linear mapping -- "
					   "please check your bootloader ...\n");
			im->initrd_size = 0;
		} else {
			mb->caller = "arm64_memblock_init";
			memblock_remove(mb, initrd_base, initrd_size);
			mb->caller = "arm64_memblock_init";
			if (memblock_add(mb, initrd_base, initrd_size) ||
			    early_reserve(k, initrd_base, initrd_size, "arm64_memblock_init"))
				return -ENOMEM;
		}
	}
	if (early_reserve(k, im->text, im->end - im->text, "arm64_memblock_init"))
		return -ENOMEM;
	/* early_init_fdt_reserve_self(): the DTB, where it fits in memory. */
	if (memblock_is_region_memory(mb, im->fdt_start, im->fdt_size) &&
	    early_reserve(k, im->fdt_start, im->fdt_size, "early_init_fdt_scan_reserved_mem"))
		return -ENOMEM;
	/* Early reservations given with -reserve, in order (fixed ones, then top-down). */
	for (uint32_t i = 0; i < k->cfg->nr_reserves; i++) {
		const struct kmm_reserve *r = &k->cfg->reserves[i];

		if (r->base != KMM_PA_ANY) {
			if (early_reserve(k, r->base, r->size, "kmm_config_add_reserve"))
				return -ENOMEM;
			continue;
		}
		mb->caller = "kmm_config_add_reserve";
		if (!memblock_phys_alloc(mb, r->size, PAGE_SIZE)) {
			env_error(k->env, KMM_ENOMEM,
				  "-reserve %" PRIu64 "K: no free memory range "
				  "is large enough",
				  r->size >> 10);
			return -ENOSPC;
		}
	}
	return 0;
}

/* Models: drivers/base/arch_numa.c:numa_init() / dummy_numa_init() / setup_node_data(). */
static int arch_numa_init(struct kmm_kernel *k)
{
	struct memblock *mb = &k->memblock;
	const struct kmm_config *cfg = k->cfg;

	for (int cpu = 0; cpu < k->nr_cpus; cpu++)
		k->node_of_cpu[cpu] = 0;
	if (cfg->nr_nodes) {
		if (for_each_dt_memory(k, dt_set_node))
			return -ENOMEM;
		for (uint32_t nid = 0; nid < cfg->nr_nodes; nid++) {
			const struct kmm_numa_node *n = &cfg->nodes[nid];
			for (uint32_t c = n->cpu_first; n->has_cpus && c <= n->cpu_last; c++)
				k->node_of_cpu[c] = (int)nid;
		}
	} else {
		env_printk(k->env, "NUMA: No NUMA configuration found\n");
		env_printk(k->env, "NUMA: Faking a node at [mem %#018" PRIx64 "-%#018" PRIx64 "]\n",
			   memblock_start_of_DRAM(mb), memblock_end_of_DRAM(mb) - 1);
		memblock_set_node(mb, 0, PHYS_ADDR_MAX, &mb->memory, 0);
	}
	for (int cpu = 0; cpu < k->nr_cpus; cpu++)
		k->cpus_of_node[k->node_of_cpu[cpu]]++;

	k->nr_online_nodes = 0;
	for (int nid = 0; nid < MAX_NUMNODES; nid++) {
		unsigned long s, e;
		phys_addr_t nd_pa;
		int i, tnid;
		bool has_mem = false;

		for_each_mem_pfn_range(mb, i, nid, &s, &e, NULL) has_mem |= e > s;
		if (!has_mem)
			continue;
		k->nr_online_nodes++;
		mb->caller = "setup_node_data";
		nd_pa = memblock_phys_alloc_try_nid(mb, NODE_DATA_SIZE, SMP_CACHE_BYTES, nid);
		if (!nd_pa) {
			env_error(k->env, KMM_ENOMEM, "Cannot allocate %d bytes for node %d data",
				  NODE_DATA_SIZE, nid);
			return -ENOSPC;
		}
		env_printk(k->env, "NUMA: NODE_DATA [mem %#010" PRIx64 "-%#010" PRIx64 "]\n", nd_pa,
			   nd_pa + NODE_DATA_SIZE - 1);
		tnid = memblock_search_pfn_nid(mb, PFN_DOWN(nd_pa), &s, &e);
		if (tnid != nid)
			env_printk(k->env, "NUMA:     NODE_DATA(%d) on node %d\n", nid, tnid);
		if (!k->node_data[nid]) {
			k->node_data[nid] = env_alloc(k->env, sizeof(pg_data_t));
			if (!k->node_data[nid])
				return -ENOMEM;
			k->node_data[nid]->node_id = nid;
		}
	}
	return 0;
}

/* Models: arch/arm64/mm/init.c:max_zone_phys(). */
static phys_addr_t max_zone_phys(const struct kmm_kernel *k, unsigned int zone_bits)
{
	phys_addr_t zone_mask = ((phys_addr_t)1 << zone_bits) - 1;
	phys_addr_t phys_start = memblock_start_of_DRAM(&k->memblock);
	phys_addr_t end = memblock_end_of_DRAM(&k->memblock) - 1;

	if (phys_start > 0xffffffffull)
		zone_mask = PHYS_ADDR_MAX;
	else if (phys_start > zone_mask)
		zone_mask = 0xffffffffull;
	return (zone_mask < end ? zone_mask : end) + 1;
}

/*
 * Models: arch/arm64/mm/init.c:zone_sizes_init(). zone_dma_bits = min(32, DT, ACPI limits):
 * QEMU virt's DT sets no DMA limit, so 32.
 */
static int zone_sizes_init(struct kmm_kernel *k)
{
	unsigned long max_zone_pfns[MAX_NR_ZONES] = {0};

	k->arm64_dma_phys_limit = max_zone_phys(k, 32);
	max_zone_pfns[ZONE_DMA] = PFN_DOWN(k->arm64_dma_phys_limit);
	max_zone_pfns[ZONE_DMA32] = PFN_DOWN(max_zone_phys(k, 32));
	max_zone_pfns[ZONE_NORMAL] = k->max_pfn;
	return free_area_init(k, max_zone_pfns);
}

/* Models: kernel/dma/contiguous.c:dma_contiguous_reserve() -> cma_declare_contiguous(). */
static void dma_contiguous_reserve(struct kmm_kernel *k, phys_addr_t limit)
{
	phys_addr_t size = k->params.cma_set ? k->params.cma_size : 64 * SZ_1M, base;

	size = ALIGN(size, pageblock_nr_pages * PAGE_SIZE);
	if (!size)
		return;
	k->memblock.caller = "cma_declare_contiguous_nid";
	base = memblock_alloc_range_nid(&k->memblock, size, pageblock_nr_pages * PAGE_SIZE, 0,
					limit, NUMA_NO_NODE, true);
	if (!base) {
		env_printk(k->env, "cma: Failed to reserve %" PRIu64 " MiB\n", size >> 20);
		return;
	}
	k->cma_base = base;
	k->cma_size = size;
	k->totalcma_pages += size >> PAGE_SHIFT;
	env_printk(k->env, "cma: Reserved %" PRIu64 " MiB at 0x%016" PRIx64 "\n", size >> 20, base);
}

/* Models: mm/percpu.c:pcpu_embed_first_chunk(): one unit per CPU, grouped by node. */
static int setup_per_cpu_areas(struct kmm_kernel *k)
{
	for (int nid = 0; nid < MAX_NUMNODES; nid++) {
		if (!k->cpus_of_node[nid] || !k->node_data[nid])
			continue;
		k->memblock.caller = "pcpu_fc_alloc";
		if (!memblock_alloc_try_nid(&k->memblock,
					    (phys_addr_t)PCPU_UNIT_SIZE *
						    (phys_addr_t)k->cpus_of_node[nid],
					    PAGE_SIZE, 0, MEMBLOCK_ALLOC_ACCESSIBLE, nid)) {
			env_error(k->env, KMM_ENOMEM, "percpu: cannot allocate the first chunk");
			return -ENOSPC;
		}
	}
	env_printk(k->env, "percpu: Embedded 31 pages/cpu s87272 r8192 d31512 u126976\n");
	return 0;
}

/* Models: kernel/dma/swiotlb.c:swiotlb_init() from arm64 mem_init(): 64 MiB below DMA limit. */
static void swiotlb_init(struct kmm_kernel *k)
{
	phys_addr_t size = k->params.swiotlb_size ? k->params.swiotlb_size : 64 * SZ_1M, base;

	if (k->max_pfn <= PFN_DOWN(k->arm64_dma_phys_limit))
		return; /* all memory is DMA-able: no bounce buffer */
	k->memblock.caller = "swiotlb_init_remap";
	base = memblock_phys_alloc_range(&k->memblock, size, PAGE_SIZE, 0, k->arm64_dma_phys_limit);
	if (!base) {
		env_printk(k->env,
			   "software IO TLB: swiotlb_init_remap: Failed to allocate %" PRIu64
			   " bytes tlb structure\n",
			   size);
		return;
	}
	k->swiotlb_base = base;
	k->swiotlb_size = size;
	env_printk(k->env, "software IO TLB: area num 1.\n");
	env_printk(k->env,
		   "software IO TLB: mapped [mem 0x%016" PRIx64 "-0x%016" PRIx64 "] (%" PRIu64
		   "MB)\n",
		   base, base + size, size >> 20);
}

static unsigned long physpages(const struct kmm_kernel *k)
{
	unsigned long n = 0;
	pg_data_t *pgdat;

	for_each_online_pgdat(k, pgdat) n += pgdat->node_present_pages;
	return n;
}

/* Models: init/main.c:report_meminit() (the stack setting is the reference build's). */
static void report_meminit(struct kmm_kernel *k)
{
	env_printk(k->env, "mem auto-init: stack:all(zero), heap alloc:%s, heap free:%s\n",
		   k->params.init_on_alloc ? "on" : "off", k->params.init_on_free ? "on" : "off");
}

/* Models: mm/page_alloc.c:mem_init_print_info(). */
static void mem_init_print_info(struct kmm_kernel *k)
{
	const struct kernel_image *im = &k->image;
	unsigned long phys = physpages(k);

	env_printk(k->env,
		   "Memory: %luK/%luK available (%luK kernel code, %luK rwdata, %luK "
		   "rodata, %luK init, %luK bss, %luK reserved, %luK cma-reserved)\n",
		   global_zone_page_state(k, NR_FREE_PAGES) << (PAGE_SHIFT - 10),
		   phys << (PAGE_SHIFT - 10), im->code_kb, im->rwdata_kb, im->rodata_kb,
		   im->init_kb, im->bss_kb,
		   (phys - (unsigned long)k->totalram_pages - k->totalcma_pages)
			   << (PAGE_SHIFT - 10),
		   k->totalcma_pages << (PAGE_SHIFT - 10));
}

/* Models: mm/page_alloc.c:free_reserved_area(): frees the whole pages of [start, end). */
static unsigned long free_reserved_area(struct kmm_kernel *k, phys_addr_t start, phys_addr_t end,
					const char *s)
{
	unsigned long pages = 0;

	for (phys_addr_t pa = ALIGN(start, PAGE_SIZE); pa + PAGE_SIZE <= end;
	     pa += PAGE_SIZE, pages++)
		free_reserved_page(k, pfn_to_page(k, PFN_DOWN(pa)));
	if (pages && s)
		env_printk(k->env, "Freeing %s memory: %luK\n", s, pages << (PAGE_SHIFT - 10));
	return pages;
}

/* Models: init/initramfs.c:free_initrd_mem() with CONFIG_ARCH_KEEP_MEMBLOCK. */
static void free_initrd_mem(struct kmm_kernel *k)
{
	const struct kernel_image *im = &k->image;
	phys_addr_t s = im->initrd_start, e = im->initrd_start + im->initrd_size;

	if (!im->initrd_size)
		return;
	k->memblock.caller = "free_initrd_mem";
	memblock_phys_free(&k->memblock, s & PAGE_MASK, ALIGN(e, PAGE_SIZE) - (s & PAGE_MASK));
	free_reserved_area(k, s, e, "initrd");
}

static struct resource *new_resource(struct kmm_kernel *k, uint64_t start, uint64_t end,
				     const char *name, unsigned long flags)
{
	struct resource *r = env_alloc(k->env, sizeof(*r));

	if (!r)
		env_error(k->env, KMM_EHOST, "host memory exhausted while claiming %s", name);
	else
		*r = (struct resource){.start = start, .end = end, .name = name, .flags = flags};
	return r;
}

/* Models: kernel/resource.c:reserve_region_with_split(): claim the parts not yet claimed. */
static int reserve_region_with_split(struct kmm_kernel *k, struct resource *parent, uint64_t start,
				     uint64_t end, const char *name)
{
	struct resource *c;
	uint64_t pos = start;

	for (c = parent->child; c && pos <= end; c = c->sibling) {
		if (c->end < pos)
			continue;
		if (c->start > end)
			break;
		if (c->start > pos) {
			struct resource *r =
				new_resource(k, pos, c->start - 1, name, IORESOURCE_MEM);
			if (!r)
				return -ENOMEM;
			request_resource_conflict(parent, r);
		}
		pos = c->end + 1;
		if (pos == 0)
			return 0;
	}
	if (pos <= end) {
		struct resource *r = new_resource(k, pos, end, name, IORESOURCE_MEM);
		if (!r)
			return -ENOMEM;
		request_resource_conflict(parent, r);
	}
	return 0;
}

/* Models: arch/arm64/kernel/setup.c:request_standard_resources() and the device claims. */
static int request_standard_resources(struct kmm_kernel *k)
{
	const struct hw_phys *phys = &k->hw->phys;
	struct resource *root = &k->iomem_resource;
	struct memblock *mb = &k->memblock;
	const struct kernel_image *im = &k->image;
	struct memblock_region *region;

	*root = (struct resource){
		.start = 0, .end = UINT64_MAX, .name = "PCI mem", .flags = IORESOURCE_MEM};
	for (uint32_t i = 0; i < phys->nr_mmio; i++) {
		const struct phys_mmio *d = &phys->mmio[i];
		struct resource *r = new_resource(k, d->base, d->end - 1, d->name, IORESOURCE_MEM);
		if (!r)
			return -ENOMEM;
		if (request_region_nested(root, r)) {
			env_free(k->env, r);
			env_error(k->env, KMM_EINVAL, "MMIO range %s conflicts in /proc/iomem",
				  d->name);
			return -EBUSY;
		}
	}
	for_each_mem_region(mb, region)
	{
		struct resource *ram;
		phys_addr_t s, e;
		uint64_t i;

		ram = new_resource(k, region->base, region->base + region->size - 1,
				   memblock_is_nomap(region) ? "reserved" : "System RAM",
				   IORESOURCE_MEM | IORESOURCE_BUSY |
					   (memblock_is_nomap(region) ? 0 : IORESOURCE_SYSRAM));
		if (!ram)
			return -ENOMEM;
		if (request_resource_conflict(root, ram)) {
			env_free(k->env, ram);
			env_error(k->env, KMM_EINVAL,
				  "RAM at 0x%" PRIx64 " conflicts in /proc/iomem", region->base);
			return -EBUSY;
		}
		/* The kernel image's two claims, in the region that holds them. */
		if (im->text >= ram->start && im->end - 1 <= ram->end) {
			struct resource *code = new_resource(k, im->text, im->init_begin - 1,
							     "Kernel code", IORESOURCE_MEM);
			struct resource *data = new_resource(k, im->sdata, im->end - 1,
							     "Kernel data", IORESOURCE_MEM);
			if (!code || !data)
				return -ENOMEM;
			request_resource_conflict(ram, code);
			request_resource_conflict(ram, data);
		}
		/* reserve_memblock_reserved_regions(): what memblock holds, around the above. */
		for_each_reserved_mem_range(mb, i, &s, &e)
		{
			uint64_t rs = s & PAGE_MASK, re = ALIGN(e, PAGE_SIZE) - 1;

			rs = rs > ram->start ? rs : ram->start;
			re = re < ram->end ? re : ram->end;
			if (rs <= re && reserve_region_with_split(k, ram, rs, re, "reserved"))
				return -ENOMEM;
		}
	}
	return 0;
}

static void kernel_defaults(struct kmm_kernel *k)
{
	k->watermark_scale_factor = 10;
	k->watermark_boost_factor = 15000;
	k->sysctl_lowmem_reserve_ratio[ZONE_DMA] = 256;
	k->sysctl_lowmem_reserve_ratio[ZONE_DMA32] = 256;
	k->sysctl_lowmem_reserve_ratio[ZONE_NORMAL] = 32;
	k->sysctl_lowmem_reserve_ratio[ZONE_MOVABLE] = 0;
	k->percpu_pagelist_high_fraction = 0;
	k->min_free_kbytes = 1024;
	k->user_min_free_kbytes = -1;
	k->policy_zone = 0;
}

/* Models: arch/arm64/mm/init.c:bootmem_init(). */
static int bootmem_init(struct kmm_kernel *k)
{
	int ret;

	k->min_low_pfn = PFN_UP(memblock_start_of_DRAM(&k->memblock));
	k->max_pfn = k->max_low_pfn = PFN_DOWN(memblock_end_of_DRAM(&k->memblock));
	ret = arch_numa_init(k);
	if (!ret)
		ret = sparse_init(k);
	if (!ret)
		ret = zone_sizes_init(k);
	if (ret)
		return ret;
	dma_contiguous_reserve(k, k->arm64_dma_phys_limit);
	memblock_dump_all(&k->memblock);
	return 0;
}

/*
 * Models: arch/arm64/mm/init.c:free_initmem(): the __init pages go to the buddy allocator
 * and their image mapping is removed (the vm areas stay, so modules never reuse them).
 */
static void free_initmem(struct kmm_kernel *k)
{
	const struct kernel_image *im = &k->image;

	free_reserved_area(k, im->init_begin, im->init_end, "unused kernel");
	vunmap_range(k, im->init_begin + k->kimage_voffset, im->init_end + k->kimage_voffset);
}

/*
 * The initcalls that matter for memory, in initcall order; before them smp_cpus_done()'s
 * mark_linear_text_alias_ro(), after them kernel_init()'s free_initmem() and
 * mark_readonly().
 */
static int do_initcalls(struct kmm_kernel *k)
{
	mark_linear_text_alias_ro(k);
	/* core_initcall(cma_init_reserved_areas) */
	if (k->cma_size) {
		cma_activate_area(k, k->cma_base, k->cma_size);
		if (cma_init_area(k))
			return -ENOMEM;
	}
	/* postcore_initcall(init_per_zone_wmark_min) */
	init_per_zone_wmark_min(k);
	/* arch_initcall(asids_update_limit) */
	asids_update_limit(k);
	/*
	 * page migration's state: the isolated-for-migration lists (migrate.c); before hugetlb's
	 * boot-time gigantic pages, whose alloc_contig_range() registers one
	 */
	if (migrate_init(k))
		return -ENOMEM;
	/* subsys_initcall(hugetlb_init): the hstates, their sysfs files, boot-time pools */
	if (hugetlb_init(k))
		return -ENOMEM;
	/* subsys_initcall(hugepage_init): THP off below 512 MiB, else khugepaged's minimum */
	if (thp_init(k) || khugepaged_init(k)) /* hugepage_init calls khugepaged_init */
		return -ENOMEM;
	/* vfs_caches_init()'s filp cache, shmem_init() and the mounts (src/fs) */
	if (fs_init(k))
		return -ENOMEM;
	/* the writeback domain, its sysctls and kmmfs's disk (page-writeback.c) */
	if (writeback_init(k))
		return -ENOMEM;
	/* module_init(workingset_init): bucket_order and the shadow-node shrinker */
	if (workingset_init(k))
		return -ENOMEM;
	/* rootfs_initcall(populate_rootfs) frees the initrd */
	free_initrd_mem(k);
	/* module_init(kswapd_init): one kswapd per node */
	if (vmscan_init(k))
		return -ENOMEM;
	/* subsys_initcall(kcompactd_init): compaction's state (its threads come when asked) */
	if (compaction_init(k))
		return -ENOMEM;
	/* then free_initmem() */
	free_initmem(k);
	mark_rodata_ro(k);
	return 0;
}

int kernel_boot(struct kmm_kernel *k, struct kmm_env *env, struct kmm_hw *hw,
		const struct kmm_config *cfg)
{
	char err[256];
	int ret;

	memset(k, 0, sizeof(*k));
	k->env = env;
	k->hw = hw;
	k->cfg = cfg;
	k->nr_cpus = (int)cfg->nr_cpus;
	k->iomem_resource.name = "PCI mem";
	kernel_defaults(k);

	env_printk(env, "Booting Linux on physical CPU 0x0000000000 [0x411fd070]\n");
	env_printk(env, "Linux version 6.1.0-kmm (libkmm model of Linux 6.1.192, arm64)\n");
	env_progress(env, "memblock and the kernel page tables", 0, 1);
	ret = parse_kernel_cmdline(cfg->cmdline, &k->params, err, sizeof(err));
	if (ret) {
		env_error(env, KMM_EINVAL, "kernel command line: %s", err);
		return ret;
	}
	if (memblock_init(&k->memblock, env, &hw->phys))
		return env_error(env, KMM_EHOST, "cannot allocate memblock"), -ENOMEM;
	k->memblock.debug = k->params.memblock_debug;
	place_kernel_image(k);

	ret = for_each_dt_memory(k, dt_add_memory);
	if (!ret &&
	    (k->image.end > k->hw->phys.banks[0].end || k->image.initrd_start < k->image.end ||
	     k->image.fdt_start + k->image.fdt_size > k->hw->phys.banks[0].end)) {
		env_error(env, KMM_ENOMEM,
			  "the first RAM bank (%" PRIu64 " MiB) cannot hold the "
			  "kernel image, initrd and device tree as QEMU loads them: give it at "
			  "least 72 MiB",
			  (k->hw->phys.banks[0].end - k->hw->phys.banks[0].base) >> 20);
		ret = -ENOSPC;
	}
	if (!ret)
		ret = arm64_memblock_init(k);
	if (!ret)
		ret = paging_init(k);
	if (!ret)
		ret = bootmem_init(k);
	if (!ret)
		ret = request_standard_resources(k);
	if (!ret)
		ret = setup_per_cpu_areas(k);
	if (!ret) {
		build_all_zonelists(k);
		env_printk(env, "Kernel command line: %s\n", cfg->cmdline);
		/* init/main.c:print_unknown_bootoptions() (the list starts with a space) */
		if (k->params.unknown[0])
			env_printk(env,
				   "Unknown kernel command line parameters \"%s\", will be passed "
				   "to user space.\n",
				   k->params.unknown + 1);
		swiotlb_init(k);
		report_meminit(k);
		memblock_free_all(k);
		mem_init_print_info(k);
		ret = kmem_cache_init(k);
		if (ret && !env->last_error[0])
			env_error(env, KMM_ENOMEM, "kmem_cache_init: out of memory");
		if (!ret)
			ret = vmalloc_init(k);
		/*
		 * early_initcall(asids_init), taken before the per-CPU page lists are sized
		 * (as in the kernel, where early initcalls run before the pagesets matter).
		 */
		if (!ret)
			ret = asids_init(k);
		if (!ret) /* fork_init/proc_caches_init, anon_vma_init, the zero page */
			ret = mm_state_init(k);
		if (!ret)
			ret = lru_init(k);
		if (!ret) /* swapfile_init(): the swap device table (swapfile.c) */
			ret = swap_init(k);
		if (!ret) /* swap_setup(): the swap cache and vm.page-cluster */
			ret = swap_cache_init(k);
		if (!ret) /* the shrinker list (mm/vmscan.c's static shrinker_list) */
			ret = shrinker_init(k);
		if (!ret)
			ret = sched_init(k); /* fork_init(): the task_struct cache, the pid table */
		if (!ret)
			ret = oom_init(
				k); /* the OOM killer's state (its reaper starts at a kill) */
	}
	if (!ret) {
		/* time_init(): the arch timer becomes sched_clock; printk stamps advance. */
		env_sched_clock_start(env);
		zone_pcp_update_all(k); /* setup_per_cpu_pageset() */
		ret = do_initcalls(k);
	}
	env_progress(env, NULL, 0, 0);
	if (ret) {
		if (ret == -ENOMEM && !env->last_error[0])
			env_error(env, KMM_EHOST, "host memory exhausted during boot");
		kernel_shutdown(k);
		return ret;
	}
	k->booted = true;
	return 0;
}

void kernel_shutdown(struct kmm_kernel *k)
{
	if (!k->env)
		return;
	compaction_fini(k);
	vmscan_fini(k);
	migrate_fini(k);
	writeback_fini(k); /* I/O in flight dropped: its pages go with the machine */
	oom_fini(k);
	khugepaged_fini(k); /* its mm references before the mms go */
	mm_state_fini(k);
	hugetlb_exit(k); /* after the mms: their hugetlb pages go back to the pools */
	thp_exit(k);	 /* after the mms: the huge zero page's last holder is its shrinker */
	asids_fini(k);
	workingset_exit(k); /* before the page caches go: their shadow nodes leave its lists */
	fs_fini(k);
	sched_fini(k);
	swap_fini(k);
	kmem_cache_fini(k);
	vmap_state_fini(k);
	lru_fini(k);
	swap_cache_fini(k);
	shrinker_exit(k);
	resource_free_children(k->env, &k->iomem_resource);
	for (int nid = 0; nid < MAX_NUMNODES; nid++) {
		pg_data_t *pgdat = k->node_data[nid];
		if (!pgdat)
			continue;
		for (int z = 0; z < MAX_NR_ZONES; z++) {
			env_free(k->env, pgdat->node_zones[z].per_cpu_pageset);
			env_free(k->env, pgdat->node_zones[z].per_cpu_zonestats);
		}
		env_free(k->env, pgdat);
		k->node_data[nid] = NULL;
	}
	env_free_backing(k->env, k->vmemmap);
	env_free_backing(k->env, k->pageblock_flags);
	env_free(k->env, k->section_present);
	env_free(k->env, k->cma.bitmap);
	k->vmemmap = NULL;
	k->pageblock_flags = NULL;
	k->section_present = NULL;
	memblock_fini(&k->memblock);
	k->booted = false;
}

bool kernel_check(const struct kmm_kernel *k, char *why, size_t whylen)
{
	if (!proc_task_mmu_check(k, why, whylen)) /* rss counters against the page tables */
		return false;
	return resource_check(&k->iomem_resource, why, whylen) &&
	       memblock_check(&k->memblock, why, whylen) && page_alloc_check(k, why, whylen) &&
	       mm_init_check(k, why, whylen) && cma_check(k, why, whylen) &&
	       slub_check(k, why, whylen) && pgtable_check(k, why, whylen) &&
	       vmalloc_check(k, why, whylen) && fs_check(k, why, whylen) &&
	       writeback_check(k, why, whylen) && mm_check(k, why, whylen) &&
	       rmap_check(k, why, whylen) && swap_cache_check(k, why, whylen) &&
	       asid_check(k, why, whylen) && sched_check(k, why, whylen) &&
	       oom_check(k, why, whylen) && swap_check(k, why, whylen) &&
	       shrinker_check(k, why, whylen) && workingset_check(k, why, whylen) &&
	       vmscan_check(k, why, whylen) && migrate_check(k, why, whylen) &&
	       compaction_check(k, why, whylen) && thp_check(k, why, whylen) &&
	       khugepaged_check(k, why, whylen) && hugetlb_check(k, why, whylen);
}
