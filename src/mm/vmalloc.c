/*
 * vmalloc: the kernel's virtually contiguous allocations.
 *
 * The vmap area allocator hands out ranges of [VMALLOC_START, VMALLOC_END) (or any
 * [vstart, vend) a caller names). Every byte of the address space [1, ULONG_MAX) is in
 * exactly one of three places:
 *
 *   busy   vmap_area_root / vmap_area_list: allocated areas, each with its vm_struct
 *   purge  purge_vmap_area_root / _list: freed and unmapped, TLB not flushed yet
 *   free   free_vmap_area_root / _list: an rb-tree augmented with each subtree's largest
 *          free block, so find_vmap_lowest_match() finds the lowest fitting block in
 *          O(log n); adjust_va_to_fit_type() carves the request out of it (full, left
 *          edge, right edge or no edge fit)
 *
 * vfree() unmaps an area's PTEs at once but only moves its range to the purge list;
 * once more than lazy_max_pages() pages wait there, one purge flushes the TLBs of every
 * CPU for the whole span (flush_tlb_kernel_range: per page up to 512 pages, else all) and
 * merges the ranges back into the free tree. Until then a CPU may still translate a
 * stale TLB entry of a freed area; the range itself cannot be reused before the flush.
 *
 * Models: mm/vmalloc.c (Linux 6.1): the vmap area allocator (find_vmap_lowest_match,
 *         adjust_va_to_fit_type, __alloc_vmap_area, alloc_vmap_area, merging on free),
 *         lazy freeing and purging, vm_area_add_early, vmalloc_init, the vm area API,
 *         the page-table range functions, vmalloc/vfree/vmap/vunmap, vmalloc_to_page and
 *         /proc/vmallocinfo; mm/ioremap.c and arch/arm64/mm/ioremap.c (ioremap_prot).
 * Leaves out: the per-CPU vmap blocks (vm_map_ram), KASAN, kmemleak and memcg hooks,
 *         VM_FLUSH_RESET_PERMS (no set_direct_map model), vfree from interrupt context,
 *         vmap notifiers, vread, remap_vmalloc_range, pcpu_get_vm_areas.
 * Deviation: vmap_area and vm_struct objects and the page arrays live in host memory,
 *         not in slab caches; a page array larger than a page still takes its nested
 *         vmalloc area (so /proc/vmallocinfo and VmallocUsed count it, " vpages"), but the
 *         array itself is kept on the host. The drain work that the kernel schedules when
 *         the purge list exceeds lazy_max_pages() runs synchronously at that point.
 *         The libbsd rb-tree replaces the kernel's; its augment callback recomputes a
 *         node and every insertion or removal then recomputes the path to the root. vfree's
 *         second busy-tree lookup is served by a one-entry hint (find_busy_va).
 *
 * Invariants (vmalloc_check):
 *  1. Each of the three trees holds exactly the areas of its list, in address order,
 *     non-overlapping; free areas never touch (they are merged), nor do purge areas.
 *  2. Every free-tree node's subtree_max_size is the largest area size in its subtree.
 *  3. Busy, free and purge areas together tile [1, ULONG_MAX) with no gap or overlap.
 *  4. A busy area's vm_struct covers exactly its range; vmap_lazy_nr is the page count
 *     of the purge list; nr_vmalloc_pages is the sum of the VM_ALLOC areas' pages.
 *  5. Every page of a busy VM_ALLOC area maps (PTE or block) the page it owns, its
 *     guard page is unmapped, and an ioremap area maps its physical range.
 *  6. Nothing in the vmalloc range outside busy areas is mapped.
 */
/* Before <sys/tree.h>: rotations recompute a free-tree node (the busy and purge trees are
 * generated from the same code and skip it). */
#define RB_AUGMENT(x)                                                                              \
	do {                                                                                       \
		if ((x)->augmented)                                                                \
			vmap_augment(x);                                                           \
	} while (0)

#include "mm/page_place.h"
#include "mm/vmalloc.h"

#include "arch/arm64/include/asm/tlbflush.h"
#include "lib/bug.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#ifndef __unused
#define __unused __attribute__((unused)) /* RB_GENERATE_STATIC's attribute */
#endif
#include <sys/tree.h>

struct vmap_area {
	unsigned long va_start, va_end;
	RB_ENTRY(vmap_area) rb_node;
	struct list_head list;
	unsigned long subtree_max_size; /* in the free tree */
	struct vm_struct *vm;		/* in the busy tree */
	bool augmented;			/* linked into the free tree */
};

RB_HEAD(vmap_tree, vmap_area);

enum fit_type { NOTHING_FIT, FL_FIT_TYPE, LE_FIT_TYPE, RE_FIT_TYPE, NE_FIT_TYPE };

/*
 * The kernel's file-scope state of mm/vmalloc.c, one per kernel instance. Fields change
 * under the locks named (vmap_area_lock, free_vmap_area_lock, purge_vmap_area_lock).
 */
struct vmap_state {
	struct kmm_kernel *k;
	/* vmap_area_lock */
	struct vmap_tree vmap_area_root;
	struct list_head vmap_area_list;
	struct vmap_area *busy_hint; /* the last area a lookup found (see find_busy_va) */
	/* free_vmap_area_lock */
	struct vmap_tree free_vmap_area_root;
	struct list_head free_vmap_area_list;
	struct vmap_area *ne_fit_preload_node[KMM_MAX_CPUS];
	/* purge_vmap_area_lock */
	struct vmap_tree purge_vmap_area_root;
	struct list_head purge_vmap_area_list;
	unsigned long vmap_lazy_nr;
	/* boot */
	struct vm_struct *vmlist;
	bool vmap_initialized;
	bool vmap_allow_huge;		     /* nohugevmalloc clears it */
	unsigned int ioremap_max_page_shift; /* nohugeiomap: PAGE_SHIFT */
	/* statistics */
	unsigned long nr_vmalloc_pages;
	struct vmap_stats stats;
	/* vmap_area_cachep: chunks of objects, and the freed objects to reuse */
	struct va_chunk *chunks;
	unsigned int chunk_used;
	struct vmap_area *cache;
};

/* ---- the augmented rb-tree ------------------------------------------------------------ */

static inline unsigned long va_size(const struct vmap_area *va)
{
	return va->va_end - va->va_start;
}

static inline unsigned long get_subtree_max_size(const struct vmap_area *va)
{
	return va ? va->subtree_max_size : 0;
}

/* Models: compute_subtree_max_size(). */
static inline unsigned long compute_subtree_max_size(const struct vmap_area *va)
{
	unsigned long m = va_size(va), l = get_subtree_max_size(RB_LEFT(va, rb_node)),
		      r = get_subtree_max_size(RB_RIGHT(va, rb_node));

	if (l > m)
		m = l;
	return r > m ? r : m;
}

static inline void vmap_augment(struct vmap_area *va)
{
	va->subtree_max_size = compute_subtree_max_size(va);
}

/* Orders areas by address; overlapping areas compare equal (RB_INSERT then refuses). */
static inline int va_cmp(const struct vmap_area *a, const struct vmap_area *b)
{
	if (a->va_end <= b->va_start)
		return -1;
	return a->va_start >= b->va_end ? 1 : 0;
}

RB_GENERATE_STATIC(vmap_tree, vmap_area, rb_node, va_cmp)

/*
 * Models: augment_tree_propagate_from(): after @va's size changed in place, recompute
 * towards the root until a node's value does not change.
 */
static void augment_tree_propagate_from(struct vmap_area *va)
{
	for (; va; va = RB_PARENT(va, rb_node)) {
		unsigned long m = compute_subtree_max_size(va);

		if (m == va->subtree_max_size)
			break;
		va->subtree_max_size = m;
	}
}

/* After a structural change below @va: recompute every node up to the root. */
static void augment_to_root(struct vmap_area *va)
{
	for (; va; va = RB_PARENT(va, rb_node))
		vmap_augment(va);
}

/* ---- vmap_area objects (vmap_area_cachep) -------------------------------------------- */

/*
 * Objects come from chunks of VA_CHUNK (a prime) handed out in the order slot = n * VA_STEP
 * mod VA_CHUNK, and freed ones are reused (LIFO). Why scatter them: a tree filled in address
 * order has on its right spine nodes 2^k objects apart; in a densely packed array those sit
 * 2^k * sizeof apart, all in a few host cache sets, and every descent would miss the L1 (a
 * 3x slower lookup at 100 K areas). Host memory layout only: the model does not depend on it.
 */
#define KMM_FILE "mm/vmalloc.c"

#define VA_CHUNK 4093u
#define VA_STEP	 1031u

struct va_chunk {
	struct va_chunk *next;
	struct vmap_area obj[VA_CHUNK];
};

static struct vmap_area *va_alloc(struct vmap_state *vs)
{
	struct vmap_area *va = vs->cache;

	if (va) {
		vs->cache = (struct vmap_area *)va->list.next;
		memset(va, 0, sizeof(*va));
		return va;
	}
	if (!vs->chunks || vs->chunk_used == VA_CHUNK) {
		struct va_chunk *c = env_alloc(vs->k->env, sizeof(*c));

		if (!c)
			return NULL;
		c->next = vs->chunks;
		vs->chunks = c;
		vs->chunk_used = 0;
	}
	return &vs->chunks->obj[(vs->chunk_used++ * VA_STEP) % VA_CHUNK];
}

static void va_free(struct vmap_state *vs, struct vmap_area *va)
{
	va->list.next = (struct list_head *)vs->cache;
	vs->cache = va;
}

/* ---- tree and list linkage ------------------------------------------------------------ */

static struct vmap_tree *tree_of(struct vmap_state *vs, enum vmap_which which)
{
	return which == VMAP_BUSY   ? &vs->vmap_area_root
	       : which == VMAP_FREE ? &vs->free_vmap_area_root
				    : &vs->purge_vmap_area_root;
}

static void vmalloc_bug_overlap(struct vmap_state *vs, const struct vmap_area *va,
				const struct vmap_area *tmp)
{
	bug_report(vs->k->env, KMM_REPORT_WARN, BUG_SITE(0, "find_va_links", "va overlaps tmp_va"),
		   "vmalloc bug: 0x%lx-0x%lx overlaps with 0x%lx-0x%lx\n", va->va_start, va->va_end,
		   tmp->va_start, tmp->va_end);
}

