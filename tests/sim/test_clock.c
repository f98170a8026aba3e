/*
 * Simulated time: the cost table is charged to the CPU doing the work, a cost set through the
 * config is the one used, per-CPU clocks stop and resume, trace timestamps never go backwards,
 * two identical machines keep identical time; the per-subsystem trace enable files.
 *
 * Expected figures are worked out by hand from the cost table's rows (src/lib/cost.h), not
 * taken from a run.
 */
#include "kmm_test.h"

#include "lib/cost.h"
#include "sim/machine.h"

/* A 1 GiB, 2-CPU machine without init_on_alloc, so a page pair does no zeroing. */
static struct kmm_machine *clock_machine(const char *cost)
{
	struct kmm_config cfg;

	kmm_config_init(&cfg);
	assert_int_equal(kmm_config_option(&cfg, "-smp", "2"), KMM_OK);
	assert_int_equal(kmm_config_append(&cfg, "init_on_alloc=0"), KMM_OK);
	if (cost)
		assert_int_equal(kmm_config_option(&cfg, "-cost", cost), KMM_OK);
	return test_machine(&cfg);
}

/* One order-0 alloc + free through the pcp lists; returns the cycles it took. */
static uint64_t page_pair(struct kmm_machine *m)
{
	uint64_t c0 = kmm_clock_cycles(m);
	kmm_pfn_t pfn;

	assert_int_equal(kmm_alloc_pages(m, KMM_GFP_KERNEL, 0, &pfn), KMM_OK);
	assert_int_equal(kmm_free_pages(m, pfn, 0), KMM_OK);
	return kmm_clock_cycles(m) - c0;
}

/*
 * With the CPU's pcp list primed, an order-0 pair is: pcp_alloc (40) + page_prep (8) at
 * allocation, page_prep (8) + pcp_free (40) at free: 96 cycles, all on the current CPU.
 */
static void test_clock_page_pair_costs_its_table_rows(void **state)
{
	struct kmm_machine *m = clock_machine(NULL);
	uint64_t cpu0, busy1;

	(void)state;
	assert_int_equal(kmm_cpu_set(m, 1), KMM_OK);
	page_pair(m); /* primes CPU 1's pcp list (rmqueue_bulk) */
	cpu0 = kmm_clock_cpu_cycles(m, 0);
	busy1 = kmm_clock_cpu_busy_cycles(m, 1);
	assert_int_equal(page_pair(m), 40 + 8 + 8 + 40);
	assert_int_equal(kmm_clock_cpu_busy_cycles(m, 1) - busy1, 96);
	assert_int_equal(kmm_clock_cpu_cycles(m, 1), kmm_clock_cycles(m));
	/* CPU 0 was idle: its clock stopped when CPU 1 became current. */
	assert_int_equal(kmm_clock_cpu_cycles(m, 0), cpu0);
	test_machine_done(m);
}

/* -cost pcp_alloc=1000: the pair is 1000 + 8 + 8 + 40; the view shows the value in use. */
static void test_clock_cost_set_through_the_config_is_used(void **state)
{
	struct kmm_machine *m = clock_machine("pcp_alloc=1000");

	(void)state;
	page_pair(m);
	assert_int_equal(page_pair(m), 1000 + 8 + 8 + 40);
	assert_non_null(strstr(test_view(m, "/sys/kernel/debug/kmm/costs"),
			       "pcp_alloc              1000       40  "));
	test_machine_done(m);
}

static void test_clock_cost_option_is_validated(void **state)
{
	struct kmm_config cfg;

	(void)state;
	kmm_config_init(&cfg);
	assert_einval_mentions(kmm_config_option(&cfg, "-cost", "no_such_step=3"),
			       kmm_last_error(NULL), "no cost named 'no_such_step'");
	assert_einval_mentions(kmm_config_option(&cfg, "-cost", "page_zero"), kmm_last_error(NULL),
			       "expected NAME=CYCLES");
	assert_einval_mentions(kmm_config_option(&cfg, "-cost", "page_zero=-1"),
			       kmm_last_error(NULL), "not a cycle count");
	assert_einval_mentions(kmm_config_set_cost(&cfg, "nope", 1), kmm_last_error(NULL),
			       "no such cost");
	assert_int_equal(cfg.nr_costs, 0);
	assert_int_equal(kmm_config_option(&cfg, "-cost", "page_zero=100"), KMM_OK);
	assert_int_equal(kmm_config_option(&cfg, "-cost", "page_zero=200"), KMM_OK);
	assert_int_equal(cfg.nr_costs, 1);
	assert_int_equal(cfg.costs[0].cycles, 200);
	/* A hand-filled config is checked too. */
	snprintf(cfg.costs[0].name, sizeof(cfg.costs[0].name), "bogus");
	assert_einval_mentions(kmm_config_validate(&cfg), kmm_last_error(NULL), "bogus");
}

