/* Scenario steps of khugepaged (khugepaged_steps.c), listed in SCENARIO_STEPS. */
#ifndef KMM_SIM_KHUGEPAGED_STEPS_H
#define KMM_SIM_KHUGEPAGED_STEPS_H

#include "sim/scenario.h"

enum kmm_status step_khugepaged(struct scenario *sc, int argc, char **argv);

/* X(name, usage, min args, max args, phase, handler, help) rows for SCENARIO_STEPS. */
#define KHUGEPAGED_SCENARIO_STEPS(X)                                                               \
	X("khugepaged", "[scans=N]", 0, 1, AFTER_BOOT, step_khugepaged,                            \
	  "run N passes of khugepaged now (default 1); print the collapse counters' deltas")

#endif /* KMM_SIM_KHUGEPAGED_STEPS_H */
