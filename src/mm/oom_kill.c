/*
 * The OOM killer: when the page allocator has reclaimed and compacted in vain, it picks the
 * task whose death frees the most memory (oom_badness), prints the kernel's report, sends it
 * SIGKILL and lets it use the last reserves so that it can exit; the OOM reaper, a kernel
 * thread, tears down the victim's private memory two seconds later if the victim has not
 * exited by then.
 *
 * Models: mm/oom_kill.c (Linux 6.1.192): oom_unkillable_task, oom_badness, constrained_alloc,
 *         oom_evaluate_task, select_bad_process, dump_task, dump_tasks, dump_oom_summary,
 *         dump_header, __task_will_free_mem, task_will_free_mem, __oom_reap_task_mm,
 *         oom_reap_task_mm, oom_reap_task, oom_reaper, wake_oom_reaper, queue_oom_reaper,
 *         mark_oom_victim, exit_oom_victim, __oom_kill_process, oom_kill_process,
 *         check_panic_on_oom, out_of_memory; fs/proc/base.c: proc_oom_score, __set_oom_adj;
 *         the vm.panic_on_oom, vm.oom_kill_allocating_task and vm.oom_dump_tasks sysctls.
 * Deviation: no memory cgroups, cpusets or mempolicies: every OOM is CONSTRAINT_NONE over
 *         totalram + swap, "cpuset=/", "task_memcg=/". No oom notifiers, no sysrq OOM, no
 *         oom_task_origin (swapoff/ksm). The printk ratelimit of the report is left out: each
 *         kill prints its report.
 * Deviation: the "Call trace:" of the report lists the model's own call chain (function
 *         names, no offsets) instead of an unwinder's frames.
 * Deviation: vm.panic_on_oom != 0 kills the simulated machine as the kernel's panic() would
 *         (a KMM_REPORT_BUG "Kernel panic - not syncing: Out of memory: ..." after the
 *         report); the host is never touched.
 * Deviation: no task can be killed: the kernel panics ("System is deadlocked on memory").
 *         Here out_of_memory() prints the report and "Out of memory and no killable
 *         processes...", raises a warning and returns false: the allocation fails with the
 *         allocation failure warning and the machine stays usable (a host that has created
 *         no task still gets failures, not a dead machine).
 * Deviation: a request without __GFP_FS gets no kill, as in the kernel, but fails instead of
 *         being retried: the kernel counts on other tasks to make progress meanwhile, and in
 *         the model nothing else would run, so the retry would never end.
 * Deviation: the "oom_reaper" thread is created at the first kill, not at boot, so that pids
 *         of machines that never OOM stay those of the captures.
 * Deviation: rss in oom_badness, the tasks table and the kill line adds the task's own
 *         unsynced rss cache (SPLIT_RSS_COUNTING) to the mm's counts: the kernel reads the
 *         synced counts only, which may lag by up to 64 events per task.
 *
 * Invariants (oom_check):
 *  1. Every task with memdie set has oom_mm set; the number of such tasks is oom_victims.
 *  2. Every entry of the reaper queue has its mm marked MMF_OOM_REAP_QUEUED (so an mm is
 *     queued once), entries are in non-decreasing due time, and the reaper thread exists
 *     when the queue is not empty.
 */
#include "mm/oom.h"

#include "lib/bug.h"
#include "lib/sink.h"
#include "mm/gfp.h"
#include "mm/internal.h"
#include "mm/memory.h"
#include "mm/mm_state.h"
#include "mm/mmap.h"
#include "mm/slab.h"
#include "mm/swapfile.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>

#define KMM_FILE "mm/oom_kill.c"

#define K(pages)	    ((unsigned long)(pages) << (PAGE_SHIFT - 10))
#define SIGKILL		    9
#define SI_KERNEL	    0x80
#define OOM_REAPER_DELAY_NS 2000000000ULL /* 2*HZ */

enum oom_constraint {
	CONSTRAINT_NONE,
	CONSTRAINT_CPUSET,
	CONSTRAINT_MEMORY_POLICY,
	CONSTRAINT_MEMCG,
};

