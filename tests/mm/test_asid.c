/*
 * The arm64 ASID allocator, switch_mm and the user TLB flushes, on a booted machine with
 * hand-built user page tables (one pgd per test mm, one 4 KiB page mapped at each of a few
 * user addresses).
 *
 * Covers: src/arch/arm64/mm/context.c, the user half of src/arch/arm64/mm/tlbflush.c,
 * src/arch/arm64/mm/mmap.c (protection_map, vm_get_page_prot, the ptep helpers).
 * Expected values come from the kernel's rules (6.1 context.c, tlbflush.h, pgtable-prot.h),
 * worked out in the comments.
 */
#include "kmm_test.h"

#include <inttypes.h>

#include "arch/arm64/include/asm/mmu_context.h"
#include "arch/arm64/include/asm/pgtable.h"
#include "arch/arm64/include/asm/tlbflush.h"
#include "hw/cpu.h"
#include "mm/gfp.h"
#include "hw/mmu.h"
#include "lib/sink.h"
#include "mm/mmap.h"
#include "sim/machine.h"

#define NVA 3
static const uint64_t user_va[NVA] = {0x400000, 0x401000, 0x7fff0000};

/* A test mm: its own tables, and one data page per address, stamped with (id, va index). */
struct tmm {
	struct mm_struct mm;
	struct vm_area_struct vma;
	phys_addr_t data[NVA];
	uint64_t id;
};

static struct kmm_machine *boot(const char *cpu, const char *smp)
{
	struct kmm_config cfg;

	kmm_config_init(&cfg);
	assert_int_equal(kmm_config_option(&cfg, "-cpu", cpu), KMM_OK);
	assert_int_equal(kmm_config_option(&cfg, "-smp", smp), KMM_OK);
	assert_int_equal(kmm_config_option(&cfg, "-m", "512M"), KMM_OK);
	return test_machine(&cfg);
}

/* A zeroed page (a user table or data page: not counted as a kernel page table). */
static phys_addr_t table_page(struct kmm_kernel *k)
{
	struct page *p = alloc_pages(k, GFP_KERNEL | __GFP_ZERO, 0);

	assert_non_null(p);
	return (phys_addr_t)page_to_pfn(k, p) << PAGE_SHIFT;
}

/* Maps @va -> @pa (PAGE_READONLY | user) in the tables under @pgd, allocating as needed. */
static pte_t *map_user_page(struct kmm_kernel *k, phys_addr_t pgd, uint64_t va, phys_addr_t pa,
			    pgprot_t prot)
{
	p4d_t *p4d = p4d_offset(pgd_offset_pgd(k, pgd, va), va);
	pud_t *pud;
	pmd_t *pmd;
	pte_t *pte;

	if (p4d_none(*p4d))
		__p4d_populate(p4d, table_page(k), P4D_TYPE_TABLE);
	pud = pud_offset(k, p4d, va);
	if (pud_none(*pud))
		__pud_populate(pud, table_page(k), PUD_TYPE_TABLE);
	pmd = pmd_offset(k, pud, va);
	if (pmd_none(*pmd))
		__pmd_populate(pmd, table_page(k), PMD_TYPE_TABLE);
	pte = pte_offset_kernel(k, pmd, va);
	set_pte(pte, pfn_pte(pa >> PAGE_SHIFT, prot));
	return pte;
}

/* The uncached answer: a software walk of @mm's own tables (NULL pte: not mapped). */
static phys_addr_t walk(struct kmm_kernel *k, struct mm_struct *mm, uint64_t va)
{
	p4d_t *p4d = p4d_offset(pgd_offset_pgd(k, mm->pgd, va), va);
	pud_t *pud;
	pmd_t *pmd;
	pte_t *pte;

	if (p4d_none(*p4d))
		return 0;
	pud = pud_offset(k, p4d, va);
	if (pud_none(*pud))
		return 0;
	pmd = pmd_offset(k, pud, va);
	if (pmd_none(*pmd))
		return 0;
	pte = pte_offset_kernel(k, pmd, va);
	return pte_valid(*pte) ? __pte_to_phys(*pte) : 0;
}

