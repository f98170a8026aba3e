/*
 * hugetlb pools (src/mm/hugetlb.c): the four arm64 hstates and their sysfs files, pool growth
 * and shrinking through vm.nr_hugepages and the per-size and per-node files, the partial
 * result when memory runs out, round robin over nodes, gigantic pages, the meminfo rows and
 * CommitLimit, bad input. Expected values come from the kernel's rules (set_max_huge_pages,
 * alloc_pool_huge_page, hugetlb_report_meminfo, vm_commit_limit) and arm64's sizes;
 * kmm_check() runs after every step.
 */
#include "kmm_test.h"
#include "mman_test.h"

#include "mm/hugetlb.h"
#include "mm/internal.h"
#include "sim/machine.h"

#include <kmm/scenario.h>
#include <string.h>

#define HP2M "/sys/kernel/mm/hugepages/hugepages-2048kB/"

static struct kmm_machine *boot_ram(uint64_t ram, const char *cmdline)
{
	struct kmm_config cfg;

	kmm_config_init(&cfg);
	assert_int_equal(kmm_config_set_ram(&cfg, ram), KMM_OK);
	snprintf(cfg.cmdline, sizeof(cfg.cmdline), "%s", cmdline);
	return test_machine(&cfg);
}

static struct kmm_machine *boot_numa2(void)
{
	struct kmm_config cfg;

	kmm_config_init(&cfg);
	assert_int_equal(kmm_config_option(&cfg, "-m", "512M"), KMM_OK);
	assert_int_equal(kmm_config_option(&cfg, "-smp", "2"), KMM_OK);
	assert_int_equal(kmm_config_option(&cfg, "-numa", "node,nodeid=0,mem=256M,cpus=0"), KMM_OK);
	assert_int_equal(kmm_config_option(&cfg, "-numa", "node,nodeid=1,mem=256M,cpus=1"), KMM_OK);
	snprintf(cfg.cmdline, sizeof(cfg.cmdline), "cma=0");
	return test_machine(&cfg);
}

static void check(struct kmm_machine *m)
{
	if (kmm_check(m) != KMM_OK)
		fail_msg("kmm_check: %s", kmm_last_error(m));
}

static unsigned long view_ul(struct kmm_machine *m, const char *path)
{
	return strtoul(test_view(m, path), NULL, 10);
}

/* The kB (or count) of a /proc/meminfo row. */
static unsigned long meminfo(struct kmm_machine *m, const char *row)
{
	const char *p = strstr(test_view(m, "/proc/meminfo"), row);

	assert_non_null(p);
	return strtoul(p + strlen(row), NULL, 10);
}

static unsigned long ev(struct kmm_machine *m, enum vm_event_item i)
{
	return m->kernel.vm_events[i];
}

static void set(struct kmm_machine *m, const char *name, const char *value)
{
	if (kmm_sysctl(m, name, value) != KMM_OK)
		fail_msg("%s=%s: %s", name, value, kmm_last_error(m));
	check(m);
}

