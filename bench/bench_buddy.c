/*
 * kmmbench buddy: ns per alloc+free pair through the buddy page allocator's fast paths, side
 * by side with jemalloc serving the same stream of page-aligned blocks:
 *
 *   order-0 pcp     alloc_pages(GFP_KERNEL, 0) + __free_pages(page, 0): the per-CPU lists
 *   order-0 buddy   the same with the pcp lists off the way the kernel's zone_pcp_disable()
 *                   turns them off (every pcp->high = 0, batch = 1, drained): each free goes
 *                   through the list straight to __free_one_page (nr_pcp_high() is 0,
 *                   nr_pcp_free() 1) and each alloc refills exactly one page from the buddy
 *                   lists (rmqueue_bulk() of 1). Two states: a clean zone, where every pair
 *                   splits the smallest free Unmovable block down to order 0 and merges it
 *                   back (on this machine an order-2 block: the row's note prints the order
 *                   observed), and one page held, so the order-0 list has a page whose buddy
 *                   is in use (no split, no merge: the best case)
 *   order-9         GFP_KERNEL, order 9 (pageblock order: 6.1 keeps it on its own pcp list),
 *                   with the pcp lists on and off, and with __GFP_COMP (compound, as THP)
 *   steady          alloc 1000 order-0 pages, then free them, repeated (ns per page)
 *   jemalloc        mallocx(4 KiB, MALLOCX_ALIGN(4 KiB)) + dallocx for the order-0 rows,
 *                   mallocx(2 MiB, MALLOCX_ALIGN(2 MiB)) for order 9
 *
 * The targets (order-0 pcp <= 25 ns, order-0 buddy <= 80 ns, order-9 <= 200 ns) are for the
 * allocator's own work: that machine boots with init_on_alloc=0 and no side touches the
 * blocks. The default configuration (init_on_alloc=1: pages zeroed in simulated RAM) is
 * measured separately, against jemalloc with MALLOCX_ZERO. Machine: 1 GiB, 1 CPU.
 * kmm_check() runs after every measurement: a figure of a broken allocator is refused.
 */
#include <jemalloc/jemalloc.h>
#include <kmm/kmm.h>
#include <stdio.h>

#include "bench.h"
#include "mm/gfp.h"
#include "mm/internal.h"
#include "sim/machine.h"

#define BB_PAIRS0 1000000u /* order-0 pairs per sample */
#define BB_PAIRS9 100000u  /* order-9 pairs per sample */
#define BB_STEADY 1000u	   /* pages held at once in the steady pattern */
#define BB_ROUNDS 300u	   /* steady rounds per sample */
#define BB_ZERO9  2000u	   /* order-9 pairs per sample with zeroing */

enum bb_path { BB_PCP, BB_NOPCP };
enum bb_pattern { BB_PAIRS, BB_PAIRS_HOLD, BB_STEADY_PAGES };

struct bb_row {
	const char *name;
	enum bb_path path;
	enum bb_pattern pattern;
	gfp_t gfp;
	unsigned order;
	unsigned n;	     /* pairs per sample */
	int je;		     /* the jemalloc row it is compared with */
	unsigned split_from; /* observed: the order a pcp-off order-0 alloc splits */
	double ns[BENCH_MAX_RUNS];
};

struct je_row {
	const char *name;
	size_t size;
	int flags;
	bool steady;
	unsigned n;
	double ns[BENCH_MAX_RUNS];
};

#define BB_ROW(nm, pth, pat, g, o, cnt, j)                                                         \
	{                                                                                          \
		.name = nm, .path = pth, .pattern = pat, .gfp = g, .order = o, .n = cnt, .je = j   \
	}
#define JE_ROW(nm, sz, fl, st, cnt)                                                                \
	{                                                                                          \
		.name = nm, .size = sz, .flags = fl, .steady = st, .n = cnt                        \
	}

/* Sets every zone's pcp lists of every CPU on (as configured) or off (and drains them). */
static void bb_set_pcp(struct kmm_kernel *k, enum bb_path path)
{
	pg_data_t *pgdat;

	for_each_online_pgdat(k, pgdat) for (int z = 0; z < MAX_NR_ZONES; z++)
	{
		struct zone *zone = &pgdat->node_zones[z];

		if (!zone->per_cpu_pageset)
			continue;
		for (int cpu = 0; cpu < k->nr_cpus; cpu++) {
			struct per_cpu_pages *pcp = &zone->per_cpu_pageset[cpu];

			pcp->high = path == BB_PCP ? zone->pageset_high : 0;
			pcp->batch = path == BB_PCP ? zone->pageset_batch : 1;
		}
		drain_all_pages(k, zone);
	}
}

/*
 * The lowest order from @order up with a free block of @mt: the block the next pcp-off
 * allocation of @order splits (__rmqueue_smallest() searches from the order asked for).
 */
