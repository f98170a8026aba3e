/*
 * tmpfs pages in swap (mm/shmem.c's shmem_writepage, shmem_swapin_folio, shmem_undo_range,
 * shmem_unuse; mm/madvise.c's force_shm_swapin_readahead; fs/proc/task_mmu.c's shmem swap).
 * Shared anonymous memory and tmpfs files are written out by reclaim (MADV_PAGEOUT here:
 * reclaim_pages over the advised range), read back by faults, read(), MADV_WILLNEED and
 * swapoff, and dropped with their file. User data is checksummed across every trip and
 * kmm_check runs after every step (its tmpfs rows: every swap entry in a tmpfs page cache
 * names a slot tmpfs owns, info->swapped counts them, alloced covers cached + swapped).
 *
 * Expected values are 6.1's rules worked by hand:
 *   - reclaim of a dirty tmpfs folio: try_to_unmap clears its PTEs (a file page: no swap PTE),
 *     pageout calls shmem_writepage: a slot whose count becomes SWAP_MAP_SHMEM (0xbf), the
 *     folio moves from the file's cache to the swap cache, the file's slot keeps the entry;
 *     NR_SHMEM and nrpages drop by one, info->swapped grows by one, pswpout counts it. zram
 *     writes synchronously, so the folio is freed in the same pass (NR_SWAPCACHE back to 0);
 *     a plain disk writes asynchronously, so the folio stays in the swap cache (written,
 *     clean) until a fault or a later pass;
 *   - a fault on the page (shmem_fault): in the swap cache, a minor fault; else read from
 *     the device with swap_cluster_readahead (page-cluster 0: the page alone), a major fault
 *     (pgmajfault + 1, VM_FAULT_MAJOR); then the page is back in the file, dirty, its slot
 *     free, NR_SHMEM + 1;
 *   - no swap device: shmem_writepage redirties the folio (AOP_WRITEPAGE_ACTIVATE): it stays
 *     in the file, activated (pgactivate + 1), its PTE already gone;
 *   - MADV_WILLNEED on a tmpfs mapping reads the swapped pages into the swap cache without
 *     mapping them; the later faults are minor;
 *   - smaps of a shared tmpfs mapping counts its file's swapped pages in Swap (SwapPss and
 *     VmSwap count PTE swap entries only: 0 here).
 */
#include "mm_test.h"

#include "fs/fs.h"
#include "mm/mman.h"
#include "mm/pagemap.h"
#include "mm/shmem.h"
#include "mm/swap_state.h"
#include "mm/swapfile.h"

#include <stdlib.h>
#include <string.h>

#define P  PAGE_SIZE
#define RW (PROT_READ | PROT_WRITE)
#define SA (MAP_SHARED | MAP_ANONYMOUS)

static struct kmm_machine *boot(void)
{
	struct kmm_config cfg;

	kmm_config_init(&cfg);
	assert_int_equal(kmm_config_set_ram(&cfg, 256ull << 20), KMM_OK);
	assert_int_equal(kmm_config_option(&cfg, "-cpu", "cortex-a57"), KMM_OK);
	return test_machine(&cfg);
}

static void swap_on(struct kmm_machine *m, enum swap_dev_kind kind, const char *name)
{
	struct swap_dev *dev = NULL;

	assert_int_equal(swap_dev_create(&m->kernel, kind, name, 16ull << 20, NULL, &dev), 0);
	assert_int_equal(sys_swapon(&m->kernel, dev, 0), 0);
	swap_set_page_cluster(&m->kernel, 0); /* no readahead: one read per page */
	ut_check(m);
}

static unsigned long ev(struct kmm_machine *m, enum vm_event_item i)
{
	return m->kernel.vm_events[i];
}

static uint64_t pattern(uint64_t va, uint64_t seed)
{
	return (va * 0x9e3779b97f4a7c15ull) ^ (seed << 32) ^ 0xa5a5;
}

static void fill(struct utask *u, uint64_t va, unsigned n, uint64_t seed)
{
	for (unsigned i = 0; i < n; i++)
		for (unsigned w = 0; w < 4; w++)
			ut_store64(u, va + i * P + w * 1000, pattern(va + i * P + w * 1000, seed));
}