/*
 * Models: find_va_links() + __link_va(): links @va into @root and, address-sorted, into
 * @head. Returns false (nothing linked, the kernel's WARN) when @va overlaps an area.
 */
static bool link_va(struct vmap_state *vs, struct vmap_area *va, struct vmap_tree *root,
		    struct list_head *head, bool augment)
{
	struct vmap_area *clash, *prev;

	va->subtree_max_size = va_size(va);
	va->augmented = augment;
	clash = RB_INSERT(vmap_tree, root, va);
	if (clash) {
		va->augmented = false;
		vmalloc_bug_overlap(vs, va, clash);
		return false;
	}
	prev = RB_PREV(vmap_tree, root, va);
	list_add(&va->list, prev ? &prev->list : head);
	if (augment)
		augment_to_root(va);
	return true;
}

/* Models: __unlink_va(). */
static void unlink_va(struct vmap_area *va, struct vmap_tree *root, bool augment)
{
	struct vmap_area *splice = NULL;

	if (augment && (!RB_LEFT(va, rb_node) || !RB_RIGHT(va, rb_node)))
		splice = RB_PARENT(va, rb_node);
	RB_REMOVE(vmap_tree, root, va);
	list_del(&va->list);
	va->augmented = false;
	if (splice)
		augment_to_root(splice);
}

/* The lowest area of @root starting at or above @addr, or NULL. */
static struct vmap_area *first_va_from(const struct vmap_tree *root, unsigned long addr)
{
	struct vmap_area *n = RB_ROOT(root), *best = NULL;

	while (n) {
		if (n->va_start >= addr) {
			best = n;
			n = RB_LEFT(n, rb_node);
		} else {
			n = RB_RIGHT(n, rb_node);
		}
	}
	return best;
}

/*
 * Models: __merge_or_add_vmap_area(): puts @va into @root/@head, merged with the areas it
 * touches on either side (the merged-away objects are freed). Returns the area that now
 * holds the range, or NULL (the kernel's WARN) on overlap.
 */
static struct vmap_area *__merge_or_add_vmap_area(struct vmap_state *vs, struct vmap_area *va,
						  struct vmap_tree *root, struct list_head *head,
						  bool augment)
{
	struct vmap_area *next = first_va_from(root, va->va_end), *prev;
	bool merged = false;

	if (next)
		prev = next->list.prev != head ? list_entry(next->list.prev, struct vmap_area, list)
					       : NULL;
	else
		prev = list_empty(head) ? NULL : list_entry(head->prev, struct vmap_area, list);
	if (prev && prev->va_end > va->va_start) {
		vmalloc_bug_overlap(vs, va, prev);
		return NULL;
	}
	/* |<--va-->|<--next-->| */
	if (next && next->va_start == va->va_end) {
		next->va_start = va->va_start;
		va_free(vs, va);
		va = next;
		merged = true;
		if (augment)
			augment_tree_propagate_from(va);
	}
	/* |<--prev-->|<--va-->| */
	if (prev && prev->va_end == va->va_start) {
		if (merged)
			unlink_va(va, root, augment);
		prev->va_end = va->va_end;
		va_free(vs, va);
		va = prev;
		merged = true;
		if (augment)
			augment_tree_propagate_from(va);
	}
	if (!merged && !link_va(vs, va, root, head, augment))
		return NULL;
	return va;
}

/* ---- finding and carving free space -------------------------------------------------- */

/* Models: is_within_this_va(). */
static bool is_within_this_va(const struct vmap_area *va, unsigned long size, unsigned long align,
			      unsigned long vstart)
{
	unsigned long nva_start_addr;

	if (va->va_start > vstart)
		nva_start_addr = ALIGN(va->va_start, align);
	else
		nva_start_addr = ALIGN(vstart, align);
	if (nva_start_addr + size < nva_start_addr || nva_start_addr < vstart)
		return false;
	return nva_start_addr + size <= va->va_end;
}

/*
 * Models: find_vmap_lowest_match(): the free block with the lowest address that can hold
 * @size at @align at or above @vstart. Descends left while the left subtree has a block of
 * the (alignment-adjusted) length; on a dead end climbs to the first right subtree that
 * has one, moving vstart past the subtree just searched.
 */
static struct vmap_area *find_vmap_lowest_match(const struct vmap_tree *root, unsigned long size,
						unsigned long align, unsigned long vstart,
						bool adjust_search_size)
{
	struct vmap_area *node = RB_ROOT(root), *va;
	unsigned long length = adjust_search_size ? size + align - 1 : size;

	while (node) {
		va = node;
		if (get_subtree_max_size(RB_LEFT(node, rb_node)) >= length &&
		    vstart < va->va_start) {
			node = RB_LEFT(node, rb_node);
			continue;
		}
		if (is_within_this_va(va, size, align, vstart))
			return va;
		if (get_subtree_max_size(RB_RIGHT(node, rb_node)) >= length) {
			node = RB_RIGHT(node, rb_node);
			continue;
		}
		while ((node = RB_PARENT(node, rb_node))) {
			va = node;
			if (is_within_this_va(va, size, align, vstart))
				return va;
			if (get_subtree_max_size(RB_RIGHT(node, rb_node)) >= length &&
			    vstart <= va->va_start) {
				vstart = va->va_start + 1;
				node = RB_RIGHT(node, rb_node);
				break;
			}
		}
	}
	return NULL;
}

/* Models: classify_va_fit_type(). */
static enum fit_type classify_va_fit_type(const struct vmap_area *va, unsigned long nva_start_addr,
					  unsigned long size)
{
	if (nva_start_addr < va->va_start || nva_start_addr + size > va->va_end)
		return NOTHING_FIT;
	if (va->va_start == nva_start_addr)
		return va->va_end == nva_start_addr + size ? FL_FIT_TYPE : LE_FIT_TYPE;
	return va->va_end == nva_start_addr + size ? RE_FIT_TYPE : NE_FIT_TYPE;
}

/*
 * Models: adjust_va_to_fit_type(): removes [nva_start_addr, +size) from the free block @va.
 *
 *   FL  |<------ NVA ------>|            the block goes
 *   LE  |<- NVA ->|<-- R -->|            the block keeps its right part
 *   RE  |<-- L -->|<- NVA ->|            the block keeps its left part
 *   NE  |<- L ->|<- NVA ->|<- R ->|      the block keeps R; a new area (the CPU's
 *                                        preloaded one) holds L
 *
 * Returns 0, or -1 when the request does not fit or no object is left for the NE split.
 */
static int adjust_va_to_fit_type(struct vmap_state *vs, struct vmap_area *va,
				 unsigned long nva_start_addr, unsigned long size)
{
	struct vmap_tree *root = &vs->free_vmap_area_root;
	enum fit_type type = classify_va_fit_type(va, nva_start_addr, size);
	struct vmap_area *lva = NULL;
	int cpu = smp_processor_id(vs->k);

	switch (type) {
	case FL_FIT_TYPE:
		unlink_va(va, root, true);
		va_free(vs, va);
		break;
	case LE_FIT_TYPE:
		va->va_start += size;
		break;
	case RE_FIT_TYPE:
		va->va_end = nva_start_addr;
		break;
	case NE_FIT_TYPE:
		lva = vs->ne_fit_preload_node[cpu];
		vs->ne_fit_preload_node[cpu] = NULL;
		if (!lva && !(lva = va_alloc(vs)))
			return -1;
		lva->va_start = va->va_start;
		lva->va_end = nva_start_addr;
		va->va_start = nva_start_addr + size;
		break;
	default:
		return -1;
	}
	vs->stats.fit[type]++;
	if (type != FL_FIT_TYPE) {
		augment_tree_propagate_from(va);
		if (lva && !link_va(vs, lva, root, &vs->free_vmap_area_list, true))
			return -1;
	}
	return 0;
}

/* Models: __alloc_vmap_area(): the start of the new range, or @vend for failure. */
static unsigned long __alloc_vmap_area(struct vmap_state *vs, unsigned long size,
				       unsigned long align, unsigned long vstart,
				       unsigned long vend)
{
	bool adjust_search_size = !(align <= PAGE_SIZE || vend - vstart == size);
	unsigned long nva_start_addr;
	struct vmap_area *va;

	va = find_vmap_lowest_match(&vs->free_vmap_area_root, size, align, vstart,
				    adjust_search_size);
	if (!va)
		return vend;
	if (va->va_start > vstart)
		nva_start_addr = ALIGN(va->va_start, align);
	else
		nva_start_addr = ALIGN(vstart, align);
	if (nva_start_addr + size > vend)
		return vend;
	if (adjust_va_to_fit_type(vs, va, nva_start_addr, size)) {
		__warn(vs->k->env, BUG_SITE(0, "__alloc_vmap_area", "ret"), NULL, NULL);
		return vend;
	}
	return nva_start_addr;
}

/* ---- lazy freeing ------------------------------------------------------------------- */

unsigned long lazy_max_pages(const struct kmm_kernel *k)
{
	unsigned int n = (unsigned int)k->nr_cpus, log = 0;

	while (n) {
		log++;
		n >>= 1;
	}
	return log * (32ul * 1024 * 1024 / PAGE_SIZE);
}

/*
 * Models: __purge_vmap_area_lazy(): flushes [min start, max end) of the purge list (and
 * of [start, end)) from every CPU's TLB, then merges the ranges into the free tree.
 * Returns false if there was nothing to purge.
 */
static bool __purge_vmap_area_lazy(struct vmap_state *vs, unsigned long start, unsigned long end)
{
	struct list_head local;
	struct vmap_area *va;

	if (list_empty(&vs->purge_vmap_area_list))
		return false;
	/* list_replace_init() */
	local = vs->purge_vmap_area_list;
	local.next->prev = &local;
	local.prev->next = &local;
	INIT_LIST_HEAD(&vs->purge_vmap_area_list);
	RB_INIT(&vs->purge_vmap_area_root);

	va = list_first_entry(&local, struct vmap_area, list);
	start = va->va_start < start ? va->va_start : start;
	va = list_entry(local.prev, struct vmap_area, list);
	end = va->va_end > end ? va->va_end : end;
	flush_tlb_kernel_range(vs->k, start, end);
	vs->stats.purges++;

	while (!list_empty(&local)) {
		unsigned long nr;

		va = list_first_entry(&local, struct vmap_area, list);
		list_del(&va->list);
		nr = va_size(va) >> PAGE_SHIFT;
		env_charge(vs->k->env, COST_vmap_area_free);
		__merge_or_add_vmap_area(vs, va, &vs->free_vmap_area_root, &vs->free_vmap_area_list,
					 true);
		vs->vmap_lazy_nr -= nr;
		vs->stats.purged_areas++;
	}
	return true;
}

