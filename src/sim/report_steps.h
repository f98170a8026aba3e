/* Snapshot/delta report steps (report_steps.c), listed in SCENARIO_STEPS. */
#ifndef KMM_SIM_REPORT_STEPS_H
#define KMM_SIM_REPORT_STEPS_H

#include "sim/scenario.h"

enum kmm_status step_report_exp(struct scenario *sc, int argc, char **argv);
enum kmm_status step_snap(struct scenario *sc, int argc, char **argv);
enum kmm_status step_report_step(struct scenario *sc, int argc, char **argv);
enum kmm_status step_report_maps(struct scenario *sc, int argc, char **argv);
enum kmm_status step_report_maps_with(struct scenario *sc, int argc, char **argv);
enum kmm_status step_report_smaps(struct scenario *sc, int argc, char **argv);
enum kmm_status step_report_file(struct scenario *sc, int argc, char **argv);
/* Frees the scenario's snapshots (host memory only). */
void scenario_report_free(struct scenario *sc);

#endif /* KMM_SIM_REPORT_STEPS_H */
