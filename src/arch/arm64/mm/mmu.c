/*
 * The kernel's page tables: paging_init() builds swapper_pg_dir in simulated RAM (the kernel
 * image in its five segments at KIMAGE_VADDR, the linear map of all memory, the idmap), then
 * points every CPU's TTBR1_EL1 at it with the kernel's TCR_EL1 and MAIR_EL1 and turns the MMU
 * on. Later the kernel tightens permissions (mark_linear_text_alias_ro, mark_rodata_ro) with
 * the TLB flushes that need, and vmalloc uses the block helpers at the bottom.
 *
 * Models: arch/arm64/mm/mmu.c (Linux 6.1): early_pgtable_alloc(), pgattr_change_is_safe(),
 *         init_pte(), alloc_init_cont_pte(), init_pmd(), alloc_init_cont_pmd(),
 *         alloc_init_pud(), __create_pgd_mapping(), update_mapping_prot(), map_mem(),
 *         map_kernel_segment(), map_kernel(), create_idmap(), paging_init(),
 *         mark_linear_text_alias_ro(), mark_rodata_ro(), p?d_set_huge(), p?d_clear_huge(),
 *         pmd_free_pte_page(), pud_free_pmd_page(); arch/arm64/mm/proc.S:__cpu_setup() (the
 *         TCR_EL1/MAIR_EL1 values). The TLB flushes it needs are in tlbflush.c.
 * Leaves out: the fixmap (its tables live in the image and nothing here maps through it), the
 *         vmemmap mapping (struct pages are host memory; its two table pages stay in the
 *         boot tests' -reserve), KFENCE, crashkernel, KPTI and the trampoline, BTI's PTE_GP
 *         (the reference CPU, a Cortex-A57, has no BTI), memory hotplug.
 * Deviation: the image's static page-table pages are placed as 6.1's linker script lays them
 *         out at the end of .rodata (idmap_pg_dir, tramp_pg_dir, reserved_pg_dir,
 *         swapper_pg_dir, then __init_begin), assuming no alignment padding before
 *         __init_begin. The idmap covers two pages whose exact addresses are not known (the
 *         first page of .text for __idmap_text, the first page of .data for the KPTI flag):
 *         what matters — four table pages from memblock — is the kernel's.
 *
 * Invariants (pgtable_check):
 *  1. Every CPU's TTBR1_EL1 holds swapper_pg_dir and its TCR_EL1.T1SZ is 16 (48-bit VA).
 *  2. Every page of memory memblock maps (not NOMAP) is mapped in the linear map, at
 *     __va(pa), to pa, Normal memory, never executable, readable.
 *  3. Every table descriptor reachable from swapper_pg_dir points at a RAM page.
 *  4. The table pages below swapper_pg_dir that came from the buddy allocator number
 *     nr_kernel_pgtables (pgtable_place_walk, run by mm_init_check).
 */
#include "arch/arm64/include/asm/pgtable.h"
#include "arch/arm64/include/asm/tlbflush.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "hw/cpu.h"
#include "hw/mmu.h"
#include "hw/mmu_defs.h"
#include "lib/bug.h"
#include "mm/gfp.h"
#include "mm/page_place.h"
#include "mm/vmalloc.h"

#define KMM_FILE "arch/arm64/mm/mmu.c"

#define NO_BLOCK_MAPPINGS (1 << 0)
#define NO_CONT_MAPPINGS  (1 << 1)
#define NO_EXEC_MAPPINGS  (1 << 2)

typedef phys_addr_t (*pgtable_alloc_fn)(struct kmm_kernel *k, int shift);

/* ---- building mappings ---------------------------------------------------------------- */

/* A kernel BUG_ON in page-table code: the machine dies (boot fails when there is no API). */
static int mmu_bug(struct kmm_kernel *k, const char *function, const char *condition, uint64_t addr)
{
	__bug(k->env, BUG_SITE(0, function, condition), "%s for 0x%016" PRIx64 "\n", condition,
	      addr);
	return -EINVAL;
}

/* Models: early_pgtable_alloc(): a zeroed page from memblock; panics when there is none. */
static phys_addr_t early_pgtable_alloc(struct kmm_kernel *k, int shift)
{
	phys_addr_t pa;
	void *p;

	(void)shift;
	k->memblock.caller = "early_pgtable_alloc";
	pa = memblock_phys_alloc_range(&k->memblock, PAGE_SIZE, PAGE_SIZE, 0,
				       MEMBLOCK_ALLOC_NOLEAKTRACE);
	p = pa ? pgtable_host(k, pa) : NULL;
	if (!p) {
		env_error(k->env, KMM_ENOMEM, "Failed to allocate page table page");
		return 0;
	}
	memset(p, 0, PAGE_SIZE);
	k->nr_early_pgtables++;
	return pa;
}

