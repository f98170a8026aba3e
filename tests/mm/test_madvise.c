/*
 * madvise: the argument checks, the walk over holes, flag advice (split and merge), and the
 * page advice DONTNEED, FREE, POPULATE_READ/WRITE and COLD.
 *
 * Expected values from 6.1's rules (mm/madvise.c) and the capture's experiment 7 on the
 * cortex-a57 (no hardware access flag or dirty state): a MAP_POPULATE of 2 MiB costs 512
 * faults and writes after it none; MADV_DONTNEED of the first 1 MiB frees its 256 pages and
 * reading them back costs 256 faults and gives zeros; MADV_FREE of the second 1 MiB keeps
 * the data and the RSS, marks the pages lazily freeable (pglazyfree 255 at once, the last
 * one when the per-CPU batch drains) and costs 256 faults on the next read (access flag) and
 * 256 more on the next write (dirty state).
 */
#include "mman_test.h"

#include "fs/fs.h"
#include "mm/pagemap.h"

#define MB (1UL << 20)

static void test_madvise_refuses_bad_arguments(void **state)
{
	struct mt *t = mt_boot("1");

	(void)state;
	mt_map(t, BASE, 4 * PG, RW, ANONP);
	assert_int_equal(do_madvise(t->mm, BASE, PG, 99), -EINVAL);
	assert_int_equal(do_madvise(t->mm, BASE + 1, PG, MADV_NORMAL), -EINVAL);
	assert_int_equal(do_madvise(t->mm, BASE, 0, MADV_DONTNEED), 0);
	assert_int_equal(do_madvise(t->mm, BASE, (size_t)-1, MADV_DONTNEED), -EINVAL);
	assert_int_equal(do_madvise(t->mm, ~0UL & ~(PG - 1), 2 * PG, MADV_DONTNEED), -EINVAL);
	assert_int_equal(do_madvise(t->mm, BASE + 8 * PG, PG, MADV_NORMAL), -ENOMEM);
	assert_int_equal(do_madvise(t->mm, BASE, 4 * PG, MADV_COLLAPSE), -EINVAL);
	mt_check(t);
	mt_done(t);
}

/*
 * Flag advice splits and merges like mprotect; a hole in the range still advises both sides
 * and ends in -ENOMEM.
 *  BASE        +4p    +6p         +10p
 *  |  rw-p      | hole |  rw-p      |
 */
