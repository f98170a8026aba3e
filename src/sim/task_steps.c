/*
 * Scenario steps of user space: tasks named in the scenario, their mappings named as regions,
 * and accesses made by a task through its CPU's MMU (page faults handled by the kernel).
 *
 *   task NAME [cpu=N]                      create a task (exec'd as /bin/NAME)
 *   exec NAME [path=P] [text=N] [rodata=N] [data=N] [bss=N] [stack=N] [norandmaps=0|1]
 *   fork PARENT CHILD                      CHILD names the new task
 *   exit NAME [code=N]                     exit and reap
 *   task-cpu NAME N                        move a task to CPU N
 *   mmap NAME REGION LEN [prot=PROT_A|PROT_B] [flags=MAP_A|MAP_B] [addr=VA] [fd=FD] [off=N]
 *                                          (fd: a descriptor named by file_steps.c's open)
 *   munmap NAME ADDR LEN
 *   brk NAME ADDR|+N|-N                     move the break (absolute, or relative)
 *   protect NAME ADDR LEN PROT_A|PROT_B    mprotect
 *   advise NAME ADDR LEN MADV_X            madvise
 *   lock|unlock NAME ADDR LEN              mlock, munlock
 *   remap NAME REGION NEWLEN [flags=MREMAP_A|..] [addr=VA]   mremap; REGION follows
 *   touch NAME ADDR LEN [op=read|write|exec] [order=seq|strided|random] [stride=N]
 *         [pattern=V] [expect=ok|segv|bus]
 *   checksum NAME ADDR LEN                 FNV-1a of the bytes the task loads there
 *   task-info NAME                         pid, state, CPU, faults, ASID, last signal
 *   task-show NAME VIEW ...                print /proc/<pid>/VIEW (maps, smaps, status, ...)
 *   tlb-stats CPU                          TLB hits, misses, walks and the hit rate of a CPU
 *                                          (since boot, and since its last tlb-stats)
 *   tlbi CPU OP [xt=N]                     a TLB maintenance instruction by name (VMALLE1, ...)
 *
 * ADDR is a region name, REGION+OFF, or a number. Regions are scenario-wide: a forked child
 * uses its parent's region names for the same addresses.
 */
#include "sim/task_steps.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "sim/file_steps.h"
#include "sim/machine.h"

#define TASK_NAMES_MAX	 64
#define REGION_NAMES_MAX 256

struct named_task {
	char name[32];
	kmm_pid_t pid;
};

struct named_region {
	char name[32];
	kmm_va_t va;
	uint64_t len;
};

#define TLB_STATS_CPUS 16

struct task_names {
	struct named_task task[TASK_NAMES_MAX];
	struct named_region region[REGION_NAMES_MAX];
	int nr_tasks, nr_regions;
	/* tlb-stats: each CPU's hits and misses when it last printed them */
	uint64_t tlb_hits[TLB_STATS_CPUS], tlb_misses[TLB_STATS_CPUS];
};

void scenario_task_names_free(struct scenario *sc)
{
	free(sc->task_names);
	sc->task_names = NULL;
}

static struct task_names *names(struct scenario *sc)
{
	if (!sc->task_names)
		sc->task_names = calloc(1, sizeof(struct task_names));
	return sc->task_names;
}

static struct named_task *find_task(struct scenario *sc, const char *name)
{
	struct task_names *n = names(sc);

	for (int i = 0; n && i < n->nr_tasks; i++)
		if (strcmp(n->task[i].name, name) == 0)
			return &n->task[i];
	return NULL;
}

/* The pid of task @name, or a failure naming the step. */
static enum kmm_status task_pid(struct scenario *sc, const char *step, const char *name,
				kmm_pid_t *pid)
{
	struct named_task *t = find_task(sc, name);

	if (!t)
		return scenario_fail(sc, KMM_ENOENT, "%s: no task named '%s'", step, name);
	*pid = t->pid;
	return KMM_OK;
}

static enum kmm_status name_task(struct scenario *sc, const char *step, const char *name,
				 kmm_pid_t pid)
{
	struct task_names *n = names(sc);
	struct named_task *t = find_task(sc, name);

	if (!n)
		return scenario_fail(sc, KMM_EHOST, "%s: host memory exhausted", step);
	if (!t) {
		if (n->nr_tasks == TASK_NAMES_MAX || strlen(name) >= sizeof(t->name))
			return scenario_fail(sc, KMM_EINVAL,
					     "%s: too many tasks or name '%s' too long", step,
					     name);
		t = &n->task[n->nr_tasks++];
		strcpy(t->name, name);
	}
	t->pid = pid;
	return KMM_OK;
}

