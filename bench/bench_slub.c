/*
 * kmmbench slub: SLUB's fast paths and kmalloc against jemalloc, on the same size traces, in
 * one run (a 1 GiB, 1-CPU machine with the reference settings: ARCH_DMA_MINALIGN 128,
 * init_on_alloc on, freelist hardening and randomisation on).
 *
 *   kmem_cache pair     kmem_cache_alloc + kmem_cache_free of one 64-byte object, repeated
 *                       (the CPU freelist fast paths)
 *   kmalloc pair        kmalloc + kfree of one object, over a trace of sizes: fixed 64 B, and
 *                       mixed 8 B .. 8 KiB (sizes drawn evenly, the same trace for both)
 *   malloc pair         jemalloc's malloc + free over the same traces
 *   calloc pair, batch  jemalloc's calloc + free: zeroing, the like of kmalloc with
 *                       init_on_alloc=1
 *   batch of 1024       1024 allocations then 1024 frees (slow paths: new slabs, refills,
 *                       CPU partials), per object, kmalloc and malloc, mixed trace
 *   init_on_alloc=0     the kmalloc figures on a machine that does not zero objects (the
 *                       reference kernel zeroes them; malloc does not)
 *   bulk of 16          kmem_cache_alloc_bulk + kmem_cache_free_bulk of 16, per object
 *   public API pair     kmm_kmem_cache_alloc + kmm_kmem_cache_free (argument checks, handles,
 *                       the BUG unwind setup)
 *
 * Memory: 1 M live 64-byte objects of a 64-byte cache: slab pages over payload (target
 * <= 1.1), and the same for kmalloc(64), which the arm64 minimum alignment puts in
 * kmalloc-128.
 */
#include <jemalloc/jemalloc.h>
#include <kmm/kmm.h>
#include <stdio.h>
#include <stdlib.h>

#include "bench.h"
#include "mm/slab.h"
#include "sim/machine.h"

#define TRACE_LEN 4096
#define PAIRS	  2000000
#define BATCH	  1024

static size_t trace_fixed[TRACE_LEN], trace_mixed[TRACE_LEN];

static void make_traces(void)
{
	uint64_t x = 0x2545f4914f6cdd1dull;

	for (int i = 0; i < TRACE_LEN; i++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		trace_fixed[i] = 64;
		trace_mixed[i] = 8 + x % (8192 - 8 + 1);
	}
}

static double ns_per(uint64_t t0, uint64_t n)
{
	return (double)(bench_now_ns() - t0) / (double)n;
}

static double cache_pair(struct kmm_kernel *k, struct kmem_cache *s)
{
	uint64_t t0 = bench_now_ns();

	for (int i = 0; i < PAIRS; i++) {
		uint64_t p = kmem_cache_alloc(k, s, GFP_KERNEL);

		kmem_cache_free(k, s, p);
	}
	return ns_per(t0, PAIRS);
}

static double kmalloc_pair(struct kmm_kernel *k, const size_t *trace)
{
	uint64_t t0 = bench_now_ns();

	for (int i = 0; i < PAIRS; i++)
		kfree(k, kmalloc(k, trace[i & (TRACE_LEN - 1)], GFP_KERNEL));
	return ns_per(t0, PAIRS);
}

static double malloc_pair(const size_t *trace)
{
	uint64_t t0 = bench_now_ns();

	for (int i = 0; i < PAIRS; i++) {
		void *p = malloc(trace[i & (TRACE_LEN - 1)]);

		__asm__ volatile("" : : "r"(p) : "memory");
		free(p);
	}
	return ns_per(t0, PAIRS);
}

/* calloc + free: jemalloc zeroing what it hands out, as kmalloc does with init_on_alloc. */
static double calloc_pair(const size_t *trace)
{
	uint64_t t0 = bench_now_ns();

	for (int i = 0; i < PAIRS; i++) {
		void *p = calloc(1, trace[i & (TRACE_LEN - 1)]);

		__asm__ volatile("" : : "r"(p) : "memory");
		free(p);
	}
	return ns_per(t0, PAIRS);
}

static double kmalloc_batch(struct kmm_kernel *k, const size_t *trace)
{
	static uint64_t p[BATCH];
	uint64_t t0 = bench_now_ns();

	for (int r = 0; r < 200; r++) {
		for (int i = 0; i < BATCH; i++)
			p[i] = kmalloc(k, trace[(r * BATCH + i) & (TRACE_LEN - 1)], GFP_KERNEL);
		for (int i = 0; i < BATCH; i++)
			kfree(k, p[i]);
	}
	return ns_per(t0, 200 * BATCH);
}

