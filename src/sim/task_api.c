/*
 * Public user-space API (include/kmm/task.h): tasks, their accesses, and the mmap family of
 * system calls, each one body behind the API boundary (sim/api.h).
 *
 * Every argument is checked the way the kernel checks the system call's (a pid that does not
 * exist or has exited: KMM_ESRCH; unaligned addresses, zero or overflowing lengths, unknown
 * bits: the kernel's errno where it has one, else KMM_EINVAL), before anything changes; the
 * kernel's -errno becomes the status of the same name (api_errno) with kmm_last_error naming
 * the call, the rule and the values.
 *
 * A task's access runs on its CPU: the task is switched there first (context switch: TTBR0 and
 * its ASID), then the access goes through the MMU at EL0 with each abort handled by the
 * kernel's fault path (arch/arm64/kernel/entry.c). A signal stops the task: KMM_EFAULT with
 * the siginfo, and every later access of the stopped task is refused the same way.
 *
 * Models: the system call entry points of mm/mmap.c (ksys_mmap_pgoff, sys_munmap, sys_brk),
 *         arch/arm64/kernel/sys.c (the mmap offset check), kernel/fork.c (fork), kernel/exit.c
 *         (exit + wait), fs/exec.c (execve) (Linux 6.1).
 * Deviation: the calls the other parts of the kernel have not provided yet (files, memfd,
 *         mprotect and the rest of mm/mman.h, gup) are not exported by this file until they are.
 */
#include <kmm/task.h>

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "arch/arm64/include/asm/exception.h"
#include "arch/arm64/include/asm/mmu_context.h"
#include "kernel/sched.h"
#include "mm/oom.h"
#include "mm/hugetlb.h"
#include "mm/memory.h"
#include "fs/fs.h"
#include "mm/mm.h"
#include "mm/mman.h"
#include "mm/mmap.h"
#include "mm/pagemap.h"
#include "mm/shmem.h"
#include "mm/writeback.h"
#include "sim/api.h"

/* The public constants are the kernel's. */
_Static_assert(KMM_PROT_READ == PROT_READ && KMM_PROT_WRITE == PROT_WRITE &&
		       KMM_PROT_EXEC == PROT_EXEC && KMM_MAP_SHARED == MAP_SHARED &&
		       KMM_MAP_PRIVATE == MAP_PRIVATE && KMM_MAP_FIXED == MAP_FIXED &&
		       KMM_MAP_ANONYMOUS == MAP_ANONYMOUS &&
		       KMM_MAP_FIXED_NOREPLACE == MAP_FIXED_NOREPLACE &&
		       KMM_MAP_POPULATE == MAP_POPULATE,
	       "mmap constants differ from the kernel's");
_Static_assert(KMM_SIGSEGV == SIGSEGV && KMM_SIGBUS == SIGBUS && KMM_SEGV_MAPERR == SEGV_MAPERR &&
		       KMM_SEGV_ACCERR == SEGV_ACCERR && KMM_BUS_ADRERR == BUS_ADRERR,
	       "signal constants differ from the kernel's");
_Static_assert((int)KMM_ACCESS_LOAD == (int)EL0_LOAD && (int)KMM_ACCESS_STORE == (int)EL0_STORE &&
		       (int)KMM_ACCESS_IFETCH == (int)EL0_IFETCH,
	       "access kinds differ");
_Static_assert((int)KMM_TOUCH_SEQ == (int)EL0_SEQ && (int)KMM_TOUCH_STRIDED == (int)EL0_STRIDED &&
		       (int)KMM_TOUCH_RANDOM == (int)EL0_RANDOM,
	       "touch orders differ");

/* The PROT_ bits mmap and mprotect know on arm64 (PROT_SEM is accepted and ignored). */
#define PROT_KNOWN                                                                                 \
	(KMM_PROT_READ | KMM_PROT_WRITE | KMM_PROT_EXEC | 0x8 /* PROT_SEM */ | KMM_PROT_BTI |      \
	 KMM_PROT_MTE)
/* The MAP_ bits of the arm64 UAPI (LEGACY_MAP_MASK plus the validated ones). */
#define MAP_KNOWN                                                                                  \
	(KMM_MAP_SHARED_VALIDATE | KMM_MAP_FIXED | KMM_MAP_ANONYMOUS | KMM_MAP_GROWSDOWN |         \
	 KMM_MAP_DENYWRITE | KMM_MAP_EXECUTABLE | KMM_MAP_LOCKED | KMM_MAP_NORESERVE |             \
	 KMM_MAP_POPULATE | KMM_MAP_NONBLOCK | KMM_MAP_STACK | KMM_MAP_HUGETLB | KMM_MAP_SYNC |    \
	 KMM_MAP_FIXED_NOREPLACE | KMM_MAP_UNINITIALIZED)
/* With KMM_MAP_HUGETLB, bits 26..31 are the huge page size (MAP_HUGE_*). */
#define MAP_HUGE_BITS ((unsigned)KMM_MAP_HUGE_MASK << KMM_MAP_HUGE_SHIFT)

_Static_assert(KMM_MAP_HUGE_SHIFT == MAP_HUGE_SHIFT && KMM_MAP_HUGE_MASK == MAP_HUGE_MASK &&
		       KMM_MAP_HUGE_64KB == MAP_HUGE_64KB && KMM_MAP_HUGE_2MB == MAP_HUGE_2MB &&
		       KMM_MAP_HUGE_32MB == MAP_HUGE_32MB && KMM_MAP_HUGE_1GB == MAP_HUGE_1GB,
	       "the public MAP_HUGE_* are the kernel's");

/* The status of the kernel's -errno @err (0: KMM_OK). */
static enum kmm_status api_errno(long err)
{
	switch (-err) {
	case 0:
		return KMM_OK;
	case ENOMEM:
		return KMM_ENOMEM;
	case EFAULT:
		return KMM_EFAULT;
	case EEXIST:
		return KMM_EEXIST;
	case EPERM:
		return KMM_EPERM;
	case EACCES:
		return KMM_EACCES;
	case EAGAIN:
		return KMM_EAGAIN;
	case EBADF:
		return KMM_EBADF;
	case ESRCH:
		return KMM_ESRCH;
	case EBUSY:
		return KMM_EBUSY;
	case EFBIG:
		return KMM_EFBIG;
	case ENODEV:
		return KMM_ENODEV;
	case EOVERFLOW:
		return KMM_EOVERFLOW;
	case ENOSPC:
		return KMM_ENOSPC;
	case ETXTBSY:
		return KMM_ETXTBSY;
	case EMFILE:
		return KMM_EMFILE;
	case ENAMETOOLONG:
		return KMM_ENAMETOOLONG;
	case EISDIR:
		return KMM_EISDIR;
	case ENOENT:
		return KMM_ENOENT;
	case EROFS:
		return KMM_EPERM; /* no status of its own: a read-only file is not permitted */
	default:
		return KMM_EINVAL;
	}
}

/* The kernel's name of errno @err ("ENOMEM"), for error texts. */
static const char *errno_name(long err)
{
	if (err == -EROFS)
		return "EROFS";
	return kmm_status_name(api_errno(err)) + 4; /* "KMM_ENOMEM" -> "ENOMEM" */
}

/*
 * The live task @pid, or KMM_ESRCH naming it; with @user, a kernel thread is refused
 * (KMM_EINVAL: it has no address space to work on).
 */
