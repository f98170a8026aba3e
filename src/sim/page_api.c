/*
 * Public page-allocator API (include/kmm/page.h): argument checks, then the modelled kernel
 * calls in src/mm. Bad arguments are refused with KMM_EINVAL before anything changes;
 * misuse that needs kernel state to see (double free, freeing a page in use elsewhere) is
 * left to the kernel's own checks, which report it in the kernel's words.
 */
#include <kmm/page.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "mm/gfp.h"
#include "mm/internal.h"
#include "sim/api_checks.h"
#include "sim/machine.h"

_Static_assert(KMM_GFP_KERNEL == GFP_KERNEL && KMM_GFP_ATOMIC == GFP_ATOMIC &&
		       KMM_GFP_HIGHUSER_MOVABLE == GFP_HIGHUSER_MOVABLE &&
		       KMM_GFP_TRANSHUGE == GFP_TRANSHUGE && KMM___GFP_ACCOUNT == __GFP_ACCOUNT,
	       "public GFP values differ from the kernel's");
_Static_assert(KMM_MAX_ORDER == MAX_ORDER && (int)KMM_MIGRATE_ISOLATE == MIGRATE_ISOLATE,
	       "public allocator constants differ");

/* The booted kernel of @m, or an error naming @fn. */
static enum kmm_status api_kernel(struct kmm_machine *m, const char *fn, struct kmm_kernel **k)
{
	if (!m)
		return kmm_error_nomachine(KMM_EINVAL, "%s: NULL machine", fn);
	if (m->env.dead)
		return env_error(&m->env, KMM_EDEAD, "%s: machine is dead: only inspect or destroy",
				 fn);
	if (!m->kernel.booted)
		return env_error(&m->env, KMM_EINVAL, "%s: the machine has no booted kernel", fn);
	*k = &m->kernel;
	return KMM_OK;
}

static enum kmm_status check_gfp_order(struct kmm_kernel *k, const char *fn, kmm_gfp_t gfp,
				       unsigned order)
{
	if (order >= MAX_ORDER)
		return env_error(k->env, KMM_EINVAL, "%s: order %u is above MAX_ORDER - 1 (%d)", fn,
				 order, MAX_ORDER - 1);
	return api_check_gfp(k, fn, gfp);
}

/* A PFN with a struct page in a zone. */
static enum kmm_status check_pfn(struct kmm_kernel *k, const char *fn, kmm_pfn_t pfn)
{
	if (pfn > ULONG_MAX || !pfn_valid(k, (unsigned long)pfn))
		return env_error(k->env, KMM_EINVAL, "%s: pfn %#llx has no struct page", fn,
				 (unsigned long long)pfn);
	if (!page_zone(k, pfn_to_page(k, (unsigned long)pfn))->initialized)
		return env_error(k->env, KMM_EINVAL, "%s: pfn %#llx is in no zone", fn,
				 (unsigned long long)pfn);
	return KMM_OK;
}

/*
 * One kernel operation, run inside the API boundary: a kernel BUG during it unwinds to
 * kernel_call(), which returns KMM_EBUG. Arguments in, results out, through the struct (no
 * local of the API function is live across the setjmp).
 */
enum kcall_op {
	KC_ALLOC,
	KC_FREE,
	KC_BULK,
	KC_EXACT,
	KC_FREE_EXACT,
	KC_CONTIG,
	KC_FREE_CONTIG,
	KC_CMA,
	KC_CMA_RELEASE,
	KC_ISOLATE,
	KC_UNDO_ISOLATE,
};

struct kcall {
	enum kcall_op op;
	int nid, mt;
	gfp_t gfp;
	unsigned order;
	unsigned long pfn, end, nr;
	uint64_t va;
	struct page **array;
	/* results */
	struct page *page;
	unsigned long done;
	int ret;
};

