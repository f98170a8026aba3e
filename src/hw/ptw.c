/*
 * The translation table walker: VMSAv8-64, 4KB granule, EL1&0 stage 1 (TTBR0/TTBR1 split)
 * and stage 2 (IPA -> PA), with the hardware management of the Access flag and dirty state.
 *
 * Spec: Arm ARM D8.1-D8.2 (translation process, AArch64.S1Walk / AArch64.S2Walk), D8.2.x
 * (VA ranges, TxSZ, start level, TBI), D8.3 (descriptor formats), D8.4 (memory access
 * control: AP[2:1], UXN/PXN, hierarchical APTable/UXNTable/PXNTable, HPD, WXN, PAN, stage-2
 * S2AP and XN[1:0]), D8.5 (hardware updates: R_XQSMX, R_QSPMS, R_ZYGHJ, R_RKMHW, R_TTLCV,
 * R_NKLQN), D8.6 (memory attributes, combining stage 1 and stage 2), D8.12 (fault
 * prioritization: translation and address size faults during the walk, then Access flag,
 * then Permission).
 *
 * Shape of a translation:
 *
 *   VA --(range/TBI/EPD checks)--> S1 walk (each table address itself through stage 2:
 *   S1PTW) --> leaf: OA size, AF, permissions --> AF/dirty write-back --> IPA
 *   IPA --(stage 2 walk)--> PA, with S2AP/XN, S2 AF and dirty state
 *
 * Every descriptor read and every hardware update goes through ptw_desc_read() and
 * ptw_desc_write(): that is where walk reads are counted (the count is added to the CPU's
 * counters and costed once per walk), where a read of a PA with no RAM becomes a synchronous
 * external abort on the walk, and where updates are logged for the replay.
 *
 * Choices the architecture leaves open, made as QEMU 7.2 makes them (the oracle records
 * them as allowed): AT instructions set the AF (R_XQSMX permits it) but never dirty state
 * (R_ZYGHJ); no AF update when the access takes a Permission fault (R_QSPMS); the stage-1
 * AF is written before stage 2 translates the output address (I_CVNQR); the write of a
 * stage-1 descriptor update is a stage-2 write (it needs S2 write permission and may mark
 * the table page dirty at stage 2).
 *
 * Deviation: TxSZ outside the supported range is clamped (one of the CONSTRAINED
 * UNPREDICTABLE choices); misaligned TTBR/VTTBR base bits below the table size are ignored.
 * Deviation: MMU-off instruction fetches are Normal Write-Through when SCTLR_EL1.I=1 (0xaa)
 * and Normal Non-cacheable otherwise; data accesses Device-nGnRnE. No alignment checks.
 * Deviation: NS/NSTable are ignored (the model is Non-secure only); FEAT_LPA/LPA2, 16K/64K
 * granules, FEAT_HAFT, PIE/POE and E0PD are not modelled.
 */
#include "hw/ptw.h"

#include <stdio.h>

#include "hw/mmu_defs.h"

#define VA56_MASK 0x00ffffffffffffffull

#if defined(__GNUC__)
#define PTW_HOT_INLINE inline __attribute__((always_inline))
#define PTW_COLD       __attribute__((noinline, cold))
#else
#define PTW_HOT_INLINE inline
#define PTW_COLD
#endif

/*
 * Hierarchical attributes accumulated from table descriptors: bits 62:59 of the descriptor
 * shifted down, so that accumulating them is one shift and one mask per level.
 */
#define PTW_H_SHIFT 59
#define PTW_H_PXN   0x01u /* PXNTable */
#define PTW_H_UXN   0x02u /* UXNTable */
#define PTW_H_AP0   0x04u /* APTable[0]: no EL0 access below */
#define PTW_H_AP1   0x08u /* APTable[1]: no write access below */

/* Stage-1 permission table entries: TLB_P_* plus this bit for "writable-clean". */
#define PTW_PERM_WCLEAN 0x80u

static const uint8_t ptw_ps_bits[8] = {32, 36, 40, 42, 44, 48, 52, 52};

struct ptw_walk {
	struct kmm_hw *hw;
	struct hw_cpu *cpu;
	const struct ptw_req *req;
	struct hw_fault *f;
	const struct phys_bank *bank; /* the bank of the last descriptor read */
	uint32_t reads; /* descriptor reads so far (added to the counters at the end) */
	bool use_cache;
};

struct s2_out {
	uint64_t pa;
	uint8_t memattr, sh, level, shift;
	uint8_t perm; /* TLB_P_R1 read, TLB_P_W1 write (dirty), TLB_P_X0/X1 execute */
};

static inline unsigned ptw_level_shift(unsigned level)
{
	return 12 + 9 * (3 - level);
}

static unsigned ptw_clamp_tsz(const struct hw_cpu *cpu, unsigned tsz)
{
	unsigned max = cpu->feat->ttst ? 48 : 39;

	if (tsz < 16)
		return 16;
	return tsz > max ? max : tsz;
}

