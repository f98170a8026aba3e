/*
 * libkmm public base types: addresses, status codes, export macro.
 *
 * Every public call that can fail returns enum kmm_status; outputs go through pointer
 * arguments. On any status other than KMM_OK, kmm_last_error() names the rule that failed.
 *
 * Error texts. The text of a refused call names, where they apply:
 *  - the call, first ("kmm_alloc_pages: ..."); the config checks that have no machine and
 *    that kmmsim's command line shares name the config item or option instead ("RAM bank",
 *    "NUMA node 64", "-smp 999"), and scenario errors start NAME:LINE:;
 *  - the argument refused, by its parameter name in the header, with the value given: a
 *    NULL pointer as "NULL <name>" ("NULL buf", "NULL machine", "NULL config"), a number as
 *    "<name> <value>" ("order 11", "node 5", "CPU 9", "pid 31999"): decimal for counts, sizes,
 *    orders, CPUs, nodes, pids and fds, 0x hex for addresses, pfns, handles and flag words;
 *  - the rule it breaks: the bound with its limits ("above MAX_ORDER - 1 (10)", "1..4096")
 *    or the kernel's name for the check ("GFP_ZONE_BAD", "SLAB_FLAGS_PERMITTED",
 *    "pfn_is_map_memory"); a system call also names the kernel's errno ("EINVAL").
 * One cause, one text: a call refused for one reason never lists the others it could have
 * been refused for. Each refused call sets its own text (never a previous call's).
 */
#ifndef KMM_TYPES_H
#define KMM_TYPES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#if defined(KMM_BUILDING_LIBRARY) && defined(__GNUC__)
#define KMM_API __attribute__((visibility("default")))
#else
#define KMM_API
#endif

#ifdef __cplusplus
extern "C" {
#endif

typedef uint64_t kmm_pa_t;  /* simulated physical address */
typedef uint64_t kmm_va_t;  /* simulated virtual address (linear map, vmalloc, user) */
typedef uint64_t kmm_pfn_t; /* page frame number: pa >> KMM_PAGE_SHIFT */

#define KMM_PAGE_SHIFT 12
#define KMM_PAGE_SIZE  ((uint64_t)1 << KMM_PAGE_SHIFT)

/* "Any address": lets the simulator choose (e.g. an early reservation's placement). */
#define KMM_PA_ANY ((kmm_pa_t)-1)

/* X-macro: one table for names, values and descriptions. */
#define KMM_STATUS_LIST(X)                                                                         \
	X(KMM_OK, 0, "success")                                                                    \
	X(KMM_ENOMEM, 1, "out of memory (simulated)")                                              \
	X(KMM_EFAULT, 2, "memory access fault (simulated)")                                        \
	X(KMM_EINVAL, 3, "invalid argument")                                                       \
	X(KMM_EDEAD, 4, "machine is dead")                                                         \
	X(KMM_EBUG, 5, "simulated kernel BUG")                                                     \
	X(KMM_ERANGE, 6, "output buffer too small")                                                \
	X(KMM_ENOENT, 7, "no such object")                                                         \
	X(KMM_ECORRUPT, 8, "invariant check failed")                                               \
	X(KMM_EHOST, 9, "host resource exhausted")                                                 \
	X(KMM_EIO, 10, "host I/O error")                                                           \
	X(KMM_EEXIST, 11, "exists (the kernel's EEXIST)")                                          \
	X(KMM_EPERM, 12, "operation not permitted (the kernel's EPERM)")                           \
	X(KMM_EACCES, 13, "permission denied (the kernel's EACCES)")                               \
	X(KMM_EAGAIN, 14, "try again (the kernel's EAGAIN)")                                       \
	X(KMM_EBADF, 15, "bad file descriptor (the kernel's EBADF)")                               \
	X(KMM_ESRCH, 16, "no such task (the kernel's ESRCH)")                                      \
	X(KMM_EBUSY, 17, "busy (the kernel's EBUSY)")                                              \
	X(KMM_EFBIG, 18, "file too large (the kernel's EFBIG)")                                    \
	X(KMM_ENODEV, 19, "no such device (the kernel's ENODEV)")                                  \
	X(KMM_EOVERFLOW, 20, "value too large (the kernel's EOVERFLOW)")                           \
	X(KMM_ENOSPC, 21, "no space left (the kernel's ENOSPC)")                                   \
	X(KMM_ETXTBSY, 22, "text file busy (the kernel's ETXTBSY)")                                \
	X(KMM_EMFILE, 23, "too many open files (the kernel's EMFILE)")                             \
	X(KMM_ENAMETOOLONG, 24, "file name too long (the kernel's ENAMETOOLONG)")                  \
	X(KMM_EISDIR, 25, "is a directory (the kernel's EISDIR)")

enum kmm_status {
#define KMM_STATUS_ENUM(name, value, text) name = value,
	KMM_STATUS_LIST(KMM_STATUS_ENUM)
#undef KMM_STATUS_ENUM
};

/* Returns a static, human-readable description of @status (never NULL). */
KMM_API const char *kmm_status_str(enum kmm_status status);

/* Returns the symbolic name of @status ("KMM_EINVAL"), or "KMM_E?" for unknown values. */
KMM_API const char *kmm_status_name(enum kmm_status status);

/*
 * The Linux errno (arm64, asm-generic/errno-base.h) a status stands for: KMM_EINVAL -> 22,
 * KMM_ENOMEM -> 12, KMM_EEXIST -> 17, ...; 0 for KMM_OK and for statuses that are not the
 * kernel's (KMM_EDEAD, KMM_EBUG, KMM_ECORRUPT, KMM_EHOST, KMM_ERANGE).
 */
KMM_API int kmm_status_errno(enum kmm_status status);

/*
 * Output sink: every text view and dump writes through one. @text is not NUL-terminated;
 * @len bytes are valid for the duration of the call.
 */
typedef void (*kmm_sink_fn)(void *arg, const char *text, size_t len);

#ifdef __cplusplus
}
#endif

#endif /* KMM_TYPES_H */
