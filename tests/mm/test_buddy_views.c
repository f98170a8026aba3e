/*
 * The allocator's views and events against the real kernel: the extfrag indexes of every
 * captured snapshot (the zones' free counts from the captured /proc/buddyinfo go in, the
 * captured unusable_index and extfrag_index lines must come out byte for byte), /proc views
 * following the live state (MemFree without pcp pages, buddyinfo, pgalloc/pgfree/numa
 * counters), and the trace events' formats. Covers src/mm/vmstat.c, page_alloc.c (events),
 * src/lib/trace.c.
 */
#include "buddy_test.h"

#include <dirent.h>

#include "lib/sink.h"
#include "mm/views.h"

static int zone_index(const char *name)
{
	for (int z = 0; z < MAX_NR_ZONES; z++)
		if (strcmp(zone_names[z], name) == 0)
			return z;
	fail_msg("unknown zone %s", name);
	return -1;
}

/* Compares our indexes for the snapshot in @text (buddyinfo lines first) with its lines. */
static int check_snapshot(const char *path, char *text)
{
	struct kmm_kernel k;
	pg_data_t *nodes[MAX_NUMNODES] = {0};
	char want_unusable[4096] = "", want_extfrag[4096] = "", got[8192];
	struct sink_buf sb = {got, sizeof(got), 0, 0};
	struct sink out = {sink_buf_fn, &sb};
	int section = 0, zones = 0;

	memset(&k, 0, sizeof(k));
	for (char *line = strtok(text, "\n"); line; line = strtok(NULL, "\n")) {
		int nid, n;
		char zname[16];
		unsigned long nr[MAX_ORDER];

		if (strncmp(line, "---", 3) == 0 ||
		    sscanf(line, "Node %d, zone %15s", &nid, zname) != 2)
			continue;
		if (strchr(line, '.') == NULL) { /* a buddyinfo line */
			const char *p = strstr(line, zname) + strlen(zname);
			struct zone *z;

			for (int o = 0; o < MAX_ORDER; o++) {
				nr[o] = strtoul(p, (char **)&p, 10);
			}
			if (!nodes[nid]) {
				nodes[nid] = calloc(1, sizeof(pg_data_t));
				nodes[nid]->node_id = nid;
				k.node_data[nid] = nodes[nid];
			}
			z = &nodes[nid]->node_zones[zone_index(zname)];
			z->present_pages = 1;
			for (int o = 0; o < MAX_ORDER; o++)
				z->free_area[o].nr_free = nr[o];
			zones++;
			continue;
		}
		/* The index blocks follow, unusable first, one line per zone each. */
		n = section++ < zones ? 0 : 1;
		strcat(n ? want_extfrag : want_unusable, line);
		strcat(n ? want_extfrag : want_unusable, "\n");
	}
	if (!zones)
		return 0;
	show_unusable_index(&k, &out);
	if (strcmp(got, want_unusable) != 0)
		fail_msg("%s unusable_index:\nours:\n%skernel:\n%s", path, got, want_unusable);
	sb.len = 0;
	got[0] = 0;
	show_extfrag_index(&k, &out);
	if (strcmp(got, want_extfrag) != 0)
		fail_msg("%s extfrag_index:\nours:\n%skernel:\n%s", path, got, want_extfrag);
	for (int i = 0; i < MAX_NUMNODES; i++)
		free(nodes[i]);
	return 1;
}

static void test_buddy_extfrag_indexes_match_every_capture(void **state)
{
	char dir[512], path[1024];
	DIR *configs;
	struct dirent *c;
	int checked = 0;

	(void)state;
	snprintf(dir, sizeof(dir), "%s/oracles/linux/captures", KMM_DATA_DIR);
	configs = opendir(dir);
	if (!configs)
		fail_msg("test data %s cannot be read", dir);
	while ((c = readdir(configs))) {
		DIR *d;
		struct dirent *f;

		if (c->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, c->d_name);
		if (!(d = opendir(path)))
			continue;
		while ((f = readdir(d))) {
			char file[1536], *text = calloc(1, 1 << 16);
			FILE *fp;

			if (!strstr(f->d_name, ".extfrag.txt")) {
				free(text);
				continue;
			}
			snprintf(file, sizeof(file), "%s/%s", path, f->d_name);
			fp = test_data_fopen(file);
			text[fread(text, 1, (1 << 16) - 1, fp)] = 0;
			fclose(fp);
			checked += check_snapshot(file, text);
			free(text);
		}
		closedir(d);
	}
	closedir(configs);
	/* Seven configurations with several snapshots each. */
	assert_true(checked >= 40);
}

static long vmstat(struct kmm_machine *m, const char *name)
{
	const char *v = test_view(m, "/proc/vmstat");
	char key[64];
	const char *p;

	snprintf(key, sizeof(key), "\n%s ", name);
	p = strncmp(v, key + 1, strlen(key + 1)) == 0 ? v - 1 : strstr(v, key);
	if (!p)
		fail_msg("no %s in /proc/vmstat", name);
	return strtol(p + strlen(key), NULL, 10);
}

static long meminfo_kb(struct kmm_machine *m, const char *name)
{
	const char *p = strstr(test_view(m, "/proc/meminfo"), name);

	assert_non_null(p);
	return strtol(p + strlen(name), NULL, 10);
}

