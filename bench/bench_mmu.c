/*
 * kmmbench mmu: translations per second and ns per translation through the MMU model's
 * access path (mmu_translate: TLB lookup, and on a miss the table walk and the fill), in
 * three regimes:
 *
 *   L1 hit     16 pages, round robin: every lookup hits the L1 D-TLB
 *   L2 hit     512 pages spread over 256 L2 sets: every lookup misses L1, hits L2
 *   full walk  256 pages under 256 different level-0 entries, all in one L2 set: every
 *              lookup misses L1 and L2 and the walk cache (cold), so it walks all four
 *              levels (4 descriptor reads) and fills; each page has its own tables (4 MiB
 *              of tables: the host's cache misses are part of the figure)
 *   shared     the same, but the 255 level-0 entries share one level-1/2/3 chain: the
 *              model's own cost of a cold walk, without host cache misses
 *   reference  the full walk's four dependent descriptor loads alone, without the model:
 *              the part of the full-walk figure that is host memory latency
 *
 * Also the same L1-hit loop through the public kmm_cpu_access (API boundary and data copy
 * included). Default TLB geometry (docs/mmu.md), 48-bit VA, 4KB pages, one CPU.
 */
#include <kmm/kmm.h>
#include <stdio.h>
#include <stdlib.h>

#include "bench.h"
#include "hw/cpu.h"
#include "hw/mmu.h"
#include "hw/mmu_defs.h"
#include "lib/env.h"

#define BM_TABLES 0x42000000ull
#define BM_DATA	  0x44000000ull

struct bm {
	struct kmm_env env;
	struct kmm_hw hw;
	kmm_pa_t next, root;
};

static kmm_pa_t bm_table(struct bm *bm)
{
	kmm_pa_t pa = bm->next;

	bm->next += 4096;
	return pa;
}

static void bm_map(struct bm *bm, uint64_t va, kmm_pa_t pa)
{
	kmm_pa_t table = bm->root;

	for (unsigned l = 0; l < 3; l++) {
		kmm_pa_t slot = table + 8 * ((va >> (12 + 9 * (3 - l))) & 0x1ff);
		uint64_t d = 0;
		phys_read64(&bm->hw.phys, slot, &d);
		if (!(d & DESC_VALID)) {
			d = bm_table(bm) | DESC_VALID | DESC_TABLE;
			phys_write64(&bm->hw.phys, slot, d);
		}
		table = d & DESC_ADDR_MASK;
	}
	phys_write64(&bm->hw.phys, table + 8 * ((va >> 12) & 0x1ff),
		     pa | DESC_VALID | DESC_TABLE | DESC_AF | 3ull << 8 | DESC_NG);
}

static bool bm_init(struct bm *bm)
{
	struct kmm_config cfg;
	struct hw_cpu *cpu;
	char err[256];

	kmm_config_init(&cfg);
	cfg.nr_cpus = 1;
	cfg.nr_mmio = 0;
	if (kmm_config_add_bank(&cfg, 0x40000000ull, 0x08000000ull) != KMM_OK ||
	    !env_init(&bm->env, &cfg, err, sizeof(err)))
		return false;
	if (!hw_init(&bm->hw, &bm->env, &cfg)) {
		env_fini(&bm->env);
		return false;
	}
	cpu = &bm->hw.cpus[0];
	bm->next = BM_TABLES;
	bm->root = bm_table(bm);
	hw_cpu_set_reg(&bm->hw, cpu, HW_REG_MAIR_EL1, 0xff);
	hw_cpu_set_reg(&bm->hw, cpu, HW_REG_TCR_EL1,
		       16ull | 16ull << TCR_EL1_T1SZ_SHIFT |
			       (uint64_t)TCR_TG1_4K << TCR_EL1_TG1_SHIFT |
			       5ull << TCR_EL1_IPS_SHIFT);
	hw_cpu_set_reg(&bm->hw, cpu, HW_REG_TTBR0_EL1, bm->root | 1ull << TTBR_ASID_SHIFT);
	hw_cpu_set_reg(&bm->hw, cpu, HW_REG_SCTLR_EL1, SCTLR_EL1_M | SCTLR_EL1_C | SCTLR_EL1_I);
	return true;
}

static void bm_fini(struct bm *bm)
{
	hw_fini(&bm->hw);
	env_fini(&bm->env);
}

/*
 * Reference for the full-walk figures: the four dependent descriptor loads of each walk over
 * @vas alone (no TLB, no checks), each walk waiting for the previous one as translations do.
 * Returns ns per walk.
 */
