/*
 * Scenario steps of the slab allocator: create, shrink and destroy caches by name; allocate
 * objects into named sets from a cache or with kmalloc (a fixed size or sizes drawn evenly
 * from a range); free a set, or every K-th object of it.
 *
 *   kmem-cache-create NAME SIZE [align=N] [flags=SLAB_HWCACHE_ALIGN|SLAB_POISON|...]
 *   kmem-cache-destroy NAME | kmem-cache-shrink NAME
 *   kmem-cache-alloc SET CACHE COUNT [gfp=FLAGS] [node=N]
 *   kmalloc SET COUNT [size=N|A-B] [gfp=FLAGS] [node=N]
 *   kfree SET [every=K] [offset=J]       frees objects J, J+K, J+2K, ... (default: all)
 *
 * Sizes drawn from a range come from a generator seeded by the set's name, so a scenario
 * draws the same sizes on every run.
 */
#include "sim/slab_steps.h"

#include <stdlib.h>
#include <string.h>

#include "sim/machine.h"

#define SLAB_SETS_MAX	16
#define SLAB_CACHES_MAX 32

struct obj_set {
	char name[32];
	kmm_cache_t cache; /* 0: kmalloc'ed objects */
	size_t n, cap;
	kmm_va_t *va;
	uint64_t rng; /* size generator */
};

struct named_cache {
	char name[64];
	kmm_cache_t cache;
};

struct slab_sets {
	struct obj_set set[SLAB_SETS_MAX];
	int nr;
	struct named_cache cache[SLAB_CACHES_MAX];
	int nr_caches;
};

void scenario_slab_sets_free(struct scenario *sc)
{
	struct slab_sets *ss = sc->slab_sets;

	if (!ss)
		return;
	for (int i = 0; i < ss->nr; i++)
		free(ss->set[i].va);
	free(ss);
	sc->slab_sets = NULL;
}

static struct slab_sets *sets(struct scenario *sc)
{
	if (!sc->slab_sets)
		sc->slab_sets = calloc(1, sizeof(struct slab_sets));
	return sc->slab_sets;
}

static struct named_cache *find_cache(struct scenario *sc, const char *name)
{
	struct slab_sets *ss = sets(sc);

	for (int i = 0; ss && i < ss->nr_caches; i++)
		if (strcmp(ss->cache[i].name, name) == 0)
			return &ss->cache[i];
	return NULL;
}

static struct obj_set *find_set(struct scenario *sc, const char *name, kmm_cache_t cache,
				bool create)
{
	struct slab_sets *ss = sets(sc);
	struct obj_set *s;

	if (!ss)
		return NULL;
	for (int i = 0; i < ss->nr; i++)
		if (strcmp(ss->set[i].name, name) == 0)
			return &ss->set[i];
	if (!create || ss->nr == SLAB_SETS_MAX || strlen(name) >= sizeof(ss->set[0].name))
		return NULL;
	s = &ss->set[ss->nr++];
	strcpy(s->name, name);
	s->cache = cache;
	s->rng = 0x9e3779b97f4a7c15ull;
	for (const char *p = name; *p; p++)
		s->rng = (s->rng ^ (unsigned char)*p) * 0x100000001b3ull;
	return s;
}

static enum kmm_status set_push(struct scenario *sc, struct obj_set *s, kmm_va_t va)
{
	if (s->n == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 1024;
		kmm_va_t *p = realloc(s->va, cap * sizeof(*p));

		if (!p)
			return scenario_fail(sc, KMM_EHOST, "host memory exhausted");
		s->va = p;
		s->cap = cap;
	}
	s->va[s->n++] = va;
	return KMM_OK;
}

static const struct {
	const char *name;
	uint32_t flag;
} slab_flag_names[] = {
	{"SLAB_CONSISTENCY_CHECKS", KMM_SLAB_CONSISTENCY_CHECKS},
	{"SLAB_RED_ZONE", KMM_SLAB_RED_ZONE},
	{"SLAB_POISON", KMM_SLAB_POISON},
	{"SLAB_HWCACHE_ALIGN", KMM_SLAB_HWCACHE_ALIGN},
	{"SLAB_CACHE_DMA", KMM_SLAB_CACHE_DMA},
	{"SLAB_CACHE_DMA32", KMM_SLAB_CACHE_DMA32},
	{"SLAB_STORE_USER", KMM_SLAB_STORE_USER},
	{"SLAB_RECLAIM_ACCOUNT", KMM_SLAB_RECLAIM_ACCOUNT},
	{"SLAB_TYPESAFE_BY_RCU", KMM_SLAB_TYPESAFE_BY_RCU},
	{"SLAB_TRACE", KMM_SLAB_TRACE},
	{"SLAB_ACCOUNT", KMM_SLAB_ACCOUNT},
};

