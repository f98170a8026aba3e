/*
 * The board: the MMIO layout of the machine's devices (QEMU virt), for the physical address
 * space (phys.c) and for the validation of a configuration (src/sim/config.c).
 */
#ifndef KMM_HW_BOARD_H
#define KMM_HW_BOARD_H

#include <kmm/config.h>

/*
 * The MMIO ranges the machine will have: the board's (placed for this RAM layout) then the
 * ones added by hand. Writes up to @max entries to @out and returns how many there are (which
 * may exceed @max). Pure.
 */
uint32_t board_mmio_layout(const struct kmm_config *cfg, struct kmm_mmio_range *out, uint32_t max);

#endif /* KMM_HW_BOARD_H */
