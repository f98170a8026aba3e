/*
 * The user-space API (include/kmm/task.h): tasks, accesses through the MMU with page faults,
 * fork with copy-on-write, exit, CPUs and ASIDs, kernel threads on the event queue, and bad
 * input refused with nothing changed.
 *
 * Expected values come from the kernel's rules and the captures, not from running this code:
 *  - pids: alloc_pid hands out 1, 2, 3, ... in the initial namespace;
 *  - layout (norandmaps): mmap_base = STACK_TOP - 128 MiB (the MIN_GAP clamp of mmap_base with
 *    an 8 MiB stack rlimit) = 0xfffff8000000; [vvar]+[vdso] take the 3 pages below it
 *    (boot.maps_norand.txt: fffff7ffd000-fffff8000000), so the first anonymous mapping of N
 *    pages ends at 0xfffff7ffd000;
 *  - the program break starts at PAGE_ALIGN(end of bss) = 0x498000 for the default image
 *    (the capture's /bin/maps: bss ends at 0x498000, the [heap] VMA starts there);
 *  - a first write to an untouched anonymous page is one minor fault; a read of an unmapped
 *    address is SIGSEGV/SEGV_MAPERR with a data abort from EL0 (ESR.EC 0x24), a write to a
 *    read-only mapping SIGSEGV/SEGV_ACCERR.
 */
#include "kmm_test.h"

#include <kmm/task.h>

#include <inttypes.h>

#include "kernel/sched.h"
#include "sim/machine.h"

#define PAGE	    4096ULL
#define MMAP_BASE   0xfffff8000000ULL
#define VDSO_PAGES  3ULL
#define ANON	    (KMM_MAP_PRIVATE | KMM_MAP_ANONYMOUS)
#define RW	    (KMM_PROT_READ | KMM_PROT_WRITE)
#define ESR_EC(esr) (((esr) >> 26) & 0x3f)

static struct kmm_machine *boot(unsigned cpus)
{
	struct kmm_config cfg;

	kmm_config_init(&cfg);
	cfg.nr_cpus = cpus;
	assert_int_equal(kmm_config_set_ram(&cfg, 512ULL << 20), KMM_OK);
	assert_int_equal(kmm_config_append(&cfg, "norandmaps"), KMM_OK);
	return test_machine(&cfg);
}

static void check(struct kmm_machine *m)
{
	if (kmm_check(m) != KMM_OK)
		fail_msg("kmm_check: %s", kmm_last_error(m));
}

static kmm_pid_t new_task(struct kmm_machine *m, const char *comm, unsigned cpu)
{
	kmm_pid_t pid = 0;
	enum kmm_status st = kmm_task_create(m, comm, cpu, &pid);

	if (st)
		fail_msg("kmm_task_create: %s", kmm_last_error(m));
	check(m);
	return pid;
}

static kmm_va_t map(struct kmm_machine *m, kmm_pid_t pid, uint64_t len, int prot)
{
	kmm_va_t va = 0;
	enum kmm_status st = kmm_mmap(m, pid, 0, len, prot, ANON, -1, 0, &va);

	if (st)
		fail_msg("kmm_mmap: %s", kmm_last_error(m));
	check(m);
	return va;
}

static uint64_t load64(struct kmm_machine *m, kmm_pid_t pid, kmm_va_t va)
{
	uint64_t v = 0;

	if (kmm_task_access(m, pid, KMM_ACCESS_LOAD, va, &v, sizeof(v), NULL))
		fail_msg("load at 0x%llx: %s", (unsigned long long)va, kmm_last_error(m));
	return v;
}

static void store64(struct kmm_machine *m, kmm_pid_t pid, kmm_va_t va, uint64_t v)
{
	if (kmm_task_access(m, pid, KMM_ACCESS_STORE, va, &v, sizeof(v), NULL))
		fail_msg("store at 0x%llx: %s", (unsigned long long)va, kmm_last_error(m));
}

static struct kmm_task_info info(struct kmm_machine *m, kmm_pid_t pid)
{
	struct kmm_task_info ti;

	if (kmm_task_info(m, pid, &ti))
		fail_msg("kmm_task_info(%d): %s", pid, kmm_last_error(m));
	return ti;
}

/* FNV-1a over the words of [va, va + len) as task @pid loads them. */
static uint64_t checksum(struct kmm_machine *m, kmm_pid_t pid, kmm_va_t va, uint64_t len)
{
	uint64_t h = 0xcbf29ce484222325ULL;

	for (uint64_t off = 0; off < len; off += 8)
		h = (h ^ load64(m, pid, va + off)) * 0x100000001b3ULL;
	return h;
}

