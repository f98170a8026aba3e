/*
 * Swap devices and their slots: what src/mm/swapfile.c (devices, slot counts, swapon and
 * swapoff) and src/mm/page_io.c (moving a page's contents to and from a slot) provide to the
 * rest of the kernel (the swap cache, reclaim, faults, fork, zap, the /proc views).
 *
 * Models: include/linux/swap.h (struct swap_info_struct, SWP_* flags, the swap_map count
 *         encoding, the swapfile.c and page_io.c prototypes) and include/linux/swapfile.h of
 *         Linux 6.1.192.
 *
 * swap_map[offset], one byte per slot (the kernel's encoding):
 *
 *   bits 0..5  references from page tables and shmem (0..SWAP_MAP_MAX = 0x3e);
 *              0x3f = SWAP_MAP_BAD (the header slot 0 and bad slots)
 *   bit  6     SWAP_HAS_CACHE: a folio in the swap cache holds this slot
 *   bit  7     COUNT_CONTINUED (not modelled: counts stop at SWAP_MAP_MAX, see swap_duplicate)
 *
 * A slot is free when its byte is 0. Every function takes the machine's kernel; an entry
 * that names no device, a device being switched off, or an offset beyond the device is
 * "bad": the kernel prints "Bad swap file entry"/"Unused swap offset entry" and the call does
 * nothing (it never crashes).
 */
#ifndef KMM_MM_SWAPFILE_H
#define KMM_MM_SWAPFILE_H

#include "mm/swapops.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct kmm_kernel;
struct folio;
struct page;
struct writeback_control;
struct swap_dev;
struct zram;

/* ---- the swap_map encoding (include/linux/swap.h) ---------------------------------------- */

#define SWAP_HAS_CACHE	0x40 /* a folio in the swap cache holds the slot */
#define COUNT_CONTINUED 0x80 /* continuation pages hold more count (not modelled) */
#define SWAP_MAP_MAX	0x3e /* the largest count the byte holds */
#define SWAP_MAP_BAD	0x3f /* the slot is not usable (header, bad block) */
#define SWAP_MAP_SHMEM	0xbf /* owned by shmem/tmpfs */

/* CONFIG_THP_SWAP=y in the captured config: a cluster is one PMD's worth of slots. */
#define SWAPFILE_CLUSTER 512
#define SWAP_BATCH	 64  /* slots the per-CPU slot cache takes at once */
#define LATENCY_LIMIT	 256 /* slots scanned between scheduling points */

/* swap_info_struct.flags (include/linux/swap.h, 6.1 values). */
enum {
	SWP_USED = 1 << 0,
	SWP_WRITEOK = 1 << 1,
	SWP_DISCARDABLE = 1 << 2,
	SWP_DISCARDING = 1 << 3,
	SWP_SOLIDSTATE = 1 << 4,
	SWP_CONTINUED = 1 << 5,
	SWP_BLKDEV = 1 << 6,
	SWP_ACTIVATED = 1 << 7,
	SWP_FS_OPS = 1 << 8,
	SWP_AREA_DISCARD = 1 << 9,
	SWP_PAGE_DISCARD = 1 << 10,
	SWP_STABLE_WRITES = 1 << 11,
	SWP_SYNCHRONOUS_IO = 1 << 12,
	SWP_SCANNING = 1 << 14,
};

/* swapon(2)'s flags (include/linux/swap.h). */
#define SWAP_FLAG_PREFER	0x8000
#define SWAP_FLAG_PRIO_MASK	0x7fff
#define SWAP_FLAG_PRIO_SHIFT	0
#define SWAP_FLAG_DISCARD	0x10000
#define SWAP_FLAG_DISCARD_ONCE	0x20000
#define SWAP_FLAG_DISCARD_PAGES 0x40000
#define SWAP_FLAGS_VALID                                                                           \
	(SWAP_FLAG_PRIO_MASK | SWAP_FLAG_PREFER | SWAP_FLAG_DISCARD | SWAP_FLAG_DISCARD_ONCE |     \
	 SWAP_FLAG_DISCARD_PAGES)
#define MKSWAP_MIN_PAGES 10 /* mkswap refuses less than 40 KiB */

/* Models: struct swap_cluster_info: slots in use (count) and the free-list link. */
struct swap_cluster_info {
	unsigned int data : 24; /* count, or the next cluster on a list */
	unsigned int flags : 8; /* CLUSTER_FLAG_* */
};
#define CLUSTER_FLAG_FREE      1
#define CLUSTER_FLAG_NEXT_NULL 2
#define CLUSTER_FLAG_HUGE      4

