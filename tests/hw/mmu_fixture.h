/*
 * Fixture for the MMU unit tests: the hardware alone (RAM 0x4000_0000..0x4800_0000, two
 * CPUs, no kernel), a bump allocator for translation tables at 0x4200_0000, and a helper that
 * builds 4KB-granule tables the way the Arm ARM lays them out:
 *
 *   VA[47:39] -> L0 table   VA[38:30] -> L1   VA[29:21] -> L2   VA[20:12] -> L3   VA[11:0]
 *
 * Expected values in the tests come from the Arm ARM rules (cited at each test), never from
 * running the model.
 */
#ifndef KMM_TESTS_MMU_FIXTURE_H
#define KMM_TESTS_MMU_FIXTURE_H

#include "kmm_test.h"

#include "hw/cpu.h"
#include "hw/esr.h"
#include "hw/mmu.h"
#include "hw/mmu_defs.h"
#include "lib/env.h"

#define FX_RAM_BASE 0x40000000ull
#define FX_RAM_SIZE 0x08000000ull
#define FX_TABLES   0x42000000ull
#define FX_DATA	    0x44000000ull

/* Leaf attributes: AttrIndx 0 = Normal WB (MAIR 0xff), 1 = Device-nGnRnE, 2 = Normal NC. */
#define FX_MAIR	     (0x440000ull | 0xffull)
#define FX_SH_IS     (3ull << DESC_SH_SHIFT)
#define FX_AP(ap)    ((uint64_t)(ap) << 6) /* AP[2:1] */
#define FX_PAGE(pa)  ((pa) | DESC_VALID | DESC_TABLE | DESC_AF | FX_SH_IS)
#define FX_BLOCK(pa) ((pa) | DESC_VALID | DESC_AF | FX_SH_IS)

struct fx {
	struct kmm_env env;
	struct kmm_hw hw;
	kmm_pa_t next_table;
	kmm_pa_t root0, root1; /* TTBR0/TTBR1 L0 tables */
};

static inline kmm_pa_t fx_table(struct fx *fx)
{
	kmm_pa_t pa = fx->next_table;
	uint8_t zero[4096] = {0};

	fx->next_table += 4096;
	assert_true(phys_write(&fx->hw.phys, pa, zero, sizeof(zero)));
	return pa;
}

static inline uint64_t fx_rd(struct fx *fx, kmm_pa_t pa)
{
	uint64_t v = 0;

	assert_true(phys_read64(&fx->hw.phys, pa, &v));
	return v;
}

static inline void fx_wr(struct fx *fx, kmm_pa_t pa, uint64_t v)
{
	assert_true(phys_write64(&fx->hw.phys, pa, v));
}

static inline void fx_set(struct fx *fx, unsigned cpu, enum hw_sysreg reg, uint64_t v)
{
	assert_true(hw_cpu_set_reg(&fx->hw, &fx->hw.cpus[cpu], reg, v));
}

/* 48-bit VAs on both halves, IPS 48 bits, 4KB granules, MMU on; ASID 1 in TTBR0. */
static inline void fx_regs(struct fx *fx, unsigned cpu)
{
	fx_set(fx, cpu, HW_REG_MAIR_EL1, FX_MAIR);
	fx_set(fx, cpu, HW_REG_TCR_EL1,
	       16ull | 16ull << TCR_EL1_T1SZ_SHIFT | (uint64_t)TCR_TG1_4K << TCR_EL1_TG1_SHIFT |
		       5ull << TCR_EL1_IPS_SHIFT | TCR_EL1_AS);
	fx_set(fx, cpu, HW_REG_TTBR0_EL1, fx->root0 | 1ull << TTBR_ASID_SHIFT);
	fx_set(fx, cpu, HW_REG_TTBR1_EL1, fx->root1);
	fx_set(fx, cpu, HW_REG_SCTLR_EL1, SCTLR_EL1_M | SCTLR_EL1_C | SCTLR_EL1_I);
}

