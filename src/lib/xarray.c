/*
 * The radix tree behind an address_space's page index (xarray.h says what it models and how
 * it differs from lib/xarray.c).
 *
 * Shape: a tree of height h has nodes at h levels; a node at level l (leaves are level 0)
 * indexes its 64 slots with bits [6l, 6l + 6) of the index, so the tree reaches indices
 * below 64^h. Leaves hold entries, other nodes hold child nodes. Each node keeps, per mark,
 * a 64-bit word with a bit per slot: set when the entry (leaf) or some entry below the child
 * (interior) carries the mark. Lookups, stores and mark updates walk one path (O(h));
 * xa_find skips unmarked or empty branches.
 *
 * Invariants (xa_check): those of xarray.h, plus: 4. every child's parent and offset point
 * back at its slot, and its shift is its parent's minus 6; 5. nr_entries and nr_nodes equal
 * what a walk counts.
 */
#include "lib/xarray.h"

#include <errno.h>
#include <stdio.h>

#include "lib/env.h"

void xa_init(struct xarray *xa, struct kmm_env *env)
{
	xa->env = env;
	xa->xa_head = NULL;
	xa->height = 0;
	xa->nr_entries = 0;
	xa->nr_nodes = 0;
	xa->nr_values = 0;
	xa->xa_update = NULL;
	xa->xa_update_data = NULL;
}

void xa_set_update(struct xarray *xa, xa_update_node_t fn, void *data)
{
	xa->xa_update = fn;
	xa->xa_update_data = data;
}

static void xa_update_node(struct xarray *xa, struct xa_node *leaf)
{
	if (xa->xa_update)
		xa->xa_update(leaf, xa->xa_update_data);
}

unsigned long xa_node_index(const struct xa_node *node)
{
	unsigned long index = 0;

	for (const struct xa_node *n = node; n->parent; n = n->parent)
		index |= (unsigned long)n->offset << n->parent->shift;
	return index;
}

static void xa_free_node(struct xarray *xa, struct xa_node *node)
{
	if (node->shift) {
		for (unsigned i = 0; i < XA_CHUNK_SIZE; i++)
			if (node->slots[i])
				xa_free_node(xa, node->slots[i]);
	} else if (node->count) {
		node->count = 0;
		node->nr_values = 0;
		xa_update_node(xa, node);
	}
	env_free(xa->env, node);
	xa->nr_nodes--;
}

void xa_destroy(struct xarray *xa)
{
	if (xa->xa_head)
		xa_free_node(xa, xa->xa_head);
	xa->xa_head = NULL;
	xa->height = 0;
	xa->nr_entries = 0;
	xa->nr_values = 0;
}

/* The largest index a tree of @height reaches. */
static unsigned long xa_max_index(unsigned int height)
{
	if (height == 0)
		return 0;
	if (height * XA_CHUNK_SHIFT >= 64)
		return ~0UL;
	return (1UL << (height * XA_CHUNK_SHIFT)) - 1;
}

static unsigned int xa_offset(const struct xa_node *node, unsigned long index)
{
	return (unsigned int)(index >> node->shift) & (XA_CHUNK_SIZE - 1);
}

/* The leaf holding @index, or NULL when no leaf covers it. */
static struct xa_node *xa_leaf(const struct xarray *xa, unsigned long index)
{
	struct xa_node *node = xa->xa_head;

	if (!node || index > xa_max_index(xa->height))
		return NULL;
	while (node && node->shift)
		node = node->slots[xa_offset(node, index)];
	return node;
}

void *xa_load(const struct xarray *xa, unsigned long index)
{
	struct xa_node *leaf = xa_leaf(xa, index);

	return leaf ? leaf->slots[xa_offset(leaf, index)] : NULL;
}