static void kcall_run(struct kmm_kernel *k, void *arg)
{
	struct kcall *c = arg;

	switch (c->op) {
	case KC_ALLOC:
		c->page = alloc_pages_node(k, c->nid, c->gfp, c->order);
		break;
	case KC_FREE:
		__free_pages(k, pfn_to_page(k, c->pfn), c->order);
		break;
	case KC_BULK:
		c->done = alloc_pages_bulk_array(k, c->gfp, c->nr, c->array);
		break;
	case KC_EXACT:
		c->va = alloc_pages_exact(k, c->nr, c->gfp);
		break;
	case KC_FREE_EXACT:
		free_pages_exact(k, c->va, c->nr);
		break;
	case KC_CONTIG:
		c->ret = alloc_contig_range(k, c->pfn, c->end, c->mt, GFP_KERNEL);
		break;
	case KC_FREE_CONTIG:
		free_contig_range(k, c->pfn, c->nr);
		break;
	case KC_CMA:
		c->page = cma_alloc(k, c->nr, c->order, false);
		break;
	case KC_CMA_RELEASE:
		c->ret = cma_release(k, pfn_to_page(k, c->pfn), c->nr) ? 0 : -EINVAL;
		break;
	case KC_ISOLATE:
		c->ret = start_isolate_page_range(k, c->pfn, c->end, c->mt);
		break;
	case KC_UNDO_ISOLATE:
		undo_isolate_page_range(k, c->pfn, c->end, c->mt);
		break;
	}
}

static enum kmm_status kernel_call(struct kmm_machine *m, struct kcall *c)
{
	return api_kernel_call(&m->kernel, kcall_run, c);
}

enum kmm_status kmm_gfp_parse(const char *text, kmm_gfp_t *gfp)
{
	char word[64];
	gfp_t out = 0;

	if (!text || !gfp)
		return kmm_error_nomachine(KMM_EINVAL, "kmm_gfp_parse: NULL argument");
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

enum kmm_status kmm_cpu_set(struct kmm_machine *m, unsigned cpu)
{
	if (!m)
		return kmm_error_nomachine(KMM_EINVAL, "kmm_cpu_set: NULL machine");
	if (cpu >= m->hw.nr_cpus)
		return env_error(&m->env, KMM_EINVAL,
				 "kmm_cpu_set: CPU %u does not exist (%u CPUs)", cpu,
				 m->hw.nr_cpus);
	m->env.cur_cpu = (int)cpu;
	return KMM_OK;
}

static enum kmm_status alloc_common(struct kmm_machine *m, const char *fn, int nid, kmm_gfp_t gfp,
				    unsigned order, kmm_pfn_t *pfn)
{
	struct kcall c;
	struct kmm_kernel *k = NULL;
	struct page *page;
	enum kmm_status st = api_kernel(m, fn, &k);

	if (st)
		return st;
	if ((st = check_gfp_order(k, fn, gfp, order)))
		return st;
	if (!pfn)
		return env_error(k->env, KMM_EINVAL, "%s: NULL pfn", fn);
	if ((st = api_check_nid(k, fn, nid)))
		return st;
	c = (struct kcall){.op = KC_ALLOC, .nid = nid, .gfp = gfp, .order = order};
	if ((st = kernel_call(m, &c)))
		return st;
	page = c.page;
	if (!page)
		return env_error(k->env, KMM_ENOMEM,
				 "%s: page allocation failure: order:%u, mode:%#x", fn, order, gfp);
	*pfn = page_to_pfn(k, page);
	return KMM_OK;
}

enum kmm_status kmm_alloc_pages(struct kmm_machine *m, kmm_gfp_t gfp, unsigned order,
				kmm_pfn_t *pfn)
{
	return alloc_common(m, "kmm_alloc_pages", NUMA_NO_NODE, gfp, order, pfn);
}

enum kmm_status kmm_alloc_pages_node(struct kmm_machine *m, int nid, kmm_gfp_t gfp, unsigned order,
				     kmm_pfn_t *pfn)
{
	return alloc_common(m, "kmm_alloc_pages_node", nid, gfp, order, pfn);
}

enum kmm_status kmm_free_pages(struct kmm_machine *m, kmm_pfn_t pfn, unsigned order)
{
	struct kmm_kernel *k = NULL;
	enum kmm_status st = api_kernel(m, "kmm_free_pages", &k);