/* Models: purge_vmap_area_lazy(). */
static void purge_vmap_area_lazy(struct vmap_state *vs)
{
	__purge_vmap_area_lazy(vs, ULONG_MAX, 0);
}

/* Models: drain_vmap_area_work(), run at once instead of from a workqueue. */
static void drain_vmap_area_work(struct vmap_state *vs)
{
	do {
		__purge_vmap_area_lazy(vs, ULONG_MAX, 0);
	} while (vs->vmap_lazy_nr > lazy_max_pages(vs->k));
}

/* Models: free_vmap_area_noflush(): from the busy tree to the purge list. */
static void free_vmap_area_noflush(struct vmap_state *vs, struct vmap_area *va)
{
	unsigned long nr_lazy;

	if (vs->busy_hint == va)
		vs->busy_hint = NULL;
	unlink_va(va, &vs->vmap_area_root, false);
	vs->vmap_lazy_nr += va_size(va) >> PAGE_SHIFT;
	nr_lazy = vs->vmap_lazy_nr;
	va->vm = NULL;
	__merge_or_add_vmap_area(vs, va, &vs->purge_vmap_area_root, &vs->purge_vmap_area_list,
				 false);
	if (nr_lazy > lazy_max_pages(vs->k))
		drain_vmap_area_work(vs);
}

void vm_unmap_aliases(struct kmm_kernel *k)
{
	if (k->vmap)
		purge_vmap_area_lazy(k->vmap);
}

unsigned long vmap_lazy_nr(const struct kmm_kernel *k)
{
	return k->vmap ? k->vmap->vmap_lazy_nr : 0;
}

/* ---- unmapping ------------------------------------------------------------------------ */

static void vunmap_pte_range(struct kmm_kernel *k, pmd_t *pmd, unsigned long addr,
			     unsigned long end)
{
	pte_t *pte = pte_offset_kernel(k, pmd, addr);

	do {
		pte_t ptent = ptep_get_and_clear(NULL, addr, pte);

		env_charge(k->env, COST_vunmap_pte);
		WARN_ON(k->env, !pte_none(ptent) && !pte_present(ptent));
	} while (pte++, addr += PAGE_SIZE, addr != end);
}

/* Models: pmd_none_or_clear_bad() (and the other levels'): a bad entry is reported, cleared. */
static bool entry_none_or_clear_bad(struct kmm_kernel *k, uint64_t *entry, const char *level)
{
	if (*entry == 0)
		return true;
	if ((*entry & PMD_TYPE_MASK) != PMD_TYPE_TABLE) {
		env_printk(k->env, "mm/pgtable-generic.c: bad %s %016" PRIx64 ".\n", level, *entry);
		*entry = 0;
		return true;
	}
	return false;
}

static void vunmap_pmd_range(struct kmm_kernel *k, pud_t *pud, unsigned long addr,
			     unsigned long end)
{
	pmd_t *pmd = pmd_offset(k, pud, addr);
	unsigned long next;

	do {
		next = pmd_addr_end(addr, end);
		if (pmd_clear_huge(pmd)) {
			env_charge(k->env, COST_vunmap_pte);
			continue;
		}
		if (entry_none_or_clear_bad(k, &pmd->pmd, "pmd"))
			continue;
		vunmap_pte_range(k, pmd, addr, next);
	} while (pmd++, addr = next, addr != end);
}

static void vunmap_pud_range(struct kmm_kernel *k, p4d_t *p4d, unsigned long addr,
			     unsigned long end)
{
	pud_t *pud = pud_offset(k, p4d, addr);
	unsigned long next;

	do {
		next = pud_addr_end(addr, end);
		if (pud_clear_huge(pud))
			continue;
		if (entry_none_or_clear_bad(k, &pud->pud, "pud"))
			continue;
		vunmap_pmd_range(k, pud, addr, next);
	} while (pud++, addr = next, addr != end);
}

/* Models: __vunmap_range_noflush(): clears the entries; tables stay; no TLB flush. */
static void vunmap_range_noflush(struct kmm_kernel *k, unsigned long start, unsigned long end)
{
	unsigned long addr = start, next;
	pgd_t *pgd = pgd_offset_k(k, addr);

	do {
		p4d_t *p4d = p4d_offset(pgd, addr);

		next = pgd_addr_end(addr, end);
		if (entry_none_or_clear_bad(k, &p4d->p4d, "p4d"))
			continue;
		vunmap_pud_range(k, p4d, addr, next);
	} while (pgd++, addr = next, addr != end);
}

void vunmap_range(struct kmm_kernel *k, unsigned long addr, unsigned long end)
{
	vunmap_range_noflush(k, addr, end);
	flush_tlb_kernel_range(k, addr, end);
}

/* ---- mapping ------------------------------------------------------------------------- */

/*
 * The leaf mapping @va in swapper_pg_dir: its descriptor and size shift, or false. Table
 * pages that are not RAM count as unmapped (pgtable_check reports those).
 */
static bool vmap_walk(const struct kmm_kernel *k, unsigned long va, uint64_t *desc,
		      unsigned int *shift)
{
	p4d_t *p4d = p4d_offset(pgd_offset_k(k, va), va);
	pud_t *pud;
	pmd_t *pmd;
	pte_t *pte;

	if (p4d_none(*p4d) || !(pud = pud_offset(k, p4d, va)) || pud_none(*pud))
		return false;
	if (pud_leaf(*pud))
		return *desc = pud_val(*pud), *shift = PUD_SHIFT, true;
	if (!(pmd = pmd_offset(k, pud, va)) || pmd_none(*pmd))
		return false;
	if (pmd_leaf(*pmd))
		return *desc = pmd_val(*pmd), *shift = PMD_SHIFT, true;
	if (!(pte = pte_offset_kernel(k, pmd, va)) || pte_none(*pte))
		return false;
	return *desc = pte_val(*pte), *shift = PAGE_SHIFT, true;
}

/* The physical address @va maps to, or ~0 if it is not mapped. */
static phys_addr_t vmap_walk_pa(const struct kmm_kernel *k, unsigned long va)
{
	unsigned int shift = 0;
	uint64_t desc = 0;

	if (!vmap_walk(k, va, &desc, &shift))
		return ~(phys_addr_t)0;
	return (desc & PTE_ADDR_MASK & ~((1ull << shift) - 1)) | (va & ((1ull << shift) - 1));
}

/* A BUG_ON of the mapping code: a report that kills the machine. */
static int vmap_bug(struct kmm_kernel *k, const char *function, const char *condition,
		    unsigned long addr)
{
	__bug(k->env, BUG_SITE(0, function, condition), "%s: %s at 0x%016lx\n", function, condition,
	      addr);
	return -EINVAL;
}

/* A WARN_ON of the mapping code: a report; the caller fails the mapping. */
static void vmap_warn(struct kmm_kernel *k, const char *function, const char *condition)
{
	char after[256];

	snprintf(after, sizeof(after), " (%s)", condition);
	__warn(k->env, BUG_SITE(0, function, condition), after, NULL);
}

/* Models: pte_alloc_kernel_track(): the PTE for @addr, allocating its table; NULL if none. */
static pte_t *pte_alloc_kernel_track(struct kmm_kernel *k, pmd_t *pmd, unsigned long addr)
{
	if (pmd_none(*pmd)) {
		phys_addr_t pa = pgtable_page_alloc(k);

		if (!pa)
			return NULL;
		__pmd_populate(pmd, pa, PMD_TYPE_TABLE | PMD_TABLE_UXN); /* pmd_populate_kernel */
	}
	return pte_offset_kernel(k, pmd, addr);
}

/* Models: pmd_alloc_track() for init_mm. */
static pmd_t *pmd_alloc_track(struct kmm_kernel *k, pud_t *pud, unsigned long addr)
{
	if (pud_none(*pud)) {
		phys_addr_t pa = pgtable_page_alloc(k);

		if (!pa)
			return NULL;
		__pud_populate(pud, pa, PUD_TYPE_TABLE | PUD_TABLE_UXN); /* pud_populate */
	}
	return pmd_offset(k, pud, addr);
}

/* Models: pud_alloc_track() for init_mm. */
static pud_t *pud_alloc_track(struct kmm_kernel *k, p4d_t *p4d, unsigned long addr)
{
	if (p4d_none(*p4d)) {
		phys_addr_t pa = pgtable_page_alloc(k);

		if (!pa)
			return NULL;
		__p4d_populate(p4d, pa, P4D_TYPE_TABLE | P4D_TABLE_UXN); /* p4d_populate */
	}
	return pud_offset(k, p4d, addr);
}

/* Models: vmap_pte_range(): maps [addr, end) to consecutive frames from @phys_addr. */
static int vmap_pte_range(struct kmm_kernel *k, pmd_t *pmd, unsigned long addr, unsigned long end,
			  phys_addr_t phys_addr, pgprot_t prot)
{
	unsigned long pfn = PHYS_PFN(phys_addr);
	pte_t *pte = pte_alloc_kernel_track(k, pmd, addr);

	if (!pte)
		return -ENOMEM;
	do {
		if (!pte_none(*pte))
			return vmap_bug(k, "vmap_pte_range", "!pte_none(*pte)", addr);
		set_pte(pte, pfn_pte(pfn, prot));
		env_charge(k->env, COST_vmap_pte);
		pfn++;
	} while (pte++, addr += PAGE_SIZE, addr != end);
	return 0;
}

/*
 * Models: vmap_try_huge_pmd(): a 2 MiB block when the caller allows it and @addr, @end and
 * @phys_addr line up; an empty PTE table left by an earlier mapping is freed first
 * (break-before-make with a walk-cache invalidation). Returns 1 if the block was written.
 */
