/*
 * arm64 kernel page tables over simulated RAM: the 48-bit kernel memory layout, descriptor
 * bits and protections, and the pgd/p4d/pud/pmd/pte helpers the kernel uses to read and
 * write them.
 *
 * Models (Linux 6.1): arch/arm64/include/asm/memory.h (layout), pgtable-hwdef.h (bits),
 *         pgtable-prot.h (PAGE_KERNEL and friends), pgtable.h (helpers). The TLB flushes
 *         are in tlbflush.h.
 * Deviation: tables are reached through the host pointer of their simulated page
 *         (phys_to_host) instead of the linear map or the fixmap; the dsb/isb barriers of
 *         set_pte() and friends have no model (a store is visible to the walker at once).
 *         4 KiB pages and 48-bit VAs only (4 levels, the p4d folded into the pgd).
 *
 * Kernel layout (48-bit VA, no KASAN, 4 KiB pages):
 *
 * | start              | end                | what                                      |
 * |--------------------|--------------------|-------------------------------------------|
 * | ffff000000000000   | ffff800000000000   | linear map (PAGE_OFFSET .. PAGE_END)       |
 * | ffff800000000000   | ffff800008000000   | modules (128 MiB)                         |
 * | ffff800008000000   | fffffbfff0000000   | vmalloc (the kernel image at its start)   |
 * | fffffbfffdbf5000   | fffffbfffe000000   | fixmap (1035 slots)                       |
 * | fffffbfffe800000   | fffffbffff800000   | PCI I/O (16 MiB)                          |
 * | fffffc0000000000   | fffffe0000000000   | vmemmap (2 TiB)                           |
 *
 * Descriptor bits the kernel uses (stage 1; hardware bits in src/hw/mmu_defs.h):
 *
 * | bit   | PTE_*          | meaning                                                    |
 * |-------|----------------|------------------------------------------------------------|
 * | 0     | VALID          | valid                                                      |
 * | 1     | TABLE_BIT      | table (L0-L2) / page (L3); clear at L1/L2 = block          |
 * | 4:2   | ATTRINDX       | MAIR index: 0 NORMAL, 1 NORMAL_TAGGED, 2 NORMAL_NC,        |
 * |       |                | 3 DEVICE_nGnRnE, 4 DEVICE_nGnRE                            |
 * | 6     | USER           | AP[1]                                                      |
 * | 7     | RDONLY         | AP[2]                                                      |
 * | 9:8   | SHARED         | inner shareable                                            |
 * | 10    | AF             | access flag                                                |
 * | 11    | NG             | not global                                                 |
 * | 50    | GP             | BTI guarded                                                |
 * | 51    | DBM / WRITE    | writable (hardware dirty bit management)                   |
 * | 52    | CONT           | contiguous (16 entries)                                    |
 * | 53    | PXN            | privileged execute never                                   |
 * | 54    | UXN            | user execute never                                         |
 * | 55    | DIRTY          | software dirty                                             |
 * | 56    | SPECIAL        | software special                                           |
 * | 58    | PROT_NONE      | software, only when !VALID                                 |
 * | 59/60 | TABLE_PXN/UXN  | hierarchical PXNTable/UXNTable (table descriptors)         |
 */
#ifndef KMM_ARCH_ARM64_ASM_PGTABLE_H
#define KMM_ARCH_ARM64_ASM_PGTABLE_H

#include "mm/internal.h"

/* ---- geometry: 4 KiB granule, 4 levels ------------------------------------------------ */

#define VA_BITS	     48
#define PTRS_PER_PTE 512
#define PTRS_PER_PMD 512
#define PTRS_PER_PUD 512
#define PTRS_PER_P4D 1
#define PTRS_PER_PGD 512

#define PMD_SHIFT   21
#define PUD_SHIFT   30
#define PGDIR_SHIFT 39
#define P4D_SHIFT   PGDIR_SHIFT
#define PMD_SIZE    (1UL << PMD_SHIFT)
#define PMD_MASK    (~(PMD_SIZE - 1))
#define PUD_SIZE    (1UL << PUD_SHIFT)
#define PUD_MASK    (~(PUD_SIZE - 1))
#define PGDIR_SIZE  (1UL << PGDIR_SHIFT)
#define PGDIR_MASK  (~(PGDIR_SIZE - 1))
#define P4D_SIZE    PGDIR_SIZE
#define P4D_MASK    PGDIR_MASK

#define CONT_PTE_SHIFT 4 /* CONFIG_ARM64_CONT_PTE_SHIFT */
#define CONT_PMD_SHIFT 4 /* CONFIG_ARM64_CONT_PMD_SHIFT */
#define CONT_PTES      (1UL << CONT_PTE_SHIFT)
#define CONT_PTE_SIZE  (CONT_PTES * PAGE_SIZE)
#define CONT_PTE_MASK  (~(CONT_PTE_SIZE - 1))
#define CONT_PMDS      (1UL << CONT_PMD_SHIFT)
#define CONT_PMD_SIZE  (CONT_PMDS * PMD_SIZE)
#define CONT_PMD_MASK  (~(CONT_PMD_SIZE - 1))

