/*
 * kmmbench faults: user page faults and task accesses through the full simulated path
 * (the task's CPU, its TLB and walker, do_mem_abort, handle_mm_fault), side by side with the
 * host kernel doing the same work in this process:
 *
 *   anon write      mmap 64 MiB anonymous, one store per page: one minor fault each,
 *                   including the zeroing of the new page (init_on_alloc or the fault's own)
 *   zero-page read  the same with loads: each maps the shared zero page
 *   file read       a 64 MiB file mapped private, one load per page: fault-around maps 16
 *                   pages per fault (fault_around_bytes = 64 KiB) on both sides
 *   COW write       after fork, the parent stores to every page of 64 MiB it had written:
 *                   one copy-on-write fault each
 *   TLB-hit access  8-byte loads over 16 resident pages, round robin: no fault, no walk
 *   fork+exit       fork of a task with 1 GiB touched, and the child's exit
 *   munmap 1 GiB    of 1 GiB touched
 *
 * Host side: mmap/madvise(MADV_NOHUGEPAGE)/fork/munmap of the same sizes in this process
 * (the file is a memfd, so its pages come from the host's shmem, as the capture's tmpfs).
 * The host's forks (COW, fork+exit) run after the simulator's machine is destroyed: a fork
 * with the machine alive would copy the page tables of its RAM (counted against the host)
 * and write-protect that RAM, so that each later simulated write paid a host fault.
 * Simulated time (the cost model's clock, kmm_clock_ns) is reported beside host time.
 * Also the host memory the simulator pays per VMA and per task (kmm_host_mem's charge).
 */
#define _GNU_SOURCE
#include <kmm/kmm.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bench.h"

#define BF_SIZE	   (64ull << 20)
#define BF_PAGES   (BF_SIZE >> 12)
#define BF_BIG	   (1ull << 30)
#define BF_TLB_N   16
#define BF_TLB_OPS 2000000

/* One machine with one task; NULL on failure (printed). */
/* A -m @ram -smp 1 machine charging host memory by @granule ("auto", "4K"), and a task. */
static struct kmm_machine *bf_machine_granule(const char *ram, const char *granule, kmm_pid_t *pid)
{
	struct kmm_config cfg;
	struct kmm_machine *m;

	kmm_config_init(&cfg);
	if (kmm_config_option(&cfg, "-m", ram) || kmm_config_option(&cfg, "-smp", "1") ||
	    kmm_config_option(&cfg, "-host-granule", granule) || kmm_machine_create(&cfg, &m)) {
		fprintf(stderr, "faults: machine: %s\n", kmm_last_error(NULL));
		return NULL;
	}
	if (kmm_task_create(m, "bench", 0, pid)) {
		fprintf(stderr, "faults: task: %s\n", kmm_last_error(m));
		kmm_machine_destroy(m);
		return NULL;
	}
	return m;
}

static struct kmm_machine *bf_machine(const char *ram, kmm_pid_t *pid)
{
	return bf_machine_granule(ram, "auto", pid);
}

static bool bf_fail(struct kmm_machine *m, const char *what)
{
	fprintf(stderr, "faults: %s: %s\n", what, kmm_last_error(m));
	return false;
}

/* Maps @len bytes anonymous private read-write (MADV_NOHUGEPAGE, as the host side). */
static bool bf_map(struct kmm_machine *m, kmm_pid_t pid, uint64_t len, kmm_va_t *va)
{
	if (kmm_mmap(m, pid, 0, len, KMM_PROT_READ | KMM_PROT_WRITE,
		     KMM_MAP_PRIVATE | KMM_MAP_ANONYMOUS, -1, 0, va))
		return bf_fail(m, "mmap");
	if (kmm_madvise(m, pid, *va, len, KMM_MADV_NOHUGEPAGE))
		return bf_fail(m, "madvise");
	return true;
}

