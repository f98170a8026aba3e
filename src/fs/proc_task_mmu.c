/*
 * The per-process memory views: /proc/<pid>/maps, smaps, smaps_rollup, status, statm and
 * numa_maps in the kernel's exact formats, and a dump of a task's user page tables (TTBR0)
 * in ptdump's format (/sys/kernel/debug/kmm/ptdump/<pid>).
 *
 * Models (Linux 6.1): fs/proc/task_mmu.c (show_vma_header_prefix, show_map_vma, the smaps
 *         walk smaps_pte_range/smaps_pmd_entry/smaps_account/smaps_page_accumulate,
 *         __show_smap, show_smap, show_smaps_rollup, show_smap_vma_flags, task_mem,
 *         task_statm, show_numa_map with gather_stats), fs/proc/array.c (proc_pid_status
 *         and its parts, proc_pid_statm), mm/pagewalk.c (walk_page_vma: the read-only walk
 *         over one VMA's page tables), mm/huge_memory.c:hugepage_vma_check (THPeligible),
 *         mm/memory.c:vm_normal_page (which PTEs have a struct page to count).
 *
 * Which view reads what (the difference the faults oracle shows):
 *   status and statm read the mm's synced rss counters (get_mm_counter): the per-task caches
 *   of SPLIT_RSS_COUNTING (task->rss_stat) are not folded in, so they lag by up to 64 events
 *   per task. smaps and smaps_rollup walk the page tables and count what is mapped now,
 *   exactly. numa_maps walks too. None of the views changes anything (no sync, no flag).
 *
 * What the model cannot know, printed as a root process with nothing dropped (fixed form):
 *   Umask 0022, Ngid 0, TracerPid 0, Uid/Gid 0 (x4), FDSize 64, empty Groups, NSpgid/NSsid 0,
 *   CapInh/CapAmb 0, CapPrm/CapEff/CapBnd 000001ffffffffff (CAP_LAST_CAP 40), NoNewPrivs 0,
 *   Seccomp 0, Seccomp_filters 0, Speculation_Store_Bypass "vulnerable",
 *   SpeculationIndirectBranch "unknown" (QEMU's CPUs), no pending, blocked, ignored or caught
 *   signals, SigQ 0/(max_threads / 2) with max_threads from totalram_pages as fork_init()
 *   computes it (THREAD_SIZE 16 KiB), Threads 1, CoreDumping 0.
 * Deviation: no mempolicies: numa_maps prints "default" for every VMA. No hugetlb, no
 *         migration entries yet: *_Hugetlb are 0 (their lines are there). Swap counts a tmpfs
 *         mapping's pages in swap as 6.1 does; SwapPss only the PTEs' swap entries.
 *         The heap test is 6.1's (vm_start <= brk && vm_end >= start_brk).
 *
 * Invariants (proc_task_mmu_check):
 *   1. For every mm, the smaps walk's Rss of all VMAs equals the mm's synced rss counters
 *      plus the pending per-task caches of the tasks using it (nothing mapped is uncounted).
 *   2. Every resident page the walk finds has a map count >= 1.
 *   3. The swap entries the walk finds (smaps' Swap) equal MM_SWAPENTS, synced plus pending.
 */
#include "fs/proc_task_mmu.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "arch/arm64/include/asm/pgtable.h"
#include "kernel/sched.h"
#include "mm/huge_mm.h"
#include "mm/hugetlb.h"
#include "mm/oom.h"
#include "mm/internal.h"
#include "mm/memory.h"
#include "mm/mm.h"
#include "mm/mmap.h"
#include "mm/page-flags.h"
#include "mm/page_ref.h"
#include "mm/pagemap.h"
#include "mm/shmem.h"
#include "fs/fs.h"
#include "mm/vmalloc.h"
#include "mm/swapfile.h"
#include "mm/swapops.h"

#define PSS_SHIFT   12
#define THREAD_SIZE (16UL << 10)

/* ---- the page-table walk (mm/pagewalk.c, read only) ------------------------------------ */

struct mm_walk_ops {
	/* A present PMD block over [addr, addr + PMD_SIZE) (a THP). */
	void (*pmd_entry)(const pmd_t *pmd, unsigned long addr, void *arg);
	/* One PTE slot (possibly none) at @addr. */
	void (*pte_entry)(const pte_t *pte, unsigned long addr, void *arg);
};

struct mm_walk {
	const struct kmm_kernel *k;
	const struct vm_area_struct *vma;
	const struct mm_walk_ops *ops;
	void *arg;
};

static void walk_pte_range(const struct mm_walk *w, const pmd_t *pmd, unsigned long addr,
			   unsigned long end)
{
	const pte_t *pte = pte_offset_kernel(w->k, pmd, addr);

	for (; pte && addr != end; pte++, addr += PAGE_SIZE)
		w->ops->pte_entry(pte, addr, w->arg);
}

static void walk_pmd_range(const struct mm_walk *w, const pud_t *pud, unsigned long addr,
			   unsigned long end)
{
	const pmd_t *pmd = pmd_offset(w->k, pud, addr);
	unsigned long next;

	for (; pmd && addr != end; pmd++, addr = next) {
		next = pmd_addr_end(addr, end);
		if (pmd_none(*pmd))
			continue;
		if (pmd_leaf(*pmd) || is_swap_pmd(*pmd)) { /* a huge PMD, or a THP mid-move */
			if (w->ops->pmd_entry)
				w->ops->pmd_entry(pmd, addr & PMD_MASK, w->arg);
			continue;
		}
		if (pmd_table(*pmd))
			walk_pte_range(w, pmd, addr, next);
	}
}

