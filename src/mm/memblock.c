/*
 * memblock: physical memory bookkeeping for early boot, before the buddy allocator exists.
 *
 * Models: mm/memblock.c (Linux 6.1)
 *
 * Two sorted arrays of regions describe physical memory: "memory" (what the kernel may use,
 * with a node and flags per region) and "reserved" (what is taken: the kernel image, the
 * initrd, firmware tables, every memblock allocation). An allocation searches the gaps of
 * memory minus reserved, top-down by default or bottom-up, and records its block in reserved.
 * Adding a range fills only what no region covers yet and then merges neighbours that touch
 * and agree on node and flags; removing, flagging or setting a node first isolates the range
 * (splits the regions crossing its ends) and then works on whole regions. When an array
 * fills up it doubles; as in the kernel before slab is up, the new array takes its space from
 * memblock itself and that space is reserved, so the accounting matches a real boot even
 * though the entries live in host memory here.
 *
 * What is left out: the slab path of memblock_double_array (memblock is only used before
 * slab in this model), kmemleak hooks, memblock_free_late/memblock_free_all (the handover to
 * the buddy allocator lives with mm_init), physmem (not on arm64), ratelimiting of the mirror
 * warning.
 * Deviation: memblock_trim_memory keeps memory.total_size equal to the sum of the regions
 *            (6.1 leaves it stale); arm64 never calls it.
 * Deviation: %pS (the caller's address) is printed as the bare name in mb->caller, or left
 *            out; internal calls name the modelled kernel caller (memblock_alloc_range_nid,
 *            memblock_double_array, memblock_free).
 * Deviation: dump_stack() on a zero alignment is an info report naming the condition.
 *
 * Invariants (memblock_check), for each of memory and reserved:
 *  1. 1 <= cnt <= max and the array exists.
 *  2. Either the type is empty (cnt == 1, a single {0, 0} dummy, total_size == 0) or every
 *     region is non-empty.
 *  3. Regions are sorted by base and do not overlap; none wraps past PHYS_ADDR_MAX.
 *  4. No two neighbours are mergeable (touching, same node, same flags).
 *  5. total_size is the sum of the region sizes.
 *  6. A doubled array's simulated range [array_pa, array_pa + PAGE_ALIGN(max * 24)) is
 *     reserved.
 */
#include "mm/memblock.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "arch/arm64/include/asm/memory.h"
#include "lib/bug.h"
#include "lib/env.h"
#include "lib/kernel.h"
#include "lib/sink.h"

/* The kernel's region entry is 24 bytes on arm64; array sizes (and reservations) rely on it. */
_Static_assert(sizeof(struct memblock_region) == 24, "memblock_region must be 24 bytes");

#define KMM_FILE "mm/memblock.c"
#define PA_FMT	 "0x%016" PRIx64 /* %pa */

static inline phys_addr_t page_align(phys_addr_t x)
{
	return round_up(x, KMM_PAGE_SIZE);
}

/* Models: mm/memblock.c:memblock_cap_size(): shrink @size so base + size cannot wrap. */
static phys_addr_t memblock_cap_size(phys_addr_t base, phys_addr_t *size)
{
	*size = min(*size, PHYS_ADDR_MAX - base);
	return *size;
}

/* ---------------------------------------------------------------------------------------- */
/* Logging                                                                                   */

/* Models: mm/memblock.c:memblock_dbg(): pr_info only under memblock=debug. */
static void memblock_dbg(const struct memblock *mb, const char *fmt, ...) KMM_PRINTF(2, 3);
static void memblock_dbg(const struct memblock *mb, const char *fmt, ...)
{
	va_list ap;

	if (!mb->debug)
		return;
	va_start(ap, fmt);
	env_vprintk(mb->env, fmt, ap);
	va_end(ap);
}

/* The caller named by the host for this call (one use). */
static const char *take_caller(struct memblock *mb)
{
	const char *c = mb->caller;

	mb->caller = NULL;
	return c;
}

/* "<func>: [<base>-<end>] <caller>", the shape of the range-taking calls' debug lines. */
static void memblock_dbg_range(const struct memblock *mb, const char *func, phys_addr_t base,
			       phys_addr_t size, const char *caller)
{
	memblock_dbg(mb, "%s: [" PA_FMT "-" PA_FMT "]%s%s\n", func, base, base + size - 1,
		     caller ? " " : "", caller ? caller : "");
}

/* "<func>: N bytes align=0x.. [nid=N ]from=.. max_addr=.. <caller>" */
static void memblock_dbg_alloc(const struct memblock *mb, const char *func, phys_addr_t size,
			       phys_addr_t align, const int *nid, phys_addr_t from,
			       phys_addr_t max_addr, const char *caller)
{
	char nidbuf[24] = "";

	if (nid)
		snprintf(nidbuf, sizeof(nidbuf), "nid=%d ", *nid);
	memblock_dbg(mb,
		     "%s: %" PRIu64 " bytes align=0x%" PRIx64 " %sfrom=" PA_FMT " max_addr=" PA_FMT
		     "%s%s\n",
		     func, size, align, nidbuf, from, max_addr, caller ? " " : "",
		     caller ? caller : "");
}

/*
 * The WARN_ONs and BUG_ONs of memblock name the kernel function and line of the site (the
 * helpers that model one kernel function in several C functions pass the kernel's name).
 */
static void memblock_warn(const struct memblock *mb, const char *func, int line, const char *cond)
{
	__warn(mb->env, BUG_SITE(line, func, cond), NULL, NULL);
}

static void memblock_bug(const struct memblock *mb, const char *func, int line, const char *cond)
{
	__bug(mb->env, BUG_SITE(line, func, cond), "pc : %s", func);
}

/* WARN_ONCE(nid == MAX_NUMNODES, ...): the deprecated "all nodes" spelling, once per site. */
static int fix_max_numnodes(struct memblock *mb, int nid, const char *func, int line)
{
	const struct bug_site *site = BUG_SITE(line, func, "nid == MAX_NUMNODES");

	if (nid != MAX_NUMNODES)
		return nid;
	if (__warn_once_first(mb->env, site))
		__warn(mb->env, site, NULL,
		       "Usage of MAX_NUMNODES is deprecated. Use NUMA_NO_NODE instead\n");
	return NUMA_NO_NODE;
}

/* ---------------------------------------------------------------------------------------- */
/* Setup                                                                                     */

