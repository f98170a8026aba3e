/*
 * Public vmalloc API (include/kmm/vmalloc.h): argument checks, then the modelled kernel
 * calls in src/mm/vmalloc.c, each call one body under the API boundary (sim/api.h). Arguments no
 * kernel caller could pass (NULL outputs, unknown GFP or vm flags, a node without memory, frames
 * without a struct page, a range outside the modules and vmalloc space — the allocator would hand
 * out linear-map addresses there) are refused with KMM_EINVAL before anything changes; everything
 * else goes to the kernel, whose own checks and warnings decide (a zero size, an absurd size, a bad
 * vfree, an ioremap of RAM).
 */
#include <kmm/vmalloc.h>

#include <stdio.h>
#include <string.h>

#include "mm/vmalloc.h"
#include "sim/api.h"

_Static_assert(KMM_VMALLOC_START == VMALLOC_START && KMM_VMALLOC_END == VMALLOC_END,
	       "public vmalloc range differs from the kernel's");
_Static_assert(KMM_VM_IOREMAP == VM_IOREMAP && KMM_VM_ALLOC == VM_ALLOC && KMM_VM_MAP == VM_MAP &&
		       KMM_VM_NO_GUARD == VM_NO_GUARD &&
		       KMM_VM_ALLOW_HUGE_VMAP == VM_ALLOW_HUGE_VMAP,
	       "public vm flags differ from the kernel's");

/* The outcome of an allocating call: the VA, or why there is none. */
static enum kmm_status alloc_result(const struct api *a, size_t size, kmm_va_t got, kmm_va_t *va)
{
	*va = got;
	if (got)
		return KMM_OK;
	if (!size)
		return api_error(a, KMM_EINVAL, "size 0 (the kernel's WARN_ON_ONCE(!size))");
	return api_error(a, KMM_ENOMEM,
			 "vmalloc error: size %zu: no pages or no room in the vmalloc range", size);
}

API_BODY(vmalloc, {
	size_t size;
	uint64_t align;
	kmm_va_t start, end;
	kmm_gfp_t gfp;
	unsigned long vm_flags;
	int node;
	kmm_va_t *va;
})
{
	enum kmm_status st;

	if (!p->va)
		return api_error(a, KMM_EINVAL, "NULL va");
	*p->va = 0;
	if ((st = api_check_gfp(a, p->gfp)) || (st = api_check_nid(a, p->node)))
		return st;
	if (!p->align || (p->align & (p->align - 1)))
		return api_error(a, KMM_EINVAL, "alignment %#llx is not a power of two",
				 (unsigned long long)p->align);
	if (p->vm_flags & ~(VM_NO_GUARD | VM_ALLOW_HUGE_VMAP))
		return api_error(a, KMM_EINVAL,
				 "vm flags %#lx: only KMM_VM_NO_GUARD and "
				 "KMM_VM_ALLOW_HUGE_VMAP are accepted",
				 p->vm_flags);
	if (p->start >= p->end || p->start < MODULES_VADDR || p->end > VMALLOC_END)
		return api_error(a, KMM_EINVAL,
				 "range [%#llx, %#llx) is empty or leaves the modules and vmalloc "
				 "space [%#lx, %#lx)",
				 (unsigned long long)p->start, (unsigned long long)p->end,
				 MODULES_VADDR, VMALLOC_END);
	return alloc_result(a, p->size,
			    __vmalloc_node_range(a->k, p->size, p->align, p->start, p->end, p->gfp,
						 PAGE_KERNEL, p->vm_flags, p->node, a->fn),
			    p->va);
}

enum kmm_status kmm_vmalloc(struct kmm_machine *m, size_t size, kmm_va_t *va)
{
	return API_CALL(m, API_VMALLOC, vmalloc, size, 1, VMALLOC_START, VMALLOC_END, GFP_KERNEL, 0,
			NUMA_NO_NODE, va);
}

enum kmm_status kmm_vzalloc(struct kmm_machine *m, size_t size, kmm_va_t *va)
{
	return API_CALL(m, API_VMALLOC, vmalloc, size, 1, VMALLOC_START, VMALLOC_END,
			GFP_KERNEL | __GFP_ZERO, 0, NUMA_NO_NODE, va);
}

enum kmm_status kmm_vmalloc_node(struct kmm_machine *m, size_t size, int node, kmm_va_t *va)
{
	return API_CALL(m, API_VMALLOC, vmalloc, size, 1, VMALLOC_START, VMALLOC_END, GFP_KERNEL, 0,
			node, va);
}

