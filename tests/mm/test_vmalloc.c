/*
 * vmalloc: the vmap area allocator, vmalloc/vfree/vmap/ioremap, huge mappings, lazy purging
 * and the TLB, checked through the public API, the views and the MMU model.
 *
 * Covers: src/mm/vmalloc.c, src/sim/vmalloc_api.c, and the TLB flushes of
 * src/arch/arm64/mm/tlbflush.c.
 *
 * The address space after boot (1 GiB, rodata=full), worked out from arm64's layout and the
 * reference kernel's image (KIMAGE_VADDR = VMALLOC_START, _stext 64 KiB into the Image, the
 * five paging_init areas up to the data segment's guard page):
 *
 *   1            H = 0xffff800008000000      H+64K               IMG_END = 0xffff80000a011000
 *   |........ free ..........|...... free ......|#### image areas ####|..... free .....  ~0
 *                            VMALLOC_START       _stext
 *
 * so the first free area is [1, H+64K): the 64 KiB below _stext are the lowest free vmalloc
 * space, and everything else comes after IMG_END. Expected addresses below are derived from
 * that picture and the allocator's rules (lowest address first, guard page included).
 */
#include "kmm_test.h"

#include "mm/vmalloc.h"
#include "sim/machine.h"

#define H	0xffff800008000000ull
#define IMG_END 0xffff80000a011000ull
#define K	1024ull
#define M	(1024ull * 1024)

static struct kmm_machine *boot(const char *ram, const char *smp)
{
	struct kmm_config cfg;

	kmm_config_init(&cfg);
	assert_int_equal(kmm_config_option(&cfg, "-m", ram), KMM_OK);
	assert_int_equal(kmm_config_option(&cfg, "-smp", smp), KMM_OK);
	return test_machine(&cfg);
}

static void check(struct kmm_machine *m)
{
	if (kmm_check(m) != KMM_OK)
		fail_msg("kmm_check: %s", kmm_last_error(m));
}

#define AREAS_MAX 1024

struct area_list {
	unsigned long start[AREAS_MAX], end[AREAS_MAX];
	int n;
};

static void collect(void *arg, unsigned long start, unsigned long end, const struct vm_struct *vm)
{
	struct area_list *l = arg;

	if (l->n < AREAS_MAX) {
		l->start[l->n] = start;
		l->end[l->n] = end;
	}
	l->n++;
}

/* The free areas, in address order. */
static struct area_list free_areas(struct kmm_machine *m)
{
	static struct area_list l;

	l.n = 0;
	vmap_for_each_area(&m->kernel, VMAP_FREE, collect, &l);
	return l;
}

static struct kmm_vmalloc_stats stats(struct kmm_machine *m)
{
	struct kmm_vmalloc_stats s;

	assert_int_equal(kmm_vmalloc_stats(m, &s), KMM_OK);
	return s;
}

/* True if a report raised after @since contains @needle. */
static bool reported(struct kmm_machine *m, uint64_t since, const char *needle)
{
	for (uint64_t seq = since + 1; seq <= kmm_report_count(m); seq++) {
		struct kmm_report r;

		if (kmm_report_get(m, seq, &r) == KMM_OK && strstr(r.text, needle))
			return true;
	}
	return false;
}

static kmm_va_t vm_range(struct kmm_machine *m, size_t size, uint64_t align, kmm_va_t start,
			 kmm_va_t end, unsigned long flags)
{
	kmm_va_t va = 0;

	if (kmm_vmalloc_node_range(m, size, align, start, end, KMM_GFP_KERNEL, flags, -1, &va))
		fail_msg("vmalloc_node_range(%zu): %s", size, kmm_last_error(m));
	return va;
}

/*
 * The reference kernel's /proc/vmallocinfo starts with four areas allocated before the image
 * areas in address order: a 16 KiB vmalloc (20480 with its guard), the GICv2m frame
 * ioremapped (8192), a kernel stack (20480), a one-page vmalloc (8192). They fill the hole
 * below _stext from H: at H, H+0x5000, H+0x7000, H+0xc000. Our lines must read like the
 * capture's, field for field, but for the caller (the capture's are kernel functions) and the
 * addresses (hidden in the capture).
 */
