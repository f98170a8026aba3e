/*
 * Writeback, the dirty limits, read-ahead and generated files (src/mm/page-writeback.c,
 * src/mm/readahead.c, src/fs/blkdev.c, kmmfs's generated files), through the public calls.
 * Expected values come from the kernel's formulas or published reference values, worked by
 * hand in the comments; kmm_check after each step.
 */
#include "kmm_test.h"

#include <kmm/task.h>

#include "capture.h"
#include "fs/fs.h"
#include "mm/swap.h"
#include "sim/machine.h"

/* The value of "NAME VALUE" / "NAME: VALUE" line @name in @text (fails if absent). */
static unsigned long long field(const char *text, const char *name)
{
	size_t n = strlen(name);
	const char *p = text;

	while ((p = strstr(p, name))) {
		if ((p == text || p[-1] == '\n') && (p[n] == ' ' || p[n] == ':'))
			return strtoull(p + n + 1 + strspn(p + n + 1, " :"), NULL, 10);
		p += n;
	}
	fail_msg("no %s in the view", name);
	return 0;
}

static unsigned long long vmstat(struct kmm_machine *m, const char *name)
{
	return field(test_view(m, "/proc/vmstat"), name);
}

static unsigned long long wbstat(struct kmm_machine *m, const char *name)
{
	return field(test_view(m, "/sys/kernel/debug/kmm/writeback"), name);
}

/*
 * calculate_totalreserve_pages() from a /proc/zoneinfo text: per zone the largest
 * "protection:" entry plus "high", at most "managed".
 */
static unsigned long totalreserve(const char *zoneinfo)
{
	unsigned long total = 0;
	const char *z = zoneinfo;

	while ((z = strstr(z, ", zone "))) {
		const char *high = strstr(z, "\n        high "), *managed = strstr(z, "managed ");
		const char *prot = strstr(z, "protection: (");
		unsigned long max = 0, h, mg;
		const char *q;

		assert_non_null(high);
		assert_non_null(managed);
		assert_non_null(prot);
		h = strtoul(high + 14, NULL, 10);
		mg = strtoul(managed + 8, NULL, 10);
		for (q = prot + 13; *q && *q != ')';) {
			char *end;
			unsigned long v = strtoul(q, &end, 10);

			max = v > max ? v : max;
			q = end + strspn(end, ", ");
		}
		max += h;
		total += max > mg ? mg : max;
		z = prot;
	}
	return total;
}

/*
 * 6.1's global_dirty_limits() worked by hand: dirtyable = free - min(free, totalreserve) +
 * inactive_file + active_file + 1; with dirty_ratio 20 and dirty_background_ratio 10 in
 * parts of 4096 (20 * 4096 / 100 = 819, 10 * 4096 / 100 = 409), thresh = 819 * dirtyable /
 * 4096 and bg = 409 * dirtyable / 4096.
 */
static void expected_limits(const char *vmstat_text, const char *zoneinfo, unsigned long *bg,
			    unsigned long *thresh)
{
	unsigned long free_pages = field(vmstat_text, "nr_free_pages");
	unsigned long reserve = totalreserve(zoneinfo);
	unsigned long avail = free_pages - (free_pages < reserve ? free_pages : reserve) +
			      field(vmstat_text, "nr_inactive_file") +
			      field(vmstat_text, "nr_active_file") + 1;

	*thresh = 819 * avail / 4096;
	*bg = 409 * avail / 4096;
}

static struct kmm_machine *boot_mb(uint64_t mb)
{
	struct kmm_config cfg;

	kmm_config_init(&cfg);
	assert_int_equal(kmm_config_set_ram(&cfg, mb << 20), KMM_OK);
	return test_machine(&cfg);
}

static void check(struct kmm_machine *m)
{
	if (kmm_check(m) != KMM_OK)
		fail_msg("kmm_check: %s", kmm_last_error(m));
}

static kmm_pid_t new_task(struct kmm_machine *m)
{
	kmm_pid_t pid = 0;

	if (kmm_task_create(m, "wb", 0, &pid) != KMM_OK)
		fail_msg("kmm_task_create: %s", kmm_last_error(m));
	return pid;
}

/*
 * The generator is SplitMix64 over the word index: seed 0's words are SplitMix64's reference
 * outputs from state 0 (0xe220a8397b1dcdaf, 0x6e789e6aa1b965f4, 0x06c45d188009454f),
 * little-endian; any sub-range equals the same bytes of the whole.
 */