/* "SLAB_POISON|SLAB_RED_ZONE" (the SLAB_ prefix may be left out); false on an unknown name. */
static bool parse_slab_flags(const char *text, uint32_t *flags)
{
	*flags = 0;
	while (*text) {
		size_t n = strcspn(text, "|");
		bool found = false;

		for (size_t i = 0; i < sizeof(slab_flag_names) / sizeof(slab_flag_names[0]); i++) {
			const char *name = slab_flag_names[i].name;

			if ((strlen(name) == n && !strncmp(text, name, n)) ||
			    (strlen(name + 5) == n && !strncmp(text, name + 5, n))) {
				*flags |= slab_flag_names[i].flag;
				found = true;
			}
		}
		if (!found)
			return false;
		text += n + (text[n] == '|');
	}
	return true;
}

enum kmm_status step_kmem_cache_create(struct scenario *sc, int argc, char **argv)
{
	static const char *const keys[] = {"align", "flags", NULL};
	const char *vals[2] = {"0", ""};
	struct slab_sets *ss = sets(sc);
	uint64_t size, align;
	uint32_t flags;
	kmm_cache_t cache;
	enum kmm_status st;

	if (!ss)
		return scenario_fail(sc, KMM_EHOST, "host memory exhausted");
	if (!scenario_parse_opts(sc, argc, argv, 3, keys, vals))
		return KMM_EINVAL;
	if (!scenario_parse_u64(argv[2], &size) || size > UINT32_MAX ||
	    !scenario_parse_u64(vals[0], &align) || align > UINT32_MAX)
		return scenario_fail(sc, KMM_EINVAL, "kmem-cache-create: bad size or align");
	if (!parse_slab_flags(vals[1], &flags))
		return scenario_fail(sc, KMM_EINVAL, "kmem-cache-create: unknown flag in '%s'",
				     vals[1]);
	if (find_cache(sc, argv[1]))
		return scenario_fail(sc, KMM_EINVAL, "kmem-cache-create: %s exists", argv[1]);
	if (ss->nr_caches == SLAB_CACHES_MAX || strlen(argv[1]) >= sizeof(ss->cache[0].name))
		return scenario_fail(sc, KMM_EINVAL, "kmem-cache-create: too many caches");
	st = kmm_kmem_cache_create(sc->m, argv[1], (unsigned)size, (unsigned)align, flags, NULL,
				   NULL, &cache);
	if (st)
		return scenario_fail(sc, st, "kmem-cache-create: %s", kmm_last_error(sc->m));
	strcpy(ss->cache[ss->nr_caches].name, argv[1]);
	ss->cache[ss->nr_caches++].cache = cache;
	return KMM_OK;
}

enum kmm_status step_kmem_cache_destroy(struct scenario *sc, int argc, char **argv)
{
	struct named_cache *c = find_cache(sc, argv[1]);
	struct slab_sets *ss = sc->slab_sets;
	enum kmm_status st;

	(void)argc;
	if (!c)
		return scenario_fail(sc, KMM_EINVAL, "kmem-cache-destroy: no cache '%s'", argv[1]);
	st = kmm_kmem_cache_destroy(sc->m, c->cache);
	if (st)
		return scenario_fail(sc, st, "kmem-cache-destroy: %s", kmm_last_error(sc->m));
	*c = ss->cache[--ss->nr_caches];
	return KMM_OK;
}

enum kmm_status step_kmem_cache_shrink(struct scenario *sc, int argc, char **argv)
{
	struct named_cache *c = find_cache(sc, argv[1]);

	(void)argc;
	if (!c)
		return scenario_fail(sc, KMM_EINVAL, "kmem-cache-shrink: no cache '%s'", argv[1]);
	return kmm_kmem_cache_shrink(sc->m, c->cache);
}

static enum kmm_status alloc_into(struct scenario *sc, const char *step, struct obj_set *s,
				  uint64_t count, uint64_t lo, uint64_t hi, kmm_gfp_t gfp, long nid)
{
	size_t done = 0;
	uint64_t bytes = 0;

	for (; done < count; done++) {
		uint64_t size = lo;
		kmm_va_t va;
		enum kmm_status st;

		if (hi > lo) {
			s->rng ^= s->rng << 13;
			s->rng ^= s->rng >> 7;
			s->rng ^= s->rng << 17;
			size = lo + s->rng % (hi - lo + 1);
		}
		st = s->cache ? kmm_kmem_cache_alloc_node(sc->m, s->cache, gfp, (int)nid, &va)
			      : kmm_kmalloc_node(sc->m, (size_t)size, gfp, (int)nid, &va);
		if (st == KMM_ENOMEM)
			break;
		if (st)
			return scenario_fail(sc, st, "%s: %s", step, kmm_last_error(sc->m));
		if ((st = set_push(sc, s, va)))
			return st;
		bytes += size;
	}
	sink_printf(&sc->out, "%s %s: %zu of %llu objects allocated", step, s->name, done,
		    (unsigned long long)count);
	if (!s->cache)
		sink_printf(&sc->out, " (%llu bytes asked)", (unsigned long long)bytes);
	sink_printf(&sc->out, "\n");
	return KMM_OK;
}

