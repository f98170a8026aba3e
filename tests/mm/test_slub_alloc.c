/*
 * SLUB allocation and free paths: the CPU slab, CPU partial and node partial transitions,
 * the drain of a full CPU partial list, min_partial, per-CPU independence and remote frees,
 * node-specific allocation, the kmalloc types and zones, init_on_alloc/init_on_free,
 * krealloc and large kmalloc, bulk operations, bad frees, a destroy with objects left, and
 * the counts /proc/slabinfo and /proc/meminfo show. Expected states are worked out by hand
 * from mm/slub.c in the comments; kmm_check runs after each test.
 *
 * Most tests use a cache of 256-byte objects on a 2-CPU machine: min_objects = 4 * (fls(2) +
 * 1) = 12, 12 x 256 fits a page: order 0, 16 objects per slab; cpu_partial 52 objects, so
 * cpu_partial_slabs = ceil(2 * 52 / 16) = 7; min_partial = max(ilog2(256) / 2, 5) = 5.
 * A CPU takes a whole slab before the next, so objects 16i .. 16i+15 of a run of allocations
 * on one CPU share a slab (in shuffled order: CONFIG_SLAB_FREELIST_RANDOM).
 *
 * Covers: src/mm/slub.c (slab_alloc_node, ___slab_alloc, get_partial_node, deactivate_slab,
 * put_cpu_partial, __unfreeze_partials, __slab_free, do_slab_free, bulk, shutdown, shrink),
 * src/mm/slab_common.c (kmalloc, kfree, ksize, krealloc, large kmalloc), src/sim/slab_api.c.
 */
#include "kmm_test.h"

static struct kmm_machine *boot(const char *mem, int cpus, const char *append)
{
	struct kmm_config cfg;
	char smp[8];

	kmm_config_init(&cfg);
	snprintf(smp, sizeof(smp), "%d", cpus);
	kmm_config_option(&cfg, "-m", mem);
	kmm_config_option(&cfg, "-smp", smp);
	if (append)
		kmm_config_append(&cfg, append);
	return test_machine(&cfg);
}

static kmm_cache_t cache(struct kmm_machine *m, const char *name, unsigned size, uint32_t flags)
{
	kmm_cache_t c;

	if (kmm_kmem_cache_create(m, name, size, 0, flags, NULL, NULL, &c) != KMM_OK)
		fail_msg("create %s: %s", name, kmm_last_error(m));
	return c;
}

static kmm_va_t alloc(struct kmm_machine *m, kmm_cache_t c)
{
	kmm_va_t va;

	if (kmm_kmem_cache_alloc(m, c, KMM_GFP_KERNEL, &va) != KMM_OK)
		fail_msg("alloc: %s", kmm_last_error(m));
	return va;
}

static kmm_va_t kmalloc_ok(struct kmm_machine *m, size_t size, kmm_gfp_t gfp)
{
	kmm_va_t va;

	if (kmm_kmalloc(m, size, gfp, &va) != KMM_OK)
		fail_msg("kmalloc(%zu): %s", size, kmm_last_error(m));
	return va;
}

static kmm_pfn_t pfn_of(struct kmm_machine *m, kmm_va_t va)
{
	kmm_pa_t pa;

	assert_int_equal(kmm_virt_to_phys(m, va, &pa), KMM_OK);
	return pa >> KMM_PAGE_SHIFT;
}

static struct kmm_slab_info info(struct kmm_machine *m, kmm_cache_t c)
{
	struct kmm_slab_info in;

	assert_int_equal(kmm_kmem_cache_info(m, c, &in), KMM_OK);
	return in;
}

/* The text of the last report, or "" when there is none. */
static const char *last_report(struct kmm_machine *m)
{
	static struct kmm_report r;

	if (kmm_report_get(m, kmm_report_count(m), &r) != KMM_OK)
		return "";
	return r.text;
}

/* The last report's text contains every one of the NULL-terminated strings. */
static void expect_report(struct kmm_machine *m, uint64_t before, ...)
{
	const char *text = last_report(m), *needle;
	va_list ap;

	if (kmm_report_count(m) <= before)
		fail_msg("no report was raised");
	va_start(ap, before);
	while ((needle = va_arg(ap, const char *)))
		if (!strstr(text, needle))
			fail_msg("the report lacks \"%s\":\n%s", needle, text);
	va_end(ap);
}

static long meminfo_kb(struct kmm_machine *m, const char *key)
{
	const char *p = strstr(test_view(m, "/proc/meminfo"), key);

	if (!p)
		fail_msg("no %s in /proc/meminfo", key);
	return strtol(p + strlen(key), NULL, 10);
}