static const char *const oom_constraint_text[] = {"CONSTRAINT_NONE", "CONSTRAINT_CPUSET",
						  "CONSTRAINT_MEMORY_POLICY", "CONSTRAINT_MEMCG"};

/* Models: struct oom_control. */
struct oom_control {
	const struct alloc_context *ac;
	unsigned int gfp_mask;
	int order;
	unsigned long totalpages;
	struct task_struct *chosen; /* OOM_ABORT: a victim is still exiting */
	long chosen_points;
	enum oom_constraint constraint;
};

#define OOM_ABORT ((struct task_struct *)-1L)

/* One victim waiting for the reaper (the kernel's oom_reaper_list with its timer). */
struct oom_reap_entry {
	int pid;
	char comm[TASK_COMM_LEN];
	struct mm_struct *mm; /* grabbed */
	uint64_t due;	      /* machine cycles */
};

struct oom_state {
	int sysctl_panic_on_oom;
	int sysctl_oom_kill_allocating_task;
	int sysctl_oom_dump_tasks;
	struct task_struct *reaper; /* "oom_reaper", from the first kill on */
	struct oom_reap_entry *queue;
	unsigned int nr_queued, cap;
	unsigned long oom_victims; /* tasks with memdie (atomic oom_victims) */
	unsigned long kills;
};

int oom_init(struct kmm_kernel *k)
{
	struct oom_state *o = env_alloc(k->env, sizeof(*o));

	if (!o)
		return -ENOMEM;
	memset(o, 0, sizeof(*o));
	o->sysctl_oom_dump_tasks = 1;
	k->oom = o;
	return 0;
}

void oom_fini(struct kmm_kernel *k)
{
	struct oom_state *o = k->oom;

	if (!o)
		return;
	for (unsigned int i = 0; i < o->nr_queued; i++)
		mmdrop(o->queue[i].mm);
	env_free(k->env, o->queue);
	env_free(k->env, o);
	k->oom = NULL;
}

unsigned long oom_kills(const struct kmm_kernel *k)
{
	return k->oom ? k->oom->kills : 0;
}

/* ---- badness --------------------------------------------------------------------------- */

/* Models: is_global_init() || PF_KTHREAD: init and kernel threads are never killed. */
static bool oom_unkillable_task(const struct task_struct *p)
{
	return p->tgid == 1 || (p->flags & PF_KTHREAD);
}

/* get_mm_counter plus @t's own unsynced cache (header: Deviation). */
static unsigned long task_mm_counter(const struct task_struct *t, int member)
{
	long v = (long)get_mm_counter(t->mm, member) + t->rss_stat.count[member];

	return v < 0 ? 0 : (unsigned long)v;
}

static unsigned long task_mm_rss(const struct task_struct *t)
{
	return task_mm_counter(t, MM_FILEPAGES) + task_mm_counter(t, MM_ANONPAGES) +
	       task_mm_counter(t, MM_SHMEMPAGES);
}

unsigned long oom_totalpages(const struct kmm_kernel *k)
{
	return (unsigned long)k->totalram_pages + (unsigned long)total_swap_pages(k);
}

long oom_badness(const struct kmm_kernel *k, const struct task_struct *p, unsigned long totalpages)
{
	long points, adj;

	(void)k;
	if (oom_unkillable_task(p) || !p->mm || p->exit_state)
		return LONG_MIN;
	adj = p->oom_score_adj;
	if (adj == OOM_SCORE_ADJ_MIN || (p->mm->flags & MMF_OOM_SKIP))
		return LONG_MIN;
	points = (long)(task_mm_rss(p) + task_mm_counter(p, MM_SWAPENTS)) +
		 p->mm->pgtables_bytes / (long)PAGE_SIZE;
	adj *= (long)(totalpages / 1000);
	return points + adj;
}

unsigned long proc_oom_score(const struct kmm_kernel *k, const struct task_struct *t)
{
	unsigned long totalpages = oom_totalpages(k);
	long badness = oom_badness(k, t, totalpages);

	if (badness == LONG_MIN)
		return 0;
	return (unsigned long)((1000 + badness * 1000 / (long)totalpages) * 2 / 3);
}

struct adj_arg {
	const struct mm_struct *mm;
	short adj;
};

