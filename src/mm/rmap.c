/*
 * Reverse mapping: anon_vma and anon_vma_chain, the map counts of pages, and the walks from a
 * folio to the PTEs that map it.
 *
 * Models: mm/rmap.c (Linux 6.1): anon_vma_init, __anon_vma_prepare, find_mergeable_anon_vma,
 *         anon_vma_clone, anon_vma_fork, unlink_anon_vmas, put_anon_vma,
 *         page_add_new_anon_rmap, page_add_anon_rmap, page_add_file_rmap, page_remove_rmap,
 *         page_try_dup_anon_rmap (include/linux/rmap.h), rmap_walk_anon, rmap_walk_file,
 *         try_to_unmap_one (file and anonymous: swap entries, lazyfree discard),
 *         folio_referenced_one; mm/page_vma_mapped.c.
 * Deviation: an anon_vma's chains are a list, not an interval tree (walks filter by the
 *         page's address in each VMA); an anon_vma with no chain left is recognised by its
 *         empty list. Large folios are anonymous THPs (huge_memory.c): a PMD mapping
 *         counts in the entire mapcount, PTE mappings in the pages' _mapcount (6.1's scheme
 *         with PG_double_map). The walks find PTE mappings (over the folio's whole range
 *         in each VMA, skipping holes); a huge PMD is split first by try_to_unmap and
 *         try_to_migrate with TTU_SPLIT_HUGE_PMD, and folio_referenced reads its access flag
 *         itself. No locks.
 * Deviation: file folios are found through the file layer's i_mmap list (pagemap.h).
 *
 * Invariants (rmap_check):
 *  1. Every anon_vma_chain is on its VMA's anon_vma_chain list and its anon_vma's chains list.
 *  2. An anon_vma's num_active_vmas is the number of VMAs whose vma->anon_vma it is; its
 *     refcount is 1 plus the anon_vmas whose root it is (other than itself).
 *  3. nr_anon_vmas / nr_avcs count the live objects.
 */
#include "mm/rmap.h"

#include "arch/arm64/include/asm/pgtable.h"
#include "arch/arm64/include/asm/tlbflush.h"
#include "lib/bug.h"
#include "lib/trace.h"
#include "mm/huge_mm.h"
#include "mm/memory.h"
#include "mm/migrate.h"
#include "mm/mm_state.h"
#include "mm/mmap.h"
#include "mm/pagemap.h"
#include "mm/swap.h"
#include "mm/swapfile.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

/* sizeof() in the reference kernel (its /proc/slabinfo shows the slot sizes 104 and 64). */
#define ANON_VMA_SIZE	    96 /* 104 with the free pointer outside (RCU) */
#define ANON_VMA_CHAIN_SIZE 64

int anon_vma_init(struct kmm_kernel *k)
{
	struct mm_state *ms = mm_state_of(k);

	ms->anon_vma_cachep =
		kmem_cache_create(k, "anon_vma", ANON_VMA_SIZE, 0,
				  SLAB_TYPESAFE_BY_RCU | SLAB_PANIC | SLAB_ACCOUNT, NULL, NULL);
	ms->anon_vma_chain_cachep = kmem_cache_create(k, "anon_vma_chain", ANON_VMA_CHAIN_SIZE, 0,
						      SLAB_PANIC | SLAB_ACCOUNT, NULL, NULL);
	return ms->anon_vma_cachep && ms->anon_vma_chain_cachep ? 0 : -ENOMEM;
}

/* ---- objects -------------------------------------------------------------------------- */

static struct anon_vma *anon_vma_alloc(struct kmm_kernel *k)
{
	struct mm_state *ms = mm_state_of(k);
	uint64_t obj;
	struct anon_vma *av = mm_obj_alloc(k, ms->anon_vma_cachep, sizeof(*av), &obj);

	if (!av)
		return NULL;
	av->slab_obj = obj;
	av->refcount = 1;
	av->root = av;
	av->parent = av;
	INIT_LIST_HEAD(&av->chains);
	list_add_tail(&av->list, &ms->anon_vmas);
	ms->nr_anon_vmas++;
	return av;
}

static void anon_vma_free(struct kmm_kernel *k, struct anon_vma *av)
{
	struct mm_state *ms = mm_state_of(k);

	list_del(&av->list);
	ms->nr_anon_vmas--;
	mm_obj_free(k, ms->anon_vma_cachep, av, av->slab_obj);
}

/* Models: put_anon_vma()/__put_anon_vma(): the last reference frees it (and its root's). */
static void put_anon_vma(struct kmm_kernel *k, struct anon_vma *av)
{
	struct anon_vma *root = av->root;

	if (--av->refcount > 0)
		return;
	anon_vma_free(k, av);
	if (root != av && --root->refcount == 0)
		anon_vma_free(k, root);
}

static struct anon_vma_chain *anon_vma_chain_alloc(struct kmm_kernel *k)
{
	struct mm_state *ms = mm_state_of(k);
	uint64_t obj;
	struct anon_vma_chain *avc = mm_obj_alloc(k, ms->anon_vma_chain_cachep, sizeof(*avc), &obj);