/* CPU slab -> full (on no list) -> CPU partial -> node partial on shrink -> CPU slab again. */
static void test_slub_alloc_slab_transitions(void **state)
{
	struct kmm_machine *m = boot("512M", 2, NULL);
	kmm_cache_t c = cache(m, "t256", 256, 0);
	kmm_va_t s1[16], x, y;
	struct kmm_slab_info in;

	for (int i = 0; i < 16; i++) {
		s1[i] = alloc(m, c);
		assert_int_equal(pfn_of(m, s1[i]), pfn_of(m, s1[0]));
	}
	in = info(m, c);
	assert_int_equal(in.slabs, 1);
	assert_int_equal(in.cpu_slabs, 1);
	/* The 17th object needs a new slab; the full one leaves the CPU and is on no list. */
	x = alloc(m, c);
	assert_int_not_equal(pfn_of(m, x), pfn_of(m, s1[0]));
	in = info(m, c);
	assert_int_equal(in.slabs, 2);
	assert_int_equal(in.cpu_slabs, 1);
	assert_int_equal(in.partial_slabs, 0);
	/* A free into the full slab freezes it onto this CPU's partial list. */
	assert_int_equal(kmm_kmem_cache_free(m, c, s1[0]), KMM_OK);
	in = info(m, c);
	assert_int_equal(in.cpu_slabs, 2);
	assert_int_equal(in.partial_slabs, 0);
	/* Emptied, it stays frozen there: nothing goes back to the page allocator. */
	for (int i = 1; i < 16; i++)
		assert_int_equal(kmm_kmem_cache_free(m, c, s1[i]), KMM_OK);
	in = info(m, c);
	assert_int_equal(in.slabs, 2);
	assert_int_equal(in.cpu_slabs, 2);
	/*
	 * Shrink: the CPU slab (1 object in use) goes to the node partial list, the empty CPU
	 * partial slab too (nr_partial 1 < min_partial 5), then the empty one is discarded.
	 * /proc/slabinfo counts the 15 free objects on the partial slab as not active.
	 */
	assert_int_equal(kmm_kmem_cache_shrink(m, c), KMM_OK);
	in = info(m, c);
	assert_int_equal(in.slabs, 1);
	assert_int_equal(in.partial_slabs, 1);
	assert_int_equal(in.cpu_slabs, 0);
	assert_int_equal(in.objs, 16);
	assert_int_equal(in.active_objs, 1);
	/* The next allocation takes the partial slab back as the CPU slab. */
	y = alloc(m, c);
	assert_int_equal(pfn_of(m, y), pfn_of(m, x));
	in = info(m, c);
	assert_int_equal(in.partial_slabs, 0);
	assert_int_equal(in.cpu_slabs, 1);
	assert_int_equal(in.active_objs, 16);
	kmm_kmem_cache_free(m, c, x);
	kmm_kmem_cache_free(m, c, y);
	assert_int_equal(kmm_report_count(m), 0);
	test_machine_done(m);
}

/* The 8th frozen slab finds the CPU partial list at cpu_partial_slabs (7): all 7 move on. */
static void test_slub_alloc_cpu_partial_drain(void **state)
{
	struct kmm_machine *m = boot("512M", 2, NULL);
	kmm_cache_t c = cache(m, "t256", 256, 0);
	kmm_va_t o[160];
	struct kmm_slab_info in;

	assert_int_equal(info(m, c).cpu_partial_slabs, 7);
	for (int i = 0; i < 160; i++)
		o[i] = alloc(m, c);
	in = info(m, c);
	assert_int_equal(in.slabs, 10);
	assert_int_equal(in.cpu_slabs, 1);
	for (int s = 0; s < 7; s++)
		kmm_kmem_cache_free(m, c, o[16 * s]);
	in = info(m, c);
	assert_int_equal(in.cpu_slabs, 8);
	assert_int_equal(in.partial_slabs, 0);
	kmm_kmem_cache_free(m, c, o[16 * 7]);
	in = info(m, c);
	assert_int_equal(in.partial_slabs, 7); /* unfrozen, 15 in use each: node partial */
	assert_int_equal(in.cpu_slabs, 2);     /* the CPU slab and the 8th slab */
	assert_int_equal(in.active_objs, 160 - 7);
	for (int i = 0; i < 160; i++)
		if (i % 16 || i / 16 > 7)
			kmm_kmem_cache_free(m, c, o[i]);
	assert_int_equal(kmm_report_count(m), 0);
	test_machine_done(m);
}

/*
 * 20 full slabs freed in order on one CPU. S1..S7 freeze onto the CPU partial list; S8's
 * first free drains them, emptied, to the node: S7..S3 stay (nr_partial 0..4 < 5), S2 and
 * S1 are discarded. S8..S14 fill the list again; S15 drains it: all discarded (nr_partial
 * is 5). S15..S19 end on the CPU partial list, S20 is the CPU slab: 11 slabs. Shrink frees
 * all of them.
 */
static void test_slub_alloc_min_partial(void **state)
{
	struct kmm_machine *m = boot("512M", 2, NULL);
	kmm_cache_t c = cache(m, "t256", 256, 0);
	long before = meminfo_kb(m, "SUnreclaim:");
	kmm_va_t o[320];
	struct kmm_slab_info in;

	for (int i = 0; i < 320; i++)
		o[i] = alloc(m, c);
	assert_int_equal(meminfo_kb(m, "SUnreclaim:") - before, 20 * 4);
	for (int i = 0; i < 320; i++)
		kmm_kmem_cache_free(m, c, o[i]);
	in = info(m, c);
	assert_int_equal(in.slabs, 11);
	assert_int_equal(in.partial_slabs, 5);
	assert_int_equal(in.cpu_slabs, 6);
	assert_int_equal(in.objs, 176);
	assert_int_equal(in.active_objs, 176 - 5 * 16);
	assert_int_equal(meminfo_kb(m, "SUnreclaim:") - before, 11 * 4);
	assert_int_equal(kmm_kmem_cache_shrink(m, c), KMM_OK);
	in = info(m, c);
	assert_int_equal(in.slabs, 0);
	assert_int_equal(meminfo_kb(m, "SUnreclaim:"), before);
	assert_int_equal(kmm_report_count(m), 0);
	test_machine_done(m);
}

