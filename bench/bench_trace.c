/*
 * kmmbench trace: what `trace all on` costs per event, with the trace buffer (1 MiB, the
 * /sys/kernel/debug/tracing/trace view) empty and full. The buffer is a ring: once full, each
 * event drops the oldest whole line by moving the head, so a full buffer costs what an empty
 * one does (it once moved the whole megabyte per event: about 100 times slower).
 *
 *   empty   alloc_pages(GFP_KERNEL, 0) + __free_pages through the pcp lists with every
 *           event on, the buffer cleared before each sample (it does not fill during one)
 *   full    the same after the buffer has filled: every event drops a line
 *   off     the same pairs with tracing off, for reference
 *
 * Figures are ns per event (the pair's time over the events it emitted). Machine: 1 GiB,
 * 1 CPU. kmm_check() runs after each sample.
 */
#include <kmm/kmm.h>
#include <stdio.h>

#include "bench.h"
#include "mm/gfp.h"
#include "mm/internal.h"
#include "sim/machine.h"

#define BT_PAIRS 2000u /* pairs per sample (some 5000 events: about 400 KiB of text) */

/* ns per event (per pair when tracing is off) over BT_PAIRS pairs; -1 on failure. */
static double bt_sample(struct kmm_machine *m, bool per_event)
{
	struct kmm_kernel *k = &m->kernel;
	uint64_t events = m->env.trace_events, t0 = bench_now_ns(), t1;

	for (unsigned i = 0; i < BT_PAIRS; i++) {
		struct page *page = alloc_pages(k, GFP_KERNEL, 0);

		if (!page)
			return -1;
		__free_pages(k, page, 0);
	}
	t1 = bench_now_ns();
	events = m->env.trace_events - events;
	if (per_event && !events)
		return -1;
	return (double)(t1 - t0) / (double)(per_event ? events : BT_PAIRS);
}

int bench_trace(struct bench *b)
{
	double empty[BENCH_MAX_RUNS], full[BENCH_MAX_RUNS], off[BENCH_MAX_RUNS];
	double ratio[BENCH_MAX_RUNS];
	struct kmm_config cfg;
	struct kmm_machine *m;

	kmm_config_init(&cfg);
	kmm_config_option(&cfg, "-m", "1G");
	kmm_config_option(&cfg, "-smp", "1");
	if (kmm_machine_create(&cfg, &m)) {
		fprintf(stderr, "kmmbench trace: %s\n", kmm_last_error(NULL));
		return 1;
	}
	for (int r = 0; r < b->runs; r++) {
		kmm_trace_enable(m, "all", false);
		off[r] = bt_sample(m, false);
		kmm_trace_enable(m, "all", true);
		kmm_trace_clear(m);
		empty[r] = bt_sample(m, true);
		while (m->env.trace_buf.len + 4096 < m->env.trace_buf.cap)
			bt_sample(m, true);
		full[r] = bt_sample(m, true);
		ratio[r] = full[r] / empty[r];
		if (off[r] < 0 || empty[r] < 0 || full[r] < 0 || kmm_check(m) != KMM_OK) {
			fprintf(stderr, "kmmbench trace: %s\n",
				off[r] < 0 || empty[r] < 0 || full[r] < 0 ? "allocation failed"
									  : kmm_last_error(m));
			kmm_machine_destroy(m);
			return 1;
		}
	}
	bench_figure(b, "trace all on, buffer empty: ns per event", "ns", empty, b->runs, NULL);
	bench_figure(b, "trace all on, buffer full: ns per event", "ns", full, b->runs,
		     "each event drops the oldest line");
	bench_figure(b, "  full / empty", "x", ratio, b->runs, "a ring: about 1");
	bench_figure(b, "tracing off: ns per alloc+free pair", "ns", off, b->runs, NULL);
	bench_note(b,
		   "machine: 1 GiB, 1 CPU; %u order-0 alloc+free pairs per sample through the "
		   "pcp lists; the trace buffer holds 1 MiB of text",
		   BT_PAIRS);
	kmm_machine_destroy(m);
	return 0;
}
