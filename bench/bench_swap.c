/*
 * kmmbench swap: the swap device layer (src/mm/page_io.c, src/drivers/zram.c) moving pages
 * out and back in, beside liblzo2 compressing the same bytes on its own.
 *
 *   swap-out plain   swap_writepage of 16384 pages to a plain device (contents in host
 *                    memory), completions run on the simulated clock (swap_io_drain)
 *   swap-out zram    the same to zram: same-filled check, LZO1X-1, the zsmalloc accounting
 *   lzo1x_1 alone    liblzo2's lzo1x_1_compress of the same pages: the floor of zram's cost
 *   fresh host memory  the same pages copied into newly mapped host memory: the floor of the
 *                    plain device's cost, which must place every slot's 4 KiB in host memory
 *                    that has not been touched before (the host's page-fault cost; on
 *                    virtualised hosts with shadow paging it dominates)
 *   swap-in plain/zram  swap_readpage (synchronous) of every slot back into a page
 *
 * The pages are half random (2 KiB of random bytes, then zeros), as the capture's zram hog
 * writes them: about 2.2 KB compressed each (the 2224-byte zsmalloc class). The pages sit in
 * a swap-cache-like state (PG_swapcache, the slot in page->private, locked) as reclaim's
 * pageout hands them over; reclaim itself (vmscan.c) and the swap cache (swap_state.c) are
 * not in the timed path.
 */
#include <kmm/kmm.h>
#include <lzo1x.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>

#include "bench.h"
#include "mm/page-flags.h"
#include "mm/pagemap.h"
#include "mm/swapfile.h"
#include "sim/machine.h"

#define BS_PAGES 16384u /* 64 MiB through the device per run */
#define BS_POOL	 256u	/* distinct page contents, reused round robin */

struct bs_run {
	double out_ns, out_sim_ns, in_ns, in_sim_ns;
};

static struct kmm_machine *bs_machine(void)
{
	struct kmm_config cfg;
	struct kmm_machine *m;

	kmm_config_init(&cfg);
	if (kmm_config_option(&cfg, "-m", "1G") || kmm_config_option(&cfg, "-smp", "1") ||
	    kmm_machine_create(&cfg, &m)) {
		fprintf(stderr, "swap: machine: %s\n", kmm_last_error(NULL));
		return NULL;
	}
	return m;
}

