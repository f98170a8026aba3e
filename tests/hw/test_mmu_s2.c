/*
 * Stage 2: translation, access flag, permission and address size faults on the final IPA
 * and on stage-1 table walks (S1PTW), HPFAR_EL2, routing to EL2, concatenated start tables,
 * S2AP, XN[1:0] with and without FEAT_XNX, HCR_EL2.PTW, VTCR_EL2.HA/HD, and the scope of
 * IPAS2E1 against combined stage-1+2 entries.
 *
 * Expected values: Arm ARM D8.2 (AArch64.S2Walk), D8.4.x (S2AP, XN), D8.12 (S1PTW faults
 * report the stage-2 level and set HPFAR to the IPA of the table), D8.17 (IPAS2E1
 * invalidates stage-2-only entries; combined entries need a stage-1 invalidation), and
 * oracle vector seed1-00013 query 21 (an IPA above the VTCR_EL2.T0SZ range: Translation
 * fault, level 0).
 *
 * Layout: 40-bit IPA (T0SZ 24), start level 1 with two concatenated level-1 tables (8 KiB),
 * PS 40 bits. The RAM 0x4000_0000..0x4800_0000 is identity-mapped at stage 2 with 2 MiB
 * blocks, Normal WB, S2AP RW.
 */
#include "mmu_fixture.h"

#define S2_LEAF(pa) ((pa) | DESC_VALID | DESC_AF | 0xfull << 2 | 3ull << 6 | 3ull << 8)
#define VA_X	    0x0000000011111000ull

struct s2fx {
	struct fx *fx;
	kmm_pa_t root; /* two concatenated level-1 tables */
};

static kmm_pa_t s2_map(struct s2fx *s, uint64_t ipa, unsigned level, uint64_t leaf)
{
	struct fx *fx = s->fx;
	kmm_pa_t slot = s->root + 8 * ((ipa >> 30) & 0x3ff), table;

	for (unsigned l = 1; l < level; l++) {
		uint64_t d = fx_rd(fx, slot);
		if ((d & 3) != 3) { /* invalid or a block: a new table replaces it */
			d = fx_table(fx) | DESC_VALID | DESC_TABLE;
			fx_wr(fx, slot, d);
		}
		table = d & DESC_ADDR_MASK;
		slot = table + 8 * fx_idx(ipa, l + 1);
	}
	fx_wr(fx, slot, leaf);
	return slot;
}

static struct s2fx s2_new(const char *model)
{
	struct s2fx s = {.fx = fx_new(model)};
	struct fx *fx = s.fx;

	if (fx->next_table & 0x1fff)
		fx_table(fx);
	s.root = fx_table(fx);
	fx_table(fx);
	for (uint64_t ipa = FX_RAM_BASE; ipa < FX_RAM_BASE + FX_RAM_SIZE; ipa += 0x200000)
		s2_map(&s, ipa, 2, S2_LEAF(ipa) & ~DESC_TABLE);
	for (unsigned c = 0; c < fx->hw.nr_cpus; c++) {
		fx_set(fx, c, HW_REG_VTCR_EL2,
		       24 | 1ull << VTCR_EL2_SL0_SHIFT | 2ull << VTCR_EL2_PS_SHIFT);
		fx_set(fx, c, HW_REG_VTTBR_EL2, s.root | 5ull << VTTBR_VMID_SHIFT);
		fx_set(fx, c, HW_REG_HCR_EL2, HCR_EL2_VM | HCR_EL2_RW);
	}
	return s;
}

static void test_mmu_s2_translation_fault_and_hpfar(void **state)
{
	struct s2fx s = s2_new("max");
	struct hw_cpu *cpu = &s.fx->hw.cpus[0];
	struct hw_fault f;
	kmm_pa_t pa;

	fx_map(s.fx, VA_X, 3, FX_PAGE(0x50000000ull));
	fx_map(s.fx, VA_X + 0x1000, 3, FX_PAGE(FX_DATA + 0x3000));
	assert_true(fx_access(s.fx, 0, 1, HW_ACC_READ, VA_X + 0x1008, &pa, &f));
	assert_int_equal(pa, FX_DATA + 0x3008);
	assert_false(fx_access(s.fx, 0, 1, HW_ACC_READ, VA_X + 0x10, &pa, &f));
	fx_expect_fault(&f, HW_FAULT_TRANSLATION, 2, 2);
	assert_false(f.s1ptw);
	assert_int_equal(cpu->r.esr_el2, (uint64_t)ESR_EC_DABT_LOW << 26 | ESR_IL | 0x06);
	assert_int_equal(cpu->r.far_el2, VA_X + 0x10);
	assert_int_equal(cpu->r.hpfar_el2, (0x50000000ull >> 12) << 4);
	fx_free(s.fx);
}