static int vmap_try_huge_pmd(struct kmm_kernel *k, pmd_t *pmd, unsigned long addr,
			     unsigned long end, phys_addr_t phys_addr, pgprot_t prot,
			     unsigned int max_page_shift)
{
	if (max_page_shift < PMD_SHIFT || end - addr != PMD_SIZE || (addr & ~PMD_MASK) ||
	    (phys_addr & ~PMD_MASK))
		return 0;
	if (pmd_present(*pmd) && !pmd_free_pte_page(k, pmd, addr))
		return 0;
	if (!pmd_set_huge(pmd, phys_addr, prot))
		return 0;
	env_charge(k->env, COST_vmap_pte);
	k->vmap->stats.huge_mappings++;
	return 1;
}

static int vmap_pmd_range(struct kmm_kernel *k, pud_t *pud, unsigned long addr, unsigned long end,
			  phys_addr_t phys_addr, pgprot_t prot, unsigned int max_page_shift)
{
	pmd_t *pmd = pmd_alloc_track(k, pud, addr);
	unsigned long next;

	if (!pmd)
		return -ENOMEM;
	do {
		int ret;

		next = pmd_addr_end(addr, end);
		if (vmap_try_huge_pmd(k, pmd, addr, next, phys_addr, prot, max_page_shift))
			continue;
		ret = vmap_pte_range(k, pmd, addr, next, phys_addr, prot);
		if (ret)
			return ret;
	} while (pmd++, phys_addr += next - addr, addr = next, addr != end);
	return 0;
}

/* Models: vmap_try_huge_pud(): a 1 GiB block (pud_sect_supported() with 4 KiB pages). */
static int vmap_try_huge_pud(struct kmm_kernel *k, pud_t *pud, unsigned long addr,
			     unsigned long end, phys_addr_t phys_addr, pgprot_t prot,
			     unsigned int max_page_shift)
{
	if (max_page_shift < PUD_SHIFT || end - addr != PUD_SIZE || (addr & ~PUD_MASK) ||
	    (phys_addr & ~PUD_MASK))
		return 0;
	if (pud_present(*pud) && !pud_free_pmd_page(k, pud, addr))
		return 0;
	if (!pud_set_huge(pud, phys_addr, prot))
		return 0;
	k->vmap->stats.huge_mappings++;
	return 1;
}

static int vmap_pud_range(struct kmm_kernel *k, p4d_t *p4d, unsigned long addr, unsigned long end,
			  phys_addr_t phys_addr, pgprot_t prot, unsigned int max_page_shift)
{
	pud_t *pud = pud_alloc_track(k, p4d, addr);
	unsigned long next;

	if (!pud)
		return -ENOMEM;
	do {
		int ret;

		next = pud_addr_end(addr, end);
		if (vmap_try_huge_pud(k, pud, addr, next, phys_addr, prot, max_page_shift))
			continue;
		ret = vmap_pmd_range(k, pud, addr, next, phys_addr, prot, max_page_shift);
		if (ret)
			return ret;
	} while (pud++, phys_addr += next - addr, addr = next, addr != end);
	return 0;
}

/*
 * Models: vmap_range_noflush(): maps [addr, end) to the physical range at @phys_addr with
 * blocks up to 1 << @max_page_shift where alignment allows (arm64 has no p4d blocks).
 * Returns 0, -ENOMEM (no table page) or -EINVAL (a BUG_ON).
 */
static int vmap_range_noflush(struct kmm_kernel *k, unsigned long addr, unsigned long end,
			      phys_addr_t phys_addr, pgprot_t prot, unsigned int max_page_shift)
{
	pgd_t *pgd = pgd_offset_k(k, addr);
	unsigned long next;
	int err;

	if (addr >= end)
		return vmap_bug(k, "vmap_range_noflush", "addr >= end", addr);
	do {
		next = pgd_addr_end(addr, end);
		err = vmap_pud_range(k, p4d_offset(pgd, addr), addr, next, phys_addr, prot,
				     max_page_shift);
		if (err)
			break;
	} while (pgd++, phys_addr += next - addr, addr = next, addr != end);
	return err;
}

/* Models: ioremap_page_range(): never executable. */
static int ioremap_page_range(struct kmm_kernel *k, unsigned long addr, unsigned long end,
			      phys_addr_t phys_addr, pgprot_t prot)
{
	return vmap_range_noflush(k, addr, end, phys_addr, pgprot_nx(prot),
				  k->vmap->ioremap_max_page_shift);
}

/* Models: vmap_pages_pte_range(): one page of @pages per PTE; *@nr is the running index. */
static int vmap_pages_pte_range(struct kmm_kernel *k, pmd_t *pmd, unsigned long addr,
				unsigned long end, pgprot_t prot, struct page **pages, unsigned *nr)
{
	pte_t *pte = pte_alloc_kernel_track(k, pmd, addr);

	if (!pte)
		return -ENOMEM;
	do {
		struct page *page = pages[*nr];

		if (!pte_none(*pte))
			return vmap_warn(k, "vmap_pages_pte_range", "!pte_none(*pte)"), -EBUSY;
		if (!page)
			return vmap_warn(k, "vmap_pages_pte_range", "!page"), -ENOMEM;
		if (!pfn_valid(k, page_to_pfn(k, page)))
			return vmap_warn(k, "vmap_pages_pte_range",
					 "!pfn_valid(page_to_pfn(page))"),
			       -EINVAL;
		set_pte(pte, mk_pte(k, page, prot));
		env_charge(k->env, COST_vmap_pte);
		(*nr)++;
	} while (pte++, addr += PAGE_SIZE, addr != end);
	return 0;
}

static int vmap_pages_pmd_range(struct kmm_kernel *k, pud_t *pud, unsigned long addr,
				unsigned long end, pgprot_t prot, struct page **pages, unsigned *nr)
{
	pmd_t *pmd = pmd_alloc_track(k, pud, addr);
	unsigned long next;

	if (!pmd)
		return -ENOMEM;
	do {
		int ret;

		next = pmd_addr_end(addr, end);
		ret = vmap_pages_pte_range(k, pmd, addr, next, prot, pages, nr);
		if (ret)
			return ret;
	} while (pmd++, addr = next, addr != end);
	return 0;
}

static int vmap_pages_pud_range(struct kmm_kernel *k, p4d_t *p4d, unsigned long addr,
				unsigned long end, pgprot_t prot, struct page **pages, unsigned *nr)
{
	pud_t *pud = pud_alloc_track(k, p4d, addr);
	unsigned long next;

	if (!pud)
		return -ENOMEM;
	do {
		int ret;

		next = pud_addr_end(addr, end);
		ret = vmap_pages_pmd_range(k, pud, addr, next, prot, pages, nr);
		if (ret)
			return ret;
	} while (pud++, addr = next, addr != end);
	return 0;
}

/* Models: vmap_small_pages_range_noflush(). */
static int vmap_small_pages_range_noflush(struct kmm_kernel *k, unsigned long addr,
					  unsigned long end, pgprot_t prot, struct page **pages)
{
	pgd_t *pgd = pgd_offset_k(k, addr);
	unsigned long next;
	unsigned nr = 0;
	int err;

	if (addr >= end)
		return vmap_bug(k, "vmap_small_pages_range_noflush", "addr >= end", addr);
	do {
		next = pgd_addr_end(addr, end);
		err = vmap_pages_pud_range(k, p4d_offset(pgd, addr), addr, next, prot, pages, &nr);
		if (err)
			break;
	} while (pgd++, addr = next, addr != end);
	return err;
}

/*
 * Models: vmap_pages_range() / __vmap_pages_range_noflush(): @pages (small pages, aligned
 * and contiguous up to @page_shift) mapped at [addr, end); with @page_shift above
 * PAGE_SHIFT each 1 << page_shift run becomes one block where it can.
 */
static int vmap_pages_range(struct kmm_kernel *k, unsigned long addr, unsigned long end,
			    pgprot_t prot, struct page **pages, unsigned int page_shift)
{
	unsigned int nr = (unsigned int)((end - addr) >> PAGE_SHIFT);

	if (page_shift == PAGE_SHIFT)
		return vmap_small_pages_range_noflush(k, addr, end, prot, pages);
	for (unsigned int i = 0; i < nr; i += 1u << (page_shift - PAGE_SHIFT)) {
		int err = vmap_range_noflush(k, addr, addr + (1ul << page_shift),
					     PFN_PHYS(page_to_pfn(k, pages[i])), prot, page_shift);

		if (err)
			return err;
		addr += 1ul << page_shift;
	}
	return 0;
}

/*
 * Models: vmalloc_to_page(): the page mapped at @addr (the tail page inside a block), or
 * NULL. Deviation: a frame without a struct page (an ioremapped device) gives NULL where the
 * kernel would compute a pointer into the memory map.
 */
struct page *vmalloc_to_page(const struct kmm_kernel *k, kmm_va_t addr)
{
	unsigned long pfn;
	uint64_t desc = 0;
	unsigned int shift = 0;

	if (!k->swapper_pg_dir || !vmap_walk(k, addr, &desc, &shift) || !pte_present(__pte(desc)))
		return NULL;
	pfn = (unsigned long)((desc & PTE_ADDR_MASK & ~((1ull << shift) - 1)) >> PAGE_SHIFT) +
	      (unsigned long)((addr & ((1ull << shift) - 1)) >> PAGE_SHIFT);
	return pfn_valid(k, pfn) ? pfn_to_page(k, pfn) : NULL;
}

/* Models: is_vmalloc_or_module_addr(). */
bool is_vmalloc_or_module_addr(kmm_va_t addr)
{
	return (addr >= MODULES_VADDR && addr < MODULES_END) || is_vmalloc_addr(addr);
}

/* ---- busy areas ----------------------------------------------------------------------- */

static struct vmap_area *__find_vmap_area(unsigned long addr, const struct vmap_tree *root)
{
	struct vmap_area *va = RB_ROOT(root);

	while (va) {
		if (addr < va->va_start)
			va = RB_LEFT(va, rb_node);
		else if (addr >= va->va_end)
			va = RB_RIGHT(va, rb_node);
		else
			return va;
	}
	return NULL;
}

/*
 * __find_vmap_area() on the busy tree, remembering the answer: vfree() looks the area up
 * twice (find_vm_area, then remove_vm_area by its start), the second time for free.
 * Deviation: the one-entry hint is the model's; the kernel descends the tree both times.
 */
static struct vmap_area *find_busy_va(struct vmap_state *vs, unsigned long addr)
{
	struct vmap_area *va = vs->busy_hint;

