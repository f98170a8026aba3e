/*
 * Swap devices (src/mm/swapfile.c, page_io.c, src/drivers/zram.c): slot counts, the cluster
 * allocator's order, priorities, /proc/swaps, zram's sizes, data round trips, swapoff.
 *
 * Expected values come from 6.1's rules, worked by hand:
 *   - a device of N pages has N - 1 usable slots (slot 0: mkswap's header); zram's disksize
 *     is PAGE_ALIGN'ed up: MemTotal/2 = 500482 KiB -> 500484 KiB = 125121 pages -> Size
 *     500480 in /proc/swaps (the capture's zram.swaps.txt, compared byte for byte);
 *   - clusters of 512 slots (CONFIG_THP_SWAP); the free list starts column by column over 32
 *     columns (setup_swap_map_and_extents): with 64 clusters the order is 0 (holds the
 *     header: skipped), 32, 1, 33, 2, 34, ... so the first slot is 32 * 512 = 16384, the
 *     513th allocation is slot 512 (cluster 1), and a THP takes cluster 32 whole;
 *   - swap_map bytes: SWAP_HAS_CACHE 0x40 plus the PTE count; the slot is free at 0;
 *   - priorities without SWAP_FLAG_PREFER: -2, -3, -4 (least_priority starts at -1); swapoff
 *     of -2 moves the others up one and the next swapon gets -4 again;
 *   - zram: a zero page and a page of one repeated word are same-filled (no memory, same_pages
 *     counts); a page of random bytes compresses to more than huge_class_size = 3264 - 7 =
 *     3257 bytes (the first zsmalloc class, from the top, of more than one page and more
 *     than one object: 3264 bytes, 4 pages, 5 objects) and is stored whole: compr 4096, one
 *     huge page, one pool page (the 4096-byte class: one page, one object); a compressible
 *     page costs what liblzo2's own lzo1x_1_compress says.
 * kmm_check (swap_check: counts, clusters, lists; zram_check) runs after each step.
 */
#include "buddy_test.h"

#include <kmm/swap.h>
#include <lzo1x.h>

#include "drivers/zram.h"
#include "mm/page-flags.h"
#include "mm/pagemap.h"
#include "mm/swap_state.h"
#include "mm/swapfile.h"

#define MiB (1024ull * 1024)

static struct kmm_machine *machine(void)
{
	return buddy_machine("1G", "1", NULL);
}

static void swapon_ok(struct kmm_machine *m, enum kmm_swap_kind kind, const char *name,
		      uint64_t bytes, int flags)
{
	struct kmm_swap_config c = {
		.kind = kind, .name = name, .bytes = bytes, .swap_flags = flags};

	if (kmm_swapon(m, &c) != KMM_OK)
		fail_msg("swapon %s: %s", name, kmm_last_error(m));
	assert_check(m);
}

static swp_entry_t alloc_one(struct kmm_machine *m)
{
	swp_entry_t e = {0};

	assert_int_equal(get_swap_pages(K(m), 1, &e, 1), 1);
	return e;
}

static const char *proc(struct kmm_machine *m, const char *path)
{
	static char buf[8192];

	if (kmm_proc_read(m, path, buf, sizeof(buf)) != KMM_OK)
		fail_msg("%s: %s", path, kmm_last_error(m));
	return buf;
}

/*
 *   64 clusters (128 MiB):  free list 32, 1, 33, 2, 34, ...  (cluster 0 holds the header)
 *   first slots: 16384, 16385, ... (cluster 32); the 513th: 512 (cluster 1)
 */
static void test_swapfile_cluster_order(void **state)
{
	struct kmm_machine *m = machine();
	swp_entry_t e;

	(void)state;
	swapon_ok(m, KMM_SWAP_ZRAM, "/dev/zram0", 128 * MiB, 0);
	for (unsigned long i = 0; i < 512; i++) {
		e = alloc_one(m);
		assert_int_equal(swp_type(e), 0);
		assert_int_equal(swp_offset(e), 16384 + i);
	}
	e = alloc_one(m);
	assert_int_equal(swp_offset(e), 512);
	assert_check(m);
	kmm_machine_destroy(m);
}

