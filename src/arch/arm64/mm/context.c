/*
 * The arm64 ASID allocator and the address-space switch: which ASID tags a user mm's TLB
 * entries, when ASIDs are recycled, and how a CPU's TTBRs are programmed for an mm.
 *
 * Models: arch/arm64/mm/context.c (Linux 6.1): asids_init(), asids_update_limit(),
 *         set_kpti_asid_bits(), set_reserved_asid_bits(), flush_context(),
 *         check_update_reserved_asid(), new_context(), check_and_switch_context(),
 *         arm64_mm_context_get(), arm64_mm_context_put(), cpu_do_switch_mm();
 *         arch/arm64/include/asm/mmu_context.h: cpu_set_reserved_ttbr0(), cpu_switch_mm(),
 *         __switch_mm(), switch_mm().
 *
 * How it works. mm->context.id holds generation | ASID; the generation advances in steps of
 * 1 << 16 (ASID_FIRST_VERSION) whatever the ASID width. An mm whose id is of the current
 * generation owns its ASID; asid_map has a bit per ASID owned in this generation. When the
 * bitmap is full, the generation advances (a rollover): flush_context() clears the bitmap,
 * keeps each CPU's active ASID (or, for a CPU that has not switched since the previous
 * rollover, its reserved one) in reserved_asids and in the bitmap, and makes every CPU owe
 * a local TLB flush (tlb_flush_pending), paid at its next slow-path switch. An mm of an
 * older generation that switches in gets its old ASID back if a CPU reserved it, if pinned,
 * or if still free; otherwise a fresh one. So an ASID is never given to a second mm before
 * every CPU has flushed the first one's entries, and an exited mm's entries can only ever be
 * hit under its ASID, which no one gets again until after that flush.
 *
 * Facts of the reference machine: KPTI is off (Cortex-A57 is not affected by Meltdown; the
 * captured boot says "ASID allocator initialised with 65536 entries", not 32768), so ASIDs
 * are not used in kernel/user pairs. But the kernel is built with CONFIG_UNMAP_KERNEL_AT_EL0,
 * so asids_init() marks the odd ASIDs taken before it knows: in the first generation only
 * even ASIDs (2, 4, ...) are handed out; the first rollover clears that. With CnP
 * (FEAT_TTCNP: the "max" model) TTBR0 is first pointed at the reserved table and carries
 * the CnP bit for a non-zero ASID, as the kernel does.
 * Deviation: "the current CPU" is the @cpu argument; there is no lock (one thread runs the
 *         machine) and the cmpxchg fast path always succeeds. The bitmaps are kmalloc'ed in
 *         simulated memory as bitmap_zalloc() takes them, and read through their host view.
 *
 * Invariants (asid_check):
 *  1. Every CPU's active ASID is 0 or of the current generation, and its bit is set in
 *     asid_map.
 *  2. Every CPU's non-zero reserved ASID has its bit set in asid_map.
 *  3. Every pinned ASID has its bit set in asid_map; nr_pinned_asids equals the pinned
 *     bitmap's weight and is at most max_pinned_asids.
 *  4. A CPU whose TTBR0 holds a user table runs with TTBR1.ASID == its active ASID (when
 *     that is non-zero).
 */
#include "arch/arm64/include/asm/mmu_context.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "arch/arm64/include/asm/pgtable.h"
#include "arch/arm64/include/asm/tlbflush.h"
#include "hw/cpu.h"
#include "hw/mmu_defs.h"
#include "lib/bug.h"
#include "lib/sink.h"
#include "mm/gfp.h"
#include "mm/slab.h"
#include "mm/views.h"

#define KMM_FILE "arch/arm64/mm/context.c"

#define ASID_FIRST_VERSION (1ull << 16)
#define BITS_PER_WORD	   64

struct asid_state {
	/* Constant after boot. */
	uint32_t asid_bits;
	uint32_t nr_cpus;
	uint64_t num_user_asids;	 /* NUM_USER_ASIDS: 1 << asid_bits */
	unsigned long max_pinned_asids;	 /* asids_update_limit() */
	uint64_t asid_map_va, pinned_va; /* the kmalloc'ed bitmaps (kfree at shutdown) */
	uint64_t *asid_map, *pinned_map; /* their host views */

	/* The allocator (cpu_asid_lock in the kernel). */
	uint64_t asid_generation;
	uint32_t cur_idx; /* new_context()'s static cur_idx: where the search resumes */
	unsigned long nr_pinned_asids;
	uint64_t active_asids[KMM_MAX_CPUS];
	uint64_t reserved_asids[KMM_MAX_CPUS];
	uint64_t tlb_flush_pending[KMM_MAX_CPUS / 64];