/* Models: walk_page_range() over [@start, @end) of @w->vma (no holes reported). */
static void walk_page_range(const struct mm_walk *w, unsigned long start, unsigned long end)
{
	const struct mm_struct *mm = w->vma->vm_mm;
	unsigned long addr = start, next;

	if (!mm->pgd)
		return;
	for (; addr != end; addr = next) {
		const p4d_t *p4d = p4d_offset(pgd_offset_pgd(w->k, mm->pgd, addr), addr);
		const pud_t *pud;

		next = pgd_addr_end(addr, end);
		if (p4d_none(*p4d) || p4d_bad(*p4d))
			continue;
		pud = pud_offset(w->k, p4d, addr);
		for (unsigned long a = addr, n; pud && a != next; pud++, a = n) {
			n = pud_addr_end(a, next);
			if (!pud_none(*pud) && pud_table(*pud))
				walk_pmd_range(w, pud, a, n);
		}
	}
}

/*
 * Models: vm_normal_page() for a present PTE: the page it maps, or NULL for a special
 * mapping (the zero page, VM_PFNMAP/VM_MIXEDMAP) or a frame with no struct page.
 */
static struct page *vm_normal_page(const struct kmm_kernel *k, const struct vm_area_struct *vma,
				   pte_t pte)
{
	unsigned long pfn = pte_pfn(pte);

	if (pte_special(pte))
		return NULL;
	if (vma->vm_flags & (VM_PFNMAP | VM_MIXEDMAP))
		return NULL;
	if (pfn < k->vmemmap_base || pfn >= k->vmemmap_end)
		return NULL;
	return pte_page(k, pte);
}

/* ---- smaps ----------------------------------------------------------------------------- */

/* Models: struct mem_size_stats (bytes; pss fields are bytes << PSS_SHIFT). */
struct mem_size_stats {
	unsigned long resident, shared_clean, shared_dirty, private_clean, private_dirty;
	unsigned long referenced, anonymous, lazyfree, anonymous_thp, shmem_thp, file_thp;
	unsigned long swap, shared_hugetlb, private_hugetlb;
	unsigned long swap_shmem; /* tmpfs pages of the mapping in swap (part of Swap:) */
	uint64_t pss, pss_anon, pss_file, pss_shmem, pss_dirty, pss_locked, swap_pss;
	unsigned long nr_unmapped; /* resident pages with no map count (invariant 2) */
};

struct smaps_walk {
	const struct kmm_kernel *k;
	const struct vm_area_struct *vma;
	struct mem_size_stats *mss;
};

/* Models: smaps_page_accumulate(). */
static void smaps_page_accumulate(struct mem_size_stats *mss, const struct page *page,
				  unsigned long size, uint64_t pss, bool dirty, bool locked,
				  bool private)
{
	mss->pss += pss;
	if (PageAnon(page))
		mss->pss_anon += pss;
	else if (PageSwapBacked(page))
		mss->pss_shmem += pss;
	else
		mss->pss_file += pss;
	if (locked)
		mss->pss_locked += pss;
	if (dirty || PageDirty(page)) {
		mss->pss_dirty += pss;
		if (private)
			mss->private_dirty += size;
		else
			mss->shared_dirty += size;
	} else {
		if (private)
			mss->private_clean += size;
		else
			mss->shared_clean += size;
	}
}

/*
 * Models: smaps_account(): one page (or a PMD-mapped compound page when @compound); a page
 * behind a migration entry (@migration) counts as mapped once, as 6.1 does.
 */
static void smaps_account_mig(struct mem_size_stats *mss, const struct page *page, bool compound,
			      bool young, bool dirty, bool locked, bool migration)
{
	unsigned long nr = compound ? folio_nr_pages(page_folio(page)) : 1;
	unsigned long size = nr * PAGE_SIZE;

	if (PageAnon(page)) {
		mss->anonymous += size;
		if (!PageSwapBacked(page) && !dirty && !PageDirty(page))
			mss->lazyfree += size;
	}
	mss->resident += size;
	if (young || PageReferenced(page))
		mss->referenced += size;
	if (page_count(page) == 1 || migration) {
		smaps_page_accumulate(mss, page, size, (uint64_t)size << PSS_SHIFT, dirty, locked,
				      true);
		return;
	}
	for (unsigned long i = 0; i < nr; i++, page++) {
		int mapcount = page_mapcount(page);
		uint64_t pss = (uint64_t)PAGE_SIZE << PSS_SHIFT;

		if (mapcount < 1)
			mss->nr_unmapped++;
		if (mapcount >= 2)
			pss /= (uint64_t)mapcount;
		smaps_page_accumulate(mss, page, PAGE_SIZE, pss, dirty, locked, mapcount < 2);
	}
}

static void smaps_account(struct mem_size_stats *mss, const struct page *page, bool compound,
			  bool young, bool dirty, bool locked)
{
	smaps_account_mig(mss, page, compound, young, dirty, locked, false);
}

/*
 * Models: smaps_pte_entry()'s swap entry: Swap counts the page, SwapPss its share among the
 * PTEs holding the slot (swp_swapcount; the swap-cache bit is not a holder).
 */
