/*
 * kmmsim mmu-replay: differential test of the MMU model against oracle corpora.
 */
#ifndef KMM_TOOLS_MMU_REPLAY_H
#define KMM_TOOLS_MMU_REPLAY_H

#include <kmm/kmm.h>

/*
 * `kmmsim mmu-replay [--show N] [--qemu] CORPUS...` (argv[0] is the command name). Prints
 * "N/M queries match" per file and in total, and the first N mismatches in detail. Returns
 * 0 when every query matches, 1 on mismatches, 2 on usage or I/O errors.
 */
int kmmsim_cmd_mmu_replay(const struct kmm_config *cfg, int argc, char **argv);

#endif /* KMM_TOOLS_MMU_REPLAY_H */
