/*
 * The host-memory arena of one machine: every host byte a machine holds (its metadata and the
 * backing of its simulated RAM) comes from here, and arena_fini() returns all of it at once,
 * including what a BUG unwind skipped.
 *
 * Why not jemalloc's arenas, which the project used first: Debian's jemalloc exports malloc
 * and free, so linking it replaced the host program's allocator, and its initial-exec TLS makes
 * a library that depends on it impossible to dlopen (Python's ctypes and cffi fail with
 * "cannot allocate memory in static TLS block"). The arena needs little of a general
 * allocator: one thread at a time, blocks that mostly live as long as the machine.
 *
 * Layout. Small blocks (a 16-byte header + the request, up to ARENA_SMALL_MAX) are carved from
 * 1 MiB chunks by size class and recycled through one free list per class. Large blocks get
 * a mapping of their own (one page of header, then the block, page aligned), unmapped when
 * freed, so a freed memory map or RAM bank goes back to the host at once. Mappings are
 * anonymous: zero, and committed by the host OS only when first touched.
 *
 * Invariants (arena_check):
 *  1. The free lists hold no more bytes than the chunks (no cycle, no double free piling up).
 *  2. The live large blocks' headers form a consistent doubly linked list.
 *  3. mapped equals the bytes of the chunks and of the live large mappings.
 */
#ifndef KMM_LIB_ARENA_H
#define KMM_LIB_ARENA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define ARENA_NR_CLASSES 48
#define ARENA_SMALL_MAX	 (64u << 10)

struct arena_large;

struct host_arena {
	void *chunks;		      /* newest first, linked through their first word */
	char *bump, *bump_end;	      /* unused space of the newest chunk */
	void *free[ARENA_NR_CLASSES]; /* free blocks per class, linked through their first word */
	struct arena_large *large;    /* live large blocks */
	size_t mapped;		      /* host bytes mapped: chunks + large mappings */
	size_t nr_chunks, nr_large;
};

void arena_init(struct host_arena *a);

/* Unmaps everything the arena holds; it is then empty and usable again. */
void arena_fini(struct host_arena *a);

/*
 * @size zeroed bytes aligned to @align (a power of two, at most 4096; or ARENA_HUGE_ALIGN for
 * a large block of whole 2 MiB host huge pages: its own mapping, no larger than the block
 * and its header page, asked to be backed by transparent huge pages), or NULL.
 */
#define ARENA_HUGE_ALIGN ((size_t)2 << 20)
void *arena_alloc(struct host_arena *a, size_t size, size_t align);

/*
 * Frees a block of this arena; NULL is a no-op. Returns false, changing nothing, for a block
 * that is not live (freed already): its header no longer carries the arena's mark.
 */
bool arena_free(struct host_arena *a, void *ptr);

/*
 * Resizes a block (16-byte alignment), keeping min(old, new) bytes; bytes past the old size
 * are unspecified. NULL on failure, the old block untouched.
 */
void *arena_realloc(struct host_arena *a, void *ptr, size_t size);

/* Host bytes of the mapping holding a large block (0 for a small one). */
size_t arena_mapping_size(const void *ptr);

bool arena_check(const struct host_arena *a, char *why, size_t whylen);

#endif /* KMM_LIB_ARENA_H */
