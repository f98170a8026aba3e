/*
 * Machine environment: host memory from the machine's own arena (arena.h), errors, reports,
 * printk, the PRNG and the clocks. See env.h for the time model and the invariants.
 *
 * Host memory. Every host allocation of a machine comes from its own arena, so destroying the
 * arena frees everything, including what a BUG unwind skipped; the host program's malloc is
 * never involved. Sanitizer builds (KMM_HOST_MALLOC) take metadata from the system malloc
 * instead, so that AddressSanitizer sees every access; each block then carries a header on a
 * list of the env's live blocks, which env_fini frees. RAM backing always comes from the
 * arena (anonymous mappings, committed by the host only when touched).
 */
#include "lib/env.h"

#include <inttypes.h>

#include "lib/trace.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static _Thread_local char nomachine_error[ENV_ERR_MAX];

static bool env_fail_injected(struct kmm_env *env);

#ifdef KMM_HOST_MALLOC
struct host_hdr {
	struct host_hdr *prev, *next;
	struct kmm_env *env;
	void *block; /* what malloc returned */
	size_t size;
	size_t magic;
};
#define HOST_MAGIC 0x6b6d6d686f7374ull

static void *host_tracked_alloc(struct kmm_env *env, size_t size, size_t align)
{
	size_t lead = (sizeof(struct host_hdr) + align - 1) / align * align;
	char *block = aligned_alloc(align, lead + (size + align - 1) / align * align);
	struct host_hdr *h;

	if (!block)
		return NULL;
	memset(block, 0, lead + size);
	h = (struct host_hdr *)(block + lead) - 1;
	*h = (struct host_hdr){.env = env, .block = block, .size = size, .magic = HOST_MAGIC};
	h->next = env->host_list;
	if (h->next)
		h->next->prev = h;
	env->host_list = h;
	return block + lead;
}

static void host_tracked_free(struct kmm_env *env, void *ptr)
{
	struct host_hdr *h = (struct host_hdr *)ptr - 1;

	if (h->prev)
		h->prev->next = h->next;
	else
		env->host_list = h->next;
	if (h->next)
		h->next->prev = h->prev;
	h->magic = 0;
	free(h->block);
}
#endif

bool env_init(struct kmm_env *env, const struct kmm_config *cfg, char *err, size_t errlen)
{
	memset(env, 0, sizeof(*env));
	arena_init(&env->arena);
	env->cpu_mhz = cfg->cpu_mhz ? cfg->cpu_mhz : 1000;
	env->fail_nth = cfg->fail_host_alloc_nth;
	env->cur_cpu = 0;
	env->nr_cpus = cfg->nr_cpus < KMM_MAX_CPUS ? cfg->nr_cpus : KMM_MAX_CPUS;
	env->evq.next_due = UINT64_MAX;
	for (int i = 0; i < NR_COSTS; i++)
		env->cost[i] = cost_rows[i].def;
	for (uint32_t i = 0; i < cfg->nr_costs && i < KMM_MAX_COSTS; i++) {
		int id = cost_find(cfg->costs[i].name);

		if (id < 0) {
			snprintf(err, errlen, "-cost: no cost named '%.31s'", cfg->costs[i].name);
			env_fini(env);
			return false;
		}
		env->cost[id] = cfg->costs[i].cycles;
	}
	/* splitmix64 expands the seed into the xoshiro state. */
	uint64_t x = cfg->seed;
	for (int i = 0; i < 4; i++) {
		uint64_t z = (x += 0x9e3779b97f4a7c15ull);
		z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
		z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
		env->rng[i] = z ^ (z >> 31);
	}
	env->host_budget = cfg->host_mem ? cfg->host_mem : env_host_default_budget();
	env->progress = cfg->progress;
	env->progress_arg = cfg->progress_arg;
	env->log.buf = env_fail_injected(env) ? NULL : arena_alloc(&env->arena, ENV_LOG_CAP, 16);
	env->log.cap = ENV_LOG_CAP;
	if (!env->log.buf) {
		snprintf(err, errlen, "cannot allocate the kernel log buffer");
		env_fini(env);
		return false;
	}
	return true;
}

void env_fini(struct kmm_env *env)
{
#ifdef KMM_HOST_MALLOC
	while (env->host_list)
		host_tracked_free(env, (struct host_hdr *)env->host_list + 1);
#endif
	/* Emptying the arena returns every mapping it holds (log, RAM backing, metadata). */
	arena_fini(&env->arena);
	env->log.buf = NULL;
	env->trace_buf.buf = NULL;
	for (unsigned i = 0; i < KMM_REPORT_RING; i++)
		env->ring[i].text = NULL;
}