	if (avc) {
		avc->slab_obj = obj;
		ms->nr_avcs++;
	}
	return avc;
}

static void anon_vma_chain_free(struct kmm_kernel *k, struct anon_vma_chain *avc)
{
	struct mm_state *ms = mm_state_of(k);

	ms->nr_avcs--;
	mm_obj_free(k, ms->anon_vma_chain_cachep, avc, avc->slab_obj);
}

static void anon_vma_chain_link(struct vm_area_struct *vma, struct anon_vma_chain *avc,
				struct anon_vma *anon_vma)
{
	avc->vma = vma;
	avc->anon_vma = anon_vma;
	list_add(&avc->same_vma, &vma->anon_vma_chain);
	list_add_tail(&avc->same_anon_vma, &anon_vma->chains);
}

/* ---- anon_vma lifetime ---------------------------------------------------------------- */

/* Models: anon_vma_compatible(): could @a and @b share an anon_vma (adjacent, alike)? */
static bool anon_vma_compatible(const struct vm_area_struct *a, const struct vm_area_struct *b)
{
	return a->vm_end == b->vm_start && a->vm_file == b->vm_file &&
	       !((a->vm_flags ^ b->vm_flags) & ~(VM_ACCESS_FLAGS | VM_SOFTDIRTY)) &&
	       b->vm_pgoff == a->vm_pgoff + ((b->vm_start - a->vm_start) >> PAGE_SHIFT);
}

static inline bool list_is_singular_(const struct list_head *h)
{
	return !list_empty(h) && h->next == h->prev;
}

/* Models: reusable_anon_vma(). */
static struct anon_vma *reusable_anon_vma(const struct vm_area_struct *old,
					  const struct vm_area_struct *a,
					  const struct vm_area_struct *b)
{
	if (anon_vma_compatible(a, b) && old->anon_vma && list_is_singular_(&old->anon_vma_chain))
		return old->anon_vma;
	return NULL;
}

/* Models: find_mergeable_anon_vma(): a neighbour's anon_vma that @vma may share. */
static struct anon_vma *find_mergeable_anon_vma(const struct vm_area_struct *vma)
{
	struct anon_vma *anon_vma = NULL;

	if (vma->vm_next)
		anon_vma = reusable_anon_vma(vma->vm_next, vma, vma->vm_next);
	if (!anon_vma && vma->vm_prev)
		anon_vma = reusable_anon_vma(vma->vm_prev, vma->vm_prev, vma);
	return anon_vma;
}

int anon_vma_prepare(struct vm_area_struct *vma)
{
	struct kmm_kernel *k = vma->vm_mm->kernel;
	struct anon_vma *anon_vma;
	struct anon_vma_chain *avc;

	if (vma->anon_vma)
		return 0;
	avc = anon_vma_chain_alloc(k);
	if (!avc)
		return -ENOMEM;
	anon_vma = find_mergeable_anon_vma(vma);
	if (!anon_vma) {
		anon_vma = anon_vma_alloc(k);
		if (!anon_vma) {
			anon_vma_chain_free(k, avc);
			return -ENOMEM;
		}
		anon_vma->num_children++; /* self-parent link for a new root */
	}
	vma->anon_vma = anon_vma;
	anon_vma_chain_link(vma, avc, anon_vma);
	anon_vma->num_active_vmas++;
	return 0;
}

int anon_vma_clone(struct vm_area_struct *dst, struct vm_area_struct *src)
{
	struct kmm_kernel *k = dst->vm_mm->kernel;

	for (struct list_head *l = src->anon_vma_chain.prev; l != &src->anon_vma_chain;
	     l = l->prev) {
		struct anon_vma_chain *pavc = list_entry(l, struct anon_vma_chain, same_vma);
		struct anon_vma_chain *avc = anon_vma_chain_alloc(k);
		struct anon_vma *anon_vma;

		if (!avc) {
			dst->anon_vma = NULL;
			unlink_anon_vmas(dst);
			return -ENOMEM;
		}
		anon_vma = pavc->anon_vma;
		anon_vma_chain_link(dst, avc, anon_vma);
		/* reuse an anon_vma no VMA uses with at most one child (never a root) */
		if (!dst->anon_vma && src->anon_vma && anon_vma->num_children < 2 &&
		    anon_vma->num_active_vmas == 0)
			dst->anon_vma = anon_vma;
	}
	if (dst->anon_vma)
		dst->anon_vma->num_active_vmas++;
	return 0;
}

