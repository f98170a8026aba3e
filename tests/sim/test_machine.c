/*
 * Machine lifecycle, physical memory, errors, reports, BUG unwinding, host-allocation
 * failure injection, the clock and the kernel log.
 */
#include "kmm_test.h"

#include "lib/env.h"
#include "sim/api.h"
#include "sim/machine.h"

static void test_machine_default_create_destroy(void **state)
{
	struct kmm_machine *m = test_machine(NULL);

	assert_int_equal(kmm_machine_config(m)->nr_cpus, 4);
	assert_false(kmm_machine_dead(m));
	assert_true(kmm_phys_is_ram(m, 0x40000000));
	assert_true(kmm_phys_is_ram(m, 0x7fffffff));
	assert_false(kmm_phys_is_ram(m, 0x80000000));
	assert_false(kmm_phys_is_ram(m, 0x3fffffff));
	assert_true(kmm_phys_is_mmio(m, 0x09000000));  /* pl011 */
	assert_false(kmm_phys_is_mmio(m, 0x09020000)); /* hole between the RTC and GPIO */
	test_machine_done(m);
}

static void test_machine_create_rejects_bad_config_with_reason(void **state)
{
	struct kmm_config cfg;
	struct kmm_machine *m = (struct kmm_machine *)&cfg;

	kmm_config_init(&cfg);
	cfg.nr_cpus = 0;
	assert_int_equal(kmm_machine_create(&cfg, &m), KMM_EINVAL);
	assert_null(m);
	assert_non_null(strstr(kmm_last_error(NULL), "0 CPUs"));
	assert_int_equal(kmm_machine_create(NULL, NULL), KMM_EINVAL);
}

static void test_machine_ram_is_zero_and_separate_per_machine(void **state)
{
	struct kmm_machine *a = test_machine(NULL), *b = test_machine(NULL);
	uint64_t v = 0x1122334455667788ull, r = 1;

	assert_int_equal(kmm_phys_read(a, 0x40001000, &r, 8), KMM_OK);
	assert_int_equal(r, 0);
	assert_int_equal(kmm_phys_write(a, 0x40001000, &v, 8), KMM_OK);
	assert_int_equal(kmm_phys_read(a, 0x40001000, &r, 8), KMM_OK);
	assert_int_equal(r, v);
	assert_int_equal(kmm_phys_read(b, 0x40001000, &r, 8), KMM_OK);
	assert_int_equal(r, 0);
	assert_memory_equal(kmm_phys_to_host(a, 0x40001000, 8), &v, 8);
	test_machine_done(a);
	test_machine_done(b);
}

static void test_machine_phys_access_is_bounds_checked(void **state)
{
	struct kmm_config cfg;
	struct kmm_machine *m;
	uint8_t buf[16] = {0};

	/*
	 * Two adjacent banks and a hole:
	 *   [0x40000000, 0x48000000) bank 0 (128 MiB: room for the kernel image)
	 *   [0x48000000, 0x48100000) bank 1
	 *   [0x48100000, 0x50000000) hole
	 *   [0x50000000, 0x50100000) bank 2
	 */
	kmm_config_init(&cfg);
	kmm_config_add_bank(&cfg, 0x40000000, 0x8000000);
	kmm_config_add_bank(&cfg, 0x48000000, 0x100000);
	kmm_config_add_bank(&cfg, 0x50000000, 0x100000);
	m = test_machine(&cfg);

	/* across the two adjacent banks: fine byte-wise, but no single host pointer */
	assert_int_equal(kmm_phys_write(m, 0x47fffff8, "0123456789abcdef", 16), KMM_OK);
	assert_int_equal(kmm_phys_read(m, 0x47fffff8, buf, 16), KMM_OK);
	assert_memory_equal(buf, "0123456789abcdef", 16);
	assert_null(kmm_phys_to_host(m, 0x47fffff8, 16));
	assert_non_null(kmm_phys_to_host(m, 0x47fffff8, 8));

	/* into the hole, out of the top, on MMIO: refused, nothing written */
	assert_int_equal(kmm_phys_write(m, 0x480ffff8, buf, 16), KMM_EFAULT);
	assert_non_null(strstr(kmm_last_error(m), "not all of it is RAM"));
	assert_int_equal(kmm_phys_read(m, 0x480ffff8, buf, 8), KMM_OK);
	assert_memory_equal(buf, "\0\0\0\0\0\0\0\0", 8);
	assert_int_equal(kmm_phys_read(m, 0x500ffffc, buf, 8), KMM_EFAULT);
	assert_int_equal(kmm_phys_read(m, 0x09000000, buf, 4), KMM_EFAULT);
	assert_int_equal(kmm_phys_read(m, UINT64_MAX - 3, buf, 8), KMM_EFAULT);
	assert_null(kmm_phys_to_host(m, 0x48100000, 1));
	assert_int_equal(kmm_phys_read(NULL, 0x40000000, buf, 8), KMM_EINVAL);
	test_machine_done(m);
}

