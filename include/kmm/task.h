/*
 * libkmm public API: user space. Tasks and their address spaces, the mmap family of system
 * calls, accesses made by a task through its CPU's MMU (with page faults handled by the
 * kernel), files in an in-memory filesystem, memfd, and get_user_pages.
 *
 * Conventions:
 *  - A task is named by its pid (kmm_pid_t), as in the kernel. A pid that does not exist or
 *    has exited is refused with KMM_ESRCH.
 *  - The system calls return what the kernel returns: KMM_OK, or the kernel's errno as a
 *    status (KMM_EINVAL, KMM_ENOMEM, KMM_EEXIST, KMM_EPERM, KMM_EACCES, KMM_EAGAIN,
 *    KMM_EBADF, ...; kmm_status_errno() gives the Linux errno). A call the kernel refuses
 *    leaves the machine unchanged, and kmm_last_error says which rule refused it. A call
 *    that is malformed as a C call (a NULL output pointer) is KMM_EINVAL with a text saying
 *    so.
 *  - Constants (PROT_*, MAP_*, MADV_*, MREMAP_*, MCL_*, MS_*, F_SEAL_*) have the values of
 *    the arm64 Linux UAPI headers, with a KMM_ prefix.
 *  - An access that the kernel cannot fix (a SIGSEGV or SIGBUS) returns KMM_EFAULT: the
 *    task is stopped with the signal recorded (kmm_task_info), never the host's problem.
 */
#ifndef KMM_TASK_H
#define KMM_TASK_H

#include <kmm/mmu.h>
#include <kmm/types.h>

