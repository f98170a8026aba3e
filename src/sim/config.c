/*
 * Machine configuration: defaults, setters, and validation. The virt board's MMIO layout is
 * the hardware's (src/hw/board.c); sizes are parsed by src/lib/cmdline.c, as the kernel's
 * parameters are.
 */
#include <kmm/config.h>

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "hw/board.h"
#include "hw/cpu.h"
#include "kernel/params.h"
#include "lib/cmdline.h"
#include "lib/cost.h"
#include "lib/env.h"
#include "mm/views.h"

#define GiB ((uint64_t)1 << 30)
#define MiB ((uint64_t)1 << 20)

void kmm_config_init(struct kmm_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->board = KMM_BOARD_VIRT;
	cfg->nr_banks = 1;
	cfg->banks[0] = (struct kmm_ram_bank){.base = KMM_VIRT_RAM_BASE, .size = 1 * GiB};
	cfg->nr_cpus = 4;
	snprintf(cfg->cpu_model, sizeof(cfg->cpu_model), "%s", "cortex-a57");
	cfg->seed = 1;
	cfg->kmalloc_minalign = 128; /* ARCH_DMA_MINALIGN on arm64 */
	cfg->cpu_mhz = 1000;
}

static enum kmm_status size_ok(uint64_t size, const char *what)
{
	if (size == 0)
		return kmm_error_nomachine(KMM_EINVAL, "%s: size must not be zero", what);
	if (size & (KMM_PAGE_SIZE - 1))
		return kmm_error_nomachine(KMM_EINVAL,
					   "%s: size 0x%" PRIx64 " is not a multiple of 4 KiB",
					   what, size);
	return KMM_OK;
}

enum kmm_status kmm_config_set_ram(struct kmm_config *cfg, uint64_t size)
{
	enum kmm_status st;

	if (!cfg)
		return kmm_error_nomachine(KMM_EINVAL, "kmm_config_set_ram: NULL config");
	st = size_ok(size, "RAM");
	if (st)
		return st;
	cfg->nr_banks = 1;
	cfg->banks[0] = (struct kmm_ram_bank){.base = KMM_VIRT_RAM_BASE, .size = size};
	cfg->banks_set = true;
	return KMM_OK;
}

enum kmm_status kmm_config_add_bank(struct kmm_config *cfg, kmm_pa_t base, uint64_t size)
{
	enum kmm_status st;

	if (!cfg)
		return kmm_error_nomachine(KMM_EINVAL, "kmm_config_add_bank: NULL config");
	st = size_ok(size, "RAM bank");
	if (st)
		return st;
	if (!cfg->banks_set) {
		cfg->nr_banks = 0;
		cfg->banks_set = true;
	}
	if (cfg->nr_banks == KMM_MAX_BANKS)
		return kmm_error_nomachine(KMM_EINVAL, "too many RAM banks (at most %d)",
					   KMM_MAX_BANKS);
	cfg->banks[cfg->nr_banks++] = (struct kmm_ram_bank){.base = base, .size = size};
	return KMM_OK;
}

enum kmm_status kmm_config_add_mmio(struct kmm_config *cfg, kmm_pa_t base, uint64_t size,
				    const char *name)
{
	struct kmm_mmio_range *r;

	if (!cfg)
		return kmm_error_nomachine(KMM_EINVAL, "kmm_config_add_mmio: NULL config");
	if (size == 0)
		return kmm_error_nomachine(KMM_EINVAL, "MMIO range %s: size must not be zero",
					   name ? name : "");
	if (cfg->nr_mmio == KMM_MAX_MMIO)
		return kmm_error_nomachine(KMM_EINVAL, "too many MMIO ranges (at most %d)",
					   KMM_MAX_MMIO);
	r = &cfg->mmio[cfg->nr_mmio++];
	r->base = base;
	r->size = size;
	if (name && *name)
		snprintf(r->name, sizeof(r->name), "%s", name);
	else
		snprintf(r->name, sizeof(r->name), "mmio@%" PRIx64, base);
	return KMM_OK;
}

