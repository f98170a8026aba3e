/*
 * Swap I/O: a swap-cache page written to its slot, or read back from it, through the
 * device that backs the slot's swap area.
 *
 * Two devices back swap areas here. The plain device is a disk: slots in host memory or in
 * a host file. Host memory is taken in chunks of 512 slots (2 MiB, one host transparent huge
 * page where the host has them, charged to the machine's host-memory budget when the chunk's
 * first slot is written, committed at once with MADV_POPULATE_WRITE where the host has it
 * rather than a host page fault per slot, given
 * back when the chunk's last slot is freed); it takes bios, so each request counts pgpgin/pgpgout
 * in 512-byte sectors (the block layer's submit_bio; /proc/vmstat shows them halved, in KiB) and
 * completes later on the simulated clock: the transfers queue one after another at the device's
 * bandwidth (busy_until: when the last queued transfer ends), and each request completes its
 * latency after its transfer (requests in flight overlap their latencies, as a queue depth > 1
 * does). zram (src/drivers/zram.c) has rw_page: a single page is stored or loaded synchronously,
 * without a bio (no pgpgin or pgpgout: the capture's pgpgout delta of 368640 KiB for 125133 pages
 * swapped out is exactly its 180 THPs, 180 x 2 MiB, which rw_page refuses and which went by bio);
 * zram's bio path is synchronous too (it completes inside submit_bio).
 *
 *   write: PG_writeback set; rw_page (sync device, small page): stored, writeback ended,
 *          page unlocked, all at once. bio: pswpout, PG_writeback, unlock, submit
 *          (pgpgout += sectors); completion (now for zram, later for the plain device)
 *          ends writeback; a failed write re-dirties the page ("Write-error on swap-device").
 *   read:  rw_page (sync device): loaded, PG_uptodate, unlocked. bio: pswpin, submit
 *          (pgpgin += sectors); completion sets PG_uptodate (or leaves it clear on error)
 *          and unlocks; a synchronous read of the plain device sleeps until then.
 *
 * Models: mm/page_io.c (Linux 6.1.192): swap_writepage (without the folio_free_swap
 *         shortcut: that is the swap cache's, added when swap_state.c lands), __swap_writepage,
 *         end_swap_bio_write, swap_readpage, end_swap_bio_read, count_swpout_vm_event;
 *         block/bdev.c: bdev_write_page/bdev_read_page; block/blk-core.c: submit_bio's
 *         PGPGIN/PGPGOUT; drivers/block/zram's rw_page refusing a THP.
 * Deviation: frontswap/zswap is not modelled (zswap is off in the captured kernel: its
 *         frontswap_store fails and the write goes on to the device, as here). No bio
 *         plugging, no swap_iocb batching (SWP_FS_OPS), one request per folio.
 *
 * Invariants (swap_dev_check):
 *  1. Every request on a device's pending list is scheduled, holds a locked (read) or
 *     writeback (write) folio in the swap cache, and the list is ordered by completion time.
 *  2. A plain device's stored slots count equals the non-NULL slots of its table; each chunk
 *     counts its stored slots and holds memory exactly while it has one.
 */
#include "mm/swapfile.h"

#include "drivers/zram.h"
#include "lib/sink.h"
#include "mm/internal.h"
#include "mm/page-flags.h"
#include "mm/pagemap.h"
#include "mm/swap_state.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define SECTORS_PER_PAGE (PAGE_SIZE >> 9)

/* One bio in flight (block layer): completes at ev.when. */
struct swap_bio {
	struct env_event ev;
	struct list_head list;
	struct kmm_kernel *k;
	struct swap_dev *dev;
	struct folio *folio;
	bool write;
	int status;
};

#define SWAP_CHUNK_SLOTS 512u /* 2 MiB of slot contents per host allocation */

struct swap_chunk {
	uint8_t *mem;	   /* SWAP_CHUNK_SLOTS pages, NULL while no slot of it is stored */
	unsigned int used; /* its stored slots */
};

