/*
 * Tasks of a kernel instance: the task table (pids), each CPU's current task, fork and exit,
 * the context switch, and kernel threads that run as events of the machine's event queue.
 *
 * There is no scheduler. The host drives tasks: an access or a system call of task T first
 * switches T onto its CPU (sched_switch_to), which then runs T until another task is switched
 * there. A kernel thread runs when its event comes due (lib/evq.h): the event switches it onto
 * its CPU, calls its function once and re-arms itself with the delay the function returns.
 *
 * Pids are handed out as kernel/pid.c's alloc_pid does in the initial namespace: cyclically
 * upward from the last one given, from 1 at first and from RESERVED_PIDS once the cursor has
 * passed it, below pid_max; a pid stays taken until its task is reaped (release_task).
 *
 * Task objects come from the SLUB cache "task_struct" (object size and alignment of the
 * reference kernel: 4160 bytes, 64-aligned), so /proc/slabinfo counts them; the struct sits in
 * the object's bytes of simulated RAM (kernel memory accesses are idealised: DESIGN.md).
 *
 * Models: kernel/pid.c:alloc_pid(), free_pid(), find_task_by_vpid() (Linux 6.1);
 *         kernel/fork.c:copy_process() (the mm, files (dup_fd), rlimit and personality
 *         parts),
 *         fork_init() (the task_struct cache); kernel/exit.c:do_exit(), exit_mm(),
 *         release_task(); kernel/sched/core.c:context_switch() (switch_mm for a user task,
 *         the lazy active_mm of a kernel thread, nvcsw/nivcsw); kernel/kthread.c
 *         (kthread_create_on_cpu, wake_up_process, kthread_stop) as events.
 * Deviation: no run queues, priorities, preemption or signals delivery; a fatal signal is
 *         recorded and the task stopped (the host looks at it), except the OOM killer's
 *         SIGKILL, which makes the task exit when it next runs (oom_kill.c). A zombie is reaped by
 * the call that made it exit (kmm_task_exit), as if its parent waited at once. Threads (CLONE_VM)
 * are not modelled: each task has its own mm. The pid table is an array indexed by pid, grown as
 * pids are used, not an IDR.
 *
 * Invariants (sched_check):
 *  1. Every table entry p holds a task with pid p, 1 <= p < pid_max; nr_tasks counts the
 *     entries and nr_live the ones that have not exited.
 *  2. A live user task has mm != NULL and active_mm == mm; a kernel thread has no mm and a
 *     kthread record; a zombie has no mm.
 *  3. Each CPU's current task is NULL or a live task whose cpu is that CPU.
 *  4. A task's comm is NUL-terminated; its state is one the header defines.
 *  5. last_pid < pid_max.
 */
#include "kernel/sched.h"
#include "mm/oom.h"

#include "arch/arm64/include/asm/mmu_context.h"
#include "mm/internal.h"
#include "mm/memory.h"
#include "mm/pagemap.h"
#include "mm/slab.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#define TASK_STRUCT_SIZE  4160 /* the reference kernel's object_size (slab_sysfs) */
#define TASK_STRUCT_ALIGN 64

_Static_assert(sizeof(struct task_struct) <= TASK_STRUCT_SIZE,
	       "struct task_struct must fit the reference kernel's object");

/* One kernel thread's work (PF_KTHREAD tasks). Host memory. */
struct kthread {
	struct kmm_kernel *k;
	kthread_fn threadfn;
	void *data;
	struct env_event ev; /* its next run */
	bool should_stop;
};

struct task_slot {
	struct task_struct *t;
	uint64_t va; /* the task_struct object's kernel VA */
};

/* References the host holds on user pages through get_user_pages (kmm_get_user_pages). */
struct gup_ref {
	unsigned long pfn;
	unsigned long gets, pins;
};

struct task_state {
	struct kmem_cache *task_struct_cachep;
	struct gup_ref *gup; /* sorted by pfn; entries with no reference are removed */
	unsigned int nr_gup, cap_gup;
	struct task_slot *by_pid; /* [0, cap): indexed by pid */
	int cap;
	int pid_max;
	int last_pid; /* idr cursor: the last pid handed out */
	unsigned int nr_tasks, nr_live;
	struct task_struct *curr[KMM_MAX_CPUS];
	uint64_t nr_switches;
};