#ifdef __cplusplus
extern "C" {
#endif

struct kmm_machine;

typedef int32_t kmm_pid_t;

/* ---- constants (asm-generic/mman-common.h, mman.h; linux/mman.h; arm64 values) -------- */

#define KMM_PROT_NONE	   0x0
#define KMM_PROT_READ	   0x1
#define KMM_PROT_WRITE	   0x2
#define KMM_PROT_EXEC	   0x4
#define KMM_PROT_BTI	   0x10
#define KMM_PROT_MTE	   0x20
#define KMM_PROT_GROWSDOWN 0x01000000
#define KMM_PROT_GROWSUP   0x02000000

#define KMM_MAP_SHARED		0x01
#define KMM_MAP_PRIVATE		0x02
#define KMM_MAP_SHARED_VALIDATE 0x03
#define KMM_MAP_FIXED		0x10
#define KMM_MAP_ANONYMOUS	0x20
#define KMM_MAP_GROWSDOWN	0x0100
#define KMM_MAP_DENYWRITE	0x0800
#define KMM_MAP_EXECUTABLE	0x1000
#define KMM_MAP_LOCKED		0x2000
#define KMM_MAP_NORESERVE	0x4000
#define KMM_MAP_POPULATE	0x8000
#define KMM_MAP_NONBLOCK	0x10000
#define KMM_MAP_STACK		0x20000
#define KMM_MAP_HUGETLB		0x40000
#define KMM_MAP_SYNC		0x80000
#define KMM_MAP_FIXED_NOREPLACE 0x100000
#define KMM_MAP_UNINITIALIZED	0x4000000
/* With KMM_MAP_HUGETLB: log2 of the huge page size in bits 26..31 (0: the default size). */
#define KMM_MAP_HUGE_SHIFT 26
#define KMM_MAP_HUGE_MASK  0x3f
#define KMM_MAP_HUGE_64KB  (16 << KMM_MAP_HUGE_SHIFT)
#define KMM_MAP_HUGE_2MB   (21 << KMM_MAP_HUGE_SHIFT)
#define KMM_MAP_HUGE_32MB  (25 << KMM_MAP_HUGE_SHIFT)
#define KMM_MAP_HUGE_1GB   (30 << KMM_MAP_HUGE_SHIFT)

#define KMM_MREMAP_MAYMOVE   1
#define KMM_MREMAP_FIXED     2
#define KMM_MREMAP_DONTUNMAP 4

#define KMM_MADV_NORMAL		 0
#define KMM_MADV_RANDOM		 1
#define KMM_MADV_SEQUENTIAL	 2
#define KMM_MADV_WILLNEED	 3
#define KMM_MADV_DONTNEED	 4
#define KMM_MADV_FREE		 8
#define KMM_MADV_REMOVE		 9
#define KMM_MADV_DONTFORK	 10
#define KMM_MADV_DOFORK		 11
#define KMM_MADV_MERGEABLE	 12
#define KMM_MADV_UNMERGEABLE	 13
#define KMM_MADV_HUGEPAGE	 14
#define KMM_MADV_NOHUGEPAGE	 15
#define KMM_MADV_DONTDUMP	 16
#define KMM_MADV_DODUMP		 17
#define KMM_MADV_WIPEONFORK	 18
#define KMM_MADV_KEEPONFORK	 19
#define KMM_MADV_COLD		 20
#define KMM_MADV_PAGEOUT	 21
#define KMM_MADV_POPULATE_READ	 22
#define KMM_MADV_POPULATE_WRITE	 23
#define KMM_MADV_DONTNEED_LOCKED 24
#define KMM_MADV_COLLAPSE	 25

#define KMM_MLOCK_ONFAULT 0x01
#define KMM_MCL_CURRENT	  1
#define KMM_MCL_FUTURE	  2
#define KMM_MCL_ONFAULT	  4

#define KMM_MS_ASYNC	  1
#define KMM_MS_INVALIDATE 2
#define KMM_MS_SYNC	  4

/* Signals and si_codes a fault can raise (asm-generic/signal.h, siginfo.h). */
#define KMM_SIGBUS	7
#define KMM_SIGSEGV	11
#define KMM_SEGV_MAPERR 1
#define KMM_SEGV_ACCERR 2
#define KMM_BUS_ADRALN	1
#define KMM_BUS_ADRERR	2

/* ---- tasks ---------------------------------------------------------------------------- */

/* What /proc/<pid>/status and the fault path say about a task. */
struct kmm_task_info {
	kmm_pid_t pid, ppid;
	char comm[16];
	unsigned cpu; /* the CPU it runs on */
	char state;   /* 'R', 'S', 'T' (stopped by a fatal signal), 'Z', 'X' */
	int exit_code;
	uint64_t min_flt, maj_flt;
	uint64_t asid; /* the ASID its mm has now (0 before it first ran) */
	struct kmm_siginfo {
		int signo; /* 0: no signal yet */
		int code;  /* KMM_SEGV_MAPERR, KMM_SEGV_ACCERR, KMM_BUS_ADRERR */
		kmm_va_t addr;
		uint64_t esr, far;
	} last_signal;
};

/*
 * Creates a user task named @comm on CPU @cpu and gives it a fresh address space laid out as
 * an exec of a small static binary (text, data, bss, heap, stack, [vvar], [vdso]: see
 * kmm_task_exec). *@pid is its pid.
 */
KMM_API enum kmm_status kmm_task_create(struct kmm_machine *m, const char *comm, unsigned cpu,
					kmm_pid_t *pid);

/* The simulated binary an exec maps (sizes in bytes; 0: the defaults docs/ name). */
struct kmm_exec_image {
	const char *path; /* shown in /proc/<pid>/maps; default "/bin/a.out" */
	uint64_t text_size, rodata_size, data_size, bss_size;
	kmm_va_t load_addr;    /* default 0x400000, as a static arm64 binary */
	uint64_t stack_rlimit; /* RLIMIT_STACK, default 8 MiB */
	bool norandmaps;       /* personality ADDR_NO_RANDOMIZE for this exec */
	/* end of text to the RW segment (VA and file offset), page aligned; default 0xe000 */
	uint64_t rw_gap;
	/* PT_GNU_RELRO: the first @relro_size bytes of the RW segment (page aligned, at most
	 * rodata + data) made read-only by the C library's startup mprotect; default 0 */
	uint64_t relro_size;
	/* the RW segment's file offset (p_offset), page aligned; default its VA - load_addr
	 * (the capture's /bin/faults: 0x8c000 for VA 0x49c000, congruent modulo 64 KiB) */
	uint64_t rw_offset;
};

/* Replaces @pid's address space by a fresh one for @img (NULL: the defaults), as execve does. */
KMM_API enum kmm_status kmm_task_exec(struct kmm_machine *m, kmm_pid_t pid,
				      const struct kmm_exec_image *img);

/* fork(): a child with a copy of @parent's address space (COW), open files and CPU. */
KMM_API enum kmm_status kmm_task_fork(struct kmm_machine *m, kmm_pid_t parent, kmm_pid_t *child);

/* exit(@code) and reap: the address space is torn down (exit_mmap) and the pid freed. */
KMM_API enum kmm_status kmm_task_exit(struct kmm_machine *m, kmm_pid_t pid, int code);

/* Moves @pid to CPU @cpu (it runs there from its next access). */
KMM_API enum kmm_status kmm_task_set_cpu(struct kmm_machine *m, kmm_pid_t pid, unsigned cpu);

KMM_API enum kmm_status kmm_task_info(struct kmm_machine *m, kmm_pid_t pid,
				      struct kmm_task_info *out);

/* ---- the OOM killer ------------------------------------------------------------------- */

/* The SIGKILL the OOM killer sends (its si_code is SI_KERNEL, 0x80). */
#define KMM_SIGKILL	      9
#define KMM_OOM_SCORE_ADJ_MIN (-1000)
#define KMM_OOM_SCORE_ADJ_MAX 1000

/*
 * Writes /proc/<pid>/oom_score_adj: @adj in [KMM_OOM_SCORE_ADJ_MIN, KMM_OOM_SCORE_ADJ_MAX]
 * (else KMM_EINVAL, nothing changed), for @pid and every task sharing its address space.
 * -1000 makes the task unkillable by the OOM killer. A fork inherits the value.
 */
KMM_API enum kmm_status kmm_task_set_oom_score_adj(struct kmm_machine *m, kmm_pid_t pid, int adj);
/* Reads /proc/<pid>/oom_score_adj and /proc/<pid>/oom_score (0..2000; NULL outputs skipped). */
KMM_API enum kmm_status kmm_task_oom_score(struct kmm_machine *m, kmm_pid_t pid, int *adj,
					   unsigned long *score);
/*
 * A task the OOM killer killed exits when it next runs: the access (or touch) that runs it
 * returns KMM_EFAULT with last_signal.signo KMM_SIGKILL, and the pid is gone (reaped, exit
 * code SIGKILL: a shell's status 137). One that is never run again is torn down by the OOM
 * reaper two simulated seconds after the kill (its private memory), and exits at its next
 * call (any kmm_task_* call that runs it), or with kmm_task_exit.
 */

/* ---- accesses ------------------------------------------------------------------------- */

/*
 * A load (KMM_ACCESS_LOAD), store (KMM_ACCESS_STORE) or instruction fetch (KMM_ACCESS_IFETCH)
 * of @len bytes at @va by task @pid at EL0, on its CPU, through that CPU's TLB and table
 * walker. Each abort goes to the kernel's fault handler; the access is retried after a fix.
 * Returns KMM_OK, or KMM_EFAULT when the kernel raised SIGSEGV/SIGBUS on the task (then the
 * task is stopped; the signal and syndrome are in kmm_task_info and in *@fault if non-NULL).
 * @buf receives (LOAD, IFETCH) or supplies (STORE) the bytes; @len 1..KMM_ACCESS_MAX.
 */
KMM_API enum kmm_status kmm_task_access(struct kmm_machine *m, kmm_pid_t pid, enum kmm_access type,
					kmm_va_t va, void *buf, size_t len,
					struct kmm_siginfo *fault);

/* Touch patterns for kmm_task_touch. */
enum kmm_touch_order { KMM_TOUCH_SEQ, KMM_TOUCH_STRIDED, KMM_TOUCH_RANDOM };

/*
 * Touches [@va, @va + @len) of task @pid, one @type access of one word (8 bytes; written
 * with @pattern for stores) at each step of @stride bytes (0: one per page), in @order
 * (random: a seeded permutation). Stops at the first signal (KMM_EFAULT). *@done (if
 * non-NULL) is the number of accesses made.
 */
KMM_API enum kmm_status kmm_task_touch(struct kmm_machine *m, kmm_pid_t pid, enum kmm_access type,
				       kmm_va_t va, uint64_t len, uint64_t stride,
				       enum kmm_touch_order order, uint64_t pattern,
				       uint64_t *done);

/* ---- the mmap family (system calls of task @pid) -------------------------------------- */

KMM_API enum kmm_status kmm_mmap(struct kmm_machine *m, kmm_pid_t pid, kmm_va_t addr, uint64_t len,
				 int prot, int flags, int fd, uint64_t off, kmm_va_t *out);
KMM_API enum kmm_status kmm_munmap(struct kmm_machine *m, kmm_pid_t pid, kmm_va_t addr,
				   uint64_t len);
KMM_API enum kmm_status kmm_mprotect(struct kmm_machine *m, kmm_pid_t pid, kmm_va_t addr,
				     uint64_t len, int prot);
KMM_API enum kmm_status kmm_mremap(struct kmm_machine *m, kmm_pid_t pid, kmm_va_t old_addr,
				   uint64_t old_len, uint64_t new_len, int flags, kmm_va_t new_addr,
				   kmm_va_t *out);
/* brk(@brk): *@out is the new break (the old one if the kernel refused, as brk(2) returns). */
KMM_API enum kmm_status kmm_brk(struct kmm_machine *m, kmm_pid_t pid, kmm_va_t brk, kmm_va_t *out);
KMM_API enum kmm_status kmm_madvise(struct kmm_machine *m, kmm_pid_t pid, kmm_va_t addr,
				    uint64_t len, int advice);
KMM_API enum kmm_status kmm_mlock(struct kmm_machine *m, kmm_pid_t pid, kmm_va_t addr,
				  uint64_t len);
KMM_API enum kmm_status kmm_mlock2(struct kmm_machine *m, kmm_pid_t pid, kmm_va_t addr,
				   uint64_t len, int flags);
KMM_API enum kmm_status kmm_munlock(struct kmm_machine *m, kmm_pid_t pid, kmm_va_t addr,
				    uint64_t len);
KMM_API enum kmm_status kmm_mlockall(struct kmm_machine *m, kmm_pid_t pid, int flags);
KMM_API enum kmm_status kmm_munlockall(struct kmm_machine *m, kmm_pid_t pid);
KMM_API enum kmm_status kmm_msync(struct kmm_machine *m, kmm_pid_t pid, kmm_va_t addr, uint64_t len,
				  int flags);
/* mincore(): one byte per page of [@addr, @addr + @len) into @vec (bit 0: resident). */
KMM_API enum kmm_status kmm_mincore(struct kmm_machine *m, kmm_pid_t pid, kmm_va_t addr,
				    uint64_t len, uint8_t *vec);

/* ---- files (an in-memory filesystem; a task's fds) ------------------------------------ */

#define KMM_O_RDONLY 0x0
#define KMM_O_WRONLY 0x1
#define KMM_O_RDWR   0x2
#define KMM_O_CREAT  0x40
#define KMM_O_TRUNC  0x200

#define KMM_MFD_CLOEXEC		0x1
#define KMM_MFD_ALLOW_SEALING	0x2
#define KMM_F_SEAL_SEAL		0x1
#define KMM_F_SEAL_SHRINK	0x2
#define KMM_F_SEAL_GROW		0x4
#define KMM_F_SEAL_WRITE	0x8
#define KMM_F_SEAL_FUTURE_WRITE 0x10

/*
 * Creates (or replaces) file @path with @size bytes: @data, or zeros if @data is NULL.
 * KMM_EISDIR for "/" or a path ending in '/', KMM_ENAMETOOLONG for 256 bytes or more.
 */
KMM_API enum kmm_status kmm_file_create(struct kmm_machine *m, const char *path, const void *data,
					uint64_t size);
/*
 * Creates (or replaces) the read-only file @path (under /mnt/disk/, the store-backed
 * filesystem) of @size bytes whose contents are kmm_file_generated_bytes(@seed, offset):
 * it costs no host memory per block, its pages are read (and read again after reclaim)
 * from the generator, as from a read-only disk image. Opening it for writing is KMM_EPERM
 * (the kernel's EROFS). KMM_EINVAL for a path outside /mnt/disk/.
 */
KMM_API enum kmm_status kmm_file_create_generated(struct kmm_machine *m, const char *path,
						  uint64_t size, uint64_t seed);
/* The bytes [@off, @off + @len) of a file kmm_file_create_generated made with @seed. */
KMM_API void kmm_file_generated_bytes(uint64_t seed, uint64_t off, void *buf, uint64_t len);
KMM_API enum kmm_status kmm_file_unlink(struct kmm_machine *m, const char *path);
/* open(): *@fd in task @pid's table. */
KMM_API enum kmm_status kmm_file_open(struct kmm_machine *m, kmm_pid_t pid, const char *path,
				      int flags, int *fd);
KMM_API enum kmm_status kmm_file_close(struct kmm_machine *m, kmm_pid_t pid, int fd);
/* pread()/pwrite() through the page cache; *@done is the byte count moved. */
KMM_API enum kmm_status kmm_file_pread(struct kmm_machine *m, kmm_pid_t pid, int fd, void *buf,
				       uint64_t len, uint64_t off, uint64_t *done);
KMM_API enum kmm_status kmm_file_pwrite(struct kmm_machine *m, kmm_pid_t pid, int fd,
					const void *buf, uint64_t len, uint64_t off,
					uint64_t *done);
KMM_API enum kmm_status kmm_file_truncate(struct kmm_machine *m, kmm_pid_t pid, int fd,
					  uint64_t size);
KMM_API enum kmm_status kmm_file_fsync(struct kmm_machine *m, kmm_pid_t pid, int fd);
/* sync(): every dirty page of every file written back, and the disk's writes completed. */
KMM_API enum kmm_status kmm_sync(struct kmm_machine *m);
/*
 * The current CPU idles for @ns of simulated time: kernel threads (the writeback flusher,
 * kswapd) and I/O completions due meanwhile run, each at its time. KMM_EINVAL for more than
 * an hour at once.
 */
KMM_API enum kmm_status kmm_idle(struct kmm_machine *m, uint64_t ns);
KMM_API enum kmm_status kmm_memfd_create(struct kmm_machine *m, kmm_pid_t pid, const char *name,
					 unsigned flags, int *fd);
KMM_API enum kmm_status kmm_memfd_add_seals(struct kmm_machine *m, kmm_pid_t pid, int fd,
					    int seals);
KMM_API enum kmm_status kmm_memfd_get_seals(struct kmm_machine *m, kmm_pid_t pid, int fd,
					    int *seals);

/* ---- get_user_pages ------------------------------------------------------------------- */

#define KMM_FOLL_WRITE	  0x01
#define KMM_FOLL_FORCE	  0x10
#define KMM_FOLL_LONGTERM 0x10000
#define KMM_FOLL_PIN	  0x40000

/*
 * get_user_pages (or, with KMM_FOLL_PIN, pin_user_pages) of @nr pages from @va of task
 * @pid: faults them in as needed (breaking COW for write), takes a reference (or a pin) on
 * each and returns their PFNs in @pfns; *@got is how many. Release each with
 * kmm_put_user_page (with the same @gup_flags).
 */
KMM_API enum kmm_status kmm_get_user_pages(struct kmm_machine *m, kmm_pid_t pid, kmm_va_t va,
					   uint64_t nr, unsigned gup_flags, kmm_pfn_t *pfns,
					   uint64_t *got);
KMM_API enum kmm_status kmm_put_user_page(struct kmm_machine *m, kmm_pfn_t pfn, unsigned gup_flags);

#ifdef __cplusplus
}
#endif

#endif /* KMM_TASK_H */
