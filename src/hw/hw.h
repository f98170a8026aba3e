/*
 * The hardware of one machine: the physical address space and the CPUs (whose MMU state,
 * TLBs and access path live in src/hw/cpu.h and the MMU files). It knows nothing about
 * pages, zones or tasks.
 */
#ifndef KMM_HW_HW_H
#define KMM_HW_HW_H

#include "hw/phys.h"
#include "lib/env.h"

struct hw_cpu;

struct kmm_hw {
	struct kmm_env *env;
	struct hw_phys phys;
	uint32_t nr_cpus;
	struct hw_cpu *cpus;	       /* nr_cpus entries */
	struct hw_cpu_features *model; /* the machine's CPU model: every cpus[i].feat points here */
};

/* Builds the hardware from a validated config; false (reason in env) on host exhaustion. */
bool hw_init(struct kmm_hw *hw, struct kmm_env *env, const struct kmm_config *cfg);
void hw_fini(struct kmm_hw *hw);

bool hw_check(const struct kmm_hw *hw, char *why, size_t whylen);

/* Per-CPU hardware state (cpu.c): set up at power-on reset, freed at teardown. */
bool hw_cpus_init(struct kmm_hw *hw, const struct kmm_config *cfg);
void hw_cpus_fini(struct kmm_hw *hw);
bool hw_cpus_check(const struct kmm_hw *hw, char *why, size_t whylen);

#endif /* KMM_HW_HW_H */