/* ---- the kernel's virtual memory layout (memory.h, pgtable.h, fixmap.h) -------------- */

#define PAGE_END	     0xffff800000000000ul /* _PAGE_END(VA_BITS_MIN) */
#define MODULES_VADDR	     PAGE_END
#define MODULES_VSIZE	     (128ul << 20)
#define MODULES_END	     (MODULES_VADDR + MODULES_VSIZE)
#define KIMAGE_VADDR	     MODULES_END
#define VMEMMAP_SHIFT	     (PAGE_SHIFT - 6) /* STRUCT_PAGE_MAX_SHIFT 6 */
#define VMEMMAP_SIZE	     ((PAGE_END - PAGE_OFFSET) >> VMEMMAP_SHIFT)
#define VMEMMAP_END	     ((unsigned long)VMEMMAP_START + VMEMMAP_SIZE)
#define PCI_IO_SIZE	     (16ul << 20)
#define PCI_IO_END	     ((unsigned long)VMEMMAP_START - (8ul << 20))
#define PCI_IO_START	     (PCI_IO_END - PCI_IO_SIZE)
#define FIXADDR_TOP	     ((unsigned long)VMEMMAP_START - (32ul << 20))
#define FIX_PERMANENT_SLOTS  1035ul /* __end_of_permanent_fixed_addresses (Debian config) */
#define FIXADDR_SIZE	     (FIX_PERMANENT_SLOTS << PAGE_SHIFT)
#define FIXADDR_START	     (FIXADDR_TOP - FIXADDR_SIZE)
#define VMALLOC_START	     MODULES_END
#define VMALLOC_END	     ((unsigned long)VMEMMAP_START - (256ul << 20))
#define TEXT_OFFSET_IN_IMAGE 0x10000ul /* _stext - _text: the 64 KiB image header */
#define ARM64_MEMSTART_ALIGN (1ul << 30)

_Static_assert(VMEMMAP_START == (uint64_t) - (1ull << (VA_BITS - VMEMMAP_SHIFT)),
	       "VMEMMAP_START (internal.h) of 6.1, 48-bit VA");
_Static_assert(VMALLOC_END == 0xfffffbfff0000000ul, "VMALLOC_END of 6.1, 48-bit VA");

/* ---- descriptor bits and memory types ------------------------------------------------ */

#define PTE_VALID	  (1ull << 0)
#define PTE_TABLE_BIT	  (1ull << 1)
#define PTE_TYPE_MASK	  (3ull << 0)
#define PTE_TYPE_PAGE	  (3ull << 0)
#define PTE_USER	  (1ull << 6)
#define PTE_RDONLY	  (1ull << 7)
#define PTE_SHARED	  (3ull << 8)
#define PTE_AF		  (1ull << 10)
#define PTE_NG		  (1ull << 11)
#define PTE_GP		  (1ull << 50)
#define PTE_DBM		  (1ull << 51)
#define PTE_CONT	  (1ull << 52)
#define PTE_PXN		  (1ull << 53)
#define PTE_UXN		  (1ull << 54)
#define PTE_WRITE	  PTE_DBM
#define PTE_DIRTY	  (1ull << 55)
#define PTE_SPECIAL	  (1ull << 56)
#define PTE_PROT_NONE	  (1ull << 58)
#define PTE_ADDR_MASK	  0x0000fffffffff000ull
#define PTE_ATTRINDX(t)	  ((uint64_t)(t) << 2)
#define PTE_ATTRINDX_MASK (7ull << 2)

#define PMD_TYPE_MASK  (3ull << 0)
#define PMD_TYPE_TABLE (3ull << 0)
#define PMD_TYPE_SECT  (1ull << 0)
#define PMD_TABLE_BIT  (1ull << 1)
#define PMD_SECT_VALID (1ull << 0)
#define PMD_SECT_CONT  (1ull << 52)
#define PMD_TABLE_PXN  (1ull << 59)
#define PMD_TABLE_UXN  (1ull << 60)
#define PUD_TYPE_MASK  PMD_TYPE_MASK
#define PUD_TYPE_TABLE PMD_TYPE_TABLE
#define PUD_TYPE_SECT  PMD_TYPE_SECT
#define PUD_TABLE_BIT  PMD_TABLE_BIT
#define PUD_TABLE_PXN  PMD_TABLE_PXN
#define PUD_TABLE_UXN  PMD_TABLE_UXN
#define P4D_TYPE_TABLE PMD_TYPE_TABLE
#define P4D_TABLE_PXN  PMD_TABLE_PXN
#define P4D_TABLE_UXN  PMD_TABLE_UXN

#define PHYS_MASK ((1ull << 48) - 1) /* CONFIG_ARM64_PA_BITS=48 */

#define MT_NORMAL	 0
#define MT_NORMAL_TAGGED 1
#define MT_NORMAL_NC	 2
#define MT_DEVICE_nGnRnE 3
#define MT_DEVICE_nGnRE	 4

