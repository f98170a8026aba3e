/*
 * Files as the memory manager sees them: struct inode, struct address_space (a file's page
 * cache), struct file, a task's fd table (struct files_struct), the VMA operations a file
 * mapping gets (struct vm_operations_struct) and the fault descriptor they take (struct
 * vm_fault), with the page-cache calls of mm/filemap.c.
 *
 * Models (Linux 6.1): include/linux/fs.h (struct inode, struct file, struct address_space,
 *         struct file_operations, struct address_space_operations, mapping_map_writable and
 *         friends), include/linux/pagemap.h (FGP_*, AS_*, filemap_* calls),
 *         include/linux/mm.h and mm_types.h (struct vm_fault, struct vm_operations_struct,
 *         enum fault_flag, vm_fault_t and VM_FAULT_*), include/linux/fdtable.h
 *         (struct files_struct).
 * Deviations:
 *  - The index of a mapping (i_pages) is lib/xarray.h, a radix tree with the kernel's three
 *    marks (PAGECACHE_TAG_DIRTY/WRITEBACK/TOWRITE) but no value entries (no shadow entries
 *    for workingset detection yet).
 *  - The i_mmap tree is a list of the VMAs that map the file (vma->shared), in insertion
 *    order; walkers filter by pgoff (docs/fidelity.md).
 *  - Locks (i_rwsem, i_mmap_rwsem, invalidate_lock, the folio lock's waiters) are not
 *    modelled: one thread per machine. PG_locked is still set and cleared where the kernel
 *    does, so a fault handler returns VM_FAULT_LOCKED with the folio locked.
 *  - No dentries and no directories: each inode has at most one name (flat paths,
 *    src/fs/fs.h), and struct file's f_path is that name.
 *  - Every function takes the kernel (there is no global state); the vm_operations keep the
 *    kernel's signatures and find it as vmf->vma->vm_mm->kernel.
 *
 * Who calls what (wave 2):
 *  - the core (mmap.c): file->f_op->mmap(file, vma) from mmap_region; mapping_map_writable()
 *    / mapping_unmap_writable() for VM_SHARED|VM_MAYWRITE file VMAs (that is how a sealed
 *    memfd refuses a writable shared mapping: -EPERM); vma_link_file() / vma_unlink_file()
 *    to put a file VMA on and off mapping->i_mmap; shmem_zero_setup() (mm/shmem.h) for
 *    MAP_SHARED|MAP_ANONYMOUS; get_file()/fput() for vma->vm_file.
 *  - the core (memory.c): do_read_fault / do_cow_fault / do_shared_fault call
 *    vma->vm_ops->fault (filemap_fault, shmem_fault: the folio comes back locked and
 *    referenced in vmf->page, VM_FAULT_LOCKED, plus VM_FAULT_MAJOR when it had to be read),
 *    ->map_pages (fault-around) and ->page_mkwrite (before a shared page becomes writable).
 *    A written shared file PTE (dirty by DBM or by the write fault) is reported with
 *    folio_mark_dirty() when the PTE is zapped or cleaned, as the kernel's zap does.
 *  - what filemap.c needs from the core (memory.h), used once it is on w2:
 *    void do_set_pte(struct vm_fault *vmf, struct page *page, unsigned long addr) (6.1:
 *    installs the PTE at vmf->pte for @addr, old if prefaulted and the CPU has hardware AF,
 *    with rss and page_add_file_rmap; the caller's page reference becomes the PTE's);
 *    unmap_mapping_range(mapping, holebegin, holelen, even_cows) (truncate unmaps every VMA
 *    of the file first). folio_mkclean (rmap.c in the kernel) is filemap.c's own, on the
 *    core's rmap_walk and page_vma_mapped_walk.
 *    ->map_pages contract: the core calls it (do_fault_around) with vmf->pmd pointing at a
 *    pmd entry that holds a PTE table (6.1's do_fault_around preallocates it and
 *    filemap_map_pmd installs it; here the core installs it before the call) and the window
 *    [start_pgoff, end_pgoff] inside that table and the VMA; filemap_map_pages sets vmf->pte
 *    for each page it maps and calls do_set_pte. It returns VM_FAULT_NOPAGE when it mapped
 *    vmf->address (the fault is then done), else 0 and the core goes on to ->fault.
 */