static unsigned ptw_pa_limit(const struct hw_cpu *cpu, unsigned encoded)
{
	unsigned bits = ptw_ps_bits[encoded & 7];

	if (bits > cpu->feat->parange_bits)
		bits = cpu->feat->parange_bits;
	return bits > 48 ? 48 : bits;
}

unsigned ptw_s1_pa_bits(const struct hw_cpu *cpu)
{
	return ptw_pa_limit(cpu, (unsigned)FIELD64(cpu->r.tcr_el1, TCR_EL1_IPS_SHIFT, 3));
}

unsigned ptw_s2_pa_bits(const struct hw_cpu *cpu)
{
	return ptw_pa_limit(cpu, (unsigned)FIELD64(cpu->r.vtcr_el2, VTCR_EL2_PS_SHIFT, 3));
}

/*
 * Permissions of a stage-1 leaf @desc under the hierarchical controls @h (0 under HPD).
 * Spec: Arm ARM D8.4.x: AP[2:1] (AP[1] EL0 access, AP[2] read-only), the implicit PXN of
 * EL0-writable memory, WXN, hierarchical controls, dirty state (writable-clean counts as
 * writable for the checks: R_TTLCV, R_NKLQN); PAN is applied by the caller's flag.
 * Returns the TLB_P_* set, with PTW_PERM_WCLEAN when write permission rests on a dirty update.
 * Walks look the answer up in cpu->s1_perm (ptw_perm_idx), which ptw_sync builds from this.
 */
static uint8_t ptw_s1_perm(uint64_t desc, uint8_t h, bool hd, bool wxn)
{
	bool ap2 = desc & DESC_AP2, ap1 = desc & DESC_AP1;
	bool uxn = desc & DESC_UXN, pxn = desc & DESC_PXN;
	bool wclean, ur, uw, pw, ux, px;

	wclean = hd && (desc & DESC_DBM) && ap2 && !(h & PTW_H_AP1);
	if (h & PTW_H_AP1)
		ap2 = true;
	if (h & PTW_H_AP0)
		ap1 = false;
	uxn |= (h & PTW_H_UXN) != 0;
	pxn |= (h & PTW_H_PXN) != 0;
	ur = ap1;
	pw = !ap2 || wclean;
	uw = ur && pw;
	ux = !uxn && !(wxn && uw);
	px = !pxn && !uw && !(wxn && pw);
	return (uint8_t)((ur ? TLB_P_R0 | TLB_P_U : 0) | (uw ? TLB_P_W0 : 0) | (ux ? TLB_P_X0 : 0) |
			 TLB_P_R1 | (pw ? TLB_P_W1 : 0) | (px ? TLB_P_X1 : 0) |
			 (wclean ? PTW_PERM_WCLEAN : 0));
}

/* The descriptor bits of a cpu->s1_perm index, in index order (ptw_perm_idx). */
_Static_assert(DESC_AP1 == BIT64(6) && DESC_AP2 == BIT64(7) && DESC_DBM == BIT64(51) &&
		       DESC_PXN == BIT64(53) && DESC_UXN == BIT64(54),
	       "ptw_perm_idx takes AP[2:1] from bits 7:6, DBM from 51, PXN/UXN from 54:53");

static inline unsigned ptw_perm_idx(uint64_t desc, uint8_t h)
{
	return (unsigned)(((desc >> 6) & 3) | ((desc >> 53) & 3) << 2 | ((desc >> 51) & 1) << 4) |
	       (unsigned)h << 5;
}

static uint64_t ptw_perm_idx_desc(unsigned idx)
{
	return (uint64_t)(idx & 3) << 6 | (uint64_t)((idx >> 2) & 3) << 53 |
	       (uint64_t)((idx >> 4) & 1) << 51;
}

/* The key of cpu->s1_perm: the registers it depends on (0 = not built). */
static uint8_t ptw_perm_key(const struct hw_cpu *cpu)
{
	return (uint8_t)(0x4 | (cpu->s1_hd ? 1 : 0) | ((cpu->r.sctlr_el1 & SCTLR_EL1_WXN) ? 2 : 0));
}

