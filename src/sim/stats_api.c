/*
 * The structured statistics API (include/kmm/stats.h) and the sampler behind time series.
 *
 * Readers: the zone, pcp, TLB and counter calls read the kernel's structures directly, as
 * the /proc views do (mm/vmstat.c: zoneinfo_show, pagetypeinfo_showfree, vmstat_show), and
 * change nothing: no simulated time is charged, no event runs, no report is raised. A
 * counter that /proc/vmstat shows is read from that view's own text, so the two can never
 * disagree. The derived counters follow the kernel's formulas:
 *
 *   unusable_index_N     = (free - sum over o >= N of blocks[o] << o) * 1000 / free
 *                          (mm/vmstat.c: unusable_free_index, over all zones at once)
 *   fragmentation_score  = max over nodes of sum over zones of
 *                          extfrag(zone, 9) * zone.present / node.present
 *                          (mm/compaction.c: fragmentation_score_node/_zone_weighted)
 *
 * The sampler: one struct kmm_sampler per machine (m->sampler), its rows in the machine's
 * arena (freed with it). An event on the machine's queue (lib/evq.h) takes a row when it
 * runs and re-arms itself for the next multiple of the interval after now, so a long step
 * with no run point yields one row, not a burst of identical ones. Rows past
 * KMM_SAMPLE_MAX_VALUES values are counted as dropped, never stored: host memory is bounded.
 *
 * Models: mm/vmstat.c (fill_contig_page_info, unusable_free_index, extfrag_for_order),
 *         mm/compaction.c (fragmentation_score_node) (Linux 6.1.192)
 * Deviation: the sampler is ours (the kernel has no such thing; it stands for a user
 *            sampling /proc from a script, without the sampling perturbing the machine).
 *
 * Invariants (stats_check, from kmm_check):
 *  1. A sampler's rows x columns never exceed KMM_SAMPLE_MAX_VALUES and 1 <= cols <= 64.
 *  2. A running sampler's event is pending; a stopped one's is not.
 *  3. Row times never decrease.
 */
#include <kmm/stats.h>

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/sink.h"
#include "mm/views.h"
#include "sim/api.h"
#include "sim/stats.h"

_Static_assert(KMM_NR_MIGRATETYPES == MIGRATE_TYPES, "migratetype count differs");
_Static_assert(KMM_NR_PCP_LISTS == NR_PCP_LISTS, "pcp list count differs");
_Static_assert(KMM_MAX_ORDER == MAX_ORDER, "MAX_ORDER differs");

struct kmm_sampler {
	struct env_event ev;
	struct kmm_machine *m;
	uint64_t interval_cycles;
	unsigned cols;
	char names[KMM_SAMPLE_MAX_COUNTERS][64];
	bool running;
	uint64_t rows, cap_rows, dropped;
	uint64_t *times; /* ns, cap_rows entries */
	int64_t *values; /* rows x cols */
};

/* ---- readers ------------------------------------------------------------------------- */

static enum kmm_status need_booted(struct kmm_machine *m, const char *fn)
{
	if (!m)
		return kmm_error_nomachine(KMM_EINVAL, "%s: machine is NULL", fn);
	if (!m->kernel.booted)
		return env_error(&m->env, KMM_EINVAL, "%s: the machine is not booted", fn);
	return KMM_OK;
}

static struct zone *zone_at(struct kmm_machine *m, unsigned index)
{
	pg_data_t *pgdat;
	unsigned n = 0;

	for_each_online_pgdat(&m->kernel, pgdat) for (int z = 0; z < MAX_NR_ZONES; z++)
	{
		if (!populated_zone(&pgdat->node_zones[z]))
			continue;
		if (n++ == index)
			return &pgdat->node_zones[z];
	}
	return NULL;
}

unsigned kmm_stats_nr_zones(struct kmm_machine *m)
{
	pg_data_t *pgdat;
	unsigned n = 0;

	if (!m || !m->kernel.booted)
		return 0;
	for_each_online_pgdat(&m->kernel, pgdat) for (int z = 0; z < MAX_NR_ZONES; z++) n +=
		populated_zone(&pgdat->node_zones[z]);
	return n;
}

static uint64_t list_len(const struct list_head *head)
{
	uint64_t n = 0;

	for (const struct list_head *p = head->next; p != head; p = p->next)
		n++;
	return n;
}