enum kmm_status scenario_task_name(struct scenario *sc, const char *step, const char *name,
				   kmm_pid_t pid)
{
	return name_task(sc, step, name, pid);
}

static struct named_region *find_region(struct scenario *sc, const char *name, size_t len)
{
	struct task_names *n = names(sc);

	for (int i = 0; n && i < n->nr_regions; i++)
		if (strlen(n->region[i].name) == len && strncmp(n->region[i].name, name, len) == 0)
			return &n->region[i];
	return NULL;
}

/* REGION, REGION+OFF or a number. */
static enum kmm_status parse_addr(struct scenario *sc, const char *step, const char *text,
				  kmm_va_t *va)
{
	const char *plus = strchr(text, '+');
	size_t len = plus ? (size_t)(plus - text) : strlen(text);
	struct named_region *r = find_region(sc, text, len);
	uint64_t off = 0;

	if (!r) {
		if (scenario_parse_u64(text, va))
			return KMM_OK;
		return scenario_fail(sc, KMM_EINVAL, "%s: '%s' is neither a region nor an address",
				     step, text);
	}
	if (plus && !scenario_parse_u64(plus + 1, &off))
		return scenario_fail(sc, KMM_EINVAL, "%s: bad offset in '%s'", step, text);
	*va = r->va + off;
	return KMM_OK;
}

/* "A|B|C" of @table's names into their OR; false (the scenario failed) on an unknown name. */
static bool parse_flags(struct scenario *sc, const char *step, const char *text,
			const struct flag_name *table, int *out)
{
	const char *s = text;
	int v = 0;

	while (*s) {
		size_t len = strcspn(s, "|");
		bool found = false;

		for (const struct flag_name *f = table; f->name; f++) {
			if (strlen(f->name) == len && strncmp(f->name, s, len) == 0) {
				v |= f->value;
				found = true;
			}
		}
		if (!found) {
			scenario_fail(sc, KMM_EINVAL, "%s: unknown flag '%.*s' in '%s'", step,
				      (int)len, s, text);
			return false;
		}
		s += len + (s[len] == '|');
	}
	*out = v;
	return true;
}

static const struct flag_name prot_names[] = {{"PROT_NONE", KMM_PROT_NONE},
					      {"PROT_READ", KMM_PROT_READ},
					      {"PROT_WRITE", KMM_PROT_WRITE},
					      {"PROT_EXEC", KMM_PROT_EXEC},
					      {"PROT_BTI", KMM_PROT_BTI},
					      {"PROT_MTE", KMM_PROT_MTE},
					      {NULL, 0}};

static const struct flag_name map_names[] = {{"MAP_SHARED", KMM_MAP_SHARED},
					     {"MAP_PRIVATE", KMM_MAP_PRIVATE},
					     {"MAP_SHARED_VALIDATE", KMM_MAP_SHARED_VALIDATE},
					     {"MAP_FIXED", KMM_MAP_FIXED},
					     {"MAP_ANONYMOUS", KMM_MAP_ANONYMOUS},
					     {"MAP_ANON", KMM_MAP_ANONYMOUS},
					     {"MAP_GROWSDOWN", KMM_MAP_GROWSDOWN},
					     {"MAP_DENYWRITE", KMM_MAP_DENYWRITE},
					     {"MAP_EXECUTABLE", KMM_MAP_EXECUTABLE},
					     {"MAP_LOCKED", KMM_MAP_LOCKED},
					     {"MAP_NORESERVE", KMM_MAP_NORESERVE},
					     {"MAP_POPULATE", KMM_MAP_POPULATE},
					     {"MAP_NONBLOCK", KMM_MAP_NONBLOCK},
					     {"MAP_STACK", KMM_MAP_STACK},
					     {"MAP_HUGETLB", KMM_MAP_HUGETLB},
					     {"MAP_SYNC", KMM_MAP_SYNC},
					     {"MAP_FIXED_NOREPLACE", KMM_MAP_FIXED_NOREPLACE},
					     {"MAP_UNINITIALIZED", KMM_MAP_UNINITIALIZED},
					     {"MAP_HUGE_64KB", KMM_MAP_HUGE_64KB},
					     {"MAP_HUGE_2MB", KMM_MAP_HUGE_2MB},
					     {"MAP_HUGE_32MB", KMM_MAP_HUGE_32MB},
					     {"MAP_HUGE_1GB", KMM_MAP_HUGE_1GB},
					     {NULL, 0}};

