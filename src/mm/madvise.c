/*
 * madvise(2): advice about a range of a user address space.
 *
 * The range is walked VMA by VMA (madvise_walk_vmas): holes are skipped but remembered, so
 * the call advises every VMA it covers and still returns -ENOMEM at the end, as 6.1 does.
 * Each advice is one of three kinds:
 *  - flag advice (NORMAL/RANDOM/SEQUENTIAL, DONTFORK/DOFORK, WIPEONFORK/KEEPONFORK,
 *    DONTDUMP/DODUMP, MERGEABLE/UNMERGEABLE, HUGEPAGE/NOHUGEPAGE): new vm_flags for the
 *    piece, which is merged with a neighbour or split off (madvise_update_vma);
 *  - page advice: DONTNEED (zap the PTEs: the next touch is a fresh zero-filled page), FREE
 *    (exclusive anonymous pages made old and clean and marked lazily freeable: reclaim may
 *    drop them without writing them; a write before that keeps them), POPULATE_READ/WRITE
 *    (fault the range in as a read or a write would), COLD (PTEs made old, pages
 *    deactivated), WILLNEED;
 *  - REMOVE (punch a hole in a shared file mapping) and PAGEOUT (reclaim now).
 *
 * Models: mm/madvise.c (Linux 6.1): do_madvise, madvise_behavior_valid, madvise_walk_vmas,
 *         madvise_vma_behavior, madvise_update_vma, madvise_dontneed_free(_valid_vma),
 *         madvise_free_pte_range, madvise_populate (with mm/gup.c's check_vma_flags and
 *         faultin_vma_page_range), madvise_cold_or_pageout_pte_range, madvise_remove;
 *         madvise_free_pte_range's THP part with huge_memory.c's madvise_free_huge_pmd;
 *         mm/huge_memory.c:hugepage_madvise; mm/ksm.c:ksm_madvise (flags only).
 * Deviation: MADV_COLD, MADV_PAGEOUT and MADV_FREE take the range's huge PMDs before its
 *         PTEs (6.1 goes PMD by PMD): a whole exclusive THP is aged and deactivated, isolated
 *         or made lazily freeable, a partly covered one split (huge_memory.c), and a
 *         PTE-mapped THP split when this mapping is its only one. PAGEOUT reclaims the
 *         whole advised range's pages in one reclaim_pages() batch, where 6.1 reclaims per
 *         page table (2 MiB): the same pages go the same way. MADV_WILLNEED on a shmem VMA
 *         reads its swapped-out pages into the swap cache; on a file VMA it reads one
 *         readahead window (see force_page_cache_ra). MADV_COLLAPSE is khugepaged.c's
 *         madvise_collapse. MADV_REMOVE punches a hole in a tmpfs file (shmem_punch_hole)
 *         or a MAP_HUGETLB file (hugetlb_punch_hole, whose file is the VMA's private data,
 *         not vm_file); on the store-backed filesystem it returns -EOPNOTSUPP (what
 *         vfs_fallocate returns on a filesystem without fallocate). KSM: VM_MERGEABLE is set
 *         and cleared, no ksmd scans. MADV_HWPOISON/SOFT_OFFLINE are unknown (-EINVAL).
 *
 * Invariants: none of its own (the VMA layer's mmap_check and mprotect_check cover the
 * results: every VMA flag change goes through vma_merge/split_vma).
 */
#include <errno.h>

#include "arch/arm64/include/asm/pgtable.h"
#include "arch/arm64/include/asm/tlbflush.h"
#include "mm/kernel.h"
#include "mm/huge_mm.h"
#include "mm/hugetlb.h"
#include "mm/khugepaged.h"
#include "mm/memory.h"
#include "mm/mm.h"
#include "mm/mman.h"
#include "mm/mmap.h"
#include "mm/page-flags.h"
#include "mm/pagemap.h"
#include "mm/shmem.h"
#include "mm/swap.h"
#include "mm/swap_state.h"
#include "mm/swapfile.h"
#include "mm/vmscan.h"

#ifndef EOPNOTSUPP
#define EOPNOTSUPP 95
#endif