static int type_init(struct memblock *mb, struct memblock_type *type, const char *name,
		     unsigned long max)
{
	type->regions = env_alloc(mb->env, max * sizeof(struct memblock_region));
	if (!type->regions)
		return -ENOMEM;
	type->cnt = 1; /* the empty dummy entry; static storage makes its nid 0 */
	type->max = max;
	type->total_size = 0;
	type->name = name;
	type->array_pa = 0;
	return 0;
}

int memblock_init(struct memblock *mb, struct kmm_env *env, const struct hw_phys *phys)
{
	if (!mb || !env)
		return -EINVAL;
	memset(mb, 0, sizeof(*mb));
	mb->env = env;
	mb->phys = phys;
	mb->bottom_up = false;
	mb->current_limit = MEMBLOCK_ALLOC_ANYWHERE;
	if (type_init(mb, &mb->memory, "memory", INIT_MEMBLOCK_MEMORY_REGIONS) ||
	    type_init(mb, &mb->reserved, "reserved", INIT_MEMBLOCK_RESERVED_REGIONS)) {
		memblock_fini(mb);
		return -ENOMEM;
	}
	return 0;
}

void memblock_fini(struct memblock *mb)
{
	if (!mb || !mb->env)
		return;
	env_free(mb->env, mb->memory.regions);
	env_free(mb->env, mb->reserved.regions);
	mb->memory.regions = NULL;
	mb->reserved.regions = NULL;
	mb->memory.cnt = mb->reserved.cnt = 0;
	mb->memory.max = mb->reserved.max = 0;
}

/* Models: mm/memblock.c:memblock_allow_resize(). */
void memblock_allow_resize(struct memblock *mb)
{
	mb->can_resize = true;
}

void memblock_set_current_limit(struct memblock *mb, phys_addr_t limit)
{
	mb->current_limit = limit;
}

phys_addr_t memblock_get_current_limit(const struct memblock *mb)
{
	return mb->current_limit;
}

/* ---------------------------------------------------------------------------------------- */
/* Overlap tests                                                                             */

unsigned long memblock_addrs_overlap(phys_addr_t base1, phys_addr_t size1, phys_addr_t base2,
				     phys_addr_t size2)
{
	return base1 < base2 + size2 && base2 < base1 + size1;
}

bool memblock_overlaps_region(const struct memblock_type *type, phys_addr_t base, phys_addr_t size)
{
	memblock_cap_size(base, &size);
	for (unsigned long i = 0; i < type->cnt; i++) {
		const struct memblock_region *r = &type->regions[i];

		if (memblock_addrs_overlap(base, size, r->base, r->size))
			return true;
	}
	return false;
}

/* ---------------------------------------------------------------------------------------- */
/* Iteration                                                                                 */

/*
 * Models: mm/memblock.c:should_skip_region(): only memory regions are filtered, by node,
 * hotplug (under movable_node, unless asked for), mirror (when asked for), NOMAP and
 * driver-managed (unless asked for).
 */
static bool should_skip_region(const struct memblock *mb, const struct memblock_type *type,
			       const struct memblock_region *m, int nid, int flags)
{
	if (type != &mb->memory)
		return false;
	if (nid != NUMA_NO_NODE && nid != memblock_get_region_node(m))
		return true;
	if (mb->movable_node && memblock_is_hotpluggable(m) && !(flags & MEMBLOCK_HOTPLUG))
		return true;
	if ((flags & MEMBLOCK_MIRROR) && !memblock_is_mirror(m))
		return true;
	if (!(flags & MEMBLOCK_NOMAP) && memblock_is_nomap(m))
		return true;
	if (!(flags & MEMBLOCK_DRIVER_MANAGED) && memblock_is_driver_managed(m))
		return true;
	return false;
}

/* Gap @g of @type: gap 0 lies below region 0, gap cnt above the last region. */
static void gap_bounds(const struct memblock_type *type, long g, phys_addr_t *lo, phys_addr_t *hi)
{
	const struct memblock_region *r = type->regions;

	*lo = g > 0 ? r[g - 1].base + r[g - 1].size : 0;
	*hi = (unsigned long)g < type->cnt ? r[g].base : PHYS_ADDR_MAX;
}

static uint64_t pack_idx(long a, long b)
{
	return (uint64_t)(uint32_t)a | (uint64_t)(uint32_t)b << 32;
}

static void put_range(phys_addr_t *out_start, phys_addr_t *out_end, int *out_nid, phys_addr_t start,
		      phys_addr_t end, int nid)
{
	if (out_start)
		*out_start = start;
	if (out_end)
		*out_end = end;
	if (out_nid)
		*out_nid = nid;
}

/*
 * Models: mm/memblock.c:__next_mem_range(). *@idx packs the position in @type_a (low 32
 * bits) and the gap of @type_b being tried (high 32 bits); each step yields the next piece of
 * a region of @type_a that lies in a gap of @type_b (or the whole region without @type_b).
 */
void __next_mem_range(struct memblock *mb, uint64_t *idx, int nid, enum memblock_flags flags,
		      const struct memblock_type *type_a, const struct memblock_type *type_b,
		      phys_addr_t *out_start, phys_addr_t *out_end, int *out_nid)
{
	long ia = (long)(*idx & 0xffffffffu);
	long ib = (long)(*idx >> 32);

	nid = fix_max_numnodes(mb, nid, "__next_mem_range", 1051);

	for (; ia < (long)type_a->cnt; ia++) {
		const struct memblock_region *m = &type_a->regions[ia];
		phys_addr_t m_start = m->base, m_end = m->base + m->size;

		if (should_skip_region(mb, type_a, m, nid, flags))
			continue;
		if (!type_b) {
			put_range(out_start, out_end, out_nid, m_start, m_end,
				  memblock_get_region_node(m));
			*idx = pack_idx(ia + 1, ib);
			return;
		}
		for (; ib <= (long)type_b->cnt; ib++) {
			phys_addr_t g_lo, g_hi;

			gap_bounds(type_b, ib, &g_lo, &g_hi);
			if (g_lo >= m_end)
				break; /* this gap starts above the region: next region */
			if (m_start >= g_hi)
				continue;
			put_range(out_start, out_end, out_nid, max(m_start, g_lo), min(m_end, g_hi),
				  memblock_get_region_node(m));
			/* Advance whichever of the two ends first. */
			if (m_end <= g_hi)
				ia++;
			else
				ib++;
			*idx = pack_idx(ia, ib);
			return;
		}
	}
	*idx = MEMBLOCK_ITER_END;
}