static void test_vmalloc_first_areas_fill_the_hole_below_the_image(void **state)
{
	struct kmm_machine *m = boot("1G", "1");
	struct kmm_vmalloc_stats s0 = stats(m), s1;
	kmm_va_t a, b, c, d, e, f;
	char path[512], theirs[1 << 14], *ours, *ol, *tl;
	FILE *fp;
	size_t n;

	assert_int_equal(kmm_vmalloc(m, 16 * K, &a), KMM_OK);
	assert_int_equal(kmm_ioremap(m, 0x08020000, 4 * K, &b), KMM_OK);
	assert_int_equal(kmm_vmalloc(m, 16 * K, &c), KMM_OK);
	assert_int_equal(kmm_vmalloc(m, 4 * K, &d), KMM_OK);
	assert_int_equal(a, H);
	assert_int_equal(b, H + 0x5000);
	assert_int_equal(c, H + 0x7000);
	assert_int_equal(d, H + 0xc000);
	snprintf(path, sizeof(path), "%s/oracles/linux/captures/a57-smp1-1G/boot.vmallocinfo.txt",
		 KMM_DATA_DIR);
	fp = test_data_fopen(path);
	n = fread(theirs, 1, sizeof(theirs) - 1, fp);
	theirs[n] = 0;
	fclose(fp);
	ours = strdup(test_view(m, "/proc/vmallocinfo"));
	ol = ours;
	tl = theirs;
	for (int i = 0; i < 9; i++) {
		char *oe = strchr(ol, '\n'), *te = strchr(tl, '\n');
		char osz[32], tsz[32], ocaller[96], tcaller[96];
		int oo = 0, to = 0;

		*oe = *te = 0;
		assert_int_equal(sscanf(ol, "%*s %31s %95s %n", osz, ocaller, &oo), 2);
		assert_int_equal(sscanf(tl, "%*s %31s %95s %n", tsz, tcaller, &to), 2);
		assert_string_equal(osz, tsz);
		assert_string_equal(ol + oo, tl + to); /* pages=, phys=, flags, N0= */
		if (i >= 4)
			assert_string_equal(ocaller, tcaller); /* paging_init+0x130/0x610 ... */
		ol = oe + 1;
		tl = te + 1;
	}
	free(ours);
	/* two more one-page areas: the last 8 KiB of the hole, then the space after the image */
	assert_int_equal(kmm_vmalloc(m, 4 * K, &e), KMM_OK);
	assert_int_equal(kmm_vmalloc(m, 4 * K, &f), KMM_OK);
	assert_int_equal(e, H + 0xe000);
	assert_int_equal(f, IMG_END);
	/*
	 * Fit types: a split [1, H+64K) in its middle (NE); b, c, d took the left edge of what
	 * was left (LE); e took all of [H+0xe000, H+64K) (FL); f the left edge of [IMG_END, ~0).
	 */
	s1 = stats(m);
	assert_int_equal(s1.fit[4] - s0.fit[4], 1);
	assert_int_equal(s1.fit[2] - s0.fit[2], 4);
	assert_int_equal(s1.fit[1] - s0.fit[1], 1);
	assert_int_equal(s1.fit[3] - s0.fit[3], 0);
	/* VmallocUsed: the pages of the five vmalloc areas, 4 + 4 + 1 + 1 + 1 = 11 = 44 kB */
	assert_non_null(strstr(test_view(m, "/proc/meminfo"), "VmallocUsed:          44 kB\n"));
	test_machine_done(m);
}

/*
 * Each fit type of adjust_va_to_fit_type(), with [vstart, vend) steering the choice
 * (KMM_VM_NO_GUARD so sizes are exact):
 *
 *   x1 16K in [H+16K, H+64K):  [1 ......................... H+64K)    NE
 *                           -> [1 ... H+16K) x1 [H+32K ..... H+64K)
 *   x2 32K in [H+32K, H+64K):                   [H+32K ..... H+64K)    FL
 *   x3 4K in [H+12K, H+16K):   [1 ... H+16K)                           RE
 *                           -> [1 . H+12K)
 *   vfree x2, purge         -> [1 . H+12K) ... [H+32K ..... H+64K)
 *   x4 8K in [H+32K, H+64K):                   [H+32K ..... H+64K)    LE
 *                           -> [1 . H+12K) ... [H+40K . H+64K)
 * Then merging: vfree x1, x3 (adjacent: one purge area [H+12K, H+32K)), x4 (joins it:
 * [H+12K, H+40K)); the purge merges that with both free neighbours: [1, H+64K) again.
 */
static void test_vmalloc_fit_types_and_merge_on_free(void **state)
{
	struct kmm_machine *m = boot("1G", "1");
	struct kmm_vmalloc_stats s0 = stats(m), s;
	struct area_list l;
	kmm_va_t x1, x2, x3, x4;

	x1 = vm_range(m, 16 * K, 1, H + 16 * K, H + 64 * K, KMM_VM_NO_GUARD);
	assert_int_equal(x1, H + 16 * K);
	assert_int_equal(stats(m).fit[4] - s0.fit[4], 1);
	l = free_areas(m);
	assert_int_equal(l.start[0], 1);
	assert_int_equal(l.end[0], H + 16 * K);
	assert_int_equal(l.start[1], H + 32 * K);
	assert_int_equal(l.end[1], H + 64 * K);

	x2 = vm_range(m, 32 * K, 1, H + 32 * K, H + 64 * K, KMM_VM_NO_GUARD);
	assert_int_equal(x2, H + 32 * K);
	assert_int_equal(stats(m).fit[1] - s0.fit[1], 1);
	l = free_areas(m);
	assert_int_equal(l.end[0], H + 16 * K);
	assert_int_equal(l.start[1], IMG_END);

	x3 = vm_range(m, 4 * K, 1, H + 12 * K, H + 16 * K, KMM_VM_NO_GUARD);
	assert_int_equal(x3, H + 12 * K);
	assert_int_equal(stats(m).fit[3] - s0.fit[3], 1);
	assert_int_equal(free_areas(m).end[0], H + 12 * K);

	assert_int_equal(kmm_vfree(m, x2), KMM_OK);
	assert_int_equal(kmm_vm_unmap_aliases(m), KMM_OK);
	x4 = vm_range(m, 8 * K, 1, H + 32 * K, H + 64 * K, KMM_VM_NO_GUARD);
	assert_int_equal(x4, H + 32 * K);
	assert_int_equal(stats(m).fit[2] - s0.fit[2], 1);
	l = free_areas(m);
	assert_int_equal(l.end[0], H + 12 * K);
	assert_int_equal(l.start[1], H + 40 * K);
	assert_int_equal(l.end[1], H + 64 * K);
	check(m);

	assert_int_equal(kmm_vfree(m, x1), KMM_OK);
	assert_int_equal(kmm_vfree(m, x3), KMM_OK);
	s = stats(m);
	assert_int_equal(s.purge_areas, 1); /* [H+12K, H+32K) */
	assert_int_equal(s.lazy_pages, 5);
	assert_int_equal(kmm_vfree(m, x4), KMM_OK);
	assert_int_equal(stats(m).purge_areas, 1); /* [H+12K, H+40K) */
	assert_non_null(strstr(test_view(m, "/proc/vmallocinfo"),
			       "0xffff800008003000-0xffff80000800a000   28672 unpurged vm_area\n"));
	check(m);
	assert_int_equal(kmm_vm_unmap_aliases(m), KMM_OK);
	l = free_areas(m);
	assert_int_equal(l.start[0], 1);
	assert_int_equal(l.end[0], H + 64 * K);
	assert_int_equal(l.start[1], IMG_END);
	assert_int_equal(l.n, 2);
	test_machine_done(m);
}

