/*
 * The pure syndrome encoders (esr.c) on their own, and the public MMU API's argument checks.
 *
 * Expected encodings: Arm ARM D17.2.37 ESR_EL1 / ESR_EL2 (EC 0x20/0x21/0x24/0x25, IL bit 25,
 * ISS: DFSC/IFSC [5:0], WnR [6], S1PTW [7], CM [8]), HPFAR_EL2 (FIPA = IPA[47:12] at
 * [43:4]), PAR_EL1 (F [0], FST [6:1], PTW [8], S [9], bit 11 RES1; SH [8:7], NS [9],
 * PA [47:12], ATTR [63:56]), fault status codes (D8.12).
 */
#include "mmu_fixture.h"

static struct hw_fault mkfault(enum hw_fault_type t, int level, unsigned stage, enum hw_acc acc,
			       unsigned el)
{
	return (struct hw_fault){.type = t,
				 .level = (int8_t)level,
				 .stage = (uint8_t)stage,
				 .acc = acc,
				 .el = (uint8_t)el,
				 .va = 0xffff800012345678ull,
				 .ipa = 0x0000001234567abcull};
}

static void test_mmu_esr_fault_status_codes(void **state)
{
	for (int l = 0; l <= 3; l++) {
		struct hw_fault f = mkfault(HW_FAULT_ADDR_SIZE, l, 1, HW_ACC_READ, 1);
		assert_int_equal(esr_fsc(&f), 0x00 + l);
		f.type = HW_FAULT_TRANSLATION;
		assert_int_equal(esr_fsc(&f), 0x04 + l);
		f.type = HW_FAULT_ACCESS_FLAG;
		assert_int_equal(esr_fsc(&f), 0x08 + l);
		f.type = HW_FAULT_PERMISSION;
		assert_int_equal(esr_fsc(&f), 0x0c + l);
		f.type = HW_FAULT_SEA_WALK;
		assert_int_equal(esr_fsc(&f), 0x14 + l);
	}
	struct hw_fault sea = mkfault(HW_FAULT_SEA, -1, 0, HW_ACC_READ, 0);
	struct hw_fault conflict = mkfault(HW_FAULT_TLB_CONFLICT, -1, 1, HW_ACC_READ, 0);
	assert_int_equal(esr_fsc(&sea), 0x10);
	assert_int_equal(esr_fsc(&conflict), 0x30);
}

static void test_mmu_esr_ec_and_routing(void **state)
{
	static const struct {
		enum hw_acc acc;
		unsigned el, stage, ec, target;
	} cases[] = {
		{HW_ACC_READ, 0, 1, 0x24, 1},  {HW_ACC_READ, 1, 1, 0x25, 1},
		{HW_ACC_WRITE, 0, 1, 0x24, 1}, {HW_ACC_EXEC, 0, 1, 0x20, 1},
		{HW_ACC_EXEC, 1, 1, 0x21, 1},  {HW_ACC_READ, 1, 2, 0x24, 2},
		{HW_ACC_READ, 0, 2, 0x24, 2},  {HW_ACC_EXEC, 1, 2, 0x20, 2},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct hw_fault f =
			mkfault(HW_FAULT_PERMISSION, 3, cases[i].stage, cases[i].acc, cases[i].el);
		struct esr_syndrome s;

		esr_encode(&f, &s);
		assert_int_equal(s.esr >> 26, cases[i].ec);
		assert_int_equal(s.target_el, cases[i].target);
		assert_true(s.esr & ESR_IL);
		assert_int_equal(s.esr & 0x3f, 0x0f);
		assert_int_equal(s.far, 0xffff800012345678ull);
		assert_int_equal((s.esr & ESR_ISS_WNR) != 0, cases[i].acc == HW_ACC_WRITE);
		assert_int_equal(s.hpfar, cases[i].stage == 2 ? 0x12345670ull : 0);
	}
}

static void test_mmu_esr_s1ptw_and_cm(void **state)
{
	struct hw_fault f = mkfault(HW_FAULT_TRANSLATION, 2, 2, HW_ACC_READ, 1);
	struct esr_syndrome s;

	f.s1ptw = true;
	esr_encode(&f, &s);
	assert_int_equal(s.esr, 0x24ull << 26 | ESR_IL | ESR_ISS_S1PTW | 0x06);
	/* AT executed at EL2 hitting an external abort on the walk: data abort from the same
	 * EL (EL2), CM = 1, WnR = 1. */
	f = mkfault(HW_FAULT_SEA_WALK, 1, 1, HW_ACC_READ, 0);
	f.cm = true;
	f.at_el2 = true;
	esr_encode(&f, &s);
	assert_int_equal(s.target_el, 2);
	assert_int_equal(s.esr, 0x25ull << 26 | ESR_IL | ESR_ISS_CM | ESR_ISS_WNR | 0x15);
	assert_true(esr_at_is_exception(&f));
	f = mkfault(HW_FAULT_PERMISSION, 3, 1, HW_ACC_WRITE, 0);
	f.cm = true;
	assert_false(esr_at_is_exception(&f));
}