static void tmm_init(struct kmm_kernel *k, struct tmm *t, uint64_t id)
{
	memset(t, 0, sizeof(*t));
	t->id = id;
	t->mm.kernel = k;
	t->mm.mm_users = 1;
	init_new_context(&t->mm);
	t->mm.pgd = table_page(k);
	t->vma.vm_mm = &t->mm;
	t->vma.vm_start = 0x400000;
	t->vma.vm_end = 0x402000;
	for (int i = 0; i < NVA; i++) {
		uint64_t *host;

		t->data[i] = table_page(k);
		host = pgtable_host(k, t->data[i]);
		host[0] = id << 8 | (uint64_t)i;
		map_user_page(k, t->mm.pgd, user_va[i], t->data[i], PAGE_READONLY);
	}
}

/* A load of 8 bytes at @va by @cpu at EL0: the PA it used (0 on a fault) and the value. */
static phys_addr_t load(struct kmm_machine *m, int cpu, uint64_t va, uint64_t *val)
{
	struct hw_cpu *c = &m->hw.cpus[cpu];
	struct hw_fault f;
	kmm_pa_t pa = 0;
	bool ok;

	assert_true(hw_cpu_set_reg(&m->hw, c, HW_REG_CURRENT_EL, 0));
	ok = mmu_access(&m->hw, c, HW_ACC_READ, va, val, sizeof(*val), &pa, &f);
	assert_true(hw_cpu_set_reg(&m->hw, c, HW_REG_CURRENT_EL, 1));
	return ok ? pa : 0;
}

static void check_asid(struct kmm_kernel *k)
{
	char why[256];

	if (!asid_check(k, why, sizeof(why)))
		fail_msg("asid_check: %s", why);
}

/* Every mapped address of @t, loaded on @cpu, gives what @t's own tables say. */
static void expect_own_translations(struct kmm_machine *m, int cpu, struct tmm *t)
{
	for (int i = 0; i < NVA; i++) {
		uint64_t val = 0;
		phys_addr_t pa = load(m, cpu, user_va[i], &val);

		if (pa != walk(&m->kernel, &t->mm, user_va[i]) || val != (t->id << 8 | (uint64_t)i))
			fail_msg("mm %" PRIu64 " on CPU %d, va 0x%" PRIx64
				 ": TLB gave PA 0x%" PRIx64 " value 0x%" PRIx64
				 ", its tables say PA 0x%" PRIx64,
				 t->id, cpu, user_va[i], (uint64_t)pa, val,
				 (uint64_t)walk(&m->kernel, &t->mm, user_va[i]));
	}
}

/* Tiny seeded generator (the test's own, so the sequence never depends on the library). */
static uint64_t rnd(uint64_t *s)
{
	*s = *s * 6364136223846793005ull + 1442695040888963407ull;
	return *s >> 33;
}

/*
 * 8-bit ASIDs, 4 CPUs, 200 live mms at a time (the first generation has 127 ASIDs: the even
 * ones 2..254, because CONFIG_UNMAP_KERNEL_AT_EL0 pre-marks the odd ones; later ones 255),
 * mms exiting and being replaced by fresh ones: after every switch every address of the
 * running mm translates, through the TLB, to what an uncached walk of its own tables says.
 * A reused ASID whose old entries survived would hand out another mm's page.
 */