static double malloc_batch(const size_t *trace)
{
	static void *p[BATCH];
	uint64_t t0 = bench_now_ns();

	for (int r = 0; r < 200; r++) {
		for (int i = 0; i < BATCH; i++)
			p[i] = malloc(trace[(r * BATCH + i) & (TRACE_LEN - 1)]);
		__asm__ volatile("" : : "r"(p) : "memory");
		for (int i = 0; i < BATCH; i++)
			free(p[i]);
	}
	return ns_per(t0, 200 * BATCH);
}

static double calloc_batch(const size_t *trace)
{
	static void *p[BATCH];
	uint64_t t0 = bench_now_ns();

	for (int r = 0; r < 200; r++) {
		for (int i = 0; i < BATCH; i++)
			p[i] = calloc(1, trace[(r * BATCH + i) & (TRACE_LEN - 1)]);
		__asm__ volatile("" : : "r"(p) : "memory");
		for (int i = 0; i < BATCH; i++)
			free(p[i]);
	}
	return ns_per(t0, 200 * BATCH);
}

static double bulk16(struct kmm_kernel *k, struct kmem_cache *s)
{
	uint64_t p[16], t0 = bench_now_ns();

	for (int i = 0; i < PAIRS / 16; i++) {
		kmem_cache_alloc_bulk(k, s, GFP_KERNEL, 16, p);
		kmem_cache_free_bulk(k, s, 16, p);
	}
	return ns_per(t0, PAIRS);
}

static double api_pair(struct kmm_machine *m, kmm_cache_t c)
{
	uint64_t t0 = bench_now_ns();
	kmm_va_t va;

	for (int i = 0; i < PAIRS / 4; i++) {
		kmm_kmem_cache_alloc(m, c, KMM_GFP_KERNEL, &va);
		kmm_kmem_cache_free(m, c, va);
	}
	return ns_per(t0, PAIRS / 4);
}

/* Slab bytes per payload byte with 1 M live 64-byte objects of @s (kmalloc when NULL). */
static double million(struct kmm_kernel *k, struct kmem_cache *s)
{
	static uint64_t p[1 << 20];
	long before = NODE_DATA(k, 0)->vm_stat[NR_SLAB_UNRECLAIMABLE_B], after;

	for (int i = 0; i < 1 << 20; i++)
		p[i] = s ? kmem_cache_alloc(k, s, GFP_KERNEL) : kmalloc(k, 64, GFP_KERNEL);
	after = NODE_DATA(k, 0)->vm_stat[NR_SLAB_UNRECLAIMABLE_B];
	for (int i = 0; i < 1 << 20; i++)
		kfree(k, p[i]);
	return (double)(after - before) / (double)(64ull << 20);
}

