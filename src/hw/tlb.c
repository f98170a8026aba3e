/*
 * The per-CPU TLB hierarchy.
 *
 * Spec: Arm ARM D8.16 (Translation Lookaside Buffers: what may be cached, ASID and VMID
 * tagging, global entries), D8.16.2 (TLB conflict aborts), D8.17 (TLB maintenance
 * instructions and their scope), K1 (CONSTRAINED UNPREDICTABLE behaviour of
 * break-before-make violations).
 *
 * Model (all of it IMPLEMENTATION DEFINED in the architecture; defaults loosely follow the
 * Cortex-A57 TRM: 48-entry L1 I-TLB, 32-entry L1 D-TLB, 1024-entry 4-way unified L2, and a
 * walk cache of intermediate entries, here 32 entries, 4-way set associative, indexed by a
 * hash of the level and the VA prefix):
 *
 *   lookup:  L1 hint (one probe, a direct-mapped index of the fully associative L1)
 *            -> L1 scan (over a packed key/mask array) -> L2 (one set probe per entry
 *            size present) -> walk
 *   fill:    a walk result goes into L2 and into the requesting side's L1
 *   walk:    the walk cache gives the deepest cached table descriptor for the VA and its
 *            accumulated hierarchical permissions; the stage-2 cache translates IPAs
 *
 * Entries are tagged by VMID always and by ASID unless global (nG == 0); they cache the
 * block or contiguous size they came from (4K, 64K, 2M, 32M, 1G, 16G) and the permissions
 * computed at walk time, which the architecture allows a TLB to hold (SCTLR_EL1.WXN
 * included). PSTATE.PAN is applied at lookup time.
 *
 * Invariants (tlb_check):
 *  1. Every valid entry's va is aligned to 1 << shift and shift is in 12..34.
 *  2. L1 hints are only hints: every use re-checks the entry they name (a stale hint can
 *     only cost a scan, never a wrong translation).
 *  3. No two valid L2 entries of one VMID overlap with matching ASIDs (conflicts are
 *     refused at fill). Checked by sorting, in O(n log n) for n L2 entries.
 *  4. The L1 miss filter (l1filt, l1big, l1used) counts exactly the valid L1 entries, and
 *     l1key[i] != 0 exactly when L1 entry i is valid; walk_levels counts the valid walk-cache
 *     entries of each level, and a valid walk-cache entry's key holds its level and a prefix
 *     aligned to its shift.
 *  5. Every L1 entry below l1plru was used since l1epoch (the PLRU victim scan starts there).
 *
 * Deviation: a break-before-make violation is detected when the second, overlapping entry
 * would be filled (the first moment two entries could match one lookup) and the access doing
 * that fill takes the TLB conflict abort; real TLBs detect it at a later lookup, or never.
 * Deviation: an entry that denies an access is dropped and the translation walked again
 * (the architecture allows either that or a fault from the cached entry).
 */
#include "hw/tlb.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/env.h"

void tlb_geometry_default(struct tlb_geometry *geo)
{
	*geo = (struct tlb_geometry){
		.l1i_entries = 48,
		.l1d_entries = 32,
		.l2_sets = 256,
		.l2_ways = 4,
		.walk_entries = 32,
		.s2_entries = 32,
		.policy = TLB_REPL_PLRU,
	};
	tlb_geometry_load_costs(geo, NULL);
}

/* The MMU rows of the cost table (lib/cost.h) are the geometry's cycles_* fields. */
#define TLB_COST_FIELDS(X)                                                                         \
	X(cycles_l1_hit, tlb_l1_hit)                                                               \
	X(cycles_l2_hit, tlb_l2_hit)                                                               \
	X(cycles_walk_read, walk_read)                                                             \
	X(cycles_walk_cache_hit, walk_cache_hit)                                                   \
	X(cycles_tlbi, tlbi)

void tlb_geometry_load_costs(struct tlb_geometry *geo, const uint32_t *cost)
{
#define TLB_COST_LOAD(field, row) geo->field = cost ? cost[COST_##row] : cost_rows[COST_##row].def;
	TLB_COST_FIELDS(TLB_COST_LOAD)
#undef TLB_COST_LOAD
}

void tlb_geometry_store_costs(const struct tlb_geometry *geo, uint32_t *cost)
{
#define TLB_COST_STORE(field, row) cost[COST_##row] = geo->field;
	TLB_COST_FIELDS(TLB_COST_STORE)
#undef TLB_COST_STORE
}

