/*
 * User-mode execution: a task's loads, stores and instruction fetches at EL0 on its CPU.
 *
 * A user access is an instruction the CPU executes at EL0: it goes through the CPU's TLB and
 * table walker (hw/mmu.c). When the MMU takes a data or instruction abort, the exception is
 * taken to EL1 (ESR_EL1 and FAR_EL1 written by the hardware model), the kernel's abort
 * handler runs (do_mem_abort, mm/fault.c), and on return (ERET) the instruction is executed
 * again. When the handler raised a signal instead, the access does not complete and the task
 * does not run on: the caller stops it.
 *
 * The touch loop keeps a short path for the common case of an 8-byte aligned word that hits
 * the CPU's L1 TLB (mmu_translate_l1): no fault bookkeeping, one host load or store. Anything
 * else (miss, fault, a word across a page) takes the full path of el0_access. A replayed trace
 * (el0_replay) takes the same short path per record and moves no data on it.
 *
 * Models: arch/arm64/kernel/entry.S + entry-common.c (el0t_64_sync: el0_da, el0_ia ->
 *         do_mem_abort; the return to EL0 that retries the instruction) (Linux 6.1).
 * Deviation: the CPU is put at EL0 for the access and back at EL1 after (the model has no
 *         user-mode instruction stream between accesses). A retry that meets the same abort
 *         (same ESR and FAR) EL0_MAX_RETRIES times after the handler reported a fix is a kernel
 *         bug (the real CPU would loop forever): it is reported as a BUG, never a hang.
 *
 * Invariants: none of its own (no state); the CPU is left at EL1 after every call.
 */
#define KMM_FILE "arch/arm64/kernel/entry-common.c"

#include "arch/arm64/include/asm/exception.h"

#include "hw/cpu.h"
#include "hw/mmu.h"
#include "kernel/sched.h"
#include "lib/bug.h"
#include "mm/internal.h"
#include "mm/memory.h"

#include <errno.h>
#include <inttypes.h>
#include <string.h>

_Static_assert((int)EL0_LOAD == (int)HW_ACC_READ && (int)EL0_STORE == (int)HW_ACC_WRITE &&
		       (int)EL0_IFETCH == (int)HW_ACC_EXEC,
	       "access kinds differ");

static struct hw_cpu *task_hw_cpu(struct kmm_kernel *k, const struct task_struct *t)
{
	return &k->hw->cpus[t->cpu];
}

/*
 * Models: el0_da()/el0_ia(): the exception the MMU just took goes to do_mem_abort. Returns
 * 0 (fixed: retry), a signal, or -ELOOP (the same abort came back too often: BUG raised).
 */
static int el0_abort(struct kmm_kernel *k, struct task_struct *t, struct hw_cpu *cpu,
		     uint64_t *last_esr, uint64_t *last_far, unsigned int *repeats)
{
	uint64_t esr = cpu->exception.esr, far = cpu->exception.far;
	int sig;

	if (esr == *last_esr && far == *last_far) {
		if (++*repeats >= EL0_MAX_RETRIES) {
			cpu->r.el = 1;
			__bug(k->env, BUG_SITE(0, "el0_da", NULL),
			      "pid %d: the abort ESR 0x%08" PRIx64 " at FAR 0x%" PRIx64
			      " came back %u times after do_mem_abort fixed it\n",
			      t->pid, esr, far, *repeats);
			return -ELOOP;
		}
	} else {
		*repeats = 0;
	}
	*last_esr = esr;
	*last_far = far;
	env_charge(k->env, COST_fault_entry);
	cpu->r.el = 1;
	sig = do_mem_abort(k, t, far, esr);
	cpu->r.el = 0;
	env_charge(k->env, COST_fault_exit);
	return sig;
}

int el0_access(struct kmm_kernel *k, struct task_struct *t, enum el0_acc acc, uint64_t va,
	       void *buf, size_t len)
{
	struct hw_cpu *cpu = task_hw_cpu(k, t);
	uint64_t last_esr = 0, last_far = 0;
	unsigned int repeats = 0;
	struct hw_fault f;
	int ret = 0;

	cpu->r.el = 0;
	while (!mmu_access(k->hw, cpu, (enum hw_acc)acc, va, buf, len, NULL, &f)) {
		ret = el0_abort(k, t, cpu, &last_esr, &last_far, &repeats);
		if (ret)
			break;
	}
	cpu->r.el = 1;
	return ret;
}

/* The index of step @i of @n in @order: ascending, or a permutation drawn from @seed. */
struct el0_perm {
	uint64_t mask, mul, add; /* i -> (mul * i + add) & mask over the next power of two */
};

static void el0_perm_init(struct el0_perm *p, uint64_t n, uint64_t seed)
{
	p->mask = 1;
	while (p->mask < n)
		p->mask <<= 1;
	p->mask -= 1;
	p->mul = ((seed * 0x9e3779b97f4a7c15ULL) & p->mask) | 1; /* odd: a bijection mod 2^k */
	p->add = (seed >> 17) & p->mask;
}

/* One word access the full way; keeps the word's value for loads in @val. */
static int el0_word(struct kmm_kernel *k, struct task_struct *t, enum el0_acc acc, uint64_t va,
		    uint64_t *val)
{
	return el0_access(k, t, acc, va, val, sizeof(*val));
}

