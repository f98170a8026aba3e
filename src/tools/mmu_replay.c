/*
 * kmmsim mmu-replay: replays MMU oracle corpora (arm-mmu-oracle-v1, JSON Lines, plain or
 * gzipped) through the model and compares every architecturally determined outcome.
 *
 * Format and semantics: shared/oracles/mmu/README.md. For each scenario: RAM is
 * 0x4000_0000..0x4800_0000, zero except the fill pattern at 0x4400_0000..0x47FF_FFFF and the
 * scenario's `memory` words; the registers are loaded; each query runs after a TLBI ALLE1 on
 * every CPU. After each query the memory is resynchronised to QEMU's state (our hardware
 * updates undone, the corpus's `updates` applied), as the oracle's Arm ARM answers assume.
 *
 * Compared (README "architecturally determined"): AT: PAR.F, PA, FST, S, PTW, SH, and ATTR
 * for stage-1-only results; AT exceptions: EC, FSC, CM, WnR, FAR[55:0], target EL. Accesses:
 * ok/fault, PA, loaded value, target EL, EC, FSC, S1PTW, WnR (not for S1PTW faults), CM,
 * FAR[55:0], HPFAR. Both: the descriptor words changed by hardware updates. Where a query
 * carries `qemu_deviation`, the expectation is its `arm_arm` object (counted separately);
 * `hand_expected` (hand-written corpora) is checked as well when present.
 *
 * The replay drives the hardware directly (struct kmm_hw): no kernel runs on the machine,
 * so nothing but the corpus touches RAM.
 */
#include "tools/mmu_replay.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "hw/cpu.h"
#include "hw/mmu.h"
#include "hw/mmu_defs.h"
#include "lib/env.h"
#include "tools/mmu_json.h"

#define REPLAY_RAM_BASE	 0x40000000ull
#define REPLAY_RAM_END	 0x48000000ull
#define REPLAY_FILL_BASE 0x44000000ull
#define VA56_MASK	 0x00ffffffffffffffull

struct replay {
	struct kmm_env env;
	struct kmm_hw hw;
	struct json_doc doc;
	kmm_pa_t *dirty; /* words to restore before the next scenario */
	size_t ndirty, capdirty;
	uint64_t queries, matched, dev_queries, dev_matched, hand_checked;
	unsigned shown, max_show;
	bool against_qemu; /* --qemu: compare with QEMU's raw answers even on deviations */
};

/* What a query produced. */
struct replay_got {
	bool exception; /* AT taken as an exception, or an access fault */
	bool ok;
	uint64_t par;
	struct hw_fault f;
	struct esr_syndrome syn;
	kmm_pa_t pa;
	uint64_t value;
};

/* Mismatch text of one query. */
struct replay_cmp {
	char text[1024];
	size_t len;
	bool ok;
};

static void cmp_note(struct replay_cmp *c, const char *fmt, ...) KMM_PRINTF(2, 3);

static void cmp_note(struct replay_cmp *c, const char *fmt, ...)
{
	va_list ap;
	int n;

	c->ok = false;
	if (c->len >= sizeof(c->text) - 1)
		return;
	va_start(ap, fmt);
	n = vsnprintf(c->text + c->len, sizeof(c->text) - c->len, fmt, ap);
	va_end(ap);
	if (n > 0)
		c->len += (size_t)n;
	if (c->len > sizeof(c->text) - 1)
		c->len = sizeof(c->text) - 1;
}

static void cmp_u64(struct replay_cmp *c, const char *what, uint64_t want, uint64_t got)
{
	if (want != got)
		cmp_note(c, "\n      %s: expected 0x%" PRIx64 ", got 0x%" PRIx64, what, want, got);
}

/* The fill pattern: each doubleword is "movz x0, #pa[15:0]; movk x0, #pa[31:16], lsl 16". */
static uint64_t replay_base_word(kmm_pa_t pa)
{
	uint32_t movz, movk;

	if (pa < REPLAY_FILL_BASE || pa >= REPLAY_RAM_END)
		return 0;
	movz = 0xd2800000u | (uint32_t)(pa & 0xffff) << 5;
	movk = 0xf2a00000u | (uint32_t)((pa >> 16) & 0xffff) << 5;
	return (uint64_t)movk << 32 | movz;
}

