/*
 * Reclaim (src/mm/vmscan.c): aging through the MMU's access flag, kswapd between the low and
 * high watermarks, the scan balance (clean file first, swappiness), determinism.
 *
 * Expected values come from 6.1's rules, worked by hand:
 *   - folio_check_references(): a mapped folio whose PTE is young and which had PG_referenced
 *     is activated; one whose PTE is old but had PG_referenced and is a file folio is
 *     reclaimed if clean (FOLIOREF_RECLAIM_CLEAN). The first look at a young folio without
 *     PG_referenced keeps it and sets the flag. So two passes over 64 mapped file pages, with
 *     the 32 even pages touched between them, reclaim exactly the 32 odd ones and activate
 *     the 32 even ones (pgactivate + 32).
 *   - kswapd: woken when an allocation misses the low watermark, it reclaims until the node
 *     is balanced (some zone above its high watermark), then naps HZ/10 and sleeps.
 * kmm_check runs after each step.
 */
#include "mm_test.h"

#include "fs/fs.h"
#include "mm/gfp.h"
#include "mm/internal.h"
#include "mm/pagemap.h"
#include "mm/vmscan.h"
#include "mm/swapfile.h"

#define P   4096ul
#define NPG 64u

static struct kmm_machine *boot(const char *cpu, unsigned long long ram)
{
	struct kmm_config cfg;

	kmm_config_init(&cfg);
	assert_int_equal(kmm_config_set_ram(&cfg, ram), KMM_OK);
	snprintf(cfg.cpu_model, sizeof(cfg.cpu_model), "%s", cpu);
	snprintf(cfg.cmdline, sizeof(cfg.cmdline), "cma=0"); /* every free page counts for all */
	return test_machine(&cfg);
}

static unsigned long ev(struct kmm_machine *m, enum vm_event_item i)
{
	return m->kernel.vm_events[i];
}

static struct file *make_file(struct kmm_machine *m, const char *path, unsigned long pages)
{
	uint8_t *data = calloc(pages, P);
	struct file *f = NULL;

	assert_non_null(data);
	for (unsigned long i = 0; i < pages; i++)
		data[i * P] = (uint8_t)(i + 1);
	assert_int_equal(vfs_create_file(&m->kernel, path, data, pages * P), 0);
	free(data);
	assert_int_equal(filp_open(&m->kernel, path, O_RDWR, &f), 0);
	return f;
}

/* Isolates the cached folios of @f at the indices @pick accepts onto @list. */
static unsigned isolate_file_folios(struct kmm_kernel *k, struct file *f, struct list_head *list,
				    bool (*pick)(unsigned long))
{
	struct address_space *mapping = f->f_mapping;
	unsigned n = 0;

	lru_add_drain(k);
	for (unsigned long i = 0; i < NPG; i++) {
		struct folio *folio = filemap_get_folio(k, mapping, i);

		if (!folio)
			continue;
		if (pick(i) && folio_isolate_lru(k, folio) == 0) {
			list_add_tail(&folio->lru, list);
			n++;
		}
		folio_put(k, folio);
	}
	return n;
}

static bool all(unsigned long i)
{
	(void)i;
	return true;
}