bool pgattr_change_is_safe(uint64_t old, uint64_t new_)
{
	pteval_t mask = PTE_PXN | PTE_RDONLY | PTE_WRITE | PTE_NG;
	uint64_t oi = old & PTE_ATTRINDX_MASK, ni = new_ & PTE_ATTRINDX_MASK;

	if (old == 0 || new_ == 0)
		return true; /* creating or taking down a mapping */
	if ((old | new_) & PTE_CONT)
		return false; /* live contiguous ranges are never changed */
	if (old & ~new_ & PTE_NG)
		return false; /* non-global to global */
	if ((oi == PTE_ATTRINDX(MT_NORMAL) || oi == PTE_ATTRINDX(MT_NORMAL_TAGGED)) &&
	    (ni == PTE_ATTRINDX(MT_NORMAL) || ni == PTE_ATTRINDX(MT_NORMAL_TAGGED)))
		mask |= PTE_ATTRINDX_MASK;
	return ((old ^ new_) & ~mask) == 0;
}

/* Models: init_pte(). */
static int init_pte(struct kmm_kernel *k, pmd_t *pmdp, uint64_t addr, uint64_t end,
		    phys_addr_t phys, pgprot_t prot)
{
	pte_t *ptep = pte_offset_kernel(k, pmdp, addr);

	do {
		pte_t old = *ptep;

		set_pte(ptep, pfn_pte(PHYS_PFN(phys), prot));
		if (!pgattr_change_is_safe(pte_val(old), pte_val(*ptep)))
			return mmu_bug(k, "init_pte", "!pgattr_change_is_safe(old, new)", addr);
		phys += PAGE_SIZE;
	} while (ptep++, addr += PAGE_SIZE, addr != end);
	return 0;
}

/* Models: alloc_init_cont_pte(). */
static int alloc_init_cont_pte(struct kmm_kernel *k, pmd_t *pmdp, uint64_t addr, uint64_t end,
			       phys_addr_t phys, pgprot_t prot, pgtable_alloc_fn pgtable_alloc,
			       int flags)
{
	pmd_t pmd = *pmdp;
	uint64_t next;

	if (pmd_sect(pmd))
		return mmu_bug(k, "alloc_init_cont_pte", "pmd_sect(pmd)", addr);
	if (pmd_none(pmd)) {
		pteval_t pmdval = PMD_TYPE_TABLE | PMD_TABLE_UXN;
		phys_addr_t pte_phys;

		if (flags & NO_EXEC_MAPPINGS)
			pmdval |= PMD_TABLE_PXN;
		if (!pgtable_alloc)
			return mmu_bug(k, "alloc_init_cont_pte", "!pgtable_alloc", addr);
		pte_phys = pgtable_alloc(k, PAGE_SHIFT);
		if (!pte_phys)
			return -ENOSPC;
		__pmd_populate(pmdp, pte_phys, pmdval);
		pmd = *pmdp;
	}
	if (pmd_bad(pmd))
		return mmu_bug(k, "alloc_init_cont_pte", "pmd_bad(pmd)", addr);
	do {
		pgprot_t p = prot;
		int ret;

		next = pte_cont_addr_end(addr, end);
		if (((addr | next | phys) & ~CONT_PTE_MASK) == 0 && !(flags & NO_CONT_MAPPINGS))
			p = __pgprot(pgprot_val(prot) | PTE_CONT);
		ret = init_pte(k, pmdp, addr, next, phys, p);
		if (ret)
			return ret;
		phys += next - addr;
	} while (addr = next, addr != end);
	return 0;
}

/* Models: init_pmd(). */
static int init_pmd(struct kmm_kernel *k, pud_t *pudp, uint64_t addr, uint64_t end,
		    phys_addr_t phys, pgprot_t prot, pgtable_alloc_fn pgtable_alloc, int flags)
{
	pmd_t *pmdp = pmd_offset(k, pudp, addr);
	uint64_t next;

	do {
		pmd_t old = *pmdp;
		int ret = 0;

		next = pmd_addr_end(addr, end);
		if (((addr | next | phys) & ~PMD_MASK) == 0 && !(flags & NO_BLOCK_MAPPINGS)) {
			pmd_set_huge(pmdp, phys, prot);
			if (!pgattr_change_is_safe(pmd_val(old), pmd_val(*pmdp)))
				return mmu_bug(k, "init_pmd", "!pgattr_change_is_safe(old, new)",
					       addr);
		} else {
			ret = alloc_init_cont_pte(k, pmdp, addr, next, phys, prot, pgtable_alloc,
						  flags);
			if (ret)
				return ret;
			if (pmd_val(old) != 0 && pmd_val(old) != pmd_val(*pmdp))
				return mmu_bug(k, "init_pmd", "pmd_val(old_pmd) changed", addr);
		}
		phys += next - addr;
	} while (pmdp++, addr = next, addr != end);
	return 0;
}