static void test_mmu_s2_ipa_beyond_t0sz_is_level0(void **state)
{
	struct s2fx s = s2_new("max");
	struct hw_fault f;
	kmm_pa_t pa;

	fx_map(s.fx, VA_X, 3, FX_PAGE(1ull << 40));
	assert_false(fx_access(s.fx, 0, 0, HW_ACC_EXEC, VA_X, &pa, &f));
	fx_expect_fault(&f, HW_FAULT_TRANSLATION, 0, 2);
	assert_int_equal(s.fx->hw.cpus[0].r.esr_el2 >> 26, ESR_EC_IABT_LOW);
	fx_free(s.fx);
}

static void test_mmu_s2_permission_af_address_size(void **state)
{
	struct s2fx s = s2_new("max");
	struct hw_fault f;
	kmm_pa_t pa;

	/* S2AP = 01: read-only. */
	s2_map(&s, 0x46000000ull, 3, (S2_LEAF(0x46000000ull) | DESC_TABLE) & ~DESC_S2AP_W);
	fx_map(s.fx, VA_X, 3, FX_PAGE(0x46000000ull));
	assert_true(fx_access(s.fx, 0, 1, HW_ACC_READ, VA_X, &pa, &f));
	assert_false(fx_access(s.fx, 0, 1, HW_ACC_WRITE, VA_X, &pa, &f));
	fx_expect_fault(&f, HW_FAULT_PERMISSION, 3, 2);
	assert_int_equal(s.fx->hw.cpus[0].r.esr_el2 & 0x7f, ESR_ISS_WNR | 0x0f);
	/* AF = 0 without VTCR_EL2.HA. */
	s2_map(&s, 0x46200000ull, 2, S2_LEAF(0x46200000ull) & ~(DESC_AF | DESC_TABLE));
	fx_map(s.fx, VA_X + 0x1000, 3, FX_PAGE(0x46200000ull));
	assert_false(fx_access(s.fx, 0, 1, HW_ACC_READ, VA_X + 0x1000, &pa, &f));
	fx_expect_fault(&f, HW_FAULT_ACCESS_FLAG, 2, 2);
	/* Output address beyond PS (40 bits). */
	s2_map(&s, 0x46400000ull, 2, S2_LEAF(1ull << 40) & ~DESC_TABLE);
	fx_map(s.fx, VA_X + 0x2000, 3, FX_PAGE(0x46400000ull));
	assert_false(fx_access(s.fx, 0, 1, HW_ACC_READ, VA_X + 0x2000, &pa, &f));
	fx_expect_fault(&f, HW_FAULT_ADDR_SIZE, 2, 2);
	fx_free(s.fx);
}

/* A stage-1 table whose IPA is not mapped at stage 2: the S2 fault is reported with S1PTW,
 * at the stage-2 level, HPFAR = IPA of the table; AT at EL2 reports it in PAR (S, PTW),
 * AT S1E1R at EL1 traps to EL2. */
static void test_mmu_s2_fault_on_stage1_walk(void **state)
{
	struct s2fx s = s2_new("max");
	struct hw_cpu *cpu = &s.fx->hw.cpus[0];
	kmm_pa_t l1 = 0x47f00000ull; /* the level-1 table of VA_X, unmapped at stage 2 */
	struct hw_fault f;
	kmm_pa_t pa;

	s2_map(&s, 0x47e00000ull, 2, 0);
	fx_wr(s.fx, s.fx->root0, l1 | DESC_VALID | DESC_TABLE);
	assert_false(fx_access(s.fx, 0, 1, HW_ACC_READ, VA_X, &pa, &f));
	fx_expect_fault(&f, HW_FAULT_TRANSLATION, 2, 2);
	assert_true(f.s1ptw);
	assert_true(cpu->r.esr_el2 & ESR_ISS_S1PTW);
	assert_int_equal(cpu->r.hpfar_el2, (l1 >> 12) << 4);
	assert_true(mmu_at(&s.fx->hw, cpu, MMU_AT_S1E1R, VA_X, true, &f));
	assert_int_equal(cpu->r.par_el1, 0x800 | PAR_S | PAR_PTW | 0x06 << 1 | PAR_F);
	assert_false(mmu_at(&s.fx->hw, cpu, MMU_AT_S1E1R, VA_X, false, &f));
	assert_int_equal(cpu->r.esr_el2 >> 26, ESR_EC_DABT_LOW);
	assert_true(cpu->r.esr_el2 & ESR_ISS_CM);
	fx_free(s.fx);
}

/* HCR_EL2.PTW = 1: a stage-1 walk into stage-2 Device memory is a stage-2 Permission
 * fault (S1PTW). */
