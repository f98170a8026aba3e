/*
 * hugetlb (mm/hugetlb.c): the huge page pools and what reads and writes them.
 *
 * Models: include/linux/hugetlb.h (Linux 6.1.192, arm64 with 4 KiB pages).
 *
 * The hstates are arm64's four (arch/arm64/mm/hugetlbpage.c): 64 KiB (CONT_PTE, order 4),
 * 2 MiB (PMD, order 9, the default), 32 MiB (CONT_PMD, order 13) and 1 GiB (PUD, order 18).
 * Orders >= MAX_ORDER are gigantic: their pages come from alloc_contig_pages(), the others
 * from the buddy allocator. A pool page free in the pool has no reference (it is "frozen") and
 * sits on its node's free list: the page-placement check's HUGETLB row. A page handed out to a
 * mapping carries references and is in use.
 *
 * Each hstate keeps its own state in struct hugetlb_state (hugetlb.c, k->hugetlb); callers
 * outside hugetlb.c go through the functions below.
 */
#ifndef KMM_MM_HUGETLB_H
#define KMM_MM_HUGETLB_H

#include "lib/sink.h"
#include "mm/kernel.h"
#include "mm/memory.h"
#include "mm/migrate.h"
#include "mm/mm.h"
#include "mm/mmap.h"

#define HUGE_MAX_HSTATE 4

/* Models: PageHuge(): @page is part of a hugetlb folio (the head's destructor says so). */
static inline bool PageHuge(const struct page *page)
{
	const struct page *head = compound_head(page);

	return PageHead(head) && head[1].compound_dtor == HUGETLB_PAGE_DTOR;
}

static inline bool folio_test_hugetlb(const struct folio *folio)
{
	return PageHuge(&folio->page);
}

/*
 * Models: hugetlb_init() with arm64's hugetlbpage_init() and the boot parameters
 * (hugepagesz=, hugepages=, default_hugepagesz= as parse_kernel_cmdline kept them): creates
 * k->hugetlb with the four hstates and allocates the boot-time pools. Returns 0, -ENOMEM (host
 * memory) or -EINVAL (a parameter the kernel would panic on; env's last error says which).
 */
int hugetlb_init(struct kmm_kernel *k);
/* Frees k->hugetlb (the pool's pages go with the machine's memory). */
void hugetlb_exit(struct kmm_kernel *k);
/* The invariants of hugetlb.c's header; false with the reason in @why. Changes nothing. */
bool hugetlb_check(const struct kmm_kernel *k, char *why, size_t whylen);

/*
 * Models: free_huge_page(), the HUGETLB_PAGE_DTOR destructor: the last reference to a
 * hugetlb folio went; it returns to its node's free list, or to the buddy allocator when the
 * node has surplus pages.
 */
void free_huge_page(struct kmm_kernel *k, struct page *page);

/* Models: hugetlb_total_pages(): base pages in every pool (free or not). Changes nothing. */
unsigned long hugetlb_total_pages(const struct kmm_kernel *k);

/* Models: hugetlb_report_meminfo(): the HugePages_* rows, Hugepagesize and Hugetlb. */
void hugetlb_report_meminfo(const struct kmm_kernel *k, const struct sink *out);
/* Models: hugetlb_report_node_meminfo(): the three "Node N HugePages_*" rows. */
void hugetlb_report_node_meminfo(const struct kmm_kernel *k, int nid, const struct sink *out);

/* Models: hugetlb_show_meminfo_node(): show_mem's "Node N hugepages_total=..." line per size. */
void hugetlb_show_meminfo_node(const struct kmm_kernel *k, int nid);

/*
 * The vm sysctls nr_hugepages, nr_hugepages_mempolicy and nr_overcommit_hugepages of the
 * default hstate, by bare name ("nr_hugepages"). read: 0 or -ENOENT (not one of them).
 * write: 0, -ENOENT, -EINVAL (not a number, or overcommit of a gigantic default size;
 * nothing changed). A write of nr_hugepages grows or shrinks the pool as far as memory
 * allows and returns 0 even when it got fewer pages than asked (read it back, as /init does).
 */
bool hugetlb_sysctl_exists(const char *bare);
int hugetlb_sysctl_read(const struct kmm_kernel *k, const char *bare, const struct sink *out);
int hugetlb_sysctl_write(struct kmm_kernel *k, const char *bare, const char *value);
void hugetlb_sysctl_list(void (*fn)(void *arg, const char *name), void *arg);

/*
 * The sysfs files /sys/kernel/mm/hugepages/hugepages-<N>kB/<attr> and
 * /sys/devices/system/node/node<N>/hugepages/hugepages-<N>kB/<attr>. show: 0, -ENOENT (no
 * such file), -EACCES (write-only: demote). store: 0, -ENOENT, -EACCES (read-only), -EINVAL
 * (refused; nothing changed). Neither touches anything but the pools.
 */