/* The four sizes of arm64 with 4 KiB pages, each demoting to the next smaller one. */
static void test_hugetlb_hstates_and_sysfs_files(void **state)
{
	struct kmm_machine *m = boot_ram(256ull << 20, "");
	static const char *const dirs[] = {"hugepages-1048576kB", "hugepages-32768kB",
					   "hugepages-2048kB", "hugepages-64kB"};
	static const char *const demote[] = {"32768kB\n", "2048kB\n", "64kB\n", NULL};
	char path[160], buf[64];

	(void)state;
	for (int i = 0; i < 4; i++) {
		static const char *const attrs[] = {
			"nr_hugepages",	  "nr_hugepages_mempolicy", "nr_overcommit_hugepages",
			"free_hugepages", "resv_hugepages",	    "surplus_hugepages"};

		for (int a = 0; a < 6; a++) {
			snprintf(path, sizeof(path), "/sys/kernel/mm/hugepages/%s/%s", dirs[i],
				 attrs[a]);
			assert_string_equal(test_view(m, path), "0\n");
		}
		snprintf(path, sizeof(path), "/sys/kernel/mm/hugepages/%s/demote_size", dirs[i]);
		if (demote[i]) {
			assert_string_equal(test_view(m, path), demote[i]);
			/* demote is write-only, as the capture's "<unreadable>" */
			snprintf(path, sizeof(path), "/sys/kernel/mm/hugepages/%s/demote", dirs[i]);
			assert_int_not_equal(kmm_proc_read(m, path, buf, sizeof(buf)), KMM_OK);
		} else {
			assert_int_equal(kmm_proc_read(m, path, buf, sizeof(buf)), KMM_ENOENT);
		}
		snprintf(path, sizeof(path),
			 "/sys/devices/system/node/node0/hugepages/%s/"
			 "nr_hugepages",
			 dirs[i]);
		assert_string_equal(test_view(m, path), "0\n");
	}
	assert_string_equal(test_view(m, "/proc/sys/vm/nr_hugepages"), "0\n");
	assert_int_equal(meminfo(m, "Hugepagesize:"), 2048);
	assert_int_equal(meminfo(m, "Hugetlb:"), 0);
	test_machine_done(m);
}

/*
 * The pool grows by one buddy allocation per page (htlb_buddy_alloc_success each), the
 * meminfo rows follow, and shrinking gives the pages back.
 */
static void test_hugetlb_pool_grows_and_shrinks(void **state)
{
	struct kmm_machine *m = boot_ram(256ull << 20, "cma=0");
	unsigned long ok0 = ev(m, HTLB_BUDDY_ALLOC_SUCCESS), commit0 = meminfo(m, "CommitLimit:");

	(void)state;
	set(m, "vm.nr_hugepages", "10");
	assert_int_equal(ev(m, HTLB_BUDDY_ALLOC_SUCCESS) - ok0, 10);
	assert_int_equal(ev(m, HTLB_BUDDY_ALLOC_FAIL), 0);
	assert_string_equal(test_view(m, "/proc/sys/vm/nr_hugepages"), "10\n");
	assert_int_equal(view_ul(m, HP2M "nr_hugepages"), 10);
	assert_int_equal(view_ul(m, HP2M "free_hugepages"), 10);
	assert_int_equal(meminfo(m, "HugePages_Total:"), 10);
	assert_int_equal(meminfo(m, "HugePages_Free:"), 10);
	assert_int_equal(meminfo(m, "HugePages_Rsvd:"), 0);
	assert_int_equal(meminfo(m, "HugePages_Surp:"), 0);
	assert_int_equal(meminfo(m, "Hugetlb:"), 10 * 2048);
	/* CommitLimit = (totalram - hugetlb pages) * 50% (+ no swap): 10 * 512 pages less */
	assert_int_equal(commit0 - meminfo(m, "CommitLimit:"), 10 * 512 / 2 * 4);
	/* a free pool page: a frozen compound head of order 9 with the hugetlb destructor */
	set(m, "vm.nr_hugepages", "3");
	assert_int_equal(meminfo(m, "HugePages_Total:"), 3);
	assert_int_equal(meminfo(m, "Hugetlb:"), 3 * 2048);
	assert_int_equal(ev(m, HTLB_BUDDY_ALLOC_SUCCESS) - ok0, 10);
	set(m, HP2M "nr_hugepages", "0");
	assert_int_equal(meminfo(m, "HugePages_Total:"), 0);
	assert_int_equal(meminfo(m, "CommitLimit:"), commit0);
	test_machine_done(m);
}

/*
 * More pages than exist: the pool takes what the buddy allocator can give, the write still
 * succeeds, and the first failure ends the growth (one node: one htlb_buddy_alloc_fail).
 */
