/*
 * libkmm compat: include/linux/mm.h's names over the machine and task bound to this thread:
 * pages and the linear map (page_address, virt_to_page, __pa/__va, get_page/put_page), the
 * kernel's user-space mapping helpers of mm/util.c (vm_mmap, vm_munmap) acting on `current`,
 * and get_user_pages/pin_user_pages with their releases.
 *
 * Not here (docs/compat.md): find_vma and the VMA objects (the public API has no VMA
 * handles: read /proc/<pid>/maps), vm_brk_flags (the public API offers brk(2), not a fixed
 * brk-like mapping), the *_remote variants and anything taking an mm_struct (there is no
 * `current->mm`: the helpers act on the bound task), mmap itself (the host's libc owns it).
 */
#ifndef KMM_LINUX_MM_H
#define KMM_LINUX_MM_H

#include <kmm/linux/compat.h>
#include <kmm/linux/err.h>
#include <kmm/linux/gfp.h>
#include <kmm/linux/mman.h>

#ifdef __cplusplus
extern "C" {
#endif

struct file;
struct vm_area_struct;

#define PAGE_ALIGN(addr)  (((addr) + PAGE_SIZE - 1) & PAGE_MASK)
#define offset_in_page(p) ((unsigned long)(uintptr_t)(p) & ~PAGE_MASK)
#define PFN_PHYS(pfn)	  ((phys_addr_t)(pfn) << PAGE_SHIFT)
#define PHYS_PFN(pa)	  ((unsigned long)((pa) >> PAGE_SHIFT))
#define PFN_UP(x)	  (((x) + PAGE_SIZE - 1) >> PAGE_SHIFT)
#define PFN_DOWN(x)	  ((x) >> PAGE_SHIFT)
#define TASK_SIZE	  (1UL << 48) /* arm64, 48-bit VA */

#define FOLL_WRITE    KMM_FOLL_WRITE
#define FOLL_FORCE    KMM_FOLL_FORCE
#define FOLL_LONGTERM KMM_FOLL_LONGTERM
#define FOLL_PIN      KMM_FOLL_PIN

/* -EINVAL without a machine, -ESRCH without a task (the reason is recorded). */
static inline long kmm_linux_unbound(void)
{
	return kmm_linux_current(NULL, false)->machine ? -ESRCH : -EINVAL;
}

static inline phys_addr_t page_to_phys(const struct page *page)
{
	return PFN_PHYS(page_to_pfn(page));
}

/* page_address(): the frame's bytes (a host pointer), or NULL without a binding. */
static inline void *page_address(const struct page *page)
{
	const struct kmm_linux_current *c = kmm_linux_current("page_address", false);

	return c ? kmm_linux_pfn_to_host(c, page_to_pfn(page), 0) : NULL;
}

/* virt_to_phys(): the PA of a kernel pointer (kmalloc, page_address); 0 if it is not one. */
static inline phys_addr_t virt_to_phys(const volatile void *addr)
{
	kmm_pa_t pa;

	return kmm_linux_host_to_phys("virt_to_phys", (const void *)(uintptr_t)addr, &pa) ? 0 : pa;
}

/* phys_to_virt(): the host pointer to RAM at @pa, or NULL. */
static inline void *phys_to_virt(phys_addr_t pa)
{
	const struct kmm_linux_current *c = kmm_linux_current("phys_to_virt", false);

	return c ? kmm_phys_to_host(c->machine, pa, 1) : NULL;
}

#define __pa(x) virt_to_phys((const void *)(uintptr_t)(x))
#define __va(x) phys_to_virt((phys_addr_t)(x))

static inline struct page *virt_to_page(const void *addr)
{
	return pfn_to_page(PHYS_PFN(virt_to_phys(addr)));
}

static inline void get_page(struct page *page)
{
	const struct kmm_linux_current *c = kmm_linux_current("get_page", false);

	if (c)
		kmm_get_page(c->machine, page_to_pfn(page));
}

/*
 * put_page(): drops one reference of an order-0 page — one get_user_pages() gave, else one
 * that alloc_page() or get_page() gave.
 */
static inline void put_page(struct page *page)
{
	const struct kmm_linux_current *c = kmm_linux_current("put_page", false);
	kmm_pfn_t pfn = page_to_pfn(page);

	if (c && kmm_put_user_page(c->machine, pfn, 0) != KMM_OK)
		kmm_free_pages(c->machine, pfn, 0);
}

/* page_count(), page_mapcount(): 0 without a binding or for a frame outside the map. */
static inline int page_count(const struct page *page)
{
	const struct kmm_linux_current *c = kmm_linux_current("page_count", false);
	struct kmm_page_info info;

	if (!c || kmm_page_info(c->machine, page_to_pfn(page), &info) != KMM_OK)
		return 0;
	return info.refcount;
}

static inline int page_mapcount(const struct page *page)
{
	const struct kmm_linux_current *c = kmm_linux_current("page_mapcount", false);
	struct kmm_page_info info;

	if (!c || kmm_page_info(c->machine, page_to_pfn(page), &info) != KMM_OK)
		return 0;
	return info.mapcount;
}

/* ---- user space of `current` (mm/util.c, mm/mmap.c, mm/gup.c) ---------------------------- */

/*
 * fget(): a struct file for @fd of the current task's table. Deviation: the fd is carried,
 * not looked up — a closed fd is refused when it is used (vm_mmap: -EBADF). fput() does
 * nothing.
 */
static inline struct file *fget(unsigned int fd)
{
	return fd < 0x7fffffffu ? (struct file *)(uintptr_t)(fd + 1UL) : NULL;
}

static inline void fput(struct file *file)
{
	(void)file;
}

/*
 * vm_mmap(): maps for the current task as mmap(2) would, @file NULL for anonymous memory.
 * Returns the address, or -errno as an unsigned long (IS_ERR_VALUE).
 */
static inline unsigned long vm_mmap(struct file *file, unsigned long addr, unsigned long len,
				    unsigned long prot, unsigned long flag, unsigned long offset)
{
	const struct kmm_linux_current *c = kmm_linux_current("vm_mmap", true);
	int fd = file ? (int)((uintptr_t)file - 1) : -1;
	kmm_va_t out = 0;
	enum kmm_status st;

	if (!c)
		return (unsigned long)kmm_linux_unbound();
	if (offset + PAGE_ALIGN(len) < offset || offset_in_page(offset))
		return (unsigned long)-EINVAL;
	if (!file)
		flag |= MAP_ANONYMOUS;
	st = kmm_mmap(c->machine, c->pid, addr, len, (int)prot, (int)flag, fd, offset, &out);
	return st ? (unsigned long)(long)kmm_linux_errno(st) : (unsigned long)out;
}

/* vm_munmap(): 0 or -errno. */
static inline int vm_munmap(unsigned long start, size_t len)
{
	const struct kmm_linux_current *c = kmm_linux_current("vm_munmap", true);

	if (!c)
		return (int)kmm_linux_unbound();
	return kmm_linux_errno(kmm_munmap(c->machine, c->pid, start, len));
}

/* The pages of [start, start + nr_pages pages) of the current task, in batches. */
static inline long kmm_linux_gup(const char *fn, unsigned long start, unsigned long nr_pages,
				 unsigned int gup_flags, struct page **pages,
				 struct vm_area_struct **vmas)
{
	const struct kmm_linux_current *c = kmm_linux_current(fn, true);
	unsigned long done = 0;
	kmm_pfn_t pfns[64];

	if (!c)
		return kmm_linux_unbound();
	if (vmas) /* no VMA objects in the public API */
		return -EINVAL;
	start &= PAGE_MASK;
	while (done < nr_pages) {
		uint64_t want = nr_pages - done < 64 ? nr_pages - done : 64, got = 0;
		enum kmm_status st = kmm_get_user_pages(
			c->machine, c->pid, start + done * PAGE_SIZE, want, gup_flags, pfns, &got);

		for (uint64_t i = 0; i < got; i++) {
			if (pages)
				pages[done + i] = pfn_to_page(pfns[i]);
			else /* faulted in only, as the kernel does with pages NULL */
				kmm_put_user_page(c->machine, pfns[i], gup_flags);
		}
		done += got;
		if (st || got < want)
			return done ? (long)done : (st ? kmm_linux_errno(st) : -EFAULT);
	}
	return (long)done;
}

/* get_user_pages(): a reference on each page (release with put_page); count or -errno. */
static inline long get_user_pages(unsigned long start, unsigned long nr_pages,
				  unsigned int gup_flags, struct page **pages,
				  struct vm_area_struct **vmas)
{
	return kmm_linux_gup("get_user_pages", start, nr_pages, gup_flags, pages, vmas);
}

static inline int get_user_pages_fast(unsigned long start, int nr_pages, unsigned int gup_flags,
				      struct page **pages)
{
	if (nr_pages <= 0)
		return 0;
	return (int)kmm_linux_gup("get_user_pages_fast", start, (unsigned long)nr_pages, gup_flags,
				  pages, NULL);
}

/* pin_user_pages(): a pin on each page (release with unpin_user_page); count or -errno. */
static inline long pin_user_pages(unsigned long start, unsigned long nr_pages,
				  unsigned int gup_flags, struct page **pages,
				  struct vm_area_struct **vmas)
{
	if (!pages)
		return -EINVAL;
	return kmm_linux_gup("pin_user_pages", start, nr_pages, gup_flags | FOLL_PIN, pages, vmas);
}

static inline int pin_user_pages_fast(unsigned long start, int nr_pages, unsigned int gup_flags,
				      struct page **pages)
{
	if (nr_pages <= 0)
		return 0;
	if (!pages)
		return -EINVAL;
	return (int)kmm_linux_gup("pin_user_pages_fast", start, (unsigned long)nr_pages,
				  gup_flags | FOLL_PIN, pages, NULL);
}

static inline void unpin_user_page(struct page *page)
{
	const struct kmm_linux_current *c = kmm_linux_current("unpin_user_page", false);

	if (c)
		kmm_put_user_page(c->machine, page_to_pfn(page), FOLL_PIN);
}

static inline void unpin_user_pages(struct page **pages, unsigned long npages)
{
	for (unsigned long i = 0; i < npages; i++)
		unpin_user_page(pages[i]);
}

/* ---- the rest of the mmap family, for `current` -------------------------------------------- */

/*
 * ksys_mmap_pgoff(): mmap(2) with the offset in pages, @fd in the current task's table
 * (-1 with MAP_ANONYMOUS). The address, or -errno as an unsigned long.
 */
static inline unsigned long ksys_mmap_pgoff(unsigned long addr, unsigned long len,
					    unsigned long prot, unsigned long flags,
					    unsigned long fd, unsigned long pgoff)
{
	const struct kmm_linux_current *c = kmm_linux_current("ksys_mmap_pgoff", true);
	kmm_va_t out = 0;
	enum kmm_status st;

	if (!c)
		return (unsigned long)kmm_linux_unbound();
	if (pgoff > (~0UL >> PAGE_SHIFT))
		return (unsigned long)-EINVAL;
	st = kmm_mmap(c->machine, c->pid, addr, len, (int)prot, (int)flags, (int)fd,
		      pgoff << PAGE_SHIFT, &out);
	return st ? (unsigned long)(long)kmm_linux_errno(st) : (unsigned long)out;
}

/* do_mprotect_pkey(): mprotect(2); arm64 has no protection keys, so @pkey must be -1. */
static inline int do_mprotect_pkey(unsigned long start, size_t len, unsigned long prot, int pkey)
{
	const struct kmm_linux_current *c = kmm_linux_current("do_mprotect_pkey", true);

	if (!c)
		return (int)kmm_linux_unbound();
	if (pkey != -1)
		return -EINVAL;
	return kmm_linux_errno(kmm_mprotect(c->machine, c->pid, start, len, (int)prot));
}

/*
 * The system calls the kernel has no in-kernel helper for, named the way it names such
 * bodies (ksys_*): 0 or -errno; ksys_mremap returns the address or an error value;
 * ksys_brk the new break (the old one when refused), as brk(2).
 */
static inline unsigned long ksys_mremap(unsigned long addr, unsigned long old_len,
					unsigned long new_len, unsigned long flags,
					unsigned long new_addr)
{
	const struct kmm_linux_current *c = kmm_linux_current("ksys_mremap", true);
	kmm_va_t out = 0;
	enum kmm_status st;

	if (!c)
		return (unsigned long)kmm_linux_unbound();
	st = kmm_mremap(c->machine, c->pid, addr, old_len, new_len, (int)flags, new_addr, &out);
	return st ? (unsigned long)(long)kmm_linux_errno(st) : (unsigned long)out;
}

static inline unsigned long ksys_brk(unsigned long brk)
{
	const struct kmm_linux_current *c = kmm_linux_current("ksys_brk", true);
	kmm_va_t out = 0;

	if (!c)
		return 0;
	return kmm_brk(c->machine, c->pid, brk, &out) == KMM_OK ? (unsigned long)out : 0;
}

static inline int ksys_mlock(unsigned long start, size_t len)
{
	const struct kmm_linux_current *c = kmm_linux_current("ksys_mlock", true);

	return c ? kmm_linux_errno(kmm_mlock(c->machine, c->pid, start, len))
		 : (int)kmm_linux_unbound();
}

static inline int ksys_mlock2(unsigned long start, size_t len, int flags)
{
	const struct kmm_linux_current *c = kmm_linux_current("ksys_mlock2", true);

	return c ? kmm_linux_errno(kmm_mlock2(c->machine, c->pid, start, len, flags))
		 : (int)kmm_linux_unbound();
}

static inline int ksys_munlock(unsigned long start, size_t len)
{
	const struct kmm_linux_current *c = kmm_linux_current("ksys_munlock", true);

	return c ? kmm_linux_errno(kmm_munlock(c->machine, c->pid, start, len))
		 : (int)kmm_linux_unbound();
}

static inline int ksys_mlockall(int flags)
{
	const struct kmm_linux_current *c = kmm_linux_current("ksys_mlockall", true);

	return c ? kmm_linux_errno(kmm_mlockall(c->machine, c->pid, flags))
		 : (int)kmm_linux_unbound();
}

static inline int ksys_munlockall(void)
{
	const struct kmm_linux_current *c = kmm_linux_current("ksys_munlockall", true);

	return c ? kmm_linux_errno(kmm_munlockall(c->machine, c->pid)) : (int)kmm_linux_unbound();
}

static inline int ksys_msync(unsigned long start, size_t len, int flags)
{
	const struct kmm_linux_current *c = kmm_linux_current("ksys_msync", true);

	return c ? kmm_linux_errno(kmm_msync(c->machine, c->pid, start, len, flags))
		 : (int)kmm_linux_unbound();
}

/* ksys_mincore(): one byte per page into @vec (a host buffer; the kernel's is a user one). */
static inline int ksys_mincore(unsigned long start, size_t len, unsigned char *vec)
{
	const struct kmm_linux_current *c = kmm_linux_current("ksys_mincore", true);

	return c ? kmm_linux_errno(kmm_mincore(c->machine, c->pid, start, len, vec))
		 : (int)kmm_linux_unbound();
}

#ifdef __cplusplus
}
#endif

#endif /* KMM_LINUX_MM_H */