/* The host bytes of the page at @pa, through a one-entry cache of the last page's. */
struct el0_host_cache {
	uint64_t page; /* PA of the page, or 1 (no page: never page aligned) */
	uint8_t *host;
};

static inline uint8_t *el0_host_word(const struct kmm_hw *hw, struct el0_host_cache *c, kmm_pa_t pa)
{
	uint64_t page = pa & ~(uint64_t)(KMM_PAGE_SIZE - 1);

	if (page != c->page) {
		c->host = phys_to_host(&hw->phys, page, KMM_PAGE_SIZE);
		if (!c->host)
			return NULL;
		c->page = page;
	}
	return c->host + (pa - page);
}

/*
 * The touch loop; @acc and @random are constants in each caller (el0_touch's switch), so the
 * compiler gives each combination its own loop without those tests per access.
 */
static inline __attribute__((always_inline)) int
el0_touch_loop(struct kmm_kernel *k, struct task_struct *t, const enum el0_acc acc,
	       const bool random, uint64_t va, uint64_t n, uint64_t stride,
	       const struct el0_perm *perm, uint64_t pattern, uint64_t *done)
{
	struct kmm_hw *hw = k->hw;
	struct hw_cpu *cpu = task_hw_cpu(k, t);
	struct el0_host_cache hc = {1, NULL};
	uint64_t span = random ? perm->mask + 1 : n, count = 0;
	int ret = 0;

	cpu->r.el = 0;
	for (uint64_t i = 0; i < span; i++) {
		uint64_t idx = random ? (perm->mul * i + perm->add) & perm->mask : i;
		uint64_t a = va + idx * stride, val = pattern;
		kmm_pa_t pa;
		uint8_t *w;

		if (random && idx >= n)
			continue; /* cycle-walking: outside [0, n) of the power-of-two permutation
				   */
		/* the short path: an aligned word whose translation the L1 TLB holds */
		if (!(a & 7) && mmu_translate_l1(hw, cpu, a, (enum hw_acc)acc, 0, &pa) &&
		    (w = el0_host_word(hw, &hc, pa)) != NULL) {
			if (acc == EL0_STORE)
				memcpy(w, &val, sizeof(val));
			else
				memcpy(&val, w, sizeof(val));
			count++;
			continue;
		}
		ret = el0_word(k, t, acc, a, &val);
		cpu->r.el = 0;
		if (ret)
			break;
		count++;
	}
	cpu->r.el = 1;
	*done = count;
	return ret;
}

int el0_touch(struct kmm_kernel *k, struct task_struct *t, enum el0_acc acc, uint64_t va,
	      uint64_t n, uint64_t stride, enum el0_order order, uint64_t seed, uint64_t pattern,
	      uint64_t *done)
{
	struct el0_perm perm = {0, 1, 0};

	if (order == EL0_RANDOM)
		el0_perm_init(&perm, n, seed);
#define EL0_TOUCH(acc_, random_)                                                                   \
	el0_touch_loop(k, t, acc_, random_, va, n, stride, &perm, pattern, done)
	switch (acc) {
	case EL0_STORE:
		return order == EL0_RANDOM ? EL0_TOUCH(EL0_STORE, true)
					   : EL0_TOUCH(EL0_STORE, false);
	case EL0_IFETCH:
		return order == EL0_RANDOM ? EL0_TOUCH(EL0_IFETCH, true)
					   : EL0_TOUCH(EL0_IFETCH, false);
	default:
		return order == EL0_RANDOM ? EL0_TOUCH(EL0_LOAD, true) : EL0_TOUCH(EL0_LOAD, false);
	}
#undef EL0_TOUCH
}

/* The access kind of each replayed op (a modify translates as the store it ends with). */
static const enum hw_acc el0_rec_acc[EL0_REC_EVENT] = {HW_ACC_READ, HW_ACC_WRITE, HW_ACC_WRITE,
						       HW_ACC_EXEC};

int el0_replay(struct kmm_kernel *k, struct task_struct *t, const struct el0_rec *r, size_t n,
	       el0_miss_fn miss, void *arg, size_t *done)
{
	struct kmm_hw *hw = k->hw;
	struct hw_cpu *cpu = task_hw_cpu(k, t);
	uint8_t scratch[KMM_PAGE_SIZE];
	size_t i;
	int ret = 0;

	memset(scratch, 0, sizeof(scratch));
	cpu->r.el = 0;
	for (i = 0; i < n; i++) {
		uint64_t va = r[i].va, size = r[i].size;
		uint32_t op = r[i].op;
		kmm_pa_t pa;

		if (op >= EL0_REC_EVENT)
			break;
		/* the short path: within one page, and the L1 TLB holds the translation */
		if ((va & (KMM_PAGE_SIZE - 1)) + size <= KMM_PAGE_SIZE &&
		    mmu_translate_l1(hw, cpu, va, el0_rec_acc[op], 0, &pa))
			continue;
		if (miss && (ret = miss(arg, va, size)) != 0)
			break;
		ret = el0_access(k, t, (enum el0_acc)el0_rec_acc[op], va, scratch, size);
		cpu->r.el = 0;
		if (ret)
			break;
		if (op == 0 || op == 3)
			memset(scratch, 0, size); /* a load filled it: stores write zeros */
	}
	cpu->r.el = 1;
	*done = i;
	return ret;
}
