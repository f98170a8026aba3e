/*
 * Reverse mapping: from a page to the PTEs that map it. anon_vma and anon_vma_chain for
 * anonymous pages, the mapping's i_mmap list for file pages; the folio map counts; walks
 * over every mapping of a folio (rmap_walk, page_vma_mapped_walk) and what reclaim and
 * migration do with them (try_to_unmap, folio_referenced).
 *
 * Models (Linux 6.1): mm/rmap.c, include/linux/rmap.h, mm/page_vma_mapped.c.
 * Deviation: the anon_vma's VMAs are a list of anon_vma_chains, not an interval tree; walks
 *         filter by address (same results, O(chains)). No locks are modelled.
 */
#ifndef KMM_MM_RMAP_H
#define KMM_MM_RMAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mm/mm_types.h"
#include "mm/swapops.h"

struct kmm_kernel;

/* ---- anon_vma lifetime ---------------------------------------------------------------- */

/*
 * Models: anon_vma_prepare(): gives @vma an anon_vma (its neighbour's if mergeable, else a
 * new one) linked by a chain. 0 or -ENOMEM (vma unchanged). No-op if it has one.
 */
int anon_vma_prepare(struct vm_area_struct *vma);
/* Models: anon_vma_clone(): @dst gets a chain to every anon_vma of @src. 0 or -ENOMEM. */
int anon_vma_clone(struct vm_area_struct *dst, struct vm_area_struct *src);
/*
 * Models: anon_vma_fork(): the child's @vma (a copy of the parent's @pvma) gets @pvma's
 * chains plus its own new anon_vma whose parent is @pvma's. 0 or -ENOMEM (nothing linked).
 */
int anon_vma_fork(struct vm_area_struct *vma, struct vm_area_struct *pvma);
/* Models: unlink_anon_vmas(): drops every chain of @vma, freeing anon_vmas nobody uses. */
void unlink_anon_vmas(struct vm_area_struct *vma);

/* ---- map counts (6.1 folio rules; order-0 folios in this model) ---------------------- */

#define RMAP_NONE      0x0
#define RMAP_EXCLUSIVE 0x1 /* the mapping is exclusive: set PageAnonExclusive */
#define RMAP_COMPOUND  0x2 /* the whole folio by PMD */

/* Models: page_add_new_anon_rmap(): a new exclusive anon page in @vma at @address. */
void page_add_new_anon_rmap(struct page *page, struct vm_area_struct *vma, unsigned long address);
/* Models: page_add_anon_rmap(): one more mapping of an anon page (fork, swap-in). */
void page_add_anon_rmap(struct page *page, struct vm_area_struct *vma, unsigned long address,
			unsigned int flags);
/* Models: page_add_file_rmap(): one more mapping of a file page (NR_FILE_MAPPED). */
void page_add_file_rmap(struct page *page, struct vm_area_struct *vma, bool compound);
/* Models: page_remove_rmap(): one mapping fewer (NR_ANON_MAPPED / NR_FILE_MAPPED). */
void page_remove_rmap(struct page *page, struct vm_area_struct *vma, bool compound);
/*
 * Models: page_try_dup_anon_rmap(): fork's extra mapping of an anon page; -EBUSY (nothing
 * changed) when the page is exclusive and may be DMA-pinned (the caller copies it), else 0
 * (mapcount + 1, PageAnonExclusive cleared).
 */
int page_try_dup_anon_rmap(struct page *page, bool compound, struct vm_area_struct *src_vma);

/* The anon_vma of an anonymous folio (NULL otherwise). */
struct anon_vma *folio_anon_vma(const struct folio *folio);
/* Models: vma_address(): the VA of @page in @vma, or -EFAULT as unsigned long if outside. */
unsigned long vma_address(const struct page *page, const struct vm_area_struct *vma);

/* ---- walks ---------------------------------------------------------------------------- */

/*
 * Models: struct rmap_walk_control: rmap_one is called for each VMA that may map the folio
 * with the folio's address there; returning false stops the walk. done (optional) stops it
 * when true; invalid_vma (optional) skips a VMA.
 */
struct rmap_walk_control {
	void *arg;
	bool (*rmap_one)(struct folio *folio, struct vm_area_struct *vma, unsigned long address,
			 void *arg);
	int (*done)(struct folio *folio);
	bool (*invalid_vma)(struct vm_area_struct *vma, void *arg);
	bool anon_vma_held; /* the caller holds the anon_vma (migration): walk if unmapped */
};

