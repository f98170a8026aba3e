/*
 * Writeback of dirty file pages: the dirty limits, throttling of writers, the flusher thread
 * that writes dirty inodes back (periodically, in the background, on request), sync, and
 * waiting for writeback. The page-level steps (folio_mark_dirty, folio_clear_dirty_for_io,
 * folio_start_writeback, folio_end_writeback, write_cache_pages) are in filemap.c; the disk
 * under kmmfs is src/fs/blkdev.c.
 *
 * Models: mm/page-writeback.c (global_dirtyable_memory, domain_dirty_limits,
 *         global_dirty_limits, dirty_freerun_ceiling, balance_dirty_pages,
 *         balance_dirty_pages_ratelimited, the dirty_* sysctl handlers, folio_wait_writeback),
 *         fs/fs-writeback.c (__mark_inode_dirty, inode_io_list_del, wb_workfn,
 *         wb_do_writeback, wb_check_background_flush, wb_check_old_data_flush, wb_writeback,
 *         writeback_sb_inodes, wakeup_flusher_threads, wb_wakeup_delayed), fs/sync.c
 *         (ksys_sync) (Linux 6.1.192).
 * Deviations:
 *  - One writeback domain, one bdi, one flusher ("flush-254:0", created when the first
 *    inode is dirtied, so machines that never write a kmmfs file keep the boot's tasks), no
 *    memcg domains, no per-bdi limits (min/max_ratio), no strictlimit, no rt-task bonus.
 *  - balance_dirty_pages: position control simplified: at or below the freerun ceiling
 *    ((thresh + bg_thresh) / 2) the writer runs free; between it and the limit it runs free
 *    too (the kernel pauses it a little, by its rate); above the limit it sleeps in pauses
 *    of the time the disk takes to write the excess, clamped to [4 ms, 200 ms] (HZ 250:
 *    one jiffy to MAX_PAUSE), until the dirty + writeback pages are at or below the limit
 *    (at most 50 pauses a call). The check runs every 32 pages dirtied (the initial
 *    nr_dirtied_pause) by write(); page_mkwrite's dirtying of a shared mapping does not
 *    throttle.
 *  - The flusher writes up to MAX_WRITEBACK_PAGES (1024) pages a run, oldest inodes first,
 *    and waits while the disk has more than 40 ms of transfer queued (the kernel blocks on
 *    request allocation instead). sync() and fsync() write in the caller's context and
 *    wait for the disk, as ksys_sync's sync_inodes_sb does through the flusher.
 *  - dirtied_when is simulated ns, not jiffies; dirtytime and laptop mode are not modelled.
 *
 * Invariants (writeback_check):
 *  1. b_dirty is sorted by dirtied_when (oldest first) and every inode on it has
 *     I_DIRTY_PAGES; every kmmfs inode with a DIRTY-tagged page is on it.
 *  2. The kmmfs folios under writeback are exactly the disk's writes in flight: their count
 *     equals the disk's wb_pages, each has the WRITEBACK tag (and the tag only them).
 *  3. The sysctls are in the kernel's ranges, and ratio and bytes exclude each other
 *     (not both non-zero, for the limit and for the background pair).
 */
#include "mm/writeback.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "fs/blkdev.h"
#include "fs/fs.h"
#include "kernel/sched.h"
#include "lib/sink.h"
#include "mm/internal.h"

#define MAX_WRITEBACK_PAGES 1024
#define DIRTY_RATELIMIT	    32		 /* pages between checks: the initial nr_dirtied_pause */
#define WB_MAX_BACKLOG_NS   40000000ULL	 /* the flusher waits above this much queued transfer */
#define BDP_MIN_PAUSE_NS    4000000ULL	 /* one jiffy at HZ 250 */
#define BDP_MAX_PAUSE_NS    200000000ULL /* MAX_PAUSE: HZ / 5 */
#define BDP_MAX_PAUSES	    50
#define NS_PER_CENTISEC	    10000000ULL
#define DIRTY_BYTES_MIN	    (2 * PAGE_SIZE)
#define FLUSHER_COMM	    "flush-254:0"

