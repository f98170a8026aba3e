/*
 * The per-process views (src/fs/proc_task_mmu.c) through the public API: /proc/<pid>/maps,
 * smaps, smaps_rollup, status, statm, numa_maps and the user page-table dump. Expected
 * values follow from the kernel's rules for 16 pages (64 KiB) of a private anonymous mapping:
 *
 *   written once by one task    Rss 64  Pss 64  Private_Dirty 64  Anonymous 64
 *   read only (the zero page)   Rss 0   (vm_normal_page: the zero page is special)
 *   after fork, both mapping it Rss 64  Pss 32  Shared_Dirty 64   (mapcount 2)
 *   after the child's COW       the parent's pages are private again (Pss 64)
 */
#include "kmm_test.h"

#include <inttypes.h>

#include <kmm/task.h>

#define LEN ((uint64_t)16 * 4096)

struct fixture {
	struct kmm_machine *m;
	kmm_pid_t pid;
	kmm_va_t va;
};

static struct fixture setup(void)
{
	struct fixture f = {test_machine(NULL), 0, 0};

	assert_int_equal(kmm_task_create(f.m, "views", 0, &f.pid), KMM_OK);
	assert_int_equal(kmm_mmap(f.m, f.pid, 0, LEN, KMM_PROT_READ | KMM_PROT_WRITE,
				  KMM_MAP_PRIVATE | KMM_MAP_ANONYMOUS, -1, 0, &f.va),
			 KMM_OK);
	assert_int_equal(kmm_check(f.m), KMM_OK);
	return f;
}

static void touch(struct fixture *f, kmm_pid_t pid, enum kmm_access type)
{
	uint64_t done = 0;
	enum kmm_status st;

	assert_int_equal(kmm_task_touch(f->m, pid, type, f->va, LEN, 0, KMM_TOUCH_SEQ,
					0x5eed0000 + (uint64_t)pid, &done),
			 KMM_OK);
	assert_int_equal(done, 16);
	st = kmm_check(f->m);
	if (st != KMM_OK)
		fail_msg("kmm_check: %s", kmm_last_error(f->m));
}

static const char *pid_view(struct kmm_machine *m, kmm_pid_t pid, const char *file)
{
	char path[64];

	snprintf(path, sizeof(path), "/proc/%d/%s", (int)pid, file);
	return test_view(m, path);
}

/* The value (kB) of @field in the smaps block of the VMA starting at @va. */
static long smaps_field(struct kmm_machine *m, kmm_pid_t pid, kmm_va_t va, const char *field)
{
	char head[32], name[40];
	const char *p = pid_view(m, pid, "smaps");

	snprintf(head, sizeof(head), "%08" PRIx64 "-", va);
	snprintf(name, sizeof(name), "\n%s:", field);
	p = strstr(p, head);
	assert_non_null(p);
	p = strstr(p, name);
	assert_non_null(p);
	return strtol(p + strlen(name), NULL, 10);
}

