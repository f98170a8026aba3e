/*
 * Swap devices and their slots.
 *
 * A swap device is an array of page-sized slots. Slot 0 holds mkswap's header and is never
 * handed out; every other slot has one count byte in swap_map (swapfile.h draws the
 * encoding): the page-table references of the entry plus SWAP_HAS_CACHE while a folio in the
 * swap cache holds it. A slot is free when its byte is 0. The slots are grouped in clusters
 * of SWAPFILE_CLUSTER (512: CONFIG_THP_SWAP=y in the captured config, so one PMD); each
 * cluster counts its slots in use, and the free clusters form a list threaded through the
 * cluster array. Each CPU allocates from its own cluster (percpu_cluster) until it is full,
 * then takes the head of the free list; a THP takes one whole free cluster. When no cluster
 * is free a linear scan from the CPU's cluster_next_cpu finds single slots.
 *
 * The initial free-list order is the kernel's: cluster j of each of SWAP_CLUSTER_COLS = 32
 * columns in turn (0, 32, 64, ..., 1, 33, ...), skipping clusters that hold the header or
 * the tail beyond the device; so the first slot a fresh device hands out is 32 * 512 =
 * 16384. Devices are ordered by priority (higher first); among equal priorities the
 * allocator takes them in turn (plist_requeue). A device without SWAP_FLAG_PREFER gets
 * -2, -3, ... (least_priority, from -1 down), and swapoff of such a device moves the ones
 * after it up by one.
 *
 * Models: mm/swapfile.c (Linux 6.1.192): alloc_swap_info, setup_swap_info,
 *         setup_swap_map_and_extents, the cluster list (cluster_list_*, alloc_cluster,
 *         free_cluster, inc/dec_cluster_info_page), scan_swap_map_try_ssd_cluster,
 *         scan_swap_map_ssd_cluster_conflict, scan_swap_map_slots, swap_alloc_cluster,
 *         swap_range_alloc/free, set_cluster_next, get_swap_pages, __swap_duplicate,
 *         swap_duplicate, swap_shmem_alloc, swapcache_prepare, __swap_entry_free_locked,
 * swap_entry_free, swap_free, put_swap_folio, swap_free_cluster, __swap_count, swap_swapcount,
 *         swp_swapcount, get_swap_device, si_swapinfo, the swapon/swapoff syscalls,
 *         swap_show; mm/swap_slots.c:folio_alloc_swap (the large-folio and the direct path);
 *         include/linux/swap.h: vm_swap_full, get_nr_swap_pages.
 * Deviation: every device is solid-state (SWP_SOLIDSTATE, clusters): the rotational
 *         allocator (cluster_nr/cluster_next scanning) is not modelled. The per-CPU swap
 *         slots cache (swap_slots.c: batches of SWAP_BATCH slots taken and returned) is
 *         not modelled: a slot is allocated and freed one at a time, so SwapFree never lags.
 *         Count continuations (COUNT_CONTINUED pages) are not modelled: swap_duplicate past
 *         SWAP_MAP_MAX returns -ENOMEM. No discard, no swap extents (one extent, as for a
 *         block device), no memcg swap charging, no NUMA avail lists (one priority list;
 *         zram's disk has node NUMA_NO_NODE, so the kernel's per-node lists are the same).
 *         swap_map and cluster_info live in host memory (the kernel's vzalloc/kvcalloc) and
 *         are charged to the host budget; swap_info_struct comes from kzalloc.
 *         The vm_swap_full() reuse of cache-only slots inside the scan, and swapoff's
 *         try_to_unuse(), need the swap cache (swap_state.c) and wait for it: until then
 *         swapoff of a device with slots in use fails with -EBUSY, nothing lost.
 *
 * Invariants (swap_check):
 *  1. For each device on: inuse_pages = the number of slots 1..max-1 whose byte is neither
 *     0 nor SWAP_MAP_BAD; swap_map[0] = SWAP_MAP_BAD; pages = max - 1.
 *  2. Each cluster's count is the number of its slots with a non-zero byte, plus the slots
 *     beyond max in the last one; a cluster is on the free list iff its count is 0 and it
 *     carries CLUSTER_FLAG_FREE; the list has no cycle.
 *  3. Every free slot lies in [lowest_bit, highest_bit] (a full device: highest_bit 0).
 *  4. nr_swap_pages = the sum of pages - inuse_pages over devices taking writes;
 *     total_swap_pages = the sum of pages over them.
 *  5. The active list is sorted by priority (higher first); the avail list holds exactly
 *     the writable devices with a free slot, in the same order up to rotation among equals.
 */
#include "mm/swapfile.h"

#include "drivers/zram.h"
#include "lib/sink.h"
#include "mm/internal.h"
#include "mm/mmap.h"
#include "mm/page-flags.h"
#include "mm/pagemap.h"
#include "mm/slab.h"
#include "mm/swap_state.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

/* Columns of the initial free-cluster order (see the essay): max(64/8, 16384/512). */
#define SWAP_CLUSTER_COLS	 32
#define SWAP_ADDRESS_SPACE_SHIFT 14
#define SWAP_ADDRESS_SPACE_PAGES (1u << SWAP_ADDRESS_SPACE_SHIFT)

struct swap_state {
	struct swap_info_struct *swap_info[MAX_SWAPFILES];
	uint64_t swap_info_va[MAX_SWAPFILES]; /* kzalloc'd */
	unsigned int nr_swapfiles;
	int least_priority;
	long nr_swap_pages;
	long total_swap_pages;
	/* swap_active_head and swap_avail_head: device types in plist order. */
	unsigned char active[MAX_SWAPFILES], avail[MAX_SWAPFILES];
	int nr_active, nr_avail;
};

/* ---- the priority lists -------------------------------------------------------------------- */

/* Inserts @type after every entry of priority >= its own (plist_add keeps FIFO among equals). */
static void plist_insert(const struct swap_state *ss, unsigned char *list, int *nr,
			 unsigned int type)
{
	int prio = ss->swap_info[type]->prio, i = 0;

	while (i < *nr && ss->swap_info[list[i]]->prio >= prio)
		i++;
	memmove(list + i + 1, list + i, (size_t)(*nr - i));
	list[i] = (unsigned char)type;
	(*nr)++;
}

static bool plist_remove(unsigned char *list, int *nr, unsigned int type)
{
	for (int i = 0; i < *nr; i++) {
		if (list[i] != type)
			continue;
		memmove(list + i, list + i + 1, (size_t)(*nr - i - 1));
		(*nr)--;
		return true;
	}
	return false;
}

