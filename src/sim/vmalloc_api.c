/*
 * Public vmalloc API (include/kmm/vmalloc.h): argument checks, then the modelled kernel
 * calls in src/mm/vmalloc.c. Arguments no kernel caller could pass (NULL outputs, unknown
 * GFP or vm flags, a node without memory, frames without a struct page, a range outside the
 * modules and vmalloc space — the allocator would hand out linear-map addresses there) are
 * refused with KMM_EINVAL before anything changes; everything else goes to the kernel, whose
 * own checks and warnings decide (a zero size, an absurd size, a bad vfree, an ioremap of
 * RAM).
 */
#include <kmm/vmalloc.h>

#include <stdio.h>
#include <string.h>

#include "mm/vmalloc.h"
#include "sim/api_checks.h"
#include "sim/machine.h"

_Static_assert(KMM_VMALLOC_START == VMALLOC_START && KMM_VMALLOC_END == VMALLOC_END,
	       "public vmalloc range differs from the kernel's");
_Static_assert(KMM_VM_IOREMAP == VM_IOREMAP && KMM_VM_ALLOC == VM_ALLOC && KMM_VM_MAP == VM_MAP &&
		       KMM_VM_NO_GUARD == VM_NO_GUARD &&
		       KMM_VM_ALLOW_HUGE_VMAP == VM_ALLOW_HUGE_VMAP,
	       "public vm flags differ from the kernel's");

static enum kmm_status api_kernel(struct kmm_machine *m, const char *fn, struct kmm_kernel **k)
{
	if (!m)
		return kmm_error_nomachine(KMM_EINVAL, "%s: NULL machine", fn);
	if (m->env.dead)
		return env_error(&m->env, KMM_EDEAD, "%s: machine is dead: only inspect or destroy",
				 fn);
	if (!m->kernel.booted || !m->kernel.vmap)
		return env_error(&m->env, KMM_EINVAL, "%s: the machine has no booted kernel", fn);
	*k = &m->kernel;
	return KMM_OK;
}

/*
 * Every call into the kernel goes through vm_kernel_call(), which arms the BUG unwind (a BUG
 * inside makes it return KMM_EBUG): arguments in and the VA out through the struct, so no
 * local of an API function is live across the setjmp.
 */
enum vm_op { VC_VMALLOC, VC_VFREE, VC_VUNMAP, VC_IOUNMAP, VC_VMAP, VC_IOREMAP, VC_PURGE };

struct vm_call {
	enum vm_op op;
	unsigned long size, align, start, end, vm_flags;
	gfp_t gfp;
	int node;
	const char *caller;
	struct page **pages;
	unsigned int count;
	phys_addr_t pa;
	kmm_va_t va; /* in for frees, out for the rest */
};

static void vm_call_run(struct kmm_kernel *k, void *arg)
{
	struct vm_call *c = arg;

	switch (c->op) {
	case VC_VMALLOC:
		c->va = __vmalloc_node_range(k, c->size, c->align, c->start, c->end, c->gfp,
					     PAGE_KERNEL, c->vm_flags, c->node, c->caller);
		break;
	case VC_VFREE:
		vfree(k, c->va);
		break;
	case VC_VUNMAP:
		vunmap(k, c->va);
		break;
	case VC_IOUNMAP:
		iounmap(k, c->va);
		break;
	case VC_VMAP:
		c->va = vmap(k, c->pages, c->count, VM_MAP, PAGE_KERNEL, c->caller);
		break;
	case VC_IOREMAP:
		c->va = ioremap(k, c->pa, c->size, c->caller);
		break;
	case VC_PURGE:
		vm_unmap_aliases(k);
		break;
	}
}

static enum kmm_status vm_kernel_call(struct kmm_kernel *k, struct vm_call *c)
{
	return api_kernel_call(k, vm_call_run, c);
}

/* The outcome of an allocating call: the VA, or why there is none. */
static enum kmm_status alloc_result(struct kmm_kernel *k, const char *fn, size_t size, kmm_va_t got,
				    kmm_va_t *va)
{
	*va = got;
	if (got)
		return KMM_OK;
	if (!size)
		return env_error(k->env, KMM_EINVAL,
				 "%s: size 0 (the kernel's WARN_ON_ONCE(!size))", fn);
	return env_error(k->env, KMM_ENOMEM,
			 "%s: vmalloc error: size %zu: no pages or no room in the vmalloc range",
			 fn, size);
}

