/*
 * kmmbench tlbreach: the TLB reach huge pages buy (issue 16's speed row). One task reads 8
 * bytes at uniformly random addresses of a resident 256 MiB region through the replay path
 * (kmm/replay.h), the region backed four ways:
 *
 *   4k       anonymous, MADV_NOHUGEPAGE: 65536 pages of 4 KiB, one TLB entry each
 *   thp      anonymous, MADV_HUGEPAGE: 128 THPs mapped by PMD blocks, 2 MiB entries
 *   64k      MAP_HUGETLB | MAP_HUGE_64KB: 16 contiguous PTEs per page, 64 KiB entries
 *   2m       MAP_HUGETLB | MAP_HUGE_2MB: PMD blocks, 2 MiB entries
 *
 * A first pass writes every 4 KiB page (faulting everything in, so that each kind reads
 * memory of its own, not a zero page the host keeps in its caches); the TLBs are emptied (the
 * same geometry set again); the timed pass of random loads gives, per access, the L1D and L2 miss
 * rates, the table walks and their descriptor reads, the simulated ns and the host ns. The default
 * geometry (Cortex-A57-like: 32-entry L1D, 1024-entry 4-way L2) reaches 128 KiB / 4 MiB with 4 KiB
 * entries, 2 MiB / 64 MiB with 64 KiB ones and 64 MiB / 2 GiB with 2 MiB ones.
 */
#include <kmm/kmm.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench.h"

#define TR_BASE	  0x100000000ull
#define TR_REGION (256ull << 20)
#define TR_N	  (1u << 20)
#define TR_SEED	  0x243f6a8885a308d3ull

struct tr_kind {
	const char *name;
	int advice, map_flags;
	const char *overcommit;
};

static const struct tr_kind tr_kinds[] = {
	{"4k", KMM_MADV_NOHUGEPAGE, 0, NULL},
	{"thp", KMM_MADV_HUGEPAGE, 0, NULL},
	{"64k", 0, KMM_MAP_HUGETLB | KMM_MAP_HUGE_64KB,
	 "/sys/kernel/mm/hugepages/hugepages-64kB/nr_overcommit_hugepages"},
	{"2m", 0, KMM_MAP_HUGETLB | KMM_MAP_HUGE_2MB,
	 "/sys/kernel/mm/hugepages/hugepages-2048kB/nr_overcommit_hugepages"},
};

struct tr_run {
	double l1d_miss, l2_miss, walks, reads, sim_ns, host_ns;
};

static uint64_t tr_rand(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

static bool tr_one(const struct tr_kind *kind, const struct kmm_trace_rec *recs,
		   const struct kmm_trace_rec *fill, struct tr_run *r)
{
	struct kmm_replay_opts o = {
		.map_chunk = 2u << 20, .madvise = kind->advice, .map_flags = kind->map_flags};
	struct kmm_replay_stats warm = {0}, st = {0};
	struct kmm_tlb_geometry g;
	struct kmm_config cfg;
	struct kmm_machine *m = NULL;
	kmm_pid_t pid;
	uint64_t t0;
	bool ok = false;

	kmm_config_init(&cfg);
	if (kmm_config_option(&cfg, "-m", "1G") || kmm_config_option(&cfg, "-smp", "1") ||
	    kmm_machine_create(&cfg, &m)) {
		fprintf(stderr, "tlbreach: machine: %s\n", kmm_last_error(NULL));
		return false;
	}
	if (kmm_replay_task_create(m, "tlbreach", 0, &pid) ||
	    (kind->overcommit && kmm_sysctl(m, kind->overcommit, "1048576")) ||
	    kmm_replay_run(m, pid, fill, TR_REGION >> 12, &o, &warm) ||
	    kmm_tlb_get_geometry(m, &g) || kmm_tlb_set_geometry(m, &g))
		goto out;
	t0 = bench_now_ns();
	if (kmm_replay_run(m, pid, recs, TR_N, &o, &st))
		goto out;
	r->host_ns = (double)(bench_now_ns() - t0) / TR_N;
	r->l1d_miss = (double)st.tlb.misses[KMM_TLB_L1D] / TR_N;
	r->l2_miss = (double)st.tlb.misses[KMM_TLB_L2] / TR_N;
	r->walks = (double)st.tlb.walks / TR_N;
	r->reads = (double)st.tlb.walk_reads / TR_N;
	r->sim_ns = (double)st.sim_ns / TR_N;
	ok = st.minor_faults == 0 && kmm_check(m) == KMM_OK;
out:
	if (!ok)
		fprintf(stderr, "tlbreach %s: %s\n", kind->name, kmm_last_error(m));
	kmm_machine_destroy(m);
	return ok;
}

int bench_tlbreach(struct bench *b)
{
	struct kmm_trace_rec *recs = malloc(TR_N * sizeof(*recs));
	struct kmm_trace_rec *fill = malloc((TR_REGION >> 12) * sizeof(*fill));
	int runs = b->runs < 3 ? b->runs : 3;
	uint64_t s = TR_SEED;

	if (!recs || !fill) {
		free(recs);
		free(fill);
		return 1;
	}
	for (size_t i = 0; i < TR_REGION >> 12; i++)
		fill[i] = (struct kmm_trace_rec){TR_BASE + (i << 12), 8, KMM_TRACE_STORE, 0};
	for (size_t i = 0; i < TR_N; i++)
		recs[i] = (struct kmm_trace_rec){TR_BASE + (tr_rand(&s) % (TR_REGION / 8)) * 8, 8,
						 KMM_TRACE_LOAD, 0};
	for (size_t k = 0; k < sizeof(tr_kinds) / sizeof(tr_kinds[0]); k++) {
		double l1[BENCH_MAX_RUNS], l2[BENCH_MAX_RUNS], w[BENCH_MAX_RUNS];
		double rd[BENCH_MAX_RUNS], sim[BENCH_MAX_RUNS], host[BENCH_MAX_RUNS];
		char name[64];

		for (int i = 0; i < runs; i++) {
			struct tr_run r;

			if (!tr_one(&tr_kinds[k], recs, fill, &r)) {
				free(recs);
				free(fill);
				return 1;
			}
			l1[i] = r.l1d_miss;
			l2[i] = r.l2_miss;
			w[i] = r.walks;
			rd[i] = r.reads;
			sim[i] = r.sim_ns;
			host[i] = r.host_ns;
		}
#define TR_FIG(metric, unit, v)                                                                    \
	snprintf(name, sizeof(name), "%s: " metric, tr_kinds[k].name);                             \
	bench_figure(b, name, unit, v, runs, NULL)
		TR_FIG("L1D TLB miss rate", "per access", l1);
		TR_FIG("L2 TLB miss rate", "per access", l2);
		TR_FIG("table walks", "per access", w);
		TR_FIG("descriptor reads", "per access", rd);
		TR_FIG("simulated time", "ns/access", sim);
		TR_FIG("host time", "ns/access", host);
#undef TR_FIG
	}
	bench_note(b, "1 Mi random 8-byte loads over a 256 MiB region written beforehand, TLBs "
		      "emptied after that pass; default TLB geometry");
	free(recs);
	free(fill);
	return 0;
}