struct swap_dev {
	enum swap_dev_kind kind;
	char name[64];
	unsigned long pages;
	/* the plain device: host memory in chunks of SWAP_CHUNK_SLOTS slots, or a host file */
	uint8_t **slot; /* each stored slot's bytes in its chunk, NULL: never written/freed */
	struct swap_chunk *chunk;
	unsigned long nr_stored;
	int fd;		     /* -1: host memory */
	uint64_t busy_until; /* machine cycles: the last queued transfer ends then */
	/* zram */
	struct zram *zram;
	struct list_head pending; /* struct swap_bio, by completion time */
};

/* ---- devices -------------------------------------------------------------------------------- */

int swap_dev_create(struct kmm_kernel *k, enum swap_dev_kind kind, const char *name, uint64_t bytes,
		    const char *host_path, struct swap_dev **out)
{
	struct swap_dev *dev;
	int err = 0;

	*out = NULL;
	if (!name || !name[0] || strlen(name) >= sizeof(dev->name) || !bytes ||
	    (kind != SWAP_DEV_PLAIN && kind != SWAP_DEV_ZRAM) ||
	    (kind == SWAP_DEV_ZRAM && host_path) || bytes / PAGE_SIZE > UINT32_MAX / 2)
		return -EINVAL;
	dev = env_alloc(k->env, sizeof(*dev));
	if (!dev)
		return -ENOMEM;
	memset(dev, 0, sizeof(*dev));
	dev->kind = kind;
	dev->fd = -1;
	snprintf(dev->name, sizeof(dev->name), "%s", name);
	INIT_LIST_HEAD(&dev->pending);
	if (kind == SWAP_DEV_ZRAM) {
		dev->zram = zram_create(k, bytes, &err);
		if (dev->zram)
			dev->pages = (unsigned long)(zram_disksize(dev->zram) / PAGE_SIZE);
	} else {
		dev->pages = (unsigned long)(bytes / PAGE_SIZE);
		if (!dev->pages)
			err = -EINVAL;
		else if (host_path)
			dev->fd = open(host_path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
		else {
			dev->slot = env_alloc(k->env, dev->pages * sizeof(*dev->slot));
			dev->chunk =
				env_alloc(k->env, (dev->pages + SWAP_CHUNK_SLOTS - 1) /
							  SWAP_CHUNK_SLOTS * sizeof(*dev->chunk));
		}
		if (!err && host_path && dev->fd < 0)
			err = -EIO;
		else if (!err && !host_path && (!dev->slot || !dev->chunk))
			err = -ENOMEM;
	}
	if (err) {
		swap_dev_destroy(k, dev);
		return err;
	}
	*out = dev;
	return 0;
}

void swap_dev_destroy(struct kmm_kernel *k, struct swap_dev *dev)
{
	if (!dev)
		return;
	while (!list_empty(&dev->pending)) {
		struct swap_bio *bio = list_first_entry(&dev->pending, struct swap_bio, list);

		env_event_cancel(k->env, &bio->ev);
		list_del(&bio->list);
		env_free(k->env, bio);
	}
	for (unsigned long c = 0; dev->chunk && c * SWAP_CHUNK_SLOTS < dev->pages; c++)
		env_free(k->env, dev->chunk[c].mem);
	env_free(k->env, dev->chunk);
	env_free(k->env, dev->slot);
	if (dev->fd >= 0)
		close(dev->fd);
	zram_destroy(k, dev->zram);
	env_free(k->env, dev);
}

unsigned long swap_dev_pages(const struct swap_dev *dev)
{
	return dev->pages;
}

const char *swap_dev_name(const struct swap_dev *dev)
{
	return dev->name;
}

bool swap_dev_synchronous(const struct swap_dev *dev)
{
	return dev->kind == SWAP_DEV_ZRAM;
}

struct zram *swap_dev_zram(const struct swap_dev *dev)
{
	return dev ? dev->zram : NULL;
}

void swap_dev_free_slot(struct kmm_kernel *k, struct swap_dev *dev, unsigned long offset)
{
	if (dev->zram) {
		zram_slot_free_notify(k, dev->zram, offset);
	} else if (dev->slot && dev->slot[offset]) {
		struct swap_chunk *c = &dev->chunk[offset / SWAP_CHUNK_SLOTS];

		dev->slot[offset] = NULL;
		dev->nr_stored--;
		if (--c->used == 0) {
			env_free(k->env, c->mem);
			c->mem = NULL;
		}
	}
}

/* The host memory for slot @offset of the plain device (its chunk taken first); NULL. */
static uint8_t *swap_slot_store(struct kmm_kernel *k, struct swap_dev *dev, unsigned long offset)
{
	struct swap_chunk *c = &dev->chunk[offset / SWAP_CHUNK_SLOTS];

	if (!c->mem) {
		/* On a host huge page: one host fault (or trap) a chunk, not one a slot */
		c->mem = env_alloc_aligned(k->env, (size_t)SWAP_CHUNK_SLOTS * PAGE_SIZE,
					   ARENA_HUGE_ALIGN);
		if (!c->mem)
			return NULL;
#ifdef MADV_POPULATE_WRITE
		/* one call commits the chunk: far cheaper than a host fault per slot */
		(void)madvise(c->mem, (size_t)SWAP_CHUNK_SLOTS * PAGE_SIZE, MADV_POPULATE_WRITE);
#endif
	}
	c->used++;
	dev->nr_stored++;
	return dev->slot[offset] = c->mem + (offset % SWAP_CHUNK_SLOTS) * PAGE_SIZE;
}

/* One page to or from the device's store. Returns 0 or a negative errno. */
static int swap_dev_rw_one(struct kmm_kernel *k, struct swap_dev *dev, unsigned long offset,
			   void *buf, bool write)
{
	if (offset >= dev->pages)
		return -EIO;
	if (dev->zram)
		return write ? zram_write_page(k, dev->zram, offset, buf)
			     : zram_read_page(k, dev->zram, offset, buf);
	if (dev->fd >= 0) {
		off_t pos = (off_t)offset * PAGE_SIZE;
		ssize_t n = write ? pwrite(dev->fd, buf, PAGE_SIZE, pos)
				  : pread(dev->fd, buf, PAGE_SIZE, pos);

		if (n == PAGE_SIZE)
			return 0;
		if (!write && n >= 0) { /* beyond what was ever written: zeros */
			memset((char *)buf + n, 0, PAGE_SIZE - (size_t)n);
			return 0;
		}
		return -EIO;
	}
	if (write) {
		if (!dev->slot[offset] && !swap_slot_store(k, dev, offset))
			return -ENOMEM;
		memcpy(dev->slot[offset], buf, PAGE_SIZE);
	} else if (dev->slot[offset]) {
		memcpy(buf, dev->slot[offset], PAGE_SIZE);
	} else {
		memset(buf, 0, PAGE_SIZE);
	}
	return 0;
}

/* The folio's pages to or from its slots (one request: all or nothing reported). */
static int swap_dev_rw(struct kmm_kernel *k, struct swap_dev *dev, struct folio *folio,
		       unsigned long offset, bool write)
{
	unsigned long nr = folio_nr_pages(folio);
	int err = 0;

	for (unsigned long i = 0; i < nr && !err; i++) {
		void *buf = page_host(k, folio_page(folio, i), PAGE_SIZE);

		err = buf ? swap_dev_rw_one(k, dev, offset + i, buf, write) : -EIO;
	}
	return err;
}

/* ---- completions --------------------------------------------------------------------------- */

/* Models: end_swap_bio_write(). */
static void end_swap_bio_write(struct kmm_kernel *k, struct folio *folio, int status,
			       swp_entry_t entry)
{
	if (status) {
		folio_mark_dirty(k, folio);
		env_printk(k->env, "Write-error on swap-device (%u:%u:%llu)\n", 0u, swp_type(entry),
			   (unsigned long long)swp_offset(entry) * SECTORS_PER_PAGE);
		folio_clear_reclaim(folio);
	}
	folio_end_writeback(k, folio);
}

/* Models: end_swap_bio_read(). */
static void end_swap_bio_read(struct kmm_kernel *k, struct folio *folio, int status,
			      swp_entry_t entry)
{
	if (status) {
		folio_clear_uptodate(folio);
		env_printk(k->env, "Read-error on swap-device (%u:%u:%llu)\n", 0u, swp_type(entry),
			   (unsigned long long)swp_offset(entry) * SECTORS_PER_PAGE);
	} else {
		folio_set_uptodate(folio);
	}
	folio_unlock(folio);
}

static void swap_bio_complete(struct kmm_kernel *k, struct swap_bio *bio)
{
	swp_entry_t entry = {bio->folio->page.private};

	list_del(&bio->list);
	if (bio->write)
		end_swap_bio_write(k, bio->folio, bio->status, entry);
	else
		end_swap_bio_read(k, bio->folio, bio->status, entry);
	env_free(k->env, bio);
}

static void swap_bio_event(struct kmm_env *env, struct env_event *ev)
{
	struct swap_bio *bio = ev->arg;

	(void)env;
	swap_bio_complete(bio->k, bio);
}

/*
 * Models: submit_bio() of a swap bio: the vmstat count in sectors, the transfer, and the
 * completion: at once for zram (its submit path ends the bio), after the device's time for
 * the plain one. Returns the bio still in flight (plain device), or NULL when completed.
 */
static struct swap_bio *submit_swap_bio(struct kmm_kernel *k, struct swap_dev *dev,
					struct folio *folio, bool write)
{
	unsigned long nr = folio_nr_pages(folio);
	swp_entry_t entry = {folio->page.private};
	int status = swap_dev_rw(k, dev, folio, swp_offset(entry), write);
	struct swap_bio *bio;
	uint64_t when;

	count_vm_events(k, write ? PGPGOUT : PGPGIN, (long)(nr * SECTORS_PER_PAGE));
	if (dev->zram) {
		if (write)
			end_swap_bio_write(k, folio, status, entry);
		else
			end_swap_bio_read(k, folio, status, entry);
		return NULL;
	}
	bio = env_alloc(k->env, sizeof(*bio));
	/* The transfers queue (bandwidth); each request's latency overlaps the others'. */
	dev->busy_until = (dev->busy_until > k->env->cycles ? dev->busy_until : k->env->cycles) +
			  nr * k->env->cost[COST_swap_io_page];
	when = dev->busy_until + k->env->cost[COST_swap_io_latency];
	if (bio)
		env_event_init(&bio->ev, swap_bio_event, bio);
	if (!bio || env_event_schedule(k->env, &bio->ev, when, smp_processor_id(k))) {
		/* No host memory for the request: it completes now (the data moved already). */
		env_free(k->env, bio);
		if (write)
			end_swap_bio_write(k, folio, status, entry);
		else
			end_swap_bio_read(k, folio, status, entry);
		return NULL;
	}
	bio->k = k;
	bio->dev = dev;
	bio->folio = folio;
	bio->write = write;
	bio->status = status;
	list_add_tail(&bio->list, &dev->pending);
	return bio;
}

/* ---- swap_writepage / swap_readpage -----------------------------------------------------------
 */

/* Models: count_swpout_vm_event(). */
static void count_swpout_vm_event(struct kmm_kernel *k, struct folio *folio)
{
	if (folio_test_large(folio))
		count_vm_event(k, THP_SWPOUT);
	count_vm_events(k, PSWPOUT, (long)folio_nr_pages(folio));
}

/* Models: __swap_writepage(): rw_page first, else a bio. */
static int __swap_writepage(struct kmm_kernel *k, struct page *page)
{
	struct folio *folio = page_folio(page);
	swp_entry_t entry = {page->private};
	struct swap_info_struct *si = swp_swap_info(k, entry);

	if (!si || !si->dev)
		return -EIO;
	if (swap_dev_synchronous(si->dev) && !folio_test_large(folio)) {
		/* Models: bdev_write_page() with zram's rw_page. */
		folio_start_writeback(k, folio);
		if (!swap_dev_rw(k, si->dev, folio, swp_offset(entry), true)) {
			folio_end_writeback(k, folio);
			folio_unlock(folio);
			count_swpout_vm_event(k, folio);
			return 0;
		}
		folio_end_writeback(k, folio); /* rw_page failed: the bio path retries */
	}
	count_swpout_vm_event(k, folio);
	folio_start_writeback(k, folio);
	folio_unlock(folio);
	submit_swap_bio(k, si->dev, folio, true);
	return 0;
}

int swap_writepage(struct kmm_kernel *k, struct page *page, struct writeback_control *wbc)
{
	struct folio *folio = page_folio(page);

	(void)wbc;
	if (folio_free_swap(k, folio)) { /* no PTE holds the entry any more: nothing to write */
		folio_unlock(folio);
		return 0;
	}
	return __swap_writepage(k, page);
}

void swap_readpage(struct kmm_kernel *k, struct page *page, bool synchronous)
{
	struct folio *folio = page_folio(page);
	swp_entry_t entry = {page->private};
	struct swap_info_struct *si = swp_swap_info(k, entry);
	struct swap_bio *bio;

	if (!si || !si->dev) {
		end_swap_bio_read(k, folio, -EIO, entry);
		return;
	}
	if ((si->flags & SWP_SYNCHRONOUS_IO) && !folio_test_large(folio) &&
	    !swap_dev_rw(k, si->dev, folio, swp_offset(entry), false)) {
		/* Models: bdev_read_page() with zram's rw_page. */
		folio_set_uptodate(folio);
		folio_unlock(folio);
		count_vm_event(k, PSWPIN);
		return;
	}
	count_vm_event(k, PSWPIN);
	bio = submit_swap_bio(k, si->dev, folio, false);
	if (bio && synchronous) {
		/* The task waits (blk_io_schedule) until the bio ends: time passes. */
		uint64_t when = bio->ev.when;

		if (when > k->env->cycles)
			env_sleep(k->env, when - k->env->cycles);
		if (env_event_pending(&bio->ev)) { /* inside an event: no nested run */
			env_event_cancel(k->env, &bio->ev);
			swap_bio_complete(k, bio);
		}
	}
}

void swap_dev_drain(struct kmm_kernel *k, struct swap_dev *dev)
{
	while (dev && !list_empty(&dev->pending)) {
		struct swap_bio *bio = list_first_entry(&dev->pending, struct swap_bio, list);

		env_event_cancel(k->env, &bio->ev);
		if (bio->ev.when > k->env->cycles)
			env_idle_until(k->env, bio->ev.when);
		swap_bio_complete(k, bio);
	}
}

bool swap_dev_check(const struct kmm_kernel *k, const struct swap_dev *dev, char *why,
		    size_t whylen)
{
	uint64_t last = 0;
	unsigned long stored = 0;
	const struct swap_bio *bio;

	(void)k;
	for (const struct list_head *l = dev->pending.next; l != &dev->pending; l = l->next) {
		const struct folio *f;

		bio = list_entry(l, struct swap_bio, list);
		f = bio->folio;

		if (!env_event_pending(&bio->ev) || bio->ev.when < last ||
		    !folio_test_swapcache(f) ||
		    (bio->write ? !folio_test_writeback(f) : !folio_test_locked(f))) {
			snprintf(why, whylen, "swap %s: a pending %s is not as its folio says",
				 dev->name, bio->write ? "write" : "read");
			return false;
		}
		last = bio->ev.when;
	}
	for (unsigned long c = 0; dev->chunk && c * SWAP_CHUNK_SLOTS < dev->pages; c++) {
		unsigned int used = 0;

		for (unsigned long i = c * SWAP_CHUNK_SLOTS;
		     i < dev->pages && i < (c + 1) * SWAP_CHUNK_SLOTS; i++)
			used += dev->slot[i] != NULL;
		if (used != dev->chunk[c].used || (used != 0) != (dev->chunk[c].mem != NULL)) {
			snprintf(why, whylen, "swap %s: chunk %lu holds %u slots, counted %u",
				 dev->name, c, used, dev->chunk[c].used);
			return false;
		}
		stored += used;
	}
	if (stored != dev->nr_stored) {
		snprintf(why, whylen, "swap %s: %lu slots stored, counted %lu", dev->name, stored,
			 dev->nr_stored);
		return false;
	}
	return dev->zram ? zram_check(dev->zram, why, whylen) : true;
}