bool tlb_geometry_valid(const struct tlb_geometry *g, char *why, size_t whylen)
{
	const char *bad = NULL;

	if (g->l1i_entries < 1 || g->l1i_entries > 255)
		bad = "l1i_entries must be 1..255";
	else if (g->l1d_entries < 1 || g->l1d_entries > 255)
		bad = "l1d_entries must be 1..255";
	else if (g->l2_sets < 1 || g->l2_sets > TLB_L2_MAX_SETS || (g->l2_sets & (g->l2_sets - 1)))
		bad = "l2_sets must be a power of two in 1..1024";
	else if (g->l2_ways < 1 || g->l2_ways > TLB_L2_MAX_WAYS)
		bad = "l2_ways must be 1..16";
	else if (g->l2_sets * g->l2_ways > TLB_L2_MAX_ENTRIES)
		bad = "l2_sets x l2_ways must be at most 4096 entries";
	else if (g->walk_entries < TLB_WALK_WAYS || g->walk_entries > 1024 ||
		 (g->walk_entries & (g->walk_entries - 1)))
		bad = "walk_entries must be a power of two in 4..1024";
	else if (g->s2_entries < 1 || g->s2_entries > 1024)
		bad = "s2_entries must be 1..1024";
	else if (g->policy > TLB_REPL_RANDOM)
		bad = "policy must be LRU, PLRU or RANDOM";
	if (bad)
		snprintf(why, whylen, "TLB geometry: %s", bad);
	return bad == NULL;
}

bool tlb_init(struct tlb *tlb, struct kmm_env *env, const struct tlb_geometry *geo)
{
	memset(tlb, 0, sizeof(*tlb));
	tlb->geo = *geo;
	tlb->env = env;
	tlb->l1[0] = env_alloc(env, sizeof(struct tlb_entry) * geo->l1i_entries);
	tlb->l1[1] = env_alloc(env, sizeof(struct tlb_entry) * geo->l1d_entries);
	for (int side = 0; side < 2; side++) {
		uint32_t n = side ? geo->l1d_entries : geo->l1i_entries;
		tlb->l1key[side] = env_alloc(env, sizeof(uint64_t) * n);
		tlb->l1mask[side] = env_alloc(env, sizeof(uint64_t) * n);
		tlb->l1stamp[side] = env_alloc(env, sizeof(uint32_t) * n);
	}
	/* The L2 entries, then tlb_check's sort space (one allocation: a fixed host count). */
	tlb->l2 = env_alloc(env, (sizeof(struct tlb_entry) + sizeof(struct tlb_span)) *
					 geo->l2_sets * geo->l2_ways);
	if (tlb->l2)
		tlb->span = (struct tlb_span *)(tlb->l2 + geo->l2_sets * geo->l2_ways);
	tlb->walk = env_alloc(env, sizeof(struct tlb_walk_entry) * geo->walk_entries);
	tlb->s2 = env_alloc(env, sizeof(struct tlb_entry) * geo->s2_entries);
	if (!tlb->l1[0] || !tlb->l1[1] || !tlb->l2 || !tlb->walk || !tlb->s2 || !tlb->l1key[0] ||
	    !tlb->l1key[1] || !tlb->l1mask[0] || !tlb->l1mask[1] || !tlb->l1stamp[0] ||
	    !tlb->l1stamp[1]) {
		tlb_fini(tlb);
		return false;
	}
	return true;
}

void tlb_fini(struct tlb *tlb)
{
	if (!tlb->env)
		return;
	env_free(tlb->env, tlb->l1[0]);
	env_free(tlb->env, tlb->l1[1]);
	for (int side = 0; side < 2; side++) {
		env_free(tlb->env, tlb->l1key[side]);
		env_free(tlb->env, tlb->l1mask[side]);
		env_free(tlb->env, tlb->l1stamp[side]);
		tlb->l1key[side] = tlb->l1mask[side] = NULL;
		tlb->l1stamp[side] = NULL;
	}
	env_free(tlb->env, tlb->l2);
	env_free(tlb->env, tlb->walk);
	env_free(tlb->env, tlb->s2);
	tlb->l1[0] = tlb->l1[1] = tlb->l2 = tlb->s2 = NULL;
	tlb->walk = NULL;
	tlb->span = NULL;
}

