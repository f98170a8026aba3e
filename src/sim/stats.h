/*
 * The stats API's internal side (sim/stats_api.c): the sampler's invariants for kmm_check.
 */
#ifndef KMM_SIM_STATS_H
#define KMM_SIM_STATS_H

#include <stdbool.h>
#include <stddef.h>

struct kmm_machine;

/* The sampler's invariants (stats_api.c's list); false with the reason in @why. */
bool stats_check(const struct kmm_machine *m, char *why, size_t whylen);

#endif /* KMM_SIM_STATS_H */
