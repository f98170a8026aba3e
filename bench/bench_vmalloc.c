/*
 * kmmbench vmalloc: the cost of vmalloc, through the public API (kmm_vmalloc/kmm_vfree):
 *
 *   pair 4K       vmalloc(4 KiB) + vfree, with 1 K and with 100 K other live areas: the vmap
 *                 area allocator (augmented free tree, busy tree), one page from the buddy
 *                 allocator, one PTE written and cleared, and the lazy purge amortised (one
 *                 purge with a full TLB flush every ~4096 pairs on one CPU).
 *                 Targets: <= 1.5 us per pair at 100 K, 100 K / 1 K ratio <= 2 (O(log n)).
 *   2M            vmalloc(2 MiB) + vfree with 512 small pages, and vmalloc_huge(2 MiB) with
 *                 one order-9 block and one PMD entry.
 *
 * Machine: 2 GiB, 1 CPU. Each figure is the mean over its loop, after a warm-up that touches
 * the tables and the RAM involved (the host commits simulated RAM on first touch); kmmbench
 * reports the median of the runs with their spread.
 */
#include <kmm/kmm.h>
#include <stdio.h>
#include <stdlib.h>

#include "bench.h"

#define PAIRS 200000

static struct kmm_machine *bm_machine(void)
{
	struct kmm_config cfg;
	struct kmm_machine *m;

	kmm_config_init(&cfg);
	kmm_config_option(&cfg, "-m", "2G");
	kmm_config_option(&cfg, "-smp", "1");
	if (kmm_machine_create(&cfg, &m)) {
		fprintf(stderr, "kmmbench vmalloc: %s\n", kmm_last_error(NULL));
		return NULL;
	}
	return m;
}

/* ns per vmalloc(4K) + vfree pair with @live other areas allocated. */
static int pair_4k(struct bench *b, unsigned live, double *ns, double *sim)
{
	for (int r = 0; r < b->runs; r++) {
		struct kmm_machine *m = bm_machine();
		kmm_va_t *keep = calloc(live, sizeof(*keep)), va;
		uint64_t t0, sim0;

		if (!m || !keep)
			return 1;
		for (unsigned i = 0; i < live; i++) {
			if (kmm_vmalloc(m, 4096, &keep[i])) {
				fprintf(stderr, "kmmbench vmalloc: %s\n", kmm_last_error(m));
				return 1;
			}
		}
		for (unsigned i = 0; i < PAIRS / 10; i++) { /* warm-up: tables, pcp lists */
			if (kmm_vmalloc(m, 4096, &va) || kmm_vfree(m, va))
				return 1;
		}
		t0 = bench_now_ns();
		sim0 = kmm_clock_ns(m);
		for (unsigned i = 0; i < PAIRS; i++) {
			if (kmm_vmalloc(m, 4096, &va) || kmm_vfree(m, va)) {
				fprintf(stderr, "kmmbench vmalloc: %s\n", kmm_last_error(m));
				return 1;
			}
		}
		ns[r] = (double)(bench_now_ns() - t0) / PAIRS;
		*sim = (double)(kmm_clock_ns(m) - sim0) / PAIRS;
		free(keep);
		kmm_machine_destroy(m);
	}
	return 0;
}

/* us per 2 MiB vmalloc + vfree, with or without huge mappings. */
static int pair_2m(struct bench *b, bool huge, double *us, double *sim)
{
	const unsigned loops = 2000;

	for (int r = 0; r < b->runs; r++) {
		struct kmm_machine *m = bm_machine();
		struct kmm_vm_area area;
		kmm_va_t va;
		uint64_t t0, sim0;

		if (!m)
			return 1;
		/* warm-up: every page of RAM touched once (the host commits it on first touch) */
		for (unsigned i = 0; i < 1200; i++) {
			if (kmm_vmalloc_huge(m, 2 << 20, KMM_GFP_KERNEL, &va) || kmm_vfree(m, va))
				return 1;
		}
		t0 = bench_now_ns();
		sim0 = kmm_clock_ns(m);
		for (unsigned i = 0; i < loops; i++) {
			enum kmm_status st =
				huge ? kmm_vmalloc_huge(m, 2 << 20, KMM_GFP_KERNEL, &va)
				     : kmm_vmalloc(m, 2 << 20, &va);

			if (st || kmm_find_vm_area(m, va, &area) ||
			    area.page_order != (huge ? 9 : 0) || kmm_vfree(m, va)) {
				fprintf(stderr, "kmmbench vmalloc 2M: %s\n", kmm_last_error(m));
				return 1;
			}
		}
		us[r] = (double)(bench_now_ns() - t0) / loops / 1e3;
		*sim = (double)(kmm_clock_ns(m) - sim0) / loops / 1e3;
		kmm_machine_destroy(m);
	}
	return 0;
}

int bench_vmalloc(struct bench *b)
{
	double ns1k[BENCH_MAX_RUNS], ns100k[BENCH_MAX_RUNS], ratio[BENCH_MAX_RUNS];
	double small[BENCH_MAX_RUNS], huge[BENCH_MAX_RUNS];
	double sim1k = 0, sim100k = 0, simsmall = 0, simhuge = 0;

	if (pair_4k(b, 1000, ns1k, &sim1k) || pair_4k(b, 100000, ns100k, &sim100k))
		return 1;
	for (int r = 0; r < b->runs; r++)
		ratio[r] = ns100k[r] / ns1k[r];
	bench_figure(b, "vmalloc(4K)+vfree, 1K live areas", "ns", ns1k, b->runs, NULL);
	bench_figure(b, "vmalloc(4K)+vfree, 100K live areas", "ns", ns100k, b->runs,
		     "target <= 1500 ns");
	bench_figure(b, "100K / 1K ratio", "x", ratio, b->runs, "target <= 2");
	if (pair_2m(b, false, small, &simsmall) || pair_2m(b, true, huge, &simhuge))
		return 1;
	bench_figure(b, "vmalloc(2M)+vfree, 512 small pages", "us", small, b->runs, NULL);
	bench_figure(b, "vmalloc_huge(2M)+vfree, one PMD block", "us", huge, b->runs, NULL);
	bench_figure(b, "simulated: vmalloc(4K)+vfree, 1K live areas", "ns", &sim1k, 1,
		     "machine clock (cost table), lazy purges included");
	bench_figure(b, "simulated: vmalloc(4K)+vfree, 100K live areas", "ns", &sim100k, 1, NULL);
	bench_figure(b, "simulated: vmalloc(2M)+vfree, 512 small pages", "us", &simsmall, 1, NULL);
	bench_figure(b, "simulated: vmalloc_huge(2M)+vfree, one PMD block", "us", &simhuge, 1,
		     NULL);
	bench_note(b, "2 GiB machine, 1 CPU (lazy_max_pages 8192: a purge every ~4096 4K pairs)");
	return 0;
}
