/*
 * The structured statistics API (include/kmm/stats.h): zones, free areas, pcp lists, slab
 * caches, TLB counters, named counters and the sampler.
 *
 * Expected values come from the machine's description (1 GiB of RAM at 0x40000000 is 262144
 * pages from PFN 0x40000, 512 pageblocks of 512 pages), from the buddy allocator's rules (an
 * order-5 block bypasses the pcp lists: the zone's free count moves by exactly 32), from the
 * kernel's formulas recomputed here independently (unusable_free_index), and from the text
 * views, which other code renders (buddyinfo, pagetypeinfo, slabinfo, extfrag).
 */
#include "kmm_test.h"

#include <inttypes.h>

/* The default QEMU virt machine (1 GiB, 4 CPUs) with @cpus CPUs. */
static struct kmm_machine *stats_machine(const char *cpus)
{
	struct kmm_config cfg;

	kmm_config_init(&cfg);
	assert_int_equal(kmm_config_option(&cfg, "-smp", cpus), KMM_OK);
	return test_machine(&cfg);
}

static void test_stats_zone_matches_the_machine_and_its_views(void **state)
{
	struct kmm_machine *m = stats_machine("2");
	struct kmm_zone_stats z;
	uint64_t free = 0, blocks = 0;
	char row[256], *p;
	const char *view;
	int n;

	(void)state;
	/* arm64 6.1 puts all RAM below 4 GiB in ZONE_DMA: one populated zone. */
	assert_int_equal(kmm_stats_nr_zones(m), 1);
	assert_int_equal(kmm_stats_zone(m, 0, &z), KMM_OK);
	assert_string_equal(z.name, "DMA");
	assert_int_equal(z.node, 0);
	assert_int_equal(z.zone, 0);
	assert_int_equal(z.start_pfn, 0x40000000 >> 12);
	assert_int_equal(z.spanned_pages, (1 << 30) >> 12);
	assert_true(z.managed_pages <= z.present_pages && z.present_pages <= z.spanned_pages);
	for (int mt = 0; mt < KMM_NR_MIGRATETYPES; mt++)
		blocks += z.pageblocks_mt[mt];
	assert_int_equal(blocks, 262144 / 512);
	for (int o = 0; o < KMM_MAX_ORDER; o++) {
		uint64_t sum = 0;

		for (int mt = 0; mt < KMM_NR_MIGRATETYPES; mt++)
			sum += z.free_blocks_mt[o][mt];
		assert_int_equal(sum, z.free_blocks[o]);
		free += z.free_blocks[o] << o;
	}
	assert_int_equal(free, z.free_pages);
	/* The same numbers as /proc/buddyinfo's row. */
	n = snprintf(row, sizeof(row), "Node 0, zone      DMA ");
	for (int o = 0; o < KMM_MAX_ORDER; o++)
		n += snprintf(row + n, sizeof(row) - (size_t)n, "%6" PRIu64 " ", z.free_blocks[o]);
	view = test_view(m, "/proc/buddyinfo");
	if (!strstr(view, row))
		fail_msg("buddyinfo\n%s\nhas no row\n%s", view, row);
	/* And pagetypeinfo's pageblock counts: "Node 0, zone      DMA" then six numbers. */
	view = test_view(m, "/proc/pagetypeinfo");
	p = strstr(view, "Number of blocks type");
	assert_non_null(p);
	p = strstr(p, "zone      DMA");
	assert_non_null(p);
	p += strlen("zone      DMA");
	for (int mt = 0; mt < KMM_NR_MIGRATETYPES; mt++)
		assert_int_equal(strtoull(p, &p, 10), z.pageblocks_mt[mt]);
	assert_int_equal(kmm_stats_zone(m, 1, &z), KMM_ENOENT);
	test_machine_done(m);
}

