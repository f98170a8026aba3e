/*
 * tmpfs, shared anonymous memory and memfd seals (mm/shmem.c, mm/memfd.c). Pages are
 * swap-backed and counted in nr_shmem as well as nr_file_pages; holes read as zeros without
 * allocating; memfd's seals refuse exactly what memfd_create(2) and fcntl(2) say, with the
 * kernel's errno: F_SEAL_WRITE and F_SEAL_FUTURE_WRITE refuse writes and new shared writable
 * mappings (-EPERM), F_SEAL_GROW and F_SEAL_SHRINK refuse size changes that way (-EPERM),
 * F_SEAL_SEAL refuses further seals (-EPERM), F_SEAL_WRITE cannot be added while a writable
 * shared mapping exists (-EBUSY). kmm_check after each step.
 */
#include "file_test.h"

#define KMM_FILE "mm/test_shmem.c"

/* A tmpfs file created with contents: its pages are in the cache at once, dirty, shmem. */
static void test_tmpfs_file_pages_are_shmem(void **state)
{
	struct kmm_machine *m = buddy_machine("256M", "1", NULL);
	uint8_t data[5 * 4096 + 7], *got;
	long file0 = node_stat(m, NR_FILE_PAGES), shmem0 = node_stat(m, NR_SHMEM);
	struct file *f;
	struct folio *folio;

	(void)state;
	fill_pattern(data, sizeof(data), 11);
	assert_int_equal(vfs_create_file(K(m), "/bin/prog", data, sizeof(data)), 0);
	assert_int_equal(node_stat(m, NR_FILE_PAGES) - file0, 6);
	assert_int_equal(node_stat(m, NR_SHMEM) - shmem0, 6);
	assert_int_equal(node_stat(m, NR_FILE_DIRTY), 0); /* shmem is never accounted dirty */
	/* Swap-backed: on the anon LRU lists (6.1), none on the file ones. */
	lru_add_drain(K(m));
	assert_int_equal(node_stat(m, NR_INACTIVE_ANON) + node_stat(m, NR_ACTIVE_ANON), 6);
	assert_int_equal(node_stat(m, NR_INACTIVE_FILE) + node_stat(m, NR_ACTIVE_FILE), 0);
	assert_check(m);
	f = open_or_fail(m, "/bin/prog", O_RDONLY);
	folio = filemap_get_folio(K(m), f->f_mapping, 0);
	assert_non_null(folio);
	assert_true(folio_test_swapbacked(folio) && folio_test_uptodate(folio) &&
		    folio_test_dirty(folio));
	folio_put(K(m), folio);
	got = read_all(m, f, sizeof(data));
	assert_int_equal(fnv(got, sizeof(data)), fnv(data, sizeof(data)));
	assert_int_equal(node_stat(m, NR_FILE_PAGES) - file0, 6);
	/* Clean tmpfs pages cannot be dropped: there is no store. */
	lru_add_drain(K(m));
	assert_int_equal(invalidate_mapping_pages(K(m), f->f_mapping, 0, ~0UL), 0);
	fput(K(m), f);
	assert_int_equal(vfs_unlink(K(m), "/bin/prog"), 0);
	assert_int_equal(node_stat(m, NR_SHMEM), shmem0);
	assert_int_equal(K(m)->fs->sb[FS_TMPFS].s_used_blocks, 0);
	assert_check(m);
	free(got);
	test_machine_done(m);
}

/* A hole reads as zeros without allocating; a write allocates only the page it touches. */
static void test_tmpfs_holes_read_zero_without_pages(void **state)
{
	struct kmm_machine *m = buddy_machine("256M", "1", NULL);
	uint8_t buf[8192];
	struct file *f;

	(void)state;
	assert_int_equal(vfs_create_file(K(m), "/mnt/faults/sparse", NULL, 1 << 20), 0);
	f = open_or_fail(m, "/mnt/faults/sparse", O_RDWR);
	memset(buf, 0xff, sizeof(buf));
	assert_int_equal(vfs_pread(K(m), f, buf, sizeof(buf), 4096 * 100), sizeof(buf));
	for (size_t i = 0; i < sizeof(buf); i++)
		assert_int_equal(buf[i], 0);
	assert_int_equal(f->f_mapping->nrpages, 0);
	assert_int_equal(vfs_pwrite(K(m), f, "x", 1, 4096 * 7 + 5), 1);
	assert_int_equal(f->f_mapping->nrpages, 1);
	assert_int_equal(node_stat(m, NR_SHMEM), 1);
	assert_int_equal(SHMEM_I(file_inode(f))->alloced, 1);
	assert_int_equal(vfs_pread(K(m), f, buf, 8, 4096 * 7), 8);
	assert_memory_equal(buf, "\0\0\0\0\0x\0\0", 8);
	assert_check(m);
	/* Truncating below the page gives its block back. */
	assert_int_equal(vfs_ftruncate(K(m), f, 4096), 0);
	assert_int_equal(f->f_mapping->nrpages, 0);
	assert_int_equal(SHMEM_I(file_inode(f))->alloced, 0);
	assert_int_equal(node_stat(m, NR_SHMEM), 0);
	fput(K(m), f);
	assert_check(m);
	test_machine_done(m);
}

