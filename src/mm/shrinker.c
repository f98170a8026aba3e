/*
 * Shrinkers and shrink_slab(): how reclaim turns pressure on the LRU lists into pressure on
 * the caches that live outside them (shrinker.h describes the count/scan protocol).
 *
 * The rule (do_shrink_slab): a shrinker reporting `freeable` objects is asked to scan
 *     delta = (freeable >> priority) * 4 / seeks          (seeks > 0)
 *     delta = freeable / 2                                 (seeks == 0: free to re-create)
 * plus `nr_deferred >> priority` of the work earlier calls could not do, at most
 * 2 * freeable; the scan runs in batches of `batch` (SHRINK_BATCH = 128), and a last short
 * batch only when total_scan covers all of freeable (tight on memory). Whatever of
 * nr_deferred + delta was not scanned is carried to the next call, capped at 2 * freeable.
 * At DEF_PRIORITY (12) this asks for 1/1024th of a DEFAULT_SEEKS cache; at priority 0 for
 * twice the cache, capped to 2 * freeable.
 *
 * Models: mm/vmscan.c (Linux 6.1.192): register_shrinker(), unregister_shrinker(),
 *         xchg_nr_deferred(), add_nr_deferred(), do_shrink_slab(), shrink_slab(),
 *         drop_slab_node(), drop_slab(); mm/shrinker_debug.c's "count" file;
 *         include/linux/dcache.h:vfs_pressure_ratio().
 * Deviation: nr_deferred is an array inside struct shrinker (MAX_NUMNODES longs), not a
 *         kzalloc'd one: the kmalloc caches hold one object fewer per shrinker.
 * Deviation: no memcg; shrinker_rwsem is not modelled (one thread per machine), so
 *         shrink_slab never bails out on contention.
 *
 * Invariants (shrinker_check):
 *  1. Every shrinker on the list has SHRINKER_REGISTERED, both callbacks, seeks >= 0 and
 *     batch >= 0; ids increase along the list.
 *  2. nr_deferred is never negative, and only slot 0 is used by a shrinker that is not
 *     NUMA-aware.
 *  3. vm.vfs_cache_pressure is not negative.
 */
#include "mm/shrinker.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>

#include "lib/sink.h"
#include "mm/internal.h"

struct shrinker_state {
	struct list_head shrinker_list; /* registration order */
	int next_id;
	int nr_registered;
	int sysctl_vfs_cache_pressure; /* vm.vfs_cache_pressure, default 100 */
};

int shrinker_init(struct kmm_kernel *k)
{
	struct shrinker_state *ss = env_alloc(k->env, sizeof(*ss));

	if (!ss)
		return -ENOMEM;
	INIT_LIST_HEAD(&ss->shrinker_list);
	ss->sysctl_vfs_cache_pressure = 100;
	k->shrinkers = ss;
	return 0;
}

void shrinker_exit(struct kmm_kernel *k)
{
	env_free(k->env, k->shrinkers);
	k->shrinkers = NULL;
}

int register_shrinker(struct kmm_kernel *k, struct shrinker *s, const char *fmt, ...)
{
	struct shrinker_state *ss = k->shrinkers;
	va_list ap;

	if (!ss || !s->count_objects || !s->scan_objects || (s->flags & SHRINKER_REGISTERED) ||
	    s->seeks < 0 || s->batch < 0)
		return -EINVAL;
	va_start(ap, fmt);
	vsnprintf(s->name, sizeof(s->name), fmt, ap);
	va_end(ap);
	for (int nid = 0; nid < MAX_NUMNODES; nid++)
		s->nr_deferred[nid] = 0;
	s->nr_scanned_total = 0;
	s->nr_freed_total = 0;
	s->id = ss->next_id++;
	list_add_tail(&s->list, &ss->shrinker_list);
	s->flags |= SHRINKER_REGISTERED;
	ss->nr_registered++;
	return 0;
}

void unregister_shrinker(struct kmm_kernel *k, struct shrinker *s)
{
	if (!k->shrinkers || !(s->flags & SHRINKER_REGISTERED))
		return;
	list_del(&s->list);
	s->flags &= ~SHRINKER_REGISTERED;
	k->shrinkers->nr_registered--;
}

