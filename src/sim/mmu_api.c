/*
 * Public MMU API (include/kmm/mmu.h): argument checks and translation between the public
 * types and the hardware model in src/hw. Every bad argument is refused with KMM_EINVAL and
 * a reason before anything changes.
 */
#include <kmm/mmu.h>

#include <inttypes.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "hw/cpu.h"
#include "hw/mmu.h"
#include "sim/api.h"

/* The public enums mirror the hardware model's tables. */
_Static_assert((int)KMM_REG_COUNT == (int)HW_REG_COUNT, "register lists differ");
_Static_assert((int)KMM_AT_COUNT == (int)MMU_AT_COUNT, "AT lists differ");
_Static_assert((int)KMM_TLBI_COUNT == (int)MMU_TLBI_COUNT, "TLBI lists differ");
_Static_assert((int)KMM_TLB_LEVELS == (int)TLB_NR_LEVELS, "TLB level lists differ");
_Static_assert((int)KMM_ACCESS_LOAD == (int)HW_ACC_READ &&
		       (int)KMM_ACCESS_STORE == (int)HW_ACC_WRITE &&
		       (int)KMM_ACCESS_IFETCH == (int)HW_ACC_EXEC,
	       "access types differ");
_Static_assert(sizeof(struct kmm_tlb_geometry) == sizeof(struct tlb_geometry) &&
		       offsetof(struct kmm_tlb_geometry, policy) ==
			       offsetof(struct tlb_geometry, policy) &&
		       offsetof(struct kmm_tlb_geometry, cycles_tlbi) ==
			       offsetof(struct tlb_geometry, cycles_tlbi),
	       "TLB geometry layouts differ");
_Static_assert((int)KMM_TLB_LRU == (int)TLB_REPL_LRU && (int)KMM_TLB_PLRU == (int)TLB_REPL_PLRU &&
		       (int)KMM_TLB_RANDOM == (int)TLB_REPL_RANDOM,
	       "replacement policies differ");

static enum kmm_status mmu_api_cpu(struct kmm_machine *m, unsigned cpu, const char *fn,
				   struct hw_cpu **out)
{
	if (!m)
		return kmm_error_nomachine(KMM_EINVAL, "%s: NULL machine", fn);
	if (cpu >= m->hw.nr_cpus)
		return env_error(&m->env, KMM_EINVAL,
				 "%s: CPU %u does not exist (the machine has "
				 "%u CPUs)",
				 fn, cpu, m->hw.nr_cpus);
	*out = &m->hw.cpus[cpu];
	return KMM_OK;
}

const char *kmm_mmu_reg_name(enum kmm_mmu_reg reg)
{
	return hw_sysreg_name((enum hw_sysreg)reg);
}

enum kmm_status kmm_mmu_set_reg(struct kmm_machine *m, unsigned cpu, enum kmm_mmu_reg reg,
				uint64_t val)
{
	struct hw_cpu *c = NULL;
	enum kmm_status st = mmu_api_cpu(m, cpu, "kmm_mmu_set_reg", &c);

	if (st)
		return st;
	if ((unsigned)reg >= KMM_REG_COUNT)
		return env_error(&m->env, KMM_EINVAL, "kmm_mmu_set_reg: unknown register %d",
				 (int)reg);
	if (!hw_cpu_set_reg(&m->hw, c, (enum hw_sysreg)reg, val))
		return KMM_EINVAL; /* reason already in last_error */
	return KMM_OK;
}

enum kmm_status kmm_mmu_get_reg(struct kmm_machine *m, unsigned cpu, enum kmm_mmu_reg reg,
				uint64_t *val)
{
	struct hw_cpu *c = NULL;
	enum kmm_status st = mmu_api_cpu(m, cpu, "kmm_mmu_get_reg", &c);

	if (st)
		return st;
	if (!val)
		return env_error(&m->env, KMM_EINVAL, "kmm_mmu_get_reg: NULL val");
	if ((unsigned)reg >= KMM_REG_COUNT)
		return env_error(&m->env, KMM_EINVAL, "kmm_mmu_get_reg: unknown register %d",
				 (int)reg);
	*val = hw_cpu_get_reg(c, (enum hw_sysreg)reg);
	return KMM_OK;
}