static void test_task_pids_count_up_from_one(void **state)
{
	struct kmm_machine *m = boot(1);
	kmm_pid_t a = new_task(m, "a", 0), b = new_task(m, "b", 0);
	struct kmm_task_info ti = info(m, b);

	(void)state;
	assert_int_equal(a, 1);
	assert_int_equal(b, 2);
	assert_string_equal(ti.comm, "b");
	assert_int_equal(ti.state, 'R');
	assert_int_equal(ti.ppid, 0);
	assert_int_equal(kmm_task_exit(m, a, 3), KMM_OK);
	check(m);
	/* the cursor goes on: a freed pid is not reused before the wrap */
	assert_int_equal(new_task(m, "c", 0), 3);
	test_machine_done(m);
}

static void test_task_exec_layout_norandmaps(void **state)
{
	struct kmm_machine *m = boot(1);
	kmm_pid_t pid = new_task(m, "maps", 0);
	kmm_va_t va = map(m, pid, 4 * PAGE, RW), brk = 0;

	(void)state;
	assert_int_equal(va, MMAP_BASE - VDSO_PAGES * PAGE - 4 * PAGE);
	assert_int_equal(kmm_brk(m, pid, 0, &brk), KMM_OK);
	assert_int_equal(brk, 0x498000);
	assert_int_equal(kmm_brk(m, pid, 0x498000 + 0x22000, &brk), KMM_OK);
	assert_int_equal(brk, 0x4ba000); /* the capture's [heap] end */
	store64(m, pid, 0x4b9ff8, 42);
	assert_int_equal(load64(m, pid, 0x4b9ff8), 42);
	check(m);
	test_machine_done(m);
}

/*
 * The binary's segments come from its file /bin/<comm>: text at 0x400000 is executable and
 * not writable (a store is SEGV_ACCERR), the RW segment at 0x48c000 (text end 0x47e000 +
 * the capture's 0xe000 gap) is a private writable copy, the bss after it reads zero.
 */
static void test_task_exec_maps_the_binary(void **state)
{
	struct kmm_machine *m = boot(1);
	kmm_pid_t pid = new_task(m, "maps", 0), other = new_task(m, "other", 0);
	struct kmm_siginfo si;
	uint64_t v = 0;
	int fd = -1;

	(void)state;
	assert_int_equal(kmm_task_access(m, pid, KMM_ACCESS_IFETCH, 0x400000, &v, 4, NULL), KMM_OK);
	assert_int_equal(load64(m, pid, 0x47dff8), 0);
	store64(m, pid, 0x48c000, 0xda7a);
	assert_int_equal(load64(m, pid, 0x48c000), 0xda7a);
	assert_int_equal(load64(m, pid, 0x497ff8), 0); /* the last bss word */
	assert_int_equal(kmm_file_open(m, pid, "/bin/maps", KMM_O_RDONLY, &fd), KMM_OK);
	assert_int_equal(kmm_file_pread(m, pid, fd, &v, 8, 0x8c000, &(uint64_t){0}), KMM_OK);
	assert_int_equal(v, 0); /* the private copy did not reach the file */
	assert_int_equal(kmm_task_access(m, other, KMM_ACCESS_STORE, 0x400100, &v, 8, &si),
			 KMM_EFAULT);
	assert_int_equal(si.code, KMM_SEGV_ACCERR);
	check(m);
	test_machine_done(m);
}

/* The kB figure @field of /proc/@pid/smaps' block of the VMA starting at @va. */
static long smaps_kb(struct kmm_machine *m, kmm_pid_t pid, kmm_va_t va, const char *field)
{
	char path[64], head[32], name[40];
	const char *p;

	snprintf(path, sizeof(path), "/proc/%d/smaps", (int)pid);
	snprintf(head, sizeof(head), "%08" PRIx64 "-", va);
	snprintf(name, sizeof(name), "\n%s:", field);
	p = strstr(test_view(m, path), head);
	assert_non_null(p);
	p = strstr(p, name);
	assert_non_null(p);
	return strtol(p + strlen(name), NULL, 10);
}

static long meminfo_kb(struct kmm_machine *m, const char *field)
{
	const char *p = strstr(test_view(m, "/proc/meminfo"), field);

	assert_non_null(p);
	return strtol(p + strlen(field), NULL, 10);
}

