/*
 * Workingset detection (src/mm/workingset.c) on kmmfs page-cache pages: reclaim's eviction
 * of a clean file page is played by hand the way __remove_mapping does it (isolate from the
 * LRU, workingset_eviction, __filemap_remove_folio with the shadow, drop the reference), and
 * the refault is a read of the page.
 *
 * Expected values are 6.1's rule worked by hand:
 *   shadow = nonresident_age at eviction (which then ticks by one);
 *   refault_distance = nonresident_age at refault - shadow;
 *   without swap the workingset is NR_ACTIVE_FILE; distance <= it: the page comes back
 *   active (workingset_activate_file, the clock ticks again), and if PG_workingset was set
 *   at eviction it is restored (workingset_restore_file). Every refault counts
 *   workingset_refault_file.
 * A leaf of the page cache whose 64 slots hold only shadows is a shadow node
 * (workingset_nodes); the mm-shadow shrinker frees nodes beyond node_present_pages / 8.
 * kmm_check runs after each step; file data is checksummed across evictions.
 */
#include "file_test.h"

#include "mm/shrinker.h"
#include "mm/workingset.h"

#define NPAGES 64

static struct lruvec *lruvec0(struct kmm_machine *m)
{
	return &K(m)->node_data[0]->__lruvec;
}

/* Reclaim's eviction of the clean, unmapped cache page at @index of @f. */
static void evict(struct kmm_machine *m, struct file *f, pgoff_t index)
{
	struct kmm_kernel *k = K(m);
	struct folio *folio = xa_load(&f->f_mapping->i_pages, index);
	void *shadow;

	assert_non_null(folio);
	assert_false(xa_is_value(folio));
	lru_add_drain(k);
	folio_get(folio);
	assert_int_equal(folio_isolate_lru(k, folio), 0);
	folio_put(k, folio); /* isolation took its own reference */
	folio_lock(folio);
	shadow = workingset_eviction(k, folio);
	__filemap_remove_folio(k, folio, shadow);
	folio_unlock(folio);
	folio_put(k, folio); /* the isolation reference: the page is freed */
	assert_true(xa_is_value(xa_load(&f->f_mapping->i_pages, index)));
}

static void read_page(struct kmm_machine *m, struct file *f, pgoff_t index, uint8_t *buf)
{
	assert_int_equal(vfs_pread(K(m), f, buf, PAGE_SIZE, (loff_t)index * PAGE_SIZE), PAGE_SIZE);
}

static struct folio *cached(struct file *f, pgoff_t index)
{
	void *e = xa_load(&f->f_mapping->i_pages, index);

	return e && !xa_is_value(e) ? e : NULL;
}

/* A 64-page kmmfs file with a pattern, all of it read into the cache. */
static struct file *setup_file(struct kmm_machine *m, uint8_t *data)
{
	struct file *f;
	uint8_t *back;

	fill_pattern(data, NPAGES * PAGE_SIZE, 7);
	assert_int_equal(vfs_create_file(K(m), "/mnt/disk/ws", data, NPAGES * PAGE_SIZE), 0);
	f = open_or_fail(m, "/mnt/disk/ws", O_RDONLY);
	back = read_all(m, f, NPAGES * PAGE_SIZE);
	free(back);
	lru_add_drain(K(m));
	/*
	 * Read-ahead off from here on (ra_pages 0, as `blockdev --setra 0` leaves it): a read
	 * brings in just the page asked for, so each refault below is one page's.
	 */
	f->f_ra.ra_pages = 0;
	return f;
}

