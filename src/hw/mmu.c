/*
 * The CPU side of the MMU: the access path, AT, TLBI.
 *
 * Spec: Arm ARM D8.16 (TLB use and maintenance), D8.17 (TLBI: scope of each operation, the
 * range forms' operand, Inner Shareable broadcast), C5.5 (AT instructions), D17 (PAR_EL1).
 *
 * The access path:
 *
 *   VA --(top byte/TBI)--> L1 hint --> L1 scan --> L2 --> walk (ptw_translate) --> fill
 *      --> permission (PSTATE.PAN applied here, the rest cached in the entry)
 *      --> physical memory (no RAM: synchronous external abort)
 *
 * Cost model: each L2 hit, walk-cache hit, walk read and TLBI advances the machine clock
 * by the configured cycles (struct tlb_geometry, loaded from the cost table's MMU rows); an
 * L1 hit costs cycles_l1_hit (0 by default: it is the pipeline's normal case); a TLB miss
 * costs the table's tlb_miss before the walk's own reads.
 *
 * Deviation: AT instructions always walk (they neither use nor fill the TLB proper; they
 * do use the walk and stage-2 caches). The architecture allows either.
 * Deviation: with SCTLR_EL1.M = 0 the flat translation is recomputed on every access and
 * not cached.
 */
#include "hw/mmu.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "hw/mmu_defs.h"

#define VA56_MASK 0x00ffffffffffffffull

static const char *const mmu_tlbi_names[] = {
#define MMU_TLBI_NAME(name, match, opnd) #name,
	MMU_TLBI_LIST(MMU_TLBI_NAME)
#undef MMU_TLBI_NAME
};

static const uint32_t mmu_tlbi_match[] = {
#define MMU_TLBI_MATCH(name, match, opnd) match,
	MMU_TLBI_LIST(MMU_TLBI_MATCH)
#undef MMU_TLBI_MATCH
};

static const uint8_t mmu_tlbi_opnd[] = {
#define MMU_TLBI_OPND(name, match, opnd) opnd,
	MMU_TLBI_LIST(MMU_TLBI_OPND)
#undef MMU_TLBI_OPND
};

static const struct {
	const char *name;
	uint8_t stages, el;
	enum hw_acc acc;
} mmu_at_ops[] = {
#define MMU_AT_ROW(name, stages, el, acc) {#name, stages, el, acc},
	MMU_AT_LIST(MMU_AT_ROW)
#undef MMU_AT_ROW
};

const char *mmu_tlbi_name(enum mmu_tlbi_op op)
{
	return (unsigned)op < MMU_TLBI_COUNT ? mmu_tlbi_names[op] : NULL;
}

enum mmu_tlbi_op mmu_tlbi_by_name(const char *name, bool *is)
{
	size_t n = name ? strlen(name) : 0;

	*is = n > 2 && strcmp(name + n - 2, "IS") == 0;
	if (*is)
		n -= 2;
	for (unsigned i = 0; i < MMU_TLBI_COUNT; i++) {
		if (strlen(mmu_tlbi_names[i]) == n && strncmp(mmu_tlbi_names[i], name, n) == 0)
			return (enum mmu_tlbi_op)i;
	}
	return MMU_TLBI_COUNT;
}

const char *mmu_at_name(enum mmu_at_op op)
{
	return (unsigned)op < MMU_AT_COUNT ? mmu_at_ops[op].name : NULL;
}

enum mmu_at_op mmu_at_by_name(const char *name)
{
	for (unsigned i = 0; name && i < MMU_AT_COUNT; i++) {
		if (strcmp(mmu_at_ops[i].name, name) == 0)
			return (enum mmu_at_op)i;
	}
	return MMU_AT_COUNT;
}

static inline bool mmu_perm_ok(const struct hw_cpu *cpu, const struct tlb_entry *e, enum hw_acc acc,
			       unsigned el)
{
	static const uint8_t need[2][3] = {
		{TLB_P_R0, TLB_P_W0, TLB_P_X0},
		{TLB_P_R1, TLB_P_W1, TLB_P_X1},
	};

	if (el && acc != HW_ACC_EXEC && cpu->r.pan && (e->perm & TLB_P_U))
		return false;
	return (e->perm & need[el ? 1 : 0][acc]) != 0;
}

/* Drops every entry matching the lookup (an entry that denied the access). */
static void mmu_tlb_drop(struct hw_cpu *cpu, uint64_t va56)
{
	struct tlbi_scope s = {.match = TLBI_M_VMID | TLBI_M_ASID | TLBI_M_GLOBAL | TLBI_M_VA |
					TLBI_M_LAST | TLBI_M_S1,
			       .asid = cpu->cur_asid,
			       .vmid = cpu->cur_vmid,
			       .va = va56,
			       .len = 1};

	tlb_invalidate(&cpu->tlb, &s);
}