static void test_generated_bytes_reference(void **state)
{
	static const uint64_t ref[3] = {0xe220a8397b1dcdafULL, 0x6e789e6aa1b965f4ULL,
					0x06c45d188009454fULL};
	uint8_t buf[24], part[11];

	(void)state;
	kmm_file_generated_bytes(0, 0, buf, sizeof(buf));
	for (int w = 0; w < 3; w++)
		for (int b = 0; b < 8; b++)
			assert_int_equal(buf[w * 8 + b], (uint8_t)(ref[w] >> (8 * b)));
	kmm_file_generated_bytes(0, 5, part, sizeof(part));
	assert_memory_equal(part, buf + 5, sizeof(part));
	kmm_file_generated_bytes(1, 0, part, 8);
	assert_memory_not_equal(part, buf, 8);
}

/*
 * A 64 MiB generated file on a 256 MiB machine: read back equal to the generator, read-only
 * (open for writing is EROFS, reported as KMM_EPERM), the host memory it costs far below its
 * size, and the same bytes again after its pages were dropped (re-read from the generator).
 */
static void test_generated_file_reads_and_costs_nothing(void **state)
{
	struct kmm_config cfg;
	struct kmm_machine *m;
	kmm_pid_t pid;
	uint64_t size = 64ULL << 20, before, after, done = 0, off;
	static uint8_t got[1 << 20], want[1 << 20];
	int fd = -1;

	(void)state;
	kmm_config_init(&cfg);
	assert_int_equal(kmm_config_set_ram(&cfg, 256ULL << 20), KMM_OK);
	cfg.host_granule = 4096; /* the charge counted per 4 KiB written */
	m = test_machine(&cfg);
	pid = new_task(m);
	kmm_host_mem(m, &before, NULL);
	assert_int_equal(kmm_file_create_generated(m, "/mnt/disk/data.bin", size, 7), KMM_OK);
	check(m);
	kmm_host_mem(m, &after, NULL);
	assert_true(after - before < (1ULL << 20));
	assert_int_equal(kmm_file_open(m, pid, "/mnt/disk/data.bin", KMM_O_RDWR, &fd), KMM_EPERM);
	assert_int_equal(
		kmm_file_open(m, pid, "/mnt/disk/data.bin", KMM_O_RDONLY | KMM_O_TRUNC, &fd),
		KMM_EPERM);
	assert_int_equal(kmm_file_create_generated(m, "/tmp/x", 4096, 1), KMM_EINVAL);
	assert_int_equal(kmm_file_open(m, pid, "/mnt/disk/data.bin", KMM_O_RDONLY, &fd), KMM_OK);
	for (off = 0; off < size; off += sizeof(got)) {
		assert_int_equal(kmm_file_pread(m, pid, fd, got, sizeof(got), off, &done), KMM_OK);
		assert_int_equal(done, sizeof(got));
		if (off % (8ULL << 20) == 0) {
			kmm_file_generated_bytes(7, off, want, sizeof(want));
			assert_memory_equal(got, want, sizeof(got));
		}
	}
	/* the end: a short read, then nothing */
	assert_int_equal(kmm_file_pread(m, pid, fd, got, 100, size - 10, &done), KMM_OK);
	assert_int_equal(done, 10);
	kmm_file_generated_bytes(7, size - 10, want, 10);
	assert_memory_equal(got, want, 10);
	check(m);
	/* the page cache's pages are RAM, not host memory per block of the file */
	assert_int_equal(kmm_file_close(m, pid, fd), KMM_OK);
	test_machine_done(m);
}

/*
 * The captures' thresholds follow the formula: 1G: free 242546, reserve 8448 (DMA's high, no
 * protection) -> dirtyable 234099 -> 46808 / 23375; 4G: free 996233, reserve (944 + 12819)
 * + 4074 = 17837 -> dirtyable 978397 -> 195631 / 97696. Our /proc/vmstat applies the same
 * formula to our machine's counts (which differ from the guest's by what its init
 * allocated), for the same RAM and reserve.
 */
