/*
 * kmmbench reclaim: page reclaim, swap-in and the OOM killer through the whole simulated path
 * (a task's faults through its CPU's MMU, the page allocator's slow path, kswapd and direct
 * reclaim, the swap devices), in host time beside simulated time:
 *
 *   clean file reclaim  a 1 GiB machine holds 640 MiB of clean page cache (a generated file
 *                       read once); a task then writes 512 MiB of anonymous memory, and
 *                       reclaim drops file pages to make room: pgsteal_file per host second
 *                       of the write. Its peer: the same write on a machine with no cache
 *                       (the faults alone), and the ratio of the two writes' host times.
 *                       Both run warm: the write, munmap and cache read are done once first
 *                       so that the timed pass touches no host memory for the first time
 *                       (a host's first touch of fresh memory costs more than a simulated
 *                       fault: tens of microseconds on virtualised hosts with shadow paging)
 *   kswapd alone        the same 640 MiB of clean page cache; vm.min_free_kbytes 256 MiB and
 *                       vm.watermark_scale_factor 3000 put the low watermark above the free
 *                       memory and the high one at ~844 MiB; one page fault wakes kswapd, and
 *                       the machine idles while kswapd reclaims to the high watermark:
 *                       pgsteal_kswapd per host second of that, the reclaim path alone (no
 *                       host page is touched for the first time: pages are only freed)
 *   swap-in faults      64 MiB of anonymous memory written, MADV_PAGEOUT to zram, then read
 *                       back by the task: one major fault per page (pswpin per host
 *                       second). The same on the plain device gives swap-cache faults: its
 *                       writes complete later on the simulated clock, so reclaim keeps the
 *                       pages in the swap cache (PG_writeback) and the task's loads find them
 *                       there (minor faults, no pswpin), as 6.1 does
 *   OOM run             examples/scenarios/oom-hog.kmm (/init's hog: 8 MiB chunks until
 *                       the OOM killer kills it) end to end on -m 1G -smp 1, boot included;
 *                       the 4 GiB machine once, in the first run only
 *
 * Host time is wall time on whatever else the host runs: read the ratios, not the digits.
 */
#include <kmm/kmm.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench.h"
#include "sim/machine.h"

#define BR_FILE	 (640ull << 20)
#define BR_ANON	 (512ull << 20)
#define BR_SWAP	 (64ull << 20)
#define BR_CHUNK (4ull << 20)

static struct kmm_machine *br_machine(const char *ram)
{
	struct kmm_config cfg;
	struct kmm_machine *m;

	kmm_config_init(&cfg);
	if (kmm_config_option(&cfg, "-m", ram) || kmm_config_option(&cfg, "-smp", "1") ||
	    kmm_config_option(&cfg, "-cpu", "cortex-a57") || kmm_machine_create(&cfg, &m)) {
		fprintf(stderr, "reclaim: machine: %s\n", kmm_last_error(NULL));
		return NULL;
	}
	return m;
}

static unsigned long br_ev(struct kmm_machine *m, enum vm_event_item i)
{
	return m->kernel.vm_events[i];
}

/* Reads @size bytes of @path as task @pid, 4 MiB at a time (the page cache fills). */
static bool br_read(struct kmm_machine *m, kmm_pid_t pid, const char *path, uint64_t size)
{
	static char buf[BR_CHUNK];
	uint64_t done;
	int fd;

	if (kmm_file_open(m, pid, path, KMM_O_RDONLY, &fd))
		return false;
	for (uint64_t off = 0; off < size; off += BR_CHUNK)
		if (kmm_file_pread(m, pid, fd, buf, BR_CHUNK, off, &done) || done != BR_CHUNK)
			return false;
	return kmm_file_close(m, pid, fd) == KMM_OK;
}

struct br_write {
	double ns, sim_ns;
	unsigned long steal_file;
};

/* A task writes BR_ANON of anonymous memory, after @cache bytes of page cache were read. */
static bool br_write_after_cache(uint64_t cache, struct br_write *w)
{
	struct kmm_machine *m = br_machine("1G");
	unsigned long steal0;
	kmm_pid_t pid;
	kmm_va_t va;
	uint64_t t0, s0, done;
	bool ok = false;

	if (!m)
		return false;
	if (kmm_task_create(m, "bench", 0, &pid))
		goto out;
	if (cache && (kmm_file_create_generated(m, "/mnt/disk/cache.bin", cache, 1) ||
		      !br_read(m, pid, "/mnt/disk/cache.bin", cache)))
		goto out;
	for (int warm = 0; warm < 2; warm++) {
		if (kmm_mmap(m, pid, 0, BR_ANON, KMM_PROT_READ | KMM_PROT_WRITE,
			     KMM_MAP_PRIVATE | KMM_MAP_ANONYMOUS, -1, 0, &va))
			goto out;
		if (warm)
			break;
		/* the untimed pass: every host page the timed one uses gets touched */
		if (kmm_task_touch(m, pid, KMM_ACCESS_STORE, va, BR_ANON, 4096, KMM_TOUCH_SEQ, 0x5a,
				   &done) ||
		    kmm_munmap(m, pid, va, BR_ANON) ||
		    (cache && !br_read(m, pid, "/mnt/disk/cache.bin", cache)))
			goto out;
	}
	steal0 = br_ev(m, PGSTEAL_FILE);
	t0 = bench_now_ns();
	s0 = kmm_clock_ns(m);
	if (kmm_task_touch(m, pid, KMM_ACCESS_STORE, va, BR_ANON, 4096, KMM_TOUCH_SEQ, 0x5a, &done))
		goto out;
	w->ns = (double)(bench_now_ns() - t0);
	w->sim_ns = (double)(kmm_clock_ns(m) - s0);
	w->steal_file = br_ev(m, PGSTEAL_FILE) - steal0;
	ok = true;
out:
	if (!ok)
		fprintf(stderr, "reclaim: write after cache: %s\n", kmm_last_error(m));
	kmm_machine_destroy(m);
	return ok;
}

