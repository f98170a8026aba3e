/*
 * The system calls that change existing mappings: mprotect, mremap, madvise, the mlock
 * family, mincore and msync (src/mm/mprotect.c, mremap.c, mlock.c, madvise.c, mincore.c,
 * msync.c).
 *
 * Conventions (as the kernel's syscalls, kept so the API layer can translate):
 *  - Each returns 0 (do_mremap: the new address) or a negative errno of <errno.h>
 *    (-EINVAL, -ENOMEM, -EACCES, -EPERM, -EAGAIN, -EBUSY, -EFAULT); test with
 *    IS_ERR_VALUE-like `(unsigned long)ret >= -4095UL` for do_mremap.
 *  - Argument checks come first, in the kernel's order; a call refused by them changes
 *    nothing. Like 6.1, mprotect/madvise/mlock/msync walk the range VMA by VMA and a hole met
 *    half way (-ENOMEM) leaves the VMAs before it changed (the kernel does the same).
 *  - The caller holds nothing (the model has no mmap_lock); the mm must be live.
 *
 * Credentials (mlock family). Deviation: the model has no struct cred. A task has every
 * capability unless task_struct.cap_dropped names it (0, the default, is root as the
 * captured /init is); RLIMIT_MEMLOCK is task_struct.rlim[RLIMIT_MEMLOCK_] in bytes
 * (6.1's default is 8 MiB, MLOCK_LIMIT). So by default mlock never fails for the limit, as
 * for root in the captures; a test that drops CAP_IPC_LOCK sees 6.1's -ENOMEM and -EPERM.
 */
#ifndef KMM_MM_MMAN_H
#define KMM_MM_MMAN_H

#include <stdbool.h>
#include <stddef.h>

#include <kmm/task.h>

#include "mm/mm_types.h"

struct task_struct;

/* Capability bits of task_struct.cap_dropped (include/uapi/linux/capability.h numbers). */
#define CAP_IPC_LOCK 14
/* RLIMIT_MEMLOCK's default, bytes (include/uapi/linux/resource.h). */
#define MLOCK_LIMIT (8UL << 20)

/* ---- arguments (uapi asm-generic/mman-common.h, linux/mman.h; = the KMM_ values) ------- */

#define MREMAP_MAYMOVE	 1
#define MREMAP_FIXED	 2
#define MREMAP_DONTUNMAP 4

#define MADV_NORMAL	     0
#define MADV_RANDOM	     1
#define MADV_SEQUENTIAL	     2
#define MADV_WILLNEED	     3
#define MADV_DONTNEED	     4
#define MADV_FREE	     8
#define MADV_REMOVE	     9
#define MADV_DONTFORK	     10
#define MADV_DOFORK	     11
#define MADV_MERGEABLE	     12
#define MADV_UNMERGEABLE     13
#define MADV_HUGEPAGE	     14
#define MADV_NOHUGEPAGE	     15
#define MADV_DONTDUMP	     16
#define MADV_DODUMP	     17
#define MADV_WIPEONFORK	     18
#define MADV_KEEPONFORK	     19
#define MADV_COLD	     20
#define MADV_PAGEOUT	     21
#define MADV_POPULATE_READ   22
#define MADV_POPULATE_WRITE  23
#define MADV_DONTNEED_LOCKED 24
#define MADV_COLLAPSE	     25

#define MLOCK_ONFAULT 0x01
#define MCL_CURRENT   1
#define MCL_FUTURE    2
#define MCL_ONFAULT   4

#define MS_ASYNC      1
#define MS_INVALIDATE 2
#define MS_SYNC	      4

_Static_assert(MREMAP_DONTUNMAP == KMM_MREMAP_DONTUNMAP && MREMAP_FIXED == KMM_MREMAP_FIXED,
	       "MREMAP_* as the public API");
_Static_assert(MADV_FREE == KMM_MADV_FREE && MADV_COLLAPSE == KMM_MADV_COLLAPSE &&
		       MADV_POPULATE_WRITE == KMM_MADV_POPULATE_WRITE,
	       "MADV_* as the public API");
_Static_assert(MCL_ONFAULT == KMM_MCL_ONFAULT && MLOCK_ONFAULT == KMM_MLOCK_ONFAULT,
	       "MCL_*/MLOCK_* as the public API");
_Static_assert(MS_SYNC == KMM_MS_SYNC && MS_INVALIDATE == KMM_MS_INVALIDATE,
	       "MS_* as the public API");

/* ---- mprotect.c ------------------------------------------------------------------------- */