/* Each CPU allocates from its own slab; a remote free lands on the slab's own freelist. */
static void test_slub_alloc_per_cpu_and_remote_free(void **state)
{
	struct kmm_machine *m = boot("512M", 2, NULL);
	kmm_cache_t c = cache(m, "t256", 256, 0);
	kmm_va_t a, b, o[15], again;

	kmm_cpu_set(m, 0);
	a = alloc(m, c);
	kmm_cpu_set(m, 1);
	b = alloc(m, c);
	assert_int_not_equal(pfn_of(m, a), pfn_of(m, b));
	assert_int_equal(info(m, c).cpu_slabs, 2);
	/* CPU 1 frees CPU 0's object: it goes to the (frozen) slab's freelist, not CPU 1's. */
	kmm_kmem_cache_free(m, c, a);
	kmm_cpu_set(m, 0);
	for (int i = 0; i < 15; i++) {
		o[i] = alloc(m, c);
		assert_int_equal(pfn_of(m, o[i]), pfn_of(m, a));
		assert_int_not_equal(o[i], a);
	}
	/* CPU 0's freelist is empty: the refill takes the slab's freelist, that is, a. */
	again = alloc(m, c);
	assert_int_equal(again, a);
	assert_int_equal(info(m, c).slabs, 2);
	for (int i = 0; i < 15; i++)
		kmm_kmem_cache_free(m, c, o[i]);
	kmm_kmem_cache_free(m, c, again);
	kmm_kmem_cache_free(m, c, b);
	assert_int_equal(kmm_report_count(m), 0);
	test_machine_done(m);
}

/* kmem_cache_alloc_node / kmalloc_node: the slab comes from the node asked for. */
static void test_slub_alloc_numa_node(void **state)
{
	struct kmm_config cfg;
	struct kmm_machine *m;
	struct kmm_page_info pi;
	kmm_cache_t c;
	kmm_va_t a, b, d;

	kmm_config_init(&cfg);
	kmm_config_option(&cfg, "-m", "2G");
	kmm_config_option(&cfg, "-numa", "node,nodeid=0,mem=1G,cpus=0-1");
	kmm_config_option(&cfg, "-numa", "node,nodeid=1,mem=1G,cpus=2-3");
	m = test_machine(&cfg);
	c = cache(m, "n256", 256, 0);
	kmm_cpu_set(m, 0);
	assert_int_equal(kmm_kmem_cache_alloc_node(m, c, KMM_GFP_KERNEL, 1, &a), KMM_OK);
	assert_int_equal(kmm_page_info(m, pfn_of(m, a), &pi), KMM_OK);
	assert_int_equal(pi.node, 1);
	b = alloc(m, c); /* any node: the node-1 CPU slab matches */
	assert_int_equal(pfn_of(m, b), pfn_of(m, a));
	assert_int_equal(kmm_kmem_cache_alloc_node(m, c, KMM_GFP_KERNEL, 0, &d), KMM_OK);
	assert_int_equal(kmm_page_info(m, pfn_of(m, d), &pi), KMM_OK);
	assert_int_equal(pi.node, 0);
	kmm_kmem_cache_free(m, c, a);
	kmm_kmem_cache_free(m, c, b);
	kmm_kmem_cache_free(m, c, d);
	assert_int_equal(kmm_kmalloc_node(m, 3000, KMM_GFP_KERNEL, 1, &a), KMM_OK);
	assert_int_equal(kmm_page_info(m, pfn_of(m, a), &pi), KMM_OK);
	assert_int_equal(pi.node, 1);
	kmm_kfree(m, a);
	assert_int_equal(kmm_kmalloc_node(m, 64, KMM_GFP_KERNEL, 5, &a), KMM_EINVAL);
	test_machine_done(m);
}

/* The kmalloc type follows the GFP flags; dma-kmalloc slabs come from ZONE_DMA. */
static void test_slub_alloc_kmalloc_types(void **state)
{
	static const struct {
		kmm_gfp_t gfp;
		const char *cache;
		int zone;
	} cases[] = {
		{KMM_GFP_KERNEL, "kmalloc-128", 2},
		{KMM_GFP_KERNEL_ACCOUNT, "kmalloc-cg-128", 2},
		{KMM_GFP_KERNEL | KMM___GFP_RECLAIMABLE, "kmalloc-rcl-128", 2},
		{KMM_GFP_KERNEL | KMM___GFP_DMA, "dma-kmalloc-128", 0},
		{KMM_GFP_KERNEL | KMM___GFP_DMA | KMM___GFP_RECLAIMABLE, "dma-kmalloc-128", 0},
	};
	/* 5 GiB from 0x40000000: ZONE_DMA is RAM below 4 GiB, ZONE_NORMAL the rest */
	struct kmm_machine *m = boot("5G", 1, NULL);

	static const char *const all[] = {"kmalloc-128", "kmalloc-cg-128", "kmalloc-rcl-128",
					  "dma-kmalloc-128"};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		unsigned long before[4];
		struct kmm_slab_info in;
		struct kmm_page_info pi;
		long srec = meminfo_kb(m, "SReclaimable:");
		kmm_va_t va;

		for (int j = 0; j < 4; j++) {
			assert_int_equal(kmm_slab_info(m, all[j], &in), KMM_OK);
			before[j] = in.objs;
		}
		va = kmalloc_ok(m, 100, cases[i].gfp);
		/* Only the expected cache may have grown (kmalloc-128 has slabs since boot). */
		for (int j = 0; j < 4; j++) {
			bool expected = strcmp(all[j], cases[i].cache) == 0;

			assert_int_equal(kmm_slab_info(m, all[j], &in), KMM_OK);
			if (!expected && in.objs != before[j])
				fail_msg("gfp %#x: %s grew", cases[i].gfp, all[j]);
			if (expected && j && !before[j] && in.objs != 32)
				fail_msg("gfp %#x: no new slab in %s", cases[i].gfp, all[j]);
		}
		assert_int_equal(kmm_page_info(m, pfn_of(m, va), &pi), KMM_OK);
		assert_int_equal(pi.zone, cases[i].zone);
		if (strstr(cases[i].cache, "rcl")) {
			/* SLAB_RECLAIM_ACCOUNT: __GFP_RECLAIMABLE pages, counted as reclaimable */
			assert_int_equal(meminfo_kb(m, "SReclaimable:") - srec, 4);
			assert_int_equal(pi.pageblock_mt, KMM_MIGRATE_RECLAIMABLE);
		}
		kmm_kfree(m, va);
	}
	assert_int_equal(kmm_report_count(m), 0);
	test_machine_done(m);
}