enum kmm_status kmm_stats_zone(struct kmm_machine *m, unsigned index, struct kmm_zone_stats *out)
{
	enum kmm_status st = need_booted(m, "kmm_stats_zone");
	struct kmm_kernel *k;
	struct zone *zone;

	if (st)
		return st;
	if (!out)
		return env_error(&m->env, KMM_EINVAL, "kmm_stats_zone: NULL output");
	k = &m->kernel;
	zone = zone_at(m, index);
	if (!zone)
		return env_error(&m->env, KMM_ENOENT, "kmm_stats_zone: no populated zone %u (%u)",
				 index, kmm_stats_nr_zones(m));
	memset(out, 0, sizeof(*out));
	out->node = zone->node;
	out->zone = (int)(zone - zone->zone_pgdat->node_zones);
	snprintf(out->name, sizeof(out->name), "%s", zone->name);
	out->start_pfn = zone->zone_start_pfn;
	out->spanned_pages = zone->spanned_pages;
	out->present_pages = zone->present_pages;
	out->managed_pages = (uint64_t)zone->managed_pages;
	out->cma_pages = zone->cma_pages;
	out->free_pages = (uint64_t)zone->vm_stat[NR_FREE_PAGES];
	out->wmark_min = zone->_watermark[WMARK_MIN];
	out->wmark_low = zone->_watermark[WMARK_LOW];
	out->wmark_high = zone->_watermark[WMARK_HIGH];
	out->watermark_boost = zone->watermark_boost;
	out->nr_reserved_highatomic = zone->nr_reserved_highatomic;
	for (int o = 0; o < MAX_ORDER; o++) {
		out->free_blocks[o] = zone->free_area[o].nr_free;
		for (int mt = 0; mt < MIGRATE_TYPES; mt++)
			out->free_blocks_mt[o][mt] = list_len(&zone->free_area[o].free_list[mt]);
	}
	for (unsigned long pfn = zone->zone_start_pfn; pfn < zone_end_pfn(zone);
	     pfn += pageblock_nr_pages) {
		if (!pfn_valid(k, pfn) || page_zone(k, pfn_to_page(k, pfn)) != zone)
			continue;
		out->pageblocks_mt[get_pfnblock_migratetype(k, pfn)]++;
	}
	for (int cpu = 0; cpu < k->nr_cpus; cpu++)
		out->pcp_pages += (uint64_t)zone->per_cpu_pageset[cpu].count;
	out->pcp_high = zone->pageset_high;
	out->pcp_batch = zone->pageset_batch;
	return KMM_OK;
}

enum kmm_status kmm_stats_pcp(struct kmm_machine *m, unsigned index, unsigned cpu,
			      struct kmm_pcp_stats *out)
{
	enum kmm_status st = need_booted(m, "kmm_stats_pcp");
	const struct per_cpu_pages *pcp;
	struct zone *zone;

	if (st)
		return st;
	if (!out)
		return env_error(&m->env, KMM_EINVAL, "kmm_stats_pcp: NULL output");
	if (cpu >= (unsigned)m->kernel.nr_cpus)
		return env_error(&m->env, KMM_EINVAL, "kmm_stats_pcp: no CPU %u (%d CPUs)", cpu,
				 m->kernel.nr_cpus);
	zone = zone_at(m, index);
	if (!zone)
		return env_error(&m->env, KMM_ENOENT, "kmm_stats_pcp: no populated zone %u", index);
	pcp = &zone->per_cpu_pageset[cpu];
	memset(out, 0, sizeof(*out));
	out->node = zone->node;
	out->zone = (int)(zone - zone->zone_pgdat->node_zones);
	out->cpu = cpu;
	out->count = pcp->count;
	out->high = pcp->high;
	out->batch = pcp->batch;
	out->free_factor = pcp->free_factor;
	for (int i = 0; i < NR_PCP_LISTS; i++) {
		/* Each list holds blocks of its order: count pages, not blocks. */
		unsigned order = i < NR_LOWORDER_PCP_LISTS ? (unsigned)i / MIGRATE_PCPTYPES
							   : pageblock_order;
		out->list_pages[i] = list_len(&pcp->lists[i]) << order;
	}
	return KMM_OK;
}

