/*
 * Config: defaults, size parsing, QEMU-style options, validation of bad input.
 * Expected values come from QEMU's documented behaviour (-m bare number = MiB, virt RAM at
 * 0x4000_0000) and the kernel's memparse() suffixes.
 */
#include "kmm_test.h"

static void test_config_defaults_model_qemu_virt(void **state)
{
	struct kmm_config cfg;

	kmm_config_init(&cfg);
	assert_int_equal(cfg.nr_banks, 1);
	assert_int_equal(cfg.banks[0].base, 0x40000000);
	assert_int_equal(cfg.banks[0].size, 1ull << 30);
	assert_int_equal(cfg.nr_cpus, 4);
	assert_int_equal(cfg.nr_nodes, 0);
	assert_int_equal(cfg.board, KMM_BOARD_VIRT);
	assert_string_equal(cfg.cmdline, "");
	assert_int_equal(kmm_config_validate(&cfg), KMM_OK);
}

static void test_config_parse_size_like_memparse(void **state)
{
	uint64_t v;

	assert_int_equal(kmm_parse_size("4G", &v), KMM_OK);
	assert_int_equal(v, 4ull << 30);
	assert_int_equal(kmm_parse_size("512M", &v), KMM_OK);
	assert_int_equal(v, 512ull << 20);
	assert_int_equal(kmm_parse_size("64k", &v), KMM_OK);
	assert_int_equal(v, 64ull << 10);
	assert_int_equal(kmm_parse_size("0x1000", &v), KMM_OK);
	assert_int_equal(v, 0x1000);
	assert_int_equal(kmm_parse_size("1T", &v), KMM_OK);
	assert_int_equal(v, 1ull << 40);
	assert_int_equal(kmm_parse_size("2GiB", &v), KMM_OK);
	assert_int_equal(v, 2ull << 30);
	assert_int_equal(kmm_parse_size("15E", &v), KMM_OK);
	assert_int_equal(v, 15ull << 60);
	assert_int_equal(kmm_parse_size("16E", &v), KMM_EINVAL); /* 2^64 overflows */
	assert_int_equal(kmm_parse_size("", &v), KMM_EINVAL);
	assert_int_equal(kmm_parse_size("G", &v), KMM_EINVAL);
	assert_int_equal(kmm_parse_size("4X", &v), KMM_EINVAL);
	assert_int_equal(kmm_parse_size("4G4", &v), KMM_EINVAL);
	assert_int_equal(kmm_parse_size("-1", &v), KMM_EINVAL);
	assert_non_null(strstr(kmm_last_error(NULL), "-1"));
}

static void test_config_option_m_bare_number_is_mib(void **state)
{
	struct kmm_config cfg;

	kmm_config_init(&cfg);
	assert_int_equal(kmm_config_option(&cfg, "-m", "512"), KMM_OK);
	assert_int_equal(cfg.banks[0].size, 512ull << 20);
	assert_int_equal(kmm_config_option(&cfg, "-m", "size=4G"), KMM_OK);
	assert_int_equal(cfg.banks[0].size, 4ull << 30);
	assert_int_equal(cfg.banks[0].base, 0x40000000);
}

static void test_config_refused_option_leaves_config_unchanged(void **state)
{
	struct kmm_config cfg, before;

	kmm_config_init(&cfg);
	before = cfg;
	assert_einval_mentions(kmm_config_option(&cfg, "-m", "lots"), kmm_last_error(NULL), "lots");
	assert_memory_equal(&cfg, &before, sizeof(cfg));
	assert_einval_mentions(kmm_config_option(&cfg, "-numa", "node,nodeid=0,mem=1G,foo=1"),
			       kmm_last_error(NULL), "foo");
	assert_memory_equal(&cfg, &before, sizeof(cfg));
	assert_einval_mentions(kmm_config_option(&cfg, "-bogus", "1"), kmm_last_error(NULL),
			       "-bogus");
	assert_einval_mentions(kmm_config_option(&cfg, "-smp", NULL), kmm_last_error(NULL),
			       "needs an argument");
}

