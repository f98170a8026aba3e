/*
 * Workingset detection: shadow entries left where reclaim evicted a page, the refault
 * distance read from them when the page comes back, and the shrinker of xarray nodes that
 * hold nothing but shadows.
 *
 * Models: mm/workingset.c and include/linux/swap.h's workingset declarations
 *         (Linux 6.1.192, classic LRU: CONFIG_LRU_GEN built but disabled).
 *
 * Shadow entry layout (an xarray value entry, xa_mk_value of, from the top bit down):
 *   | eviction (42 bits: nonresident_age >> bucket_order) | memcg id (16) | node (4) | ws (1) |
 * EVICTION_SHIFT = (64 - BITS_PER_XA_VALUE) + WORKINGSET_SHIFT + NODES_SHIFT +
 * MEM_CGROUP_ID_SHIFT = 1 + 1 + 4 + 16 = 22, so timestamp_bits = 42, as the captured boots
 * print ("workingset: timestamp_bits=42 max_order=18 bucket_order=0" at 1 GiB).
 */
#ifndef KMM_MM_WORKINGSET_H
#define KMM_MM_WORKINGSET_H

#include <stdbool.h>
#include <stddef.h>

#include "lib/xarray.h"
#include "mm/mm_types.h"
#include "mm/mmzone.h"

struct kmm_kernel;

#define WORKINGSET_SHIFT    1
#define NODES_SHIFT	    4
#define MEM_CGROUP_ID_SHIFT 16
#define EVICTION_SHIFT                                                                             \
	((64 - BITS_PER_XA_VALUE) + WORKINGSET_SHIFT + NODES_SHIFT + MEM_CGROUP_ID_SHIFT)
#define EVICTION_MASK (~0UL >> EVICTION_SHIFT)

/*
 * Creates the state, computes bucket_order from totalram_pages (printing the kernel's
 * "workingset: timestamp_bits=... max_order=... bucket_order=..." line) and registers the
 * shadow-node shrinker ("mm-shadow"). 0 or -ENOMEM (nothing left allocated).
 */
int workingset_init(struct kmm_kernel *k);
void workingset_exit(struct kmm_kernel *k);

/* Models: workingset_age_nonresident(): lruvec->nonresident_age += @nr_pages. */
void workingset_age_nonresident(struct lruvec *lruvec, unsigned long nr_pages);

/*
 * Models: workingset_eviction(): the shadow entry to store in place of @folio (off the LRU,
 * no references but the caller's, locked) as reclaim evicts it; ages the lruvec by the
 * folio's pages. Leaves @folio untouched.
 */
void *workingset_eviction(struct kmm_kernel *k, struct folio *folio);

/*
 * Models: workingset_refault(): @folio (new, not yet on the LRU) replaces @shadow. Counts
 * workingset_refault_{anon,file}; if the refault distance is within the workingset size
 * (active file, + inactive file for anon, + anon lists when swap is available) sets
 * PG_active (workingset_activate_*) and, if the evicted page was in the workingset,
 * PG_workingset (workingset_restore_*). Touches no list.
 */
void workingset_refault(struct kmm_kernel *k, struct folio *folio, void *shadow);

/* Models: workingset_activation(): an activation ages the node's nonresident clock. */
void workingset_activation(struct kmm_kernel *k, struct folio *folio);

/*
 * Models: workingset_update_node(): the xarray update callback (@data is the kmm_kernel)
 * keeping the shadow-node list and workingset_nodes exact: a leaf is on the list iff it
 * holds entries and all of them are shadows. Page-cache and swap-cache arrays set it with
 * xa_set_update(xa, workingset_update_node, k).
 */
void workingset_update_node(struct xa_node *node, void *data);

/* The shadow's fields, for tests and views. false if @shadow is not a value entry. */
bool workingset_unpack(const struct kmm_kernel *k, const void *shadow, int *nid,
		       unsigned long *eviction, bool *workingset);

/* Nodes on the shadow list of @nid (equals node @nid's workingset_nodes). */
unsigned long workingset_shadow_nodes(const struct kmm_kernel *k, int nid);

bool workingset_check(const struct kmm_kernel *k, char *why, size_t whylen);

#endif /* KMM_MM_WORKINGSET_H */