static void fill(struct kmm_machine *m, kmm_va_t va, int byte, size_t len)
{
	kmm_pa_t pa;
	uint8_t buf[256];

	memset(buf, byte, sizeof(buf));
	assert_int_equal(kmm_virt_to_phys(m, va, &pa), KMM_OK);
	assert_int_equal(kmm_phys_write(m, pa, buf, len), KMM_OK);
}

static void bytes(struct kmm_machine *m, kmm_va_t va, uint8_t *buf, size_t len)
{
	kmm_pa_t pa;

	assert_int_equal(kmm_virt_to_phys(m, va, &pa), KMM_OK);
	assert_int_equal(kmm_phys_read(m, pa, buf, len), KMM_OK);
}

static int count_byte(const uint8_t *p, size_t len, int byte)
{
	int n = 0;

	for (size_t i = 0; i < len; i++)
		n += p[i] == byte;
	return n;
}

/*
 * kmalloc-128 objects keep their free pointer at ALIGN_DOWN(128 / 2, 8) = 64. A freed and
 * re-allocated object comes back at once (LIFO on the CPU freelist).
 */
static void test_slub_alloc_init_on_alloc_and_free(void **state)
{
	struct kmm_machine *m;
	uint8_t b[128];
	kmm_va_t va, again;

	/* Default (CONFIG_INIT_ON_ALLOC_DEFAULT_ON): objects come zeroed. */
	m = boot("256M", 1, NULL);
	va = kmalloc_ok(m, 128, KMM_GFP_KERNEL);
	fill(m, va, 0xaa, 128);
	kmm_kfree(m, va);
	again = kmalloc_ok(m, 128, KMM_GFP_KERNEL);
	assert_int_equal(again, va);
	bytes(m, again, b, 128);
	assert_int_equal(count_byte(b, 128, 0), 128);
	test_machine_done(m);

	/* init_on_alloc=0: the old bytes are still there, but for the free pointer word. */
	m = boot("256M", 1, "init_on_alloc=0");
	va = kmalloc_ok(m, 128, KMM_GFP_KERNEL);
	fill(m, va, 0xaa, 128);
	kmm_kfree(m, va);
	again = kmalloc_ok(m, 128, KMM_GFP_KERNEL);
	assert_int_equal(again, va);
	bytes(m, again, b, 128);
	assert_int_equal(count_byte(b, 64, 0xaa), 64);
	assert_int_equal(count_byte(b + 72, 56, 0xaa), 56);
	kmm_kfree(m, again);
	assert_int_equal(kmm_kzalloc(m, 128, KMM_GFP_KERNEL, &again), KMM_OK);
	bytes(m, again, b, 128);
	assert_int_equal(count_byte(b, 128, 0), 128);
	test_machine_done(m);

	/* init_on_free=1: zeroed at free (all but the free pointer), fully at allocation. */
	m = boot("256M", 1, "init_on_alloc=0 init_on_free=1");
	va = kmalloc_ok(m, 128, KMM_GFP_KERNEL);
	fill(m, va, 0xaa, 128);
	kmm_kfree(m, va);
	bytes(m, va, b, 128);
	assert_int_equal(count_byte(b, 64, 0), 64);
	assert_int_equal(count_byte(b + 72, 56, 0), 56);
	again = kmalloc_ok(m, 128, KMM_GFP_KERNEL);
	bytes(m, again, b, 128);
	assert_int_equal(count_byte(b, 128, 0), 128);
	test_machine_done(m);
}

/* krealloc in place and moving; kcalloc overflow; large kmalloc and its accounting. */
static void test_slub_alloc_krealloc_and_large(void **state)
{
	struct kmm_machine *m = boot("512M", 2, NULL);
	struct kmm_page_info pi;
	uint8_t b[256];
	kmm_va_t va, out, big;
	size_t ks;
	long before;
	uint64_t reports;

	va = kmalloc_ok(m, 100, KMM_GFP_KERNEL);
	fill(m, va, 0x5a, 128);
	/* 120 still fits in kmalloc-128: the same object, bytes 120..127 zeroed */
	assert_int_equal(kmm_krealloc(m, va, 120, KMM_GFP_KERNEL, &out), KMM_OK);
	assert_int_equal(out, va);
	bytes(m, out, b, 128);
	assert_int_equal(count_byte(b, 120, 0x5a), 120);
	assert_int_equal(count_byte(b + 120, 8, 0), 8);
	/* 300 moves to kmalloc-512: 128 bytes copied, the old object freed */
	assert_int_equal(kmm_krealloc(m, va, 300, KMM_GFP_KERNEL, &out), KMM_OK);
	assert_int_not_equal(out, va);
	assert_int_equal(kmm_ksize(m, out, &ks), KMM_OK);
	assert_int_equal(ks, 512);
	bytes(m, out, b, 128);
	assert_int_equal(count_byte(b, 120, 0x5a), 120);
	reports = kmm_report_count(m);
	assert_int_equal(kmm_krealloc(m, out, 0, KMM_GFP_KERNEL, &va), KMM_OK);
	assert_int_equal(va, 16); /* ZERO_SIZE_PTR */
	assert_int_equal(kmm_report_count(m), reports);
	/* n * size overflows: NULL, as the kernel's kcalloc */
	assert_int_equal(kmm_kcalloc(m, SIZE_MAX / 2, 4, KMM_GFP_KERNEL, &va), KMM_ENOMEM);
	/* 100000 bytes: order 5 from the page allocator, counted as unreclaimable slab */
	before = meminfo_kb(m, "SUnreclaim:");
	big = kmalloc_ok(m, 100000, KMM_GFP_KERNEL);
	assert_int_equal(big & 0x1ffff, 0);
	assert_int_equal(meminfo_kb(m, "SUnreclaim:") - before, 128);
	assert_int_equal(kmm_page_info(m, pfn_of(m, big), &pi), KMM_OK);
	assert_true(pi.compound_head);
	assert_int_equal(pi.compound_order, 5);
	assert_int_equal(kmm_ksize(m, big, &ks), KMM_OK);
	assert_int_equal(ks, 131072);
	assert_int_equal(kmm_kfree(m, big), KMM_OK);
	assert_int_equal(meminfo_kb(m, "SUnreclaim:"), before);
	/* Above KMALLOC_MAX_SIZE the page allocator refuses (with its warning) */
	assert_int_equal(kmm_kmalloc(m, 5u << 20, KMM_GFP_KERNEL, &va), KMM_ENOMEM);
	assert_true(kmm_report_count(m) > reports);
	assert_int_equal(kmm_kmalloc(m, 5u << 20, KMM_GFP_KERNEL | KMM___GFP_NOWARN, &va),
			 KMM_ENOMEM);
	test_machine_done(m);
}