static void test_hugetlb_more_than_exists_is_a_partial_result(void **state)
{
	struct kmm_machine *m = boot_ram(256ull << 20, "cma=0");
	unsigned long free_kb = meminfo(m, "MemFree:"), got;

	(void)state;
	set(m, "vm.nr_hugepages", "100000");
	got = view_ul(m, "/proc/sys/vm/nr_hugepages");
	assert_true(got > 0);
	assert_true(got <= free_kb / 2048);
	/* most of free memory went: what is left is below a few blocks plus the watermarks */
	assert_true(got >= free_kb / 2048 * 3 / 4);
	assert_int_equal(ev(m, HTLB_BUDDY_ALLOC_FAIL), 1);
	assert_int_equal(ev(m, HTLB_BUDDY_ALLOC_SUCCESS), got);
	assert_int_equal(meminfo(m, "HugePages_Total:"), got);
	set(m, "vm.nr_hugepages", "0");
	assert_int_equal(meminfo(m, "HugePages_Total:"), 0);
	assert_true(meminfo(m, "MemFree:") + meminfo(m, "MemFree:") / 16 >= free_kb);
	test_machine_done(m);
}

/* Two nodes: pages alternate from node 0; a node's file grows that node's part only. */
static void test_hugetlb_nodes_round_robin(void **state)
{
	struct kmm_machine *m = boot_numa2();
	const char *n0 = "/sys/devices/system/node/node0/hugepages/hugepages-2048kB/nr_hugepages";
	const char *n1 = "/sys/devices/system/node/node1/hugepages/hugepages-2048kB/nr_hugepages";

	(void)state;
	set(m, "vm.nr_hugepages", "7");
	assert_int_equal(view_ul(m, n0), 4);
	assert_int_equal(view_ul(m, n1), 3);
	set(m, n1, "6");
	assert_int_equal(view_ul(m, n0), 4);
	assert_int_equal(view_ul(m, n1), 6);
	assert_int_equal(meminfo(m, "HugePages_Total:"), 10);
	/* shrinking the whole pool takes from the nodes in turn too */
	set(m, "vm.nr_hugepages", "2");
	assert_int_equal(view_ul(m, n0) + view_ul(m, n1), 2);
	set(m, n0, "0");
	assert_int_equal(view_ul(m, n0), 0);
	test_machine_done(m);
}

/* 32 MiB pages are gigantic (order 13 >= MAX_ORDER): alloc_contig_pages finds them. */
static void test_hugetlb_gigantic_pool(void **state)
{
	struct kmm_machine *m = boot_ram(512ull << 20, "cma=0");
	const char *p = "/sys/kernel/mm/hugepages/hugepages-32768kB/nr_hugepages";
	unsigned long ok0 = ev(m, HTLB_BUDDY_ALLOC_SUCCESS);

	(void)state;
	set(m, p, "2");
	assert_int_equal(view_ul(m, p), 2);
	assert_int_equal(meminfo(m, "HugePages_Total:"), 0); /* the default size's row */
	assert_int_equal(meminfo(m, "Hugetlb:"), 2 * 32768);
	assert_int_equal(ev(m, HTLB_BUDDY_ALLOC_SUCCESS), ok0); /* not the buddy allocator */
	/* no overcommit for gigantic sizes */
	assert_int_equal(kmm_sysctl(m,
				    "/sys/kernel/mm/hugepages/hugepages-32768kB/"
				    "nr_overcommit_hugepages",
				    "1"),
			 KMM_EINVAL);
	set(m, p, "0");
	assert_int_equal(meminfo(m, "Hugetlb:"), 0);
	test_machine_done(m);
}

