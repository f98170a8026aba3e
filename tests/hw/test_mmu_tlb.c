/*
 * TLB: stale translations stay usable until the right TLBI; the exact scope of each TLBI
 * (other ASIDs, global entries, other VMIDs, other CPUs for the non-IS forms); range TLBI;
 * the TLB conflict abort; counters, cost model and replacement.
 *
 * Expected scopes: Arm ARM D8.17 (TLBI VMALLE1: all stage-1 entries of the current VMID;
 * VAE1: the VA for the given ASID plus global entries; VAAE1: the VA for every ASID;
 * ASIDE1: non-global entries of the ASID; VMALLS12E1: stage 1 and 2 of the current VMID;
 * ALLE1: everything of the EL1&0 regime; *IS: every PE in the Inner Shareable domain; the
 * L forms may keep walk-cache entries).
 *
 * Method: fill entries, then rewrite every leaf descriptor to a new PA without any TLBI;
 * an access that still returns the old PA proves the entry survived.
 */
#include "mmu_fixture.h"

#include <time.h>

#define VA_A 0x0000000011111000ull
#define VA_C 0x0000000022222000ull
#define VA_G 0x0000000033333000ull
#define OLD  (FX_DATA + 0x100000)
#define NEW  (FX_DATA + 0x200000)

struct scope_fx {
	struct fx *fx;
	kmm_pa_t root2; /* TTBR0 tables of ASID 2 */
	kmm_pa_t leaf[5];
};

enum {
	E_A,
	E_B,
	E_C,
	E_G,
	E_V
}; /* A: ASID1; B: same VA, ASID2; C: other VA; G: global;
      V: VA_A, ASID1, VMID 2 */

static void ctx(struct fx *fx, unsigned cpu, unsigned asid, unsigned vmid, kmm_pa_t root)
{
	fx_set(fx, cpu, HW_REG_TTBR0_EL1, root | (uint64_t)asid << TTBR_ASID_SHIFT);
	fx_set(fx, cpu, HW_REG_VTTBR_EL2, (uint64_t)vmid << VTTBR_VMID_SHIFT);
}

static kmm_pa_t probe(struct fx *fx, unsigned cpu, uint64_t va)
{
	struct hw_fault f;
	kmm_pa_t pa = 0;

	if (!fx_access(fx, cpu, 1, HW_ACC_READ, va, &pa, &f))
		fail_msg("probe of 0x%llx faulted (%s)", (unsigned long long)va,
			 esr_fault_name(f.type));
	return pa & ~0xfffull;
}

static void scope_setup(struct scope_fx *s, unsigned cpu)
{
	struct fx *fx = s->fx;

	s->leaf[E_A] = fx_map(fx, VA_A, 3, FX_PAGE(OLD) | DESC_NG);
	s->leaf[E_C] = fx_map(fx, VA_C, 3, FX_PAGE(OLD + 0x1000) | DESC_NG);
	s->leaf[E_G] = fx_map(fx, VA_G, 3, FX_PAGE(OLD + 0x2000));
	s->leaf[E_B] = fx_map_at(fx, s->root2, 0, VA_A, 3, FX_PAGE(OLD + 0x3000) | DESC_NG, 0);
	ctx(fx, cpu, 2, 1, s->root2);
	assert_int_equal(probe(fx, cpu, VA_A), OLD + 0x3000);
	ctx(fx, cpu, 1, 2, fx->root0);
	assert_int_equal(probe(fx, cpu, VA_A), OLD); /* E_V */
	ctx(fx, cpu, 1, 1, fx->root0);
	assert_int_equal(probe(fx, cpu, VA_A), OLD);
	assert_int_equal(probe(fx, cpu, VA_C), OLD + 0x1000);
	assert_int_equal(probe(fx, cpu, VA_G), OLD + 0x2000);
	/* Remap everything, no TLBI. */
	fx_wr(fx, s->leaf[E_A], FX_PAGE(NEW) | DESC_NG);
	fx_wr(fx, s->leaf[E_C], FX_PAGE(NEW + 0x1000) | DESC_NG);
	fx_wr(fx, s->leaf[E_G], FX_PAGE(NEW + 0x2000));
	fx_wr(fx, s->leaf[E_B], FX_PAGE(NEW + 0x3000) | DESC_NG);
}

