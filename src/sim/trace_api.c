/*
 * Public trace-event API (include/kmm/trace.h) over src/lib/trace.c.
 */
#include <kmm/trace.h>

#include "lib/trace.h"
#include "sim/api.h"

enum kmm_status kmm_trace_enable(struct kmm_machine *m, const char *name, bool on)
{
	if (!m || !name)
		return api_fail(m, KMM_EINVAL, "kmm_trace_enable: NULL %s",
				!m ? "machine" : "name");
	switch (trace_set_enabled(&m->env, name, on)) {
	case 0:
		return env_error(&m->env, KMM_ENOENT,
				 "kmm_trace_enable: no trace event or subsystem '%s'", name);
	case -1:
		return env_error(&m->env, KMM_EHOST,
				 "kmm_trace_enable: host memory exhausted (the trace buffer)");
	}
	return KMM_OK;
}

void kmm_trace_set_handler(struct kmm_machine *m, kmm_trace_fn fn, void *arg)
{
	if (!m)
		return;
	m->env.trace_fn = fn;
	m->env.trace_arg = arg;
}

void kmm_trace_clear(struct kmm_machine *m)
{
	if (m)
		text_ring_clear(&m->env.trace_buf);
}
