/*
 * vm.drop_caches (src/fs/drop_caches.c): 1 drops the clean, unmapped page cache, 2 runs the
 * shrinkers until they stop freeing, 3 both, 4 silences the message; anything else is
 * -EINVAL and the file cannot be read. The kernel's rules, applied by hand to what the test
 * set up: a 64-page kmmfs file read into the cache with one page dirtied keeps exactly that
 * page; tmpfs pages (swap-backed) stay; the file's bytes read back unchanged afterwards
 * (checksums); drop_pagecache / drop_slab count the writes. kmm_check after each step.
 */
#include "file_test.h"

#include "mm/shrinker.h"
#include "mm/views.h"

#define NPAGES 64

struct test_cache {
	struct shrinker shrinker;
	unsigned long objects;
};

static unsigned long tc_count(struct shrinker *s, struct shrink_control *sc)
{
	(void)sc;
	return container_of(s, struct test_cache, shrinker)->objects;
}

static unsigned long tc_scan(struct shrinker *s, struct shrink_control *sc)
{
	struct test_cache *tc = container_of(s, struct test_cache, shrinker);
	unsigned long n = sc->nr_to_scan < tc->objects ? sc->nr_to_scan : tc->objects;

	tc->objects -= n;
	return n;
}

static int write_sysctl(struct kmm_machine *m, const char *value)
{
	return sysctl_write(K(m), "vm.drop_caches", value);
}

static unsigned count_lines(const char *log, const char *needle)
{
	unsigned n = 0;

	for (const char *p = log; (p = strstr(p, needle)); p++)
		n++;
	return n;
}

static void test_drop_caches_pagecache_keeps_dirty_and_data(void **state)
{
	struct kmm_machine *m = buddy_machine("256M", "1", NULL);
	static uint8_t data[NPAGES * PAGE_SIZE];
	uint8_t *back;
	struct file *f, *t;
	long files0, shmem0;
	unsigned long ev0 = K(m)->vm_events[DROP_PAGECACHE];

	(void)state;
	fill_pattern(data, sizeof(data), 3);
	assert_int_equal(vfs_create_file(K(m), "/mnt/disk/d", data, sizeof(data)), 0);
	assert_int_equal(vfs_create_file(K(m), "/bin/t", data, 8 * PAGE_SIZE), 0);
	f = open_or_fail(m, "/mnt/disk/d", O_RDWR);
	t = open_or_fail(m, "/bin/t", O_RDONLY);
	free(read_all(m, f, sizeof(data)));
	assert_int_equal(vfs_pwrite(K(m), f, "Z", 1, 3 * PAGE_SIZE + 9), 1);
	data[3 * PAGE_SIZE + 9] = 'Z';
	assert_int_equal(f->f_mapping->nrpages, NPAGES);
	assert_int_equal(t->f_mapping->nrpages, 8);
	files0 = node_stat(m, NR_FILE_PAGES);
	shmem0 = node_stat(m, NR_SHMEM);
	assert_check(m);

	assert_int_equal(write_sysctl(m, "1"), 0);
	/* 63 clean pages go; the dirty one and tmpfs's swap-backed ones stay. */
	assert_int_equal(f->f_mapping->nrpages, 1);
	assert_int_equal(t->f_mapping->nrpages, 8);
	assert_int_equal(node_stat(m, NR_FILE_PAGES), files0 - 63);
	assert_int_equal(node_stat(m, NR_SHMEM), shmem0);
	assert_int_equal(K(m)->vm_events[DROP_PAGECACHE], ev0 + 1);
	assert_non_null(strstr(kernel_log(m), "(0): drop_caches: 1\n"));
	assert_check(m);
	/* Invalidation leaves no shadows. */
	assert_int_equal(f->f_mapping->i_pages.nr_values, 0);
	back = read_all(m, f, sizeof(data));
	assert_int_equal(fnv(back, sizeof(data)), fnv(data, sizeof(data)));
	free(back);
	assert_check(m);
	test_machine_done(m);
}

static void test_drop_caches_slab_and_bad_values(void **state)
{
	struct kmm_machine *m = buddy_machine("256M", "1", NULL);
	struct test_cache tc = {.objects = 5000};
	unsigned long pc0 = K(m)->vm_events[DROP_PAGECACHE];
	unsigned long sl0 = K(m)->vm_events[DROP_SLAB];
	char buf[64];
	struct sink_buf sb = {buf, sizeof(buf), 0, 0};
	const struct sink out = {sink_buf_fn, &sb};

	(void)state;
	tc.shrinker.count_objects = tc_count;
	tc.shrinker.scan_objects = tc_scan;
	tc.shrinker.seeks = DEFAULT_SEEKS;
	assert_int_equal(register_shrinker(K(m), &tc.shrinker, "test"), 0);
	/* proc_dointvec_minmax with 1..4 */
	assert_int_equal(write_sysctl(m, "0"), -EINVAL);
	assert_int_equal(write_sysctl(m, "5"), -EINVAL);
	assert_int_equal(write_sysctl(m, "-1"), -EINVAL);
	assert_int_equal(write_sysctl(m, "x"), -EINVAL);
	assert_int_equal(sysctl_read(K(m), "vm.drop_caches", &out), -EACCES);
	assert_int_equal(tc.objects, 5000);
	assert_int_equal(K(m)->vm_events[DROP_SLAB], sl0);
	/* 2: priority-0 passes until one frees at most 1 << shift: the cache empties. */
	assert_int_equal(write_sysctl(m, "2"), 0);
	assert_int_equal(tc.objects, 0);
	assert_int_equal(K(m)->vm_events[DROP_SLAB], sl0 + 1);
	assert_int_equal(K(m)->vm_events[DROP_PAGECACHE], pc0);
	/* 4 prints its own message, then silences the later ones. */
	assert_int_equal(write_sysctl(m, "4"), 0);
	assert_int_equal(write_sysctl(m, "3"), 0);
	assert_int_equal(K(m)->vm_events[DROP_SLAB], sl0 + 2);
	assert_int_equal(K(m)->vm_events[DROP_PAGECACHE], pc0 + 1);
	assert_int_equal(count_lines(kernel_log(m), "drop_caches: 2\n"), 1);
	assert_int_equal(count_lines(kernel_log(m), "drop_caches: 4\n"), 1);
	assert_int_equal(count_lines(kernel_log(m), "drop_caches: 3\n"), 0);
	unregister_shrinker(K(m), &tc.shrinker);
	assert_check(m);
	test_machine_done(m);
}

