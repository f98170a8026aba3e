/*
 * Views served by path: /proc, /sys and debugfs files in the kernel's formats. One table;
 * each subsystem adds its rows (path, show function) as it arrives.
 */
#include "mm/writeback.h"
#include "sim/machine.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "fs/proc_task_mmu.h"
#include "kernel/sched.h"
#include "mm/compaction.h"
#include "lib/sink.h"
#include "lib/trace.h"
#include "mm/huge_mm.h"
#include "mm/hugetlb.h"
#include "mm/slab.h"
#include "mm/swap_state.h"
#include "mm/swapfile.h"
#include "mm/views.h"
#include "mm/vmalloc.h"
#include "sim/api.h"

typedef void (*proc_show_fn)(struct kmm_machine *m, const struct sink *out);

/* Models: kernel/resource.c:r_show() via /proc/iomem (read as root). */
static void show_iomem(struct kmm_machine *m, const struct sink *out)
{
	resource_show(&m->kernel.iomem_resource, out);
}

#define KERNEL_VIEW(fn)                                                                            \
	static void proc_##fn(struct kmm_machine *m, const struct sink *out)                       \
	{                                                                                          \
		fn(&m->kernel, out);                                                               \
	}
KERNEL_VIEW(show_zoneinfo)
KERNEL_VIEW(show_buddyinfo)
KERNEL_VIEW(show_pagetypeinfo)
KERNEL_VIEW(show_vmstat)
KERNEL_VIEW(show_meminfo)
KERNEL_VIEW(show_slabinfo)
KERNEL_VIEW(show_memblock_memory)
KERNEL_VIEW(show_memblock_reserved)
KERNEL_VIEW(show_vmallocinfo)
KERNEL_VIEW(show_kernel_page_tables)
KERNEL_VIEW(show_unusable_index)
KERNEL_VIEW(show_extfrag_index)
KERNEL_VIEW(show_asid)
KERNEL_VIEW(show_tlbflush)
KERNEL_VIEW(show_swaps)
KERNEL_VIEW(show_pageblocks)

/* The ftrace buffer (kernel/trace/trace.c's "trace" file, with the nop tracer). */
static void show_trace(struct kmm_machine *m, const struct sink *out)
{
	sink_printf(out, "# tracer: nop\n#\n# entries-written: %llu   #P:%u\n#\n",
		    (unsigned long long)m->env.trace_events, m->hw.nr_cpus);
	text_ring_read(&m->env.trace_buf, out->fn, out->arg);
}

/* The cost table (src/lib/cost.h): the machine's cycles per step, the default, the source. */
static void show_costs(struct kmm_machine *m, const struct sink *out)
{
	sink_printf(out, "# cpu_mhz %u: time = cycles / cpu_mhz; set with -cost NAME=CYCLES\n",
		    m->env.cpu_mhz);
	sink_printf(out, "%-18s %8s %8s  %-52s %s\n", "# name", "cycles", "default", "charged for",
		    "source");
	for (int i = 0; i < NR_COSTS; i++)
		sink_printf(out, "%-18s %8u %8u  %-52s %s\n", cost_rows[i].name, m->env.cost[i],
			    cost_rows[i].def, cost_rows[i].what, cost_rows[i].source);
}

/* The machine clock, each CPU's clock and busy time, the event queue. */
static void show_clock(struct kmm_machine *m, const struct sink *out)
{
	const struct kmm_env *env = &m->env;

	sink_printf(out, "machine cycles %llu ns %llu current_cpu %d\n",
		    (unsigned long long)env->cycles, (unsigned long long)env_time_ns(env),
		    env->clock_cpu);
	for (uint32_t c = 0; c < m->hw.nr_cpus; c++)
		sink_printf(out, "cpu%-3u clock %llu busy %llu\n", c,
			    (unsigned long long)env_cpu_clock(env, (int)c),
			    (unsigned long long)env_cpu_busy(env, (int)c));
	sink_printf(out, "events queued %u ran %llu next_due ", env->evq.nr,
		    (unsigned long long)env->evq.ran);
	if (env->evq.nr)
		sink_printf(out, "%llu\n", (unsigned long long)env->evq.next_due);
	else
		sink_printf(out, "none\n");
}

