/*
 * Workingset detection: telling a page that keeps coming back (thrashing) from one read once.
 *
 * Every node keeps a clock, lruvec->nonresident_age, that ticks once per page evicted from
 * the inactive list and once per page activated. Reclaim stores the clock's reading in the
 * evicted page's cache slot (a shadow entry, layout in workingset.h). When the page faults
 * back in, refault_distance = now - then is how many pages the inactive list would have
 * needed beyond its size to keep it; if that is no more than the workingset (the active file
 * list, plus the inactive file list for an anon page, plus both anon lists when swap can take
 * anon pages), the page is activated at once (workingset_activate_*), and if it had been
 * active before its eviction (PG_workingset then) it counts as restored (workingset_restore_*)
 * and as IO cost for lru_note_cost. Otherwise it starts inactive like any new page.
 *
 * Shadows pile up in xarray leaves whose pages are gone. A leaf holding only shadows is a
 * "shadow node": it sits on its node's shadow list (workingset_nodes counts them), and the
 * "mm-shadow" shrinker frees the excess beyond node_present_pages / 8 nodes (each leaf has
 * 64 slots; 1/8 is the worst density the kernel will keep), deleting the shadows
 * (workingset_nodereclaim).
 *
 * Models: mm/workingset.c (Linux 6.1.192): pack_shadow(), unpack_shadow(),
 *         workingset_age_nonresident(), workingset_eviction(), workingset_refault(),
 *         workingset_activation(), workingset_update_node(), count_shadow_nodes(),
 *         shadow_lru_isolate(), scan_shadow_nodes(), workingset_init(); the list_lru of
 *         shadow nodes (mm/list_lru.c, per node, added at the tail, walked from the head).
 * Deviation: no memcg: the shadow's memcg id is 0 and every refault is judged against the
 *         node's lruvec (as with cgroup_disable=memory).
 * Deviation: xa_nodes are host memory, not radix_tree_node slab objects, so a shadow node has
 *         no NUMA node of its own: it is accounted to the node named by the first shadow it
 *         held when it joined the list (workingset_nodes of that node).
 * Deviation: shadow_lru_isolate's trylocks always succeed (one thread per machine).
 *
 * Invariants (workingset_check):
 *  1. Every node on a shadow list is a leaf whose entries are all shadows (count ==
 *     nr_values > 0) and whose nid is the list's.
 *  2. Per node, the list's length equals workingset_nodes.
 *  3. bucket_order = max(0, fls(totalram_pages - 1) - 42).
 */
#include "mm/workingset.h"

#include <errno.h>
#include <stdio.h>

#include "mm/internal.h"
#include "mm/shrinker.h"
#include "mm/swap.h"
#include "mm/swapfile.h"
#include "mm/vmscan.h"

struct workingset_state {
	unsigned int bucket_order;
	struct xa_link shadow_nodes[MAX_NUMNODES]; /* list heads (list_lru, one per node) */
	unsigned long nr_shadow_nodes[MAX_NUMNODES];
	struct xa_node *deleting; /* the node shadow_lru_isolate is emptying */
	struct shrinker shadow_shrinker;
	struct kmm_kernel *k;
};

/* ---- the shadow-node list ---------------------------------------------------------------- */

static void link_init(struct xa_link *head)
{
	head->next = head->prev = head;
}

static void link_add_tail(struct xa_link *n, struct xa_link *head)
{
	n->prev = head->prev;
	n->next = head;
	head->prev->next = n;
	head->prev = n;
}

static void link_del(struct xa_link *n)
{
	n->prev->next = n->next;
	n->next->prev = n->prev;
	n->next = n->prev = NULL;
}

static struct xa_node *link_node(struct xa_link *l)
{
	return container_of(l, struct xa_node, private_list);
}

/* ---- shadow entries ------------------------------------------------------------------- */

/* Models: pack_shadow(). */
static void *pack_shadow(int memcgid, const pg_data_t *pgdat, unsigned long eviction,
			 bool workingset)
{
	eviction &= EVICTION_MASK;
	eviction = (eviction << MEM_CGROUP_ID_SHIFT) | (unsigned long)memcgid;
	eviction = (eviction << NODES_SHIFT) | (unsigned long)pgdat->node_id;
	eviction = (eviction << WORKINGSET_SHIFT) | (unsigned long)workingset;
	return xa_mk_value(eviction);
}

