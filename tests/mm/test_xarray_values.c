/*
 * The xarray's value entries and its update callback (src/lib/xarray.c), the two things the
 * page cache's shadow entries need: a leaf counts its values (nr_values), a value never
 * carries a mark, and the callback sees every change of a leaf's count or nr_values, the
 * last one with count 0 before the leaf is freed. xa_check runs after every step.
 */
#include "buddy_test.h"

#include "lib/xarray.h"

struct seen {
	unsigned long calls;
	const struct xa_node *last;
	unsigned last_count, last_values;
	unsigned long last_index;
};

static void record(struct xa_node *node, void *data)
{
	struct seen *s = data;

	s->calls++;
	s->last = node;
	s->last_count = node->count;
	s->last_values = node->nr_values;
	s->last_index = xa_node_index(node);
}

static void check(struct xarray *xa)
{
	char why[160];

	if (!xa_check(xa, why, sizeof(why)))
		fail_msg("%s", why);
}

static void test_xarray_values_are_counted_and_unmarked(void **state)
{
	struct kmm_machine *m = buddy_machine("256M", "1", NULL);
	struct xarray xa;
	struct seen s = {0};
	static long objs[4];

	(void)state;
	xa_init(&xa, &m->env);
	xa_set_update(&xa, record, &s);
	assert_true(xa_is_value(xa_mk_value(5)));
	assert_false(xa_is_value(&objs[0]));
	assert_int_equal(xa_to_value(xa_mk_value(0x7fffffffffffffffUL)), 0x7fffffffffffffffUL);

	/* Index 130 lives in the leaf covering 128..191 (a 2-level tree). */
	assert_int_equal(xa_store(&xa, 130, &objs[0]), 0);
	assert_int_equal(s.calls, 1);
	assert_int_equal(s.last_count, 1);
	assert_int_equal(s.last_values, 0);
	assert_int_equal(s.last_index, 128);
	check(&xa);
	/* A pointer replaced by a value: count stays 1, nr_values 1, and a call. */
	xa_set_mark(&xa, 130, XA_MARK_0);
	assert_true(xa_get_mark(&xa, 130, XA_MARK_0));
	assert_int_equal(xa_store(&xa, 130, xa_mk_value(77)), 0);
	assert_int_equal(s.calls, 2);
	assert_int_equal(s.last_count, 1);
	assert_int_equal(s.last_values, 1);
	assert_false(xa_get_mark(&xa, 130, XA_MARK_0)); /* the value dropped the mark */
	assert_false(xa_marked(&xa, XA_MARK_0));
	xa_set_mark(&xa, 130, XA_MARK_0); /* refused on a value */
	assert_false(xa_get_mark(&xa, 130, XA_MARK_0));
	assert_int_equal(xa.nr_values, 1);
	check(&xa);
	/* Pointer over pointer changes neither count nor values: no call. */
	assert_int_equal(xa_store(&xa, 131, &objs[1]), 0);
	assert_int_equal(s.calls, 3);
	assert_int_equal(xa_store(&xa, 131, &objs[2]), 0);
	assert_int_equal(s.calls, 3);
	/* Erase of the value: count 1, values 0. */
	assert_ptr_equal(xa_erase(&xa, 130), xa_mk_value(77));
	assert_int_equal(s.calls, 4);
	assert_int_equal(s.last_count, 1);
	assert_int_equal(s.last_values, 0);
	assert_int_equal(xa.nr_values, 0);
	check(&xa);
	/* Two values, then destroy: the leaf is reported with count 0 before it goes. */
	assert_int_equal(xa_store(&xa, 140, xa_mk_value(1)), 0);
	assert_int_equal(xa_store(&xa, 141, xa_mk_value(2)), 0);
	assert_int_equal(s.last_count, 3);
	assert_int_equal(s.last_values, 2);
	check(&xa);
	xa_destroy(&xa);
	assert_int_equal(s.calls, 7);
	assert_int_equal(s.last_count, 0);
	assert_int_equal(s.last_values, 0);
	check(&xa);
	test_machine_done(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_xarray_values_are_counted_and_unmarked),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
