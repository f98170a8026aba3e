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
 *         CPU's current task until another task runs there. A fault's fatal signal is
 *         recorded and the task stopped (the host is told); the OOM killer's SIGKILL makes
 *         the task exit when it next runs (mm/oom.h: oom_deliver_sigkill).
 *
 * Fields are grouped by who changes them: identity (constant after creation), scheduling
 * (sched.c on a switch), memory (the mm calls), fault accounting (the fault path).
 */
#ifndef KMM_KERNEL_SCHED_H
#define KMM_KERNEL_SCHED_H

#include "mm/mm_types.h"

#include <stdbool.h>
#include <stddef.h>

#define TASK_COMM_LEN	16
#define PID_MAX_DEFAULT 32768 /* kernel.pid_max */
#define RESERVED_PIDS	300   /* alloc_pid wraps to here */

/* Task states (__state and exit_state), as /proc/<pid>/status names them. */
#define TASK_RUNNING	   0x0000 /* R (running) */
#define TASK_INTERRUPTIBLE 0x0001 /* S (sleeping) */
#define __TASK_STOPPED	   0x0004 /* T (stopped): a fatal signal the host must look at */
#define EXIT_DEAD	   0x0010 /* X (dead) */
#define EXIT_ZOMBIE	   0x0020 /* Z (zombie): exited, not reaped */

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

	/*
	 * The OOM killer (mm/oom_kill.c): signal->oom_score_adj and oom_score_adj_min, and
	 * signal->oom_mm (the mm this task was an OOM victim with: grabbed, NULL if none); a
	 * SIGKILL sent and not yet delivered (the task dies when it next runs: fault.c, the
	 * task helper); TIF_MEMDIE.
	 */
	short oom_score_adj, oom_score_adj_min;
	struct mm_struct *oom_mm;
	bool sigkill_pending, memdie;

	/* Kernel threads (PF_KTHREAD): the work function and its event (sched.c). */
	struct kthread *kthread;
	/* The task table's chain (sched.c): every task of the kernel by pid. */
	struct task_struct *pid_next;
};

#define PF_EXITING  0x00000004
#define PF_MEMALLOC 0x00000800 /* allocating to free memory: reserves, no reclaim recursion */
#define PF_KTHREAD  0x00200000
#define PF_KSWAPD   0x00020000 /* kswapd (vmscan.c sets it): current_is_kswapd() */

#define ADDR_NO_RANDOMIZE 0x0040000 /* personality(2) flag */
#define RLIM_INFINITY	  (~0ULL)
#define _STK_LIM	  (8ULL << 20) /* the default RLIMIT_STACK */

struct kmm_kernel;
struct files_struct;

/* ---- the task table (sched.c) ------------------------------------------------------------
 *
 * Tasks live in a SLUB cache named "task_struct"; the table keeps them by pid and the task
 * each CPU runs. A task is "live" from creation until release_task; between do_exit and
 * release_task it is a zombie (exit_state EXIT_ZOMBIE): find_task_by_vpid no longer finds it.
 */

/* Boot: the task_struct cache and an empty table. 0, or -ENOMEM (nothing left behind). */
int sched_init(struct kmm_kernel *k);
/* Shutdown: frees the table's host memory (tasks' simulated memory goes with RAM). */
void sched_fini(struct kmm_kernel *k);
/* The table's invariants (sched.c's header); false with the reason in @why. */
bool sched_check(const struct kmm_kernel *k, char *why, size_t whylen);

/* The live (not exited) task with pid @pid, or NULL. Changes nothing. */
struct task_struct *find_task_by_vpid(const struct kmm_kernel *k, int pid);

/* The task @cpu runs now (NULL: idle, TTBR0 holds no user tables). Changes nothing. */
struct task_struct *cpu_curr(const struct kmm_kernel *k, int cpu);

/* Number of live tasks (user and kernel threads). */
unsigned int nr_tasks(const struct kmm_kernel *k);

/* Calls @fn on each live task in pid order until it returns non-zero; returns that value. */
int for_each_task(struct kmm_kernel *k, int (*fn)(struct task_struct *t, void *arg), void *arg);

/*
 * A new user task @comm on @cpu with @mm (a reference the task takes over; NULL: a fresh
 * empty mm from mm_alloc), default rlimits, no files. 0 with *@out, or -EAGAIN (no pid
 * free), -ENOMEM (nothing changed; @mm still the caller's), -EINVAL (cpu offline).
 */
int task_create(struct kmm_kernel *k, const char *comm, int cpu, struct mm_struct *mm,
		struct task_struct **out);