static enum kmm_status api_task(const struct api *a, kmm_pid_t pid, bool user,
				struct task_struct **out)
{
	struct task_struct *t = find_task_by_vpid(a->k, pid);

	if (!t)
		return api_error(a, KMM_ESRCH, "pid %" PRId32 " does not exist or has exited", pid);
	if (user && (t->flags & PF_KTHREAD))
		return api_error(a, KMM_EINVAL,
				 "pid %" PRId32 " (%s) is a kernel thread: it has no address space",
				 pid, t->comm);
	*out = t;
	return KMM_OK;
}

static enum kmm_status api_cpu(const struct api *a, unsigned cpu)
{
	if (cpu >= (unsigned)a->k->nr_cpus)
		return api_error(a, KMM_EINVAL, "CPU %u does not exist (the machine has %d CPUs)",
				 cpu, a->k->nr_cpus);
	return KMM_OK;
}

/* ---- tasks ----------------------------------------------------------------------------- */

API_BODY(task_create, {
	const char *comm;
	unsigned cpu;
	kmm_pid_t *pid;
})
{
	struct linux_binprm_image img = {0};
	char path[TASK_COMM_LEN + 8];
	struct task_struct *t = NULL;
	enum kmm_status st;
	int err;

	if (!p->comm || !p->pid)
		return api_error(a, KMM_EINVAL, "NULL %s", p->comm ? "pid output" : "comm");
	if (!p->comm[0] || strchr(p->comm, '/'))
		return api_error(a, KMM_EINVAL, "comm \"%s\" is empty or has a '/'", p->comm);
	if ((st = api_cpu(a, p->cpu)))
		return st;
	/* the binary is /bin/<comm> (comm truncated as the kernel's TASK_COMM_LEN does) */
	snprintf(path, sizeof(path), "/bin/%.*s", TASK_COMM_LEN - 1, p->comm);
	img.path = path;
	err = task_create(a->k, p->comm, (int)p->cpu, NULL, &t);
	if (err)
		return api_error(a, api_errno(err), "cannot create task \"%s\": %s", p->comm,
				 errno_name(err));
	err = do_execve(a->k, t, &img);
	if (err) {
		do_exit(a->k, t, 0);
		release_task(a->k, t);
		return api_error(a, api_errno(err), "exec of the new task failed: %s",
				 errno_name(err));
	}
	*p->pid = t->pid;
	return KMM_OK;
}

enum kmm_status kmm_task_create(struct kmm_machine *m, const char *comm, unsigned cpu,
				kmm_pid_t *pid)
{
	return API_CALL(m, API_USER, task_create, comm, cpu, pid);
}

/* The image fields the kernel would find in an ELF file, checked as load_elf_binary would. */
static enum kmm_status api_exec_image(const struct api *a, const struct kmm_exec_image *in,
				      struct linux_binprm_image *img)
{
	uint64_t total;

	*img = (struct linux_binprm_image){0};
	if (!in)
		return KMM_OK;
	if ((in->load_addr | in->text_size | in->rodata_size | in->data_size) & (PAGE_SIZE - 1))
		return api_error(a, KMM_EINVAL,
				 "image: load_addr 0x%" PRIx64 ", text 0x%" PRIx64
				 ", rodata 0x%" PRIx64 ", data 0x%" PRIx64 " must be page aligned",
				 in->load_addr, in->text_size, in->rodata_size, in->data_size);
	total = in->text_size + in->rodata_size + in->data_size + in->bss_size + (64ULL << 20);
	if (total < in->text_size || in->text_size > TASK_SIZE || in->rodata_size > TASK_SIZE ||
	    in->data_size > TASK_SIZE || in->bss_size > TASK_SIZE ||
	    in->load_addr + total > TASK_SIZE / 2)
		return api_error(a, KMM_ENOMEM,
				 "image: load_addr 0x%" PRIx64 " + segments 0x%" PRIx64
				 " do not fit below TASK_SIZE / 2 (0x%lx)",
				 in->load_addr, total, TASK_SIZE / 2);
	if (in->stack_rlimit && (in->stack_rlimit < PAGE_SIZE || in->stack_rlimit > (1ULL << 40)))
		return api_error(a, KMM_EINVAL,
				 "image: stack_rlimit %" PRIu64 " outside [4 KiB, 1 TiB]",
				 in->stack_rlimit);
	if (in->path && (!in->path[0] || strlen(in->path) >= 256))
		return api_error(a, KMM_EINVAL, "image: path empty or longer than 255 bytes");
	if ((in->rw_gap | in->relro_size | in->rw_offset) & (PAGE_SIZE - 1) ||
	    in->rw_gap > (1ULL << 30) || in->rw_offset > (1ULL << 30) ||
	    in->relro_size > in->rodata_size + in->data_size)
		return api_error(a, KMM_EINVAL,
				 "image: rw_gap 0x%" PRIx64 ", rw_offset 0x%" PRIx64
				 " (at most 1 GiB) and relro_size 0x%" PRIx64
				 " (at most rodata + data) must be page aligned",
				 in->rw_gap, in->rw_offset, in->relro_size);
	*img = (struct linux_binprm_image){in->path,	     in->text_size,  in->rodata_size,
					   in->data_size,    in->bss_size,   in->load_addr,
					   in->stack_rlimit, in->norandmaps, in->rw_gap,
					   in->relro_size,   in->rw_offset};
	return KMM_OK;
}

API_BODY(task_exec, {
	kmm_pid_t pid;
	const struct kmm_exec_image *img;
})
{
	struct linux_binprm_image img;
	struct task_struct *t = NULL;
	enum kmm_status st;
	int err;

	if ((st = api_task(a, p->pid, true, &t)) || (st = api_exec_image(a, p->img, &img)))
		return st;
	err = do_execve(a->k, t, p->img ? &img : NULL);
	if (err)
		return api_error(a, api_errno(err), "exec of pid %" PRId32 " failed: %s", p->pid,
				 errno_name(err));
	return KMM_OK;
}

enum kmm_status kmm_task_exec(struct kmm_machine *m, kmm_pid_t pid,
			      const struct kmm_exec_image *img)
{
	return API_CALL(m, API_USER, task_exec, pid, img);
}

API_BODY(task_fork, {
	kmm_pid_t parent;
	kmm_pid_t *child;
})
{
	struct task_struct *t = NULL, *c = NULL;
	enum kmm_status st;
	int err;

	if (!p->child)
		return api_error(a, KMM_EINVAL, "NULL child output");
	if ((st = api_task(a, p->parent, true, &t)))
		return st;
	set_current_task(a->k, t);
	err = copy_process(a->k, t, &c);
	set_current_task(a->k, NULL);
	if (err)
		return api_error(a, api_errno(err), "fork of pid %" PRId32 ": %s", p->parent,
				 errno_name(err));
	*p->child = c->pid;
	return KMM_OK;
}

enum kmm_status kmm_task_fork(struct kmm_machine *m, kmm_pid_t parent, kmm_pid_t *child)
{
	return API_CALL(m, API_USER, task_fork, parent, child);
}