/*
 * exec brings the image's pages in as the kernel and the program's start do (exec.c's
 * header). By hand, for the default image (the capture's /bin/maps layout): the binary's
 * file is rw_offset 0x8c000 + the RW segment's 0x7000 = 0x93000 bytes, 147 tmpfs pages
 * (588 kB of Shmem) written by the unpack; the text 0x400000-0x47e000 takes one fetch fault
 * per 64 KiB fault-around window: 8 faults map all 126 pages (504 kB); the RW segment
 * 0x48c000-0x493000: a read fault maps its window's 4 rodata pages (0x48c000-0x48ffff),
 * then the 3 data pages are written (3 COW faults): Rss 28 kB, Anonymous 12 kB. With the
 * argument page (copy_strings' gup fault), 1 + 8 + 4 = 13 minor faults.
 */
static void test_task_exec_faults_in_the_image(void **state)
{
	struct kmm_machine *m = boot(1);
	long shmem0 = meminfo_kb(m, "\nShmem:");
	kmm_pid_t pid = new_task(m, "maps", 0);
	struct kmm_exec_image img = {.path = "/bin/faults",
				     .text_size = 0x84000,
				     .rodata_size = 0x4000,
				     .data_size = 0x3000,
				     .bss_size = 0x6b000,
				     .rw_gap = 0x18000,
				     .relro_size = 0x4000,
				     .rw_offset = 0x8c000};

	(void)state;
	assert_int_equal(meminfo_kb(m, "\nShmem:") - shmem0, 588);
	assert_int_equal(smaps_kb(m, pid, 0x400000, "Rss"), 504);
	assert_int_equal(smaps_kb(m, pid, 0x400000, "Anonymous"), 0);
	assert_int_equal(smaps_kb(m, pid, 0x48c000, "Rss"), 28);
	assert_int_equal(smaps_kb(m, pid, 0x48c000, "Anonymous"), 12);
	assert_int_equal(info(m, pid).min_flt, 13);
	/* a second task of the same binary: no new file pages */
	new_task(m, "maps", 0);
	assert_int_equal(meminfo_kb(m, "\nShmem:") - shmem0, 588);
	/*
	 * The capture's /bin/faults layout (its final smaps: text Rss 512 kB, RELRO r--p Rss 16
	 * Anonymous 8, data rw-p Rss 12 Anonymous 12): text 0x84000 is 8 full windows + a 4-page
	 * one, all 528 kB resident (the guest's program never ran its last 16 kB); the RW
	 * segment's first window holds the 4 RELRO pages (read, the second half written before
	 * the RELRO mprotect) and the 3 data pages (written).
	 */
	assert_int_equal(kmm_task_exec(m, pid, &img), KMM_OK);
	check(m);
	assert_int_equal(smaps_kb(m, pid, 0x400000, "Rss"), 528);
	assert_int_equal(smaps_kb(m, pid, 0x49c000, "Rss"), 16);
	assert_int_equal(smaps_kb(m, pid, 0x49c000, "Anonymous"), 8);
	assert_int_equal(smaps_kb(m, pid, 0x4a0000, "Rss"), 12);
	assert_int_equal(smaps_kb(m, pid, 0x4a0000, "Anonymous"), 12);
	/* file size 0x8c000 + 0x7000 = 0x93000: 588 kB more */
	assert_int_equal(meminfo_kb(m, "\nShmem:") - shmem0, 2 * 588);
	test_machine_done(m);
}

static void test_task_access_faults_in_and_counts(void **state)
{
	struct kmm_machine *m = boot(1);
	kmm_pid_t pid = new_task(m, "t", 0);
	kmm_va_t va = map(m, pid, 16 * PAGE, RW);
	uint64_t before = info(m, pid).min_flt, done = 0;

	(void)state;
	assert_int_equal(kmm_task_touch(m, pid, KMM_ACCESS_STORE, va, 16 * PAGE, 0, KMM_TOUCH_SEQ,
					0x1234, &done),
			 KMM_OK);
	assert_int_equal(done, 16);
	assert_int_equal(info(m, pid).min_flt - before, 16);
	check(m);
	/* a second pass hits: no fault */
	assert_int_equal(kmm_task_touch(m, pid, KMM_ACCESS_LOAD, va, 16 * PAGE, 8, KMM_TOUCH_RANDOM,
					0, &done),
			 KMM_OK);
	assert_int_equal(done, 16 * PAGE / 8);
	assert_int_equal(info(m, pid).min_flt - before, 16);
	assert_int_equal(load64(m, pid, va + 5 * PAGE), 0x1234);
	assert_int_equal(load64(m, pid, va + 5 * PAGE + 8), 0);
	test_machine_done(m);
}