/* Models: alloc_init_cont_pmd(). */
static int alloc_init_cont_pmd(struct kmm_kernel *k, pud_t *pudp, uint64_t addr, uint64_t end,
			       phys_addr_t phys, pgprot_t prot, pgtable_alloc_fn pgtable_alloc,
			       int flags)
{
	pud_t pud = *pudp;
	uint64_t next;

	if (pud_sect(pud))
		return mmu_bug(k, "alloc_init_cont_pmd", "pud_sect(pud)", addr);
	if (pud_none(pud)) {
		pteval_t pudval = PUD_TYPE_TABLE | PUD_TABLE_UXN;
		phys_addr_t pmd_phys;

		if (flags & NO_EXEC_MAPPINGS)
			pudval |= PUD_TABLE_PXN;
		if (!pgtable_alloc)
			return mmu_bug(k, "alloc_init_cont_pmd", "!pgtable_alloc", addr);
		pmd_phys = pgtable_alloc(k, PMD_SHIFT);
		if (!pmd_phys)
			return -ENOSPC;
		__pud_populate(pudp, pmd_phys, pudval);
		pud = *pudp;
	}
	if (pud_bad(pud))
		return mmu_bug(k, "alloc_init_cont_pmd", "pud_bad(pud)", addr);
	do {
		pgprot_t p = prot;
		int ret;

		next = pmd_cont_addr_end(addr, end);
		if (((addr | next | phys) & ~CONT_PMD_MASK) == 0 && !(flags & NO_CONT_MAPPINGS))
			p = __pgprot(pgprot_val(prot) | PTE_CONT);
		ret = init_pmd(k, pudp, addr, next, phys, p, pgtable_alloc, flags);
		if (ret)
			return ret;
		phys += next - addr;
	} while (addr = next, addr != end);
	return 0;
}

/* Models: alloc_init_pud(). pud_sect_supported(): 1 GiB blocks exist with 4 KiB pages. */
static int alloc_init_pud(struct kmm_kernel *k, pgd_t *pgdp, uint64_t addr, uint64_t end,
			  phys_addr_t phys, pgprot_t prot, pgtable_alloc_fn pgtable_alloc,
			  int flags)
{
	p4d_t *p4dp = p4d_offset(pgdp, addr);
	uint64_t next;
	pud_t *pudp;

	if (p4d_none(*p4dp)) {
		pteval_t p4dval = P4D_TYPE_TABLE | P4D_TABLE_UXN;
		phys_addr_t pud_phys;

		if (flags & NO_EXEC_MAPPINGS)
			p4dval |= P4D_TABLE_PXN;
		if (!pgtable_alloc)
			return mmu_bug(k, "alloc_init_pud", "!pgtable_alloc", addr);
		pud_phys = pgtable_alloc(k, PUD_SHIFT);
		if (!pud_phys)
			return -ENOSPC;
		__p4d_populate(p4dp, pud_phys, p4dval);
	}
	if (p4d_bad(*p4dp))
		return mmu_bug(k, "alloc_init_pud", "p4d_bad(p4d)", addr);
	pudp = pud_offset(k, p4dp, addr);
	do {
		pud_t old = *pudp;
		int ret;

		next = pud_addr_end(addr, end);
		if (((addr | next | phys) & ~PUD_MASK) == 0 && !(flags & NO_BLOCK_MAPPINGS)) {
			pud_set_huge(pudp, phys, prot);
			if (!pgattr_change_is_safe(pud_val(old), pud_val(*pudp)))
				return mmu_bug(k, "alloc_init_pud",
					       "!pgattr_change_is_safe(old, new)", addr);
		} else {
			ret = alloc_init_cont_pmd(k, pudp, addr, next, phys, prot, pgtable_alloc,
						  flags);
			if (ret)
				return ret;
			if (pud_val(old) != 0 && pud_val(old) != pud_val(*pudp))
				return mmu_bug(k, "alloc_init_pud", "pud_val(old_pud) changed",
					       addr);
		}
		phys += next - addr;
	} while (pudp++, addr = next, addr != end);
	return 0;
}

