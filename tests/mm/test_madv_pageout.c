/*
 * MADV_PAGEOUT and MADV_COLD (src/mm/madvise.c over vmscan.c's reclaim_pages), checked against
 * 6.1's madvise_cold_or_pageout_pte_range rules worked by hand:
 *   - PAGEOUT reclaims now the advised range's LRU pages that are mapped only there: with swap
 *     on, each private anonymous page goes to swap (pswpout +1, MM_ANONPAGES -1,
 *     MM_SWAPENTS +1, the PTE a swap entry) and its data comes back on the next touch;
 *   - without swap an anonymous page cannot be reclaimed and stays mapped, data intact;
 *   - a page mapped twice (after fork) is not touched (page_mapcount != 1);
 *   - a VM_LOCKED range is refused with -EINVAL (can_madv_lru_vma), nothing changes;
 *   - COLD only makes the PTEs old and moves the pages to the inactive list: nothing leaves.
 * User data is checksummed across every trip; kmm_check runs after every step.
 */
#include "mm_test.h"

#include "mm/mman.h"
#include "mm/swapfile.h"

#define P  PAGE_SIZE
#define RW (PROT_READ | PROT_WRITE)
#define PA (MAP_PRIVATE | MAP_ANONYMOUS)

static struct kmm_machine *boot(void)
{
	struct kmm_config cfg;

	kmm_config_init(&cfg);
	assert_int_equal(kmm_config_set_ram(&cfg, 256ull << 20), KMM_OK);
	assert_int_equal(kmm_config_option(&cfg, "-cpu", "cortex-a57"), KMM_OK);
	return test_machine(&cfg);
}

static void swap_on(struct kmm_machine *m)
{
	struct swap_dev *dev = NULL;

	assert_int_equal(
		swap_dev_create(&m->kernel, SWAP_DEV_PLAIN, "/dev/vdb", 16ull << 20, NULL, &dev),
		0);
	assert_int_equal(sys_swapon(&m->kernel, dev, 0), 0);
	ut_check(m);
}

static uint64_t pattern(uint64_t va, uint64_t seed)
{
	return (va * 0x9e3779b97f4a7c15ull) ^ (seed << 32) ^ 0x5a5a;
}

static void fill(struct utask *u, uint64_t va, unsigned n, uint64_t seed)
{
	for (unsigned i = 0; i < n; i++)
		for (unsigned w = 0; w < 4; w++) {
			uint64_t a = va + i * P + w * 1024;

			ut_store64(u, a, pattern(a, seed));
		}
}

static void verify(struct utask *u, uint64_t va, unsigned n, uint64_t seed)
{
	for (unsigned i = 0; i < n; i++)
		for (unsigned w = 0; w < 4; w++) {
			uint64_t a = va + i * P + w * 1024;

			assert_int_equal(ut_load64(u, a), pattern(a, seed));
		}
}

static unsigned swapped(struct utask *u, uint64_t va, unsigned n)
{
	unsigned c = 0;

	for (unsigned i = 0; i < n; i++)
		c += is_swap_pte(__pte(ut_pte(u, va + i * P)));
	return c;
}

static unsigned long ev(struct kmm_machine *m, enum vm_event_item i)
{
	return m->kernel.vm_events[i];
}

/* 64 written pages, advised out: all 64 go to swap at once and read back intact. */
static void test_pageout_anon_to_swap(void **state)
{
	struct kmm_machine *m = boot();
	const unsigned n = 64;
	unsigned long out;
	struct utask u;
	uint64_t va;

	(void)state;
	swap_on(m);
	ut_init(&u, m, 1);
	va = ut_mmap(&u, 0, n * P, RW, PA);
	fill(&u, va, n, 1);
	out = ev(m, PSWPOUT);
	assert_int_equal(do_madvise(u.t.mm, va, n * P, MADV_PAGEOUT), 0);
	swap_io_drain(&m->kernel);
	ut_check(m);
	assert_int_equal(ev(m, PSWPOUT) - out, n);
	assert_int_equal(swapped(&u, va, n), n);
	assert_int_equal(ut_rss(&u, MM_ANONPAGES), 0);
	assert_int_equal(ut_rss(&u, MM_SWAPENTS), n);
	verify(&u, va, n, 1);
	assert_int_equal(ut_rss(&u, MM_ANONPAGES), n);
	ut_check(m);
	ut_exit(&u);
	ut_check(m);
	test_machine_done(m);
}