/* Models: mm/memblock.c:__next_mem_range_rev(): the same walk from the top down. */
void __next_mem_range_rev(struct memblock *mb, uint64_t *idx, int nid, enum memblock_flags flags,
			  const struct memblock_type *type_a, const struct memblock_type *type_b,
			  phys_addr_t *out_start, phys_addr_t *out_end, int *out_nid)
{
	long ia = (long)(int32_t)(uint32_t)(*idx & 0xffffffffu);
	long ib = (long)(int32_t)(uint32_t)(*idx >> 32);

	nid = fix_max_numnodes(mb, nid, "__next_mem_range_rev", 1148);

	if (*idx == MEMBLOCK_ITER_END) {
		ia = (long)type_a->cnt - 1;
		ib = type_b ? (long)type_b->cnt : 0;
	}
	for (; ia >= 0; ia--) {
		const struct memblock_region *m = &type_a->regions[ia];
		phys_addr_t m_start = m->base, m_end = m->base + m->size;

		if (should_skip_region(mb, type_a, m, nid, flags))
			continue;
		if (!type_b) {
			put_range(out_start, out_end, out_nid, m_start, m_end,
				  memblock_get_region_node(m));
			*idx = pack_idx(ia - 1, ib);
			return;
		}
		for (; ib >= 0; ib--) {
			phys_addr_t g_lo, g_hi;

			gap_bounds(type_b, ib, &g_lo, &g_hi);
			if (g_hi <= m_start)
				break; /* this gap ends below the region: next region down */
			if (m_end <= g_lo)
				continue;
			put_range(out_start, out_end, out_nid, max(m_start, g_lo), min(m_end, g_hi),
				  memblock_get_region_node(m));
			if (m_start >= g_lo)
				ia--;
			else
				ib--;
			*idx = pack_idx(ia, ib);
			return;
		}
	}
	*idx = MEMBLOCK_ITER_END;
}

/* Models: mm/memblock.c:__next_mem_pfn_range(): memory regions holding a whole page. */
void __next_mem_pfn_range(const struct memblock *mb, int *idx, int nid,
			  unsigned long *out_start_pfn, unsigned long *out_end_pfn, int *out_nid)
{
	const struct memblock_type *type = &mb->memory;
	const struct memblock_region *r = NULL;

	while (++*idx < (int)type->cnt) {
		r = &type->regions[*idx];
		if (memblock_region_memory_base_pfn(r) >= memblock_region_memory_end_pfn(r))
			continue;
		if (nid == MAX_NUMNODES || nid == memblock_get_region_node(r))
			break;
	}
	if (*idx >= (int)type->cnt) {
		*idx = -1;
		return;
	}
	if (out_start_pfn)
		*out_start_pfn = memblock_region_memory_base_pfn(r);
	if (out_end_pfn)
		*out_end_pfn = memblock_region_memory_end_pfn(r);
	if (out_nid)
		*out_nid = memblock_get_region_node(r);
}

/* ---------------------------------------------------------------------------------------- */
/* Finding free space                                                                        */

/* Models: mm/memblock.c:choose_memblock_flags(): ask for mirror once some exists. */
static enum memblock_flags choose_memblock_flags(const struct memblock *mb)
{
	return mb->system_has_some_mirror ? MEMBLOCK_MIRROR : MEMBLOCK_NONE;
}

/* Models: mm/memblock.c:__memblock_find_range_bottom_up(): lowest fit, 0 if none. */
static phys_addr_t __memblock_find_range_bottom_up(struct memblock *mb, phys_addr_t start,
						   phys_addr_t end, phys_addr_t size,
						   phys_addr_t align, int nid,
						   enum memblock_flags flags)
{
	phys_addr_t lo, hi, cand;
	uint64_t i;

	for_each_free_mem_range(mb, i, nid, flags, &lo, &hi, NULL)
	{
		lo = clamp(lo, start, end);
		hi = clamp(hi, start, end);
		cand = round_up(lo, align);
		if (cand < hi && hi - cand >= size)
			return cand;
	}
	return 0;
}

/* Models: mm/memblock.c:__memblock_find_range_top_down(): highest fit, 0 if none. */
static phys_addr_t __memblock_find_range_top_down(struct memblock *mb, phys_addr_t start,
						  phys_addr_t end, phys_addr_t size,
						  phys_addr_t align, int nid,
						  enum memblock_flags flags)
{
	phys_addr_t lo, hi, cand;
	uint64_t i;

	for_each_free_mem_range_reverse(mb, i, nid, flags, &lo, &hi, NULL)
	{
		lo = clamp(lo, start, end);
		hi = clamp(hi, start, end);
		if (hi < size)
			continue;
		cand = round_down(hi - size, align);
		if (cand >= lo)
			return cand;
	}
	return 0;
}

/*
 * Models: mm/memblock.c:memblock_find_in_range_node(): the accessible limit stands for
 * current_limit, and the first page is never handed out (0 means failure).
 */
static phys_addr_t memblock_find_in_range_node(struct memblock *mb, phys_addr_t size,
					       phys_addr_t align, phys_addr_t start,
					       phys_addr_t end, int nid, enum memblock_flags flags)
{
	if (end == MEMBLOCK_ALLOC_ACCESSIBLE || end == MEMBLOCK_ALLOC_NOLEAKTRACE)
		end = mb->current_limit;
	start = max(start, KMM_PAGE_SIZE);
	end = max(start, end);
	if (memblock_bottom_up(mb))
		return __memblock_find_range_bottom_up(mb, start, end, size, align, nid, flags);
	return __memblock_find_range_top_down(mb, start, end, size, align, nid, flags);
}

static void warn_no_mirror(const struct memblock *mb, phys_addr_t size)
{
	/* pr_warn_ratelimited: a log line, not a WARN (no taint). */
	env_printk(mb->env, "Could not allocate " PA_FMT " bytes of mirrored memory\n", size);
}

/* Models: mm/memblock.c:memblock_find_in_range(): any node, mirror first when there is some. */
static phys_addr_t memblock_find_in_range(struct memblock *mb, phys_addr_t start, phys_addr_t end,
					  phys_addr_t size, phys_addr_t align)
{
	enum memblock_flags flags = choose_memblock_flags(mb);
	phys_addr_t found;

	for (;;) {
		found = memblock_find_in_range_node(mb, size, align, start, end, NUMA_NO_NODE,
						    flags);
		if (found || !(flags & MEMBLOCK_MIRROR))
			return found;
		warn_no_mirror(mb, size);
		flags &= ~MEMBLOCK_MIRROR;
	}
}

