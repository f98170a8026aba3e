/*
 * The life of an address space: the slab caches of the mm objects, mm_alloc, dup_mm (fork's
 * copy of an mm: dup_mmap), mmput/mmdrop, and the boot-time state of the user-memory code.
 *
 * Models: kernel/fork.c (Linux 6.1): proc_caches_init (the mm_struct and vm_area_struct
 *         caches), mm_init, mm_alloc, dup_mm, dup_mmap, mmput/__mmput, mmgrab/mmdrop/__mmdrop.
 * Deviation: objects are host structs with a shadow object in the kernel-named slab cache
 *         (mm_state.h says why); ksm, khugepaged, uprobes, userfaultfd, mempolicy, aio and
 *         mm->owner are not modelled.
 *
 * Invariants (mm_check, memory.c):
 *  1. Every mm_struct with mm_count > 0 is on mm_state.mms exactly once; nr_mms counts them.
 *  2. mm_users > 0 implies mm_count > 0; an mm with mm_users == 0 has no VMAs left.
 */
#include "arch/arm64/include/asm/pgtable.h"
#include "kernel/sched.h"
#include "mm/memory.h"
#include "mm/huge_mm.h"
#include "mm/hugetlb.h"
#include "mm/khugepaged.h"
#include "mm/mm_state.h"
#include "mm/mmap.h"
#include "mm/rmap.h"

#include <errno.h>
#include <string.h>

/* Sizes of the objects in the reference kernel (its /proc/slabinfo objsize column). */
#define MM_STRUCT_SIZE	    960
#define VM_AREA_STRUCT_SIZE 152

void *mm_obj_alloc(struct kmm_kernel *k, struct kmem_cache *s, size_t size, uint64_t *slab_obj)
{
	void *obj;
	uint64_t x = kmem_cache_alloc(k, s, GFP_KERNEL);

	if (!x)
		return NULL;
	obj = env_alloc(k->env, size);
	if (!obj) {
		kmem_cache_free(k, s, x);
		return NULL;
	}
	memset(obj, 0, size);
	*slab_obj = x;
	return obj;
}

void mm_obj_free(struct kmm_kernel *k, struct kmem_cache *s, void *obj, uint64_t slab_obj)
{
	kmem_cache_free(k, s, slab_obj);
	env_free(k->env, obj);
}

/* empty_zero_page: the first page of the image's bss (reserved memory, zero from the loader). */
static void zero_page_init(struct kmm_kernel *k)
{
	phys_addr_t bss = k->image.end - (phys_addr_t)k->image.bss_kb * 1024;
	unsigned long pfn = PHYS_PFN(PAGE_ALIGN(bss));
	void *p = page_host(k, pfn_to_page(k, pfn), PAGE_SIZE);

	if (p)
		memset(p, 0, PAGE_SIZE);
	k->mm_state->zero_pfn = pfn;
}

/* init_user_reserve()/init_admin_reserve(): 3% of free memory, capped at 128 MiB / 8 MiB. */
static void init_reserves(struct kmm_kernel *k)
{
	unsigned long free_kb = global_zone_page_state(k, NR_FREE_PAGES) << (PAGE_SHIFT - 10);

	k->sysctl_user_reserve_kbytes =
		(int)(free_kb / 32 < (1UL << 17) ? free_kb / 32 : 1UL << 17);
	k->sysctl_admin_reserve_kbytes =
		(int)(free_kb / 32 < (1UL << 13) ? free_kb / 32 : 1UL << 13);
}

