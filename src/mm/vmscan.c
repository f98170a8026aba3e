/*
 * Page reclaim: the classic two-list LRU scan, kswapd per node, direct reclaim.
 *
 * Models: mm/vmscan.c (Linux 6.1.192) with CONFIG_LRU_GEN built and disabled, no memcg:
 *         scan_control, shrink_node(), shrink_node_memcgs(), shrink_lruvec(),
 *         prepare_scan_count(), get_scan_count(), shrink_list(), inactive_is_low(),
 *         shrink_active_list(), shrink_inactive_list(), too_many_isolated(),
 *         isolate_lru_folios(), move_folios_to_lru(), folio_check_references(),
 *         folio_check_dirty_writeback(), shrink_folio_list(), pageout(), __remove_mapping(),
 *         reclaim_pages(), reclaim_throttle(), __acct_reclaim_writeback(),
 *         skip_throttle_noprogress(), consider_reclaim_throttle(), shrink_zones(),
 *         do_try_to_free_pages(), try_to_free_pages(), allow_direct_reclaim(),
 *         zone_reclaimable_pages(), pgdat_balanced(), prepare_kswapd_sleep(),
 *         kswapd_shrink_node(), kswapd_age_node(), balance_pgdat(), kswapd_try_to_sleep(),
 *         kswapd(), wakeup_kswapd(), kswapd_run(); mm/swap.c: lru_note_cost(),
 *         lru_note_cost_folio().
 *
 * Map: state and checks; costs and throttling; the scan (isolate, references, the folio
 * list, inactive/active); the balance (get_scan_count, shrink_lruvec, shrink_node); direct
 * reclaim; kswapd; reclaim_pages.
 *
 * kswapd is a kernel thread (kernel/sched.h) whose runs are events of the machine's queue:
 * a run is one trip round the kernel's kswapd() loop, and its sleeps are states:
 *   SLEEPING  on kswapd_wait until wakeup_kswapd() (a low-watermark miss in the allocator's
 *             slow path, or a boosted watermark) finds the node unbalanced;
 *   NAPPING   kswapd_try_to_sleep()'s short sleep (HZ/10) after a balanced pass: a wake-up
 *             during it is premature (kswapd_low_wmark_hit_quickly) and cuts it short;
 *   RUNNING   between balance_pgdat() passes while the node is not balanced (each pass ends
 *             the run; the next starts at the next run point: kswapd_high_wmark_hit_quickly).
 * The page allocator's slow path is a run point (env_cond_resched after waking kswapd), so a
 * task that faults under pressure lets kswapd run before it reclaims directly, as a second
 * CPU would. Everything is a function of the seed and the calls: no host time.
 *
 * Deviations:
 *  - One machine runs one call at a time: the lru_lock, the plug, vmpressure and PSI are not
 *    modelled; too_many_isolated() only sees this reclaimer's own isolation.
 *  - throttle_direct_reclaim() (the pfmemalloc wait) is not modelled: direct reclaim always
 *    proceeds; allow_direct_reclaim() only wakes kswapd as the kernel's does.
 *  - A throttled kswapd (reclaim_throttle inside its event) idles its CPU without running
 *    other events (events do not nest); a throttled task sleeps with them running.
 *  - kswapd is created at the run point after its node's first wake-up (an event; never inside
 *    the allocator that woke it), not at boot (module_init), so that a
 *    run's own tasks get pids from 1 as the captures' /init does and the boot's memory stays
 *    as captured; while no zone of the node has room above min for its task_struct, its
 *    creation is retried every HZ/10 (direct reclaim does the work meanwhile): the kernel's
 *    kswapd, there from boot, would have been woken by the first request; it starts asleep (the
 * kernel's first pass naps HZ/10 on a balanced node).
 *  - Until swap devices exist on the machine, anonymous folios cannot be reclaimed
 *    (no swap: get_scan_count scans only file folios, as the kernel does without swap).
 *  - should_continue_reclaim() (reclaim for compaction of costly orders) is not modelled:
 *    shrink_node() makes one pass, as the kernel does for every order-0 request.
 *  - Writeback of a dirty file folio by kswapd's pageout() completes as the filesystem's
 *    writepage returns (filemap.c's writeback model); PG_reclaim rotation follows it.
 *  - Anonymous THPs go as 6.1 (CONFIG_THP_SWAP) sends them: split at once when no PMD maps
 *    them, else swapped out whole into one free swap cluster (try_to_unmap splits the PMD
 *    into 512 swap PTEs; thp_swpout), or split onto the list when no cluster is free
 *    (thp_swpout_fallback); the tails take their own trips (huge_memory.c's split).
 *    __GFP_IO and the DMA-pin test before add_to_swap are not made (the anon_vma walk's
 *    pin test in try_to_unmap keeps a pinned page mapped).
 *
 * Invariants (vmscan_check, run by kmm_check):
 *  1. Outside a reclaim call no folio is isolated by reclaim: the registered isolation lists
 *     are gone and NR_ISOLATED_ANON/FILE of every node are 0.
 *  2. vm.swappiness is within 0..200.
 *  3. A node's kswapd, once created, is a live kernel thread named "kswapd<nid>", which is
 *     TASK_INTERRUPTIBLE exactly when it is SLEEPING; without one the node's kswapd is SLEEPING
 * (napping counts as running: its run is queued for the nap's end).
 */
#include "mm/compaction.h"
#include "mm/vmscan.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "kernel/sched.h"
#include "lib/trace.h"
#include "mm/gfp.h"
#include "mm/huge_mm.h"
#include "mm/internal.h"
#include "mm/memory.h"
#include "mm/migrate.h"
#include "mm/mmap.h"
#include "mm/page_place.h"
#include "mm/pagemap.h"
#include "mm/rmap.h"
#include "mm/shrinker.h"
#include "mm/swap.h"
#include "mm/swap_state.h"
#include "mm/swapfile.h"
#include "mm/workingset.h"

#define HZ		    250 /* CONFIG_HZ of the reference kernel */
#define MAX_RECLAIM_RETRIES 16	/* page_alloc.c's */
#define MAX_ISOLATION_LISTS 4	/* reclaim calls in progress at once (kswapd, a task, madvise) */

/* pgdat->flags bits (enum pgdat_flags) reclaim uses. */
enum pgdat_flags { PGDAT_DIRTY, PGDAT_WRITEBACK };

enum kswapd_state { KSWAPD_SLEEPING, KSWAPD_NAPPING, KSWAPD_RUNNING };

/* kswapd and reclaim's per-node records (the kernel keeps them in pg_data_t). */
struct vmscan_node {
	struct task_struct *kswapd;
	enum kswapd_state state;
	bool woken_in_nap;		/* a wakeup_kswapd() cut the nap short */
	int nap_order, nap_zoneidx;	/* what kswapd_try_to_sleep() checks after the nap */
	int kswapd_failures;		/* balance_pgdat() passes reclaiming nothing */
	unsigned long flags;		/* enum pgdat_flags */
	bool congested;			/* LRUVEC_CONGESTED */
	unsigned long refaults[2];	/* snapshot_refaults(): anon, file */
	int nr_writeback_throttled;	/* tasks in reclaim_throttle(WRITEBACK) */
	unsigned long nr_reclaim_start; /* NR_THROTTLED_WRITTEN when the first throttled */
	bool throttle_woken[NR_VMSCAN_THROTTLE]; /* wake_up(&pgdat->reclaim_wait[reason]) */
};

/* A list of folios reclaim holds isolated; counted: in NR_ISOLATED_ANON/FILE. */
struct isolation_list {
	const struct list_head *list;
	bool counted;
};

struct vmscan_state {
	int swappiness; /* vm.swappiness */
	bool current_is_kswapd;
	bool creating_kswapd;	    /* kswapd_run() in progress: its allocations wake nobody */
	struct env_event create_ev; /* creates the kswapds asked for, at a run point */
	bool create_wanted[MAX_NUMNODES]; /* a node's first wake-up, waiting for create_ev */
	struct kmm_kernel *k;
	struct vmscan_node node[MAX_NUMNODES];
	struct isolation_list isolated[MAX_ISOLATION_LISTS];
	int nr_isolation_lists;
};

/* What folio_check_references() decides (enum folio_references). */
enum folio_references {
	FOLIOREF_RECLAIM,
	FOLIOREF_RECLAIM_CLEAN,
	FOLIOREF_KEEP,
	FOLIOREF_ACTIVATE,
};

enum scan_balance { SCAN_EQUAL, SCAN_FRACT, SCAN_ANON, SCAN_FILE };

#define DEACTIVATE_ANON 1
#define DEACTIVATE_FILE 2

/* Models: struct scan_control (the fields global reclaim uses). */
struct scan_control {
	unsigned long nr_to_reclaim;
	const nodemask_t *nodemask;
	unsigned long anon_cost, file_cost;
	unsigned int may_deactivate; /* DEACTIVATE_ANON | DEACTIVATE_FILE */
	bool force_deactivate, skipped_deactivate;
	bool may_writepage, may_unmap, may_swap;
	bool cache_trim_mode, file_is_tiny;
	bool compaction_ready;
	int order, priority, reclaim_idx;
	gfp_t gfp_mask;
	unsigned long nr_scanned, nr_reclaimed;
	struct {
		unsigned int dirty, unqueued_dirty, congested, writeback, immediate, file_taken,
			taken;
	} nr;
};

/* Models: struct reclaim_stat. */
struct reclaim_stat {
	unsigned int nr_dirty, nr_unqueued_dirty, nr_congested, nr_writeback, nr_immediate;
	unsigned int nr_pageout, nr_activate[2], nr_ref_keep, nr_unmap_fail, nr_lazyfree_fail;
};

/* ---- state, tunables, checks ----------------------------------------------------------- */

static struct vmscan_node *vnode(struct kmm_kernel *k, const pg_data_t *pgdat)
{
	return &k->vmscan->node[pgdat->node_id];
}

static bool current_is_kswapd(const struct kmm_kernel *k)
{
	return k->vmscan && k->vmscan->current_is_kswapd;
}

int vm_swappiness(const struct kmm_kernel *k)
{
	return k->vmscan ? k->vmscan->swappiness : DEF_SWAPPINESS;
}

int vmscan_set_swappiness(struct kmm_kernel *k, long value)
{
	if (!k->vmscan || value < 0 || value > MAX_SWAPPINESS)
		return -EINVAL;
	k->vmscan->swappiness = (int)value;
	return 0;
}

struct task_struct *kswapd_task(const struct kmm_kernel *k, int nid)
{
	if (!k->vmscan || nid < 0 || nid >= MAX_NUMNODES)
		return NULL;
	return k->vmscan->node[nid].kswapd;
}

bool kswapd_is_running(const struct kmm_kernel *k, int nid)
{
	if (!kswapd_task(k, nid))
		return false;
	return k->vmscan->node[nid].state != KSWAPD_SLEEPING;
}