/* Keeps the 32-bit L1 use stamps ordered: rebased long before they could wrap. */
void tlb_l1_rebase(struct tlb *tlb)
{
	uint32_t base = tlb->l1clock - (1u << 20);

	for (int side = 0; side < 2; side++) {
		uint32_t n = side ? tlb->geo.l1d_entries : tlb->geo.l1i_entries;
		for (uint32_t i = 0; i < n; i++)
			tlb->l1stamp[side][i] =
				tlb->l1stamp[side][i] > base ? tlb->l1stamp[side][i] - base : 0;
		tlb->l1epoch[side] = tlb->l1epoch[side] > base ? tlb->l1epoch[side] - base : 0;
	}
	tlb->l1clock -= base;
}

/* Could one lookup match both @a and @b? */
static bool tlb_overlap(const struct tlb_entry *a, const struct tlb_entry *b)
{
	uint64_t a_end = a->va + ~a->mask, b_end = b->va + ~b->mask;

	if (!(a->flags & TLB_F_VALID) || !(b->flags & TLB_F_VALID) || a->vmid != b->vmid)
		return false;
	if (!(a->flags & TLB_F_GLOBAL) && !(b->flags & TLB_F_GLOBAL) && a->asid != b->asid)
		return false;
	return (a->va & TLB_VA56_MASK) <= (b_end & TLB_VA56_MASK) &&
	       (b->va & TLB_VA56_MASK) <= (a_end & TLB_VA56_MASK);
}

static bool tlb_any_overlap(const struct tlb_entry *arr, uint32_t n, const struct tlb_entry *e)
{
	for (uint32_t i = 0; i < n; i++) {
		if (tlb_overlap(&arr[i], e))
			return true;
	}
	return false;
}

bool tlb_overlaps_any(const struct tlb *tlb, const struct tlb_entry *e)
{
	return tlb_any_overlap(tlb->l2, tlb->geo.l2_sets * tlb->geo.l2_ways, e) ||
	       tlb_any_overlap(tlb->l1[0], tlb->geo.l1i_entries, e) ||
	       tlb_any_overlap(tlb->l1[1], tlb->geo.l1d_entries, e);
}

struct tlb_entry *tlb_s2_lookup(struct tlb *tlb, uint64_t ipa, uint16_t vmid)
{
	for (uint32_t i = 0; i < tlb->geo.s2_entries; i++) {
		struct tlb_entry *e = &tlb->s2[i];
		if ((e->flags & TLB_F_VALID) && (ipa & e->mask) == e->va && e->vmid == vmid) {
			tlb_touch(tlb, e);
			tlb->st[TLB_S2].hits++;
			return e;
		}
	}
	tlb->st[TLB_S2].misses++;
	return NULL;
}

void tlb_s2_insert(struct tlb *tlb, const struct tlb_entry *in)
{
	uint32_t v = tlb_victim(tlb, tlb->s2, tlb->geo.s2_entries);

	tlb->s2[v] = *in;
	tlb->s2[v].flags = (uint8_t)((in->flags | TLB_F_VALID | TLB_F_GLOBAL) & ~TLB_F_USED);
	tlb->s2[v].mask = ~((TLB_BIT64(in->shift)) - 1);
	tlb->s2[v].va &= tlb->s2[v].mask;
	tlb_touch(tlb, &tlb->s2[v]);
	tlb->st[TLB_S2].fills++;
}

static bool tlbi_range_hits(uint64_t base, uint64_t mask, const struct tlbi_scope *s)
{
	uint64_t end = base + ~mask; /* inclusive, within 56 bits */
	uint64_t s_end = s->va + s->len - 1;

	base &= TLB_VA56_MASK;
	end &= TLB_VA56_MASK;
	return base <= (s_end & TLB_VA56_MASK) && (s->va & TLB_VA56_MASK) <= end;
}

static bool tlbi_matches(const struct tlb_entry *e, const struct tlbi_scope *s, bool s2)
{
	if (!(e->flags & TLB_F_VALID))
		return false;
	if (!(s->match & (s2 ? TLBI_M_S2 : TLBI_M_S1)))
		return false;
	if ((s->match & TLBI_M_VMID) && e->vmid != s->vmid)
		return false;
	if (!s2 && (s->match & TLBI_M_ASID)) {
		if (e->flags & TLB_F_GLOBAL) {
			if (!(s->match & TLBI_M_GLOBAL))
				return false;
		} else if (e->asid != s->asid) {
			return false;
		}
	}
	if (!s2 && (s->match & TLBI_M_NONGLOBAL_ONLY) && (e->flags & TLB_F_GLOBAL))
		return false;
	if ((s->match & TLBI_M_VA) && !tlbi_range_hits(e->va, e->mask, s))
		return false;
	return true;
}

