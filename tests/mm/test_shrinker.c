/*
 * Shrinkers (src/mm/shrinker.c): shrink_slab's share of the work, its batches, the work
 * deferred from one call to the next, drop_slab's passes, vfs_pressure_ratio. A test cache
 * of N identical objects stands in for a real one: count_objects reports what it holds,
 * scan_objects frees up to nr_to_scan of them.
 *
 * Every expected value is 6.1's do_shrink_slab() worked by hand:
 *     delta      = (freeable >> priority) * 4 / seeks       (freeable / 2 when seeks = 0)
 *     total_scan = min((nr_deferred >> priority) + delta, 2 * freeable)
 *     batches of 128 while total_scan >= 128 or total_scan >= freeable
 *     nr_deferred' = min(max(nr_deferred + delta - scanned, 0), 2 * freeable)
 */
#include "buddy_test.h"

#include "mm/shrinker.h"

struct test_cache {
	struct shrinker shrinker;
	unsigned long objects;
	unsigned long scan_calls;
	unsigned long last_nr_to_scan;
	bool stop; /* scan_objects answers SHRINK_STOP */
};

static unsigned long tc_count(struct shrinker *s, struct shrink_control *sc)
{
	struct test_cache *tc = container_of(s, struct test_cache, shrinker);

	(void)sc;
	return tc->objects;
}

static unsigned long tc_scan(struct shrinker *s, struct shrink_control *sc)
{
	struct test_cache *tc = container_of(s, struct test_cache, shrinker);
	unsigned long n = sc->nr_to_scan < tc->objects ? sc->nr_to_scan : tc->objects;

	tc->scan_calls++;
	tc->last_nr_to_scan = sc->nr_to_scan;
	if (tc->stop)
		return SHRINK_STOP;
	tc->objects -= n;
	return n;
}

static void tc_register(struct kmm_kernel *k, struct test_cache *tc, unsigned long objects,
			int seeks)
{
	memset(tc, 0, sizeof(*tc));
	tc->objects = objects;
	tc->shrinker.count_objects = tc_count;
	tc->shrinker.scan_objects = tc_scan;
	tc->shrinker.seeks = seeks;
	assert_int_equal(register_shrinker(k, &tc->shrinker, "test-%d", seeks), 0);
}

static struct kmm_machine *machine(void)
{
	return buddy_machine("1G", "1", NULL);
}

/* Too little work at DEF_PRIORITY: nothing scanned, 48 objects' work carried each call. */
static void test_shrinker_small_work_is_deferred(void **state)
{
	struct kmm_machine *m = machine();
	struct kmm_kernel *k = K(m);
	struct test_cache tc;
	unsigned long scanned0 = k->vm_events[SLABS_SCANNED];

	(void)state;
	tc_register(k, &tc, 100000, DEFAULT_SEEKS);
	/* delta = (100000 >> 12) * 4 / 2 = 24 * 2 = 48; 48 < 128 and < freeable: no batch */
	for (int i = 1; i <= 3; i++) {
		assert_int_equal(shrink_slab(k, GFP_KERNEL, 0, 12), 0);
		assert_int_equal(tc.shrinker.nr_deferred[0], 48 * i);
		assert_check(m);
	}
	assert_int_equal(tc.scan_calls, 0);
	/*
	 * Priority 2: delta = (100000 >> 2) * 4 / 2 = 50000; total = (144 >> 2) + 50000 = 50036;
	 * 390 batches of 128 = 49920, the 116 left are < 128 and < freeable.
	 * Deferred: 144 + 50000 - 49920 = 224.
	 */
	assert_int_equal(shrink_slab(k, GFP_KERNEL, 0, 2), 49920);
	assert_int_equal(tc.scan_calls, 390);
	assert_int_equal(tc.objects, 100000 - 49920);
	assert_int_equal(k->vm_events[SLABS_SCANNED] - scanned0, 49920);
	assert_int_equal(tc.shrinker.nr_deferred[0], 224);
	assert_check(m);
	unregister_shrinker(k, &tc.shrinker);
	test_machine_done(m);
}

/* seeks = 0: half the cache, whatever the priority. */
static void test_shrinker_zero_seeks_trims_half(void **state)
{
	struct kmm_machine *m = machine();
	struct kmm_kernel *k = K(m);
	struct test_cache tc;

	(void)state;
	tc_register(k, &tc, 1000, 0);
	/* delta = 500; 3 batches (384), 116 left; deferred 500 - 384 = 116 */
	assert_int_equal(shrink_slab(k, GFP_KERNEL, 0, 12), 384);
	assert_int_equal(tc.shrinker.nr_deferred[0], 116);
	/* freeable 616: delta 308, total (116 >> 12) + 308 = 308: 2 batches (256), 52 left;
	 * deferred 116 + 308 - 256 = 168 */
	assert_int_equal(shrink_slab(k, GFP_KERNEL, 0, 12), 256);
	assert_int_equal(tc.shrinker.nr_deferred[0], 168);
	unregister_shrinker(k, &tc.shrinker);
	assert_check(m);
	test_machine_done(m);
}

/* A cache smaller than a batch is scanned whole when total_scan covers it. */
static void test_shrinker_small_cache_scanned_in_one_short_batch(void **state)
{
	struct kmm_machine *m = machine();
	struct kmm_kernel *k = K(m);
	struct test_cache tc;

	(void)state;
	tc_register(k, &tc, 50, DEFAULT_SEEKS);
	/* priority 0: delta = 50 * 4 / 2 = 100 = 2 * freeable; 100 >= 50: one batch of 100 */
	assert_int_equal(shrink_slab(k, GFP_KERNEL, 0, 0), 50);
	assert_int_equal(tc.scan_calls, 1);
	assert_int_equal(tc.last_nr_to_scan, 100);
	assert_int_equal(tc.shrinker.nr_deferred[0], 0);
	/* Empty now: count 0, no scan, nothing deferred. */
	assert_int_equal(shrink_slab(k, GFP_KERNEL, 0, 0), 0);
	assert_int_equal(tc.scan_calls, 1);
	unregister_shrinker(k, &tc.shrinker);
	test_machine_done(m);
}