static void test_mmu_s2_ptw_device_tables(void **state)
{
	struct s2fx s = s2_new("max");
	struct hw_fault f;
	kmm_pa_t pa;
	uint64_t tables = FX_TABLES & ~0x1fffffull;

	fx_map(s.fx, VA_X, 3, FX_PAGE(FX_DATA));
	s2_map(&s, tables, 2, (S2_LEAF(tables) & ~(0xfull << 2) & ~DESC_TABLE) | 0x1ull << 2);
	assert_true(fx_access(s.fx, 0, 1, HW_ACC_READ, VA_X, &pa, &f));
	fx_set(s.fx, 0, HW_REG_HCR_EL2, HCR_EL2_VM | HCR_EL2_PTW | HCR_EL2_RW);
	mmu_tlbi(&s.fx->hw, &s.fx->hw.cpus[0], MMU_TLBI_ALLE1, 0, false, NULL);
	assert_false(fx_access(s.fx, 0, 1, HW_ACC_READ, VA_X, &pa, &f));
	fx_expect_fault(&f, HW_FAULT_PERMISSION, 2, 2);
	assert_true(f.s1ptw);
	fx_free(s.fx);
}

/* Stage-2 XN[1:0] (FEAT_XNX): 00 both ELs execute, 01 EL0 only, 10 neither, 11 EL1 only.
 * Without FEAT_XNX only XN[1] counts. */
static void test_mmu_s2_xn_and_xnx(void **state)
{
	static const bool want_xnx[4][2] = {{1, 1}, {1, 0}, {0, 0}, {0, 1}}; /* [xn][el] */
	static const bool want_v8[4][2] = {{1, 1}, {1, 1}, {0, 0}, {0, 0}};

	for (int model = 0; model < 2; model++) {
		struct s2fx s = s2_new(model ? "cortex-a57" : "max");
		for (unsigned xn = 0; xn < 4; xn++) {
			uint64_t ipa = 0x46000000ull + xn * 0x200000ull;
			s2_map(&s, ipa, 2, (S2_LEAF(ipa) & ~DESC_TABLE) | (uint64_t)xn << 53);
			/* EL0-executable stage 1 (AP=01 makes it EL1 execute-never): use AP=11
			 * for EL0 and AP=10 for EL1. */
			fx_map(s.fx, VA_X + xn * 0x2000ull, 3, FX_PAGE(ipa) | FX_AP(3));
			fx_map(s.fx, VA_X + xn * 0x2000ull + 0x1000, 3, FX_PAGE(ipa) | FX_AP(2));
			for (unsigned el = 0; el < 2; el++) {
				struct hw_fault f;
				kmm_pa_t pa;
				uint64_t va = VA_X + xn * 0x2000ull + (el ? 0x1000 : 0);
				bool want = model ? want_v8[xn][el] : want_xnx[xn][el];
				bool got = fx_access(s.fx, 0, el, HW_ACC_EXEC, va, &pa, &f);
				if (got != want)
					fail_msg("%s XN=%u EL%u: expected %d",
						 model ? "a57" : "max", xn, el, want);
				if (!got)
					fx_expect_fault(&f, HW_FAULT_PERMISSION, 2, 2);
			}
		}
		fx_free(s.fx);
	}
}

/* VTCR_EL2.HA/HD: the stage-2 AF and S2AP[1] (dirty) are set by hardware; AT never marks
 * dirty (R_RKMHW). */
static void test_mmu_s2_hardware_updates(void **state)
{
	struct s2fx s = s2_new("max");
	struct hw_cpu *cpu = &s.fx->hw.cpus[0];
	uint64_t leaf = (S2_LEAF(0x46000000ull) & ~(DESC_AF | DESC_S2AP_W)) | DESC_DBM | DESC_TABLE;
	struct hw_fault f;
	kmm_pa_t pa, slot;

	fx_set(s.fx, 0, HW_REG_VTCR_EL2, cpu->r.vtcr_el2 | VTCR_EL2_HA | VTCR_EL2_HD);
	slot = s2_map(&s, 0x46000000ull, 3, leaf);
	fx_map(s.fx, VA_X, 3, FX_PAGE(0x46000000ull));
	assert_true(mmu_at(&s.fx->hw, cpu, MMU_AT_S12E1W, VA_X, true, &f));
	assert_false(cpu->r.par_el1 & PAR_F);
	assert_int_equal(fx_rd(s.fx, slot), leaf | DESC_AF);
	assert_true(fx_access(s.fx, 0, 1, HW_ACC_WRITE, VA_X, &pa, &f));
	assert_int_equal(fx_rd(s.fx, slot), leaf | DESC_AF | DESC_S2AP_W);
	fx_free(s.fx);
}

