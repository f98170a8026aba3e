/*
 * memblock output: memblock=debug lines and the "MEMBLOCK configuration:" dump compared with a
 * real 6.1 arm64 boot (shared/oracles/linux/captures/debug-smp1-1G/console.log; the caller's
 * "+0xoff/0xlen" is not modelled and is cut from the captured lines), the debugfs files
 * /sys/kernel/debug/memblock/{memory,reserved} rebuilt for every captured machine, and the
 * reports for odd alignments.
 */
#include "memblock_test.h"

#include <limits.h>

#define M DRAM_BASE

static const char *capture_dir = KMM_DATA_DIR "/oracles/linux/captures";

/* Whole file in a malloc'd, NUL-terminated buffer; a file that cannot be read fails the test. */
static char *read_text(const char *cfg, const char *file)
{
	char path[512];
	FILE *f;
	char *buf;
	long len;

	snprintf(path, sizeof(path), "%s/%s/%s", capture_dir, cfg, file);
	f = test_data_fopen(path);
	fseek(f, 0, SEEK_END);
	len = ftell(f);
	fseek(f, 0, SEEK_SET);
	buf = malloc((size_t)len + 1);
	if (buf && fread(buf, 1, (size_t)len, f) != (size_t)len) {
		free(buf);
		buf = NULL;
	}
	fclose(f);
	if (buf)
		buf[len] = '\0';
	return buf;
}

static char *read_console(void)
{
	return read_text("debug-smp1-1G", "console.log");
}

/*
 * Appends to @out the @n captured lines starting at the first one containing @needle, each
 * with its caller's "+0x../0x.." cut off.
 */
static void captured_lines(const char *log, const char *needle, int n, char *out, size_t cap)
{
	const char *p = strstr(log, needle);

	assert_non_null(p);
	while (p > log && p[-1] != '\n')
		p--;
	for (int i = 0; i < n; i++) {
		const char *eol = strchr(p, '\n');
		const char *plus, *sp;
		size_t len;

		assert_non_null(eol);
		len = (size_t)(eol - p);
		sp = NULL;
		for (const char *q = p; q < eol; q++)
			if (*q == ' ')
				sp = q;
		plus = sp ? memchr(sp, '+', (size_t)(eol - sp)) : NULL;
		if (plus && plus[1] == '0' && plus[2] == 'x')
			len = (size_t)(plus - p);
		assert_true(strlen(out) + len + 2 < cap);
		strncat(out, p, len);
		strcat(out, "\n");
		p = eol + 1;
	}
}

/*
 * The first memblock lines of the captured boot (arm64_memblock_init, then the first page
 * table page of early_pgtable_alloc), replayed on 1 GiB at 0x4000_0000.
 */
static void test_memblock_debug_lines_match_capture(void **state)
{
	struct mbt *t = *state;
	struct memblock *mb = &t->mb;
	char *log = read_console();
	char want[4096] = "";

	memblock_add(mb, M, SZ_1G);
	mb->debug = true;
	mbt_log_clear(t);
	mb->caller = "arm64_memblock_init";
	memblock_remove(mb, 1ULL << 48, ULLONG_MAX);
	mb->caller = "arm64_memblock_init";
	memblock_remove(mb, 0x800040000000ULL, ULLONG_MAX);
	mb->caller = "arm64_memblock_init";
	memblock_add(mb, 0x48000000, 0x232000);
	mb->caller = "arm64_memblock_init";
	memblock_reserve(mb, 0x48000000, 0x232000);
	mb->caller = "arm64_memblock_init";
	memblock_reserve(mb, 0x40210000, 0x2000000);
	mb->caller = "early_pgtable_alloc";
	assert_int_equal(memblock_phys_alloc_range(mb, SZ_4K, SZ_4K, 0, MEMBLOCK_ALLOC_NOLEAKTRACE),
			 0x7ffff000);
	MB_CHECK(mb);
	captured_lines(log, "] memblock_remove: [0x0001000000000000", 7, want, sizeof(want));
	assert_string_equal(mbt_log(t), want);
	free(log);
}