/*
 * Models: __create_pgd_mapping(): maps [virt, virt + size) to phys in the pgd at @pgd_pa.
 * Returns 0, -ENOSPC (no page for a table: the kernel panics) or -EINVAL (a BUG_ON).
 */
static int __create_pgd_mapping(struct kmm_kernel *k, phys_addr_t pgd_pa, phys_addr_t phys,
				uint64_t virt, phys_addr_t size, pgprot_t prot,
				pgtable_alloc_fn pgtable_alloc, int flags)
{
	uint64_t addr, end, next;
	pgd_t *pgdp = pgd_offset_pgd(k, pgd_pa, virt);

	if (WARN_ON(k->env, (phys ^ virt) & ~PAGE_MASK))
		return 0;
	phys &= PAGE_MASK;
	addr = virt & PAGE_MASK;
	end = (virt + size + PAGE_SIZE - 1) & PAGE_MASK;
	do {
		int ret;

		next = pgd_addr_end(addr, end);
		ret = alloc_init_pud(k, pgdp, addr, next, phys, prot, pgtable_alloc, flags);
		if (ret)
			return ret;
		phys += next - addr;
	} while (pgdp++, addr = next, addr != end);
	return 0;
}

/* Models: update_mapping_prot(): change a live kernel mapping's permissions, then flush. */
static void update_mapping_prot(struct kmm_kernel *k, phys_addr_t phys, uint64_t virt,
				phys_addr_t size, pgprot_t prot)
{
	if (virt < PAGE_OFFSET) {
		env_printk(k->env,
			   "BUG: not updating mapping for 0x%016" PRIx64 " at 0x%016" PRIx64
			   " - outside kernel range\n",
			   phys, virt);
		return;
	}
	__create_pgd_mapping(k, k->swapper_pg_dir, phys, virt, size, prot, NULL, NO_CONT_MAPPINGS);
	flush_tlb_kernel_range(k, virt, virt + size);
}

/* ---- paging_init ---------------------------------------------------------------------- */

/* Models: map_kernel_segment(): one image segment, and its early vm area. */
static int map_kernel_segment(struct kmm_kernel *k, phys_addr_t pa_start, phys_addr_t pa_end,
			      pgprot_t prot, int flags, unsigned long vm_flags, const char *caller)
{
	uint64_t va_start = __phys_to_kimg(k, pa_start);
	uint64_t size = pa_end - pa_start;
	int ret;

	if ((pa_start | size) & ~PAGE_MASK)
		return mmu_bug(k, "map_kernel_segment", "!PAGE_ALIGNED(pa_start or size)",
			       va_start);
	ret = __create_pgd_mapping(k, k->swapper_pg_dir, pa_start, va_start, size, prot,
				   early_pgtable_alloc, flags);
	if (ret)
		return ret;
	if (!(vm_flags & VM_NO_GUARD))
		size += PAGE_SIZE;
	return vm_area_add_early(k, va_start, pa_start, size, VM_MAP | vm_flags, caller);
}

/*
 * Models: map_kernel(). The five segments in the order (and with the vm area callers) of
 * the reference kernel's /proc/vmallocinfo; text is ROX unless rodata=off.
 */
static int map_kernel(struct kmm_kernel *k)
{
	const struct kernel_image *im = &k->image;
	pgprot_t text_prot = k->rodata_enabled ? PAGE_KERNEL_ROX : PAGE_KERNEL_EXEC;
	int ret;

	ret = map_kernel_segment(k, im->text, im->etext, text_prot, 0, VM_NO_GUARD,
				 "paging_init+0x130/0x610");
	if (!ret)
		ret = map_kernel_segment(k, im->start_rodata, im->init_begin, PAGE_KERNEL,
					 NO_CONT_MAPPINGS, VM_NO_GUARD, "paging_init+0x170/0x610");
	if (!ret)
		ret = map_kernel_segment(k, im->init_begin, im->inittext_end, text_prot, 0,
					 VM_NO_GUARD, "paging_init+0x19c/0x610");
	if (!ret)
		ret = map_kernel_segment(k, im->initdata_begin, im->init_end, PAGE_KERNEL, 0,
					 VM_NO_GUARD, "paging_init+0x1cc/0x610");
	if (!ret)
		ret = map_kernel_segment(k, im->sdata, im->end, PAGE_KERNEL, 0, 0,
					 "paging_init+0x1f8/0x610");
	return ret;
}

/* Models: __map_memblock(). */
static int __map_memblock(struct kmm_kernel *k, phys_addr_t start, phys_addr_t end, pgprot_t prot,
			  int flags)
{
	return __create_pgd_mapping(k, k->swapper_pg_dir, start, __va(k, start), end - start, prot,
				    early_pgtable_alloc, flags);
}