/* Models: plist_requeue(): @type goes behind the other entries of its priority. */
static void plist_requeue(const struct swap_state *ss, unsigned char *list, int nr,
			  unsigned int type)
{
	int i = 0;

	while (i < nr && list[i] != type)
		i++;
	while (i + 1 < nr && ss->swap_info[list[i + 1]]->prio == ss->swap_info[type]->prio) {
		list[i] = list[i + 1];
		list[++i] = (unsigned char)type;
	}
}

static void add_to_avail_list(struct swap_state *ss, struct swap_info_struct *si)
{
	plist_remove(ss->avail, &ss->nr_avail, si->type);
	plist_insert(ss, ss->avail, &ss->nr_avail, si->type);
}

static void del_from_avail_list(struct swap_state *ss, struct swap_info_struct *si)
{
	plist_remove(ss->avail, &ss->nr_avail, si->type);
}

/* ---- the cluster list ------------------------------------------------------------------------ */

static unsigned int cluster_count(const struct swap_cluster_info *ci)
{
	return ci->data;
}

static bool cluster_is_free(const struct swap_cluster_info *ci)
{
	return ci->flags & CLUSTER_FLAG_FREE;
}

static bool cluster_is_null(const struct swap_cluster_info *ci)
{
	return ci->flags & CLUSTER_FLAG_NEXT_NULL;
}

static void cluster_set_null(struct swap_cluster_info *ci)
{
	ci->flags = CLUSTER_FLAG_NEXT_NULL;
	ci->data = 0;
}

static bool cluster_list_empty(const struct swap_cluster_list *list)
{
	return cluster_is_null(&list->head);
}

static unsigned int cluster_list_first(const struct swap_cluster_list *list)
{
	return list->head.data;
}

/* Models: cluster_list_add_tail(). */
static void cluster_list_add_tail(struct swap_cluster_list *list, struct swap_cluster_info *ci,
				  unsigned int idx)
{
	if (cluster_list_empty(list)) {
		list->head.flags = 0;
		list->head.data = idx;
	} else {
		struct swap_cluster_info *tail = &ci[list->tail.data];

		tail->data = idx; /* a free cluster's data is the next one's index */
	}
	list->tail.flags = 0;
	list->tail.data = idx;
}

/* Models: cluster_list_del_first(). */
static unsigned int cluster_list_del_first(struct swap_cluster_list *list,
					   struct swap_cluster_info *ci)
{
	unsigned int idx = list->head.data;

	if (list->tail.data == idx) {
		cluster_set_null(&list->head);
		cluster_set_null(&list->tail);
	} else {
		list->head.flags = 0;
		list->head.data = ci[idx].data;
	}
	return idx;
}

/* Models: alloc_cluster(): the head of the free list becomes a cluster in use. */
static void alloc_cluster(struct swap_info_struct *si, unsigned int idx)
{
	struct swap_cluster_info *ci = si->cluster_info;

	cluster_list_del_first(&si->free_clusters, ci);
	ci[idx].flags = 0;
	ci[idx].data = 0;
}

/* Models: free_cluster()/__free_cluster() (no discard): to the tail of the free list. */
static void free_cluster(struct swap_info_struct *si, unsigned int idx)
{
	si->cluster_info[idx].flags = CLUSTER_FLAG_FREE;
	si->cluster_info[idx].data = 0;
	cluster_list_add_tail(&si->free_clusters, si->cluster_info, idx);
}

/* Models: inc_cluster_info_page(). */
static void inc_cluster_info_page(struct swap_info_struct *si, unsigned long offset)
{
	unsigned int idx = (unsigned int)(offset / SWAPFILE_CLUSTER);
	struct swap_cluster_info *ci = &si->cluster_info[idx];

	if (cluster_is_free(ci))
		alloc_cluster(si, idx);
	ci->data++;
}

/* Models: dec_cluster_info_page(). */
static void dec_cluster_info_page(struct swap_info_struct *si, unsigned long offset)
{
	unsigned int idx = (unsigned int)(offset / SWAPFILE_CLUSTER);
	struct swap_cluster_info *ci = &si->cluster_info[idx];

	ci->data--;
	if (!cluster_count(ci))
		free_cluster(si, idx);
}

/* ---- slot ranges ----------------------------------------------------------------------------- */

static struct swap_state *SS(const struct kmm_kernel *k)
{
	return k->swap;
}

/* Models: swap_range_alloc(). */
static void swap_range_alloc(struct kmm_kernel *k, struct swap_info_struct *si,
			     unsigned long offset, unsigned int nr)
{
	unsigned long end = offset + nr - 1;

	if (offset == si->lowest_bit)
		si->lowest_bit += nr;
	if (end == si->highest_bit)
		si->highest_bit -= nr;
	si->inuse_pages += nr;
	if (si->inuse_pages == si->pages) {
		si->lowest_bit = si->max;
		si->highest_bit = 0;
		del_from_avail_list(SS(k), si);
	}
}

/* Models: swap_range_free(): also zram's swap_slot_free_notify (the device drops the data). */
static void swap_range_free(struct kmm_kernel *k, struct swap_info_struct *si, unsigned long offset,
			    unsigned int nr)
{
	unsigned long end = offset + nr - 1;

	if (offset < si->lowest_bit)
		si->lowest_bit = (unsigned int)offset;
	if (end > si->highest_bit) {
		bool was_full = !si->highest_bit;

		si->highest_bit = (unsigned int)end;
		if (was_full && (si->flags & SWP_WRITEOK))
			add_to_avail_list(SS(k), si);
	}
	SS(k)->nr_swap_pages += nr;
	si->inuse_pages -= nr;
	for (unsigned long o = offset; o <= end; o++)
		swap_dev_free_slot(k, si->dev, o);
	clear_shadow_from_swap_cache(k, si->type, offset, end);
}

/* Models: set_cluster_next() for a solid-state device. */
static void set_cluster_next(struct kmm_kernel *k, struct swap_info_struct *si, unsigned long next)
{
	int cpu = smp_processor_id(k);
	unsigned long prev = si->cluster_next_cpu[cpu];

	if ((prev >> SWAP_ADDRESS_SPACE_SHIFT) != (next >> SWAP_ADDRESS_SPACE_SHIFT)) {
		if (si->highest_bit <= si->lowest_bit)
			return;
		next = si->lowest_bit + env_random(k->env) % (si->highest_bit - si->lowest_bit + 1);
		next &= ~(unsigned long)(SWAP_ADDRESS_SPACE_PAGES - 1);
		if (next < si->lowest_bit)
			next = si->lowest_bit;
	}
	si->cluster_next_cpu[cpu] = (unsigned int)next;
}