int sched_init(struct kmm_kernel *k)
{
	struct task_state *ts = env_alloc(k->env, sizeof(*ts));

	if (!ts)
		return -ENOMEM;
	ts->pid_max = PID_MAX_DEFAULT;
	ts->task_struct_cachep =
		kmem_cache_create(k, "task_struct", TASK_STRUCT_SIZE, TASK_STRUCT_ALIGN,
				  SLAB_PANIC | SLAB_ACCOUNT, NULL, NULL);
	if (!ts->task_struct_cachep) {
		env_free(k->env, ts);
		return -ENOMEM;
	}
	k->tasks = ts;
	return 0;
}

void sched_fini(struct kmm_kernel *k)
{
	struct task_state *ts = k->tasks;

	if (!ts)
		return;
	for (int p = 0; p < ts->cap; p++) {
		struct task_struct *t = ts->by_pid[p].t;

		if (t && t->kthread) {
			env_event_cancel(k->env, &t->kthread->ev);
			env_free(k->env, t->kthread);
		}
	}
	env_free(k->env, ts->gup);
	env_free(k->env, ts->by_pid);
	env_free(k->env, ts);
	k->tasks = NULL;
}

struct task_struct *find_task_by_vpid(const struct kmm_kernel *k, int pid)
{
	const struct task_state *ts = k->tasks;
	struct task_struct *t;

	if (!ts || pid <= 0 || pid >= ts->cap)
		return NULL;
	t = ts->by_pid[pid].t;
	return t && !t->exit_state ? t : NULL;
}

struct task_struct *cpu_curr(const struct kmm_kernel *k, int cpu)
{
	return k->tasks && cpu >= 0 && cpu < KMM_MAX_CPUS ? k->tasks->curr[cpu] : NULL;
}

unsigned int nr_tasks(const struct kmm_kernel *k)
{
	return k->tasks ? k->tasks->nr_live : 0;
}

int for_each_task(struct kmm_kernel *k, int (*fn)(struct task_struct *t, void *arg), void *arg)
{
	struct task_state *ts = k->tasks;

	for (int p = 1; ts && p < ts->cap; p++) {
		struct task_struct *t = ts->by_pid[p].t;
		int ret;

		if (t && !t->exit_state && (ret = fn(t, arg)) != 0)
			return ret;
	}
	return 0;
}

/* ---- pids ---------------------------------------------------------------------------- */

/* Grows the table to hold pid @pid. 0 or -ENOMEM (nothing changed). */
static int pid_table_grow(struct kmm_kernel *k, int pid)
{
	struct task_state *ts = k->tasks;
	int cap = ts->cap ? ts->cap : 64;
	struct task_slot *n;

	while (cap <= pid)
		cap *= 2;
	if (cap > ts->pid_max)
		cap = ts->pid_max;
	n = env_realloc(k->env, ts->by_pid, (size_t)cap * sizeof(*n));
	if (!n)
		return -ENOMEM;
	memset(n + ts->cap, 0, (size_t)(cap - ts->cap) * sizeof(*n));
	ts->by_pid = n;
	ts->cap = cap;
	return 0;
}

static bool pid_free(const struct task_state *ts, int pid)
{
	return pid >= ts->cap || !ts->by_pid[pid].t;
}

/*
 * Models: kernel/pid.c:alloc_pid()'s idr_alloc_cyclic(): the first free pid from the cursor
 * up to pid_max, then from the minimum (1, or RESERVED_PIDS once the cursor passed it).
 * Returns the pid (not yet taken), or -EAGAIN when every pid is in use.
 */
static int alloc_pid(const struct task_state *ts)
{
	int min = ts->last_pid > RESERVED_PIDS ? RESERVED_PIDS : 1;
	int start = ts->last_pid + 1 > min ? ts->last_pid + 1 : min;

	for (int p = start; p < ts->pid_max; p++)
		if (pid_free(ts, p))
			return p;
	for (int p = min; p < start && p < ts->pid_max; p++)
		if (pid_free(ts, p))
			return p;
	return -EAGAIN;
}