/*
 * Models: map_mem(). The linear map of every memblock region that is not NOMAP, at page
 * granularity when rodata=full (can_set_direct_map()); the image's [_stext, __init_begin)
 * is skipped there and mapped on its own, without contiguous ranges, so that
 * mark_linear_text_alias_ro() can make it read-only later.
 */
static int map_mem(struct kmm_kernel *k)
{
	phys_addr_t kernel_start = k->image.text, kernel_end = k->image.init_begin, start, end;
	struct memblock *mb = &k->memblock;
	int flags = NO_EXEC_MAPPINGS, ret = 0;
	uint64_t i;

	if (k->rodata_full)
		flags |= NO_BLOCK_MAPPINGS | NO_CONT_MAPPINGS;
	memblock_mark_nomap(mb, kernel_start, kernel_end - kernel_start);
	for_each_mem_range(mb, i, &start, &end)
	{
		if (start >= end)
			break;
		ret = __map_memblock(k, start, end, PAGE_KERNEL, flags);
		if (ret)
			break;
	}
	if (!ret)
		ret = __map_memblock(k, kernel_start, kernel_end, PAGE_KERNEL, NO_CONT_MAPPINGS);
	memblock_clear_nomap(mb, kernel_start, kernel_end - kernel_start);
	return ret;
}

/*
 * Models: create_idmap(): the identity map of the idmap text (TTBR0, 48-bit: no extra
 * level) and, with CONFIG_UNMAP_KERNEL_AT_EL0, of the KPTI synchronisation flag in .data.
 */
static int create_idmap(struct kmm_kernel *k)
{
	phys_addr_t text = k->image.text, flag = k->image.sdata;
	int ret;

	ret = __create_pgd_mapping(k, k->idmap_pg_dir, text, text, PAGE_SIZE, PAGE_KERNEL_ROX,
				   early_pgtable_alloc, 0);
	if (!ret)
		ret = __create_pgd_mapping(k, k->idmap_pg_dir, flag, flag, sizeof(uint32_t),
					   PAGE_KERNEL, early_pgtable_alloc, 0);
	return ret;
}

/*
 * The kernel's TCR_EL1 on @cpu (__cpu_setup): 48-bit VAs both halves, WBWA inner/outer
 * table walks, inner shareable, 4 KiB granules, 16-bit ASIDs in TTBR1 (A1), TBI0, and the
 * MTE flags TBI1/TBID1; IPS from ID_AA64MMFR0_EL1.PARange capped at 48 bits; HA and HD when
 * the CPU has FEAT_HAFDBS (CONFIG_ARM64_HW_AFDBM).
 */
static uint64_t kernel_tcr_el1(const struct hw_cpu *cpu)
{
	uint64_t ips = cpu->feat->mmfr0 & 0xf, tcr;

	tcr = (64ull - VA_BITS) << TCR_EL1_T0SZ_SHIFT | (64ull - VA_BITS) << TCR_EL1_T1SZ_SHIFT;
	tcr |= 1ull << 8 | 1ull << 10 | 3ull << 12;  /* IRGN0, ORGN0 WBWA, SH0 inner */
	tcr |= 1ull << 24 | 1ull << 26 | 3ull << 28; /* IRGN1, ORGN1 WBWA, SH1 inner */
	tcr |= (uint64_t)TCR_TG0_4K << TCR_EL1_TG0_SHIFT | (uint64_t)TCR_TG1_4K
								   << TCR_EL1_TG1_SHIFT;
	tcr |= (ips > 5 ? 5 : ips) << TCR_EL1_IPS_SHIFT;
	tcr |= TCR_EL1_AS | TCR_EL1_A1 | TCR_EL1_TBI0 | TCR_EL1_TBI1 | 1ull << 52; /* TBID1 */
	if (cpu->feat->hafdbs)
		tcr |= TCR_EL1_HA | TCR_EL1_HD;
	return tcr;
}

/*
 * Models: __cpu_setup() + cpu_replace_ttbr1() + cpu_set_reserved_ttbr0() on every CPU:
 * MAIR_EL1, TCR_EL1, TTBR1_EL1 = swapper_pg_dir (ASID 0), TTBR0_EL1 = reserved_pg_dir (an
 * empty table: user addresses fault), MMU and caches on; then a local TLB flush.
 */
