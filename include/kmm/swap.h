/*
 * libkmm public API: swap devices — switching swap on and off (swapon(2)/swapoff(2) with the
 * kernel's checks, errors and priorities), zram set-up, and the numbers /proc/swaps,
 * /proc/meminfo and /sys/block/zramN/mm_stat show.
 *
 * Two kinds of device: a plain disk-like device (asynchronous: writes complete later on the
 * simulated clock; its contents in host memory, charged to the machine's host-memory budget,
 * or in a host file), and zram (pages LZO1X-1 compressed in host memory, same-filled pages
 * kept as one word, incompressible ones whole; synchronous). Each kmm_swapon() makes the
 * device and runs mkswap and swapon on it; kmm_swapoff() switches it off and frees it.
 *
 * Outcomes follow the kernel: KMM_EINVAL for unknown flags, a device too small for mkswap
 * (under 10 pages) or too large for the host, or a name that is not an active swap device
 * at swapoff; KMM_EBUSY for a device that is swap already, or (until the swap cache's
 * try_to_unuse is in) a swapoff while slots are in use; KMM_ENOMEM when swapoff could not
 * take the pages back into memory; KMM_EPERM beyond 28 devices (MAX_SWAPFILES).
 */
#ifndef KMM_SWAP_H
#define KMM_SWAP_H

#include <kmm/types.h>

#ifdef __cplusplus
extern "C" {
#endif

struct kmm_machine;

/* swapon(2) flags, with the kernel's values. */
#define KMM_SWAP_FLAG_PREFER	    0x8000
#define KMM_SWAP_FLAG_PRIO_MASK	    0x7fff
#define KMM_SWAP_FLAG_DISCARD	    0x10000
#define KMM_SWAP_FLAG_DISCARD_ONCE  0x20000
#define KMM_SWAP_FLAG_DISCARD_PAGES 0x40000

enum kmm_swap_kind {
	KMM_SWAP_PLAIN = 0, /* a disk: asynchronous, host memory or a host file */
	KMM_SWAP_ZRAM = 1,  /* zram: compressed, synchronous (SWP_SYNCHRONOUS_IO) */
};

/* What to switch on. */
struct kmm_swap_config {
	enum kmm_swap_kind kind;
	const char *name;	 /* "/dev/zram0", "/dev/vdb", ...: /proc/swaps' Filename */
	uint64_t bytes;		 /* device size; zram rounds it up to a page (its disksize) */
	const char *host_path;	 /* plain device only: keep its contents in this host file */
	int swap_flags;		 /* KMM_SWAP_FLAG_PREFER | priority, discard flags (accepted) */
	uint64_t zram_mem_limit; /* zram only: mem_limit in bytes (0: none) */
};

/* mkswap + swapon of a new device. */
KMM_API enum kmm_status kmm_swapon(struct kmm_machine *m, const struct kmm_swap_config *cfg);

/* swapoff(2) of the active device @name; the device and its contents are freed. */
KMM_API enum kmm_status kmm_swapoff(struct kmm_machine *m, const char *name);

/* zram's /sys/block/zramN/mm_stat, field by field (bytes, then counts). */
struct kmm_zram_stat {
	uint64_t orig_data_size, compr_data_size, mem_used_total, mem_limit, mem_used_max;
	uint64_t same_pages, pages_compacted, huge_pages, huge_pages_since;
	uint64_t disksize;
};

struct kmm_swap_stats {
	uint64_t total_kb, free_kb;	/* SwapTotal, SwapFree */
	unsigned int nr_devices;	/* active */
	uint64_t pswpin, pswpout;	/* pages read and written (vmstat) */
	uint64_t pgpgin_kb, pgpgout_kb; /* block I/O of every device, as /proc/vmstat shows it */
};

KMM_API enum kmm_status kmm_swap_stats(struct kmm_machine *m, struct kmm_swap_stats *st);

/* mm_stat of the active zram device @name ("/dev/zram0"). KMM_ENOENT if there is none. */
KMM_API enum kmm_status kmm_zram_stat(struct kmm_machine *m, const char *name,
				      struct kmm_zram_stat *st);

#ifdef __cplusplus
}
#endif

#endif /* KMM_SWAP_H */