/*
 * Alignment: 8 KiB (+ guard = 12 KiB) at 64 KiB alignment lands at H (64 KiB aligned, room
 * to H+64K); a second one finds no 64 KiB-aligned room in [H+12K, H+64K) and goes to
 * ALIGN(IMG_END, 64K) = 0xffff80000a020000, leaving [IMG_END, that) free (an NE split).
 */
static void test_vmalloc_alignment(void **state)
{
	struct kmm_machine *m = boot("1G", "1");
	kmm_va_t a, b, c;
	struct area_list l;
	int i;

	a = vm_range(m, 8 * K, 64 * K, KMM_VMALLOC_START, KMM_VMALLOC_END, 0);
	b = vm_range(m, 8 * K, 64 * K, KMM_VMALLOC_START, KMM_VMALLOC_END, 0);
	c = vm_range(m, 8 * K, 2 * M, KMM_VMALLOC_START, KMM_VMALLOC_END, 0);
	assert_int_equal(a, H);
	assert_int_equal(b, 0xffff80000a020000ull);
	assert_int_equal(c, 0xffff80000a200000ull);
	l = free_areas(m);
	for (i = 0; i < l.n && l.start[i] != IMG_END; i++)
		;
	assert_true(i < l.n);
	assert_int_equal(l.end[i], 0xffff80000a020000ull);
	/* an alignment that is not a power of two is refused before the kernel sees it */
	assert_einval_mentions(kmm_vmalloc_node_range(m, 4096, 3 * 4096, KMM_VMALLOC_START,
						      KMM_VMALLOC_END, KMM_GFP_KERNEL, 0, -1, &a),
			       kmm_last_error(m), "power of two");
	test_machine_done(m);
}

/* [vstart, vend): placement inside it; no room there fails with the kernel's messages. */
static void test_vmalloc_range_limits(void **state)
{
	struct kmm_machine *m = boot("1G", "1");
	const kmm_va_t lo = 0xffff900000000000ull, hi = lo + 64 * K;
	uint64_t seq = kmm_report_count(m);
	char log[1 << 15] = "";
	kmm_va_t va;

	va = vm_range(m, 16 * K, 1, lo, hi, 0);
	assert_int_equal(va, lo);
	va = vm_range(m, 16 * K, 1, lo, hi, 0);
	assert_int_equal(va, lo + 20 * K);
	assert_int_equal(kmm_vmalloc_node_range(m, 40 * K, 1, lo, hi, KMM_GFP_KERNEL, 0, -1, &va),
			 KMM_ENOMEM);
	assert_int_equal(va, 0);
	assert_true(reported(m, seq, "vmalloc error: size 40960, vm_struct allocation failed"));
	{
		struct sink_buf sb = {.buf = log, .cap = sizeof(log)};

		kmm_dmesg(m, sink_buf_fn, &sb);
		assert_non_null(strstr(log, "vmap allocation for size 45056 failed: use "
					    "vmalloc=<size> to increase size"));
	}
	/* the modules range is outside the vmalloc range but the allocator serves it too */
	va = vm_range(m, 4 * K, 1, 0xffff800000000000ull, 0xffff800008000000ull, 0);
	assert_int_equal(va, 0xffff800000000000ull);
	assert_false(kmm_is_vmalloc_addr(va));
	test_machine_done(m);
}

/*
 * The guard page: the page after a one-page area is unmapped, so an access there takes a
 * Data Abort from the current EL (EC 0x25), IL set, a level-3 translation fault (DFSC
 * 0b000111: the PTE table of the area's 2 MiB exists, the entry is empty), WnR for a store:
 * ESR 0x96000007 for a load, 0x96000047 for a store; FAR the address.
 */
static void test_vmalloc_guard_page_faults(void **state)
{
	struct kmm_machine *m = boot("1G", "1");
	struct kmm_mmu_fault f;
	uint64_t v = 42, r = 0;
	kmm_va_t va;

	assert_int_equal(kmm_vmalloc(m, 4 * K, &va), KMM_OK);
	assert_int_equal(kmm_cpu_access(m, 0, KMM_ACCESS_STORE, va + 4088, &v, 8, &f), KMM_OK);
	assert_int_equal(kmm_cpu_access(m, 0, KMM_ACCESS_LOAD, va + 4088, &r, 8, &f), KMM_OK);
	assert_int_equal(r, 42);
	assert_int_equal(kmm_cpu_access(m, 0, KMM_ACCESS_LOAD, va + 4096, &r, 8, &f), KMM_EFAULT);
	assert_int_equal(f.esr, 0x96000007ull);
	assert_int_equal(f.far, va + 4096);
	assert_string_equal(f.kind, "translation");
	assert_int_equal(f.level, 3);
	assert_int_equal(kmm_cpu_access(m, 0, KMM_ACCESS_STORE, va + 4096, &v, 8, &f), KMM_EFAULT);
	assert_int_equal(f.esr, 0x96000047ull);
	/* a store straddling the end: nothing is written (the whole access faults) */
	v = 0x1111111111111111ull;
	assert_int_equal(kmm_cpu_access(m, 0, KMM_ACCESS_STORE, va + 4092, &v, 8, &f), KMM_EFAULT);
	assert_int_equal(kmm_cpu_access(m, 0, KMM_ACCESS_LOAD, va + 4088, &r, 8, &f), KMM_OK);
	assert_int_equal(r, 42);
	test_machine_done(m);
}

