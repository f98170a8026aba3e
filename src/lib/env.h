/*
 * The machine environment: host memory, errors, reports, the kernel log, the PRNG and the
 * clock. Every layer (hw, mm, sim) reaches these through a struct kmm_env pointer; nothing
 * here is global except the thread-local error text of calls that have no machine.
 *
 * Invariants (env_check):
 *  1. host_live_allocs (blocks held) never exceeds host_allocs (attempts made).
 *  2. The report ring holds reports seq (report_seq - min(report_seq, RING) .. report_seq].
 *  3. log_len <= log_cap.
 *  4. The WARN_ON_ONCE sites that fired (lib/bug.c) are at most ENV_ONCE_MAX, each listed once.
 */
#ifndef KMM_LIB_ENV_H
#define KMM_LIB_ENV_H

#include <kmm/machine.h>
#include <kmm/trace.h>
#include <setjmp.h>
#include <stdarg.h>

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

struct kmm_env {
	/* Constant after init. */
	unsigned arena; /* jemalloc arena of this machine */
	uint32_t cpu_mhz;
	uint64_t fail_nth; /* fail the Nth host allocation (0: never) */

	/* Host memory accounting. */
	uint64_t host_allocs;	   /* allocation attempts (the fail_nth counter) */
	uint64_t host_live_allocs; /* blocks currently held */
	void *host_list;	   /* KMM_HOST_MALLOC builds: list of live blocks */

	/* Simulated time. */
	uint64_t cycles;

	/* Current simulated CPU, for reports and per-CPU state. */
	int cur_cpu;

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
	char *log;
	size_t log_len;

	/* Trace events (trace.h): enabled mask, text buffer, handler. */
	uint64_t trace_mask;
	uint64_t trace_events;
	char *trace_buf;
	size_t trace_len;
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

/* RAM backing: page aligned, zero, committed lazily by the host OS. Always from the arena. */
void *env_alloc_backing(struct kmm_env *env, size_t size);
void env_free_backing(struct kmm_env *env, void *ptr);
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

/* Appends @len bytes to a text ring of @cap bytes, dropping its oldest whole lines. */
void text_ring_append(char *buf, size_t *used, size_t cap, const char *text, size_t len);

/* Simulated time. */
static inline void env_advance(struct kmm_env *env, uint64_t cycles)
{
	env->cycles += cycles;
}
uint64_t env_time_ns(const struct kmm_env *env);

bool env_check(const struct kmm_env *env, char *why, size_t whylen);

/*
 * API boundary: KMM_API_ENTER(env) at the top of a public call that can reach kernel code
 * arms the BUG unwind (unless an outer call already did) and refuses dead machines;
 * KMM_API_LEAVE(env) disarms it. A BUG inside makes the call return KMM_EBUG.
 */
#define KMM_API_ENTER(env)                                                                         \
	jmp_buf kmm_api_jb__;                                                                      \
	bool kmm_api_outer__ = false;                                                              \
	if ((env)->dead)                                                                           \
		return env_error((env), KMM_EDEAD, "machine is dead: only inspect or destroy");    \
	if (!(env)->bug_unwind) {                                                                  \
		if (setjmp(kmm_api_jb__))                                                          \
			return (env)->bug_unwind = NULL, KMM_EBUG;                                 \
		(env)->bug_unwind = &kmm_api_jb__;                                                 \
		kmm_api_outer__ = true;                                                            \
	}

#define KMM_API_LEAVE(env)                                                                         \
	do {                                                                                       \
		if (kmm_api_outer__)                                                               \
			(env)->bug_unwind = NULL;                                                  \
	} while (0)

#endif /* KMM_LIB_ENV_H */