int bench_slub(struct bench *b)
{
	double r[20][BENCH_MAX_RUNS];
	struct kmm_config cfg;
	struct kmm_machine *m, *m0;
	struct kmm_kernel *k;
	struct kmem_cache *s64;
	kmm_cache_t api;
	char note[160];

	make_traces();
	kmm_config_init(&cfg);
	kmm_config_option(&cfg, "-m", "1G");
	kmm_config_option(&cfg, "-smp", "1");
	if (kmm_machine_create(&cfg, &m) != KMM_OK) {
		fprintf(stderr, "kmmbench slub: %s\n", kmm_last_error(NULL));
		return 1;
	}
	k = &m->kernel;
	s64 = kmem_cache_create(k, "bench64", 64, 0, 0, NULL, NULL);
	if (!s64 || kmm_kmem_cache_create(m, "bench64api", 64, 0, 0, NULL, NULL, &api)) {
		fprintf(stderr, "kmmbench slub: cannot create the caches\n");
		kmm_machine_destroy(m);
		return 1;
	}
	/* The same kernel without init_on_alloc: no zeroing, as malloc. */
	kmm_config_append(&cfg, "init_on_alloc=0");
	if (kmm_machine_create(&cfg, &m0) != KMM_OK) {
		fprintf(stderr, "kmmbench slub: %s\n", kmm_last_error(NULL));
		kmm_machine_destroy(m);
		return 1;
	}
	for (int i = 0; i < b->runs; i++) {
		r[13][i] = kmalloc_pair(&m0->kernel, trace_fixed);
		r[14][i] = calloc_pair(trace_fixed);
		r[15][i] = calloc_pair(trace_mixed);
		r[16][i] = calloc_batch(trace_mixed);
		r[11][i] = kmalloc_pair(&m0->kernel, trace_mixed);
		r[12][i] = kmalloc_batch(&m0->kernel, trace_mixed);
		r[0][i] = cache_pair(k, s64);
		r[1][i] = kmalloc_pair(k, trace_fixed);
		r[2][i] = malloc_pair(trace_fixed);
		r[3][i] = kmalloc_pair(k, trace_mixed);
		r[4][i] = malloc_pair(trace_mixed);
		r[5][i] = kmalloc_batch(k, trace_mixed);
		r[6][i] = malloc_batch(trace_mixed);
		r[7][i] = bulk16(k, s64);
		r[8][i] = api_pair(m, api);
	}
	/* Simulated time (the cost table's charges, deterministic): one pass each. */
	{
		uint64_t t0 = kmm_clock_ns(m);

		cache_pair(k, s64);
		r[17][0] = (double)(kmm_clock_ns(m) - t0) / PAIRS;
		t0 = kmm_clock_ns(m);
		kmalloc_pair(k, trace_fixed);
		r[18][0] = (double)(kmm_clock_ns(m) - t0) / PAIRS;
		t0 = kmm_clock_ns(m);
		kmalloc_pair(k, trace_mixed);
		r[19][0] = (double)(kmm_clock_ns(m) - t0) / PAIRS;
	}
	r[9][0] = million(k, s64);
	r[10][0] = million(k, NULL);
	if (kmm_check(m) != KMM_OK || kmm_report_count(m)) {
		fprintf(stderr, "kmmbench slub: the machine is not clean: %s\n", kmm_last_error(m));
		kmm_machine_destroy(m);
		return 1;
	}
	bench_figure(b, "kmem_cache_alloc + kmem_cache_free, 64 B: ns per pair", "ns", r[0],
		     b->runs, "target <= 10 ns");
	bench_figure(b, "kmalloc + kfree, 64 B: ns per pair", "ns", r[1], b->runs, NULL);
	bench_figure(b, "jemalloc malloc + free, 64 B: ns per pair", "ns", r[2], b->runs, NULL);
	bench_figure(b, "jemalloc calloc + free, 64 B: ns per pair", "ns", r[14], b->runs,
		     "zeroes, as kmalloc with init_on_alloc=1");
	bench_figure(b, "kmalloc + kfree, 64 B, init_on_alloc=0: ns per pair", "ns", r[13], b->runs,
		     "no zeroing, as malloc");
	bench_figure(b, "kmalloc + kfree, 8 B..8 KiB: ns per pair", "ns", r[3], b->runs, NULL);
	bench_figure(b, "jemalloc calloc + free, 8 B..8 KiB: ns per pair", "ns", r[15], b->runs,
		     "zeroes, as kmalloc with init_on_alloc=1");
	bench_figure(b, "jemalloc malloc + free, 8 B..8 KiB: ns per pair", "ns", r[4], b->runs,
		     NULL);
	bench_figure(b, "kmalloc x1024 then kfree x1024, 8 B..8 KiB: ns per object", "ns", r[5],
		     b->runs, NULL);
	bench_figure(b, "malloc x1024 then free x1024, 8 B..8 KiB: ns per object", "ns", r[6],
		     b->runs, NULL);
	bench_figure(b, "calloc x1024 then free x1024, 8 B..8 KiB: ns per object", "ns", r[16],
		     b->runs, "zeroes, as kmalloc with init_on_alloc=1");
	bench_figure(b, "kmalloc + kfree, 8 B..8 KiB, init_on_alloc=0: ns per pair", "ns", r[11],
		     b->runs, "no zeroing, as malloc");
	bench_figure(b,
		     "kmalloc x1024 then kfree x1024, 8 B..8 KiB, init_on_alloc=0: ns per object",
		     "ns", r[12], b->runs, NULL);
	bench_figure(b, "kmem_cache_alloc_bulk + free_bulk of 16, 64 B: ns per object", "ns", r[7],
		     b->runs, NULL);
	bench_figure(b, "kmm_kmem_cache_alloc + kmm_kmem_cache_free (public API): ns per pair",
		     "ns", r[8], b->runs, NULL);
	snprintf(note, sizeof(note), "target <= 1.1");
	bench_figure(b, "1 M live 64-byte objects of a 64-byte cache: slab bytes / payload", "x",
		     r[9], 1, note);
	bench_figure(b, "1 M live kmalloc(64): slab bytes / payload", "x", r[10], 1,
		     "kmalloc-128: ARCH_DMA_MINALIGN 128 on arm64");
	bench_figure(b, "simulated: kmem_cache_alloc + kmem_cache_free, 64 B: ns per pair", "ns",
		     r[17], 1, "cost table: slab_alloc_fast + obj_zero_line + slab_free_fast");
	bench_figure(b, "simulated: kmalloc + kfree, 64 B: ns per pair", "ns", r[18], 1, NULL);
	bench_figure(b, "simulated: kmalloc + kfree, 8 B..8 KiB: ns per pair", "ns", r[19], 1,
		     NULL);
	bench_note(b, "1 CPU, init_on_alloc=1, hardened and randomised freelists, as the "
		      "reference kernel; malloc/free are jemalloc's (linked)");
	kmm_machine_destroy(m);
	kmm_machine_destroy(m0);
	return 0;
}