void ptw_sync(struct hw_cpu *cpu)
{
	uint64_t tcr = cpu->r.tcr_el1;

	cpu->s1_ps = (uint8_t)ptw_s1_pa_bits(cpu);
	cpu->s1_ha = cpu->feat->hafdbs && (tcr & TCR_EL1_HA);
	cpu->s1_hd = cpu->s1_ha && (tcr & TCR_EL1_HD);
	for (unsigned b55 = 0; b55 < 2; b55++) {
		struct hw_s1_half *h = &cpu->s1[b55];
		bool tbi = tcr & (b55 ? TCR_EL1_TBI1 : TCR_EL1_TBI0);
		unsigned tsz = ptw_clamp_tsz(
			cpu,
			(unsigned)FIELD64(tcr, b55 ? TCR_EL1_T1SZ_SHIFT : TCR_EL1_T0SZ_SHIFT, 6));
		unsigned insize = 64 - tsz, top = tbi ? 55 : 63, topbits;

		h->start = (uint8_t)(3 - (insize - 13) / 9);
		topbits = insize - ptw_level_shift(h->start);
		h->topidx = BIT64(topbits) - 1;
		h->topmask = (top == 63 ? ~0ull : BIT64(top + 1) - 1) & ~(BIT64(insize) - 1);
		h->topval = b55 ? h->topmask : 0;
		h->base = (b55 ? cpu->r.ttbr1_el1 : cpu->r.ttbr0_el1) & TTBR_BADDR_MASK &
			  ~((BIT64(topbits + 3) - 1) | 0x3f);
		h->hiermask =
			cpu->feat->hpds && (tcr & (b55 ? TCR_EL1_HPD1 : TCR_EL1_HPD0)) ? 0 : 0xf;
		/* Level-0 faults of every walk in this half, in priority order. */
		if (tcr & (b55 ? TCR_EL1_EPD1 : TCR_EL1_EPD0))
			h->fault = HW_FAULT_TRANSLATION;
		else if (h->base >> cpu->s1_ps)
			h->fault = HW_FAULT_ADDR_SIZE;
		else
			h->fault = HW_FAULT_NONE;
	}
	/* Rebuilt only when HD or WXN change: TTBR writes (context switches) stay cheap. */
	if (cpu->s1_perm_key != ptw_perm_key(cpu)) {
		bool wxn = cpu->r.sctlr_el1 & SCTLR_EL1_WXN;
		for (unsigned i = 0; i < PTW_PERM_ENTRIES; i++)
			cpu->s1_perm[i] = ptw_s1_perm(ptw_perm_idx_desc(i), (uint8_t)(i >> 5),
						      cpu->s1_hd, wxn);
		cpu->s1_perm_key = ptw_perm_key(cpu);
	}
}

bool ptw_check(const struct hw_cpu *cpu, char *why, size_t whylen)
{
	bool wxn = cpu->r.sctlr_el1 & SCTLR_EL1_WXN;

	if (cpu->s1_perm_key != ptw_perm_key(cpu)) {
		snprintf(why, whylen, "ptw: CPU %u permission table built for other HD/WXN",
			 cpu->id);
		return false;
	}
	for (unsigned i = 0; i < PTW_PERM_ENTRIES; i++) {
		if (cpu->s1_perm[i] !=
		    ptw_s1_perm(ptw_perm_idx_desc(i), (uint8_t)(i >> 5), cpu->s1_hd, wxn)) {
			snprintf(why, whylen, "ptw: CPU %u permission table entry %u is stale",
				 cpu->id, i);
			return false;
		}
	}
	return true;
}

uint16_t ptw_asid(const struct hw_cpu *cpu)
{
	uint64_t ttbr = (cpu->r.tcr_el1 & TCR_EL1_A1) ? cpu->r.ttbr1_el1 : cpu->r.ttbr0_el1;
	uint16_t asid = (uint16_t)(ttbr >> TTBR_ASID_SHIFT);

	return (cpu->r.tcr_el1 & TCR_EL1_AS) ? asid : (uint16_t)(asid & 0xff);
}

uint16_t ptw_vmid(const struct hw_cpu *cpu)
{
	/* VTCR_EL2.VS selects 16-bit VMIDs; otherwise VMID[15:8] is ignored. */
	uint16_t vmid = (uint16_t)(cpu->r.vttbr_el2 >> VTTBR_VMID_SHIFT);

	return (cpu->r.vtcr_el2 & VTCR_EL2_VS) ? vmid : (uint16_t)(vmid & 0xff);
}

/* Fills the fault record (only written when a walk faults). Returns false. */
static PTW_COLD bool ptw_fault_fill(const struct ptw_req *q, struct hw_fault *f,
				    enum hw_fault_type type, int level, unsigned stage, bool s1ptw,
				    uint64_t ipa)
{
	*f = (struct hw_fault){.type = type,
			       .level = (int8_t)level,
			       .stage = (uint8_t)stage,
			       .s1ptw = s1ptw,
			       .ipa = ipa,
			       .acc = q->acc,
			       .el = q->el,
			       .va = q->va,
			       .cm = (q->flags & PTW_F_AT) != 0,
			       .at_el2 = (q->flags & PTW_F_AT_EL2) != 0};
	return false;
}

/* (The walk itself is not passed on: it stays in registers on the paths that do not fault.) */
static inline bool ptw_fault(const struct ptw_walk *w, enum hw_fault_type type, int level,
			     unsigned stage, bool s1ptw, uint64_t ipa)
{
	return ptw_fault_fill(w->req, w->f, type, level, stage, s1ptw, ipa);
}

