/* Scenario steps of vmalloc (vmalloc_steps.c), listed in SCENARIO_STEPS. */
#ifndef KMM_SIM_VMALLOC_STEPS_H
#define KMM_SIM_VMALLOC_STEPS_H

#include "sim/scenario.h"

enum kmm_status step_vmalloc(struct scenario *sc, int argc, char **argv);
enum kmm_status step_vfree(struct scenario *sc, int argc, char **argv);
enum kmm_status step_ioremap(struct scenario *sc, int argc, char **argv);
enum kmm_status step_iounmap(struct scenario *sc, int argc, char **argv);
enum kmm_status step_vpurge(struct scenario *sc, int argc, char **argv);
enum kmm_status step_load64(struct scenario *sc, int argc, char **argv);
enum kmm_status step_store64(struct scenario *sc, int argc, char **argv);
/* Frees the scenario's names of areas (host memory only). */
void scenario_vm_names_free(struct scenario *sc);

#endif /* KMM_SIM_VMALLOC_STEPS_H */