static struct xa_node *xa_alloc_node(struct xarray *xa, struct xa_node *parent, unsigned shift,
				     unsigned offset)
{
	struct xa_node *node = env_alloc(xa->env, sizeof(*node));

	if (!node)
		return NULL;
	node->parent = parent;
	node->array = xa;
	node->shift = (unsigned char)shift;
	node->offset = (unsigned char)offset;
	xa->nr_nodes++;
	return node;
}

/* Adds levels on top until the tree reaches @index. false: no memory (nothing changed). */
static bool xa_grow(struct xarray *xa, unsigned long index)
{
	unsigned int height = xa->height ? xa->height : 1;
	unsigned int added = 0;

	while (index > xa_max_index(height)) {
		height++;
		added++;
	}
	if (!xa->xa_head) {
		xa->xa_head = xa_alloc_node(xa, NULL, (height - 1) * XA_CHUNK_SHIFT, 0);
		if (!xa->xa_head)
			return false;
		xa->height = height;
		return true;
	}
	for (; added; added--) {
		struct xa_node *old = xa->xa_head;
		struct xa_node *root = xa_alloc_node(xa, NULL, old->shift + XA_CHUNK_SHIFT, 0);

		if (!root)
			return false; /* the levels added so far stay: empty above, harmless */
		root->slots[0] = old;
		root->count = 1;
		for (unsigned m = 0; m < XA_MAX_MARKS; m++)
			if (old->marks[m])
				root->marks[m] = 1;
		old->parent = root;
		old->offset = 0;
		xa->xa_head = root;
		xa->height++;
	}
	return true;
}

static void xa_shrink(struct xarray *xa);
static void xa_clear_mark_up(struct xa_node *node, unsigned off, xa_mark_t mark);

int xa_store(struct xarray *xa, unsigned long index, void *entry)
{
	struct xa_node *node;
	struct xa_node *made = NULL; /* the first node this store created, freed on failure */

	if (!xa_grow(xa, index)) {
		xa_shrink(xa);
		return -ENOMEM;
	}
	node = xa->xa_head;
	while (node->shift) {
		unsigned off = xa_offset(node, index);
		struct xa_node *child = node->slots[off];

		if (!child) {
			child = xa_alloc_node(xa, node, node->shift - XA_CHUNK_SHIFT, off);
			if (!child) {
				if (made) {
					made->parent->slots[made->offset] = NULL;
					made->parent->count--;
					xa_free_node(xa, made);
				}
				xa_shrink(xa);
				return -ENOMEM;
			}
			node->slots[off] = child;
			node->count++;
			if (!made)
				made = child;
		}
		node = child;
	}
	{
		void **slot = &node->slots[xa_offset(node, index)];
		int values = (int)xa_is_value(entry) - (int)(*slot && xa_is_value(*slot));
		bool grew = !*slot;

		if (grew) {
			node->count++;
			xa->nr_entries++;
		}
		node->nr_values = (unsigned char)(node->nr_values + values);
		xa->nr_values = (unsigned long)((long)xa->nr_values + values);
		/* A value entry carries no marks (tags belong to folios). */
		if (xa_is_value(entry))
			for (unsigned m = 0; m < XA_MAX_MARKS; m++)
				if (node->marks[m] >> xa_offset(node, index) & 1)
					xa_clear_mark_up(node, xa_offset(node, index), m);
		*slot = entry;
		if (grew || values)
			xa_update_node(xa, node);
	}
	return 0;
}

/* Clears @mark's bit of slot @off in @node, and upwards while a node has none left. */
static void xa_clear_mark_up(struct xa_node *node, unsigned off, xa_mark_t mark)
{
	while (node) {
		node->marks[mark] &= ~(1ULL << off);
		if (node->marks[mark])
			return;
		off = node->offset;
		node = node->parent;
	}
}

static void xa_set_mark_up(struct xa_node *node, unsigned off, xa_mark_t mark)
{
	while (node && !(node->marks[mark] >> off & 1)) {
		node->marks[mark] |= 1ULL << off;
		off = node->offset;
		node = node->parent;
	}
}

