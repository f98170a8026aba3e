/*
 * Snapshot/delta report steps: a scenario prints, for one task, what the faults workload of the
 * reference captures (shared/oracles/linux/src/faults.c) prints after each of its steps, in
 * the same format, so one comparator (scripts/faults_compare.py) reads both.
 *
 *   report-quiet on|off             other steps' output is dropped (on) or printed again
 *   report-exp NAME [silent]        prints "@@@EXP NAME@@@" (not when silent: faults.c's
 *                                   child renames its steps so); step labels are NAME.LABEL
 *   snap TASK                       takes TASK's snapshot quietly (faults.c's snap(&prev))
 *   report-step TASK LABEL          prints the block below against TASK's last snapshot, then
 *                                   takes a new one (faults.c's step())
 *   report-maps TASK TAG ADDR LEN   the maps lines overlapping [ADDR - 4K, ADDR + LEN + 4K)
 *   report-maps-with TASK TAG TEXT  the maps lines containing TEXT
 *   report-smaps TASK TAG ADDR      the smaps block of the VMA holding ADDR
 *   report-file TASK FILE           "@@@FILE /proc/self/FILE (N bytes)@@@" and the file
 *   report-value PATH...            "PATH=<its first line>" (or "<missing>"), per view
 *   report-echo TEXT...             prints TEXT (even while quiet)
 *   region-of TASK REGION TEXT [nth=N]  names REGION the VMA of the Nth maps line with TEXT
 *
 * and the faults workload's own helpers (faults.c's functions of the same names), whose
 * loads and stores go through the task's MMU like the program's, faults included:
 *   faults-pinfo WHAT ADDR LEN      "WHAT addr=0x.. len=N end=0x.. addr_mod_2M=0x.."
 *   faults-wtag TASK ADDR LEN TAG   word 0 of each page := TAG ^ offset
 *   faults-rtag TASK ADDR LEN TAG TEXT [suffix=S]
 *                                   "TEXT=N[S]": pages whose word 0 is TAG ^ offset
 *                                   (TAG 0: the sum of those words)
 *   faults-nonzero TASK ADDR LEN TEXT   "TEXT=N": non-zero words of the range
 *   faults-abc TASK ADDR WHO        "WHO: A_pages=.. B_pages=.. C_pages=.. fnv1a=.." of 4 MiB
 *   faults-amap-aligned TASK REGION LEN  a 2 MiB-aligned anonymous region (over-map, trim)
 *   faults-stack-touch TASK LEN [silent]  writes one byte per page of LEN bytes below the
 *                                   stack's top page, top down (alloca), prints the lowest
 *                                   address (not when silent: faults.c's stack_warm)
 *   faults-self TASK                "personality=0x.. pagesize=4096 sbrk0=0x.." (the program's
 *                                   first line, less what only the program knows: &dir, main)
 *   faults-sbrk TASK +N|-N          sbrk(): moves the break, prints faults.c's line about it
 *   faults-reap TASK CHILD          exit(0) of CHILD, reaped by TASK; prints its whole-life
 *                                   fault counts as faults.c's getrusage(RUSAGE_CHILDREN)
 *   faults-file-create TASK PATH    experiment 9's file: open(O_RDWR|O_CREAT|O_TRUNC), 256
 *                                   pages written one by one (word 0 = T_F ^ offset)
 *   faults-file-mmap TASK REGION private|shared   1 MiB of that file, read-write
 *   faults-file-check TASK REGION   pread()s the file's words 0 and counts the private view's
 *                                   tags, as faults.c prints after msync
 *   faults-file-close TASK PATH     close() and unlink()
 *   faults-retouch TASK             retouch(): one byte of every resident (mincore) page of
 *                                   every rw-p mapping rewritten; prints how many
 *   faults-call TASK mlock|munlock|msync ADDR LEN   "NAME=0" (or -1 when the call fails)
 *   faults-mremap TASK WHAT SRC NEW OLDLEN NEWLEN [MREMAP_MAYMOVE]   mremap_case()'s line
 *   faults-status TASK FIELD ...    "status FIELD=V ..." of /proc/PID/status
 *
 * TASK and ADDR are task_steps.c's names (a task name; REGION, REGION+OFF or a number).
 *
 * The block (faults.c's format; deltas against the snapshot, kB for status and rollup):
 *   --- step EXP.LABEL
 *   rusage minflt=N majflt=N          the task's min_flt/maj_flt deltas
 *   vmstat name=delta ...             non-zero deltas of the selected /proc/vmstat counters,
 *                                     in /proc/vmstat's order, or "(none)"
 *   status VmSize=... VmLck=...       nine /proc/PID/status values
 *   status_delta name=delta ...       their non-zero changes
 *   rollup Rss=... Private_Dirty=...  nine /proc/PID/smaps_rollup values
 *   rollup_delta name=delta ...
 *
 * Everything is read through the public views (kmm_proc_show, kmm_task_info), as the guest
 * program reads /proc: a report changes nothing in the machine.
 */
#include "sim/report_steps.h"
#include "sim/task_steps.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <kmm/task.h>

#include "kernel/sched.h"
#include "sim/machine.h"

#define REPORT_MAX_VMSTAT 320
#define REPORT_MAX_TASKS  16

static const char *const status_fields[] = {"VmSize", "VmRSS", "RssAnon", "RssFile", "RssShmem",
					    "VmData", "VmStk", "VmPTE",	  "VmLck"};
static const char *const rollup_fields[] = {"Rss",	    "Anonymous",     "AnonHugePages",
					    "LazyFree",	    "Locked",	     "Shared_Clean",
					    "Shared_Dirty", "Private_Clean", "Private_Dirty"};
#define NST (sizeof(status_fields) / sizeof(status_fields[0]))
#define NRO (sizeof(rollup_fields) / sizeof(rollup_fields[0]))

