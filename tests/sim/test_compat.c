/*
 * The kernel-named compat layer (include/kmm/linux/): each wrapper against the effect of the
 * kmm_* call under it, the per-thread "current" binding, and clean failures without one.
 *
 * Expected values come from the kernel's rules, not from running this code:
 *  - the default machine's RAM starts at 0x40000000 (QEMU virt), so PHYS_OFFSET is
 *    0x40000000 (memstart_addr: the start of DRAM rounded down to 1 GiB) and the struct page
 *    of PFN 0x40000 is at VMEMMAP_START 0xfffffc0000000000; struct page is 64 bytes on arm64;
 *  - kmalloc(100) comes from kmalloc-128 (the kmalloc size classes 96, 128), so ksize is 128;
 *    kmalloc(0) is ZERO_SIZE_PTR (16);
 *  - vm_mmap returns the address or -errno in the last MAX_ERRNO (4095) values: a
 *    MAP_FIXED_NOREPLACE over a mapping is -EEXIST (17); an unaligned offset -EINVAL (22);
 *  - with norandmaps the first anonymous mapping of N pages ends at 0xfffff7ffd000 (mmap_base
 *    0xfffff8000000 minus the 3 pages of [vvar] and [vdso], as in test_task_api);
 *  - get_user_pages takes one reference per page, pin_user_pages GUP_PIN_COUNTING_BIAS (1024)
 *    on an order-0 page; copy_*_user return the bytes not copied and kill no task.
 */
#include "kmm_test.h"

#include <pthread.h>

#include <kmm/linux/gfp.h>
#include <kmm/linux/mm.h>
#include <kmm/linux/sched.h>
#include <kmm/linux/slab.h>
#include <kmm/linux/uaccess.h>
#include <kmm/linux/vmalloc.h>

#define MMAP_END 0xfffff7ffd000UL

static struct kmm_machine *boot(void)
{
	struct kmm_config cfg;

	kmm_config_init(&cfg);
	cfg.nr_cpus = 2;
	assert_int_equal(kmm_config_set_ram(&cfg, 512ULL << 20), KMM_OK);
	assert_int_equal(kmm_config_append(&cfg, "norandmaps"), KMM_OK);
	return test_machine(&cfg);
}

static void check(struct kmm_machine *m)
{
	if (kmm_check(m) != KMM_OK)
		fail_msg("kmm_check: %s", kmm_last_error(m));
}

static kmm_pid_t new_task(struct kmm_machine *m, const char *comm)
{
	kmm_pid_t pid = 0;

	if (kmm_task_create(m, comm, 0, &pid))
		fail_msg("kmm_task_create: %s", kmm_last_error(m));
	return pid;
}

static int refcount(struct kmm_machine *m, kmm_pfn_t pfn)
{
	struct kmm_page_info info;

	assert_int_equal(kmm_page_info(m, pfn, &info), KMM_OK);
	return info.refcount;
}

static uint64_t checksum(const unsigned char *p, size_t n)
{
	uint64_t h = 1469598103934665603ULL;

	for (size_t i = 0; i < n; i++)
		h = (h ^ p[i]) * 1099511628211ULL;
	return h;
}

/* ---- without a binding ------------------------------------------------------------------ */

static void test_unbound(void **state)
{
	char buf[8] = "abcdefg";

	(void)state;
	assert_int_equal(kmm_linux_bind(NULL, 0), KMM_OK);
	assert_null(kmm_linux_machine());
	assert_null(kmalloc(64, GFP_KERNEL));
	assert_non_null(strstr(kmm_last_error(NULL), "kmalloc: no machine bound to this thread"));
	assert_non_null(strstr(kmm_linux_last_error(), "kmm_linux_bind"));
	assert_null(alloc_pages(GFP_KERNEL, 0));
	assert_int_equal(__get_free_pages(GFP_KERNEL, 0), 0);
	assert_null(vmalloc(4096));
	assert_null(kmem_cache_create("x", 32, 0, 0, NULL));
	kfree(buf);	       /* ignored, never followed */
	free_pages(1, 0);      /* likewise */
	vfree((void *)0x1000); /* likewise */
	{
		unsigned long r = vm_mmap(NULL, 0, 4096, PROT_READ, MAP_PRIVATE, 0);

		assert_true(IS_ERR_VALUE(r));
		assert_int_equal((long)r, -EINVAL);
	}
	assert_int_equal(vm_munmap(0x10000, 4096), -EINVAL);
	assert_int_equal(get_user_pages(0x10000, 1, 0, NULL, NULL), -EINVAL);
	assert_int_equal(copy_to_user((void __user *)0x10000, buf, sizeof(buf)), sizeof(buf));
	assert_int_equal(copy_from_user(buf, (const void __user *)0x10000, 4), 4);
	assert_int_equal(buf[0], 0); /* the kernel zeroes what it could not copy */
	assert_non_null(strstr(kmm_last_error(NULL), "copy_from_user: no machine bound"));
	assert_int_equal(kmm_linux_bind(NULL, 3), KMM_EINVAL);
}