struct writeback_state {
	/* vm.dirty_* (sysctl values, the kernel's types) */
	int dirty_background_ratio;
	unsigned long dirty_background_bytes;
	int vm_dirty_ratio;
	unsigned long vm_dirty_bytes;
	int dirty_writeback_interval; /* centisecs; proc_dointvec: any int */
	int dirty_expire_interval;    /* centisecs */

	struct list_head b_dirty; /* inodes with dirty pages, oldest dirtied_when first */
	struct task_struct *flusher;
	uint64_t flusher_due;	 /* cycles of the flusher's next run, 0: asleep */
	bool work_all;		 /* wakeup_flusher_threads: write everything */
	bool kupdate;		 /* a periodic pass is under way */
	uint64_t dirtied_before; /* ns: the periodic pass writes inodes dirtied before this */
	uint64_t last_old_flush; /* ns of the last periodic pass */
	unsigned long ratelimit; /* pages dirtied since the last balance check */

	struct blk_dev disk;

	/* what happened (tests, docs) */
	unsigned long nr_pauses, flusher_runs, pages_flushed;
	uint64_t paused_ns;
};

static struct writeback_state *wb_of(const struct kmm_kernel *k)
{
	return k->wb;
}

struct blk_dev *kmmfs_disk(struct kmm_kernel *k)
{
	return k->wb ? &k->wb->disk : NULL;
}

static uint64_t wb_now_ns(const struct kmm_kernel *k)
{
	return env_time_ns(k->env);
}

/* ---- the dirty limits ------------------------------------------------------------------ */

static long wb_node_state(const struct kmm_kernel *k, enum node_stat_item item)
{
	long n = 0;

	for (int nid = 0; nid < MAX_NUMNODES; nid++)
		if (k->node_data[nid])
			n += k->node_data[nid]->vm_stat[item];
	return n < 0 ? 0 : n;
}

unsigned long global_dirtyable_memory(const struct kmm_kernel *k)
{
	unsigned long x = global_zone_page_state(k, NR_FREE_PAGES);

	x -= min(x, k->totalreserve_pages);
	x += (unsigned long)wb_node_state(k, NR_INACTIVE_FILE);
	x += (unsigned long)wb_node_state(k, NR_ACTIVE_FILE);
	/* no highmem on arm64 */
	return x + 1;
}

/* Models: domain_dirty_limits() for the global domain: thresholds in pages from @avail. */
static void domain_dirty_limits(const struct writeback_state *wb, unsigned long avail,
				unsigned long *pbg, unsigned long *pthresh)
{
	unsigned long bytes = wb ? wb->vm_dirty_bytes : 0;
	unsigned long bg_bytes = wb ? wb->dirty_background_bytes : 0;
	unsigned long ratio = wb ? (unsigned long)wb->vm_dirty_ratio : DIRTY_RATIO_DEFAULT;
	unsigned long bg_ratio =
		wb ? (unsigned long)wb->dirty_background_ratio : DIRTY_BACKGROUND_RATIO_DEFAULT;
	unsigned long thresh, bg_thresh;

	/* the ratios in parts per PAGE_SIZE, as the kernel converts them */
	ratio = ratio * PAGE_SIZE / 100;
	bg_ratio = bg_ratio * PAGE_SIZE / 100;
	if (bytes)
		thresh = DIV_ROUND_UP(bytes, PAGE_SIZE);
	else
		thresh = ratio * avail / PAGE_SIZE;
	if (bg_bytes)
		bg_thresh = DIV_ROUND_UP(bg_bytes, PAGE_SIZE);
	else
		bg_thresh = bg_ratio * avail / PAGE_SIZE;
	if (thresh > UINT_MAX)
		thresh = UINT_MAX;
	if (bg_thresh >= thresh)
		bg_thresh = thresh / 2;
	*pbg = bg_thresh;
	*pthresh = thresh;
}