/* Models: struct swap_cluster_list: head and tail cluster indices of a list. */
struct swap_cluster_list {
	struct swap_cluster_info head, tail;
};

/* Models: struct percpu_cluster: the cluster this CPU allocates from, and where next. */
struct percpu_cluster {
	struct swap_cluster_info index; /* NEXT_NULL: none */
	unsigned int next;		/* the next slot to try within it */
};

/*
 * Models: struct swap_info_struct (one per swap device, from kzalloc as the kernel's
 * alloc_swap_info). Fields are grouped by who changes them.
 */
struct swap_info_struct {
	/* Set by swapon, constant until swapoff. */
	unsigned int type;	 /* index in swap_info[] (the entry's type) */
	unsigned int max;	 /* slots including the header slot 0 (the device's pages) */
	unsigned char *swap_map; /* one count byte per slot (table above) */
	struct swap_cluster_info *cluster_info; /* NULL on rotational devices */
	struct percpu_cluster *percpu_cluster;	/* one per CPU (solid-state devices) */
	unsigned int *cluster_next_cpu;		/* per-CPU scan start (solid-state devices) */
	struct swap_dev *dev;			/* the backing store (page_io.c) */
	char name[64];				/* /proc/swaps' Filename */

	/* Under swap_lock / si->lock. */
	unsigned long flags; /* SWP_* */
	signed short prio;   /* the swap priority */
	struct swap_cluster_list free_clusters;
	unsigned int lowest_bit, highest_bit; /* the free slots lie in [lowest_bit, highest_bit] */
	unsigned int pages;		      /* usable slots (max - 1 - bad) */
	unsigned int inuse_pages;	      /* slots with a non-zero count */
	unsigned int cluster_next;	      /* rotational scan start */
	unsigned int cluster_nr;	      /* rotational: slots left in the current cluster */
};

/* ---- set-up and checks (swapfile.c) ------------------------------------------------------- */

/* Creates k->swap (no device on). Returns 0 or -ENOMEM with nothing allocated. */
int swap_init(struct kmm_kernel *k);
/* Frees every device (contents too) and k->swap; safe on a NULL k->swap. */
void swap_fini(struct kmm_kernel *k);
/* The invariants of swapfile.c's essay; false with the reason in @why. */
bool swap_check(const struct kmm_kernel *k, char *why, size_t whylen);

/* ---- devices ------------------------------------------------------------------------------ */

/*
 * The device of @entry's type, or NULL if none is on (or the type is not a swap type).
 * Models: swp_swap_info()/get_swap_device() without the percpu_ref (one thread).
 */
struct swap_info_struct *swp_swap_info(const struct kmm_kernel *k, swp_entry_t entry);
struct swap_info_struct *get_swap_device(struct kmm_kernel *k, swp_entry_t entry);

/* ---- slot counts (swapfile.c) ------------------------------------------------------------ */

/*
 * Models: folio_alloc_swap(): @folio's nr pages of slots, all with SWAP_HAS_CACHE, from the
 * highest-priority device with room (a large folio takes one whole free cluster, or fails).
 * Returns the first entry, or {0} when no slot is free (nothing changed). Leaves @folio
 * untouched (the swap cache, swapmm's add_to_swap_cache, records the entry).
 */
swp_entry_t folio_alloc_swap(struct kmm_kernel *k, struct folio *folio);

/*
 * Models: get_swap_pages(): up to @n_goal slots of @entry_size (1, or SWAPFILE_CLUSTER for
 * one whole cluster) with SWAP_HAS_CACHE, into @swp_entries, devices in priority order
 * (round robin among equal priorities). Returns how many it got (0: none, nothing changed).
 */
int get_swap_pages(struct kmm_kernel *k, int n_goal, swp_entry_t swp_entries[], int entry_size);

/*
 * Models: swap_duplicate(): one more page-table reference to @entry (fork, copy_page_range).
 * Returns 0; -ENOENT for a free slot or a bad entry; -ENOMEM when the count is at
 * SWAP_MAP_MAX (the kernel would add a continuation page: not modelled). Nothing changed on
 * error.
 */
int swap_duplicate(struct kmm_kernel *k, swp_entry_t entry);

/*
 * Models: swapcache_prepare(): sets SWAP_HAS_CACHE on @entry before its folio enters the swap
 * cache. Returns 0; -EEXIST if already set (someone else is reading it in); -ENOENT if the
 * slot has no reference (freed meanwhile) or the entry is bad. Nothing changed on error.
 */