bool kswapd_gave_up(const struct kmm_kernel *k, int nid)
{
	return k->vmscan && k->vmscan->node[nid].kswapd_failures >= MAX_RECLAIM_RETRIES;
}

static void isolation_register(struct kmm_kernel *k, const struct list_head *list, bool counted)
{
	struct vmscan_state *vs = k->vmscan;

	if (vs->nr_isolation_lists < MAX_ISOLATION_LISTS)
		vs->isolated[vs->nr_isolation_lists++] = (struct isolation_list){list, counted};
}

static void isolation_unregister(struct kmm_kernel *k, const struct list_head *list)
{
	struct vmscan_state *vs = k->vmscan;

	for (int i = vs->nr_isolation_lists - 1; i >= 0; i--) {
		if (vs->isolated[i].list != list)
			continue;
		vs->isolated[i] = vs->isolated[--vs->nr_isolation_lists];
		return;
	}
}

bool vmscan_place_walk(const struct kmm_kernel *k, struct place_map *map)
{
	const struct vmscan_state *vs = k->vmscan;
	unsigned long counted = 0, isolated = 0;

	if (!vs)
		return true;
	for (int i = 0; i < vs->nr_isolation_lists; i++) {
		const struct list_head *head = vs->isolated[i].list;

		for (const struct list_head *l = head->next; l != head; l = l->next) {
			const struct folio *folio = list_entry(l, struct folio, lru);
			unsigned long nr = folio_nr_pages(folio);

			if (!place_claim(map, PLACE_RECLAIM, page_to_pfn(k, &folio->page), nr))
				return false;
			if (vs->isolated[i].counted)
				counted += nr;
		}
	}
	for (int nid = 0; nid < MAX_NUMNODES; nid++)
		if (k->node_data[nid])
			isolated += node_page_state(k->node_data[nid], NR_ISOLATED_ANON) +
				    node_page_state(k->node_data[nid], NR_ISOLATED_FILE);
	if (counted + migrate_isolated_pages(k) != isolated)
		return place_fail(map,
				  "vmscan: %lu pages isolated by reclaim, %lu for migration, "
				  "nr_isolated %lu",
				  counted, migrate_isolated_pages(k), isolated);
	return true;
}

#define CHECK(cond, ...)                                                                           \
	do {                                                                                       \
		if (!(cond)) {                                                                     \
			snprintf(why, whylen, __VA_ARGS__);                                        \
			return false;                                                              \
		}                                                                                  \
	} while (0)

bool vmscan_check(const struct kmm_kernel *k, char *why, size_t whylen)
{
	const struct vmscan_state *vs = k->vmscan;

	if (!vs)
		return true;
	CHECK(vs->nr_isolation_lists == 0 && !vs->current_is_kswapd,
	      "vmscan: %d isolation lists outside reclaim", vs->nr_isolation_lists);
	CHECK(vs->swappiness >= 0 && vs->swappiness <= MAX_SWAPPINESS,
	      "vmscan: vm.swappiness %d out of range", vs->swappiness);
	for (int nid = 0; nid < MAX_NUMNODES; nid++) {
		const pg_data_t *pgdat = k->node_data[nid];
		const struct vmscan_node *vn = &vs->node[nid];
		char comm[TASK_COMM_LEN];

		if (!pgdat)
			continue;
		CHECK(node_page_state(pgdat, NR_ISOLATED_ANON) +
				      node_page_state(pgdat, NR_ISOLATED_FILE) ==
			      migrate_isolated_pages_node(k, nid),
		      "vmscan: node %d has isolated pages outside reclaim and migration", nid);
		snprintf(comm, sizeof(comm), KSWAPD_COMM_FMT, nid);
		CHECK(vn->kswapd || vn->state == KSWAPD_SLEEPING, "vmscan: %s runs without a task",
		      comm);
		if (!vn->kswapd)
			goto costs;
		CHECK(strcmp(vn->kswapd->comm, comm) == 0 && (vn->kswapd->flags & PF_KTHREAD) &&
			      !vn->kswapd->exit_state,
		      "vmscan: node %d has no live %s", nid, comm);
		CHECK((vn->state == KSWAPD_SLEEPING) == (vn->kswapd->__state == TASK_INTERRUPTIBLE),
		      "vmscan: %s state %d disagrees with its task state %u", comm, (int)vn->state,
		      vn->kswapd->__state);
	costs:;
	}
	return true;
}

/* ---- costs, sizes, throttling ------------------------------------------------------------ */

void lru_note_cost(struct kmm_kernel *k, struct lruvec *lruvec, bool file, unsigned int nr_pages)
{
	const pg_data_t *pgdat = lruvec->pgdat;
	unsigned long lrusize;

	(void)k;
	if (file)
		lruvec->file_cost += nr_pages;
	else
		lruvec->anon_cost += nr_pages;
	/* Decay: a floating average that weighs recent costs more. */
	lrusize = node_page_state(pgdat, NR_INACTIVE_ANON) +
		  node_page_state(pgdat, NR_ACTIVE_ANON) +
		  node_page_state(pgdat, NR_INACTIVE_FILE) + node_page_state(pgdat, NR_ACTIVE_FILE);
	if (lruvec->file_cost + lruvec->anon_cost > lrusize / 4) {
		lruvec->file_cost /= 2;
		lruvec->anon_cost /= 2;
	}
}

void lru_note_cost_folio(struct kmm_kernel *k, struct folio *folio)
{
	lru_note_cost(k, folio_lruvec(k, folio), folio_is_file_lru(folio),
		      (unsigned int)folio_nr_pages(folio));
}

/* Free swap slots over the devices that take writes (get_nr_swap_pages). */
static long nr_swap_pages_free(const struct kmm_kernel *k)
{
	return get_nr_swap_pages(k);
}

/* Models: can_reclaim_anon_pages() without memcg or demotion: swap has room. */
static bool can_reclaim_anon_pages(const struct kmm_kernel *k)
{
	return nr_swap_pages_free(k) > 0;
}

/* Models: can_age_anon_pages(): aging anon is worth it when swap is present. */
static bool can_age_anon_pages(const struct kmm_kernel *k)
{
	return nr_swap_pages_free(k) > 0;
}

unsigned long zone_reclaimable_pages(const struct kmm_kernel *k, const struct zone *zone)
{
	unsigned long nr = zone_page_state(zone, NR_ZONE_INACTIVE_FILE) +
			   zone_page_state(zone, NR_ZONE_ACTIVE_FILE);

	if (nr_swap_pages_free(k) > 0)
		nr += zone_page_state(zone, NR_ZONE_INACTIVE_ANON) +
		      zone_page_state(zone, NR_ZONE_ACTIVE_ANON);
	/*
	 * Debian's 6.1.192 (a stable backport): a zone with nothing reclaimable reports its free
	 * pages instead, so it is not skipped. In should_reclaim_retry that doubles "available"
	 * and the slow path retries MAX_RECLAIM_RETRIES times before the OOM killer: the
	 * captures' 17 stalls of a hog with no swap and no file cache.
	 */
	if (nr == 0)
		nr = zone_page_state(zone, NR_FREE_PAGES);
	return nr;
}

/* Models: lruvec_lru_size(): the pages of @lru in zones up to @zone_idx. */
static unsigned long lruvec_lru_size(const struct lruvec *lruvec, enum lru_list lru, int zone_idx)
{
	unsigned long size = 0;

	for (int zid = 0; zid <= zone_idx && zid < MAX_NR_ZONES; zid++) {
		const struct zone *zone = &lruvec->pgdat->node_zones[zid];

		if (managed_zone(zone))
			size += zone_page_state(zone,
						(enum zone_stat_item)(NR_ZONE_LRU_BASE + lru));
	}
	return size;
}

static uint64_t jiffies_to_cycles(const struct kmm_kernel *k, long jiffies)
{
	return env_ns_to_cycles(k->env, (uint64_t)jiffies * (1000000000ULL / HZ));
}

/* Models: skip_throttle_noprogress(). */
static bool skip_throttle_noprogress(struct kmm_kernel *k, pg_data_t *pgdat)
{
	unsigned long reclaimable = 0, write_pending = 0;

	if (vnode(k, pgdat)->kswapd_failures >= MAX_RECLAIM_RETRIES)
		return true;
	for (int i = 0; i < MAX_NR_ZONES; i++) {
		const struct zone *zone = &pgdat->node_zones[i];

		if (!managed_zone(zone))
			continue;
		reclaimable += zone_reclaimable_pages(k, zone);
		write_pending += zone_page_state(zone, NR_ZONE_WRITE_PENDING);
	}
	return 2 * write_pending > reclaimable;
}

static const char *const throttle_names[NR_VMSCAN_THROTTLE] = {
	"VMSCAN_THROTTLE_WRITEBACK", "VMSCAN_THROTTLE_ISOLATED", "VMSCAN_THROTTLE_NOPROGRESS",
	"VMSCAN_THROTTLE_CONGESTED"};

void reclaim_throttle(struct kmm_kernel *k, pg_data_t *pgdat, enum vmscan_throttle_state reason)
{
	struct vmscan_node *vn = vnode(k, pgdat);
	struct task_struct *tsk = get_current_task(k);
	long timeout, waited = 0;

	if ((unsigned int)reason >= NR_VMSCAN_THROTTLE)
		return;
	/* Kernel threads other than kswapd may be needed for progress: never throttled. */
	if (!current_is_kswapd(k) && tsk && (tsk->flags & PF_KTHREAD)) {
		env_cond_resched(k->env);
		return;
	}
	switch (reason) {
	case VMSCAN_THROTTLE_WRITEBACK:
		timeout = HZ / 10;
		if (++vn->nr_writeback_throttled == 1)
			vn->nr_reclaim_start = node_page_state(pgdat, NR_THROTTLED_WRITTEN);
		break;
	case VMSCAN_THROTTLE_CONGESTED:
	case VMSCAN_THROTTLE_NOPROGRESS:
		if (skip_throttle_noprogress(k, pgdat)) {
			env_cond_resched(k->env);
			return;
		}
		timeout = 1;
		break;
	case VMSCAN_THROTTLE_ISOLATED:
	default:
		timeout = HZ / 50;
		break;
	}
	/* schedule_timeout() a jiffy at a time, ended early by a wake-up of this reason. */
	vn->throttle_woken[reason] = false;
	while (waited < timeout && !vn->throttle_woken[reason]) {
		env_sleep(k->env, jiffies_to_cycles(k, 1));
		waited++;
	}
	vn->throttle_woken[reason] = false;
	if (reason == VMSCAN_THROTTLE_WRITEBACK)
		vn->nr_writeback_throttled--;
	if (trace_enabled(k->env, TRACE_mm_vmscan_throttled))
		trace_emit(k->env, TRACE_mm_vmscan_throttled,
			   "nid=%d usec_timeout=%ld usect_delayed=%ld reason=%s", pgdat->node_id,
			   timeout * (1000000L / HZ), waited * (1000000L / HZ),
			   throttle_names[reason]);
}