/* No swap device: anonymous pages cannot go anywhere, so they stay mapped with their data. */
static void test_pageout_anon_without_swap_keeps_pages(void **state)
{
	struct kmm_machine *m = boot();
	const unsigned n = 16;
	struct utask u;
	uint64_t va;

	(void)state;
	ut_init(&u, m, 1);
	va = ut_mmap(&u, 0, n * P, RW, PA);
	fill(&u, va, n, 2);
	assert_int_equal(do_madvise(u.t.mm, va, n * P, MADV_PAGEOUT), 0);
	ut_check(m);
	assert_int_equal(swapped(&u, va, n), 0);
	assert_int_equal(ut_rss(&u, MM_ANONPAGES), n);
	assert_int_equal(ev(m, PSWPOUT), 0);
	verify(&u, va, n, 2);
	ut_exit(&u);
	ut_check(m);
	test_machine_done(m);
}

/*
 * After fork every page is mapped by both tasks: PAGEOUT from the parent leaves them all; a
 * page the child then COWs away is the parent's alone, and only that one goes out.
 */
static void test_pageout_skips_shared_pages(void **state)
{
	struct kmm_machine *m = boot();
	const unsigned n = 8;
	struct utask parent, child;
	uint64_t va;

	(void)state;
	swap_on(m);
	ut_init(&parent, m, 1);
	va = ut_mmap(&parent, 0, n * P, RW, PA);
	fill(&parent, va, n, 3);
	memcpy(&child, &parent, sizeof(child));
	child.asid = 2;
	child.t.pid = 2;
	memset(&child.t.rss_stat, 0, sizeof(child.t.rss_stat));
	sync_mm_rss(&parent.t, parent.t.mm);
	child.t.mm = dup_mm(&child.t, parent.t.mm);
	assert_non_null(child.t.mm);
	ut_switch(&parent);
	ut_check(m);

	assert_int_equal(do_madvise(parent.t.mm, va, n * P, MADV_PAGEOUT), 0);
	swap_io_drain(&m->kernel);
	ut_check(m);
	assert_int_equal(swapped(&parent, va, n), 0);

	ut_switch(&child);
	ut_store64(&child, va, 77); /* COW: page 0 is now the parent's alone */
	ut_switch(&parent);
	assert_int_equal(do_madvise(parent.t.mm, va, n * P, MADV_PAGEOUT), 0);
	swap_io_drain(&m->kernel);
	ut_check(m);
	assert_int_equal(swapped(&parent, va, n), 1);
	assert_true(is_swap_pte(__pte(ut_pte(&parent, va))));
	verify(&parent, va, n, 3);
	ut_switch(&child);
	assert_int_equal(ut_load64(&child, va), 77);
	verify(&child, va + P, n - 1, 3);
	ut_exit(&child);
	ut_switch(&parent);
	ut_exit(&parent);
	ut_check(m);
	test_machine_done(m);
}

/* mlocked pages: can_madv_lru_vma refuses the range, nothing moves. */
static void test_pageout_locked_refused(void **state)
{
	struct kmm_machine *m = boot();
	const unsigned n = 4;
	struct utask u;
	uint64_t va;

	(void)state;
	swap_on(m);
	ut_init(&u, m, 1);
	va = ut_mmap(&u, 0, n * P, RW, PA);
	fill(&u, va, n, 4);
	assert_int_equal(do_mlock(&u.t, va, n * P, 0), 0);
	assert_int_equal(do_madvise(u.t.mm, va, n * P, MADV_PAGEOUT), -EINVAL);
	assert_int_equal(do_madvise(u.t.mm, va, n * P, MADV_COLD), -EINVAL);
	ut_check(m);
	assert_int_equal(swapped(&u, va, n), 0);
	assert_int_equal(ev(m, PSWPOUT), 0);
	verify(&u, va, n, 4);
	ut_exit(&u);
	ut_check(m);
	test_machine_done(m);
}

/* COLD: the PTEs become old (AF clear) but every page stays mapped, nothing is written. */
static void test_cold_ages_without_reclaim(void **state)
{
	struct kmm_machine *m = boot();
	const unsigned n = 8;
	struct utask u;
	uint64_t va;

	(void)state;
	swap_on(m);
	ut_init(&u, m, 1);
	va = ut_mmap(&u, 0, n * P, RW, PA);
	fill(&u, va, n, 5);
	for (unsigned i = 0; i < n; i++)
		assert_true(pte_young(__pte(ut_pte(&u, va + i * P))));
	assert_int_equal(do_madvise(u.t.mm, va, n * P, MADV_COLD), 0);
	ut_check(m);
	for (unsigned i = 0; i < n; i++)
		assert_false(pte_young(__pte(ut_pte(&u, va + i * P))));
	assert_int_equal(swapped(&u, va, n), 0);
	assert_int_equal(ev(m, PSWPOUT), 0);
	verify(&u, va, n, 5);
	ut_exit(&u);
	ut_check(m);
	test_machine_done(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pageout_anon_to_swap),
		cmocka_unit_test(test_pageout_anon_without_swap_keeps_pages),
		cmocka_unit_test(test_pageout_skips_shared_pages),
		cmocka_unit_test(test_pageout_locked_refused),
		cmocka_unit_test(test_cold_ages_without_reclaim),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
