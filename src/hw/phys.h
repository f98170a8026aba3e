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
 */
#ifndef KMM_HW_PHYS_H
#define KMM_HW_PHYS_H

#include <kmm/config.h>
#include <string.h>

#include "lib/env.h"

struct phys_bank {
	kmm_pa_t base;
	kmm_pa_t end; /* exclusive */
	uint8_t *host;
};

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

/* Host pointer for [pa, pa+len) if it lies wholly inside one bank, else NULL. */
static inline void *phys_to_host(const struct hw_phys *phys, kmm_pa_t pa, size_t len)
{
	const struct phys_bank *b = phys_bank_of(phys, pa);

	if (!b || len > b->end - pa)
		return NULL;
	return b->host + (pa - b->base);
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

bool phys_is_ram(const struct hw_phys *phys, kmm_pa_t pa);
/* The MMIO range holding @pa (innermost), or NULL. */
const struct phys_mmio *phys_mmio_of(const struct hw_phys *phys, kmm_pa_t pa);

uint64_t phys_ram_size(const struct hw_phys *phys);

bool phys_check(const struct hw_phys *phys, char *why, size_t whylen);

#endif /* KMM_HW_PHYS_H */
