/*
 * Scenario steps of the compaction part:
 *
 *   compact [node=N] [zone=NAME]   kmm_compact(): every node as `echo 1 >
 *                                  /proc/sys/vm/compact_memory`, node N as `echo 1 >
 *                                  /sys/devices/system/node/nodeN/compact`, or one zone of
 *                                  node N; then one line "compact node=N|all zone=NAME|all:"
 *                                  with the deltas of the counters below and the simulated
 *                                  time the step took.
 */
#include "sim/compact_steps.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#define VMSTAT_BUF (64u << 10)

/* The counters the step reports, in /proc/vmstat's order. */
static const char *const compact_counters[] = {
	"pgmigrate_success",
	"pgmigrate_fail",
	"compact_migrate_scanned",
	"compact_free_scanned",
	"compact_isolated",
	"compact_stall",
	"compact_fail",
	"compact_success",
	"compact_daemon_wake",
	NULL,
};

/* @name's value in /proc/vmstat text @text (0 when absent). */
static long long vmstat_get(const char *text, const char *name)
{
	size_t n = strlen(name);

	for (const char *p = text; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL)
		if (strncmp(p, name, n) == 0 && p[n] == ' ')
			return strtoll(p + n + 1, NULL, 10);
	return 0;
}

enum kmm_status step_compact(struct scenario *sc, int argc, char **argv)
{
	static const char *const keys[] = {"node", "zone", NULL};
	const char *vals[] = {NULL, NULL};
	char *before = NULL, *after = NULL;
	uint64_t nid = 0, t0, t1;
	enum kmm_status st;

	if (!scenario_parse_opts(sc, argc, argv, 1, keys, vals))
		return KMM_EINVAL;
	if (vals[0] && (!scenario_parse_u64(vals[0], &nid) || nid > 1024))
		return scenario_fail(sc, KMM_EINVAL, "compact: bad node '%s'", vals[0]);
	if (vals[1] && !vals[0])
		return scenario_fail(sc, KMM_EINVAL, "compact: zone=%s needs node=N", vals[1]);
	before = malloc(VMSTAT_BUF);
	after = malloc(VMSTAT_BUF);
	if (!before || !after) {
		free(before);
		free(after);
		return scenario_fail(sc, KMM_EHOST, "compact: no host memory for vmstat");
	}
	t0 = kmm_clock_ns(sc->m);
	st = kmm_proc_read(sc->m, "/proc/vmstat", before, VMSTAT_BUF);
	if (!st)
		st = kmm_compact(sc->m, vals[0] ? (int)nid : -1, vals[1]);
	if (!st)
		st = kmm_proc_read(sc->m, "/proc/vmstat", after, VMSTAT_BUF);
	t1 = kmm_clock_ns(sc->m);
	if (!st) {
		sink_printf(&sc->out, "compact node=%s zone=%s:", vals[0] ? vals[0] : "all",
			    vals[1] ? vals[1] : "all");
		for (int i = 0; compact_counters[i]; i++)
			sink_printf(&sc->out, " %s=%lld", compact_counters[i],
				    vmstat_get(after, compact_counters[i]) -
					    vmstat_get(before, compact_counters[i]));
		sink_printf(&sc->out, " time_us=%" PRIu64 "\n", (t1 - t0) / 1000);
	}
	free(before);
	free(after);
	if (st)
		return scenario_fail(sc, st, "compact: %s", kmm_last_error(sc->m));
	return KMM_OK;
}
