/*
 * Zones and tunables beyond the captured configurations: ZONE_MOVABLE from movablecore= and
 * kernelcore=, mem= too small to boot, sysctl limits, zonelist fallback order with three
 * nodes, and kmm_check's page accounting. Expected values are worked out by hand from the
 * kernel's formulas in the comments. Covers src/mm/mm_init.c (free_area_init, zonelists),
 * wmark.c and sysctl_vm.c.
 */
#include "kmm_test.h"

#include "lib/sink.h"

static long zone_field(const char *zoneinfo, const char *zone, const char *key)
{
	const char *z = strstr(zoneinfo, zone), *p;

	if (!z)
		fail_msg("no %s in zoneinfo", zone);
	p = strstr(z, key);
	return p ? strtol(p + strlen(key), NULL, 10) : -1;
}

static void test_zones_movablecore_makes_zone_movable(void **state)
{
	struct kmm_config cfg;
	struct kmm_machine *m;

	/*
	 * 2 GiB = 524288 pages from pfn 0x40000; movablecore=512M = 131072 pages (a multiple of
	 * MAX_ORDER_NR_PAGES already), so kernelcore = 393216 pages and ZONE_MOVABLE starts at
	 * pfn 0x40000 + 393216 = 0xa0000 (PA 0xa0000000), spanning 131072 pages.
	 */
	kmm_config_init(&cfg);
	kmm_config_option(&cfg, "-m", "2G");
	kmm_config_append(&cfg, "movablecore=512M");
	m = test_machine(&cfg);
	const char *zi = test_view(m, "/proc/zoneinfo");
	assert_int_equal(zone_field(zi, "zone  Movable", "spanned  "), 131072);
	assert_int_equal(zone_field(zi, "zone  Movable", "start_pfn:           "), 0xa0000);
	assert_int_equal(zone_field(zi, "zone      DMA", "spanned  "), 393216);
	test_machine_done(m);

	/* kernelcore=1536M: the same split, from the other side */
	kmm_config_init(&cfg);
	kmm_config_option(&cfg, "-m", "2G");
	kmm_config_append(&cfg, "kernelcore=1536M");
	m = test_machine(&cfg);
	zi = test_view(m, "/proc/zoneinfo");
	assert_int_equal(zone_field(zi, "zone  Movable", "start_pfn:           "), 0xa0000);
	test_machine_done(m);
}

static void test_zones_normal_above_4g_dma_below(void **state)
{
	struct kmm_config cfg;
	struct kmm_machine *m;

	/*
	 * Two banks: 1 GiB at 0x40000000 and 1 GiB at 0x100000000. ZONE_DMA ends at 4 GiB
	 * (zone_dma_bits 32), so DMA spans pfn 0x40000..0x100000 (786432 pages) with a 512 MiB
	 * hole: present 262144. ZONE_NORMAL starts at pfn 0x100000 with 262144 pages.
	 */
	kmm_config_init(&cfg);
	kmm_config_add_bank(&cfg, 0x40000000, 1ull << 30);
	kmm_config_add_bank(&cfg, 0x100000000ull, 1ull << 30);
	m = test_machine(&cfg);
	const char *zi = test_view(m, "/proc/zoneinfo");
	assert_int_equal(zone_field(zi, "zone      DMA", "spanned  "), 786432);
	assert_int_equal(zone_field(zi, "zone      DMA", "present  "), 262144);
	assert_int_equal(zone_field(zi, "zone   Normal", "start_pfn:           "), 0x100000);
	assert_int_equal(zone_field(zi, "zone   Normal", "present  "), 262144);
	test_machine_done(m);
}

static void test_zones_mem_too_small_fails_cleanly(void **state)
{
	struct kmm_config cfg;
	struct kmm_machine *m = NULL;

	/*
	 * mem=16M: the kernel keeps 16 MiB + its image (34 MiB in all); after the image, the
	 * page tables and the memory map, 32 CPUs' percpu units (4 MiB) have nowhere to go.
	 */
	kmm_config_init(&cfg);
	kmm_config_option(&cfg, "-smp", "32");
	kmm_config_append(&cfg, "mem=16M");
	assert_int_equal(kmm_machine_create(&cfg, &m), KMM_ENOMEM);
	assert_null(m);
	assert_non_null(strstr(kmm_last_error(NULL), "boot failed"));
	/* a first bank too small for the kernel image as QEMU loads it */
	kmm_config_init(&cfg);
	kmm_config_option(&cfg, "-m", "32M");
	assert_int_equal(kmm_machine_create(&cfg, &m), KMM_ENOMEM);
	assert_non_null(strstr(kmm_last_error(NULL), "at least 72 MiB"));
}

