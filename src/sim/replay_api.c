/*
 * Trace replay (include/kmm/replay.h): the accesses a real program made, recorded by Valgrind's
 * lackey or in our binary format, replayed by a simulated task through its CPU's TLB and table
 * walker, with every fault handled by the kernel's fault path.
 *
 * A replay task starts with an empty address space (an exec's mappings removed, so the
 * recorded addresses meet none of the simulated binary's). A trace records addresses, not the
 * program's mmap calls: an access outside every VMA maps, on demand, the aligned chunk around
 * it (opts.map_chunk, 2 MiB by default, clipped to the neighbouring VMAs) as anonymous private
 * memory, then takes its faults as the program's first touch did (a zero-page read, a COW on
 * the first write, a THP fault where THP applies). Recorded @mmap/@munmap events are replayed
 * as those calls (MAP_FIXED). The per-access loop is el0_replay (arch/arm64/kernel/entry.c):
 * an L1 TLB hit costs one probe and nothing else.
 *
 * Statistics are deltas over the call of the task CPU's TLB counters, the task's fault
 * counts and the simulated clock, plus the records by kind and the RSS (now and the peak seen
 * at a sample point or the end of a batch).
 *
 * Models: nothing of the kernel itself; it drives the kernel the way a program's loads and
 *         stores do (arch/arm64/kernel/entry-common.c's el0_da/el0_ia, through el0_replay).
 * Deviation: a lackey "M" (modify) is one access translated as a store (one translation, as
 *         the read-modify-write instruction has), not a load followed by a store.
 * Deviation: the on-demand mappings are read/write/exec (a trace does not say what the
 *         program's protections were); accesses carry no data (stores write zeros).
 *
 * Invariants: none of its own (it keeps no state between calls).
 */
#include <kmm/replay.h>

#include <errno.h>
#include <inttypes.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "arch/arm64/include/asm/exception.h"
#include "kernel/sched.h"
#include "mm/memory.h"
#include "mm/mm.h"
#include "mm/mman.h"
#include "mm/mmap.h"
#include "sim/api.h"

_Static_assert(sizeof(struct kmm_trace_rec) == sizeof(struct el0_rec) &&
		       offsetof(struct kmm_trace_rec, va) == offsetof(struct el0_rec, va) &&
		       offsetof(struct kmm_trace_rec, size) == offsetof(struct el0_rec, size) &&
		       offsetof(struct kmm_trace_rec, op) == offsetof(struct el0_rec, op),
	       "trace records differ from el0_rec");
_Static_assert(KMM_TRACE_LOAD == 0 && KMM_TRACE_STORE == 1 && KMM_TRACE_MODIFY == 2 &&
		       KMM_TRACE_IFETCH == 3 && KMM_TRACE_MMAP == EL0_REC_EVENT,
	       "trace ops differ from el0_replay's");

#define REPLAY_DEFAULT_CHUNK (2ull << 20)

API_BODY(replay_task_create, {
	const char *comm;
	unsigned cpu;
	kmm_pid_t *pid;
})
{
	struct task_struct *t = NULL;
	enum kmm_status st;
	int err;

	if ((st = kmm_task_create(a->m, p->comm, p->cpu, p->pid)))
		return st;
	if ((st = api_run_task(a, *p->pid, NULL, &t)))
		return st;
	set_current_task(a->k, t);
	err = do_munmap(t->mm, 0, TASK_SIZE);
	set_current_task(a->k, NULL);
	if (err)
		return api_error(a, KMM_EINVAL, "pid %d: emptying the address space failed (%d)",
				 t->pid, err);
	return KMM_OK;
}

enum kmm_status kmm_replay_task_create(struct kmm_machine *m, const char *comm, unsigned cpu,
				       kmm_pid_t *pid)
{
	return API_CALL(m, API_USER, replay_task_create, comm, cpu, pid);
}

/* What the miss hook needs. */
struct replay_ctx {
	const struct api *a;
	struct task_struct *t;
	const struct kmm_replay_opts *o;
	uint64_t chunk;
	uint64_t huge; /* with KMM_MAP_HUGETLB: the huge page size the mappings use */
	struct kmm_replay_stats *st;
	int err; /* the mmap's error when the hook failed */
	uint64_t err_va;
};

/*
 * Maps what is unmapped of [va, va + size): for each hole, the chunk-aligned range around
 * the address clipped to the neighbouring VMAs. With KMM_MAP_HUGETLB the range is trimmed to
 * whole huge pages; when no whole huge page around the address fits (below vm.mmap_min_addr,
 * a neighbour too close), that range is mapped with base pages. Returns 0, or a negative
 * errno.
 */
