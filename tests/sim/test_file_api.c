/*
 * The public file calls of include/kmm/task.h: files on both filesystems through a task's fd
 * table, memfd with seals, fork sharing open files, exit closing them, and bad input: the
 * kernel's errno where the kernel returns one (KMM_EBADF, KMM_ENOENT, KMM_EPERM, KMM_EBUSY,
 * KMM_EINVAL as the kernel's), KMM_EINVAL with a text for a malformed call, KMM_ESRCH for a
 * pid that is not there. User data is checksummed; kmm_check after each step.
 */
#include "kmm_test.h"

#include <kmm/task.h>

static struct kmm_machine *boot(void)
{
	struct kmm_config cfg;

	kmm_config_init(&cfg);
	assert_int_equal(kmm_config_set_ram(&cfg, 256ULL << 20), KMM_OK);
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

	if (kmm_task_create(m, "files", 0, &pid) != KMM_OK)
		fail_msg("kmm_task_create: %s", kmm_last_error(m));
	return pid;
}

static uint64_t fnv(const void *p, size_t len)
{
	const uint8_t *b = p;
	uint64_t h = 0xcbf29ce484222325ull;

	for (size_t i = 0; i < len; i++)
		h = (h ^ b[i]) * 0x100000001b3ull;
	return h;
}

/* Create, open, write, read back, truncate, fsync, close: both filesystems. */
static void test_file_api_round_trip(void **state)
{
	static const char *const paths[] = {"/tmp/a", "/mnt/disk/a"};
	struct kmm_machine *m = boot();
	kmm_pid_t pid = new_task(m);
	uint8_t data[20000], got[20000];

	(void)state;
	for (size_t i = 0; i < sizeof(data); i++)
		data[i] = (uint8_t)(i * 7 + i / 4096);
	for (int pi = 0; pi < 2; pi++) {
		uint64_t done = 0;
		int fd = -1;

		assert_int_equal(kmm_file_create(m, paths[pi], data, 10000), KMM_OK);
		check(m);
		assert_int_equal(kmm_file_open(m, pid, paths[pi], KMM_O_RDWR, &fd), KMM_OK);
		assert_int_equal(fd, 0);
		assert_int_equal(kmm_file_pwrite(m, pid, fd, data + 10000, 10000, 10000, &done),
				 KMM_OK);
		assert_int_equal(done, 10000);
		check(m);
		assert_int_equal(kmm_file_pread(m, pid, fd, got, sizeof(got), 0, &done), KMM_OK);
		assert_int_equal(done, 20000);
		assert_int_equal(fnv(got, 20000), fnv(data, 20000));
		assert_int_equal(kmm_file_fsync(m, pid, fd), KMM_OK);
		assert_int_equal(kmm_file_truncate(m, pid, fd, 5000), KMM_OK);
		assert_int_equal(kmm_file_pread(m, pid, fd, got, sizeof(got), 0, &done), KMM_OK);
		assert_int_equal(done, 5000);
		assert_int_equal(fnv(got, 5000), fnv(data, 5000));
		check(m);
		assert_int_equal(kmm_file_close(m, pid, fd), KMM_OK);
		assert_int_equal(kmm_file_close(m, pid, fd), KMM_EBADF);
		assert_int_equal(kmm_file_unlink(m, paths[pi]), KMM_OK);
		assert_int_equal(kmm_file_unlink(m, paths[pi]), KMM_ENOENT);
		assert_int_equal(kmm_status_errno(KMM_ENOENT), 2);
		check(m);
	}
	test_machine_done(m);
}