#ifndef KMM_MM_PAGEMAP_H
#define KMM_MM_PAGEMAP_H

#include <errno.h>

#include "arch/arm64/include/asm/pgtable.h"
#include "lib/xarray.h"
#include "mm/gfp.h"
#include "mm/mm.h"
#include "mm/memory.h"
#include "mm/mm_types.h"

struct kmm_kernel;
struct super_block; /* src/fs/fs.h: one mounted filesystem */
struct files_struct;

typedef unsigned long pgoff_t;
typedef int64_t loff_t;
typedef unsigned short umode_t;
typedef unsigned int fmode_t;

/* vm_fault_t, VM_FAULT_* and FAULT_FLAG_* are the core's: mm/memory.h. */

/*
 * Models: struct vm_fault (6.1). Filled by the core's __handle_mm_fault / handle_pte_fault;
 * pmd/pud/pte point into the page tables in simulated RAM (host views, pgtable.h).
 */
struct vm_fault {
	struct vm_area_struct *vma;
	gfp_t gfp_mask;		    /* for allocations: the mapping's gfp (mapping_gfp_mask) */
	pgoff_t pgoff;		    /* the page's offset in the file (linear_page_index) */
	unsigned long address;	    /* the faulting address, page aligned */
	unsigned long real_address; /* the faulting address as the CPU gave it */
	unsigned int flags;	    /* FAULT_FLAG_* */
	pmd_t *pmd;		    /* the pmd entry covering address */
	pud_t *pud;
	union {
		pte_t orig_pte; /* the PTE when the fault was taken */
		pmd_t orig_pmd;
	};
	struct page *cow_page;	   /* do_cow_fault's private copy */
	struct page *page;	   /* ->fault returns the (locked, referenced) page here */
	pte_t *pte;		   /* the PTE for address; NULL until the table exists */
	struct page *prealloc_pte; /* a PTE table page the core allocated for map_pages */
};

/*
 * Models: struct vm_operations_struct (6.1), the members the model's VMAs use. map_pages
 * maps the cached, uptodate pages of [start_pgoff, end_pgoff] around vmf->address without a
 * fault each (fault-around) and returns VM_FAULT_NOPAGE if it mapped vmf->address itself.
 */
struct vm_operations_struct {
	void (*open)(struct vm_area_struct *vma);  /* a copy of the VMA was made (split, fork) */
	void (*close)(struct vm_area_struct *vma); /* the VMA goes away */
	int (*may_split)(struct vm_area_struct *vma, unsigned long addr);
	int (*mremap)(struct vm_area_struct *vma);
	vm_fault_t (*fault)(struct vm_fault *vmf);
	vm_fault_t (*map_pages)(struct vm_fault *vmf, pgoff_t start_pgoff, pgoff_t end_pgoff);
	vm_fault_t (*page_mkwrite)(struct vm_fault *vmf);
	vm_fault_t (*pfn_mkwrite)(struct vm_fault *vmf);
	const char *(*name)(struct vm_area_struct *vma);
};

/* ---- the page cache of one file ----------------------------------------------------------- */

/* Models: the address_space flags (enum mapping_flags, 6.1). */
enum mapping_flags {
	AS_EIO = 0,
	AS_ENOSPC = 1,
	AS_MM_ALL_LOCKS = 2,
	AS_UNEVICTABLE = 3,
	AS_EXITING = 4,
	AS_NO_WRITEBACK_TAGS = 5,
	AS_LARGE_FOLIO_SUPPORT = 6,
};

#define PAGECACHE_TAG_DIRTY	XA_MARK_0
#define PAGECACHE_TAG_WRITEBACK XA_MARK_1
#define PAGECACHE_TAG_TOWRITE	XA_MARK_2

struct address_space;
struct writeback_control;

