/*
 * Transparent huge pages (huge_memory.c): the sysfs knobs, the huge zero page, PMD-mapped
 * anonymous THPs (fault, zap, fork, write-protect faults, mprotect), the PMD split, and the
 * interface the page-table walkers use to meet a huge PMD.
 *
 * Models: include/linux/huge_mm.h (Linux 6.1.192).
 *
 * A huge PMD here is an arm64 block descriptor (PMD_TYPE_SECT) in a user PMD table, mapping
 * the 512 pages of one order-9 compound page (or the huge zero page). Each huge PMD of an
 * mm has a PTE table deposited for it (pgtable_trans_huge_deposit), counted in the mm's
 * pgtables_bytes and NR_PAGETABLE, used when the PMD is split.
 */
#ifndef KMM_MM_HUGE_MM_H
#define KMM_MM_HUGE_MM_H

#include "arch/arm64/include/asm/pgtable.h"
#include "lib/sink.h"
#include "mm/memory.h"
#include "mm/pagemap.h"

#include <stdbool.h>
#include <stddef.h>

#define HPAGE_PMD_SHIFT PMD_SHIFT
#define HPAGE_PMD_SIZE	PMD_SIZE
#define HPAGE_PMD_MASK	PMD_MASK
#define HPAGE_PMD_ORDER (PMD_SHIFT - PAGE_SHIFT)
#define HPAGE_PMD_NR	(1UL << HPAGE_PMD_ORDER)

/* mm->flags bit: the mm holds a reference on the huge zero page (sched/coredump.h: 23). */
#define MMF_HUGE_ZERO_PAGE (1UL << 23)
/* mm->flags bit: prctl(PR_SET_THP_DISABLE) (sched/coredump.h: 24). */
#define MMF_DISABLE_THP (1UL << 24)

/* Models: enum transparent_hugepage_flag (the bits of transparent_hugepage_flags). */
enum transparent_hugepage_flag {
	TRANSPARENT_HUGEPAGE_NEVER_DAX,
	TRANSPARENT_HUGEPAGE_FLAG,
	TRANSPARENT_HUGEPAGE_REQ_MADV_FLAG,
	TRANSPARENT_HUGEPAGE_DEFRAG_DIRECT_FLAG,
	TRANSPARENT_HUGEPAGE_DEFRAG_KSWAPD_FLAG,
	TRANSPARENT_HUGEPAGE_DEFRAG_KSWAPD_OR_MADV_FLAG,
	TRANSPARENT_HUGEPAGE_DEFRAG_REQ_MADV_FLAG,
	TRANSPARENT_HUGEPAGE_DEFRAG_KHUGEPAGED_FLAG,
	TRANSPARENT_HUGEPAGE_USE_ZERO_PAGE_FLAG,
};

/* ---- boot, shutdown, checks --------------------------------------------------------- */

/*
 * Models: hugepage_init(): creates k->thp with the boot defaults (enabled from
 * transparent_hugepage=, always when not given; defrag madvise; use_zero_page 1) and the
 * huge zero page's shrinker. THP stays off (k->thp_enabled false) below 512 MiB of RAM.
 * Returns 0 or -ENOMEM (nothing created).
 */
int thp_init(struct kmm_kernel *k);
/* Frees k->thp (and the huge zero page if no mm holds it). */
void thp_exit(struct kmm_kernel *k);
/* The invariants of huge_memory.c's essay; false with the reason. Reads only. */
bool thp_check(const struct kmm_kernel *k, char *why, size_t whylen);

/* ---- /sys/kernel/mm/transparent_hugepage ------------------------------------------- */

/*
 * Prints the file @name under /sys/kernel/mm/transparent_hugepage/ (e.g. "enabled",
 * "khugepaged/max_ptes_none") as the kernel does. 0, or -ENOENT (nothing printed).
 */
int thp_sysfs_show(struct kmm_kernel *k, const char *name, const struct sink *out);
/*
 * Writes @val (a trailing newline allowed) to the file @name. 0, -EINVAL for a value the
 * kernel refuses (nothing changed), -ENOENT for no such file, -EACCES for a read-only one.
 */
int thp_sysfs_store(struct kmm_kernel *k, const char *name, const char *val);
/* Where the files are (kmm_proc_show and kmm_sysctl take these paths). */
#define THP_SYSFS_DIR "/sys/kernel/mm/transparent_hugepage/"
/* The knob files, NULL-terminated (for listings and tests). */
extern const char *const thp_sysfs_files[];

/*
 * khugepaged.c's access to its knobs: the field behind the file @name (e.g.
 * "khugepaged/max_ptes_none"), stable from thp_init to thp_exit, or NULL.
 */
unsigned int *thp_khugepaged_knob(struct kmm_kernel *k, const char *name);
/* Models: khugepaged_defrag(): khugepaged/defrag is 1 (its allocations reclaim/compact). */
bool thp_khugepaged_defrag(const struct kmm_kernel *k);

/* ---- the policy --------------------------------------------------------------------- */