/*
 * The choke point for descriptor reads: counted (and costed when the walk ends, in
 * ptw_translate); false = external abort. The bank of the previous read is tried first: the
 * tables of one walk almost always share a bank, and banks never change after power-on.
 * Descriptor addresses are 8-byte aligned and banks page aligned, so a descriptor never
 * straddles a bank's end.
 */
static inline bool ptw_desc_read(struct ptw_walk *w, kmm_pa_t pa, uint64_t *desc)
{
	const struct phys_bank *b = w->bank;

	w->reads++;
	if (pa - b->base >= b->end - b->base) {
		b = phys_bank_of(&w->hw->phys, pa);
		if (!b)
			return false;
		w->bank = b;
	}
	memcpy(desc, b->host + (pa - b->base), 8);
	return true;
}

/* The choke point for hardware descriptor updates (AF, dirty state). */
static inline bool ptw_desc_write(struct ptw_walk *w, kmm_pa_t pa, uint64_t old, uint64_t new_)
{
	struct hw_update_log *log = &w->cpu->updates;

	if (!phys_write64(&w->hw->phys, pa, new_))
		return false;
	if (log->n < HW_UPDATE_LOG)
		log->e[log->n] = (struct hw_update){.pa = pa, .old = old, .new_ = new_};
	log->n++;
	return true;
}

/* ---- stage 2 ------------------------------------------------------------------------ */

/*
 * One stage-2 walk of @ipa for an access of type @acc (from w->req->el).
 * Spec: Arm ARM D8.2 (AArch64.S2Walk), D8.4.x (S2AP, XN[1:0] with FEAT_XNX, HCR_EL2.PTW).
 */
static bool ptw_s2_walk(struct ptw_walk *w, uint64_t ipa, enum hw_acc acc, bool s1ptw,
			struct s2_out *o)
{
	const struct hw_cpu *cpu = w->cpu;
	static const int8_t sl0_level[4] = {2, 1, 0, 3};
	uint64_t vtcr = cpu->r.vtcr_el2;
	unsigned insize = 64 - ptw_clamp_tsz(cpu, (unsigned)FIELD64(vtcr, VTCR_EL2_T0SZ_SHIFT, 6));
	unsigned ps = ptw_s2_pa_bits(cpu);
	unsigned start = (unsigned)sl0_level[FIELD64(vtcr, VTCR_EL2_SL0_SHIFT, 2)];
	unsigned level = start, topbits, shift;
	bool ha = cpu->feat->hafdbs && (vtcr & VTCR_EL2_HA);
	bool hd = ha && (vtcr & VTCR_EL2_HD);
	uint64_t base, desc, desc_pa, newd;
	bool r, wr, wclean, x0, x1;

	if (ipa >> insize)
		return ptw_fault(w, HW_FAULT_TRANSLATION, 0, 2, s1ptw, ipa);
	topbits = insize - ptw_level_shift(start); /* > 9: concatenated start tables */
	base = cpu->r.vttbr_el2 & TTBR_BADDR_MASK & ~((BIT64(topbits + 3) - 1) | 0x3f);
	if (base >> ps)
		return ptw_fault(w, HW_FAULT_ADDR_SIZE, 0, 2, s1ptw, ipa);
	for (;;) {
		unsigned bits = level == start ? topbits : 9;
		shift = ptw_level_shift(level);
		desc_pa = base + ((ipa >> shift) & (BIT64(bits) - 1)) * 8;
		if (!ptw_desc_read(w, desc_pa, &desc))
			return ptw_fault(w, HW_FAULT_SEA_WALK, (int)level, 2, s1ptw, ipa);
		if (!(desc & DESC_VALID))
			return ptw_fault(w, HW_FAULT_TRANSLATION, (int)level, 2, s1ptw, ipa);
		if (!(desc & DESC_TABLE) && (level == 0 || level == 3))
			return ptw_fault(w, HW_FAULT_TRANSLATION, (int)level, 2, s1ptw, ipa);
		if ((desc & DESC_TABLE) && level < 3) {
			base = desc & DESC_ADDR_MASK;
			if (base >> ps)
				return ptw_fault(w, HW_FAULT_ADDR_SIZE, (int)level, 2, s1ptw, ipa);
			level++;
			continue;
		}
		break;
	}
	if ((desc & DESC_ADDR_MASK) >> ps)
		return ptw_fault(w, HW_FAULT_ADDR_SIZE, (int)level, 2, s1ptw, ipa);
	if (!(desc & DESC_AF) && !ha)
		return ptw_fault(w, HW_FAULT_ACCESS_FLAG, (int)level, 2, s1ptw, ipa);