enum kmm_status kmm_config_add_node(struct kmm_config *cfg, uint32_t nid, uint64_t mem_size,
				    bool has_cpus, uint32_t cpu_first, uint32_t cpu_last)
{
	if (!cfg)
		return kmm_error_nomachine(KMM_EINVAL, "kmm_config_add_node: NULL config");
	if (nid >= KMM_MAX_NODES)
		return kmm_error_nomachine(KMM_EINVAL, "NUMA node %u: node ids go up to %d", nid,
					   KMM_MAX_NODES - 1);
	if (cfg->nodes[nid].present)
		return kmm_error_nomachine(KMM_EINVAL, "NUMA node %u is declared twice", nid);
	if (has_cpus && cpu_first > cpu_last)
		return kmm_error_nomachine(KMM_EINVAL, "NUMA node %u: CPU range %u-%u is empty",
					   nid, cpu_first, cpu_last);
	cfg->nodes[nid] = (struct kmm_numa_node){.mem_size = mem_size,
						 .cpu_first = cpu_first,
						 .cpu_last = cpu_last,
						 .has_cpus = has_cpus,
						 .present = true};
	if (nid + 1 > cfg->nr_nodes)
		cfg->nr_nodes = nid + 1;
	return KMM_OK;
}

enum kmm_status kmm_config_set_distance(struct kmm_config *cfg, uint32_t from, uint32_t to,
					uint32_t distance)
{
	if (!cfg)
		return kmm_error_nomachine(KMM_EINVAL, "kmm_config_set_distance: NULL config");
	if (from >= KMM_MAX_NODES || to >= KMM_MAX_NODES)
		return kmm_error_nomachine(KMM_EINVAL, "NUMA distance %u->%u: no such node", from,
					   to);
	/* Models: drivers/base/arch_numa.c:numa_set_distance() checks. */
	if (distance > 255 || (from == to && distance != 10) || (from != to && distance <= 10))
		return kmm_error_nomachine(KMM_EINVAL,
					   "NUMA distance %u->%u = %u: local distance must be 10 "
					   "and remote distances 11..255",
					   from, to, distance);
	cfg->distance[from][to] = (uint8_t)distance;
	if (from != to && cfg->distance[to][from] == 0)
		cfg->distance[to][from] = (uint8_t)distance;
	return KMM_OK;
}

enum kmm_status kmm_config_add_reserve(struct kmm_config *cfg, uint64_t size, kmm_pa_t base)
{
	if (!cfg)
		return kmm_error_nomachine(KMM_EINVAL, "kmm_config_add_reserve: NULL config");
	if (size == 0)
		return kmm_error_nomachine(KMM_EINVAL, "reservation: size must not be zero");
	if (cfg->nr_reserves == KMM_MAX_RESERVES)
		return kmm_error_nomachine(KMM_EINVAL, "too many early reservations (at most %d)",
					   KMM_MAX_RESERVES);
	cfg->reserves[cfg->nr_reserves++] = (struct kmm_reserve){.base = base, .size = size};
	return KMM_OK;
}

enum kmm_status kmm_config_add_sysctl(struct kmm_config *cfg, const char *name, const char *value)
{
	struct kmm_sysctl_setting *st;

	if (!cfg)
		return kmm_error_nomachine(KMM_EINVAL, "kmm_config_add_sysctl: NULL config");

	if (!name || !value)
		return kmm_error_nomachine(KMM_EINVAL, "kmm_config_add_sysctl: NULL %s",
					   !name ? "name" : "value");
	if (!*name)
		return kmm_error_nomachine(KMM_EINVAL, "kmm_config_add_sysctl: empty name");
	if (cfg->nr_sysctls == KMM_MAX_SYSCTLS)
		return kmm_error_nomachine(KMM_EINVAL, "too many sysctls (at most %d)",
					   KMM_MAX_SYSCTLS);
	if (strlen(name) >= sizeof(st->name) || strlen(value) >= sizeof(st->value))
		return kmm_error_nomachine(KMM_EINVAL, "sysctl %s: name or value too long", name);
	st = &cfg->sysctls[cfg->nr_sysctls++];
	snprintf(st->name, sizeof(st->name), "%s", name);
	snprintf(st->value, sizeof(st->value), "%s", value);
	return KMM_OK;
}

