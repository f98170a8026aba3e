/*
 * The block device under kmmfs: one disk ("vda") that moves data at a fixed bandwidth and
 * completes each request a fixed latency after its transfer, on the simulated clock.
 *
 * Models (Linux 6.1): block/blk-core.c:submit_bio() (the pgpgin/pgpgout sector counts),
 *         a request's completion (bio_endio -> end_page_writeback for a write), and the
 *         waits on it (folio_wait_writeback, a reader waiting for its read).
 * Deviations: the queue is one FIFO of transfers: a request starts when the previous one's
 *         transfer ends (busy_until) and completes latency_ns after its own transfer ends;
 *         latency overlaps (requests in flight together), transfers do not. No merging,
 *         no elevator, no errors, no queue-depth limit (the flusher keeps its own backlog
 *         short). A read's bytes are copied at submission; the reader waits for the time
 *         the disk gives (the caller does). A write's bytes reach the store at submission;
 *         its completion ends the folio's writeback.
 *
 * Invariants (blk_dev_check):
 *  1. The ring holds nr writes in non-decreasing done_at order, each folio under writeback
 *     (PG_writeback) with a reference; wb_pages is the sum of their sizes.
 *  2. The completion event is pending iff the ring is not empty, due at the head's done_at.
 */
#include "fs/blkdev.h"

#include <stdio.h>
#include <string.h>

#include "mm/internal.h"
#include "mm/pagemap.h"
#include "mm/writeback.h"

void submit_bio_account(struct kmm_kernel *k, bool write, unsigned long sectors)
{
	count_vm_events(k, write ? PGPGOUT : PGPGIN, (long)sectors);
}

/* Cycles the disk needs to move @bytes. */
static uint64_t blk_transfer_cycles(const struct kmm_kernel *k, const struct blk_dev *dev,
				    uint64_t bytes)
{
	uint64_t ns = dev->bytes_per_sec ? bytes * 1000000000ULL / dev->bytes_per_sec : 0;

	return env_ns_to_cycles(k->env, ns);
}

/* Queues a transfer of @bytes behind the others; returns its completion time. */
static uint64_t blk_queue(struct kmm_kernel *k, struct blk_dev *dev, uint64_t bytes)
{
	uint64_t now = k->env->cycles;
	uint64_t start = dev->busy_until > now ? dev->busy_until : now;

	dev->busy_until = start + blk_transfer_cycles(k, dev, bytes);
	return dev->busy_until + env_ns_to_cycles(k->env, dev->latency_ns);
}

static struct blk_wreq *blk_at(const struct blk_dev *dev, uint32_t i)
{
	return &dev->ring[(dev->head + i) % dev->cap];
}

/* Models: end_page_writeback() from the write's completion: writeback ends, ref dropped. */
static void blk_end_write(struct kmm_kernel *k, struct blk_dev *dev)
{
	struct blk_wreq *rq = blk_at(dev, 0);
	struct folio *folio = rq->folio;

	dev->head = (dev->head + 1) % dev->cap;
	dev->nr--;
	dev->wb_pages -= folio_nr_pages(folio);
	folio_end_writeback(k, folio);
	folio_put(k, folio);
}

static void blk_arm(struct kmm_kernel *k, struct blk_dev *dev)
{
	if (dev->nr)
		env_event_schedule(k->env, &dev->ev, blk_at(dev, 0)->done_at, 0);
	else
		env_event_cancel(k->env, &dev->ev);
}

/* The completion interrupt: every write due by now completes, in order. */
static void blk_complete_due(struct kmm_env *env, struct env_event *ev)
{
	struct blk_dev *dev = ev->arg;
	struct kmm_kernel *k = dev->k;

	while (dev->nr && blk_at(dev, 0)->done_at <= env->cycles)
		blk_end_write(k, dev);
	blk_arm(k, dev);
}

void blk_dev_init(struct kmm_kernel *k, struct blk_dev *dev, const char *name)
{
	memset(dev, 0, sizeof(*dev));
	dev->k = k;
	dev->name = name;
	dev->latency_ns = BLK_DEFAULT_LATENCY_NS;
	dev->bytes_per_sec = BLK_DEFAULT_BYTES_PER_S;
	env_event_init(&dev->ev, blk_complete_due, dev);
}

void blk_dev_fini(struct kmm_kernel *k, struct blk_dev *dev)
{
	env_event_cancel(k->env, &dev->ev);
	env_free(k->env, dev->ring);
	dev->ring = NULL;
	dev->nr = dev->cap = dev->head = 0;
	dev->wb_pages = 0;
}

