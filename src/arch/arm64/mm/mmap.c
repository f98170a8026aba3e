/*
 * User page protections and the arm64 helpers that change a live user PTE: what a VMA's
 * vm_flags turn into (protection_map, vm_get_page_prot), and the out-of-line PTE updates
 * that need the kernel (a WARN, a TLB flush).
 *
 * Models (Linux 6.1): arch/arm64/mm/mmap.c (protection_map[], vm_get_page_prot(); the
 *         Enhanced-PAN adjustment never applies: neither CPU model has FEAT_PAN3),
 *         arch/arm64/mm/fault.c:ptep_set_access_flags() (kept here, next to the other PTE
 *         updates, while fault.c holds the fault path),
 *         arch/arm64/include/asm/pgtable.h (set_pte_at(), __check_racy_pte_update(),
 *         ptep_clear_flush_young()), mm/pgtable-generic.c (ptep_clear_flush()).
 * Deviation: the cmpxchg loops of the kernel (racing the MMU's hardware AF/DBM updates)
 *         are plain read-modify-writes: nothing else runs between the read and the write in
 *         the model. __sync_icache_dcache() and MTE tag synchronisation of set_pte_at have
 *         no model (no caches, no MTE). pte_accessible() does not look at
 *         mm_tlb_flush_pending() (no mmu_gather batching state here): a valid entry is
 *         accessible. "current->active_mm" in __check_racy_pte_update is the mm whose ASID
 *         is active on the current CPU.
 *
 * Invariants (protection_map_check, run from asid_check):
 *  1. Every protection_map[] entry is a user protection: not global (PTE_NG), never
 *     privileged-executable (PTE_PXN), Normal memory, and read-only in hardware (PTE_RDONLY:
 *     write permission comes from DBM or a write fault).
 *  2. An entry is valid exactly when its index has VM_READ, VM_WRITE or VM_EXEC; the invalid
 *     ones are PROT_NONE.
 *  3. Only VM_SHARED|VM_WRITE entries carry PTE_WRITE (private writable mappings are COW).
 */
#include "arch/arm64/include/asm/pgtable.h"

#include <inttypes.h>
#include <stdio.h>

#include "arch/arm64/include/asm/mmu_context.h"
#include "arch/arm64/include/asm/tlbflush.h"
#include "lib/bug.h"
#include "mm/mmap.h"

#define KMM_FILE "arch/arm64/mm/mmap.c"

const pgprot_t protection_map[16] = {
	[VM_NONE] = PAGE_NONE,
	[VM_READ] = PAGE_READONLY,
	[VM_WRITE] = PAGE_READONLY,
	[VM_WRITE | VM_READ] = PAGE_READONLY,
	[VM_EXEC] = PAGE_READONLY_EXEC, /* PAGE_EXECONLY with Enhanced PAN */
	[VM_EXEC | VM_READ] = PAGE_READONLY_EXEC,
	[VM_EXEC | VM_WRITE] = PAGE_READONLY_EXEC,
	[VM_EXEC | VM_WRITE | VM_READ] = PAGE_READONLY_EXEC,
	[VM_SHARED] = PAGE_NONE,
	[VM_SHARED | VM_READ] = PAGE_READONLY,
	[VM_SHARED | VM_WRITE] = PAGE_SHARED,
	[VM_SHARED | VM_WRITE | VM_READ] = PAGE_SHARED,
	[VM_SHARED | VM_EXEC] = PAGE_READONLY_EXEC, /* PAGE_EXECONLY with Enhanced PAN */
	[VM_SHARED | VM_EXEC | VM_READ] = PAGE_READONLY_EXEC,
	[VM_SHARED | VM_EXEC | VM_WRITE] = PAGE_SHARED_EXEC,
	[VM_SHARED | VM_EXEC | VM_WRITE | VM_READ] = PAGE_SHARED_EXEC,
};

uint64_t vm_get_page_prot(unsigned long vm_flags)
{
	pteval_t prot =
		pgprot_val(protection_map[vm_flags & (VM_READ | VM_WRITE | VM_EXEC | VM_SHARED)]);

	if (vm_flags & VM_ARM64_BTI)
		prot |= PTE_GP;
	if (vm_flags & VM_MTE)
		prot |= PTE_ATTRINDX(MT_NORMAL_TAGGED);
	return prot;
}