	r = desc & DESC_S2AP_R;
	wr = desc & DESC_S2AP_W;
	wclean = !wr && hd && (desc & DESC_DBM);
	if (cpu->feat->xnx) {
		unsigned xn = (unsigned)FIELD64(desc, 53, 2);
		x0 = xn == 0 || xn == 1; /* 01: EL0 only */
		x1 = xn == 0 || xn == 3; /* 11: EL1 only */
	} else {
		x0 = x1 = !(desc & DESC_S2_XN1);
	}
	o->memattr = (uint8_t)FIELD64(desc, DESC_S2_MEMATTR_SHIFT, 4);
	if (acc == HW_ACC_READ	  ? !r
	    : acc == HW_ACC_WRITE ? !(wr || wclean)
				  : !(w->req->el == 0 ? x0 : x1))
		return ptw_fault(w, HW_FAULT_PERMISSION, (int)level, 2, s1ptw, ipa);

	newd = desc | DESC_AF;
	if (acc == HW_ACC_WRITE && wclean && (s1ptw || !(w->req->flags & PTW_F_AT))) {
		newd |= DESC_S2AP_W;
		wr = true;
	}
	if (newd != desc && !ptw_desc_write(w, desc_pa, desc, newd))
		return ptw_fault(w, HW_FAULT_SEA_WALK, (int)level, 2, s1ptw, ipa);
	/*
	 * HCR_EL2.PTW: a stage-1 walk into Device memory (per stage 2) is a stage-2 Permission
	 * fault. It is found once the stage-2 leaf has been used, after its AF update (as the
	 * oracle records: the S2 AF of the table page is set although the walk faults).
	 */
	if (s1ptw && (cpu->r.hcr_el2 & HCR_EL2_PTW) && (o->memattr >> 2) == 0)
		return ptw_fault(w, HW_FAULT_PERMISSION, (int)level, 2, s1ptw, ipa);

	shift = ptw_level_shift(level) + ((desc & DESC_CONT) ? 4 : 0);
	o->pa = (desc & DESC_ADDR_MASK & ~(BIT64(shift) - 1)) | (ipa & (BIT64(shift) - 1));
	o->sh = (uint8_t)FIELD64(desc, DESC_SH_SHIFT, 2);
	o->level = (uint8_t)level;
	o->shift = (uint8_t)shift;
	o->perm = (uint8_t)((r ? TLB_P_R1 : 0) | (wr ? TLB_P_W1 : 0) | (x0 ? TLB_P_X0 : 0) |
			    (x1 ? TLB_P_X1 : 0));
	return true;
}

/* Stage 2 through the stage-2 cache; an entry that does not allow the access is dropped. */
static bool ptw_s2(struct ptw_walk *w, uint64_t ipa, enum hw_acc acc, bool s1ptw, struct s2_out *o)
{
	struct tlb *tlb = &w->cpu->tlb;
	uint16_t vmid = w->cpu->cur_vmid;
	struct tlb_entry e;

	if (w->use_cache) {
		struct tlb_entry *c = tlb_s2_lookup(tlb, ipa, vmid);
		if (c) {
			uint8_t need = acc == HW_ACC_READ ? TLB_P_R1
				       : acc == HW_ACC_WRITE
					       ? TLB_P_W1
					       : (w->req->el == 0 ? TLB_P_X0 : TLB_P_X1);
			bool ptw_dev =
				s1ptw && (w->cpu->r.hcr_el2 & HCR_EL2_PTW) && (c->attr >> 2) == 0;
			if ((c->perm & need) && !ptw_dev) {
				o->pa = c->pa + (ipa - c->va);
				o->memattr = c->attr;
				o->sh = c->sh;
				o->level = c->level;
				o->shift = c->shift;
				o->perm = c->perm;
				return true;
			}
			c->flags = 0;
		}
	}
	if (!ptw_s2_walk(w, ipa, acc, s1ptw, o))
		return false;
	if (w->use_cache) {
		e = (struct tlb_entry){.va = ipa,
				       .pa = o->pa & ~(BIT64(o->shift) - 1),
				       .ipa = ipa,
				       .vmid = vmid,
				       .shift = o->shift,
				       .perm = o->perm,
				       .attr = o->memattr,
				       .sh = o->sh,
				       .level = o->level};
		tlb_s2_insert(tlb, &e);
	}
	return true;
}

/* ---- memory attributes -------------------------------------------------------------- */

static bool attr_is_device(uint8_t attr)
{
	return (attr & 0xf0) == 0;
}

/* PAR_EL1.SH: 0b10 for Device and for Normal Inner and Outer Non-cacheable. */
static uint8_t attr_par_sh(uint8_t attr, uint8_t sh)
{
	return (attr_is_device(attr) || attr == 0x44) ? 2 : sh;
}

/* Cacheability rank of a MAIR nibble (Normal): 0 NC, 1 WT, 2 WB. */
static unsigned attr_rank(unsigned nib)
{
	if (nib == 0x4)
		return 0;
	return (nib & 0x4) ? 2 : ((nib & 0x8) ? 1 : 2); /* 0b00RW WT-transient, 0b10RW WT */
}

