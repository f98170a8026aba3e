/*
 * CPUs: power-on state, CPU models, system register access.
 *
 * Spec: Arm ARM D1.x (reset): the MMU is off (SCTLR_EL1.M = 0), PSTATE.PAN = 0; TLB contents
 * are UNKNOWN at reset and the model starts them empty. D17 (register fields).
 *
 * CPU models (what QEMU 7.2 calls them; ID register values as that QEMU reports them):
 *
 * | model      | PARange | FEAT_HAFDBS | FEAT_HPDS | FEAT_XNX | FEAT_TTST |
 * |------------|---------|-------------|-----------|----------|-----------|
 * | cortex-a57 | 44 bits | no          | no        | no       | no        |
 * | max        | 52 bits | yes         | yes       | yes      | yes       |
 *
 * ("max" implements FEAT_LPA: PARange is 52 bits, but the model's PA size is capped at 48
 * since TCR.DS/52-bit descriptors are not modelled.)
 *
 * Both have 16-bit ASIDs (ID_AA64MMFR0_EL1.ASIDBits = 0b0010). hw_cpus_set_asid_bits(8)
 * makes a variant with 8-bit ASIDs (an implementation choice the architecture allows; QEMU
 * has no such property): the machine keeps its own copy of the model (hw->model), which every
 * CPU's feat points at. "max" also has FEAT_TLBIRANGE (ID_AA64ISAR0_EL1.TLB = 0b0010),
 * FEAT_TTL and FEAT_TTCNP (ID_AA64MMFR2_EL1); cortex-a57 (ARMv8.0) has none of them. Of isar0
 * only the TLB field is relied on; its other fields are QEMU 7.2's as its source sets them,
 * not read from a capture.
 */
#include "hw/cpu.h"

#include <stdio.h>
#include <string.h>

#include "hw/mmu_defs.h"
#include "hw/ptw.h"

static const struct hw_cpu_features hw_models[] = {
	{.name = "cortex-a57",
	 .midr = 0x411fd070,
	 .mmfr0 = 0x1124,
	 .mmfr1 = 0,
	 .mmfr2 = 0,
	 .pfr0 = 0x222,
	 .isar0 = 0x11120,
	 .parange_bits = 44},
	{.name = "max",
	 .midr = 0xf0510,
	 .mmfr0 = 0x32310201126,
	 .mmfr1 = 0x11010211122,
	 .mmfr2 = 0x1021011010011011,
	 .pfr0 = 0x1201001120110222,
	 .isar0 = 0x1221111110212120,
	 .parange_bits = 52,
	 .hafdbs = true,
	 .hpds = true,
	 .xnx = true,
	 .ttst = true},
};

const struct hw_cpu_features *hw_cpu_model(const char *name)
{
	for (size_t i = 0; i < sizeof(hw_models) / sizeof(hw_models[0]); i++) {
		if (name && strcmp(hw_models[i].name, name) == 0)
			return &hw_models[i];
	}
	return NULL;
}

bool hw_cpus_init(struct kmm_hw *hw, const struct kmm_config *cfg)
{
	struct tlb_geometry geo;

	const char *name = cfg->cpu_model[0] ? cfg->cpu_model : "cortex-a57";
	const struct hw_cpu_features *feat = hw_cpu_model(name);

	if (!feat) {
		env_error(hw->env, KMM_EINVAL, "unknown CPU model \"%s\" (known: cortex-a57, max)",
			  name);
		return false;
	}
	tlb_geometry_default(&geo);
	tlb_geometry_load_costs(&geo, hw->env->cost);
	hw->model = env_alloc(hw->env, sizeof(*hw->model));
	hw->cpus = hw->model ? env_alloc(hw->env, sizeof(*hw->cpus) * cfg->nr_cpus) : NULL;
	if (!hw->cpus) {
		env_free(hw->env, hw->model);
		hw->model = NULL;
		env_error(hw->env, KMM_EHOST, "cannot allocate state for %u CPUs", cfg->nr_cpus);
		return false;
	}
	*hw->model = *feat;
	if (cfg->asid_bits == 8)
		hw->model->mmfr0 &= ~((uint64_t)0xf << ID_AA64MMFR0_ASIDBITS_SHIFT);
	for (uint32_t i = 0; i < cfg->nr_cpus; i++) {
		struct hw_cpu *cpu = &hw->cpus[i];

		*cpu = (struct hw_cpu){.id = i, .online = true, .feat = hw->model};
		cpu->r.el = 1;
		/* TCR_EL1 resets UNKNOWN; the model starts it at "4KB granule for both halves". */
		cpu->r.tcr_el1 = (uint64_t)TCR_TG1_4K << TCR_EL1_TG1_SHIFT;
		if (!tlb_init(&cpu->tlb, hw->env, &geo)) {
			hw->nr_cpus = i;
			hw_cpus_fini(hw);
			env_error(hw->env, KMM_EHOST, "cannot allocate the TLBs of CPU %u", i);
			return false;
		}
		hw_cpu_sync(cpu);
		hw->nr_cpus = i + 1;
	}
	return true;
}