static void test_dirty_thresholds_match_captures(void **state)
{
	static const struct {
		const char *config, *ram, *reserve;
		unsigned long thresh, bg;
	} rows[] = {
		{"a57-smp1-1G", "1G", "1720K", 46808, 23375},
		{"a57-smp1-4G", "4G", "7100K", 195631, 97696},
	};

	(void)state;
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		char *vm = read_capture(rows[i].config, "boot.vmstat.txt");
		char *zi = read_capture(rows[i].config, "boot.zoneinfo.txt");
		char *ours_vm;
		unsigned long bg, thresh;
		struct kmm_config cfg;
		struct kmm_machine *m;

		expected_limits(vm, zi, &bg, &thresh);
		assert_int_equal(thresh, rows[i].thresh);
		assert_int_equal(bg, rows[i].bg);
		assert_int_equal(field(vm, "nr_dirty_threshold"), rows[i].thresh);
		assert_int_equal(field(vm, "nr_dirty_background_threshold"), rows[i].bg);
		free(vm);
		free(zi);

		kmm_config_init(&cfg);
		assert_int_equal(kmm_config_option(&cfg, "-m", rows[i].ram), KMM_OK);
		assert_int_equal(kmm_config_option(&cfg, "-smp", "1"), KMM_OK);
		assert_int_equal(kmm_config_option(&cfg, "-reserve", rows[i].reserve), KMM_OK);
		m = test_machine(&cfg);
		ours_vm = strdup(test_view(m, "/proc/vmstat"));
		assert_non_null(ours_vm);
		expected_limits(ours_vm, test_view(m, "/proc/zoneinfo"), &bg, &thresh);
		assert_int_equal(field(ours_vm, "nr_dirty_threshold"), thresh);
		assert_int_equal(field(ours_vm, "nr_dirty_background_threshold"), bg);
		free(ours_vm);
		test_machine_done(m);
	}
}

/*
 * vm.dirty_*: the kernel's ranges and the ratio/bytes exclusion. dirty_bytes 100 MiB ->
 * thresh DIV_ROUND_UP(104857600, 4096) = 25600; dirty_background_bytes 200 MiB (51200
 * pages) is above it -> bg = 25600 / 2 = 12800.
 */
static void test_dirty_sysctls(void **state)
{
	struct kmm_machine *m = boot_mb(256);

	(void)state;
	assert_string_equal(test_view(m, "/proc/sys/vm/dirty_ratio"), "20\n");
	assert_string_equal(test_view(m, "/proc/sys/vm/dirty_background_ratio"), "10\n");
	assert_string_equal(test_view(m, "/proc/sys/vm/dirty_bytes"), "0\n");
	assert_string_equal(test_view(m, "/proc/sys/vm/dirty_writeback_centisecs"), "500\n");
	assert_string_equal(test_view(m, "/proc/sys/vm/dirty_expire_centisecs"), "3000\n");
	assert_int_equal(kmm_sysctl(m, "vm.dirty_ratio", "101"), KMM_EINVAL);
	assert_int_equal(kmm_sysctl(m, "vm.dirty_ratio", "-1"), KMM_EINVAL);
	assert_int_equal(kmm_sysctl(m, "vm.dirty_bytes", "8191"), KMM_EINVAL); /* < 2 pages */
	assert_int_equal(kmm_sysctl(m, "vm.dirty_background_bytes", "0"), KMM_EINVAL);
	assert_int_equal(kmm_sysctl(m, "vm.dirty_expire_centisecs", "-1"), KMM_EINVAL);
	assert_string_equal(test_view(m, "/proc/sys/vm/dirty_ratio"), "20\n");
	assert_int_equal(kmm_sysctl(m, "vm.dirty_bytes", "104857600"), KMM_OK);
	assert_string_equal(test_view(m, "/proc/sys/vm/dirty_ratio"), "0\n");
	assert_int_equal(vmstat(m, "nr_dirty_threshold"), 25600);
	assert_int_equal(kmm_sysctl(m, "vm.dirty_background_bytes", "209715200"), KMM_OK);
	assert_string_equal(test_view(m, "/proc/sys/vm/dirty_background_ratio"), "0\n");
	assert_int_equal(vmstat(m, "nr_dirty_background_threshold"), 12800);
	check(m);
	assert_int_equal(kmm_sysctl(m, "vm.dirty_ratio", "20"), KMM_OK);
	assert_string_equal(test_view(m, "/proc/sys/vm/dirty_bytes"), "0\n");
	assert_int_equal(kmm_sysctl(m, "vm.dirty_background_ratio", "10"), KMM_OK);
	assert_string_equal(test_view(m, "/proc/sys/vm/dirty_background_bytes"), "0\n");
	check(m);
	test_machine_done(m);
}