/* Models: mm/swap_state.c:vma_ra_enabled_show(): "true" or "false". */
static void show_vma_ra_enabled(struct kmm_machine *m, const struct sink *out)
{
	sink_printf(out, "%s\n", swap_vma_ra_enabled(&m->kernel) ? "true" : "false");
}

static void show_writeback(struct kmm_machine *m, const struct sink *out)
{
	writeback_show(&m->kernel, out);
}

static void show_blk_stat(struct kmm_machine *m, const struct sink *out)
{
	blk_show_stat(&m->kernel, out);
}

#define TRACE_EVENTS_DIR "/sys/kernel/debug/tracing/events/"

#define PROC_VIEWS(X)                                                                              \
	X("/proc/iomem", show_iomem)                                                               \
	X("/proc/zoneinfo", proc_show_zoneinfo)                                                    \
	X("/proc/buddyinfo", proc_show_buddyinfo)                                                  \
	X("/proc/pagetypeinfo", proc_show_pagetypeinfo)                                            \
	X("/proc/vmstat", proc_show_vmstat)                                                        \
	X("/proc/meminfo", proc_show_meminfo)                                                      \
	X("/proc/slabinfo", proc_show_slabinfo)                                                    \
	X("/proc/swaps", proc_show_swaps)                                                          \
	X("/sys/kernel/debug/memblock/memory", proc_show_memblock_memory)                          \
	X("/sys/kernel/debug/memblock/reserved", proc_show_memblock_reserved)                      \
	X("/proc/vmallocinfo", proc_show_vmallocinfo)                                              \
	X("/sys/kernel/debug/kernel_page_tables", proc_show_kernel_page_tables)                    \
	X("/sys/kernel/debug/extfrag/unusable_index", proc_show_unusable_index)                    \
	X("/sys/kernel/debug/extfrag/extfrag_index", proc_show_extfrag_index)                      \
	X("/sys/kernel/debug/tracing/trace", show_trace)                                           \
	X("/sys/kernel/debug/kmm/costs", show_costs)                                               \
	X("/sys/kernel/debug/kmm/asid", proc_show_asid)                                            \
	X("/sys/kernel/debug/kmm/tlbflush", proc_show_tlbflush)                                    \
	X("/sys/kernel/debug/kmm/clock", show_clock)                                               \
	X("/sys/kernel/debug/kmm/pageblocks", proc_show_pageblocks)                                \
	X("/sys/kernel/debug/kmm/writeback", show_writeback)                                       \
	X("/sys/block/vda/stat", show_blk_stat)                                                    \
	X("/sys/kernel/mm/swap/vma_ra_enabled", show_vma_ra_enabled)

static const struct {
	const char *path;
	proc_show_fn show;
} proc_views[] = {
#define PROC_VIEW_ROW(path, fn) {path, fn},
	PROC_VIEWS(PROC_VIEW_ROW)
#undef PROC_VIEW_ROW
};

static proc_show_fn proc_find(const char *path)
{
	for (size_t i = 0; i < sizeof(proc_views) / sizeof(proc_views[0]); i++) {
		if (strcmp(path, proc_views[i].path) == 0)
			return proc_views[i].show;
	}
	return NULL;
}

/*
 * Per-task paths: /proc/<pid>/<file> (src/fs/proc_task_mmu.c) and the user page-table dump
 * /sys/kernel/debug/kmm/ptdump/<pid>. Returns KMM_OK, or KMM_ENOENT if @path is not one;
 * a pid that names no task is KMM_ESRCH, as the kernel's lookup of the directory fails.
 */