/* ---- binding ------------------------------------------------------------------------------ */

static void test_bind(void **state)
{
	struct kmm_machine *m = boot();
	kmm_pid_t pid = new_task(m, "bind");

	(void)state;
	assert_int_equal(kmm_linux_bind(m, 0), KMM_OK);
	assert_ptr_equal(kmm_linux_machine(), m);
	assert_int_equal(kmm_linux_current_pid(), 0);
	/* a kernel-side call works without a task; a user-space one names what is missing */
	kfree(kmalloc(8, GFP_KERNEL));
	assert_int_equal((long)vm_mmap(NULL, 0, 4096, PROT_READ, MAP_PRIVATE, 0), -ESRCH);
	assert_non_null(strstr(kmm_linux_last_error(), "vm_mmap: no current task"));
	/* a pid that does not exist is refused and the binding stays */
	assert_int_equal(kmm_linux_bind(m, pid + 100), KMM_ESRCH);
	assert_ptr_equal(kmm_linux_machine(), m);
	assert_int_equal(kmm_linux_current_pid(), 0);
	assert_int_equal(kmm_linux_bind(m, -1), KMM_EINVAL);
	assert_int_equal(kmm_linux_bind(m, pid), KMM_OK);
	assert_int_equal(kmm_linux_current_pid(), pid);
	assert_int_equal(kmm_linux_current(NULL, false)->phys_offset, 0x40000000);
	check(m);
	/* destroying the bound machine unbinds this thread */
	kmm_machine_destroy(m);
	assert_null(kmm_linux_machine());
	assert_null(kmalloc(8, GFP_KERNEL));
}

/* ---- the page allocator -------------------------------------------------------------------- */

