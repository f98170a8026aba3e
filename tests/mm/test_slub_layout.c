/*
 * SLUB object layout and cache geometry for each flag combination, the kmalloc size classes
 * (with the reference ARCH_DMA_MINALIGN of 128 and with 8), and the boot parameters that
 * change them (slub_debug=, slub_min_order=, slub_max_order=, slub_min_objects=,
 * slab_nomerge). Every expected value is worked out by hand in the comments from the 6.1
 * rules (mm/slub.c:calculate_sizes, calculate_order; mm/slab_common.c:calculate_alignment,
 * size_index), with sizeof(void *) = 8, sizeof(struct track) = 32, a 64-byte cache line.
 *
 * Covers: src/mm/slub.c (calculate_sizes, calculate_order, kmem_cache_open_geometry,
 * setup_slub_debug, kmem_cache_flags), src/mm/slab_common.c (calculate_alignment,
 * find_mergeable, size_index, kmalloc_slab), src/kernel/params.c (the SLUB parameters).
 */
#include "kmm_test.h"

static struct kmm_machine *boot(int cpus, const char *append, unsigned minalign)
{
	struct kmm_config cfg;
	char smp[8];

	kmm_config_init(&cfg);
	snprintf(smp, sizeof(smp), "%d", cpus);
	kmm_config_option(&cfg, "-m", "256M");
	kmm_config_option(&cfg, "-smp", smp);
	if (minalign)
		cfg.kmalloc_minalign = minalign;
	if (append)
		kmm_config_append(&cfg, append);
	return test_machine(&cfg);
}

struct layout {
	unsigned size, offset, inuse, red_left_pad, align, order, objects;
};

static void ctor_nop(void *arg, kmm_va_t object, void *mem, size_t size)
{
	(void)arg, (void)object, (void)mem, (void)size;
}

static void check_layout(struct kmm_machine *m, const char *name, unsigned size, unsigned align,
			 uint32_t flags, bool ctor, struct layout want)
{
	struct kmm_slab_info in;
	kmm_cache_t c;

	if (kmm_kmem_cache_create(m, name, size, align, flags, ctor ? ctor_nop : NULL, NULL, &c))
		fail_msg("create %s: %s", name, kmm_last_error(m));
	assert_int_equal(kmm_kmem_cache_info(m, c, &in), KMM_OK);
	if (in.size != want.size || in.offset != want.offset || in.inuse != want.inuse ||
	    in.red_left_pad != want.red_left_pad || in.align != want.align ||
	    in.order != want.order || in.objects != want.objects)
		fail_msg("%s: size %u offset %u inuse %u red_left_pad %u align %u order %u objects "
			 "%u; expected %u %u %u %u %u %u %u",
			 name, in.size, in.offset, in.inuse, in.red_left_pad, in.align, in.order,
			 in.objects, want.size, want.offset, want.inuse, want.red_left_pad,
			 want.align, want.order, want.objects);
}

