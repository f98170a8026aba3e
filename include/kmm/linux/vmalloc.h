/*
 * libkmm compat: vmalloc by the kernel's names (include/linux/vmalloc.h) over the machine
 * bound to this thread. Deviation: a vmalloc area is virtually contiguous only in the
 * simulated kernel's page tables, so the pointer returned is the simulated vmalloc address,
 * not host memory: never dereference it; reach its bytes page by page with
 * page_address(vmalloc_to_page(addr + i * PAGE_SIZE)).
 */
#ifndef KMM_LINUX_VMALLOC_H
#define KMM_LINUX_VMALLOC_H

#include <kmm/linux/compat.h>
#include <kmm/linux/gfp.h>

#ifdef __cplusplus
extern "C" {
#endif

#define VMALLOC_START KMM_VMALLOC_START
#define VMALLOC_END   KMM_VMALLOC_END

static inline void *kmm_linux_vmalloc(const char *fn, size_t size, int node, bool zero)
{
	const struct kmm_linux_current *c = kmm_linux_current(fn, false);
	kmm_va_t va;
	enum kmm_status st;

	if (!c)
		return NULL;
	if (node >= 0)
		st = kmm_vmalloc_node(c->machine, size, node, &va);
	else
		st = zero ? kmm_vzalloc(c->machine, size, &va) : kmm_vmalloc(c->machine, size, &va);
	return st ? NULL : (void *)(uintptr_t)va;
}

static inline void *vmalloc(unsigned long size)
{
	return kmm_linux_vmalloc("vmalloc", size, -1, false);
}

static inline void *vzalloc(unsigned long size)
{
	return kmm_linux_vmalloc("vzalloc", size, -1, true);
}

static inline void *vmalloc_node(unsigned long size, int node)
{
	return kmm_linux_vmalloc("vmalloc_node", size, node, false);
}

static inline void vfree(const void *addr)
{
	const struct kmm_linux_current *c = kmm_linux_current("vfree", false);

	if (c && addr)
		kmm_vfree(c->machine, (kmm_va_t)(uintptr_t)addr);
}

static inline bool is_vmalloc_addr(const void *x)
{
	return kmm_is_vmalloc_addr((kmm_va_t)(uintptr_t)x);
}

static inline unsigned long vmalloc_to_pfn(const void *addr)
{
	const struct kmm_linux_current *c = kmm_linux_current("vmalloc_to_pfn", false);
	kmm_pfn_t pfn;

	if (!c || kmm_vmalloc_to_pfn(c->machine, (kmm_va_t)(uintptr_t)addr, &pfn) != KMM_OK)
		return 0;
	return pfn;
}

/* vmalloc_to_page(): the frame mapped at @addr, or NULL. */
static inline struct page *vmalloc_to_page(const void *addr)
{
	unsigned long pfn = vmalloc_to_pfn(addr);

	return pfn ? pfn_to_page(pfn) : NULL;
}

#ifdef __cplusplus
}
#endif

#endif /* KMM_LINUX_VMALLOC_H */
