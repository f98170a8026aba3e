/*
 * Per-CPU TLB hierarchy: L1 instruction and data micro-TLBs, a unified set-associative L2,
 * a walk cache of intermediate (table) descriptors, and a stage-2-only TLB (IPA -> PA).
 * See tlb.c for the model, docs/mmu.md for the default geometry and the cost model.
 */
#ifndef KMM_HW_TLB_H
#define KMM_HW_TLB_H

#include <kmm/types.h>

#include "lib/env.h"

enum tlb_policy {
	TLB_REPL_LRU,	 /* least recently used (per-entry stamps) */
	TLB_REPL_PLRU,	 /* bit pseudo-LRU (one "used" bit per entry) */
	TLB_REPL_RANDOM, /* seeded, from env_random() */
};

/* Geometry and cost model (implementation defined; defaults in tlb_geometry_default). */
struct tlb_geometry {
	uint32_t l1i_entries; /* fully associative */
	uint32_t l1d_entries; /* fully associative */
	uint32_t l2_sets;     /* power of two */
	uint32_t l2_ways;
	uint32_t walk_entries; /* walk cache (levels 0-2 table entries), 4-way set associative */
	uint32_t s2_entries;   /* fully associative stage-2-only cache */
	enum tlb_policy policy;
	/* Cost model, in CPU cycles, added to the machine clock. */
	uint32_t cycles_l1_hit;
	uint32_t cycles_l2_hit;
	uint32_t cycles_walk_read;
	uint32_t cycles_walk_cache_hit;
	uint32_t cycles_tlbi;
};

void tlb_geometry_default(struct tlb_geometry *geo);
/*
 * The cycles_* fields from the cost table @cost (env->cost; NULL: the table's defaults), and
 * back: the geometry's copies are what the access path reads, next to the TLB it probes.
 */
void tlb_geometry_load_costs(struct tlb_geometry *geo, const uint32_t *cost);
void tlb_geometry_store_costs(const struct tlb_geometry *geo, uint32_t *cost);
/* Checks @geo; false with a message naming the wrong field. */
bool tlb_geometry_valid(const struct tlb_geometry *geo, char *why, size_t whylen);

/* Entry permissions (after all checks that do not depend on PSTATE): */
#define TLB_P_R0 0x01u /* EL0 read */
#define TLB_P_W0 0x02u
#define TLB_P_X0 0x04u
#define TLB_P_R1 0x08u /* EL1 read */
#define TLB_P_W1 0x10u
#define TLB_P_X1 0x20u
#define TLB_P_U	 0x40u /* EL0 accessible at stage 1 (what PAN looks at) */

/* Entry flags */
#define TLB_F_VALID  0x01u
#define TLB_F_GLOBAL 0x02u /* nG == 0: matches every ASID */
#define TLB_F_S2     0x04u /* combined stage 1 + stage 2 translation */
#define TLB_F_USED   0x08u /* PLRU bit */

/*
 * A leaf translation. va is VA[55:0] aligned down to the entry size; the entry covers
 * [va, va + (1 << shift)). Block and contiguous sizes are cached as such.
 */
struct tlb_entry {
	uint64_t va;
	uint64_t pa;   /* output address of va */
	uint64_t ipa;  /* stage-1 output of va (== pa without stage 2) */
	uint64_t mask; /* ~((1 << shift) - 1) over 56 bits */
	uint64_t stamp;
	uint16_t asid, vmid;
	uint8_t shift, flags, perm, attr, sh, level;
};

/*
 * A cached table descriptor (intermediate level): next-level table PA for a VA prefix. The
 * prefix, level and valid bit share one word and ASID and VMID another, so that a lookup
 * compares two words per way.
 */
