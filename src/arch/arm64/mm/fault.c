/*
 * The arm64 fault entry for aborts taken from EL0: the fault_info[] table by fault status
 * code, the translation/permission/access-flag handlers down to handle_mm_fault, and the
 * signal a task gets when nothing fixes its fault.
 *
 * Models: arch/arm64/mm/fault.c (Linux 6.1): do_mem_abort, esr_to_fault_info, fault_info[],
 *         do_translation_fault, do_page_fault, __do_page_fault, do_bad_area, do_alignment_fault,
 *         do_sea, do_bad, set_thread_esr, arm64_force_sig_fault; is_write_abort,
 *         is_el0_instruction_abort (esr.h).
 * Deviation: only user (EL0) aborts reach this model, so the kernel-mode paths
 *         (__do_kernel_fault, die_kernel_fault, fixups) have no model. The signal is recorded
 *         on the task (tsk->last_sig) instead of being delivered; the caller stops the task.
 *         A SIGKILL the OOM killer sent (fatal_signal_pending) ends the fault with SIGKILL
 *         recorded; the task helper delivers it (the task exits). A VM_FAULT_OOM with no
 *         kill pending (the OOM killer found nothing to kill, or the allocation could not
 *         use it) is recorded as SIGKILL too and the task stopped, where the kernel would
 *         retry the fault ("Huh VM_FAULT_OOM leaked out to the #PF handler").
 */
#include "arch/arm64/include/asm/pgtable.h"
#include "hw/cpu.h"
#include "hw/hw.h"
#include "hw/mmu_defs.h"
#include "kernel/sched.h"
#include "mm/memory.h"
#include "mm/mm_state.h"
#include "mm/mmap.h"
#include "mm/oom.h"

#define SIGKILL	      9
#define SI_KERNEL     0x80
#define BUS_OBJERR    3
#define SEGV_MTESERR  9
#define ESR_FSC_FAULT 0x04u /* ESR_ELx_FSC_FAULT: level 0 translation fault */

/* arm64 fault.c's private fault codes, beside VM_FAULT_* */
#define VM_FAULT_BADMAP	   0x010000u
#define VM_FAULT_BADACCESS 0x020000u

struct fault_info;
typedef int (*fault_fn)(struct kmm_kernel *k, struct task_struct *tsk, uint64_t far, uint64_t esr);

/* Models: struct fault_info. */
struct fault_info {
	fault_fn fn;
	int sig;
	int code;
	const char *name;
};

static const struct fault_info *esr_to_fault_info(uint64_t esr);

/* Models: is_ttbr0_addr(): a user address. */
static inline bool is_ttbr0_addr(uint64_t addr)
{
	return addr < TASK_SIZE;
}

static inline unsigned esr_ec(uint64_t esr)
{
	return (unsigned)(esr >> ESR_EC_SHIFT) & 0x3f;
}

/* Models: is_el0_instruction_abort(). */
static inline bool is_el0_instruction_abort(uint64_t esr)
{
	return esr_ec(esr) == ESR_EC_IABT_LOW;
}

/* Models: is_write_abort(): WnR without cache maintenance. */
static inline bool is_write_abort(uint64_t esr)
{
	return (esr & ESR_ISS_WNR) && !(esr & ESR_ISS_CM);
}

/* Models: set_thread_esr(): the ESR a signal frame shows; a kernel address's is sanitised. */
static uint64_t set_thread_esr(uint64_t addr, uint64_t esr)
{
	if (is_ttbr0_addr(addr))
		return esr;
	switch (esr_ec(esr)) {
	case ESR_EC_DABT_LOW:
		esr &= (0x3full << ESR_EC_SHIFT) | ESR_IL | ESR_ISS_CM | ESR_ISS_WNR;
		return esr | ESR_FSC_FAULT;
	case ESR_EC_IABT_LOW:
		esr &= (0x3full << ESR_EC_SHIFT) | ESR_IL;
		return esr | ESR_FSC_FAULT;
	default:
		return 0;
	}
}