/* swap_map counts through duplicate / put_swap_folio / swap_free. */
static void test_swapfile_slot_counts(void **state)
{
	struct kmm_machine *m = machine();
	struct kmm_kernel *k = K(m);
	struct page *page = alloc_pages(k, GFP_HIGHUSER_MOVABLE, 0);
	unsigned long total, free0, fr;
	swp_entry_t e;

	(void)state;
	swapon_ok(m, KMM_SWAP_ZRAM, "/dev/zram0", 128 * MiB, 0);
	si_swapinfo(k, &free0, &total);
	assert_int_equal(total, 32767); /* 32768 pages - the header */
	assert_int_equal(free0, 32767);
	e = alloc_one(m);
	assert_int_equal(swap_map_byte(k, e), SWAP_HAS_CACHE);
	assert_int_equal(__swap_count(k, e), 0);
	assert_int_equal(swap_duplicate(k, e), 0); /* a PTE takes it */
	assert_int_equal(swap_duplicate(k, e), 0); /* fork: a second PTE */
	assert_int_equal(swap_map_byte(k, e), SWAP_HAS_CACHE | 2);
	assert_int_equal(swp_swapcount(k, e), 2);
	assert_int_equal(swapcache_prepare(k, e), -EEXIST);
	assert_check(m);
	put_swap_folio(k, page_folio(page), e); /* the folio left the swap cache */
	assert_int_equal(swap_map_byte(k, e), 2);
	assert_int_equal(swapcache_prepare(k, e), 0); /* a swap-in starts */
	assert_int_equal(swap_map_byte(k, e), SWAP_HAS_CACHE | 2);
	put_swap_folio(k, page_folio(page), e);
	swap_free(k, e);
	assert_int_equal(swap_map_byte(k, e), 1);
	si_swapinfo(k, &fr, NULL);
	assert_int_equal(fr, free0 - 1);
	swap_free(k, e);
	assert_int_equal(swap_map_byte(k, e), 0);
	si_swapinfo(k, &fr, NULL);
	assert_int_equal(fr, free0);
	assert_int_equal(swap_duplicate(k, e), -ENOENT); /* a free slot */
	assert_int_equal(swapcache_prepare(k, e), -ENOENT);
	swap_free(k, e); /* the kernel's message, nothing else */
	assert_contains(kernel_log(m), "_swap_info_get: Unused swap offset entry 00004000\n");
	assert_check(m);
	__free_pages(k, page, 0);
	kmm_machine_destroy(m);
}

/* SWAP_MAP_MAX (62) PTE references; the 63rd needs a continuation page: -ENOMEM here. */
static void test_swapfile_count_limit(void **state)
{
	struct kmm_machine *m = machine();
	struct kmm_kernel *k = K(m);
	swp_entry_t e;

	(void)state;
	swapon_ok(m, KMM_SWAP_ZRAM, "/dev/zram0", 16 * MiB, 0);
	e = alloc_one(m);
	for (int i = 0; i < SWAP_MAP_MAX; i++)
		assert_int_equal(swap_duplicate(k, e), 0);
	assert_int_equal(swap_duplicate(k, e), -ENOMEM);
	assert_int_equal(swap_map_byte(k, e), SWAP_HAS_CACHE | SWAP_MAP_MAX);
	assert_check(m);
	kmm_machine_destroy(m);
}

/* A THP takes the head of the free list whole; freeing it returns the cluster at once. */
static void test_swapfile_thp_cluster(void **state)
{
	struct kmm_machine *m = machine();
	struct kmm_kernel *k = K(m);
	struct page *thp = alloc_pages(k, GFP_HIGHUSER_MOVABLE | __GFP_COMP, 9);
	unsigned long fr, total;
	swp_entry_t e;

	(void)state;
	assert_non_null(thp);
	swapon_ok(m, KMM_SWAP_ZRAM, "/dev/zram0", 128 * MiB, 0);
	e = folio_alloc_swap(k, page_folio(thp));
	assert_int_equal(swp_offset(e), 16384);
	for (unsigned long i = 0; i < 512; i++)
		assert_int_equal(swap_map_byte(k, swp_entry(0, 16384 + i)), SWAP_HAS_CACHE);
	si_swapinfo(k, &fr, &total);
	assert_int_equal(total - fr, 512);
	/* a single slot now comes from the next free cluster, 1 */
	assert_int_equal(swp_offset(alloc_one(m)), 512);
	assert_check(m);
	put_swap_folio(k, page_folio(thp), e);
	si_swapinfo(k, &fr, &total);
	assert_int_equal(total - fr, 1);
	assert_check(m);
	__free_pages(k, thp, 9);
	kmm_machine_destroy(m);
}

