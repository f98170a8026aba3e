/*
 * User page tables and page faults: the fault entry (arm64 do_mem_abort), handle_mm_fault and
 * its handlers, zapping and freeing page tables (with an mmu_gather), copying them on fork,
 * populate and get_user_pages, and the life of an mm_struct (mm_alloc, dup_mm, mmput).
 *
 * Models (Linux 6.1): mm/memory.c, mm/gup.c, include/asm-generic/tlb.h (mmu_gather),
 *         include/linux/mm.h (mm counters, SPLIT_RSS_COUNTING), arch/arm64/mm/fault.c,
 *         arch/arm64/mm/pgd.c, kernel/fork.c (mm_alloc, dup_mm, mmput).
 * Conventions: no `current`: the task a fault or a call runs for is passed, or set with
 *         set_current_task() by whoever enters the kernel for a task (the task helper on a
 *         system call, do_mem_abort on a fault); the fault path's per-task rss caches and
 *         min_flt/maj_flt go to that task when its mm is the one being changed.
 */
#ifndef KMM_MM_MEMORY_H
#define KMM_MM_MEMORY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "arch/arm64/include/asm/pgtable.h"
#include "mm/mm_types.h"

struct kmm_kernel;
struct task_struct;
struct vm_fault;      /* mm/pagemap.h */
struct address_space; /* mm/pagemap.h */

/* ---- fault codes (include/linux/mm_types.h, 6.1) -------------------------------------- */

typedef unsigned int vm_fault_t;

#define VM_FAULT_OOM		0x000001u
#define VM_FAULT_SIGBUS		0x000002u
#define VM_FAULT_MAJOR		0x000004u
#define VM_FAULT_WRITE		0x000008u
#define VM_FAULT_HWPOISON	0x000010u
#define VM_FAULT_HWPOISON_LARGE 0x000020u
#define VM_FAULT_SIGSEGV	0x000040u
#define VM_FAULT_NOPAGE		0x000100u
#define VM_FAULT_LOCKED		0x000200u
#define VM_FAULT_RETRY		0x000400u
#define VM_FAULT_FALLBACK	0x000800u
#define VM_FAULT_DONE_COW	0x001000u
#define VM_FAULT_NEEDDSYNC	0x002000u
#define VM_FAULT_COMPLETED	0x004000u
#define VM_FAULT_HINDEX_MASK	0x0f0000u
#define VM_FAULT_ERROR                                                                             \
	(VM_FAULT_OOM | VM_FAULT_SIGBUS | VM_FAULT_SIGSEGV | VM_FAULT_HWPOISON |                   \
	 VM_FAULT_HWPOISON_LARGE | VM_FAULT_FALLBACK)

#define FAULT_FLAG_WRITE	  (1u << 0)
#define FAULT_FLAG_MKWRITE	  (1u << 1)
#define FAULT_FLAG_ALLOW_RETRY	  (1u << 2)
#define FAULT_FLAG_RETRY_NOWAIT	  (1u << 3)
#define FAULT_FLAG_KILLABLE	  (1u << 4)
#define FAULT_FLAG_TRIED	  (1u << 5)
#define FAULT_FLAG_USER		  (1u << 6)
#define FAULT_FLAG_REMOTE	  (1u << 7)
#define FAULT_FLAG_INSTRUCTION	  (1u << 8)
#define FAULT_FLAG_INTERRUPTIBLE  (1u << 9)
#define FAULT_FLAG_UNSHARE	  (1u << 10)
#define FAULT_FLAG_ORIG_PTE_VALID (1u << 11)
#define FAULT_FLAG_DEFAULT	  (FAULT_FLAG_ALLOW_RETRY | FAULT_FLAG_KILLABLE | FAULT_FLAG_INTERRUPTIBLE)

