/*
 * Address-space switching and the ASID allocator's interface: what the scheduler calls when
 * a CPU starts running another mm, and what boot and exit need.
 *
 * Models (Linux 6.1): arch/arm64/include/asm/mmu_context.h (switch_mm(), __switch_mm(),
 *         cpu_set_reserved_ttbr0(), cpu_switch_mm(), init_new_context()),
 *         arch/arm64/include/asm/mmu.h (ASID()), arch/arm64/mm/context.c (the allocator:
 *         check_and_switch_context(), arm64_mm_context_get/put(), cpu_do_switch_mm()).
 * Deviation: "the current CPU" is an argument (@cpu), not smp_processor_id(); the kernel's
 *         init_mm is spelled NULL (a kernel thread has no user mm).
 *
 * The ASID lives in TTBR1_EL1 (the kernel runs with TCR_EL1.A1 = 1); TTBR0_EL1 holds the
 * user pgd (plus CnP when the CPU has FEAT_TTCNP), or reserved_pg_dir (an empty table) for a
 * kernel thread. mm->context.id is generation << 16 | ASID (see context.c).
 */
#ifndef KMM_ARCH_ARM64_ASM_MMU_CONTEXT_H
#define KMM_ARCH_ARM64_ASM_MMU_CONTEXT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mm/mm_types.h"

struct kmm_kernel;

/* Models: arch/arm64/include/asm/mmu.h:ASID(): the hardware ASID of @mm (0: none yet). */
#define ASID(mm) ((uint16_t)((mm)->context.id & 0xffff))

/* What the allocator did since boot (the debugfs-like view /sys/kernel/debug/kmm/asid). */
struct asid_stats {
	uint32_t asid_bits;	  /* 8 or 16, from ID_AA64MMFR0_EL1.ASIDBits */
	uint64_t generation;	  /* current generation (asid_generation >> 16) */
	uint64_t switches;	  /* check_and_switch_context() calls */
	uint64_t fastpath;	  /* ... that kept the CPU's active ASID without the lock */
	uint64_t allocations;	  /* new_context() that took a fresh ASID from the bitmap */
	uint64_t reused;	  /* new_context() that kept the mm's ASID in a new generation */
	uint64_t rollovers;	  /* generation bumps (flush_context()) */
	uint64_t pending_flushes; /* local TLB flushes done for tlb_flush_pending */
	uint64_t reserved_ttbr0;  /* cpu_set_reserved_ttbr0() calls */
	uint64_t pinned, pinned_peak; /* ASIDs pinned now / at most (arm64_mm_context_get) */
};

/* Models: init_new_context(): a fresh mm has no ASID and no pins. Never fails. */
static inline void init_new_context(struct mm_struct *mm)
{
	mm->context.id = 0;
	mm->context.pinned = 0;
}

/*
 * Models: context.c:asids_init() (early_initcall): reads the ASID width from the boot CPU's
 * ID_AA64MMFR0_EL1 and allocates the bitmaps (kmalloc-8k objects for 16-bit ASIDs, as
 * bitmap_zalloc takes them). Returns 0, or -ENOMEM (nothing left allocated).
 */
int asids_init(struct kmm_kernel *k);
/*
 * Models: asids_update_limit() (arch_initcall): max_pinned_asids, and the boot message "ASID
 * allocator initialised with N entries". Needs asids_init() done.
 */
void asids_update_limit(struct kmm_kernel *k);
/* Frees the allocator state (machine teardown). Safe when asids_init never ran. */
void asids_fini(struct kmm_kernel *k);
/* The allocator's invariants (context.c header); false with the reason. Changes nothing. */
bool asid_check(const struct kmm_kernel *k, char *why, size_t whylen);
/* Copies the counters into *@st. Changes nothing. */
void asid_stats_get(const struct kmm_kernel *k, struct asid_stats *st);
/* The debugfs-like views (/sys/kernel/debug/kmm/asid, .../tlbflush) are in mm/views.h. */

/*
 * Models: check_and_switch_context(): gives @mm an ASID of the current generation (a new one,
 * or after a rollover its old one if still free or reserved), does the CPU's pending local
 * TLB flush, marks the ASID active on @cpu, then programs @cpu's TTBR0_EL1 (mm->pgd) and
 * TTBR1_EL1.ASID. @mm must be a user mm with a pgd. Changes no other CPU's registers.
 */
void check_and_switch_context(struct kmm_kernel *k, struct mm_struct *mm, int cpu);

/*
 * Models: switch_mm(): nothing when @prev == @next; @next NULL (init_mm: a kernel thread or
 * an exiting task) sets the reserved TTBR0; otherwise check_and_switch_context(). @prev is
 * only compared (it may be NULL).
 */
void switch_mm(struct kmm_kernel *k, struct mm_struct *prev, struct mm_struct *next, int cpu);

/*
 * Models: cpu_set_reserved_ttbr0(): TTBR0_EL1 of @cpu := reserved_pg_dir, so no user
 * translation can be walked; TTBR1_EL1 (and its ASID) and the TLB are left as they are.
 */
void cpu_set_reserved_ttbr0(struct kmm_kernel *k, int cpu);

/*
 * Models: arm64_mm_context_get()/arm64_mm_context_put(): pin @mm's ASID so that rollovers
 * keep it (SVA/IOMMU users). get returns the ASID, or 0 when max_pinned_asids are already
 * pinned (then nothing changed); put drops one pin.
 */
unsigned long arm64_mm_context_get(struct kmm_kernel *k, struct mm_struct *mm);
void arm64_mm_context_put(struct kmm_kernel *k, struct mm_struct *mm);

/* The ASID currently active on @cpu (active_asids: 0 after a rollover until it switches). */
uint64_t asid_active_on(const struct kmm_kernel *k, int cpu);

#endif /* KMM_ARCH_ARM64_ASM_MMU_CONTEXT_H */