static bool replay_mark(struct replay *r, kmm_pa_t pa)
{
	if (r->ndirty == r->capdirty) {
		size_t cap = r->capdirty ? r->capdirty * 2 : 4096;
		kmm_pa_t *nd = realloc(r->dirty, cap * sizeof(*nd));
		if (!nd)
			return false;
		r->dirty = nd;
		r->capdirty = cap;
	}
	r->dirty[r->ndirty++] = pa & ~7ull;
	return true;
}

static void replay_write(struct replay *r, kmm_pa_t pa, uint64_t val)
{
	if (phys_write64(&r->hw.phys, pa & ~7ull, val))
		replay_mark(r, pa);
}

static void replay_restore(struct replay *r)
{
	for (size_t i = 0; i < r->ndirty; i++)
		phys_write64(&r->hw.phys, r->dirty[i], replay_base_word(r->dirty[i]));
	r->ndirty = 0;
}

static bool replay_machine(struct replay *r, char *err, size_t errlen)
{
	struct kmm_config cfg;

	kmm_config_init(&cfg);
	cfg.nr_cpus = 1;
	cfg.nr_mmio = 0;
	if (kmm_config_add_bank(&cfg, REPLAY_RAM_BASE, REPLAY_RAM_END - REPLAY_RAM_BASE) !=
	    KMM_OK) {
		snprintf(err, errlen, "%s", kmm_last_error(NULL));
		return false;
	}
	if (!env_init(&r->env, &cfg, err, errlen))
		return false;
	if (!hw_init(&r->hw, &r->env, &cfg)) {
		snprintf(err, errlen, "%.200s", r->env.last_error);
		env_fini(&r->env);
		return false;
	}
	for (kmm_pa_t pa = REPLAY_FILL_BASE; pa < REPLAY_RAM_END; pa += 8)
		phys_write64(&r->hw.phys, pa, replay_base_word(pa));
	return true;
}

/* ---- one scenario ------------------------------------------------------------------- */

static bool replay_setup(struct replay *r, int root, char *why, size_t whylen)
{
	const struct json_doc *d = &r->doc;
	struct hw_cpu *cpu = &r->hw.cpus[0];
	static const char *const regs[] = {"SCTLR_EL1", "TCR_EL1", "MAIR_EL1", "TTBR0_EL1",
					   "TTBR1_EL1", "HCR_EL2", "VTCR_EL2", "VTTBR_EL2"};
	const char *model = "max", *fmt;
	int mem, regsobj;

	if (json_str(d, json_get(d, root, "format"), &fmt) && strcmp(fmt, "arm-mmu-oracle-v1")) {
		snprintf(why, whylen, "unknown format \"%s\"", fmt);
		return false;
	}
	json_str(d, json_get(d, root, "cpu"), &model);
	if (!hw_cpus_set_model(&r->hw, model)) {
		snprintf(why, whylen, "%.200s", r->env.last_error);
		return false;
	}
	replay_restore(r);
	mem = json_get(d, root, "memory");
	for (int w = mem >= 0 ? d->nodes[mem].first : -1; w >= 0; w = d->nodes[w].next) {
		int a = d->nodes[w].first;
		uint64_t pa, val;
		if (a < 0 || !json_hex(d, a, &pa) || !json_hex(d, d->nodes[a].next, &val)) {
			snprintf(why, whylen, "malformed memory entry");
			return false;
		}
		replay_write(r, pa, val);
	}
	regsobj = json_get(d, root, "regs");
	cpu->r = (struct hw_sysregs){.el = 1};
	for (size_t i = 0; i < sizeof(regs) / sizeof(regs[0]); i++) {
		uint64_t v = 0;
		int node = json_get(d, regsobj, regs[i]);
		if (node >= 0 && !json_hex(d, node, &v)) {
			snprintf(why, whylen, "register %s is not a hex string", regs[i]);
			return false;
		}
		if (!hw_cpu_set_reg(&r->hw, cpu, hw_sysreg_by_name(regs[i]), v)) {
			snprintf(why, whylen, "%.200s", r->env.last_error);
			return false;
		}
	}
	return true;
}