/* One CPU: min_objects = 4 * (fls(1) + 1) = 8; slab_nomerge keeps the caches apart. */
static void test_slub_layout_flag_combinations(void **state)
{
	struct kmm_machine *m = boot(1, "slab_nomerge", 0);

	/* 64 B, no flags: pointer in the middle (32); 8 x 64 <= 4096: order 0, 64 objects */
	check_layout(m, "plain64", 64, 0, 0, false, (struct layout){64, 32, 64, 0, 8, 0, 64});
	/* POISON: the pointer must not overwrite the object: offset 64, size 72; 4096/72 = 56 */
	check_layout(m, "poison64", 64, 0, KMM_SLAB_POISON, false,
		     (struct layout){72, 64, 64, 0, 8, 0, 56});
	/* RED_ZONE: no padding after 64, so a word of red zone (inuse 72); pointer at 32;
	 * + 8 padding + left red zone ALIGN(8, 8) = 8: 88; 4096/88 = 46 */
	check_layout(m, "rz64", 64, 0, KMM_SLAB_RED_ZONE, false,
		     (struct layout){88, 32, 72, 8, 8, 0, 46});
	/* STORE_USER: two tracks after the object: 64 + 64 = 128; 32 objects */
	check_layout(m, "user64", 64, 0, KMM_SLAB_STORE_USER, false,
		     (struct layout){128, 32, 64, 0, 8, 0, 32});
	/* Z+P+U: 72 (red zone word), pointer at 72 (80), tracks 144, padding 152, left red
	 * zone 8: 160; 4096 % 160 = 96 <= 256: order 0, 25 objects */
	check_layout(m, "zpu64", 64, 0, KMM_SLAB_RED_ZONE | KMM_SLAB_POISON | KMM_SLAB_STORE_USER,
		     false, (struct layout){160, 72, 72, 8, 8, 0, 25});
	/* A 4-byte red-zoned object: size 8 already has 4 bytes of red zone; the pointer
	 * goes after (8 -> 16), padding 24, left red zone 32 */
	check_layout(m, "rz4", 4, 0, KMM_SLAB_RED_ZONE, false,
		     (struct layout){32, 8, 8, 8, 8, 0, 128});
	/* TYPESAFE_BY_RCU: pointer outside: 64 + 8 */
	check_layout(m, "rcu64", 64, 0, KMM_SLAB_TYPESAFE_BY_RCU, false,
		     (struct layout){72, 64, 64, 0, 8, 0, 56});
	/* A constructor: 100 -> 104 (word), pointer at 104, size 112; 4096/112 = 36 */
	check_layout(m, "ctor100", 100, 0, 0, true, (struct layout){112, 104, 104, 0, 8, 0, 36});
	/* HWCACHE_ALIGN, 100 B: cache line 64 (100 > 32), size ALIGN(104, 64) = 128, pointer at
	 * ALIGN_DOWN(50, 8) = 48 */
	check_layout(m, "hw100", 100, 0, KMM_SLAB_HWCACHE_ALIGN, false,
		     (struct layout){128, 48, 104, 0, 64, 0, 32});
	/* HWCACHE_ALIGN, 20 B: 64 halves to 32 (20 <= 32) but not 16 (20 > 16): align 32 */
	check_layout(m, "hw20", 20, 0, KMM_SLAB_HWCACHE_ALIGN, false,
		     (struct layout){32, 8, 24, 0, 32, 0, 128});
	/* An explicit 256-byte alignment: 104 -> 256 */
	check_layout(m, "al256", 100, 256, 0, false, (struct layout){256, 48, 104, 0, 256, 0, 16});
	/* RED_ZONE with 64-byte alignment: 72, pointer at 32, 80, left red zone ALIGN(8, 64)
	 * = 64: 144 -> 192; 4096 % 192 = 64 <= 256: 21 objects */
	check_layout(m, "rzhw64", 64, 0, KMM_SLAB_RED_ZONE | KMM_SLAB_HWCACHE_ALIGN, false,
		     (struct layout){192, 32, 72, 64, 64, 0, 21});
	/* 700 B: 8 x 704 = 5632 -> order 1: 8192 % 704 = 448 <= 512: order 1, 11 objects */
	check_layout(m, "o700", 700, 0, 0, false, (struct layout){704, 344, 704, 0, 8, 1, 11});
	/* 3000 B: 4 objects at most at order 3 (32768/3000 = 10 >= 8): 8 x 3000 = 24000 ->
	 * order 3: 32768 % 3000 = 2768 > 2048; 1/8: 2768 <= 4096: order 3, 10 objects */
	check_layout(m, "o3000", 3000, 0, 0, false, (struct layout){3000, 1496, 3000, 0, 8, 3, 10});
	test_machine_done(m);
}

