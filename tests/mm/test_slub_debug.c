/*
 * slub_debug and freelist hardening: the corruption reports in the kernel's wording, and the
 * machine carrying on after each, as the kernel does. The cases are those the kernel's SLUB
 * KUnit tests (lib/slub_kunit.c) exercise — a clobbered red zone, an overwritten free
 * pointer, a written-after-free object, a clobbered 50th byte, a red zone written after
 * free — and the others slub_debug reports: double free, slab padding, tracking, tracing;
 * plus hardening without slub_debug.
 *
 * Layouts (one CPU; by hand from calculate_sizes, see test_slub_layout.c):
 *   F|Z, 64 B:   left red zone [-8, 0), object [0, 64), right red zone [64, 72), free
 *                pointer at 32 (inside the object), size 88.
 *   F|Z|P, 64 B: red zone [64, 72), free pointer at 72, size 96.
 *   F|P, 64 B:   free pointer at 64, size 72: 56 objects, 4096 - 56 x 72 = 64 bytes of
 *                padding at the end of each slab.
 *   no flags:    free pointer at 32.
 *
 * Covers: src/mm/slub.c (check_object, check_bytes_and_report, on_freelist,
 * free_consistency_checks, alloc_debug_processing, slab_pad_check, freelist_corrupted,
 * tracking, trace, get_freepointer_checked).
 */
#include "kmm_test.h"

#define F KMM_SLAB_CONSISTENCY_CHECKS
#define Z KMM_SLAB_RED_ZONE
#define P KMM_SLAB_POISON
#define U KMM_SLAB_STORE_USER

static struct kmm_machine *boot(const char *append)
{
	struct kmm_config cfg;