API_BODY(task_exit, {
	kmm_pid_t pid;
	int code;
})
{
	struct task_struct *t = NULL;
	enum kmm_status st;

	if ((st = api_task(a, p->pid, true, &t)))
		return st;
	if (p->code < 0 || p->code > 255)
		return api_error(a, KMM_EINVAL, "exit code %d outside 0..255", p->code);
	do_exit(a->k, t, p->code);
	release_task(a->k, t);
	return KMM_OK;
}

enum kmm_status kmm_task_exit(struct kmm_machine *m, kmm_pid_t pid, int code)
{
	return API_CALL(m, API_USER, task_exit, pid, code);
}

API_BODY(task_set_cpu, {
	kmm_pid_t pid;
	unsigned cpu;
})
{
	struct task_struct *t = NULL;
	enum kmm_status st;

	if ((st = api_task(a, p->pid, false, &t)) || (st = api_cpu(a, p->cpu)))
		return st;
	set_task_cpu(a->k, t, (int)p->cpu);
	return KMM_OK;
}

enum kmm_status kmm_task_set_cpu(struct kmm_machine *m, kmm_pid_t pid, unsigned cpu)
{
	return API_CALL(m, API_USER, task_set_cpu, pid, cpu);
}

static char task_state_char(const struct task_struct *t)
{
	if (t->exit_state == EXIT_ZOMBIE)
		return 'Z';
	if (t->exit_state)
		return 'X';
	if (t->__state == __TASK_STOPPED)
		return 'T';
	return t->__state == TASK_INTERRUPTIBLE ? 'S' : 'R';
}

static void task_siginfo(const struct task_struct *t, struct kmm_siginfo *out)
{
	const struct task_siginfo *s = &t->last_sig;

	*out = (struct kmm_siginfo){s->si_signo, s->si_code, s->si_addr, s->esr, s->far};
}

API_BODY(task_info, {
	kmm_pid_t pid;
	struct kmm_task_info *out;
})
{
	struct task_struct *t = NULL;
	struct kmm_task_info *o = p->out;
	enum kmm_status st;

	if (!o)
		return api_error(a, KMM_EINVAL, "NULL output");
	if ((st = api_task(a, p->pid, false, &t)))
		return st;
	memset(o, 0, sizeof(*o));
	o->pid = t->pid;
	o->ppid = t->real_parent ? t->real_parent->pid : 0;
	memcpy(o->comm, t->comm, sizeof(o->comm));
	o->cpu = (unsigned)t->cpu;
	o->state = task_state_char(t);
	o->exit_code = t->exit_code;
	o->min_flt = t->min_flt;
	o->maj_flt = t->maj_flt;
	o->asid = t->mm ? ASID(t->mm) : 0;
	task_siginfo(t, &o->last_signal);
	return KMM_OK;
}

enum kmm_status kmm_task_info(struct kmm_machine *m, kmm_pid_t pid, struct kmm_task_info *out)
{
	return API_CALL(m, API_USER, task_info, pid, out);
}

/* ---- the OOM killer's per-task values ------------------------------------------------- */

API_BODY(task_set_oom_score_adj, {
	kmm_pid_t pid;
	int adj;
})
{
	struct task_struct *t = NULL;
	enum kmm_status st;

	if ((st = api_task(a, p->pid, true, &t)))
		return st;
	if (set_oom_score_adj(a->k, t, p->adj))
		return api_error(a, KMM_EINVAL,
				 "pid %" PRId32
				 ": oom_score_adj %d is outside [%d, %d] (__set_oom_adj)",
				 p->pid, p->adj, OOM_SCORE_ADJ_MIN, OOM_SCORE_ADJ_MAX);
	return KMM_OK;
}

enum kmm_status kmm_task_set_oom_score_adj(struct kmm_machine *m, kmm_pid_t pid, int adj)
{
	return API_CALL(m, API_USER, task_set_oom_score_adj, pid, adj);
}

API_BODY(task_oom_score, {
	kmm_pid_t pid;
	int *adj;
	unsigned long *score;
})
{
	struct task_struct *t = NULL;
	enum kmm_status st;

	if ((st = api_task(a, p->pid, false, &t)))
		return st;
	if (p->adj)
		*p->adj = t->oom_score_adj;
	if (p->score)
		*p->score = proc_oom_score(a->k, t);
	return KMM_OK;
}

enum kmm_status kmm_task_oom_score(struct kmm_machine *m, kmm_pid_t pid, int *adj,
				   unsigned long *score)
{
	return API_CALL(m, API_USER, task_oom_score, pid, adj, score);
}

/* ---- accesses -------------------------------------------------------------------------- */

/*
 * The task @pid ready to execute: live, a user task, not stopped by a signal (then
 * KMM_EFAULT with its siginfo in *@fault), switched onto its CPU.
 */
enum kmm_status api_run_task(const struct api *a, kmm_pid_t pid, struct kmm_siginfo *fault,
			     struct task_struct **out)
{
	struct task_struct *t = NULL;
	enum kmm_status st = api_task(a, pid, true, &t);

	if (st)
		return st;
	if (fatal_signal_pending(t)) { /* killed while it was not running: it dies now */
		if (fault)
			task_siginfo(t, fault);
		oom_deliver_sigkill(a->k, t);
		return api_error(
			a, KMM_EFAULT,
			"pid %" PRId32 " was killed by SIGKILL (the OOM killer): it exited", pid);
	}
	if (t->__state == __TASK_STOPPED) {
		if (fault)
			task_siginfo(t, fault);
		return api_error(a, KMM_EFAULT,
				 "pid %" PRId32 " is stopped by signal %d (si_code %d at 0x%" PRIx64
				 "): it cannot run",
				 pid, t->last_sig.si_signo, t->last_sig.si_code,
				 t->last_sig.si_addr);
	}
	sched_switch_to(a->k, t);
	*out = t;
	return KMM_OK;
}

/* After an access that did not complete: the task stopped with its signal, or a kernel bug. */
enum kmm_status api_access_failed(const struct api *a, struct task_struct *t, int ret, uint64_t va,
				  struct kmm_siginfo *fault)
{
	if (ret < 0)
		return api_error(a, KMM_EBUG, "pid %d: the fault at 0x%" PRIx64 " never resolves",
				 t->pid, va);
	if (fatal_signal_pending(t)) { /* the OOM killer's SIGKILL, taken on the way out */
		int pid = t->pid;

		if (fault)
			task_siginfo(t, fault);
		oom_deliver_sigkill(a->k, t);
		return api_error(a, KMM_EFAULT,
				 "pid %d: killed by SIGKILL at 0x%" PRIx64
				 " (the OOM killer): it exited",
				 pid, va);
	}
	t->__state = __TASK_STOPPED;
	if (fault)
		task_siginfo(t, fault);
	return api_error(a, KMM_EFAULT,
			 "pid %d: %s (si_code %d) at 0x%" PRIx64 ", ESR 0x%08" PRIx64
			 ": the task is stopped",
			 t->pid, t->last_sig.si_signo == SIGBUS ? "SIGBUS" : "SIGSEGV",
			 t->last_sig.si_code, t->last_sig.si_addr, t->last_sig.esr);
}