enum kmm_status kmm_stats_tlb(struct kmm_machine *m, struct kmm_tlb_stats *out)
{
	enum kmm_status st = need_booted(m, "kmm_stats_tlb");
	struct kmm_tlb_stats one;

	if (st)
		return st;
	if (!out)
		return env_error(&m->env, KMM_EINVAL, "kmm_stats_tlb: NULL output");
	memset(out, 0, sizeof(*out));
	for (unsigned cpu = 0; cpu < m->cfg.nr_cpus; cpu++) {
		if ((st = kmm_tlb_stats(m, cpu, &one)))
			return st;
		for (int l = 0; l < KMM_TLB_LEVELS; l++) {
			out->hits[l] += one.hits[l];
			out->misses[l] += one.misses[l];
			out->fills[l] += one.fills[l];
			out->invalidations[l] += one.invalidations[l];
		}
		out->walks += one.walks;
		out->walk_reads += one.walk_reads;
		out->conflicts += one.conflicts;
	}
	return KMM_OK;
}

/* ---- counters ------------------------------------------------------------------------ */

/* Free blocks per order over every populated zone. */
static void free_blocks_all(struct kmm_machine *m, uint64_t blocks[MAX_ORDER])
{
	pg_data_t *pgdat;

	memset(blocks, 0, sizeof(uint64_t) * MAX_ORDER);
	for_each_online_pgdat(&m->kernel, pgdat) for (int z = 0; z < MAX_NR_ZONES; z++)
	{
		const struct zone *zone = &pgdat->node_zones[z];

		if (!populated_zone(zone))
			continue;
		for (int o = 0; o < MAX_ORDER; o++)
			blocks[o] += zone->free_area[o].nr_free;
	}
}

/* Models: mm/vmstat.c:extfrag_for_order() (percent of free space in blocks below @order). */
static uint64_t extfrag_for_order(const struct zone *zone, unsigned order)
{
	uint64_t free = 0, suitable = 0;

	for (unsigned o = 0; o < MAX_ORDER; o++) {
		free += (uint64_t)zone->free_area[o].nr_free << o;
		if (o >= order)
			suitable += (uint64_t)zone->free_area[o].nr_free << (o - order);
	}
	if (!free)
		return 0;
	return (free - (suitable << order)) * 100 / free;
}

/* Models: mm/compaction.c:fragmentation_score_node(), the highest over the nodes. */
static int64_t fragmentation_score(struct kmm_machine *m)
{
	pg_data_t *pgdat;
	int64_t best = 0;

	for_each_online_pgdat(&m->kernel, pgdat)
	{
		uint64_t score = 0;

		for (int z = 0; z < MAX_NR_ZONES; z++) {
			const struct zone *zone = &pgdat->node_zones[z];

			if (!populated_zone(zone) || !pgdat->node_present_pages)
				continue;
			score += extfrag_for_order(zone, pageblock_order) * zone->present_pages /
				 (pgdat->node_present_pages + 1);
		}
		if ((int64_t)score > best)
			best = (int64_t)score;
	}
	return best;
}

/* @name's value in the text of /proc/vmstat (@text, "name value\n" lines); false if absent. */
static bool vmstat_lookup(const char *text, const char *name, int64_t *value)
{
	size_t n = strlen(name);

	for (const char *p = text; p && *p;) {
		if (strncmp(p, name, n) == 0 && p[n] == ' ') {
			*value = strtoll(p + n + 1, NULL, 10);
			return true;
		}
		p = strchr(p, '\n');
		if (p)
			p++;
	}
	return false;
}

static bool parse_suffix(const char *name, const char *prefix, unsigned *order)
{
	size_t n = strlen(prefix);
	char *end;
	unsigned long v;

	if (strncmp(name, prefix, n) != 0 || !name[n] || name[n] < '0' || name[n] > '9')
		return false;
	v = strtoul(name + n, &end, 10);
	if (*end || v >= MAX_ORDER)
		return false;
	*order = (unsigned)v;
	return true;
}

/*
 * The counter @name into *@value, reading /proc/vmstat's text from *@vmstat (rendered on
 * first need, kept for the caller's next lookups). Returns false for an unknown name.
 */
