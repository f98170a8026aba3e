/*
 * The API boundary (src/sim/api.c): one readiness check that names what is missing, one
 * BUG unwind armed by the outermost call, one handle table that refuses stale and
 * wrong-kind handles.
 */
#include "kmm_test.h"

#include "lib/env.h"
#include "sim/api.h"
#include "sim/machine.h"

static void test_api_null_machine_names_the_call(void **state)
{
	kmm_va_t va;
	kmm_pfn_t pfn;

	assert_error(kmm_kmalloc(NULL, 64, KMM_GFP_KERNEL, &va), KMM_EINVAL, kmm_last_error(NULL),
		     "kmm_kmalloc: NULL machine");
	assert_error(kmm_alloc_pages(NULL, KMM_GFP_KERNEL, 0, &pfn), KMM_EINVAL,
		     kmm_last_error(NULL), "kmm_alloc_pages: NULL machine");
	assert_error(kmm_vmalloc(NULL, 4096, &va), KMM_EINVAL, kmm_last_error(NULL),
		     "kmm_vmalloc: NULL machine");
}

/* Each readiness level refuses with its own reason, and the body does not run. */
static void test_api_readiness_names_what_is_missing(void **state)
{
	struct kmm_machine *m = test_machine(NULL);
	enum slab_state slab_state = m->kernel.kmem.slab_state;
	struct vmap_state *vmap = m->kernel.vmap;
	uint64_t reports = kmm_report_count(m);
	kmm_pfn_t pfn = 0;
	kmm_va_t va = 0;

	m->kernel.booted = false;
	assert_error(kmm_alloc_pages(m, KMM_GFP_KERNEL, 0, &pfn), KMM_EINVAL, kmm_last_error(m),
		     "kmm_alloc_pages: the machine has no booted kernel");
	assert_error(kmm_kmalloc(m, 8, KMM_GFP_KERNEL, &va), KMM_EINVAL, kmm_last_error(m),
		     "kmm_kmalloc: the machine has no booted kernel");
	m->kernel.booted = true;

	m->kernel.kmem.slab_state = PARTIAL;
	assert_error(kmm_kmalloc(m, 8, KMM_GFP_KERNEL, &va), KMM_EINVAL, kmm_last_error(m),
		     "kmm_kmalloc: the machine has no slab allocator");
	m->kernel.kmem.slab_state = slab_state;

	m->kernel.vmap = NULL;
	assert_error(kmm_vmalloc(m, 4096, &va), KMM_EINVAL, kmm_last_error(m),
		     "kmm_vmalloc: vmalloc is not initialised");
	m->kernel.vmap = vmap;
	assert_int_equal(pfn, 0);
	assert_int_equal(va, 0);
	assert_int_equal(kmm_report_count(m), reports);

	/* Everything ready again: the same calls run. */
	assert_int_equal(kmm_alloc_pages(m, KMM_GFP_KERNEL, 0, &pfn), KMM_OK);
	assert_int_equal(kmm_free_pages(m, pfn, 0), KMM_OK);
	test_machine_done(m);
}

API_BODY(raise_bug, { int unused; })
{
	env_report(a->env, KMM_REPORT_BUG, "test", "raise_bug", "1", "kernel BUG at test.c:2!");
	return KMM_OK; /* not reached */
}

static enum kmm_status call_raise_bug(struct kmm_machine *m)
{
	return API_CALL(m, API_BOOTED, raise_bug, 0);
}

/* A body that calls another public call: the inner BUG unwinds to the outermost call. */
API_BODY(outer, { int *reached; })
{
	kmm_va_t va;

	if (kmm_kmalloc(a->m, 64, KMM_GFP_KERNEL, &va) != KMM_OK)
		return KMM_ENOMEM;
	call_raise_bug(a->m);
	*p->reached = 1;
	return KMM_OK;
}

static void test_api_nested_bug_unwinds_to_the_outermost_call(void **state)
{
	struct kmm_machine *m = test_machine(NULL);
	int reached = 0;
	kmm_va_t va;

	assert_int_equal(API_CALL_AS(m, "outer", API_SLAB, outer, &reached), KMM_EBUG);
	assert_int_equal(reached, 0);
	assert_true(kmm_machine_dead(m));
	assert_null(m->env.bug_unwind);
	assert_error(kmm_kmalloc(m, 64, KMM_GFP_KERNEL, &va), KMM_EDEAD, kmm_last_error(m),
		     "kmm_kmalloc: machine is dead");
	kmm_machine_destroy(m);
}

