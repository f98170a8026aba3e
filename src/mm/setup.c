/*
 * Kernel boot, as far as the model goes so far: the command line, the memory the kernel
 * will use (banks limited by mem=), early reservations, and the claims on the physical
 * address space that /proc/iomem shows.
 *
 * Models: arch/arm64/kernel/setup.c:setup_arch() (order of steps),
 *         arch/arm64/kernel/setup.c:request_standard_resources(),
 *         kernel/resource.c:reserve_memblock_reserved_regions() (via the "reserved" claims),
 *         mm/memblock.c:memblock_mem_limit_remove_map() (mem= keeps the lowest bytes).
 * Deviation: until the memblock model arrives (boot-time memory issue), memory regions and
 *         reservations are kept in small local arrays with the same merge and top-down
 *         placement rules; the kernel image is not placed yet, so /proc/iomem has no
 *         "Kernel code"/"Kernel data" lines.
 *
 * Invariants (kernel_check):
 *  1. The iomem tree satisfies resource.h's invariants.
 *  2. Every "System RAM" claim covers RAM only.
 *  3. Every reservation lies inside a memory region.
 */
#include "mm/kernel.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>

#include "hw/phys.h"

static void region_add(struct boot_regions *r, uint64_t base, uint64_t end, int nid)
{
	if (r->nr > 0 && r->r[r->nr - 1].end == base && r->r[r->nr - 1].nid == nid) {
		r->r[r->nr - 1].end = end; /* adjacent, same node: merge as memblock does */
		return;
	}
	r->r[r->nr++] = (struct boot_region){.base = base, .end = end, .nid = nid};
}

/*
 * Splits the RAM banks at NUMA node boundaries: node i owns the next nodes[i].mem_size bytes
 * of RAM in PA order (QEMU's layout).
 */
static void setup_memory_regions(struct kmm_kernel *k)
{
	const struct hw_phys *phys = &k->hw->phys;
	const struct kmm_config *cfg = k->cfg;
	uint32_t nid = 0;
	uint64_t node_left = cfg->nr_nodes ? cfg->nodes[0].mem_size : UINT64_MAX;

	k->memory.nr = 0;
	for (uint32_t i = 0; i < phys->nr_banks; i++) {
		uint64_t base = phys->banks[i].base, end = phys->banks[i].end;

		while (base < end) {
			uint64_t n = end - base < node_left ? end - base : node_left;
			region_add(&k->memory, base, base + n, (int)nid);
			base += n;
			node_left -= n;
			if (node_left == 0 && nid + 1 < cfg->nr_nodes)
				node_left = cfg->nodes[++nid].mem_size;
		}
	}
}

/* Models: mm/memblock.c:memblock_mem_limit_remove_map() for mem=. */
static void enforce_memory_limit(struct kmm_kernel *k, uint64_t limit)
{
	uint64_t left = limit;
	uint32_t i;

	if (limit == PHYS_ADDR_MAX)
		return;
	for (i = 0; i < k->memory.nr && left; i++) {
		uint64_t size = k->memory.r[i].end - k->memory.r[i].base;
		if (size > left) {
			k->memory.r[i].end = k->memory.r[i].base + left;
			left = 0;
		} else {
			left -= size;
		}
	}
	k->memory.nr = i;
	env_printk(k->env, "Memory limited to %" PRIu64 "MB\n", limit >> 20);
}

static bool reserved_overlaps(const struct boot_regions *res, uint64_t base, uint64_t end,
			      uint64_t *below)
{
	for (uint32_t i = 0; i < res->nr; i++) {
		if (res->r[i].base < end && base < res->r[i].end) {
			*below = res->r[i].base;
			return true;
		}
	}
	return false;
}

