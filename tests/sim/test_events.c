/*
 * The event queue (src/lib/evq.c): events run in (time, scheduling order), can be moved and
 * cancelled, run on their CPU, run at the defined points only (the API boundary, the kernel's
 * cond_resched points, sleeps), and the same calls give the same runs. With nothing queued
 * nothing changes.
 */
#include "kmm_test.h"

#include "lib/env.h"
#include "sim/machine.h"

struct ev_log {
	int order[32];
	uint64_t at[32];
	int cpu[32];
	int n;
};

struct tev {
	struct env_event ev;
	struct ev_log *log;
	int id;
};

static void tev_fn(struct kmm_env *env, struct env_event *ev)
{
	struct tev *t = ev->arg;
	struct ev_log *l = t->log;

	l->order[l->n] = t->id;
	l->at[l->n] = env->cycles;
	l->cpu[l->n] = env->cur_cpu;
	l->n++;
}

static void tev_init(struct tev *t, struct ev_log *log, int id)
{
	t->log = log;
	t->id = id;
	env_event_init(&t->ev, tev_fn, t);
}

/* A bare environment: the queue and the clock, no machine. */
static void env_setup(struct kmm_env *env)
{
	struct kmm_config cfg;
	char err[256];

	kmm_config_init(&cfg);
	if (!env_init(env, &cfg, err, sizeof(err)))
		fail_msg("env_init: %s", err);
}

static void env_done(struct kmm_env *env)
{
	char why[256];

	if (!env_check(env, why, sizeof(why)))
		fail_msg("env_check: %s", why);
	evq_fini(env);
	env_fini(env);
}

/*
 *   time:  0    10    20    30
 *   queue:      B     C     A      scheduled in the order A, B, C
 *   runs:       B, C, A once the clock passes 30
 */
static void test_events_run_in_time_order(void **state)
{
	struct kmm_env env;
	struct ev_log log = {0};
	struct tev a, b, c;

	(void)state;
	env_setup(&env);
	tev_init(&a, &log, 'A');
	tev_init(&b, &log, 'B');
	tev_init(&c, &log, 'C');
	assert_int_equal(env_event_schedule(&env, &a.ev, 30, 0), 0);
	assert_int_equal(env_event_schedule(&env, &b.ev, 10, 0), 0);
	assert_int_equal(env_event_schedule(&env, &c.ev, 20, 0), 0);
	assert_int_equal(env.evq.next_due, 10);
	env_run_due(&env); /* clock 0: nothing due */
	assert_int_equal(log.n, 0);
	env_advance(&env, 25);
	env_run_due(&env);
	assert_int_equal(log.n, 2);
	assert_int_equal(log.order[0], 'B');
	assert_int_equal(log.order[1], 'C');
	env_advance(&env, 5);
	env_run_due(&env);
	assert_int_equal(log.n, 3);
	assert_int_equal(log.order[2], 'A');
	assert_false(env_event_pending(&a.ev));
	assert_int_equal(env.evq.next_due, UINT64_MAX);
	env_done(&env);
}

/* Five events at one time run in the order they were scheduled; a moved one goes last. */
static void test_events_ties_run_in_scheduling_order(void **state)
{
	struct kmm_env env;
	struct ev_log log = {0};
	struct tev t[5];

	(void)state;
	env_setup(&env);
	for (int i = 0; i < 5; i++) {
		tev_init(&t[i], &log, i);
		assert_int_equal(env_event_schedule(&env, &t[i].ev, 100, 0), 0);
	}
	assert_int_equal(env_event_schedule(&env, &t[1].ev, 100, 0), 0); /* mod_timer() */
	env_advance(&env, 100);
	env_run_due(&env);
	assert_int_equal(log.n, 5);
	assert_int_equal(log.order[0], 0);
	assert_int_equal(log.order[1], 2);
	assert_int_equal(log.order[2], 3);
	assert_int_equal(log.order[3], 4);
	assert_int_equal(log.order[4], 1);
	env_done(&env);
}

static void test_events_cancel(void **state)
{
	struct kmm_env env;
	struct ev_log log = {0};
	struct tev t[20];
	char why[256];

	(void)state;
	env_setup(&env);
	for (int i = 0; i < 20; i++) {
		tev_init(&t[i], &log, i);
		assert_int_equal(env_event_schedule(&env, &t[i].ev, (uint64_t)(i * 7 % 20), 0), 0);
	}
	/* cancel every third, from the middle of the heap too */
	for (int i = 0; i < 20; i += 3)
		assert_true(env_event_cancel(&env, &t[i].ev));
	assert_false(env_event_cancel(&env, &t[0].ev));
	assert_true(evq_check(&env, why, sizeof(why)));
	env_advance(&env, 20);
	env_run_due(&env);
	assert_int_equal(log.n, 20 - 7);
	for (int i = 0; i < log.n; i++) {
		assert_int_not_equal(log.order[i] % 3, 0);
		if (i)
			assert_true(log.order[i - 1] * 7 % 20 <= log.order[i] * 7 % 20);
	}
	env_done(&env);
}

