/* Scenario steps of the slab allocator (slab_steps.c), listed in SCENARIO_STEPS. */
#ifndef KMM_SIM_SLAB_STEPS_H
#define KMM_SIM_SLAB_STEPS_H

#include "sim/scenario.h"

enum kmm_status step_kmem_cache_create(struct scenario *sc, int argc, char **argv);
enum kmm_status step_kmem_cache_destroy(struct scenario *sc, int argc, char **argv);
enum kmm_status step_kmem_cache_shrink(struct scenario *sc, int argc, char **argv);
enum kmm_status step_kmem_cache_alloc(struct scenario *sc, int argc, char **argv);
enum kmm_status step_kmalloc(struct scenario *sc, int argc, char **argv);
enum kmm_status step_kfree(struct scenario *sc, int argc, char **argv);
/* Frees the scenario's caches list and object sets (host memory only). */
void scenario_slab_sets_free(struct scenario *sc);

#endif /* KMM_SIM_SLAB_STEPS_H */
