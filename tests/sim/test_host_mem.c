/*
 * The host never dies for the simulation (issue 13): each machine has a host-memory budget;
 * RAM is charged as it is first written, zeroing RAM never written commits nothing, freed
 * pageblocks give their host pages back, a memory map beyond the budget is refused at create,
 * the slab object map is charged,
 * and crossing the budget later stops the machine with KMM_EHOST. Also: kmm_check of a
 * machine at a high PA and of the largest TLB geometry stays fast, and larger TLBs than
 * hardware builds are refused. Freed RAM keeps its slack (an eighth of RAM) for reuse, and
 * user pages committed ahead are charged once.
 */
#include "kmm_test.h"

#include <kmm/task.h>

#include <time.h>

static struct kmm_config config(const char *ram, const char *budget)
{
	struct kmm_config cfg;

	kmm_config_init(&cfg);
	assert_int_equal(kmm_config_option(&cfg, "-m", ram), KMM_OK);
	assert_int_equal(kmm_config_option(&cfg, "-smp", "1"), KMM_OK);
	if (budget)
		assert_int_equal(kmm_config_option(&cfg, "-host-mem", budget), KMM_OK);
	/* These tests count 4 KiB chunks; the 2 MiB granule has its own tests below. */
	assert_int_equal(kmm_config_option(&cfg, "-host-granule", "4K"), KMM_OK);
	return cfg;
}