/* Which of A, B, C, G, V survived (bit per entry)? Context left at ASID 1, VMID 1. */
static unsigned survivors(struct scope_fx *s, unsigned cpu)
{
	struct fx *fx = s->fx;
	unsigned alive = 0;

	ctx(fx, cpu, 1, 2, fx->root0);
	alive |= (probe(fx, cpu, VA_A) == OLD) << E_V;
	ctx(fx, cpu, 2, 1, s->root2);
	alive |= (probe(fx, cpu, VA_A) == OLD + 0x3000) << E_B;
	ctx(fx, cpu, 1, 1, fx->root0);
	alive |= (probe(fx, cpu, VA_A) == OLD) << E_A;
	alive |= (probe(fx, cpu, VA_C) == OLD + 0x1000) << E_C;
	alive |= (probe(fx, cpu, VA_G) == OLD + 0x2000) << E_G;
	return alive;
}

#define S(x) (1u << (x))
#define ALL  (S(E_A) | S(E_B) | S(E_C) | S(E_G) | S(E_V))

static void test_mmu_tlb_tlbi_scope_table(void **state)
{
	/* Range operand: TG=01, SCALE=0, NUM=1 -> (1+1) << 1 = 4 pages from VA_A. */
	const uint64_t range_a = 1ull << 46 | 1ull << 39 | (VA_A >> 12);
	static const struct {
		enum mmu_tlbi_op op;
		uint64_t xt_va;
		bool asid;
		unsigned survive;
	} cases[] = {
		{MMU_TLBI_VAE1, VA_A, true, ALL & ~S(E_A)},
		{MMU_TLBI_VAE1, VA_G, true, ALL & ~S(E_G)},
		{MMU_TLBI_VALE1, VA_A, true, ALL & ~S(E_A)},
		{MMU_TLBI_VAAE1, VA_A, false, ALL & ~(S(E_A) | S(E_B))},
		{MMU_TLBI_VAALE1, VA_A, false, ALL & ~(S(E_A) | S(E_B))},
		{MMU_TLBI_ASIDE1, 0, true, ALL & ~(S(E_A) | S(E_C))},
		{MMU_TLBI_VMALLE1, 0, false, S(E_V)},
		{MMU_TLBI_VMALLS12E1, 0, false, S(E_V)},
		{MMU_TLBI_ALLE1, 0, false, 0},
		{MMU_TLBI_IPAS2E1, VA_A, false, ALL}, /* stage-2-only entries: none here */
		{MMU_TLBI_RVAE1, 0, true, ALL & ~S(E_A)},
		{MMU_TLBI_RVAAE1, 0, false, ALL & ~(S(E_A) | S(E_B))},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct scope_fx s = {.fx = fx_new("max")};
		uint64_t xt;
		unsigned got;

		s.root2 = fx_table(s.fx);
		scope_setup(&s, 0);
		if (cases[i].op == MMU_TLBI_RVAE1 || cases[i].op == MMU_TLBI_RVAAE1)
			xt = range_a;
		else if (cases[i].op == MMU_TLBI_IPAS2E1)
			xt = cases[i].xt_va >> 12;
		else
			xt = cases[i].xt_va >> 12;
		if (cases[i].asid)
			xt |= 1ull << 48;
		assert_true(mmu_tlbi(&s.fx->hw, &s.fx->hw.cpus[0], cases[i].op, xt, false, NULL));
		got = survivors(&s, 0);
		if (got != cases[i].survive)
			fail_msg("TLBI %s: survivors %#x, expected %#x (A=1 B=2 C=4 G=8 V=16)",
				 mmu_tlbi_name(cases[i].op), got, cases[i].survive);
		fx_free(s.fx);
	}
}