/* MAIR_EL1 as __cpu_setup writes it (MT_NORMAL_TAGGED stays Normal until MTE is enabled). */
#define MAIR_EL1_SET 0x000000040044ffffull

typedef uint64_t pteval_t;
typedef struct {
	pteval_t pte;
} pte_t;
typedef struct {
	pteval_t pmd;
} pmd_t;
typedef struct {
	pteval_t pud;
} pud_t;
typedef struct {
	pteval_t p4d;
} p4d_t;
typedef struct {
	pteval_t pgd;
} pgd_t;
typedef struct {
	pteval_t pgprot;
} pgprot_t;

#define pte_val(x)    ((x).pte)
#define pmd_val(x)    ((x).pmd)
#define pud_val(x)    ((x).pud)
#define p4d_val(x)    ((x).p4d)
#define pgd_val(x)    ((x).pgd)
#define pgprot_val(x) ((x).pgprot)
#define __pte(x)      ((pte_t){(x)})
#define __pmd(x)      ((pmd_t){(x)})
#define __pud(x)      ((pud_t){(x)})
#define __p4d(x)      ((p4d_t){(x)})
#define __pgd(x)      ((pgd_t){(x)})
#define __pgprot(x)   ((pgprot_t){(x)})

/* Protections (pgprot-prot.h; PTE_MAYBE_NG is 0: no KPTI on the reference machine). */
#define PROT_DEFAULT	  (PTE_TYPE_PAGE | PTE_AF | PTE_SHARED)
#define PROT_SECT_DEFAULT (PMD_TYPE_SECT | PTE_AF | PTE_SHARED)
#define PROT_NORMAL	  (PROT_DEFAULT | PTE_PXN | PTE_UXN | PTE_WRITE | PTE_ATTRINDX(MT_NORMAL))
#define PROT_DEVICE_nGnRnE                                                                         \
	(PROT_DEFAULT | PTE_PXN | PTE_UXN | PTE_WRITE | PTE_ATTRINDX(MT_DEVICE_nGnRnE))
#define PROT_DEVICE_nGnRE                                                                          \
	(PROT_DEFAULT | PTE_PXN | PTE_UXN | PTE_WRITE | PTE_ATTRINDX(MT_DEVICE_nGnRE))
#define PROT_NORMAL_NC	  (PROT_DEFAULT | PTE_PXN | PTE_UXN | PTE_WRITE | PTE_ATTRINDX(MT_NORMAL_NC))
#define _PAGE_KERNEL	  (PROT_NORMAL | PTE_DIRTY)
#define _PAGE_KERNEL_RO	  ((PROT_NORMAL & ~PTE_WRITE) | PTE_RDONLY | PTE_DIRTY)
#define _PAGE_KERNEL_ROX  ((PROT_NORMAL & ~(PTE_WRITE | PTE_PXN)) | PTE_RDONLY | PTE_DIRTY)
#define _PAGE_KERNEL_EXEC ((PROT_NORMAL & ~PTE_PXN) | PTE_DIRTY)
#define PAGE_KERNEL	  __pgprot(_PAGE_KERNEL)
#define PAGE_KERNEL_RO	  __pgprot(_PAGE_KERNEL_RO)
#define PAGE_KERNEL_ROX	  __pgprot(_PAGE_KERNEL_ROX)
#define PAGE_KERNEL_EXEC  __pgprot(_PAGE_KERNEL_EXEC)

static inline pgprot_t pgprot_nx(pgprot_t prot)
{
	return __pgprot(pgprot_val(prot) | PTE_PXN);
}

/*
 * User protections (pgtable-prot.h). Every user page is not-global (PTE_NG: tagged with the
 * mm's ASID), privileged-execute-never, and starts read-only: a writable one carries
 * PTE_WRITE (DBM) with PTE_RDONLY, so its first store either sets the hardware dirty state
 * (FEAT_HAFDBS) or takes a permission fault that makes it dirty. PROT_NONE is an invalid
 * entry with PTE_PROT_NONE (still pte_present()).
 *
 * | name               | USER | RDONLY | WRITE | UXN | VALID | PROT_NONE |
 * |--------------------|------|--------|-------|-----|-------|-----------|
 * | PAGE_NONE          |  0   |   1    |   0   |  1  |   0   |     1     |
 * | PAGE_READONLY      |  1   |   1    |   0   |  1  |   1   |     0     |
 * | PAGE_READONLY_EXEC |  1   |   1    |   0   |  0  |   1   |     0     |
 * | PAGE_SHARED        |  1   |   1    |   1   |  1  |   1   |     0     |
 * | PAGE_SHARED_EXEC   |  1   |   1    |   1   |  0  |   1   |     0     |
 * | PAGE_EXECONLY      |  0   |   1    |   0   |  0  |   1   |     0     |
 */
#define _PAGE_DEFAULT (PTE_TYPE_PAGE | PTE_AF | PTE_SHARED | PTE_ATTRINDX(MT_NORMAL))
#define _PAGE_SHARED                                                                               \
	(_PAGE_DEFAULT | PTE_USER | PTE_RDONLY | PTE_NG | PTE_PXN | PTE_UXN | PTE_WRITE)
