/*
 * Boot against the real kernel: for each captured configuration (shared/oracles/linux), boot
 * the same machine and compare zone ranges, spanned/present/managed pages, watermarks,
 * lowmem_reserve ("protection"), pcp high/batch, stat thresholds and min_free_kbytes with the
 * capture — at boot, and after each sysctl write of the knobs.k* experiments (the kernel
 * recomputes everything from the final managed counts there). Also the boot log lines and
 * the layouts of /proc/buddyinfo and /proc/pagetypeinfo.
 *
 * Covers: src/arch/arm64/kernel/setup.c, src/mm/mm_init.c, page_alloc.c (the hand-over and
 * merging), wmark.c, vmstat.c and sysctl_vm.c through the views and sysctls they serve.
 *
 * Reservations. The model makes the kernel's big early reservations itself (kernel image,
 * initrd, DTB, NODE_DATA, vmemmap, percpu, CMA, swiotlb, the page tables of paging_init);
 * the real kernel also made small ones it does not (hash tables, the log buffer, the
 * vmemmap's page tables, ...). Each config adds those as -reserve so that every zone's
 * managed count equals the capture's, derived by hand per zone as: present - captured
 * managed - the model's own reserved pages there, where
 *   image 6571 (8192 pages [0x40210000, 0x42210000) - 5 init_pg_dir - 1616 init, freed later)
 *   initrd 1 (the partial last page of its 562; 561 are freed), DTB 256,
 *   NODE_DATA 3 per node (0x2c80 bytes ending at a page end), vmemmap 512 per 128 MiB section,
 *   percpu 31 per CPU of the node, swiotlb 16384 when RAM goes above 4 GiB, CMA 0 (managed),
 *   page tables PT(R) for R bytes of RAM at 0x40000000, top-down from the end of RAM:
 *     kernel image: 1 PUD + 1 PMD + 5 PTE tables (the 2 MiB slots holding the segments'
 *       unaligned ends: VA 0x08000000, 0x08c00000, 0x09600000, 0x09c00000, 0x0a000000
 *       above KIMAGE_VADDR; the aligned middles are 2 MiB blocks);
 *     linear map with rodata=full: one PTE table per 2 MiB of RAM, except the 10 2 MiB
 *       blocks [0x40400000, 0x41800000) inside the image's [_stext, __init_begin), mapped
 *       on their own with blocks allowed; one PMD table per GiB; one PUD table;
 *     idmap: 1 PUD + 1 PMD + 2 PTE tables (the idmap text and the KPTI flag);
 *   so PT(R) = 7 + (R/2M - 10) + R/1G + 1 + 4: PT(512M) = 259, PT(1G) = 515 (the
 *   debug-smp1-1G console shows 511 early_pgtable_alloc calls before paging_init frees
 *   init_pg_dir and 4 after), PT(2G) = 1028, PT(4G) = 2054.
 */
#include "capture.h"
#include "kmm_test.h"

#include <ctype.h>

#include "lib/sink.h"

#define MAX_ZONES 8
#define MAX_CPUS  4

struct zrec {
	int node;
	char name[16];
	long min, low, high, spanned, present, managed, cma, prot[4], start_pfn;
	int ncpus;
	long pcp_high[MAX_CPUS], pcp_batch[MAX_CPUS], threshold[MAX_CPUS];
};

static long field(const char *block, const char *key)
{
	const char *p = strstr(block, key);

	if (!p)
		return -1;
	return strtol(p + strlen(key), NULL, 10);
}