enum kmm_status step_kmem_cache_alloc(struct scenario *sc, int argc, char **argv)
{
	static const char *const keys[] = {"gfp", "node", NULL};
	const char *vals[2] = {"GFP_KERNEL", "-1"};
	struct named_cache *c = find_cache(sc, argv[2]);
	struct obj_set *s;
	uint64_t count;
	kmm_gfp_t gfp;

	if (!c)
		return scenario_fail(sc, KMM_EINVAL, "kmem-cache-alloc: no cache '%s'", argv[2]);
	if (!scenario_parse_opts(sc, argc, argv, 4, keys, vals))
		return KMM_EINVAL;
	if (!scenario_parse_u64(argv[3], &count))
		return scenario_fail(sc, KMM_EINVAL, "kmem-cache-alloc: bad count '%s'", argv[3]);
	if (kmm_gfp_parse(vals[0], &gfp))
		return scenario_fail(sc, KMM_EINVAL, "kmem-cache-alloc: %s", kmm_last_error(NULL));
	s = find_set(sc, argv[1], c->cache, true);
	if (!s || s->cache != c->cache)
		return scenario_fail(
			sc, KMM_EINVAL,
			"kmem-cache-alloc: set %s holds other objects, or too many sets", argv[1]);
	return alloc_into(sc, "kmem-cache-alloc", s, count, 0, 0, gfp, strtol(vals[1], NULL, 0));
}

enum kmm_status step_kmalloc(struct scenario *sc, int argc, char **argv)
{
	static const char *const keys[] = {"size", "gfp", "node", NULL};
	const char *vals[3] = {"64", "GFP_KERNEL", "-1"};
	uint64_t count, lo, hi;
	struct obj_set *s;
	kmm_gfp_t gfp;
	char *dash;

	if (!scenario_parse_opts(sc, argc, argv, 3, keys, vals))
		return KMM_EINVAL;
	if (!scenario_parse_u64(argv[2], &count))
		return scenario_fail(sc, KMM_EINVAL, "kmalloc: bad count '%s'", argv[2]);
	dash = strchr(vals[0], '-');
	if (dash)
		*dash = '\0';
	if (!scenario_parse_u64(vals[0], &lo) || (dash && !scenario_parse_u64(dash + 1, &hi)))
		return scenario_fail(sc, KMM_EINVAL, "kmalloc: bad size= (N or A-B)");
	if (!dash)
		hi = lo;
	if (hi < lo)
		return scenario_fail(sc, KMM_EINVAL, "kmalloc: size range %llu-%llu is empty",
				     (unsigned long long)lo, (unsigned long long)hi);
	if (kmm_gfp_parse(vals[1], &gfp))
		return scenario_fail(sc, KMM_EINVAL, "kmalloc: %s", kmm_last_error(NULL));
	s = find_set(sc, argv[1], 0, true);
	if (!s || s->cache)
		return scenario_fail(sc, KMM_EINVAL,
				     "kmalloc: set %s holds cache objects, or too many sets",
				     argv[1]);
	return alloc_into(sc, "kmalloc", s, count, lo, hi, gfp, strtol(vals[2], NULL, 0));
}

enum kmm_status step_kfree(struct scenario *sc, int argc, char **argv)
{
	static const char *const keys[] = {"every", "offset", NULL};
	const char *vals[2] = {"1", "0"};
	struct obj_set *s = find_set(sc, argv[1], 0, false);
	uint64_t every, offset;
	size_t kept = 0, freed = 0;

	if (!s)
		return scenario_fail(sc, KMM_EINVAL, "kfree: no set '%s'", argv[1]);
	if (!scenario_parse_opts(sc, argc, argv, 2, keys, vals))
		return KMM_EINVAL;
	if (!scenario_parse_u64(vals[0], &every) || !every || !scenario_parse_u64(vals[1], &offset))
		return scenario_fail(sc, KMM_EINVAL, "kfree: bad every= or offset=");
	for (size_t i = 0; i < s->n; i++) {
		if (i >= offset && (i - offset) % every == 0) {
			enum kmm_status st =
				s->cache ? kmm_kmem_cache_free(sc->m, s->cache, s->va[i])
					 : kmm_kfree(sc->m, s->va[i]);

			if (st)
				return scenario_fail(sc, st, "kfree: %s", kmm_last_error(sc->m));
			freed++;
		} else {
			s->va[kept++] = s->va[i];
		}
	}
	s->n = kept;
	sink_printf(&sc->out, "kfree %s: %zu objects freed, %zu kept\n", s->name, freed, kept);
	return KMM_OK;
}
