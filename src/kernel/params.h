/*
 * The kernel command line: parameters the modelled kernel understands, parsed into
 * struct kernel_params. Later subsystems add their parameters to KERNEL_PARAMS in cmdline.c.
 */
#ifndef KMM_KERNEL_PARAMS_H
#define KMM_KERNEL_PARAMS_H

#include <kmm/config.h>
#include <kmm/types.h>
#include <stdbool.h>
#include <stddef.h>

#ifndef PHYS_ADDR_MAX
#define PHYS_ADDR_MAX (~(uint64_t)0)
#endif

struct kernel_params {
	uint64_t memory_limit; /* mem=: PHYS_ADDR_MAX when not given */
	uint64_t cma_size;     /* cma=: bytes (default CONFIG_CMA_SIZE_MBYTES = 64 MiB) */
	bool cma_set;
	uint64_t kernelcore;   /* kernelcore=: bytes, 0 when not given */
	uint64_t movablecore;  /* movablecore=: bytes, 0 when not given */
	bool memblock_debug;   /* memblock=debug */
	int thp;	       /* transparent_hugepage=: 1 always, 0 never, 2 madvise, -1 default */
	uint64_t swiotlb_size; /* swiotlb=N slabs of 2 KiB; default 64 MiB */
	bool init_on_alloc;    /* init_on_alloc=: zero pages and objects on allocation */
	bool init_on_free;     /* init_on_free=: zero them on free (wins over init_on_alloc) */
	int rodata;	       /* rodata=: RODATA_FULL (default), RODATA_ON or RODATA_OFF */
	int randomize_va_space; /* kernel.randomize_va_space: 2, or 0 with norandmaps */

	/* SLUB (mm/slub.c, mm/slab_common.c). */
	bool slub_debug_set;		  /* slub_debug given, bare or with a value */
	char slub_debug[KMM_CMDLINE_MAX]; /* its value ("" when bare) */
	unsigned int slub_min_order;	  /* slub_min_order= (0) */
	int slub_max_order;		  /* slub_max_order=: -1 keeps PAGE_ALLOC_COSTLY_ORDER */
	unsigned int slub_min_objects;	  /* slub_min_objects=: 0 derives it from the CPUs */
	bool slab_nomerge;		  /* slab_nomerge / slub_nomerge; slab_merge undoes */

	/*
	 * hugetlb (mm/hugetlb.c): the hugepagesz=, hugepages= and default_hugepagesz= words in
	 * command-line order ("name=value", each with a space before it); hugetlb_init() replays
	 * them through the kernel's __setup handlers' rules.
	 */
	char hugetlb[KMM_CMDLINE_MAX + 2];

	/* User address spaces (mm/mmap.c, mm/util.c). */
	unsigned int stack_guard_gap_pages; /* stack_guard_gap= (256) */

	/*
	 * The words no handler took, as init/main.c:unknown_bootoption() sorts them: bare words
	 * (init's arguments) first, then name=value (its environment; a later value of a name
	 * replaces the earlier), each with a space before it. Boot prints them.
	 */
	char unknown[KMM_CMDLINE_MAX + 2];
};

enum { RODATA_OFF, RODATA_ON, RODATA_FULL };

/*
 * Parses @cmdline into @p (defaults first). Returns 0, or -EINVAL with a message naming the
 * parameter in @err. Parameters the kernel has but the model does not implement yet
 * (hugetlb_cma=, the percentage form of kernelcore=) are refused with a message saying so.
 * Parameters neither knows are collected in p->unknown, as the kernel passes them on to init.
 */
int parse_kernel_cmdline(const char *cmdline, struct kernel_params *p, char *err, size_t errlen);

/* Calls @fn for each "name" or "name=value" word of @cmdline (double quotes group words). */
int cmdline_for_each(const char *cmdline,
		     int (*fn)(void *arg, const char *param, const char *value), void *arg);

#endif /* KMM_KERNEL_PARAMS_H */