/* Parses a zoneinfo text into records (populated or not). Returns the count. */
static int parse_zoneinfo(const char *text, struct zrec *z, int max)
{
	int n = 0;
	const char *p = text;

	while ((p = strstr(p, "Node ")) && n < max) {
		const char *next = strstr(p + 5, "\nNode ");
		size_t len = next ? (size_t)(next - p) : strlen(p);
		char *block = strndup(p, len);
		struct zrec *r = &z[n++];
		const char *c;

		memset(r, 0, sizeof(*r));
		sscanf(block, "Node %d, zone %15s", &r->node, r->name);
		r->min = field(block, "\n        min ");
		r->low = field(block, "\n        low ");
		r->high = field(block, "\n        high ");
		r->spanned = field(block, "\n        spanned ");
		r->present = field(block, "\n        present ");
		r->managed = field(block, "\n        managed ");
		r->cma = field(block, "\n        cma ");
		c = strstr(block, "protection: (");
		if (c)
			sscanf(c, "protection: (%ld, %ld, %ld, %ld)", &r->prot[0], &r->prot[1],
			       &r->prot[2], &r->prot[3]);
		r->start_pfn = field(block, "start_pfn:");
		for (c = block; (c = strstr(c, "\n    cpu: ")) && r->ncpus < MAX_CPUS; c++) {
			r->pcp_high[r->ncpus] = field(c, "high:");
			r->pcp_batch[r->ncpus] = field(c, "batch:");
			r->threshold[r->ncpus] = field(c, "vm stats threshold:");
			r->ncpus++;
		}
		free(block);
		p += len;
	}
	return n;
}

#define CHECK_FIELD(what, got, want)                                                               \
	do {                                                                                       \
		if ((got) != (want))                                                               \
			fail_msg("%s %s node %d %s: %s is %ld, the real kernel has %ld", config,   \
				 stage, w->node, w->name, what, (long)(got), (long)(want));        \
	} while (0)

static void compare_zones(const char *config, const char *stage, const char *ours,
			  const char *theirs, bool pcp_and_thresholds)
{
	struct zrec a[MAX_ZONES], b[MAX_ZONES];
	int na = parse_zoneinfo(ours, a, MAX_ZONES), nb = parse_zoneinfo(theirs, b, MAX_ZONES);

	assert_int_equal(na, nb);
	for (int i = 0; i < na; i++) {
		const struct zrec *g = &a[i], *w = &b[i];

		assert_int_equal(g->node, w->node);
		assert_string_equal(g->name, w->name);
		CHECK_FIELD("spanned", g->spanned, w->spanned);
		CHECK_FIELD("present", g->present, w->present);
		CHECK_FIELD("managed", g->managed, w->managed);
		CHECK_FIELD("cma", g->cma, w->cma);
		CHECK_FIELD("min", g->min, w->min);
		CHECK_FIELD("low", g->low, w->low);
		CHECK_FIELD("high", g->high, w->high);
		CHECK_FIELD("start_pfn", g->start_pfn, w->start_pfn);
		for (int j = 0; j < 4; j++)
			CHECK_FIELD("protection", g->prot[j], w->prot[j]);
		if (!pcp_and_thresholds)
			continue;
		CHECK_FIELD("number of pagesets", g->ncpus, w->ncpus);
		for (int c = 0; c < g->ncpus; c++) {
			CHECK_FIELD("pcp high", g->pcp_high[c], w->pcp_high[c]);
			CHECK_FIELD("pcp batch", g->pcp_batch[c], w->pcp_batch[c]);
			CHECK_FIELD("vm stats threshold", g->threshold[c], w->threshold[c]);
		}
	}
}

/* A line's layout: its words with every number replaced by '#', blanks collapsed. */
static void layout_of(const char *text, char *out, size_t cap)
{
	size_t n = 0;
	bool space = false;

	for (const char *p = text; *p && n + 2 < cap; p++) {
		if (*p == ' ' || *p == '\t') {
			space = true;
			continue;
		}
		if (space && n && out[n - 1] != '\n')
			out[n++] = ' ';
		space = false;
		if (isdigit((unsigned char)*p)) {
			while (isdigit((unsigned char)p[1]) || p[1] == '.')
				p++;
			out[n++] = '#';
		} else {
			out[n++] = *p;
		}
	}
	out[n] = '\0';
}