/* Two reclaim passes over a mapped file; the task touches the even pages in between. */
static void aging_sees_mmu_accesses(const char *cpu)
{
	struct kmm_machine *m = boot(cpu, 1ull << 30);
	struct kmm_kernel *k = &m->kernel;
	struct file *f = make_file(m, "/mnt/disk/aging", NPG);
	struct list_head list;
	struct utask u;
	unsigned long va, act0;

	ut_init(&u, m, 1);
	set_current_task(k, &u.t);
	va = vm_mmap_pgoff(u.t.mm, f, 0, NPG * P, PROT_READ, MAP_SHARED, 0);
	assert_false(IS_ERR_VALUE(va));
	for (unsigned i = 0; i < NPG; i++)
		assert_int_equal((uint8_t)ut_load64(&u, va + i * P), (uint8_t)(i + 1));
	ut_check(m);

	/* Pass 1: every PTE is young; each folio is kept, its AF cleared, PG_referenced set. */
	INIT_LIST_HEAD(&list);
	assert_int_equal(isolate_file_folios(k, f, &list, all), NPG);
	assert_int_equal(reclaim_pages(k, &list), 0);
	ut_check(m);
	for (unsigned i = 0; i < NPG; i++)
		assert_false(ut_pte(&u, va + i * P) & PTE_AF);

	for (unsigned i = 0; i < NPG; i += 2) /* the task touches the even pages */
		assert_int_equal((uint8_t)ut_load64(&u, va + i * P), (uint8_t)(i + 1));
	ut_check(m);

	/* Pass 2: touched -> activated; untouched (old PTE, PG_referenced) -> reclaimed. */
	act0 = ev(m, PGACTIVATE);
	INIT_LIST_HEAD(&list);
	assert_int_equal(isolate_file_folios(k, f, &list, all), NPG);
	assert_int_equal(reclaim_pages(k, &list), NPG / 2);
	assert_int_equal(ev(m, PGACTIVATE) - act0, NPG / 2);
	ut_check(m);
	assert_int_equal(f->f_mapping->nrpages, NPG / 2);
	for (unsigned i = 0; i < NPG; i++) {
		struct folio *folio = filemap_get_folio(k, f->f_mapping, i);

		assert_true((folio != NULL) == (i % 2 == 0));
		if (folio)
			folio_put(k, folio);
	}
	/* The reclaimed pages fault back in with their data. */
	for (unsigned i = 1; i < NPG; i += 2)
		assert_int_equal((uint8_t)ut_load64(&u, va + i * P), (uint8_t)(i + 1));
	ut_check(m);
	ut_exit(&u);
	fput(k, f);
	test_machine_done(m);
}

static void test_vmscan_aging_sees_mmu_accesses_max(void **state)
{
	(void)state;
	aging_sees_mmu_accesses("max"); /* the MMU sets the access flag itself */
}

static void test_vmscan_aging_sees_mmu_accesses_a57(void **state)
{
	(void)state;
	aging_sees_mmu_accesses("cortex-a57"); /* access-flag faults set it */
}

static struct zone *zone0(struct kmm_machine *m)
{
	pg_data_t *pgdat = m->kernel.node_data[0];

	for (int z = 0; z < MAX_NR_ZONES; z++)
		if (managed_zone(&pgdat->node_zones[z]))
			return &pgdat->node_zones[z];
	return NULL;
}

/* Reads the whole file into the page cache. */
static void read_file(struct kmm_kernel *k, struct file *f, unsigned long pages)
{
	static uint8_t buf[P];

	for (unsigned long i = 0; i < pages; i++) {
		loff_t pos = (loff_t)(i * P);

		assert_int_equal(filemap_read(k, f, buf, P, &pos), (int64_t)P);
	}
}

struct held {
	struct page **pages;
	unsigned long nr, cap;
};

/* Takes order-0 pages until free memory of @z is at most @target pages. */
static void take_until(struct kmm_kernel *k, struct held *h, struct zone *z, unsigned long target)
{
	while (zone_page_state(z, NR_FREE_PAGES) > target) {
		struct page *p = alloc_pages(k, GFP_HIGHUSER_MOVABLE | __GFP_NOWARN, 0);

		if (!p)
			fail_msg("no page at free %lu (target %lu): stalls %lu, pageoutrun %lu, "
				 "steal k %lu d %lu, scan k %lu d %lu, file %lu",
				 zone_page_state(z, NR_FREE_PAGES), target,
				 k->vm_events[ALLOCSTALL_DMA], k->vm_events[PAGEOUTRUN],
				 k->vm_events[PGSTEAL_KSWAPD], k->vm_events[PGSTEAL_DIRECT],
				 k->vm_events[PGSCAN_KSWAPD], k->vm_events[PGSCAN_DIRECT],
				 node_page_state(k->node_data[0], NR_INACTIVE_FILE));
		if (h->nr == h->cap) {
			h->cap = h->cap ? 2 * h->cap : 4096;
			h->pages = realloc(h->pages, h->cap * sizeof(*h->pages));
			assert_non_null(h->pages);
		}
		h->pages[h->nr++] = p;
	}
}

