/*
 * The API boundary (api.h): readiness, the BUG unwind, the handle table and the argument
 * checks every public call shares.
 *
 * Invariants (api_handles_check, run by kmm_check):
 *  1. nr <= cap; every slot below nr has a kind, and a live slot (obj != NULL) a kind that
 *     api_handle_kind names.
 *  2. A generation never is 0, so a handle is never 0 (0 means "no handle" to the host).
 */
#include "sim/api.h"

#include <stdio.h>

static enum kmm_status api_ready(struct api *a, enum api_need need)
{
	struct kmm_machine *m = a->m;

	if (!m)
		return kmm_error_nomachine(KMM_EINVAL, "%s: NULL machine", a->fn);
	a->env = &m->env;
	a->k = &m->kernel;
	if (m->env.dead)
		return env_error(&m->env, KMM_EDEAD, "%s: machine is dead: only inspect or destroy",
				 a->fn);
	if (need >= API_BOOTED && !m->kernel.booted)
		return env_error(&m->env, KMM_EINVAL, "%s: the machine has no booted kernel",
				 a->fn);
	if (need == API_SLAB && m->kernel.kmem.slab_state < UP)
		return env_error(&m->env, KMM_EINVAL, "%s: the machine has no slab allocator",
				 a->fn);
	if (need == API_VMALLOC && !m->kernel.vmap)
		return env_error(&m->env, KMM_EINVAL, "%s: vmalloc is not initialised", a->fn);
	if (need == API_USER && (!m->kernel.tasks || !m->kernel.mm_state))
		return env_error(&m->env, KMM_EINVAL, "%s: the kernel has no user space (tasks)",
				 a->fn);
	return KMM_OK;
}

struct api_run {
	struct api *a;
	api_body_fn body;
	void *args;
};

static enum kmm_status api_run(void *arg)
{
	struct api_run *r = arg;

	return r->body(r->a, r->args);
}

enum kmm_status api_call(struct kmm_machine *m, const char *fn, enum api_need need,
			 api_body_fn body, void *args)
{
	struct api a = {.m = m, .fn = fn};
	struct api_run r = {&a, body, args};
	enum kmm_status st = api_ready(&a, need);

	if (st)
		return st;
	return env_unwind_call(a.env, api_run, &r);
}

/*
 * Formats an error and records it on @m (the thread's when NULL), prefixed "@fn: " when @fn
 * is set. The error text is the one field a const caller may change: it is not machine state.
 */
static enum kmm_status api_verror(const struct kmm_machine *m, const char *fn,
				  enum kmm_status status, const char *fmt, va_list ap)
	KMM_PRINTF(4, 0);

static enum kmm_status api_verror(const struct kmm_machine *m, const char *fn,
				  enum kmm_status status, const char *fmt, va_list ap)
{
	char text[ENV_ERR_MAX];

	vsnprintf(text, sizeof(text), fmt, ap);
	if (!m)
		return kmm_error_nomachine(status, "%s%s%s", fn ? fn : "", fn ? ": " : "", text);
	return env_error((struct kmm_env *)&m->env, status, "%s%s%s", fn ? fn : "", fn ? ": " : "",
			 text);
}

enum kmm_status api_error(const struct api *a, enum kmm_status status, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	status = api_verror(a->m, a->fn, status, fmt, ap);
	va_end(ap);
	return status;
}

enum kmm_status api_fail(const struct kmm_machine *m, enum kmm_status status, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	status = api_verror(m, NULL, status, fmt, ap);
	va_end(ap);
	return status;
}

/* ---- handles --------------------------------------------------------------------------- */

static bool handles_grow(struct kmm_machine *m)
{
	struct api_handles *h = &m->handles;
	uint32_t cap = h->cap ? 2 * h->cap : 16;
	void **obj = env_realloc(&m->env, h->obj, cap * sizeof(*obj));
	uint32_t *gen;
	uint8_t *kind;

	if (!obj)
		return false;
	h->obj = obj;
	gen = env_realloc(&m->env, h->gen, cap * sizeof(*gen));
	if (!gen)
		return false;
	h->gen = gen;
	kind = env_realloc(&m->env, h->kind, cap * sizeof(*kind));
	if (!kind)
		return false;
	h->kind = kind;
	h->cap = cap;
	return true;
}