static bool env_fail_injected(struct kmm_env *env)
{
	env->host_allocs++;
	if (!env->fail_nth || env->host_allocs != env->fail_nth)
		return false;
	env->host_failures++;
	return true;
}

/* Counts a refused allocation; returns @p. */
static void *env_counted(struct kmm_env *env, void *p)
{
	if (p)
		env->host_live_allocs++;
	else
		env->host_failures++;
	return p;
}

void *env_alloc_aligned(struct kmm_env *env, size_t size, size_t align)
{
	size_t mapped;
	void *p;

	if (env_fail_injected(env) || size == 0)
		return NULL;
	if (align < 16)
		align = 16;
	mapped = env->arena.mapped;
#ifdef KMM_HOST_MALLOC
	p = host_tracked_alloc(env, size, align);
#else
	p = arena_alloc(&env->arena, size, align);
#endif
	p = env_counted(env, p);
	if (p && env->arena.mapped > mapped &&
	    !env_host_check(env, "host metadata (env_alloc)", env->arena.mapped - mapped)) {
		env_free(env, p); /* the machine died of it: the caller fails cleanly */
		env->host_failures++;
		return NULL;
	}
	return p;
}

void *env_alloc_backing(struct kmm_env *env, size_t size)
{
	void *p;

	if (env_fail_injected(env) || size == 0)
		return NULL;
	/* Large arena blocks are fresh mappings: zero, committed by the OS on first touch. */
	p = arena_alloc(&env->arena, size, 4096);
	p = env_counted(env, p);
	if (p)
		env->host_backing += arena_mapping_size(p);
	return p;
}

void env_free_backing(struct kmm_env *env, void *ptr)
{
	if (!ptr)
		return;
	env->host_live_allocs--;
	env->host_backing -= arena_mapping_size(ptr);
	arena_free(&env->arena, ptr);
}

uint64_t env_host_default_budget(void)
{
	uint64_t avail = 0;
	FILE *f = fopen("/proc/meminfo", "r");

	if (f) {
		char line[128];
		unsigned long long kb;

		while (fgets(line, sizeof(line), f))
			if (sscanf(line, "MemAvailable: %llu kB", &kb) == 1) {
				avail = (uint64_t)kb << 10;
				break;
			}
		fclose(f);
	}
#if defined(_SC_AVPHYS_PAGES) && defined(_SC_PAGESIZE)
	if (!avail) {
		long pages = sysconf(_SC_AVPHYS_PAGES), psize = sysconf(_SC_PAGESIZE);

		if (pages > 0 && psize > 0)
			avail = (uint64_t)pages * (uint64_t)psize;
	}
#endif
	if (!avail)
		avail = (uint64_t)8 << 30; /* nothing to ask: assume a small host */
	return avail / 2;
}

uint64_t env_host_charged(const struct kmm_env *env)
{
	return env->arena.mapped - env->host_backing + env->host_touched + env->host_memmap +
	       env->host_objmap;
}

bool env_host_check(struct kmm_env *env, const char *what, uint64_t more)
{
	uint64_t charged;

	if (env->host_over)
		return true; /* dying already: let the report and the unwind through */
	charged = env_host_charged(env);
	if (charged <= env->host_budget)
		return true;
	env->host_over = true;
	env_report(env, KMM_REPORT_ERROR, "lib/env", "env_host_check", "host memory budget",
		   "kmm: host memory budget exceeded: %s asked for %" PRIu64 " KiB more, %" PRIu64
		   " KiB charged (RAM written %" PRIu64 " KiB, memory map %" PRIu64
		   " KiB, slab object map %" PRIu64 " KiB, metadata %" PRIu64
		   " KiB) of the %" PRIu64 " KiB budget (-host-mem, kmm_config.host_mem); "
		   "the machine is stopped\n",
		   what, (more + 1023) >> 10, charged >> 10, env->host_touched >> 10,
		   env->host_memmap >> 10, env->host_objmap >> 10,
		   (env->arena.mapped - env->host_backing) >> 10, env->host_budget >> 10);
	env->dead = true;
	snprintf(env->host_why, sizeof(env->host_why),
		 "host memory budget of %" PRIu64 " MiB exceeded: %s asked for %" PRIu64
		 " KiB more (%" PRIu64 " MiB charged); the machine is stopped",
		 env->host_budget >> 20, what, (more + 1023) >> 10, charged >> 20);
	snprintf(env->last_error, sizeof(env->last_error), "%s", env->host_why);
	if (env->bug_unwind)
		longjmp(*env->bug_unwind, 1);
	return false;
}

