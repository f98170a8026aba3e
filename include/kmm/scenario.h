/*
 * Scenarios: plain-text scripts, one step per line, that build a machine, drive it and
 * print views. kmmsim runs them; hosts can too. The format is in docs/scenarios.md.
 */
#ifndef KMM_SCENARIO_H
#define KMM_SCENARIO_H

#include <kmm/config.h>
#include <kmm/types.h>

#ifdef __cplusplus
extern "C" {
#endif

struct kmm_machine;

/*
 * Runs the scenario in @text (named @name in messages, e.g. its file name), starting from
 * the machine settings in @base (NULL: defaults). Output (views, echo) goes to @out.
 * Returns KMM_OK, or the failing step's status with "NAME:LINE: message" in
 * kmm_last_error(NULL). Every machine the scenario built is destroyed before returning.
 */
KMM_API enum kmm_status kmm_scenario_run(const char *text, const char *name,
					 const struct kmm_config *base, kmm_sink_fn out,
					 void *out_arg);

/* The scenario kmmsim runs when none is named (examples/scenarios/default.kmm). */
KMM_API const char *kmm_scenario_default(void);

/* Writes the list of steps with their usage and help through @out. */
KMM_API void kmm_scenario_help(kmm_sink_fn out, void *out_arg);

#ifdef __cplusplus
}
#endif

#endif /* KMM_SCENARIO_H */
