/* Scenario steps of the hugetlb pools (hugetlb_steps.c), listed in SCENARIO_STEPS. */
#ifndef KMM_SIM_HUGETLB_STEPS_H
#define KMM_SIM_HUGETLB_STEPS_H

#include "sim/scenario.h"

enum kmm_status step_hugepages(struct scenario *sc, int argc, char **argv);

/* The rows of SCENARIO_STEPS (scenario.c) for these steps. */
#define HUGETLB_SCENARIO_STEPS(X)                                                                  \
	X("hugepages", "N|auto [size=2M] [node=N] [block=NAME]", 1, 4, AFTER_BOOT, step_hugepages, \
	  "set a hugetlb pool to N pages (auto: MemFree / size, as /init asks) and print "         \
	  "requested=N obtained=M; with block=NAME /init's whole hugepages_result block")

#endif /* KMM_SIM_HUGETLB_STEPS_H */