/*
 * Models: kernel/fork.c:copy_process() for fork(): a child of @parent on its CPU with a copy
 * of its address space (dup_mm: COW), rlimits, personality and files. 0 with *@child, or
 * -ENOMEM / -EAGAIN with nothing changed in the parent.
 */
int copy_process(struct kmm_kernel *k, struct task_struct *parent, struct task_struct **child);

/*
 * Models: kernel/exit.c:do_exit(): exit_mm (mmput), files dropped, the task a zombie with
 * @code; if it ran on its CPU, the CPU goes idle. The pid stays taken until release_task.
 */
void do_exit(struct kmm_kernel *k, struct task_struct *t, int code);

/* Models: kernel/exit.c:release_task(): a zombie reaped: pid freed, task_struct freed. */
void release_task(struct kmm_kernel *k, struct task_struct *t);

/*
 * Models: kernel/sched/core.c:context_switch(): makes @t the current task of its CPU (no-op
 * if it already is): the CPU's clock becomes current (env_set_cpu), switch_mm programs TTBR0
 * with @t's mm and ASID (kernel threads borrow the previous active_mm: no switch), the
 * previous task's nvcsw is counted. Returns 0.
 */
int sched_switch_to(struct kmm_kernel *k, struct task_struct *t);

/* Moves @t to @cpu (it leaves its old CPU idle if it ran there). 0, or -EINVAL. */
int set_task_cpu(struct kmm_kernel *k, struct task_struct *t, int cpu);

/*
 * The references (FOLL_GET) and pins (FOLL_PIN) the host holds on user pages through the
 * public get_user_pages, so that a put of a page the host does not hold is refused rather
 * than freeing a page still in use. add: 0 or -ENOMEM (nothing changed); drop: false if
 * the host holds no such reference (nothing changed).
 */
int gup_ref_add(struct kmm_kernel *k, unsigned long pfn, bool pin);
bool gup_ref_drop(struct kmm_kernel *k, unsigned long pfn, bool pin);

/* ---- kernel threads ----------------------------------------------------------------------
 *
 * A kernel thread is a task (PF_KTHREAD, no mm, pid from the same space) whose work runs as
 * events of the machine's event queue (lib/evq.h). Each run calls @threadfn once, switched
 * onto its CPU (active_mm borrowed from the task that ran there). @threadfn returns the delay
 * in cycles before its next run, or KTHREAD_SLEEP to wait for wake_up_process.
 */
#define KTHREAD_SLEEP (-1)
typedef int64_t (*kthread_fn)(struct kmm_kernel *k, struct task_struct *t, void *data);

/*
 * Models: kernel/kthread.c:kthread_create_on_cpu(): a sleeping kernel thread @comm bound to
 * @cpu. 0 with *@out, or -ENOMEM / -EAGAIN (nothing changed).
 */
int kthread_create_on_cpu(struct kmm_kernel *k, kthread_fn threadfn, void *data, int cpu,
			  const char *comm, struct task_struct **out);

/* Models: wake_up_process(): a sleeping kthread runs at the next run point. 0 or -ENOMEM. */
int wake_up_process(struct kmm_kernel *k, struct task_struct *t);

/* Schedules @t's next run @delay cycles from now (a timer); 0 or -ENOMEM. */
int kthread_schedule(struct kmm_kernel *k, struct task_struct *t, uint64_t delay);

/* Models: kthread_stop(): the thread is dequeued, exits and is reaped. */
void kthread_stop(struct kmm_kernel *k, struct task_struct *t);

/* ---- exec (exec.c) ------------------------------------------------------------------------ */

/* The simulated static binary an exec maps (bytes; 0 = the default of exec.c's header). */
struct linux_binprm_image {
	const char *path;
	uint64_t text_size, rodata_size, data_size, bss_size;
	uint64_t load_addr;
	uint64_t stack_rlimit;
	bool norandmaps;
	uint64_t rw_gap;     /* end of text to the RW segment (0: the default 0xe000) */
	uint64_t relro_size; /* the RELRO part of the RW segment, made read-only (0: none) */
	uint64_t rw_offset;  /* the RW segment's file offset (0: its VA - load_addr) */
};

/*
 * Models: fs/exec.c:begin_new_exec() + fs/binfmt_elf.c:load_elf_binary() for a static binary:
 * a fresh mm replaces @t's (the old one mmput), then text/rodata/data, bss, the brk, the stack
 * (setup_arg_pages) and [vvar]/[vdso]. 0, or a negative errno with @t's old mm untouched.
 */
int do_execve(struct kmm_kernel *k, struct task_struct *t, const struct linux_binprm_image *img);

#endif /* KMM_KERNEL_SCHED_H */
