/*
 * vm sysctls (/proc/sys/vm) with the kernel's limits and side effects. One table.
 *
 * Models (Linux 6.1.192): kernel/sysctl.c vm_table entries and their handlers in
 *         mm/page_alloc.c: min_free_kbytes_sysctl_handler(),
 *         watermark_scale_factor_sysctl_handler(), lowmem_reserve_ratio_sysctl_handler(),
 *         percpu_pagelist_high_fraction_sysctl_handler(); proc_dointvec's output format.
 */
#include "mm/compaction.h"
#include "mm/hugetlb.h"
#include "mm/internal.h"
#include "mm/oom.h"
#include "mm/swap_state.h"
#include "mm/views.h"
#include "mm/writeback.h"
#include "fs/fs.h"
#include "mm/shrinker.h"
#include "mm/vmscan.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MIN_PERCPU_PAGELIST_HIGH_FRACTION 8

/* Parses up to @max integers separated by blanks; returns how many, -1 if malformed. */
static int parse_ints(const char *value, long *out, int max)
{
	int n = 0;
	const char *s = value;

	while (*s) {
		char *end;

		while (*s == ' ' || *s == '\t' || *s == '\n')
			s++;
		if (!*s)
			break;
		if (n == max)
			return -1;
		out[n++] = strtol(s, &end, 10);
		if (end == s || (*end && *end != ' ' && *end != '\t' && *end != '\n'))
			return -1;
		s = end;
	}
	return n;
}

static int write_min_free_kbytes(struct kmm_kernel *k, const long *v, int n)
{
	if (n != 1 || v[0] < 0 || v[0] > INT_MAX)
		return -EINVAL;
	k->min_free_kbytes = (int)v[0];
	k->user_min_free_kbytes = (int)v[0];
	setup_per_zone_wmarks(k);
	return 0;
}

static int write_watermark_scale_factor(struct kmm_kernel *k, const long *v, int n)
{
	if (n != 1 || v[0] < 1 || v[0] > 3000)
		return -EINVAL;
	k->watermark_scale_factor = (int)v[0];
	setup_per_zone_wmarks(k);
	return 0;
}

static int write_watermark_boost_factor(struct kmm_kernel *k, const long *v, int n)
{
	if (n != 1 || v[0] < 0 || v[0] > INT_MAX)
		return -EINVAL;
	k->watermark_boost_factor = (int)v[0];
	return 0;
}

static int write_lowmem_reserve_ratio(struct kmm_kernel *k, const long *v, int n)
{
	if (n < 1)
		return -EINVAL;
	for (int i = 0; i < n; i++)
		if (v[i] > INT_MAX || v[i] < INT_MIN)
			return -EINVAL;
	for (int i = 0; i < n; i++)
		k->sysctl_lowmem_reserve_ratio[i] = v[i] < 1 ? 0 : (int)v[i];
	setup_per_zone_lowmem_reserve(k);
	return 0;
}

static int write_percpu_pagelist_high_fraction(struct kmm_kernel *k, const long *v, int n)
{
	if (n != 1 || v[0] < 0 || v[0] > INT_MAX ||
	    (v[0] && v[0] < MIN_PERCPU_PAGELIST_HIGH_FRACTION))
		return -EINVAL;
	if (k->percpu_pagelist_high_fraction == v[0])
		return 0;
	k->percpu_pagelist_high_fraction = (int)v[0];
	zone_pcp_update_all(k);
	return 0;
}

/* proc_dointvec_minmax with a range: one value in [@lo, @hi]. */
static int write_int_range(int *field, const long *v, int n, long lo, long hi)
{
	if (n != 1 || v[0] < lo || v[0] > hi)
		return -EINVAL;
	*field = (int)v[0];
	return 0;
}

static int write_max_map_count(struct kmm_kernel *k, const long *v, int n)
{
	return write_int_range(&k->sysctl_max_map_count, v, n, 0, INT_MAX);
}

static int write_overcommit_memory(struct kmm_kernel *k, const long *v, int n)
{
	return write_int_range(&k->sysctl_overcommit_memory, v, n, 0, 2);
}

/* Models: overcommit_ratio_handler(): a written ratio clears overcommit_kbytes. */
static int write_overcommit_ratio(struct kmm_kernel *k, const long *v, int n)
{
	int ret = write_int_range(&k->sysctl_overcommit_ratio, v, n, 0, INT_MAX);

	if (!ret)
		k->sysctl_overcommit_kbytes = 0;
	return ret;
}

/* Models: overcommit_kbytes_handler(): written kbytes clear overcommit_ratio. */
static int write_overcommit_kbytes(struct kmm_kernel *k, const long *v, int n)
{
	int ret = write_int_range(&k->sysctl_overcommit_kbytes, v, n, 0, INT_MAX);

	if (!ret)
		k->sysctl_overcommit_ratio = 0;
	return ret;
}

