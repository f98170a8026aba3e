/*
 * What the files of src/fs and mm/shmem.c share: the filesystems' state (hung off struct
 * kmm_kernel by one pointer) and the helpers they call in each other.
 */
#ifndef KMM_FS_FS_INTERNAL_H
#define KMM_FS_FS_INTERNAL_H

#include "fs/fs.h"
#include "mm/kernel.h"

/*
 * The super blocks: tmpfs mounted at / (half of RAM, as a default tmpfs mount), the kmmfs
 * disk, and shm_mnt, the kernel's internal tmpfs mount (shmem_init's kern_mount: no size
 * limit) holding shared anonymous memory and memfd files.
 */
enum { FS_TMPFS, FS_KMMFS, FS_SHM, FS_NR_MOUNTS };

/* get_anon_bdev's minors: 1..255 (the kernel's ida goes to 2^20 - 1) */
#define ANON_DEV_WORDS 4

struct fs_state {
	struct super_block sb[FS_NR_MOUNTS];
	struct kmem_cache *filp_cachep;
	struct inode **names; /* sorted by i_name */
	unsigned long nr_names, names_cap;
	struct list_head files; /* every live struct file (file.c) */
	unsigned long nr_files;
	int drop_caches_stfu;		    /* drop_caches.c: bit 4 was written, no more messages */
	struct kmem_cache *dentry_cachep;   /* "dentry": kmmfs names' cached dentries */
	uint64_t anon_devs[ANON_DEV_WORDS]; /* get_anon_bdev: bit m set = minor m in use */
};

/* inode.c */
struct super_block *fs_sb_of_path(struct kmm_kernel *k, const char *path);
int fs_check_path(const char *path);
/* The "filp" slab cache, created on first use; NULL if it cannot be. */
struct kmem_cache *fs_filp_cache(struct kmm_kernel *k);
/* Names @inode @path (absent); the name takes an inode reference. 0, -EEXIST or -ENOMEM. */
int fs_link_name(struct kmm_kernel *k, struct inode *inode, const char *path);
int kmmfs_fill_store(struct kmm_kernel *k, struct inode *inode, const void *data, uint64_t size);
void kmmfs_truncate_store(struct kmm_kernel *k, struct inode *inode, loff_t size);

/* file.c: the list of live files (for the check and shutdown). */
void file_table_fini(struct kmm_kernel *k);
bool file_table_check(const struct kmm_kernel *k, char *why, size_t whylen);

/* mm/shmem.c */
int shmem_init(struct kmm_kernel *k, struct super_block *sb);
/*
 * Fills the new tmpfs @inode with @size bytes: @data written through the page cache
 * (dirty, uptodate pages), or a hole of that size if @data is NULL. 0, -ENOSPC or -ENOMEM.
 */
int shmem_fill_new(struct kmm_kernel *k, struct inode *inode, const void *data, uint64_t size);

/* Whether any of @n bytes at @p is not zero. */
static inline bool memchr_nonzero(const uint8_t *p, uint64_t n)
{
	for (uint64_t i = 0; i < n; i++)
		if (p[i])
			return true;
	return false;
}

#endif /* KMM_FS_FS_INTERNAL_H */
