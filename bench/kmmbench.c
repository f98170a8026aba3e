/*
 * kmmbench: runs one benchmark and prints a readable table (median of several runs, with
 * the spread) or, with --json, the same figures as one JSON object.
 *
 *   kmmbench --list
 *   kmmbench NAME [--json] [--runs N]
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bench.h"

static const struct {
	const char *name, *help;
	int (*fn)(struct bench *b);
} benches[] = {
#define KMM_BENCH_ROW(name, help) {#name, help, bench_##name},
	KMM_BENCHES(KMM_BENCH_ROW)
#undef KMM_BENCH_ROW
};

/* JSON notes are collected and printed at the end. */
static char notes[64][256];
static int nr_notes;

uint64_t bench_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

uint64_t bench_rss_bytes(void)
{
	FILE *f = fopen("/proc/self/statm", "r");
	unsigned long size, resident;

	if (!f)
		return 0;
	if (fscanf(f, "%lu %lu", &size, &resident) != 2)
		resident = 0;
	fclose(f);
	return (uint64_t)resident * 4096u;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static void json_string(const char *s)
{
	putchar('"');
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			putchar('\\');
		putchar(*s);
	}
	putchar('"');
}

void bench_figure(struct bench *b, const char *metric, const char *unit, const double *samples,
		  int n, const char *note)
{
	double sorted[BENCH_MAX_RUNS];
	double median;

	if (n > BENCH_MAX_RUNS)
		n = BENCH_MAX_RUNS;
	memcpy(sorted, samples, sizeof(double) * (size_t)n);
	qsort(sorted, (size_t)n, sizeof(double), cmp_double);
	median = n % 2 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
	if (b->json) {
		printf("%s\n    {\"metric\": ", b->nr_rows ? "," : "");
		json_string(metric);
		printf(", \"unit\": ");
		json_string(unit);
		printf(", \"median\": %.6g, \"min\": %.6g, \"max\": %.6g, \"runs\": %d", median,
		       sorted[0], sorted[n - 1], n);
		if (note) {
			printf(", \"note\": ");
			json_string(note);
		}
		printf("}");
	} else {
		if (b->nr_rows == 0)
			printf("%-44s %12s  %-27s %s\n", "figure", "median", "spread (min .. max)",
			       "unit");
		printf("%-44s %12.4g  [%10.4g .. %10.4g]  %s%s%s\n", metric, median, sorted[0],
		       sorted[n - 1], unit, note ? "  " : "", note ? note : "");
	}
	b->nr_rows++;
}

void bench_note(struct bench *b, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	if (b->json) {
		if (nr_notes < 64)
			vsnprintf(notes[nr_notes++], sizeof(notes[0]), fmt, ap);
	} else {
		printf("note: ");
		vprintf(fmt, ap);
		printf("\n");
	}
	va_end(ap);
}

static void usage(FILE *f)
{
	fprintf(f,
		"usage: kmmbench --list | kmmbench NAME [--json] [--runs N]\n"
		"\n"
		"Runs benchmark NAME on simulated machines and prints each figure as the median\n"
		"of the runs with their spread (min .. max); notes say what a figure measures.\n"
		"\n"
		"Options:\n"
		"  --list       list the benchmarks (name and what it measures)\n"
		"  --json       print the figures and notes as one JSON object\n"
		"  --runs N     repeat each measurement N times (1..%d; default 7)\n"
		"  -h, --help   this text\n"
		"\n"
		"Benchmarks:\n",
		BENCH_MAX_RUNS);
	for (size_t j = 0; j < sizeof(benches) / sizeof(benches[0]); j++)
		fprintf(f, "  %-10s %s\n", benches[j].name, benches[j].help);
	fprintf(f,
		"\nBuild with the release preset for figures worth comparing (docs/status.md).\n");
}

int main(int argc, char **argv)
{
	struct bench b = {.runs = 7};
	const char *name = NULL;
	int rc = 2;

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--list") == 0) {
			for (size_t j = 0; j < sizeof(benches) / sizeof(benches[0]); j++)
				printf("%-10s %s\n", benches[j].name, benches[j].help);
			return 0;
		} else if (strcmp(argv[i], "--json") == 0) {
			b.json = true;
		} else if (strcmp(argv[i], "--runs") == 0 && i + 1 < argc) {
			b.runs = atoi(argv[++i]);
			if (b.runs < 1 || b.runs > BENCH_MAX_RUNS) {
				fprintf(stderr, "kmmbench: --runs takes 1..%d\n", BENCH_MAX_RUNS);
				return 2;
			}
		} else if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
			usage(stdout);
			return 0;
		} else if (!name && argv[i][0] != '-') {
			name = argv[i];
		} else {
			usage(stderr);
			return 2;
		}
	}
	if (!name) {
		usage(stderr);
		return 2;
	}
	for (size_t j = 0; j < sizeof(benches) / sizeof(benches[0]); j++) {
		if (strcmp(name, benches[j].name) != 0)
			continue;
		b.name = name;
		if (b.json)
			printf("{\"bench\": \"%s\", \"runs\": %d, \"results\": [", name, b.runs);
		else
			printf("kmmbench %s (median of %d runs)\n", name, b.runs);
		rc = benches[j].fn(&b);
		if (b.json) {
			printf("\n  ], \"notes\": [");
			for (int k = 0; k < nr_notes; k++) {
				printf("%s\n    ", k ? "," : "");
				json_string(notes[k]);
			}
			printf("]}\n");
		}
		return rc;
	}
	fprintf(stderr, "kmmbench: no benchmark '%s' (kmmbench --list names them)\n", name);
	return 2;
}
