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
 *     refused at fill).
 *  4. The L1 miss filter (l1filt, l1big, l1used) counts exactly the valid L1 entries, and
 *     l1key[i] != 0 exactly when L1 entry i is valid; walk_levels counts the valid walk-cache
 *     entries of each level.
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
#include <string.h>

#include "lib/env.h"

#define VA56_MASK  0x00ffffffffffffffull
#define BIT64_T(n) ((uint64_t)1 << (n))

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
		.cycles_l1_hit = 0,
		.cycles_l2_hit = 4,
		.cycles_walk_read = 20,
		.cycles_walk_cache_hit = 2,
		.cycles_tlbi = 30,
	};
}

bool tlb_geometry_valid(const struct tlb_geometry *g, char *why, size_t whylen)
{
	const char *bad = NULL;

	if (g->l1i_entries < 1 || g->l1i_entries > 255)
		bad = "l1i_entries must be 1..255";
	else if (g->l1d_entries < 1 || g->l1d_entries > 255)
		bad = "l1d_entries must be 1..255";
	else if (g->l2_sets < 1 || g->l2_sets > 65536 || (g->l2_sets & (g->l2_sets - 1)))
		bad = "l2_sets must be a power of two in 1..65536";
	else if (g->l2_ways < 1 || g->l2_ways > 64)
		bad = "l2_ways must be 1..64";
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
	tlb->l2 = env_alloc(env, sizeof(struct tlb_entry) * geo->l2_sets * geo->l2_ways);
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
}

/*
 * Field-by-field copy. A freshly built entry is copied with loads of the widths it was
 * stored with: a struct copy's wide loads over narrow, just-written fields stall the host's
 * store forwarding, which cost more than the rest of a fill.
 */
static inline void tlb_entry_put(struct tlb_entry *d, const struct tlb_entry *s)
{
	d->va = s->va;
	d->pa = s->pa;
	d->ipa = s->ipa;
	d->mask = s->mask;
	d->stamp = s->stamp;
	d->asid = s->asid;
	d->vmid = s->vmid;
	d->shift = s->shift;
	d->flags = s->flags;
	d->perm = s->perm;
	d->attr = s->attr;
	d->sh = s->sh;
	d->level = s->level;
}

/* Writes an entry from scalars (TLB_TAGS/TLB_ATTRS packing). */
static inline void tlb_entry_set(struct tlb_entry *d, uint64_t va, uint64_t pa, uint64_t ipa,
				 uint64_t mask, unsigned shift, uint64_t tags, uint64_t attrs)
{
	d->va = va;
	d->pa = pa;
	d->ipa = ipa;
	d->mask = mask;
	d->asid = (uint16_t)tags;
	d->vmid = (uint16_t)(tags >> 16);
	d->flags = (uint8_t)(tags >> 32);
	d->shift = (uint8_t)shift;
	d->perm = (uint8_t)attrs;
	d->attr = (uint8_t)(attrs >> 8);
	d->sh = (uint8_t)(attrs >> 16);
	d->level = (uint8_t)(attrs >> 24);
}

static inline bool tlb_match(const struct tlb_entry *e, uint64_t va, uint16_t asid, uint16_t vmid)
{
	return (e->flags & TLB_F_VALID) && (va & e->mask) == e->va && e->vmid == vmid &&
	       ((e->flags & TLB_F_GLOBAL) || e->asid == asid);
}

static inline void tlb_touch(struct tlb *tlb, struct tlb_entry *e)
{
	e->stamp = ++tlb->stamp;
	e->flags |= TLB_F_USED;
}