/* An order-5 block is above the pcp orders (0..3): it leaves and returns to the buddy lists. */
static void test_stats_zone_follows_an_allocation(void **state)
{
	struct kmm_machine *m = stats_machine("1");
	struct kmm_zone_stats before, during, after;
	kmm_pfn_t pfn;
	int64_t v;

	(void)state;
	assert_int_equal(kmm_stats_zone(m, 0, &before), KMM_OK);
	assert_int_equal(kmm_alloc_pages(m, KMM_GFP_KERNEL, 5, &pfn), KMM_OK);
	assert_int_equal(kmm_stats_zone(m, 0, &during), KMM_OK);
	assert_int_equal(before.free_pages - during.free_pages, 32);
	assert_int_equal(kmm_stats_counter(m, "nr_free_pages", &v), KMM_OK);
	assert_int_equal((uint64_t)v, during.free_pages);
	assert_int_equal(kmm_free_pages(m, pfn, 5), KMM_OK);
	assert_int_equal(kmm_stats_zone(m, 0, &after), KMM_OK);
	assert_int_equal(after.free_pages, before.free_pages);
	test_machine_done(m);
}

/* free_order_N, free_pages_order_ge_N and unusable_index_N against buddyinfo by hand. */
static void test_stats_counters_follow_the_kernel_formulas(void **state)
{
	struct kmm_machine *m = stats_machine("1");
	struct kmm_zone_stats z;
	kmm_pfn_t pfns[64];
	uint64_t free = 0, ge9 = 0;
	int64_t v;
	char name[64];
	const char *view, *p;

	(void)state;
	/* Fragment a little: 64 order-0 pages, every other one freed again. */
	for (int i = 0; i < 64; i++)
		assert_int_equal(kmm_alloc_pages(m, KMM_GFP_KERNEL, 0, &pfns[i]), KMM_OK);
	for (int i = 0; i < 64; i += 2)
		assert_int_equal(kmm_free_pages(m, pfns[i], 0), KMM_OK);
	assert_int_equal(kmm_drain_all_pages(m), KMM_OK);
	assert_int_equal(kmm_stats_zone(m, 0, &z), KMM_OK);
	for (int o = 0; o < KMM_MAX_ORDER; o++) {
		snprintf(name, sizeof(name), "free_order_%d", o);
		assert_int_equal(kmm_stats_counter(m, name, &v), KMM_OK);
		assert_int_equal((uint64_t)v, z.free_blocks[o]);
		free += z.free_blocks[o] << o;
		if (o >= 9)
			ge9 += z.free_blocks[o] << o;
	}
	assert_int_equal(kmm_stats_counter(m, "free_pages_order_ge_9", &v), KMM_OK);
	assert_int_equal((uint64_t)v, ge9);
	/* unusable_free_index: (free - free in blocks >= order) / free, in thousandths */
	assert_int_equal(kmm_stats_counter(m, "unusable_index_9", &v), KMM_OK);
	assert_int_equal((uint64_t)v, (free - ge9) * 1000 / free);
	/* debugfs prints the same index as N.NNN: order 9 is the tenth column. */
	view = test_view(m, "/sys/kernel/debug/extfrag/unusable_index");
	p = strstr(view, "zone      DMA");
	assert_non_null(p);
	p += strlen("zone      DMA");
	for (int o = 0; o < 9; o++)
		strtod(p, (char **)&p);
	assert_int_equal((int64_t)(strtod(p, NULL) * 1000 + 0.5), v);
	assert_int_equal(kmm_stats_counter(m, "unusable_index_0", &v), KMM_OK);
	assert_int_equal(v, 0);
	for (int i = 1; i < 64; i += 2)
		assert_int_equal(kmm_free_pages(m, pfns[i], 0), KMM_OK);
	test_machine_done(m);
}