static void test_workingset_refault_within_active_size_activates(void **state)
{
	struct kmm_machine *m = buddy_machine("256M", "1", NULL);
	static uint8_t data[NPAGES * PAGE_SIZE];
	uint8_t buf[PAGE_SIZE];
	struct file *f;
	unsigned long age0;
	long active0, refault0, activate0, restore0;

	(void)state;
	f = setup_file(m, data);
	/* Pages 32..63 become active: two accesses each (inactive -> referenced -> active). */
	for (pgoff_t i = 32; i < NPAGES; i++) {
		folio_mark_accessed(K(m), cached(f, i));
		folio_mark_accessed(K(m), cached(f, i));
	}
	lru_add_drain(K(m));
	active0 = node_stat(m, NR_ACTIVE_FILE);
	assert_true(active0 >= 32);
	refault0 = node_stat(m, WORKINGSET_REFAULT_FILE);
	activate0 = node_stat(m, WORKINGSET_ACTIVATE_FILE);
	restore0 = node_stat(m, WORKINGSET_RESTORE_FILE);

	/* Evict pages 0..9: the clock ticks 10 times. */
	age0 = lruvec0(m)->nonresident_age;
	for (pgoff_t i = 0; i < 10; i++)
		evict(m, f, i);
	assert_int_equal(lruvec0(m)->nonresident_age, age0 + 10);
	assert_check(m);
	/* Page 0's shadow holds age0; refault distance 10 <= active0: activated. */
	{
		int nid;
		unsigned long ev;
		bool ws;

		assert_true(workingset_unpack(K(m), xa_load(&f->f_mapping->i_pages, 0), &nid, &ev,
					      &ws));
		assert_int_equal(nid, 0);
		assert_int_equal(ev, age0);
		assert_false(ws);
	}
	read_page(m, f, 0, buf);
	assert_memory_equal(buf, data, PAGE_SIZE);
	assert_true(folio_test_active(cached(f, 0)));
	assert_false(folio_test_workingset(cached(f, 0)));
	assert_int_equal(node_stat(m, WORKINGSET_REFAULT_FILE), refault0 + 1);
	assert_int_equal(node_stat(m, WORKINGSET_ACTIVATE_FILE), activate0 + 1);
	assert_int_equal(node_stat(m, WORKINGSET_RESTORE_FILE), restore0);
	assert_int_equal(lruvec0(m)->nonresident_age, age0 + 11); /* the activation ticks */
	lru_add_drain(K(m));
	assert_int_equal(node_stat(m, NR_ACTIVE_FILE), active0 + 1);
	assert_check(m);

	/*
	 * Page 1 evicted at age0 + 1; the clock moves on by active0 + 1 (reclaim elsewhere):
	 * distance = (age0 + 11 + active0 + 1) - (age0 + 1) = active0 + 11 > active0 + 1.
	 */
	workingset_age_nonresident(lruvec0(m), (unsigned long)active0 + 1);
	read_page(m, f, 1, buf);
	assert_memory_equal(buf, data + PAGE_SIZE, PAGE_SIZE);
	assert_false(folio_test_active(cached(f, 1)));
	assert_int_equal(node_stat(m, WORKINGSET_REFAULT_FILE), refault0 + 2);
	assert_int_equal(node_stat(m, WORKINGSET_ACTIVATE_FILE), activate0 + 1);
	assert_check(m);
	test_machine_done(m);
}

/* A page that was in the workingset when evicted is restored: PG_workingset comes back. */
static void test_workingset_restore(void **state)
{
	struct kmm_machine *m = buddy_machine("256M", "1", NULL);
	static uint8_t data[NPAGES * PAGE_SIZE];
	uint8_t buf[PAGE_SIZE];
	struct file *f;
	long restore0;

	(void)state;
	f = setup_file(m, data);
	for (pgoff_t i = 32; i < NPAGES; i++) {
		folio_mark_accessed(K(m), cached(f, i));
		folio_mark_accessed(K(m), cached(f, i));
	}
	lru_add_drain(K(m));
	restore0 = node_stat(m, WORKINGSET_RESTORE_FILE);
	/* shrink_active_list sets PG_workingset on what it deactivates. */
	folio_set_workingset(cached(f, 5));
	evict(m, f, 5);
	read_page(m, f, 5, buf);
	assert_memory_equal(buf, data + 5 * PAGE_SIZE, PAGE_SIZE);
	assert_true(folio_test_active(cached(f, 5)));
	assert_true(folio_test_workingset(cached(f, 5)));
	assert_int_equal(node_stat(m, WORKINGSET_RESTORE_FILE), restore0 + 1);
	assert_check(m);
	test_machine_done(m);
}