static unsigned bb_split_order(const struct zone *zone, int mt, unsigned order)
{

	while (order < MAX_ORDER && list_empty(&zone->free_area[order].free_list[mt]))
		order++;
	return order;
}

/* ns per alloc+free pair over row->n pairs, after a warm-up; -1 if an allocation failed. */
static double bb_pairs(struct kmm_kernel *k, struct bb_row *row)
{
	struct page *held = NULL, *page = NULL;
	uint64_t t0, t1;

	if (row->pattern == BB_PAIRS_HOLD && !(held = alloc_pages(k, row->gfp, row->order)))
		return -1;
	for (unsigned i = 0; i < 1000; i++) {
		if (!(page = alloc_pages(k, row->gfp, row->order)))
			return -1;
		__free_pages(k, page, row->order);
	}
	row->split_from = bb_split_order(page_zone(k, page), gfp_migratetype(row->gfp), row->order);
	t0 = bench_now_ns();
	for (unsigned i = 0; i < row->n; i++) {
		if (!(page = alloc_pages(k, row->gfp, row->order)))
			return -1;
		__free_pages(k, page, row->order);
	}
	t1 = bench_now_ns();
	if (held)
		__free_pages(k, held, row->order);
	return (double)(t1 - t0) / row->n;
}

/* ns per page of the steady pattern: alloc BB_STEADY order-0 pages, free them, repeat. */
static double bb_steady(struct kmm_kernel *k, gfp_t gfp)
{
	static struct page *held[BB_STEADY];
	uint64_t t0 = bench_now_ns();

	for (unsigned r = 0; r < BB_ROUNDS; r++) {
		for (unsigned i = 0; i < BB_STEADY; i++)
			if (!(held[i] = alloc_pages(k, gfp, 0)))
				return -1;
		for (unsigned i = 0; i < BB_STEADY; i++)
			__free_pages(k, held[i], 0);
	}
	return (double)(bench_now_ns() - t0) / ((double)BB_ROUNDS * BB_STEADY);
}

static double je_pairs(const struct je_row *je)
{
	uint64_t t0;

	for (unsigned i = 0; i < 1000; i++) {
		void *p = mallocx(je->size, je->flags);

		if (!p)
			return -1;
		dallocx(p, je->flags);
	}
	t0 = bench_now_ns();
	for (unsigned i = 0; i < je->n; i++) {
		void *p = mallocx(je->size, je->flags);

		if (!p)
			return -1;
		dallocx(p, je->flags);
	}
	return (double)(bench_now_ns() - t0) / je->n;
}

static double je_steady(const struct je_row *je)
{
	static void *held[BB_STEADY];
	uint64_t t0 = bench_now_ns();

	for (unsigned r = 0; r < BB_ROUNDS; r++) {
		for (unsigned i = 0; i < BB_STEADY; i++)
			if (!(held[i] = mallocx(je->size, je->flags)))
				return -1;
		for (unsigned i = 0; i < BB_STEADY; i++)
			dallocx(held[i], je->flags);
	}
	return (double)(bench_now_ns() - t0) / ((double)BB_ROUNDS * BB_STEADY);
}

static struct kmm_machine *bb_machine(bool init_on_alloc)
{
	struct kmm_config cfg;
	struct kmm_machine *m;

	kmm_config_init(&cfg);
	cfg.nr_cpus = 1;
	if (kmm_config_set_ram(&cfg, 1ull << 30) != KMM_OK ||
	    (!init_on_alloc && kmm_config_append(&cfg, "init_on_alloc=0") != KMM_OK) ||
	    kmm_machine_create(&cfg, &m) != KMM_OK) {
		fprintf(stderr, "kmmbench buddy: %s\n", kmm_last_error(NULL));
		return NULL;
	}
	return m;
}

/* Where one order-@order free leaves the block: on a pcp list or back in the buddy lists. */
static const char *bb_free_lands(struct kmm_kernel *k, gfp_t gfp, unsigned order)
{
	struct page *page = alloc_pages(k, gfp, order);
	struct zone *zone;
	const char *where;

	if (!page)
		return "(allocation failed)";
	zone = page_zone(k, page);
	drain_all_pages(k, zone);
	__free_pages(k, page, order);
	where = zone->per_cpu_pageset[0].count ? "a pcp list" : "the buddy lists";
	drain_all_pages(k, zone);
	return where;
}

/* Measures @rows and @jes on one machine, interleaved run by run, and reports them. */
/*
 * Simulated time per pair (per page for the steady rows): one more pass of each row, timed
 * by the machine clock (the cost table's charges, so one pass is exact). The pairs rows'
 * pass includes its 1000 warm-up pairs, which do the same work.
 */
