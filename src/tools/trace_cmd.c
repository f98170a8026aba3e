/*
 * kmmsim replay and kmmsim trace-convert: memory-access traces of real programs (lackey text or
 * our binary format, plain or gzipped) replayed through a simulated task, or converted.
 *
 *   kmmsim [machine options] replay [--chunk SIZE] [--madvise ADVICE] [--tlb K=V,...]
 *          [--pages 4k|thp|64k|2m] [--sample N] [--warm] [--json] [--quiet] TRACE
 *   kmmsim trace-convert [--to binary|lackey] IN OUT      (OUT ending in .gz is gzipped)
 *
 * The file reading (zlib reads plain and gzipped files alike) is here; decoding and replay
 * are the library's (kmm/replay.h). docs/replay.md describes the output.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <zlib.h>

#include "tools/kmmsim.h"

#define CHUNK_BYTES (1u << 20)
#define BATCH_RECS  65536u

/* A trace file read in chunks and decoded in batches. */
struct trace_in {
	gzFile gz;
	const char *path;
	struct kmm_trace_decoder dec;
	uint8_t *buf;
	size_t have, pos;
	bool eof;
	struct kmm_trace_rec *recs;
};

static bool trace_in_open(struct trace_in *in, const char *path)
{
	int n;

	memset(in, 0, sizeof(*in));
	in->path = path;
	in->gz = gzopen(path, "rb");
	in->buf = malloc(CHUNK_BYTES);
	in->recs = malloc(BATCH_RECS * sizeof(*in->recs));
	if (!in->gz || !in->buf || !in->recs) {
		fprintf(stderr, "kmmsim: cannot read trace %s: %s\n", path,
			in->gz ? "out of host memory" : strerror(errno));
		return false;
	}
	n = gzread(in->gz, in->buf, CHUNK_BYTES);
	if (n < 0) {
		fprintf(stderr, "kmmsim: %s: read error\n", path);
		return false;
	}
	in->have = (size_t)n;
	in->eof = in->have < CHUNK_BYTES;
	kmm_trace_decoder_init(&in->dec, kmm_trace_detect(in->buf, in->have));
	return true;
}

static void trace_in_close(struct trace_in *in)
{
	if (in->gz)
		gzclose(in->gz);
	free(in->buf);
	free(in->recs);
}

/*
 * The next batch: *n records (0 at the end), BATCH_RECS of them but for the last, whatever the
 * format, so a replay's calls (and the run points between them, where kernel threads such as
 * khugepaged run) fall at the same accesses for a text and a binary trace. Returns false on a
 * decode or read error.
 */
static bool trace_in_next(struct trace_in *in, size_t *n)
{
	*n = 0;
	for (;;) {
		size_t got = 0, used = 0;

		if (kmm_trace_decode(&in->dec, in->buf + in->pos, in->have - in->pos, in->eof,
				     in->recs + *n, BATCH_RECS - *n, &got, &used)) {
			fprintf(stderr, "kmmsim: %s: %s\n", in->path, in->dec.error);
			return false;
		}
		in->pos += used;
		*n += got;
		if (*n == BATCH_RECS || in->eof)
			return true;
		/* keep the partial record, read more */
		memmove(in->buf, in->buf + in->pos, in->have - in->pos);
		in->have -= in->pos;
		in->pos = 0;
		if (in->have == CHUNK_BYTES) {
			fprintf(stderr,
				"kmmsim: %s: offset %" PRIu64 ": a line longer than %u bytes\n",
				in->path, in->dec.offset, CHUNK_BYTES);
			return false;
		}
		int r = gzread(in->gz, in->buf + in->have, (unsigned)(CHUNK_BYTES - in->have));
		if (r < 0) {
			fprintf(stderr, "kmmsim: %s: read error (corrupt gzip?)\n", in->path);
			return false;
		}
		in->have += (size_t)r;
		if (r == 0)
			in->eof = true;
	}
}

/* ---- replay ------------------------------------------------------------------------- */

struct replay_args {
	const char *trace;
	uint64_t chunk, sample;
	int madvise;
	const char *madvise_name;
	const struct page_kind *pages; /* --pages: NULL when not given */
	bool warm, json, quiet;
	struct kmm_tlb_geometry geo;
	bool geo_set;
};