int hugetlb_sysfs_show(const struct kmm_kernel *k, const char *path, const struct sink *out);
int hugetlb_sysfs_store(struct kmm_kernel *k, const char *path, const char *value);
/* Calls @fn with every such path of this machine. */
void hugetlb_sysfs_list(const struct kmm_kernel *k, void (*fn)(void *arg, const char *path),
			void *arg);

/* ---- mappings (MAP_HUGETLB) --------------------------------------------------------------- */

struct mmu_gather;
struct hugetlb_file;

/* The size bits of mmap's flags (include/uapi/asm-generic/hugetlb_encode.h). */
#define MAP_HUGE_SHIFT 26
#define MAP_HUGE_MASK  0x3fUL
#define MAP_HUGE_64KB  (16UL << MAP_HUGE_SHIFT)
#define MAP_HUGE_2MB   (21UL << MAP_HUGE_SHIFT)
#define MAP_HUGE_32MB  (25UL << MAP_HUGE_SHIFT)
#define MAP_HUGE_1GB   (30UL << MAP_HUGE_SHIFT)

/* Models: is_vm_hugetlb_page(). */
static inline bool is_vm_hugetlb_page(const struct vm_area_struct *vma)
{
	return (vma->vm_flags & VM_HUGETLB) != 0;
}

/*
 * Models: ksys_mmap_pgoff()'s MAP_HUGETLB part with hugetlb_file_setup(): the unlinked
 * hugetlbfs file of an anonymous mapping, of the size the MAP_HUGE_* bits of @flags name
 * (the default size for none), *@len rounded up to that size. NULL with *@err -EINVAL (a size
 * the machine has no hstate for) or -ENOMEM. The caller holds one reference.
 */
struct hugetlb_file *hugetlb_file_setup(struct kmm_kernel *k, unsigned long *len,
					unsigned long flags, int *err);
/* Drops a reference; the last frees the file's pages and what it still reserves. */
void hugetlb_file_put(struct kmm_kernel *k, struct hugetlb_file *hf);
/*
 * Models: hugetlb_get_unmapped_area() (with prepare_hugepage_range for MAP_FIXED): an address
 * aligned to the file's huge page size, or -EINVAL (a MAP_FIXED address or length not aligned),
 * -ENOMEM, as unsigned long.
 */
unsigned long hugetlb_get_unmapped_area(struct mm_struct *mm, struct hugetlb_file *hf,
					unsigned long addr, unsigned long len, unsigned long flags);
/*
 * Models: hugetlbfs_file_mmap() with hugetlb_reserve_pages(): makes @vma a hugetlb VMA of @hf
 * (VM_HUGETLB | VM_DONTEXPAND, hugetlb_vm_ops, its own reference to @hf) and reserves its huge
 * pages unless VM_NORESERVE. 0, -EINVAL (not aligned) or -ENOMEM (the pool cannot cover the
 * reservation, or host memory); nothing reserved then.
 */
int hugetlb_file_mmap(struct hugetlb_file *hf, struct vm_area_struct *vma);
/* Undoes hugetlb_file_mmap() for a VMA that never got linked (mmap_region's error path). */
void hugetlb_vma_abort(struct vm_area_struct *vma);
/*
 * Models: hugetlb_dup_vma_private(): fork's copy of a hugetlb VMA gets its own private data
 * without the parent's reservation. 0 or -ENOMEM (then the VMA is as vm_area_dup left it).
 */
int hugetlb_dup_vma_private(struct vm_area_struct *vma);

/*
 * Models: hugetlb_fault(): a fault in a hugetlb VMA: hugetlb_no_page (a page from the pool
 * or a surplus one, zeroed, mapped by the hstate's descriptors), hugetlb_wp (COW), or the
 * access flag. 0, VM_FAULT_WRITE, VM_FAULT_SIGBUS (no page for it), VM_FAULT_OOM.
 */
vm_fault_t hugetlb_fault(struct mm_struct *mm, struct vm_area_struct *vma, unsigned long address,
			 unsigned int flags);
/*
 * Models: __unmap_hugepage_range(): clears the huge entries of [@start, @end) of @vma into
 * @tlb (pages freed after its flush: free_huge_page); @ref_page: only the entries mapping it
 * (unmap_ref_private). Ends with tlb_end_vma.
 */
void __unmap_hugepage_range(struct mmu_gather *tlb, struct vm_area_struct *vma, unsigned long start,
			    unsigned long end, struct page *ref_page);
/* Models: copy_hugetlb_page_range(): fork's copy of the huge entries. 0 or -ENOMEM. */
int copy_hugetlb_page_range(struct mm_struct *dst, struct mm_struct *src,
			    struct vm_area_struct *dst_vma, struct vm_area_struct *src_vma);
/*
 * Models: hugetlb_change_protection(): rewrites the huge entries of [@address, @end) with
 * @newprot, then flush_hugetlb_tlb_range. Returns the base pages changed.
 */
