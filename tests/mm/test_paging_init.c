/*
 * paging_init: the kernel page tables in simulated RAM, checked through the MMU model.
 *
 * Covers: src/arch/arm64/mm/mmu.c (paging_init, map_kernel, map_mem, create_idmap, the
 * TTBR1/TCR/MAIR setup, mark_linear_text_alias_ro, mark_rodata_ro),
 * src/arch/arm64/mm/ptdump.c, the rodata= parameter (src/kernel/params.c), and free_initmem's
 * unmapping (src/arch/arm64/kernel/setup.c).
 *
 * Expected values come from the Arm ARM (descriptor and register formats), arm64's 6.1
 * layout (memory.h) and the reference kernel's image layout (the five paging_init areas of
 * the captured /proc/vmallocinfo), worked out by hand in the comments.
 */
#include "kmm_test.h"

#include "mm/vmalloc.h"
#include "sim/machine.h"

#define KIMG(off) (0xffff800008000000ull + (off)) /* KIMAGE_VADDR + offset into the Image */

static struct kmm_machine *boot_cpu(const char *ram, const char *smp, const char *append,
				    const char *cpu)
{
	struct kmm_config cfg;

	kmm_config_init(&cfg);
	if (cpu)
		assert_int_equal(kmm_config_option(&cfg, "-cpu", cpu), KMM_OK);
	assert_int_equal(kmm_config_option(&cfg, "-m", ram), KMM_OK);
	assert_int_equal(kmm_config_option(&cfg, "-smp", smp), KMM_OK);
	if (append)
		assert_int_equal(kmm_config_append(&cfg, append), KMM_OK);
	return test_machine(&cfg);
}

static struct kmm_machine *boot(const char *ram, const char *smp, const char *append)
{
	return boot_cpu(ram, smp, append, NULL);
}

/* AT S1E1R/W on @cpu: the PAR_EL1 value. */
static uint64_t at(struct kmm_machine *m, unsigned cpu, enum kmm_at_op op, uint64_t va)
{
	uint64_t par = 0;

	assert_int_equal(kmm_at(m, cpu, op, va, &par, NULL), KMM_OK);
	return par;
}

#define PAR_PA(par)   ((par)&0x0000fffffffff000ull)
#define PAR_ATTR(par) ((par) >> 56)
#define PAR_FST(par)  (((par) >> 1) & 0x3f)

/*
 * Every page of RAM, through the MMU (AT S1E1R, a full walk of the tables in simulated
 * RAM): VA PAGE_OFFSET + (pa - 0x40000000) translates to pa, Normal WB memory (MAIR
 * attribute 0xff), inner shareable (PAR.SH 0b11). On every CPU for a sample, on CPU 0 for all.
 */
static void test_paging_linear_map_translates_every_page(void **state)
{
	struct kmm_machine *m = boot("1G", "2", NULL);
	uint64_t in = 0x600dcafe12345678ull, out = 0;

	for (uint64_t pa = 0x40000000ull; pa < 0x80000000ull; pa += 4096) {
		uint64_t par = at(m, 0, KMM_AT_S1E1R, 0xffff000000000000ull + (pa - 0x40000000ull));

		if ((par & 1) || PAR_PA(par) != pa || PAR_ATTR(par) != 0xff ||
		    ((par >> 7) & 3) != 3)
			fail_msg("linear map: pa 0x%llx gives PAR 0x%llx", (unsigned long long)pa,
				 (unsigned long long)par);
	}
	/* and a load through the TLB sees what physical memory holds, on both CPUs */
	for (uint64_t pa = 0x40000000ull; pa < 0x80000000ull; pa += 0x1000000ull + 0x3008) {
		uint64_t va = 0xffff000000000000ull + (pa - 0x40000000ull);

		if (pa >= 0x40210000ull && pa < 0x41860000ull)
			continue; /* the read-only alias of the kernel text: tested below */
		assert_int_equal(kmm_phys_write(m, pa, &in, 8), KMM_OK);
		for (unsigned c = 0; c < 2; c++) {
			assert_int_equal(kmm_cpu_access(m, c, KMM_ACCESS_LOAD, va, &out, 8, NULL),
					 KMM_OK);
			assert_int_equal(out, in);
		}
		in++;
	}
	/* beyond the end of RAM nothing is mapped: the PUD table's second 1 GiB slot is
	 * empty, a translation fault at level 1 */
	assert_int_equal(PAR_FST(at(m, 0, KMM_AT_S1E1R, 0xffff000040000000ull)), 0x04 + 1);
	test_machine_done(m);
}