void global_dirty_limits(const struct kmm_kernel *k, unsigned long *pbackground,
			 unsigned long *pdirty)
{
	domain_dirty_limits(wb_of(k), global_dirtyable_memory(k), pbackground, pdirty);
}

/* Models: dirty_freerun_ceiling(). */
static unsigned long dirty_freerun_ceiling(unsigned long thresh, unsigned long bg_thresh)
{
	return (thresh + bg_thresh) / 2;
}

/* ---- the flusher ----------------------------------------------------------------------- */

static int64_t wb_workfn(struct kmm_kernel *k, struct task_struct *t, void *data);

/* Runs the flusher at machine cycles @when (or earlier if it is due earlier already). */
static void wb_wakeup_at(struct kmm_kernel *k, uint64_t when)
{
	struct writeback_state *wb = wb_of(k);
	uint64_t now = k->env->cycles;

	if (!wb->flusher &&
	    kthread_create_on_cpu(k, wb_workfn, NULL, 0, FLUSHER_COMM, &wb->flusher))
		return; /* no task: writeback happens through sync, fsync and reclaim only */
	if (wb->flusher_due && wb->flusher_due <= when)
		return;
	if (when < now)
		when = now;
	if (!kthread_schedule(k, wb->flusher, when - now)) {
		wb->flusher->__state = TASK_RUNNING;
		wb->flusher_due = when;
	}
}

/* Models: wb_wakeup_delayed(): the flusher's periodic timer, dirty_writeback_interval on. */
static void wb_wakeup_delayed(struct kmm_kernel *k)
{
	struct writeback_state *wb = wb_of(k);
	unsigned int cs = (unsigned int)wb->dirty_writeback_interval;

	if (!cs)
		return;
	wb_wakeup_at(k, k->env->cycles + env_ns_to_cycles(k->env, cs * NS_PER_CENTISEC));
}

void __mark_inode_dirty_pages(struct kmm_kernel *k, struct inode *inode)
{
	struct writeback_state *wb = wb_of(k);
	bool was_empty;

	if (!wb || (inode->i_state & I_DIRTY_PAGES))
		return;
	was_empty = list_empty(&wb->b_dirty);
	inode->i_state |= I_DIRTY_PAGES;
	inode->dirtied_when = wb_now_ns(k);
	list_add_tail(&inode->i_io_list, &wb->b_dirty);
	if (was_empty)
		wb_wakeup_delayed(k);
}

void inode_io_list_del(struct kmm_kernel *k, struct inode *inode)
{
	if (!(inode->i_state & I_DIRTY_PAGES))
		return;
	list_del(&inode->i_io_list);
	inode->i_state &= ~I_DIRTY_PAGES;
	(void)k;
}

static bool inode_has_dirty_pages(const struct inode *inode)
{
	return xa_marked(&inode->i_data.i_pages, PAGECACHE_TAG_DIRTY);
}

/*
 * Models: writeback_single_inode()/__writeback_single_inode() without the inode's own
 * metadata: up to wbc->nr_to_write dirty pages of @inode written; the inode leaves b_dirty
 * when none is left dirty. 0 or the first error.
 */
static int writeback_single_inode(struct kmm_kernel *k, struct inode *inode,
				  struct writeback_control *wbc)
{
	int err = write_cache_pages(k, inode->i_mapping, wbc);

	if (!inode_has_dirty_pages(inode))
		inode_io_list_del(k, inode);
	return err;
}

/*
 * Models: writeback_sb_inodes() for one pass: the inodes of b_dirty oldest first (those
 * dirtied before @before, for a periodic pass; all otherwise), each with what is left of
 * @nr_pages. Returns the pages written.
 */