/* First line of our log (after a call) equals the first captured line holding @needle. */
static void expect_first_line(struct mbt *t, const char *log, const char *needle)
{
	char want[1024] = "";
	const char *ours = mbt_log(t);
	const char *eol = strchr(ours, '\n');

	captured_lines(log, needle, 1, want, sizeof(want));
	assert_non_null(eol);
	assert_int_equal((size_t)(eol - ours) + 1, strlen(want));
	assert_memory_equal(ours, want, strlen(want));
	mbt_log_clear(t);
}

static void test_memblock_debug_alloc_lines_match_capture(void **state)
{
	struct mbt *t = *state;
	struct memblock *mb = &t->mb;
	char *log = read_console();

	memblock_add_node(mb, M, SZ_1G, 0, MEMBLOCK_NONE);
	memblock_reserve(mb, 0x4220b000, 0x5000);
	mb->debug = true;
	mbt_log_clear(t);

	mb->caller = "paging_init";
	memblock_phys_free(mb, 0x4220b000, 0x5000);
	expect_first_line(t, log, "] memblock_phys_free: [0x000000004220b000");

	/* A zero-sized free still logs, with end = base - 1. */
	mb->caller = "pcpu_embed_first_chunk";
	assert_int_equal(memblock_phys_free(mb, 0x7fdcb000, 0), 0);
	expect_first_line(t, log, "] memblock_phys_free: [0x000000007fdcb000-0x000000007fdcafff]");

	mb->caller = "early_init_dt_alloc_memory_arch";
	assert_true(memblock_alloc_try_nid(mb, 39964, 8, 0, 0, NUMA_NO_NODE) != 0);
	expect_first_line(t, log, "] memblock_alloc_try_nid: 39964 bytes");

	mb->caller = "memmap_alloc";
	assert_true(memblock_alloc_exact_nid_raw(mb, SZ_16M, SZ_2M, M, 0, 0) != 0);
	expect_first_line(t, log, "] memblock_alloc_exact_nid_raw: 16777216 bytes");

	mb->caller = "__earlyonly_bootmem_alloc";
	assert_true(memblock_alloc_try_nid_raw(mb, SZ_4K, SZ_4K, M, 0, 0) != 0);
	expect_first_line(t, log, "] memblock_alloc_try_nid_raw: 4096 bytes");
	MB_CHECK(mb);
	free(log);
}

/* Lines whose caller was not named, add_node, memblock_free, and the one-shot caller. */
static void test_memblock_debug_line_shapes(void **state)
{
	struct mbt *t = *state;
	struct memblock *mb = &t->mb;

	mb->debug = true;
	mb->caller = "numa_add_memblk";
	memblock_add_node(mb, M, SZ_1M, 1, MEMBLOCK_HOTPLUG);
	memblock_add(mb, M + SZ_2M, SZ_1M); /* the caller was used up */
	memblock_reserve(mb, M, SZ_8K);
	memblock_free(mb, M + SZ_4K, SZ_4K);
	memblock_phys_alloc(mb, SZ_4K, SZ_4K);
	assert_string_equal(
		mbt_log(t),
		"[    0.000000] memblock_add_node: [0x0000000040000000-0x00000000400fffff] "
		"nid=1 flags=1 numa_add_memblk\n"
		"[    0.000000] memblock_add: [0x0000000040200000-0x00000000402fffff]\n"
		"[    0.000000] memblock_reserve: [0x0000000040000000-0x0000000040001fff]\n"
		"[    0.000000] memblock_phys_free: [0x0000000040001000-0x0000000040001fff] "
		"memblock_free\n"
		"[    0.000000] memblock_phys_alloc_range: 4096 bytes align=0x1000 "
		"from=0x0000000000000000 max_addr=0x0000000000000000\n"
		"[    0.000000] memblock_reserve: [0x00000000402ff000-0x00000000402fffff] "
		"memblock_alloc_range_nid\n");
	/* Without memblock=debug, nothing is logged. */
	mb->debug = false;
	mbt_log_clear(t);
	memblock_add(mb, M + SZ_4M, SZ_1M);
	memblock_dump_all(mb);
	assert_int_equal(t->env.log.len, 0);
	MB_CHECK(mb);
}