bool protection_map_check(char *why, size_t whylen)
{
	for (unsigned i = 0; i < 16; i++) {
		pteval_t p = pgprot_val(protection_map[i]);
		bool valid = (i & (VM_READ | VM_WRITE | VM_EXEC)) != 0;

		if ((p & (PTE_NG | PTE_PXN | PTE_RDONLY)) != (PTE_NG | PTE_PXN | PTE_RDONLY) ||
		    (p & PTE_ATTRINDX_MASK) != PTE_ATTRINDX(MT_NORMAL)) {
			snprintf(why, whylen, "protection_map[%u] 0x%" PRIx64 " is not a user prot",
				 i, p);
			return false;
		}
		if (!!(p & PTE_VALID) != valid || !!(p & PTE_PROT_NONE) == valid) {
			snprintf(why, whylen, "protection_map[%u] 0x%" PRIx64 ": valid must be %d",
				 i, p, valid);
			return false;
		}
		if (!!(p & PTE_WRITE) != ((i & (VM_SHARED | VM_WRITE)) == (VM_SHARED | VM_WRITE))) {
			snprintf(why, whylen, "protection_map[%u] 0x%" PRIx64 ": PTE_WRITE wrong",
				 i, p);
			return false;
		}
	}
	return true;
}

/* Is @mm live on the current CPU ("current->active_mm" for the racy-update check)? */
static bool mm_is_current(const struct kmm_kernel *k, const struct mm_struct *mm)
{
	return k->asid && mm->context.id &&
	       asid_active_on(k, smp_processor_id(k)) == mm->context.id;
}

/* Models: __check_racy_pte_update(): only with CONFIG_DEBUG_VM, as in the kernel. */
static void __check_racy_pte_update(struct kmm_kernel *k, struct mm_struct *mm, pte_t *ptep,
				    pte_t pte)
{
	pte_t old_pte;

	if (!CONFIG_DEBUG_VM)
		return;
	old_pte = *ptep;
	if (!pte_valid(old_pte) || !pte_valid(pte))
		return;
	if (!mm_is_current(k, mm) && mm->mm_users <= 1)
		return;
	WARN_ONCE(k->env, !pte_young(pte),
		  "%s: racy access flag clearing: 0x%016" PRIx64 " -> 0x%016" PRIx64 "\n", __func__,
		  pte_val(old_pte), pte_val(pte));
	WARN_ONCE(k->env, pte_write(old_pte) && !pte_dirty(pte),
		  "%s: racy dirty state clearing: 0x%016" PRIx64 " -> 0x%016" PRIx64 "\n", __func__,
		  pte_val(old_pte), pte_val(pte));
}

void set_pte_at(struct kmm_kernel *k, struct mm_struct *mm, uint64_t addr, pte_t *ptep, pte_t pte)
{
	(void)addr;
	__check_racy_pte_update(k, mm, ptep, pte);
	set_pte(ptep, pte);
}

int ptep_set_access_flags(struct kmm_kernel *k, struct vm_area_struct *vma, uint64_t addr,
			  pte_t *ptep, pte_t entry, int dirty)
{
	pteval_t bits = pte_val(entry) & (PTE_RDONLY | PTE_AF | PTE_WRITE | PTE_DIRTY);
	pteval_t val = pte_val(*ptep);

	if (pte_same(*ptep, entry))
		return 0;
	/* RDONLY: the most permissive (the AND) of the old entry and @entry; the rest ORed. */
	bits ^= PTE_RDONLY;
	val ^= PTE_RDONLY;
	val |= bits;
	val ^= PTE_RDONLY;
	*ptep = __pte(val);
	if (dirty)
		flush_tlb_page(k, vma, addr);
	return 1;
}

int ptep_clear_flush_young(struct kmm_kernel *k, struct vm_area_struct *vma, uint64_t addr,
			   pte_t *ptep)
{
	int young = ptep_test_and_clear_young(vma, addr, ptep);

	if (young)
		flush_tlb_page_nosync(k, vma, addr);
	return young;
}

pte_t ptep_clear_flush(struct kmm_kernel *k, struct vm_area_struct *vma, uint64_t addr, pte_t *ptep)
{
	pte_t pte = ptep_get_and_clear(vma->vm_mm, addr, ptep);

	if (pte_valid(pte))
		flush_tlb_page(k, vma, addr);
	return pte;
}