int anon_vma_fork(struct vm_area_struct *vma, struct vm_area_struct *pvma)
{
	struct kmm_kernel *k = vma->vm_mm->kernel;
	struct anon_vma *anon_vma;
	struct anon_vma_chain *avc;

	if (!pvma->anon_vma)
		return 0;
	vma->anon_vma = NULL;
	if (anon_vma_clone(vma, pvma))
		return -ENOMEM;
	if (vma->anon_vma)
		return 0; /* an existing anon_vma was reused */
	anon_vma = anon_vma_alloc(k);
	avc = anon_vma ? anon_vma_chain_alloc(k) : NULL;
	if (!avc) {
		if (anon_vma)
			put_anon_vma(k, anon_vma);
		unlink_anon_vmas(vma);
		return -ENOMEM;
	}
	anon_vma->num_active_vmas++;
	anon_vma->root = pvma->anon_vma->root;
	anon_vma->parent = pvma->anon_vma;
	anon_vma->root->refcount++; /* get_anon_vma(root) */
	vma->anon_vma = anon_vma;
	anon_vma_chain_link(vma, avc, anon_vma);
	anon_vma->parent->num_children++;
	return 0;
}

void unlink_anon_vmas(struct vm_area_struct *vma)
{
	struct kmm_kernel *k = vma->vm_mm->kernel;
	struct list_head *l, *n;

	/* first pass: drop the chains; anon_vmas left with none stay for the second pass */
	for (l = vma->anon_vma_chain.next; l != &vma->anon_vma_chain; l = n) {
		struct anon_vma_chain *avc = list_entry(l, struct anon_vma_chain, same_vma);
		struct anon_vma *anon_vma = avc->anon_vma;

		n = l->next;
		list_del(&avc->same_anon_vma);
		if (list_empty(&anon_vma->chains)) {
			anon_vma->parent->num_children--;
			INIT_LIST_HEAD(&avc->same_anon_vma);
			continue;
		}
		list_del(&avc->same_vma);
		anon_vma_chain_free(k, avc);
	}
	if (vma->anon_vma) {
		vma->anon_vma->num_active_vmas--;
		vma->anon_vma = NULL;
	}
	for (l = vma->anon_vma_chain.next; l != &vma->anon_vma_chain; l = n) {
		struct anon_vma_chain *avc = list_entry(l, struct anon_vma_chain, same_vma);

		n = l->next;
		put_anon_vma(k, avc->anon_vma);
		list_del(&avc->same_vma);
		anon_vma_chain_free(k, avc);
	}
}

/* ---- map counts ----------------------------------------------------------------------- */

/* Models: __page_set_anon_rmap(). */
static void __page_set_anon_rmap(struct page *page, struct vm_area_struct *vma,
				 unsigned long address, bool exclusive)
{
	struct anon_vma *anon_vma = vma->anon_vma;

	if (!PageAnon(page)) {
		if (!exclusive)
			anon_vma = anon_vma->root;
		page->mapping = (void *)((uintptr_t)anon_vma | PAGE_MAPPING_ANON);
		page->index = linear_page_index(vma, address);
	}
	if (exclusive)
		SetPageAnonExclusive(page);
}

void page_add_new_anon_rmap(struct page *page, struct vm_area_struct *vma, unsigned long address)
{
	struct kmm_kernel *k = vma->vm_mm->kernel;

	long nr = 1;

	__SetPageSwapBacked(page);
	if (PageCompound(page)) { /* a THP mapped by a PMD */
		nr = (long)folio_nr_pages(page_folio(page));
		page[1].compound_mapcount = 0;
		page[1].compound_pincount = 0;
		mod_node_page_state_of(k, page, NR_ANON_THPS, nr);
	} else {
		page->_mapcount = 0;
	}
	mod_node_page_state_of(k, page, NR_ANON_MAPPED, nr);
	__page_set_anon_rmap(page, vma, address, true);
}

void page_add_anon_rmap(struct page *page, struct vm_area_struct *vma, unsigned long address,
			unsigned int flags)
{
	struct kmm_kernel *k = vma->vm_mm->kernel;

	if (++page->_mapcount == 0) {
		mod_node_page_state_of(k, page, NR_ANON_MAPPED, 1);
		__page_set_anon_rmap(page, vma, address, flags & RMAP_EXCLUSIVE);
	} else if (flags & RMAP_EXCLUSIVE) {
		SetPageAnonExclusive(page);
	}
	if (vma->vm_flags & VM_LOCKED) /* mlock_vma_page */
		mlock_folio(k, page_folio(page));
}

void page_add_file_rmap(struct page *page, struct vm_area_struct *vma, bool compound)
{
	(void)compound;
	if (++page->_mapcount == 0)
		mod_node_page_state_of(vma->vm_mm->kernel, page, NR_FILE_MAPPED, 1);
	if (vma->vm_flags & VM_LOCKED) /* mlock_vma_page */
		mlock_folio(vma->vm_mm->kernel, page_folio(page));
}

/*
 * Models: page_remove_anon_compound_rmap(): the PMD mapping of a THP goes; with PG_double_map
 * the pages no PTE maps any more leave NR_ANON_MAPPED (and the THP is half mapped).
 */
