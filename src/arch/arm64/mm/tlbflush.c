/*
 * TLB maintenance for kernel and user mappings, issued as TLBI instructions to the MMU model.
 * The kernel has these inline in its header; here they are functions so that the hardware's
 * headers stay in the arch folder, and they count what they issue (struct tlbflush_stats).
 *
 * Models: arch/arm64/include/asm/tlbflush.h (Linux 6.1): __TLBI_VADDR(), __tlbi_level(),
 *         __TLBI_VADDR_RANGE(), __TLBI_RANGE_NUM(), flush_tlb_all(), local_flush_tlb_all(),
 *         flush_tlb_kernel_range(), __flush_tlb_kernel_pgtable(), flush_tlb_mm(),
 *         flush_tlb_page_nosync(), flush_tlb_page(), __flush_tlb_range(), flush_tlb_range().
 * Deviation: the barriers have no model; the counters are the model's own. KPTI is off on
 *         both CPU models, so __tlbi_user() (the second TLBI for the user ASID) never issues.
 *
 * CPU features the user flushes read from the boot CPU's ID registers (the kernel's system
 * capabilities): FEAT_TLBIRANGE (ID_AA64ISAR0_EL1.TLB >= 2) enables range TLBIs, FEAT_TTL
 * (ID_AA64MMFR2_EL1.TTL) the level hint in Xt[47:44]. cortex-a57 has neither; max has both.
 */
#include "arch/arm64/include/asm/tlbflush.h"

#include "arch/arm64/include/asm/pgtable.h"
#include "arch/arm64/include/asm/mmu_context.h"
#include "hw/cpu.h"
#include "hw/mmu.h"
#include "hw/mmu_defs.h"

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

/* ---- user mappings ------------------------------------------------------------------- */

#define TLBI_TTL_TG_4K 1
/* Models: MAX_TLBI_RANGE_PAGES: __TLBI_RANGE_PAGES(31, 3), the most one range TLBI covers. */
#define TLBI_RANGE_PAGES(num, scale) ((uint64_t)((num) + 1) << (5 * (scale) + 1))
#define MAX_TLBI_RANGE_PAGES	     TLBI_RANGE_PAGES(31, 3)

static const struct hw_cpu_features *boot_cpu_feat(const struct kmm_kernel *k)
{
	return k->hw->cpus[0].feat;
}

/* Models: system_supports_tlb_range(). */
static bool system_supports_tlb_range(const struct kmm_kernel *k)
{
	return FIELD64(boot_cpu_feat(k)->isar0, ID_AA64ISAR0_TLB_SHIFT, 4) >= 2;
}

/* Models: cpus_have_const_cap(ARM64_HAS_ARMv8_4_TTL). */
static bool system_has_ttl(const struct kmm_kernel *k)
{
	return FIELD64(boot_cpu_feat(k)->mmfr2, ID_AA64MMFR2_TTL_SHIFT, 4) != 0;
}

/* Models: __TLBI_VADDR(addr, asid). */
static uint64_t tlbi_vaddr_asid(uint64_t addr, uint16_t asid)
{
	return tlbi_vaddr(addr) | (uint64_t)asid << 48;
}

/* One user TLBI by the current CPU, broadcast, counted. */
static void user_tlbi(struct kmm_kernel *k, enum mmu_tlbi_op op, uint64_t xt)
{
	kernel_tlbi(k, op, xt);
	k->tlbflush.user_tlbi++;
}

/* Models: __tlbi_level(): the TTL hint (granule, level) in Xt[47:44] when FEAT_TTL is there. */
static void tlbi_level(struct kmm_kernel *k, enum mmu_tlbi_op op, uint64_t xt, int level)
{
	if (system_has_ttl(k) && level) {
		uint64_t ttl = (uint64_t)(level & 3) | TLBI_TTL_TG_4K << 2;

		xt = (xt & ~(0xfull << 44)) | ttl << 44;
	}
	user_tlbi(k, op, xt);
}

/* Models: __TLBI_VADDR_RANGE(). */
static uint64_t tlbi_vaddr_range(uint64_t addr, uint16_t asid, int scale, int num, int ttl)
{
	uint64_t ta = (addr >> PAGE_SHIFT) & ((1ull << 37) - 1);

	ta |= (uint64_t)ttl << 37;
	ta |= (uint64_t)num << 39;
	ta |= (uint64_t)scale << 44;
	ta |= (uint64_t)TLBI_TTL_TG_4K << 46;
	ta |= (uint64_t)asid << 48;
	return ta;
}

void flush_tlb_mm(struct kmm_kernel *k, struct mm_struct *mm)
{
	user_tlbi(k, MMU_TLBI_ASIDE1, tlbi_vaddr_asid(0, ASID(mm)));
	k->tlbflush.mm++;
}

void flush_tlb_page_nosync(struct kmm_kernel *k, struct vm_area_struct *vma, uint64_t uaddr)
{
	user_tlbi(k, MMU_TLBI_VALE1, tlbi_vaddr_asid(uaddr, ASID(vma->vm_mm)));
	k->tlbflush.page++;
}

void flush_tlb_page(struct kmm_kernel *k, struct vm_area_struct *vma, uint64_t uaddr)
{
	flush_tlb_page_nosync(k, vma, uaddr);
}

void __flush_tlb_range(struct kmm_kernel *k, struct vm_area_struct *vma, uint64_t start,
		       uint64_t end, uint64_t stride, bool last_level, int tlb_level)
{
	bool range = system_supports_tlb_range(k);
	uint16_t asid = ASID(vma->vm_mm);
	uint64_t pages;
	int scale = 0;

	start &= ~(stride - 1);
	end = (end + stride - 1) & ~(stride - 1);
	pages = (end - start) >> PAGE_SHIFT;
	if ((!range && end - start >= MAX_TLBI_OPS * stride) || pages >= MAX_TLBI_RANGE_PAGES) {
		flush_tlb_mm(k, vma->vm_mm);
		k->tlbflush.range_to_mm++;
		return;
	}
	while (pages > 0) {
		int num;

		if (!range || pages % 2 == 1) {
			tlbi_level(k, last_level ? MMU_TLBI_VALE1 : MMU_TLBI_VAE1,
				   tlbi_vaddr_asid(start, asid), tlb_level);
			start += stride;
			pages -= stride >> PAGE_SHIFT;
			continue;
		}
		num = (int)((pages >> (5 * scale + 1)) & 0x1f) - 1; /* __TLBI_RANGE_NUM */
		if (num >= 0) {
			user_tlbi(k, last_level ? MMU_TLBI_RVALE1 : MMU_TLBI_RVAE1,
				  tlbi_vaddr_range(start, asid, scale, num, tlb_level));
			k->tlbflush.range_tlbi++;
			start += TLBI_RANGE_PAGES(num, scale) << PAGE_SHIFT;
			pages -= TLBI_RANGE_PAGES(num, scale);
		}
		scale++;
	}
	k->tlbflush.range++;
}

void flush_tlb_range(struct kmm_kernel *k, struct vm_area_struct *vma, uint64_t start, uint64_t end)
{
	__flush_tlb_range(k, vma, start, end, PAGE_SIZE, false, 0);
}
