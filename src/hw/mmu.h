/*
 * The CPU side of the MMU: the access path (TLB -> walk -> permission -> memory), address
 * translation instructions (AT) and TLB maintenance (TLBI). See mmu.c.
 */
#ifndef KMM_HW_MMU_H
#define KMM_HW_MMU_H

#include "hw/esr.h"
#include "hw/ptw.h"

/* AT operations, in the order of their names. */
#define MMU_AT_LIST(X)                                                                             \
	X(S1E1R, 1, 1, HW_ACC_READ)                                                                \
	X(S1E1W, 1, 1, HW_ACC_WRITE)                                                               \
	X(S1E0R, 1, 0, HW_ACC_READ)                                                                \
	X(S1E0W, 1, 0, HW_ACC_WRITE)                                                               \
	X(S12E1R, 2, 1, HW_ACC_READ)                                                               \
	X(S12E1W, 2, 1, HW_ACC_WRITE)                                                              \
	X(S12E0R, 2, 0, HW_ACC_READ)                                                               \
	X(S12E0W, 2, 0, HW_ACC_WRITE)

enum mmu_at_op {
#define MMU_AT_ENUM(name, stages, el, acc) MMU_AT_##name,
	MMU_AT_LIST(MMU_AT_ENUM)
#undef MMU_AT_ENUM
		MMU_AT_COUNT
};

/*
 * TLBI operations: name, scope (TLBI_M_*), operand kind. The IS form of each is the same
 * operation broadcast to every CPU (mmu_tlbi's @broadcast).
 */
#define MMU_OPND_NONE 0 /* no operand */
#define MMU_OPND_VA   1 /* Xt[43:0] = VA[55:12], Xt[63:48] = ASID */
#define MMU_OPND_ASID 2 /* Xt[63:48] = ASID */
#define MMU_OPND_IPA  3 /* Xt[35:0] = IPA[47:12] */
#define MMU_OPND_RANGE                                                                             \
	4 /* ASID[63:48] TG[47:46] SCALE[45:44] NUM[43:39] TTL[38:37] BaseADDR[36:0] */

#define MMU_TLBI_LIST(X)                                                                           \
	X(VMALLE1, TLBI_M_VMID | TLBI_M_S1, MMU_OPND_NONE)                                         \
	X(VAE1, TLBI_M_VMID | TLBI_M_ASID | TLBI_M_GLOBAL | TLBI_M_VA | TLBI_M_S1, MMU_OPND_VA)    \
	X(VALE1, TLBI_M_VMID | TLBI_M_ASID | TLBI_M_GLOBAL | TLBI_M_VA | TLBI_M_LAST | TLBI_M_S1,  \
	  MMU_OPND_VA)                                                                             \
	X(VAAE1, TLBI_M_VMID | TLBI_M_VA | TLBI_M_S1, MMU_OPND_VA)                                 \
	X(VAALE1, TLBI_M_VMID | TLBI_M_VA | TLBI_M_LAST | TLBI_M_S1, MMU_OPND_VA)                  \
	X(ASIDE1, TLBI_M_VMID | TLBI_M_ASID | TLBI_M_NONGLOBAL_ONLY | TLBI_M_S1, MMU_OPND_ASID)    \
	X(IPAS2E1, TLBI_M_VMID | TLBI_M_VA | TLBI_M_S2, MMU_OPND_IPA)                              \
	X(IPAS2LE1, TLBI_M_VMID | TLBI_M_VA | TLBI_M_LAST | TLBI_M_S2, MMU_OPND_IPA)               \
	X(VMALLS12E1, TLBI_M_VMID | TLBI_M_S1 | TLBI_M_S2, MMU_OPND_NONE)                          \
	X(ALLE1, TLBI_M_S1 | TLBI_M_S2, MMU_OPND_NONE)                                             \
	X(RVAE1, TLBI_M_VMID | TLBI_M_ASID | TLBI_M_GLOBAL | TLBI_M_VA | TLBI_M_S1,                \
	  MMU_OPND_RANGE)                                                                          \
	X(RVALE1, TLBI_M_VMID | TLBI_M_ASID | TLBI_M_GLOBAL | TLBI_M_VA | TLBI_M_LAST | TLBI_M_S1, \
	  MMU_OPND_RANGE)                                                                          \
	X(RVAAE1, TLBI_M_VMID | TLBI_M_VA | TLBI_M_S1, MMU_OPND_RANGE)                             \
	X(RVAALE1, TLBI_M_VMID | TLBI_M_VA | TLBI_M_LAST | TLBI_M_S1, MMU_OPND_RANGE)

enum mmu_tlbi_op {
#define MMU_TLBI_ENUM(name, match, opnd) MMU_TLBI_##name,
	MMU_TLBI_LIST(MMU_TLBI_ENUM)
#undef MMU_TLBI_ENUM
		MMU_TLBI_COUNT
};