static enum kmm_status fail_call(struct scenario *sc, const char *step, enum kmm_status st)
{
	return scenario_fail(sc, st, "%s: %s", step, kmm_last_error(sc->m));
}

enum kmm_status step_task(struct scenario *sc, int argc, char **argv)
{
	static const char *const keys[] = {"cpu", NULL};
	const char *vals[1] = {"0"};
	uint64_t cpu;
	kmm_pid_t pid = 0;
	enum kmm_status st;

	if (!scenario_parse_opts(sc, argc, argv, 2, keys, vals))
		return KMM_EINVAL;
	if (!scenario_parse_u64(vals[0], &cpu) || cpu > 0xffff)
		return scenario_fail(sc, KMM_EINVAL, "task: bad cpu '%s'", vals[0]);
	if (find_task(sc, argv[1]))
		return scenario_fail(sc, KMM_EEXIST, "task: '%s' is already a task", argv[1]);
	if ((st = kmm_task_create(sc->m, argv[1], (unsigned)cpu, &pid)))
		return fail_call(sc, "task", st);
	sink_printf(&sc->out, "task %s: pid %" PRId32 " on CPU %" PRIu64 "\n", argv[1], pid, cpu);
	return name_task(sc, "task", argv[1], pid);
}

enum kmm_status step_exec(struct scenario *sc, int argc, char **argv)
{
	static const char *const keys[] = {"path",	 "text", "rodata", "data",  "bss", "stack",
					   "norandmaps", "gap",	 "relro",  "rwoff", NULL};
	const char *vals[10] = {NULL, "0", "0", "0", "0", "0", "0", "0", "0", "0"};
	uint64_t v[9];
	struct kmm_exec_image img;
	kmm_pid_t pid = 0;
	enum kmm_status st;

	if ((st = task_pid(sc, "exec", argv[1], &pid)))
		return st;
	if (!scenario_parse_opts(sc, argc, argv, 2, keys, vals))
		return KMM_EINVAL;
	for (int i = 0; i < 9; i++)
		if (!scenario_parse_u64(vals[i + 1], &v[i]))
			return scenario_fail(sc, KMM_EINVAL, "exec: bad %s '%s'", keys[i + 1],
					     vals[i + 1]);
	if (v[5] > 1)
		return scenario_fail(sc, KMM_EINVAL, "exec: norandmaps is 0 or 1");
	img = (struct kmm_exec_image){.path = vals[0],
				      .text_size = v[0],
				      .rodata_size = v[1],
				      .data_size = v[2],
				      .bss_size = v[3],
				      .stack_rlimit = v[4],
				      .norandmaps = v[5] != 0,
				      .rw_gap = v[6],
				      .relro_size = v[7],
				      .rw_offset = v[8]};
	if ((st = kmm_task_exec(sc->m, pid, &img)))
		return fail_call(sc, "exec", st);
	return KMM_OK;
}

enum kmm_status step_fork(struct scenario *sc, int argc, char **argv)
{
	kmm_pid_t parent = 0, child = 0;
	enum kmm_status st;

	if ((st = task_pid(sc, "fork", argv[1], &parent)))
		return st;
	if (find_task(sc, argv[2]))
		return scenario_fail(sc, KMM_EEXIST, "fork: '%s' is already a task", argv[2]);
	if ((st = kmm_task_fork(sc->m, parent, &child)))
		return fail_call(sc, "fork", st);
	sink_printf(&sc->out, "fork %s: child %s is pid %" PRId32 "\n", argv[1], argv[2], child);
	return name_task(sc, "fork", argv[2], child);
}

enum kmm_status step_exit(struct scenario *sc, int argc, char **argv)
{
	static const char *const keys[] = {"code", NULL};
	const char *vals[1] = {"0"};
	uint64_t code;
	kmm_pid_t pid = 0;
	enum kmm_status st;

	if ((st = task_pid(sc, "exit", argv[1], &pid)))
		return st;
	if (!scenario_parse_opts(sc, argc, argv, 2, keys, vals))
		return KMM_EINVAL;
	if (!scenario_parse_u64(vals[0], &code) || code > 255)
		return scenario_fail(sc, KMM_EINVAL, "exit: code '%s' is not 0..255", vals[0]);
	if ((st = kmm_task_exit(sc->m, pid, (int)code)))
		return fail_call(sc, "exit", st);
	return KMM_OK;
}