void hw_cpus_fini(struct kmm_hw *hw)
{
	for (uint32_t i = 0; hw->cpus && i < hw->nr_cpus; i++)
		tlb_fini(&hw->cpus[i].tlb);
	env_free(hw->env, hw->cpus);
	env_free(hw->env, hw->model);
	hw->cpus = NULL;
	hw->model = NULL;
	hw->nr_cpus = 0;
}

bool hw_cpus_check(const struct kmm_hw *hw, char *why, size_t whylen)
{
	for (uint32_t i = 0; i < hw->nr_cpus; i++) {
		const struct hw_cpu *cpu = &hw->cpus[i];
		if (cpu->id != i) {
			snprintf(why, whylen, "hw: CPU slot %u holds CPU %u", i, cpu->id);
			return false;
		}
		if (FIELD64(cpu->r.tcr_el1, TCR_EL1_TG0_SHIFT, 2) != TCR_TG0_4K ||
		    FIELD64(cpu->r.tcr_el1, TCR_EL1_TG1_SHIFT, 2) != TCR_TG1_4K) {
			snprintf(why, whylen, "hw: CPU %u TCR_EL1 selects a granule other than 4KB",
				 i);
			return false;
		}
		if (!tlb_check(&cpu->tlb, why, whylen) || !ptw_check(cpu, why, whylen))
			return false;
	}
	return true;
}

/* TCR_EL1 as the CPU holds it: AS is RES0 without 16-bit ASIDs (Arm ARM D17.2.131). */
static uint64_t hw_tcr_res0(const struct hw_cpu *cpu, uint64_t tcr)
{
	if (FIELD64(cpu->feat->mmfr0, ID_AA64MMFR0_ASIDBITS_SHIFT, 4) != 2)
		tcr &= ~TCR_EL1_AS;
	return tcr;
}

/* Every CPU re-derives its state from the (changed) model, TCR_EL1's RES0 bits included. */
static void hw_cpus_resync(struct kmm_hw *hw)
{
	for (uint32_t i = 0; i < hw->nr_cpus; i++) {
		struct hw_cpu *cpu = &hw->cpus[i];

		cpu->feat = hw->model;
		cpu->r.tcr_el1 = hw_tcr_res0(cpu, cpu->r.tcr_el1);
		hw_cpu_sync(cpu);
	}
}

bool hw_cpus_set_model(struct kmm_hw *hw, const char *name)
{
	const struct hw_cpu_features *feat = hw_cpu_model(name);

	uint64_t asid_field = ((uint64_t)0xf << ID_AA64MMFR0_ASIDBITS_SHIFT);

	if (!feat) {
		env_error(hw->env, KMM_EINVAL, "unknown CPU model \"%s\" (known: cortex-a57, max)",
			  name ? name : "(null)");
		return false;
	}
	asid_field &= hw->model->mmfr0;
	*hw->model = *feat;
	hw->model->mmfr0 =
		(feat->mmfr0 & ~((uint64_t)0xf << ID_AA64MMFR0_ASIDBITS_SHIFT)) | asid_field;
	hw_cpus_resync(hw);
	return true;
}

bool hw_cpus_set_asid_bits(struct kmm_hw *hw, unsigned bits)
{
	uint64_t field = bits == 16 ? 2 : 0;

	if (bits != 8 && bits != 16) {
		env_error(hw->env, KMM_EINVAL, "ASID width %u: the architecture has 8 or 16 bits",
			  bits);
		return false;
	}
	hw->model->mmfr0 &= ~((uint64_t)0xf << ID_AA64MMFR0_ASIDBITS_SHIFT);
	hw->model->mmfr0 |= field << ID_AA64MMFR0_ASIDBITS_SHIFT;
	hw_cpus_resync(hw);
	return true;
}

