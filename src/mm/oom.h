/*
 * The OOM killer (oom_kill.c): victim selection, the kill, the OOM reaper, and what the rest of
 * the kernel asks of it (the page allocator's reserves for victims, exit_mmap's reap, exit_mm,
 * /proc/<pid>/oom_score and oom_score_adj, the vm.* sysctls of the killer).
 *
 * Models: include/linux/oom.h, include/uapi/linux/oom.h, include/linux/sched/coredump.h's
 *         MMF_OOM_* bits (Linux 6.1.192).
 */
#ifndef KMM_MM_OOM_H
#define KMM_MM_OOM_H

#include <stdbool.h>
#include <stddef.h>

#include "kernel/sched.h"

struct kmm_kernel;
struct sink;

#define OOM_SCORE_ADJ_MIN (-1000)
#define OOM_SCORE_ADJ_MAX 1000

/* mm->flags bits (sched/coredump.h numbers, kept as masks as MMF_HAS_PINNED is). */
#define MMF_OOM_SKIP	    (1UL << 21) /* of no interest to the OOM killer any more */
#define MMF_UNSTABLE	    (1UL << 22) /* the reaper tore part of it down */
#define MMF_OOM_REAP_QUEUED (1UL << 25) /* queued for the reaper once */

/* Boot: the killer's state (sysctls at their defaults). 0 or -ENOMEM. */
int oom_init(struct kmm_kernel *k);
/* Shutdown: stops the reaper and frees the state (host memory). */
void oom_fini(struct kmm_kernel *k);
/* oom_kill.c's invariants; false with the reason in @why. Changes nothing. */
bool oom_check(const struct kmm_kernel *k, char *why, size_t whylen);

/* Models: tsk_is_oom_victim(): @t was chosen by the OOM killer (signal->oom_mm set). */
static inline bool tsk_is_oom_victim(const struct task_struct *t)
{
	return t && t->oom_mm != NULL;
}

/* A SIGKILL is pending on @t (fatal_signal_pending). */
static inline bool fatal_signal_pending(const struct task_struct *t)
{
	return t && t->sigkill_pending;
}

/*
 * Models: oom_badness(): rss + swap entries + page-table pages, plus oom_score_adj *
 * @totalpages / 1000; LONG_MIN for a task the killer never picks (init, kernel threads, no
 * mm, OOM_SCORE_ADJ_MIN, an mm already skipped). Changes nothing.
 */
long oom_badness(const struct kmm_kernel *k, const struct task_struct *t, unsigned long totalpages);

/* totalram_pages() + total_swap_pages: what oom_badness and oom_score scale by. */
unsigned long oom_totalpages(const struct kmm_kernel *k);

/*
 * Models: proc_oom_score(): (1000 + badness * 1000 / totalpages) * 2 / 3, 0 for an unkillable
 * task. Changes nothing.
 */
unsigned long proc_oom_score(const struct kmm_kernel *k, const struct task_struct *t);

/*
 * Models: __set_oom_adj() for /proc/<pid>/oom_score_adj writes: @adj in
 * [OOM_SCORE_ADJ_MIN, OOM_SCORE_ADJ_MAX] (else -EINVAL), set on @t and every task sharing its
 * mm. 0 or -EINVAL (nothing changed).
 */
int set_oom_score_adj(struct kmm_kernel *k, struct task_struct *t, long adj);

/* Models: exit_oom_victim(): the victim let go of its mm (exit_mm); clears TIF_MEMDIE. */
void exit_oom_victim(struct kmm_kernel *k, struct task_struct *t);

/*
 * Models: __oom_reap_task_mm(): unmaps every private or anonymous VMA of @mm (not hugetlb or
 * PFN maps), freeing their pages; page tables and VMAs stay. Sets MMF_UNSTABLE. (exit_mmap
 * sets MMF_OOM_SKIP on every mm once its pages are unmapped, as 6.1 does.)
 */
void __oom_reap_task_mm(struct mm_struct *mm);

/*
 * Delivers a pending SIGKILL to @t, which is not running kernel code: do_exit(SIGKILL) and
 * release (its parent reaps it, as /init's wait does). Returns true if it did.
 */
bool oom_deliver_sigkill(struct kmm_kernel *k, struct task_struct *t);

/*
 * The killer's sysctls (sysctl_vm.c's part table): vm.panic_on_oom,
 * vm.oom_kill_allocating_task, vm.oom_dump_tasks. Reads return the value; writes take any
 * int (proc_dointvec, as the kernel: no range) and return 0, or -EINVAL (nothing changed).
 */
int sysctl_panic_on_oom(const struct kmm_kernel *k);
int set_sysctl_panic_on_oom(struct kmm_kernel *k, long value);
int sysctl_oom_kill_allocating_task(const struct kmm_kernel *k);
int set_sysctl_oom_kill_allocating_task(struct kmm_kernel *k, long value);
int sysctl_oom_dump_tasks(const struct kmm_kernel *k);
int set_sysctl_oom_dump_tasks(struct kmm_kernel *k, long value);

/* The OOM kills so far and the last victim's pid (tests, the hog step). */
unsigned long oom_kills(const struct kmm_kernel *k);

#endif /* KMM_MM_OOM_H */
