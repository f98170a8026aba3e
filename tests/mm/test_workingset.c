/*
 * Workingset detection (src/mm/workingset.c) on kmmfs page-cache pages: reclaim's eviction
 * of a clean file page is played by hand the way __remove_mapping does it (isolate from the
 * LRU, workingset_eviction, __filemap_remove_folio with the shadow, drop the reference), and
 * the refault is a read of the page.
 *
 * Expected values are 6.1's rules worked by hand (the refault tests follow with
 * workingset_refault).
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
	return f;
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
	{
		unsigned long age0 = lruvec0(m)->nonresident_age, ev;
		int nid;
		bool ws;

		/* Each eviction stores the clock and ticks it once. */
		for (pgoff_t i = 0; i < NPAGES - 1; i++)
			evict(m, f, i);
		assert_int_equal(lruvec0(m)->nonresident_age, age0 + NPAGES - 1);
		assert_true(workingset_unpack(K(m), xa_load(&f->f_mapping->i_pages, 9), &nid, &ev,
					      &ws));
		assert_int_equal(nid, 0);
		assert_int_equal(ev, age0 + 9);
		assert_false(ws);
	}
	assert_int_equal(node_stat(m, WORKINGSET_NODES), nodes0); /* page 63 still there */
	evict(m, f, NPAGES - 1);
	assert_int_equal(node_stat(m, WORKINGSET_NODES), nodes0 + 1);
	assert_int_equal(f->f_mapping->nrpages, 0);
	assert_check(m);
	read_page(m, f, 17, buf);
	assert_memory_equal(buf, data + 17 * PAGE_SIZE, PAGE_SIZE);
	assert_non_null(cached(f, 17));
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
		cmocka_unit_test(test_workingset_nodes_count_shadow_only_leaves),
		cmocka_unit_test(test_workingset_shadow_shrinker),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