/* ---------------------------------------------------------------------------------------- */
/* Array maintenance                                                                         */

/* Models: mm/memblock.c:memblock_remove_region(): drop entry @r; an emptied type keeps a dummy. */
static void memblock_remove_region(struct memblock *mb, struct memblock_type *type, unsigned long r)
{
	type->total_size -= type->regions[r].size;
	memmove(&type->regions[r], &type->regions[r + 1],
		(type->cnt - (r + 1)) * sizeof(type->regions[r]));
	type->cnt--;
	if (type->cnt == 0) {
		if (type->total_size != 0)
			memblock_warn(mb, "memblock_remove_region", 353, "type->total_size != 0");
		type->cnt = 1;
		type->regions[0] = (struct memblock_region){
			.base = 0, .size = 0, .flags = MEMBLOCK_NONE, .nid = MAX_NUMNODES};
	}
}

static int memblock_reserve_caller(struct memblock *mb, phys_addr_t base, phys_addr_t size,
				   const char *caller);
static int memblock_phys_free_caller(struct memblock *mb, phys_addr_t base, phys_addr_t size,
				     const char *caller);

/*
 * Models: mm/memblock.c:memblock_double_array(). Room for the doubled array is found with
 * memblock itself (avoiding [@new_area_start, +@new_area_size) for the reserved type, which
 * is about to be reserved), the previous doubled array's range is freed, and the new range
 * is reserved. The entries themselves move to a new host array. Returns 0 or -1 (nothing
 * changed then: no room, resizing not yet allowed, or host memory exhausted).
 */
static int memblock_double_array(struct memblock *mb, struct memblock_type *type,
				 phys_addr_t new_area_start, phys_addr_t new_area_size)
{
	size_t old_size = type->max * sizeof(struct memblock_region);
	size_t new_size = old_size * 2;
	phys_addr_t old_alloc = page_align(old_size), new_alloc = page_align(new_size);
	phys_addr_t pa, old_pa = type->array_pa;
	struct memblock_region *arr;

	if (!mb->can_resize)
		return -1;
	if (type != &mb->reserved)
		new_area_start = new_area_size = 0;
	pa = memblock_find_in_range(mb, new_area_start + new_area_size, mb->current_limit,
				    new_alloc, KMM_PAGE_SIZE);
	if (!pa && new_area_size)
		pa = memblock_find_in_range(mb, 0, min(new_area_start, mb->current_limit),
					    new_alloc, KMM_PAGE_SIZE);
	if (!pa) {
		env_printk(mb->env,
			   "memblock: Failed to double %s array from %lu to %lu entries !\n",
			   type->name, type->max, type->max * 2);
		return -1;
	}
	arr = env_alloc(mb->env, new_size); /* zeroed: the new upper half starts empty */
	if (!arr) {
		env_error(mb->env, KMM_EHOST, "memblock: no host memory to double the %s array",
			  type->name);
		return -1;
	}
	memblock_dbg(mb, "memblock: %s is doubled to %lu at [" PA_FMT "-" PA_FMT "]\n", type->name,
		     type->max * 2, pa, pa + new_size - 1);

	memcpy(arr, type->regions, old_size);
	env_free(mb->env, type->regions);
	type->regions = arr;
	type->max *= 2;
	type->array_pa = pa;

	if (old_pa)
		memblock_phys_free_caller(mb, old_pa, old_alloc, "memblock_free");
	if (memblock_reserve_caller(mb, pa, new_alloc, "memblock_double_array"))
		memblock_bug(mb, "memblock_double_array", 493,
			     "memblock_reserve(addr, new_alloc_size)");
	return 0;
}

/* Models: mm/memblock.c:memblock_merge_regions(): fold touching, compatible neighbours. */
static void memblock_merge_regions(struct memblock *mb, struct memblock_type *type)
{
	unsigned long i = 0;

	while (i + 1 < type->cnt) {
		struct memblock_region *a = &type->regions[i], *b = a + 1;

		if (a->base + a->size != b->base ||
		    memblock_get_region_node(a) != memblock_get_region_node(b) ||
		    a->flags != b->flags) {
			if (a->base + a->size > b->base)
				memblock_bug(mb, "memblock_merge_regions", 520,
					     "this->base + this->size > next->base");
			i++;
			continue;
		}
		a->size += b->size;
		memmove(b, b + 1, (type->cnt - (i + 2)) * sizeof(*b));
		type->cnt--;
	}
}

/* Models: mm/memblock.c:memblock_insert_region(): the caller made room (checked). */
static void memblock_insert_region(struct memblock *mb, struct memblock_type *type,
				   unsigned long at, phys_addr_t base, phys_addr_t size, int nid,
				   enum memblock_flags flags)
{
	struct memblock_region *r = &type->regions[at];

	if (type->cnt >= type->max) {
		memblock_bug(mb, "memblock_insert_region", 552, "type->cnt >= type->max");
		return;
	}
	memmove(r + 1, r, (type->cnt - at) * sizeof(*r));
	*r = (struct memblock_region){.base = base, .size = size, .flags = flags, .nid = nid};
	type->cnt++;
	type->total_size += size;
}

/*
 * One pass of memblock_add_range over [base, end): count the pieces no region covers and,
 * when @insert, insert them. The WARN_ONs fire when a piece is inserted below a region whose
 * node or flags differ from the request.
 */
static unsigned long add_range_pass(struct memblock *mb, struct memblock_type *type,
				    phys_addr_t base, phys_addr_t end, int nid,
				    enum memblock_flags flags, bool insert)
{
	unsigned long i, nr_new = 0;

	for (i = 0; i < type->cnt; i++) {
		const struct memblock_region *r = &type->regions[i];
		phys_addr_t rbase = r->base, rend = r->base + r->size;

		if (rbase >= end)
			break;
		if (rend <= base)
			continue;
		if (rbase > base) {
			/* The hole [base, rbase) below this region is ours to fill. */
			if (nid != memblock_get_region_node(r))
				memblock_warn(mb, "memblock_add_range", 635,
					      "nid != memblock_get_region_node(rgn)");
			if (flags != r->flags)
				memblock_warn(mb, "memblock_add_range", 637, "flags != rgn->flags");
			nr_new++;
			if (insert)
				memblock_insert_region(mb, type, i++, base, rbase - base, nid,
						       flags);
		}
		base = min(rend, end);
	}
	if (base < end) {
		nr_new++;
		if (insert)
			memblock_insert_region(mb, type, i, base, end - base, nid, flags);
	}
	return nr_new;
}