static inline struct fx *fx_new(const char *model)
{
	struct fx *fx = calloc(1, sizeof(*fx));
	struct kmm_config cfg;
	char err[256];

	assert_non_null(fx);
	kmm_config_init(&cfg);
	cfg.nr_cpus = 2;
	cfg.nr_mmio = 0;
	assert_int_equal(kmm_config_add_bank(&cfg, FX_RAM_BASE, FX_RAM_SIZE), KMM_OK);
	assert_true(env_init(&fx->env, &cfg, err, sizeof(err)));
	assert_true(hw_init(&fx->hw, &fx->env, &cfg));
	assert_true(hw_cpus_set_model(&fx->hw, model));
	fx->next_table = FX_TABLES;
	fx->root0 = fx_table(fx);
	fx->root1 = fx_table(fx);
	for (unsigned c = 0; c < fx->hw.nr_cpus; c++)
		fx_regs(fx, c);
	return fx;
}

static inline void fx_free(struct fx *fx)
{
	char why[256];

	if (!hw_check(&fx->hw, why, sizeof(why)))
		fail_msg("hw_check: %s", why);
	hw_fini(&fx->hw);
	env_fini(&fx->env);
	free(fx);
}

/* Index of @va in a table of level @level (4KB granule). */
static inline unsigned fx_idx(uint64_t va, unsigned level)
{
	return (unsigned)((va >> (12 + 9 * (3 - level))) & 0x1ff);
}

/*
 * Installs @leaf for @va at @leaf_level under @root (a level-@start table), creating the
 * missing intermediate tables with table descriptors | @table_bits. Returns the PA of the
 * leaf descriptor.
 */
static inline kmm_pa_t fx_map_at(struct fx *fx, kmm_pa_t root, unsigned start, uint64_t va,
				 unsigned leaf_level, uint64_t leaf, uint64_t table_bits)
{
	kmm_pa_t table = root;

	for (unsigned l = start; l < leaf_level; l++) {
		kmm_pa_t slot = table + 8 * fx_idx(va, l);
		uint64_t d = fx_rd(fx, slot);
		if (!(d & DESC_VALID)) {
			d = fx_table(fx) | DESC_VALID | DESC_TABLE | table_bits;
			fx_wr(fx, slot, d);
		}
		table = d & DESC_ADDR_MASK;
	}
	fx_wr(fx, table + 8 * fx_idx(va, leaf_level), leaf);
	return table + 8 * fx_idx(va, leaf_level);
}

/* Maps @va in TTBR0 (or TTBR1 for upper-half VAs) with a 48-bit VA (start level 0). */
static inline kmm_pa_t fx_map(struct fx *fx, uint64_t va, unsigned leaf_level, uint64_t leaf)
{
	return fx_map_at(fx, (va >> 55) & 1 ? fx->root1 : fx->root0, 0, va, leaf_level, leaf, 0);
}

/* A data/instruction access of 8 bytes by @cpu at @el; returns true on success. */
static inline bool fx_access(struct fx *fx, unsigned cpu, unsigned el, enum hw_acc acc, uint64_t va,
			     kmm_pa_t *pa, struct hw_fault *f)
{
	struct hw_cpu *c = &fx->hw.cpus[cpu];
	uint64_t buf = 0;
	bool ok;

	c->r.el = (uint8_t)el;
	ok = mmu_access(&fx->hw, c, acc, va, &buf, 8, pa, f);
	c->r.el = 1;
	return ok;
}

/* Expects a fault of @type at @level and @stage. */
static inline void fx_expect_fault(const struct hw_fault *f, enum hw_fault_type type, int level,
				   unsigned stage)
{
	if (f->type != type || f->level != level || f->stage != stage)
		fail_msg("expected %s fault level %d stage %u, got %s level %d stage %u",
			 esr_fault_name(type), level, stage, esr_fault_name(f->type), f->level,
			 f->stage);
}

#endif /* KMM_TESTS_MMU_FIXTURE_H */
