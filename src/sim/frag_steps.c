/*
 * Scenario steps of the fragmentation and compaction workload: the `full` sequence of the
 * captured guest /init (shared/oracles/linux/src/init and src/frag.c) as steps that print the
 * capture's blocks, so scripts/compaction_compare.py reads kmmsim's output and a capture alike
 * (examples/scenarios/frag-oracle.kmm runs them in /init's order).
 *
 *   frag TAG [pct=P] [task=NAME]
 *                  /init's start_frag: P % (default 60) of MemFree in MiB, rounded down as the
 *                  shell does, then /bin/frag: a task NAME (default frag) maps that many MiB
 *                  MAP_PRIVATE|MAP_ANONYMOUS, MADV_NOHUGEPAGE on it, writes every 4 KiB page,
 *                  then MADV_DONTNEEDs every other page (1, 3, 5, ...) one call each and stays
 *                  alive; block TAG.frag_result: memfree_kb_before=, fragpct=, then frag's
 *                  summary line. The mapping becomes region NAME.
 *   frag-check NAME
 *                  reads back the first word of every page task NAME kept and fails the
 *                  scenario if one does not hold what frag wrote: the user data survived
 *                  migration (the words go through the task's MMU: a migrated page is read
 *                  at its new frame). Prints one line, no block.
 *   hugepages-try TAG
 *                  /init's hugepages_try: MemFree/2 MiB to vm.nr_hugepages, block
 *                  TAG.hugepages_result (requested=, obtained=, uptime_before/after, the
 *                  meminfo lines matching "huge", each node's 2 MiB nr_hugepages, the
 *                  non-zero vmstat deltas), state TAG, vm.nr_hugepages back to 0, block
 *                  TAG.hugepages_released.
 *   compact-memory [block=B]
 *                  /init's `echo 1 > /proc/sys/vm/compact_memory` timed, then block B (default
 *                  compact_memory.result): uptime_before/after and the non-zero vmstat deltas
 *                  (no header line, as /init prints it).
 * When the machine has no such tunable (vm.nr_hugepages before hugetlb.c, vm.compact_memory
 * before compaction.c), the block says "<missing: /proc/sys/vm/NAME>" where the value would
 * be, as /init's dump does for a file that is not there, and the step carries on: the
 * comparator reports that comparison as waiting for the piece, never as a number.
 *
 * Deviation: frag.c writes one byte per page (the page index | 1); the model writes one word
 *         with that value (the same pages are dirtied; frag-check can read it back).
 * Deviation: elapsed_s and uptime are simulated time; the machine's boot is not timed as the
 *         guest's, so only differences are comparable.
 * Deviation: /init's `kill $FRAGPID; sleep 1` is `exit frag` then `idle 1000000000` in the
 *         scenario (SIGTERM's default action is the exit).
 */
#include "sim/frag_steps.h"

#include <ctype.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/oom_steps.h"
#include "sim/task_steps.h"

#define FRAG_PAGE 4096u

static void print_uptime(struct scenario *sc, uint64_t t_a, uint64_t t_b)
{
	sink_printf(&sc->out,
		    "uptime_before=%" PRIu64 ".%02" PRIu64 " uptime_after=%" PRIu64 ".%02" PRIu64,
		    t_a / 1000000000, t_a / 10000000 % 100, t_b / 1000000000, t_b / 10000000 % 100);
}

/* A view's text into @buf (NUL-terminated); false if the machine has no such view. */
static bool read_view(struct scenario *sc, const char *path, char *buf, size_t len)
{
	if (kmm_proc_read(sc->m, path, buf, len) != KMM_OK)
		return false;
	buf[len - 1] = 0;
	return true;
}

/* /init's memfree_kb: MemFree of /proc/meminfo. */
static enum kmm_status memfree_kb(struct scenario *sc, const char *step, uint64_t *kb)
{
	char buf[8192];
	const char *p;

