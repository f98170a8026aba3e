/*
 * Views served by path: /proc, /sys and debugfs files in the kernel's formats. One table;
 * each subsystem adds its rows (path, show function) as it arrives.
 */
#include "sim/machine.h"

#include <stdio.h>
#include <string.h>

#include "lib/sink.h"

typedef void (*proc_show_fn)(struct kmm_machine *m, const struct sink *out);

/* Models: kernel/resource.c:r_show() via /proc/iomem (read as root). */
static void show_iomem(struct kmm_machine *m, const struct sink *out)
{
	resource_show(&m->kernel.iomem_resource, out);
}

#define PROC_VIEWS(X) X("/proc/iomem", show_iomem)

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

enum kmm_status kmm_proc_show(struct kmm_machine *m, const char *path, kmm_sink_fn sink,
			      void *arg)
{
	struct sink out = {sink, arg};
	proc_show_fn show;

	if (!m || !path || !sink)
		return kmm_error_nomachine(KMM_EINVAL, "kmm_proc_show: NULL argument");
	show = proc_find(path);
	if (!show)
		return env_error(&m->env, KMM_ENOENT, "%s: no such view", path);
	show(m, &out);
	return KMM_OK;
}

enum kmm_status kmm_proc_read(struct kmm_machine *m, const char *path, char *buf, size_t len)
{
	struct sink_buf b = {.buf = buf, .cap = len};
	enum kmm_status st;

	if (!m || !path || (!buf && len))
		return kmm_error_nomachine(KMM_EINVAL, "kmm_proc_read: NULL argument");
	if (len)
		buf[0] = '\0';
	st = kmm_proc_show(m, path, sink_buf_fn, &b);
	if (st)
		return st;
	if (b.needed + 1 > len)
		return env_error(&m->env, KMM_ERANGE, "%s: needs a buffer of %zu bytes", path,
				 b.needed + 1);
	return KMM_OK;
}

void kmm_proc_list(const struct kmm_machine *m, void (*fn)(void *arg, const char *path),
		   void *arg)
{
	(void)m;
	for (size_t i = 0; i < sizeof(proc_views) / sizeof(proc_views[0]); i++)
		fn(arg, proc_views[i].path);
}
