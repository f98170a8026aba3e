/*
 * Scenario steps of vmalloc: allocate and free named areas, map devices, purge the lazy
 * areas, and load or store through the current CPU's MMU to watch guard pages and stale TLB
 * entries.
 *
 *   vmalloc NAME SIZE [huge] [zero] [node=N]   vmalloc / vmalloc_huge / vzalloc(_node)
 *   vfree NAME|VA                              (any address: the kernel judges it)
 *   ioremap NAME PA SIZE | iounmap NAME|VA
 *   vpurge                                     vm_unmap_aliases(): purge the lazy areas
 *   load64 ADDR | store64 ADDR VALUE           ADDR: NAME, NAME+OFF or a VA
 *
 * A fault of load64/store64 is an outcome, printed with its syndrome, not an error.
 */
#include "sim/vmalloc_steps.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "sim/machine.h"

#define VM_NAMES_MAX 64

struct vm_names {
	char name[VM_NAMES_MAX][32];
	kmm_va_t va[VM_NAMES_MAX];
	int nr;
};

void scenario_vm_names_free(struct scenario *sc)
{
	free(sc->vm_names);
	sc->vm_names = NULL;
}

/* The slot of @name; with @create a new one, NULL if the name is taken (names are given once). */
static kmm_va_t *name_slot(struct scenario *sc, const char *name, bool create)
{
	struct vm_names *n = sc->vm_names;

	if (!n) {
		if (!create || !(n = sc->vm_names = calloc(1, sizeof(*n))))
			return NULL;
	}
	for (int i = 0; i < n->nr; i++)
		if (strcmp(n->name[i], name) == 0)
			return create ? NULL : &n->va[i];
	if (!create || n->nr == VM_NAMES_MAX || strlen(name) >= sizeof(n->name[0]))
		return NULL;
	strcpy(n->name[n->nr], name);
	return &n->va[n->nr++];
}

/* NAME, NAME+OFF or a number; false if none of those. */
static bool parse_addr(struct scenario *sc, const char *text, kmm_va_t *va)
{
	char name[32];
	const char *plus = strchr(text, '+');
	size_t len = plus ? (size_t)(plus - text) : strlen(text);
	uint64_t off = 0;
	kmm_va_t *slot;

	if (scenario_parse_u64(text, va))
		return true;
	if (len >= sizeof(name) || (plus && !scenario_parse_u64(plus + 1, &off)))
		return false;
	memcpy(name, text, len);
	name[len] = 0;
	slot = name_slot(sc, name, false);
	if (!slot)
		return false;
	*va = *slot + off;
	return true;
}

enum kmm_status step_vmalloc(struct scenario *sc, int argc, char **argv)
{
	bool huge = false, zero = false;
	struct kmm_vm_area area;
	enum kmm_status st;
	uint64_t size;
	kmm_va_t va, *slot;
	int node = -1;

	if (!scenario_parse_u64(argv[2], &size))
		return scenario_fail(sc, KMM_EINVAL, "vmalloc: bad size '%s'", argv[2]);
	for (int i = 3; i < argc; i++) {
		if (strcmp(argv[i], "huge") == 0)
			huge = true;
		else if (strcmp(argv[i], "zero") == 0)
			zero = true;
		else if (strncmp(argv[i], "node=", 5) == 0)
			node = atoi(argv[i] + 5);
		else
			return scenario_fail(sc, KMM_EINVAL,
					     "vmalloc: unknown option '%s' (huge, zero, node=N)",
					     argv[i]);
	}
	slot = name_slot(sc, argv[1], true);
	if (!slot)
		return scenario_fail(sc, KMM_EINVAL,
				     "vmalloc: name '%s' is taken or too long, or too many names",
				     argv[1]);
	if (huge)
		st = kmm_vmalloc_huge(sc->m, size, KMM_GFP_KERNEL | (zero ? KMM___GFP_ZERO : 0),
				      &va);
	else if (node >= 0)
		st = zero ? kmm_vmalloc_node_range(sc->m, size, 1, KMM_VMALLOC_START,
						   KMM_VMALLOC_END, KMM_GFP_KERNEL | KMM___GFP_ZERO,
						   0, node, &va)
			  : kmm_vmalloc_node(sc->m, size, node, &va);
	else
		st = zero ? kmm_vzalloc(sc->m, size, &va) : kmm_vmalloc(sc->m, size, &va);
	if (st)
		return scenario_fail(sc, st, "vmalloc: %s", kmm_last_error(sc->m));
	*slot = va;
	kmm_find_vm_area(sc->m, va, &area);
	sink_printf(&sc->out, "vmalloc %s: 0x%016" PRIx64 ", %u pages%s\n", argv[1], va,
		    area.nr_pages, area.page_order ? " in 2 MiB blocks" : "");
	return KMM_OK;
}