/* A stale entry is used until the right TLBI: VAE1 of another VA leaves it alone. */
static void test_mmu_tlb_stale_until_tlbi(void **state)
{
	struct fx *fx = fx_new("max");
	kmm_pa_t slot = fx_map(fx, VA_A, 3, FX_PAGE(OLD) | DESC_NG);

	assert_int_equal(probe(fx, 0, VA_A), OLD);
	fx_wr(fx, slot, FX_PAGE(NEW) | DESC_NG);
	assert_int_equal(probe(fx, 0, VA_A), OLD);
	mmu_tlbi(&fx->hw, &fx->hw.cpus[0], MMU_TLBI_VAE1, 1ull << 48 | VA_C >> 12, false, NULL);
	assert_int_equal(probe(fx, 0, VA_A), OLD);
	mmu_tlbi(&fx->hw, &fx->hw.cpus[0], MMU_TLBI_VAE1, 2ull << 48 | VA_A >> 12, false, NULL);
	assert_int_equal(probe(fx, 0, VA_A), OLD); /* other ASID, non-global entry */
	mmu_tlbi(&fx->hw, &fx->hw.cpus[0], MMU_TLBI_VAE1, 1ull << 48 | VA_A >> 12, false, NULL);
	assert_int_equal(probe(fx, 0, VA_A), NEW);
	/* An unmapped page stays reachable through the TLB until invalidated. */
	fx_wr(fx, slot, 0);
	assert_int_equal(probe(fx, 0, VA_A), NEW);
	mmu_tlbi(&fx->hw, &fx->hw.cpus[0], MMU_TLBI_VALE1, 1ull << 48 | VA_A >> 12, false, NULL);
	{
		struct hw_fault f;
		kmm_pa_t pa;
		assert_false(fx_access(fx, 0, 1, HW_ACC_READ, VA_A, &pa, &f));
		fx_expect_fault(&f, HW_FAULT_TRANSLATION, 3, 1);
	}
	fx_free(fx);
}

/* Non-IS forms act on the issuing CPU only; IS forms on every CPU. */
static void test_mmu_tlb_is_broadcast_and_local(void **state)
{
	struct fx *fx = fx_new("max");
	kmm_pa_t slot = fx_map(fx, VA_A, 3, FX_PAGE(OLD) | DESC_NG);

	assert_int_equal(probe(fx, 0, VA_A), OLD);
	assert_int_equal(probe(fx, 1, VA_A), OLD);
	fx_wr(fx, slot, FX_PAGE(NEW) | DESC_NG);
	mmu_tlbi(&fx->hw, &fx->hw.cpus[0], MMU_TLBI_VAE1, 1ull << 48 | VA_A >> 12, false, NULL);
	assert_int_equal(probe(fx, 0, VA_A), NEW);
	assert_int_equal(probe(fx, 1, VA_A), OLD);
	mmu_tlbi(&fx->hw, &fx->hw.cpus[0], MMU_TLBI_VMALLE1, 0, false, NULL);
	assert_int_equal(probe(fx, 1, VA_A), OLD);
	mmu_tlbi(&fx->hw, &fx->hw.cpus[0], MMU_TLBI_VAE1, 1ull << 48 | VA_A >> 12, true, NULL);
	assert_int_equal(probe(fx, 1, VA_A), NEW);
	fx_free(fx);
}

