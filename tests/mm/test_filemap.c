/*
 * The page cache (mm/filemap.c) on kmmfs, the store-backed filesystem (src/fs): reads fill
 * the cache once, writes dirty it, fsync writes back and cleans it, clean pages can be
 * dropped and read again from the store (a major fault through filemap_fault), truncate
 * drops pages and zeroes partial ones, an unlinked file lives while open. Every expected
 * number is the kernel's rule applied by hand to the sizes the test chose; kmm_check runs
 * after each step (its page-cache walker compares nr_file_pages, nr_shmem and nr_dirty with
 * the pages it finds). The xarray under the cache is tested against a plain array.
 */
#include "file_test.h"

#include "lib/xarray.h"

#define KMM_FILE "mm/test_filemap.c"

/* ---- lib/xarray.c ---------------------------------------------------------------------- */

/* Random stores, erases and marks against a plain array; xa_check after every operation. */
static void test_xarray_matches_an_array(void **state)
{
	struct kmm_machine *m = buddy_machine("256M", "1", NULL);
	enum { N = 5000 };
	static unsigned long keys[N];
	static char present[N], marked[N][3];
	struct xarray xa;
	char why[160];
	uint32_t x = 12345;

	(void)state;
	xa_init(&xa, &m->env);
	for (int i = 0; i < N; i++) /* keys spread over 1, 2, 3 and 9 levels */
		keys[i] = i < 3000 ? (unsigned long)i * 7 % 70000 : (unsigned long)i << 40;
	for (int step = 0; step < 60000; step++) {
		int i, op;

		x = x * 1103515245u + 12345u;
		i = (int)((x >> 8) % N);
		op = (int)(x >> 28) % 4;
		if (op == 0 || op == 1) {
			assert_int_equal(xa_store(&xa, keys[i], &keys[i]), 0);
			present[i] = 1;
		} else if (op == 2) {
			void *e = xa_erase(&xa, keys[i]);

			assert_ptr_equal(e, present[i] ? &keys[i] : NULL);
			present[i] = 0;
			memset(marked[i], 0, 3);
		} else {
			unsigned mk = (x >> 4) % 3;

			if ((x >> 2) & 1) {
				xa_set_mark(&xa, keys[i], mk);
				marked[i][mk] = present[i];
			} else {
				xa_clear_mark(&xa, keys[i], mk);
				marked[i][mk] = 0;
			}
		}
		if (step % 97 == 0 && !xa_check(&xa, why, sizeof(why)))
			fail_msg("step %d: %s", step, why);
	}
	assert_true(xa_check(&xa, why, sizeof(why)));
	for (int i = 0; i < N; i++) {
		assert_ptr_equal(xa_load(&xa, keys[i]), present[i] ? &keys[i] : NULL);
		for (unsigned mk = 0; mk < 3; mk++)
			assert_int_equal(xa_get_mark(&xa, keys[i], mk), marked[i][mk]);
	}
	/* xa_find by mark visits exactly the marked keys, in index order. */
	{
		unsigned long idx = 0, prev = 0, found = 0, want = 0;
		void *e;

		for (int i = 0; i < N; i++)
			want += marked[i][1];
		while ((e = xa_find(&xa, &idx, ~0UL, XA_MARK_1))) {
			int i = (int)((unsigned long *)e - keys);

			assert_true(marked[i][1]);
			assert_true(found == 0 || idx > prev);
			prev = idx;
			found++;
			if (idx == ~0UL)
				break;
			idx++;
		}
		assert_int_equal(found, want);
	}
	xa_destroy(&xa);
	assert_int_equal(xa.nr_nodes, 0);
	test_machine_done(m);
}