/* Times one touch pass over [va, va + len): host ns and simulated ns per page. */
static bool bf_touch(struct kmm_machine *m, kmm_pid_t pid, enum kmm_access type, kmm_va_t va,
		     uint64_t len, double *host_ns, double *sim_ns)
{
	uint64_t t0 = bench_now_ns(), c0 = kmm_clock_ns(m), done = 0;

	if (kmm_task_touch(m, pid, type, va, len, 4096, KMM_TOUCH_SEQ, 0x5a5a5a5a5a5a5a5aull,
			   &done))
		return bf_fail(m, "touch");
	*host_ns = (double)(bench_now_ns() - t0) / (double)(len >> 12);
	*sim_ns = (double)(kmm_clock_ns(m) - c0) / (double)(len >> 12);
	return true;
}

static char *host_map(uint64_t len)
{
	char *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		return NULL;
	madvise(p, len, MADV_NOHUGEPAGE);
	return p;
}

/* ns per page of one store (or load) per page over @p. */
static double host_touch(volatile char *p, uint64_t len, bool write)
{
	uint64_t t0 = bench_now_ns();
	unsigned sum = 0;

	for (uint64_t off = 0; off < len; off += 4096) {
		if (write)
			p[off] = 1;
		else
			sum += (unsigned)p[off];
	}
	(void)sum;
	return (double)(bench_now_ns() - t0) / (double)(len >> 12);
}

static void bf_rows_unit(struct bench *b, const char *what, const char *unit, double *sim,
			 double *simt, double *host, int n)
{
	char metric[96], note[96];
	double ratio[BENCH_MAX_RUNS];

	for (int r = 0; r < n; r++)
		ratio[r] = host[r] / sim[r];
	snprintf(metric, sizeof(metric), "%s: simulator (host time)", what);
	bench_figure(b, metric, unit, sim, n, NULL);
	snprintf(metric, sizeof(metric), "%s: simulated time", what);
	bench_figure(b, metric, unit, simt, n, NULL);
	snprintf(metric, sizeof(metric), "%s: host kernel", what);
	bench_figure(b, metric, unit, host, n, NULL);
	snprintf(metric, sizeof(metric), "%s: host kernel / simulator", what);
	snprintf(note, sizeof(note), "> 1: the simulator is faster");
	bench_figure(b, metric, "x", ratio, n, note);
}

static void bf_rows(struct bench *b, const char *what, double *sim, double *simt, double *host,
		    int n)
{
	bf_rows_unit(b, what, "ns", sim, simt, host, n);
}

/* Anonymous write faults and zero-page read faults. */
static bool bf_anon(struct bench *b)
{
	double sw[BENCH_MAX_RUNS], swt[BENCH_MAX_RUNS], hw[BENCH_MAX_RUNS];
	double sr[BENCH_MAX_RUNS], srt[BENCH_MAX_RUNS], hr[BENCH_MAX_RUNS];
	kmm_pid_t pid;
	struct kmm_machine *m = bf_machine("1G", &pid);

	if (!m)
		return false;
	for (int r = 0; r < b->runs; r++) {
		kmm_va_t va;
		char *p;

		if (!bf_map(m, pid, BF_SIZE, &va) ||
		    !bf_touch(m, pid, KMM_ACCESS_STORE, va, BF_SIZE, &sw[r], &swt[r]) ||
		    kmm_munmap(m, pid, va, BF_SIZE) || !bf_map(m, pid, BF_SIZE, &va) ||
		    !bf_touch(m, pid, KMM_ACCESS_LOAD, va, BF_SIZE, &sr[r], &srt[r]) ||
		    kmm_munmap(m, pid, va, BF_SIZE))
			goto fail;
		p = host_map(BF_SIZE);
		if (!p)
			goto fail;
		hw[r] = host_touch(p, BF_SIZE, true);
		munmap(p, BF_SIZE);
		p = host_map(BF_SIZE);
		if (!p)
			goto fail;
		hr[r] = host_touch(p, BF_SIZE, false);
		munmap(p, BF_SIZE);
	}
	kmm_machine_destroy(m);
	bf_rows(b, "anon write fault", sw, swt, hw, b->runs);
	bf_rows(b, "zero-page read fault", sr, srt, hr, b->runs);
	return true;
fail:
	kmm_machine_destroy(m);
	return false;
}

