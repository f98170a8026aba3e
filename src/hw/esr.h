/*
 * Syndromes: the pure functions that turn a struct hw_fault into what software sees
 * (ESR_ELx, FAR_ELx, HPFAR_EL2, the target EL) and a translation result or fault into
 * PAR_EL1. Nothing here touches a CPU or memory.
 */
#ifndef KMM_HW_ESR_H
#define KMM_HW_ESR_H

#include "hw/ptw.h"

/* Fault status code (DFSC/IFSC, PAR_EL1.FST) of @f. */
unsigned esr_fsc(const struct hw_fault *f);

/*
 * The exception @f raises: target EL, ESR (EC, IL, ISS), FAR, HPFAR. Pure; the one encoder
 * (mmu_raise() keeps its result in hw_cpu.exception for the API and the tools to read).
 */
void esr_encode(const struct hw_fault *f, struct esr_syndrome *out);

/* PAR_EL1 for a faulting AT (64-bit format: F, FST, PTW, S; bit 11 RES1). Pure. */
uint64_t esr_par_fault(const struct hw_fault *f);

/* PAR_EL1 for a successful AT (PA, ATTR, SH, NS; bit 11 RES1). Pure. */
uint64_t esr_par_ok(const struct ptw_result *r);

/* Does @f become an exception rather than a PAR_EL1 value when an AT instruction hits it? */
bool esr_at_is_exception(const struct hw_fault *f);

/* "translation", "permission", ... */
const char *esr_fault_name(enum hw_fault_type type);

#endif /* KMM_HW_ESR_H */
