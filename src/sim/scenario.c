/*
 * Scenarios: one step per line, run in order. Lines before the first operation set up the
 * machine ("machine", "append"); the first operation boots it. See docs/scenarios.md.
 *
 *   # comment                     blank lines and comments are skipped
 *   machine -m 2G -smp 2          QEMU-style machine options (before boot)
 *   append mem=1G                 kernel command line (before boot)
 *   boot                          boot now (otherwise the first operation does)
 *   show /proc/iomem              print a view
 *   check                         run kmm_check(); a violation fails the scenario
 *
 * Words are separated by blanks; double quotes group words ("a b" is one argument).
 */
#include "sim/scenario.h"
#include "sim/compact_steps.h"
#include "sim/khugepaged_steps.h"
#include "sim/page_steps.h"
#include "sim/report_steps.h"
#include "sim/slab_steps.h"
#include "sim/oom_steps.h"
#include "sim/frag_steps.h"
#include "sim/hugetlb_steps.h"
#include "sim/sample_steps.h"
#include "sim/swap_steps.h"
#include "sim/file_steps.h"
#include "sim/task_steps.h"
#include "sim/wb_steps.h"
#include "sim/vmalloc_steps.h"

#include <ctype.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/env.h"
#include "sim/machine.h"

extern const char kmm_default_scenario_text[];

const char *kmm_scenario_default(void)
{
	return kmm_default_scenario_text;
}

enum kmm_status scenario_fail(struct scenario *sc, enum kmm_status status, const char *fmt, ...)
{
	char msg[ENV_ERR_MAX - 64];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return kmm_error_nomachine(status, "%s:%u: %s", sc->name, sc->line, msg);
}

/* "key=value" options after the fixed arguments; false on an unknown key or bad value. */
bool scenario_parse_opts(struct scenario *sc, int argc, char **argv, int first,
			 const char *const *keys, const char **vals)
{
	for (int i = first; i < argc; i++) {
		char *eq = strchr(argv[i], '=');
		bool known = false;

		if (!eq) {
			scenario_fail(sc, KMM_EINVAL, "%s: expected key=value, got '%s'", argv[0],
				      argv[i]);
			return false;
		}
		*eq = 0;
		for (int j = 0; keys[j]; j++)
			if (strcmp(argv[i], keys[j]) == 0)
				vals[j] = eq + 1, known = true;
		if (!known) {
			scenario_fail(sc, KMM_EINVAL, "%s: unknown option '%s'", argv[0], argv[i]);
			return false;
		}
	}
	return true;
}

bool scenario_parse_u64(const char *text, uint64_t *out)
{
	return kmm_parse_size(text, out) == KMM_OK;
}

enum kmm_status scenario_boot(struct scenario *sc)
{
	enum kmm_status st;

	if (sc->m)
		return KMM_OK;
	st = kmm_machine_create(&sc->cfg, &sc->m);
	if (st)
		return scenario_fail(sc, st, "%s", kmm_last_error(NULL));
	sink_printf(&sc->out, "booted: %u CPUs, %" PRIu64 " MiB RAM in %u bank%s, %u node%s%s%s\n",
		    sc->cfg.nr_cpus, kmm_config_ram_size(&sc->cfg) >> 20, sc->cfg.nr_banks,
		    sc->cfg.nr_banks == 1 ? "" : "s", sc->cfg.nr_nodes ? sc->cfg.nr_nodes : 1,
		    sc->cfg.nr_nodes > 1 ? "s" : "", sc->cfg.cmdline[0] ? ", command line: " : "",
		    sc->cfg.cmdline);
	return KMM_OK;
}

static enum kmm_status step_machine(struct scenario *sc, int argc, char **argv)
{
	for (int i = 1; i < argc; i += 2) {
		const char *value = i + 1 < argc ? argv[i + 1] : NULL;
		enum kmm_status st;

		if (!kmm_config_is_option(argv[i]))
			return scenario_fail(sc, KMM_EINVAL, "machine: unknown option '%s'",
					     argv[i]);
		st = kmm_config_option(&sc->cfg, argv[i], value);
		if (st)
			return scenario_fail(sc, st, "machine: %s", kmm_last_error(NULL));
	}
	return KMM_OK;
}

