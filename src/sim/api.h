/*
 * The API boundary: the one way a public call reaches the kernel.
 *
 * A public call is one body, run by api_call() after the readiness check and under the BUG
 * unwind; its arguments travel in a struct typed for that call, so no local of the public
 * function is live across the setjmp (which is in api_call alone):
 *
 *	API_BODY(kmem_cache_shrink, { kmm_cache_t cache; })
 *	{
 *		struct kmem_cache *s;
 *		enum kmm_status st = api_cache(a, p->cache, &s);
 *
 *		if (!st)
 *			kmem_cache_shrink(a->k, s);
 *		return st;
 *	}
 *
 *	enum kmm_status kmm_kmem_cache_shrink(struct kmm_machine *m, kmm_cache_t cache)
 *	{
 *		return API_CALL(m, API_SLAB, kmem_cache_shrink, .cache = cache);
 *	}
 *
 * The body may do anything a kernel caller may: check arguments (api_error names the public
 * function), call into src/mm, translate the kernel's NULL / -errno into a status. A BUG
 * anywhere inside makes the public call return KMM_EBUG with the machine dead; a body may call
 * other public functions (the unwind is armed once, by the outermost call).
 *
 * Readiness (enum api_need) is checked in one place and the refusal names what is missing:
 * a NULL machine, a dead machine, no booted kernel, the slab allocator or vmalloc not up.
 *
 * Kernel objects handed to the host (slab caches, mempools; later tasks and address spaces)
 * are named by handles from one table per machine (struct api_handles in sim/machine.h): the
 * slot + 1 in the low 32 bits, the slot's generation in the high 32, and a kind per slot, so a
 * stale, made-up or wrong-kind handle is refused, never followed.
 */
#ifndef KMM_SIM_API_H
#define KMM_SIM_API_H

#include <kmm/page.h>
#include <kmm/task.h>

#include "mm/gfp.h"
#include "mm/internal.h"
#include "sim/machine.h"

/* What a public call needs before its body may run; each level includes the ones above. */
enum api_need {
	API_MACHINE, /* a live machine (booted or not) */
	API_BOOTED,  /* a booted kernel */
	API_SLAB,    /* the slab allocator up (slab_state == UP) */
	API_VMALLOC, /* vmalloc initialised */
	API_USER,    /* user space ready: the task table and the mm state exist */
};

/* The state a body works with. */
struct api {
	struct kmm_machine *m;
	struct kmm_kernel *k; /* &m->kernel */
	struct kmm_env *env;  /* &m->env */
	const char *fn;	      /* the public function's name, for error texts */
};

typedef enum kmm_status (*api_body_fn)(struct api *a, void *args);

/*
 * Checks readiness, then runs @body(a, @args) under the BUG unwind. Returns the body's
 * status; KMM_EINVAL/KMM_EDEAD (with the reason in kmm_last_error) if the machine is not
 * ready, in which case the body did not run; KMM_EBUG if a BUG killed the machine during it.
 */
enum kmm_status api_call(struct kmm_machine *m, const char *fn, enum api_need need,
			 api_body_fn body, void *args);

/* Defines the body of public call @name; its arguments are const struct name##_args *p. */
#define API_BODY(name, ...)                                                                        \
	struct name##_args __VA_ARGS__;                                                            \
	static enum kmm_status name##_body(struct api *a, const struct name##_args *p);            \
	static enum kmm_status name##_entry(struct api *a, void *p)                                \
	{                                                                                          \
		return name##_body(a, p);                                                          \
	}                                                                                          \
	static enum kmm_status name##_body(struct api *a, const struct name##_args *p)

/* Runs body @name for public function @fn with designated initialisers for its arguments. */
#define API_CALL_AS(m, fn, need, name, ...)                                                        \
	api_call((m), (fn), (need), name##_entry, &(struct name##_args){__VA_ARGS__})

/* The same, named after the calling function. */
#define API_CALL(m, need, name, ...) API_CALL_AS(m, __func__, need, name, __VA_ARGS__)

/* Records "fn: <text>" as the error of this call; returns @status. */
enum kmm_status api_error(const struct api *a, enum kmm_status status, const char *fmt, ...)
	KMM_PRINTF(3, 4);

/*
 * Records the error of a public call that has no body (views, reports, trace switches): on
 * @m when there is one (kmm_last_error(m) shows it), else on the thread. Returns @status.
 */
enum kmm_status api_fail(const struct kmm_machine *m, enum kmm_status status, const char *fmt, ...)
	KMM_PRINTF(3, 4);

/* ---- handles --------------------------------------------------------------------------- */

enum api_handle_kind {
	API_HANDLE_CACHE = 1, /* struct kmem_cache * */
	API_HANDLE_MEMPOOL,   /* struct api_mempool * (slab_api.c) */
};

/* A new handle for @obj, or 0 when host memory is exhausted (nothing changed then). */
uint64_t api_handle_add(struct kmm_machine *m, enum api_handle_kind kind, void *obj);

/* The object of a live handle of @kind, or NULL. */
void *api_handle_get(const struct kmm_machine *m, enum api_handle_kind kind, uint64_t handle);

/* Retires a live handle: it and every copy of it are refused from now on. */
void api_handle_del(struct kmm_machine *m, uint64_t handle);

/* Calls @fn for each live handle of @kind until it returns true; returns that handle or 0. */
uint64_t api_handle_find(const struct kmm_machine *m, enum api_handle_kind kind,
			 bool (*fn)(void *obj, void *arg), void *arg);

/* ---- argument checks: KMM_OK, or KMM_EINVAL naming the public function; nothing changes -- */

/* The GFP bits the reference kernel defines (below __GFP_BITS_SHIFT without the KASAN ones). */
#define GFP_KNOWN_BITS ((gfp_t)((1u << 24) - 1))

enum kmm_status api_check_gfp(const struct api *a, kmm_gfp_t gfp);

/* NUMA_NO_NODE or an online node. */
enum kmm_status api_check_nid(const struct api *a, int nid);

/* A PFN with a struct page in an initialised zone. */
enum kmm_status api_check_pfn(const struct api *a, kmm_pfn_t pfn);

/* ---- user tasks (task_api.c) ------------------------------------------------------------ */

struct task_struct;
struct kmm_siginfo;

/*
 * The user task @pid made ready to run and switched to on its CPU (*@out). KMM_ESRCH, or
 * KMM_EFAULT for a task stopped or killed (it exits then, *@fault filled if non-NULL).
 */
enum kmm_status api_run_task(const struct api *a, kmm_pid_t pid, struct kmm_siginfo *fault,
			     struct task_struct **out);

/* The status of an access of @t at @va that el0_access returned @ret (!= 0) for: the task
 * is stopped with its signal (KMM_EFAULT), or killed, or the fault never resolved (KMM_EBUG). */
enum kmm_status api_access_failed(const struct api *a, struct task_struct *t, int ret, uint64_t va,
				  struct kmm_siginfo *fault);

#endif /* KMM_SIM_API_H */