void acct_reclaim_writeback(struct kmm_kernel *k, struct folio *folio)
{
	pg_data_t *pgdat;
	struct vmscan_node *vn;
	unsigned long nr_written;

	if (!k->vmscan)
		return;
	pgdat = k->node_data[page_to_nid(&folio->page)];
	vn = vnode(k, pgdat);
	if (!vn->nr_writeback_throttled)
		return;
	__mod_node_page_state(pgdat, NR_THROTTLED_WRITTEN, (long)folio_nr_pages(folio));
	nr_written = node_page_state(pgdat, NR_THROTTLED_WRITTEN) - vn->nr_reclaim_start;
	if (nr_written > SWAP_CLUSTER_MAX * (unsigned long)vn->nr_writeback_throttled)
		vn->throttle_woken[VMSCAN_THROTTLE_WRITEBACK] = true;
}

/* ---- isolation and putback --------------------------------------------------------------- */

static struct folio *lru_to_folio(const struct list_head *head)
{
	return list_entry(head->prev, struct folio, lru);
}

/*
 * Models: isolate_lru_folios(): up to @nr_to_scan pages' folios from the tail of @lru onto
 * @dst; folios of zones above reclaim_idx are skipped (back to the head). Returns the pages
 * taken, *@nr_scanned the pages looked at.
 */
static unsigned long isolate_lru_folios(struct kmm_kernel *k, unsigned long nr_to_scan,
					struct lruvec *lruvec, struct list_head *dst,
					unsigned long *nr_scanned, struct scan_control *sc,
					enum lru_list lru)
{
	struct list_head *src = &lruvec->lists[lru];
	unsigned long nr_taken = 0, scan = 0, total_scan = 0, skipped = 0;
	struct list_head folios_skipped;

	INIT_LIST_HEAD(&folios_skipped);
	while (scan < nr_to_scan && !list_empty(src)) {
		struct folio *folio = lru_to_folio(src);
		unsigned long nr_pages = folio_nr_pages(folio);

		total_scan += nr_pages;
		env_charge(k->env, COST_reclaim_folio);
		if (page_zonenum(&folio->page) > sc->reclaim_idx) {
			skipped += nr_pages;
			list_move(&folio->lru, &folios_skipped);
			continue;
		}
		scan += nr_pages;
		if (!folio_test_lru(folio) || (!sc->may_unmap && folio_mapped(folio)) ||
		    !folio_try_get(folio)) {
			list_move(&folio->lru, src);
			continue;
		}
		lruvec_del_folio(k, lruvec, folio); /* off the list and out of its counts */
		folio_clear_lru(folio);
		list_add(&folio->lru, dst);
		nr_taken += nr_pages;
	}
	/* Skipped folios go to the head so the next batch does not rescan them. */
	while (!list_empty(&folios_skipped))
		list_move(folios_skipped.prev, src);
	*nr_scanned = total_scan;
	if (trace_enabled(k->env, TRACE_mm_vmscan_lru_isolate))
		trace_emit(k->env, TRACE_mm_vmscan_lru_isolate,
			   "isolate_mode=%d classzone=%d order=%d nr_requested=%lu nr_scanned=%lu "
			   "nr_skipped=%lu nr_taken=%lu lru=%s",
			   sc->may_unmap ? 0 : 2, sc->reclaim_idx, sc->order, nr_to_scan,
			   total_scan, skipped, nr_taken,
			   (const char *[]){"inactive_anon", "active_anon", "inactive_file",
					    "active_file", "unevictable"}[lru]);
	return nr_taken;
}

/* A folio whose last reference is reclaim's leaves with its LRU flags cleared. */
static void free_isolated_folio(struct kmm_kernel *k, struct folio *folio)
{
	folio_clear_active(folio);
	folio_clear_unevictable(folio);
	folio_put(k, folio);
}

/*
 * Models: move_folios_to_lru(): the isolated folios of @list back on their LRU lists (the
 * list each one's flags name); folios nobody else holds are freed. Returns the pages moved.
 */
static unsigned long move_folios_to_lru(struct kmm_kernel *k, struct lruvec *lruvec,
					struct list_head *list)
{
	unsigned long nr_moved = 0;

	while (!list_empty(list)) {
		struct folio *folio = lru_to_folio(list);

		list_del(&folio->lru);
		if (!folio_evictable(folio)) {
			folio_putback_lru(k, folio);
			continue;
		}
		if (folio_ref_count(folio) == 1) { /* only reclaim's reference is left */
			free_isolated_folio(k, folio);
			continue;
		}
		folio_set_lru(folio);
		lruvec_add_folio(k, lruvec, folio);
		folio_put(k, folio); /* isolation's reference; others remain */
		nr_moved += folio_nr_pages(folio);
	}
	return nr_moved;
}

/* Models: too_many_isolated(): direct reclaimers wait when isolation outgrows the list. */
static bool too_many_isolated(struct kmm_kernel *k, pg_data_t *pgdat, bool file,
			      const struct scan_control *sc)
{
	unsigned long inactive, isolated;

	if (current_is_kswapd(k))
		return false;
	inactive = node_page_state(pgdat, file ? NR_INACTIVE_FILE : NR_INACTIVE_ANON);
	isolated = node_page_state(pgdat, file ? NR_ISOLATED_FILE : NR_ISOLATED_ANON);
	if ((sc->gfp_mask & (__GFP_IO | __GFP_FS)) == (__GFP_IO | __GFP_FS))
		inactive >>= 3;
	if (isolated <= inactive) {
		vnode(k, pgdat)->throttle_woken[VMSCAN_THROTTLE_ISOLATED] = true;
		return false;
	}
	return true;
}

/* ---- the folio list ---------------------------------------------------------------------- */

/* Models: folio_check_references(): rmap's young PTEs (cleared as they are read) and PG_referenced.
 */
static enum folio_references folio_check_references(struct kmm_kernel *k, struct folio *folio)
{
	unsigned long vm_flags;
	int referenced_ptes = folio_referenced(k, folio, 1, &vm_flags);
	bool referenced_folio = folio_test_clear_referenced(folio);

	if (vm_flags & VM_LOCKED)
		return FOLIOREF_ACTIVATE;
	if (referenced_ptes == -1)
		return FOLIOREF_KEEP;
	if (referenced_ptes) {
		/* Mapped and used: activate on the second look (or when shared), else keep. */
		folio_set_referenced(folio);
		if (referenced_folio || referenced_ptes > 1)
			return FOLIOREF_ACTIVATE;
		if ((vm_flags & VM_EXEC) && folio_is_file_lru(folio))
			return FOLIOREF_ACTIVATE;
		return FOLIOREF_KEEP;
	}
	/* Referenced through read()/write() only: reclaim it if clean. */
	if (referenced_folio && folio_is_file_lru(folio))
		return FOLIOREF_RECLAIM_CLEAN;
	return FOLIOREF_RECLAIM;
}

/* Models: folio_check_dirty_writeback(): only file folios count (anon dirt is normal). */
static void folio_check_dirty_writeback(const struct folio *folio, bool *dirty, bool *writeback)
{
	if (!folio_is_file_lru(folio) ||
	    (folio_test_anon(folio) && !folio_test_swapbacked(folio))) {
		*dirty = false;
		*writeback = false;
		return;
	}
	*dirty = folio_test_dirty(folio);
	*writeback = folio_test_writeback(folio);
}

/* Models: is_page_cache_freeable(): the cache's references, the isolation's, nothing else. */
static bool is_page_cache_freeable(const struct folio *folio)
{
	return folio_ref_count(folio) - (int)folio_nr_pages(folio) == 1;
}

typedef enum { PAGE_KEEP, PAGE_ACTIVATE, PAGE_SUCCESS, PAGE_CLEAN } pageout_t;

/*
 * Models: pageout(): a dirty, unmapped, locked file folio is cleaned for I/O and handed to
 * its mapping's writepage (kswapd only, see shrink_folio_list); PG_reclaim makes its end of
 * writeback rotate it to the tail of the inactive list for immediate reclaim.
 */
static pageout_t pageout(struct kmm_kernel *k, struct folio *folio, struct address_space *mapping)
{
	struct writeback_control wbc = {
		.sync_mode = WB_SYNC_NONE,
		.nr_to_write = SWAP_CLUSTER_MAX,
		.range_start = 0,
		.range_end = (loff_t)(~0ULL >> 1),
		.for_reclaim = true,
	};
	int res;

	if (!is_page_cache_freeable(folio))
		return PAGE_KEEP;
	if (folio_test_swapcache(folio)) {
		/* the swap cache's writepage: swap_writepage() (starts writeback, unlocks) */
		if (!folio_clear_dirty_for_io(k, folio))
			return PAGE_CLEAN;
		folio_set_reclaim(folio);
		res = swap_writepage(k, &folio->page, &wbc);
		goto written;
	}
	if (!mapping)
		return PAGE_KEEP;
	if (!mapping->a_ops || !mapping->a_ops->writepage)
		return PAGE_ACTIVATE;
	if (!folio_clear_dirty_for_io(k, folio))
		return PAGE_CLEAN;
	folio_set_reclaim(folio);
	/* 6.1's contract: writepage starts writeback, submits and unlocks the folio */
	res = mapping->a_ops->writepage(k, folio, &wbc);
written:
	if (res == AOP_WRITEPAGE_ACTIVATE) {
		folio_clear_reclaim(folio);
		return PAGE_ACTIVATE;
	}
	/* the folio comes back unlocked; the caller's loop holds it locked until putback */
	if (!folio_test_locked(folio))
		folio_lock(folio);
	if (res < 0) {
		mapping->flags |= 1UL << AS_EIO;
		folio_clear_reclaim(folio);
		return PAGE_ACTIVATE;
	}
	if (!folio_test_writeback(folio))
		folio_clear_reclaim(folio); /* written already: nothing to rotate later */
	__mod_node_page_state(k->node_data[page_to_nid(&folio->page)], NR_VMSCAN_WRITE,
			      (long)folio_nr_pages(folio));
	return PAGE_SUCCESS;
}

/*
 * Models: __remove_mapping() for page-cache folios: a clean folio nobody else holds leaves
 * its mapping; the reference left is the caller's (isolation). Returns 1 on success.
 */
static int __remove_mapping(struct kmm_kernel *k, struct address_space *mapping,
			    struct folio *folio)
{
	void *shadow;

