/*
 * The board around the CPUs and RAM: where its devices' MMIO windows are.
 *
 * The virt board's devices are placed the way QEMU 7.2's hw/arm/virt.c lays out its memory
 * map (facts: addresses and sizes of the regions): the low devices are fixed, the high
 * regions (GIC redistributor 2, PCIe ECAM, PCIe MMIO) go after RAM, each aligned to its
 * size, starting no lower than 256 GiB. With the default NIC, the reference kernel's drivers
 * claim the sub-ranges listed with a parent below; they nest in /proc/iomem.
 */
#include "hw/board.h"

#include <stdio.h>

#define GiB ((uint64_t)1 << 30)
#define MiB ((uint64_t)1 << 20)

static uint64_t round_up(uint64_t v, uint64_t a)
{
	return (v + a - 1) / a * a;
}

static uint32_t mmio_push(struct kmm_mmio_range *out, uint32_t n, uint32_t max, kmm_pa_t base,
			  uint64_t size, const char *name)
{
	if (n < max) {
		out[n].base = base;
		out[n].size = size;
		snprintf(out[n].name, sizeof(out[n].name), "%s", name);
	}
	return n + 1;
}

uint32_t board_mmio_layout(const struct kmm_config *cfg, struct kmm_mmio_range *out, uint32_t max)
{
	uint32_t n = 0;

	if (cfg->board == KMM_BOARD_VIRT) {
		uint64_t ram_end = 0, base;

		for (uint32_t i = 0; i < cfg->nr_banks && i < KMM_MAX_BANKS; i++) {
			uint64_t e = cfg->banks[i].base + cfg->banks[i].size;
			ram_end = e > ram_end ? e : ram_end;
		}
		/* Low devices, then the drivers' claims inside them (parents first). */
		n = mmio_push(out, n, max, 0x09000000, 0x1000, "pl011@9000000");
		n = mmio_push(out, n, max, 0x09000000, 0x1000, "9000000.pl011 pl011@9000000");
		n = mmio_push(out, n, max, 0x09010000, 0x1000, "pl031@9010000");
		n = mmio_push(out, n, max, 0x09010000, 0x1000, "rtc-pl031");
		n = mmio_push(out, n, max, 0x09030000, 0x1000, "pl061@9030000");
		n = mmio_push(out, n, max, 0x09030000, 0x1000, "9030000.pl061 pl061@9030000");
		n = mmio_push(out, n, max, 0x10000000, 0x2eff0000, "pcie@10000000");
		n = mmio_push(out, n, max, 0x10000000, 0x40000, "0000:00:01.0");
		n = mmio_push(out, n, max, 0x10040000, 0x1000, "0000:00:01.0");
		/* High regions: after RAM, at least at 256 GiB, each aligned to its size. */
		base = round_up(ram_end, GiB);
		base = base < 256 * GiB ? 256 * GiB : base;
		base = round_up(base, 64 * MiB) + 64 * MiB; /* GIC redistributor 2 (not in iomem) */
		base = round_up(base, 256 * MiB);
		n = mmio_push(out, n, max, base, 256 * MiB, "PCI ECAM");
		base = round_up(base + 256 * MiB, 512 * GiB);
		n = mmio_push(out, n, max, base, 512 * GiB, "pcie@10000000");
		n = mmio_push(out, n, max, base, 0x4000, "0000:00:01.0");
	}
	for (uint32_t i = 0; i < cfg->nr_mmio && i < KMM_MAX_MMIO; i++)
		n = mmio_push(out, n, max, cfg->mmio[i].base, cfg->mmio[i].size, cfg->mmio[i].name);
	return n;
}