/* Erasing everything shrinks the tree to nothing; a lone high index needs its full height. */
static void test_xarray_grows_and_shrinks(void **state)
{
	struct kmm_machine *m = buddy_machine("256M", "1", NULL);
	struct xarray xa;
	int a, b;
	char why[160];

	(void)state;
	xa_init(&xa, &m->env);
	assert_int_equal(xa_store(&xa, 5, &a), 0);
	assert_int_equal(xa.height, 1); /* 0..63 */
	assert_int_equal(xa_store(&xa, 64 * 64, &b), 0);
	assert_int_equal(xa.height, 3); /* 64^2 needs a third level */
	assert_true(xa_check(&xa, why, sizeof(why)));
	assert_ptr_equal(xa_erase(&xa, 64 * 64), &b);
	assert_int_equal(xa.height, 1);
	assert_int_equal(xa.nr_nodes, 1);
	assert_ptr_equal(xa_erase(&xa, 5), &a);
	assert_int_equal(xa.height, 0);
	assert_int_equal(xa.nr_nodes, 0);
	assert_true(xa_check(&xa, why, sizeof(why)));
	test_machine_done(m);
}

/* ---- the page cache on kmmfs --------------------------------------------------------- */

#define FSIZE (10 * PAGE_SIZE + 100) /* 11 pages, the last one partial */

/*
 * Drops @f's clean pages as reclaim would, after draining the per-CPU LRU batches (a page
 * still in one has the batch's reference and is not dropped, as in the kernel).
 */
static unsigned long drop_clean(struct kmm_machine *m, struct file *f)
{
	lru_add_drain(K(m));
	return invalidate_mapping_pages(K(m), f->f_mapping, 0, ~0UL);
}

/* A file on disk before boot: reading it fills the cache once, one page per page read. */
static void test_read_fills_the_cache_once(void **state)
{
	struct kmm_machine *m = buddy_machine("256M", "1", NULL);
	uint8_t *data = malloc(FSIZE), *got;
	long file0 = node_stat(m, NR_FILE_PAGES);
	struct file *f;

	(void)state;
	fill_pattern(data, FSIZE, 1);
	assert_int_equal(vfs_create_file(K(m), "/mnt/disk/a", data, FSIZE), 0);
	assert_check(m);
	/* Created on the store: nothing cached yet. */
	assert_int_equal(node_stat(m, NR_FILE_PAGES), file0);
	f = open_or_fail(m, "/mnt/disk/a", O_RDONLY);
	assert_int_equal(file_inode(f)->i_size, FSIZE);
	got = read_all(m, f, FSIZE);
	assert_int_equal(fnv(got, FSIZE), fnv(data, FSIZE));
	assert_int_equal(f->f_mapping->nrpages, 11);
	assert_int_equal(node_stat(m, NR_FILE_PAGES), file0 + 11);
	assert_int_equal(node_stat(m, NR_SHMEM), 0);
	/* On the file LRU lists once the per-CPU batch is drained. */
	lru_add_drain(K(m));
	assert_int_equal(node_stat(m, NR_INACTIVE_FILE) + node_stat(m, NR_ACTIVE_FILE), 11);
	assert_check(m);
	/* Read again: the same pages. */
	free(got);
	got = read_all(m, f, FSIZE);
	assert_int_equal(fnv(got, FSIZE), fnv(data, FSIZE));
	assert_int_equal(node_stat(m, NR_FILE_PAGES), file0 + 11);
	/* Past the end: nothing. */
	assert_int_equal(vfs_pread(K(m), f, got, 10, FSIZE), 0);
	assert_int_equal(vfs_pread(K(m), f, got, 10, -1), -EINVAL);
	/* Read-only: no writes. */
	assert_int_equal(vfs_pwrite(K(m), f, got, 10, 0), -EBADF);
	fput(K(m), f);
	assert_check(m);
	free(got);
	free(data);
	test_machine_done(m);
}

/*
 * Writes dirty the pages (nr_dirty, nr_dirtied, nr_zone_write_pending), fsync writes them
 * back (nr_written) and cleans them; dropped clean pages read back the written bytes.
 */