/* The reserved regions of the captured dump (lines " reserved[0x0..0x8]"). */
static const struct {
	phys_addr_t base, size;
} captured_reserved[] = {
	{0x40210000, 0x1ffb000}, {0x48000000, 0x232000}, {0x48400000, 0x100000},
	{0x7ac00000, 0x5000000}, {0x7fdcd000, 0x2000},	 {0x7fdcf380, 0x23d80},
	{0x7fdf3200, 0x1c0},	 {0x7fdf33e0, 0x9c1c},	 {0x7fdfd000, 0x203000},
};

static void test_memblock_dump_all_matches_capture(void **state)
{
	struct mbt *t = *state;
	struct memblock *mb = &t->mb;
	char *log = read_console();
	char want[4096] = "";

	memblock_add_node(mb, M, SZ_1G, 0, MEMBLOCK_NONE);
	for (size_t i = 0; i < sizeof(captured_reserved) / sizeof(captured_reserved[0]); i++)
		memblock_reserve(mb, captured_reserved[i].base, captured_reserved[i].size);
	MB_CHECK(mb);
	captured_lines(log, "] MEMBLOCK configuration:", 14, want, sizeof(want));
	mbt_log_clear(t);
	__memblock_dump_all(mb);
	assert_string_equal(mbt_log(t), want);
	mbt_log_clear(t);
	mb->debug = true;
	memblock_dump_all(mb);
	assert_string_equal(mbt_log(t), want);
	free(log);
}

/* A region without a node prints no " on node"; an empty type prints its dummy. */
static void test_memblock_dump_all_empty_and_no_node(void **state)
{
	struct mbt *t = *state;
	struct memblock *mb = &t->mb;

	memblock_add(mb, M, SZ_4K);
	mbt_log_clear(t);
	__memblock_dump_all(mb);
	assert_string_equal(
		mbt_log(t),
		"[    0.000000] MEMBLOCK configuration:\n"
		"[    0.000000]  memory size = 0x0000000000001000 reserved size = "
		"0x0000000000000000\n"
		"[    0.000000]  memory.cnt  = 0x1\n"
		"[    0.000000]  memory[0x0]\t[0x0000000040000000-0x0000000040000fff], "
		"0x0000000000001000 bytes flags: 0x0\n"
		"[    0.000000]  reserved.cnt  = 0x1\n"
		"[    0.000000]  reserved[0x0]\t[0x0000000000000000-0xffffffffffffffff], "
		"0x0000000000000000 bytes on node 0 flags: 0x0\n");
}

static char *show(const struct memblock_type *type)
{
	struct sink_str s = {0};
	struct sink out = {sink_str_fn, &s};

	memblock_debugfs_show(type, &out);
	assert_false(s.failed);
	if (!s.buf)
		return calloc(1, 1);
	return s.buf;
}

/* Parses "%4d: 0x..base..0x..end\n" lines and adds each range with @fn. */
static void replay(struct memblock *mb, const char *text, bool memory)
{
	const char *p = text;
	unsigned long long base, end;
	int idx, n;

	while (sscanf(p, " %d: 0x%llx..0x%llx%n", &idx, &base, &end, &n) == 3) {
		if (memory)
			assert_int_equal(
				memblock_add_node(mb, base, end - base + 1, idx, MEMBLOCK_NONE), 0);
		else
			assert_int_equal(memblock_reserve(mb, base, end - base + 1), 0);
		p += n;
	}
	while (*p == '\n' || *p == ' ')
		p++;
	assert_int_equal(*p, '\0');
}