static bool parse_size(const char *s, uint64_t *out)
{
	char *end;
	unsigned long long v = strtoull(s, &end, 0);

	switch (*end) {
	case 'K':
	case 'k':
		v <<= 10;
		end++;
		break;
	case 'M':
	case 'm':
		v <<= 20;
		end++;
		break;
	case 'G':
	case 'g':
		v <<= 30;
		end++;
		break;
	default:
		break;
	}
	if (end == s || *end)
		return false;
	*out = v;
	return true;
}

static bool parse_tlb(const char *spec, struct kmm_tlb_geometry *g)
{
	char buf[512], *save = NULL;

	snprintf(buf, sizeof(buf), "%s", spec);
	for (char *kv = strtok_r(buf, ",", &save); kv; kv = strtok_r(NULL, ",", &save)) {
		char *eq = strchr(kv, '=');
		uint64_t v = 0;

		if (!eq) {
			fprintf(stderr, "kmmsim: replay --tlb: '%s' is not KEY=VALUE\n", kv);
			return false;
		}
		*eq++ = 0;
		if (strcmp(kv, "policy") == 0) {
			if (strcmp(eq, "lru") == 0)
				g->policy = KMM_TLB_LRU;
			else if (strcmp(eq, "plru") == 0)
				g->policy = KMM_TLB_PLRU;
			else if (strcmp(eq, "random") == 0)
				g->policy = KMM_TLB_RANDOM;
			else {
				fprintf(stderr,
					"kmmsim: replay --tlb: policy '%s' (lru, plru, random)\n",
					eq);
				return false;
			}
			continue;
		}
		if (!parse_size(eq, &v) || v > 1u << 20) {
			fprintf(stderr, "kmmsim: replay --tlb: bad value '%s' for %s\n", eq, kv);
			return false;
		}
		if (strcmp(kv, "l1i") == 0)
			g->l1i_entries = (uint32_t)v;
		else if (strcmp(kv, "l1d") == 0)
			g->l1d_entries = (uint32_t)v;
		else if (strcmp(kv, "l2_sets") == 0)
			g->l2_sets = (uint32_t)v;
		else if (strcmp(kv, "l2_ways") == 0)
			g->l2_ways = (uint32_t)v;
		else if (strcmp(kv, "walk") == 0)
			g->walk_entries = (uint32_t)v;
		else {
			fprintf(stderr,
				"kmmsim: replay --tlb: unknown key '%s' (l1i, l1d, l2_sets, "
				"l2_ways, "
				"walk, policy)\n",
				kv);
			return false;
		}
	}
	return true;
}

static const struct {
	const char *name;
	int advice;
} advices[] = {
	{"none", 0},
	{"hugepage", KMM_MADV_HUGEPAGE},
	{"nohugepage", KMM_MADV_NOHUGEPAGE},
	{"random", KMM_MADV_RANDOM},
	{"sequential", KMM_MADV_SEQUENTIAL},
};

/*
 * --pages: what backs the replayed regions. 4k and thp are the THP advice (MADV_NOHUGEPAGE,
 * MADV_HUGEPAGE) on anonymous mappings; 64k and 2m are MAP_HUGETLB mappings of that size
 * (16 contiguous PTEs, a PMD block), their pages surplus ones from an overcommit the replay
 * sets to all of memory (nr_overcommit_hugepages of that size).
 */
struct page_kind {
	const char *name;
	int advice, map_flags;
	const char *overcommit; /* the sysfs file to open the pool with */
};

static const struct page_kind page_kinds[] = {
	{"4k", KMM_MADV_NOHUGEPAGE, 0, NULL},
	{"thp", KMM_MADV_HUGEPAGE, 0, NULL},
	{"64k", 0, KMM_MAP_HUGETLB | KMM_MAP_HUGE_64KB,
	 "/sys/kernel/mm/hugepages/hugepages-64kB/nr_overcommit_hugepages"},
	{"2m", 0, KMM_MAP_HUGETLB | KMM_MAP_HUGE_2MB,
	 "/sys/kernel/mm/hugepages/hugepages-2048kB/nr_overcommit_hugepages"},
};