struct tlb_walk_entry {
	uint64_t key;	/* TLB_WALK_KEY(VA[55:0] prefix, level); 0 when invalid */
	uint32_t tags;	/* asid | vmid << 16 */
	uint8_t level;	/* level of the table descriptor */
	uint8_t shift;	/* VA bits resolved through this level; the prefix is aligned to it */
	uint8_t hier;	/* accumulated APTable/UXNTable/PXNTable (PTW_H_* bits) */
	uint64_t table; /* PA of the next-level table */
	uint64_t table_ipa;
	uint64_t stamp;
};

/* Prefixes are aligned to at least 2 MiB: the level and the valid bit fit below them. */
#define TLB_WALK_KEY(prefix, level) ((prefix) | (uint64_t)(level) << 1 | 1)
#define TLB_WALK_VA(key)	    ((key) & ~(uint64_t)0xfff)

enum tlb_level { TLB_L1I, TLB_L1D, TLB_L2, TLB_WALK, TLB_S2, TLB_NR_LEVELS };

struct tlb_stats {
	uint64_t hits, misses, fills, invalidations;
};

#define TLB_HINTS     64
#define TLB_L1_FILTER 512

#define TLB_WALK_WAYS 4

/*
 * Bounds on the L2 geometry, a little beyond what hardware builds (Arm's largest cores have
 * 2048-entry L2 TLBs of 4..8 ways; docs/mmu.md): a larger one is refused.
 */
#define TLB_L2_MAX_SETS	   1024u
#define TLB_L2_MAX_WAYS	   16u
#define TLB_L2_MAX_ENTRIES 4096u

/* One valid L2 entry as tlb_check sorts them: tag (VMID, global or ASID), then start. */
struct tlb_span {
	uint64_t tag, start, end; /* start and end (inclusive) over VA[55:0] */
	uint32_t idx;
};

struct tlb {
	struct tlb_geometry geo;
	struct kmm_env *env;
	struct tlb_span *span;	 /* tlb_check's scratch: one per L2 entry, in the l2 allocation */
	struct tlb_entry *l1[2]; /* [0] instruction, [1] data */
	uint64_t *l1key[2];	 /* per L1 entry: va | 1 when valid, 0 when not */
	uint64_t *l1mask[2];	 /* per L1 entry: mask | 1 */
	uint32_t *l1stamp[2];	 /* per L1 entry: l1clock at last use (LRU, PLRU) */
	uint32_t l1clock;
	uint32_t l1epoch[2]; /* PLRU: entries used since this stamp are "used" */
	uint32_t l1plru[2];  /* PLRU: every L1 entry below this index is "used" */
	/*
	 * Miss filter: l1filt counts the valid 4K entries per page number mod TLB_L1_FILTER,
	 * l1big the valid larger entries, l1used all valid entries. A lookup whose counter is 0
	 * while l1big is 0 is a miss without a scan; a fill into a full L1 skips the search for a
	 * free slot.
	 */
	uint8_t l1filt[2][TLB_L1_FILTER];
	uint32_t l1big[2], l1used[2];
	uint8_t hint[2][TLB_HINTS];  /* L1 index + 1 for a 4K page number, 0 = none */
	struct tlb_entry *l2;	     /* sets * ways */
	struct tlb_walk_entry *walk; /* walk_entries / TLB_WALK_WAYS sets */
	uint32_t walk_levels[3];     /* valid walk-cache entries per level (lookup skips 0) */
	struct tlb_entry *s2;	     /* va = IPA */
	uint64_t l2_shifts;	     /* bit s set: L2 may hold entries of size 1 << s */
	uint64_t stamp;
	struct tlb_stats st[TLB_NR_LEVELS];
	uint64_t conflicts;
};

/* Allocates the arrays for @geo; false (nothing allocated) on host exhaustion. */
bool tlb_init(struct tlb *tlb, struct kmm_env *env, const struct tlb_geometry *geo);
void tlb_fini(struct tlb *tlb);