#define _PAGE_SHARED_EXEC   (_PAGE_DEFAULT | PTE_USER | PTE_RDONLY | PTE_NG | PTE_PXN | PTE_WRITE)
#define _PAGE_READONLY	    (_PAGE_DEFAULT | PTE_USER | PTE_RDONLY | PTE_NG | PTE_PXN | PTE_UXN)
#define _PAGE_READONLY_EXEC (_PAGE_DEFAULT | PTE_USER | PTE_RDONLY | PTE_NG | PTE_PXN)
#define _PAGE_EXECONLY	    (_PAGE_DEFAULT | PTE_RDONLY | PTE_NG | PTE_PXN)
#define _PAGE_NONE                                                                                 \
	((_PAGE_DEFAULT & ~PTE_VALID) | PTE_PROT_NONE | PTE_RDONLY | PTE_NG | PTE_PXN | PTE_UXN)
#define PAGE_NONE	   __pgprot(_PAGE_NONE)
#define PAGE_SHARED	   __pgprot(_PAGE_SHARED)
#define PAGE_SHARED_EXEC   __pgprot(_PAGE_SHARED_EXEC)
#define PAGE_READONLY	   __pgprot(_PAGE_READONLY)
#define PAGE_READONLY_EXEC __pgprot(_PAGE_READONLY_EXEC)
#define PAGE_EXECONLY	   __pgprot(_PAGE_EXECONLY)

/*
 * Models: arch/arm64/mm/mmap.c:protection_map[] (indexed by VM_READ|VM_WRITE|VM_EXEC|
 * VM_SHARED; without Enhanced PAN, which neither CPU model has, exec-only is READONLY_EXEC).
 */
extern const pgprot_t protection_map[16];

/*
 * Models: arch/arm64/mm/mmap.c:vm_get_page_prot(): the PTE protection of a VMA with
 * @vm_flags: protection_map[] plus PTE_GP for VM_ARM64_BTI and MT_NORMAL_TAGGED for VM_MTE.
 * Pure.
 */
uint64_t vm_get_page_prot(unsigned long vm_flags);
/* protection_map's invariants (arch/arm64/mm/mmap.c); false with the reason. */
bool protection_map_check(char *why, size_t whylen);

/* ---- indices and range ends --------------------------------------------------------- */

static inline unsigned long pgd_index(uint64_t addr)
{
	return (addr >> PGDIR_SHIFT) & (PTRS_PER_PGD - 1);
}

static inline unsigned long pud_index(uint64_t addr)
{
	return (addr >> PUD_SHIFT) & (PTRS_PER_PUD - 1);
}

static inline unsigned long pmd_index(uint64_t addr)
{
	return (addr >> PMD_SHIFT) & (PTRS_PER_PMD - 1);
}

static inline unsigned long pte_index(uint64_t addr)
{
	return (addr >> PAGE_SHIFT) & (PTRS_PER_PTE - 1);
}

/* Models: include/linux/pgtable.h:p?d_addr_end(): the next boundary, or @end if sooner. */
static inline uint64_t addr_end_at(uint64_t addr, uint64_t end, uint64_t size)
{
	uint64_t boundary = (addr + size) & ~(size - 1);

	return boundary - 1 < end - 1 ? boundary : end;
}

#define pgd_addr_end(a, e)	addr_end_at((a), (e), PGDIR_SIZE)
#define p4d_addr_end(a, e)	(e)
#define pud_addr_end(a, e)	addr_end_at((a), (e), PUD_SIZE)
#define pmd_addr_end(a, e)	addr_end_at((a), (e), PMD_SIZE)
#define pte_cont_addr_end(a, e) addr_end_at((a), (e), CONT_PTE_SIZE)
#define pmd_cont_addr_end(a, e) addr_end_at((a), (e), CONT_PMD_SIZE)

/* ---- pte ------------------------------------------------------------------------------ */

static inline phys_addr_t __pte_to_phys(pte_t pte)
{
	return pte_val(pte) & PTE_ADDR_MASK;
}

static inline unsigned long pte_pfn(pte_t pte)
{
	return (unsigned long)(__pte_to_phys(pte) >> PAGE_SHIFT);
}

static inline pte_t pfn_pte(unsigned long pfn, pgprot_t prot)
{
	return __pte(((phys_addr_t)pfn << PAGE_SHIFT) | pgprot_val(prot));
}

static inline pte_t mk_pte(const struct kmm_kernel *k, const struct page *page, pgprot_t prot)
{
	return pfn_pte(page_to_pfn(k, page), prot);
}

static inline struct page *pte_page(const struct kmm_kernel *k, pte_t pte)
{
	return pfn_to_page(k, pte_pfn(pte));
}

