/*
 * libkmm public API: trace events, named and formatted as the kernel's tracepoints
 * (mm_page_alloc, mm_page_free, mm_page_alloc_extfrag, kmem_cache_alloc, ...).
 *
 * Enabled events append ftrace-style lines to the machine's trace buffer, readable as
 * "/sys/kernel/debug/tracing/trace" through kmm_proc_read(), and go to the handler if set.
 */
#ifndef KMM_TRACE_H
#define KMM_TRACE_H

#include <kmm/types.h>

#ifdef __cplusplus
extern "C" {
#endif

struct kmm_machine;

/* Called for each event as it fires; @line (with its newline) is valid during the call only. */
typedef void (*kmm_trace_fn)(void *arg, const char *event, const char *line, size_t len);

/*
 * Enables (@on) or disables the events matching @name: an event name, a subsystem ("kmem")
 * or "all". KMM_ENOENT when nothing matches (nothing changed). The state reads back through
 * kmm_proc_read() as tracefs shows it: "/sys/kernel/debug/tracing/events/enable",
 * ".../events/<subsys>/enable" ("0\n", "1\n", or "X\n" when mixed) and
 * ".../events/<subsys>/<event>/enable".
 */
KMM_API enum kmm_status kmm_trace_enable(struct kmm_machine *m, const char *name, bool on);

KMM_API void kmm_trace_set_handler(struct kmm_machine *m, kmm_trace_fn fn, void *arg);

/* Drops the buffered lines ("echo > trace"). */
KMM_API void kmm_trace_clear(struct kmm_machine *m);

#ifdef __cplusplus
}
#endif

#endif /* KMM_TRACE_H */
