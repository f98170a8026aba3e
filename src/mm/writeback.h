/*
 * Writeback of dirty file pages, the dirty limits, the flusher thread, the block device under
 * kmmfs, and buffered-read read-ahead (page-writeback.c, readahead.c, fs/blkdev.c).
 *
 * Models (Linux 6.1): include/linux/writeback.h, include/linux/backing-dev-defs.h (the
 *         writeback reasons), include/linux/fs.h (struct file_ra_state).
 *
 * Rules every part shares:
 *  - pgpgin / pgpgout: k->vm_events[PGPGIN/PGPGOUT] count 512-byte sectors, as 6.1's
 *    submit_bio() counts them; /proc/vmstat prints them halved (KiB), as vmstat_start() does.
 *    Count every bio with submit_bio_account() (swap's page_io.c too).
 *  - A folio under writeback (PG_writeback) of a kmmfs file stays on its LRU list and in its
 *    mapping with the WRITEBACK tag; the block device holds one reference on it until the
 *    I/O completes on the simulated clock (an event), which runs folio_end_writeback().
 */
#ifndef KMM_MM_WRITEBACK_H
#define KMM_MM_WRITEBACK_H

#include "mm/pagemap.h"

struct kmm_kernel;
struct sink;
struct blk_dev;

/* Models: enum wb_reason (6.1 values): why the flusher was woken. */
enum wb_reason {
	WB_REASON_BACKGROUND,
	WB_REASON_VMSCAN,
	WB_REASON_SYNC,
	WB_REASON_PERIODIC,
	WB_REASON_LAPTOP_TIMER,
	WB_REASON_FS_FREE_SPACE,
	WB_REASON_FORKER_THREAD,
	WB_REASON_FOREIGN_FLUSH,
	WB_REASON_MAX,
};

/* The defaults of the vm.dirty_* sysctls (6.1). */
#define DIRTY_RATIO_DEFAULT		  20
#define DIRTY_BACKGROUND_RATIO_DEFAULT	  10
#define DIRTY_WRITEBACK_CENTISECS_DEFAULT 500
#define DIRTY_EXPIRE_CENTISECS_DEFAULT	  3000
#define VM_READAHEAD_KB_DEFAULT		  128 /* read_ahead_kb of the disk (ra_pages 32) */

/* ---- boot, shutdown, check (page-writeback.c) ---------------------------------------- */

/* Creates k->wb (sysctl defaults, the disk model). 0 or -ENOMEM (nothing left behind). */
int writeback_init(struct kmm_kernel *k);
/* Frees k->wb; in-flight I/O is dropped with the machine. */
void writeback_fini(struct kmm_kernel *k);
/*
 * The writeback invariants (page-writeback.c's header): every PG_writeback folio of a kmmfs
 * file is in flight on the disk and vice versa; the dirty-inode list is sorted and holds
 * exactly the inodes with dirty pages. False with the reason.
 */
bool writeback_check(const struct kmm_kernel *k, char *why, size_t whylen);

/*
 * /sys/kernel/debug/kmm/writeback (the limits, the dirty and writeback pages, the flusher,
 * balance_dirty_pages' pauses, the disk) and /sys/block/vda/stat (the kernel's 17 fields).
 */
void writeback_show(const struct kmm_kernel *k, const struct sink *out);
void blk_show_stat(const struct kmm_kernel *k, const struct sink *out);

/* ---- the dirty limits ------------------------------------------------------------------ */

/* Models: global_dirtyable_memory(): free pages above the reserves plus file LRU pages, + 1. */
unsigned long global_dirtyable_memory(const struct kmm_kernel *k);

/*
 * Models: global_dirty_limits(): the background and hard dirty thresholds in pages
 * (/proc/vmstat's nr_dirty_background_threshold and nr_dirty_threshold), from the
 * vm.dirty_* sysctls (the 6.1 defaults before writeback_init). Changes nothing.
 */
void global_dirty_limits(const struct kmm_kernel *k, unsigned long *pbackground,
			 unsigned long *pdirty);

/*
 * Models: balance_dirty_pages_ratelimited(): called after a writer dirtied pages of
 * @mapping. Wakes background writeback above the background threshold and pauses the
 * writer (env_sleep on the simulated clock, the flusher and disk running meanwhile) while
 * dirty + writeback pages are above the limit. No-op for mappings that do not write back.
 */
void balance_dirty_pages_ratelimited(struct kmm_kernel *k, struct address_space *mapping);