/* The nr_deferred slot @sc uses: its node's for a NUMA-aware shrinker, else slot 0. */
static long *nr_deferred_slot(struct shrinker *s, const struct shrink_control *sc)
{
	return &s->nr_deferred[(s->flags & SHRINKER_NUMA_AWARE) ? sc->nid : 0];
}

/* Models: xchg_nr_deferred(): takes the carried work, leaving 0. */
static long xchg_nr_deferred(struct shrinker *s, const struct shrink_control *sc)
{
	long *slot = nr_deferred_slot(s, sc);
	long nr = *slot;

	*slot = 0;
	return nr;
}

/* Models: add_nr_deferred(): adds @nr to the carried work; returns the new total. */
static long add_nr_deferred(long nr, struct shrinker *s, const struct shrink_control *sc)
{
	long *slot = nr_deferred_slot(s, sc);

	*slot += nr;
	return *slot;
}

/* Models: do_shrink_slab(): one shrinker's share of the pressure (the rule at the top). */
static unsigned long do_shrink_slab(struct shrink_control *sc, struct shrinker *s, int priority)
{
	long batch_size = s->batch ? s->batch : SHRINK_BATCH;
	unsigned long freed = 0, freeable_u;
	long freeable, nr, total_scan, scanned = 0, next_deferred;
	unsigned long long delta;

	freeable_u = s->count_objects(s, sc);
	if (freeable_u == 0 || freeable_u == SHRINK_EMPTY)
		return freeable_u;
	freeable = (long)freeable_u;
	nr = xchg_nr_deferred(s, sc);
	if (s->seeks) {
		delta = (unsigned long long)freeable >> priority;
		delta *= 4;
		delta /= (unsigned)s->seeks;
	} else {
		delta = (unsigned long long)freeable / 2;
	}
	total_scan = (nr >> priority) + (long)delta;
	if (total_scan > 2 * freeable)
		total_scan = 2 * freeable;

	while (total_scan >= batch_size || total_scan >= freeable) {
		unsigned long ret;
		long nr_to_scan = batch_size < total_scan ? batch_size : total_scan;

		sc->nr_to_scan = (unsigned long)nr_to_scan;
		sc->nr_scanned = (unsigned long)nr_to_scan;
		ret = s->scan_objects(s, sc);
		if (ret == SHRINK_STOP)
			break;
		freed += ret;
		sc->k->vm_events[SLABS_SCANNED] += sc->nr_scanned;
		s->nr_scanned_total += sc->nr_scanned;
		total_scan -= (long)sc->nr_scanned;
		scanned += (long)sc->nr_scanned;
		/* A scan that looked at nothing would loop forever on an empty batch. */
		if (!sc->nr_scanned)
			break;
	}
	s->nr_freed_total += freed;
	next_deferred = nr + (long)delta - scanned;
	if (next_deferred < 0)
		next_deferred = 0;
	if (next_deferred > 2 * freeable)
		next_deferred = 2 * freeable;
	add_nr_deferred(next_deferred, s, sc);
	return freed;
}

unsigned long shrink_slab(struct kmm_kernel *k, gfp_t gfp_mask, int nid, int priority)
{
	struct shrinker_state *ss = k->shrinkers;
	unsigned long freed = 0;
	struct list_head *pos, *next;

	if (!ss || nid < 0 || nid >= MAX_NUMNODES || priority < 0 || priority > 63)
		return 0;
	/* next is taken first: a scan may unregister nothing, but stay safe if it does. */
	for (pos = ss->shrinker_list.next; pos != &ss->shrinker_list; pos = next) {
		struct shrinker *s = list_entry(pos, struct shrinker, list);
		struct shrink_control sc = {.k = k, .gfp_mask = gfp_mask, .nid = nid};
		unsigned long ret;

		next = pos->next;
		ret = do_shrink_slab(&sc, s, priority);
		if (ret == SHRINK_EMPTY)
			ret = 0;
		freed += ret;
	}
	return freed;
}