#define PTDUMP_DIR    "/sys/kernel/debug/kmm/ptdump/"
#define PID_MAX_LIMIT (4 * 1024 * 1024) /* include/linux/threads.h, 64-bit */
static enum kmm_status proc_pid_path(struct kmm_machine *m, const char *path,
				     const struct sink *out, bool *matched)
{
	const char *p = NULL, *file = NULL;
	long pid = 0;
	int ret;

	*matched = false;
	if (strncmp(path, "/proc/", 6) == 0)
		p = path + 6;
	else if (strncmp(path, PTDUMP_DIR, strlen(PTDUMP_DIR)) == 0)
		p = path + strlen(PTDUMP_DIR);
	if (!p || *p < '1' || *p > '9')
		return KMM_OK;
	for (; *p >= '0' && *p <= '9' && pid <= PID_MAX_LIMIT; p++)
		pid = pid * 10 + (*p - '0');
	if (path[1] == 'p') {
		if (*p != '/')
			return KMM_OK;
		file = p + 1;
	} else if (*p) {
		return KMM_OK;
	}
	*matched = true;
	if (pid > PID_MAX_LIMIT)
		return env_error(&m->env, KMM_ESRCH, "%s: no such task", path);
	ret = file ? proc_pid_show(&m->kernel, (int)pid, file, out)
		   : ptdump_task(&m->kernel, (int)pid, out);
	if (ret == -ESRCH)
		return env_error(&m->env, KMM_ESRCH, "%s: no such task", path);
	if (ret)
		return env_error(&m->env, KMM_ENOENT, "%s: no such view", path);
	return KMM_OK;
}

/* kmm_proc_show for the public call @fn (its name starts the error text). */
static enum kmm_status proc_show_for(const char *fn, struct kmm_machine *m, const char *path,
				     kmm_sink_fn sink, void *arg)
{
	bool matched;
	enum kmm_status pst;
	struct sink out = {sink, arg};
	proc_show_fn show;

	show = proc_find(path);
	if (show) {
		show(m, &out);
		return KMM_OK;
	}
	if (strncmp(path, "/proc/sys/vm/", 13) == 0 && sysctl_read(&m->kernel, path, &out) == 0)
		return KMM_OK;
	if (strncmp(path, "/sys/block/", 11) == 0 && show_sys_block(&m->kernel, path, &out) == 0)
		return KMM_OK;
	if (strncmp(path, THP_SYSFS_DIR, strlen(THP_SYSFS_DIR)) == 0 &&
	    thp_sysfs_show(&m->kernel, path + strlen(THP_SYSFS_DIR), &out) == 0)
		return KMM_OK;
	if (hugetlb_sysfs_show(&m->kernel, path, &out) == 0)
		return KMM_OK;
	pst = proc_pid_path(m, path, &out, &matched);
	if (matched)
		return pst;
	if (strncmp(path, TRACE_EVENTS_DIR, strlen(TRACE_EVENTS_DIR)) == 0 &&
	    trace_show_enable(&m->env, path + strlen(TRACE_EVENTS_DIR), &out))
		return KMM_OK;
	return env_error(&m->env, KMM_ENOENT, "%s: %s: no such view", fn, path);
}

enum kmm_status kmm_proc_show(struct kmm_machine *m, const char *path, kmm_sink_fn sink, void *arg)
{
	if (!m)
		return api_fail(m, KMM_EINVAL, "kmm_proc_show: NULL machine");
	if (!path || !sink)
		return api_fail(m, KMM_EINVAL, "kmm_proc_show: NULL %s", !path ? "path" : "sink");
	return proc_show_for("kmm_proc_show", m, path, sink, arg);
}

enum kmm_status kmm_proc_read(struct kmm_machine *m, const char *path, char *buf, size_t len)
{
	struct sink_buf b = {.buf = buf, .cap = len};
	enum kmm_status st;

	if (!m)
		return api_fail(m, KMM_EINVAL, "kmm_proc_read: NULL machine");
	if (!path || (!buf && len))
		return api_fail(m, KMM_EINVAL, "kmm_proc_read: NULL %s", !path ? "path" : "buf");
	if (len)
		buf[0] = '\0';
	st = proc_show_for("kmm_proc_read", m, path, sink_buf_fn, &b);
	if (st)
		return st;
	if (b.needed + 1 > len)
		return env_error(
			&m->env, KMM_ERANGE,
			"kmm_proc_read: %s: len %zu is too small: needs a buffer of %zu bytes",
			path, len, b.needed + 1);
	return KMM_OK;
}