/* ---- allocation --------------------------------------------------------------------------------
 */

/* Models: scan_swap_map_ssd_cluster_conflict(). */
static bool scan_swap_map_ssd_cluster_conflict(struct kmm_kernel *k, struct swap_info_struct *si,
					       unsigned long offset)
{
	unsigned long idx = offset / SWAPFILE_CLUSTER;

	if (cluster_list_empty(&si->free_clusters) ||
	    idx == cluster_list_first(&si->free_clusters) ||
	    !cluster_is_free(&si->cluster_info[idx]))
		return false;
	cluster_set_null(&si->percpu_cluster[smp_processor_id(k)].index);
	return true;
}

/* Models: scan_swap_map_try_ssd_cluster(): the next free slot of this CPU's cluster. */
static bool scan_swap_map_try_ssd_cluster(struct kmm_kernel *k, struct swap_info_struct *si,
					  unsigned long *offset, unsigned long *scan_base)
{
	struct percpu_cluster *cluster = &si->percpu_cluster[smp_processor_id(k)];
	unsigned long tmp, max;

	for (;;) {
		if (cluster_is_null(&cluster->index)) {
			if (cluster_list_empty(&si->free_clusters))
				return false;
			cluster->index = si->free_clusters.head;
			cluster->next = cluster->index.data * SWAPFILE_CLUSTER;
		}
		tmp = cluster->next;
		max = (cluster->index.data + 1UL) * SWAPFILE_CLUSTER;
		if (max > si->max)
			max = si->max;
		while (tmp < max && si->swap_map[tmp])
			tmp++;
		if (tmp < max)
			break;
		cluster_set_null(&cluster->index);
	}
	cluster->next = (unsigned int)tmp + 1;
	*offset = tmp;
	*scan_base = tmp;
	return true;
}

/* Takes slot @offset (free) for @usage. */
static void take_slot(struct kmm_kernel *k, struct swap_info_struct *si, unsigned long offset,
		      unsigned char usage)
{
	si->swap_map[offset] = usage;
	inc_cluster_info_page(si, offset);
	swap_range_alloc(k, si, offset, 1);
}

/* The linear scan of scan_swap_map_slots' "scan:" label: a free slot, or 0. */
static unsigned long scan_linear(struct kmm_kernel *k, struct swap_info_struct *si,
				 unsigned long offset, unsigned long scan_base, bool full)
{
	unsigned long scanned = 0;

	while (++offset <= si->highest_bit) {
		if (!si->swap_map[offset] || (full && si->swap_map[offset] == SWAP_HAS_CACHE))
			goto found;
		scanned++;
	}
	for (offset = si->lowest_bit; offset < scan_base; offset++) {
		if (!si->swap_map[offset] || (full && si->swap_map[offset] == SWAP_HAS_CACHE))
			goto found;
		scanned++;
	}
	env_charge_n(k->env, COST_page_prep, scanned / LATENCY_LIMIT);
	return 0;
found:
	env_charge_n(k->env, COST_page_prep, scanned / LATENCY_LIMIT);
	return offset;
}

/*
 * Models: scan_swap_map_slots() for a solid-state device: up to @nr slots of @si with
 * @usage, from this CPU's cluster, then the free clusters, then a linear scan.
 */
static int scan_swap_map_slots(struct kmm_kernel *k, struct swap_info_struct *si,
			       unsigned char usage, int nr, swp_entry_t slots[])
{
	unsigned long offset, scan_base;
	int n_ret = 0, tries = 0;

	si->flags += SWP_SCANNING;
	scan_base = si->cluster_next_cpu[smp_processor_id(k)];
	offset = scan_base;
	if (!scan_swap_map_try_ssd_cluster(k, si, &offset, &scan_base))
		goto scan;
checks:
	while (scan_swap_map_ssd_cluster_conflict(k, si, offset)) {
		if (n_ret)
			goto done;
		if (!scan_swap_map_try_ssd_cluster(k, si, &offset, &scan_base))
			goto scan;
	}
	if (!(si->flags & SWP_WRITEOK) || !si->highest_bit)
		goto no_page;
	if (offset > si->highest_bit)
		scan_base = offset = si->lowest_bit;
	/*
	 * Reuse a slot only the swap cache holds, if its folio can go (swap over half full).
	 * Deviation: at most LATENCY_LIMIT tries per call, so folios that cannot go (under
	 * writeback) never keep the scan coming back to them.
	 */
	if (vm_swap_full(k) && si->swap_map[offset] == SWAP_HAS_CACHE && tries++ < LATENCY_LIMIT &&
	    __try_to_reclaim_swap(k, swp_entry(si->type, offset), TTRS_ANYWAY) > 0)
		goto checks;
	if (si->swap_map[offset]) {
		if (!n_ret)
			goto scan;
		goto done;
	}
	take_slot(k, si, offset, usage);
	slots[n_ret++] = swp_entry(si->type, offset);
	if (n_ret == nr || offset >= si->highest_bit)
		goto done;
	if (scan_swap_map_try_ssd_cluster(k, si, &offset, &scan_base))
		goto checks;
	/* No free cluster: a short scan onwards, with the lock held. */
	for (unsigned long limit = offset < scan_base ? scan_base : si->highest_bit, n = 0;
	     offset <= limit && ++n < LATENCY_LIMIT; offset++)
		if (!si->swap_map[offset])
			goto checks;
done:
	set_cluster_next(k, si, offset + 1);
	si->flags -= SWP_SCANNING;
	return n_ret;
scan:
	offset = scan_linear(k, si, offset, scan_base, vm_swap_full(k) && tries < LATENCY_LIMIT);
	if (offset)
		goto checks;
no_page:
	si->flags -= SWP_SCANNING;
	return n_ret;
}

/* Models: swap_alloc_cluster(): one whole free cluster with SWAP_HAS_CACHE, marked huge. */
static int swap_alloc_cluster(struct kmm_kernel *k, struct swap_info_struct *si, swp_entry_t *slot)
{
	unsigned int idx;
	unsigned long offset;

	if (cluster_list_empty(&si->free_clusters))
		return 0;
	idx = cluster_list_first(&si->free_clusters);
	offset = (unsigned long)idx * SWAPFILE_CLUSTER;
	alloc_cluster(si, idx);
	si->cluster_info[idx].data = SWAPFILE_CLUSTER;
	si->cluster_info[idx].flags = CLUSTER_FLAG_HUGE;
	memset(si->swap_map + offset, SWAP_HAS_CACHE, SWAPFILE_CLUSTER);
	swap_range_alloc(k, si, offset, SWAPFILE_CLUSTER);
	*slot = swp_entry(si->type, offset);
	return 1;
}