enum kmm_status kmm_vmalloc_huge(struct kmm_machine *m, size_t size, kmm_gfp_t gfp, kmm_va_t *va)
{
	return API_CALL(m, API_VMALLOC, vmalloc, size, 1, VMALLOC_START, VMALLOC_END, gfp,
			VM_ALLOW_HUGE_VMAP, NUMA_NO_NODE, va);
}

enum kmm_status kmm_vmalloc_node_range(struct kmm_machine *m, size_t size, uint64_t align,
				       kmm_va_t start, kmm_va_t end, kmm_gfp_t gfp,
				       unsigned long vm_flags, int node, kmm_va_t *va)
{
	return API_CALL(m, API_VMALLOC, vmalloc, size, align, start, end, gfp, vm_flags, node, va);
}

/* vfree/vunmap/iounmap: the kernel decides what a bad address means (its warnings). */
API_BODY(vfree, {
	kmm_va_t va;
	void (*unmap)(struct kmm_kernel * k, kmm_va_t va);
})
{
	p->unmap(a->k, p->va);
	return KMM_OK;
}

enum kmm_status kmm_vfree(struct kmm_machine *m, kmm_va_t va)
{
	return API_CALL(m, API_VMALLOC, vfree, va, vfree);
}

enum kmm_status kmm_vunmap(struct kmm_machine *m, kmm_va_t va)
{
	return API_CALL(m, API_VMALLOC, vfree, va, vunmap);
}

enum kmm_status kmm_iounmap(struct kmm_machine *m, kmm_va_t va)
{
	return API_CALL(m, API_VMALLOC, vfree, va, iounmap);
}

API_BODY(vmap, {
	const kmm_pfn_t *pfns;
	unsigned count;
	kmm_va_t *va;
})
{
	struct kmm_kernel *k = a->k;
	struct page **pages;

	if (!p->va || (!p->pfns && p->count))
		return api_error(a, KMM_EINVAL, "NULL %s", !p->va ? "va" : "pfns");
	*p->va = 0;
	for (unsigned i = 0; i < p->count; i++) {
		if (p->pfns[i] > ULONG_MAX || !pfn_valid(k, (unsigned long)p->pfns[i]))
			return api_error(a, KMM_EINVAL, "pfn %#llx has no struct page",
					 (unsigned long long)p->pfns[i]);
	}
	pages = env_alloc(a->env, (p->count ? p->count : 1) * sizeof(*pages));
	if (!pages)
		return api_error(a, KMM_EHOST, "host memory exhausted");
	for (unsigned i = 0; i < p->count; i++)
		pages[i] = pfn_to_page(k, (unsigned long)p->pfns[i]);
	*p->va = vmap(k, pages, p->count, VM_MAP, PAGE_KERNEL, a->fn);
	env_free(a->env, pages);
	if (!*p->va)
		return api_error(a, p->count ? KMM_ENOMEM : KMM_EINVAL, "count %u: %s", p->count,
				 p->count ? "no room in the vmalloc range or no page-table page"
					  : "nothing to map");
	return KMM_OK;
}

enum kmm_status kmm_vmap(struct kmm_machine *m, const kmm_pfn_t *pfns, unsigned count, kmm_va_t *va)
{
	return API_CALL(m, API_VMALLOC, vmap, pfns, count, va);
}

API_BODY(ioremap, {
	kmm_pa_t pa;
	size_t size;
	kmm_va_t *va;
})
{
	kmm_pa_t pa = p->pa;
	size_t size = p->size;

	if (!p->va)
		return api_error(a, KMM_EINVAL, "NULL va");
	*p->va = ioremap(a->k, pa, size, a->fn);
	if (*p->va)
		return KMM_OK;
	if (!size)
		return api_error(a, KMM_EINVAL, "pa %#llx size 0: the range is empty",
				 (unsigned long long)pa);
	if (pa + size - 1 < pa || ((pa + size - 1) & ~PHYS_MASK))
		return api_error(a, KMM_EINVAL,
				 "[%#llx, +%#zx) goes beyond the 48-bit physical address space",
				 (unsigned long long)pa, size);
	if (memblock_is_map_memory(&a->k->memblock, pa & PAGE_MASK))
		return api_error(a, KMM_EINVAL, "%#llx is RAM (ioremap_allowed: pfn_is_map_memory)",
				 (unsigned long long)pa);
	return api_error(a, KMM_ENOMEM, "no room or no page-table page");
}