static void test_hugetlb_bad_input_changes_nothing(void **state)
{
	struct kmm_machine *m = boot_ram(256ull << 20, "");

	(void)state;
	set(m, "vm.nr_hugepages", "2");
	assert_int_equal(kmm_sysctl(m, "vm.nr_hugepages", "abc"), KMM_EINVAL);
	assert_int_equal(kmm_sysctl(m, "vm.nr_hugepages", "-1"), KMM_EINVAL);
	assert_int_equal(kmm_sysctl(m, "vm.nr_hugepages", ""), KMM_EINVAL);
	assert_int_equal(kmm_sysctl(m, "vm.nr_hugepages", "99999999999999999999999"), KMM_EINVAL);
	assert_int_equal(kmm_sysctl(m, HP2M "nr_hugepages", "1 2"), KMM_EINVAL);
	assert_int_equal(kmm_sysctl(m, HP2M "free_hugepages", "1"), KMM_EINVAL);
	assert_int_equal(kmm_sysctl(m, HP2M "demote", "x"), KMM_EINVAL);
	assert_int_equal(kmm_sysctl(m, HP2M "demote_size", "64K"), KMM_EINVAL); /* < order 9 */
	assert_int_equal(
		kmm_sysctl(m, "/sys/kernel/mm/hugepages/hugepages-4096kB/nr_hugepages", "1"),
		KMM_ENOENT);
	assert_int_equal(kmm_sysctl(m,
				    "/sys/devices/system/node/node3/hugepages/"
				    "hugepages-2048kB/nr_hugepages",
				    "1"),
			 KMM_ENOENT);
	assert_int_equal(meminfo(m, "HugePages_Total:"), 2);
	/* sysfs takes kstrtoul's "+N\n"; the sysctl its blanks */
	set(m, HP2M "nr_hugepages", "+3\n");
	assert_int_equal(meminfo(m, "HugePages_Total:"), 3);
	set(m, "vm.nr_hugepages", " 1\n");
	assert_int_equal(meminfo(m, "HugePages_Total:"), 1);
	set(m, "vm.nr_overcommit_hugepages", "5");
	assert_string_equal(test_view(m, "/proc/sys/vm/nr_overcommit_hugepages"), "5\n");
	assert_int_equal(view_ul(m, HP2M "nr_overcommit_hugepages"), 5);
	test_machine_done(m);
}

/* The check sees a free pool page whose counter disagrees (the check can fail). */
static void test_hugetlb_check_catches_a_miscount(void **state)
{
	struct kmm_machine *m = boot_ram(256ull << 20, "");
	char why[256];

	(void)state;
	set(m, "vm.nr_hugepages", "2");
	assert_true(hugetlb_check(&m->kernel, why, sizeof(why)));
	/* a free page's head taken a reference behind the pool's back */
	{
		struct page *page = NULL;

		for (unsigned long pfn = m->kernel.vmemmap_base; pfn < m->kernel.vmemmap_end;
		     pfn++) {
			if (pfn_valid(&m->kernel, pfn) && PageHuge(pfn_to_page(&m->kernel, pfn)) &&
			    PageHead(pfn_to_page(&m->kernel, pfn))) {
				page = pfn_to_page(&m->kernel, pfn);
				break;
			}
		}
		assert_non_null(page);
		set_page_count(page, 1);
		assert_false(hugetlb_check(&m->kernel, why, sizeof(why)));
		assert_non_null(strstr(why, "free list"));
		set_page_count(page, 0);
	}
	test_machine_done(m);
}

struct out_buf {
	char text[16384];
	size_t len;
};

static void out_fn(void *arg, const char *s, size_t n)
{
	struct out_buf *o = arg;

	if (o->len + n >= sizeof(o->text))
		n = sizeof(o->text) - 1 - o->len;
	memcpy(o->text + o->len, s, n);
	o->len += n;
	o->text[o->len] = 0;
}

/*
 * The kmmsim step prints /init's hugepages_try block: requested (MemFree / 2048 for auto),
 * obtained (read back), the meminfo rows with "huge", the node files and the vmstat delta.
 */
