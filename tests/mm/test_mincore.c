/*
 * mincore and msync: their argument checks, holes, and what they report or write back.
 *
 * Expected values from 6.1's rules (mm/mincore.c: a page is resident when its PTE is
 * present or, with no PTE in a file mapping, when the page cache holds it; a hole is -ENOMEM
 * after the vector up to it was filled; mm/msync.c: holes are skipped and reported at the
 * end, a plain MS_ASYNC stops at the first, MS_INVALIDATE refuses locked VMAs with -EBUSY,
 * MS_SYNC writes back the shared file mappings of the range). The capture's experiment 9
 * msync step changes nothing in the counters (tmpfs has no writeback).
 */
#include "mman_test.h"

#include "fs/fs.h"
#include "mm/pagemap.h"

static void test_mincore_reports_present_ptes(void **state)
{
	struct mt *t = mt_boot("1");
	unsigned char vec[8];
	const unsigned char want[8] = {1, 0, 1, 0, 0, 1, 0, 1};

	(void)state;
	mt_map(t, BASE, 8 * PG, RW, ANONP);
	mt_user(t, BASE, true);
	mt_user(t, BASE + 2 * PG, true);
	mt_user(t, BASE + 5 * PG, true);
	mt_user(t, BASE + 7 * PG, false); /* the zero page is mapped: resident */
	memset(vec, 0xff, sizeof(vec));
	assert_int_equal(do_mincore(t->mm, BASE, 8 * PG, vec), 0);
	assert_memory_equal(vec, want, sizeof(want));
	/* a length that is not a page multiple still covers its last page */
	memset(vec, 0xff, sizeof(vec));
	assert_int_equal(do_mincore(t->mm, BASE + 5 * PG, PG + 1, vec), 0);
	assert_int_equal(vec[0], 1);
	assert_int_equal(vec[1], 0);
	assert_int_equal(vec[2], 0xff);
	mt_done(t);
}

/*  BASE      +4p    +6p      +8p
 *  | rw-p     | hole | rw-p   |
 */
static void test_mincore_refuses_and_stops_at_holes(void **state)
{
	struct mt *t = mt_boot("1");
	unsigned char vec[8];

	(void)state;
	mt_map(t, BASE, 4 * PG, RW, ANONP);
	mt_map(t, BASE + 6 * PG, 2 * PG, RW, ANONP);
	mt_fill(t, BASE, 4 * PG, 1);
	assert_int_equal(do_mincore(t->mm, BASE + 1, PG, vec), -EINVAL);
	assert_int_equal(do_mincore(t->mm, BASE, 0, vec), 0);
	assert_int_equal(do_mincore(t->mm, TASK_SIZE - PG, 2 * PG, vec), -ENOMEM);
	memset(vec, 0xff, sizeof(vec));
	assert_int_equal(do_mincore(t->mm, BASE, 8 * PG, vec), -ENOMEM);
	for (int i = 0; i < 4; i++)
		assert_int_equal(vec[i], 1);
	assert_int_equal(vec[4], 0xff);
	assert_int_equal(do_mincore(t->mm, BASE + 4 * PG, PG, vec), -ENOMEM);
	mt_done(t);
}

static void test_msync_checks_and_holes(void **state)
{
	struct mt *t = mt_boot("1");

	(void)state;
	mt_map(t, BASE, 4 * PG, RW, ANONP);
	mt_map(t, BASE + 6 * PG, 2 * PG, RW, ANONP | MAP_LOCKED);
	assert_int_equal(do_msync(t->mm, BASE, PG, 8), -EINVAL);
	assert_int_equal(do_msync(t->mm, BASE + 1, PG, MS_SYNC), -EINVAL);
	assert_int_equal(do_msync(t->mm, BASE, PG, MS_SYNC | MS_ASYNC), -EINVAL);
	assert_int_equal(do_msync(t->mm, BASE, 0, MS_SYNC), 0);
	assert_int_equal(do_msync(t->mm, BASE, ~0UL - BASE, MS_SYNC), -ENOMEM);
	assert_int_equal(do_msync(t->mm, BASE, 4 * PG, MS_SYNC), 0);
	assert_int_equal(do_msync(t->mm, BASE, 4 * PG, MS_ASYNC), 0);
	assert_int_equal(do_msync(t->mm, BASE, 8 * PG, MS_SYNC), -ENOMEM);
	assert_int_equal(do_msync(t->mm, BASE, 8 * PG, MS_ASYNC), -ENOMEM);
	assert_int_equal(do_msync(t->mm, BASE + 4 * PG, PG, MS_SYNC), -ENOMEM);
	assert_int_equal(do_msync(t->mm, BASE, 4 * PG, MS_INVALIDATE), 0);
	assert_int_equal(do_msync(t->mm, BASE + 6 * PG, 2 * PG, MS_INVALIDATE), -EBUSY);
	/* the hole before the locked VMA is skipped first, then the lock refuses */
	assert_int_equal(do_msync(t->mm, BASE, 8 * PG, MS_INVALIDATE | MS_SYNC), -EBUSY);
	mt_done(t);
}

