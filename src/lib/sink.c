/*
 * Sinks: see sink.h.
 */
#include "lib/sink.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void sink_write(const struct sink *s, const char *text, size_t len)
{
	if (s->fn && len)
		s->fn(s->arg, text, len);
}

void sink_vprintf(const struct sink *s, const char *fmt, va_list ap)
{
	char small[512];
	va_list ap2;
	int n;

	va_copy(ap2, ap);
	n = vsnprintf(small, sizeof(small), fmt, ap);
	if (n < 0) {
		va_end(ap2);
		return;
	}
	if ((size_t)n < sizeof(small)) {
		sink_write(s, small, n);
	} else {
		char *big = malloc((size_t)n + 1);
		if (big) {
			vsnprintf(big, (size_t)n + 1, fmt, ap2);
			sink_write(s, big, n);
			free(big);
		}
	}
	va_end(ap2);
}

void sink_printf(const struct sink *s, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	sink_vprintf(s, fmt, ap);
	va_end(ap);
}

void sink_buf_fn(void *arg, const char *text, size_t len)
{
	struct sink_buf *b = arg;
	size_t room = b->cap > b->len ? b->cap - b->len - 1 : 0;
	size_t n = len < room ? len : room;

	if (b->cap == 0)
		return (void)(b->needed += len);
	memcpy(b->buf + b->len, text, n);
	b->len += n;
	b->buf[b->len] = '\0';
	b->needed += len;
}

void sink_str_fn(void *arg, const char *text, size_t len)
{
	struct sink_str *s = arg;

	if (s->failed)
		return;
	if (s->len + len + 1 > s->cap) {
		size_t cap = s->cap ? s->cap : 256;
		while (cap < s->len + len + 1)
			cap *= 2;
		char *n = realloc(s->buf, cap);
		if (!n) {
			s->failed = true;
			return;
		}
		s->buf = n;
		s->cap = cap;
	}
	memcpy(s->buf + s->len, text, len);
	s->len += len;
	s->buf[s->len] = '\0';
}
