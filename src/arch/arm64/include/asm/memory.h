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
 * the parts that are not RAM are skipped, and so are the chunks never written.
 */
static inline void arch_phys_zero(const struct hw_phys *ram, phys_addr_t pa, phys_addr_t size)
{
	phys_zero(ram, pa, size); /* RAM never written is zero already: left uncommitted */
}

/*
 * Gives the host memory behind [pa, pa + size) back: for freed RAM, whose contents the
 * model does not promise (it reads as zero afterwards).
 */
static inline void arch_phys_discard(const struct kmm_kernel *k, phys_addr_t pa, phys_addr_t size)
{
	phys_discard(&k->hw->phys, pa, size);
}

/*
 * Asks the host to commit the memory behind [pa, pa + size) now, in one request, for RAM
 * about to be handed out (src/hw/phys.h, "Committing ahead"): a host-side speed-up with no
 * simulated effect (contents, counters and the simulated clock are unchanged). Best effort.
 */
static inline void arch_phys_commit(const struct kmm_kernel *k, phys_addr_t pa, phys_addr_t size)
{
	phys_commit(&k->hw->phys, pa, size);
}

#endif /* KMM_ARCH_ARM64_ASM_MEMORY_H */