static void test_task_sigsegv_maperr_stops_task(void **state)
{
	struct kmm_machine *m = boot(1);
	kmm_pid_t pid = new_task(m, "segv", 0);
	struct kmm_siginfo si;
	struct kmm_task_info ti;
	uint64_t v;

	(void)state;
	assert_int_equal(kmm_task_access(m, pid, KMM_ACCESS_LOAD, 0x10000000, &v, 8, &si),
			 KMM_EFAULT);
	assert_int_equal(si.signo, KMM_SIGSEGV);
	assert_int_equal(si.code, KMM_SEGV_MAPERR);
	assert_int_equal(si.addr, 0x10000000);
	assert_int_equal(si.far, 0x10000000);
	assert_int_equal(ESR_EC(si.esr), 0x24);
	ti = info(m, pid);
	assert_int_equal(ti.state, 'T');
	assert_int_equal(ti.last_signal.code, KMM_SEGV_MAPERR);
	/* a stopped task does not run again */
	assert_error(kmm_task_access(m, pid, KMM_ACCESS_LOAD, 0x400000, &v, 8, &si), KMM_EFAULT,
		     kmm_last_error(m), "is stopped by signal 11");
	check(m);
	test_machine_done(m);
}

static void test_task_write_to_readonly_is_accerr(void **state)
{
	struct kmm_machine *m = boot(1);
	kmm_pid_t pid = new_task(m, "ro", 0);
	kmm_va_t va = map(m, pid, PAGE, KMM_PROT_READ);
	struct kmm_siginfo si;
	uint64_t v = 1;

	(void)state;
	assert_int_equal(load64(m, pid, va), 0); /* the zero page */
	assert_int_equal(kmm_task_access(m, pid, KMM_ACCESS_STORE, va + 16, &v, 8, &si),
			 KMM_EFAULT);
	assert_int_equal(si.signo, KMM_SIGSEGV);
	assert_int_equal(si.code, KMM_SEGV_ACCERR);
	assert_int_equal(si.addr, va + 16);
	check(m);
	test_machine_done(m);
}

static void test_task_fork_cow_isolates_both_ways(void **state)
{
	struct kmm_machine *m = boot(2);
	kmm_pid_t parent = new_task(m, "p", 0), child = 0;
	kmm_va_t va = map(m, parent, 8 * PAGE, RW);
	uint64_t done, sum_parent, sum_child;

	(void)state;
	assert_int_equal(kmm_task_touch(m, parent, KMM_ACCESS_STORE, va, 8 * PAGE, 8, KMM_TOUCH_SEQ,
					0xaaaa, &done),
			 KMM_OK);
	sum_parent = checksum(m, parent, va, 8 * PAGE);
	assert_int_equal(kmm_task_fork(m, parent, &child), KMM_OK);
	check(m);
	assert_int_equal(info(m, child).ppid, parent);
	assert_int_equal(checksum(m, child, va, 8 * PAGE), sum_parent);
	/* the child writes: the parent keeps its data */
	assert_int_equal(kmm_task_set_cpu(m, child, 1), KMM_OK);
	assert_int_equal(kmm_task_touch(m, child, KMM_ACCESS_STORE, va, 4 * PAGE, 8, KMM_TOUCH_SEQ,
					0xbbbb, &done),
			 KMM_OK);
	check(m);
	assert_int_equal(checksum(m, parent, va, 8 * PAGE), sum_parent);
	sum_child = checksum(m, child, va, 8 * PAGE);
	assert_true(sum_child != sum_parent);
	/* the parent writes the other half: the child keeps its data */
	assert_int_equal(kmm_task_touch(m, parent, KMM_ACCESS_STORE, va + 4 * PAGE, 4 * PAGE, 8,
					KMM_TOUCH_SEQ, 0xcccc, &done),
			 KMM_OK);
	assert_int_equal(checksum(m, child, va, 8 * PAGE), sum_child);
	assert_int_equal(load64(m, child, va + 4 * PAGE), 0xaaaa);
	assert_int_equal(load64(m, parent, va), 0xaaaa);
	assert_int_equal(load64(m, child, va), 0xbbbb);
	check(m);
	assert_int_equal(kmm_task_exit(m, child, 0), KMM_OK);
	check(m);
	assert_int_equal(checksum(m, parent, va, 4 * PAGE),
			 checksum(m, parent, va, 4 * PAGE)); /* still readable */
	assert_int_equal(kmm_task_exit(m, parent, 0), KMM_OK);
	test_machine_done(m);
}