int get_swap_pages(struct kmm_kernel *k, int n_goal, swp_entry_t swp_entries[], int entry_size)
{
	struct swap_state *ss = SS(k);
	long avail_pgs;
	int n_ret = 0;

	if (!ss || (entry_size != 1 && entry_size != SWAPFILE_CLUSTER) || n_goal <= 0)
		return 0;
	avail_pgs = ss->nr_swap_pages / entry_size;
	if (avail_pgs <= 0)
		return 0;
	if (n_goal > SWAP_BATCH)
		n_goal = SWAP_BATCH;
	if (n_goal > avail_pgs)
		n_goal = (int)avail_pgs;
	ss->nr_swap_pages -= (long)n_goal * entry_size;

	/* Each device in avail order (a snapshot); the one tried goes behind its equals. */
	unsigned char order[MAX_SWAPFILES];
	int nr_order = ss->nr_avail;

	memcpy(order, ss->avail, (size_t)nr_order);
	for (int i = 0; i < nr_order && !n_ret; i++) {
		struct swap_info_struct *si = ss->swap_info[order[i]];

		plist_requeue(ss, ss->avail, ss->nr_avail, si->type);
		if (!si->highest_bit || !(si->flags & SWP_WRITEOK)) {
			del_from_avail_list(ss, si);
			continue;
		}
		if (entry_size == SWAPFILE_CLUSTER) {
			n_ret = swap_alloc_cluster(k, si, swp_entries);
			break; /* the kernel does not try the next device for a cluster */
		}
		n_ret = scan_swap_map_slots(k, si, SWAP_HAS_CACHE, n_goal, swp_entries);
	}
	/* The slots scan_swap_map_slots took came out of nr_swap_pages already (above). */
	if (n_ret < n_goal)
		ss->nr_swap_pages += (long)(n_goal - n_ret) * entry_size;
	return n_ret;
}

swp_entry_t folio_alloc_swap(struct kmm_kernel *k, struct folio *folio)
{
	swp_entry_t entry = {0};
	unsigned long nr = folio_nr_pages(folio);

	if (nr == 1 || nr == SWAPFILE_CLUSTER) /* arm64 without MTE: THP swap supported */
		get_swap_pages(k, 1, &entry, (int)nr);
	return entry;
}

/* ---- lookups -----------------------------------------------------------------------------------
 */

struct swap_info_struct *swp_swap_info(const struct kmm_kernel *k, swp_entry_t entry)
{
	const struct swap_state *ss = SS(k);
	unsigned int type = swp_type(entry);

	if (!ss || type >= ss->nr_swapfiles || !ss->swap_info[type])
		return NULL;
	return (ss->swap_info[type]->flags & SWP_USED) ? ss->swap_info[type] : NULL;
}

struct swap_info_struct *get_swap_device(struct kmm_kernel *k, swp_entry_t entry)
{
	struct swap_info_struct *si = swp_swap_info(k, entry);

	if (!entry.val || !si || !(si->flags & SWP_USED) || swp_offset(entry) >= si->max)
		return NULL;
	return si;
}

/* Models: _swap_info_get(): the device of a used entry, or NULL with the kernel's message. */
static struct swap_info_struct *_swap_info_get(struct kmm_kernel *k, swp_entry_t entry)
{
	const struct swap_state *ss = SS(k);
	unsigned int type = swp_type(entry);
	const char *what;
	struct swap_info_struct *si;

	if (!entry.val)
		return NULL;
	si = ss && type < ss->nr_swapfiles ? ss->swap_info[type] : NULL;
	if (!si)
		what = "Bad swap file entry ";
	else if (!(si->flags & SWP_USED))
		what = "Unused swap file entry ";
	else if (swp_offset(entry) >= si->max)
		what = "Bad swap offset entry ";
	else if (!si->swap_map[swp_offset(entry)])
		what = "Unused swap offset entry ";
	else
		return si;
	env_printk(k->env, "_swap_info_get: %s%08lx\n", what, entry.val);
	return NULL;
}

/* ---- counts -------------------------------------------------------------------------------------
 */

/* Models: __swap_duplicate() without continuations. */
static int __swap_duplicate(struct kmm_kernel *k, swp_entry_t entry, unsigned char usage)
{
	struct swap_info_struct *si = get_swap_device(k, entry);
	unsigned char count, has_cache;
	unsigned long offset;
	int err = 0;

	if (!si)
		return -EINVAL;
	offset = swp_offset(entry);
	count = si->swap_map[offset];
	if ((count & ~SWAP_HAS_CACHE) == SWAP_MAP_BAD)
		return -ENOENT;
	has_cache = count & SWAP_HAS_CACHE;
	count &= (unsigned char)~SWAP_HAS_CACHE;
	if (usage == SWAP_HAS_CACHE) {
		if (!has_cache && count)
			has_cache = SWAP_HAS_CACHE;
		else
			err = has_cache ? -EEXIST : -ENOENT;
	} else if (count || has_cache) {
		if (count < SWAP_MAP_MAX)
			count += usage;
		else
			err = -ENOMEM; /* the kernel adds a continuation page here */
	} else {
		err = -ENOENT;
	}
	if (!err)
		si->swap_map[offset] = count | has_cache;
	return err;
}

int swap_duplicate(struct kmm_kernel *k, swp_entry_t entry)
{
	int err = __swap_duplicate(k, entry, 1);

	return err == -EINVAL ? -ENOENT : err;
}

void swap_shmem_alloc(struct kmm_kernel *k, swp_entry_t entry)
{
	__swap_duplicate(k, entry, SWAP_MAP_SHMEM);
}

int swapcache_prepare(struct kmm_kernel *k, swp_entry_t entry)
{
	int err = __swap_duplicate(k, entry, SWAP_HAS_CACHE);

	return err == -EINVAL ? -ENOENT : err;
}

/*
 * Models: swap_page_trans_huge_swapped(): in a huge cluster (a THP in the swap cache), does
 * any slot still have a PTE reference? Outside one, just @entry's slot.
 */
