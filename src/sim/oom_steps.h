/* Scenario steps of the reclaim workloads (oom_steps.c), listed in SCENARIO_STEPS. */
#ifndef KMM_SIM_OOM_STEPS_H
#define KMM_SIM_OOM_STEPS_H

#include "sim/scenario.h"

enum kmm_status step_state(struct scenario *sc, int argc, char **argv);
enum kmm_status step_dump(struct scenario *sc, int argc, char **argv);
enum kmm_status step_dump_dmesg(struct scenario *sc, int argc, char **argv);
enum kmm_status step_hog(struct scenario *sc, int argc, char **argv);
enum kmm_status step_vmstat_mark(struct scenario *sc, int argc, char **argv);
enum kmm_status step_vmstat_delta(struct scenario *sc, int argc, char **argv);
/* A /proc/vmstat snapshot: the whole view's text (free(text) when done). */
struct vmstat_snap {
	char *text;
	size_t len, cap;
};
/* Takes a snapshot; false (nothing to free) when the host has no memory for it. */
bool scenario_vmstat_snap(struct scenario *sc, struct vmstat_snap *v);
/* Prints /init's awk: "name delta" for each counter of @after that differs from @before. */
void scenario_vmstat_delta(struct scenario *sc, const struct vmstat_snap *before,
			   const struct vmstat_snap *after);
/* Frees the vmstat-mark snapshot (host memory only). */
void scenario_vmstat_mark_free(struct scenario *sc);

/* The rows of SCENARIO_STEPS (scenario.c) for these steps. */
#define OOM_SCENARIO_STEPS(X)                                                                      \
	X("state", "NAME", 1, 1, AFTER_BOOT, step_state,                                           \
	  "print /init's state NAME: buddyinfo, pagetypeinfo, extfrag, vmstat, meminfo, zoneinfo " \
	  "between @@@BEGIN/END NAME.X@@@ lines")                                                  \
	X("dump", "NAME PATH", 2, 2, AFTER_BOOT, step_dump,                                        \
	  "print a view between @@@BEGIN NAME@@@ and @@@END NAME@@@")                              \
	X("dump-dmesg", "NAME", 1, 1, AFTER_BOOT, step_dump_dmesg,                                 \
	  "print the kernel log between @@@BEGIN NAME@@@ and @@@END NAME@@@")                      \
	X("hog", "NAME STEP MAX [halfrand] [nothp] [block=B]", 3, 6, AFTER_BOOT, step_hog,         \
	  "run /bin/hog STEP MAX as task NAME (map and touch STEP MiB chunks until killed or "     \
	  "MAX MiB), then print /init's oom.result block")                                         \
	X("vmstat-mark", "", 0, 0, AFTER_BOOT, step_vmstat_mark,                                   \
	  "remember /proc/vmstat and the clock (/init's cp /proc/vmstat /tmp/vmstat.before)")      \
	X("vmstat-delta", "NAME", 1, 1, AFTER_BOOT, step_vmstat_delta,                             \
	  "print block NAME: uptime_before/after and the non-zero vmstat deltas "                  \
	  "since vmstat-mark (/init's read.result)")

#endif /* KMM_SIM_OOM_STEPS_H */
