/*
 * Stage-1 table walker: descriptor kinds, every fault kind at every level it can occur,
 * VA range selection, TBI, EPD, output address size, hardware AF and dirty-state updates,
 * contiguous entries, the MMU-off flat map, external aborts, page-crossing accesses, AT/PAR.
 *
 * Expected values: Arm ARM D8.2-D8.5 and D8.12 (rules cited per test).
 */
#include "mmu_fixture.h"

#define VA_PAGE 0x0000001234567000ull /* L0 0, L1 0x48, L2 0x1a2, L3 0x167 */

/* A 4KB page, a 2MiB block and a 1GiB block translate with their offsets (D8.3). */
static void test_mmu_walk_page_and_block_sizes(void **state)
{
	struct fx *fx = fx_new("max");
	struct hw_fault f;
	kmm_pa_t pa;

	fx_map(fx, VA_PAGE, 3, FX_PAGE(FX_DATA + 0x5000));
	fx_map(fx, 0x0000004000200000ull, 2, FX_BLOCK(FX_DATA + 0x200000));
	fx_map(fx, 0x0000008040000000ull, 1, FX_BLOCK(0x40000000ull));
	assert_true(fx_access(fx, 0, 1, HW_ACC_READ, VA_PAGE + 0x7f8, &pa, &f));
	assert_int_equal(pa, FX_DATA + 0x57f8);
	assert_true(fx_access(fx, 0, 1, HW_ACC_READ, 0x00000040002abcd8ull, &pa, &f));
	assert_int_equal(pa, FX_DATA + 0x2abcd8);
	assert_true(fx_access(fx, 0, 1, HW_ACC_READ, 0x0000008047654320ull, &pa, &f));
	assert_int_equal(pa, 0x47654320ull);
	fx_free(fx);
}

/* An invalid descriptor at level N is a Translation fault at level N (D8.3, D8.12). */
static void test_mmu_walk_translation_fault_each_level(void **state)
{
	for (unsigned level = 0; level <= 3; level++) {
		struct fx *fx = fx_new("max");
		struct hw_fault f;
		kmm_pa_t pa, slot;

		slot = fx_map(fx, VA_PAGE, 3, FX_PAGE(FX_DATA));
		/* Invalidate the descriptor used at @level. */
		if (level == 3) {
			fx_wr(fx, slot, 0);
		} else {
			kmm_pa_t table = fx->root0;
			for (unsigned l = 0; l < level; l++)
				table = fx_rd(fx, table + 8 * fx_idx(VA_PAGE, l)) & DESC_ADDR_MASK;
			fx_wr(fx, table + 8 * fx_idx(VA_PAGE, level), 0);
		}
		assert_false(fx_access(fx, 0, 1, HW_ACC_READ, VA_PAGE, &pa, &f));
		fx_expect_fault(&f, HW_FAULT_TRANSLATION, (int)level, 1);
		assert_int_equal(esr_fsc(&f), 0x04 + level);
		assert_int_equal(fx->hw.cpus[0].r.far_el1, VA_PAGE);
		assert_int_equal(fx->hw.cpus[0].r.esr_el1 >> 26, ESR_EC_DABT_CUR);
		fx_free(fx);
	}
}

/* Reserved encodings: a block at level 0 and 0b01 at level 3 (4KB granule, DS=0). */
static void test_mmu_walk_reserved_encodings_fault(void **state)
{
	struct fx *fx = fx_new("max");
	struct hw_fault f;
	kmm_pa_t pa, slot;

	fx_wr(fx, fx->root0 + 8, 0x0ull | DESC_VALID | DESC_AF); /* L0 block, VA 512 GiB */
	assert_false(fx_access(fx, 0, 1, HW_ACC_READ, 0x0000008000001000ull, &pa, &f));
	fx_expect_fault(&f, HW_FAULT_TRANSLATION, 0, 1);
	slot = fx_map(fx, VA_PAGE, 3, FX_PAGE(FX_DATA));
	fx_wr(fx, slot, FX_PAGE(FX_DATA) & ~DESC_TABLE); /* 0b01 at level 3 */
	assert_false(fx_access(fx, 0, 1, HW_ACC_READ, VA_PAGE, &pa, &f));
	fx_expect_fault(&f, HW_FAULT_TRANSLATION, 3, 1);
	fx_free(fx);
}

