/*
 * One kernel instance: the state src/mm keeps for a machine. Each subsystem adds its part
 * here as it arrives. Fields are grouped by who changes them.
 */
#ifndef KMM_MM_KERNEL_H
#define KMM_MM_KERNEL_H

#include "arch/arm64/include/asm/tlbflush.h"
#include "kernel/params.h"
#include "kernel/resource.h"
#include "lib/env.h"
#include "mm/memblock.h"
#include "mm/mmzone.h"
#include "mm/slub_def.h"

/* The machine's hardware (src/hw/hw.h): only arch code (src/arch/arm64) looks inside. */
struct kmm_hw;

/*
 * The kernel image and the boot loader's blobs, as the reference boot had them (facts of the
 * captured kernel: Debian 6.1.0-56-arm64 on QEMU virt, nokaslr; sizes from /proc/iomem, the
 * memblock debugfs files and the "Memory:" line). Configurable so a run can mimic another.
 */
struct kernel_image {
	phys_addr_t text;	    /* _stext */
	phys_addr_t etext;	    /* _etext */
	phys_addr_t start_rodata;   /* __start_rodata */
	phys_addr_t init_begin;	    /* __init_begin (end of "Kernel code") = __inittext_begin */
	phys_addr_t inittext_end;   /* __inittext_end */
	phys_addr_t initdata_begin; /* __initdata_begin */
	phys_addr_t init_end;	    /* __init_end = __initdata_end = _data */
	phys_addr_t end;	    /* _end */
	phys_addr_t sdata;	    /* _sdata ("Kernel data" start) */
	unsigned long code_kb, rwdata_kb, rodata_kb, init_kb, bss_kb; /* the Memory: line */
	phys_addr_t initrd_start, initrd_size;
	phys_addr_t fdt_start, fdt_size;
};

/* The CMA area (mm/cma.h): one, "reserved", with one bitmap bit per page. */
struct cma {
	unsigned long base_pfn;
	unsigned long count;
	unsigned long *bitmap;
};

struct kmm_kernel {
	/* Constant after boot. */
	struct kmm_env *env;
	struct kmm_hw *hw; /* opaque outside src/arch/arm64 */
	const struct kmm_config *cfg;
	struct kernel_params params; /* parsed command line */
	struct kernel_image image;
	phys_addr_t memstart_addr; /* PHYS_OFFSET */
	phys_addr_t arm64_dma_phys_limit;
	unsigned long min_low_pfn, max_low_pfn, max_pfn;
	int nr_online_nodes;
	int nr_cpus;
	int node_of_cpu[KMM_MAX_CPUS];
	int cpus_of_node[MAX_NUMNODES];
	unsigned long arch_zone_lowest_possible_pfn[MAX_NR_ZONES];
	unsigned long arch_zone_highest_possible_pfn[MAX_NR_ZONES];
	unsigned long zone_movable_pfn[MAX_NUMNODES];
	unsigned long nr_kernel_pages, nr_all_pages;
	int policy_zone;
	bool thp_enabled;
	phys_addr_t cma_base, cma_size;
	struct cma cma;
	phys_addr_t swiotlb_base, swiotlb_size;

	/* The memory model: vmemmap over [vmemmap_base, vmemmap_end) PFNs (host memory). */
	struct page *vmemmap;
	unsigned long vmemmap_base, vmemmap_end;
	uint8_t *section_present; /* one byte per section of the vmemmap range */
	uint8_t *pageblock_flags; /* one byte per pageblock of the vmemmap range */

	/* Nodes and zones. */
	pg_data_t *node_data[MAX_NUMNODES];

	/*
	 * Kernel page tables (mmu.c): where the image's page-table pages are, the image's
	 * VA - PA offset, and the rodata= choice. Constant after paging_init.
	 */
	phys_addr_t swapper_pg_dir, reserved_pg_dir, idmap_pg_dir;
	uint64_t kimage_voffset;
	bool rodata_enabled, rodata_full;
	unsigned long nr_early_pgtables;  /* pages paging_init took from memblock */
	unsigned long nr_kernel_pgtables; /* table pages taken from the buddy allocator, live */
	struct tlbflush_stats tlbflush;	  /* TLB maintenance issued (tlbflush.c) */

	/* vmalloc (vmalloc.c): the vmap area allocator and its areas; NULL before boot. */
	struct vmap_state *vmap;

	/* Files (src/fs): the mounts, names, open files; NULL before boot. */
	struct fs_state *fs;

	/* The ASID allocator (arch/arm64/mm/context.c); NULL before boot. */
	struct asid_state *asid;

	/* The LRU's per-CPU folio batches and mlock batches (swap.c); NULL before boot. */
	struct lru_state *lru;