static long wb_writeback(struct kmm_kernel *k, long nr_pages, uint64_t before,
			 const struct writeback_control *tmpl)
{
	struct writeback_state *wb = wb_of(k);
	long written = 0;

	while (written < nr_pages && !list_empty(&wb->b_dirty)) {
		struct inode *inode = list_first_entry(&wb->b_dirty, struct inode, i_io_list);
		struct writeback_control wbc = *tmpl;

		if (before && inode->dirtied_when > before)
			break;
		wbc.nr_to_write = nr_pages - written;
		wbc.range_cyclic = true;
		wbc.range_start = 0;
		wbc.range_end = INT64_MAX;
		writeback_single_inode(k, inode, &wbc);
		written += (nr_pages - written) - wbc.nr_to_write;
		if (inode->i_state & I_DIRTY_PAGES) {
			/* Models: requeue_io()/redirty_tail(): written its share, to the back. */
			if (wbc.nr_to_write > 0)
				break; /* pages left that cannot be written now */
			list_move_tail(&inode->i_io_list, &wb->b_dirty);
		}
	}
	return written;
}

/* Models: wb_over_bg_thresh() for the global domain: NR_FILE_DIRTY above bg_thresh. */
static bool wb_over_bg_thresh(const struct kmm_kernel *k)
{
	unsigned long bg, thresh;

	global_dirty_limits(k, &bg, &thresh);
	return (unsigned long)wb_node_state(k, NR_FILE_DIRTY) > bg;
}

/*
 * Models: wb_workfn() -> wb_do_writeback(): the work asked for (wakeup_flusher_threads),
 * background writeback while over bg_thresh, then the periodic pass (wb_check_old_data_flush)
 * over inodes dirtied dirty_expire_centisecs ago. One slice a run; see the essay.
 */
static int64_t wb_workfn(struct kmm_kernel *k, struct task_struct *t, void *data)
{
	struct writeback_state *wb = wb_of(k);
	uint64_t limit = env_ns_to_cycles(k->env, WB_MAX_BACKLOG_NS);
	uint64_t backlog = blk_backlog(k, &wb->disk);
	uint64_t now_ns = wb_now_ns(k);
	unsigned int interval = (unsigned int)wb->dirty_writeback_interval;
	long budget = MAX_WRITEBACK_PAGES, done = 0;
	int64_t next;

	(void)t;
	(void)data;
	wb->flusher_due = 0;
	wb->flusher_runs++;
	if (backlog > limit) {
		next = (int64_t)(backlog - limit / 2);
		goto out;
	}
	if (wb->work_all) {
		struct writeback_control tmpl = {.sync_mode = WB_SYNC_NONE};

		done += wb_writeback(k, budget, 0, &tmpl);
		if (list_empty(&wb->b_dirty) || done < budget)
			wb->work_all = false;
	}
	if (done < budget && wb_over_bg_thresh(k)) {
		struct writeback_control tmpl = {.sync_mode = WB_SYNC_NONE, .for_background = true};

		done += wb_writeback(k, budget - done, 0, &tmpl);
	}
	if (!wb->kupdate && interval &&
	    now_ns >= wb->last_old_flush + (uint64_t)interval * NS_PER_CENTISEC) {
		uint64_t expire =
			(uint64_t)(unsigned int)wb->dirty_expire_interval * NS_PER_CENTISEC;

		wb->last_old_flush = now_ns;
		wb->kupdate = true;
		wb->dirtied_before = now_ns > expire ? now_ns - expire : 0;
	}
	if (wb->kupdate && done < budget) {
		struct writeback_control tmpl = {.sync_mode = WB_SYNC_NONE, .for_kupdate = true};
		long n = wb->dirtied_before
				 ? wb_writeback(k, budget - done, wb->dirtied_before, &tmpl)
				 : 0;

		done += n;
		if (done < budget)
			wb->kupdate = false;
	}
	wb->pages_flushed += (unsigned long)done;
	if (wb->work_all || wb->kupdate || (done && wb_over_bg_thresh(k))) {
		backlog = blk_backlog(k, &wb->disk);
		next = backlog > limit / 2 ? (int64_t)(backlog - limit / 2) : 0;
	} else if (!list_empty(&wb->b_dirty) && interval) {
		uint64_t due = wb->last_old_flush + (uint64_t)interval * NS_PER_CENTISEC;

		next = (int64_t)env_ns_to_cycles(k->env, due > now_ns ? due - now_ns : 0);
	} else {
		return KTHREAD_SLEEP;
	}
out:
	wb->flusher_due = k->env->cycles + (uint64_t)next;
	return next;
}

