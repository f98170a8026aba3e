/*
 * One kernel instance: the state src/mm keeps for a machine. Each subsystem adds its part
 * here (memblock, zones, the buddy allocator, SLUB, vmalloc, ...) as it arrives.
 */
#ifndef KMM_MM_KERNEL_H
#define KMM_MM_KERNEL_H

#include "hw/hw.h"
#include "lib/env.h"
#include "mm/cmdline.h"
#include "mm/resource.h"

/* A physical range and its node: memory regions and reservations during boot. */
struct boot_region {
	uint64_t base, end; /* end exclusive */
	int nid;            /* -1 for reservations */
};

struct boot_regions {
	uint32_t nr;
	struct boot_region r[KMM_MAX_BANKS * KMM_MAX_NODES + KMM_MAX_RESERVES];
};

struct kmm_kernel {
	struct kmm_env *env;
	struct kmm_hw *hw;
	const struct kmm_config *cfg;
	struct kernel_params params; /* parsed command line */
	struct boot_regions memory;   /* RAM the kernel uses (after mem=), split by node */
	struct boot_regions reserved; /* early reservations, merged */
	struct resource iomem_resource;
	bool booted;
};

/*
 * Boots the kernel on @hw: parses the command line, claims the physical address space
 * (/proc/iomem). Returns 0 or a negative errno with the reason in env->last_error:
 * -ENOMEM host memory exhausted, -ENOSPC the simulated memory cannot hold what boot needs,
 * -EINVAL/-EBUSY a bad setting. On failure everything it allocated is freed.
 */
int kernel_boot(struct kmm_kernel *k, struct kmm_env *env, struct kmm_hw *hw,
		const struct kmm_config *cfg);
void kernel_shutdown(struct kmm_kernel *k);

bool kernel_check(const struct kmm_kernel *k, char *why, size_t whylen);

#endif /* KMM_MM_KERNEL_H */