static int parse_replay_args(int argc, char **argv, struct replay_args *r)
{
	memset(r, 0, sizeof(*r));
	r->madvise_name = "none";
	kmm_tlb_geometry_default(&r->geo);
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;

		if (strcmp(a, "--warm") == 0) {
			r->warm = true;
		} else if (strcmp(a, "--json") == 0) {
			r->json = true;
		} else if (strcmp(a, "--quiet") == 0) {
			r->quiet = true;
		} else if (strcmp(a, "--chunk") == 0 && v) {
			if (!parse_size(v, &r->chunk) || r->chunk < 4096 || r->chunk > (1u << 30) ||
			    (r->chunk & (r->chunk - 1))) {
				fprintf(stderr,
					"kmmsim: replay --chunk: bad size '%s' (map_chunk: a power "
					"of "
					"two in 4K..1G)\n",
					v);
				return 2;
			}
			i++;
		} else if (strcmp(a, "--sample") == 0 && v) {
			if (!parse_size(v, &r->sample) || !r->sample) {
				fprintf(stderr, "kmmsim: replay --sample: bad count '%s'\n", v);
				return 2;
			}
			i++;
		} else if (strcmp(a, "--tlb") == 0 && v) {
			if (!parse_tlb(v, &r->geo))
				return 2;
			r->geo_set = true;
			i++;
		} else if (strcmp(a, "--pages") == 0 && v) {
			size_t k, n = sizeof(page_kinds) / sizeof(page_kinds[0]);
			for (k = 0; k < n && strcmp(page_kinds[k].name, v) != 0; k++)
				;
			if (k == n) {
				fprintf(stderr, "kmmsim: replay --pages: '%s' (4k, thp, 64k, 2m)\n",
					v);
				return 2;
			}
			r->pages = &page_kinds[k];
			i++;
		} else if (strcmp(a, "--madvise") == 0 && v) {
			size_t k, n = sizeof(advices) / sizeof(advices[0]);
			for (k = 0; k < n && strcmp(advices[k].name, v) != 0; k++)
				;
			if (k == n) {
				fprintf(stderr,
					"kmmsim: replay --madvise: '%s' (none, hugepage, "
					"nohugepage, "
					"random, sequential)\n",
					v);
				return 2;
			}
			r->madvise = advices[k].advice;
			r->madvise_name = advices[k].name;
			i++;
		} else if (a[0] == '-' && a[1]) {
			fprintf(stderr, "kmmsim: replay: unknown option '%s' (or missing value)\n",
				a);
			return 2;
		} else if (!r->trace) {
			r->trace = a;
		} else {
			fprintf(stderr, "kmmsim: replay takes one TRACE\n");
			return 2;
		}
	}
	if (!r->trace) {
		fprintf(stderr, "kmmsim: replay needs a TRACE (lackey text or kmm binary, "
				"plain or gzipped)\n");
		return 2;
	}
	if (r->pages && r->madvise) {
		fprintf(stderr, "kmmsim: replay: --pages and --madvise both set the advice\n");
		return 2;
	}
	if (r->pages && r->pages->advice) {
		r->madvise = r->pages->advice;
		r->madvise_name = r->pages->advice == KMM_MADV_HUGEPAGE ? "hugepage" : "nohugepage";
	}
	return 0;
}

/* Samples kept for the output (RSS and TLB over time). */
struct sample_log {
	FILE *out;
	bool json, first;
};

static double rate(uint64_t hit, uint64_t miss)
{
	return hit + miss ? (double)hit / (double)(hit + miss) : 0.0;
}

static void on_sample(void *arg, const struct kmm_replay_stats *st)
{
	struct sample_log *s = arg;

	if (s->json)
		fprintf(s->out,
			"%s\n    {\"accesses\": %" PRIu64 ", \"sim_ns\": %" PRIu64
			", \"rss_kb\": %" PRIu64 ", \"minor_faults\": %" PRIu64
			", \"l1d_hit_rate\": %.6f, \"l2_hit_rate\": %.6f, \"walks\": %" PRIu64 "}",
			s->first ? "" : ",", st->accesses, st->sim_ns, st->rss_pages * 4,
			st->minor_faults,
			rate(st->tlb.hits[KMM_TLB_L1D], st->tlb.misses[KMM_TLB_L1D]),
			rate(st->tlb.hits[KMM_TLB_L2], st->tlb.misses[KMM_TLB_L2]), st->tlb.walks);
	else
		fprintf(s->out,
			"sample accesses=%" PRIu64 " sim_ns=%" PRIu64 " rss_kb=%" PRIu64
			" minor_faults=%" PRIu64 " l1d_hit_rate=%.4f walks=%" PRIu64 "\n",
			st->accesses, st->sim_ns, st->rss_pages * 4, st->minor_faults,
			rate(st->tlb.hits[KMM_TLB_L1D], st->tlb.misses[KMM_TLB_L1D]),
			st->tlb.walks);
	s->first = false;
}