static unsigned attr_combine_nibble(unsigned s1, unsigned s2)
{
	unsigned s2rank = s2 == 1 ? 0 : s2 == 2 ? 1 : 2;

	if (s2rank >= attr_rank(s1))
		return s1;
	return s2rank == 0 ? 0x4 : (0x8 | (s1 & 0x3)); /* NC, or WT non-transient */
}

/*
 * Combines a stage-1 MAIR attribute with a stage-2 MemAttr[3:0] (Spec: Arm ARM D8.6.x,
 * "Combining the stage 1 and stage 2 attributes"): Device wins, the stronger Device type
 * wins, Normal cacheability is the weaker of the two.
 * Deviation: allocation hints are stage 1's (as QEMU keeps them; IMPLEMENTATION DEFINED).
 */
static uint8_t attr_combine(uint8_t s1, uint8_t s2)
{
	unsigned s2dev = (s2 >> 2) == 0;

	if (attr_is_device(s1) || s2dev) {
		unsigned t1 = attr_is_device(s1) ? (s1 >> 2) & 3 : 3;
		unsigned t2 = s2dev ? s2 & 3 : 3;
		return (uint8_t)((t1 < t2 ? t1 : t2) << 2);
	}
	return (uint8_t)(attr_combine_nibble(s1 >> 4, s2 >> 2) << 4 |
			 attr_combine_nibble(s1 & 0xf, s2 & 3));
}

static uint8_t sh_combine(uint8_t a, uint8_t b)
{
	if (a == 2 || b == 2)
		return 2;
	return (a == 3 || b == 3) ? 3 : a;
}

/* ---- stage 1 ------------------------------------------------------------------------ */

/* Address of a stage-1 descriptor at @ipa through stage 2 (S1PTW; stage 2 is on). */
static inline bool ptw_s1_table_pa(struct ptw_walk *w, uint64_t ipa, enum hw_acc acc, kmm_pa_t *pa)
{
	struct s2_out o;

	if (!ptw_s2(w, ipa, acc, true, &o))
		return false;
	*pa = o.pa;
	return true;
}

/* SCTLR_EL1.M == 0: flat mapping. Spec: Arm ARM D8.2.x (AArch64.S1DisabledOutput). */
static inline bool ptw_s1_off(struct ptw_walk *w, struct ptw_result *res)
{
	const struct hw_cpu *cpu = w->cpu;
	uint64_t va = w->req->va;
	unsigned b55 = (unsigned)((va >> 55) & 1);
	bool tbi = cpu->r.tcr_el1 & (b55 ? TCR_EL1_TBI1 : TCR_EL1_TBI0);
	unsigned pamax = cpu->feat->parange_bits, top = tbi ? 55 : 63;
	uint64_t mask = (top == 63 ? ~0ull : BIT64(top + 1) - 1) & ~(BIT64(pamax) - 1);

	if (va & mask)
		return ptw_fault(w, HW_FAULT_ADDR_SIZE, 0, 1, false, 0);
	res->ipa = va & (BIT64(pamax) - 1);
	if (w->req->acc == HW_ACC_EXEC)
		res->attr = (cpu->r.sctlr_el1 & SCTLR_EL1_I) ? 0xaa : 0x44;
	else
		res->attr = 0x00;
	res->sh = 2;
	res->perm = TLB_P_R0 | TLB_P_W0 | TLB_P_X0 | TLB_P_R1 | TLB_P_W1 | TLB_P_X1;
	res->level = 0;
	res->shift = 12;
	res->global = true;
	res->cacheable = false;
	return true;
}

/* The descriptor a stage-1 walk ended on, and what the walk gathered on the way. */
struct s1_leaf {
	uint64_t desc, desc_ipa;
	kmm_pa_t desc_pa;
	unsigned level;
	uint8_t hier; /* hierarchical controls in force (0 under HPD) */
	unsigned ps;
};

static inline bool ptw_s1_allowed(const struct ptw_walk *w, uint8_t perm)
{
	const struct ptw_req *q = w->req;

	/* PSTATE.PAN: EL1 data accesses to EL0-accessible memory (when the request applies it). */
	if (q->el && q->acc != HW_ACC_EXEC && (perm & TLB_P_U) && (q->flags & PTW_F_PAN) &&
	    w->cpu->r.pan)
		return false;
	return perm & w->cpu->need[q->el ? 1 : 0][q->acc];
}

