/*
 * Open files and fd tables, and the file system calls: open, close, pread, pwrite,
 * ftruncate, fsync, on either filesystem (fs.h).
 *
 * Models: fs/file_table.c (alloc_file, fput, __fput), fs/file.c (struct files_struct,
 *         get_unused_fd_flags, fd_install, close_fd, dup_fd, put_files_struct), fs/open.c
 *         (do_sys_open's mode rules, do_sys_ftruncate, do_truncate), fs/read_write.c
 *         (ksys_pread64, ksys_pwrite64, rw_verify_area), fs/sync.c (vfs_fsync_range),
 *         mm/filemap.c's generic_write_checks (Linux 6.1).
 * Deviations: an fd table does not grow past SYSCALL_NR_OPEN slots (RLIMIT_NOFILE 1024, as
 *         the captures' shell); fput releases at once (no task_work); no O_APPEND/O_DIRECT
 *         semantics beyond the flags being kept; pread/pwrite of more than MAX_RW_COUNT
 *         (INT_MAX & PAGE_MASK) bytes move that many, as the kernel's do.
 *
 * Invariants (file_table_check):
 *  1. Every live struct file is on the file list with f_count > 0, and nr_files counts them.
 *  2. Every file holds a reference on its inode, f_mapping is its inode's mapping, and an
 *     inode's i_writecount equals its files open for writing.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "mm/writeback.h"
#include "fs/fs_internal.h"
#include "mm/internal.h"
#include "mm/shmem.h"
#include "mm/slab.h"

#define MAX_RW_COUNT ((uint64_t)(INT_MAX & PAGE_MASK))

/* A file on the live list: struct file plus its link (file.c's own record). */
struct file_rec {
	struct list_head link;
	struct file file;
};

static struct file_rec *file_rec(struct file *f)
{
	return container_of(f, struct file_rec, file);
}

struct file *alloc_file(struct kmm_kernel *k, struct inode *inode, unsigned int flags)
{
	struct fs_state *fs = k->fs;
	struct kmem_cache *cache = fs_filp_cache(k);
	struct file_rec *rec = cache ? env_alloc(k->env, sizeof(*rec)) : NULL;
	struct file *f;

	if (!rec)
		return NULL;
	f = &rec->file;
	f->f_slab = kmem_cache_alloc(k, cache, GFP_KERNEL);
	if (!f->f_slab) {
		env_free(k->env, rec);
		return NULL;
	}
	f->f_inode = inode;
	f->f_mapping = inode->i_mapping;
	f->f_op = inode->i_sb->s_fops;
	f->f_count = 1;
	f->f_flags = flags;
	file_ra_state_init(&f->f_ra);
	f->f_mode = FMODE_LSEEK;
	if ((flags & O_ACCMODE) != O_WRONLY)
		f->f_mode |= FMODE_READ;
	if ((flags & O_ACCMODE) != O_RDONLY)
		f->f_mode |= FMODE_WRITE;
	if (f->f_mode & FMODE_WRITE)
		inode->i_writecount++;
	list_add_tail(&rec->link, &fs->files);
	fs->nr_files++;
	return f;
}

/* Models: __fput(): the last reference. */
static void __fput(struct kmm_kernel *k, struct file *f)
{
	struct fs_state *fs = k->fs;
	struct inode *inode = f->f_inode;

	if (f->f_op && f->f_op->release)
		f->f_op->release(k, f);
	if (f->f_mode & FMODE_WRITE)
		inode->i_writecount--;
	list_del(&file_rec(f)->link);
	fs->nr_files--;
	kmem_cache_free(k, fs->filp_cachep, f->f_slab);
	env_free(k->env, file_rec(f));
	iput(k, inode);
}

void fput(struct kmm_kernel *k, struct file *f)
{
	if (f && --f->f_count == 0)
		__fput(k, f);
}

char *file_path(const struct file *f, char *buf, size_t len)
{
	const struct inode *inode = f->f_inode;

	snprintf(buf, len, "%s%s", inode->i_name ? inode->i_name : "/",
		 inode->i_nlink ? "" : " (deleted)");
	return buf;
}

void file_table_fini(struct kmm_kernel *k)
{
	struct fs_state *fs = k->fs;

	while (!list_empty(&fs->files)) {
		struct file_rec *rec = list_first_entry(&fs->files, struct file_rec, link);

		list_del(&rec->link);
		env_free(k->env, rec);
	}
	fs->nr_files = 0;
}