static void test_write_fsync_and_reread_from_the_store(void **state)
{
	struct kmm_machine *m = buddy_machine("256M", "1", NULL);
	uint8_t *data = malloc(FSIZE), *got;
	long dirtied0 = node_stat(m, NR_DIRTIED), written0 = node_stat(m, NR_WRITTEN);
	struct file *f;

	(void)state;
	fill_pattern(data, FSIZE, 2);
	assert_int_equal(vfs_create_file(K(m), "/mnt/disk/w", NULL, 0), 0);
	f = open_or_fail(m, "/mnt/disk/w", O_RDWR);
	/* Write 3 pages' worth at offset 100: pages 0..3 (4 pages) dirty. */
	assert_int_equal(vfs_pwrite(K(m), f, data, 3 * PAGE_SIZE, 100), 3 * PAGE_SIZE);
	assert_int_equal(file_inode(f)->i_size, 3 * PAGE_SIZE + 100);
	assert_int_equal(node_stat(m, NR_FILE_DIRTY), 4);
	assert_int_equal(zone_stat_sum(m, NR_ZONE_WRITE_PENDING), 4);
	assert_int_equal(node_stat(m, NR_DIRTIED) - dirtied0, 4);
	assert_check(m);
	/* Rewriting a dirty page does not count it again. */
	assert_int_equal(vfs_pwrite(K(m), f, data, 10, 0), 10);
	assert_int_equal(node_stat(m, NR_DIRTIED) - dirtied0, 4);
	assert_int_equal(vfs_fsync_range(K(m), f, 0, INT64_MAX, 0), 0);
	assert_int_equal(node_stat(m, NR_FILE_DIRTY), 0);
	assert_int_equal(node_stat(m, NR_WRITEBACK), 0);
	assert_int_equal(zone_stat_sum(m, NR_ZONE_WRITE_PENDING), 0);
	assert_int_equal(node_stat(m, NR_WRITTEN) - written0, 4);
	assert_false(xa_marked(&f->f_mapping->i_pages, PAGECACHE_TAG_DIRTY));
	assert_check(m);
	/* A second fsync has nothing to write. */
	assert_int_equal(vfs_fsync_range(K(m), f, 0, INT64_MAX, 0), 0);
	assert_int_equal(node_stat(m, NR_WRITTEN) - written0, 4);
	/* Drop the clean pages; the bytes come back from the store. */
	assert_int_equal(drop_clean(m, f), 4);
	assert_int_equal(f->f_mapping->nrpages, 0);
	assert_check(m);
	got = read_all(m, f, 3 * PAGE_SIZE + 100);
	assert_int_equal(fnv(got, 10), fnv(data, 10));
	assert_int_equal(fnv(got + 10, 90), fnv((uint8_t[90]){0}, 90)); /* never written */
	assert_int_equal(fnv(got + 100, 3 * PAGE_SIZE), fnv(data, 3 * PAGE_SIZE));
	assert_int_equal(f->f_mapping->nrpages, 4);
	/* Dirty pages are not dropped. */
	assert_int_equal(vfs_pwrite(K(m), f, data, 1, PAGE_SIZE), 1);
	assert_int_equal(drop_clean(m, f), 3);
	assert_int_equal(f->f_mapping->nrpages, 1);
	assert_int_equal(node_stat(m, NR_FILE_DIRTY), 1);
	assert_check(m);
	fput(K(m), f);
	/* Closing does not write back; unlink drops the dirty page unwritten. */
	assert_int_equal(node_stat(m, NR_FILE_DIRTY), 1);
	assert_int_equal(vfs_unlink(K(m), "/mnt/disk/w"), 0);
	assert_int_equal(node_stat(m, NR_FILE_DIRTY), 0);
	assert_int_equal(node_stat(m, NR_FILE_PAGES), 0);
	assert_check(m);
	free(got);
	free(data);
	test_machine_done(m);
}