/* kmem_cache_alloc_bulk / free_bulk and kfree_bulk over mixed objects. */
static void test_slub_alloc_bulk(void **state)
{
	struct kmm_machine *m = boot("512M", 2, NULL);
	kmm_cache_t c = cache(m, "t256", 256, 0);
	kmm_va_t o[40], mix[3];
	struct kmm_slab_info in;

	assert_int_equal(kmm_kmem_cache_alloc_bulk(m, c, KMM_GFP_KERNEL, 40, o), KMM_OK);
	for (int i = 0; i < 40; i++)
		for (int j = 0; j < i; j++)
			assert_int_not_equal(o[i], o[j]);
	in = info(m, c);
	assert_int_equal(in.slabs, 3);
	assert_int_equal(kmm_check(m), KMM_OK);
	assert_int_equal(kmm_kmem_cache_free_bulk(m, c, 40, o), KMM_OK);
	assert_int_equal(kmm_kmem_cache_alloc_bulk(m, c, KMM_GFP_KERNEL, 0, NULL), KMM_OK);
	/* kfree_bulk: a cache object, a kmalloc object and a large kmalloc together */
	mix[0] = alloc(m, c);
	mix[1] = kmalloc_ok(m, 700, KMM_GFP_KERNEL);
	mix[2] = kmalloc_ok(m, 20000, KMM_GFP_KERNEL);
	assert_int_equal(kmm_kmem_cache_free_bulk(m, 0, 3, mix), KMM_OK);
	assert_int_equal(kmm_report_count(m), 0);
	/* everything is free again: a second free of any is reported */
	kmm_kfree(m, mix[1]);
	assert_true(strstr(last_report(m), "Object already free") != NULL);
	test_machine_done(m);
}

/* Frees the kernel would get wrong: each reported in its words, nothing corrupted. */
static void test_slub_alloc_bad_frees(void **state)
{
	struct kmm_machine *m = boot("512M", 2, NULL);
	kmm_cache_t c64 = cache(m, "c64", 64, 0);
	struct kmm_page_info pi;
	kmm_va_t va, big, o;
	kmm_pfn_t pfn;
	uint64_t n;
	size_t ks;

	/* Misaligned: not an object boundary of kmalloc-128 */
	va = kmalloc_ok(m, 100, KMM_GFP_KERNEL);
	n = kmm_report_count(m);
	kmm_kfree(m, va + 8);
	expect_report(m, n, "BUG kmalloc-128 (Not tainted): Invalid object pointer 0x", "not freed",
		      NULL);
	assert_int_equal(kmm_ksize(m, va, &ks), KMM_OK);
	assert_int_equal(ks, 128);
	assert_int_equal(kmm_check(m), KMM_OK);
	/* Double free */
	kmm_kfree(m, va);
	n = kmm_report_count(m);
	kmm_kfree(m, va);
	expect_report(m, n, "BUG kmalloc-128 (Tainted: G    B", "): Object already free",
		      "Object 0x", NULL);
	assert_int_equal(kmm_check(m), KMM_OK);
	/* A page from the page allocator is no kmalloc: reported, the page left alone */
	assert_int_equal(kmm_alloc_pages(m, KMM_GFP_KERNEL, 0, &pfn), KMM_OK);
	n = kmm_report_count(m);
	kmm_kfree(m, 0xffff000000000000ull + (pfn << 12) - 0x40000000ull);
	expect_report(m, n, "WARNING: CPU: 0 PID: 0 at mm/slab_common.c:904 free_large_kmalloc",
		      "object pointer: 0x", NULL);
	assert_int_equal(kmm_page_info(m, pfn, &pi), KMM_OK);
	assert_int_equal(pi.refcount, 1);
	assert_int_equal(kmm_free_pages(m, pfn, 0), KMM_OK);
	/* No RAM there at all: the oops the kernel would take */
	n = kmm_report_count(m);
	kmm_kfree(m, 0xffff000100000000ull);
	expect_report(m, n,
		      "Unable to handle kernel paging request at virtual address "
		      "ffff000100000000",
		      NULL);
	/* The wrong cache: the kernel warns and frees to the object's own cache */
	o = kmalloc_ok(m, 100, KMM_GFP_KERNEL);
	n = kmm_report_count(m);
	kmm_kmem_cache_free(m, c64, o);
	expect_report(m, n, "cache_from_obj: Wrong slab cache. c64 but object is from kmalloc-128",
		      NULL);
	n = kmm_report_count(m);
	kmm_kfree(m, o);
	expect_report(m, n, "Object already free", NULL);
	/* kmem_cache_free of a large kmalloc: not a slab page */
	big = kmalloc_ok(m, 20000, KMM_GFP_KERNEL);
	n = kmm_report_count(m);
	kmm_kmem_cache_free(m, c64, big);
	expect_report(m, n, "virt_to_cache: Object is not a Slab page!", NULL);
	assert_int_equal(kmm_ksize(m, big, &ks), KMM_OK);
	assert_int_equal(ks, 32768);
	n = kmm_report_count(m);
	assert_int_equal(kmm_kfree(m, big), KMM_OK);
	assert_int_equal(kmm_report_count(m), n);
	/* ksize of something that is not an allocation */
	assert_int_equal(kmm_alloc_pages(m, KMM_GFP_KERNEL, 0, &pfn), KMM_OK);
	assert_int_equal(kmm_ksize(m, 0xffff000000000000ull + (pfn << 12) - 0x40000000ull, &ks),
			 KMM_OK);
	assert_int_equal(ks, 0);
	expect_report(m, n, "mm/slab_common.c:1014 __ksize", NULL);
	assert_int_equal(kmm_free_pages(m, pfn, 0), KMM_OK);
	assert_false(kmm_machine_dead(m));
	test_machine_done(m);
}