/* An event re-arming itself for "now" waits for the next run point. */
static void rearm_fn(struct kmm_env *env, struct env_event *ev)
{
	int *runs = ev->arg;

	(*runs)++;
	assert_int_equal(env_event_schedule(env, ev, env->cycles, 0), 0);
}

static void test_events_queued_while_running_wait(void **state)
{
	struct kmm_env env;
	struct env_event ev;
	int runs = 0;

	(void)state;
	env_setup(&env);
	env_event_init(&ev, rearm_fn, &runs);
	assert_int_equal(env_event_schedule(&env, &ev, 0, 0), 0);
	env_run_due(&env);
	assert_int_equal(runs, 1);
	env_run_due(&env);
	assert_int_equal(runs, 2);
	assert_true(env_event_cancel(&env, &ev));
	env_done(&env);
}

/* A sleep runs each event at its own time, then wakes at the end; sleeping is not busy. */
static void test_events_run_at_their_time_during_a_sleep(void **state)
{
	struct kmm_env env;
	struct ev_log log = {0};
	struct tev a, b;

	(void)state;
	env_setup(&env);
	tev_init(&a, &log, 'A');
	tev_init(&b, &log, 'B');
	assert_int_equal(env_event_schedule(&env, &a.ev, 300, 1), 0);
	assert_int_equal(env_event_schedule(&env, &b.ev, 700, 2), 0);
	env_advance(&env, 100);
	env_sleep(&env, 1000);
	assert_int_equal(env.cycles, 1100);
	assert_int_equal(log.n, 2);
	assert_int_equal(log.at[0], 300);
	assert_int_equal(log.cpu[0], 1);
	assert_int_equal(log.at[1], 700);
	assert_int_equal(log.cpu[1], 2);
	assert_int_equal(env.cur_cpu, 0);
	assert_int_equal(env_cpu_busy(&env, 0), 100);
	env_done(&env);
}

/* The same schedule on two environments gives the same runs. */
static void test_events_are_deterministic(void **state)
{
	struct ev_log logs[2];

	(void)state;
	memset(logs, 0, sizeof(logs));
	for (int e = 0; e < 2; e++) {
		struct kmm_env env;
		struct tev t[24];

		env_setup(&env);
		for (int i = 0; i < 24; i++) {
			tev_init(&t[i], &logs[e], i);
			assert_int_equal(
				env_event_schedule(&env, &t[i].ev, env_random(&env) % 16, i % 3),
				0);
		}
		for (int step = 0; step < 4; step++) {
			env_advance(&env, 4);
			env_run_due(&env);
		}
		env_done(&env);
	}
	assert_int_equal(logs[0].n, 24);
	assert_memory_equal(&logs[0], &logs[1], sizeof(logs[0]));
}

/* Nothing queued: a run point changes nothing (not the clock, not the current CPU). */
static void test_events_empty_queue_changes_nothing(void **state)
{
	struct kmm_env env;

	(void)state;
	env_setup(&env);
	env_set_cpu(&env, 1);
	env_advance(&env, 42);
	env_run_due(&env);
	env_cond_resched(&env);
	assert_int_equal(env.cycles, 42);
	assert_int_equal(env.cur_cpu, 1);
	assert_int_equal(env.evq.ran, 0);
	env_done(&env);
}

/*
 * On a machine, the API boundary is a run point: an event due in the middle of a public
 * call runs when the call returns, on its own CPU; one not yet due does not run.
 */
static void test_events_run_at_the_api_boundary(void **state)
{
	struct kmm_config cfg;
	struct kmm_machine *m;
	struct ev_log log = {0};
	struct tev due, later;
	kmm_pfn_t pfn;

	(void)state;
	kmm_config_init(&cfg);
	m = test_machine(&cfg);
	tev_init(&due, &log, 'D');
	tev_init(&later, &log, 'L');
	assert_int_equal(env_event_schedule(&m->env, &due.ev, m->env.cycles + 1, 3), 0);
	assert_int_equal(env_event_schedule(&m->env, &later.ev, m->env.cycles + 1000000000, 2), 0);
	assert_int_equal(kmm_alloc_pages(m, KMM_GFP_KERNEL, 0, &pfn), KMM_OK);
	assert_int_equal(log.n, 1);
	assert_int_equal(log.order[0], 'D');
	assert_int_equal(log.cpu[0], 3);
	assert_int_equal(m->env.cur_cpu, 0);
	assert_int_equal(kmm_free_pages(m, pfn, 0), KMM_OK);
	assert_int_equal(log.n, 1);
	assert_true(env_event_cancel(&m->env, &later.ev));
	test_machine_done(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_events_run_in_time_order),
		cmocka_unit_test(test_events_ties_run_in_scheduling_order),
		cmocka_unit_test(test_events_cancel),
		cmocka_unit_test(test_events_queued_while_running_wait),
		cmocka_unit_test(test_events_run_at_their_time_during_a_sleep),
		cmocka_unit_test(test_events_are_deterministic),
		cmocka_unit_test(test_events_empty_queue_changes_nothing),
		cmocka_unit_test(test_events_run_at_the_api_boundary),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