static void test_maps_and_smaps_of_a_written_mapping(void **state)
{
	struct fixture f = setup();
	char line[128], flags[160];
	const char *v;

	(void)state;
	/* show_map_vma: no name, so the line ends after the inode and its space */
	snprintf(line, sizeof(line), "%08" PRIx64 "-%08" PRIx64 " rw-p 00000000 00:00 0 \n", f.va,
		 f.va + LEN);
	assert_non_null(strstr(pid_view(f.m, f.pid, "maps"), line));
	assert_int_equal(smaps_field(f.m, f.pid, f.va, "Rss"), 0);
	touch(&f, f.pid, KMM_ACCESS_STORE);
	assert_int_equal(smaps_field(f.m, f.pid, f.va, "Size"), 64);
	assert_int_equal(smaps_field(f.m, f.pid, f.va, "Rss"), 64);
	assert_int_equal(smaps_field(f.m, f.pid, f.va, "Pss"), 64);
	assert_int_equal(smaps_field(f.m, f.pid, f.va, "Pss_Dirty"), 64);
	assert_int_equal(smaps_field(f.m, f.pid, f.va, "Private_Dirty"), 64);
	assert_int_equal(smaps_field(f.m, f.pid, f.va, "Shared_Dirty"), 0);
	assert_int_equal(smaps_field(f.m, f.pid, f.va, "Referenced"), 64);
	assert_int_equal(smaps_field(f.m, f.pid, f.va, "Anonymous"), 64);
	assert_int_equal(smaps_field(f.m, f.pid, f.va, "THPeligible"), 0); /* < 2 MiB */
	/* the exact block layout: widths of 8 (7 for Private_Hugetlb) and the flag codes */
	v = pid_view(f.m, f.pid, "smaps");
	assert_non_null(strstr(v, "\nSize:                 64 kB\nKernelPageSize:        4 kB\n"
				  "MMUPageSize:           4 kB\nRss:                  64 kB\n"));
	assert_non_null(strstr(v, "\nShared_Hugetlb:        0 kB\nPrivate_Hugetlb:       0 kB\n"));
	snprintf(flags, sizeof(flags), "%08" PRIx64 "-", f.va);
	v = strstr(v, flags);
	assert_non_null(strstr(v, "THPeligible:    0\nVmFlags: rd wr mr mw me ac \n"));
	/* numa_maps: 16 anonymous dirty pages on node 0, none active yet */
	snprintf(line, sizeof(line),
		 "%08" PRIx64 " default anon=16 dirty=16 active=0 N0=16 kernelpagesize_kB=4\n",
		 f.va);
	assert_non_null(strstr(pid_view(f.m, f.pid, "numa_maps"), line));
	test_machine_done(f.m);
}

static void test_read_faults_map_the_zero_page_which_smaps_does_not_count(void **state)
{
	struct fixture f = setup();

	(void)state;
	touch(&f, f.pid, KMM_ACCESS_LOAD);
	assert_int_equal(smaps_field(f.m, f.pid, f.va, "Rss"), 0);
	assert_int_equal(smaps_field(f.m, f.pid, f.va, "Anonymous"), 0);
	touch(&f, f.pid, KMM_ACCESS_STORE);
	assert_int_equal(smaps_field(f.m, f.pid, f.va, "Rss"), 64);
	test_machine_done(f.m);
}

static void test_fork_shares_pages_and_halves_pss_until_cow(void **state)
{
	struct fixture f = setup();
	kmm_pid_t child;

	(void)state;
	touch(&f, f.pid, KMM_ACCESS_STORE);
	assert_int_equal(kmm_task_fork(f.m, f.pid, &child), KMM_OK);
	assert_int_equal(smaps_field(f.m, f.pid, f.va, "Rss"), 64);
	assert_int_equal(smaps_field(f.m, f.pid, f.va, "Pss"), 32);
	assert_int_equal(smaps_field(f.m, f.pid, f.va, "Shared_Dirty"), 64);
	assert_int_equal(smaps_field(f.m, f.pid, f.va, "Private_Dirty"), 0);
	assert_int_equal(smaps_field(f.m, child, f.va, "Pss"), 32);
	touch(&f, child, KMM_ACCESS_STORE); /* 16 COW copies in the child */
	assert_int_equal(smaps_field(f.m, f.pid, f.va, "Pss"), 64);
	assert_int_equal(smaps_field(f.m, f.pid, f.va, "Private_Dirty"), 64);
	assert_int_equal(smaps_field(f.m, child, f.va, "Private_Dirty"), 64);
	assert_int_equal(kmm_task_exit(f.m, child, 0), KMM_OK);
	test_machine_done(f.m);
}

/* Sums "FIELD:" over every smaps block. */
static long smaps_sum(struct kmm_machine *m, kmm_pid_t pid, const char *field)
{
	char name[40];
	long sum = 0;

	snprintf(name, sizeof(name), "\n%s:", field);
	for (const char *p = pid_view(m, pid, "smaps"); (p = strstr(p, name)); p += strlen(name))
		sum += strtol(p + strlen(name), NULL, 10);
	return sum;
}

static long status_kb(struct kmm_machine *m, kmm_pid_t pid, const char *field)
{
	char name[40];
	const char *p;

	snprintf(name, sizeof(name), "\n%s:", field);
	p = strstr(pid_view(m, pid, "status"), name);
	assert_non_null(p);
	return strtol(p + strlen(name), NULL, 10);
}

