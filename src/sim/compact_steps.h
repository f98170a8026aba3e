/* Scenario steps of the compaction part (compact_steps.c), listed in SCENARIO_STEPS. */
#ifndef KMM_SIM_COMPACT_STEPS_H
#define KMM_SIM_COMPACT_STEPS_H

#include "sim/scenario.h"

enum kmm_status step_compact(struct scenario *sc, int argc, char **argv);

/* X(name, usage, min args, max args, phase, handler, help) rows for SCENARIO_STEPS. */
#define COMPACT_SCENARIO_STEPS(X)                                                                  \
	X("compact", "[node=N] [zone=NAME]", 0, 2, AFTER_BOOT, step_compact,                       \
	  "compact every node (vm.compact_memory), one node (nodeN/compact) or one of its zones; " \
	  "print the compact_* and pgmigrate_* vmstat deltas")

#endif /* KMM_SIM_COMPACT_STEPS_H */