enum kmm_status kmm_ioremap(struct kmm_machine *m, kmm_pa_t pa, size_t size, kmm_va_t *va)
{
	return API_CALL(m, API_VMALLOC, ioremap, pa, size, va);
}

API_BODY(vmalloc_to_pfn, {
	kmm_va_t va;
	kmm_pfn_t *pfn;
})
{
	struct page *page;

	if (!p->pfn)
		return api_error(a, KMM_EINVAL, "NULL pfn");
	page = vmalloc_to_page(a->k, p->va);
	if (!page)
		return api_error(a, KMM_ENOENT, "nothing is mapped at %#llx",
				 (unsigned long long)p->va);
	*p->pfn = page_to_pfn(a->k, page);
	return KMM_OK;
}

enum kmm_status kmm_vmalloc_to_pfn(struct kmm_machine *m, kmm_va_t va, kmm_pfn_t *pfn)
{
	return API_CALL(m, API_VMALLOC, vmalloc_to_pfn, va, pfn);
}

bool kmm_is_vmalloc_addr(kmm_va_t va)
{
	return is_vmalloc_addr(va);
}

API_BODY(find_vm_area, {
	kmm_va_t va;
	struct kmm_vm_area *out;
})
{
	const struct vm_struct *vm;
	struct kmm_vm_area *out = p->out;

	if (!out)
		return api_error(a, KMM_EINVAL, "NULL out");
	vm = find_vm_area(a->k, p->va);
	if (!vm)
		return api_error(a, KMM_ENOENT, "no area holds %#llx", (unsigned long long)p->va);
	*out = (struct kmm_vm_area){.addr = vm->addr,
				    .size = vm->size,
				    .flags = vm->flags,
				    .nr_pages = vm->nr_pages,
				    .page_order = vm->page_order,
				    .phys_addr = vm->phys_addr};
	snprintf(out->caller, sizeof(out->caller), "%s", vm->caller ? vm->caller : "");
	return KMM_OK;
}

enum kmm_status kmm_find_vm_area(struct kmm_machine *m, kmm_va_t va, struct kmm_vm_area *out)
{
	return API_CALL(m, API_VMALLOC, find_vm_area, va, out);
}

API_BODY(vm_unmap_aliases, { int unused; })
{
	vm_unmap_aliases(a->k);
	return KMM_OK;
}

enum kmm_status kmm_vm_unmap_aliases(struct kmm_machine *m)
{
	return API_CALL(m, API_VMALLOC, vm_unmap_aliases, 0);
}

static void count_area(void *arg, unsigned long start, unsigned long end,
		       const struct vm_struct *vm)
{
	(*(uint64_t *)arg)++;
}

API_BODY(vmalloc_stats, { struct kmm_vmalloc_stats *out; })
{
	struct kmm_kernel *k = a->k;
	struct kmm_vmalloc_stats *out = p->out;
	const struct vmap_stats *s;

	if (!out)
		return api_error(a, KMM_EINVAL, "NULL out");
	s = vmap_stats(k);
	*out = (struct kmm_vmalloc_stats){.lazy_pages = vmap_lazy_nr(k),
					  .lazy_max_pages = lazy_max_pages(k),
					  .vmalloc_pages = vmalloc_nr_pages(k),
					  .purges = s->purges,
					  .purged_areas = s->purged_areas,
					  .tlb_flush_range = k->tlbflush.kernel_range,
					  .tlb_flush_all = k->tlbflush.all,
					  .overflow_purges = s->overflow_purges,
					  .pgtable_pages = s->pgtable_pages,
					  .huge_mappings = s->huge_mappings};
	memcpy(out->fit, s->fit, sizeof(out->fit));
	vmap_for_each_area(k, VMAP_BUSY, count_area, &out->busy_areas);
	vmap_for_each_area(k, VMAP_FREE, count_area, &out->free_areas);
	vmap_for_each_area(k, VMAP_PURGE, count_area, &out->purge_areas);
	return KMM_OK;
}

enum kmm_status kmm_vmalloc_stats(struct kmm_machine *m, struct kmm_vmalloc_stats *out)
{
	return API_CALL(m, API_VMALLOC, vmalloc_stats, out);
}
