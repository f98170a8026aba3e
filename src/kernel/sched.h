/*
 * Tasks: the part of struct task_struct the memory manager sees, and the task table of a
 * kernel instance (pids, the task each CPU runs).
 *
 * Models (Linux 6.1): include/linux/sched.h (struct task_struct: pid, comm, mm, active_mm,
 *         cpu, __state, exit_state, min_flt/maj_flt, rss_stat with SPLIT_RSS_COUNTING),
 *         kernel/fork.c (copy_process, dup_mm), kernel/exit.c (do_exit, exit_mm),
 *         fs/exec.c (exec_mmap, setup_arg_pages) and kernel/pid.c (alloc_pid: pids from 1 up,
 *         wrapping at pid_max to 300).
 * Deviation: no scheduler. A task runs when the host drives it (an access, a syscall): it is
 *         switched onto its CPU then (context_switch: TTBR0 and the ASID), and stays that
 *         CPU's current task until another task runs there. No signals are delivered: the
 *         last fatal one is recorded and the task stopped (the host is told).
 *
 * Fields are grouped by who changes them: identity (constant after creation), scheduling
 * (sched.c on a switch), memory (the mm calls), fault accounting (the fault path).
 */
#ifndef KMM_KERNEL_SCHED_H
#define KMM_KERNEL_SCHED_H

#include "mm/mm_types.h"

#define TASK_COMM_LEN 16
#define PID_MAX_DEFAULT 32768 /* kernel.pid_max */
#define RESERVED_PIDS 300     /* alloc_pid wraps to here */

/* Task states (__state and exit_state), as /proc/<pid>/status names them. */
#define TASK_RUNNING	0x0000 /* R (running) */
#define TASK_INTERRUPTIBLE 0x0001 /* S (sleeping) */
#define __TASK_STOPPED	0x0004 /* T (stopped): a fatal signal the host must look at */
#define EXIT_DEAD	0x0010 /* X (dead) */
#define EXIT_ZOMBIE	0x0020 /* Z (zombie): exited, not reaped */

/* Per-task rss caches (SPLIT_RSS_COUNTING): folded into the mm every 64 events and at exit. */
#define TASK_RSS_EVENTS_THRESH 64
struct task_rss_stat {
	int events;
	int count[NR_MM_COUNTERS];
};

/* The last signal the kernel raised on a task (force_sig_fault), with the syndrome. */
struct task_siginfo {
	int si_signo; /* SIGSEGV, SIGBUS, 0: none */
	int si_code;  /* SEGV_MAPERR, SEGV_ACCERR, BUS_ADRERR, ... */
	uint64_t si_addr;
	uint64_t esr, far; /* ESR_EL1 and FAR_EL1 of the abort */
};

/* Resource limits the mm looks at (struct rlimit), bytes or pages as the kernel keeps them. */
enum { RLIMIT_DATA_, RLIMIT_STACK_, RLIMIT_AS_, RLIMIT_MEMLOCK_, NR_TASK_RLIMITS };
struct task_rlimit {
	uint64_t rlim_cur, rlim_max; /* RLIM_INFINITY = ~0 */
};

struct task_struct {
	/* Identity. */
	int pid, tgid;
	char comm[TASK_COMM_LEN];
	struct task_struct *real_parent;
	unsigned int flags; /* PF_KTHREAD, PF_EXITING */

	/* Scheduling. */
	int cpu; /* the CPU it runs on */
	unsigned int __state;
	int exit_state, exit_code;
	unsigned long nvcsw, nivcsw;

	/* Memory. */
	struct mm_struct *mm;	     /* NULL for kernel threads */
	struct mm_struct *active_mm; /* the mm whose tables its CPU holds */
	struct task_rlimit rlim[NR_TASK_RLIMITS];
	unsigned int personality; /* ADDR_NO_RANDOMIZE (0x0040000) for norandmaps-like layouts */
	/* Capabilities it lacks (bit CAP_IPC_LOCK...; src/mm/mman.h). 0: root, as the captures. */
	uint64_t cap_dropped;
	struct files_struct *files; /* open files (src/mm/pagemap.h) */

	/* Fault accounting. */
	unsigned long min_flt, maj_flt;
	struct task_rss_stat rss_stat;
	struct task_siginfo last_sig;
};

#define PF_EXITING 0x00000004
#define PF_KTHREAD 0x00200000

#endif /* KMM_KERNEL_SCHED_H */
