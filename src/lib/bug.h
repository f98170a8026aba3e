/*
 * BUG and WARN: how kernel code (src/mm, the arch code, src/kernel) reports what the kernel
 * would print as a warning or an oops. Every report of kernel code leaves through here, so a
 * report names its place one way: the kernel's path of the modelled file (the report's
 * origin), the kernel function, the condition as the kernel writes it, and the reference
 * kernel's line where the model knows it.
 *
 * Models: include/asm-generic/bug.h (BUG_ON, WARN_ON, WARN_ON_ONCE, WARN, WARN_ONCE) and
 *         kernel/panic.c:__warn() (Linux 6.1).
 *
 * Each .c that raises reports defines KMM_FILE, the kernel's path of the file it models, before
 * it uses these macros (as the kernel's files define pr_fmt):
 *
 *	#define KMM_FILE "mm/memblock.c"
 *
 * The printed text. The first form is the reference kernel's (without a stack unwinder); the
 * second is the model's own, for sites whose kernel line it does not know, kept as the views
 * and tests have always printed it:
 *
 * | report | the line is known (the *_AT forms)           | it is not                        |
 * |--------|----------------------------------------------|----------------------------------|
 * | WARN   | [msg]WARNING: CPU: c PID: 0 at FILE:LINE fn  | [msg]WARNING: CPU: c at FILE: fn |
 * |        | [after]                                      | [after]\n                        |
 * | BUG    | kernel BUG at FILE:LINE!\n                   | kernel BUG at FILE: <tail>       |
 * |        | Internal error: Oops - BUG: 00000000f2000800 |                                  |
 * |        | [#1] SMP\n<tail>                             |                                  |
 *
 * A line is always the reference kernel's (never __LINE__ of our file, which means nothing to
 * a kernel engineer); where a site passes none, the text says only the file. What follows the
 * WARNING line (@after) is the caller's: the model's extra words, the call trace of a full
 * __warn() block. Reports whose text is the kernel's own prose (warn_alloc, bad_page, SLUB's
 * object reports) go through bug_report() with that text, so they carry the same origin.
 *
 * Deviations: no stack unwinder, so no "func+0x../0x.." offsets and no register dump. BUG
 *         kills the machine and unwinds to the API boundary; outside an API call (boot) it
 *         returns and the caller fails cleanly. WARN_ON_ONCE state is per machine (env), keyed
 *         by the site; the kernel keeps it per boot, which is the same thing here.
 */
#ifndef KMM_LIB_BUG_H
#define KMM_LIB_BUG_H

#include "lib/env.h"

/* Where a report comes from. */
struct bug_site {
	const char *file;      /* the kernel's path of the modelled file: "mm/memblock.c" */
	const char *function;  /* the kernel function */
	const char *condition; /* as the kernel writes it; NULL for none */
	int line;	       /* the reference kernel's line; 0 when the model does not know it */
	int src_line;	       /* __LINE__ of the raising site: keys WARN_ON_ONCE, never printed */
};

/* The site of a report of this file; _IN for one the kernel raises in another file. */
#define BUG_SITE_IN(file, kline, func, cond)                                                       \
	(&(const struct bug_site){(file), (func), (cond), (kline), __LINE__})
#define BUG_SITE(kline, func, cond) BUG_SITE_IN(KMM_FILE, kline, func, cond)

/*
 * Raises a report of @kind from @site whose whole text is @fmt (the kernel's own prose: no
 * WARNING line is added). A KMM_REPORT_BUG does not return inside an API call.
 */
void bug_report(struct kmm_env *env, enum kmm_report_kind kind, const struct bug_site *site,
		const char *fmt, ...) KMM_PRINTF(4, 5);

/*
 * A WARN from @site: the message @fmt (NULL: none), the WARNING line, then @after (NULL:
 * nothing) verbatim. Taints the machine.
 */
void __warn(struct kmm_env *env, const struct bug_site *site, const char *after, const char *fmt,
	    ...) KMM_PRINTF(4, 5);

/* A BUG from @site: the "kernel BUG at" head, then @fmt (NULL: nothing). Kills the machine. */
void __bug(struct kmm_env *env, const struct bug_site *site, const char *fmt, ...) KMM_PRINTF(3, 4);

/*
 * Writes @site's WARNING line (no newline) into @buf, for reports that print the whole
 * __warn() block themselves (SLUB's, with the cut-here line and the call trace).
 */
void bug_warning_line(const struct kmm_env *env, const struct bug_site *site, char *buf,
		      size_t len);

/* True the first time @site asks on this machine (WARN_ON_ONCE and WARN_ONCE state). */
bool __warn_once_first(struct kmm_env *env, const struct bug_site *site);

/*
 * The macros take the machine's env first (there is no global "current" kernel). Each
 * evaluates @cond once and, as the kernel's do, the WARN forms yield it, so they can stand in
 * an if. The *_AT forms take the reference kernel's line of the site.
 */
#define WARN_ON_AT(env, kline, cond)                                                               \
	(!!(cond) ? (__warn((env), BUG_SITE(kline, __func__, #cond), NULL, NULL), 1) : 0)
#define WARN_ON(env, cond) WARN_ON_AT(env, 0, cond)

#define WARN_AT(env, kline, cond, ...)                                                             \
	(!!(cond) ? (__warn((env), BUG_SITE(kline, __func__, #cond), NULL, __VA_ARGS__), 1) : 0)
#define WARN(env, cond, ...) WARN_AT(env, 0, cond, __VA_ARGS__)

#define WARN_ON_ONCE_AT(env, kline, cond)                                                          \
	(!!(cond) ? (__warn_once((env), BUG_SITE(kline, __func__, #cond)), 1) : 0)
#define WARN_ON_ONCE(env, cond) WARN_ON_ONCE_AT(env, 0, cond)

#define WARN_ONCE_AT(env, kline, cond, ...)                                                        \
	(!!(cond) ? (__warn_once_fmt((env), BUG_SITE(kline, __func__, #cond), __VA_ARGS__), 1) : 0)
#define WARN_ONCE(env, cond, ...) WARN_ONCE_AT(env, 0, cond, __VA_ARGS__)

#define BUG_ON_AT(env, kline, cond)                                                                \
	do {                                                                                       \
		if (cond)                                                                          \
			__bug((env), BUG_SITE(kline, __func__, #cond), NULL);                      \
	} while (0)
#define BUG_ON(env, cond) BUG_ON_AT(env, 0, cond)
#define BUG(env)	  __bug((env), BUG_SITE(0, __func__, NULL), NULL)

/* The WARN_ON_ONCE and WARN_ONCE bodies: a WARN the first time @site fires, nothing after. */
static inline void __warn_once(struct kmm_env *env, const struct bug_site *site)
{
	if (__warn_once_first(env, site))
		__warn(env, site, NULL, NULL);
}

void __warn_once_fmt(struct kmm_env *env, const struct bug_site *site, const char *fmt, ...)
	KMM_PRINTF(3, 4);

#endif /* KMM_LIB_BUG_H */