API_BODY(task_access, {
	kmm_pid_t pid;
	enum kmm_access type;
	kmm_va_t va;
	void *buf;
	size_t len;
	struct kmm_siginfo *fault;
})
{
	struct task_struct *t = NULL;
	enum kmm_status st;
	int ret;

	if ((unsigned)p->type > KMM_ACCESS_IFETCH)
		return api_error(a, KMM_EINVAL, "bad access type %d: not LOAD, STORE or IFETCH",
				 (int)p->type);
	if (!p->buf)
		return api_error(a, KMM_EINVAL, "NULL buf");
	if (p->len < 1 || p->len > KMM_ACCESS_MAX)
		return api_error(a, KMM_EINVAL, "length %zu outside 1..%u (KMM_ACCESS_MAX)", p->len,
				 KMM_ACCESS_MAX);
	if ((st = api_run_task(a, p->pid, p->fault, &t)))
		return st;
	set_current_task(a->k, t);
	ret = el0_access(a->k, t, (enum el0_acc)p->type, p->va, p->buf, p->len);
	set_current_task(a->k, NULL);
	return ret ? api_access_failed(a, t, ret, p->va, p->fault) : KMM_OK;
}

enum kmm_status kmm_task_access(struct kmm_machine *m, kmm_pid_t pid, enum kmm_access type,
				kmm_va_t va, void *buf, size_t len, struct kmm_siginfo *fault)
{
	return API_CALL(m, API_USER, task_access, pid, type, va, buf, len, fault);
}

API_BODY(task_touch, {
	kmm_pid_t pid;
	enum kmm_access type;
	kmm_va_t va;
	uint64_t len, stride;
	enum kmm_touch_order order;
	uint64_t pattern, *done;
})
{
	uint64_t stride = p->stride ? p->stride : PAGE_SIZE, n, done = 0;
	struct task_struct *t = NULL;
	enum kmm_status st;
	int ret;

	if (p->done)
		*p->done = 0;
	if ((unsigned)p->type > KMM_ACCESS_IFETCH || (unsigned)p->order > KMM_TOUCH_RANDOM)
		return api_error(a, KMM_EINVAL, "unknown access type %d or order %d", (int)p->type,
				 (int)p->order);
	if (!p->len)
		return api_error(a, KMM_EINVAL, "va 0x%" PRIx64 " len 0x0: need a non-empty range",
				 p->va);
	if (p->va + p->len < p->va)
		return api_error(a, KMM_EINVAL,
				 "va 0x%" PRIx64 " len 0x%" PRIx64 ": the range wraps", p->va,
				 p->len);
	if (p->va & 7)
		return api_error(a, KMM_EINVAL, "va 0x%" PRIx64 " is not 8-byte aligned", p->va);
	if (stride < 8 || (stride & 7))
		return api_error(a, KMM_EINVAL, "stride %" PRIu64 " is not a multiple of 8",
				 stride);
	if ((st = api_run_task(a, p->pid, NULL, &t)))
		return st;
	n = (p->len + stride - 1) / stride;
	set_current_task(a->k, t);
	ret = el0_touch(a->k, t, (enum el0_acc)p->type, p->va, n, stride, (enum el0_order)p->order,
			env_random(a->env), p->pattern, &done);
	set_current_task(a->k, NULL);
	if (p->done)
		*p->done = done;
	return ret ? api_access_failed(a, t, ret, p->va, NULL) : KMM_OK;
}

enum kmm_status kmm_task_touch(struct kmm_machine *m, kmm_pid_t pid, enum kmm_access type,
			       kmm_va_t va, uint64_t len, uint64_t stride,
			       enum kmm_touch_order order, uint64_t pattern, uint64_t *done)
{
	return API_CALL(m, API_USER, task_touch, pid, type, va, len, stride, order, pattern, done);
}

/* ---- the mmap family ------------------------------------------------------------------- */

/*
 * The rule of do_mmap() (and get_unmapped_area()) that refused an mmap with errno @err, in
 * the kernel's order of checks, for the error text; NULL when the arguments pass them all (the
 * refusal came from later: no room, no memory, a file's own check).
 */
static const char *mmap_rule(kmm_va_t addr, uint64_t len, int flags, long err)
{
	if (!len)
		return "len 0x0: do_mmap refuses an empty mapping";
	if (len > UINT64_MAX - (PAGE_SIZE - 1))
		return "len overflows PAGE_ALIGN";
	if ((flags & MAP_TYPE) != MAP_SHARED && (flags & MAP_TYPE) != MAP_PRIVATE &&
	    (flags & MAP_TYPE) != MAP_SHARED_VALIDATE)
		return "the flags' MAP_TYPE is neither MAP_SHARED nor MAP_PRIVATE";
	if (PAGE_ALIGN(len) > TASK_SIZE)
		return "len is above TASK_SIZE";
	if ((flags & MAP_FIXED) && addr > TASK_SIZE - PAGE_ALIGN(len))
		return "MAP_FIXED: addr + len is above TASK_SIZE";
	if ((flags & MAP_FIXED) && (addr & (PAGE_SIZE - 1)) && err == -EINVAL)
		return "MAP_FIXED: addr is not page aligned";
	return NULL;
}

/* The rule of do_munmap() that refused [@addr, +@len), as mmap_rule. */
static const char *munmap_rule(kmm_va_t addr, uint64_t len)
{
	if (addr & (PAGE_SIZE - 1))
		return "addr is not page aligned";
	if (addr > TASK_SIZE || len > TASK_SIZE - addr)
		return "the range is above TASK_SIZE";
	if (!PAGE_ALIGN(len))
		return "len 0x0: the range is empty";
	return NULL;
}

API_BODY(mmap, {
	kmm_pid_t pid;
	kmm_va_t addr;
	uint64_t len;
	int prot, flags, fd;
	uint64_t off;
	kmm_va_t *out;
})
{
	struct task_struct *t = NULL;
	struct file *file = NULL;
	enum kmm_status st;
	unsigned long ret;

	if (!p->out)
		return api_error(a, KMM_EINVAL, "NULL out (the address output)");
	if ((st = api_task(a, p->pid, true, &t)))
		return st;
	if (p->prot & ~PROT_KNOWN)
		return api_error(a, KMM_EINVAL, "prot 0x%x has bits arm64 does not define (0x%x)",
				 p->prot, p->prot & ~PROT_KNOWN);
	if ((unsigned)p->flags &
	    ~((unsigned)MAP_KNOWN | ((p->flags & KMM_MAP_HUGETLB) ? MAP_HUGE_BITS : 0)))
		return api_error(a, KMM_EINVAL,
				 "flags 0x%x has bits the kernel does not define (0x%x)", p->flags,
				 p->flags & ~MAP_KNOWN);
	if (p->off & (PAGE_SIZE - 1))
		return api_error(a, KMM_EINVAL,
				 "offset 0x%" PRIx64 " is not page aligned (sys_mmap)", p->off);
	if (!(p->flags & KMM_MAP_ANONYMOUS) &&
	    !(file = t->files ? files_lookup_fd(t->files, p->fd) : NULL))
		return api_error(a, KMM_EBADF,
				 "pid %" PRId32 ": fd %d is not open (a file mapping)", p->pid,
				 p->fd);
	set_current_task(a->k, t);
	ret = vm_mmap_pgoff(t->mm, file, p->addr, p->len, (unsigned long)p->prot,
			    (unsigned long)p->flags, p->off >> PAGE_SHIFT);
	set_current_task(a->k, NULL);
	if (IS_ERR_VALUE(ret))
		return api_error(a, api_errno((long)ret),
				 "pid %" PRId32 ": mmap(0x%" PRIx64 ", 0x%" PRIx64
				 ", prot 0x%x, flags 0x%x): %s%s%s",
				 p->pid, p->addr, p->len, p->prot, p->flags, errno_name((long)ret),
				 mmap_rule(p->addr, p->len, p->flags, (long)ret) ? ": " : "",
				 mmap_rule(p->addr, p->len, p->flags, (long)ret) ?: "");
	*p->out = ret;
	return KMM_OK;
}