static enum kmm_status step_append(struct scenario *sc, int argc, char **argv)
{
	for (int i = 1; i < argc; i++) {
		if (kmm_config_append(&sc->cfg, argv[i]))
			return scenario_fail(sc, KMM_EINVAL, "append: %s", kmm_last_error(NULL));
	}
	return KMM_OK;
}

static enum kmm_status step_boot(struct scenario *sc, int argc, char **argv)
{
	return scenario_boot(sc);
}

static enum kmm_status step_show(struct scenario *sc, int argc, char **argv)
{
	for (int i = 1; i < argc; i++) {
		enum kmm_status st;

		sink_printf(&sc->out, "== %s\n", argv[i]);
		st = kmm_proc_show(sc->m, argv[i], sc->out.fn, sc->out.arg);
		if (st)
			return scenario_fail(sc, st, "show: %s", kmm_last_error(sc->m));
	}
	return KMM_OK;
}

static enum kmm_status step_check(struct scenario *sc, int argc, char **argv)
{
	enum kmm_status st = kmm_check(sc->m);

	if (st)
		return scenario_fail(sc, st, "check: %s", kmm_last_error(sc->m));
	sink_printf(&sc->out, "check: all invariants hold\n");
	return KMM_OK;
}

static enum kmm_status step_echo(struct scenario *sc, int argc, char **argv)
{
	for (int i = 1; i < argc; i++)
		sink_printf(&sc->out, "%s%s", i > 1 ? " " : "", argv[i]);
	sink_printf(&sc->out, "\n");
	return KMM_OK;
}

static enum kmm_status step_dmesg(struct scenario *sc, int argc, char **argv)
{
	sink_printf(&sc->out, "== dmesg\n");
	kmm_dmesg(sc->m, sc->out.fn, sc->out.arg);
	return KMM_OK;
}

/* expect PATH contains|lacks TEXT */
static enum kmm_status step_expect(struct scenario *sc, int argc, char **argv)
{
	struct sink_str s = {0};
	enum kmm_status st;
	bool want = strcmp(argv[2], "contains") == 0, found;

	if (!want && strcmp(argv[2], "lacks") != 0)
		return scenario_fail(sc, KMM_EINVAL,
				     "expect: second word must be 'contains' or "
				     "'lacks', not '%s'",
				     argv[2]);
	st = kmm_proc_show(sc->m, argv[1], sink_str_fn, &s);
	if (st) {
		free(s.buf);
		return scenario_fail(sc, st, "expect: %s", kmm_last_error(sc->m));
	}
	found = s.buf && strstr(s.buf, argv[3]);
	free(s.buf);
	if (found != want)
		return scenario_fail(sc, KMM_ECORRUPT, "expect: %s %s \"%s\", but it %s", argv[1],
				     want ? "should contain" : "should not contain", argv[3],
				     want ? "does not" : "does");
	return KMM_OK;
}

static enum kmm_status step_sysctl(struct scenario *sc, int argc, char **argv)
{
	enum kmm_status st = kmm_sysctl(sc->m, argv[1], argv[2]);

	if (st)
		return scenario_fail(sc, st, "sysctl: %s", kmm_last_error(sc->m));
	return KMM_OK;
}

/* thp KEY=VALUE ...: writes /sys/kernel/mm/transparent_hugepage/KEY (enabled, defrag ...). */
static enum kmm_status step_thp(struct scenario *sc, int argc, char **argv)
{
	for (int i = 1; i < argc; i++) {
		char path[160], *eq = strchr(argv[i], '=');
		enum kmm_status st;

		if (!eq || eq == argv[i])
			return scenario_fail(sc, KMM_EINVAL, "thp: expected KEY=VALUE, got '%s'",
					     argv[i]);
		snprintf(path, sizeof(path), "/sys/kernel/mm/transparent_hugepage/%.*s",
			 (int)(eq - argv[i]), argv[i]);
		st = kmm_sysctl(sc->m, path, eq + 1);
		if (st)
			return scenario_fail(sc, st, "thp: %s", kmm_last_error(sc->m));
	}
	return KMM_OK;
}

static enum kmm_status step_phys_write64(struct scenario *sc, int argc, char **argv)
{
	uint64_t pa, value;

