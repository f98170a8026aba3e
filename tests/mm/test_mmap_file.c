/*
 * File and shared mappings through the fault path: a private file mapping read (filemap_fault
 * + do_read_fault, a file PTE: MM_FILEPAGES, NR_FILE_MAPPED), written (do_cow_fault: an anon
 * copy, the file unchanged), a shared file mapping written (do_shared_fault with
 * page_mkwrite: the page cache page dirtied, the file changed), MAP_SHARED|MAP_ANONYMOUS as
 * shmem shared across fork, unmap_mapping_range keeping COW copies, rmap_walk over i_mmap.
 *
 * Covers: src/mm/memory.c (do_fault family, do_set_pte, unmap_mapping_range), src/mm/mmap.c
 * (file and shmem mappings), src/mm/rmap.c (rmap_walk_file). Expected values follow the
 * kernel's rules given in the comments; file contents are checksummed.
 */
#include "mm_test.h"

#include "fs/fs.h"
#include "mm/pagemap.h"

#define P  PAGE_SIZE
#define RW (PROT_READ | PROT_WRITE)

static struct kmm_machine *boot(void)
{
	struct kmm_config cfg;

	kmm_config_init(&cfg);
	assert_int_equal(kmm_config_set_ram(&cfg, 1ull << 30), KMM_OK);
	return test_machine(&cfg);
}

static uint64_t word(unsigned page, unsigned i)
{
	return 0x5151000000000000ull | (uint64_t)page << 16 | i;
}

/* A 4-page file (kmmfs under /mnt/disk/: page cache pages, MM_FILEPAGES) whose page p holds
 * word(p, i) at each 8-byte slot i; opened O_RDWR. */
static struct file *make_file(struct kmm_machine *m, const char *path)
{
	static uint64_t data[4 * 512];
	struct file *f = NULL;

	for (unsigned p = 0; p < 4; p++)
		for (unsigned i = 0; i < 512; i++)
			data[p * 512 + i] = word(p, i);
	assert_int_equal(vfs_create_file(&m->kernel, path, data, sizeof(data)), 0);
	assert_int_equal(filp_open(&m->kernel, path, O_RDWR, &f), 0);
	return f;
}

static uint64_t file_word(struct kmm_machine *m, struct file *f, unsigned page, unsigned i)
{
	uint64_t v = 0;
	loff_t pos = (loff_t)(page * P + i * 8);

	assert_int_equal(filemap_read(&m->kernel, f, &v, 8, &pos), 8);
	return v;
}

static unsigned long file_map(struct utask *u, struct file *f, int prot, int flags)
{
	set_current_task(u->k, &u->t);
	return vm_mmap_pgoff(u->t.mm, f, 0, 4 * P, (unsigned long)prot, (unsigned long)flags, 0);
}

/*
 * MAP_PRIVATE: a read maps the page cache page (rss file + 1, NR_FILE_MAPPED + 1); a write to
 * another page copies it into an anon page (do_cow_fault) and the file keeps its data; a
 * write after a read copies too (do_wp_page on a file page: wp_page_copy).
 */
static void test_file_private_read_then_cow(void **state)
{
	struct kmm_machine *m = boot();
	struct utask u;
	struct file *f = make_file(m, "/mnt/disk/data4");
	unsigned long va, mapped;

	ut_init(&u, m, 1);
	mapped = node_stat(m, NR_FILE_MAPPED);
	va = file_map(&u, f, RW, MAP_PRIVATE);
	assert_false(IS_ERR_VALUE(va));
	assert_int_equal(ut_load64(&u, va + 8), word(0, 1));
	assert_int_equal(ut_rss(&u, MM_FILEPAGES), 1);
	assert_int_equal(node_stat(m, NR_FILE_MAPPED), mapped + 1);
	ut_check(m);
	/* a write to page 2, never read: do_cow_fault */
	ut_store64(&u, va + 2 * P, 77);
	assert_int_equal(ut_rss(&u, MM_ANONPAGES), 1);
	assert_int_equal(ut_load64(&u, va + 2 * P + 8), word(2, 1));
	assert_int_equal(file_word(m, f, 2, 0), word(2, 0));
	/* a write to page 0 after its read: wp_page_copy of the file page */
	ut_store64(&u, va, 88);
	assert_int_equal(ut_rss(&u, MM_FILEPAGES), 0);
	assert_int_equal(ut_rss(&u, MM_ANONPAGES), 2);
	assert_int_equal(node_stat(m, NR_FILE_MAPPED), mapped);
	assert_int_equal(file_word(m, f, 0, 0), word(0, 0));
	assert_int_equal(ut_load64(&u, va), 88);
	ut_check(m);
	ut_exit(&u);
	fput(&m->kernel, f);
	test_machine_done(m);
}

