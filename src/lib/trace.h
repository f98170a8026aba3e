/*
 * Trace events: the kernel's tracepoints, named as the kernel names them, written as
 * ftrace-style text lines to a per-machine buffer (/sys/kernel/debug/tracing/trace) and to an
 * optional host handler.
 *
 * Each event is one line of TRACE_EVENTS (name, subsystem). An event costs one bit test while
 * it is disabled; all are disabled at machine creation, as in the kernel.
 *
 * Line format (the kernel's, with the task column fixed to the simulated CPU's only task):
 *
 *   "          kmmsim-1       [CPU] .....  SSSSS.UUUUUU: EVENT: FIELDS\n"
 */
#ifndef KMM_LIB_TRACE_H
#define KMM_LIB_TRACE_H

#include "lib/env.h"

#define TRACE_EVENTS(X)                                                                            \
	X(mm_page_alloc, "kmem")                                                                   \
	X(mm_page_free, "kmem")                                                                    \
	X(mm_page_free_batched, "kmem")                                                            \
	X(mm_page_alloc_zone_locked, "kmem")                                                       \
	X(mm_page_pcpu_drain, "kmem")                                                              \
	X(mm_page_alloc_extfrag, "kmem")                                                           \
	X(kmem_cache_alloc, "kmem")                                                                \
	X(kmalloc, "kmem")                                                                         \
	X(kfree, "kmem")                                                                           \
	X(kmem_cache_free, "kmem")

enum trace_event_id {
#define TRACE_ENUM(name, sys) TRACE_##name,
	TRACE_EVENTS(TRACE_ENUM)
#undef TRACE_ENUM
		NR_TRACE_EVENTS
};

_Static_assert(NR_TRACE_EVENTS <= 64, "trace_mask is one 64-bit word");

extern const char *const trace_event_names[NR_TRACE_EVENTS];
extern const char *const trace_event_systems[NR_TRACE_EVENTS];

static inline bool trace_enabled(const struct kmm_env *env, enum trace_event_id id)
{
	return env->trace_mask >> id & 1;
}

/* Formats one event line and hands it to the buffer and the handler. Call when enabled. */
void trace_emit(struct kmm_env *env, enum trace_event_id id, const char *fmt, ...) KMM_PRINTF(3, 4);

/*
 * Enables or disables by event name, subsystem name ("kmem") or "all". Returns the number
 * of events that matched (0: unknown name, nothing changed); false on host exhaustion.
 */
int trace_set_enabled(struct kmm_env *env, const char *name, bool on);

#endif /* KMM_LIB_TRACE_H */
