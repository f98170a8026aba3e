/*
 * One simulated CPU: its identity, its feature set (the CPU model), the architectural system
 * registers the EL1&0 and stage-2 translation regimes depend on, its TLB hierarchy and its
 * counters.
 *
 * Spec: Arm ARM D17 (SCTLR_EL1, TCR_EL1, TTBR0/1_EL1, MAIR_EL1, HCR_EL2, VTCR_EL2,
 * VTTBR_EL2, ESR_ELx, FAR_ELx, HPFAR_EL2, PAR_EL1), D8.16 (TLB maintenance).
 *
 * Fields are grouped by who changes them:
 *  - constant after power-on: id, feat, tlb geometry;
 *  - written by the "kernel" (register writes through hw_cpu_set_reg / kmm_mmu_set_reg);
 *  - written by the hardware on an exception or AT: esr/far/hpfar/par;
 *  - statistics.
 *
 * Invariants (hw_cpus_check):
 *  1. cpus[i].id == i.
 *  2. TCR_EL1.TG0/TG1 always encode the 4KB granule (other granules are refused on write).
 *  3. Every valid TLB entry's size is one the walker can produce (4K..16G) and its VA tag is
 *     aligned to that size.
 *  4. The stage-1 permission table (s1_perm) gives what the permission rules give for the
 *     current TCR_EL1.HD and SCTLR_EL1.WXN (ptw_check).
 */
#ifndef KMM_HW_CPU_H
#define KMM_HW_CPU_H

#include "hw/hw.h"
#include "hw/tlb.h"

/* Stage-1 leaf permission inputs: AP[2:1], PXN, UXN, DBM and 4 hierarchical bits (ptw.c). */
#define PTW_PERM_ENTRIES 512

/* CPU model features that change translation (ID_AA64MMFR0/1/2_EL1). */
struct hw_cpu_features {
	const char *name; /* "cortex-a57", "max" */
	uint64_t midr, mmfr0, mmfr1, mmfr2, pfr0;
	uint64_t isar0;	      /* ID_AA64ISAR0_EL1: only its TLB field (FEAT_TLBIRANGE) is used */
	uint8_t parange_bits; /* ID_AA64MMFR0_EL1.PARange decoded */
	bool hafdbs;	      /* FEAT_HAFDBS: TCR.HA/HD, VTCR.HA/HD */
	bool hpds;	      /* FEAT_HPDS: TCR.HPD0/1 */
	bool xnx;	      /* FEAT_XNX: stage-2 XN[1:0] */
	bool ttst;	      /* FEAT_TTST: TxSZ up to 48 (16-bit VA) */
};

/* The CPU models the MMU knows; NULL for an unknown name. */
const struct hw_cpu_features *hw_cpu_model(const char *name);

/* ID register fields the kernel reads (Arm ARM D17.2). */
#define ID_AA64MMFR0_ASIDBITS_SHIFT 4  /* 0b0000: 8 bits, 0b0010: 16 bits */
#define ID_AA64MMFR2_CNP_SHIFT	    0  /* FEAT_TTCNP */
#define ID_AA64MMFR2_TTL_SHIFT	    48 /* FEAT_TTL: TLBI level hints */
#define ID_AA64ISAR0_TLB_SHIFT	    56 /* 0b0010: FEAT_TLBIOS and FEAT_TLBIRANGE */

/* Architectural system registers of one CPU (raw values, as software wrote them). */
struct hw_sysregs {
	uint64_t sctlr_el1, tcr_el1, ttbr0_el1, ttbr1_el1, mair_el1;
	uint64_t hcr_el2, vtcr_el2, vttbr_el2;
	/* Written by the hardware. */
	uint64_t esr_el1, far_el1, esr_el2, far_el2, hpfar_el2, par_el1;
	uint8_t pan; /* PSTATE.PAN */
	uint8_t el;  /* current exception level: 0 or 1 */
};

/* Descriptor words changed by hardware updates during the last operation (replay, tests). */
#define HW_UPDATE_LOG 8
struct hw_update {
	kmm_pa_t pa;
	uint64_t old, new_;
};

struct hw_update_log {
	uint32_t n; /* may exceed HW_UPDATE_LOG: then only the first entries are kept */
	struct hw_update e[HW_UPDATE_LOG];
};

/* What an exception wrote to software's view (esr_encode() fills it from a struct hw_fault). */
struct esr_syndrome {
	uint64_t esr;
	uint64_t far;
	uint64_t hpfar;	   /* valid when target_el == 2 and the fault is a stage-2 fault */
	uint8_t target_el; /* 1 or 2 */
};