static int set_adj_one(struct task_struct *p, void *arg)
{
	const struct adj_arg *a = arg;

	if (p->mm == a->mm && !(p->flags & PF_KTHREAD))
		p->oom_score_adj = a->adj;
	return 0;
}

int set_oom_score_adj(struct kmm_kernel *k, struct task_struct *t, long adj)
{
	struct adj_arg a;

	if (adj < OOM_SCORE_ADJ_MIN || adj > OOM_SCORE_ADJ_MAX)
		return -EINVAL;
	t->oom_score_adj = (short)adj;
	if (t->mm) { /* every process sharing the mm gets the same value */
		a.mm = t->mm;
		a.adj = (short)adj;
		for_each_task(k, set_adj_one, &a);
	}
	return 0;
}

/* ---- victims --------------------------------------------------------------------------- */

/* Models: __task_will_free_mem(): a group exit is under way (SIGKILL sent) or it is exiting. */
static bool __task_will_free_mem(const struct task_struct *t)
{
	return t->sigkill_pending || (t->flags & PF_EXITING);
}

struct share_arg {
	const struct task_struct *t;
	const struct mm_struct *mm;
	bool ok;
};

static int will_free_one(struct task_struct *p, void *arg)
{
	struct share_arg *a = arg;

	if (p != a->t && p->mm == a->mm && !__task_will_free_mem(p)) {
		a->ok = false;
		return 1;
	}
	return 0;
}

/* Models: task_will_free_mem(): @t and every task sharing its mm are on their way out. */
static bool task_will_free_mem(struct kmm_kernel *k, struct task_struct *t)
{
	struct share_arg a = {t, t ? t->mm : NULL, true};

	if (!t || !t->mm || !__task_will_free_mem(t) || (t->mm->flags & MMF_OOM_SKIP))
		return false;
	if (t->mm->mm_users <= 1)
		return true;
	for_each_task(k, will_free_one, &a);
	return a.ok;
}

/* Models: mark_oom_victim(): TIF_MEMDIE, signal->oom_mm (grabbed), oom_victims++. */
static void mark_oom_victim(struct kmm_kernel *k, struct task_struct *t)
{
	if (t->memdie)
		return;
	t->memdie = true;
	if (!t->oom_mm) {
		t->oom_mm = t->mm;
		mmgrab(t->mm);
	}
	k->oom->oom_victims++;
}

void exit_oom_victim(struct kmm_kernel *k, struct task_struct *t)
{
	if (!t->memdie)
		return;
	t->memdie = false;
	if (k->oom && k->oom->oom_victims)
		k->oom->oom_victims--;
}

/* ---- the reaper ------------------------------------------------------------------------ */

void __oom_reap_task_mm(struct mm_struct *mm)
{
	mm->flags |= MMF_UNSTABLE;
	for (struct vm_area_struct *vma = mm->mmap; vma; vma = vma->vm_next) {
		if (vma->vm_flags & (VM_HUGETLB | VM_PFNMAP))
			continue;
		/* private file pages go too: the victim's COW copies are what the reap is for */
		if (vma_is_anonymous(vma) || !(vma->vm_flags & VM_SHARED))
			zap_page_range(vma, vma->vm_start, vma->vm_end - vma->vm_start);
	}
}

/* Models: oom_reap_task_mm() + oom_reap_task()'s end: reap unless exit_mmap got there first. */
static void oom_reap_task(struct kmm_kernel *k, const struct oom_reap_entry *e)
{
	struct mm_struct *mm = e->mm;

	if (!(mm->flags & MMF_OOM_SKIP)) {
		__oom_reap_task_mm(mm);
		env_printk(
			k->env,
			"oom_reaper: reaped process %d (%s), now anon-rss:%lukB, file-rss:%lukB, "
			"shmem-rss:%lukB\n",
			e->pid, e->comm, K(get_mm_counter(mm, MM_ANONPAGES)),
			K(get_mm_counter(mm, MM_FILEPAGES)), K(get_mm_counter(mm, MM_SHMEMPAGES)));
	}
	mm->flags |= MMF_OOM_SKIP;
	mmdrop(mm);
}

