/*
 * /proc/iomem: the layout of QEMU virt against the real kernel's captures, mem=, early
 * reservations, NUMA splits. The captures (shared/oracles/linux) come from Linux 6.1.192 on
 * QEMU 7.2 virt. Their "reserved" lines depend on every early allocation the real kernel
 * made (page tables, hash tables, ...), which the model does not all make: those lines are
 * compared elsewhere and filtered out here on both sides.
 */
#include "kmm_test.h"

#include <errno.h>

#include "lib/sink.h"
#include "kernel/resource.h"

static char *drop_reserved_lines(const char *text)
{
	char *out = calloc(1, strlen(text) + 1);
	const char *line = text;

	while (*line) {
		const char *nl = strchr(line, '\n');
		size_t len = nl ? (size_t)(nl - line) + 1 : strlen(line);
		if (!memmem(line, len, ": reserved", 10))
			strncat(out, line, len);
		line += len;
	}
	return out;
}

/* The capture without the "reserved" lines. */
static char *capture_modelled_lines(const char *config)
{
	char path[1024], line[512];
	FILE *f;
	char *out = calloc(1, 1 << 16);

	snprintf(path, sizeof(path), "%s/oracles/linux/captures/%s/boot.iomem.txt", KMM_DATA_DIR,
		 config);
	f = test_data_fopen(path);
	while (fgets(line, sizeof(line), f)) {
		if (strstr(line, ": reserved"))
			continue;
		strcat(out, line);
	}
	fclose(f);
	return out;
}

static void check_against_capture(const char *config, const char *const *options)
{
	struct kmm_config cfg;
	struct kmm_machine *m;
	char *want = capture_modelled_lines(config);

	kmm_config_init(&cfg);
	for (int i = 0; options[i]; i += 2)
		assert_int_equal(kmm_config_option(&cfg, options[i], options[i + 1]), KMM_OK);
	m = test_machine(&cfg);
	char *got = drop_reserved_lines(test_view(m, "/proc/iomem"));
	assert_string_equal(got, want);
	free(got);
	free(want);
	test_machine_done(m);
}

static void test_iomem_matches_capture_1g(void **state)
{
	static const char *const opts[] = {"-m", "1G", "-smp", "1", NULL};
	check_against_capture("a57-smp1-1G", opts);
}

static void test_iomem_matches_capture_4g(void **state)
{
	static const char *const opts[] = {"-m", "4G", "-smp", "1", NULL};
	check_against_capture("a57-smp1-4G", opts);
}

static void test_iomem_matches_capture_512m(void **state)
{
	static const char *const opts[] = {"-m", "512M", "-smp", "4", NULL};
	check_against_capture("a57-smp4-512M", opts);
}

static void test_iomem_matches_capture_numa2(void **state)
{
	/* two nodes: memblock keeps a region per node, so two System RAM claims */
	static const char *const opts[] = {"-m",    "2G",
					   "-smp",  "4",
					   "-numa", "node,nodeid=0,mem=1G,cpus=0-1",
					   "-numa", "node,nodeid=1,mem=1G,cpus=2-3",
					   "-numa", "dist,src=0,dst=1,val=20",
					   NULL};
	check_against_capture("numa2-smp4-2G", opts);
}

static const char *find_line(const char *text, const char *needle)
{
	const char *p = strstr(text, needle);

	if (!p)
		fail_msg("no \"%s\" in:\n%s", needle, text);
	return p;
}

static void test_iomem_mem_limit_keeps_lowest_memory(void **state)
{
	struct kmm_config cfg;
	struct kmm_machine *m;

	/*
	 * Banks: [0x40000000, +1G) and [0x100000000, +1G); mem=1536M keeps the first bank and
	 * the first 512 MiB of the second: memblock_mem_limit_remove_map() drops the top.
	 */
	kmm_config_init(&cfg);
	kmm_config_add_bank(&cfg, 0x40000000, 1ull << 30);
	kmm_config_add_bank(&cfg, 0x100000000ull, 1ull << 30);
	kmm_config_append(&cfg, "mem=1536M");
	m = test_machine(&cfg);
	const char *v = test_view(m, "/proc/iomem");
	find_line(v, "\n40000000-7fffffff : System RAM\n");
	find_line(v, "\n100000000-11fffffff : System RAM\n");
	assert_null(strstr(v, "13fffffff"));
	/* the kernel says so in its log */
	char log[8192] = "";
	struct sink_buf b = {.buf = log, .cap = sizeof(log)};
	kmm_dmesg(m, sink_buf_fn, &b);
	find_line(log, "Memory limited to 1536MB\n");
	test_machine_done(m);
}

/* True if some "reserved" line of @view covers [start, end]. */
static bool reserved_covers(const char *view, uint64_t start, uint64_t end)
{
	const char *p = view;
	unsigned long long s, e;

	while ((p = strstr(p, " : reserved"))) {
		const char *line = p;
		while (line > view && line[-1] != '\n')
			line--;
		if (sscanf(line, " %llx-%llx", &s, &e) == 2 && s <= start && end <= e)
			return true;
		p++;
	}
	return false;
}

