/*
 * Snapshot/delta report steps: a scenario prints, for one task, what the faults workload of the
 * reference captures (shared/oracles/linux/src/faults.c) prints after each of its steps, in
 * the same format, so one comparator (scripts/faults_compare.py) reads both.
 *
 *   report-exp NAME                 prints "@@@EXP NAME@@@"; the step labels that follow are
 *                                   NAME.LABEL
 *   snap PID                        takes PID's snapshot quietly (faults.c's snap(&prev))
 *   report-step PID LABEL           prints the block below against PID's last snapshot, then
 *                                   takes a new one (faults.c's step())
 *   report-maps PID TAG VA LEN      the /proc/PID/maps lines overlapping [VA - 4K, VA+LEN+4K)
 *   report-maps-with PID TAG TEXT   the /proc/PID/maps lines containing TEXT
 *   report-smaps PID TAG VA         the /proc/PID/smaps block of the VMA holding VA
 *   report-file PID FILE            "@@@FILE /proc/self/FILE (N bytes)@@@" and the file
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
 * program reads /proc: a report changes nothing in the machine. VA arguments are numbers.
 */
#include "sim/report_steps.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <kmm/task.h>

#define REPORT_MAX_VMSTAT 320
#define REPORT_MAX_TASKS  16

static const char *const status_fields[] = {"VmSize", "VmRSS",	"RssAnon", "RssFile", "RssShmem",
					    "VmData", "VmStk",	"VmPTE",   "VmLck"};
static const char *const rollup_fields[] = {"Rss",	     "Anonymous",    "AnonHugePages",
					    "LazyFree",	     "Locked",	     "Shared_Clean",
					    "Shared_Dirty",  "Private_Clean", "Private_Dirty"};
#define NST (sizeof(status_fields) / sizeof(status_fields[0]))
#define NRO (sizeof(rollup_fields) / sizeof(rollup_fields[0]))

/* faults.c's vsel[]: a trailing '_' makes a prefix. */
static const char *const vmstat_selected[] = {
	"pgfault",   "pgmajfault",    "pgreuse",       "thp_",
	"pgalloc_",  "pgfree",	      "nr_free_pages", "nr_anon_pages",
	"nr_mapped", "nr_file_pages", "nr_shmem",      "nr_dirty",
	"nr_zone_",  "nr_page_table_pages",	       "nr_anon_transparent_hugepages",
	"nr_mlock",  "pgactivate",    "pgdeactivate",  "pglazyfree",
	"pglazyfreed", "unevictable_pgs_",	       "cow_ksm"};

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
	char exp[128];
	struct report_snap snaps[REPORT_MAX_TASKS];
};

static struct report_state *report_state(struct scenario *sc)
{
	if (!sc->report)
		sc->report = calloc(1, sizeof(struct report_state));
	return sc->report;
}