/* get_user_pages flags (include/linux/mm.h, 6.1; the KMM_FOLL_ values of kmm/task.h). */
#define FOLL_WRITE	      0x01
#define FOLL_TOUCH	      0x02
#define FOLL_GET	      0x04
#define FOLL_DUMP	      0x08
#define FOLL_FORCE	      0x10
#define FOLL_NOWAIT	      0x20
#define FOLL_NOFAULT	      0x80
#define FOLL_HWPOISON	      0x100
#define FOLL_MIGRATION	      0x400
#define FOLL_TRIED	      0x800
#define FOLL_REMOTE	      0x2000
#define FOLL_ANON	      0x8000
#define FOLL_LONGTERM	      0x10000
#define FOLL_SPLIT_PMD	      0x20000
#define FOLL_PIN	      0x40000
#define FOLL_FAST_ONLY	      0x80000
#define GUP_PIN_COUNTING_BIAS 1024
/* mm->flags bit: the mm has had pages pinned (MMF_HAS_PINNED, 6.1 sched/coredump.h). */
#define MMF_HAS_PINNED (1UL << 28)

/* Signals and codes the fault path raises (asm-generic/signal.h, siginfo.h). */
#define SIGBUS	    7
#define SIGSEGV	    11
#define SEGV_MAPERR 1
#define SEGV_ACCERR 2
#define BUS_ADRALN  1
#define BUS_ADRERR  2

/* ---- the current task ----------------------------------------------------------------- */

/*
 * The task the kernel runs for now (the kernel's `current`), or NULL (a kernel thread or
 * the host acting directly). set_current_task changes only that; the task helper calls it
 * on entering a system call for a task, do_mem_abort for the faulting task.
 */
void set_current_task(struct kmm_kernel *k, struct task_struct *tsk);
struct task_struct *get_current_task(const struct kmm_kernel *k);

/*
 * Models: memalloc_noreclaim_save()/memalloc_noreclaim_restore(): the current task is freeing
 * memory (PF_MEMALLOC: its allocations may use the reserves and never recurse into reclaim).
 * With no current task (the host acting directly) the machine itself is marked. save returns
 * what restore needs; current_is_memalloc() says whether the mark is on. Change nothing else.
 */
unsigned int memalloc_noreclaim_save(struct kmm_kernel *k);
void memalloc_noreclaim_restore(struct kmm_kernel *k, unsigned int saved);
bool current_is_memalloc(const struct kmm_kernel *k);

/* ---- mm counters (include/linux/mm.h with SPLIT_RSS_COUNTING, 6.1) --------------------- */

/* The synced count of @member (MM_FILEPAGES, MM_ANONPAGES, ...), never negative. */
unsigned long get_mm_counter(const struct mm_struct *mm, int member);
/* Models: add_mm_counter(): straight into the mm's count. */
void add_mm_counter(struct mm_struct *mm, int member, long value);
/* MM_FILEPAGES + MM_ANONPAGES + MM_SHMEMPAGES (synced counts). */
unsigned long get_mm_rss(const struct mm_struct *mm);
/* Models: sync_mm_rss(): folds @tsk's rss cache into @mm and clears it (exit, every 64). */
void sync_mm_rss(struct task_struct *tsk, struct mm_struct *mm);
/* Models: update_hiwater_rss()/update_hiwater_vm(). */
void update_hiwater_rss(struct mm_struct *mm);
void update_hiwater_vm(struct mm_struct *mm);
/* Models: mm_counter_file()/mm_counter(): the counter a page of @page counts in. */
int mm_counter_file(const struct page *page);
int mm_counter(const struct page *page);

/* ---- page tables ---------------------------------------------------------------------- */

/*
 * Models: arch/arm64/mm/pgd.c:pgd_alloc(): a zeroed pgd page (GFP_PGTABLE_USER) for @mm;
 * sets mm->pgd. 0 or -ENOMEM (mm unchanged). pgd_free gives it back (all lower tables must
 * be freed already).
 */
int pgd_alloc(struct mm_struct *mm);
void pgd_free(struct mm_struct *mm);

/*
 * Models: __pud_alloc/__pmd_alloc/__pte_alloc walk for @addr in @mm: allocates missing
 * tables (counting mm->pgtables_bytes and NR_PAGETABLE) and returns the host pointer of the
 * PTE slot, or NULL when a table could not be allocated (or a block maps @addr).
 */