static void test_stats_counter_bad_names(void **state)
{
	struct kmm_machine *m = stats_machine("1");
	int64_t v = 7;

	(void)state;
	assert_error(kmm_stats_counter(m, "no_such_counter", &v), KMM_ENOENT, kmm_last_error(m),
		     "no counter 'no_such_counter'");
	assert_error(kmm_stats_counter(m, "free_order_11", &v), KMM_ENOENT, kmm_last_error(m),
		     "'free_order_11'");
	assert_error(kmm_stats_counter(m, "unusable_index_", &v), KMM_ENOENT, kmm_last_error(m),
		     "'unusable_index_'");
	assert_int_equal(v, 7);
	assert_einval_mentions(kmm_stats_counter(m, NULL, &v), kmm_last_error(m), "NULL");
	assert_einval_mentions(kmm_stats_counter(NULL, "pgfault", &v), kmm_last_error(NULL),
			       "machine is NULL");
	assert_einval_mentions(kmm_stats_zone(m, 0, NULL), kmm_last_error(m), "NULL output");
	assert_int_equal(kmm_stats_nr_zones(NULL), 0);
	test_machine_done(m);
}

/* A freed order-0 page goes to the freeing CPU's pcp list: the list's pages add up. */
static void test_stats_pcp_lists(void **state)
{
	struct kmm_machine *m = stats_machine("2");
	struct kmm_pcp_stats pcp;
	struct kmm_zone_stats z;
	uint64_t sum = 0;
	kmm_pfn_t pfn;

	(void)state;
	assert_int_equal(kmm_cpu_set(m, 1), KMM_OK);
	assert_int_equal(kmm_alloc_pages(m, KMM_GFP_KERNEL, 0, &pfn), KMM_OK);
	assert_int_equal(kmm_free_pages(m, pfn, 0), KMM_OK);
	assert_int_equal(kmm_stats_pcp(m, 0, 1, &pcp), KMM_OK);
	assert_int_equal(pcp.cpu, 1);
	assert_true(pcp.count >= 1);
	for (int i = 0; i < KMM_NR_PCP_LISTS; i++)
		sum += pcp.list_pages[i];
	assert_int_equal(sum, (uint64_t)pcp.count);
	assert_int_equal(kmm_stats_zone(m, 0, &z), KMM_OK);
	assert_true(z.pcp_pages >= (uint64_t)pcp.count);
	assert_einval_mentions(kmm_stats_pcp(m, 0, 2, &pcp), kmm_last_error(m), "no CPU 2");
	assert_int_equal(kmm_stats_pcp(m, 3, 0, &pcp), KMM_ENOENT);
	test_machine_done(m);
}

struct slab_count {
	unsigned n;
	bool saw_kmalloc_128;
};

static void count_cache(void *arg, const struct kmm_slab_info *info)
{
	struct slab_count *c = arg;

	c->n++;
	if (strcmp(info->name, "kmalloc-128") == 0)
		c->saw_kmalloc_128 = info->object_size == 128;
}

/*
 * One call per cache: as many as /proc/slabinfo has rows (after its two header lines);
 * kmalloc-128 is the smallest kmalloc cache on arm64 (ARCH_DMA_MINALIGN 128).
 */
static void test_stats_slab_caches_match_slabinfo(void **state)
{
	struct kmm_machine *m = stats_machine("1");
	struct slab_count c = {0};
	unsigned lines = 0;

	(void)state;
	assert_int_equal(kmm_stats_slab_caches(m, count_cache, &c), KMM_OK);
	for (const char *p = test_view(m, "/proc/slabinfo"); (p = strchr(p, '\n')); p++)
		lines++;
	assert_int_equal(c.n, lines - 2);
	assert_true(c.saw_kmalloc_128);
	assert_einval_mentions(kmm_stats_slab_caches(m, NULL, NULL), kmm_last_error(m),
			       "NULL callback");
	test_machine_done(m);
}

