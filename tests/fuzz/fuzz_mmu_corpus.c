/*
 * fuzz_mmu_corpus: the MMU corpus reader of `kmmsim mmu-replay` (src/tools/mmu_json.c and
 * mmu_replay.c). The input is a JSON Lines corpus (arm-mmu-oracle-v1); it is parsed and
 * replayed through the MMU model on the replay's machine (made once per process: 128 MiB
 * at 0x4000_0000, as the corpora assume), so the fuzzer reaches the page-table walker with
 * arbitrary registers and descriptors as well as the parser.
 *
 * Checks: no sanitizer report (the parser and the walker read only what is there); the
 * replay never reports more matching queries than queries; a parse error has a message.
 * Mismatches against the corpus's own answers are expected (the input is arbitrary) and
 * are not findings.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tools/mmu_replay.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct replay *r;
	char err[256] = "", *text;
	uint64_t queries = 0, matched = 0;
	int rc;

	if (!r) {
		r = mmu_replay_new(0, err, sizeof(err));
		if (!r) {
			fprintf(stderr, "fuzz_mmu_corpus: %s\n", err);
			abort();
		}
	}
	text = malloc(size + 1);
	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	rc = mmu_replay_text(r, "fuzz", text, &queries, &matched, err, sizeof(err));
	if (matched > queries || (rc != 0 && !err[0])) {
		fprintf(stderr, "fuzz_mmu_corpus: rc %d, %llu/%llu queries, \"%s\"\n", rc,
			(unsigned long long)matched, (unsigned long long)queries, err);
		abort();
	}
	free(text);
	return 0;
}
