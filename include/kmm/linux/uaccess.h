/*
 * libkmm compat: copying to and from the current task's memory (include/linux/uaccess.h).
 * Each copy goes through the task's CPU and MMU as its own loads and stores would (arm64's
 * uaccess uses the unprivileged LDTR/STTR, so EL0's permissions apply), faulting pages in.
 * The return is the number of bytes NOT copied (0: all), as the kernel's.
 *
 * Deviation: the kernel fixes a fault it cannot handle through the exception table and the
 * task lives on; here each page is first faulted in with get_user_pages (no signal when that
 * fails), and the copy stops at the first page that cannot be reached, so the task is never
 * killed by a copy.
 */
#ifndef KMM_LINUX_UACCESS_H
#define KMM_LINUX_UACCESS_H

#include <kmm/linux/mm.h>

#ifdef __cplusplus
extern "C" {
#endif

/* access_ok(): the range lies below TASK_SIZE (arm64's __access_ok). */
static inline bool access_ok(const void __user *addr, unsigned long size)
{
	unsigned long a = (unsigned long)(uintptr_t)addr;

	return size <= TASK_SIZE && a <= TASK_SIZE - size;
}

/* @n bytes between user @uaddr and host @buf (@buf NULL with a store: zeros). */
static inline unsigned long kmm_linux_uaccess(const char *fn, enum kmm_access type,
					      unsigned long uaddr, void *buf, unsigned long n)
{
	const struct kmm_linux_current *c = kmm_linux_current(fn, true);
	unsigned int foll = type == KMM_ACCESS_STORE ? FOLL_WRITE : 0;
	unsigned long done = 0;
	char zeros[256];

	if (!c || !access_ok((const void *)(uintptr_t)uaddr, n))
		return n;
	memset(zeros, 0, sizeof(zeros));
	while (done < n) {
		unsigned long va = uaddr + done, chunk = PAGE_SIZE - (va & ~PAGE_MASK);
		kmm_pfn_t pfn;
		uint64_t got = 0;

		if (chunk > n - done)
			chunk = n - done;
		if (!buf && chunk > sizeof(zeros))
			chunk = sizeof(zeros);
		if (kmm_get_user_pages(c->machine, c->pid, va & PAGE_MASK, 1, foll, &pfn, &got) ||
		    got != 1)
			break;
		kmm_put_user_page(c->machine, pfn, foll);
		if (kmm_task_access(c->machine, c->pid, type, va, buf ? (char *)buf + done : zeros,
				    chunk, NULL) != KMM_OK)
			break;
		done += chunk;
	}
	return n - done;
}

static inline unsigned long copy_to_user(void __user *to, const void *from, unsigned long n)
{
	return kmm_linux_uaccess("copy_to_user", KMM_ACCESS_STORE, (unsigned long)(uintptr_t)to,
				 (void *)(uintptr_t)from, n);
}

static inline unsigned long copy_from_user(void *to, const void __user *from, unsigned long n)
{
	unsigned long left = kmm_linux_uaccess("copy_from_user", KMM_ACCESS_LOAD,
					       (unsigned long)(uintptr_t)from, to, n);

	if (left) /* the kernel zeroes what it could not copy */
		memset((char *)to + (n - left), 0, left);
	return left;
}

static inline unsigned long clear_user(void __user *to, unsigned long n)
{
	return kmm_linux_uaccess("clear_user", KMM_ACCESS_STORE, (unsigned long)(uintptr_t)to, NULL,
				 n);
}

#ifdef __cplusplus
}
#endif

#endif /* KMM_LINUX_UACCESS_H */
