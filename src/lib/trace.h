/*
 * Trace events: the kernel's tracepoints, named as the kernel names them, written as
 * ftrace-style text lines to a per-machine buffer (/sys/kernel/debug/tracing/trace) and to an
 * optional host handler.
 *
 * Each event is one row of TRACE_EVENTS (trace_events.h: name, subsystem). An event costs one
 * bit test while it is disabled; all are disabled at machine creation, as in the kernel. The
 * enable state is a bitmap sized from the table; events are switched by name, by subsystem or
 * all at once, and read back per event, per subsystem and in all as tracefs shows them
 * (events/<subsys>/<event>/enable: "0" or "1"; events/<subsys>/enable and events/enable:
 * "0", "1", or "X" when mixed).
 *
 * Timestamps are the machine clock (env.h: "Simulated time"), which never goes backwards.
 *
 * Line format (the kernel's, with the task column fixed to the simulated CPU's only task):
 *
 *   "          kmmsim-1       [CPU] .....  SSSSS.UUUUUU: EVENT: FIELDS\n"
 */
#ifndef KMM_LIB_TRACE_H
#define KMM_LIB_TRACE_H

#include "lib/env.h"

extern const char *const trace_event_names[NR_TRACE_EVENTS];
extern const char *const trace_event_systems[NR_TRACE_EVENTS];

static inline bool trace_enabled(const struct kmm_env *env, enum trace_event_id id)
{
	return env->trace_mask[id / 64] >> (id % 64) & 1;
}

/* Formats one event line and hands it to the buffer and the handler. Call when enabled. */
void trace_emit(struct kmm_env *env, enum trace_event_id id, const char *fmt, ...) KMM_PRINTF(3, 4);

/*
 * Enables or disables by event name, subsystem name ("kmem") or "all". Returns the number
 * of events that matched (0: unknown name, nothing changed); -1 (nothing changed) when the
 * host has no memory for the trace buffer, allocated with the first enabled event.
 */
int trace_set_enabled(struct kmm_env *env, const char *name, bool on);

/*
 * Writes the enable file under /sys/kernel/debug/tracing/events/ named by @rel ("enable",
 * "kmem/enable", "kmem/mm_page_alloc/enable") through @out: "0\n", "1\n" or "X\n".
 * Returns false (nothing written) when there is no such file.
 */
struct sink;
bool trace_show_enable(const struct kmm_env *env, const char *rel, const struct sink *out);

/* Calls @fn with the path of every enable file, relative to tracing/events/. */
void trace_list_enable(void (*fn)(void *arg, const char *rel), void *arg);

#endif /* KMM_LIB_TRACE_H */
