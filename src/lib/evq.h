/*
 * The machine's event queue: work scheduled for a simulated time on a simulated CPU, run
 * in time order at defined points of the foreground's execution. Kernel threads (kswapd,
 * kcompactd, khugepaged, the OOM reaper, writeback) and deferred work are events: a wakeup
 * schedules one, its callback does one slice of the thread's work and schedules the next.
 * Nothing here uses host time or host threads; a run is a function of the config, the seed
 * and the sequence of calls.
 *
 * Order: by due time (machine cycles), ties by the order of scheduling (seq). An event lives
 * in its owner's structure (like the kernel's struct timer_list), so scheduling allocates
 * nothing but the queue's array of pointers, and cancelling is O(log n).
 *
 * Run points (env_run_due):
 *  - at the API boundary, when the outermost public call returns (env_unwind_call);
 *  - at the kernel's own scheduling points, env_cond_resched() (cond_resched(), the page
 *    allocator's slow path), where no lock is held and any kernel thread could run;
 *  - while a task sleeps (env_sleep(): schedule_timeout(), io_schedule_timeout()): time jumps
 *    from one due event to the next, each running at its own time.
 * An event runs as its CPU (env_set_cpu): its work is charged there and its trace lines show
 * that CPU. Events queued while events run wait for the next run point, so an event that
 * re-arms itself for "now" cannot starve the foreground.
 *
 * Invariants (evq_check):
 *  1. heap[0..nr) is a binary min-heap by (when, seq), and heap[i]->slot == i + 1.
 *  2. next_due == heap[0]->when when nr > 0, else UINT64_MAX.
 *  3. Every queued event's seq < the queue's seq (seq numbers are handed out in order).
 */
#ifndef KMM_LIB_EVQ_H
#define KMM_LIB_EVQ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct kmm_env;
struct env_event;

typedef void (*env_event_fn)(struct kmm_env *env, struct env_event *ev);

struct env_event {
	env_event_fn fn;
	void *arg;     /* the owner's, untouched here */
	uint64_t when; /* machine cycles at which it is due */
	uint64_t seq;  /* scheduling order: ties run in it */
	int cpu;       /* the CPU it runs on */
	uint32_t slot; /* heap index + 1 while queued, 0 when not */
};

struct env_evq {
	struct env_event **heap;
	uint32_t nr, cap;
	uint64_t seq;	   /* the next event's seq */
	uint64_t next_due; /* when of the earliest event, UINT64_MAX if none: one compare */
	uint64_t ran;	   /* events run so far */
	bool running;	   /* inside env_run_due: no nested runs */
};

/* Prepares @ev (not queued) to call @fn with @arg. */
void env_event_init(struct env_event *ev, env_event_fn fn, void *arg);

static inline bool env_event_pending(const struct env_event *ev)
{
	return ev->slot != 0;
}

/*
 * Queues @ev to run on @cpu once the machine clock reaches @when (cycles; a time already
 * past makes it due at the next run point). A pending @ev is moved, and takes a new place
 * among equal times, as mod_timer() does. Returns 0, or -ENOMEM (host memory) with nothing
 * changed.
 */
int env_event_schedule(struct kmm_env *env, struct env_event *ev, uint64_t when, int cpu);

/* Dequeues @ev; true if it was pending (del_timer()). Never fails. */
bool env_event_cancel(struct kmm_env *env, struct env_event *ev);

/*
 * Runs, in (when, seq) order, every event due by the machine clock that was queued before
 * this call. Does nothing on a dead machine or when called from inside an event.
 */
void env_run_due(struct kmm_env *env);

/*
 * The current CPU sleeps for @cycles: the machine clock moves to each due event's time in
 * turn, the event runs, then the clock moves to the wake-up time. Sleeping is idle time,
 * not busy time, for the sleeping CPU.
 */
void env_sleep(struct kmm_env *env, uint64_t cycles);

/* Frees the queue's array; the events themselves belong to their owners. */
void evq_fini(struct kmm_env *env);

bool evq_check(const struct kmm_env *env, char *why, size_t whylen);

#endif /* KMM_LIB_EVQ_H */