static void test_pages(void **state)
{
	struct kmm_machine *m = boot();
	struct kmm_page_info info;
	unsigned char *p, back[64];
	struct page *page;
	kmm_pfn_t pfn;

	(void)state;
	assert_int_equal(kmm_linux_bind(m, 0), KMM_OK);
	/* struct page pointers are vmemmap + pfn, the kernel's way */
	assert_int_equal((uintptr_t)pfn_to_page(0x40000), 0xfffffc0000000000ULL);
	assert_int_equal((uintptr_t)pfn_to_page(0x40001), 0xfffffc0000000040ULL);
	assert_int_equal(page_to_pfn((struct page *)(uintptr_t)0xfffffc0000000080ULL), 0x40002);

	page = alloc_pages(GFP_KERNEL, 2);
	assert_non_null(page);
	pfn = page_to_pfn(page);
	assert_int_equal(pfn & 3, 0); /* an order-2 block is aligned to 4 frames */
	assert_ptr_equal(page + 1, pfn_to_page(pfn + 1));
	assert_int_equal(refcount(m, pfn), 1);
	assert_int_equal(page_count(page), 1);
	assert_int_equal(page_to_phys(page), (uint64_t)pfn << 12);
	/* page_address: the block's bytes; the last page of it is writable too */
	p = page_address(page);
	assert_non_null(p);
	memset(p, 0x5a, 4 * PAGE_SIZE);
	assert_int_equal(kmm_phys_read(m, ((uint64_t)pfn + 3) << 12, back, sizeof(back)), KMM_OK);
	assert_int_equal(back[0], 0x5a);
	assert_int_equal(back[63], 0x5a);
	assert_int_equal(virt_to_phys(p + PAGE_SIZE + 5), ((uint64_t)pfn + 1) * PAGE_SIZE + 5);
	assert_ptr_equal(virt_to_page(p + 3 * PAGE_SIZE), page + 3);
	assert_ptr_equal(__va(__pa(p)), p);
	get_page(page);
	assert_int_equal(refcount(m, pfn), 2);
	put_page(page);
	assert_int_equal(refcount(m, pfn), 1);
	__free_pages(page, 2);
	assert_int_equal(kmm_page_info(m, pfn, &info), KMM_OK);
	assert_int_equal(info.refcount, 0);
	check(m);

	/* __get_free_pages / get_zeroed_page / free_pages */
	{
		unsigned long a = get_zeroed_page(GFP_KERNEL);
		kmm_pfn_t f;

		assert_true(a != 0);
		assert_int_equal(checksum((const unsigned char *)a, PAGE_SIZE),
				 checksum((const unsigned char[PAGE_SIZE]){0}, PAGE_SIZE));
		f = virt_to_phys((void *)a) >> PAGE_SHIFT;
		assert_int_equal(refcount(m, f), 1);
		free_page(a);
		assert_int_equal(refcount(m, f), 0);
	}
	/* alloc_pages_exact: 3 pages for 2 pages + 1 byte, each with its own reference */
	{
		void *e = alloc_pages_exact(2 * PAGE_SIZE + 1, GFP_KERNEL);
		kmm_pfn_t f;

		assert_non_null(e);
		f = virt_to_phys(e) >> PAGE_SHIFT;
		assert_int_equal(refcount(m, f + 2), 1);
		free_pages_exact(e, 2 * PAGE_SIZE + 1);
		assert_int_equal(refcount(m, f), 0);
		assert_int_equal(refcount(m, f + 2), 0);
	}
	/* a failure is NULL, with the kernel's reason (order > 10 is refused) */
	assert_null(alloc_pages(GFP_KERNEL | __GFP_NOWARN, MAX_ORDER));
	assert_non_null(strstr(kmm_linux_last_error(), "order"));
	check(m);
	assert_int_equal(kmm_linux_bind(NULL, 0), KMM_OK);
	test_machine_done(m);
}

/* ---- slab --------------------------------------------------------------------------------- */

struct compat_obj {
	uint64_t magic;
	char name[24];
};

static void obj_ctor(void *p)
{
	((struct compat_obj *)p)->magic = 0xc0ffee;
}

static unsigned long active(struct kmm_machine *m, const char *cache)
{
	struct kmm_slab_info info;

	assert_int_equal(kmm_slab_info(m, cache, &info), KMM_OK);
	return info.active_objs;
}