/* The summed TLB counters are the per-CPU ones added up. */
static void test_stats_tlb_sums_the_cpus(void **state)
{
	struct kmm_machine *m = stats_machine("2");
	struct kmm_tlb_stats all, c0, c1;
	kmm_pid_t pid;
	kmm_va_t va;
	int64_t v;

	(void)state;
	assert_int_equal(kmm_task_create(m, "t", 1, &pid), KMM_OK);
	assert_int_equal(kmm_mmap(m, pid, 0, 64 << 10, KMM_PROT_READ | KMM_PROT_WRITE,
				  KMM_MAP_PRIVATE | KMM_MAP_ANONYMOUS, -1, 0, &va),
			 KMM_OK);
	assert_int_equal(
		kmm_task_touch(m, pid, KMM_ACCESS_STORE, va, 64 << 10, 8, KMM_TOUCH_SEQ, 0, NULL),
		KMM_OK);
	assert_int_equal(kmm_stats_tlb(m, &all), KMM_OK);
	assert_int_equal(kmm_tlb_stats(m, 0, &c0), KMM_OK);
	assert_int_equal(kmm_tlb_stats(m, 1, &c1), KMM_OK);
	for (int l = 0; l < KMM_TLB_LEVELS; l++) {
		assert_int_equal(all.hits[l], c0.hits[l] + c1.hits[l]);
		assert_int_equal(all.misses[l], c0.misses[l] + c1.misses[l]);
	}
	assert_int_equal(all.walks, c0.walks + c1.walks);
	/* 8192 stores over 16 pages: at least one walk per page, mostly hits. */
	assert_true(all.walks >= 16);
	assert_int_equal(kmm_stats_counter(m, "tlb_walks", &v), KMM_OK);
	assert_int_equal((uint64_t)v, all.walks);
	assert_int_equal(kmm_stats_counter(m, "tlb_hits", &v), KMM_OK);
	assert_true(v >= 8192 - 16 * 4);
	test_machine_done(m);
}

/*
 * Sampling every 100 us across an idle millisecond: the first row at the start, one row at
 * each multiple of 100 us passed, a last row at the stop, times never going back.
 */
static void test_stats_sampler_rows_on_the_grid(void **state)
{
	struct kmm_machine *m = stats_machine("1");
	uint64_t rows, dropped, t0, t, t_end;
	int64_t vals[2];
	unsigned cols;
	const uint64_t iv = 100000;

	(void)state;
	t0 = kmm_clock_ns(m);
	assert_int_equal(kmm_sample_start(m, iv, "nr_free_pages,clock_ns"), KMM_OK);
	assert_int_equal(kmm_idle(m, 1000000), KMM_OK);
	t_end = kmm_clock_ns(m);
	assert_int_equal(kmm_sample_stop(m), KMM_OK);
	assert_int_equal(kmm_sample_shape(m, &rows, &cols, &dropped), KMM_OK);
	assert_int_equal(cols, 2);
	assert_int_equal(dropped, 0);
	assert_string_equal(kmm_sample_column(m, 1), "clock_ns");
	assert_null(kmm_sample_column(m, 2));
	/* start row + grid points in (t0, t_end] + stop row */
	assert_int_equal(rows, 1 + (t_end / iv - t0 / iv) + 1);
	assert_int_equal(kmm_sample_row(m, 0, &t, vals, 2), KMM_OK);
	assert_int_equal(t, t0);
	assert_int_equal((uint64_t)vals[1], t0);
	for (uint64_t r = 1; r + 1 < rows; r++) {
		assert_int_equal(kmm_sample_row(m, r, &t, vals, 2), KMM_OK);
		assert_int_equal(t, (t0 / iv + r) * iv);
		assert_int_equal((uint64_t)vals[1], t);
	}
	assert_int_equal(kmm_sample_row(m, rows - 1, &t, vals, 2), KMM_OK);
	assert_int_equal(t, t_end);
	assert_int_equal(kmm_sample_row(m, rows, &t, vals, 2), KMM_ENOENT);
	test_machine_done(m);
}