#define pte_none(pte)	  (!pte_val(pte))
#define pte_present(pte)  (!!(pte_val(pte) & (PTE_VALID | PTE_PROT_NONE)))
#define pte_valid(pte)	  (!!(pte_val(pte) & PTE_VALID))
#define pte_young(pte)	  (!!(pte_val(pte) & PTE_AF))
#define pte_special(pte)  (!!(pte_val(pte) & PTE_SPECIAL))
#define pte_write(pte)	  (!!(pte_val(pte) & PTE_WRITE))
#define pte_user(pte)	  (!!(pte_val(pte) & PTE_USER))
#define pte_cont(pte)	  (!!(pte_val(pte) & PTE_CONT))
#define pte_hw_dirty(pte) (pte_write(pte) && !(pte_val(pte) & PTE_RDONLY))
#define pte_sw_dirty(pte) (!!(pte_val(pte) & PTE_DIRTY))
#define pte_dirty(pte)	  (pte_sw_dirty(pte) || pte_hw_dirty(pte))
#define pte_valid_not_user(pte)                                                                    \
	((pte_val(pte) & (PTE_VALID | PTE_USER | PTE_UXN)) == (PTE_VALID | PTE_UXN))
#define pte_user_exec(pte) (!(pte_val(pte) & PTE_UXN))
#define pte_tagged(pte)	   ((pte_val(pte) & PTE_ATTRINDX_MASK) == PTE_ATTRINDX(MT_NORMAL_TAGGED))
/* Models: pte_access_permitted(): a valid EL0-readable entry (writable too if @write). */
#define pte_access_permitted(pte, write)                                                           \
	(((pte_val(pte) & (PTE_VALID | PTE_USER)) == (PTE_VALID | PTE_USER)) &&                    \
	 (!(write) || pte_write(pte)))

/* Models: pte_protnone(): a PROT_NONE entry (present to the kernel, invalid to the MMU). */
static inline int pte_protnone(pte_t pte)
{
	return (pte_val(pte) & (PTE_VALID | PTE_PROT_NONE)) == PTE_PROT_NONE;
}

/* Models: include/linux/pgtable.h:pte_same(). */
static inline int pte_same(pte_t a, pte_t b)
{
	return pte_val(a) == pte_val(b);
}

static inline pte_t clear_pte_bit(pte_t pte, pteval_t bits)
{
	return __pte(pte_val(pte) & ~bits);
}

static inline pte_t set_pte_bit(pte_t pte, pteval_t bits)
{
	return __pte(pte_val(pte) | bits);
}

/* Models: pte_mkwrite(): writable; a software-dirty page becomes hardware-writable. */
static inline pte_t pte_mkwrite(pte_t pte)
{
	pte = set_pte_bit(pte, PTE_WRITE);
	return pte_sw_dirty(pte) ? clear_pte_bit(pte, PTE_RDONLY) : pte;
}

static inline pte_t pte_mkclean(pte_t pte)
{
	return set_pte_bit(clear_pte_bit(pte, PTE_DIRTY), PTE_RDONLY);
}

static inline pte_t pte_mkdirty(pte_t pte)
{
	pte = set_pte_bit(pte, PTE_DIRTY);
	return pte_write(pte) ? clear_pte_bit(pte, PTE_RDONLY) : pte;
}

/* Models: pte_wrprotect(): a hardware-dirty entry keeps its dirtiness in PTE_DIRTY. */
static inline pte_t pte_wrprotect(pte_t pte)
{
	if (pte_hw_dirty(pte))
		pte = pte_mkdirty(pte);
	return set_pte_bit(clear_pte_bit(pte, PTE_WRITE), PTE_RDONLY);
}

/*
 * Models: pte_modify(): @pte with the protection bits of @newprot (USER, PXN, UXN, RDONLY,
 * PROT_NONE, VALID, WRITE, GP, ATTRINDX); its dirtiness survives as PTE_DIRTY (and again as
 * hardware dirty when the new protection is writable).
 */
static inline pte_t pte_modify(pte_t pte, pgprot_t newprot)
{
	const pteval_t mask = PTE_USER | PTE_PXN | PTE_UXN | PTE_RDONLY | PTE_PROT_NONE |
			      PTE_VALID | PTE_WRITE | PTE_GP | PTE_ATTRINDX_MASK;

	if (pte_hw_dirty(pte))
		pte = pte_mkdirty(pte);
	pte = __pte((pte_val(pte) & ~mask) | (pgprot_val(newprot) & mask));
	return pte_sw_dirty(pte) ? pte_mkdirty(pte) : pte;
}

/* Models: pte_pgprot(): every bit of @pte but the output address. */
static inline pgprot_t pte_pgprot(pte_t pte)
{
	return __pgprot(pte_val(pte) & ~PTE_ADDR_MASK);
}

static inline pte_t pte_mkold(pte_t pte)
{
	return clear_pte_bit(pte, PTE_AF);
}

static inline pte_t pte_mkyoung(pte_t pte)
{
	return set_pte_bit(pte, PTE_AF);
}

static inline pte_t pte_mkspecial(pte_t pte)
{
	return set_pte_bit(pte, PTE_SPECIAL);
}

static inline pte_t pte_mkcont(pte_t pte)
{
	return set_pte_bit(pte, PTE_CONT | PTE_TYPE_PAGE);
}