/* Contents through the MMU land in the area's own pages; descriptors and lookups. */
static void test_vmalloc_contents_and_lookups(void **state)
{
	struct kmm_machine *m = boot("1G", "1");
	struct kmm_vm_area area;
	kmm_pfn_t p0, p1;
	uint64_t v = 0x0807060504030201ull, r = ~0ull;
	uint8_t bytes[8];
	kmm_va_t va, z;

	/* 3 pages and 100 bytes: 4 pages, 5 with the guard */
	assert_int_equal(kmm_vmalloc(m, 3 * 4096 + 100, &va), KMM_OK);
	assert_int_equal(kmm_find_vm_area(m, va + 8192, &area), KMM_OK);
	assert_int_equal(area.addr, va);
	assert_int_equal(area.size, 5 * 4096);
	assert_int_equal(area.nr_pages, 4);
	assert_int_equal(area.flags, KMM_VM_ALLOC);
	assert_string_equal(area.caller, "kmm_vmalloc");
	/* an 8-byte store across the first page boundary: 6 bytes in page 0, 2 in page 1 */
	assert_int_equal(kmm_cpu_access(m, 0, KMM_ACCESS_STORE, va + 4090, &v, 8, NULL), KMM_OK);
	assert_int_equal(kmm_vmalloc_to_pfn(m, va, &p0), KMM_OK);
	assert_int_equal(kmm_vmalloc_to_pfn(m, va + 4096, &p1), KMM_OK);
	assert_int_equal(kmm_phys_read(m, p0 * 4096 + 4090, bytes, 6), KMM_OK);
	assert_int_equal(kmm_phys_read(m, p1 * 4096, bytes + 6, 2), KMM_OK);
	for (int i = 0; i < 8; i++)
		assert_int_equal(bytes[i], i + 1);
	assert_int_equal(kmm_vmalloc_to_pfn(m, va + 4 * 4096, &p1), KMM_ENOENT); /* guard */
	assert_int_equal(kmm_find_vm_area(m, va + 5 * 4096, &area), KMM_ENOENT);
	assert_true(kmm_is_vmalloc_addr(KMM_VMALLOC_START));
	assert_false(kmm_is_vmalloc_addr(KMM_VMALLOC_END));
	assert_false(kmm_is_vmalloc_addr(0xffff000000000000ull));
	/* vzalloc reads as zero through the MMU */
	assert_int_equal(kmm_vzalloc(m, 8192, &z), KMM_OK);
	assert_int_equal(kmm_cpu_access(m, 0, KMM_ACCESS_LOAD, z + 8184, &r, 8, NULL), KMM_OK);
	assert_int_equal(r, 0);
	/* vmalloc_node: an online node, or a clear error */
	assert_int_equal(kmm_vmalloc_node(m, 4096, 0, &z), KMM_OK);
	assert_einval_mentions(kmm_vmalloc_node(m, 4096, 5, &z), kmm_last_error(m), "not online");
	/* a big area's page array (1024 pointers, 8 KiB) is itself vmalloc'd: " vpages" */
	assert_int_equal(kmm_vmalloc(m, 4 * M, &z), KMM_OK);
	assert_non_null(strstr(test_view(m, "/proc/vmallocinfo"),
			       " 4198400 kmm_vmalloc pages=1024 vmalloc vpages N0=1024\n"));
	assert_non_null(strstr(test_view(m, "/proc/vmallocinfo"),
			       "   12288 kmm_vmalloc pages=2 vmalloc N0=2\n"));
	check(m);
	assert_int_equal(kmm_vfree(m, z), KMM_OK);
	assert_true(strstr(test_view(m, "/proc/vmallocinfo"), "vpages") == NULL);
	test_machine_done(m);
}

/*
 * vmalloc_huge(2 MiB): the lowest 2 MiB-aligned room for 2 MiB + guard is
 * ALIGN(IMG_END, 2M) = 0xffff80000a200000; one PMD block of an order-9 block split into
 * 512 order-0 pages (refcount 1 each, not compound), vmalloc_to_page of a page inside is the
 * matching tail page. vfree gives all 512 back.
 */
