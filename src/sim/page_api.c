/*
 * Public page-allocator API (include/kmm/page.h): argument checks, then the modelled kernel
 * calls in src/mm, each call one body under the API boundary (sim/api.h). Bad arguments are refused
 * with KMM_EINVAL before anything changes; misuse that needs kernel state to see (double free,
 * freeing a page in use elsewhere) is left to the kernel's own checks, which report it in the
 * kernel's words.
 */
#include <kmm/page.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "mm/gfp.h"
#include "mm/internal.h"
#include "mm/slab.h"
#include "sim/api.h"

_Static_assert(KMM_GFP_KERNEL == GFP_KERNEL && KMM_GFP_ATOMIC == GFP_ATOMIC &&
		       KMM_GFP_HIGHUSER_MOVABLE == GFP_HIGHUSER_MOVABLE &&
		       KMM_GFP_TRANSHUGE == GFP_TRANSHUGE && KMM___GFP_ACCOUNT == __GFP_ACCOUNT,
	       "public GFP values differ from the kernel's");
_Static_assert(KMM_MAX_ORDER == MAX_ORDER && (int)KMM_MIGRATE_ISOLATE == MIGRATE_ISOLATE,
	       "public allocator constants differ");

enum kmm_status kmm_gfp_parse(const char *text, kmm_gfp_t *gfp)
{
	char word[64];
	gfp_t out = 0;

	if (!text || !gfp)
		return kmm_error_nomachine(KMM_EINVAL, "kmm_gfp_parse: NULL %s",
					   !text ? "text" : "gfp");
	while (*text) {
		size_t n = strcspn(text, "|");
		gfp_t bits;
		char *end;

		if (n == 0 || n >= sizeof(word))
			return kmm_error_nomachine(KMM_EINVAL,
						   "kmm_gfp_parse: empty or too long word");
		memcpy(word, text, n);
		word[n] = 0;
		if (!gfp_from_name(word, &bits)) {
			unsigned long v = strtoul(word, &end, 0);

			if (*end || v & ~(unsigned long)GFP_KNOWN_BITS)
				return kmm_error_nomachine(
					KMM_EINVAL, "kmm_gfp_parse: unknown GFP flag '%s'", word);
			bits = (gfp_t)v;
		}
		out |= bits;
		text += n + (text[n] == '|');
	}
	*gfp = out;
	return KMM_OK;
}

const char *kmm_gfp_format(kmm_gfp_t gfp, char *buf, size_t len)
{
	if (!buf || !len)
		return "";
	return format_gfp(gfp, buf, len);
}

static enum kmm_status check_order(const struct api *a, unsigned order)
{
	if (order >= MAX_ORDER)
		return api_error(a, KMM_EINVAL, "order %u is above MAX_ORDER - 1 (%d)", order,
				 MAX_ORDER - 1);
	return KMM_OK;
}

API_BODY(alloc_pages, {
	int nid;
	kmm_gfp_t gfp;
	unsigned order;
	kmm_pfn_t *pfn;
})
{
	struct page *page;
	enum kmm_status st;

	if ((st = check_order(a, p->order)) || (st = api_check_gfp(a, p->gfp)))
		return st;
	if (!p->pfn)
		return api_error(a, KMM_EINVAL, "NULL pfn");
	if ((st = api_check_nid(a, p->nid)))
		return st;
	page = alloc_pages_node(a->k, p->nid, p->gfp, p->order);
	if (!page)
		return api_error(a, KMM_ENOMEM, "page allocation failure: order:%u, mode:%#x",
				 p->order, p->gfp);
	*p->pfn = page_to_pfn(a->k, page);
	return KMM_OK;
}

enum kmm_status kmm_alloc_pages(struct kmm_machine *m, kmm_gfp_t gfp, unsigned order,
				kmm_pfn_t *pfn)
{
	return API_CALL(m, API_BOOTED, alloc_pages, NUMA_NO_NODE, gfp, order, pfn);
}

enum kmm_status kmm_alloc_pages_node(struct kmm_machine *m, int nid, kmm_gfp_t gfp, unsigned order,
				     kmm_pfn_t *pfn)
{
	return API_CALL(m, API_BOOTED, alloc_pages, nid, gfp, order, pfn);
}