static void test_zones_sysctl_limits_and_effects(void **state)
{
	struct kmm_machine *m = test_machine(NULL);
	char *before = strdup(test_view(m, "/proc/zoneinfo"));

	assert_int_equal(kmm_sysctl(m, "vm.watermark_scale_factor", "0"), KMM_EINVAL);
	assert_int_equal(kmm_sysctl(m, "vm.watermark_scale_factor", "3001"), KMM_EINVAL);
	assert_int_equal(kmm_sysctl(m, "vm.percpu_pagelist_high_fraction", "7"), KMM_EINVAL);
	assert_int_equal(kmm_sysctl(m, "vm.min_free_kbytes", "-1"), KMM_EINVAL);
	assert_int_equal(kmm_sysctl(m, "vm.min_free_kbytes", "lots"), KMM_EINVAL);
	assert_int_equal(kmm_sysctl(m, "vm.no_such_knob", "1"), KMM_ENOENT);
	assert_string_equal(test_view(m, "/proc/zoneinfo"), before); /* nothing changed */
	free(before);

	/*
	 * min_free_kbytes=4096 -> pages_min 1024, one zone: min 1024; low = min + max(min/4,
	 * managed*10/10000). With 1 GiB managed ~ 250000 the second term is ~250 = min/4 = 256
	 * wins: low 1280, high 1536.
	 */
	assert_int_equal(kmm_sysctl(m, "vm.min_free_kbytes", "4096"), KMM_OK);
	const char *zi = test_view(m, "/proc/zoneinfo");
	assert_int_equal(zone_field(zi, "zone      DMA", "        min      "), 1024);
	assert_int_equal(zone_field(zi, "zone      DMA", "        low      "), 1280);
	assert_int_equal(zone_field(zi, "zone      DMA", "        high     "), 1536);
	assert_string_equal(test_view(m, "/proc/sys/vm/min_free_kbytes"), "4096\n");
	/* lowmem_reserve_ratio: values below 1 become 0 (the kernel's handler) */
	assert_int_equal(kmm_sysctl(m, "vm.lowmem_reserve_ratio", "-5 128 16 0"), KMM_OK);
	assert_string_equal(test_view(m, "/proc/sys/vm/lowmem_reserve_ratio"), "0\t128\t16\t0\n");
	test_machine_done(m);
}

static void test_zones_fallback_order_by_distance(void **state)
{
	struct kmm_config cfg;
	struct kmm_machine *m;
	char log[1 << 15] = "";
	struct sink_buf sb = {.buf = log, .cap = sizeof(log)};

	/*
	 * Three nodes: 0-1 at 20, 0-2 at 30, 1-2 at 15. find_next_best_node() from node 0:
	 * 0 (local), then 1 (20 < 30), then 2; from node 2: 2, 1 (15), 0 (30);
	 * from node 1: 1, then 2 (15 < 20), then 0.
	 */
	kmm_config_init(&cfg);
	kmm_config_option(&cfg, "-m", "3G");
	kmm_config_option(&cfg, "-smp", "3");
	kmm_config_option(&cfg, "-numa", "node,nodeid=0,mem=1G,cpus=0");
	kmm_config_option(&cfg, "-numa", "node,nodeid=1,mem=1G,cpus=1");
	kmm_config_option(&cfg, "-numa", "node,nodeid=2,mem=1G,cpus=2");
	kmm_config_option(&cfg, "-numa", "dist,src=0,dst=1,val=20");
	kmm_config_option(&cfg, "-numa", "dist,src=0,dst=2,val=30");
	kmm_config_option(&cfg, "-numa", "dist,src=1,dst=2,val=15");
	m = test_machine(&cfg);
	kmm_dmesg(m, sink_buf_fn, &sb);
	assert_non_null(strstr(log, "Fallback order for Node 0: 0 1 2 \n"));
	assert_non_null(strstr(log, "Fallback order for Node 1: 1 2 0 \n"));
	assert_non_null(strstr(log, "Fallback order for Node 2: 2 1 0 \n"));
	assert_non_null(strstr(log, "Built 3 zonelists, mobility grouping on."));
	test_machine_done(m);
}

static void test_zones_numa_nodes_across_banks(void **state)
{
	struct kmm_config cfg;
	struct kmm_machine *m;
	char log[1 << 15] = "";
	struct sink_buf sb = {.buf = log, .cap = sizeof(log)};

	/*
	 * Banks 1.5G @ 0x40000000 and 512M @ 0x100000000; nodes of 1G each, laid out in node
	 * order: node 0 = [0x40000000, 0x80000000), node 1 = the rest of bank 0
	 * [0x80000000, 0xa0000000) and all of bank 1 [0x100000000, 0x120000000).
	 */
	kmm_config_init(&cfg);
	kmm_config_add_bank(&cfg, 0x40000000, 3ull << 29);
	kmm_config_add_bank(&cfg, 0x100000000ull, 1ull << 29);
	kmm_config_option(&cfg, "-numa", "node,nodeid=0,mem=1G,cpus=0-1");
	kmm_config_option(&cfg, "-numa", "node,nodeid=1,mem=1G,cpus=2-3");
	m = test_machine(&cfg);
	kmm_dmesg(m, sink_buf_fn, &sb);
	assert_non_null(strstr(log, "Early memory node ranges\n"));
	assert_non_null(strstr(log, "  node   0: [mem 0x0000000040000000-0x000000007fffffff]\n"));
	assert_non_null(strstr(log, "  node   1: [mem 0x0000000080000000-0x000000009fffffff]\n"));
	assert_non_null(strstr(log, "  node   1: [mem 0x0000000100000000-0x000000011fffffff]\n"));
	test_machine_done(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_zones_movablecore_makes_zone_movable),
		cmocka_unit_test(test_zones_normal_above_4g_dma_below),
		cmocka_unit_test(test_zones_mem_too_small_fails_cleanly),
		cmocka_unit_test(test_zones_sysctl_limits_and_effects),
		cmocka_unit_test(test_zones_fallback_order_by_distance),
		cmocka_unit_test(test_zones_numa_nodes_across_banks),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