	if (st || (st = check_pfn(k, "kmm_free_pages", pfn)))
		return st;
	if (order >= MAX_ORDER)
		return env_error(k->env, KMM_EINVAL, "kmm_free_pages: order %u is above %d", order,
				 MAX_ORDER - 1);
	if ((pfn & ((1u << order) - 1)) || !pfn_valid(k, (unsigned long)pfn + (1u << order) - 1))
		return env_error(k->env, KMM_EINVAL,
				 "kmm_free_pages: pfn %#llx is not the start of an order-%u block",
				 (unsigned long long)pfn, order);
	if (PageSlab(compound_head(pfn_to_page(k, (unsigned long)pfn))))
		return env_error(
			k->env, KMM_EINVAL,
			"kmm_free_pages: pfn %#llx is a slab page (the slab allocator owns "
			"it: kfree or kmem_cache_free its objects)",
			(unsigned long long)pfn);
	if (PageReserved(pfn_to_page(k, (unsigned long)pfn)))
		return env_error(
			k->env, KMM_EINVAL,
			"kmm_free_pages: pfn %#llx is reserved (memblock kept it; the page "
			"allocator never handed it out)",
			(unsigned long long)pfn);
	return kernel_call(
		m, &(struct kcall){.op = KC_FREE, .pfn = (unsigned long)pfn, .order = order});
}

enum kmm_status kmm_get_page(struct kmm_machine *m, kmm_pfn_t pfn)
{
	struct kmm_kernel *k = NULL;
	struct page *page;
	enum kmm_status st = api_kernel(m, "kmm_get_page", &k);

	if (st || (st = check_pfn(k, "kmm_get_page", pfn)))
		return st;
	page = compound_head(pfn_to_page(k, (unsigned long)pfn));
	if (page_count(page) <= 0)
		return env_error(k->env, KMM_EINVAL,
				 "kmm_get_page: pfn %#llx has no reference to share (refcount %d)",
				 (unsigned long long)pfn, page_count(page));
	set_page_count(page, page_count(page) + 1);
	return KMM_OK;
}

enum kmm_status kmm_split_page(struct kmm_machine *m, kmm_pfn_t pfn, unsigned order)
{
	struct kmm_kernel *k = NULL;
	struct page *page;
	enum kmm_status st = api_kernel(m, "kmm_split_page", &k);

	if (st || (st = check_pfn(k, "kmm_split_page", pfn)))
		return st;
	page = pfn_to_page(k, (unsigned long)pfn);
	if (order >= MAX_ORDER || PageCompound(page) || page_count(page) <= 0 ||
	    (pfn & ((1u << order) - 1)))
		return env_error(k->env, KMM_EINVAL,
				 "kmm_split_page: pfn %#llx is not an allocated non-compound "
				 "order-%u block",
				 (unsigned long long)pfn, order);
	split_page(k, page, order);
	return KMM_OK;
}

enum kmm_status kmm_alloc_pages_bulk(struct kmm_machine *m, kmm_gfp_t gfp, size_t nr,
				     kmm_pfn_t *pfns, size_t *nr_done)
{
	struct kcall c;
	struct kmm_kernel *k = NULL;
	struct page **array;
	unsigned long done;
	enum kmm_status st = api_kernel(m, "kmm_alloc_pages_bulk", &k);

	if (st || (st = check_gfp_order(k, "kmm_alloc_pages_bulk", gfp, 0)))
		return st;
	if (!pfns || !nr_done)
		return env_error(k->env, KMM_EINVAL, "kmm_alloc_pages_bulk: NULL array or count");
	array = env_alloc(k->env, nr * sizeof(*array) + 1);
	if (!array)
		return env_error(k->env, KMM_EHOST, "kmm_alloc_pages_bulk: host memory exhausted");
	for (size_t i = 0; i < nr; i++) {
		array[i] = NULL;
		if (pfns[i] && check_pfn(k, "kmm_alloc_pages_bulk", pfns[i]) == KMM_OK)
			array[i] = pfn_to_page(k, (unsigned long)pfns[i]);
	}
	c = (struct kcall){.op = KC_BULK, .gfp = gfp, .nr = nr, .array = array};
	if ((st = kernel_call(m, &c))) {
		env_free(k->env, array);
		return st;
	}
	done = c.done;
	for (size_t i = 0; i < nr; i++)
		pfns[i] = array[i] ? page_to_pfn(k, array[i]) : 0;
	env_free(k->env, array);
	*nr_done = done;
	return done ? KMM_OK
		    : env_error(k->env, KMM_ENOMEM, "kmm_alloc_pages_bulk: no page allocated");
}

enum kmm_status kmm_alloc_pages_exact(struct kmm_machine *m, size_t size, kmm_gfp_t gfp,
				      kmm_va_t *va)
{
	struct kcall c;
	struct kmm_kernel *k = NULL;
	enum kmm_status st = api_kernel(m, "kmm_alloc_pages_exact", &k);

	if (st || (st = check_gfp_order(k, "kmm_alloc_pages_exact", gfp, 0)))
		return st;
	if (!va || !size || size > (PAGE_SIZE << (MAX_ORDER - 1)))
		return env_error(k->env, KMM_EINVAL,
				 "kmm_alloc_pages_exact: size %zu is 0 or above 4 MiB, or NULL va",
				 size);
	c = (struct kcall){.op = KC_EXACT, .gfp = gfp, .nr = size};
	if ((st = kernel_call(m, &c)))
		return st;
	*va = c.va;
	return *va ? KMM_OK
		   : env_error(k->env, KMM_ENOMEM, "kmm_alloc_pages_exact: allocation failure");
}

enum kmm_status kmm_free_pages_exact(struct kmm_machine *m, kmm_va_t va, size_t size)
{
	struct kmm_kernel *k = NULL;
	enum kmm_status st = api_kernel(m, "kmm_free_pages_exact", &k);

