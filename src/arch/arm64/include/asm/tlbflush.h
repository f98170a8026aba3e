/*
 * TLB maintenance for kernel mappings: what the kernel issues after it changes a live
 * kernel page table, and the counts of what it issued.
 *
 * Models (Linux 6.1): arch/arm64/include/asm/tlbflush.h (flush_tlb_all(),
 *         local_flush_tlb_all(), flush_tlb_kernel_range(), __flush_tlb_kernel_pgtable()).
 *         Issued by the current CPU through the MMU model's TLBI, Inner Shareable (so every
 *         CPU's TLB) except local_flush_tlb_all: flush_tlb_all is TLBI VMALLE1IS;
 *         flush_tlb_kernel_range is one TLBI VAALE1IS per page, or flush_tlb_all above 512
 *         pages (MAX_TLBI_OPS); __flush_tlb_kernel_pgtable is TLBI VAAE1IS (walk caches too).
 * Deviation: the dsb/isb around each TLBI have no model (a TLBI completes at once).
 */
#ifndef KMM_ARCH_ARM64_ASM_TLBFLUSH_H
#define KMM_ARCH_ARM64_ASM_TLBFLUSH_H

#include <stdint.h>

struct kmm_kernel;

/* What the kernel asked of the TLBs since boot (kmm_vmalloc_stats reports the first two). */
struct tlbflush_stats {
	uint64_t kernel_range;	 /* flush_tlb_kernel_range() done page by page */
	uint64_t all;		 /* flush_tlb_all(), also for ranges above MAX_TLBI_OPS */
	uint64_t kernel_pgtable; /* __flush_tlb_kernel_pgtable() */
	uint64_t local_all;	 /* local_flush_tlb_all(), one per CPU brought up */
};

void flush_tlb_all(struct kmm_kernel *k);
void flush_tlb_kernel_range(struct kmm_kernel *k, uint64_t start, uint64_t end);
void __flush_tlb_kernel_pgtable(struct kmm_kernel *k, uint64_t addr);

/* TLBI VMALLE1 on CPU @cpu alone (its bring-up in __cpu_setup, before it joins the others). */
void local_flush_tlb_all(struct kmm_kernel *k, int cpu);

#endif /* KMM_ARCH_ARM64_ASM_TLBFLUSH_H */