enum kmm_status step_task_cpu(struct scenario *sc, int argc, char **argv)
{
	uint64_t cpu;
	kmm_pid_t pid = 0;
	enum kmm_status st;

	if ((st = task_pid(sc, "task-cpu", argv[1], &pid)))
		return st;
	if (!scenario_parse_u64(argv[2], &cpu) || cpu > 0xffff)
		return scenario_fail(sc, KMM_EINVAL, "task-cpu: bad cpu '%s'", argv[2]);
	if ((st = kmm_task_set_cpu(sc->m, pid, (unsigned)cpu)))
		return fail_call(sc, "task-cpu", st);
	return KMM_OK;
}

enum kmm_status step_mmap(struct scenario *sc, int argc, char **argv)
{
	static const char *const keys[] = {"prot", "flags", "addr", "fd", "off", NULL};
	const char *vals[5] = {"PROT_READ|PROT_WRITE", "MAP_PRIVATE|MAP_ANONYMOUS", "0", NULL, "0"};
	struct task_names *n = names(sc);
	struct named_region *r;
	uint64_t len, addr, off;
	int prot, flags, fd = -1;
	kmm_va_t va = 0;
	kmm_pid_t pid = 0;
	enum kmm_status st;

	if ((st = task_pid(sc, "mmap", argv[1], &pid)))
		return st;
	if (!scenario_parse_u64(argv[3], &len))
		return scenario_fail(sc, KMM_EINVAL, "mmap: bad length '%s'", argv[3]);
	if (!scenario_parse_opts(sc, argc, argv, 4, keys, vals) ||
	    !parse_flags(sc, "mmap", vals[0], prot_names, &prot) ||
	    !parse_flags(sc, "mmap", vals[1], map_names, &flags))
		return KMM_EINVAL;
	if (!scenario_parse_u64(vals[2], &addr))
		return scenario_fail(sc, KMM_EINVAL, "mmap: bad addr '%s'", vals[2]);
	if (!scenario_parse_u64(vals[4], &off))
		return scenario_fail(sc, KMM_EINVAL, "mmap: bad off '%s'", vals[4]);
	if (vals[3] && (st = scenario_fd(sc, "mmap", vals[3], &fd)))
		return st;
	r = find_region(sc, argv[2], strlen(argv[2]));
	if (!r && (!n || n->nr_regions == REGION_NAMES_MAX || strlen(argv[2]) >= sizeof(r->name)))
		return scenario_fail(sc, KMM_EINVAL, "mmap: too many regions or name '%s' too long",
				     argv[2]);
	if ((st = kmm_mmap(sc->m, pid, addr, len, prot, flags, fd, off, &va)))
		return fail_call(sc, "mmap", st);
	if (!r) {
		r = &n->region[n->nr_regions++];
		strcpy(r->name, argv[2]);
	}
	r->va = va;
	r->len = len;
	sink_printf(&sc->out, "mmap %s: %s = 0x%" PRIx64 "-0x%" PRIx64 "\n", argv[1], argv[2], va,
		    va + len);
	return KMM_OK;
}

enum kmm_status step_munmap(struct scenario *sc, int argc, char **argv)
{
	uint64_t len;
	kmm_va_t va = 0;
	kmm_pid_t pid = 0;
	enum kmm_status st;

	if ((st = task_pid(sc, "munmap", argv[1], &pid)) ||
	    (st = parse_addr(sc, "munmap", argv[2], &va)))
		return st;
	if (!scenario_parse_u64(argv[3], &len))
		return scenario_fail(sc, KMM_EINVAL, "munmap: bad length '%s'", argv[3]);
	if ((st = kmm_munmap(sc->m, pid, va, len)))
		return fail_call(sc, "munmap", st);
	return KMM_OK;
}

enum kmm_status step_brk(struct scenario *sc, int argc, char **argv)
{
	kmm_va_t cur = 0, want = 0;
	uint64_t delta;
	kmm_pid_t pid = 0;
	enum kmm_status st;