/* Models: hugepage_vma_check(): may @vma have THPs (smaps: THPeligible; in_pf: a fault). */
bool hugepage_vma_check(struct vm_area_struct *vma, unsigned long vm_flags, bool smaps, bool in_pf,
			bool enforce_sysfs);
/* Models: transhuge_vma_suitable(): the 2 MiB range around @addr lies inside @vma. */
bool transhuge_vma_suitable(const struct vm_area_struct *vma, unsigned long addr);
/* Models: vma_thp_gfp_mask(): the gfp of a THP allocation for @vma under the defrag mode. */
gfp_t vma_thp_gfp_mask(const struct vm_area_struct *vma);
/* Models: hugepage_madvise(): MADV_HUGEPAGE/NOHUGEPAGE on *@vm_flags. 0 or -EINVAL. */
int hugepage_madvise(const struct vm_area_struct *vma, unsigned long *vm_flags, int advice);

/* ---- huge PMDs ---------------------------------------------------------------------- */

/* Models: pmd_trans_huge(): a present block entry in a user PMD table. */
static inline bool pmd_trans_huge(pmd_t pmd)
{
	return pmd_val(pmd) && !(pmd_val(pmd) & PMD_TABLE_BIT);
}

/* Models: is_huge_zero_pmd(): @pmd maps the huge zero page. */
bool is_huge_zero_pmd(const struct kmm_kernel *k, pmd_t pmd);
/* Models: is_huge_zero_page(). */
bool is_huge_zero_page(const struct kmm_kernel *k, const struct page *page);

/*
 * The PMD entry of @mm for @addr, or NULL when the PUD level has no table. Allocates nothing.
 * (Models the walk part of mm_find_pmd(); the entry may be none, a table or huge.)
 */
pmd_t *mm_find_pmd(const struct mm_struct *mm, unsigned long addr);

/* Models: do_huge_pmd_anonymous_page(): VM_FAULT_FALLBACK to go on with PTEs. */
vm_fault_t do_huge_pmd_anonymous_page(struct vm_fault *vmf);
/* Models: do_huge_pmd_wp_page(): reuse an exclusive THP, else split (VM_FAULT_FALLBACK). */
vm_fault_t do_huge_pmd_wp_page(struct vm_fault *vmf);
/* Models: huge_pmd_set_accessed(): young (and dirty on a write) on the huge PMD. */
void huge_pmd_set_accessed(struct vm_fault *vmf);

/*
 * Models: zap_huge_pmd(): clears the huge PMD at @pmd (mapping @addr of @vma), queues its page
 * on @tlb, frees the deposited table, MM_ANONPAGES -512. Returns 1 (done) or 0 (not a huge
 * PMD: nothing done).
 */
int zap_huge_pmd(struct mmu_gather *tlb, struct vm_area_struct *vma, pmd_t *pmd,
		 unsigned long addr);
/*
 * Models: copy_huge_pmd(): fork's copy of the huge PMD @src_pmd into @dst_pmd (write-protected
 * in both for a COW mapping). 0, -ENOMEM (nothing changed in the child), or -EAGAIN: the PMD
 * was split in the parent (a pinned exclusive THP), copy its PTEs instead.
 */
int copy_huge_pmd(struct vm_area_struct *dst_vma, struct vm_area_struct *src_vma, pmd_t *dst_pmd,
		  pmd_t *src_pmd, unsigned long addr);
/*
 * Models: change_huge_pmd(): the huge PMD at @pmd gets @newprot (mprotect). Returns
 * HPAGE_PMD_NR when changed, 0 when nothing was (not huge). Flushes the TLB range itself.
 */
long change_huge_pmd(struct vm_area_struct *vma, pmd_t *pmd, unsigned long addr, pgprot_t newprot);
/*
 * Models: move_huge_pmd(): mremap moves the huge PMD @old_pmd to the empty @new_pmd (and its
 * deposited table). True when moved.
 */
bool move_huge_pmd(struct vm_area_struct *vma, struct vm_area_struct *new_vma,
		   unsigned long old_addr, unsigned long new_addr, pmd_t *old_pmd, pmd_t *new_pmd);

/*
 * Models: __split_huge_pmd(): turns the huge PMD at @pmd (covering @address) into a table of
 * 512 PTEs (the deposited one) mapping the same pages with the same rights; the huge zero page
 * becomes 512 zero-page PTEs. thp_split_pmd counted. Nothing done when @pmd is not huge.
 */
void __split_huge_pmd(struct vm_area_struct *vma, pmd_t *pmd, unsigned long address);
/* Models: split_huge_pmd_address(): the same for the PMD covering @address, if any. */
void split_huge_pmd_address(struct vm_area_struct *vma, unsigned long address);
/*
 * Models: vma_adjust_trans_huge(): before @vma becomes [@start, @end) (and its successor
 * moves by @adjust_next bytes), split the huge PMDs the new boundaries cut.
 */
void vma_adjust_trans_huge(struct vm_area_struct *vma, unsigned long start, unsigned long end,
			   long adjust_next);

/* ---- split_huge_page and the deferred split queue -------------------------------------- */

