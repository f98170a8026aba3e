/*
 * An xarray-like index: a radix tree of 64-slot nodes mapping an unsigned long index to a
 * pointer, with three marks per entry whose presence is summarised up the tree (so "the
 * next dirty page after index i" is a walk down the marked branches, not a scan).
 *
 * Models: lib/xarray.c and include/linux/xarray.h (Linux 6.1): XA_CHUNK_SHIFT 6, marks
 *         XA_MARK_0..2 (the page cache's PAGECACHE_TAG_DIRTY, _WRITEBACK, _TOWRITE), the tree
 *         growing in height as the largest index needs and shrinking when its top has one
 *         child at slot 0.
 *         Value entries (xa_mk_value: an integer shifted left with bit 0 set, the page
 *         cache's shadow entries and swap entries) with each node's nr_values, and the
 *         update callback the page cache sets (xas_set_update: workingset_update_node),
 *         called whenever a leaf's count or nr_values changed and before a leaf is freed.
 * Deviations: no multi-index entries (a large folio is stored at each of its indices), no
 *         RCU or locking (one thread per machine). Nodes are host memory from the machine's
 *         env (charged to its budget); the kernel's radix_tree_node slab is not modelled.
 *         The update callback is set once on the array, not per operation.
 *
 * Invariants (xa_check):
 *  1. Every node's count equals its non-NULL slots, and no node but the root is empty.
 *  2. A node's mark bit for a slot is set iff that slot holds a marked entry or a child
 *     node with that mark somewhere below it.
 *  3. Every entry's index is below the tree's reach (64^height).
 *  4. A leaf's nr_values counts its value entries; no value entry carries a mark.
 */
#ifndef KMM_LIB_XARRAY_H
#define KMM_LIB_XARRAY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct kmm_env;

#define XA_CHUNK_SHIFT 6
#define XA_CHUNK_SIZE  (1UL << XA_CHUNK_SHIFT)
#define XA_MAX_MARKS   3

typedef unsigned int xa_mark_t;
#define XA_MARK_0 0u
#define XA_MARK_1 1u
#define XA_MARK_2 2u

/* Value entries: integers stored in the tree (pointers stored there are even). */
#define BITS_PER_XA_VALUE 63

static inline void *xa_mk_value(unsigned long v)
{
	return (void *)(uintptr_t)((v << 1) | 1);
}

static inline unsigned long xa_to_value(const void *entry)
{
	return (unsigned long)((uintptr_t)entry >> 1);
}

static inline bool xa_is_value(const void *entry)
{
	return ((uintptr_t)entry & 1) != 0;
}

/* A node's link on its user's list (the kernel's node->private_list). */
struct xa_link {
	struct xa_link *next, *prev;
};

struct xarray;

/*
 * Models: struct xa_node. Users read count, nr_values, array and use private_list (and nid,
 * the node its owner accounts it to); the rest belongs to xarray.c.
 */
struct xa_node {
	struct xa_node *parent;
	unsigned char shift;	 /* this node's slots index bits [shift, shift + 6) */
	unsigned char offset;	 /* its slot in the parent */
	unsigned char count;	 /* non-NULL slots */
	unsigned char nr_values; /* value entries among them (leaves) */
	int nid;		 /* for the update callback's owner (workingset: the node) */
	struct xarray *array;
	struct xa_link private_list; /* next == NULL: on no list */
	void *slots[XA_CHUNK_SIZE];
	uint64_t marks[XA_MAX_MARKS];
};

typedef void (*xa_update_node_t)(struct xa_node *node, void *data);

struct xarray {
	struct kmm_env *env;	 /* where nodes come from */
	struct xa_node *xa_head; /* NULL: empty */
	unsigned int height;	 /* levels of nodes; 0 when empty */
	unsigned long nr_entries;
	unsigned long nr_nodes;
	unsigned long nr_values;    /* value entries */
	xa_update_node_t xa_update; /* NULL, or called on leaf count/nr_values changes */
	void *xa_update_data;	    /* its second argument */
};

void xa_init(struct xarray *xa, struct kmm_env *env);

/* Frees every node (the entries are the caller's); the array is then empty. */
void xa_destroy(struct xarray *xa);

/*
 * Models: mapping_set_update(): @fn(node, @data) is called after a store or erase changed a
 * leaf's count or nr_values (count 0: the leaf is about to be freed), and for each leaf
 * xa_destroy frees (with count 0).
 */
void xa_set_update(struct xarray *xa, xa_update_node_t fn, void *data);

/* The index of slot 0 of @node. */
unsigned long xa_node_index(const struct xa_node *node);

/* The entry at @index, or NULL. */
void *xa_load(const struct xarray *xa, unsigned long index);

/*
 * Stores @entry (not NULL) at @index. Returns 0, or -ENOMEM (host memory: nothing
 * changed). An existing entry is replaced and keeps its marks.
 */
int xa_store(struct xarray *xa, unsigned long index, void *entry);

/* Removes the entry at @index (and its marks); returns it, or NULL if there was none. */
void *xa_erase(struct xarray *xa, unsigned long index);

bool xa_get_mark(const struct xarray *xa, unsigned long index, xa_mark_t mark);
/* Sets/clears @mark on the entry at @index; no-op when @index holds no entry. */
void xa_set_mark(struct xarray *xa, unsigned long index, xa_mark_t mark);
void xa_clear_mark(struct xarray *xa, unsigned long index, xa_mark_t mark);
/* Whether any entry carries @mark. */
bool xa_marked(const struct xarray *xa, xa_mark_t mark);

/*
 * The first entry at an index in [*@index, @max] (with @mark unless @mark is XA_PRESENT);
 * *@index becomes its index. NULL (and *@index unchanged) when there is none.
 */
#define XA_PRESENT 8u
void *xa_find(const struct xarray *xa, unsigned long *index, unsigned long max, xa_mark_t mark);

#define xa_for_each_range(xa, index, entry, start, last)                                           \
	for ((index) = (start), (entry) = xa_find(xa, &(index), last, XA_PRESENT); (entry);        \
	     (entry) = ((index) == (last) ? NULL                                                   \
					  : ((index)++, xa_find(xa, &(index), last, XA_PRESENT))))

#define xa_for_each(xa, index, entry) xa_for_each_range(xa, index, entry, 0, ~0UL)

bool xa_check(const struct xarray *xa, char *why, size_t whylen);

#endif /* KMM_LIB_XARRAY_H */
