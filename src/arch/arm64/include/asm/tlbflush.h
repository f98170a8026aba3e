/*
 * TLB maintenance: what the kernel issues after it changes a live kernel or user page table,
 * and the counts of what it issued.
 *
 * Models (Linux 6.1): arch/arm64/include/asm/tlbflush.h (flush_tlb_all(),
 *         local_flush_tlb_all(), flush_tlb_kernel_range(), __flush_tlb_kernel_pgtable()).
 *         Issued by the current CPU through the MMU model's TLBI, Inner Shareable (so every
 *         CPU's TLB) except local_flush_tlb_all: flush_tlb_all is TLBI VMALLE1IS;
 *         flush_tlb_kernel_range is one TLBI VAALE1IS per page, or flush_tlb_all above 512
 *         pages (MAX_TLBI_OPS); __flush_tlb_kernel_pgtable is TLBI VAAE1IS (walk caches too).
 *         For user mappings (by the mm's ASID): flush_tlb_mm is TLBI ASIDE1IS,
 *         flush_tlb_page(_nosync) TLBI VALE1IS, __flush_tlb_range one TLBI VAE1IS/VALE1IS per
 *         stride below MAX_TLBI_OPS strides, else flush_tlb_mm; with FEAT_TLBIRANGE (the "max"
 *         CPU) range TLBIs RVAE1IS/RVALE1IS cover the even part of the range, and the TTL hint
 *         of FEAT_TTL goes in the operand. KPTI is off on both CPU models (the captured
 *         kernel says "ASID allocator initialised with 65536 entries"), so no second TLBI is
 *         issued for a user ASID (__tlbi_user is a no-op).
 *         arm64 6.1 has no tracepoint on these (tlb_flush is x86's): none is emitted.
 * Deviation: the dsb/isb around each TLBI have no model (a TLBI completes at once), so
 *         flush_tlb_page_nosync and flush_tlb_page differ only in name.
 */
#ifndef KMM_ARCH_ARM64_ASM_TLBFLUSH_H
#define KMM_ARCH_ARM64_ASM_TLBFLUSH_H

#include <stdint.h>

#include <stdbool.h>

struct kmm_kernel;
struct mm_struct;
struct vm_area_struct;

/* Models: MAX_TLBI_OPS (PTRS_PER_PTE): above this many strides a range becomes a full flush. */
#define MAX_TLBI_OPS 512

/* What the kernel asked of the TLBs since boot (kmm_vmalloc_stats reports the first two). */
struct tlbflush_stats {
	uint64_t kernel_range;	 /* flush_tlb_kernel_range() done page by page */
	uint64_t all;		 /* flush_tlb_all(), also for ranges above MAX_TLBI_OPS */
	uint64_t kernel_pgtable; /* __flush_tlb_kernel_pgtable() */
	uint64_t local_all;	 /* local_flush_tlb_all(): CPU bring-up, ASID rollover */
	/* User mappings (by ASID). */
	uint64_t mm;	      /* flush_tlb_mm(), including the range fallbacks */
	uint64_t page;	      /* flush_tlb_page() and flush_tlb_page_nosync() */
	uint64_t range;	      /* __flush_tlb_range() done by address (not as flush_tlb_mm) */
	uint64_t range_to_mm; /* __flush_tlb_range() that fell back to flush_tlb_mm() */
	uint64_t user_tlbi;   /* TLBI instructions issued for user flushes (per-page + range) */
	uint64_t range_tlbi;  /* ... of which range TLBIs (RVAE1IS/RVALE1IS) */
};

void flush_tlb_all(struct kmm_kernel *k);
void flush_tlb_kernel_range(struct kmm_kernel *k, uint64_t start, uint64_t end);
void __flush_tlb_kernel_pgtable(struct kmm_kernel *k, uint64_t addr);

/*
 * TLBI VMALLE1 on CPU @cpu alone: its bring-up in __cpu_setup, before it joins the others, and
 * the flush a CPU owes after an ASID rollover (context.c).
 */
void local_flush_tlb_all(struct kmm_kernel *k, int cpu);

/*
 * User TLB maintenance, issued by the current CPU (smp_processor_id) to every CPU (IS). Each
 * changes only TLB contents and the counters; none touches page tables or registers.
 */
/* Models: flush_tlb_mm(): every non-global entry of @mm's ASID (TLBI ASIDE1IS). */
void flush_tlb_mm(struct kmm_kernel *k, struct mm_struct *mm);
/* Models: flush_tlb_page_nosync(): the last-level entry of @uaddr in @vma's mm (VALE1IS). */
void flush_tlb_page_nosync(struct kmm_kernel *k, struct vm_area_struct *vma, uint64_t uaddr);
/* Models: flush_tlb_page(): flush_tlb_page_nosync() then the DSB (not modelled). */
void flush_tlb_page(struct kmm_kernel *k, struct vm_area_struct *vma, uint64_t uaddr);
/*
 * Models: __flush_tlb_range(): [start, end) rounded out to @stride; per-stride TLBIs (VALE1IS
 * when @last_level, else VAE1IS, with the TTL hint @tlb_level 0..3 where FEAT_TTL exists),
 * range TLBIs for the even part with FEAT_TLBIRANGE, flush_tlb_mm() when the range is
 * MAX_TLBI_OPS strides or more (without FEAT_TLBIRANGE) or MAX_TLBI_RANGE_PAGES pages or more.
 */
void __flush_tlb_range(struct kmm_kernel *k, struct vm_area_struct *vma, uint64_t start,
		       uint64_t end, uint64_t stride, bool last_level, int tlb_level);
/* Models: flush_tlb_range(): __flush_tlb_range(PAGE_SIZE, not last level, level 0). */
void flush_tlb_range(struct kmm_kernel *k, struct vm_area_struct *vma, uint64_t start,
		     uint64_t end);

#endif /* KMM_ARCH_ARM64_ASM_TLBFLUSH_H */