	if (!scenario_parse_u64(argv[1], &pa) || !scenario_parse_u64(argv[2], &value))
		return scenario_fail(sc, KMM_EINVAL, "phys-write64: expected PA VALUE, got '%s %s'",
				     argv[1], argv[2]);
	if (kmm_phys_write(sc->m, pa, &value, sizeof(value)))
		return scenario_fail(sc, KMM_EFAULT, "phys-write64: %s", kmm_last_error(sc->m));
	return KMM_OK;
}

static enum kmm_status step_phys_read64(struct scenario *sc, int argc, char **argv)
{
	uint64_t pa, value;

	if (!scenario_parse_u64(argv[1], &pa))
		return scenario_fail(sc, KMM_EINVAL, "phys-read64: '%s' is not an address",
				     argv[1]);
	if (kmm_phys_read(sc->m, pa, &value, sizeof(value)))
		return scenario_fail(sc, KMM_EFAULT, "phys-read64: %s", kmm_last_error(sc->m));
	sink_printf(&sc->out, "phys 0x%016" PRIx64 ": 0x%016" PRIx64 "\n", pa, value);
	return KMM_OK;
}

enum step_phase { BEFORE_BOOT, AFTER_BOOT, ANYTIME };

/* name, usage, min and max argument count (after the name), phase, handler, help */
#define SCENARIO_STEPS(X)                                                                          \
	X("machine", "OPTION VALUE ...", 1, SCENARIO_MAX_ARGS - 1, BEFORE_BOOT, step_machine,      \
	  "set machine options, as on the kmmsim command line")                                    \
	X("append", "PARAM ...", 1, SCENARIO_MAX_ARGS - 1, BEFORE_BOOT, step_append,               \
	  "append to the kernel command line")                                                     \
	X("boot", "", 0, 0, ANYTIME, step_boot, "boot the machine (the first operation does)")     \
	X("show", "PATH ...", 1, SCENARIO_MAX_ARGS - 1, AFTER_BOOT, step_show,                     \
	  "print views such as /proc/iomem")                                                       \
	X("expect", "PATH contains|lacks TEXT", 3, 3, AFTER_BOOT, step_expect,                     \
	  "fail unless the view contains (or lacks) TEXT")                                         \
	X("check", "", 0, 0, AFTER_BOOT, step_check, "run every invariant check")                  \
	X("sysctl", "NAME VALUE", 2, 2, AFTER_BOOT, step_sysctl,                                   \
	  "write a tunable (vm.min_free_kbytes 8192; quote lists: \"64 64 8 0\")")                 \
	X("thp", "KEY=VALUE ...", 1, SCENARIO_MAX_ARGS - 1, AFTER_BOOT, step_thp,                  \
	  "write THP knobs (enabled=always|madvise|never defrag=... khugepaged/max_ptes_none=N)")  \
	X("dmesg", "", 0, 0, AFTER_BOOT, step_dmesg, "print the kernel log")                       \
	X("echo", "TEXT ...", 0, SCENARIO_MAX_ARGS - 1, ANYTIME, step_echo, "print TEXT")          \
	X("phys-write64", "PA VALUE", 2, 2, AFTER_BOOT, step_phys_write64,                         \
	  "store a 64-bit word in physical memory")                                                \
	X("phys-read64", "PA", 1, 1, AFTER_BOOT, step_phys_read64, "print the 64-bit word at PA")  \
	X("alloc-pages", "SET COUNT|PCT% [order=N] [gfp=FLAGS] [node=N]", 2, 5, AFTER_BOOT,        \
	  step_alloc_pages, "allocate blocks into a named set (gfp as the kernel prints it)")      \
	X("free-pages", "SET [every=K] [offset=J]", 1, 3, AFTER_BOOT, step_free_pages,             \
	  "free blocks J, J+K, ... of a set (default: all)")                                       \
	X("cpu", "N", 1, 1, AFTER_BOOT, step_cpu, "run the following steps on CPU N")              \
	X("drain", "", 0, 0, AFTER_BOOT, step_drain, "drain every CPU's pcp lists")                \
	X("trace", "EVENT|SUBSYSTEM|all on|off", 2, 2, AFTER_BOOT, step_trace,                     \
	  "switch trace events (read /sys/kernel/debug/tracing/trace)")                            \
	X("kmem-cache-create", "NAME SIZE [align=N] [flags=SLAB_X|...]", 2, 4, AFTER_BOOT,         \
	  step_kmem_cache_create, "create a slab cache (it may merge with a compatible one)")      \
	X("kmem-cache-destroy", "NAME", 1, 1, AFTER_BOOT, step_kmem_cache_destroy,                 \
	  "destroy a cache (objects left are reported, as the kernel does)")                       \
	X("kmem-cache-shrink", "NAME", 1, 1, AFTER_BOOT, step_kmem_cache_shrink,                   \
	  "flush the CPU slabs and free the empty slabs of a cache")                               \
	X("kmem-cache-alloc", "SET CACHE COUNT [gfp=FLAGS] [node=N]", 3, 5, AFTER_BOOT,            \
	  step_kmem_cache_alloc, "allocate objects of a cache into a named set")                   \
	X("kmalloc", "SET COUNT [size=N|A-B] [gfp=FLAGS] [node=N]", 2, 5, AFTER_BOOT,              \
	  step_kmalloc, "kmalloc objects (sizes drawn evenly from A-B) into a named set")          \
	X("kfree", "SET [every=K] [offset=J]", 1, 3, AFTER_BOOT, step_kfree,                       \
	  "free objects J, J+K, ... of a set (default: all)")                                      \
	X("vmalloc", "NAME SIZE [huge] [zero] [node=N]", 2, 5, AFTER_BOOT, step_vmalloc,           \
	  "vmalloc (vmalloc_huge, vzalloc) an area and name it")                                   \
	X("vfree", "NAME|VA", 1, 1, AFTER_BOOT, step_vfree, "vfree an area (lazily purged)")       \
	X("ioremap", "NAME PA SIZE", 3, 3, AFTER_BOOT, step_ioremap,                               \
	  "map a device range (Device-nGnRE) and name it")                                         \
	X("iounmap", "NAME|VA", 1, 1, AFTER_BOOT, step_iounmap, "unmap an ioremapped range")       \
	X("vpurge", "", 0, 0, AFTER_BOOT, step_vpurge,                                             \
	  "purge the lazily freed vmalloc areas now (vm_unmap_aliases)")                           \
	X("load64", "NAME[+OFF]|VA", 1, 1, AFTER_BOOT, step_load64,                                \
	  "load 8 bytes through the current CPU's MMU (a fault is printed)")                       \
	X("store64", "NAME[+OFF]|VA VALUE", 2, 2, AFTER_BOOT, step_store64,                        \
	  "store 8 bytes through the current CPU's MMU (a fault is printed)")                      \
	REPORT_SCENARIO_STEPS(X)                                                                   \
	OOM_SCENARIO_STEPS(X)                                                                      \
	FRAG_SCENARIO_STEPS(X)                                                                     \
	TASK_SCENARIO_STEPS(X)                                                                     \
	FILE_SCENARIO_STEPS(X)                                                                     \
	SWAP_SCENARIO_STEPS(X)                                                                     \
	WB_SCENARIO_STEPS(X)                                                                       \
	COMPACT_SCENARIO_STEPS(X)                                                                  \
	KHUGEPAGED_SCENARIO_STEPS(X)                                                               \
	HUGETLB_SCENARIO_STEPS(X)                                                                  \
	SAMPLE_SCENARIO_STEPS(X)

