/*
 * libkmm compat: `current` (include/linux/sched.h, asm/current.h): the task bound to this host
 * thread by kmm_linux_bind(), as a struct task_struct with the two fields ported code reads:
 * current->pid and current->mm (NULL when no task is bound). An mm pointer is a token for that
 * task's address space, only good for do_madvise() and comparisons: never dereference it.
 *
 * `current` is a macro, as in the kernel; define KMM_LINUX_NO_CURRENT before including this
 * header if the host program uses the word for something else.
 */
#ifndef KMM_LINUX_SCHED_H
#define KMM_LINUX_SCHED_H

#include <kmm/linux/mm.h>

#ifdef __cplusplus
extern "C" {
#endif

struct mm_struct;

struct task_struct {
	kmm_pid_t pid;
	struct mm_struct *mm;
};

#define KMM_LINUX_MM_TOKEN 0x6b6d6d0000000000ull /* "kmm" in the top bytes, then the pid */

/* The bound task as a struct task_struct (this thread's copy, refreshed on every use). */
static inline struct task_struct *kmm_linux_task(void)
{
	static _Thread_local struct task_struct t;
	kmm_pid_t pid = kmm_linux_current(NULL, false)->pid;

	t.pid = pid;
	t.mm = pid ? (struct mm_struct *)(uintptr_t)(KMM_LINUX_MM_TOKEN | (uint32_t)pid) : NULL;
	return &t;
}

#ifndef KMM_LINUX_NO_CURRENT
#define current (kmm_linux_task())
#endif

static inline kmm_pid_t task_pid_nr(const struct task_struct *t)
{
	return t ? t->pid : 0;
}

/*
 * do_madvise(): madvise(2) on @mm, which must be the bound task's (current->mm): 0 or
 * -errno (-EINVAL for another mm: the public API acts on tasks, and only `current` is known).
 */
static inline int do_madvise(struct mm_struct *mm, unsigned long start, size_t len_in, int behavior)
{
	const struct kmm_linux_current *c = kmm_linux_current("do_madvise", true);

	if (!c)
		return (int)kmm_linux_unbound();
	if (mm != kmm_linux_task()->mm)
		return -EINVAL;
	return kmm_linux_errno(kmm_madvise(c->machine, c->pid, start, len_in, behavior));
}

#ifdef __cplusplus
}
#endif

#endif /* KMM_LINUX_SCHED_H */