/*
 * MAP_SHARED on a file with page_mkwrite (write-notify: the PTEs start read-only): a write
 * dirties the page cache page and the file reads the new data; a read then write goes
 * through wp_page_shared. No anon pages.
 */
static void test_file_shared_write(void **state)
{
	struct kmm_machine *m = boot();
	struct utask u;
	struct file *f = make_file(m, "/mnt/disk/data4s");
	unsigned long va;
	struct page *page;

	ut_init(&u, m, 1);
	va = file_map(&u, f, RW, MAP_SHARED);
	assert_false(IS_ERR_VALUE(va));
	assert_true(vma_lookup(u.t.mm, va)->vm_page_prot & PTE_RDONLY);
	ut_store64(&u, va + P, 0xabc);
	page = pfn_to_page(&m->kernel, pte_pfn(__pte(ut_pte(&u, va + P))));
	assert_true(PageDirty(page));
	assert_int_equal(file_word(m, f, 1, 0), 0xabc);
	assert_int_equal(ut_load64(&u, va + 3 * P), word(3, 0));
	ut_store64(&u, va + 3 * P + 16, 0xdef); /* wp_page_shared */
	assert_int_equal(file_word(m, f, 3, 2), 0xdef);
	assert_int_equal(ut_rss(&u, MM_ANONPAGES), 0);
	/*
	 * The load of page 3 faulted around it (filemap_map_pages): the first fault's read-around
	 * cached all 4 pages, so pages 0, 2 and 3 were mapped with it, page 1 before.
	 */
	assert_int_equal(ut_rss(&u, MM_FILEPAGES), 4);
	ut_check(m);
	/* a read-only descriptor cannot be mapped shared writable */
	{
		struct file *ro = NULL;

		assert_int_equal(filp_open(&m->kernel, "/mnt/disk/data4s", O_RDONLY, &ro), 0);
		assert_int_equal(file_map(&u, ro, RW, MAP_SHARED), (unsigned long)-EACCES);
		assert_false(IS_ERR_VALUE(file_map(&u, ro, PROT_READ, MAP_SHARED)));
		fput(&m->kernel, ro);
	}
	ut_exit(&u);
	fput(&m->kernel, f);
	test_machine_done(m);
}

/* MAP_SHARED|MAP_ANONYMOUS is shmem: after fork, a write by either is seen by the other. */
static void test_file_shared_anon_across_fork(void **state)
{
	struct kmm_machine *m = boot();
	struct utask parent, child;
	unsigned long va;

	ut_init(&parent, m, 1);
	set_current_task(parent.k, &parent.t);
	va = vm_mmap_pgoff(parent.t.mm, NULL, 0, 2 * P, RW, MAP_SHARED | MAP_ANONYMOUS, 0);
	assert_false(IS_ERR_VALUE(va));
	assert_non_null(vma_lookup(parent.t.mm, va)->vm_file);
	ut_store64(&parent, va, 1);
	assert_int_equal(ut_rss(&parent, MM_SHMEMPAGES), 1);
	memcpy(&child, &parent, sizeof(child));
	child.t.pid = 2;
	sync_mm_rss(&parent.t, parent.t.mm);
	memset(&child.t.rss_stat, 0, sizeof(child.t.rss_stat));
	child.t.mm = dup_mm(&child.t, parent.t.mm);
	assert_non_null(child.t.mm);
	/* no anon_vma: the shared PTEs are not copied, the child faults them in */
	assert_int_equal(ut_pte(&child, va), 0);
	assert_int_equal(ut_load64(&child, va), 1);
	ut_store64(&child, va + 8, 2);
	assert_int_equal(ut_load64(&parent, va + 8), 2);
	ut_store64(&parent, va + P, 3);
	assert_int_equal(ut_load64(&child, va + P), 3);
	ut_check(m);
	ut_exit(&child);
	ut_exit(&parent);
	test_machine_done(m);
}

static bool count_one(struct folio *folio, struct vm_area_struct *vma, unsigned long address,
		      void *arg)
{
	(void)folio;
	(void)vma;
	(void)address;
	++*(int *)arg;
	return true;
}

/*
 * rmap_walk of a file page finds every VMA of the i_mmap list mapping it; unmap_mapping_range
 * without even_cows zaps the file PTEs and keeps a private mapping's COW copies.
 */