/* Models: rmap_walk(): anon folios through their anon_vma's chains, file ones via i_mmap. */
void rmap_walk(struct kmm_kernel *k, struct folio *folio, const struct rmap_walk_control *rwc);

/* Models: struct page_vma_mapped_walk (PTE-mapped pages only in this model). */
#define PVMW_SYNC      (1 << 0)
#define PVMW_MIGRATION (1 << 1)
struct page_vma_mapped_walk {
	unsigned long pfn, nr_pages, pgoff;
	struct vm_area_struct *vma;
	unsigned long address;
	uint64_t *pmd; /* unused: no PMD-mapped THP yet */
	uint64_t *pte; /* host pointer of the PTE found */
	unsigned int flags;
};

/*
 * Models: page_vma_mapped_walk(): finds the next PTE of @pvmw->vma mapping the folio's pfn
 * range; true with pvmw->pte/address set, false when there is none left.
 */
bool page_vma_mapped_walk(struct page_vma_mapped_walk *pvmw);
static inline void page_vma_mapped_walk_done(struct page_vma_mapped_walk *pvmw)
{
	pvmw->pte = NULL;
}

/* try_to_unmap flags (enum ttu_flags). */
#define TTU_SPLIT_HUGE_PMD 0x4
#define TTU_IGNORE_MLOCK   0x8
#define TTU_SYNC	   0x10
#define TTU_BATCH_FLUSH	   0x40

/*
 * Models: try_to_unmap(): removes every PTE mapping @folio (flushing each from the TLB),
 * dropping rmap/rss. An anonymous folio must be in the swap cache (add_to_swap): each PTE
 * gets its swap entry (swap_duplicate, MM_SWAPENTS), exclusive marker kept; a lazyfree
 * (MADV_FREE, !swapbacked) folio is dropped from the PTEs if clean and only isolation holds
 * it besides them, else set swap-backed again and left mapped (so are folios without a slot).
 * Mlocked VMAs keep theirs unless TTU_IGNORE_MLOCK. The caller checks folio_mapped() after.
 */
void try_to_unmap(struct kmm_kernel *k, struct folio *folio, unsigned int flags);

/*
 * Models: try_to_migrate(): replaces every PTE mapping @folio by a migration entry (write,
 * read-exclusive or read, with the PTE's young and dirty bits), flushing each from every
 * TLB, dropping rmap/rss per PTE and carrying a dirty PTE's bit to the folio. VM_LOCKED VMAs
 * are not skipped. An exclusive anonymous page that may be pinned stops the walk with its
 * PTE intact. The caller checks folio_mapped() after.
 */
void try_to_migrate(struct kmm_kernel *k, struct folio *folio, unsigned int flags);

/*
 * The migration entry for a mapping of @pfn that held @pteval (a PTE, or a PMD read as one):
 * writable, readable-exclusive (@anon_exclusive) or readable, with its young and dirty bits.
 */
swp_entry_t migration_entry_for(unsigned long pfn, pte_t pteval, bool anon_exclusive);
/*
 * Models: remove_migration_ptes(): every migration entry naming a page of @src, in the VMAs
 * that map @dst's position, becomes a present PTE of the same page of @dst (rmap and rss
 * taken back; writable if the entry was and the VMA is; exclusive if the entry was). @src ==
 * @dst restores the old mapping after a failed move.
 */
void remove_migration_ptes(struct kmm_kernel *k, struct folio *src, struct folio *dst, bool locked);
/*
 * Models: folio_get_anon_vma() / put_anon_vma(): a reference on an anonymous folio's
 * anon_vma that keeps it alive while the folio is unmapped for migration (NULL: not anon or
 * not mapped). The put frees it (and its root's reference) if it was the last.
 */
struct anon_vma *folio_get_anon_vma(struct kmm_kernel *k, const struct folio *folio);
void folio_put_anon_vma(struct kmm_kernel *k, struct anon_vma *anon_vma);

/*
 * Models: folio_referenced(): how many PTEs mapping @folio had the access flag (each
 * test-and-cleared in the real PTE, flushed per arm64's ptep_clear_flush_young policy);
 * *@vm_flags gets the VM_* bits of the VMAs that referenced it. VM_LOCKED ones stop it.
 */
int folio_referenced(struct kmm_kernel *k, struct folio *folio, int is_locked,
		     unsigned long *vm_flags);

/*
 * anon_vma objects and chains: every chain on both its lists, refcounts and num_active_vmas
 * consistent. true or false with the reason.
 */
bool rmap_check(const struct kmm_kernel *k, char *why, size_t whylen);

#endif /* KMM_MM_RMAP_H */