struct report_log {
	int calls;
	enum kmm_report_kind last_kind;
	char text[256];
};

static void record_report(void *arg, const struct kmm_report *r)
{
	struct report_log *log = arg;

	log->calls++;
	log->last_kind = r->kind;
	snprintf(log->text, sizeof(log->text), "%s", r->text);
}

/* An internal "kernel" path that raises a BUG, entered through the API boundary. */
API_BODY(bugs, { int unused; })
{
	env_report(a->env, KMM_REPORT_BUG, "test", "test_bug", "1 == 1", "kernel BUG at test.c:1!");
	return KMM_OK; /* not reached: the BUG unwinds */
}

static enum kmm_status call_that_bugs(struct kmm_machine *m)
{
	return API_CALL(m, API_MACHINE, bugs, 0);
}

API_BODY(works, { int unused; })
{
	return KMM_OK;
}

static enum kmm_status call_that_works(struct kmm_machine *m)
{
	return API_CALL(m, API_MACHINE, works, 0);
}

static void test_machine_bug_unwinds_and_kills(void **state)
{
	struct kmm_machine *m = test_machine(NULL);
	struct report_log log = {0};
	struct kmm_report r;
	char buf[64];

	kmm_set_report_handler(m, record_report, &log);
	env_report(&m->env, KMM_REPORT_WARN, "test", "test_warn", NULL, "WARNING: test");
	assert_int_equal(log.calls, 1);
	assert_int_equal(log.last_kind, KMM_REPORT_WARN);
	assert_false(kmm_machine_dead(m));

	assert_int_equal(call_that_bugs(m), KMM_EBUG);
	assert_int_equal(log.calls, 2);
	assert_int_equal(log.last_kind, KMM_REPORT_BUG);
	assert_string_equal(log.text, "kernel BUG at test.c:1!");
	assert_true(kmm_machine_dead(m));
	assert_non_null(strstr(kmm_last_error(m), "test_bug"));
	/* dead: only inspect, dump, destroy */
	assert_int_equal(call_that_works(m), KMM_EDEAD);
	assert_int_equal(kmm_report_count(m), 2);
	assert_int_equal(kmm_report_get(m, 2, &r), KMM_OK);
	assert_int_equal(r.kind, KMM_REPORT_BUG);
	assert_string_equal(r.function, "test_bug");
	assert_int_equal(kmm_report_get(m, 3, &r), KMM_ENOENT);
	assert_int_equal(kmm_proc_read(m, "/proc/iomem", buf, sizeof(buf)), KMM_ERANGE);
	kmm_machine_destroy(m);
}

static void test_machine_report_ring_keeps_the_last(void **state)
{
	struct kmm_machine *m = test_machine(NULL);
	struct kmm_report r;

	for (int i = 1; i <= KMM_REPORT_RING + 10; i++)
		env_report(&m->env, KMM_REPORT_INFO, "test", "f", NULL, "report %d", i);
	assert_int_equal(kmm_report_count(m), KMM_REPORT_RING + 10);
	assert_int_equal(kmm_report_get(m, 10, &r), KMM_ENOENT);
	assert_int_equal(kmm_report_get(m, 11, &r), KMM_OK);
	assert_string_equal(r.text, "report 11");
	assert_int_equal(kmm_report_get(m, KMM_REPORT_RING + 10, &r), KMM_OK);
	assert_string_equal(r.text, "report 266");
	test_machine_done(m);
}

static void test_machine_host_alloc_failure_fails_cleanly(void **state)
{
	struct kmm_config cfg;
	int failures = 0;

	/* Fail each host allocation of creation in turn: every one must fail cleanly. */
	for (uint64_t nth = 1; nth < 64; nth++) {
		struct kmm_machine *m = NULL;
		enum kmm_status st;

		kmm_config_init(&cfg);
		kmm_config_option(&cfg, "-reserve", "1M");
		cfg.fail_host_alloc_nth = nth;
		st = kmm_machine_create(&cfg, &m);
		if (st == KMM_OK) {
			test_machine_done(m);
			break; /* past the last allocation creation makes */
		}
		assert_int_equal(st, KMM_EHOST);
		assert_null(m);
		assert_true(strlen(kmm_last_error(NULL)) > 0);
		failures++;
	}
	assert_true(failures >= 3); /* machine, RAM backing, CPU state at least */
}