/* -2, -3, -4 by default; PREFER first; swapoff renumbers; equal priorities alternate. */
static void test_swapfile_priorities(void **state)
{
	struct kmm_machine *m = machine();
	struct kmm_kernel *k = K(m);
	swp_entry_t e[4];

	(void)state;
	swapon_ok(m, KMM_SWAP_ZRAM, "/dev/zram0", 16 * MiB, 0);
	swapon_ok(m, KMM_SWAP_PLAIN, "/dev/vdb", 16 * MiB, 0);
	swapon_ok(m, KMM_SWAP_PLAIN, "/dev/vdc", 16 * MiB, 0);
	assert_string_equal(
		proc(m, "/proc/swaps"),
		"Filename\t\t\t\tType\t\tSize\t\tUsed\t\tPriority\n"
		"/dev/zram0                              partition\t16380\t\t0\t\t-2\n"
		"/dev/vdb                                partition\t16380\t\t0\t\t-3\n"
		"/dev/vdc                                partition\t16380\t\t0\t\t-4\n");
	assert_int_equal(swp_type(alloc_one(m)), 0); /* highest priority first */
	assert_int_equal(kmm_swapoff(m, "/dev/vdb"), KMM_OK);
	assert_check(m);
	assert_contains(proc(m, "/proc/swaps"), "/dev/vdc                                "
						"partition\t16380\t\t0\t\t-3\n");
	swapon_ok(m, KMM_SWAP_PLAIN, "/dev/vdd", 16 * MiB, 0);
	assert_contains(proc(m, "/proc/swaps"), "/dev/vdd                                "
						"partition\t16380\t\t0\t\t-4\n");
	/* two devices at priority 5: the allocator takes them in turn */
	swapon_ok(m, KMM_SWAP_PLAIN, "/dev/vde", 16 * MiB, KMM_SWAP_FLAG_PREFER | 5);
	swapon_ok(m, KMM_SWAP_PLAIN, "/dev/vdf", 16 * MiB, KMM_SWAP_FLAG_PREFER | 5);
	for (int i = 0; i < 4; i++)
		e[i] = alloc_one(m);
	assert_int_not_equal(swp_type(e[0]), swp_type(e[1]));
	assert_int_equal(swp_type(e[0]), swp_type(e[2]));
	assert_int_equal(swp_type(e[1]), swp_type(e[3]));
	/* /proc/swaps lists by type (zram0 0, vdd 1 reusing vdb's, vdc 2, vde 3, vdf 4) */
	assert_string_equal(proc(m, "/proc/swaps"),
			    "Filename\t\t\t\tType\t\tSize\t\tUsed\t\tPriority\n"
			    "/dev/zram0                              partition\t16380\t\t4\t\t-2\n"
			    "/dev/vdd                                partition\t16380\t\t0\t\t-4\n"
			    "/dev/vdc                                partition\t16380\t\t0\t\t-3\n"
			    "/dev/vde                                partition\t16380\t\t8\t\t5\n"
			    "/dev/vdf                                partition\t16380\t\t8\t\t5\n");
	assert_int_equal(swap_map_byte(k, e[0]), SWAP_HAS_CACHE);
	assert_check(m);
	kmm_machine_destroy(m);
}

/* The capture's zram: MemTotal/2 KiB as disksize; /proc/swaps, SwapTotal, the dmesg line. */
static void test_swapfile_zram_capture_format(void **state)
{
	struct kmm_machine *m = machine();
	char want[512];
	FILE *f;
	size_t n;

	(void)state;
	swapon_ok(m, KMM_SWAP_ZRAM, "/dev/zram0", 500482ull * 1024, 0);
	f = fopen(KMM_DATA_DIR "/oracles/linux/captures/zram-smp1-1G/zram.swaps.txt", "r");
	assert_non_null(f);
	n = fread(want, 1, sizeof(want) - 1, f);
	fclose(f);
	want[n] = 0;
	assert_string_equal(proc(m, "/proc/swaps"), want);
	assert_contains(proc(m, "/proc/meminfo"), "SwapTotal:        500480 kB\n"
						  "SwapFree:         500480 kB\n");
	assert_string_equal(proc(m, "/sys/block/zram0/disksize"), "512495616\n");
	assert_string_equal(proc(m, "/sys/block/zram0/comp_algorithm"),
			    "lzo [lzo-rle] lz4 lz4hc zstd \n");
	assert_contains(kernel_log(m), "Adding 500480k swap on /dev/zram0.  Priority:-2 "
				       "extents:1 across:500480k SSFS\n");
	kmm_machine_destroy(m);
}