void wakeup_flusher_threads(struct kmm_kernel *k, enum wb_reason reason)
{
	struct writeback_state *wb = wb_of(k);

	if (!wb || list_empty(&wb->b_dirty))
		return;
	(void)reason;
	wb->work_all = true;
	wb_wakeup_at(k, k->env->cycles);
}

/* Models: wb_start_background_writeback(). */
static void wb_start_background_writeback(struct kmm_kernel *k)
{
	if (!list_empty(&wb_of(k)->b_dirty))
		wb_wakeup_at(k, k->env->cycles);
}

/* ---- throttling writers ---------------------------------------------------------------- */

/* Models: balance_dirty_pages(), simplified (the essay). */
static void balance_dirty_pages(struct kmm_kernel *k)
{
	struct writeback_state *wb = wb_of(k);

	for (int pauses = 0; pauses < BDP_MAX_PAUSES; pauses++) {
		unsigned long nr_reclaimable = (unsigned long)wb_node_state(k, NR_FILE_DIRTY);
		unsigned long dirty =
			nr_reclaimable + (unsigned long)wb_node_state(k, NR_WRITEBACK);
		unsigned long bg, thresh;
		uint64_t pause_ns;

		global_dirty_limits(k, &bg, &thresh);
		if (nr_reclaimable > bg)
			wb_start_background_writeback(k);
		if (dirty <= dirty_freerun_ceiling(thresh, bg) || dirty <= thresh)
			return;
		if (k->env->evq.running)
			return; /* no sleeping inside an event */
		/* the time the disk takes to write the excess, clamped */
		pause_ns = (uint64_t)(dirty - thresh) * PAGE_SIZE * 1000000000ULL /
			   (wb->disk.bytes_per_sec ? wb->disk.bytes_per_sec : 1);
		pause_ns = max(BDP_MIN_PAUSE_NS, min(pause_ns, BDP_MAX_PAUSE_NS));
		wb->nr_pauses++;
		wb->paused_ns += pause_ns;
		env_sleep(k->env, env_ns_to_cycles(k->env, pause_ns));
		env_run_due(k->env);
	}
}

void balance_dirty_pages_ratelimited(struct kmm_kernel *k, struct address_space *mapping)
{
	struct writeback_state *wb = wb_of(k);

	if (!wb || !mapping_can_writeback(mapping))
		return;
	if (++wb->ratelimit < DIRTY_RATELIMIT)
		return;
	wb->ratelimit = 0;
	balance_dirty_pages(k);
}

/* ---- waiting, sync --------------------------------------------------------------------- */

void folio_wait_writeback(struct kmm_kernel *k, struct folio *folio)
{
	struct address_space *mapping = folio_mapping(folio);
	bool ours = mapping && mapping_can_writeback(mapping);
	struct writeback_state *wb = wb_of(k);

	while (folio_test_writeback(folio)) {
		if (ours && wb) {
			if (!blk_wait_one(k, &wb->disk))
				break; /* not in flight: writeback_check reports it */
			continue;
		}
		/* another device's I/O (swap): run the clock to the next event */
		if (k->env->evq.running || k->env->evq.next_due == UINT64_MAX)
			break;
		env_sleep(k->env, k->env->evq.next_due > k->env->cycles
					  ? k->env->evq.next_due - k->env->cycles
					  : 0);
		env_run_due(k->env);
	}
}

int writeback_sync_all(struct kmm_kernel *k)
{
	struct writeback_state *wb = wb_of(k);
	int ret = 0;

	if (!wb)
		return 0;
	while (!list_empty(&wb->b_dirty)) {
		struct inode *inode = list_first_entry(&wb->b_dirty, struct inode, i_io_list);
		int err;

		ihold(inode);
		err = filemap_write_and_wait_range(k, inode->i_mapping, 0, INT64_MAX);
		if (err && !ret)
			ret = err;
		if (inode->i_state & I_DIRTY_PAGES)
			inode_io_list_del(k, inode); /* written; redirtied ones come back */
		iput(k, inode);
	}
	while (blk_wait_one(k, &wb->disk))
		;
	return ret;
}