enum kmm_status kmm_mmap(struct kmm_machine *m, kmm_pid_t pid, kmm_va_t addr, uint64_t len,
			 int prot, int flags, int fd, uint64_t off, kmm_va_t *out)
{
	return API_CALL(m, API_USER, mmap, pid, addr, len, prot, flags, fd, off, out);
}

API_BODY(munmap, {
	kmm_pid_t pid;
	kmm_va_t addr;
	uint64_t len;
})
{
	struct task_struct *t = NULL;
	enum kmm_status st;
	int err;

	if ((st = api_task(a, p->pid, true, &t)))
		return st;
	set_current_task(a->k, t);
	err = do_munmap(t->mm, p->addr, p->len);
	set_current_task(a->k, NULL);
	if (err)
		return api_error(a, api_errno(err),
				 "pid %" PRId32 ": munmap(0x%" PRIx64 ", 0x%" PRIx64 "): %s%s%s",
				 p->pid, p->addr, p->len, errno_name(err),
				 munmap_rule(p->addr, p->len) ? ": " : "",
				 munmap_rule(p->addr, p->len) ?: "");
	return KMM_OK;
}

enum kmm_status kmm_munmap(struct kmm_machine *m, kmm_pid_t pid, kmm_va_t addr, uint64_t len)
{
	return API_CALL(m, API_USER, munmap, pid, addr, len);
}

API_BODY(brk, {
	kmm_pid_t pid;
	kmm_va_t brk;
	kmm_va_t *out;
})
{
	struct task_struct *t = NULL;
	enum kmm_status st;
	unsigned long got;

	if (!p->out)
		return api_error(a, KMM_EINVAL, "NULL out (the break output)");
	if ((st = api_task(a, p->pid, true, &t)))
		return st;
	set_current_task(a->k, t);
	got = do_brk(t->mm, p->brk);
	set_current_task(a->k, NULL);
	*p->out = got;
	if (p->brk && got != p->brk && p->brk < t->mm->start_brk)
		return api_error(a, KMM_ENOMEM,
				 "pid %" PRId32 ": brk(0x%" PRIx64
				 ") refused: below start_brk 0x%lx; the break stays 0x%lx",
				 p->pid, p->brk, t->mm->start_brk, got);
	if (p->brk && got != p->brk)
		return api_error(
			a, KMM_ENOMEM,
			"pid %" PRId32 ": brk(0x%" PRIx64
			") refused (it overlaps a mapping, exceeds RLIMIT_DATA or finds no "
			"memory); the break stays 0x%lx",
			p->pid, p->brk, got);
	return KMM_OK;
}

enum kmm_status kmm_brk(struct kmm_machine *m, kmm_pid_t pid, kmm_va_t brk, kmm_va_t *out)
{
	return API_CALL(m, API_USER, brk, pid, brk, out);
}

/* ---- files ----------------------------------------------------------------------------- */

_Static_assert(KMM_O_RDONLY == O_RDONLY && KMM_O_WRONLY == O_WRONLY && KMM_O_RDWR == O_RDWR &&
		       KMM_O_CREAT == O_CREAT && KMM_O_TRUNC == O_TRUNC,
	       "open flags differ from the kernel's");
_Static_assert(KMM_MFD_CLOEXEC == MFD_CLOEXEC && KMM_MFD_ALLOW_SEALING == MFD_ALLOW_SEALING &&
		       KMM_F_SEAL_SEAL == F_SEAL_SEAL && KMM_F_SEAL_WRITE == F_SEAL_WRITE &&
		       KMM_F_SEAL_FUTURE_WRITE == F_SEAL_FUTURE_WRITE,
	       "memfd constants differ from the kernel's");

#define O_KNOWN (KMM_O_WRONLY | KMM_O_RDWR | KMM_O_CREAT | KMM_O_TRUNC)

/* The file at @fd of task @pid, or KMM_ESRCH / KMM_EBADF naming them. */
static enum kmm_status api_fd(const struct api *a, kmm_pid_t pid, int fd, struct file **out)
{
	struct task_struct *t = NULL;
	enum kmm_status st = api_task(a, pid, true, &t);

	if (st)
		return st;
	*out = t->files ? files_lookup_fd(t->files, fd) : NULL;
	if (!*out)
		return api_error(a, KMM_EBADF, "pid %" PRId32 ": fd %d is not open", pid, fd);
	return KMM_OK;
}

API_BODY(file_create, {
	const char *path;
	const void *data;
	uint64_t size;
})
{
	int err;

	if (!p->path)
		return api_error(a, KMM_EINVAL, "NULL path");
	err = vfs_create_file(a->k, p->path, p->data, p->size);
	if (err)
		return api_error(a, api_errno(err), "%s (%" PRIu64 " bytes): %s", p->path, p->size,
				 errno_name(err));
	return KMM_OK;
}

enum kmm_status kmm_file_create(struct kmm_machine *m, const char *path, const void *data,
				uint64_t size)
{
	return API_CALL(m, API_USER, file_create, path, data, size);
}

API_BODY(file_create_generated, {
	const char *path;
	uint64_t size;
	uint64_t seed;
})
{
	int err;

	if (!p->path)
		return api_error(a, KMM_EINVAL, "NULL path");
	err = vfs_create_generated(a->k, p->path, p->size, p->seed);
	if (err == -EINVAL)
		return api_error(a, KMM_EINVAL, "%s: not a file path under /mnt/disk/", p->path);
	if (err)
		return api_error(a, api_errno(err), "%s (%" PRIu64 " bytes): %s", p->path, p->size,
				 errno_name(err));
	return KMM_OK;
}

enum kmm_status kmm_file_create_generated(struct kmm_machine *m, const char *path, uint64_t size,
					  uint64_t seed)
{
	return API_CALL(m, API_USER, file_create_generated, path, size, seed);
}

void kmm_file_generated_bytes(uint64_t seed, uint64_t off, void *buf, uint64_t len)
{
	if (buf)
		kmmfs_generated_bytes(seed, off, buf, len);
}

API_BODY(file_unlink, { const char *path; })
{
	int err;

	if (!p->path)
		return api_error(a, KMM_EINVAL, "NULL path");
	err = vfs_unlink(a->k, p->path);
	if (err)
		return api_error(a, api_errno(err), "%s: %s", p->path, errno_name(err));
	return KMM_OK;
}

enum kmm_status kmm_file_unlink(struct kmm_machine *m, const char *path)
{
	return API_CALL(m, API_USER, file_unlink, path);
}