/* Address size faults: TTBR base (level 0), table address (level of that table
 * descriptor), output address (leaf level) above TCR_EL1.IPS (D8.2, D8.12). */
static void test_mmu_walk_address_size_each_level(void **state)
{
	const uint64_t big = 1ull << 40; /* beyond IPS = 40 bits */
	struct fx *fx = fx_new("max");
	struct hw_cpu *cpu = &fx->hw.cpus[0];
	struct hw_fault f;
	kmm_pa_t pa, slot;

	fx_set(fx, 0, HW_REG_TCR_EL1, (cpu->r.tcr_el1 & ~(7ull << 32)) | 2ull << 32);
	assert_int_equal(ptw_s1_pa_bits(cpu), 40);
	/* Leaf OA at levels 1, 2, 3. */
	fx_map(fx, 0x0000008040000000ull, 1, FX_BLOCK(big));
	assert_false(fx_access(fx, 0, 1, HW_ACC_READ, 0x0000008040000000ull, &pa, &f));
	fx_expect_fault(&f, HW_FAULT_ADDR_SIZE, 1, 1);
	fx_map(fx, 0x0000004000200000ull, 2, FX_BLOCK(big | 0x200000));
	assert_false(fx_access(fx, 0, 1, HW_ACC_READ, 0x0000004000200000ull, &pa, &f));
	fx_expect_fault(&f, HW_FAULT_ADDR_SIZE, 2, 1);
	slot = fx_map(fx, VA_PAGE, 3, FX_PAGE(big | 0x5000));
	assert_false(fx_access(fx, 0, 1, HW_ACC_READ, VA_PAGE, &pa, &f));
	fx_expect_fault(&f, HW_FAULT_ADDR_SIZE, 3, 1);
	assert_int_equal(esr_fsc(&f), 0x03);
	/* Next-level table address from the level-0 descriptor. */
	fx_wr(fx, fx->root0 + 8 * 2, big | DESC_VALID | DESC_TABLE);
	assert_false(fx_access(fx, 0, 1, HW_ACC_READ, 0x0000010000000000ull, &pa, &f));
	fx_expect_fault(&f, HW_FAULT_ADDR_SIZE, 0, 1);
	/* TTBR0 base. */
	fx_set(fx, 0, HW_REG_TTBR0_EL1, big | fx->root0);
	assert_false(fx_access(fx, 0, 1, HW_ACC_READ, VA_PAGE, &pa, &f));
	fx_expect_fault(&f, HW_FAULT_ADDR_SIZE, 0, 1);
	(void)slot;
	fx_free(fx);
}

/* VA ranges: TTBR0 below 2^(64-T0SZ), TTBR1 above 2^64 - 2^(64-T1SZ); the gap, EPDn and
 * tagged VAs without TBI are Translation faults at level 0 (D8.2.x). */