/* faults.c's vsel[]: a trailing '_' makes a prefix. */
static const char *const vmstat_selected[] = {"pgfault",
					      "pgmajfault",
					      "pgreuse",
					      "thp_",
					      "pgalloc_",
					      "pgfree",
					      "nr_free_pages",
					      "nr_anon_pages",
					      "nr_mapped",
					      "nr_file_pages",
					      "nr_shmem",
					      "nr_dirty",
					      "nr_zone_",
					      "nr_page_table_pages",
					      "nr_anon_transparent_hugepages",
					      "nr_mlock",
					      "pgactivate",
					      "pgdeactivate",
					      "pglazyfree",
					      "pglazyfreed",
					      "unevictable_pgs_",
					      "cow_ksm"};

struct report_snap {
	kmm_pid_t pid;
	bool used;
	uint64_t minflt, majflt;
	long st[NST], ro[NRO];
	int nv;
	char vname[REPORT_MAX_VMSTAT][48];
	long long v[REPORT_MAX_VMSTAT];
};

struct report_state {
	struct sink loud; /* where report steps print (the scenario's output) */
	int file_fd;	  /* faults-file-create's descriptor */
	bool quiet;
	char exp[128];
	struct report_snap snaps[REPORT_MAX_TASKS];
};

static struct report_state *report_state(struct scenario *sc)
{
	struct report_state *rs = sc->report;

	if (!rs) {
		rs = calloc(1, sizeof(*rs));
		if (rs)
			rs->loud = sc->out;
		sc->report = rs;
	}
	return rs;
}

/* The sink report steps print to (the scenario's, even while other steps are quiet). */
static const struct sink *out_of(struct scenario *sc)
{
	struct report_state *rs = report_state(sc);

	return rs ? &rs->loud : &sc->out;
}

static void drop_text(void *arg, const char *text, size_t len)
{
	(void)arg, (void)text, (void)len;
}

void scenario_report_free(struct scenario *sc)
{
	struct report_state *rs = sc->report;

	if (rs && rs->quiet)
		sc->out = rs->loud;
	free(sc->report);
	sc->report = NULL;
}

/* Reads a view into a host string; NULL (with the scenario's error set) on failure. */
static char *read_view(struct scenario *sc, const char *path)
{
	struct sink_str s = {0};
	enum kmm_status st = kmm_proc_show(sc->m, path, sink_str_fn, &s);

	if (st || s.failed) {
		free(s.buf);
		scenario_fail(sc, st ? st : KMM_ENOMEM, "%s: %s", path,
			      st ? kmm_last_error(sc->m) : "out of host memory");
		return NULL;
	}
	if (!s.buf)
		s.buf = calloc(1, 1);
	return s.buf;
}

/* faults.c's field(): the number after "NAME:" at the start of a line, or -1. */
static long field(const char *text, const char *name)
{
	size_t l = strlen(name);

	for (const char *p = text; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL)
		if (!strncmp(p, name, l) && p[l] == ':')
			return strtol(p + l + 1, NULL, 10);
	return -1;
}

static bool vmstat_is_selected(const char *name)
{
	for (size_t i = 0; i < sizeof(vmstat_selected) / sizeof(vmstat_selected[0]); i++) {
		const char *s = vmstat_selected[i];
		size_t l = strlen(s);

		if (s[l - 1] == '_' ? !strncmp(name, s, l) : !strcmp(name, s))
			return true;
	}
	return false;
}

static struct report_snap *snap_of(struct scenario *sc, kmm_pid_t pid)
{
	struct report_state *rs = report_state(sc);
	struct report_snap *free_slot = NULL;

	if (!rs) {
		scenario_fail(sc, KMM_ENOMEM, "out of host memory");
		return NULL;
	}
	for (int i = 0; i < REPORT_MAX_TASKS; i++) {
		if (rs->snaps[i].used && rs->snaps[i].pid == pid)
			return &rs->snaps[i];
		if (!rs->snaps[i].used && !free_slot)
			free_slot = &rs->snaps[i];
	}
	if (!free_slot) {
		scenario_fail(sc, KMM_ENOSPC, "snapshots of more than %d tasks", REPORT_MAX_TASKS);
		return NULL;
	}
	memset(free_slot, 0, sizeof(*free_slot));
	free_slot->used = true;
	free_slot->pid = pid;
	return free_slot;
}

/* faults.c's snap(): the task's fault counts, status, smaps_rollup and /proc/vmstat. */
static enum kmm_status take_snap(struct scenario *sc, kmm_pid_t pid, struct report_snap *s)
{
	struct kmm_task_info info;
	char path[64], *text, *p, *sp;
	enum kmm_status st = kmm_task_info(sc->m, pid, &info);

	if (st)
		return scenario_fail(sc, st, "pid %d: %s", (int)pid, kmm_last_error(sc->m));
	s->minflt = info.min_flt;
	s->majflt = info.maj_flt;
	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	if (!(text = read_view(sc, path)))
		return KMM_EINVAL;
	for (size_t i = 0; i < NST; i++)
		s->st[i] = field(text, status_fields[i]);
	free(text);
	snprintf(path, sizeof(path), "/proc/%d/smaps_rollup", (int)pid);
	if (!(text = read_view(sc, path)))
		return KMM_EINVAL;
	for (size_t i = 0; i < NRO; i++)
		s->ro[i] = field(text, rollup_fields[i]);
	free(text);
	if (!(text = read_view(sc, "/proc/vmstat")))
		return KMM_EINVAL;
	s->nv = 0;
	for (p = text; s->nv < REPORT_MAX_VMSTAT && (sp = strchr(p, ' ')); s->nv++) {
		size_t l = (size_t)(sp - p) < 47 ? (size_t)(sp - p) : 47;

		memcpy(s->vname[s->nv], p, l);
		s->vname[s->nv][l] = 0;
		s->v[s->nv] = strtoll(sp + 1, &p, 10);
		while (*p == '\n')
			p++;
	}
	free(text);
	return KMM_OK;
}