static void compare_layout(struct kmm_machine *m, const char *config, const char *path,
			   const char *file)
{
	static char a[1 << 16], b[1 << 16];
	char *theirs = read_capture(config, file);

	layout_of(test_view(m, path), a, sizeof(a));
	layout_of(theirs, b, sizeof(b));
	assert_string_equal(a, b);
	free(theirs);
}

static void expect_log_line(const char *log, const char *line, const char *config)
{
	if (!strstr(log, line))
		fail_msg("%s: the boot log lacks the real kernel's line \"%s\"", config, line);
}

/* Every dmesg line of the capture that the model prints the same way. */
static void compare_boot_log(struct kmm_machine *m, const char *config)
{
	static const char *const prefixes[] = {
		"NUMA: No NUMA",
		"NUMA: Faking",
		"Zone ranges:",
		"  DMA ",
		"  DMA32 ",
		"  Normal ",
		"Movable zone start",
		"Early memory node ranges",
		"  node ",
		"Initmem setup",
		"cma: Reserved 64 MiB",
		"percpu: Embedded",
		"Fallback order",
		"Built ",
		"Policy zone:",
		"software IO TLB: mapped",
		"Freeing initrd memory",
		"Freeing unused kernel memory",
		"ASID allocator initialised with ",
		"HugeTLB: ",
	};
	char *theirs = read_capture(config, "boot.dmesg.txt");
	char *log = calloc(1, 1 << 20);
	struct sink_buf sb = {.buf = log, .cap = 1 << 20};
	char *line = theirs;

	kmm_dmesg(m, sink_buf_fn, &sb);
	while (line && *line) {
		char *nl = strchr(line, '\n'), *text = strstr(line, "] ");
		if (nl)
			*nl = '\0';
		if (text) {
			text += 2;
			for (size_t i = 0; i < sizeof(prefixes) / sizeof(prefixes[0]); i++) {
				/* cma's address depends on the top-of-memory allocations: size only
				 */
				if (strncmp(text, prefixes[i], strlen(prefixes[i])) == 0)
					expect_log_line(
						log, strncmp(text, "cma:", 4) ? text : prefixes[i],
						config);
			}
			/* The Memory: line's first figure depends on deferred page init (not
			 * modelled) */
			if (strncmp(text, "Memory: ", 8) == 0)
				expect_log_line(log, strchr(text, '/'), config);
		}
		line = nl ? nl + 1 : NULL;
	}
	free(log);
	free(theirs);
}

/*
 * /proc/meminfo has the kernel's fields in the kernel's order, and the lines whose value the
 * model knows at boot equal the capture's: nothing swapped, dirty, locked, bounced or
 * huge-paged yet, the commit limit (half of MemTotal) and the fixed sizes. The lines that
 * count what the captured boot's init and kernel threads made (Cached, Shmem, the LRU
 * sizes, AnonPages, Mapped, KernelStack, PageTables, Committed_AS, Percpu beyond the first
 * chunk) are explained in docs/fidelity.md.
 */