static void test_mmu_walk_va_range_tbi_epd(void **state)
{
	struct fx *fx = fx_new("max");
	struct hw_cpu *cpu = &fx->hw.cpus[0];
	uint64_t tcr = cpu->r.tcr_el1;
	struct hw_fault f;
	kmm_pa_t pa;

	fx_map(fx, VA_PAGE, 3, FX_PAGE(FX_DATA));
	fx_map(fx, 0xffff000000001000ull, 3, FX_PAGE(FX_DATA + 0x1000));
	assert_true(fx_access(fx, 0, 1, HW_ACC_READ, 0xffff000000001008ull, &pa, &f));
	assert_int_equal(pa, FX_DATA + 0x1008);
	assert_false(fx_access(fx, 0, 1, HW_ACC_READ, 0x0001000000000000ull, &pa, &f));
	fx_expect_fault(&f, HW_FAULT_TRANSLATION, 0, 1);
	assert_false(fx_access(fx, 0, 1, HW_ACC_READ, 0xfffe000000001000ull, &pa, &f));
	fx_expect_fault(&f, HW_FAULT_TRANSLATION, 0, 1);
	/* Tag without TBI0: out of range. With TBI0: the tag is ignored, FAR keeps it. */
	assert_false(fx_access(fx, 0, 1, HW_ACC_READ, 0x5a00000000000000ull | VA_PAGE, &pa, &f));
	fx_expect_fault(&f, HW_FAULT_TRANSLATION, 0, 1);
	assert_int_equal(cpu->r.far_el1, 0x5a00000000000000ull | VA_PAGE);
	fx_set(fx, 0, HW_REG_TCR_EL1, tcr | TCR_EL1_TBI0);
	assert_true(fx_access(fx, 0, 1, HW_ACC_READ, 0x5a00000000000000ull | VA_PAGE, &pa, &f));
	assert_int_equal(pa, FX_DATA);
	/* 39-bit TTBR0 (T0SZ = 25, start level 1). */
	fx_set(fx, 0, HW_REG_TCR_EL1, (tcr & ~0x3full) | 25);
	assert_false(fx_access(fx, 0, 1, HW_ACC_READ, 0x0000008000000000ull, &pa, &f));
	fx_expect_fault(&f, HW_FAULT_TRANSLATION, 0, 1);
	/* EPD0. */
	fx_set(fx, 0, HW_REG_TCR_EL1, tcr | TCR_EL1_EPD0);
	mmu_tlbi(&fx->hw, cpu, MMU_TLBI_VMALLE1, 0, false, NULL);
	assert_false(fx_access(fx, 0, 1, HW_ACC_READ, VA_PAGE, &pa, &f));
	fx_expect_fault(&f, HW_FAULT_TRANSLATION, 0, 1);
	fx_free(fx);
}

/* AF = 0 without TCR_EL1.HA: Access flag fault at the leaf level (1, 2, 3). */
static void test_mmu_walk_access_flag_fault_each_level(void **state)
{
	static const struct {
		uint64_t va;
		unsigned level;
		uint64_t leaf;
	} cases[] = {
		{0x0000008040000000ull, 1, FX_BLOCK(0x40000000ull) & ~DESC_AF},
		{0x0000004000200000ull, 2, FX_BLOCK(FX_DATA) & ~DESC_AF},
		{VA_PAGE, 3, FX_PAGE(FX_DATA) & ~DESC_AF},
	};
	struct fx *fx = fx_new("max");
	struct hw_fault f;
	kmm_pa_t pa;

	for (size_t i = 0; i < 3; i++) {
		fx_map(fx, cases[i].va, cases[i].level, cases[i].leaf);
		assert_false(fx_access(fx, 0, 0, HW_ACC_EXEC, cases[i].va, &pa, &f));
		fx_expect_fault(&f, HW_FAULT_ACCESS_FLAG, (int)cases[i].level, 1);
		assert_int_equal(fx->hw.cpus[0].r.esr_el1 >> 26, ESR_EC_IABT_LOW);
		assert_int_equal(fx->hw.cpus[0].r.esr_el1 & 0x3f, 0x08 + cases[i].level);
	}
	fx_free(fx);
}

