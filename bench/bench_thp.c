/*
 * kmmbench thp: anonymous THP faults (do_huge_pmd_anonymous_page: one 2 MiB block, zeroed,
 * mapped by one PMD) per host second, beside the host kernel's own THP faults in this process.
 *
 *   simulator, fresh RAM     one store per 2 MiB of a new 2 MiB-aligned mapping on a machine
 *                            that never wrote that RAM: the 2 MiB zeroing is charged on the
 *                            simulated clock, and the host skips it (RAM never written reads
 *                            as zero, phys.h)
 *   simulator, reused RAM    the same after the 256 MiB were written whole and unmapped: each
 *                            fault's zeroing is a 2 MiB memset of written host memory
 *   host kernel              mmap 2 MiB-aligned, madvise(MADV_HUGEPAGE), one store per 2 MiB;
 *                            /proc/self/smaps' AnonHugePages of the mapping says how many of
 *                            them the host made huge (printed: a host with THP disabled gives
 *                            4 KiB faults, and the row says so)
 * Simulated time (the cost model's clock) per fault is reported beside host time.
 */
#include <kmm/kmm.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "bench.h"
#include "mm/internal.h"
#include "sim/machine.h"

#define BT_HP	(2ull << 20)
#define BT_LEN	(256ull << 20) /* 128 THPs a pass */
#define BT_VA	0x40000000ull  /* 2 MiB aligned */
#define BT_NTHP (BT_LEN / BT_HP)

static bool bt_fail(struct kmm_machine *m, const char *what)
{
	fprintf(stderr, "thp: %s: %s\n", what, kmm_last_error(m));
	kmm_machine_destroy(m);
	return false;
}

/* Maps BT_LEN at BT_VA and stores one word per 2 MiB: faults/s (host) and ns/fault (sim). */
static bool bt_pass(struct kmm_machine *m, kmm_pid_t pid, double *rate, double *sim_ns)
{
	kmm_va_t va;
	uint64_t t0, s0, before = m->kernel.vm_events[THP_FAULT_ALLOC];

	if (kmm_mmap(m, pid, BT_VA, BT_LEN, KMM_PROT_READ | KMM_PROT_WRITE,
		     KMM_MAP_PRIVATE | KMM_MAP_ANONYMOUS | KMM_MAP_FIXED, -1, 0, &va))
		return false;
	t0 = bench_now_ns();
	s0 = kmm_clock_ns(m);
	if (kmm_task_touch(m, pid, KMM_ACCESS_STORE, va, BT_LEN, BT_HP, KMM_TOUCH_SEQ, 1, NULL))
		return false;
	*rate = (double)BT_NTHP / ((double)(bench_now_ns() - t0) / 1e9);
	*sim_ns = (double)(kmm_clock_ns(m) - s0) / (double)BT_NTHP;
	if (m->kernel.vm_events[THP_FAULT_ALLOC] - before != BT_NTHP) {
		fprintf(stderr, "thp: %lu THP faults, not %llu\n",
			(unsigned long)(m->kernel.vm_events[THP_FAULT_ALLOC] - before), BT_NTHP);
		return false;
	}
	return true;
}

static bool bt_sim(double *fresh, double *fresh_sim, double *reused, double *reused_sim)
{
	struct kmm_config cfg;
	struct kmm_machine *m = NULL;
	kmm_pid_t pid;

	kmm_config_init(&cfg);
	if (kmm_config_option(&cfg, "-m", "2G") || kmm_machine_create(&cfg, &m)) {
		fprintf(stderr, "thp: machine: %s\n", kmm_last_error(NULL));
		return false;
	}
	if (kmm_task_create(m, "thp", 0, &pid))
		return bt_fail(m, "task");
	if (!bt_pass(m, pid, fresh, fresh_sim))
		return bt_fail(m, "fresh pass");
	/* write every page, unmap: the blocks go back with their host memory written */
	if (kmm_task_touch(m, pid, KMM_ACCESS_STORE, BT_VA, BT_LEN, 0, KMM_TOUCH_SEQ, 2, NULL) ||
	    kmm_munmap(m, pid, BT_VA, BT_LEN))
		return bt_fail(m, "write and unmap");
	if (!bt_pass(m, pid, reused, reused_sim))
		return bt_fail(m, "reused pass");
	if (kmm_check(m) != KMM_OK)
		return bt_fail(m, "check");
	kmm_machine_destroy(m);
	return true;
}