/*
 * Models: mm/memblock.c:memblock_add_range(). Existing regions are left as they are; the
 * parts of [base, base + size) they do not cover become new regions, then neighbours merge.
 * When the array might not hold the worst case, a counting pass comes first and the array
 * doubles as needed.
 */
static int memblock_add_range(struct memblock *mb, struct memblock_type *type, phys_addr_t base,
			      phys_addr_t size, int nid, enum memblock_flags flags)
{
	phys_addr_t end = base + memblock_cap_size(base, &size);
	unsigned long nr_new;

	if (!size)
		return 0;

	if (type->regions[0].size == 0) {
		/* Empty type: the dummy entry becomes the region. */
		if (type->cnt != 1 || type->total_size)
			memblock_warn(mb, "memblock_add_range", 593,
				      "type->cnt != 1 || type->total_size");
		type->regions[0] = (struct memblock_region){
			.base = base, .size = size, .flags = flags, .nid = nid};
		type->total_size = size;
		return 0;
	}

	if (type->cnt * 2 + 1 >= type->max) {
		nr_new = add_range_pass(mb, type, base, end, nid, flags, false);
		if (!nr_new)
			return 0;
		while (type->cnt + nr_new > type->max)
			if (memblock_double_array(mb, type, base, size) < 0)
				return -ENOMEM;
	}
	if (add_range_pass(mb, type, base, end, nid, flags, true))
		memblock_merge_regions(mb, type);
	return 0;
}

/*
 * Models: mm/memblock.c:memblock_isolate_range(). Splits the regions that cross either end
 * of [base, base + size) so that whole regions [*start_rgn, *end_rgn) cover what lies
 * inside. Both are 0 when nothing lies inside. 0 or -ENOMEM (array could not grow).
 */
static int memblock_isolate_range(struct memblock *mb, struct memblock_type *type, phys_addr_t base,
				  phys_addr_t size, unsigned long *start_rgn,
				  unsigned long *end_rgn)
{
	phys_addr_t end = base + memblock_cap_size(base, &size);
	unsigned long i;

	*start_rgn = *end_rgn = 0;
	if (!size)
		return 0;

	while (type->cnt + 2 > type->max)
		if (memblock_double_array(mb, type, base, size) < 0)
			return -ENOMEM;

	for (i = 0; i < type->cnt; i++) {
		struct memblock_region *r = &type->regions[i];
		phys_addr_t rbase = r->base, rend = r->base + r->size;

		if (rbase >= end)
			break;
		if (rend <= base)
			continue;
		if (rbase < base) {
			/* Crosses the lower end: cut off the part below; the rest is next. */
			r->base = base;
			r->size -= base - rbase;
			type->total_size -= base - rbase;
			memblock_insert_region(mb, type, i, rbase, base - rbase,
					       memblock_get_region_node(r), r->flags);
		} else if (rend > end) {
			/* Crosses the upper end: cut off the part inside and look at it again. */
			r->base = end;
			r->size -= end - rbase;
			type->total_size -= end - rbase;
			memblock_insert_region(mb, type, i, rbase, end - rbase,
					       memblock_get_region_node(r), r->flags);
			i--;
		} else {
			if (!*end_rgn)
				*start_rgn = i;
			*end_rgn = i + 1;
		}
	}
	return 0;
}

/* Models: mm/memblock.c:memblock_remove_range(). */
static int memblock_remove_range(struct memblock *mb, struct memblock_type *type, phys_addr_t base,
				 phys_addr_t size)
{
	unsigned long first, last;
	int ret = memblock_isolate_range(mb, type, base, size, &first, &last);

	if (ret)
		return ret;
	while (last > first)
		memblock_remove_region(mb, type, --last);
	return 0;
}

/* ---------------------------------------------------------------------------------------- */
/* The region API                                                                            */

int memblock_add_node(struct memblock *mb, phys_addr_t base, phys_addr_t size, int nid,
		      enum memblock_flags flags)
{
	const char *caller = take_caller(mb);

	memblock_dbg(mb, "memblock_add_node: [" PA_FMT "-" PA_FMT "] nid=%d flags=%x%s%s\n", base,
		     base + size - 1, nid, (unsigned)flags, caller ? " " : "",
		     caller ? caller : "");
	return memblock_add_range(mb, &mb->memory, base, size, nid, flags);
}

int memblock_add(struct memblock *mb, phys_addr_t base, phys_addr_t size)
{
	memblock_dbg_range(mb, "memblock_add", base, size, take_caller(mb));
	return memblock_add_range(mb, &mb->memory, base, size, MAX_NUMNODES, MEMBLOCK_NONE);
}

int memblock_remove(struct memblock *mb, phys_addr_t base, phys_addr_t size)
{
	memblock_dbg_range(mb, "memblock_remove", base, size, take_caller(mb));
	return memblock_remove_range(mb, &mb->memory, base, size);
}

/* memblock_phys_free() with the caller its debug line names (memblock's own calls). */
static int memblock_phys_free_caller(struct memblock *mb, phys_addr_t base, phys_addr_t size,
				     const char *caller)
{
	memblock_dbg_range(mb, "memblock_phys_free", base, size, caller);
	return memblock_remove_range(mb, &mb->reserved, base, size);
}

int memblock_phys_free(struct memblock *mb, phys_addr_t base, phys_addr_t size)
{
	return memblock_phys_free_caller(mb, base, size, take_caller(mb));
}

/* Models: mm/memblock.c:memblock_free(): the linear-map variant of memblock_phys_free(). */
void memblock_free(struct memblock *mb, kmm_va_t ptr, size_t size)
{
	take_caller(mb);
	if (ptr)
		memblock_phys_free_caller(mb, memblock_va_to_pa(mb, ptr), size, "memblock_free");
}

/* memblock_reserve() with the caller its debug line names (memblock's own calls). */
static int memblock_reserve_caller(struct memblock *mb, phys_addr_t base, phys_addr_t size,
				   const char *caller)
{
	memblock_dbg_range(mb, "memblock_reserve", base, size, caller);
	return memblock_add_range(mb, &mb->reserved, base, size, MAX_NUMNODES, MEMBLOCK_NONE);
}

int memblock_reserve(struct memblock *mb, phys_addr_t base, phys_addr_t size)
{
	return memblock_reserve_caller(mb, base, size, take_caller(mb));
}