/* Range TLBI: exactly (NUM+1) << (5*SCALE+1) pages from BaseADDR. */
static void test_mmu_tlb_range_tlbi_exact_extent(void **state)
{
	struct fx *fx = fx_new("max");
	kmm_pa_t slot[6];
	unsigned alive = 0;

	for (unsigned i = 0; i < 6; i++) {
		slot[i] = fx_map(fx, VA_A + i * 4096ull, 3, FX_PAGE(OLD + i * 4096ull) | DESC_NG);
		assert_int_equal(probe(fx, 0, VA_A + i * 4096ull), OLD + i * 4096ull);
		fx_wr(fx, slot[i], FX_PAGE(NEW + i * 4096ull) | DESC_NG);
	}
	/* From VA_A + 1 page, NUM=1, SCALE=0: 4 pages (pages 1..4). */
	assert_true(mmu_tlbi(&fx->hw, &fx->hw.cpus[0], MMU_TLBI_RVAE1,
			     1ull << 48 | 1ull << 46 | 1ull << 39 | ((VA_A + 4096) >> 12), false,
			     NULL));
	for (unsigned i = 0; i < 6; i++)
		alive |= (probe(fx, 0, VA_A + i * 4096ull) == OLD + i * 4096ull) << i;
	assert_int_equal(alive, 0x21);
	/* TG other than 4KB is refused. */
	assert_false(mmu_tlbi(&fx->hw, &fx->hw.cpus[0], MMU_TLBI_RVAE1, 2ull << 46, false, NULL));
	fx_free(fx);
}

/* Break-before-make violation: a 2 MiB block replaces a table while a 4 KiB entry from it
 * is cached; the fill that would make two entries match one VA raises the TLB conflict
 * abort (FSC 0x30) and a report. */
static void test_mmu_tlb_conflict_abort(void **state)
{
	struct fx *fx = fx_new("max");
	struct hw_cpu *cpu = &fx->hw.cpus[0];
	struct tlb_geometry geo;
	struct hw_fault f;
	kmm_pa_t pa, l2slot, table;
	uint64_t reports = fx->env.report_seq;

	tlb_geometry_default(&geo);
	geo.walk_entries = 4; /* one set of four ways */
	tlb_fini(&cpu->tlb);
	assert_true(tlb_init(&cpu->tlb, &fx->env, &geo));
	fx_map(fx, VA_A, 3, FX_PAGE(OLD) | DESC_NG);
	for (uint64_t i = 1; i <= 4; i++)
		fx_map(fx, i << 44, 3, FX_PAGE(OLD));
	assert_int_equal(probe(fx, 0, VA_A), OLD);
	/* Four other walks evict VA_A's entry from the (one-set, four-way) walk cache. */
	for (uint64_t i = 1; i <= 4; i++)
		assert_int_equal(probe(fx, 0, i << 44), OLD);
	table = fx->root0;
	for (unsigned l = 0; l < 2; l++)
		table = fx_rd(fx, table + 8 * fx_idx(VA_A, l)) & DESC_ADDR_MASK;
	l2slot = table + 8 * fx_idx(VA_A, 2);
	fx_wr(fx, l2slot, FX_BLOCK(FX_DATA + 0x400000) | DESC_NG);
	assert_false(fx_access(fx, 0, 1, HW_ACC_READ, VA_A + 0x10000, &pa, &f));
	assert_int_equal(f.type, HW_FAULT_TLB_CONFLICT);
	assert_int_equal(esr_fsc(&f), 0x30);
	assert_int_equal(cpu->tlb.conflicts, 1);
	assert_int_equal(fx->env.report_seq, reports + 1);
	/* After the TLBI that BBM asks for, the block is used. */
	mmu_tlbi(&fx->hw, cpu, MMU_TLBI_VAE1, 1ull << 48 | VA_A >> 12, false, NULL);
	assert_true(fx_access(fx, 0, 1, HW_ACC_READ, VA_A + 0x10000, &pa, &f));
	assert_int_equal(pa, FX_DATA + 0x400000 + ((VA_A + 0x10000) & 0x1fffff));
	fx_free(fx);
}

/* Counters and cost: a cold 48-bit walk reads 4 descriptors and costs 4 walk reads; a
 * neighbour page walks from the cached level-2 table (1 read); a repeat is an L1 hit. */
