/*
 * mincore(2): which pages of a range are resident.
 *
 * One byte per page, bit 0 set when the page is resident: for an anonymous VMA when its PTE
 * is present, or for a swap PTE when the swap cache holds its page uptodate; for
 * a file or shmem VMA when its PTE is present or, where there is no PTE, when the page cache
 * holds the file's page at that offset. The range must be mapped: a hole stops the call with
 * -ENOMEM after the bytes of the VMAs before it were written (the kernel copies them out a
 * chunk at a time, so the caller sees the same).
 *
 * Models: mm/mincore.c (Linux 6.1): sys_mincore, do_mincore, can_do_mincore,
 *         mincore_pte_range, __mincore_unmapped_range, mincore_page; sys_mincore's
 *         bounce page (one GFP_USER page allocated and freed per call: pgalloc/pgfree move).
 * Deviation: the task is root (the captured one is), so can_do_mincore() is always true for
 *         file VMAs. The vector is a host buffer (no -EFAULT for a bad one: the API layer
 *         checks the pointer).
 *
 * Invariants: none (it changes nothing).
 */
#include <errno.h>
#include <string.h>

#include "arch/arm64/include/asm/pgtable.h"
#include "mm/gfp.h"
#include "mm/kernel.h"
#include "mm/huge_mm.h"
#include "mm/memory.h"
#include "mm/mm.h"
#include "mm/mman.h"
#include "mm/mmap.h"
#include "mm/pagemap.h"
#include "mm/swap_state.h"

/* Models: mincore_page(): is the file page at @index in the page cache (and uptodate)? */
static unsigned char mincore_page(struct kmm_kernel *k, struct address_space *mapping,
				  pgoff_t index)
{
	struct folio *folio = filemap_get_folio(k, mapping, index);
	unsigned char present = 0;

	if (folio) {
		present = folio_test_uptodate(folio) ? 1 : 0;
		folio_put(k, folio);
	}
	return present;
}

/* Models: __mincore_unmapped_range() for the page at @addr: page cache for file VMAs. */
static unsigned char mincore_unmapped(struct vm_area_struct *vma, unsigned long addr)
{
	if (!vma->vm_file)
		return 0;
	return mincore_page(vma->vm_mm->kernel, vma->vm_file->f_mapping,
			    linear_page_index(vma, addr));
}

/*
 * Models: mincore_pte_range()'s swap PTE: a migration entry counts as resident, a swap entry
 * when its page sits uptodate in the swap cache (mincore_page on swap_address_space()).
 */
static unsigned char mincore_swap(struct kmm_kernel *k, swp_entry_t entry)
{
	struct folio *folio;
	unsigned char present;

	if (non_swap_entry(entry))
		return 1;
	folio = swap_cache_lookup_folio(k, entry);
	if (!folio)
		return 0;
	present = folio_test_uptodate(folio) ? 1 : 0;
	folio_put(k, folio);
	return present;
}

/* Models: mincore_pte_range() over [@addr, @end) of @vma into @vec. */
static void mincore_range(struct vm_area_struct *vma, unsigned long addr, unsigned long end,
			  unsigned char *vec)
{
	while (addr < end) {
		unsigned long next = (addr & PMD_MASK) + PMD_SIZE;
		const pte_t *pte = (const pte_t *)mm_pte_lookup(vma->vm_mm, addr);

		const pmd_t *pmdp = mm_find_pmd(vma->vm_mm, addr);

		if (next > end || next < addr)
			next = end;
		if (pmdp && pmd_trans_huge(*pmdp)) { /* a huge PMD: every page resident */
			memset(vec, 1, (next - addr) >> PAGE_SHIFT);
			vec += (next - addr) >> PAGE_SHIFT;
			addr = next;
			continue;
		}
		for (; addr < next; addr += PAGE_SIZE, vec++) {
			if (pte && pte_present(*pte))
				*vec = 1;
			else if (!pte || pte_none(*pte))
				*vec = mincore_unmapped(vma, addr);
			else
				*vec = mincore_swap(vma->vm_mm->kernel, pte_to_swp_entry(*pte));
			if (pte)
				pte++;
		}
	}
}

int do_mincore(struct mm_struct *mm, unsigned long start, size_t len, unsigned char *vec)
{
	struct page *tmp;
	unsigned long pages;

	if (start & ~PAGE_MASK)
		return -EINVAL;
	if (start > TASK_SIZE || len > TASK_SIZE - start)
		return -ENOMEM; /* access_ok() of the range */
	pages = (len >> PAGE_SHIFT) + (offset_in_page(len) != 0);
	/* sys_mincore() fills a page of the kernel's and copies it out: the vector is written
	 * straight into @vec here, but the page is taken and given back as the kernel does. */
	tmp = alloc_pages(mm->kernel, GFP_USER, 0);
	if (!tmp)
		return -EAGAIN;
	while (pages) {
		struct vm_area_struct *vma = vma_lookup(mm, start);
		unsigned long end, n;

		if (!vma) {
			__free_pages(mm->kernel, tmp, 0);
			return -ENOMEM;
		}
		end = start + (pages << PAGE_SHIFT);
		if (end > vma->vm_end)
			end = vma->vm_end;
		mincore_range(vma, start, end, vec);
		n = (end - start) >> PAGE_SHIFT;
		vec += n;
		pages -= n;
		start = end;
	}
	__free_pages(mm->kernel, tmp, 0);
	return 0;
}