/* Index of the entry to replace among the @n entries of an L2 set or the stage-2 cache. */
static uint32_t tlb_victim(struct tlb *tlb, struct tlb_entry *set, uint32_t n)
{
	uint32_t best = 0;

	for (uint32_t i = 0; i < n; i++) {
		if (!(set[i].flags & TLB_F_VALID))
			return i;
	}
	switch (tlb->geo.policy) {
	case TLB_REPL_RANDOM:
		return (uint32_t)(env_random(tlb->env) % n);
	case TLB_REPL_PLRU:
		for (uint32_t i = 0; i < n; i++) {
			if (!(set[i].flags & TLB_F_USED))
				return i;
		}
		for (uint32_t i = 0; i < n; i++)
			set[i].flags &= (uint8_t)~TLB_F_USED;
		return 0;
	case TLB_REPL_LRU:
	default:
		for (uint32_t i = 1; i < n; i++) {
			if (set[i].stamp < set[best].stamp)
				best = i;
		}
		return best;
	}
}

/* Keeps the 32-bit L1 use stamps ordered: rebased long before they could wrap. */
static void tlb_l1_rebase(struct tlb *tlb)
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

/* Miss-filter slot of a 4K page: page number bits folded per table level. */
static inline unsigned tlb_l1_filter_idx(uint64_t va)
{
	return (unsigned)((va >> 12) ^ (va >> 21) ^ (va >> 30) ^ (va >> 39)) & (TLB_L1_FILTER - 1);
}

/* Keeps the L1 miss filter in step with a slot becoming valid (@add) or invalid. */
static inline void tlb_l1_account(struct tlb *tlb, int side, const struct tlb_entry *e, bool add)
{
	int d = add ? 1 : -1;

	if (e->shift > 12)
		tlb->l1big[side] += (uint32_t)d;
	else
		tlb->l1filt[side][tlb_l1_filter_idx(e->va)] += (uint8_t)d;
	tlb->l1used[side] += (uint32_t)d;
}

/* L1 replacement over the packed key and stamp arrays (the L1 is fully associative). */
static uint32_t tlb_l1_victim(struct tlb *tlb, int side)
{
	uint32_t n = side ? tlb->geo.l1d_entries : tlb->geo.l1i_entries, best = 0;
	const uint64_t *key = tlb->l1key[side];
	const uint32_t *st = tlb->l1stamp[side];

	for (uint32_t i = 0; tlb->l1used[side] < n && i < n; i++) {
		if (!key[i])
			return i;
	}
	switch (tlb->geo.policy) {
	case TLB_REPL_RANDOM:
		return (uint32_t)(env_random(tlb->env) % n);
	case TLB_REPL_PLRU:
		for (uint32_t i = 0; i < n; i++) {
			if (st[i] < tlb->l1epoch[side])
				return i;
		}
		tlb->l1epoch[side] = tlb->l1clock + 1; /* all "used": clear the bits */
		return 0;
	case TLB_REPL_LRU:
	default: {
		uint32_t min = UINT32_MAX;
		for (uint32_t i = 0; i < n; i++) /* a reduction the compiler can vectorize */
			min = st[i] < min ? st[i] : min;
		while (best < n - 1 && st[best] != min)
			best++;
		return best;
	}
	}
}

/* Claims the L1 slot a new entry for @va goes to (evicting its old entry). */
static uint32_t tlb_l1_claim(struct tlb *tlb, int side, uint64_t va)
{
	uint32_t v;

	if (tlb->l1clock > 0xf0000000u)
		tlb_l1_rebase(tlb);
	v = tlb_l1_victim(tlb, side);
	if (tlb->l1key[side][v])
		tlb_l1_account(tlb, side, &tlb->l1[side][v], false);
	tlb->l1stamp[side][v] = ++tlb->l1clock;
	tlb->hint[side][(va >> 12) & (TLB_HINTS - 1)] = (uint8_t)(v + 1);
	tlb->st[side].fills++;
	return v;
}

/* Makes the entry written into slot @v visible to lookups. */
static void tlb_l1_publish(struct tlb *tlb, int side, uint32_t v)
{
	const struct tlb_entry *e = &tlb->l1[side][v];

	tlb_l1_account(tlb, side, e, true);
	tlb->l1key[side][v] = e->va | 1;
	tlb->l1mask[side][v] = e->mask | 1;
}