static void test_madvise_flags_split_merge_and_skip_holes(void **state)
{
	struct mt *t = mt_boot("1");

	(void)state;
	mt_map(t, BASE, 4 * PG, RW, ANONP);
	mt_map(t, BASE + 6 * PG, 4 * PG, RW, ANONP);
	assert_int_equal(do_madvise(t->mm, BASE + PG, 2 * PG, MADV_DONTFORK), 0);
	mt_check(t);
	{
		const struct mt_vma want[] = {{BASE, BASE + PG, 0},
					      {BASE + PG, BASE + 3 * PG, VM_DONTCOPY},
					      {BASE + 3 * PG, BASE + 4 * PG, 0},
					      {BASE + 6 * PG, BASE + 10 * PG, 0}};

		mt_expect_vmas(t, want, 4, VM_DONTCOPY);
	}
	assert_int_equal(do_madvise(t->mm, BASE, 4 * PG, MADV_DOFORK), 0);
	mt_check(t);
	assert_int_equal(t->mm->map_count, 2);

	assert_int_equal(do_madvise(t->mm, BASE + 2 * PG, 6 * PG, MADV_WIPEONFORK), -ENOMEM);
	mt_check(t);
	{
		const struct mt_vma want[] = {{BASE, BASE + 2 * PG, 0},
					      {BASE + 2 * PG, BASE + 4 * PG, VM_WIPEONFORK},
					      {BASE + 6 * PG, BASE + 8 * PG, VM_WIPEONFORK},
					      {BASE + 8 * PG, BASE + 10 * PG, 0}};

		mt_expect_vmas(t, want, 4, VM_WIPEONFORK);
	}
	assert_int_equal(do_madvise(t->mm, BASE, 10 * PG, MADV_KEEPONFORK), -ENOMEM);
	mt_check(t);
	assert_int_equal(t->mm->map_count, 2);

	assert_int_equal(do_madvise(t->mm, BASE, 4 * PG, MADV_SEQUENTIAL), 0);
	assert_int_equal(t->mm->mmap->vm_flags & (VM_SEQ_READ | VM_RAND_READ), VM_SEQ_READ);
	assert_int_equal(do_madvise(t->mm, BASE, 4 * PG, MADV_RANDOM), 0);
	assert_int_equal(t->mm->mmap->vm_flags & (VM_SEQ_READ | VM_RAND_READ), VM_RAND_READ);
	assert_int_equal(do_madvise(t->mm, BASE, 4 * PG, MADV_NORMAL), 0);
	assert_int_equal(t->mm->mmap->vm_flags & (VM_SEQ_READ | VM_RAND_READ), 0);
	assert_int_equal(do_madvise(t->mm, BASE, 4 * PG, MADV_HUGEPAGE), 0);
	assert_int_equal(t->mm->mmap->vm_flags & (VM_HUGEPAGE | VM_NOHUGEPAGE), VM_HUGEPAGE);
	assert_int_equal(do_madvise(t->mm, BASE, 4 * PG, MADV_NOHUGEPAGE), 0);
	assert_int_equal(t->mm->mmap->vm_flags & (VM_HUGEPAGE | VM_NOHUGEPAGE), VM_NOHUGEPAGE);
	assert_int_equal(do_madvise(t->mm, BASE, 4 * PG, MADV_DONTDUMP), 0);
	assert_true(t->mm->mmap->vm_flags & VM_DONTDUMP);
	assert_int_equal(do_madvise(t->mm, BASE, 4 * PG, MADV_DODUMP), 0);
	assert_false(t->mm->mmap->vm_flags & VM_DONTDUMP);
	assert_int_equal(do_madvise(t->mm, BASE, 4 * PG, MADV_MERGEABLE), 0);
	assert_true(t->mm->mmap->vm_flags & VM_MERGEABLE);
	assert_int_equal(do_madvise(t->mm, BASE, 4 * PG, MADV_UNMERGEABLE), 0);
	assert_false(t->mm->mmap->vm_flags & VM_MERGEABLE);
	mt_check(t);
	mt_done(t);
}

/* Experiment 7: populate 2 MiB, DONTNEED the first 1 MiB, FREE the second. */
static void test_madvise_dontneed_and_free_as_the_capture(void **state)
{
	struct mt *t = mt_boot("1");
	const unsigned long va = BASE + 0x1fd000; /* addr mod 2M = 0x1fd000, as the capture */
	unsigned long lazy0;

	(void)state;
	mt_map(t, va, 2 * MB, RW, ANONP | MAP_POPULATE);
	assert_int_equal(mt_rss(t, MM_ANONPAGES), 512);
	mt_fill(t, va, 2 * MB, 0x7);
	assert_int_equal(t->faults, 0); /* populated by writes: already dirty */

	assert_int_equal(do_madvise(t->mm, va, MB, MADV_DONTNEED), 0);
	mt_check(t);
	assert_int_equal(mt_rss(t, MM_ANONPAGES), 256);
	for (unsigned long a = va; a < va + MB; a += PG) {
		uint64_t w;

		memcpy(&w, mt_user(t, a, false), sizeof(w));
		assert_int_equal(w, 0);
	}
	assert_int_equal(t->faults, 256);
	assert_int_equal(mt_rss(t, MM_ANONPAGES), 256); /* the zero page */

	lazy0 = t->k->vm_events[PGLAZYFREE];
	assert_int_equal(do_madvise(t->mm, va + MB, MB, MADV_FREE), 0);
	mt_check(t);
	lru_add_drain_all(t->k);
	assert_int_equal(t->k->vm_events[PGLAZYFREE] - lazy0, 256);
	assert_int_equal(mt_rss(t, MM_ANONPAGES), 256);
	for (unsigned long a = va + MB; a < va + 2 * MB; a += PG) {
		const pte_t *pte = mt_pte(t, a);
		struct page *page = pte_page(t->k, *pte);

		assert_false(pte_young(*pte));
		assert_false(pte_dirty(*pte));
		assert_false(PageDirty(page));
		assert_false(PageSwapBacked(page)); /* lazily freeable: reclaim may drop it */
	}
	t->faults = 0;
	assert_int_equal(mt_count_pattern(t, va + MB, MB, va + MB, 0x7), 256);
	assert_int_equal(t->faults, 256); /* access-flag faults */
	t->faults = 0;
	mt_fill(t, va + MB, MB, 0x7);
	assert_int_equal(t->faults, 256); /* dirty-state faults */
	mt_check(t);
	mt_done(t);
}