/* total_scan is capped at twice the cache, and so is the carried work. */
static void test_shrinker_caps_at_twice_freeable(void **state)
{
	struct kmm_machine *m = machine();
	struct kmm_kernel *k = K(m);
	struct test_cache tc;

	(void)state;
	tc_register(k, &tc, 300, 1);
	tc.stop = true;
	/* priority 0, seeks 1: delta = 1200, total = min(1200, 600) = 600; the first scan stops;
	 * deferred = min(0 + 1200 - 0, 600) = 600 */
	assert_int_equal(shrink_slab(k, GFP_KERNEL, 0, 0), 0);
	assert_int_equal(tc.scan_calls, 1);
	assert_int_equal(tc.last_nr_to_scan, 128);
	assert_int_equal(tc.shrinker.nr_deferred[0], 600);
	tc.stop = false;
	/* total = min(600 + 1200, 600) = 600: batches 128 x4 (512), then 88 < 128 and < 300:
	 * stop. freed 300 (the cache); deferred = min(600 + 1200 - 512, 600) = 600 */
	assert_int_equal(shrink_slab(k, GFP_KERNEL, 0, 0), 300);
	assert_int_equal(tc.scan_calls, 5);
	assert_int_equal(tc.shrinker.nr_deferred[0], 600);
	unregister_shrinker(k, &tc.shrinker);
	assert_check(m);
	test_machine_done(m);
}

/* drop_slab repeats priority-0 passes until one frees at most 1 << shift objects. */
static void test_shrinker_drop_slab_empties_the_cache(void **state)
{
	struct kmm_machine *m = machine();
	struct kmm_kernel *k = K(m);
	struct test_cache a, b;
	unsigned long scanned0 = k->vm_events[SLABS_SCANNED];

	(void)state;
	tc_register(k, &a, 1000, DEFAULT_SEEKS);
	tc_register(k, &b, 10, DEFAULT_SEEKS);
	/*
	 * Pass 1: a: delta 2000, total 2000: 15 batches (1920), 80 left; frees 1000.
	 *         b: delta 20, total 20 >= 10: one batch of 20, frees 10.
	 * 1010 >> 0 > 1: pass 2 finds both empty, frees 0: done.
	 */
	assert_int_equal(drop_slab(k), 1010);
	assert_int_equal(a.objects, 0);
	assert_int_equal(b.objects, 0);
	assert_int_equal(k->vm_events[SLABS_SCANNED] - scanned0, 1920 + 20);
	assert_int_equal(a.shrinker.nr_deferred[0], 80);
	unregister_shrinker(k, &a.shrinker);
	unregister_shrinker(k, &b.shrinker);
	assert_check(m);
	test_machine_done(m);
}

static void test_shrinker_register_refuses_bad_input(void **state)
{
	struct kmm_machine *m = machine();
	struct kmm_kernel *k = K(m);
	struct test_cache tc;
	struct shrinker bare;

	(void)state;
	memset(&bare, 0, sizeof(bare));
	assert_int_equal(register_shrinker(k, &bare, "bare"), -EINVAL);
	tc_register(k, &tc, 1, DEFAULT_SEEKS);
	assert_int_equal(register_shrinker(k, &tc.shrinker, "again"), -EINVAL);
	assert_string_equal(tc.shrinker.name, "test-2");
	unregister_shrinker(k, &tc.shrinker);
	unregister_shrinker(k, &tc.shrinker); /* no-op */
	assert_int_equal(shrink_slab(k, GFP_KERNEL, 0, 0), 0);
	assert_int_equal(tc.scan_calls, 0);
	assert_check(m);
	test_machine_done(m);
}

static void test_shrinker_vfs_pressure_ratio(void **state)
{
	struct kmm_machine *m = machine();
	struct kmm_kernel *k = K(m);

	(void)state;
	assert_int_equal(sysctl_vfs_cache_pressure(k), 100);
	assert_int_equal(vfs_pressure_ratio(k, 1000), 1000);
	assert_int_equal(set_sysctl_vfs_cache_pressure(k, 50), 0);
	assert_int_equal(vfs_pressure_ratio(k, 1000), 500);
	assert_int_equal(set_sysctl_vfs_cache_pressure(k, 250), 0);
	/* mult_frac(7, 250, 100) = 0 * 250 + (7 * 250) / 100 = 17 */
	assert_int_equal(vfs_pressure_ratio(k, 7), 17);
	assert_int_equal(set_sysctl_vfs_cache_pressure(k, -1), -EINVAL);
	assert_int_equal(sysctl_vfs_cache_pressure(k), 250);
	assert_check(m);
	test_machine_done(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_shrinker_small_work_is_deferred),
		cmocka_unit_test(test_shrinker_zero_seeks_trims_half),
		cmocka_unit_test(test_shrinker_small_cache_scanned_in_one_short_batch),
		cmocka_unit_test(test_shrinker_caps_at_twice_freeable),
		cmocka_unit_test(test_shrinker_drop_slab_empties_the_cache),
		cmocka_unit_test(test_shrinker_register_refuses_bad_input),
		cmocka_unit_test(test_shrinker_vfs_pressure_ratio),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
