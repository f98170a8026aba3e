/*
 * Failure injection at every host allocation of a running machine (issue 13).
 *
 * cfg.fail_host_alloc_nth (env->fail_nth) fails the Nth host allocation of a machine. Creation
 * is walked by test_machine; here a small machine boots with no failure armed, then a mixed
 * workload (pages of several orders and GFP masks, kmalloc of many sizes, caches, mempools,
 * vmalloc / vmap / vfree / purge, views, sysctls, trace, kmm_check) runs with the Nth host
 * allocation after boot failing, for N = 1, 2, 3, ... until the workload completes without
 * reaching the failure. At each N the call that met the failure must return a clean status:
 * KMM_EHOST (the host ran out), KMM_ENOMEM (the kernel turned the failed allocation into an
 * allocation failure, as it does for a failed kmalloc of its own metadata), never KMM_EBUG
 * (no path of the workload panics on a failed allocation); the machine then stays alive,
 * kmm_check passes, everything the workload holds can be freed and the machine destroyed. The
 * asan preset runs this test too: no leak, no bad access.
 *
 * The boot-time walk below does the same for creation of a machine with two nodes, sysctls
 * in the config and a trace event on the command line: KMM_EHOST or KMM_ENOMEM, no machine.
 */
#include "kmm_test.h"

#include <kmm/trace.h>

#include "sim/machine.h"

/* What the workload holds, freed at the end whether it completed or not. */
struct held {
	kmm_pfn_t pfn[8];
	unsigned pfn_order[8];
	int nr_pfn;
	kmm_va_t kva[32];
	int nr_kva;
	kmm_cache_t cache[3];
	int nr_cache;
	kmm_va_t cobj[16];
	int cobj_cache[16];
	int nr_cobj;
	kmm_mempool_t pool[3];
	int nr_pool;
	kmm_va_t pobj[6];
	int pobj_pool[6];
	int nr_pobj;
	kmm_va_t vva[8];
	int nr_vva;
};

/* The workload's first failure: where, and with what. */
struct outcome {
	bool failed;
	int step;
	enum kmm_status st;
	char text[256];
};

static void trace_sink(void *arg, const char *event, const char *line, size_t len)
{
	(void)arg, (void)event, (void)line, (void)len;
}

static void null_sink(void *arg, const char *text, size_t len)
{
	(void)arg, (void)text, (void)len;
}