void *env_alloc(struct kmm_env *env, size_t size)
{
	return env_alloc_aligned(env, size, 16);
}

void env_free(struct kmm_env *env, void *ptr)
{
	if (!ptr)
		return;
	env->host_live_allocs--;
#ifdef KMM_HOST_MALLOC
	host_tracked_free(env, ptr);
#else
	arena_free(&env->arena, ptr);
#endif
}

void *env_realloc(struct kmm_env *env, void *ptr, size_t size)
{
	if (!ptr)
		return env_alloc(env, size);
	if (size == 0)
		return NULL;
#ifdef KMM_HOST_MALLOC
	struct host_hdr *h = (struct host_hdr *)ptr - 1;
	void *n = env_alloc(env, size);
	if (!n)
		return NULL;
	memcpy(n, ptr, h->size < size ? h->size : size);
	env_free(env, ptr);
	return n;
#else
	if (env_fail_injected(env))
		return NULL;
	void *n = arena_realloc(&env->arena, ptr, size);
	if (!n)
		env->host_failures++;
	return n;
#endif
}

char *env_strdup(struct kmm_env *env, const char *s)
{
	size_t n = strlen(s) + 1;
	char *p = env_alloc(env, n);

	if (p)
		memcpy(p, s, n);
	return p;
}

enum kmm_status env_error(struct kmm_env *env, enum kmm_status status, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(env->last_error, sizeof(env->last_error), fmt, ap);
	va_end(ap);
	return status;
}

enum kmm_status kmm_error_nomachine(enum kmm_status status, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(nomachine_error, sizeof(nomachine_error), fmt, ap);
	va_end(ap);
	return status;
}

const char *kmm_error_nomachine_text(void)
{
	return nomachine_error;
}

uint64_t env_cycles_to_ns(const struct kmm_env *env, uint64_t cycles)
{
	/* cycles / MHz = microseconds; keep ns precision without overflow for 2^64 cycles. */
	return (cycles / env->cpu_mhz) * 1000 + (cycles % env->cpu_mhz) * 1000 / env->cpu_mhz;
}

uint64_t env_ns_to_cycles(const struct kmm_env *env, uint64_t ns)
{
	return (ns / 1000) * env->cpu_mhz + (ns % 1000) * env->cpu_mhz / 1000;
}

uint64_t env_time_ns(const struct kmm_env *env)
{
	return env_cycles_to_ns(env, env->cycles);
}

void env_set_cpu(struct kmm_env *env, int cpu)
{
	struct env_cpu_clock *prev = &env->cpu_clock[env->clock_cpu];

	env->cur_cpu = cpu;
	if (cpu == env->clock_cpu)
		return;
	prev->busy += env->cycles - env->slice_start;
	prev->clock = env->cycles;
	env->slice_start = env->cycles;
	env->clock_cpu = cpu;
}

uint64_t env_cpu_clock(const struct kmm_env *env, int cpu)
{
	return cpu == env->clock_cpu ? env->cycles : env->cpu_clock[cpu].clock;
}

uint64_t env_cpu_busy(const struct kmm_env *env, int cpu)
{
	return env->cpu_clock[cpu].busy +
	       (cpu == env->clock_cpu ? env->cycles - env->slice_start : 0);
}

void env_idle_until(struct kmm_env *env, uint64_t when)
{
	if (when <= env->cycles)
		return;
	env->cpu_clock[env->clock_cpu].busy += env->cycles - env->slice_start;
	env->cycles = when;
	env->slice_start = when;
}

/* The offset in @r->buf of byte @i of the text (i <= len <= cap). */
static inline size_t text_ring_pos(const struct text_ring *r, size_t i)
{
	size_t p = r->head + i;

	return p >= r->cap ? p - r->cap : p;
}

/* The index in the text of the first '\n' at or after @from, or r->len if there is none. */
static size_t text_ring_newline(const struct text_ring *r, size_t from)
{
	size_t start = text_ring_pos(r, from), n = r->len - from;
	size_t first = n < r->cap - start ? n : r->cap - start;
	const char *nl = memchr(r->buf + start, '\n', first);

	if (nl)
		return from + (size_t)(nl - (r->buf + start));
	nl = memchr(r->buf, '\n', n - first);
	return nl ? from + first + (size_t)(nl - r->buf) : r->len;
}