/* Name of a TLBI op ("VAE1"); NULL if out of range. */
const char *mmu_tlbi_name(enum mmu_tlbi_op op);
/* Op of that name (with or without the "IS" suffix, which sets *@is), or MMU_TLBI_COUNT. */
enum mmu_tlbi_op mmu_tlbi_by_name(const char *name, bool *is);
const char *mmu_at_name(enum mmu_at_op op);
enum mmu_at_op mmu_at_by_name(const char *name);

/* mmu_translate without the L1 fast path (the lookup, walk and fill). */
bool mmu_translate_slow(struct kmm_hw *hw, struct hw_cpu *cpu, uint64_t va, enum hw_acc acc,
			unsigned el, kmm_pa_t *pa, struct hw_fault *f);

/*
 * The L1 fast path: a hint hit on an entry that allows the access, for an untagged VA with
 * the MMU on. Returns false (nothing counted) in every other case.
 */
static inline bool mmu_translate_l1(struct kmm_hw *hw, struct hw_cpu *cpu, uint64_t va,
				    enum hw_acc acc, unsigned el, kmm_pa_t *pa)
{
	int side = acc != HW_ACC_EXEC;
	struct tlb *tlb = &cpu->tlb;
	uint64_t va56 = va & 0x00ffffffffffffffull;
	unsigned h = tlb->hint[side][(va >> 12) & (TLB_HINTS - 1)];
	const struct tlb_entry *e;

	if (!h || ((va56 | 1) & tlb->l1mask[side][h - 1]) != tlb->l1key[side][h - 1])
		return false;
	e = &tlb->l1[side][h - 1];
	if (e->vmid != cpu->cur_vmid || (!(e->flags & TLB_F_GLOBAL) && e->asid != cpu->cur_asid) ||
	    !(e->perm & cpu->need[el ? 1 : 0][acc]) || !cpu->mmu_on ||
	    (uint64_t)(((int64_t)va >> 55) + 1) > 1 ||
	    (el && acc != HW_ACC_EXEC && cpu->r.pan && (e->perm & TLB_P_U)))
		return false;
	tlb->st[side].hits++;
	tlb->l1stamp[side][h - 1] = ++tlb->l1clock;
	env_advance(hw->env, tlb->geo.cycles_l1_hit);
	*pa = e->pa + (va56 - e->va);
	return true;
}

/*
 * Translates @va for an access @acc at @el through the TLB (filling it on a miss).
 * Returns true with *@pa, or false with *@f (registers untouched: see mmu_raise).
 */
static inline bool mmu_translate(struct kmm_hw *hw, struct hw_cpu *cpu, uint64_t va,
				 enum hw_acc acc, unsigned el, kmm_pa_t *pa, struct hw_fault *f)
{
	if (mmu_translate_l1(hw, cpu, va, acc, el, pa))
		return true;
	return mmu_translate_slow(hw, cpu, va, acc, el, pa, f);
}

/*
 * Takes the exception for @f: ESR/FAR (and HPFAR) of the target EL are written, and the
 * whole syndrome (with the target EL) is kept in cpu->exception.
 */
void mmu_raise(struct hw_cpu *cpu, const struct hw_fault *f);

/*
 * A load (@acc READ), store (WRITE) or instruction fetch (EXEC) of @size bytes at @va by
 * @cpu at its current EL, through the MMU, to/from @buf. Page-crossing accesses translate
 * each page before any byte moves (per group of 8 pages for longer accesses: a fault in a
 * later group leaves the earlier groups done, like a faulting multi-instruction copy).
 * Returns true (with *@pa_out, the PA of the first byte, if non-NULL), or false with *@f
 * after raising the exception (ESR/FAR written).
 */
bool mmu_access(struct kmm_hw *hw, struct hw_cpu *cpu, enum hw_acc acc, uint64_t va, void *buf,
		size_t size, kmm_pa_t *pa_out, struct hw_fault *f);

/*
 * AT @op on @va. Returns true with PAR_EL1 written (success or fault format), or false when
 * the fault is taken as an exception (external abort on the walk; or, executed at EL1, a
 * stage-2 fault on a stage-1 walk): then *@f is filled and ESR/FAR of the target EL written.
 * @at_el2: executed at EL2 (the S12 forms always are).
 */
bool mmu_at(struct kmm_hw *hw, struct hw_cpu *cpu, enum mmu_at_op op, uint64_t va, bool at_el2,
	    struct hw_fault *f);

/*
 * TLBI @op with operand @xt, executed by @cpu (whose VMID scopes the EL1 forms); with
 * @broadcast (the IS forms) on every CPU. Returns false (nothing invalidated) only for a
 * malformed range operand (TG other than 4KB); the reason is in env->last_error.
 */
bool mmu_tlbi(struct kmm_hw *hw, struct hw_cpu *cpu, enum mmu_tlbi_op op, uint64_t xt,
	      bool broadcast, uint64_t *removed);

#endif /* KMM_HW_MMU_H */