/* Runs one query; false if the query itself is malformed. */
static bool replay_run(struct replay *r, int q, struct replay_got *g, char *why, size_t whylen)
{
	const struct json_doc *d = &r->doc;
	struct hw_cpu *cpu = &r->hw.cpus[0];
	const char *kind, *op;
	int64_t el = 1;
	uint64_t va;

	memset(g, 0, sizeof(*g));
	if (!json_str(d, json_get(d, q, "kind"), &kind) ||
	    !json_str(d, json_get(d, q, "op"), &op) || !json_hex(d, json_get(d, q, "va"), &va)) {
		snprintf(why, whylen, "query lacks kind, op or va");
		return false;
	}
	json_int(d, json_get(d, q, "el"), &el);
	mmu_tlbi(&r->hw, cpu, MMU_TLBI_ALLE1, 0, true, NULL);
	cpu->updates.n = 0;
	if (strcmp(kind, "at") == 0) {
		enum mmu_at_op at = mmu_at_by_name(op);
		if (at == MMU_AT_COUNT) {
			snprintf(why, whylen, "unknown AT op \"%s\"", op);
			return false;
		}
		g->ok = mmu_at(&r->hw, cpu, at, va, true, &g->f);
		g->exception = !g->ok;
		g->par = cpu->r.par_el1;
		if (g->exception)
			g->syn = cpu->exception;
		return true;
	}
	if (strcmp(kind, "access") == 0) {
		enum hw_acc acc = strcmp(op, "LOAD") == 0    ? HW_ACC_READ
				  : strcmp(op, "STORE") == 0 ? HW_ACC_WRITE
				  : strcmp(op, "EXEC") == 0  ? HW_ACC_EXEC
							     : (enum hw_acc) - 1;
		uint64_t val = 0;
		if ((int)acc < 0 || el < 0 || el > 1) {
			snprintf(why, whylen, "unknown access op \"%s\" or EL", op);
			return false;
		}
		if (acc == HW_ACC_WRITE)
			json_hex(d, json_get(d, q, "store_value"), &val);
		cpu->r.el = (uint8_t)el;
		g->ok = mmu_access(&r->hw, cpu, acc, va, &val, 8, &g->pa, &g->f);
		cpu->r.el = 1;
		if (g->ok && acc == HW_ACC_WRITE) {
			replay_mark(r, g->pa);
			replay_mark(r, g->pa + 7);
		}
		g->value = val;
		g->exception = !g->ok;
		if (g->exception)
			g->syn = cpu->exception;
		return true;
	}
	snprintf(why, whylen, "unknown query kind \"%s\"", kind);
	return false;
}

static void replay_cmp_exception(const struct json_doc *d, int e, const struct replay_got *g,
				 struct replay_cmp *c)
{
	uint64_t v;
	int64_t n;
	bool b;

	if (!g->exception) {
		cmp_note(c, "\n      expected a fault/exception, got %s",
			 g->ok ? "success" : "a PAR fault");
		return;
	}
	if (json_int(d, json_get(d, e, "taken_to_el"), &n))
		cmp_u64(c, "target EL", (uint64_t)n, g->syn.target_el);
	if (json_hex(d, json_get(d, e, "ec"), &v))
		cmp_u64(c, "EC", v, g->syn.esr >> ESR_EC_SHIFT);
	if (json_hex(d, json_get(d, e, "fsc"), &v))
		cmp_u64(c, "FSC", v, g->syn.esr & ESR_FSC_MASK);
	if (json_bool(d, json_get(d, e, "s1ptw"), &b))
		cmp_u64(c, "S1PTW", b, (g->syn.esr & ESR_ISS_S1PTW) != 0);
	if (json_int(d, json_get(d, e, "cm"), &n))
		cmp_u64(c, "CM", (uint64_t)n, (g->syn.esr & ESR_ISS_CM) != 0);
	if (json_int(d, json_get(d, e, "wnr"), &n) && !(g->syn.esr & ESR_ISS_S1PTW))
		cmp_u64(c, "WnR", (uint64_t)n, (g->syn.esr & ESR_ISS_WNR) != 0);
	if (json_hex(d, json_get(d, e, "far"), &v))
		cmp_u64(c, "FAR[55:0]", v & VA56_MASK, g->syn.far & VA56_MASK);
	if (json_hex(d, json_get(d, e, "hpfar"), &v))
		cmp_u64(c, "HPFAR_EL2", v, g->syn.hpfar);
}