/* kmem_cache_destroy with objects left: the kernel's two reports, the cache kept. */
static void test_slub_alloc_destroy_with_objects_left(void **state)
{
	struct kmm_machine *m = boot("512M", 2, NULL);
	kmm_cache_t c = cache(m, "leaky", 128, KMM_SLAB_HWCACHE_ALIGN);
	kmm_va_t a = alloc(m, c), b = alloc(m, c), d = alloc(m, c);
	uint64_t n = kmm_report_count(m);
	struct kmm_report r;
	char addr[64];

	kmm_kmem_cache_free(m, c, b);
	assert_int_equal(kmm_kmem_cache_destroy(m, c), KMM_OK);
	assert_int_equal(kmm_report_count(m), n + 2);
	assert_int_equal(kmm_report_get(m, n + 1, &r), KMM_OK);
	assert_true(strstr(r.text, "Objects remaining in leaky on __kmem_cache_shutdown()"));
	snprintf(addr, sizeof(addr), "Object 0x%016llx @offset=", (unsigned long long)a);
	assert_true(strstr(r.text, addr));
	snprintf(addr, sizeof(addr), "Object 0x%016llx @offset=", (unsigned long long)d);
	assert_true(strstr(r.text, addr));
	snprintf(addr, sizeof(addr), "Object 0x%016llx @offset=", (unsigned long long)b);
	assert_null(strstr(r.text, addr));
	assert_true(
		strstr(last_report(m), "kmem_cache_destroy leaky: Slab cache still has objects"));
	/* The handle is gone; the cache and its objects are still there. */
	assert_int_equal(kmm_kmem_cache_alloc(m, c, KMM_GFP_KERNEL, &b), KMM_EINVAL);
	assert_true(strstr(test_view(m, "/proc/slabinfo"), "\nleaky "));
	kmm_kfree(m, a);
	kmm_kfree(m, d);
	assert_int_equal(kmm_report_count(m), n + 2);
	test_machine_done(m);
}

/* /proc/slabinfo's line and the meminfo Slab counters for a cache of 100-byte objects. */
static void test_slub_alloc_slabinfo_and_meminfo(void **state)
{
	struct kmm_machine *m = boot("512M", 4, NULL);
	kmm_cache_t c = cache(m, "c100", 100, 0);
	long slab = meminfo_kb(m, "Slab:"), unrec = meminfo_kb(m, "SUnreclaim:");
	const char *line;
	kmm_va_t o[100];

	/* 104-byte objects, 4096 / 104 = 39 per slab: 100 objects need 3 slabs */
	for (int i = 0; i < 100; i++)
		o[i] = alloc(m, c);
	line = strstr(test_view(m, "/proc/slabinfo"), "\nc100 ");
	assert_non_null(line);
	assert_memory_equal(
		line + 1,
		"c100                 117    117    104   39    1 : tunables    0    0    "
		"0 : slabdata      3      3      0\n",
		strlen("c100                 117    117    104   39    1 : tunables    0 "
		       "   0    0 : slabdata      3      3      0\n"));
	assert_int_equal(meminfo_kb(m, "Slab:") - slab, 12);
	assert_int_equal(meminfo_kb(m, "SUnreclaim:") - unrec, 12);
	for (int i = 0; i < 100; i++)
		kmm_kmem_cache_free(m, c, o[i]);
	test_machine_done(m);
}

/* The kmem trace events, in the kernel's format. */
static void test_slub_alloc_trace_events(void **state)
{
	struct kmm_machine *m = boot("256M", 1, NULL);
	kmm_cache_t c = cache(m, "tr", 64, 0);
	const char *t;
	kmm_va_t va, o;
	char want[160];

	assert_int_equal(kmm_trace_enable(m, "kmem_cache_alloc", true), KMM_OK);
	assert_int_equal(kmm_trace_enable(m, "kmalloc", true), KMM_OK);
	assert_int_equal(kmm_trace_enable(m, "kfree", true), KMM_OK);
	assert_int_equal(kmm_trace_enable(m, "kmem_cache_free", true), KMM_OK);
	va = kmalloc_ok(m, 100, KMM_GFP_KERNEL);
	o = alloc(m, c);
	kmm_kmem_cache_free(m, c, o);
	kmm_kfree(m, va);
	t = test_view(m, "/sys/kernel/debug/tracing/trace");
	snprintf(want, sizeof(want),
		 "kmalloc: call_site=kmm_api+0x0/0x100 ptr=%016llx bytes_req=100 bytes_alloc=128 "
		 "gfp_flags=GFP_KERNEL node=-1 accounted=false",
		 (unsigned long long)va);
	assert_non_null(strstr(t, want));
	snprintf(want, sizeof(want),
		 "kmem_cache_alloc: call_site=kmem_cache_alloc_node+0x0/0x100 ptr=%016llx "
		 "bytes_req=64 bytes_alloc=64 gfp_flags=GFP_KERNEL node=-1 accounted=false",
		 (unsigned long long)o);
	assert_non_null(strstr(t, want));
	snprintf(want, sizeof(want),
		 "kmem_cache_free: call_site=kmem_cache_free+0x0/0x100 ptr=%016llx name=tr",
		 (unsigned long long)o);
	assert_non_null(strstr(t, want));
	snprintf(want, sizeof(want), "kfree: call_site=kmm_api+0x0/0x100 ptr=%016llx",
		 (unsigned long long)va);
	assert_non_null(strstr(t, want));
	test_machine_done(m);
}

