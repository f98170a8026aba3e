/*
 * Per-CPU TLB hierarchy: L1 instruction and data micro-TLBs, a unified set-associative L2,
 * a walk cache of intermediate (table) descriptors, and a stage-2-only TLB (IPA -> PA).
 * See tlb.c for the model, docs/mmu.md for the default geometry and the cost model.
 */
#ifndef KMM_HW_TLB_H
#define KMM_HW_TLB_H

#include <kmm/types.h>

struct kmm_env;

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

/* A cached table descriptor (intermediate level): next-level table PA for a VA prefix. */
struct tlb_walk_entry {
	uint64_t va;	/* VA[55:0] prefix, aligned to 1 << shift */
	uint64_t table; /* PA of the next-level table */
	uint64_t table_ipa;
	uint64_t stamp;
	uint16_t asid, vmid;
	uint8_t level; /* level of the table descriptor */
	uint8_t shift; /* VA bits resolved through this level */
	uint8_t hier;  /* accumulated APTable/UXNTable/PXNTable (PTW_H_* bits) */
	uint8_t valid;
};

enum tlb_level { TLB_L1I, TLB_L1D, TLB_L2, TLB_WALK, TLB_S2, TLB_NR_LEVELS };

struct tlb_stats {
	uint64_t hits, misses, fills, invalidations;
};

#define TLB_HINTS     64
#define TLB_L1_FILTER 512

#define TLB_WALK_WAYS 4

struct tlb {
	struct tlb_geometry geo;
	struct kmm_env *env;
	struct tlb_entry *l1[2]; /* [0] instruction, [1] data */
	uint64_t *l1key[2];	 /* per L1 entry: va | 1 when valid, 0 when not */
	uint64_t *l1mask[2];	 /* per L1 entry: mask | 1 */
	uint32_t *l1stamp[2];	 /* per L1 entry: l1clock at last use (LRU, PLRU) */
	uint32_t l1clock;
	uint32_t l1epoch[2]; /* PLRU: entries used since this stamp are "used" */
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

/*
 * Full lookup: L1 (scan), then L2 (fills L1 on a hit). NULL on a miss (counted at L1 and
 * L2). *@l2hit tells whether the answer came from L2.
 */
struct tlb_entry *tlb_lookup(struct tlb *tlb, int side, uint64_t va, uint16_t asid, uint16_t vmid,
			     bool *l2hit);

/* Packed arguments of tlb_insert (scalars: see "store forwarding" in tlb.c). */
#define TLB_TAGS(asid, vmid, flags)                                                                \
	((uint64_t)(asid) | (uint64_t)(vmid) << 16 | (uint64_t)(flags) << 32)
#define TLB_ATTRS(perm, attr, sh, level)                                                           \
	((uint64_t)(perm) | (uint64_t)(attr) << 8 | (uint64_t)(sh) << 16 | (uint64_t)(level) << 24)

/*
 * Inserts a translation of 1 << @shift bytes at VA[55:0] @va (aligned down here) with output
 * @pa / @ipa (of the aligned VA) into L2 and the L1 of @side. Returns false without inserting
 * when an entry overlapping the new one's range already matches the same ASID/VMID (a
 * break-before-make violation: two entries would match one lookup); the caller raises the
 * TLB conflict.
 */
bool tlb_insert(struct tlb *tlb, int side, uint64_t va, uint64_t pa, uint64_t ipa, unsigned shift,
		uint64_t tags, uint64_t attrs);

/* Walk cache: deepest cached table entry for @va, or NULL. */
const struct tlb_walk_entry *tlb_walk_lookup(struct tlb *tlb, uint64_t va, uint16_t asid,
					     uint16_t vmid);
/*
 * Caches the table descriptor at @level for @va: next table at @table (@table_ipa); @tags is
 * TLB_WALK_TAGS(asid, vmid, accumulated hierarchical attributes).
 */
#define TLB_WALK_TAGS(asid, vmid, hier)                                                            \
	((uint64_t)(asid) | (uint64_t)(vmid) << 16 | (uint64_t)(hier) << 32)
void tlb_walk_insert(struct tlb *tlb, uint64_t va, unsigned level, uint64_t table,
		     uint64_t table_ipa, uint64_t tags);

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

#endif /* KMM_HW_TLB_H */