	if (st)
		return st;
	if ((va & ~PAGE_MASK) || va < PAGE_OFFSET || !size ||
	    check_pfn(k, "kmm_free_pages_exact", PHYS_PFN(__pa(k, va))) ||
	    check_pfn(k, "kmm_free_pages_exact", PHYS_PFN(__pa(k, va + size - 1))))
		return env_error(k->env, KMM_EINVAL,
				 "kmm_free_pages_exact: %#llx + %zu is not a page-aligned "
				 "linear-map range of the memory map",
				 (unsigned long long)va, size);
	return kernel_call(m, &(struct kcall){.op = KC_FREE_EXACT, .va = va, .nr = size});
}

static enum kmm_status check_range(struct kmm_kernel *k, const char *fn, kmm_pfn_t start,
				   kmm_pfn_t end)
{
	if (start >= end || check_pfn(k, fn, start) || check_pfn(k, fn, end - 1) ||
	    page_zone(k, pfn_to_page(k, (unsigned long)start)) !=
		    page_zone(k, pfn_to_page(k, (unsigned long)end - 1)))
		return env_error(k->env, KMM_EINVAL,
				 "%s: [%#llx, %#llx) is empty or not inside one zone", fn,
				 (unsigned long long)start, (unsigned long long)end);
	for (kmm_pfn_t pfn = start; pfn < end; pfn += PAGES_PER_SECTION)
		if (!pfn_valid(k, (unsigned long)pfn))
			return env_error(k->env, KMM_EINVAL, "%s: the range crosses a hole", fn);
	return KMM_OK;
}

enum kmm_status kmm_alloc_contig_range(struct kmm_machine *m, kmm_pfn_t start, kmm_pfn_t end,
				       enum kmm_migratetype migratetype)
{
	struct kcall c;
	struct kmm_kernel *k = NULL;
	enum kmm_status st = api_kernel(m, "kmm_alloc_contig_range", &k);
	int ret;

	if (st || (st = check_range(k, "kmm_alloc_contig_range", start, end)))
		return st;
	if (migratetype != KMM_MIGRATE_MOVABLE && migratetype != KMM_MIGRATE_CMA)
		return env_error(k->env, KMM_EINVAL,
				 "kmm_alloc_contig_range: migratetype must be MOVABLE or CMA");
	c = (struct kcall){.op = KC_CONTIG,
			   .pfn = (unsigned long)start,
			   .end = (unsigned long)end,
			   .mt = (int)migratetype};
	if ((st = kernel_call(m, &c)))
		return st;
	ret = c.ret;
	if (ret)
		return env_error(k->env, ret == -EBUSY ? KMM_ENOMEM : KMM_EINVAL,
				 "kmm_alloc_contig_range: %s",
				 ret == -EBUSY ? "a page of the range is in use (-EBUSY)"
					       : "the range is not inside one zone");
	return KMM_OK;
}

enum kmm_status kmm_free_contig_range(struct kmm_machine *m, kmm_pfn_t pfn, size_t nr)
{
	struct kmm_kernel *k = NULL;
	enum kmm_status st = api_kernel(m, "kmm_free_contig_range", &k);

	if (st || (st = check_range(k, "kmm_free_contig_range", pfn, pfn + nr)))
		return st;
	return kernel_call(
		m, &(struct kcall){.op = KC_FREE_CONTIG, .pfn = (unsigned long)pfn, .nr = nr});
}

enum kmm_status kmm_cma_alloc(struct kmm_machine *m, size_t count, unsigned align, kmm_pfn_t *pfn)
{
	struct kcall c;
	struct kmm_kernel *k = NULL;
	struct page *page;
	enum kmm_status st = api_kernel(m, "kmm_cma_alloc", &k);

