/*
 * The machine environment: host memory, errors, reports, the kernel log, the PRNG and the
 * clock. Every layer (hw, mm, sim) reaches these through a struct kmm_env pointer; nothing
 * here is global except the thread-local error text of calls that have no machine.
 *
 * Simulated time. The host drives one simulated CPU at a time (the current CPU, env_set_cpu),
 * so the machine executes one stream of work, and a public call made after another happens
 * after it in simulated time too. Every modelled step charges its cost (cost.h) to the
 * current CPU: env->cycles += cost, one add. The machine clock (cycles) is the time of that
 * stream; it only moves forwards, and trace, printk and report timestamps read it. Each CPU
 * has its own clock: while current it is the machine clock; when another CPU becomes current
 * it stops where it was, and when it becomes current again it resumes at the machine clock
 * (the time between was idle for it). Each CPU also counts its busy cycles (charged work, not
 * idle time), so per-CPU load is visible (/sys/kernel/debug/kmm/clock). Background work runs
 * on the same clock, through the event queue (evq.h).
 *
 * Invariants (env_check):
 *  1. host_live_allocs (blocks held) never exceeds host_allocs (attempts made).
 *  2. The report ring holds reports seq (report_seq - min(report_seq, RING) .. report_seq].
 *  3. The kernel log and trace rings: len <= cap, head < cap (text_ring_check).
 *  4. No CPU's clock is ahead of the machine clock; the busy cycles of all CPUs together do
 *     not exceed it (one CPU executes at a time); slice_start <= cycles.
 *  5. The event queue's own invariants (evq_check); no trace-enable bit beyond the table.
 *  6. The WARN_ON_ONCE sites that fired (lib/bug.c) are at most ENV_ONCE_MAX, each listed once.
 */
#ifndef KMM_LIB_ENV_H
#define KMM_LIB_ENV_H

#include <kmm/config.h>
#include <kmm/machine.h>
#include <kmm/trace.h>
#include <setjmp.h>
#include <stdarg.h>

#include "lib/arena.h"
#include "lib/cost.h"
#include "lib/evq.h"
#include "lib/trace_events.h"

#define ENV_ERR_MAX  1024
#define ENV_LOG_CAP  (1u << 17) /* CONFIG_LOG_BUF_SHIFT=17 */
#define ENV_ONCE_MAX 64		/* WARN_ON_ONCE sites a machine remembers */

#if defined(__GNUC__)
#define KMM_PRINTF(a, b) __attribute__((format(printf, a, b)))
#else
#define KMM_PRINTF(a, b)
#endif

struct env_report_slot {
	struct kmm_report r;
	char *text; /* owned, host memory of the env */
};

/* One CPU's clock (see "Simulated time" above); the current CPU's lives in the env. */
struct env_cpu_clock {
	uint64_t clock; /* machine cycles when it stopped being current */
	uint64_t busy;	/* cycles charged while it was current, up to then */
};

/*
 * A text ring (the kernel log, the trace buffer): @cap bytes at @buf, the text the @len bytes
 * from @head on, wrapping at the end. Appending never moves the text already there: the
 * oldest whole lines are dropped by advancing @head, as the kernel's ring buffers overwrite.
 */
struct text_ring {
	char *buf; /* NULL until allocated */
	size_t cap, head, len;
};

struct kmm_env {
	/* Hot: read or written by every modelled step (kept together, at the start). */
	uint64_t cycles;		       /* the machine clock */
	uint64_t trace_mask[TRACE_MASK_WORDS]; /* enabled trace events (trace.h) */
	uint32_t cost[NR_COSTS];	       /* the cost table (cost.h), in cycles */

	/* Constant after init. */
	struct host_arena arena; /* every host byte of this machine (arena.h) */
	uint32_t cpu_mhz;
	uint64_t fail_nth; /* fail the Nth host allocation (0: never) */

	/* Host memory accounting. */
	uint64_t host_allocs;	   /* allocation attempts (the fail_nth counter) */
	uint64_t host_live_allocs; /* blocks currently held */
	uint64_t host_failures;	   /* allocations refused (injected or host out of memory) */
	void *host_list;	   /* KMM_HOST_MALLOC builds: list of live blocks */

	/*
	 * Host-memory budget (env_host_charged): fixed at create. Backing mappings (RAM banks,
	 * the memory map) are charged as they are used, not as they are mapped: RAM by the
	 * 4 KiB chunks written (hw/phys.c), the memory map by the struct pages of present
	 * memory (sparse_init), the slab object map by its bits over present memory
	 * (kmem_cache_init); every other arena byte as mapped.
	 */
	uint64_t host_budget;  /* bytes */
	uint64_t host_backing; /* arena bytes mapped for backing (not charged as such) */
	uint64_t host_touched; /* RAM backing bytes handed out for writing */
	uint64_t host_memmap;  /* the memory map's charge */
	uint64_t host_objmap;  /* the slab object map's charge (its bits over present pages) */
	bool host_over;	       /* the budget was crossed: the machine died of it */
	char host_why[256];    /* what env_host_check said then (create reports it) */