	(void)mapping;
	if (!is_page_cache_freeable(folio) || folio_test_dirty(folio))
		return 0;
	if (folio_test_swapcache(folio)) {
		swp_entry_t entry = {folio->private};
		int nr = (int)folio_nr_pages(folio);

		shadow = workingset_eviction(k, folio);
		__delete_from_swap_cache(k, folio, entry, shadow);
		put_swap_folio(k, folio, entry);
		page_ref_sub(&folio->page, nr); /* the swap cache's references */
		return 1;
	}
	/* Only file-LRU folios leave a shadow: a clean tmpfs page is simply dropped. */
	shadow = folio_is_file_lru(folio) ? workingset_eviction(k, folio) : NULL;
	__filemap_remove_folio(k, folio, shadow);
	return 1;
}

/* Models: may_enter_fs(): the reclaim context may call into the filesystem. */
static bool may_enter_fs(const struct folio *folio, gfp_t gfp)
{
	if (gfp & __GFP_FS)
		return true;
	return folio_test_swapcache(folio) && (gfp & __GFP_IO);
}

enum folio_fate { FATE_FREE, FATE_ACTIVATE, FATE_KEEP };

/* Models: the writeback cases of shrink_folio_list() for a folio under writeback. */
static enum folio_fate folio_under_writeback(struct kmm_kernel *k, pg_data_t *pgdat,
					     struct folio *folio, struct reclaim_stat *stat,
					     unsigned int nr_pages)
{
	/* Case 1: kswapd sees folios it marked cycling back while the node is congested. */
	if (current_is_kswapd(k) && folio_test_reclaim(folio) &&
	    (vnode(k, pgdat)->flags & (1UL << PGDAT_WRITEBACK))) {
		stat->nr_immediate += nr_pages;
		return FATE_ACTIVATE;
	}
	/* Case 2 (global reclaim throttles sanely): mark for immediate reclaim, move on. */
	folio_set_reclaim(folio);
	stat->nr_writeback += nr_pages;
	return FATE_ACTIVATE;
}

/* Models: the dirty-folio part of shrink_folio_list(). */
static enum folio_fate folio_reclaim_dirty(struct kmm_kernel *k, pg_data_t *pgdat,
					   struct folio *folio, struct scan_control *sc,
					   struct reclaim_stat *stat,
					   enum folio_references references, unsigned int nr_pages)
{
	struct address_space *mapping = folio_mapping(folio);

	/*
	 * Only kswapd writes file folios, and only those it met dirty before (PG_reclaim) on a
	 * node whose LRU tail is all dirty: single-folio I/O is left to the flushers.
	 */
	if (folio_is_file_lru(folio) && (!current_is_kswapd(k) || !folio_test_reclaim(folio) ||
					 !(vnode(k, pgdat)->flags & (1UL << PGDAT_DIRTY)))) {
		__mod_node_page_state(pgdat, NR_VMSCAN_IMMEDIATE, nr_pages);
		folio_set_reclaim(folio);
		return FATE_ACTIVATE;
	}
	if (references == FOLIOREF_RECLAIM_CLEAN || !may_enter_fs(folio, sc->gfp_mask) ||
	    !sc->may_writepage)
		return FATE_KEEP;
	switch (pageout(k, folio, mapping)) {
	case PAGE_KEEP:
		return FATE_KEEP;
	case PAGE_ACTIVATE:
		return FATE_ACTIVATE;
	case PAGE_SUCCESS:
		stat->nr_pageout += nr_pages;
		if (folio_test_writeback(folio) || folio_test_dirty(folio))
			return FATE_KEEP;
		return FATE_FREE; /* a synchronous write: try to free it now */
	case PAGE_CLEAN:
	default:
		return FATE_FREE;
	}
}

/* Models: one folio's trip through shrink_folio_list(), up to freeing or its putback. */
static enum folio_fate shrink_one_folio(struct kmm_kernel *k, pg_data_t *pgdat, struct folio *folio,
					struct list_head *folio_list, unsigned int *nr_pagesp,
					struct scan_control *sc, struct reclaim_stat *stat,
					bool ignore_references)
{
	unsigned int nr_pages = *nr_pagesp;
	enum folio_references references = FOLIOREF_RECLAIM;
	struct address_space *mapping;
	bool dirty, writeback;

	sc->nr_scanned += nr_pages;
	if (!folio_evictable(folio))
		return FATE_ACTIVATE;
	if (!sc->may_unmap && folio_mapped(folio))
		return FATE_KEEP;
	folio_check_dirty_writeback(folio, &dirty, &writeback);
	if (dirty || writeback)
		stat->nr_dirty += nr_pages;
	if (dirty && !writeback)
		stat->nr_unqueued_dirty += nr_pages;
	if (writeback && folio_test_reclaim(folio))
		stat->nr_congested += nr_pages;
	if (folio_test_writeback(folio))
		return folio_under_writeback(k, pgdat, folio, stat, nr_pages);
	if (!ignore_references)
		references = folio_check_references(k, folio);
	if (references == FOLIOREF_ACTIVATE)
		return FATE_ACTIVATE;
	if (references == FOLIOREF_KEEP) {
		stat->nr_ref_keep += nr_pages;
		return FATE_KEEP;
	}
	/* Anonymous memory needs a swap slot and a place in the swap cache first. */
	if (folio_test_anon(folio) && folio_test_swapbacked(folio) &&
	    !folio_test_swapcache(folio)) {
		if (!can_reclaim_anon_pages(k))
			return FATE_ACTIVATE;
		if (folio_test_large(folio)) {
			if (!can_split_folio(folio, NULL))
				return FATE_ACTIVATE;
			/* no PMD maps it (partly unmapped): split now, the tails come round */
			if (!folio_entire_mapcount(folio) &&
			    split_folio_to_list(k, folio, folio_list))
				return FATE_ACTIVATE;
		}
		if (!add_to_swap(k, folio)) {
			if (!folio_test_large(folio))
				goto activate_split;
			/* no free swap cluster for the THP: swap its pages one by one */
			if (split_folio_to_list(k, folio, folio_list))
				return FATE_ACTIVATE;
			count_vm_event(k, THP_SWPOUT_FALLBACK);
			if (!add_to_swap(k, folio))
				goto activate_split;
		}
	}
	/* split above: the tails take their own trips through this function */
	if (nr_pages > 1 && !folio_test_large(folio)) {
		sc->nr_scanned -= nr_pages - 1;
		*nr_pagesp = nr_pages = 1;
	}
	if (folio_mapped(folio)) {
		bool was_swapbacked = folio_test_swapbacked(folio);
		unsigned int flags = TTU_BATCH_FLUSH;

		if (folio_test_large(folio) && folio_order(folio) >= HPAGE_PMD_ORDER)
			flags |= TTU_SPLIT_HUGE_PMD; /* the PMD becomes 512 swap PTEs */
		try_to_unmap(k, folio, flags);
		if (folio_mapped(folio)) {
			stat->nr_unmap_fail += nr_pages;
			if (!was_swapbacked && folio_test_swapbacked(folio))
				stat->nr_lazyfree_fail += nr_pages;
			return FATE_ACTIVATE;
		}
	}
	if (folio_test_dirty(folio)) {
		enum folio_fate fate =
			folio_reclaim_dirty(k, pgdat, folio, sc, stat, references, nr_pages);

		if (fate != FATE_FREE)
			return fate;
	}
	mapping = folio_mapping(folio);
	if (folio_test_anon(folio) && !folio_test_swapbacked(folio)) {
		/* Lazily freed: only the isolation's reference may be left. */
		if (folio_ref_count(folio) != 1)
			return FATE_KEEP;
		__count_vm_events(k, PGLAZYFREED, nr_pages);
		return FATE_FREE;
	}
	if ((!mapping && !folio_test_swapcache(folio)) || !__remove_mapping(k, mapping, folio))
		return FATE_KEEP;
	return FATE_FREE;
activate_split:
	/* the tails that found no swap slot after a split */
	if (nr_pages > 1) {
		sc->nr_scanned -= nr_pages - 1;
		*nr_pagesp = 1;
	}
	return FATE_ACTIVATE;
}

/*
 * Models: shrink_folio_list(): tries to free each isolated folio of @folio_list; the ones
 * kept (or to activate, PG_active set) are left on @folio_list for move_folios_to_lru.
 * Returns the pages freed.
 */
static unsigned int shrink_folio_list(struct kmm_kernel *k, struct list_head *folio_list,
				      pg_data_t *pgdat, struct scan_control *sc,
				      struct reclaim_stat *stat, bool ignore_references)
{
	struct list_head ret_folios;
	unsigned int nr_reclaimed = 0, pgactivate;

	memset(stat, 0, sizeof(*stat));
	INIT_LIST_HEAD(&ret_folios);
	isolation_register(k, &ret_folios, false);
	while (!list_empty(folio_list)) {
		struct folio *folio = lru_to_folio(folio_list);
		unsigned int nr_pages = (unsigned int)folio_nr_pages(folio);
		enum folio_fate fate;

		list_del(&folio->lru);
		if (folio_test_locked(folio)) {
			list_add(&folio->lru, &ret_folios);
			continue;
		}
		folio_lock(folio);
		fate = shrink_one_folio(k, pgdat, folio, folio_list, &nr_pages, sc, stat,
					ignore_references);
		folio_unlock(folio);
		if (fate == FATE_FREE) {
			nr_reclaimed += nr_pages;
			free_isolated_folio(k, folio);
			continue;
		}
		if (fate == FATE_ACTIVATE && !folio_test_mlocked(folio)) {
			folio_set_active(folio);
			stat->nr_activate[folio_is_file_lru(folio)] += nr_pages;
		}
		list_add(&folio->lru, &ret_folios);
	}
	pgactivate = stat->nr_activate[0] + stat->nr_activate[1];
	isolation_unregister(k, &ret_folios);
	while (!list_empty(&ret_folios))
		list_move(ret_folios.prev, folio_list);
	__count_vm_events(k, PGACTIVATE, pgactivate);
	return nr_reclaimed;
}

/* ---- the inactive and active lists ------------------------------------------------------- */

static const char *const lru_file_names[2] = {"RECLAIM_WB_ANON", "RECLAIM_WB_FILE"};

/* Models: shrink_inactive_list(). Returns the pages reclaimed. */
static unsigned long shrink_inactive_list(struct kmm_kernel *k, unsigned long nr_to_scan,
					  struct lruvec *lruvec, struct scan_control *sc,
					  enum lru_list lru)
{
	pg_data_t *pgdat = lruvec->pgdat;
	bool file = lru >= LRU_INACTIVE_FILE;
	enum node_stat_item isolated = file ? NR_ISOLATED_FILE : NR_ISOLATED_ANON;
	struct list_head folio_list;
	struct reclaim_stat stat;
	unsigned long nr_scanned, nr_taken, nr_reclaimed;
	bool stalled = false;

