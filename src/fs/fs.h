/*
 * The in-memory filesystem: a flat namespace of files on two mounted filesystems, and the
 * system calls on them.
 *
 * Models (Linux 6.1): fs/open.c (do_sys_open, do_truncate, vfs_fallocate's size rules),
 *         fs/namei.c (do_unlinkat), fs/read_write.c (kernel_read/kernel_write, pread64,
 *         pwrite64), fs/sync.c (vfs_fsync_range), fs/inode.c (iput, evict), fs/file.c (the
 *         fd table), fs/file_table.c (alloc_file, fput).
 *
 * Mounts (fixed at boot, longest prefix wins):
 *
 * | prefix        | filesystem | pages                                   | like              |
 * |---------------|------------|-----------------------------------------|-------------------|
 * | /             | tmpfs      | swap-backed shmem, anon LRU, Shmem      | the captures' rootfs and
 * /mnt/faults | | /mnt/disk/    | kmmfs      | file LRU, Cached; bytes kept in a store | a disk
 * filesystem |
 *
 * kmmfs keeps each regular file's bytes in a backing store (host memory from the machine's
 * arena, charged to its host-memory budget), so a clean page-cache page can be dropped and
 * read again later (a major fault); tmpfs files have only their page-cache pages.
 *
 * Deviations: no directories (a path is a name: any string that starts with '/', at most
 * PATH_MAX_KMM bytes, no "." or ".." resolution), no permissions or owners, no hard links.
 */
#ifndef KMM_FS_FS_H
#define KMM_FS_FS_H

#include "mm/pagemap.h"
#include "mm/shrinker.h"

#define PATH_MAX_KMM 256

/* Models: struct super_operations: how a filesystem makes and unmakes its inodes. */
struct super_operations {
	/* A new inode (its fs-private struct around it), zeroed but for the fs's own fields. */
	struct inode *(*alloc_inode)(struct kmm_kernel *k, struct super_block *sb);
	/* Drops the pages and store of an inode going away (evict), then frees it. */
	void (*evict_inode)(struct kmm_kernel *k, struct inode *inode);
	void (*free_inode)(struct kmm_kernel *k, struct inode *inode);
};

/* Models: struct super_block: one mounted filesystem. */
struct super_block {
	const char *s_type;	  /* "tmpfs" or "kmmfs" */
	const char *s_mountpoint; /* "/" or "/mnt/disk/" */
	bool s_store_backed;	  /* kmmfs: pages can be dropped and re-read */
	struct kmm_kernel *s_kernel;
	const struct super_operations *s_op;
	const struct file_operations *s_fops;
	const struct address_space_operations *s_aops;
	struct kmem_cache *s_inode_cachep; /* shmem_inode_cache, or kmmfs_inode_cache */
	struct list_head s_inodes;	   /* every live inode (named, open or mapped) */
	unsigned long s_nr_inodes;
	unsigned long s_next_ino;
	unsigned long s_max_blocks;  /* pages the filesystem may hold (-ENOSPC beyond) */
	unsigned long s_used_blocks; /* pages charged to it now */
	/*
	 * The device /proc/<pid>/maps prints as MAJOR:MINOR (major 0: an anonymous device,
	 * get_anon_bdev), set when mounted. The reference guest has rootfs at 00:02 and the
	 * faults workload's fresh tmpfs at 00:17. (Field added by the views helper.)
	 */
	unsigned int s_dev;
	/*
	 * Unused dentries and inodes (kmmfs) and the shrinker that frees them ("sb-kmmfs":
	 * super_cache_count / super_cache_scan). Field group added by the wset helper.
	 */
	struct list_head s_dentry_lru, s_inode_lru;
	unsigned long s_nr_dentry_unused, s_nr_inodes_unused;
	struct shrinker s_shrink;
};

/*
 * Models: get_anon_bdev() / free_anon_bdev(): the device number of a filesystem without a
 * block device (major 0, the lowest free minor from 1), as set_anon_super gives each
 * pseudo filesystem's super block when it is mounted. 0 with *@p = MKDEV(0, minor), or
 * -EMFILE (no minor free). Added by the image helper.
 */
int get_anon_bdev(struct kmm_kernel *k, unsigned int *p);
void free_anon_bdev(struct kmm_kernel *k, unsigned int dev);

/* Sets up the filesystems (boot: shmem_init and the mounts). 0 or -ENOMEM. */
int fs_init(struct kmm_kernel *k);
/* Frees every inode, file and store (machine shutdown; the pages go with the machine). */
void fs_fini(struct kmm_kernel *k);
/* Checks the filesystems' invariants (fs.c's header); false with the reason. */
bool fs_check(const struct kmm_kernel *k, char *why, size_t whylen);