/* memfd: seals refuse what the man page says, with the kernel's errno. */
static void test_memfd_api_seals(void **state)
{
	struct kmm_machine *m = boot();
	kmm_pid_t pid = new_task(m);
	uint64_t done;
	int fd, seals = -1;

	(void)state;
	assert_int_equal(kmm_memfd_create(m, pid, "buf", KMM_MFD_ALLOW_SEALING, &fd), KMM_OK);
	assert_int_equal(kmm_file_pwrite(m, pid, fd, "abcd", 4, 0, &done), KMM_OK);
	assert_int_equal(kmm_memfd_get_seals(m, pid, fd, &seals), KMM_OK);
	assert_int_equal(seals, 0);
	assert_int_equal(kmm_memfd_add_seals(m, pid, fd, KMM_F_SEAL_WRITE | KMM_F_SEAL_SHRINK),
			 KMM_OK);
	assert_int_equal(kmm_file_pwrite(m, pid, fd, "x", 1, 0, &done), KMM_EPERM);
	assert_int_equal(kmm_status_errno(KMM_EPERM), 1);
	assert_int_equal(kmm_file_truncate(m, pid, fd, 1), KMM_EPERM);
	assert_int_equal(kmm_file_truncate(m, pid, fd, 8192), KMM_OK); /* growing: no seal */
	assert_int_equal(kmm_memfd_add_seals(m, pid, fd, 0x40), KMM_EINVAL);
	assert_int_equal(kmm_memfd_add_seals(m, pid, fd, KMM_F_SEAL_SEAL), KMM_OK);
	assert_int_equal(kmm_memfd_add_seals(m, pid, fd, KMM_F_SEAL_GROW), KMM_EPERM);
	assert_int_equal(kmm_memfd_get_seals(m, pid, fd, &seals), KMM_OK);
	assert_int_equal(seals, KMM_F_SEAL_WRITE | KMM_F_SEAL_SHRINK | KMM_F_SEAL_SEAL);
	check(m);
	/* Without MFD_ALLOW_SEALING: born sealed. */
	assert_int_equal(kmm_memfd_create(m, pid, "plain", 0, &fd), KMM_OK);
	assert_int_equal(fd, 1);
	assert_int_equal(kmm_memfd_get_seals(m, pid, fd, &seals), KMM_OK);
	assert_int_equal(seals, KMM_F_SEAL_SEAL);
	assert_int_equal(kmm_memfd_add_seals(m, pid, fd, KMM_F_SEAL_WRITE), KMM_EPERM);
	/* A file that is not tmpfs has no seals. */
	assert_int_equal(kmm_file_create(m, "/mnt/disk/x", NULL, 0), KMM_OK);
	assert_int_equal(kmm_file_open(m, pid, "/mnt/disk/x", KMM_O_RDWR, &fd), KMM_OK);
	assert_int_equal(kmm_memfd_get_seals(m, pid, fd, &seals), KMM_EINVAL);
	check(m);
	test_machine_done(m);
}

/* fork copies the fd table (the same open files); exit closes a task's files. */
static void test_fork_shares_and_exit_closes_files(void **state)
{
	struct kmm_machine *m = boot();
	kmm_pid_t parent = new_task(m), child = 0;
	uint64_t done;
	char buf[8] = {0};
	int fd;

	(void)state;
	assert_int_equal(kmm_memfd_create(m, parent, "shared", 0, &fd), KMM_OK);
	assert_int_equal(kmm_task_fork(m, parent, &child), KMM_OK);
	assert_int_equal(kmm_file_pwrite(m, child, fd, "child", 5, 0, &done), KMM_OK);
	assert_int_equal(kmm_file_pread(m, parent, fd, buf, 5, 0, &done), KMM_OK);
	assert_string_equal(buf, "child"); /* the same file */
	check(m);
	assert_int_equal(kmm_file_close(m, child, fd), KMM_OK);
	assert_int_equal(kmm_file_pread(m, parent, fd, buf, 5, 0, &done), KMM_OK);
	assert_int_equal(kmm_task_exit(m, child, 0), KMM_OK);
	assert_int_equal(kmm_task_exit(m, parent, 0), KMM_OK);
	check(m);
	test_machine_done(m);
}