void text_ring_append(struct text_ring *r, const char *text, size_t len)
{
	size_t tail, first;

	if (len > r->cap)
		len = r->cap;
	/* Like the kernel's ring buffers, the oldest whole lines make room for the newest. */
	if (r->len + len > r->cap) {
		size_t nl = text_ring_newline(r, r->len + len - r->cap);
		size_t drop = nl < r->len ? nl + 1 : r->len;

		r->head = text_ring_pos(r, drop);
		r->len -= drop;
		if (!r->len)
			r->head = 0;
	}
	tail = text_ring_pos(r, r->len);
	first = len < r->cap - tail ? len : r->cap - tail;
	memcpy(r->buf + tail, text, first);
	memcpy(r->buf, text + first, len - first);
	r->len += len;
}

void text_ring_read(const struct text_ring *r, kmm_sink_fn fn, void *arg)
{
	size_t first;

	if (!r->len)
		return;
	first = r->len < r->cap - r->head ? r->len : r->cap - r->head;
	fn(arg, r->buf + r->head, first);
	if (r->len > first)
		fn(arg, r->buf, r->len - first);
}

bool text_ring_check(const struct text_ring *r, const char *name, char *why, size_t whylen)
{
	if (r->len > r->cap || (r->cap && r->head >= r->cap) || (!r->buf && r->len)) {
		snprintf(why, whylen, "env: %s ring: length %zu, head %zu, capacity %zu", name,
			 r->len, r->head, r->cap);
		return false;
	}
	return true;
}

static void log_append(struct kmm_env *env, const char *text, size_t len)
{
	if (env->log.buf)
		text_ring_append(&env->log, text, len);
}

void env_vprintk(struct kmm_env *env, const char *fmt, va_list ap)
{
	char body[4096], stamp[32];
	uint64_t ns = env_stamp_ns(env);
	const char *line, *end;
	int n;

	n = vsnprintf(body, sizeof(body), fmt, ap);
	if (n < 0)
		return;
	if ((size_t)n >= sizeof(body))
		n = sizeof(body) - 1;
	/* One "[    T.UUUUUU] " prefix per line, as dmesg prints it. */
	snprintf(stamp, sizeof(stamp), "[%5" PRIu64 ".%06" PRIu64 "] ", ns / 1000000000u,
		 (ns / 1000u) % 1000000u);
	for (line = body; line < body + n; line = end) {
		end = memchr(line, '\n', body + n - line);
		end = end ? end + 1 : body + n;
		log_append(env, stamp, strlen(stamp));
		log_append(env, line, end - line);
		if (end[-1] != '\n')
			log_append(env, "\n", 1);
	}
}

void env_printk(struct kmm_env *env, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	env_vprintk(env, fmt, ap);
	va_end(ap);
}

void env_report(struct kmm_env *env, enum kmm_report_kind kind, const char *origin,
		const char *function, const char *condition, const char *fmt, ...)
{
	struct env_report_slot *slot;
	char text[8192];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);

	env->report_seq++;
	slot = &env->ring[env->report_seq % KMM_REPORT_RING];
	env_free(env, slot->text);
	slot->text = env_strdup(env, text);
	slot->r = (struct kmm_report){
		.kind = kind,
		.origin = origin,
		.function = function,
		.condition = condition,
		.time_ns = env_time_ns(env),
		.cpu = env->cur_cpu,
		.seq = env->report_seq,
		.text = slot->text ? slot->text : "(report text lost: host memory exhausted)",
	};
	env_printk(env, "%s", text);
	if (kind == KMM_REPORT_WARN || kind == KMM_REPORT_ERROR)
		env->taint |= 1u << kind;
	if (env->report_fn)
		env->report_fn(env->report_arg, &slot->r);
	if (kind == KMM_REPORT_BUG) {
		env->dead = true;
		snprintf(env->last_error, sizeof(env->last_error), "kernel BUG in %.200s: %.700s",
			 function ? function : "?", condition ? condition : text);
		if (env->bug_unwind)
			longjmp(*env->bug_unwind, 1);
	}
}

