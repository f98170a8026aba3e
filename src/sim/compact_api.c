/*
 * Public compaction call (include/kmm/machine.h: kmm_compact): the arguments checked, then
 * compaction.c's compact_nodes(), compact_node() or one zone of a node as compact_node()
 * compacts it.
 */
#include <kmm/machine.h>

#include <errno.h>
#include <string.h>

#include "mm/compaction.h"
#include "mm/swap.h"
#include "sim/api.h"

API_BODY(compact, {
	int nid;
	const char *zone;
})
{
	int zid = -1;

	if (p->zone) {
		if (p->nid < 0)
			return api_error(a, KMM_EINVAL, "a zone (%s) needs a node", p->zone);
		for (int z = 0; z < MAX_NR_ZONES; z++)
			if (strcmp(p->zone, zone_names[z]) == 0)
				zid = z;
		if (zid < 0)
			return api_error(a, KMM_EINVAL, "no zone type named '%s'", p->zone);
	}
	if (p->nid >= MAX_NUMNODES || (p->nid >= 0 && !NODE_DATA(a->k, p->nid)))
		return api_error(a, KMM_EINVAL, "node %d is not online", p->nid);
	if (p->nid < 0) {
		compact_nodes(a->k);
		return KMM_OK;
	}
	if (zid < 0) {
		lru_add_drain_all(a->k);
		return compact_node(a->k, p->nid) ? api_error(a, KMM_EINVAL, "node %d", p->nid)
						  : KMM_OK;
	}
	if (compact_node_zone(a->k, p->nid, zid))
		return api_error(a, KMM_EINVAL, "node %d has no %s memory", p->nid, p->zone);
	return KMM_OK;
}

enum kmm_status kmm_compact(struct kmm_machine *m, int nid, const char *zone)
{
	return API_CALL(m, API_BOOTED, compact, nid, zone);
}
