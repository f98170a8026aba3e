/*
 * Swap entries: what a non-present, non-none PTE holds when its page is elsewhere.
 *
 * Models: include/linux/swap.h (swp_entry_t, MAX_SWAPFILES and the non-swap types) and
 *         include/linux/swapops.h (swp_entry(), swp_type(), swp_offset(), pte_to_swp_entry(),
 *         swp_entry_to_pte(), is_swap_pte(), non_swap_entry(), the migration entries) of
 *         Linux 6.1.192 with the captured config: CONFIG_MIGRATION=y (three migration types),
 *         CONFIG_MEMORY_FAILURE=y (one hwpoison type), no DEVICE_PRIVATE, no PTE_MARKER; so
 *         MAX_SWAPFILES = 32 - 3 - 1 = 28.
 *
 * The architecture-independent entry keeps the type in its top MAX_SWAPFILES_SHIFT bits and
 * the offset below; the PTE form is the architecture's (asm/pgtable.h: type at bits 3..7,
 * offset at 8..57, bit 2 the exclusive marker). Conversions drop the PTE's software bits
 * (the exclusive marker) as the kernel's pte_to_swp_entry() does.
 */
#ifndef KMM_MM_SWAPOPS_H
#define KMM_MM_SWAPOPS_H

#include "arch/arm64/include/asm/pgtable.h"

typedef struct {
	unsigned long val;
} swp_entry_t;

#define MAX_SWAPFILES_SHIFT	     5
#define SWP_MIGRATION_NUM	     3
#define SWP_HWPOISON_NUM	     1
#define MAX_SWAPFILES		     ((1 << MAX_SWAPFILES_SHIFT) - SWP_MIGRATION_NUM - SWP_HWPOISON_NUM)
#define SWP_HWPOISON		     MAX_SWAPFILES
#define SWP_MIGRATION_READ	     (MAX_SWAPFILES + SWP_HWPOISON_NUM)
#define SWP_MIGRATION_READ_EXCLUSIVE (SWP_MIGRATION_READ + 1)
#define SWP_MIGRATION_WRITE	     (SWP_MIGRATION_READ + 2)

#define SWP_TYPE_SHIFT	(64 - MAX_SWAPFILES_SHIFT)
#define SWP_OFFSET_MASK ((1UL << SWP_TYPE_SHIFT) - 1)

_Static_assert(MAX_SWAPFILES == 28, "the captured config's MAX_SWAPFILES");
_Static_assert(MAX_SWAPFILES_SHIFT <= __SWP_TYPE_BITS, "type must fit the PTE's field");

/* Models: swp_entry(): the entry of slot @offset on swap device @type. */
static inline swp_entry_t swp_entry(unsigned long type, unsigned long offset)
{
	swp_entry_t e = {(type << SWP_TYPE_SHIFT) | (offset & SWP_OFFSET_MASK)};
	return e;
}

static inline unsigned int swp_type(swp_entry_t e)
{
	return (unsigned int)(e.val >> SWP_TYPE_SHIFT);
}

static inline unsigned long swp_offset(swp_entry_t e)
{
	return e.val & SWP_OFFSET_MASK;
}

/* Models: is_swap_pte(): neither none nor present (a swap or migration entry). */
static inline bool is_swap_pte(pte_t pte)
{
	return !pte_none(pte) && !pte_present(pte);
}

/* Models: pte_to_swp_entry(): the entry a swap PTE holds (software bits dropped). */
static inline swp_entry_t pte_to_swp_entry(pte_t pte)
{
	pte = pte_swp_clear_exclusive(pte);
	return swp_entry((pte_val(pte) >> __SWP_TYPE_SHIFT) & __SWP_TYPE_MASK,
			 (pte_val(pte) >> __SWP_OFFSET_SHIFT) & __SWP_OFFSET_MASK);
}

/* Models: swp_entry_to_pte(): the PTE form of @e (never valid, never PROT_NONE). */
static inline pte_t swp_entry_to_pte(swp_entry_t e)
{
	return __pte(((pteval_t)swp_type(e) << __SWP_TYPE_SHIFT) |
		     ((pteval_t)(swp_offset(e) & __SWP_OFFSET_MASK) << __SWP_OFFSET_SHIFT));
}

/* Models: non_swap_entry(): a migration or hwpoison entry, not a slot of a swap device. */
static inline bool non_swap_entry(swp_entry_t e)
{
	return swp_type(e) >= MAX_SWAPFILES;
}

