/*
 * Page reclaim: the classic two-list LRU scan (MGLRU built but off, as the reference kernel
 * runs), kswapd per node, direct reclaim, and the hooks other parts call into it.
 *
 * Models (Linux 6.1): mm/vmscan.c, mm/swap.c:lru_note_cost()/lru_note_cost_folio(),
 *         include/linux/swap.h and mm/internal.h (the reclaim prototypes and constants).
 * wakeup_kswapd() and try_to_free_pages() keep their prototypes in mm/internal.h (the page
 * allocator's side); everything else reclaim offers is here.
 */
#ifndef KMM_MM_VMSCAN_H
#define KMM_MM_VMSCAN_H

#include <stdbool.h>
#include <stddef.h>

#include "mm/mm_types.h"
#include "mm/mmzone.h"

struct kmm_kernel;
struct place_map;
struct list_head;

#define DEF_PRIORITY	 12  /* the scan priority reclaim starts from (>> 12 of a list) */
#define SWAP_CLUSTER_MAX 32U /* folios isolated and reclaimed per batch */
#define DEF_SWAPPINESS	 60  /* vm.swappiness at boot */
#define MAX_SWAPPINESS	 200 /* vm.swappiness's upper bound (6.1) */
#define KSWAPD_COMM_FMT	 "kswapd%d"

/* Models: enum vmscan_throttle_state (mmzone.h, 6.1). */
enum vmscan_throttle_state {
	VMSCAN_THROTTLE_WRITEBACK,
	VMSCAN_THROTTLE_ISOLATED,
	VMSCAN_THROTTLE_NOPROGRESS,
	VMSCAN_THROTTLE_CONGESTED,
	NR_VMSCAN_THROTTLE,
};

/* ---- boot, shutdown, checks ------------------------------------------------------------ */

/*
 * Boot: k->vmscan with vm.swappiness = 60. Each node's kernel thread "kswapd<nid>" (on the
 * node's first CPU) is created at its first wake-up. 0, or -ENOMEM with nothing left behind.
 */
int vmscan_init(struct kmm_kernel *k);
/* Shutdown: stops the kswapd threads and frees k->vmscan (NULL after). Safe on NULL. */
void vmscan_fini(struct kmm_kernel *k);
/* vmscan.c's numbered invariants; false with the reason in @why. Changes nothing. */
bool vmscan_check(const struct kmm_kernel *k, char *why, size_t whylen);
/* Page places: each folio reclaim holds isolated is claimed once as PLACE_RECLAIM. */
bool vmscan_place_walk(const struct kmm_kernel *k, struct place_map *map);

/* ---- tunables (/proc/sys/vm) ------------------------------------------------------------- */

/* vm.swappiness (0..200); DEF_SWAPPINESS before boot. Changes nothing. */
int vm_swappiness(const struct kmm_kernel *k);
/* Sets vm.swappiness: 0, or -EINVAL outside 0..200 (nothing changed). */
int vmscan_set_swappiness(struct kmm_kernel *k, long value);

/* ---- hooks for the other parts --------------------------------------------------------- */

/*
 * Models: mm/swap.c:lru_note_cost(): @nr_pages of IO/rotation cost on the file or anon side
 * of @lruvec, both costs halved once they exceed a quarter of the LRU pages. Nothing else.
 */
void lru_note_cost(struct kmm_kernel *k, struct lruvec *lruvec, bool file, unsigned int nr_pages);
/* Models: lru_note_cost_folio(): the cost of refaulting @folio (workingset_refault). */
void lru_note_cost_folio(struct kmm_kernel *k, struct folio *folio);

/*
 * Models: zone_reclaimable_pages(): the zone's file LRU pages, plus its anon LRU pages when
 * swap has room; the zone's free pages when that is 0 (as 6.1.192). Changes nothing.
 */
unsigned long zone_reclaimable_pages(const struct kmm_kernel *k, const struct zone *zone);

/*
 * Models: reclaim_throttle(): the current task waits on the simulated clock (env_sleep)
 * for @reason's timeout (WRITEBACK 100 ms, ISOLATED 20 ms, NOPROGRESS and CONGESTED 1 jiffy),
 * or until enough writeback completes (acct_reclaim_writeback). Kernel threads other than
 * kswapd do not wait. Counts nothing in /proc/vmstat (6.1 has only the trace events).
 */
void reclaim_throttle(struct kmm_kernel *k, pg_data_t *pgdat, enum vmscan_throttle_state reason);

/*
 * Models: acct_reclaim_writeback(): writeback of @folio ended; while reclaim is throttled on
 * the node's writeback, counts its pages and wakes the throttled waiters once enough ended.
 * Call it from folio_end_writeback. Changes nothing when nobody is throttled.
 */
void acct_reclaim_writeback(struct kmm_kernel *k, struct folio *folio);

/*
 * Models: reclaim_pages(): reclaims the isolated folios on @folio_list (linked by lru, each
 * isolated with folio_isolate_lru), as MADV_PAGEOUT asks: references are checked as
 * reclaim checks them, anon ones swapped out if swap has room. The ones it cannot reclaim go back
 * to their LRU lists;
 * @folio_list is empty after. Returns the pages reclaimed.
 */
unsigned long reclaim_pages(struct kmm_kernel *k, struct list_head *folio_list);

/* ---- kswapd ---------------------------------------------------------------------------- */

/* The kswapd task of node @nid (NULL before its first wake-up). Changes nothing. */
struct task_struct *kswapd_task(const struct kmm_kernel *k, int nid);

/*
 * True while kswapd of @nid is awake (between a wake-up and its going back to sleep).
 * Changes nothing.
 */
bool kswapd_is_running(const struct kmm_kernel *k, int nid);

/*
 * True once kswapd of @nid has failed MAX_RECLAIM_RETRIES balance passes in a row (the
 * kernel's pgdat->kswapd_failures test; show_mem's "all_unreclaimable?"). Changes nothing.
 */
bool kswapd_gave_up(const struct kmm_kernel *k, int nid);

/*
 * Some zone of @pgdat meets min for an order-1 GFP_KERNEL request (CMA not counted): room to
 * create a kernel thread there (kswapd, kcompactd). Changes nothing.
 */
bool node_has_room_for_kthread(const pg_data_t *pgdat);

#endif /* KMM_MM_VMSCAN_H */