static int write_mmap_min_addr(struct kmm_kernel *k, const long *v, int n)
{
	return write_int_range(&k->sysctl_mmap_min_addr, v, n, 0, INT_MAX);
}

static int write_user_reserve_kbytes(struct kmm_kernel *k, const long *v, int n)
{
	return write_int_range(&k->sysctl_user_reserve_kbytes, v, n, 0, INT_MAX);
}

static int write_admin_reserve_kbytes(struct kmm_kernel *k, const long *v, int n)
{
	return write_int_range(&k->sysctl_admin_reserve_kbytes, v, n, 0, INT_MAX);
}

/* name, the value(s) (pointer into the kernel, count), write handler */
#define VM_SYSCTLS(X)                                                                              \
	X("min_free_kbytes", min_free_kbytes, 1, write_min_free_kbytes)                            \
	X("watermark_scale_factor", watermark_scale_factor, 1, write_watermark_scale_factor)       \
	X("watermark_boost_factor", watermark_boost_factor, 1, write_watermark_boost_factor)       \
	X("lowmem_reserve_ratio", sysctl_lowmem_reserve_ratio[0], MAX_NR_ZONES,                    \
	  write_lowmem_reserve_ratio)                                                              \
	X("percpu_pagelist_high_fraction", percpu_pagelist_high_fraction, 1,                       \
	  write_percpu_pagelist_high_fraction)                                                     \
	X("max_map_count", sysctl_max_map_count, 1, write_max_map_count)                           \
	X("overcommit_memory", sysctl_overcommit_memory, 1, write_overcommit_memory)               \
	X("overcommit_ratio", sysctl_overcommit_ratio, 1, write_overcommit_ratio)                  \
	X("overcommit_kbytes", sysctl_overcommit_kbytes, 1, write_overcommit_kbytes)               \
	X("mmap_min_addr", sysctl_mmap_min_addr, 1, write_mmap_min_addr)                           \
	X("user_reserve_kbytes", sysctl_user_reserve_kbytes, 1, write_user_reserve_kbytes)         \
	X("admin_reserve_kbytes", sysctl_admin_reserve_kbytes, 1, write_admin_reserve_kbytes)

static const struct vm_sysctl {
	const char *name;
	size_t offset;
	int count;
	int (*write)(struct kmm_kernel *k, const long *v, int n);
} vm_sysctls[] = {
#define VM_SYSCTL_ROW(name, field, count, fn) {name, offsetof(struct kmm_kernel, field), count, fn},
	VM_SYSCTLS(VM_SYSCTL_ROW)
#undef VM_SYSCTL_ROW
};

/*
 * Sysctls whose value lives in a part's own state (issue 15: k->shrinkers, k->vmscan, ...),
 * one int each: read (NULL: write-only, mode 0200, reads are -EACCES) and write (0 or
 * -EINVAL, nothing changed). Each part adds its row.
 */
static int read_vfs_cache_pressure(const struct kmm_kernel *k)
{
	return sysctl_vfs_cache_pressure(k);
}

static const struct vm_part_sysctl {
	const char *name;
	int (*read)(const struct kmm_kernel *k);
	int (*write)(struct kmm_kernel *k, long value);
} vm_part_sysctls[] = {
	{"drop_caches", NULL, drop_caches_write},
	{"page-cluster", swap_page_cluster, swap_set_page_cluster},
	{"swappiness", vm_swappiness, vmscan_set_swappiness},
	{"vfs_cache_pressure", read_vfs_cache_pressure, set_sysctl_vfs_cache_pressure},
	{"panic_on_oom", sysctl_panic_on_oom, set_sysctl_panic_on_oom},
	{"oom_kill_allocating_task", sysctl_oom_kill_allocating_task,
	 set_sysctl_oom_kill_allocating_task},
	{"oom_dump_tasks", sysctl_oom_dump_tasks, set_sysctl_oom_dump_tasks},
	{"compact_memory", NULL, sysctl_compact_memory_write},
	{"extfrag_threshold", sysctl_extfrag_threshold, set_sysctl_extfrag_threshold},
	{"compact_unevictable_allowed", sysctl_compact_unevictable_allowed,
	 set_sysctl_compact_unevictable_allowed},
	{"compaction_proactiveness", sysctl_compaction_proactiveness,
	 set_sysctl_compaction_proactiveness},
};

/* @name without its "vm.", "vm/" or "/proc/sys/vm/" prefix; NULL if it has none. */
static const char *sysctl_base(const char *name)
{
	if (strncmp(name, "vm.", 3) == 0)
		return name + 3;
	if (strncmp(name, "/proc/sys/vm/", 13) == 0)
		return name + 13;
	if (strncmp(name, "vm/", 3) == 0)
		return name + 3;
	return NULL;
}

