/*
 * kmmsim --json: views and scenario results as JSON (docs/json-schema.md), and kmmsim plot,
 * a launcher of the Python package's plotter (python/kmm/plot.py).
 *
 *   kmmsim --json [machine options] proc PATH...   schema "kmm-proc/1": the machine, the
 *        views' text, the zones of the stats API, every /proc/vmstat counter, TLB counters
 *   kmmsim --json [machine options] run [SCENARIO] schema "kmm-run/1": the scenario's
 *        output, its @@@BEGIN/END@@@ blocks, and each block holding sample-stop's CSV as
 *        columns, times and rows
 *   kmmsim plot KIND INPUT [-o OUT.png] ...         python3 -m kmm plot with these words
 *
 * The writer is ours and small: strings are escaped as RFC 8259 says (", \, control bytes
 * as \u00XX; bytes >= 0x80 pass through: the views are ASCII, scenario text is UTF-8).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tools/kmmsim.h"

#ifndef KMMSIM_PYTHON3 /* a build without the Python package (KMM_BUILD_PYTHON=OFF) */
#define KMMSIM_PYTHON3		  "/usr/bin/python3"
#define KMMSIM_PYTHON_INSTALL_DIR "lib/python3/dist-packages"
#endif

static const char *const migratetype_names[KMM_NR_MIGRATETYPES] = {
	"Unmovable", "Movable", "Reclaimable", "HighAtomic", "CMA", "Isolate"};

static void json_str_n(FILE *f, const char *s, size_t n)
{
	fputc('"', f);
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '"' || c == '\\')
			fprintf(f, "\\%c", c);
		else if (c == '\n')
			fputs("\\n", f);
		else if (c == '\t')
			fputs("\\t", f);
		else if (c < 0x20)
			fprintf(f, "\\u%04x", c);
		else
			fputc(c, f);
	}
	fputc('"', f);
}

static void json_str(FILE *f, const char *s)
{
	if (s)
		json_str_n(f, s, strlen(s));
	else
		fputs("null", f);
}

/* A growing text buffer fed by a kmm_sink_fn. */
struct text {
	char *buf;
	size_t len, cap;
	bool failed;
};

static void text_sink(void *arg, const char *s, size_t n)
{
	struct text *t = arg;

	if (t->failed)
		return;
	if (t->len + n + 1 > t->cap) {
		size_t cap = t->cap ? t->cap : 4096;
		char *nb;

		while (cap < t->len + n + 1)
			cap *= 2;
		nb = realloc(t->buf, cap);
		if (!nb) {
			t->failed = true;
			return;
		}
		t->buf = nb;
		t->cap = cap;
	}
	memcpy(t->buf + t->len, s, n);
	t->len += n;
	t->buf[t->len] = 0;
}

static void json_options(FILE *f, int nopts, char **opts)
{
	fputs("\"machine\": {\"options\": [", f);
	for (int i = 0; i + 1 < nopts; i += 2) {
		fputs(i ? ", [" : "[", f);
		json_str(f, opts[i]);
		fputs(", ", f);
		json_str(f, opts[i + 1]);
		fputs("]", f);
	}
	fputs("]}", f);
}

static void json_u64_array(FILE *f, const uint64_t *v, int n)
{
	fputc('[', f);
	for (int i = 0; i < n; i++)
		fprintf(f, "%s%" PRIu64, i ? ", " : "", v[i]);
	fputc(']', f);
}

static void json_zone(FILE *f, const struct kmm_zone_stats *z)
{
	fprintf(f,
		"{\"node\": %d, \"zone\": %d, \"name\": \"%s\", \"start_pfn\": %" PRIu64
		", \"spanned_pages\": %" PRIu64 ", \"present_pages\": %" PRIu64
		", \"managed_pages\": %" PRIu64 ", \"cma_pages\": %" PRIu64
		", \"free_pages\": %" PRIu64 ", \"wmark_min\": %" PRIu64 ", \"wmark_low\": %" PRIu64
		", \"wmark_high\": %" PRIu64 ", \"watermark_boost\": %" PRIu64
		", \"nr_reserved_highatomic\": %" PRIu64 ", \"pcp_pages\": %" PRIu64
		", \"pcp_high\": %d, \"pcp_batch\": %d, \"free_blocks\": ",
		z->node, z->zone, z->name, z->start_pfn, z->spanned_pages, z->present_pages,
		z->managed_pages, z->cma_pages, z->free_pages, z->wmark_min, z->wmark_low,
		z->wmark_high, z->watermark_boost, z->nr_reserved_highatomic, z->pcp_pages,
		z->pcp_high, z->pcp_batch);
	json_u64_array(f, z->free_blocks, KMM_MAX_ORDER);
	fputs(", \"free_blocks_mt\": {", f);
	for (int mt = 0; mt < KMM_NR_MIGRATETYPES; mt++) {
		uint64_t col[KMM_MAX_ORDER];

		for (int o = 0; o < KMM_MAX_ORDER; o++)
			col[o] = z->free_blocks_mt[o][mt];
		fprintf(f, "%s\"%s\": ", mt ? ", " : "", migratetype_names[mt]);
		json_u64_array(f, col, KMM_MAX_ORDER);
	}
	fputs("}, \"pageblocks_mt\": {", f);
	for (int mt = 0; mt < KMM_NR_MIGRATETYPES; mt++)
		fprintf(f, "%s\"%s\": %" PRIu64, mt ? ", " : "", migratetype_names[mt],
			z->pageblocks_mt[mt]);
	fputs("}}", f);
}

