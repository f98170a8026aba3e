/*
 * kmmbench replay: trace replay throughput (kmm/replay.h), in accesses per host second.
 *
 *   TLB hits        8-byte loads round robin over 16 pages already faulted in (the L1 D-TLB
 *                   holds 32): every access is an L1 hit; the target is >= 50 M/s
 *   mixed hits      the same with a store every fourth access and an instruction fetch
 *                   stream beside it over 8 pages (both L1s, no miss)
 *   L2 hits         loads round robin over 512 resident pages: the L1 misses, L2 (1024
 *                   entries) hits
 *   random 64 MiB   loads at random pages of a resident 64 MiB: mostly walks
 *   cold 64 MiB     one store per page of a fresh 64 MiB: a page fault per access
 *   decode binary   kmm_trace_decode of our binary format (M records/s)
 *   decode lackey   kmm_trace_decode of lackey text (M records/s)
 *
 * Records are decoded beforehand (except in the decode rows): these figures are the replay's
 * own cost, not the file reading's.
 */
#include <kmm/kmm.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench.h"

#define BR_N	(4u << 20)
#define BR_BASE 0x10000000ull
#define BR_BIG	(64ull << 20)
#define BR_SEED 0x9e3779b97f4a7c15ull

static struct kmm_machine *br_machine(kmm_pid_t *pid)
{
	struct kmm_config cfg;
	struct kmm_machine *m;

	kmm_config_init(&cfg);
	if (kmm_config_option(&cfg, "-m", "1G") || kmm_config_option(&cfg, "-smp", "1") ||
	    kmm_machine_create(&cfg, &m)) {
		fprintf(stderr, "replay: machine: %s\n", kmm_last_error(NULL));
		return NULL;
	}
	if (kmm_replay_task_create(m, "bench", 0, pid)) {
		fprintf(stderr, "replay: task: %s\n", kmm_last_error(m));
		kmm_machine_destroy(m);
		return NULL;
	}
	return m;
}