enum kmm_status step_report_quiet(struct scenario *sc, int argc, char **argv)
{
	struct report_state *rs = report_state(sc);
	bool on = strcmp(argv[1], "on") == 0;

	(void)argc;
	if (!rs)
		return scenario_fail(sc, KMM_ENOMEM, "out of host memory");
	if (!on && strcmp(argv[1], "off") != 0)
		return scenario_fail(sc, KMM_EINVAL, "report-quiet: on or off, not '%s'", argv[1]);
	rs->quiet = on;
	sc->out = on ? (struct sink){drop_text, NULL} : rs->loud;
	return KMM_OK;
}

enum kmm_status step_report_exp(struct scenario *sc, int argc, char **argv)
{
	struct report_state *rs = report_state(sc);

	if (!rs)
		return scenario_fail(sc, KMM_ENOMEM, "out of host memory");
	snprintf(rs->exp, sizeof(rs->exp), "%s", argv[1]);
	if (argc < 3)
		sink_printf(&rs->loud, "@@@EXP %s@@@\n", rs->exp);
	return KMM_OK;
}

enum kmm_status step_snap(struct scenario *sc, int argc, char **argv)
{
	struct report_snap *s;
	kmm_pid_t pid;
	enum kmm_status st;

	(void)argc;
	if ((st = scenario_task_pid(sc, "snap", argv[1], &pid)))
		return st;
	if (!(s = snap_of(sc, pid)))
		return KMM_EINVAL;
	return take_snap(sc, pid, s);
}

static void print_values(const struct sink *out, const char *tag, const char *const *names,
			 const long *cur, const long *old, size_t n)
{
	sink_printf(out, "%s", tag);
	for (size_t i = 0; i < n; i++)
		sink_printf(out, " %s=%ld", names[i], cur[i]);
	sink_printf(out, "\n%s_delta", tag);
	for (size_t i = 0; i < n; i++)
		if (cur[i] != old[i])
			sink_printf(out, " %s=%ld", names[i], cur[i] - old[i]);
	sink_printf(out, "\n");
}

/* The previous value of vmstat counter @name in @old (0 if it was not there). */
static long long old_vmstat(const struct report_snap *old, int hint, const char *name)
{
	if (hint < old->nv && !strcmp(old->vname[hint], name))
		return old->v[hint];
	for (int i = 0; i < old->nv; i++)
		if (!strcmp(old->vname[i], name))
			return old->v[i];
	return 0;
}

enum kmm_status step_report_step(struct scenario *sc, int argc, char **argv)
{
	struct report_state *rs = report_state(sc);
	struct report_snap *prev, *cur;
	const struct sink *out = out_of(sc);
	enum kmm_status st;
	kmm_pid_t pid;
	int k = 0;

	(void)argc;
	if (!rs)
		return scenario_fail(sc, KMM_ENOMEM, "out of host memory");
	if ((st = scenario_task_pid(sc, "report-step", argv[1], &pid)))
		return st;
	if (!(prev = snap_of(sc, pid)))
		return KMM_EINVAL;
	cur = malloc(sizeof(*cur));
	if (!cur)
		return scenario_fail(sc, KMM_ENOMEM, "out of host memory");
	*cur = *prev;
	st = take_snap(sc, pid, cur);
	if (st) {
		free(cur);
		return st;
	}
	sink_printf(out, "--- step %s.%s\nrusage minflt=%" PRIu64 " majflt=%" PRIu64 "\nvmstat",
		    rs->exp, argv[2], cur->minflt - prev->minflt, cur->majflt - prev->majflt);
	for (int i = 0; i < cur->nv; i++) {
		long long d = cur->v[i] - old_vmstat(prev, i, cur->vname[i]);

		if (d && vmstat_is_selected(cur->vname[i])) {
			sink_printf(out, " %s=%lld", cur->vname[i], d);
			k++;
		}
	}
	sink_printf(out, "%s\n", k ? "" : " (none)");
	print_values(out, "status", status_fields, cur->st, prev->st, NST);
	print_values(out, "rollup", rollup_fields, cur->ro, prev->ro, NRO);
	*prev = *cur;
	free(cur);
	return KMM_OK;
}

/* faults.c's maps(): mode 0 (overlap), 1 (contains TEXT) or 2 (the smaps of a VMA). */
static enum kmm_status report_maps(struct scenario *sc, const char *task, const char *tag,
				   const char *addr, const char *lentext, const char *pat, int mode)
{
	const struct sink *out = out_of(sc);
	char path[64], *text, *p, *nl;
	uint64_t lo = 0, len = 0, hi, s, e;
	enum kmm_status st;
	kmm_pid_t pid;
	bool on = false;

	if ((st = scenario_task_pid(sc, "report-maps", task, &pid)))
		return st;
	if (addr && (st = scenario_user_addr(sc, "report-maps", addr, &lo)))
		return st;
	if (lentext && !scenario_parse_u64(lentext, &len))
		return scenario_fail(sc, KMM_EINVAL, "report-maps: bad length '%s'", lentext);
	hi = lo + len;
	snprintf(path, sizeof(path), "/proc/%d/%s", (int)pid, mode == 2 ? "smaps" : "maps");
	if (!(text = read_view(sc, path)))
		return KMM_EINVAL;
	if (mode == 0)
		sink_printf(out, "maps %s 0x%" PRIx64 "..0x%" PRIx64 " +-1 page:\n", tag, lo, hi);
	else if (mode == 1)
		sink_printf(out, "maps %s (lines with %s):\n", tag, pat);
	else
		sink_printf(out, "smaps %s (the VMA holding 0x%" PRIx64 "):\n", tag, lo);
	for (p = text; (nl = strchr(p, '\n')); p = nl + 1) {
		*nl = 0;
		if ((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'f')) {
			s = strtoull(p, NULL, 16);
			e = strtoull(strchr(p, '-') + 1, NULL, 16);
			on = mode == 0	 ? s < hi + 4096 && e + 4096 > lo
			     : mode == 1 ? strstr(p, pat) != NULL
					 : lo >= s && lo < e;
		}
		if (on)
			sink_printf(out, "  %s\n", p);
	}
	free(text);
	return KMM_OK;
}