static enum kmm_status vmalloc_common(struct kmm_machine *m, const char *fn, size_t size,
				      uint64_t align, kmm_va_t start, kmm_va_t end, kmm_gfp_t gfp,
				      unsigned long vm_flags, int node, kmm_va_t *va)
{
	struct vm_call c = {.op = VC_VMALLOC,
			    .size = size,
			    .align = align,
			    .start = start,
			    .end = end,
			    .vm_flags = vm_flags,
			    .gfp = gfp,
			    .node = node,
			    .caller = fn};
	struct kmm_kernel *k = NULL;
	enum kmm_status st = api_kernel(m, fn, &k);

	if (st)
		return st;
	if (!va)
		return env_error(k->env, KMM_EINVAL, "%s: NULL va", fn);
	*va = 0;
	if ((st = api_check_gfp(k, fn, gfp)) || (st = api_check_nid(k, fn, node)))
		return st;
	if (!align || (align & (align - 1)))
		return env_error(k->env, KMM_EINVAL, "%s: alignment %#llx is not a power of two",
				 fn, (unsigned long long)align);
	if (vm_flags & ~(VM_NO_GUARD | VM_ALLOW_HUGE_VMAP))
		return env_error(k->env, KMM_EINVAL,
				 "%s: vm flags %#lx: only KMM_VM_NO_GUARD and "
				 "KMM_VM_ALLOW_HUGE_VMAP are accepted",
				 fn, vm_flags);
	if (start >= end || start < MODULES_VADDR || end > VMALLOC_END)
		return env_error(
			k->env, KMM_EINVAL,
			"%s: range [%#llx, %#llx) is empty or leaves the modules and vmalloc "
			"space [%#lx, %#lx)",
			fn, (unsigned long long)start, (unsigned long long)end, MODULES_VADDR,
			VMALLOC_END);
	st = vm_kernel_call(k, &c);
	if (st)
		return st;
	return alloc_result(k, fn, size, c.va, va);
}

enum kmm_status kmm_vmalloc(struct kmm_machine *m, size_t size, kmm_va_t *va)
{
	return vmalloc_common(m, "kmm_vmalloc", size, 1, VMALLOC_START, VMALLOC_END, GFP_KERNEL, 0,
			      NUMA_NO_NODE, va);
}

enum kmm_status kmm_vzalloc(struct kmm_machine *m, size_t size, kmm_va_t *va)
{
	return vmalloc_common(m, "kmm_vzalloc", size, 1, VMALLOC_START, VMALLOC_END,
			      GFP_KERNEL | __GFP_ZERO, 0, NUMA_NO_NODE, va);
}

enum kmm_status kmm_vmalloc_node(struct kmm_machine *m, size_t size, int node, kmm_va_t *va)
{
	return vmalloc_common(m, "kmm_vmalloc_node", size, 1, VMALLOC_START, VMALLOC_END,
			      GFP_KERNEL, 0, node, va);
}

enum kmm_status kmm_vmalloc_huge(struct kmm_machine *m, size_t size, kmm_gfp_t gfp, kmm_va_t *va)
{
	return vmalloc_common(m, "kmm_vmalloc_huge", size, 1, VMALLOC_START, VMALLOC_END, gfp,
			      VM_ALLOW_HUGE_VMAP, NUMA_NO_NODE, va);
}

enum kmm_status kmm_vmalloc_node_range(struct kmm_machine *m, size_t size, uint64_t align,
				       kmm_va_t start, kmm_va_t end, kmm_gfp_t gfp,
				       unsigned long vm_flags, int node, kmm_va_t *va)
{
	return vmalloc_common(m, "kmm_vmalloc_node_range", size, align, start, end, gfp, vm_flags,
			      node, va);
}

/* vfree/vunmap/iounmap: the kernel decides what a bad address means (its warnings). */
static enum kmm_status free_common(struct kmm_machine *m, const char *fn, kmm_va_t va,
				   enum vm_op op)
{
	struct vm_call c = {.op = op, .va = va};
	struct kmm_kernel *k = NULL;
	enum kmm_status st = api_kernel(m, fn, &k);

	return st ? st : vm_kernel_call(k, &c);
}

enum kmm_status kmm_vfree(struct kmm_machine *m, kmm_va_t va)
{
	return free_common(m, "kmm_vfree", va, VC_VFREE);
}

enum kmm_status kmm_vunmap(struct kmm_machine *m, kmm_va_t va)
{
	return free_common(m, "kmm_vunmap", va, VC_VUNMAP);
}

enum kmm_status kmm_iounmap(struct kmm_machine *m, kmm_va_t va)
{
	return free_common(m, "kmm_iounmap", va, VC_IOUNMAP);
}

enum kmm_status kmm_vmap(struct kmm_machine *m, const kmm_pfn_t *pfns, unsigned count, kmm_va_t *va)
{
	struct vm_call c = {.op = VC_VMAP, .count = count, .caller = "kmm_vmap"};
	struct kmm_kernel *k = NULL;
	enum kmm_status st = api_kernel(m, "kmm_vmap", &k);