/*
 * mprotect(2)/pkey_mprotect(2) on @mm: @prot is PROT_* (plus PROT_GROWSDOWN/GROWSUP), @pkey
 * -1 for plain mprotect (arm64 6.1 has no pkeys: only 0 is "allocated", others -EINVAL).
 * Splits and merges VMAs, rewrites the PTEs and flushes the TLB of every CPU that may hold the old
 * ones. Returns 0, -EINVAL (alignment, overflow, unknown bits), -ENOMEM (range not fully
 * mapped, or map_count/commit limits), -EACCES (a VM_MAY* bit missing).
 */
int do_mprotect_pkey(struct mm_struct *mm, unsigned long start, size_t len, unsigned long prot,
		     int pkey);

/*
 * mprotect.c's invariants over every VMA of @mm: no present PTE more permissive than its VMA,
 * no writable PTE of a private mapping on a page that is not exclusively this mapping's.
 * true, or false with the reason in @why. Changes nothing.
 */
bool mprotect_check(const struct mm_struct *mm, char *why, size_t whylen);

/* ---- mremap.c --------------------------------------------------------------------------- */

/*
 * mremap(2) on @mm: @flags MREMAP_MAYMOVE | MREMAP_FIXED | MREMAP_DONTUNMAP (values of
 * include/kmm/task.h). Returns the (new) start address, or a negative errno as an unsigned
 * long (-EINVAL, -ENOMEM, -EFAULT, -EAGAIN). On failure the old mapping is untouched.
 */
unsigned long do_mremap(struct mm_struct *mm, unsigned long addr, unsigned long old_len,
			unsigned long new_len, unsigned long flags, unsigned long new_addr);

/* ---- madvise.c -------------------------------------------------------------------------- */

/*
 * madvise(2) on @mm with @behavior MADV_* (include/kmm/task.h values). Returns 0, -EINVAL
 * (bad alignment/length/advice, advice not valid for the VMA), -ENOMEM (a hole in the range:
 * the rest of the range is still advised, as 6.1 does), -EAGAIN, -EPERM, -EFAULT
 * (MADV_POPULATE_* on an access the fault path refuses).
 */
int do_madvise(struct mm_struct *mm, unsigned long start, size_t len, int behavior);

/* ---- mlock.c ---------------------------------------------------------------------------- */

/*
 * mlock2(2) for task @tsk (its mm, RLIMIT_MEMLOCK and capabilities): @flags 0 or
 * MLOCK_ONFAULT. Sets VM_LOCKED (| VM_LOCKONFAULT), charges mm->locked_vm and, without
 * ONFAULT, faults the range in (__mm_populate). Returns 0, -EINVAL, -ENOMEM, -EPERM.
 */
int do_mlock(struct task_struct *tsk, unsigned long start, size_t len, unsigned int flags);
/* munlock(2): clears VM_LOCKED|VM_LOCKONFAULT on the range. Returns 0, -EINVAL, -ENOMEM. */
int do_munlock(struct task_struct *tsk, unsigned long start, size_t len);
/* mlockall(2): MCL_CURRENT | MCL_FUTURE | MCL_ONFAULT. Returns 0, -EINVAL, -ENOMEM, -EPERM. */
int do_mlockall(struct task_struct *tsk, int flags);
/* munlockall(2): unlocks every VMA and clears mm->def_flags' lock bits. Returns 0. */
int do_munlockall(struct task_struct *tsk);

/*
 * mlock.c's invariants for @mm: locked_vm equals the pages of its VM_LOCKED VMAs, and no VMA
 * has VM_LOCKONFAULT without VM_LOCKED. true, or false with the reason. Changes nothing.
 */
bool mlock_check(const struct mm_struct *mm, char *why, size_t whylen);

/* ---- mincore.c -------------------------------------------------------------------------- */

/*
 * mincore(2): one byte per page of [@start, @start + @len) into @vec (a host buffer of
 * (len + PAGE_SIZE - 1) >> PAGE_SHIFT bytes): 1 if the page is resident (in the page tables
 * or, for file/shmem VMAs, in the page cache), else 0. Returns 0, -EINVAL (unaligned
 * start), -ENOMEM (a hole in the range; @vec up to the hole is filled).
 */
int do_mincore(struct mm_struct *mm, unsigned long start, size_t len, unsigned char *vec);

/* ---- msync.c ---------------------------------------------------------------------------- */

/*
 * msync(2): MS_ASYNC | MS_SYNC | MS_INVALIDATE. MS_SYNC writes back the dirty pages of
 * shared file mappings in the range. Returns 0, -EINVAL (bad flags/alignment, ASYNC with
 * SYNC), -EBUSY (MS_INVALIDATE over a VM_LOCKED VMA), -ENOMEM (a hole in the range: the
 * rest is still synced, as 6.1 does).
 */
int do_msync(struct mm_struct *mm, unsigned long start, size_t len, int flags);

#endif /* KMM_MM_MMAN_H */