	while (too_many_isolated(k, pgdat, file, sc)) {
		if (stalled)
			return 0;
		stalled = true;
		reclaim_throttle(k, pgdat, VMSCAN_THROTTLE_ISOLATED);
	}
	lru_add_drain(k);
	INIT_LIST_HEAD(&folio_list);
	isolation_register(k, &folio_list, true);
	nr_taken = isolate_lru_folios(k, nr_to_scan, lruvec, &folio_list, &nr_scanned, sc, lru);
	__mod_node_page_state(pgdat, isolated, (long)nr_taken);
	__count_vm_events(k, current_is_kswapd(k) ? PGSCAN_KSWAPD : PGSCAN_DIRECT,
			  (long)nr_scanned);
	__count_vm_events(k, file ? PGSCAN_FILE : PGSCAN_ANON, (long)nr_scanned);
	if (nr_taken == 0) {
		isolation_unregister(k, &folio_list);
		return 0;
	}
	nr_reclaimed = shrink_folio_list(k, &folio_list, pgdat, sc, &stat, false);
	move_folios_to_lru(k, lruvec, &folio_list);
	isolation_unregister(k, &folio_list);
	__mod_node_page_state(pgdat, isolated, -(long)nr_taken);
	__count_vm_events(k, current_is_kswapd(k) ? PGSTEAL_KSWAPD : PGSTEAL_DIRECT,
			  (long)nr_reclaimed);
	__count_vm_events(k, file ? PGSTEAL_FILE : PGSTEAL_ANON, (long)nr_reclaimed);
	lru_note_cost(k, lruvec, file, stat.nr_pageout);
	sc->nr.dirty += stat.nr_dirty;
	sc->nr.congested += stat.nr_congested;
	sc->nr.unqueued_dirty += stat.nr_unqueued_dirty;
	sc->nr.writeback += stat.nr_writeback;
	sc->nr.immediate += stat.nr_immediate;
	sc->nr.taken += (unsigned int)nr_taken;
	if (file)
		sc->nr.file_taken += (unsigned int)nr_taken;
	if (trace_enabled(k->env, TRACE_mm_vmscan_lru_shrink_inactive))
		trace_emit(k->env, TRACE_mm_vmscan_lru_shrink_inactive,
			   "nid=%d nr_scanned=%lu nr_reclaimed=%lu nr_dirty=%u nr_writeback=%u "
			   "nr_congested=%u nr_immediate=%u nr_activate_anon=%u "
			   "nr_activate_file=%u nr_ref_keep=%u nr_unmap_fail=%u priority=%d "
			   "flags=RECLAIM_WB_ASYNC|%s",
			   pgdat->node_id, nr_scanned, nr_reclaimed, stat.nr_dirty,
			   stat.nr_writeback, stat.nr_congested, stat.nr_immediate,
			   stat.nr_activate[0], stat.nr_activate[1], stat.nr_ref_keep,
			   stat.nr_unmap_fail, sc->priority, lru_file_names[file]);
	return nr_reclaimed;
}

/*
 * Models: shrink_active_list(): folios from the tail of an active list are deactivated,
 * except referenced executable file folios, which get another trip (nr_rotated). The
 * references are read (and cleared) in the PTEs through rmap.
 */
static void shrink_active_list(struct kmm_kernel *k, unsigned long nr_to_scan,
			       struct lruvec *lruvec, struct scan_control *sc, enum lru_list lru)
{
	pg_data_t *pgdat = lruvec->pgdat;
	bool file = lru >= LRU_INACTIVE_FILE;
	enum node_stat_item isolated = file ? NR_ISOLATED_FILE : NR_ISOLATED_ANON;
	struct list_head l_hold, l_active, l_inactive;
	unsigned long nr_taken, nr_scanned, nr_activate, nr_deactivate, nr_rotated = 0;

	lru_add_drain(k);
	INIT_LIST_HEAD(&l_hold);
	INIT_LIST_HEAD(&l_active);
	INIT_LIST_HEAD(&l_inactive);
	isolation_register(k, &l_hold, true);
	isolation_register(k, &l_active, true);
	isolation_register(k, &l_inactive, true);
	nr_taken = isolate_lru_folios(k, nr_to_scan, lruvec, &l_hold, &nr_scanned, sc, lru);
	__mod_node_page_state(pgdat, isolated, (long)nr_taken);
	__count_vm_events(k, PGREFILL, (long)nr_scanned);
	while (!list_empty(&l_hold)) {
		struct folio *folio = lru_to_folio(&l_hold);
		unsigned long vm_flags;

		list_del(&folio->lru);
		if (!folio_evictable(folio)) {
			__mod_node_page_state(pgdat, isolated, -(long)folio_nr_pages(folio));
			nr_taken -= folio_nr_pages(folio);
			folio_putback_lru(k, folio);
			continue;
		}
		if (folio_referenced(k, folio, 0, &vm_flags) != 0 && (vm_flags & VM_EXEC) &&
		    folio_is_file_lru(folio)) {
			nr_rotated += folio_nr_pages(folio);
			list_add(&folio->lru, &l_active);
			continue;
		}
		folio_clear_active(folio); /* deactivating */
		folio_set_workingset(folio);
		list_add(&folio->lru, &l_inactive);
	}
	nr_activate = move_folios_to_lru(k, lruvec, &l_active);
	nr_deactivate = move_folios_to_lru(k, lruvec, &l_inactive);
	isolation_unregister(k, &l_inactive);
	isolation_unregister(k, &l_active);
	isolation_unregister(k, &l_hold);
	__count_vm_events(k, PGDEACTIVATE, (long)nr_deactivate);
	__mod_node_page_state(pgdat, isolated, -(long)nr_taken);
	if (trace_enabled(k->env, TRACE_mm_vmscan_lru_shrink_active))
		trace_emit(k->env, TRACE_mm_vmscan_lru_shrink_active,
			   "nid=%d nr_taken=%lu nr_active=%lu nr_deactivated=%lu nr_referenced=%lu "
			   "priority=%d flags=RECLAIM_WB_ASYNC|%s",
			   pgdat->node_id, nr_taken, nr_activate, nr_deactivate, nr_rotated,
			   sc->priority, lru_file_names[file]);
}

/*
 * Models: inactive_is_low(): the inactive list is too small when inactive * ratio < active,
 * with ratio = int_sqrt(10 * GiB of the two lists), 1 below 1 GiB.
 */
static bool inactive_is_low(const struct lruvec *lruvec, enum lru_list inactive_lru)
{
	enum lru_list active_lru = (enum lru_list)(inactive_lru + LRU_ACTIVE);
	unsigned long inactive =
		node_page_state(lruvec->pgdat, (enum node_stat_item)(NR_LRU_BASE + inactive_lru));
	unsigned long active =
		node_page_state(lruvec->pgdat, (enum node_stat_item)(NR_LRU_BASE + active_lru));
	unsigned long gb = (inactive + active) >> (30 - PAGE_SHIFT);
	unsigned long ratio = 1;

	if (gb) {
		unsigned long n = 10 * gb;

		ratio = 0;
		while ((ratio + 1) * (ratio + 1) <= n) /* int_sqrt(), n is small */
			ratio++;
	}
	return inactive * ratio < active;
}

/* Models: shrink_list(): an active list is aged only when deactivation is allowed. */
static unsigned long shrink_list(struct kmm_kernel *k, enum lru_list lru, unsigned long nr_to_scan,
				 struct lruvec *lruvec, struct scan_control *sc)
{
	if (lru == LRU_ACTIVE_ANON || lru == LRU_ACTIVE_FILE) {
		if (sc->may_deactivate &
		    (lru == LRU_ACTIVE_FILE ? DEACTIVATE_FILE : DEACTIVATE_ANON))
			shrink_active_list(k, nr_to_scan, lruvec, sc, lru);
		else
			sc->skipped_deactivate = true;
		return 0;
	}
	return shrink_inactive_list(k, nr_to_scan, lruvec, sc, lru);
}

/* ---- the balance ------------------------------------------------------------------------- */

/* Models: prepare_scan_count(): costs, may_deactivate, cache_trim_mode, file_is_tiny. */
static void prepare_scan_count(struct kmm_kernel *k, pg_data_t *pgdat, struct scan_control *sc)
{
	struct lruvec *lruvec = &pgdat->__lruvec;
	struct vmscan_node *vn = vnode(k, pgdat);
	unsigned long file, free = 0, anon, total_high_wmark = 0;

	sc->anon_cost = lruvec->anon_cost;
	sc->file_cost = lruvec->file_cost;
	if (!sc->force_deactivate) {
		/* Refaults since the last snapshot, or a small inactive list: age the actives. */
		if (node_page_state(pgdat, WORKINGSET_ACTIVATE_ANON) != vn->refaults[0] ||
		    inactive_is_low(lruvec, LRU_INACTIVE_ANON))
			sc->may_deactivate |= DEACTIVATE_ANON;
		else
			sc->may_deactivate &= ~(unsigned int)DEACTIVATE_ANON;
		if (node_page_state(pgdat, WORKINGSET_ACTIVATE_FILE) != vn->refaults[1] ||
		    inactive_is_low(lruvec, LRU_INACTIVE_FILE))
			sc->may_deactivate |= DEACTIVATE_FILE;
		else
			sc->may_deactivate &= ~(unsigned int)DEACTIVATE_FILE;
	} else {
		sc->may_deactivate = DEACTIVATE_ANON | DEACTIVATE_FILE;
	}
	/* Plenty of inactive cache and no refaults: reclaim only the cache. */
	file = node_page_state(pgdat, NR_INACTIVE_FILE);
	sc->cache_trim_mode = (file >> sc->priority) && !(sc->may_deactivate & DEACTIVATE_FILE);
	/* The file LRU is too small to relieve the pressure: prefer anon. */
	for (int z = 0; z < MAX_NR_ZONES; z++) {
		const struct zone *zone = &pgdat->node_zones[z];

		if (!managed_zone(zone))
			continue;
		free += zone_page_state(zone, NR_FREE_PAGES);
		total_high_wmark += high_wmark_pages(zone);
	}
	file = node_page_state(pgdat, NR_ACTIVE_FILE) + node_page_state(pgdat, NR_INACTIVE_FILE);
	anon = node_page_state(pgdat, NR_INACTIVE_ANON);
	sc->file_is_tiny = file + free <= total_high_wmark &&
			   !(sc->may_deactivate & DEACTIVATE_ANON) && (anon >> sc->priority);
}

/*
 * Models: get_scan_count(): how many pages of each evictable list to scan at this priority.
 * SCAN_FRACT weighs anon by swappiness / anon_cost and file by (200 - swappiness) / file_cost.
 */
