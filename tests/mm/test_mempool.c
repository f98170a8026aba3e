/*
 * Mempools: the reserve filled at creation, allocation falling back to it when the pool's
 * allocator fails (memory exhausted), frees refilling it first, resize both ways, and the
 * slab, kmalloc and page pools. Expected behaviour from mm/mempool.c (6.1) in the comments.
 *
 * Covers: src/mm/mempool.c, the mempool part of src/sim/slab_api.c.
 */
#include "kmm_test.h"

static struct kmm_machine *boot(void)
{
	struct kmm_config cfg;

	kmm_config_init(&cfg);
	kmm_config_option(&cfg, "-m", "256M");
	kmm_config_option(&cfg, "-smp", "1");
	return test_machine(&cfg);
}

static void reserve(struct kmm_machine *m, kmm_mempool_t pool, int min_nr, int curr_nr)
{
	int min, curr;

	assert_int_equal(kmm_mempool_info(m, pool, &min, &curr), KMM_OK);
	if (min != min_nr || curr != curr_nr)
		fail_msg("reserve %d/%d, expected %d/%d", curr, min, curr_nr, min_nr);
}

/* Takes every free page (down to what GFP_ATOMIC may use), then every free object of @c. */
static size_t exhaust(struct kmm_machine *m, kmm_cache_t c, kmm_pfn_t *pfns, size_t max,
		      kmm_va_t *objs, size_t *nobjs)
{
	size_t n = 0;

	while (n < max &&
	       kmm_alloc_pages(m, KMM_GFP_ATOMIC | KMM___GFP_NOWARN, 0, &pfns[n]) == KMM_OK)
		n++;
	*nobjs = 0;
	while (*nobjs < 4096 && kmm_kmem_cache_alloc(m, c, KMM_GFP_NOWAIT | KMM___GFP_NOWARN,
						     &objs[*nobjs]) == KMM_OK)
		(*nobjs)++;
	return n;
}

static void test_mempool_slab_reserve(void **state)
{
	struct kmm_machine *m = boot();
	static kmm_pfn_t pfns[1 << 17];
	static kmm_va_t objs[4096];
	kmm_va_t el[5], extra;
	kmm_mempool_t pool;
	struct kmm_slab_info in;
	kmm_cache_t c;
	size_t npages, nobjs;
	uint64_t t0;

	assert_int_equal(kmm_kmem_cache_create(m, "mp", 256, 0, 0, NULL, NULL, &c), KMM_OK);
	assert_int_equal(kmm_mempool_create_slab(m, 4, c, &pool), KMM_OK);
	reserve(m, pool, 4, 4);
	assert_int_equal(kmm_kmem_cache_info(m, c, &in), KMM_OK);
	assert_int_equal(in.active_objs, 16); /* one CPU slab: 4 in the reserve, 12 free */
	/* The cache cannot be destroyed while the pool holds it. */
	assert_int_equal(kmm_kmem_cache_destroy(m, c), KMM_EINVAL);

	npages = exhaust(m, c, pfns, sizeof(pfns) / sizeof(pfns[0]), objs, &nobjs);
	assert_true(npages > 10000);
	assert_int_equal(nobjs, 12); /* the rest of the CPU slab; no page for another */
	/* The allocator fails: the reserve hands out its elements, last in first out. */
	for (int i = 0; i < 4; i++) {
		assert_int_equal(kmm_mempool_alloc(m, pool, KMM_GFP_NOWAIT, &el[i]), KMM_OK);
		reserve(m, pool, 4, 3 - i);
	}
	assert_int_equal(kmm_mempool_alloc(m, pool, KMM_GFP_NOWAIT, &extra), KMM_ENOMEM);
	/* A sleeping allocation waits 5 s for a free (nobody frees here), then gives up. */
	t0 = kmm_clock_ns(m);
	assert_int_equal(kmm_mempool_alloc(m, pool, KMM_GFP_KERNEL, &extra), KMM_ENOMEM);
	assert_true(kmm_clock_ns(m) - t0 >= 5000000000ull);
	/* Frees refill the reserve first ... */
	assert_int_equal(kmm_mempool_free(m, pool, el[0]), KMM_OK);
	reserve(m, pool, 4, 1);
	assert_int_equal(kmm_mempool_alloc(m, pool, KMM_GFP_NOWAIT, &extra), KMM_OK);
	assert_int_equal(extra, el[0]);
	reserve(m, pool, 4, 0);
	el[0] = extra;
	for (int i = 0; i < 4; i++)
		assert_int_equal(kmm_mempool_free(m, pool, el[i]), KMM_OK);
	reserve(m, pool, 4, 4);
	/* ... and once it is full, the cache gets the element back. */
	assert_int_equal(kmm_mempool_free(m, pool, objs[0]), KMM_OK);
	reserve(m, pool, 4, 4);
	assert_int_equal(kmm_mempool_alloc(m, pool, KMM_GFP_NOWAIT, &extra), KMM_OK);
	assert_int_equal(extra, objs[0]); /* from the allocator: the CPU freelist's head */
	reserve(m, pool, 4, 4);
	assert_int_equal(kmm_check(m), KMM_OK);

	objs[0] = extra;
	for (size_t i = 0; i < nobjs; i++)
		kmm_kmem_cache_free(m, c, objs[i]);
	for (size_t i = 0; i < npages; i++)
		kmm_free_pages(m, pfns[i], 0);
	assert_int_equal(kmm_mempool_destroy(m, pool), KMM_OK);
	assert_int_equal(kmm_mempool_info(m, pool, NULL, NULL), KMM_EINVAL);
	assert_int_equal(kmm_kmem_cache_info(m, c, &in), KMM_OK);
	assert_int_equal(in.active_objs, 16); /* all 16 free on the CPU slab */
	assert_int_equal(kmm_kmem_cache_destroy(m, c), KMM_OK);
	assert_int_equal(kmm_report_count(m), 0); /* no leak */
	test_machine_done(m);
}

