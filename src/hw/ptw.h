/*
 * The translation table walker (stage 1 EL1&0 and stage 2), and the fault record it
 * produces. Faults are data: the walker fills struct hw_fault; esr.c encodes it.
 */
#ifndef KMM_HW_PTW_H
#define KMM_HW_PTW_H

#include "hw/cpu.h"

enum hw_acc {
	HW_ACC_READ,
	HW_ACC_WRITE,
	HW_ACC_EXEC,
};

enum hw_fault_type {
	HW_FAULT_NONE,
	HW_FAULT_ADDR_SIZE,   /* output/table/TTBR address beyond the PA size */
	HW_FAULT_TRANSLATION, /* invalid or reserved descriptor, VA out of range, EPDn */
	HW_FAULT_ACCESS_FLAG, /* AF == 0 without hardware AF management */
	HW_FAULT_PERMISSION,
	HW_FAULT_SEA,	       /* synchronous external abort on the access itself */
	HW_FAULT_SEA_WALK,     /* synchronous external abort on a translation table walk */
	HW_FAULT_TLB_CONFLICT, /* two TLB entries matched one lookup */
};

/* A fault, as the hardware knows it before it becomes a syndrome. */
struct hw_fault {
	enum hw_fault_type type;
	int8_t level;  /* lookup level 0..3; -1 when the fault has none (SEA, conflict) */
	uint8_t stage; /* 1 or 2; 0 for an external abort on the access itself */
	bool s1ptw;    /* stage-2 fault on a stage-1 table walk access */
	bool cm;       /* caused by an address translation (AT) instruction */
	bool at_el2;   /* AT executed at EL2: external aborts are taken to EL2 */
	enum hw_acc acc;
	uint8_t el;   /* EL the access was made from */
	uint64_t va;  /* faulting virtual address (FAR) */
	uint64_t ipa; /* stage 2 faults: the IPA (of the access, or of the S1 descriptor) */
};

/* Request flags */
#define PTW_F_AT      0x01u /* AT instruction: no dirty-state update, sets CM on aborts */
#define PTW_F_S1_ONLY 0x02u /* stop after stage 1 (AT S1E*): result is the IPA */
#define PTW_F_PAN     0x04u /* apply PSTATE.PAN (EL1 data accesses; not AT S1E1R/W) */
#define PTW_F_NOCACHE 0x08u /* do not use or fill the walk and stage-2 caches */
#define PTW_F_AT_EL2  0x10u /* AT executed at EL2 (stage-2 faults on S1 walks go to PAR) */

struct ptw_req {
	uint64_t va;
	enum hw_acc acc;
	uint8_t el;
	uint32_t flags;
};

/* A successful translation. */
struct ptw_result {
	uint64_t pa;	 /* output address of va (PA, or the IPA with PTW_F_S1_ONLY) */
	uint64_t ipa;	 /* stage-1 output address */
	uint8_t attr;	 /* MAIR encoding of the memory type (stage 1 combined with stage 2) */
	uint8_t sh;	 /* shareability as PAR_EL1 reports it */
	uint8_t perm;	 /* TLB_P_* for the translation as cached (both stages) */
	uint8_t level;	 /* stage-1 leaf level (0 when stage 1 is off) */
	uint8_t s2level; /* stage-2 leaf level (0 when stage 2 is off) */
	uint8_t shift;	 /* log2 of the translation's size (block/contiguous, both stages) */
	bool global;	 /* nG == 0 */
	bool s2;	 /* stage 2 took part */
	bool cacheable;	 /* may be put into the TLB (stage 1 on) */
};

/*
 * Translates @req on @cpu. Returns true with *@res, or false with *@f. Hardware updates of
 * AF and dirty state are written to memory (and logged in cpu->updates). The TLB proper is
 * not consulted; the walk cache and the stage-2 cache are (unless PTW_F_NOCACHE).
 */
bool ptw_translate(struct kmm_hw *hw, struct hw_cpu *cpu, const struct ptw_req *req,
		   struct ptw_result *res, struct hw_fault *f);

/* Effective physical address size of stage 1 (TCR_EL1.IPS) and stage 2 (VTCR_EL2.PS). */
unsigned ptw_s1_pa_bits(const struct hw_cpu *cpu);
unsigned ptw_s2_pa_bits(const struct hw_cpu *cpu);

/* Recomputes the derived stage-1 parameters (cpu->s1, s1_ps, s1_ha, s1_hd, s1_perm). */
void ptw_sync(struct hw_cpu *cpu);

/* Checks that cpu->s1_perm answers as the permission rules do; false with the reason. */
bool ptw_check(const struct hw_cpu *cpu, char *why, size_t whylen);

/* Current ASID (TCR_EL1.A1 selects the TTBR, TCR_EL1.AS the width) and VMID. */
uint16_t ptw_asid(const struct hw_cpu *cpu);
uint16_t ptw_vmid(const struct hw_cpu *cpu);

#endif /* KMM_HW_PTW_H */
