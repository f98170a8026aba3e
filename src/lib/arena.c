/*
 * The host-memory arena of one machine (arena.h). Size classes: multiples of 16 bytes up to
 * 256, then four classes per power of two up to 64 KiB (at most 25 % lost to rounding).
 *
 * Every block, small or large, is preceded by a 16-byte header naming its class and the start
 * of its raw block (which differs from the header's place when the caller asked for more than
 * 16-byte alignment).
 */
#include "lib/arena.h"

#include <stdio.h>
#include <string.h>
#include <sys/mman.h>

#define ARENA_CHUNK (1u << 20)
#define ARENA_PAGE  4096u
#define ARENA_HDR   16u
#define ARENA_MAGIC 0x6b6d6d61u /* "kmma" */
#define ARENA_LARGE 0xffffu	/* class of a large block */
#define CHUNK_HDR   64u		/* the chunk list link, keeping blocks 64-byte aligned */

struct block_hdr {
	uint16_t cls;
	uint16_t pad;
	uint32_t magic;
	void *base; /* the raw block: free-list link, or the large mapping */
};
_Static_assert(sizeof(struct block_hdr) == ARENA_HDR, "one 16-byte header per block");

struct arena_large {
	struct arena_large *prev, *next;
	size_t maplen;
	uint64_t magic;
};

static size_t class_size(unsigned cls)
{
	size_t p;

	if (cls < 16)
		return (cls + 1) * 16;
	p = (size_t)256 << ((cls - 16) / 4);
	return p + ((cls - 16) % 4 + 1) * (p / 4);
}

static unsigned class_of(size_t n)
{
	unsigned g = 0;
	size_t p = 256;

	if (n <= 256)
		return n ? (unsigned)((n + 15) / 16 - 1) : 0;
	while (n > 2 * p)
		p *= 2, g++;
	return 16 + 4 * g + (unsigned)((n - p + p / 4 - 1) / (p / 4)) - 1;
}

static void *map_anon(size_t len)
{
	int flags = MAP_PRIVATE | MAP_ANONYMOUS;
	void *p;

#ifdef MAP_NORESERVE
	flags |= MAP_NORESERVE; /* simulated RAM may be larger than the host's */
#endif
	p = mmap(NULL, len, PROT_READ | PROT_WRITE, flags, -1, 0);
	return p == MAP_FAILED ? NULL : p;
}

void arena_init(struct host_arena *a)
{
	memset(a, 0, sizeof(*a));
}

void arena_fini(struct host_arena *a)
{
	while (a->large) {
		struct arena_large *l = a->large;

		a->large = l->next;
		munmap(l, l->maplen);
	}
	while (a->chunks) {
		void *c = a->chunks;

		a->chunks = *(void **)c;
		munmap(c, ARENA_CHUNK);
	}
	arena_init(a);
}

static void *hand_out(void *base, unsigned cls, size_t align)
{
	char *user = (char *)(((uintptr_t)base + ARENA_HDR + align - 1) & ~(uintptr_t)(align - 1));
	struct block_hdr *h = (struct block_hdr *)user - 1;

	*h = (struct block_hdr){.cls = (uint16_t)cls, .magic = ARENA_MAGIC, .base = base};
	return user;
}

static void *alloc_large(struct host_arena *a, size_t size)
{
	size_t maplen = (size + ARENA_PAGE + ARENA_PAGE - 1) & ~(size_t)(ARENA_PAGE - 1);
	struct arena_large *l;

	if (maplen < size) /* wrapped */
		return NULL;
	l = map_anon(maplen);
	if (!l)
		return NULL;
	*l = (struct arena_large){.next = a->large, .maplen = maplen, .magic = ARENA_MAGIC};
	if (a->large)
		a->large->prev = l;
	a->large = l;
	a->mapped += maplen;
	a->nr_large++;
	return hand_out(l, ARENA_LARGE, ARENA_PAGE);
}

/*
 * A large block starting on a 2 MiB boundary: a mapping of the header page and @size bytes,
 * cut out of a larger one so that no byte beyond them stays mapped.
 */
static void *alloc_large_huge(struct host_arena *a, size_t size)
{
	size_t maplen = (size + ARENA_PAGE + ARENA_PAGE - 1) & ~(size_t)(ARENA_PAGE - 1),
	       rawlen = maplen + ARENA_HUGE_ALIGN;
	uintptr_t raw, user;
	struct arena_large *l;

	if (maplen < size || rawlen < maplen)
		return NULL;
	raw = (uintptr_t)map_anon(rawlen);
	if (!raw)
		return NULL;
	user = (raw + ARENA_PAGE + ARENA_HUGE_ALIGN - 1) & ~(uintptr_t)(ARENA_HUGE_ALIGN - 1);
	l = (struct arena_large *)(user - ARENA_PAGE);
	if ((uintptr_t)l > raw)
		munmap((void *)raw, (uintptr_t)l - raw);
	if (raw + rawlen > (uintptr_t)l + maplen)
		munmap((char *)l + maplen, raw + rawlen - ((uintptr_t)l + maplen));
#ifdef MADV_HUGEPAGE
	madvise((void *)user, maplen - ARENA_PAGE, MADV_HUGEPAGE);
#endif
	*l = (struct arena_large){.next = a->large, .maplen = maplen, .magic = ARENA_MAGIC};
	if (a->large)
		a->large->prev = l;
	a->large = l;
	a->mapped += maplen;
	a->nr_large++;
	return hand_out(l, ARENA_LARGE, ARENA_PAGE);
}

