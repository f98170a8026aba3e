/*
 * Resource tree: nested, sorted claims on the physical address space.
 *
 * Models: kernel/resource.c (Linux 6.1): __request_resource(), __insert_resource(), r_show().
 * Deviation: no locking (one host thread drives a machine); names are not copied.
 * Invariants: see resource.h.
 */
#include "kernel/resource.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>

/* Models: kernel/resource.c:__request_resource(). */
static struct resource *__request_resource(struct resource *root, struct resource *new)
{
	struct resource *tmp, **p;

	if (new->end < new->start || new->start < root->start || new->end > root->end)
		return root;
	p = &root->child;
	for (;;) {
		tmp = *p;
		if (!tmp || tmp->start > new->end) {
			new->sibling = tmp;
			*p = new;
			new->parent = root;
			return NULL;
		}
		p = &tmp->sibling;
		if (tmp->end < new->start)
			continue;
		return tmp;
	}
}

struct resource *request_resource_conflict(struct resource *root, struct resource *new)
{
	return __request_resource(root, new);
}

/* Models: kernel/resource.c:__insert_resource(). */
static struct resource *__insert_resource(struct resource *parent, struct resource *new)
{
	struct resource *first, *next;

	for (;; parent = first) {
		first = __request_resource(parent, new);
		if (!first)
			return first;
		if (first == parent)
			return first;
		if (first->start > new->start || first->end < new->end)
			break; /* @new is not inside first: it may cover it */
		if (first->start == new->start && first->end == new->end)
			break; /* same range: @new becomes its parent */
	}
	/* @new covers first and perhaps following siblings: find the last one it covers. */
	for (next = first;; next = next->sibling) {
		if (next->start < new->start || next->end > new->end)
			return next;
		if (!next->sibling || next->sibling->start > new->end)
			break;
	}
	new->parent = parent;
	new->sibling = next->sibling;
	new->child = first;
	next->sibling = NULL;
	for (next = first; next; next = next->sibling)
		next->parent = new;
	if (parent->child == first) {
		parent->child = new;
	} else {
		next = parent->child;
		while (next->sibling != first)
			next = next->sibling;
		next->sibling = new;
	}
	return NULL;
}

int request_region_nested(struct resource *parent, struct resource *new)
{
	for (;;) {
		struct resource *conflict = __request_resource(parent, new);

		if (!conflict)
			return 0;
		if (conflict == parent || conflict->flags & IORESOURCE_BUSY ||
		    conflict->start > new->start || conflict->end < new->end)
			return -EBUSY;
		parent = conflict;
	}
}

int insert_resource(struct resource *parent, struct resource *new)
{
	return __insert_resource(parent, new) ? -EBUSY : 0;
}

static void r_show(const struct resource *r, int depth, int width, const struct sink *out)
{
	for (; r; r = r->sibling) {
		sink_printf(out, "%*s%0*" PRIx64 "-%0*" PRIx64 " : %s\n", depth * 2, "", width,
			    r->start, width, r->end, r->name ? r->name : "<BAD>");
		r_show(r->child, depth + 1, width, out);
	}
}

void resource_show(const struct resource *root, const struct sink *out)
{
	r_show(root->child, 0, root->end < 0x10000 ? 4 : 8, out);
}

void resource_free_children(struct kmm_env *env, struct resource *root)
{
	struct resource *r = root->child, *next;

	while (r) {
		next = r->sibling;
		resource_free_children(env, r);
		env_free(env, r);
		r = next;
	}
	root->child = NULL;
}

bool resource_check(const struct resource *root, char *why, size_t whylen)
{
	const struct resource *r, *prev = NULL;

	for (r = root->child; r; prev = r, r = r->sibling) {
		if (r->parent != root) {
			snprintf(why, whylen, "iomem: %s has a wrong parent pointer", r->name);
			return false;
		}
		if (r->start < root->start || r->end > root->end || r->end < r->start) {
			snprintf(why, whylen,
				 "iomem: %s [%" PRIx64 "-%" PRIx64 "] is not inside %s", r->name,
				 r->start, r->end, root->name);
			return false;
		}
		if (prev && prev->end >= r->start) {
			snprintf(why, whylen, "iomem: %s and %s overlap or are out of order",
				 prev->name, r->name);
			return false;
		}
		if (!resource_check(r, why, whylen))
			return false;
	}
	return true;
}