static void test_file_rmap_and_unmap_mapping_range(void **state)
{
	struct kmm_machine *m = boot();
	struct utask u;
	struct file *f = make_file(m, "/mnt/disk/data4r");
	unsigned long a, b;
	struct page *page;
	int n = 0;
	struct rmap_walk_control rwc = {.arg = &n, .rmap_one = count_one};

	ut_init(&u, m, 1);
	a = file_map(&u, f, PROT_READ, MAP_SHARED);
	b = file_map(&u, f, RW, MAP_PRIVATE);
	assert_int_equal(ut_load64(&u, a), word(0, 0));
	assert_int_equal(ut_load64(&u, b), word(0, 0));
	ut_store64(&u, b + P, 5); /* a COW copy in the private mapping */
	page = pfn_to_page(&m->kernel, pte_pfn(__pte(ut_pte(&u, a))));
	assert_int_equal(page_mapcount(page), 2);
	rmap_walk(&m->kernel, page_folio(page), &rwc);
	assert_int_equal(n, 2);
	unmap_mapping_range(f->f_mapping, 0, 0, 0);
	assert_int_equal(ut_pte(&u, a), 0);
	assert_int_equal(ut_pte(&u, b), 0);
	assert_int_not_equal(ut_pte(&u, b + P), 0);
	assert_int_equal(page_mapcount(page), 0);
	assert_int_equal(ut_load64(&u, b + P), 5);
	assert_int_equal(ut_load64(&u, a + 8), word(0, 1)); /* faults back in */
	ut_check(m);
	ut_exit(&u);
	fput(&m->kernel, f);
	test_machine_done(m);
}

/*
 * A file page beyond EOF: filemap_fault's VM_FAULT_SIGBUS becomes SIGBUS BUS_ADRERR with the
 * translation fault's syndrome (EC 0x24, IL, level-3 translation 0x07: the tables exist).
 */
static void test_file_sigbus_beyond_eof(void **state)
{
	struct kmm_machine *m = boot();
	struct utask u;
	struct file *f = make_file(m, "/mnt/disk/short");
	unsigned long va;
	uint64_t v;

	ut_init(&u, m, 1);
	set_current_task(u.k, &u.t);
	va = vm_mmap_pgoff(u.t.mm, f, 0, 8 * P, PROT_READ, MAP_PRIVATE, 0); /* file: 4 pages */
	assert_int_equal(ut_load64(&u, va + 3 * P), word(3, 0));
	assert_int_equal(ut_access(&u, KMM_ACCESS_LOAD, va + 5 * P + 8, &v, 8), SIGBUS);
	assert_int_equal(u.t.last_sig.si_code, BUS_ADRERR);
	assert_int_equal(u.t.last_sig.esr, 0x92000007ull);
	assert_int_equal(u.t.last_sig.far, va + 5 * P + 8);
	ut_check(m);
	ut_exit(&u);
	fput(&m->kernel, f);
	test_machine_done(m);
}

/*
 * Dirty state of a shared tmpfs page (no page_mkwrite: the PTE is writable-clean, DBM set,
 * AP read-only): on "max" (FEAT_HAFDBS, TCR.HD) the store makes it dirty in hardware without
 * a fault; on cortex-a57 the store takes a permission fault that handle_pte_fault resolves
 * with pte_mkdirty.
 */
static void test_file_dirty_by_dbm_or_fault(void **state)
{
	const char *cpus[] = {"max", "cortex-a57"};

	for (int c = 0; c < 2; c++) {
		struct kmm_config cfg;
		struct kmm_machine *m;
		struct utask u;
		unsigned long va, flt;
		uint64_t pte;

		kmm_config_init(&cfg);
		assert_int_equal(kmm_config_set_ram(&cfg, 1ull << 30), KMM_OK);
		assert_int_equal(kmm_config_option(&cfg, "-cpu", cpus[c]), KMM_OK);
		m = test_machine(&cfg);
		ut_init(&u, m, 1);
		set_current_task(u.k, &u.t);
		va = vm_mmap_pgoff(u.t.mm, NULL, 0, P, RW, MAP_SHARED | MAP_ANONYMOUS, 0);
		assert_int_equal(ut_load64(&u, va), 0);
		pte = ut_pte(&u, va);
		assert_true((pte & PTE_WRITE) && (pte & PTE_RDONLY)); /* writable-clean */
		flt = u.t.min_flt;
		ut_store64(&u, va, 9);
		pte = ut_pte(&u, va);
		assert_false(pte & PTE_RDONLY); /* dirty */
		assert_int_equal(u.t.min_flt, flt + (c == 0 ? 0 : 1));
		ut_check(m);
		ut_exit(&u);
		test_machine_done(m);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_file_private_read_then_cow),
		cmocka_unit_test(test_file_shared_write),
		cmocka_unit_test(test_file_shared_anon_across_fork),
		cmocka_unit_test(test_file_rmap_and_unmap_mapping_range),
		cmocka_unit_test(test_file_sigbus_beyond_eof),
		cmocka_unit_test(test_file_dirty_by_dbm_or_fault),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