	if ((st = task_pid(sc, "brk", argv[1], &pid)))
		return st;
	if ((st = kmm_brk(sc->m, pid, 0, &cur)))
		return fail_call(sc, "brk", st);
	if (argv[2][0] == '+' || argv[2][0] == '-') {
		if (!scenario_parse_u64(argv[2] + 1, &delta))
			return scenario_fail(sc, KMM_EINVAL, "brk: bad increment '%s'", argv[2]);
		want = argv[2][0] == '+' ? cur + delta : cur - delta;
	} else if ((st = parse_addr(sc, "brk", argv[2], &want))) {
		return st;
	}
	st = kmm_brk(sc->m, pid, want, &cur);
	sink_printf(&sc->out, "brk %s: 0x%" PRIx64 "%s\n", argv[1], cur, st ? " (refused)" : "");
	return KMM_OK;
}

static bool parse_word(const char *text, const char *const *words, int *out)
{
	for (int i = 0; words[i]; i++) {
		if (strcmp(text, words[i]) == 0) {
			*out = i;
			return true;
		}
	}
	return false;
}

enum kmm_status step_touch(struct scenario *sc, int argc, char **argv)
{
	static const char *const keys[] = {"op", "order", "stride", "pattern", "expect", NULL};
	static const char *const ops[] = {"read", "write", "exec", NULL};
	static const char *const orders[] = {"seq", "strided", "random", NULL};
	static const char *const expects[] = {"ok", "segv", "bus", NULL};
	const char *vals[5] = {"write", "seq", "0", "0x5a5a5a5a5a5a5a5a", "ok"};
	struct kmm_task_info before, after;
	uint64_t len, stride, pattern, done = 0;
	int op, order, expect;
	kmm_va_t va = 0;
	kmm_pid_t pid = 0;
	enum kmm_status st;

	if ((st = task_pid(sc, "touch", argv[1], &pid)) ||
	    (st = parse_addr(sc, "touch", argv[2], &va)))
		return st;
	if (!scenario_parse_u64(argv[3], &len))
		return scenario_fail(sc, KMM_EINVAL, "touch: bad length '%s'", argv[3]);
	if (!scenario_parse_opts(sc, argc, argv, 4, keys, vals))
		return KMM_EINVAL;
	if (!parse_word(vals[0], ops, &op) || !parse_word(vals[1], orders, &order) ||
	    !parse_word(vals[4], expects, &expect) || !scenario_parse_u64(vals[2], &stride) ||
	    !scenario_parse_u64(vals[3], &pattern))
		return scenario_fail(sc, KMM_EINVAL,
				     "touch: op=read|write|exec order=seq|strided|random "
				     "expect=ok|segv|bus stride=N pattern=V");
	if ((st = kmm_task_info(sc->m, pid, &before)))
		return fail_call(sc, "touch", st);
	st = kmm_task_touch(sc->m, pid, (enum kmm_access)op, va, len, stride,
			    (enum kmm_touch_order)order, pattern, &done);
	if (st && st != KMM_EFAULT)
		return fail_call(sc, "touch", st);
	if (kmm_task_info(sc->m, pid, &after))
		return fail_call(sc, "touch", KMM_EINVAL);
	sink_printf(&sc->out,
		    "touch %s 0x%" PRIx64 "+0x%" PRIx64 " %s %s: %" PRIu64 " accesses, %" PRIu64
		    " minor and %" PRIu64 " major faults",
		    argv[1], va, len, vals[0], vals[1], done, after.min_flt - before.min_flt,
		    after.maj_flt - before.maj_flt);
	if (st)
		sink_printf(&sc->out, ", %s (si_code %d) at 0x%" PRIx64 " ESR 0x%08" PRIx64,
			    after.last_signal.signo == KMM_SIGBUS ? "SIGBUS" : "SIGSEGV",
			    after.last_signal.code, after.last_signal.addr, after.last_signal.esr);
	sink_printf(&sc->out, "\n");
	if ((expect == 0) != (st == KMM_OK) ||
	    (expect == 1 && after.last_signal.signo != KMM_SIGSEGV) ||
	    (expect == 2 && after.last_signal.signo != KMM_SIGBUS))
		return scenario_fail(sc, KMM_EFAULT, "touch: expected %s, got %s", vals[4],
				     st ? kmm_last_error(sc->m) : "no signal");
	return KMM_OK;
}

enum kmm_status step_checksum(struct scenario *sc, int argc, char **argv)
{
	uint8_t buf[KMM_ACCESS_MAX];
	uint64_t len, hash = 0xcbf29ce484222325ULL;
	kmm_va_t va = 0;
	kmm_pid_t pid = 0;
	enum kmm_status st;