/* DONTNEED refuses locked VMAs; DONTNEED_LOCKED does not. */
static void test_madvise_dontneed_and_locked_vmas(void **state)
{
	struct mt *t = mt_boot("1");

	(void)state;
	mt_map(t, BASE, 4 * PG, RW, ANONP | MAP_LOCKED);
	assert_int_equal(mt_rss(t, MM_ANONPAGES), 4);
	assert_int_equal(do_madvise(t->mm, BASE, 4 * PG, MADV_DONTNEED), -EINVAL);
	assert_int_equal(do_madvise(t->mm, BASE, 4 * PG, MADV_FREE), -EINVAL);
	assert_int_equal(do_madvise(t->mm, BASE, 4 * PG, MADV_COLD), -EINVAL);
	assert_int_equal(do_madvise(t->mm, BASE, 4 * PG, MADV_PAGEOUT), -EINVAL);
	assert_int_equal(mt_rss(t, MM_ANONPAGES), 4);
	assert_int_equal(do_madvise(t->mm, BASE, 4 * PG, MADV_DONTNEED_LOCKED), 0);
	assert_int_equal(mt_rss(t, MM_ANONPAGES), 0);
	mt_check(t);
	mt_done(t);
}

/* madv_populate: READ maps without writing (zero page), WRITE makes every PTE writable. */
static void test_madvise_populate_read_then_write(void **state)
{
	struct mt *t = mt_boot("1");

	(void)state;
	mt_map(t, BASE, 16 * PG, RW, ANONP);
	mt_map(t, BASE + 16 * PG, 4 * PG, PROT_READ, ANONP);
	assert_int_equal(do_madvise(t->mm, BASE, 16 * PG, MADV_POPULATE_READ), 0);
	mt_check(t);
	for (unsigned long a = BASE; a < BASE + 16 * PG; a += PG) {
		assert_true(pte_valid(*mt_pte(t, a)));
		assert_false(pte_write(*mt_pte(t, a)));
	}
	assert_int_equal(mt_rss(t, MM_ANONPAGES), 0);
	assert_int_equal(do_madvise(t->mm, BASE, 16 * PG, MADV_POPULATE_WRITE), 0);
	mt_check(t);
	assert_int_equal(mt_rss(t, MM_ANONPAGES), 16);
	for (unsigned long a = BASE; a < BASE + 16 * PG; a += PG)
		assert_true(pte_write(*mt_pte(t, a)));
	t->faults = 0;
	mt_fill(t, BASE, 16 * PG, 0x9);
	assert_int_equal(t->faults, 0);
	/* a read-only VMA cannot be write-populated; a hole is -ENOMEM */
	assert_int_equal(do_madvise(t->mm, BASE + 16 * PG, 4 * PG, MADV_POPULATE_WRITE), -EINVAL);
	assert_int_equal(do_madvise(t->mm, BASE + 16 * PG, 8 * PG, MADV_POPULATE_READ), -ENOMEM);
	mt_check(t);
	mt_done(t);
}