static uint64_t fnv(const void *p, size_t len)
{
	const uint8_t *b = p;
	uint64_t h = 0xcbf29ce484222325ull;

	for (size_t i = 0; i < len; i++)
		h = (h ^ b[i]) * 0x100000001b3ull;
	return h;
}

static int open_new(struct kmm_machine *m, kmm_pid_t pid, const char *path)
{
	int fd = -1;

	if (kmm_file_open(m, pid, path, KMM_O_RDWR | KMM_O_CREAT | KMM_O_TRUNC, &fd) != KMM_OK)
		fail_msg("open %s: %s", path, kmm_last_error(m));
	return fd;
}

/*
 * fsync of 1 MiB (256 dirty pages) waits for the disk: the transfers queue one behind the
 * other at 100 MiB/s, so the last completes 1 MiB / 100 MiB/s = 10 ms after the first
 * started, plus the 100 us latency: 10.1 ms, plus the CPU time of the calls (< 1 ms).
 * pgpgout counts 1024 KiB, nr_written 256, nothing is left dirty or under writeback.
 */
static void test_fsync_waits_for_the_disk(void **state)
{
	struct kmm_machine *m = boot_mb(256);
	kmm_pid_t pid = new_task(m);
	static uint8_t buf[1 << 20];
	uint64_t done, t0, t1, out0 = vmstat(m, "pgpgout"), written0 = vmstat(m, "nr_written");
	int fd = open_new(m, pid, "/mnt/disk/f");

	(void)state;
	memset(buf, 0x5a, sizeof(buf));
	assert_int_equal(kmm_file_pwrite(m, pid, fd, buf, sizeof(buf), 0, &done), KMM_OK);
	assert_int_equal(vmstat(m, "nr_dirty"), 256);
	check(m);
	t0 = kmm_clock_ns(m);
	assert_int_equal(kmm_file_fsync(m, pid, fd), KMM_OK);
	t1 = kmm_clock_ns(m);
	assert_true(t1 - t0 >= 10100000);
	assert_true(t1 - t0 < 11100000);
	assert_int_equal(vmstat(m, "pgpgout") - out0, 1024);
	assert_int_equal(vmstat(m, "nr_written") - written0, 256);
	assert_int_equal(vmstat(m, "nr_dirty"), 0);
	assert_int_equal(vmstat(m, "nr_writeback"), 0);
	check(m);
	assert_int_equal(kmm_file_close(m, pid, fd), KMM_OK);
	test_machine_done(m);
}

/*
 * Found by fuzz_api: a machine destroyed while a task still maps a dirty, unlinked file of
 * the disk. The flusher's state went first, and the mm's teardown then evicted the inode and
 * took it off the freed dirty list (a use after free under ASan). Now the inode is off every
 * list by then.
 */
static void test_destroy_with_a_dirty_mapped_disk_file(void **state)
{
	struct kmm_machine *m = boot_mb(256);
	kmm_pid_t pid = new_task(m);
	static uint8_t buf[64 << 10];
	uint64_t done;
	kmm_va_t va = 0;
	int fd = open_new(m, pid, "/mnt/disk/d");

	(void)state;
	memset(buf, 0xa5, sizeof(buf));
	assert_int_equal(kmm_file_pwrite(m, pid, fd, buf, sizeof(buf), 0, &done), KMM_OK);
	assert_int_equal(kmm_mmap(m, pid, 0, sizeof(buf), KMM_PROT_READ | KMM_PROT_WRITE,
				  KMM_MAP_SHARED, fd, 0, &va),
			 KMM_OK);
	assert_int_equal(kmm_task_touch(m, pid, KMM_ACCESS_STORE, va, sizeof(buf), 4096,
					KMM_TOUCH_SEQ, 7, NULL),
			 KMM_OK);
	assert_int_equal(vmstat(m, "nr_dirty"), 16);
	/* Closed and unlinked: the mapping holds the inode's last reference. */
	assert_int_equal(kmm_file_close(m, pid, fd), KMM_OK);
	assert_int_equal(kmm_file_unlink(m, "/mnt/disk/d"), KMM_OK);
	check(m);
	test_machine_done(m); /* the mm's teardown evicts the inode, still dirty */
}

