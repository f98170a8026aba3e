/*
 * kmmsim subcommands implemented outside kmmsim_main.c. Each takes the words after the
 * subcommand name and the machine settings from the command line, and returns the exit code.
 */
#ifndef KMM_TOOLS_KMMSIM_H
#define KMM_TOOLS_KMMSIM_H

#include <kmm/kmm.h>

#include "tools/mmu_replay.h"

#endif /* KMM_TOOLS_KMMSIM_H */