static void smaps_swap_entry(struct smaps_walk *sw, pte_t pte)
{
	swp_entry_t entry = pte_to_swp_entry(pte);
	uint64_t pss = (uint64_t)PAGE_SIZE << PSS_SHIFT;
	int mapcount;

	if (non_swap_entry(entry))
		return; /* a migration entry: its page counts as resident (smaps_pte_entry) */
	sw->mss->swap += PAGE_SIZE;
	mapcount = swap_map_byte(sw->k, entry) & ~SWAP_HAS_CACHE;
	if (mapcount >= 2)
		pss /= (uint64_t)mapcount;
	sw->mss->swap_pss += pss;
}

/* Models: smaps_pte_entry(). */
static void smaps_pte_entry(const pte_t *pte, unsigned long addr, void *arg)
{
	struct smaps_walk *sw = arg;
	struct page *page;

	(void)addr;
	if (is_swap_pte(*pte)) {
		swp_entry_t entry = pte_to_swp_entry(*pte);

		smaps_swap_entry(sw, *pte);
		if (is_migration_entry(entry)) /* pfn_swap_entry_to_page() */
			smaps_account_mig(sw->mss, pfn_to_page(sw->k, swp_offset_pfn(entry)), false,
					  false, false, sw->vma->vm_flags & VM_LOCKED, true);
		return;
	}
	if (!pte_present(*pte))
		return;
	page = vm_normal_page(sw->k, sw->vma, *pte);
	if (!page)
		return;
	smaps_account(sw->mss, page, false, pte_young(*pte), pte_dirty(*pte),
		      sw->vma->vm_flags & VM_LOCKED);
}

/* Models: smaps_pmd_entry(): a PMD-mapped THP (huge_memory.c). */
static void smaps_pmd_entry(const pmd_t *pmd, unsigned long addr, void *arg)
{
	struct smaps_walk *sw = arg;
	pte_t pte = pmd_pte(*pmd);
	struct page *page;

	(void)addr;
	if (is_pmd_migration_entry(*pmd)) { /* pfn_swap_entry_to_page(): counted as mapped */
		page = pfn_to_page(sw->k, swp_offset_pfn(pmd_to_swp_entry(*pmd)));
		sw->mss->anonymous_thp += PageAnon(page) ? HPAGE_PMD_SIZE : 0;
		smaps_account_mig(sw->mss, page, true, false, false, sw->vma->vm_flags & VM_LOCKED,
				  true);
		return;
	}
	if (!pmd_present(*pmd))
		return;
	if (pte_special(pte) || is_huge_zero_pmd(sw->k, *pmd))
		return; /* the huge zero page (follow_trans_huge_pmd with FOLL_DUMP) */
	page = pfn_to_page(sw->k, pmd_pfn(*pmd));
	if (!page)
		return;
	if (PageAnon(page))
		sw->mss->anonymous_thp += HPAGE_PMD_SIZE;
	else if (PageSwapBacked(page))
		sw->mss->shmem_thp += HPAGE_PMD_SIZE;
	else
		sw->mss->file_thp += HPAGE_PMD_SIZE;
	smaps_account(sw->mss, page, true, pte_young(pte), pte_dirty(pte),
		      sw->vma->vm_flags & VM_LOCKED);
}

static const struct mm_walk_ops smaps_walk_ops = {
	.pmd_entry = smaps_pmd_entry,
	.pte_entry = smaps_pte_entry,
};

/* Models: smap_gather_stats(): adds [@start, vm_end) of @vma to @mss. */
static void smap_gather_stats(const struct kmm_kernel *k, const struct vm_area_struct *vma,
			      struct mem_size_stats *mss, unsigned long start)
{
	struct smaps_walk sw = {k, vma, mss};
	struct mm_walk w = {k, vma, &smaps_walk_ops, &sw};

	if (start < vma->vm_start)
		start = vma->vm_start;
	if (start >= vma->vm_end)
		return;
	if (is_vm_hugetlb_page(vma)) { /* smaps_hugetlb_range: not in Rss (6.1) */
		unsigned long shared, private;

		hugetlb_smaps(vma, &shared, &private);
		mss->shared_hugetlb += shared;
		mss->private_hugetlb += private;
		return;
	}
	walk_page_range(&w, start, vma->vm_end);
	/* A shared or read-only tmpfs mapping counts its file's swap; a private one its holes. */
	if (vma_is_shmem(vma)) {
		if (start == vma->vm_start &&
		    ((vma->vm_flags & VM_SHARED) || !(vma->vm_flags & VM_WRITE)))
			mss->swap_shmem += shmem_swap_usage(vma);
		else
			mss->swap_shmem += shmem_swap_holes(vma, start);
	}
}

/* ---- the VMA header line (show_map_vma) ------------------------------------------------ */

/* The device (MAJOR:MINOR of the filesystem's s_dev) and inode number of @file. */
static void file_dev_ino(const struct file *file, unsigned int *major, unsigned int *minor,
			 unsigned long *ino)
{
	const struct inode *inode = file_inode(file);

	*major = (unsigned int)(inode->i_sb->s_dev >> 20);
	*minor = (unsigned int)(inode->i_sb->s_dev & 0xfffff);
	*ino = inode->i_ino;
}