/* File read faults with fault-around, per page touched. */
static bool bf_file(struct bench *b)
{
	double s[BENCH_MAX_RUNS], st[BENCH_MAX_RUNS], h[BENCH_MAX_RUNS];
	kmm_pid_t pid;
	struct kmm_machine *m = bf_machine("1G", &pid);
	int fd;

	if (!m)
		return false;
	if (kmm_file_create(m, "/bench.dat", NULL, BF_SIZE) ||
	    kmm_file_open(m, pid, "/bench.dat", KMM_O_RDONLY, &fd))
		goto fail;
	for (int r = 0; r < b->runs; r++) {
		kmm_va_t va;
		int hfd;
		char *p;

		if (kmm_mmap(m, pid, 0, BF_SIZE, KMM_PROT_READ, KMM_MAP_PRIVATE, fd, 0, &va) ||
		    !bf_touch(m, pid, KMM_ACCESS_LOAD, va, BF_SIZE, &s[r], &st[r]) ||
		    kmm_munmap(m, pid, va, BF_SIZE))
			goto fail;
		hfd = memfd_create("kmmbench", 0);
		if (hfd < 0) {
			fprintf(stderr, "memfd_create %d\n", hfd);
			goto host_fail;
		}
		if (ftruncate(hfd, (off_t)BF_SIZE) != 0) {
			fprintf(stderr, "ftruncate\n");
			goto host_fail;
		}
		p = mmap(NULL, BF_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, hfd, 0);
		if (p == MAP_FAILED)
			goto host_fail;
		host_touch(p, BF_SIZE, true); /* the file's pages in the host's page cache */
		munmap(p, BF_SIZE);
		p = mmap(NULL, BF_SIZE, PROT_READ, MAP_PRIVATE, hfd, 0);
		if (p == MAP_FAILED)
			goto host_fail;
		h[r] = host_touch(p, BF_SIZE, false);
		munmap(p, BF_SIZE);
		close(hfd);
	}
	kmm_machine_destroy(m);
	bf_rows(b, "file read, fault-around (per page)", s, st, h, b->runs);
	return true;
host_fail:
	perror("faults: host memfd");
	kmm_machine_destroy(m);
	return false;
fail:
	bf_fail(m, "file");
	kmm_machine_destroy(m);
	return false;
}

/* The host's COW: the parent writes every page after fork (the child waits on a pipe). */
static double host_cow(uint64_t len)
{
	char *p = host_map(len);
	int fds[2];
	double ns = -1;
	pid_t child;

	if (!p || pipe(fds))
		return -1;
	host_touch(p, len, true);
	child = fork();
	if (child == 0) {
		char c;

		close(fds[1]);
		if (read(fds[0], &c, 1) < 0)
			_exit(1);
		_exit(0);
	}
	close(fds[0]);
	if (child > 0) {
		ns = host_touch(p, len, true);
		close(fds[1]);
		waitpid(child, NULL, 0);
	}
	munmap(p, len);
	return ns;
}

/* COW faults: the parent writes after fork; the child stays until the end of the pass. */
static bool bf_cow(struct bench *b)
{
	double s[BENCH_MAX_RUNS], st[BENCH_MAX_RUNS], h[BENCH_MAX_RUNS], dummy, dummyt;
	kmm_pid_t pid, child;
	struct kmm_machine *m = bf_machine("1G", &pid);

	if (!m)
		return false;
	for (int r = 0; r < b->runs; r++) {
		kmm_va_t va;

		if (!bf_map(m, pid, BF_SIZE, &va) ||
		    !bf_touch(m, pid, KMM_ACCESS_STORE, va, BF_SIZE, &dummy, &dummyt) ||
		    kmm_task_fork(m, pid, &child) ||
		    !bf_touch(m, pid, KMM_ACCESS_STORE, va, BF_SIZE, &s[r], &st[r]) ||
		    kmm_task_exit(m, child, 0) || kmm_munmap(m, pid, va, BF_SIZE))
			goto fail;
	}
	kmm_machine_destroy(m);
	for (int r = 0; r < b->runs; r++) { /* host forks only once no machine lives */
		h[r] = host_cow(BF_SIZE);
		if (h[r] < 0) {
			fprintf(stderr, "faults: host COW failed\n");
			return false;
		}
	}
	bf_rows(b, "COW write fault", s, st, h, b->runs);
	return true;
fail:
	bf_fail(m, "cow");
	kmm_machine_destroy(m);
	return false;
}