/* Models: madvise_behavior_valid() of the captured config (SWAP, KSM, THP; see Deviation). */
static bool madvise_behavior_valid(int behavior)
{
	switch (behavior) {
	case MADV_DOFORK:
	case MADV_DONTFORK:
	case MADV_NORMAL:
	case MADV_SEQUENTIAL:
	case MADV_RANDOM:
	case MADV_REMOVE:
	case MADV_WILLNEED:
	case MADV_DONTNEED:
	case MADV_DONTNEED_LOCKED:
	case MADV_FREE:
	case MADV_COLD:
	case MADV_PAGEOUT:
	case MADV_POPULATE_READ:
	case MADV_POPULATE_WRITE:
	case MADV_MERGEABLE:
	case MADV_UNMERGEABLE:
	case MADV_HUGEPAGE:
	case MADV_NOHUGEPAGE:
	case MADV_COLLAPSE:
	case MADV_DONTDUMP:
	case MADV_DODUMP:
	case MADV_WIPEONFORK:
	case MADV_KEEPONFORK:
		return true;
	default:
		return false;
	}
}

/* Models: madvise_update_vma(): [@start, @end) of @vma gets @new_flags (merge or split). */
static int madvise_update_vma(struct vm_area_struct *vma, struct vm_area_struct **prev,
			      unsigned long start, unsigned long end, vm_flags_t new_flags)
{
	struct mm_struct *mm = vma->vm_mm;
	unsigned long pgoff;
	int error;

	if (new_flags == vma->vm_flags) {
		*prev = vma;
		return 0;
	}
	pgoff = vma->vm_pgoff + ((start - vma->vm_start) >> PAGE_SHIFT);
	*prev = vma_merge(mm, *prev, start, end, new_flags, vma->anon_vma, vma->vm_file, pgoff);
	if (*prev) {
		(*prev)->vm_flags = new_flags;
		return 0;
	}
	*prev = vma;
	if (start != vma->vm_start) {
		error = split_vma(mm, vma, start, 1);
		if (error)
			return error;
	}
	if (end != vma->vm_end) {
		error = split_vma(mm, vma, end, 0);
		if (error)
			return error;
	}
	vma->vm_flags = new_flags;
	return 0;
}

/* The page a present @pte maps, or NULL for special entries (vm_normal_page). */
static struct page *madv_normal_page(struct kmm_kernel *k, pte_t pte)
{
	if (!pte_present(pte) || pte_special(pte))
		return NULL;
	return pte_page(k, pte);
}

/* Calls @fn on every PTE slot that exists in [@start, @end) of @vma; returns flush span. */
typedef bool (*madv_pte_fn)(struct vm_area_struct *vma, unsigned long addr, pte_t *pte, void *arg);

static void madvise_walk_ptes(struct vm_area_struct *vma, unsigned long start, unsigned long end,
			      madv_pte_fn fn, void *arg)
{
	unsigned long addr = start, fstart = end, fend = start;

	while (addr < end) {
		unsigned long next = (addr & PMD_MASK) + PMD_SIZE;
		pte_t *pte;

		if (next > end || next < addr)
			next = end;
		pte = (pte_t *)mm_pte_lookup(vma->vm_mm, addr);
		for (; pte && addr < next; addr += PAGE_SIZE, pte++) {
			if (!fn(vma, addr, pte, arg))
				continue;
			if (addr < fstart)
				fstart = addr;
			if (addr + PAGE_SIZE > fend)
				fend = addr + PAGE_SIZE;
		}
		addr = next;
	}
	/* tlb_finish_mmu: one last-level flush of what changed. */
	if (fstart < fend)
		__flush_tlb_range(vma->vm_mm->kernel, vma, fstart, fend, PAGE_SIZE, true, 3);
}

/*
 * Models: madvise_free_pte_range() for one PTE: an exclusively mapped anonymous page loses
 * PG_dirty, its PTE is made old and clean (flushed: a CPU must not keep writing through a
 * dirty translation), and it is marked lazily freeable. Returns whether the PTE changed.
 */