enum kmm_status step_report_maps(struct scenario *sc, int argc, char **argv)
{
	(void)argc;
	return report_maps(sc, argv[1], argv[2], argv[3], argv[4], NULL, 0);
}

enum kmm_status step_report_maps_with(struct scenario *sc, int argc, char **argv)
{
	(void)argc;
	return report_maps(sc, argv[1], argv[2], NULL, NULL, argv[3], 1);
}

enum kmm_status step_report_smaps(struct scenario *sc, int argc, char **argv)
{
	(void)argc;
	return report_maps(sc, argv[1], argv[2], argv[3], NULL, NULL, 2);
}

/* faults.c's dumpfile() of /proc/self/FILE, for TASK. */
enum kmm_status step_report_file(struct scenario *sc, int argc, char **argv)
{
	char path[96], *text;
	enum kmm_status st;
	kmm_pid_t pid;

	(void)argc;
	if ((st = scenario_task_pid(sc, "report-file", argv[1], &pid)))
		return st;
	snprintf(path, sizeof(path), "/proc/%d/%s", (int)pid, argv[2]);
	if (!(text = read_view(sc, path)))
		return KMM_EINVAL;
	sink_printf(out_of(sc), "@@@FILE /proc/self/%s (%zu bytes)@@@\n%s", argv[2], strlen(text),
		    text);
	free(text);
	return KMM_OK;
}

/* faults.c's "%s=%s" of a /proc or /sys file's first line ("<missing>" if unreadable). */
enum kmm_status step_report_value(struct scenario *sc, int argc, char **argv)
{
	for (int i = 1; i < argc; i++) {
		struct sink_str s = {0};
		char *nl;

		if (kmm_proc_show(sc->m, argv[i], sink_str_fn, &s) || s.failed || !s.buf) {
			free(s.buf);
			sink_printf(out_of(sc), "%s=<missing>\n", argv[i]);
			continue;
		}
		if ((nl = strchr(s.buf, '\n')))
			*nl = 0;
		sink_printf(out_of(sc), "%s=%s\n", argv[i], s.buf[0] ? s.buf : "<missing>");
		free(s.buf);
	}
	return KMM_OK;
}

enum kmm_status step_report_echo(struct scenario *sc, int argc, char **argv)
{
	for (int i = 1; i < argc; i++)
		sink_printf(out_of(sc), "%s%s", i > 1 ? " " : "", argv[i]);
	sink_printf(out_of(sc), "\n");
	return KMM_OK;
}

/* Names REGION the VMA of the Nth (default 1st) line of /proc/PID/maps containing TEXT. */
enum kmm_status step_region_of(struct scenario *sc, int argc, char **argv)
{
	char path[64], *text, *p, *nl;
	uint64_t nth = 1, s = 0, e = 0;
	enum kmm_status st;
	kmm_pid_t pid;

	if ((st = scenario_task_pid(sc, "region-of", argv[1], &pid)))
		return st;
	if (argc > 4 &&
	    (strncmp(argv[4], "nth=", 4) || !scenario_parse_u64(argv[4] + 4, &nth) || !nth))
		return scenario_fail(sc, KMM_EINVAL, "region-of: bad count '%s'", argv[4]);
	snprintf(path, sizeof(path), "/proc/%d/maps", (int)pid);
	if (!(text = read_view(sc, path)))
		return KMM_EINVAL;
	for (p = text; nth && (nl = strchr(p, '\n')); p = nl + 1) {
		*nl = 0;
		if (strstr(p, argv[3]) && !--nth) {
			s = strtoull(p, NULL, 16);
			e = strtoull(strchr(p, '-') + 1, NULL, 16);
		}
	}
	free(text);
	if (nth)
		return scenario_fail(sc, KMM_EINVAL, "region-of: no such line with '%s'", argv[3]);
	return scenario_region_set(sc, "region-of", argv[2], s, e - s);
}

/* ---- the faults workload's helpers ----------------------------------------------------- */

enum kmm_status step_faults_self(struct scenario *sc, int argc, char **argv)
{
	const struct task_struct *t;
	enum kmm_status st;
	kmm_va_t brk = 0;
	kmm_pid_t pid;

	(void)argc;
	if ((st = scenario_task_pid(sc, "faults-self", argv[1], &pid)))
		return st;
	kmm_brk(sc->m, pid, 0, &brk); /* brk(0) is refused and returns the break */
	t = find_task_by_vpid(&sc->m->kernel, pid);
	sink_printf(out_of(sc), "personality=0x%x pagesize=4096 sbrk0=0x%" PRIx64 "\n",
		    t ? t->personality : 0, brk);
	return KMM_OK;
}

/* sbrk(+N) or sbrk(-N) with faults.c's report of it (experiment 8). */
enum kmm_status step_faults_sbrk(struct scenario *sc, int argc, char **argv)
{
	kmm_va_t old = 0, now = 0;
	uint64_t delta;
	enum kmm_status st;
	kmm_pid_t pid;