/* ---- task objects ---------------------------------------------------------------------- */

/*
 * A zeroed task_struct with a pid, entered in the table (state TASK_RUNNING, not on a CPU's
 * current slot). Returns it, or NULL with *@err -ENOMEM/-EAGAIN and nothing changed.
 */
static struct task_struct *alloc_task(struct kmm_kernel *k, const char *comm, int cpu, int *err)
{
	struct task_state *ts = k->tasks;
	int pid = alloc_pid(ts);
	uint64_t va;
	struct task_struct *t;

	if (pid < 0) {
		*err = pid;
		return NULL;
	}
	if (pid >= ts->cap && pid_table_grow(k, pid)) {
		*err = -ENOMEM;
		return NULL;
	}
	va = kmem_cache_alloc(k, ts->task_struct_cachep, GFP_KERNEL);
	t = va ? (struct task_struct *)kmem_host(k, va, sizeof(*t)) : NULL;
	if (!t) {
		if (va)
			kmem_cache_free(k, ts->task_struct_cachep, va);
		*err = -ENOMEM;
		return NULL;
	}
	memset(t, 0, sizeof(*t));
	t->pid = t->tgid = pid;
	snprintf(t->comm, sizeof(t->comm), "%s", comm ? comm : "");
	t->cpu = cpu;
	t->__state = TASK_RUNNING;
	for (int r = 0; r < NR_TASK_RLIMITS; r++)
		t->rlim[r].rlim_cur = t->rlim[r].rlim_max = RLIM_INFINITY;
	t->rlim[RLIMIT_STACK_].rlim_cur = _STK_LIM;
	t->rlim[RLIMIT_MEMLOCK_].rlim_cur = t->rlim[RLIMIT_MEMLOCK_].rlim_max = 8ULL << 20;
	ts->by_pid[pid] = (struct task_slot){t, va};
	ts->last_pid = pid;
	ts->nr_tasks++;
	ts->nr_live++;
	return t;
}

/* Models: free_task(): the pid and the task_struct object go back. */
static void free_task(struct kmm_kernel *k, struct task_struct *t)
{
	struct task_state *ts = k->tasks;
	uint64_t va = ts->by_pid[t->pid].va;

	if (!t->exit_state)
		ts->nr_live--;
	if (t->oom_mm) { /* free_signal_struct(): the OOM victim's mm reference */
		mmdrop(t->oom_mm);
		t->oom_mm = NULL;
	}
	ts->by_pid[t->pid] = (struct task_slot){NULL, 0};
	ts->nr_tasks--;
	env_free(k->env, t->kthread);
	kmem_cache_free(k, ts->task_struct_cachep, va);
}

static bool cpu_ok(const struct kmm_kernel *k, int cpu)
{
	return cpu >= 0 && cpu < k->nr_cpus;
}

int task_create(struct kmm_kernel *k, const char *comm, int cpu, struct mm_struct *mm,
		struct task_struct **out)
{
	struct task_struct *t;
	bool own = !mm;
	int err = 0;

	if (!cpu_ok(k, cpu))
		return -EINVAL;
	if (own && !(mm = mm_alloc(k)))
		return -ENOMEM;
	t = alloc_task(k, comm, cpu, &err);
	if (t && !(t->files = files_alloc(k))) {
		free_task(k, t);
		t = NULL;
		err = -ENOMEM;
	}
	if (!t) {
		if (own)
			mmput(mm);
		return err;
	}
	t->mm = t->active_mm = mm;
	*out = t;
	return 0;
}