static bool counter_value(struct kmm_machine *m, const char *name, struct sink_str *vmstat,
			  int64_t *value)
{
	uint64_t blocks[MAX_ORDER];
	unsigned order;

	if (strcmp(name, "clock_ns") == 0) {
		*value = (int64_t)env_time_ns(&m->env);
		return true;
	}
	if (strcmp(name, "fragmentation_score") == 0) {
		*value = fragmentation_score(m);
		return true;
	}
	if (parse_suffix(name, "free_order_", &order)) {
		free_blocks_all(m, blocks);
		*value = (int64_t)blocks[order];
		return true;
	}
	if (parse_suffix(name, "free_pages_order_ge_", &order)) {
		free_blocks_all(m, blocks);
		*value = 0;
		for (unsigned o = order; o < MAX_ORDER; o++)
			*value += (int64_t)(blocks[o] << o);
		return true;
	}
	if (parse_suffix(name, "unusable_index_", &order)) {
		uint64_t free = 0, suitable = 0;

		free_blocks_all(m, blocks);
		for (unsigned o = 0; o < MAX_ORDER; o++) {
			free += blocks[o] << o;
			if (o >= order)
				suitable += blocks[o] << o;
		}
		*value = free ? (int64_t)((free - suitable) * 1000 / free) : 0;
		return true;
	}
	if (strncmp(name, "tlb_", 4) == 0) {
		struct kmm_tlb_stats t;

		if (kmm_stats_tlb(m, &t))
			return false;
		if (strcmp(name, "tlb_hits") == 0)
			*value = (int64_t)(t.hits[KMM_TLB_L1I] + t.hits[KMM_TLB_L1D] +
					   t.hits[KMM_TLB_L2]);
		else if (strcmp(name, "tlb_misses") == 0)
			*value = (int64_t)t.misses[KMM_TLB_L2];
		else if (strcmp(name, "tlb_walks") == 0)
			*value = (int64_t)t.walks;
		else if (strcmp(name, "tlb_walk_reads") == 0)
			*value = (int64_t)t.walk_reads;
		else
			return false;
		return true;
	}
	if (!vmstat->buf) {
		struct sink out = {sink_str_fn, vmstat};

		show_vmstat(&m->kernel, &out);
		if (!vmstat->buf)
			return false;
	}
	return vmstat_lookup(vmstat->buf, name, value);
}

enum kmm_status kmm_stats_counter(struct kmm_machine *m, const char *name, int64_t *value)
{
	enum kmm_status st = need_booted(m, "kmm_stats_counter");
	struct sink_str vmstat = {0};
	bool ok;

	if (st)
		return st;
	if (!name || !value)
		return env_error(&m->env, KMM_EINVAL, "kmm_stats_counter: NULL argument");
	ok = counter_value(m, name, &vmstat, value);
	free(vmstat.buf);
	if (!ok)
		return env_error(&m->env, KMM_ENOENT,
				 "kmm_stats_counter: no counter '%s' (a /proc/vmstat field, "
				 "free_order_N, free_pages_order_ge_N, unusable_index_N, "
				 "fragmentation_score, tlb_hits, tlb_misses, tlb_walks, "
				 "tlb_walk_reads or clock_ns)",
				 name);
	return KMM_OK;
}

/* ---- the sampler ----------------------------------------------------------------------- */

/* Room for @rows rows (doubling, up to the cap); false when the cap or the host says no. */
static bool sample_reserve(struct kmm_sampler *s, uint64_t rows)
{
	struct kmm_env *env = &s->m->env;
	uint64_t max_rows = KMM_SAMPLE_MAX_VALUES / s->cols, cap = s->cap_rows;
	uint64_t *times;
	int64_t *values;

	if (rows <= cap)
		return true;
	if (rows > max_rows)
		return false;
	while (cap < rows)
		cap = cap ? cap * 2 : 1024;
	if (cap > max_rows)
		cap = max_rows;
	times = env_realloc(env, s->times, cap * sizeof(*times));
	if (!times)
		return false;
	s->times = times;
	values = env_realloc(env, s->values, cap * s->cols * sizeof(*values));
	if (!values)
		return false;
	s->values = values;
	s->cap_rows = cap;
	return true;
}