static void test_mmu_esr_par_formats(void **state)
{
	struct hw_fault f = mkfault(HW_FAULT_ACCESS_FLAG, 2, 2, HW_ACC_READ, 1);
	struct ptw_result r = {.pa = 0x0000123456789abcull, .attr = 0x44, .sh = 2};

	f.s1ptw = true;
	assert_int_equal(esr_par_fault(&f), 0x800 | PAR_S | PAR_PTW | 0x0a << 1 | PAR_F);
	assert_int_equal(esr_par_ok(&r), 0x4400123456789000ull | 0x800 | PAR_NS | 2 << 7);
}

/* Public API: bad arguments are KMM_EINVAL with a reason, and change nothing. */
static void test_mmu_api_rejects_bad_arguments(void **state)
{
	struct kmm_config cfg;
	struct kmm_machine *m;
	struct kmm_tlb_geometry geo;
	uint64_t v = 0, par;
	char buf[8];

	kmm_config_init(&cfg);
	assert_int_equal(kmm_config_set_ram(&cfg, 256ull << 20), KMM_OK);
	cfg.nr_cpus = 2;
	m = test_machine(&cfg);
	assert_einval_mentions(kmm_mmu_set_reg(m, 7, KMM_REG_TCR_EL1, 0), kmm_last_error(m),
			       "CPU 7");
	assert_int_equal(kmm_mmu_get_reg(m, 0, KMM_REG_TCR_EL1, &v), KMM_OK);
	assert_einval_mentions(kmm_mmu_set_reg(m, 0, KMM_REG_TCR_EL1, 1ull << 14),
			       kmm_last_error(m), "4KB");
	assert_einval_mentions(kmm_mmu_set_reg(m, 0, KMM_REG_VTCR_EL2, 1ull << 14),
			       kmm_last_error(m), "4KB");
	assert_einval_mentions(kmm_mmu_set_reg(m, 0, KMM_REG_PAN, 2), kmm_last_error(m), "PAN");
	assert_einval_mentions(kmm_cpu_access(m, 0, KMM_ACCESS_LOAD, 0, buf, 0, NULL),
			       kmm_last_error(m), "size");
	assert_einval_mentions(kmm_at(m, 0, KMM_AT_COUNT, 0, &par, NULL), kmm_last_error(m), "AT");
	assert_einval_mentions(kmm_tlbi_by_name(m, 0, "VAE9", 0), kmm_last_error(m), "VAE9");
	assert_einval_mentions(kmm_tlbi(m, 0, KMM_TLBI_RVAE1, 0), kmm_last_error(m), "TG");
	assert_int_equal(kmm_tlbi_by_name(m, 1, "VMALLE1IS", 0), KMM_OK);
	assert_einval_mentions(kmm_mmu_set_cpu_model(m, "cortex-x9"), kmm_last_error(m),
			       "cortex-x9");
	kmm_tlb_geometry_default(&geo);
	geo.l2_ways = 0;
	assert_einval_mentions(kmm_tlb_set_geometry(m, &geo), kmm_last_error(m), "l2_ways");
	assert_int_equal(kmm_mmu_get_reg(m, 0, KMM_REG_TCR_EL1, &par), KMM_OK);
	assert_int_equal(par, v);
	test_machine_done(m);
}

/* Public API end to end: MMU off (flat), then a fault's syndrome through kmm_cpu_access. */
static void test_mmu_api_access_and_fault(void **state)
{
	struct kmm_config cfg;
	struct kmm_machine *m;
	struct kmm_mmu_fault f;
	struct kmm_tlb_stats st;
	uint64_t in = 0x1122334455667788ull, out = 0, par = 0;
	const kmm_pa_t pa = 0x44000000ull; /* a free page (the top holds page tables) */

	kmm_config_init(&cfg);
	assert_int_equal(kmm_config_set_ram(&cfg, 256ull << 20), KMM_OK);
	m = test_machine(&cfg);
	/* the booted kernel runs with the MMU on; this test wants the flat MMU-off path */
	assert_int_equal(kmm_mmu_set_reg(m, 0, KMM_REG_SCTLR_EL1, 0), KMM_OK);
	assert_int_equal(kmm_cpu_access(m, 0, KMM_ACCESS_STORE, pa, &in, 8, &f), KMM_OK);
	assert_int_equal(kmm_phys_read(m, pa, &out, 8), KMM_OK);
	assert_int_equal(out, in);
	assert_int_equal(kmm_cpu_access(m, 0, KMM_ACCESS_LOAD, 0x80000000ull, &out, 8, &f),
			 KMM_EFAULT);
	assert_string_equal(f.kind, "sync_external");
	assert_int_equal(f.esr, 0x25ull << 26 | 1ull << 25 | 0x10);
	assert_int_equal(f.far, 0x80000000ull);
	assert_int_equal(kmm_at(m, 0, KMM_AT_S1E1R, pa + 0x123, &par, NULL), KMM_OK);
	assert_int_equal(par & 0xfffffffff000ull, pa);
	assert_int_equal(kmm_tlb_stats(m, 0, &st), KMM_OK);
	assert_true(st.walks >= 1);
	test_machine_done(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_mmu_esr_fault_status_codes),
		cmocka_unit_test(test_mmu_esr_ec_and_routing),
		cmocka_unit_test(test_mmu_esr_s1ptw_and_cm),
		cmocka_unit_test(test_mmu_esr_par_formats),
		cmocka_unit_test(test_mmu_api_rejects_bad_arguments),
		cmocka_unit_test(test_mmu_api_access_and_fault),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