/* shmem_fault allocates a zeroed swap-backed page; a second fault finds it. */
static void test_shmem_zero_setup_and_fault(void **state)
{
	struct kmm_machine *m = buddy_machine("256M", "1", NULL);
	struct fake_vma fv;
	struct page *page, *again;
	char path[64];

	(void)state;
	fake_vma_init(&fv, m, NULL, 0x7f0000000000, 16, 0,
		      VM_READ | VM_WRITE | VM_SHARED | VM_MAYWRITE | VM_MAYSHARE);
	assert_int_equal(shmem_zero_setup(&fv.vma), 0);
	assert_non_null(fv.vma.vm_file);
	assert_true(vma_is_shmem(&fv.vma));
	assert_string_equal(file_path(fv.vma.vm_file, path, sizeof(path)), "/dev/zero (deleted)");
	assert_int_equal(file_inode(fv.vma.vm_file)->i_size, 16 * PAGE_SIZE);
	assert_int_equal(fake_fault(&fv, 3, &page), VM_FAULT_LOCKED);
	assert_true(PageSwapBacked(page) && PageUptodate(page));
	{
		const uint8_t *p = page_host(K(m), page, PAGE_SIZE);

		for (size_t i = 0; i < PAGE_SIZE; i++)
			assert_int_equal(p[i], 0);
	}
	assert_int_equal(node_stat(m, NR_SHMEM), 1);
	fault_done(m, page);
	assert_int_equal(fake_fault(&fv, 3, &again), VM_FAULT_LOCKED);
	assert_ptr_equal(again, page);
	fault_done(m, again);
	assert_int_equal(fake_fault(&fv, 16, &again), VM_FAULT_SIGBUS);
	assert_check(m);
	fput(K(m), fv.vma.vm_file);
	assert_int_equal(node_stat(m, NR_SHMEM), 0);
	assert_check(m);
	test_machine_done(m);
}

static int add_seals(struct kmm_machine *m, struct file *f, unsigned seals)
{
	return memfd_fcntl(K(m), f, F_ADD_SEALS, seals);
}

static int get_seals(struct kmm_machine *m, struct file *f)
{
	return memfd_fcntl(K(m), f, F_GET_SEALS, 0);
}

/* Tries the f_op->mmap of @f with @flags on a stand-in VMA. */
static int try_mmap(struct kmm_machine *m, struct file *f, vm_flags_t flags)
{
	struct fake_vma fv;

	fake_vma_init(&fv, m, f, 0x7f0000000000, 4, 0, flags);
	return f->f_op->mmap(f, &fv.vma);
}

#define SHARED_RW  (VM_READ | VM_WRITE | VM_SHARED | VM_MAYWRITE | VM_MAYSHARE)
#define SHARED_RO  (VM_READ | VM_SHARED | VM_MAYSHARE)
#define PRIVATE_RW (VM_READ | VM_WRITE | VM_MAYWRITE)

static struct file *new_memfd(struct kmm_machine *m, struct files_struct *files, unsigned flags,
			      int *fd)
{
	*fd = sys_memfd_create(K(m), files, "test", flags);
	assert_true(*fd >= 0);
	return files_lookup_fd(files, *fd);
}

