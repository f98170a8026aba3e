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

struct kmm_machine {
	struct kmm_config cfg; /* constant after create */
	struct kmm_env env;
	struct kmm_hw hw;
	struct kmm_kernel kernel;
};

#endif /* KMM_SIM_MACHINE_H */