/* IPAS2E1 removes stage-2-only entries but not combined stage-1+2 entries; the KVM
 * sequence IPAS2E1 + VMALLE1 removes both (D8.17). */
static void test_mmu_s2_ipas2e1_scope(void **state)
{
	struct s2fx s = s2_new("max");
	struct hw_cpu *cpu = &s.fx->hw.cpus[0];
	uint64_t ipa = 0x46000000ull;
	struct hw_fault f;
	kmm_pa_t pa, slot;

	slot = s2_map(&s, ipa, 3, S2_LEAF(FX_DATA + 0x1000) | DESC_TABLE);
	fx_map(s.fx, VA_X, 3, FX_PAGE(ipa));
	assert_true(fx_access(s.fx, 0, 1, HW_ACC_READ, VA_X, &pa, &f));
	assert_int_equal(pa, FX_DATA + 0x1000);
	fx_wr(s.fx, slot, S2_LEAF(FX_DATA + 0x2000) | DESC_TABLE);
	mmu_tlbi(&s.fx->hw, cpu, MMU_TLBI_IPAS2E1, ipa >> 12, false, NULL);
	assert_true(fx_access(s.fx, 0, 1, HW_ACC_READ, VA_X, &pa, &f));
	assert_int_equal(pa, FX_DATA + 0x1000); /* combined entry survives IPAS2E1 */
	mmu_tlbi(&s.fx->hw, cpu, MMU_TLBI_VMALLE1, 0, false, NULL);
	assert_true(fx_access(s.fx, 0, 1, HW_ACC_READ, VA_X, &pa, &f));
	assert_int_equal(pa, FX_DATA + 0x2000);
	fx_wr(s.fx, slot, S2_LEAF(FX_DATA + 0x3000) | DESC_TABLE);
	mmu_tlbi(&s.fx->hw, cpu, MMU_TLBI_VMALLE1, 0, false, NULL);
	assert_true(fx_access(s.fx, 0, 1, HW_ACC_READ, VA_X, &pa, &f));
	assert_int_equal(pa, FX_DATA + 0x2000); /* stage-2 entry survives VMALLE1 */
	mmu_tlbi(&s.fx->hw, cpu, MMU_TLBI_IPAS2E1, ipa >> 12, false, NULL);
	mmu_tlbi(&s.fx->hw, cpu, MMU_TLBI_VMALLE1, 0, false, NULL);
	assert_true(fx_access(s.fx, 0, 1, HW_ACC_READ, VA_X, &pa, &f));
	assert_int_equal(pa, FX_DATA + 0x3000);
	fx_free(s.fx);
}

/* Entries are tagged by VMID: another VMID does not hit them. */
static void test_mmu_s2_vmid_tagging(void **state)
{
	struct s2fx s = s2_new("max");
	struct hw_cpu *cpu = &s.fx->hw.cpus[0];
	kmm_pa_t slot = fx_map(s.fx, VA_X, 3, FX_PAGE(FX_DATA + 0x1000));
	struct hw_fault f;
	kmm_pa_t pa;

	assert_true(fx_access(s.fx, 0, 1, HW_ACC_READ, VA_X, &pa, &f));
	fx_wr(s.fx, slot, FX_PAGE(FX_DATA + 0x2000));
	fx_set(s.fx, 0, HW_REG_VTTBR_EL2, s.root | 6ull << VTTBR_VMID_SHIFT);
	assert_true(fx_access(s.fx, 0, 1, HW_ACC_READ, VA_X, &pa, &f));
	assert_int_equal(pa, FX_DATA + 0x2000);
	fx_set(s.fx, 0, HW_REG_VTTBR_EL2, s.root | 5ull << VTTBR_VMID_SHIFT);
	assert_true(fx_access(s.fx, 0, 1, HW_ACC_READ, VA_X, &pa, &f));
	assert_int_equal(pa, FX_DATA + 0x1000);
	(void)cpu;
	fx_free(s.fx);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_mmu_s2_translation_fault_and_hpfar),
		cmocka_unit_test(test_mmu_s2_ipa_beyond_t0sz_is_level0),
		cmocka_unit_test(test_mmu_s2_permission_af_address_size),
		cmocka_unit_test(test_mmu_s2_fault_on_stage1_walk),
		cmocka_unit_test(test_mmu_s2_ptw_device_tables),
		cmocka_unit_test(test_mmu_s2_xn_and_xnx),
		cmocka_unit_test(test_mmu_s2_hardware_updates),
		cmocka_unit_test(test_mmu_s2_ipas2e1_scope),
		cmocka_unit_test(test_mmu_s2_vmid_tagging),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