static uint64_t tlbi_array(struct tlb_entry *arr, uint32_t n, const struct tlbi_scope *s, bool s2)
{
	uint64_t removed = 0;

	for (uint32_t i = 0; i < n; i++) {
		if (tlbi_matches(&arr[i], s, s2)) {
			arr[i].flags = 0;
			removed++;
		}
	}
	return removed;
}

static uint64_t tlbi_walk(struct tlb *tlb, const struct tlbi_scope *s)
{
	uint64_t removed = 0;

	if (!(s->match & TLBI_M_S1) || (s->match & TLBI_M_LAST))
		return 0;
	for (uint32_t i = 0; i < tlb->geo.walk_entries; i++) {
		struct tlb_walk_entry *w = &tlb->walk[i];
		if (!w->key)
			continue;
		if ((s->match & TLBI_M_VMID) && (uint16_t)(w->tags >> 16) != s->vmid)
			continue;
		/* By-VA forms over-invalidate walk entries of every ASID (always permitted). */
		if ((s->match & TLBI_M_ASID) && !(s->match & TLBI_M_VA) &&
		    (uint16_t)w->tags != s->asid)
			continue;
		if ((s->match & TLBI_M_VA) &&
		    !tlbi_range_hits(TLB_WALK_VA(w->key), ~((TLB_BIT64(w->shift)) - 1), s))
			continue;
		w->key = 0;
		tlb->walk_levels[w->level]--;
		removed++;
	}
	tlb->st[TLB_WALK].invalidations += removed;
	return removed;
}

/*
 * The L2 part of an invalidation. By VA, only the sets the range can index are looked at:
 * an entry of size 1 << sh sits in set (va >> sh) mod sets, and the sizes present are in
 * l2_shifts; a range that would index every set of a size scans them all. The result is
 * the full scan's (tlbi_matches decides each entry): this only skips sets that cannot hold
 * a match, so a per-page TLBI costs the ways of a few sets, not the whole array.
 */
static uint64_t tlbi_l2(struct tlb *tlb, const struct tlbi_scope *s)
{
	uint32_t sets = tlb->geo.l2_sets, ways = tlb->geo.l2_ways;
	uint64_t shifts = tlb->l2_shifts, removed = 0;
	uint64_t first = s->va & TLB_VA56_MASK, last = (s->va + s->len - 1) & TLB_VA56_MASK;

	bool scan = !(s->match & TLBI_M_VA) || !(s->match & TLBI_M_S1) || !s->len || last < first;

	for (uint64_t m = shifts; m && !scan; m &= m - 1)
		scan = (last >> __builtin_ctzll(m)) - (first >> __builtin_ctzll(m)) >= sets - 1;
	if (scan)
		return tlbi_array(tlb->l2, sets * ways, s, false);
	while (shifts) {
		unsigned sh = (unsigned)__builtin_ctzll(shifts);
		uint64_t lo = first >> sh, hi = last >> sh;

		shifts &= shifts - 1;
		for (uint64_t i = lo; i <= hi; i++)
			removed += tlbi_array(&tlb->l2[(i & (sets - 1)) * ways], ways, s, false);
	}
	return removed;
}

/*
 * The L1 part of an invalidation. A stage-1 scope by VA inside one 4 KiB page overlaps an
 * entry exactly when the entry holds the scope's first byte (entries are aligned to their
 * size, 4 KiB at least): the miss filter then says whether any entry can, and the packed
 * key/mask words pick the candidates without touching the entries. Other scopes test every
 * entry. Either way tlbi_matches decides each candidate, so the result is the full scan's.
 */
static uint64_t tlbi_l1(struct tlb *tlb, int side, uint32_t cnt, const struct tlbi_scope *s)
{
	uint64_t first = s->va & TLB_VA56_MASK, removed = 0;

	if (!(s->match & TLBI_M_VA) || !(s->match & TLBI_M_S1) || !s->len ||
	    s->len > KMM_PAGE_SIZE - (first & (KMM_PAGE_SIZE - 1)))
		return tlbi_array(tlb->l1[side], cnt, s, false);
	if (!tlb->l1used[side] ||
	    (!tlb->l1big[side] && !tlb->l1filt[side][tlb_l1_filter_idx(first)]))
		return 0;
	for (uint32_t i = 0; i < cnt; i++) {
		if (((first | 1) & tlb->l1mask[side][i]) == tlb->l1key[side][i] &&
		    tlbi_matches(&tlb->l1[side][i], s, false)) {
			tlb->l1[side][i].flags = 0;
			removed++;
		}
	}
	return removed;
}