static int replay_map_missing(void *arg, uint64_t va, uint64_t size)
{
	struct replay_ctx *c = arg;
	struct mm_struct *mm = c->t->mm;
	uint64_t end = va + size, min = (uint64_t)c->a->k->sysctl_mmap_min_addr;

	while (va < end) {
		struct vm_area_struct *prev = NULL, *next = find_vma_prev(mm, va, &prev);
		unsigned long flags;
		uint64_t lo, hi;
		unsigned long ret;

		if (next && next->vm_start <= va) {
			va = next->vm_end;
			continue;
		}
		lo = va & ~(c->chunk - 1);
		hi = lo + c->chunk;
		if (prev && prev->vm_end > lo)
			lo = prev->vm_end;
		if (next && next->vm_start < hi)
			hi = next->vm_start;
		if (lo < min)
			lo = min;
		if (hi > mm->task_size)
			hi = mm->task_size;
		flags = (unsigned long)c->o->map_flags;
		if (flags & KMM_MAP_HUGETLB) { /* whole huge pages, or base pages if none fits */
			uint64_t hlo = (lo + c->huge - 1) & ~(c->huge - 1);
			uint64_t hhi = hi & ~(c->huge - 1);

			if (hlo <= va && va < hhi) {
				lo = hlo;
				hi = hhi;
			} else {
				flags &= ~((unsigned long)KMM_MAP_HUGETLB |
					   (unsigned long)KMM_MAP_HUGE_MASK << KMM_MAP_HUGE_SHIFT);
			}
		}
		if (va < lo || lo >= hi) {
			c->err = -EINVAL;
			c->err_va = va;
			return -EINVAL;
		}
		ret = vm_mmap_pgoff(mm, NULL, lo, hi - lo, PROT_READ | PROT_WRITE | PROT_EXEC,
				    MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE | flags, 0);
		if (IS_ERR_VALUE(ret)) {
			c->err = (int)(long)ret;
			c->err_va = va;
			return c->err;
		}
		if (c->o->madvise)
			do_madvise(mm, lo, hi - lo, c->o->madvise);
		c->st->mapped_bytes += hi - lo;
		va = hi;
	}
	return 0;
}

/* A recorded mmap or munmap. Returns 0 or a negative errno. */
static int replay_event(struct replay_ctx *c, const struct kmm_trace_rec *r)
{
	unsigned long ret;

	c->st->events++;
	if (r->op == KMM_TRACE_MUNMAP)
		return do_munmap(c->t->mm, r->va, r->size);
	ret = vm_mmap_pgoff(
		c->t->mm, NULL, r->va, r->size, PROT_READ | PROT_WRITE | PROT_EXEC,
		MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED | (unsigned long)c->o->map_flags, 0);
	if (IS_ERR_VALUE(ret))
		return (int)(long)ret;
	if (c->o->madvise)
		do_madvise(c->t->mm, r->va, r->size, c->o->madvise);
	return 0;
}

/* Adds the counters of now minus @t0 to @st (TLB, faults, time) and refreshes the RSS. */
struct replay_base {
	struct kmm_tlb_stats tlb;
	uint64_t min_flt, maj_flt, ns;
};

static void replay_base_take(struct replay_ctx *c, struct replay_base *b)
{
	kmm_tlb_stats(c->a->m, (unsigned)c->t->cpu, &b->tlb);
	b->min_flt = c->t->min_flt;
	b->maj_flt = c->t->maj_flt;
	b->ns = env_time_ns(c->a->env);
}

/* get_mm_rss with the tasks' unsynced SPLIT_RSS_COUNTING caches (rss_pending): the true RSS. */
static uint64_t replay_rss(const struct mm_struct *mm)
{
	static const int members[] = {MM_FILEPAGES, MM_ANONPAGES, MM_SHMEMPAGES};
	long v = 0;

	for (size_t i = 0; i < sizeof(members) / sizeof(members[0]); i++)
		v += mm->rss_stat[members[i]] + mm->rss_pending[members[i]];
	return v < 0 ? 0 : (uint64_t)v;
}

static void replay_account(struct replay_ctx *c, struct replay_base *b)
{
	struct replay_base now;
	struct kmm_replay_stats *st = c->st;

	replay_base_take(c, &now);
	for (int l = 0; l < KMM_TLB_LEVELS; l++) {
		st->tlb.hits[l] += now.tlb.hits[l] - b->tlb.hits[l];
		st->tlb.misses[l] += now.tlb.misses[l] - b->tlb.misses[l];
		st->tlb.fills[l] += now.tlb.fills[l] - b->tlb.fills[l];
		st->tlb.invalidations[l] += now.tlb.invalidations[l] - b->tlb.invalidations[l];
	}
	st->tlb.walks += now.tlb.walks - b->tlb.walks;
	st->tlb.walk_reads += now.tlb.walk_reads - b->tlb.walk_reads;
	st->tlb.conflicts += now.tlb.conflicts - b->tlb.conflicts;
	st->minor_faults += now.min_flt - b->min_flt;
	st->major_faults += now.maj_flt - b->maj_flt;
	st->sim_ns += now.ns - b->ns;
	st->rss_pages = replay_rss(c->t->mm);
	if (st->rss_pages > st->peak_rss_pages)
		st->peak_rss_pages = st->rss_pages;
	*b = now;
}