/* Models: oom_reaper(): the thread reaps every victim whose timer expired, then sleeps. */
static int64_t oom_reaper(struct kmm_kernel *k, struct task_struct *t, void *data)
{
	struct oom_state *o = k->oom;
	unsigned int done = 0;

	(void)t;
	(void)data;
	while (done < o->nr_queued && o->queue[done].due <= k->env->cycles)
		oom_reap_task(k, &o->queue[done++]);
	memmove(o->queue, o->queue + done, (o->nr_queued - done) * sizeof(*o->queue));
	o->nr_queued -= done;
	if (!o->nr_queued)
		return KTHREAD_SLEEP;
	return (int64_t)(o->queue[0].due - k->env->cycles);
}

/* Models: queue_oom_reaper() with wake_oom_reaper's timer: the reap OOM_REAPER_DELAY later. */
static void queue_oom_reaper(struct kmm_kernel *k, struct task_struct *t)
{
	struct oom_state *o = k->oom;
	struct mm_struct *mm = t->oom_mm;
	uint64_t delay = env_ns_to_cycles(k->env, OOM_REAPER_DELAY_NS);
	struct oom_reap_entry *e;

	if (!mm || (mm->flags & MMF_OOM_REAP_QUEUED))
		return;
	/* no host memory for the thread or the queue: the next OOM looks past this victim */
	if (!o->reaper) {
		/*
		 * 6.1 creates the reaper at boot; here it is created at the first kill, from
		 * inside the allocation that failed, so its task_struct is taken as a task
		 * freeing memory would take it (PF_MEMALLOC: reserves, no nested reclaim).
		 */
		struct task_struct *cur = get_current_task(k);
		unsigned int saved = cur ? cur->flags & PF_MEMALLOC : 0;
		int err;

		if (cur)
			cur->flags |= PF_MEMALLOC;
		err = kthread_create_on_cpu(k, oom_reaper, NULL, 0, "oom_reaper", &o->reaper);
		if (cur)
			cur->flags = (cur->flags & ~PF_MEMALLOC) | saved;
		if (err)
			goto skip;
	}
	if (o->nr_queued == o->cap) {
		unsigned int cap = o->cap ? o->cap * 2 : 8;
		struct oom_reap_entry *q = env_alloc(k->env, cap * sizeof(*q));

		if (!q)
			goto skip;
		if (o->nr_queued)
			memcpy(q, o->queue, o->nr_queued * sizeof(*q));
		env_free(k->env, o->queue);
		o->queue = q;
		o->cap = cap;
	}
	mm->flags |= MMF_OOM_REAP_QUEUED;
	mmgrab(mm);
	e = &o->queue[o->nr_queued++];
	e->pid = t->pid;
	memcpy(e->comm, t->comm, sizeof(e->comm));
	e->mm = mm;
	e->due = k->env->cycles + delay;
	if (o->nr_queued == 1)
		kthread_schedule(k, o->reaper, delay);
	return;
skip:
	mm->flags |= MMF_OOM_SKIP;
}

/* ---- the report ------------------------------------------------------------------------ */

/* Models: dump_task(): one line of the tasks table. */
static int dump_task(struct task_struct *p, void *arg)
{
	struct kmm_kernel *k = arg;

	if (oom_unkillable_task(p) || !p->mm || p->exit_state)
		return 0;
	env_printk(k->env, "[%7d] %5d %5d %8lu %8lu %8ld %8lu         %5hd %s\n", p->pid, 0,
		   p->tgid, p->mm->total_vm, task_mm_rss(p), p->mm->pgtables_bytes,
		   task_mm_counter(p, MM_SWAPENTS), p->oom_score_adj, p->comm);
	return 0;
}

/* Models: dump_tasks(). */
static void dump_tasks(struct kmm_kernel *k)
{
	env_printk(k->env, "Tasks state (memory values in pages):\n");
	env_printk(k->env, "[  pid  ]   uid  tgid total_vm      rss pgtables_bytes swapents "
			   "oom_score_adj name\n");
	for_each_task(k, dump_task, k);
}

/* Models: dump_oom_summary(). */
static void dump_oom_summary(struct kmm_kernel *k, const struct oom_control *oc,
			     const struct task_struct *victim)
{
	env_printk(k->env,
		   "oom-kill:constraint=%s,nodemask=(null),cpuset=/,mems_allowed=%s,global_oom,"
		   "task_memcg=/,task=%s,pid=%d,uid=0\n",
		   oom_constraint_text[oc->constraint], k->online_nodes_list, victim->comm,
		   victim->pid);
}