/* shm_mnt: the internal tmpfs mount (no size limit) of memfd and shared anonymous files. */
struct super_block *shm_mnt_sb(struct kmm_kernel *k);

/*
 * Creates file @path with @size bytes (@data, or zeros if NULL), replacing (unlinking) an
 * existing one. 0, or -EINVAL (a bad path), -ENAMETOOLONG, -EFBIG, -ENOMEM, -ENOSPC.
 * Nothing changed on error.
 */
int vfs_create_file(struct kmm_kernel *k, const char *path, const void *data, uint64_t size);

/*
 * Creates the read-only kmmfs file @path of @size bytes whose contents are
 * kmmfs_generated_bytes(@seed, offset): no store, no host memory per block (a file of a
 * read-only disk image, like the filecache workload's squashfs data.bin). Replaces an
 * existing @path. 0, or -EINVAL (a bad path, or not under kmmfs), -EFBIG, -ENOMEM.
 */
int vfs_create_generated(struct kmm_kernel *k, const char *path, uint64_t size, uint64_t seed);
/* The bytes [@off, @off + @len) of a generated file of @seed. */
void kmmfs_generated_bytes(uint64_t seed, uint64_t off, void *buf, uint64_t len);
/* Whether @inode is a generated (read-only) kmmfs file: opening it for writing is -EROFS. */
bool kmmfs_inode_generated(const struct inode *inode);

/* Models: do_unlinkat(): removes the name; the inode lives while open or mapped. 0/-ENOENT. */
int vfs_unlink(struct kmm_kernel *k, const char *path);

/*
 * Models: do_filp_open(): opens @path with O_* @flags (O_CREAT creates an empty file,
 * O_TRUNC truncates). *@out is a new file (one reference). 0, or -ENOENT, -EINVAL, -ENOMEM,
 * -EPERM (O_TRUNC of a sealed memfd is not reachable by path: memfds have no name).
 */
int filp_open(struct kmm_kernel *k, const char *path, unsigned int flags, struct file **out);

/*
 * pread64 / pwrite64 on @file: bytes moved (>= 0) or -errno (-EBADF: not open for it,
 * -EINVAL: a negative offset, -EPERM: a sealed memfd, -EFBIG).
 */
int64_t vfs_pread(struct kmm_kernel *k, struct file *file, void *buf, uint64_t len, loff_t pos);
int64_t vfs_pwrite(struct kmm_kernel *k, struct file *file, const void *buf, uint64_t len,
		   loff_t pos);

/* Models: do_sys_ftruncate(): 0, or -EINVAL (not open for writing, negative), -EPERM (seal). */
int vfs_ftruncate(struct kmm_kernel *k, struct file *file, loff_t size);

/* Models: vfs_fsync_range(): writes back dirty pages of [start, end]. 0 or -EIO. */
int vfs_fsync_range(struct kmm_kernel *k, struct file *file, loff_t start, loff_t end,
		    int datasync);

/*
 * Models: new_inode(): an inode of @sb (i_count 1, not named), with its mapping set up
 * (a_ops, GFP_HIGHUSER_MOVABLE), or NULL (host memory).
 */
struct inode *new_inode(struct kmm_kernel *k, struct super_block *sb, umode_t mode);

/*
 * Models: alloc_file_pseudo() / alloc_file(): a file on @inode (which the file's reference
 * now owns) with O_* @flags, or NULL (host memory; the caller keeps its inode reference).
 */
struct file *alloc_file(struct kmm_kernel *k, struct inode *inode, unsigned int flags);

/* Iterates every live inode of every filesystem: NULL starts, NULL ends. */
const struct inode *fs_next_inode(const struct kmm_kernel *k, const struct inode *prev);

/* The inode named @path, or NULL. */
struct inode *fs_lookup(struct kmm_kernel *k, const char *path);

/* Models: ihold() / iput(): inode references; the last iput of an unlinked inode evicts it. */
void ihold(struct inode *inode);
void iput(struct kmm_kernel *k, struct inode *inode);

/*
 * Models: drop_caches_sysctl_handler(): a write of @value to vm.drop_caches (1 page cache,
 * 2 slab, 3 both, 4 silences later messages). 0, or -EINVAL outside 1..4 (nothing done).
 */
int drop_caches_write(struct kmm_kernel *k, long value);

#endif /* KMM_FS_FS_H */
