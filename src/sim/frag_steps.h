/* Scenario steps of the fragmentation/compaction workload (frag_steps.c), in SCENARIO_STEPS. */
#ifndef KMM_SIM_FRAG_STEPS_H
#define KMM_SIM_FRAG_STEPS_H

#include "sim/scenario.h"

enum kmm_status step_frag(struct scenario *sc, int argc, char **argv);
enum kmm_status step_frag_check(struct scenario *sc, int argc, char **argv);
enum kmm_status step_hugepages_try(struct scenario *sc, int argc, char **argv);
enum kmm_status step_compact_memory(struct scenario *sc, int argc, char **argv);

/* The rows of SCENARIO_STEPS (scenario.c) for these steps. */
#define FRAG_SCENARIO_STEPS(X)                                                                     \
	X("frag", "TAG [pct=P] [task=NAME]", 1, 3, AFTER_BOOT, step_frag,                          \
	  "run /bin/frag on P% (60) of MemFree as task NAME (frag): touch every page, "            \
	  "MADV_DONTNEED every other one, stay alive; print /init's TAG.frag_result block")        \
	X("frag-check", "NAME", 1, 1, AFTER_BOOT, step_frag_check,                                 \
	  "check that every page frag task NAME kept still holds what it wrote")                   \
	X("hugepages-try", "TAG", 1, 1, AFTER_BOOT, step_hugepages_try,                            \
	  "/init's hugepages_try: MemFree/2M to vm.nr_hugepages, TAG.hugepages_result, state "     \
	  "TAG, back to 0, TAG.hugepages_released")                                                \
	X("compact-memory", "[block=B]", 0, 1, AFTER_BOOT, step_compact_memory,                    \
	  "echo 1 > /proc/sys/vm/compact_memory, then block B (compact_memory.result): uptime "    \
	  "and the non-zero vmstat deltas")

#endif /* KMM_SIM_FRAG_STEPS_H */