static void test_mmu_tlb_counters_and_cost(void **state)
{
	struct fx *fx = fx_new("max");
	struct hw_cpu *cpu = &fx->hw.cpus[0];
	uint64_t c0, r0;

	fx_map(fx, VA_A, 3, FX_PAGE(OLD));
	fx_map(fx, VA_A + 0x1000, 3, FX_PAGE(OLD + 0x1000));
	c0 = fx->env.cycles;
	r0 = cpu->walk_reads;
	probe(fx, 0, VA_A);
	assert_int_equal(cpu->walk_reads - r0, 4);
	assert_int_equal(fx->env.cycles - c0, 4 * cpu->tlb.geo.cycles_walk_read);
	assert_int_equal(cpu->tlb.st[TLB_L1D].misses, 1);
	assert_int_equal(cpu->tlb.st[TLB_L2].misses, 1);
	probe(fx, 0, VA_A + 0x1000);
	assert_int_equal(cpu->walk_reads - r0, 5);
	assert_int_equal(cpu->tlb.st[TLB_WALK].hits, 1);
	probe(fx, 0, VA_A);
	assert_int_equal(cpu->tlb.st[TLB_L1D].hits, 1);
	assert_int_equal(cpu->walks, 2);
	fx_free(fx);
}

/* A 4-entry L1 D-TLB with LRU: the fifth page evicts the first from L1, which then hits
 * in L2. PLRU and seeded random replacement are reproducible run to run. */
static void test_mmu_tlb_replacement_policies(void **state)
{
	uint64_t l2hits[3][2];

	for (int pol = TLB_REPL_LRU; pol <= TLB_REPL_RANDOM; pol++) {
		for (int run = 0; run < 2; run++) {
			struct fx *fx = fx_new("max");
			struct hw_cpu *cpu = &fx->hw.cpus[0];
			struct tlb_geometry geo;

			tlb_geometry_default(&geo);
			geo.l1d_entries = 4;
			geo.policy = (enum tlb_policy)pol;
			tlb_fini(&cpu->tlb);
			assert_true(tlb_init(&cpu->tlb, &fx->env, &geo));
			for (unsigned i = 0; i < 8; i++)
				fx_map(fx, VA_A + i * 4096ull, 3, FX_PAGE(OLD + i * 4096ull));
			for (unsigned rep = 0; rep < 3; rep++)
				for (unsigned i = 0; i < 5; i++)
					probe(fx, 0, VA_A + i * 4096ull);
			if (pol == TLB_REPL_LRU)
				assert_int_equal(cpu->tlb.st[TLB_L2].hits, 10); /* LRU thrashes */
			l2hits[pol][run] = cpu->tlb.st[TLB_L2].hits;
			assert_int_equal(cpu->tlb.st[TLB_L2].misses, 5);
			fx_free(fx);
		}
		assert_int_equal(l2hits[pol][0], l2hits[pol][1]);
	}
}

/* TCR_EL1.AS = 0: 8-bit ASIDs, TTBR0.ASID[15:8] ignored (D8.16: "ASID size"); with
 * AS = 1 the full 16 bits tag the entry. */
static void test_mmu_tlb_asid_width(void **state)
{
	struct fx *fx = fx_new("max");
	struct hw_cpu *cpu = &fx->hw.cpus[0];
	kmm_pa_t slot = fx_map(fx, VA_A, 3, FX_PAGE(OLD) | DESC_NG);

	ctx(fx, 0, 0x0101, 1, fx->root0);
	assert_int_equal(probe(fx, 0, VA_A), OLD);
	fx_wr(fx, slot, FX_PAGE(NEW) | DESC_NG);
	ctx(fx, 0, 0x0201, 1, fx->root0); /* AS = 1: another ASID, misses */
	assert_int_equal(probe(fx, 0, VA_A), NEW);
	/* AS = 0 (a change of AS needs a TLB invalidation first). */
	fx_set(fx, 0, HW_REG_TCR_EL1, cpu->r.tcr_el1 & ~TCR_EL1_AS);
	mmu_tlbi(&fx->hw, cpu, MMU_TLBI_ALLE1, 0, false, NULL);
	fx_wr(fx, slot, FX_PAGE(OLD + 0x1000) | DESC_NG);
	ctx(fx, 0, 0x0101, 1, fx->root0);
	assert_int_equal(cpu->cur_asid, 1);
	assert_int_equal(probe(fx, 0, VA_A), OLD + 0x1000);
	fx_wr(fx, slot, FX_PAGE(NEW) | DESC_NG);
	ctx(fx, 0, 0x0201, 1, fx->root0); /* same 8-bit ASID: the entry hits */
	assert_int_equal(probe(fx, 0, VA_A), OLD + 0x1000);
	fx_free(fx);
}