static void test_asid_rollover_never_leaks_a_translation(void **state)
{
	struct kmm_machine *m = boot("cortex-a57,asidbits=8", "4");
	struct kmm_kernel *k = &m->kernel;
	enum { NMM = 200, STEPS = 3000 };
	struct tmm *t = calloc(NMM, sizeof(*t));
	struct mm_struct *cur[4] = {0};
	struct asid_stats st;
	uint64_t seed = 14, next_id = NMM;

	(void)state;
	assert_non_null(t);
	for (uint64_t i = 0; i < NMM; i++)
		tmm_init(k, &t[i], i);
	for (int step = 0; step < STEPS; step++) {
		int cpu = (int)(rnd(&seed) % 4);
		struct tmm *n = &t[rnd(&seed) % NMM];

		if (rnd(&seed) % 8 == 0 && &n->mm != cur[0] && &n->mm != cur[1] &&
		    &n->mm != cur[2] && &n->mm != cur[3])
			tmm_init(k, n, next_id++); /* the old mm exited; a new one takes its slot */
		env_set_cpu(&m->env, cpu);
		switch_mm(k, cur[cpu], &n->mm, cpu);
		cur[cpu] = &n->mm;
		expect_own_translations(m, cpu, n);
		if (rnd(&seed) % 16 == 0) { /* the task exits or a kernel thread runs */
			switch_mm(k, cur[cpu], NULL, cpu);
			cur[cpu] = NULL;
		}
		check_asid(k);
	}
	asid_stats_get(k, &st);
	assert_int_equal(st.asid_bits, 8);
	assert_true(st.rollovers >= 5);
	/* Each rollover costs each CPU at most one local flush. */
	assert_true(st.pending_flushes <= 4 * st.rollovers);
	free(t);
	test_machine_done(m);
}

/*
 * Two CPUs, 8-bit ASIDs. Allocation order by hand:
 *   generation 1: ASIDs 2, 4, ..., 254 (127 of them; cur_idx starts at 1, odd ones taken).
 *   A (CPU 0) gets 2. 126 more mms on CPU 1 get 4..254; the 128th mm (B) finds none: the
 *   generation advances, the bitmap restarts empty with the CPUs' active ASIDs reserved
 *   (2 for CPU 0, 254 for CPU 1), and B gets the first free ASID from 1: 1.
 *   Every CPU now owes one local flush; CPU 1 pays it at once (B's switch is a slow path).
 *   CPU 0 pays it when it next switches, once; A switching back gets ASID 2 again (reserved
 *   by CPU 0), in the new generation; no other mm was given 2 in between.
 */
static void test_asid_reserved_survive_rollover_and_each_cpu_flushes_once(void **state)
{
	struct kmm_machine *m = boot("cortex-a57,asidbits=8", "2");
	struct kmm_kernel *k = &m->kernel;
	struct tmm *t = calloc(130, sizeof(*t));
	struct asid_stats st;
	uint64_t local0 = k->tlbflush.local_all;

	(void)state;
	for (int i = 0; i < 130; i++)
		tmm_init(k, &t[i], (uint64_t)i);
	switch_mm(k, NULL, &t[0].mm, 0);
	assert_int_equal(ASID(&t[0].mm), 2);
	for (int i = 1; i < 127; i++) {
		switch_mm(k, i > 1 ? &t[i - 1].mm : NULL, &t[i].mm, 1);
		assert_int_equal(ASID(&t[i].mm), 2 * i + 2);
	}
	asid_stats_get(k, &st);
	assert_int_equal(st.rollovers, 0);
	assert_int_equal(k->tlbflush.local_all, local0);
	switch_mm(k, &t[126].mm, &t[127].mm, 1); /* the 128th mm: rollover */
	asid_stats_get(k, &st);
	assert_int_equal(st.rollovers, 1);
	assert_int_equal(st.generation, 2);
	assert_int_equal(ASID(&t[127].mm), 1);
	assert_int_equal(k->tlbflush.local_all, local0 + 1); /* CPU 1 only, so far */
	/* More mms on CPU 1: 3, 5, ...: never 2 (CPU 0's) nor 254 (CPU 1's old) */
	switch_mm(k, &t[127].mm, &t[128].mm, 1);
	assert_int_equal(ASID(&t[128].mm), 3);
	assert_int_equal(k->tlbflush.local_all, local0 + 1);
	/* CPU 0 switches (to 129), paying its flush once; then A comes back with ASID 2. */
	switch_mm(k, &t[0].mm, &t[129].mm, 0);
	assert_int_equal(k->tlbflush.local_all, local0 + 2);
	assert_int_equal(ASID(&t[129].mm), 4);
	switch_mm(k, &t[129].mm, &t[0].mm, 0);
	assert_int_equal(ASID(&t[0].mm), 2);
	assert_int_equal(t[0].mm.context.id >> 16, 2); /* generation 2 */
	assert_int_equal(k->tlbflush.local_all, local0 + 2);
	expect_own_translations(m, 0, &t[0]);
	check_asid(k);
	free(t);
	test_machine_done(m);
}

