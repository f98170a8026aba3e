/*
 * Physical address space: RAM banks and MMIO ranges. See phys.h for the layout and the
 * invariants.
 *
 * Spec: Arm ARM D8.12 (external aborts): an access to a PA with nothing behind it is a
 * synchronous external abort; the MMU model turns a false return here into that fault.
 * Deviation: RAM is modelled as flat host memory: no caches, no shareability effects.
 */
#include "hw/phys.h"

#include "hw/board.h"

#include <inttypes.h>
#include <stdio.h>

bool phys_init(struct hw_phys *phys, struct kmm_env *env, const struct kmm_config *cfg)
{
	memset(phys, 0, sizeof(*phys));
	phys->env = env;

	/* Banks in PA order (the config need not be sorted). */
	for (uint32_t i = 0; i < cfg->nr_banks; i++) {
		struct phys_bank b = {.base = cfg->banks[i].base,
				      .end = cfg->banks[i].base + cfg->banks[i].size};
		uint32_t j = phys->nr_banks++;
		while (j > 0 && phys->banks[j - 1].base > b.base) {
			phys->banks[j] = phys->banks[j - 1];
			j--;
		}
		phys->banks[j] = b;
	}
	for (uint32_t i = 0; i < phys->nr_banks; i++) {
		struct phys_bank *b = &phys->banks[i];
		b->host = env_alloc_backing(env, b->end - b->base);
		if (!b->host) {
			env_error(env, KMM_EHOST,
				  "cannot reserve %" PRIu64
				  " MiB of host memory for the RAM bank at "
				  "0x%" PRIx64,
				  (b->end - b->base) >> 20, b->base);
			phys_fini(phys);
			return false;
		}
	}
	struct kmm_mmio_range layout[PHYS_MAX_MMIO];
	phys->nr_mmio = board_mmio_layout(cfg, layout, PHYS_MAX_MMIO);
	if (phys->nr_mmio > PHYS_MAX_MMIO)
		phys->nr_mmio = PHYS_MAX_MMIO; /* validation refuses more; stay in bounds */
	for (uint32_t i = 0; i < phys->nr_mmio; i++) {
		phys->mmio[i].base = layout[i].base;
		phys->mmio[i].end = layout[i].base + layout[i].size;
		memcpy(phys->mmio[i].name, layout[i].name, KMM_NAME_MAX);
	}
	return true;
}

void phys_fini(struct hw_phys *phys)
{
	for (uint32_t i = 0; i < phys->nr_banks; i++) {
		env_free_backing(phys->env, phys->banks[i].host);
		phys->banks[i].host = NULL;
	}
	phys->nr_banks = 0;
}

/* Checks that every byte of [pa, pa+len) is RAM, possibly over adjacent banks. */
static bool phys_range_is_ram(const struct hw_phys *phys, kmm_pa_t pa, size_t len)
{
	while (len) {
		const struct phys_bank *b = phys_bank_of(phys, pa);
		uint64_t n;

		if (!b)
			return false;
		n = b->end - pa < len ? b->end - pa : len;
		pa += n;
		len -= n;
	}
	return true;
}

bool phys_read(const struct hw_phys *phys, kmm_pa_t pa, void *dst, size_t len)
{
	uint8_t *out = dst;

	if (len > UINT64_MAX - pa || !phys_range_is_ram(phys, pa, len))
		return false;
	while (len) {
		const struct phys_bank *b = phys_bank_of(phys, pa);
		uint64_t n = b->end - pa < len ? b->end - pa : len;
		memcpy(out, b->host + (pa - b->base), n);
		out += n;
		pa += n;
		len -= n;
	}
	return true;
}

bool phys_write(const struct hw_phys *phys, kmm_pa_t pa, const void *src, size_t len)
{
	const uint8_t *in = src;

	if (len > UINT64_MAX - pa || !phys_range_is_ram(phys, pa, len))
		return false;
	while (len) {
		const struct phys_bank *b = phys_bank_of(phys, pa);
		uint64_t n = b->end - pa < len ? b->end - pa : len;
		memcpy(b->host + (pa - b->base), in, n);
		in += n;
		pa += n;
		len -= n;
	}
	return true;
}

bool phys_is_ram(const struct hw_phys *phys, kmm_pa_t pa)
{
	return phys_bank_of(phys, pa) != NULL;
}

const struct phys_mmio *phys_mmio_of(const struct hw_phys *phys, kmm_pa_t pa)
{
	const struct phys_mmio *best = NULL;

	for (uint32_t i = 0; i < phys->nr_mmio; i++) {
		const struct phys_mmio *r = &phys->mmio[i];
		if (pa >= r->base && pa < r->end &&
		    (!best || r->end - r->base < best->end - best->base))
			best = r;
	}
	return best;
}

uint64_t phys_ram_size(const struct hw_phys *phys)
{
	uint64_t total = 0;

	for (uint32_t i = 0; i < phys->nr_banks; i++)
		total += phys->banks[i].end - phys->banks[i].base;
	return total;
}

bool phys_check(const struct hw_phys *phys, char *why, size_t whylen)
{
	for (uint32_t i = 0; i < phys->nr_banks; i++) {
		const struct phys_bank *b = &phys->banks[i];

		if (b->end <= b->base || (b->base | b->end) & (KMM_PAGE_SIZE - 1)) {
			snprintf(why, whylen,
				 "phys: bank %u [0x%" PRIx64 "-0x%" PRIx64
				 ") is empty or not page aligned",
				 i, b->base, b->end);
			return false;
		}
		if (i > 0 && phys->banks[i - 1].end > b->base) {
			snprintf(why, whylen, "phys: banks %u and %u overlap or are out of order",
				 i - 1, i);
			return false;
		}
		if (!b->host) {
			snprintf(why, whylen, "phys: bank %u has no host backing", i);
			return false;
		}
		if (b->end > KMM_PA_LIMIT) {
			snprintf(why, whylen, "phys: bank %u ends beyond the 48-bit PA limit", i);
			return false;
		}
		for (uint32_t j = 0; j < phys->nr_mmio; j++) {
			const struct phys_mmio *r = &phys->mmio[j];
			if (r->base < b->end && b->base < r->end) {
				snprintf(why, whylen, "phys: bank %u overlaps MMIO range %s", i,
					 r->name);
				return false;
			}
		}
	}
	return true;
}
