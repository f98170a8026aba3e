/*
 * zram: a compressed RAM block device (drivers/block/zram of Linux 6.1), as swap uses it.
 * zram.c's essay says what is modelled. Every function takes the machine's kernel.
 */
#ifndef KMM_DRIVERS_ZRAM_H
#define KMM_DRIVERS_ZRAM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct kmm_kernel;
struct sink;
struct zram;

/* The nine numbers of /sys/block/zramN/mm_stat (bytes, or counts), in its order. */
struct zram_mm_stat {
	uint64_t orig_data_size, compr_data_size, mem_used_total, mem_limit, mem_used_max;
	uint64_t same_pages, pages_compacted, huge_pages, huge_pages_since;
};

/*
 * A zram device of @disksize bytes (PAGE_ALIGN'ed up, as disksize_store). Returns NULL with
 * *@err = -EINVAL (0 bytes) or -ENOMEM (host memory).
 */
struct zram *zram_create(struct kmm_kernel *k, uint64_t disksize, int *err);
void zram_destroy(struct kmm_kernel *k, struct zram *zram);

uint64_t zram_disksize(const struct zram *zram);

/*
 * Stores the page at @src as slot @index (replacing what was there): same-filled pages
 * as their word, others LZO1X-1 compressed, stored whole (huge) when the result would not
 * fit below zsmalloc's huge class. Returns 0, or -ENOMEM (over mem_limit; host memory)
 * with the slot's old contents dropped, as the kernel's failed write leaves it.
 */
int zram_write_page(struct kmm_kernel *k, struct zram *zram, unsigned long index, const void *src);
/* Reads slot @index into @dst (zeros for a slot never written). Returns 0 or -EIO. */
int zram_read_page(struct kmm_kernel *k, struct zram *zram, unsigned long index, void *dst);
/* Models: zram_slot_free_notify(): swap freed the slot; its data goes. */
void zram_slot_free_notify(struct kmm_kernel *k, struct zram *zram, unsigned long index);

/* mem_limit (bytes, 0: none), as writing /sys/block/zramN/mem_limit. */
void zram_set_mem_limit(struct zram *zram, uint64_t bytes);

void zram_mm_stat(const struct zram *zram, struct zram_mm_stat *st);
/* /sys/block/zramN/mm_stat, disksize and comp_algorithm, the kernel's formats. */
void zram_show_mm_stat(const struct zram *zram, const struct sink *out);
void zram_show_disksize(const struct zram *zram, const struct sink *out);
void zram_show_comp_algorithm(const struct zram *zram, const struct sink *out);

/* zsmalloc's huge_class_size for 4 KiB pages (what zram compares compressed sizes with). */
size_t zs_huge_class_size(void);

bool zram_check(const struct zram *zram, char *why, size_t whylen);

#endif /* KMM_DRIVERS_ZRAM_H */