/*
 * An exited mm's TLB entries are never hit by the next owner of its ASID. 8-bit ASIDs, 2 CPUs:
 *   P runs on CPU 0 with ASID 2 and fills CPU 0's TLB; CPU 0 moves on to R (ASID 4) and P
 *   exits. CPU 1 takes ASIDs 6..254 (125 mms), the next mm rolls over (CPU 0 reserves 4,
 *   CPU 1 254) and gets 1. A fresh mm Q then switches in on CPU 0: the first free ASID from
 *   cur_idx 1 is 2, P's old one, while CPU 0's TLB still holds P's entries under 2. Only
 *   CPU 0's pending flush stands between Q and P's pages.
 */
static void test_asid_exited_mm_entries_never_reach_the_next_owner(void **state)
{
	struct kmm_machine *m = boot("cortex-a57,asidbits=8", "2");
	struct kmm_kernel *k = &m->kernel;
	struct tmm *t = calloc(130, sizeof(*t));

	(void)state;
	for (int i = 0; i < 130; i++)
		tmm_init(k, &t[i], (uint64_t)i);
	switch_mm(k, NULL, &t[0].mm, 0);
	expect_own_translations(m, 0, &t[0]);
	switch_mm(k, &t[0].mm, &t[1].mm, 0);
	expect_own_translations(m, 0, &t[1]);
	for (int i = 2; i < 128; i++)
		switch_mm(k, i > 2 ? &t[i - 1].mm : NULL, &t[i].mm, 1);
	assert_int_equal(ASID(&t[127].mm), 1);
	switch_mm(k, &t[1].mm, &t[128].mm, 0);
	assert_int_equal(ASID(&t[128].mm), 2);
	expect_own_translations(m, 0, &t[128]);
	check_asid(k);
	free(t);
	test_machine_done(m);
}

/* TTBR0 = the pgd, TTBR1.ASID = the mm's ASID; a kernel thread gets reserved_pg_dir. */
static void test_asid_switch_mm_programs_ttbrs(void **state)
{
	static const char *const cpus[] = {"cortex-a57", "max"};

	(void)state;
	for (int c = 0; c < 2; c++) {
		struct kmm_machine *m = boot(cpus[c], "2");
		struct kmm_kernel *k = &m->kernel;
		struct tmm t;
		uint64_t v;

		tmm_init(k, &t, 1);
		switch_mm(k, NULL, &t.mm, 1);
		/* 16-bit ASIDs, first generation: 2 */
		assert_int_equal(ASID(&t.mm), 2);
		assert_int_equal(kmm_mmu_get_reg(m, 1, KMM_REG_TTBR1_EL1, &v), KMM_OK);
		assert_int_equal(v, k->swapper_pg_dir | 2ull << 48);
		assert_int_equal(kmm_mmu_get_reg(m, 1, KMM_REG_TTBR0_EL1, &v), KMM_OK);
		/* max has FEAT_TTCNP: the CnP bit (bit 0) goes with a non-zero ASID */
		assert_int_equal(v, t.mm.pgd | (c == 1 ? 1 : 0));
		switch_mm(k, &t.mm, NULL, 1);
		assert_int_equal(kmm_mmu_get_reg(m, 1, KMM_REG_TTBR0_EL1, &v), KMM_OK);
		assert_int_equal(v, k->reserved_pg_dir);
		assert_int_equal(load(m, 1, user_va[0], &v), 0); /* no user translation now */
		check_asid(k);
		test_machine_done(m);
	}
}