	if ((st = task_pid(sc, "checksum", argv[1], &pid)) ||
	    (st = parse_addr(sc, "checksum", argv[2], &va)))
		return st;
	if (!scenario_parse_u64(argv[3], &len) || !len || len > (1ULL << 32))
		return scenario_fail(sc, KMM_EINVAL, "checksum: bad length '%s'", argv[3]);
	for (uint64_t off = 0; off < len;) {
		size_t n = len - off < sizeof(buf) ? (size_t)(len - off) : sizeof(buf);

		if ((st = kmm_task_access(sc->m, pid, KMM_ACCESS_LOAD, va + off, buf, n, NULL)))
			return fail_call(sc, "checksum", st);
		for (size_t i = 0; i < n; i++)
			hash = (hash ^ buf[i]) * 0x100000001b3ULL;
		off += n;
	}
	sink_printf(&sc->out, "checksum %s 0x%" PRIx64 "+0x%" PRIx64 ": %016" PRIx64 "\n", argv[1],
		    va, len, hash);
	return KMM_OK;
}

enum kmm_status step_task_info(struct scenario *sc, int argc, char **argv)
{
	struct kmm_task_info ti;
	kmm_pid_t pid = 0;
	enum kmm_status st;

	if ((st = task_pid(sc, "task-info", argv[1], &pid)))
		return st;
	if ((st = kmm_task_info(sc->m, pid, &ti)))
		return fail_call(sc, "task-info", st);
	sink_printf(&sc->out,
		    "task %s: pid %" PRId32 " ppid %" PRId32 " comm %s state %c cpu %u"
		    " min_flt %" PRIu64 " maj_flt %" PRIu64 " asid %" PRIu64,
		    argv[1], ti.pid, ti.ppid, ti.comm, ti.state, ti.cpu, ti.min_flt, ti.maj_flt,
		    ti.asid);
	if (ti.last_signal.signo)
		sink_printf(&sc->out, " signal %d code %d addr 0x%" PRIx64 " esr 0x%08" PRIx64,
			    ti.last_signal.signo, ti.last_signal.code, ti.last_signal.addr,
			    ti.last_signal.esr);
	sink_printf(&sc->out, "\n");
	return KMM_OK;
}

enum kmm_status step_task_show(struct scenario *sc, int argc, char **argv)
{
	kmm_pid_t pid = 0;
	enum kmm_status st;

	if ((st = task_pid(sc, "task-show", argv[1], &pid)))
		return st;
	for (int i = 2; i < argc; i++) {
		char path[96];

		snprintf(path, sizeof(path), "/proc/%" PRId32 "/%s", pid, argv[i]);
		sink_printf(&sc->out, "== %s (%s)\n", path, argv[1]);
		if ((st = kmm_proc_show(sc->m, path, sc->out.fn, sc->out.arg)))
			return fail_call(sc, "task-show", st);
	}
	return KMM_OK;
}

enum kmm_status step_tlb_stats(struct scenario *sc, int argc, char **argv)
{
	struct task_names *n = names(sc);
	struct kmm_tlb_stats ts;
	uint64_t cpu = 0, hits, misses;
	enum kmm_status st;

	if (!scenario_parse_u64(argv[1], &cpu) || cpu > 0xffff)
		return scenario_fail(sc, KMM_EINVAL, "tlb-stats: bad cpu '%s'", argv[1]);
	if ((st = kmm_tlb_stats(sc->m, (unsigned)cpu, &ts)))
		return fail_call(sc, "tlb-stats", st);
	hits = ts.hits[KMM_TLB_L1I] + ts.hits[KMM_TLB_L1D] + ts.hits[KMM_TLB_L2];
	misses = ts.misses[KMM_TLB_L2];
	sink_printf(&sc->out,
		    "tlb cpu%" PRIu64 ": L1D hits %" PRIu64 " L1I hits %" PRIu64 " L2 hits %" PRIu64
		    " misses %" PRIu64 " walks %" PRIu64 " hit rate %.4f",
		    cpu, ts.hits[KMM_TLB_L1D], ts.hits[KMM_TLB_L1I], ts.hits[KMM_TLB_L2], misses,
		    ts.walks, hits + misses ? (double)hits / (double)(hits + misses) : 0.0);
	if (n && cpu < TLB_STATS_CPUS) { /* and since this CPU's last tlb-stats */
		uint64_t dh = hits - n->tlb_hits[cpu], dm = misses - n->tlb_misses[cpu];

		sink_printf(&sc->out,
			    "; since the last: hits %" PRIu64 " misses %" PRIu64 " hit rate %.4f",
			    dh, dm, dh + dm ? (double)dh / (double)(dh + dm) : 0.0);
		n->tlb_hits[cpu] = hits;
		n->tlb_misses[cpu] = misses;
	}
	sink_printf(&sc->out, "\n");
	return KMM_OK;
}