static inline pte_t pte_mknoncont(pte_t pte)
{
	return clear_pte_bit(pte, PTE_CONT);
}

static inline pte_t pte_mkpresent(pte_t pte)
{
	return set_pte_bit(pte, PTE_VALID);
}

/* Models: pte_mkhuge(): a block at the level above (table bit clear). */
static inline pte_t pte_mkhuge(pte_t pte)
{
	return clear_pte_bit(pte, PTE_TABLE_BIT);
}

/* ---- pmd / pud / p4d ----------------------------------------------------------------- */

static inline pte_t pmd_pte(pmd_t pmd)
{
	return __pte(pmd_val(pmd));
}

static inline pte_t pud_pte(pud_t pud)
{
	return __pte(pud_val(pud));
}

#define pmd_none(pmd)	 (!pmd_val(pmd))
#define pmd_valid(pmd)	 pte_valid(pmd_pte(pmd))
#define pmd_present(pmd) pte_present(pmd_pte(pmd))
#define pmd_table(pmd)	 ((pmd_val(pmd) & PMD_TYPE_MASK) == PMD_TYPE_TABLE)
#define pmd_sect(pmd)	 ((pmd_val(pmd) & PMD_TYPE_MASK) == PMD_TYPE_SECT)
#define pmd_leaf(pmd)	 (pmd_present(pmd) && !pmd_table(pmd))
#define pmd_bad(pmd)	 (!pmd_table(pmd))
#define pmd_cont(pmd)	 pte_cont(pmd_pte(pmd))
#define pmd_write(pmd)	 pte_write(pmd_pte(pmd))
#define pmd_young(pmd)	 pte_young(pmd_pte(pmd))
#define pmd_mkhuge(pmd)	 (__pmd(pmd_val(pmd) & ~PMD_TABLE_BIT))

#define pud_none(pud)	 (!pud_val(pud))
#define pud_valid(pud)	 pte_valid(pud_pte(pud))
#define pud_present(pud) pte_present(pud_pte(pud))
#define pud_table(pud)	 ((pud_val(pud) & PUD_TYPE_MASK) == PUD_TYPE_TABLE)
#define pud_sect(pud)	 ((pud_val(pud) & PUD_TYPE_MASK) == PUD_TYPE_SECT)
#define pud_leaf(pud)	 (pud_present(pud) && !pud_table(pud))
#define pud_bad(pud)	 ((pud_val(pud) & PUD_TYPE_MASK) != PUD_TYPE_TABLE)
#define pud_mkhuge(pud)	 (__pud(pud_val(pud) & ~PUD_TABLE_BIT))

/* With four levels the p4d is the pgd entry (pgtable-nop4d.h): pgd_* always pass. */
#define p4d_none(p4d)	 (!p4d_val(p4d))
#define p4d_bad(p4d)	 (!(p4d_val(p4d) & 2))
#define p4d_present(p4d) (p4d_val(p4d) != 0)
#define p4d_leaf(p4d)	 0
#define pgd_none(pgd)	 0
#define pgd_bad(pgd)	 0
#define pgd_present(pgd) 1
#define pgd_leaf(pgd)	 0

static inline phys_addr_t pmd_page_paddr(pmd_t pmd)
{
	return pmd_val(pmd) & PTE_ADDR_MASK;
}

static inline phys_addr_t pud_page_paddr(pud_t pud)
{
	return pud_val(pud) & PTE_ADDR_MASK;
}

static inline phys_addr_t p4d_page_paddr(p4d_t p4d)
{
	return p4d_val(p4d) & PTE_ADDR_MASK;
}

/* A block's first page frame (the output address aligned to the block size). */
static inline unsigned long pmd_pfn(pmd_t pmd)
{
	return (unsigned long)((pmd_page_paddr(pmd) & PMD_MASK) >> PAGE_SHIFT);
}

static inline unsigned long pud_pfn(pud_t pud)
{
	return (unsigned long)((pud_page_paddr(pud) & PUD_MASK) >> PAGE_SHIFT);
}

static inline pmd_t pfn_pmd(unsigned long pfn, pgprot_t prot)
{
	return __pmd(((phys_addr_t)pfn << PAGE_SHIFT) | pgprot_val(prot));
}

static inline pud_t pfn_pud(unsigned long pfn, pgprot_t prot)
{
	return __pud(((phys_addr_t)pfn << PAGE_SHIFT) | pgprot_val(prot));
}

/* Models: mk_p?d_sect_prot(): a page protection turned into a block one. */
static inline pgprot_t mk_pmd_sect_prot(pgprot_t prot)
{
	return __pgprot((pgprot_val(prot) & ~PTE_TABLE_BIT) | PMD_TYPE_SECT);
}

static inline pgprot_t mk_pud_sect_prot(pgprot_t prot)
{
	return __pgprot((pgprot_val(prot) & ~PTE_TABLE_BIT) | PUD_TYPE_SECT);
}

/* ---- reaching the tables ------------------------------------------------------------ */