/* Models: drop_slab_node(): repeat while a pass frees more than 1 << shift++ objects. */
static unsigned long drop_slab_node(struct kmm_kernel *k, int nid)
{
	unsigned long freed, total = 0;
	int shift = 0;

	do {
		freed = shrink_slab(k, GFP_KERNEL, nid, 0);
		total += freed;
	} while (shift < 63 && (freed >> shift++) > 1);
	return total;
}

unsigned long drop_slab(struct kmm_kernel *k)
{
	unsigned long total = 0;

	for (int nid = 0; nid < MAX_NUMNODES; nid++)
		if (k->node_data[nid] && k->node_data[nid]->node_present_pages)
			total += drop_slab_node(k, nid);
	return total;
}

unsigned long vfs_pressure_ratio(const struct kmm_kernel *k, unsigned long val)
{
	unsigned long p =
		k->shrinkers ? (unsigned long)k->shrinkers->sysctl_vfs_cache_pressure : 100;

	/* mult_frac(): (val / 100) * p + (val % 100) * p / 100, without overflow */
	return (val / 100) * p + (val % 100) * p / 100;
}

int sysctl_vfs_cache_pressure(const struct kmm_kernel *k)
{
	return k->shrinkers ? k->shrinkers->sysctl_vfs_cache_pressure : 100;
}

int set_sysctl_vfs_cache_pressure(struct kmm_kernel *k, long value)
{
	if (!k->shrinkers || value < 0 || value > INT_MAX)
		return -EINVAL;
	k->shrinkers->sysctl_vfs_cache_pressure = (int)value;
	return 0;
}

void shrinker_debugfs_show(struct kmm_kernel *k, const struct sink *out)
{
	struct shrinker_state *ss = k->shrinkers;
	struct list_head *pos;

	if (!ss)
		return;
	for (pos = ss->shrinker_list.next; pos != &ss->shrinker_list; pos = pos->next) {
		struct shrinker *s = list_entry(pos, struct shrinker, list);

		sink_printf(out, "%s-%d:", s->name, s->id);
		/* shrinker_debugfs_count_show(): "0 <count per node>" for the root memcg */
		for (int nid = 0; nid < MAX_NUMNODES; nid++) {
			struct shrink_control sc = {.k = k, .gfp_mask = GFP_KERNEL, .nid = nid};
			unsigned long n;

			if (!k->node_data[nid] || !k->node_data[nid]->node_present_pages)
				continue;
			n = s->count_objects(s, &sc);
			sink_printf(out, " %lu", n == SHRINK_EMPTY ? 0 : n);
			if (!(s->flags & SHRINKER_NUMA_AWARE))
				break;
		}
		sink_printf(out, "\n");
	}
}

bool shrinker_check(const struct kmm_kernel *k, char *why, size_t whylen)
{
	const struct shrinker_state *ss = k->shrinkers;
	const struct list_head *pos;
	int last_id = -1, n = 0;

	if (!ss)
		return true;
	if (ss->sysctl_vfs_cache_pressure < 0) {
		snprintf(why, whylen, "shrinker: vfs_cache_pressure %d",
			 ss->sysctl_vfs_cache_pressure);
		return false;
	}
	for (pos = ss->shrinker_list.next; pos != &ss->shrinker_list; pos = pos->next) {
		const struct shrinker *s = list_entry(pos, struct shrinker, list);

		n++;
		if (!(s->flags & SHRINKER_REGISTERED) || !s->count_objects || !s->scan_objects ||
		    s->seeks < 0 || s->batch < 0 || s->id <= last_id) {
			snprintf(why, whylen, "shrinker: %s-%d is malformed on the list", s->name,
				 s->id);
			return false;
		}
		last_id = s->id;
		for (int nid = 0; nid < MAX_NUMNODES; nid++)
			if (s->nr_deferred[nid] < 0 ||
			    (nid && s->nr_deferred[nid] && !(s->flags & SHRINKER_NUMA_AWARE))) {
				snprintf(why, whylen, "shrinker: %s-%d nr_deferred[%d] = %ld",
					 s->name, s->id, nid, s->nr_deferred[nid]);
				return false;
			}
	}
	if (n != ss->nr_registered) {
		snprintf(why, whylen, "shrinker: %d on the list, %d registered", n,
			 ss->nr_registered);
		return false;
	}
	return true;
}