static double host_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* One pass over the trace file. Returns 0, 1 (replay failed) or 2 (bad trace). */
static int replay_pass(struct kmm_machine *m, kmm_pid_t pid, const struct replay_args *r,
		       const struct kmm_replay_opts *o, struct kmm_replay_stats *st, bool progress)
{
	struct trace_in in;
	double t0 = host_now(), last = t0;
	int rc = 0;
	size_t n;

	if (!trace_in_open(&in, r->trace)) {
		trace_in_close(&in);
		return 2;
	}
	for (;;) {
		if (!trace_in_next(&in, &n)) {
			rc = 2;
			break;
		}
		if (!n)
			break;
		if (kmm_replay_run(m, pid, in.recs, n, o, st)) {
			fprintf(stderr, "kmmsim: %s: %s\n", r->trace, kmm_last_error(m));
			rc = 1;
			break;
		}
		if (progress) {
			double now = host_now();
			if (now - t0 > 1.0 && now - last > 0.1) {
				fprintf(stderr,
					"\r\033[Kkmmsim: replay: %" PRIu64 " accesses (%.0f s)",
					st->accesses, now - t0);
				last = now;
			}
		}
	}
	if (progress && last > t0)
		fputs("\r\033[K", stderr);
	trace_in_close(&in);
	return rc;
}

static void print_level(FILE *f, const char *name, const struct kmm_tlb_stats *t, int l, bool comma)
{
	fprintf(f,
		"    \"%s\": {\"hits\": %" PRIu64 ", \"misses\": %" PRIu64
		", \"hit_rate\": %.6f}%s\n",
		name, t->hits[l], t->misses[l], rate(t->hits[l], t->misses[l]), comma ? "," : "");
}

static void print_json(FILE *f, const struct replay_args *r, const struct kmm_tlb_geometry *g,
		       const struct kmm_replay_stats *st, double host_s)
{
	const struct kmm_tlb_stats *t = &st->tlb;

	fprintf(f,
		"],\n  \"inputs\": {\"trace\": \"%s\", \"map_chunk\": %" PRIu64
		", \"madvise\": \"%s\", \"pages\": \"%s\", \"warm\": %s, \"sample\": %" PRIu64 ",\n"
		"    \"tlb\": {\"l1i\": %u, \"l1d\": %u, \"l2_sets\": %u, \"l2_ways\": %u, "
		"\"walk\": %u, \"policy\": \"%s\"}},\n",
		r->trace, r->chunk ? r->chunk : (2u << 20), r->madvise_name,
		r->pages ? r->pages->name : "default", r->warm ? "true" : "false", r->sample,
		g->l1i_entries, g->l1d_entries, g->l2_sets, g->l2_ways, g->walk_entries,
		g->policy == KMM_TLB_LRU    ? "lru"
		: g->policy == KMM_TLB_PLRU ? "plru"
					    : "random");
	fprintf(f,
		"  \"result\": {\n    \"accesses\": %" PRIu64 ", \"loads\": %" PRIu64
		", \"stores\": %" PRIu64 ", \"modifies\": %" PRIu64 ", \"ifetches\": %" PRIu64
		", \"events\": %" PRIu64 ",\n",
		st->accesses, st->loads, st->stores, st->modifies, st->ifetches, st->events);
	print_level(f, "l1i", t, KMM_TLB_L1I, true);
	print_level(f, "l1d", t, KMM_TLB_L1D, true);
	print_level(f, "l2", t, KMM_TLB_L2, true);
	print_level(f, "walk_cache", t, KMM_TLB_WALK, true);
	fprintf(f,
		"    \"walks\": %" PRIu64 ", \"walk_reads\": %" PRIu64 ", \"conflicts\": %" PRIu64
		",\n    \"minor_faults\": %" PRIu64 ", \"major_faults\": %" PRIu64
		", \"rss_kb\": %" PRIu64 ", \"peak_rss_kb\": %" PRIu64 ", \"mapped_kb\": %" PRIu64
		",\n    \"sim_ns\": %" PRIu64 ", \"host_s\": %.6f, \"accesses_per_host_s\": %.0f\n"
		"  }\n}\n",
		t->walks, t->walk_reads, t->conflicts, st->minor_faults, st->major_faults,
		st->rss_pages * 4, st->peak_rss_pages * 4, st->mapped_bytes >> 10, st->sim_ns,
		host_s, host_s > 0 ? (double)st->accesses / host_s : 0.0);
}