/* Writes to read-only memory: Permission fault at the leaf level (1, 2, 3). */
static void test_mmu_walk_permission_fault_each_level(void **state)
{
	static const struct {
		uint64_t va;
		unsigned level;
		uint64_t leaf;
	} cases[] = {
		{0x0000008040000000ull, 1, FX_BLOCK(0x40000000ull) | FX_AP(2)},
		{0x0000004000200000ull, 2, FX_BLOCK(FX_DATA) | FX_AP(2)},
		{VA_PAGE, 3, FX_PAGE(FX_DATA) | FX_AP(2)},
	};
	struct fx *fx = fx_new("max");
	struct hw_fault f;
	kmm_pa_t pa;

	for (size_t i = 0; i < 3; i++) {
		fx_map(fx, cases[i].va, cases[i].level, cases[i].leaf);
		assert_true(fx_access(fx, 0, 1, HW_ACC_READ, cases[i].va, &pa, &f));
		assert_false(fx_access(fx, 0, 1, HW_ACC_WRITE, cases[i].va, &pa, &f));
		fx_expect_fault(&f, HW_FAULT_PERMISSION, (int)cases[i].level, 1);
		assert_true(fx->hw.cpus[0].r.esr_el1 & ESR_ISS_WNR);
	}
	fx_free(fx);
}

/* FEAT_HAFDBS: HA sets the AF instead of faulting; HD+DBM makes writable-clean memory
 * writable and clears AP[2] on a write (D8.5). cortex-a57 lacks the feature: HA is ignored. */
static void test_mmu_walk_hardware_af_and_dirty_update(void **state)
{
	struct fx *fx = fx_new("max");
	struct hw_cpu *cpu = &fx->hw.cpus[0];
	struct hw_fault f;
	kmm_pa_t pa, slot;
	uint64_t leaf = (FX_PAGE(FX_DATA) & ~DESC_AF) | FX_AP(2) | DESC_DBM;

	fx_set(fx, 0, HW_REG_TCR_EL1, cpu->r.tcr_el1 | TCR_EL1_HA | TCR_EL1_HD);
	slot = fx_map(fx, VA_PAGE, 3, leaf);
	assert_true(fx_access(fx, 0, 1, HW_ACC_READ, VA_PAGE, &pa, &f));
	assert_int_equal(fx_rd(fx, slot), leaf | DESC_AF);
	assert_int_equal(cpu->updates.n, 1);
	/* AT S1E1W: writable, but no dirty-state update (R_ZYGHJ). */
	assert_true(mmu_at(&fx->hw, cpu, MMU_AT_S1E1W, VA_PAGE, false, &f));
	assert_false(cpu->r.par_el1 & PAR_F);
	assert_int_equal(fx_rd(fx, slot), leaf | DESC_AF);
	assert_true(fx_access(fx, 0, 1, HW_ACC_WRITE, VA_PAGE, &pa, &f));
	assert_int_equal(fx_rd(fx, slot), (leaf | DESC_AF) & ~DESC_AP2);
	fx_free(fx);

	fx = fx_new("cortex-a57");
	cpu = &fx->hw.cpus[0];
	fx_set(fx, 0, HW_REG_TCR_EL1, cpu->r.tcr_el1 | TCR_EL1_HA | TCR_EL1_HD);
	slot = fx_map(fx, VA_PAGE, 3, leaf);
	assert_false(fx_access(fx, 0, 1, HW_ACC_READ, VA_PAGE, &pa, &f));
	fx_expect_fault(&f, HW_FAULT_ACCESS_FLAG, 3, 1);
	assert_int_equal(fx_rd(fx, slot), leaf);
	fx_free(fx);
}

/* No AF update when the access takes a Permission fault (the oracle's R_QSPMS choice). */
static void test_mmu_walk_no_af_update_on_permission_fault(void **state)
{
	struct fx *fx = fx_new("max");
	struct hw_cpu *cpu = &fx->hw.cpus[0];
	uint64_t leaf = (FX_PAGE(FX_DATA) & ~DESC_AF) | FX_AP(2);
	struct hw_fault f;
	kmm_pa_t pa, slot;

	fx_set(fx, 0, HW_REG_TCR_EL1, cpu->r.tcr_el1 | TCR_EL1_HA);
	slot = fx_map(fx, VA_PAGE, 3, leaf);
	assert_false(fx_access(fx, 0, 1, HW_ACC_WRITE, VA_PAGE, &pa, &f));
	fx_expect_fault(&f, HW_FAULT_PERMISSION, 3, 1);
	assert_int_equal(fx_rd(fx, slot), leaf);
	fx_free(fx);
}

