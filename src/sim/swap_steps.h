/* Scenario steps of swap devices (swap_steps.c), listed in SCENARIO_STEPS. */
#ifndef KMM_SIM_SWAP_STEPS_H
#define KMM_SIM_SWAP_STEPS_H

#include "sim/scenario.h"

enum kmm_status step_swapon(struct scenario *sc, int argc, char **argv);
enum kmm_status step_swapoff(struct scenario *sc, int argc, char **argv);
enum kmm_status step_zram(struct scenario *sc, int argc, char **argv);

/* The rows of SCENARIO_STEPS (scenario.c) for these steps. */
#define SWAP_SCENARIO_STEPS(X)                                                                     \
	X("swapon", "DEV SIZE [prio=N] [file=HOSTPATH]", 2, 4, AFTER_BOOT, step_swapon,            \
	  "mkswap and swapon a plain disk DEV of SIZE (contents in host memory or HOSTPATH)")      \
	X("swapoff", "DEV", 1, 1, AFTER_BOOT, step_swapoff, "swapoff DEV (a plain disk or zram)")  \
	X("zram", "disksize=SIZE [dev=/dev/zramN] [mem_limit=SIZE] [prio=N]", 1, 4, AFTER_BOOT,    \
	  step_zram, "set up zram (lzo-rle named, LZO1X-1 run), mkswap and swapon it")

#endif /* KMM_SIM_SWAP_STEPS_H */