/* min_partial = clamp(ilog2(size) / 2, 5, 10); cpu_partial by size; slabs = ceil(2n/objs). */
static void test_slub_layout_partial_limits(void **state)
{
	struct kmm_machine *m = boot(1, "slab_nomerge", 0);
	static const struct {
		unsigned size;
		unsigned long min_partial;
		unsigned cpu_partial, cpu_partial_slabs;
	} cases[] = {
		{64, 5, 120, 4},     /* ilog2 6 -> 3 -> 5; 120 objs, 64/slab: ceil(240/64) = 4 */
		{256, 5, 52, 7},     /* 52; 16/slab: ceil(104/16) = 7 */
		{1024, 5, 24, 6},    /* order 1, 8/slab: ceil(48/8) = 6 */
		{4096, 6, 6, 2},     /* ilog2 12 -> 6; 6 objs; order 3, 8/slab: ceil(12/8) = 2 */
		{2097152, 10, 6, 12} /* ilog2 21 -> 10; order 9, 1/slab: 12 */
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct kmm_slab_info in;
		kmm_cache_t c;
		char name[32];

		snprintf(name, sizeof(name), "p%u", cases[i].size);
		assert_int_equal(
			kmm_kmem_cache_create(m, name, cases[i].size, 0, 0, NULL, NULL, &c),
			KMM_OK);
		assert_int_equal(kmm_kmem_cache_info(m, c, &in), KMM_OK);
		assert_int_equal(in.min_partial, cases[i].min_partial);
		assert_int_equal(in.cpu_partial, cases[i].cpu_partial);
		assert_int_equal(in.cpu_partial_slabs, cases[i].cpu_partial_slabs);
	}
	test_machine_done(m);
}

static size_t ksize_of(struct kmm_machine *m, size_t size)
{
	kmm_va_t va;
	size_t ks;

	assert_int_equal(kmm_kmalloc(m, size, KMM_GFP_KERNEL, &va), KMM_OK);
	assert_int_equal(kmm_ksize(m, va, &ks), KMM_OK);
	assert_int_equal(kmm_kfree(m, va), KMM_OK);
	return ks;
}

/* The reference arm64 classes: 128 .. 8k, 129..192 go to 256, bigger to the page allocator. */
static void test_slub_layout_kmalloc_classes_minalign_128(void **state)
{
	struct kmm_machine *m = boot(4, NULL, 0);
	static const size_t cases[][2] = {
		{1, 128},	  {8, 128},	{64, 128},    {96, 128},    {128, 128},
		{129, 256},	  {192, 256},	{256, 256},   {257, 512},   {1000, 1024},
		{1025, 2048},	  {4096, 4096}, {4097, 8192}, {8192, 8192}, /* kmalloc-8k */
		{8193, 16384},						    /* 3 pages: order 2 */
		{100000, 131072},					    /* 25 pages: order 5 */
	};
	struct kmm_slab_info in;
	kmm_va_t va;
	size_t ks;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		if (ksize_of(m, cases[i][0]) != cases[i][1])
			fail_msg("ksize(kmalloc(%zu)) is %zu, expected %zu", cases[i][0],
				 ksize_of(m, cases[i][0]), cases[i][1]);
	/* No kmalloc-8 .. kmalloc-96 or kmalloc-192 caches exist. */
	assert_int_equal(kmm_slab_info(m, "kmalloc-64", &in), KMM_ENOENT);
	assert_int_equal(kmm_slab_info(m, "kmalloc-192", &in), KMM_ENOENT);
	assert_int_equal(kmm_slab_info(m, "kmalloc-16k", &in), KMM_ENOENT);
	/* kmalloc(0) is ZERO_SIZE_PTR: 16, size 0, kfree ignores it. */
	assert_int_equal(kmm_kmalloc(m, 0, KMM_GFP_KERNEL, &va), KMM_OK);
	assert_int_equal(va, 16);
	assert_int_equal(kmm_ksize(m, va, &ks), KMM_OK);
	assert_int_equal(ks, 0);
	assert_int_equal(kmm_kfree(m, va), KMM_OK);
	assert_int_equal(kmm_report_count(m), 0);
	test_machine_done(m);
}