void *arena_alloc(struct host_arena *a, size_t size, size_t align)
{
	size_t need, csize;
	unsigned cls;
	void *base;

	if (align == ARENA_HUGE_ALIGN)
		return alloc_large_huge(a, size);
	if (align < ARENA_HDR)
		align = ARENA_HDR;
	if (align > ARENA_PAGE || (align & (align - 1)))
		return NULL;
	need = size + ARENA_HDR + (align - ARENA_HDR);
	if (need < size || need > ARENA_SMALL_MAX)
		return alloc_large(a, size);
	cls = class_of(need);
	csize = class_size(cls);
	base = a->free[cls];
	if (base) {
		a->free[cls] = *(void **)base;
		memset(base, 0, csize);
		return hand_out(base, cls, align);
	}
	if ((size_t)(a->bump_end - a->bump) < csize) {
		char *c = map_anon(ARENA_CHUNK);

		if (!c)
			return NULL;
		*(void **)c = a->chunks;
		a->chunks = c;
		a->bump = c + CHUNK_HDR;
		a->bump_end = c + ARENA_CHUNK;
		a->mapped += ARENA_CHUNK;
		a->nr_chunks++;
	}
	base = a->bump;
	a->bump += csize;
	return hand_out(base, cls, align); /* fresh chunk memory is zero */
}

bool arena_free(struct host_arena *a, void *ptr)
{
	struct block_hdr *h;

	if (!ptr)
		return true;
	h = (struct block_hdr *)ptr - 1;
	if (h->magic != ARENA_MAGIC) /* freed already (the link overwrote it), or not ours */
		return false;
	if (h->cls == ARENA_LARGE) {
		struct arena_large *l = h->base;

		if (l->prev)
			l->prev->next = l->next;
		else
			a->large = l->next;
		if (l->next)
			l->next->prev = l->prev;
		a->mapped -= l->maplen;
		a->nr_large--;
		munmap(l, l->maplen);
		return true;
	}
	{
		/* The link overwrites the header when the block starts there: read it first. */
		unsigned cls = h->cls;
		void *base = h->base;

		h->magic = 0;
		*(void **)base = a->free[cls];
		a->free[cls] = base;
	}
	return true;
}

/* Bytes usable at @ptr. */
static size_t usable(const void *ptr)
{
	const struct block_hdr *h = (const struct block_hdr *)ptr - 1;
	size_t lead = (size_t)((const char *)ptr - (const char *)h->base);

	if (h->cls == ARENA_LARGE)
		return ((const struct arena_large *)h->base)->maplen - lead;
	return class_size(h->cls) - lead;
}

size_t arena_mapping_size(const void *ptr)
{
	const struct block_hdr *h = (const struct block_hdr *)ptr - 1;

	return h->cls == ARENA_LARGE ? ((const struct arena_large *)h->base)->maplen : 0;
}

void *arena_realloc(struct host_arena *a, void *ptr, size_t size)
{
	size_t old;
	void *n;

	if (!ptr)
		return arena_alloc(a, size, ARENA_HDR);
	old = usable(ptr);
	if (size <= old && size >= old / 2)
		return ptr;
	n = arena_alloc(a, size, ARENA_HDR);
	if (!n)
		return NULL;
	memcpy(n, ptr, old < size ? old : size);
	arena_free(a, ptr);
	return n;
}

bool arena_check(const struct host_arena *a, char *why, size_t whylen)
{
	size_t mapped = a->nr_chunks * (size_t)ARENA_CHUNK, n = 0;
	const struct arena_large *prev = NULL;

	size_t free_bytes = 0;

	for (unsigned cls = 0; cls < ARENA_NR_CLASSES; cls++)
		for (const void *b = a->free[cls]; b; b = *(void *const *)b) {
			free_bytes += class_size(cls);
			if (free_bytes > a->nr_chunks * (size_t)ARENA_CHUNK) {
				snprintf(why, whylen,
					 "arena: the free lists hold more than the %zu chunks "
					 "(a cycle, or a block freed twice)",
					 a->nr_chunks);
				return false;
			}
		}
	for (const struct arena_large *l = a->large; l; prev = l, l = l->next, n++) {
		if (l->magic != ARENA_MAGIC || l->prev != prev) {
			snprintf(why, whylen, "arena: large block %p has a broken header",
				 (void *)l);
			return false;
		}
		mapped += l->maplen;
	}
	if (n != a->nr_large || mapped != a->mapped) {
		snprintf(why, whylen,
			 "arena: %zu bytes mapped in %zu large blocks, counted %zu in %zu", mapped,
			 n, a->mapped, a->nr_large);
		return false;
	}
	return true;
}