/* Every captured machine's debugfs memblock files, rebuilt and printed again. */
static void test_memblock_debugfs_matches_captures(void **state)
{
	static const char *const cfgs[] = {"a57-smp1-1G",   "a57-smp1-4G",	 "a57-smp4-512M",
					   "debug-smp1-1G", "filecache-smp1-1G", "numa2-smp4-2G",
					   "zram-smp1-1G"};
	struct mbt *t = *state;
	int done = 0;

	for (size_t i = 0; i < sizeof(cfgs) / sizeof(cfgs[0]); i++) {
		char *mem = read_text(cfgs[i], "boot.memblock_memory.txt");
		char *res = read_text(cfgs[i], "boot.memblock_reserved.txt");
		char *got;

		{
			print_message("  %s\n", cfgs[i]);
			mbt_reset(t);
			replay(&t->mb, mem, true);
			replay(&t->mb, res, false);
			MB_CHECK(&t->mb);
			got = show(&t->mb.memory);
			assert_string_equal(got, mem);
			free(got);
			got = show(&t->mb.reserved);
			assert_string_equal(got, res);
			free(got);
			done++;
		}
		free(mem);
		free(res);
	}
	assert_int_equal(done, sizeof(cfgs) / sizeof(cfgs[0]));
}

static void test_memblock_debugfs_empty_type(void **state)
{
	struct mbt *t = *state;
	char *got = show(&t->mb.reserved);

	assert_string_equal(got, "   0: 0x0000000000000000..0xffffffffffffffff\n");
	free(got);
}

/*
 * align == 0: the kernel dumps the stack and uses SMP_CACHE_BYTES (64): an info report here,
 * no taint. Memory [M, M + 16K): top-down the block is E - 256.
 */
static void test_memblock_align_zero_uses_cache_line(void **state)
{
	struct mbt *t = *state;
	struct memblock *mb = &t->mb;
	uint64_t seq;

	memblock_add(mb, M, SZ_16K);
	seq = t->env.report_seq;
	assert_int_equal(memblock_phys_alloc_range(mb, 0x100, 0, 0, MEMBLOCK_ALLOC_ACCESSIBLE),
			 M + SZ_16K - 0x100);
	assert_int_equal(t->env.report_seq, seq + 1);
	assert_int_equal(mbt_last_report(t)->kind, KMM_REPORT_INFO);
	assert_string_equal(mbt_last_report(t)->condition, "!align");
	assert_int_equal(t->env.taint, 0);
	memblock_set_bottom_up(mb, true);
	assert_int_equal(memblock_phys_alloc_range(mb, 0x100, 0, 0, MEMBLOCK_ALLOC_ACCESSIBLE), M);
	MB_CHECK(mb);
}

/*
 * An alignment that is not a power of two is used as the kernel's mask arithmetic uses it
 * (no error, no report): round_down(x, 0x300) = x & ~0x2ff, round_up(x, 0x300) =
 * ((x - 1) | 0x2ff) + 1. Memory [M, M + 16K), 256 bytes:
 *   top-down:  (M + 0x3f00) & ~0x2ff = M + 0x3d00
 *   bottom-up: ((M - 1) | 0x2ff) + 1 = M
 */
static void test_memblock_align_not_power_of_two(void **state)
{
	struct mbt *t = *state;
	struct memblock *mb = &t->mb;
	uint64_t seq = t->env.report_seq;

	memblock_add(mb, M, SZ_16K);
	assert_int_equal(memblock_phys_alloc(mb, 0x100, 0x300), M + 0x3d00);
	memblock_set_bottom_up(mb, true);
	assert_int_equal(memblock_phys_alloc(mb, 0x100, 0x300), M);
	assert_int_equal(t->env.report_seq, seq);
	MB_CHECK(mb);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(fn) cmocka_unit_test_setup_teardown(fn, mbt_setup, mbt_teardown)
		T(test_memblock_debug_lines_match_capture),
		T(test_memblock_debug_alloc_lines_match_capture),
		T(test_memblock_debug_line_shapes),
		T(test_memblock_dump_all_matches_capture),
		T(test_memblock_dump_all_empty_and_no_node),
		T(test_memblock_debugfs_matches_captures),
		T(test_memblock_debugfs_empty_type),
		T(test_memblock_align_zero_uses_cache_line),
		T(test_memblock_align_not_power_of_two),
#undef T
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
