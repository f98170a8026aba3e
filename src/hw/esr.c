/*
 * Fault syndromes: struct hw_fault -> ESR_ELx / FAR_ELx / HPFAR_EL2, and AT results ->
 * PAR_EL1. Pure functions, tested on their own.
 *
 * Spec: Arm ARM D17.2 (ESR_EL1/ESR_EL2: EC 0x20/0x21 Instruction Abort from a lower/the
 * same EL, 0x24/0x25 Data Abort from a lower/the same EL; ISS for aborts: DFSC/IFSC[5:0],
 * WnR[6], S1PTW[7], CM[8], EA[9], FnV[10]), HPFAR_EL2 (FIPA = IPA[47:12] in bits 43:4),
 * PAR_EL1 (F, FST, PTW, S; ATTR, PA, NS, SH), D8.12 (fault status codes).
 *
 * Routing (HCR_EL2.TGE = 0): stage-2 faults, including stage-2 faults on stage-1 table walks,
 * go to EL2; stage-1 faults, external aborts and TLB conflicts to EL1, except for AT
 * instructions executed at EL2 whose aborts stay at EL2.
 *
 * | ISS field | data abort                      | instruction abort |
 * |-----------|---------------------------------|-------------------|
 * | DFSC/IFSC | esr_fsc()                       | esr_fsc()         |
 * | WnR       | write access, or 1 for AT (CM)  | 0                 |
 * | S1PTW     | stage-2 fault on an S1 walk     | same              |
 * | CM        | AT (cache maintenance / AT)     | 0                 |
 *
 * Deviation: ISV is always 0 (no instruction syndrome: the model does not decode the
 * instruction that faulted), EA is 0 and FnV 0; IL is 1 (32-bit instructions).
 */
#include "hw/esr.h"

#include "hw/mmu_defs.h"

unsigned esr_fsc(const struct hw_fault *f)
{
	unsigned l = f->level < 0 ? 0 : (unsigned)f->level;

	switch (f->type) {
	case HW_FAULT_ADDR_SIZE:
		return FSC_ADDR_SIZE(l);
	case HW_FAULT_TRANSLATION:
		return FSC_TRANSLATION(l);
	case HW_FAULT_ACCESS_FLAG:
		return FSC_ACCESS_FLAG(l);
	case HW_FAULT_PERMISSION:
		return FSC_PERMISSION(l);
	case HW_FAULT_SEA:
		return FSC_SEA;
	case HW_FAULT_SEA_WALK:
		return FSC_SEA_WALK(l);
	case HW_FAULT_TLB_CONFLICT:
		return FSC_TLB_CONFLICT;
	case HW_FAULT_NONE:
	default:
		return 0;
	}
}

void esr_encode(const struct hw_fault *f, struct esr_syndrome *out)
{
	bool ifetch = f->acc == HW_ACC_EXEC && !f->cm;
	unsigned from_el = f->cm ? (f->at_el2 ? 2u : 1u) : f->el;
	unsigned target = (f->stage == 2 || f->at_el2) ? 2u : 1u;
	uint64_t iss = esr_fsc(f), ec;

	if (f->s1ptw)
		iss |= ESR_ISS_S1PTW;
	if (!ifetch) {
		if (f->acc == HW_ACC_WRITE || f->cm)
			iss |= ESR_ISS_WNR;
		if (f->cm)
			iss |= ESR_ISS_CM;
	}
	if (ifetch)
		ec = from_el == target ? ESR_EC_IABT_CUR : ESR_EC_IABT_LOW;
	else
		ec = from_el == target ? ESR_EC_DABT_CUR : ESR_EC_DABT_LOW;
	out->esr = (ec << ESR_EC_SHIFT) | ESR_IL | iss;
	out->far = f->va;
	out->hpfar = f->stage == 2 ? ((f->ipa >> 12) << HPFAR_FIPA_SHIFT) : 0;
	out->target_el = (uint8_t)target;
}

uint64_t esr_par_fault(const struct hw_fault *f)
{
	return PAR_RES1_11 | PAR_F | ((uint64_t)esr_fsc(f) << PAR_FST_SHIFT) |
	       (f->s1ptw ? PAR_PTW : 0) | (f->stage == 2 ? PAR_S : 0);
}

uint64_t esr_par_ok(const struct ptw_result *r)
{
	return ((uint64_t)r->attr << PAR_ATTR_SHIFT) | (r->pa & 0x000ffffffffff000ull) |
	       PAR_RES1_11 | PAR_NS | ((uint64_t)(r->sh & 3) << PAR_SH_SHIFT);
}

bool esr_at_is_exception(const struct hw_fault *f)
{
	switch (f->type) {
	case HW_FAULT_SEA:
	case HW_FAULT_SEA_WALK:
	case HW_FAULT_TLB_CONFLICT:
		return true;
	default:
		/* Executed at EL1, a stage-2 fault on a stage-1 walk traps to EL2. */
		return f->stage == 2 && !f->at_el2;
	}
}

const char *esr_fault_name(enum hw_fault_type type)
{
	static const char *const names[] = {
		[HW_FAULT_NONE] = "none",
		[HW_FAULT_ADDR_SIZE] = "address_size",
		[HW_FAULT_TRANSLATION] = "translation",
		[HW_FAULT_ACCESS_FLAG] = "access_flag",
		[HW_FAULT_PERMISSION] = "permission",
		[HW_FAULT_SEA] = "sync_external",
		[HW_FAULT_SEA_WALK] = "sync_external_on_walk",
		[HW_FAULT_TLB_CONFLICT] = "tlb_conflict",
	};

	return (unsigned)type < sizeof(names) / sizeof(names[0]) ? names[type] : "?";
}