static void give_back(struct kmm_kernel *k, struct held *h)
{
	for (unsigned long i = 0; i < h->nr; i++)
		__free_pages(k, h->pages[i], 0);
	free(h->pages);
	memset(h, 0, sizeof(*h));
}

/*
 * Pages held down to just above the low watermark, 8 MiB of clean file cache, then more
 * allocations: the first below low wakes kswapd, which runs at the slow path's run point and
 * reclaims file pages until the zone is above high; it then naps and sleeps.
 */
static void kswapd_run_and_counters(struct kmm_machine *m, unsigned long *out, size_t nout)
{
	struct kmm_kernel *k = &m->kernel;
	struct zone *z = zone0(m);
	struct held h = {0};
	unsigned long file_pages = 2048, low = low_wmark_pages(z);
	struct file *f = make_file(m, "/mnt/disk/cache", file_pages);

	read_file(k, f, file_pages);
	lru_add_drain(k);
	ut_check(m);
	assert_false(kswapd_is_running(k, 0));
	take_until(k, &h, z, low + 64);
	assert_int_equal(ev(m, PAGEOUTRUN), 0); /* above low: no reclaim yet */
	ut_check(m);
	/* Allocations go on; the first one that finds the zone below low wakes kswapd. */
	for (int i = 0; i < 1024 && !kswapd_task(k, 0); i++) {
		unsigned long free = zone_page_state(z, NR_FREE_PAGES);

		take_until(k, &h, z, free - 1);
		if (kswapd_task(k, 0))
			assert_true(free - 1 < low + 64); /* it woke near low, not before */
	}
	assert_non_null(kswapd_task(k, 0));
	env_cond_resched(k->env); /* the next run point: the woken kswapd runs */
	assert_true(ev(m, PAGEOUTRUN) >= 1);
	assert_true(ev(m, PGSTEAL_KSWAPD) > 0);
	/* balance_pgdat stops once the zone meets its high watermark (no boost here). */
	assert_true(zone_page_state(z, NR_FREE_PAGES) > high_wmark_pages(z));
	ut_check(m);
	/* The nap (HZ/10 = 100 ms) passes with the node balanced: kswapd sleeps. */
	env_sleep(k->env, env_ns_to_cycles(k->env, 200000000ull));
	assert_false(kswapd_is_running(k, 0));
	{
		/* Asleep, it does no more work however long the machine idles. */
		unsigned long runs = ev(m, PAGEOUTRUN), steal = ev(m, PGSTEAL_KSWAPD);

		env_sleep(k->env, env_ns_to_cycles(k->env, 2000000000ull));
		assert_int_equal(ev(m, PAGEOUTRUN), runs);
		assert_int_equal(ev(m, PGSTEAL_KSWAPD), steal);
		assert_false(kswapd_is_running(k, 0));
	}
	ut_check(m);
	for (size_t i = 0; i < nout; i++)
		out[i] = m->kernel.vm_events[i];
	give_back(k, &h);
	fput(k, f);
	ut_check(m);
}

static void test_vmscan_kswapd_wakes_at_low_sleeps_at_high(void **state)
{
	struct kmm_machine *m = boot("cortex-a57", 1ull << 30);
	unsigned long out[1];

	(void)state;
	kswapd_run_and_counters(m, out, 1);
	test_machine_done(m);
}