static void test_slab(void **state)
{
	struct kmm_machine *m = boot();
	unsigned long before = 0;
	unsigned char back[100];
	char *p, *q;

	(void)state;
	assert_int_equal(kmm_linux_bind(m, 0), KMM_OK);
	p = kmalloc(100, GFP_KERNEL);
	assert_non_null(p);
	assert_int_equal(ksize(p), 128);
	for (int i = 0; i < 100; i++)
		p[i] = (char)(i * 7);
	/* the host wrote simulated RAM: the machine sees the same bytes */
	assert_int_equal(kmm_phys_read(m, virt_to_phys(p), back, sizeof(back)), KMM_OK);
	assert_memory_equal(back, p, sizeof(back));
	/* krealloc keeps the bytes */
	q = krealloc(p, 1000, GFP_KERNEL);
	assert_non_null(q);
	assert_int_equal(ksize(q), 1024);
	assert_int_equal(checksum((unsigned char *)q, 100), checksum(back, 100));
	kfree(q);
	/* krealloc freed the old block: SLUB's per-CPU freelist hands it out next (LIFO) */
	assert_ptr_equal(kmalloc(100, GFP_KERNEL), p);
	kfree(p);
	/* kmalloc(0) and the zero-size pointer */
	assert_ptr_equal(kmalloc(0, GFP_KERNEL), ZERO_SIZE_PTR);
	kfree(ZERO_SIZE_PTR);
	kfree(NULL);
	/* kzalloc, kcalloc and an overflowing kmalloc_array */
	p = kzalloc(200, GFP_KERNEL);
	assert_non_null(p);
	assert_int_equal(checksum((unsigned char *)p, 200),
			 checksum((const unsigned char[200]){0}, 200));
	kfree(p);
	p = kcalloc(10, 10, GFP_KERNEL);
	assert_non_null(p);
	kfree(p);
	assert_null(kmalloc_array(SIZE_MAX / 2, 4, GFP_KERNEL));
	/* kfree of a host pointer that is not the machine's: refused, named, nothing freed */
	before = active(m, "kmalloc-128");
	kfree(back);
	assert_non_null(strstr(kmm_last_error(m), "kfree:"));
	assert_non_null(strstr(kmm_last_error(m), "not a pointer into the machine's RAM"));
	assert_int_equal(active(m, "kmalloc-128"), before);
	check(m);

	/* a cache with a kernel-style constructor */
	{
		struct kmem_cache *s = kmem_cache_create("compat_obj", sizeof(struct compat_obj), 8,
							 SLAB_HWCACHE_ALIGN, obj_ctor);
		struct compat_obj *o, *z;
		struct kmm_slab_info info;

		assert_non_null(s);
		o = kmem_cache_alloc(s, GFP_KERNEL);
		assert_non_null(o);
		assert_int_equal(o->magic, 0xc0ffee);
		strcpy(o->name, "kernel-style");
		assert_int_equal(kmm_kmem_cache_info(m, (kmm_cache_t)(uintptr_t)s, &info), KMM_OK);
		assert_int_equal(info.object_size, sizeof(struct compat_obj));
		/* 32 bytes aligned to the 64-byte cache line: 64 objects on an order-0 slab;
		 * slabinfo counts the CPU slab's objects all active */
		assert_int_equal(info.size, 64);
		assert_int_equal(info.objects, 64);
		assert_int_equal(info.active_objs, 64);
		z = kmem_cache_zalloc(s, GFP_KERNEL);
		assert_non_null(z);
		/* init_on_alloc (on in the reference config) leaves a ctor's cache unzeroed
		 * even for __GFP_ZERO (slab_want_init_on_alloc): the ctor's value stays */
		assert_int_equal(z->magic, 0xc0ffee);
		/* another object of the same order-0 slab, 64-byte strided */
		assert_int_equal(virt_to_phys(z) >> PAGE_SHIFT, virt_to_phys(o) >> PAGE_SHIFT);
		assert_int_equal((virt_to_phys(z) - virt_to_phys(o)) % 64, 0);
		kmem_cache_free(s, z);
		kmem_cache_free(s, o);
		assert_ptr_equal(kmem_cache_alloc(s, GFP_KERNEL), o); /* LIFO freelist */
		assert_string_equal(o->name, "kernel-style");	      /* SLUB kept the bytes */
		kmem_cache_free(s, o);
		/* shrink flushes the CPU slab and frees the empty slab */
		assert_int_equal(kmem_cache_shrink(s), 0);
		assert_int_equal(kmm_kmem_cache_info(m, (kmm_cache_t)(uintptr_t)s, &info), KMM_OK);
		assert_int_equal(info.active_objs, 0);
		assert_int_equal(info.slabs, 0);
		kmem_cache_destroy(s);
		assert_int_equal(kmm_kmem_cache_info(m, (kmm_cache_t)(uintptr_t)s, &info),
				 KMM_EINVAL);
	}
	check(m);
	assert_int_equal(kmm_linux_bind(NULL, 0), KMM_OK);
	test_machine_done(m);
}

/* ---- vmalloc ------------------------------------------------------------------------------ */