/* Bad calls: malformed ones are KMM_EINVAL with a text; nothing changes. */
static void test_file_api_bad_input(void **state)
{
	struct kmm_machine *m = boot();
	kmm_pid_t pid = new_task(m);
	uint64_t done;
	char buf[4];
	int fd = 0, seals;

	(void)state;
	assert_int_equal(kmm_file_create(m, NULL, NULL, 0), KMM_EINVAL);
	assert_int_equal(kmm_file_create(m, "rel", NULL, 0), KMM_EINVAL);
	assert_int_equal(kmm_file_create(m, "/", NULL, 0), KMM_EISDIR);
	assert_int_equal(kmm_status_errno(KMM_EISDIR), 21); /* asm-generic/errno-base.h */
	{
		char longname[300]; /* PATH_MAX_KMM is 256: the NUL must fit below it */

		memset(longname, 'a', sizeof(longname) - 1);
		longname[0] = '/';
		longname[sizeof(longname) - 1] = '\0';
		assert_int_equal(kmm_file_create(m, longname, NULL, 0), KMM_ENAMETOOLONG);
		longname[255] = '\0'; /* 255 bytes and the NUL: the longest name allowed */
		assert_int_equal(kmm_file_create(m, longname, NULL, 0), KMM_OK);
		assert_int_equal(kmm_file_unlink(m, longname), KMM_OK);
	}
	assert_int_equal(kmm_status_errno(KMM_ENAMETOOLONG), 36); /* asm-generic/errno.h */
	assert_int_equal(kmm_status_errno(KMM_EMFILE), 24);	  /* asm-generic/errno-base.h */
	assert_int_equal(kmm_file_open(m, pid, "/nope", KMM_O_RDONLY, &fd), KMM_ENOENT);
	assert_int_equal(kmm_file_open(m, pid, "/nope", KMM_O_RDONLY, NULL), KMM_EINVAL);
	assert_int_equal(kmm_file_open(m, pid, "/nope", 0x80000000, &fd), KMM_EINVAL);
	assert_non_null(strstr(kmm_last_error(m), "0x80000000"));
	assert_int_equal(kmm_file_open(m, 9999, "/nope", KMM_O_CREAT, &fd), KMM_ESRCH);
	assert_int_equal(kmm_file_pread(m, pid, 3, buf, 4, 0, &done), KMM_EBADF);
	assert_int_equal(kmm_file_pread(m, pid, -1, buf, 4, 0, &done), KMM_EBADF);
	assert_int_equal(kmm_file_pread(m, pid, 0, buf, 4, 0, NULL), KMM_EINVAL);
	assert_int_equal(kmm_file_fsync(m, pid, 0), KMM_EBADF);
	assert_int_equal(kmm_memfd_create(m, pid, NULL, 0, &fd), KMM_EINVAL);
	assert_int_equal(kmm_memfd_create(m, pid, "x", 0x100, &fd), KMM_EINVAL);
	assert_int_equal(kmm_memfd_get_seals(m, pid, 0, &seals), KMM_EBADF);
	/* Nothing was created by the refused calls. */
	assert_int_equal(kmm_file_unlink(m, "/nope"), KMM_ENOENT);
	/* A read-only fd: writes EBADF, truncate EINVAL, seals EPERM (memfd_add_seals). */
	assert_int_equal(kmm_file_create(m, "/ro", "abc", 3), KMM_OK);
	assert_int_equal(kmm_file_open(m, pid, "/ro", KMM_O_RDONLY, &fd), KMM_OK);
	assert_int_equal(kmm_file_pwrite(m, pid, fd, "x", 1, 0, &done), KMM_EBADF);
	assert_int_equal(kmm_file_truncate(m, pid, fd, 0), KMM_EINVAL);
	assert_int_equal(kmm_memfd_add_seals(m, pid, fd, KMM_F_SEAL_WRITE), KMM_EPERM);
	assert_int_equal(kmm_file_pread(m, pid, fd, buf, 4, 1ull << 63, &done), KMM_EINVAL);
	check(m);
	test_machine_done(m);
}

static uint64_t minflt(struct kmm_machine *m, kmm_pid_t pid)
{
	struct kmm_task_info ti;

	assert_int_equal(kmm_task_info(m, pid, &ti), KMM_OK);
	return ti.min_flt + ti.maj_flt;
}

/*
 * The faults experiment 9: a 1 MiB tmpfs file read-touched (one load per page) through a
 * private and then a shared mapping whose start is 13 pages into a 64 KiB window, as in the
 * capture. Fault-around maps the cached pages of each 64 KiB window (fault_around_bytes) on
 * the first fault in it: 3 pages, then 15 full windows, then 13: 17 faults for 256 pages.
 * The pages read are the file's bytes (checksummed).
 */
