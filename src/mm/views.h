/*
 * Text views of src/mm, each writing one /proc (or debugfs) file through a sink. The
 * registry that maps paths to them is src/sim/proc.c.
 */
#ifndef KMM_MM_VIEWS_H
#define KMM_MM_VIEWS_H

#include "lib/sink.h"
#include "mm/kernel.h"

void show_zoneinfo(const struct kmm_kernel *k, const struct sink *out);
void show_buddyinfo(const struct kmm_kernel *k, const struct sink *out);
void show_pagetypeinfo(const struct kmm_kernel *k, const struct sink *out);
void show_vmstat(const struct kmm_kernel *k, const struct sink *out);
void show_meminfo(const struct kmm_kernel *k, const struct sink *out);
void show_unusable_index(const struct kmm_kernel *k, const struct sink *out);
void show_extfrag_index(const struct kmm_kernel *k, const struct sink *out);
void show_memblock_memory(const struct kmm_kernel *k, const struct sink *out);
void show_memblock_reserved(const struct kmm_kernel *k, const struct sink *out);
/*
 * /sys/kernel/debug/kmm/asid and /sys/kernel/debug/kmm/tlbflush (arch/arm64/mm/context.c):
 * the ASID allocator's state and counters, and the TLB maintenance counters, one
 * "name value" line each (no such files in Linux: the model's own debugfs entries).
 */
void show_asid(const struct kmm_kernel *k, const struct sink *out);
void show_tlbflush(const struct kmm_kernel *k, const struct sink *out);
/*
 * /sys/kernel/debug/kmm/pageblocks (pageblock_view.c): one record per pageblock, /bin/pfnscan's
 * kpageflags counts plus node, zone, migratetype, skip bit and pages per place. Read only.
 */
void show_pageblocks(const struct kmm_kernel *k, const struct sink *out);

/*
 * vm sysctls (sysctl_vm.c): read into @out, or write @value with the kernel's side effects.
 * sysctl_write returns 0, -EINVAL (value refused; nothing changed) or -ENOENT.
 */
int sysctl_read(const struct kmm_kernel *k, const char *name, const struct sink *out);
int sysctl_write(struct kmm_kernel *k, const char *name, const char *value);
/* Calls @fn for every sysctl name ("vm.min_free_kbytes"). */
void sysctl_list(void (*fn)(void *arg, const char *name), void *arg);
/* Whether @name (vm.X, vm/X or /proc/sys/vm/X) is a tunable sysctl_write() knows. */
bool sysctl_exists(const char *name);

#endif /* KMM_MM_VIEWS_H */