/*
 * The flusher's periodic pass writes an inode once it has been dirty for
 * dirty_expire_centisecs (30 s): at 29 s the page is still dirty, by 30.1 s it was written
 * (the pass at 30 s, the disk 139 us later).
 */
static void test_flusher_writes_expired_inodes(void **state)
{
	struct kmm_machine *m = boot_mb(256);
	kmm_pid_t pid = new_task(m);
	uint8_t page[4096];
	uint64_t done;
	int fd = open_new(m, pid, "/mnt/disk/old");

	(void)state;
	memset(page, 1, sizeof(page));
	assert_int_equal(kmm_file_pwrite(m, pid, fd, page, sizeof(page), 0, &done), KMM_OK);
	assert_int_equal(vmstat(m, "nr_dirty"), 1);
	assert_int_equal(kmm_idle(m, 29000000000ULL), KMM_OK);
	assert_int_equal(vmstat(m, "nr_dirty"), 1);
	check(m);
	assert_int_equal(kmm_idle(m, 1100000000ULL), KMM_OK);
	assert_int_equal(vmstat(m, "nr_dirty"), 0);
	assert_int_equal(vmstat(m, "nr_writeback"), 0);
	assert_true(wbstat(m, "pages_flushed") >= 1);
	check(m);
	assert_int_equal(kmm_file_close(m, pid, fd), KMM_OK);
	test_machine_done(m);
}

/*
 * balance_dirty_pages: with dirty_bytes 1 MiB (thresh 256) and dirty_background_bytes
 * 512 KiB (bg 128, freerun 192), writing 4 MiB pauses the writer; the flusher's writes are
 * in flight on the disk (PG_writeback, counted in nr_writeback) when the call returns, and
 * complete as time passes. Writing 512 KiB (128 pages, under the freerun ceiling) with the
 * defaults never pauses.
 */
static void test_balance_dirty_pages(void **state)
{
	struct kmm_machine *m = boot_mb(256);
	kmm_pid_t pid = new_task(m);
	static uint8_t buf[4 << 20];
	uint64_t done, t0;
	int fd = open_new(m, pid, "/mnt/disk/under");

	(void)state;
	memset(buf, 7, sizeof(buf));
	assert_int_equal(kmm_file_pwrite(m, pid, fd, buf, 512 << 10, 0, &done), KMM_OK);
	assert_int_equal(wbstat(m, "bdp_pauses"), 0);
	assert_int_equal(vmstat(m, "nr_dirty"), 128);
	assert_int_equal(kmm_file_close(m, pid, fd), KMM_OK);
	check(m);

	assert_int_equal(kmm_sysctl(m, "vm.dirty_bytes", "1048576"), KMM_OK);
	assert_int_equal(kmm_sysctl(m, "vm.dirty_background_bytes", "524288"), KMM_OK);
	fd = open_new(m, pid, "/mnt/disk/over");
	t0 = kmm_clock_ns(m);
	assert_int_equal(kmm_file_pwrite(m, pid, fd, buf, sizeof(buf), 0, &done), KMM_OK);
	assert_int_equal(done, sizeof(buf));
	assert_true(wbstat(m, "bdp_pauses") > 0);
	/* at least the excess over the limit had to reach the disk: 3 MiB at 100 MiB/s */
	assert_true(kmm_clock_ns(m) - t0 >= 30000000);
	assert_true(vmstat(m, "nr_dirty") + vmstat(m, "nr_writeback") <= 256 + 32);
	check(m);
	assert_int_equal(kmm_idle(m, 100000000), KMM_OK);
	assert_int_equal(vmstat(m, "nr_writeback"), 0);
	check(m);
	assert_int_equal(kmm_file_close(m, pid, fd), KMM_OK);
	test_machine_done(m);
}

/* The folio of @path at @index, with a reference (internal: the page cache). */
static struct folio *cached_folio(struct kmm_machine *m, const char *path, unsigned long index)
{
	struct inode *inode = fs_lookup(&m->kernel, path);

	assert_non_null(inode);
	return filemap_get_folio(&m->kernel, inode->i_mapping, index);
}