/* Host view of the 4 KiB table page at @pa (NULL if @pa is not RAM). */
static inline void *pgtable_host(const struct kmm_kernel *k, phys_addr_t pa)
{
	return arch_phys_to_host(k, pa & PTE_ADDR_MASK, PAGE_SIZE);
}

/* Models: pgd_offset_k(): the entry of swapper_pg_dir for @addr. */
static inline pgd_t *pgd_offset_k(const struct kmm_kernel *k, uint64_t addr)
{
	return (pgd_t *)pgtable_host(k, k->swapper_pg_dir) + pgd_index(addr);
}

/* Models: pgd_offset_pgd(): the entry of the pgd at @pgd_pa. */
static inline pgd_t *pgd_offset_pgd(const struct kmm_kernel *k, phys_addr_t pgd_pa, uint64_t addr)
{
	return (pgd_t *)pgtable_host(k, pgd_pa) + pgd_index(addr);
}

static inline p4d_t *p4d_offset(pgd_t *pgdp, uint64_t addr)
{
	(void)addr;
	return (p4d_t *)pgdp;
}

static inline pud_t *pud_offset(const struct kmm_kernel *k, const p4d_t *p4dp, uint64_t addr)
{
	pud_t *t = pgtable_host(k, p4d_page_paddr(*p4dp));

	return t ? t + pud_index(addr) : NULL;
}

static inline pmd_t *pmd_offset(const struct kmm_kernel *k, const pud_t *pudp, uint64_t addr)
{
	pmd_t *t = pgtable_host(k, pud_page_paddr(*pudp));

	return t ? t + pmd_index(addr) : NULL;
}

static inline pte_t *pte_offset_kernel(const struct kmm_kernel *k, const pmd_t *pmdp, uint64_t addr)
{
	pte_t *t = pgtable_host(k, pmd_page_paddr(*pmdp));

	return t ? t + pte_index(addr) : NULL;
}

/* ---- writing entries (WRITE_ONCE; no barrier model) ------------------------------------ */

static inline void set_pte(pte_t *ptep, pte_t pte)
{
	*ptep = pte;
}

static inline void set_pmd(pmd_t *pmdp, pmd_t pmd)
{
	*pmdp = pmd;
}

static inline void set_pud(pud_t *pudp, pud_t pud)
{
	*pudp = pud;
}

static inline void set_p4d(p4d_t *p4dp, p4d_t p4d)
{
	*p4dp = p4d;
}

static inline void pte_clear(pte_t *ptep)
{
	set_pte(ptep, __pte(0));
}

static inline void pmd_clear(pmd_t *pmdp)
{
	set_pmd(pmdp, __pmd(0));
}

static inline void pud_clear(pud_t *pudp)
{
	set_pud(pudp, __pud(0));
}

static inline void p4d_clear(p4d_t *p4dp)
{
	set_p4d(p4dp, __p4d(0));
}

/* Models: ptep_get_and_clear(): the old entry, the slot left empty (@mm NULL: init_mm). */
static inline pte_t ptep_get_and_clear(struct mm_struct *mm, uint64_t addr, pte_t *ptep)
{
	pte_t old = *ptep;

	(void)mm;
	(void)addr;
	pte_clear(ptep);
	return old;
}

/* ---- user PTEs: the atomic updates (no other agent runs between two steps here) --------- */

/*
 * Models: ptep_test_and_clear_young(): clears PTE_AF; returns whether it was set. No TLB
 * maintenance (a CPU may keep using a young entry it cached).
 */
static inline int ptep_test_and_clear_young(struct vm_area_struct *vma, uint64_t addr, pte_t *ptep)
{
	pte_t old = *ptep;

	(void)vma;
	(void)addr;
	*ptep = pte_mkold(old);
	return pte_young(old);
}

/* Models: ptep_set_wrprotect(): read-only, hardware dirty state moved into PTE_DIRTY. */
static inline void ptep_set_wrprotect(struct mm_struct *mm, uint64_t addr, pte_t *ptep)
{
	(void)mm;
	(void)addr;
	*ptep = pte_wrprotect(*ptep);
}

/*
 * Models: set_pte_at() (__set_pte_at + __check_racy_pte_update): writes @pte at @ptep of
 * @mm's tables. With CONFIG_DEBUG_VM (off, as in the reference kernel) it warns when a live
 * valid entry of a running mm loses its access flag or its dirty state this way. No TLB
 * maintenance: the caller flushes when a valid entry changes.
 */
void set_pte_at(struct kmm_kernel *k, struct mm_struct *mm, uint64_t addr, pte_t *ptep, pte_t pte);

/*
 * Models: arch/arm64/mm/fault.c:ptep_set_access_flags(): makes *@ptep at least as
 * permissive as @entry in AF, DBM/WRITE, DIRTY and RDONLY (only those bits); returns 1 if the
 * entry changed (then, when @dirty, flush_tlb_page() of @addr), 0 if it already equalled
 * @entry (nothing done).
 */
int ptep_set_access_flags(struct kmm_kernel *k, struct vm_area_struct *vma, uint64_t addr,
			  pte_t *ptep, pte_t entry, int dirty);