static bool madvise_free_pte(struct vm_area_struct *vma, unsigned long addr, pte_t *pte, void *arg)
{
	unsigned long *skip_to = arg; /* the end of a table 6.1's walk broke out of */
	struct kmm_kernel *k = vma->vm_mm->kernel;
	pte_t ptent = *pte;
	struct page *page;
	bool changed = false;

	if (addr < *skip_to)
		return false;
	page = madv_normal_page(k, ptent);

	if (is_swap_pte(ptent)) { /* the data is not needed: the slot goes */
		swp_entry_t entry = pte_to_swp_entry(ptent);

		if (non_swap_entry(entry))
			return false;
		add_mm_counter(vma->vm_mm, MM_SWAPENTS, -1);
		free_swap_and_cache(k, entry);
		pte_clear(pte);
		return false;
	}
	if (!page)
		return false;
	if (folio_test_large(page_folio(page))) {
		/* a PTE-mapped THP only this mapping maps is split; else the rest of the PMD's
		 * range is left (6.1 breaks out of the table), or, when the split fails, too */
		if (page_mapcount(&page_folio(page)->page) != 1 || /* folio_estimated_sharers */
		    madvise_split_pte_mapped_thp(k, page)) {
			*skip_to = (addr & PMD_MASK) + PMD_SIZE;
			return false;
		}
		return madvise_free_pte(vma, addr, pte, arg); /* the page is small now */
	}
	if (PageSwapCache(page) || PageDirty(page)) {
		if (page_mapcount(page) != 1)
			return false; /* shared with another mm: its dirtiness is not ours */
		if (PageSwapCache(page) && !try_to_free_swap(k, page))
			return false;
		ClearPageDirty(page);
	}
	if (pte_young(ptent) || pte_dirty(ptent)) {
		ptent = ptep_get_and_clear(vma->vm_mm, addr, pte);
		ptent = pte_mkclean(pte_mkold(ptent));
		set_pte_at(k, vma->vm_mm, addr, pte, ptent);
		changed = true;
	}
	mark_page_lazyfree(k, page);
	return changed;
}

/*
 * Models: madvise_free_single_vma(): MADV_FREE on [@start, @end) of an anonymous VMA, its
 * huge PMDs first (madvise_free_huge_pmd), then its PTEs.
 */
static int madvise_free_single_vma(struct vm_area_struct *vma, unsigned long start,
				   unsigned long end)
{
	struct kmm_kernel *k = vma->vm_mm->kernel;
	unsigned long skip_to = 0;

	if (!vma_is_anonymous(vma))
		return -EINVAL;
	if (start < vma->vm_start)
		start = vma->vm_start;
	if (end > vma->vm_end)
		end = vma->vm_end;
	lru_add_drain(k);
	update_hiwater_rss(vma->vm_mm);
	for (unsigned long addr = start, next; addr < end; addr = next) { /* the huge PMDs */
		pmd_t *pmd = mm_find_pmd(vma->vm_mm, addr);

		next = (addr & PMD_MASK) + PMD_SIZE;
		if (next > end || next < addr)
			next = end;
		if (pmd && pmd_trans_huge(*pmd))
			madvise_free_huge_pmd(vma, pmd, addr, next);
	}
	madvise_walk_ptes(vma, start, end, madvise_free_pte, &skip_to);
	return 0;
}

/*
 * Models: madvise_dontneed_free_valid_vma(): may @behavior zap [@start, *@end) of @vma? A
 * hugetlb VMA takes DONTNEED(_LOCKED) only, from a huge-page-aligned @start, with *@end
 * rounded down to the huge page size (locked or not); other VMAs refuse VM_PFNMAP, and
 * VM_LOCKED unless DONTNEED_LOCKED.
 */
static bool madvise_dontneed_free_valid_vma(const struct vm_area_struct *vma, unsigned long start,
					    unsigned long *end, int behavior)
{
	vm_flags_t forbidden = VM_PFNMAP;
	unsigned long hsz;

	if (!is_vm_hugetlb_page(vma)) {
		if (behavior != MADV_DONTNEED_LOCKED)
			forbidden |= VM_LOCKED;
		return !(vma->vm_flags & forbidden);
	}
	if (behavior != MADV_DONTNEED && behavior != MADV_DONTNEED_LOCKED)
		return false;
	hsz = vma_kernel_pagesize(vma);
	if (start & (hsz - 1))
		return false;
	*end &= ~(hsz - 1); /* whole huge pages only: never more than asked */
	return true;
}