/* Models: dump_stack() as the report shows it (header: Deviation). */
static void oom_dump_stack(struct kmm_kernel *k, const struct task_struct *cur)
{
	char taint[48];

	env_printk(k->env, "CPU: %d PID: %d Comm: %s %s 6.1.0-kmm #1\n", smp_processor_id(k),
		   cur ? cur->pid : 0, cur ? cur->comm : "kmmsim",
		   slab_print_tainted(k, taint, sizeof(taint)));
	env_printk(k->env, "Hardware name: linux,dummy-virt (DT)\n");
	env_printk(k->env, "Call trace:\n dump_header\n oom_kill_process\n out_of_memory\n"
			   " __alloc_pages_may_oom\n __alloc_pages_slowpath\n __alloc_pages\n");
}

/* Models: dump_header(). */
static void dump_header(struct kmm_kernel *k, const struct oom_control *oc,
			const struct task_struct *victim)
{
	const struct task_struct *cur = get_current_task(k);
	char flags[256];

	format_gfp(oc->gfp_mask, flags, sizeof(flags));
	env_printk(k->env, "%s invoked oom-killer: gfp_mask=%#x(%s), order=%d, oom_score_adj=%d\n",
		   cur ? cur->comm : "kmmsim", oc->gfp_mask, flags, oc->order,
		   cur ? (int)cur->oom_score_adj : 0);
	oom_dump_stack(k, cur);
	__show_mem(k, NULL, gfp_zone(oc->gfp_mask));
	if (k->oom->sysctl_oom_dump_tasks)
		dump_tasks(k);
	if (victim)
		dump_oom_summary(k, oc, victim);
}

/* ---- selecting and killing ------------------------------------------------------------- */

/* Models: oom_evaluate_task(): returns 1 to stop the walk. */
static int oom_evaluate_task(struct task_struct *task, void *arg)
{
	struct oom_control *oc = arg;
	const struct kmm_kernel *k = task->mm ? task->mm->kernel : NULL;
	long points;

	if (oom_unkillable_task(task) || !k)
		return 0;
	/* a victim still on its way out: wait for it, unless its memory is already gone */
	if (tsk_is_oom_victim(task)) {
		if (task->oom_mm->flags & MMF_OOM_SKIP)
			return 0;
		oc->chosen = OOM_ABORT;
		return 1;
	}
	points = oom_badness(k, task, oc->totalpages);
	if (points == LONG_MIN || points < oc->chosen_points)
		return 0;
	oc->chosen = task;
	oc->chosen_points = points;
	return 0;
}

/* Models: select_bad_process(). */
static void select_bad_process(struct kmm_kernel *k, struct oom_control *oc)
{
	oc->chosen_points = LONG_MIN;
	for_each_task(k, oom_evaluate_task, oc);
}

struct kill_arg {
	struct kmm_kernel *k;
	const struct task_struct *victim;
	const struct mm_struct *mm;
	bool can_oom_reap;
};

/* Models: do_send_sig_info(SIGKILL, SEND_SIG_PRIV, ...): pending, recorded as the API shows. */
static void send_sigkill(struct task_struct *t)
{
	t->sigkill_pending = true;
	t->last_sig = (struct task_siginfo){SIGKILL, SI_KERNEL, 0, 0, 0};
}

static int kill_sharer(struct task_struct *p, void *arg)
{
	struct kill_arg *a = arg;

	if (p == a->victim || p->mm != a->mm || p->exit_state)
		return 0;
	if (p->tgid == 1) {
		a->can_oom_reap = false;
		env_printk(a->k->env, "oom killer %d (%s) has mm pinned by %d (%s)\n",
			   a->victim->pid, a->victim->comm, p->pid, p->comm);
		return 0;
	}
	if (p->flags & PF_KTHREAD)
		return 0;
	send_sigkill(p);
	return 0;
}

