/*
 * Scenario steps of the reclaim workloads: the captured guest /init's OOM phase
 * (shared/oracles/linux/src/init and src/hog.c) as steps, printed in the capture's format so
 * scripts/reclaim_compare.py reads both.
 *
 *   state NAME              /init's state(): NAME.buddyinfo, .pagetypeinfo, .extfrag, .vmstat,
 *                           .meminfo and .zoneinfo, each between @@@BEGIN X@@@ / @@@END X@@@
 *   dump NAME PATH          /init's dump(): one view between the markers ("<missing: PATH>"
 *                           when the machine has no such view)
 *   dump-dmesg NAME         the kernel log between the markers (/init's `dumpcmd X dmesg`)
 *   vmstat-mark             remembers /proc/vmstat and the clock (/init's cp /proc/vmstat ...)
 *   vmstat-delta NAME       block NAME: uptime_before/after since the mark, "--- vmstat
 *                           delta (nonzero)" and the deltas (read.result less its ls -l)
 *   hog NAME STEP MAX [halfrand] [nothp] [block=B]
 *                           /bin/hog STEP MAX: a task NAME maps MAP_PRIVATE|MAP_ANONYMOUS
 *                           chunks of STEP MiB and writes every page (one word per page, or
 *                           with halfrand the first half of each page with hog.c's xorshift
 *                           words) until it is killed or MAX MiB are touched; then the block
 *                           B (default oom.result) /init prints: hog_exit_status (137 for
 *                           SIGKILL), hog_args, uptime_before/after, the last
 *                           hog_mb_touched= line the progress file holds, and the non-zero
 *                           /proc/vmstat deltas since the step began (/init's awk).
 *
 * Deviation: hog.c writes one byte per page (the page index | 1); the model stores one word
 *         (the same value) per page through kmm_task_touch: the same pages are dirtied.
 * Deviation: uptime is the simulated clock, not the guest's uptime since its boot: the
 *         machine's boot is not timed as the guest's, so only differences are comparable.
 */
#include "sim/oom_steps.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "sim/task_steps.h"

#define HOG_HALFRAND_WORDS 256

/* dump(): one view between the markers. */
static void dump_view(struct scenario *sc, const char *name, const char *path)
{
	sink_printf(&sc->out, "@@@BEGIN %s@@@\n", name);
	if (kmm_proc_show(sc->m, path, sc->out.fn, sc->out.arg) != KMM_OK)
		sink_printf(&sc->out, "<missing: %s>\n", path);
	sink_printf(&sc->out, "@@@END %s@@@\n", name);
}

enum kmm_status step_dump(struct scenario *sc, int argc, char **argv)
{
	(void)argc;
	dump_view(sc, argv[1], argv[2]);
	return KMM_OK;
}

enum kmm_status step_dump_dmesg(struct scenario *sc, int argc, char **argv)
{
	(void)argc;
	sink_printf(&sc->out, "@@@BEGIN %s@@@\n", argv[1]);
	kmm_dmesg(sc->m, sc->out.fn, sc->out.arg);
	sink_printf(&sc->out, "@@@END %s@@@\n", argv[1]);
	return KMM_OK;
}

enum kmm_status step_state(struct scenario *sc, int argc, char **argv)
{
	static const char *const extfrag[] = {"/proc/buddyinfo",
					      "/sys/kernel/debug/extfrag/unusable_index",
					      "/sys/kernel/debug/extfrag/extfrag_index"};
	char name[160];

	(void)argc;
	snprintf(name, sizeof(name), "%s.buddyinfo", argv[1]);
	dump_view(sc, name, "/proc/buddyinfo");
	snprintf(name, sizeof(name), "%s.pagetypeinfo", argv[1]);
	dump_view(sc, name, "/proc/pagetypeinfo");
	snprintf(name, sizeof(name), "%s.extfrag", argv[1]);
	sink_printf(&sc->out, "@@@BEGIN %s@@@\n", name);
	sink_printf(&sc->out, "--- snapshot: /proc/buddyinfo, extfrag/unusable_index, "
			      "extfrag/extfrag_index (one cat)\n");
	for (size_t i = 0; i < sizeof(extfrag) / sizeof(extfrag[0]); i++)
		if (kmm_proc_show(sc->m, extfrag[i], sc->out.fn, sc->out.arg) != KMM_OK)
			sink_printf(&sc->out, "cat: can't open '%s'\n", extfrag[i]);
	sink_printf(&sc->out, "@@@END %s@@@\n", name);
	snprintf(name, sizeof(name), "%s.vmstat", argv[1]);
	dump_view(sc, name, "/proc/vmstat");
	snprintf(name, sizeof(name), "%s.meminfo", argv[1]);
	dump_view(sc, name, "/proc/meminfo");
	snprintf(name, sizeof(name), "%s.zoneinfo", argv[1]);
	dump_view(sc, name, "/proc/zoneinfo");
	return KMM_OK;
}