/* kswapd alone: clean page cache reclaimed to a raised high watermark. */
static bool br_kswapd(double *rate, double *sim_rate, unsigned long *pages)
{
	struct kmm_machine *m = br_machine("1G");
	unsigned long steal0;
	kmm_pid_t pid;
	kmm_va_t va;
	uint64_t t0, b0, done;
	bool ok = false;

	if (!m)
		return false;
	if (kmm_task_create(m, "bench", 0, &pid) ||
	    kmm_file_create_generated(m, "/mnt/disk/cache.bin", BR_FILE, 1) ||
	    !br_read(m, pid, "/mnt/disk/cache.bin", BR_FILE) ||
	    kmm_mmap(m, pid, 0, 4096, KMM_PROT_READ | KMM_PROT_WRITE,
		     KMM_MAP_PRIVATE | KMM_MAP_ANONYMOUS, -1, 0, &va) ||
	    kmm_sysctl(m, "vm.min_free_kbytes", "262144") ||
	    kmm_sysctl(m, "vm.watermark_scale_factor", "3000"))
		goto out;
	steal0 = br_ev(m, PGSTEAL_KSWAPD);
	t0 = bench_now_ns();
	b0 = kmm_clock_cpu_busy_cycles(m, 0);
	if (kmm_task_touch(m, pid, KMM_ACCESS_STORE, va, 4096, 4096, KMM_TOUCH_SEQ, 1, &done) ||
	    kmm_idle(m, 2000000000ull))
		goto out;
	*pages = br_ev(m, PGSTEAL_KSWAPD) - steal0;
	if (!*pages)
		goto out;
	*rate = (double)*pages * 1e9 / (double)(bench_now_ns() - t0);
	/* simulated: the CPU's busy time (kswapd's work), not the idle wait after it */
	*sim_rate = (double)*pages * 1e9 /
		    ((double)(kmm_clock_cpu_busy_cycles(m, 0) - b0) * (double)kmm_clock_ns(m) /
		     (double)kmm_clock_cycles(m));
	ok = true;
out:
	if (!ok)
		fprintf(stderr, "reclaim: kswapd alone: %s\n", kmm_last_error(m));
	kmm_machine_destroy(m);
	return ok;
}

/* Swap-in faults: BR_SWAP written, paged out to @kind, read back. ns per page swapped in. */
static bool br_swapin(enum kmm_swap_kind kind, double *ns, double *sim_ns)
{
	struct kmm_machine *m = br_machine("1G");
	struct kmm_swap_config c = {.kind = kind,
				    .name = kind == KMM_SWAP_ZRAM ? "/dev/zram0" : "/dev/vdb",
				    .bytes = 256ull << 20};
	unsigned long f0, faults;
	kmm_pid_t pid;
	kmm_va_t va;
	uint64_t t0, s0, done;
	bool ok = false;

	if (!m)
		return false;
	if (kmm_swapon(m, &c) || kmm_task_create(m, "bench", 0, &pid) ||
	    kmm_mmap(m, pid, 0, BR_SWAP, KMM_PROT_READ | KMM_PROT_WRITE,
		     KMM_MAP_PRIVATE | KMM_MAP_ANONYMOUS, -1, 0, &va) ||
	    kmm_task_touch(m, pid, KMM_ACCESS_STORE, va, BR_SWAP, 4096, KMM_TOUCH_SEQ,
			   0x1234567890abcdefull, &done) ||
	    kmm_madvise(m, pid, va, BR_SWAP, KMM_MADV_PAGEOUT))
		goto out;
	kmm_idle(m, 10000000); /* the plain device's writes complete */
	f0 = br_ev(m, PGFAULT);
	t0 = bench_now_ns();
	s0 = kmm_clock_ns(m);
	if (kmm_task_touch(m, pid, KMM_ACCESS_LOAD, va, BR_SWAP, 4096, KMM_TOUCH_SEQ, 0, &done))
		goto out;
	faults = br_ev(m, PGFAULT) - f0;
	if (faults < (BR_SWAP >> 12) || (kind == KMM_SWAP_ZRAM && br_ev(m, PSWPIN) < faults))
		goto out;
	*ns = (double)(bench_now_ns() - t0) / (double)faults;
	*sim_ns = (double)(kmm_clock_ns(m) - s0) / (double)faults;
	ok = true;
out:
	if (!ok)
		fprintf(stderr, "reclaim: swap-in: %s\n", kmm_last_error(m));
	kmm_machine_destroy(m);
	return ok;
}