/* Names of @sb with a dentry object (each one object of the "dentry" slab cache). */
static unsigned long cached_dentries(struct super_block *sb)
{
	unsigned long n = 0;

	for (struct list_head *p = sb->s_inodes.next; p != &sb->s_inodes; p = p->next)
		n += container_of(p, struct inode, i_sb_list)->i_dentry != 0;
	return n;
}

/*
 * kmmfs's dentries and inodes: ten files, unused once created (their dentries on the LRU),
 * one read and closed (its dentry and inode marked referenced, two clean cache pages).
 * drop_caches 2 runs sb-kmmfs by hand-worked steps (batch 1024, seeks 2, priority 0):
 *   pass 1: count 10 (10 dentries, 0 inodes); delta 20, total 20 >= 10: scan 20. The split:
 *           dentries mult_frac(20, 10, 11) = 18 -> prune 19: 9 freed, the read one rotated,
 *           then freed (10); inodes 0 -> prune 1: the first inode freed. Freed 11.
 *   pass 2: count 9 inodes; delta 18, scan 18: inodes mult_frac(18, 9, 10) = 16 -> prune 17:
 *           8 freed, the read one rotated, then its 2 pages stolen (pginodesteal 2) and freed.
 *   pass 3: nothing left (9 >> 1 > 1 asked for it).
 * slabs_scanned grows by 20 + 18. Reading the file again brings both back, same bytes.
 */
static void test_drop_caches_frees_unused_dentries_and_inodes(void **state)
{
	struct kmm_machine *m = buddy_machine("256M", "1", NULL);
	struct kmm_kernel *k = K(m);
	struct super_block *sb = fs_sb_of_path(k, "/mnt/disk/f0");
	static uint8_t data[2 * PAGE_SIZE];
	uint8_t *back;
	unsigned long steal0 = k->vm_events[PGINODESTEAL], scanned0;
	char path[32];
	struct file *f;
	struct address_space *mapping;

	(void)state;
	fill_pattern(data, sizeof(data), 11);
	for (int i = 0; i < 10; i++) {
		snprintf(path, sizeof(path), "/mnt/disk/f%d", i);
		assert_int_equal(vfs_create_file(k, path, data, sizeof(data)), 0);
	}
	assert_int_equal(sb->s_nr_dentry_unused, 10);
	assert_int_equal(sb->s_nr_inodes_unused, 0);
	assert_int_equal(cached_dentries(sb), 10);
	f = open_or_fail(m, "/mnt/disk/f3", O_RDONLY);
	free(read_all(m, f, sizeof(data)));
	mapping = f->f_mapping;
	fput(k, f);
	lru_add_drain(k);
	assert_int_equal(mapping->nrpages, 2);
	assert_check(m);

	scanned0 = k->vm_events[SLABS_SCANNED];
	assert_int_equal(sysctl_write(k, "vm.drop_caches", "2"), 0);
	assert_int_equal(sb->s_nr_dentry_unused, 0);
	assert_int_equal(sb->s_nr_inodes_unused, 0);
	assert_int_equal(k->vm_events[PGINODESTEAL], steal0 + 2);
	assert_int_equal(k->vm_events[SLABS_SCANNED], scanned0 + 20 + 18);
	assert_int_equal(cached_dentries(sb), 0);
	for (struct list_head *p = sb->s_inodes.next; p != &sb->s_inodes; p = p->next)
		assert_int_equal(container_of(p, struct inode, i_sb_list)->i_slab, 0);
	assert_int_equal(mapping->nrpages, 0);
	assert_check(m);

	f = open_or_fail(m, "/mnt/disk/f3", O_RDONLY);
	back = read_all(m, f, sizeof(data));
	assert_int_equal(fnv(back, sizeof(data)), fnv(data, sizeof(data)));
	free(back);
	assert_true(file_inode(f)->i_slab != 0);
	assert_true(file_inode(f)->i_dentry != 0);
	assert_int_equal(cached_dentries(sb), 1);
	assert_check(m);
	test_machine_done(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_drop_caches_pagecache_keeps_dirty_and_data),
		cmocka_unit_test(test_drop_caches_slab_and_bad_values),
		cmocka_unit_test(test_drop_caches_frees_unused_dentries_and_inodes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