bool file_table_check(const struct kmm_kernel *k, char *why, size_t whylen)
{
	const struct fs_state *fs = k->fs;
	const struct list_head *pos;
	unsigned long n = 0;

	for (pos = fs->files.next; pos != &fs->files; pos = pos->next) {
		const struct file *f = &container_of(pos, struct file_rec, link)->file;

		n++;
		if (f->f_count <= 0 || !f->f_inode || f->f_inode->i_count <= 0 ||
		    f->f_mapping != f->f_inode->i_mapping) {
			snprintf(why, whylen, "fs: a file of inode %lu has f_count %d",
				 f->f_inode ? f->f_inode->i_ino : 0, f->f_count);
			return false;
		}
	}
	if (n != fs->nr_files) {
		snprintf(why, whylen, "fs: %lu files counted, %lu on the list", fs->nr_files, n);
		return false;
	}
	/* i_writecount: the files open for writing, per inode. */
	for (const struct inode *inode = fs_next_inode(k, NULL); inode;
	     inode = fs_next_inode(k, inode)) {
		int writers = 0;

		for (pos = fs->files.next; pos != &fs->files; pos = pos->next) {
			const struct file *f = &container_of(pos, struct file_rec, link)->file;

			writers += f->f_inode == inode && (f->f_mode & FMODE_WRITE);
		}
		if (writers != inode->i_writecount) {
			snprintf(why, whylen,
				 "fs: inode %lu i_writecount %d, %d files open to write",
				 inode->i_ino, inode->i_writecount, writers);
			return false;
		}
	}
	return true;
}

/* ---- fd tables --------------------------------------------------------------------- */

struct files_struct *files_alloc(struct kmm_kernel *k)
{
	struct files_struct *files = env_alloc(k->env, sizeof(*files));

	if (!files)
		return NULL;
	files->count = 1;
	return files;
}

/* Grows @files to hold slot @fd. false: host memory (nothing changed). */
static bool expand_files(struct kmm_kernel *k, struct files_struct *files, unsigned int fd)
{
	unsigned int nr = files->max_fds ? files->max_fds : NR_OPEN_DEFAULT;
	struct file **fdt;
	unsigned char *cloexec;

	while (nr <= fd)
		nr *= 2;
	if (nr > SYSCTL_NR_OPEN)
		nr = SYSCTL_NR_OPEN;
	if (nr <= files->max_fds)
		return true;
	fdt = env_alloc(k->env, nr * sizeof(*fdt));
	cloexec = env_alloc(k->env, nr);
	if (!fdt || !cloexec) {
		env_free(k->env, fdt);
		env_free(k->env, cloexec);
		return false;
	}
	if (files->max_fds) {
		memcpy(fdt, files->fd, files->max_fds * sizeof(*fdt));
		memcpy(cloexec, files->cloexec, files->max_fds);
	}
	env_free(k->env, files->fd);
	env_free(k->env, files->cloexec);
	files->fd = fdt;
	files->cloexec = cloexec;
	files->max_fds = nr;
	return true;
}

int fd_install_new(struct kmm_kernel *k, struct files_struct *files, struct file *file,
		   unsigned int o_flags)
{
	unsigned int fd = files->next_fd;

	while (fd < files->max_fds && files->fd[fd])
		fd++;
	if (fd >= SYSCTL_NR_OPEN)
		return -EMFILE;
	if (fd >= files->max_fds && !expand_files(k, files, fd))
		return -ENOMEM;
	files->fd[fd] = file;
	files->cloexec[fd] = (o_flags & O_CLOEXEC) != 0;
	files->next_fd = fd + 1;
	return (int)fd;
}

struct file *files_lookup_fd(const struct files_struct *files, int fd)
{
	if (!files || fd < 0 || (unsigned int)fd >= files->max_fds)
		return NULL;
	return files->fd[fd];
}

int close_fd(struct kmm_kernel *k, struct files_struct *files, int fd)
{
	struct file *f = files_lookup_fd(files, fd);

	if (!f)
		return -EBADF;
	files->fd[fd] = NULL;
	files->cloexec[fd] = 0;
	if ((unsigned int)fd < files->next_fd)
		files->next_fd = (unsigned int)fd;
	fput(k, f);
	return 0;
}