enum kmm_status kmm_config_set_cost(struct kmm_config *cfg, const char *name, uint32_t cycles)
{
	uint32_t i;

	if (!cfg || !name)
		return kmm_error_nomachine(KMM_EINVAL, "kmm_config_set_cost: NULL %s",
					   !cfg ? "config" : "name");
	if (cost_find(name) < 0)
		return kmm_error_nomachine(
			KMM_EINVAL, "cost %s: no such cost (see /sys/kernel/debug/kmm/costs)",
			name);
	for (i = 0; i < cfg->nr_costs; i++)
		if (strcmp(cfg->costs[i].name, name) == 0)
			break;
	if (i == KMM_MAX_COSTS)
		return kmm_error_nomachine(KMM_EINVAL, "too many cost settings (at most %d)",
					   KMM_MAX_COSTS);
	snprintf(cfg->costs[i].name, sizeof(cfg->costs[i].name), "%s", name);
	cfg->costs[i].cycles = cycles;
	if (i == cfg->nr_costs)
		cfg->nr_costs++;
	return KMM_OK;
}

enum kmm_status kmm_config_append(struct kmm_config *cfg, const char *params)
{
	size_t len, add;

	if (!cfg || !params)
		return kmm_error_nomachine(KMM_EINVAL, "kmm_config_append: NULL %s",
					   !cfg ? "config" : "params");
	len = strnlen(cfg->cmdline, sizeof(cfg->cmdline));
	add = strlen(params);
	if (len + (len ? 1 : 0) + add + 1 > sizeof(cfg->cmdline))
		return kmm_error_nomachine(
			KMM_EINVAL, "kernel command line longer than %d bytes (COMMAND_LINE_SIZE)",
			KMM_CMDLINE_MAX);
	if (len && add)
		cfg->cmdline[len++] = ' ';
	memcpy(cfg->cmdline + len, params, add + 1);
	return KMM_OK;
}

uint64_t kmm_config_ram_size(const struct kmm_config *cfg)
{
	uint64_t total = 0;

	for (uint32_t i = 0; i < cfg->nr_banks && i < KMM_MAX_BANKS; i++)
		total += cfg->banks[i].size;
	return total;
}

enum kmm_status kmm_parse_size(const char *text, uint64_t *out)
{
	if (!text || !out)
		return kmm_error_nomachine(KMM_EINVAL, "kmm_parse_size: NULL %s",
					   !text ? "text" : "out");
	return parse_size(text, out);
}

uint32_t kmm_config_mmio_layout(const struct kmm_config *cfg, struct kmm_mmio_range *out,
				uint32_t max)
{
	return board_mmio_layout(cfg, out, max);
}

static bool ranges_overlap(uint64_t a, uint64_t as, uint64_t b, uint64_t bs)
{
	return a < b + bs && b < a + as;
}