static void test_hugetlb_scenario_step_prints_the_init_block(void **state)
{
	static struct out_buf o;
	const char *p;
	unsigned long memfree, want;

	(void)state;
	o.len = 0;
	assert_int_equal(kmm_scenario_run("machine -m 256M -smp 1\n"
					  "append cma=0\n"
					  "boot\n"
					  "hugepages 10 block=x.hugepages_result\n"
					  "hugepages 4 size=64K node=0\n"
					  "hugepages 0\n"
					  "show /proc/meminfo\n"
					  "hugepages auto\n"
					  "check\n",
					  "t", NULL, out_fn, &o),
			 KMM_OK);
	p = o.text;
	assert_non_null(p = strstr(p, "@@@BEGIN x.hugepages_result@@@\nrequested=10 obtained=10 "));
	assert_non_null(p = strstr(p, "\nHugePages_Total:      10\n"));
	assert_non_null(p = strstr(p, "\nHugetlb:           20480 kB\n"));
	assert_non_null(p = strstr(p, "\n/sys/devices/system/node/node0/hugepages/hugepages-2048kB/"
				      "nr_hugepages=10\n--- vmstat delta (nonzero)\n"));
	assert_non_null(p = strstr(p, "\nhtlb_buddy_alloc_success 10\n"));
	assert_non_null(p = strstr(p, "\n@@@END x.hugepages_result@@@\nrequested=4 obtained=4 "));
	assert_non_null(p = strstr(p, "\nrequested=0 obtained=0 "));
	assert_non_null(p = strstr(p, "\nMemFree: "));
	memfree = strtoul(p + 9, NULL, 10);
	assert_non_null(p = strstr(p, "\nrequested="));
	want = strtoul(p + 11, NULL, 10);
	assert_int_equal(want, memfree / 2048);
}

/* The machine's kernel log (host memory, static: one at a time). */
static const char *dmesg(struct kmm_machine *m)
{
	static struct out_buf o;

	o.len = 0;
	o.text[0] = 0;
	kmm_dmesg(m, out_fn, &o);
	return o.text;
}

/* The lines of @log that say @what, in order; fails if one is missing. */
static void expect_lines_in_order(const char *log, const char *const *lines, size_t n)
{
	const char *p = log;

	for (size_t i = 0; i < n; i++) {
		const char *q = strstr(p, lines[i]);

		if (!q)
			fail_msg("the log lacks \"%s\" (after the previous line)", lines[i]);
		p = q + strlen(lines[i]);
	}
}

/*
 * hugepages=N without a size is the default size's (2 MiB): allocated at boot, reported by
 * report_hugepages in hstate order (arm64's 1G, 32M, 2M, 64K as the captures' boot log).
 */
static void test_hugetlb_boot_hugepages(void **state)
{
	struct kmm_machine *m = boot_ram(512ull << 20, "cma=0 hugepages=16");
	static const char *const lines[] = {
		"HugeTLB: registered 1.00 GiB page size, pre-allocated 0 pages\n",
		"HugeTLB: 0 KiB vmemmap can be freed for a 1.00 GiB page\n",
		"HugeTLB: registered 32.0 MiB page size, pre-allocated 0 pages\n",
		"HugeTLB: registered 2.00 MiB page size, pre-allocated 16 pages\n",
		"HugeTLB: registered 64.0 KiB page size, pre-allocated 0 pages\n",
		"HugeTLB: 0 KiB vmemmap can be freed for a 64.0 KiB page\n",
	};

	(void)state;
	check(m);
	expect_lines_in_order(dmesg(m), lines, ARRAY_SIZE(lines));
	assert_int_equal(meminfo(m, "HugePages_Total:"), 16);
	assert_int_equal(meminfo(m, "HugePages_Free:"), 16);
	assert_string_equal(test_view(m, "/proc/sys/vm/nr_hugepages"), "16\n");
	assert_int_equal(ev(m, HTLB_BUDDY_ALLOC_SUCCESS), 16);
	test_machine_done(m);
}

/*
 * hugepagesz= adds its hstate first (so it is reported first), its hugepages= follows it;
 * default_hugepagesz= makes the meminfo rows and vm.nr_hugepages another size's; a gigantic
 * size's pages are taken while the command line is read.
 */
