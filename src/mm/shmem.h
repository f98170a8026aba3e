/*
 * tmpfs and memfd: files whose pages live only in the page cache (swap-backed, on the anon
 * LRU lists, counted in NR_SHMEM and the Shmem line), the shared anonymous mappings built on
 * them, and memfd_create with its seals.
 *
 * Models (Linux 6.1): include/linux/shmem_fs.h (struct shmem_inode_info, SHMEM_I,
 *         shmem_zero_setup, shmem_mapping, vma_is_shmem), mm/memfd.c (memfd_create,
 *         memfd_fcntl: F_ADD_SEALS, F_GET_SEALS), include/uapi/linux/fcntl.h (F_SEAL_*).
 */
#ifndef KMM_MM_SHMEM_H
#define KMM_MM_SHMEM_H

#include "mm/pagemap.h"

/* Seals (include/uapi/linux/fcntl.h) and the fcntl commands that set and read them. */
#define F_LINUX_SPECIFIC_BASE 1024
#define F_ADD_SEALS	      (F_LINUX_SPECIFIC_BASE + 9)
#define F_GET_SEALS	      (F_LINUX_SPECIFIC_BASE + 10)
#define F_SEAL_SEAL	      0x0001
#define F_SEAL_SHRINK	      0x0002
#define F_SEAL_GROW	      0x0004
#define F_SEAL_WRITE	      0x0008
#define F_SEAL_FUTURE_WRITE   0x0010
#define F_ALL_SEALS	      (F_SEAL_SEAL | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE | F_SEAL_FUTURE_WRITE)

/* memfd_create flags (include/uapi/linux/memfd.h). */
#define MFD_CLOEXEC	  0x0001u
#define MFD_ALLOW_SEALING 0x0002u
#define MFD_HUGETLB	  0x0004u
#define MFD_NAME_MAX	  249 /* NAME_MAX - strlen("memfd:") */

/*
 * Models: struct shmem_inode_info: a tmpfs inode. seals: F_SEAL_* (a file that does not allow
 * sealing is born with F_SEAL_SEAL); alloced: pages allocated to the file (each is in the
 * page cache or in swap, given back lazily by shmem_recalc_inode); swapped: pages in swap (a
 * swap entry in their page-cache slot).
 */
struct shmem_inode_info {
	unsigned int seals;
	unsigned long alloced;
	unsigned long swapped;
	unsigned int flags; /* VM_NORESERVE-like reservations: unused in the model */
	struct inode vfs_inode;
};

static inline struct shmem_inode_info *SHMEM_I(struct inode *inode)
{
	return container_of(inode, struct shmem_inode_info, vfs_inode);
}

/* Whether @mapping is a tmpfs file's (its pages are shmem: swap-backed, NR_SHMEM). */
bool shmem_mapping(const struct address_space *mapping);

/* Models: vma_is_shmem(): a VMA mapping a tmpfs file (MAP_SHARED|MAP_ANONYMOUS included). */
static inline bool vma_is_shmem(const struct vm_area_struct *vma)
{
	return vma->vm_file && shmem_mapping(vma->vm_file->f_mapping);
}

/*
 * Models: shmem_zero_setup(): turns a MAP_SHARED|MAP_ANONYMOUS @vma (no file yet) into a
 * mapping of a new unlinked tmpfs file of the VMA's size, named "/dev/zero (deleted)" in
 * maps: vma->vm_file holds the file, vm_ops are shmem's. The caller's mmap_region links the
 * VMA into the file's i_mmap as for any file VMA. Returns 0 or -ENOMEM (nothing changed).
 */
int shmem_zero_setup(struct vm_area_struct *vma);

/*
 * Models: shmem_file_setup(): a new unlinked tmpfs file of @size bytes named @name (the
 * caller's reference), or NULL with *@err set (-ENOMEM, -EINVAL).
 */
struct file *shmem_file_setup(struct kmm_kernel *k, const char *name, loff_t size, int *err);