static int cpu_install_kernel_tables(struct kmm_kernel *k)
{
	for (uint32_t c = 0; c < k->hw->nr_cpus; c++) {
		struct hw_cpu *cpu = &k->hw->cpus[c];

		if (!hw_cpu_set_reg(k->hw, cpu, HW_REG_MAIR_EL1, MAIR_EL1_SET) ||
		    !hw_cpu_set_reg(k->hw, cpu, HW_REG_TCR_EL1, kernel_tcr_el1(cpu)) ||
		    !hw_cpu_set_reg(k->hw, cpu, HW_REG_TTBR1_EL1, k->swapper_pg_dir) ||
		    !hw_cpu_set_reg(k->hw, cpu, HW_REG_TTBR0_EL1, k->reserved_pg_dir) ||
		    !hw_cpu_set_reg(k->hw, cpu, HW_REG_SCTLR_EL1,
				    SCTLR_EL1_M | SCTLR_EL1_C | SCTLR_EL1_I))
			return -EINVAL;
		local_flush_tlb_all(k, (int)c);
	}
	return 0;
}

/*
 * Places the image's static page-table pages (see the Deviation above) and clears them, as
 * the loader's zeroed image would have them.
 */
static int place_image_pgdirs(struct kmm_kernel *k)
{
	phys_addr_t top = k->image.init_begin;
	void *p;

	k->swapper_pg_dir = top - PAGE_SIZE;
	k->reserved_pg_dir = top - 2 * PAGE_SIZE;
	k->idmap_pg_dir = top - 4 * PAGE_SIZE; /* tramp_pg_dir sits between */
	for (phys_addr_t pa = k->idmap_pg_dir; pa < top; pa += PAGE_SIZE) {
		p = pgtable_host(k, pa);
		if (!p)
			return -EINVAL;
		memset(p, 0, PAGE_SIZE);
	}
	return 0;
}

int paging_init(struct kmm_kernel *k)
{
	const struct kernel_image *im = &k->image;
	int ret;

	k->rodata_enabled = k->params.rodata != RODATA_OFF;
	k->rodata_full = k->params.rodata == RODATA_FULL;
	k->kimage_voffset = KIMAGE_VADDR - (im->text - TEXT_OFFSET_IN_IMAGE);
	ret = place_image_pgdirs(k);
	if (!ret)
		ret = vmap_state_init(k);
	if (!ret)
		ret = map_kernel(k);
	if (!ret)
		ret = map_mem(k);
	if (!ret)
		ret = cpu_install_kernel_tables(k);
	if (ret)
		return ret;
	k->memblock.caller = "paging_init";
	memblock_phys_free(&k->memblock, im->end - 5 * PAGE_SIZE, 5 * PAGE_SIZE); /* init_pg_dir */
	memblock_allow_resize(&k->memblock);
	return create_idmap(k);
}

void mark_linear_text_alias_ro(struct kmm_kernel *k)
{
	const struct kernel_image *im = &k->image;

	update_mapping_prot(k, im->text, __va(k, im->text), im->init_begin - im->text,
			    PAGE_KERNEL_RO);
}

void mark_rodata_ro(struct kmm_kernel *k)
{
	const struct kernel_image *im = &k->image;

	if (!k->rodata_enabled) {
		env_printk(k->env, "Kernel memory protection disabled.\n");
		return;
	}
	update_mapping_prot(k, im->start_rodata, __phys_to_kimg(k, im->start_rodata),
			    im->init_begin - im->start_rodata, PAGE_KERNEL_RO);
}

/* ---- block mappings ------------------------------------------------------------------- */

int pud_set_huge(pud_t *pudp, phys_addr_t phys, pgprot_t prot)
{
	pud_t new_pud = pfn_pud(PHYS_PFN(phys), mk_pud_sect_prot(prot));

	if (!pgattr_change_is_safe(pud_val(*pudp), pud_val(new_pud)))
		return 0;
	set_pud(pudp, new_pud);
	return 1;
}

int pmd_set_huge(pmd_t *pmdp, phys_addr_t phys, pgprot_t prot)
{
	pmd_t new_pmd = pfn_pmd(PHYS_PFN(phys), mk_pmd_sect_prot(prot));

	if (!pgattr_change_is_safe(pmd_val(*pmdp), pmd_val(new_pmd)))
		return 0;
	set_pmd(pmdp, new_pmd);
	return 1;
}

int pud_clear_huge(pud_t *pudp)
{
	if (!pud_sect(*pudp))
		return 0;
	pud_clear(pudp);
	return 1;
}

int pmd_clear_huge(pmd_t *pmdp)
{
	if (!pmd_sect(*pmdp))
		return 0;
	pmd_clear(pmdp);
	return 1;
}

