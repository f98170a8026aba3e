/*
 * libkmm compat layer: the kernel's names over the machine made "current" on this host thread.
 *
 * Opt-in: a host program binds a machine (and, for the user-space helpers, a task that plays
 * `current`) with kmm_linux_bind(), then includes the kernel-named headers it needs
 * (<kmm/linux/gfp.h>, <kmm/linux/mm.h>, <kmm/linux/slab.h>, <kmm/linux/vmalloc.h>,
 * <kmm/linux/mman.h>, <kmm/linux/uaccess.h>, <kmm/linux/err.h>) and writes code the way
 * the kernel does: alloc_pages(GFP_KERNEL, 2), kmalloc(128, GFP_KERNEL), vm_mmap(...),
 * copy_to_user(...). docs/compat.md lists what maps to what and what is left out.
 *
 * Conventions (the kernel's):
 *  - allocators return NULL on failure; the system-call-like helpers return 0 or -errno
 *    (Linux errno values, from kmm_status_errno(); a status the kernel has no errno for, such
 *    as a dead machine, is -EIO); vm_mmap() returns an address or an error value in the last
 *    page of the address space (IS_ERR_VALUE);
 *  - kernel pointers (kmalloc, kmem_cache_alloc, page_address, __get_free_pages,
 *    alloc_pages_exact) are host pointers into the machine's simulated RAM: dereference them
 *    freely within the allocation; vmalloc() memory is the simulated vmalloc address (not a
 *    host pointer: reach its pages with vmalloc_to_page() and page_address());
 *  - user pointers (void __user *) carry the task's simulated virtual address;
 *  - struct page pointers carry the PFN the kernel's way (vmemmap + pfn): never dereference.
 * Without a binding every helper fails cleanly (NULL, -EINVAL, or the byte count not copied)
 * and kmm_last_error(NULL) says "...: no machine bound to this thread"; kmm_linux_last_error()
 * gives the text of the last failure whichever way it was recorded.
 *
 * Needs a 64-bit host (LP64): unsigned long and pointers hold a simulated 64-bit address.
 * C11 only (kernel code is C): the headers use _Static_assert, _Thread_local and designated
 * initialisers of unions, which C++ spells differently or lacks.
 */
#ifndef KMM_LINUX_COMPAT_H
#define KMM_LINUX_COMPAT_H

#include <kmm/kmm.h>

#include <errno.h>
#include <stdint.h>
#include <string.h>

#ifdef __cplusplus
extern "C" {
#endif

_Static_assert(sizeof(unsigned long) == 8 && sizeof(void *) == 8,
	       "the kmm compat headers need an LP64 host");

/* ---- the binding (src/sim/linux_api.c) -------------------------------------------------- */

/* The calling thread's binding; all zero when nothing is bound. */
struct kmm_linux_current {
	struct kmm_machine *machine; /* NULL: nothing bound */
	kmm_pid_t pid;		     /* the task `current` is; 0: none (kernel-thread context) */
	kmm_pa_t phys_offset;	     /* PHYS_OFFSET (memstart_addr) of the linear map */
	kmm_va_t page_offset;	     /* PAGE_OFFSET */
};

/*
 * Binds the calling host thread to @m and task @pid (0: no task; only the kernel-side helpers
 * work). @m NULL (with @pid 0) unbinds. KMM_ESRCH if @pid does not exist, KMM_EINVAL if @m is
 * not a live, booted machine; the previous binding stays then. kmm_machine_destroy() unbinds
 * the destroying thread from that machine; other threads must unbind first.
 */
KMM_API enum kmm_status kmm_linux_bind(struct kmm_machine *m, kmm_pid_t pid);

/*
 * The binding, for kernel name @fn: NULL when no machine is bound, or @need_task and no task
 * is (the reason recorded: kmm_last_error(NULL), resp. kmm_last_error(machine)). With @fn
 * NULL: the binding as it is, never NULL, nothing recorded.
 */
KMM_API const struct kmm_linux_current *kmm_linux_current(const char *fn, bool need_task);

/*
 * The physical address of host pointer @ptr into the bound machine's RAM. KMM_EINVAL (with
 * "@fn: ... is not a pointer into the machine's RAM") when it is not one; nothing changes.
 */
KMM_API enum kmm_status kmm_linux_host_to_phys(const char *fn, const void *ptr, kmm_pa_t *pa);

/* The text of the last failure of a compat call on this thread's binding (never NULL). */
static inline const char *kmm_linux_last_error(void)
{
	const struct kmm_linux_current *c = kmm_linux_current(NULL, false);
	const char *t = c->machine ? kmm_last_error(c->machine) : "";

	return t[0] ? t : kmm_last_error(NULL);
}

/* The machine bound to this thread, or NULL. */
static inline struct kmm_machine *kmm_linux_machine(void)
{
	return kmm_linux_current(NULL, false)->machine;
}

/* The pid bound as `current`, or 0. */
static inline kmm_pid_t kmm_linux_current_pid(void)
{
	return kmm_linux_current(NULL, false)->pid;
}

/* -errno for a status: 0 for KMM_OK, -EIO for a status the kernel has no errno for. */
static inline int kmm_linux_errno(enum kmm_status st)
{
	int e;

	if (st == KMM_OK)
		return 0;
	e = kmm_status_errno(st);
	return e ? -e : -5 /* EIO */;
}

/* ---- the kernel's basic types (include/linux/types.h) --------------------------------- */

typedef uint8_t u8;
typedef uint16_t u16;
typedef uint32_t u32;
typedef uint64_t u64;
typedef int8_t s8;
typedef int16_t s16;
typedef int32_t s32;
typedef int64_t s64;
typedef kmm_gfp_t gfp_t;
typedef uint64_t phys_addr_t;

#ifndef __user
#define __user /* a user pointer: the task's simulated VA, never dereferenced by the host */
#endif
#ifndef __force
#define __force
#endif

/* ---- linear-map helpers the wrappers share -------------------------------------------- */

/* The linear-map VA of @pa (arm64 __phys_to_virt). */
static inline kmm_va_t kmm_linux_pa_to_va(const struct kmm_linux_current *c, kmm_pa_t pa)
{
	return (pa - c->phys_offset) | c->page_offset;
}

/* The PA of linear-map VA @va (arm64 __virt_to_phys for the linear map). */
static inline kmm_pa_t kmm_linux_va_to_pa(const struct kmm_linux_current *c, kmm_va_t va)
{
	return (va & ~c->page_offset) + c->phys_offset;
}

/*
 * The host pointer for linear-map object @va of @len bytes (the bytes become the host's to
 * write, as kmm_phys_to_host says), or NULL.
 */
static inline void *kmm_linux_va_to_host(const struct kmm_linux_current *c, kmm_va_t va, size_t len)
{
	return kmm_phys_to_host(c->machine, kmm_linux_va_to_pa(c, va), len ? len : 1);
}

/* The linear-map VA of host pointer @p into RAM, or 0 (the reason recorded, for @fn). */
static inline kmm_va_t kmm_linux_host_to_va(const struct kmm_linux_current *c, const char *fn,
					    const void *p)
{
	kmm_pa_t pa;

	if (kmm_linux_host_to_phys(fn, p, &pa) != KMM_OK)
		return 0;
	return kmm_linux_pa_to_va(c, pa);
}

#ifdef __cplusplus
}
#endif

#endif /* KMM_LINUX_COMPAT_H */