uint64_t *mm_pte_alloc(struct mm_struct *mm, unsigned long addr);
/* The same walk stopping at the PMD: the PMD entry's host pointer (any kind), NULL on OOM. */
pmd_t *mm_pmd_alloc(struct mm_struct *mm, unsigned long addr);
/* The same walk stopping at the PUD (hugetlb's 1 GiB blocks): its host pointer, NULL on OOM. */
pud_t *mm_pud_alloc(struct mm_struct *mm, unsigned long addr);
/*
 * Models: pte_alloc_one() with mm_inc_nr_ptes(): a zeroed PTE table page for @mm, counted in
 * pgtables_bytes and NR_PAGETABLE, not linked anywhere. NULL when out of memory.
 */
struct page *pte_alloc_one(struct mm_struct *mm);
/* Models: pte_free() with mm_dec_nr_ptes(): frees such a table at once (never linked). */
void pte_free(struct mm_struct *mm, struct page *pgtable);
/* The PTE slot for @addr if all its tables exist, else NULL. Changes nothing. */
uint64_t *mm_pte_lookup(const struct mm_struct *mm, unsigned long addr);

/* ---- faults --------------------------------------------------------------------------- */

/*
 * Models: handle_mm_fault(): resolves a fault at @address in @vma with FAULT_FLAG_* @flags
 * (tables allocated as needed, then handle_pte_fault). Returns 0 (fixed), VM_FAULT_* bits
 * (VM_FAULT_MAJOR with a fix; VM_FAULT_OOM/SIGBUS/SIGSEGV when not). Counts pgfault and the
 * current task's min_flt/maj_flt (mm_account_fault).
 */
vm_fault_t handle_mm_fault(struct vm_area_struct *vma, unsigned long address, unsigned int flags);

/*
 * do_swap_page() for the swap PTE of @address under the PTE table @pmd of @vma, as khugepaged's
 * __collapse_huge_page_swapin calls it (no pgfault accounting). 0 when the PTE is not a swap
 * entry; else do_swap_page's VM_FAULT_* bits (0 or VM_FAULT_MAJOR when the page came back).
 */
vm_fault_t do_swap_page_at(struct vm_area_struct *vma, pmd_t *pmd, unsigned long address);

/*
 * Models: arch/arm64/mm/fault.c:do_mem_abort(): the abort @esr at @far taken by @tsk at EL0
 * (tsk->mm is the faulting mm) goes through fault_info[] by DFSC/IFSC. Returns 0 when the
 * fault was fixed (retry the access), or the signal raised (SIGSEGV, SIGBUS) with
 * tsk->last_sig filled (si_code, si_addr, ESR, FAR) and the task left as it was otherwise.
 */
int do_mem_abort(struct kmm_kernel *k, struct task_struct *tsk, uint64_t far, uint64_t esr);

/*
 * Models: do_set_pte(): maps @page at @addr (vmf->pte is its PTE slot, empty) for a file
 * fault or fault-around: a COW copy (write to a private mapping) as a new anon page, else
 * as a file page (rss, page_add_file_rmap). A prefaulted PTE (addr != vmf->address) is old
 * when the CPU has a hardware access flag. Takes over the caller's page reference.
 */
void do_set_pte(struct vm_fault *vmf, struct page *page, unsigned long addr);

/*
 * Models: arch/arm64 arch_wants_old_prefaulted_pte(): true when the CPU updates the access
 * flag in hardware (cpu_has_hw_af), so fault-around may map pages old at no cost.
 */
bool arch_wants_old_prefaulted_pte(const struct kmm_kernel *k);

/*
 * Models: unmap_mapping_range(): zaps the PTEs of file pages [@holebegin, +@holelen) (bytes;
 * 0 length: to the end) in every VMA mapping @mapping; private COW copies (anon pages) too
 * when @even_cows. Page tables stay.
 */
void unmap_mapping_range(struct address_space *mapping, int64_t holebegin, int64_t holelen,
			 int even_cows);

/* ---- unmapping (with an mmu_gather) ---------------------------------------------------- */

/*
 * Models: include/asm-generic/tlb.h (6.1): MMU_GATHER_BUNDLE pages in the on-stack batch; then
 * batch pages from __get_free_page(GFP_NOWAIT | __GFP_NOWARN), each holding what one page less
 * its header (next, nr, max: 16 bytes) holds in pointers, at most MAX_GATHER_BATCH_COUNT of
 * them; a page-table batch (struct mmu_table_batch: rcu_head, nr: 24 bytes) per page too.
 */