static void test_hugetlb_boot_sizes_and_default(void **state)
{
	struct kmm_machine *m = boot_ram(512ull << 20, "cma=0 hugepagesz=64K hugepages=8 "
						       "default_hugepagesz=32M hugepages=2");
	static const char *const lines[] = {
		"HugeTLB: registered 64.0 KiB page size, pre-allocated 8 pages\n",
		"HugeTLB: registered 32.0 MiB page size, pre-allocated 2 pages\n",
		"HugeTLB: registered 1.00 GiB page size, pre-allocated 0 pages\n",
		"HugeTLB: registered 2.00 MiB page size, pre-allocated 0 pages\n",
	};

	(void)state;
	check(m);
	expect_lines_in_order(dmesg(m), lines, ARRAY_SIZE(lines));
	assert_int_equal(meminfo(m, "Hugepagesize:"), 32768);
	assert_int_equal(meminfo(m, "HugePages_Total:"), 2);
	assert_int_equal(meminfo(m, "Hugetlb:"), 8 * 64 + 2 * 32768);
	assert_string_equal(test_view(m, "/proc/sys/vm/nr_hugepages"), "2\n");
	assert_int_equal(view_ul(m, "/sys/kernel/mm/hugepages/hugepages-64kB/nr_hugepages"), 8);
	/* only the 64 KiB pages came from the buddy allocator */
	assert_int_equal(ev(m, HTLB_BUDDY_ALLOC_SUCCESS), 8);
	/* the default size's sysctl is the 32 MiB pool's: gigantic, so no overcommit */
	assert_int_equal(kmm_sysctl(m, "vm.nr_overcommit_hugepages", "1"), KMM_EINVAL);
	set(m, "vm.nr_hugepages", "0");
	assert_int_equal(meminfo(m, "Hugetlb:"), 8 * 64);
	test_machine_done(m);
}

/* Bad parameters: the kernel's messages, and the words they spoil are ignored (no panic). */
static void test_hugetlb_boot_bad_parameters(void **state)
{
	struct kmm_machine *m = boot_ram(256ull << 20, "hugepagesz=4M hugepages=5 hugepages=abc "
						       "default_hugepagesz=64K "
						       "default_hugepagesz=2M hugepagesz=64K "
						       "hugepages=3 hugepages=4 hugepagesz=1G "
						       "hugepagesz=64K");
	static const char *const lines[] = {
		"HugeTLB: unsupported hugepagesz=4M\n",
		"HugeTLB: hugepages=5 does not follow a valid hugepagesz, ignoring\n",
		"HugeTLB: Invalid hugepages parameter abc\n",
		"HugeTLB: default_hugepagesz previously specified, ignoring 2M\n",
		/* hugepagesz=64K then names the default size (no pages yet): allowed */
		("HugeTLB: hugepages= specified twice without interleaving hugepagesz=, ignoring "
		 "hugepages=4\n"),
		/* now the default size has pages: a second hugepagesz=64K is refused */
		"HugeTLB: hugepagesz=64K specified twice, ignoring\n",
		"HugeTLB: registered 64.0 KiB page size, pre-allocated 3 pages\n",
		"HugeTLB: registered 1.00 GiB page size, pre-allocated 0 pages\n",
	};

	(void)state;
	check(m);
	expect_lines_in_order(dmesg(m), lines, ARRAY_SIZE(lines));
	assert_int_equal(meminfo(m, "Hugepagesize:"), 64);
	assert_int_equal(meminfo(m, "HugePages_Total:"), 3);
	assert_int_equal(meminfo(m, "Hugetlb:"), 3 * 64);
	test_machine_done(m);
}

/* More than memory holds at boot: the pool keeps what came and says how many. */
static void test_hugetlb_boot_more_than_exists(void **state)
{
	struct kmm_machine *m = boot_ram(256ull << 20, "cma=0 hugepages=1000");
	unsigned long got = meminfo(m, "HugePages_Total:");
	char line[160];

	(void)state;
	check(m);
	assert_true(got > 64 && got < 128);
	snprintf(line, sizeof(line),
		 "HugeTLB: allocating 1000 of page size 2.00 MiB failed.  Only allocated %lu "
		 "hugepages.\n",
		 got);
	assert_non_null(strstr(dmesg(m), line));
	assert_int_equal(view_ul(m, "/proc/sys/vm/nr_hugepages"), got);
	test_machine_done(m);
}