API_BODY(file_open, {
	kmm_pid_t pid;
	const char *path;
	int flags;
	int *fd;
})
{
	struct task_struct *t = NULL;
	struct file *f = NULL;
	enum kmm_status st;
	int err, fd;

	if (!p->path || !p->fd)
		return api_error(a, KMM_EINVAL, "NULL %s", p->path ? "fd output" : "path");
	if (p->flags & ~O_KNOWN)
		return api_error(a, KMM_EINVAL,
				 "flags 0x%x: only O_WRONLY, O_RDWR, O_CREAT, O_TRUNC", p->flags);
	if ((st = api_task(a, p->pid, true, &t)))
		return st;
	if (!t->files)
		return api_error(a, KMM_EBADF, "pid %" PRId32 " has no file table", p->pid);
	err = filp_open(a->k, p->path, (unsigned int)p->flags, &f);
	if (err)
		return api_error(a, api_errno(err), "open(%s, 0x%x): %s", p->path, p->flags,
				 errno_name(err));
	fd = fd_install_new(a->k, t->files, f, (unsigned int)p->flags);
	if (fd < 0) {
		fput(a->k, f);
		return api_error(a, api_errno(fd), "open(%s): no fd free (%s)", p->path,
				 errno_name(fd));
	}
	*p->fd = fd;
	return KMM_OK;
}

enum kmm_status kmm_file_open(struct kmm_machine *m, kmm_pid_t pid, const char *path, int flags,
			      int *fd)
{
	return API_CALL(m, API_USER, file_open, pid, path, flags, fd);
}

API_BODY(file_close, {
	kmm_pid_t pid;
	int fd;
})
{
	struct task_struct *t = NULL;
	enum kmm_status st;

	if ((st = api_task(a, p->pid, true, &t)))
		return st;
	if (!t->files || close_fd(a->k, t->files, p->fd))
		return api_error(a, KMM_EBADF, "pid %" PRId32 ": fd %d is not open", p->pid, p->fd);
	return KMM_OK;
}

enum kmm_status kmm_file_close(struct kmm_machine *m, kmm_pid_t pid, int fd)
{
	return API_CALL(m, API_USER, file_close, pid, fd);
}

API_BODY(file_rw, {
	kmm_pid_t pid;
	int fd;
	void *rbuf;
	const void *wbuf;
	uint64_t len, off, *done;
})
{
	struct file *f = NULL;
	enum kmm_status st;
	int64_t n;

	if (p->done)
		*p->done = 0;
	if ((!p->rbuf && !p->wbuf) || !p->done)
		return api_error(a, KMM_EINVAL, "NULL %s",
				 p->done ? "buffer" : "byte count output");
	if (p->off > INT64_MAX || p->len > INT64_MAX - p->off)
		return api_error(a, KMM_EINVAL,
				 "offset 0x%" PRIx64 " + length 0x%" PRIx64 " overflows loff_t",
				 p->off, p->len);
	if ((st = api_fd(a, p->pid, p->fd, &f)))
		return st;
	n = p->rbuf ? vfs_pread(a->k, f, p->rbuf, p->len, (loff_t)p->off)
		    : vfs_pwrite(a->k, f, p->wbuf, p->len, (loff_t)p->off);
	if (n < 0)
		return api_error(a, api_errno(n), "pid %" PRId32 ": fd %d: %s", p->pid, p->fd,
				 errno_name(n));
	*p->done = (uint64_t)n;
	return KMM_OK;
}

enum kmm_status kmm_file_pread(struct kmm_machine *m, kmm_pid_t pid, int fd, void *buf,
			       uint64_t len, uint64_t off, uint64_t *done)
{
	return API_CALL(m, API_USER, file_rw, pid, fd, buf, NULL, len, off, done);
}

enum kmm_status kmm_file_pwrite(struct kmm_machine *m, kmm_pid_t pid, int fd, const void *buf,
				uint64_t len, uint64_t off, uint64_t *done)
{
	return API_CALL(m, API_USER, file_rw, pid, fd, NULL, buf, len, off, done);
}

API_BODY(file_truncate, {
	kmm_pid_t pid;
	int fd;
	uint64_t size;
})
{
	struct file *f = NULL;
	enum kmm_status st;
	int err;

	if (p->size > INT64_MAX)
		return api_error(a, KMM_EINVAL, "size 0x%" PRIx64 " is negative as loff_t",
				 p->size);
	if ((st = api_fd(a, p->pid, p->fd, &f)))
		return st;
	err = vfs_ftruncate(a->k, f, (loff_t)p->size);
	if (err)
		return api_error(a, api_errno(err),
				 "pid %" PRId32 ": ftruncate(%d, %" PRIu64 "): %s", p->pid, p->fd,
				 p->size, errno_name(err));
	return KMM_OK;
}

enum kmm_status kmm_file_truncate(struct kmm_machine *m, kmm_pid_t pid, int fd, uint64_t size)
{
	return API_CALL(m, API_USER, file_truncate, pid, fd, size);
}

API_BODY(file_fsync, {
	kmm_pid_t pid;
	int fd;
})
{
	struct file *f = NULL;
	enum kmm_status st;
	int err;

	if ((st = api_fd(a, p->pid, p->fd, &f)))
		return st;
	err = vfs_fsync_range(a->k, f, 0, INT64_MAX, 0);
	if (err)
		return api_error(a, api_errno(err), "pid %" PRId32 ": fsync(%d): %s", p->pid, p->fd,
				 errno_name(err));
	return KMM_OK;
}

API_BODY(sync_all, { int unused; })
{
	int err = writeback_sync_all(a->k);

	(void)p;
	if (err)
		return api_error(a, api_errno(err), "sync: %s", errno_name(err));
	return KMM_OK;
}

enum kmm_status kmm_sync(struct kmm_machine *m)
{
	return API_CALL(m, API_USER, sync_all, 0);
}

API_BODY(idle, { uint64_t ns; })
{
	if (p->ns > 3600ULL * 1000000000ULL)
		return api_error(a, KMM_EINVAL, "idle: %" PRIu64 " ns is more than an hour", p->ns);
	env_sleep(a->env, env_ns_to_cycles(a->env, p->ns));
	return KMM_OK;
}

enum kmm_status kmm_idle(struct kmm_machine *m, uint64_t ns)
{
	return API_CALL(m, API_USER, idle, ns);
}

enum kmm_status kmm_file_fsync(struct kmm_machine *m, kmm_pid_t pid, int fd)
{
	return API_CALL(m, API_USER, file_fsync, pid, fd);
}

API_BODY(memfd_create, {
	kmm_pid_t pid;
	const char *name;
	unsigned flags;
	int *fd;
})
{
	struct task_struct *t = NULL;
	enum kmm_status st;
	int fd;

	if (!p->name || !p->fd)
		return api_error(a, KMM_EINVAL, "NULL %s", p->name ? "fd output" : "name");
	if ((st = api_task(a, p->pid, true, &t)))
		return st;
	if (!t->files)
		return api_error(a, KMM_EBADF, "pid %" PRId32 " has no file table", p->pid);
	fd = sys_memfd_create(a->k, t->files, p->name, p->flags);
	if (fd < 0)
		return api_error(a, api_errno(fd), "memfd_create(\"%s\", 0x%x): %s", p->name,
				 p->flags, errno_name(fd));
	*p->fd = fd;
	return KMM_OK;
}

enum kmm_status kmm_memfd_create(struct kmm_machine *m, kmm_pid_t pid, const char *name,
				 unsigned flags, int *fd)
{
	return API_CALL(m, API_USER, memfd_create, pid, name, flags, fd);
}