static enum kmm_status replay_check(const struct api *a, const struct kmm_trace_rec *recs, size_t n,
				    const struct kmm_replay_opts *o)
{
	uint64_t chunk = o->map_chunk;

	if (chunk && (chunk < KMM_PAGE_SIZE || chunk > (1ull << 30) || (chunk & (chunk - 1))))
		return api_error(a, KMM_EINVAL,
				 "map_chunk 0x%" PRIx64 " is not a power of two in 4K..1G", chunk);
	if (o->sample_every && !o->sample)
		return api_error(a, KMM_EINVAL, "sample_every without a sample callback");
	for (size_t i = 0; i < n; i++) {
		const struct kmm_trace_rec *r = &recs[i];
		bool event = r->op >= KMM_TRACE_MMAP;

		if (r->op > KMM_TRACE_MUNMAP || r->va >= KMM_TRACE_USER_END ||
		    r->size > KMM_TRACE_USER_END - r->va || !r->size ||
		    (!event && r->size > KMM_TRACE_MAX_ACCESS) ||
		    (event && ((r->va | r->size) & (KMM_PAGE_SIZE - 1))))
			return api_error(a, KMM_EINVAL,
					 "record %zu (op %" PRIu32 ", 0x%" PRIx64 ", size %" PRIu64
					 ") is not an access or mapping a trace can hold",
					 i, r->op, r->va, r->size);
	}
	return KMM_OK;
}

static void replay_count_ops(struct kmm_replay_stats *st, const struct kmm_trace_rec *r, size_t n)
{
	uint64_t k[4] = {0};

	for (size_t i = 0; i < n; i++)
		k[r[i].op & 3] += r[i].op < KMM_TRACE_MMAP;
	st->loads += k[0];
	st->stores += k[1];
	st->modifies += k[2];
	st->ifetches += k[3];
	st->accesses += k[0] + k[1] + k[2] + k[3];
}

API_BODY(replay_run, {
	kmm_pid_t pid;
	const struct kmm_trace_rec *recs;
	size_t n;
	const struct kmm_replay_opts *opts;
	struct kmm_replay_stats *st;
})
{
	static const struct kmm_replay_opts defaults = {0};
	const struct kmm_replay_opts *o = p->opts ? p->opts : &defaults;
	struct replay_ctx c = {.a = a, .o = o, .st = p->st};
	struct replay_base base;
	uint64_t since; /* accesses since the last sample (counted in *st across calls) */
	enum kmm_status st;
	size_t i = 0;
	int ret = 0;

	if (!p->st || (!p->recs && p->n))
		return api_error(a, KMM_EINVAL, "NULL %s", p->st ? "records" : "stats output");
	if ((st = replay_check(a, p->recs, p->n, o)))
		return st;
	if ((st = api_run_task(a, p->pid, NULL, &c.t)))
		return st;
	c.chunk = o->map_chunk ? o->map_chunk : REPLAY_DEFAULT_CHUNK;
	if (o->map_flags & KMM_MAP_HUGETLB) { /* the MAP_HUGE_* size, or the default 2 MiB */
		unsigned int log =
			(unsigned int)o->map_flags >> KMM_MAP_HUGE_SHIFT & KMM_MAP_HUGE_MASK;

		c.huge = log ? 1ull << log : 2ull << 20;
		if (c.chunk < c.huge)
			c.chunk = c.huge;
	}
	since = o->sample_every ? p->st->accesses % o->sample_every : 0;
	replay_base_take(&c, &base);
	set_current_task(a->k, c.t);
	while (i < p->n) {
		size_t todo = p->n - i, done = 0;

		if (p->recs[i].op >= KMM_TRACE_MMAP) {
			if ((ret = replay_event(&c, &p->recs[i])) != 0) {
				c.err = ret;
				c.err_va = p->recs[i].va;
				break;
			}
			i++;
			continue;
		}
		if (o->sample_every && todo > o->sample_every - since)
			todo = o->sample_every - since;
		ret = el0_replay(a->k, c.t, (const struct el0_rec *)&p->recs[i], todo,
				 replay_map_missing, &c, &done);
		replay_count_ops(p->st, &p->recs[i], done);
		since += done;
		i += done;
		if (ret)
			break;
		if (o->sample_every && since == o->sample_every) {
			since = 0;
			replay_account(&c, &base);
			set_current_task(a->k, NULL);
			o->sample(o->sample_arg, p->st);
			set_current_task(a->k, c.t);
		}
	}
	set_current_task(a->k, NULL);
	replay_account(&c, &base);
	if (c.err)
		return api_error(a, KMM_EINVAL,
				 "record %zu: mapping 0x%" PRIx64
				 " failed (errno %d): outside what the "
				 "task may map (vm.mmap_min_addr, TASK_SIZE) or not aligned",
				 i, c.err_va, -c.err);
	if (ret) {
		char why[256];

		st = api_access_failed(a, c.t, ret, p->recs[i].va, NULL);
		snprintf(why, sizeof(why), "%s", kmm_last_error(a->m));
		return api_error(a, st, "record %zu: %s", i, why);
	}
	return KMM_OK;
}

enum kmm_status kmm_replay_run(struct kmm_machine *m, kmm_pid_t pid,
			       const struct kmm_trace_rec *recs, size_t n,
			       const struct kmm_replay_opts *opts, struct kmm_replay_stats *st)
{
	return API_CALL(m, API_USER, replay_run, pid, recs, n, opts, st);
}