/* ---- /proc/vmstat snapshots ------------------------------------------------------------ */

static void snap_fn(void *arg, const char *s, size_t n)
{
	struct vmstat_snap *v = arg;

	if (!v->text && v->cap == SIZE_MAX)
		return;
	if (v->len + n + 1 > v->cap) {
		size_t cap = (v->len + n + 1) * 2;
		char *t = realloc(v->text, cap);

		if (!t) {
			free(v->text);
			v->text = NULL;
			v->cap = SIZE_MAX;
			return;
		}
		v->text = t;
		v->cap = cap;
	}
	memcpy(v->text + v->len, s, n);
	v->len += n;
	v->text[v->len] = 0;
}

static bool vmstat_snap(struct scenario *sc, struct vmstat_snap *v)
{
	memset(v, 0, sizeof(*v));
	return kmm_proc_show(sc->m, "/proc/vmstat", snap_fn, v) == KMM_OK && v->text;
}

/* The value of @name in @text ("name value" lines), 0 when it is not there. */
static long long vmstat_value(const char *text, const char *name, size_t nlen)
{
	for (const char *p = text; p && *p;) {
		const char *eol = strchr(p, '\n');

		if (strncmp(p, name, nlen) == 0 && p[nlen] == ' ')
			return strtoll(p + nlen + 1, NULL, 10);
		p = eol ? eol + 1 : NULL;
	}
	return 0;
}

/* /init's awk: for each line of the new file, "name delta" when the delta is not zero. */
static void vmstat_delta(struct scenario *sc, const struct vmstat_snap *before,
			 const struct vmstat_snap *after)
{
	for (const char *p = after->text; p && *p;) {
		const char *eol = strchr(p, '\n'), *sp = strchr(p, ' ');
		long long d;

		if (!sp || (eol && sp > eol))
			break;
		d = strtoll(sp + 1, NULL, 10) - vmstat_value(before->text, p, (size_t)(sp - p));
		if (d)
			sink_printf(&sc->out, "%.*s %lld\n", (int)(sp - p), p, d);
		p = eol ? eol + 1 : NULL;
	}
}

bool scenario_vmstat_snap(struct scenario *sc, struct vmstat_snap *v)
{
	return vmstat_snap(sc, v);
}

void scenario_vmstat_delta(struct scenario *sc, const struct vmstat_snap *before,
			   const struct vmstat_snap *after)
{
	vmstat_delta(sc, before, after);
}

/* ---- the hog --------------------------------------------------------------------------- */

/* hog.c's xorshift64 stream for halfrand: 256 words per page. */
static enum kmm_status hog_halfrand(struct scenario *sc, kmm_pid_t pid, kmm_va_t va, uint64_t len,
				    uint64_t *x, struct kmm_siginfo *si)
{
	uint64_t w[HOG_HALFRAND_WORDS];

	for (uint64_t off = 0; off < len; off += 4096) {
		enum kmm_status st;

		for (int k = 0; k < HOG_HALFRAND_WORDS; k++) {
			*x ^= *x << 13;
			*x ^= *x >> 7;
			*x ^= *x << 17;
			w[k] = *x;
		}
		st = kmm_task_access(sc->m, pid, KMM_ACCESS_STORE, va + off, w, sizeof(w), si);
		if (st)
			return st;
	}
	return KMM_OK;
}

enum kmm_status step_hog(struct scenario *sc, int argc, char **argv)
{
	static const char *const keys[] = {"block", NULL};
	const char *vals[1] = {"oom.result"};
	uint64_t step, max, total = 0, x = 88172645463325252ULL, t_a, t_b;
	bool halfrand = false, nothp = false, killed = false;
	struct vmstat_snap before, after;
	struct kmm_siginfo si;
	enum kmm_status st = KMM_OK;
	kmm_pid_t pid;
	int first_opt = 4;