static void verify(struct utask *u, uint64_t va, unsigned n, uint64_t seed)
{
	for (unsigned i = 0; i < n; i++)
		for (unsigned w = 0; w < 4; w++)
			assert_int_equal(ut_load64(u, va + i * P + w * 1000),
					 pattern(va + i * P + w * 1000, seed));
}

static struct inode *inode_at(struct utask *u, uint64_t va)
{
	struct vm_area_struct *vma = find_vma(u->t.mm, va);

	assert_non_null(vma);
	assert_true(vma_is_shmem(vma));
	return file_inode(vma->vm_file);
}

static unsigned long inuse(struct kmm_machine *m)
{
	return swp_swap_info(&m->kernel, swp_entry(0, 0))->inuse_pages;
}

/* Every page of the file at 0..n-1 is in swap: a value entry naming a slot tmpfs owns. */
static void assert_all_swapped(struct kmm_machine *m, struct inode *inode, unsigned n)
{
	for (unsigned i = 0; i < n; i++) {
		void *e = xa_load(&inode->i_mapping->i_pages, i);
		unsigned long v;

		assert_true(e && xa_is_value(e));
		v = xa_to_value(e);
		assert_int_equal(swap_map_byte(&m->kernel, swp_entry((unsigned)(v >> 58),
								     v & ((1ul << 58) - 1))) &
					 ~SWAP_HAS_CACHE,
				 SWAP_MAP_SHMEM);
	}
	assert_int_equal(SHMEM_I(inode)->swapped, n);
	assert_int_equal(inode->i_mapping->nrpages, 0);
}

/* zram: MADV_PAGEOUT writes every page out and frees it; faults read each back (major). */
static void test_shmem_swap_zram_roundtrip(void **state)
{
	struct kmm_machine *m = boot();
	const unsigned n = 32;
	unsigned long shmem0, maj, out0, in0;
	struct inode *inode;
	struct utask u;
	uint64_t va;

	(void)state;
	swap_on(m, SWAP_DEV_ZRAM, "/dev/zram0");
	ut_init(&u, m, 1);
	va = ut_mmap(&u, 0, n * P, RW, SA);
	fill(&u, va, n, 1);
	inode = inode_at(&u, va);
	shmem0 = node_stat(m, NR_SHMEM);
	out0 = ev(m, PSWPOUT);
	assert_int_equal(ut_rss(&u, MM_SHMEMPAGES), n);
	assert_int_equal(do_madvise(u.t.mm, va, n * P, MADV_PAGEOUT), 0);
	ut_check(m);
	for (unsigned i = 0; i < n; i++)
		assert_int_equal(ut_pte(&u, va + i * P), 0); /* a file page leaves no swap PTE */
	assert_all_swapped(m, inode, n);
	assert_int_equal(node_stat(m, NR_SHMEM), shmem0 - n);
	assert_int_equal(node_stat(m, NR_SWAPCACHE), 0);
	assert_int_equal(ev(m, PSWPOUT) - out0, n);
	assert_int_equal(inuse(m), n);
	assert_int_equal(ut_rss(&u, MM_SHMEMPAGES), 0);
	assert_int_equal(ut_rss(&u, MM_SWAPENTS), 0);
	assert_int_equal(SHMEM_I(inode)->alloced, n); /* the blocks stay charged */

	maj = ev(m, PGMAJFAULT);
	in0 = ev(m, PSWPIN);
	verify(&u, va, n, 1);
	assert_int_equal(ev(m, PGMAJFAULT) - maj, n);
	assert_int_equal(ev(m, PSWPIN) - in0, n);
	assert_int_equal(SHMEM_I(inode)->swapped, 0);
	assert_int_equal(inode->i_mapping->nrpages, n);
	assert_int_equal(node_stat(m, NR_SHMEM), shmem0);
	assert_int_equal(node_stat(m, NR_SWAPCACHE), 0);
	assert_int_equal(inuse(m), 0);
	assert_int_equal(ut_rss(&u, MM_SHMEMPAGES), n);
	ut_check(m);
	ut_exit(&u);
	ut_check(m);
	test_machine_done(m);
}