static void test_vmscan_is_deterministic(void **state)
{
	static unsigned long a[NR_VM_EVENT_ITEMS], b[NR_VM_EVENT_ITEMS];
	struct kmm_machine *m1 = boot("cortex-a57", 1ull << 30);
	struct kmm_machine *m2;

	(void)state;
	kswapd_run_and_counters(m1, a, NR_VM_EVENT_ITEMS);
	test_machine_done(m1);
	m2 = boot("cortex-a57", 1ull << 30);
	kswapd_run_and_counters(m2, b, NR_VM_EVENT_ITEMS);
	test_machine_done(m2);
	assert_memory_equal(a, b, sizeof(a));
}

static void test_vmscan_swappiness_sysctl_range(void **state)
{
	struct kmm_machine *m = boot("cortex-a57", 1ull << 30);
	struct kmm_kernel *k = &m->kernel;

	(void)state;
	assert_int_equal(vm_swappiness(k), 60);
	assert_int_equal(vmscan_set_swappiness(k, 201), -EINVAL);
	assert_int_equal(vmscan_set_swappiness(k, -1), -EINVAL);
	assert_int_equal(vm_swappiness(k), 60);
	assert_int_equal(vmscan_set_swappiness(k, 200), 0);
	assert_int_equal(vm_swappiness(k), 200);
	assert_int_equal(vmscan_set_swappiness(k, 0), 0);
	assert_int_equal(vm_swappiness(k), 0);
	ut_check(m);
	test_machine_done(m);
}

/* ---- the scan balance -------------------------------------------------------------------- */

struct balance {
	unsigned long scan_anon, scan_file, refill, steal_file, pswpout, reclaimed;
};

static uint64_t pattern(uint64_t va)
{
	return va * 0x9e3779b97f4a7c15ull ^ 0xa5a5;
}

/*
 * One direct reclaim (try_to_free_pages for an order-0 GFP_KERNEL allocation) on a fresh
 * 256 MiB machine with a 64 MiB swap device, @nanon pages of private anonymous memory
 * written by a task (inactive anon LRU) and @nfile pages of clean file cache, read once
 * (inactive file) or twice (@hot: activated). The user data is checked afterwards.
 */
static struct balance reclaim_once(int swappiness, unsigned nanon, unsigned nfile, bool hot)
{
	struct kmm_machine *m = boot("cortex-a57", 256ull << 20);
	struct kmm_kernel *k = &m->kernel;
	struct file *f = make_file(m, "/mnt/disk/bal", nfile);
	struct swap_dev *dev = NULL;
	unsigned long before[NR_VM_EVENT_ITEMS];
	struct balance b;
	struct utask u;
	unsigned long va;

	assert_int_equal(swap_dev_create(k, SWAP_DEV_PLAIN, "/dev/vdb", 64ull << 20, NULL, &dev),
			 0);
	assert_int_equal(sys_swapon(k, dev, 0), 0);
	assert_int_equal(vmscan_set_swappiness(k, swappiness), 0);
	ut_init(&u, m, 1);
	va = ut_mmap(&u, 0, nanon * P, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS);
	assert_false(IS_ERR_VALUE(va));
	for (unsigned i = 0; i < nanon; i++)
		ut_store64(&u, va + i * P, pattern(va + i * P));
	read_file(k, f, nfile);
	if (hot)
		read_file(k, f, nfile);
	lru_add_drain(k);
	ut_check(m);
	memcpy(before, k->vm_events, sizeof(before));
	b.reclaimed =
		try_to_free_pages(k, &k->node_data[0]->node_zonelists[0], 0, GFP_KERNEL, NULL);
	b.scan_anon = ev(m, PGSCAN_ANON) - before[PGSCAN_ANON];
	b.scan_file = ev(m, PGSCAN_FILE) - before[PGSCAN_FILE];
	b.refill = ev(m, PGREFILL) - before[PGREFILL];
	b.steal_file = ev(m, PGSTEAL_FILE) - before[PGSTEAL_FILE];
	b.pswpout = ev(m, PSWPOUT) - before[PSWPOUT];
	ut_check(m);
	for (unsigned i = 0; i < nanon; i++) /* swapped or not, every word comes back */
		assert_int_equal(ut_load64(&u, va + i * P), pattern(va + i * P));
	ut_check(m);
	ut_exit(&u);
	fput(k, f);
	test_machine_done(m);
	return b;
}