/* ---- the vm.dirty_* sysctls ------------------------------------------------------------ */

/*
 * The writeback sysctls by bare name ("dirty_ratio", "dirty_bytes", ...): read prints the
 * value and a newline; write takes the parsed integers (@n of them) with the kernel's
 * ranges and side effects (ratio and bytes exclude each other). -ENOENT: not a writeback
 * sysctl; -EINVAL / -ERANGE: refused, nothing changed. list calls @fn with "vm.NAME".
 */
int writeback_sysctl_read(const struct kmm_kernel *k, const char *name, const struct sink *out);
int writeback_sysctl_write(struct kmm_kernel *k, const char *name, const long *v, int n);
void writeback_sysctl_list(void (*fn)(void *arg, const char *name), void *arg);

/* ---- writeback of pages --------------------------------------------------------------- */

/*
 * Models: __mark_inode_dirty(I_DIRTY_PAGES): the first dirty page of @inode puts it on the
 * flusher's dirty list stamped with the time (dirtied_when), and wakes the flusher's
 * periodic timer. Called by filemap's dirty accounting.
 */
void __mark_inode_dirty_pages(struct kmm_kernel *k, struct inode *inode);
/* Models: inode_io_list_del(): @inode leaves the dirty list (eviction). */
void inode_io_list_del(struct kmm_kernel *k, struct inode *inode);

/*
 * Models: folio_wait_writeback(): waits (the simulated clock runs to the disk's completion
 * of that I/O) until @folio is not under writeback. Inside an event it completes the disk's
 * queue up to the folio at once instead (no sleeping in events).
 */
void folio_wait_writeback(struct kmm_kernel *k, struct folio *folio);

/* Models: wakeup_flusher_threads(): the flusher writes back everything dirty (@reason). */
void wakeup_flusher_threads(struct kmm_kernel *k, enum wb_reason reason);

/*
 * Models: sync_filesystem()/ksys_sync(): writes back every dirty kmmfs page and waits for
 * all of it. 0 or -EIO.
 */
int writeback_sync_all(struct kmm_kernel *k);

/* The disk under kmmfs (NULL before writeback_init). */
struct blk_dev *kmmfs_disk(struct kmm_kernel *k);

/* ---- the block device (src/fs/blkdev.c) ---------------------------------------------- */

/*
 * Models: submit_bio()'s vm events: @sectors 512-byte sectors read (pgpgin) or written
 * (pgpgout).
 */
void submit_bio_account(struct kmm_kernel *k, bool write, unsigned long sectors);

/* ---- read-ahead (readahead.c) --------------------------------------------------------- */

/*
 * Models: page_cache_sync_ra(): a read of @req_count pages from @index missed the cache at
 * @index: reads ahead (ondemand_readahead) into new folios. Mappings without ->readahead
 * read nothing here (the caller reads the page itself).
 */
void page_cache_sync_ra(struct kmm_kernel *k, struct file *file, pgoff_t index,
			unsigned long req_count);
/*
 * Models: page_cache_async_ra(): a read reached the PG_readahead-marked @folio: the mark is
 * cleared and the next window read ahead (not for a folio under writeback: the same bit is
 * PG_reclaim then).
 */
void page_cache_async_ra(struct kmm_kernel *k, struct file *file, struct folio *folio,
			 unsigned long req_count);
/*
 * Models: page_cache_ra_unbounded(): reads the absent pages of [@index, @index + @nr) in
 * contiguous batches through ->readahead, marking the page at @nr - @lookahead
 * PG_readahead. Stops at an allocation failure (read-ahead is a hint).
 */
void page_cache_ra_unbounded(struct kmm_kernel *k, struct file *file, pgoff_t index,
			     unsigned long nr, unsigned long lookahead);
/*
 * Waits until the read that filled @folio has completed on the disk (the time its
 * read_folio / readahead stamped in folio->private), then clears the stamp.
 */
void folio_wait_read(struct kmm_kernel *k, struct folio *folio);

/* Models: file_ra_state_init(): ra_pages from the disk's read_ahead_kb, prev_pos -1. */
void file_ra_state_init(struct file_ra_state *ra);

/* Models: get_init_ra_size() / get_next_ra_size() (pages), as 6.1 computes them. */
unsigned long get_init_ra_size(unsigned long size, unsigned long max);
unsigned long get_next_ra_size(const struct file_ra_state *ra, unsigned long max);

#endif /* KMM_MM_WRITEBACK_H */