static void replay_cmp_at(const struct replay *r, int q, int e, const struct replay_got *g,
			  struct replay_cmp *c)
{
	const struct json_doc *d = &r->doc;
	const struct hw_cpu *cpu = &r->hw.cpus[0];
	const char *stages = "1";
	bool exc = false, fault = false;
	uint64_t v;
	int64_t n;
	bool b;

	json_bool(d, json_get(d, e, "exception"), &exc);
	if (exc) {
		replay_cmp_exception(d, e, g, c);
		return;
	}
	if (g->exception) {
		cmp_note(c, "\n      expected PAR_EL1, got an exception (FSC 0x%x)",
			 (unsigned)(g->syn.esr & ESR_FSC_MASK));
		return;
	}
	json_bool(d, json_get(d, e, "fault"), &fault);
	cmp_u64(c, "PAR.F", fault, g->par & PAR_F);
	if (fault) {
		if (!(g->par & PAR_F))
			return;
		if (json_hex(d, json_get(d, e, "fst"), &v))
			cmp_u64(c, "PAR.FST", v, (g->par >> PAR_FST_SHIFT) & 0x3f);
		if (json_int(d, json_get(d, e, "stage"), &n))
			cmp_u64(c, "PAR.S (stage 2)", n == 2, (g->par & PAR_S) != 0);
		if (json_bool(d, json_get(d, e, "s1ptw"), &b))
			cmp_u64(c, "PAR.PTW", b, (g->par & PAR_PTW) != 0);
		return;
	}
	if (g->par & PAR_F)
		return;
	if (json_hex(d, json_get(d, e, "pa"), &v))
		cmp_u64(c, "PA", v, g->par & 0x000ffffffffff000ull);
	if (json_int(d, json_get(d, e, "sh"), &n))
		cmp_u64(c, "PAR.SH", (uint64_t)n, (g->par >> PAR_SH_SHIFT) & 3);
	json_str(d, json_get(d, q, "stages"), &stages);
	if ((strcmp(stages, "1") == 0 || !(cpu->r.hcr_el2 & HCR_EL2_VM)) &&
	    json_hex(d, json_get(d, e, "attr"), &v))
		cmp_u64(c, "PAR.ATTR", v, g->par >> PAR_ATTR_SHIFT);
}

static void replay_cmp_access(const struct replay *r, int q, int e, const struct replay_got *g,
			      struct replay_cmp *c)
{
	const struct json_doc *d = &r->doc;
	const char *outcome = "", *op = "";
	uint64_t v;

	json_str(d, json_get(d, e, "outcome"), &outcome);
	json_str(d, json_get(d, q, "op"), &op);
	if (strcmp(outcome, "ok") == 0) {
		if (!g->ok) {
			cmp_note(c,
				 "\n      expected success, got a %s fault (FSC 0x%x, level %d, "
				 "stage %u)",
				 esr_fault_name(g->f.type), esr_fsc(&g->f), g->f.level, g->f.stage);
			return;
		}
		if (json_hex(d, json_get(d, e, "pa"), &v))
			cmp_u64(c, "PA", v, g->pa);
		if (strcmp(op, "LOAD") == 0 && json_hex(d, json_get(d, e, "value"), &v))
			cmp_u64(c, "loaded value", v, g->value);
		return;
	}
	replay_cmp_exception(d, e, g, c);
}

