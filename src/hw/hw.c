/*
 * Hardware assembly: physical memory first, then the CPUs. See hw.h.
 */
#include "hw/hw.h"

bool hw_init(struct kmm_hw *hw, struct kmm_env *env, const struct kmm_config *cfg)
{
	memset(hw, 0, sizeof(*hw));
	hw->env = env;
	if (!phys_init(&hw->phys, env, cfg))
		return false;
	if (!hw_cpus_init(hw, cfg)) {
		phys_fini(&hw->phys);
		return false;
	}
	return true;
}

void hw_fini(struct kmm_hw *hw)
{
	hw_cpus_fini(hw);
	phys_fini(&hw->phys);
}

bool hw_check(const struct kmm_hw *hw, char *why, size_t whylen)
{
	return phys_check(&hw->phys, why, whylen) && hw_cpus_check(hw, why, whylen);
}