uint64_t env_random(struct kmm_env *env)
{
	uint64_t *s = env->rng;
	uint64_t result = ((s[1] * 5) << 7 | (s[1] * 5) >> 57) * 9;
	uint64_t t = s[1] << 17;

	s[2] ^= s[0];
	s[3] ^= s[1];
	s[1] ^= s[2];
	s[0] ^= s[3];
	s[2] ^= t;
	s[3] = s[3] << 45 | s[3] >> 19;
	return result;
}

static bool env_check_clocks(const struct kmm_env *env, char *why, size_t whylen)
{
	uint64_t busy = 0;

	if (env->slice_start > env->cycles) {
		snprintf(why, whylen,
			 "env: busy slice starts at %" PRIu64 ", after the clock %" PRIu64,
			 env->slice_start, env->cycles);
		return false;
	}
	for (uint32_t c = 0; c < env->nr_cpus; c++) {
		if (env_cpu_clock(env, (int)c) > env->cycles) {
			snprintf(why, whylen,
				 "env: CPU%u's clock %" PRIu64
				 " is ahead of the machine's %" PRIu64,
				 c, env_cpu_clock(env, (int)c), env->cycles);
			return false;
		}
		busy += env_cpu_busy(env, (int)c);
	}
	if (busy > env->cycles) {
		snprintf(why, whylen,
			 "env: the CPUs were busy %" PRIu64 " cycles in %" PRIu64
			 " of machine time",
			 busy, env->cycles);
		return false;
	}
	return true;
}

bool env_check(const struct kmm_env *env, char *why, size_t whylen)
{
	if (!text_ring_check(&env->log, "kernel log", why, whylen) ||
	    !text_ring_check(&env->trace_buf, "trace", why, whylen))
		return false;
	if (!arena_check(&env->arena, why, whylen))
		return false;
	if (env->host_live_allocs > env->host_allocs) {
		snprintf(why, whylen,
			 "env: %" PRIu64 " live host blocks but only %" PRIu64 " allocated",
			 env->host_live_allocs, env->host_allocs);
		return false;
	}
	if (!env_check_clocks(env, why, whylen) || !evq_check(env, why, whylen))
		return false;
	for (int i = NR_TRACE_EVENTS; i < TRACE_MASK_WORDS * 64; i++) {
		if (env->trace_mask[i / 64] >> (i % 64) & 1) {
			snprintf(why, whylen, "env: trace enable bit %d is beyond the %d events", i,
				 NR_TRACE_EVENTS);
			return false;
		}
	}
	if (env->nr_warned_once > ENV_ONCE_MAX) {
		snprintf(why, whylen, "env: %u WARN_ON_ONCE sites recorded, room for %u",
			 env->nr_warned_once, ENV_ONCE_MAX);
		return false;
	}
	for (unsigned i = 0; i < env->nr_warned_once; i++) {
		const struct env_once_site *a = &env->warned_once[i];

		for (unsigned j = i + 1; j < env->nr_warned_once; j++) {
			const struct env_once_site *b = &env->warned_once[j];

			if (a->line == b->line && a->src_line == b->src_line &&
			    !strcmp(a->file, b->file)) {
				snprintf(why, whylen, "env: WARN_ON_ONCE site %s:%d recorded twice",
					 a->file, a->line);
				return false;
			}
		}
	}
	for (uint64_t s = env->report_seq > KMM_REPORT_RING ? env->report_seq - KMM_REPORT_RING + 1
							    : 1;
	     s <= env->report_seq; s++) {
		if (env->ring[s % KMM_REPORT_RING].r.seq != s) {
			snprintf(why, whylen,
				 "env: report ring slot for seq %" PRIu64 " holds %" PRIu64, s,
				 env->ring[s % KMM_REPORT_RING].r.seq);
			return false;
		}
	}
	return true;
}

enum kmm_status env_unwind_call(struct kmm_env *env, enum kmm_status (*fn)(void *arg), void *arg)
{
	jmp_buf jb;
	enum kmm_status st;

	if (env->dead)
		return env_error(env, KMM_EDEAD, "machine is dead: only inspect or destroy");
	if (env->bug_unwind)
		return fn(arg);
	if (setjmp(jb)) {
		env->bug_unwind = NULL;
		return env->host_over ? KMM_EHOST : KMM_EBUG;
	}
	env->bug_unwind = &jb;
	st = fn(arg);
	env_cond_resched(env); /* a run point: events that came due, still under the unwind */
	env->bug_unwind = NULL;
	return st;
}