/*
 * A plain disk writes asynchronously: after the pass the folios sit written in the swap
 * cache; faults find them there (no major fault, no read) and free the slots.
 */
static void test_shmem_swap_plain_cache_hit(void **state)
{
	struct kmm_machine *m = boot();
	const unsigned n = 16;
	unsigned long maj, in0;
	struct inode *inode;
	struct utask u;
	uint64_t va;

	(void)state;
	swap_on(m, SWAP_DEV_PLAIN, "/dev/vdb");
	ut_init(&u, m, 1);
	va = ut_mmap(&u, 0, n * P, RW, SA);
	fill(&u, va, n, 2);
	inode = inode_at(&u, va);
	assert_int_equal(do_madvise(u.t.mm, va, n * P, MADV_PAGEOUT), 0);
	swap_io_drain(&m->kernel);
	ut_check(m);
	assert_all_swapped(m, inode, n);
	assert_int_equal(node_stat(m, NR_SWAPCACHE), n);
	maj = ev(m, PGMAJFAULT);
	in0 = ev(m, PSWPIN);
	verify(&u, va, n, 2);
	assert_int_equal(ev(m, PGMAJFAULT), maj);
	assert_int_equal(ev(m, PSWPIN), in0);
	assert_int_equal(SHMEM_I(inode)->swapped, 0);
	assert_int_equal(node_stat(m, NR_SWAPCACHE), 0);
	assert_int_equal(inuse(m), 0);
	ut_check(m);
	ut_exit(&u);
	ut_check(m);
	test_machine_done(m);
}

/* Without swap the folios are redirtied and activated: still in the file, data intact. */
static void test_shmem_no_swap_keeps_pages(void **state)
{
	struct kmm_machine *m = boot();
	const unsigned n = 8;
	unsigned long act0, maj;
	struct inode *inode;
	struct utask u;
	uint64_t va;

	(void)state;
	ut_init(&u, m, 1);
	va = ut_mmap(&u, 0, n * P, RW, SA);
	fill(&u, va, n, 3);
	inode = inode_at(&u, va);
	act0 = ev(m, PGACTIVATE);
	assert_int_equal(do_madvise(u.t.mm, va, n * P, MADV_PAGEOUT), 0);
	ut_check(m);
	assert_int_equal(ev(m, PGACTIVATE) - act0, n);
	assert_int_equal(inode->i_mapping->nrpages, n);
	assert_int_equal(SHMEM_I(inode)->swapped, 0);
	for (unsigned i = 0; i < n; i++) {
		struct folio *f = filemap_get_folio(&m->kernel, inode->i_mapping, i);

		assert_non_null(f);
		assert_true(folio_test_dirty(f) && folio_test_active(f));
		assert_int_equal(ut_pte(&u, va + i * P), 0);
		folio_put(&m->kernel, f);
	}
	maj = ev(m, PGMAJFAULT);
	verify(&u, va, n, 3);
	assert_int_equal(ev(m, PGMAJFAULT), maj);
	ut_check(m);
	ut_exit(&u);
	ut_check(m);
	test_machine_done(m);
}

/*
 * A tmpfs file: four written pages go to swap through a shared mapping, which is then
 * unmapped. ftruncate to 2 pages + 100 bytes reads the partial page back (its tail zeroed)
 * and frees page 3's slot; pages 0 and 1 stay in swap until read() brings them back; the
 * unlink frees the file with nothing left in swap.
 */