static void test_rollup_is_the_walk_status_and_statm_the_counters(void **state)
{
	struct fixture f = setup();
	static const char *const order[] = {"Name:\tviews\n",
					    "\nState:\tR (running)\n",
					    "\nVmPeak:",
					    "\nVmSize:",
					    "\nVmLck:",
					    "\nVmPin:",
					    "\nVmHWM:",
					    "\nVmRSS:",
					    "\nRssAnon:",
					    "\nRssFile:",
					    "\nRssShmem:",
					    "\nVmData:",
					    "\nVmStk:",
					    "\nVmExe:",
					    "\nVmLib:",
					    "\nVmPTE:",
					    "\nVmSwap:",
					    "\nHugetlbPages:",
					    "\nCoreDumping:\t0\n",
					    "\nThreads:\t1\n",
					    "\nCapEff:\t",
					    "\nSeccomp:\t0\n",
					    "\nCpus_allowed_list:\t",
					    "\nvoluntary_ctxt_switches:"};
	unsigned long size, resident, shared, text, lib, data, dt;
	const char *v, *p;
	long rss;

	(void)state;
	touch(&f, f.pid, KMM_ACCESS_STORE);
	v = pid_view(f.m, f.pid, "smaps_rollup");
	p = strstr(v, "[rollup]\nRss:");
	assert_non_null(p);
	rss = strtol(p + strlen("[rollup]\nRss:"), NULL, 10);
	assert_non_null(strstr(v, "\nPss_Anon:")); /* the rollup-only lines */
	assert_non_null(strstr(v, " ---p 00000000 00:00 0 "));
	assert_int_equal(rss, smaps_sum(f.m, f.pid, "Rss")); /* (reuses test_view's buffer) */
	/* status reads the synced counters: never above the walk (the task's cache lags) */
	assert_true(status_kb(f.m, f.pid, "VmRSS") <= rss);
	assert_int_equal(status_kb(f.m, f.pid, "VmRSS"), status_kb(f.m, f.pid, "RssAnon") +
								 status_kb(f.m, f.pid, "RssFile") +
								 status_kb(f.m, f.pid, "RssShmem"));
	/* statm: the same counters in pages */
	assert_int_equal(sscanf(pid_view(f.m, f.pid, "statm"), "%lu %lu %lu %lu %lu %lu %lu", &size,
				&resident, &shared, &text, &lib, &data, &dt),
			 7);
	assert_int_equal(size * 4, status_kb(f.m, f.pid, "VmSize"));
	assert_int_equal(resident * 4, status_kb(f.m, f.pid, "VmRSS"));
	assert_int_equal(data * 4,
			 status_kb(f.m, f.pid, "VmData") + status_kb(f.m, f.pid, "VmStk"));
	assert_int_equal(lib + dt, 0);
	/* fs/proc/array.c's order */
	v = pid_view(f.m, f.pid, "status");
	p = v;
	for (size_t i = 0; i < sizeof(order) / sizeof(order[0]); i++) {
		const char *q = strstr(p, order[i]);

		if (!q)
			fail_msg("status: '%s' missing or out of order", order[i]);
		p = q;
	}
	test_machine_done(f.m);
}

static void test_ptdump_of_a_task_shows_its_user_pages(void **state)
{
	struct fixture f = setup();
	char path[64], range[64];
	const char *v;

	(void)state;
	touch(&f, f.pid, KMM_ACCESS_STORE);
	snprintf(path, sizeof(path), "/sys/kernel/debug/kmm/ptdump/%d", (int)f.pid);
	v = test_view(f.m, path);
	assert_non_null(strstr(v, "---[ User space ]---\n"));
	assert_non_null(strstr(v, "---[ User space end ]---\n"));
	/* the 16 written pages: one run of 64K PTEs, user, writable, never executable */
	snprintf(range, sizeof(range), "0x%016" PRIx64 "-0x%016" PRIx64 "          64K PTE", f.va,
		 f.va + LEN);
	v = strstr(v, range);
	assert_non_null(v);
	assert_non_null(strstr(v, "USR RW NX SHD AF NG"));
	test_machine_done(f.m);
}