/* ---- sysctls --------------------------------------------------------------------------- */

static bool one_value(const long *v, int n)
{
	return n == 1;
}

int writeback_sysctl_write(struct kmm_kernel *k, const char *name, const long *v, int n)
{
	struct writeback_state *wb = wb_of(k);

	if (!wb)
		return -ENOENT;
	if (!strcmp(name, "dirty_background_ratio")) {
		if (!one_value(v, n) || v[0] < 0 || v[0] > 100)
			return -EINVAL;
		wb->dirty_background_ratio = (int)v[0];
		wb->dirty_background_bytes = 0;
	} else if (!strcmp(name, "dirty_background_bytes")) {
		if (!one_value(v, n) || v[0] < 1)
			return -EINVAL;
		if (DIV_ROUND_UP((unsigned long)v[0], PAGE_SIZE) > UINT_MAX)
			return -ERANGE;
		wb->dirty_background_bytes = (unsigned long)v[0];
		wb->dirty_background_ratio = 0;
	} else if (!strcmp(name, "dirty_ratio")) {
		if (!one_value(v, n) || v[0] < 0 || v[0] > 100)
			return -EINVAL;
		if (wb->vm_dirty_ratio != (int)v[0]) {
			wb->vm_dirty_ratio = (int)v[0];
			wb->vm_dirty_bytes = 0;
		}
	} else if (!strcmp(name, "dirty_bytes")) {
		if (!one_value(v, n) || v[0] < (long)DIRTY_BYTES_MIN)
			return -EINVAL;
		if ((unsigned long)v[0] != wb->vm_dirty_bytes) {
			if (DIV_ROUND_UP((unsigned long)v[0], PAGE_SIZE) > UINT_MAX)
				return -ERANGE;
			wb->vm_dirty_bytes = (unsigned long)v[0];
			wb->vm_dirty_ratio = 0;
		}
	} else if (!strcmp(name, "dirty_writeback_centisecs")) {
		int old = wb->dirty_writeback_interval;

		if (!one_value(v, n) || v[0] < INT_MIN || v[0] > INT_MAX)
			return -EINVAL;
		wb->dirty_writeback_interval = (int)v[0];
		if (v[0] && v[0] != old)
			wakeup_flusher_threads(k, WB_REASON_PERIODIC);
	} else if (!strcmp(name, "dirty_expire_centisecs")) {
		if (!one_value(v, n) || v[0] < 0 || v[0] > INT_MAX)
			return -EINVAL;
		wb->dirty_expire_interval = (int)v[0];
	} else {
		return -ENOENT;
	}
	return 0;
}

int writeback_sysctl_read(const struct kmm_kernel *k, const char *name, const struct sink *out)
{
	const struct writeback_state *wb = wb_of(k);

	if (!wb)
		return -ENOENT;
	if (!strcmp(name, "dirty_background_ratio"))
		sink_printf(out, "%d\n", wb->dirty_background_ratio);
	else if (!strcmp(name, "dirty_background_bytes"))
		sink_printf(out, "%lu\n", wb->dirty_background_bytes);
	else if (!strcmp(name, "dirty_ratio"))
		sink_printf(out, "%d\n", wb->vm_dirty_ratio);
	else if (!strcmp(name, "dirty_bytes"))
		sink_printf(out, "%lu\n", wb->vm_dirty_bytes);
	else if (!strcmp(name, "dirty_writeback_centisecs"))
		sink_printf(out, "%d\n", wb->dirty_writeback_interval);
	else if (!strcmp(name, "dirty_expire_centisecs"))
		sink_printf(out, "%d\n", wb->dirty_expire_interval);
	else
		return -ENOENT;
	return 0;
}