/* Models: shmem_fault(): the vm_operations fault of tmpfs (the page allocated zeroed). */
vm_fault_t shmem_fault(struct vm_fault *vmf);

/*
 * Models: the memfd_create() syscall (named sys_memfd_create here: the bare name is libc's, and
 * a host linking libkmm.a would call ours). A tmpfs file named "memfd:@name", installed in
 * @files with O_RDWR|O_LARGEFILE (and O_CLOEXEC with MFD_CLOEXEC). Returns the fd, or -EINVAL
 * (unknown flags, MFD_HUGETLB, a name too long), -EMFILE, -ENOMEM. Nothing changed on error.
 */
int sys_memfd_create(struct kmm_kernel *k, struct files_struct *files, const char *name,
		     unsigned int flags);

/*
 * Models: memfd_fcntl(): F_ADD_SEALS adds the seals in @arg and returns 0, or -EINVAL
 * (unknown seal bits, not a tmpfs file), -EPERM (F_SEAL_SEAL is set, or the file is not open
 * for writing), -EBUSY (F_SEAL_WRITE while a writable shared mapping exists); F_GET_SEALS
 * returns the seals (-EINVAL for a file that is not tmpfs). Other commands: -EINVAL.
 */
int memfd_fcntl(struct kmm_kernel *k, struct file *file, unsigned int cmd, unsigned long arg);

/*
 * The seals of @file (F_SEAL_*), 0 for a file that is not a memfd/tmpfs file: what the
 * core's mmap and mprotect look at (is_readonly_sealed: a write-sealed file mapped
 * MAP_SHARED read-only loses VM_MAYWRITE).
 */
unsigned int memfd_file_seals(const struct file *file);

/*
 * Models: shmem_fallocate(FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE): the bytes [@offset,
 * @offset + @len) of tmpfs file @inode become a hole: whole pages leave the file (their PTEs
 * zapped, COW copies kept; swapped ones free their slots), partial ones are zeroed there.
 * 0, -EINVAL (bad range), -EPERM (write-sealed), -ENOMEM/-EIO (a partial page in swap could
 * not come back: nothing changed past the unmap).
 */
int shmem_punch_hole(struct kmm_kernel *k, struct inode *inode, loff_t offset, loff_t len);

/*
 * Models: shmem_unuse(): swapoff's tmpfs part: every tmpfs page swapped to device @type is
 * read back into its file (the slots freed). 0, or -ENOMEM/-EIO (what came back stays back).
 */
int shmem_unuse(struct kmm_kernel *k, unsigned int type);

/*
 * Models: force_shm_swapin_readahead() (madvise.c): the swapped-out pages of @mapping at
 * indices @start..@end are read into the swap cache (they stay in swap until touched).
 */
void shmem_willneed(struct kmm_kernel *k, struct address_space *mapping, pgoff_t start,
		    pgoff_t end);

/* Models: shmem_partial_swap_usage(): bytes of @mapping's pages in [@start, @end) in swap. */
unsigned long shmem_partial_swap_usage(const struct address_space *mapping, pgoff_t start,
				       pgoff_t end);

/* Models: shmem_swap_usage(): bytes of the tmpfs file @vma maps that are in swap (smaps). */
unsigned long shmem_swap_usage(const struct vm_area_struct *vma);

/*
 * Models: smaps_pte_hole_lookup() over a private writable tmpfs mapping: bytes of the pages
 * of @vma from @start whose PTE is empty and whose file page is in swap.
 */
unsigned long shmem_swap_holes(const struct vm_area_struct *vma, unsigned long start);

/*
 * The tmpfs part of fs_check for @inode: its swap entries (tmpfs owns each slot) against
 * info->swapped, and alloced against the pages cached or swapped. False with @why filled.
 */
bool shmem_check_inode(const struct kmm_kernel *k, const struct inode *inode, char *why,
		       size_t whylen);

#endif /* KMM_MM_SHMEM_H */