/* ARCH_KMALLOC_MINALIGN 8: kmalloc-8, 16, 32, 64, 96, 128, 192 ... (size_index as built). */
static void test_slub_layout_kmalloc_classes_minalign_8(void **state)
{
	struct kmm_machine *m = boot(4, NULL, 8);
	static const size_t cases[][2] = {
		{1, 8},	   {8, 8},     {9, 16},	   {16, 16},   {17, 32},   {24, 32},
		{32, 32},  {33, 64},   {64, 64},   {65, 96},   {72, 96},   {96, 96},
		{97, 128}, {128, 128}, {129, 192}, {192, 192}, {193, 256}, {2049, 4096},
	};
	static const char *const names[] = {"kmalloc-8",      "kmalloc-16",   "kmalloc-32",
					    "kmalloc-64",     "kmalloc-96",   "kmalloc-192",
					    "dma-kmalloc-96", "kmalloc-rcl-8"};
	struct kmm_slab_info in;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		if (ksize_of(m, cases[i][0]) != cases[i][1])
			fail_msg("minalign 8: ksize(kmalloc(%zu)) is %zu, expected %zu",
				 cases[i][0], ksize_of(m, cases[i][0]), cases[i][1]);
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (kmm_slab_info(m, names[i], &in) != KMM_OK)
			fail_msg("no %s with minalign 8", names[i]);
	/* kmalloc-96 is not a power of two: align 8; kmalloc-64 is naturally aligned */
	assert_int_equal(kmm_slab_info(m, "kmalloc-96", &in), KMM_OK);
	assert_int_equal(in.align, 8);
	assert_int_equal(in.size, 96);
	assert_int_equal(kmm_slab_info(m, "kmalloc-64", &in), KMM_OK);
	assert_int_equal(in.align, 64);
	test_machine_done(m);
}

/* ARCH_KMALLOC_MINALIGN 64: kmalloc-64 is the smallest; 65..96 go to kmalloc-128, 192 stays. */
static void test_slub_layout_kmalloc_classes_minalign_64(void **state)
{
	struct kmm_machine *m = boot(1, NULL, 64);
	struct kmm_slab_info in;

	assert_int_equal(ksize_of(m, 1), 64);
	assert_int_equal(ksize_of(m, 80), 128);
	assert_int_equal(ksize_of(m, 150), 192);
	assert_int_equal(kmm_slab_info(m, "kmalloc-96", &in), KMM_ENOENT);
	assert_int_equal(kmm_slab_info(m, "kmalloc-192", &in), KMM_OK);
	test_machine_done(m);
}

/*
 * The kmalloc class of every size from 1 to 8 KiB, for each minimum alignment: the smallest
 * of the classes the kernel creates that holds the size. Those are the powers of two from
 * KMALLOC_MIN_SIZE up, plus 96 when the alignment is at most 32 and 192 when it is at most 64
 * (include/linux/slab.h; mm/slab_common.c:setup_kmalloc_cache_index_table() points the sizes
 * of the missing classes at the next class).
 */
static size_t expected_class(size_t size, unsigned int minalign)
{
	size_t best = 0;

	for (size_t c = minalign; c <= 8192; c *= 2)
		if (c >= size) {
			best = c;
			break;
		}
	if (minalign <= 32 && size <= 96 && 96 < best)
		best = 96;
	if (minalign <= 64 && size <= 192 && 192 < best)
		best = 192;
	return best;
}

static void test_slub_layout_kmalloc_every_size(void **state)
{
	static const unsigned int minaligns[] = {128, 64, 32, 8};

	for (size_t a = 0; a < sizeof(minaligns) / sizeof(minaligns[0]); a++) {
		struct kmm_machine *m = boot(1, NULL, minaligns[a]);

		for (size_t size = 1; size <= 8192; size++)
			if (ksize_of(m, size) != expected_class(size, minaligns[a]))
				fail_msg("minalign %u: ksize(kmalloc(%zu)) is %zu, expected %zu",
					 minaligns[a], size, ksize_of(m, size),
					 expected_class(size, minaligns[a]));
		assert_int_equal(kmm_check(m), KMM_OK);
		test_machine_done(m);
	}
}