static void test_task_two_tasks_one_cpu_have_their_asids(void **state)
{
	struct kmm_machine *m = boot(1);
	kmm_pid_t a = new_task(m, "a", 0), b = new_task(m, "b", 0);
	kmm_va_t va = map(m, a, PAGE, RW), vb = map(m, b, PAGE, RW);

	(void)state;
	assert_int_equal(va, vb); /* same layout, different address spaces */
	store64(m, a, va, 1);
	store64(m, b, vb, 2);
	assert_int_equal(load64(m, a, va), 1);
	assert_int_equal(load64(m, b, vb), 2);
	assert_true(info(m, a).asid != 0);
	assert_true(info(m, b).asid != 0);
	assert_true(info(m, a).asid != info(m, b).asid);
	check(m);
	test_machine_done(m);
}

static int64_t kthread_count(struct kmm_kernel *k, struct task_struct *t, void *data)
{
	int *n = data;

	(void)k, (void)t;
	return ++*n < 3 ? 1000 : KTHREAD_SLEEP;
}

static void test_kthread_runs_on_the_event_queue(void **state)
{
	struct kmm_machine *m = boot(2);
	struct kmm_kernel *k = &m->kernel;
	struct task_struct *t = NULL;
	int n = 0;
	struct kmm_task_info ti;
	kmm_va_t v;

	(void)state;
	assert_int_equal(kthread_create_on_cpu(k, kthread_count, &n, 1, "kswapd0", &t), 0);
	assert_true(t->flags & PF_KTHREAD);
	assert_null(t->mm);
	assert_int_equal(n, 0);
	assert_int_equal(wake_up_process(k, t), 0);
	/* each public call's return is a run point; the clock moves 1000 cycles between */
	for (int i = 0; i < 100 && n < 3; i++) {
		env_advance(&m->env, 1000);
		kmm_task_info(m, t->pid, &ti);
	}
	assert_int_equal(n, 3);
	assert_int_equal(t->__state, TASK_INTERRUPTIBLE);
	/* a kernel thread has no address space for the user API */
	assert_error(kmm_mmap(m, t->pid, 0, PAGE, RW, ANON, -1, 0, &v), KMM_EINVAL,
		     kmm_last_error(m), "is a kernel thread");
	kthread_stop(k, t);
	check(m);
	test_machine_done(m);
}

/*
 * Files: a MAP_SHARED mapping of a file writes through to the file (pread after the store sees
 * it: the page cache is shared), a MAP_PRIVATE one does not (COW); a memfd with F_SEAL_WRITE
 * refuses pwrite with EPERM (memfd_fcntl's rule), and the fd survives fork (dup_fd).
 */
static void test_task_files_shared_and_private_maps(void **state)
{
	struct kmm_machine *m = boot(1);
	kmm_pid_t pid = new_task(m, "f", 0), child = 0;
	uint8_t data[2 * 4096];
	kmm_va_t shared = 0, priv = 0;
	uint64_t v = 0, done = 0;
	int fd = -1, mfd = -1, seals = 0;

	(void)state;
	for (size_t i = 0; i < sizeof(data); i++)
		data[i] = (uint8_t)(i * 7);
	assert_int_equal(kmm_file_create(m, "/data", data, sizeof(data)), KMM_OK);
	assert_int_equal(kmm_file_open(m, pid, "/data", KMM_O_RDWR, &fd), KMM_OK);
	assert_int_equal(fd, 0); /* the lowest free fd of an empty table */
	assert_int_equal(kmm_mmap(m, pid, 0, 2 * PAGE, RW, KMM_MAP_SHARED, fd, 0, &shared), KMM_OK);
	assert_int_equal(kmm_mmap(m, pid, 0, 2 * PAGE, RW, KMM_MAP_PRIVATE, fd, 0, &priv), KMM_OK);
	check(m);
	memcpy(&v, data + 8, 8);
	assert_int_equal(load64(m, pid, shared + 8), v);
	assert_int_equal(load64(m, pid, priv + 8), v);
	store64(m, pid, shared + PAGE, 0x5151);
	store64(m, pid, priv, 0x7777);
	check(m);
	assert_int_equal(kmm_file_pread(m, pid, fd, &v, 8, PAGE, &done), KMM_OK);
	assert_int_equal(done, 8);
	assert_int_equal(v, 0x5151);
	assert_int_equal(kmm_file_pread(m, pid, fd, &v, 8, 0, &done), KMM_OK);
	assert_int_not_equal(v, 0x7777);
	assert_int_equal(kmm_file_fsync(m, pid, fd), KMM_OK);
	assert_int_equal(kmm_task_fork(m, pid, &child), KMM_OK);
	assert_int_equal(kmm_file_pread(m, child, fd, &v, 8, PAGE, &done), KMM_OK);
	assert_int_equal(v, 0x5151);
	assert_int_equal(kmm_memfd_create(m, pid, "buf", KMM_MFD_ALLOW_SEALING, &mfd), KMM_OK);
	assert_int_equal(kmm_file_truncate(m, pid, mfd, PAGE), KMM_OK);
	assert_int_equal(kmm_memfd_add_seals(m, pid, mfd, KMM_F_SEAL_WRITE), KMM_OK);
	assert_int_equal(kmm_memfd_get_seals(m, pid, mfd, &seals), KMM_OK);
	assert_int_equal(seals, KMM_F_SEAL_WRITE);
	assert_error(kmm_file_pwrite(m, pid, mfd, &v, 8, 0, &done), KMM_EPERM, kmm_last_error(m),
		     "kmm_file_pwrite");
	assert_error(kmm_file_close(m, pid, 99), KMM_EBADF, kmm_last_error(m), "fd 99 is not open");
	assert_int_equal(kmm_file_close(m, pid, fd), KMM_OK);
	assert_int_equal(load64(m, pid, shared + PAGE), 0x5151); /* the mapping keeps the file */
	check(m);
	assert_int_equal(kmm_task_exit(m, child, 0), KMM_OK);
	assert_int_equal(kmm_task_exit(m, pid, 0), KMM_OK);
	assert_int_equal(kmm_file_unlink(m, "/data"), KMM_OK);
	test_machine_done(m);
}