/*
 * Truncate to the middle of page 5 of 11: pages 6..10 go, page 5 keeps its first 1000 bytes;
 * growing back reads zeros after them, from the cache and, once dropped, from the store.
 */
static void test_truncate_drops_pages_and_zeroes_the_tail(void **state)
{
	struct kmm_machine *m = buddy_machine("256M", "1", NULL);
	uint8_t *data = malloc(FSIZE), *got;
	const loff_t cut = 5 * PAGE_SIZE + 1000;
	struct file *f;

	(void)state;
	fill_pattern(data, FSIZE, 3);
	assert_int_equal(vfs_create_file(K(m), "/mnt/disk/t", data, FSIZE), 0);
	f = open_or_fail(m, "/mnt/disk/t", O_RDWR);
	free(read_all(m, f, FSIZE));
	assert_int_equal(f->f_mapping->nrpages, 11);
	assert_int_equal(vfs_ftruncate(K(m), f, cut), 0);
	assert_int_equal(file_inode(f)->i_size, cut);
	assert_int_equal(f->f_mapping->nrpages, 6);
	assert_int_equal(node_stat(m, NR_FILE_PAGES), 6);
	assert_check(m);
	assert_int_equal(vfs_ftruncate(K(m), f, FSIZE), 0);
	got = read_all(m, f, FSIZE);
	assert_int_equal(fnv(got, (size_t)cut), fnv(data, (size_t)cut));
	for (size_t i = (size_t)cut; i < FSIZE; i++)
		if (got[i])
			fail_msg("byte %zu after the cut reads 0x%x from the cache", i, got[i]);
	free(got);
	assert_int_equal(drop_clean(m, f), 11);
	got = read_all(m, f, FSIZE);
	for (size_t i = (size_t)cut; i < FSIZE; i++)
		if (got[i])
			fail_msg("byte %zu after the cut reads 0x%x from the store", i, got[i]);
	assert_int_equal(fnv(got, (size_t)cut), fnv(data, (size_t)cut));
	assert_check(m);
	/* A read-only file cannot be truncated; nor to a negative size. */
	{
		struct file *ro = open_or_fail(m, "/mnt/disk/t", O_RDONLY);

		assert_int_equal(vfs_ftruncate(K(m), ro, 0), -EINVAL);
		assert_int_equal(vfs_ftruncate(K(m), f, -1), -EINVAL);
		fput(K(m), ro);
	}
	/* O_TRUNC empties it. */
	fput(K(m), f);
	f = open_or_fail(m, "/mnt/disk/t", O_WRONLY | O_TRUNC);
	assert_int_equal(file_inode(f)->i_size, 0);
	assert_int_equal(f->f_mapping->nrpages, 0);
	fput(K(m), f);
	assert_check(m);
	free(got);
	free(data);
	test_machine_done(m);
}

/* An unlinked file stays readable while open; its pages and inode go with the last close. */
static void test_unlinked_file_lives_while_open(void **state)
{
	struct kmm_machine *m = buddy_machine("256M", "1", NULL);
	uint8_t data[3 * 4096], *got;
	struct file *f;
	char path[64];

	(void)state;
	fill_pattern(data, sizeof(data), 4);
	assert_int_equal(vfs_create_file(K(m), "/mnt/disk/u", data, sizeof(data)), 0);
	f = open_or_fail(m, "/mnt/disk/u", O_RDONLY);
	assert_int_equal(vfs_unlink(K(m), "/mnt/disk/u"), 0);
	assert_int_equal(vfs_unlink(K(m), "/mnt/disk/u"), -ENOENT);
	assert_null(fs_lookup(K(m), "/mnt/disk/u"));
	assert_string_equal(file_path(f, path, sizeof(path)), "/mnt/disk/u (deleted)");
	got = read_all(m, f, sizeof(data));
	assert_int_equal(fnv(got, sizeof(data)), fnv(data, sizeof(data)));
	assert_int_equal(node_stat(m, NR_FILE_PAGES), 3);
	assert_check(m);
	fput(K(m), f);
	assert_int_equal(node_stat(m, NR_FILE_PAGES), 0);
	assert_int_equal(K(m)->fs->sb[FS_KMMFS].s_nr_inodes, 0);
	assert_int_equal(K(m)->fs->sb[FS_KMMFS].s_used_blocks, 0);
	assert_check(m);
	free(got);
	test_machine_done(m);
}