static inline bool is_migration_entry(swp_entry_t e)
{
	unsigned int t = swp_type(e);

	return t >= SWP_MIGRATION_READ && t <= SWP_MIGRATION_WRITE;
}

/*
 * Migration entries (swapops.h): the offset holds the PFN of the page being moved (bits
 * 0..SWP_PFN_BITS-1, MAX_PHYSMEM_BITS 48 - PAGE_SHIFT), and above it the young and dirty bits
 * of the PTE it replaced (SWP_MIG_YOUNG/DIRTY): the captured kernel keeps them because its
 * swap offset field (50 bits) exceeds SWP_MIG_TOTAL_BITS (swap_migration_ad_supported).
 */
#define SWP_PFN_BITS	   (48 - PAGE_SHIFT)
#define SWP_PFN_MASK	   ((1UL << SWP_PFN_BITS) - 1)
#define SWP_MIG_YOUNG_BIT  SWP_PFN_BITS
#define SWP_MIG_DIRTY_BIT  (SWP_PFN_BITS + 1)
#define SWP_MIG_TOTAL_BITS (SWP_PFN_BITS + 2)
#define SWP_MIG_YOUNG	   (1UL << SWP_MIG_YOUNG_BIT)
#define SWP_MIG_DIRTY	   (1UL << SWP_MIG_DIRTY_BIT)

_Static_assert(SWP_MIG_TOTAL_BITS <= __SWP_OFFSET_BITS, "A/D bits fit the offset field");

static inline bool is_writable_migration_entry(swp_entry_t e)
{
	return swp_type(e) == SWP_MIGRATION_WRITE;
}

static inline bool is_readable_migration_entry(swp_entry_t e)
{
	return swp_type(e) == SWP_MIGRATION_READ;
}

static inline bool is_readable_exclusive_migration_entry(swp_entry_t e)
{
	return swp_type(e) == SWP_MIGRATION_READ_EXCLUSIVE;
}

static inline swp_entry_t make_readable_migration_entry(unsigned long pfn)
{
	return swp_entry(SWP_MIGRATION_READ, pfn);
}

static inline swp_entry_t make_readable_exclusive_migration_entry(unsigned long pfn)
{
	return swp_entry(SWP_MIGRATION_READ_EXCLUSIVE, pfn);
}

static inline swp_entry_t make_writable_migration_entry(unsigned long pfn)
{
	return swp_entry(SWP_MIGRATION_WRITE, pfn);
}

static inline swp_entry_t make_migration_entry_young(swp_entry_t e)
{
	return swp_entry(swp_type(e), swp_offset(e) | SWP_MIG_YOUNG);
}

static inline swp_entry_t make_migration_entry_dirty(swp_entry_t e)
{
	return swp_entry(swp_type(e), swp_offset(e) | SWP_MIG_DIRTY);
}

static inline bool is_migration_entry_young(swp_entry_t e)
{
	return swp_offset(e) & SWP_MIG_YOUNG;
}

static inline bool is_migration_entry_dirty(swp_entry_t e)
{
	return swp_offset(e) & SWP_MIG_DIRTY;
}

/* Models: swp_offset_pfn()/pfn_swap_entry_to_page(): the PFN a migration entry names. */
static inline unsigned long swp_offset_pfn(swp_entry_t e)
{
	return swp_offset(e) & SWP_PFN_MASK;
}

/*
 * PMD migration entries (CONFIG_ARCH_ENABLE_THP_MIGRATION): arm64 keeps a swap entry in a PMD
 * in the PTE's format (__pmd_to_swp_entry, __swp_entry_to_pmd). Such a PMD is neither none
 * nor present; pmd_trans_huge() is true for it (no table bit), so walkers test
 * is_swap_pmd() first, as the kernel's do.
 */
static inline bool is_swap_pmd(pmd_t pmd)
{
	return pmd_val(pmd) && !pmd_present(pmd);
}

static inline swp_entry_t pmd_to_swp_entry(pmd_t pmd)
{
	return pte_to_swp_entry(pmd_pte(pmd));
}

static inline pmd_t swp_entry_to_pmd(swp_entry_t e)
{
	return __pmd(pte_val(swp_entry_to_pte(e)));
}

static inline bool is_pmd_migration_entry(pmd_t pmd)
{
	return is_swap_pmd(pmd) && is_migration_entry(pmd_to_swp_entry(pmd));
}

#endif /* KMM_MM_SWAPOPS_H */