static void sample_take(struct kmm_sampler *s)
{
	struct kmm_machine *m = s->m;
	struct sink_str vmstat = {0};
	uint64_t now = env_time_ns(&m->env);

	if (!sample_reserve(s, s->rows + 1)) {
		s->dropped++;
		return;
	}
	if (s->rows && now < s->times[s->rows - 1])
		now = s->times[s->rows - 1];
	s->times[s->rows] = now;
	for (unsigned c = 0; c < s->cols; c++) {
		int64_t v = 0;

		counter_value(m, s->names[c], &vmstat, &v);
		s->values[s->rows * s->cols + c] = v;
	}
	free(vmstat.buf);
	s->rows++;
}

static void sample_event(struct kmm_env *env, struct env_event *ev)
{
	struct kmm_sampler *s = ev->arg;
	uint64_t next;

	if (!s->running)
		return;
	sample_take(s);
	next = (env->cycles / s->interval_cycles + 1) * s->interval_cycles;
	env_event_schedule(env, &s->ev, next, env->cur_cpu);
}

enum kmm_status kmm_sample_start(struct kmm_machine *m, uint64_t interval_ns, const char *counters)
{
	enum kmm_status st = need_booted(m, "kmm_sample_start");
	char names[KMM_SAMPLE_MAX_COUNTERS][64];
	struct sink_str vmstat = {0};
	struct kmm_sampler *s;
	unsigned cols = 0;
	const char *p;

	if (st)
		return st;
	if (!counters || !interval_ns)
		return env_error(&m->env, KMM_EINVAL, "kmm_sample_start: %s",
				 counters ? "interval 0" : "NULL counters");
	for (p = counters; *p;) {
		size_t n = strcspn(p, ",");
		int64_t v;

		if (n == 0 || n >= sizeof(names[0])) {
			free(vmstat.buf);
			return env_error(&m->env, KMM_EINVAL,
					 "kmm_sample_start: empty or too long counter name in '%s'",
					 counters);
		}
		if (cols == KMM_SAMPLE_MAX_COUNTERS) {
			free(vmstat.buf);
			return env_error(&m->env, KMM_EINVAL,
					 "kmm_sample_start: more than %d counters",
					 KMM_SAMPLE_MAX_COUNTERS);
		}
		memcpy(names[cols], p, n);
		names[cols][n] = 0;
		if (!counter_value(m, names[cols], &vmstat, &v)) {
			free(vmstat.buf);
			return env_error(&m->env, KMM_ENOENT,
					 "kmm_sample_start: no counter '%s' (kmm_stats_counter "
					 "lists the names)",
					 names[cols]);
		}
		cols++;
		p += n + (p[n] == ',');
	}
	free(vmstat.buf);
	if (!cols)
		return env_error(&m->env, KMM_EINVAL, "kmm_sample_start: no counter named");
	if (m->sampler) {
		env_event_cancel(&m->env, &m->sampler->ev);
		env_free(&m->env, m->sampler->times);
		env_free(&m->env, m->sampler->values);
		env_free(&m->env, m->sampler);
		m->sampler = NULL;
	}
	s = env_alloc(&m->env, sizeof(*s));
	if (!s)
		return env_error(&m->env, KMM_EHOST, "kmm_sample_start: host memory exhausted");
	s->m = m;
	s->cols = cols;
	memcpy(s->names, names, sizeof(names));
	s->interval_cycles = env_ns_to_cycles(&m->env, interval_ns);
	if (!s->interval_cycles)
		s->interval_cycles = 1;
	/* The arrays grow as rows come (sample_reserve), up to the cap. */
	s->cap_rows = 0;
	m->sampler = s;
	env_event_init(&s->ev, sample_event, s);
	s->running = true;
	if (!sample_reserve(s, 1024)) {
		s->running = false;
		return env_error(&m->env, KMM_EHOST, "kmm_sample_start: host memory exhausted");
	}
	sample_take(s);
	if (env_event_schedule(&m->env, &s->ev,
			       (m->env.cycles / s->interval_cycles + 1) * s->interval_cycles,
			       m->env.cur_cpu)) {
		s->running = false;
		return env_error(&m->env, KMM_EHOST, "kmm_sample_start: host memory exhausted");
	}
	return KMM_OK;
}