static const struct scenario_step {
	const char *name, *usage;
	int min_args, max_args;
	enum step_phase phase;
	scenario_step_fn fn;
	const char *help;
} scenario_steps[] = {
#define SCENARIO_STEP_ROW(name, usage, lo, hi, phase, fn, help)                                    \
	{name, usage, lo, hi, phase, fn, help},
	SCENARIO_STEPS(SCENARIO_STEP_ROW)
#undef SCENARIO_STEP_ROW
};

/*
 * Splits @line in place into words; double quotes group. Returns the count, -1 if too many,
 * -2 if a quote is left open.
 */
static int split_words(char *line, char **argv, int max)
{
	int argc = 0;
	char *s = line, *w;

	for (;;) {
		while (*s == ' ' || *s == '\t')
			s++;
		if (!*s || *s == '#')
			return argc;
		if (argc == max)
			return -1;
		argv[argc++] = w = s;
		bool quoted = false;
		for (; *s && (quoted || (*s != ' ' && *s != '\t')); s++) {
			if (*s == '"')
				quoted = !quoted;
			else
				*w++ = *s;
		}
		if (quoted)
			return -2;
		if (*s)
			s++;
		*w = '\0';
	}
}

static const struct scenario_step *find_step(const char *name)
{
	for (size_t i = 0; i < sizeof(scenario_steps) / sizeof(scenario_steps[0]); i++) {
		if (strcmp(name, scenario_steps[i].name) == 0)
			return &scenario_steps[i];
	}
	return NULL;
}