static uint64_t bs_rnd(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

static void bs_fill(uint8_t *p, uint64_t *seed)
{
	for (unsigned i = 0; i < 4096 / 8; i++) {
		uint64_t w = i < 256 ? bs_rnd(seed) : 0;

		memcpy(p + 8 * i, &w, 8);
	}
}

/* One device: N pages out, N back in; false on failure (printed). */
static bool bs_device(enum kmm_swap_kind kind, struct bs_run *r)
{
	struct kmm_machine *m = bs_machine();
	struct kmm_kernel *k;
	struct kmm_swap_config c = {.kind = kind,
				    .name = kind == KMM_SWAP_ZRAM ? "/dev/zram0" : "/dev/vdb",
				    .bytes = 256ull << 20};
	static struct page *pool[BS_POOL];
	static swp_entry_t slot[BS_PAGES];
	uint64_t seed = 0x2545f4914f6cdd1dull, t0, s0;
	bool ok = false;

	if (!m)
		return false;
	k = &m->kernel;
	if (kmm_swapon(m, &c)) {
		fprintf(stderr, "swap: swapon: %s\n", kmm_last_error(m));
		goto out;
	}
	for (unsigned i = 0; i < BS_POOL; i++) {
		pool[i] = alloc_pages(k, GFP_HIGHUSER_MOVABLE, 0);
		if (!pool[i])
			goto out;
		bs_fill(page_host(k, pool[i], 4096), &seed);
		__SetPageSwapBacked(pool[i]);
		SetPageSwapCache(pool[i]);
	}
	for (unsigned i = 0; i < BS_PAGES; i++)
		if (get_swap_pages(k, 1, &slot[i], 1) != 1)
			goto out;
	t0 = bench_now_ns();
	s0 = kmm_clock_ns(m);
	for (unsigned i = 0; i < BS_PAGES; i++) {
		struct page *p = pool[i % BS_POOL];

		p->private = slot[i].val;
		folio_lock(page_folio(p));
		swap_writepage(k, p, NULL);
		if (PageWriteback(p) && i % BS_POOL == BS_POOL - 1)
			swap_io_drain(k); /* the pool's pages come back before their reuse */
	}
	swap_io_drain(k);
	r->out_ns = (double)(bench_now_ns() - t0) / BS_PAGES;
	r->out_sim_ns = (double)(kmm_clock_ns(m) - s0) / BS_PAGES;
	t0 = bench_now_ns();
	s0 = kmm_clock_ns(m);
	for (unsigned i = 0; i < BS_PAGES; i++) {
		struct page *p = pool[i % BS_POOL];

		p->private = slot[i].val;
		folio_lock(page_folio(p));
		ClearPageUptodate(p);
		swap_readpage(k, p, true);
	}
	r->in_ns = (double)(bench_now_ns() - t0) / BS_PAGES;
	r->in_sim_ns = (double)(kmm_clock_ns(m) - s0) / BS_PAGES;
	for (unsigned i = 0; i < BS_PAGES; i++)
		put_swap_folio(k, page_folio(pool[0]), slot[i]);
	for (unsigned i = 0; i < BS_POOL; i++) {
		ClearPageSwapCache(pool[i]);
		__ClearPageSwapBacked(pool[i]);
		ClearPageUptodate(pool[i]);
		pool[i]->private = 0;
		__free_pages(k, pool[i], 0);
	}
	ok = true;
out:
	kmm_machine_destroy(m);
	return ok;
}

/* liblzo2 alone on the same page contents: ns per page. */
static double bs_lzo(void)
{
	static uint8_t src[BS_POOL][4096], dst[4096 + 4096 / 16 + 67];
	static uint8_t wrk[LZO1X_1_MEM_COMPRESS];
	uint64_t seed = 0x2545f4914f6cdd1dull, t0, sum = 0;

	lzo_init();
	for (unsigned i = 0; i < BS_POOL; i++)
		bs_fill(src[i], &seed);
	t0 = bench_now_ns();
	for (unsigned i = 0; i < BS_PAGES; i++) {
		lzo_uint len = sizeof(dst);

		lzo1x_1_compress(src[i % BS_POOL], 4096, dst, &len, wrk);
		sum += len;
	}
	(void)sum;
	return (double)(bench_now_ns() - t0) / BS_PAGES;
}

/* The same page contents copied into fresh host memory (mmap, first touch): ns per page. */
static double bs_fresh(void)
{
	static uint8_t src[BS_POOL][4096];
	uint64_t seed = 0x2545f4914f6cdd1dull, t0;
	size_t len = (size_t)BS_PAGES * 4096;
	uint8_t *dst;
	double ns;

	for (unsigned i = 0; i < BS_POOL; i++)
		bs_fill(src[i], &seed);
	t0 = bench_now_ns();
	dst = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (dst == MAP_FAILED)
		return 0;
	for (unsigned i = 0; i < BS_PAGES; i++)
		memcpy(dst + (size_t)i * 4096, src[i % BS_POOL], 4096);
	munmap(dst, len);
	ns = (double)(bench_now_ns() - t0) / BS_PAGES;
	return ns;
}

static void bs_rate(struct bench *b, const char *metric, const double *ns, int n, const char *note)
{
	double rate[BENCH_MAX_RUNS];

	for (int i = 0; i < n; i++)
		rate[i] = 1e9 / ns[i];
	bench_figure(b, metric, "pages/s", rate, n, note);
}

int bench_swap(struct bench *b)
{
	double out[2][BENCH_MAX_RUNS], outs[2][BENCH_MAX_RUNS], in[2][BENCH_MAX_RUNS],
		ins[2][BENCH_MAX_RUNS], lzo[BENCH_MAX_RUNS], fresh[BENCH_MAX_RUNS],
		ratio[BENCH_MAX_RUNS];
	static const char *const dev[2] = {"plain", "zram"};

	for (int r = 0; r < b->runs; r++) {
		for (int d = 0; d < 2; d++) {
			struct bs_run run;

			if (!bs_device(d ? KMM_SWAP_ZRAM : KMM_SWAP_PLAIN, &run))
				return 1;
			out[d][r] = run.out_ns;
			outs[d][r] = run.out_sim_ns;
			in[d][r] = run.in_ns;
			ins[d][r] = run.in_sim_ns;
		}
		lzo[r] = bs_lzo();
		fresh[r] = bs_fresh();
		if (fresh[r] <= 0)
			return 1;
		ratio[r] = fresh[r] / out[0][r];
	}
	for (int d = 0; d < 2; d++) {
		char metric[96];

		snprintf(metric, sizeof(metric), "swap-out %s: simulator (host time)", dev[d]);
		bs_rate(b, metric, out[d], b->runs, NULL);
		snprintf(metric, sizeof(metric), "swap-out %s: simulated time", dev[d]);
		bs_rate(b, metric, outs[d], b->runs, d ? NULL : "the device's latency, queued");
		snprintf(metric, sizeof(metric), "swap-in %s: simulator (host time)", dev[d]);
		bs_rate(b, metric, in[d], b->runs, NULL);
		snprintf(metric, sizeof(metric), "swap-in %s: simulated time", dev[d]);
		bs_rate(b, metric, ins[d], b->runs, NULL);
	}
	bs_rate(b, "lzo1x_1_compress alone, same pages", lzo, b->runs,
		"liblzo2 on the host: zram's floor");
	bs_rate(b, "copy into fresh host memory, same pages", fresh, b->runs,
		"the host's first-touch cost: the plain device's floor");
	bench_figure(b, "swap-out plain / fresh host memory", "x", ratio, b->runs,
		     "1.0 would be the host's own first-touch rate");
	bench_note(b, "16384 half-random pages per run through swap_writepage/swap_readpage on "
		      "a -m 1G -smp 1 machine; 256 MiB devices");
	return 0;
}