	if (va && addr >= va->va_start && addr < va->va_end)
		return va;
	va = __find_vmap_area(addr, &vs->vmap_area_root);
	vs->busy_hint = va;
	return va;
}

/*
 * Models: alloc_vmap_area(): a busy area of @size at @align inside [@vstart, @vend). On a
 * miss the lazy areas are purged and the search retried once. Returns the area, or NULL
 * with *@err -ENOMEM (no object), -EBUSY (no room: the kernel's warning unless
 * __GFP_NOWARN) or -EINVAL (a BUG_ON on the arguments).
 */
static struct vmap_area *alloc_vmap_area(struct vmap_state *vs, unsigned long size,
					 unsigned long align, unsigned long vstart,
					 unsigned long vend, gfp_t gfp_mask, int *err)
{
	struct kmm_kernel *k = vs->k;
	int cpu = smp_processor_id(k);
	struct vmap_area *va;
	unsigned long addr;
	bool purged = false;

	if (!size || (size & ~PAGE_MASK) || !align || (align & (align - 1))) {
		__bug(k->env,
		      BUG_SITE(0, "alloc_vmap_area",
			       "!size || offset_in_page(size) || !is_power_of_2(align)"),
		      "alloc_vmap_area size %lu align %lu\n", size, align);
		*err = -EINVAL;
		return NULL;
	}
	if (!vs->vmap_initialized) {
		*err = -EBUSY;
		return NULL;
	}
	va = va_alloc(vs);
	if (!va) {
		*err = -ENOMEM;
		return NULL;
	}
	for (;;) {
		/* preload_this_cpu_lock(): an object ready for a no-edge split */
		if (!vs->ne_fit_preload_node[cpu])
			vs->ne_fit_preload_node[cpu] = va_alloc(vs);
		env_charge(k->env, COST_vmap_area_alloc);
		addr = __alloc_vmap_area(vs, size, align, vstart, vend);
		if (addr != vend)
			break;
		if (purged) {
			if (!(gfp_mask & __GFP_NOWARN))
				env_printk(k->env,
					   "vmap allocation for size %lu failed: use "
					   "vmalloc=<size> to increase size\n",
					   size);
			va_free(vs, va);
			*err = -EBUSY;
			return NULL;
		}
		purge_vmap_area_lazy(vs);
		vs->stats.overflow_purges++;
		purged = true;
	}
	va->va_start = addr;
	va->va_end = addr + size;
	va->vm = NULL;
	if (!link_va(vs, va, &vs->vmap_area_root, &vs->vmap_area_list, false)) {
		va_free(vs, va);
		*err = -EBUSY;
		return NULL;
	}
	return va;
}

/* Models: free_unmap_vmap_area(). */
static void free_unmap_vmap_area(struct vmap_state *vs, struct vmap_area *va)
{
	vunmap_range_noflush(vs->k, va->va_start, va->va_end);
	free_vmap_area_noflush(vs, va);
}

/* Models: get_count_order_long(): ceil(log2(@v)). */
static unsigned int get_count_order_long(unsigned long v)
{
	unsigned int order = 0;

	while ((1ul << order) < v && order < 63)
		order++;
	return order;
}

struct vm_struct *__get_vm_area_node(struct kmm_kernel *k, unsigned long size, unsigned long align,
				     unsigned long shift, unsigned long flags, unsigned long start,
				     unsigned long end, int node, gfp_t gfp_mask,
				     const char *caller)
{
	struct vmap_state *vs = k->vmap;
	struct vm_struct *area;
	struct vmap_area *va;
	int err = 0;

	(void)node;
	size = ALIGN(size, 1ul << shift);
	if (!size || !vs)
		return NULL;
	if (flags & VM_IOREMAP) {
		unsigned int order = get_count_order_long(size);

		order = order < PAGE_SHIFT ? PAGE_SHIFT : order;
		align = 1ul << (order > IOREMAP_MAX_ORDER ? IOREMAP_MAX_ORDER : order);
	}
	area = env_alloc(k->env, sizeof(*area));
	if (!area)
		return NULL;
	if (!(flags & VM_NO_GUARD))
		size += PAGE_SIZE;
	va = alloc_vmap_area(vs, size, align, start, end, gfp_mask, &err);
	if (!va) {
		env_free(k->env, area);
		return NULL;
	}
	/* setup_vmalloc_vm() */
	area->flags = flags;
	area->addr = va->va_start;
	area->size = va_size(va);
	area->caller = caller;
	va->vm = area;
	return area;
}

struct vm_struct *__get_vm_area_caller(struct kmm_kernel *k, unsigned long size,
				       unsigned long flags, unsigned long start, unsigned long end,
				       const char *caller)
{
	return __get_vm_area_node(k, size, 1, PAGE_SHIFT, flags, start, end, NUMA_NO_NODE,
				  GFP_KERNEL, caller);
}

struct vm_struct *get_vm_area_caller(struct kmm_kernel *k, unsigned long size, unsigned long flags,
				     const char *caller)
{
	return __get_vm_area_caller(k, size, flags, VMALLOC_START, VMALLOC_END, caller);
}

struct vm_struct *find_vm_area(const struct kmm_kernel *k, kmm_va_t addr)
{
	struct vmap_area *va;

	if (!k->vmap)
		return NULL;
	va = find_busy_va(k->vmap, addr);
	return va ? va->vm : NULL;
}

struct vm_struct *remove_vm_area(struct kmm_kernel *k, kmm_va_t addr)
{
	struct vmap_state *vs = k->vmap;
	struct vmap_area *va;
	struct vm_struct *vm;

	va = vs ? find_busy_va(vs, addr) : NULL;
	if (!va || !va->vm)
		return NULL;
	vm = va->vm;
	va->vm = NULL;
	free_unmap_vmap_area(vs, va);
	return vm;
}

void free_vm_area(struct kmm_kernel *k, struct vm_struct *area)
{
	struct vm_struct *ret = remove_vm_area(k, area->addr);

	if (ret != area)
		__warn(k->env, BUG_SITE(0, "free_vm_area", "ret != area"), NULL, NULL);
	env_free(k->env, area);
}

/* ---- vmalloc, vfree, vmap, ioremap ----------------------------------------------------- */

/*
 * Models: warn_alloc() for vmalloc's messages: "<comm>: <message>, mode:<gfp>, nodemask=
 * (null),cpuset=/,mems_allowed=<nodes>", then the memory dump; nothing with __GFP_NOWARN.
 */
static void vmalloc_warn_alloc(struct kmm_kernel *k, gfp_t gfp, const char *fmt, ...)
	KMM_PRINTF(3, 4);

static void vmalloc_warn_alloc(struct kmm_kernel *k, gfp_t gfp, const char *fmt, ...)
{
	char msg[160], flags[256];
	va_list ap;

	if (gfp & __GFP_NOWARN)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	format_gfp(gfp, flags, sizeof(flags));
	env_printk(k->env, "kmmsim: %s, mode:%#x(%s), nodemask=(null),cpuset=/,mems_allowed=%s\n",
		   msg, gfp, flags, k->online_nodes_list);
	bug_report(k->env, KMM_REPORT_WARN, BUG_SITE(0, "warn_alloc", "vmalloc error"),
		   "kmmsim: %s, mode:%#x(%s), nodemask=(null)", msg, gfp, flags);
	__show_mem(k, NULL, gfp_zone(gfp));
}

/*
 * Models: __vunmap(): unmap and lazily free the area that holds @addr; with
 * @deallocate_pages also free its pages and page array. Bad addresses get the kernel's
 * warnings and change nothing.
 */
static void __vunmap(struct kmm_kernel *k, kmm_va_t addr, int deallocate_pages)
{
	struct vm_struct *area;

	if (!addr)
		return;
	if (addr & ~PAGE_MASK) {
		bug_report(k->env, KMM_REPORT_WARN, BUG_SITE(0, "__vunmap", "!PAGE_ALIGNED(addr)"),
			   "Trying to vfree() bad address (0x%016" PRIx64 ")\n", addr);
		return;
	}
	area = find_vm_area(k, addr);
	if (!area) {
		bug_report(k->env, KMM_REPORT_WARN, BUG_SITE(0, "__vunmap", "!area"),
			   "Trying to vfree() nonexistent vm area (0x%016" PRIx64 ")\n", addr);
		return;
	}
	if (area->early) {
		/* kfree() of the image's static vm_struct: the kernel would crash here */
		__bug(k->env, BUG_SITE_IN("mm/slub.c", 0, "__vunmap", "kfree(static area)"),
		      "kfree() of the static vm_struct of the kernel image area 0x%016" PRIx64 "\n",
		      area->addr);
		return;
	}
	remove_vm_area(k, area->addr); /* vm_remove_mappings() */
	if (deallocate_pages) {
		for (unsigned int i = 0; i < area->nr_pages; i++) {
			if (!area->pages[i]) {
				vmap_bug(k, "__vunmap", "!page", area->addr);
				return;
			}
			/* huge vmallocs were split: freed as order-0 pages */
			__free_pages(k, area->pages[i], 0);
		}
		if (!(area->flags & VM_MAP_PUT_PAGES))
			k->vmap->nr_vmalloc_pages -= area->nr_pages;
		if (area->pages_area)
			__vunmap(k, area->pages_area, 1); /* kvfree() of a vmalloc'd array */
		env_free(k->env, area->pages);
	}
	env_free(k->env, area);
}

void vfree(struct kmm_kernel *k, kmm_va_t addr)
{
	if (addr)
		__vunmap(k, addr, 1);
}

void vunmap(struct kmm_kernel *k, kmm_va_t addr)
{
	if (addr)
		__vunmap(k, addr, 0);
}

kmm_va_t vmap(struct kmm_kernel *k, struct page **pages, unsigned int count, unsigned long flags,
	      pgprot_t prot, const char *caller)
{
	struct vm_struct *area;
	unsigned long size;

	if (flags & VM_NO_GUARD) {
		__warn(k->env, BUG_SITE(0, "vmap", "flags & VM_NO_GUARD"), NULL, NULL);
		flags &= ~VM_NO_GUARD;
	}
	if (count > (unsigned long)k->totalram_pages)
		return 0;
	size = (unsigned long)count << PAGE_SHIFT;
	area = get_vm_area_caller(k, size, flags, caller);
	if (!area)
		return 0;
	if (vmap_pages_range(k, area->addr, area->addr + size, pgprot_nx(prot), pages, PAGE_SHIFT) <
	    0) {
		vunmap(k, area->addr);
		return 0;
	}
	if (flags & VM_MAP_PUT_PAGES) {
		area->pages = pages;
		area->nr_pages = count;
	}
	return area->addr;
}