struct files_struct *dup_fd(struct kmm_kernel *k, struct files_struct *old)
{
	struct files_struct *files = files_alloc(k);

	if (!files)
		return NULL;
	if (old->max_fds && !expand_files(k, files, old->max_fds - 1)) {
		env_free(k->env, files);
		return NULL;
	}
	for (unsigned int fd = 0; fd < old->max_fds; fd++) {
		files->fd[fd] = old->fd[fd];
		files->cloexec[fd] = old->cloexec[fd];
		if (files->fd[fd])
			get_file(files->fd[fd]);
	}
	files->next_fd = old->next_fd;
	return files;
}

void put_files_struct(struct kmm_kernel *k, struct files_struct *files)
{
	if (!files || --files->count > 0)
		return;
	for (unsigned int fd = 0; fd < files->max_fds; fd++)
		if (files->fd[fd])
			fput(k, files->fd[fd]);
	env_free(k->env, files->fd);
	env_free(k->env, files->cloexec);
	env_free(k->env, files);
}

/* ---- system calls ------------------------------------------------------------------- */

/* Models: do_truncate() -> notify_change() -> the filesystem's setattr for a size. */
static int do_truncate(struct kmm_kernel *k, struct inode *inode, loff_t size)
{
	if (size < 0)
		return -EINVAL;
	if (size == inode->i_size)
		return 0;
	return inode->i_sb->s_fops->setattr_size(k, inode, size);
}

int filp_open(struct kmm_kernel *k, const char *path, unsigned int flags, struct file **out)
{
	struct inode *inode;
	struct file *f;
	int err = fs_check_path(path);

	if (err)
		return err;
	if ((flags & O_ACCMODE) == O_ACCMODE)
		return -EINVAL;
	inode = fs_lookup(k, path);
	if (!inode) {
		if (!(flags & O_CREAT))
			return -ENOENT;
		err = vfs_create_file(k, path, NULL, 0);
		if (err)
			return err;
		inode = fs_lookup(k, path);
	} else if (kmmfs_inode_generated(inode) &&
		   ((flags & O_ACCMODE) != O_RDONLY || (flags & O_TRUNC))) {
		return -EROFS; /* may_open() on a read-only mount */
	} else if ((flags & O_TRUNC) && (flags & O_ACCMODE) != O_RDONLY) {
		err = do_truncate(k, inode, 0);
		if (err)
			return err;
	}
	ihold(inode);
	f = alloc_file(k, inode, flags);
	if (!f) {
		iput(k, inode);
		return -ENOMEM;
	}
	*out = f;
	return 0;
}

int64_t vfs_pread(struct kmm_kernel *k, struct file *file, void *buf, uint64_t len, loff_t pos)
{
	if (!(file->f_mode & FMODE_READ))
		return -EBADF;
	if (pos < 0 || (len && (uint64_t)pos + min(len, MAX_RW_COUNT) > (uint64_t)INT64_MAX))
		return -EINVAL;
	if (!len)
		return 0;
	return file->f_op->read_iter(k, file, buf, min(len, MAX_RW_COUNT), &pos);
}

int64_t vfs_pwrite(struct kmm_kernel *k, struct file *file, const void *buf, uint64_t len,
		   loff_t pos)
{
	if (!(file->f_mode & FMODE_WRITE))
		return -EBADF;
	if (pos < 0 || (len && (uint64_t)pos + min(len, MAX_RW_COUNT) > (uint64_t)INT64_MAX))
		return -EINVAL;
	if (!len)
		return 0;
	return file->f_op->write_iter(k, file, buf, min(len, MAX_RW_COUNT), &pos);
}

int vfs_ftruncate(struct kmm_kernel *k, struct file *file, loff_t size)
{
	if (size < 0)
		return -EINVAL;
	if (!(file->f_mode & FMODE_WRITE))
		return -EINVAL;
	return do_truncate(k, file_inode(file), size);
}

int vfs_fsync_range(struct kmm_kernel *k, struct file *file, loff_t start, loff_t end, int datasync)
{
	if (!file->f_op->fsync)
		return -EINVAL;
	return file->f_op->fsync(k, file, start, end, datasync);
}