/* The AnonHugePages kB /proc/self/smaps shows for the mapping that starts at @start. */
static long host_anon_huge_kb(const char *start)
{
	FILE *f = fopen("/proc/self/smaps", "r");
	char line[256], want[32];
	bool in = false;
	long kb = -1;

	if (!f)
		return -1;
	snprintf(want, sizeof(want), "%lx-", (unsigned long)(uintptr_t)start);
	while (fgets(line, sizeof(line), f)) {
		if (strchr(line, '-') && strncmp(line, want, strlen(want)) == 0)
			in = true;
		else if (in && strncmp(line, "AnonHugePages:", 14) == 0) {
			kb = strtol(line + 14, NULL, 10);
			break;
		}
	}
	fclose(f);
	return kb;
}

/* The host kernel: THP faults/s over BT_LEN; *huge: how many of the faults gave a THP. */
static bool bt_host(double *rate, double *huge)
{
	char *raw = mmap(NULL, BT_LEN + BT_HP, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
			 -1, 0),
	     *p;
	uint64_t t0;

	if (raw == MAP_FAILED)
		return false;
	p = (char *)(((uintptr_t)raw + BT_HP - 1) & ~(uintptr_t)(BT_HP - 1));
	/* only the aligned part: a VMA of its own, so smaps reports it alone */
	if (p != raw)
		munmap(raw, (size_t)(p - raw));
	munmap(p + BT_LEN, (size_t)(raw + BT_LEN + BT_HP - (p + BT_LEN)));
#ifdef MADV_HUGEPAGE
	madvise(p, BT_LEN, MADV_HUGEPAGE);
#endif
	t0 = bench_now_ns();
	for (uint64_t off = 0; off < BT_LEN; off += BT_HP)
		((volatile char *)p)[off] = 1;
	*rate = (double)BT_NTHP / ((double)(bench_now_ns() - t0) / 1e9);
	*huge = (double)host_anon_huge_kb(p) / (double)(BT_HP >> 10);
	munmap(p, BT_LEN);
	return true;
}

int bench_thp(struct bench *b)
{
	double fresh[BENCH_MAX_RUNS] = {0}, fresh_sim[BENCH_MAX_RUNS] = {0};
	double reused[BENCH_MAX_RUNS] = {0}, reused_sim[BENCH_MAX_RUNS] = {0};
	double host[BENCH_MAX_RUNS] = {0}, huge[BENCH_MAX_RUNS] = {0};
	int runs = b->runs;
	double min_huge = 1e9;

	for (int i = 0; i < runs; i++) {
		if (!bt_sim(&fresh[i], &fresh_sim[i], &reused[i], &reused_sim[i]) ||
		    !bt_host(&host[i], &huge[i]))
			return 1;
		min_huge = huge[i] < min_huge ? huge[i] : min_huge;
	}
	bench_figure(b, "THP faults, simulator, fresh RAM (host)", "faults/s", fresh, runs,
		     "2 MiB each; zeroing charged, skipped on the host");
	bench_figure(b, "THP faults, simulator, reused RAM (host)", "faults/s", reused, runs,
		     "2 MiB each; a 2 MiB host memset each");
	bench_figure(b, "THP fault, simulated time", "ns", reused_sim, runs, NULL);
	bench_figure(b, "THP faults, host kernel (MADV_HUGEPAGE)", "faults/s", host, runs,
		     "same 128 faults in this process");
	bench_figure(b, "host faults that gave a THP (smaps AnonHugePages)", "of 128", huge, runs,
		     NULL);
	if (min_huge < (double)BT_NTHP)
		bench_note(b,
			   "the host gave %.0f of %llu THPs in some run: its other faults were "
			   "4 KiB (THP disabled, or no free 2 MiB block)",
			   min_huge, BT_NTHP);
	else
		bench_note(b, "the host gave a THP for every fault (AnonHugePages %llu kB)",
			   BT_LEN >> 10);
	(void)fresh_sim;
	return 0;
}
