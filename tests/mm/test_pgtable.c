/*
 * The arm64 page-table helpers: protections, descriptor construction and classification,
 * the pte_mk* transitions of hardware dirty-bit management, indices and range ends, and the
 * live-change rule, plus the table walk helpers over a booted machine's swapper_pg_dir.
 *
 * Covers: src/arch/arm64/include/asm/pgtable.h, pgattr_change_is_safe() and the block
 * helpers of src/arch/arm64/mm/mmu.c.
 * Expected values are worked out by hand from the descriptor bits (Arm ARM D8.3; arm64's
 * pgtable-hwdef.h / pgtable-prot.h layout) in the comments.
 */
#include "kmm_test.h"

#include "mm/vmalloc.h"
#include "sim/machine.h"

/*
 * PROT_NORMAL = PTE_TYPE_PAGE 0x3 | AF 0x400 | SHARED 0x300 | PXN 1<<53 | UXN 1<<54 |
 * WRITE(DBM) 1<<51 | AttrIndx 0 = 0x0068000000000703; PAGE_KERNEL adds DIRTY (1<<55).
 */
static void test_pgtable_protections(void **state)
{
	assert_int_equal(pgprot_val(PAGE_KERNEL), 0x00e8000000000703ull);
	/* RO: WRITE off, RDONLY (AP[2], 0x80) on */
	assert_int_equal(pgprot_val(PAGE_KERNEL_RO), 0x00e0000000000783ull);
	/* ROX: PXN off too */
	assert_int_equal(pgprot_val(PAGE_KERNEL_ROX), 0x00c0000000000783ull);
	assert_int_equal(pgprot_val(PAGE_KERNEL_EXEC), 0x00c8000000000703ull);
	/* Device-nGnRE: AttrIndx 4 in bits 4:2 = 0x10 */
	assert_int_equal(PROT_DEVICE_nGnRE, 0x0068000000000713ull);
	assert_int_equal(pgprot_val(pgprot_nx(PAGE_KERNEL_EXEC)), 0x00e8000000000703ull);
	/* a block from a page protection: bits 1:0 become 0b01 */
	assert_int_equal(pgprot_val(mk_pmd_sect_prot(PAGE_KERNEL)), 0x00e8000000000701ull);
}

static void test_pgtable_pte_construction_and_transitions(void **state)
{
	pte_t pte = pfn_pte(0x41234, PAGE_KERNEL);
	/* a writable-clean entry: DBM (WRITE) set, AP[2] (RDONLY) set, no software DIRTY */
	pte_t clean = pfn_pte(0x41234, __pgprot((PROT_NORMAL & ~PTE_WRITE) | PTE_RDONLY));

	assert_int_equal(pte_val(pte), 0x00e8000041234703ull);
	assert_int_equal(pte_pfn(pte), 0x41234);
	assert_true(pte_present(pte) && pte_valid(pte) && pte_young(pte) && pte_write(pte));
	assert_true(pte_dirty(pte)); /* software dirty */
	assert_true(pte_valid_not_user(pte));
	assert_false(pte_none(pte));
	assert_true(pte_none(__pte(0)));
	/* mkwrite of a clean entry: DBM set, AP[2] kept: hardware will clear it on a write */
	pte = pte_mkwrite(clean);
	assert_int_equal(pte_val(pte) & (PTE_WRITE | PTE_RDONLY), PTE_WRITE | PTE_RDONLY);
	assert_false(pte_dirty(pte));
	/* mkdirty of a writable entry: software dirty and AP[2] cleared (hardware dirty) */
	pte = pte_mkdirty(pte);
	assert_int_equal(pte_val(pte) & (PTE_WRITE | PTE_RDONLY | PTE_DIRTY),
			 PTE_WRITE | PTE_DIRTY);
	/* wrprotect keeps the dirtiness in the software bit */
	pte = pte_wrprotect(clear_pte_bit(pte, PTE_DIRTY)); /* hardware-dirty only */
	assert_int_equal(pte_val(pte) & (PTE_WRITE | PTE_RDONLY | PTE_DIRTY),
			 PTE_RDONLY | PTE_DIRTY);
	/* mkclean: no DIRTY, AP[2] set */
	pte = pte_mkclean(pte);
	assert_int_equal(pte_val(pte) & (PTE_RDONLY | PTE_DIRTY), PTE_RDONLY);
	assert_false(pte_young(pte_mkold(pte)));
	assert_true(pte_young(pte_mkyoung(pte_mkold(pte))));
	assert_true(pte_special(pte_mkspecial(pte)));
	assert_true(pte_cont(pte_mkcont(pte)));
	assert_false(pte_cont(pte_mknoncont(pte_mkcont(pte))));
	/* mkhuge: the table bit goes, a block descriptor (0b01) is left */
	assert_int_equal(pte_val(pte_mkhuge(pte)) & 3, 1);
	/* PROT_NONE entries are present but not valid */
	assert_true(pte_present(__pte(PTE_PROT_NONE)) && !pte_valid(__pte(PTE_PROT_NONE)));
}