/*
 * Models: vm_area_alloc_pages(): order-0 pages through the bulk allocator (100 per call),
 * the rest (and every higher order) one allocation at a time, higher orders split so the
 * area holds small pages. Returns how many small pages @pages holds.
 * Deviation: with a node given, pages come one by one from alloc_pages_node() (there is no
 * bulk allocator for a chosen node in the model yet).
 */
static unsigned int vm_area_alloc_pages(struct kmm_kernel *k, gfp_t gfp, int nid,
					unsigned int order, unsigned int nr_pages,
					struct page **pages)
{
	unsigned int nr_allocated = 0;
	gfp_t alloc_gfp = gfp;

	if (!order && nid == NUMA_NO_NODE) {
		gfp_t bulk_gfp = gfp & ~__GFP_NOFAIL;

		while (nr_allocated < nr_pages) {
			unsigned int request =
				nr_pages - nr_allocated < 100 ? nr_pages - nr_allocated : 100;
			unsigned int nr = (unsigned int)alloc_pages_bulk_array(
				k, bulk_gfp, request, pages + nr_allocated);

			nr_allocated += nr;
			if (nr != request)
				break;
		}
	} else if (order && (gfp & __GFP_NOFAIL)) {
		alloc_gfp &= ~__GFP_NOFAIL;
	}
	while (nr_allocated < nr_pages) {
		struct page *page = nid == NUMA_NO_NODE
					    ? alloc_pages(k, alloc_gfp, order)
					    : alloc_pages_node(k, nid, alloc_gfp, order);

		if (!page)
			break;
		if (order)
			split_page(k, page, order);
		for (unsigned int i = 0; i < (1u << order); i++)
			pages[nr_allocated + i] = page + i;
		nr_allocated += 1u << order;
	}
	return nr_allocated;
}

/*
 * Models: __vmalloc_area_node(): the page array (kmalloc'd, or vmalloc'd itself above a
 * page), the pages, the mapping. NULL (the area freed) on failure. Note that 6.1 sets
 * __GFP_NOWARN before its own warn_alloc() calls, which therefore never print.
 */
static kmm_va_t __vmalloc_area_node(struct kmm_kernel *k, struct vm_struct *area, gfp_t gfp_mask,
				    pgprot_t prot, unsigned int page_shift, int node)
{
	const gfp_t nested_gfp = (gfp_mask & GFP_RECLAIM_MASK) | __GFP_ZERO;
	unsigned long addr = area->addr, size = get_vm_area_size(area);
	unsigned int nr_small_pages = (unsigned int)(size >> PAGE_SHIFT);
	unsigned long array_size = (unsigned long)nr_small_pages * sizeof(struct page *);
	int ret;

	gfp_mask |= __GFP_NOWARN;
	if (!(gfp_mask & (GFP_DMA | GFP_DMA32)))
		gfp_mask |= __GFP_HIGHMEM;
	if (array_size > PAGE_SIZE) {
		area->pages_area = __vmalloc_node(k, array_size, 1, nested_gfp, node, area->caller);
		area->pages = area->pages_area ? env_alloc(k->env, array_size) : NULL;
	} else {
		area->pages = env_alloc(k->env, array_size);
	}
	if (!area->pages) {
		vmalloc_warn_alloc(
			k, gfp_mask,
			"vmalloc error: size %lu, failed to allocated page array size %lu",
			(unsigned long)nr_small_pages * PAGE_SIZE, array_size);
		if (area->pages_area)
			vfree(k, area->pages_area);
		area->pages_area = 0;
		free_vm_area(k, area);
		return 0;
	}
	area->page_order = page_shift - PAGE_SHIFT;
	area->nr_pages = vm_area_alloc_pages(k, gfp_mask | __GFP_NOWARN, node, area->page_order,
					     nr_small_pages, area->pages);
	k->vmap->nr_vmalloc_pages += area->nr_pages;
	if (area->nr_pages != nr_small_pages) {
		vmalloc_warn_alloc(
			k, gfp_mask,
			"vmalloc error: size %lu, page order %u, failed to allocate pages",
			(unsigned long)area->nr_pages * PAGE_SIZE, area->page_order);
		goto fail;
	}
	ret = vmap_pages_range(k, addr, addr + size, prot, area->pages, page_shift);
	if (ret < 0) {
		vmalloc_warn_alloc(k, gfp_mask, "vmalloc error: size %lu, failed to map pages",
				   (unsigned long)area->nr_pages * PAGE_SIZE);
		goto fail;
	}
	return area->addr;
fail:
	vfree(k, area->addr);
	return 0;
}

/*
 * Models: __vmalloc_node_range(). With VM_ALLOW_HUGE_VMAP and at least 2 MiB per node, the
 * area is 2 MiB aligned and sized and mapped with PMD blocks of order-9 pages; if that
 * fails, it is retried with small pages. Deviation: __GFP_NOFAIL is not retried forever.
 */
kmm_va_t __vmalloc_node_range(struct kmm_kernel *k, unsigned long size, unsigned long align,
			      unsigned long start, unsigned long end, gfp_t gfp_mask, pgprot_t prot,
			      unsigned long vm_flags, int node, const char *caller)
{
	unsigned long real_size = size, real_align = align;
	unsigned int shift = PAGE_SHIFT;
	struct vm_struct *area;
	kmm_va_t ret;

	if (!size) {
		__warn(k->env, BUG_SITE(0, "__vmalloc_node_range", "!size"), " (!size)", NULL);
		return 0;
	}
	if ((size >> PAGE_SHIFT) > (unsigned long)k->totalram_pages) {
		vmalloc_warn_alloc(k, gfp_mask, "vmalloc error: size %lu, exceeds total pages",
				   real_size);
		return 0;
	}
	if (k->vmap->vmap_allow_huge && (vm_flags & VM_ALLOW_HUGE_VMAP)) {
		unsigned long size_per_node = size;

		if (node == NUMA_NO_NODE)
			size_per_node /= (unsigned long)k->nr_online_nodes;
		if (size_per_node >= PMD_SIZE)
			shift = PMD_SHIFT;
		align = real_align > (1ul << shift) ? real_align : 1ul << shift;
		size = ALIGN(real_size, 1ul << shift);
	}
	for (;;) {
		area = __get_vm_area_node(k, real_size, align, shift,
					  VM_ALLOC | VM_UNINITIALIZED | vm_flags, start, end, node,
					  gfp_mask, caller);
		if (!area) {
			vmalloc_warn_alloc(k, gfp_mask,
					   "vmalloc error: size %lu, vm_struct allocation failed%s",
					   real_size,
					   (gfp_mask & __GFP_NOFAIL) ? ". Retrying." : "");
			ret = 0;
		} else {
			ret = __vmalloc_area_node(k, area, gfp_mask, prot, shift, node);
		}
		if (ret) {
			area->flags &= ~VM_UNINITIALIZED; /* clear_vm_uninitialized_flag() */
			return ret;
		}
		if (shift == PAGE_SHIFT)
			return 0;
		shift = PAGE_SHIFT;
		align = real_align;
		size = real_size;
	}
}

kmm_va_t __vmalloc_node(struct kmm_kernel *k, unsigned long size, unsigned long align,
			gfp_t gfp_mask, int node, const char *caller)
{
	return __vmalloc_node_range(k, size, align, VMALLOC_START, VMALLOC_END, gfp_mask,
				    PAGE_KERNEL, 0, node, caller);
}

kmm_va_t vmalloc(struct kmm_kernel *k, unsigned long size, const char *caller)
{
	return __vmalloc_node(k, size, 1, GFP_KERNEL, NUMA_NO_NODE, caller);
}

kmm_va_t vzalloc(struct kmm_kernel *k, unsigned long size, const char *caller)
{
	return __vmalloc_node(k, size, 1, GFP_KERNEL | __GFP_ZERO, NUMA_NO_NODE, caller);
}

kmm_va_t vmalloc_node(struct kmm_kernel *k, unsigned long size, int node, const char *caller)
{
	return __vmalloc_node(k, size, 1, GFP_KERNEL, node, caller);
}

kmm_va_t vzalloc_node(struct kmm_kernel *k, unsigned long size, int node, const char *caller)
{
	return __vmalloc_node(k, size, 1, GFP_KERNEL | __GFP_ZERO, node, caller);
}

kmm_va_t vmalloc_huge(struct kmm_kernel *k, unsigned long size, gfp_t gfp_mask, const char *caller)
{
	return __vmalloc_node_range(k, size, 1, VMALLOC_START, VMALLOC_END, gfp_mask, PAGE_KERNEL,
				    VM_ALLOW_HUGE_VMAP, NUMA_NO_NODE, caller);
}

/* Models: arch/arm64/mm/ioremap.c:ioremap_allowed(): inside PHYS_MASK and not RAM. */
static bool ioremap_allowed(struct kmm_kernel *k, phys_addr_t phys_addr, size_t size)
{
	phys_addr_t last_addr = phys_addr + size - 1;

	if (last_addr & ~PHYS_MASK)
		return false;
	if (memblock_is_map_memory(&k->memblock, phys_addr)) { /* pfn_is_map_memory() */
		char after[64];

		snprintf(after, sizeof(after), ": ioremap of RAM at 0x%016" PRIx64, phys_addr);
		__warn(k->env,
		       BUG_SITE_IN("arch/arm64/mm/ioremap.c", 0, "ioremap_allowed",
				   "pfn_is_map_memory(__phys_to_pfn(phys_addr))"),
		       after, NULL);
		return false;
	}
	return true;
}