phys_addr_t pgtable_page_alloc(struct kmm_kernel *k)
{
	struct page *page = alloc_pages(k, GFP_KERNEL | __GFP_ZERO, 0);

	if (!page)
		return 0;
	k->nr_kernel_pgtables++;
	if (k->vmap)
		vmap_stats(k)->pgtable_pages++;
	return PFN_PHYS(page_to_pfn(k, page));
}

void pgtable_page_free(struct kmm_kernel *k, phys_addr_t pa)
{
	k->nr_kernel_pgtables--;
	__free_pages(k, pfn_to_page(k, PHYS_PFN(pa)), 0);
}

/*
 * Models: pmd_free_pte_page(): before a block replaces a table, break: clear the entry,
 * invalidate the walk caches for @addr (TLBI VAAE1IS), then free the table.
 */
int pmd_free_pte_page(struct kmm_kernel *k, pmd_t *pmdp, uint64_t addr)
{
	phys_addr_t table;

	if (!pmd_table(*pmdp))
		return 1; /* VM_WARN_ON: nothing without CONFIG_DEBUG_VM */
	table = pmd_page_paddr(*pmdp);
	pmd_clear(pmdp);
	__flush_tlb_kernel_pgtable(k, addr);
	pgtable_page_free(k, table);
	return 1;
}

/* Models: pud_free_pmd_page(): the same one level up, PTE tables first. */
int pud_free_pmd_page(struct kmm_kernel *k, pud_t *pudp, uint64_t addr)
{
	phys_addr_t table;
	pmd_t *pmdp;

	if (!pud_table(*pudp))
		return 1;
	table = pud_page_paddr(*pudp);
	pmdp = pgtable_host(k, table);
	for (uint64_t next = addr; next != addr + PUD_SIZE; pmdp++, next += PMD_SIZE) {
		if (pmd_present(*pmdp))
			pmd_free_pte_page(k, pmdp, next);
	}
	pud_clear(pudp);
	__flush_tlb_kernel_pgtable(k, addr);
	pgtable_page_free(k, table);
	return 1;
}

/* ---- checks --------------------------------------------------------------------------- */

/*
 * A software walk of swapper_pg_dir: a pointer to the leaf entry for @va and its size
 * shift, or NULL if nothing maps @va.
 */
static const uint64_t *kernel_walk(const struct kmm_kernel *k, uint64_t va, unsigned *shift)
{
	pgd_t *pgdp = pgd_offset_k(k, va);
	p4d_t *p4dp = p4d_offset(pgdp, va);
	pud_t *pudp;
	pmd_t *pmdp;
	pte_t *ptep;

	if (p4d_none(*p4dp) || p4d_bad(*p4dp) || !(pudp = pud_offset(k, p4dp, va)) ||
	    pud_none(*pudp))
		return NULL;
	if (pud_leaf(*pudp))
		return *shift = PUD_SHIFT, &pudp->pud;
	if (!(pmdp = pmd_offset(k, pudp, va)) || pmd_none(*pmdp))
		return NULL;
	if (pmd_leaf(*pmdp))
		return *shift = PMD_SHIFT, &pmdp->pmd;
	if (!(ptep = pte_offset_kernel(k, pmdp, va)) || !pte_valid(*ptep))
		return NULL;
	return *shift = PAGE_SHIFT, &ptep->pte;
}

/* Invariant 2 for one leaf: maps @pa (at @va) as linear memory. */
static bool check_linear_leaf(uint64_t desc, unsigned shift, uint64_t va, phys_addr_t pa, char *why,
			      size_t whylen)
{
	uint64_t out =
		(desc & PTE_ADDR_MASK & ~((1ull << shift) - 1)) | (va & ((1ull << shift) - 1));

	if ((desc & PTE_VALID) && out == pa &&
	    (desc & PTE_ATTRINDX_MASK) == PTE_ATTRINDX(MT_NORMAL) && (desc & PTE_PXN) &&
	    (desc & PTE_UXN) && (desc & PTE_AF))
		return true;
	snprintf(why, whylen,
		 "linear map: 0x%016" PRIx64 " maps pa 0x%" PRIx64 " with 0x%016" PRIx64
		 ", not pa 0x%" PRIx64 " Normal NX",
		 va, out, desc, pa);
	return false;
}