/* Models: madvise_dontneed_free(): DONTNEED(_LOCKED) zaps, FREE marks lazily freeable. */
static int madvise_dontneed_free(struct vm_area_struct *vma, struct vm_area_struct **prev,
				 unsigned long start, unsigned long end, int behavior)
{
	*prev = vma;
	if (!madvise_dontneed_free_valid_vma(vma, start, &end, behavior))
		return -EINVAL;
	if (start == end)
		return 0;
	if (behavior == MADV_FREE)
		return madvise_free_single_vma(vma, start, end);
	zap_page_range(vma, start, end - start);
	return 0;
}

/* Models: check_vma_flags() as faultin_vma_page_range uses it (-EINVAL for permissions). */
static int madvise_populate_check(const struct vm_area_struct *vma, bool write)
{
	if (vma->vm_flags & (VM_IO | VM_PFNMAP))
		return -EINVAL;
	if (write && !(vma->vm_flags & VM_WRITE))
		return -EINVAL;
	if (!write && !(vma->vm_flags & VM_READ))
		return -EINVAL;
	return 0;
}

/*
 * Models: faultin_vma_page_range() / __get_user_pages() with FOLL_TOUCH and no page
 * references: each page of [@start, @end) that follow_page would not find (absent, or not
 * writable for a write) is faulted in with handle_mm_fault; each page found is then touched
 * (mark_page_accessed; a write through a clean entry dirties the page). 0, -EFAULT
 * (SIGSEGV/SIGBUS), -ENOMEM.
 */
static int madvise_faultin_range(struct vm_area_struct *vma, unsigned long start, unsigned long end,
				 bool write)
{
	struct kmm_kernel *k = vma->vm_mm->kernel;
	unsigned long addr;

	for (addr = start; addr < end; addr += PAGE_SIZE) {
		const pte_t *pte = (const pte_t *)mm_pte_lookup(vma->vm_mm, addr);
		pmd_t *pmdp = mm_find_pmd(vma->vm_mm, addr);
		struct page *page;

		if (pmdp && pmd_present(*pmdp) && pmd_trans_huge(*pmdp) &&
		    (!write || pmd_write(*pmdp))) {
			/* follow_trans_huge_pmd(): the whole huge PMD is there */
			if (!is_huge_zero_pmd(k, *pmdp)) {
				page = pfn_to_page(k, pmd_pfn(*pmdp));
				if (write)
					SetPageDirty(page);
				mark_page_accessed(k, page);
			}
			addr = (addr | (HPAGE_PMD_SIZE - 1)) - PAGE_SIZE + 1;
			continue;
		}
		if (!pte || !pte_valid(*pte) || (write && !pte_write(*pte))) {
			vm_fault_t ret = handle_mm_fault(vma, addr, write ? FAULT_FLAG_WRITE : 0);

			if (ret & VM_FAULT_OOM)
				return -ENOMEM;
			if (ret & VM_FAULT_ERROR)
				return -EFAULT;
			pmdp = mm_find_pmd(vma->vm_mm, addr);
			if (pmdp && pmd_present(*pmdp) &&
			    pmd_trans_huge(*pmdp)) { /* a new THP: touched on the next turn */
				addr -= PAGE_SIZE;
				continue;
			}
			pte = (const pte_t *)mm_pte_lookup(vma->vm_mm, addr);
			if (!pte || !pte_valid(*pte))
				return -EFAULT;
		}
		page = madv_normal_page(k, *pte);
		if (!page)
			continue; /* the zero page */
		if (write && !pte_dirty(*pte) && !PageDirty(page))
			set_page_dirty(k, page);
		mark_page_accessed(k, page);
	}
	lru_add_drain(k);
	return 0;
}

/* Models: madvise_populate(): POPULATE_READ/WRITE over [@start, @end) (within one VMA). */
static int madvise_populate(struct vm_area_struct *vma, struct vm_area_struct **prev,
			    unsigned long start, unsigned long end, int behavior)
{
	const bool write = behavior == MADV_POPULATE_WRITE;
	int error;

	*prev = vma;
	error = madvise_populate_check(vma, write);
	if (error)
		return error;
	return madvise_faultin_range(vma, start, end, write);
}