/* Expected update list vs ours (as sets). */
static void replay_cmp_updates(const struct replay *r, int list, struct replay_cmp *c)
{
	const struct json_doc *d = &r->doc;
	const struct hw_update_log *log = &r->hw.cpus[0].updates;
	uint32_t want = 0;
	bool used[HW_UPDATE_LOG] = {false};

	for (int u = list >= 0 ? d->nodes[list].first : -1; u >= 0; u = d->nodes[u].next) {
		uint64_t pa = 0, old = 0, new_ = 0;
		bool found = false;

		json_hex(d, json_get(d, u, "pa"), &pa);
		json_hex(d, json_get(d, u, "old"), &old);
		json_hex(d, json_get(d, u, "new"), &new_);
		want++;
		for (uint32_t i = 0; i < log->n && i < HW_UPDATE_LOG; i++) {
			if (!used[i] && log->e[i].pa == pa && log->e[i].old == old &&
			    log->e[i].new_ == new_) {
				used[i] = found = true;
				break;
			}
		}
		if (!found)
			cmp_note(c,
				 "\n      missing update [0x%" PRIx64 "] 0x%" PRIx64
				 " -> 0x%" PRIx64,
				 pa, old, new_);
	}
	for (uint32_t i = 0; i < log->n && i < HW_UPDATE_LOG; i++) {
		if (!used[i])
			cmp_note(c,
				 "\n      unexpected update [0x%" PRIx64 "] 0x%" PRIx64
				 " -> 0x%" PRIx64,
				 log->e[i].pa, log->e[i].old, log->e[i].new_);
	}
	if (log->n > HW_UPDATE_LOG)
		cmp_note(c, "\n      %u updates (more than the log holds)", log->n);
	(void)want;
}

/* hand_expected (hand-written corpora): the hand-derived Arm ARM answer. */
static void replay_cmp_hand(struct replay *r, int h, const struct replay_got *g,
			    struct replay_cmp *c)
{
	const struct json_doc *d = &r->doc;
	bool ok = true, b;
	uint64_t v;
	int64_t n;
	const char *kind;

	if (h < 0)
		return;
	r->hand_checked++;
	json_bool(d, json_get(d, h, "ok"), &ok);
	if (ok) {
		bool got_ok = g->ok && !(g->par & PAR_F);
		cmp_u64(c, "hand: ok", 1, got_ok);
		if (got_ok && json_hex(d, json_get(d, h, "pa"), &v))
			cmp_u64(c, "hand: PA", v, g->pa ? g->pa : g->par & 0x000ffffffffff000ull);
		return;
	}
	if (g->ok && !(g->par & PAR_F)) {
		cmp_note(c, "\n      hand: expected a fault, got success");
		return;
	}
	if (json_str(d, json_get(d, h, "kind"), &kind) && strcmp(kind, esr_fault_name(g->f.type)))
		cmp_note(c, "\n      hand: kind %s, got %s", kind, esr_fault_name(g->f.type));
	if (json_int(d, json_get(d, h, "level"), &n))
		cmp_u64(c, "hand: level", (uint64_t)n, (uint64_t)(int64_t)g->f.level);
	/* An external abort on the access belongs to no stage (result.stage is null). */
	if (json_int(d, json_get(d, h, "stage"), &n) && g->f.type != HW_FAULT_SEA)
		cmp_u64(c, "hand: stage", (uint64_t)n, g->f.stage);
	if (json_bool(d, json_get(d, h, "ptw"), &b))
		cmp_u64(c, "hand: S1PTW", b, g->f.s1ptw);
	if (json_hex(d, json_get(d, h, "ipa"), &v))
		cmp_u64(c, "hand: fault IPA page", v, g->syn.hpfar >> HPFAR_FIPA_SHIFT << 12);
}

/* Undo our updates, apply the corpus's (QEMU's memory state carries over). */
static void replay_resync(struct replay *r, int q)
{
	const struct json_doc *d = &r->doc;
	const struct hw_update_log *log = &r->hw.cpus[0].updates;
	int list = json_get(d, q, "updates");

	for (uint32_t i = log->n < HW_UPDATE_LOG ? log->n : HW_UPDATE_LOG; i-- > 0;)
		replay_write(r, log->e[i].pa, log->e[i].old);
	for (int u = list >= 0 ? d->nodes[list].first : -1; u >= 0; u = d->nodes[u].next) {
		uint64_t pa, new_;
		if (json_hex(d, json_get(d, u, "pa"), &pa) &&
		    json_hex(d, json_get(d, u, "new"), &new_))
			replay_write(r, pa, new_);
	}
}