/*
 * What vmscan's pageout() does with a dirty kmmfs page: clear it for I/O, set PG_reclaim,
 * call ->writepage (for_reclaim). 6.1's contract: 0, the folio unlocked and under writeback,
 * clean; the disk completes it later; then PG_reclaim is gone (the folio went to the tail
 * of the inactive list) and the clean page can be dropped and read back with its bytes.
 */
static void test_writepage_for_reclaim_then_drop_and_reread(void **state)
{
	struct kmm_machine *m = boot_mb(256);
	struct kmm_kernel *k = &m->kernel;
	kmm_pid_t pid = new_task(m);
	static uint8_t data[16 * 4096], got[16 * 4096];
	struct writeback_control wbc = {
		.nr_to_write = 1, .sync_mode = WB_SYNC_NONE, .for_reclaim = true};
	struct inode *inode;
	struct folio *folio;
	uint64_t done, in0;
	int fd = open_new(m, pid, "/mnt/disk/r");

	(void)state;
	for (size_t i = 0; i < sizeof(data); i++)
		data[i] = (uint8_t)(i * 13 + (i >> 12));
	assert_int_equal(kmm_file_pwrite(m, pid, fd, data, sizeof(data), 0, &done), KMM_OK);
	folio = cached_folio(m, "/mnt/disk/r", 3);
	assert_non_null(folio);
	assert_true(folio_test_dirty(folio));
	folio_lock(folio);
	assert_true(folio_clear_dirty_for_io(k, folio));
	folio_set_reclaim(folio);
	assert_int_equal(folio_mapping(folio)->a_ops->writepage(k, folio, &wbc), 0);
	assert_false(folio_test_locked(folio));
	assert_false(folio_test_dirty(folio));
	assert_true(folio_test_writeback(folio));
	assert_int_equal(vmstat(m, "nr_writeback"), 1);
	assert_int_equal(vmstat(m, "nr_dirty"), 15);
	check(m);
	assert_int_equal(kmm_idle(m, 1000000), KMM_OK); /* 139 us at most */
	assert_false(folio_test_writeback(folio));
	assert_false(folio_test_reclaim(folio));
	assert_int_equal(vmstat(m, "nr_writeback"), 0);
	folio_put(k, folio);
	check(m);
	/* the rest by fsync, then every page dropped and read again from the disk */
	assert_int_equal(kmm_file_fsync(m, pid, fd), KMM_OK);
	inode = fs_lookup(k, "/mnt/disk/r");
	lru_add_drain_all(k); /* the per-CPU batches' references, hold references */
	assert_int_equal(invalidate_mapping_pages(k, inode->i_mapping, 0, ~0UL), 16);
	assert_int_equal(inode->i_mapping->nrpages, 0);
	check(m);
	in0 = vmstat(m, "pgpgin");
	assert_int_equal(kmm_file_pread(m, pid, fd, got, sizeof(got), 0, &done), KMM_OK);
	assert_int_equal(done, sizeof(got));
	assert_int_equal(fnv(got, sizeof(got)), fnv(data, sizeof(data)));
	/* 16 pages, one read-ahead window clipped to the file: 64 KiB */
	assert_int_equal(vmstat(m, "pgpgin") - in0, 64);
	check(m);
	assert_int_equal(kmm_file_close(m, pid, fd), KMM_OK);
	test_machine_done(m);
}

/*
 * Sequential 4 KiB reads of a 1 MiB file, pgpgin (KiB) after each page, from 6.1's
 * formulas with ra_pages 32: page 0 (start of file): initial window get_init_ra_size(1, 32)
 * = 4 pages (1 <= 32/32: x4), async_size 3, mark on page 1 -> 16 KiB. Page 1 (mark): start
 * 4, get_next_ra_size(4) = 8 (4 <= 16: x2), mark on page 4 -> +32 = 48. Page 4: [12, 28),
 * 16 pages -> 112. Page 12: [28, 60) (16 <= 16: 32) -> 240. Page 28: [60, 92), 32 (the max)
 * -> 368; then +128 KiB at each mark 60, 92, 124, ...
 */
