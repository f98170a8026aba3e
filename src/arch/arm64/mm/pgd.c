/*
 * User pgds: one zeroed page per mm (48-bit VA, 4 KiB pages: PGD_SIZE == PAGE_SIZE).
 *
 * Models: arch/arm64/mm/pgd.c (Linux 6.1): pgd_alloc(), pgd_free(). The pgd is not counted
 *         in pgtables_bytes or NR_PAGETABLE (the kernel's is not either).
 */
#include "arch/arm64/include/asm/pgtable.h"
#include "mm/gfp.h"
#include "mm/memory.h"

#include <errno.h>

#define GFP_PGTABLE_USER (GFP_KERNEL | __GFP_ZERO | __GFP_ACCOUNT)

int pgd_alloc(struct mm_struct *mm)
{
	struct kmm_kernel *k = mm->kernel;
	struct page *page = alloc_pages(k, GFP_PGTABLE_USER, 0);

	if (!page)
		return -ENOMEM;
	mm->pgd = PFN_PHYS(page_to_pfn(k, page));
	return 0;
}

void pgd_free(struct mm_struct *mm)
{
	struct kmm_kernel *k = mm->kernel;

	if (!mm->pgd)
		return;
	__free_pages(k, pfn_to_page(k, PHYS_PFN(mm->pgd)), 0);
	mm->pgd = 0;
}
