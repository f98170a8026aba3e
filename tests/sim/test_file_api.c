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
	assert_int_equal(kmm_file_create(m, "/", NULL, 0),
			 KMM_EINVAL); /* EISDIR: no status of its own */
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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_file_api_round_trip),
		cmocka_unit_test(test_memfd_api_seals),
		cmocka_unit_test(test_fork_shares_and_exit_closes_files),
		cmocka_unit_test(test_file_api_bad_input),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