/* slub_min_order=, slub_max_order=, slub_min_objects= change calculate_order's inputs. */
static void test_slub_layout_order_parameters(void **state)
{
	struct kmm_machine *m;
	struct kmm_slab_info in;

	/* slub_min_order=2: kmalloc-128 slabs are 4 pages (128 objects) */
	m = boot(1, "slub_min_order=2", 0);
	assert_int_equal(kmm_slab_info(m, "kmalloc-128", &in), KMM_OK);
	assert_int_equal(in.order, 2);
	assert_int_equal(in.objects, 128);
	test_machine_done(m);
	/* slub_max_order=0: kmalloc-8k cannot fit in one page: the single-object fallback at
	 * MAX_ORDER gives order 1 (one object) */
	m = boot(1, "slub_max_order=0", 0);
	assert_int_equal(kmm_slab_info(m, "kmalloc-8k", &in), KMM_OK);
	assert_int_equal(in.order, 1);
	assert_int_equal(in.objects, 1);
	assert_int_equal(kmm_slab_info(m, "kmalloc-1k", &in), KMM_OK);
	assert_int_equal(in.order, 0);
	test_machine_done(m);
	/* slub_min_objects=32 on one CPU: kmalloc-1k needs 32 KiB: order 3 */
	m = boot(1, "slub_min_objects=32", 0);
	assert_int_equal(kmm_slab_info(m, "kmalloc-1k", &in), KMM_OK);
	assert_int_equal(in.order, 3);
	test_machine_done(m);
	/* 2 CPUs: min_objects = 4 * (fls(2) + 1) = 12: kmalloc-512 needs 6 KiB: order 1 */
	m = boot(2, NULL, 0);
	assert_int_equal(kmm_slab_info(m, "kmalloc-512", &in), KMM_OK);
	assert_int_equal(in.order, 1);
	test_machine_done(m);
}

/* slub_debug= blocks, the per-cache lists and O. */
static void test_slub_layout_slub_debug_parameter(void **state)
{
	struct kmm_machine *m;
	struct kmm_slab_info in;
	const uint32_t dbg = KMM_SLAB_CONSISTENCY_CHECKS | KMM_SLAB_RED_ZONE | KMM_SLAB_POISON |
			     KMM_SLAB_STORE_USER;

	/* Bare slub_debug: F, Z, P, U everywhere. kmalloc-128 (align 128): red zone 136,
	 * pointer at 136 (144), tracks 208, request size 212, padding 220, left red zone 128:
	 * 348 -> 384. Four CPUs: min_objects 16 -> 6144 B -> order 1: 8192 % 384 = 128 <=
	 * 512: 21 objects. No CPU partials for debug caches. */
	m = boot(4, "slub_debug", 0);
	assert_int_equal(kmm_slab_info(m, "kmalloc-128", &in), KMM_OK);
	assert_int_equal(in.flags & dbg, dbg);
	assert_int_equal(in.size, 384);
	assert_int_equal(in.red_left_pad, 128);
	assert_int_equal(in.offset, 136);
	assert_int_equal(in.order, 1);
	assert_int_equal(in.objects, 21);
	assert_int_equal(in.cpu_partial, 0);
	assert_true(strstr(test_view(m, "/proc/slabinfo"), "\nkmalloc-128 ") != NULL);
	test_machine_done(m);

	/* A list: P for kmalloc-256 only */
	m = boot(1, "slub_debug=P,kmalloc-256", 0);
	assert_int_equal(kmm_slab_info(m, "kmalloc-256", &in), KMM_OK);
	assert_int_equal(in.flags & dbg, KMM_SLAB_POISON);
	assert_int_equal(kmm_slab_info(m, "kmalloc-512", &in), KMM_OK);
	assert_int_equal(in.flags & dbg, 0);
	test_machine_done(m);

	/* Global FZ, and U alone for kmalloc-1k and the dma caches (a glob) */
	m = boot(1, "slub_debug=FZ;U,kmalloc-1k,dma-*", 0);
	assert_int_equal(kmm_slab_info(m, "kmalloc-1k", &in), KMM_OK);
	assert_int_equal(in.flags & dbg, KMM_SLAB_STORE_USER);
	assert_int_equal(kmm_slab_info(m, "dma-kmalloc-2k", &in), KMM_OK);
	assert_int_equal(in.flags & dbg, KMM_SLAB_STORE_USER);
	assert_int_equal(kmm_slab_info(m, "kmalloc-2k", &in), KMM_OK);
	assert_int_equal(in.flags & dbg, KMM_SLAB_CONSISTENCY_CHECKS | KMM_SLAB_RED_ZONE);
	test_machine_done(m);

	/* O: caches whose metadata would raise the minimum order keep only F. With FZPU,
	 * kmalloc-2k is 2048 + 8 (red zone) + 8 (pointer) + 68 (tracks, size) + 8 + 2048 (left
	 * red zone) = 4188 -> 6144: order 1 > 0, dropped; kmalloc-1k is 2140 -> 3072: order 0,
	 * kept. */
	m = boot(1, "slub_debug=FZPUO", 0);
	assert_int_equal(kmm_slab_info(m, "kmalloc-4k", &in), KMM_OK);
	assert_int_equal(in.flags & dbg, KMM_SLAB_CONSISTENCY_CHECKS);
	assert_int_equal(in.size, 4096);
	assert_int_equal(kmm_slab_info(m, "kmalloc-2k", &in), KMM_OK);
	assert_int_equal(in.flags & dbg, KMM_SLAB_CONSISTENCY_CHECKS);
	assert_int_equal(in.size, 2048);
	assert_int_equal(kmm_slab_info(m, "kmalloc-1k", &in), KMM_OK);
	assert_int_equal(in.flags & dbg, dbg);
	assert_int_equal(in.size, 3072);
	test_machine_done(m);

	/* "-" switches everything off again */
	m = boot(1, "slub_debug=-", 0);
	assert_int_equal(kmm_slab_info(m, "kmalloc-128", &in), KMM_OK);
	assert_int_equal(in.flags & dbg, 0);
	test_machine_done(m);
}