struct ctor_log {
	int calls;
	size_t size;
};

static void ctor_fill(void *arg, kmm_va_t object, void *mem, size_t size)
{
	struct ctor_log *log = arg;

	(void)object;
	log->calls++;
	log->size = size;
	memset(mem, 0xc7, size);
}

/*
 * A constructor runs on every object of a new slab, once; objects of a cache with a
 * constructor are not zeroed by init_on_alloc (the kernel leaves them as constructed), and
 * freed ones come back as they were left. The free pointer lives after the object.
 */
static void test_slub_alloc_constructor(void **state)
{
	struct kmm_machine *m = boot("256M", 1, NULL);
	struct ctor_log log = {0};
	struct kmm_slab_info in;
	kmm_cache_t c;
	kmm_va_t a, b;
	uint8_t buf[96];

	assert_int_equal(kmm_kmem_cache_create(m, "ct", 96, 0, 0, ctor_fill, &log, &c), KMM_OK);
	assert_int_equal(log.calls, 0); /* nothing until the first slab */
	a = alloc(m, c);
	assert_int_equal(kmm_kmem_cache_info(m, c, &in), KMM_OK);
	assert_int_equal(log.calls, (int)in.objects);
	assert_int_equal(log.size, 96);
	assert_int_equal(in.offset, 96);
	bytes(m, a, buf, 96);
	assert_int_equal(count_byte(buf, 96, 0xc7), 96);
	fill(m, a, 0x11, 96);
	kmm_kmem_cache_free(m, c, a);
	b = alloc(m, c);
	assert_int_equal(b, a);
	bytes(m, b, buf, 96);
	assert_int_equal(count_byte(buf, 96, 0x11), 96);
	assert_int_equal(log.calls, (int)in.objects);
	/*
	 * With init_on_alloc, not even __GFP_ZERO zeroes a constructed object
	 * (slab_want_init_on_alloc); asking for it when a new slab is made is the kernel's
	 * WARN_ON_ONCE(s->ctor && (flags & __GFP_ZERO)).
	 */
	kmm_kmem_cache_free(m, c, b);
	assert_int_equal(kmm_kmem_cache_alloc(m, c, KMM_GFP_KERNEL | KMM___GFP_ZERO, &b), KMM_OK);
	bytes(m, b, buf, 96);
	assert_int_equal(count_byte(buf, 96, 0x11), 96);
	assert_int_equal(kmm_report_count(m), 0);
	for (unsigned i = 1; i < in.objects; i++) /* the rest of the slab */
		alloc(m, c);
	assert_int_equal(kmm_kmem_cache_alloc(m, c, KMM_GFP_KERNEL | KMM___GFP_ZERO, &a), KMM_OK);
	assert_true(strstr(last_report(m), "mm/slub.c:2001 new_slab"));
	kmm_kmem_cache_free(m, c, b);
	test_machine_done(m);
}

/* The first 16 objects of a new slab, in the order the allocator hands them out. */
static void slab_order(const char *seed, kmm_va_t out[16])
{
	struct kmm_config cfg;
	struct kmm_machine *m;
	kmm_cache_t c;

	kmm_config_init(&cfg);
	kmm_config_option(&cfg, "-m", "256M");
	kmm_config_option(&cfg, "-smp", "2");
	kmm_config_option(&cfg, "-seed", seed);
	m = test_machine(&cfg);
	c = cache(m, "t256", 256, 0);
	for (int i = 0; i < 16; i++)
		out[i] = alloc(m, c) & 4095;
	test_machine_done(m);
}

/*
 * CONFIG_SLAB_FREELIST_RANDOM: a new slab's objects come in a shuffled order, drawn from the
 * machine's seeded PRNG: the same for the same seed, another for another seed; every slot
 * of the page once.
 */
static void test_slub_alloc_random_freelist(void **state)
{
	kmm_va_t a[16], b[16], c[16];
	int in_order = 0, same = 0;
	unsigned seen = 0;

	slab_order("1", a);
	slab_order("1", b);
	slab_order("2", c);
	assert_memory_equal(a, b, sizeof(a));
	for (int i = 0; i < 16; i++) {
		in_order += a[i] == (kmm_va_t)i * 256;
		same += a[i] == c[i];
		seen |= 1u << (a[i] / 256);
	}
	assert_true(in_order < 16);
	assert_true(same < 16);
	assert_int_equal(seen, 0xffff);
}