/* Bad input: the kernel's errnos, nothing changed. */
static void test_swapfile_bad_input(void **state)
{
	struct kmm_machine *m = machine();
	struct kmm_swap_config c = {.kind = KMM_SWAP_ZRAM, .name = "/dev/zram0", .bytes = 0};
	struct kmm_swap_stats st;

	(void)state;
	assert_int_equal(kmm_swapon(m, &c), KMM_EINVAL); /* disksize 0 */
	c.bytes = 9 * 4096;				 /* below mkswap's 40 KiB */
	assert_int_equal(kmm_swapon(m, &c), KMM_EINVAL);
	c.bytes = 1ull << 62; /* absurd */
	assert_int_equal(kmm_swapon(m, &c), KMM_EINVAL);
	c.bytes = 16 * MiB;
	c.swap_flags = 0x80000; /* not a swapon flag */
	assert_int_equal(kmm_swapon(m, &c), KMM_EINVAL);
	c.swap_flags = 0;
	c.host_path = "/tmp/x";
	assert_int_equal(kmm_swapon(m, &c), KMM_EINVAL);
	c.host_path = NULL;
	assert_int_equal(kmm_swapon(m, NULL), KMM_EINVAL);
	assert_int_equal(kmm_swap_stats(m, &st), KMM_OK);
	assert_int_equal(st.nr_devices, 0);
	assert_int_equal(st.total_kb, 0);
	assert_int_equal(kmm_swapon(m, &c), KMM_OK);
	assert_int_equal(kmm_swapon(m, &c), KMM_EBUSY); /* swapon twice */
	assert_int_equal(kmm_swapoff(m, "/dev/nothing"), KMM_EINVAL);
	assert_int_equal(kmm_swapoff(m, NULL), KMM_EINVAL);
	alloc_one(m);
	assert_int_equal(kmm_swapoff(m, "/dev/zram0"), KMM_EBUSY); /* slots in use: refused */
	assert_int_equal(kmm_swap_stats(m, &st), KMM_OK);
	assert_int_equal(st.nr_devices, 1);
	assert_int_equal(st.total_kb, 16380);
	assert_int_equal(st.free_kb, 16376);
	assert_check(m);
	kmm_machine_destroy(m);
}

/* swapoff of an empty device; SwapTotal goes back to 0; the priority is given back. */
static void test_swapfile_swapoff(void **state)
{
	struct kmm_machine *m = machine();
	struct kmm_kernel *k = K(m);
	struct page *page = alloc_pages(k, GFP_HIGHUSER_MOVABLE, 0);
	swp_entry_t e;

	(void)state;
	swapon_ok(m, KMM_SWAP_ZRAM, "/dev/zram0", 16 * MiB, 0);
	e = alloc_one(m);
	put_swap_folio(k, page_folio(page), e); /* freed: no reference left */
	assert_int_equal(kmm_swapoff(m, "/dev/zram0"), KMM_OK);
	assert_check(m);
	assert_contains(proc(m, "/proc/meminfo"), "SwapTotal:             0 kB\n");
	assert_string_equal(proc(m, "/proc/swaps"),
			    "Filename\t\t\t\tType\t\tSize\t\tUsed\t\tPriority\n");
	assert_int_equal(get_nr_swap_pages(k), 0);
	swapon_ok(m, KMM_SWAP_ZRAM, "/dev/zram0", 16 * MiB, 0);
	assert_contains(proc(m, "/proc/swaps"), "\t-2\n");
	__free_pages(k, page, 0);
	kmm_machine_destroy(m);
}

/* ---- page I/O ------------------------------------------------------------------------------- */

static uint64_t rng_state = 0x9e3779b97f4a7c15ull;