/* A leaf holding only shadows is counted; a page coming back or truncation uncounts it. */
static void test_workingset_nodes_count_shadow_only_leaves(void **state)
{
	struct kmm_machine *m = buddy_machine("256M", "1", NULL);
	static uint8_t data[NPAGES * PAGE_SIZE];
	uint8_t buf[PAGE_SIZE];
	struct file *f;
	long nodes0;

	(void)state;
	f = setup_file(m, data);
	nodes0 = node_stat(m, WORKINGSET_NODES);
	for (pgoff_t i = 0; i < NPAGES - 1; i++)
		evict(m, f, i);
	assert_int_equal(node_stat(m, WORKINGSET_NODES), nodes0); /* page 63 still there */
	evict(m, f, NPAGES - 1);
	assert_int_equal(node_stat(m, WORKINGSET_NODES), nodes0 + 1);
	assert_int_equal(f->f_mapping->nrpages, 0);
	assert_check(m);
	read_page(m, f, 17, buf);
	assert_memory_equal(buf, data + 17 * PAGE_SIZE, PAGE_SIZE);
	assert_int_equal(node_stat(m, WORKINGSET_NODES), nodes0);
	evict(m, f, 17);
	assert_int_equal(node_stat(m, WORKINGSET_NODES), nodes0 + 1);
	/* Truncation drops the shadows with the range. */
	{
		struct file *w = open_or_fail(m, "/mnt/disk/ws", O_RDWR);

		assert_int_equal(vfs_ftruncate(K(m), w, 0), 0);
	}
	assert_int_equal(f->f_mapping->i_pages.nr_entries, 0);
	assert_int_equal(node_stat(m, WORKINGSET_NODES), nodes0);
	assert_check(m);
	test_machine_done(m);
}

/*
 * The mm-shadow shrinker: with more shadow nodes than node_present_pages / 8, count reports
 * the excess; seeks = 0 asks for half of it plus the deferred work.
 */
static void test_workingset_shadow_shrinker(void **state)
{
	struct kmm_machine *m = buddy_machine("128M", "1", NULL);
	struct kmm_kernel *k = K(m);
	uint8_t buf[PAGE_SIZE];
	unsigned long max_nodes, leaves, nodes0, reclaim0, freed;
	struct file *f;

	(void)state;
	max_nodes = k->node_data[0]->node_present_pages >> 3;
	leaves = max_nodes + 10;
	/* A sparse file: a page read per 64-page leaf, evicted to leave shadows only. */
	assert_int_equal(
		vfs_create_file(k, "/mnt/disk/sparse", NULL, (uint64_t)leaves * 64 * PAGE_SIZE), 0);
	f = open_or_fail(m, "/mnt/disk/sparse", O_RDONLY);
	nodes0 = (unsigned long)node_stat(m, WORKINGSET_NODES);
	for (unsigned long i = 0; i < leaves; i++) {
		read_page(m, f, i * 64, buf);
		/* The page read, and whatever read-ahead brought into the same leaf. */
		for (pgoff_t j = i * 64; j < (i + 1) * 64; j++)
			if (cached(f, j))
				evict(m, f, j);
	}
	assert_int_equal(node_stat(m, WORKINGSET_NODES), nodes0 + leaves);
	assert_check(m);
	reclaim0 = (unsigned long)node_stat(m, WORKINGSET_NODERECLAIM);
	/*
	 * freeable = nodes0 + leaves - max_nodes = nodes0 + 10 (nodes0 is 0 here: assert it).
	 * Priority 12: delta = 10 / 2 = 5 < 10, < 128: nothing scanned, 5 deferred.
	 */
	assert_int_equal(nodes0, 0);
	freed = shrink_slab(k, GFP_KERNEL, 0, 12);
	assert_int_equal(node_stat(m, WORKINGSET_NODERECLAIM), reclaim0);
	/*
	 * Priority 0: total = (5 >> 0) + 5 = 10 >= freeable 10: one batch of 10; the walk
	 * frees the 10 oldest shadow nodes (leaves 0..9).
	 */
	freed = shrink_slab(k, GFP_KERNEL, 0, 0);
	assert_true(freed >= 10);
	assert_int_equal(node_stat(m, WORKINGSET_NODERECLAIM), reclaim0 + 10);
	assert_int_equal(node_stat(m, WORKINGSET_NODES), leaves - 10);
	assert_null(xa_load(&f->f_mapping->i_pages, 0));
	assert_null(xa_load(&f->f_mapping->i_pages, 9 * 64));
	assert_true(xa_is_value(xa_load(&f->f_mapping->i_pages, 10 * 64)));
	assert_check(m);
	test_machine_done(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_workingset_refault_within_active_size_activates),
		cmocka_unit_test(test_workingset_restore),
		cmocka_unit_test(test_workingset_nodes_count_shadow_only_leaves),
		cmocka_unit_test(test_workingset_shadow_shrinker),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