static void test_vmalloc_huge_mapping_and_split(void **state)
{
	struct kmm_machine *m = boot("1G", "1");
	struct kmm_vmalloc_stats s0 = stats(m);
	struct kmm_vm_area area;
	struct kmm_page_info pi;
	kmm_pfn_t p0, p5;
	uint64_t par, v = 7, r = 0;
	kmm_va_t va, small;

	assert_int_equal(kmm_vmalloc_huge(m, 2 * M, KMM_GFP_KERNEL, &va), KMM_OK);
	assert_int_equal(va, 0xffff80000a200000ull);
	assert_int_equal(kmm_find_vm_area(m, va, &area), KMM_OK);
	assert_int_equal(area.page_order, 9);
	assert_int_equal(area.nr_pages, 512);
	assert_int_equal(area.size, 2 * M + 4096);
	assert_int_equal(stats(m).huge_mappings - s0.huge_mappings, 1);
	assert_non_null(strstr(test_view(m, "/sys/kernel/debug/kernel_page_tables"),
			       "0xffff80000a200000-0xffff80000a400000           2M PMD       RW NX"
			       " SHD AF        BLK UXN    MEM/NORMAL\n"));
	assert_int_equal(kmm_vmalloc_to_pfn(m, va, &p0), KMM_OK);
	assert_int_equal(kmm_vmalloc_to_pfn(m, va + 5 * 4096, &p5), KMM_OK);
	assert_int_equal(p0 % 512, 0);
	assert_int_equal(p5, p0 + 5);
	assert_int_equal(kmm_page_info(m, p0 + 7, &pi), KMM_OK);
	assert_int_equal(pi.refcount, 1);
	assert_false(pi.compound_tail);
	assert_int_equal(kmm_at(m, 0, KMM_AT_S1E1R, va + 0x1ff008, &par, NULL), KMM_OK);
	assert_int_equal(par & 0x0000fffffffff000ull, p0 * 4096 + 0x1ff000);
	assert_int_equal(kmm_cpu_access(m, 0, KMM_ACCESS_STORE, va + 0x1ff000, &v, 8, NULL),
			 KMM_OK);
	assert_int_equal(kmm_phys_read(m, p0 * 4096 + 0x1ff000, &r, 8), KMM_OK);
	assert_int_equal(r, 7);
	check(m);
	assert_int_equal(kmm_vfree(m, va), KMM_OK);
	assert_int_equal(kmm_page_info(m, p0 + 7, &pi), KMM_OK);
	assert_int_equal(pi.refcount, 0);
	assert_int_equal(stats(m).vmalloc_pages, s0.vmalloc_pages);

	/* below 2 MiB, or without the huge flag, small pages */
	assert_int_equal(kmm_vmalloc_huge(m, 1 * M, KMM_GFP_KERNEL, &small), KMM_OK);
	assert_int_equal(kmm_find_vm_area(m, small, &area), KMM_OK);
	assert_int_equal(area.page_order, 0);
	assert_int_equal(kmm_vmalloc(m, 2 * M, &small), KMM_OK);
	assert_int_equal(kmm_find_vm_area(m, small, &area), KMM_OK);
	assert_int_equal(area.page_order, 0);
	assert_int_equal(stats(m).huge_mappings - s0.huge_mappings, 1);
	test_machine_done(m);
}

/*
 * With two nodes, vmalloc_huge needs 2 MiB per node: 2 MiB gets small pages, 4 MiB blocks;
 * vmalloc_node places the pages on the node asked for.
 */
static void test_vmalloc_huge_per_node(void **state)
{
	struct kmm_config cfg;
	struct kmm_machine *m;
	struct kmm_vm_area area;
	kmm_va_t va;

	kmm_config_init(&cfg);
	kmm_config_option(&cfg, "-m", "2G");
	kmm_config_option(&cfg, "-numa", "node,nodeid=0,mem=1G,cpus=0-1");
	kmm_config_option(&cfg, "-numa", "node,nodeid=1,mem=1G,cpus=2-3");
	m = test_machine(&cfg);
	assert_int_equal(kmm_vmalloc_huge(m, 2 * M, KMM_GFP_KERNEL, &va), KMM_OK);
	assert_int_equal(kmm_find_vm_area(m, va, &area), KMM_OK);
	assert_int_equal(area.page_order, 0);
	assert_int_equal(kmm_vmalloc_huge(m, 4 * M, KMM_GFP_KERNEL, &va), KMM_OK);
	assert_int_equal(kmm_find_vm_area(m, va, &area), KMM_OK);
	assert_int_equal(area.page_order, 9);
	/* vmalloc_node(1): every page on node 1, as /proc/vmallocinfo counts them */
	assert_int_equal(kmm_vmalloc_node(m, 16 * K, 1, &va), KMM_OK);
	assert_non_null(strstr(test_view(m, "/proc/vmallocinfo"),
			       "   20480 kmm_vmalloc_node pages=4 vmalloc N1=4\n"));
	test_machine_done(m);
}

/*
 * A block over a PTE table that an earlier, freed area left: vmap_try_huge_pmd frees the
 * table (pmd_free_pte_page: clear, TLBI VAAE1IS, free). Without the walk-cache invalidation
 * CPU 0, which walked through that table before, would follow its stale cached copy.
 */
static void test_vmalloc_huge_replaces_a_freed_table(void **state)
{
	struct kmm_machine *m = boot("1G", "1");
	const kmm_va_t x = 0xffff80000a200000ull;
	unsigned long tables;
	kmm_pfn_t p0;
	uint64_t r = 0, v = 99;
	kmm_va_t small, big;

	small = vm_range(m, 4096, 1, x, x + 2 * M, 0);
	assert_int_equal(small, x);
	assert_int_equal(kmm_cpu_access(m, 0, KMM_ACCESS_LOAD, x, &r, 8, NULL), KMM_OK);
	assert_int_equal(kmm_vfree(m, small), KMM_OK);
	assert_int_equal(kmm_vm_unmap_aliases(m), KMM_OK);
	tables = m->kernel.nr_kernel_pgtables;
	big = vm_range(m, 2 * M, 2 * M, x, x + 4 * M, KMM_VM_ALLOW_HUGE_VMAP);
	assert_int_equal(big, x);
	assert_int_equal(m->kernel.nr_kernel_pgtables, tables - 1);
	assert_int_equal(kmm_vmalloc_to_pfn(m, x, &p0), KMM_OK);
	assert_int_equal(kmm_phys_write(m, p0 * 4096 + 8, &v, 8), KMM_OK);
	assert_int_equal(kmm_cpu_access(m, 0, KMM_ACCESS_LOAD, x + 8, &r, 8, NULL), KMM_OK);
	assert_int_equal(r, 99);
	test_machine_done(m);
}

