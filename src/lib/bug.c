/*
 * BUG and WARN reports of kernel code: the one place that turns a site (file, function,
 * condition, kernel line) into the kernel's text and raises it through env_report(). The
 * formats and the macros are described in bug.h.
 *
 * Models: kernel/panic.c:__warn() and the arm64 die() of a BUG (Linux 6.1).
 *
 * Invariants (env_check covers the env's part):
 *  1. The origin of every report raised here is the kernel's path of the modelled file.
 *  2. A site is in env->warned_once at most once; nr_warned_once <= ENV_ONCE_MAX.
 */
#include "lib/bug.h"

#include <stdio.h>
#include <string.h>

#define BUG_TEXT_MAX 8192

void bug_report(struct kmm_env *env, enum kmm_report_kind kind, const struct bug_site *site,
		const char *fmt, ...)
{
	char text[BUG_TEXT_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	env_report(env, kind, site->file, site->function, site->condition, "%s", text);
}

/* Appends to @buf (of @cap bytes, @len used); returns the new length, capped. */
static size_t KMM_PRINTF(4, 0)
	bug_vappend(char *buf, size_t cap, size_t len, const char *fmt, va_list ap)
{
	int n = vsnprintf(buf + len, cap - len, fmt, ap);

	if (n < 0)
		return len;
	return len + (size_t)n < cap ? len + (size_t)n : cap - 1;
}

static size_t KMM_PRINTF(4, 5) bug_append(char *buf, size_t cap, size_t len, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	len = bug_vappend(buf, cap, len, fmt, ap);
	va_end(ap);
	return len;
}

/* The WARNING line: "WARNING: CPU: c PID: 0 at FILE:LINE fn", or "... at FILE: fn". */
static size_t warn_line(const struct kmm_env *env, const struct bug_site *site, char *buf,
			size_t cap, size_t len)
{
	int cpu = env->cur_cpu < 0 ? 0 : env->cur_cpu;

	if (site->line)
		return bug_append(buf, cap, len, "WARNING: CPU: %d PID: 0 at %s:%d %s", cpu,
				  site->file, site->line, site->function);
	return bug_append(buf, cap, len, "WARNING: CPU: %d at %s: %s", cpu, site->file,
			  site->function);
}

void bug_warning_line(const struct kmm_env *env, const struct bug_site *site, char *buf, size_t len)
{
	if (len) {
		buf[0] = '\0';
		warn_line(env, site, buf, len, 0);
	}
}

static void KMM_PRINTF(4, 0) __vwarn(struct kmm_env *env, const struct bug_site *site,
				     const char *after, const char *fmt, va_list ap)
{
	char text[BUG_TEXT_MAX];
	size_t len = 0;

	text[0] = '\0';
	if (fmt)
		len = bug_vappend(text, sizeof(text), len, fmt, ap);
	len = warn_line(env, site, text, sizeof(text), len);
	if (after)
		len = bug_append(text, sizeof(text), len, "%s", after);
	if (!site->line)
		bug_append(text, sizeof(text), len, "\n");
	env_report(env, KMM_REPORT_WARN, site->file, site->function, site->condition, "%s", text);
}

void __warn(struct kmm_env *env, const struct bug_site *site, const char *after, const char *fmt,
	    ...)
{
	va_list ap;

	va_start(ap, fmt);
	__vwarn(env, site, after, fmt, ap);
	va_end(ap);
}

void __warn_once_fmt(struct kmm_env *env, const struct bug_site *site, const char *fmt, ...)
{
	va_list ap;

	if (!__warn_once_first(env, site))
		return;
	va_start(ap, fmt);
	__vwarn(env, site, NULL, fmt, ap);
	va_end(ap);
}

void __bug(struct kmm_env *env, const struct bug_site *site, const char *fmt, ...)
{
	char text[BUG_TEXT_MAX];
	size_t len;
	va_list ap;

	if (site->line)
		len = bug_append(
			text, sizeof(text), 0,
			"kernel BUG at %s:%d!\nInternal error: Oops - BUG: 00000000f2000800 "
			"[#1] SMP\n",
			site->file, site->line);
	else
		len = bug_append(text, sizeof(text), 0, "kernel BUG at %s: ", site->file);
	if (fmt) {
		va_start(ap, fmt);
		bug_vappend(text, sizeof(text), len, fmt, ap);
		va_end(ap);
	}
	env_report(env, KMM_REPORT_BUG, site->file, site->function, site->condition, "%s", text);
}

bool __warn_once_first(struct kmm_env *env, const struct bug_site *site)
{
	struct env_once_site *o;

	for (unsigned i = 0; i < env->nr_warned_once; i++) {
		o = &env->warned_once[i];
		if (o->line == site->line && o->src_line == site->src_line &&
		    !strcmp(o->file, site->file))
			return false;
	}
	/* A machine that has fired more sites than it remembers warns again: loud, not silent. */
	if (env->nr_warned_once == ENV_ONCE_MAX)
		return true;
	env->warned_once[env->nr_warned_once++] =
		(struct env_once_site){site->file, site->line, site->src_line};
	return true;
}