/* A 2 MiB block is one TLB entry: every page of it hits after one walk. */
static void test_mmu_tlb_block_is_one_entry(void **state)
{
	struct fx *fx = fx_new("max");
	struct hw_cpu *cpu = &fx->hw.cpus[0];
	uint64_t walks;

	fx_map(fx, 0x0000004000200000ull, 2, FX_BLOCK(FX_DATA + 0x200000));
	assert_int_equal(probe(fx, 0, 0x0000004000200000ull), FX_DATA + 0x200000);
	walks = cpu->walks;
	for (uint64_t off = 0; off < 0x200000; off += 0x10000)
		assert_int_equal(probe(fx, 0, 0x0000004000200000ull + off),
				 FX_DATA + 0x200000 + off);
	assert_int_equal(cpu->walks, walks);
	fx_free(fx);
}

static uint64_t prop_rand(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

/*
 * Property: software that follows break-before-make and issues the TLBI the architecture
 * asks for after each change never sees a difference between a translation through the
 * TLBs (two CPUs, small TLBs, each replacement policy) and a fresh walk without any cache.
 * Random remaps and unmaps of 4 KiB pages and of a 2 MiB region switching between a block
 * and a table, context switches between two ASIDs, random accesses on both CPUs.
 */
static void test_mmu_tlb_coherent_when_software_follows_bbm(void **state)
{
	const uint64_t region = 0x0000004000000000ull; /* 2 MiB region at L2 index 0 */
	for (int pol = TLB_REPL_LRU; pol <= TLB_REPL_RANDOM; pol++) {
		struct fx *fx = fx_new("max");
		kmm_pa_t root2 = fx_table(fx), l2slot, l3table;
		uint64_t seed = 0x9e3779b97f4a7c15ull + (uint64_t)pol;
		struct tlb_geometry geo;
		bool block = false;

		tlb_geometry_default(&geo);
		geo.l1d_entries = 4;
		geo.l2_sets = 4;
		geo.l2_ways = 2;
		geo.walk_entries = 4;
		geo.s2_entries = 4;
		geo.policy = (enum tlb_policy)pol;
		for (unsigned c = 0; c < 2; c++) {
			tlb_fini(&fx->hw.cpus[c].tlb);
			assert_true(tlb_init(&fx->hw.cpus[c].tlb, &fx->env, &geo));
		}
		/* Region: a table of 16 pages to start with, in both ASIDs' tables. */
		for (unsigned i = 0; i < 16; i++) {
			/* nG: the two ASIDs map the region differently (global entries may not). */
			fx_map(fx, region + i * 4096ull, 3,
			       FX_PAGE(FX_DATA + i * 4096ull) | DESC_NG);
			fx_map_at(fx, root2, 0, region + i * 4096ull, 3,
				  FX_PAGE(FX_DATA + i * 4096ull) | DESC_NG, 0);
		}
		l3table = fx->root0;
		for (unsigned l = 0; l < 2; l++)
			l3table = fx_rd(fx, l3table + 8 * fx_idx(region, l)) & DESC_ADDR_MASK;
		l2slot = l3table + 8 * fx_idx(region, 2);
		l3table = fx_rd(fx, l2slot) & DESC_ADDR_MASK;
		for (unsigned step = 0; step < 4000; step++) {
			unsigned op = (unsigned)(prop_rand(&seed) % 10),
				 cpu = (unsigned)(seed >> 40) & 1;
			unsigned page = (unsigned)(prop_rand(&seed) % 16);
			uint64_t va = region + page * 4096ull;
			struct hw_cpu *c = &fx->hw.cpus[cpu];

			if (op == 0 && !block) { /* remap one page: BBM */
				kmm_pa_t slot = l3table + 8 * fx_idx(va, 3);
				fx_wr(fx, slot, 0);
				mmu_tlbi(&fx->hw, c, MMU_TLBI_VAAE1, va >> 12, true, NULL);
				fx_wr(fx, slot,
				      FX_PAGE(FX_DATA + (prop_rand(&seed) % 64) * 4096ull) |
					      DESC_NG);
			} else if (op == 1 && !block) { /* unmap one page */
				fx_wr(fx, l3table + 8 * fx_idx(va, 3), 0);
				mmu_tlbi(&fx->hw, c, MMU_TLBI_VAALE1, va >> 12, true, NULL);
			} else if (op == 2) { /* table <-> 2 MiB block, BBM over the range */
				fx_wr(fx, l2slot, 0);
				mmu_tlbi(&fx->hw, c, MMU_TLBI_RVAAE1,
					 1ull << 46 | 1ull << 44 | 7ull << 39 | region >> 12, true,
					 NULL);
				block = !block;
				fx_wr(fx, l2slot,
				      block ? FX_BLOCK(FX_DATA + 0x200000) | DESC_NG
					    : l3table | DESC_VALID | DESC_TABLE);
			} else if (op == 3) { /* context switch */
				bool a2 = (c->r.ttbr0_el1 >> 48) == 1;
				ctx(fx, cpu, a2 ? 2 : 1, 1, a2 ? root2 : fx->root0);
			} else {
				struct ptw_req req = {.va = va + 8,
						      .acc = HW_ACC_READ,
						      .el = 1,
						      .flags = PTW_F_NOCACHE};
				struct ptw_result res;
				struct hw_fault f1, f2;
				kmm_pa_t pa = 0;
				bool ok1 =
					mmu_translate(&fx->hw, c, va + 8, HW_ACC_READ, 1, &pa, &f1);
				bool ok2 = ptw_translate(&fx->hw, c, &req, &res, &f2);

				if (ok1 != ok2 || (ok1 && pa != res.pa) ||
				    (!ok1 && f1.type != f2.type))
					fail_msg("policy %d step %u CPU%u VA 0x%llx: TLB says %s "
						 "0x%llx, "
						 "walk says %s 0x%llx",
						 pol, step, cpu, (unsigned long long)va,
						 ok1 ? "PA" : "fault", (unsigned long long)pa,
						 ok2 ? "PA" : "fault", (unsigned long long)res.pa);
			}
		}
		fx_free(fx);
	}
}

static void test_mmu_tlb_geometry_checked(void **state)
{
	struct tlb_geometry geo;
	char why[128];

	tlb_geometry_default(&geo);
	assert_true(tlb_geometry_valid(&geo, why, sizeof(why)));
	geo.l2_sets = 3;
	assert_false(tlb_geometry_valid(&geo, why, sizeof(why)));
	assert_non_null(strstr(why, "l2_sets"));
	/* Bounded by what hardware builds (docs/mmu.md): at most 4096 L2 entries, 16 ways. */
	geo.l2_sets = 256;
	geo.l2_ways = 16;
	assert_true(tlb_geometry_valid(&geo, why, sizeof(why)));
	geo.l2_ways = 17;
	assert_false(tlb_geometry_valid(&geo, why, sizeof(why)));
	assert_non_null(strstr(why, "l2_ways"));
	geo.l2_sets = 4096;
	geo.l2_ways = 16;
	assert_false(tlb_geometry_valid(&geo, why, sizeof(why)));
	geo.l2_sets = 1024;
	geo.l2_ways = 8;
	assert_false(tlb_geometry_valid(&geo, why, sizeof(why)));
	assert_non_null(strstr(why, "4096"));
}

static void l2_put(struct tlb *t, uint32_t i, uint64_t va, unsigned shift, uint16_t asid, bool g)
{
	t->l2[i] = (struct tlb_entry){.va = va,
				      .mask = ~((1ull << shift) - 1) & TLB_VA56_MASK,
				      .shift = (uint8_t)shift,
				      .asid = asid,
				      .flags = (uint8_t)(TLB_F_VALID | (g ? TLB_F_GLOBAL : 0))};
}

/*
 * The L2 overlap check (invariant 3) is O(n log n): a full 4096-entry L2 (every entry the
 * same VAs under 16 ASIDs, which may coexist) checks in milliseconds, and each kind of
 * overlap is still found: two entries of one ASID, a global entry and any ASID's entry.
 */
static void test_mmu_tlb_check_is_not_quadratic(void **state)
{
	struct fx *fx = fx_new("max");
	struct tlb_geometry geo;
	struct tlb *t = &fx->hw.cpus[0].tlb;
	char why[160];
	struct timespec t0, t1;

	tlb_geometry_default(&geo);
	geo.l2_sets = 256;
	geo.l2_ways = 16;
	tlb_fini(t);
	assert_true(tlb_init(t, &fx->env, &geo));
	for (uint32_t i = 0; i < 4096; i++)
		l2_put(t, i, (uint64_t)(i / 16) << 21, 21, (uint16_t)(i % 16 + 1), false);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (int k = 0; k < 10; k++)
		assert_true(tlb_check(t, why, sizeof(why)));
	clock_gettime(CLOCK_MONOTONIC, &t1);
	assert_true((t1.tv_sec - t0.tv_sec) * 1e3 + (t1.tv_nsec - t0.tv_nsec) / 1e6 < 500);

	/* One ASID: a 4 KiB entry inside another's 2 MiB block. */
	l2_put(t, 4095, (5ull << 21) + 0x3000, 12, 1, false);
	assert_false(tlb_check(t, why, sizeof(why)));
	assert_non_null(strstr(why, "4095"));
	/* A global entry overlapping entries of other ASIDs. */
	l2_put(t, 4095, 255ull << 21, 12, 0, true);
	l2_put(t, 4094, 1ull << 40, 12, 0, true); /* a global alone is fine */
	assert_false(tlb_check(t, why, sizeof(why)));
	assert_non_null(strstr(why, "4095"));
	/* Disjoint globals next to the ASIDs' entries are fine. */
	l2_put(t, 4095, 1ull << 41, 30, 0, true);
	assert_true(tlb_check(t, why, sizeof(why)));
	/* Two globals overlapping each other. */
	l2_put(t, 4093, (1ull << 41) + (1ull << 21), 21, 3, true);
	assert_false(tlb_check(t, why, sizeof(why)));
	t->l2[4093].flags = 0;
	fx_free(fx);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_mmu_tlb_tlbi_scope_table),
		cmocka_unit_test(test_mmu_tlb_stale_until_tlbi),
		cmocka_unit_test(test_mmu_tlb_is_broadcast_and_local),
		cmocka_unit_test(test_mmu_tlb_range_tlbi_exact_extent),
		cmocka_unit_test(test_mmu_tlb_conflict_abort),
		cmocka_unit_test(test_mmu_tlb_counters_and_cost),
		cmocka_unit_test(test_mmu_tlb_replacement_policies),
		cmocka_unit_test(test_mmu_tlb_asid_width),
		cmocka_unit_test(test_mmu_tlb_block_is_one_entry),
		cmocka_unit_test(test_mmu_tlb_coherent_when_software_follows_bbm),
		cmocka_unit_test(test_mmu_tlb_geometry_checked),
		cmocka_unit_test(test_mmu_tlb_check_is_not_quadratic),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
