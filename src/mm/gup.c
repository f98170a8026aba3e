/*
 * get_user_pages and populate: the kernel reaching user pages by walking the tables and
 * faulting them in where needed.
 *
 * Models: mm/gup.c (Linux 6.1): __mm_populate, populate_vma_page_range, __get_user_pages,
 *         check_vma_flags, follow_page_pte (can_follow_write_pte, gup_must_unshare),
 *         faultin_page, try_grab_page, unpin_user_page, mm_set_has_pinned_flag.
 * Deviation: FOLL_LONGTERM pins do not migrate pages out of ZONE_MOVABLE/CMA first
 *         (check_and_migrate_movable_pages): migration is not modelled yet. No THP
 *         (follow_pmd_mask) paths.
 */
#include "arch/arm64/include/asm/pgtable.h"
#include "mm/huge_mm.h"
#include "mm/memory.h"
#include "mm/mm_state.h"
#include "mm/mmap.h"
#include "mm/swap.h"

#include <errno.h>

/* Models: check_vma_flags(). 0 or -EFAULT. */
static int check_vma_flags(const struct vm_area_struct *vma, unsigned int gup_flags)
{
	vm_flags_t vm_flags = vma->vm_flags;

	if (vm_flags & (VM_IO | VM_PFNMAP))
		return -EFAULT;
	if ((gup_flags & FOLL_ANON) && !vma_is_anonymous(vma))
		return -EFAULT;
	if (gup_flags & FOLL_WRITE) {
		if (!(vm_flags & VM_WRITE)) {
			if (!(gup_flags & FOLL_FORCE) || !is_cow_mapping(vm_flags))
				return -EFAULT;
		}
	} else if (!(vm_flags & VM_READ)) {
		if (!(gup_flags & FOLL_FORCE) || !(vm_flags & VM_MAYREAD))
			return -EFAULT;
	}
	return 0;
}

/* Models: can_follow_write_pte() (6.1, after FOLL_COW went). */
static bool can_follow_write_pte(pte_t pte, const struct page *page,
				 const struct vm_area_struct *vma, unsigned int flags)
{
	if (pte_write(pte))
		return true;
	if (!(flags & FOLL_FORCE))
		return false;
	if (vma->vm_flags & (VM_MAYSHARE | VM_SHARED))
		return false;
	if (!(vma->vm_flags & VM_MAYWRITE) || (vma->vm_flags & VM_WRITE))
		return false;
	return page && PageAnon(page) && PageAnonExclusive(page);
}

/* Models: gup_must_unshare(): a read pin of a shared anon page must copy it first. */
static bool gup_must_unshare(unsigned int flags, const struct page *page)
{
	if ((flags & (FOLL_WRITE | FOLL_PIN)) != FOLL_PIN)
		return false;
	return PageAnon(page) && !PageAnonExclusive(page);
}

/* Models: try_grab_page(): a reference (FOLL_GET) or a pin (FOLL_PIN) on @page. */
static void try_grab_page(struct kmm_kernel *k, struct page *page, unsigned int flags)
{
	struct folio *folio = page_folio(page);

	if (flags & FOLL_GET) {
		get_page(page);
	} else if (flags & FOLL_PIN) {
		if (folio_test_large(folio)) { /* a THP: one reference and its pincount */
			folio_get(folio);
			folio->_pincount++;
		} else {
			page_ref_add(page, GUP_PIN_COUNTING_BIAS);
		}
		mod_node_page_state_of(k, page, NR_FOLL_PIN_ACQUIRED, 1);
	}
}

/*
 * Models: follow_trans_huge_pmd() with touch_pmd(): the page of the huge PMD @pmd at
 * @address, NULL when a fault is needed (a write through a read-only PMD, an unsharing one).
 */
