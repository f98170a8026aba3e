/*
 * Scenario steps of khugepaged:
 *
 *   khugepaged [scans=N]   kmm_khugepaged_scan(): N passes (default 1) of khugepaged's scan
 *                          now, each over pages_to_scan as the thread's are; then one line
 *                          "khugepaged scans=N:" with the deltas of pages_collapsed,
 *                          full_scans and the thp_collapse_alloc/thp_scan_exceed_* vmstat
 *                          counters, and the simulated time the step took.
 */
#include "sim/khugepaged_steps.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#define VMSTAT_BUF (64u << 10)
#define KH_DIR	   "/sys/kernel/mm/transparent_hugepage/khugepaged/"

static const char *const vmstat_counters[] = {
	"thp_collapse_alloc",	    "thp_collapse_alloc_failed", "thp_scan_exceed_none_pte",
	"thp_scan_exceed_swap_pte", "thp_scan_exceed_share_pte", NULL,
};

static long long vmstat_get(const char *text, const char *name)
{
	size_t n = strlen(name);

	for (const char *p = text; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL)
		if (!strncmp(p, name, n) && p[n] == ' ')
			return strtoll(p + n + 1, NULL, 10);
	return 0;
}

static long long sysfs_get(struct scenario *sc, const char *file)
{
	char path[128], buf[32];

	strcpy(path, KH_DIR);
	strcat(path, file);
	if (kmm_proc_read(sc->m, path, buf, sizeof(buf)))
		return 0;
	return strtoll(buf, NULL, 10);
}

enum kmm_status step_khugepaged(struct scenario *sc, int argc, char **argv)
{
	static const char *const keys[] = {"scans", NULL};
	const char *vals[] = {NULL};
	long long collapsed, full;
	char *before, *after;
	unsigned int done = 0;
	uint64_t scans = 1, t0;
	enum kmm_status st;

	if (!scenario_parse_opts(sc, argc, argv, 1, keys, vals))
		return KMM_EINVAL;
	if (vals[0] && (!scenario_parse_u64(vals[0], &scans) || scans > 1000000))
		return scenario_fail(sc, KMM_EINVAL, "khugepaged: bad scans '%s'", vals[0]);
	before = malloc(VMSTAT_BUF);
	after = malloc(VMSTAT_BUF);
	if (!before || !after) {
		free(before);
		free(after);
		return scenario_fail(sc, KMM_EHOST, "khugepaged: no host memory for vmstat");
	}
	t0 = kmm_clock_ns(sc->m);
	collapsed = sysfs_get(sc, "pages_collapsed");
	full = sysfs_get(sc, "full_scans");
	st = kmm_proc_read(sc->m, "/proc/vmstat", before, VMSTAT_BUF);
	if (!st)
		st = kmm_khugepaged_scan(sc->m, (unsigned int)scans, &done);
	if (!st)
		st = kmm_proc_read(sc->m, "/proc/vmstat", after, VMSTAT_BUF);
	if (!st) {
		sink_printf(&sc->out, "khugepaged scans=%u: pages_collapsed=%lld full_scans=%lld",
			    done, sysfs_get(sc, "pages_collapsed") - collapsed,
			    sysfs_get(sc, "full_scans") - full);
		for (int i = 0; vmstat_counters[i]; i++)
			sink_printf(&sc->out, " %s=%lld", vmstat_counters[i],
				    vmstat_get(after, vmstat_counters[i]) -
					    vmstat_get(before, vmstat_counters[i]));
		sink_printf(&sc->out, " time_us=%" PRIu64 "\n", (kmm_clock_ns(sc->m) - t0) / 1000);
	}
	free(before);
	free(after);
	if (st)
		return scenario_fail(sc, st, "khugepaged: %s", kmm_last_error(sc->m));
	return KMM_OK;
}