static void compare_meminfo(const char *config, const char *ours, const char *theirs)
{
	static const char *const known[] = {
		"Buffers:",	    "SwapCached:",	  "Unevictable:",    "Mlocked:",
		"SwapTotal:",	    "SwapFree:",	  "Zswap:",	     "Zswapped:",
		"Dirty:",	    "Writeback:",	  "SecPageTables:",  "NFS_Unstable:",
		"Bounce:",	    "WritebackTmp:",	  "CommitLimit:",    "VmallocTotal:",
		"VmallocChunk:",    "HardwareCorrupted:", "AnonHugePages:",  "ShmemHugePages:",
		"ShmemPmdMapped:",  "FileHugePages:",	  "FilePmdMapped:",  "CmaTotal:",
		"HugePages_Total:", "HugePages_Free:",	  "HugePages_Rsvd:", "HugePages_Surp:",
		"Hugepagesize:",    "Hugetlb:",
	};
	const char *a = ours, *b = theirs;

	/* the same field names, in the same order */
	while (*a && *b) {
		size_t la = strcspn(a, ":"), lb = strcspn(b, ":");

		if (la != lb || strncmp(a, b, la))
			fail_msg("%s: /proc/meminfo has %.*s where the kernel has %.*s", config,
				 (int)la, a, (int)lb, b);
		a += strcspn(a, "\n") + (a[strcspn(a, "\n")] != '\0');
		b += strcspn(b, "\n") + (b[strcspn(b, "\n")] != '\0');
	}
	if (*a || *b)
		fail_msg("%s: /proc/meminfo has %s lines than the kernel's", config,
			 *a ? "more" : "fewer");
	for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++) {
		char line[96];
		const char *p = strstr(ours, known[i]);

		assert_non_null(p);
		snprintf(line, sizeof(line), "\n%.*s", (int)(strchr(p, '\n') - p + 1), p);
		if (!strstr(theirs, line))
			fail_msg("%s: %s is not the real kernel's", config, line + 1);
	}
}

static void run_config(const char *config, const char *const *options, bool knobs)
{
	struct kmm_config cfg;
	struct kmm_machine *m;
	char *theirs;

	kmm_config_init(&cfg);
	for (int i = 0; options[i]; i += 2)
		if (kmm_config_option(&cfg, options[i], options[i + 1]) != KMM_OK)
			fail_msg("%s: %s", options[i], kmm_last_error(NULL));
	m = test_machine(&cfg);

	theirs = read_capture(config, "boot.zoneinfo.txt");
	compare_zones(config, "boot", test_view(m, "/proc/zoneinfo"), theirs, true);
	free(theirs);
	compare_boot_log(m, config);
	compare_layout(m, config, "/proc/buddyinfo", "boot.buddyinfo.txt");
	compare_layout(m, config, "/proc/pagetypeinfo", "boot.pagetypeinfo.txt");
	theirs = read_capture(config, "boot.meminfo.txt");
	compare_meminfo(config, test_view(m, "/proc/meminfo"), theirs);
	{
		char memtotal[64];
		const char *ours = test_view(m, "/proc/meminfo");
		snprintf(memtotal, sizeof(memtotal), "%.*s", (int)(strchr(ours, '\n') - ours + 1),
			 ours);
		if (!strstr(theirs, memtotal))
			fail_msg("%s: %s is not the real kernel's", config, memtotal);
		ours = strstr(ours, "CmaTotal:");
		snprintf(memtotal, sizeof(memtotal), "%.*s", (int)(strchr(ours, '\n') - ours + 1),
			 ours);
		if (!strstr(theirs, memtotal))
			fail_msg("%s: %s is not the real kernel's", config, memtotal);
	}
	free(theirs);

	for (int k = 1; knobs && k <= 9; k++) {
		static const char *const names[] = {"",
						    "k1_min_free_kbytes_same",
						    "k2_wsf_200",
						    "k3_wsf_10",
						    "k4_pcp_fraction_8",
						    "k5_pcp_fraction_0",
						    "k6_lowmem_reserve_ratio_64_64_8",
						    "k7_lowmem_reserve_ratio_default",
						    "k8_min_free_kbytes_8192",
						    "k9_min_free_kbytes_restore"};
		char file[96], name[64], value[64], want_mfk[32];
		const char *header, *mfk;

		snprintf(file, sizeof(file), "knobs.%s.txt", names[k]);
		theirs = read_capture(config, file);
		/* "wrote NAME=VALUE readback=..." (VALUE may hold tabs) */
		header = theirs + strlen("wrote ");
		sscanf(header, "%63[^=]=", name);
		snprintf(value, sizeof(value), "%.*s",
			 (int)(strstr(header, " readback=") - strchr(header, '=') - 1),
			 strchr(header, '=') + 1);
		snprintf(file, sizeof(file), "vm.%s", name);
		if (kmm_sysctl(m, file, value) != KMM_OK)
			fail_msg("%s %s: %s", config, names[k], kmm_last_error(m));
		compare_zones(config, names[k], test_view(m, "/proc/zoneinfo"),
			      strchr(theirs, '\n'), true);
		mfk = strstr(theirs, " min_free_kbytes=");
		sscanf(mfk, " min_free_kbytes=%31s", want_mfk);
		assert_int_equal(atoi(test_view(m, "/proc/sys/vm/min_free_kbytes")),
				 atoi(want_mfk));
		free(theirs);
		assert_int_equal(kmm_check(m), KMM_OK);
	}
	test_machine_done(m);
}