static enum kmm_status free_step(struct scenario *sc, char **argv,
				 enum kmm_status (*op)(struct kmm_machine *m, kmm_va_t va))
{
	enum kmm_status st;
	kmm_va_t va;

	if (!parse_addr(sc, argv[1], &va))
		return scenario_fail(sc, KMM_EINVAL, "%s: '%s' is no name or address", argv[0],
				     argv[1]);
	st = op(sc->m, va);
	if (st)
		return scenario_fail(sc, st, "%s: %s", argv[0], kmm_last_error(sc->m));
	sink_printf(&sc->out, "%s 0x%016" PRIx64 "\n", argv[0], va);
	return KMM_OK;
}

enum kmm_status step_vfree(struct scenario *sc, int argc, char **argv)
{
	return free_step(sc, argv, kmm_vfree);
}

enum kmm_status step_iounmap(struct scenario *sc, int argc, char **argv)
{
	return free_step(sc, argv, kmm_iounmap);
}

enum kmm_status step_ioremap(struct scenario *sc, int argc, char **argv)
{
	uint64_t pa, size;
	kmm_va_t va, *slot;
	enum kmm_status st;

	if (!scenario_parse_u64(argv[2], &pa) || !scenario_parse_u64(argv[3], &size))
		return scenario_fail(sc, KMM_EINVAL, "ioremap: expected PA SIZE, got '%s %s'",
				     argv[2], argv[3]);
	slot = name_slot(sc, argv[1], true);
	if (!slot)
		return scenario_fail(sc, KMM_EINVAL,
				     "ioremap: name '%s' is taken or too long, or too many names",
				     argv[1]);
	st = kmm_ioremap(sc->m, pa, size, &va);
	if (st)
		return scenario_fail(sc, st, "ioremap: %s", kmm_last_error(sc->m));
	*slot = va;
	sink_printf(&sc->out, "ioremap %s: 0x%016" PRIx64 " -> pa 0x%" PRIx64 "\n", argv[1], va,
		    pa);
	return KMM_OK;
}

enum kmm_status step_vpurge(struct scenario *sc, int argc, char **argv)
{
	struct kmm_vmalloc_stats s;

	kmm_vmalloc_stats(sc->m, &s);
	kmm_vm_unmap_aliases(sc->m);
	sink_printf(&sc->out, "vpurge: %" PRIu64 " lazily freed pages purged\n", s.lazy_pages);
	return KMM_OK;
}

/* One 8-byte access by the current CPU; a fault is printed, not failed. */
static enum kmm_status access_step(struct scenario *sc, char **argv, enum kmm_access type,
				   uint64_t value)
{
	unsigned cpu = (unsigned)sc->m->env.cur_cpu;
	struct kmm_mmu_fault f;
	enum kmm_status st;
	kmm_va_t va;

	if (!parse_addr(sc, argv[1], &va))
		return scenario_fail(sc, KMM_EINVAL, "%s: '%s' is no name or address", argv[0],
				     argv[1]);
	st = kmm_cpu_access(sc->m, cpu, type, va, &value, 8, &f);
	if (st == KMM_EFAULT) {
		sink_printf(&sc->out,
			    "%s 0x%016" PRIx64 " on CPU %u: %s fault, level %d, ESR 0x%" PRIx64
			    "\n",
			    argv[0], va, cpu, f.kind, f.level, f.esr);
		return KMM_OK;
	}
	if (st)
		return scenario_fail(sc, st, "%s: %s", argv[0], kmm_last_error(sc->m));
	sink_printf(&sc->out, "%s 0x%016" PRIx64 " on CPU %u: 0x%016" PRIx64 "\n", argv[0], va, cpu,
		    value);
	return KMM_OK;
}

enum kmm_status step_load64(struct scenario *sc, int argc, char **argv)
{
	return access_step(sc, argv, KMM_ACCESS_LOAD, 0);
}

enum kmm_status step_store64(struct scenario *sc, int argc, char **argv)
{
	uint64_t value;

	if (!scenario_parse_u64(argv[2], &value))
		return scenario_fail(sc, KMM_EINVAL, "store64: bad value '%s'", argv[2]);
	return access_step(sc, argv, KMM_ACCESS_STORE, value);
}
