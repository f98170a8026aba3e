/*
 * Per-process views (fs/proc/task_mmu.c, fs/proc/array.c): /proc/<pid>/{maps, smaps,
 * smaps_rollup, status, statm, numa_maps} and the user page-table dump. The path registry is
 * src/sim/proc.c. None of these changes the machine (no rss sync, no access-flag clearing).
 */
#ifndef KMM_FS_PROC_TASK_MMU_H
#define KMM_FS_PROC_TASK_MMU_H

#include <stdbool.h>
#include <stddef.h>

#include "lib/sink.h"
#include "mm/kernel.h"

/*
 * Writes /proc/@pid/@file ("maps", "smaps", "smaps_rollup", "status", "statm", "numa_maps")
 * to @out. 0, -ESRCH (no task @pid) or -ENOENT (no such file); nothing written on error.
 */
int proc_pid_show(const struct kmm_kernel *k, int pid, const char *file, const struct sink *out);
/* Calls @fn with each file name proc_pid_show() knows. */
void proc_pid_list_files(void (*fn)(void *arg, const char *name), void *arg);

/*
 * /sys/kernel/debug/kmm/ptdump/@pid: the task's user page tables (TTBR0) in the format of
 * /sys/kernel/debug/kernel_page_tables. 0 or -ESRCH. Nothing for a task without an mm.
 */
int ptdump_task(const struct kmm_kernel *k, int pid, const struct sink *out);

/*
 * Checks each task's mm against its page tables (invariants of proc_task_mmu.c): the
 * resident pages the smaps walk finds equal the synced rss counters plus the task's unsynced
 * rss cache, and each has a map count >= 1. true, or false with the reason in @why.
 */
bool proc_task_mmu_check(const struct kmm_kernel *k, char *why, size_t whylen);

#endif /* KMM_FS_PROC_TASK_MMU_H */