	if (st)
		return st;
	if (!pfn || !count)
		return env_error(k->env, KMM_EINVAL, "kmm_cma_alloc: zero count or NULL pfn");
	if (!k->cma.count)
		return env_error(k->env, KMM_ENOMEM, "kmm_cma_alloc: the machine has no CMA area");
	c = (struct kcall){.op = KC_CMA, .nr = count, .order = align};
	if ((st = kernel_call(m, &c)))
		return st;
	page = c.page;
	if (!page)
		return env_error(k->env, KMM_ENOMEM,
				 "kmm_cma_alloc: no free run of %zu pages in the CMA area", count);
	*pfn = page_to_pfn(k, page);
	return KMM_OK;
}

enum kmm_status kmm_cma_release(struct kmm_machine *m, kmm_pfn_t pfn, size_t count)
{
	struct kcall c;
	struct kmm_kernel *k = NULL;
	enum kmm_status st = api_kernel(m, "kmm_cma_release", &k);

	if (st)
		return st;
	if (!count || pfn < k->cma.base_pfn || pfn + count > k->cma.base_pfn + k->cma.count)
		return env_error(k->env, KMM_EINVAL,
				 "kmm_cma_release: [%#llx, +%zu) is not inside the CMA area",
				 (unsigned long long)pfn, count);
	c = (struct kcall){.op = KC_CMA_RELEASE, .pfn = (unsigned long)pfn, .nr = count};
	if ((st = kernel_call(m, &c)))
		return st;
	return c.ret == 0 ? KMM_OK : env_error(k->env, KMM_EINVAL, "kmm_cma_release: refused");
}

static enum kmm_status isolate_common(struct kmm_machine *m, const char *fn, kmm_pfn_t start,
				      kmm_pfn_t end, enum kmm_migratetype mt, bool undo)
{
	struct kcall c;
	struct kmm_kernel *k = NULL;
	enum kmm_status st = api_kernel(m, fn, &k);

	if (st || (st = check_range(k, fn, start, end)))
		return st;
	if ((start | end) & (pageblock_nr_pages - 1))
		return env_error(k->env, KMM_EINVAL, "%s: the range is not pageblock aligned", fn);
	if (mt != KMM_MIGRATE_MOVABLE && mt != KMM_MIGRATE_CMA)
		return env_error(k->env, KMM_EINVAL, "%s: migratetype must be MOVABLE or CMA", fn);
	c = (struct kcall){.op = undo ? KC_UNDO_ISOLATE : KC_ISOLATE,
			   .pfn = (unsigned long)start,
			   .end = (unsigned long)end,
			   .mt = (int)mt};
	if ((st = kernel_call(m, &c)))
		return st;
	return c.ret ? env_error(k->env, KMM_ENOMEM,
				 "%s: a pageblock has unmovable pages or is isolated (-EBUSY)", fn)
		     : KMM_OK;
}

enum kmm_status kmm_isolate_range(struct kmm_machine *m, kmm_pfn_t start, kmm_pfn_t end,
				  enum kmm_migratetype migratetype)
{
	return isolate_common(m, "kmm_isolate_range", start, end, migratetype, false);
}

enum kmm_status kmm_undo_isolate_range(struct kmm_machine *m, kmm_pfn_t start, kmm_pfn_t end,
				       enum kmm_migratetype migratetype)
{
	return isolate_common(m, "kmm_undo_isolate_range", start, end, migratetype, true);
}

enum kmm_status kmm_drain_all_pages(struct kmm_machine *m)
{
	struct kmm_kernel *k = NULL;
	enum kmm_status st = api_kernel(m, "kmm_drain_all_pages", &k);

	if (st)
		return st;
	drain_all_pages(k, NULL);
	return KMM_OK;
}

enum kmm_status kmm_page_info(struct kmm_machine *m, kmm_pfn_t pfn, struct kmm_page_info *info)
{
	struct kmm_kernel *k = NULL;
	const struct page *page;
	enum kmm_status st = api_kernel(m, "kmm_page_info", &k);

	if (st || (st = check_pfn(k, "kmm_page_info", pfn)))
		return st;
	if (!info)
		return env_error(k->env, KMM_EINVAL, "kmm_page_info: NULL info");
	page = pfn_to_page(k, (unsigned long)pfn);
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