/* Models: can_madv_lru_vma(). */
static bool can_madv_lru_vma(const struct vm_area_struct *vma)
{
	return !(vma->vm_flags & (VM_LOCKED | VM_PFNMAP | VM_HUGETLB));
}

/*
 * Models: madvise_cold_or_pageout_pte_range() for one PTE: an LRU page mapped only here is
 * made old (flushed) and loses PG_referenced; MADV_COLD (@arg NULL) deactivates it,
 * MADV_PAGEOUT isolates it onto the list @arg for reclaim_pages() (an unevictable one goes
 * straight back). With @arg's anon_only, file pages are left alone. Large folios are skipped
 * (see Deviation). Returns whether the PTE changed.
 */
struct madv_pageout {
	struct list_head folios; /* isolated, for reclaim_pages() */
	bool anon_only;		 /* pageout_anon_only_filter */
};

static bool madvise_cold_or_pageout_pte(struct vm_area_struct *vma, unsigned long addr, pte_t *pte,
					void *arg)
{
	struct kmm_kernel *k = vma->vm_mm->kernel;
	struct madv_pageout *po = arg;
	struct page *page = madv_normal_page(k, *pte);
	bool changed = false;

	if (!page)
		return false;
	/* a PTE-mapped THP: split it when this is its only mapping (huge_memory.c) */
	if (folio_test_large(page_folio(page)) && madvise_split_pte_mapped_thp(k, page))
		return false;
	if (po && po->anon_only && !PageAnon(page))
		return false;
	if (!PageLRU(page) || page_mapcount(page) != 1)
		return false;
	if (pte_young(*pte)) {
		pte_t ptent = ptep_get_and_clear(vma->vm_mm, addr, pte);

		set_pte_at(k, vma->vm_mm, addr, pte, pte_mkold(ptent));
		changed = true;
	}
	ClearPageReferenced(page);
	if (!po) {
		deactivate_page(k, page);
		return changed;
	}
	if (isolate_lru_page(k, page) == 0) {
		struct folio *folio = page_folio(page);

		if (folio_test_unevictable(folio))
			putback_lru_page(k, page);
		else
			list_add(&folio->lru, &po->folios);
	}
	return changed;
}

/* The huge PMDs of [@start, @end): whole ones aged (and isolated), partial ones split. */
static void madvise_cold_or_pageout_huge(struct vm_area_struct *vma, unsigned long start,
					 unsigned long end, struct madv_pageout *po)
{
	for (unsigned long addr = start, next; addr < end; addr = next) {
		pmd_t *pmd = mm_find_pmd(vma->vm_mm, addr);

		next = (addr & PMD_MASK) + PMD_SIZE;
		if (next > end || next < addr)
			next = end;
		if (pmd && pmd_trans_huge(*pmd))
			madvise_cold_or_pageout_huge_pmd(
				vma, pmd, addr, next, po ? &po->folios : NULL, po && po->anon_only);
	}
}

static int madvise_cold(struct vm_area_struct *vma, struct vm_area_struct **prev,
			unsigned long start, unsigned long end)
{
	*prev = vma;
	if (!can_madv_lru_vma(vma))
		return -EINVAL;
	lru_add_drain(vma->vm_mm->kernel);
	madvise_cold_or_pageout_huge(vma, start, end, NULL);
	madvise_walk_ptes(vma, start, end, madvise_cold_or_pageout_pte, NULL);
	return 0;
}

/*
 * Models: can_do_file_pageout(): the caller owns the file or may write it. Simulated tasks
 * run as root (CAP_FOWNER), so any file mapping qualifies.
 */
static bool can_do_file_pageout(const struct vm_area_struct *vma)
{
	return vma->vm_file != NULL;
}

/*
 * Models: madvise_pageout() with madvise_pageout_page_range(): the range's exclusively mapped
 * LRU pages are isolated and reclaimed now (reclaim_pages: anonymous ones to swap if a device
 * has room, clean file pages dropped, dirty ones written). Shared file mappings the caller
 * may not write are left alone; private ones give up only their anonymous (COWed) pages.
 */