/* Models: unpack_shadow(). */
static void unpack_shadow(const void *shadow, int *memcgid, int *nid, unsigned long *eviction,
			  bool *workingset)
{
	unsigned long entry = xa_to_value(shadow);

	*workingset = entry & ((1UL << WORKINGSET_SHIFT) - 1);
	entry >>= WORKINGSET_SHIFT;
	*nid = (int)(entry & ((1UL << NODES_SHIFT) - 1));
	entry >>= NODES_SHIFT;
	*memcgid = (int)(entry & ((1UL << MEM_CGROUP_ID_SHIFT) - 1));
	entry >>= MEM_CGROUP_ID_SHIFT;
	*eviction = entry;
}

bool workingset_unpack(const struct kmm_kernel *k, const void *shadow, int *nid,
		       unsigned long *eviction, bool *workingset)
{
	int memcgid;

	if (!shadow || !xa_is_value(shadow) || !k->workingset)
		return false;
	unpack_shadow(shadow, &memcgid, nid, eviction, workingset);
	*eviction <<= k->workingset->bucket_order;
	return true;
}

void workingset_age_nonresident(struct lruvec *lruvec, unsigned long nr_pages)
{
	lruvec->nonresident_age += nr_pages;
}

void *workingset_eviction(struct kmm_kernel *k, struct folio *folio)
{
	pg_data_t *pgdat = NODE_DATA(k, page_to_nid(&folio->page));
	struct lruvec *lruvec = &pgdat->__lruvec;
	unsigned long eviction = lruvec->nonresident_age;

	eviction >>= k->workingset ? k->workingset->bucket_order : 0;
	workingset_age_nonresident(lruvec, folio_nr_pages(folio));
	return pack_shadow(0, pgdat, eviction, folio_test_workingset(folio));
}

/* The workingset a refault competes with (the sizes of the eviction node's lists). */
static unsigned long workingset_size(struct kmm_kernel *k, const pg_data_t *pgdat, bool file)
{
	unsigned long size = node_page_state(pgdat, NR_ACTIVE_FILE);

	if (!file)
		size += node_page_state(pgdat, NR_INACTIVE_FILE);
	if (get_nr_swap_pages(k) > 0) {
		size += node_page_state(pgdat, NR_ACTIVE_ANON);
		if (file)
			size += node_page_state(pgdat, NR_INACTIVE_ANON);
	}
	return size;
}

void workingset_refault(struct kmm_kernel *k, struct folio *folio, void *shadow)
{
	bool file = folio_is_file_lru(folio);
	unsigned long eviction, refault, refault_distance;
	long nr = (long)folio_nr_pages(folio);
	bool workingset;
	int memcgid, nid;
	pg_data_t *pgdat;

	if (!xa_is_value(shadow))
		return;
	unpack_shadow(shadow, &memcgid, &nid, &eviction, &workingset);
	pgdat = nid < MAX_NUMNODES ? k->node_data[nid] : NULL;
	if (!pgdat)
		return;
	eviction <<= k->workingset ? k->workingset->bucket_order : 0;
	refault = pgdat->__lruvec.nonresident_age;
	refault_distance = (refault - eviction) & EVICTION_MASK;

	__mod_node_page_state(pgdat, file ? WORKINGSET_REFAULT_FILE : WORKINGSET_REFAULT_ANON, nr);
	if (refault_distance > workingset_size(k, pgdat, file))
		return;
	folio_set_active(folio);
	workingset_age_nonresident(&pgdat->__lruvec, (unsigned long)nr);
	__mod_node_page_state(pgdat, file ? WORKINGSET_ACTIVATE_FILE : WORKINGSET_ACTIVATE_ANON,
			      nr);
	if (workingset) {
		folio_set_workingset(folio);
		lru_note_cost_folio(k, folio);
		__mod_node_page_state(pgdat,
				      file ? WORKINGSET_RESTORE_FILE : WORKINGSET_RESTORE_ANON, nr);
	}
}