#define MMU_GATHER_BUNDLE      8
#define MAX_GATHER_BATCH       ((4096UL - 16) / 8)	    /* 510 */
#define MAX_GATHER_BATCH_COUNT (10000UL / MAX_GATHER_BATCH) /* 19 */
#define MAX_TABLE_BATCH	       ((4096UL - 24) / 8)	    /* 509 */

/*
 * Models: struct mmu_gather_batch. The entries live in host memory beside the simulated page
 * that backs them (@page: NULL for the on-stack bundle), which is what pgalloc/pgfree count.
 */
struct mmu_gather_batch {
	struct mmu_gather_batch *next;
	unsigned int nr, max;
	struct page *page;
	struct page **pages;
};

struct mmu_table_batch; /* memory.c: the page-table batch, freed after an RCU grace period */

/*
 * Models: include/asm-generic/tlb.h:struct mmu_gather: the range to flush with what was
 * cleared in it (the stride and TTL level of arm64's tlb_flush), the pages to free after the
 * flush (the bundle, then batch pages; flushed and freed when no batch page can be had), and
 * the page-table batch (tlb_remove_table: freed an RCU grace period after its flush).
 */
struct mmu_gather {
	struct mm_struct *mm;
	struct mmu_table_batch *batch;
	unsigned long start, end; /* the VA range gathered since the last flush */
	bool fullmm;		  /* exit_mmap: the whole address space goes */
	bool freed_tables;	  /* page-table pages were freed (flush the walk caches too) */
	bool cleared_ptes, cleared_pmds, cleared_puds, cleared_p4ds;
	unsigned int batch_count; /* batch pages taken (tlb_next_batch) */
	struct mmu_gather_batch *active;
	struct mmu_gather_batch local;
	struct page *__pages[MMU_GATHER_BUNDLE];
	unsigned long nr_flushes; /* tlb_flush() calls of this gather (tests look) */
};

void tlb_gather_mmu(struct mmu_gather *tlb, struct mm_struct *mm);
void tlb_gather_mmu_fullmm(struct mmu_gather *tlb, struct mm_struct *mm);
/*
 * Flushes what was gathered, frees the gathered pages and the batch pages; the page tables go
 * to call_rcu (see rcu_barrier_tables).
 */
void tlb_finish_mmu(struct mmu_gather *tlb);
/* Models: tlb_flush_pmd_range() (tlb_remove_pmd_tlb_entry): a cleared PMD's range. */
void tlb_flush_pmd_range(struct mmu_gather *tlb, unsigned long address, unsigned long size);
/* Models: tlb_flush_pte_range() / tlb_flush_pud_range(): a cleared PTE's / PUD's range. */
void tlb_flush_pte_range(struct mmu_gather *tlb, unsigned long address, unsigned long size);
void tlb_flush_pud_range(struct mmu_gather *tlb, unsigned long address, unsigned long size);
/* Models: tlb_end_vma(): flushes what was gathered unless the whole mm goes (no merging). */
void tlb_end_vma(struct mmu_gather *tlb, struct vm_area_struct *vma);
/*
 * Models: tlb_remove_page_size(): @page (of @size bytes, one gather entry) is freed after the
 * flush; flushes and frees at once when the gather is full (tlb_flush_mmu).
 */
void tlb_remove_page_size(struct mmu_gather *tlb, struct page *page, unsigned long size);
/*
 * Models: rcu_barrier() for the page-table batches: frees, now, every batch still waiting for
 * its grace period (tests, shutdown). Without it a batch is freed at the second run point
 * (evq.h) after its call_rcu: the first ends the grace period, the second runs the callback.
 */
void rcu_barrier_tables(struct kmm_kernel *k);
/* Page-table batches waiting for their grace period (tests look). */
unsigned long rcu_tables_pending(const struct kmm_kernel *k);

/*
 * Models: zap_page_range(): removes every PTE of [@start, @start + @size) in @vma, dropping
 * rmap, rss and page references, with one TLB flush of the range. Page tables stay.
 */
void zap_page_range(struct vm_area_struct *vma, unsigned long start, unsigned long size);
/* Models: unmap_vmas(): zaps [@start, @end) of @vma and the VMAs after it, into @tlb. */
void unmap_vmas(struct mmu_gather *tlb, struct vm_area_struct *vma, unsigned long start,
		unsigned long end);