uint64_t tlb_invalidate(struct tlb *tlb, const struct tlbi_scope *s)
{
	uint64_t n, total = 0;

	for (int side = 0; side < 2; side++) {
		uint32_t cnt = side ? tlb->geo.l1d_entries : tlb->geo.l1i_entries;
		n = tlbi_l1(tlb, side, cnt, s);
		for (uint32_t i = 0; n && i < cnt; i++) {
			if (tlb->l1key[side][i] && !(tlb->l1[side][i].flags & TLB_F_VALID)) {
				tlb->l1key[side][i] = 0;
				tlb_l1_account(tlb, side, &tlb->l1[side][i], false);
			}
		}
		tlb->st[side].invalidations += n;
		total += n;
	}
	n = tlbi_l2(tlb, s);
	tlb->st[TLB_L2].invalidations += n;
	total += n;
	n = (s->match & TLBI_M_S2) ? tlbi_array(tlb->s2, tlb->geo.s2_entries, s, true) : 0;
	tlb->st[TLB_S2].invalidations += n;
	total += n;
	total += tlbi_walk(tlb, s);
	if (!(s->match & (TLBI_M_VMID | TLBI_M_ASID | TLBI_M_VA)) && (s->match & TLBI_M_S1))
		tlb->l2_shifts = 0;
	return total;
}

static bool tlb_check_array(const struct tlb_entry *arr, uint32_t n, const char *what, char *why,
			    size_t whylen)
{
	for (uint32_t i = 0; i < n; i++) {
		const struct tlb_entry *e = &arr[i];
		if (!(e->flags & TLB_F_VALID))
			continue;
		if (e->shift < 12 || e->shift > 34 || (e->va & ~e->mask)) {
			snprintf(why, whylen,
				 "tlb: %s entry %u (va 0x%" PRIx64 ", shift %u) is "
				 "misaligned or has an impossible size",
				 what, i, e->va, e->shift);
			return false;
		}
	}
	return true;
}

/* Invariants 4 and 5: the L1 miss filter and the PLRU scan start. */
static bool tlb_check_filter(const struct tlb *tlb, char *why, size_t whylen)
{
	for (int side = 0; side < 2; side++) {
		uint32_t n = side ? tlb->geo.l1d_entries : tlb->geo.l1i_entries, used = 0, big = 0;
		uint8_t filt[TLB_L1_FILTER] = {0};

		for (uint32_t i = 0; i < n; i++) {
			const struct tlb_entry *e = &tlb->l1[side][i];
			if (!tlb->l1key[side][i])
				continue;
			used++;
			if (e->shift > 12)
				big++;
			else
				filt[tlb_l1_filter_idx(e->va)]++;
		}
		if (used != tlb->l1used[side] || big != tlb->l1big[side] ||
		    memcmp(filt, tlb->l1filt[side], sizeof(filt))) {
			snprintf(why, whylen, "tlb: L1%s miss filter out of step with its entries",
				 side ? "D" : "I");
			return false;
		}
		for (uint32_t i = 0; i < tlb->l1plru[side] && i < n; i++) {
			if (tlb->l1stamp[side][i] < tlb->l1epoch[side]) {
				snprintf(why, whylen,
					 "tlb: L1%s entry %u is below the PLRU scan start but "
					 "unused",
					 side ? "D" : "I", i);
				return false;
			}
		}
	}
	return true;
}

static int tlb_span_cmp(const void *pa, const void *pb)
{
	const struct tlb_span *a = pa, *b = pb;

	if (a->tag != b->tag)
		return a->tag < b->tag ? -1 : 1;
	if (a->start != b->start)
		return a->start < b->start ? -1 : 1;
	return a->idx < b->idx ? -1 : a->idx > b->idx;
}

static bool tlb_l2_overlap_report(const struct tlb_span *a, const struct tlb_span *b, char *why,
				  size_t whylen)
{
	snprintf(why, whylen, "tlb: L2 entries %u and %u overlap for one ASID/VMID",
		 a->idx < b->idx ? a->idx : b->idx, a->idx < b->idx ? b->idx : a->idx);
	return false;
}