static void tlb_l1_fill(struct tlb *tlb, int side, const struct tlb_entry *e, uint64_t va)
{
	uint32_t v = tlb_l1_claim(tlb, side, va);

	tlb_entry_put(&tlb->l1[side][v], e);
	tlb_l1_publish(tlb, side, v);
}

static struct tlb_entry *tlb_l2_find(struct tlb *tlb, uint64_t va, uint16_t asid, uint16_t vmid)
{
	uint64_t shifts = tlb->l2_shifts;

	while (shifts) {
		unsigned s = (unsigned)__builtin_ctzll(shifts);
		struct tlb_entry *set;

		shifts &= shifts - 1;
		set = &tlb->l2[((va >> s) & (tlb->geo.l2_sets - 1)) * tlb->geo.l2_ways];
		for (uint32_t w = 0; w < tlb->geo.l2_ways; w++) {
			if (tlb_match(&set[w], va, asid, vmid))
				return &set[w];
		}
	}
	return NULL;
}

struct tlb_entry *tlb_lookup(struct tlb *tlb, int side, uint64_t va, uint16_t asid, uint16_t vmid,
			     bool *l2hit)
{
	uint32_t n = side ? tlb->geo.l1d_entries : tlb->geo.l1i_entries;
	struct tlb_entry *l1 = tlb->l1[side], *e;
	const uint64_t *key = tlb->l1key[side], *mask = tlb->l1mask[side];
	uint64_t k = va | 1;

	*l2hit = false;
	if (!tlb->l1big[side] && !tlb->l1filt[side][tlb_l1_filter_idx(va)])
		n = 0; /* certain miss */
	for (uint32_t i = 0; i < n; i++) {
		if ((k & mask[i]) == key[i] && tlb_match(&l1[i], va, asid, vmid)) {
			tlb->st[side].hits++;
			tlb->l1stamp[side][i] = ++tlb->l1clock;
			tlb->hint[side][(va >> 12) & (TLB_HINTS - 1)] = (uint8_t)(i + 1);
			return &l1[i];
		}
	}
	tlb->st[side].misses++;
	e = tlb_l2_find(tlb, va, asid, vmid);
	if (!e) {
		tlb->st[TLB_L2].misses++;
		return NULL;
	}
	tlb->st[TLB_L2].hits++;
	tlb_touch(tlb, e);
	*l2hit = true;
	tlb_l1_fill(tlb, side, e, va);
	return &tlb->l1[side][tlb->hint[side][(va >> 12) & (TLB_HINTS - 1)] - 1];
}

/* Could one lookup match both @a and @b? */
static bool tlb_overlap(const struct tlb_entry *a, const struct tlb_entry *b)
{
	uint64_t a_end = a->va + ~a->mask, b_end = b->va + ~b->mask;

	if (!(a->flags & TLB_F_VALID) || !(b->flags & TLB_F_VALID) || a->vmid != b->vmid)
		return false;
	if (!(a->flags & TLB_F_GLOBAL) && !(b->flags & TLB_F_GLOBAL) && a->asid != b->asid)
		return false;
	return (a->va & VA56_MASK) <= (b_end & VA56_MASK) &&
	       (b->va & VA56_MASK) <= (a_end & VA56_MASK);
}

static bool tlb_any_overlap(const struct tlb_entry *arr, uint32_t n, const struct tlb_entry *e)
{
	for (uint32_t i = 0; i < n; i++) {
		if (tlb_overlap(&arr[i], e))
			return true;
	}
	return false;
}