static enum kmm_status validate_banks(const struct kmm_config *cfg)
{
	if (cfg->nr_banks == 0 || cfg->nr_banks > KMM_MAX_BANKS)
		return kmm_error_nomachine(KMM_EINVAL,
					   "the machine needs 1 to %d RAM banks, not %u",
					   KMM_MAX_BANKS, cfg->nr_banks);
	for (uint32_t i = 0; i < cfg->nr_banks; i++) {
		const struct kmm_ram_bank *b = &cfg->banks[i];

		if (b->size == 0)
			return kmm_error_nomachine(KMM_EINVAL,
						   "RAM bank %u at 0x%" PRIx64 " has size zero", i,
						   b->base);
		if ((b->base | b->size) & (KMM_PAGE_SIZE - 1))
			return kmm_error_nomachine(KMM_EINVAL,
						   "RAM bank %u: base 0x%" PRIx64
						   " and size 0x%" PRIx64 " must be 4 KiB aligned",
						   i, b->base, b->size);
		if (b->base >= KMM_PA_LIMIT || b->size > KMM_PA_LIMIT - b->base)
			return kmm_error_nomachine(
				KMM_EINVAL,
				"RAM bank %u [0x%" PRIx64 " + 0x%" PRIx64
				"] goes beyond the 48-bit physical address space",
				i, b->base, b->size);
		for (uint32_t j = 0; j < i; j++) {
			const struct kmm_ram_bank *o = &cfg->banks[j];
			if (ranges_overlap(b->base, b->size, o->base, o->size))
				return kmm_error_nomachine(KMM_EINVAL,
							   "RAM banks %u [0x%" PRIx64 "-0x%" PRIx64
							   ") and %u [0x%" PRIx64 "-0x%" PRIx64
							   ") overlap",
							   j, o->base, o->base + o->size, i,
							   b->base, b->base + b->size);
		}
	}
	return KMM_OK;
}

static enum kmm_status validate_mmio(const struct kmm_config *cfg)
{
	struct kmm_mmio_range all[KMM_MAX_MMIO + 16];
	uint32_t n = kmm_config_mmio_layout(cfg, all, KMM_MAX_MMIO + 16);

	if (cfg->nr_mmio > KMM_MAX_MMIO)
		return kmm_error_nomachine(KMM_EINVAL, "too many MMIO ranges");
	for (uint32_t i = 0; i < n; i++) {
		const struct kmm_mmio_range *r = &all[i];

		if (r->size == 0 || r->base > UINT64_MAX - r->size ||
		    r->base + r->size > KMM_PA_LIMIT)
			return kmm_error_nomachine(KMM_EINVAL,
						   "MMIO range %s [0x%" PRIx64 " + 0x%" PRIx64
						   "] is empty or beyond the 48-bit "
						   "physical address space",
						   r->name, r->base, r->size);
		for (uint32_t b = 0; b < cfg->nr_banks; b++) {
			if (ranges_overlap(r->base, r->size, cfg->banks[b].base,
					   cfg->banks[b].size))
				return kmm_error_nomachine(KMM_EINVAL,
							   "MMIO range %s [0x%" PRIx64 "-0x%" PRIx64
							   ") overlaps RAM bank %u",
							   r->name, r->base, r->base + r->size, b);
		}
		for (uint32_t j = 0; j < i; j++) {
			const struct kmm_mmio_range *o = &all[j];
			bool nested =
				(r->base >= o->base && r->base + r->size <= o->base + o->size) ||
				(o->base >= r->base && o->base + o->size <= r->base + r->size);
			if (ranges_overlap(r->base, r->size, o->base, o->size) && !nested)
				return kmm_error_nomachine(KMM_EINVAL,
							   "MMIO ranges %s and %s overlap "
							   "partly",
							   o->name, r->name);
		}
	}
	return KMM_OK;
}

static enum kmm_status validate_numa(const struct kmm_config *cfg)
{
	uint64_t total = 0;
	uint32_t owner[KMM_MAX_CPUS];

