/*
 * kmmbench harness: timing, statistics (median of several runs with the spread), and the
 * table / JSON output.
 */
#ifndef KMM_BENCH_H
#define KMM_BENCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define BENCH_MAX_RUNS 64

struct bench {
	const char *name;
	bool json;
	int runs; /* repetitions per figure (--runs N, default 7) */
	int nr_rows;
};

/* Monotonic host time in nanoseconds. */
uint64_t bench_now_ns(void);

/* Resident set size of this process in bytes (0 where the platform cannot tell). */
uint64_t bench_rss_bytes(void);

/*
 * Records one figure from @n samples: prints "metric  median  [min .. max]  unit" (or adds it
 * to the JSON object). @note is printed after the row (may be NULL).
 */
void bench_figure(struct bench *b, const char *metric, const char *unit, const double *samples,
		  int n, const char *note);

/* A note line under the table (in JSON: the "notes" array). */
void bench_note(struct bench *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#define KMM_BENCH_DECLARE(name, help) int bench_##name(struct bench *b);
#include "benches.h"
KMM_BENCHES(KMM_BENCH_DECLARE)
#undef KMM_BENCH_DECLARE

#endif /* KMM_BENCH_H */