	kmm_config_init(&cfg);
	kmm_config_option(&cfg, "-m", "256M");
	kmm_config_option(&cfg, "-smp", "1");
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

static void poke(struct kmm_machine *m, kmm_va_t va, const void *buf, size_t len)
{
	kmm_pa_t pa;

	assert_int_equal(kmm_virt_to_phys(m, va, &pa), KMM_OK);
	assert_int_equal(kmm_phys_write(m, pa, buf, len), KMM_OK);
}

static void poke8(struct kmm_machine *m, kmm_va_t va, uint8_t v)
{
	poke(m, va, &v, 1);
}

static uint64_t peek64(struct kmm_machine *m, kmm_va_t va)
{
	kmm_pa_t pa;
	uint64_t v;

	assert_int_equal(kmm_virt_to_phys(m, va, &pa), KMM_OK);
	assert_int_equal(kmm_phys_read(m, pa, &v, 8), KMM_OK);
	return v;
}

/* The first report after @since whose text contains @needle, or NULL. */
static const char *find_report(struct kmm_machine *m, uint64_t since, const char *needle)
{
	static struct kmm_report r;

	for (uint64_t s = since + 1; s <= kmm_report_count(m); s++)
		if (kmm_report_get(m, s, &r) == KMM_OK && strstr(r.text, needle))
			return r.text;
	return NULL;
}

static void expect(struct kmm_machine *m, uint64_t since, const char *needle)
{
	if (!find_report(m, since, needle))
		fail_msg("no report contains \"%s\"", needle);
}

/* test_clobber_zone: a byte after the object; found at free, restored, the free refused. */
static void test_slub_debug_right_redzone(void **state)
{
	struct kmm_machine *m = boot(NULL);
	kmm_cache_t c = cache(m, "TestSlub_RZ_alloc", 64, F | Z);
	kmm_va_t p = alloc(m, c);
	uint64_t n = kmm_report_count(m);
	char want[128];

	poke8(m, p + 64, 0x12);
	assert_int_equal(kmm_kmem_cache_free(m, c, p), KMM_OK);
	expect(m, n,
	       "=============================================================================\n"
	       "BUG TestSlub_RZ_alloc (Not tainted): Right Redzone overwritten\n"
	       "-----------------------------------------------------------------------------");
	snprintf(want, sizeof(want), "0x%016llx-0x%016llx @offset=", (unsigned long long)p + 64,
		 (unsigned long long)p + 64);
	expect(m, n, want);
	expect(m, n, ". First byte 0x12 instead of 0xcc");
	expect(m, n, "Redzone  ");
	expect(m, n, "Object   ");
	snprintf(want, sizeof(want),
		 "FIX TestSlub_RZ_alloc: Restoring Right Redzone 0x%016llx-0x%016llx=0xcc",
		 (unsigned long long)p + 64, (unsigned long long)p + 64);
	expect(m, n, want);
	snprintf(want, sizeof(want), "FIX TestSlub_RZ_alloc: Object at 0x%016llx not freed",
		 (unsigned long long)p);
	expect(m, n, want);
	/* Restored: now the free goes through without a word. */
	n = kmm_report_count(m);
	assert_int_equal(kmm_kmem_cache_free(m, c, p), KMM_OK);
	assert_int_equal(kmm_report_count(m), n);
	assert_false(kmm_machine_dead(m));
	test_machine_done(m);
}

static void test_slub_debug_left_redzone(void **state)
{
	struct kmm_machine *m = boot(NULL);
	kmm_cache_t c = cache(m, "lrz", 64, F | Z);
	kmm_va_t p = alloc(m, c);
	uint64_t n = kmm_report_count(m);

	poke8(m, p - 1, 0x77);
	kmm_kmem_cache_free(m, c, p);
	expect(m, n, "BUG lrz (Not tainted): Left Redzone overwritten");
	expect(m, n, "First byte 0x77 instead of 0xcc");
	test_machine_done(m);
}

/* test_clobber_redzone_free: the red zone of a free object is 0xbb; found at the next alloc. */
static void test_slub_debug_redzone_after_free(void **state)
{
	struct kmm_machine *m = boot(NULL);
	kmm_cache_t c = cache(m, "TestSlub_RZ_free", 64, F | Z);
	kmm_va_t p = alloc(m, c), q;
	uint64_t n;

	kmm_kmem_cache_free(m, c, p);
	n = kmm_report_count(m);
	poke8(m, p + 64, 0xab);
	q = alloc(m, c); /* p is the slab's first free object: checked, refused */
	assert_int_not_equal(q, p);
	expect(m, n, "BUG TestSlub_RZ_free (Not tainted): Right Redzone overwritten");
	expect(m, n, "First byte 0xab instead of 0xbb");
	expect(m, n, "FIX TestSlub_RZ_free: Marking all objects used");
	kmm_kmem_cache_free(m, c, q);
	test_machine_done(m); /* the disabled slab is allowed its lost objects */
}

/* test_first_word / test_clobber_50th_byte: writes to a free poisoned object. */
static void test_slub_debug_poison(void **state)
{
	struct kmm_machine *m = boot(NULL);
	kmm_cache_t c = cache(m, "TestSlub_1th_word_free", 64, F | Z | P);
	kmm_cache_t c50 = cache(m, "TestSlub_50th_word_free", 64, F | Z | P);
	kmm_va_t p = alloc(m, c), q;
	uint64_t n;
	char want[160];

	kmm_kmem_cache_free(m, c, p);
	n = kmm_report_count(m);
	poke8(m, p, 0x78);
	q = alloc(m, c);
	assert_int_not_equal(q, p);
	expect(m, n, "Poison overwritten");
	snprintf(want, sizeof(want), "0x%016llx-0x%016llx @offset=", (unsigned long long)p,
		 (unsigned long long)p);
	expect(m, n, want);
	expect(m, n, "First byte 0x78 instead of 0x6b");
	p = alloc(m, c50);
	kmm_kmem_cache_free(m, c50, p);
	n = kmm_report_count(m);
	poke8(m, p + 50, 0x9a);
	alloc(m, c50);
	expect(m, n, "BUG TestSlub_50th_word_free (Tainted: G    B");
	expect(m, n, "Poison overwritten");
	expect(m, n, "First byte 0x9a instead of 0x6b");
	test_machine_done(m);
}

/* test_next_pointer: a free object's free pointer overwritten. */
static void test_slub_debug_free_pointer(void **state)
{
	struct kmm_machine *m = boot(NULL);
	kmm_cache_t c = cache(m, "TestSlub_next_ptr_free", 64, F | Z | P);
	kmm_va_t p = alloc(m, c), q;
	uint64_t n, junk = 0x0123456789abcdefull;

	alloc(m, c);
	kmm_kmem_cache_free(m, c, p);
	n = kmm_report_count(m);
	poke(m, p + 72, &junk, 8); /* the free pointer sits after the red zone */
	q = alloc(m, c);
	assert_int_not_equal(q, p);
	expect(m, n, "BUG TestSlub_next_ptr_free (Not tainted): Freepointer corrupt");
	expect(m, n, "FIX TestSlub_next_ptr_free: Marking all objects used");
	test_machine_done(m);
}

/*
 * A double free. With the slab's only object freed twice, free_debug_processing's first
 * check fires: the slab has no object in use. With another object in use, on_freelist()
 * finds it on the freelist.
 */
static void test_slub_debug_double_free(void **state)
{
	struct kmm_machine *m = boot(NULL);
	kmm_cache_t c = cache(m, "df", 64, F | Z | U);
	kmm_va_t p = alloc(m, c), q;
	uint64_t n;
	char want[96];

	kmm_kmem_cache_free(m, c, p);
	n = kmm_report_count(m);
	kmm_kmem_cache_free(m, c, p);
	expect(m, n, "BUG df (Not tainted): Slab has 0 allocated objects but 1 are to be freed\n");
	p = alloc(m, c);
	q = alloc(m, c);
	kmm_kmem_cache_free(m, c, p);
	n = kmm_report_count(m);
	kmm_kmem_cache_free(m, c, p);
	expect(m, n, "BUG df (Tainted: G    B             ): Object already free");
	/* SLAB_STORE_USER: where it was allocated and freed */
	expect(m, n, "Allocated in kmem_cache_alloc_node+0x0/0x100 age=0 cpu=0 pid=0");
	expect(m, n, "Freed in kmem_cache_free+0x0/0x100 age=0 cpu=0 pid=0");
	snprintf(want, sizeof(want), "FIX df: Object at 0x%016llx not freed",
		 (unsigned long long)p);
	expect(m, n, want);
	kmm_kmem_cache_free(m, c, q);
	test_machine_done(m);
}

/* slab_pad_check: the unused tail of a poisoned slab. */
static void test_slub_debug_slab_padding(void **state)
{
	struct kmm_machine *m = boot(NULL);
	kmm_cache_t c = cache(m, "pad", 64, F | P);
	kmm_va_t p = alloc(m, c), base = p & ~4095ull;
	uint64_t n = kmm_report_count(m);
	char want[96];

	poke8(m, base + 4040, 0x00);
	kmm_kmem_cache_free(m, c, p);
	snprintf(want, sizeof(want), "BUG pad (Not tainted): Padding overwritten. 0x%016llx-",
		 (unsigned long long)base + 4040);
	expect(m, n, want);
	expect(m, n, " @offset=4040");
	expect(m, n, "FIX pad: Restoring slab padding");
	test_machine_done(m);
}

static void test_slub_debug_trace(void **state)
{
	struct kmm_machine *m = boot(NULL);
	kmm_cache_t c = cache(m, "tt", 64, KMM_SLAB_TRACE);
	uint64_t n = kmm_report_count(m);
	kmm_va_t p = alloc(m, c);
	char want[64];

	snprintf(want, sizeof(want), "TRACE tt alloc 0x%016llx inuse=1", (unsigned long long)p);
	expect(m, n, want);
	kmm_kmem_cache_free(m, c, p);
	snprintf(want, sizeof(want), "TRACE tt free 0x%016llx", (unsigned long long)p);
	expect(m, n, want);
	test_machine_done(m);
}

/* slub_debug on the command line reaches the kmalloc caches. */
static void test_slub_debug_kmalloc_redzone(void **state)
{
	struct kmm_machine *m = boot("slub_debug=FZ,kmalloc-256");
	kmm_va_t p;
	uint64_t n;

	assert_int_equal(kmm_kmalloc(m, 200, KMM_GFP_KERNEL, &p), KMM_OK);
	poke8(m, p + 256, 0x00);
	n = kmm_report_count(m);
	kmm_kfree(m, p);
	expect(m, n, "BUG kmalloc-256 (Not tainted): Right Redzone overwritten");
	test_machine_done(m);
}

/*
 * Without slub_debug: the free pointer of a free object is stored as ptr ^ random ^
 * swab(address), and a corrupted one is caught when the allocator reads it.
 */
static void test_slub_debug_hardening(void **state)
{
	struct kmm_machine *m = boot(NULL);
	kmm_cache_t c = cache(m, "h", 64, 0);
	kmm_va_t a = alloc(m, c), b = alloc(m, c), x, y;
	uint64_t junk = 0x4141414141414141ull, n;
	struct kmm_slab_info in;

	assert_int_equal(kmm_kmem_cache_info(m, c, &in), KMM_OK);
	assert_int_equal(in.offset, 32);
	kmm_kmem_cache_free(m, c, a);
	kmm_kmem_cache_free(m, c, b); /* CPU freelist: b -> a -> ... */
	/* b's free pointer leads to a, but is not stored as a */
	assert_int_not_equal(peek64(m, b + 32), a);
	assert_int_not_equal(peek64(m, b + 32), 0);
	poke(m, b + 32, &junk, 8);
	n = kmm_report_count(m);
	x = alloc(m, c); /* b itself is fine; reading its free pointer is not */
	assert_int_equal(x, b);
	expect(m, n, "BUG h (Not tainted): Freechain corrupt");
	expect(m, n, "FIX h: Isolate corrupted freechain");
	y = alloc(m, c); /* the rest of that freelist is lost: a new slab */
	assert_int_not_equal(y & ~4095ull, b & ~4095ull);
	assert_false(kmm_machine_dead(m));
	kmm_kmem_cache_free(m, c, x);
	kmm_kmem_cache_free(m, c, y);
	test_machine_done(m);
}

/*
 * A free pointer that decodes inside the slab but not to an object boundary is corrupt too.
 * The encoding is ptr ^ random ^ swab(address of the pointer), so with b's stored word w
 * (which encodes a), w ^ a ^ p encodes p. In a 96-byte cache, a + 32 is 32-byte aligned but
 * not a multiple of 96 from the slab's start; a + 192 is an object (two further on).
 */
static void test_slub_debug_hardening_misaligned(void **state)
{
	struct kmm_machine *m = boot(NULL);
	kmm_cache_t c = cache(m, "h96", 96, 0);
	kmm_va_t a = alloc(m, c), b = alloc(m, c), x, y;
	struct kmm_slab_info in;
	uint64_t w, forged, n;

	assert_int_equal(kmm_kmem_cache_info(m, c, &in), KMM_OK);
	assert_int_equal(in.size, 96);
	kmm_kmem_cache_free(m, c, a);
	kmm_kmem_cache_free(m, c, b); /* CPU freelist: b -> a */
	w = peek64(m, b + in.offset);
	forged = w ^ a ^ (a + 32);
	poke(m, b + in.offset, &forged, 8);
	n = kmm_report_count(m);
	x = alloc(m, c);
	assert_int_equal(x, b);
	expect(m, n, "BUG h96 (Not tainted): Freechain corrupt");
	y = alloc(m, c); /* never a + 32 */
	assert_int_not_equal(y, a + 32);
	assert_int_equal(kmm_check(m), KMM_OK);
	kmm_kmem_cache_free(m, c, x);
	kmm_kmem_cache_free(m, c, y);
	assert_false(kmm_machine_dead(m));
	test_machine_done(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_slub_debug_right_redzone),
		cmocka_unit_test(test_slub_debug_left_redzone),
		cmocka_unit_test(test_slub_debug_redzone_after_free),
		cmocka_unit_test(test_slub_debug_poison),
		cmocka_unit_test(test_slub_debug_free_pointer),
		cmocka_unit_test(test_slub_debug_double_free),
		cmocka_unit_test(test_slub_debug_slab_padding),
		cmocka_unit_test(test_slub_debug_trace),
		cmocka_unit_test(test_slub_debug_kmalloc_redzone),
		cmocka_unit_test(test_slub_debug_hardening),
		cmocka_unit_test(test_slub_debug_hardening_misaligned),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