/* Leaf: output address size, AF, permissions, hardware updates. */
static inline bool ptw_s1_leaf(struct ptw_walk *w, const struct s1_leaf *l, struct ptw_result *res,
			       bool s2)
{
	const struct hw_cpu *cpu = w->cpu;
	const struct ptw_req *q = w->req;
	uint64_t desc = l->desc, newd;
	unsigned shift = ptw_level_shift(l->level);
	bool ha = cpu->s1_ha;
	bool wclean, dirtied = false;
	uint8_t perm;
	int lvl = (int)l->level;

	if ((desc & DESC_ADDR_MASK) >> l->ps)
		return ptw_fault(w, HW_FAULT_ADDR_SIZE, lvl, 1, false, 0);
	if (!(desc & DESC_AF) && !ha)
		return ptw_fault(w, HW_FAULT_ACCESS_FLAG, lvl, 1, false, 0);
	perm = cpu->s1_perm[ptw_perm_idx(desc, l->hier)];
	wclean = perm & PTW_PERM_WCLEAN;
	perm &= (uint8_t)~PTW_PERM_WCLEAN;
	if (!ptw_s1_allowed(w, perm))
		return ptw_fault(w, HW_FAULT_PERMISSION, lvl, 1, false, 0);

	newd = desc | DESC_AF;
	if (q->acc == HW_ACC_WRITE && wclean && !(q->flags & PTW_F_AT)) {
		newd &= ~DESC_AP2;
		dirtied = true;
	}
	if (newd != desc) {
		kmm_pa_t pa = l->desc_pa;
		if (s2 && !ptw_s1_table_pa(w, l->desc_ipa, HW_ACC_WRITE, &pa))
			return false;
		if (!ptw_desc_write(w, pa, desc, newd))
			return ptw_fault(w, HW_FAULT_SEA_WALK, lvl, 1, false, 0);
	}
	if (wclean && !dirtied)
		perm &= (uint8_t) ~(TLB_P_W0 | TLB_P_W1); /* a write must walk to mark it dirty */

	shift += (desc & DESC_CONT) ? 4 : 0;
	res->ipa = (desc & DESC_ADDR_MASK & ~(BIT64(shift) - 1)) | (q->va & (BIT64(shift) - 1));
	res->attr = (uint8_t)(cpu->r.mair_el1 >> (8 * FIELD64(desc, DESC_ATTRINDX_SHIFT, 3)));
	res->sh = attr_par_sh(res->attr, (uint8_t)FIELD64(desc, DESC_SH_SHIFT, 2));
	res->perm = perm;
	res->level = (uint8_t)l->level;
	res->shift = (uint8_t)shift;
	res->global = !(desc & DESC_NG);
	res->cacheable = true;
	return true;
}

_Static_assert(DESC_PXNTABLE >> PTW_H_SHIFT == PTW_H_PXN &&
		       DESC_UXNTABLE >> PTW_H_SHIFT == PTW_H_UXN &&
		       DESC_APTABLE0 >> PTW_H_SHIFT == PTW_H_AP0 &&
		       DESC_APTABLE1 >> PTW_H_SHIFT == PTW_H_AP1,
	       "PTW_H_* are descriptor bits 62:59");

/* Stage 1, EL1&0 regime. Spec: Arm ARM D8.2 (AArch64.S1Walk). */
static PTW_HOT_INLINE bool ptw_s1(struct ptw_walk *w, struct ptw_result *res, bool s2)
{
	struct hw_cpu *cpu = w->cpu;
	uint64_t va = w->req->va, va56 = va & VA56_MASK;
	const struct hw_s1_half *half = &cpu->s1[(va >> 55) & 1];
	const struct tlb_walk_entry *wc = NULL;
	uint64_t table_ipa = half->base, table_pa = half->base, idxmask = half->topidx;
	uint64_t desc, desc_ipa, off, tables = 0; /* tables: the table descriptors, ORed */
	kmm_pa_t desc_pa;
	unsigned level = half->start, ps = cpu->s1_ps, shift;
	uint8_t hier = 0;
	bool via_s2 = s2; /* the table's address is an IPA that stage 2 translates (S1PTW) */

	if (!cpu->mmu_on)
		return ptw_s1_off(w, res);
	/* VA range (TBI excluded), then EPDn and the TTBR's size, precomputed by ptw_sync. */
	if ((va & half->topmask) != half->topval)
		return ptw_fault(w, HW_FAULT_TRANSLATION, 0, 1, false, 0);
	if (half->fault)
		return ptw_fault(w, (enum hw_fault_type)half->fault, 0, 1, false, 0);
	if (w->use_cache)
		wc = tlb_walk_lookup(&cpu->tlb, va56, cpu->cur_asid, cpu->cur_vmid);
	if (wc) {
		env_advance(w->hw->env, cpu->tlb.geo.cycles_walk_cache_hit);
		level = wc->level + 1u;
		hier = wc->hier;
		table_ipa = wc->table_ipa;
		table_pa = wc->table;
		via_s2 = false;
		if (level != half->start) /* (a stale entry from another TxSZ may say otherwise) */
			idxmask = 0x1ff;
	}
	for (shift = ptw_level_shift(level);; shift -= 9) {
		off = ((va >> shift) & idxmask) * 8;
		desc_ipa = table_ipa + off;
		if (via_s2) {
			if (!ptw_s1_table_pa(w, desc_ipa, HW_ACC_READ, &desc_pa))
				return false;
			table_pa = desc_pa - off;
		} else {
			desc_pa = table_pa + off;
		}
		if (!ptw_desc_read(w, desc_pa, &desc))
			return ptw_fault(w, HW_FAULT_SEA_WALK, (int)level, 1, false, 0);
		if ((desc & (DESC_VALID | DESC_TABLE)) != (DESC_VALID | DESC_TABLE) || level == 3) {
			/* Invalid, block or page; a block at level 0 or 3 is reserved. */
			if (!(desc & DESC_VALID) ||
			    (!(desc & DESC_TABLE) && (level == 0 || level == 3)))
				return ptw_fault(w, HW_FAULT_TRANSLATION, (int)level, 1, false, 0);
			break;
		}
		table_ipa = desc & DESC_ADDR_MASK;
		if (table_ipa >> ps)
			return ptw_fault(w, HW_FAULT_ADDR_SIZE, (int)level, 1, false, 0);
		table_pa = table_ipa;
		via_s2 = s2;
		tables |= desc;
		level++;
		idxmask = 0x1ff;
	}
	hier |= (uint8_t)((tables >> PTW_H_SHIFT) & half->hiermask);
	/*
	 * The walk cache keeps the partial translation up to, not including, the last level
	 * (as the Cortex-A57 walk cache does): one entry per walk, for the table the leaf was
	 * read from, unless the walk started there.
	 */
	if (w->use_cache && level > half->start && !(wc && wc->level + 1u == level))
		tlb_walk_insert(&cpu->tlb, va56, level - 1, table_pa, table_ipa,
				TLB_WALK_TAGS(cpu->cur_asid, cpu->cur_vmid, hier));
	{
		struct s1_leaf l = {.desc = desc,
				    .desc_ipa = desc_ipa,
				    .desc_pa = desc_pa,
				    .level = level,
				    .hier = (uint8_t)(hier & half->hiermask),
				    .ps = ps};
		return ptw_s1_leaf(w, &l, res, s2);
	}
}