/* Fast L1 lookup of @va (VA[55:0]); NULL on miss. Counts a hit, never a miss. */
static inline struct tlb_entry *tlb_l1_lookup(struct tlb *tlb, int side, uint64_t va, uint16_t asid,
					      uint16_t vmid)
{
	unsigned h = tlb->hint[side][(va >> 12) & (TLB_HINTS - 1)];

	if (h && ((va | 1) & tlb->l1mask[side][h - 1]) == tlb->l1key[side][h - 1]) {
		struct tlb_entry *e = &tlb->l1[side][h - 1];
		if (e->vmid == vmid && ((e->flags & TLB_F_GLOBAL) || e->asid == asid)) {
			tlb->st[side].hits++;
			tlb->l1stamp[side][h - 1] = ++tlb->l1clock;
			return e;
		}
	}
	return NULL;
}

/* Packed tags of tlb_walk_insert. */
#define TLB_WALK_TAGS(asid, vmid, hier)                                                            \
	((uint64_t)(asid) | (uint64_t)(vmid) << 16 | (uint64_t)(hier) << 32)

/* Stage-2-only cache (IPA -> PA). */
struct tlb_entry *tlb_s2_lookup(struct tlb *tlb, uint64_t ipa, uint16_t vmid);
void tlb_s2_insert(struct tlb *tlb, const struct tlb_entry *e);

/* What a TLBI removes (struct built by mmu.c from the instruction name and operand). */
#define TLBI_M_VMID	      0x01u /* only entries of vmid */
#define TLBI_M_ASID	      0x02u /* only entries of asid, plus global ones if TLBI_M_GLOBAL */
#define TLBI_M_GLOBAL	      0x04u /* with ASID: global entries also match */
#define TLBI_M_VA	      0x08u /* only entries overlapping [va, va + len) */
#define TLBI_M_LAST	      0x10u /* last level only: the walk cache may be kept */
#define TLBI_M_S1	      0x20u /* stage-1 (and combined) entries */
#define TLBI_M_S2	      0x40u /* stage-2-only entries (by IPA when TLBI_M_VA) */
#define TLBI_M_NONGLOBAL_ONLY 0x80u /* ASIDE1: global entries are kept */

struct tlbi_scope {
	uint32_t match;
	uint16_t asid, vmid;
	uint64_t va, len; /* VA[55:0] (or IPA) range */
};

/* Removes every cached entry in @s's scope; returns how many were removed. */
uint64_t tlb_invalidate(struct tlb *tlb, const struct tlbi_scope *s);

bool tlb_check(const struct tlb *tlb, char *why, size_t whylen);

/* Rebases the 32-bit L1 use stamps (tlb_l1_claim calls it long before they could wrap). */
void tlb_l1_rebase(struct tlb *tlb);

/*
 * Whether a valid L1 or L2 entry could match a lookup that @e also matches (a TLB conflict
 * if @e were filled). Changes nothing.
 */
bool tlb_overlaps_any(const struct tlb *tlb, const struct tlb_entry *e);

/*
 * ---- Lookup and fill ----------------------------------------------------------------------
 *
 * The access path's L1 miss runs through these once per translation (lookup, walk-cache
 * lookup and fill, TLB fill), so they are inline here rather than calls into tlb.c: the
 * callers (mmu.c, ptw.c) then keep their arguments in registers.
 */

#define TLB_VA56_MASK 0x00ffffffffffffffull
#define TLB_BIT64(n)  ((uint64_t)1 << (n))

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

static inline bool tlb_match(const struct tlb_entry *e, uint64_t va, uint16_t asid, uint16_t vmid)
{
	/* The VA tag first: it rejects almost every entry a lookup looks at. */
	return (va & e->mask) == e->va && (e->flags & TLB_F_VALID) && e->vmid == vmid &&
	       ((e->flags & TLB_F_GLOBAL) || e->asid == asid);
}

static inline void tlb_touch(struct tlb *tlb, struct tlb_entry *e)
{
	e->stamp = ++tlb->stamp;
	e->flags |= TLB_F_USED;
}

/*
 * Index of the entry to replace among the @n entries of an L2 set or the stage-2 cache: a free
 * entry first, else by the policy. One pass finds both the free and the PLRU candidate.
 */