	/* Progress of long steps (kmm_config.progress). */
	void (*progress)(void *arg, const char *what, uint64_t done, uint64_t total);
	void *progress_arg;

	/* Current simulated CPU, for reports and per-CPU state. */
	int cur_cpu;

	/* Simulated time beyond the machine clock: the clocks of the CPUs, the event queue. */
	int clock_cpu;	      /* the CPU the machine clock runs for (env_set_cpu) */
	uint64_t slice_start; /* machine cycles when clock_cpu's busy slice began */
	uint32_t nr_cpus;
	bool sched_clock_running; /* time_init() has run: printk and trace stamps advance */
	struct env_cpu_clock cpu_clock[KMM_MAX_CPUS];
	struct env_evq evq;

	/* PRNG (xoshiro256**), seeded from the config. */
	uint64_t rng[4];

	/* Errors and death. */
	char last_error[ENV_ERR_MAX];
	bool dead;
	unsigned taint;
	jmp_buf *bug_unwind; /* set by the outermost API entry; NULL outside API calls */

	/* WARN_ON_ONCE state (lib/bug.c): the sites that have fired on this machine. */
	struct env_once_site {
		const char *file;
		int line, src_line;
	} warned_once[ENV_ONCE_MAX];
	unsigned nr_warned_once;

	/* Reports. */
	uint64_t report_seq;
	struct env_report_slot ring[KMM_REPORT_RING];
	kmm_report_fn report_fn;
	void *report_arg;

	/* Kernel log (printk). */
	struct text_ring log;

	/* Trace events (trace.h): text buffer, handler (the enable bitmap is with the hot). */
	uint64_t trace_events;
	struct text_ring trace_buf;
	kmm_trace_fn trace_fn;
	void *trace_arg;
};

/* Sets up @env; returns false (with the reason in @err) if the host arena cannot be made. */
bool env_init(struct kmm_env *env, const struct kmm_config *cfg, char *err, size_t errlen);

/* Frees everything the env and all allocations made through it hold. */
void env_fini(struct kmm_env *env);

/*
 * Host allocations charged to the machine: zeroed memory from its arena, or NULL (injected
 * failure or host exhaustion). env_free(NULL) is a no-op.
 */
void *env_alloc(struct kmm_env *env, size_t size);
void *env_alloc_aligned(struct kmm_env *env, size_t size, size_t align);
void *env_realloc(struct kmm_env *env, void *ptr, size_t size);
void env_free(struct kmm_env *env, void *ptr);

/*
 * RAM backing: page aligned, zero, committed lazily by the host OS. Always from the arena.
 * Not charged to the host-memory budget by its size: its users charge what they touch.
 */
void *env_alloc_backing(struct kmm_env *env, size_t size);
void env_free_backing(struct kmm_env *env, void *ptr);

/*
 * The host-memory budget (docs/architecture.md, "The machine"). env_host_default_budget: half
 * of the host's available memory now (MemAvailable on Linux), the default at create.
 * env_host_charged: the bytes charged (deterministic for a given config and workload).
 * env_host_check: after a charge grew by @more bytes for @what, kills the machine if the
 * total crossed the budget: a report naming the budget and @what, env->dead, and an unwind
 * of the API call (KMM_EHOST) when one is running; returns false then (the caller goes on
 * only during create, which fails afterwards).
 */
uint64_t env_host_default_budget(void);

/* Tells the config's progress callback, if any, how far @what is (NULL: the step ended). */
static inline void env_progress(struct kmm_env *env, const char *what, uint64_t done,
				uint64_t total)
{
	if (env->progress)
		env->progress(env->progress_arg, what, done, total);
}
uint64_t env_host_charged(const struct kmm_env *env);
bool env_host_check(struct kmm_env *env, const char *what, uint64_t more);
char *env_strdup(struct kmm_env *env, const char *s);

/* Records the error text of a failed call on this machine; returns @status. */
enum kmm_status env_error(struct kmm_env *env, enum kmm_status status, const char *fmt, ...)
	KMM_PRINTF(3, 4);

/* Same for calls without a machine (thread-local). */
enum kmm_status kmm_error_nomachine(enum kmm_status status, const char *fmt, ...) KMM_PRINTF(2, 3);
const char *kmm_error_nomachine_text(void);