/*
 * flush_tlb_range on N pages (MAX_TLBI_OPS = 512):
 *   cortex-a57 (no FEAT_TLBIRANGE): N <= 511 -> N TLBI VAE1IS; N = 512 -> flush_tlb_mm.
 *   max: 511 pages -> 1 per-page TLBI (odd count), then range TLBIs: scale 0 num
 *        (510 >> 1 & 31) - 1 = 30 covers 62 pages, scale 1 num (448 >> 6 & 31) - 1 = 6
 *        covers 448: 3 TLBIs. 512 pages: scale 0 num -1 (skip), scale 1 num 7 covers 512: 1.
 */
static void test_asid_flush_tlb_range_choices(void **state)
{
	static const struct {
		const char *cpu;
		uint64_t pages, tlbi, range_tlbi, to_mm;
	} cases[] = {
		{"cortex-a57", 1, 1, 0, 0},   {"cortex-a57", 511, 511, 0, 0},
		{"cortex-a57", 512, 1, 0, 1}, {"cortex-a57", 4096, 1, 0, 1},
		{"max", 1, 1, 0, 0},	      {"max", 511, 3, 2, 0},
		{"max", 512, 1, 1, 0},	      {"max", 3, 2, 1, 0},
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct kmm_machine *m = boot(cases[i].cpu, "1");
		struct kmm_kernel *k = &m->kernel;
		struct tlbflush_stats before;
		struct tmm t;

		tmm_init(k, &t, 1);
		switch_mm(k, NULL, &t.mm, 0);
		before = k->tlbflush;
		flush_tlb_range(k, &t.vma, 0x400000, 0x400000 + cases[i].pages * PAGE_SIZE);
		if (k->tlbflush.user_tlbi - before.user_tlbi != cases[i].tlbi ||
		    k->tlbflush.range_tlbi - before.range_tlbi != cases[i].range_tlbi ||
		    k->tlbflush.range_to_mm - before.range_to_mm != cases[i].to_mm ||
		    k->tlbflush.mm - before.mm != cases[i].to_mm)
			fail_msg("%s, %" PRIu64 " pages: %" PRIu64 " TLBIs (%" PRIu64
				 " range), %" PRIu64 " to flush_tlb_mm",
				 cases[i].cpu, cases[i].pages,
				 k->tlbflush.user_tlbi - before.user_tlbi,
				 k->tlbflush.range_tlbi - before.range_tlbi,
				 k->tlbflush.range_to_mm - before.range_to_mm);
		test_machine_done(m);
	}
}

/*
 * The flushes remove what they name and nothing else: with the TLB warm, the PTEs of both
 * pages at 0x400000 and 0x401000 are pointed elsewhere without a flush (stale entries
 * remain), then flush_tlb_page(0x400000) makes only the first page see its new PTE;
 * flush_tlb_mm makes both. Run on both CPU models; also through a range TLBI on max.
 */