/* Invariant 2 over [start, end): a walk per block, then the rest of each PTE table in turn. */
static bool check_linear_range(const struct kmm_kernel *k, phys_addr_t start, phys_addr_t end,
			       char *why, size_t whylen)
{
	for (phys_addr_t pa = start; pa < end;) {
		uint64_t va = __va(k, pa);
		unsigned shift = 0;
		const uint64_t *leaf = kernel_walk(k, va, &shift);

		if (!leaf) {
			snprintf(why, whylen,
				 "linear map: 0x%016" PRIx64 " (pa 0x%" PRIx64 ") is not mapped",
				 va, pa);
			return false;
		}
		if (shift != PAGE_SHIFT) {
			if (!check_linear_leaf(*leaf, shift, va, pa, why, whylen))
				return false;
			pa = ((pa >> shift) + 1) << shift;
			continue;
		}
		for (unsigned i = (unsigned)pte_index(va); i < PTRS_PER_PTE && pa < end;
		     i++, leaf++, pa += PAGE_SIZE, va += PAGE_SIZE) {
			if (!check_linear_leaf(*leaf, PAGE_SHIFT, va, pa, why, whylen))
				return false;
		}
	}
	return true;
}

/* Invariant 3 for the table at @pa of @level (0..2), recursively. */
static bool check_tables(const struct kmm_kernel *k, phys_addr_t pa, int level, char *why,
			 size_t whylen)
{
	const uint64_t *t = pgtable_host(k, pa);

	if (!t) {
		snprintf(why, whylen, "page tables: level-%d table at pa 0x%" PRIx64 " is not RAM",
			 level, pa);
		return false;
	}
	if (level == 3)
		return true;
	for (int i = 0; i < 512; i++) {
		if ((t[i] & PMD_TYPE_MASK) == PMD_TYPE_TABLE &&
		    !check_tables(k, t[i] & PTE_ADDR_MASK, level + 1, why, whylen))
			return false;
	}
	return true;
}

bool pgtable_check(const struct kmm_kernel *k, char *why, size_t whylen)
{
	phys_addr_t start, end;
	uint64_t i;

	if (!k->swapper_pg_dir)
		return true; /* not booted that far */
	for (uint32_t c = 0; c < k->hw->nr_cpus; c++) {
		const struct hw_cpu *cpu = &k->hw->cpus[c];

		if ((cpu->r.ttbr1_el1 & TTBR_BADDR_MASK) != k->swapper_pg_dir ||
		    FIELD64(cpu->r.tcr_el1, TCR_EL1_T1SZ_SHIFT, 6) != 64 - VA_BITS) {
			snprintf(why, whylen,
				 "CPU %u: TTBR1_EL1 0x%" PRIx64 " / TCR_EL1 0x%" PRIx64
				 " do not select swapper_pg_dir (0x%" PRIx64 ") with 48-bit VAs",
				 c, cpu->r.ttbr1_el1, cpu->r.tcr_el1, k->swapper_pg_dir);
			return false;
		}
	}
	for_each_mem_range((struct memblock *)&k->memblock, i, &start, &end)
	{
		if (!check_linear_range(k, start, end, why, whylen))
			return false;
	}
	return check_tables(k, k->swapper_pg_dir, 0, why, whylen);
}

/* Claims the buddy-allocated tables below the level-@level table at @pa, counting them. */
static bool claim_tables(const struct kmm_kernel *k, struct place_map *map, phys_addr_t pa,
			 int level, unsigned long *nr)
{
	const uint64_t *t = pgtable_host(k, pa);

	if (!t || level == 3)
		return true; /* not RAM: pgtable_check reports it */
	for (int i = 0; i < 512; i++) {
		phys_addr_t next = t[i] & PTE_ADDR_MASK;
		unsigned long pfn = PHYS_PFN(next);

		if ((t[i] & PMD_TYPE_MASK) != PMD_TYPE_TABLE)
			continue;
		if (pfn_valid(k, pfn) && !PageReserved(pfn_to_page(k, pfn))) {
			if (!place_claim(map, PLACE_PGTABLE, pfn, 1))
				return false;
			(*nr)++;
		}
		if (!claim_tables(k, map, next, level + 1, nr))
			return false;
	}
	return true;
}

/*
 * Row PGTABLE (page_place.h): the table pages below swapper_pg_dir that pgtable_page_alloc()
 * took from the buddy allocator (those paging_init() took from memblock are reserved), and
 * invariant 4: they are nr_kernel_pgtables.
 */
bool pgtable_place_walk(const struct kmm_kernel *k, struct place_map *map)
{
	unsigned long nr = 0;

	if (!k->swapper_pg_dir)
		return true;
	if (!claim_tables(k, map, k->swapper_pg_dir, 0, &nr))
		return false;
	if (nr != k->nr_kernel_pgtables)
		return place_fail(map,
				  "page tables: %lu tables from the buddy allocator hang below "
				  "swapper_pg_dir, nr_kernel_pgtables is %lu",
				  nr, k->nr_kernel_pgtables);
	return true;
}