kmm_va_t ioremap_prot(struct kmm_kernel *k, phys_addr_t phys_addr, size_t size, pteval_t prot,
		      const char *caller)
{
	phys_addr_t last_addr = phys_addr + size - 1, offset;
	struct vm_struct *area;

	if (!size || last_addr < phys_addr)
		return 0;
	offset = phys_addr & ~PAGE_MASK;
	phys_addr -= offset;
	size = (size + offset + PAGE_SIZE - 1) & PAGE_MASK;
	if (!ioremap_allowed(k, phys_addr, size))
		return 0;
	area = get_vm_area_caller(k, size, VM_IOREMAP, caller);
	if (!area)
		return 0;
	area->phys_addr = phys_addr;
	if (ioremap_page_range(k, area->addr, area->addr + size, phys_addr, __pgprot(prot))) {
		free_vm_area(k, area);
		return 0;
	}
	return area->addr + offset;
}

kmm_va_t ioremap(struct kmm_kernel *k, phys_addr_t phys_addr, size_t size, const char *caller)
{
	return ioremap_prot(k, phys_addr, size, PROT_DEVICE_nGnRE, caller);
}

void iounmap(struct kmm_kernel *k, kmm_va_t addr)
{
	kmm_va_t vaddr = addr & PAGE_MASK;

	if (is_vmalloc_addr(vaddr))
		vunmap(k, vaddr);
}

/* ---- boot ----------------------------------------------------------------------------- */

int vmap_state_init(struct kmm_kernel *k)
{
	struct vmap_state *vs = env_alloc(k->env, sizeof(*vs));

	if (!vs)
		return env_error(k->env, KMM_EHOST, "host memory exhausted (vmalloc state)"),
		       -ENOMEM;
	vs->k = k;
	RB_INIT(&vs->vmap_area_root);
	RB_INIT(&vs->free_vmap_area_root);
	RB_INIT(&vs->purge_vmap_area_root);
	INIT_LIST_HEAD(&vs->vmap_area_list);
	INIT_LIST_HEAD(&vs->free_vmap_area_list);
	INIT_LIST_HEAD(&vs->purge_vmap_area_list);
	vs->vmap_allow_huge = true;
	vs->ioremap_max_page_shift = 63;
	k->vmap = vs;
	return 0;
}

static void free_va_list(struct vmap_state *vs, struct list_head *head)
{
	while (!list_empty(head)) {
		struct vmap_area *va = list_first_entry(head, struct vmap_area, list);

		list_del(&va->list);
		if (va->vm) {
			env_free(vs->k->env, va->vm->pages);
			env_free(vs->k->env, va->vm);
		}
	}
}

void vmap_state_fini(struct kmm_kernel *k)
{
	struct vmap_state *vs = k->vmap;

	if (!vs)
		return;
	free_va_list(vs, &vs->vmap_area_list);
	free_va_list(vs, &vs->free_vmap_area_list);
	free_va_list(vs, &vs->purge_vmap_area_list);
	while (vs->vmlist && !vs->vmap_initialized) {
		struct vm_struct *vm = vs->vmlist;

		vs->vmlist = vm->next;
		env_free(k->env, vm);
	}
	while (vs->chunks) {
		struct va_chunk *c = vs->chunks;

		vs->chunks = c->next;
		env_free(k->env, c);
	}
	env_free(k->env, vs);
	k->vmap = NULL;
}

int vm_area_add_early(struct kmm_kernel *k, kmm_va_t addr, phys_addr_t phys, unsigned long size,
		      unsigned long flags, const char *caller)
{
	struct vmap_state *vs = k->vmap;
	struct vm_struct *vm, *tmp, **p;

	if (vs->vmap_initialized)
		return __bug(k->env, BUG_SITE(0, "vm_area_add_early", "vmap_initialized"),
			     "vm_area_add_early\n"),
		       -EINVAL;
	for (p = &vs->vmlist; (tmp = *p) != NULL; p = &tmp->next) {
		if (tmp->addr >= addr ? tmp->addr < addr + size : tmp->addr + tmp->size > addr)
			return __bug(k->env, BUG_SITE(0, "vm_area_add_early", "overlap"),
				     "vm_area_add_early\n"),
			       -EINVAL;
		if (tmp->addr >= addr)
			break;
	}
	vm = env_alloc(k->env, sizeof(*vm));
	if (!vm)
		return env_error(k->env, KMM_EHOST, "host memory exhausted (vm_struct)"), -ENOMEM;
	*vm = (struct vm_struct){.addr = addr,
				 .size = size,
				 .flags = flags,
				 .phys_addr = phys,
				 .caller = caller,
				 .early = true,
				 .next = *p};
	*p = vm;
	return 0;
}

/* Models: vmap_init_free_space(): free areas in the gaps of the busy list over [1, ~0). */
static int vmap_init_free_space(struct vmap_state *vs)
{
	unsigned long vmap_start = 1;
	const unsigned long vmap_end = ULONG_MAX;
	struct list_head *pos;

	for (pos = vs->vmap_area_list.next;; pos = pos->next) {
		unsigned long gap_end = pos == &vs->vmap_area_list
						? vmap_end
						: list_entry(pos, struct vmap_area, list)->va_start;

		if (gap_end > vmap_start) {
			struct vmap_area *free = va_alloc(vs);

			if (!free)
				return -ENOMEM;
			free->va_start = vmap_start;
			free->va_end = gap_end;
			link_va(vs, free, &vs->free_vmap_area_root, &vs->free_vmap_area_list, true);
		}
		if (pos == &vs->vmap_area_list)
			return 0;
		vmap_start = list_entry(pos, struct vmap_area, list)->va_end;
	}
}

int vmalloc_init(struct kmm_kernel *k)
{
	struct vmap_state *vs = k->vmap;

	while (vs->vmlist) {
		struct vm_struct *tmp = vs->vmlist;
		struct vmap_area *va = va_alloc(vs);

		if (!va)
			return -ENOMEM;
		vs->vmlist = tmp->next;
		tmp->next = NULL;
		va->va_start = tmp->addr;
		va->va_end = tmp->addr + tmp->size;
		va->vm = tmp;
		link_va(vs, va, &vs->vmap_area_root, &vs->vmap_area_list, false);
	}
	if (vmap_init_free_space(vs))
		return -ENOMEM;
	vs->vmap_initialized = true;
	return 0;
}

/* ---- iteration, statistics ------------------------------------------------------------ */

void vmap_for_each_area(const struct kmm_kernel *k, enum vmap_which which,
			void (*fn)(void *arg, unsigned long start, unsigned long end,
				   const struct vm_struct *vm),
			void *arg)
{
	const struct vmap_state *vs = k->vmap;
	const struct list_head *head, *pos;

	if (!vs)
		return;
	head = which == VMAP_BUSY   ? &vs->vmap_area_list
	       : which == VMAP_FREE ? &vs->free_vmap_area_list
				    : &vs->purge_vmap_area_list;
	for (pos = head->next; pos != head; pos = pos->next) {
		const struct vmap_area *va = list_entry(pos, struct vmap_area, list);

		fn(arg, va->va_start, va->va_end, which == VMAP_BUSY ? va->vm : NULL);
	}
}

struct vmap_stats *vmap_stats(struct kmm_kernel *k)
{
	return &k->vmap->stats;
}

unsigned long vmalloc_nr_pages(const struct kmm_kernel *k)
{
	return k->vmap ? k->vmap->nr_vmalloc_pages : 0;
}

/* ---- /proc/vmallocinfo ---------------------------------------------------------------- */

/* Models: show_numa_info(): " N<nid>=<pages>" per node, counted in steps of the order. */
static void show_numa_info(const struct kmm_kernel *k, const struct sink *out,
			   const struct vm_struct *v)
{
	unsigned int counters[MAX_NUMNODES] = {0}, step = 1u << v->page_order;

	if (v->flags & VM_UNINITIALIZED)
		return;
	for (unsigned int nr = 0; nr < v->nr_pages; nr += step)
		counters[page_to_nid(v->pages[nr])] += step;
	for (int nid = 0; nid < MAX_NUMNODES; nid++) {
		if (counters[nid] && k->node_data[nid])
			sink_printf(out, " N%d=%u", nid, counters[nid]);
	}
}

/* Models: s_show() for one busy area. */
static void show_one_area(const struct kmm_kernel *k, const struct sink *out,
			  const struct vmap_area *va)
{
	const struct vm_struct *v = va->vm;

	if (!v) {
		sink_printf(out, "0x%016lx-0x%016lx %7ld vm_map_ram\n", va->va_start, va->va_end,
			    (long)va_size(va));
		return;
	}
	sink_printf(out, "0x%016" PRIx64 "-0x%016" PRIx64 " %7ld", v->addr, v->addr + v->size,
		    (long)v->size);
	if (v->caller)
		sink_printf(out, " %s", v->caller);
	if (v->nr_pages)
		sink_printf(out, " pages=%d", (int)v->nr_pages);
	if (v->phys_addr)
		sink_printf(out, " phys=0x%016" PRIx64, v->phys_addr);
	if (v->flags & VM_IOREMAP)
		sink_printf(out, " ioremap");
	if (v->flags & VM_ALLOC)
		sink_printf(out, " vmalloc");
	if (v->flags & VM_MAP)
		sink_printf(out, " vmap");
	if (v->flags & VM_USERMAP)
		sink_printf(out, " user");
	if (v->flags & VM_DMA_COHERENT)
		sink_printf(out, " dma-coherent");
	if (v->pages_area)
		sink_printf(out, " vpages");
	show_numa_info(k, out, v);
	sink_printf(out, "\n");
}

void show_vmallocinfo(const struct kmm_kernel *k, const struct sink *out)
{
	const struct vmap_state *vs = k->vmap;
	const struct list_head *pos;

	if (!vs || list_empty(&vs->vmap_area_list))
		return;
	for (pos = vs->vmap_area_list.next; pos != &vs->vmap_area_list; pos = pos->next)
		show_one_area(k, out, list_entry(pos, struct vmap_area, list));
	/* show_purge_info(), after the last busy area */
	for (pos = vs->purge_vmap_area_list.next; pos != &vs->purge_vmap_area_list;
	     pos = pos->next) {
		const struct vmap_area *va = list_entry(pos, struct vmap_area, list);

		sink_printf(out, "0x%016lx-0x%016lx %7ld unpurged vm_area\n", va->va_start,
			    va->va_end, (long)va_size(va));
	}
}

/* ---- checks --------------------------------------------------------------------------- */

static bool check_fail(char *why, size_t whylen, const char *fmt, ...) KMM_PRINTF(3, 4);

static bool check_fail(char *why, size_t whylen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, whylen, fmt, ap);
	va_end(ap);
	return false;
}

