/*
 * kmmsim subcommands implemented outside kmmsim_main.c. Each takes the words after the
 * subcommand name and the machine settings from the command line, and returns the exit code.
 */
#ifndef KMM_SIM_KMMSIM_H
#define KMM_SIM_KMMSIM_H

#include <kmm/kmm.h>

#include "sim/mmu_replay.h"

#endif /* KMM_SIM_KMMSIM_H */