static void test_shmem_swap_truncate_read_evict(void **state)
{
	struct kmm_machine *m = boot();
	const unsigned n = 4;
	const loff_t size = 2 * P + 100;
	uint8_t data[4 * 4096], got[4 * 4096];
	struct file *f = NULL;
	struct inode *inode;
	struct utask u;
	unsigned long va;

	(void)state;
	for (size_t i = 0; i < sizeof(data); i++)
		data[i] = (uint8_t)(i * 7 + (i >> 12));
	swap_on(m, SWAP_DEV_ZRAM, "/dev/zram0");
	assert_int_equal(vfs_create_file(&m->kernel, "/tmp/swapped", data, sizeof(data)), 0);
	assert_int_equal(filp_open(&m->kernel, "/tmp/swapped", O_RDWR, &f), 0);
	inode = file_inode(f);
	ut_init(&u, m, 1);
	set_current_task(u.k, &u.t);
	va = vm_mmap_pgoff(u.t.mm, f, 0, n * P, RW, MAP_SHARED, 0);
	assert_true(va < -4096ul);
	/* one load maps all four: fault-around maps the cached neighbours (fault_around_bytes) */
	assert_int_equal(ut_load64(&u, va), *(uint64_t *)data);
	for (unsigned i = 0; i < n; i++)
		assert_true(pte_present(__pte(ut_pte(&u, va + i * P))));
	assert_int_equal(do_madvise(u.t.mm, va, n * P, MADV_PAGEOUT), 0);
	assert_int_equal(do_munmap(u.t.mm, va, n * P), 0);
	ut_check(m);
	assert_all_swapped(m, inode, n);
	assert_int_equal(inuse(m), 4);

	assert_int_equal(vfs_ftruncate(&m->kernel, f, size), 0);
	ut_check(m);
	assert_int_equal(SHMEM_I(inode)->swapped, 2);	/* pages 0 and 1 */
	assert_int_equal(inode->i_mapping->nrpages, 1); /* page 2, read back */
	assert_int_equal(inuse(m), 2);
	assert_int_equal(SHMEM_I(inode)->alloced, 3);

	memset(got, 0xee, sizeof(got));
	assert_int_equal(vfs_pread(&m->kernel, f, got, sizeof(got), 0), size);
	assert_memory_equal(got, data, (size_t)size);
	ut_check(m);
	assert_int_equal(SHMEM_I(inode)->swapped, 0);
	assert_int_equal(inuse(m), 0);
	/* the zeroed tail: extend the file again and read past the old end */
	assert_int_equal(vfs_ftruncate(&m->kernel, f, 3 * P), 0);
	assert_int_equal(vfs_pread(&m->kernel, f, got, P, 2 * P), P);
	assert_memory_equal(got, data + 2 * P, 100);
	for (size_t i = 100; i < P; i++)
		assert_int_equal(got[i], 0);

	/* back to swap, then the file goes: its slots with it */
	va = vm_mmap_pgoff(u.t.mm, f, 0, 3 * P, RW, MAP_SHARED, 0);
	for (unsigned i = 0; i < 3; i++)
		ut_load64(&u, va + i * P);
	assert_int_equal(do_madvise(u.t.mm, va, 3 * P, MADV_PAGEOUT), 0);
	assert_int_equal(do_munmap(u.t.mm, va, 3 * P), 0);
	assert_int_equal(inuse(m), 3);
	fput(&m->kernel, f);
	assert_int_equal(vfs_unlink(&m->kernel, "/tmp/swapped"), 0);
	ut_check(m);
	assert_int_equal(inuse(m), 0);
	assert_int_equal(shm_mnt_sb(&m->kernel)->s_used_blocks, 0);
	ut_exit(&u);
	ut_check(m);
	test_machine_done(m);
}

/* swapoff brings a tmpfs mapping's pages back into its file (shmem_unuse): minor faults after. */
static void test_shmem_swapoff_brings_back(void **state)
{
	struct kmm_machine *m = boot();
	const unsigned n = 24;
	unsigned long maj, shmem0;
	struct inode *inode;
	struct utask u;
	uint64_t va;

	(void)state;
	swap_on(m, SWAP_DEV_ZRAM, "/dev/zram0");
	ut_init(&u, m, 1);
	va = ut_mmap(&u, 0, n * P, RW, SA);
	fill(&u, va, n, 4);
	inode = inode_at(&u, va);
	shmem0 = node_stat(m, NR_SHMEM);
	assert_int_equal(do_madvise(u.t.mm, va, n * P, MADV_PAGEOUT), 0);
	assert_all_swapped(m, inode, n);
	assert_int_equal(sys_swapoff(&m->kernel, "/dev/zram0"), 0);
	ut_check(m);
	assert_int_equal(SHMEM_I(inode)->swapped, 0);
	assert_int_equal(inode->i_mapping->nrpages, n);
	assert_int_equal(node_stat(m, NR_SHMEM), shmem0);
	maj = ev(m, PGMAJFAULT);
	verify(&u, va, n, 4);
	assert_int_equal(ev(m, PGMAJFAULT), maj);
	ut_check(m);
	ut_exit(&u);
	ut_check(m);
	test_machine_done(m);
}