static void test_iomem_reservations_top_down_and_merged(void **state)
{
	struct kmm_config cfg;
	struct kmm_machine *m;

	/*
	 * 1 GiB at 0x40000000, reservations made in arm64_memblock_init() order:
	 *   1M @ 0x48800000            fixed
	 *   2M                         top-down: [0x7fe00000, 0x80000000)
	 *   2M                         next below: [0x7fc00000, 0x7fe00000), merges with it
	 *   4K @ 0x48900000            fixed, adjacent to the first: merges
	 * (the kernel's own later allocations go below them and may merge in too)
	 */
	kmm_config_init(&cfg);
	kmm_config_option(&cfg, "-reserve", "1M@0x48800000");
	kmm_config_option(&cfg, "-reserve", "2M");
	kmm_config_option(&cfg, "-reserve", "2M");
	kmm_config_option(&cfg, "-reserve", "4K@0x48900000");
	m = test_machine(&cfg);
	const char *v = test_view(m, "/proc/iomem");
	find_line(v, "  48800000-48900fff : reserved\n");
	assert_true(reserved_covers(v, 0x7fc00000, 0x7fffffff));
	/* the same in memblock's own view */
	find_line(test_view(m, "/sys/kernel/debug/memblock/reserved"),
		  "0x0000000048800000..0x0000000048900fff");
	test_machine_done(m);
}

static void test_iomem_reservation_goes_below_a_fixed_one(void **state)
{
	struct kmm_config cfg;
	struct kmm_machine *m;

	/* a fixed reservation at the very top: the placed one goes right below it */
	kmm_config_init(&cfg);
	kmm_config_option(&cfg, "-reserve", "1M@0x7ff00000");
	kmm_config_option(&cfg, "-reserve", "1M");
	m = test_machine(&cfg);
	assert_true(reserved_covers(test_view(m, "/proc/iomem"), 0x7fe00000, 0x7fffffff));
	test_machine_done(m);
}

static void test_iomem_reservation_that_cannot_fit_fails_boot(void **state)
{
	struct kmm_config cfg;
	struct kmm_machine *m;

	kmm_config_init(&cfg);
	kmm_config_option(&cfg, "-reserve", "2G");
	assert_int_equal(kmm_machine_create(&cfg, &m), KMM_ENOMEM);
	assert_non_null(strstr(kmm_last_error(NULL), "no free memory range"));
}

static void test_iomem_board_none_and_extra_mmio(void **state)
{
	struct kmm_config cfg;
	struct kmm_machine *m;

	kmm_config_init(&cfg);
	kmm_config_option(&cfg, "-M", "none");
	kmm_config_option(&cfg, "-mmio", "64K@0x20000000,name=mydev");
	kmm_config_option(&cfg, "-mmio", "4K@0x20001000,name=mydev.regs");
	m = test_machine(&cfg);
	char *got = drop_reserved_lines(test_view(m, "/proc/iomem"));
	assert_string_equal(got, "20000000-2000ffff : mydev\n"
				 "  20001000-20001fff : mydev.regs\n"
				 "40000000-7fffffff : System RAM\n"
				 "  40210000-4185ffff : Kernel code\n"
				 "  41eb0000-4220ffff : Kernel data\n");
	free(got);
	assert_true(kmm_phys_is_mmio(m, 0x20001000));
	test_machine_done(m);
}

static void test_iomem_read_reports_size_needed(void **state)
{
	struct kmm_machine *m = test_machine(NULL);
	char small[16];

	assert_int_equal(kmm_proc_read(m, "/proc/iomem", small, sizeof(small)), KMM_ERANGE);
	assert_int_equal(strlen(small), sizeof(small) - 1); /* a truncated prefix */
	assert_non_null(strstr(kmm_last_error(m), "needs a buffer of"));
	assert_int_equal(kmm_proc_read(m, "/proc/nonexistent", small, sizeof(small)), KMM_ENOENT);
	test_machine_done(m);
}

/* Resource tree rules (kernel/resource.c semantics). */
static void test_resource_insert_adopts_and_refuses_partial(void **state)
{
	struct resource root = {.start = 0, .end = 0xffff, .name = "root"};
	struct resource a = {.start = 0x1000, .end = 0x1fff, .name = "a"};
	struct resource b = {.start = 0x3000, .end = 0x3fff, .name = "b"};
	struct resource big = {.start = 0x0, .end = 0x4fff, .name = "big"};
	struct resource part = {.start = 0x4800, .end = 0x5fff, .name = "part"};
	struct resource twin = {.start = 0x1000, .end = 0x1fff, .name = "twin"};
	char why[128];

	assert_null(request_resource_conflict(&root, &a));
	assert_null(request_resource_conflict(&root, &b));
	assert_ptr_equal(request_resource_conflict(&root, &twin), &a); /* same range: conflict */
	/* big covers a and b: it takes their place and they become its children */
	assert_int_equal(insert_resource(&root, &big), 0);
	assert_ptr_equal(root.child, &big);
	assert_ptr_equal(big.child, &a);
	assert_ptr_equal(a.sibling, &b);
	assert_ptr_equal(a.parent, &big);
	/* part overlaps big's end: refused, tree unchanged */
	assert_int_equal(insert_resource(&root, &part), -EBUSY);
	assert_null(big.sibling);
	/* a twin of a is inserted above it */
	assert_int_equal(insert_resource(&root, &twin), 0);
	assert_ptr_equal(big.child, &twin);
	assert_ptr_equal(twin.child, &a);
	assert_true(resource_check(&root, why, sizeof(why)));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_iomem_matches_capture_1g),
		cmocka_unit_test(test_iomem_matches_capture_4g),
		cmocka_unit_test(test_iomem_matches_capture_512m),
		cmocka_unit_test(test_iomem_matches_capture_numa2),
		cmocka_unit_test(test_iomem_mem_limit_keeps_lowest_memory),
		cmocka_unit_test(test_iomem_reservations_top_down_and_merged),
		cmocka_unit_test(test_iomem_reservation_goes_below_a_fixed_one),
		cmocka_unit_test(test_iomem_reservation_that_cannot_fit_fails_boot),
		cmocka_unit_test(test_iomem_board_none_and_extra_mmio),
		cmocka_unit_test(test_iomem_read_reports_size_needed),
		cmocka_unit_test(test_resource_insert_adopts_and_refuses_partial),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