static void test_fault_around_maps_64k_windows(void **state)
{
	const kmm_va_t base = 0x7f000000d000ull; /* 0xd000: 13 pages into its 64 KiB window */
	static uint8_t data[1 << 20];
	struct kmm_machine *m = boot();
	kmm_pid_t pid = new_task(m);
	static const int flags[] = {KMM_MAP_PRIVATE, KMM_MAP_SHARED};
	int fd;

	(void)state;
	for (size_t i = 0; i < sizeof(data); i++)
		data[i] = (uint8_t)(i * 131 + (i >> 12));
	assert_int_equal(kmm_file_create(m, "/mnt/faults/f", data, sizeof(data)), KMM_OK);
	assert_int_equal(kmm_file_open(m, pid, "/mnt/faults/f", KMM_O_RDWR, &fd), KMM_OK);
	for (int i = 0; i < 2; i++) {
		kmm_va_t va = 0;
		uint64_t before, done = 0, sum = 0xcbf29ce484222325ull;

		assert_int_equal(kmm_mmap(m, pid, base, sizeof(data), KMM_PROT_READ,
					  flags[i] | KMM_MAP_FIXED, fd, 0, &va),
				 KMM_OK);
		assert_int_equal(va, base);
		before = minflt(m, pid);
		assert_int_equal(kmm_task_touch(m, pid, KMM_ACCESS_LOAD, va, sizeof(data), 0,
						KMM_TOUCH_SEQ, 0, &done),
				 KMM_OK);
		assert_int_equal(done, 256);
		assert_int_equal(minflt(m, pid) - before, 17);
		for (uint64_t off = 0; off < sizeof(data); off += 4096) {
			uint8_t b[8];

			assert_int_equal(
				kmm_task_access(m, pid, KMM_ACCESS_LOAD, va + off, b, 8, NULL),
				KMM_OK);
			for (int j = 0; j < 8; j++)
				sum = (sum ^ b[j]) * 0x100000001b3ull;
		}
		{
			uint64_t want = 0xcbf29ce484222325ull;

			for (uint64_t off = 0; off < sizeof(data); off += 4096)
				for (int j = 0; j < 8; j++)
					want = (want ^ data[off + j]) * 0x100000001b3ull;
			assert_int_equal(sum, want);
		}
		assert_int_equal(minflt(m, pid) - before, 17); /* all mapped now */
		check(m);
		assert_int_equal(kmm_munmap(m, pid, va, sizeof(data)), KMM_OK);
		check(m);
	}
	/* Truncating a mapped file unmaps the pages past the end: a load there is SIGBUS. */
	{
		kmm_va_t va = 0;
		uint8_t b[8];
		struct kmm_siginfo si;

		assert_int_equal(kmm_mmap(m, pid, base, sizeof(data), KMM_PROT_READ,
					  KMM_MAP_SHARED | KMM_MAP_FIXED, fd, 0, &va),
				 KMM_OK);
		assert_int_equal(
			kmm_task_access(m, pid, KMM_ACCESS_LOAD, va + 200 * 4096, b, 8, NULL),
			KMM_OK);
		assert_int_equal(kmm_file_truncate(m, pid, fd, 100 * 4096), KMM_OK);
		check(m);
		assert_int_equal(
			kmm_task_access(m, pid, KMM_ACCESS_LOAD, va + 50 * 4096, b, 8, NULL),
			KMM_OK);
		assert_memory_equal(b, data + 50 * 4096, 8);
		assert_int_equal(
			kmm_task_access(m, pid, KMM_ACCESS_LOAD, va + 200 * 4096, b, 8, &si),
			KMM_EFAULT);
		assert_int_equal(si.signo, KMM_SIGBUS);
		check(m);
	}
	test_machine_done(m);
}

/* A counter of /proc/vmstat. */
static long vmstat(struct kmm_machine *m, const char *name)
{
	static char buf[1 << 16];
	char pat[64];
	const char *p;

	assert_int_equal(kmm_proc_read(m, "/proc/vmstat", buf, sizeof(buf)), KMM_OK);
	snprintf(pat, sizeof(pat), "\n%s ", name);
	p = strstr(buf, pat);
	if (!p)
		fail_msg("no %s in /proc/vmstat", name);
	return strtol(p + strlen(pat), NULL, 10);
}