static bool vma_is_initial_heap(const struct vm_area_struct *vma)
{
	const struct mm_struct *mm = vma->vm_mm;

	return vma->vm_start <= mm->brk && vma->vm_end >= mm->start_brk;
}

/* Models: is_stack(): the VMA holding the initial stack pointer. */
static bool is_stack(const struct vm_area_struct *vma)
{
	const struct mm_struct *mm = vma->vm_mm;

	return vma->vm_start <= mm->start_stack && vma->vm_end >= mm->start_stack;
}

/* Models: show_vma_header_prefix(): the fixed part, padded later to column 73 for a name. */
static size_t vma_header_prefix(char *buf, size_t cap, unsigned long start, unsigned long end,
				vm_flags_t flags, unsigned long long pgoff, unsigned int major,
				unsigned int minor, unsigned long ino)
{
	int n = snprintf(buf, cap, "%08lx-%08lx %c%c%c%c %08llx %02x:%02x %lu ", start, end,
			 flags & VM_READ ? 'r' : '-', flags & VM_WRITE ? 'w' : '-',
			 flags & VM_EXEC ? 'x' : '-', flags & VM_MAYSHARE ? 's' : 'p', pgoff, major,
			 minor, ino);

	return n < 0 ? 0 : (size_t)n;
}

/* Prints @prefix, then (if @name) pads to the seq_setwidth column (72) and the name. */
static void vma_header_line(const struct sink *out, const char *prefix, size_t len,
			    const char *name)
{
	enum { SEQ_WIDTH = 25 + 8 * 6 - 1 };

	if (!name) {
		sink_printf(out, "%s\n", prefix);
		return;
	}
	sink_printf(out, "%s%*s %s\n", prefix, len < SEQ_WIDTH ? (int)(SEQ_WIDTH - len) : 0, "",
		    name);
}

/* Models: show_map_vma(). */
static void show_map_vma(const struct sink *out, const struct vm_area_struct *vma)
{
	const struct file *file = vma->vm_file;
	unsigned long long pgoff = 0;
	unsigned int major = 0, minor = 0;
	unsigned long ino = 0;
	const char *name = NULL;
	char prefix[128], path[256];
	size_t len;

	if (file) {
		file_dev_ino(file, &major, &minor, &ino);
		pgoff = (unsigned long long)vma->vm_pgoff << PAGE_SHIFT;
		name = file_path(file, path, sizeof(path));
	} else if (vma->special_name) {
		name = vma->special_name;
	} else if (vma_is_initial_heap(vma)) {
		name = "[heap]";
	} else if (is_stack(vma)) {
		name = "[stack]";
	}
	len = vma_header_prefix(prefix, sizeof(prefix), vma->vm_start, vma->vm_end, vma->vm_flags,
				pgoff, major, minor, ino);
	vma_header_line(out, prefix, len, name);
}

/* Models: seq_put_decimal_ull_width(m, @label, @bytes >> 10, @width) then " kB\n". */
static void put_kb(const struct sink *out, const char *label, uint64_t bytes, int width)
{
	sink_printf(out, "%s%*" PRIu64 " kB\n", label, width, bytes >> 10);
}

/* Models: __show_smap(). */
static void show_smap_stats(const struct sink *out, const struct mem_size_stats *mss, bool rollup)
{
	put_kb(out, "Rss:            ", mss->resident, 8);
	put_kb(out, "Pss:            ", mss->pss >> PSS_SHIFT, 8);
	put_kb(out, "Pss_Dirty:      ", mss->pss_dirty >> PSS_SHIFT, 8);
	if (rollup) {
		put_kb(out, "Pss_Anon:       ", mss->pss_anon >> PSS_SHIFT, 8);
		put_kb(out, "Pss_File:       ", mss->pss_file >> PSS_SHIFT, 8);
		put_kb(out, "Pss_Shmem:      ", mss->pss_shmem >> PSS_SHIFT, 8);
	}
	put_kb(out, "Shared_Clean:   ", mss->shared_clean, 8);
	put_kb(out, "Shared_Dirty:   ", mss->shared_dirty, 8);
	put_kb(out, "Private_Clean:  ", mss->private_clean, 8);
	put_kb(out, "Private_Dirty:  ", mss->private_dirty, 8);
	put_kb(out, "Referenced:     ", mss->referenced, 8);
	put_kb(out, "Anonymous:      ", mss->anonymous, 8);
	put_kb(out, "LazyFree:       ", mss->lazyfree, 8);
	put_kb(out, "AnonHugePages:  ", mss->anonymous_thp, 8);
	put_kb(out, "ShmemPmdMapped: ", mss->shmem_thp, 8);
	put_kb(out, "FilePmdMapped:  ", mss->file_thp, 8);
	put_kb(out, "Shared_Hugetlb: ", mss->shared_hugetlb, 8);
	put_kb(out, "Private_Hugetlb: ", mss->private_hugetlb, 7);
	put_kb(out, "Swap:           ", mss->swap + mss->swap_shmem, 8);
	put_kb(out, "SwapPss:        ", mss->swap_pss >> PSS_SHIFT, 8);
	put_kb(out, "Locked:         ", mss->pss_locked >> PSS_SHIFT, 8);
}

/*
 * smaps' THPeligible: hugepage_vma_check(vma, vm_flags, smaps=true, in_pf=false,
 * enforce_sysfs=true) (huge_memory.c: the sysfs mode, MADV_(NO)HUGEPAGE, no shmem huge).
 */