enum kmm_status step_tlbi(struct scenario *sc, int argc, char **argv)
{
	static const char *const keys[] = {"xt", NULL};
	const char *vals[1] = {"0"};
	uint64_t cpu = 0, xt = 0;
	enum kmm_status st;

	if (!scenario_parse_u64(argv[1], &cpu) || cpu > 0xffff)
		return scenario_fail(sc, KMM_EINVAL, "tlbi: bad cpu '%s'", argv[1]);
	if (!scenario_parse_opts(sc, argc, argv, 3, keys, vals))
		return KMM_EINVAL;
	if (!scenario_parse_u64(vals[0], &xt))
		return scenario_fail(sc, KMM_EINVAL, "tlbi: bad operand '%s'", vals[0]);
	if ((st = kmm_tlbi_by_name(sc->m, (unsigned)cpu, argv[2], xt)))
		return fail_call(sc, "tlbi", st);
	return KMM_OK;
}

/* ---- for other step files (this block added by the views helper; report_steps.c) -------- */

bool scenario_parse_flags(struct scenario *sc, const char *step, const char *text,
			  const struct flag_name *table, int *out)
{
	return parse_flags(sc, step, text, table, out);
}

enum kmm_status scenario_task_pid(struct scenario *sc, const char *step, const char *name,
				  kmm_pid_t *pid)
{
	return task_pid(sc, step, name, pid);
}

enum kmm_status scenario_user_addr(struct scenario *sc, const char *step, const char *text,
				   kmm_va_t *va)
{
	return parse_addr(sc, step, text, va);
}

enum kmm_status scenario_region_set(struct scenario *sc, const char *step, const char *name,
				    kmm_va_t va, uint64_t len)
{
	struct task_names *n = names(sc);
	struct named_region *r = find_region(sc, name, strlen(name));

	if (!r && (!n || n->nr_regions == REGION_NAMES_MAX || strlen(name) >= sizeof(r->name)))
		return scenario_fail(sc, KMM_EINVAL, "%s: too many regions or name '%s' too long",
				     step, name);
	if (!r) {
		r = &n->region[n->nr_regions++];
		strcpy(r->name, name);
	}
	r->va = va;
	r->len = len;
	return KMM_OK;
}

bool scenario_region_get(struct scenario *sc, const char *name, kmm_va_t *va, uint64_t *len)
{
	struct named_region *r = find_region(sc, name, strlen(name));

	if (!r)
		return false;
	*va = r->va;
	*len = r->len;
	return true;
}

static const struct flag_name madv_names[] = {{"MADV_NORMAL", KMM_MADV_NORMAL},
					      {"MADV_RANDOM", KMM_MADV_RANDOM},
					      {"MADV_SEQUENTIAL", KMM_MADV_SEQUENTIAL},
					      {"MADV_WILLNEED", KMM_MADV_WILLNEED},
					      {"MADV_DONTNEED", KMM_MADV_DONTNEED},
					      {"MADV_FREE", KMM_MADV_FREE},
					      {"MADV_REMOVE", KMM_MADV_REMOVE},
					      {"MADV_DONTFORK", KMM_MADV_DONTFORK},
					      {"MADV_DOFORK", KMM_MADV_DOFORK},
					      {"MADV_HUGEPAGE", KMM_MADV_HUGEPAGE},
					      {"MADV_NOHUGEPAGE", KMM_MADV_NOHUGEPAGE},
					      {"MADV_DONTDUMP", KMM_MADV_DONTDUMP},
					      {"MADV_DODUMP", KMM_MADV_DODUMP},
					      {"MADV_WIPEONFORK", KMM_MADV_WIPEONFORK},
					      {"MADV_KEEPONFORK", KMM_MADV_KEEPONFORK},
					      {"MADV_COLD", KMM_MADV_COLD},
					      {"MADV_PAGEOUT", KMM_MADV_PAGEOUT},
					      {"MADV_POPULATE_READ", KMM_MADV_POPULATE_READ},
					      {"MADV_POPULATE_WRITE", KMM_MADV_POPULATE_WRITE},
					      {"MADV_COLLAPSE", KMM_MADV_COLLAPSE},
					      {NULL, 0}};

