/*
 * The block device under kmmfs: a disk with a fixed completion latency and a transfer
 * bandwidth on the simulated clock (blkdev.c).
 */
#ifndef KMM_FS_BLKDEV_H
#define KMM_FS_BLKDEV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/evq.h"

struct kmm_kernel;
struct folio;

/* The default disk: 100 us per request, 100 MiB/s (the filecache capture read 640 MiB in 7 s). */
#define BLK_DEFAULT_LATENCY_NS	100000ULL
#define BLK_DEFAULT_BYTES_PER_S (100ULL << 20)

/* A write in flight: the folio under writeback and when the disk completes it (cycles). */
struct blk_wreq {
	struct folio *folio;
	uint64_t done_at;
};

struct blk_dev {
	struct kmm_kernel *k;
	const char *name; /* "vda", as the capture's virtio disk */
	uint64_t latency_ns;
	uint64_t bytes_per_sec;
	uint64_t busy_until;   /* cycles: when the transfers queued so far are through */
	struct blk_wreq *ring; /* writes in flight, in completion order */
	uint32_t head, nr, cap;
	unsigned long wb_pages; /* pages of the writes in flight */
	struct env_event ev;	/* completes the head of the ring */
	uint64_t nr_reads, nr_writes, sectors_read, sectors_written;
};

/* Sets up @dev (no I/O in flight) with the default latency and bandwidth. */
void blk_dev_init(struct kmm_kernel *k, struct blk_dev *dev, const char *name);
/* Forgets the I/O in flight (machine shutdown: the folios go with the machine). */
void blk_dev_fini(struct kmm_kernel *k, struct blk_dev *dev);

/*
 * Models: submit_bio() of a read of @nr_pages pages: the transfer queues behind the others,
 * pgpgin counts its sectors. Returns when it completes (machine cycles).
 */
uint64_t blk_submit_read(struct kmm_kernel *k, struct blk_dev *dev, unsigned long nr_pages);

/*
 * A transfer of @nr_pages whose completion nobody waits for or acts on (a read, or a write
 * whose caller ends the writeback itself): counted and queued. Returns its completion time.
 */
uint64_t blk_submit_read_or_write_untracked(struct kmm_kernel *k, struct blk_dev *dev, bool write,
					    unsigned long nr_pages);

/*
 * Models: submit_bio() of a write of @folio (under writeback, unlocked): the disk takes a
 * reference until the completion, an event at the time the transfer and latency say, ends
 * the folio's writeback (folio_end_writeback). pgpgout counts its sectors. If host memory
 * for the request runs out the write completes at once.
 */
void blk_submit_write(struct kmm_kernel *k, struct blk_dev *dev, struct folio *folio);

/*
 * Waits for the oldest write in flight: the simulated clock runs to its completion (other
 * due events run meanwhile); inside an event, it is completed at once. False if none.
 */
bool blk_wait_one(struct kmm_kernel *k, struct blk_dev *dev);

/* Cycles of transfer queued beyond now (0 if the disk is idle). */
uint64_t blk_backlog(const struct kmm_kernel *k, const struct blk_dev *dev);

/* The ring's rules (blkdev.c's header); false with the reason. */
bool blk_dev_check(const struct kmm_kernel *k, const struct blk_dev *dev, char *why, size_t whylen);

#endif /* KMM_FS_BLKDEV_H */
