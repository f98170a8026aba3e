/*
 * The resource tree of the physical address space (/proc/iomem).
 *
 * Invariants (resource_check):
 *  1. A child lies within its parent: parent->start <= start <= end <= parent->end.
 *  2. Siblings are sorted by start and do not overlap.
 *  3. Every child's parent pointer names the resource whose child list holds it.
 */
#ifndef KMM_KERNEL_RESOURCE_H
#define KMM_KERNEL_RESOURCE_H

#include "lib/env.h"
#include "lib/sink.h"

#define IORESOURCE_MEM	  0x00000200u
#define IORESOURCE_SYSRAM 0x01000000u
#define IORESOURCE_BUSY	  0x80000000u

struct resource {
	uint64_t start, end; /* inclusive, as in the kernel */
	const char *name;    /* not owned */
	unsigned long flags;
	struct resource *parent, *sibling, *child;
};

/*
 * Models: kernel/resource.c:request_resource(). Claims @new under @root among its children;
 * returns NULL on success or the resource it conflicts with (nothing changed then).
 */
struct resource *request_resource_conflict(struct resource *root, struct resource *new);

/*
 * Models: kernel/resource.c:insert_resource(). Like request_resource, but @new goes down to
 * the innermost resource that contains it, and adopts the existing ones it fully contains.
 * Returns 0, or -EBUSY when @new partly overlaps a resource (nothing changed then).
 */
int insert_resource(struct resource *parent, struct resource *new);

/*
 * Models: kernel/resource.c:__request_region(): claims @new inside the innermost non-busy
 * resource that contains it (a same-sized one included). Returns 0, or -EBUSY on a conflict.
 */
int request_region_nested(struct resource *parent, struct resource *new);

/* Models: kernel/resource.c:r_show() over the whole tree (the /proc/iomem format). */
void resource_show(const struct resource *root, const struct sink *out);

/* Frees, with env_free, every resource below @root (not @root itself). */
void resource_free_children(struct kmm_env *env, struct resource *root);

bool resource_check(const struct resource *root, char *why, size_t whylen);

#endif /* KMM_KERNEL_RESOURCE_H */