int mm_state_init(struct kmm_kernel *k)
{
	struct mm_state *ms = env_alloc(k->env, sizeof(*ms));

	if (!ms)
		return -ENOMEM;
	memset(ms, 0, sizeof(*ms));
	ms->k = k;
	INIT_LIST_HEAD(&ms->mms);
	INIT_LIST_HEAD(&ms->anon_vmas);
	INIT_LIST_HEAD(&ms->rcu_tables);
	ms->stack_guard_gap = k->params.stack_guard_gap_pages << PAGE_SHIFT;
	ms->fault_around_bytes = 65536;
	k->mm_state = ms;
	/* proc_caches_init() */
	ms->mm_cachep =
		kmem_cache_create(k, "mm_struct", MM_STRUCT_SIZE, 0,
				  SLAB_HWCACHE_ALIGN | SLAB_PANIC | SLAB_ACCOUNT, NULL, NULL);
	ms->vm_area_cachep = kmem_cache_create(k, "vm_area_struct", VM_AREA_STRUCT_SIZE, 0,
					       SLAB_PANIC | SLAB_ACCOUNT, NULL, NULL);
	if (!ms->mm_cachep || !ms->vm_area_cachep || anon_vma_init(k)) {
		mm_state_fini(k);
		return -ENOMEM;
	}
	zero_page_init(k);
	k->sysctl_max_map_count = DEFAULT_MAX_MAP_COUNT;
	k->sysctl_overcommit_memory = OVERCOMMIT_GUESS;
	k->sysctl_overcommit_ratio = 50;
	k->sysctl_overcommit_kbytes = 0;
	k->sysctl_mmap_min_addr = DEFAULT_MMAP_MIN_ADDR;
	init_reserves(k);
	return 0;
}

void mm_state_fini(struct kmm_kernel *k)
{
	struct mm_state *ms = k->mm_state;

	if (!ms)
		return;
	while (!list_empty(&ms->mms)) {
		struct mm_struct *mm = list_entry(ms->mms.next, struct mm_struct, mmlist);

		if (mm->mm_users > 0) {
			mm->mm_users = 1;
			mmput(mm);
		} else {
			mm->mm_count = 1;
			mmdrop(mm);
		}
	}
	rcu_barrier_tables(k); /* the page-table batches still in a grace period */
	k->mm_state = NULL;
	env_free(k->env, ms);
}

/* ---- mm_struct ------------------------------------------------------------------------ */

/* Models: mm_init(): the fields a fresh (or copied) mm starts with, and its pgd. */
static struct mm_struct *mm_init(struct mm_struct *mm)
{
	struct mm_state *ms = mm_state_of(mm->kernel);

	mm->mm_rb.rbh_root = NULL;
	mm->mmap = mm->mmap_last = NULL;
	mm->map_count = 0;
	mm->highest_vm_end = 0;
	mm->locked_vm = 0;
	mm->pinned_vm = 0;
	mm->pgtables_bytes = 0;
	mm->hugetlb_usage = 0; /* hugetlb_count_init */
	mm->committed = 0;
	memset(mm->rss_stat, 0, sizeof(mm->rss_stat));
	memset(mm->rss_pending, 0,
	       sizeof(mm->rss_pending)); /* the tasks of the old mm keep theirs */
	memset(mm->cpus_seen, 0, sizeof(mm->cpus_seen));
	mm->pmd_huge_pte = NULL;			      /* mm_init: no deposited tables */
	mm->flags &= ~(MMF_HUGE_ZERO_PAGE | MMF_VM_HUGEPAGE); /* mmf_init_flags: not inherited */
	mm->context.id = 0;				      /* init_new_context */
	mm->context.pinned = 0;
	mm->mm_users = 1;
	mm->mm_count = 1;
	mm->pgd = 0;
	if (pgd_alloc(mm))
		return NULL;
	list_add_tail(&mm->mmlist, &ms->mms);
	ms->nr_mms++;
	return mm;
}

static struct mm_struct *allocate_mm(struct kmm_kernel *k)
{
	uint64_t obj;
	struct mm_struct *mm =
		mm_obj_alloc(k, mm_state_of(k)->mm_cachep, sizeof(struct mm_struct), &obj);

	if (mm) {
		mm->kernel = k;
		mm->slab_obj = obj;
	}
	return mm;
}

static void free_mm(struct mm_struct *mm)
{
	struct kmm_kernel *k = mm->kernel;

	mm_obj_free(k, mm_state_of(k)->mm_cachep, mm, mm->slab_obj);
}

struct mm_struct *mm_alloc(struct kmm_kernel *k)
{
	struct mm_struct *mm = allocate_mm(k);

	if (!mm)
		return NULL;
	if (!mm_init(mm)) {
		free_mm(mm);
		return NULL;
	}
	/* the layout of an exec with the default stack rlimit, until arch_pick_mmap_layout */
	mm->task_size = TASK_SIZE;
	mm->mmap_base = PAGE_ALIGN(STACK_TOP - MIN_GAP);
	return mm;
}