/* Models: mm/memblock.c:memblock_setclr_flag(): isolate, (un)flag, re-merge; memory only. */
static int memblock_setclr_flag(struct memblock *mb, phys_addr_t base, phys_addr_t size, bool set,
				enum memblock_flags flag)
{
	struct memblock_type *type = &mb->memory;
	unsigned long first, last;
	int ret;

	take_caller(mb);
	ret = memblock_isolate_range(mb, type, base, size, &first, &last);
	if (ret)
		return ret;
	for (unsigned long i = first; i < last; i++) {
		struct memblock_region *r = &type->regions[i];

		r->flags = set ? (r->flags | flag) : (r->flags & ~flag);
	}
	memblock_merge_regions(mb, type);
	return 0;
}

int memblock_mark_hotplug(struct memblock *mb, phys_addr_t base, phys_addr_t size)
{
	return memblock_setclr_flag(mb, base, size, true, MEMBLOCK_HOTPLUG);
}

int memblock_clear_hotplug(struct memblock *mb, phys_addr_t base, phys_addr_t size)
{
	return memblock_setclr_flag(mb, base, size, false, MEMBLOCK_HOTPLUG);
}

int memblock_mark_mirror(struct memblock *mb, phys_addr_t base, phys_addr_t size)
{
	if (!mb->mirrored_kernelcore)
		return 0;
	mb->system_has_some_mirror = true;
	return memblock_setclr_flag(mb, base, size, true, MEMBLOCK_MIRROR);
}

int memblock_mark_nomap(struct memblock *mb, phys_addr_t base, phys_addr_t size)
{
	return memblock_setclr_flag(mb, base, size, true, MEMBLOCK_NOMAP);
}

int memblock_clear_nomap(struct memblock *mb, phys_addr_t base, phys_addr_t size)
{
	return memblock_setclr_flag(mb, base, size, false, MEMBLOCK_NOMAP);
}

/* Models: mm/memblock.c:memblock_set_node() (CONFIG_NUMA). */
int memblock_set_node(struct memblock *mb, phys_addr_t base, phys_addr_t size,
		      struct memblock_type *type, int nid)
{
	unsigned long first, last;
	int ret;

	take_caller(mb);
	ret = memblock_isolate_range(mb, type, base, size, &first, &last);
	if (ret)
		return ret;
	for (unsigned long i = first; i < last; i++)
		memblock_set_region_node(&type->regions[i], nid);
	memblock_merge_regions(mb, type);
	return 0;
}

/* Models: mm/memblock.c:memblock_trim_memory(): shrink memory regions to @align boundaries. */
void memblock_trim_memory(struct memblock *mb, phys_addr_t align)
{
	struct memblock_type *type = &mb->memory;
	unsigned long i = 0;

	take_caller(mb);
	while (i < type->cnt) {
		struct memblock_region *r = &type->regions[i];
		phys_addr_t start = round_up(r->base, align);
		phys_addr_t end = round_down(r->base + r->size, align);

		if (start == r->base && end == r->base + r->size) {
			i++;
		} else if (start < end) {
			type->total_size -= r->size - (end - start); /* Deviation: see header */
			r->base = start;
			r->size = end - start;
			i++;
		} else {
			memblock_remove_region(mb, type, i);
			if (type->cnt == 1 && type->regions[0].size == 0)
				break;
		}
	}
}

/* ---------------------------------------------------------------------------------------- */
/* Allocation                                                                                */

/* Zeroes [pa, pa + size) of simulated RAM, bank by bank; parts that are not RAM are skipped. */
static void memblock_zero(const struct memblock *mb, phys_addr_t pa, phys_addr_t size)
{
	if (mb->phys)
		arch_phys_zero(mb->phys, pa, size);
}

/* Models: mm/memblock.c:memblock_alloc_range_nid() (dump_stack on align 0: an info report). */
phys_addr_t memblock_alloc_range_nid(struct memblock *mb, phys_addr_t size, phys_addr_t align,
				     phys_addr_t start, phys_addr_t end, int nid, bool exact_nid)
{
	enum memblock_flags flags = choose_memblock_flags(mb);
	phys_addr_t found;

	take_caller(mb);
	nid = fix_max_numnodes(mb, nid, "memblock_alloc_range_nid", 1381);
	if (!align) {
		bug_report(mb->env, KMM_REPORT_INFO,
			   BUG_SITE(0, "memblock_alloc_range_nid", "!align"),
			   "memblock_alloc_range_nid: align 0: dump_stack(), using "
			   "SMP_CACHE_BYTES (%d)",
			   SMP_CACHE_BYTES);
		align = SMP_CACHE_BYTES;
	}
	for (;;) {
		found = memblock_find_in_range_node(mb, size, align, start, end, nid, flags);
		if (found && !memblock_reserve_caller(mb, found, size, "memblock_alloc_range_nid"))
			return found;
		if (nid != NUMA_NO_NODE && !exact_nid) {
			found = memblock_find_in_range_node(mb, size, align, start, end,
							    NUMA_NO_NODE, flags);
			if (found &&
			    !memblock_reserve_caller(mb, found, size, "memblock_alloc_range_nid"))
				return found;
		}
		if (!(flags & MEMBLOCK_MIRROR))
			return 0;
		flags &= ~MEMBLOCK_MIRROR;
		warn_no_mirror(mb, size);
	}
}

phys_addr_t memblock_phys_alloc_range(struct memblock *mb, phys_addr_t size, phys_addr_t align,
				      phys_addr_t start, phys_addr_t end)
{
	memblock_dbg_alloc(mb, "memblock_phys_alloc_range", size, align, NULL, start, end,
			   take_caller(mb));
	return memblock_alloc_range_nid(mb, size, align, start, end, NUMA_NO_NODE, false);
}

phys_addr_t memblock_phys_alloc_try_nid(struct memblock *mb, phys_addr_t size, phys_addr_t align,
					int nid)
{
	return memblock_alloc_range_nid(mb, size, align, 0, MEMBLOCK_ALLOC_ACCESSIBLE, nid, false);
}

phys_addr_t memblock_phys_alloc(struct memblock *mb, phys_addr_t size, phys_addr_t align)
{
	return memblock_phys_alloc_range(mb, size, align, 0, MEMBLOCK_ALLOC_ACCESSIBLE);
}

/*
 * Models: mm/memblock.c:memblock_alloc_internal(): cap @max_addr at current_limit, try
 * [min_addr, max_addr), then drop @min_addr. Returns the physical address or 0.
 */