/*
 * A shared file mapping written through its PTEs, then msync(MS_SYNC): on the disk-like
 * kmmfs the dirty pages are written back (clean afterwards, the bytes in the file); on tmpfs
 * fsync does nothing (6.1's noop_fsync: shmem pages stay dirty, as the capture's experiment 9
 * msync step shows no change). Either way the page cache keeps the pages, so mincore of a new
 * mapping of the file reports them resident.
 */
static void msync_shared_file(const char *path, bool written_back)
{
	struct mt *t = mt_boot("1");
	static uint8_t zeros[4 * 4096], back[4 * 4096];
	struct file *file = NULL;
	unsigned long populate = 0;
	unsigned char vec[4];

	assert_int_equal(vfs_create_file(t->k, path, zeros, sizeof(zeros)), 0);
	assert_int_equal(filp_open(t->k, path, O_RDWR, &file), 0);
	assert_int_equal(
		do_mmap(t->mm, file, BASE, 4 * PG, RW, MAP_SHARED | MAP_FIXED, 0, &populate), BASE);
	mt_check(t);
	mt_fill(t, BASE, 4 * PG, 0x51);
	for (unsigned long a = BASE; a < BASE + 4 * PG; a += PG)
		assert_true(PageDirty(pte_page(t->k, *mt_pte(t, a))));
	assert_int_equal(do_mincore(t->mm, BASE, 4 * PG, vec), 0);
	for (int i = 0; i < 4; i++)
		assert_int_equal(vec[i], 1);

	assert_int_equal(do_msync(t->mm, BASE, 4 * PG, MS_SYNC), 0);
	mt_check(t);
	for (unsigned long a = BASE; a < BASE + 4 * PG; a += PG)
		assert_int_equal(PageDirty(pte_page(t->k, *mt_pte(t, a))), !written_back);
	assert_int_equal(vfs_pread(t->k, file, back, sizeof(back), 0), (int64_t)sizeof(back));
	for (unsigned long off = 0; off < 4 * PG; off += PG) {
		uint64_t w, want = 0x51 ^ ((BASE + off) * 0x9e3779b97f4a7c15ULL);

		memcpy(&w, back + off, sizeof(w));
		assert_int_equal(w, want);
	}
	assert_int_equal(do_munmap(t->mm, BASE, 4 * PG), 0);
	assert_int_equal(
		do_mmap(t->mm, file, BASE, 4 * PG, PROT_READ, MAP_SHARED | MAP_FIXED, 0, &populate),
		BASE);
	assert_int_equal(do_mincore(t->mm, BASE, 4 * PG, vec), 0);
	for (int i = 0; i < 4; i++)
		assert_int_equal(vec[i], 1);
	assert_int_equal(do_munmap(t->mm, BASE, 4 * PG), 0);
	fput(t->k, file);
	mt_done(t);
}

static void test_msync_writes_back_a_kmmfs_mapping(void **state)
{
	(void)state;
	msync_shared_file("/mnt/disk/msync-file", true);
}

static void test_msync_leaves_tmpfs_pages_dirty(void **state)
{
	(void)state;
	msync_shared_file("/msync-file", false);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_mincore_reports_present_ptes),
		cmocka_unit_test(test_mincore_refuses_and_stops_at_holes),
		cmocka_unit_test(test_msync_checks_and_holes),
		cmocka_unit_test(test_msync_writes_back_a_kmmfs_mapping),
		cmocka_unit_test(test_msync_leaves_tmpfs_pages_dirty),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