static void test_pid_paths_refuse_what_does_not_exist(void **state)
{
	struct fixture f = setup();
	char buf[64], path[64];

	(void)state;
	assert_error(kmm_proc_read(f.m, "/proc/30000/maps", buf, sizeof(buf)), KMM_ESRCH,
		     kmm_last_error(f.m), "no such task");
	snprintf(path, sizeof(path), "/proc/%d/mapz", (int)f.pid);
	assert_error(kmm_proc_read(f.m, path, buf, sizeof(buf)), KMM_ENOENT, kmm_last_error(f.m),
		     "no such view");
	assert_error(kmm_proc_read(f.m, "/proc/0/maps", buf, sizeof(buf)), KMM_ENOENT,
		     kmm_last_error(f.m), "no such view");
	assert_error(kmm_proc_read(f.m, "/sys/kernel/debug/kmm/ptdump/30000", buf, sizeof(buf)),
		     KMM_ESRCH, kmm_last_error(f.m), "no such task");
	assert_int_equal(kmm_task_exit(f.m, f.pid, 0), KMM_OK);
	snprintf(path, sizeof(path), "/proc/%d/status", (int)f.pid);
	assert_error(kmm_proc_read(f.m, path, buf, sizeof(buf)), KMM_ESRCH, kmm_last_error(f.m),
		     "no such task");
	test_machine_done(f.m);
}

/* kmm_proc_list's per-task part: the paths it names for @pid, in order, into @out. */
struct listed {
	char paths[64][64];
	int n, pid;
};

static void collect(void *arg, const char *path)
{
	struct listed *l = arg;
	char proc[32], dump[48];

	snprintf(proc, sizeof(proc), "/proc/%d/", l->pid);
	snprintf(dump, sizeof(dump), "/sys/kernel/debug/kmm/ptdump/%d", l->pid);
	if ((strncmp(path, proc, strlen(proc)) == 0 || strcmp(path, dump) == 0) && l->n < 64)
		snprintf(l->paths[l->n++], sizeof(l->paths[0]), "%s", path);
}

static int count_sink_calls;

static void count_sink(void *arg, const char *text, size_t len)
{
	(void)arg;
	(void)text;
	if (len)
		count_sink_calls++;
}

static void test_proc_list_names_each_live_tasks_paths(void **state)
{
	/* the files of fs/proc/base.c's tid_base_stuff the model serves, in its table's order */
	static const char *const files[] = {"maps",  "smaps",	  "smaps_rollup", "status",
					    "statm", "numa_maps", "oom_score",	  "oom_score_adj"};
	struct fixture f = setup();
	kmm_pid_t child = 0;
	struct listed l;
	char want[64];

	(void)state;
	assert_int_equal(kmm_task_fork(f.m, f.pid, &child), KMM_OK);
	assert_int_equal(kmm_check(f.m), KMM_OK);
	for (int round = 0; round < 2; round++) {
		memset(&l, 0, sizeof(l));
		l.pid = (int)child;
		kmm_proc_list(f.m, collect, &l);
		if (round == 1) { /* the child exited: nothing of it is listed */
			assert_int_equal(l.n, 0);
			break;
		}
		assert_int_equal(l.n, 9);
		for (int i = 0; i < 8; i++) {
			snprintf(want, sizeof(want), "/proc/%d/%s", (int)child, files[i]);
			assert_string_equal(l.paths[i], want);
			/* each listed path is served: it shows something */
			count_sink_calls = 0;
			assert_int_equal(kmm_proc_show(f.m, l.paths[i], count_sink, NULL), KMM_OK);
			assert_true(count_sink_calls > 0);
		}
		snprintf(want, sizeof(want), "/sys/kernel/debug/kmm/ptdump/%d", (int)child);
		assert_string_equal(l.paths[8], want);
		assert_int_equal(kmm_task_exit(f.m, child, 0), KMM_OK);
		assert_int_equal(kmm_check(f.m), KMM_OK);
	}
	/* the parent is still listed */
	memset(&l, 0, sizeof(l));
	l.pid = (int)f.pid;
	kmm_proc_list(f.m, collect, &l);
	assert_int_equal(l.n, 9);
	test_machine_done(f.m);
}