static bool swap_huge_cluster_swapped(const struct swap_info_struct *si, swp_entry_t entry)
{
	unsigned long offset = swp_offset(entry), idx = offset / SWAPFILE_CLUSTER;

	if (!(si->cluster_info[idx].flags & CLUSTER_FLAG_HUGE) ||
	    cluster_is_free(&si->cluster_info[idx]))
		return si->swap_map[offset] & (unsigned char)~SWAP_HAS_CACHE;
	for (unsigned long i = idx * SWAPFILE_CLUSTER; i < (idx + 1) * SWAPFILE_CLUSTER; i++)
		if (si->swap_map[i] & (unsigned char)~SWAP_HAS_CACHE)
			return true;
	return false;
}

/* Models: __swap_entry_free_locked(): drops @usage; returns what is left (0: free it). */
static unsigned char __swap_entry_free_locked(struct swap_info_struct *si, unsigned long offset,
					      unsigned char usage)
{
	unsigned char count = si->swap_map[offset];
	unsigned char has_cache = count & SWAP_HAS_CACHE;

	count &= (unsigned char)~SWAP_HAS_CACHE;
	if (usage == SWAP_HAS_CACHE)
		has_cache = 0;
	else if (count == SWAP_MAP_SHMEM)
		count = 0;
	else if (count && count <= SWAP_MAP_MAX)
		count--;
	usage = count | has_cache;
	si->swap_map[offset] = usage ? usage : SWAP_HAS_CACHE;
	return usage;
}

/* Models: swap_entry_free() (reached through free_swap_slot, no slots cache). */
static void swap_entry_free(struct kmm_kernel *k, struct swap_info_struct *si, unsigned long offset)
{
	si->swap_map[offset] = 0;
	dec_cluster_info_page(si, offset);
	swap_range_free(k, si, offset, 1);
}

void swap_free(struct kmm_kernel *k, swp_entry_t entry)
{
	struct swap_info_struct *si = _swap_info_get(k, entry);

	if (si && !__swap_entry_free_locked(si, swp_offset(entry), 1))
		swap_entry_free(k, si, swp_offset(entry));
}

bool free_swap_and_cache(struct kmm_kernel *k, swp_entry_t entry)
{
	struct swap_info_struct *si;
	unsigned char count;

	if (non_swap_entry(entry))
		return true;
	si = _swap_info_get(k, entry);
	if (!si)
		return false;
	count = __swap_entry_free_locked(si, swp_offset(entry), 1);
	if (!count)
		swap_entry_free(k, si, swp_offset(entry));
	else if (count == SWAP_HAS_CACHE && !swap_huge_cluster_swapped(si, entry))
		__try_to_reclaim_swap(k, entry, TTRS_UNMAPPED | TTRS_FULL);
	return true;
}

/* Models: swap_free_cluster(): a whole huge cluster back at once. */
static void swap_free_cluster(struct kmm_kernel *k, struct swap_info_struct *si, unsigned int idx)
{
	unsigned long offset = (unsigned long)idx * SWAPFILE_CLUSTER;

	memset(si->swap_map + offset, 0, SWAPFILE_CLUSTER);
	si->cluster_info[idx].data = 0;
	si->cluster_info[idx].flags = 0;
	free_cluster(si, idx);
	swap_range_free(k, si, offset, SWAPFILE_CLUSTER);
}

void put_swap_folio(struct kmm_kernel *k, struct folio *folio, swp_entry_t entry)
{
	struct swap_info_struct *si = _swap_info_get(k, entry);
	unsigned long offset = swp_offset(entry), size = folio_nr_pages(folio);

	if (!si)
		return;
	if (size == SWAPFILE_CLUSTER) {
		unsigned int idx = (unsigned int)(offset / SWAPFILE_CLUSTER), free_entries = 0;

		for (unsigned long i = 0; i < SWAPFILE_CLUSTER; i++)
			free_entries += si->swap_map[offset + i] == SWAP_HAS_CACHE;
		si->cluster_info[idx].flags &= (unsigned)~CLUSTER_FLAG_HUGE;
		if (free_entries == SWAPFILE_CLUSTER) {
			swap_free_cluster(k, si, idx);
			return;
		}
	}
	for (unsigned long i = 0; i < size; i++)
		if (!__swap_entry_free_locked(si, offset + i, SWAP_HAS_CACHE))
			swap_entry_free(k, si, offset + i);
}

/* Models: split_swap_cluster(): a huge cluster's THP was split; its slots go on singly. */
void split_swap_cluster(struct kmm_kernel *k, swp_entry_t entry)
{
	struct swap_info_struct *si = swp_swap_info(k, entry);

	if (si && si->cluster_info)
		si->cluster_info[swp_offset(entry) / SWAPFILE_CLUSTER].flags &=
			(unsigned)~CLUSTER_FLAG_HUGE;
}

static unsigned char swap_count(unsigned char ent)
{
	return ent & (unsigned char)~SWAP_HAS_CACHE;
}

int swap_swapcount(struct swap_info_struct *si, swp_entry_t entry)
{
	unsigned long offset = swp_offset(entry);

	if (!si || offset >= si->max)
		return 0;
	return swap_count(si->swap_map[offset]);
}

int __swap_count(struct kmm_kernel *k, swp_entry_t entry)
{
	return swap_swapcount(get_swap_device(k, entry), entry);
}

int swp_swapcount(struct kmm_kernel *k, swp_entry_t entry)
{
	return swap_swapcount(_swap_info_get(k, entry), entry);
}

bool swap_slots_swapped(struct kmm_kernel *k, swp_entry_t entry, int nr)
{
	struct swap_info_struct *si = get_swap_device(k, entry);

	for (int i = 0; si && i < nr && swp_offset(entry) + (unsigned)i < si->max; i++)
		if (swap_count(si->swap_map[swp_offset(entry) + (unsigned)i]))
			return true;
	return false;
}

unsigned char swap_map_byte(const struct kmm_kernel *k, swp_entry_t entry)
{
	const struct swap_info_struct *si = swp_swap_info(k, entry);

	if (!si || swp_offset(entry) >= si->max)
		return 0;
	return si->swap_map[swp_offset(entry)];
}

/* ---- totals ------------------------------------------------------------------------------------
 */

long get_nr_swap_pages(const struct kmm_kernel *k)
{
	return SS(k) ? SS(k)->nr_swap_pages : 0;
}

long total_swap_pages(const struct kmm_kernel *k)
{
	return SS(k) ? SS(k)->total_swap_pages : 0;
}

bool vm_swap_full(const struct kmm_kernel *k)
{
	long total = total_swap_pages(k);

	return (total - get_nr_swap_pages(k)) * 2 > total;
}

