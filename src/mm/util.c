/*
 * Overcommit accounting: Committed_AS, CommitLimit and the vm.overcommit_* policies.
 *
 * Models: mm/util.c (Linux 6.1): __vm_enough_memory(), vm_commit_limit(),
 *         vm_memory_committed(), and include/linux/mman.h: vm_acct_memory()/vm_unacct_memory().
 * Deviation: vm_committed_as is one exact counter (the kernel's is a per-CPU counter whose
 *         read may lag by the batch); no swap yet, so total_swap_pages is 0. Simulated tasks
 *         hold no capabilities (no CAP_SYS_ADMIN: the admin reserve applies).
 *
 * Invariant (mm_check): Committed_AS equals the sum over every mm of its VM_ACCOUNT pages
 * (mm->committed) plus what callers charged outside VMAs (none yet).
 */
#include "mm/hugetlb.h"
#include "mm/mm_state.h"
#include "mm/mmap.h"
#include "mm/swapfile.h"

#include <errno.h>

void vm_acct_memory(struct kmm_kernel *k, long pages)
{
	mm_state_of(k)->vm_committed_as += pages;
}

void vm_unacct_memory(struct kmm_kernel *k, long pages)
{
	mm_state_of(k)->vm_committed_as -= pages;
}

unsigned long vm_memory_committed(const struct kmm_kernel *k)
{
	long v = mm_state_of(k)->vm_committed_as;

	return v < 0 ? 0 : (unsigned long)v;
}

/* Models: vm_commit_limit(): RAM less the hugetlb pools (hugetlb.c), by the ratio, plus swap. */
unsigned long vm_commit_limit(const struct kmm_kernel *k)
{
	unsigned long allowed;

	if (k->sysctl_overcommit_kbytes)
		allowed = (unsigned long)k->sysctl_overcommit_kbytes >> (PAGE_SHIFT - 10);
	else
		allowed = ((unsigned long)k->totalram_pages - hugetlb_total_pages(k)) *
			  (unsigned long)k->sysctl_overcommit_ratio / 100;
	return allowed + (unsigned long)total_swap_pages(k);
}

int __vm_enough_memory(struct mm_struct *mm, long pages, bool cap_sys_admin)
{
	struct kmm_kernel *k = mm->kernel;
	long allowed;

	vm_acct_memory(k, pages);
	if (k->sysctl_overcommit_memory == OVERCOMMIT_ALWAYS)
		return 0;
	if (k->sysctl_overcommit_memory == OVERCOMMIT_GUESS) {
		if (pages > k->totalram_pages + total_swap_pages(k))
			goto error;
		return 0;
	}
	allowed = (long)vm_commit_limit(k);
	if (!cap_sys_admin)
		allowed -= k->sysctl_admin_reserve_kbytes >> (PAGE_SHIFT - 10);
	{
		long reserve = k->sysctl_user_reserve_kbytes >> (PAGE_SHIFT - 10);
		long t = (long)(mm->total_vm / 32);

		allowed -= t < reserve ? t : reserve;
	}
	if (mm_state_of(k)->vm_committed_as < allowed)
		return 0;
error:
	vm_unacct_memory(k, pages);
	return -ENOMEM;
}