long hugetlb_change_protection(struct vm_area_struct *vma, unsigned long address, unsigned long end,
			       pgprot_t newprot);
/* Models: vma_kernel_pagesize() (vma_mmu_pagesize is the same on arm64). */
unsigned long vma_kernel_pagesize(const struct vm_area_struct *vma);
/*
 * Models: smaps_hugetlb_range() over @vma: bytes of huge pages mapped there by more than one
 * mapping (*@shared) and by this one only (*@private).
 */
void hugetlb_smaps(const struct vm_area_struct *vma, unsigned long *shared, unsigned long *private);
/*
 * Models: the hugetlb part of sys_mremap's checks: 0 or -EINVAL (@addr or @new_addr not
 * aligned to the huge page size, or growing). Both lengths are rounded up to the size.
 */
int hugetlb_mremap_check(const struct vm_area_struct *vma, unsigned long addr,
			 unsigned long *old_len, unsigned long *new_len, unsigned long new_addr);
/*
 * Readies a private hugetlb @vma for a move (the host object clear_vma_resv_huge_pages will
 * give the old VMA), before anything changes. 0 or -ENOMEM.
 */
int hugetlb_mremap_prepare(struct vm_area_struct *vma);
/*
 * Models: move_hugetlb_page_tables(): moves the huge entries of [@old_addr, +@len) of @vma to
 * @new_addr (of @new_vma, same mm), then flushes the old range. Returns the bytes done (less
 * than @len only when a table could not be allocated).
 */
unsigned long move_hugetlb_page_tables(struct vm_area_struct *vma, struct vm_area_struct *new_vma,
				       unsigned long old_addr, unsigned long new_addr,
				       unsigned long len);
/*
 * Models: clear_vma_resv_huge_pages(): after a move, the old private @vma loses its
 * reservation map (the moved VMA has it) and becomes a plain non-owner; 6.1 returns nothing,
 * so the unconsumed reservations of its range outside [@moved_start, @moved_end) stay
 * reserved for good (counted in resv_stranded). Needs hugetlb_mremap_prepare() first.
 */
void clear_vma_resv_huge_pages(struct vm_area_struct *vma, unsigned long moved_start,
			       unsigned long moved_end);
/*
 * Models: madvise_remove()'s vfs_fallocate(PUNCH_HOLE) on a hugetlbfs file,
 * hugetlbfs_punch_hole(): bytes [@offset, +@len) of @vma's file: the partial huge pages at the
 * ends are zeroed, the whole ones unmapped from every mapping and dropped from the file
 * (their reservation with them). 0.
 */
int hugetlb_punch_hole(struct vm_area_struct *vma, unsigned long offset, unsigned long len);

/*
 * Models: isolate_or_dissolve_huge_page(), as alloc_contig_range's scan calls it for a page of
 * its range: a free pool page of a non-gigantic size is dissolved (replaced in the pool by a
 * page from elsewhere on its node, its own pages freed into the range). 0 (@page is no
 * hugetlb page, or was dissolved), -ENOMEM (a gigantic page, or no replacement: the caller
 * gives up) or -EBUSY (in use: skipped).
 */
int isolate_or_dissolve_huge_page(struct kmm_kernel *k, struct page *page, struct list_head *list);

/*
 * Models: isolate_hugetlb(): an in-use, migratable hugetlb page (anonymous: see hugetlb.c's
 * deviation) moves from its hstate's active list onto @list with a reference of its own.
 */
bool isolate_hugetlb(struct kmm_kernel *k, struct page *page, struct list_head *list);
/* Models: putback_active_hugepage(): back on the active list, migratable; drops a reference. */
void putback_active_hugepage(struct kmm_kernel *k, struct page *page);
/*
 * Models: alloc_migration_target()'s hugetlb case, alloc_huge_page_nodemask(): a free pool
 * page (from @nid first) when free exceeds reserved, else a fresh temporary page of the size
 * (alloc_migrate_huge_page; none for gigantic sizes). In use, one reference; NULL if none.
 */
struct page *alloc_hugetlb_migration_target(struct kmm_kernel *k, struct page *src, int nid);
/*
 * Models: migrate_hugetlbs(): the hugetlb pages on @from, ten passes; a moved one leaves the
 * list (its new page on the active list, the old one freed), one that cannot move now stays.
 * Adds to *@nr_succeeded and *@nr_failed_pages (base pages); *@err is -ENOMEM when a target
 * could not be had (the rest is left). Returns the hugetlb pages that did not move.
 */
unsigned long migrate_hugetlbs(struct kmm_kernel *k, struct list_head *from,
			       new_page_t get_new_page, free_page_t put_new_page,
			       unsigned long private, unsigned long *nr_succeeded,
			       unsigned long *nr_failed_pages, int *err);

#endif /* KMM_MM_HUGETLB_H */
