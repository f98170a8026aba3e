/*
 * How kernel code reaches the bytes of simulated RAM: the one door from src/mm into the
 * machine's memory, so that mm never names the hardware's types or functions.
 *
 * Models: arch/arm64/include/asm/memory.h (Linux 6.1): phys_to_virt(), the kernel's access
 *         to any RAM through the linear map.
 * Deviation: kernel VAs are plain numbers here (mm/internal.h:__va); the bytes themselves
 *         are the host memory behind each RAM bank (src/hw/phys.h), reached directly, not
 *         through the MMU model. Inline, because page zeroing and the slab fast paths go
 *         through it.
 */
#ifndef KMM_ARCH_ARM64_ASM_MEMORY_H
#define KMM_ARCH_ARM64_ASM_MEMORY_H

#include <string.h>

#include "hw/hw.h"
#include "mm/kernel.h"

/* Host bytes of [pa, pa + len) if it lies wholly in one RAM bank, else NULL. */
static inline void *arch_phys_to_host(const struct kmm_kernel *k, phys_addr_t pa, size_t len)
{
	return phys_to_host(&k->hw->phys, pa, len);
}

/*
 * Zeroes the RAM in [pa, pa + size) of @ram (memblock's view of the machine), bank by bank;
 * the parts that are not RAM are skipped.
 */
static inline void arch_phys_zero(const struct hw_phys *ram, phys_addr_t pa, phys_addr_t size)
{
	phys_addr_t end = pa + size;

	while (pa < end) {
		const struct phys_bank *b = phys_bank_of(ram, pa);
		phys_addr_t stop;

		if (!b) {
			/* Not RAM: skip to the next bank above, if any. */
			phys_addr_t next = end;

			for (uint32_t i = 0; i < ram->nr_banks; i++)
				if (ram->banks[i].base > pa && ram->banks[i].base < next)
					next = ram->banks[i].base;
			pa = next;
			continue;
		}
		stop = end < b->end ? end : b->end;
		memset(b->host + (pa - b->base), 0, (size_t)(stop - pa));
		pa = stop;
	}
}

#endif /* KMM_ARCH_ARM64_ASM_MEMORY_H */
