/*
 * Scenario steps of the time series (sample_steps.c), listed in SCENARIO_STEPS: start the
 * sampler of include/kmm/stats.h on chosen counters, stop it and print its rows as CSV.
 */
#ifndef KMM_SIM_SAMPLE_STEPS_H
#define KMM_SIM_SAMPLE_STEPS_H

#include "sim/scenario.h"

enum kmm_status step_sample(struct scenario *sc, int argc, char **argv);
enum kmm_status step_sample_stop(struct scenario *sc, int argc, char **argv);

/* X(name, usage, min args, max args, phase, handler, help) rows for SCENARIO_STEPS. */
#define SAMPLE_SCENARIO_STEPS(X)                                                                   \
	X("sample", "COUNTER[,COUNTER...] [every=T]", 1, 2, AFTER_BOOT, step_sample,               \
	  "sample counters (vmstat fields, free_order_N, unusable_index_N, "                       \
	  "fragmentation_score, tlb_hits, ...) every T of simulated time (100us; ns/us/ms/s)")     \
	X("sample-stop", "[block=NAME]", 0, 1, AFTER_BOOT, step_sample_stop,                       \
	  "stop sampling and print the rows as CSV in block NAME (samples): "                      \
	  "@@@BEGIN NAME@@@ ... @@@END NAME@@@")

#endif /* KMM_SIM_SAMPLE_STEPS_H */