/*
 * filemap_fault on a page not cached: a major fault (pgmajfault +1, VM_FAULT_MAJOR) that
 * reads around it (32 pages centred on it, clipped to the file: pages 0..39 for page 24 of
 * 40 -> 8..39, 32 pages); then a fault on a page read around is minor.
 */
static void test_filemap_fault_is_major_once_and_reads_around(void **state)
{
	struct kmm_machine *m = buddy_machine("256M", "1", NULL);
	uint8_t *data = malloc(40 * PAGE_SIZE);
	uint64_t maj0 = K(m)->vm_events[PGMAJFAULT];
	struct fake_vma fv;
	struct page *page;
	struct file *f;
	vm_fault_t ret;

	(void)state;
	fill_pattern(data, 40 * PAGE_SIZE, 5);
	assert_int_equal(vfs_create_file(K(m), "/mnt/disk/map", data, 40 * PAGE_SIZE), 0);
	f = open_or_fail(m, "/mnt/disk/map", O_RDONLY);
	fake_vma_init(&fv, m, f, 0x400000, 40, 0, VM_READ | VM_MAYREAD);
	assert_int_equal(f->f_op->mmap(f, &fv.vma), 0);
	ret = fake_fault(&fv, 24, &page);
	assert_int_equal(ret, VM_FAULT_MAJOR | VM_FAULT_LOCKED);
	assert_int_equal(K(m)->vm_events[PGMAJFAULT] - maj0, 1);
	assert_int_equal(f->f_mapping->nrpages, 32);
	assert_int_equal(page_folio(page)->index, 24);
	assert_true(PageUptodate(page) && PageLocked(page));
	assert_int_equal(fnv(page_host(K(m), page, PAGE_SIZE), PAGE_SIZE),
			 fnv(data + 24 * PAGE_SIZE, PAGE_SIZE));
	fault_done(m, page);
	assert_check(m);
	ret = fake_fault(&fv, 8, &page);
	assert_int_equal(ret, VM_FAULT_LOCKED);
	fault_done(m, page);
	ret = fake_fault(&fv, 7, &page); /* outside the window: major again */
	assert_int_equal(ret, VM_FAULT_MAJOR | VM_FAULT_LOCKED);
	assert_int_equal(K(m)->vm_events[PGMAJFAULT] - maj0, 2);
	fault_done(m, page);
	/* Past the end of the file: SIGBUS. */
	assert_int_equal(fake_fault(&fv, 40, &page), VM_FAULT_SIGBUS);
	assert_int_equal(f->f_mapping->nrpages, 40);
	assert_check(m);
	fput(K(m), f);
	free(data);
	test_machine_done(m);
}