/* A walk that reads a PA with no RAM: synchronous external abort on the walk at the level
 * of the read (FSC 0b0101LL); an access to such a PA: synchronous external abort (0x10). */
static void test_mmu_walk_external_aborts(void **state)
{
	struct fx *fx = fx_new("max");
	struct hw_cpu *cpu = &fx->hw.cpus[0];
	uint64_t val = 0x1122334455667788ull, old;
	struct hw_fault f;
	kmm_pa_t pa;

	fx_wr(fx, fx->root0 + 8 * 3, 0x80000000ull | DESC_VALID | DESC_TABLE);
	assert_false(fx_access(fx, 0, 1, HW_ACC_READ, 0x0000018000000000ull, &pa, &f));
	fx_expect_fault(&f, HW_FAULT_SEA_WALK, 1, 1);
	assert_int_equal(cpu->r.esr_el1 & 0x3f, 0x15);
	fx_map(fx, VA_PAGE, 3, FX_PAGE(0x80000000ull));
	assert_false(mmu_access(&fx->hw, cpu, HW_ACC_WRITE, VA_PAGE, &val, 8, &pa, &f));
	assert_int_equal(f.type, HW_FAULT_SEA);
	assert_int_equal(f.stage, 0);
	assert_int_equal(cpu->r.esr_el1,
			 (uint64_t)ESR_EC_DABT_CUR << 26 | ESR_IL | ESR_ISS_WNR | 0x10);
	/* AT reports an external abort on the walk as an exception, not in PAR. */
	old = cpu->r.par_el1;
	assert_false(mmu_at(&fx->hw, cpu, MMU_AT_S1E1R, 0x0000018000000000ull, false, &f));
	assert_int_equal(cpu->r.par_el1, old);
	assert_true(cpu->r.esr_el1 & ESR_ISS_CM);
	fx_free(fx);
}

/* Contiguous hint: one TLB entry covers the 16-page run (64 KiB). */
static void test_mmu_walk_contiguous_run_is_one_entry(void **state)
{
	struct fx *fx = fx_new("max");
	struct hw_cpu *cpu = &fx->hw.cpus[0];
	uint64_t base = 0x0000002000000000ull;
	struct hw_fault f;
	kmm_pa_t pa;
	uint64_t walks;

	for (unsigned i = 0; i < 16; i++)
		fx_map(fx, base + i * 4096ull, 3,
		       FX_PAGE(FX_DATA + 0x10000 + i * 4096ull) | DESC_CONT);
	assert_true(fx_access(fx, 0, 1, HW_ACC_READ, base + 0x3008, &pa, &f));
	assert_int_equal(pa, FX_DATA + 0x13008);
	walks = cpu->walks;
	for (unsigned i = 0; i < 16; i++) {
		assert_true(fx_access(fx, 0, 1, HW_ACC_READ, base + i * 4096ull + 8, &pa, &f));
		assert_int_equal(pa, FX_DATA + 0x10000 + i * 4096ull + 8);
	}
	assert_int_equal(cpu->walks, walks);
	fx_free(fx);
}

/* SCTLR_EL1.M = 0: VA = PA; a VA beyond the implemented PA size is an Address size fault
 * at level 0 (AArch64.S1DisabledOutput). */