int copy_process(struct kmm_kernel *k, struct task_struct *parent, struct task_struct **child)
{
	struct task_struct *t;
	struct mm_struct *mm = NULL;
	int err = 0;

	if (parent->flags & PF_KTHREAD)
		return -EINVAL;
	t = alloc_task(k, parent->comm, parent->cpu, &err);
	if (!t)
		return err;
	/* the parent's cached rss deltas go into its mm first: dup_mm copies the mm struct */
	sync_mm_rss(parent, parent->mm);
	if (parent->files && !(t->files = dup_fd(k, parent->files))) {
		free_task(k, t);
		return -ENOMEM;
	}
	mm = dup_mm(t, parent->mm);
	if (!mm) {
		if (t->files)
			put_files_struct(k, t->files);
		free_task(k, t);
		return -ENOMEM;
	}
	t->real_parent = parent;
	memcpy(t->rlim, parent->rlim, sizeof(t->rlim));
	t->personality = parent->personality;
	t->oom_score_adj = parent->oom_score_adj; /* copy_signal() */
	t->oom_score_adj_min = parent->oom_score_adj_min;
	t->mm = t->active_mm = mm;
	*child = t;
	return 0;
}

/* ---- running tasks --------------------------------------------------------------------- */

/* The mm the CPU's TTBR0 holds: the active_mm of its current task, or NULL (idle). */
static struct mm_struct *cpu_active_mm(const struct task_state *ts, int cpu)
{
	return ts->curr[cpu] ? ts->curr[cpu]->active_mm : NULL;
}

int sched_switch_to(struct kmm_kernel *k, struct task_struct *t)
{
	struct task_state *ts = k->tasks;
	struct task_struct *prev = ts->curr[t->cpu];
	struct mm_struct *oldmm = cpu_active_mm(ts, t->cpu);

	if (k->env->cur_cpu != t->cpu)
		env_set_cpu(k->env, t->cpu);
	if (prev == t)
		return 0;
	if (t->mm) {
		switch_mm(k, oldmm, t->mm, t->cpu);
		t->active_mm = t->mm;
	} else {
		/* lazy TLB: a kernel thread keeps the tables it found, holding a reference */
		t->active_mm = oldmm;
		if (oldmm)
			mmgrab(oldmm);
	}
	if (prev) {
		if (prev->__state == TASK_RUNNING)
			prev->nivcsw++;
		else
			prev->nvcsw++;
		if (!prev->mm && prev->active_mm) {
			mmdrop(prev->active_mm);
			prev->active_mm = NULL;
		}
	}
	ts->curr[t->cpu] = t;
	ts->nr_switches++;
	env_charge(k->env, COST_context_switch);
	return 0;
}

/* @cpu goes idle: its current task leaves it and TTBR0 gets the reserved tables. */
static void cpu_go_idle(struct kmm_kernel *k, int cpu)
{
	struct task_state *ts = k->tasks;
	struct task_struct *prev = ts->curr[cpu];

	if (!prev)
		return;
	if (prev->active_mm)
		switch_mm(k, prev->active_mm, NULL, cpu);
	if (!prev->mm && prev->active_mm) {
		mmdrop(prev->active_mm);
		prev->active_mm = NULL;
	}
	ts->curr[cpu] = NULL;
}

int set_task_cpu(struct kmm_kernel *k, struct task_struct *t, int cpu)
{
	if (!cpu_ok(k, cpu))
		return -EINVAL;
	if (cpu == t->cpu)
		return 0;
	if (k->tasks->curr[t->cpu] == t)
		cpu_go_idle(k, t->cpu);
	t->cpu = cpu;
	return 0;
}

/* ---- exit ------------------------------------------------------------------------------ */

/* Models: kernel/exit.c:exit_mm(): the task lets go of its address space. */
static void exit_mm(struct kmm_kernel *k, struct task_struct *t)
{
	struct mm_struct *mm = t->mm;

	if (!mm)
		return;
	sync_mm_rss(t, mm);
	if (k->tasks->curr[t->cpu] == t)
		cpu_go_idle(k, t->cpu);
	t->mm = t->active_mm = NULL;
	mmput(mm);
	if (t->memdie)
		exit_oom_victim(k, t);
}

void do_exit(struct kmm_kernel *k, struct task_struct *t, int code)
{
	struct task_state *ts = k->tasks;

	t->flags |= PF_EXITING;
	if (t->kthread)
		env_event_cancel(k->env, &t->kthread->ev);
	exit_mm(k, t);
	if (t->files) { /* exit_files() */
		put_files_struct(k, t->files);
		t->files = NULL;
	}
	if (ts->curr[t->cpu] == t)
		cpu_go_idle(k, t->cpu);
	t->exit_code = code;
	t->exit_state = EXIT_ZOMBIE;
	ts->nr_live--;
}