/*
 * Models: struct address_space_operations: how a filesystem fills and writes its pages.
 * read_folio fills a locked folio from the store (0 or -errno) and marks it uptodate; it may
 * return before the disk is done: folio->private then holds the machine cycles at which the
 * read completes (folio_wait_read waits for it).
 * readahead (6.1's ->readahead) reads @nr locked, new, contiguous folios in one request:
 * each is filled, marked uptodate, stamped with the completion time in folio->private and
 * unlocked.
 * writepage (6.1's contract) gets a locked folio whose dirty bit the caller cleared
 * (folio_clear_dirty_for_io): it starts writeback (folio_start_writeback), submits the I/O
 * and unlocks the folio; writeback ends when the disk completes it (later, on the simulated
 * clock). Returns 0; or AOP_WRITEPAGE_ACTIVATE with the folio redirtied and still locked
 * (it cannot be written now: reclaim activates it); or -errno with the folio unlocked and
 * the error recorded in the mapping (AS_EIO / AS_ENOSPC).
 * dirty_folio marks a folio dirty, returning whether it was clean.
 */
struct address_space_operations {
	int (*read_folio)(struct kmm_kernel *k, struct file *file, struct folio *folio);
	int (*writepage)(struct kmm_kernel *k, struct folio *folio, struct writeback_control *wbc);
	bool (*dirty_folio)(struct kmm_kernel *k, struct address_space *mapping,
			    struct folio *folio);
	void (*readahead)(struct kmm_kernel *k, struct file *file, struct folio **folios,
			  unsigned int nr);
};

/* Models: AOP_WRITEPAGE_ACTIVATE (6.1 value): writepage kept the folio locked and dirty. */
#define AOP_WRITEPAGE_ACTIVATE 0x80000

/* Models: struct writeback_control (the fields the model's writeback reads). */
struct writeback_control {
	long nr_to_write; /* pages still to write in this pass */
	loff_t range_start, range_end;
	int sync_mode; /* WB_SYNC_NONE or WB_SYNC_ALL */
	bool for_reclaim;
	bool for_background, for_kupdate, for_sync;
	bool range_cyclic; /* from the mapping's writeback_index, wrapping to 0 */
};
#define WB_SYNC_NONE 0
#define WB_SYNC_ALL  1

/*
 * Models: struct address_space (6.1). i_pages holds each cached page's folio at its page
 * index (a large folio at every index it covers).
 */
struct address_space {
	struct inode *host;
	struct xarray i_pages;
	gfp_t gfp_mask;	     /* mapping_gfp_mask: GFP_HIGHUSER_MOVABLE for both filesystems */
	int i_mmap_writable; /* VM_SHARED|VM_MAYWRITE VMAs; < 0: writable mappings denied (seal) */
	struct list_head i_mmap; /* the VMAs mapping this file (vma->shared) */
	unsigned long nrpages;	 /* pages cached (all pages of each folio) */
	pgoff_t writeback_index;
	const struct address_space_operations *a_ops;
	unsigned long flags; /* AS_* bits; mapping errors */
};

/* ---- inodes ------------------------------------------------------------------------------ */

#ifndef S_IFMT /* the host's <sys/stat.h> has the same values */
#define S_IFMT	   0170000
#define S_IFREG	   0100000
#define S_ISREG(m) (((m)&S_IFMT) == S_IFREG)
#endif

/*
 * Models: struct inode (6.1), the fields the model keeps. Filesystem-private data follows the
 * kernel's pattern: the inode is embedded in a larger per-filesystem struct
 * (struct shmem_inode_info in mm/shmem.h for tmpfs and memfd; src/fs's store-backed inode
 * keeps the file's bytes), found with container_of.
 * Lifetime: an inode lives while it has a name (i_nlink), an open file, or a VMA mapping it
 * (each struct file holds i_count; VMAs hold their file). iput() of the last count of an
 * unlinked inode frees its pages and its store (evict).
 */