static bool mmu_fill(struct kmm_env *env, struct hw_cpu *cpu, enum hw_acc acc, unsigned el,
		     uint64_t va, const struct ptw_result *res, struct hw_fault *f)
{
	int side = acc == HW_ACC_EXEC ? 0 : 1;
	uint64_t va56 = va & VA56_MASK, off = va56 & (BIT64(res->shift) - 1);
	struct tlb_entry e = {
		.va = va56,
		.pa = res->pa - off,
		.ipa = res->ipa - off,
		.asid = cpu->cur_asid,
		.vmid = cpu->cur_vmid,
		.shift = res->shift,
		.flags = (uint8_t)((res->global ? TLB_F_GLOBAL : 0) | (res->s2 ? TLB_F_S2 : 0)),
		.perm = res->perm,
		.attr = res->attr,
		.sh = res->sh,
		.level = res->level};

	if (tlb_insert(&cpu->tlb, side, &e))
		return true;
	*f = (struct hw_fault){.type = HW_FAULT_TLB_CONFLICT,
			       .level = -1,
			       .stage = 1,
			       .acc = acc,
			       .el = (uint8_t)el,
			       .va = va};
	env_report(env, KMM_REPORT_ERROR, "hw/tlb", "tlb_insert",
		   "two TLB entries match one lookup",
		   "CPU%u: TLB conflict abort at VA 0x%016" PRIx64 ": the %u KiB translation "
		   "overlaps an entry already cached for ASID %u VMID %u (break-before-make "
		   "violation)",
		   cpu->id, va, (unsigned)(BIT64(res->shift) >> 10), (unsigned)cpu->cur_asid,
		   (unsigned)cpu->cur_vmid);
	return false;
}

bool mmu_translate_slow(struct kmm_hw *hw, struct hw_cpu *cpu, uint64_t va, enum hw_acc acc,
			unsigned el, kmm_pa_t *pa, struct hw_fault *f)
{
	int side = acc == HW_ACC_EXEC ? 0 : 1;
	uint64_t va56 = va & VA56_MASK;
	unsigned b55 = (unsigned)((va >> 55) & 1);
	bool tlb_ok = (cpu->r.sctlr_el1 & SCTLR_EL1_M) &&
		      ((va >> 56) == (b55 ? 0xffu : 0u) ||
		       (cpu->r.tcr_el1 & (b55 ? TCR_EL1_TBI1 : TCR_EL1_TBI0)));
	struct ptw_req req = {.va = va, .acc = acc, .el = (uint8_t)el, .flags = PTW_F_PAN};
	struct ptw_result res;
	struct tlb_entry *e;

	if (tlb_ok) {
		bool l2hit;

		/* The inline L1 fast path has already tried the hint. */
		e = tlb_lookup(&cpu->tlb, side, va56, cpu->cur_asid, cpu->cur_vmid, &l2hit);
		if (e)
			env_advance(hw->env, l2hit ? cpu->tlb.geo.cycles_l2_hit
						   : cpu->tlb.geo.cycles_l1_hit);
		if (e && mmu_perm_ok(cpu, e, acc, el)) {
			*pa = e->pa + (va56 - e->va);
			return true;
		}
		if (e)
			mmu_tlb_drop(cpu, va56);
		else
			env_charge(hw->env, COST_tlb_miss);
	}
	cpu->updates.n = 0;
	if (!ptw_translate(hw, cpu, &req, &res, f))
		return false;
	if (tlb_ok && res.cacheable && !mmu_fill(hw->env, cpu, acc, el, va, &res, f))
		return false;
	*pa = res.pa;
	return true;
}

void mmu_raise(struct hw_cpu *cpu, const struct hw_fault *f)
{
	const struct esr_syndrome *s = &cpu->exception;

	esr_encode(f, &cpu->exception);
	if (s->target_el == 2) {
		cpu->r.esr_el2 = s->esr;
		cpu->r.far_el2 = s->far;
		cpu->r.hpfar_el2 = s->hpfar;
	} else {
		cpu->r.esr_el1 = s->esr;
		cpu->r.far_el1 = s->far;
	}
}

#define MMU_MAX_CHUNKS 8

/*
 * One group of at most MMU_MAX_CHUNKS pages: every page translates and is RAM before any
 * byte moves. Returns the number of bytes done (== @size), or 0 after raising the fault.
 */
static size_t mmu_access_group(struct kmm_hw *hw, struct hw_cpu *cpu, enum hw_acc acc, uint64_t va,
			       uint8_t *p, size_t size, kmm_pa_t *pa0, struct hw_fault *f)
{
	kmm_pa_t pa[MMU_MAX_CHUNKS];
	size_t len[MMU_MAX_CHUNKS], n = 0, done = 0;

	while (done < size && n < MMU_MAX_CHUNKS) {
		uint64_t cva = va + done;
		size_t chunk = (size_t)(KMM_PAGE_SIZE - (cva & (KMM_PAGE_SIZE - 1)));
		if (chunk > size - done)
			chunk = size - done;
		if (!mmu_translate(hw, cpu, cva, acc, cpu->r.el, &pa[n], f)) {
			mmu_raise(cpu, f);
			return 0;
		}
		len[n++] = chunk;
		done += chunk;
	}
	done = 0;
	for (size_t i = 0; i < n; i++) {
		/* Stores check every byte first, so a faulting store writes nothing. */
		if (!phys_to_host(&hw->phys, pa[i], len[i])) {
			*f = (struct hw_fault){.type = HW_FAULT_SEA,
					       .level = -1,
					       .stage = 0,
					       .acc = acc,
					       .el = cpu->r.el,
					       .va = va + done};
			mmu_raise(cpu, f);
			return 0;
		}
		done += len[i];
	}
	for (size_t i = 0; i < n; i++) {
		if (acc == HW_ACC_WRITE)
			phys_write(&hw->phys, pa[i], p, len[i]);
		else
			phys_read(&hw->phys, pa[i], p, len[i]);
		p += len[i];
	}
	*pa0 = pa[0];
	return done;
}