static phys_addr_t memblock_alloc_internal(struct memblock *mb, phys_addr_t size, phys_addr_t align,
					   phys_addr_t min_addr, phys_addr_t max_addr, int nid,
					   bool exact_nid)
{
	phys_addr_t pa;

	if (max_addr > mb->current_limit)
		max_addr = mb->current_limit;
	pa = memblock_alloc_range_nid(mb, size, align, min_addr, max_addr, nid, exact_nid);
	if (!pa && min_addr)
		pa = memblock_alloc_range_nid(mb, size, align, 0, max_addr, nid, exact_nid);
	return pa;
}

static kmm_va_t memblock_va(const struct memblock *mb, phys_addr_t pa)
{
	return pa ? pa + mb->linear_offset : 0;
}

kmm_va_t memblock_alloc_exact_nid_raw(struct memblock *mb, phys_addr_t size, phys_addr_t align,
				      phys_addr_t min_addr, phys_addr_t max_addr, int nid)
{
	memblock_dbg_alloc(mb, "memblock_alloc_exact_nid_raw", size, align, &nid, min_addr,
			   max_addr, take_caller(mb));
	return memblock_va(mb,
			   memblock_alloc_internal(mb, size, align, min_addr, max_addr, nid, true));
}

kmm_va_t memblock_alloc_try_nid_raw(struct memblock *mb, phys_addr_t size, phys_addr_t align,
				    phys_addr_t min_addr, phys_addr_t max_addr, int nid)
{
	memblock_dbg_alloc(mb, "memblock_alloc_try_nid_raw", size, align, &nid, min_addr, max_addr,
			   take_caller(mb));
	return memblock_va(
		mb, memblock_alloc_internal(mb, size, align, min_addr, max_addr, nid, false));
}

kmm_va_t memblock_alloc_try_nid(struct memblock *mb, phys_addr_t size, phys_addr_t align,
				phys_addr_t min_addr, phys_addr_t max_addr, int nid)
{
	phys_addr_t pa;

	memblock_dbg_alloc(mb, "memblock_alloc_try_nid", size, align, &nid, min_addr, max_addr,
			   take_caller(mb));
	pa = memblock_alloc_internal(mb, size, align, min_addr, max_addr, nid, false);
	if (pa)
		memblock_zero(mb, pa, size);
	return memblock_va(mb, pa);
}

/* ---------------------------------------------------------------------------------------- */
/* Queries                                                                                   */

phys_addr_t memblock_phys_mem_size(const struct memblock *mb)
{
	return mb->memory.total_size;
}

phys_addr_t memblock_reserved_size(const struct memblock *mb)
{
	return mb->reserved.total_size;
}

phys_addr_t memblock_start_of_DRAM(const struct memblock *mb)
{
	return mb->memory.regions[0].base;
}

phys_addr_t memblock_end_of_DRAM(const struct memblock *mb)
{
	const struct memblock_region *r = &mb->memory.regions[mb->memory.cnt - 1];

	return r->base + r->size;
}

/* Models: mm/memblock.c:memblock_search(): binary search, index or -1. */
static long memblock_search(const struct memblock_type *type, phys_addr_t addr)
{
	unsigned long lo = 0, hi = type->cnt;

	while (lo < hi) {
		unsigned long mid = lo + (hi - lo) / 2;
		const struct memblock_region *r = &type->regions[mid];

		if (addr < r->base)
			hi = mid;
		else if (addr >= r->base + r->size)
			lo = mid + 1;
		else
			return (long)mid;
	}
	return -1;
}

bool memblock_is_reserved(const struct memblock *mb, phys_addr_t addr)
{
	return memblock_search(&mb->reserved, addr) != -1;
}

bool memblock_is_memory(const struct memblock *mb, phys_addr_t addr)
{
	return memblock_search(&mb->memory, addr) != -1;
}

bool memblock_is_map_memory(const struct memblock *mb, phys_addr_t addr)
{
	long i = memblock_search(&mb->memory, addr);

	return i != -1 && !memblock_is_nomap(&mb->memory.regions[i]);
}

int memblock_search_pfn_nid(const struct memblock *mb, unsigned long pfn, unsigned long *start_pfn,
			    unsigned long *end_pfn)
{
	long i = memblock_search(&mb->memory, (phys_addr_t)pfn << KMM_PAGE_SHIFT);
	const struct memblock_region *r;

	if (i == -1)
		return -1;
	r = &mb->memory.regions[i];
	*start_pfn = (unsigned long)(r->base >> KMM_PAGE_SHIFT);
	*end_pfn = (unsigned long)((r->base + r->size) >> KMM_PAGE_SHIFT);
	return memblock_get_region_node(r);
}

/* True if [base, base + size) lies in the one memory region holding @base. */
bool memblock_is_region_memory(const struct memblock *mb, phys_addr_t base, phys_addr_t size)
{
	long i = memblock_search(&mb->memory, base);
	phys_addr_t end = base + memblock_cap_size(base, &size);

	if (i == -1)
		return false;
	return mb->memory.regions[i].base + mb->memory.regions[i].size >= end;
}

bool memblock_is_region_reserved(const struct memblock *mb, phys_addr_t base, phys_addr_t size)
{
	return memblock_overlaps_region(&mb->reserved, base, size);
}

/* ---------------------------------------------------------------------------------------- */
/* Memory limits (mem=)                                                                      */

/*
 * Models: mm/memblock.c:__find_max_addr(): the address where the lowest @limit bytes of
 * memory end, or PHYS_ADDR_MAX when there is no more memory than that.
 */
static phys_addr_t __find_max_addr(const struct memblock *mb, phys_addr_t limit)
{
	const struct memblock_region *r;

	for_each_mem_region(mb, r)
	{
		if (limit <= r->size)
			return r->base + limit;
		limit -= r->size;
	}
	return PHYS_ADDR_MAX;
}

void memblock_enforce_memory_limit(struct memblock *mb, phys_addr_t limit)
{
	phys_addr_t max_addr;

	take_caller(mb);
	if (!limit)
		return;
	max_addr = __find_max_addr(mb, limit);
	if (max_addr == PHYS_ADDR_MAX)
		return;
	memblock_remove_range(mb, &mb->memory, max_addr, PHYS_ADDR_MAX);
	memblock_remove_range(mb, &mb->reserved, max_addr, PHYS_ADDR_MAX);
}