/* memfd_create's flags and name; a memfd without MFD_ALLOW_SEALING is born F_SEAL_SEAL. */
static void test_memfd_create_rules(void **state)
{
	struct kmm_machine *m = buddy_machine("256M", "1", NULL);
	struct files_struct *files = files_alloc(K(m));
	char name[300], path[300];
	struct file *f;
	int fd;

	(void)state;
	assert_int_equal(sys_memfd_create(K(m), files, "x", 0x8), -EINVAL);
	assert_int_equal(sys_memfd_create(K(m), files, "x", MFD_HUGETLB), -EINVAL);
	memset(name, 'n', 250);
	name[250] = 0; /* 250 > 249 = NAME_MAX - strlen("memfd:") */
	assert_int_equal(sys_memfd_create(K(m), files, name, 0), -EINVAL);
	name[249] = 0;
	fd = sys_memfd_create(K(m), files, name, MFD_CLOEXEC);
	assert_int_equal(fd, 0);
	assert_true(files->cloexec[0]);
	assert_int_equal(close_fd(K(m), files, fd), 0);
	assert_int_equal(close_fd(K(m), files, fd), -EBADF);
	f = new_memfd(m, files, 0, &fd);
	assert_int_equal(fd, 0); /* the lowest free fd again */
	assert_string_equal(file_path(f, path, sizeof(path)), "/memfd:test (deleted)");
	assert_true((f->f_mode & (FMODE_READ | FMODE_WRITE)) == (FMODE_READ | FMODE_WRITE));
	assert_int_equal(get_seals(m, f), F_SEAL_SEAL);
	assert_int_equal(add_seals(m, f, F_SEAL_WRITE), -EPERM);
	assert_int_equal(file_inode(f)->i_size, 0);
	/* Not a tmpfs file: no seals to get or add. */
	{
		struct file *disk;

		assert_int_equal(vfs_create_file(K(m), "/mnt/disk/d", NULL, 10), 0);
		disk = open_or_fail(m, "/mnt/disk/d", O_RDWR);
		assert_int_equal(get_seals(m, disk), -EINVAL);
		assert_int_equal(add_seals(m, disk, F_SEAL_WRITE), -EINVAL);
		assert_int_equal(memfd_fcntl(K(m), disk, 1, 0), -EINVAL);
		fput(K(m), disk);
	}
	assert_check(m);
	put_files_struct(K(m), files);
	assert_check(m);
	test_machine_done(m);
}

/* F_SEAL_WRITE: no write, no new shared writable mapping; reads, private and RO maps go. */
static void test_memfd_seal_write(void **state)
{
	struct kmm_machine *m = buddy_machine("256M", "1", NULL);
	struct files_struct *files = files_alloc(K(m));
	uint8_t buf[100];
	struct file *f;
	int fd;

	(void)state;
	f = new_memfd(m, files, MFD_ALLOW_SEALING, &fd);
	assert_int_equal(get_seals(m, f), 0);
	assert_int_equal(vfs_pwrite(K(m), f, "hello", 5, 0), 5);
	assert_int_equal(add_seals(m, f, 0x20), -EINVAL); /* unknown seal */
	assert_int_equal(memfd_fcntl(K(m), f, F_ADD_SEALS, 1ul << 32), -EINVAL);
	/* A writable shared mapping exists: F_SEAL_WRITE is busy. */
	assert_int_equal(mapping_map_writable(f->f_mapping), 0);
	assert_int_equal(add_seals(m, f, F_SEAL_WRITE), -EBUSY);
	assert_int_equal(get_seals(m, f), 0);
	mapping_unmap_writable(f->f_mapping);
	assert_int_equal(add_seals(m, f, F_SEAL_WRITE), 0);
	assert_int_equal(get_seals(m, f), F_SEAL_WRITE);
	assert_int_equal(vfs_pwrite(K(m), f, "x", 1, 0), -EPERM);
	assert_int_equal(vfs_pwrite(K(m), f, "x", 1, 4096), -EPERM);
	assert_int_equal(vfs_pread(K(m), f, buf, 100, 0), 5);
	assert_memory_equal(buf, "hello", 5);
	assert_int_equal(try_mmap(m, f, SHARED_RW), -EPERM);
	assert_int_equal(mapping_map_writable(f->f_mapping), -EPERM); /* mmap_region's check */
	assert_int_equal(try_mmap(m, f, SHARED_RO), 0);
	assert_int_equal(try_mmap(m, f, PRIVATE_RW), 0);
	/* Size changes are still allowed: F_SEAL_WRITE does not seal the size. */
	assert_int_equal(vfs_ftruncate(K(m), f, 8192), 0);
	assert_int_equal(vfs_ftruncate(K(m), f, 3), 0);
	/* A read-only open of the same file may not add seals. */
	{
		struct file *ro;

		ihold(file_inode(f));
		ro = alloc_file(K(m), file_inode(f), O_RDONLY);
		assert_non_null(ro);
		assert_int_equal(add_seals(m, ro, F_SEAL_SHRINK), -EPERM);
		fput(K(m), ro);
	}
	assert_check(m);
	put_files_struct(K(m), files);
	assert_check(m);
	test_machine_done(m);
}