static bool thp_eligible(const struct kmm_kernel *k, const struct vm_area_struct *vma)
{
	vm_flags_t f = vma->vm_flags;

	(void)k;
	if ((f & VM_GROWSDOWN) && is_stack(vma))
		return false; /* vma_is_temporary_stack() only holds during exec */
	return hugepage_vma_check((struct vm_area_struct *)vma, f, true, false, true);
}

/* Models: show_smap_vma_flags() (arm64 6.1: BTI and MTE configured, soft-dirty not). */
static void show_smap_vma_flags(const struct sink *out, vm_flags_t flags)
{
	static const struct {
		vm_flags_t flag;
		char name[3];
	} mnemonics[] = {
		{VM_READ, "rd"},	 {VM_WRITE, "wr"},     {VM_EXEC, "ex"},
		{VM_SHARED, "sh"},	 {VM_MAYREAD, "mr"},   {VM_MAYWRITE, "mw"},
		{VM_MAYEXEC, "me"},	 {VM_MAYSHARE, "ms"},  {VM_GROWSDOWN, "gd"},
		{VM_UFFD_MISSING, "um"}, {VM_PFNMAP, "pf"},    {VM_UFFD_WP, "uw"},
		{VM_LOCKED, "lo"},	 {VM_IO, "io"},	       {VM_SEQ_READ, "sr"},
		{VM_RAND_READ, "rr"},	 {VM_DONTCOPY, "dc"},  {VM_DONTEXPAND, "de"},
		{VM_ACCOUNT, "ac"},	 {VM_NORESERVE, "nr"}, {VM_HUGETLB, "ht"},
		{VM_SYNC, "sf"},	 {VM_ARM64_BTI, "bt"}, {VM_WIPEONFORK, "wf"},
		{VM_DONTDUMP, "dd"},	 {VM_MIXEDMAP, "mm"},  {VM_HUGEPAGE, "hg"},
		{VM_NOHUGEPAGE, "nh"},	 {VM_MERGEABLE, "mg"}, {VM_MTE, "mt"},
	};

	sink_printf(out, "VmFlags: ");
	for (size_t i = 0; i < sizeof(mnemonics) / sizeof(mnemonics[0]); i++)
		if (flags & mnemonics[i].flag)
			sink_printf(out, "%s ", mnemonics[i].name);
	sink_printf(out, "\n");
}

/* Models: show_smap(). */
static void show_smap(const struct kmm_kernel *k, const struct sink *out,
		      const struct vm_area_struct *vma)
{
	struct mem_size_stats mss;

	memset(&mss, 0, sizeof(mss));
	smap_gather_stats(k, vma, &mss, 0);
	show_map_vma(out, vma);
	put_kb(out, "Size:           ", vma->vm_end - vma->vm_start, 8);
	put_kb(out, "KernelPageSize: ", vma_kernel_pagesize(vma), 8);
	put_kb(out, "MMUPageSize:    ", vma_kernel_pagesize(vma), 8); /* vma_mmu_pagesize */
	show_smap_stats(out, &mss, false);
	sink_printf(out, "THPeligible:    %d\n", thp_eligible(k, vma));
	show_smap_vma_flags(out, vma->vm_flags);
}

/* Models: show_smaps_rollup(). */
static void show_smaps_rollup(const struct kmm_kernel *k, const struct sink *out,
			      const struct mm_struct *mm)
{
	struct mem_size_stats mss;
	unsigned long vma_start = 0, last_vma_end = 0;
	char prefix[128];
	size_t len;

	memset(&mss, 0, sizeof(mss));
	for (const struct vm_area_struct *vma = mm->mmap; vma; vma = vma->vm_next) {
		if (!vma_start)
			vma_start = vma->vm_start;
		smap_gather_stats(k, vma, &mss, 0);
		last_vma_end = vma->vm_end;
	}
	len = vma_header_prefix(prefix, sizeof(prefix), vma_start, last_vma_end, 0, 0, 0, 0, 0);
	vma_header_line(out, prefix, len, "[rollup]");
	show_smap_stats(out, &mss, true);
}

/* ---- status, statm --------------------------------------------------------------------- */

static unsigned long kb(unsigned long pages)
{
	return pages << (PAGE_SHIFT - 10);
}

