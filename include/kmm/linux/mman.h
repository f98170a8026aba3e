/*
 * libkmm compat: the mmap family's constants by their UAPI names (asm-generic/mman-common.h,
 * linux/mman.h; arm64 values). Each is defined only if the host has not defined it (a host's
 * <sys/mman.h> may come first or later: the replacement texts are glibc's, so a later
 * <sys/mman.h> redefines them identically); either way a static assertion below insists that
 * the value is the kernel's, so a host whose <sys/mman.h> disagrees (not Linux) fails to
 * compile instead of mapping the wrong thing.
 */
#ifndef KMM_LINUX_MMAN_H
#define KMM_LINUX_MMAN_H

#include <kmm/linux/compat.h>

#ifndef PROT_NONE
#define PROT_NONE 0x0
#endif
#ifndef PROT_READ
#define PROT_READ 0x1
#endif
#ifndef PROT_WRITE
#define PROT_WRITE 0x2
#endif
#ifndef PROT_EXEC
#define PROT_EXEC 0x4
#endif
#ifndef MAP_SHARED
#define MAP_SHARED 0x01
#endif
#ifndef MAP_PRIVATE
#define MAP_PRIVATE 0x02
#endif
#ifndef MAP_SHARED_VALIDATE
#define MAP_SHARED_VALIDATE 0x03
#endif
#ifndef MAP_FIXED
#define MAP_FIXED 0x10
#endif
#ifndef MAP_ANONYMOUS
#define MAP_ANONYMOUS 0x20
#endif
#ifndef MAP_GROWSDOWN
#define MAP_GROWSDOWN 0x00100
#endif
#ifndef MAP_LOCKED
#define MAP_LOCKED 0x02000
#endif
#ifndef MAP_NORESERVE
#define MAP_NORESERVE 0x04000
#endif
#ifndef MAP_POPULATE
#define MAP_POPULATE 0x08000
#endif
#ifndef MAP_STACK
#define MAP_STACK 0x20000
#endif
#ifndef MAP_FIXED_NOREPLACE
#define MAP_FIXED_NOREPLACE 0x100000
#endif
#ifndef MREMAP_MAYMOVE
#define MREMAP_MAYMOVE 1
#endif
#ifndef MREMAP_FIXED
#define MREMAP_FIXED 2
#endif
#ifndef MREMAP_DONTUNMAP
#define MREMAP_DONTUNMAP 4
#endif
#ifndef MLOCK_ONFAULT
#define MLOCK_ONFAULT 1U
#endif
#ifndef MCL_CURRENT
#define MCL_CURRENT 1
#endif
#ifndef MCL_FUTURE
#define MCL_FUTURE 2
#endif
#ifndef MCL_ONFAULT
#define MCL_ONFAULT 4
#endif
#ifndef MS_ASYNC
#define MS_ASYNC 1
#endif
#ifndef MS_INVALIDATE
#define MS_INVALIDATE 2
#endif
#ifndef MS_SYNC
#define MS_SYNC 4
#endif
#ifndef MADV_NORMAL
#define MADV_NORMAL 0
#endif
#ifndef MADV_WILLNEED
#define MADV_WILLNEED 3
#endif
#ifndef MADV_DONTNEED
#define MADV_DONTNEED 4
#endif
#ifndef MADV_FREE
#define MADV_FREE 8
#endif

_Static_assert(PROT_NONE == KMM_PROT_NONE && PROT_READ == KMM_PROT_READ &&
		       PROT_WRITE == KMM_PROT_WRITE && PROT_EXEC == KMM_PROT_EXEC,
	       "the host's PROT_* are not the kernel's");
_Static_assert(MAP_SHARED == KMM_MAP_SHARED && MAP_PRIVATE == KMM_MAP_PRIVATE &&
		       MAP_SHARED_VALIDATE == KMM_MAP_SHARED_VALIDATE &&
		       MAP_FIXED == KMM_MAP_FIXED && MAP_ANONYMOUS == KMM_MAP_ANONYMOUS &&
		       MAP_GROWSDOWN == KMM_MAP_GROWSDOWN && MAP_LOCKED == KMM_MAP_LOCKED &&
		       MAP_NORESERVE == KMM_MAP_NORESERVE && MAP_POPULATE == KMM_MAP_POPULATE &&
		       MAP_STACK == KMM_MAP_STACK && MAP_FIXED_NOREPLACE == KMM_MAP_FIXED_NOREPLACE,
	       "the host's MAP_* are not the kernel's");
_Static_assert(MREMAP_MAYMOVE == KMM_MREMAP_MAYMOVE && MREMAP_FIXED == KMM_MREMAP_FIXED &&
		       MADV_NORMAL == KMM_MADV_NORMAL && MADV_WILLNEED == KMM_MADV_WILLNEED &&
		       MADV_DONTNEED == KMM_MADV_DONTNEED && MADV_FREE == KMM_MADV_FREE,
	       "the host's MREMAP_*/MADV_* are not the kernel's");
_Static_assert(MREMAP_DONTUNMAP == KMM_MREMAP_DONTUNMAP && MLOCK_ONFAULT == KMM_MLOCK_ONFAULT &&
		       MCL_CURRENT == KMM_MCL_CURRENT && MCL_FUTURE == KMM_MCL_FUTURE &&
		       MCL_ONFAULT == KMM_MCL_ONFAULT && MS_ASYNC == KMM_MS_ASYNC &&
		       MS_INVALIDATE == KMM_MS_INVALIDATE && MS_SYNC == KMM_MS_SYNC,
	       "the host's MCL_*/MS_* are not the kernel's");

#endif /* KMM_LINUX_MMAN_H */
