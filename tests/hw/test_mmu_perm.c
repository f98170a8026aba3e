/*
 * Stage-1 permissions, the full table: EL0/EL1 x read/write/execute x AP[2:1] x UXN x PXN x
 * PSTATE.PAN x SCTLR_EL1.WXN (384 cases), then the hierarchical table controls with and
 * without TCR_EL1.HPD0.
 *
 * The expectation is the Arm ARM's rule set, written out here independently of the model
 * (Arm ARM D8.4.1 "Stage 1 data access permissions", D8.4.2 "Instruction access
 * permissions", D8.4.x PAN and WXN):
 *
 * | AP[2:1] | EL1      | EL0      |
 * |---------|----------|----------|
 * | 00      | RW       | none     |
 * | 01      | RW       | RW       |
 * | 10      | R        | none     |
 * | 11      | R        | R        |
 *
 *  - EL0 execute: UXN == 0, and not (WXN and EL0-writable).
 *  - EL1 execute: PXN == 0, not EL0-writable (AP == 01 implies PXN), not (WXN and
 *    EL1-writable).
 *  - PAN == 1: EL1 data accesses (not instruction fetches) to EL0-accessible memory
 *    (AP[1] == 1) fault.
 *  - APTable[0]: no EL0 access below; APTable[1]: no write access below; UXNTable,
 *    PXNTable: as UXN/PXN below. All ignored when TCR_EL1.HPDn == 1 (FEAT_HPDS).
 */
#include "mmu_fixture.h"

#define VA_P 0x0000000080001000ull

static bool rule_allowed(unsigned ap, bool uxn, bool pxn, bool wxn, bool pan, unsigned el,
			 enum hw_acc acc)
{
	bool el0_r = ap & 1, el0_w = ap == 1, el1_w = !(ap & 2);

	if (el == 0) {
		if (acc == HW_ACC_READ)
			return el0_r;
		if (acc == HW_ACC_WRITE)
			return el0_w;
		return !uxn && !(wxn && el0_w);
	}
	if (acc == HW_ACC_EXEC)
		return !pxn && !el0_w && !(wxn && el1_w);
	if (pan && el0_r)
		return false;
	return acc == HW_ACC_READ || el1_w;
}

static void test_mmu_perm_full_table(void **state)
{
	struct fx *fx = fx_new("max");
	struct hw_cpu *cpu = &fx->hw.cpus[0];
	unsigned checked = 0;
	kmm_pa_t slot = fx_map(fx, VA_P, 3, FX_PAGE(FX_DATA));

	for (unsigned ap = 0; ap < 4; ap++)
		for (unsigned uxn = 0; uxn < 2; uxn++)
			for (unsigned pxn = 0; pxn < 2; pxn++)
				for (unsigned wxn = 0; wxn < 2; wxn++)
					for (unsigned pan = 0; pan < 2; pan++)
						for (unsigned el = 0; el < 2; el++)
							for (int acc = HW_ACC_READ;
							     acc <= HW_ACC_EXEC; acc++) {
								bool want = rule_allowed(
									     ap, uxn, pxn, wxn, pan,
									     el, (enum hw_acc)acc),
								     got;
								struct hw_fault f;
								kmm_pa_t pa;

								fx_wr(fx, slot,
								      FX_PAGE(FX_DATA) | FX_AP(ap) |
									      (uxn ? DESC_UXN : 0) |
									      (pxn ? DESC_PXN : 0));
								fx_set(fx, 0, HW_REG_SCTLR_EL1,
								       SCTLR_EL1_M | SCTLR_EL1_C |
									       SCTLR_EL1_I |
									       (wxn ? SCTLR_EL1_WXN
										    : 0));
								fx_set(fx, 0, HW_REG_PAN, pan);
								mmu_tlbi(&fx->hw, cpu,
									 MMU_TLBI_VMALLE1, 0, false,
									 NULL);
								got = fx_access(fx, 0, el,
										(enum hw_acc)acc,
										VA_P, &pa, &f);
								if (got != want)
									fail_msg("AP=%u UXN=%u "
										 "PXN=%u WXN=%u "
										 "PAN=%u EL%u %s: "
										 "expected %s, got "
										 "%s",
										 ap, uxn, pxn, wxn,
										 pan, el,
										 acc == 0   ? "R"
										 : acc == 1 ? "W"
											    : "X",
										 want ? "allowed"
										      : "Permission"
											" fault",
										 got ? "allowed"
										     : "a fault");
								if (!got)
									fx_expect_fault(
										&f,
										HW_FAULT_PERMISSION,
										3, 1);
								checked++;
							}
	assert_int_equal(checked, 384);
	fx_free(fx);
}