static void page_remove_anon_compound_rmap(struct kmm_kernel *k, struct page *page)
{
	struct folio *folio = page_folio(page);
	long nr_pages = (long)folio_nr_pages(folio), nr = 0;

	if (--page[1].compound_mapcount >= 0)
		return;
	mod_node_page_state_of(k, page, NR_ANON_THPS, -nr_pages);
	if (folio_test_double_map(folio)) {
		folio->_flags_1 &= ~(1UL << PG_workingset); /* TestClearPageDoubleMap */
		for (long i = 0; i < nr_pages; i++)
			if (--page[i]._mapcount < 0)
				nr++;
	} else {
		nr = nr_pages;
	}
	if (nr)
		mod_node_page_state_of(k, page, NR_ANON_MAPPED, -nr);
	if (nr && nr < nr_pages) /* some pages stay mapped by PTEs: a partly mapped THP */
		deferred_split_huge_page(k, page);
}

void page_remove_rmap(struct page *page, struct vm_area_struct *vma, bool compound)
{
	struct kmm_kernel *k = vma->vm_mm->kernel;

	if (compound && PageAnon(page)) {
		page_remove_anon_compound_rmap(k, page);
		if (vma->vm_flags & VM_LOCKED) /* munlock_vma_page */
			munlock_page(k, page);
		return;
	}
	if (--page->_mapcount < 0) {
		mod_node_page_state_of(k, page, PageAnon(page) ? NR_ANON_MAPPED : NR_FILE_MAPPED,
				       -1);
		if (PageAnon(page) && PageCompound(page)) /* huge_memory.c's deferred split */
			deferred_split_huge_page(k, compound_head(page));
	}
	if (vma->vm_flags & VM_LOCKED) /* munlock_vma_page */
		munlock_page(k, page);
}

bool folio_maybe_dma_pinned(const struct folio *folio)
{
	if (folio_test_large(folio))
		return folio->_pincount > 0;
	return folio->_refcount >= GUP_PIN_COUNTING_BIAS;
}

int page_try_dup_anon_rmap(struct page *page, bool compound, struct vm_area_struct *src_vma)
{
	if (PageAnonExclusive(page)) {
		/* page_needs_cow_for_dma(): a COW mapping of an mm that pinned pages */
		if (is_cow_mapping(src_vma->vm_flags) && (src_vma->vm_mm->flags & MMF_HAS_PINNED) &&
		    folio_maybe_dma_pinned(page_folio(page)))
			return -EBUSY;
		ClearPageAnonExclusive(page);
	}
	if (compound) /* __page_dup_rmap */
		page[1].compound_mapcount++;
	else
		page->_mapcount++;
	return 0;
}

struct anon_vma *folio_anon_vma(const struct folio *folio)
{
	uintptr_t m = (uintptr_t)folio->mapping;

	if ((m & PAGE_MAPPING_FLAGS) != PAGE_MAPPING_ANON)
		return NULL;
	return (struct anon_vma *)(m - PAGE_MAPPING_ANON);
}

unsigned long vma_address(const struct page *page, const struct vm_area_struct *vma)
{
	unsigned long pgoff = page->index, address;

	if (PageHead(page)) { /* vma_pgoff_address(): any overlap, from vm_start at the latest */
		unsigned long nr = folio_nr_pages(page_folio((struct page *)page));

		if (pgoff + nr <= vma->vm_pgoff ||
		    pgoff >= vma->vm_pgoff + ((vma->vm_end - vma->vm_start) >> PAGE_SHIFT))
			return (unsigned long)-EFAULT;
		if (pgoff < vma->vm_pgoff)
			return vma->vm_start;
		return vma->vm_start + ((pgoff - vma->vm_pgoff) << PAGE_SHIFT);
	}
	if (pgoff < vma->vm_pgoff)
		return (unsigned long)-EFAULT;
	address = vma->vm_start + ((pgoff - vma->vm_pgoff) << PAGE_SHIFT);
	if (address < vma->vm_start || address >= vma->vm_end)
		return (unsigned long)-EFAULT;
	return address;
}

/* ---- walks ---------------------------------------------------------------------------- */

/* Models: rmap_walk_anon(): every VMA chained to the folio's anon_vma (from its root down). */
static void rmap_walk_anon(struct kmm_kernel *k, struct folio *folio,
			   const struct rmap_walk_control *rwc)
{
	struct anon_vma *anon_vma = folio_anon_vma(folio);

	(void)k;
	if (!anon_vma || (!rwc->anon_vma_held && !folio_mapped(folio)))
		return; /* folio_lock_anon_vma_read: unmapped folios have no stable anon_vma */
	for (struct list_head *l = anon_vma->chains.next; l != &anon_vma->chains; l = l->next) {
		struct anon_vma_chain *avc = list_entry(l, struct anon_vma_chain, same_anon_vma);
		struct vm_area_struct *vma = avc->vma;
		unsigned long address = vma_address(&folio->page, vma);

		if (IS_ERR_VALUE(address))
			continue;
		if (rwc->invalid_vma && rwc->invalid_vma(vma, rwc->arg))
			continue;
		if (!rwc->rmap_one(folio, vma, address, rwc->arg))
			break;
		if (rwc->done && rwc->done(folio))
			break;
	}
}