/*
 * The public API: a shared anonymous mapping paged out shows its swap in smaps (Swap 64 kB,
 * SwapPss 0, VmSwap 0, Rss 64 kB less); MADV_WILLNEED reads the 16 pages into the swap cache
 * (swapped still 16, Swap still 64 kB) and the touches after it are minor faults.
 */
static void test_shmem_swap_views_and_willneed(void **state)
{
	struct kmm_machine *m = boot();
	struct kmm_swap_config sc = {
		.kind = KMM_SWAP_ZRAM, .name = "/dev/zram0", .bytes = 16ull << 20};
	const unsigned n = 16;
	unsigned long maj;
	kmm_pid_t pid;
	kmm_va_t va;
	long rss;

	(void)state;
	assert_int_equal(kmm_swapon(m, &sc), KMM_OK);
	swap_set_page_cluster(&m->kernel, 0);
	assert_int_equal(kmm_task_create(m, "shm", 0, &pid), KMM_OK);
	assert_int_equal(kmm_mmap(m, pid, 0, n * P, KMM_PROT_READ | KMM_PROT_WRITE,
				  KMM_MAP_SHARED | KMM_MAP_ANONYMOUS, -1, 0, &va),
			 KMM_OK);
	assert_int_equal(
		kmm_task_touch(m, pid, KMM_ACCESS_STORE, va, n * P, 0, KMM_TOUCH_SEQ, 0xbeef, NULL),
		KMM_OK);
	rss = test_view_kb(m, pid, "smaps_rollup", "Rss"); /* the task's stack page beside them */
	assert_int_equal(kmm_madvise(m, pid, va, n * P, KMM_MADV_PAGEOUT), KMM_OK);
	ut_check(m);
	assert_int_equal(test_view_kb(m, pid, "smaps_rollup", "Swap"), n * 4);
	assert_int_equal(test_view_kb(m, pid, "smaps_rollup", "SwapPss"), 0);
	assert_int_equal(test_view_kb(m, pid, "status", "VmSwap"), 0);
	assert_int_equal(test_view_kb(m, pid, "smaps_rollup", "Rss"), rss - n * 4);
	assert_int_equal(kmm_madvise(m, pid, va, n * P, KMM_MADV_WILLNEED), KMM_OK);
	ut_check(m);
	assert_int_equal(node_stat(m, NR_SWAPCACHE), n);
	assert_int_equal(test_view_kb(m, pid, "smaps_rollup", "Swap"), n * 4);
	maj = ev(m, PGMAJFAULT);
	for (unsigned i = 0; i < n; i++) {
		uint64_t v = 0;

		assert_int_equal(kmm_task_access(m, pid, KMM_ACCESS_LOAD, va + i * P, &v, 8, NULL),
				 KMM_OK);
		assert_int_equal(v, 0xbeef);
	}
	assert_int_equal(ev(m, PGMAJFAULT), maj);
	assert_int_equal(test_view_kb(m, pid, "smaps_rollup", "Swap"), 0);
	assert_int_equal(node_stat(m, NR_SWAPCACHE), 0);
	ut_check(m);
	assert_int_equal(kmm_task_exit(m, pid, 0), KMM_OK);
	ut_check(m);
	test_machine_done(m);
}

/*
 * Memory pressure: a 128 MiB machine fills a 160 MiB shared anonymous mapping (more than its
 * RAM) with zram swap on: kswapd and direct reclaim write tmpfs pages out through
 * shmem_writepage (before, the tmpfs pages could not leave and the task was OOM-killed),
 * and every page reads back with its own value.
 */