/*
 * The words after a step's fixed arguments: where its usage lists options ("[order=N]",
 * "[huge]"), each word must be one of them (key=value with a listed key, or a listed bare
 * word). The handlers parse the values; this catches a misspelt key before anything runs.
 */
static enum kmm_status check_step_options(struct scenario *sc, const struct scenario_step *step,
					  int argc, char **argv)
{
	if (!strchr(step->usage, '['))
		return KMM_OK;
	for (int i = 1 + step->min_args; i < argc; i++) {
		const char *eq = strchr(argv[i], '=');
		size_t n = eq ? (size_t)(eq - argv[i]) : strlen(argv[i]);
		bool known = false;

		for (const char *u = strchr(step->usage, '['); u && !known; u = strchr(u + 1, '['))
			known = n && strncmp(u + 1, argv[i], n) == 0 &&
				u[1 + n] == (eq ? '=' : ']');
		if (!known)
			return scenario_fail(sc, KMM_EINVAL,
					     "%s: unknown option '%s' (usage: %s %s)", step->name,
					     argv[i], step->name, step->usage);
	}
	return KMM_OK;
}

/*
 * The syntax pass over one line, before anything runs: a known step with a right number of
 * arguments, options it lists, settings before the first operation. Machine and append lines
 * are applied to @cfg (a scratch copy), so their options are checked too. *@booted tracks
 * whether an earlier line boots the machine.
 */
static enum kmm_status check_step(struct scenario *sc, struct kmm_config *cfg, bool *booted,
				  int argc, char **argv)
{
	const struct scenario_step *step = find_step(argv[0]);
	enum kmm_status st;

	if (!step)
		return scenario_fail(sc, KMM_EINVAL, "unknown step '%s' (kmmsim --help lists them)",
				     argv[0]);
	if (argc - 1 < step->min_args || argc - 1 > step->max_args)
		return scenario_fail(sc, KMM_EINVAL,
				     "%s: wrong number of arguments (usage: %s%s%s)", step->name,
				     step->name, *step->usage ? " " : "", step->usage);
	if (step->phase == BEFORE_BOOT && *booted)
		return scenario_fail(sc, KMM_EINVAL,
				     "%s: machine settings must come before the "
				     "first operation (the machine is already booted)",
				     step->name);
	if (step->phase == AFTER_BOOT || step->fn == step_boot)
		*booted = true;
	if ((st = check_step_options(sc, step, argc, argv)))
		return st;
	if (step->fn == step_expect && strcmp(argv[2], "contains") && strcmp(argv[2], "lacks"))
		return scenario_fail(sc, KMM_EINVAL,
				     "expect: second word must be 'contains' or 'lacks', not '%s'",
				     argv[2]);
	if (step->fn == step_machine || step->fn == step_append) {
		struct scenario scratch = *sc;

		scratch.cfg = *cfg;
		st = step->fn(&scratch, argc, argv);
		*cfg = scratch.cfg;
	}
	return st;
}

static enum kmm_status run_step(struct scenario *sc, int argc, char **argv)
{
	const struct scenario_step *step = find_step(argv[0]);
	enum kmm_status st;

	if (step->phase == AFTER_BOOT) {
		st = scenario_boot(sc);
		if (st)
			return st;
	}
	return step->fn(sc, argc, argv);
}

/*
 * Takes the next line of *@p into @line (at most @cap - 1 characters, CR LF as LF) and splits
 * it into @argv, *@argc words. A status (set by scenario_fail) if the line is too long or has
 * too many words.
 */
static enum kmm_status next_line(struct scenario *sc, const char **p, char *line, size_t cap,
				 char **argv, int *argc)
{
	const char *nl = strchr(*p, '\n');
	size_t len = nl ? (size_t)(nl - *p) : strlen(*p);

	sc->line++;
	if (len >= cap)
		return scenario_fail(sc, KMM_EINVAL, "line longer than %zu characters", cap - 1);
	memcpy(line, *p, len);
	line[len] = '\0';
	if (len && line[len - 1] == '\r')
		line[len - 1] = '\0';
	*p += len + (nl ? 1 : 0);
	*argc = split_words(line, argv, SCENARIO_MAX_ARGS);
	if (*argc == -2)
		return scenario_fail(sc, KMM_EINVAL, "a double quote is not closed");
	if (*argc < 0)
		return scenario_fail(sc, KMM_EINVAL, "more than %d words", SCENARIO_MAX_ARGS);
	return KMM_OK;
}

