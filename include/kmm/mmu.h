/*
 * The simulated ARMv8-A MMU: per-CPU system registers, memory accesses made by a simulated
 * CPU (TLB -> table walk -> permission check -> physical memory), address translation
 * instructions (AT -> PAR_EL1), TLB maintenance (TLBI), TLB geometry and counters.
 *
 * The model follows the Arm ARM (VMSAv8-64, 4KB granule, EL1&0 stage 1 and stage 2); it is
 * checked against vectors recorded from QEMU 7.2 (`kmmsim mmu-replay`). docs/mmu.md
 * describes it, its defaults and its deviations.
 *
 * Errors: a bad argument (CPU index out of range, a non-4KB granule in TCR_EL1/VTCR_EL2,
 * an unknown register or operation, a NULL pointer) returns KMM_EINVAL with the rule in
 * kmm_last_error(m) and changes nothing. A simulated fault returns KMM_EFAULT with the
 * syndrome in *fault (and in the CPU's ESR/FAR/HPFAR registers).
 */
#ifndef KMM_MMU_H
#define KMM_MMU_H

#include <kmm/types.h>

#ifdef __cplusplus
extern "C" {
#endif

struct kmm_machine;

/* System registers (and PSTATE.PAN / the current EL) one CPU holds. */
#define KMM_MMU_REGS(X)                                                                            \
	X(SCTLR_EL1)                                                                               \
	X(TCR_EL1)                                                                                 \
	X(TTBR0_EL1)                                                                               \
	X(TTBR1_EL1)                                                                               \
	X(MAIR_EL1)                                                                                \
	X(HCR_EL2)                                                                                 \
	X(VTCR_EL2)                                                                                \
	X(VTTBR_EL2)                                                                               \
	X(ESR_EL1)                                                                                 \
	X(FAR_EL1)                                                                                 \
	X(ESR_EL2)                                                                                 \
	X(FAR_EL2)                                                                                 \
	X(HPFAR_EL2)                                                                               \
	X(PAR_EL1)                                                                                 \
	X(PAN)                                                                                     \
	X(CURRENT_EL)

enum kmm_mmu_reg {
#define KMM_MMU_REG_ENUM(name) KMM_REG_##name,
	KMM_MMU_REGS(KMM_MMU_REG_ENUM)
#undef KMM_MMU_REG_ENUM
		KMM_REG_COUNT
};

/*
 * Writes register @reg of CPU @cpu. KMM_EINVAL for a TCR_EL1 or VTCR_EL2 value selecting a
 * granule other than 4KB (TCR_EL1.TG0 must be 0b00 and TG1 0b10), for PAN/CURRENT_EL
 * values other than 0/1, or a bad CPU index; the register is then unchanged. Like the
 * hardware, writing does not invalidate any TLB entry.
 */
KMM_API enum kmm_status kmm_mmu_set_reg(struct kmm_machine *m, unsigned cpu, enum kmm_mmu_reg reg,
					uint64_t val);
/*
 * Reads register @reg of CPU @cpu. KMM_EINVAL, each with its own text: a bad CPU index, a
 * NULL @val, an unknown @reg.
 */
KMM_API enum kmm_status kmm_mmu_get_reg(struct kmm_machine *m, unsigned cpu, enum kmm_mmu_reg reg,
					uint64_t *val);
/* "TCR_EL1" ... ; NULL for an unknown register. */
KMM_API const char *kmm_mmu_reg_name(enum kmm_mmu_reg reg);

/* Selects the CPU model of every CPU: "max" (default) or "cortex-a57". */
KMM_API enum kmm_status kmm_mmu_set_cpu_model(struct kmm_machine *m, const char *model);

/* ---- Accesses ----------------------------------------------------------------------- */

enum kmm_access {
	KMM_ACCESS_LOAD,
	KMM_ACCESS_STORE,
	KMM_ACCESS_IFETCH,
};

/* Largest access kmm_cpu_access takes (it may cross pages: each page is translated). */
#define KMM_ACCESS_MAX 4096

/* A fault as software sees it, plus its decoding. */
struct kmm_mmu_fault {
	uint64_t esr;	    /* ESR_ELx of the target EL */
	uint64_t far;	    /* FAR_ELx */
	uint64_t hpfar;	    /* HPFAR_EL2 (stage-2 faults) */
	unsigned target_el; /* 1 or 2 */
	const char *kind;   /* "translation", "permission", "access_flag", "address_size",
			       "sync_external", "sync_external_on_walk", "tlb_conflict" */
	int level;	    /* lookup level, -1 if none */
	unsigned stage;	    /* 1, 2, or 0 for an external abort on the access itself */
	bool s1ptw;	    /* stage-2 fault on a stage-1 table walk */
};

/*
 * A load, store or instruction fetch of @size bytes (1..KMM_ACCESS_MAX) at @va by CPU @cpu
 * at its current EL (register CURRENT_EL), through its TLBs and MMU. LOAD/IFETCH fill @buf,
 * STORE writes it. Returns KMM_OK; or KMM_EFAULT with *@fault (may be NULL) after taking the
 * exception (ESR/FAR/HPFAR written; no byte is stored then). KMM_EINVAL, each with its own
 * text: a @cpu that does not exist, an unknown @type, a NULL @buf, @size outside
 * 1..KMM_ACCESS_MAX.
 */
KMM_API enum kmm_status kmm_cpu_access(struct kmm_machine *m, unsigned cpu, enum kmm_access type,
				       kmm_va_t va, void *buf, size_t size,
				       struct kmm_mmu_fault *fault);

/* ---- AT ----------------------------------------------------------------------------- */

#define KMM_AT_OPS(X) X(S1E1R) X(S1E1W) X(S1E0R) X(S1E0W) X(S12E1R) X(S12E1W) X(S12E0R) X(S12E0W)

enum kmm_at_op {
#define KMM_AT_ENUM(name) KMM_AT_##name,
	KMM_AT_OPS(KMM_AT_ENUM)
#undef KMM_AT_ENUM
		KMM_AT_COUNT
};

/*
 * AT @op on @va by CPU @cpu (the S1E* forms executed at EL1, the S12E* forms at EL2).
 * KMM_OK: *@par holds PAR_EL1 (bit 0, F, says whether the translation faulted). KMM_EFAULT:
 * the AT took an exception instead (external abort on the walk; for S1E* at EL1 a stage-2
 * fault on the stage-1 walk traps to EL2), described in *@fault (may be NULL).
 */
KMM_API enum kmm_status kmm_at(struct kmm_machine *m, unsigned cpu, enum kmm_at_op op, kmm_va_t va,
			       uint64_t *par, struct kmm_mmu_fault *fault);

/* ---- TLBI --------------------------------------------------------------------------- */

#define KMM_TLBI_OPS(X)                                                                            \
	X(VMALLE1)                                                                                 \
	X(VAE1)                                                                                    \
	X(VALE1) X(VAAE1) X(VAALE1) X(ASIDE1) X(IPAS2E1) X(IPAS2LE1) X(VMALLS12E1) X(ALLE1)        \
		X(RVAE1) X(RVALE1) X(RVAAE1) X(RVAALE1)

enum kmm_tlbi_op {
#define KMM_TLBI_ENUM(name) KMM_TLBI_##name,
	KMM_TLBI_OPS(KMM_TLBI_ENUM)
#undef KMM_TLBI_ENUM
		KMM_TLBI_COUNT
};

/* OR into the op for the Inner Shareable form (TLBI VAE1IS: KMM_TLBI_VAE1 | KMM_TLBI_IS). */
#define KMM_TLBI_IS 0x100u

/*
 * TLBI @op executed by CPU @cpu with operand register @xt in the architectural format:
 * VA forms Xt[43:0] = VA[55:12] and Xt[63:48] = ASID; ASIDE1 Xt[63:48]; IPAS2 forms
 * Xt[35:0] = IPA[47:12]; range forms BaseADDR[36:0] (VA[48:12]), TTL[38:37], NUM[43:39],
 * SCALE[45:44], TG[47:46] (must be 0b01, 4KB), ASID[63:48]. The EL1 forms are scoped by the
 * issuing CPU's VMID. The IS forms act on every CPU, the others on @cpu only.
 */
KMM_API enum kmm_status kmm_tlbi(struct kmm_machine *m, unsigned cpu, unsigned op, uint64_t xt);
/* Same, by architectural name: "VAE1", "VAE1IS", "VMALLS12E1IS", ... */
KMM_API enum kmm_status kmm_tlbi_by_name(struct kmm_machine *m, unsigned cpu, const char *name,
					 uint64_t xt);

/* ---- TLB geometry, cost model, counters --------------------------------------------- */

enum kmm_tlb_policy {
	KMM_TLB_LRU,
	KMM_TLB_PLRU,
	KMM_TLB_RANDOM, /* seeded from the machine's PRNG: reproducible */
};

struct kmm_tlb_geometry {
	uint32_t l1i_entries;	    /* fully associative, 1..255 (default 48) */
	uint32_t l1d_entries;	    /* fully associative, 1..255 (default 32) */
	uint32_t l2_sets;	    /* power of two, 1..1024 (default 256) */
	uint32_t l2_ways;	    /* 1..16, sets x ways <= 4096 (default 4) */
	uint32_t walk_entries;	    /* walk cache, 1..1024 (default 32) */
	uint32_t s2_entries;	    /* stage-2 (IPA) cache, 1..1024 (default 32) */
	enum kmm_tlb_policy policy; /* default PLRU */
	/* Cost model: cycles added to the machine clock. */
	uint32_t cycles_l1_hit;		/* default 0 */
	uint32_t cycles_l2_hit;		/* default 4 */
	uint32_t cycles_walk_read;	/* default 20, per descriptor read */
	uint32_t cycles_walk_cache_hit; /* default 2 */
	uint32_t cycles_tlbi;		/* default 30 */
};

KMM_API void kmm_tlb_geometry_default(struct kmm_tlb_geometry *geo);

/* Rebuilds every CPU's TLBs (empty) with @geo. KMM_EINVAL names the bad field. */
KMM_API enum kmm_status kmm_tlb_set_geometry(struct kmm_machine *m,
					     const struct kmm_tlb_geometry *geo);
KMM_API enum kmm_status kmm_tlb_get_geometry(struct kmm_machine *m, struct kmm_tlb_geometry *geo);

enum kmm_tlb_level {
	KMM_TLB_L1I,
	KMM_TLB_L1D,
	KMM_TLB_L2,
	KMM_TLB_WALK,
	KMM_TLB_S2,
	KMM_TLB_LEVELS
};

struct kmm_tlb_stats {
	uint64_t hits[KMM_TLB_LEVELS];
	uint64_t misses[KMM_TLB_LEVELS];
	uint64_t fills[KMM_TLB_LEVELS];
	uint64_t invalidations[KMM_TLB_LEVELS];
	uint64_t walks;	     /* table walks started (accesses and AT) */
	uint64_t walk_reads; /* descriptor reads from memory */
	uint64_t conflicts;  /* TLB conflict aborts raised */
};

KMM_API enum kmm_status kmm_tlb_stats(struct kmm_machine *m, unsigned cpu,
				      struct kmm_tlb_stats *out);

#ifdef __cplusplus
}
#endif

#endif /* KMM_MMU_H */