static int madvise_pageout(struct vm_area_struct *vma, struct vm_area_struct **prev,
			   unsigned long start, unsigned long end)
{
	struct kmm_kernel *k = vma->vm_mm->kernel;
	struct madv_pageout po;

	*prev = vma;
	if (!can_madv_lru_vma(vma))
		return -EINVAL;
	if (!vma_is_anonymous(vma) && !can_do_file_pageout(vma) && (vma->vm_flags & VM_MAYSHARE))
		return 0;
	INIT_LIST_HEAD(&po.folios);
	po.anon_only = !vma_is_anonymous(vma) && !can_do_file_pageout(vma);
	lru_add_drain(k);
	madvise_cold_or_pageout_huge(vma, start, end, &po);
	madvise_walk_ptes(vma, start, end, madvise_cold_or_pageout_pte, &po);
	if (!list_empty(&po.folios))
		reclaim_pages(k, &po.folios);
	return 0;
}

/*
 * Models: madvise_remove(): the checks, then vfs_fallocate(FALLOC_FL_PUNCH_HOLE |
 * FALLOC_FL_KEEP_SIZE) over the range's file bytes: tmpfs punches the hole
 * (shmem_punch_hole); the store-backed filesystem has no fallocate (-EOPNOTSUPP).
 */
static int madvise_remove(struct vm_area_struct *vma, struct vm_area_struct **prev,
			  unsigned long start, unsigned long end)
{
	struct file *file = vma->vm_file;

	*prev = NULL; /* the kernel drops mmap_lock here: the walk looks the VMA up again */
	if (vma->vm_flags & VM_LOCKED)
		return -EINVAL;
	if (!file && !is_vm_hugetlb_page(vma)) /* a hugetlb VMA's file is its private data's */
		return -EINVAL;
	if ((vma->vm_flags & (VM_SHARED | VM_WRITE)) != (VM_SHARED | VM_WRITE))
		return -EACCES;
	if (is_vm_hugetlb_page(vma)) /* hugetlbfs_fallocate's PUNCH_HOLE */
		return hugetlb_punch_hole(
			vma, (start - vma->vm_start) + (vma->vm_pgoff << PAGE_SHIFT), end - start);
	if (!shmem_mapping(file->f_mapping))
		return -EOPNOTSUPP;
	return shmem_punch_hole(vma->vm_mm->kernel, file_inode(file),
				(loff_t)(start - vma->vm_start) +
					((loff_t)vma->vm_pgoff << PAGE_SHIFT),
				(loff_t)(end - start));
}

/* VM_READAHEAD_PAGES: the default readahead window, 128 KiB (the bdi's ra_pages). */
#define VM_READAHEAD_PAGES ((128UL << 10) >> PAGE_SHIFT)

/*
 * Models: mm/readahead.c:force_page_cache_ra() with do_page_cache_ra() and
 * page_cache_ra_unbounded(): reads up to one readahead window of @file's pages from @index
 * (clipped to the file) into the page cache, each absent page once, through ->read_folio.
 * Deviation: the window is VM_READAHEAD_PAGES (the model's filesystems have no device with
 * a larger io_pages); no PG_readahead marker (no async readahead to trigger).
 */
static void force_page_cache_ra(struct kmm_kernel *k, struct file *file, pgoff_t index,
				unsigned long nr_to_read)
{
	struct address_space *mapping = file->f_mapping;
	loff_t isize = file_inode(file)->i_size;
	pgoff_t end_index;

	if (!mapping->a_ops || !mapping->a_ops->read_folio || isize <= 0)
		return;
	end_index = (pgoff_t)((isize - 1) >> PAGE_SHIFT);
	if (index > end_index)
		return;
	if (nr_to_read > VM_READAHEAD_PAGES)
		nr_to_read = VM_READAHEAD_PAGES;
	if (nr_to_read > end_index - index + 1)
		nr_to_read = end_index - index + 1;
	for (pgoff_t i = index; i < index + nr_to_read; i++) {
		struct folio *folio = filemap_get_folio(k, mapping, i);

		if (folio) { /* cached already */
			folio_put(k, folio);
			continue;
		}
		folio = __filemap_get_folio(k, mapping, i, FGP_CREAT | FGP_LOCK,
					    mapping_gfp_mask(mapping));
		if (!folio)
			return;
		if (mapping->a_ops->read_folio(k, file, folio)) {
			filemap_remove_folio(k, folio);
			folio_unlock(folio);
			folio_put(k, folio);
			return;
		}
		folio_unlock(folio);
		folio_put(k, folio);
	}
}