static void test_config_smp_limits(void **state)
{
	struct kmm_config cfg;

	kmm_config_init(&cfg);
	assert_int_equal(kmm_config_option(&cfg, "-smp", "2"), KMM_OK);
	assert_int_equal(cfg.nr_cpus, 2);
	assert_int_equal(kmm_config_option(&cfg, "-smp", "cpus=8"), KMM_OK);
	assert_int_equal(cfg.nr_cpus, 8);
	assert_einval_mentions(kmm_config_option(&cfg, "-smp", "0"), kmm_last_error(NULL),
			       "1 to 256");
	assert_einval_mentions(kmm_config_option(&cfg, "-smp", "257"), kmm_last_error(NULL),
			       "1 to 256");
	assert_einval_mentions(kmm_config_option(&cfg, "-smp", "two"), kmm_last_error(NULL),
			       "not a number");
	/* More CPUs than supported set directly in the struct: caught by validation. */
	cfg.nr_cpus = 1000;
	assert_einval_mentions(kmm_config_validate(&cfg), kmm_last_error(NULL), "1000 CPUs");
}

static void test_config_rejects_overlapping_banks(void **state)
{
	struct kmm_config cfg;

	kmm_config_init(&cfg);
	assert_int_equal(kmm_config_add_bank(&cfg, 0x40000000, 1ull << 30), KMM_OK);
	assert_int_equal(kmm_config_add_bank(&cfg, 0x60000000, 1ull << 30), KMM_OK);
	assert_einval_mentions(kmm_config_validate(&cfg), kmm_last_error(NULL), "overlap");
}

static void test_config_rejects_zero_and_unaligned_banks(void **state)
{
	struct kmm_config cfg;

	kmm_config_init(&cfg);
	assert_einval_mentions(kmm_config_add_bank(&cfg, 0x40000000, 0), kmm_last_error(NULL),
			       "zero");
	cfg.banks[0].size = 0; /* set directly: validation must catch it too */
	assert_einval_mentions(kmm_config_validate(&cfg), kmm_last_error(NULL), "size zero");
	kmm_config_init(&cfg);
	cfg.banks[0].base = 0x40000800;
	assert_einval_mentions(kmm_config_validate(&cfg), kmm_last_error(NULL), "aligned");
	kmm_config_init(&cfg);
	assert_einval_mentions(kmm_config_option(&cfg, "-ram", "1G"), kmm_last_error(NULL),
			       "SIZE@PA");
	cfg.banks[0].base = 1ull << 48;
	assert_einval_mentions(kmm_config_validate(&cfg), kmm_last_error(NULL), "48-bit");
}

static void test_config_rejects_mmio_over_ram_and_partial_overlap(void **state)
{
	struct kmm_config cfg;

	kmm_config_init(&cfg);
	assert_int_equal(kmm_config_add_mmio(&cfg, 0x50000000, 0x1000, "dev"), KMM_OK);
	assert_einval_mentions(kmm_config_validate(&cfg), kmm_last_error(NULL), "overlaps RAM");
	kmm_config_init(&cfg);
	/* straddles the end of the virt board's pl011 window */
	assert_int_equal(kmm_config_add_mmio(&cfg, 0x09000800, 0x1000, "dev"), KMM_OK);
	assert_einval_mentions(kmm_config_validate(&cfg), kmm_last_error(NULL), "partly");
	kmm_config_init(&cfg);
	/* nested inside the low PCIe window: fine */
	assert_int_equal(kmm_config_add_mmio(&cfg, 0x20000000, 0x1000, "bar"), KMM_OK);
	assert_int_equal(kmm_config_validate(&cfg), KMM_OK);
}