enum kmm_status kmm_mmu_set_cpu_model(struct kmm_machine *m, const char *model)
{
	if (!m)
		return kmm_error_nomachine(KMM_EINVAL, "kmm_mmu_set_cpu_model: NULL machine");
	if (!model)
		return env_error(&m->env, KMM_EINVAL, "kmm_mmu_set_cpu_model: NULL model");
	if (!hw_cpus_set_model(&m->hw, model)) {
		char why[sizeof(m->env.last_error)];

		snprintf(why, sizeof(why), "%s", m->env.last_error);
		return env_error(&m->env, KMM_EINVAL, "kmm_mmu_set_cpu_model: %s", why);
	}
	return KMM_OK;
}

/* The exception the hardware just took for @f (mmu_raise encoded it), as the API shows it. */
static void mmu_api_fault(const struct hw_cpu *c, const struct hw_fault *f,
			  struct kmm_mmu_fault *out)
{
	const struct esr_syndrome *s = &c->exception;

	if (!out)
		return;
	*out = (struct kmm_mmu_fault){.esr = s->esr,
				      .far = s->far,
				      .hpfar = s->hpfar,
				      .target_el = s->target_el,
				      .kind = esr_fault_name(f->type),
				      .level = f->level,
				      .stage = f->stage,
				      .s1ptw = f->s1ptw};
}

API_BODY(cpu_access, {
	unsigned cpu;
	enum kmm_access type;
	kmm_va_t va;
	void *buf;
	size_t size;
	struct kmm_mmu_fault *fault;
})
{
	struct kmm_machine *m = a->m;
	struct hw_cpu *c;
	struct hw_fault f;

	if (p->cpu >= m->hw.nr_cpus)
		return api_error(a, KMM_EINVAL, "CPU %u does not exist (the machine has %u CPUs)",
				 p->cpu, m->hw.nr_cpus);
	if ((unsigned)p->type > KMM_ACCESS_IFETCH)
		return api_error(a, KMM_EINVAL, "bad access type %d: not LOAD, STORE or IFETCH",
				 (int)p->type);
	if (!p->buf)
		return api_error(a, KMM_EINVAL, "NULL buf");
	if (p->size < 1 || p->size > KMM_ACCESS_MAX)
		return api_error(a, KMM_EINVAL, "size %zu outside 1..%u (KMM_ACCESS_MAX)", p->size,
				 KMM_ACCESS_MAX);
	c = &m->hw.cpus[p->cpu];
	env_set_cpu(&m->env, (int)p->cpu);
	if (mmu_access(&m->hw, c, (enum hw_acc)p->type, p->va, p->buf, p->size, NULL, &f))
		return KMM_OK;
	mmu_api_fault(c, &f, p->fault);
	return env_error(&m->env, KMM_EFAULT,
			 "CPU%u: %s fault at VA 0x%016" PRIx64 " (level %d, stage %u)", p->cpu,
			 esr_fault_name(f.type), p->va, f.level, f.stage);
}

enum kmm_status kmm_cpu_access(struct kmm_machine *m, unsigned cpu, enum kmm_access type,
			       kmm_va_t va, void *buf, size_t size, struct kmm_mmu_fault *fault)
{
	return API_CALL(m, API_MACHINE, cpu_access, cpu, type, va, buf, size, fault);
}

enum kmm_status kmm_at(struct kmm_machine *m, unsigned cpu, enum kmm_at_op op, kmm_va_t va,
		       uint64_t *par, struct kmm_mmu_fault *fault)
{
	struct hw_cpu *c = NULL;
	struct hw_fault f;
	enum kmm_status st = mmu_api_cpu(m, cpu, "kmm_at", &c);

	if (st)
		return st;
	if ((unsigned)op >= KMM_AT_COUNT || !par)
		return env_error(&m->env, KMM_EINVAL, "kmm_at: unknown AT op %d or NULL PAR output",
				 (int)op);
	if (mmu_at(&m->hw, c, (enum mmu_at_op)op, va, false, &f)) {
		*par = c->r.par_el1;
		return KMM_OK;
	}
	*par = c->r.par_el1;
	mmu_api_fault(c, &f, fault);
	return env_error(&m->env, KMM_EFAULT, "AT %s at VA 0x%016" PRIx64 " took a %s exception",
			 mmu_at_name((enum mmu_at_op)op), va, esr_fault_name(f.type));
}