/* "name value" lines as a JSON object of integers. */
static void json_counters(FILE *f, const char *text)
{
	bool first = true;

	fputc('{', f);
	for (const char *p = text; p && *p;) {
		const char *sp = strchr(p, ' '), *nl = strchr(p, '\n');

		if (sp && (!nl || sp < nl)) {
			fputs(first ? "" : ", ", f);
			json_str_n(f, p, (size_t)(sp - p));
			fprintf(f, ": %lld", strtoll(sp + 1, NULL, 10));
			first = false;
		}
		p = nl ? nl + 1 : NULL;
	}
	fputc('}', f);
}

int kmmsim_json_proc(const struct kmm_config *cfg, int nopts, char **opts, int argc, char **argv)
{
	struct text vmstat = {0};
	struct kmm_machine *m;
	struct kmm_zone_stats z;
	struct kmm_tlb_stats tlb;
	FILE *f = stdout;
	int rc = 0;

	if (kmm_machine_create(cfg, &m)) {
		fprintf(stderr, "kmmsim: %s\n", kmm_last_error(NULL));
		return 1;
	}
	for (int i = 1; i < argc; i++) {
		struct text t = {0};

		if (kmm_proc_show(m, argv[i], text_sink, &t)) {
			fprintf(stderr, "kmmsim: %s\n", kmm_last_error(m));
			rc = 1;
		}
		free(t.buf);
	}
	if (rc) {
		kmm_machine_destroy(m);
		return rc;
	}
	fprintf(f, "{\"schema\": \"kmm-proc/1\", \"version\": \"%s\", ", kmm_version());
	json_options(f, nopts, opts);
	fprintf(f, ", \"ram_bytes\": %" PRIu64 ", \"cpus\": %u, \"clock_ns\": %" PRIu64,
		kmm_config_ram_size(kmm_machine_config(m)), kmm_machine_config(m)->nr_cpus,
		kmm_clock_ns(m));
	fputs(", \"views\": {", f);
	for (int i = 1; i < argc; i++) {
		struct text t = {0};

		kmm_proc_show(m, argv[i], text_sink, &t);
		fputs(i > 1 ? ", " : "", f);
		json_str(f, argv[i]);
		fputs(": ", f);
		json_str(f, t.buf ? t.buf : "");
		free(t.buf);
	}
	fputs("}, \"zones\": [", f);
	for (unsigned i = 0; i < kmm_stats_nr_zones(m); i++) {
		if (kmm_stats_zone(m, i, &z) == KMM_OK) {
			fputs(i ? ", " : "", f);
			json_zone(f, &z);
		}
	}
	fputs("], \"vmstat\": ", f);
	kmm_proc_show(m, "/proc/vmstat", text_sink, &vmstat);
	json_counters(f, vmstat.buf);
	free(vmstat.buf);
	if (kmm_stats_tlb(m, &tlb) == KMM_OK) {
		static const char *const lv[KMM_TLB_LEVELS] = {"l1i", "l1d", "l2", "walk", "s2"};

		fputs(", \"tlb\": {", f);
		for (int l = 0; l < KMM_TLB_LEVELS; l++)
			fprintf(f, "%s\"%s\": {\"hits\": %" PRIu64 ", \"misses\": %" PRIu64 "}",
				l ? ", " : "", lv[l], tlb.hits[l], tlb.misses[l]);
		fprintf(f, ", \"walks\": %" PRIu64 ", \"walk_reads\": %" PRIu64 "}", tlb.walks,
			tlb.walk_reads);
	}
	fputs("}\n", f);
	kmm_machine_destroy(m);
	return 0;
}

