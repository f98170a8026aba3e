/*
 * kmmbench compaction: a full compaction (vm.compact_memory, every zone of every node) of a
 * machine fragmented as the frag workload of the captures does it (src/frag.c of the oracle:
 * map 60 % of MemFree, MADV_NOHUGEPAGE, touch every page, MADV_DONTNEED every other page).
 *
 *   compact_memory 4G   host time of the whole vm.compact_memory write (target <= 1 s)
 *   pages migrated/s    pgmigrate_success of that write per host second, the copy of each
 *                       4 KiB page included (target >= 1 M/s)
 *   simulated time      what the simulated clock charged for it
 *   given back          host memory behind the pageblocks the sources free, returned to the
 *                       host (page_alloc.c's host slack): a host madvise per block, about a
 *                       quarter of the host time; the bound on the rate (docs/compaction.md)
 * The fragmentation itself (faults, madvise) is not in the timed path.
 */
#include <kmm/kmm.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench.h"
#include "mm/internal.h"
#include "sim/machine.h"

struct bc_run {
	double host_ms, pages_per_s, sim_ms, migrated, order9_before, order9_after, given_back;
};

static unsigned long bc_free_order9(const struct kmm_kernel *k)
{
	unsigned long n = 0;

	for (int nid = 0; nid < MAX_NUMNODES; nid++) {
		if (!k->node_data[nid])
			continue;
		for (int z = 0; z < MAX_NR_ZONES; z++)
			for (unsigned o = 9; o < MAX_ORDER; o++)
				n += k->node_data[nid]->node_zones[z].free_area[o].nr_free
				     << (o - 9);
	}
	return n;
}

static bool bc_one(const char *ram, struct bc_run *r)
{
	struct kmm_config cfg;
	struct kmm_machine *m = NULL;
	struct kmm_kernel *k;
	unsigned long freekb, migrated0;
	uint64_t len, t0, s0, back0;
	kmm_va_t va;
	kmm_pid_t pid;
	bool ok = false;

	kmm_config_init(&cfg);
	if (kmm_config_option(&cfg, "-m", ram) || kmm_config_option(&cfg, "-smp", "1") ||
	    kmm_machine_create(&cfg, &m)) {
		fprintf(stderr, "compaction: machine: %s\n", kmm_last_error(NULL));
		return false;
	}
	k = &m->kernel;
	freekb = (unsigned long)global_zone_page_state(k, NR_FREE_PAGES) * 4;
	len = (uint64_t)freekb * 1024 * 6 / 10 & ~4095ull;
	if (kmm_task_create(m, "frag", 0, &pid) ||
	    kmm_mmap(m, pid, 0, len, KMM_PROT_READ | KMM_PROT_WRITE,
		     KMM_MAP_PRIVATE | KMM_MAP_ANONYMOUS, -1, 0, &va) ||
	    kmm_madvise(m, pid, va, len, KMM_MADV_NOHUGEPAGE) ||
	    kmm_task_touch(m, pid, KMM_ACCESS_STORE, va, len, 0, KMM_TOUCH_SEQ, 0x5a, NULL))
		goto out;
	for (uint64_t off = 4096; off < len; off += 8192)
		if (kmm_madvise(m, pid, va + off, 4096, KMM_MADV_DONTNEED))
			goto out;
	r->order9_before = (double)bc_free_order9(k);
	migrated0 = k->vm_events[PGMIGRATE_SUCCESS];
	back0 = k->host_slack.given_back;
	t0 = bench_now_ns();
	s0 = kmm_clock_ns(m);
	if (kmm_sysctl(m, "vm.compact_memory", "1"))
		goto out;
	r->host_ms = (double)(bench_now_ns() - t0) / 1e6;
	r->sim_ms = (double)(kmm_clock_ns(m) - s0) / 1e6;
	r->migrated = (double)(k->vm_events[PGMIGRATE_SUCCESS] - migrated0);
	r->pages_per_s = r->migrated / (r->host_ms / 1e3);
	r->order9_after = (double)bc_free_order9(k);
	r->given_back = (double)(k->host_slack.given_back - back0) / (1 << 20);
	ok = kmm_check(m) == KMM_OK;
out:
	if (!ok)
		fprintf(stderr, "compaction: %s\n", kmm_last_error(m));
	kmm_machine_destroy(m);
	return ok;
}

int bench_compaction(struct bench *b)
{
	double host[BENCH_MAX_RUNS], rate[BENCH_MAX_RUNS], sim[BENCH_MAX_RUNS];
	double moved[BENCH_MAX_RUNS], o9b[BENCH_MAX_RUNS], o9a[BENCH_MAX_RUNS];
	double back[BENCH_MAX_RUNS];
	int runs = b->runs < 3 ? b->runs : 3; /* each run fragments a 4 GiB machine first */

	for (int i = 0; i < runs; i++) {
		struct bc_run r;

		if (!bc_one("4G", &r))
			return 1;
		host[i] = r.host_ms;
		rate[i] = r.pages_per_s;
		sim[i] = r.sim_ms;
		moved[i] = r.migrated;
		o9b[i] = r.order9_before;
		o9a[i] = r.order9_after;
		back[i] = r.given_back;
	}
	bench_figure(b, "compact_memory 4G (host)", "ms", host, runs, "target <= 1000 ms");
	bench_figure(b, "pages migrated per host second", "pages/s", rate, runs,
		     "incl. the 4 KiB copy; target >= 1e6");
	bench_figure(b, "compact_memory 4G (simulated)", "ms", sim, runs, NULL);
	bench_figure(b, "pgmigrate_success", "pages", moved, runs, NULL);
	bench_figure(b, "free order-9 blocks before", "blocks", o9b, runs, NULL);
	bench_figure(b, "free order-9 blocks after", "blocks", o9a, runs, NULL);
	bench_figure(b, "free blocks given back to the host", "MiB", back, runs,
		     "host madvise(MADV_DONTNEED) of freed pageblocks, in the host time");
	bench_note(b, "fragmented as the captures' frag: 60 %% of MemFree mapped, touched, every "
		      "other page MADV_DONTNEED");
	return 0;
}
