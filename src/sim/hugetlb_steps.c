/*
 * Scenario steps of the hugetlb pools: the captured guest /init's hugepages_try
 * (shared/oracles/linux/src/init) as a step, printed in the capture's format.
 *
 *   hugepages N|auto [size=S] [node=K] [block=NAME]
 *       writes N to the pool of size S (default 2M: hugepages-2048kB; 64K, 32M and 1G are the
 *       others) through /proc/sys/vm/nr_hugepages (2M, as /init) or
 *       /sys/kernel/mm/hugepages/hugepages-<kB>kB/nr_hugepages, or node K's file under
 *       /sys/devices/system/node, reads the file back and prints
 *       "requested=N obtained=M uptime_before=T uptime_after=T". auto asks MemFree / S, as
 *       /init's want=$(( MemFree_kB / 2048 )). With block=NAME the line is the first of
 *       /init's NAME block: then the meminfo rows that say "huge" (grep -i huge), every node's
 *       nr_hugepages file as "PATH=VALUE", "--- vmstat delta (nonzero)" and the non-zero
 *       /proc/vmstat deltas over the write, between @@@BEGIN NAME@@@ and @@@END NAME@@@.
 *
 * Deviation: uptime is the simulated clock (see oom_steps.c).
 */
#include "sim/hugetlb_steps.h"

#include <ctype.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/oom_steps.h"

/* A view's text in host memory (NULL when out of host memory). */
struct text_buf {
	char *text;
	size_t len, cap;
	bool failed;
};

static void text_fn(void *arg, const char *s, size_t n)
{
	struct text_buf *t = arg;

	if (t->failed)
		return;
	if (t->len + n + 1 > t->cap) {
		size_t cap = (t->len + n + 1) * 2;
		char *p = realloc(t->text, cap);

		if (!p) {
			t->failed = true;
			return;
		}
		t->text = p;
		t->cap = cap;
	}
	memcpy(t->text + t->len, s, n);
	t->len += n;
	t->text[t->len] = 0;
}

/* The whole view at @path, or NULL (free() it). */
static char *view_text(struct scenario *sc, const char *path)
{
	struct text_buf t = {0};

	if (kmm_proc_show(sc->m, path, text_fn, &t) != KMM_OK || t.failed) {
		free(t.text);
		return NULL;
	}
	return t.text;
}

/* The first number of a view ("316\n"), 0 if none. */
static uint64_t view_u64(struct scenario *sc, const char *path)
{
	char *t = view_text(sc, path);
	uint64_t v = t ? strtoull(t, NULL, 10) : 0;

	free(t);
	return v;
}

/* MemFree in kB from /proc/meminfo. */
static uint64_t memfree_kb(struct scenario *sc)
{
	char *t = view_text(sc, "/proc/meminfo");
	const char *p = t ? strstr(t, "MemFree:") : NULL;
	uint64_t v = p ? strtoull(p + 8, NULL, 10) : 0;

	free(t);
	return v;
}

/* grep -i huge: the lines of @text that contain "huge" in any case. */
static void print_huge_lines(struct scenario *sc, const char *text)
{
	for (const char *p = text; p && *p;) {
		const char *eol = strchr(p, '\n');
		size_t n = eol ? (size_t)(eol - p) : strlen(p);

		for (size_t i = 0; i + 4 <= n; i++) {
			if (tolower((unsigned char)p[i]) == 'h' &&
			    tolower((unsigned char)p[i + 1]) == 'u' &&
			    tolower((unsigned char)p[i + 2]) == 'g' &&
			    tolower((unsigned char)p[i + 3]) == 'e') {
				sink_printf(&sc->out, "%.*s\n", (int)n, p);
				break;
			}
		}
		p = eol ? eol + 1 : NULL;
	}
}

enum kmm_status step_hugepages(struct scenario *sc, int argc, char **argv)
{
	static const char *const keys[] = {"size", "node", "block", NULL};
	const char *vals[3] = {"2M", NULL, NULL};
	uint64_t want, size, node = 0, got, t_a, t_b;
	char dir[96], path[160], value[32], *meminfo;
	struct vmstat_snap before = {0}, after;
	enum kmm_status st;

	if (!scenario_parse_opts(sc, argc, argv, 2, keys, vals))
		return KMM_EINVAL;
	if (!scenario_parse_u64(vals[0], &size) || size < 4096 || (size & (size - 1)))
		return scenario_fail(sc, KMM_EINVAL, "hugepages: bad size '%s'", vals[0]);
	if (vals[1] && !scenario_parse_u64(vals[1], &node))
		return scenario_fail(sc, KMM_EINVAL, "hugepages: bad node '%s'", vals[1]);
	if (strcmp(argv[1], "auto") == 0)
		want = memfree_kb(sc) / (size / 1024);
	else if (!scenario_parse_u64(argv[1], &want))
		return scenario_fail(sc, KMM_EINVAL, "hugepages: bad count '%s'", argv[1]);
	snprintf(dir, sizeof(dir), "hugepages-%" PRIu64 "kB", size / 1024);
	if (vals[1])
		snprintf(path, sizeof(path),
			 "/sys/devices/system/node/node%" PRIu64 "/hugepages/%s/nr_hugepages", node,
			 dir);
	else if (size == 2u << 20) /* /init's file: the default size's vm.nr_hugepages */
		snprintf(path, sizeof(path), "/proc/sys/vm/nr_hugepages");
	else
		snprintf(path, sizeof(path), "/sys/kernel/mm/hugepages/%s/nr_hugepages", dir);
	if (vals[2] && !scenario_vmstat_snap(sc, &before))
		return scenario_fail(sc, KMM_EHOST, "hugepages: host memory exhausted");
	snprintf(value, sizeof(value), "%" PRIu64, want);
	t_a = kmm_clock_ns(sc->m);
	st = kmm_sysctl(sc->m, path, value);
	t_b = kmm_clock_ns(sc->m);
	if (st != KMM_OK) {
		free(before.text);
		return scenario_fail(sc, st, "hugepages: %s: %s", path, kmm_last_error(sc->m));
	}
	got = view_u64(sc, path);
	if (vals[2])
		sink_printf(&sc->out, "@@@BEGIN %s@@@\n", vals[2]);
	sink_printf(&sc->out,
		    "requested=%" PRIu64 " obtained=%" PRIu64 " uptime_before=%" PRIu64
		    ".%02" PRIu64 " uptime_after=%" PRIu64 ".%02" PRIu64 "\n",
		    want, got, t_a / 1000000000, t_a / 10000000 % 100, t_b / 1000000000,
		    t_b / 10000000 % 100);
	if (!vals[2])
		return KMM_OK;
	meminfo = view_text(sc, "/proc/meminfo");
	print_huge_lines(sc, meminfo);
	free(meminfo);
	for (int nid = 0; nid < 16; nid++) { /* MAX_NUMNODES */
		snprintf(path, sizeof(path),
			 "/sys/devices/system/node/node%d/hugepages/%s/nr_hugepages", nid, dir);
		meminfo = view_text(sc, path);
		if (meminfo)
			sink_printf(&sc->out, "%s=%" PRIu64 "\n", path,
				    (uint64_t)strtoull(meminfo, NULL, 10));
		free(meminfo);
	}
	sink_printf(&sc->out, "--- vmstat delta (nonzero)\n");
	if (scenario_vmstat_snap(sc, &after)) {
		scenario_vmstat_delta(sc, &before, &after);
		free(after.text);
	}
	free(before.text);
	sink_printf(&sc->out, "@@@END %s@@@\n", vals[2]);
	return KMM_OK;
}