static void test_vmalloc(void **state)
{
	struct kmm_machine *m = boot();
	struct kmm_vmalloc_stats st0, st1;
	unsigned char back[16];
	char *v;

	(void)state;
	assert_int_equal(kmm_linux_bind(m, 0), KMM_OK);
	assert_int_equal(kmm_vmalloc_stats(m, &st0), KMM_OK);
	v = vmalloc(3 * PAGE_SIZE);
	assert_non_null(v);
	assert_true(is_vmalloc_addr(v));
	assert_true((uintptr_t)v >= VMALLOC_START && (uintptr_t)v < VMALLOC_END);
	assert_int_equal(kmm_vmalloc_stats(m, &st1), KMM_OK);
	assert_int_equal(st1.vmalloc_pages, st0.vmalloc_pages + 3);
	for (int i = 0; i < 3; i++) {
		struct page *pg = vmalloc_to_page(v + i * PAGE_SIZE);
		kmm_pfn_t pfn;

		assert_non_null(pg);
		assert_int_equal(kmm_vmalloc_to_pfn(m, (uintptr_t)v + i * PAGE_SIZE, &pfn), KMM_OK);
		assert_int_equal(page_to_pfn(pg), pfn);
		memset(page_address(pg), 'a' + i, PAGE_SIZE);
	}
	/* a simulated CPU reading the vmalloc address sees what the host wrote per page */
	assert_int_equal(kmm_cpu_access(m, 0, KMM_ACCESS_LOAD, (uintptr_t)v + 2 * PAGE_SIZE, back,
					sizeof(back), NULL),
			 KMM_OK);
	assert_int_equal(back[0], 'c');
	vfree(v);
	assert_int_equal(kmm_vmalloc_stats(m, &st1), KMM_OK);
	assert_int_equal(st1.vmalloc_pages, st0.vmalloc_pages);
	assert_null(vmalloc(0)); /* the kernel refuses a size of 0 */
	check(m);
	assert_int_equal(kmm_linux_bind(NULL, 0), KMM_OK);
	test_machine_done(m);
}

/* ---- user space of current ------------------------------------------------------------------ */

