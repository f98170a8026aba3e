/*
 * Trace events (see trace.h): the per-machine text buffer and the handler.
 *
 * Invariants: the buffer holds whole lines only; it never exceeds TRACE_BUF_CAP (the
 * oldest lines make room, as the kernel's ring buffer overwrites); no enable bit is set at or
 * beyond NR_TRACE_EVENTS (env_check).
 */
#include "lib/trace.h"

#include <inttypes.h>

#include "lib/sink.h"
#include <stdio.h>
#include <string.h>

#define TRACE_BUF_CAP (1u << 20)

const char *const trace_event_names[NR_TRACE_EVENTS] = {
#define TRACE_NAME(name, sys) #name,
	TRACE_EVENTS(TRACE_NAME)
#undef TRACE_NAME
};

const char *const trace_event_systems[NR_TRACE_EVENTS] = {
#define TRACE_SYS(name, sys) sys,
	TRACE_EVENTS(TRACE_SYS)
#undef TRACE_SYS
};

/* The ring exists once an event is enabled (trace_set_enabled takes it then). */
static void trace_buf_append(struct kmm_env *env, const char *line, size_t len)
{
	if (!env->trace_buf.buf || len > TRACE_BUF_CAP)
		return;
	text_ring_append(&env->trace_buf, line, len);
}

void trace_emit(struct kmm_env *env, enum trace_event_id id, const char *fmt, ...)
{
	char line[512];
	uint64_t ns = env_stamp_ns(env);
	va_list ap;
	int n;

	n = snprintf(line, sizeof(line),
		     "          kmmsim-1       [%03d] ..... %5" PRIu64 ".%06" PRIu64 ": %s: ",
		     env->cur_cpu, ns / 1000000000u, (ns / 1000u) % 1000000u,
		     trace_event_names[id]);
	va_start(ap, fmt);
	n += vsnprintf(line + n, sizeof(line) - (size_t)n - 1, fmt, ap);
	va_end(ap);
	if ((size_t)n > sizeof(line) - 2)
		n = sizeof(line) - 2;
	line[n++] = '\n';
	line[n] = 0;
	env->trace_events++;
	trace_buf_append(env, line, (size_t)n);
	if (env->trace_fn)
		env->trace_fn(env->trace_arg, trace_event_names[id], line, (size_t)n);
}

int trace_set_enabled(struct kmm_env *env, const char *name, bool on)
{
	int matched = 0;

	for (int i = 0; i < NR_TRACE_EVENTS; i++) {
		if (strcmp(name, "all") && strcmp(name, trace_event_names[i]) &&
		    strcmp(name, trace_event_systems[i]))
			continue;
		/* The ring buffer comes with the first enabled event, so no line is lost later. */
		if (on && !env->trace_buf.buf) {
			env->trace_buf.buf = env_alloc(env, TRACE_BUF_CAP);
			if (!env->trace_buf.buf)
				return -1;
			env->trace_buf.cap = TRACE_BUF_CAP;
			text_ring_clear(&env->trace_buf);
		}
		matched++;
		if (on)
			env->trace_mask[i / 64] |= 1ull << (i % 64);
		else
			env->trace_mask[i / 64] &= ~(1ull << (i % 64));
	}
	return matched;
}

/* '0', '1' or 'X' (mixed) over the events of @sys (NULL: all) and @event (NULL: all). */
static char trace_enable_state(const struct kmm_env *env, const char *sys, const char *event)
{
	bool any_on = false, any_off = false;

	for (int i = 0; i < NR_TRACE_EVENTS; i++) {
		if ((sys && strcmp(sys, trace_event_systems[i])) ||
		    (event && strcmp(event, trace_event_names[i])))
			continue;
		if (trace_enabled(env, (enum trace_event_id)i))
			any_on = true;
		else
			any_off = true;
	}
	if (!any_on && !any_off)
		return 0;
	return any_on && any_off ? 'X' : any_on ? '1' : '0';
}

bool trace_show_enable(const struct kmm_env *env, const char *rel, const struct sink *out)
{
	char sys[64], event[64];
	const char *slash = strchr(rel, '/'), *slash2;
	char state;

	if (strcmp(rel, "enable") == 0) {
		state = trace_enable_state(env, NULL, NULL);
	} else {
		if (!slash || (size_t)(slash - rel) >= sizeof(sys))
			return false;
		snprintf(sys, sizeof(sys), "%.*s", (int)(slash - rel), rel);
		slash2 = strchr(slash + 1, '/');
		if (strcmp(slash + 1, "enable") == 0) {
			state = trace_enable_state(env, sys, NULL);
		} else {
			if (!slash2 || strcmp(slash2 + 1, "enable") ||
			    (size_t)(slash2 - slash - 1) >= sizeof(event))
				return false;
			snprintf(event, sizeof(event), "%.*s", (int)(slash2 - slash - 1),
				 slash + 1);
			state = trace_enable_state(env, sys, event);
		}
	}
	if (!state)
		return false;
	sink_printf(out, "%c\n", state);
	return true;
}

void trace_list_enable(void (*fn)(void *arg, const char *rel), void *arg)
{
	char rel[160];

	fn(arg, "enable");
	for (int i = 0; i < NR_TRACE_EVENTS; i++) {
		bool first = true;

		for (int j = 0; j < i; j++)
			if (strcmp(trace_event_systems[j], trace_event_systems[i]) == 0)
				first = false;
		if (first) {
			snprintf(rel, sizeof(rel), "%s/enable", trace_event_systems[i]);
			fn(arg, rel);
		}
		snprintf(rel, sizeof(rel), "%s/%s/enable", trace_event_systems[i],
			 trace_event_names[i]);
		fn(arg, rel);
	}
}