/* Top-down placement in memory not yet reserved, like memblock's default mode. */
static int place_reserve(struct kmm_kernel *k, uint64_t size, uint64_t *out)
{
	for (uint32_t i = k->memory.nr; i-- > 0;) {
		const struct boot_region *m = &k->memory.r[i];
		uint64_t top = m->end, below;

		while (top >= m->base + size) {
			uint64_t base = (top - size) & ~(KMM_PAGE_SIZE - 1);
			if (base < m->base)
				break;
			if (!reserved_overlaps(&k->reserved, base, base + size, &below)) {
				*out = base;
				return 0;
			}
			top = below;
		}
	}
	return -ENOMEM;
}

static void reserved_insert(struct boot_regions *res, uint64_t base, uint64_t end)
{
	uint32_t i = res->nr++;

	while (i > 0 && res->r[i - 1].base > base) {
		res->r[i] = res->r[i - 1];
		i--;
	}
	res->r[i] = (struct boot_region){.base = base, .end = end, .nid = -1};
}

/* Merges overlapping and adjacent reservations, as memblock_merge_regions() does. */
static void reserved_merge(struct boot_regions *res)
{
	uint32_t out = 0;

	for (uint32_t i = 0; i < res->nr; i++) {
		if (out > 0 && res->r[out - 1].end >= res->r[i].base) {
			if (res->r[i].end > res->r[out - 1].end)
				res->r[out - 1].end = res->r[i].end;
			continue;
		}
		res->r[out++] = res->r[i];
	}
	res->nr = out;
}

static int setup_reservations(struct kmm_kernel *k)
{
	const struct kmm_config *cfg = k->cfg;

	k->reserved.nr = 0;
	/* Fixed placements first, so that placed ones go around them. */
	for (uint32_t i = 0; i < cfg->nr_reserves; i++) {
		const struct kmm_reserve *r = &cfg->reserves[i];
		if (r->base != KMM_PA_ANY)
			reserved_insert(&k->reserved, r->base, r->base + r->size);
	}
	for (uint32_t i = 0; i < cfg->nr_reserves; i++) {
		const struct kmm_reserve *r = &cfg->reserves[i];
		uint64_t base;

		if (r->base != KMM_PA_ANY)
			continue;
		if (place_reserve(k, r->size, &base)) {
			env_error(k->env, KMM_ENOMEM,
				  "-reserve %" PRIu64 "K: no free memory range is large enough",
				  r->size >> 10);
			return -ENOSPC;
		}
		reserved_insert(&k->reserved, base, base + r->size);
	}
	reserved_merge(&k->reserved);
	return 0;
}

static struct resource *new_resource(struct kmm_kernel *k, uint64_t start, uint64_t end,
				     const char *name, unsigned long flags)
{
	struct resource *r = env_alloc(k->env, sizeof(*r));

	if (!r)
		env_error(k->env, KMM_EHOST, "host memory exhausted while claiming %s", name);
	else
		*r = (struct resource){.start = start, .end = end, .name = name, .flags = flags};
	return r;
}

