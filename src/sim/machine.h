/*
 * struct kmm_machine: the hardware, one kernel, the environment (clock, reports, host
 * memory). Internal to the library; hosts see an opaque pointer.
 */
#ifndef KMM_SIM_MACHINE_H
#define KMM_SIM_MACHINE_H

#include <kmm/machine.h>

#include "hw/hw.h"
#include "lib/env.h"
#include "mm/kernel.h"

/*
 * Handles the public API gives out for kernel objects (slab caches, mempools): slot + 1 in
 * the low 32 bits, the slot's generation in the high ones, so a stale handle is refused.
 */
struct api_handles {
	void **obj; /* NULL: a free slot */
	uint32_t *gen;
	uint32_t nr, cap;
};

struct kmm_machine {
	struct kmm_config cfg; /* constant after create */
	struct kmm_env env;
	struct kmm_hw hw;
	struct kmm_kernel kernel;
	struct api_handles caches; /* struct kmem_cache * (slab_api.c) */
	struct api_handles pools;  /* struct api_mempool * (slab_api.c) */
};

#endif /* KMM_SIM_MACHINE_H */
