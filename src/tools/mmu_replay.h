/*
 * kmmsim mmu-replay: differential test of the MMU model against oracle corpora.
 */
#ifndef KMM_TOOLS_MMU_REPLAY_H
#define KMM_TOOLS_MMU_REPLAY_H

#include <stdint.h>

#include <kmm/kmm.h>

/*
 * `kmmsim mmu-replay [--show N] [--qemu] CORPUS...` (argv[0] is the command name). Prints
 * "N/M queries match" per file and in total, and the first N mismatches in detail. Returns
 * 0 when every query matches, 1 on mismatches, 2 on usage or I/O errors.
 */
int kmmsim_cmd_mmu_replay(const struct kmm_config *cfg, int argc, char **argv);

/*
 * The same replay on a corpus held in memory, for tests/fuzz/fuzz_mmu_corpus.c: a replay
 * with its machine (the 128 MiB of RAM the corpora assume, filled once), reusable for many
 * corpora; MISMATCH lines (at most @max_show) go to stdout.
 */
struct replay;
struct replay *mmu_replay_new(unsigned max_show, char *err, size_t errlen);
/*
 * Replays the JSON Lines in the NUL-terminated @text (modified in place), @name naming it in
 * messages. Returns 0 with the number of queries and of matching ones, or 2 with the
 * parser's message in @err at the first line that is not JSON.
 */
int mmu_replay_text(struct replay *r, const char *name, char *text, uint64_t *queries,
		    uint64_t *matched, char *err, size_t errlen);
void mmu_replay_free(struct replay *r);

#endif /* KMM_TOOLS_MMU_REPLAY_H */