API_BODY(free_pages, {
	kmm_pfn_t pfn;
	unsigned order;
})
{
	struct kmm_kernel *k = a->k;
	kmm_pfn_t pfn = p->pfn;
	enum kmm_status st = api_check_pfn(a, pfn);

	if (st)
		return st;
	if (p->order >= MAX_ORDER)
		return api_error(a, KMM_EINVAL, "order %u is above MAX_ORDER - 1 (%d)", p->order,
				 MAX_ORDER - 1);
	if ((pfn & ((1u << p->order) - 1)) ||
	    !pfn_valid(k, (unsigned long)pfn + (1u << p->order) - 1))
		return api_error(a, KMM_EINVAL, "pfn %#llx is not the start of an order-%u block",
				 (unsigned long long)pfn, p->order);
	if (PageSlab(compound_head(pfn_to_page(k, (unsigned long)pfn))))
		return api_error(a, KMM_EINVAL,
				 "pfn %#llx is a slab page (the slab allocator owns "
				 "it: kfree or kmem_cache_free its objects)",
				 (unsigned long long)pfn);
	if (PageHead(pfn_to_page(k, (unsigned long)pfn)) &&
	    compound_order(pfn_to_page(k, (unsigned long)pfn)) != p->order)
		return api_error(a, KMM_EINVAL,
				 "pfn %#llx is an order-%u compound page, not order %u (nothing "
				 "freed)",
				 (unsigned long long)pfn,
				 compound_order(pfn_to_page(k, (unsigned long)pfn)), p->order);
	if (PageReserved(pfn_to_page(k, (unsigned long)pfn)))
		return api_error(a, KMM_EINVAL,
				 "pfn %#llx is reserved (memblock kept it; the page "
				 "allocator never handed it out)",
				 (unsigned long long)pfn);
	__free_pages(k, pfn_to_page(k, (unsigned long)pfn), p->order);
	return KMM_OK;
}

enum kmm_status kmm_free_pages(struct kmm_machine *m, kmm_pfn_t pfn, unsigned order)
{
	return API_CALL(m, API_BOOTED, free_pages, pfn, order);
}

API_BODY(get_page, { kmm_pfn_t pfn; })
{
	struct page *page;
	enum kmm_status st = api_check_pfn(a, p->pfn);

	if (st)
		return st;
	page = compound_head(pfn_to_page(a->k, (unsigned long)p->pfn));
	if (page_count(page) <= 0)
		return api_error(a, KMM_EINVAL, "pfn %#llx has no reference to share (refcount %d)",
				 (unsigned long long)p->pfn, page_count(page));
	get_page(page);
	return KMM_OK;
}

enum kmm_status kmm_get_page(struct kmm_machine *m, kmm_pfn_t pfn)
{
	return API_CALL(m, API_BOOTED, get_page, pfn);
}

API_BODY(split_page, {
	kmm_pfn_t pfn;
	unsigned order;
})
{
	struct page *page;
	enum kmm_status st = api_check_pfn(a, p->pfn);

	if (st)
		return st;
	page = pfn_to_page(a->k, (unsigned long)p->pfn);
	if (p->order >= MAX_ORDER)
		return api_error(a, KMM_EINVAL, "order %u is above MAX_ORDER - 1 (%d)", p->order,
				 MAX_ORDER - 1);
	if (p->pfn & ((1u << p->order) - 1))
		return api_error(a, KMM_EINVAL, "pfn %#llx is not aligned to order %u",
				 (unsigned long long)p->pfn, p->order);
	if (PageCompound(page))
		return api_error(a, KMM_EINVAL,
				 "pfn %#llx is part of a compound page (split_page takes a "
				 "non-compound block)",
				 (unsigned long long)p->pfn);
	if (page_count(page) <= 0)
		return api_error(a, KMM_EINVAL, "pfn %#llx is not allocated (refcount %d)",
				 (unsigned long long)p->pfn, page_count(page));
	if (!split_page(a->k, page, p->order))
		return api_error(
			a, KMM_EINVAL,
			"pfn %#llx is not an allocated order-%u block: a page inside it is "
			"free or someone else's (not split; see the report)",
			(unsigned long long)p->pfn, p->order);
	return KMM_OK;
}