void workingset_activation(struct kmm_kernel *k, struct folio *folio)
{
	workingset_age_nonresident(folio_lruvec(k, folio), folio_nr_pages(folio));
}

/* ---- shadow nodes ------------------------------------------------------------------------ */

/* The node a shadow-only leaf is accounted to: that of its first shadow. */
static int shadow_node_nid(const struct kmm_kernel *k, const struct xa_node *node)
{
	for (unsigned i = 0; i < XA_CHUNK_SIZE; i++)
		if (node->slots[i] && xa_is_value(node->slots[i])) {
			int memcgid, nid;
			unsigned long eviction;
			bool ws;

			unpack_shadow(node->slots[i], &memcgid, &nid, &eviction, &ws);
			if (nid < MAX_NUMNODES && k->node_data[nid])
				return nid;
			break;
		}
	return 0;
}

void workingset_update_node(struct xa_node *node, void *data)
{
	struct kmm_kernel *k = data;
	struct workingset_state *ws = k->workingset;

	if (!ws || node == ws->deleting || node->shift)
		return;
	if (node->count && node->count == node->nr_values) {
		if (!node->private_list.next) {
			node->nid = shadow_node_nid(k, node);
			link_add_tail(&node->private_list, &ws->shadow_nodes[node->nid]);
			ws->nr_shadow_nodes[node->nid]++;
			__mod_node_page_state(NODE_DATA(k, node->nid), WORKINGSET_NODES, 1);
		}
	} else if (node->private_list.next) {
		link_del(&node->private_list);
		ws->nr_shadow_nodes[node->nid]--;
		__mod_node_page_state(NODE_DATA(k, node->nid), WORKINGSET_NODES, -1);
	}
}

unsigned long workingset_shadow_nodes(const struct kmm_kernel *k, int nid)
{
	if (!k->workingset || nid < 0 || nid >= MAX_NUMNODES)
		return 0;
	return k->workingset->nr_shadow_nodes[nid];
}

/* Models: count_shadow_nodes(): shadow nodes beyond node_present_pages >> 3. */
static unsigned long count_shadow_nodes(struct shrinker *s, struct shrink_control *sc)
{
	struct workingset_state *ws = container_of(s, struct workingset_state, shadow_shrinker);
	unsigned long nodes = ws->nr_shadow_nodes[sc->nid];
	unsigned long max_nodes;

	if (!nodes)
		return SHRINK_EMPTY;
	max_nodes = sc->k->node_data[sc->nid]->node_present_pages >> (XA_CHUNK_SHIFT - 3);
	return nodes <= max_nodes ? 0 : nodes - max_nodes;
}

/* Models: shadow_lru_isolate() with xa_delete_node(): drops every shadow of @node. */
static void shadow_lru_isolate(struct kmm_kernel *k, struct workingset_state *ws,
			       struct xa_node *node)
{
	struct xarray *xa = node->array;
	unsigned long base = xa_node_index(node);
	int nid = node->nid;
	uint64_t values = 0;

	link_del(&node->private_list);
	ws->nr_shadow_nodes[nid]--;
	__mod_node_page_state(NODE_DATA(k, nid), WORKINGSET_NODES, -1);
	for (unsigned i = 0; i < XA_CHUNK_SIZE; i++)
		if (node->slots[i] && xa_is_value(node->slots[i]))
			values |= 1ULL << i;
	/* The last erase frees the node: only the saved bitmap is read from here on. */
	ws->deleting = node;
	for (unsigned i = 0; i < XA_CHUNK_SIZE; i++)
		if (values >> i & 1)
			xa_erase(xa, base + i);
	ws->deleting = NULL;
	__mod_node_page_state(NODE_DATA(k, nid), WORKINGSET_NODERECLAIM, 1);
}

/* Models: scan_shadow_nodes(): the list_lru walk, oldest shadow node first. */
static unsigned long scan_shadow_nodes(struct shrinker *s, struct shrink_control *sc)
{
	struct workingset_state *ws = container_of(s, struct workingset_state, shadow_shrinker);
	struct xa_link *head = &ws->shadow_nodes[sc->nid];
	unsigned long freed = 0;

	while (sc->nr_to_scan && head->next != head) {
		shadow_lru_isolate(sc->k, ws, link_node(head->next));
		sc->nr_to_scan--;
		freed++;
	}
	return freed;
}

