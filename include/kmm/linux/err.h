/*
 * libkmm compat: error values in pointers and addresses (include/linux/err.h): the last
 * MAX_ERRNO values of the address space are -errno, which is how vm_mmap() reports failure.
 */
#ifndef KMM_LINUX_ERR_H
#define KMM_LINUX_ERR_H

#include <kmm/linux/compat.h>

#ifdef __cplusplus
extern "C" {
#endif

#define MAX_ERRNO 4095

#define IS_ERR_VALUE(x) ((unsigned long)(x) >= (unsigned long)-MAX_ERRNO)

static inline void *ERR_PTR(long error)
{
	return (void *)(uintptr_t)error;
}

static inline long PTR_ERR(const void *ptr)
{
	return (long)(intptr_t)ptr;
}

static inline bool IS_ERR(const void *ptr)
{
	return IS_ERR_VALUE((uintptr_t)ptr);
}

static inline bool IS_ERR_OR_NULL(const void *ptr)
{
	return !ptr || IS_ERR(ptr);
}

#ifdef __cplusplus
}
#endif

#endif /* KMM_LINUX_ERR_H */