struct inode {
	umode_t i_mode;
	unsigned int i_nlink; /* names: 0 or 1 (flat, src/fs) */
	unsigned long i_ino;
	loff_t i_size;
	int i_count;		/* references: open files, the name's (while linked) */
	int i_writecount;	/* open files with FMODE_WRITE */
	unsigned long i_blocks; /* 512-byte blocks of the store (or of swap-backed pages) */
	struct super_block *i_sb;
	struct address_space *i_mapping; /* &i_data */
	struct address_space i_data;
	char *i_name;	 /* the path it was created with (the flat namespace), for d_path */
	uint64_t i_slab; /* kernel VA of the object in the filesystem's inode slab cache;
			  * 0: a kmmfs inode pruned out of core (its store is the disk) */
	struct list_head i_sb_list; /* on the super block's inodes */
	/* writeback (page-writeback.c): I_DIRTY_PAGES, on the flusher's b_dirty list since */
	unsigned long i_state; /* also I_REFERENCED, I_ON_LRU (src/fs/inode.c "Caches") */
	uint64_t dirtied_when; /* ns of simulated time */
	struct list_head i_io_list;
	/* Reclaimable objects (kmmfs, src/fs/inode.c "Caches"). */
	uint64_t i_dentry;	/* kernel VA of its name's "dentry" object; 0: not cached */
	unsigned int d_flags;	/* the dentry's DCACHE_REFERENCED, DCACHE_LRU_LIST */
	struct list_head i_lru; /* on sb->s_inode_lru (unused, in core, no dentry) */
	struct list_head d_lru; /* the dentry on sb->s_dentry_lru (unused) */
};
#define I_DIRTY_PAGES (1UL << 2)

/*
 * Models: struct file_ra_state (6.1): the window of the last read-ahead, [start, start +
 * size), whose last async_size pages start with the PG_readahead-marked one; ra_pages the
 * maximum (read_ahead_kb / 4); prev_pos the byte after the last one read.
 */
struct file_ra_state {
	pgoff_t start;
	unsigned int size;
	unsigned int async_size;
	unsigned int ra_pages;
	unsigned int mmap_miss;
	loff_t prev_pos;
};

#define I_REFERENCED	  (1UL << 8)  /* 6.1's bit: touched since it went on the LRU */
#define I_ON_LRU	  (1UL << 30) /* model: i_lru is linked */
#define DCACHE_REFERENCED (1u << 6)
#define DCACHE_LRU_LIST	  (1u << 19)

/* ---- open files ------------------------------------------------------------------------- */

/* open flags (arm64 asm-generic/fcntl.h values) and file modes. */
#define O_ACCMODE   00000003
#define O_RDONLY    00000000
#define O_WRONLY    00000001
#define O_RDWR	    00000002
#define O_CREAT	    00000100
#define O_TRUNC	    00001000
#define O_APPEND    00002000
#define O_LARGEFILE 00400000
#define O_CLOEXEC   02000000

#define FMODE_READ  0x1u
#define FMODE_WRITE 0x2u
#define FMODE_LSEEK 0x4u
#define FMODE_EXEC  0x20u

/* Models: struct file_operations: the members the model's filesystems provide. */
struct file_operations {
	int (*mmap)(struct file *file, struct vm_area_struct *vma); /* 0 or -errno */
	int (*fsync)(struct kmm_kernel *k, struct file *file, loff_t start, loff_t end,
		     int datasync);
	/* read_iter/write_iter: bytes moved (>= 0) or -errno; *@pos advances */
	int64_t (*read_iter)(struct kmm_kernel *k, struct file *file, void *buf, uint64_t len,
			     loff_t *pos);
	int64_t (*write_iter)(struct kmm_kernel *k, struct file *file, const void *buf,
			      uint64_t len, loff_t *pos);
	int (*setattr_size)(struct kmm_kernel *k, struct inode *inode, loff_t size);
	void (*release)(struct kmm_kernel *k, struct file *file);
};

/*
 * Models: struct file (6.1). Created by open (src/fs), memfd_create or shmem_zero_setup;
 * shared by the fd tables and VMAs that hold a reference (f_count).
 */
struct file {
	struct inode *f_inode;
	struct address_space *f_mapping;
	const struct file_operations *f_op;
	int f_count;
	unsigned int f_flags; /* O_* given to open */
	fmode_t f_mode;	      /* FMODE_* */
	loff_t f_pos;
	struct file_ra_state f_ra; /* read-ahead state (readahead.c) */
	void *private_data;
	uint64_t f_slab; /* kernel VA of the object in the "filp" slab cache */
};

static inline struct inode *file_inode(const struct file *f)
{
	return f->f_inode;
}

/* Models: get_file(): one more reference to @f; returns @f. */
static inline struct file *get_file(struct file *f)
{
	f->f_count++;
	return f;
}

/* Models: fput(): drops a reference; the last one releases the file (and its inode ref). */
void fput(struct kmm_kernel *k, struct file *f);

