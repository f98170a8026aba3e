/*
 * User-mode execution on a simulated CPU (arch/arm64/kernel/entry.c): the accesses a task makes
 * at EL0 through its CPU's MMU, with each abort handed to do_mem_abort and the access retried.
 * The sim layer calls these; they are the only way user accesses reach the hardware model.
 */
#ifndef KMM_ARCH_ARM64_ASM_EXCEPTION_H
#define KMM_ARCH_ARM64_ASM_EXCEPTION_H

#include <stddef.h>
#include <stdint.h>

struct kmm_kernel;
struct task_struct;

/* Access kinds, as enum hw_acc (and enum kmm_access) number them. */
enum el0_acc { EL0_LOAD, EL0_STORE, EL0_IFETCH };

/* Retries of one access that make no progress (same ESR and FAR) before it is a kernel bug. */
#define EL0_MAX_RETRIES 16

/*
 * @len bytes (1..4096) at @va by task @t (running on its CPU: sched_switch_to first) at EL0.
 * Returns 0 (done), a signal number (SIGSEGV, SIGBUS: t->last_sig filled, the task not yet
 * stopped: the caller stops it), or -ELOOP when the same abort came back EL0_MAX_RETRIES
 * times after do_mem_abort said it fixed it (a kernel bug: reported). A load fills @buf; a
 * store that faulted in a later 8-page group leaves the earlier groups written.
 */
int el0_access(struct kmm_kernel *k, struct task_struct *t, enum el0_acc acc, uint64_t va,
	       void *buf, size_t len);

/* Orders of el0_touch. */
enum el0_order { EL0_SEQ, EL0_STRIDED, EL0_RANDOM };

/*
 * One 8-byte access of @acc at each of the @n addresses @va + i * @stride (i < n) in @order
 * (EL0_RANDOM: a permutation drawn from @seed; SEQ and STRIDED: ascending), storing @pattern.
 * TLB hits take a short path (no fault machinery). *@done is the accesses completed. Returns
 * as el0_access for the first one that did not complete.
 */
int el0_touch(struct kmm_kernel *k, struct task_struct *t, enum el0_acc acc, uint64_t va,
	      uint64_t n, uint64_t stride, enum el0_order order, uint64_t seed, uint64_t pattern,
	      uint64_t *done);

/*
 * One access of a replayed trace (the layout of struct kmm_trace_rec, kmm/replay.h, which
 * sim/replay_api.c pins): @op 0 load, 1 store, 2 modify (a load and a store of one location:
 * one translation, as a store), 3 instruction fetch; 4 and up are events the caller handles.
 */
struct el0_rec {
	uint64_t va;
	uint64_t size; /* 1..4096 */
	uint32_t op;
	uint32_t reserved;
};

#define EL0_REC_EVENT 4 /* first op that is not an access */

/* Called before the full path of an access that missed the L1 TLB: 0 to go on, or < 0. */
typedef int (*el0_miss_fn)(void *arg, uint64_t va, uint64_t size);

/*
 * Replays @r[0..@n) in order as accesses of task @t (on its CPU: sched_switch_to first), each
 * through the TLB and the walker with faults handled as el0_access does; no data moves on an
 * L1 hit (a trace has no values), the full path moves zero bytes for stores. Stops before the
 * first event record. *@done is the records completed. Returns 0 (all done, or stopped at an
 * event: *@done < @n), what @miss returned when negative, or as el0_access for the access
 * that did not complete (r[*done]).
 */
int el0_replay(struct kmm_kernel *k, struct task_struct *t, const struct el0_rec *r, size_t n,
	       el0_miss_fn miss, void *arg, size_t *done);

#endif /* KMM_ARCH_ARM64_ASM_EXCEPTION_H */