/*
 * Models: ptep_clear_flush_young(): ptep_test_and_clear_young(), then, if it was young,
 * flush_tlb_page_nosync() (arm64 elides the DSB). Returns whether it was young.
 */
int ptep_clear_flush_young(struct kmm_kernel *k, struct vm_area_struct *vma, uint64_t addr,
			   pte_t *ptep);

/*
 * Models: mm/pgtable-generic.c:ptep_clear_flush(): ptep_get_and_clear(), then
 * flush_tlb_page() if the old entry could be in a TLB (pte_accessible: valid). Returns it.
 */
pte_t ptep_clear_flush(struct kmm_kernel *k, struct vm_area_struct *vma, uint64_t addr,
		       pte_t *ptep);

/* Models: __p?d_populate(): a table descriptor for the next-level table at @pa. */
static inline void __pmd_populate(pmd_t *pmdp, phys_addr_t pa, pteval_t prot)
{
	set_pmd(pmdp, __pmd(pa | prot));
}

static inline void __pud_populate(pud_t *pudp, phys_addr_t pa, pteval_t prot)
{
	set_pud(pudp, __pud(pa | prot));
}

static inline void __p4d_populate(p4d_t *p4dp, phys_addr_t pa, pteval_t prot)
{
	set_p4d(p4dp, __p4d(pa | prot));
}

/* ---- the kernel image's addresses --------------------------------------------------- */

/* Models: __pa_symbol() / __phys_to_kimg(): kernel image VA <-> PA. */
static inline phys_addr_t __pa_symbol(const struct kmm_kernel *k, uint64_t va)
{
	return va - k->kimage_voffset;
}

static inline uint64_t __phys_to_kimg(const struct kmm_kernel *k, phys_addr_t pa)
{
	return pa + k->kimage_voffset;
}

/* ---- swap entries in non-present PTEs ------------------------------------------------------
 *
 * Models: arm64's swap PTE layout in 6.1.192 (facts: bit 0 (valid) and bit 58 (PROT_NONE) are
 * clear, bit 2 holds the anon-exclusive marker, the type takes bits 3..7, the offset bits
 * 8..57). A swap PTE is neither none nor present.
 */
#define PTE_SWP_EXCLUSIVE  (1ull << 2)
#define __SWP_TYPE_SHIFT   3
#define __SWP_TYPE_BITS	   5
#define __SWP_OFFSET_BITS  50
#define __SWP_TYPE_MASK	   ((1ull << __SWP_TYPE_BITS) - 1)
#define __SWP_OFFSET_SHIFT (__SWP_TYPE_BITS + __SWP_TYPE_SHIFT)
#define __SWP_OFFSET_MASK  ((1ull << __SWP_OFFSET_BITS) - 1)

static inline pte_t pte_swp_mkexclusive(pte_t pte)
{
	return set_pte_bit(pte, PTE_SWP_EXCLUSIVE);
}

static inline bool pte_swp_exclusive(pte_t pte)
{
	return pte_val(pte) & PTE_SWP_EXCLUSIVE;
}

static inline pte_t pte_swp_clear_exclusive(pte_t pte)
{
	return clear_pte_bit(pte, PTE_SWP_EXCLUSIVE);
}

/* Models: lm_alias(): the linear-map alias of a kernel image address. */
static inline uint64_t lm_alias(const struct kmm_kernel *k, uint64_t va)
{
	return __va(k, __pa_symbol(k, va));
}

/*
 * Models: arch/arm64/mm/mmu.c:p?d_set_huge() / p?d_clear_huge() / p?d_free_*_page().
 * set_huge returns 1, or 0 when the entry holds a live mapping that only a permission
 * change could turn into the block (the caller then maps with smaller pages).
 */
int pud_set_huge(pud_t *pudp, phys_addr_t phys, pgprot_t prot);
int pmd_set_huge(pmd_t *pmdp, phys_addr_t phys, pgprot_t prot);
int pud_clear_huge(pud_t *pudp);
int pmd_clear_huge(pmd_t *pmdp);
int pmd_free_pte_page(struct kmm_kernel *k, pmd_t *pmdp, uint64_t addr);
int pud_free_pmd_page(struct kmm_kernel *k, pud_t *pudp, uint64_t addr);

/*
 * A zeroed kernel page-table page from the buddy allocator (__get_free_page(
 * GFP_PGTABLE_KERNEL), as pte_alloc_kernel()/pmd_alloc()/pud_alloc() take it for init_mm):
 * its PA, or 0 when the allocator has none. pgtable_page_free() gives one back.
 */
phys_addr_t pgtable_page_alloc(struct kmm_kernel *k);
void pgtable_page_free(struct kmm_kernel *k, phys_addr_t pa);

/* Models: arch/arm64/mm/mmu.c:pgattr_change_is_safe(): may @old become @new while live? */
bool pgattr_change_is_safe(uint64_t old, uint64_t new_);

#endif /* KMM_ARCH_ARM64_ASM_PGTABLE_H */