static void test_buddy_views_follow_live_state(void **state)
{
	struct kmm_machine *m = buddy_machine("1G", "1", NULL);
	struct zone *z = zone_of(m, 0, ZONE_DMA);
	long memfree = meminfo_kb(m, "MemFree:"), pgalloc = vmstat(m, "pgalloc_dma");
	long pgfree = vmstat(m, "pgfree"), hit = vmstat(m, "numa_hit");
	kmm_pfn_t pfn;
	char expect[256];

	(void)state;
	/* One order-0 allocation moves a batch (63) to the pcp list: MemFree drops 63 * 4 kB. */
	assert_int_equal(kmm_alloc_pages(m, KMM_GFP_KERNEL, 0, &pfn), KMM_OK);
	assert_int_equal(meminfo_kb(m, "MemFree:"), memfree - 63 * 4);
	assert_int_equal(vmstat(m, "nr_free_pages"), (memfree - 63 * 4) / 4);
	assert_int_equal(vmstat(m, "pgalloc_dma"), pgalloc + 1);
	assert_int_equal(vmstat(m, "numa_hit"), hit + 1);
	assert_int_equal(vmstat(m, "numa_local"), vmstat(m, "numa_hit"));
	assert_int_equal(kmm_free_pages(m, pfn, 0), KMM_OK);
	assert_int_equal(vmstat(m, "pgfree"), pgfree + 1);
	/* An order-3 allocation counts 8 pages. */
	assert_int_equal(kmm_alloc_pages(m, KMM_GFP_HIGHUSER_MOVABLE, 3, &pfn), KMM_OK);
	assert_int_equal(vmstat(m, "pgalloc_dma"), pgalloc + 1 + 8);
	/* /proc/zoneinfo shows the pcp count; buddyinfo the free lists as they are. */
	snprintf(expect, sizeof(expect), "count: %d", z->per_cpu_pageset[0].count);
	assert_contains(test_view(m, "/proc/zoneinfo"), expect);
	snprintf(expect, sizeof(expect), "Node 0, zone      DMA %6lu %6lu ",
		 z->free_area[0].nr_free, z->free_area[1].nr_free);
	assert_contains(test_view(m, "/proc/buddyinfo"), expect);
	assert_int_equal(kmm_drain_all_pages(m), KMM_OK);
	assert_contains(test_view(m, "/proc/zoneinfo"), "count: 0");
	test_machine_done(m);
}

static void test_buddy_trace_event_formats(void **state)
{
	struct kmm_machine *m = buddy_machine("1G", "1", NULL);
	char expect[512];
	const char *trace;
	kmm_pfn_t pfn, rpfn;

	(void)state;
	assert_int_equal(kmm_trace_enable(m, "nosuch_event", true), KMM_ENOENT);
	assert_int_equal(kmm_trace_enable(m, "kmem", true), KMM_OK);
	assert_int_equal(kmm_alloc_pages(m, KMM_GFP_KERNEL, 0, &pfn), KMM_OK);
	trace = test_view(m, "/sys/kernel/debug/tracing/trace");
	assert_contains(trace, "# tracer: nop");
	/*
	 * page= is the struct page's kernel address: VMEMMAP_START (0xfffffc0000000000) plus
	 * 64 bytes per PFN above PHYS_OFFSET (pfn 0x40000).
	 */
	snprintf(expect, sizeof(expect),
		 "mm_page_alloc: page=%#llx pfn=%#llx order=0 migratetype=0 gfp_flags=GFP_KERNEL",
		 0xfffffc0000000000ull + (unsigned long long)(pfn - 0x40000) * 64,
		 (unsigned long long)pfn);
	assert_contains(trace, expect);
	/* The refill took the batch under zone->lock, each with percpu_refill=1. */
	assert_contains(trace, "mm_page_alloc_zone_locked: page=");
	assert_contains(trace, "order=0 migratetype=0 percpu_refill=1");
	/*
	 * The first reclaimable request steals a MOVABLE order-10 block (the slab allocator's
	 * boot already took an UNMOVABLE one, so the first unmovable request found its own).
	 */
	assert_int_equal(kmm_alloc_pages(m, KMM_GFP_KERNEL | KMM___GFP_RECLAIMABLE, 0, &rpfn),
			 KMM_OK);
	trace = test_view(m, "/sys/kernel/debug/tracing/trace");
	assert_contains(trace, "mm_page_alloc_extfrag: page=");
	assert_contains(trace, "alloc_order=0 fallback_order=10 pageblock_order=9 "
			       "alloc_migratetype=2 fallback_migratetype=1 fragmenting=0 "
			       "change_ownership=1");
	assert_int_equal(kmm_free_pages(m, rpfn, 0), KMM_OK);
	assert_int_equal(kmm_free_pages(m, pfn, 0), KMM_OK);
	snprintf(expect, sizeof(expect), "mm_page_free: page=%#llx pfn=%#llx order=0",
		 0xfffffc0000000000ull + (unsigned long long)(pfn - 0x40000) * 64,
		 (unsigned long long)pfn);
	assert_contains(test_view(m, "/sys/kernel/debug/tracing/trace"), expect);
	assert_int_equal(kmm_drain_all_pages(m), KMM_OK);
	assert_contains(test_view(m, "/sys/kernel/debug/tracing/trace"),
			"mm_page_pcpu_drain: page=");
	kmm_trace_clear(m);
	assert_int_equal(kmm_trace_enable(m, "all", false), KMM_OK);
	assert_int_equal(kmm_alloc_pages(m, KMM_GFP_KERNEL, 0, &pfn), KMM_OK);
	assert_null(strstr(test_view(m, "/sys/kernel/debug/tracing/trace"), "mm_page_alloc"));
	test_machine_done(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_buddy_extfrag_indexes_match_every_capture),
		cmocka_unit_test(test_buddy_views_follow_live_state),
		cmocka_unit_test(test_buddy_trace_event_formats),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