/*
 * get_user_pages: a read reference on the parent's page after fork gives the page both
 * share; a write pin from the child breaks COW first (a page of its own, the parent's data
 * copied); a put the host does not hold is refused; a pin outlives the task's exit.
 */
static void test_task_gup_breaks_cow_for_write_pins(void **state)
{
	struct kmm_machine *m = boot(1);
	kmm_pid_t parent = new_task(m, "p", 0), child = 0;
	kmm_va_t va = map(m, parent, PAGE, RW);
	kmm_pfn_t pp = 0, cp = 0;
	uint64_t got = 0;

	(void)state;
	store64(m, parent, va, 0xfeed);
	assert_int_equal(kmm_task_fork(m, parent, &child), KMM_OK);
	assert_int_equal(kmm_get_user_pages(m, parent, va, 1, 0, &pp, &got), KMM_OK);
	assert_int_equal(got, 1);
	assert_int_equal(
		kmm_get_user_pages(m, child, va, 1, KMM_FOLL_WRITE | KMM_FOLL_PIN, &cp, &got),
		KMM_OK);
	assert_int_equal(got, 1);
	assert_int_not_equal(cp, pp);
	assert_int_equal(load64(m, child, va), 0xfeed);
	check(m);
	assert_error(kmm_put_user_page(m, cp, 0), KMM_EINVAL, kmm_last_error(m),
		     "the host holds no reference on it");
	assert_int_equal(kmm_put_user_page(m, pp, 0), KMM_OK);
	assert_error(kmm_put_user_page(m, pp, 0), KMM_EINVAL, kmm_last_error(m),
		     "the host holds no reference on it");
	assert_int_equal(kmm_task_exit(m, child, 0), KMM_OK);
	check(m);
	assert_int_equal(kmm_put_user_page(m, cp, KMM_FOLL_PIN), KMM_OK);
	check(m);
	test_machine_done(m);
}

/*
 * The mm/mman.h calls through the API: mprotect to read-only makes a store SEGV_ACCERR and
 * back to RW lets it through; MADV_DONTNEED drops private anonymous pages (they read zero);
 * mremap with MREMAP_MAYMOVE keeps the bytes (checksum) wherever it moves them; mincore
 * reports the resident pages; mlock/munlock succeed on a mapped range, fail on a hole.
 */