static void test_api_handles_refuse_stale_and_wrong_kind(void **state)
{
	struct kmm_machine *m = test_machine(NULL);
	kmm_cache_t cache, cache2;
	kmm_mempool_t pool;
	kmm_va_t va;
	int min_nr;

	assert_int_equal(kmm_kmem_cache_create(m, "api_test", 100, 0, 0, NULL, NULL, &cache),
			 KMM_OK);
	assert_int_equal(kmm_mempool_create_kmalloc(m, 2, 128, &pool), KMM_OK);
	assert_int_not_equal(cache, pool);

	/* A cache handle is not a mempool, and a mempool handle is not a cache. */
	assert_error(kmm_mempool_info(m, cache, &min_nr, NULL), KMM_EINVAL, kmm_last_error(m),
		     "kmm_mempool_info: no mempool with handle");
	assert_error(kmm_kmem_cache_alloc(m, pool, KMM_GFP_KERNEL, &va), KMM_EINVAL,
		     kmm_last_error(m), "kmm_kmem_cache_alloc: no cache with handle");
	assert_error(kmm_kmem_cache_shrink(m, 0), KMM_EINVAL, kmm_last_error(m),
		     "no cache with handle 0");

	/* Destroyed: the handle is stale; a new object in the same slot gets a new handle. */
	assert_int_equal(kmm_kmem_cache_destroy(m, cache), KMM_OK);
	assert_error(kmm_kmem_cache_shrink(m, cache), KMM_EINVAL, kmm_last_error(m),
		     "no cache with handle");
	assert_int_equal(kmm_kmem_cache_create(m, "api_test2", 200, 0, 0, NULL, NULL, &cache2),
			 KMM_OK);
	assert_int_equal((uint32_t)cache2, (uint32_t)cache); /* the slot is reused ... */
	assert_int_not_equal(cache2, cache);		     /* ... with another generation */
	assert_error(kmm_kmem_cache_destroy(m, cache), KMM_EINVAL, kmm_last_error(m),
		     "no cache with handle");

	/* A cache a mempool pins cannot go. */
	assert_int_equal(kmm_mempool_destroy(m, pool), KMM_OK);
	assert_int_equal(kmm_mempool_create_slab(m, 1, cache2, &pool), KMM_OK);
	assert_error(kmm_kmem_cache_destroy(m, cache2), KMM_EINVAL, kmm_last_error(m),
		     "a mempool still uses cache api_test2");
	assert_int_equal(kmm_mempool_destroy(m, pool), KMM_OK);
	assert_int_equal(kmm_kmem_cache_destroy(m, cache2), KMM_OK);
	test_machine_done(m);
}

/* kmm_check proves the handle table's invariants. */
static void test_api_check_sees_a_broken_handle_table(void **state)
{
	struct kmm_machine *m = test_machine(NULL);
	kmm_cache_t cache;

	assert_int_equal(kmm_kmem_cache_create(m, "api_check", 64, 0, 0, NULL, NULL, &cache),
			 KMM_OK);
	m->handles.gen[(uint32_t)cache - 1] = 0;
	assert_int_equal(kmm_check(m), KMM_ECORRUPT);
	assert_non_null(strstr(kmm_last_error(m), "api: handle slot 0 has generation 0"));
	m->handles.gen[(uint32_t)cache - 1] = (uint32_t)(cache >> 32);
	assert_int_equal(kmm_kmem_cache_destroy(m, cache), KMM_OK);
	test_machine_done(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_api_null_machine_names_the_call),
		cmocka_unit_test(test_api_readiness_names_what_is_missing),
		cmocka_unit_test(test_api_nested_bug_unwinds_to_the_outermost_call),
		cmocka_unit_test(test_api_handles_refuse_stale_and_wrong_kind),
		cmocka_unit_test(test_api_check_sees_a_broken_handle_table),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