	/* User address spaces (mmap.c, memory.c, rmap.c, fork.c); NULL before boot. */
	struct mm_state *mm_state;

	/* Tasks (kernel/sched.c): the task table, pids, each CPU's current task; NULL before boot.
	 */
	struct task_state *tasks;

	/*
	 * Reclaim and swap (wave 2, issue 15); each NULL before boot, created by its own init:
	 * swap devices and slots (swapfile.c), the swap cache (swap_state.c), reclaim and the
	 * kswapd threads (vmscan.c), workingset shadows and shrinkers (workingset.c,
	 * shrinker.c), writeback and the dirty limits (page-writeback.c), the OOM killer and
	 * its reaper (oom_kill.c).
	 */
	struct swap_state *swap;
	struct swap_cache_state *swapcache;
	struct vmscan_state *vmscan;
	struct shrinker_state *shrinkers;
	struct workingset_state *workingset; /* shadow nodes and their shrinker (workingset.c) */
	struct writeback_state *wb;
	struct oom_state *oom;

	/*
	 * Compaction, migration, huge pages (wave 2, issue 16); each NULL before boot, created by
	 * its own init: migration's counters and the isolated-for-migration records (migrate.c),
	 * kcompactd per node and the compaction sysctls (compaction.c), THP's sysfs knobs, the
	 * huge zero page and the deferred split queue (huge_memory.c), khugepaged (khugepaged.c),
	 * the hstates and their pools (hugetlb.c).
	 */
	struct migrate_state *migrate;
	struct compact_state *compact;
	struct thp_state *thp;
	struct khugepaged_state *khugepaged;
	struct hugetlb_state *hugetlb;

	/* Boot-time memory. */
	struct memblock memblock;
	struct resource iomem_resource;

	/* Counters and tunables (sysctls). */
	long totalram_pages;
	unsigned long totalcma_pages;
	unsigned long totalreserve_pages;
	int min_free_kbytes;
	int user_min_free_kbytes;
	int watermark_scale_factor;
	int watermark_boost_factor;
	int sysctl_lowmem_reserve_ratio[MAX_NR_ZONES];
	int percpu_pagelist_high_fraction;
	int sysctl_max_map_count;	 /* vm.max_map_count (mmap.c) */
	int sysctl_overcommit_memory;	 /* vm.overcommit_memory: OVERCOMMIT_GUESS/ALWAYS/NEVER */
	int sysctl_overcommit_ratio;	 /* vm.overcommit_ratio (percent of RAM for CommitLimit) */
	int sysctl_overcommit_kbytes;	 /* vm.overcommit_kbytes (0: use the ratio) */
	int sysctl_mmap_min_addr;	 /* vm.mmap_min_addr */
	int sysctl_user_reserve_kbytes;	 /* vm.user_reserve_kbytes */
	int sysctl_admin_reserve_kbytes; /* vm.admin_reserve_kbytes */
	unsigned long vm_events[NR_VM_EVENT_ITEMS]; /* summed over CPUs, as /proc/vmstat shows */

	bool booted;
	unsigned long nr_bad_pages; /* pages bad_page() took out of use */

	/*
	 * Host memory kept behind free RAM for reuse (page_alloc.c, "Host memory of free
	 * blocks"): at most limit bytes, the rest given back; given_back counts what went back.
	 */
	struct host_slack {
		uint64_t limit;
		uint64_t given_back;
	} host_slack;

	/* The slab allocator (slub.c, slab_common.c). */
	struct kmem_globals kmem;
	char online_nodes_list[48]; /* "0" or "0-1": %*pbl of the nodes with memory */
};

/*
 * Boots the kernel on @hw: command line, memblock, nodes and zones, the memory map, the
 * hand-over to the buddy allocator, watermarks. Returns 0 or a negative errno with the
 * reason in env->last_error: -ENOMEM host memory exhausted, -ENOSPC the simulated memory
 * cannot hold what boot needs, -EINVAL/-EBUSY a bad setting. On failure everything it
 * allocated is freed.
 */
int kernel_boot(struct kmm_kernel *k, struct kmm_env *env, struct kmm_hw *hw,
		const struct kmm_config *cfg);
void kernel_shutdown(struct kmm_kernel *k);

/*
 * Host bytes the memory map of @cfg's RAM takes (struct pages of every present section, and
 * the pageblock flags): what sparse_init charges to the host-memory budget.
 */
uint64_t kernel_memmap_host_bytes(const struct kmm_config *cfg);

bool kernel_check(const struct kmm_kernel *k, char *why, size_t whylen);

#endif /* KMM_MM_KERNEL_H */