static int bb_simulated(struct bench *b, struct kmm_machine *m, struct bb_row *rows, int nr_rows,
			const char *config)
{
	struct kmm_kernel *k = &m->kernel;
	char metric[160];

	for (int i = 0; i < nr_rows; i++) {
		bool steady = rows[i].pattern == BB_STEADY_PAGES;
		double ops = steady ? (double)BB_ROUNDS * BB_STEADY : rows[i].n + 1000.0, sim;
		uint64_t t0;

		bb_set_pcp(k, rows[i].path);
		t0 = kmm_clock_ns(m);
		if ((steady ? bb_steady(k, rows[i].gfp) : bb_pairs(k, &rows[i])) < 0)
			return 1;
		sim = (double)(kmm_clock_ns(m) - t0) / ops;
		bb_set_pcp(k, BB_PCP);
		snprintf(metric, sizeof(metric), "simulated: %s [%s]", rows[i].name, config);
		bench_figure(b, metric, "ns", &sim, 1, NULL);
	}
	return 0;
}

static int bb_run(struct bench *b, struct kmm_machine *m, struct bb_row *rows, int nr_rows,
		  struct je_row *jes, int nr_jes, const char *config)
{
	struct kmm_kernel *k = &m->kernel;
	char metric[128], note[96];

	for (int r = 0; r < b->runs; r++) {
		for (int i = 0; i < nr_rows; i++) {
			bb_set_pcp(k, rows[i].path);
			rows[i].ns[r] = rows[i].pattern == BB_STEADY_PAGES
						? bb_steady(k, rows[i].gfp)
						: bb_pairs(k, &rows[i]);
			bb_set_pcp(k, BB_PCP);
			if (rows[i].ns[r] < 0 || kmm_check(m) != KMM_OK) {
				fprintf(stderr, "kmmbench buddy: %s: %s\n", rows[i].name,
					rows[i].ns[r] < 0 ? "allocation failed"
							  : kmm_last_error(m));
				return 1;
			}
		}
		for (int j = 0; j < nr_jes; j++) {
			jes[j].ns[r] = jes[j].steady ? je_steady(&jes[j]) : je_pairs(&jes[j]);
			if (jes[j].ns[r] < 0) {
				fprintf(stderr, "kmmbench buddy: jemalloc %s failed\n",
					jes[j].name);
				return 1;
			}
		}
	}
	for (int i = 0; i < nr_rows; i++) {
		const struct je_row *je = &jes[rows[i].je];
		double ratio[BENCH_MAX_RUNS];

		snprintf(metric, sizeof(metric), "%s [%s]", rows[i].name, config);
		note[0] = 0;
		if (rows[i].path == BB_NOPCP && rows[i].pattern != BB_STEADY_PAGES)
			snprintf(note, sizeof(note), "each allocation takes an order-%u block",
				 rows[i].split_from);
		bench_figure(b, metric, "ns", rows[i].ns, b->runs, note[0] ? note : NULL);
		for (int r = 0; r < b->runs; r++)
			ratio[r] = rows[i].ns[r] / je->ns[r];
		snprintf(metric, sizeof(metric), "  ratio to jemalloc %s", je->name);
		bench_figure(b, metric, "x", ratio, b->runs, NULL);
	}
	for (int j = 0; j < nr_jes; j++) {
		snprintf(metric, sizeof(metric), "jemalloc %s", jes[j].name);
		bench_figure(b, metric, "ns", jes[j].ns, b->runs, NULL);
	}
	return bb_simulated(b, m, rows, nr_rows, config);
}

/* The order-9 pcp pair less the order-0 pcp pair: the per-tail-page work of an order-9 free. */
static void bb_tail_cost(struct bench *b, const struct bb_row *order9, const struct bb_row *order0)
{
	double ns[BENCH_MAX_RUNS];

	for (int r = 0; r < b->runs; r++)
		ns[r] = order9->ns[r] - order0->ns[r];
	bench_figure(b, "  order-9 pcp less order-0 pcp [init_on_alloc=0]", "ns", ns, b->runs,
		     "free_pages_prepare() on 511 tails");
}