/* Models: rmap_walk_file(): the VMAs on the mapping's i_mmap covering the folio's index. */
static void rmap_walk_file(struct kmm_kernel *k, struct folio *folio,
			   const struct rmap_walk_control *rwc)
{
	struct address_space *mapping = folio_mapping(folio);

	(void)k;
	if (!mapping)
		return;
	for (struct list_head *l = mapping->i_mmap.next; l != &mapping->i_mmap; l = l->next) {
		struct vm_area_struct *vma = list_entry(l, struct vm_area_struct, shared);
		unsigned long address = vma_address(&folio->page, vma);

		if (IS_ERR_VALUE(address))
			continue;
		if (rwc->invalid_vma && rwc->invalid_vma(vma, rwc->arg))
			continue;
		if (!rwc->rmap_one(folio, vma, address, rwc->arg))
			break;
		if (rwc->done && rwc->done(folio))
			break;
	}
}

void rmap_walk(struct kmm_kernel *k, struct folio *folio, const struct rmap_walk_control *rwc)
{
	if (folio_test_anon(folio))
		rmap_walk_anon(k, folio, rwc);
	else
		rmap_walk_file(k, folio, rwc);
}

/* The end of the folio's range in @pvmw's VMA (vma_address_end()). */
static unsigned long pvmw_end(const struct page_vma_mapped_walk *pvmw)
{
	const struct vm_area_struct *vma = pvmw->vma;
	const struct page *head = pfn_to_page(vma->vm_mm->kernel, pvmw->pfn);
	unsigned long end;

	if (pvmw->nr_pages == 1)
		return pvmw->address + PAGE_SIZE;
	end = vma->vm_start + ((head->index + pvmw->nr_pages - vma->vm_pgoff) << PAGE_SHIFT);
	return end > vma->vm_end || end < vma->vm_start ? vma->vm_end : end;
}

bool page_vma_mapped_walk(struct page_vma_mapped_walk *pvmw)
{
	struct vm_area_struct *vma = pvmw->vma;
	unsigned long end = pvmw_end(pvmw);

	if (pvmw->pte) { /* next page of the range */
		pvmw->address += PAGE_SIZE;
		pvmw->pte = NULL;
	}
	/* a large folio's PTEs may have holes (partly unmapped): those are skipped */
	for (; pvmw->address < end; pvmw->address += PAGE_SIZE) {
		pte_t *ptep = (pte_t *)mm_pte_lookup(vma->vm_mm, pvmw->address);
		unsigned long pfn;

		if (!ptep) { /* no PTE table here (or a huge PMD): on to the next one */
			pvmw->address = (pvmw->address & PMD_MASK) + PMD_SIZE - PAGE_SIZE;
			continue;
		}
		if (pvmw->flags & PVMW_MIGRATION) { /* check_pte(): migration entries only */
			swp_entry_t entry;

			if (!is_swap_pte(*ptep))
				continue;
			entry = pte_to_swp_entry(*ptep);
			if (!is_migration_entry(entry))
				continue;
			pfn = swp_offset_pfn(entry);
		} else {
			if (!pte_present(*ptep))
				continue;
			pfn = pte_pfn(*ptep);
		}
		if (pfn < pvmw->pfn || pfn >= pvmw->pfn + pvmw->nr_pages)
			continue;
		pvmw->pte = (uint64_t *)ptep;
		return true;
	}
	return false;
}

static void pvmw_init(struct page_vma_mapped_walk *pvmw, struct kmm_kernel *k, struct folio *folio,
		      struct vm_area_struct *vma, unsigned long address)
{
	memset(pvmw, 0, sizeof(*pvmw));
	pvmw->pfn = page_to_pfn(k, &folio->page);
	pvmw->nr_pages = folio_nr_pages(folio);
	pvmw->vma = vma;
	pvmw->address = address;
}

/*
 * Models: try_to_unmap_one()'s anonymous branch, after the PTE was cleared (@pteval): a clean
 * lazyfree (MADV_FREE) folio is discarded, a redirtied one goes back swap-backed; a swap-cached
 * one leaves its swap entry in the PTE (exclusive marker if the page was exclusive).
 * Returns false with the PTE restored when the folio must stay mapped.
 */
