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
 * The one table of handles the public API gives out for kernel objects (sim/api.h): slot + 1
 * in the low 32 bits, the slot's generation in the high ones, a kind per slot, so a stale or
 * wrong-kind handle is refused.
 */
struct api_handles {
	void **obj;    /* NULL: a free slot */
	uint32_t *gen; /* never 0 */
	uint8_t *kind; /* enum api_handle_kind */
	uint32_t nr, cap;
};

struct kmm_machine {
	struct kmm_config cfg; /* constant after create */
	struct kmm_env env;
	struct kmm_hw hw;
	struct kmm_kernel kernel;
	struct api_handles handles;  /* caches, mempools (sim/api.c) */
	struct kmm_sampler *sampler; /* time series (sim/stats_api.c), NULL until started */
};

/* The handle table's invariants (sim/api.c); false with the reason. */
bool api_handles_check(const struct kmm_machine *m, char *why, size_t whylen);

#endif /* KMM_SIM_MACHINE_H */