/* page_mkwrite dirties a page before a shared mapping writes it; fsync then cleans it. */
static void test_page_mkwrite_dirties_and_fsync_cleans(void **state)
{
	struct kmm_machine *m = buddy_machine("256M", "1", NULL);
	uint8_t data[2 * 4096];
	struct fake_vma fv;
	struct vm_fault vmf;
	struct page *page;
	struct file *f;

	(void)state;
	fill_pattern(data, sizeof(data), 6);
	assert_int_equal(vfs_create_file(K(m), "/mnt/disk/s", data, sizeof(data)), 0);
	f = open_or_fail(m, "/mnt/disk/s", O_RDWR);
	fake_vma_init(&fv, m, f, 0x400000, 2, 0, VM_READ | VM_WRITE | VM_SHARED | VM_MAYWRITE);
	assert_int_equal(f->f_op->mmap(f, &fv.vma), 0);
	assert_int_equal(fake_fault(&fv, 1, &page), VM_FAULT_MAJOR | VM_FAULT_LOCKED);
	folio_unlock(page_folio(page));
	memset(&vmf, 0, sizeof(vmf));
	vmf.vma = &fv.vma;
	vmf.page = page;
	vmf.pgoff = 1;
	assert_int_equal(fv.vma.vm_ops->page_mkwrite(&vmf), VM_FAULT_LOCKED);
	assert_true(PageDirty(page));
	assert_int_equal(node_stat(m, NR_FILE_DIRTY), 1);
	folio_unlock(page_folio(page));
	/* The mapping writes the page (through its PTE in the real thing). */
	memset(page_host(K(m), page, PAGE_SIZE), 0x5a, PAGE_SIZE);
	assert_check(m);
	assert_int_equal(vfs_fsync_range(K(m), f, 0, INT64_MAX, 0), 0);
	assert_false(PageDirty(page));
	assert_int_equal(node_stat(m, NR_FILE_DIRTY), 0);
	put_page(K(m), page);
	assert_int_equal(drop_clean(m, f), 2);
	{
		uint8_t got[4096], want[4096];

		memset(want, 0x5a, sizeof(want));
		assert_int_equal(vfs_pread(K(m), f, got, sizeof(got), PAGE_SIZE), PAGE_SIZE);
		assert_memory_equal(got, want, sizeof(got));
	}
	fput(K(m), f);
	assert_check(m);
	test_machine_done(m);
}

/* Bad names and open flags come back as the kernel's errors; nothing is created. */
static void test_bad_paths_and_flags(void **state)
{
	struct kmm_machine *m = buddy_machine("256M", "1", NULL);
	char longname[PATH_MAX_KMM + 8];
	struct file *f = NULL;

	(void)state;
	memset(longname, 'a', sizeof(longname));
	longname[0] = '/';
	longname[sizeof(longname) - 1] = 0;
	assert_int_equal(vfs_create_file(K(m), "relative", NULL, 1), -EINVAL);
	assert_int_equal(vfs_create_file(K(m), "/", NULL, 1), -EISDIR);
	assert_int_equal(vfs_create_file(K(m), longname, NULL, 1), -ENAMETOOLONG);
	assert_int_equal(filp_open(K(m), "/nothere", O_RDONLY, &f), -ENOENT);
	assert_int_equal(filp_open(K(m), "/nothere", O_ACCMODE | O_CREAT, &f), -EINVAL);
	assert_null(fs_lookup(K(m), "/nothere"));
	/* O_CREAT makes an empty tmpfs file. */
	assert_int_equal(filp_open(K(m), "/new", O_RDWR | O_CREAT, &f), 0);
	assert_int_equal(file_inode(f)->i_size, 0);
	assert_true(shmem_mapping(f->f_mapping));
	fput(K(m), f);
	assert_int_equal(vfs_create_file(K(m), "/mnt/disk/huge", NULL, 1ull << 40), 0);
	assert_int_equal(vfs_create_file(K(m), "/mnt/disk/big", (void *)longname, 1ull << 40),
			 -ENOSPC);
	assert_null(fs_lookup(K(m), "/mnt/disk/big"));
	assert_check(m);
	test_machine_done(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_xarray_matches_an_array),
		cmocka_unit_test(test_xarray_grows_and_shrinks),
		cmocka_unit_test(test_read_fills_the_cache_once),
		cmocka_unit_test(test_write_fsync_and_reread_from_the_store),
		cmocka_unit_test(test_truncate_drops_pages_and_zeroes_the_tail),
		cmocka_unit_test(test_unlinked_file_lives_while_open),
		cmocka_unit_test(test_filemap_fault_is_major_once_and_reads_around),
		cmocka_unit_test(test_page_mkwrite_dirties_and_fsync_cleans),
		cmocka_unit_test(test_bad_paths_and_flags),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