static void br_sink(void *arg, const char *text, size_t len)
{
	(void)arg;
	(void)text;
	(void)len;
}

/* The OOM scenario end to end: host seconds (0 on failure, printed). */
static double br_oom(const char *ram)
{
	static const char scenario[] = "boot\ntask init\nhog hog 8 1048576\ncheck\n";
	struct kmm_config cfg;
	uint64_t t0;

	kmm_config_init(&cfg);
	if (kmm_config_option(&cfg, "-m", ram) || kmm_config_option(&cfg, "-smp", "1") ||
	    kmm_config_option(&cfg, "-cpu", "cortex-a57"))
		return 0;
	t0 = bench_now_ns();
	if (kmm_scenario_run(scenario, "oom-hog", &cfg, br_sink, NULL)) {
		fprintf(stderr, "reclaim: oom scenario: %s\n", kmm_last_error(NULL));
		return 0;
	}
	return (double)(bench_now_ns() - t0) / 1e9;
}

int bench_reclaim(struct bench *b)
{
	double steal[BENCH_MAX_RUNS], steal_sim[BENCH_MAX_RUNS], fault[BENCH_MAX_RUNS],
		cost[BENCH_MAX_RUNS], in[2][BENCH_MAX_RUNS], in_sim[2][BENCH_MAX_RUNS],
		oom[BENCH_MAX_RUNS], oom4[1], ksw[BENCH_MAX_RUNS], ksw_sim[BENCH_MAX_RUNS];
	static const char *const dev[2] = {"swap-cache faults (plain device)",
					   "swap-in faults (zram)"};
	unsigned long stolen = 0, ksw_pages = 0;

	for (int r = 0; r < b->runs; r++) {
		struct br_write with, without;

		if (!br_write_after_cache(BR_FILE, &with) || !br_write_after_cache(0, &without) ||
		    !with.steal_file)
			return 1;
		stolen = with.steal_file;
		if (!br_kswapd(&ksw[r], &ksw_sim[r], &ksw_pages))
			return 1;
		steal[r] = (double)with.steal_file * 1e9 / with.ns;
		steal_sim[r] = (double)with.steal_file * 1e9 / with.sim_ns;
		fault[r] = (double)(BR_ANON >> 12) * 1e9 / without.ns;
		cost[r] = with.ns / without.ns;
		for (int d = 0; d < 2; d++) {
			double ns, sim;

			if (!br_swapin(d ? KMM_SWAP_ZRAM : KMM_SWAP_PLAIN, &ns, &sim))
				return 1;
			in[d][r] = 1e9 / ns;
			in_sim[d][r] = 1e9 / sim;
		}
		oom[r] = br_oom("1G");
		if (oom[r] <= 0)
			return 1;
	}
	oom4[0] = br_oom("4G");
	if (oom4[0] <= 0)
		return 1;
	bench_figure(b, "clean file reclaim: simulator (host time)", "pages/s", steal, b->runs,
		     "pgsteal_file per host second of a 512 MiB anon write");
	bench_figure(b, "clean file reclaim: simulated time", "pages/s", steal_sim, b->runs, NULL);
	bench_figure(b, "kswapd alone, clean file pages: simulator (host time)", "pages/s", ksw,
		     b->runs, "pgsteal_kswapd per host second, reclaim to a raised high watermark");
	bench_figure(b, "kswapd alone: simulated time", "pages/s", ksw_sim, b->runs,
		     "per simulated second of CPU busy time");
	bench_figure(b, "anon write faults, no cache (peer)", "pages/s", fault, b->runs,
		     "the same write with nothing to reclaim");
	bench_figure(b, "write with cache to reclaim / without", "x", cost, b->runs,
		     "host time of the same write; 1.0: reclaim costs nothing");
	for (int d = 0; d < 2; d++) {
		char metric[96];

		snprintf(metric, sizeof(metric), "%s: simulator (host time)", dev[d]);
		bench_figure(b, metric, "pages/s", in[d], b->runs, NULL);
		snprintf(metric, sizeof(metric), "%s: simulated time", dev[d]);
		bench_figure(b, metric, "pages/s", in_sim[d], b->runs, NULL);
	}
	bench_figure(b, "OOM run -m 1G (boot to kill)", "s", oom, b->runs, "host seconds");
	bench_figure(b, "OOM run -m 4G (boot to kill)", "s", oom4, 1, "host seconds, one run");
	bench_note(b,
		   "-m 1G -smp 1 -cpu cortex-a57 machines; %lu file pages reclaimed per run by "
		   "the write, %lu by kswapd alone",
		   stolen, ksw_pages);
	return 0;
}