void writeback_sysctl_list(void (*fn)(void *arg, const char *name), void *arg)
{
	static const char *const names[] = {
		"vm.dirty_background_bytes",
		"vm.dirty_background_ratio",
		"vm.dirty_bytes",
		"vm.dirty_expire_centisecs",
		"vm.dirty_ratio",
		"vm.dirty_writeback_centisecs",
	};

	for (size_t i = 0; i < ARRAY_SIZE(names); i++)
		fn(arg, names[i]);
}

/* ---- views ----------------------------------------------------------------------------- */

void writeback_show(const struct kmm_kernel *k, const struct sink *out)
{
	const struct writeback_state *wb = wb_of(k);
	unsigned long bg, thresh, inodes = 0;
	const struct list_head *pos;

	if (!wb)
		return;
	global_dirty_limits(k, &bg, &thresh);
	for (pos = wb->b_dirty.next; pos != &wb->b_dirty; pos = pos->next)
		inodes++;
	sink_printf(out, "dirty_thresh %lu\nbg_thresh %lu\nfreerun %lu\n", thresh, bg,
		    dirty_freerun_ceiling(thresh, bg));
	sink_printf(out, "nr_dirty %ld\nnr_writeback %ld\ndirty_inodes %lu\n",
		    wb_node_state(k, NR_FILE_DIRTY), wb_node_state(k, NR_WRITEBACK), inodes);
	sink_printf(out, "flusher %s\nflusher_runs %lu\npages_flushed %lu\n",
		    !wb->flusher      ? "none"
		    : wb->flusher_due ? "queued"
				      : "sleeping",
		    wb->flusher_runs, wb->pages_flushed);
	sink_printf(out, "bdp_pauses %lu\nbdp_paused_ns %llu\n", wb->nr_pauses,
		    (unsigned long long)wb->paused_ns);
	sink_printf(out, "disk %s latency_ns %llu bytes_per_sec %llu in_flight_pages %lu\n",
		    wb->disk.name, (unsigned long long)wb->disk.latency_ns,
		    (unsigned long long)wb->disk.bytes_per_sec, wb->disk.wb_pages);
}

void blk_show_stat(const struct kmm_kernel *k, const struct sink *out)
{
	const struct writeback_state *wb = wb_of(k);

	if (!wb)
		return;
	/* Documentation/block/stat.rst's 17 fields; times, merges, discards, flushes 0 */
	sink_printf(out,
		    "%8llu %8u %8llu %8u %8llu %8u %8llu %8u %8u %8u %8u %8u %8u %8u %8u %8u %8u\n",
		    (unsigned long long)wb->disk.nr_reads, 0,
		    (unsigned long long)wb->disk.sectors_read, 0,
		    (unsigned long long)wb->disk.nr_writes, 0,
		    (unsigned long long)wb->disk.sectors_written, 0, wb->disk.nr, 0, 0, 0, 0, 0, 0,
		    0, 0);
}

/* ---- boot, shutdown, check ------------------------------------------------------------- */

int writeback_init(struct kmm_kernel *k)
{
	struct writeback_state *wb = env_alloc(k->env, sizeof(*wb));

	if (!wb)
		return -ENOMEM;
	wb->dirty_background_ratio = DIRTY_BACKGROUND_RATIO_DEFAULT;
	wb->vm_dirty_ratio = DIRTY_RATIO_DEFAULT;
	wb->dirty_writeback_interval = DIRTY_WRITEBACK_CENTISECS_DEFAULT;
	wb->dirty_expire_interval = DIRTY_EXPIRE_CENTISECS_DEFAULT;
	INIT_LIST_HEAD(&wb->b_dirty);
	blk_dev_init(k, &wb->disk, "vda");
	k->wb = wb;
	return 0;
}

void writeback_fini(struct kmm_kernel *k)
{
	struct writeback_state *wb = k->wb;

	if (!wb)
		return;
	/* The inodes outlive it (the mms and the page caches go later): none may point at it. */
	while (!list_empty(&wb->b_dirty)) {
		struct inode *inode = list_first_entry(&wb->b_dirty, struct inode, i_io_list);

		list_del(&inode->i_io_list);
		INIT_LIST_HEAD(&inode->i_io_list);
		inode->i_state &= ~I_DIRTY_PAGES;
	}
	blk_dev_fini(k, &wb->disk);
	env_free(k->env, wb);
	k->wb = NULL;
}