static const struct vm_part_sysctl *part_sysctl_find(const char *name)
{
	name = sysctl_base(name);
	for (size_t i = 0; name && i < ARRAY_SIZE(vm_part_sysctls); i++)
		if (strcmp(name, vm_part_sysctls[i].name) == 0)
			return &vm_part_sysctls[i];
	return NULL;
}

static const struct vm_sysctl *sysctl_find(const char *name)
{
	name = sysctl_base(name);
	if (!name)
		return NULL;
	for (size_t i = 0; i < ARRAY_SIZE(vm_sysctls); i++)
		if (strcmp(name, vm_sysctls[i].name) == 0)
			return &vm_sysctls[i];
	return NULL;
}

/* The writeback part's sysctls (page-writeback.c) by bare name, or NULL. */
static const char *wb_sysctl_name(const char *name)
{
	static const char *const names[] = {
		"dirty_background_bytes",
		"dirty_background_ratio",
		"dirty_bytes",
		"dirty_expire_centisecs",
		"dirty_ratio",
		"dirty_writeback_centisecs",
	};
	const char *bare = sysctl_base(name);

	for (size_t i = 0; bare && i < ARRAY_SIZE(names); i++)
		if (strcmp(bare, names[i]) == 0)
			return bare;
	return NULL;
}

bool sysctl_exists(const char *name)
{
	return sysctl_find(name) != NULL || part_sysctl_find(name) != NULL ||
	       wb_sysctl_name(name) != NULL || hugetlb_sysctl_exists(sysctl_base(name)) ||
	       strncmp(name, "/sys/", 5) == 0;
}

/*
 * A write to a sysfs file of a part (hugetlb's pools today). 0, -ENOENT (no such file),
 * -EINVAL (refused; -EACCES, a read-only file, is refused alike).
 */
static int sysfs_store(struct kmm_kernel *k, const char *path, const char *value)
{
	int ret = hugetlb_sysfs_store(k, path, value);

	return ret == -EACCES ? -EINVAL : ret;
}

/* proc_dointvec output: the values separated by tabs, then a newline. */
int sysctl_read(const struct kmm_kernel *k, const char *name, const struct sink *out)
{
	const struct vm_sysctl *s = sysctl_find(name);
	const struct vm_part_sysctl *ps = part_sysctl_find(name);
	const int *v;

	if (!s && wb_sysctl_name(name))
		return writeback_sysctl_read(k, wb_sysctl_name(name), out);
	if (hugetlb_sysctl_exists(sysctl_base(name)))
		return hugetlb_sysctl_read(k, sysctl_base(name), out);
	if (ps) {
		if (!ps->read)
			return -EACCES;
		sink_printf(out, "%d\n", ps->read(k));
		return 0;
	}
	if (!s)
		return -ENOENT;
	v = (const int *)((const char *)k + s->offset);
	for (int i = 0; i < s->count; i++)
		sink_printf(out, "%s%d", i ? "\t" : "", v[i]);
	sink_printf(out, "\n");
	return 0;
}

int sysctl_write(struct kmm_kernel *k, const char *name, const char *value)
{
	const struct vm_sysctl *s = sysctl_find(name);
	const struct vm_part_sysctl *ps = part_sysctl_find(name);
	long v[MAX_NR_ZONES];
	int n;

	if (strncmp(name, "/sys/", 5) == 0) /* sysfs files of the parts that have them */
		return sysfs_store(k, name, value);
	if (hugetlb_sysctl_exists(sysctl_base(name)))
		return hugetlb_sysctl_write(k, sysctl_base(name), value);
	if (!s && wb_sysctl_name(name)) {
		n = parse_ints(value, v, 1);
		if (n < 0)
			return -EINVAL;
		return writeback_sysctl_write(k, wb_sysctl_name(name), v, n);
	}
	if (ps) {
		n = parse_ints(value, v, 1);
		if (n != 1)
			return -EINVAL;
		return ps->write(k, v[0]);
	}
	if (!s)
		return -ENOENT;
	n = parse_ints(value, v, s->count);
	if (n < 0)
		return -EINVAL;
	return s->write(k, v, n);
}

void sysctl_list(void (*fn)(void *arg, const char *name), void *arg)
{
	char name[64];

	for (size_t i = 0; i < ARRAY_SIZE(vm_sysctls); i++) {
		snprintf(name, sizeof(name), "vm.%s", vm_sysctls[i].name);
		fn(arg, name);
	}
	writeback_sysctl_list(fn, arg);
	hugetlb_sysctl_list(fn, arg);
	for (size_t i = 0; i < ARRAY_SIZE(vm_part_sysctls); i++) {
		snprintf(name, sizeof(name), "vm.%s", vm_part_sysctls[i].name);
		fn(arg, name);
	}
}