	if (cfg->nr_nodes == 0)
		return KMM_OK;
	if (cfg->nr_nodes > KMM_MAX_NODES)
		return kmm_error_nomachine(KMM_EINVAL, "at most %d NUMA nodes", KMM_MAX_NODES);
	memset(owner, 0xff, sizeof(owner));
	for (uint32_t nid = 0; nid < cfg->nr_nodes; nid++) {
		const struct kmm_numa_node *n = &cfg->nodes[nid];

		if (!n->present)
			return kmm_error_nomachine(KMM_EINVAL,
						   "NUMA node ids must be 0..%u without "
						   "gaps: node %u is missing",
						   cfg->nr_nodes - 1, nid);
		if (n->mem_size == 0)
			return kmm_error_nomachine(KMM_EINVAL,
						   "NUMA node %u has no memory: "
						   "memoryless nodes are not modelled",
						   nid);
		if (n->mem_size & (KMM_PAGE_SIZE - 1))
			return kmm_error_nomachine(KMM_EINVAL,
						   "NUMA node %u: memory size 0x%" PRIx64
						   " is not a multiple of 4 KiB",
						   nid, n->mem_size);
		total += n->mem_size;
		if (!n->has_cpus)
			continue;
		if (n->cpu_last >= cfg->nr_cpus)
			return kmm_error_nomachine(KMM_EINVAL,
						   "NUMA node %u: CPU %u does not exist "
						   "(the machine has %u CPUs)",
						   nid, n->cpu_last, cfg->nr_cpus);
		for (uint32_t c = n->cpu_first; c <= n->cpu_last; c++) {
			if (owner[c] != UINT32_MAX)
				return kmm_error_nomachine(KMM_EINVAL,
							   "CPU %u is in NUMA nodes %u "
							   "and %u",
							   c, owner[c], nid);
			owner[c] = nid;
		}
	}
	if (total != kmm_config_ram_size(cfg))
		return kmm_error_nomachine(KMM_EINVAL,
					   "total memory for NUMA nodes (0x%" PRIx64
					   ") should equal RAM size (0x%" PRIx64 ")",
					   total, kmm_config_ram_size(cfg));
	for (uint32_t a = 0; a < cfg->nr_nodes; a++) {
		for (uint32_t b = 0; b < cfg->nr_nodes; b++) {
			uint8_t d = cfg->distance[a][b];
			if (d && ((a == b && d != 10) || (a != b && d <= 10)))
				return kmm_error_nomachine(KMM_EINVAL,
							   "NUMA distance %u->%u = %u is "
							   "invalid",
							   a, b, d);
		}
	}
	return KMM_OK;
}

static enum kmm_status validate_reserves(const struct kmm_config *cfg)
{
	if (cfg->nr_reserves > KMM_MAX_RESERVES)
		return kmm_error_nomachine(KMM_EINVAL, "too many early reservations");
	for (uint32_t i = 0; i < cfg->nr_reserves; i++) {
		const struct kmm_reserve *r = &cfg->reserves[i];
		bool inside = false;

		if (r->size == 0)
			return kmm_error_nomachine(KMM_EINVAL, "reservation %u has size zero", i);
		if (r->base == KMM_PA_ANY)
			continue;
		for (uint32_t b = 0; b < cfg->nr_banks; b++)
			inside |= r->base >= cfg->banks[b].base &&
				  r->size <= cfg->banks[b].size - (r->base - cfg->banks[b].base) &&
				  r->base - cfg->banks[b].base < cfg->banks[b].size;
		if (!inside)
			return kmm_error_nomachine(KMM_EINVAL,
						   "reservation 0x%" PRIx64 "@0x%" PRIx64
						   " is not inside one RAM bank",
						   r->size, r->base);
	}
	return KMM_OK;
}

/* The -sysctl list: a count in range, each name and value a terminated string. */
static enum kmm_status validate_sysctls(const struct kmm_config *cfg)
{
	if (cfg->nr_sysctls > KMM_MAX_SYSCTLS)
		return kmm_error_nomachine(KMM_EINVAL, "%u sysctls: at most %d", cfg->nr_sysctls,
					   KMM_MAX_SYSCTLS);
	for (uint32_t i = 0; i < cfg->nr_sysctls; i++) {
		const struct kmm_sysctl_setting *sc = &cfg->sysctls[i];

		if (!memchr(sc->name, '\0', sizeof(sc->name)) ||
		    !memchr(sc->value, '\0', sizeof(sc->value)) || !sc->name[0])
			return kmm_error_nomachine(KMM_EINVAL,
						   "sysctl %u: the name is empty, or the name or "
						   "value is not terminated within %zu bytes",
						   i, sizeof(sc->name));
		if (!sysctl_exists(sc->name))
			return kmm_error_nomachine(KMM_EINVAL, "-sysctl %s: no such tunable",
						   sc->name);
	}
	return KMM_OK;
}