static uint64_t rnd(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

enum fill { FILL_ZERO, FILL_WORD, FILL_RANDOM, FILL_HALF };

static void fill(struct kmm_kernel *k, struct page *page, enum fill how)
{
	uint64_t *w = page_host(k, page, PAGE_SIZE);

	for (unsigned i = 0; i < PAGE_SIZE / 8; i++)
		w[i] = how == FILL_ZERO	    ? 0
		       : how == FILL_WORD   ? 0x0123456789abcdefull
		       : how == FILL_RANDOM ? rnd()
		       : i < PAGE_SIZE / 16 ? rnd()
					    : 0;
}

static uint64_t checksum(struct kmm_kernel *k, struct page *page)
{
	const uint8_t *b = page_host(k, page, PAGE_SIZE);
	uint64_t h = 1469598103934665603ull;

	for (unsigned i = 0; i < PAGE_SIZE; i++)
		h = (h ^ b[i]) * 1099511628211ull;
	return h;
}

/*
 * A page in the swap cache at slot @e, locked for I/O, with one more count on the slot
 * standing for a PTE that maps it (so swap_writepage must write it: 6.1's swap_writepage
 * drops a cached copy nobody refers to instead of writing it).
 */
static struct page *cache_page(struct kmm_kernel *k, swp_entry_t e)
{
	struct page *page = alloc_pages(k, GFP_HIGHUSER_MOVABLE, 0);

	assert_non_null(page);
	__SetPageSwapBacked(page);
	folio_lock(page_folio(page));
	assert_int_equal(add_to_swap_cache(k, page_folio(page), e, GFP_KERNEL, NULL), 0);
	assert_int_equal(swap_duplicate(k, e), 0);
	return page;
}

/* Takes the page out of the cache (its SWAP_HAS_CACHE goes), drops the "PTE" and frees it. */
static void uncache_page(struct kmm_kernel *k, struct page *page, swp_entry_t e)
{
	folio_lock(page_folio(page));
	delete_from_swap_cache(k, page_folio(page));
	folio_unlock(page_folio(page));
	swap_free(k, e);
	__ClearPageSwapBacked(page);
	ClearPageDirty(page);
	ClearPageUptodate(page);
	__free_pages(k, page, 0);
}

/* Writes then reads back a page filled by @how; returns the zram stat after the write. */
static void round_trip(struct kmm_machine *m, enum fill how, struct kmm_zram_stat *st)
{
	struct kmm_kernel *k = K(m);
	swp_entry_t e = alloc_one(m);
	struct page *page = cache_page(k, e);
	uint64_t sum;

	fill(k, page, how);
	sum = checksum(k, page);
	assert_int_equal(swap_writepage(k, page, NULL), 0);
	swap_io_drain(k);
	assert_false(PageWriteback(page));
	assert_false(PageLocked(page));
	if (st)
		assert_int_equal(kmm_zram_stat(m, "/dev/zram0", st), KMM_OK);
	fill(k, page, FILL_ZERO);
	folio_lock(page_folio(page));
	swap_readpage(k, page, true);
	assert_true(PageUptodate(page));
	assert_false(PageLocked(page));
	assert_int_equal(checksum(k, page), sum);
	uncache_page(k, page, e);
	assert_check(m);
}

static void test_swapfile_zram_sizes(void **state)
{
	struct kmm_machine *m = machine();
	struct kmm_zram_stat st;
	uint8_t src[PAGE_SIZE], dst[PAGE_SIZE + PAGE_SIZE / 16 + 67];
	static uint8_t wrk[LZO1X_1_MEM_COMPRESS];
	lzo_uint len = sizeof(dst);
	uint64_t save;

	(void)state;
	assert_int_equal(zs_huge_class_size(), 3257);
	swapon_ok(m, KMM_SWAP_ZRAM, "/dev/zram0", 16 * MiB, 0);
	round_trip(m, FILL_ZERO, &st);
	assert_int_equal(st.orig_data_size, 4096);
	assert_int_equal(st.same_pages, 1);
	assert_int_equal(st.compr_data_size, 0);
	assert_int_equal(st.mem_used_total, 0);
	round_trip(m, FILL_WORD, &st);
	assert_int_equal(st.same_pages, 1); /* the zero page's slot was freed */
	assert_int_equal(st.compr_data_size, 0);
	round_trip(m, FILL_RANDOM, &st);
	assert_int_equal(st.orig_data_size, 4096);
	assert_int_equal(st.compr_data_size, 4096);
	assert_int_equal(st.huge_pages, 1);
	assert_int_equal(st.huge_pages_since, 1);
	assert_int_equal(st.mem_used_total, 4096);
	/* half random: what liblzo2 itself makes of the same bytes */
	save = rng_state;
	for (unsigned i = 0; i < PAGE_SIZE / 8; i++) {
		uint64_t w = i < PAGE_SIZE / 16 ? rnd() : 0;

		memcpy(src + 8 * i, &w, 8);
	}
	rng_state = save;
	assert_int_equal(lzo_init(), LZO_E_OK);
	assert_int_equal(lzo1x_1_compress(src, PAGE_SIZE, dst, &len, wrk), LZO_E_OK);
	round_trip(m, FILL_HALF, &st);
	assert_int_equal(st.compr_data_size, len);
	assert_int_equal(st.huge_pages, 0);
	assert_int_equal(st.huge_pages_since, 1); /* since: never goes down */
	/*
	 * liblzo2 makes 2213 bytes of it (random literals do not shrink); with the 8-byte handle
	 * 2221 -> class index ceil((2221 - 32) / 16) = 137, the 2224-byte class: zspages of 4
	 * pages (92% used; 1, 2, 3 pages: 54%, 81%, 90%) holding 7 objects. One object: 4 pages.
	 */
	assert_true(len + 8 > 2208 && len + 8 <= 2224);
	assert_int_equal(st.mem_used_total, 4 * 4096);
	assert_int_equal(st.mem_used_max, 4 * 4096);
	/* every slot freed again: only the maxima remain */
	assert_string_equal(
		proc(m, "/sys/block/zram0/mm_stat"),
		"       0        0        0        0    16384        0        0        0"
		"        1\n");
	kmm_machine_destroy(m);
}

/* The plain device: writeback until completion on the clock; pgpgout in KiB; data intact. */
static void test_swapfile_plain_device_io(void **state)
{
	struct kmm_machine *m = machine();
	struct kmm_kernel *k = K(m);
	struct kmm_swap_stats st;
	swp_entry_t e;
	struct page *page;
	uint64_t sum, t0;

	(void)state;
	swapon_ok(m, KMM_SWAP_PLAIN, "/dev/vdb", 16 * MiB, 0);
	e = alloc_one(m);
	page = cache_page(k, e);
	fill(k, page, FILL_RANDOM);
	sum = checksum(k, page);
	t0 = k->env->cycles;
	assert_int_equal(swap_writepage(k, page, NULL), 0);
	assert_true(PageWriteback(page)); /* the bio is in flight */
	assert_false(PageLocked(page));
	assert_int_equal(k->node_data[0]->vm_stat[NR_WRITEBACK], 1);
	assert_check(m);
	swap_io_drain(k);
	assert_false(PageWriteback(page));
	assert_int_equal(k->node_data[0]->vm_stat[NR_WRITEBACK], 0);
	assert_true(k->env->cycles >= t0 + k->env->cost[COST_swap_io_latency]);
	fill(k, page, FILL_ZERO);
	folio_lock(page_folio(page));
	swap_readpage(k, page, false);
	assert_true(PageLocked(page)); /* the read completes later */
	assert_false(PageUptodate(page));
	swap_io_drain(k);
	assert_true(PageUptodate(page));
	assert_false(PageLocked(page));
	assert_int_equal(checksum(k, page), sum);
	assert_int_equal(kmm_swap_stats(m, &st), KMM_OK);
	assert_int_equal(st.pswpout, 1);
	assert_int_equal(st.pswpin, 1);
	assert_int_equal(st.pgpgout_kb, 4); /* 8 sectors, shown halved */
	assert_int_equal(st.pgpgin_kb, 4);
	assert_contains(proc(m, "/proc/vmstat"), "\npgpgout 4\n");
	uncache_page(k, page, e);
	assert_check(m);
	kmm_machine_destroy(m);
}

/* zram: small pages by rw_page (no pgpgin/pgpgout), synchronous. */
static void test_swapfile_zram_no_block_counts(void **state)
{
	struct kmm_machine *m = machine();
	struct kmm_swap_stats st;

	(void)state;
	swapon_ok(m, KMM_SWAP_ZRAM, "/dev/zram0", 16 * MiB, 0);
	round_trip(m, FILL_HALF, NULL);
	round_trip(m, FILL_RANDOM, NULL);
	assert_int_equal(kmm_swap_stats(m, &st), KMM_OK);
	assert_int_equal(st.pswpout, 2);
	assert_int_equal(st.pswpin, 2);
	assert_int_equal(st.pgpgout_kb, 0);
	assert_int_equal(st.pgpgin_kb, 0);
	kmm_machine_destroy(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_swapfile_cluster_order),
		cmocka_unit_test(test_swapfile_slot_counts),
		cmocka_unit_test(test_swapfile_count_limit),
		cmocka_unit_test(test_swapfile_thp_cluster),
		cmocka_unit_test(test_swapfile_priorities),
		cmocka_unit_test(test_swapfile_zram_capture_format),
		cmocka_unit_test(test_swapfile_bad_input),
		cmocka_unit_test(test_swapfile_swapoff),
		cmocka_unit_test(test_swapfile_zram_sizes),
		cmocka_unit_test(test_swapfile_plain_device_io),
		cmocka_unit_test(test_swapfile_zram_no_block_counts),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