	if (!scenario_parse_u64(argv[2], &step) || !scenario_parse_u64(argv[3], &max) || !step)
		return scenario_fail(sc, KMM_EINVAL, "hog: bad STEP or MAX ('%s', '%s'; MiB)",
				     argv[2], argv[3]);
	for (; first_opt < argc; first_opt++) {
		if (strcmp(argv[first_opt], "halfrand") == 0)
			halfrand = true;
		else if (strcmp(argv[first_opt], "nothp") == 0)
			nothp = true;
		else
			break;
	}
	if (!scenario_parse_opts(sc, argc, argv, first_opt, keys, vals))
		return KMM_EINVAL;
	if (!vmstat_snap(sc, &before))
		return scenario_fail(sc, KMM_EHOST, "hog: no host memory for the vmstat snapshot");
	t_a = kmm_clock_ns(sc->m);
	st = kmm_task_create(sc->m, argv[1], 0, &pid);
	if (st) {
		free(before.text);
		return scenario_fail(sc, st, "hog: %s", kmm_last_error(sc->m));
	}
	st = scenario_task_name(sc, "hog", argv[1], pid);
	while (!st && total + step <= max) {
		uint64_t len = step << 20, done = 0;
		kmm_va_t va;

		st = kmm_mmap(sc->m, pid, 0, len, KMM_PROT_READ | KMM_PROT_WRITE,
			      KMM_MAP_PRIVATE | KMM_MAP_ANONYMOUS, -1, 0, &va);
		if (st) /* hog.c: perror("mmap"), then it stops allocating */
			break;
		if (nothp && (st = kmm_madvise(sc->m, pid, va, len, KMM_MADV_NOHUGEPAGE)))
			break;
		memset(&si, 0, sizeof(si));
		if (halfrand)
			st = hog_halfrand(sc, pid, va, len, &x, &si);
		else
			st = kmm_task_touch(sc->m, pid, KMM_ACCESS_STORE, va, len, 4096,
					    KMM_TOUCH_SEQ, 1, &done);
		if (st == KMM_EFAULT) {
			struct kmm_task_info ti;

			/* killed: the pid is gone (SIGKILL delivered), or stopped by a fault */
			killed = kmm_task_info(sc->m, pid, &ti) == KMM_ESRCH;
			break;
		}
		if (!st)
			total += step;
	}
	t_b = kmm_clock_ns(sc->m);
	if (st && !killed && st != KMM_ENOMEM) {
		free(before.text);
		return scenario_fail(sc, st, "hog: %s", kmm_last_error(sc->m));
	}
	if (!vmstat_snap(sc, &after)) {
		free(before.text);
		return scenario_fail(sc, KMM_EHOST, "hog: no host memory for the vmstat snapshot");
	}
	sink_printf(&sc->out, "@@@BEGIN %s@@@\n", vals[0]);
	sink_printf(&sc->out,
		    "hog_exit_status=%s hog_args=%" PRIu64 "MB_steps%s%s uptime_before=%" PRIu64
		    ".%02" PRIu64 " uptime_after=%" PRIu64 ".%02" PRIu64 "\n",
		    killed ? "137" : "running", step, halfrand ? ",halfrand" : "",
		    nothp ? ",nothp" : "", t_a / 1000000000, t_a / 10000000 % 100, t_b / 1000000000,
		    t_b / 10000000 % 100);
	if (total)
		sink_printf(&sc->out, "hog_mb_touched=%" PRIu64 "\n", total);
	if (!killed)
		sink_printf(&sc->out, "hog_finished_without_kill=1\n");
	sink_printf(&sc->out, "--- vmstat delta (nonzero)\n");
	vmstat_delta(sc, &before, &after);
	sink_printf(&sc->out, "@@@END %s@@@\n", vals[0]);
	free(before.text);
	free(after.text);
	return KMM_OK;
}

/* ---- vmstat-mark / vmstat-delta -------------------------------------------------------- */

struct vmstat_mark {
	struct vmstat_snap snap;
	uint64_t t_ns;
};

void scenario_vmstat_mark_free(struct scenario *sc)
{
	struct vmstat_mark *mk = sc->vmstat_mark;

	if (mk)
		free(mk->snap.text);
	free(mk);
	sc->vmstat_mark = NULL;
}

enum kmm_status step_vmstat_mark(struct scenario *sc, int argc, char **argv)
{
	struct vmstat_mark *mk;

	(void)argc;
	(void)argv;
	scenario_vmstat_mark_free(sc);
	mk = calloc(1, sizeof(*mk));
	if (!mk || !vmstat_snap(sc, &mk->snap)) {
		free(mk);
		return scenario_fail(sc, KMM_EHOST, "vmstat-mark: host memory exhausted");
	}
	mk->t_ns = kmm_clock_ns(sc->m);
	sc->vmstat_mark = mk;
	return KMM_OK;
}

enum kmm_status step_vmstat_delta(struct scenario *sc, int argc, char **argv)
{
	struct vmstat_mark *mk = sc->vmstat_mark;
	struct vmstat_snap now;
	uint64_t t_b = kmm_clock_ns(sc->m);

	if (!mk)
		return scenario_fail(sc, KMM_EINVAL, "vmstat-delta: no vmstat-mark before");
	if (!vmstat_snap(sc, &now))
		return scenario_fail(sc, KMM_EHOST, "vmstat-delta: host memory exhausted");
	sink_printf(&sc->out, "@@@BEGIN %s@@@\n", argv[1]);
	(void)argc;
	sink_printf(&sc->out,
		    "uptime_before=%" PRIu64 ".%02" PRIu64 " uptime_after=%" PRIu64 ".%02" PRIu64
		    "\n--- vmstat delta (nonzero)\n",
		    mk->t_ns / 1000000000, mk->t_ns / 10000000 % 100, t_b / 1000000000,
		    t_b / 10000000 % 100);
	vmstat_delta(sc, &mk->snap, &now);
	sink_printf(&sc->out, "@@@END %s@@@\n", argv[1]);
	free(now.text);
	return KMM_OK;
}