static void get_scan_count(struct kmm_kernel *k, struct lruvec *lruvec, struct scan_control *sc,
			   unsigned long *nr)
{
	int swappiness = vm_swappiness(k);
	uint64_t fraction[2] = {0, 0}, denominator = 0;
	enum scan_balance scan_balance;

	if (!sc->may_swap || !can_reclaim_anon_pages(k)) {
		scan_balance = SCAN_FILE;
	} else if (!sc->priority && swappiness) {
		scan_balance = SCAN_EQUAL; /* out of options: scan everything */
	} else if (sc->file_is_tiny) {
		scan_balance = SCAN_ANON;
	} else if (sc->cache_trim_mode) {
		scan_balance = SCAN_FILE;
	} else {
		unsigned long total_cost = sc->anon_cost + sc->file_cost;
		unsigned long anon_cost = total_cost + sc->anon_cost;
		unsigned long file_cost = total_cost + sc->file_cost;
		uint64_t ap, fp;

		total_cost = anon_cost + file_cost;
		ap = (uint64_t)swappiness * (total_cost + 1) / (anon_cost + 1);
		fp = (uint64_t)(MAX_SWAPPINESS - swappiness) * (total_cost + 1) / (file_cost + 1);
		fraction[0] = ap;
		fraction[1] = fp;
		denominator = ap + fp;
		scan_balance = SCAN_FRACT;
	}
	for (int lru = 0; lru < LRU_UNEVICTABLE; lru++) {
		int file = lru >= LRU_INACTIVE_FILE;
		unsigned long lruvec_size =
			lruvec_lru_size(lruvec, (enum lru_list)lru, sc->reclaim_idx);
		unsigned long scan = lruvec_size >> sc->priority;

		switch (scan_balance) {
		case SCAN_EQUAL:
			break;
		case SCAN_FRACT:
			scan = denominator ? (unsigned long)((uint64_t)scan * fraction[file] /
							     denominator)
					   : 0;
			break;
		case SCAN_FILE:
		case SCAN_ANON:
		default:
			if ((scan_balance == SCAN_FILE) != file)
				scan = 0;
			break;
		}
		nr[lru] = scan;
	}
}

/* Models: shrink_lruvec(): scans the lists in SWAP_CLUSTER_MAX batches to their targets. */
static void shrink_lruvec(struct kmm_kernel *k, struct lruvec *lruvec, struct scan_control *sc)
{
	unsigned long nr[NR_LRU_LISTS] = {0}, targets[NR_LRU_LISTS];
	unsigned long nr_reclaimed = 0, nr_to_reclaim = sc->nr_to_reclaim;
	bool proportional_reclaim = !current_is_kswapd(k) && sc->priority == DEF_PRIORITY;

	get_scan_count(k, lruvec, sc, nr);
	memcpy(targets, nr, sizeof(nr));
	while (nr[LRU_INACTIVE_ANON] || nr[LRU_ACTIVE_FILE] || nr[LRU_INACTIVE_FILE]) {
		unsigned long nr_anon, nr_file, percentage, nr_scanned;
		int lru;

		for (lru = 0; lru < LRU_UNEVICTABLE; lru++) {
			if (nr[lru]) {
				unsigned long nr_to_scan =
					nr[lru] < SWAP_CLUSTER_MAX ? nr[lru] : SWAP_CLUSTER_MAX;

				nr[lru] -= nr_to_scan;
				nr_reclaimed +=
					shrink_list(k, (enum lru_list)lru, nr_to_scan, lruvec, sc);
			}
		}
		env_cond_resched(k->env);
		if (nr_reclaimed < nr_to_reclaim || proportional_reclaim)
			continue;
		/*
		 * Enough reclaimed: stop the smaller side and scale the other down to the share
		 * of its target the smaller side had left, keeping the scan proportional.
		 */
		nr_file = nr[LRU_INACTIVE_FILE] + nr[LRU_ACTIVE_FILE];
		nr_anon = nr[LRU_INACTIVE_ANON] + nr[LRU_ACTIVE_ANON];
		if (!nr_file || !nr_anon)
			break;
		if (nr_file > nr_anon) {
			percentage = nr_anon * 100 /
				     (targets[LRU_INACTIVE_ANON] + targets[LRU_ACTIVE_ANON] + 1);
			lru = LRU_BASE;
		} else {
			percentage = nr_file * 100 /
				     (targets[LRU_INACTIVE_FILE] + targets[LRU_ACTIVE_FILE] + 1);
			lru = LRU_FILE;
		}
		nr[lru] = 0;
		nr[lru + LRU_ACTIVE] = 0;
		lru = (lru == LRU_FILE) ? LRU_BASE : LRU_FILE;
		for (int i = 0; i < 2; i++, lru += LRU_ACTIVE) {
			nr_scanned = targets[lru] - nr[lru];
			nr[lru] = targets[lru] * (100 - percentage) / 100;
			nr[lru] -= nr[lru] < nr_scanned ? nr[lru] : nr_scanned;
		}
	}
	sc->nr_reclaimed += nr_reclaimed;
	/* Keep the anon lists balanced even when anon was not reclaimed. */
	if (can_age_anon_pages(k) && inactive_is_low(lruvec, LRU_INACTIVE_ANON))
		shrink_active_list(k, SWAP_CLUSTER_MAX, lruvec, sc, LRU_ACTIVE_ANON);
}

/* Models: shrink_node() with shrink_node_memcgs() for the root (no memcg). */
static void shrink_node(struct kmm_kernel *k, pg_data_t *pgdat, struct scan_control *sc)
{
	struct vmscan_node *vn = vnode(k, pgdat);
	unsigned long nr_reclaimed;
	bool reclaimable = false;

	{
		memset(&sc->nr, 0, sizeof(sc->nr));
		nr_reclaimed = sc->nr_reclaimed;
		prepare_scan_count(k, pgdat, sc);
		shrink_lruvec(k, &pgdat->__lruvec, sc);
		shrink_slab(k, sc->gfp_mask, pgdat->node_id, sc->priority);
		if (sc->nr_reclaimed - nr_reclaimed)
			reclaimable = true;
		if (current_is_kswapd(k)) {
			/* All isolated folios under writeback: the node's I/O is the limit. */
			if (sc->nr.writeback && sc->nr.writeback == sc->nr.taken)
				vn->flags |= 1UL << PGDAT_WRITEBACK;
			/* All isolated file folios dirty and unqueued: kswapd may write them. */
			if (sc->nr.unqueued_dirty == sc->nr.file_taken)
				vn->flags |= 1UL << PGDAT_DIRTY;
			if (sc->nr.immediate)
				reclaim_throttle(k, pgdat, VMSCAN_THROTTLE_WRITEBACK);
			if (sc->nr.dirty && sc->nr.dirty == sc->nr.congested)
				vn->congested = true;
		}
		if (!current_is_kswapd(k) && vn->congested)
			reclaim_throttle(k, pgdat, VMSCAN_THROTTLE_CONGESTED);
	}
	if (reclaimable)
		vn->kswapd_failures = 0;
}

/* Models: snapshot_refaults(): remember the refault counts prepare_scan_count compares. */
static void snapshot_refaults(struct kmm_kernel *k, pg_data_t *pgdat)
{
	struct vmscan_node *vn = vnode(k, pgdat);

	vn->refaults[0] = node_page_state(pgdat, WORKINGSET_ACTIVATE_ANON);
	vn->refaults[1] = node_page_state(pgdat, WORKINGSET_ACTIVATE_FILE);
}

/* ---- direct reclaim ---------------------------------------------------------------------- */

/* Models: consider_reclaim_throttle(): a direct reclaimer getting nowhere waits a jiffy. */
static void consider_reclaim_throttle(struct kmm_kernel *k, pg_data_t *pgdat,
				      struct scan_control *sc)
{
	if (sc->nr_reclaimed > (sc->nr_scanned >> 3)) {
		vnode(k, pgdat)->throttle_woken[VMSCAN_THROTTLE_NOPROGRESS] = true;
		return;
	}
	if (current_is_kswapd(k))
		return;
	if (sc->priority == 1 && !sc->nr_reclaimed)
		reclaim_throttle(k, pgdat, VMSCAN_THROTTLE_NOPROGRESS);
}

/* Models: shrink_zones(): each node of the zonelist once, in zonelist order. */
static void shrink_zones(struct kmm_kernel *k, struct zonelist *zonelist, struct scan_control *sc)
{
	pg_data_t *last_pgdat = NULL, *first_pgdat = NULL;
	struct zoneref *z;
	struct zone *zone;

	for_each_zone_zonelist_nodemask(zone, z, zonelist, sc->reclaim_idx, sc->nodemask)
	{
		if (!first_pgdat)
			first_pgdat = zone->zone_pgdat;
		if (zone->zone_pgdat == last_pgdat)
			continue;
		last_pgdat = zone->zone_pgdat;
		shrink_node(k, zone->zone_pgdat, sc);
	}
	if (first_pgdat)
		consider_reclaim_throttle(k, first_pgdat, sc);
}

/* Models: do_try_to_free_pages(): priorities DEF_PRIORITY..0 until enough is reclaimed. */
static unsigned long do_try_to_free_pages(struct kmm_kernel *k, struct zonelist *zonelist,
					  struct scan_control *sc)
{
	int initial_priority = sc->priority;
	pg_data_t *last_pgdat;
	struct zoneref *z;
	struct zone *zone;

retry:
	/* allocstall_<zone> by the request's highest usable zone. */
	__count_vm_events(k, (enum vm_event_item)(ALLOCSTALL_DMA + sc->reclaim_idx), 1);
	do {
		sc->nr_scanned = 0;
		shrink_zones(k, zonelist, sc);
		if (sc->nr_reclaimed >= sc->nr_to_reclaim)
			break;
		if (sc->compaction_ready)
			break;
		/* Struggling: let reclaim write dirty pages too. */
		if (sc->priority < DEF_PRIORITY - 2)
			sc->may_writepage = true;
	} while (--sc->priority >= 0);
	last_pgdat = NULL;
	for_each_zone_zonelist_nodemask(zone, z, zonelist, sc->reclaim_idx, sc->nodemask)
	{
		if (zone->zone_pgdat == last_pgdat)
			continue;
		last_pgdat = zone->zone_pgdat;
		snapshot_refaults(k, zone->zone_pgdat);
	}
	if (sc->nr_reclaimed)
		return sc->nr_reclaimed;
	/* Active lists went unaged: once more, deactivating regardless. */
	if (sc->skipped_deactivate) {
		sc->priority = initial_priority;
		sc->force_deactivate = true;
		sc->skipped_deactivate = false;
		goto retry;
	}
	return 0;
}

/*
 * Models: wake_up_interruptible(&pgdat->kswapd_wait): a sleeping kswapd runs at the next run
 * point; a napping one has its nap cut short (kswapd_low_wmark_hit_quickly).
 */
static void kswapd_wake(struct kmm_kernel *k, struct vmscan_node *vn)
{
	if (!vn->kswapd)
		return;
	if (vn->state == KSWAPD_NAPPING) {
		vn->woken_in_nap = true;
		kthread_schedule(k, vn->kswapd, 0);
		return;
	}
	vn->state = KSWAPD_RUNNING;
	wake_up_process(k, vn->kswapd);
}