/*
 * Models: d_path() of a file: its name, "/memfd:NAME (deleted)", "/dev/zero (deleted)" for a
 * shared anonymous mapping, " (deleted)" appended once unlinked, as /proc/<pid>/maps shows
 * it. Writes at most @len bytes (NUL included); returns @buf.
 */
char *file_path(const struct file *f, char *buf, size_t len);

/* ---- i_mmap and the writable-mapping count (include/linux/fs.h) -------------------------- */

/* 0, or -EPERM when writable shared mappings are denied (a write-sealed memfd). */
static inline int mapping_map_writable(struct address_space *mapping)
{
	if (mapping->i_mmap_writable < 0)
		return -EPERM;
	mapping->i_mmap_writable++;
	return 0;
}

static inline void mapping_unmap_writable(struct address_space *mapping)
{
	mapping->i_mmap_writable--;
}

/* 0, or -EBUSY when a writable shared mapping exists. */
static inline int mapping_deny_writable(struct address_space *mapping)
{
	if (mapping->i_mmap_writable > 0)
		return -EBUSY;
	mapping->i_mmap_writable--;
	return 0;
}

static inline void mapping_allow_writable(struct address_space *mapping)
{
	mapping->i_mmap_writable++;
}

static inline bool mapping_mapped(const struct address_space *mapping)
{
	return !list_empty(&mapping->i_mmap);
}

/* Puts @vma (vm_file set) on its file's i_mmap list / takes it off (vma->shared). */
void vma_link_file(struct vm_area_struct *vma);
void vma_unlink_file(struct vm_area_struct *vma);

/*
 * Models: mapping_can_writeback(): whether dirty pages of @mapping go back to a store (kmmfs:
 * yes, with dirty accounting and page_mkwrite, so vma_wants_writenotify() is true for its
 * shared writable VMAs; tmpfs: no, its shared writable PTEs are writable from the start).
 */
bool mapping_can_writeback(const struct address_space *mapping);

static inline gfp_t mapping_gfp_mask(const struct address_space *mapping)
{
	return mapping->gfp_mask;
}

static inline bool mapping_unevictable(const struct address_space *mapping)
{
	return mapping->flags >> AS_UNEVICTABLE & 1;
}

/* Models: folio_mapping(): the address_space of a page-cache folio, NULL for anon/none. */
static inline struct address_space *folio_mapping(const struct folio *folio)
{
	if ((uintptr_t)folio->mapping & PAGE_MAPPING_FLAGS)
		return NULL;
	return (struct address_space *)folio->mapping;
}

static inline pgoff_t folio_index(const struct folio *folio)
{
	return folio->index;
}

/* Models: linear_page_index(): the file page @address of @vma maps. */
static inline pgoff_t linear_page_index(const struct vm_area_struct *vma, unsigned long address)
{
	return ((address - vma->vm_start) >> PAGE_SHIFT) + vma->vm_pgoff;
}

/* ---- the page cache (mm/filemap.c) --------------------------------------------------------- */

/* __filemap_get_folio flags (6.1 values). */
#define FGP_ACCESSED 0x00000001
#define FGP_LOCK     0x00000002
#define FGP_CREAT    0x00000004
#define FGP_WRITE    0x00000008
#define FGP_NOFS     0x00000010
#define FGP_NOWAIT   0x00000020
#define FGP_FOR_MMAP 0x00000040
#define FGP_HEAD     0x00000080
#define FGP_ENTRY    0x00000100
#define FGP_STABLE   0x00000200

/*
 * Models: __filemap_get_folio(): the folio at @index with a reference taken, or NULL.
 * FGP_CREAT allocates one with @gfp and adds it (not uptodate) if absent; FGP_LOCK returns
 * it locked; FGP_ACCESSED marks it accessed. NULL on allocation failure (nothing changed).
 */
struct folio *__filemap_get_folio(struct kmm_kernel *k, struct address_space *mapping,
				  pgoff_t index, int fgp_flags, gfp_t gfp);

static inline struct folio *filemap_get_folio(struct kmm_kernel *k, struct address_space *mapping,
					      pgoff_t index)
{
	return __filemap_get_folio(k, mapping, index, 0, 0);
}