static void test_user(void **state)
{
	struct kmm_machine *m = boot();
	kmm_pid_t pid = new_task(m, "compat");
	unsigned char out[5000], in[5000], back[8];
	struct kmm_task_info ti;
	unsigned long a, r;

	(void)state;
	assert_int_equal(kmm_linux_bind(m, pid), KMM_OK);
	a = vm_mmap(NULL, 0, 2 * PAGE_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE, 0);
	assert_false(IS_ERR_VALUE(a));
	assert_int_equal(a, MMAP_END - 2 * PAGE_SIZE);
	check(m);
	/* MAP_FIXED_NOREPLACE over it: -EEXIST as an error value */
	r = vm_mmap(NULL, a, PAGE_SIZE, PROT_READ, MAP_PRIVATE | MAP_FIXED_NOREPLACE, 0);
	assert_true(IS_ERR_VALUE(r));
	assert_int_equal((long)r, -EEXIST);
	assert_int_equal((long)r, -17);
	r = vm_mmap(NULL, 0, PAGE_SIZE, PROT_READ, MAP_PRIVATE, 100);
	assert_int_equal((long)r, -EINVAL);
	assert_int_equal(kmm_mmap(m, pid, 0, 0, KMM_PROT_READ, KMM_MAP_PRIVATE | KMM_MAP_ANONYMOUS,
				  -1, 0, NULL),
			 KMM_EINVAL); /* unchanged: one mapping so far */

	/* copy_to_user across the page boundary, then back; the task sees the bytes */
	for (size_t i = 0; i < sizeof(out); i++)
		out[i] = (unsigned char)(i * 13 + 1);
	assert_int_equal(copy_to_user((void __user *)(a + 100), out, sizeof(out)), 0);
	assert_int_equal(kmm_task_access(m, pid, KMM_ACCESS_LOAD, a + 100 + 4999, back, 1, NULL),
			 KMM_OK);
	assert_int_equal(back[0], out[4999]);
	memset(in, 0, sizeof(in));
	assert_int_equal(copy_from_user(in, (const void __user *)(a + 100), sizeof(in)), 0);
	assert_int_equal(checksum(in, sizeof(in)), checksum(out, sizeof(out)));
	check(m);

	/* a copy that runs off the mapping: the bytes not copied, and the task lives on */
	assert_int_equal(copy_to_user((void __user *)(a + 2 * PAGE_SIZE - 10), out, 30), 20);
	assert_int_equal(copy_from_user(in, (const void __user *)(a + 2 * PAGE_SIZE - 10), 30), 20);
	assert_int_equal(checksum(in, 10), checksum(out, 10));
	assert_int_equal(in[10], 0); /* zeroed tail */
	assert_int_equal(copy_to_user((void __user *)0x1000, out, 8), 8);
	assert_false(access_ok((void __user *)(TASK_SIZE - 1), 2));
	assert_int_equal(copy_to_user((void __user *)(TASK_SIZE - 1), out, 2), 2);
	assert_int_equal(kmm_task_info(m, pid, &ti), KMM_OK);
	assert_int_equal(ti.last_signal.signo, 0);
	assert_int_equal(ti.state, 'R');
	/* clear_user */
	assert_int_equal(clear_user((void __user *)(a + 100), 300), 0);
	assert_int_equal(copy_from_user(in, (const void __user *)(a + 100), 400), 0);
	assert_int_equal(checksum(in, 300), checksum((const unsigned char[300]){0}, 300));
	assert_int_equal(in[300], out[300]);
	check(m);

	/* get_user_pages: one reference each; the frame holds what copy_to_user wrote */
	{
		struct page *pages[2];
		kmm_pfn_t f0;
		int r0;
		unsigned char *kp;

		assert_int_equal(get_user_pages(a, 2, FOLL_WRITE, pages, NULL), 2);
		f0 = page_to_pfn(pages[0]);
		r0 = refcount(m, f0);
		kp = page_address(pages[0]);
		assert_int_equal(kp[100 + 300], out[300]);
		put_page(pages[0]);
		put_page(pages[1]);
		assert_int_equal(refcount(m, f0), r0 - 1);
		/* pin_user_pages: GUP_PIN_COUNTING_BIAS */
		assert_int_equal(pin_user_pages(a, 1, FOLL_WRITE | FOLL_LONGTERM, pages, NULL), 1);
		assert_int_equal(refcount(m, f0), r0 - 1 + 1024);
		unpin_user_page(pages[0]);
		assert_int_equal(refcount(m, f0), r0 - 1);
		assert_int_equal(pin_user_pages_fast(a, 2, 0, pages), 2);
		unpin_user_pages(pages, 2);
		assert_int_equal(refcount(m, f0), r0 - 1);
		/* a range that runs off the mapping: the pages before the hole */
		assert_int_equal(get_user_pages_fast(a + PAGE_SIZE, 2, 0, pages), 1);
		put_page(pages[0]);
		assert_int_equal(get_user_pages(a + 2 * PAGE_SIZE, 1, 0, pages, NULL), -EFAULT);
		assert_int_equal(get_user_pages(a, 1, 0, NULL, NULL), 1); /* fault-in only */
		assert_int_equal(refcount(m, f0), r0 - 1);
		assert_int_equal(get_user_pages(a, 1, 0, pages, (struct vm_area_struct **)pages),
				 -EINVAL);
	}
	check(m);
	/* vm_munmap */
	assert_int_equal(vm_munmap(a + 1, PAGE_SIZE), -EINVAL);
	assert_int_equal(vm_munmap(a, 2 * PAGE_SIZE), 0);
	assert_int_equal(copy_from_user(in, (const void __user *)a, 8), 8);
	check(m);
	/* an exited current task: the kernel's ESRCH */
	assert_int_equal(kmm_task_exit(m, pid, 0), KMM_OK);
	assert_int_equal((long)vm_mmap(NULL, 0, PAGE_SIZE, PROT_READ, MAP_PRIVATE, 0), -ESRCH);
	assert_int_equal(kmm_linux_bind(NULL, 0), KMM_OK);
	test_machine_done(m);
}

/* ---- the rest of the mmap family ------------------------------------------------------------ */