/*
 * Lazy freeing. A vfree'd area's PTEs are cleared at once but no TLB is flushed: CPU 0, which
 * has the translation cached, still reaches the (freed) page; CPU 1, which has not, walks and
 * faults. One purge (here forced) flushes every CPU — by page, as the span is 2 pages — and
 * CPU 0 faults too.
 */
static void test_vmalloc_stale_tlb_until_purge(void **state)
{
	struct kmm_machine *m = boot("1G", "2");
	struct kmm_vmalloc_stats s0, s1;
	struct kmm_mmu_fault f;
	uint64_t v = 0xabcull, r = 0;
	kmm_va_t va;

	assert_int_equal(kmm_vmalloc(m, 4096, &va), KMM_OK);
	assert_int_equal(kmm_cpu_access(m, 0, KMM_ACCESS_STORE, va, &v, 8, NULL), KMM_OK);
	assert_int_equal(kmm_vfree(m, va), KMM_OK);
	s0 = stats(m);
	assert_int_equal(s0.lazy_pages, 2);
	assert_int_equal(kmm_cpu_access(m, 0, KMM_ACCESS_LOAD, va, &r, 8, &f), KMM_OK);
	assert_int_equal(r, 0xabc);
	assert_int_equal(kmm_cpu_access(m, 1, KMM_ACCESS_LOAD, va, &r, 8, &f), KMM_EFAULT);
	assert_string_equal(f.kind, "translation");
	check(m);
	assert_int_equal(kmm_vm_unmap_aliases(m), KMM_OK);
	s1 = stats(m);
	assert_int_equal(s1.purges - s0.purges, 1);
	assert_int_equal(s1.tlb_flush_range - s0.tlb_flush_range, 1);
	assert_int_equal(s1.tlb_flush_all - s0.tlb_flush_all, 0);
	assert_int_equal(s1.lazy_pages, 0);
	assert_int_equal(kmm_cpu_access(m, 0, KMM_ACCESS_LOAD, va, &r, 8, &f), KMM_EFAULT);
	assert_int_equal(f.esr, 0x96000007ull);
	test_machine_done(m);
}

/*
 * Batching: lazy_max_pages = fls(CPUs) * 32 MiB / 4 KiB = 16384 pages with 2 CPUs. 256 KiB
 * areas take 65 pages with their guard; 252 of them wait (16380 pages, one merged purge
 * area as they are adjacent), the 253rd (16445 > 16384) triggers one purge, whose span
 * (253 * 65 pages) is above 512 pages: one TLBI VMALLE1IS.
 */
static void test_vmalloc_lazy_purge_batching(void **state)
{
	struct kmm_machine *m = boot("1G", "2");
	struct kmm_vmalloc_stats s0, s;
	kmm_va_t va[253];

	assert_int_equal(stats(m).lazy_max_pages, 16384);
	for (int i = 0; i < 253; i++)
		assert_int_equal(kmm_vmalloc(m, 256 * K, &va[i]), KMM_OK);
	s0 = stats(m);
	for (int i = 0; i < 252; i++)
		assert_int_equal(kmm_vfree(m, va[i]), KMM_OK);
	s = stats(m);
	assert_int_equal(s.lazy_pages, 252 * 65);
	assert_int_equal(s.purge_areas, 1);
	assert_int_equal(s.purges, s0.purges);
	assert_int_equal(kmm_vfree(m, va[252]), KMM_OK);
	s = stats(m);
	assert_int_equal(s.purges - s0.purges, 1);
	assert_int_equal(s.purged_areas - s0.purged_areas, 1);
	assert_int_equal(s.tlb_flush_all - s0.tlb_flush_all, 1);
	assert_int_equal(s.lazy_pages, 0);
	test_machine_done(m);

	/* the formula: fls(1) = 1, fls(3) = 2, fls(4) = 3 */
	m = boot("1G", "1");
	assert_int_equal(stats(m).lazy_max_pages, 8192);
	test_machine_done(m);
	m = boot("1G", "3");
	assert_int_equal(stats(m).lazy_max_pages, 16384);
	test_machine_done(m);
	m = boot("1G", "4");
	assert_int_equal(stats(m).lazy_max_pages, 24576);
	test_machine_done(m);
}

