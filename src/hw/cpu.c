/*
 * CPUs: power-on state. Spec: Arm ARM D1 (reset): the MMU is off (SCTLR_EL1.M = 0).
 */
#include "hw/cpu.h"

#include <stdio.h>

bool hw_cpus_init(struct kmm_hw *hw, const struct kmm_config *cfg)
{
	hw->cpus = env_alloc(hw->env, sizeof(*hw->cpus) * cfg->nr_cpus);
	if (!hw->cpus) {
		env_error(hw->env, KMM_EHOST, "cannot allocate state for %u CPUs", cfg->nr_cpus);
		return false;
	}
	hw->nr_cpus = cfg->nr_cpus;
	for (uint32_t i = 0; i < hw->nr_cpus; i++)
		hw->cpus[i] = (struct hw_cpu){.id = i, .online = true};
	return true;
}

void hw_cpus_fini(struct kmm_hw *hw)
{
	env_free(hw->env, hw->cpus);
	hw->cpus = NULL;
	hw->nr_cpus = 0;
}

bool hw_cpus_check(const struct kmm_hw *hw, char *why, size_t whylen)
{
	for (uint32_t i = 0; i < hw->nr_cpus; i++) {
		if (hw->cpus[i].id != i) {
			snprintf(why, whylen, "hw: CPU slot %u holds CPU %u", i, hw->cpus[i].id);
			return false;
		}
	}
	return true;
}