/* The same table, but through the TLB: fill with a read, then check (PAN is applied at
 * lookup, the rest is cached with the entry). */
static void test_mmu_perm_pan_applies_to_cached_entries(void **state)
{
	struct fx *fx = fx_new("max");
	struct hw_fault f;
	kmm_pa_t pa;

	fx_map(fx, VA_P, 3, FX_PAGE(FX_DATA) | FX_AP(1));
	assert_true(fx_access(fx, 0, 1, HW_ACC_READ, VA_P, &pa, &f));
	fx_set(fx, 0, HW_REG_PAN, 1);
	assert_false(fx_access(fx, 0, 1, HW_ACC_READ, VA_P, &pa, &f));
	fx_expect_fault(&f, HW_FAULT_PERMISSION, 3, 1);
	assert_true(fx_access(fx, 0, 0, HW_ACC_READ, VA_P, &pa, &f));
	fx_set(fx, 0, HW_REG_PAN, 0);
	assert_true(fx_access(fx, 0, 1, HW_ACC_WRITE, VA_P, &pa, &f));
	fx_free(fx);
}

static bool rule_hier(unsigned tbl, bool hpd, unsigned el, enum hw_acc acc)
{
	/* Leaf: AP = 01 (RW at both ELs), UXN = PXN = 0, WXN = 0: EL0 may R/W/X, EL1 may
	 * R/W but not X (implicit PXN of EL0-writable memory). tbl bit 0 APTable[0],
	 * bit 1 APTable[1], bit 2 UXNTable, bit 3 PXNTable. */
	bool ap0 = !hpd && (tbl & 1), ap1 = !hpd && (tbl & 2);
	bool uxnt = !hpd && (tbl & 4), pxnt = !hpd && (tbl & 8);
	bool el0_r = !ap0, el0_w = !ap0 && !ap1, el1_w = !ap1;

	if (el == 0)
		return acc == HW_ACC_READ ? el0_r : acc == HW_ACC_WRITE ? el0_w : !uxnt;
	if (acc == HW_ACC_EXEC)
		return !pxnt && !el0_w;
	return acc == HW_ACC_READ || el1_w;
}

static void test_mmu_perm_hierarchical_and_hpd(void **state)
{
	for (unsigned hpd = 0; hpd < 2; hpd++) {
		for (unsigned tbl = 0; tbl < 16; tbl++) {
			struct fx *fx = fx_new("max");
			uint64_t tb = (tbl & 1 ? DESC_APTABLE0 : 0) |
				      (tbl & 2 ? DESC_APTABLE1 : 0) |
				      (tbl & 4 ? DESC_UXNTABLE : 0) | (tbl & 8 ? DESC_PXNTABLE : 0);

			fx_map_at(fx, fx->root0, 0, VA_P, 3, FX_PAGE(FX_DATA) | FX_AP(1), tb);
			if (hpd)
				fx_set(fx, 0, HW_REG_TCR_EL1,
				       fx->hw.cpus[0].r.tcr_el1 | TCR_EL1_HPD0);
			for (unsigned el = 0; el < 2; el++) {
				for (int acc = HW_ACC_READ; acc <= HW_ACC_EXEC; acc++) {
					struct hw_fault f;
					kmm_pa_t pa;
					bool want = rule_hier(tbl, hpd, el, (enum hw_acc)acc);
					bool got = fx_access(fx, 0, el, (enum hw_acc)acc, VA_P, &pa,
							     &f);
					if (want != got)
						fail_msg("HPD=%u table bits %x EL%u acc %d: "
							 "expected %d",
							 hpd, tbl, el, acc, want);
				}
			}
			fx_free(fx);
		}
	}
}