static const struct flag_name mremap_names[] = {{"MREMAP_MAYMOVE", KMM_MREMAP_MAYMOVE},
						{"MREMAP_FIXED", KMM_MREMAP_FIXED},
						{"MREMAP_DONTUNMAP", KMM_MREMAP_DONTUNMAP},
						{NULL, 0}};

/* NAME ADDR LEN: the task's pid, the address and the length of a range step. */
static enum kmm_status range_args(struct scenario *sc, const char *step, char **argv,
				  kmm_pid_t *pid, kmm_va_t *va, uint64_t *len)
{
	enum kmm_status st;

	if ((st = task_pid(sc, step, argv[1], pid)) || (st = parse_addr(sc, step, argv[2], va)))
		return st;
	if (!scenario_parse_u64(argv[3], len))
		return scenario_fail(sc, KMM_EINVAL, "%s: bad length '%s'", step, argv[3]);
	return KMM_OK;
}

enum kmm_status step_protect(struct scenario *sc, int argc, char **argv)
{
	kmm_pid_t pid = 0;
	kmm_va_t va = 0;
	uint64_t len = 0;
	int prot = 0;
	enum kmm_status st;

	if ((st = range_args(sc, "protect", argv, &pid, &va, &len)))
		return st;
	if (!parse_flags(sc, "protect", argv[4], prot_names, &prot))
		return KMM_EINVAL;
	if ((st = kmm_mprotect(sc->m, pid, va, len, prot)))
		return fail_call(sc, "protect", st);
	return KMM_OK;
}

enum kmm_status step_advise(struct scenario *sc, int argc, char **argv)
{
	kmm_pid_t pid = 0;
	kmm_va_t va = 0;
	uint64_t len = 0;
	int advice = 0;
	enum kmm_status st;

	if ((st = range_args(sc, "advise", argv, &pid, &va, &len)))
		return st;
	if (strchr(argv[4], '|') || !parse_flags(sc, "advise", argv[4], madv_names, &advice))
		return scenario_fail(sc, KMM_EINVAL, "advise: one MADV_ name, not '%s'", argv[4]);
	if ((st = kmm_madvise(sc->m, pid, va, len, advice)))
		return fail_call(sc, "advise", st);
	return KMM_OK;
}

enum kmm_status step_lock(struct scenario *sc, int argc, char **argv)
{
	kmm_pid_t pid = 0;
	kmm_va_t va = 0;
	uint64_t len = 0;
	enum kmm_status st;
	bool unlock = strcmp(argv[0], "unlock") == 0;

	if ((st = range_args(sc, argv[0], argv, &pid, &va, &len)))
		return st;
	st = unlock ? kmm_munlock(sc->m, pid, va, len) : kmm_mlock(sc->m, pid, va, len);
	return st ? fail_call(sc, argv[0], st) : KMM_OK;
}

enum kmm_status step_remap(struct scenario *sc, int argc, char **argv)
{
	static const char *const keys[] = {"flags", "addr", NULL};
	const char *vals[2] = {"MREMAP_MAYMOVE", "0"};
	struct named_region *r = find_region(sc, argv[2], strlen(argv[2]));
	uint64_t len = 0, addr = 0;
	kmm_pid_t pid = 0;
	kmm_va_t va = 0;
	int flags = 0;
	enum kmm_status st;

	if ((st = task_pid(sc, "remap", argv[1], &pid)))
		return st;
	if (!r)
		return scenario_fail(sc, KMM_EINVAL, "remap: no region named '%s'", argv[2]);
	if (!scenario_parse_u64(argv[3], &len))
		return scenario_fail(sc, KMM_EINVAL, "remap: bad length '%s'", argv[3]);
	if (!scenario_parse_opts(sc, argc, argv, 4, keys, vals) ||
	    !parse_flags(sc, "remap", vals[0], mremap_names, &flags))
		return KMM_EINVAL;
	if (!scenario_parse_u64(vals[1], &addr))
		return scenario_fail(sc, KMM_EINVAL, "remap: bad addr '%s'", vals[1]);
	if ((st = kmm_mremap(sc->m, pid, r->va, r->len, len, flags, addr, &va)))
		return fail_call(sc, "remap", st);
	sink_printf(&sc->out, "remap %s: %s = 0x%" PRIx64 "-0x%" PRIx64 " (was 0x%" PRIx64 ")\n",
		    argv[1], argv[2], va, va + len, r->va);
	r->va = va;
	r->len = len;
	return KMM_OK;
}
