/*
 * The state the user-address-space code keeps per kernel (struct mm_state, k->mm_state):
 * private to mmap.c, memory.c, rmap.c, gup.c, fork.c and arch/arm64/mm/fault.c.
 *
 * Objects (mm_struct, vm_area_struct, anon_vma, anon_vma_chain) are host structs, each with a
 * shadow object from the SLUB cache of the kernel's name and size (slab_obj), so
 * /proc/slabinfo moves as the kernel's does. Deviation: the kernel keeps the object itself in
 * that slab memory; ours do not fit the kernel's sizes (host pointers, the rb-tree links).
 */
#ifndef KMM_MM_MM_STATE_H
#define KMM_MM_MM_STATE_H

#include "mm/internal.h"
#include "mm/slab.h"

struct task_struct;

struct mm_state {
	struct kmm_kernel *k;
	/* Constant after boot. */
	struct kmem_cache *mm_cachep, *vm_area_cachep, *anon_vma_cachep, *anon_vma_chain_cachep;
	unsigned long zero_pfn;		  /* ZERO_PAGE(0): empty_zero_page in the image's bss */
	unsigned long stack_guard_gap;	  /* stack_guard_gap= (bytes; 256 pages by default) */
	unsigned long fault_around_bytes; /* debugfs fault_around_bytes (65536) */

	/* Changed by the calls. */
	long vm_committed_as; /* Committed_AS, pages */
	struct list_head mms; /* every live mm_struct (mm->mmlist) */
	unsigned long nr_mms;
	struct list_head anon_vmas; /* every anon_vma (its ->list) */
	unsigned long nr_anon_vmas, nr_avcs, nr_vmas;
	struct task_struct *current; /* set_current_task() */
	unsigned int host_memalloc;  /* memalloc_noreclaim_save() nesting with no current task */
	struct list_head rcu_tables; /* mmu_table_batch after call_rcu, before its callback */
	unsigned long nr_rcu_tables; /* ... how many */
	uint64_t rnd_state;	     /* the exec randomisation stream (seeded from env) */
};

static inline struct mm_state *mm_state_of(const struct kmm_kernel *k)
{
	return k->mm_state;
}

/* Objects with their slab shadow (fork.c, rmap.c); NULL when either allocation fails. */
void *mm_obj_alloc(struct kmm_kernel *k, struct kmem_cache *s, size_t size, uint64_t *slab_obj);
void mm_obj_free(struct kmm_kernel *k, struct kmem_cache *s, void *obj, uint64_t slab_obj);

/* rmap.c: anon_vma/anon_vma_chain caches (anon_vma_init at boot). */
int anon_vma_init(struct kmm_kernel *k);

/* memory.c: the zero page (ZERO_PAGE) and is_zero_pfn. */
static inline bool is_zero_pfn(const struct kmm_kernel *k, unsigned long pfn)
{
	return pfn == k->mm_state->zero_pfn;
}

/* mmap.c: unlinks @vma from the tree and list (no accounting); frees nothing. */
void vma_unlink_tree(struct mm_struct *mm, struct vm_area_struct *vma);
/* mmap.c: links @vma into the tree and list (no accounting); false on overlap. */
bool vma_link_tree(struct mm_struct *mm, struct vm_area_struct *vma);
/* mmap.c: fork's link of a copied VMA: tree, list, the file's i_mmap, vm_ops->open. */
void vma_link_fork(struct mm_struct *mm, struct vm_area_struct *vma);

/* Node counters by the node of @page (mod_node_page_state). */
static inline void mod_node_page_state_of(struct kmm_kernel *k, const struct page *page,
					  enum node_stat_item item, long nr)
{
	NODE_DATA(k, page_to_nid(page))->vm_stat[item] += nr;
}

static inline void count_vm_event_k(struct kmm_kernel *k, enum vm_event_item item)
{
	k->vm_events[item]++;
}
#endif /* KMM_MM_MM_STATE_H */