/*
 * Models: swapin_walk_pmd_entry(): every swap PTE of [@start, @end) read into the swap cache
 * (read_swap_cache_async; the PTEs stay swap PTEs until touched).
 */
static void madvise_swapin(struct vm_area_struct *vma, unsigned long start, unsigned long end)
{
	struct kmm_kernel *k = vma->vm_mm->kernel;

	for (unsigned long addr = start; addr < end; addr += PAGE_SIZE) {
		pte_t *ptep = (pte_t *)mm_pte_lookup(vma->vm_mm, addr);
		swp_entry_t entry;
		struct page *page;

		if (!ptep) {
			addr = (addr | (PMD_SIZE - 1)) - PAGE_SIZE + 1;
			continue;
		}
		if (!is_swap_pte(*ptep))
			continue;
		entry = pte_to_swp_entry(*ptep);
		if (non_swap_entry(entry))
			continue;
		page = read_swap_cache_async(k, entry, GFP_HIGHUSER_MOVABLE, vma, addr, NULL);
		if (page)
			put_page(k, page);
	}
}

/*
 * Models: madvise_willneed(): an anonymous VMA reads its swapped-out pages back into the swap
 * cache; a shmem VMA reads its file's swapped-out pages there (shmem_willneed); a file VMA has
 * its range read ahead (vfs_fadvise(POSIX_FADV_WILLNEED) -> generic_fadvise ->
 * force_page_cache_ra).
 */
static int madvise_willneed(struct vm_area_struct *vma, struct vm_area_struct **prev,
			    unsigned long start, unsigned long end)
{
	struct kmm_kernel *k = vma->vm_mm->kernel;
	struct file *file = vma->vm_file;
	loff_t offset, endbyte;
	pgoff_t first, last;

	*prev = vma;
	if (!file) {
		madvise_swapin(vma, start, end);
		lru_add_drain(k);
		return 0;
	}
	if (shmem_mapping(file->f_mapping)) {
		shmem_willneed(k, file->f_mapping,
			       vma->vm_pgoff + ((start - vma->vm_start) >> PAGE_SHIFT),
			       vma->vm_pgoff + ((end - 1 - vma->vm_start) >> PAGE_SHIFT));
		return 0;
	}
	offset = (loff_t)(start - vma->vm_start) + ((loff_t)vma->vm_pgoff << PAGE_SHIFT);
	endbyte = offset + (loff_t)(end - start) - 1;
	first = (pgoff_t)(offset >> PAGE_SHIFT);
	last = (pgoff_t)(endbyte >> PAGE_SHIFT);
	force_page_cache_ra(k, file, first, last - first + 1);
	return 0;
}

/* Models: ksm_madvise() (flags only): which VMAs may be merged by KSM. */
static void ksm_madvise(const struct vm_area_struct *vma, int advice, vm_flags_t *vm_flags)
{
	const vm_flags_t never = VM_MERGEABLE | VM_SHARED | VM_MAYSHARE | VM_PFNMAP | VM_IO |
				 VM_DONTEXPAND | VM_HUGETLB | VM_MIXEDMAP;

	if (advice == MADV_MERGEABLE) {
		if (!(*vm_flags & never))
			*vm_flags |= VM_MERGEABLE;
	} else {
		*vm_flags &= ~VM_MERGEABLE;
	}
}