static void test_mempool_resize(void **state)
{
	struct kmm_machine *m = boot();
	kmm_mempool_t pool;
	struct kmm_slab_info in;
	kmm_va_t o[6];
	kmm_cache_t c;

	assert_int_equal(kmm_kmem_cache_create(m, "rs", 512, 0, 0, NULL, NULL, &c), KMM_OK);
	assert_int_equal(kmm_mempool_create_slab(m, 4, c, &pool), KMM_OK);
	/* 512-byte objects on one CPU: 8 per slab (order 0). Growing to 8 takes the slab's
	 * other 4 objects; shrinking to 2 gives 6 back, which the cache then hands out again
	 * without a new slab. */
	assert_int_equal(kmm_mempool_resize(m, pool, 8), KMM_OK);
	reserve(m, pool, 8, 8);
	assert_int_equal(kmm_kmem_cache_info(m, c, &in), KMM_OK);
	assert_int_equal(in.objs, 8);
	assert_int_equal(kmm_mempool_resize(m, pool, 2), KMM_OK);
	reserve(m, pool, 2, 2);
	for (int i = 0; i < 6; i++)
		assert_int_equal(kmm_kmem_cache_alloc(m, c, KMM_GFP_KERNEL, &o[i]), KMM_OK);
	assert_int_equal(kmm_kmem_cache_info(m, c, &in), KMM_OK);
	assert_int_equal(in.objs, 8);
	for (int i = 0; i < 6; i++)
		assert_int_equal(kmm_kmem_cache_free(m, c, o[i]), KMM_OK);
	assert_int_equal(kmm_mempool_resize(m, pool, 0), KMM_EINVAL);
	assert_int_equal(kmm_mempool_destroy(m, pool), KMM_OK);
	assert_int_equal(kmm_kmem_cache_destroy(m, c), KMM_OK);
	assert_int_equal(kmm_report_count(m), 0);
	test_machine_done(m);
}

static void test_mempool_kmalloc_and_page_pools(void **state)
{
	struct kmm_machine *m = boot();
	struct kmm_page_info pi;
	kmm_mempool_t kp, pp;
	kmm_va_t a, b;
	kmm_pa_t pa;
	size_t ks;

	assert_int_equal(kmm_mempool_create_kmalloc(m, 2, 1000, &kp), KMM_OK);
	reserve(m, kp, 2, 2);
	/* Memory is plentiful: elements come from kmalloc, the reserve stays full. */
	assert_int_equal(kmm_mempool_alloc(m, kp, KMM_GFP_KERNEL, &a), KMM_OK);
	reserve(m, kp, 2, 2);
	assert_int_equal(kmm_ksize(m, a, &ks), KMM_OK);
	assert_int_equal(ks, 1024);
	assert_int_equal(kmm_mempool_free(m, kp, a), KMM_OK);
	reserve(m, kp, 2, 2);

	assert_int_equal(kmm_mempool_create_page(m, 3, 1, &pp), KMM_OK);
	reserve(m, pp, 3, 3);
	assert_int_equal(kmm_mempool_alloc(m, pp, KMM_GFP_KERNEL, &b), KMM_OK);
	assert_int_equal(b & 0x1fff, 0); /* an order-1 block */
	assert_int_equal(kmm_virt_to_phys(m, b, &pa), KMM_OK);
	assert_int_equal(kmm_page_info(m, pa >> KMM_PAGE_SHIFT, &pi), KMM_OK);
	assert_int_equal(pi.refcount, 1);
	assert_int_equal(kmm_mempool_free(m, pp, b), KMM_OK);
	assert_int_equal(kmm_mempool_create_page(m, 3, 11, &pp), KMM_EINVAL);
	assert_int_equal(kmm_mempool_create_kmalloc(m, -1, 8, &kp), KMM_EINVAL);
	assert_int_equal(kmm_report_count(m), 0);
	test_machine_done(m); /* pools left alive: their elements are allocated, all counted */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_mempool_slab_reserve),
		cmocka_unit_test(test_mempool_resize),
		cmocka_unit_test(test_mempool_kmalloc_and_page_pools),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