/* Models: arm64_force_sig_fault() (with arm64_notify_die's user path): recorded, not sent. */
static int force_sig_fault(struct task_struct *tsk, int sig, int code, uint64_t far, uint64_t esr)
{
	tsk->last_sig.si_signo = sig;
	tsk->last_sig.si_code = code;
	tsk->last_sig.si_addr = far;
	tsk->last_sig.esr = esr;
	tsk->last_sig.far = far;
	return sig;
}

/* Models: do_bad_area(): the fault_info's signal for a user access nothing can fix. */
static int do_bad_area(struct task_struct *tsk, uint64_t far, uint64_t esr)
{
	const struct fault_info *inf = esr_to_fault_info(esr);

	return force_sig_fault(tsk, inf->sig, inf->code, far, set_thread_esr(far, esr));
}

/* Models: __do_page_fault(): the VMA, stack growth, the VMA's permissions, then the fault. */
static vm_fault_t __do_page_fault(struct mm_struct *mm, uint64_t addr, unsigned int mm_flags,
				  unsigned long vm_flags)
{
	struct vm_area_struct *vma = find_vma(mm, addr);

	if (!vma)
		return VM_FAULT_BADMAP;
	if (vma->vm_start > addr) {
		if (!(vma->vm_flags & VM_GROWSDOWN))
			return VM_FAULT_BADMAP;
		if (expand_stack(vma, addr))
			return VM_FAULT_BADMAP;
	}
	if (!(vma->vm_flags & vm_flags))
		return VM_FAULT_BADACCESS;
	return handle_mm_fault(vma, addr, mm_flags);
}

/* Models: do_page_fault() for a user access. Returns 0 (fixed) or the signal raised. */
static int do_page_fault(struct kmm_kernel *k, struct task_struct *tsk, uint64_t far, uint64_t esr)
{
	struct mm_struct *mm = tsk->mm;
	unsigned int mm_flags = FAULT_FLAG_DEFAULT | FAULT_FLAG_USER;
	unsigned long vm_flags;
	vm_fault_t fault;
	const struct fault_info *inf;

	(void)k;
	if (!mm)
		return do_bad_area(tsk, far, esr);
	if (is_el0_instruction_abort(esr)) {
		vm_flags = VM_EXEC;
		mm_flags |= FAULT_FLAG_INSTRUCTION;
	} else if (is_write_abort(esr)) {
		vm_flags = VM_WRITE;
		mm_flags |= FAULT_FLAG_WRITE;
	} else {
		/* a read: write implies read, and without EPAN (neither CPU model) exec does */
		vm_flags = VM_READ | VM_WRITE | VM_EXEC;
	}
	for (;;) {
		fault = __do_page_fault(mm, far, mm_flags, vm_flags);
		if (!(fault & VM_FAULT_RETRY))
			break;
		mm_flags |= FAULT_FLAG_TRIED;
	}
	/*
	 * A SIGKILL pending (the OOM killer's): on the way back to EL0 the signal is taken, the
	 * faulting instruction never runs again (pagefault_out_of_memory returns at once for a
	 * VM_FAULT_OOM then). The caller delivers it: the task exits.
	 */
	if (fatal_signal_pending(tsk))
		return force_sig_fault(tsk, SIGKILL, SI_KERNEL, far, esr);
	if (!(fault & (VM_FAULT_ERROR | VM_FAULT_BADMAP | VM_FAULT_BADACCESS)))
		return 0;
	inf = esr_to_fault_info(esr);
	esr = set_thread_esr(far, esr);
	if (fault & VM_FAULT_OOM)
		return force_sig_fault(tsk, SIGKILL, SI_KERNEL, far, esr);
	if (fault & VM_FAULT_SIGBUS)
		return force_sig_fault(tsk, SIGBUS, BUS_ADRERR, far, esr);
	(void)inf;
	return force_sig_fault(tsk, SIGSEGV,
			       fault == VM_FAULT_BADACCESS ? SEGV_ACCERR : SEGV_MAPERR, far, esr);
}

/* Models: do_translation_fault(): user addresses go to do_page_fault. */
static int do_translation_fault(struct kmm_kernel *k, struct task_struct *tsk, uint64_t far,
				uint64_t esr)
{
	if (is_ttbr0_addr(far))
		return do_page_fault(k, tsk, far, esr);
	return do_bad_area(tsk, far, esr);
}