void si_swapinfo(const struct kmm_kernel *k, unsigned long *freeswap, unsigned long *totalswap)
{
	const struct swap_state *ss = SS(k);
	long nr_to_be_unused = 0, fr = 0, tot = 0;

	if (ss) {
		for (unsigned int type = 0; type < ss->nr_swapfiles; type++) {
			const struct swap_info_struct *si = ss->swap_info[type];

			if ((si->flags & SWP_USED) && !(si->flags & SWP_WRITEOK))
				nr_to_be_unused += si->inuse_pages;
		}
		fr = ss->nr_swap_pages + nr_to_be_unused;
		tot = ss->total_swap_pages + nr_to_be_unused;
	}
	if (freeswap)
		*freeswap = (unsigned long)fr;
	if (totalswap)
		*totalswap = (unsigned long)tot;
}

/* ---- swapon / swapoff -------------------------------------------------------------------------
 */

/* Models: alloc_swap_info(): the first unused type (a struct from kzalloc, kept for reuse). */
static struct swap_info_struct *alloc_swap_info(struct kmm_kernel *k, int *err)
{
	struct swap_state *ss = SS(k);
	unsigned int type;

	for (type = 0; type < ss->nr_swapfiles; type++)
		if (!(ss->swap_info[type]->flags & SWP_USED))
			break;
	if (type >= MAX_SWAPFILES) {
		*err = -EPERM;
		return NULL;
	}
	if (type >= ss->nr_swapfiles) {
		uint64_t va = kzalloc(k, sizeof(struct swap_info_struct), GFP_KERNEL);

		if (!va) {
			*err = -ENOMEM;
			return NULL;
		}
		ss->swap_info_va[type] = va;
		ss->swap_info[type] = (struct swap_info_struct *)kmem_host(
			k, va, sizeof(struct swap_info_struct));
		ss->nr_swapfiles++;
	}
	memset(ss->swap_info[type], 0, sizeof(struct swap_info_struct));
	ss->swap_info[type]->type = type;
	ss->swap_info[type]->flags = SWP_USED;
	return ss->swap_info[type];
}

static void free_swap_maps(struct kmm_kernel *k, struct swap_info_struct *si)
{
	env_free(k->env, si->swap_map);
	env_free(k->env, si->cluster_info);
	env_free(k->env, si->percpu_cluster);
	env_free(k->env, si->cluster_next_cpu);
	si->swap_map = NULL;
	si->cluster_info = NULL;
	si->percpu_cluster = NULL;
	si->cluster_next_cpu = NULL;
}

/* Models: setup_swap_map_and_extents() (no bad pages): header slot, tail, free clusters. */
static void setup_swap_map(struct swap_info_struct *si, unsigned long maxpages)
{
	unsigned long nr_clusters = (maxpages + SWAPFILE_CLUSTER - 1) / SWAPFILE_CLUSTER;
	unsigned long col = si->cluster_next / SWAPFILE_CLUSTER % SWAP_CLUSTER_COLS;
	unsigned long rows = (nr_clusters + SWAP_CLUSTER_COLS - 1) / SWAP_CLUSTER_COLS;

	cluster_set_null(&si->free_clusters.head);
	cluster_set_null(&si->free_clusters.tail);
	for (unsigned long i = maxpages; i < nr_clusters * SWAPFILE_CLUSTER; i++)
		si->cluster_info[i / SWAPFILE_CLUSTER].data++;
	si->swap_map[0] = SWAP_MAP_BAD;
	si->cluster_info[0].data++;
	si->max = (unsigned int)maxpages;
	si->pages = (unsigned int)(maxpages - 1);
	for (unsigned long c = 0; c < SWAP_CLUSTER_COLS; c++) {
		unsigned long j = (c + col) % SWAP_CLUSTER_COLS;

		for (unsigned long i = 0; i < rows; i++) {
			unsigned long idx = i * SWAP_CLUSTER_COLS + j;

			if (idx >= nr_clusters || cluster_count(&si->cluster_info[idx]))
				continue;
			si->cluster_info[idx].flags = CLUSTER_FLAG_FREE;
			cluster_list_add_tail(&si->free_clusters, si->cluster_info,
					      (unsigned int)idx);
		}
	}
}

static int swapon_maps(struct kmm_kernel *k, struct swap_info_struct *si, unsigned long maxpages)
{
	unsigned long nr_clusters = (maxpages + SWAPFILE_CLUSTER - 1) / SWAPFILE_CLUSTER;
	uint64_t room = k->env->host_budget > env_host_charged(k->env)
				? k->env->host_budget - env_host_charged(k->env)
				: 0;
	uint64_t need = maxpages + nr_clusters * sizeof(struct swap_cluster_info);

	if (need > room / 2)
		return -ENOMEM; /* the host would pay too much for the map: refused, not killed */
	si->swap_map = env_alloc(k->env, maxpages);
	si->cluster_info = env_alloc(k->env, nr_clusters * sizeof(struct swap_cluster_info));
	si->percpu_cluster = env_alloc(k->env, (size_t)k->nr_cpus * sizeof(*si->percpu_cluster));
	si->cluster_next_cpu = env_alloc(k->env, (size_t)k->nr_cpus * sizeof(unsigned int));
	if (!si->swap_map || !si->cluster_info || !si->percpu_cluster || !si->cluster_next_cpu) {
		free_swap_maps(k, si);
		return -ENOMEM;
	}
	si->cluster_next = 1;
	si->lowest_bit = 1;
	si->highest_bit = (unsigned int)maxpages - 1;
	for (int cpu = 0; cpu < k->nr_cpus; cpu++) {
		cluster_set_null(&si->percpu_cluster[cpu].index);
		si->cluster_next_cpu[cpu] =
			1 + (unsigned int)(env_random(k->env) % si->highest_bit);
	}
	setup_swap_map(si, maxpages);
	return 0;
}

/* Models: setup_swap_info() and _enable_swap_info(): priority, counters, the lists. */
static void enable_swap_info(struct kmm_kernel *k, struct swap_info_struct *si, int prio)
{
	struct swap_state *ss = SS(k);

	si->prio = (signed short)(prio >= 0 ? prio : --ss->least_priority);
	si->flags |= SWP_WRITEOK;
	ss->nr_swap_pages += si->pages;
	ss->total_swap_pages += si->pages;
	plist_insert(ss, ss->active, &ss->nr_active, si->type);
	add_to_avail_list(ss, si);
}