/* The same over two RAM banks with a hole, and with mem=: only memory memblock keeps. */
static void test_paging_linear_map_two_banks_and_mem_limit(void **state)
{
	struct kmm_config cfg;
	struct kmm_machine *m;

	kmm_config_init(&cfg);
	kmm_config_add_bank(&cfg, 0x40000000, 1ull << 30);
	kmm_config_add_bank(&cfg, 0x100000000ull, 256ull << 20);
	m = test_machine(&cfg);
	for (uint64_t pa = 0x100000000ull; pa < 0x110000000ull; pa += 4096) {
		uint64_t par = at(m, 0, KMM_AT_S1E1R, 0xffff000000000000ull + (pa - 0x40000000ull));

		if ((par & 1) || PAR_PA(par) != pa)
			fail_msg("pa 0x%llx gives PAR 0x%llx", (unsigned long long)pa,
				 (unsigned long long)par);
	}
	/* the hole [0x80000000, 0x100000000) is not mapped: its PMD table has no entries
	 * (1 GiB slots 1 and 2 of the PUD table are empty: level 1 fault) */
	assert_int_equal(PAR_FST(at(m, 0, KMM_AT_S1E1R, 0xffff000040000000ull)), 0x04 + 1);
	test_machine_done(m);

	m = boot("1G", "1", "mem=512M");
	assert_int_equal(at(m, 0, KMM_AT_S1E1R, 0xffff00001ffff000ull) & 1, 0);
	assert_int_equal(at(m, 0, KMM_AT_S1E1R, 0xffff000020000000ull) & 1, 1);
	test_machine_done(m);
}

/*
 * Table pages paging_init takes from memblock, for R bytes of RAM at 0x40000000:
 *   rodata=full: image 7 (PUD, PMD, 5 PTE tables: the 2 MiB slots of the segments' ends)
 *     + linear R/2M PTE tables less the 10 blocks [0x40400000, 0x41800000) of the text
 *     alias + R/1G PMD tables + 1 PUD table + idmap 4 = 515 for 1 GiB, 259 for 512 MiB.
 *   rodata=on/off: blocks everywhere: PTE tables only at [0x40200000, 0x40400000) and
 *     [0x41800000, 0x41a00000) (the text alias's unaligned ends), so 7 + 2 + 1 + 1 + 4 = 15.
 * They are the top pages of RAM, just below where NODE_DATA goes later.
 */
static void test_paging_table_pages_from_memblock(void **state)
{
	static const struct {
		const char *ram, *append;
		unsigned long want;
	} cases[] = {
		{"1G", NULL, 515},
		{"512M", NULL, 259},
		{"1G", "rodata=on", 15},
		{"1G", "rodata=off", 15},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct kmm_machine *m = boot(cases[i].ram, "1", cases[i].append);

		if (m->kernel.nr_early_pgtables != cases[i].want)
			fail_msg("-m %s %s: %lu table pages, want %lu", cases[i].ram,
				 cases[i].append ? cases[i].append : "",
				 m->kernel.nr_early_pgtables, cases[i].want);
		test_machine_done(m);
	}
}

/*
 * Registers on every CPU (the "max" model: PARange 52 bits, FEAT_HAFDBS):
 *   MAIR_EL1 = 0xff (Normal, idx 0) | 0xff << 8 (Normal-Tagged as Normal) | 0x44 << 16
 *              (Normal NC) | 0x00 << 24 (Device-nGnRnE) | 0x04 << 32 (Device-nGnRE)
 *   TCR_EL1  = T0SZ 16 | IRGN0 01 << 8 | ORGN0 01 << 10 | SH0 11 << 12 | T1SZ 16 << 16 |
 *              A1 << 22 | IRGN1 01 << 24 | ORGN1 01 << 26 | SH1 11 << 28 | TG1 10 << 30 |
 *              IPS 101 (48 bits, the kernel's cap) << 32 | AS << 36 | TBI0 << 37 |
 *              TBI1 << 38 | HA << 39 | HD << 40 | TBID1 << 52
 *   TTBR1_EL1 = swapper_pg_dir, the page before __init_begin (0x41860000 - 0x1000);
 *   TTBR0_EL1 = reserved_pg_dir, the page before it; SCTLR_EL1.M, C, I set.
 */
