/*
 * The physical address space: RAM banks backed by host memory, MMIO ranges that are not RAM,
 * and nothing elsewhere (an access there is a synchronous external abort for the CPU).
 *
 * | range                 | what it is                        | phys_to_host |
 * |-----------------------|-----------------------------------|--------------|
 * | inside a RAM bank     | host memory, zero until written   | pointer      |
 * | inside an MMIO range  | a device window, not RAM          | NULL         |
 * | anything else         | no memory (decode error)          | NULL         |
 *
 * Invariants (phys_check):
 *  1. Banks are sorted by base, page aligned, non-empty, and do not overlap.
 *  2. No bank overlaps an MMIO range.
 *  3. Every bank has host backing.
 *  4. Every bank ends at or below KMM_PA_LIMIT.
 *  5. The chunks marked touched or clean, times the chunk size, are env->host_touched.
 *  6. No chunk is both touched and clean.
 */
#ifndef KMM_HW_PHYS_H
#define KMM_HW_PHYS_H

#include <kmm/config.h>
#include <string.h>

#include "lib/env.h"

struct phys_bank {
	kmm_pa_t base;
	kmm_pa_t end;	   /* exclusive */
	uint8_t *host;	   /* the bank's first byte: aligned to the chunk size */
	void *backing;	   /* the host block holding it (env_alloc_backing) */
	unsigned shift;	   /* log2 of the chunk size: PHYS_CHUNK_SHIFT or PHYS_HUGE_SHIFT */
	uint64_t *touched; /* one bit per chunk of the bank: handed out for writing */
	uint64_t *clean;   /* one bit per chunk: committed ahead (phys_commit), still zero */
};

/*
 * Host-memory accounting of RAM: the backing is an anonymous mapping, committed by the host
 * only where written. A chunk's bit is set the first time a host pointer into it is handed
 * out (phys_to_host), which charges the chunk to the machine's host-memory budget
 * (env_host_check); phys_read of a chunk never handed out reads zeros without touching it,
 * phys_zero skips such chunks (they are zero), phys_discard gives freed chunks back to the
 * host (they read as zero afterwards) and uncharges them.
 *
 * Committing ahead (phys_commit): a host page fault costs microseconds (13 us on a guest with
 * page-table isolation), far more than the simulated fault it sits under, while asking the
 * host to populate a run of pages (MADV_POPULATE_WRITE) costs about a microsecond a page
 * and no trap. The page allocator commits the blocks it moves onto a per-CPU list (they are
 * handed out next) in one call per run; such chunks are charged at once and marked clean:
 * committed, zero, not yet handed out. Handing one out moves it from clean to touched
 * without a new charge; phys_zero skips clean chunks (zero already), phys_read reads them as
 * zeros, phys_discard gives them back like touched ones. env->host_touched counts both.
 */
#define PHYS_CHUNK_SHIFT 12
#define PHYS_CHUNK	 ((uint64_t)1 << PHYS_CHUNK_SHIFT)

/*
 * The chunk size: 4 KiB, or 2 MiB where the host backs each chunk with one of its
 * transparent huge pages. On a virtualised host a page fault costs 10-30 us (a trap to the
 * hypervisor), populating costs about 1 us a page, and a 2 MiB huge page costs about what
 * zeroing it does (0.25 us per 4 KiB): with 2 MiB chunks, first writes, the copies of
 * migration and the give-back of freed blocks all get several times cheaper. The price is
 * the granule: a word written into a chunk charges 2 MiB. So 2 MiB chunks are used where
 * that price cannot matter: all of RAM written, and an eighth more for the memory maps and
 * metadata, fits in the host-memory budget; the host has
 * transparent huge pages for madvised memory, and the config does not ask for 4 KiB
 * (kmm_config.host_granule; phys_granule_shift). Nothing the simulated kernel decides
 * depends on the chunk size; only what the budget charges does.
 */
#define PHYS_HUGE_SHIFT 21

static inline uint64_t phys_chunk(const struct phys_bank *b)
{
	return (uint64_t)1 << b->shift;
}

struct phys_mmio {
	kmm_pa_t base;
	kmm_pa_t end; /* exclusive */
	char name[KMM_NAME_MAX];
};

#define PHYS_MAX_MMIO (KMM_MAX_MMIO + 16) /* hand-added ranges plus the board's */