/* TLB-hit task accesses: 8-byte loads round robin over 16 resident pages. */
static bool bf_tlb(struct bench *b)
{
	double s[BENCH_MAX_RUNS], st[BENCH_MAX_RUNS], cpu[BENCH_MAX_RUNS], t[BENCH_MAX_RUNS];
	kmm_pid_t pid;
	struct kmm_machine *m = bf_machine("1G", &pid);
	kmm_va_t va;
	double d0, d1;

	if (!m)
		return false;
	if (!bf_map(m, pid, BF_TLB_N << 12, &va) ||
	    !bf_touch(m, pid, KMM_ACCESS_STORE, va, BF_TLB_N << 12, &d0, &d1))
		goto fail;
	for (int r = 0; r < b->runs; r++) {
		uint64_t t0 = bench_now_ns(), c0 = kmm_clock_ns(m), v;

		for (unsigned i = 0; i < BF_TLB_OPS; i++)
			if (kmm_task_access(m, pid, KMM_ACCESS_LOAD, va + ((i % BF_TLB_N) << 12),
					    &v, sizeof(v), NULL))
				goto fail;
		s[r] = (double)(bench_now_ns() - t0) / BF_TLB_OPS;
		st[r] = (double)(kmm_clock_ns(m) - c0) / BF_TLB_OPS;
		/* The same loads as bare CPU accesses (no task): the task path's own overhead. */
		t0 = bench_now_ns();
		for (unsigned i = 0; i < BF_TLB_OPS; i++)
			if (kmm_cpu_access(m, 0, KMM_ACCESS_LOAD, va + ((i % BF_TLB_N) << 12), &v,
					   sizeof(v), NULL))
				goto fail;
		cpu[r] = (double)(bench_now_ns() - t0) / BF_TLB_OPS;
		/* One kmm_task_touch call: 8-byte loads over the 16 pages, many passes. */
		t0 = bench_now_ns();
		for (unsigned i = 0; i < BF_TLB_OPS / 8192; i++) {
			uint64_t done;

			if (kmm_task_touch(m, pid, KMM_ACCESS_LOAD, va, BF_TLB_N << 12, 8,
					   KMM_TOUCH_SEQ, 0, &done))
				goto fail;
		}
		t[r] = (double)(bench_now_ns() - t0) / (double)(BF_TLB_OPS / 8192 * 8192);
	}
	kmm_machine_destroy(m);
	bench_figure(b, "TLB-hit task access, in kmm_task_touch", "ns", t, b->runs,
		     "target <= 10 ns");
	bench_figure(b, "TLB-hit task access, one kmm_task_access call each", "ns", s, b->runs,
		     "the API boundary per call");
	bench_figure(b, "TLB-hit task access: simulated time", "ns", st, b->runs, NULL);
	bench_figure(b, "TLB-hit bare CPU access (kmm_cpu_access), peer", "ns", cpu, b->runs, NULL);
	return true;
fail:
	bf_fail(m, "tlb");
	kmm_machine_destroy(m);
	return false;
}

/* The host's fork + _exit + waitpid of this process with @p's pages touched. */
static double host_fork_exit(void)
{
	uint64_t t0 = bench_now_ns();
	pid_t child = fork();

	if (child == 0)
		_exit(0);
	if (child < 0)
		return -1;
	waitpid(child, NULL, 0);
	return (double)(bench_now_ns() - t0) / 1e6;
}

