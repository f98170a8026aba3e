/*
 * TLB maintenance for kernel mappings, issued as TLBI instructions to the MMU model. The
 * kernel has these inline in its header; here they are functions so that the hardware's
 * headers stay in the arch folder, and they count what they issue (struct tlbflush_stats).
 *
 * Models: arch/arm64/include/asm/tlbflush.h (Linux 6.1): __TLBI_VADDR(), flush_tlb_all(),
 *         local_flush_tlb_all(), flush_tlb_kernel_range(), __flush_tlb_kernel_pgtable().
 * Deviation: the barriers have no model; the counters are the model's own.
 */
#include "arch/arm64/include/asm/tlbflush.h"

#include "arch/arm64/include/asm/pgtable.h"
#include "hw/cpu.h"
#include "hw/mmu.h"

/* One TLBI by the current CPU, broadcast to the Inner Shareable domain (the *IS forms). */
static void kernel_tlbi(struct kmm_kernel *k, enum mmu_tlbi_op op, uint64_t xt)
{
	struct hw_cpu *cpu = &k->hw->cpus[smp_processor_id(k)];

	mmu_tlbi(k->hw, cpu, op, xt, true, NULL);
}

/* __TLBI_VADDR(addr, 0): VA[55:12] in Xt[43:0], ASID 0. */
static uint64_t tlbi_vaddr(uint64_t addr)
{
	return (addr >> 12) & ((1ull << 44) - 1);
}

void flush_tlb_all(struct kmm_kernel *k)
{
	kernel_tlbi(k, MMU_TLBI_VMALLE1, 0);
	k->tlbflush.all++;
}

void local_flush_tlb_all(struct kmm_kernel *k, int cpu)
{
	mmu_tlbi(k->hw, &k->hw->cpus[cpu], MMU_TLBI_VMALLE1, 0, false, NULL);
	k->tlbflush.local_all++;
}

void flush_tlb_kernel_range(struct kmm_kernel *k, uint64_t start, uint64_t end)
{
	if (end - start > PTRS_PER_PTE * PAGE_SIZE) {
		flush_tlb_all(k);
		return;
	}
	for (uint64_t addr = start & PAGE_MASK; addr < end; addr += PAGE_SIZE)
		kernel_tlbi(k, MMU_TLBI_VAALE1, tlbi_vaddr(addr));
	k->tlbflush.kernel_range++;
}

void __flush_tlb_kernel_pgtable(struct kmm_kernel *k, uint64_t addr)
{
	kernel_tlbi(k, MMU_TLBI_VAAE1, tlbi_vaddr(addr));
	k->tlbflush.kernel_pgtable++;
}
