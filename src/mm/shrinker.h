/*
 * Shrinkers: caches outside the LRU lists (dentries, inodes, workingset shadow nodes) that
 * reclaim asks to give objects back in proportion to the pressure on the page cache.
 *
 * Models: include/linux/shrinker.h and the shrinker half of mm/vmscan.c (Linux 6.1.192):
 *         struct shrinker, struct shrink_control, register_shrinker(), unregister_shrinker(),
 *         do_shrink_slab(), shrink_slab(), drop_slab(); include/linux/dcache.h's
 *         vfs_pressure_ratio() and fs/dcache.c's vm.vfs_cache_pressure.
 * Deviation: no memcg (SHRINKER_MEMCG_AWARE is accepted and ignored, as with memcg disabled);
 *         shrink_control carries the machine (@k) since callbacks have no globals to reach.
 *
 * The protocol a shrinker implements:
 *   count_objects(s, sc): how many objects could be freed now (0 or SHRINK_EMPTY: none;
 *       a NUMA-aware shrinker counts those of node sc->nid only).
 *   scan_objects(s, sc): look at up to sc->nr_to_scan objects, free what can go; returns
 *       the number freed or SHRINK_STOP (cannot make progress in this context); may lower
 *       sc->nr_scanned to what it actually looked at.
 */
#ifndef KMM_MM_SHRINKER_H
#define KMM_MM_SHRINKER_H

#include <stdbool.h>
#include <stddef.h>

#include "mm/gfp.h"
#include "mm/mmzone.h"

struct kmm_kernel;
struct sink;

#define SHRINK_STOP  (~0UL)
#define SHRINK_EMPTY (~0UL - 1)

#define DEFAULT_SEEKS 2	  /* a typical object costs one seek to re-create */
#define SHRINK_BATCH  128 /* objects per scan_objects call unless shrinker->batch says */

/* shrinker->flags (6.1 values). */
#define SHRINKER_REGISTERED  (1u << 0)
#define SHRINKER_ALLOCATED   (1u << 1)
#define SHRINKER_NUMA_AWARE  (1u << 2)
#define SHRINKER_MEMCG_AWARE (1u << 3)
#define SHRINKER_NONSLAB     (1u << 4)

struct shrink_control {
	struct kmm_kernel *k;
	gfp_t gfp_mask;
	int nid;		  /* the node being reclaimed (NUMA-aware shrinkers) */
	unsigned long nr_to_scan; /* objects scan_objects should look at */
	unsigned long nr_scanned; /* objects it looked at (it may lower this) */
};

struct shrinker {
	unsigned long (*count_objects)(struct shrinker *s, struct shrink_control *sc);
	unsigned long (*scan_objects)(struct shrinker *s, struct shrink_control *sc);
	long batch;	    /* 0: SHRINK_BATCH */
	int seeks;	    /* cost to re-create an object; 0: trim freely (delta = freeable / 2) */
	unsigned int flags; /* SHRINKER_* */

	/* Set by register_shrinker. */
	struct list_head list;
	int id;				/* registration order; the debugfs directory's suffix */
	char name[48];			/* from the format (CONFIG_SHRINKER_DEBUG) */
	long nr_deferred[MAX_NUMNODES]; /* scan work carried to the next call ([0] unless
					 * SHRINKER_NUMA_AWARE) */
	unsigned long nr_scanned_total; /* objects handed to scan_objects, ever */
	unsigned long nr_freed_total;	/* objects it reported freed, ever */
};

/*
 * Creates the machine's shrinker list (empty) and vm.vfs_cache_pressure = 100. Returns 0 or
 * -ENOMEM (nothing allocated).
 */
int shrinker_init(struct kmm_kernel *k);
/* Frees the list state; shrinkers still registered are simply forgotten (their owners'). */
void shrinker_exit(struct kmm_kernel *k);

/*
 * Models: register_shrinker(): names @s from @fmt and puts it at the tail of the list with
 * nr_deferred zeroed. Returns 0, or -EINVAL (no count/scan callback, already registered,
 * k not booted): @s untouched.
 */
int register_shrinker(struct kmm_kernel *k, struct shrinker *s, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Models: unregister_shrinker(): takes @s off the list; no-op if it is not registered. */
void unregister_shrinker(struct kmm_kernel *k, struct shrinker *s);

/*
 * Models: shrink_slab() -> do_shrink_slab() for each registered shrinker in registration
 * order: delta = (freeable >> priority) * 4 / seeks (freeable / 2 when seeks is 0),
 * total_scan = min(nr_deferred >> priority + delta, 2 * freeable), scanned in batches of
 * shrinker->batch (128), slabs_scanned counted, the unscanned work deferred (capped at
 * 2 * freeable). Returns the objects freed. Leaves the LRU lists alone.
 */
unsigned long shrink_slab(struct kmm_kernel *k, gfp_t gfp_mask, int nid, int priority);

/*
 * Models: drop_slab() / drop_slab_node(): shrink_slab at priority 0 on every online node
 * until a pass frees at most 1 << shift objects (shift growing by one per pass). Returns
 * the total freed.
 */
unsigned long drop_slab(struct kmm_kernel *k);

/* Models: vfs_pressure_ratio(): @val * vm.vfs_cache_pressure / 100 (mult_frac). */
unsigned long vfs_pressure_ratio(const struct kmm_kernel *k, unsigned long val);

/* vm.vfs_cache_pressure: read / write (int >= 0, else -EINVAL and nothing changes). */
int sysctl_vfs_cache_pressure(const struct kmm_kernel *k);
int set_sysctl_vfs_cache_pressure(struct kmm_kernel *k, long value);

/*
 * The registered shrinkers as /sys/kernel/debug/shrinker lists them: one "NAME-ID" per
 * line, then for each its count (objects per node, as the debugfs "count" file prints).
 */
void shrinker_debugfs_show(struct kmm_kernel *k, const struct sink *out);

/* Invariants of shrinker.c; false with the reason in @why. */
bool shrinker_check(const struct kmm_kernel *k, char *why, size_t whylen);

#endif /* KMM_MM_SHRINKER_H */