/* Drops the root while it has a single child at slot 0 (the tree's reach shrinks). */
static void xa_shrink(struct xarray *xa)
{
	struct xa_node *root = xa->xa_head;

	while (root && root->shift && root->count == 1 && root->slots[0]) {
		struct xa_node *child = root->slots[0];

		child->parent = NULL;
		child->offset = 0;
		root->slots[0] = NULL;
		root->count = 0;
		env_free(xa->env, root);
		xa->nr_nodes--;
		xa->xa_head = root = child;
		xa->height--;
	}
	if (root && root->count == 0) {
		env_free(xa->env, root);
		xa->nr_nodes--;
		xa->xa_head = NULL;
		xa->height = 0;
	}
}

void *xa_erase(struct xarray *xa, unsigned long index)
{
	struct xa_node *node = xa_leaf(xa, index);
	unsigned off;
	void *entry;

	if (!node)
		return NULL;
	off = xa_offset(node, index);
	entry = node->slots[off];
	if (!entry)
		return NULL;
	for (unsigned m = 0; m < XA_MAX_MARKS; m++)
		if (node->marks[m] >> off & 1)
			xa_clear_mark_up(node, off, m);
	node->slots[off] = NULL;
	node->count--;
	xa->nr_entries--;
	if (xa_is_value(entry)) {
		node->nr_values--;
		xa->nr_values--;
	}
	xa_update_node(xa, node);
	/* Free nodes that became empty, up to (not including) the root. */
	while (node->count == 0 && node->parent) {
		struct xa_node *parent = node->parent;

		parent->slots[node->offset] = NULL;
		parent->count--;
		for (unsigned m = 0; m < XA_MAX_MARKS; m++)
			parent->marks[m] &= ~(1ULL << node->offset);
		env_free(xa->env, node);
		xa->nr_nodes--;
		node = parent;
	}
	xa_shrink(xa);
	return entry;
}

bool xa_get_mark(const struct xarray *xa, unsigned long index, xa_mark_t mark)
{
	struct xa_node *leaf = xa_leaf(xa, index);

	return leaf && mark < XA_MAX_MARKS && leaf->marks[mark] >> xa_offset(leaf, index) & 1;
}

void xa_set_mark(struct xarray *xa, unsigned long index, xa_mark_t mark)
{
	struct xa_node *leaf = xa_leaf(xa, index);

	if (leaf && mark < XA_MAX_MARKS && leaf->slots[xa_offset(leaf, index)] &&
	    !xa_is_value(leaf->slots[xa_offset(leaf, index)]))
		xa_set_mark_up(leaf, xa_offset(leaf, index), mark);
}

void xa_clear_mark(struct xarray *xa, unsigned long index, xa_mark_t mark)
{
	struct xa_node *leaf = xa_leaf(xa, index);

	if (leaf && mark < XA_MAX_MARKS && leaf->marks[mark] >> xa_offset(leaf, index) & 1)
		xa_clear_mark_up(leaf, xa_offset(leaf, index), mark);
}

bool xa_marked(const struct xarray *xa, xa_mark_t mark)
{
	return xa->xa_head && mark < XA_MAX_MARKS && xa->xa_head->marks[mark] != 0;
}

/* Slots of @node whose base stays within 64 bits (a top level at shift 60 has 16). */
static unsigned xa_node_slots(const struct xa_node *node)
{
	return node->shift + XA_CHUNK_SHIFT > 64 ? 1u << (64 - node->shift) : XA_CHUNK_SIZE;
}

static void *xa_find_node(const struct xa_node *node, unsigned long base, unsigned long start,
			  unsigned long max, xa_mark_t mark, unsigned long *found)
{
	unsigned off = start > base ? (unsigned)((start - base) >> node->shift) : 0;
	unsigned nr = xa_node_slots(node);

	for (; off < nr; off++) {
		unsigned long sbase = base + ((unsigned long)off << node->shift);
		void *e = node->slots[off];

		if (sbase > max)
			return NULL;
		if (!e || (mark != XA_PRESENT && !(node->marks[mark] >> off & 1)))
			continue;
		if (!node->shift) {
			*found = sbase;
			return e;
		}
		e = xa_find_node(e, sbase, start > sbase ? start : sbase, max, mark, found);
		if (e)
			return e;
	}
	return NULL;
}