static void test_config_numa_rules(void **state)
{
	struct kmm_config cfg;

	kmm_config_init(&cfg);
	assert_int_equal(kmm_config_option(&cfg, "-m", "2G"), KMM_OK);
	assert_int_equal(kmm_config_option(&cfg, "-smp", "4"), KMM_OK);
	assert_int_equal(kmm_config_option(&cfg, "-numa", "node,nodeid=0,mem=1G,cpus=0-1"), KMM_OK);
	/* sizes do not add up to -m yet */
	assert_einval_mentions(kmm_config_validate(&cfg), kmm_last_error(NULL),
			       "should equal RAM size");
	assert_int_equal(kmm_config_option(&cfg, "-numa", "node,nodeid=1,mem=1G,cpus=2-3"), KMM_OK);
	assert_int_equal(kmm_config_option(&cfg, "-numa", "dist,src=0,dst=1,val=20"), KMM_OK);
	assert_int_equal(cfg.distance[1][0], 20);
	assert_int_equal(kmm_config_validate(&cfg), KMM_OK);
	assert_einval_mentions(kmm_config_option(&cfg, "-numa", "dist,src=0,dst=0,val=20"),
			       kmm_last_error(NULL), "local distance must be 10");
	assert_einval_mentions(kmm_config_option(&cfg, "-numa", "node,nodeid=1,mem=1G"),
			       kmm_last_error(NULL), "declared twice");
	assert_einval_mentions(kmm_config_option(&cfg, "-numa", "node,nodeid=0,memdev=m0"),
			       kmm_last_error(NULL), "memdev");

	kmm_config_init(&cfg);
	kmm_config_option(&cfg, "-m", "2G");
	kmm_config_option(&cfg, "-numa", "node,nodeid=0,mem=1G,cpus=0-2");
	kmm_config_option(&cfg, "-numa", "node,nodeid=1,mem=1G,cpus=2-3");
	assert_einval_mentions(kmm_config_validate(&cfg), kmm_last_error(NULL),
			       "CPU 2 is in NUMA nodes 0 and 1");

	kmm_config_init(&cfg);
	kmm_config_option(&cfg, "-m", "2G");
	kmm_config_option(&cfg, "-numa", "node,nodeid=0,mem=1G,cpus=0-7");
	kmm_config_option(&cfg, "-numa", "node,nodeid=1,mem=1G");
	assert_einval_mentions(kmm_config_validate(&cfg), kmm_last_error(NULL), "does not exist");

	kmm_config_init(&cfg);
	kmm_config_option(&cfg, "-numa", "node,nodeid=1,mem=1G");
	assert_einval_mentions(kmm_config_validate(&cfg), kmm_last_error(NULL),
			       "node 0 is missing");

	kmm_config_init(&cfg);
	kmm_config_option(&cfg, "-numa", "node,nodeid=0,mem=1G");
	kmm_config_option(&cfg, "-numa", "node,nodeid=1,mem=0");
	assert_einval_mentions(kmm_config_validate(&cfg), kmm_last_error(NULL), "no memory");
}

static void test_config_rejects_garbled_mem(void **state)
{
	struct kmm_config cfg;

	kmm_config_init(&cfg);
	kmm_config_append(&cfg, "console=ttyAMA0 mem=lots");
	assert_einval_mentions(kmm_config_validate(&cfg), kmm_last_error(NULL), "mem=lots");
	kmm_config_init(&cfg);
	kmm_config_append(&cfg, "mem=");
	assert_einval_mentions(kmm_config_validate(&cfg), kmm_last_error(NULL), "mem=");
	kmm_config_init(&cfg);
	kmm_config_append(&cfg, "mem=100"); /* 100 bytes: rounds down to no page */
	assert_einval_mentions(kmm_config_validate(&cfg), kmm_last_error(NULL), "0 pages");
	kmm_config_init(&cfg);
	kmm_config_append(&cfg, "mem=512M unknown_param=3 \"quoted arg\"");
	assert_int_equal(kmm_config_validate(&cfg), KMM_OK);
}