/* Models: task_mem(). */
static void task_mem(const struct sink *out, const struct mm_struct *mm)
{
	unsigned long anon = get_mm_counter(mm, MM_ANONPAGES);
	unsigned long file = get_mm_counter(mm, MM_FILEPAGES);
	unsigned long shmem = get_mm_counter(mm, MM_SHMEMPAGES);
	unsigned long swap = get_mm_counter(mm, MM_SWAPENTS);
	unsigned long total_vm = mm->total_vm, hiwater_vm = total_vm;
	unsigned long total_rss = anon + file + shmem, hiwater_rss = total_rss;
	unsigned long text, lib;

	if (hiwater_vm < mm->hiwater_vm)
		hiwater_vm = mm->hiwater_vm;
	if (hiwater_rss < mm->hiwater_rss)
		hiwater_rss = mm->hiwater_rss;
	text = PAGE_ALIGN(mm->end_code) - (mm->start_code & PAGE_MASK);
	if (text > mm->exec_vm << PAGE_SHIFT)
		text = mm->exec_vm << PAGE_SHIFT;
	lib = (mm->exec_vm << PAGE_SHIFT) - text;

	sink_printf(out, "VmPeak:\t%8lu kB\n", kb(hiwater_vm));
	sink_printf(out, "VmSize:\t%8lu kB\n", kb(total_vm));
	sink_printf(out, "VmLck:\t%8lu kB\n", kb(mm->locked_vm));
	sink_printf(out, "VmPin:\t%8lu kB\n", kb(mm->pinned_vm));
	sink_printf(out, "VmHWM:\t%8lu kB\n", kb(hiwater_rss));
	sink_printf(out, "VmRSS:\t%8lu kB\n", kb(total_rss));
	sink_printf(out, "RssAnon:\t%8lu kB\n", kb(anon));
	sink_printf(out, "RssFile:\t%8lu kB\n", kb(file));
	sink_printf(out, "RssShmem:\t%8lu kB\n", kb(shmem));
	sink_printf(out, "VmData:\t%8lu kB\n", kb(mm->data_vm));
	sink_printf(out, "VmStk:\t%8lu kB\n", kb(mm->stack_vm));
	sink_printf(out, "VmExe:\t%8lu kB\n", text >> 10);
	sink_printf(out, "VmLib:\t%8lu kB\n", lib >> 10);
	sink_printf(out, "VmPTE:\t%8lu kB\n", (unsigned long)mm->pgtables_bytes >> 10);
	sink_printf(out, "VmSwap:\t%8lu kB\n", kb(swap));
	sink_printf(out, "HugetlbPages:\t%8lu kB\n", /* hugetlb_report_usage */
		    (unsigned long)mm->hugetlb_usage << (PAGE_SHIFT - 10));
}

/* Models: get_task_state(): the state letter and word /proc prints. */
static const char *task_state_name(const struct task_struct *t)
{
	if (t->exit_state & EXIT_ZOMBIE)
		return "Z (zombie)";
	if (t->exit_state & EXIT_DEAD)
		return "X (dead)";
	if (t->__state & __TASK_STOPPED)
		return "T (stopped)";
	if (t->__state & TASK_INTERRUPTIBLE)
		return "S (sleeping)";
	return "R (running)";
}

/* "%*pb" of the first @nbits bits all set: hex digits, in 32-bit groups separated by ','. */
static void put_full_mask(const struct sink *out, unsigned int nbits)
{
	unsigned int first = nbits % 32 ? nbits % 32 : 32;

	for (unsigned int done = 0; done < nbits; done += first, first = 32) {
		unsigned int digits = (first + 3) / 4;
		uint64_t v = first == 32 ? 0xffffffffu : (1ull << first) - 1;

		sink_printf(out, "%s%0*" PRIx64, done ? "," : "", (int)digits, v);
	}
}

/* "%*pb" of the node mask @nodes (bit per node) over MAX_NUMNODES (16) bits. */
static void put_node_mask(const struct sink *out, const struct kmm_kernel *k)
{
	unsigned int mask = 0;

	for (int nid = 0; nid < MAX_NUMNODES; nid++)
		if (k->node_data[nid])
			mask |= 1u << nid;
	sink_printf(out, "%04x", mask);
}

/* Models: proc_pid_status() (fs/proc/array.c) for task @t. */
static void proc_pid_status(const struct kmm_kernel *k, const struct sink *out,
			    const struct task_struct *t)
{
	const struct task_struct *parent = t->real_parent;
	unsigned long max_threads =
		(unsigned long)k->totalram_pages * PAGE_SIZE / (THREAD_SIZE * 8);

	sink_printf(out, "Name:\t%s\nUmask:\t0022\nState:\t%s\n", t->comm, task_state_name(t));
	sink_printf(out, "Tgid:\t%d\nNgid:\t0\nPid:\t%d\nPPid:\t%d\nTracerPid:\t0\n", t->tgid,
		    t->pid, parent ? parent->tgid : 0);
	sink_printf(out, "Uid:\t0\t0\t0\t0\nGid:\t0\t0\t0\t0\nFDSize:\t64\nGroups:\t \n");
	sink_printf(out, "NStgid:\t%d\nNSpid:\t%d\nNSpgid:\t0\nNSsid:\t0\n", t->tgid, t->pid);
	if (t->mm) {
		task_mem(out, t->mm);
		sink_printf(out, "CoreDumping:\t0\nTHP_enabled:\t%d\n", k->thp_enabled);
	}
	sink_printf(out, "Threads:\t1\nSigQ:\t0/%lu\n", max_threads / 2);
	sink_printf(out, "SigPnd:\t0000000000000000\nShdPnd:\t0000000000000000\n"
			 "SigBlk:\t0000000000000000\nSigIgn:\t0000000000000000\n"
			 "SigCgt:\t0000000000000000\n");
	sink_printf(out, "CapInh:\t0000000000000000\nCapPrm:\t000001ffffffffff\n"
			 "CapEff:\t000001ffffffffff\nCapBnd:\t000001ffffffffff\n"
			 "CapAmb:\t0000000000000000\n");
	sink_printf(out, "NoNewPrivs:\t0\nSeccomp:\t0\nSeccomp_filters:\t0\n"
			 "Speculation_Store_Bypass:\tvulnerable\n"
			 "SpeculationIndirectBranch:\tunknown\n");
	sink_printf(out, "Cpus_allowed:\t");
	put_full_mask(out, (unsigned int)k->nr_cpus);
	sink_printf(out, "\nCpus_allowed_list:\t0");
	if (k->nr_cpus > 1)
		sink_printf(out, "-%d", k->nr_cpus - 1);
	sink_printf(out, "\nMems_allowed:\t");
	put_node_mask(out, k);
	sink_printf(out, "\nMems_allowed_list:\t%s\n", k->online_nodes_list);
	sink_printf(out, "voluntary_ctxt_switches:\t%lu\nnonvoluntary_ctxt_switches:\t%lu\n",
		    t->nvcsw, t->nivcsw);
}

