/*
 * The mm debugging checks: VM_BUG_ON, VM_BUG_ON_PAGE, VM_WARN_ON, VM_WARN_ON_ONCE,
 * VM_WARN_ON_FOLIO, and dump_page().
 *
 * Models: include/linux/mmdebug.h (Linux 6.1).
 *
 * The reference kernel is built without CONFIG_DEBUG_VM, so these checks are compiled but never
 * run: the condition is type-checked and not evaluated, as the kernel's BUILD_BUG_ON_INVALID
 * does. CONFIG_DEBUG_VM is a constant, not an #ifdef: set it to 1 to run them (the reports then
 * name the site as bug.h does). The few DEBUG_VM checks the model runs on purpose (the free
 * path's, see page_alloc.c) raise their own reports and say so.
 *
 * The VM_WARN forms are statements (void), as the kernel's are in 6.1. Unlike bug.h's macros
 * these take the kernel, not the env: the _PAGE and _FOLIO forms dump the page first, which
 * needs the memory map.
 */
#ifndef KMM_MM_MMDEBUG_H
#define KMM_MM_MMDEBUG_H

#include "lib/bug.h"

#define CONFIG_DEBUG_VM 0

struct kmm_kernel;
struct page;

/* Models: mm/debug.c:dump_page(): the page's state into the kernel log. */
void dump_page(struct kmm_kernel *k, const struct page *page, const char *reason);

#define VM_BUG_ON(k, cond)                                                                         \
	do {                                                                                       \
		if (CONFIG_DEBUG_VM && (cond))                                                     \
			__bug((k)->env, BUG_SITE(0, __func__, #cond), NULL);                       \
	} while (0)

#define VM_BUG_ON_PAGE(k, cond, page)                                                              \
	do {                                                                                       \
		if (CONFIG_DEBUG_VM && (cond)) {                                                   \
			dump_page((k), (page), "VM_BUG_ON_PAGE(" #cond ")");                       \
			__bug((k)->env, BUG_SITE(0, __func__, #cond), NULL);                       \
		}                                                                                  \
	} while (0)

#define VM_WARN_ON(k, cond) ((void)(CONFIG_DEBUG_VM && WARN_ON((k)->env, cond)))

#define VM_WARN_ON_ONCE(k, cond) ((void)(CONFIG_DEBUG_VM && WARN_ON_ONCE((k)->env, cond)))

#define VM_WARN_ON_ONCE_PAGE(k, cond, page)                                                        \
	(void)(CONFIG_DEBUG_VM && (cond) &&                                                        \
	       (__warn_once_first((k)->env, BUG_SITE(0, __func__, #cond))                          \
			? (dump_page((k), (page), "VM_WARN_ON_ONCE_PAGE(" #cond ")"),              \
			   __warn((k)->env, BUG_SITE(0, __func__, #cond), NULL, NULL), 1)          \
			: 1))

#define VM_WARN_ON_FOLIO(k, cond, folio)                                                           \
	(void)(CONFIG_DEBUG_VM && (cond) &&                                                        \
	       (dump_page((k), &(folio)->page, "VM_WARN_ON_FOLIO(" #cond ")"),                     \
		__warn((k)->env, BUG_SITE(0, __func__, #cond), NULL, NULL), 1))

#endif /* KMM_MM_MMDEBUG_H */