static void test_task_mman_calls(void **state)
{
	struct kmm_machine *m = boot(1);
	kmm_pid_t pid = new_task(m, "mm", 0);
	kmm_va_t va = map(m, pid, 4 * PAGE, RW), nva = 0;
	struct kmm_siginfo si;
	uint8_t vec[4] = {0};
	uint64_t v = 9, sum, done;

	(void)state;
	assert_int_equal(kmm_task_touch(m, pid, KMM_ACCESS_STORE, va, 2 * PAGE, 8, KMM_TOUCH_SEQ,
					0x77, &done),
			 KMM_OK);
	assert_int_equal(kmm_mincore(m, pid, va, 4 * PAGE, vec), KMM_OK);
	assert_int_equal(vec[0] & 1, 1);
	assert_int_equal(vec[1] & 1, 1);
	assert_int_equal(vec[2] & 1, 0);
	sum = checksum(m, pid, va, 4 * PAGE);
	assert_int_equal(kmm_mprotect(m, pid, va, PAGE, KMM_PROT_READ), KMM_OK);
	check(m);
	assert_int_equal(kmm_task_access(m, pid, KMM_ACCESS_STORE, va, &v, 8, &si), KMM_EFAULT);
	assert_int_equal(si.code, KMM_SEGV_ACCERR);
	pid = new_task(m, "mm2", 0); /* the first one is stopped: a fresh task goes on */
	va = map(m, pid, 4 * PAGE, RW);
	assert_int_equal(kmm_task_touch(m, pid, KMM_ACCESS_STORE, va, 2 * PAGE, 8, KMM_TOUCH_SEQ,
					0x77, &done),
			 KMM_OK);
	assert_int_equal(checksum(m, pid, va, 4 * PAGE), sum);
	assert_int_equal(kmm_mprotect(m, pid, va, PAGE, KMM_PROT_READ), KMM_OK);
	assert_int_equal(kmm_mprotect(m, pid, va, PAGE, RW), KMM_OK);
	store64(m, pid, va, 0x77);
	assert_int_equal(kmm_mremap(m, pid, va, 4 * PAGE, 64 * PAGE, KMM_MREMAP_MAYMOVE, 0, &nva),
			 KMM_OK);
	check(m);
	assert_int_equal(checksum(m, pid, nva, 4 * PAGE), sum);
	assert_int_equal(kmm_mlock(m, pid, nva, 4 * PAGE), KMM_OK);
	assert_int_equal(kmm_munlock(m, pid, nva, 4 * PAGE), KMM_OK);
	assert_int_equal(kmm_msync(m, pid, nva, 4 * PAGE, KMM_MS_SYNC), KMM_OK);
	assert_int_equal(kmm_madvise(m, pid, nva, PAGE, KMM_MADV_DONTNEED), KMM_OK);
	assert_int_equal(load64(m, pid, nva), 0);
	assert_int_equal(load64(m, pid, nva + PAGE), 0x77);
	assert_error(kmm_mlock(m, pid, 0x10000000, PAGE), KMM_ENOMEM, kmm_last_error(m), "mlock2");
	assert_error(kmm_mprotect(m, pid, nva + 1, PAGE, KMM_PROT_READ), KMM_EINVAL,
		     kmm_last_error(m), "mprotect(");
	check(m);
	test_machine_done(m);
}

/* ---- bad input ------------------------------------------------------------------------- */

/* A fingerprint of everything a refused call must leave alone. */
static uint64_t fingerprint(struct kmm_machine *m, kmm_pid_t pid)
{
	const char *views[] = {"/proc/meminfo", "/proc/buddyinfo", "/proc/slabinfo"};
	struct kmm_task_info ti = info(m, pid);
	uint64_t h = 0xcbf29ce484222325ULL;

	for (size_t i = 0; i < sizeof(views) / sizeof(views[0]); i++)
		for (const char *s = test_view(m, views[i]); *s; s++)
			h = (h ^ (uint8_t)*s) * 0x100000001b3ULL;
	ti.asid = 0;
	for (size_t i = 0; i < sizeof(ti); i++)
		h = (h ^ ((const uint8_t *)&ti)[i]) * 0x100000001b3ULL;
	return h;
}