/* MADV_COLD: the PTEs are made old and the pages leave the active list. */
static void test_madvise_cold_ages_and_deactivates(void **state)
{
	struct mt *t = mt_boot("1");

	(void)state;
	mt_map(t, BASE, 8 * PG, RW, ANONP);
	mt_fill(t, BASE, 8 * PG, 0x3);
	assert_int_equal(do_madvise(t->mm, BASE, 8 * PG, MADV_COLD), 0);
	lru_add_drain_all(t->k);
	mt_check(t);
	for (unsigned long a = BASE; a < BASE + 8 * PG; a += PG) {
		const pte_t *pte = mt_pte(t, a);

		assert_false(pte_young(*pte));
		assert_false(PageActive(pte_page(t->k, *pte)));
		assert_false(PageReferenced(pte_page(t->k, *pte)));
	}
	assert_int_equal(mt_count_pattern(t, BASE, 8 * PG, BASE, 0x3), 8);
	mt_done(t);
}

/*
 * MADV_WILLNEED on a file mapping reads one readahead window (32 pages, 128 KiB) of the file
 * into the page cache from the advised offset, clipped to the file; nothing is mapped, no
 * fault is counted. On tmpfs it reads nothing (its pages live only in the cache: there is no
 * swap to read back).
 *   file (kmmfs, 64 pages):  [0 .. 7 not read][8 ........ 39 read ahead][40 .. 63 not read]
 */
static void test_madvise_willneed_reads_ahead_a_file(void **state)
{
	struct mt *t = mt_boot("1");
	static uint8_t data[64 * 4096];
	struct file *file = NULL;
	unsigned long populate = 0, pgfault0 = t->k->vm_events[PGFAULT];
	unsigned char vec[64];

	(void)state;
	memset(data, 0x7e, sizeof(data));
	assert_int_equal(vfs_create_file(t->k, "/mnt/disk/willneed", data, sizeof(data)), 0);
	assert_int_equal(filp_open(t->k, "/mnt/disk/willneed", O_RDONLY, &file), 0);
	/* a fresh open of a created file: drop what creating it left in the cache */
	invalidate_mapping_pages(t->k, file->f_mapping, 0, 63);
	assert_int_equal(do_mmap(t->mm, file, BASE, 64 * PG, PROT_READ, MAP_PRIVATE | MAP_FIXED, 0,
				 &populate),
			 BASE);
	assert_int_equal(do_mincore(t->mm, BASE, 64 * PG, vec), 0);
	for (int i = 0; i < 64; i++)
		assert_int_equal(vec[i], 0);
	assert_int_equal(do_madvise(t->mm, BASE + 8 * PG, 56 * PG, MADV_WILLNEED), 0);
	mt_check(t);
	assert_int_equal(do_mincore(t->mm, BASE, 64 * PG, vec), 0);
	for (int i = 0; i < 64; i++)
		assert_int_equal(vec[i], i >= 8 && i < 40);
	assert_int_equal(t->k->vm_events[PGFAULT], pgfault0);
	assert_null(mt_pte(t, BASE + 8 * PG));
	assert_int_equal(do_munmap(t->mm, BASE, 64 * PG), 0);
	fput(t->k, file);
	mt_done(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_madvise_refuses_bad_arguments),
		cmocka_unit_test(test_madvise_flags_split_merge_and_skip_holes),
		cmocka_unit_test(test_madvise_dontneed_and_free_as_the_capture),
		cmocka_unit_test(test_madvise_dontneed_and_locked_vmas),
		cmocka_unit_test(test_madvise_populate_read_then_write),
		cmocka_unit_test(test_madvise_cold_ages_and_deactivates),
		cmocka_unit_test(test_madvise_willneed_reads_ahead_a_file),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
