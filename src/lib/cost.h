/*
 * The cost table: what each modelled step of the kernel and the MMU costs in CPU cycles of
 * the simulated CPU doing it. One row per cost, so names, defaults and the documentation
 * cannot drift; the machine's copy (env->cost) starts from the defaults and takes overrides
 * from the config (-cost NAME=VALUE, kmm_config_set_cost). Read it as
 * /sys/kernel/debug/kmm/costs.
 *
 * Time is cycles / cpu_mhz (config, default 1000 MHz). The defaults aim at a Cortex-A57-class
 * core (out of order, 3-wide, 48 KiB/32 KiB L1, 1-2 MiB shared L2, LPDDR4/DDR4 behind it).
 * "A57 TRM" is the Cortex-A57 Technical Reference Manual (r1p3), "A57 SWOG" Arm's Cortex-A57
 * Software Optimization Guide; "estimate" marks a figure judged from the work the step does
 * (list operations, cache lines touched, the kernel's own microbenchmarks on arm64 servers of
 * that class), not measured: change it with -cost when you have a measurement.
 *
 * Rows: X(name, default cycles, what one charge pays for, where the figure comes from).
 *
 * The MMU rows are mirrored into every CPU's struct tlb_geometry (cycles_*) at power-on, so
 * the access path reads them next to the TLB it is probing; kmm_tlb_set_geometry() writes
 * its cycles back into this table. The fault rows are charged once faults are modelled.
 */
#ifndef KMM_LIB_COST_H
#define KMM_LIB_COST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define COST_TABLE(X)                                                                              \
	/* MMU (src/hw) */                                                                         \
	X(tlb_l1_hit, 0, "an L1 TLB hit", "A57 TRM: L1 TLB hits cost nothing extra")               \
	X(tlb_l2_hit, 4, "an L1 miss that hits the L2 TLB", "A57 SWOG: a few cycles")              \
	X(tlb_miss, 0, "a TLB miss, beyond its walk's reads", "the reads carry it (walk_read)")    \
	X(walk_cache_hit, 2, "a walk-cache hit (intermediate levels skipped)", "estimate")         \
	X(walk_read, 20, "one descriptor read by the walker", "A57 TRM: L2 cache latency")         \
	X(tlbi, 30, "one TLBI with its DSB", "estimate")                                           \
	X(fault_entry, 150, "exception entry from a fault to do_mem_abort", "estimate")            \
	X(fault_exit, 100, "return from the fault handler (ERET)", "estimate")                     \
	/* Page allocator (src/mm/page_alloc.c, mm_init.c) */                                      \
	X(pcp_alloc, 40, "one block taken off a pcp list", "estimate")                             \
	X(pcp_free, 40, "one block put on a pcp list", "estimate")                                 \
	X(buddy_rmqueue, 120, "one block taken off a buddy free list", "estimate")                 \
	X(buddy_split, 25, "one halving in expand()", "estimate")                                  \
	X(buddy_free, 100, "one block put on a buddy free list", "estimate")                       \
	X(buddy_merge, 30, "one merge with a free buddy", "estimate")                              \
	X(page_prep, 8, "one struct page checked and set up at alloc or free", "estimate")         \
	X(page_zero, 512, "one 4 KiB page zeroed", "estimate: 8 bytes a cycle")                    \
	X(page_copy, 1024, "one 4 KiB page copied", "estimate: twice page_zero")                   \
	X(memmap_init, 30, "one struct page initialised at boot", "estimate")                      \
	X(boot_free_page, 6, "one page handed from memblock to the buddy allocator", "estimate")   \
	/* SLUB (src/mm/slub.c) */                                                                 \
	X(slab_alloc_fast, 20, "an object off the CPU freelist", "estimate")                       \
	X(slab_free_fast, 20, "an object onto the CPU freelist", "estimate")                       \
	X(slab_alloc_slow, 150, "___slab_alloc(): refill the CPU slab", "estimate")                \
	X(slab_free_slow, 120, "__slab_free(): free to a slab not the CPU's", "estimate")          \
	X(slab_new, 300, "a new slab set up (its pages charged apart)", "estimate")                \
	X(slab_init_obj, 4, "one object linked into a new slab's freelist", "estimate")            \
	X(obj_zero_line, 8, "64 bytes of an object zeroed", "estimate: as page_zero")              \
	/* vmalloc (src/mm/vmalloc.c) */                                                           \
	X(vmap_area_alloc, 400, "a vmap_area found and carved (alloc_vmap_area)", "estimate")      \
	X(vmap_area_free, 250, "a vmap_area freed and merged back", "estimate")                    \
	X(vmap_pte, 12, "one kernel PTE or PMD written by vmap", "estimate")                       \
	X(vunmap_pte, 10, "one kernel PTE or PMD cleared by vunmap", "estimate")                   \
	/* Tasks (src/kernel/sched.c) */                                                           \
	X(context_switch, 1500, "one context switch (registers, switch_mm aside)", "estimate")     \
	X(reclaim_folio, 200, "one folio looked at by reclaim's LRU scan", "estimate")            \
	X(compact_scan, 4, "one PFN looked at by a compaction scanner", "estimate")                \
	/* Swap devices (src/mm/page_io.c, src/drivers/zram.c) */                                  \
	X(zram_same_check, 256, "one page scanned by zram's page_same_filled", "estimate")         \
	X(zram_compress, 12000, "one 4 KiB page LZO1X-1 compressed", "estimate: ~350 MB/s")        \
	X(zram_decompress, 4000, "one 4 KiB page LZO1X-1 decompressed", "estimate: ~1 GB/s")       \
	X(swap_io_latency, 100000, "a plain swap device request's latency", "estimate: 100 us")  \
	X(swap_io_page, 8000, "one page through a plain swap device", "estimate: ~500 MB/s")

enum cost_id {
#define COST_ENUM(name, def, what, source) COST_##name,
	COST_TABLE(COST_ENUM)
#undef COST_ENUM
		NR_COSTS
};

struct cost_row {
	const char *name;
	uint32_t def;
	const char *what;
	const char *source;
};

extern const struct cost_row cost_rows[NR_COSTS];

/* The row named @name; -1 if there is none. */
int cost_find(const char *name);

/* Parses "NAME=VALUE"; false with the reason in @why when either is bad. */
bool cost_parse(const char *text, int *id, uint32_t *value, char *why, size_t whylen);

#endif /* KMM_LIB_COST_H */