/* Models: proc_pid_statm() with task_statm(). */
static void proc_pid_statm(const struct sink *out, const struct mm_struct *mm)
{
	unsigned long shared, text, data, resident;

	if (!mm) {
		sink_printf(out, "0 0 0 0 0 0 0\n");
		return;
	}
	shared = get_mm_counter(mm, MM_FILEPAGES) + get_mm_counter(mm, MM_SHMEMPAGES);
	text = (PAGE_ALIGN(mm->end_code) - (mm->start_code & PAGE_MASK)) >> PAGE_SHIFT;
	data = mm->data_vm + mm->stack_vm;
	resident = shared + get_mm_counter(mm, MM_ANONPAGES);
	sink_printf(out, "%lu %lu %lu %lu 0 %lu 0\n", mm->total_vm, resident, shared, text, data);
}

/* ---- numa_maps ------------------------------------------------------------------------- */

/* Models: struct numa_maps. */
struct numa_maps {
	const struct kmm_kernel *k;
	const struct vm_area_struct *vma;
	unsigned long pages, anon, active, writeback, mapcount_max, dirty, swapcache;
	unsigned long node[MAX_NUMNODES];
};

/* Models: gather_stats(). */
static void gather_stats(struct numa_maps *md, const struct page *page, bool pte_dirty,
			 unsigned long nr_pages)
{
	int count = page_mapcount(page);

	md->pages += nr_pages;
	if (pte_dirty || PageDirty(page))
		md->dirty += nr_pages;
	if (PageSwapCache(page))
		md->swapcache += nr_pages;
	if (PageActive(page) || PageUnevictable(page))
		md->active += nr_pages;
	if (PageWriteback(page))
		md->writeback += nr_pages;
	if (PageAnon(page))
		md->anon += nr_pages;
	if (count > 0 && (unsigned long)count > md->mapcount_max)
		md->mapcount_max = (unsigned long)count;
	md->node[page_to_nid(page)] += nr_pages;
}

/* Models: gather_pte_stats() with can_gather_numa_stats(). */
static void numa_pte_entry(const pte_t *pte, unsigned long addr, void *arg)
{
	struct numa_maps *md = arg;
	struct page *page;

	(void)addr;
	if (!pte_present(*pte))
		return;
	page = vm_normal_page(md->k, md->vma, *pte);
	if (!page || PageReserved(page))
		return;
	gather_stats(md, page, pte_dirty(*pte), 1);
}

static void numa_pmd_entry(const pmd_t *pmd, unsigned long addr, void *arg)
{
	struct numa_maps *md = arg;
	pte_t pte = pmd_pte(*pmd);
	struct page *page;

	(void)addr;
	if (!pmd_present(*pmd) || pte_special(pte))
		return; /* can_gather_numa_stats_pmd(): a THP mid-move is not counted */
	page = pfn_to_page(md->k, pmd_pfn(*pmd));
	if (page && !PageReserved(page))
		gather_stats(md, page, pte_dirty(pte), HPAGE_PMD_SIZE / PAGE_SIZE);
}

static const struct mm_walk_ops numa_walk_ops = {
	.pmd_entry = numa_pmd_entry,
	.pte_entry = numa_pte_entry,
};

/* Models: show_numa_map() (every VMA has the default policy). */
static void show_numa_map(const struct kmm_kernel *k, const struct sink *out,
			  const struct vm_area_struct *vma)
{
	struct numa_maps md;
	struct mm_walk w = {k, vma, &numa_walk_ops, &md};
	char path[256];

	memset(&md, 0, sizeof(md));
	md.k = k;
	md.vma = vma;
	sink_printf(out, "%08lx default", vma->vm_start);
	if (vma->vm_file)
		sink_printf(out, " file=%s", file_path(vma->vm_file, path, sizeof(path)));
	else if (vma_is_initial_heap(vma))
		sink_printf(out, " heap");
	else if (is_stack(vma))
		sink_printf(out, " stack");
	walk_page_range(&w, vma->vm_start, vma->vm_end);
	if (md.pages) {
		if (md.anon)
			sink_printf(out, " anon=%lu", md.anon);
		if (md.dirty)
			sink_printf(out, " dirty=%lu", md.dirty);
		if (md.pages != md.anon && md.pages != md.dirty)
			sink_printf(out, " mapped=%lu", md.pages);
		if (md.mapcount_max > 1)
			sink_printf(out, " mapmax=%lu", md.mapcount_max);
		if (md.swapcache)
			sink_printf(out, " swapcache=%lu", md.swapcache);
		if (md.active < md.pages)
			sink_printf(out, " active=%lu", md.active);
		if (md.writeback)
			sink_printf(out, " writeback=%lu", md.writeback);
		for (int nid = 0; nid < MAX_NUMNODES; nid++)
			if (md.node[nid])
				sink_printf(out, " N%d=%lu", nid, md.node[nid]);
		sink_printf(out, " kernelpagesize_kB=%lu", PAGE_SIZE >> 10);
	}
	sink_printf(out, "\n");
}

