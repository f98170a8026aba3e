/*
 * /sys/kernel/debug/kernel_page_tables: a walk of swapper_pg_dir from PAGE_OFFSET to the
 * top of the address space that prints one line per run of entries with the same level and
 * attributes, with a header at each region marker ("---[ vmalloc() area ]---").
 *
 * Models: arch/arm64/mm/ptdump.c (Linux 6.1): address_markers[], pte_bits[], pg_level[],
 *         note_page(), dump_prot(), ptdump_walk(); mm/ptdump.c and mm/pagewalk.c: the
 *         walk order and the depth of holes (a folded p4d reports its holes as "PGD").
 * Leaves out: the W+X check (ptdump_check_wx) and the KASAN shadow markers (no KASAN).
 * Deviation: CONFIG_PTDUMP_DEBUGFS was off in the reference kernel, so the file is served
 *         from the source's format; the kernel would also disable huge vmap mappings with
 *         it on (arch_vmap_pmd_supported), the model keeps them (its walk cannot race).
 *
 * Line format (note_page):
 *   0x<start 16 hex>-0x<end 16 hex>   <size %9lu><K|M|G|T|P|E> <level>[ <attributes>]
 * where the size is the largest unit that divides it, the attributes one word per
 * pte_bits[] row (set or clear text), printed only for mapped runs.
 */
#include "mm/vmalloc.h"

#include <inttypes.h>

struct addr_marker {
	unsigned long start_address;
	const char *name;
};

static const struct addr_marker address_markers[] = {
	{PAGE_OFFSET, "Linear Mapping start"},
	{PAGE_END, "Linear Mapping end"},
	{MODULES_VADDR, "Modules start"},
	{MODULES_END, "Modules end"},
	{VMALLOC_START, "vmalloc() area"},
	{VMALLOC_END, "vmalloc() end"},
	{FIXADDR_START, "Fixmap start"},
	{FIXADDR_TOP, "Fixmap end"},
	{PCI_IO_START, "PCI I/O start"},
	{PCI_IO_END, "PCI I/O end"},
	{(unsigned long)VMEMMAP_START, "vmemmap start"},
	{VMEMMAP_END, "vmemmap end"},
	{~0ul, NULL},
};

struct prot_bits {
	uint64_t mask, val;
	const char *set, *clear;
};

static const struct prot_bits pte_bits[] = {
	{PTE_VALID, PTE_VALID, " ", "F"},
	{PTE_USER, PTE_USER, "USR", "   "},
	{PTE_RDONLY, PTE_RDONLY, "ro", "RW"},
	{PTE_PXN, PTE_PXN, "NX", "x "},
	{PTE_SHARED, PTE_SHARED, "SHD", "   "},
	{PTE_AF, PTE_AF, "AF", "  "},
	{PTE_NG, PTE_NG, "NG", "  "},
	{PTE_CONT, PTE_CONT, "CON", "   "},
	{PTE_TABLE_BIT, PTE_TABLE_BIT, "   ", "BLK"},
	{PTE_UXN, PTE_UXN, "UXN", "   "},
	{PTE_GP, PTE_GP, "GP", "  "},
	{PTE_ATTRINDX_MASK, PTE_ATTRINDX(MT_DEVICE_nGnRnE), "DEVICE/nGnRnE", NULL},
	{PTE_ATTRINDX_MASK, PTE_ATTRINDX(MT_DEVICE_nGnRE), "DEVICE/nGnRE", NULL},
	{PTE_ATTRINDX_MASK, PTE_ATTRINDX(MT_NORMAL_NC), "MEM/NORMAL-NC", NULL},
	{PTE_ATTRINDX_MASK, PTE_ATTRINDX(MT_NORMAL), "MEM/NORMAL", NULL},
	{PTE_ATTRINDX_MASK, PTE_ATTRINDX(MT_NORMAL_TAGGED), "MEM/NORMAL-TAGGED", NULL},
};

/* pg_level[]: names by depth (pgd, p4d, pud, pmd, pte); every level uses pte_bits. */
static const char *const pg_level_name[] = {"PGD", "P4D", "PUD", "PMD", "PTE"};

struct pg_state {
	const struct sink *seq;
	const struct addr_marker *marker;
	unsigned long start_address;
	int level;
	uint64_t current_prot;
	uint64_t mask; /* the union of pte_bits[] masks (ptdump_initialize) */
};

static void dump_prot(const struct pg_state *st)
{
	for (size_t i = 0; i < sizeof(pte_bits) / sizeof(pte_bits[0]); i++) {
		const char *s = (st->current_prot & pte_bits[i].mask) == pte_bits[i].val
					? pte_bits[i].set
					: pte_bits[i].clear;

		if (s)
			sink_printf(st->seq, " %s", s);
	}
}