/* Models: allow_direct_reclaim()'s side effect: kswapd woken when the reserve runs low. */
static void allow_direct_reclaim(struct kmm_kernel *k, pg_data_t *pgdat)
{
	unsigned long pfmemalloc_reserve = 0, free_pages = 0;
	struct vmscan_node *vn = vnode(k, pgdat);

	if (vn->kswapd_failures >= MAX_RECLAIM_RETRIES)
		return;
	for (int i = 0; i <= ZONE_NORMAL && i < MAX_NR_ZONES; i++) {
		const struct zone *zone = &pgdat->node_zones[i];

		if (!managed_zone(zone) || !zone_reclaimable_pages(k, zone))
			continue;
		pfmemalloc_reserve += min_wmark_pages(zone);
		free_pages += zone_page_state(zone, NR_FREE_PAGES);
	}
	if (!pfmemalloc_reserve || free_pages > pfmemalloc_reserve / 2)
		return;
	if (vn->state == KSWAPD_SLEEPING || vn->state == KSWAPD_NAPPING) {
		if (pgdat->kswapd_highest_zoneidx > ZONE_NORMAL)
			pgdat->kswapd_highest_zoneidx = ZONE_NORMAL;
		kswapd_wake(k, vn);
	}
}

unsigned long try_to_free_pages(struct kmm_kernel *k, struct zonelist *zonelist, int order,
				unsigned int gfp, const nodemask_t *nodemask)
{
	struct scan_control sc = {
		.nr_to_reclaim = SWAP_CLUSTER_MAX,
		.gfp_mask = gfp,
		.reclaim_idx = gfp_zone(gfp),
		.order = order,
		.nodemask = nodemask,
		.priority = DEF_PRIORITY,
		.may_writepage = true,
		.may_unmap = true,
		.may_swap = true,
	};
	struct zone *zone = zonelist->_zonerefs[0].zone;
	unsigned long nr_reclaimed;

	if (!k->vmscan || sc.reclaim_idx < 0)
		return 0;
	if (zone)
		allow_direct_reclaim(k, zone->zone_pgdat);
	if (trace_enabled(k->env, TRACE_mm_vmscan_direct_reclaim_begin))
		trace_emit(k->env, TRACE_mm_vmscan_direct_reclaim_begin, "order=%d gfp_flags=%#x",
			   order, gfp);
	nr_reclaimed = do_try_to_free_pages(k, zonelist, &sc);
	if (trace_enabled(k->env, TRACE_mm_vmscan_direct_reclaim_end))
		trace_emit(k->env, TRACE_mm_vmscan_direct_reclaim_end, "nr_reclaimed=%lu",
			   nr_reclaimed);
	return nr_reclaimed;
}

/* ---- kswapd ------------------------------------------------------------------------------ */

/* Models: pgdat_balanced(): some eligible zone meets its high watermark (boost included). */
static bool pgdat_balanced(const pg_data_t *pgdat, int order, int highest_zoneidx)
{
	bool any = false;

	for (int i = 0; i <= highest_zoneidx && i < MAX_NR_ZONES; i++) {
		const struct zone *zone = &pgdat->node_zones[i];

		if (!managed_zone(zone))
			continue;
		any = true;
		if (zone_watermark_ok(zone, (unsigned int)order, high_wmark_pages(zone),
				      highest_zoneidx, 0))
			return true;
	}
	return !any;
}

/* Models: pgdat_watermark_boosted(). */
static bool pgdat_watermark_boosted(const pg_data_t *pgdat, int highest_zoneidx)
{
	for (int i = highest_zoneidx; i >= 0; i--)
		if (managed_zone(&pgdat->node_zones[i]) && pgdat->node_zones[i].watermark_boost)
			return true;
	return false;
}

/* Models: prepare_kswapd_sleep(): a hopeless or balanced node lets kswapd sleep. */
static bool prepare_kswapd_sleep(struct kmm_kernel *k, pg_data_t *pgdat, int order,
				 int highest_zoneidx)
{
	struct vmscan_node *vn = vnode(k, pgdat);

	if (vn->kswapd_failures >= MAX_RECLAIM_RETRIES)
		return true;
	if (pgdat_balanced(pgdat, order, highest_zoneidx)) {
		vn->congested = false; /* clear_pgdat_congested() */
		vn->flags &= ~((1UL << PGDAT_DIRTY) | (1UL << PGDAT_WRITEBACK));
		return true;
	}
	return false;
}

/* Models: kswapd_shrink_node(): reclaim toward the high watermarks of the eligible zones. */
static bool kswapd_shrink_node(struct kmm_kernel *k, pg_data_t *pgdat, struct scan_control *sc)
{
	sc->nr_to_reclaim = 0;
	for (int z = 0; z <= sc->reclaim_idx; z++) {
		const struct zone *zone = &pgdat->node_zones[z];
		unsigned long high = high_wmark_pages(zone);

		if (managed_zone(zone))
			sc->nr_to_reclaim += high > SWAP_CLUSTER_MAX ? high : SWAP_CLUSTER_MAX;
	}
	shrink_node(k, pgdat, sc);
	if (sc->order && sc->nr_reclaimed >= (2UL << sc->order)) /* compact_gap */
		sc->order = 0;
	return sc->nr_scanned >= sc->nr_to_reclaim;
}

/* Models: kswapd_age_node(): background aging of the anon lists. */
static void kswapd_age_node(struct kmm_kernel *k, pg_data_t *pgdat, struct scan_control *sc)
{
	if (!can_age_anon_pages(k) || !inactive_is_low(&pgdat->__lruvec, LRU_INACTIVE_ANON))
		return;
	shrink_active_list(k, SWAP_CLUSTER_MAX, &pgdat->__lruvec, sc, LRU_ACTIVE_ANON);
}

static void set_reclaim_active(pg_data_t *pgdat, int highest_zoneidx, bool on)
{
	for (int i = 0; i <= highest_zoneidx; i++) {
		struct zone *zone = &pgdat->node_zones[i];

		if (!managed_zone(zone))
			continue;
		if (on)
			zone->flags |= 1UL << ZONE_RECLAIM_ACTIVE;
		else
			zone->flags &= ~(1UL << ZONE_RECLAIM_ACTIVE);
	}
}

/*
 * Models: balance_pgdat(): priorities DEF_PRIORITY..1 until some eligible zone meets its
 * high watermark; a watermark boost is reclaimed without writeback or swap and then reset.
 * Returns the order it ended at.
 */
static int balance_pgdat(struct kmm_kernel *k, pg_data_t *pgdat, int order, int highest_zoneidx)
{
	struct scan_control sc = {.gfp_mask = GFP_KERNEL, .order = order, .may_unmap = true};
	unsigned long nr_boost_reclaim = 0, zone_boosts[MAX_NR_ZONES] = {0};
	bool boosted;

	count_vm_event(k, PAGEOUTRUN);
	for (int i = 0; i <= highest_zoneidx; i++) {
		const struct zone *zone = &pgdat->node_zones[i];

		if (!managed_zone(zone))
			continue;
		nr_boost_reclaim += zone->watermark_boost;
		zone_boosts[i] = zone->watermark_boost;
	}
	boosted = nr_boost_reclaim != 0;
restart:
	set_reclaim_active(pgdat, highest_zoneidx, true);
	sc.priority = DEF_PRIORITY;
	do {
		unsigned long nr_reclaimed = sc.nr_reclaimed;
		bool raise_priority = true;
		bool balanced;

		sc.reclaim_idx = highest_zoneidx;
		balanced = pgdat_balanced(pgdat, sc.order, highest_zoneidx);
		/* Unbalanced: boosting waits; reclaim for the watermarks themselves first. */
		if (!balanced && nr_boost_reclaim) {
			nr_boost_reclaim = 0;
			goto restart;
		}
		if (!nr_boost_reclaim && balanced)
			goto out;
		if (nr_boost_reclaim && sc.priority == DEF_PRIORITY - 2)
			raise_priority = false;
		/* Boosted reclaim relieves pressure: no writeback, no swap. */
		sc.may_writepage = !nr_boost_reclaim;
		sc.may_swap = !nr_boost_reclaim;
		kswapd_age_node(k, pgdat, &sc);
		if (sc.priority < DEF_PRIORITY - 2)
			sc.may_writepage = true;
		sc.nr_scanned = 0;
		if (kswapd_shrink_node(k, pgdat, &sc))
			raise_priority = false;
		nr_reclaimed = sc.nr_reclaimed - nr_reclaimed;
		nr_boost_reclaim -=
			nr_boost_reclaim < nr_reclaimed ? nr_boost_reclaim : nr_reclaimed;
		if (nr_boost_reclaim && !nr_reclaimed)
			break;
		if (raise_priority || !nr_reclaimed)
			sc.priority--;
	} while (sc.priority >= 1);
	if (!sc.nr_reclaimed)
		vnode(k, pgdat)->kswapd_failures++;
out:
	set_reclaim_active(pgdat, highest_zoneidx, false);
	if (boosted) {
		for (int i = 0; i <= highest_zoneidx; i++) {
			struct zone *zone = &pgdat->node_zones[i];

			zone->watermark_boost -= zone->watermark_boost < zone_boosts[i]
							 ? zone->watermark_boost
							 : zone_boosts[i];
		}
	}
	snapshot_refaults(k, pgdat);
	return sc.order;
}

static int kswapd_run(struct kmm_kernel *k, int nid);

/* Models: kswapd_highest_zoneidx(): the requested zone, or @prev when none was. */
static int kswapd_highest_zoneidx(const pg_data_t *pgdat, int prev)
{
	int curr = pgdat->kswapd_highest_zoneidx;

	return curr == MAX_NR_ZONES ? prev : curr;
}

/*
 * Models: the start of kswapd_try_to_sleep(): on a balanced node, the short nap (the run
 * ends; the nap's end or a wake-up resumes it in kswapd_fn). Returns the delay to the next
 * run, or KTHREAD_SLEEP.
 */
static int64_t kswapd_try_to_sleep(struct kmm_kernel *k, pg_data_t *pgdat, int alloc_order,
				   int reclaim_order, int highest_zoneidx)
{
	struct vmscan_node *vn = vnode(k, pgdat);

	vn->nap_order = reclaim_order;
	vn->nap_zoneidx = highest_zoneidx;
	if (prepare_kswapd_sleep(k, pgdat, reclaim_order, highest_zoneidx)) {
		/* Compaction may succeed now: forget its skip hints, and ask it for the order. */
		reset_isolation_suitable(k, pgdat);
		wakeup_kcompactd(k, pgdat, alloc_order, highest_zoneidx);
		vn->state = KSWAPD_NAPPING;
		vn->woken_in_nap = false;
		return (int64_t)jiffies_to_cycles(k, HZ / 10);
	}
	/* Not balanced: no sleep at all; straight back to balance_pgdat at the next run. */
	count_vm_event(k, KSWAPD_HIGH_WMARK_HIT_QUICKLY);
	vn->state = KSWAPD_RUNNING;
	return 0;
}