struct sysctl_path_ctx {
	void (*fn)(void *arg, const char *path);
	void *arg;
};

static void trace_enable_as_path(void *arg, const char *rel)
{
	struct sysctl_path_ctx *c = arg;
	char path[224];

	snprintf(path, sizeof(path), TRACE_EVENTS_DIR "%s", rel);
	c->fn(c->arg, path);
}

static void sysctl_as_path(void *arg, const char *name)
{
	struct sysctl_path_ctx *c = arg;
	char path[96];

	snprintf(path, sizeof(path), "/proc/sys/vm/%s", name + 3);
	c->fn(c->arg, path);
}

/* kmm_proc_list's per-task part: a task's /proc/<pid>/<file> paths, then its ptdump path. */
struct pid_paths_ctx {
	void (*fn)(void *arg, const char *path);
	void *arg;
	int pid;
};

static void pid_file_as_path(void *arg, const char *file)
{
	const struct pid_paths_ctx *c = arg;
	char path[64];

	snprintf(path, sizeof(path), "/proc/%d/%s", c->pid, file);
	c->fn(c->arg, path);
}

static int list_pid_paths(struct task_struct *t, void *arg)
{
	struct pid_paths_ctx *c = arg;
	char path[64];

	c->pid = t->pid;
	proc_pid_list_files(pid_file_as_path, c);
	snprintf(path, sizeof(path), PTDUMP_DIR "%d", t->pid);
	c->fn(c->arg, path);
	return 0;
}

void kmm_proc_list(const struct kmm_machine *m, void (*fn)(void *arg, const char *path), void *arg)
{
	struct pid_paths_ctx pc = {fn, arg, 0};

	struct sysctl_path_ctx c = {fn, arg};

	for (size_t i = 0; i < sizeof(proc_views) / sizeof(proc_views[0]); i++)
		fn(arg, proc_views[i].path);
	for (const char *const *f = thp_sysfs_files; *f; f++) {
		char path[96];

		snprintf(path, sizeof(path), THP_SYSFS_DIR "%s", *f);
		fn(arg, path);
	}
	if (m) /* a booted machine: its hugetlb sysfs files */
		hugetlb_sysfs_list(&m->kernel, fn, arg);
	sysctl_list(sysctl_as_path, &c);
	trace_list_enable(trace_enable_as_path, &c);
	/* each live task's paths, in pid order (for_each_task changes nothing; the callback
	 * only reads the pid) */
	if (m)
		for_each_task((struct kmm_kernel *)&m->kernel, list_pid_paths, &pc);
}

API_BODY(sysctl, { const char *name, *value; })
{
	int ret;

	if (!p->name || !p->value)
		return api_error(a, KMM_EINVAL, "NULL %s", !p->name ? "name" : "value");
	if (strncmp(p->name, THP_SYSFS_DIR, strlen(THP_SYSFS_DIR)) == 0) {
		ret = thp_sysfs_store(a->k, p->name + strlen(THP_SYSFS_DIR), p->value);
		if (ret == -ENOENT)
			return api_error(a, KMM_ENOENT, "%s: no such file", p->name);
		if (ret == -EACCES)
			return api_error(a, KMM_EINVAL, "%s: read-only", p->name);
		if (ret)
			return api_error(a, KMM_EINVAL, "%s: invalid value '%s'", p->name,
					 p->value);
		return KMM_OK;
	}
	ret = node_compact_sysfs_write(a->k, p->name, p->value); /* sysfs: nodeN/compact */
	if (ret == -ENOENT)
		ret = sysctl_write(a->k, p->name, p->value);
	if (ret == -ENOENT)
		return api_error(a, KMM_ENOENT, "sysctl %s: no such tunable", p->name);
	if (ret)
		return api_error(a, KMM_EINVAL, "sysctl %s=%s: invalid value", p->name, p->value);
	return KMM_OK;
}

enum kmm_status kmm_sysctl(struct kmm_machine *m, const char *name, const char *value)
{
	return API_CALL(m, API_MACHINE, sysctl, name, value);
}