/* Stage-1 parameters of one VA half (TTBR0 or TTBR1), derived from the registers. */
struct hw_s1_half {
	uint64_t topmask; /* VA bits that must all equal VA[55] (TBI excluded) */
	uint64_t topval;  /* what those bits must be: topmask in the upper half, else 0 */
	uint64_t topidx;  /* index mask of the start level (at most 9 bits at stage 1) */
	uint64_t base;	  /* IPA of the start-level table */
	uint8_t start;	  /* start level */
	uint8_t fault;	  /* enum hw_fault_type every walk takes at level 0 (EPDn, TTBR size) */
	uint8_t hiermask; /* hierarchical controls that apply: 0 under HPDn (FEAT_HPDS), else 0xf */
};

struct hw_cpu {
	/* Constant after power-on. */
	uint32_t id; /* MPIDR_EL1.Aff0 */
	bool online;
	const struct hw_cpu_features *feat;

	/* Written by software (register writes). */
	struct hw_sysregs r;

	/* Derived from r and feat on every register write (hw_cpu_sync). */
	uint16_t cur_asid;
	uint16_t cur_vmid;
	bool mmu_on;		 /* SCTLR_EL1.M */
	struct hw_s1_half s1[2]; /* [VA[55]] */
	uint8_t s1_ps;		 /* effective stage-1 output size: min(IPS, PARange, 48) */
	bool s1_ha, s1_hd;	 /* TCR_EL1.HA/HD, when FEAT_HAFDBS */
	uint8_t need[2][3];	 /* TLB_P_* bit an access needs, by [EL][enum hw_acc] */
	uint8_t s1_perm_key;	 /* the HD/WXN s1_perm was built for (0: not built) */
	uint8_t s1_perm[PTW_PERM_ENTRIES]; /* stage-1 leaf permissions by AP, XN, DBM, hierarchy */

	/* The TLB hierarchy and the walk cache. */
	struct tlb tlb;

	/* Last operation's hardware descriptor updates, and the last exception it took. */
	struct hw_update_log updates;
	struct esr_syndrome exception; /* written by mmu_raise() */

	/* Statistics. */
	uint64_t walks, walk_reads;
};

/* Register names for hw_cpu_set_reg/get_reg (one table, see cpu.c). */
#define HW_SYSREG_LIST(X)                                                                          \
	X(SCTLR_EL1, sctlr_el1)                                                                    \
	X(TCR_EL1, tcr_el1)                                                                        \
	X(TTBR0_EL1, ttbr0_el1)                                                                    \
	X(TTBR1_EL1, ttbr1_el1)                                                                    \
	X(MAIR_EL1, mair_el1)                                                                      \
	X(HCR_EL2, hcr_el2)                                                                        \
	X(VTCR_EL2, vtcr_el2)                                                                      \
	X(VTTBR_EL2, vttbr_el2)                                                                    \
	X(ESR_EL1, esr_el1)                                                                        \
	X(FAR_EL1, far_el1)                                                                        \
	X(ESR_EL2, esr_el2)                                                                        \
	X(FAR_EL2, far_el2)                                                                        \
	X(HPFAR_EL2, hpfar_el2)                                                                    \
	X(PAR_EL1, par_el1)

enum hw_sysreg {
#define HW_SYSREG_ENUM(name, field) HW_REG_##name,
	HW_SYSREG_LIST(HW_SYSREG_ENUM)
#undef HW_SYSREG_ENUM
		HW_REG_PAN,
	HW_REG_CURRENT_EL,
	HW_REG_COUNT
};

/* Name of @reg ("TCR_EL1"), or NULL. */
const char *hw_sysreg_name(enum hw_sysreg reg);
/* Register of that name, or HW_REG_COUNT. */
enum hw_sysreg hw_sysreg_by_name(const char *name);

/*
 * Writes a register. Returns false (with the reason in env->last_error, register unchanged)
 * when the value asks for something the model refuses: a granule other than 4KB in
 * TCR_EL1.TG0/TG1 or VTCR_EL2.TG0, PAN/EL values other than 0/1.
 * Writing does not invalidate TLBs (software must issue TLBI, as on hardware).
 */
bool hw_cpu_set_reg(struct kmm_hw *hw, struct hw_cpu *cpu, enum hw_sysreg reg, uint64_t val);
uint64_t hw_cpu_get_reg(const struct hw_cpu *cpu, enum hw_sysreg reg);

/* Recomputes cur_asid/cur_vmid from the registers. */
void hw_cpu_sync(struct hw_cpu *cpu);

/*
 * Selects the CPU model of every CPU (power-on: the config's cpu_model, "cortex-a57" unless
 * set); false (nothing changed) for an unknown name. The model's ASID width is kept.
 */
bool hw_cpus_set_model(struct kmm_hw *hw, const char *name);

/*
 * Makes every CPU report @bits-bit ASIDs (8 or 16) in ID_AA64MMFR0_EL1.ASIDBits, as an
 * implementation with that ASID size would; with 8, TCR_EL1.AS is RES0 (reads as 0 and the
 * TLB compares 8 bits). False (nothing changed) for another width.
 */
bool hw_cpus_set_asid_bits(struct kmm_hw *hw, unsigned bits);

#endif /* KMM_HW_CPU_H */