static void test_asid_user_flushes_are_scoped(void **state)
{
	static const char *const cpus[] = {"cortex-a57", "max"};

	(void)state;
	for (int c = 0; c < 2; c++) {
		struct kmm_machine *m = boot(cpus[c], "2");
		struct kmm_kernel *k = &m->kernel;
		phys_addr_t other[2];
		struct tmm t;
		uint64_t v;

		tmm_init(k, &t, 7);
		switch_mm(k, NULL, &t.mm, 1);
		env_set_cpu(&m->env, 0); /* the flushes are issued by CPU 0, broadcast */
		expect_own_translations(m, 1, &t);
		for (int i = 0; i < 2; i++) {
			other[i] = table_page(k);
			map_user_page(k, t.mm.pgd, user_va[i], other[i], PAGE_READONLY);
		}
		assert_int_equal(load(m, 1, user_va[0], &v), t.data[0]); /* stale, by design */
		flush_tlb_page(k, &t.vma, user_va[0]);
		assert_int_equal(load(m, 1, user_va[0], &v), other[0]);
		assert_int_equal(load(m, 1, user_va[1], &v), t.data[1]);
		if (c == 1) {
			__flush_tlb_range(k, &t.vma, user_va[0], user_va[1] + 2 * PAGE_SIZE,
					  PAGE_SIZE, true, 3);
			assert_int_equal(load(m, 1, user_va[1], &v), other[1]);
		} else {
			flush_tlb_mm(k, &t.mm);
			assert_int_equal(load(m, 1, user_va[1], &v), other[1]);
		}
		test_machine_done(m);
	}
}

/*
 * vm_get_page_prot over the 16 VM_READ/WRITE/EXEC/SHARED combinations (6.1 mmap.c's table,
 * no Enhanced PAN), the values by hand from pgtable-prot.h:
 *   _PAGE_DEFAULT = PAGE(0x3) | AF(0x400) | SH(0x300) = 0x703; user pages add NG 0x800,
 *   RDONLY 0x80, PXN 1<<53; USER 0x40 unless exec-only/none; UXN 1<<54 unless exec;
 *   WRITE 1<<51 for shared writable. PAGE_NONE clears VALID and sets PROT_NONE 1<<58.
 */
static void test_asid_vm_get_page_prot_table(void **state)
{
	const uint64_t none = 0x0460000000000f82ull, ro = 0x0060000000000fc3ull,
		       rox = 0x0020000000000fc3ull, sh = 0x0068000000000fc3ull,
		       shx = 0x0028000000000fc3ull;
	const uint64_t want[16] = {none, ro, ro, ro, rox, rox, rox, rox,
				   none, ro, sh, sh, rox, rox, shx, shx};

	(void)state;
	for (unsigned long f = 0; f < 16; f++)
		if (vm_get_page_prot(f) != want[f])
			fail_msg("vm_flags 0x%lx: 0x%016" PRIx64 ", want 0x%016" PRIx64, f,
				 vm_get_page_prot(f), want[f]);
	assert_int_equal(pgprot_val(PAGE_EXECONLY), 0x0020000000000f83ull);
	/* BTI: GP (1<<50); MTE: AttrIndx 1 (bits 4:2 = 0x4); other flags change nothing */
	assert_int_equal(vm_get_page_prot(VM_READ | VM_ARM64_BTI), ro | 1ull << 50);
	assert_int_equal(vm_get_page_prot(VM_READ | VM_MTE), ro | 0x4);
	assert_int_equal(vm_get_page_prot(VM_READ | VM_MAYWRITE | VM_LOCKED | VM_GROWSDOWN), ro);
	assert_true(pte_present(__pte(none)) && pte_protnone(__pte(none)));
	assert_false(pte_valid(__pte(none)));
	assert_false(pte_protnone(__pte(ro)));
	assert_true(pte_user(__pte(ro)) && !pte_user_exec(__pte(ro)));
	assert_true(pte_user_exec(__pte(rox)));
}

/*
 * The ptep helpers of 6.1 on a shared writable clean page (WRITE|RDONLY):
 *   ptep_set_access_flags with a hardware-dirty entry (WRITE, no RDONLY, DIRTY) makes it
 *   writable in hardware (RDONLY cleared, the AND of both), returns 1 and, dirty, flushes;
 *   the same again returns 0. ptep_set_wrprotect of a hardware-dirty entry keeps the
 *   dirtiness in PTE_DIRTY. ptep_clear_flush_young flushes only a young entry.
 */