static void test_readahead_windows(void **state)
{
	struct kmm_machine *m = boot_mb(256);
	kmm_pid_t pid = new_task(m);
	uint8_t page[4096], want[4096];
	uint64_t done, in0;
	int fd = -1;

	(void)state;
	assert_int_equal(kmm_file_create_generated(m, "/mnt/disk/seq", 1 << 20, 3), KMM_OK);
	assert_int_equal(kmm_file_open(m, pid, "/mnt/disk/seq", KMM_O_RDONLY, &fd), KMM_OK);
	in0 = vmstat(m, "pgpgin");
	for (unsigned p = 0; p < 160; p++) {
		uint64_t want_kb;

		assert_int_equal(
			kmm_file_pread(m, pid, fd, page, sizeof(page), (uint64_t)p * 4096, &done),
			KMM_OK);
		if (p == 0)
			want_kb = 16;
		else if (p < 4)
			want_kb = 48;
		else if (p < 12)
			want_kb = 112;
		else if (p < 28)
			want_kb = 240;
		else
			want_kb = 368 + 128 * ((p - 28) / 32);
		if (vmstat(m, "pgpgin") - in0 != want_kb)
			fail_msg("after page %u: pgpgin +%llu, want +%llu", p,
				 vmstat(m, "pgpgin") - in0, (unsigned long long)want_kb);
		if (p % 37 == 0) {
			kmm_file_generated_bytes(3, (uint64_t)p * 4096, want, sizeof(want));
			assert_memory_equal(page, want, sizeof(page));
		}
	}
	check(m);
	assert_int_equal(kmm_file_close(m, pid, fd), KMM_OK);
	test_machine_done(m);
}

/*
 * 128 KiB reads: the first (32 pages from 0) starts with get_init_ra_size(32, 32) = 32,
 * async_size 32 = size, so readit adds the next window at once: size 32, async 16, mark on
 * page 16; reading page 16 in the same call reads [32, 64): 256 KiB. Each later read hits
 * the mark at the start of the window ahead: +128 KiB.
 */
static void test_readahead_big_reads(void **state)
{
	struct kmm_machine *m = boot_mb(256);
	kmm_pid_t pid = new_task(m);
	static uint8_t buf[128 << 10];
	uint64_t done, in0;
	int fd = -1;

	(void)state;
	assert_int_equal(kmm_file_create_generated(m, "/mnt/disk/big", 4 << 20, 4), KMM_OK);
	assert_int_equal(kmm_file_open(m, pid, "/mnt/disk/big", KMM_O_RDONLY, &fd), KMM_OK);
	in0 = vmstat(m, "pgpgin");
	for (unsigned r = 0; r < 8; r++) {
		assert_int_equal(kmm_file_pread(m, pid, fd, buf, sizeof(buf),
						(uint64_t)r * sizeof(buf), &done),
				 KMM_OK);
		assert_int_equal(vmstat(m, "pgpgin") - in0, 256 + 128 * r);
	}
	check(m);
	assert_int_equal(kmm_file_close(m, pid, fd), KMM_OK);
	test_machine_done(m);
}

/*
 * A mapping fault on a page the cache does not hold is a major fault that reads the
 * 32-page window around it from the disk in one request (128 KiB of pgpgin); after the
 * pages were dropped, the same fault is major again and reads them again.
 */
static void test_major_fault_reads_from_the_disk_again(void **state)
{
	struct kmm_machine *m = boot_mb(256);
	struct kmm_kernel *k = &m->kernel;
	kmm_pid_t pid = new_task(m);
	struct kmm_task_info info;
	static uint8_t got[256 << 10], want[256 << 10];
	uint64_t in0, maj0, done;
	kmm_va_t va = 0;
	int fd = -1;

	(void)state;
	assert_int_equal(kmm_file_create_generated(m, "/mnt/disk/map", sizeof(want), 11), KMM_OK);
	assert_int_equal(kmm_file_open(m, pid, "/mnt/disk/map", KMM_O_RDONLY, &fd), KMM_OK);
	for (int round = 0; round < 2; round++) {
		in0 = vmstat(m, "pgpgin");
		maj0 = vmstat(m, "pgmajfault");
		assert_int_equal(kmm_mmap(m, pid, 0, sizeof(want), KMM_PROT_READ, KMM_MAP_SHARED,
					  fd, 0, &va),
				 KMM_OK);
		assert_int_equal(kmm_task_touch(m, pid, KMM_ACCESS_LOAD, va, 4096, 0, KMM_TOUCH_SEQ,
						0, NULL),
				 KMM_OK);
		assert_int_equal(vmstat(m, "pgmajfault") - maj0, 1);
		assert_int_equal(vmstat(m, "pgpgin") - in0, 128);
		assert_int_equal(kmm_task_info(m, pid, &info), KMM_OK);
		assert_int_equal(info.maj_flt, (uint64_t)round + 1);
		check(m);
		assert_int_equal(kmm_munmap(m, pid, va, sizeof(want)), KMM_OK);
		lru_add_drain_all(k);
		assert_int_equal(invalidate_mapping_pages(
					 k, fs_lookup(k, "/mnt/disk/map")->i_mapping, 0, ~0UL),
				 32);
		check(m);
	}
	assert_int_equal(kmm_file_pread(m, pid, fd, got, sizeof(got), 0, &done), KMM_OK);
	kmm_file_generated_bytes(11, 0, want, sizeof(want));
	assert_memory_equal(got, want, sizeof(got));
	assert_int_equal(kmm_file_close(m, pid, fd), KMM_OK);
	test_machine_done(m);
}