static void test_task_bad_input_changes_nothing(void **state)
{
	struct kmm_machine *m = boot(1);
	kmm_pid_t pid = new_task(m, "bad", 0), gone = new_task(m, "gone", 0);
	kmm_va_t va = map(m, pid, 4 * PAGE, RW), out;
	uint64_t fp, v = 0;
	kmm_pid_t child;

	(void)state;
	assert_int_equal(kmm_task_exit(m, gone, 0), KMM_OK);
	fp = fingerprint(m, pid);
	assert_error(kmm_mmap(m, 999, 0, PAGE, RW, ANON, -1, 0, &out), KMM_ESRCH, kmm_last_error(m),
		     "pid 999 does not exist");
	assert_error(kmm_munmap(m, gone, va, PAGE), KMM_ESRCH, kmm_last_error(m),
		     "does not exist or has exited");
	assert_error(kmm_task_fork(m, gone, &child), KMM_ESRCH, kmm_last_error(m), "pid");
	assert_error(kmm_mmap(m, pid, 0, 0, RW, ANON, -1, 0, &out), KMM_EINVAL, kmm_last_error(m),
		     "mmap");
	assert_error(kmm_mmap(m, pid, 0, ~0ULL - 100, RW, ANON, -1, 0, &out), KMM_ENOMEM,
		     kmm_last_error(m), "mmap");
	assert_error(kmm_mmap(m, pid, 0, PAGE, 0x100, ANON, -1, 0, &out), KMM_EINVAL,
		     kmm_last_error(m), "prot 0x100 has bits arm64 does not define");
	assert_error(kmm_mmap(m, pid, 0, PAGE, RW, ANON | 0x40000000, -1, 0, &out), KMM_EINVAL,
		     kmm_last_error(m), "bits the kernel does not define");
	assert_error(kmm_mmap(m, pid, 0xffff000000000000ULL, PAGE, RW, ANON | KMM_MAP_FIXED, -1, 0,
			      &out),
		     KMM_ENOMEM, kmm_last_error(m), "mmap");
	assert_error(kmm_mmap(m, pid, 0x10001, PAGE, RW, ANON | KMM_MAP_FIXED, -1, 0, &out),
		     KMM_EINVAL, kmm_last_error(m), "mmap");
	assert_error(kmm_mmap(m, pid, 0, PAGE, RW, ANON, -1, 0x123, &out), KMM_EINVAL,
		     kmm_last_error(m), "offset 0x123 is not page aligned");
	assert_error(kmm_mmap(m, pid, 0, PAGE, RW, ANON, -1, 0, NULL), KMM_EINVAL,
		     kmm_last_error(m), "NULL out");
	assert_error(kmm_munmap(m, pid, va + 1, PAGE), KMM_EINVAL, kmm_last_error(m), "munmap");
	assert_error(kmm_munmap(m, pid, va, 0), KMM_EINVAL, kmm_last_error(m), "munmap");
	assert_error(kmm_task_access(m, pid, KMM_ACCESS_LOAD, va, &v, 0, NULL), KMM_EINVAL,
		     kmm_last_error(m), "length 0 outside 1..4096");
	assert_error(kmm_task_access(m, pid, 7, va, &v, 8, NULL), KMM_EINVAL, kmm_last_error(m),
		     "bad access type 7");
	assert_error(kmm_task_touch(m, pid, KMM_ACCESS_LOAD, va, 0, 0, KMM_TOUCH_SEQ, 0, NULL),
		     KMM_EINVAL, kmm_last_error(m), "non-empty range");
	assert_error(
		kmm_task_touch(m, pid, KMM_ACCESS_LOAD, va + 3, PAGE, 0, KMM_TOUCH_SEQ, 0, NULL),
		KMM_EINVAL, kmm_last_error(m), "8-byte aligned");
	assert_error(kmm_task_set_cpu(m, pid, 7), KMM_EINVAL, kmm_last_error(m),
		     "CPU 7 does not exist");
	assert_error(kmm_task_create(m, NULL, 0, &child), KMM_EINVAL, kmm_last_error(m),
		     "NULL comm");
	assert_error(kmm_task_create(m, "x", 3, &child), KMM_EINVAL, kmm_last_error(m),
		     "CPU 3 does not exist");
	assert_error(kmm_task_exit(m, pid, 256), KMM_EINVAL, kmm_last_error(m),
		     "exit code 256 outside 0..255");
	assert_error(kmm_task_info(m, gone, &(struct kmm_task_info){0}), KMM_ESRCH,
		     kmm_last_error(m), "has exited");
	assert_int_equal(fingerprint(m, pid), fp);
	check(m);
	test_machine_done(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_task_pids_count_up_from_one),
		cmocka_unit_test(test_task_exec_layout_norandmaps),
		cmocka_unit_test(test_task_exec_maps_the_binary),
		cmocka_unit_test(test_task_exec_faults_in_the_image),
		cmocka_unit_test(test_task_access_faults_in_and_counts),
		cmocka_unit_test(test_task_sigsegv_maperr_stops_task),
		cmocka_unit_test(test_task_write_to_readonly_is_accerr),
		cmocka_unit_test(test_task_fork_cow_isolates_both_ways),
		cmocka_unit_test(test_task_two_tasks_one_cpu_have_their_asids),
		cmocka_unit_test(test_kthread_runs_on_the_event_queue),
		cmocka_unit_test(test_task_files_shared_and_private_maps),
		cmocka_unit_test(test_task_gup_breaks_cow_for_write_pins),
		cmocka_unit_test(test_task_mman_calls),
		cmocka_unit_test(test_task_bad_input_changes_nothing),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