static void test_slub_layout_bad_parameters(void **state)
{
	static const char *const bad[] = {"slub_debug=FQ", "slub_min_order=11",
					  "slub_min_objects=-1", "slub_max_order=x"};
	struct kmm_config cfg;
	struct kmm_machine *m = NULL;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		kmm_config_init(&cfg);
		kmm_config_option(&cfg, "-m", "256M");
		kmm_config_append(&cfg, bad[i]);
		assert_int_equal(kmm_machine_create(&cfg, &m), KMM_EINVAL);
		assert_null(m);
	}
	assert_true(strstr(kmm_last_error(NULL), "slub_max_order") != NULL);
	kmm_config_init(&cfg);
	cfg.kmalloc_minalign = 48;
	{
		enum kmm_status st = kmm_machine_create(&cfg, &m);

		assert_einval_mentions(st, kmm_last_error(NULL), "kmalloc_minalign");
	}
	assert_int_equal(kmm_config_option(&cfg, "-kmalloc-minalign", "512"), KMM_EINVAL);
}

/* Merging: compatible caches alias; ctor, poison, reclaim or size differences keep apart. */
static void test_slub_layout_merging(void **state)
{
	struct kmm_machine *m = boot(1, NULL, 0);
	kmm_cache_t a, b, c, d, e, f;
	struct kmm_slab_info in;

	assert_int_equal(kmm_kmem_cache_create(m, "ma", 100, 0, 0, NULL, NULL, &a), KMM_OK);
	/* 104 B: fits in ma's 104-byte objects with nothing to spare: an alias of ma */
	assert_int_equal(kmm_kmem_cache_create(m, "mb", 104, 0, 0, NULL, NULL, &b), KMM_OK);
	assert_int_equal(kmm_slab_info(m, "mb", &in), KMM_ENOENT);
	assert_int_equal(kmm_kmem_cache_info(m, b, &in), KMM_OK);
	assert_string_equal(in.name, "ma");
	assert_int_equal(in.refcount, 2);
	/* 96 B: a word (8) would be wasted: a cache of its own */
	assert_int_equal(kmm_kmem_cache_create(m, "mc", 96, 0, 0, NULL, NULL, &c), KMM_OK);
	assert_int_equal(kmm_kmem_cache_info(m, c, &in), KMM_OK);
	assert_string_equal(in.name, "mc");
	/* Reclaimable, poisoned, or with a constructor: never merged with ma */
	assert_int_equal(
		kmm_kmem_cache_create(m, "md", 100, 0, KMM_SLAB_RECLAIM_ACCOUNT, NULL, NULL, &d),
		KMM_OK);
	assert_int_equal(kmm_kmem_cache_info(m, d, &in), KMM_OK);
	assert_string_equal(in.name, "md");
	assert_int_equal(kmm_kmem_cache_create(m, "me", 100, 0, KMM_SLAB_POISON, NULL, NULL, &e),
			 KMM_OK);
	assert_int_equal(kmm_kmem_cache_info(m, e, &in), KMM_OK);
	assert_string_equal(in.name, "me");
	assert_int_equal(kmm_kmem_cache_create(m, "mf", 100, 0, 0, ctor_nop, NULL, &f), KMM_OK);
	assert_int_equal(kmm_kmem_cache_info(m, f, &in), KMM_OK);
	assert_string_equal(in.name, "mf");
	/* kmalloc caches have a usercopy region: nothing merges into them */
	assert_int_equal(kmm_kmem_cache_create(m, "m128", 128, 0, 0, NULL, NULL, &f), KMM_OK);
	assert_int_equal(kmm_kmem_cache_info(m, f, &in), KMM_OK);
	assert_string_equal(in.name, "m128");
	/* Destroying ma's first handle keeps the cache for mb */
	assert_int_equal(kmm_kmem_cache_destroy(m, a), KMM_OK);
	assert_int_equal(kmm_slab_info(m, "ma", &in), KMM_OK);
	assert_int_equal(in.refcount, 1);
	assert_int_equal(kmm_kmem_cache_destroy(m, b), KMM_OK);
	assert_int_equal(kmm_slab_info(m, "ma", &in), KMM_ENOENT);
	/* A stale handle is refused */
	assert_int_equal(kmm_kmem_cache_destroy(m, a), KMM_EINVAL);
	test_machine_done(m);

	/* slab_nomerge: mb is its own cache */
	m = boot(1, "slab_nomerge", 0);
	assert_int_equal(kmm_kmem_cache_create(m, "ma", 100, 0, 0, NULL, NULL, &a), KMM_OK);
	assert_int_equal(kmm_kmem_cache_create(m, "mb", 104, 0, 0, NULL, NULL, &b), KMM_OK);
	assert_int_equal(kmm_slab_info(m, "mb", &in), KMM_OK);
	test_machine_done(m);
}