static double bm_chain(struct bm *bm, const uint64_t *vas, unsigned n, unsigned iters)
{
	static volatile uint64_t zero_v; /* 0, unknown to the compiler */
	uint64_t t0, t1, last = 0, zero = zero_v;

	t0 = bench_now_ns();
	for (unsigned i = 0, j = 0; i < iters; i++) {
		/* (last & zero is 0: it only makes this walk wait for the previous one) */
		kmm_pa_t table = bm->root + (last & zero);
		uint64_t d = 0;

		for (unsigned l = 0; l < 4; l++) {
			phys_read64(&bm->hw.phys,
				    table + 8 * ((vas[j] >> (12 + 9 * (3 - l))) & 0x1ff), &d);
			table = d & DESC_ADDR_MASK;
		}
		last = table;
		if (++j == n)
			j = 0;
	}
	t1 = bench_now_ns();
	return last ? (double)(t1 - t0) / iters : -1;
}

/* Times @iters translations over @vas[0..n); returns ns per translation, or -1 on a fault. */
static double bm_loop(struct bm *bm, const uint64_t *vas, unsigned n, unsigned iters)
{
	struct hw_cpu *cpu = &bm->hw.cpus[0];
	struct hw_fault f;
	uint64_t t0, t1, sum = 0;
	kmm_pa_t pa;

	for (unsigned i = 0; i < n; i++) /* warm up */
		if (!mmu_translate(&bm->hw, cpu, vas[i], HW_ACC_READ, 1, &pa, &f))
			return -1;
	t0 = bench_now_ns();
	for (unsigned i = 0, j = 0; i < iters; i++) {
		mmu_translate(&bm->hw, cpu, vas[j], HW_ACC_READ, 1, &pa, &f);
		sum += pa;
		if (++j == n)
			j = 0;
	}
	t1 = bench_now_ns();
	if (!sum)
		return -1;
	return (double)(t1 - t0) / iters;
}

static void bm_report(struct bench *b, const char *what, double *ns, int runs, const char *note)
{
	double mtps[BENCH_MAX_RUNS];
	char metric[96];

	for (int r = 0; r < runs; r++)
		mtps[r] = 1e3 / ns[r];
	snprintf(metric, sizeof(metric), "%s: ns per translation", what);
	bench_figure(b, metric, "ns", ns, runs, note);
	snprintf(metric, sizeof(metric), "%s: translations per second", what);
	bench_figure(b, metric, "M/s", mtps, runs, NULL);
}