void mmgrab(struct mm_struct *mm)
{
	mm->mm_count++;
}

/* Models: __mmdrop(): the pgd and the struct go. */
void mmdrop(struct mm_struct *mm)
{
	struct mm_state *ms = mm_state_of(mm->kernel);

	if (--mm->mm_count > 0)
		return;
	pgd_free(mm);
	list_del(&mm->mmlist);
	ms->nr_mms--;
	free_mm(mm);
}

void mmput(struct mm_struct *mm)
{
	if (--mm->mm_users > 0)
		return;
	khugepaged_exit(mm); /* before exit_mmap */
	exit_mmap(mm);	     /* __mmput */
	mm_put_huge_zero_page(mm);
	mmdrop(mm);
}

/* ---- fork ----------------------------------------------------------------------------- */

/* Models: dup_mmap(): the child's VMAs and page tables. 0 or -ENOMEM (partial copy kept). */
static int dup_mmap(struct mm_struct *mm, struct mm_struct *oldmm)
{
	struct vm_area_struct *mpnt, *tmp;
	int retval = 0;

	mm->total_vm = oldmm->total_vm;
	mm->data_vm = oldmm->data_vm;
	mm->exec_vm = oldmm->exec_vm;
	mm->stack_vm = oldmm->stack_vm;
	khugepaged_fork(mm, oldmm);
	for (mpnt = oldmm->mmap; mpnt; mpnt = mpnt->vm_next) {
		if (mpnt->vm_flags & VM_DONTCOPY) {
			vm_stat_account(mm, mpnt->vm_flags, -(long)vma_pages(mpnt));
			continue;
		}
		if ((mpnt->vm_flags & VM_ACCOUNT) &&
		    __vm_enough_memory(oldmm, (long)vma_pages(mpnt), false))
			return -ENOMEM;
		tmp = vm_area_dup(mpnt);
		if (!tmp)
			goto fail_nomem;
		tmp->vm_mm = mm;
		if (is_vm_hugetlb_page(tmp) && hugetlb_dup_vma_private(tmp)) {
			vm_area_free(tmp);
			goto fail_nomem;
		}
		if (tmp->vm_flags & VM_WIPEONFORK) {
			tmp->anon_vma =
				NULL; /* a clean slate: anon_vma_prepare at the first fault */
		} else if (anon_vma_fork(tmp, mpnt)) {
			tmp->anon_vma = NULL;
			vm_area_free(tmp);
			goto fail_nomem;
		}
		tmp->vm_flags &= ~(VM_LOCKED | VM_LOCKONFAULT);
		vma_link_fork(mm, tmp);
		if (tmp->vm_flags & VM_ACCOUNT)
			mm->committed += vma_pages(tmp);
		mm->map_count++;
		if (!(tmp->vm_flags & VM_WIPEONFORK))
			retval = copy_page_range(tmp, mpnt);
		if (retval)
			return retval;
	}
	return 0;
fail_nomem:
	if (mpnt->vm_flags & VM_ACCOUNT)
		vm_unacct_memory(mm->kernel, (long)vma_pages(mpnt));
	return -ENOMEM;
}

struct mm_struct *dup_mm(struct task_struct *tsk, struct mm_struct *oldmm)
{
	struct kmm_kernel *k = oldmm->kernel;
	struct mm_struct *mm = allocate_mm(k);
	uint64_t obj;

	(void)tsk;
	if (!mm)
		return NULL;
	obj = mm->slab_obj;
	memcpy(mm, oldmm, sizeof(*mm));
	mm->slab_obj = obj;
	if (!mm_init(mm)) {
		free_mm(mm);
		return NULL;
	}
	if (dup_mmap(mm, oldmm)) {
		/* what was copied is torn down as an exit would (VM counters follow the VMAs) */
		mm->total_vm = mm->data_vm = mm->exec_vm = mm->stack_vm = 0;
		for (struct vm_area_struct *v = mm->mmap; v; v = v->vm_next)
			vm_stat_account(mm, v->vm_flags, (long)vma_pages(v));
		mmput(mm);
		return NULL;
	}
	mm->hiwater_rss = get_mm_rss(mm);
	mm->hiwater_vm = mm->total_vm;
	return mm;
}