static struct page *follow_trans_huge_pmd(struct vm_area_struct *vma, unsigned long address,
					  pmd_t *pmd, unsigned int flags, bool *unshare)
{
	struct kmm_kernel *k = vma->vm_mm->kernel;
	pmd_t entry = *pmd;
	struct page *page =
		pfn_to_page(k, pmd_pfn(entry)) + ((address & ~HPAGE_PMD_MASK) >> PAGE_SHIFT);
	bool zero = is_huge_zero_pmd(k, entry);

	if ((flags & FOLL_WRITE) && !pmd_write(entry))
		return NULL; /* can_follow_write_pmd(): no FOLL_FORCE through a huge PMD here */
	if (!pmd_write(entry) && !zero && gup_must_unshare(flags, page)) {
		*unshare = true;
		return NULL;
	}
	try_grab_page(k, page, flags);
	if (flags & FOLL_TOUCH) {
		pte_t young = pte_mkyoung(pmd_pte(entry));

		if (flags & FOLL_WRITE) {
			young = pte_mkdirty(young);
			SetPageDirty(&page_folio(page)->page);
		}
		set_pmd(pmd, __pmd(pte_val(young)));
		if (!zero)
			mark_page_accessed(k, &page_folio(page)->page);
	}
	return page;
}

/*
 * Models: follow_page_pte(): the page mapped at @address if the PTE allows the access,
 * NULL when a fault is needed (*@unshare set when it must be an unsharing one).
 */
static struct page *follow_page_pte(struct vm_area_struct *vma, unsigned long address,
				    unsigned int flags, bool *unshare)
{
	struct kmm_kernel *k = vma->vm_mm->kernel;
	pte_t *ptep = (pte_t *)mm_pte_lookup(vma->vm_mm, address);
	pmd_t *pmdp = mm_find_pmd(vma->vm_mm, address);
	struct page *page = NULL;
	pte_t pte;

	*unshare = false;
	if (pmdp && pmd_present(*pmdp) && pmd_trans_huge(*pmdp)) /* follow_pmd_mask() */
		return follow_trans_huge_pmd(vma, address, pmdp, flags, unshare);
	if (!ptep || !pte_present(*ptep))
		return NULL;
	pte = *ptep;
	if (pfn_valid(k, pte_pfn(pte)))
		page = pfn_to_page(k, pte_pfn(pte)); /* the zero page too (vm_normal_page or not) */
	if ((flags & FOLL_WRITE) &&
	    !can_follow_write_pte(pte, is_zero_pfn(k, pte_pfn(pte)) ? NULL : page, vma, flags))
		return NULL;
	if (!page)
		return NULL;
	if (!pte_write(pte) && !is_zero_pfn(k, pte_pfn(pte)) && gup_must_unshare(flags, page)) {
		*unshare = true;
		return NULL;
	}
	try_grab_page(k, page, flags);
	if (flags & FOLL_TOUCH) {
		if ((flags & FOLL_WRITE) && !pte_dirty(pte) && !PageDirty(page))
			SetPageDirty(page); /* set_page_dirty */
		if (!is_zero_pfn(k, pte_pfn(pte)))
			mark_page_accessed(k, page);
	}
	return page;
}

/* Models: faultin_page(): a fault on behalf of gup. 0, -ENOMEM or -EFAULT. */
static int faultin_page(struct vm_area_struct *vma, unsigned long address, unsigned int flags,
			bool unshare)
{
	unsigned int fault_flags = 0;
	vm_fault_t ret;

	if (flags & FOLL_WRITE)
		fault_flags |= FAULT_FLAG_WRITE;
	if (flags & FOLL_REMOTE)
		fault_flags |= FAULT_FLAG_REMOTE;
	if (unshare)
		fault_flags |= FAULT_FLAG_UNSHARE;
	ret = handle_mm_fault(vma, address, fault_flags);
	if (ret & VM_FAULT_OOM)
		return -ENOMEM;
	if (ret & VM_FAULT_ERROR)
		return -EFAULT;
	return 0;
}