int sys_swapon(struct kmm_kernel *k, struct swap_dev *dev, int swap_flags)
{
	struct swap_state *ss = SS(k);
	struct swap_info_struct *si;
	unsigned long maxpages;
	int prio = -1, err = 0;

	if (!ss || !dev)
		return -EINVAL;
	if (swap_flags & ~SWAP_FLAGS_VALID)
		return -EINVAL;
	for (unsigned int t = 0; t < ss->nr_swapfiles; t++)
		if ((ss->swap_info[t]->flags & SWP_USED) && ss->swap_info[t]->dev == dev)
			return -EBUSY; /* claim_swapfile: the block device is held exclusively */
	maxpages = swap_dev_pages(dev);
	if (maxpages < MKSWAP_MIN_PAGES)
		return -EINVAL; /* no valid swap header: mkswap refuses a device this small */
	if (maxpages - 1 > SWP_OFFSET_MASK || maxpages > UINT32_MAX / 2)
		return -EINVAL;
	si = alloc_swap_info(k, &err);
	if (!si)
		return err;
	err = swapon_maps(k, si, maxpages);
	if (err) {
		si->flags = 0;
		return err;
	}
	err = init_swap_address_space(k, si->type, maxpages);
	if (err) {
		free_swap_maps(k, si);
		si->flags = 0;
		return err;
	}
	si->dev = dev;
	snprintf(si->name, sizeof(si->name), "%s", swap_dev_name(dev));
	si->flags |= SWP_BLKDEV | SWP_SOLIDSTATE | SWP_STABLE_WRITES;
	if (swap_dev_synchronous(dev))
		si->flags |= SWP_SYNCHRONOUS_IO;
	if (swap_flags & SWAP_FLAG_PREFER)
		prio = (swap_flags & SWAP_FLAG_PRIO_MASK) >> SWAP_FLAG_PRIO_SHIFT;
	enable_swap_info(k, si, prio);
	/* CONFIG_ZSWAP=y registers frontswap at boot, so every swapon has a frontswap map. */
	env_printk(k->env, "Adding %uk swap on %s.  Priority:%d extents:1 across:%uk SSFS\n",
		   si->pages << (PAGE_SHIFT - 10), si->name, si->prio,
		   si->pages << (PAGE_SHIFT - 10));
	return 0;
}

/*
 * Models: security_vm_enough_memory_mm(current->mm, p->pages) in swapoff, for a caller with
 * CAP_SYS_ADMIN and no mm of its own to weigh (the user reserve is 0): may @pages be
 * committed? Nothing stays accounted (the kernel unaccounts at once).
 */
static bool swapoff_enough_memory(const struct kmm_kernel *k, long pages)
{
	if (k->sysctl_overcommit_memory == OVERCOMMIT_ALWAYS)
		return true;
	if (k->sysctl_overcommit_memory == OVERCOMMIT_GUESS)
		return pages <= k->totalram_pages + total_swap_pages(k);
	return vm_memory_committed(k) + (unsigned long)pages < vm_commit_limit(k);
}

int sys_swapoff(struct kmm_kernel *k, const char *name)
{
	struct swap_state *ss = SS(k);
	struct swap_info_struct *si = NULL;
	int err;

	if (!ss || !name)
		return -EINVAL;
	for (int i = 0; i < ss->nr_active; i++)
		if (!strcmp(ss->swap_info[ss->active[i]]->name, name))
			si = ss->swap_info[ss->active[i]];
	if (!si)
		return -EINVAL; /* the kernel's answer for a file that is not active swap */
	if (!swapoff_enough_memory(k, si->pages))
		return -ENOMEM;
	del_from_avail_list(ss, si);
	if (si->prio < 0) {
		/* Models: the ones after it (lower priority) move up; least_priority too. */
		bool after = false;

		for (int i = 0; i < ss->nr_active; i++) {
			if (after)
				ss->swap_info[ss->active[i]]->prio++;
			after |= ss->active[i] == si->type;
		}
		ss->least_priority++;
	}
	plist_remove(ss->active, &ss->nr_active, si->type);
	ss->nr_swap_pages -= si->pages;
	ss->total_swap_pages -= si->pages;
	si->flags &= ~(unsigned long)SWP_WRITEOK;
	err = try_to_unuse(k, si->type);
	if (err) {
		/* Models: reinsert_swap_info(): back on, a default priority taken anew. */
		enable_swap_info(k, si, si->prio);
		return err;
	}
	if (si->inuse_pages) { /* never free slots something still holds */
		enable_swap_info(k, si, si->prio);
		return -EBUSY;
	}
	swap_dev_drain(k, si->dev);
	exit_swap_address_space(k, si->type);
	free_swap_maps(k, si);
	swap_dev_destroy(k, si->dev);
	si->dev = NULL;
	si->flags = 0;
	return 0;
}

/* Models: swap_show(). */
void show_swaps(const struct kmm_kernel *k, const struct sink *out)
{
	const struct swap_state *ss = SS(k);

	sink_printf(out, "Filename\t\t\t\tType\t\tSize\t\tUsed\t\tPriority\n");
	/* swap_start/swap_next: by type, every device in use with a map (not priority order) */
	for (unsigned int t = 0; ss && t < ss->nr_swapfiles; t++) {
		const struct swap_info_struct *si = ss->swap_info[t];
		unsigned long bytes = (unsigned long)si->pages << (PAGE_SHIFT - 10);
		unsigned long inuse = (unsigned long)si->inuse_pages << (PAGE_SHIFT - 10);
		int len = (int)strlen(si->name);

		if (!(si->flags & SWP_USED) || !si->swap_map)
			continue;
		sink_printf(out, "%s%*s%s\t%lu\t%s%lu\t%s%d\n", si->name, len < 40 ? 40 - len : 1,
			    " ", "partition", bytes, bytes < 10000000 ? "\t" : "", inuse,
			    inuse < 10000000 ? "\t" : "", si->prio);
	}
}

/* ---- set-up and checks ----------------------------------------------------------------------- */

int swap_init(struct kmm_kernel *k)
{
	k->swap = env_alloc(k->env, sizeof(*k->swap));
	if (!k->swap)
		return -ENOMEM;
	memset(k->swap, 0, sizeof(*k->swap));
	k->swap->least_priority = -1;
	return 0;
}

void swap_fini(struct kmm_kernel *k)
{
	struct swap_state *ss = SS(k);

	if (!ss)
		return;
	for (unsigned int t = 0; t < ss->nr_swapfiles; t++) {
		struct swap_info_struct *si = ss->swap_info[t];

		free_swap_maps(k, si);
		swap_dev_destroy(k, si->dev);
		kfree(k, ss->swap_info_va[t]);
	}
	env_free(k->env, ss);
	k->swap = NULL;
}

