/*
 * Helpers for the page-cache and tmpfs tests: a machine, the node counters the page cache
 * keeps, checksums of file contents, and a stand-in VMA to call the vm_operations on.
 */
#ifndef KMM_FILE_TEST_H
#define KMM_FILE_TEST_H

#include "buddy_test.h"

#include "fs/fs.h"
#include "fs/fs_internal.h"
#include "mm/mmap.h"
#include "mm/pagemap.h"
#include "mm/shmem.h"
#include "mm/swap.h"

static inline long node_stat(struct kmm_machine *m, enum node_stat_item item)
{
	long sum = 0;

	for (int nid = 0; nid < MAX_NUMNODES; nid++)
		if (K(m)->node_data[nid])
			sum += K(m)->node_data[nid]->vm_stat[item];
	return sum;
}

static inline long zone_stat_sum(struct kmm_machine *m, enum zone_stat_item item)
{
	return (long)global_zone_page_state(K(m), item);
}

/* FNV-1a: a checksum of @len bytes. */
static inline uint64_t fnv(const void *p, size_t len)
{
	const uint8_t *b = p;
	uint64_t h = 0xcbf29ce484222325ull;

	for (size_t i = 0; i < len; i++)
		h = (h ^ b[i]) * 0x100000001b3ull;
	return h;
}

/* @len bytes of a pattern that differs per page and per byte (seeded by @seed). */
static inline void fill_pattern(uint8_t *p, size_t len, unsigned seed)
{
	uint32_t x = seed * 2654435761u + 1;

	for (size_t i = 0; i < len; i++) {
		x = x * 1103515245u + 12345u;
		p[i] = (uint8_t)(x >> 16);
	}
}

/* Opens @path on @m or fails the test. */
static inline struct file *open_or_fail(struct kmm_machine *m, const char *path, unsigned flags)
{
	struct file *f = NULL;
	int err = filp_open(K(m), path, flags, &f);

	if (err)
		fail_msg("filp_open %s: %d", path, err);
	return f;
}

/* Reads all of @f (size bytes) into a new buffer (free it). */
static inline uint8_t *read_all(struct kmm_machine *m, struct file *f, uint64_t size)
{
	uint8_t *buf = malloc(size ? size : 1);

	assert_non_null(buf);
	assert_int_equal(vfs_pread(K(m), f, buf, size, 0), (int64_t)size);
	return buf;
}

/* A VMA of a stand-in mm that only names the kernel: enough for the vm_operations. */
struct fake_vma {
	struct mm_struct mm;
	struct vm_area_struct vma;
};

static inline void fake_vma_init(struct fake_vma *fv, struct kmm_machine *m, struct file *f,
				 unsigned long start, unsigned long pages, unsigned long pgoff,
				 vm_flags_t flags)
{
	memset(fv, 0, sizeof(*fv));
	fv->mm.kernel = K(m);
	fv->vma.vm_mm = &fv->mm;
	fv->vma.vm_start = start;
	fv->vma.vm_end = start + pages * PAGE_SIZE;
	fv->vma.vm_pgoff = pgoff;
	fv->vma.vm_flags = flags;
	fv->vma.vm_file = f;
	INIT_LIST_HEAD(&fv->vma.shared);
	INIT_LIST_HEAD(&fv->vma.anon_vma_chain);
}

/* Calls ->fault for page @pgoff of @fv's file; returns the result, page in *@page. */
static inline vm_fault_t fake_fault(struct fake_vma *fv, unsigned long pgoff, struct page **page)
{
	struct vm_fault vmf;

	memset(&vmf, 0, sizeof(vmf));
	vmf.vma = &fv->vma;
	vmf.pgoff = pgoff;
	vmf.address = fv->vma.vm_start + ((pgoff - fv->vma.vm_pgoff) << PAGE_SHIFT);
	vmf.real_address = vmf.address;
	vmf.flags = FAULT_FLAG_USER;
	vm_fault_t ret = fv->vma.vm_ops->fault(&vmf);
	*page = vmf.page;
	return ret;
}

/* What the core does after a fault handler returned a locked page it will not map. */
static inline void fault_done(struct kmm_machine *m, struct page *page)
{
	folio_unlock(page_folio(page));
	put_page(K(m), page);
}

#endif /* KMM_FILE_TEST_H */