/* Models: note_page(). */
static void note_page(struct pg_state *st, unsigned long addr, int level, uint64_t val)
{
	static const char units[] = "KMGTPE";
	uint64_t prot = level >= 0 ? val & st->mask : 0;

	if (st->level == -1) {
		st->level = level;
		st->current_prot = prot;
		st->start_address = addr;
		sink_printf(st->seq, "---[ %s ]---\n", st->marker->name);
	} else if (prot != st->current_prot || level != st->level ||
		   addr >= st->marker[1].start_address) {
		const char *unit = units;
		unsigned long delta = (addr - st->start_address) >> 10;

		sink_printf(st->seq, "0x%016lx-0x%016lx   ", st->start_address, addr);
		while (!(delta & 1023) && unit[1]) {
			delta >>= 10;
			unit++;
		}
		sink_printf(st->seq, "%9lu%c %s", delta, *unit, pg_level_name[st->level]);
		if (st->current_prot)
			dump_prot(st);
		sink_printf(st->seq, "\n");
		if (addr >= st->marker[1].start_address) {
			st->marker++;
			sink_printf(st->seq, "---[ %s ]---\n", st->marker->name);
		}
		st->start_address = addr;
		st->current_prot = prot;
		st->level = level;
	}
	if (addr >= st->marker[1].start_address) {
		st->marker++;
		sink_printf(st->seq, "---[ %s ]---\n", st->marker->name);
	}
}

static void walk_pte_range(const struct kmm_kernel *k, struct pg_state *st, const pmd_t *pmd,
			   unsigned long addr, unsigned long end)
{
	const pte_t *pte = pte_offset_kernel(k, pmd, addr);

	for (;;) { /* walk_pte_range_inner(): stops at end - PAGE_SIZE, as end may be ~0 */
		note_page(st, addr, 4, pte ? pte_val(*pte) : 0);
		if (addr >= end - PAGE_SIZE)
			break;
		addr += PAGE_SIZE;
		pte = pte ? pte + 1 : NULL;
	}
}

static void walk_pmd_range(const struct kmm_kernel *k, struct pg_state *st, const pud_t *pud,
			   unsigned long addr, unsigned long end)
{
	const pmd_t *pmd = pmd_offset(k, pud, addr);
	unsigned long next;

	do {
		next = pmd_addr_end(addr, end);
		if (!pmd || pmd_none(*pmd)) {
			note_page(st, addr, 3, 0); /* pte_hole at depth 3 */
			continue;
		}
		if (pmd_leaf(*pmd)) {
			note_page(st, addr, 3, pmd_val(*pmd));
			continue;
		}
		walk_pte_range(k, st, pmd, addr, next);
	} while (pmd ? pmd++ : 0, addr = next, addr != end);
}

static void walk_pud_range(const struct kmm_kernel *k, struct pg_state *st, const p4d_t *p4d,
			   unsigned long addr, unsigned long end)
{
	const pud_t *pud = pud_offset(k, p4d, addr);
	unsigned long next;

	do {
		next = pud_addr_end(addr, end);
		if (!pud || pud_none(*pud)) {
			note_page(st, addr, 2, 0);
			continue;
		}
		if (pud_leaf(*pud)) {
			note_page(st, addr, 2, pud_val(*pud));
			continue;
		}
		walk_pmd_range(k, st, pud, addr, next);
	} while (pud ? pud++ : 0, addr = next, addr != end);
}

/*
 * Models: ptdump_walk_pgd() over [@start, @end) of the pgd at @pgd; @flush is the address the
 * last run is closed at (the kernel's walk passes 0).
 */
static void ptdump_walk(const struct kmm_kernel *k, struct pg_state *st, phys_addr_t pgd,
			unsigned long start, unsigned long end, unsigned long flush)
{
	unsigned long addr = start, next;

	for (size_t i = 0; i < sizeof(pte_bits) / sizeof(pte_bits[0]); i++)
		st->mask |= pte_bits[i].mask;
	do {
		const p4d_t *p4d = p4d_offset(pgd_offset_pgd(k, pgd, addr), addr);

		next = pgd_addr_end(addr, end);
		if (p4d_none(*p4d) || p4d_bad(*p4d))
			note_page(st, addr, 0,
				  0); /* a folded p4d's hole is reported as the pgd's */
		else
			walk_pud_range(k, st, p4d, addr, next);
	} while (addr = next, addr != end);
	note_page(st, flush, -1, 0); /* flush out the last run */
}

void show_kernel_page_tables(const struct kmm_kernel *k, const struct sink *out)
{
	struct pg_state st = {.seq = out, .marker = address_markers, .level = -1};

	if (!k->swapper_pg_dir)
		return;
	ptdump_walk(k, &st, k->swapper_pg_dir, PAGE_OFFSET, ~0ul, 0);
}

/*
 * A task's user tables (TTBR0_EL1) from 0 to the top of the 48-bit user range, framed by
 * two markers as the kernel frames its EFI runtime tables (efi_page_tables).
 * Deviation: 6.1 has no such file for user tables; the format is note_page()'s.
 */
static const struct addr_marker user_markers[] = {
	{0, "User space"},
	{1ul << 48, "User space end"},
	{~0ul, NULL},
};

void ptdump_user_page_tables(const struct kmm_kernel *k, phys_addr_t pgd, const struct sink *out)
{
	struct pg_state st = {.seq = out, .marker = user_markers, .level = -1};

	ptdump_walk(k, &st, pgd, 0, 1ul << 48, 1ul << 48);
}
