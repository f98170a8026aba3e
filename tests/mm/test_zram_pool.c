/*
 * zram's zsmalloc pool takes its pages from the buddy allocator (src/drivers/zram.c), checked
 * against 6.1's rules worked by hand:
 *   - a page of random bytes does not compress below zsmalloc's huge_class_size (3264 bytes
 *     with the handle for 4 KiB pages), so zram stores it whole (ZRAM_HUGE) in the 4096-byte
 *     class, whose zspage is one page holding one object: N such pages swapped out take
 *     exactly N pool pages; mem_used_total = N * 4096, huge_pages = N, and /proc/vmstat's
 *     nr_zspages = N (alloc_zspage counts each page in NR_ZSPAGES);
 *   - a same-filled page costs no pool page (ZRAM_SAME keeps only the word);
 *   - when the slots are freed (munmap of the swapped range: zram_slot_free_notify) every
 *     zspage goes back: nr_zspages 0, and the buddy has the pages again;
 *   - the data comes back unchanged through swap-in.
 * kmm_check runs after every step.
 */
#include "mm_test.h"

#include "drivers/zram.h"
#include "mm/mman.h"
#include "mm/swapfile.h"

#define P  PAGE_SIZE
#define RW (PROT_READ | PROT_WRITE)
#define PA (MAP_PRIVATE | MAP_ANONYMOUS)
#define N  256u

static struct kmm_machine *boot(void)
{
	struct kmm_config cfg;

	kmm_config_init(&cfg);
	assert_int_equal(kmm_config_set_ram(&cfg, 256ull << 20), KMM_OK);
	assert_int_equal(kmm_config_option(&cfg, "-cpu", "cortex-a57"), KMM_OK);
	return test_machine(&cfg);
}

static struct zram *zram_on(struct kmm_machine *m)
{
	struct swap_dev *dev = NULL;

	assert_int_equal(
		swap_dev_create(&m->kernel, SWAP_DEV_ZRAM, "/dev/zram0", 16ull << 20, NULL, &dev),
		0);
	assert_int_equal(sys_swapon(&m->kernel, dev, 0), 0);
	ut_check(m);
	return swap_dev_zram(dev);
}

static uint64_t xorshift(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

/* Fills @n pages at @va with random words (seeded) or, with @same, one word per page. */
static void fill(struct utask *u, uint64_t va, unsigned n, uint64_t seed, bool same)
{
	uint64_t s = seed;

	for (unsigned i = 0; i < n; i++)
		for (unsigned w = 0; w < P / 8; w++)
			ut_store64(u, va + i * P + w * 8, same ? seed + i : xorshift(&s));
}

static void verify(struct utask *u, uint64_t va, unsigned n, uint64_t seed, bool same)
{
	uint64_t s = seed;

	for (unsigned i = 0; i < n; i++)
		for (unsigned w = 0; w < P / 8; w++)
			assert_int_equal(ut_load64(u, va + i * P + w * 8),
					 same ? seed + i : xorshift(&s));
}

static unsigned long zspages(struct kmm_machine *m)
{
	unsigned long n = 0;

	for (int nid = 0; nid < MAX_NUMNODES && m->kernel.node_data[nid]; nid++)
		for (int z = 0; z < MAX_NR_ZONES; z++)
			n += zone_page_state(&m->kernel.node_data[nid]->node_zones[z], NR_ZSPAGES);
	return n;
}

static void test_zram_pool_pages_come_from_the_buddy(void **state)
{
	struct kmm_machine *m = boot();
	struct zram *zram = zram_on(m);
	struct zram_mm_stat st;
	struct utask u;
	unsigned long va, out0;

	(void)state;
	ut_init(&u, m, 1);
	va = ut_mmap(&u, 0, 2 * N * P, RW, PA);
	assert_false(IS_ERR_VALUE(va));
	fill(&u, va, N, 0x1234567, false);
	fill(&u, va + N * P, N, 77, true);
	ut_check(m);
	out0 = m->kernel.vm_events[PSWPOUT];
	assert_int_equal(do_madvise(u.t.mm, va, 2 * N * P, MADV_PAGEOUT), 0);
	ut_check(m);
	assert_int_equal(m->kernel.vm_events[PSWPOUT] - out0, 2 * N);
	zram_mm_stat(zram, &st);
	assert_int_equal(st.orig_data_size, 2ull * N * P);
	assert_int_equal(st.same_pages, N);
	assert_int_equal(st.huge_pages, N);
	assert_int_equal(st.compr_data_size, (uint64_t)N * P);
	assert_int_equal(st.mem_used_total, (uint64_t)N * P);
	assert_int_equal(zspages(m), N);

	/* Swap-in leaves the slots (and their objects) in place until they are freed... */
	verify(&u, va, N, 0x1234567, false);
	verify(&u, va + N * P, N, 77, true);
	ut_check(m);
	/* ... and unmapping frees the slots: every zspage goes back to the buddy allocator. */
	assert_int_equal(do_munmap(u.t.mm, va, 2 * N * P), 0);
	ut_check(m);
	zram_mm_stat(zram, &st);
	assert_int_equal(st.orig_data_size, 0);
	assert_int_equal(st.mem_used_total, 0);
	assert_int_equal(zspages(m), 0);
	assert_int_equal(st.mem_used_max, (uint64_t)N * P);
	ut_exit(&u);
	ut_check(m);
	test_machine_done(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_zram_pool_pages_come_from_the_buddy),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