/* Bad input: clear errors, the kernel's warnings, nothing changed. */
static void test_vmalloc_bad_input(void **state)
{
	struct kmm_machine *m = boot("1G", "1");
	struct kmm_vmalloc_stats s0;
	uint64_t seq = kmm_report_count(m);
	struct kmm_vm_area area;
	kmm_va_t va, a, b;

	assert_einval_mentions(kmm_vmalloc(m, 0, &va), kmm_last_error(m), "size 0");
	assert_true(reported(m, seq, "__vmalloc_node_range (!size)"));
	assert_int_equal(kmm_vmalloc(m, 2ull << 30, &va), KMM_ENOMEM);
	assert_true(reported(m, seq, "vmalloc error: size 2147483648, exceeds total pages"));
	assert_int_equal(kmm_vmalloc(m, SIZE_MAX, &va), KMM_ENOMEM);
	assert_int_equal(kmm_vmalloc(m, 4096, NULL), KMM_EINVAL);
	assert_int_equal(kmm_vmalloc(NULL, 4096, &va), KMM_EINVAL);
	assert_int_equal(kmm_vmalloc_node_range(m, 4096, 1, KMM_VMALLOC_START, KMM_VMALLOC_END,
						KMM_GFP_KERNEL, 0x1, -1, &va),
			 KMM_EINVAL);
	/* a range reaching into the linear map: the allocator would hand out its addresses */
	assert_einval_mentions(
		kmm_vmalloc_node_range(m, 4096, 1, 0, KMM_VMALLOC_END, KMM_GFP_KERNEL, 0, -1, &va),
		kmm_last_error(m), "modules and vmalloc space");
	assert_int_equal(kmm_vmalloc_node_range(m, 4096, 1, KMM_VMALLOC_START, ~0ull,
						KMM_GFP_KERNEL, 0, -1, &va),
			 KMM_EINVAL);

	assert_int_equal(kmm_vmalloc(m, 8192, &a), KMM_OK);
	s0 = stats(m);
	seq = kmm_report_count(m);
	assert_int_equal(kmm_vfree(m, a + 12), KMM_OK);
	assert_true(reported(m, seq, "Trying to vfree() bad address"));
	assert_int_equal(kmm_find_vm_area(m, a, &area), KMM_OK); /* still there */
	assert_int_equal(kmm_vfree(m, 0xffff000000100000ull), KMM_OK);
	assert_true(reported(m, seq, "Trying to vfree() nonexistent vm area (0xffff000000100000)"));
	assert_int_equal(kmm_vfree(m, 0), KMM_OK);
	assert_int_equal(kmm_vfree(m, a), KMM_OK);
	seq = kmm_report_count(m);
	assert_int_equal(kmm_vfree(m, a), KMM_OK); /* double vfree */
	assert_true(reported(m, seq, "nonexistent vm area"));
	assert_int_equal(stats(m).busy_areas, s0.busy_areas - 1);
	/* 6.1: a page-aligned address inside an area frees the whole area */
	assert_int_equal(kmm_vmalloc(m, 3 * 4096, &b), KMM_OK);
	assert_int_equal(kmm_vfree(m, b + 4096), KMM_OK);
	assert_int_equal(kmm_find_vm_area(m, b, &area), KMM_ENOENT);

	/* ioremap of RAM: the kernel's WARN_ON and NULL */
	seq = kmm_report_count(m);
	assert_einval_mentions(kmm_ioremap(m, 0x40000000, 4096, &va), kmm_last_error(m), "RAM");
	assert_true(reported(m, seq, "ioremap of RAM at 0x0000000040000000"));
	assert_einval_mentions(kmm_ioremap(m, 0x09000000, 0, &va), kmm_last_error(m), "empty");
	assert_einval_mentions(kmm_ioremap(m, 1ull << 48, 4096, &va), kmm_last_error(m), "48-bit");
	check(m);
	/* vunmap of the kernel image's area: the kernel would kfree() a static descriptor */
	assert_int_equal(kmm_vunmap(m, H + 0x10000), KMM_EBUG);
	assert_true(kmm_machine_dead(m));
	kmm_machine_destroy(m);
}

/*
 * ioremap: Device-nGnRE (MAIR index 4, attribute 0x04), never executable, a guard page;
 * unaligned requests keep their offset. A 2 MiB-aligned 2 MiB device window (the PCIe MMIO
 * window at 0x10000000) is aligned to its size (VM_IOREMAP: 1 << order of the size) and
 * mapped with one block.
 */
static void test_vmalloc_ioremap(void **state)
{
	struct kmm_machine *m = boot("1G", "1");
	struct kmm_vmalloc_stats s0 = stats(m);
	struct kmm_vm_area area;
	uint64_t par;
	kmm_va_t va, big;

	assert_int_equal(kmm_ioremap(m, 0x09000010, 0x20, &va), KMM_OK);
	assert_int_equal(va & 0xfff, 0x10);
	assert_int_equal(kmm_find_vm_area(m, va, &area), KMM_OK);
	assert_int_equal(area.size, 8192);
	assert_int_equal(area.phys_addr, 0x09000000);
	assert_int_equal(area.flags, KMM_VM_IOREMAP);
	assert_int_equal(kmm_at(m, 0, KMM_AT_S1E1R, va, &par, NULL), KMM_OK);
	assert_int_equal(par & 0x0000fffffffff000ull, 0x09000000);
	assert_int_equal(par >> 56, 0x04);
	assert_non_null(strstr(test_view(m, "/sys/kernel/debug/kernel_page_tables"),
			       "           4K PTE       RW NX SHD AF            UXN    "
			       "DEVICE/nGnRE\n"));
	assert_int_equal(kmm_ioremap(m, 0x10000000, 2 * M, &big), KMM_OK);
	assert_int_equal(big % (2 * M), 0);
	assert_int_equal(stats(m).huge_mappings - s0.huge_mappings, 1);
	assert_non_null(strstr(test_view(m, "/proc/vmallocinfo"),
			       " 2101248 kmm_ioremap phys=0x0000000010000000 ioremap\n"));
	check(m);
	assert_int_equal(kmm_iounmap(m, va), KMM_OK);
	assert_int_equal(kmm_iounmap(m, big), KMM_OK);
	assert_int_equal(kmm_find_vm_area(m, va, &area), KMM_ENOENT);
	test_machine_done(m);
}