/* The same work with and without a sampler ends in the same state at the same time. */
static void test_stats_sampler_does_not_perturb(void **state)
{
	char a[1 << 14], b[1 << 14];
	uint64_t ta = 0, tb = 0;

	(void)state;
	for (int sampled = 0; sampled < 2; sampled++) {
		struct kmm_machine *m = stats_machine("2");
		kmm_pid_t pid;
		kmm_va_t va;

		if (sampled)
			assert_int_equal(
				kmm_sample_start(m, 5000, "pgfault,nr_free_pages,tlb_hits"),
				KMM_OK);
		assert_int_equal(kmm_task_create(m, "t", 1, &pid), KMM_OK);
		assert_int_equal(kmm_mmap(m, pid, 0, 1 << 20, KMM_PROT_READ | KMM_PROT_WRITE,
					  KMM_MAP_PRIVATE | KMM_MAP_ANONYMOUS, -1, 0, &va),
				 KMM_OK);
		assert_int_equal(kmm_task_touch(m, pid, KMM_ACCESS_STORE, va, 1 << 20, 0,
						KMM_TOUCH_RANDOM, 1, NULL),
				 KMM_OK);
		assert_int_equal(kmm_idle(m, 300000), KMM_OK);
		assert_int_equal(kmm_proc_read(m, "/proc/vmstat", sampled ? b : a, sizeof(a)),
				 KMM_OK);
		*(sampled ? &tb : &ta) = kmm_clock_ns(m);
		test_machine_done(m);
	}
	assert_string_equal(a, b);
	assert_int_equal(ta, tb);
}

static void test_stats_sampler_bad_input(void **state)
{
	struct kmm_machine *m = stats_machine("1");
	char many[64 * 8 + 16] = "";
	uint64_t rows;

	(void)state;
	assert_error(kmm_sample_stop(m), KMM_ENOENT, kmm_last_error(m), "no sampler is running");
	assert_error(kmm_sample_shape(m, &rows, NULL, NULL), KMM_ENOENT, kmm_last_error(m),
		     "no sampler has run");
	assert_einval_mentions(kmm_sample_start(m, 0, "pgfault"), kmm_last_error(m), "interval 0");
	assert_einval_mentions(kmm_sample_start(m, 1000, NULL), kmm_last_error(m), "NULL counters");
	assert_einval_mentions(kmm_sample_start(m, 1000, ""), kmm_last_error(m),
			       "no counter named");
	assert_einval_mentions(kmm_sample_start(m, 1000, "pgfault,,pgfree"), kmm_last_error(m),
			       "empty or too long");
	assert_error(kmm_sample_start(m, 1000, "pgfault,bogus"), KMM_ENOENT, kmm_last_error(m),
		     "no counter 'bogus'");
	for (int i = 0; i < 65; i++)
		strcat(many, i ? ",pgfree" : "pgfree");
	assert_einval_mentions(kmm_sample_start(m, 1000, many), kmm_last_error(m),
			       "more than 64 counters");
	/* Nothing started. */
	assert_int_equal(kmm_sample_shape(m, &rows, NULL, NULL), KMM_ENOENT);
	/* A second start replaces the first. */
	assert_int_equal(kmm_sample_start(m, 1000, "pgfault"), KMM_OK);
	assert_int_equal(kmm_sample_start(m, 1000, "pgfree,pgalloc_dma"), KMM_OK);
	assert_string_equal(kmm_sample_column(m, 1), "pgalloc_dma");
	test_machine_done(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_stats_zone_matches_the_machine_and_its_views),
		cmocka_unit_test(test_stats_zone_follows_an_allocation),
		cmocka_unit_test(test_stats_counters_follow_the_kernel_formulas),
		cmocka_unit_test(test_stats_counter_bad_names),
		cmocka_unit_test(test_stats_pcp_lists),
		cmocka_unit_test(test_stats_slab_caches_match_slabinfo),
		cmocka_unit_test(test_stats_tlb_sums_the_cpus),
		cmocka_unit_test(test_stats_sampler_rows_on_the_grid),
		cmocka_unit_test(test_stats_sampler_does_not_perturb),
		cmocka_unit_test(test_stats_sampler_bad_input),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