	struct asid_stats st;
};

/* ---- bitmaps ------------------------------------------------------------------------- */

static bool test_bit_(const uint64_t *map, uint64_t n)
{
	return (map[n / BITS_PER_WORD] >> (n % BITS_PER_WORD)) & 1;
}

static void set_bit_(uint64_t *map, uint64_t n)
{
	map[n / BITS_PER_WORD] |= 1ull << (n % BITS_PER_WORD);
}

static void clear_bit_(uint64_t *map, uint64_t n)
{
	map[n / BITS_PER_WORD] &= ~(1ull << (n % BITS_PER_WORD));
}

/* Models: find_next_zero_bit(): the first clear bit at or after @from, or @size. */
static uint64_t find_next_zero_bit_(const uint64_t *map, uint64_t size, uint64_t from)
{
	for (uint64_t n = from; n < size;) {
		uint64_t w = ~map[n / BITS_PER_WORD] >> (n % BITS_PER_WORD);

		if (w)
			return n + (uint64_t)__builtin_ctzll(w) < size
				       ? n + (uint64_t)__builtin_ctzll(w)
				       : size;
		n = (n / BITS_PER_WORD + 1) * BITS_PER_WORD;
	}
	return size;
}

static size_t map_bytes(const struct asid_state *as)
{
	uint64_t words = (as->num_user_asids + BITS_PER_WORD - 1) / BITS_PER_WORD;

	return (size_t)words * sizeof(uint64_t);
}

/* ---- the allocator -------------------------------------------------------------------- */

static uint64_t ctxid2asid(const struct asid_state *as, uint64_t id)
{
	return id & (as->num_user_asids - 1);
}

/* Models: asid_gen_match(): is @id of the current generation? */
static bool asid_gen_match(const struct asid_state *as, uint64_t id)
{
	return !((id ^ as->asid_generation) >> as->asid_bits);
}

/* Models: get_cpu_asid_bits(): ID_AA64MMFR0_EL1.ASIDBits (an unknown value means 8). */
static uint32_t get_cpu_asid_bits(const struct kmm_kernel *k)
{
	return FIELD64(k->hw->cpus[0].feat->mmfr0, ID_AA64MMFR0_ASIDBITS_SHIFT, 4) == 2 ? 16 : 8;
}

/* Models: system_supports_cnp() (ID_AA64MMFR2_EL1.CnP). */
static bool system_supports_cnp(const struct kmm_kernel *k)
{
	return FIELD64(k->hw->cpus[0].feat->mmfr2, ID_AA64MMFR2_CNP_SHIFT, 4) != 0;
}

/* Models: set_kpti_asid_bits(): the odd ASIDs marked taken (0xaa in every byte). */
static void set_kpti_asid_bits(struct asid_state *as, uint64_t *map)
{
	memset(map, 0xaa, map_bytes(as));
}

/* Models: set_reserved_asid_bits(): the bitmap restarts from the pinned ASIDs. */
static void set_reserved_asid_bits(struct asid_state *as)
{
	memcpy(as->asid_map, as->pinned_map, map_bytes(as));
}

/* Models: flush_context(): the rollover's bookkeeping (the caller bumped the generation). */
static void flush_context(struct asid_state *as)
{
	set_reserved_asid_bits(as);
	for (uint32_t i = 0; i < as->nr_cpus; i++) {
		uint64_t asid = as->active_asids[i];

		as->active_asids[i] = 0;
		if (asid == 0)
			asid = as->reserved_asids[i];
		set_bit_(as->asid_map, ctxid2asid(as, asid));
		as->reserved_asids[i] = asid;
	}
	for (uint32_t i = 0; i < as->nr_cpus; i++)
		as->tlb_flush_pending[i / 64] |= 1ull << (i % 64);
	as->st.rollovers++;
}

/* Models: check_update_reserved_asid(): every CPU reserving @asid gets @newasid instead. */
static bool check_update_reserved_asid(struct asid_state *as, uint64_t asid, uint64_t newasid)
{
	bool hit = false;

	for (uint32_t i = 0; i < as->nr_cpus; i++) {
		if (as->reserved_asids[i] == asid) {
			hit = true;
			as->reserved_asids[i] = newasid;
		}
	}
	return hit;
}