/*
 * Raises a report. Its text also goes to the kernel log. A KMM_REPORT_WARN or ERROR taints
 * the machine; a KMM_REPORT_BUG kills it and unwinds to the API boundary (does not return
 * when an API call is in progress).
 */
void env_report(struct kmm_env *env, enum kmm_report_kind kind, const char *origin,
		const char *function, const char *condition, const char *fmt, ...) KMM_PRINTF(6, 7);

/* Kernel log, with the kernel's "[    T.UUUUUU] " timestamp prefix per line. */
void env_printk(struct kmm_env *env, const char *fmt, ...) KMM_PRINTF(2, 3);
void env_vprintk(struct kmm_env *env, const char *fmt, va_list ap) KMM_PRINTF(2, 0);

/* Deterministic PRNG. */
uint64_t env_random(struct kmm_env *env);

/* Appends @len bytes to @r, dropping its oldest whole lines to make room; O(@len). */
void text_ring_append(struct text_ring *r, const char *text, size_t len);
/* Writes the text of @r, oldest first, through @fn (one or two calls; none when empty). */
void text_ring_read(const struct text_ring *r, kmm_sink_fn fn, void *arg);
bool text_ring_check(const struct text_ring *r, const char *name, char *why, size_t whylen);

static inline void text_ring_clear(struct text_ring *r)
{
	r->head = 0;
	r->len = 0;
}

/*
 * Simulated time. env_charge() pays for one modelled step on the current CPU, env_charge_n()
 * for @n of them; env_advance() adds raw cycles (tests, waits that are busy time).
 */
static inline void env_charge(struct kmm_env *env, enum cost_id id)
{
	env->cycles += env->cost[id];
}

static inline void env_charge_n(struct kmm_env *env, enum cost_id id, uint64_t n)
{
	env->cycles += env->cost[id] * n;
}

static inline void env_advance(struct kmm_env *env, uint64_t cycles)
{
	env->cycles += cycles;
}

/* Machine time in ns (cycles at cpu_mhz); and @cycles converted either way. */
uint64_t env_time_ns(const struct kmm_env *env);

/*
 * The timestamp of printk and trace lines: the machine time once boot has registered the
 * arch timer as sched_clock (time_init(), env_sched_clock_start()), 0 before, as the kernel's
 * early boot lines read [    0.000000]. Deviation: the kernel's sched_clock starts near 0 at
 * registration; this one reads the machine clock, which has counted the boot work since power-on,
 * so stamps and kmm_clock_ns() agree.
 */
static inline uint64_t env_stamp_ns(const struct kmm_env *env)
{
	return env->sched_clock_running ? env_time_ns(env) : 0;
}

static inline void env_sched_clock_start(struct kmm_env *env)
{
	env->sched_clock_running = true;
}
uint64_t env_cycles_to_ns(const struct kmm_env *env, uint64_t cycles);
uint64_t env_ns_to_cycles(const struct kmm_env *env, uint64_t ns);

/*
 * Makes @cpu the current CPU: the previous one's clock stops, @cpu's resumes at the machine
 * clock. @cpu must be below the machine's CPU count (callers check).
 */
void env_set_cpu(struct kmm_env *env, int cpu);

/* @cpu's clock and busy cycles, as of now. */
uint64_t env_cpu_clock(const struct kmm_env *env, int cpu);
uint64_t env_cpu_busy(const struct kmm_env *env, int cpu);

/* The current CPU idles until machine cycles @when (no-op if that is not ahead). */
void env_idle_until(struct kmm_env *env, uint64_t when);

/*
 * A run point inside kernel code (the kernel's cond_resched()): runs the events that are due.
 * One compare when none is.
 */
static inline void env_cond_resched(struct kmm_env *env)
{
	if (__builtin_expect(env->cycles >= env->evq.next_due, 0))
		env_run_due(env);
}

bool env_check(const struct kmm_env *env, char *why, size_t whylen);

/*
 * The BUG unwind, armed in this one place: runs @fn(@arg) so that a KMM_REPORT_BUG raised
 * during it (env_report) returns here with KMM_EBUG, the machine dead (a crossed host-memory
 * budget, env_host_check, with KMM_EHOST). The outermost call
 * then runs the events that came due (a run point: evq.h), still under the unwind, before
 * disarming it; an inner call (the unwind already armed by an outer one) just runs @fn. Returns
 * @fn's status; KMM_EDEAD without running it on a dead machine. Only the API boundary
 * (src/sim/api.c) calls it.
 */
enum kmm_status env_unwind_call(struct kmm_env *env, enum kmm_status (*fn)(void *arg), void *arg);

#endif /* KMM_LIB_ENV_H */