	if (st)
		return st;
	if (!va || (!pfns && count))
		return env_error(k->env, KMM_EINVAL, "kmm_vmap: NULL argument");
	*va = 0;
	for (unsigned i = 0; i < count; i++) {
		if (pfns[i] > ULONG_MAX || !pfn_valid(k, (unsigned long)pfns[i]))
			return env_error(k->env, KMM_EINVAL,
					 "kmm_vmap: pfn %#llx has no struct page",
					 (unsigned long long)pfns[i]);
	}
	c.pages = env_alloc(k->env, (count ? count : 1) * sizeof(*c.pages));
	if (!c.pages)
		return env_error(k->env, KMM_EHOST, "kmm_vmap: host memory exhausted");
	for (unsigned i = 0; i < count; i++)
		c.pages[i] = pfn_to_page(k, (unsigned long)pfns[i]);
	st = vm_kernel_call(k, &c);
	env_free(k->env, c.pages);
	if (st)
		return st;
	*va = c.va;
	if (!c.va)
		return env_error(k->env, count ? KMM_ENOMEM : KMM_EINVAL, "kmm_vmap: %u pages: %s",
				 count,
				 count ? "no room in the vmalloc range or no page-table page"
				       : "nothing to map");
	return KMM_OK;
}

enum kmm_status kmm_ioremap(struct kmm_machine *m, kmm_pa_t pa, size_t size, kmm_va_t *va)
{
	struct vm_call c = {.op = VC_IOREMAP, .pa = pa, .size = size, .caller = "kmm_ioremap"};
	struct kmm_kernel *k = NULL;
	enum kmm_status st = api_kernel(m, "kmm_ioremap", &k);

	if (st)
		return st;
	if (!va)
		return env_error(k->env, KMM_EINVAL, "kmm_ioremap: NULL va");
	st = vm_kernel_call(k, &c);
	if (st)
		return st;
	*va = c.va;
	if (c.va)
		return KMM_OK;
	if (!size || pa + size - 1 < pa || ((pa + size - 1) & ~PHYS_MASK))
		return env_error(k->env, KMM_EINVAL,
				 "kmm_ioremap: [%#llx, +%#zx) is empty, wraps or is beyond the "
				 "48-bit physical address space",
				 (unsigned long long)pa, size);
	if (memblock_is_map_memory(&k->memblock, pa & PAGE_MASK))
		return env_error(k->env, KMM_EINVAL,
				 "kmm_ioremap: %#llx is RAM (ioremap_allowed: pfn_is_map_memory)",
				 (unsigned long long)pa);
	return env_error(k->env, KMM_ENOMEM, "kmm_ioremap: no room or no page-table page");
}

enum kmm_status kmm_vmalloc_to_pfn(struct kmm_machine *m, kmm_va_t va, kmm_pfn_t *pfn)
{
	struct kmm_kernel *k = NULL;
	enum kmm_status st = api_kernel(m, "kmm_vmalloc_to_pfn", &k);
	struct page *page;

	if (st)
		return st;
	if (!pfn)
		return env_error(k->env, KMM_EINVAL, "kmm_vmalloc_to_pfn: NULL pfn");
	page = vmalloc_to_page(k, va);
	if (!page)
		return env_error(k->env, KMM_ENOENT,
				 "kmm_vmalloc_to_pfn: nothing is mapped at %#llx",
				 (unsigned long long)va);
	*pfn = page_to_pfn(k, page);
	return KMM_OK;
}

bool kmm_is_vmalloc_addr(kmm_va_t va)
{
	return is_vmalloc_addr(va);
}

enum kmm_status kmm_find_vm_area(struct kmm_machine *m, kmm_va_t va, struct kmm_vm_area *out)
{
	struct kmm_kernel *k = NULL;
	enum kmm_status st = api_kernel(m, "kmm_find_vm_area", &k);
	const struct vm_struct *vm;

	if (st)
		return st;
	if (!out)
		return env_error(k->env, KMM_EINVAL, "kmm_find_vm_area: NULL out");
	vm = find_vm_area(k, va);
	if (!vm)
		return env_error(k->env, KMM_ENOENT, "kmm_find_vm_area: no area holds %#llx",
				 (unsigned long long)va);
	*out = (struct kmm_vm_area){.addr = vm->addr,
				    .size = vm->size,
				    .flags = vm->flags,
				    .nr_pages = vm->nr_pages,
				    .page_order = vm->page_order,
				    .phys_addr = vm->phys_addr};
	snprintf(out->caller, sizeof(out->caller), "%s", vm->caller ? vm->caller : "");
	return KMM_OK;
}

enum kmm_status kmm_vm_unmap_aliases(struct kmm_machine *m)
{
	struct vm_call c = {.op = VC_PURGE};
	struct kmm_kernel *k = NULL;
	enum kmm_status st = api_kernel(m, "kmm_vm_unmap_aliases", &k);

	return st ? st : vm_kernel_call(k, &c);
}

static void count_area(void *arg, unsigned long start, unsigned long end,
		       const struct vm_struct *vm)
{
	(*(uint64_t *)arg)++;
}

enum kmm_status kmm_vmalloc_stats(struct kmm_machine *m, struct kmm_vmalloc_stats *out)
{
	struct kmm_kernel *k = NULL;
	enum kmm_status st = api_kernel(m, "kmm_vmalloc_stats", &k);
	const struct vmap_stats *s;

	if (st)
		return st;
	if (!out)
		return env_error(k->env, KMM_EINVAL, "kmm_vmalloc_stats: NULL out");
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