enum kmm_status kmm_split_page(struct kmm_machine *m, kmm_pfn_t pfn, unsigned order)
{
	return API_CALL(m, API_BOOTED, split_page, pfn, order);
}

API_BODY(alloc_pages_bulk, {
	kmm_gfp_t gfp;
	size_t nr;
	kmm_pfn_t *pfns;
	size_t *nr_done;
})
{
	struct kmm_kernel *k = a->k;
	struct page **array;
	unsigned long done;
	enum kmm_status st;

	if ((st = api_check_gfp(a, p->gfp)))
		return st;
	if (!p->pfns || !p->nr_done)
		return api_error(a, KMM_EINVAL, "NULL %s", !p->pfns ? "pfns" : "nr_done");
	if (p->nr > INT32_MAX) /* the kernel's nr_pages is an int */
		return api_error(a, KMM_EINVAL, "%zu pages at once", p->nr);
	array = env_alloc(a->env, p->nr * sizeof(*array) + 1);
	if (!array)
		return api_error(a, KMM_EHOST, "host memory exhausted");
	for (size_t i = 0; i < p->nr; i++) {
		array[i] = NULL;
		if (p->pfns[i] && api_check_pfn(a, p->pfns[i]) == KMM_OK)
			array[i] = pfn_to_page(k, (unsigned long)p->pfns[i]);
	}
	done = alloc_pages_bulk_array(k, p->gfp, p->nr, array);
	for (size_t i = 0; i < p->nr; i++)
		p->pfns[i] = array[i] ? page_to_pfn(k, array[i]) : 0;
	env_free(a->env, array);
	*p->nr_done = done;
	return done ? KMM_OK : api_error(a, KMM_ENOMEM, "no page allocated");
}

enum kmm_status kmm_alloc_pages_bulk(struct kmm_machine *m, kmm_gfp_t gfp, size_t nr,
				     kmm_pfn_t *pfns, size_t *nr_done)
{
	return API_CALL(m, API_BOOTED, alloc_pages_bulk, gfp, nr, pfns, nr_done);
}

API_BODY(alloc_pages_exact, {
	size_t size;
	kmm_gfp_t gfp;
	kmm_va_t *va;
})
{
	enum kmm_status st = api_check_gfp(a, p->gfp);

	if (st)
		return st;
	if (!p->va)
		return api_error(a, KMM_EINVAL, "NULL va");
	if (!p->size || p->size > (PAGE_SIZE << (MAX_ORDER - 1)))
		return api_error(a, KMM_EINVAL,
				 "size %zu is outside 1 to 4 MiB (2^(MAX_ORDER - 1) pages)",
				 p->size);
	*p->va = alloc_pages_exact(a->k, p->size, p->gfp);
	return *p->va ? KMM_OK : api_error(a, KMM_ENOMEM, "allocation failure");
}

enum kmm_status kmm_alloc_pages_exact(struct kmm_machine *m, size_t size, kmm_gfp_t gfp,
				      kmm_va_t *va)
{
	return API_CALL(m, API_BOOTED, alloc_pages_exact, size, gfp, va);
}

API_BODY(free_pages_exact, {
	kmm_va_t va;
	size_t size;
})
{
	struct kmm_kernel *k = a->k;
	kmm_va_t va = p->va;

	if ((va & ~PAGE_MASK) || va < PAGE_OFFSET || !p->size ||
	    api_check_pfn(a, PHYS_PFN(__pa(k, va))) ||
	    api_check_pfn(a, PHYS_PFN(__pa(k, va + p->size - 1))))
		return api_error(a, KMM_EINVAL,
				 "%#llx + %zu is not a page-aligned linear-map range of the "
				 "memory map",
				 (unsigned long long)va, p->size);
	free_pages_exact(k, va, p->size);
	return KMM_OK;
}

enum kmm_status kmm_free_pages_exact(struct kmm_machine *m, kmm_va_t va, size_t size)
{
	return API_CALL(m, API_BOOTED, free_pages_exact, va, size);
}

static enum kmm_status check_range(const struct api *a, kmm_pfn_t start, kmm_pfn_t end)
{
	const struct kmm_kernel *k = a->k;