	if (!read_view(sc, "/proc/meminfo", buf, sizeof(buf)) || !(p = strstr(buf, "MemFree:")))
		return scenario_fail(sc, KMM_EHOST, "%s: no MemFree in /proc/meminfo", step);
	*kb = strtoull(p + strlen("MemFree:"), NULL, 10);
	return KMM_OK;
}

/* ---- frag ------------------------------------------------------------------------------ */

enum kmm_status step_frag(struct scenario *sc, int argc, char **argv)
{
	static const char *const keys[] = {"pct", "task", NULL};
	const char *vals[2] = {"60", "frag"};
	uint64_t pct, free_kb = 0, mb, len, n, freed = 0, t0, t1;
	struct kmm_siginfo si;
	enum kmm_status st;
	kmm_pid_t pid;
	kmm_va_t va;

	if (!scenario_parse_opts(sc, argc, argv, 2, keys, vals))
		return KMM_EINVAL;
	if (!scenario_parse_u64(vals[0], &pct) || pct == 0 || pct > 100)
		return scenario_fail(sc, KMM_EINVAL, "frag: pct '%s' is not 1..100", vals[0]);
	if ((st = memfree_kb(sc, "frag", &free_kb)))
		return st;
	mb = free_kb * pct / 100 / 1024;
	len = mb << 20;
	n = len / FRAG_PAGE;
	if (!n)
		return scenario_fail(sc, KMM_EINVAL,
				     "frag: %" PRIu64 "%% of %" PRIu64
				     " kB free is less than 1 MiB",
				     pct, free_kb);
	t0 = kmm_clock_ns(sc->m);
	if ((st = kmm_task_create(sc->m, vals[1], 0, &pid)))
		return scenario_fail(sc, st, "frag: %s", kmm_last_error(sc->m));
	if ((st = scenario_task_name(sc, "frag", vals[1], pid)))
		return st;
	st = kmm_mmap(sc->m, pid, 0, len, KMM_PROT_READ | KMM_PROT_WRITE,
		      KMM_MAP_PRIVATE | KMM_MAP_ANONYMOUS, -1, 0, &va);
	if (st)
		return scenario_fail(sc, st, "frag: mmap: %s", kmm_last_error(sc->m));
	if ((st = kmm_madvise(sc->m, pid, va, len, KMM_MADV_NOHUGEPAGE)))
		return scenario_fail(sc, st, "frag: madvise(NOHUGEPAGE): %s",
				     kmm_last_error(sc->m));
	for (uint64_t i = 0; i < n; i++) {
		uint64_t word = i | 1;

		st = kmm_task_access(sc->m, pid, KMM_ACCESS_STORE, va + i * FRAG_PAGE, &word,
				     sizeof(word), &si);
		if (st)
			return scenario_fail(sc, st,
					     "frag: touching page %" PRIu64 " of %" PRIu64 ": %s",
					     i, n, kmm_last_error(sc->m));
	}
	for (uint64_t i = 1; i < n; i += 2)
		if (kmm_madvise(sc->m, pid, va + i * FRAG_PAGE, FRAG_PAGE, KMM_MADV_DONTNEED) ==
		    KMM_OK)
			freed++;
	t1 = kmm_clock_ns(sc->m);
	if ((st = scenario_region_set(sc, "frag", vals[1], va, len)))
		return st;
	sink_printf(&sc->out, "@@@BEGIN %s.frag_result@@@\n", argv[1]);
	sink_printf(&sc->out, "memfree_kb_before=%" PRIu64 " fragpct=%" PRIu64 "\n", free_kb, pct);
	sink_printf(&sc->out,
		    "frag_mb=%" PRIu64 " pages_touched=%" PRIu64 " pages_freed=%" PRIu64
		    " pages_kept=%" PRIu64 " elapsed_s=%" PRIu64 ".%02" PRIu64 "\n",
		    mb, n, freed, n - freed, (t1 - t0) / 1000000000, (t1 - t0) / 10000000 % 100);
	sink_printf(&sc->out, "@@@END %s.frag_result@@@\n", argv[1]);
	return KMM_OK;
}