#define STEP(call)                                                                                 \
	do {                                                                                       \
		enum kmm_status st_ = (call);                                                      \
		step++;                                                                            \
		if (st_ != KMM_OK) {                                                               \
			o->failed = true;                                                          \
			o->step = step;                                                            \
			o->st = st_;                                                               \
			snprintf(o->text, sizeof(o->text), "%s (%s)", kmm_last_error(m), #call);   \
			return;                                                                    \
		}                                                                                  \
	} while (0)

static void workload(struct kmm_machine *m, struct held *h, struct outcome *o)
{
	static const size_t ksizes[] = {1,   8,	  16,	24,   64,   96,	  100,	192,
					256, 500, 1024, 2000, 4096, 5000, 8192, 20000};
	static const struct {
		kmm_gfp_t gfp;
		unsigned order;
	} pages[] = {{KMM_GFP_KERNEL, 0}, {KMM_GFP_ATOMIC, 1},
		     {KMM_GFP_DMA, 0},	  {KMM_GFP_HIGHUSER_MOVABLE, 3},
		     {KMM_GFP_KERNEL, 5}, {KMM_GFP_NOWAIT, 2},
		     {KMM_GFP_USER, 9}};
	char buf[8192];
	int step = 0;

	STEP(kmm_sysctl(m, "vm.min_free_kbytes", "2048"));
	STEP(kmm_trace_enable(m, "kmem", true));
	for (unsigned i = 0; i < sizeof(pages) / sizeof(pages[0]); i++) {
		STEP(kmm_alloc_pages(m, pages[i].gfp, pages[i].order, &h->pfn[h->nr_pfn]));
		h->pfn_order[h->nr_pfn++] = pages[i].order;
	}
	for (unsigned i = 0; i < sizeof(ksizes) / sizeof(ksizes[0]); i++)
		STEP(kmm_kmalloc(m, ksizes[i], KMM_GFP_KERNEL, &h->kva[h->nr_kva++]));
	STEP(kmm_kzalloc(m, 300, KMM_GFP_ATOMIC, &h->kva[h->nr_kva++]));
	STEP(kmm_kmalloc(m, 128, KMM_GFP_DMA | KMM_GFP_KERNEL, &h->kva[h->nr_kva++]));
	STEP(kmm_krealloc(m, h->kva[0], 3000, KMM_GFP_KERNEL, &h->kva[0]));
	STEP(kmm_kmem_cache_create(m, "inject_a", 72, 8, 0, NULL, NULL, &h->cache[h->nr_cache++]));
	STEP(kmm_kmem_cache_create(m, "inject_b", 200, 64,
				   KMM_SLAB_RED_ZONE | KMM_SLAB_POISON | KMM_SLAB_STORE_USER, NULL,
				   NULL, &h->cache[h->nr_cache++]));
	STEP(kmm_kmem_cache_create(m, "inject_c", 1500, 0, KMM_SLAB_HWCACHE_ALIGN, NULL, NULL,
				   &h->cache[h->nr_cache++]));
	for (int i = 0; i < 12; i++) {
		STEP(kmm_kmem_cache_alloc(m, h->cache[i % 3], KMM_GFP_KERNEL,
					  &h->cobj[h->nr_cobj]));
		h->cobj_cache[h->nr_cobj++] = i % 3;
	}
	STEP(kmm_mempool_create_kmalloc(m, 2, 512, &h->pool[h->nr_pool++]));
	STEP(kmm_mempool_create_slab(m, 3, h->cache[0], &h->pool[h->nr_pool++]));
	STEP(kmm_mempool_create_page(m, 1, 1, &h->pool[h->nr_pool++]));
	for (int i = 0; i < 6; i++) {
		STEP(kmm_mempool_alloc(m, h->pool[i % 3], KMM_GFP_KERNEL, &h->pobj[h->nr_pobj]));
		h->pobj_pool[h->nr_pobj++] = i % 3;
	}
	STEP(kmm_mempool_resize(m, h->pool[0], 5));
	STEP(kmm_vmalloc(m, 3 * 4096, &h->vva[h->nr_vva++]));
	STEP(kmm_vzalloc(m, 70000, &h->vva[h->nr_vva++]));
	STEP(kmm_vmalloc_node(m, 5000, 0, &h->vva[h->nr_vva++]));
	STEP(kmm_vmalloc_huge(m, 4 << 20, KMM_GFP_KERNEL, &h->vva[h->nr_vva++]));
	STEP(kmm_vmap(m, h->pfn, 1, &h->vva[h->nr_vva++]));
	/* free and purge some, so the lazy list and the purge run */
	STEP(kmm_vunmap(m, h->vva[--h->nr_vva]));
	STEP(kmm_vfree(m, h->vva[1]));
	h->vva[1] = 0;
	STEP(kmm_vm_unmap_aliases(m));
	STEP(kmm_vmalloc(m, 64 * 4096, &h->vva[1]));
	STEP(kmm_kmem_cache_shrink(m, h->cache[1]));
	STEP(kmm_drain_all_pages(m));
	STEP(kmm_sysctl(m, "vm.percpu_pagelist_high_fraction", "8"));
	STEP(kmm_sysctl(m, "vm.lowmem_reserve_ratio", "256 256 32"));
	STEP(kmm_proc_read(m, "/proc/meminfo", buf, sizeof(buf)));
	STEP(kmm_proc_read(m, "/proc/buddyinfo", buf, sizeof(buf)));
	STEP(kmm_proc_show(m, "/proc/slabinfo", null_sink, NULL));
	STEP(kmm_proc_show(m, "/proc/vmallocinfo", null_sink, NULL));
	STEP(kmm_proc_show(m, "/proc/zoneinfo", null_sink, NULL));
	STEP(kmm_proc_show(m, "/proc/pagetypeinfo", null_sink, NULL));
	STEP(kmm_proc_show(m, "/sys/kernel/debug/tracing/trace", null_sink, NULL));
	STEP(kmm_proc_read(m, "/proc/sys/vm/min_free_kbytes", buf, sizeof(buf)));
	STEP(kmm_check(m));
}

/* Frees what @h holds (a zero entry: the call that was to fill it failed); all succeed. */
static void release(struct kmm_machine *m, struct held *h)
{
	for (int i = 0; i < h->nr_vva; i++)
		if (h->vva[i])
			assert_int_equal(kmm_vfree(m, h->vva[i]), KMM_OK);
	for (int i = 0; i < h->nr_pobj; i++)
		assert_int_equal(kmm_mempool_free(m, h->pool[h->pobj_pool[i]], h->pobj[i]), KMM_OK);
	for (int i = 0; i < h->nr_pool; i++)
		if (h->pool[i])
			assert_int_equal(kmm_mempool_destroy(m, h->pool[i]), KMM_OK);
	for (int i = 0; i < h->nr_cobj; i++)
		assert_int_equal(kmm_kmem_cache_free(m, h->cache[h->cobj_cache[i]], h->cobj[i]),
				 KMM_OK);
	for (int i = 0; i < h->nr_cache; i++)
		if (h->cache[i])
			assert_int_equal(kmm_kmem_cache_destroy(m, h->cache[i]), KMM_OK);
	for (int i = 0; i < h->nr_kva; i++)
		if (h->kva[i])
			assert_int_equal(kmm_kfree(m, h->kva[i]), KMM_OK);
	for (int i = 0; i < h->nr_pfn; i++)
		assert_int_equal(kmm_free_pages(m, h->pfn[i], h->pfn_order[i]), KMM_OK);
}

static struct kmm_machine *small_machine(void)
{
	struct kmm_config cfg;

	kmm_config_init(&cfg);
	assert_int_equal(kmm_config_option(&cfg, "-m", "80M"), KMM_OK);
	assert_int_equal(kmm_config_option(&cfg, "-smp", "2"), KMM_OK);
	return test_machine(&cfg);
}

static void test_fail_inject_every_runtime_host_allocation(void **state)
{
	uint64_t n;
	int hits = 0, ehost = 0, enomem = 0, absorbed = 0;

	(void)state;
	for (n = 1; n < 100000; n++) {
		struct kmm_machine *m = small_machine();
		struct held h = {0};
		struct outcome o = {0};
		uint64_t base = m->env.host_allocs;

		kmm_trace_set_handler(m, trace_sink, NULL);
		m->env.fail_nth = base + n;
		workload(m, &h, &o);
		if (!o.failed) {
			bool reached = m->env.host_allocs >= m->env.fail_nth;

			m->env.fail_nth = 0;
			release(m, &h);
			test_machine_done(m);
			if (!reached)
				break; /* never reached the Nth allocation: the walk is complete */
			absorbed++;    /* the kernel recovered (a huge vmalloc retried small) */
			continue;
		}
		if (m->env.host_allocs < m->env.fail_nth)
			fail_msg("N=%llu: step %d failed without the injected failure: %s: %s",
				 (unsigned long long)n, o.step, kmm_status_name(o.st), o.text);
		hits++;
		if (o.st == KMM_EHOST)
			ehost++;
		else if (o.st == KMM_ENOMEM)
			enomem++;
		else
			fail_msg("N=%llu: step %d: %s: %s", (unsigned long long)n, o.step,
				 kmm_status_name(o.st), o.text);
		if (!o.text[0] || kmm_machine_dead(m))
			fail_msg("N=%llu: step %d: empty error text or dead machine: %s",
				 (unsigned long long)n, o.step, o.text);
		if (kmm_check(m) != KMM_OK)
			fail_msg("N=%llu: step %d (%s): kmm_check after the failure: %s",
				 (unsigned long long)n, o.step, o.text, kmm_last_error(m));
		release(m, &h);
		test_machine_done(m);
	}
	print_message(
		"runtime walk: %d injected failures (%d KMM_EHOST, %d KMM_ENOMEM, %d absorbed)\n",
		hits + absorbed, ehost, enomem, absorbed);
	assert_true(hits >= 10);
}

static void test_fail_inject_every_creation_host_allocation(void **state)
{
	int hits = 0;

	(void)state;
	for (uint64_t nth = 1; nth < 100000; nth++) {
		struct kmm_config cfg;
		struct kmm_machine *m = NULL;
		enum kmm_status st;

		kmm_config_init(&cfg);
		assert_int_equal(kmm_config_option(&cfg, "-m", "96M"), KMM_OK);
		assert_int_equal(kmm_config_option(&cfg, "-smp", "2"), KMM_OK);
		assert_int_equal(kmm_config_option(&cfg, "-numa", "node,nodeid=0,mem=80M,cpus=0-0"),
				 KMM_OK);
		assert_int_equal(kmm_config_option(&cfg, "-numa", "node,nodeid=1,mem=16M,cpus=1-1"),
				 KMM_OK);
		assert_int_equal(kmm_config_add_sysctl(&cfg, "vm.min_free_kbytes", "4096"), KMM_OK);
		assert_int_equal(kmm_config_append(&cfg, "trace_event=kmem:mm_page_alloc"), KMM_OK);
		cfg.fail_host_alloc_nth = nth;
		st = kmm_machine_create(&cfg, &m);
		if (st == KMM_OK) {
			bool reached = m->env.host_allocs >= nth;

			m->env.fail_nth = 0; /* kmm_check's own maps must not meet it */
			test_machine_done(m);
			if (!reached)
				break; /* past the last allocation creation makes */
			continue;
		}
		if (st != KMM_EHOST && st != KMM_ENOMEM)
			fail_msg("creation, N=%llu: %s: %s", (unsigned long long)nth,
				 kmm_status_name(st), kmm_last_error(NULL));
		assert_null(m);
		assert_true(strlen(kmm_last_error(NULL)) > 0);
		hits++;
	}
	print_message("creation walk: %d injected failures\n", hits);
	assert_true(hits >= 20);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fail_inject_every_creation_host_allocation),
		cmocka_unit_test(test_fail_inject_every_runtime_host_allocation),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