	(void)argc;
	if ((st = scenario_task_pid(sc, "faults-sbrk", argv[1], &pid)))
		return st;
	if ((argv[2][0] != '+' && argv[2][0] != '-') || !scenario_parse_u64(argv[2] + 1, &delta))
		return scenario_fail(sc, KMM_EINVAL, "faults-sbrk: +N or -N, not '%s'", argv[2]);
	kmm_brk(sc->m, pid, 0, &old);
	kmm_brk(sc->m, pid, argv[2][0] == '+' ? old + delta : old - delta, &now);
	if (argv[2][0] == '+')
		sink_printf(out_of(sc),
			    "sbrk(%" PRIu64 "M) returned 0x%" PRIx64 ", break now 0x%" PRIx64 "\n",
			    delta >> 20, old, now);
	else
		sink_printf(out_of(sc), "break after shrink 0x%" PRIx64 " (start 0x%" PRIx64 ")\n",
			    now, now);
	return KMM_OK;
}

enum kmm_status step_faults_reap(struct scenario *sc, int argc, char **argv)
{
	struct kmm_task_info info;
	enum kmm_status st;
	kmm_pid_t child;

	(void)argc;
	if ((st = scenario_task_pid(sc, "faults-reap", argv[2], &child)))
		return st;
	if ((st = kmm_task_info(sc->m, child, &info)) || (st = kmm_task_exit(sc->m, child, 0)))
		return scenario_fail(sc, st, "faults-reap: %s", kmm_last_error(sc->m));
	sink_printf(out_of(sc),
		    "child exit status=0x0 rusage_children minflt=%" PRIu64 " majflt=%" PRIu64
		    " (whole child life)\n",
		    info.min_flt, info.maj_flt);
	return KMM_OK;
}

#define FAULTS_PAGE ((uint64_t)4096)
#define FAULTS_HPS  ((uint64_t)2 << 20)

struct faults_args {
	kmm_pid_t pid;
	kmm_va_t va;
	uint64_t len, tag;
};

/* TASK ADDR [LEN [TAG]] from argv[1..]; fails the scenario naming @step. */
static enum kmm_status faults_args(struct scenario *sc, const char *step, int argc, char **argv,
				   struct faults_args *a)
{
	enum kmm_status st;

	memset(a, 0, sizeof(*a));
	if ((st = scenario_task_pid(sc, step, argv[1], &a->pid)) ||
	    (st = scenario_user_addr(sc, step, argv[2], &a->va)))
		return st;
	if (argc > 3 && (!scenario_parse_u64(argv[3], &a->len) || a->len % FAULTS_PAGE))
		return scenario_fail(sc, KMM_EINVAL, "%s: bad length '%s'", step, argv[3]);
	if (argc > 4 && !scenario_parse_u64(argv[4], &a->tag))
		return scenario_fail(sc, KMM_EINVAL, "%s: bad tag '%s'", step, argv[4]);
	return KMM_OK;
}

static enum kmm_status task_word(struct scenario *sc, const char *step, kmm_pid_t pid,
				 enum kmm_access type, kmm_va_t va, uint64_t *word)
{
	enum kmm_status st = kmm_task_access(sc->m, pid, type, va, word, sizeof(*word), NULL);

	if (st)
		return scenario_fail(sc, st, "%s: 0x%" PRIx64 ": %s", step, va,
				     kmm_last_error(sc->m));
	return KMM_OK;
}

/* faults.c's pinfo(). */
enum kmm_status step_faults_pinfo(struct scenario *sc, int argc, char **argv)
{
	uint64_t len;
	kmm_va_t va;
	enum kmm_status st;

	(void)argc;
	if ((st = scenario_user_addr(sc, "faults-pinfo", argv[2], &va)))
		return st;
	if (!scenario_parse_u64(argv[3], &len))
		return scenario_fail(sc, KMM_EINVAL, "faults-pinfo: bad length '%s'", argv[3]);
	sink_printf(out_of(sc),
		    "%s addr=0x%" PRIx64 " len=%" PRIu64 " end=0x%" PRIx64 " addr_mod_2M=0x%" PRIx64
		    "\n",
		    argv[1], va, len, va + len, va & (FAULTS_HPS - 1));
	return KMM_OK;
}

/* faults.c's wtag(). */
enum kmm_status step_faults_wtag(struct scenario *sc, int argc, char **argv)
{
	struct faults_args a;
	enum kmm_status st;

	if ((st = faults_args(sc, "faults-wtag", argc, argv, &a)))
		return st;
	for (uint64_t o = 0; o < a.len; o += FAULTS_PAGE) {
		uint64_t w = a.tag ^ o;

		if ((st = task_word(sc, "faults-wtag", a.pid, KMM_ACCESS_STORE, a.va + o, &w)))
			return st;
	}
	return KMM_OK;
}

/* faults.c's rtag(): pages whose word 0 is @tag ^ offset (@tag 0: the sum of the words). */
static enum kmm_status rtag(struct scenario *sc, const struct faults_args *a, uint64_t tag,
			    uint64_t *n)
{
	enum kmm_status st;

	*n = 0;
	for (uint64_t o = 0; o < a->len; o += FAULTS_PAGE) {
		uint64_t w;

		if ((st = task_word(sc, "faults-rtag", a->pid, KMM_ACCESS_LOAD, a->va + o, &w)))
			return st;
		*n += tag ? w == (tag ^ o) : w;
	}
	return KMM_OK;
}

enum kmm_status step_faults_rtag(struct scenario *sc, int argc, char **argv)
{
	struct faults_args a;
	enum kmm_status st;
	uint64_t n;

	if ((st = faults_args(sc, "faults-rtag", 5, argv, &a)) || (st = rtag(sc, &a, a.tag, &n)))
		return st;
	sink_printf(out_of(sc), "%s=%" PRIu64 "%s\n", argv[5], n,
		    argc > 6 && !strncmp(argv[6], "suffix=", 7) ? argv[6] + 7 : "");
	return KMM_OK;
}

/* faults.c's nonzero(): non-zero 8-byte words of the range. */
enum kmm_status step_faults_nonzero(struct scenario *sc, int argc, char **argv)
{
	uint64_t buf[KMM_ACCESS_MAX / 8], n = 0;
	struct faults_args a;
	enum kmm_status st;