static uint64_t br_rand(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

enum br_kind { BR_HITS, BR_MIXED, BR_L2, BR_RANDOM, BR_COLD, BR_KINDS };

static void br_fill(struct kmm_trace_rec *r, size_t n, enum br_kind kind)
{
	uint64_t s = BR_SEED;

	for (size_t i = 0; i < n; i++) {
		uint64_t page;
		uint32_t op = KMM_TRACE_LOAD;

		switch (kind) {
		case BR_HITS:
			page = i % 16;
			break;
		case BR_MIXED:
			if (i % 2) {
				page = 4096 + (i / 2) % 8; /* code pages */
				op = KMM_TRACE_IFETCH;
			} else {
				page = (i / 2) % 16;
				op = (i / 2) % 4 == 3 ? KMM_TRACE_STORE : KMM_TRACE_LOAD;
			}
			break;
		case BR_L2:
			page = i % 512;
			break;
		case BR_RANDOM:
			page = br_rand(&s) % (BR_BIG >> 12);
			break;
		case BR_COLD:
		default:
			page = i % (BR_BIG >> 12);
			op = KMM_TRACE_STORE;
			break;
		}
		r[i] = (struct kmm_trace_rec){BR_BASE + (page << 12) + (i % 64) * 8, 8, op, 0};
	}
}

/* M accesses per host second of replaying @r (after a warm-up pass unless @kind is cold). */
static bool br_replay(struct kmm_trace_rec *r, size_t n, enum br_kind kind, double *maps,
		      double *hit_rate)
{
	struct kmm_replay_opts o = {.map_chunk = BR_BIG};
	struct kmm_replay_stats st = {0}, warm = {0};
	struct kmm_machine *m;
	kmm_pid_t pid;
	uint64_t t0;
	bool ok = false;

	if (!(m = br_machine(&pid)))
		return false;
	if (kind != BR_COLD && kmm_replay_run(m, pid, r, n, &o, &warm))
		goto out;
	t0 = bench_now_ns();
	if (kmm_replay_run(m, pid, r, n, &o, &st))
		goto out;
	*maps = (double)n / ((double)(bench_now_ns() - t0) / 1e9) / 1e6;
	*hit_rate = (double)(st.tlb.hits[KMM_TLB_L1D] + st.tlb.hits[KMM_TLB_L1I]) /
		    (double)(st.tlb.hits[KMM_TLB_L1D] + st.tlb.hits[KMM_TLB_L1I] +
			     st.tlb.misses[KMM_TLB_L1D] + st.tlb.misses[KMM_TLB_L1I]);
	ok = true;
out:
	if (!ok)
		fprintf(stderr, "replay: %s\n", kmm_last_error(m));
	kmm_machine_destroy(m);
	return ok;
}

/* M records per host second decoding @buf[0, @len) as @fmt. */
static bool br_decode(const void *buf, size_t len, enum kmm_trace_format fmt,
		      struct kmm_trace_rec *out, size_t n, double *mrps)
{
	struct kmm_trace_decoder d;
	size_t got = 0, used = 0;
	uint64_t t0 = bench_now_ns();

	kmm_trace_decoder_init(&d, fmt);
	if (kmm_trace_decode(&d, buf, len, true, out, n, &got, &used) || got != n) {
		fprintf(stderr, "replay: decode: %s (%zu of %zu)\n", d.error, got, n);
		return false;
	}
	*mrps = (double)n / ((double)(bench_now_ns() - t0) / 1e9) / 1e6;
	return true;
}

int bench_replay(struct bench *b)
{
	static const struct {
		const char *metric;
		size_t n;
	} rows[BR_KINDS] = {
		{"TLB hits (16 pages)", BR_N},
		{"mixed I+D hits", BR_N},
		{"L2 hits (512 pages)", BR_N},
		{"random pages of 64 MiB", BR_N / 4},
		{"cold 64 MiB (a fault each)", BR_BIG >> 12},
	};
	struct kmm_trace_rec *r = malloc(BR_N * sizeof(*r)), *out = malloc(BR_N * sizeof(*r));
	uint8_t *bin = malloc(KMM_TRACE_ENCODE_MAX(BR_N));
	char *text = malloc((size_t)BR_N * 24);
	double s[BENCH_MAX_RUNS], hr[BENCH_MAX_RUNS], d[BENCH_MAX_RUNS];
	size_t binlen = 0, textlen = 0;
	char note[96];
	int rc = 1;

	if (!r || !out || !bin || !text)
		goto out;
	for (int k = 0; k < BR_KINDS; k++) {
		br_fill(r, rows[k].n, (enum br_kind)k);
		for (int i = 0; i < b->runs; i++) {
			if (!br_replay(r, rows[k].n, (enum br_kind)k, &s[i], &hr[i]))
				goto out;
		}
		snprintf(note, sizeof(note), "L1 hit rate %.4f%s", hr[0],
			 k == BR_HITS ? "; target >= 50 M/s" : "");
		bench_figure(b, rows[k].metric, "M accesses/s", s, b->runs, note);
	}
	/* decoding: a mixed trace, encoded once in each format */
	br_fill(r, BR_N, BR_MIXED);
	{
		struct kmm_trace_encoder e = {0};
		if (kmm_trace_encode(&e, r, BR_N, bin, KMM_TRACE_ENCODE_MAX(BR_N), &binlen))
			goto out;
		for (size_t i = 0; i < BR_N; i++)
			textlen += (size_t)sprintf(text + textlen, "%s%08llx,%llu\n",
						   r[i].op == KMM_TRACE_IFETCH	? "I  "
						   : r[i].op == KMM_TRACE_STORE ? " S "
										: " L ",
						   (unsigned long long)r[i].va,
						   (unsigned long long)r[i].size);
	}
	for (int i = 0; i < b->runs; i++) {
		if (!br_decode(bin, binlen, KMM_TRACE_FMT_BINARY, out, BR_N, &d[i]))
			goto out;
	}
	snprintf(note, sizeof(note), "%.2f bytes per record (before gzip)", (double)binlen / BR_N);
	bench_figure(b, "decode binary", "M records/s", d, b->runs, note);
	for (int i = 0; i < b->runs; i++) {
		if (!br_decode(text, textlen, KMM_TRACE_FMT_LACKEY, out, BR_N, &d[i]))
			goto out;
	}
	bench_figure(b, "decode lackey text", "M records/s", d, b->runs, NULL);
	rc = 0;
out:
	free(r);
	free(out);
	free(bin);
	free(text);
	return rc;
}