static void test_config_rejects_reserve_outside_ram(void **state)
{
	struct kmm_config cfg;

	kmm_config_init(&cfg);
	assert_int_equal(kmm_config_option(&cfg, "-reserve", "1M@0x30000000"), KMM_OK);
	assert_einval_mentions(kmm_config_validate(&cfg), kmm_last_error(NULL),
			       "not inside one RAM bank");
	kmm_config_init(&cfg);
	/* starts inside, runs past the end of the 1 GiB bank */
	assert_int_equal(kmm_config_option(&cfg, "-reserve", "2M@0x7ff00000"), KMM_OK);
	assert_einval_mentions(kmm_config_validate(&cfg), kmm_last_error(NULL),
			       "not inside one RAM bank");
	assert_einval_mentions(kmm_config_option(&cfg, "-reserve", "0"), kmm_last_error(NULL),
			       "zero");
}

static void test_config_cmdline_length_limit(void **state)
{
	struct kmm_config cfg;
	char big[KMM_CMDLINE_MAX + 1];

	/* COMMAND_LINE_SIZE counts the NUL: 2047 characters fit, 2048 do not. */
	kmm_config_init(&cfg);
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	assert_einval_mentions(kmm_config_append(&cfg, big), kmm_last_error(NULL),
			       "COMMAND_LINE_SIZE");
	assert_string_equal(cfg.cmdline, "");
	big[KMM_CMDLINE_MAX - 1] = '\0';
	assert_int_equal(kmm_config_append(&cfg, big), KMM_OK);
	assert_int_equal(strlen(cfg.cmdline), KMM_CMDLINE_MAX - 1);
}

static void test_config_virt_high_regions_follow_ram(void **state)
{
	struct kmm_config cfg;
	struct kmm_mmio_range r[32];
	uint32_t n;
	bool ecam = false;

	/* QEMU virt 7.2 memory map: high regions from 256 GiB while RAM ends below it. */
	kmm_config_init(&cfg);
	n = kmm_config_mmio_layout(&cfg, r, 32);
	for (uint32_t i = 0; i < n; i++) {
		if (strcmp(r[i].name, "PCI ECAM") == 0) {
			assert_int_equal(r[i].base, 0x4010000000ull);
			assert_int_equal(r[i].size, 256ull << 20);
			ecam = true;
		}
	}
	assert_true(ecam);
	/*
	 * 300 GiB of RAM ends at 301 GiB: redistributor 2 takes [301 GiB, +64 MiB), ECAM the
	 * next 256 MiB boundary (301 GiB + 256 MiB), PCIe MMIO the next 512 GiB boundary.
	 */
	kmm_config_option(&cfg, "-m", "300G");
	n = kmm_config_mmio_layout(&cfg, r, 32);
	for (uint32_t i = 0; i < n; i++) {
		if (strcmp(r[i].name, "PCI ECAM") == 0)
			assert_int_equal(r[i].base, (301ull << 30) + (256ull << 20));
		if (strcmp(r[i].name, "pcie@10000000") == 0 && r[i].base > 0x10000000)
			assert_int_equal(r[i].base, 512ull << 30);
	}
	assert_int_equal(kmm_config_validate(&cfg), KMM_OK);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_config_defaults_model_qemu_virt),
		cmocka_unit_test(test_config_parse_size_like_memparse),
		cmocka_unit_test(test_config_option_m_bare_number_is_mib),
		cmocka_unit_test(test_config_refused_option_leaves_config_unchanged),
		cmocka_unit_test(test_config_smp_limits),
		cmocka_unit_test(test_config_rejects_overlapping_banks),
		cmocka_unit_test(test_config_rejects_zero_and_unaligned_banks),
		cmocka_unit_test(test_config_rejects_mmio_over_ram_and_partial_overlap),
		cmocka_unit_test(test_config_numa_rules),
		cmocka_unit_test(test_config_rejects_garbled_mem),
		cmocka_unit_test(test_config_rejects_reserve_outside_ram),
		cmocka_unit_test(test_config_cmdline_length_limit),
		cmocka_unit_test(test_config_virt_high_regions_follow_ram),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