/* F_SEAL_GROW and F_SEAL_SHRINK: size changes the seal names are refused, the others go. */
static void test_memfd_seal_grow_and_shrink(void **state)
{
	struct kmm_machine *m = buddy_machine("256M", "1", NULL);
	struct files_struct *files = files_alloc(K(m));
	uint8_t page[4096];
	struct file *f;
	int fd;

	(void)state;
	memset(page, 0x33, sizeof(page));
	f = new_memfd(m, files, MFD_ALLOW_SEALING, &fd);
	assert_int_equal(vfs_ftruncate(K(m), f, 2 * 4096), 0);
	assert_int_equal(add_seals(m, f, F_SEAL_GROW), 0);
	assert_int_equal(vfs_ftruncate(K(m), f, 3 * 4096), -EPERM);
	assert_int_equal(file_inode(f)->i_size, 2 * 4096);
	/*
	 * Writes inside the size go; a write that would grow stops at the end: shmem_write_begin
	 * checks each page's chunk, so 4096 bytes at 4196 write the 3996 up to 8192 and stop.
	 */
	assert_int_equal(vfs_pwrite(K(m), f, page, 4096, 4096), 4096);
	assert_int_equal(vfs_pwrite(K(m), f, page, 10, 2 * 4096), -EPERM);
	assert_int_equal(vfs_pwrite(K(m), f, page, 4096, 4096 + 100), 4096 - 100);
	assert_int_equal(file_inode(f)->i_size, 2 * 4096);
	assert_int_equal(vfs_ftruncate(K(m), f, 4096), 0); /* shrinking is allowed */
	assert_int_equal(add_seals(m, f, F_SEAL_SHRINK), 0);
	assert_int_equal(vfs_ftruncate(K(m), f, 100), -EPERM);
	assert_int_equal(vfs_ftruncate(K(m), f, 4096), 0); /* the same size: no change */
	assert_int_equal(get_seals(m, f), F_SEAL_GROW | F_SEAL_SHRINK);
	/* F_SEAL_SEAL: no more seals, the old ones stay. */
	assert_int_equal(add_seals(m, f, F_SEAL_SEAL), 0);
	assert_int_equal(add_seals(m, f, F_SEAL_WRITE), -EPERM);
	assert_int_equal(add_seals(m, f, 0), -EPERM);
	assert_int_equal(get_seals(m, f), F_SEAL_GROW | F_SEAL_SHRINK | F_SEAL_SEAL);
	assert_int_equal(try_mmap(m, f, SHARED_RW), 0); /* no write seal */
	assert_check(m);
	put_files_struct(K(m), files);
	test_machine_done(m);
}

/* F_SEAL_FUTURE_WRITE: writes and new shared writable maps refused, even with one mapped. */
static void test_memfd_seal_future_write(void **state)
{
	struct kmm_machine *m = buddy_machine("256M", "1", NULL);
	struct files_struct *files = files_alloc(K(m));
	struct file *f;
	int fd;

	(void)state;
	f = new_memfd(m, files, MFD_ALLOW_SEALING, &fd);
	assert_int_equal(vfs_ftruncate(K(m), f, 4096), 0);
	assert_int_equal(mapping_map_writable(f->f_mapping), 0); /* an existing shared map */
	assert_int_equal(add_seals(m, f, F_SEAL_FUTURE_WRITE), 0);
	assert_int_equal(vfs_pwrite(K(m), f, "x", 1, 0), -EPERM);
	assert_int_equal(try_mmap(m, f, SHARED_RW), -EPERM);
	assert_int_equal(try_mmap(m, f, SHARED_RO), 0);
	assert_int_equal(try_mmap(m, f, PRIVATE_RW), 0);
	mapping_unmap_writable(f->f_mapping);
	assert_int_equal(vfs_ftruncate(K(m), f, 8192), 0); /* the size is not sealed */
	assert_check(m);
	put_files_struct(K(m), files);
	test_machine_done(m);
}

/* fork's dup_fd shares the files; each table's close drops one reference. */
static void test_dup_fd_shares_files(void **state)
{
	struct kmm_machine *m = buddy_machine("256M", "1", NULL);
	struct files_struct *a = files_alloc(K(m)), *b;
	struct file *f;
	int fd;

	(void)state;
	f = new_memfd(m, a, 0, &fd);
	assert_int_equal(vfs_pwrite(K(m), f, "abc", 3, 0), 3);
	b = dup_fd(K(m), a);
	assert_non_null(b);
	assert_ptr_equal(files_lookup_fd(b, fd), f);
	assert_int_equal(f->f_count, 2);
	put_files_struct(K(m), a);
	assert_int_equal(f->f_count, 1);
	assert_int_equal(node_stat(m, NR_SHMEM), 1);
	assert_check(m);
	put_files_struct(K(m), b);
	assert_int_equal(node_stat(m, NR_SHMEM), 0);
	assert_check(m);
	test_machine_done(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tmpfs_file_pages_are_shmem),
		cmocka_unit_test(test_tmpfs_holes_read_zero_without_pages),
		cmocka_unit_test(test_shmem_zero_setup_and_fault),
		cmocka_unit_test(test_memfd_create_rules),
		cmocka_unit_test(test_memfd_seal_write),
		cmocka_unit_test(test_memfd_seal_grow_and_shrink),
		cmocka_unit_test(test_memfd_seal_future_write),
		cmocka_unit_test(test_dup_fd_shares_files),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
