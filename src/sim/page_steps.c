/*
 * Scenario steps of the page allocator: allocate and free pages in named sets, by order,
 * GFP flags, count or share of free memory, and pattern; switch CPU; drain the pcp lists;
 * switch trace events.
 *
 *   alloc-pages SET COUNT|PCT% [order=N] [gfp=FLAGS] [node=N]
 *   free-pages SET [every=K] [offset=J]     frees blocks J, J+K, J+2K, ... (default: all)
 *   cpu N | drain | trace EVENT|SUBSYSTEM|all on|off
 */
#include "sim/page_steps.h"

#include <stdlib.h>
#include <string.h>

#include "mm/internal.h"
#include "sim/machine.h"

#define PAGE_SETS_MAX 16

struct page_set {
	char name[32];
	unsigned order;
	size_t n, cap;
	kmm_pfn_t *pfn;
};

struct page_sets {
	struct page_set set[PAGE_SETS_MAX];
	int nr;
};

void scenario_page_sets_free(struct scenario *sc)
{
	struct page_sets *ps = sc->page_sets;

	if (!ps)
		return;
	for (int i = 0; i < ps->nr; i++)
		free(ps->set[i].pfn);
	free(ps);
	sc->page_sets = NULL;
}

static struct page_set *find_set(struct scenario *sc, const char *name, bool create)
{
	struct page_sets *ps = sc->page_sets;

	if (!ps) {
		if (!create || !(ps = sc->page_sets = calloc(1, sizeof(*ps))))
			return NULL;
	}
	for (int i = 0; i < ps->nr; i++)
		if (strcmp(ps->set[i].name, name) == 0)
			return &ps->set[i];
	if (!create || ps->nr == PAGE_SETS_MAX || strlen(name) >= sizeof(ps->set[0].name))
		return NULL;
	strcpy(ps->set[ps->nr].name, name);
	return &ps->set[ps->nr++];
}

static enum kmm_status set_push(struct scenario *sc, struct page_set *s, kmm_pfn_t pfn)
{
	if (s->n == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 1024;
		kmm_pfn_t *p = realloc(s->pfn, cap * sizeof(*p));

		if (!p)
			return scenario_fail(sc, KMM_EHOST, "alloc-pages: host memory exhausted");
		s->pfn = p;
		s->cap = cap;
	}
	s->pfn[s->n++] = pfn;
	return KMM_OK;
}

enum kmm_status step_alloc_pages(struct scenario *sc, int argc, char **argv)
{
	static const char *const keys[] = {"order", "gfp", "node", NULL};
	const char *vals[3] = {"0", "GFP_KERNEL", "-1"};
	uint64_t count, order;
	struct page_set *s;
	kmm_gfp_t gfp;
	size_t done = 0, len = strlen(argv[2]);
	long nid;

	if (!scenario_parse_opts(sc, argc, argv, 3, keys, vals))
		return KMM_EINVAL;
	if (!scenario_parse_u64(vals[0], &order) || order >= KMM_MAX_ORDER)
		return scenario_fail(sc, KMM_EINVAL, "alloc-pages: bad order '%s'", vals[0]);
	if (kmm_gfp_parse(vals[1], &gfp))
		return scenario_fail(sc, KMM_EINVAL, "alloc-pages: %s", kmm_last_error(NULL));
	nid = strtol(vals[2], NULL, 0);
	if (len > 1 && argv[2][len - 1] == '%') {
		/* A share of the free pages now, in blocks of the order. */
		double pct = strtod(argv[2], NULL);
		unsigned long free = global_zone_page_state(&sc->m->kernel, NR_FREE_PAGES);

		if (pct <= 0 || pct > 100)
			return scenario_fail(sc, KMM_EINVAL, "alloc-pages: bad share '%s'",
					     argv[2]);
		count = (uint64_t)((double)free * pct / 100.0) >> order;
	} else if (!scenario_parse_u64(argv[2], &count)) {
		return scenario_fail(sc, KMM_EINVAL, "alloc-pages: bad count '%s'", argv[2]);
	}
	s = find_set(sc, argv[1], true);
	if (!s)
		return scenario_fail(sc, KMM_EINVAL, "alloc-pages: too many sets or name too long");
	if (s->n && s->order != order)
		return scenario_fail(sc, KMM_EINVAL, "alloc-pages: set %s holds order-%u blocks",
				     s->name, s->order);
	s->order = (unsigned)order;
	for (; done < count; done++) {
		kmm_pfn_t pfn;
		enum kmm_status st =
			kmm_alloc_pages_node(sc->m, (int)nid, gfp, (unsigned)order, &pfn);

		if (st == KMM_ENOMEM)
			break;
		if (st)
			return scenario_fail(sc, st, "alloc-pages: %s", kmm_last_error(sc->m));
		if ((st = set_push(sc, s, pfn)))
			return st;
	}
	sink_printf(&sc->out, "alloc-pages %s: %zu of %llu order-%u blocks allocated\n", s->name,
		    done, (unsigned long long)count, s->order);
	return KMM_OK;
}

enum kmm_status step_free_pages(struct scenario *sc, int argc, char **argv)
{
	static const char *const keys[] = {"every", "offset", NULL};
	const char *vals[2] = {"1", "0"};
	struct page_set *s = find_set(sc, argv[1], false);
	uint64_t every, offset;
	size_t kept = 0, freed = 0;

	if (!s)
		return scenario_fail(sc, KMM_EINVAL, "free-pages: no set '%s'", argv[1]);
	if (!scenario_parse_opts(sc, argc, argv, 2, keys, vals))
		return KMM_EINVAL;
	if (!scenario_parse_u64(vals[0], &every) || !every || !scenario_parse_u64(vals[1], &offset))
		return scenario_fail(sc, KMM_EINVAL, "free-pages: bad every= or offset=");
	for (size_t i = 0; i < s->n; i++) {
		if (i >= offset && (i - offset) % every == 0) {
			enum kmm_status st = kmm_free_pages(sc->m, s->pfn[i], s->order);

			if (st)
				return scenario_fail(sc, st, "free-pages: %s",
						     kmm_last_error(sc->m));
			freed++;
		} else {
			s->pfn[kept++] = s->pfn[i];
		}
	}
	s->n = kept;
	sink_printf(&sc->out, "free-pages %s: %zu blocks freed, %zu kept\n", s->name, freed, kept);
	return KMM_OK;
}

enum kmm_status step_cpu(struct scenario *sc, int argc, char **argv)
{
	uint64_t cpu;

	(void)argc;
	if (!scenario_parse_u64(argv[1], &cpu) || kmm_cpu_set(sc->m, (unsigned)cpu))
		return scenario_fail(sc, KMM_EINVAL, "cpu: no CPU '%s'", argv[1]);
	return KMM_OK;
}

enum kmm_status step_drain(struct scenario *sc, int argc, char **argv)
{
	(void)argc;
	(void)argv;
	return kmm_drain_all_pages(sc->m);
}

enum kmm_status step_trace(struct scenario *sc, int argc, char **argv)
{
	bool on = strcmp(argv[2], "on") == 0;

	(void)argc;
	if (!on && strcmp(argv[2], "off") != 0)
		return scenario_fail(sc, KMM_EINVAL, "trace: expected on or off, got '%s'",
				     argv[2]);
	if (kmm_trace_enable(sc->m, argv[1], on))
		return scenario_fail(sc, KMM_EINVAL, "trace: %s", kmm_last_error(sc->m));
	return KMM_OK;
}