static bool try_to_unmap_anon(struct kmm_kernel *k, struct folio *folio, struct page *page,
			      struct vm_area_struct *vma, unsigned long address, pte_t *ptep,
			      pte_t pteval)
{
	struct mm_struct *mm = vma->vm_mm;
	swp_entry_t entry = {page->private};
	bool anon_exclusive = PageAnonExclusive(page);
	pte_t swp_pte;

	if (!folio_test_swapbacked(folio)) {
		/* MADV_FREE: only isolation's reference and the mappings may remain. */
		if (folio_ref_count(folio) == 1 + folio_mapcount(folio) &&
		    !folio_test_dirty(folio)) {
			add_mm_counter(mm, MM_ANONPAGES, -1);
			return true; /* discard */
		}
		set_pte_at(k, mm, address, ptep, pteval);
		folio_set_swapbacked(folio);
		return false;
	}
	if (!folio_test_swapcache(folio)) { /* not added to swap: nowhere to go (a WARN) */
		set_pte_at(k, mm, address, ptep, pteval);
		return false;
	}
	if (swap_duplicate(k, entry) < 0) {
		set_pte_at(k, mm, address, ptep, pteval);
		return false;
	}
	/* page_try_share_anon_rmap(): a possibly pinned exclusive page stays. */
	if (anon_exclusive) {
		if (folio_maybe_dma_pinned(folio)) {
			swap_free(k, entry);
			set_pte_at(k, mm, address, ptep, pteval);
			return false;
		}
		ClearPageAnonExclusive(page);
	}
	add_mm_counter(mm, MM_ANONPAGES, -1);
	add_mm_counter(mm, MM_SWAPENTS, 1);
	swp_pte = swp_entry_to_pte(entry);
	if (anon_exclusive)
		swp_pte = pte_swp_mkexclusive(swp_pte);
	set_pte_at(k, mm, address, ptep, swp_pte);
	return true;
}

/*
 * Models: try_to_unmap_one(): each PTE of @folio in @vma cleared; file pages carry their dirty
 * bit to the folio, anonymous ones leave a swap entry (try_to_unmap_anon).
 */
static bool try_to_unmap_one(struct folio *folio, struct vm_area_struct *vma, unsigned long address,
			     void *arg)
{
	struct kmm_kernel *k = vma->vm_mm->kernel;
	unsigned int flags = (unsigned int)(uintptr_t)arg;
	struct page_vma_mapped_walk pvmw;

	if ((vma->vm_flags & VM_LOCKED) && !(flags & TTU_IGNORE_MLOCK))
		return false;
	if (flags & TTU_SPLIT_HUGE_PMD) /* a THP's swap-out: its PMD becomes 512 PTEs first */
		split_huge_pmd_folio(vma, address, folio);
	pvmw_init(&pvmw, k, folio, vma, address);
	while (page_vma_mapped_walk(&pvmw)) {
		struct page *page = pfn_to_page(k, pte_pfn(*(pte_t *)pvmw.pte));
		pte_t pteval = ptep_clear_flush(k, vma, pvmw.address, (pte_t *)pvmw.pte);

		if (pte_dirty(pteval))
			folio_mark_dirty(k, folio); /* through the mapping: the dirty count */
		if (folio_test_anon(folio)) {
			if (!try_to_unmap_anon(k, folio, page, vma, pvmw.address, (pte_t *)pvmw.pte,
					       pteval))
				return false;
		} else {
			add_mm_counter(vma->vm_mm, mm_counter_file(page), -1);
		}
		page_remove_rmap(page, vma, false);
		folio_put(k, folio);
	}
	return true;
}

void try_to_unmap(struct kmm_kernel *k, struct folio *folio, unsigned int flags)
{
	struct rmap_walk_control rwc = {.arg = (void *)(uintptr_t)flags,
					.rmap_one = try_to_unmap_one};

	rmap_walk(k, folio, &rwc);
}

/* ---- migration entries (mm/rmap.c try_to_migrate, mm/migrate.c remove_migration_ptes) --- */

struct anon_vma *folio_get_anon_vma(struct kmm_kernel *k, const struct folio *folio)
{
	struct anon_vma *anon_vma = folio_anon_vma(folio);

	(void)k;
	if (!anon_vma || !folio_mapped(folio))
		return NULL;
	anon_vma->refcount++;
	anon_vma->migration_refs++;
	return anon_vma;
}

void folio_put_anon_vma(struct kmm_kernel *k, struct anon_vma *anon_vma)
{
	anon_vma->migration_refs--;
	put_anon_vma(k, anon_vma);
}

swp_entry_t migration_entry_for(unsigned long pfn, pte_t pteval, bool anon_exclusive)
{
	swp_entry_t entry;

	if (pte_write(pteval))
		entry = make_writable_migration_entry(pfn);
	else if (anon_exclusive)
		entry = make_readable_exclusive_migration_entry(pfn);
	else
		entry = make_readable_migration_entry(pfn);
	if (pte_young(pteval))
		entry = make_migration_entry_young(entry);
	if (pte_dirty(pteval))
		entry = make_migration_entry_dirty(entry);
	return entry;
}

/*
 * Models: try_to_migrate_one(): each PTE of @folio in @vma cleared and flushed (break before
 * make: no CPU keeps the old translation), then a migration entry in its place. The rss
 * counters keep the page (a migration entry still counts, as zap_pte_range knows).
 */