/* The MMU rows are the TLB geometry's cycles: -cost walk_read=7 reaches the walker. */
static void test_clock_mmu_costs_come_from_the_table(void **state)
{
	struct kmm_config cfg;
	struct kmm_tlb_geometry geo;
	struct kmm_machine *m;

	(void)state;
	kmm_config_init(&cfg);
	assert_int_equal(kmm_config_option(&cfg, "-cost", "walk_read=7"), KMM_OK);
	m = test_machine(&cfg);
	assert_int_equal(kmm_tlb_get_geometry(m, &geo), KMM_OK);
	assert_int_equal(geo.cycles_walk_read, 7);
	geo.cycles_tlbi = 99;
	assert_int_equal(kmm_tlb_set_geometry(m, &geo), KMM_OK);
	assert_non_null(strstr(test_view(m, "/sys/kernel/debug/kmm/costs"),
			       "tlbi                     99       30  "));
	test_machine_done(m);
}

/* Boot work is charged (memmap init, the buddy handover): the clock is not at zero. */
static void test_clock_boot_takes_time(void **state)
{
	struct kmm_machine *m = clock_machine(NULL);

	(void)state;
	/* 262144 struct pages at memmap_init (30) alone: more than 7.8 M cycles */
	assert_true(kmm_clock_cycles(m) > 262144ull * 30);
	test_machine_done(m);
}

static uint64_t stamp_us(const char *line)
{
	const char *colon = strstr(line, ": ");
	const char *p = colon;
	unsigned long long s = 0, us = 0;

	while (p > line && p[-1] != ' ')
		p--;
	assert_int_equal(sscanf(p, "%llu.%llu", &s, &us), 2);
	return s * 1000000ull + us;
}

/* Trace lines from two CPUs, switched back and forth: stamps never decrease, and advance. */
static void test_clock_trace_never_goes_backwards(void **state)
{
	struct kmm_machine *m = clock_machine(NULL);
	const char *t, *line;
	uint64_t prev = 0, first = UINT64_MAX;
	int lines = 0;
	kmm_pfn_t pfn[8];

	(void)state;
	assert_int_equal(kmm_trace_enable(m, "mm_page_alloc", true), KMM_OK);
	for (int round = 0; round < 40; round++) {
		assert_int_equal(kmm_cpu_set(m, (unsigned)round % 2), KMM_OK);
		for (int i = 0; i < 8; i++)
			assert_int_equal(
				kmm_alloc_pages(m, KMM_GFP_KERNEL, (unsigned)i % 3, &pfn[i]),
				KMM_OK);
		for (int i = 0; i < 8; i++)
			assert_int_equal(kmm_free_pages(m, pfn[i], (unsigned)i % 3), KMM_OK);
	}
	t = test_view(m, "/sys/kernel/debug/tracing/trace");
	for (line = strstr(t, "mm_page_alloc:"); line; line = strstr(line + 1, "mm_page_alloc:")) {
		const char *start = line;
		uint64_t us;

		while (start > t && start[-1] != '\n')
			start--;
		us = stamp_us(start);
		assert_true(us >= prev);
		prev = us;
		if (first == UINT64_MAX)
			first = us;
		lines++;
	}
	assert_int_equal(lines, 40 * 8);
	assert_true(prev > first);
	test_machine_done(m);
}