	if (start >= end || api_check_pfn(a, start) || api_check_pfn(a, end - 1) ||
	    page_zone(k, pfn_to_page(k, (unsigned long)start)) !=
		    page_zone(k, pfn_to_page(k, (unsigned long)end - 1)))
		return api_error(a, KMM_EINVAL, "[%#llx, %#llx) is empty or not inside one zone",
				 (unsigned long long)start, (unsigned long long)end);
	for (kmm_pfn_t pfn = start; pfn < end; pfn += PAGES_PER_SECTION)
		if (!pfn_valid(k, (unsigned long)pfn))
			return api_error(a, KMM_EINVAL, "the range crosses a hole");
	return KMM_OK;
}

API_BODY(alloc_contig_range, {
	kmm_pfn_t start, end;
	enum kmm_migratetype mt;
})
{
	enum kmm_status st = check_range(a, p->start, p->end);
	int ret;

	if (st)
		return st;
	if (p->mt != KMM_MIGRATE_MOVABLE && p->mt != KMM_MIGRATE_CMA)
		return api_error(a, KMM_EINVAL, "migratetype %d: must be MOVABLE or CMA",
				 (int)p->mt);
	ret = alloc_contig_range(a->k, (unsigned long)p->start, (unsigned long)p->end, (int)p->mt,
				 GFP_KERNEL);
	if (ret)
		return api_error(a, ret == -EBUSY ? KMM_ENOMEM : KMM_EINVAL, "%s",
				 ret == -EBUSY ? "a page of the range is in use (-EBUSY)"
					       : "the range is not inside one zone");
	return KMM_OK;
}

enum kmm_status kmm_alloc_contig_range(struct kmm_machine *m, kmm_pfn_t start, kmm_pfn_t end,
				       enum kmm_migratetype migratetype)
{
	return API_CALL(m, API_BOOTED, alloc_contig_range, start, end, migratetype);
}

API_BODY(free_contig_range, {
	kmm_pfn_t pfn;
	size_t nr;
})
{
	enum kmm_status st = check_range(a, p->pfn, p->pfn + p->nr);

	if (!st)
		free_contig_range(a->k, (unsigned long)p->pfn, p->nr);
	return st;
}

enum kmm_status kmm_free_contig_range(struct kmm_machine *m, kmm_pfn_t pfn, size_t nr)
{
	return API_CALL(m, API_BOOTED, free_contig_range, pfn, nr);
}

API_BODY(cma_alloc, {
	size_t count;
	unsigned align;
	kmm_pfn_t *pfn;
})
{
	struct page *page;

	if (!p->pfn)
		return api_error(a, KMM_EINVAL, "NULL pfn");
	if (!p->count)
		return api_error(a, KMM_EINVAL, "count 0: nothing to allocate");
	if (p->align > CMA_ALIGNMENT) /* cma_alloc would quietly use a smaller one */
		return api_error(a, KMM_EINVAL, "align order %u is above CONFIG_CMA_ALIGNMENT (%d)",
				 p->align, CMA_ALIGNMENT);
	if (!a->k->cma.count)
		return api_error(a, KMM_ENOMEM, "the machine has no CMA area");
	page = cma_alloc(a->k, p->count, p->align, false);
	if (!page)
		return api_error(a, KMM_ENOMEM, "no free run of %zu pages in the CMA area",
				 p->count);
	*p->pfn = page_to_pfn(a->k, page);
	return KMM_OK;
}

enum kmm_status kmm_cma_alloc(struct kmm_machine *m, size_t count, unsigned align, kmm_pfn_t *pfn)
{
	return API_CALL(m, API_BOOTED, cma_alloc, count, align, pfn);
}

API_BODY(cma_release, {
	kmm_pfn_t pfn;
	size_t count;
})
{
	const struct cma *cma = &a->k->cma;

	if (!p->count || p->pfn < cma->base_pfn || p->pfn + p->count > cma->base_pfn + cma->count)
		return api_error(a, KMM_EINVAL, "[%#llx, +%zu) is not inside the CMA area",
				 (unsigned long long)p->pfn, p->count);
	if (!cma_release(a->k, pfn_to_page(a->k, (unsigned long)p->pfn), p->count))
		return api_error(a, KMM_EINVAL, "refused");
	return KMM_OK;
}

