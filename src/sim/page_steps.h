/* Scenario steps of the page allocator (page_steps.c), listed in SCENARIO_STEPS. */
#ifndef KMM_SIM_PAGE_STEPS_H
#define KMM_SIM_PAGE_STEPS_H

#include "sim/scenario.h"

enum kmm_status step_alloc_pages(struct scenario *sc, int argc, char **argv);
enum kmm_status step_free_pages(struct scenario *sc, int argc, char **argv);
enum kmm_status step_cpu(struct scenario *sc, int argc, char **argv);
enum kmm_status step_drain(struct scenario *sc, int argc, char **argv);
enum kmm_status step_trace(struct scenario *sc, int argc, char **argv);
/* Frees the scenario's page sets (host memory only: the machine goes with the scenario). */
void scenario_page_sets_free(struct scenario *sc);

#endif /* KMM_SIM_PAGE_STEPS_H */