	(void)argc;
	if ((st = faults_args(sc, "faults-nonzero", 4, argv, &a)))
		return st;
	for (uint64_t o = 0; o < a.len; o += sizeof(buf)) {
		st = kmm_task_access(sc->m, a.pid, KMM_ACCESS_LOAD, a.va + o, buf, sizeof(buf),
				     NULL);
		if (st)
			return scenario_fail(sc, st, "faults-nonzero: %s", kmm_last_error(sc->m));
		for (size_t i = 0; i < sizeof(buf) / 8; i++)
			n += buf[i] != 0;
	}
	sink_printf(out_of(sc), "%s=%" PRIu64 "\n", argv[4], n);
	return KMM_OK;
}

/* faults.c's abc(): the tag census and the FNV-1a (per 8-byte word) of 4 MiB. */
enum kmm_status step_faults_abc(struct scenario *sc, int argc, char **argv)
{
	static const uint64_t tags[3] = {0xa1a1a1a100000000ULL, 0xb2b2b2b200000000ULL,
					 0xc3c3c3c300000000ULL};
	uint64_t buf[KMM_ACCESS_MAX / 8], h = 0xcbf29ce484222325ULL, n[3] = {0};
	struct faults_args a;
	enum kmm_status st;

	(void)argc;
	if ((st = faults_args(sc, "faults-abc", 3, argv, &a)))
		return st;
	a.len = 4ULL << 20;
	for (uint64_t o = 0; o < a.len; o += sizeof(buf)) {
		st = kmm_task_access(sc->m, a.pid, KMM_ACCESS_LOAD, a.va + o, buf, sizeof(buf),
				     NULL);
		if (st)
			return scenario_fail(sc, st, "faults-abc: %s", kmm_last_error(sc->m));
		for (size_t i = 0; i < sizeof(buf) / 8; i++)
			h = (h ^ buf[i]) * 0x100000001b3ULL;
	}
	for (int t = 0; t < 3; t++)
		if ((st = rtag(sc, &a, tags[t], &n[t])))
			return st;
	sink_printf(out_of(sc),
		    "%s: A_pages=%" PRIu64 " B_pages=%" PRIu64 " C_pages=%" PRIu64
		    " fnv1a=%016" PRIx64 "\n",
		    argv[3], n[0], n[1], n[2], h);
	return KMM_OK;
}

/* faults.c's amap_aligned(): over-map by 2 MiB, trim head and tail; names the result. */
enum kmm_status step_faults_amap_aligned(struct scenario *sc, int argc, char **argv)
{
	uint64_t len;
	kmm_va_t p, a;
	kmm_pid_t pid;
	enum kmm_status st;

	(void)argc;
	if ((st = scenario_task_pid(sc, "faults-amap-aligned", argv[1], &pid)))
		return st;
	if (!scenario_parse_u64(argv[3], &len) || !len || len % FAULTS_PAGE)
		return scenario_fail(sc, KMM_EINVAL, "faults-amap-aligned: bad length '%s'",
				     argv[3]);
	st = kmm_mmap(sc->m, pid, 0, len + FAULTS_HPS, KMM_PROT_READ | KMM_PROT_WRITE,
		      KMM_MAP_PRIVATE | KMM_MAP_ANONYMOUS, -1, 0, &p);
	if (st)
		return scenario_fail(sc, st, "faults-amap-aligned: %s", kmm_last_error(sc->m));
	a = (p + FAULTS_HPS - 1) & ~(FAULTS_HPS - 1);
	if (a > p && (st = kmm_munmap(sc->m, pid, p, a - p)))
		return scenario_fail(sc, st, "faults-amap-aligned: %s", kmm_last_error(sc->m));
	if (p + FAULTS_HPS > a && (st = kmm_munmap(sc->m, pid, a + len, p + FAULTS_HPS - a)))
		return scenario_fail(sc, st, "faults-amap-aligned: %s", kmm_last_error(sc->m));
	return scenario_region_set(sc, "faults-amap-aligned", argv[2], a, len);
}

/* The [stack] VMA's end in /proc/PID/maps (0 if none). */
static uint64_t stack_top(struct scenario *sc, kmm_pid_t pid)
{
	char path[64], *text, *p;
	uint64_t top = 0;

	snprintf(path, sizeof(path), "/proc/%d/maps", (int)pid);
	if (!(text = read_view(sc, path)))
		return 0;
	if ((p = strstr(text, "[stack]"))) {
		while (p > text && p[-1] != '\n')
			p--;
		top = strtoull(strchr(p, '-') + 1, NULL, 16);
	}
	free(text);
	return top;
}

/*
 * faults.c's stack_touch(): alloca(LEN) below the frame, one byte per page top down. The
 * program's frame is in the stack's top page, so the touched pages are the LEN bytes below it.
 */
enum kmm_status step_faults_stack_touch(struct scenario *sc, int argc, char **argv)
{
	uint64_t len, top;
	kmm_pid_t pid;
	enum kmm_status st;
	uint8_t one = 1;

	(void)argc;
	if ((st = scenario_task_pid(sc, "faults-stack-touch", argv[1], &pid)))
		return st;
	if (!scenario_parse_u64(argv[2], &len) || !len || len % FAULTS_PAGE)
		return scenario_fail(sc, KMM_EINVAL, "faults-stack-touch: bad length '%s'",
				     argv[2]);
	if (!(top = stack_top(sc, pid)))
		return scenario_fail(sc, KMM_EINVAL, "faults-stack-touch: the task has no [stack]");
	top -= FAULTS_PAGE;
	for (uint64_t i = len; i >= FAULTS_PAGE; i -= FAULTS_PAGE) {
		st = kmm_task_access(sc->m, pid, KMM_ACCESS_STORE, top - len + i - FAULTS_PAGE,
				     &one, 1, NULL);
		if (st)
			return scenario_fail(sc, st, "faults-stack-touch: %s",
					     kmm_last_error(sc->m));
	}
	if (argc < 4)
		sink_printf(out_of(sc), "stack_touch(%" PRIu64 "K) lowest=0x%" PRIx64 "\n",
			    len >> 10, top - len);
	return KMM_OK;
}