void release_task(struct kmm_kernel *k, struct task_struct *t)
{
	struct task_state *ts = k->tasks;

	/* reparent to nobody: children of a reaped task keep running without a parent */
	for (int p = 1; p < ts->cap; p++)
		if (ts->by_pid[p].t && ts->by_pid[p].t->real_parent == t)
			ts->by_pid[p].t->real_parent = NULL;
	t->exit_state = EXIT_DEAD;
	free_task(k, t);
}

/* ---- kernel threads -------------------------------------------------------------------- */

/* One run of a kernel thread: switched onto its CPU, its function once, re-armed. */
static void kthread_run(struct kmm_env *env, struct env_event *ev)
{
	struct task_struct *t = ev->arg;
	struct kthread *kt = t->kthread;
	struct task_struct *interrupted = get_current_task(kt->k);
	int64_t next;

	(void)env;
	t->__state = TASK_RUNNING;
	sched_switch_to(kt->k, t);
	/* the thread is `current` while it runs (its PF_MEMALLOC counts), then the kernel's
	 * current goes back to the call the run point interrupted */
	set_current_task(kt->k, t);
	next = kt->threadfn(kt->k, t, kt->data);
	set_current_task(kt->k, interrupted);
	if (next == KTHREAD_SLEEP || kt->should_stop || next < 0)
		t->__state = TASK_INTERRUPTIBLE;
	else
		kthread_schedule(kt->k, t, (uint64_t)next);
}

int kthread_create_on_cpu(struct kmm_kernel *k, kthread_fn threadfn, void *data, int cpu,
			  const char *comm, struct task_struct **out)
{
	struct kthread *kt;
	struct task_struct *t;
	int err = 0;

	if (!cpu_ok(k, cpu) || !threadfn)
		return -EINVAL;
	kt = env_alloc(k->env, sizeof(*kt));
	if (!kt)
		return -ENOMEM;
	t = alloc_task(k, comm, cpu, &err);
	if (!t) {
		env_free(k->env, kt);
		return err;
	}
	kt->k = k;
	kt->threadfn = threadfn;
	kt->data = data;
	env_event_init(&kt->ev, kthread_run, t);
	t->kthread = kt;
	t->flags = PF_KTHREAD;
	t->__state = TASK_INTERRUPTIBLE;
	*out = t;
	return 0;
}

int kthread_schedule(struct kmm_kernel *k, struct task_struct *t, uint64_t delay)
{
	if (!t->kthread || t->exit_state)
		return -EINVAL;
	return env_event_schedule(k->env, &t->kthread->ev, k->env->cycles + delay, t->cpu);
}

int wake_up_process(struct kmm_kernel *k, struct task_struct *t)
{
	if (!t->kthread || t->exit_state)
		return -EINVAL;
	if (env_event_pending(&t->kthread->ev) && t->__state == TASK_RUNNING)
		return 0;
	t->__state = TASK_RUNNING;
	return kthread_schedule(k, t, 0);
}

void kthread_stop(struct kmm_kernel *k, struct task_struct *t)
{
	t->kthread->should_stop = true;
	do_exit(k, t, 0);
	release_task(k, t);
}

/* ---- references the host holds on user pages ------------------------------------------ */