int bench_mmu(struct bench *b)
{
	static uint64_t l1[16], l2[512], walk[256], shared[255];
	double ns[4][BENCH_MAX_RUNS], chain[BENCH_MAX_RUNS], api[BENCH_MAX_RUNS];
	kmm_pa_t l1table = 0;
	struct tlb_stats before, after;
	struct bm bm;
	uint64_t reads0;

	if (!bm_init(&bm)) {
		fprintf(stderr, "kmmbench mmu: cannot build the machine\n");
		return 1;
	}
	for (unsigned i = 0; i < 16; i++) {
		l1[i] = 0x0000000010000000ull + i * 4096ull;
		bm_map(&bm, l1[i], BM_DATA + i * 4096ull);
	}
	for (unsigned i = 0; i < 512; i++) { /* two pages per L2 set, 256 sets */
		l2[i] = 0x0000000020000000ull + (uint64_t)(i % 256) * 4096ull +
			(uint64_t)(i / 256) * 0x100000ull;
		bm_map(&bm, l2[i], BM_DATA + i * 4096ull);
	}
	for (unsigned i = 0; i < 256; i++) { /* level-0 index i + 1, same L2 set */
		walk[i] = (uint64_t)(i + 1) << 39 | 0x0000000000345000ull;
		bm_map(&bm, walk[i], BM_DATA + i * 4096ull);
	}
	/* Level-0 entries 257..511 all point to one level-1 table: distinct VAs (a cold walk
	 * cache) over one chain of four tables (host-cache resident). */
	bm_map(&bm, 257ull << 39 | 0x345000ull, BM_DATA);
	phys_read64(&bm.hw.phys, bm.root + 8 * 257, &l1table);
	for (unsigned i = 0; i < 255; i++) {
		shared[i] = (uint64_t)(i + 257) << 39 | 0x0000000000345000ull;
		phys_write64(&bm.hw.phys, bm.root + 8 * (i + 257), l1table);
	}
	for (int r = 0; r < b->runs; r++) {
		ns[3][r] = bm_loop(&bm, shared, 255, 1000000);
		ns[0][r] = bm_loop(&bm, l1, 16, 4000000);
		ns[1][r] = bm_loop(&bm, l2, 512, 2000000);
		before = bm.hw.cpus[0].tlb.st[TLB_WALK];
		reads0 = bm.hw.cpus[0].walk_reads;
		ns[2][r] = bm_loop(&bm, walk, 256, 1000000);
		after = bm.hw.cpus[0].tlb.st[TLB_WALK];
		chain[r] = bm_chain(&bm, walk, 256, 1000000);
		if (ns[0][r] < 0 || ns[1][r] < 0 || ns[2][r] < 0 || ns[3][r] < 0 || chain[r] < 0) {
			fprintf(stderr, "kmmbench mmu: a benchmark translation faulted\n");
			bm_fini(&bm);
			return 1;
		}
		if (after.hits != before.hits ||
		    bm.hw.cpus[0].walk_reads - reads0 != 4ull * (1000000 + 256)) {
			fprintf(stderr, "kmmbench mmu: the full-walk loop did not walk cold\n");
			bm_fini(&bm);
			return 1;
		}
	}
	{
		/* Simulated time: one pass of each loop on the machine clock (the cost table). */
		double sim[3];
		const uint64_t *vas[3] = {l1, l2, walk};
		const unsigned nv[3] = {16, 512, 256};

		for (int i = 0; i < 3; i++) {
			uint64_t c0;

			bm_loop(&bm, vas[i], nv[i], nv[i]); /* the timed pass's warm-up, warm */
			c0 = bm.env.cycles;
			bm_loop(&bm, vas[i], nv[i], 100000);
			sim[i] = (double)env_cycles_to_ns(&bm.env, bm.env.cycles - c0) /
				 (100000.0 + nv[i]);
		}
		bench_figure(b, "simulated: L1 hit: ns per translation", "ns", &sim[0], 1, NULL);
		bench_figure(b, "simulated: L2 hit: ns per translation", "ns", &sim[1], 1,
			     "cost table: tlb_l2_hit");
		bench_figure(b, "simulated: full 4-level walk: ns per translation", "ns", &sim[2],
			     1, "cost table: tlb_miss + 4 walk_read");
	}
	bm_report(b, "L1 hit", ns[0], b->runs, NULL);
	bm_report(b, "L2 hit", ns[1], b->runs, NULL);
	bm_report(b, "full 4-level walk (cold walk cache)", ns[2], b->runs,
		  "4 descriptor reads, walk-cache miss, L2 fill each; 1024 distinct table pages");
	bm_report(b, "full 4-level walk (cold walk cache), shared tables", ns[3], b->runs,
		  "same work, the four tables stay in the host's caches");
	bench_figure(b, "reference: the 4 descriptor loads alone, distinct tables: ns per walk",
		     "ns", chain, b->runs,
		     "host memory latency in the full-walk figure: no TLB, no checks, no fill");
	bm_fini(&bm);

	/* The public path: kmm_cpu_access, 8-byte loads, L1 hits (MMU off: flat). */
	{
		struct kmm_config cfg;
		struct kmm_machine *m;
		uint64_t v;

		kmm_config_init(&cfg);
		kmm_config_set_ram(&cfg, 256ull << 20);
		if (kmm_machine_create(&cfg, &m) != KMM_OK) {
			fprintf(stderr, "kmmbench mmu: %s\n", kmm_last_error(NULL));
			return 1;
		}
		kmm_mmu_set_reg(m, 0, KMM_REG_SCTLR_EL1, 0); /* the booted kernel turned it on */
		for (int r = 0; r < b->runs; r++) {
			uint64_t t0 = bench_now_ns();
			for (unsigned i = 0; i < 1000000; i++)
				kmm_cpu_access(m, 0, KMM_ACCESS_LOAD,
					       0x48000000ull + (i & 15) * 4096ull, &v, 8, NULL);
			api[r] = (double)(bench_now_ns() - t0) / 1e6;
		}
		bench_figure(b, "kmm_cpu_access 8-byte load, MMU off: ns per access", "ns", api,
			     b->runs, "public API: argument checks, API boundary, memory copy");
		kmm_machine_destroy(m);
	}
	bench_note(b, "default TLB geometry: L1I 48, L1D 32 (fully associative), L2 256x4, "
		      "walk cache 32 (4-way), stage-2 cache 32, PLRU");
	return 0;
}