bool mmu_access(struct kmm_hw *hw, struct hw_cpu *cpu, enum hw_acc acc, uint64_t va, void *buf,
		size_t size, kmm_pa_t *pa_out, struct hw_fault *f)
{
	uint8_t *p = buf;
	size_t done = 0;

	cpu->updates.n = 0;
	while (done < size) {
		kmm_pa_t pa;
		size_t n = mmu_access_group(hw, cpu, acc, va + done, p + done, size - done, &pa, f);

		if (!n)
			return false;
		if (done == 0 && pa_out)
			*pa_out = pa;
		done += n;
	}
	return true;
}

bool mmu_at(struct kmm_hw *hw, struct hw_cpu *cpu, enum mmu_at_op op, uint64_t va, bool at_el2,
	    struct hw_fault *f)
{
	struct ptw_req req = {
		.va = va, .acc = mmu_at_ops[op].acc, .el = mmu_at_ops[op].el, .flags = PTW_F_AT};
	struct ptw_result res;

	if (mmu_at_ops[op].stages == 1)
		req.flags |= PTW_F_S1_ONLY;
	if (at_el2 || mmu_at_ops[op].stages == 2)
		req.flags |= PTW_F_AT_EL2;
	cpu->updates.n = 0;
	if (ptw_translate(hw, cpu, &req, &res, f)) {
		cpu->r.par_el1 = esr_par_ok(&res);
		return true;
	}
	if (esr_at_is_exception(f)) {
		mmu_raise(cpu, f);
		return false;
	}
	cpu->r.par_el1 = esr_par_fault(f);
	return true;
}

/* Decodes the operand of a TLBI into the scope's VA/IPA range and ASID. */
static bool mmu_tlbi_operand(struct kmm_env *env, unsigned kind, uint64_t xt, struct tlbi_scope *s)
{
	s->asid = (uint16_t)(xt >> 48);
	switch (kind) {
	case MMU_OPND_VA: {
		uint64_t va = (xt & (BIT64(44) - 1)) << 12; /* VA[55:12] */
		s->va = va & VA56_MASK;
		s->len = KMM_PAGE_SIZE;
		return true;
	}
	case MMU_OPND_IPA:
		s->va = (xt & (BIT64(36) - 1)) << 12;
		s->len = KMM_PAGE_SIZE;
		return true;
	case MMU_OPND_RANGE: {
		unsigned tg = (unsigned)FIELD64(xt, 46, 2);
		unsigned scale = (unsigned)FIELD64(xt, 44, 2), num = (unsigned)FIELD64(xt, 39, 5);
		uint64_t base = (xt & (BIT64(37) - 1)) << 12; /* VA[48:12] */

		if (tg != 1) {
			env_error(env, KMM_EINVAL,
				  "range TLBI operand 0x%016" PRIx64 " has TG=%u: "
				  "only TG=0b01 (4KB) is modelled",
				  xt, tg);
			return false;
		}
		if (base & BIT64(48)) /* sign-extend the upper half */
			base |= 0x00fe000000000000ull;
		s->va = base;
		s->len = ((uint64_t)(num + 1) << (5 * scale + 1)) * KMM_PAGE_SIZE;
		return true;
	}
	default:
		s->va = 0;
		s->len = 0;
		return true;
	}
}

bool mmu_tlbi(struct kmm_hw *hw, struct hw_cpu *cpu, enum mmu_tlbi_op op, uint64_t xt,
	      bool broadcast, uint64_t *removed)
{
	struct tlbi_scope s = {.match = mmu_tlbi_match[op], .vmid = cpu->cur_vmid};
	uint64_t total = 0;

	if (!mmu_tlbi_operand(hw->env, mmu_tlbi_opnd[op], xt, &s))
		return false;
	if (!(s.match & TLBI_M_ASID))
		s.asid = 0;
	else if (!(cpu->r.tcr_el1 & TCR_EL1_AS))
		s.asid &= 0xff;
	for (uint32_t i = 0; i < hw->nr_cpus; i++) {
		struct hw_cpu *c = &hw->cpus[i];
		if (c != cpu && !broadcast)
			continue;
		total += tlb_invalidate(&c->tlb, &s);
	}
	env_advance(hw->env, cpu->tlb.geo.cycles_tlbi);
	if (removed)
		*removed = total;
	return true;
}