/*
 * Models: filemap_add_folio(): inserts the locked, new @folio at @index: the cache takes a
 * reference per page, folio->mapping/index are set, NR_FILE_PAGES grows (NR_SHMEM too for a
 * swap-backed folio), and the folio goes to the LRU through the per-CPU batch. Returns 0,
 * -EEXIST (an entry is there: nothing changed) or -ENOMEM.
 */
int filemap_add_folio(struct kmm_kernel *k, struct address_space *mapping, struct folio *folio,
		      pgoff_t index, gfp_t gfp);
/* The same without the LRU (shmem_add_to_page_cache puts its folios on the LRU itself). */
int __filemap_add_folio(struct kmm_kernel *k, struct address_space *mapping, struct folio *folio,
			pgoff_t index);

/*
 * Models: filemap_remove_folio() / delete_from_page_cache(): takes the locked, unmapped
 * @folio out of its mapping, drops the cache's references and the counters (NR_FILE_PAGES,
 * NR_SHMEM, NR_FILE_DIRTY if dirty). The caller's own reference stays.
 */
void filemap_remove_folio(struct kmm_kernel *k, struct folio *folio);
/*
 * Models: __filemap_remove_folio(folio, shadow): the same, leaving @shadow (a value entry
 * from workingset_eviction, or NULL for none) in the folio's slots, as reclaim's
 * __remove_mapping does for a clean file folio. Its marks go with the folio.
 */
void __filemap_remove_folio(struct kmm_kernel *k, struct folio *folio, void *shadow);
/*
 * Models: shmem_delete_from_page_cache(): __filemap_remove_folio's work without its
 * filemap:mm_filemap_delete_from_page_cache event (shmem's swap-out leaves @shadow, the swap
 * entry, in the slot; 6.1 emits no event there).
 */
void shmem_delete_from_page_cache(struct kmm_kernel *k, struct folio *folio, void *shadow);

/*
 * folio_migrate_mapping()'s store (migrate.c): @new takes every slot of @old in @mapping,
 * keeping the dirty/writeback marks. References, counters and flags are the caller's.
 */
void page_cache_replace_folio(struct kmm_kernel *k, struct address_space *mapping,
			      struct folio *old, struct folio *new);

/* Models: filemap_fault(), filemap_map_pages(), filemap_page_mkwrite() (vm_operations). */
vm_fault_t filemap_fault(struct vm_fault *vmf);
vm_fault_t filemap_map_pages(struct vm_fault *vmf, pgoff_t start_pgoff, pgoff_t end_pgoff);
vm_fault_t filemap_page_mkwrite(struct vm_fault *vmf);

/* Models: the folio lock, without waiters (one thread). folio_unlock clears PG_locked. */
static inline void folio_lock(struct folio *folio)
{
	folio_set_locked(folio);
}

static inline void folio_unlock(struct folio *folio)
{
	folio_clear_locked(folio);
}

/*
 * Models: folio_mark_dirty(): through the mapping's dirty_folio (a store-backed file counts
 * NR_FILE_DIRTY, NR_ZONE_WRITE_PENDING and nr_dirtied and tags the index dirty; shmem
 * only sets PG_dirty). Returns true if the folio was clean.
 */
bool folio_mark_dirty(struct kmm_kernel *k, struct folio *folio);
static inline bool set_page_dirty(struct kmm_kernel *k, struct page *page)
{
	return folio_mark_dirty(k, page_folio(page));
}

/*
 * Models: folio_clear_dirty_for_io() (clears PG_dirty and the counters, for writeback),
 * folio_start_writeback() (PG_writeback, NR_WRITEBACK, the writeback tag) and
 * folio_end_writeback() (clears them, nr_written).
 */
bool folio_clear_dirty_for_io(struct kmm_kernel *k, struct folio *folio);
void folio_start_writeback(struct kmm_kernel *k, struct folio *folio);
void folio_end_writeback(struct kmm_kernel *k, struct folio *folio);

/*
 * Models: write_cache_pages(): the dirty folios of @mapping in @wbc's range (or cyclic from
 * writeback_index) cleaned for I/O and handed to ->writepage, until nr_to_write runs out
 * (WB_SYNC_NONE: locked or under-writeback folios skipped; WB_SYNC_ALL: waited for).
 * Returns 0 or the first error (recorded in the mapping's flags).
 */