/* Counts @mapping's writeback folios and checks tag == flag (invariant 2). */
static bool wb_check_mapping(const struct address_space *mapping, unsigned long *pages, char *why,
			     size_t whylen)
{
	unsigned long index = 0;
	struct folio *folio;

	while ((folio = xa_find(&mapping->i_pages, &index, ~0UL, XA_PRESENT))) {
		bool tag;

		if (xa_is_value(folio)) { /* a shadow entry (workingset.c) */
			if (index == ~0UL)
				break;
			index++;
			continue;
		}
		tag = xa_get_mark(&mapping->i_pages, index, PAGECACHE_TAG_WRITEBACK);
		if (tag != folio_test_writeback(folio)) {
			snprintf(why, whylen,
				 "writeback: inode %lu index %lu: PG_writeback %d, tag %d",
				 mapping->host->i_ino, index, folio_test_writeback(folio), tag);
			return false;
		}
		if (tag && index == folio->index)
			*pages += folio_nr_pages(folio);
		if (index == ~0UL)
			break;
		index++;
	}
	return true;
}

bool writeback_check(const struct kmm_kernel *k, char *why, size_t whylen)
{
	const struct writeback_state *wb = wb_of(k);
	const struct inode *inode = NULL;
	const struct list_head *pos;
	unsigned long wb_pages = 0;
	uint64_t last = 0;

	if (!wb)
		return true;
	for (pos = wb->b_dirty.next; pos != &wb->b_dirty; pos = pos->next) {
		const struct inode *i = container_of(pos, struct inode, i_io_list);

		if (!(i->i_state & I_DIRTY_PAGES) || i->dirtied_when < last) {
			snprintf(why, whylen,
				 "writeback: inode %lu on b_dirty %s (dirtied %llu, after %llu)",
				 i->i_ino,
				 i->i_state & I_DIRTY_PAGES ? "out of order" : "not dirty",
				 (unsigned long long)i->dirtied_when, (unsigned long long)last);
			return false;
		}
		last = i->dirtied_when;
	}
	while ((inode = fs_next_inode(k, inode))) {
		if (!mapping_can_writeback(inode->i_mapping))
			continue;
		if (inode_has_dirty_pages(inode) && !(inode->i_state & I_DIRTY_PAGES)) {
			snprintf(why, whylen,
				 "writeback: inode %lu has dirty pages, not on b_dirty",
				 inode->i_ino);
			return false;
		}
		if (!wb_check_mapping(inode->i_mapping, &wb_pages, why, whylen))
			return false;
	}
	if (wb_pages != wb->disk.wb_pages) {
		snprintf(why, whylen,
			 "writeback: %lu kmmfs pages under writeback, the disk has %lu in flight",
			 wb_pages, wb->disk.wb_pages);
		return false;
	}
	if ((wb->vm_dirty_ratio && wb->vm_dirty_bytes) ||
	    (wb->dirty_background_ratio && wb->dirty_background_bytes) || wb->vm_dirty_ratio < 0 ||
	    wb->vm_dirty_ratio > 100 || wb->dirty_background_ratio < 0 ||
	    wb->dirty_background_ratio > 100 || wb->dirty_expire_interval < 0 ||
	    (wb->vm_dirty_bytes && wb->vm_dirty_bytes < DIRTY_BYTES_MIN)) {
		snprintf(why, whylen,
			 "writeback: sysctls dirty_ratio %d dirty_bytes %lu background %d/%lu "
			 "expire %d out of the kernel's rules",
			 wb->vm_dirty_ratio, wb->vm_dirty_bytes, wb->dirty_background_ratio,
			 wb->dirty_background_bytes, wb->dirty_expire_interval);
		return false;
	}
	return blk_dev_check(k, &wb->disk, why, whylen);
}