static inline uint32_t tlb_victim(struct tlb *tlb, struct tlb_entry *set, uint32_t n)
{
	uint32_t unused = n, best = 0;

	for (uint32_t i = 0; i < n; i++) {
		uint8_t fl = set[i].flags;
		if (!(fl & TLB_F_VALID))
			return i;
		if (!(fl & TLB_F_USED) && unused == n)
			unused = i;
	}
	switch (tlb->geo.policy) {
	case TLB_REPL_RANDOM:
		return (uint32_t)(env_random(tlb->env) % n);
	case TLB_REPL_PLRU:
		if (unused < n)
			return unused;
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

/*
 * Miss-filter slot of a 4K page: page number bits folded per table level, i.e.
 * (va >> 12) ^ (va >> 21) ^ (va >> 30) ^ (va >> 39), computed in two folds.
 */
static inline unsigned tlb_l1_filter_idx(uint64_t va)
{
	uint64_t x = va >> 12;

	x ^= x >> 18;
	x ^= x >> 9;
	return (unsigned)x & (TLB_L1_FILTER - 1);
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
static inline uint32_t tlb_l1_victim(struct tlb *tlb, int side)
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
		/*
		 * The first entry not used since the epoch. Every entry below l1plru is used (an
		 * entry only becomes unused when the epoch moves), so the scan starts there.
		 */
		for (uint32_t i = tlb->l1plru[side]; i < n; i++) {
			if (st[i] < tlb->l1epoch[side]) {
				tlb->l1plru[side] = i + 1; /* the caller stamps it */
				return i;
			}
		}
		tlb->l1epoch[side] = tlb->l1clock + 1; /* all "used": clear the bits */
		tlb->l1plru[side] = 1;
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
static inline uint32_t tlb_l1_claim(struct tlb *tlb, int side, uint64_t va)
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
static inline void tlb_l1_publish(struct tlb *tlb, int side, uint32_t v)
{
	const struct tlb_entry *e = &tlb->l1[side][v];

	tlb_l1_account(tlb, side, e, true);
	tlb->l1key[side][v] = e->va | 1;
	tlb->l1mask[side][v] = e->mask | 1;
}

static inline void tlb_l1_fill(struct tlb *tlb, int side, const struct tlb_entry *e, uint64_t va)
{
	uint32_t v = tlb_l1_claim(tlb, side, va);

	tlb_entry_put(&tlb->l1[side][v], e);
	tlb_l1_publish(tlb, side, v);
}

static inline struct tlb_entry *tlb_l2_find(struct tlb *tlb, uint64_t va, uint16_t asid,
					    uint16_t vmid)
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

/*
 * Full lookup: L1 (scan), then L2 (fills L1 on a hit). NULL on a miss (counted at L1 and
 * L2). *@l2hit tells whether the answer came from L2.
 */
static inline struct tlb_entry *tlb_lookup(struct tlb *tlb, int side, uint64_t va, uint16_t asid,
					   uint16_t vmid, bool *l2hit)
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

/*
 * Inserts the translation @e into L2 and the L1 of @side. @e holds the looked-up VA[55:0] in
 * va, the output address and IPA of that VA's 1 << shift block (aligned down) in pa and ipa,
 * and shift, asid, vmid, flags (TLB_F_GLOBAL, TLB_F_S2), perm, attr, sh and level; va, mask,
 * flags and stamp are completed here. Returns false without inserting when an entry
 * overlapping the new one's range already matches the same ASID/VMID (a break-before-make
 * violation: two entries would match one lookup); the caller raises the TLB conflict.
 */
static inline bool tlb_insert(struct tlb *tlb, int side, struct tlb_entry *e)
{
	uint64_t va = e->va, mask = ~(TLB_BIT64(e->shift) - 1) & TLB_VA56_MASK;
	struct tlb_entry *set;
	uint32_t v;

	e->va = va & mask;
	e->mask = mask;
	e->flags = (uint8_t)((e->flags | TLB_F_VALID) & ~TLB_F_USED);
	/*
	 * Only entries smaller than the new one and inside its range can overlap it: one that
	 * covered the looked-up VA would have hit. 4K entries therefore never need the scan.
	 */
	if (e->shift > 12 && (tlb->l2_shifts & (TLB_BIT64(e->shift) - 1)) &&
	    tlb_overlaps_any(tlb, e)) {
		tlb->conflicts++;
		return false;
	}
	set = &tlb->l2[((e->va >> e->shift) & (tlb->geo.l2_sets - 1)) * tlb->geo.l2_ways];
	v = tlb_victim(tlb, set, tlb->geo.l2_ways);
	e->stamp = ++tlb->stamp;
	tlb_entry_put(&set[v], e);
	set[v].flags |= TLB_F_USED;
	tlb->l2_shifts |= TLB_BIT64(e->shift);
	tlb->st[TLB_L2].fills++;
	v = tlb_l1_claim(tlb, side, va);
	tlb_entry_put(&tlb->l1[side][v], e);
	tlb_l1_publish(tlb, side, v);
	return true;
}

static inline struct tlb_walk_entry *tlb_walk_set(struct tlb *tlb, uint64_t va, unsigned level,
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

/* Walk cache: deepest cached table entry for @va, or NULL. */
static inline const struct tlb_walk_entry *tlb_walk_lookup(struct tlb *tlb, uint64_t va,
							   uint16_t asid, uint16_t vmid)
{
	uint32_t tags = (uint32_t)asid | (uint32_t)vmid << 16;

	for (int level = 2; level >= 0; level--) {
		unsigned shift = tlb_walk_shift((unsigned)level);
		uint64_t key = TLB_WALK_KEY((va >> shift) << shift, (unsigned)level);
		struct tlb_walk_entry *set;

		if (!tlb->walk_levels[level])
			continue;
		set = tlb_walk_set(tlb, va, (unsigned)level, shift);
		for (unsigned w = 0; w < TLB_WALK_WAYS; w++) {
			if (set[w].key == key && set[w].tags == tags) {
				set[w].stamp = ++tlb->stamp;
				tlb->st[TLB_WALK].hits++;
				return &set[w];
			}
		}
	}
	tlb->st[TLB_WALK].misses++;
	return NULL;
}

/*
 * Caches the table descriptor at @level for @va: next table at @table (@table_ipa); @tags is
 * TLB_WALK_TAGS(asid, vmid, accumulated hierarchical attributes).
 */
static inline void tlb_walk_insert(struct tlb *tlb, uint64_t va, unsigned level, uint64_t table,
				   uint64_t table_ipa, uint64_t tags)
{
	unsigned shift = tlb_walk_shift(level), v = 0;
	struct tlb_walk_entry *set = tlb_walk_set(tlb, va, level, shift);
	uint64_t best = UINT64_MAX;

	/* Invalid ways count as stamp 0, so the minimum finds them first. */
	for (unsigned w = 0; w < TLB_WALK_WAYS; w++) {
		uint64_t st = set[w].key ? set[w].stamp : 0;
		v = st < best ? w : v;
		best = st < best ? st : best;
	}
	if (best && tlb->geo.policy == TLB_REPL_RANDOM)
		v = (unsigned)(env_random(tlb->env) % TLB_WALK_WAYS);
	if (set[v].key)
		tlb->walk_levels[set[v].level]--;
	tlb->walk_levels[level]++;
	set[v].key = TLB_WALK_KEY((va >> shift) << shift, level);
	set[v].tags = (uint32_t)tags;
	set[v].level = (uint8_t)level;
	set[v].shift = (uint8_t)shift;
	set[v].hier = (uint8_t)(tags >> 32);
	set[v].table = table;
	set[v].table_ipa = table_ipa;
	set[v].stamp = ++tlb->stamp;
	tlb->st[TLB_WALK].fills++;
}

#endif /* KMM_HW_TLB_H */