static void replay_show(struct replay *r, const char *file, const char *id, int q,
			const char *against, const struct replay_cmp *c)
{
	const struct json_doc *d = &r->doc;
	const char *op = "?", *va = "?", *intent = "";
	int64_t i = -1, el = -1;

	if (r->shown++ >= r->max_show)
		return;
	json_str(d, json_get(d, q, "op"), &op);
	json_str(d, json_get(d, q, "va"), &va);
	json_str(d, json_get(d, q, "intent"), &intent);
	json_int(d, json_get(d, q, "i"), &i);
	json_int(d, json_get(d, q, "el"), &el);
	printf("MISMATCH %s: %s query %" PRId64 ": %s EL%" PRId64 " va %s (%s), against %s:%s\n",
	       file, id, i, op, el, va, intent, against, c->text);
}

static void replay_scenario(struct replay *r, const char *file, int root)
{
	const struct json_doc *d = &r->doc;
	const char *id = "?";
	char why[256];
	int queries = json_get(d, root, "queries");
	bool setup_ok;

	json_str(d, json_get(d, root, "id"), &id);
	setup_ok = replay_setup(r, root, why, sizeof(why));
	for (int q = queries >= 0 ? d->nodes[queries].first : -1; q >= 0; q = d->nodes[q].next) {
		struct replay_cmp c = {.ok = true};
		struct replay_got g;
		int dev = json_get(d, q, "qemu_deviation");
		int e = json_get(d, q, "result"), updates = json_get(d, q, "updates");
		const char *kind = "", *against = "result";

		if (dev >= 0 && !r->against_qemu) {
			e = json_get(d, q, "arm_arm");
			updates = json_get(d, e, "updates");
			against = "arm_arm";
		}
		r->queries++;
		if (dev >= 0)
			r->dev_queries++;
		if (!setup_ok) {
			cmp_note(&c, "\n      scenario not loaded: %s", why);
		} else if (!replay_run(r, q, &g, why, sizeof(why))) {
			cmp_note(&c, "\n      %s", why);
		} else {
			json_str(d, json_get(d, q, "kind"), &kind);
			if (strcmp(kind, "at") == 0)
				replay_cmp_at(r, q, e, &g, &c);
			else
				replay_cmp_access(r, q, e, &g, &c);
			replay_cmp_updates(r, updates, &c);
			replay_cmp_hand(r, json_get(d, q, "hand_expected"), &g, &c);
			replay_resync(r, q);
		}
		if (c.ok) {
			r->matched++;
			if (dev >= 0)
				r->dev_matched++;
		} else {
			replay_show(r, file, id, q, against, &c);
		}
	}
}

/* Reads one line of any length; NULL at end of file. */
static char *replay_getline(gzFile gz, char **buf, size_t *cap)
{
	size_t len = 0;

	if (!*buf) {
		*cap = 1 << 16;
		*buf = malloc(*cap);
		if (!*buf)
			return NULL;
	}
	for (;;) {
		if (!gzgets(gz, *buf + len, (int)(*cap - len)))
			return len ? *buf : NULL;
		len += strlen(*buf + len);
		if (len && (*buf)[len - 1] == '\n')
			return *buf;
		if (len + 1 >= *cap) {
			char *nb = realloc(*buf, *cap * 2);
			if (!nb)
				return NULL;
			*buf = nb;
			*cap *= 2;
		}
	}
}

/*
 * One line of a corpus (modified in place): blank lines are skipped. Returns 0, or 2 with
 * the parser's message in @err when the line is not JSON.
 */