/* Invariants 1 and 2 for one tree and its list; returns the number of areas (or -1). */
static long check_tree(const struct vmap_state *vs, enum vmap_which which, char *why, size_t whylen)
{
	static const char *const names[] = {"busy", "free", "purge"};
	struct vmap_tree *root = tree_of((struct vmap_state *)vs, which);
	const struct list_head *head = which == VMAP_BUSY   ? &vs->vmap_area_list
				       : which == VMAP_FREE ? &vs->free_vmap_area_list
							    : &vs->purge_vmap_area_list;
	const struct list_head *pos = head->next;
	struct vmap_area *va, *prev = NULL;
	long n = 0;

	RB_FOREACH(va, vmap_tree, root)
	{
		if (pos == head || list_entry(pos, struct vmap_area, list) != va)
			return check_fail(why, whylen,
					  "vmalloc: the %s tree and list differ at "
					  "0x%lx",
					  names[which], va->va_start),
			       -1;
		if (va->va_start >= va->va_end || (prev && prev->va_end > va->va_start))
			return check_fail(why, whylen,
					  "vmalloc: %s area 0x%lx-0x%lx is empty or "
					  "overlaps its predecessor",
					  names[which], va->va_start, va->va_end),
			       -1;
		if (which != VMAP_BUSY && prev && prev->va_end == va->va_start)
			return check_fail(why, whylen,
					  "vmalloc: %s areas 0x%lx-0x%lx and "
					  "0x%lx-0x%lx touch but were not merged",
					  names[which], prev->va_start, prev->va_end, va->va_start,
					  va->va_end),
			       -1;
		if (va->augmented != (which == VMAP_FREE))
			return check_fail(why, whylen,
					  "vmalloc: %s area 0x%lx-0x%lx is %smarked as "
					  "a free-tree node",
					  names[which], va->va_start, va->va_end,
					  va->augmented ? "" : "not "),
			       -1;
		if (which == VMAP_FREE && va->subtree_max_size != compute_subtree_max_size(va))
			return check_fail(why, whylen,
					  "vmalloc: free area 0x%lx-0x%lx has "
					  "subtree_max_size %lu, its subtree's largest is %lu",
					  va->va_start, va->va_end, va->subtree_max_size,
					  compute_subtree_max_size(va)),
			       -1;
		prev = va;
		pos = pos->next;
		n++;
	}
	if (pos != head)
		return check_fail(why, whylen, "vmalloc: the %s list is longer than its tree",
				  names[which]),
		       -1;
	return n;
}

/* Invariant 3: the three lists, merged by address, tile [1, ULONG_MAX). */
static bool check_tiling(const struct vmap_state *vs, char *why, size_t whylen)
{
	const struct list_head *heads[3] = {&vs->vmap_area_list, &vs->free_vmap_area_list,
					    &vs->purge_vmap_area_list};
	const struct list_head *pos[3] = {heads[0]->next, heads[1]->next, heads[2]->next};
	unsigned long at = 1;

	for (;;) {
		int found = -1;

		for (int i = 0; i < 3; i++) {
			if (pos[i] != heads[i] &&
			    list_entry(pos[i], struct vmap_area, list)->va_start == at)
				found = i;
		}
		if (found < 0)
			break;
		at = list_entry(pos[found], struct vmap_area, list)->va_end;
		pos[found] = pos[found]->next;
	}
	if (at != ULONG_MAX || pos[0] != heads[0] || pos[1] != heads[1] || pos[2] != heads[2])
		return check_fail(why, whylen,
				  "vmalloc: busy, free and purge areas do not tile "
				  "the address space: nothing starts at 0x%lx",
				  at);
	return true;
}

/*
 * The lowest mapped address in [start, end), or @end. Skips empty tables a level at a
 * time, so a scan of the whole (mostly empty) vmalloc range is cheap.
 */
static unsigned long first_mapped(const struct kmm_kernel *k, unsigned long start,
				  unsigned long end)
{
	static const unsigned int shifts[] = {PGDIR_SHIFT, PUD_SHIFT, PMD_SHIFT, PAGE_SHIFT};
	unsigned long addr = start;

	while (addr < end) {
		phys_addr_t table = k->swapper_pg_dir;
		unsigned int level;

		for (level = 0; level < 4; level++) {
			const uint64_t *t = pgtable_host(k, table);
			uint64_t d = t ? t[(addr >> shifts[level]) & 511] : 0;

			if (!d) {
				addr = ((addr >> shifts[level]) + 1) << shifts[level];
				break;
			}
			if (level == 3 || (d & PMD_TYPE_MASK) != PMD_TYPE_TABLE)
				return addr;
			table = d & PTE_ADDR_MASK;
		}
		if (addr == 0)
			break; /* wrapped past the top */
	}
	return end;
}

/* Invariant 5 for one busy area. */
static bool check_busy_mapping(const struct kmm_kernel *k, const struct vm_struct *vm, char *why,
			       size_t whylen)
{
	unsigned long size = get_vm_area_size(vm);

	if (vm->flags & VM_ALLOC && !(vm->flags & VM_UNINITIALIZED)) {
		for (unsigned int i = 0; i < vm->nr_pages; i++) {
			phys_addr_t want = PFN_PHYS(page_to_pfn(k, vm->pages[i]));
			phys_addr_t got = vmap_walk_pa(k, vm->addr + (unsigned long)i * PAGE_SIZE);

			if (got != want)
				return check_fail(why, whylen,
						  "vmalloc: page %u of the area at "
						  "0x%" PRIx64 " maps pa 0x%" PRIx64
						  ", it owns pa 0x%" PRIx64,
						  i, vm->addr, got, want);
		}
	}
	if (vm->flags & VM_IOREMAP) {
		for (unsigned long off = 0; off < size; off += PAGE_SIZE) {
			if (vmap_walk_pa(k, vm->addr + off) != vm->phys_addr + off)
				return check_fail(why, whylen,
						  "vmalloc: ioremap area at 0x%" PRIx64
						  " does not map pa 0x%" PRIx64 " at +0x%lx",
						  vm->addr, vm->phys_addr, off);
		}
	}
	if (!(vm->flags & VM_NO_GUARD) &&
	    first_mapped(k, vm->addr + size, vm->addr + vm->size) != vm->addr + vm->size)
		return check_fail(why, whylen,
				  "vmalloc: the guard page of the area at 0x%" PRIx64 " is mapped",
				  vm->addr);
	return true;
}

/* Invariants 4-6. */
static bool check_areas(const struct kmm_kernel *k, char *why, size_t whylen)
{
	const struct vmap_state *vs = k->vmap;
	unsigned long lazy = 0, pages = 0, hole_start = VMALLOC_START;
	const struct list_head *pos;

	for (pos = vs->purge_vmap_area_list.next; pos != &vs->purge_vmap_area_list; pos = pos->next)
		lazy += va_size(list_entry(pos, struct vmap_area, list)) >> PAGE_SHIFT;
	if (lazy != vs->vmap_lazy_nr)
		return check_fail(why, whylen,
				  "vmalloc: vmap_lazy_nr is %lu, the purge list "
				  "holds %lu pages",
				  vs->vmap_lazy_nr, lazy);
	for (pos = vs->vmap_area_list.next; pos != &vs->vmap_area_list; pos = pos->next) {
		const struct vmap_area *va = list_entry(pos, struct vmap_area, list);
		const struct vm_struct *vm = va->vm;
		unsigned long s = va->va_start, e = va->va_end;

		if (vm && (vm->addr != s || vm->size != va_size(va)))
			return check_fail(why, whylen,
					  "vmalloc: vm_struct 0x%" PRIx64 "+0x%lx of "
					  "the area 0x%lx-0x%lx differs",
					  vm->addr, vm->size, s, e);
		if (vm && (vm->flags & VM_ALLOC))
			pages += vm->nr_pages;
		if (vm && !vm->early && !check_busy_mapping(k, vm, why, whylen))
			return false;
		if (e <= VMALLOC_START || s >= VMALLOC_END)
			continue;
		s = s < VMALLOC_START ? VMALLOC_START : s;
		if (first_mapped(k, hole_start, s) != s)
			return check_fail(why, whylen,
					  "vmalloc: 0x%lx is mapped but no busy area "
					  "holds it",
					  first_mapped(k, hole_start, s));
		hole_start = e < VMALLOC_END ? e : VMALLOC_END;
	}
	if (first_mapped(k, hole_start, VMALLOC_END) != VMALLOC_END)
		return check_fail(why, whylen, "vmalloc: 0x%lx is mapped but no busy area holds it",
				  first_mapped(k, hole_start, VMALLOC_END));
	if (pages != vs->nr_vmalloc_pages)
		return check_fail(why, whylen,
				  "vmalloc: nr_vmalloc_pages is %lu, the areas hold "
				  "%lu",
				  vs->nr_vmalloc_pages, pages);
	return true;
}

bool vmalloc_check(const struct kmm_kernel *k, char *why, size_t whylen)
{
	const struct vmap_state *vs = k->vmap;

	if (!vs || !vs->vmap_initialized)
		return true;
	for (int w = VMAP_BUSY; w <= VMAP_PURGE; w++) {
		if (check_tree(vs, (enum vmap_which)w, why, whylen) < 0)
			return false;
	}
	return check_tiling(vs, why, whylen) && check_areas(k, why, whylen);
}

/*
 * Row VMALLOC (page_place.h): the pages of the busy VM_ALLOC areas, from their page arrays.
 * vmap() areas map pages their callers own, so they claim nothing.
 */
bool vmalloc_place_walk(const struct kmm_kernel *k, struct place_map *map)
{
	const struct vmap_state *vs = k->vmap;
	const struct list_head *pos;

	if (!vs || !vs->vmap_initialized)
		return true;
	for (pos = vs->vmap_area_list.next; pos != &vs->vmap_area_list; pos = pos->next) {
		const struct vm_struct *vm = list_entry(pos, struct vmap_area, list)->vm;

		if (!vm || !(vm->flags & VM_ALLOC) || !vm->pages)
			continue;
		for (unsigned int i = 0; i < vm->nr_pages; i++)
			if (vm->pages[i] &&
			    !place_claim(map, PLACE_VMALLOC, page_to_pfn(k, vm->pages[i]), 1))
				return false;
	}
	return true;
}