int swapcache_prepare(struct kmm_kernel *k, swp_entry_t entry);

/*
 * Models: swap_free(): drops one page-table reference of @entry; a slot whose count drops to
 * 0 without SWAP_HAS_CACHE is freed (its contents dropped from the device). Bad entries are
 * reported and ignored.
 */
void swap_free(struct kmm_kernel *k, swp_entry_t entry);

/*
 * Models: put_swap_folio(): @folio left the swap cache: clears SWAP_HAS_CACHE on its
 * nr pages of slots from @entry on, freeing each slot that has no other reference.
 */
void put_swap_folio(struct kmm_kernel *k, struct folio *folio, swp_entry_t entry);

/*
 * Models: free_swap_and_cache(): zap dropped a PTE's swap entry: one reference fewer
 * (swap_free's rule), and if only the swap cache still holds the slot, the cached folio is
 * freed too when no PTE maps it or swap is more than half full (__try_to_reclaim_swap with
 * TTRS_UNMAPPED | TTRS_FULL). Returns true if @entry named a used slot (the kernel's
 * p != NULL), false for a bad entry (reported). Needs swapmm's swap cache (swap_state.c);
 * declared here, defined once that is on w3.
 */
bool free_swap_and_cache(struct kmm_kernel *k, swp_entry_t entry);

/*
 * Models: swap_shmem_alloc(): tmpfs owns @entry (its swap_map count becomes SWAP_MAP_SHMEM,
 * beside the SWAP_HAS_CACHE its folio holds); swap_free drops it at once. Bad entries are
 * ignored.
 */
void swap_shmem_alloc(struct kmm_kernel *k, swp_entry_t entry);

/* Models: __swap_count(): the PTE/shmem reference count of @entry (no cache bit); 0 if bad. */
int __swap_count(struct kmm_kernel *k, swp_entry_t entry);
/* Models: swap_swapcount(): same, for a device already looked up. */
int swap_swapcount(struct swap_info_struct *si, swp_entry_t entry);
/* Models: swp_swapcount(): the full reference count (continuations: none here). */
int swp_swapcount(struct kmm_kernel *k, swp_entry_t entry);
/* Models: split_swap_cluster(): @entry's huge cluster becomes ordinary slots. */
void split_swap_cluster(struct kmm_kernel *k, swp_entry_t entry);
/* Models: swap_page_trans_huge_swapped()-like helper: true if any of nr slots has a count. */
bool swap_slots_swapped(struct kmm_kernel *k, swp_entry_t entry, int nr);
/* The raw swap_map byte of @entry (tests, views, swapmm's checks); 0 if bad. */
unsigned char swap_map_byte(const struct kmm_kernel *k, swp_entry_t entry);

/* ---- totals (swapfile.c) ------------------------------------------------------------------ */

/* Models: get_nr_swap_pages(): free slots over the devices that take writes. */
long get_nr_swap_pages(const struct kmm_kernel *k);
/* Models: total_swap_pages: usable slots over the devices that are on. */
long total_swap_pages(const struct kmm_kernel *k);
/* Models: vm_swap_full(): more than half the swap in use (swap_used * 2 > total). */
bool vm_swap_full(const struct kmm_kernel *k);
/*
 * Models: si_swapinfo(): free and total swap in pages, as sysinfo and /proc/meminfo's
 * SwapFree/SwapTotal show them (a device being switched off counts its slots in use as free
 * and used alike, as the kernel does). Either pointer may be NULL.
 */
void si_swapinfo(const struct kmm_kernel *k, unsigned long *freeswap, unsigned long *totalswap);

/* ---- swapon/swapoff (swapfile.c) ---------------------------------------------------------- */

/* What swapon takes: a device (plain or zram) and swapon(2)'s flags. */
enum swap_dev_kind {
	SWAP_DEV_PLAIN, /* a disk-like device: asynchronous, solid-state; host memory or file */
	SWAP_DEV_ZRAM,	/* zram0..: compressed (zsmalloc pages from the buddy), synchronous */
};

/*
 * Models: SYSCALL_DEFINE2(swapon): switches on swap on the device @dev (made by page_io.c's
 * swap_dev_create, owned by the device table from then on only if this returns 0). Returns
 * 0, or -EPERM/-EINVAL (bad flags, size too small for a header and one slot)/-EBUSY (the
 * device is already swap)/-ENOMEM, with nothing changed and @dev still the caller's.
 */
int sys_swapon(struct kmm_kernel *k, struct swap_dev *dev, int swap_flags);