/* Arguments the API refuses before the kernel sees them. */
static void test_slub_layout_create_arguments(void **state)
{
	struct kmm_machine *m = boot(1, NULL, 0);
	kmm_cache_t c;

	assert_int_equal(kmm_kmem_cache_create(m, "x", 0, 0, 0, NULL, NULL, &c), KMM_EINVAL);
	assert_int_equal(kmm_kmem_cache_create(m, "x", 5u << 20, 0, 0, NULL, NULL, &c), KMM_EINVAL);
	assert_int_equal(kmm_kmem_cache_create(m, "x", 64, 24, 0, NULL, NULL, &c), KMM_EINVAL);
	assert_int_equal(kmm_kmem_cache_create(m, "a b", 64, 0, 0, NULL, NULL, &c), KMM_EINVAL);
	assert_int_equal(kmm_kmem_cache_create(m, "", 64, 0, 0, NULL, NULL, &c), KMM_EINVAL);
	assert_int_equal(kmm_kmem_cache_create(m, "x", 64, 0, 0x1000u, NULL, NULL, &c),
			 KMM_EINVAL); /* SLAB_KMALLOC is internal */
	assert_int_equal(kmm_kmem_cache_create(m, "x", 64, 0, 0, NULL, NULL, NULL), KMM_EINVAL);
	assert_int_equal(kmm_kmem_cache_alloc(m, 12345, KMM_GFP_KERNEL, &c), KMM_EINVAL);
	assert_int_equal(kmm_report_count(m), 0);
	test_machine_done(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_slub_layout_flag_combinations),
		cmocka_unit_test(test_slub_layout_partial_limits),
		cmocka_unit_test(test_slub_layout_kmalloc_classes_minalign_128),
		cmocka_unit_test(test_slub_layout_kmalloc_classes_minalign_8),
		cmocka_unit_test(test_slub_layout_kmalloc_classes_minalign_64),
		cmocka_unit_test(test_slub_layout_order_parameters),
		cmocka_unit_test(test_slub_layout_slub_debug_parameter),
		cmocka_unit_test(test_slub_layout_kmalloc_every_size),
		cmocka_unit_test(test_slub_layout_bad_parameters),
		cmocka_unit_test(test_slub_layout_merging),
		cmocka_unit_test(test_slub_layout_create_arguments),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