/* Two machines in one process: their caches, objects and counters are their own. */
static void test_slub_alloc_two_machines(void **state)
{
	struct kmm_machine *m1 = boot("256M", 1, NULL), *m2 = boot("256M", 1, NULL);
	kmm_cache_t c1 = cache(m1, "shared_name", 64, 0), c2 = cache(m2, "shared_name", 64, 0);
	kmm_va_t a = alloc(m1, c1), b = alloc(m2, c2);
	struct kmm_slab_info i1, i2;

	assert_int_equal(kmm_kmem_cache_free(m2, c2, b), KMM_OK);
	assert_int_equal(kmm_kmem_cache_info(m1, c1, &i1), KMM_OK);
	assert_int_equal(kmm_kmem_cache_info(m2, c2, &i2), KMM_OK);
	assert_int_equal(i1.slabs, 1);
	assert_int_equal(i2.slabs, 1);
	assert_int_equal(kmm_report_count(m1), 0);
	assert_int_equal(kmm_report_count(m2), 0);
	kmm_kmem_cache_free(m1, c1, a);
	test_machine_done(m1);
	test_machine_done(m2);
}

/*
 * get_any_partial(): a CPU of node 1 with no partial slab of its own takes one of node 0's
 * when node 0 has more than min_partial (5) of them (remote_node_defrag_ratio 1000).
 */
static void test_slub_alloc_remote_partial(void **state)
{
	struct kmm_config cfg;
	struct kmm_machine *m;
	struct kmm_page_info pi;
	struct kmm_slab_info in;
	kmm_cache_t c;
	kmm_va_t o[128], x;

	kmm_config_init(&cfg);
	kmm_config_option(&cfg, "-m", "2G");
	kmm_config_option(&cfg, "-numa", "node,nodeid=0,mem=1G,cpus=0-1");
	kmm_config_option(&cfg, "-numa", "node,nodeid=1,mem=1G,cpus=2-3");
	m = test_machine(&cfg);
	c = cache(m, "r256", 256, 0); /* 4 CPUs: 16 objects per slab */
	kmm_cpu_set(m, 0);
	for (int i = 0; i < 128; i++)
		o[i] = alloc(m, c);
	for (int s = 0; s < 7; s++)
		kmm_kmem_cache_free(m, c, o[16 * s]);
	/* Flush: 7 slabs with 15 objects in use go to node 0's partial list. */
	kmm_kmem_cache_shrink(m, c);
	in = info(m, c);
	assert_int_equal(in.partial_slabs, 7);
	assert_int_equal(in.slabs, 8);
	kmm_cpu_set(m, 2);
	x = alloc(m, c);
	assert_int_equal(kmm_page_info(m, pfn_of(m, x), &pi), KMM_OK);
	assert_int_equal(pi.node, 0);
	in = info(m, c);
	assert_int_equal(in.slabs, 8); /* no new slab */
	assert_true(in.partial_slabs < 7);
	kmm_kmem_cache_free(m, c, x);
	for (int i = 0; i < 128; i++)
		if (i % 16 || i / 16 >= 7)
			kmm_kmem_cache_free(m, c, o[i]);
	test_machine_done(m);
}

/*
 * kmem_cache_alloc_bulk fails whole when memory runs out midway: with every page taken but
 * one, the first 16 objects come from a slab on that page, the 17th finds no page, and the
 * 16 are freed again.
 */
static void test_slub_alloc_bulk_out_of_memory(void **state)
{
	const kmm_gfp_t all = KMM_GFP_NOWAIT | KMM___GFP_MEMALLOC | KMM___GFP_NOWARN;
	struct kmm_machine *m = boot("256M", 1, NULL);
	kmm_cache_t c = cache(m, "oom256", 256, 0);
	static kmm_pfn_t pfns[1 << 17];
	static kmm_va_t o[64];
	size_t n = 0;

	while (n < sizeof(pfns) / sizeof(pfns[0]) && kmm_alloc_pages(m, all, 0, &pfns[n]) == KMM_OK)
		n++;
	assert_int_equal(kmm_free_pages(m, pfns[--n], 0), KMM_OK);
	assert_int_equal(kmm_kmem_cache_alloc_bulk(m, c, all, 64, o), KMM_ENOMEM);
	assert_int_equal(info(m, c).slabs, 1);
	assert_int_equal(kmm_kmem_cache_alloc_bulk(m, c, all, 16, o), KMM_OK);
	assert_int_equal(kmm_check(m), KMM_OK);
	assert_int_equal(kmm_kmem_cache_free_bulk(m, c, 16, o), KMM_OK);
	for (size_t i = 0; i < n; i++)
		kmm_free_pages(m, pfns[i], 0);
	assert_int_equal(kmm_kmem_cache_alloc_bulk(m, c, KMM_GFP_KERNEL, 64, o), KMM_OK);
	assert_int_equal(kmm_kmem_cache_free_bulk(m, c, 64, o), KMM_OK);
	test_machine_done(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_slub_alloc_slab_transitions),
		cmocka_unit_test(test_slub_alloc_cpu_partial_drain),
		cmocka_unit_test(test_slub_alloc_min_partial),
		cmocka_unit_test(test_slub_alloc_per_cpu_and_remote_free),
		cmocka_unit_test(test_slub_alloc_numa_node),
		cmocka_unit_test(test_slub_alloc_kmalloc_types),
		cmocka_unit_test(test_slub_alloc_init_on_alloc_and_free),
		cmocka_unit_test(test_slub_alloc_krealloc_and_large),
		cmocka_unit_test(test_slub_alloc_bulk),
		cmocka_unit_test(test_slub_alloc_bad_frees),
		cmocka_unit_test(test_slub_alloc_destroy_with_objects_left),
		cmocka_unit_test(test_slub_alloc_slabinfo_and_meminfo),
		cmocka_unit_test(test_slub_alloc_trace_events),
		cmocka_unit_test(test_slub_alloc_constructor),
		cmocka_unit_test(test_slub_alloc_random_freelist),
		cmocka_unit_test(test_slub_alloc_two_machines),
		cmocka_unit_test(test_slub_alloc_remote_partial),
		cmocka_unit_test(test_slub_alloc_bulk_out_of_memory),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