/*
 * Clean file pages go before anonymous ones at the default swappiness: 8192 inactive file
 * pages and no refaults put prepare_scan_count in cache_trim_mode at every priority where
 * the file list yields a scan (size >> priority > 0), so get_scan_count is SCAN_FILE. Each
 * priority scans the list's current size >> priority clean, unmapped, once-read pages, each
 * reclaimed (FOLIOREF_RECLAIM_CLEAN), so the list shrinks as it goes:
 *   12: 8192 >> 12 = 2, 11: 8190 >> 11 = 3, 10: 8187 >> 10 = 7, 9: 8180 >> 9 = 15 (27 < 32),
 *   8: 8165 >> 8 = 31, and do_try_to_free_pages stops with 58 >= SWAP_CLUSTER_MAX.
 * No anonymous page is scanned.
 */
static void test_vmscan_clean_file_before_anon(void **state)
{
	struct balance b = reclaim_once(60, 4096, 8192, false);

	(void)state;
	assert_int_equal(b.scan_anon, 0);
	assert_int_equal(b.pswpout, 0);
	assert_int_equal(b.scan_file, 58);
	assert_int_equal(b.steal_file, 58);
	assert_int_equal(b.reclaimed, 58);
}

/*
 * The balance moves with swappiness. The file cache is hot (read twice: all 4096 pages on
 * the active list, none inactive), so inactive_is_low(file) sets DEACTIVATE_FILE, there is
 * no cache_trim_mode, and with fresh (zero) costs get_scan_count is SCAN_FRACT with
 * ap = swappiness and fp = 200 - swappiness:
 *   - swappiness 0: ap = 0, no anonymous page is scanned or swapped, only file pages;
 *   - swappiness 200: fp = 0, no file list is scanned, reclaim swaps anonymous pages out;
 *   - swappiness 60: both sides are scanned.
 * (The task's anonymous pages have young PTEs, so their first scan activates them
 * (FOLIOREF_ACTIVATE); they are swapped after shrink_active_list has aged them back.)
 */
static void test_vmscan_swappiness_moves_the_balance(void **state)
{
	struct balance s0 = reclaim_once(0, 8192, 4096, true);
	struct balance s60 = reclaim_once(60, 8192, 4096, true);
	struct balance s200 = reclaim_once(200, 8192, 4096, true);

	(void)state;
	assert_int_equal(s0.scan_anon, 0);
	assert_int_equal(s0.pswpout, 0);
	assert_true(s0.scan_file > 0 && s0.steal_file > 0);

	assert_true(s60.scan_anon > 0);
	assert_true(s60.scan_file > 0);

	assert_int_equal(s200.scan_file, 0);
	assert_int_equal(s200.steal_file, 0);
	assert_true(s200.pswpout >= SWAP_CLUSTER_MAX);

	/* Monotone: more swappiness, more anon scanned and less file. */
	assert_true(s0.scan_anon < s60.scan_anon && s60.scan_anon < s200.scan_anon);
	assert_true(s0.scan_file > s60.scan_file && s60.scan_file > s200.scan_file);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_vmscan_aging_sees_mmu_accesses_max),
		cmocka_unit_test(test_vmscan_aging_sees_mmu_accesses_a57),
		cmocka_unit_test(test_vmscan_kswapd_wakes_at_low_sleeps_at_high),
		cmocka_unit_test(test_vmscan_is_deterministic),
		cmocka_unit_test(test_vmscan_swappiness_sysctl_range),
		cmocka_unit_test(test_vmscan_clean_file_before_anon),
		cmocka_unit_test(test_vmscan_swappiness_moves_the_balance),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