void memblock_cap_memory_range(struct memblock *mb, phys_addr_t base, phys_addr_t size)
{
	struct memblock_type *mem = &mb->memory;
	unsigned long first, last, i;

	take_caller(mb);
	if (!size)
		return;
	if (!mem->total_size) {
		env_printk(mb->env, "memblock_cap_memory_range: No memory registered yet\n");
		return;
	}
	if (memblock_isolate_range(mb, mem, base, size, &first, &last))
		return;

	/* Everything mapped outside [first, last) goes; NOMAP regions stay. */
	for (i = mem->cnt; i-- > last;)
		if (!memblock_is_nomap(&mem->regions[i]))
			memblock_remove_region(mb, mem, i);
	for (i = first; i-- > 0;)
		if (!memblock_is_nomap(&mem->regions[i]))
			memblock_remove_region(mb, mem, i);

	memblock_remove_range(mb, &mb->reserved, 0, base);
	memblock_remove_range(mb, &mb->reserved, base + size, PHYS_ADDR_MAX);
}

void memblock_mem_limit_remove_map(struct memblock *mb, phys_addr_t limit)
{
	phys_addr_t max_addr;

	take_caller(mb);
	if (!limit)
		return;
	max_addr = __find_max_addr(mb, limit);
	if (max_addr == PHYS_ADDR_MAX)
		return;
	memblock_cap_memory_range(mb, 0, max_addr);
}

/* ---------------------------------------------------------------------------------------- */
/* Dumps                                                                                     */

/* Models: mm/memblock.c:memblock_dump(); the kernel's %#x prints 0 as "0x0". */
static void memblock_dump(const struct memblock *mb, const struct memblock_type *type)
{
	env_printk(mb->env, " %s.cnt  = 0x%lx\n", type->name, type->cnt);
	for (unsigned long i = 0; i < type->cnt; i++) {
		const struct memblock_region *r = &type->regions[i];
		char nid_buf[32] = "";

		if (memblock_get_region_node(r) != MAX_NUMNODES)
			snprintf(nid_buf, sizeof(nid_buf), " on node %d",
				 memblock_get_region_node(r));
		env_printk(mb->env,
			   " %s[0x%lx]\t[" PA_FMT "-" PA_FMT "], " PA_FMT " bytes%s flags: 0x%x\n",
			   type->name, i, r->base, r->base + r->size - 1, r->size, nid_buf,
			   (unsigned)r->flags);
	}
}

void __memblock_dump_all(const struct memblock *mb)
{
	env_printk(mb->env, "MEMBLOCK configuration:\n");
	env_printk(mb->env, " memory size = " PA_FMT " reserved size = " PA_FMT "\n",
		   mb->memory.total_size, mb->reserved.total_size);
	memblock_dump(mb, &mb->memory);
	memblock_dump(mb, &mb->reserved);
}

void memblock_dump_all(const struct memblock *mb)
{
	if (mb->debug)
		__memblock_dump_all(mb);
}

/* Models: mm/memblock.c:memblock_debug_show(). */
void memblock_debugfs_show(const struct memblock_type *type, const struct sink *out)
{
	for (unsigned long i = 0; i < type->cnt; i++) {
		const struct memblock_region *r = &type->regions[i];

		sink_printf(out, "%4lu: " PA_FMT ".." PA_FMT "\n", i, r->base,
			    r->base + r->size - 1);
	}
}

/* ---------------------------------------------------------------------------------------- */
/* Invariants                                                                                */

static bool mb_fail(char *why, size_t whylen, const char *fmt, ...) KMM_PRINTF(3, 4);
static bool mb_fail(char *why, size_t whylen, const char *fmt, ...)
{
	va_list ap;

	if (why && whylen) {
		va_start(ap, fmt);
		vsnprintf(why, whylen, fmt, ap);
		va_end(ap);
	}
	return false;
}

static bool type_check(const struct memblock *mb, const struct memblock_type *t, char *why,
		       size_t whylen)
{
	phys_addr_t sum = 0;

	/* 1 */
	if (!t->regions || t->cnt < 1 || t->cnt > t->max)
		return mb_fail(why, whylen, "memblock %s: cnt %lu outside 1..max %lu (or no array)",
			       t->name, t->cnt, t->max);
	/* 2 */
	if (t->cnt == 1 && t->regions[0].size == 0) {
		if (t->regions[0].base != 0 || t->total_size != 0)
			return mb_fail(why, whylen,
				       "memblock %s: empty, but dummy base " PA_FMT
				       " total_size " PA_FMT,
				       t->name, t->regions[0].base, t->total_size);
		return true;
	}
	for (unsigned long i = 0; i < t->cnt; i++) {
		const struct memblock_region *r = &t->regions[i];

		if (r->size == 0)
			return mb_fail(why, whylen, "memblock %s[%lu]: empty region", t->name, i);
		/* 3 */
		if (r->base + r->size < r->base)
			return mb_fail(why, whylen, "memblock %s[%lu]: wraps past PHYS_ADDR_MAX",
				       t->name, i);
		if (i > 0) {
			const struct memblock_region *p = r - 1;

			if (p->base + p->size > r->base)
				return mb_fail(why, whylen,
					       "memblock %s[%lu] and [%lu]: unsorted or "
					       "overlapping",
					       t->name, i - 1, i);
			/* 4 */
			if (p->base + p->size == r->base && p->nid == r->nid &&
			    p->flags == r->flags)
				return mb_fail(why, whylen,
					       "memblock %s[%lu] and [%lu]: mergeable "
					       "neighbours left apart",
					       t->name, i - 1, i);
		}
		sum += r->size;
	}
	/* 5 */
	if (sum != t->total_size)
		return mb_fail(why, whylen,
			       "memblock %s: total_size " PA_FMT " but regions sum to " PA_FMT,
			       t->name, t->total_size, sum);
	/* 6 */
	if (t->array_pa) {
		phys_addr_t len = page_align(t->max * sizeof(struct memblock_region));
		long j = memblock_search(&mb->reserved, t->array_pa);

		if (j == -1 ||
		    mb->reserved.regions[j].base + mb->reserved.regions[j].size < t->array_pa + len)
			return mb_fail(why, whylen,
				       "memblock %s: array at " PA_FMT " is not reserved", t->name,
				       t->array_pa);
	}
	return true;
}

bool memblock_check(const struct memblock *mb, char *why, size_t whylen)
{
	if (!mb)
		return mb_fail(why, whylen, "memblock: NULL instance");
	return type_check(mb, &mb->memory, why, whylen) &&
	       type_check(mb, &mb->reserved, why, whylen);
}
