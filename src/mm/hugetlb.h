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
#include "mm/mm.h"

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

#endif /* KMM_MM_HUGETLB_H */