static const char *const hw_reg_names[HW_REG_COUNT] = {
#define HW_SYSREG_NAME(name, field) [HW_REG_##name] = #name,
	HW_SYSREG_LIST(HW_SYSREG_NAME)
#undef HW_SYSREG_NAME
		[HW_REG_PAN] = "PAN",
	[HW_REG_CURRENT_EL] = "CurrentEL",
};

const char *hw_sysreg_name(enum hw_sysreg reg)
{
	return (unsigned)reg < HW_REG_COUNT ? hw_reg_names[reg] : NULL;
}

enum hw_sysreg hw_sysreg_by_name(const char *name)
{
	for (unsigned i = 0; name && i < HW_REG_COUNT; i++) {
		if (strcmp(hw_reg_names[i], name) == 0)
			return (enum hw_sysreg)i;
	}
	return HW_REG_COUNT;
}

void hw_cpu_sync(struct hw_cpu *cpu)
{
	static const uint8_t need[2][3] = {
		{TLB_P_R0, TLB_P_W0, TLB_P_X0},
		{TLB_P_R1, TLB_P_W1, TLB_P_X1},
	};

	cpu->cur_asid = ptw_asid(cpu);
	cpu->cur_vmid = ptw_vmid(cpu);
	cpu->mmu_on = (cpu->r.sctlr_el1 & SCTLR_EL1_M) != 0;
	memcpy(cpu->need, need, sizeof(need));
	ptw_sync(cpu);
}

static bool hw_granule_ok(struct kmm_hw *hw, enum hw_sysreg reg, uint64_t val)
{
	if (reg == HW_REG_TCR_EL1) {
		unsigned tg0 = (unsigned)FIELD64(val, TCR_EL1_TG0_SHIFT, 2);
		unsigned tg1 = (unsigned)FIELD64(val, TCR_EL1_TG1_SHIFT, 2);
		if (tg0 != TCR_TG0_4K || tg1 != TCR_TG1_4K) {
			env_error(hw->env, KMM_EINVAL,
				  "TCR_EL1 0x%llx selects TG0=%u TG1=%u: only the 4KB granule is "
				  "modelled (TG0=0b00, TG1=0b10)",
				  (unsigned long long)val, tg0, tg1);
			return false;
		}
	}
	if (reg == HW_REG_VTCR_EL2 && FIELD64(val, VTCR_EL2_TG0_SHIFT, 2) != TCR_TG0_4K) {
		env_error(hw->env, KMM_EINVAL,
			  "VTCR_EL2 0x%llx selects TG0=%u: only the 4KB granule is modelled "
			  "(TG0=0b00)",
			  (unsigned long long)val, (unsigned)FIELD64(val, VTCR_EL2_TG0_SHIFT, 2));
		return false;
	}
	return true;
}

bool hw_cpu_set_reg(struct kmm_hw *hw, struct hw_cpu *cpu, enum hw_sysreg reg, uint64_t val)
{
	if (!hw_granule_ok(hw, reg, val))
		return false;
	switch (reg) {
#define HW_SYSREG_SET(name, field)                                                                 \
	case HW_REG_##name:                                                                        \
		cpu->r.field = val;                                                                \
		break;
		HW_SYSREG_LIST(HW_SYSREG_SET)
#undef HW_SYSREG_SET
	case HW_REG_PAN:
	case HW_REG_CURRENT_EL:
		if (val > 1) {
			env_error(hw->env, KMM_EINVAL, "%s must be 0 or 1, not %llu",
				  hw_sysreg_name(reg), (unsigned long long)val);
			return false;
		}
		if (reg == HW_REG_PAN)
			cpu->r.pan = (uint8_t)val;
		else
			cpu->r.el = (uint8_t)val;
		break;
	default:
		env_error(hw->env, KMM_EINVAL, "unknown system register %d", (int)reg);
		return false;
	}
	cpu->r.tcr_el1 = hw_tcr_res0(cpu, cpu->r.tcr_el1);
	hw_cpu_sync(cpu);
	return true;
}

uint64_t hw_cpu_get_reg(const struct hw_cpu *cpu, enum hw_sysreg reg)
{
	switch (reg) {
#define HW_SYSREG_GET(name, field)                                                                 \
	case HW_REG_##name:                                                                        \
		return cpu->r.field;
		HW_SYSREG_LIST(HW_SYSREG_GET)
#undef HW_SYSREG_GET
	case HW_REG_PAN:
		return cpu->r.pan;
	case HW_REG_CURRENT_EL:
		return cpu->r.el;
	default:
		return 0;
	}
}