/*
 * Invariant 3 in O(n log n): the valid entries sorted by (VMID, global first, ASID, start).
 * Within one tag, a sweep finds an entry starting at or before the furthest end so far;
 * a non-global entry is then compared with the global entries of its VMID, which are
 * disjoint once their own sweep passed, so a binary search finds the only candidate.
 */
static bool tlb_check_l2_overlap(const struct tlb *tlb, char *why, size_t whylen)
{
	uint32_t l2n = tlb->geo.l2_sets * tlb->geo.l2_ways, n = 0, g0 = 0, g1 = 0;
	struct tlb_span *sp = tlb->span;
	uint64_t far = 0;

	for (uint32_t i = 0; i < l2n; i++) {
		const struct tlb_entry *e = &tlb->l2[i];
		if (!(e->flags & TLB_F_VALID))
			continue;
		sp[n++] = (struct tlb_span){
			.tag = (uint64_t)e->vmid << 17 |
			       ((e->flags & TLB_F_GLOBAL) ? 0 : (uint64_t)1 << 16 | e->asid),
			.start = e->va & TLB_VA56_MASK,
			.end = (e->va + ~e->mask) & TLB_VA56_MASK,
			.idx = i,
		};
	}
	qsort(sp, n, sizeof(*sp), tlb_span_cmp);
	for (uint32_t i = 0; i < n; i++) {
		if (i == 0 || sp[i].tag != sp[i - 1].tag) {
			far = sp[i].end;
			if (!(sp[i].tag & (uint64_t)1 << 16)) { /* the globals of a new VMID */
				g0 = i;
				g1 = i;
			} else if (i == 0 || sp[i].tag >> 17 != sp[i - 1].tag >> 17) {
				g0 = g1 = i; /* no globals in this VMID */
			}
		} else {
			if (sp[i].start <= far) {
				for (uint32_t j = i; j-- > 0 && sp[j].tag == sp[i].tag;)
					if (sp[j].end >= sp[i].start)
						return tlb_l2_overlap_report(&sp[j], &sp[i], why,
									     whylen);
			}
			far = sp[i].end > far ? sp[i].end : far;
		}
		if (!(sp[i].tag & (uint64_t)1 << 16)) {
			g1 = i + 1;
			continue;
		}
		/* Last global of this VMID starting at or before the end of sp[i]. */
		uint32_t lo = g0, hi = g1;
		while (lo < hi) {
			uint32_t mid = lo + (hi - lo) / 2;
			if (sp[mid].start <= sp[i].end)
				lo = mid + 1;
			else
				hi = mid;
		}
		if (lo > g0 && sp[lo - 1].end >= sp[i].start)
			return tlb_l2_overlap_report(&sp[lo - 1], &sp[i], why, whylen);
	}
	return true;
}

bool tlb_check(const struct tlb *tlb, char *why, size_t whylen)
{
	uint32_t l2n = tlb->geo.l2_sets * tlb->geo.l2_ways;

	if (!tlb_check_filter(tlb, why, whylen))
		return false;
	{
		uint32_t lv[3] = {0, 0, 0};
		for (uint32_t i = 0; i < tlb->geo.walk_entries; i++) {
			const struct tlb_walk_entry *w = &tlb->walk[i];
			if (!w->key)
				continue;
			if (w->level > 2 || w->shift != tlb_walk_shift(w->level) ||
			    w->key != TLB_WALK_KEY(TLB_WALK_VA(w->key) >> w->shift << w->shift,
						   w->level)) {
				snprintf(why, whylen,
					 "tlb: walk-cache entry %u has a malformed key or level",
					 i);
				return false;
			}
			lv[w->level]++;
		}
		if (memcmp(lv, tlb->walk_levels, sizeof(lv))) {
			snprintf(why, whylen, "tlb: walk-cache level counts out of step");
			return false;
		}
	}

	if (!tlb_check_array(tlb->l1[0], tlb->geo.l1i_entries, "L1I", why, whylen) ||
	    !tlb_check_array(tlb->l1[1], tlb->geo.l1d_entries, "L1D", why, whylen) ||
	    !tlb_check_array(tlb->l2, l2n, "L2", why, whylen))
		return false;
	return tlb_check_l2_overlap(tlb, why, whylen);
	return true;
}