/* The maps line of the VMA starting at @va: its "MAJOR:MINOR INODE" and name columns. */
static void maps_dev_and_name(struct kmm_machine *m, kmm_pid_t pid, kmm_va_t va, char *dev,
			      char *name)
{
	char head[32];
	const char *p = pid_view(m, pid, "maps");

	snprintf(head, sizeof(head), "%08" PRIx64 "-", va);
	p = strstr(p, head);
	assert_non_null(p);
	/* start-end perms offset dev inode name */
	assert_int_equal(sscanf(p, "%*s %*s %*s %15s %*s %63[^\n]", dev, name), 2);
}

/*
 * The device column: 6.1's mnt_init() runs shmem_init() (shm_mnt, the first anonymous
 * device: 00:01) before init_mount_tree() mounts the rootfs tmpfs (00:02, as every
 * capture's /bin lines show). memfd and MAP_SHARED|MAP_ANONYMOUS files live on shm_mnt.
 */
static void test_maps_device_of_pseudo_filesystems(void **state)
{
	struct fixture f = setup();
	static const char data[4096] = {1};
	kmm_va_t text = 0x400000, va;
	char dev[16], name[64];
	int fd;

	(void)state;
	maps_dev_and_name(f.m, f.pid, text, dev, name);
	assert_string_equal(dev, "00:02");
	assert_string_equal(name, "/bin/views");
	/* a file of the root tmpfs */
	assert_int_equal(kmm_file_create(f.m, "/data", data, sizeof(data)), KMM_OK);
	assert_int_equal(kmm_file_open(f.m, f.pid, "/data", KMM_O_RDWR, &fd), KMM_OK);
	assert_int_equal(kmm_mmap(f.m, f.pid, 0, 4096, KMM_PROT_READ, KMM_MAP_SHARED, fd, 0, &va),
			 KMM_OK);
	maps_dev_and_name(f.m, f.pid, va, dev, name);
	assert_string_equal(dev, "00:02");
	assert_string_equal(name, "/data");
	/* memfd: shm_mnt */
	assert_int_equal(kmm_memfd_create(f.m, f.pid, "dev", 0, &fd), KMM_OK);
	assert_int_equal(kmm_file_truncate(f.m, f.pid, fd, 4096), KMM_OK);
	assert_int_equal(kmm_mmap(f.m, f.pid, 0, 4096, KMM_PROT_READ, KMM_MAP_SHARED, fd, 0, &va),
			 KMM_OK);
	maps_dev_and_name(f.m, f.pid, va, dev, name);
	assert_string_equal(dev, "00:01");
	assert_string_equal(name, "/memfd:dev (deleted)");
	/* shared anonymous memory: shmem_zero_setup's file on shm_mnt */
	assert_int_equal(kmm_mmap(f.m, f.pid, 0, 4096, KMM_PROT_READ | KMM_PROT_WRITE,
				  KMM_MAP_SHARED | KMM_MAP_ANONYMOUS, -1, 0, &va),
			 KMM_OK);
	maps_dev_and_name(f.m, f.pid, va, dev, name);
	assert_string_equal(dev, "00:01");
	assert_string_equal(name, "/dev/zero (deleted)");
	assert_int_equal(kmm_check(f.m), KMM_OK);
	test_machine_done(f.m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_maps_and_smaps_of_a_written_mapping),
		cmocka_unit_test(test_read_faults_map_the_zero_page_which_smaps_does_not_count),
		cmocka_unit_test(test_fork_shares_pages_and_halves_pss_until_cow),
		cmocka_unit_test(test_rollup_is_the_walk_status_and_statm_the_counters),
		cmocka_unit_test(test_ptdump_of_a_task_shows_its_user_pages),
		cmocka_unit_test(test_pid_paths_refuse_what_does_not_exist),
		cmocka_unit_test(test_proc_list_names_each_live_tasks_paths),
		cmocka_unit_test(test_maps_device_of_pseudo_filesystems),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