/* One sample-stop CSV block ("t_ns,a,b\n1,2,3\n...") as columns, t_ns and rows. */
static void json_samples(FILE *f, const char *csv, size_t len)
{
	const char *end = csv + len, *nl = memchr(csv, '\n', len), *p;

	if (!nl)
		nl = end;
	fputs("{\"columns\": [", f);
	for (p = csv + strlen("t_ns"); p < nl && *p == ',';) {
		const char *q = p + 1;

		while (q < nl && *q != ',')
			q++;
		fputs(p > csv + strlen("t_ns") ? ", " : "", f);
		json_str_n(f, p + 1, (size_t)(q - p - 1));
		p = q;
	}
	for (int pass = 0; pass < 2; pass++) {
		bool first = true;

		fputs(pass ? "], \"rows\": [" : "], \"t_ns\": [", f);
		for (p = nl + 1; p < end;) {
			const char *e = memchr(p, '\n', (size_t)(end - p));
			char *q;

			if (!e)
				e = end;
			if (e > p) {
				fputs(first ? "" : ", ", f);
				first = false;
				if (!pass) {
					fprintf(f, "%llu", strtoull(p, NULL, 10));
				} else {
					fputc('[', f);
					strtoull(p, &q, 10);
					for (bool f2 = true; q < e && *q == ','; f2 = false)
						fprintf(f, "%s%lld", f2 ? "" : ", ",
							strtoll(q + 1, &q, 10));
					fputc(']', f);
				}
			}
			p = e + 1;
		}
	}
	fputs("]}", f);
}

/* The @@@BEGIN NAME@@@ ... @@@END NAME@@@ blocks of @out: as text, and CSV ones as samples. */
static void json_blocks(FILE *f, const char *out, bool samples)
{
	bool first = true;

	for (const char *p = out ? strstr(out, "@@@BEGIN ") : NULL; p;
	     p = strstr(p + 1, "@@@BEGIN ")) {
		const char *name = p + strlen("@@@BEGIN "), *ne = strstr(name, "@@@"), *body, *stop;
		char endmark[256];
		size_t nlen;

		if (!ne || (p != out && p[-1] != '\n'))
			continue;
		nlen = (size_t)(ne - name);
		if (nlen == 0 || nlen > 200 || memchr(name, '\n', nlen))
			continue;
		body = ne + 3;
		if (*body == '\n')
			body++;
		snprintf(endmark, sizeof(endmark), "@@@END %.*s@@@", (int)nlen, name);
		stop = strstr(body, endmark);
		if (!stop)
			continue;
		if (samples && strncmp(body, "t_ns", 4) != 0)
			continue;
		fputs(first ? "" : ", ", f);
		json_str_n(f, name, nlen);
		fputs(": ", f);
		if (samples)
			json_samples(f, body, (size_t)(stop - body));
		else
			json_str_n(f, body, (size_t)(stop - body));
		first = false;
	}
}

int kmmsim_json_run(const struct kmm_config *cfg, int nopts, char **opts, const char *name,
		    const char *text)
{
	struct text out = {0};
	enum kmm_status st = kmm_scenario_run(text, name, cfg, text_sink, &out);
	FILE *f = stdout;

	if (out.failed) {
		fprintf(stderr, "kmmsim: out of host memory for the scenario's output\n");
		free(out.buf);
		return 1;
	}
	fprintf(f,
		"{\"schema\": \"kmm-run/1\", \"version\": \"%s\", \"scenario\": ", kmm_version());
	json_str(f, name);
	fputs(", ", f);
	json_options(f, nopts, opts);
	fprintf(f, ", \"ok\": %s, \"error\": ", st ? "false" : "true");
	if (st)
		json_str(f, kmm_last_error(NULL));
	else
		fputs("null", f);
	fputs(", \"output\": ", f);
	json_str(f, out.buf ? out.buf : "");
	fputs(", \"blocks\": {", f);
	json_blocks(f, out.buf, false);
	fputs("}, \"samples\": {", f);
	json_blocks(f, out.buf, true);
	fputs("}}\n", f);
	free(out.buf);
	if (st) {
		fprintf(stderr, "kmmsim: %s\n", kmm_last_error(NULL));
		return 1;
	}
	return 0;
}

int kmmsim_cmd_plot(const struct kmm_config *cfg, int argc, char **argv)
{
	const char *old = getenv("PYTHONPATH");
	static char path[16384];
	char *args[64];
	int n = 0;

	(void)cfg;
	if (argc > 58) {
		fprintf(stderr, "kmmsim: plot takes at most 57 words\n");
		return 2;
	}
	/* The build tree's package, then the installed one, then the caller's path. */
	snprintf(path, sizeof(path), "%s/python:%s/%s%s%s", KMMSIM_BUILD_DIR, KMMSIM_INSTALL_PREFIX,
		 KMMSIM_PYTHON_INSTALL_DIR, old ? ":" : "", old ? old : "");
	setenv("PYTHONPATH", path, 1);
	if (!getenv("MPLBACKEND"))
		setenv("MPLBACKEND", "Agg", 1);
	args[n++] = (char *)KMMSIM_PYTHON3;
	args[n++] = (char *)"-m";
	args[n++] = (char *)"kmm";
	args[n++] = (char *)"plot";
	for (int i = 1; i < argc; i++)
		args[n++] = argv[i];
	args[n] = NULL;
	fflush(stdout);
	execv(KMMSIM_PYTHON3, args);
	fprintf(stderr,
		"kmmsim: plot: cannot run %s: %s (the plotter is Python: "
		"python3-matplotlib)\n",
		KMMSIM_PYTHON3, strerror(errno));
	return 1;
}