/*
 * Models: SYSCALL_DEFINE1(swapoff): switches off the device named @name. Returns 0, or
 * -ENOENT (no such swap device), -EINVAL, -ENOMEM (not enough memory to take its pages
 * back: the device stays on, nothing lost), -EBUSY (slots still in use and try_to_unuse is
 * not available yet), with the device untouched on error.
 */
int sys_swapoff(struct kmm_kernel *k, const char *name);

/* Models: /proc/swaps (swap_show()), the kernel's format to the byte. */
struct sink;
void show_swaps(const struct kmm_kernel *k, const struct sink *out);
/* Active swap devices (the rows of /proc/swaps). */
unsigned int swap_nr_active(const struct kmm_kernel *k);
/* The zram device named @name ("/dev/zram0") that is swap now, or NULL. */
struct zram *swap_find_zram(const struct kmm_kernel *k, const char *name);
/*
 * /sys/block/zramN/{mm_stat,disksize,comp_algorithm} of a zram device that is swap:
 * 0, or -ENOENT (no such file) with nothing written.
 */
int show_sys_block(const struct kmm_kernel *k, const char *path, const struct sink *out);

/* ---- page_io.c ---------------------------------------------------------------------------- */

/*
 * A backing store (page_io.c): @kind's device named @name (e.g. "/dev/zram0", "/dev/vdb")
 * of @bytes (whole pages; the kernel's mkswap header takes slot 0), contents in host memory
 * charged to the machine's budget, or for a plain device in the host file @host_path (NULL:
 * memory). zram's disksize is @bytes rounded up to a page (PAGE_ALIGN, as disksize_store).
 * Returns 0 and *@out, or -EINVAL (size 0 or absurd, bad name)/-ENOMEM/-EIO (host file).
 */
int swap_dev_create(struct kmm_kernel *k, enum swap_dev_kind kind, const char *name, uint64_t bytes,
		    const char *host_path, struct swap_dev **out);
/* Frees a device that is not (or no longer) swap; NULL is a no-op. */
void swap_dev_destroy(struct kmm_kernel *k, struct swap_dev *dev);
/* The device's pages (disksize / PAGE_SIZE) and name. */
unsigned long swap_dev_pages(const struct swap_dev *dev);
const char *swap_dev_name(const struct swap_dev *dev);
/* True for a device with rw_page and synchronous bios (zram): SWP_SYNCHRONOUS_IO. */
bool swap_dev_synchronous(const struct swap_dev *dev);
/* The zram behind @dev, or NULL (a plain device, or NULL). */
struct zram *swap_dev_zram(const struct swap_dev *dev);
/* Models: swap_slot_free_notify: slot @offset was freed; the device drops its data. */
void swap_dev_free_slot(struct kmm_kernel *k, struct swap_dev *dev, unsigned long offset);
/* Completes every request in flight on @dev now (the clock idles up to each one's time). */
void swap_dev_drain(struct kmm_kernel *k, struct swap_dev *dev);
/* page_io.c's invariants for @dev (and zram's); false with the reason in @why. */
bool swap_dev_check(const struct kmm_kernel *k, const struct swap_dev *dev, char *why,
		    size_t whylen);

/*
 * Models: swap_writepage()/__swap_writepage(): writes the locked, swap-cached @page to its
 * slot (page_private). pswpout counts the folio's pages; a device taking bios (the plain
 * device, or zram for a large folio) also counts pgpgout sectors. A synchronous device
 * (zram's rw_page) stores and completes at once: the page comes back unlocked, not under
 * writeback. An asynchronous one sets PG_writeback, unlocks the page, and ends writeback
 * later on the simulated clock. Returns 0, or -ENOMEM (zram: over mem_limit or host memory
 * exhausted; the page stays dirty and locked's caller gets it back unlocked, nothing lost).
 */
int swap_writepage(struct kmm_kernel *k, struct page *page, struct writeback_control *wbc);

/*
 * Models: swap_readpage(): reads the locked @page's slot (page_private) into it. pswpin
 * counts; @synchronous (or a synchronous device) completes at once: PG_uptodate set, page
 * unlocked. Otherwise completion (uptodate, unlock) happens later on the simulated clock. A
 * read error leaves PG_uptodate clear and unlocks the page.
 */
void swap_readpage(struct kmm_kernel *k, struct page *page, bool synchronous);

/* Completes every swap request in flight on every device (tests; the evq does it in time). */
void swap_io_drain(struct kmm_kernel *k);

#endif /* KMM_MM_SWAPFILE_H */