/* Bits 1:0: 0b11 table, 0b01 block, 0b00 invalid. */
static void test_pgtable_pmd_pud_classification(void **state)
{
	pmd_t table = __pmd(0x40001000ull | PMD_TYPE_TABLE);
	pmd_t block = pfn_pmd(0x40200, mk_pmd_sect_prot(PAGE_KERNEL));
	pud_t pblock = pfn_pud(0x40000, mk_pud_sect_prot(PAGE_KERNEL));

	assert_true(pmd_table(table) && !pmd_leaf(table) && !pmd_bad(table) && !pmd_sect(table));
	assert_true(pmd_leaf(block) && pmd_sect(block) && pmd_bad(block));
	assert_int_equal(pmd_pfn(block), 0x40200);
	assert_int_equal(pmd_page_paddr(table), 0x40001000ull);
	assert_true(pmd_none(__pmd(0)) && !pmd_leaf(__pmd(0)));
	assert_true(pud_leaf(pblock) && pud_bad(pblock));
	assert_int_equal(pud_pfn(pblock), 0x40000);
	assert_false(p4d_bad(__p4d(0x40002000ull | P4D_TYPE_TABLE)));
	assert_true(p4d_bad(__p4d(0x40002001ull)));
}

/*
 * 0xffff800008010000 (_stext in the image mapping): VA[47:39] = 0x100 (256), VA[38:30] = 0,
 * VA[29:21] = 0x08010000 >> 21 = 64, VA[20:12] = 0x8010 & 0x1ff = 16.
 */
static void test_pgtable_indices_and_range_ends(void **state)
{
	const uint64_t va = 0xffff800008010000ull;

	assert_int_equal(pgd_index(va), 256);
	assert_int_equal(pud_index(va), 0);
	assert_int_equal(pmd_index(va), 64);
	assert_int_equal(pte_index(va), 16);
	assert_int_equal(pgd_index(0xffff000000000000ull), 0);
	assert_int_equal(pmd_addr_end(va, va + 0xcf0000), 0xffff800008200000ull);
	assert_int_equal(pmd_addr_end(va, va + 0x1000), va + 0x1000);
	assert_int_equal(pte_cont_addr_end(va + 0x1000, va + 0x100000), va + 0x10000);
	/* the last pgd slot: the boundary wraps to 0, so the end wins */
	assert_int_equal(pgd_addr_end(0xffffff8000000000ull, ~0ull), ~0ull);
}

/* pgattr_change_is_safe(): which live changes need no break-before-make. */
static void test_pgtable_live_change_rule(void **state)
{
	const uint64_t rw = pte_val(pfn_pte(0x40000, PAGE_KERNEL));
	const uint64_t ro = pte_val(pfn_pte(0x40000, PAGE_KERNEL_RO));

	assert_true(pgattr_change_is_safe(0, rw));
	assert_true(pgattr_change_is_safe(rw, 0));
	assert_true(pgattr_change_is_safe(rw, ro));		       /* permissions only */
	assert_true(pgattr_change_is_safe(rw, rw | PTE_NG));	       /* global to non-global */
	assert_false(pgattr_change_is_safe(rw | PTE_NG, rw));	       /* non-global to global */
	assert_false(pgattr_change_is_safe(rw, rw + 0x1000));	       /* another frame */
	assert_false(pgattr_change_is_safe(rw, rw | PTE_CONT));	       /* contiguous */
	assert_false(pgattr_change_is_safe(rw, rw | PTE_ATTRINDX(4))); /* Normal -> Device */
	assert_true(pgattr_change_is_safe(rw, rw | PTE_ATTRINDX(1)));  /* Normal -> Tagged */
}

/*
 * The walk helpers over the booted machine's swapper_pg_dir reach the same descriptors the
 * MMU model reads: the linear-map PTE of pa 0x40000000 maps that frame with PAGE_KERNEL
 * (rodata=full: pages), and pmd/pud_set_huge refuse to turn a live table into a block.
 */
static void test_pgtable_walk_helpers_over_swapper(void **state)
{
	struct kmm_config cfg;
	struct kmm_machine *m;
	struct kmm_kernel *k;
	p4d_t *p4d;
	pud_t *pud;
	pmd_t *pmd;
	pte_t *pte;

	kmm_config_init(&cfg);
	m = test_machine(&cfg);
	k = &m->kernel;
	p4d = p4d_offset(pgd_offset_k(k, PAGE_OFFSET), PAGE_OFFSET);
	assert_false(p4d_none(*p4d));
	pud = pud_offset(k, p4d, PAGE_OFFSET);
	assert_true(pud_table(*pud));
	pmd = pmd_offset(k, pud, PAGE_OFFSET);
	assert_true(pmd_table(*pmd));
	pte = pte_offset_kernel(k, pmd, PAGE_OFFSET);
	assert_int_equal(pte_val(*pte), pte_val(pfn_pte(0x40000, PAGE_KERNEL)));
	/* a table entry is live: replacing it by a block is not a permission change */
	assert_int_equal(pmd_set_huge(pmd, 0x40000000ull, PAGE_KERNEL), 0);
	assert_true(pmd_table(*pmd));
	assert_int_equal(pmd_clear_huge(pmd), 0); /* not a block: left alone */
	test_machine_done(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pgtable_protections),
		cmocka_unit_test(test_pgtable_pte_construction_and_transitions),
		cmocka_unit_test(test_pgtable_pmd_pud_classification),
		cmocka_unit_test(test_pgtable_indices_and_range_ends),
		cmocka_unit_test(test_pgtable_live_change_rule),
		cmocka_unit_test(test_pgtable_walk_helpers_over_swapper),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