/* fls_long(x): the 1-based index of the highest set bit, 0 for 0. */
static unsigned int fls_long(unsigned long x)
{
	return x ? 64u - (unsigned)__builtin_clzl(x) : 0;
}

int workingset_init(struct kmm_kernel *k)
{
	struct workingset_state *ws = env_alloc(k->env, sizeof(*ws));
	unsigned int timestamp_bits = 64 - EVICTION_SHIFT, max_order;

	if (!ws)
		return -ENOMEM;
	ws->k = k;
	for (int nid = 0; nid < MAX_NUMNODES; nid++)
		link_init(&ws->shadow_nodes[nid]);
	max_order = fls_long((unsigned long)k->totalram_pages - 1);
	if (max_order > timestamp_bits)
		ws->bucket_order = max_order - timestamp_bits;
	env_printk(k->env, "workingset: timestamp_bits=%u max_order=%u bucket_order=%u\n",
		   timestamp_bits, max_order, ws->bucket_order);
	ws->shadow_shrinker.count_objects = count_shadow_nodes;
	ws->shadow_shrinker.scan_objects = scan_shadow_nodes;
	ws->shadow_shrinker.seeks = 0; /* count reports only fully expendable nodes */
	ws->shadow_shrinker.flags = SHRINKER_NUMA_AWARE | SHRINKER_MEMCG_AWARE;
	if (register_shrinker(k, &ws->shadow_shrinker, "mm-shadow")) {
		env_free(k->env, ws);
		return -ENOMEM;
	}
	k->workingset = ws;
	return 0;
}

void workingset_exit(struct kmm_kernel *k)
{
	struct workingset_state *ws = k->workingset;

	if (!ws)
		return;
	unregister_shrinker(k, &ws->shadow_shrinker);
	/* Nodes still listed belong to arrays freed later: unlink them so none points here. */
	for (int nid = 0; nid < MAX_NUMNODES; nid++)
		while (ws->shadow_nodes[nid].next != &ws->shadow_nodes[nid])
			link_del(ws->shadow_nodes[nid].next);
	env_free(k->env, ws);
	k->workingset = NULL;
}

bool workingset_check(const struct kmm_kernel *k, char *why, size_t whylen)
{
	const struct workingset_state *ws = k->workingset;
	unsigned int max_order, expect = 0;

	if (!ws)
		return true;
	max_order = fls_long((unsigned long)k->totalram_pages - 1);
	if (max_order > 64 - EVICTION_SHIFT)
		expect = max_order - (64 - EVICTION_SHIFT);
	if (ws->bucket_order != expect) {
		snprintf(why, whylen, "workingset: bucket_order %u, expected %u", ws->bucket_order,
			 expect);
		return false;
	}
	for (int nid = 0; nid < MAX_NUMNODES; nid++) {
		const struct xa_link *head = &ws->shadow_nodes[nid];
		unsigned long n = 0;

		for (const struct xa_link *l = head->next; l != head; l = l->next) {
			const struct xa_node *node = container_of(l, struct xa_node, private_list);

			n++;
			if (node->shift || !node->count || node->count != node->nr_values ||
			    node->nid != nid) {
				snprintf(why, whylen,
					 "workingset: node %d's shadow list holds a node with %u "
					 "entries, %u shadows",
					 nid, node->count, node->nr_values);
				return false;
			}
		}
		if (n != ws->nr_shadow_nodes[nid] ||
		    (k->node_data[nid] &&
		     node_page_state(k->node_data[nid], WORKINGSET_NODES) != n)) {
			snprintf(why, whylen,
				 "workingset: node %d lists %lu shadow nodes, "
				 "workingset_nodes %lu",
				 nid, n,
				 k->node_data[nid]
					 ? node_page_state(k->node_data[nid], WORKINGSET_NODES)
					 : 0);
			return false;
		}
	}
	return true;
}
