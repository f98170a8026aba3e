/*
 * The machine's event queue (see evq.h for the model, the run points and the invariants): a
 * binary min-heap of pointers to events that live in their owners, keyed by (when, seq).
 * seq makes the order total without looking at host pointers, so two machines given the
 * same calls run the same events in the same order.
 */
#include "lib/evq.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>

#include "lib/env.h"

static bool ev_before(const struct env_event *a, const struct env_event *b)
{
	return a->when < b->when || (a->when == b->when && a->seq < b->seq);
}

static void evq_place(struct env_evq *q, uint32_t i, struct env_event *ev)
{
	q->heap[i] = ev;
	ev->slot = i + 1;
}

static void evq_sift_up(struct env_evq *q, uint32_t i)
{
	struct env_event *ev = q->heap[i];

	while (i) {
		uint32_t parent = (i - 1) / 2;

		if (!ev_before(ev, q->heap[parent]))
			break;
		evq_place(q, i, q->heap[parent]);
		i = parent;
	}
	evq_place(q, i, ev);
}

static void evq_sift_down(struct env_evq *q, uint32_t i)
{
	struct env_event *ev = q->heap[i];

	for (;;) {
		uint32_t child = 2 * i + 1;

		if (child >= q->nr)
			break;
		if (child + 1 < q->nr && ev_before(q->heap[child + 1], q->heap[child]))
			child++;
		if (!ev_before(q->heap[child], ev))
			break;
		evq_place(q, i, q->heap[child]);
		i = child;
	}
	evq_place(q, i, ev);
}

static void evq_update_due(struct env_evq *q)
{
	q->next_due = q->nr ? q->heap[0]->when : UINT64_MAX;
}

/* Takes the event at heap index @i out of the queue. */
static void evq_remove_at(struct env_evq *q, uint32_t i)
{
	struct env_event *ev = q->heap[i];

	ev->slot = 0;
	q->nr--;
	if (i < q->nr) {
		evq_place(q, i, q->heap[q->nr]);
		evq_sift_down(q, i);
		evq_sift_up(q, i);
	}
	evq_update_due(q);
}

void env_event_init(struct env_event *ev, env_event_fn fn, void *arg)
{
	*ev = (struct env_event){.fn = fn, .arg = arg};
}

int env_event_schedule(struct kmm_env *env, struct env_event *ev, uint64_t when, int cpu)
{
	struct env_evq *q = &env->evq;

	if (!ev->slot && q->nr == q->cap) {
		uint32_t cap = q->cap ? q->cap * 2 : 16;
		struct env_event **heap = env_realloc(env, q->heap, cap * sizeof(*heap));

		if (!heap)
			return -ENOMEM;
		q->heap = heap;
		q->cap = cap;
	}
	if (ev->slot)
		evq_remove_at(q, ev->slot - 1);
	ev->when = when;
	ev->cpu = cpu;
	ev->seq = q->seq++;
	evq_place(q, q->nr++, ev);
	evq_sift_up(q, q->nr - 1);
	evq_update_due(q);
	return 0;
}

bool env_event_cancel(struct kmm_env *env, struct env_event *ev)
{
	if (!ev->slot)
		return false;
	evq_remove_at(&env->evq, ev->slot - 1);
	return true;
}

void env_run_due(struct kmm_env *env)
{
	struct env_evq *q = &env->evq;
	uint64_t limit = q->seq;
	int fg = env->cur_cpu;

	if (q->running || env->dead)
		return;
	q->running = true;
	while (q->nr && q->heap[0]->when <= env->cycles && q->heap[0]->seq < limit && !env->dead) {
		struct env_event *ev = q->heap[0];

		evq_remove_at(q, 0);
		q->ran++;
		env_set_cpu(env, ev->cpu);
		ev->fn(env, ev);
	}
	env_set_cpu(env, fg);
	q->running = false;
}

void env_sleep(struct kmm_env *env, uint64_t cycles)
{
	uint64_t wake = env->cycles + cycles;

	while (!env->evq.running && !env->dead && env->evq.next_due <= wake) {
		env_idle_until(env, env->evq.next_due);
		env_run_due(env);
	}
	env_idle_until(env, wake);
}

void evq_fini(struct kmm_env *env)
{
	env_free(env, env->evq.heap);
	env->evq = (struct env_evq){.next_due = UINT64_MAX};
}

bool evq_check(const struct kmm_env *env, char *why, size_t whylen)
{
	const struct env_evq *q = &env->evq;

	for (uint32_t i = 0; i < q->nr; i++) {
		const struct env_event *ev = q->heap[i];

		if (ev->slot != i + 1) {
			snprintf(why, whylen, "evq: event at heap slot %u says slot %u", i,
				 ev->slot - 1);
			return false;
		}
		if (i && ev_before(ev, q->heap[(i - 1) / 2])) {
			snprintf(why, whylen, "evq: event at slot %u runs before its parent", i);
			return false;
		}
		if (ev->seq >= q->seq) {
			snprintf(why, whylen,
				 "evq: event seq %" PRIu64 " not below the next seq %" PRIu64,
				 ev->seq, q->seq);
			return false;
		}
	}
	if (q->next_due != (q->nr ? q->heap[0]->when : UINT64_MAX)) {
		snprintf(why, whylen, "evq: next_due %" PRIu64 " is not the earliest event's time",
			 q->next_due);
		return false;
	}
	return true;
}