static PTW_HOT_INLINE bool ptw_translate_walk(struct ptw_walk *w, struct ptw_result *res, bool s2)
{
	struct s2_out o;

	if (!ptw_s1(w, res, s2))
		return false;
	res->s2 = false;
	res->s2level = 0;
	res->pa = res->ipa;
	if (!s2 || (w->req->flags & PTW_F_S1_ONLY))
		return true;
	if (!ptw_s2(w, res->ipa, w->req->acc, false, &o))
		return false;
	res->s2 = true;
	res->s2level = o.level;
	res->pa = o.pa;
	res->attr = attr_combine(res->attr, o.memattr);
	res->sh = attr_par_sh(res->attr, sh_combine(res->sh, o.sh));
	if (o.shift < res->shift)
		res->shift = o.shift;
	res->perm &= (uint8_t)(TLB_P_U | ((o.perm & TLB_P_R1) ? TLB_P_R0 | TLB_P_R1 : 0) |
			       ((o.perm & TLB_P_W1) ? TLB_P_W0 | TLB_P_W1 : 0) |
			       (o.perm & (TLB_P_X0 | TLB_P_X1)));
	return true;
}

/* One walk, and its descriptor reads added to the counters whether it faulted or not. */
/* @s2: HCR_EL2.VM (stage 2 on), a constant where this is inlined. */
static PTW_HOT_INLINE bool ptw_run(struct ptw_walk *w, struct ptw_result *res, bool s2)
{
	struct hw_cpu *cpu = w->cpu;
	bool ok = ptw_translate_walk(w, res, s2);

	cpu->walks++;
	cpu->walk_reads += w->reads;
	env_advance(w->hw->env, (uint64_t)w->reads * cpu->tlb.geo.cycles_walk_read);
	return ok;
}

static inline struct ptw_walk ptw_walk_start(struct kmm_hw *hw, struct hw_cpu *cpu,
					     const struct ptw_req *req, struct hw_fault *f)
{
	return (struct ptw_walk){.hw = hw,
				 .cpu = cpu,
				 .req = req,
				 .f = f,
				 .bank = hw->phys.banks, /* (no banks: an empty range, never hit) */
				 .use_cache = !(req->flags & PTW_F_NOCACHE)};
}

bool ptw_translate(struct kmm_hw *hw, struct hw_cpu *cpu, const struct ptw_req *req,
		   struct ptw_result *res, struct hw_fault *f)
{
	f->type = HW_FAULT_NONE;
	/*
	 * Two copies of the walk, one with stage 2 known off: the common stage-1-only walk is
	 * then compiled without the stage-2 paths, with its state in registers (its struct
	 * ptw_walk is a separate object that nothing takes the address of).
	 */
	if (!(cpu->r.hcr_el2 & HCR_EL2_VM)) {
		struct ptw_walk w = ptw_walk_start(hw, cpu, req, f);
		return ptw_run(&w, res, false);
	} else {
		struct ptw_walk w = ptw_walk_start(hw, cpu, req, f);
		return ptw_run(&w, res, true);
	}
}