static void test_paging_registers_on_every_cpu(void **state)
{
	struct kmm_machine *m = boot_cpu("1G", "4", NULL, "max");
	const uint64_t tcr = 16 | 1ull << 8 | 1ull << 10 | 3ull << 12 | 16ull << 16 | 1ull << 22 |
			     1ull << 24 | 1ull << 26 | 3ull << 28 | 2ull << 30 | 5ull << 32 |
			     1ull << 36 | 1ull << 37 | 1ull << 38 | 1ull << 39 | 1ull << 40 |
			     1ull << 52;

	for (unsigned c = 0; c < 4; c++) {
		uint64_t v;

		assert_int_equal(kmm_mmu_get_reg(m, c, KMM_REG_MAIR_EL1, &v), KMM_OK);
		assert_int_equal(v, 0x000000040044ffffull);
		assert_int_equal(kmm_mmu_get_reg(m, c, KMM_REG_TCR_EL1, &v), KMM_OK);
		assert_int_equal(v, tcr);
		assert_int_equal(kmm_mmu_get_reg(m, c, KMM_REG_TTBR1_EL1, &v), KMM_OK);
		assert_int_equal(v, 0x4185f000ull);
		assert_int_equal(kmm_mmu_get_reg(m, c, KMM_REG_TTBR0_EL1, &v), KMM_OK);
		assert_int_equal(v, 0x4185e000ull);
		assert_int_equal(kmm_mmu_get_reg(m, c, KMM_REG_SCTLR_EL1, &v), KMM_OK);
		assert_int_equal(v & (1 | 1 << 2 | 1 << 12), 1 | 1 << 2 | 1 << 12);
	}
	/* a user address walks the empty reserved_pg_dir: translation fault, level 0 */
	assert_int_equal(PAR_FST(at(m, 2, KMM_AT_S1E1R, 0x400000)), 0x04);
	test_machine_done(m);
}

/*
 * The default CPU, cortex-a57 (the captures' -cpu): PARange 44 bits (ID_AA64MMFR0_EL1 0x1124,
 * PARange 0b0100) so IPS 0b100, and no FEAT_HAFDBS so no HA/HD; the rest as above.
 * With -cpu cortex-a57,asidbits=8, TCR_EL1.AS is RES0 and reads back 0.
 */
static void test_paging_registers_cortex_a57(void **state)
{
	const uint64_t tcr = 16 | 1ull << 8 | 1ull << 10 | 3ull << 12 | 16ull << 16 | 1ull << 22 |
			     1ull << 24 | 1ull << 26 | 3ull << 28 | 2ull << 30 | 4ull << 32 |
			     1ull << 36 | 1ull << 37 | 1ull << 38 | 1ull << 52;
	struct kmm_machine *m = boot("1G", "2", NULL);
	uint64_t v;

	(void)state;
	for (unsigned c = 0; c < 2; c++) {
		assert_int_equal(kmm_mmu_get_reg(m, c, KMM_REG_TCR_EL1, &v), KMM_OK);
		assert_int_equal(v, tcr);
	}
	test_machine_done(m);
	m = boot_cpu("1G", "2", NULL, "cortex-a57,asidbits=8");
	assert_int_equal(kmm_mmu_get_reg(m, 1, KMM_REG_TCR_EL1, &v), KMM_OK);
	assert_int_equal(v, tcr & ~(1ull << 36));
	test_machine_done(m);
}

/*
 * The image at KIMAGE_VADDR = 0xffff800008000000, _text at PA 0x40200000 (so _stext, PA
 * 0x40210000, is KIMG(0x10000)). After boot, with rodata=full:
 *   text   [KIMG(0x10000), KIMG(0xd00000))    read-only, executable
 *   rodata [KIMG(0xd00000), KIMG(0x1660000))  read-only (mark_rodata_ro), not executable
 *   init   [KIMG(0x1660000), KIMG(0x1cb0000)) unmapped by free_initmem
 *   data   [KIMG(0x1cb0000), KIMG(0x2010000)) read-write, not executable
 * Permission faults are Data/Instruction Aborts with FSC 0b0011LL (level of the leaf).
 */