/* Models: arch/arm64/kernel/setup.c:request_standard_resources() and the device claims. */
static int request_standard_resources(struct kmm_kernel *k)
{
	const struct hw_phys *phys = &k->hw->phys;
	struct resource *root = &k->iomem_resource;

	*root = (struct resource){.start = 0, .end = UINT64_MAX, .name = "PCI mem",
				  .flags = IORESOURCE_MEM};
	for (uint32_t i = 0; i < phys->nr_mmio; i++) {
		const struct phys_mmio *d = &phys->mmio[i];
		struct resource *r = new_resource(k, d->base, d->end - 1, d->name, IORESOURCE_MEM);
		if (!r)
			return -ENOMEM;
		if (request_region_nested(root, r)) {
			env_free(k->env, r);
			env_error(k->env, KMM_EINVAL, "MMIO range %s conflicts in /proc/iomem",
				  d->name);
			return -EBUSY;
		}
	}
	for (uint32_t i = 0; i < k->memory.nr; i++) {
		const struct boot_region *m = &k->memory.r[i];
		struct resource *ram = new_resource(k, m->base, m->end - 1, "System RAM",
						    IORESOURCE_MEM | IORESOURCE_SYSRAM |
							    IORESOURCE_BUSY);
		if (!ram)
			return -ENOMEM;
		if (request_resource_conflict(root, ram)) {
			env_free(k->env, ram);
			env_error(k->env, KMM_EINVAL, "RAM at 0x%" PRIx64 " conflicts in /proc/iomem",
				  m->base);
			return -EBUSY;
		}
		/* reserve_memblock_reserved_regions(): the part of each reservation inside. */
		for (uint32_t j = 0; j < k->reserved.nr; j++) {
			uint64_t s = k->reserved.r[j].base & ~(KMM_PAGE_SIZE - 1);
			uint64_t e = (k->reserved.r[j].end + KMM_PAGE_SIZE - 1) & ~(KMM_PAGE_SIZE - 1);
			struct resource *r;

			s = s > m->base ? s : m->base;
			e = e < m->end ? e : m->end;
			if (s >= e)
				continue;
			r = new_resource(k, s, e - 1, "reserved", IORESOURCE_MEM);
			if (!r)
				return -ENOMEM;
			request_resource_conflict(ram, r);
		}
	}
	return 0;
}

int kernel_boot(struct kmm_kernel *k, struct kmm_env *env, struct kmm_hw *hw,
		const struct kmm_config *cfg)
{
	char err[256];
	int ret;

	memset(k, 0, sizeof(*k));
	k->env = env;
	k->hw = hw;
	k->cfg = cfg;
	k->iomem_resource.name = "PCI mem";

	env_printk(env, "Booting Linux on physical CPU 0x0000000000 [0x411fd070]\n");
	env_printk(env, "Linux version 6.1.0-kmm (libkmm model of Linux 6.1.192, arm64)\n");
	env_printk(env, "Kernel command line: %s\n", cfg->cmdline);
	ret = parse_kernel_cmdline(cfg->cmdline, &k->params, err, sizeof(err));
	if (ret) {
		env_error(env, KMM_EINVAL, "kernel command line: %s", err);
		return ret;
	}
	setup_memory_regions(k);
	enforce_memory_limit(k, k->params.memory_limit);
	ret = setup_reservations(k);
	if (!ret)
		ret = request_standard_resources(k);
	if (ret) {
		kernel_shutdown(k);
		return ret;
	}
	k->booted = true;
	return 0;
}

void kernel_shutdown(struct kmm_kernel *k)
{
	if (k->env)
		resource_free_children(k->env, &k->iomem_resource);
	k->booted = false;
}

bool kernel_check(const struct kmm_kernel *k, char *why, size_t whylen)
{
	const struct resource *r;

	if (!resource_check(&k->iomem_resource, why, whylen))
		return false;
	for (r = k->iomem_resource.child; r; r = r->sibling) {
		if (!(r->flags & IORESOURCE_SYSRAM))
			continue;
		/* Walk bank by bank: a claim may span adjacent banks, never a hole. */
		for (uint64_t pa = r->start; pa <= r->end;) {
			const struct phys_bank *b = phys_bank_of(&k->hw->phys, pa);
			if (!b) {
				snprintf(why, whylen, "iomem: System RAM claim covers 0x%" PRIx64
					 " which is not RAM", pa);
				return false;
			}
			if (b->end == 0 || b->end - 1 >= r->end)
				break;
			pa = b->end;
		}
	}
	for (uint32_t i = 0; i < k->reserved.nr; i++) {
		bool inside = false;
		for (uint32_t j = 0; j < k->memory.nr; j++)
			inside |= k->reserved.r[i].base < k->memory.r[j].end &&
				  k->memory.r[j].base < k->reserved.r[i].end;
		if (!inside && k->params.memory_limit == PHYS_ADDR_MAX) {
			snprintf(why, whylen, "boot: reservation at 0x%" PRIx64 " is outside memory",
				 k->reserved.r[i].base);
			return false;
		}
	}
	return true;
}