API_BODY(memfd_add_seals, {
	kmm_pid_t pid;
	int fd;
	int seals;
})
{
	struct file *f = NULL;
	enum kmm_status st;
	int ret;

	if ((st = api_fd(a, p->pid, p->fd, &f)))
		return st;
	ret = memfd_fcntl(a->k, f, F_ADD_SEALS, (unsigned long)(unsigned)p->seals);
	if (ret < 0)
		return api_error(a, api_errno(ret), "pid %" PRId32 ": fd %d: F_ADD_SEALS 0x%x: %s",
				 p->pid, p->fd, (unsigned)p->seals, errno_name(ret));
	return KMM_OK;
}

enum kmm_status kmm_memfd_add_seals(struct kmm_machine *m, kmm_pid_t pid, int fd, int seals)
{
	return API_CALL(m, API_USER, memfd_add_seals, pid, fd, seals);
}

API_BODY(memfd_get_seals, {
	kmm_pid_t pid;
	int fd;
	int *seals;
})
{
	struct file *f = NULL;
	enum kmm_status st;
	int ret;

	if (!p->seals)
		return api_error(a, KMM_EINVAL, "NULL seals output");
	if ((st = api_fd(a, p->pid, p->fd, &f)))
		return st;
	ret = memfd_fcntl(a->k, f, F_GET_SEALS, 0);
	if (ret < 0)
		return api_error(a, api_errno(ret), "pid %" PRId32 ": fd %d: F_GET_SEALS: %s",
				 p->pid, p->fd, errno_name(ret));
	*p->seals = ret;
	return KMM_OK;
}

enum kmm_status kmm_memfd_get_seals(struct kmm_machine *m, kmm_pid_t pid, int fd, int *seals)
{
	return API_CALL(m, API_USER, memfd_get_seals, pid, fd, seals);
}

/* ---- get_user_pages -------------------------------------------------------------------- */

_Static_assert(KMM_FOLL_WRITE == FOLL_WRITE && KMM_FOLL_FORCE == FOLL_FORCE &&
		       KMM_FOLL_LONGTERM == FOLL_LONGTERM && KMM_FOLL_PIN == FOLL_PIN,
	       "gup flags differ from the kernel's");

#define GUP_KNOWN (KMM_FOLL_WRITE | KMM_FOLL_FORCE | KMM_FOLL_LONGTERM | KMM_FOLL_PIN)
#define GUP_MAX	  512 /* pages per call */

API_BODY(get_user_pages, {
	kmm_pid_t pid;
	kmm_va_t va;
	uint64_t nr;
	unsigned gup_flags;
	kmm_pfn_t *pfns;
	uint64_t *got;
})
{
	struct page *pages[GUP_MAX];
	bool pin = p->gup_flags & KMM_FOLL_PIN;
	struct task_struct *t = NULL;
	enum kmm_status st;
	long n;

	if (p->got)
		*p->got = 0;
	if (!p->pfns || !p->got)
		return api_error(a, KMM_EINVAL, "NULL %s", p->pfns ? "count output" : "pfn array");
	if (!p->nr || p->nr > GUP_MAX)
		return api_error(a, KMM_EINVAL, "nr %" PRIu64 " outside 1..%d", p->nr, GUP_MAX);
	if (p->gup_flags & ~GUP_KNOWN)
		return api_error(a, KMM_EINVAL, "gup_flags 0x%x: unknown bits 0x%x", p->gup_flags,
				 p->gup_flags & ~GUP_KNOWN);
	if ((p->gup_flags & KMM_FOLL_LONGTERM) && !pin)
		return api_error(a, KMM_EINVAL, "FOLL_LONGTERM needs FOLL_PIN (as pin_user_pages)");
	if (p->va & (PAGE_SIZE - 1))
		return api_error(a, KMM_EINVAL, "va 0x%" PRIx64 " is not page aligned", p->va);
	if ((st = api_task(a, p->pid, true, &t)))
		return st;
	set_current_task(a->k, t);
	n = pin ? pin_user_pages(t->mm, p->va, p->nr, p->gup_flags, pages)
		: get_user_pages(t->mm, p->va, p->nr, p->gup_flags | FOLL_GET, pages);
	set_current_task(a->k, NULL);
	if (n < 0)
		return api_error(a, api_errno(n),
				 "pid %" PRId32 ": %s(0x%" PRIx64 ", %" PRIu64 "): %s", p->pid,
				 pin ? "pin_user_pages" : "get_user_pages", p->va, p->nr,
				 errno_name(n));
	for (long i = 0; i < n; i++) {
		p->pfns[i] = page_to_pfn(a->k, pages[i]);
		if (gup_ref_add(a->k, p->pfns[i], pin)) {
			for (long j = i; j < n;
			     j++) /* the host cannot track these: give them back */
				pin ? unpin_user_page(a->k, pages[j]) : put_page(a->k, pages[j]);
			*p->got = (uint64_t)i;
			return i ? KMM_OK : api_error(a, KMM_EHOST, "host memory exhausted");
		}
	}
	*p->got = (uint64_t)n;
	return KMM_OK;
}

enum kmm_status kmm_get_user_pages(struct kmm_machine *m, kmm_pid_t pid, kmm_va_t va, uint64_t nr,
				   unsigned gup_flags, kmm_pfn_t *pfns, uint64_t *got)
{
	return API_CALL(m, API_USER, get_user_pages, pid, va, nr, gup_flags, pfns, got);
}

API_BODY(put_user_page, {
	kmm_pfn_t pfn;
	unsigned gup_flags;
})
{
	bool pin = p->gup_flags & KMM_FOLL_PIN;

	if (p->gup_flags & ~GUP_KNOWN)
		return api_error(a, KMM_EINVAL, "gup_flags 0x%x: unknown bits 0x%x", p->gup_flags,
				 p->gup_flags & ~GUP_KNOWN);
	if (!gup_ref_drop(a->k, p->pfn, pin))
		return api_error(a, KMM_EINVAL, "pfn 0x%" PRIx64 ": the host holds no %s on it",
				 p->pfn, pin ? "pin" : "reference");
	if (pin)
		unpin_user_page(a->k, pfn_to_page(a->k, p->pfn));
	else
		put_page(a->k, pfn_to_page(a->k, p->pfn));
	return KMM_OK;
}

enum kmm_status kmm_put_user_page(struct kmm_machine *m, kmm_pfn_t pfn, unsigned gup_flags)
{
	return API_CALL(m, API_USER, put_user_page, pfn, gup_flags);
}

/* ---- mprotect, mremap, madvise, mlock, msync, mincore (mm/mman.h) --------------------- */

/* Runs @what as task @pid's system call: the kernel's -errno becomes the status. */
#define MMAN_CALL(a, pid, t, expr, fmt, ...)                                                       \
	({                                                                                         \
		long err_;                                                                         \
		set_current_task((a)->k, (t));                                                     \
		err_ = (long)(expr);                                                               \
		set_current_task((a)->k, NULL);                                                    \
		err_ < 0 ? api_error((a), api_errno(err_), "pid %" PRId32 ": " fmt ": %s", (pid),  \
				     __VA_ARGS__, errno_name(err_))                                \
			 : KMM_OK;                                                                 \
	})