/* Models: new_context(): an ASID of the current generation for @mm (rolling over if none). */
static uint64_t new_context(struct asid_state *as, struct mm_struct *mm)
{
	uint64_t asid = mm->context.id, generation = as->asid_generation;

	if (asid != 0) {
		uint64_t newasid = ctxid2asid(as, asid) | generation;

		as->st.reused++;
		if (check_update_reserved_asid(as, asid, newasid))
			return newasid;
		if (mm->context.pinned)
			return newasid;
		if (!test_bit_(as->asid_map, ctxid2asid(as, asid))) {
			set_bit_(as->asid_map, ctxid2asid(as, asid));
			return newasid;
		}
		as->st.reused--;
	}
	asid = find_next_zero_bit_(as->asid_map, as->num_user_asids, as->cur_idx);
	if (asid == as->num_user_asids) {
		as->asid_generation += ASID_FIRST_VERSION;
		generation = as->asid_generation;
		flush_context(as);
		/* More ASIDs than CPUs (asids_update_limit warns otherwise): this finds one. */
		asid = find_next_zero_bit_(as->asid_map, as->num_user_asids, 1);
	}
	set_bit_(as->asid_map, asid);
	as->cur_idx = (uint32_t)asid;
	as->st.allocations++;
	return asid | generation;
}

/* ---- programming the CPU ---------------------------------------------------------------- */

static void write_sysreg(struct kmm_kernel *k, int cpu, enum hw_sysreg reg, uint64_t val)
{
	/* The values written here always pass the model's checks (4 KiB granule unchanged). */
	bool ok = hw_cpu_set_reg(k->hw, &k->hw->cpus[cpu], reg, val);

	if (WARN_ON_ONCE(k->env, !ok))
		return;
}

void cpu_set_reserved_ttbr0(struct kmm_kernel *k, int cpu)
{
	write_sysreg(k, cpu, HW_REG_TTBR0_EL1, k->reserved_pg_dir);
	if (k->asid)
		k->asid->st.reserved_ttbr0++;
}

/* Models: cpu_do_switch_mm(): the ASID into TTBR1 (TCR_EL1.A1 = 1), then the pgd into TTBR0. */
static void cpu_do_switch_mm(struct kmm_kernel *k, phys_addr_t pgd_phys, struct mm_struct *mm,
			     int cpu)
{
	uint64_t ttbr1 = k->hw->cpus[cpu].r.ttbr1_el1, asid = ASID(mm);
	uint64_t ttbr0 = pgd_phys;

	if (system_supports_cnp(k) && asid)
		ttbr0 |= TTBR_CNP;
	ttbr1 &= ~(0xffffull << TTBR_ASID_SHIFT);
	ttbr1 |= asid << TTBR_ASID_SHIFT;
	write_sysreg(k, cpu, HW_REG_TTBR1_EL1, ttbr1);
	write_sysreg(k, cpu, HW_REG_TTBR0_EL1, ttbr0);
}

/* Models: cpu_switch_mm(): never the kernel's own tables; reserved TTBR0 in between. */
static void cpu_switch_mm(struct kmm_kernel *k, struct mm_struct *mm, int cpu)
{
	BUG_ON(k->env, mm->pgd == k->swapper_pg_dir);
	cpu_set_reserved_ttbr0(k, cpu);
	cpu_do_switch_mm(k, mm->pgd, mm, cpu);
}

void check_and_switch_context(struct kmm_kernel *k, struct mm_struct *mm, int cpu)
{
	struct asid_state *as = k->asid;
	uint64_t asid, old_active_asid;

	if (WARN_ON_ONCE(k->env, !as || cpu < 0 || (uint32_t)cpu >= as->nr_cpus || !mm->pgd))
		return;
	as->st.switches++;
	if (system_supports_cnp(k))
		cpu_set_reserved_ttbr0(k, cpu);
	asid = mm->context.id;
	old_active_asid = as->active_asids[cpu];
	if (old_active_asid && asid_gen_match(as, asid)) {
		as->active_asids[cpu] = asid;
		as->st.fastpath++;
	} else {
		if (!asid_gen_match(as, asid)) {
			asid = new_context(as, mm);
			mm->context.id = asid;
		}
		if (as->tlb_flush_pending[cpu / 64] & 1ull << (cpu % 64)) {
			as->tlb_flush_pending[cpu / 64] &= ~(1ull << (cpu % 64));
			local_flush_tlb_all(k, cpu);
			as->st.pending_flushes++;
		}
		as->active_asids[cpu] = asid;
	}
	cpu_switch_mm(k, mm, cpu);
}

void switch_mm(struct kmm_kernel *k, struct mm_struct *prev, struct mm_struct *next, int cpu)
{
	if (prev == next)
		return;
	if (!next) {
		cpu_set_reserved_ttbr0(k, cpu);
		return;
	}
	check_and_switch_context(k, next, cpu);
}