uint64_t api_handle_add(struct kmm_machine *m, enum api_handle_kind kind, void *obj)
{
	struct api_handles *h = &m->handles;
	uint32_t slot;

	for (slot = 0; slot < h->nr && h->obj[slot]; slot++)
		;
	if (slot == h->nr) {
		if (h->nr == h->cap && !handles_grow(m))
			return 0;
		h->gen[h->nr++] = 1;
	}
	h->obj[slot] = obj;
	h->kind[slot] = (uint8_t)kind;
	return (uint64_t)h->gen[slot] << 32 | (slot + 1);
}

void *api_handle_get(const struct kmm_machine *m, enum api_handle_kind kind, uint64_t handle)
{
	const struct api_handles *h = &m->handles;
	uint32_t slot = (uint32_t)handle - 1, gen = (uint32_t)(handle >> 32);

	if (!(uint32_t)handle || slot >= h->nr || h->gen[slot] != gen || h->kind[slot] != kind)
		return NULL;
	return h->obj[slot];
}

void api_handle_del(struct kmm_machine *m, uint64_t handle)
{
	struct api_handles *h = &m->handles;
	uint32_t slot = (uint32_t)handle - 1;

	h->obj[slot] = NULL;
	if (++h->gen[slot] == 0)
		h->gen[slot] = 1;
}

uint64_t api_handle_find(const struct kmm_machine *m, enum api_handle_kind kind,
			 bool (*fn)(void *obj, void *arg), void *arg)
{
	const struct api_handles *h = &m->handles;

	for (uint32_t i = 0; i < h->nr; i++)
		if (h->obj[i] && h->kind[i] == kind && fn(h->obj[i], arg))
			return (uint64_t)h->gen[i] << 32 | (i + 1);
	return 0;
}

bool api_handles_check(const struct kmm_machine *m, char *why, size_t whylen)
{
	const struct api_handles *h = &m->handles;

	if (h->nr > h->cap) {
		snprintf(why, whylen, "api: %u handle slots used of %u", h->nr, h->cap);
		return false;
	}
	for (uint32_t i = 0; i < h->nr; i++) {
		if (!h->gen[i] || (h->obj[i] && h->kind[i] != API_HANDLE_CACHE &&
				   h->kind[i] != API_HANDLE_MEMPOOL)) {
			snprintf(why, whylen, "api: handle slot %u has generation %u, kind %u", i,
				 h->gen[i], h->kind[i]);
			return false;
		}
	}
	return true;
}

/* ---- argument checks -------------------------------------------------------------------- */

enum kmm_status api_check_gfp(const struct api *a, kmm_gfp_t gfp)
{
	if (gfp & ~GFP_KNOWN_BITS)
		return api_error(a, KMM_EINVAL, "unknown GFP bits %#x", gfp & ~GFP_KNOWN_BITS);
	if (gfp_zone(gfp) < 0)
		return api_error(a, KMM_EINVAL, "GFP %#x combines zone modifiers (GFP_ZONE_BAD)",
				 gfp);
	/* gfp_migratetype() warns on both: no free list serves "movable and reclaimable". */
	if ((gfp & GFP_MOVABLE_MASK) == GFP_MOVABLE_MASK)
		return api_error(a, KMM_EINVAL,
				 "GFP %#x asks for both __GFP_MOVABLE and __GFP_RECLAIMABLE", gfp);
	return KMM_OK;
}

enum kmm_status api_check_nid(const struct api *a, int nid)
{
	if (nid != NUMA_NO_NODE && (nid < 0 || nid >= MAX_NUMNODES || !a->k->node_data[nid]))
		return api_error(a, KMM_EINVAL, "node %d is not online", nid);
	return KMM_OK;
}

enum kmm_status api_check_pfn(const struct api *a, kmm_pfn_t pfn)
{
	const struct kmm_kernel *k = a->k;

	if (pfn > ULONG_MAX || !pfn_valid(k, (unsigned long)pfn))
		return api_error(a, KMM_EINVAL, "pfn %#llx has no struct page",
				 (unsigned long long)pfn);
	if (!page_zone(k, pfn_to_page(k, (unsigned long)pfn))->initialized)
		return api_error(a, KMM_EINVAL, "pfn %#llx is in no zone", (unsigned long long)pfn);
	return KMM_OK;
}