bool tlb_insert(struct tlb *tlb, int side, uint64_t va, uint64_t pa, uint64_t ipa, unsigned shift,
		uint64_t tags, uint64_t attrs)
{
	uint64_t mask = ~(BIT64_T(shift) - 1) & VA56_MASK, base = va & mask;
	uint64_t flags = ((tags >> 32) | TLB_F_VALID) & ~(uint64_t)TLB_F_USED;
	struct tlb_entry *set;
	uint32_t v;

	tags = (tags & 0xffffffffu) | flags << 32;
	/*
	 * Only entries smaller than the new one and inside its range can overlap it: one that
	 * covered the looked-up VA would have hit. 4K entries therefore never need the scan.
	 */
	if (shift > 12 && (tlb->l2_shifts & (BIT64_T(shift) - 1))) {
		struct tlb_entry e;

		tlb_entry_set(&e, base, pa, ipa, mask, shift, tags, attrs);
		if (tlb_any_overlap(tlb->l2, tlb->geo.l2_sets * tlb->geo.l2_ways, &e) ||
		    tlb_any_overlap(tlb->l1[0], tlb->geo.l1i_entries, &e) ||
		    tlb_any_overlap(tlb->l1[1], tlb->geo.l1d_entries, &e)) {
			tlb->conflicts++;
			return false;
		}
	}
	set = &tlb->l2[((base >> shift) & (tlb->geo.l2_sets - 1)) * tlb->geo.l2_ways];
	v = tlb_victim(tlb, set, tlb->geo.l2_ways);
	tlb_entry_set(&set[v], base, pa, ipa, mask, shift, tags, attrs);
	set[v].stamp = ++tlb->stamp;
	set[v].flags |= TLB_F_USED;
	tlb->l2_shifts |= BIT64_T(shift);
	tlb->st[TLB_L2].fills++;
	v = tlb_l1_claim(tlb, side, va);
	tlb_entry_set(&tlb->l1[side][v], base, pa, ipa, mask, shift, tags, attrs);
	tlb_l1_publish(tlb, side, v);
	return true;
}

static struct tlb_walk_entry *tlb_walk_set(struct tlb *tlb, uint64_t va, unsigned level,
					   unsigned shift)
{
	uint32_t sets = tlb->geo.walk_entries / TLB_WALK_WAYS;
	uint64_t p = va >> shift;

	return &tlb->walk[((p ^ (p >> 9) ^ level) & (sets - 1)) * TLB_WALK_WAYS];
}

/* Shift of the VA prefix a table descriptor at @level covers (4KB granule). */
static inline unsigned tlb_walk_shift(unsigned level)
{
	return 12 + 9 * (3 - level);
}

const struct tlb_walk_entry *tlb_walk_lookup(struct tlb *tlb, uint64_t va, uint16_t asid,
					     uint16_t vmid)
{
	for (int level = 2; level >= 0; level--) {
		unsigned shift = tlb_walk_shift((unsigned)level);
		struct tlb_walk_entry *set;
		uint64_t prefix = (va >> shift) << shift;

		if (!tlb->walk_levels[level])
			continue;
		set = tlb_walk_set(tlb, va, (unsigned)level, shift);

		for (unsigned w = 0; w < TLB_WALK_WAYS; w++) {
			struct tlb_walk_entry *e = &set[w];
			if (e->valid && e->va == prefix && e->level == level && e->vmid == vmid &&
			    e->asid == asid) {
				e->stamp = ++tlb->stamp;
				tlb->st[TLB_WALK].hits++;
				return e;
			}
		}
	}
	tlb->st[TLB_WALK].misses++;
	return NULL;
}