static void test_asid_ptep_helpers(void **state)
{
	struct kmm_machine *m = boot("cortex-a57", "1");
	struct kmm_kernel *k = &m->kernel;
	struct tlbflush_stats before;
	struct tmm t;
	pte_t *ptep, entry;

	(void)state;
	tmm_init(k, &t, 3);
	ptep = map_user_page(k, t.mm.pgd, 0x500000, table_page(k), PAGE_SHARED);
	switch_mm(k, NULL, &t.mm, 0);
	entry = pte_mkyoung(pte_mkdirty(*ptep));
	assert_false(pte_dirty(*ptep));
	before = k->tlbflush;
	assert_int_equal(ptep_set_access_flags(k, &t.vma, 0x500000, ptep, entry, 1), 1);
	assert_int_equal(pte_val(*ptep) & (PTE_RDONLY | PTE_WRITE | PTE_DIRTY),
			 PTE_WRITE | PTE_DIRTY);
	assert_int_equal(k->tlbflush.page - before.page, 1);
	assert_int_equal(ptep_set_access_flags(k, &t.vma, 0x500000, ptep, *ptep, 1), 0);
	assert_int_equal(k->tlbflush.page - before.page, 1);
	/* hardware dirty only (DIRTY cleared by hand), then write-protect */
	*ptep = clear_pte_bit(*ptep, PTE_DIRTY);
	assert_true(pte_dirty(*ptep));
	ptep_set_wrprotect(&t.mm, 0x500000, ptep);
	assert_int_equal(pte_val(*ptep) & (PTE_RDONLY | PTE_WRITE | PTE_DIRTY),
			 PTE_RDONLY | PTE_DIRTY);
	assert_int_equal(ptep_clear_flush_young(k, &t.vma, 0x500000, ptep), 1);
	assert_false(pte_young(*ptep));
	assert_int_equal(k->tlbflush.page - before.page, 2);
	assert_int_equal(ptep_clear_flush_young(k, &t.vma, 0x500000, ptep), 0);
	assert_int_equal(k->tlbflush.page - before.page, 2);
	entry = ptep_clear_flush(k, &t.vma, 0x500000, ptep);
	assert_true(pte_none(*ptep) && pte_valid(entry));
	assert_int_equal(k->tlbflush.page - before.page, 3);
	check_asid(k);
	test_machine_done(m);
}

/* The allocator's view and the boot line: 65536 entries (16-bit), 256 with asidbits=8. */
static void test_asid_views_and_boot_message(void **state)
{
	struct kmm_machine *m = boot("max", "2");
	static char log[1 << 20];
	struct sink_buf sb = {.buf = log, .cap = sizeof(log)};

	(void)state;
	assert_non_null(strstr(test_view(m, "/sys/kernel/debug/kmm/asid"), "asid_bits 16\n"));
	assert_non_null(strstr(test_view(m, "/sys/kernel/debug/kmm/tlbflush"), "range_tlbi 0\n"));
	kmm_dmesg(m, sink_buf_fn, &sb);
	assert_non_null(strstr(log, "ASID allocator initialised with 65536 entries\n"));
	test_machine_done(m);
	m = boot("max,asidbits=8", "2");
	sb.len = sb.needed = 0;
	kmm_dmesg(m, sink_buf_fn, &sb);
	assert_non_null(strstr(log, "ASID allocator initialised with 256 entries\n"));
	test_machine_done(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_asid_rollover_never_leaks_a_translation),
		cmocka_unit_test(test_asid_reserved_survive_rollover_and_each_cpu_flushes_once),
		cmocka_unit_test(test_asid_exited_mm_entries_never_reach_the_next_owner),
		cmocka_unit_test(test_asid_switch_mm_programs_ttbrs),
		cmocka_unit_test(test_asid_flush_tlb_range_choices),
		cmocka_unit_test(test_asid_user_flushes_are_scoped),
		cmocka_unit_test(test_asid_vm_get_page_prot_table),
		cmocka_unit_test(test_asid_ptep_helpers),
		cmocka_unit_test(test_asid_views_and_boot_message),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
