/*
 * msync(2): writing back a range of shared file mappings.
 *
 * MS_SYNC writes back, VMA by VMA, the dirty page-cache pages of every shared file mapping
 * in the range (vfs_fsync_range of the file over the VMA's part of it: the file's fsync, or
 * the page cache's write-and-wait). MS_ASYNC does nothing (6.1 leaves dirty pages to the
 * flusher: the dirty state was already passed to the page when the PTE was made writable,
 * so there is nothing to start), MS_INVALIDATE only checks for locked VMAs. Holes in the
 * range are skipped and reported as -ENOMEM at the end, except that a plain MS_ASYNC stops
 * at the first hole.
 *
 * Models: mm/msync.c (Linux 6.1): sys_msync (vfs_fsync_range is src/fs's).
 * Deviation: none beyond the filesystem's (shmem's fsync does nothing, as noop_fsync).
 *
 * Invariants: none (no state of its own).
 */
#include <errno.h>

#include "fs/fs.h"
#include "mm/kernel.h"
#include "mm/mman.h"
#include "mm/mmap.h"
#include "mm/pagemap.h"

/* Checks of sys_msync before it looks at the VMAs; *@end is the rounded end. */
static int msync_args(unsigned long start, size_t len, int flags, unsigned long *end)
{
	if (flags & ~(MS_ASYNC | MS_INVALIDATE | MS_SYNC))
		return -EINVAL;
	if (start & ~PAGE_MASK)
		return -EINVAL;
	if ((flags & MS_ASYNC) && (flags & MS_SYNC))
		return -EINVAL;
	len = (len + ~PAGE_MASK) & PAGE_MASK;
	*end = start + len;
	if (*end < start)
		return -ENOMEM;
	return 0;
}

int do_msync(struct mm_struct *mm, unsigned long start, size_t len, int flags)
{
	struct vm_area_struct *vma;
	int unmapped_error = 0, error;
	unsigned long end;

	error = msync_args(start, len, flags, &end);
	if (error || end == start)
		return error;
	for (vma = find_vma(mm, start);;) {
		struct file *file;
		loff_t fstart, fend;

		if (!vma)
			return -ENOMEM;
		if (start < vma->vm_start) {
			if (flags == MS_ASYNC)
				return -ENOMEM;
			start = vma->vm_start;
			if (start >= end)
				return -ENOMEM;
			unmapped_error = -ENOMEM;
		}
		if ((flags & MS_INVALIDATE) && (vma->vm_flags & VM_LOCKED))
			return -EBUSY;
		file = vma->vm_file;
		fstart = (loff_t)(start - vma->vm_start) + ((loff_t)vma->vm_pgoff << PAGE_SHIFT);
		fend = fstart + (loff_t)((end < vma->vm_end ? end : vma->vm_end) - start) - 1;
		start = vma->vm_end;
		if ((flags & MS_SYNC) && file && (vma->vm_flags & VM_SHARED)) {
			error = vfs_fsync_range(mm->kernel, file, fstart, fend, 1);
			if (error || start >= end)
				return error ? error : unmapped_error;
			vma = find_vma(mm, start);
		} else {
			if (start >= end)
				return unmapped_error;
			vma = vma->vm_next;
		}
	}
}