/* The end of kswapd_try_to_sleep() after the nap. Returns true when kswapd sleeps. */
static bool kswapd_after_nap(struct kmm_kernel *k, pg_data_t *pgdat)
{
	struct vmscan_node *vn = vnode(k, pgdat);
	bool remaining = vn->woken_in_nap;

	vn->woken_in_nap = false;
	if (remaining) {
		pgdat->kswapd_highest_zoneidx = kswapd_highest_zoneidx(pgdat, vn->nap_zoneidx);
		if (pgdat->kswapd_order < vn->nap_order)
			pgdat->kswapd_order = vn->nap_order;
	}
	if (!remaining && prepare_kswapd_sleep(k, pgdat, vn->nap_order, vn->nap_zoneidx)) {
		if (trace_enabled(k->env, TRACE_mm_vmscan_kswapd_sleep))
			trace_emit(k->env, TRACE_mm_vmscan_kswapd_sleep, "nid=%d", pgdat->node_id);
		vn->state = KSWAPD_SLEEPING;
		return true;
	}
	count_vm_event(k, remaining ? KSWAPD_LOW_WMARK_HIT_QUICKLY : KSWAPD_HIGH_WMARK_HIT_QUICKLY);
	vn->state = KSWAPD_RUNNING;
	return false;
}

/* Models: one trip round kswapd()'s loop: take the request, balance, try to sleep. */
static int64_t kswapd_fn(struct kmm_kernel *k, struct task_struct *t, void *data)
{
	pg_data_t *pgdat = data;
	struct vmscan_node *vn = vnode(k, pgdat);
	int alloc_order, reclaim_order, highest_zoneidx;
	int64_t next;

	/* kswapd(): the thread frees memory (reserves, no nested reclaim) and says who it is */
	t->flags |= PF_MEMALLOC | PF_KSWAPD;
	if (vn->state == KSWAPD_NAPPING && kswapd_after_nap(k, pgdat))
		return KTHREAD_SLEEP;
	k->vmscan->current_is_kswapd = true;
	vn->state = KSWAPD_RUNNING;
	alloc_order = pgdat->kswapd_order;
	highest_zoneidx = kswapd_highest_zoneidx(pgdat, MAX_NR_ZONES - 1);
	pgdat->kswapd_order = 0;
	pgdat->kswapd_highest_zoneidx = MAX_NR_ZONES;
	if (trace_enabled(k->env, TRACE_mm_vmscan_kswapd_wake))
		trace_emit(k->env, TRACE_mm_vmscan_kswapd_wake, "nid=%d order=%d", pgdat->node_id,
			   alloc_order);
	reclaim_order = balance_pgdat(k, pgdat, alloc_order, highest_zoneidx);
	if (reclaim_order >= alloc_order) {
		/* Sleep on what is asked now (a request may have come in meanwhile). */
		reclaim_order = pgdat->kswapd_order;
		highest_zoneidx = kswapd_highest_zoneidx(pgdat, highest_zoneidx);
	}
	next = kswapd_try_to_sleep(k, pgdat, alloc_order, reclaim_order, highest_zoneidx);
	k->vmscan->current_is_kswapd = false;
	return next;
}

void wakeup_kswapd(struct kmm_kernel *k, struct zone *zone, unsigned int gfp, int order,
		   enum zone_type highest_zoneidx)
{
	pg_data_t *pgdat = zone->zone_pgdat;
	struct vmscan_node *vn;

	(void)gfp;
	if (!managed_zone(zone))
		return;
	if (pgdat->kswapd_highest_zoneidx == MAX_NR_ZONES ||
	    pgdat->kswapd_highest_zoneidx < (int)highest_zoneidx)
		pgdat->kswapd_highest_zoneidx = (int)highest_zoneidx;
	if (pgdat->kswapd_order < order)
		pgdat->kswapd_order = order;
	if (!k->vmscan)
		return;
	/* A balanced, unboosted node needs nothing. */
	if (pgdat_balanced(pgdat, order, (int)highest_zoneidx) &&
	    !pgdat_watermark_boosted(pgdat, (int)highest_zoneidx))
		return;
	pgdat->kswapd_wakeups++; /* a request kswapd is needed for (the model's count) */
	vn = vnode(k, pgdat);
	/* Not on kswapd_wait (it will see the request), or hopeless: left to direct reclaim. */
	if (vn->state == KSWAPD_RUNNING || vn->kswapd_failures >= MAX_RECLAIM_RETRIES)
		return;
	if (!vn->kswapd) {
		/* Created at the next run point, never inside the allocator that woke it. */
		k->vmscan->create_wanted[pgdat->node_id] = true;
		if (!env_event_pending(&k->vmscan->create_ev))
			env_event_schedule(k->env, &k->vmscan->create_ev, k->env->cycles, 0);
		return;
	}
	if (trace_enabled(k->env, TRACE_mm_vmscan_wakeup_kswapd))
		trace_emit(k->env, TRACE_mm_vmscan_wakeup_kswapd, "nid=%d order=%d gfp_flags=%#x",
			   pgdat->node_id, order, gfp);
	kswapd_wake(k, vn);
}

/* ---- reclaim_pages ------------------------------------------------------------------------ */

/* Models: reclaim_folio_list(): one node's folios, the ones kept put back. */
static unsigned long reclaim_folio_list(struct kmm_kernel *k, struct list_head *folio_list,
					pg_data_t *pgdat)
{
	struct scan_control sc = {
		.gfp_mask = GFP_KERNEL,
		.may_writepage = true,
		.may_unmap = true,
		.may_swap = true,
	};
	struct reclaim_stat dummy_stat;
	unsigned long nr_reclaimed =
		shrink_folio_list(k, folio_list, pgdat, &sc, &dummy_stat, false);

	while (!list_empty(folio_list)) {
		struct folio *folio = lru_to_folio(folio_list);

		list_del(&folio->lru);
		folio_putback_lru(k, folio);
	}
	return nr_reclaimed;
}

unsigned long reclaim_pages(struct kmm_kernel *k, struct list_head *folio_list)
{
	struct list_head node_folio_list;
	unsigned long nr_reclaimed = 0;
	unsigned int noreclaim;
	int nid;

	if (!k->vmscan || list_empty(folio_list))
		return 0;
	noreclaim = memalloc_noreclaim_save(k);
	INIT_LIST_HEAD(&node_folio_list);
	isolation_register(k, folio_list, false);
	isolation_register(k, &node_folio_list, false);
	nid = page_to_nid(&lru_to_folio(folio_list)->page);
	do {
		struct folio *folio = lru_to_folio(folio_list);

		if (nid == page_to_nid(&folio->page)) {
			folio_clear_active(folio);
			list_move(&folio->lru, &node_folio_list);
			continue;
		}
		nr_reclaimed += reclaim_folio_list(k, &node_folio_list, k->node_data[nid]);
		nid = page_to_nid(&lru_to_folio(folio_list)->page);
	} while (!list_empty(folio_list));
	nr_reclaimed += reclaim_folio_list(k, &node_folio_list, k->node_data[nid]);
	isolation_unregister(k, &node_folio_list);
	isolation_unregister(k, folio_list);
	memalloc_noreclaim_restore(k, noreclaim);
	return nr_reclaimed;
}

/* ---- boot and shutdown -------------------------------------------------------------------- */

/* Models: kswapd_run(): node @nid's kswapd, bound to the node's first CPU. */
static int kswapd_run(struct kmm_kernel *k, int nid)
{
	struct vmscan_node *vn = &k->vmscan->node[nid];
	char comm[TASK_COMM_LEN];
	int cpu = 0;

	for (int c = 0; c < k->nr_cpus; c++)
		if (k->node_of_cpu[c] == nid) {
			cpu = c;
			break;
		}
	int err;

	if (k->vmscan->creating_kswapd || !k->tasks)
		return -EBUSY;
	snprintf(comm, sizeof(comm), KSWAPD_COMM_FMT, nid);
	k->vmscan->creating_kswapd = true;
	err = kthread_create_on_cpu(k, kswapd_fn, k->node_data[nid], cpu, comm, &vn->kswapd);
	k->vmscan->creating_kswapd = false;
	vn->state = KSWAPD_SLEEPING;
	return err;
}

bool node_has_room_for_kthread(const pg_data_t *pgdat)
{
	for (int i = 0; i < MAX_NR_ZONES; i++) {
		const struct zone *zone = &pgdat->node_zones[i];

		if (managed_zone(zone) &&
		    zone_watermark_ok(zone, 1, min_wmark_pages(zone), ZONE_NORMAL, 0))
			return true;
	}
	return false;
}

/* The create event: each node's kswapd asked for, created and woken. */
static void kswapd_create_fn(struct kmm_env *env, struct env_event *ev)
{
	struct vmscan_state *vs = ev->arg;
	struct kmm_kernel *k = vs->k;
	bool again = false;

	(void)env;
	for (int nid = 0; nid < MAX_NUMNODES; nid++) {
		if (!vs->create_wanted[nid] || !k->node_data[nid])
			continue;
		/* Its task_struct must not fail an allocation: wait for room above min. */
		if (!node_has_room_for_kthread(k->node_data[nid])) {
			again = true;
			continue;
		}
		vs->create_wanted[nid] = false;
		if (!vs->node[nid].kswapd && kswapd_run(k, nid))
			continue; /* no memory for the thread: direct reclaim does the work */
		kswapd_wake(k, &vs->node[nid]);
	}
	/* Look again later: the wake-ups may all be over when room appears (the kernel's
	 * kswapd, there from boot, would have been woken by the first). */
	if (again)
		env_event_schedule(k->env, &vs->create_ev,
				   k->env->cycles + jiffies_to_cycles(k, HZ / 10), 0);
}

int vmscan_init(struct kmm_kernel *k)
{
	struct vmscan_state *vs = env_alloc(k->env, sizeof(*vs));

	if (!vs)
		return -ENOMEM;
	memset(vs, 0, sizeof(*vs));
	vs->swappiness = DEF_SWAPPINESS;
	vs->k = k;
	env_event_init(&vs->create_ev, kswapd_create_fn, vs);
	k->vmscan = vs;
	return 0;
}

void vmscan_fini(struct kmm_kernel *k)
{
	struct vmscan_state *vs = k->vmscan;

	if (!vs)
		return;
	env_event_cancel(k->env, &vs->create_ev);
	for (int nid = 0; nid < MAX_NUMNODES; nid++)
		if (vs->node[nid].kswapd && k->tasks)
			kthread_stop(k, vs->node[nid].kswapd);
	env_free(k->env, vs);
	k->vmscan = NULL;
}