/* The slot of @pfn in the sorted table, or where it would go. */
static unsigned int gup_slot(const struct task_state *ts, unsigned long pfn)
{
	unsigned int lo = 0, hi = ts->nr_gup;

	while (lo < hi) {
		unsigned int mid = lo + (hi - lo) / 2;

		if (ts->gup[mid].pfn < pfn)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

int gup_ref_add(struct kmm_kernel *k, unsigned long pfn, bool pin)
{
	struct task_state *ts = k->tasks;
	unsigned int i = gup_slot(ts, pfn);

	if (i == ts->nr_gup || ts->gup[i].pfn != pfn) {
		if (ts->nr_gup == ts->cap_gup) {
			unsigned int cap = ts->cap_gup ? 2 * ts->cap_gup : 64;
			struct gup_ref *n = env_realloc(k->env, ts->gup, cap * sizeof(*n));

			if (!n)
				return -ENOMEM;
			ts->gup = n;
			ts->cap_gup = cap;
		}
		memmove(&ts->gup[i + 1], &ts->gup[i], (ts->nr_gup - i) * sizeof(*ts->gup));
		ts->gup[i] = (struct gup_ref){pfn, 0, 0};
		ts->nr_gup++;
	}
	if (pin)
		ts->gup[i].pins++;
	else
		ts->gup[i].gets++;
	return 0;
}

bool gup_ref_drop(struct kmm_kernel *k, unsigned long pfn, bool pin)
{
	struct task_state *ts = k->tasks;
	unsigned int i = gup_slot(ts, pfn);
	unsigned long *n;

	if (i == ts->nr_gup || ts->gup[i].pfn != pfn)
		return false;
	n = pin ? &ts->gup[i].pins : &ts->gup[i].gets;
	if (!*n)
		return false;
	if (--*n == 0 && !ts->gup[i].gets && !ts->gup[i].pins) {
		memmove(&ts->gup[i], &ts->gup[i + 1], (ts->nr_gup - i - 1) * sizeof(*ts->gup));
		ts->nr_gup--;
	}
	return true;
}

/* ---- checks ---------------------------------------------------------------------------- */

static bool task_check(const struct kmm_kernel *k, const struct task_struct *t, int p, char *why,
		       size_t whylen)
{
	if (t->pid != p)
		return snprintf(why, whylen, "sched: slot %d holds pid %d", p, t->pid), false;
	if (memchr(t->comm, 0, sizeof(t->comm)) == NULL)
		return snprintf(why, whylen, "sched: pid %d: comm not terminated", p), false;
	if (t->exit_state && t->mm)
		return snprintf(why, whylen, "sched: zombie %d still has an mm", p), false;
	if (!t->exit_state && !(t->flags & PF_KTHREAD) && (!t->mm || t->active_mm != t->mm))
		return snprintf(why, whylen, "sched: user task %d: mm %p active_mm %p", p,
				(void *)t->mm, (void *)t->active_mm),
		       false;
	if ((t->flags & PF_KTHREAD) && (t->mm || !t->kthread))
		return snprintf(why, whylen, "sched: kthread %d has an mm or no kthread", p), false;
	if (t->__state != TASK_RUNNING && t->__state != TASK_INTERRUPTIBLE &&
	    t->__state != __TASK_STOPPED)
		return snprintf(why, whylen, "sched: pid %d: state %#x", p, t->__state), false;
	if (!cpu_ok(k, t->cpu))
		return snprintf(why, whylen, "sched: pid %d on cpu %d", p, t->cpu), false;
	return true;
}

bool sched_check(const struct kmm_kernel *k, char *why, size_t whylen)
{
	const struct task_state *ts = k->tasks;
	unsigned int n = 0, live = 0;

	if (!ts)
		return true;
	if (ts->last_pid >= ts->pid_max || ts->cap > ts->pid_max)
		return snprintf(why, whylen, "sched: last_pid %d cap %d pid_max %d", ts->last_pid,
				ts->cap, ts->pid_max),
		       false;
	for (int p = 0; p < ts->cap; p++) {
		const struct task_struct *t = ts->by_pid[p].t;

		if (!t)
			continue;
		if (p == 0 || !task_check(k, t, p, why, whylen))
			return p ? false : (snprintf(why, whylen, "sched: a task at pid 0"), false);
		n++;
		live += !t->exit_state;
	}
	if (n != ts->nr_tasks || live != ts->nr_live)
		return snprintf(why, whylen, "sched: %u tasks (%u live) counted %u (%u)",
				ts->nr_tasks, ts->nr_live, n, live),
		       false;
	for (int c = 0; c < KMM_MAX_CPUS; c++) {
		const struct task_struct *t = ts->curr[c];

		if (t && (t->exit_state || t->cpu != c || find_task_by_vpid(k, t->pid) != t))
			return snprintf(why, whylen, "sched: cpu %d runs pid %d (cpu %d, %s)", c,
					t->pid, t->cpu, t->exit_state ? "exited" : "live"),
			       false;
	}
	return true;
}
