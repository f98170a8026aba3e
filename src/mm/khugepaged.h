/*
 * khugepaged and MADV_COLLAPSE (khugepaged.c): the interface the fault path, mmap, brk,
 * madvise, fork, exit, the THP sysfs knobs, kmmsim and the tests use.
 *
 * Models: include/linux/khugepaged.h (Linux 6.1.192).
 *
 * The knobs (pages_to_scan, the two sleeps, max_ptes_*, defrag) stay in huge_memory.c's
 * thp_state, where the sysfs files are; khugepaged.c reads them there and fills the two
 * read-only counters (pages_collapsed, full_scans). The thread, the mm list and the scan
 * cursor are khugepaged.c's (k->khugepaged).
 */
#ifndef KMM_MM_KHUGEPAGED_H
#define KMM_MM_KHUGEPAGED_H

#include "mm/mm_types.h"

#include <stdbool.h>
#include <stddef.h>

struct kmm_kernel;

/* mm->flags bit: the mm is on khugepaged's list (sched/coredump.h: MMF_VM_HUGEPAGE 16). */
#define MMF_VM_HUGEPAGE (1UL << 16)

/* Models: enum scan_result (mm/khugepaged.c), the status of the huge_memory trace events. */
#define SCAN_RESULTS(X)                                                                            \
	X(SCAN_FAIL, "failed")                                                                     \
	X(SCAN_SUCCEED, "succeeded")                                                               \
	X(SCAN_PMD_NULL, "pmd_null")                                                               \
	X(SCAN_PMD_NONE, "pmd_none")                                                               \
	X(SCAN_PMD_MAPPED, "page_pmd_mapped")                                                      \
	X(SCAN_EXCEED_NONE_PTE, "exceed_none_pte")                                                 \
	X(SCAN_EXCEED_SWAP_PTE, "exceed_swap_pte")                                                 \
	X(SCAN_EXCEED_SHARED_PTE, "exceed_shared_pte")                                             \
	X(SCAN_PTE_NON_PRESENT, "pte_non_present")                                                 \
	X(SCAN_PTE_UFFD_WP, "pte_uffd_wp")                                                         \
	X(SCAN_PTE_MAPPED_HUGEPAGE, "pte_mapped_hugepage")                                         \
	X(SCAN_PAGE_RO, "no_writable_page")                                                        \
	X(SCAN_LACK_REFERENCED_PAGE, "lack_referenced_page")                                       \
	X(SCAN_PAGE_NULL, "page_null")                                                             \
	X(SCAN_SCAN_ABORT, "scan_aborted")                                                         \
	X(SCAN_PAGE_COUNT, "not_suitable_page_count")                                              \
	X(SCAN_PAGE_LRU, "page_not_in_lru")                                                        \
	X(SCAN_PAGE_LOCK, "page_locked")                                                           \
	X(SCAN_PAGE_ANON, "page_not_anon")                                                         \
	X(SCAN_PAGE_COMPOUND, "page_compound")                                                     \
	X(SCAN_ANY_PROCESS, "no_process_for_page")                                                 \
	X(SCAN_VMA_NULL, "vma_null")                                                               \
	X(SCAN_VMA_CHECK, "vma_check_failed")                                                      \
	X(SCAN_ADDRESS_RANGE, "not_suitable_address_range")                                        \
	X(SCAN_DEL_PAGE_LRU, "could_not_delete_page_from_lru")                                     \
	X(SCAN_ALLOC_HUGE_PAGE_FAIL, "alloc_huge_page_failed")                                     \
	X(SCAN_CGROUP_CHARGE_FAIL, "ccgroup_charge_failed")                                        \
	X(SCAN_TRUNCATED, "truncated")                                                             \
	X(SCAN_PAGE_HAS_PRIVATE, "page_has_private")                                               \
	X(SCAN_STORE_FAILED, "store_failed")

#define SCAN_RESULT_ENUM(id, name) id,
enum scan_result { SCAN_RESULTS(SCAN_RESULT_ENUM) NR_SCAN_RESULTS };
#undef SCAN_RESULT_ENUM

/* The trace name of @r ("succeeded", "exceed_none_pte", ...). */
const char *scan_result_name(int r);

/* ---- boot, shutdown, check ------------------------------------------------------------ */

/*
 * Models: khugepaged_init(): the khugepaged_mm_slot cache and an empty mm list (the thread
 * comes when the first mm is registered). 0 or -ENOMEM (nothing created). After thp_init.
 */
int khugepaged_init(struct kmm_kernel *k);
/* Stops the thread and frees the slots (their mm references with them). */
void khugepaged_fini(struct kmm_kernel *k);
/* The invariants of khugepaged.c's essay; false with the reason. Reads only. */
bool khugepaged_check(const struct kmm_kernel *k, char *why, size_t whylen);

/* ---- registration ----------------------------------------------------------------------- */

/* Models: __khugepaged_enter(): @mm on the list (MMF_VM_HUGEPAGE), waking the thread. */
void __khugepaged_enter(struct mm_struct *mm);
/* Models: khugepaged_enter_vma(): register @vma's mm if @vm_flags make @vma eligible. */
void khugepaged_enter_vma(struct vm_area_struct *vma, unsigned long vm_flags);
/* Models: khugepaged_fork(): the child @mm is registered when @oldmm was. */
void khugepaged_fork(struct mm_struct *mm, struct mm_struct *oldmm);
/* Models: khugepaged_exit(): before exit_mmap: the slot goes (or waits for the scan). */
void khugepaged_exit(struct mm_struct *mm);

/*
 * Models: start_stop_khugepaged() as the enabled file calls it: off stops the thread, on wakes
 * it when mms wait. (set_recommended_min_free_kbytes stays huge_memory.c's call.)
 */
void start_stop_khugepaged(struct kmm_kernel *k);
/*
 * The scan_sleep_millisecs/alloc_sleep_millisecs stores' side effect: the sleep's expiry is
 * reset and the thread woken, so a new value takes effect at once.
 */
void khugepaged_sleep_knob_changed(struct kmm_kernel *k);

/* ---- collapse ------------------------------------------------------------------------- */

/*
 * Models: madvise_collapse(): collapses every 2 MiB aligned range of [@start, @end) (inside
 * @vma) synchronously. 0 when every range is (or already was) PMD-mapped, else the errno of
 * the last failure: -ENOMEM (no huge page), -EAGAIN (a page busy: pinned, locked, off the
 * LRU), -EINVAL (the VMA or a range cannot be collapsed). *@prev as madvise_walk_vmas wants.
 */
int madvise_collapse(struct vm_area_struct *vma, struct vm_area_struct **prev, unsigned long start,
		     unsigned long end);

/*
 * kmmsim's `khugepaged` step and the tests: runs @scans passes of khugepaged_do_scan now, on
 * the calling CPU (the thread's timer is left as it is). Returns the passes run (0 when THP
 * is off).
 */
unsigned int khugepaged_scan_now(struct kmm_kernel *k, unsigned int scans);

/* The thread (NULL until the first registration, or when THP is off). */
struct task_struct *khugepaged_thread(const struct kmm_kernel *k);
/* Registered mms (the list's length). */
unsigned long khugepaged_nr_mm_slots(const struct kmm_kernel *k);

#endif /* KMM_MM_KHUGEPAGED_H */