int bench_buddy(struct bench *b)
{
	const int je4k = MALLOCX_ALIGN(4096), je2m = MALLOCX_ALIGN(2u << 20);
	struct bb_row raw[] = {
		BB_ROW("order-0 pcp: ns per pair", BB_PCP, BB_PAIRS, GFP_KERNEL, 0, BB_PAIRS0, 0),
		BB_ROW("order-0 buddy, clean zone: ns per pair", BB_NOPCP, BB_PAIRS, GFP_KERNEL, 0,
		       BB_PAIRS0, 0),
		BB_ROW("order-0 buddy, a page held: ns per pair", BB_NOPCP, BB_PAIRS_HOLD,
		       GFP_KERNEL, 0, BB_PAIRS0, 0),
		BB_ROW("order-9 pcp: ns per pair", BB_PCP, BB_PAIRS, GFP_KERNEL, 9, BB_PAIRS9, 1),
		BB_ROW("order-9 buddy: ns per pair", BB_NOPCP, BB_PAIRS, GFP_KERNEL, 9, BB_PAIRS9,
		       1),
		BB_ROW("order-9 __GFP_COMP pcp: ns per pair", BB_PCP, BB_PAIRS,
		       GFP_KERNEL | __GFP_COMP, 9, BB_PAIRS9, 1),
		BB_ROW("steady 1000 order-0 pcp: ns per page", BB_PCP, BB_STEADY_PAGES, GFP_KERNEL,
		       0, 0, 2),
		BB_ROW("steady 1000 order-0 buddy: ns per page", BB_NOPCP, BB_STEADY_PAGES,
		       GFP_KERNEL, 0, 0, 2),
	};
	struct je_row je_raw[] = {
		JE_ROW("4 KiB aligned 4 KiB", 4096, je4k, false, BB_PAIRS0),
		JE_ROW("2 MiB aligned 2 MiB", 2u << 20, je2m, false, BB_PAIRS9),
		JE_ROW("steady 1000 x 4 KiB", 4096, je4k, true, 0),
	};
	struct bb_row zeroed[] = {
		BB_ROW("order-0 pcp: ns per pair", BB_PCP, BB_PAIRS, GFP_KERNEL, 0, BB_PAIRS0 / 10,
		       0),
		BB_ROW("order-0 buddy, clean zone: ns per pair", BB_NOPCP, BB_PAIRS, GFP_KERNEL, 0,
		       BB_PAIRS0 / 10, 0),
		BB_ROW("order-9 pcp: ns per pair", BB_PCP, BB_PAIRS, GFP_KERNEL, 9, BB_ZERO9, 1),
	};
	struct je_row je_zeroed[] = {
		JE_ROW("4 KiB, MALLOCX_ZERO", 4096, je4k | MALLOCX_ZERO, false, BB_PAIRS0 / 10),
		JE_ROW("2 MiB, MALLOCX_ZERO", 2u << 20, je2m | MALLOCX_ZERO, false, BB_ZERO9),
	};
	struct kmm_machine *m;
	struct kmm_kernel *k;
	const char *lands;
	struct page *page;
	int rc;

	if (!(m = bb_machine(false)))
		return 1;
	k = &m->kernel;
	if (!(page = alloc_pages(k, GFP_KERNEL, 0))) {
		kmm_machine_destroy(m);
		return 1;
	}
	bench_note(b,
		   "machine: 1 GiB, 1 CPU; GFP_KERNEL pages come from zone %s (pcp high %d, "
		   "batch %d)",
		   page_zone(k, page)->name, page_zone(k, page)->pageset_high,
		   page_zone(k, page)->pageset_batch);
	__free_pages(k, page, 0);
	bench_note(b, "buddy rows: pcp lists off as zone_pcp_disable() sets them (high 0, batch 1, "
		      "drained): each free drains its page, each alloc refills one");
	lands = bb_free_lands(k, GFP_KERNEL, 9);
	bb_set_pcp(k, BB_NOPCP);
	bench_note(b, "an order-9 GFP_KERNEL free lands on %s; with the pcp lists off on %s", lands,
		   bb_free_lands(k, GFP_KERNEL, 9));
	bb_set_pcp(k, BB_PCP);
	rc = bb_run(b, m, raw, (int)(sizeof(raw) / sizeof(raw[0])), je_raw,
		    (int)(sizeof(je_raw) / sizeof(je_raw[0])), "init_on_alloc=0");
	kmm_machine_destroy(m);
	if (rc)
		return rc;
	bb_tail_cost(b, &raw[3], &raw[0]);

	if (!(m = bb_machine(true)))
		return 1;
	rc = bb_run(b, m, zeroed, (int)(sizeof(zeroed) / sizeof(zeroed[0])), je_zeroed,
		    (int)(sizeof(je_zeroed) / sizeof(je_zeroed[0])), "init_on_alloc=1");
	kmm_machine_destroy(m);
	bench_note(b,
		   "[init_on_alloc=0]: the targets' configuration (order-0 pcp <= 25 ns, order-0 "
		   "buddy <= 80 ns, order-9 <= 200 ns); neither side touches the blocks");
	bench_note(b,
		   "[init_on_alloc=1]: the default; every page zeroed in simulated RAM; jemalloc "
		   "zeroes with MALLOCX_ZERO");
	bench_note(b,
		   "jemalloc 2 MiB with MALLOCX_ZERO returns pages the host kernel purged, zeroed "
		   "only at first touch (never here): that ratio is not like for like");
	return rc;
}