int write_cache_pages(struct kmm_kernel *k, struct address_space *mapping,
		      struct writeback_control *wbc);

/*
 * Models: filemap_write_and_wait_range() (fsync, msync MS_SYNC): writes back every dirty
 * page of [@start, @end] (bytes, inclusive) and waits for the disk to complete them (the
 * simulated clock runs). Returns 0, -EIO or -ENOSPC (a writeback error, reported once). Pages dirty
 * in PTEs only must have been reported first (the caller's msync walks the PTEs; fsync reports the
 * mapped dirty PTEs through the core when it is linked).
 */
int filemap_write_and_wait_range(struct kmm_kernel *k, struct address_space *mapping, loff_t start,
				 loff_t end);

/*
 * Models: truncate_inode_pages_range(): removes the cached pages wholly inside [@lstart,
 * @lend] (bytes, inclusive) and zeroes the partial pages at the edges. Mapped pages must
 * have been unmapped by the caller (truncate_pagecache does).
 */
void truncate_inode_pages_range(struct kmm_kernel *k, struct address_space *mapping, loff_t lstart,
				loff_t lend);
void truncate_inode_pages(struct kmm_kernel *k, struct address_space *mapping, loff_t lstart);

/*
 * Models: invalidate_mapping_pages(): drops the clean, unlocked, unmapped, not-under-
 * writeback pages of [@start, @end] (page indices) that only the cache references (what
 * reclaim and drop_caches may drop: a store-backed file reads them again). Returns the pages
 * dropped. Dirty, mapped or referenced pages stay.
 */
unsigned long invalidate_mapping_pages(struct kmm_kernel *k, struct address_space *mapping,
				       pgoff_t start, pgoff_t end);

/* Models: truncate_pagecache(): unmaps (every VMA of the file) and drops pages past @newsize. */
void truncate_pagecache(struct kmm_kernel *k, struct inode *inode, loff_t newsize);

/*
 * Page-cache reads and writes of the filesystems (filemap_read / generic_perform_write):
 * bytes moved (>= 0) or -errno; the page cache fills from the store on a miss.
 */
int64_t filemap_read(struct kmm_kernel *k, struct file *file, void *buf, uint64_t len, loff_t *pos);
int64_t generic_perform_write(struct kmm_kernel *k, struct file *file, const void *buf,
			      uint64_t len, loff_t pos);

/* ---- a task's open files (include/linux/fdtable.h, fs/file.c) ----------------------------- */

#define NR_OPEN_DEFAULT 64
#define SYSCTL_NR_OPEN	1024 /* RLIMIT_NOFILE's soft default: fds 0..1023 */

/*
 * Models: struct files_struct: the fd table of one or more tasks (CLONE_FILES shares it;
 * fork copies it with dup_fd).
 */
struct files_struct {
	int count;		/* tasks sharing this table */
	unsigned int max_fds;	/* slots in fd[] */
	struct file **fd;	/* NULL: free */
	unsigned char *cloexec; /* one byte per slot */
	unsigned int next_fd;	/* the lowest possibly free slot */
};

/* A new, empty table (count 1), or NULL (host memory). */
struct files_struct *files_alloc(struct kmm_kernel *k);
/* Models: dup_fd(): a copy for fork; every file gets a reference. NULL on failure. */
struct files_struct *dup_fd(struct kmm_kernel *k, struct files_struct *old);
/* Models: put_files_struct(): drops a task's reference; the last closes every file. */
void put_files_struct(struct kmm_kernel *k, struct files_struct *files);
/*
 * Models: get_unused_fd_flags() + fd_install(): the lowest free fd now holds @file (the
 * caller's reference moves into the table). Returns the fd, or -EMFILE / -ENOMEM.
 */
int fd_install_new(struct kmm_kernel *k, struct files_struct *files, struct file *file,
		   unsigned int o_flags);
/* The file at @fd, no reference taken, or NULL (-EBADF for the caller). */
struct file *files_lookup_fd(const struct files_struct *files, int fd);
/* Models: close_fd(): 0 or -EBADF. */
int close_fd(struct kmm_kernel *k, struct files_struct *files, int fd);

#endif /* KMM_MM_PAGEMAP_H */