static void test_mmu_walk_mmu_off_flat(void **state)
{
	struct fx *fx = fx_new("cortex-a57"); /* PARange 44 bits */
	struct hw_fault f;
	kmm_pa_t pa;

	fx_set(fx, 0, HW_REG_SCTLR_EL1, 0);
	assert_true(fx_access(fx, 0, 1, HW_ACC_READ, FX_DATA + 0x18, &pa, &f));
	assert_int_equal(pa, FX_DATA + 0x18);
	assert_false(fx_access(fx, 0, 1, HW_ACC_READ, 1ull << 44, &pa, &f));
	fx_expect_fault(&f, HW_FAULT_ADDR_SIZE, 0, 1);
	fx_free(fx);
}

/* A page-crossing access translates both pages before moving a byte. */
static void test_mmu_walk_page_crossing_access(void **state)
{
	struct fx *fx = fx_new("max");
	struct hw_cpu *cpu = &fx->hw.cpus[0];
	uint64_t in = 0x0102030405060708ull, out = 0;
	struct hw_fault f;
	kmm_pa_t pa;

	fx_map(fx, VA_PAGE, 3, FX_PAGE(FX_DATA + 0x7000));
	assert_false(mmu_access(&fx->hw, cpu, HW_ACC_WRITE, VA_PAGE + 0xffc, &in, 8, &pa, &f));
	fx_expect_fault(&f, HW_FAULT_TRANSLATION, 3, 1);
	assert_int_equal(cpu->r.far_el1, VA_PAGE + 0x1000);
	assert_int_equal(fx_rd(fx, FX_DATA + 0x7ff8), 0);
	fx_map(fx, VA_PAGE + 0x1000, 3, FX_PAGE(FX_DATA + 0x3000));
	assert_true(mmu_access(&fx->hw, cpu, HW_ACC_WRITE, VA_PAGE + 0xffc, &in, 8, &pa, &f));
	assert_true(mmu_access(&fx->hw, cpu, HW_ACC_READ, VA_PAGE + 0xffc, &out, 8, &pa, &f));
	assert_int_equal(out, in);
	assert_int_equal(fx_rd(fx, FX_DATA + 0x7ff8) >> 32, 0x05060708);
	assert_int_equal(fx_rd(fx, FX_DATA + 0x3000) & 0xffffffff, 0x01020304);
	fx_free(fx);
}

/* An access over many pages (more than one group of eight) moves every byte through the
 * right page's translation. */
static void test_mmu_walk_long_access(void **state)
{
	struct fx *fx = fx_new("max");
	struct hw_cpu *cpu = &fx->hw.cpus[0];
	static uint8_t in[12 * 4096], out[12 * 4096];
	struct hw_fault f;
	kmm_pa_t pa;

	for (unsigned i = 0; i < 12; i++) /* pages mapped in reverse PA order */
		fx_map(fx, VA_PAGE + i * 4096ull, 3, FX_PAGE(FX_DATA + (11 - i) * 4096ull));
	for (size_t i = 0; i < sizeof(in); i++)
		in[i] = (uint8_t)(i * 7 + 3);
	assert_true(
		mmu_access(&fx->hw, cpu, HW_ACC_WRITE, VA_PAGE + 100, in, 10 * 4096 + 5, &pa, &f));
	assert_int_equal(pa, FX_DATA + 11 * 4096ull + 100);
	assert_true(
		mmu_access(&fx->hw, cpu, HW_ACC_READ, VA_PAGE + 100, out, 10 * 4096 + 5, &pa, &f));
	assert_memory_equal(in, out, 10 * 4096 + 5);
	assert_int_equal(fx_rd(fx, FX_DATA + 10 * 4096ull) & 0xff, in[4096 - 100]);
	fx_free(fx);
}

/* PAR_EL1: success (PA[47:12], ATTR, SH, NS, bit 11 RES1); SH=0b10 for Device and Normal
 * NC; fault (F, FST, S, PTW). */