struct hw_phys {
	struct kmm_env *env;
	uint32_t nr_banks;
	struct phys_bank banks[KMM_MAX_BANKS];
	uint32_t nr_mmio;
	struct phys_mmio mmio[PHYS_MAX_MMIO];
	bool no_populate;     /* the host refused MADV_POPULATE_WRITE once: commit on first write */
	unsigned chunk_shift; /* every bank's shift */
};

/*
 * Lays out RAM and MMIO from a validated config. Returns false on host exhaustion, with the
 * reason in env->last_error; nothing is left allocated then.
 */
bool phys_init(struct hw_phys *phys, struct kmm_env *env, const struct kmm_config *cfg);
void phys_fini(struct hw_phys *phys);

/* The bank holding @pa, or NULL. */
static inline const struct phys_bank *phys_bank_of(const struct hw_phys *phys, kmm_pa_t pa)
{
	for (uint32_t i = 0; i < phys->nr_banks; i++) {
		if (pa >= phys->banks[i].base && pa < phys->banks[i].end)
			return &phys->banks[i];
	}
	return NULL;
}

static inline bool phys_chunk_touched(const struct phys_bank *b, uint64_t chunk)
{
	return b->touched[chunk / 64] >> (chunk % 64) & 1;
}

/*
 * Marks the chunks of [off, off + len) of @b touched and charges those neither touched nor
 * clean (phys.c).
 */
void phys_touch(const struct hw_phys *phys, const struct phys_bank *b, uint64_t off, size_t len);

/*
 * Host pointer for [pa, pa+len) if it lies wholly inside one bank, else NULL. The chunks it
 * spans count as touched from now on (the caller may write through it).
 */
static inline void *phys_to_host(const struct hw_phys *phys, kmm_pa_t pa, size_t len)
{
	const struct phys_bank *b = phys_bank_of(phys, pa);
	uint64_t off;

	if (!b || len > b->end - pa)
		return NULL;
	off = pa - b->base;
	if (__builtin_expect(
		    !phys_chunk_touched(b, off >> b->shift) ||
			    !phys_chunk_touched(b, (off + (len ? len - 1 : 0)) >> b->shift) ||
			    len > phys_chunk(b),
		    0))
		phys_touch(phys, b, off, len);
	return b->host + off;
}

/* 64-bit little-endian word at an 8-byte aligned @pa; false (no change) if not RAM. */
static inline bool phys_read64(const struct hw_phys *phys, kmm_pa_t pa, uint64_t *val)
{
	const uint64_t *p = phys_to_host(phys, pa, 8);

	if (!p)
		return false;
	memcpy(val, p, 8);
	return true;
}

static inline bool phys_write64(const struct hw_phys *phys, kmm_pa_t pa, uint64_t val)
{
	uint64_t *p = phys_to_host(phys, pa, 8);

	if (!p)
		return false;
	memcpy(p, &val, 8);
	return true;
}

/* Byte-range copies that may cross banks; false if any byte is not RAM (nothing copied). */
bool phys_read(const struct hw_phys *phys, kmm_pa_t pa, void *dst, size_t len);
bool phys_write(const struct hw_phys *phys, kmm_pa_t pa, const void *src, size_t len);

/*
 * Zeroes the RAM in [pa, pa + len), skipping what is not RAM and the chunks never touched
 * (zero already, and left uncommitted).
 */
void phys_zero(const struct hw_phys *phys, kmm_pa_t pa, uint64_t len);
/*
 * Commits the host memory behind the RAM chunks of [pa, pa + len) that are neither touched
 * nor clean, in one populate request per run, charges them and marks them clean. Best
 * effort: nothing is committed (and false returned) when the host cannot populate or when
 * the charge would cross the budget (the write that follows then reports that crossing).
 * Contents are unchanged (the chunks were zero and stay zero).
 */
bool phys_commit(struct hw_phys *phys, kmm_pa_t pa, uint64_t len);
/*
 * Gives the host pages of the touched or clean whole chunks in [pa, pa + len) back (their contents
 * become zero) and uncharges them: for RAM whose contents nobody may rely on (freed blocks).
 */
void phys_discard(const struct hw_phys *phys, kmm_pa_t pa, uint64_t len);

bool phys_is_ram(const struct hw_phys *phys, kmm_pa_t pa);
/* The MMIO range holding @pa (innermost), or NULL. */
const struct phys_mmio *phys_mmio_of(const struct hw_phys *phys, kmm_pa_t pa);

uint64_t phys_ram_size(const struct hw_phys *phys);

bool phys_check(const struct hw_phys *phys, char *why, size_t whylen);

#endif /* KMM_HW_PHYS_H */