static int replay_line(struct replay *r, const char *name, char *line, char *err, size_t errlen)
{
	char *p = line;
	int root;

	while (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n')
		p++;
	if (!*p)
		return 0;
	root = json_parse(&r->doc, p);
	if (root < 0) {
		snprintf(err, errlen, "%s", r->doc.err);
		return 2;
	}
	replay_scenario(r, name, root);
	return 0;
}

static int replay_file(struct replay *r, const char *path)
{
	gzFile gz = gzopen(path, "rb");
	char *line = NULL, err[sizeof(r->doc.err)];
	size_t cap = 0;
	uint64_t lineno = 0, q0 = r->queries, m0 = r->matched, dq0 = r->dev_queries,
		 dm0 = r->dev_matched;
	int rc = 0;

	if (!gz) {
		fprintf(stderr, "kmmsim mmu-replay: cannot open %s\n", path);
		return 2;
	}
	while (replay_getline(gz, &line, &cap)) {
		lineno++;
		rc = replay_line(r, path, line, err, sizeof(err));
		if (rc) {
			fprintf(stderr, "kmmsim mmu-replay: %s:%" PRIu64 ": %s\n", path, lineno,
				err);
			break;
		}
	}
	free(line);
	gzclose(gz);
	printf("%s: %" PRIu64 "/%" PRIu64 " queries match (%" PRIu64 " annotated qemu_deviation, "
	       "compared against %s: %" PRIu64 " match)\n",
	       path, r->matched - m0, r->queries - q0, r->dev_queries - dq0,
	       r->against_qemu ? "QEMU's answer" : "arm_arm", r->dev_matched - dm0);
	return rc;
}

/* ---- the in-memory entry point (tests/fuzz/fuzz_mmu_corpus.c) ------------------------ */

struct replay *mmu_replay_new(unsigned max_show, char *err, size_t errlen)
{
	struct replay *r = calloc(1, sizeof(*r));

	if (!r) {
		snprintf(err, errlen, "out of host memory");
		return NULL;
	}
	r->max_show = max_show;
	if (!replay_machine(r, err, errlen)) {
		free(r);
		return NULL;
	}
	return r;
}

int mmu_replay_text(struct replay *r, const char *name, char *text, uint64_t *queries,
		    uint64_t *matched, char *err, size_t errlen)
{
	uint64_t q0 = r->queries, m0 = r->matched;
	int rc = 0;

	for (char *line = text; line && !rc;) {
		char *nl = strchr(line, '\n');
		if (nl)
			*nl = '\0';
		rc = replay_line(r, name, line, err, errlen);
		line = nl ? nl + 1 : NULL;
	}
	*queries = r->queries - q0;
	*matched = r->matched - m0;
	return rc;
}

void mmu_replay_free(struct replay *r)
{
	if (!r)
		return;
	json_free(&r->doc);
	free(r->dirty);
	hw_fini(&r->hw);
	env_fini(&r->env);
	free(r);
}

int kmmsim_cmd_mmu_replay(const struct kmm_config *cfg, int argc, char **argv)
{
	struct replay *r = calloc(1, sizeof(*r));
	char err[256];
	int rc = 0, files = 0;

	(void)cfg;
	if (!r)
		return 2;
	r->max_show = 10;
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--show") == 0 && i + 1 < argc) {
			r->max_show = (unsigned)strtoul(argv[++i], NULL, 10);
		} else if (strcmp(argv[i], "--qemu") == 0) {
			r->against_qemu = true;
		} else if (argv[i][0] == '-' && argv[i][1]) {
			fprintf(stderr, "usage: kmmsim mmu-replay [--show N] [--qemu] CORPUS...\n");
			free(r);
			return 2;
		}
	}
	if (!replay_machine(r, err, sizeof(err))) {
		fprintf(stderr, "kmmsim mmu-replay: %s\n", err);
		free(r);
		return 2;
	}
	for (int i = 1; i < argc && rc < 2; i++) {
		if (strcmp(argv[i], "--show") == 0) {
			i++;
			continue;
		}
		if (argv[i][0] == '-' && argv[i][1])
			continue;
		files++;
		rc = replay_file(r, argv[i]);
	}
	if (!files) {
		fprintf(stderr, "usage: kmmsim mmu-replay [--show N] [--qemu] CORPUS...\n");
		rc = 2;
	} else if (rc < 2) {
		printf("%" PRIu64 "/%" PRIu64 " queries match (%" PRIu64 "/%" PRIu64
		       " qemu_deviation queries match %s; %" PRIu64 " hand_expected checks)\n",
		       r->matched, r->queries, r->dev_matched, r->dev_queries,
		       r->against_qemu ? "QEMU" : "arm_arm", r->hand_checked);
		rc = r->matched == r->queries ? 0 : 1;
	}
	json_free(&r->doc);
	free(r->dirty);
	hw_fini(&r->hw);
	env_fini(&r->env);
	free(r);
	return rc;
}