static void test_paging_kernel_image_permissions(void **state)
{
	struct kmm_machine *m = boot("1G", "1", NULL);
	struct kmm_mmu_fault f;
	uint64_t v = 0;

	assert_int_equal(PAR_PA(at(m, 0, KMM_AT_S1E1R, KIMG(0x10000))), 0x40210000ull);
	assert_int_equal(PAR_PA(at(m, 0, KMM_AT_S1E1R, KIMG(0x1cb0000))), 0x41eb0000ull);
	/* text: fetch ok; store: permission fault at level 3 (the first 2 MiB are PTEs) */
	assert_int_equal(kmm_cpu_access(m, 0, KMM_ACCESS_IFETCH, KIMG(0x10000), &v, 4, &f), KMM_OK);
	assert_int_equal(kmm_cpu_access(m, 0, KMM_ACCESS_STORE, KIMG(0x10000), &v, 8, &f),
			 KMM_EFAULT);
	assert_string_equal(f.kind, "permission");
	assert_int_equal(f.level, 3);
	/* text in the middle is a 2 MiB block: the fault is at level 2 */
	assert_int_equal(kmm_cpu_access(m, 0, KMM_ACCESS_STORE, KIMG(0x400000), &v, 8, &f),
			 KMM_EFAULT);
	assert_int_equal(f.level, 2);
	/* rodata: no store, no fetch */
	assert_int_equal(kmm_cpu_access(m, 0, KMM_ACCESS_STORE, KIMG(0xf00000), &v, 8, &f),
			 KMM_EFAULT);
	assert_string_equal(f.kind, "permission");
	assert_int_equal(kmm_cpu_access(m, 0, KMM_ACCESS_IFETCH, KIMG(0xd00000), &v, 4, &f),
			 KMM_EFAULT);
	assert_int_equal(f.esr >> 26, 0x21); /* instruction abort, same EL */
	/* init: gone (translation fault); data: read-write, not executable */
	assert_int_equal(kmm_cpu_access(m, 0, KMM_ACCESS_LOAD, KIMG(0x1700000), &v, 8, &f),
			 KMM_EFAULT);
	assert_string_equal(f.kind, "translation");
	assert_int_equal(kmm_cpu_access(m, 0, KMM_ACCESS_STORE, KIMG(0x1cb0000), &v, 8, &f),
			 KMM_OK);
	assert_int_equal(kmm_cpu_access(m, 0, KMM_ACCESS_IFETCH, KIMG(0x1cb0000), &v, 4, &f),
			 KMM_EFAULT);
	/* the linear alias of the text is read-only (mark_linear_text_alias_ro) */
	assert_int_equal(kmm_cpu_access(m, 0, KMM_ACCESS_STORE, 0xffff000000210000ull, &v, 8, &f),
			 KMM_EFAULT);
	assert_string_equal(f.kind, "permission");
	test_machine_done(m);

	/* rodata=off: text is PAGE_KERNEL_EXEC and rodata stays writable */
	m = boot("1G", "1", "rodata=off");
	assert_int_equal(kmm_cpu_access(m, 0, KMM_ACCESS_STORE, KIMG(0x10000), &v, 8, &f), KMM_OK);
	assert_int_equal(kmm_cpu_access(m, 0, KMM_ACCESS_STORE, KIMG(0xf00000), &v, 8, &f), KMM_OK);
	test_machine_done(m);
}

/* rodata= takes full, on or off; anything else is refused with the values named. */
static void test_paging_rodata_parameter(void **state)
{
	struct kmm_config cfg;
	struct kmm_machine *m = NULL;

	kmm_config_init(&cfg);
	kmm_config_append(&cfg, "rodata=maybe");
	assert_int_equal(kmm_machine_create(&cfg, &m), KMM_EINVAL);
	assert_non_null(strstr(kmm_last_error(NULL), "rodata=maybe: expected full, on or off"));
}

/*
 * /sys/kernel/debug/kernel_page_tables for 1 GiB, rodata=full, the linear map and the
 * start of the vmalloc area, derived from arm64's ptdump rules (note_page: one line per
 * run of equal attributes at one level; sizes in the largest unit that divides them; the
 * attribute words of pte_bits[] for PAGE_KERNEL: " " valid, "   " not user, RW/ro, NX/x ,
 * SHD, AF, "  " global, CON or "   ", "   " page / BLK block, UXN, "  " no GP, MEM/NORMAL):
 *   [0x40000000, 0x40210000)  2112K RW pages (memory below _stext)
 *   [0x40210000, 0x40400000)  1984K ro pages, then 10 blocks (20M), then 384K ro pages
 *   [0x41860000, 0x80000000)  0x3e7a0000 bytes = 1023616K RW pages
 *   then holes: 511 GiB of empty PUD slots, 255 empty PGD slots (130560G).
 */