/* Two machines given the same calls keep the same clocks and print the same trace. */
static void test_clock_is_deterministic(void **state)
{
	struct kmm_machine *a = clock_machine(NULL), *b = clock_machine(NULL);
	struct kmm_machine *ms[2] = {a, b};
	static char ta[1 << 16], tb[1 << 16];

	(void)state;
	for (int i = 0; i < 2; i++) {
		kmm_va_t va[16];

		assert_int_equal(kmm_trace_enable(ms[i], "kmem", true), KMM_OK);
		for (int j = 0; j < 16; j++) {
			assert_int_equal(kmm_cpu_set(ms[i], (unsigned)j % 2), KMM_OK);
			assert_int_equal(kmm_kmalloc(ms[i], 64u << (j % 6), KMM_GFP_KERNEL, &va[j]),
					 KMM_OK);
		}
		for (int j = 0; j < 16; j++)
			assert_int_equal(kmm_kfree(ms[i], va[j]), KMM_OK);
	}
	assert_int_equal(kmm_clock_cycles(a), kmm_clock_cycles(b));
	for (unsigned c = 0; c < 2; c++) {
		assert_int_equal(kmm_clock_cpu_cycles(a, c), kmm_clock_cpu_cycles(b, c));
		assert_int_equal(kmm_clock_cpu_busy_cycles(a, c), kmm_clock_cpu_busy_cycles(b, c));
	}
	assert_int_equal(kmm_proc_read(a, "/sys/kernel/debug/tracing/trace", ta, sizeof(ta)),
			 KMM_OK);
	assert_int_equal(kmm_proc_read(b, "/sys/kernel/debug/tracing/trace", tb, sizeof(tb)),
			 KMM_OK);
	assert_string_equal(ta, tb);
	test_machine_done(a);
	test_machine_done(b);
}

/* tracefs-style enable files: "0", "1", or "X" when a subsystem's events are mixed. */
static void test_clock_trace_enable_files(void **state)
{
	struct kmm_machine *m = clock_machine(NULL);
	char buf[16];

	(void)state;
	assert_string_equal(test_view(m, "/sys/kernel/debug/tracing/events/enable"), "0\n");
	assert_string_equal(test_view(m, "/sys/kernel/debug/tracing/events/kmem/enable"), "0\n");
	assert_int_equal(kmm_trace_enable(m, "kmalloc", true), KMM_OK);
	assert_string_equal(test_view(m, "/sys/kernel/debug/tracing/events/kmem/enable"), "X\n");
	assert_string_equal(test_view(m, "/sys/kernel/debug/tracing/events/kmem/kmalloc/enable"),
			    "1\n");
	assert_string_equal(test_view(m, "/sys/kernel/debug/tracing/events/kmem/kfree/enable"),
			    "0\n");
	assert_int_equal(kmm_trace_enable(m, "kmem", true), KMM_OK);
	assert_string_equal(test_view(m, "/sys/kernel/debug/tracing/events/kmem/enable"), "1\n");
	/* the mmap subsystem's events are still off: the top level is mixed */
	assert_string_equal(test_view(m, "/sys/kernel/debug/tracing/events/enable"), "X\n");
	assert_int_equal(kmm_trace_enable(m, "mmap", true), KMM_OK);
	/* every other subsystem on too (vmscan, ...): the top level reads 1 */
	assert_int_equal(kmm_trace_enable(m, "vmscan", true), KMM_OK);
	assert_int_equal(kmm_trace_enable(m, "migrate", true), KMM_OK);
	assert_int_equal(kmm_trace_enable(m, "compaction", true), KMM_OK);
	assert_int_equal(kmm_trace_enable(m, "huge_memory", true), KMM_OK);
	assert_int_equal(kmm_trace_enable(m, "filemap", true), KMM_OK);
	assert_string_equal(test_view(m, "/sys/kernel/debug/tracing/events/enable"), "1\n");
	assert_int_equal(kmm_proc_read(m, "/sys/kernel/debug/tracing/events/kmem/nope/enable", buf,
				       sizeof(buf)),
			 KMM_ENOENT);
	assert_int_equal(
		kmm_proc_read(m, "/sys/kernel/debug/tracing/events/nope/enable", buf, sizeof(buf)),
		KMM_ENOENT);
	test_machine_done(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_clock_page_pair_costs_its_table_rows),
		cmocka_unit_test(test_clock_cost_set_through_the_config_is_used),
		cmocka_unit_test(test_clock_cost_option_is_validated),
		cmocka_unit_test(test_clock_mmu_costs_come_from_the_table),
		cmocka_unit_test(test_clock_boot_takes_time),
		cmocka_unit_test(test_clock_trace_never_goes_backwards),
		cmocka_unit_test(test_clock_is_deterministic),
		cmocka_unit_test(test_clock_trace_enable_files),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