/* ---- experiment 9: a 1 MiB tmpfs file mapped private and shared ------------------------ */

#define FAULTS_T_A ((uint64_t)0xa1a1a1a100000000ULL)
#define FAULTS_T_B ((uint64_t)0xb2b2b2b200000000ULL)
#define FAULTS_T_F ((uint64_t)0xf00df00d00000000ULL)
#define FAULTS_MIB ((uint64_t)1 << 20)

enum kmm_status step_faults_file_create(struct scenario *sc, int argc, char **argv)
{
	struct report_state *rs = report_state(sc);
	static uint64_t page[FAULTS_PAGE / 8];
	uint64_t done, written = 0;
	enum kmm_status st;
	kmm_pid_t pid;
	int fd;

	(void)argc;
	if (!rs)
		return scenario_fail(sc, KMM_ENOMEM, "out of host memory");
	if ((st = scenario_task_pid(sc, "faults-file-create", argv[1], &pid)))
		return st;
	st = kmm_file_open(sc->m, pid, argv[2], KMM_O_RDWR | KMM_O_CREAT | KMM_O_TRUNC, &fd);
	if (st)
		return scenario_fail(sc, st, "faults-file-create: %s", kmm_last_error(sc->m));
	memset(page, 0, sizeof(page));
	for (uint64_t i = 0; i < FAULTS_MIB; i += FAULTS_PAGE) {
		page[0] = FAULTS_T_F ^ i;
		st = kmm_file_pwrite(sc->m, pid, fd, page, FAULTS_PAGE, i, &done);
		written += !st && done == FAULTS_PAGE;
	}
	rs->file_fd = fd;
	sink_printf(out_of(sc), "file=%s pages_written=%" PRIu64 "\n", argv[2], written);
	return KMM_OK;
}

enum kmm_status step_faults_file_mmap(struct scenario *sc, int argc, char **argv)
{
	struct report_state *rs = report_state(sc);
	bool shared = strcmp(argv[3], "shared") == 0;
	enum kmm_status st;
	kmm_pid_t pid;
	kmm_va_t va;

	(void)argc;
	if (!rs)
		return scenario_fail(sc, KMM_ENOMEM, "out of host memory");
	if ((st = scenario_task_pid(sc, "faults-file-mmap", argv[1], &pid)))
		return st;
	if (!shared && strcmp(argv[3], "private") != 0)
		return scenario_fail(sc, KMM_EINVAL, "faults-file-mmap: private or shared");
	st = kmm_mmap(sc->m, pid, 0, FAULTS_MIB, KMM_PROT_READ | KMM_PROT_WRITE,
		      shared ? KMM_MAP_SHARED : KMM_MAP_PRIVATE, rs->file_fd, 0, &va);
	if (st)
		return scenario_fail(sc, st, "faults-file-mmap: %s", kmm_last_error(sc->m));
	return scenario_region_set(sc, "faults-file-mmap", argv[2], va, FAULTS_MIB);
}

enum kmm_status step_faults_file_check(struct scenario *sc, int argc, char **argv)
{
	struct report_state *rs = report_state(sc);
	uint64_t w = 0, nb = 0, na, nbp, done;
	struct faults_args a;
	enum kmm_status st;

	if (!rs)
		return scenario_fail(sc, KMM_ENOMEM, "out of host memory");
	if ((st = faults_args(sc, "faults-file-check", argc, argv, &a)))
		return st;
	a.len = FAULTS_MIB;
	for (uint64_t i = 0; i < FAULTS_MIB; i += FAULTS_PAGE)
		if (!kmm_file_pread(sc->m, a.pid, rs->file_fd, &w, 8, i, &done) && done == 8)
			nb += w == (FAULTS_T_B ^ i);
	if ((st = rtag(sc, &a, FAULTS_T_A, &na)) || (st = rtag(sc, &a, FAULTS_T_B, &nbp)))
		return st;
	sink_printf(out_of(sc),
		    "file pages holding the shared write=%" PRIu64 "; private view A_pages=%" PRIu64
		    " B_pages=%" PRIu64 "\n",
		    nb, na, nbp);
	return KMM_OK;
}

enum kmm_status step_faults_file_close(struct scenario *sc, int argc, char **argv)
{
	struct report_state *rs = report_state(sc);
	enum kmm_status st;
	kmm_pid_t pid;

	(void)argc;
	if (!rs)
		return scenario_fail(sc, KMM_ENOMEM, "out of host memory");
	if ((st = scenario_task_pid(sc, "faults-file-close", argv[1], &pid)))
		return st;
	if ((st = kmm_file_close(sc->m, pid, rs->file_fd)) ||
	    (st = kmm_file_unlink(sc->m, argv[2])))
		return scenario_fail(sc, st, "faults-file-close: %s", kmm_last_error(sc->m));
	return KMM_OK;
}

/* faults.c's retouch(): rewrites one byte (same value) of every resident page (mincore) of
 * every rw-p mapping, as the task; prints how many pages it rewrote. */
enum kmm_status step_faults_retouch(struct scenario *sc, int argc, char **argv)
{
	static uint8_t vec[4096];
	char path[64], *text, *p, *nl;
	uint64_t n = 0;
	enum kmm_status st = KMM_OK;
	kmm_pid_t pid;