static void test_paging_ptdump_format(void **state)
{
	static const char *const want =
		"---[ Linear Mapping start ]---\n"
		"0xffff000000000000-0xffff000000210000        2112K PTE       RW NX SHD AF"
		"            UXN    MEM/NORMAL\n"
		"0xffff000000210000-0xffff000000400000        1984K PTE       ro NX SHD AF"
		"            UXN    MEM/NORMAL\n"
		"0xffff000000400000-0xffff000001800000          20M PMD       ro NX SHD AF"
		"        BLK UXN    MEM/NORMAL\n"
		"0xffff000001800000-0xffff000001860000         384K PTE       ro NX SHD AF"
		"            UXN    MEM/NORMAL\n"
		"0xffff000001860000-0xffff000040000000     1023616K PTE       RW NX SHD AF"
		"            UXN    MEM/NORMAL\n"
		"0xffff000040000000-0xffff008000000000         511G PUD\n"
		"0xffff008000000000-0xffff800000000000      130560G PGD\n"
		"---[ Linear Mapping end ]---\n"
		"---[ Modules start ]---\n"
		"0xffff800000000000-0xffff800008000000         128M PMD\n"
		"---[ Modules end ]---\n"
		"---[ vmalloc() area ]---\n"
		"0xffff800008000000-0xffff800008010000          64K PTE\n"
		"0xffff800008010000-0xffff800008200000        1984K PTE       ro x  SHD AF"
		"    CON     UXN    MEM/NORMAL\n"
		"0xffff800008200000-0xffff800008c00000          10M PMD       ro x  SHD AF"
		"        BLK UXN    MEM/NORMAL\n";
	struct kmm_machine *m = boot("1G", "1", NULL);
	const char *v = test_view(m, "/sys/kernel/debug/kernel_page_tables");

	if (strncmp(v, want, strlen(want)) != 0)
		fail_msg("kernel_page_tables starts with\n%.2000s", v);
	/* the last markers and the final run, which ends at 0 as note_page(0, -1) leaves it */
	assert_non_null(strstr(v, "---[ vmalloc() end ]---\n---[ Fixmap start ]---\n"));
	assert_non_null(strstr(v, "---[ vmemmap end ]---\n0xfffffe0000000000-0x0000000000000000"
				  "           2T PGD\n"));
	test_machine_done(m);

	/* rodata=on: blocks, and 32 MiB contiguous runs of them (CONT_PMD) from 0x42000000 */
	m = boot("1G", "1", "rodata=on");
	v = test_view(m, "/sys/kernel/debug/kernel_page_tables");
	assert_non_null(strstr(v, "0xffff000002000000-0xffff000040000000         992M PMD       RW"
				  " NX SHD AF    CON BLK UXN    MEM/NORMAL\n"));
	test_machine_done(m);
}

/* kmm_check notices a linear-map PTE gone wrong (pointing one page off), and says where. */
static void test_paging_check_detects_a_bad_linear_pte(void **state)
{
	struct kmm_machine *m = boot("1G", "1", NULL);
	struct kmm_kernel *k = &m->kernel;
	const uint64_t va = 0xffff000001f00000ull; /* pa 0x41f00000: rodata=full pages */
	p4d_t *p4d = p4d_offset(pgd_offset_k(k, va), va);
	pte_t *pte = pte_offset_kernel(k, pmd_offset(k, pud_offset(k, p4d, va), va), va);
	pte_t good = *pte;

	assert_int_equal(pte_pfn(good), 0x41f00);
	set_pte(pte, pfn_pte(0x41f01, PAGE_KERNEL));
	assert_int_equal(kmm_check(m), KMM_ECORRUPT);
	assert_non_null(
		strstr(kmm_last_error(m), "linear map: 0xffff000001f00000 maps pa 0x41f01000"));
	set_pte(pte, good);
	test_machine_done(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_paging_linear_map_translates_every_page),
		cmocka_unit_test(test_paging_linear_map_two_banks_and_mem_limit),
		cmocka_unit_test(test_paging_table_pages_from_memblock),
		cmocka_unit_test(test_paging_registers_on_every_cpu),
		cmocka_unit_test(test_paging_registers_cortex_a57),
		cmocka_unit_test(test_paging_kernel_image_permissions),
		cmocka_unit_test(test_paging_rodata_parameter),
		cmocka_unit_test(test_paging_ptdump_format),
		cmocka_unit_test(test_paging_check_detects_a_bad_linear_pte),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