static void print_text(FILE *f, const struct kmm_replay_stats *st, double host_s)
{
	const struct kmm_tlb_stats *t = &st->tlb;
	static const char *names[] = {"L1I", "L1D", "L2", "walk cache"};

	fprintf(f,
		"accesses %" PRIu64 " (loads %" PRIu64 ", stores %" PRIu64 ", modifies %" PRIu64
		", ifetches %" PRIu64 "), events %" PRIu64 "\n",
		st->accesses, st->loads, st->stores, st->modifies, st->ifetches, st->events);
	for (int l = 0; l < 4; l++)
		fprintf(f, "%-10s hits %12" PRIu64 "  misses %10" PRIu64 "  hit rate %.4f\n",
			names[l], t->hits[l], t->misses[l], rate(t->hits[l], t->misses[l]));
	fprintf(f,
		"walks %" PRIu64 " (descriptor reads %" PRIu64 "), faults minor %" PRIu64
		" major %" PRIu64 "\nrss %" PRIu64 " kB (peak %" PRIu64
		" kB), mapped on demand %" PRIu64 " kB\nsimulated %" PRIu64
		" ns, host %.3f s (%.1f M accesses/s)\n",
		t->walks, t->walk_reads, st->minor_faults, st->major_faults, st->rss_pages * 4,
		st->peak_rss_pages * 4, st->mapped_bytes >> 10, st->sim_ns, host_s,
		host_s > 0 ? (double)st->accesses / host_s / 1e6 : 0.0);
}

int kmmsim_cmd_replay(const struct kmm_config *cfg, int argc, char **argv)
{
	struct kmm_replay_stats st = {0};
	struct kmm_replay_opts o = {0};
	struct sample_log log = {stdout, false, true};
	struct replay_args r;
	struct kmm_tlb_geometry g;
	struct kmm_machine *m = NULL;
	kmm_pid_t pid;
	double t0;
	int rc = parse_replay_args(argc, argv, &r);

	if (rc)
		return rc;
	if (kmm_machine_create(cfg, &m)) {
		fprintf(stderr, "kmmsim: %s\n", kmm_last_error(NULL));
		return 1;
	}
	if ((r.geo_set && kmm_tlb_set_geometry(m, &r.geo)) ||
	    kmm_replay_task_create(m, "replay", 0, &pid)) {
		fprintf(stderr, "kmmsim: replay: %s\n", kmm_last_error(m));
		kmm_machine_destroy(m);
		return 2;
	}
	kmm_tlb_get_geometry(m, &g);
	o.map_chunk = r.chunk;
	o.madvise = r.madvise;
	if (r.pages && r.pages->map_flags) { /* hugetlb: surplus pages as memory allows */
		if (kmm_sysctl(m, r.pages->overcommit, "1048576")) {
			fprintf(stderr, "kmmsim: replay: %s\n", kmm_last_error(m));
			kmm_machine_destroy(m);
			return 1;
		}
		o.map_flags = r.pages->map_flags;
	}
	log.json = r.json;
	if (r.json)
		printf("{\n  \"kmm_replay\": 1, \"version\": \"%s\",\n  \"samples\": [",
		       kmm_version());
	if (r.warm) { /* a first pass maps and faults everything in; then empty TLBs */
		struct kmm_replay_stats first = {0};
		rc = replay_pass(m, pid, &r, &o, &first, false);
		if (!rc && kmm_tlb_set_geometry(m, &g)) {
			fprintf(stderr, "kmmsim: replay: %s\n", kmm_last_error(m));
			rc = 1;
		}
	}
	o.sample_every = r.sample;
	o.sample = on_sample;
	o.sample_arg = &log;
	t0 = host_now();
	if (!rc)
		rc = replay_pass(m, pid, &r, &o, &st, !r.quiet && isatty(STDERR_FILENO));
	if (!rc) {
		double host_s = host_now() - t0;
		if (r.json)
			print_json(stdout, &r, &g, &st, host_s);
		else
			print_text(stdout, &st, host_s);
		if (!r.json && r.pages)
			printf("pages %s\n", r.pages->name);
	}
	if (!rc && kmm_check(m)) {
		fprintf(stderr, "kmmsim: replay: kmm_check: %s\n", kmm_last_error(m));
		rc = 1;
	}
	kmm_machine_destroy(m);
	return rc;
}