static void test_mman(void **state)
{
	struct kmm_machine *m = boot();
	kmm_pid_t pid = new_task(m, "mman");
	unsigned char data[64], in[64], vec[4];
	unsigned long a, b, brk0;
	struct page *pg;

	(void)state;
	assert_int_equal(kmm_linux_bind(m, pid), KMM_OK);
	assert_int_equal(current->pid, pid);
	assert_non_null(current->mm);
	assert_int_equal(task_pid_nr(current), pid);
	/* ksys_mmap_pgoff: mmap(2) with a page offset; 4 pages below the vdso */
	a = ksys_mmap_pgoff(0, 4 * PAGE_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
			    (unsigned long)-1, 0);
	assert_int_equal(a, MMAP_END - 4 * PAGE_SIZE);
	memset(data, 0x77, sizeof(data));
	assert_int_equal(copy_to_user((void __user *)a, data, sizeof(data)), 0);
	/* mincore: page 0 resident, the others not */
	assert_int_equal(ksys_mincore(a, 4 * PAGE_SIZE, vec), 0);
	assert_int_equal(vec[0] & 1, 1);
	assert_int_equal(vec[1] & 1, 0);
	/* do_mprotect_pkey: read-only refuses copy_to_user (task alive), reads still work */
	assert_int_equal(do_mprotect_pkey(a, PAGE_SIZE, PROT_READ, 0), -EINVAL); /* no pkeys */
	assert_int_equal(do_mprotect_pkey(a, PAGE_SIZE, PROT_READ, -1), 0);
	assert_int_equal(copy_to_user((void __user *)a, data, 8), 8);
	assert_int_equal(copy_from_user(in, (const void __user *)a, sizeof(in)), 0);
	assert_memory_equal(in, data, sizeof(in));
	assert_int_equal(do_mprotect_pkey(a + 1, PAGE_SIZE, PROT_READ, -1), -EINVAL);
	assert_int_equal(do_mprotect_pkey(a, PAGE_SIZE, PROT_READ | PROT_WRITE, -1), 0);
	check(m);
	/* do_madvise(current->mm, MADV_DONTNEED): a private anonymous page reads zero after */
	assert_int_equal(do_madvise(current->mm, a, PAGE_SIZE, MADV_DONTNEED), 0);
	assert_int_equal(copy_from_user(in, (const void __user *)a, sizeof(in)), 0);
	assert_int_equal(in[0], 0);
	assert_int_equal(do_madvise((struct mm_struct *)(uintptr_t)16, a, PAGE_SIZE, 4), -EINVAL);
	check(m);
	/* mlock: faults the pages in (all resident), munlock, mlockall */
	assert_int_equal(ksys_mlock(a, 2 * PAGE_SIZE), 0);
	assert_int_equal(ksys_mincore(a, 4 * PAGE_SIZE, vec), 0);
	assert_int_equal(vec[1] & 1, 1);
	assert_int_equal(ksys_munlock(a, 2 * PAGE_SIZE), 0);
	assert_int_equal(ksys_mlock2(a, PAGE_SIZE, 0x100), -EINVAL); /* unknown flag */
	assert_int_equal(ksys_mlockall(MCL_CURRENT), 0);
	assert_int_equal(ksys_munlockall(), 0);
	assert_int_equal(ksys_msync(a, PAGE_SIZE, MS_SYNC), 0);
	assert_int_equal(ksys_msync(a, PAGE_SIZE, MS_SYNC | MS_ASYNC), -EINVAL);
	check(m);
	/* mremap: grow in place is blocked by the vdso above; MREMAP_MAYMOVE moves the data */
	memset(data, 0x42, sizeof(data));
	assert_int_equal(copy_to_user((void __user *)(a + PAGE_SIZE), data, sizeof(data)), 0);
	b = ksys_mremap(a, 4 * PAGE_SIZE, 8 * PAGE_SIZE, 0, 0);
	assert_true(IS_ERR_VALUE(b));
	assert_int_equal((long)b, -ENOMEM);
	b = ksys_mremap(a, 4 * PAGE_SIZE, 8 * PAGE_SIZE, MREMAP_MAYMOVE, 0);
	assert_false(IS_ERR_VALUE(b));
	assert_int_equal(b, a - 8 * PAGE_SIZE);
	assert_int_equal(copy_from_user(in, (const void __user *)(b + PAGE_SIZE), sizeof(in)), 0);
	assert_memory_equal(in, data, sizeof(in));
	assert_int_equal(get_user_pages(b + PAGE_SIZE, 1, 0, &pg, NULL), 1);
	assert_memory_equal(page_address(pg), data, sizeof(data));
	put_page(pg);
	check(m);
	/* brk: the break starts at 0x498000 for the default image; grow by two pages */
	brk0 = ksys_brk(0);
	assert_int_equal(brk0, 0x498000);
	assert_int_equal(ksys_brk(brk0 + 2 * PAGE_SIZE), brk0 + 2 * PAGE_SIZE);
	assert_int_equal(copy_to_user((void __user *)brk0, data, sizeof(data)), 0);
	assert_int_equal(vm_munmap(b, 8 * PAGE_SIZE), 0);
	check(m);
	assert_int_equal(kmm_linux_bind(m, 0), KMM_OK);
	assert_null(current->mm);
	assert_int_equal(ksys_mlockall(MCL_CURRENT), -ESRCH);
	assert_int_equal(kmm_linux_bind(NULL, 0), KMM_OK);
	test_machine_done(m);
}