/*
 * Models: free_pgtables(): frees the page-table pages that only the VMAs from @vma up to
 * @ceiling (0: the list's end) used, not below @floor, into @tlb. The PTEs must be zapped.
 */
void free_pgtables(struct mmu_gather *tlb, struct vm_area_struct *vma, unsigned long floor,
		   unsigned long ceiling);
/*
 * Models: mm/mmap.c:unmap_region(): unmap_vmas + free_pgtables for the VMAs from @vma up to
 * (not including) @next, between @prev's end and @next's start.
 */
void unmap_region(struct mm_struct *mm, struct vm_area_struct *vma, struct vm_area_struct *prev,
		  unsigned long start, unsigned long end);

/*
 * Models: copy_page_range(): fork's copy of @src_vma's PTEs into @dst_vma (same range, in
 * the child's mm): private writable PTEs write-protected in both, anon rmap duplicated
 * (page_try_dup_anon_rmap; a pinned exclusive page copied at once), file PTEs skipped when
 * @src_vma has no anon_vma. 0 or -ENOMEM.
 */
int copy_page_range(struct vm_area_struct *dst_vma, struct vm_area_struct *src_vma);

/* ---- populate and gup (mm/gup.c) ------------------------------------------------------ */

/*
 * Models: __mm_populate(): faults in [@start, @start + @len) of @mm's VMAs (write faults
 * for private writable ones, as populate_vma_page_range). 0, or -ENOMEM/-EFAULT on the first
 * failure unless @ignore_errors.
 */
int __mm_populate(struct mm_struct *mm, unsigned long start, unsigned long len, int ignore_errors);

/*
 * Models: get_user_pages_remote() / pin_user_pages_remote(): @nr_pages pages of @mm from
 * @start, faulting them in (FOLL_WRITE breaks COW), each with a reference (FOLL_GET) or a
 * pin (FOLL_PIN, GUP_PIN_COUNTING_BIAS on the refcount) into @pages. Returns how many (>0),
 * or -EFAULT/-ENOMEM/-EINVAL when none.
 */
long get_user_pages(struct mm_struct *mm, unsigned long start, unsigned long nr_pages,
		    unsigned int gup_flags, struct page **pages);
long pin_user_pages(struct mm_struct *mm, unsigned long start, unsigned long nr_pages,
		    unsigned int gup_flags, struct page **pages);
/* Models: unpin_user_page(): drops a FOLL_PIN pin. */
void unpin_user_page(struct kmm_kernel *k, struct page *page);
/* Models: folio_maybe_dma_pinned(). */
bool folio_maybe_dma_pinned(const struct folio *folio);

/* ---- the life of an mm (kernel/fork.c) ----------------------------------------------- */

/* Models: mm_alloc(): an empty mm (pgd allocated, one user), or NULL (-ENOMEM). */
struct mm_struct *mm_alloc(struct kmm_kernel *k);
/*
 * Models: dup_mm(): a copy of @oldmm for the child @tsk (dup_mmap: VMAs but VM_DONTCOPY,
 * VM_WIPEONFORK ones empty, anon_vma_fork, copy_page_range; counters, layout). The child's
 * mm or NULL (out of memory: nothing of it is left).
 */
struct mm_struct *dup_mm(struct task_struct *tsk, struct mm_struct *oldmm);
/* Models: mmput(): drops a user; the last one tears the mm down (exit_mmap) and frees it. */
void mmput(struct mm_struct *mm);
/* Models: mmgrab()/mmdrop(): references to the struct only. */
void mmgrab(struct mm_struct *mm);
void mmdrop(struct mm_struct *mm);
/* Models: exit_mmap(): unmaps everything, frees the page tables and the VMAs. */
void exit_mmap(struct mm_struct *mm);

/* ---- checks --------------------------------------------------------------------------- */

/*
 * Every live mm: its VMA structure (mmap_check), every PTE in its tables inside a VMA, each
 * mapped page's mapcount equal to the PTEs mapping it over all mms, rss counters equal to
 * the PTEs, pgtables_bytes equal to its table pages. true or false with the reason.
 */
bool mm_check(const struct kmm_kernel *k, char *why, size_t whylen);

#endif /* KMM_MM_MEMORY_H */