/*
 * Models: split_huge_page_to_list(): splits the locked anonymous THP @page belongs to into
 * 512 order-0 folios (flags, mapping, index, swap-cache slots, dirty state kept; PTE and PMD
 * mappings go through migration entries and come back as PTEs of the small pages). The tails
 * go next to the head on its LRU list, or on @list with a reference each when @list is given
 * (the caller isolated the THP: reclaim, migration). Unmapped tails are freed. @page stays
 * locked and referenced. thp_split_page or thp_split_page_failed counted.
 * Returns 0; -EAGAIN when references beyond the mappings (a pin, a GUP reference) refuse it
 * (nothing changed); -EBUSY for the huge zero page, a THP under writeback or not mapped (no
 * anon_vma), or off the LRU without @list; -EINVAL when @page is not a locked large folio.
 */
int split_huge_page_to_list(struct kmm_kernel *k, struct page *page, struct list_head *list);
/* Models: split_huge_page(): split_huge_page_to_list() with the tails on the LRU. */
int split_huge_page(struct kmm_kernel *k, struct page *page);
/* Models: split_folio_to_list(). */
int split_folio_to_list(struct kmm_kernel *k, struct folio *folio, struct list_head *list);
/*
 * Models: can_split_folio(): only the caller's reference besides the mappings (and the swap
 * cache's, returned in *@pextra_pins if not NULL). Reads only.
 */
bool can_split_folio(const struct folio *folio, int *pextra_pins);
/*
 * Models: prep_transhuge_page(): a freshly allocated order-9 compound page becomes a THP
 * (TRANSHUGE_PAGE_DTOR, an empty deferred list). Every path allocating an anonymous THP calls
 * it (the fault; khugepaged and THP migration targets too).
 */
void prep_transhuge_page(struct page *page);
/* Models: free_transhuge_page(): off the deferred split queue, then free_compound_page(). */
void free_transhuge_page(struct kmm_kernel *k, struct page *page);
/*
 * Models: deferred_split_huge_page(): queues the THP @page (a head) for the deferred split
 * shrinker unless it is queued already or in the swap cache; thp_deferred_split_page counted.
 * rmap calls it when a PTE unmap leaves the THP partly mapped.
 */
void deferred_split_huge_page(struct kmm_kernel *k, struct page *page);
/*
 * Models: the huge-PMD part of madvise_cold_or_pageout_pte_range(): an exclusively mapped THP
 * at @pmd whose 2 MiB [@addr, @next) covers is made old and deactivated (MADV_COLD) or
 * isolated onto @pageout (MADV_PAGEOUT); one the range covers only partly is split so the PTE
 * walk can take its pages. Shared THPs (page_mapcount > 1), the huge zero page and, with
 * @anon_only, file THPs are left alone.
 */
void madvise_cold_or_pageout_huge_pmd(struct vm_area_struct *vma, pmd_t *pmd, unsigned long addr,
				      unsigned long next, struct list_head *pageout,
				      bool anon_only);
/*
 * MADV_FREE over the huge PMD @pmd for [@addr, @next) (madvise_free_huge_pmd): a THP mapped
 * only here and covered whole is made old, clean and lazily freeable; one covered in part is
 * split. True when the PMD was handled whole; false leaves the PTEs (if any) to the caller.
 */
bool madvise_free_huge_pmd(struct vm_area_struct *vma, pmd_t *pmd, unsigned long addr,
			   unsigned long next);

/*
 * The PTE part: a PTE-mapped THP met by MADV_COLD/PAGEOUT is split if only this mapping maps
 * @page (6.1 splits it "if we are only owner"). 0 when split; -EBUSY, -EAGAIN or the split's
 * error when it stays whole.
 */
int madvise_split_pte_mapped_thp(struct kmm_kernel *k, struct page *page);
/* The length of node @nid's deferred split queue (for views and tests). */
unsigned long deferred_split_queue_len(const struct kmm_kernel *k, int nid);
/*
 * The huge PMD covering @address in @vma is split if it maps @folio (split_huge_pmd_address()
 * with its folio argument); nothing happens otherwise.
 */
void split_huge_pmd_folio(struct vm_area_struct *vma, unsigned long address, struct folio *folio);

/*
 * Models: mm_put_huge_zero_page(): exit_mmap drops the mm's reference on the huge zero page.
 */
void mm_put_huge_zero_page(struct mm_struct *mm);

/*
 * The deposited PTE table of a huge PMD (pgtable_trans_huge_deposit/withdraw, the generic
 * LIFO list per mm). The walkers of the checks read the list with pgtable_trans_huge_each.
 */
void pgtable_trans_huge_deposit(struct mm_struct *mm, struct page *pgtable);
struct page *pgtable_trans_huge_withdraw(struct mm_struct *mm);
/* Calls @fn on each deposited table of @mm; stops and returns false when @fn does. */
bool pgtable_trans_huge_each(const struct mm_struct *mm,
			     bool (*fn)(const struct page *pgtable, void *arg), void *arg);

#endif /* KMM_MM_HUGE_MM_H */
