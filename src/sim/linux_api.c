/*
 * The "current" binding behind the kernel-named compat headers (the headers of include/kmm/linux/).
 *
 * Kernel code never names the machine it runs on: it calls alloc_pages(), kmalloc(),
 * vm_mmap() and copy_to_user() on behalf of `current`. The compat headers are static inline
 * wrappers over the public kmm_* calls; what they cannot know by themselves lives here, one
 * binding per host thread (C11 _Thread_local): the machine the thread's kernel-style code runs
 * on, the pid that plays `current` for the user-space helpers, and the linear map's offsets
 * (PHYS_OFFSET, PAGE_OFFSET) that page_address() and virt_to_phys() need.
 *
 * Kernel pointers in the compat layer (kmalloc, kmem_cache_alloc, page_address,
 * __get_free_pages) are host pointers into the machine's simulated RAM, so ported code can
 * dereference them; kmm_linux_host_to_phys() takes such a pointer back to its physical
 * address (kfree, virt_to_phys, virt_to_page).
 *
 * Models: the role of arch/arm64/include/asm/current.h (`current`) and of the linear map's
 *         __pa()/__va() (arch/arm64/include/asm/memory.h) (Linux 6.1).
 * Deviation: `current` is a per-host-thread binding made by the host, not the task the CPU
 *         runs; binding a pid does not run or switch to it (its accesses do that).
 * Deviation: the binding holds a machine pointer the library cannot see from other threads:
 *         kmm_machine_destroy() forgets it on the destroying thread only; another thread must
 *         unbind (kmm_linux_bind(NULL, 0)) before the machine goes.
 *
 * Invariants: the binding is all zero, or names a machine that was live and booted when bound
 * (and a task that existed then, if pid != 0). It is not kernel state, so kmm_check has
 * nothing of it to verify.
 */
#include <kmm/linux/compat.h>

#include <inttypes.h>

#include "hw/phys.h"
#include "mm/internal.h"
#include "sim/api.h"
#include "sim/linux_api.h"

static _Thread_local struct kmm_linux_current linux_current;

API_BODY(linux_bind, { kmm_pid_t pid; })
{
	struct kmm_task_info info;

	if (p->pid < 0)
		return api_error(a, KMM_EINVAL, "pid %" PRId32 " is negative", p->pid);
	if (p->pid && kmm_task_info(a->m, p->pid, &info) != KMM_OK)
		return api_error(a, KMM_ESRCH, "no task with pid %" PRId32, p->pid);
	linux_current = (struct kmm_linux_current){
		.machine = a->m,
		.pid = p->pid,
		.phys_offset = a->k->memstart_addr,
		.page_offset = PAGE_OFFSET,
	};
	return KMM_OK;
}

enum kmm_status kmm_linux_bind(struct kmm_machine *m, kmm_pid_t pid)
{
	if (!m) {
		if (pid)
			return kmm_error_nomachine(
				KMM_EINVAL, "kmm_linux_bind: pid %" PRId32 " without a machine",
				pid);
		linux_current = (struct kmm_linux_current){0};
		return KMM_OK;
	}
	return API_CALL(m, pid ? API_USER : API_BOOTED, linux_bind, .pid = pid);
}

const struct kmm_linux_current *kmm_linux_current(const char *fn, bool need_task)
{
	if (!fn)
		return &linux_current;
	if (!linux_current.machine) {
		kmm_error_nomachine(
			KMM_EINVAL,
			"%s: no machine bound to this thread: call kmm_linux_bind() first", fn);
		return NULL;
	}
	if (need_task && !linux_current.pid) {
		api_fail(linux_current.machine, KMM_ESRCH,
			 "%s: no current task on this thread: bind one with kmm_linux_bind(m, pid)",
			 fn);
		return NULL;
	}
	return &linux_current;
}

enum kmm_status kmm_linux_host_to_phys(const char *fn, const void *ptr, kmm_pa_t *pa)
{
	struct kmm_machine *m = linux_current.machine;
	uintptr_t p = (uintptr_t)ptr;

	if (!fn)
		fn = "kmm_linux_host_to_phys";
	if (!m)
		return kmm_error_nomachine(KMM_EINVAL,
					   "%s: no machine bound to this thread: call "
					   "kmm_linux_bind() first",
					   fn);
	if (!pa)
		return api_fail(m, KMM_EINVAL, "%s: NULL output", fn);
	for (uint32_t i = 0; i < m->hw.phys.nr_banks; i++) {
		const struct phys_bank *b = &m->hw.phys.banks[i];
		uintptr_t base = (uintptr_t)b->host;

		if (p >= base && p - base < b->end - b->base) {
			*pa = b->base + (p - base);
			return KMM_OK;
		}
	}
	return api_fail(m, KMM_EINVAL,
			"%s: %p is not a pointer into the machine's RAM (kmalloc, page_address)",
			fn, ptr);
}

void linux_forget_machine(const struct kmm_machine *m)
{
	if (m && linux_current.machine == m)
		linux_current = (struct kmm_linux_current){0};
}