static void test_boot_matches_a57_smp1_1g(void **state)
{
	/* DMA: 262144 - 250241 - (6571 + 1 + 256 + 3 + 8*512 + 31 + PT(1G) 515) = 430 pages */
	static const char *const opts[] = {"-m", "1G", "-smp", "1", "-reserve", "1720K", NULL};
	run_config("a57-smp1-1G", opts, true);
}

static void test_boot_matches_a57_smp1_4g(void **state)
{
	/*
	 * DMA: 786432 - 763220 - (6571 + 1 + 256 + 16384 swiotlb) = 0;
	 * Normal: 262144 - 241897 - (3 + 32*512 + 31 + PT(4G) 2054) = 1775 pages; top-down
	 * lands there, and so do the page tables (Normal is the top GiB).
	 */
	static const char *const opts[] = {"-m", "4G", "-smp", "1", "-reserve", "7100K", NULL};
	run_config("a57-smp1-4G", opts, true);
}

static void test_boot_matches_a57_smp4_512m(void **state)
{
	/* DMA: 131072 - 121571 - (6571 + 1 + 256 + 3 + 4*512 + 4*31 + PT(512M) 259) = 239 pages */
	static const char *const opts[] = {"-m", "512M", "-smp", "4", "-reserve", "956K", NULL};
	run_config("a57-smp4-512M", opts, true);
}

static void test_boot_matches_numa2_smp4_2g(void **state)
{
	/*
	 * node 0: 262144 - 251152 - (6571 + 1 + 256 + 3 + 8*512 + 2*31) = 3 pages, placed in it;
	 * node 1: 262144 - 256910 - (3 + 8*512 + 2*31 + PT(2G) 1028) = 45 pages; top-down lands
	 * there, and so do the page tables (node 1 is the top GiB, as on the real boot).
	 */
	static const char *const opts[] = {"-m",       "2G",
					   "-smp",     "4",
					   "-numa",    "node,nodeid=0,mem=1G,cpus=0-1",
					   "-numa",    "node,nodeid=1,mem=1G,cpus=2-3",
					   "-numa",    "dist,src=0,dst=1,val=20",
					   "-reserve", "12K@0x7ff00000",
					   "-reserve", "180K",
					   NULL};
	run_config("numa2-smp4-2G", opts, true);
}

static void test_boot_matches_debug_smp1_1g(void **state)
{
	/* memblock=debug boot: 262144 - 245633 - 10958 - PT(1G) 515 = 5038 pages */
	static const char *const opts[] = {"-m",     "1G",	"-smp",		  "1", "-reserve",
					   "20152K", "-append", "memblock=debug", NULL};
	run_config("debug-smp1-1G", opts, false);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_boot_matches_a57_smp1_1g),
		cmocka_unit_test(test_boot_matches_a57_smp1_4g),
		cmocka_unit_test(test_boot_matches_a57_smp4_512m),
		cmocka_unit_test(test_boot_matches_numa2_smp4_2g),
		cmocka_unit_test(test_boot_matches_debug_smp1_1g),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