/* hugepages=node:N,node:N asks each node for its part. */
static void test_hugetlb_boot_per_node(void **state)
{
	struct kmm_config cfg;
	struct kmm_machine *m;

	(void)state;
	kmm_config_init(&cfg);
	assert_int_equal(kmm_config_option(&cfg, "-m", "512M"), KMM_OK);
	assert_int_equal(kmm_config_option(&cfg, "-smp", "2"), KMM_OK);
	assert_int_equal(kmm_config_option(&cfg, "-numa", "node,nodeid=0,mem=256M,cpus=0"), KMM_OK);
	assert_int_equal(kmm_config_option(&cfg, "-numa", "node,nodeid=1,mem=256M,cpus=1"), KMM_OK);
	snprintf(cfg.cmdline, sizeof(cfg.cmdline), "cma=0 hugepages=0:3,1:5");
	m = test_machine(&cfg);
	check(m);
	assert_int_equal(view_ul(m, "/sys/devices/system/node/node0/hugepages/hugepages-2048kB/"
				    "nr_hugepages"),
			 3);
	assert_int_equal(view_ul(m, "/sys/devices/system/node/node1/hugepages/hugepages-2048kB/"
				    "nr_hugepages"),
			 5);
	assert_int_equal(meminfo(m, "HugePages_Total:"), 8);
	test_machine_done(m);
}

/*
 * Gigantic pages under load: with 140 MiB of anonymous memory written on a 256 MiB machine no
 * 32 MiB range is free, so alloc_contig_pages() has alloc_contig_range() migrate the user
 * pages out of the range it takes (MR_CONTIG_RANGE); every byte is still where the process
 * left it, and giving the pages back frees the ranges.
 */
static void test_hugetlb_gigantic_under_load_migrates(void **state)
{
	struct mt *t = mt_boot("1");
	const unsigned long n = (140UL << 20) / PG;
	const char *p = "/sys/kernel/mm/hugepages/hugepages-32768kB/nr_hugepages";
	unsigned long mig0, buddy0 = ev(t->m, HTLB_BUDDY_ALLOC_SUCCESS);

	(void)state;
	mt_map(t, BASE, n * PG, RW, ANONP);
	mt_fill(t, BASE, n * PG, 77);
	mig0 = ev(t->m, PGMIGRATE_SUCCESS);
	set(t->m, p, "2");
	assert_int_equal(view_ul(t->m, p), 2);
	assert_int_equal(meminfo(t->m, "Hugetlb:"), 2 * 32768);
	assert_true(ev(t->m, PGMIGRATE_SUCCESS) > mig0);
	assert_int_equal(ev(t->m, HTLB_BUDDY_ALLOC_SUCCESS), buddy0);
	mt_check(t);
	assert_int_equal(mt_count_pattern(t, BASE, n * PG, BASE, 77), n);
	set(t->m, p, "0");
	assert_int_equal(meminfo(t->m, "Hugetlb:"), 0);
	mt_done(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hugetlb_hstates_and_sysfs_files),
		cmocka_unit_test(test_hugetlb_pool_grows_and_shrinks),
		cmocka_unit_test(test_hugetlb_more_than_exists_is_a_partial_result),
		cmocka_unit_test(test_hugetlb_nodes_round_robin),
		cmocka_unit_test(test_hugetlb_gigantic_pool),
		cmocka_unit_test(test_hugetlb_bad_input_changes_nothing),
		cmocka_unit_test(test_hugetlb_check_catches_a_miscount),
		cmocka_unit_test(test_hugetlb_scenario_step_prints_the_init_block),
		cmocka_unit_test(test_hugetlb_boot_hugepages),
		cmocka_unit_test(test_hugetlb_boot_sizes_and_default),
		cmocka_unit_test(test_hugetlb_boot_bad_parameters),
		cmocka_unit_test(test_hugetlb_boot_more_than_exists),
		cmocka_unit_test(test_hugetlb_boot_per_node),
		cmocka_unit_test(test_hugetlb_gigantic_under_load_migrates),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