/*
 * A caller that starts and ends writeback around ->writepage itself (the older contract)
 * still gets the bytes written and counted (pgpgout 4 KiB), and nothing is left in flight.
 */
static void test_writepage_with_caller_managed_writeback(void **state)
{
	struct kmm_machine *m = boot_mb(256);
	struct kmm_kernel *k = &m->kernel;
	kmm_pid_t pid = new_task(m);
	struct writeback_control wbc = {.nr_to_write = 1, .for_reclaim = true};
	uint8_t page[4096];
	uint64_t done, out0 = vmstat(m, "pgpgout");
	struct folio *folio;
	int fd = open_new(m, pid, "/mnt/disk/old-contract");

	(void)state;
	memset(page, 0x3c, sizeof(page));
	assert_int_equal(kmm_file_pwrite(m, pid, fd, page, sizeof(page), 0, &done), KMM_OK);
	folio = cached_folio(m, "/mnt/disk/old-contract", 0);
	folio_lock(folio);
	assert_true(folio_clear_dirty_for_io(k, folio));
	folio_start_writeback(k, folio);
	assert_int_equal(folio_mapping(folio)->a_ops->writepage(k, folio, &wbc), 0);
	assert_true(folio_test_locked(folio));
	folio_end_writeback(k, folio);
	folio_unlock(folio);
	folio_put(k, folio);
	assert_int_equal(vmstat(m, "pgpgout") - out0, 4);
	assert_int_equal(vmstat(m, "nr_writeback"), 0);
	check(m);
	assert_int_equal(kmm_file_close(m, pid, fd), KMM_OK);
	test_machine_done(m);
}

/* Bad input of the writeback calls: nothing changes. */
static void test_writeback_bad_input(void **state)
{
	struct kmm_machine *m = boot_mb(256);

	(void)state;
	assert_int_equal(kmm_file_create_generated(m, NULL, 4096, 0), KMM_EINVAL);
	assert_int_equal(kmm_file_create_generated(m, "relative", 4096, 0), KMM_EINVAL);
	assert_int_equal(kmm_file_create_generated(m, "/mnt/disk/x", 1ULL << 63, 0), KMM_EFBIG);
	assert_int_equal(kmm_idle(m, 3600ULL * 1000000000ULL + 1), KMM_EINVAL);
	assert_int_equal(kmm_sync(m), KMM_OK);	 /* nothing dirty: nothing to do */
	kmm_file_generated_bytes(0, 0, NULL, 8); /* ignored */
	check(m);
	test_machine_done(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_generated_bytes_reference),
		cmocka_unit_test(test_generated_file_reads_and_costs_nothing),
		cmocka_unit_test(test_dirty_thresholds_match_captures),
		cmocka_unit_test(test_dirty_sysctls),
		cmocka_unit_test(test_fsync_waits_for_the_disk),
		cmocka_unit_test(test_destroy_with_a_dirty_mapped_disk_file),
		cmocka_unit_test(test_flusher_writes_expired_inodes),
		cmocka_unit_test(test_balance_dirty_pages),
		cmocka_unit_test(test_writepage_for_reclaim_then_drop_and_reread),
		cmocka_unit_test(test_readahead_windows),
		cmocka_unit_test(test_readahead_big_reads),
		cmocka_unit_test(test_major_fault_reads_from_the_disk_again),
		cmocka_unit_test(test_writepage_with_caller_managed_writeback),
		cmocka_unit_test(test_writeback_bad_input),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