	(void)argc;
	if ((st = scenario_task_pid(sc, "faults-retouch", argv[1], &pid)))
		return st;
	snprintf(path, sizeof(path), "/proc/%d/maps", (int)pid);
	if (!(text = read_view(sc, path)))
		return KMM_EINVAL;
	for (p = text; !st && (nl = strchr(p, '\n')); p = nl + 1) {
		uint64_t s = strtoull(p, NULL, 16), e, l;
		const char *sp = strchr(p, ' '), *dash = strchr(p, '-');

		if (!sp || !dash || dash > nl || strncmp(sp + 1, "rw-p", 4))
			continue;
		e = strtoull(dash + 1, NULL, 16);
		for (uint64_t a = s; !st && a < e; a += l * FAULTS_PAGE) {
			l = (e - a) / FAULTS_PAGE < sizeof(vec) ? (e - a) / FAULTS_PAGE
								: sizeof(vec);
			if (kmm_mincore(sc->m, pid, a, l * FAULTS_PAGE, vec))
				break;
			for (uint64_t k = 0; !st && k < l; k++) {
				uint8_t b;

				if (!(vec[k] & 1))
					continue;
				n++;
				st = kmm_task_access(sc->m, pid, KMM_ACCESS_LOAD,
						     a + k * FAULTS_PAGE, &b, 1, NULL);
				if (!st)
					st = kmm_task_access(sc->m, pid, KMM_ACCESS_STORE,
							     a + k * FAULTS_PAGE, &b, 1, NULL);
			}
		}
	}
	free(text);
	if (st)
		return scenario_fail(sc, st, "faults-retouch: %s", kmm_last_error(sc->m));
	sink_printf(out_of(sc), "retouched %" PRIu64 " resident pages of rw-p mappings\n", n);
	return KMM_OK;
}

/* mlock(), munlock() or msync(MS_SYNC) of a range, printed as faults.c prints their return
 * value: "NAME=0", or "NAME=-1" when the call fails (the scenario goes on, as the program). */
enum kmm_status step_faults_call(struct scenario *sc, int argc, char **argv)
{
	enum kmm_status st;
	uint64_t len;
	kmm_pid_t pid;
	kmm_va_t va;

	(void)argc;
	if ((st = scenario_task_pid(sc, "faults-call", argv[1], &pid)) ||
	    (st = scenario_user_addr(sc, "faults-call", argv[3], &va)))
		return st;
	if (!scenario_parse_u64(argv[4], &len))
		return scenario_fail(sc, KMM_EINVAL, "faults-call: bad length '%s'", argv[4]);
	if (!strcmp(argv[2], "mlock"))
		st = kmm_mlock(sc->m, pid, va, len);
	else if (!strcmp(argv[2], "munlock"))
		st = kmm_munlock(sc->m, pid, va, len);
	else if (!strcmp(argv[2], "msync"))
		st = kmm_msync(sc->m, pid, va, len, KMM_MS_SYNC);
	else
		return scenario_fail(sc, KMM_EINVAL, "faults-call: mlock, munlock or msync");
	sink_printf(out_of(sc), "%s=%d\n", argv[2], st ? -1 : 0);
	return KMM_OK;
}

/* faults.c's mremap_case() first line: mremap(SRC, OLDLEN, NEWLEN, flags) names NEW the
 * result; prints "WHAT: mremap(0x.., N pages, M pages, FLAGS) = 0x.. (in place|moved)". */
enum kmm_status step_faults_mremap(struct scenario *sc, int argc, char **argv)
{
	uint64_t oldlen, newlen;
	kmm_va_t va, r = 0;
	enum kmm_status st;
	kmm_pid_t pid;
	bool maymove = argc > 7;
	bool failed;

	if (maymove && strcmp(argv[7], "MREMAP_MAYMOVE"))
		return scenario_fail(sc, KMM_EINVAL, "faults-mremap: MREMAP_MAYMOVE or nothing");
	if ((st = scenario_task_pid(sc, "faults-mremap", argv[1], &pid)) ||
	    (st = scenario_user_addr(sc, "faults-mremap", argv[3], &va)))
		return st;
	if (!scenario_parse_u64(argv[5], &oldlen) || !scenario_parse_u64(argv[6], &newlen))
		return scenario_fail(sc, KMM_EINVAL, "faults-mremap: bad lengths");
	failed = kmm_mremap(sc->m, pid, va, oldlen, newlen, maymove ? KMM_MREMAP_MAYMOVE : 0, 0,
			    &r) != KMM_OK;
	sink_printf(out_of(sc),
		    "%s: mremap(0x%" PRIx64 ", %" PRIu64 " pages, %" PRIu64
		    " pages, %s) = 0x%" PRIx64 " (%s)\n",
		    argv[2], va, oldlen / FAULTS_PAGE, newlen / FAULTS_PAGE,
		    maymove ? "MREMAP_MAYMOVE" : "0", failed ? (kmm_va_t)~0ULL : r,
		    failed    ? "failed"
		    : r == va ? "in place"
			      : "moved");
	if (failed)
		return scenario_fail(sc, KMM_EINVAL, "faults-mremap: %s", kmm_last_error(sc->m));
	return scenario_region_set(sc, "faults-mremap", argv[4], r, newlen);
}

/* "status NAME=V ..." of /proc/PID/status fields (faults.c's VmLck/VmPin line). */
enum kmm_status step_faults_status(struct scenario *sc, int argc, char **argv)
{
	char path[64], *text;
	enum kmm_status st;
	kmm_pid_t pid;

	if ((st = scenario_task_pid(sc, "faults-status", argv[1], &pid)))
		return st;
	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	if (!(text = read_view(sc, path)))
		return KMM_EINVAL;
	sink_printf(out_of(sc), "status");
	for (int i = 2; i < argc; i++)
		sink_printf(out_of(sc), " %s=%ld", argv[i], field(text, argv[i]));
	sink_printf(out_of(sc), "\n");
	free(text);
	return KMM_OK;
}