static bool try_to_migrate_one(struct folio *folio, struct vm_area_struct *vma,
			       unsigned long address, void *arg)
{
	struct mm_struct *mm = vma->vm_mm;
	struct kmm_kernel *k = mm->kernel;
	struct page_vma_mapped_walk pvmw;

	if ((unsigned int)(uintptr_t)arg & TTU_SPLIT_HUGE_PMD) /* unmap_folio() of a split */
		split_huge_pmd_folio(vma, address, folio);
	pvmw_init(&pvmw, k, folio, vma, address);
	while (page_vma_mapped_walk(&pvmw)) {
		pte_t *ptep = (pte_t *)pvmw.pte;
		unsigned long pfn = pte_pfn(*ptep);
		struct page *subpage = pfn_to_page(k, pfn);
		bool anon_exclusive = folio_test_anon(folio) && PageAnonExclusive(subpage);
		pte_t pteval = ptep_clear_flush(k, vma, pvmw.address, ptep);

		if (pte_dirty(pteval))
			folio_mark_dirty(k, folio);
		/* page_try_share_anon_rmap(): a possibly pinned exclusive page stays mapped. */
		if (anon_exclusive) {
			if (folio_maybe_dma_pinned(folio)) {
				set_pte_at(k, mm, pvmw.address, ptep, pteval);
				page_vma_mapped_walk_done(&pvmw);
				return false;
			}
			ClearPageAnonExclusive(subpage);
		}
		set_pte_at(k, mm, pvmw.address, ptep,
			   swp_entry_to_pte(migration_entry_for(pfn, pteval, anon_exclusive)));
		if (trace_enabled(k->env, TRACE_set_migration_pte))
			trace_emit(k->env, TRACE_set_migration_pte, "addr=%lx, pte=%lx order=%u",
				   pvmw.address, (unsigned long)pte_val(*ptep), folio_order(folio));
		page_remove_rmap(subpage, vma, false);
		if (vma->vm_flags & VM_LOCKED)
			mlock_page_drain_local(k);
		folio_put(k, folio);
	}
	return true;
}

static int folio_not_mapped(struct folio *folio)
{
	return !folio_mapped(folio);
}

void try_to_migrate(struct kmm_kernel *k, struct folio *folio, unsigned int flags)
{
	struct rmap_walk_control rwc = {.arg = (void *)(uintptr_t)flags,
					.rmap_one = try_to_migrate_one,
					.done = folio_not_mapped};

	rmap_walk(k, folio, &rwc);
}

/*
 * Models: remove_migration_pte(): @arg is the source folio whose entries are looked for;
 * @folio the one the PTEs get (the source again when the move failed).
 */
static bool remove_migration_pte(struct folio *folio, struct vm_area_struct *vma,
				 unsigned long address, void *arg)
{
	struct mm_struct *mm = vma->vm_mm;
	struct kmm_kernel *k = mm->kernel;
	struct folio *src = arg;
	struct page_vma_mapped_walk pvmw;

	pvmw_init(&pvmw, k, src, vma, address);
	pvmw.flags = PVMW_SYNC | PVMW_MIGRATION;
	while (page_vma_mapped_walk(&pvmw)) {
		pte_t *ptep = (pte_t *)pvmw.pte;
		swp_entry_t entry = pte_to_swp_entry(*ptep);
		unsigned long idx = swp_offset_pfn(entry) - pvmw.pfn;
		struct page *new = pfn_to_page(k, page_to_pfn(k, &folio->page) + idx);
		pte_t pte = mk_pte(k, new, __pgprot(vma->vm_page_prot));

		folio_get(folio);
		if (!is_migration_entry_young(entry))
			pte = pte_mkold(pte);
		if (folio_test_dirty(folio) && is_migration_entry_dirty(entry))
			pte = pte_mkdirty(pte);
		if (is_writable_migration_entry(entry))
			pte = (vma->vm_flags & VM_WRITE) ? pte_mkwrite(pte)
							 : pte; /* maybe_mkwrite */
		else
			pte = pte_wrprotect(pte);
		if (folio_test_anon(folio))
			page_add_anon_rmap(new, vma, pvmw.address,
					   is_readable_migration_entry(entry) ? RMAP_NONE
									      : RMAP_EXCLUSIVE);
		else
			page_add_file_rmap(new, vma, false);
		/* no flush: the entry was not valid, no TLB can hold it */
		set_pte_at(k, mm, pvmw.address, ptep, pte);
		if (trace_enabled(k->env, TRACE_remove_migration_pte))
			trace_emit(k->env, TRACE_remove_migration_pte, "addr=%lx, pte=%lx order=%u",
				   pvmw.address, (unsigned long)pte_val(pte), folio_order(folio));
		if (vma->vm_flags & VM_LOCKED)
			mlock_page_drain_local(k);
	}
	return true;
}

void remove_migration_ptes(struct kmm_kernel *k, struct folio *src, struct folio *dst, bool locked)
{
	struct rmap_walk_control rwc = {
		.arg = src, .rmap_one = remove_migration_pte, .anon_vma_held = true};

	(void)locked;
	rmap_walk(k, dst, &rwc);
}

struct folio_referenced_arg {
	int mapcount;
	int referenced;
	unsigned long vm_flags;
};