/* Models: __get_user_pages(): pages done (> 0) or the first page's error. */
static long __get_user_pages(struct mm_struct *mm, unsigned long start, unsigned long nr_pages,
			     unsigned int gup_flags, struct page **pages)
{
	struct vm_area_struct *vma = NULL;
	long i = 0;

	start &= PAGE_MASK;
	while (nr_pages) {
		struct page *page;
		bool unshare;
		int ret;

		if (!vma || start >= vma->vm_end) {
			vma = find_vma(mm, start);
			if (!vma || vma->vm_start > start)
				return i ? i
					 : -EFAULT; /* gup does not expand stacks (6.1: it does) */
			ret = check_vma_flags(vma, gup_flags);
			if (ret)
				return i ? i : ret;
		}
		for (int tries = 0;; tries++) {
			page = follow_page_pte(vma, start, gup_flags, &unshare);
			if (page || tries == 3)
				break;
			ret = faultin_page(vma, start, gup_flags, unshare);
			if (ret)
				return i ? i : ret;
		}
		if (!page)
			return i ? i : -EFAULT;
		if (pages)
			pages[i] = page;
		else if (gup_flags & (FOLL_GET | FOLL_PIN))
			put_page(mm->kernel, page);
		i++;
		start += PAGE_SIZE;
		nr_pages--;
	}
	return i;
}

long get_user_pages(struct mm_struct *mm, unsigned long start, unsigned long nr_pages,
		    unsigned int gup_flags, struct page **pages)
{
	if (gup_flags & FOLL_PIN)
		return -EINVAL;
	return __get_user_pages(mm, start, nr_pages, gup_flags | FOLL_GET | FOLL_TOUCH, pages);
}

long pin_user_pages(struct mm_struct *mm, unsigned long start, unsigned long nr_pages,
		    unsigned int gup_flags, struct page **pages)
{
	if ((gup_flags & FOLL_GET) || !pages)
		return -EINVAL;
	mm->flags |= MMF_HAS_PINNED; /* mm_set_has_pinned_flag */
	return __get_user_pages(mm, start, nr_pages, gup_flags | FOLL_PIN | FOLL_TOUCH, pages);
}

void unpin_user_page(struct kmm_kernel *k, struct page *page)
{
	struct folio *folio = page_folio(page);

	mod_node_page_state_of(k, page, NR_FOLL_PIN_RELEASED, 1);
	if (folio_test_large(folio))
		folio->_pincount--;
	else
		page_ref_sub(page, GUP_PIN_COUNTING_BIAS - 1);
	put_page(k, page);
}

/* Models: populate_vma_page_range(): the faults mlock/MAP_POPULATE ask for. */
static long populate_vma_page_range(struct vm_area_struct *vma, unsigned long start,
				    unsigned long end)
{
	unsigned int gup_flags = FOLL_TOUCH;
	long ret;

	if ((vma->vm_flags & (VM_WRITE | VM_SHARED)) == VM_WRITE)
		gup_flags |= FOLL_WRITE;
	if (vma->vm_flags & VM_ACCESS_FLAGS) /* vma_is_accessible */
		gup_flags |= FOLL_FORCE;
	if (vma->vm_flags & VM_LOCKONFAULT)
		return (long)((end - start) >> PAGE_SHIFT);
	ret = __get_user_pages(vma->vm_mm, start, (end - start) >> PAGE_SHIFT, gup_flags, NULL);
	/* 6.1 drains this CPU's LRU and mlock batches after the faults (lru_add_drain()): the
	 * last pages of a populate or mlock reach their LRU list at once. */
	lru_add_drain(vma->vm_mm->kernel);
	return ret;
}

int __mm_populate(struct mm_struct *mm, unsigned long start, unsigned long len, int ignore_errors)
{
	unsigned long end = start + len, nstart, nend;
	struct vm_area_struct *vma;
	long ret = 0;

	for (nstart = start; nstart < end; nstart = nend) {
		vma = find_vma_intersection(mm, nstart, end);
		if (!vma)
			break;
		nend = end < vma->vm_end ? end : vma->vm_end;
		if (vma->vm_flags & (VM_IO | VM_PFNMAP))
			continue;
		if (nstart < vma->vm_start)
			nstart = vma->vm_start;
		ret = populate_vma_page_range(vma, nstart, nend);
		if (ret < 0) {
			if (ignore_errors) {
				ret = 0;
				continue;
			}
			break;
		}
		nend = nstart + (unsigned long)ret * PAGE_SIZE;
		ret = 0;
	}
	return (int)ret;
}
