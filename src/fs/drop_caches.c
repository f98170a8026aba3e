/*
 * vm.drop_caches: a write-only sysctl that throws away clean caches on request.
 *
 *   1  the page cache: every inode's clean, unlocked, unmapped pages not under writeback
 *      (invalidate_mapping_pages; tmpfs pages are swap-backed and stay), drop_pagecache + 1;
 *   2  the slab caches with shrinkers (drop_slab: dentries, inodes, shadow nodes, ...),
 *      drop_slab + 1;
 *   3  both; 4 alone only silences the message from then on.
 * Values outside 1..4 are -EINVAL (proc_dointvec_minmax with extra1 = 1, extra2 = 4), and
 * reading it is refused (mode 0200: /proc/sys/vm/drop_caches reads as -EACCES).
 * Each accepted write logs "COMM (PID): drop_caches: N" unless a write with bit 4 came
 * before (the message of the write that sets the bit still prints).
 *
 * Models: fs/drop_caches.c (Linux 6.1.192): drop_pagecache_sb(), drop_caches_sysctl_handler().
 * Deviation: a write from the host with no task current on the CPU names the CPU's idle
 *         task, "swapper/N (0)".
 * Deviation: the kernel drains every CPU's LRU batches first (lru_add_drain_all) so pages
 *         held only by a batch can go; so does this.
 */
#include <errno.h>

#include "fs/fs.h"
#include "fs/fs_internal.h"
#include "kernel/sched.h"
#include "mm/internal.h"
#include "mm/pagemap.h"
#include "mm/shrinker.h"
#include "mm/swap.h"

/* Models: drop_pagecache_sb() over every super block (iterate_supers). Pages dropped. */
static unsigned long drop_pagecache(struct kmm_kernel *k)
{
	const struct inode *inode = NULL;
	unsigned long dropped = 0;

	while ((inode = fs_next_inode(k, inode)))
		if (inode->i_mapping->nrpages)
			dropped += invalidate_mapping_pages(k, inode->i_mapping, 0, ~0UL);
	return dropped;
}

int drop_caches_write(struct kmm_kernel *k, long value)
{
	struct task_struct *t;

	if (!k->fs || value < 1 || value > 4)
		return -EINVAL;
	if (value & 1) {
		lru_add_drain_all(k);
		drop_pagecache(k);
		k->vm_events[DROP_PAGECACHE]++;
	}
	if (value & 2) {
		drop_slab(k);
		k->vm_events[DROP_SLAB]++;
	}
	if (!k->fs->drop_caches_stfu) {
		t = cpu_curr(k, smp_processor_id(k));
		if (t)
			env_printk(k->env, "%s (%d): drop_caches: %ld\n", t->comm, t->pid, value);
		else
			env_printk(k->env, "swapper/%d (0): drop_caches: %ld\n",
				   smp_processor_id(k), value);
	}
	k->fs->drop_caches_stfu |= (int)(value & 4);
	return 0;
}