uint64_t asid_active_on(const struct kmm_kernel *k, int cpu)
{
	if (!k->asid || cpu < 0 || (uint32_t)cpu >= k->asid->nr_cpus)
		return 0;
	return k->asid->active_asids[cpu];
}

/* ---- pinning ------------------------------------------------------------------------ */

unsigned long arm64_mm_context_get(struct kmm_kernel *k, struct mm_struct *mm)
{
	struct asid_state *as = k->asid;
	uint64_t asid;

	if (!as)
		return 0;
	asid = mm->context.id;
	if (mm->context.pinned) {
		mm->context.pinned++;
		return (unsigned long)ctxid2asid(as, asid);
	}
	if (as->nr_pinned_asids >= as->max_pinned_asids)
		return 0;
	if (!asid_gen_match(as, asid)) {
		asid = new_context(as, mm);
		mm->context.id = asid;
	}
	as->nr_pinned_asids++;
	set_bit_(as->pinned_map, ctxid2asid(as, asid));
	mm->context.pinned = 1;
	as->st.pinned = as->nr_pinned_asids;
	if (as->st.pinned > as->st.pinned_peak)
		as->st.pinned_peak = as->st.pinned;
	return (unsigned long)ctxid2asid(as, asid);
}

void arm64_mm_context_put(struct kmm_kernel *k, struct mm_struct *mm)
{
	struct asid_state *as = k->asid;

	if (!as || !mm->context.pinned)
		return;
	if (--mm->context.pinned == 0) {
		clear_bit_(as->pinned_map, ctxid2asid(as, mm->context.id));
		as->nr_pinned_asids--;
		as->st.pinned = as->nr_pinned_asids;
	}
}

/* ---- boot, teardown, checks, views ------------------------------------------------------ */

void asids_update_limit(struct kmm_kernel *k)
{
	struct asid_state *as = k->asid;
	unsigned long num_available_asids = (unsigned long)as->num_user_asids;

	WARN_ON(k->env, num_available_asids - 1 <= as->nr_cpus);
	env_printk(k->env, "ASID allocator initialised with %lu entries\n", num_available_asids);
	as->max_pinned_asids =
		num_available_asids > as->nr_cpus + 2 ? num_available_asids - as->nr_cpus - 2 : 0;
}

int asids_init(struct kmm_kernel *k)
{
	struct asid_state *as = env_alloc(k->env, sizeof(*as));

	if (!as)
		return env_error(k->env, KMM_EHOST, "host memory exhausted (ASID allocator)"),
		       -ENOMEM;
	memset(as, 0, sizeof(*as));
	as->nr_cpus = k->hw->nr_cpus;
	as->asid_bits = get_cpu_asid_bits(k);
	as->num_user_asids = 1ull << as->asid_bits;
	as->asid_generation = ASID_FIRST_VERSION;
	as->cur_idx = 1;
	as->asid_map_va = kzalloc(k, map_bytes(as), GFP_KERNEL);
	as->pinned_va = as->asid_map_va ? kzalloc(k, map_bytes(as), GFP_KERNEL) : 0;
	if (!as->pinned_va) {
		if (as->asid_map_va)
			kfree(k, as->asid_map_va);
		env_free(k->env, as);
		return env_error(k->env, KMM_ENOMEM,
				 "Failed to allocate bitmap for %" PRIu64 " ASIDs",
				 as->num_user_asids),
		       -ENOMEM;
	}
	as->asid_map = (uint64_t *)kmem_host(k, as->asid_map_va, map_bytes(as));
	as->pinned_map = (uint64_t *)kmem_host(k, as->pinned_va, map_bytes(as));
	set_kpti_asid_bits(as, as->asid_map); /* CONFIG_UNMAP_KERNEL_AT_EL0=y */
	as->st.asid_bits = as->asid_bits;
	k->asid = as;
	return 0;
}

void asids_fini(struct kmm_kernel *k)
{
	if (!k->asid)
		return;
	env_free(k->env, k->asid); /* the bitmaps go with simulated memory */
	k->asid = NULL;
}