enum kmm_status kmm_config_validate(const struct kmm_config *cfg)
{
	struct kernel_params params;
	char err[256];
	enum kmm_status st;

	if (!cfg)
		return kmm_error_nomachine(KMM_EINVAL, "config is NULL");
	if (cfg->board != KMM_BOARD_VIRT && cfg->board != KMM_BOARD_NONE)
		return kmm_error_nomachine(KMM_EINVAL, "unknown board %d", (int)cfg->board);
	if (cfg->nr_cpus == 0 || cfg->nr_cpus > KMM_MAX_CPUS)
		return kmm_error_nomachine(KMM_EINVAL,
					   "%u CPUs: the machine supports 1 to %d "
					   "(CONFIG_NR_CPUS)",
					   cfg->nr_cpus, KMM_MAX_CPUS);
	if (cfg->cpu_mhz == 0)
		return kmm_error_nomachine(KMM_EINVAL, "cpu_mhz must not be zero");
	if (cfg->host_granule != 0 && cfg->host_granule != 4096 &&
	    cfg->host_granule != (uint64_t)2 << 20)
		return kmm_error_nomachine(KMM_EINVAL,
					   "host_granule %" PRIu64
					   ": must be 0 (auto), 4096 or 2097152 (2 MiB)",
					   cfg->host_granule);
	if (!memchr(cfg->cpu_model, '\0', sizeof(cfg->cpu_model)) ||
	    (cfg->cpu_model[0] && !hw_cpu_model(cfg->cpu_model)))
		return kmm_error_nomachine(
			KMM_EINVAL, "CPU model \"%.15s\": the machine has cortex-a57 and max",
			cfg->cpu_model);
	if (cfg->asid_bits != 0 && cfg->asid_bits != 8 && cfg->asid_bits != 16)
		return kmm_error_nomachine(KMM_EINVAL,
					   "asid_bits %u: must be 0 (the model's), 8 or 16",
					   cfg->asid_bits);
	if (cfg->nr_costs > KMM_MAX_COSTS)
		return kmm_error_nomachine(KMM_EINVAL, "too many cost settings (at most %d)",
					   KMM_MAX_COSTS);
	for (uint32_t i = 0; i < cfg->nr_costs; i++)
		if (!memchr(cfg->costs[i].name, 0, sizeof(cfg->costs[i].name)) ||
		    cost_find(cfg->costs[i].name) < 0)
			return kmm_error_nomachine(KMM_EINVAL, "cost %.31s: no such cost",
						   cfg->costs[i].name);
	if (cfg->kmalloc_minalign < 8 || cfg->kmalloc_minalign > 256 ||
	    (cfg->kmalloc_minalign & (cfg->kmalloc_minalign - 1)))
		return kmm_error_nomachine(KMM_EINVAL,
					   "kmalloc_minalign %u: must be a power of two from 8 to "
					   "256 (KMALLOC_MIN_SIZE)",
					   cfg->kmalloc_minalign);
	if (!memchr(cfg->cmdline, '\0', sizeof(cfg->cmdline)))
		return kmm_error_nomachine(KMM_EINVAL, "kernel command line is not terminated");
	st = validate_sysctls(cfg);
	if (!st)
		st = validate_banks(cfg);
	if (!st)
		st = validate_mmio(cfg);
	if (!st)
		st = validate_numa(cfg);
	if (!st)
		st = validate_reserves(cfg);
	if (st)
		return st;
	if (parse_kernel_cmdline(cfg->cmdline, &params, err, sizeof(err)))
		return kmm_error_nomachine(KMM_EINVAL, "kernel command line: %s", err);
	return KMM_OK;
}