/* Models: do_alignment_fault() (no compat fixups: 64-bit tasks). */
static int do_alignment_fault(struct kmm_kernel *k, struct task_struct *tsk, uint64_t far,
			      uint64_t esr)
{
	(void)k;
	return do_bad_area(tsk, far, esr);
}

/* Models: do_bad(): unhandled: the caller raises the table's signal (arm64_notify_die). */
static int do_bad(struct kmm_kernel *k, struct task_struct *tsk, uint64_t far, uint64_t esr)
{
	(void)k;
	(void)tsk;
	(void)far;
	(void)esr;
	return -1;
}

/* Models: do_sea(): a synchronous external abort: the table's signal (no APEI here). */
#define do_sea do_bad
/* Models: do_tag_check_fault(): MTE is not enabled on the modelled CPUs. */
#define do_tag_check_fault do_bad

#define FI(fn, sig, code, name)                                                                    \
	{                                                                                          \
		fn, sig, code, name                                                                \
	}
static const struct fault_info fault_info[64] = {
	FI(do_bad, SIGKILL, SI_KERNEL, "ttbr address size fault"),
	FI(do_bad, SIGKILL, SI_KERNEL, "level 1 address size fault"),
	FI(do_bad, SIGKILL, SI_KERNEL, "level 2 address size fault"),
	FI(do_bad, SIGKILL, SI_KERNEL, "level 3 address size fault"),
	FI(do_translation_fault, SIGSEGV, SEGV_MAPERR, "level 0 translation fault"),
	FI(do_translation_fault, SIGSEGV, SEGV_MAPERR, "level 1 translation fault"),
	FI(do_translation_fault, SIGSEGV, SEGV_MAPERR, "level 2 translation fault"),
	FI(do_translation_fault, SIGSEGV, SEGV_MAPERR, "level 3 translation fault"),
	FI(do_bad, SIGKILL, SI_KERNEL, "unknown 8"),
	FI(do_page_fault, SIGSEGV, SEGV_ACCERR, "level 1 access flag fault"),
	FI(do_page_fault, SIGSEGV, SEGV_ACCERR, "level 2 access flag fault"),
	FI(do_page_fault, SIGSEGV, SEGV_ACCERR, "level 3 access flag fault"),
	FI(do_bad, SIGKILL, SI_KERNEL, "unknown 12"),
	FI(do_page_fault, SIGSEGV, SEGV_ACCERR, "level 1 permission fault"),
	FI(do_page_fault, SIGSEGV, SEGV_ACCERR, "level 2 permission fault"),
	FI(do_page_fault, SIGSEGV, SEGV_ACCERR, "level 3 permission fault"),
	FI(do_sea, SIGBUS, BUS_OBJERR, "synchronous external abort"),
	FI(do_tag_check_fault, SIGSEGV, SEGV_MTESERR, "synchronous tag check fault"),
	FI(do_bad, SIGKILL, SI_KERNEL, "unknown 18"),
	FI(do_bad, SIGKILL, SI_KERNEL, "unknown 19"),
	FI(do_sea, SIGKILL, SI_KERNEL, "level 0 (translation table walk)"),
	FI(do_sea, SIGKILL, SI_KERNEL, "level 1 (translation table walk)"),
	FI(do_sea, SIGKILL, SI_KERNEL, "level 2 (translation table walk)"),
	FI(do_sea, SIGKILL, SI_KERNEL, "level 3 (translation table walk)"),
	FI(do_sea, SIGBUS, BUS_OBJERR, "synchronous parity or ECC error"),
	FI(do_bad, SIGKILL, SI_KERNEL, "unknown 25"),
	FI(do_bad, SIGKILL, SI_KERNEL, "unknown 26"),
	FI(do_bad, SIGKILL, SI_KERNEL, "unknown 27"),
	FI(do_sea, SIGKILL, SI_KERNEL, "level 0 synchronous parity error (translation table walk)"),
	FI(do_sea, SIGKILL, SI_KERNEL, "level 1 synchronous parity error (translation table walk)"),
	FI(do_sea, SIGKILL, SI_KERNEL, "level 2 synchronous parity error (translation table walk)"),
	FI(do_sea, SIGKILL, SI_KERNEL, "level 3 synchronous parity error (translation table walk)"),
	FI(do_bad, SIGKILL, SI_KERNEL, "unknown 32"),
	FI(do_alignment_fault, SIGBUS, BUS_ADRALN, "alignment fault"),
	FI(do_bad, SIGKILL, SI_KERNEL, "unknown 34"),
	FI(do_bad, SIGKILL, SI_KERNEL, "unknown 35"),
	FI(do_bad, SIGKILL, SI_KERNEL, "unknown 36"),
	FI(do_bad, SIGKILL, SI_KERNEL, "unknown 37"),
	FI(do_bad, SIGKILL, SI_KERNEL, "unknown 38"),
	FI(do_bad, SIGKILL, SI_KERNEL, "unknown 39"),
	FI(do_bad, SIGKILL, SI_KERNEL, "unknown 40"),
	FI(do_bad, SIGKILL, SI_KERNEL, "unknown 41"),
	FI(do_bad, SIGKILL, SI_KERNEL, "unknown 42"),
	FI(do_bad, SIGKILL, SI_KERNEL, "unknown 43"),
	FI(do_bad, SIGKILL, SI_KERNEL, "unknown 44"),
	FI(do_bad, SIGKILL, SI_KERNEL, "unknown 45"),
	FI(do_bad, SIGKILL, SI_KERNEL, "unknown 46"),
	FI(do_bad, SIGKILL, SI_KERNEL, "unknown 47"),
	FI(do_bad, SIGKILL, SI_KERNEL, "TLB conflict abort"),
	FI(do_bad, SIGKILL, SI_KERNEL, "Unsupported atomic hardware update fault"),
	FI(do_bad, SIGKILL, SI_KERNEL, "unknown 50"),
	FI(do_bad, SIGKILL, SI_KERNEL, "unknown 51"),
	FI(do_bad, SIGKILL, SI_KERNEL, "implementation fault (lockdown abort)"),
	FI(do_bad, SIGBUS, BUS_OBJERR, "implementation fault (unsupported exclusive)"),
	FI(do_bad, SIGKILL, SI_KERNEL, "unknown 54"),
	FI(do_bad, SIGKILL, SI_KERNEL, "unknown 55"),
	FI(do_bad, SIGKILL, SI_KERNEL, "unknown 56"),
	FI(do_bad, SIGKILL, SI_KERNEL, "unknown 57"),
	FI(do_bad, SIGKILL, SI_KERNEL, "unknown 58"),
	FI(do_bad, SIGKILL, SI_KERNEL, "unknown 59"),
	FI(do_bad, SIGKILL, SI_KERNEL, "unknown 60"),
	FI(do_bad, SIGKILL, SI_KERNEL, "section domain fault"),
	FI(do_bad, SIGKILL, SI_KERNEL, "page domain fault"),
	FI(do_bad, SIGKILL, SI_KERNEL, "unknown 63"),
};

static const struct fault_info *esr_to_fault_info(uint64_t esr)
{
	return &fault_info[esr & ESR_FSC_MASK];
}

/* Models: cpu_has_hw_af() for the CPU the call runs on (ID_AA64MMFR1_EL1.HAFDBS). */
bool arch_wants_old_prefaulted_pte(const struct kmm_kernel *k)
{
	return k->hw->cpus[smp_processor_id(k)].feat->hafdbs;
}

int do_mem_abort(struct kmm_kernel *k, struct task_struct *tsk, uint64_t far, uint64_t esr)
{
	const struct fault_info *inf = esr_to_fault_info(esr);
	int ret;

	set_current_task(k, tsk);
	ret = inf->fn(k, tsk, far, esr);
	if (ret >= 0)
		return ret;
	/* arm64_notify_die(): only the untagged address for an unrecognised fault */
	return force_sig_fault(tsk, inf->sig, inf->code, far & ~(0xffull << 56), esr);
}