void scenario_report_free(struct scenario *sc)
{
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

static bool parse_pid(struct scenario *sc, const char *text, kmm_pid_t *pid)
{
	char *end;
	long v = strtol(text, &end, 10);

	if (*end || v <= 0 || v > INT32_MAX) {
		scenario_fail(sc, KMM_EINVAL, "'%s' is not a pid", text);
		return false;
	}
	*pid = (kmm_pid_t)v;
	return true;
}

enum kmm_status step_report_exp(struct scenario *sc, int argc, char **argv)
{
	struct report_state *rs = report_state(sc);

	(void)argc;
	if (!rs)
		return scenario_fail(sc, KMM_ENOMEM, "out of host memory");
	snprintf(rs->exp, sizeof(rs->exp), "%s", argv[1]);
	sink_printf(&sc->out, "@@@EXP %s@@@\n", rs->exp);
	return KMM_OK;
}

enum kmm_status step_snap(struct scenario *sc, int argc, char **argv)
{
	struct report_snap *s;
	kmm_pid_t pid;

	(void)argc;
	if (!parse_pid(sc, argv[1], &pid) || !(s = snap_of(sc, pid)))
		return KMM_EINVAL;
	return take_snap(sc, pid, s);
}

static void print_values(struct scenario *sc, const char *tag, const char *const *names,
			 const long *cur, const long *old, size_t n)
{
	sink_printf(&sc->out, "%s", tag);
	for (size_t i = 0; i < n; i++)
		sink_printf(&sc->out, " %s=%ld", names[i], cur[i]);
	sink_printf(&sc->out, "\n%s_delta", tag);
	for (size_t i = 0; i < n; i++)
		if (cur[i] != old[i])
			sink_printf(&sc->out, " %s=%ld", names[i], cur[i] - old[i]);
	sink_printf(&sc->out, "\n");
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
	enum kmm_status st;
	kmm_pid_t pid;
	int k = 0;

	(void)argc;
	if (!rs || !parse_pid(sc, argv[1], &pid) || !(prev = snap_of(sc, pid)))
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
	sink_printf(&sc->out, "--- step %s.%s\nrusage minflt=%" PRIu64 " majflt=%" PRIu64 "\nvmstat",
		    rs->exp, argv[2], cur->minflt - prev->minflt, cur->majflt - prev->majflt);
	for (int i = 0; i < cur->nv; i++) {
		long long d = cur->v[i] - old_vmstat(prev, i, cur->vname[i]);

		if (d && vmstat_is_selected(cur->vname[i])) {
			sink_printf(&sc->out, " %s=%lld", cur->vname[i], d);
			k++;
		}
	}
	sink_printf(&sc->out, "%s\n", k ? "" : " (none)");
	print_values(sc, "status", status_fields, cur->st, prev->st, NST);
	print_values(sc, "rollup", rollup_fields, cur->ro, prev->ro, NRO);
	*prev = *cur;
	free(cur);
	return KMM_OK;
}

/* faults.c's maps(): mode 0 (overlap), 1 (contains TEXT) or 2 (the smaps of a VMA). */
static enum kmm_status report_maps(struct scenario *sc, const char *pidtext, const char *tag,
				   uint64_t lo, uint64_t len, const char *pat, int mode)
{
	uint64_t hi = lo + len, s, e;
	char path[64], *text, *p, *nl;
	kmm_pid_t pid;
	bool on = false;

	if (!parse_pid(sc, pidtext, &pid))
		return KMM_EINVAL;
	snprintf(path, sizeof(path), "/proc/%d/%s", (int)pid, mode == 2 ? "smaps" : "maps");
	if (!(text = read_view(sc, path)))
		return KMM_EINVAL;
	if (mode == 0)
		sink_printf(&sc->out, "maps %s 0x%" PRIx64 "..0x%" PRIx64 " +-1 page:\n", tag, lo, hi);
	else if (mode == 1)
		sink_printf(&sc->out, "maps %s (lines with %s):\n", tag, pat);
	else
		sink_printf(&sc->out, "smaps %s (the VMA holding 0x%" PRIx64 "):\n", tag, lo);
	for (p = text; (nl = strchr(p, '\n')); p = nl + 1) {
		*nl = 0;
		if ((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'f')) {
			s = strtoull(p, NULL, 16);
			e = strtoull(strchr(p, '-') + 1, NULL, 16);
			on = mode == 0 ? s < hi + 4096 && e + 4096 > lo
					: mode == 1 ? strstr(p, pat) != NULL
						    : lo >= s && lo < e;
		}
		if (on)
			sink_printf(&sc->out, "  %s\n", p);
	}
	free(text);
	return KMM_OK;
}

static bool parse_va(struct scenario *sc, const char *text, uint64_t *va)
{
	if (!scenario_parse_u64(text, va)) {
		scenario_fail(sc, KMM_EINVAL, "'%s' is not an address", text);
		return false;
	}
	return true;
}

enum kmm_status step_report_maps(struct scenario *sc, int argc, char **argv)
{
	uint64_t va, len;

	(void)argc;
	if (!parse_va(sc, argv[3], &va) || !parse_va(sc, argv[4], &len))
		return KMM_EINVAL;
	return report_maps(sc, argv[1], argv[2], va, len, NULL, 0);
}

enum kmm_status step_report_maps_with(struct scenario *sc, int argc, char **argv)
{
	(void)argc;
	return report_maps(sc, argv[1], argv[2], 0, 0, argv[3], 1);
}

enum kmm_status step_report_smaps(struct scenario *sc, int argc, char **argv)
{
	uint64_t va;

	(void)argc;
	if (!parse_va(sc, argv[3], &va))
		return KMM_EINVAL;
	return report_maps(sc, argv[1], argv[2], va, 0, NULL, 2);
}

/* faults.c's dumpfile() of /proc/self/FILE, for task PID. */
enum kmm_status step_report_file(struct scenario *sc, int argc, char **argv)
{
	char path[96], *text;
	kmm_pid_t pid;

	(void)argc;
	if (!parse_pid(sc, argv[1], &pid))
		return KMM_EINVAL;
	snprintf(path, sizeof(path), "/proc/%d/%s", (int)pid, argv[2]);
	if (!(text = read_view(sc, path)))
		return KMM_EINVAL;
	sink_printf(&sc->out, "@@@FILE /proc/self/%s (%zu bytes)@@@\n%s", argv[2], strlen(text),
		    text);
	free(text);
	return KMM_OK;
}