/* ---- one binding per host thread --------------------------------------------------------- */

struct thread_arg {
	struct kmm_machine *m;
	kmm_pid_t pid;
	unsigned char fill;
	bool ok;
	unsigned long addr;
	uint64_t sum;
	pthread_barrier_t *barrier;
};

static void *thread_main(void *p)
{
	struct thread_arg *t = p;
	unsigned char buf[256], in[256];
	char *obj;

	memset(buf, t->fill, sizeof(buf));
	if (kmm_linux_bind(t->m, t->pid) != KMM_OK)
		return NULL;
	/* both threads are bound before either goes on */
	pthread_barrier_wait(t->barrier);
	obj = kmalloc(sizeof(buf), GFP_KERNEL);
	t->addr = vm_mmap(NULL, 0, PAGE_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE, 0);
	if (!obj || IS_ERR_VALUE(t->addr))
		return NULL;
	memcpy(obj, buf, sizeof(buf));
	if (copy_to_user((void __user *)t->addr, obj, sizeof(buf)) ||
	    copy_from_user(in, (const void __user *)t->addr, sizeof(in)))
		return NULL;
	kfree(obj);
	t->sum = checksum(in, sizeof(in));
	pthread_barrier_wait(t->barrier);
	t->ok = kmm_linux_machine() == t->m && kmm_linux_current_pid() == t->pid;
	kmm_linux_bind(NULL, 0);
	return NULL;
}

static void test_threads(void **state)
{
	struct kmm_machine *m1 = boot(), *m2 = boot();
	pthread_barrier_t barrier;
	struct thread_arg a1 = {m1, 0, 0x11, false, 0, 0, &barrier};
	struct thread_arg a2 = {m2, 0, 0x22, false, 0, 0, &barrier};
	unsigned char e1[256], e2[256], back[4];
	pthread_t t1, t2;

	(void)state;
	a1.pid = new_task(m1, "one");
	new_task(m2, "first"); /* m2's task is its second: a pid m1 does not have */
	a2.pid = new_task(m2, "two");
	memset(e1, 0x11, sizeof(e1));
	memset(e2, 0x22, sizeof(e2));
	assert_int_equal(kmm_linux_bind(NULL, 0), KMM_OK);
	pthread_barrier_init(&barrier, NULL, 2);
	assert_int_equal(pthread_create(&t1, NULL, thread_main, &a1), 0);
	assert_int_equal(pthread_create(&t2, NULL, thread_main, &a2), 0);
	pthread_join(t1, NULL);
	pthread_join(t2, NULL);
	pthread_barrier_destroy(&barrier);
	assert_true(a1.ok);
	assert_true(a2.ok);
	assert_int_equal(a1.sum, checksum(e1, sizeof(e1)));
	assert_int_equal(a2.sum, checksum(e2, sizeof(e2)));
	/* each machine's task holds its own thread's bytes */
	assert_int_equal(kmm_task_access(m1, a1.pid, KMM_ACCESS_LOAD, a1.addr, back, 4, NULL),
			 KMM_OK);
	assert_int_equal(back[0], 0x11);
	assert_int_equal(kmm_task_access(m2, a2.pid, KMM_ACCESS_LOAD, a2.addr, back, 4, NULL),
			 KMM_OK);
	assert_int_equal(back[0], 0x22);
	/* the main thread was never bound by them */
	assert_null(kmm_linux_machine());
	test_machine_done(m1);
	test_machine_done(m2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_unbound), cmocka_unit_test(test_bind),
		cmocka_unit_test(test_pages),	cmocka_unit_test(test_slab),
		cmocka_unit_test(test_vmalloc), cmocka_unit_test(test_user),
		cmocka_unit_test(test_mman),	cmocka_unit_test(test_threads),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