enum kmm_status kmm_cma_release(struct kmm_machine *m, kmm_pfn_t pfn, size_t count)
{
	return API_CALL(m, API_BOOTED, cma_release, pfn, count);
}

API_BODY(isolate_range, {
	kmm_pfn_t start, end;
	enum kmm_migratetype mt;
	bool undo;
})
{
	enum kmm_status st = check_range(a, p->start, p->end);

	if (st)
		return st;
	if ((p->start | p->end) & (pageblock_nr_pages - 1))
		return api_error(a, KMM_EINVAL, "the range is not pageblock aligned");
	if (p->mt != KMM_MIGRATE_MOVABLE && p->mt != KMM_MIGRATE_CMA)
		return api_error(a, KMM_EINVAL, "migratetype %d: must be MOVABLE or CMA",
				 (int)p->mt);
	if (p->undo) {
		undo_isolate_page_range(a->k, (unsigned long)p->start, (unsigned long)p->end,
					(int)p->mt);
		return KMM_OK;
	}
	if (start_isolate_page_range(a->k, (unsigned long)p->start, (unsigned long)p->end,
				     (int)p->mt))
		return api_error(a, KMM_ENOMEM,
				 "a pageblock has unmovable pages or is isolated (-EBUSY)");
	return KMM_OK;
}

enum kmm_status kmm_isolate_range(struct kmm_machine *m, kmm_pfn_t start, kmm_pfn_t end,
				  enum kmm_migratetype migratetype)
{
	return API_CALL(m, API_BOOTED, isolate_range, start, end, migratetype, false);
}

enum kmm_status kmm_undo_isolate_range(struct kmm_machine *m, kmm_pfn_t start, kmm_pfn_t end,
				       enum kmm_migratetype migratetype)
{
	return API_CALL(m, API_BOOTED, isolate_range, start, end, migratetype, true);
}

API_BODY(drain_all_pages, { int unused; })
{
	drain_all_pages(a->k, NULL);
	return KMM_OK;
}

enum kmm_status kmm_drain_all_pages(struct kmm_machine *m)
{
	return API_CALL(m, API_BOOTED, drain_all_pages, 0);
}

API_BODY(page_info, {
	kmm_pfn_t pfn;
	struct kmm_page_info *info;
})
{
	struct kmm_kernel *k = a->k;
	struct kmm_page_info *info = p->info;
	const struct page *page;
	enum kmm_status st = api_check_pfn(a, p->pfn);

	if (st)
		return st;
	if (!info)
		return api_error(a, KMM_EINVAL, "NULL info");
	page = pfn_to_page(k, (unsigned long)p->pfn);
	memset(info, 0, sizeof(*info));
	info->refcount = page_ref_count(page);
	info->mapcount = PageBuddy(page) ? 0 : page->_mapcount + 1;
	info->flags = page->flags;
	info->node = page_to_nid(page);
	info->zone = page_zonenum(page);
	info->pageblock_mt = get_pageblock_migratetype(k, page);
	info->buddy = PageBuddy(page);
	info->buddy_order = PageBuddy(page) ? buddy_order(page) : 0;
	info->compound_head = PageHead(page);
	info->compound_tail = PageTail(page);
	info->compound_order = PageHead(page) ? compound_order(page) : 0;
	return KMM_OK;
}

enum kmm_status kmm_page_info(struct kmm_machine *m, kmm_pfn_t pfn, struct kmm_page_info *info)
{
	return API_CALL(m, API_BOOTED, page_info, pfn, info);
}

API_BODY(virt_to_phys, {
	kmm_va_t va;
	kmm_pa_t *pa;
})
{
	if (!p->pa)
		return api_error(a, KMM_EINVAL, "NULL pa");
	if (!virt_to_page_safe(a->k, p->va))
		return api_error(a, KMM_EINVAL, "%#llx is not a linear-map address of RAM",
				 (unsigned long long)p->va);
	*p->pa = __pa(a->k, p->va);
	return KMM_OK;
}

enum kmm_status kmm_virt_to_phys(struct kmm_machine *m, kmm_va_t va, kmm_pa_t *pa)
{
	return API_CALL(m, API_BOOTED, virt_to_phys, va, pa);
}