API_BODY(mprotect, {
	kmm_pid_t pid;
	kmm_va_t addr;
	uint64_t len;
	int prot;
})
{
	struct task_struct *t = NULL;
	enum kmm_status st = api_task(a, p->pid, true, &t);

	if (st)
		return st;
	return MMAN_CALL(
		a, p->pid, t,
		do_mprotect_pkey(t->mm, p->addr, p->len, (unsigned long)(unsigned)p->prot, -1),
		"mprotect(0x%" PRIx64 ", 0x%" PRIx64 ", 0x%x)", p->addr, p->len, p->prot);
}

enum kmm_status kmm_mprotect(struct kmm_machine *m, kmm_pid_t pid, kmm_va_t addr, uint64_t len,
			     int prot)
{
	return API_CALL(m, API_USER, mprotect, pid, addr, len, prot);
}

API_BODY(mremap, {
	kmm_pid_t pid;
	kmm_va_t old_addr;
	uint64_t old_len, new_len;
	int flags;
	kmm_va_t new_addr, *out;
})
{
	struct task_struct *t = NULL;
	enum kmm_status st;
	unsigned long ret;

	if (!p->out)
		return api_error(a, KMM_EINVAL, "NULL out (the address output)");
	if ((st = api_task(a, p->pid, true, &t)))
		return st;
	set_current_task(a->k, t);
	ret = do_mremap(t->mm, p->old_addr, p->old_len, p->new_len, (unsigned long)p->flags,
			p->new_addr);
	set_current_task(a->k, NULL);
	if (IS_ERR_VALUE(ret))
		return api_error(a, api_errno((long)ret),
				 "pid %" PRId32 ": mremap(0x%" PRIx64 ", 0x%" PRIx64 ", 0x%" PRIx64
				 ", 0x%x, 0x%" PRIx64 "): %s",
				 p->pid, p->old_addr, p->old_len, p->new_len, p->flags, p->new_addr,
				 errno_name((long)ret));
	*p->out = ret;
	return KMM_OK;
}

enum kmm_status kmm_mremap(struct kmm_machine *m, kmm_pid_t pid, kmm_va_t old_addr,
			   uint64_t old_len, uint64_t new_len, int flags, kmm_va_t new_addr,
			   kmm_va_t *out)
{
	return API_CALL(m, API_USER, mremap, pid, old_addr, old_len, new_len, flags, new_addr, out);
}

API_BODY(madvise, {
	kmm_pid_t pid;
	kmm_va_t addr;
	uint64_t len;
	int advice;
})
{
	struct task_struct *t = NULL;
	enum kmm_status st = api_task(a, p->pid, true, &t);

	if (st)
		return st;
	return MMAN_CALL(a, p->pid, t, do_madvise(t->mm, p->addr, p->len, p->advice),
			 "madvise(0x%" PRIx64 ", 0x%" PRIx64 ", %d)", p->addr, p->len, p->advice);
}

enum kmm_status kmm_madvise(struct kmm_machine *m, kmm_pid_t pid, kmm_va_t addr, uint64_t len,
			    int advice)
{
	return API_CALL(m, API_USER, madvise, pid, addr, len, advice);
}

/* mlock, mlock2 (flags >= 0), munlock (flags -1). */
API_BODY(mlock, {
	kmm_pid_t pid;
	kmm_va_t addr;
	uint64_t len;
	int flags;
})
{
	struct task_struct *t = NULL;
	enum kmm_status st = api_task(a, p->pid, true, &t);

	if (st)
		return st;
	if (p->flags < 0)
		return MMAN_CALL(a, p->pid, t, do_munlock(t, p->addr, p->len),
				 "munlock(0x%" PRIx64 ", 0x%" PRIx64 ")", p->addr, p->len);
	return MMAN_CALL(a, p->pid, t, do_mlock(t, p->addr, p->len, (unsigned)p->flags),
			 "mlock2(0x%" PRIx64 ", 0x%" PRIx64 ", 0x%x)", p->addr, p->len, p->flags);
}

enum kmm_status kmm_mlock(struct kmm_machine *m, kmm_pid_t pid, kmm_va_t addr, uint64_t len)
{
	return API_CALL(m, API_USER, mlock, pid, addr, len, 0);
}

enum kmm_status kmm_mlock2(struct kmm_machine *m, kmm_pid_t pid, kmm_va_t addr, uint64_t len,
			   int flags)
{
	if (flags < 0) /* not munlock's marker: the kernel's unknown-bits refusal */
		flags = 0x7fffffff;
	return API_CALL(m, API_USER, mlock, pid, addr, len, flags);
}

enum kmm_status kmm_munlock(struct kmm_machine *m, kmm_pid_t pid, kmm_va_t addr, uint64_t len)
{
	return API_CALL(m, API_USER, mlock, pid, addr, len, -1);
}

/* mlockall (flags >= 0), munlockall (flags -1). */
API_BODY(mlockall, {
	kmm_pid_t pid;
	int flags;
})
{
	struct task_struct *t = NULL;
	enum kmm_status st = api_task(a, p->pid, true, &t);

	if (st)
		return st;
	if (p->flags < 0)
		return MMAN_CALL(a, p->pid, t, do_munlockall(t), "munlockall(%s)", "");
	return MMAN_CALL(a, p->pid, t, do_mlockall(t, p->flags), "mlockall(0x%x)", p->flags);
}

enum kmm_status kmm_mlockall(struct kmm_machine *m, kmm_pid_t pid, int flags)
{
	if (flags < 0) /* not munlockall's marker: the kernel's unknown-bits refusal */
		flags = 0x7fffffff;
	return API_CALL(m, API_USER, mlockall, pid, flags);
}

enum kmm_status kmm_munlockall(struct kmm_machine *m, kmm_pid_t pid)
{
	return API_CALL(m, API_USER, mlockall, pid, -1);
}

API_BODY(msync, {
	kmm_pid_t pid;
	kmm_va_t addr;
	uint64_t len;
	int flags;
})
{
	struct task_struct *t = NULL;
	enum kmm_status st = api_task(a, p->pid, true, &t);

	if (st)
		return st;
	return MMAN_CALL(a, p->pid, t, do_msync(t->mm, p->addr, p->len, p->flags),
			 "msync(0x%" PRIx64 ", 0x%" PRIx64 ", 0x%x)", p->addr, p->len, p->flags);
}

enum kmm_status kmm_msync(struct kmm_machine *m, kmm_pid_t pid, kmm_va_t addr, uint64_t len,
			  int flags)
{
	return API_CALL(m, API_USER, msync, pid, addr, len, flags);
}

API_BODY(mincore, {
	kmm_pid_t pid;
	kmm_va_t addr;
	uint64_t len;
	uint8_t *vec;
})
{
	struct task_struct *t = NULL;
	enum kmm_status st;

	if (!p->vec)
		return api_error(a, KMM_EINVAL, "NULL vector");
	if ((st = api_task(a, p->pid, true, &t)))
		return st;
	return MMAN_CALL(a, p->pid, t, do_mincore(t->mm, p->addr, p->len, p->vec),
			 "mincore(0x%" PRIx64 ", 0x%" PRIx64 ")", p->addr, p->len);
}

enum kmm_status kmm_mincore(struct kmm_machine *m, kmm_pid_t pid, kmm_va_t addr, uint64_t len,
			    uint8_t *vec)
{
	return API_CALL(m, API_USER, mincore, pid, addr, len, vec);
}