static void append(void *arg, const char *t, size_t n)
{
	strncat((char *)arg, t, n);
}

static void test_machine_clock_and_printk_timestamps(void **state)
{
	struct kmm_config cfg;
	struct kmm_machine *m;
	char *log = calloc(1, 1 << 17);
	size_t len = 0;
	uint64_t boot;

	kmm_config_init(&cfg);
	cfg.cpu_mhz = 2000; /* 2 cycles per ns */
	m = test_machine(&cfg);
	/* boot charges its work (memmap init, the handover to the buddy allocator: cost.h): for
	 * 1 GiB, milliseconds of simulated time, not seconds */
	boot = kmm_clock_cycles(m);
	assert_true(boot > 2000000 && boot < 2000000000);
	env_advance(&m->env, 3000000000ull + 2468 - boot); /* to 1.5 s + 1234 ns */
	assert_int_equal(kmm_clock_cycles(m), 3000002468ull);
	assert_int_equal(kmm_clock_ns(m), 1500001234ull);
	env_printk(&m->env, "hello\nworld\n");
	kmm_dmesg(m, append, log);
	len = strlen(log);
	assert_true(len > 0);
	/* dmesg stamps every line with seconds.microseconds of simulated time */
	assert_non_null(strstr(log, "[    1.500001] hello\n[    1.500001] world\n"));
	assert_non_null(strstr(log, "[    0.000000] Booting Linux on physical CPU"));
	free(log);
	test_machine_done(m);
}

static void test_machine_prng_is_seeded(void **state)
{
	struct kmm_config cfg;
	struct kmm_machine *a, *b, *c;

	kmm_config_init(&cfg);
	a = test_machine(&cfg);
	b = test_machine(&cfg);
	cfg.seed = 2;
	c = test_machine(&cfg);
	uint64_t x = env_random(&a->env);
	assert_int_equal(x, env_random(&b->env));
	assert_int_not_equal(x, env_random(&c->env));
	test_machine_done(a);
	test_machine_done(b);
	test_machine_done(c);
}

static void test_machine_check_detects_broken_iomem(void **state)
{
	struct kmm_machine *m = test_machine(NULL);
	struct resource *first = m->kernel.iomem_resource.child;
	struct resource *second = first->sibling;

	/* swap the first two top-level claims: siblings out of order */
	first->sibling = second->sibling;
	second->sibling = first;
	m->kernel.iomem_resource.child = second;
	assert_int_equal(kmm_check(m), KMM_ECORRUPT);
	assert_non_null(strstr(kmm_last_error(m), "out of order"));
	/* put it back */
	second->sibling = first->sibling;
	first->sibling = second;
	m->kernel.iomem_resource.child = first;
	test_machine_done(m);
}

static void test_machine_status_names(void **state)
{
	assert_string_equal(kmm_status_name(KMM_EINVAL), "KMM_EINVAL");
	assert_string_equal(kmm_status_str(KMM_OK), "success");
	assert_string_equal(kmm_status_name((enum kmm_status)999), "KMM_E?");
	assert_string_equal(kmm_version(), "0.1.0");
}

static void test_machine_64g_is_lazy(void **state)
{
	struct kmm_config cfg;
	struct kmm_machine *m;
	uint64_t v = 7;

	kmm_config_init(&cfg);
	kmm_config_option(&cfg, "-m", "64G");
	m = test_machine(&cfg);
	/* the last word of RAM is there and zero */
	assert_int_equal(kmm_phys_read(m, 0x40000000ull + (64ull << 30) - 8, &v, 8), KMM_OK);
	assert_int_equal(v, 0);
	test_machine_done(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_machine_default_create_destroy),
		cmocka_unit_test(test_machine_create_rejects_bad_config_with_reason),
		cmocka_unit_test(test_machine_ram_is_zero_and_separate_per_machine),
		cmocka_unit_test(test_machine_phys_access_is_bounds_checked),
		cmocka_unit_test(test_machine_bug_unwinds_and_kills),
		cmocka_unit_test(test_machine_report_ring_keeps_the_last),
		cmocka_unit_test(test_machine_host_alloc_failure_fails_cleanly),
		cmocka_unit_test(test_machine_clock_and_printk_timestamps),
		cmocka_unit_test(test_machine_prng_is_seeded),
		cmocka_unit_test(test_machine_check_detects_broken_iomem),
		cmocka_unit_test(test_machine_status_names),
		cmocka_unit_test(test_machine_64g_is_lazy),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