static void test_shmem_larger_than_ram(void **state)
{
	struct kmm_config cfg;
	struct kmm_machine *m;
	const unsigned n = (160u << 20) / P;
	struct inode *inode;
	struct utask u;
	uint64_t va;

	(void)state;
	kmm_config_init(&cfg);
	assert_int_equal(kmm_config_set_ram(&cfg, 128ull << 20), KMM_OK);
	m = test_machine(&cfg);
	{
		struct swap_dev *dev = NULL;

		assert_int_equal(swap_dev_create(&m->kernel, SWAP_DEV_ZRAM, "/dev/zram0",
						 256ull << 20, NULL, &dev),
				 0);
		assert_int_equal(sys_swapon(&m->kernel, dev, 0), 0);
	}
	ut_init(&u, m, 1);
	va = ut_mmap(&u, 0, (unsigned long)n * P, RW, SA);
	for (unsigned i = 0; i < n; i++)
		ut_store64(&u, va + (uint64_t)i * P + (i % 512) * 8, pattern(i, 6));
	inode = inode_at(&u, va);
	assert_true(SHMEM_I(inode)->swapped > n / 4); /* at least 40 of the 160 MiB went out */
	assert_int_equal(SHMEM_I(inode)->swapped + inode->i_mapping->nrpages, n);
	assert_int_equal(m->kernel.vm_events[OOM_KILL], 0);
	ut_check(m);
	for (unsigned i = 0; i < n; i++)
		assert_int_equal(ut_load64(&u, va + (uint64_t)i * P + (i % 512) * 8),
				 pattern(i, 6));
	ut_check(m);
	ut_exit(&u);
	ut_check(m);
	assert_int_equal(inuse(m), 0);
	test_machine_done(m);
}

/*
 * MADV_REMOVE punches a hole (shmem_fallocate's PUNCH_HOLE): of 8 written pages, 2 and 3 in
 * swap, removing pages 1..4 drops pages 1 and 4 from the file and frees the slots of 2 and
 * 3; the hole reads zeros, pages 0 and 5..7 keep their values, alloced falls to 4. A private
 * anonymous mapping has no file: -EINVAL (6.1's check), nothing changed.
 */
static void test_shmem_madv_remove_punches_hole(void **state)
{
	struct kmm_machine *m = boot();
	const unsigned n = 8;
	struct inode *inode;
	struct utask u;
	uint64_t va, pva;

	(void)state;
	swap_on(m, SWAP_DEV_ZRAM, "/dev/zram0");
	ut_init(&u, m, 1);
	va = ut_mmap(&u, 0, n * P, RW, SA);
	fill(&u, va, n, 7);
	inode = inode_at(&u, va);
	assert_int_equal(do_madvise(u.t.mm, va + 2 * P, 2 * P, MADV_PAGEOUT), 0);
	assert_int_equal(SHMEM_I(inode)->swapped, 2);
	assert_int_equal(inuse(m), 2);
	assert_int_equal(do_madvise(u.t.mm, va + P, 4 * P, MADV_REMOVE), 0);
	ut_check(m);
	assert_int_equal(SHMEM_I(inode)->swapped, 0);
	assert_int_equal(inuse(m), 0);
	assert_int_equal(inode->i_mapping->nrpages, 4);
	assert_int_equal(SHMEM_I(inode)->alloced, 4);
	for (unsigned i = 1; i <= 4; i++) {
		assert_int_equal(ut_pte(&u, va + i * P), 0);
		assert_int_equal(ut_load64(&u, va + i * P), 0);
	}
	verify(&u, va, 1, 7);
	verify(&u, va + 5 * P, 3, 7);
	pva = ut_mmap(&u, 0, 2 * P, RW, MAP_PRIVATE | MAP_ANONYMOUS);
	assert_int_equal(do_madvise(u.t.mm, pva, 2 * P, MADV_REMOVE), -EINVAL);
	ut_check(m);
	ut_exit(&u);
	ut_check(m);
	test_machine_done(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_shmem_swap_zram_roundtrip),
		cmocka_unit_test(test_shmem_swap_plain_cache_hit),
		cmocka_unit_test(test_shmem_no_swap_keeps_pages),
		cmocka_unit_test(test_shmem_swap_truncate_read_evict),
		cmocka_unit_test(test_shmem_swapoff_brings_back),
		cmocka_unit_test(test_shmem_swap_views_and_willneed),
		cmocka_unit_test(test_shmem_larger_than_ram),
		cmocka_unit_test(test_shmem_madv_remove_punches_hole),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