static double now_s(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static void test_host_mem_option(void **state)
{
	struct kmm_config cfg = config("1G", "512");
	struct kmm_machine *m;
	uint64_t charged, budget;

	assert_int_equal(cfg.host_mem, 512ull << 20);
	assert_int_equal(kmm_config_option(&cfg, "-host-mem", "2G"), KMM_OK);
	assert_int_equal(cfg.host_mem, 2ull << 30);
	assert_error(kmm_config_option(&cfg, "-host-mem", "0"), KMM_EINVAL, kmm_last_error(NULL),
		     "-host-mem");
	assert_error(kmm_config_option(&cfg, "-host-mem", "lots"), KMM_EINVAL, kmm_last_error(NULL),
		     "-host-mem");
	assert_int_equal(cfg.host_mem, 2ull << 30); /* a refused option changes nothing */
	m = test_machine(&cfg);
	kmm_host_mem(m, &charged, &budget);
	assert_int_equal(budget, 2ull << 30);
	/* 16 MiB of struct pages for 1 GiB, the page tables, some metadata: well under 64 MiB. */
	assert_true(charged > (16ull << 20) && charged < (64ull << 20));
	test_machine_done(m);
	/* The default: a share of the host's memory, fixed at create. */
	cfg.host_mem = 0;
	m = test_machine(&cfg);
	kmm_host_mem(m, NULL, &budget);
	assert_true(budget > 0);
	test_machine_done(m);
}

/* -m 1T needs 16 GiB of struct pages: refused at create, the estimate in the message. */
static void test_host_mem_memmap_refused_up_front(void **state)
{
	struct kmm_config cfg = config("1T", "4G");
	struct kmm_machine *m = NULL;
	double t0 = now_s();

	assert_error(kmm_machine_create(&cfg, &m), KMM_EHOST, kmm_last_error(NULL), "memory map");
	assert_null(m);
	assert_non_null(strstr(kmm_last_error(NULL), "16384 MiB"));
	assert_non_null(strstr(kmm_last_error(NULL), "budget of 4096 MiB"));
	assert_true(now_s() - t0 < 1.0);
}

/*
 * Allocating 90 % of RAM with init_on_alloc=1 zeroes every page, yet commits (and charges)
 * no RAM: the pages were never written. A word written charges its 4 KiB chunk.
 */
static void test_host_mem_zeroing_untouched_is_free(void **state)
{
	struct kmm_config cfg = config("1G", NULL);
	struct kmm_machine *m = test_machine(&cfg);
	static kmm_pfn_t pfn[512];
	uint64_t before, after, v = 0x1234;
	size_t n = 0;

	kmm_host_mem(m, &before, NULL);
	while (n < 460 && kmm_alloc_pages(m, KMM_GFP_KERNEL | KMM___GFP_ZERO, 9, &pfn[n]) == KMM_OK)
		n++;
	assert_true(n >= 400);
	kmm_host_mem(m, &after, NULL);
	if (after - before > (1ull << 20))
		fail_msg("zeroing %zu untouched blocks charged %llu KiB", n,
			 (unsigned long long)((after - before) >> 10));
	assert_int_equal(kmm_phys_write(m, (pfn[7] << 12) + 8192, &v, 8), KMM_OK);
	kmm_host_mem(m, &before, NULL);
	assert_int_equal(before - after, 4096);
	for (size_t i = 0; i < n; i++)
		assert_int_equal(kmm_free_pages(m, pfn[i], 9), KMM_OK);
	test_machine_done(m);
}

/*
 * Freed RAM keeps at most the slack of written memory behind it for reuse (an eighth of RAM,
 * at least 32 MiB: 32 MiB on this 256 MiB machine) and gives the rest back to the host. With
 * every page of 96 MiB or more written, then all of it freed and the per-CPU lists drained,
 * the charge falls by at least what was written less the slack, and the block freed last
 * (its memory given back) reads as zero.
 */
static void test_host_mem_free_gives_back_beyond_slack(void **state)
{
	struct kmm_config cfg = config("256M", NULL);
	struct kmm_machine *m = test_machine(&cfg);
	static kmm_pfn_t pfn[128];
	uint64_t before, after, v = 0x1234, r = 1, written;
	size_t n = 0;

	while (n < 100 &&
	       kmm_alloc_pages(m, KMM_GFP_KERNEL | KMM___GFP_NOWARN, 9, &pfn[n]) == KMM_OK)
		n++;
	assert_true(n >= 48); /* 96 MiB or more, three times the slack */
	for (size_t i = 0; i < n; i++)
		for (uint64_t pg = 0; pg < 512; pg++)
			assert_int_equal(kmm_phys_write(m, (pfn[i] + pg) << 12, &v, 8), KMM_OK);
	written = (uint64_t)n << 21;
	kmm_host_mem(m, &before, NULL);
	for (size_t i = 0; i < n; i++)
		assert_int_equal(kmm_free_pages(m, pfn[i], 9), KMM_OK);
	assert_int_equal(kmm_drain_all_pages(m), KMM_OK);
	kmm_host_mem(m, &after, NULL);
	if (before - after < written - (32ull << 20))
		fail_msg("freeing %llu MiB written gave back only %llu MiB (slack 32 MiB)",
			 (unsigned long long)(written >> 20),
			 (unsigned long long)((before - after) >> 20));
	assert_int_equal(kmm_phys_read(m, pfn[n - 1] << 12, &r, 8), KMM_OK);
	assert_int_equal(r, 0);
	test_machine_done(m);
}

/*
 * The slack is an eighth of the RAM the buddy allocator holds at the free (1 GiB here, less
 * what boot keeps: over 100 MiB), not of what it held at the first free during boot (the
 * 32 MiB floor). 64 MiB written and freed stay behind the free blocks for reuse: the charge
 * does not fall.
 */
static void test_host_mem_slack_kept_for_reuse(void **state)
{
	struct kmm_config cfg = config("1G", NULL);
	struct kmm_machine *m = test_machine(&cfg);
	static kmm_pfn_t pfn[32];
	uint64_t before, after, v = 0x5678;

	for (size_t i = 0; i < 32; i++) {
		assert_int_equal(kmm_alloc_pages(m, KMM_GFP_KERNEL, 9, &pfn[i]), KMM_OK);
		for (uint64_t pg = 0; pg < 512; pg++)
			assert_int_equal(kmm_phys_write(m, (pfn[i] + pg) << 12, &v, 8), KMM_OK);
	}
	kmm_host_mem(m, &before, NULL);
	for (size_t i = 0; i < 32; i++)
		assert_int_equal(kmm_free_pages(m, pfn[i], 9), KMM_OK);
	assert_int_equal(kmm_drain_all_pages(m), KMM_OK);
	kmm_host_mem(m, &after, NULL);
	if (after < before)
		fail_msg("freeing 64 MiB written gave %llu KiB back (slack: an eighth of 1 GiB)",
			 (unsigned long long)((before - after) >> 10));
	test_machine_done(m);
}

/*
 * User pages are committed ahead, a per-CPU list's refill at a time, and charged then: after
 * a task writes N pages the charge has grown by N/2 x 4 KiB at least (most of its pages come
 * fresh from the buddy lists; boot leaves a few written ones behind) and by at most N pages
 * and one refill more (pcp->batch pages, 63 at most) plus the task's page tables and kernel
 * objects (under 64 pages; chunks charged twice would add up to N); writing them again
 * charges nothing;
 * every page reads back what was written, the pages never written read zero, and kmm_check
 * (each chunk touched or clean, never both; the charge is their sum) holds after each step.
 */
static void test_host_mem_commit_ahead_charged(void **state)
{
	struct kmm_config cfg = config("1G", NULL);
	struct kmm_machine *m = test_machine(&cfg);
	const uint64_t n = 1000;
	uint64_t before, after, done, v;
	kmm_pid_t pid;
	kmm_va_t va;

	assert_int_equal(kmm_task_create(m, "t", 0, &pid), KMM_OK);
	assert_int_equal(kmm_mmap(m, pid, 0, 2 * n << 12, KMM_PROT_READ | KMM_PROT_WRITE,
				  KMM_MAP_PRIVATE | KMM_MAP_ANONYMOUS, -1, 0, &va),
			 KMM_OK);
	kmm_host_mem(m, &before, NULL);
	assert_int_equal(kmm_task_touch(m, pid, KMM_ACCESS_STORE, va, n << 12, 4096, KMM_TOUCH_SEQ,
					0x1122334455667788ull, &done),
			 KMM_OK);
	assert_int_equal(done, n);
	assert_int_equal(kmm_check(m), KMM_OK);
	kmm_host_mem(m, &after, NULL);
	assert_true(after - before >= n << 11); /* most pages fresh (boot leaves a few written) */
	if (after - before > (n + 63 + 64) << 12)
		fail_msg("%llu pages written charged %llu KiB", (unsigned long long)n,
			 (unsigned long long)((after - before) >> 10));
	assert_int_equal(kmm_task_touch(m, pid, KMM_ACCESS_STORE, va, n << 12, 4096, KMM_TOUCH_SEQ,
					0x1122334455667788ull, &done),
			 KMM_OK);
	kmm_host_mem(m, &before, NULL);
	assert_int_equal(before, after);
	for (uint64_t i = 0; i < n; i += 97) {
		assert_int_equal(kmm_task_access(m, pid, KMM_ACCESS_LOAD, va + (i << 12), &v,
						 sizeof(v), NULL),
				 KMM_OK);
		assert_int_equal(v, 0x1122334455667788ull);
		assert_int_equal(kmm_task_access(m, pid, KMM_ACCESS_LOAD, va + (i << 12) + 8, &v,
						 sizeof(v), NULL),
				 KMM_OK);
		assert_int_equal(v, 0);
	}
	/* The second half: written for the first time now, on pages committed ahead or not. */
	assert_int_equal(kmm_task_touch(m, pid, KMM_ACCESS_STORE, va + (n << 12), n << 12, 4096,
					KMM_TOUCH_SEQ, 7, &done),
			 KMM_OK);
	assert_int_equal(kmm_check(m), KMM_OK);
	assert_int_equal(kmm_munmap(m, pid, va, 2 * n << 12), KMM_OK);
	assert_int_equal(kmm_check(m), KMM_OK);
	test_machine_done(m);
}

/* Crossing the budget stops the machine: KMM_EHOST naming the budget, then KMM_EDEAD. */
static void test_host_mem_budget_stops_machine(void **state)
{
	struct kmm_config cfg = config("1G", "96M");
	struct kmm_machine *m = test_machine(&cfg);
	enum kmm_status st = KMM_OK;
	uint64_t charged, budget;
	kmm_va_t va;
	int i;

	for (i = 0; i < 100000 && st == KMM_OK; i++)
		st = kmm_kmalloc(m, 4096, KMM_GFP_KERNEL, &va);
	assert_error(st, KMM_EHOST, kmm_last_error(m), "host memory budget of 96 MiB");
	assert_non_null(strstr(kmm_last_error(m), "RAM written"));
	kmm_host_mem(m, &charged, &budget);
	assert_true(charged > budget && charged - budget <= 4096);
	assert_int_equal(kmm_kmalloc(m, 64, KMM_GFP_KERNEL, &va), KMM_EDEAD);
	/* The report is in the ring and the log. */
	{
		struct kmm_report r;
		assert_int_equal(kmm_report_get(m, kmm_report_count(m), &r), KMM_OK);
		assert_non_null(strstr(r.text, "host memory budget exceeded"));
	}
	kmm_machine_destroy(m);

	/* The same config and workload die at the same step (the decision is deterministic). */
	m = test_machine(&cfg);
	st = KMM_OK;
	{
		int j;
		for (j = 0; j < 100000 && st == KMM_OK; j++)
			st = kmm_kmalloc(m, 4096, KMM_GFP_KERNEL, &va);
		assert_int_equal(j, i);
	}
	kmm_machine_destroy(m);
}

/* A budget too small for boot fails create with KMM_EHOST and the budget message. */
static void test_host_mem_budget_during_boot(void **state)
{
	struct kmm_config cfg = config("1G", "17M");
	struct kmm_machine *m = NULL;

	assert_error(kmm_machine_create(&cfg, &m), KMM_EHOST, kmm_last_error(NULL),
		     "host memory budget of 17 MiB exceeded");
	assert_null(m);
}

/*
 * The slab object map (one bit per 8 bytes of RAM: RAM / 64, 16 MiB for 1 GiB) is charged as
 * the memory map is: a budget short of the machine's charge by half of that map is crossed at
 * boot. Uncharged, the machine would fit it with 8 MiB to spare.
 */
static void test_host_mem_objmap_charged(void **state)
{
	struct kmm_config cfg = config("1G", "4G");
	const uint64_t objmap = (1ull << 30) / 64;
	struct kmm_machine *m = NULL;
	uint64_t charged;
	char budget[32];

	m = test_machine(&cfg);
	kmm_host_mem(m, &charged, NULL);
	test_machine_done(m);
	assert_true(charged > 16 * 1024 * 1024 + objmap); /* the memory map's 16 MiB and it */
	snprintf(budget, sizeof(budget), "%lluK",
		 (unsigned long long)((charged - objmap / 2) >> 10));
	cfg = config("1G", budget);
	m = NULL;
	assert_error(kmm_machine_create(&cfg, &m), KMM_EHOST, kmm_last_error(NULL),
		     "host memory budget");
	assert_null(m);
}

/* CPU seconds: the checks below are timed against themselves, not against other jobs. */
static double cpu_s(void)
{
	return (double)clock() / CLOCKS_PER_SEC;
}

#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_UNDEFINED__)
#define SLOW 4.0 /* sanitizer builds */
#else
#define SLOW 1.0
#endif

/*
 * kmm_check costs O(RAM pages + TLB entries + sections), not O(PA span): -M none machines at
 * a high PA. The isolation walk went over the span pageblock by pageblock (1.4 s of CPU for
 * four checks with a bank at 0xff0000000000, now 0.3 s), slub_check mapped a bitmap over it.
 */
static void test_host_mem_check_at_high_pa(void **state)
{
	static const char *const layouts[][3] = {
		{"128M@0x767c94cfd000", NULL, NULL},
		{"256M@0x40000000", "128M@0x767c94cfd000", "256M"},
		{"256M@0x40000000", "128M@0xff0000000000", "256M"},
	};

	for (size_t i = 0; i < sizeof(layouts) / sizeof(layouts[0]); i++) {
		struct kmm_config cfg;
		struct kmm_machine *m;
		double t0;

		kmm_config_init(&cfg);
		assert_int_equal(kmm_config_option(&cfg, "-M", "none"), KMM_OK);
		for (int b = 0; b < 2 && layouts[i][b]; b++)
			assert_int_equal(kmm_config_option(&cfg, "-ram", layouts[i][b]), KMM_OK);
		/* The memory map spans the hole; only its present part is charged. */
		if (layouts[i][2])
			assert_int_equal(kmm_config_option(&cfg, "-host-mem", layouts[i][2]),
					 KMM_OK);
		m = test_machine(&cfg);
		t0 = cpu_s();
		for (int c = 0; c < 4; c++)
			if (kmm_check(m) != KMM_OK)
				fail_msg("layout %zu: %s", i, kmm_last_error(m));
		if (cpu_s() - t0 > 0.8 * SLOW)
			fail_msg("layout %zu: four checks took %.2f s of CPU", i, cpu_s() - t0);
		kmm_machine_destroy(m);
	}
}

/* The largest L2 TLB allowed checks fast; larger ones are refused. */
static void test_host_mem_tlb_bounds(void **state)
{
	struct kmm_machine *m = test_machine(NULL);
	struct kmm_tlb_geometry geo;
	double t0;

	kmm_tlb_geometry_default(&geo);
	geo.l2_sets = 4096;
	geo.l2_ways = 16;
	assert_error(kmm_tlb_set_geometry(m, &geo), KMM_EINVAL, kmm_last_error(m), "l2_sets");
	geo.l2_sets = 256;
	assert_int_equal(kmm_tlb_set_geometry(m, &geo), KMM_OK);
	t0 = cpu_s();
	assert_int_equal(kmm_check(m), KMM_OK);
	assert_true(cpu_s() - t0 < 0.5 * SLOW);
	test_machine_done(m);
}

/*
 * -host-granule 2M: RAM is charged by 2 MiB chunks (one host huge page each). Zeroing blocks
 * never written still charges nothing; one word written charges its whole 2 MiB chunk, a
 * second word in the same chunk nothing more.
 */
static void test_host_mem_huge_granule(void **state)
{
	struct kmm_config cfg = config("256M", NULL);
	struct kmm_machine *m;
	static kmm_pfn_t pfn[64];
	uint64_t before, after, v = 7;
	size_t n = 0;

	assert_int_equal(kmm_config_option(&cfg, "-host-granule", "2M"), KMM_OK);
	assert_int_equal(cfg.host_granule, 2ull << 20);
	m = test_machine(&cfg);
	kmm_host_mem(m, &before, NULL);
	while (n < 64 && kmm_alloc_pages(m, KMM_GFP_KERNEL | KMM___GFP_ZERO, 9, &pfn[n]) == KMM_OK)
		n++;
	assert_int_equal(n, 64);
	kmm_host_mem(m, &after, NULL);
	if (after - before > (1ull << 20))
		fail_msg("zeroing %zu untouched blocks charged %llu KiB", n,
			 (unsigned long long)((after - before) >> 10));
	assert_int_equal(kmm_phys_write(m, (pfn[5] << 12) + 4096, &v, 8), KMM_OK);
	kmm_host_mem(m, &before, NULL);
	assert_int_equal(before - after, 2ull << 20);
	assert_int_equal(kmm_phys_write(m, (pfn[5] << 12) + (2ull << 20) - 8, &v, 8), KMM_OK);
	kmm_host_mem(m, &after, NULL);
	assert_int_equal(after, before);
	assert_int_equal(kmm_check(m), KMM_OK);
	for (size_t i = 0; i < n; i++)
		assert_int_equal(kmm_free_pages(m, pfn[i], 9), KMM_OK);
	assert_int_equal(kmm_check(m), KMM_OK);
	test_machine_done(m);
}

/* Does this host give madvised memory transparent huge pages? (its sysfs file, read here) */
static bool host_thp_madvise(void)
{
	char line[128] = "";
	FILE *f = fopen("/sys/kernel/mm/transparent_hugepage/enabled", "r");

	if (!f)
		return false;
	if (!fgets(line, sizeof(line), f))
		line[0] = 0;
	fclose(f);
	return strstr(line, "[always]") || strstr(line, "[madvise]");
}

/* What one word written into a fresh order-9 block charges on a machine booted from @cfg. */
static uint64_t charge_of_one_word(const struct kmm_config *cfg)
{
	struct kmm_machine *m = test_machine(cfg);
	uint64_t before, after, v = 1;
	kmm_pfn_t pfn;

	assert_int_equal(kmm_alloc_pages(m, KMM_GFP_KERNEL, 9, &pfn), KMM_OK);
	kmm_host_mem(m, &before, NULL);
	assert_int_equal(kmm_phys_write(m, pfn << 12, &v, 8), KMM_OK);
	kmm_host_mem(m, &after, NULL);
	test_machine_done(m);
	return after - before;
}

/*
 * -host-granule auto (the default): 2 MiB chunks when the host has THP for madvised memory and
 * all the RAM and an eighth more fit in the budget, else 4 KiB. Bad values are refused.
 */
static void test_host_mem_granule_auto(void **state)
{
	struct kmm_config cfg = config("256M", "4G");
	const uint64_t huge = host_thp_madvise() ? 2ull << 20 : 4096;
	struct kmm_machine *m = NULL;

	assert_int_equal(kmm_config_option(&cfg, "-host-granule", "auto"), KMM_OK);
	assert_int_equal(cfg.host_granule, 0);
	/* 256 MiB of RAM, a 4 GiB budget: 288 MiB fit. */
	assert_int_equal(charge_of_one_word(&cfg), huge);
	/* The edge: 256 + 32 MiB fit a 288 MiB budget, not a 287 MiB one (then 4 KiB chunks). */
	assert_int_equal(kmm_config_option(&cfg, "-host-mem", "288M"), KMM_OK);
	assert_int_equal(charge_of_one_word(&cfg), huge);
	assert_int_equal(kmm_config_option(&cfg, "-host-mem", "287M"), KMM_OK);
	assert_int_equal(charge_of_one_word(&cfg), 4096);
	assert_error(kmm_config_option(&cfg, "-host-granule", "8K"), KMM_EINVAL,
		     kmm_last_error(NULL), "-host-granule 8K");
	cfg.host_granule = 12345;
	assert_error(kmm_machine_create(&cfg, &m), KMM_EINVAL, kmm_last_error(NULL),
		     "host_granule 12345");
	assert_null(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_host_mem_option),
		cmocka_unit_test(test_host_mem_memmap_refused_up_front),
		cmocka_unit_test(test_host_mem_zeroing_untouched_is_free),
		cmocka_unit_test(test_host_mem_free_gives_back_beyond_slack),
		cmocka_unit_test(test_host_mem_slack_kept_for_reuse),
		cmocka_unit_test(test_host_mem_commit_ahead_charged),
		cmocka_unit_test(test_host_mem_budget_stops_machine),
		cmocka_unit_test(test_host_mem_budget_during_boot),
		cmocka_unit_test(test_host_mem_objmap_charged),
		cmocka_unit_test(test_host_mem_check_at_high_pa),
		cmocka_unit_test(test_host_mem_tlb_bounds),
		cmocka_unit_test(test_host_mem_huge_granule),
		cmocka_unit_test(test_host_mem_granule_auto),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