/* The flags @behavior gives @vma, or a -errno (flag advice only). */
static long madvise_new_flags(const struct vm_area_struct *vma, int behavior, vm_flags_t *flags)
{
	vm_flags_t f = vma->vm_flags;

	switch (behavior) {
	case MADV_NORMAL:
		f &= ~(VM_RAND_READ | VM_SEQ_READ);
		break;
	case MADV_SEQUENTIAL:
		f = (f & ~VM_RAND_READ) | VM_SEQ_READ;
		break;
	case MADV_RANDOM:
		f = (f & ~VM_SEQ_READ) | VM_RAND_READ;
		break;
	case MADV_DONTFORK:
		f |= VM_DONTCOPY;
		break;
	case MADV_DOFORK:
		if (f & VM_IO)
			return -EINVAL;
		f &= ~VM_DONTCOPY;
		break;
	case MADV_WIPEONFORK:
		if (vma->vm_file || (f & VM_SHARED))
			return -EINVAL; /* anonymous private memory only */
		f |= VM_WIPEONFORK;
		break;
	case MADV_KEEPONFORK:
		f &= ~VM_WIPEONFORK;
		break;
	case MADV_DONTDUMP:
		f |= VM_DONTDUMP;
		break;
	case MADV_DODUMP:
		if (!(f & VM_HUGETLB) && (f & VM_SPECIAL))
			return -EINVAL;
		f &= ~VM_DONTDUMP;
		break;
	case MADV_MERGEABLE:
	case MADV_UNMERGEABLE:
		ksm_madvise(vma, behavior, &f);
		break;
	case MADV_HUGEPAGE:
	case MADV_NOHUGEPAGE:
		hugepage_madvise(vma, &f, behavior); /* khugepaged_enter_vma: the caller's */
		break;
	}
	*flags = f;
	return 0;
}

/* Models: madvise_vma_behavior(): @behavior on [@start, @end) of @vma. */
static int madvise_vma_behavior(struct vm_area_struct *vma, struct vm_area_struct **prev,
				unsigned long start, unsigned long end, int behavior)
{
	vm_flags_t new_flags;
	int error;

	switch (behavior) {
	case MADV_REMOVE:
		return madvise_remove(vma, prev, start, end);
	case MADV_WILLNEED:
		return madvise_willneed(vma, prev, start, end);
	case MADV_COLD:
		return madvise_cold(vma, prev, start, end);
	case MADV_PAGEOUT:
		return madvise_pageout(vma, prev, start, end);
	case MADV_FREE:
	case MADV_DONTNEED:
	case MADV_DONTNEED_LOCKED:
		return madvise_dontneed_free(vma, prev, start, end, behavior);
	case MADV_POPULATE_READ:
	case MADV_POPULATE_WRITE:
		return madvise_populate(vma, prev, start, end, behavior);
	case MADV_COLLAPSE:
		return madvise_collapse(vma, prev, start, end);
	}
	error = (int)madvise_new_flags(vma, behavior, &new_flags);
	if (!error && behavior == MADV_HUGEPAGE)
		khugepaged_enter_vma(vma, new_flags); /* hugepage_madvise's registration */
	if (!error)
		error = madvise_update_vma(vma, prev, start, end, new_flags);
	return error == -ENOMEM ? -EAGAIN : error; /* slab shortage is temporary */
}

/*
 * Models: madvise_walk_vmas(): visits every VMA piece of [@start, @end); a hole makes the
 * result -ENOMEM unless a visit failed first.
 */
static int madvise_walk_vmas(struct mm_struct *mm, unsigned long start, unsigned long end,
			     int behavior)
{
	struct vm_area_struct *prev, *vma = find_vma_prev(mm, start, &prev);
	int unmapped_error = 0;

	if (vma && start > vma->vm_start)
		prev = vma;
	for (;;) {
		unsigned long tmp;
		int error;

		if (!vma)
			return -ENOMEM;
		if (start < vma->vm_start) {
			unmapped_error = -ENOMEM;
			start = vma->vm_start;
			if (start >= end)
				break;
		}
		tmp = vma->vm_end < end ? vma->vm_end : end;
		error = madvise_vma_behavior(vma, &prev, start, tmp, behavior);
		if (error)
			return error;
		start = tmp;
		if (prev && start < prev->vm_end)
			start = prev->vm_end;
		if (start >= end)
			break;
		vma = find_vma(mm, prev ? prev->vm_end : start);
	}
	return unmapped_error;
}

int do_madvise(struct mm_struct *mm, unsigned long start, size_t len_in, int behavior)
{
	unsigned long end;
	size_t len;

	if (!madvise_behavior_valid(behavior))
		return -EINVAL;
	if (start & ~PAGE_MASK)
		return -EINVAL;
	len = PAGE_ALIGN(len_in);
	if (len_in && !len)
		return -EINVAL; /* a small negative length rounded up to zero */
	end = start + len;
	if (end < start)
		return -EINVAL;
	if (end == start)
		return 0;
	return madvise_walk_vmas(mm, start, end, behavior);
}