/* ---- entry points ---------------------------------------------------------------------- */

static const char *const proc_pid_files[] = {"maps",  "smaps",	   "smaps_rollup", "status",
					     "statm", "numa_maps", "oom_score",	   "oom_score_adj"};

void proc_pid_list_files(void (*fn)(void *arg, const char *name), void *arg)
{
	for (size_t i = 0; i < sizeof(proc_pid_files) / sizeof(proc_pid_files[0]); i++)
		fn(arg, proc_pid_files[i]);
}

int proc_pid_show(const struct kmm_kernel *k, int pid, const char *file, const struct sink *out)
{
	const struct task_struct *t = find_task_by_vpid(k, pid);
	const struct mm_struct *mm;

	if (!t || !file)
		return -ESRCH;
	mm = t->mm;
	if (strcmp(file, "status") == 0) {
		proc_pid_status(k, out, t);
	} else if (strcmp(file, "statm") == 0) {
		proc_pid_statm(out, mm);
	} else if (strcmp(file, "maps") == 0) {
		for (const struct vm_area_struct *v = mm ? mm->mmap : NULL; v; v = v->vm_next)
			show_map_vma(out, v);
	} else if (strcmp(file, "smaps") == 0) {
		for (const struct vm_area_struct *v = mm ? mm->mmap : NULL; v; v = v->vm_next)
			show_smap(k, out, v);
	} else if (strcmp(file, "smaps_rollup") == 0) {
		if (mm)
			show_smaps_rollup(k, out, mm);
	} else if (strcmp(file, "oom_score") == 0) { /* proc_oom_score() */
		sink_printf(out, "%lu\n", proc_oom_score(k, t));
	} else if (strcmp(file, "oom_score_adj") == 0) { /* oom_score_adj_read() */
		sink_printf(out, "%d\n", (int)t->oom_score_adj);
	} else if (strcmp(file, "numa_maps") == 0) {
		for (const struct vm_area_struct *v = mm ? mm->mmap : NULL; v; v = v->vm_next)
			show_numa_map(k, out, v);
	} else {
		return -ENOENT;
	}
	return 0;
}

int ptdump_task(const struct kmm_kernel *k, int pid, const struct sink *out)
{
	const struct task_struct *t = find_task_by_vpid(k, pid);

	if (!t)
		return -ESRCH;
	if (t->mm && t->mm->pgd)
		ptdump_user_page_tables(k, t->mm->pgd, out);
	return 0;
}

/* ---- the checker ----------------------------------------------------------------------- */

/* Invariants 1 to 3 for @mm (its tasks' pending caches in @pending and @pending_swap). */
static bool proc_task_mmu_check_mm(const struct kmm_kernel *k, const struct mm_struct *mm,
				   long pending, long pending_swap, char *why, size_t whylen)
{
	struct mem_size_stats mss;
	long counted = 0;

	memset(&mss, 0, sizeof(mss));
	for (const struct vm_area_struct *v = mm->mmap; v; v = v->vm_next)
		smap_gather_stats(k, v, &mss, 0);
	for (int i = 0; i < NR_MM_COUNTERS; i++)
		if (i != MM_SWAPENTS)
			counted += mm->rss_stat[i];
	if ((long)(mss.resident >> PAGE_SHIFT) != counted + pending) {
		snprintf(why, whylen, "mm %p: page tables map %lu pages, rss counters say %ld",
			 (const void *)mm, mss.resident >> PAGE_SHIFT, counted + pending);
		return false;
	}
	if ((long)(mss.swap >> PAGE_SHIFT) != mm->rss_stat[MM_SWAPENTS] + pending_swap) {
		snprintf(why, whylen,
			 "mm %p: page tables hold %lu swap entries, MM_SWAPENTS says %ld",
			 (const void *)mm, mss.swap >> PAGE_SHIFT,
			 mm->rss_stat[MM_SWAPENTS] + pending_swap);
		return false;
	}
	if (mss.nr_unmapped) {
		snprintf(why, whylen, "mm %p: %lu mapped pages have a map count of 0",
			 (const void *)mm, mss.nr_unmapped);
		return false;
	}
	return true;
}

bool proc_task_mmu_check(const struct kmm_kernel *k, char *why, size_t whylen)
{
	unsigned int left = k->tasks ? nr_tasks(k) : 0;

	/* pids are handed out from 1 up: the live tasks are found long before PID_MAX_LIMIT */
	for (int pid = 1; left && pid <= (4 << 20); pid++) {
		const struct task_struct *t = find_task_by_vpid(k, pid);
		long pending = 0;

		if (!t)
			continue;
		left--;
		if (!t->mm)
			continue;
		for (int i = 0; i < NR_MM_COUNTERS; i++)
			if (i != MM_SWAPENTS)
				pending += t->rss_stat.count[i];
		if (!proc_task_mmu_check_mm(k, t->mm, pending, t->rss_stat.count[MM_SWAPENTS], why,
					    whylen))
			return false;
	}
	return true;
}