/* ---- trace-convert ------------------------------------------------------------------ */

static bool write_lackey(gzFile out, const struct kmm_trace_rec *r, size_t n)
{
	static const char *const tags[] = {" L ", " S ", " M ", "I  "};

	for (size_t i = 0; i < n; i++) {
		int w;
		if (r[i].op >= KMM_TRACE_MMAP)
			w = gzprintf(out, "@%s %" PRIx64 ",%" PRIx64 "\n",
				     r[i].op == KMM_TRACE_MMAP ? "mmap" : "munmap", r[i].va,
				     r[i].size);
		else
			w = gzprintf(out, "%s%08" PRIx64 ",%" PRIu64 "\n", tags[r[i].op], r[i].va,
				     r[i].size);
		if (w <= 0)
			return false;
	}
	return true;
}

int kmmsim_cmd_trace_convert(const struct kmm_config *cfg, int argc, char **argv)
{
	const char *to = "binary", *src = NULL, *dst = NULL;
	struct kmm_trace_encoder enc = {0};
	struct trace_in in;
	uint8_t *obuf = NULL;
	gzFile out = NULL;
	size_t n, len, dl;
	uint64_t total = 0;
	int rc = 0;

	(void)cfg;
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--to") == 0 && i + 1 < argc)
			to = argv[++i];
		else if (!src)
			src = argv[i];
		else if (!dst)
			dst = argv[i];
		else
			src = NULL, dst = NULL, i = argc;
	}
	if (!src || !dst || (strcmp(to, "binary") && strcmp(to, "lackey"))) {
		fprintf(stderr, "kmmsim: usage: trace-convert [--to binary|lackey] IN OUT\n");
		return 2;
	}
	dl = strlen(dst);
	if (!trace_in_open(&in, src)) {
		trace_in_close(&in);
		return 2;
	}
	out = gzopen(dst, dl > 3 && strcmp(dst + dl - 3, ".gz") == 0 ? "wb9" : "wbT");
	obuf = malloc(KMM_TRACE_ENCODE_MAX(BATCH_RECS));
	if (!out || !obuf) {
		fprintf(stderr, "kmmsim: cannot write %s: %s\n", dst, strerror(errno));
		rc = 2;
	}
	while (!rc) {
		if (!trace_in_next(&in, &n)) {
			rc = 2;
			break;
		}
		if (!n)
			break;
		total += n;
		if (strcmp(to, "lackey") == 0) {
			if (!write_lackey(out, in.recs, n))
				rc = 1;
			continue;
		}
		if (kmm_trace_encode(&enc, in.recs, n, obuf, KMM_TRACE_ENCODE_MAX(BATCH_RECS),
				     &len) ||
		    gzwrite(out, obuf, (unsigned)len) != (int)len)
			rc = 1;
	}
	if (!rc && strcmp(to, "binary") == 0 && !enc.header_done) /* an empty trace */
		if (kmm_trace_encode(&enc, NULL, 0, obuf, 16, &len) ||
		    gzwrite(out, obuf, (unsigned)len) != (int)len)
			rc = 1;
	if (out && gzclose(out) != Z_OK && !rc)
		rc = 1;
	if (rc == 1)
		fprintf(stderr, "kmmsim: cannot write %s\n", dst);
	if (!rc)
		fprintf(stderr, "kmmsim: %" PRIu64 " records written to %s\n", total, dst);
	free(obuf);
	trace_in_close(&in);
	return rc;
}