static void test_mmu_walk_at_par_formats(void **state)
{
	struct fx *fx = fx_new("max");
	struct hw_cpu *cpu = &fx->hw.cpus[0];
	struct hw_fault f;

	fx_map(fx, VA_PAGE, 3, FX_PAGE(FX_DATA + 0x9000));
	fx_map(fx, VA_PAGE + 0x1000, 3, FX_PAGE(FX_DATA) | 1ull << DESC_ATTRINDX_SHIFT);
	fx_map(fx, VA_PAGE + 0x2000, 3, FX_PAGE(FX_DATA) | 2ull << DESC_ATTRINDX_SHIFT);
	assert_true(mmu_at(&fx->hw, cpu, MMU_AT_S1E1R, VA_PAGE + 0x123, false, &f));
	assert_int_equal(cpu->r.par_el1,
			 0xff00000000000000ull | (FX_DATA + 0x9000) | 0x800 | PAR_NS | 3ull << 7);
	assert_true(mmu_at(&fx->hw, cpu, MMU_AT_S1E1R, VA_PAGE + 0x1000, false, &f));
	assert_int_equal((cpu->r.par_el1 >> 7) & 3, 2);
	assert_int_equal(cpu->r.par_el1 >> 56, 0x00);
	assert_true(mmu_at(&fx->hw, cpu, MMU_AT_S1E1R, VA_PAGE + 0x2000, false, &f));
	assert_int_equal((cpu->r.par_el1 >> 7) & 3, 2);
	assert_int_equal(cpu->r.par_el1 >> 56, 0x44);
	/* EL0 has no access (AP=00): Permission fault level 3 -> F=1, FST=0x0f. */
	assert_true(mmu_at(&fx->hw, cpu, MMU_AT_S1E0R, VA_PAGE, false, &f));
	assert_int_equal(cpu->r.par_el1, 0x800 | 0x0f << 1 | PAR_F);
	fx_free(fx);
}

/* Only the 4KB granule is modelled: TG0 = 16KB/64KB is refused, register unchanged. */
static void test_mmu_walk_other_granules_refused(void **state)
{
	struct fx *fx = fx_new("max");
	struct hw_cpu *cpu = &fx->hw.cpus[0];
	uint64_t tcr = cpu->r.tcr_el1;

	assert_false(hw_cpu_set_reg(&fx->hw, cpu, HW_REG_TCR_EL1, tcr | 1ull << TCR_EL1_TG0_SHIFT));
	assert_non_null(strstr(fx->env.last_error, "4KB"));
	assert_int_equal(cpu->r.tcr_el1, tcr);
	assert_false(
		hw_cpu_set_reg(&fx->hw, cpu, HW_REG_TCR_EL1, tcr & ~(3ull << TCR_EL1_TG1_SHIFT)));
	assert_false(hw_cpu_set_reg(&fx->hw, cpu, HW_REG_VTCR_EL2, 2ull << VTCR_EL2_TG0_SHIFT));
	fx_free(fx);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_mmu_walk_page_and_block_sizes),
		cmocka_unit_test(test_mmu_walk_translation_fault_each_level),
		cmocka_unit_test(test_mmu_walk_reserved_encodings_fault),
		cmocka_unit_test(test_mmu_walk_address_size_each_level),
		cmocka_unit_test(test_mmu_walk_va_range_tbi_epd),
		cmocka_unit_test(test_mmu_walk_access_flag_fault_each_level),
		cmocka_unit_test(test_mmu_walk_permission_fault_each_level),
		cmocka_unit_test(test_mmu_walk_hardware_af_and_dirty_update),
		cmocka_unit_test(test_mmu_walk_no_af_update_on_permission_fault),
		cmocka_unit_test(test_mmu_walk_external_aborts),
		cmocka_unit_test(test_mmu_walk_contiguous_run_is_one_entry),
		cmocka_unit_test(test_mmu_walk_mmu_off_flat),
		cmocka_unit_test(test_mmu_walk_page_crossing_access),
		cmocka_unit_test(test_mmu_walk_long_access),
		cmocka_unit_test(test_mmu_walk_at_par_formats),
		cmocka_unit_test(test_mmu_walk_other_granules_refused),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