/* Models: folio_referenced_one(). */
static bool folio_referenced_one(struct folio *folio, struct vm_area_struct *vma,
				 unsigned long address, void *arg)
{
	struct kmm_kernel *k = vma->vm_mm->kernel;
	struct folio_referenced_arg *pra = arg;
	struct page_vma_mapped_walk pvmw;
	int referenced = 0;
	pmd_t *pmd = folio_test_large(folio) ? mm_find_pmd(vma->vm_mm, address) : NULL;

	/* a THP mapped by its PMD: the block descriptor's access flag (pmdp_clear_flush_young) */
	if (pmd && pmd_trans_huge(*pmd) && !is_swap_pmd(*pmd) &&
	    pmd_pfn(*pmd) == page_to_pfn(k, &folio->page)) {
		if (vma->vm_flags & VM_LOCKED) {
			pra->vm_flags |= VM_LOCKED;
			return false;
		}
		if (ptep_clear_flush_young(k, vma, address & PMD_MASK, (pte_t *)pmd) &&
		    !(vma->vm_flags & VM_SEQ_READ))
			referenced++;
		pra->mapcount--;
	}
	pvmw_init(&pvmw, k, folio, vma, address);
	while (page_vma_mapped_walk(&pvmw)) {
		if (vma->vm_flags & VM_LOCKED) {
			page_vma_mapped_walk_done(&pvmw);
			pra->vm_flags |= VM_LOCKED;
			return false;
		}
		if (ptep_clear_flush_young(k, vma, pvmw.address, (pte_t *)pvmw.pte)) {
			/* sequential-read hints do not count as references */
			if (!(vma->vm_flags & VM_SEQ_READ))
				referenced++;
		}
		pra->mapcount--;
	}
	if (referenced) {
		pra->referenced++;
		pra->vm_flags |= vma->vm_flags & ~VM_LOCKED;
	}
	return pra->mapcount > 0;
}

int folio_referenced(struct kmm_kernel *k, struct folio *folio, int is_locked,
		     unsigned long *vm_flags)
{
	struct folio_referenced_arg pra = {.mapcount = folio_mapcount(folio)};
	struct rmap_walk_control rwc = {.arg = &pra, .rmap_one = folio_referenced_one};

	(void)is_locked;
	*vm_flags = 0;
	if (!pra.mapcount)
		return 0;
	rmap_walk(k, folio, &rwc);
	*vm_flags = pra.vm_flags;
	return pra.referenced;
}

/* ---- check ---------------------------------------------------------------------------- */

#define CHECK(cond, ...)                                                                           \
	do {                                                                                       \
		if (!(cond)) {                                                                     \
			snprintf(why, whylen, __VA_ARGS__);                                        \
			return false;                                                              \
		}                                                                                  \
	} while (0)

bool rmap_check(const struct kmm_kernel *k, char *why, size_t whylen)
{
	struct mm_state *ms = k->mm_state;
	unsigned long nav = 0, navc = 0;

	if (!ms)
		return true;
	for (struct list_head *l = ms->anon_vmas.next; l != &ms->anon_vmas; l = l->next)
		list_entry(l, struct anon_vma, list)->check_roots = 0;
	for (struct list_head *l = ms->anon_vmas.next; l != &ms->anon_vmas; l = l->next) {
		struct anon_vma *av = list_entry(l, struct anon_vma, list);

		if (av->root != av)
			av->root->check_roots++;
	}
	for (struct list_head *l = ms->anon_vmas.next; l != &ms->anon_vmas; l = l->next) {
		struct anon_vma *av = list_entry(l, struct anon_vma, list);
		unsigned long active = 0;
		int roots = av->check_roots;

		nav++;
		for (struct list_head *c = av->chains.next; c != &av->chains; c = c->next) {
			struct anon_vma_chain *avc =
				list_entry(c, struct anon_vma_chain, same_anon_vma);
			bool found = false;

			CHECK(avc->anon_vma == av, "rmap: a chain on the wrong anon_vma");
			for (struct list_head *v = avc->vma->anon_vma_chain.next;
			     v != &avc->vma->anon_vma_chain; v = v->next)
				found |= v == &avc->same_vma;
			CHECK(found, "rmap: a chain missing from its VMA's list");
			navc++;
			if (avc->vma->anon_vma == av)
				active++;
		}
		CHECK(active == av->num_active_vmas,
		      "rmap: anon_vma num_active_vmas %lu, %lu VMAs use it", av->num_active_vmas,
		      active);
		CHECK(av->migration_refs == 0 || migrate_in_flight(k),
		      "rmap: anon_vma holds %d migration references outside a migration",
		      av->migration_refs);
		/* one for being linked, unless only a migration keeps it after its last unlink */
		roots += av->migration_refs +
			 (list_empty(&av->chains) && av->migration_refs ? 0 : 1);
		CHECK(av->refcount == roots, "rmap: anon_vma refcount %d, expected %d",
		      av->refcount, roots);
	}
	CHECK(nav == ms->nr_anon_vmas, "rmap: %lu anon_vmas listed, count %lu", nav,
	      ms->nr_anon_vmas);
	CHECK(navc == ms->nr_avcs, "rmap: %lu chains found, count %lu", navc, ms->nr_avcs);
	return true;
}