/* Models: __oom_kill_process(). */
static void __oom_kill_process(struct kmm_kernel *k, struct task_struct *victim,
			       const char *message)
{
	struct kill_arg a = {k, victim, NULL, true};
	struct mm_struct *mm = victim->mm;

	if (!mm) {
		env_printk(k->env,
			   "%s: OOM victim %d (%s) is already exiting. Skip killing the task\n",
			   message, victim->pid, victim->comm);
		return;
	}
	mmgrab(mm);
	count_vm_event(k, OOM_KILL);
	k->oom->kills++;
	send_sigkill(victim);
	mark_oom_victim(k, victim);
	env_printk(k->env,
		   "%s: Killed process %d (%s) total-vm:%lukB, anon-rss:%lukB, file-rss:%lukB, "
		   "shmem-rss:%lukB, UID:%u pgtables:%lukB oom_score_adj:%d\n",
		   message, victim->pid, victim->comm, K(mm->total_vm),
		   K(task_mm_counter(victim, MM_ANONPAGES)),
		   K(task_mm_counter(victim, MM_FILEPAGES)),
		   K(task_mm_counter(victim, MM_SHMEMPAGES)), 0u,
		   (unsigned long)mm->pgtables_bytes >> 10, (int)victim->oom_score_adj);
	a.mm = mm;
	for_each_task(k, kill_sharer, &a);
	if (!a.can_oom_reap)
		mm->flags |= MMF_OOM_SKIP;
	else
		queue_oom_reaper(k, victim);
	mmdrop(mm);
}

/* Models: oom_kill_process(). */
static void oom_kill_process(struct kmm_kernel *k, struct oom_control *oc, const char *message)
{
	struct task_struct *victim = oc->chosen;

	if (task_will_free_mem(k, victim)) {
		mark_oom_victim(k, victim);
		queue_oom_reaper(k, victim);
		return;
	}
	dump_header(k, oc, victim);
	__oom_kill_process(k, victim, message);
}

/* Models: check_panic_on_oom() (header: Deviation). */
static void check_panic_on_oom(struct kmm_kernel *k, const struct oom_control *oc)
{
	int pan = k->oom->sysctl_panic_on_oom;

	if (!pan || (pan != 2 && oc->constraint != CONSTRAINT_NONE))
		return;
	dump_header(k, oc, NULL);
	bug_report(k->env, KMM_REPORT_BUG, BUG_SITE(0, "check_panic_on_oom", "panic_on_oom"),
		   "Kernel panic - not syncing: Out of memory: %s panic_on_oom is enabled",
		   pan == 2 ? "compulsory" : "system-wide");
}

bool out_of_memory(struct kmm_kernel *k, unsigned int gfp, int order,
		   const struct alloc_context *ac)
{
	struct task_struct *cur = get_current_task(k);
	struct oom_control oc = {ac, gfp, order, 0, NULL, LONG_MIN, CONSTRAINT_NONE};
	struct oom_state *o = k->oom;
	char flags[256];

	if (!o)
		return false;
	/* the allocating task is dying anyway: let it have the reserves to get out */
	if (task_will_free_mem(k, cur)) {
		mark_oom_victim(k, cur);
		queue_oom_reaper(k, cur);
		return true;
	}
	/* no __GFP_FS: no kill for such requests (header: Deviation, they fail here) */
	if (!(gfp & __GFP_FS))
		return false;
	oc.constraint = CONSTRAINT_NONE; /* constrained_alloc(): no cpusets or mempolicies */
	oc.totalpages = oom_totalpages(k);
	check_panic_on_oom(k, &oc);
	if (o->sysctl_oom_kill_allocating_task && cur && cur->mm && !oom_unkillable_task(cur) &&
	    cur->oom_score_adj != OOM_SCORE_ADJ_MIN) {
		oc.chosen = cur;
		oom_kill_process(k, &oc, "Out of memory (oom_kill_allocating_task)");
		return true;
	}
	select_bad_process(k, &oc);
	if (!oc.chosen) {
		dump_header(k, &oc, NULL);
		env_printk(k->env, "Out of memory and no killable processes...\n");
		format_gfp(gfp, flags, sizeof(flags));
		bug_report(k->env, KMM_REPORT_WARN,
			   BUG_SITE(0, "out_of_memory", "no killable processes"),
			   "%s invoked oom-killer: gfp_mask=%#x(%s), order=%d: Out of memory and "
			   "no killable processes...",
			   cur ? cur->comm : "kmmsim", gfp, flags, order);
		return false;
	}
	if (oc.chosen == OOM_ABORT) {
		/* a victim is still exiting: wait a jiffy for it or the reaper (the retry loop) */
		env_sleep(k->env, env_ns_to_cycles(k->env, 4000000));
		return true;
	}
	oom_kill_process(k, &oc, "Out of memory");
	return true;
}