enum kmm_status step_frag_check(struct scenario *sc, int argc, char **argv)
{
	uint64_t len, bad = 0, checked = 0, first_bad = 0;
	struct kmm_siginfo si;
	enum kmm_status st;
	kmm_pid_t pid;
	kmm_va_t va;

	(void)argc;
	if ((st = scenario_task_pid(sc, "frag-check", argv[1], &pid)))
		return st;
	if (!scenario_region_get(sc, argv[1], &va, &len))
		return scenario_fail(sc, KMM_EINVAL, "frag-check: no frag region named '%s'",
				     argv[1]);
	for (uint64_t i = 0; i < len / FRAG_PAGE; i += 2) {
		uint64_t word = 0;

		st = kmm_task_access(sc->m, pid, KMM_ACCESS_LOAD, va + i * FRAG_PAGE, &word,
				     sizeof(word), &si);
		if (st)
			return scenario_fail(sc, st, "frag-check: page %" PRIu64 ": %s", i,
					     kmm_last_error(sc->m));
		if (word != (i | 1) && !bad++)
			first_bad = i;
		checked++;
	}
	if (bad)
		return scenario_fail(sc, KMM_EINVAL,
				     "frag-check: %" PRIu64 " of %" PRIu64
				     " kept pages of '%s' lost "
				     "their data (first: page %" PRIu64 ")",
				     bad, checked, argv[1], first_bad);
	sink_printf(&sc->out, "frag-check: %s: %" PRIu64 " kept pages hold what frag wrote\n",
		    argv[1], checked);
	return KMM_OK;
}

/* ---- hugepages-try --------------------------------------------------------------------- */

/* Prints @view's lines that contain "huge" in any case (/init's grep -i huge). */
static void grep_huge(struct scenario *sc, const char *view)
{
	for (const char *p = view; *p;) {
		const char *eol = strchr(p, '\n');
		size_t n = eol ? (size_t)(eol - p) : strlen(p);
		bool hit = false;

		for (size_t i = 0; i + 4 <= n && !hit; i++)
			hit = tolower((unsigned char)p[i]) == 'h' &&
			      tolower((unsigned char)p[i + 1]) == 'u' &&
			      tolower((unsigned char)p[i + 2]) == 'g' &&
			      tolower((unsigned char)p[i + 3]) == 'e';
		if (hit)
			sink_printf(&sc->out, "%.*s\n", (int)n, p);
		p += n + (eol != NULL);
	}
}

static void chomp(char *s)
{
	size_t n = strlen(s);

	while (n && (s[n - 1] == '\n' || s[n - 1] == ' '))
		s[--n] = 0;
}

#define NR_HUGEPAGES "/proc/sys/vm/nr_hugepages"

enum kmm_status step_hugepages_try(struct scenario *sc, int argc, char **argv)
{
	struct vmstat_snap before, after;
	char want_text[32], got[64], view[8192];
	char state_word[] = "state";
	char *state_argv[2] = {state_word, argv[1]};
	uint64_t want = 0, t_a, t_b;
	unsigned nodes = sc->cfg.nr_nodes ? sc->cfg.nr_nodes : 1;
	enum kmm_status st;
	bool missing;