/* AT S1E1R/W do not check PSTATE.PAN (only S1E1RP/WP would): the translation succeeds
 * where an EL1 load faults. */
static void test_mmu_perm_at_ignores_pan(void **state)
{
	struct fx *fx = fx_new("max");
	struct hw_cpu *cpu = &fx->hw.cpus[0];
	struct hw_fault f;
	kmm_pa_t pa;

	fx_map(fx, VA_P, 3, FX_PAGE(FX_DATA) | FX_AP(1));
	fx_set(fx, 0, HW_REG_PAN, 1);
	assert_false(fx_access(fx, 0, 1, HW_ACC_READ, VA_P, &pa, &f));
	assert_true(mmu_at(&fx->hw, cpu, MMU_AT_S1E1R, VA_P, false, &f));
	assert_false(cpu->r.par_el1 & PAR_F);
	fx_free(fx);
}

/* cortex-a57 has no FEAT_HPDS: TCR_EL1.HPD0 is RES0 and the table controls apply. */
static void test_mmu_perm_hpd_needs_feature(void **state)
{
	struct fx *fx = fx_new("cortex-a57");
	struct hw_fault f;
	kmm_pa_t pa;

	fx_map_at(fx, fx->root0, 0, VA_P, 3, FX_PAGE(FX_DATA) | FX_AP(1), DESC_APTABLE1);
	fx_set(fx, 0, HW_REG_TCR_EL1, fx->hw.cpus[0].r.tcr_el1 | TCR_EL1_HPD0);
	assert_false(fx_access(fx, 0, 1, HW_ACC_WRITE, VA_P, &pa, &f));
	fx_expect_fault(&f, HW_FAULT_PERMISSION, 3, 1);
	fx_free(fx);
}

/* Writable-clean (DBM, AP[2]=1, HA=HD=1) counts as writable for WXN and for the implicit
 * PXN of EL0-writable memory (R_TTLCV, R_NKLQN). */
static void test_mmu_perm_writable_clean_counts_as_writable(void **state)
{
	struct fx *fx = fx_new("max");
	struct hw_cpu *cpu = &fx->hw.cpus[0];
	struct hw_fault f;
	kmm_pa_t pa;

	fx_set(fx, 0, HW_REG_TCR_EL1, cpu->r.tcr_el1 | TCR_EL1_HA | TCR_EL1_HD);
	fx_map(fx, VA_P, 3, FX_PAGE(FX_DATA) | FX_AP(3) | DESC_DBM);
	assert_false(fx_access(fx, 0, 1, HW_ACC_EXEC, VA_P, &pa, &f)); /* implicit PXN */
	fx_expect_fault(&f, HW_FAULT_PERMISSION, 3, 1);
	fx_map(fx, VA_P + 0x1000, 3, FX_PAGE(FX_DATA) | FX_AP(2) | DESC_DBM);
	assert_true(fx_access(fx, 0, 1, HW_ACC_EXEC, VA_P + 0x1000, &pa, &f));
	fx_set(fx, 0, HW_REG_SCTLR_EL1, cpu->r.sctlr_el1 | SCTLR_EL1_WXN);
	mmu_tlbi(&fx->hw, cpu, MMU_TLBI_VMALLE1, 0, false, NULL);
	assert_false(fx_access(fx, 0, 1, HW_ACC_EXEC, VA_P + 0x1000, &pa, &f)); /* WXN */
	fx_free(fx);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_mmu_perm_full_table),
		cmocka_unit_test(test_mmu_perm_pan_applies_to_cached_entries),
		cmocka_unit_test(test_mmu_perm_hierarchical_and_hpd),
		cmocka_unit_test(test_mmu_perm_at_ignores_pan),
		cmocka_unit_test(test_mmu_perm_hpd_needs_feature),
		cmocka_unit_test(test_mmu_perm_writable_clean_counts_as_writable),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