void *xa_find(const struct xarray *xa, unsigned long *index, unsigned long max, xa_mark_t mark)
{
	unsigned long found;
	void *e;

	if (!xa->xa_head || *index > max || *index > xa_max_index(xa->height) ||
	    (mark != XA_PRESENT && mark >= XA_MAX_MARKS))
		return NULL;
	e = xa_find_node(xa->xa_head, 0, *index, max, mark, &found);
	if (e)
		*index = found;
	return e;
}

struct xa_census {
	const struct xarray *xa;
	unsigned long entries, nodes, values;
};

static bool xa_check_node(const struct xa_node *node, struct xa_census *c, char *why, size_t len)
{
	unsigned count = 0, values = 0;

	c->nodes++;
	if (node->array != c->xa) {
		snprintf(why, len, "xarray: a node points at another array");
		return false;
	}
	for (unsigned off = 0; off < XA_CHUNK_SIZE; off++) {
		const struct xa_node *child = node->slots[off];

		if (!child) {
			for (unsigned m = 0; m < XA_MAX_MARKS; m++)
				if (node->marks[m] >> off & 1) {
					snprintf(why, len, "xarray: mark %u on an empty slot", m);
					return false;
				}
			continue;
		}
		count++;
		if (!node->shift) {
			c->entries++;
			if (xa_is_value(child)) {
				c->values++;
				values++;
				for (unsigned m = 0; m < XA_MAX_MARKS; m++)
					if (node->marks[m] >> off & 1) {
						snprintf(why, len, "xarray: mark %u on a value", m);
						return false;
					}
			}
			continue;
		}
		if (child->parent != node || child->offset != off ||
		    child->shift + XA_CHUNK_SHIFT != node->shift) {
			snprintf(why, len, "xarray: node at slot %u has a bad parent link", off);
			return false;
		}
		if (child->count == 0) {
			snprintf(why, len, "xarray: an empty node below the root");
			return false;
		}
		for (unsigned m = 0; m < XA_MAX_MARKS; m++)
			if ((node->marks[m] >> off & 1) != (child->marks[m] != 0)) {
				snprintf(why, len, "xarray: mark %u summary wrong at slot %u", m,
					 off);
				return false;
			}
		if (!xa_check_node(child, c, why, len))
			return false;
	}
	if (count != node->count || values != node->nr_values) {
		snprintf(why, len, "xarray: node count %u/%u values, %u/%u found", node->count,
			 node->nr_values, count, values);
		return false;
	}
	return true;
}

bool xa_check(const struct xarray *xa, char *why, size_t whylen)
{
	struct xa_census c = {xa, 0, 0, 0};

	if (!xa->xa_head) {
		if (xa->height || xa->nr_entries || xa->nr_nodes || xa->nr_values) {
			snprintf(why, whylen, "xarray: empty with height %u, %lu entries",
				 xa->height, xa->nr_entries);
			return false;
		}
		return true;
	}
	if (xa->xa_head->parent || xa->xa_head->shift != (xa->height - 1) * XA_CHUNK_SHIFT) {
		snprintf(why, whylen, "xarray: root shift %u for height %u", xa->xa_head->shift,
			 xa->height);
		return false;
	}
	if (!xa_check_node(xa->xa_head, &c, why, whylen))
		return false;
	if (c.entries != xa->nr_entries || c.nodes != xa->nr_nodes || c.values != xa->nr_values) {
		snprintf(why, whylen, "xarray: %lu entries and %lu nodes counted, %lu and %lu kept",
			 c.entries, c.nodes, xa->nr_entries, xa->nr_nodes);
		return false;
	}
	return true;
}
