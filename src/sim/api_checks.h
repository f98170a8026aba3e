/*
 * Shared by the public allocator APIs (page_api.c, slab_api.c, vmalloc_api.c): argument checks
 * (each returns KMM_OK, or KMM_EINVAL with a reason naming the calling function, and changes
 * nothing), and the one way into the kernel (api_kernel_call, in machine.c).
 */
#ifndef KMM_SIM_API_CHECKS_H
#define KMM_SIM_API_CHECKS_H

#include "mm/gfp.h"
#include "mm/internal.h"

/* The GFP bits the reference kernel defines (below __GFP_BITS_SHIFT without the KASAN ones). */
#define GFP_KNOWN_BITS ((gfp_t)((1u << 24) - 1))

static inline enum kmm_status api_check_gfp(struct kmm_kernel *k, const char *fn, kmm_gfp_t gfp)
{
	if (gfp & ~GFP_KNOWN_BITS)
		return env_error(k->env, KMM_EINVAL, "%s: unknown GFP bits %#x", fn,
				 gfp & ~GFP_KNOWN_BITS);
	if (gfp_zone(gfp) < 0)
		return env_error(k->env, KMM_EINVAL,
				 "%s: GFP %#x combines zone modifiers (GFP_ZONE_BAD)", fn, gfp);
	return KMM_OK;
}

/* NUMA_NO_NODE or an online node. */
static inline enum kmm_status api_check_nid(struct kmm_kernel *k, const char *fn, int nid)
{
	if (nid != NUMA_NO_NODE && (nid < 0 || nid >= MAX_NUMNODES || !k->node_data[nid]))
		return env_error(k->env, KMM_EINVAL, "%s: node %d is not online", fn, nid);
	return KMM_OK;
}

/*
 * Runs @run(k, @arg) inside the API boundary: a kernel BUG during it unwinds here and the
 * call returns KMM_EBUG (KMM_EDEAD on a dead machine). Arguments and results travel in @arg,
 * so no local of the calling API function is live across the setjmp.
 */
enum kmm_status api_kernel_call(struct kmm_kernel *k, void (*run)(struct kmm_kernel *k, void *arg),
				void *arg);

#endif /* KMM_SIM_API_CHECKS_H */