/* fork+exit of a task with 1 GiB touched; munmap of that 1 GiB. */
static bool bf_big(struct bench *b)
{
	double sf[BENCH_MAX_RUNS], sft[BENCH_MAX_RUNS], hf[BENCH_MAX_RUNS];
	double su[BENCH_MAX_RUNS], sut[BENCH_MAX_RUNS], hu[BENCH_MAX_RUNS], d0, d1;
	kmm_pid_t pid, child;
	struct kmm_machine *m = bf_machine("2G", &pid);
	int runs = b->runs < 3 ? b->runs : 3;

	if (!m)
		return false;
	for (int r = 0; r < runs; r++) {
		uint64_t t0, c0;
		kmm_va_t va;

		if (!bf_map(m, pid, BF_BIG, &va) ||
		    !bf_touch(m, pid, KMM_ACCESS_STORE, va, BF_BIG, &d0, &d1))
			goto fail;
		t0 = bench_now_ns();
		c0 = kmm_clock_ns(m);
		if (kmm_task_fork(m, pid, &child) || kmm_task_exit(m, child, 0))
			goto fail;
		sf[r] = (double)(bench_now_ns() - t0) / 1e6;
		sft[r] = (double)(kmm_clock_ns(m) - c0) / 1e6;
		t0 = bench_now_ns();
		c0 = kmm_clock_ns(m);
		if (kmm_munmap(m, pid, va, BF_BIG))
			goto fail;
		su[r] = (double)(bench_now_ns() - t0) / 1e6;
		sut[r] = (double)(kmm_clock_ns(m) - c0) / 1e6;
	}
	kmm_machine_destroy(m);
	for (int r = 0; r < runs; r++) { /* host forks only once no machine lives */
		char *p = host_map(BF_BIG);
		uint64_t t0;

		if (!p) {
			fprintf(stderr, "faults: host mmap of 1 GiB failed\n");
			return false;
		}
		host_touch(p, BF_BIG, true);
		hf[r] = host_fork_exit();
		t0 = bench_now_ns();
		munmap(p, BF_BIG);
		hu[r] = (double)(bench_now_ns() - t0) / 1e6;
	}
	bf_rows_unit(b, "fork+exit, 1 GiB touched", "ms", sf, sft, hf, runs);
	bf_rows_unit(b, "munmap 1 GiB touched", "ms", su, sut, hu, runs);
	return true;
fail:
	bf_fail(m, "fork/munmap 1 GiB");
	kmm_machine_destroy(m);
	return false;
}

/* Host memory the simulator pays per VMA (10 000 unmergeable mappings) and per task. */
static bool bf_hostmem(struct bench *b)
{
	double per_vma[BENCH_MAX_RUNS], per_task[BENCH_MAX_RUNS];
	enum { NVMA = 10000, NTASK = 200 };

	for (int r = 0; r < b->runs; r++) {
		kmm_pid_t pid, t;
		/* 4 KiB chunks: the charge of a few objects, not of the 2 MiB chunks they land in
		 */
		struct kmm_machine *m = bf_machine_granule("1G", "4K", &pid);
		uint64_t c0, c1;

		if (!m)
			return false;
		kmm_host_mem(m, &c0, NULL);
		for (unsigned i = 0; i < NVMA; i++) {
			kmm_va_t va;
			/* alternate protections so neighbours never merge */
			int prot = i & 1 ? KMM_PROT_READ : KMM_PROT_READ | KMM_PROT_WRITE;

			if (kmm_mmap(m, pid, 0, 4096, prot, KMM_MAP_PRIVATE | KMM_MAP_ANONYMOUS, -1,
				     0, &va)) {
				kmm_machine_destroy(m);
				return bf_fail(m, "mmap");
			}
		}
		kmm_host_mem(m, &c1, NULL);
		per_vma[r] = (double)(c1 - c0) / NVMA;
		c0 = c1;
		for (unsigned i = 0; i < NTASK; i++)
			if (kmm_task_create(m, "t", 0, &t)) {
				kmm_machine_destroy(m);
				return bf_fail(m, "task");
			}
		kmm_host_mem(m, &c1, NULL);
		per_task[r] = (double)(c1 - c0) / NTASK;
		kmm_machine_destroy(m);
	}
	bench_figure(b, "host memory per VMA (charge)", "B", per_vma, b->runs,
		     "includes the slab pages of vm_area_struct");
	bench_figure(b, "host memory per task, fresh exec (charge)", "B", per_task, b->runs,
		     "mm, tables, VMAs, task_struct");
	return true;
}

int bench_faults(struct bench *b)
{
	if (!bf_anon(b) || !bf_file(b) || !bf_cow(b) || !bf_tlb(b) || !bf_big(b) || !bf_hostmem(b))
		return 1;
	bench_note(b, "simulator side: one task on a -m 1G (2G for 1 GiB rows) -smp 1 machine, "
		      "default CPU; host side: this process, MADV_NOHUGEPAGE, memfd file");
	return 0;
}