enum kmm_status kmm_tlbi(struct kmm_machine *m, unsigned cpu, unsigned op, uint64_t xt)
{
	struct hw_cpu *c = NULL;
	enum kmm_status st = mmu_api_cpu(m, cpu, "kmm_tlbi", &c);
	unsigned base = op & ~KMM_TLBI_IS;

	if (st)
		return st;
	if (base >= KMM_TLBI_COUNT)
		return env_error(&m->env, KMM_EINVAL, "kmm_tlbi: unknown TLBI op 0x%x", op);
	if (!mmu_tlbi(&m->hw, c, (enum mmu_tlbi_op)base, xt, (op & KMM_TLBI_IS) != 0, NULL))
		return KMM_EINVAL;
	return KMM_OK;
}

enum kmm_status kmm_tlbi_by_name(struct kmm_machine *m, unsigned cpu, const char *name, uint64_t xt)
{
	bool is;
	enum mmu_tlbi_op op;

	if (!m)
		return kmm_error_nomachine(KMM_EINVAL, "kmm_tlbi_by_name: NULL machine");
	op = mmu_tlbi_by_name(name, &is);
	if (op == MMU_TLBI_COUNT)
		return env_error(&m->env, KMM_EINVAL, "kmm_tlbi_by_name: unknown TLBI \"%s\"",
				 name ? name : "(null)");
	return kmm_tlbi(m, cpu, (unsigned)op | (is ? KMM_TLBI_IS : 0), xt);
}

void kmm_tlb_geometry_default(struct kmm_tlb_geometry *geo)
{
	struct tlb_geometry g;

	tlb_geometry_default(&g);
	memcpy(geo, &g, sizeof(g));
}

enum kmm_status kmm_tlb_set_geometry(struct kmm_machine *m, const struct kmm_tlb_geometry *geo)
{
	struct tlb_geometry g;
	char why[160];

	if (!m || !geo)
		return kmm_error_nomachine(KMM_EINVAL, "kmm_tlb_set_geometry: NULL argument");
	memcpy(&g, geo, sizeof(g));
	if (!tlb_geometry_valid(&g, why, sizeof(why)))
		return env_error(&m->env, KMM_EINVAL, "%s", why);
	for (uint32_t i = 0; i < m->hw.nr_cpus; i++) {
		struct tlb fresh;
		if (!tlb_init(&fresh, &m->env, &g))
			return env_error(&m->env, KMM_EHOST, "cannot allocate TLBs for CPU %u", i);
		tlb_fini(&m->hw.cpus[i].tlb);
		m->hw.cpus[i].tlb = fresh;
	}
	tlb_geometry_store_costs(&g, m->env.cost);
	return KMM_OK;
}

enum kmm_status kmm_tlb_get_geometry(struct kmm_machine *m, struct kmm_tlb_geometry *geo)
{
	if (!m || !geo)
		return kmm_error_nomachine(KMM_EINVAL, "kmm_tlb_get_geometry: NULL argument");
	if (!m->hw.nr_cpus)
		return env_error(&m->env, KMM_EINVAL, "kmm_tlb_get_geometry: machine has no CPUs");
	memcpy(geo, &m->hw.cpus[0].tlb.geo, sizeof(*geo));
	return KMM_OK;
}

enum kmm_status kmm_tlb_stats(struct kmm_machine *m, unsigned cpu, struct kmm_tlb_stats *out)
{
	struct hw_cpu *c = NULL;
	enum kmm_status st = mmu_api_cpu(m, cpu, "kmm_tlb_stats", &c);

	if (st)
		return st;
	if (!out)
		return env_error(&m->env, KMM_EINVAL, "kmm_tlb_stats: NULL output");
	memset(out, 0, sizeof(*out));
	for (int l = 0; l < TLB_NR_LEVELS; l++) {
		out->hits[l] = c->tlb.st[l].hits;
		out->misses[l] = c->tlb.st[l].misses;
		out->fills[l] = c->tlb.st[l].fills;
		out->invalidations[l] = c->tlb.st[l].invalidations;
	}
	out->walks = c->walks;
	out->walk_reads = c->walk_reads;
	out->conflicts = c->tlb.conflicts;
	return KMM_OK;
}