	(void)argc;
	if ((st = memfree_kb(sc, "hugepages-try", &want)))
		return st;
	want /= 2048;
	snprintf(want_text, sizeof(want_text), "%" PRIu64, want);
	if (!scenario_vmstat_snap(sc, &before))
		return scenario_fail(sc, KMM_EHOST, "hugepages-try: host memory exhausted");
	t_a = kmm_clock_ns(sc->m);
	st = kmm_sysctl(sc->m, "vm.nr_hugepages", want_text);
	t_b = kmm_clock_ns(sc->m);
	missing = st == KMM_ENOENT;
	if (st && !missing) {
		free(before.text);
		return scenario_fail(sc, st, "hugepages-try: %s", kmm_last_error(sc->m));
	}
	if (missing || !read_view(sc, NR_HUGEPAGES, got, sizeof(got)))
		snprintf(got, sizeof(got), "<missing: %s>", NR_HUGEPAGES);
	chomp(got);
	if (!scenario_vmstat_snap(sc, &after)) {
		free(before.text);
		return scenario_fail(sc, KMM_EHOST, "hugepages-try: host memory exhausted");
	}
	sink_printf(&sc->out, "@@@BEGIN %s.hugepages_result@@@\n", argv[1]);
	sink_printf(&sc->out, "requested=%s obtained=%s ", want_text, got);
	print_uptime(sc, t_a, t_b);
	sink_printf(&sc->out, "\n");
	if (read_view(sc, "/proc/meminfo", view, sizeof(view)))
		grep_huge(sc, view);
	for (unsigned nid = 0; nid < nodes; nid++) {
		char path[128], val[64];

		snprintf(path, sizeof(path),
			 "/sys/devices/system/node/node%u/hugepages/hugepages-2048kB/nr_hugepages",
			 nid);
		if (read_view(sc, path, val, sizeof(val))) {
			chomp(val);
			sink_printf(&sc->out, "%s=%s\n", path, val);
		}
	}
	sink_printf(&sc->out, "--- vmstat delta (nonzero)\n");
	scenario_vmstat_delta(sc, &before, &after);
	sink_printf(&sc->out, "@@@END %s.hugepages_result@@@\n", argv[1]);
	free(before.text);
	free(after.text);
	if ((st = step_state(sc, 2, state_argv)))
		return st;
	if (!missing && (st = kmm_sysctl(sc->m, "vm.nr_hugepages", "0")))
		return scenario_fail(sc, st, "hugepages-try: releasing: %s", kmm_last_error(sc->m));
	if (missing || !read_view(sc, NR_HUGEPAGES, got, sizeof(got)))
		snprintf(got, sizeof(got), "<missing: %s>", NR_HUGEPAGES);
	chomp(got);
	sink_printf(&sc->out, "@@@BEGIN %s.hugepages_released@@@\n", argv[1]);
	sink_printf(&sc->out, "nr_hugepages_after_release=%s\n", got);
	sink_printf(&sc->out, "@@@END %s.hugepages_released@@@\n", argv[1]);
	return KMM_OK;
}

/* ---- compact-memory -------------------------------------------------------------------- */

enum kmm_status step_compact_memory(struct scenario *sc, int argc, char **argv)
{
	static const char *const keys[] = {"block", NULL};
	const char *vals[1] = {"compact_memory.result"};
	struct vmstat_snap before, after;
	enum kmm_status st;
	uint64_t t_a, t_b;

	if (!scenario_parse_opts(sc, argc, argv, 1, keys, vals))
		return KMM_EINVAL;
	if (!scenario_vmstat_snap(sc, &before))
		return scenario_fail(sc, KMM_EHOST, "compact-memory: host memory exhausted");
	t_a = kmm_clock_ns(sc->m);
	st = kmm_sysctl(sc->m, "vm.compact_memory", "1");
	t_b = kmm_clock_ns(sc->m);
	if (st && st != KMM_ENOENT) {
		free(before.text);
		return scenario_fail(sc, st, "compact-memory: %s", kmm_last_error(sc->m));
	}
	if (!scenario_vmstat_snap(sc, &after)) {
		free(before.text);
		return scenario_fail(sc, KMM_EHOST, "compact-memory: host memory exhausted");
	}
	sink_printf(&sc->out, "@@@BEGIN %s@@@\n", vals[0]);
	print_uptime(sc, t_a, t_b);
	sink_printf(&sc->out, "\n");
	if (st == KMM_ENOENT)
		sink_printf(&sc->out, "<missing: /proc/sys/vm/compact_memory>\n");
	scenario_vmstat_delta(sc, &before, &after);
	sink_printf(&sc->out, "@@@END %s@@@\n", vals[0]);
	free(before.text);
	free(after.text);
	return KMM_OK;
}
