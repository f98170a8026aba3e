/*
 * Output through sinks: printf-style helpers and two ready-made sinks (a growing host
 * string, a fixed buffer). Views, dumps and reports are written through these, never to
 * stdout directly.
 */
#ifndef KMM_LIB_SINK_H
#define KMM_LIB_SINK_H

#include <kmm/types.h>
#include <stdarg.h>

#include "lib/env.h"

struct sink {
	kmm_sink_fn fn;
	void *arg;
};

void sink_printf(const struct sink *s, const char *fmt, ...) KMM_PRINTF(2, 3);
void sink_vprintf(const struct sink *s, const char *fmt, va_list ap) KMM_PRINTF(2, 0);
void sink_write(const struct sink *s, const char *text, size_t len);

/* A fixed buffer: keeps a NUL-terminated prefix and counts what did not fit. */
struct sink_buf {
	char *buf;
	size_t cap;
	size_t len;    /* bytes stored (excluding the NUL) */
	size_t needed; /* bytes written in all */
};
void sink_buf_fn(void *arg, const char *text, size_t len);

/* A growing string in host memory (malloc'd; the caller frees .buf). */
struct sink_str {
	char *buf;
	size_t len, cap;
	bool failed; /* host memory ran out: the text is truncated */
};
void sink_str_fn(void *arg, const char *text, size_t len);

#endif /* KMM_LIB_SINK_H */