bool asid_check(const struct kmm_kernel *k, char *why, size_t whylen)
{
	const struct asid_state *as = k->asid;
	unsigned long weight = 0;

	if (!protection_map_check(why, whylen))
		return false;
	if (!as)
		return true;
	for (uint32_t i = 0; i < as->nr_cpus; i++) {
		uint64_t a = as->active_asids[i], r = as->reserved_asids[i];
		const struct hw_cpu *cpu = &k->hw->cpus[i];

		if (a && (!asid_gen_match(as, a) || !test_bit_(as->asid_map, ctxid2asid(as, a)))) {
			snprintf(why, whylen, "asid: CPU %u active ASID 0x%" PRIx64 " not owned", i,
				 a);
			return false;
		}
		if (r && !test_bit_(as->asid_map, ctxid2asid(as, r))) {
			snprintf(why, whylen, "asid: CPU %u reserved ASID 0x%" PRIx64 " not in map",
				 i, r);
			return false;
		}
		if (a && (cpu->r.ttbr0_el1 & TTBR_BADDR_MASK) != k->reserved_pg_dir &&
		    (cpu->r.ttbr1_el1 >> TTBR_ASID_SHIFT) != ctxid2asid(as, a)) {
			snprintf(why, whylen,
				 "asid: CPU %u runs a user table with TTBR1 ASID %" PRIu64
				 ", active ASID is %" PRIu64,
				 i, cpu->r.ttbr1_el1 >> TTBR_ASID_SHIFT, ctxid2asid(as, a));
			return false;
		}
	}
	for (uint64_t n = 0; n < as->num_user_asids; n++) {
		if (!test_bit_(as->pinned_map, n))
			continue;
		weight++;
		if (!test_bit_(as->asid_map, n)) {
			snprintf(why, whylen, "asid: pinned ASID %" PRIu64 " not in map", n);
			return false;
		}
	}
	if (weight != as->nr_pinned_asids || weight > as->max_pinned_asids) {
		snprintf(why, whylen, "asid: %lu ASIDs pinned, count says %lu (max %lu)", weight,
			 as->nr_pinned_asids, as->max_pinned_asids);
		return false;
	}
	return true;
}

void asid_stats_get(const struct kmm_kernel *k, struct asid_stats *st)
{
	memset(st, 0, sizeof(*st));
	if (!k->asid)
		return;
	*st = k->asid->st;
	st->generation = k->asid->asid_generation >> 16;
}

void show_asid(const struct kmm_kernel *k, const struct sink *out)
{
	struct asid_stats st;
	const struct asid_state *as = k->asid;

	asid_stats_get(k, &st);
	sink_printf(out, "asid_bits %u\n", st.asid_bits);
	sink_printf(out, "generation %" PRIu64 "\n", st.generation);
	sink_printf(out, "switches %" PRIu64 "\n", st.switches);
	sink_printf(out, "fastpath %" PRIu64 "\n", st.fastpath);
	sink_printf(out, "allocations %" PRIu64 "\n", st.allocations);
	sink_printf(out, "reused %" PRIu64 "\n", st.reused);
	sink_printf(out, "rollovers %" PRIu64 "\n", st.rollovers);
	sink_printf(out, "pending_flushes %" PRIu64 "\n", st.pending_flushes);
	sink_printf(out, "reserved_ttbr0 %" PRIu64 "\n", st.reserved_ttbr0);
	sink_printf(out, "pinned %" PRIu64 "\n", st.pinned);
	sink_printf(out, "pinned_peak %" PRIu64 "\n", st.pinned_peak);
	for (uint32_t i = 0; as && i < as->nr_cpus; i++)
		sink_printf(out,
			    "cpu%u active %#" PRIx64 " reserved %#" PRIx64 " flush_pending %d\n", i,
			    as->active_asids[i], as->reserved_asids[i],
			    (int)(as->tlb_flush_pending[i / 64] >> (i % 64) & 1));
}

void show_tlbflush(const struct kmm_kernel *k, const struct sink *out)
{
	const struct tlbflush_stats *t = &k->tlbflush;

	sink_printf(out, "all %" PRIu64 "\n", t->all);
	sink_printf(out, "local_all %" PRIu64 "\n", t->local_all);
	sink_printf(out, "kernel_range %" PRIu64 "\n", t->kernel_range);
	sink_printf(out, "kernel_pgtable %" PRIu64 "\n", t->kernel_pgtable);
	sink_printf(out, "mm %" PRIu64 "\n", t->mm);
	sink_printf(out, "page %" PRIu64 "\n", t->page);
	sink_printf(out, "range %" PRIu64 "\n", t->range);
	sink_printf(out, "range_to_mm %" PRIu64 "\n", t->range_to_mm);
	sink_printf(out, "user_tlbi %" PRIu64 "\n", t->user_tlbi);
	sink_printf(out, "range_tlbi %" PRIu64 "\n", t->range_tlbi);
}
