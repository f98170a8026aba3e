/*
 * kmmsim subcommands implemented outside kmmsim_main.c. Each takes the words after the
 * subcommand name and the machine settings from the command line, and returns the exit code.
 */
#ifndef KMM_TOOLS_KMMSIM_H
#define KMM_TOOLS_KMMSIM_H

#include <kmm/kmm.h>

#include "tools/mmu_replay.h"

/* kmmsim replay TRACE: a memory-access trace through a simulated task (trace_cmd.c). */
int kmmsim_cmd_replay(const struct kmm_config *cfg, int argc, char **argv);
/* kmmsim trace-convert IN OUT: lackey text <-> kmm binary traces (trace_cmd.c). */
int kmmsim_cmd_trace_convert(const struct kmm_config *cfg, int argc, char **argv);
/* kmmsim_json.c: --json proc and run (@opts: the @nopts machine option words), and plot. */
int kmmsim_json_proc(const struct kmm_config *cfg, int nopts, char **opts, int argc, char **argv);
int kmmsim_json_run(const struct kmm_config *cfg, int nopts, char **opts, const char *name,
		    const char *text);
int kmmsim_cmd_plot(const struct kmm_config *cfg, int argc, char **argv);

#endif /* KMM_TOOLS_KMMSIM_H */