/*
 * A shared writable mapping of a kmmfs file: the first load is a major fault that reads the
 * file around it; a store write-faults (the PTEs of a file that writes back start read-only:
 * write notification) and dirties the page (nr_dirty 1); fsync writes it back and makes the
 * PTE clean and read-only again, so the next store faults and dirties it once more. The
 * bytes stored through the mapping are what read() returns.
 */
static void test_shared_file_mapping_dirty_and_fsync(void **state)
{
	const kmm_va_t base = 0x7f0000000000ull;
	struct kmm_machine *m = boot();
	kmm_pid_t pid = new_task(m);
	uint8_t data[16 * 4096], got[8];
	struct kmm_task_info ti;
	uint64_t before, done;
	long written0;
	kmm_va_t va = 0;
	int fd;

	(void)state;
	memset(data, 0x11, sizeof(data));
	assert_int_equal(kmm_file_create(m, "/mnt/disk/db", data, sizeof(data)), KMM_OK);
	assert_int_equal(kmm_file_open(m, pid, "/mnt/disk/db", KMM_O_RDWR, &fd), KMM_OK);
	assert_int_equal(kmm_mmap(m, pid, base, sizeof(data), KMM_PROT_READ | KMM_PROT_WRITE,
				  KMM_MAP_SHARED | KMM_MAP_FIXED, fd, 0, &va),
			 KMM_OK);
	assert_int_equal(kmm_task_info(m, pid, &ti), KMM_OK);
	before = ti.maj_flt;
	assert_int_equal(kmm_task_access(m, pid, KMM_ACCESS_LOAD, va, got, 8, NULL), KMM_OK);
	assert_int_equal(kmm_task_info(m, pid, &ti), KMM_OK);
	assert_int_equal(ti.maj_flt - before, 1);
	assert_int_equal(vmstat(m, "nr_dirty"), 0);
	check(m);
	before = minflt(m, pid);
	assert_int_equal(kmm_task_access(m, pid, KMM_ACCESS_STORE, va + 3 * 4096,
					 (char[]){"written!"}, 8, NULL),
			 KMM_OK);
	assert_int_equal(minflt(m, pid) - before, 1);
	assert_int_equal(vmstat(m, "nr_dirty"), 1);
	check(m);
	written0 = vmstat(m, "nr_written");
	assert_int_equal(kmm_file_fsync(m, pid, fd), KMM_OK);
	assert_int_equal(vmstat(m, "nr_dirty"), 0);
	assert_int_equal(vmstat(m, "nr_written") - written0, 1);
	check(m);
	before = minflt(m, pid);
	assert_int_equal(kmm_task_access(m, pid, KMM_ACCESS_STORE, va + 3 * 4096 + 8,
					 (char[]){"again"}, 5, NULL),
			 KMM_OK);
	assert_int_equal(minflt(m, pid) - before, 1);
	assert_int_equal(vmstat(m, "nr_dirty"), 1);
	assert_int_equal(kmm_file_pread(m, pid, fd, got, 8, 3 * 4096, &done), KMM_OK);
	assert_memory_equal(got, "written!", 8);
	assert_int_equal(kmm_munmap(m, pid, va, sizeof(data)), KMM_OK);
	assert_int_equal(vmstat(m, "nr_dirty"), 1); /* unmapping does not clean it */
	assert_int_equal(kmm_file_fsync(m, pid, fd), KMM_OK);
	assert_int_equal(vmstat(m, "nr_dirty"), 0);
	assert_int_equal(vmstat(m, "nr_written") - written0, 2);
	check(m);
	test_machine_done(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_file_api_round_trip),
		cmocka_unit_test(test_memfd_api_seals),
		cmocka_unit_test(test_fork_shares_and_exit_closes_files),
		cmocka_unit_test(test_file_api_bad_input),
		cmocka_unit_test(test_fault_around_maps_64k_windows),
		cmocka_unit_test(test_shared_file_mapping_dirty_and_fsync),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