void tlb_walk_insert(struct tlb *tlb, uint64_t va, unsigned level, uint64_t table,
		     uint64_t table_ipa, uint64_t tags)
{
	unsigned shift = tlb_walk_shift(level), v = 0;
	struct tlb_walk_entry *set = tlb_walk_set(tlb, va, level, shift);
	uint64_t best = UINT64_MAX;

	/* Invalid ways count as stamp 0, so the minimum finds them first. */
	for (unsigned w = 0; w < TLB_WALK_WAYS; w++) {
		uint64_t st = set[w].valid ? set[w].stamp : 0;
		v = st < best ? w : v;
		best = st < best ? st : best;
	}
	if (best && tlb->geo.policy == TLB_REPL_RANDOM)
		v = (unsigned)(env_random(tlb->env) % TLB_WALK_WAYS);
	if (set[v].valid)
		tlb->walk_levels[set[v].level]--;
	tlb->walk_levels[level]++;
	set[v].va = (va >> shift) << shift;
	set[v].table = table;
	set[v].table_ipa = table_ipa;
	set[v].asid = (uint16_t)tags;
	set[v].vmid = (uint16_t)(tags >> 16);
	set[v].level = (uint8_t)level;
	set[v].shift = (uint8_t)shift;
	set[v].hier = (uint8_t)(tags >> 32);
	set[v].valid = 1;
	set[v].stamp = ++tlb->stamp;
	tlb->st[TLB_WALK].fills++;
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
	tlb->s2[v].mask = ~((BIT64_T(in->shift)) - 1);
	tlb->s2[v].va &= tlb->s2[v].mask;
	tlb_touch(tlb, &tlb->s2[v]);
	tlb->st[TLB_S2].fills++;
}

static bool tlbi_range_hits(uint64_t base, uint64_t mask, const struct tlbi_scope *s)
{
	uint64_t end = base + ~mask; /* inclusive, within 56 bits */
	uint64_t s_end = s->va + s->len - 1;

	base &= VA56_MASK;
	end &= VA56_MASK;
	return base <= (s_end & VA56_MASK) && (s->va & VA56_MASK) <= end;
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
		if (!w->valid)
			continue;
		if ((s->match & TLBI_M_VMID) && w->vmid != s->vmid)
			continue;
		/* By-VA forms over-invalidate walk entries of every ASID (always permitted). */
		if ((s->match & TLBI_M_ASID) && !(s->match & TLBI_M_VA) && w->asid != s->asid)
			continue;
		if ((s->match & TLBI_M_VA) &&
		    !tlbi_range_hits(w->va, ~((BIT64_T(w->shift)) - 1), s))
			continue;
		w->valid = 0;
		tlb->walk_levels[w->level]--;
		removed++;
	}
	tlb->st[TLB_WALK].invalidations += removed;
	return removed;
}

uint64_t tlb_invalidate(struct tlb *tlb, const struct tlbi_scope *s)
{
	uint64_t n, total = 0;

	for (int side = 0; side < 2; side++) {
		uint32_t cnt = side ? tlb->geo.l1d_entries : tlb->geo.l1i_entries;
		n = tlbi_array(tlb->l1[side], cnt, s, false);
		for (uint32_t i = 0; n && i < cnt; i++) {
			if (tlb->l1key[side][i] && !(tlb->l1[side][i].flags & TLB_F_VALID)) {
				tlb->l1key[side][i] = 0;
				tlb_l1_account(tlb, side, &tlb->l1[side][i], false);
			}
		}
		tlb->st[side].invalidations += n;
		total += n;
	}
	n = tlbi_array(tlb->l2, tlb->geo.l2_sets * tlb->geo.l2_ways, s, false);
	tlb->st[TLB_L2].invalidations += n;
	total += n;
	n = tlbi_array(tlb->s2, tlb->geo.s2_entries, s, true);
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

/* Invariant 4: the L1 miss filter counts exactly the valid L1 entries. */
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
			if (tlb->walk[i].valid && tlb->walk[i].level < 3)
				lv[tlb->walk[i].level]++;
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
	for (uint32_t i = 0; i < l2n; i++) {
		for (uint32_t j = i + 1; j < l2n; j++) {
			if (tlb_overlap(&tlb->l2[i], &tlb->l2[j])) {
				snprintf(why, whylen,
					 "tlb: L2 entries %u and %u overlap for one "
					 "ASID/VMID",
					 i, j);
				return false;
			}
		}
	}
	return true;
}