enum kmm_status kmm_sample_stop(struct kmm_machine *m)
{
	if (!m)
		return kmm_error_nomachine(KMM_EINVAL, "kmm_sample_stop: machine is NULL");
	if (!m->sampler || !m->sampler->running)
		return env_error(&m->env, KMM_ENOENT, "kmm_sample_stop: no sampler is running");
	env_event_cancel(&m->env, &m->sampler->ev);
	sample_take(m->sampler);
	m->sampler->running = false;
	return KMM_OK;
}

enum kmm_status kmm_sample_shape(struct kmm_machine *m, uint64_t *rows, unsigned *cols,
				 uint64_t *dropped)
{
	if (!m)
		return kmm_error_nomachine(KMM_EINVAL, "kmm_sample_shape: machine is NULL");
	if (!m->sampler)
		return env_error(&m->env, KMM_ENOENT, "kmm_sample_shape: no sampler has run");
	if (rows)
		*rows = m->sampler->rows;
	if (cols)
		*cols = m->sampler->cols;
	if (dropped)
		*dropped = m->sampler->dropped;
	return KMM_OK;
}

const char *kmm_sample_column(struct kmm_machine *m, unsigned col)
{
	if (!m || !m->sampler || col >= m->sampler->cols)
		return NULL;
	return m->sampler->names[col];
}

enum kmm_status kmm_sample_row(struct kmm_machine *m, uint64_t row, uint64_t *t_ns, int64_t *values,
			       unsigned cols)
{
	const struct kmm_sampler *s;

	if (!m)
		return kmm_error_nomachine(KMM_EINVAL, "kmm_sample_row: machine is NULL");
	s = m->sampler;
	if (!s)
		return env_error(&m->env, KMM_ENOENT, "kmm_sample_row: no sampler has run");
	if (row >= s->rows)
		return env_error(&m->env, KMM_ENOENT, "kmm_sample_row: row %" PRIu64 " of %" PRIu64,
				 row, s->rows);
	if (cols && !values)
		return env_error(&m->env, KMM_EINVAL, "kmm_sample_row: NULL values");
	if (t_ns)
		*t_ns = s->times[row];
	for (unsigned c = 0; c < cols && c < s->cols; c++)
		values[c] = s->values[row * s->cols + c];
	return KMM_OK;
}

enum kmm_status kmm_sample_csv(struct kmm_machine *m, kmm_sink_fn fn, void *arg)
{
	struct sink out = {fn, arg};
	const struct kmm_sampler *s;

	if (!m || !fn)
		return api_fail(m, KMM_EINVAL, "kmm_sample_csv: NULL argument");
	s = m->sampler;
	if (!s)
		return env_error(&m->env, KMM_ENOENT, "kmm_sample_csv: no sampler has run");
	sink_printf(&out, "t_ns");
	for (unsigned c = 0; c < s->cols; c++)
		sink_printf(&out, ",%s", s->names[c]);
	sink_printf(&out, "\n");
	for (uint64_t r = 0; r < s->rows; r++) {
		sink_printf(&out, "%" PRIu64, s->times[r]);
		for (unsigned c = 0; c < s->cols; c++)
			sink_printf(&out, ",%" PRId64, s->values[r * s->cols + c]);
		sink_printf(&out, "\n");
	}
	return KMM_OK;
}

bool stats_check(const struct kmm_machine *m, char *why, size_t whylen)
{
	const struct kmm_sampler *s = m->sampler;

	if (!s)
		return true;
	if (!s->cols || s->cols > KMM_SAMPLE_MAX_COUNTERS ||
	    s->rows * s->cols > KMM_SAMPLE_MAX_VALUES || s->rows > s->cap_rows) {
		snprintf(why, whylen,
			 "stats: sampler holds %" PRIu64 " rows of %u (cap %" PRIu64 ")", s->rows,
			 s->cols, s->cap_rows);
		return false;
	}
	if (s->running != env_event_pending(&s->ev) && !m->env.dead) {
		snprintf(why, whylen, "stats: sampler %s but its event is %spending",
			 s->running ? "running" : "stopped", s->running ? "not " : "");
		return false;
	}
	for (uint64_t r = 1; r < s->rows; r++)
		if (s->times[r] < s->times[r - 1]) {
			snprintf(why, whylen, "stats: sample row %" PRIu64 " goes back in time", r);
			return false;
		}
	return true;
}