#define CHECK(cond, ...)                                                                           \
	do {                                                                                       \
		if (!(cond)) {                                                                     \
			snprintf(why, whylen, __VA_ARGS__);                                        \
			return false;                                                              \
		}                                                                                  \
	} while (0)

static bool swap_device_check(const struct swap_info_struct *si, char *why, size_t whylen)
{
	unsigned long nr_clusters = (si->max + SWAPFILE_CLUSTER - 1UL) / SWAPFILE_CLUSTER;
	unsigned int inuse = 0, on_list = 0;

	CHECK(si->swap_map[0] == SWAP_MAP_BAD && si->pages == si->max - 1,
	      "swap %s: header slot %#x, pages %u of max %u", si->name, si->swap_map[0], si->pages,
	      si->max);
	for (unsigned long c = 0; c < nr_clusters; c++) {
		unsigned int used = 0;

		for (unsigned long o = c * SWAPFILE_CLUSTER; o < (c + 1) * SWAPFILE_CLUSTER; o++) {
			if (o >= si->max) {
				used++;
				continue;
			}
			used += si->swap_map[o] != 0;
			if (o && si->swap_map[o])
				inuse++;
			CHECK(si->swap_map[o] || !si->highest_bit ||
				      (o >= si->lowest_bit && o <= si->highest_bit),
			      "swap %s: free slot %lu outside [%u, %u]", si->name, o,
			      si->lowest_bit, si->highest_bit);
		}
		/* a free cluster's data links the free list; a used one's counts its slots */
		CHECK(cluster_is_free(&si->cluster_info[c])
			      ? !used
			      : cluster_count(&si->cluster_info[c]) == used,
		      "swap %s: cluster %lu (flags %#x) counts %u, %u slots used", si->name, c,
		      si->cluster_info[c].flags, cluster_count(&si->cluster_info[c]), used);
	}
	CHECK(inuse == si->inuse_pages, "swap %s: inuse_pages %u, %u slots used", si->name,
	      si->inuse_pages, inuse);
	for (struct swap_cluster_list l = si->free_clusters; !cluster_list_empty(&l);) {
		unsigned int idx = cluster_list_first(&l);

		CHECK(idx < nr_clusters && cluster_is_free(&si->cluster_info[idx]) &&
			      ++on_list <= nr_clusters,
		      "swap %s: free list holds cluster %u (not free, or a cycle)", si->name, idx);
		if (idx == l.tail.data)
			break;
		l.head.data = si->cluster_info[idx].data;
	}
	for (unsigned long c = 0; c < nr_clusters; c++)
		on_list -= cluster_is_free(&si->cluster_info[c]);
	CHECK(on_list == 0, "swap %s: free clusters not all on the free list", si->name);
	return true;
}

bool swap_check(const struct kmm_kernel *k, char *why, size_t whylen)
{
	const struct swap_state *ss = SS(k);
	long nr = 0, total = 0;
	int avail = 0;

	if (!ss)
		return true;
	for (int i = 1; i < ss->nr_active; i++)
		CHECK(ss->swap_info[ss->active[i - 1]]->prio >= ss->swap_info[ss->active[i]]->prio,
		      "swap: active list out of priority order at %s",
		      ss->swap_info[ss->active[i]]->name);
	for (unsigned int t = 0; t < ss->nr_swapfiles; t++) {
		const struct swap_info_struct *si = ss->swap_info[t];

		if (!(si->flags & SWP_USED) || !si->swap_map)
			continue;
		if (!swap_device_check(si, why, whylen) || !swap_dev_check(k, si->dev, why, whylen))
			return false;
		if (si->flags & SWP_WRITEOK) {
			nr += si->pages - si->inuse_pages;
			total += si->pages;
			avail += si->highest_bit != 0;
		} else { /* being switched off: its slots in use come back as they are freed */
			nr -= si->inuse_pages;
		}
	}
	CHECK(nr == ss->nr_swap_pages && total == ss->total_swap_pages,
	      "swap: nr_swap_pages %ld total %ld, devices say %ld, %ld", ss->nr_swap_pages,
	      ss->total_swap_pages, nr, total);
	CHECK(avail == ss->nr_avail, "swap: %d devices available, avail list holds %d", avail,
	      ss->nr_avail);
	for (int i = 1; i < ss->nr_avail; i++)
		CHECK(ss->swap_info[ss->avail[i - 1]]->prio >= ss->swap_info[ss->avail[i]]->prio,
		      "swap: avail list out of priority order");
	return true;
}

void swap_io_drain(struct kmm_kernel *k)
{
	const struct swap_state *ss = SS(k);

	for (unsigned int t = 0; ss && t < ss->nr_swapfiles; t++)
		if (ss->swap_info[t]->dev)
			swap_dev_drain(k, ss->swap_info[t]->dev);
}

/* The zram device named @name ("/dev/zram0") that is swap now, or NULL. */
struct zram *swap_find_zram(const struct kmm_kernel *k, const char *name)
{
	const struct swap_state *ss = SS(k);

	for (int i = 0; ss && i < ss->nr_active; i++) {
		const struct swap_info_struct *si = ss->swap_info[ss->active[i]];

		if (!strcmp(si->name, name) && swap_dev_zram(si->dev))
			return swap_dev_zram(si->dev);
	}
	return NULL;
}

int show_sys_block(const struct kmm_kernel *k, const char *path, const struct sink *out)
{
	static const char dir[] = "/sys/block/";
	char dev[64];
	const char *file;
	const struct zram *zram;
	size_t n;

	if (strncmp(path, dir, sizeof(dir) - 1))
		return -ENOENT;
	path += sizeof(dir) - 1;
	file = strchr(path, '/');
	n = file ? (size_t)(file - path) : 0;
	if (!file || n + 6 > sizeof(dev))
		return -ENOENT;
	snprintf(dev, sizeof(dev), "/dev/%.*s", (int)n, path);
	zram = swap_find_zram(k, dev);
	if (!zram)
		return -ENOENT;
	if (!strcmp(file, "/mm_stat"))
		zram_show_mm_stat(zram, out);
	else if (!strcmp(file, "/disksize"))
		zram_show_disksize(zram, out);
	else if (!strcmp(file, "/comp_algorithm"))
		zram_show_comp_algorithm(zram, out);
	else
		return -ENOENT;
	return 0;
}

unsigned int swap_nr_active(const struct kmm_kernel *k)
{
	return SS(k) ? (unsigned int)SS(k)->nr_active : 0;
}