/*
 * The whole scenario is checked before its first line runs: each line's syntax (check_step),
 * then the machine it sets up (kmm_config_validate). A configuration that was already wrong
 * before the scenario (the kmmsim command line, the API caller's @base) and that no line set
 * right is reported as the command line's; one the scenario's settings made wrong, at the
 * last of those lines.
 */
static enum kmm_status scenario_check(struct scenario *sc, const char *text)
{
	struct kmm_config cfg = sc->cfg;
	unsigned last_setting = 0;
	char base_error[ENV_ERR_MAX];
	enum kmm_status base_st, st;
	bool booted = false;

	base_st = kmm_config_validate(&sc->cfg);
	snprintf(base_error, sizeof(base_error), "%s", base_st ? kmm_last_error(NULL) : "");
	for (const char *p = text; *p;) {
		char line[4096], *argv[SCENARIO_MAX_ARGS];
		int argc;

		if ((st = next_line(sc, &p, line, sizeof(line), argv, &argc)))
			return st;
		if (!argc)
			continue;
		if ((st = check_step(sc, &cfg, &booted, argc, argv)))
			return st;
		if (find_step(argv[0])->phase == BEFORE_BOOT)
			last_setting = sc->line;
	}
	sc->line = 0;
	st = kmm_config_validate(&cfg);
	if (!st)
		return KMM_OK;
	if (base_st && (!last_setting || strcmp(base_error, kmm_last_error(NULL)) == 0))
		return kmm_error_nomachine(base_st, "command line: %s", base_error);
	sc->line = last_setting;
	return scenario_fail(sc, st, "%s", kmm_last_error(NULL));
}

enum kmm_status kmm_scenario_run(const char *text, const char *name, const struct kmm_config *base,
				 kmm_sink_fn out, void *out_arg)
{
	struct scenario sc = {.name = name ? name : "scenario", .out = {out, out_arg}};
	enum kmm_status st;
	const char *p = text;

	if (!text)
		return kmm_error_nomachine(KMM_EINVAL, "kmm_scenario_run: NULL text");
	if (base)
		sc.cfg = *base;
	else
		kmm_config_init(&sc.cfg);
	st = scenario_check(&sc, text);
	sc.line = 0;
	while (*p && !st) {
		char line[4096], *argv[SCENARIO_MAX_ARGS];
		int argc;

		st = next_line(&sc, &p, line, sizeof(line), argv, &argc);
		if (!st && argc > 0)
			st = run_step(&sc, argc, argv);
		/* How far through the text (a long scenario's progress line in kmmsim). */
		if (sc.cfg.progress)
			sc.cfg.progress(sc.cfg.progress_arg, "scenario", (uint64_t)(p - text),
					(uint64_t)strlen(text));
	}
	if (sc.cfg.progress)
		sc.cfg.progress(sc.cfg.progress_arg, NULL, 0, 0);
	if (!st && !sc.m)
		st = scenario_boot(&sc); /* settings alone still build and boot the machine */
	scenario_page_sets_free(&sc);
	scenario_slab_sets_free(&sc);
	scenario_vm_names_free(&sc);
	scenario_report_free(&sc);
	scenario_task_names_free(&sc);
	scenario_vmstat_mark_free(&sc);
	scenario_fd_names_free(&sc);
	kmm_machine_destroy(sc.m);
	return st;
}

void kmm_scenario_help(kmm_sink_fn out, void *out_arg)
{
	struct sink s = {out, out_arg};

	for (size_t i = 0; i < sizeof(scenario_steps) / sizeof(scenario_steps[0]); i++) {
		const struct scenario_step *st = &scenario_steps[i];
		char head[96];
		snprintf(head, sizeof(head), "%s %s", st->name, st->usage);
		sink_printf(&s, "  %-34s %s%s\n", head, st->help,
			    st->phase == BEFORE_BOOT ? " (before boot)" : "");
	}
}