/* ---- delivery of the kill -------------------------------------------------------------- */

bool oom_deliver_sigkill(struct kmm_kernel *k, struct task_struct *t)
{
	if (!t->sigkill_pending || t->exit_state)
		return false;
	t->last_sig = (struct task_siginfo){SIGKILL, SI_KERNEL, 0, 0, 0};
	do_exit(k, t, SIGKILL);
	release_task(k, t);
	return true;
}

/* ---- sysctls --------------------------------------------------------------------------- */

static int oom_sysctl_set(struct kmm_kernel *k, int *field, long value)
{
	(void)k;
	if (value < INT_MIN || value > INT_MAX) /* proc_dointvec: any int */
		return -EINVAL;
	*field = (int)value;
	return 0;
}

int sysctl_panic_on_oom(const struct kmm_kernel *k)
{
	return k->oom ? k->oom->sysctl_panic_on_oom : 0;
}

int set_sysctl_panic_on_oom(struct kmm_kernel *k, long value)
{
	return k->oom ? oom_sysctl_set(k, &k->oom->sysctl_panic_on_oom, value) : -EINVAL;
}

int sysctl_oom_kill_allocating_task(const struct kmm_kernel *k)
{
	return k->oom ? k->oom->sysctl_oom_kill_allocating_task : 0;
}

int set_sysctl_oom_kill_allocating_task(struct kmm_kernel *k, long value)
{
	return k->oom ? oom_sysctl_set(k, &k->oom->sysctl_oom_kill_allocating_task, value)
		      : -EINVAL;
}

int sysctl_oom_dump_tasks(const struct kmm_kernel *k)
{
	return k->oom ? k->oom->sysctl_oom_dump_tasks : 1;
}

int set_sysctl_oom_dump_tasks(struct kmm_kernel *k, long value)
{
	return k->oom ? oom_sysctl_set(k, &k->oom->sysctl_oom_dump_tasks, value) : -EINVAL;
}

/* ---- the checker ----------------------------------------------------------------------- */

struct check_arg {
	unsigned long memdie;
	bool bad;
	int bad_pid;
};

static int check_task(struct task_struct *t, void *arg)
{
	struct check_arg *c = arg;

	if (t->memdie) {
		c->memdie++;
		if (!t->oom_mm) {
			c->bad = true;
			c->bad_pid = t->pid;
		}
	}
	return 0;
}

bool oom_check(const struct kmm_kernel *k, char *why, size_t whylen)
{
	const struct oom_state *o = k->oom;
	struct check_arg c = {0, false, 0};

	if (!o)
		return true;
	for_each_task((struct kmm_kernel *)k, check_task, &c);
	if (c.bad) {
		snprintf(why, whylen, "oom: pid %d has TIF_MEMDIE but no oom_mm", c.bad_pid);
		return false;
	}
	if (c.memdie != o->oom_victims) {
		snprintf(why, whylen, "oom: %lu tasks have TIF_MEMDIE, oom_victims says %lu",
			 c.memdie, o->oom_victims);
		return false;
	}
	if (o->nr_queued && !o->reaper) {
		snprintf(why, whylen, "oom: %u victims queued and no reaper thread", o->nr_queued);
		return false;
	}
	for (unsigned int i = 0; i < o->nr_queued; i++) {
		const struct oom_reap_entry *e = &o->queue[i];

		if (!(e->mm->flags & MMF_OOM_REAP_QUEUED) || (i && e->due < o->queue[i - 1].due)) {
			snprintf(why, whylen,
				 "oom: reaper entry %u (pid %d) not marked queued or out of order",
				 i, e->pid);
			return false;
		}
	}
	return true;
}