/* vmap of three separately allocated pages: contiguous VA, each page where it was. */
static void test_vmalloc_vmap_pages(void **state)
{
	struct kmm_machine *m = boot("1G", "1");
	kmm_pfn_t pfn[3];
	uint64_t v = 0x5151, r = 0;
	struct kmm_page_info pi;
	kmm_va_t va;

	for (int i = 0; i < 3; i++)
		assert_int_equal(kmm_alloc_pages(m, KMM_GFP_KERNEL, 0, &pfn[i]), KMM_OK);
	assert_int_equal(kmm_vmap(m, pfn, 3, &va), KMM_OK);
	assert_int_equal(kmm_cpu_access(m, 0, KMM_ACCESS_STORE, va + 2 * 4096 + 16, &v, 8, NULL),
			 KMM_OK);
	assert_int_equal(kmm_phys_read(m, pfn[2] * 4096 + 16, &r, 8), KMM_OK);
	assert_int_equal(r, 0x5151);
	assert_non_null(strstr(test_view(m, "/proc/vmallocinfo"), "   16384 kmm_vmap vmap\n"));
	check(m);
	assert_int_equal(kmm_vunmap(m, va), KMM_OK);
	assert_int_equal(kmm_page_info(m, pfn[1], &pi), KMM_OK);
	assert_int_equal(pi.refcount, 1); /* vunmap does not free the caller's pages */
	for (int i = 0; i < 3; i++)
		assert_int_equal(kmm_free_pages(m, pfn[i], 0), KMM_OK);
	assert_einval_mentions(kmm_vmap(m, (kmm_pfn_t[]){1}, 1, &va), kmm_last_error(m),
			       "no struct page");
	test_machine_done(m);
}

/*
 * Random allocations and frees (sizes 1..32 pages, page alignment) against the rule: each
 * new area starts at the lowest address of a free area that can hold it at or above
 * VMALLOC_START — computed here from the free list before the call. The invariants are
 * checked after every step.
 */
static void test_vmalloc_random_lowest_fit(void **state)
{
	struct kmm_machine *m = boot("1G", "1");
	kmm_va_t live[256];
	int nlive = 0;
	uint64_t rng = 0x9e3779b97f4a7c15ull;
	char why[512];

	for (int step = 0; step < 1500; step++) {
		rng ^= rng << 13, rng ^= rng >> 7, rng ^= rng << 17;
		if (nlive < 256 && (nlive == 0 || rng % 3)) {
			unsigned long size = (1 + (rng >> 8) % 32) * 4096, want = 0;
			struct area_list l = free_areas(m);
			kmm_va_t va;

			for (int i = 0; i < l.n && i < AREAS_MAX && !want; i++) {
				unsigned long s = l.start[i] > H ? l.start[i] : H;

				if (s + size + 4096 <= l.end[i])
					want = s;
			}
			assert_true(want != 0);
			assert_int_equal(kmm_vmalloc(m, size, &va), KMM_OK);
			if (va != want)
				fail_msg("step %d: vmalloc(%lu) at 0x%llx, lowest fit 0x%lx", step,
					 size, (unsigned long long)va, want);
			live[nlive++] = va;
		} else {
			int i = (int)((rng >> 16) % (unsigned)nlive);

			assert_int_equal(kmm_vfree(m, live[i]), KMM_OK);
			live[i] = live[--nlive];
			if (rng % 17 == 0)
				kmm_vm_unmap_aliases(m);
		}
		if (!vmalloc_check(&m->kernel, why, sizeof(why)))
			fail_msg("step %d: %s", step, why);
	}
	test_machine_done(m);
}

/*
 * kmm_check notices a vmalloc PTE that no longer points at the area's own page, a mapped
 * guard page, and a mapping left in freed space.
 */
static void test_vmalloc_check_detects_bad_mappings(void **state)
{
	struct kmm_machine *m = boot("1G", "1");
	struct kmm_kernel *k = &m->kernel;
	kmm_va_t va;
	pte_t *pte, good;

	assert_int_equal(kmm_vmalloc(m, 4096, &va), KMM_OK);
	pte = pte_offset_kernel(
		k, pmd_offset(k, pud_offset(k, p4d_offset(pgd_offset_k(k, va), va), va), va), va);
	good = *pte;
	set_pte(pte, pfn_pte(pte_pfn(good) + 1, PAGE_KERNEL));
	assert_int_equal(kmm_check(m), KMM_ECORRUPT);
	assert_non_null(strstr(kmm_last_error(m), "page 0 of the area at 0xffff800008000000"));
	set_pte(pte, good);
	set_pte(pte + 1, good); /* the guard page */
	assert_int_equal(kmm_check(m), KMM_ECORRUPT);
	assert_non_null(strstr(kmm_last_error(m), "guard page"));
	pte_clear(pte + 1);
	set_pte(pte + 5, good); /* free space */
	assert_int_equal(kmm_check(m), KMM_ECORRUPT);
	assert_non_null(strstr(kmm_last_error(m), "0xffff800008005000 is mapped but no busy area"));
	pte_clear(pte + 5);
	test_machine_done(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_vmalloc_first_areas_fill_the_hole_below_the_image),
		cmocka_unit_test(test_vmalloc_fit_types_and_merge_on_free),
		cmocka_unit_test(test_vmalloc_alignment),
		cmocka_unit_test(test_vmalloc_range_limits),
		cmocka_unit_test(test_vmalloc_guard_page_faults),
		cmocka_unit_test(test_vmalloc_contents_and_lookups),
		cmocka_unit_test(test_vmalloc_huge_mapping_and_split),
		cmocka_unit_test(test_vmalloc_huge_per_node),
		cmocka_unit_test(test_vmalloc_huge_replaces_a_freed_table),
		cmocka_unit_test(test_vmalloc_stale_tlb_until_purge),
		cmocka_unit_test(test_vmalloc_lazy_purge_batching),
		cmocka_unit_test(test_vmalloc_bad_input),
		cmocka_unit_test(test_vmalloc_ioremap),
		cmocka_unit_test(test_vmalloc_vmap_pages),
		cmocka_unit_test(test_vmalloc_random_lowest_fit),
		cmocka_unit_test(test_vmalloc_check_detects_bad_mappings),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