uint64_t blk_submit_read_or_write_untracked(struct kmm_kernel *k, struct blk_dev *dev, bool write,
					    unsigned long nr_pages)
{
	if (write) {
		dev->nr_writes++;
		dev->sectors_written += nr_pages << (PAGE_SHIFT - 9);
	} else {
		dev->nr_reads++;
		dev->sectors_read += nr_pages << (PAGE_SHIFT - 9);
	}
	submit_bio_account(k, write, nr_pages << (PAGE_SHIFT - 9));
	return blk_queue(k, dev, (uint64_t)nr_pages << PAGE_SHIFT);
}

uint64_t blk_submit_read(struct kmm_kernel *k, struct blk_dev *dev, unsigned long nr_pages)
{
	return blk_submit_read_or_write_untracked(k, dev, false, nr_pages);
}

/* Room for one more write in the ring; false if host memory ran out. */
static bool blk_ring_room(struct kmm_kernel *k, struct blk_dev *dev)
{
	uint32_t cap = dev->cap ? dev->cap * 2 : 64;
	struct blk_wreq *ring;

	if (dev->nr < dev->cap)
		return true;
	ring = env_alloc(k->env, cap * sizeof(*ring));
	if (!ring)
		return false;
	for (uint32_t i = 0; i < dev->nr; i++)
		ring[i] = *blk_at(dev, i);
	env_free(k->env, dev->ring);
	dev->ring = ring;
	dev->cap = cap;
	dev->head = 0;
	return true;
}

void blk_submit_write(struct kmm_kernel *k, struct blk_dev *dev, struct folio *folio)
{
	unsigned long nr = folio_nr_pages(folio);
	uint64_t done_at = blk_queue(k, dev, (uint64_t)nr << PAGE_SHIFT);

	dev->nr_writes++;
	dev->sectors_written += nr << (PAGE_SHIFT - 9);
	submit_bio_account(k, true, nr << (PAGE_SHIFT - 9));
	if (!blk_ring_room(k, dev)) {
		folio_end_writeback(k, folio); /* no room to track it: done at once */
		return;
	}
	folio_get(folio);
	*blk_at(dev, dev->nr) = (struct blk_wreq){.folio = folio, .done_at = done_at};
	dev->nr++;
	dev->wb_pages += nr;
	if (dev->nr == 1)
		blk_arm(k, dev);
}

bool blk_wait_one(struct kmm_kernel *k, struct blk_dev *dev)
{
	uint64_t now = k->env->cycles, when;

	if (!dev->nr)
		return false;
	when = blk_at(dev, 0)->done_at;
	if (when > now && !k->env->evq.running) {
		env_sleep(k->env, when - now);
		env_run_due(k->env);
		return true;
	}
	/* Due already, or inside an event (no sleeping there): complete it now. */
	blk_end_write(k, dev);
	blk_arm(k, dev);
	return true;
}

uint64_t blk_backlog(const struct kmm_kernel *k, const struct blk_dev *dev)
{
	return dev->busy_until > k->env->cycles ? dev->busy_until - k->env->cycles : 0;
}

bool blk_dev_check(const struct kmm_kernel *k, const struct blk_dev *dev, char *why, size_t whylen)
{
	unsigned long pages = 0;

	for (uint32_t i = 0; i < dev->nr; i++) {
		const struct blk_wreq *rq = blk_at(dev, i);

		if (!folio_test_writeback(rq->folio) || folio_ref_count(rq->folio) < 1) {
			snprintf(why, whylen,
				 "%s: write %u in flight of a folio not under writeback", dev->name,
				 i);
			return false;
		}
		if (i && rq->done_at < blk_at(dev, i - 1)->done_at) {
			snprintf(why, whylen, "%s: write %u completes before the one ahead of it",
				 dev->name, i);
			return false;
		}
		pages += folio_nr_pages(rq->folio);
	}
	if (pages != dev->wb_pages) {
		snprintf(why, whylen, "%s: counts %lu pages in flight, the ring holds %lu",
			 dev->name, dev->wb_pages, pages);
		return false;
	}
	if (env_event_pending(&dev->ev) != (dev->nr > 0) ||
	    (dev->nr && dev->ev.when != blk_at(dev, 0)->done_at)) {
		snprintf(why, whylen, "%s: completion event %s with %u writes in flight", dev->name,
			 env_event_pending(&dev->ev) ? "pending" : "idle", dev->nr);
		return false;
	}
	(void)k;
	return true;
}
