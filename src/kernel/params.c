/*
 * Kernel command line parsing.
 *
 * Models: kernel/params.c:parse_args() / next_arg() (word splitting, double quotes) and the
 * early_param() handlers of the parameters listed in KERNEL_PARAMS.
 * Deviation: a malformed value of a parameter we model is an error for the host (the kernel
 * would often ignore it silently), so that a typo never goes unnoticed.
 */
#include "kernel/params.h"
#include "lib/cmdline.h"
#include "mm/mm_types.h"

#include <errno.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#include <kmm/config.h>

struct parse_ctx {
	struct kernel_params *p;
	char *err;
	size_t errlen;
	char args[KMM_CMDLINE_MAX + 2], envs[KMM_CMDLINE_MAX + 2]; /* unknown_bootoption() */
};

/* Models: arch/arm64/mm/init.c:early_mem(). */
static int early_mem(struct parse_ctx *c, const char *value)
{
	uint64_t limit;

	if (!value || parse_size(value, &limit) != KMM_OK) {
		snprintf(c->err, c->errlen, "mem=%s: expected a size such as 512M or 2G",
			 value ? value : "");
		return -EINVAL;
	}
	limit &= ~(KMM_PAGE_SIZE - 1);
	if (limit == 0) {
		snprintf(c->err, c->errlen, "mem=%s: the limit rounds down to 0 pages", value);
		return -EINVAL;
	}
	c->p->memory_limit = limit;
	return 0;
}

static int parse_size_param(struct parse_ctx *c, const char *name, const char *value, uint64_t *out)
{
	if (!value || parse_size(value, out) != KMM_OK) {
		snprintf(c->err, c->errlen, "%s=%s: expected a size such as 64M", name,
			 value ? value : "");
		return -EINVAL;
	}
	return 0;
}

/* Models: kernel/dma/contiguous.c:early_cma() (size form only). */
static int early_cma(struct parse_ctx *c, const char *value)
{
	c->p->cma_set = true;
	return parse_size_param(c, "cma", value, &c->p->cma_size);
}

/*
 * The forms of kernelcore= and movablecore= the kernel takes but the model does not yet: a
 * percentage of memory ("50%") and, for kernelcore, "mirror". Refused with what to give
 * instead, never taken for a size.
 */
static int core_form_not_modelled(struct parse_ctx *c, const char *name, const char *value)
{
	if (value && value[0] && value[strlen(value) - 1] == '%') {
		snprintf(c->err, c->errlen,
			 "%s=%s: the percentage form is not modelled yet (give a size such as "
			 "512M)",
			 name, value);
		return -EINVAL;
	}
	if (value && strcmp(name, "kernelcore") == 0 && strcmp(value, "mirror") == 0) {
		snprintf(c->err, c->errlen,
			 "kernelcore=mirror: mirrored memory is not modelled (give a size such as "
			 "512M)");
		return -EINVAL;
	}
	return 0;
}

/* Models: mm/page_alloc.c:cmdline_parse_kernelcore() (size form). */
static int early_kernelcore(struct parse_ctx *c, const char *value)
{
	if (core_form_not_modelled(c, "kernelcore", value))
		return -EINVAL;
	return parse_size_param(c, "kernelcore", value, &c->p->kernelcore);
}

/* Models: mm/page_alloc.c:cmdline_parse_movablecore() (size form). */
static int early_movablecore(struct parse_ctx *c, const char *value)
{
	if (core_form_not_modelled(c, "movablecore", value))
		return -EINVAL;
	return parse_size_param(c, "movablecore", value, &c->p->movablecore);
}

/*
 * Parameters of the reference kernel whose part the model does not have yet (hugetlb's CMA
 * area, vmemmap freeing). Refused: the machine would silently differ from the one asked for.
 */
static int not_modelled_yet(struct parse_ctx *c, const char *param, const char *value)
{
	snprintf(c->err, c->errlen,
		 "%s%s%s: not modelled yet (hugetlb has no CMA area and frees no vmemmap)", param,
		 value ? "=" : "", value ? value : "");
	return -EINVAL;
}

/*
 * hugepagesz=, hugepages=, default_hugepagesz=: kept in order for hugetlb_init(), which
 * applies mm/hugetlb.c's __setup handlers' rules (and their messages) once hstates exist.
 */
static int hugetlb_param(struct parse_ctx *c, const char *param, const char *value)
{
	size_t n = strlen(c->p->hugetlb);

	snprintf(c->p->hugetlb + n, sizeof(c->p->hugetlb) - n, " %s=%s", param, value ? value : "");
	return 0;
}

/* Models: mm/memblock.c:early_memblock(). */
static int early_memblock(struct parse_ctx *c, const char *value)
{
	if (value && strstr(value, "debug"))
		c->p->memblock_debug = true;
	return 0;
}

/* Models: mm/huge_memory.c:setup_transparent_hugepage(). */
static int setup_transparent_hugepage(struct parse_ctx *c, const char *value)
{
	if (value && strcmp(value, "always") == 0)
		c->p->thp = 1;
	else if (value && strcmp(value, "madvise") == 0)
		c->p->thp = 2;
	else if (value && strcmp(value, "never") == 0)
		c->p->thp = 0;
	else {
		snprintf(c->err, c->errlen,
			 "transparent_hugepage=%s: expected always, madvise "
			 "or never",
			 value ? value : "");
		return -EINVAL;
	}
	return 0;
}

/*
 * Models: init/main.c:set_debug_rodata() with arm64's arch_parse_debug_rodata(): "full"
 * (CONFIG_RODATA_FULL_DEFAULT_ENABLED, the default), "on" (image read-only, linear map with
 * blocks) or "off" (kernel text writable too).
 */
static int set_debug_rodata(struct parse_ctx *c, const char *value)
{
	if (value && strcmp(value, "full") == 0)
		c->p->rodata = RODATA_FULL;
	else if (value && strcmp(value, "on") == 0)
		c->p->rodata = RODATA_ON;
	else if (value && strcmp(value, "off") == 0)
		c->p->rodata = RODATA_OFF;
	else {
		snprintf(c->err, c->errlen, "rodata=%s: expected full, on or off",
			 value ? value : "");
		return -EINVAL;
	}
	return 0;
}

/* Models: lib/kstrtox.c:kstrtobool() as early_init_on_alloc/free() use it. */
static int parse_bool_param(struct parse_ctx *c, const char *name, const char *value, bool *out)
{
	static const char *const yes[] = {"1", "y", "Y", "on", "On", "ON"};
	static const char *const no[] = {"0", "n", "N", "off", "Off", "OFF"};

	for (size_t i = 0; value && i < sizeof(yes) / sizeof(yes[0]); i++) {
		if (strcmp(value, yes[i]) == 0)
			return *out = true, 0;
		if (strcmp(value, no[i]) == 0)
			return *out = false, 0;
	}
	snprintf(c->err, c->errlen, "%s=%s: expected 0/1, y/n or on/off", name, value ? value : "");
	return -EINVAL;
}

/* Models: mm/page_alloc.c:early_init_on_alloc(). */
static int early_init_on_alloc(struct parse_ctx *c, const char *value)
{
	return parse_bool_param(c, "init_on_alloc", value, &c->p->init_on_alloc);
}

/* Models: mm/page_alloc.c:early_init_on_free(). */
static int early_init_on_free(struct parse_ctx *c, const char *value)
{
	return parse_bool_param(c, "init_on_free", value, &c->p->init_on_free);
}

/* A decimal number in [0, @max]; the kernel's get_option() would take anything. */
static int parse_uint_param(struct parse_ctx *c, const char *name, const char *value,
			    unsigned long max, unsigned int *out)
{
	char *end;
	unsigned long v;

	if (!value || !*value || *value == '-' || (v = strtoul(value, &end, 0), *end) || v > max) {
		snprintf(c->err, c->errlen, "%s=%s: expected a number from 0 to %lu", name,
			 value ? value : "", max);
		return -EINVAL;
	}
	*out = (unsigned int)v;
	return 0;
}

/*
 * Models: mm/slub.c:setup_slub_debug() as far as the command line goes: the value is kept
 * and applied when SLUB starts. Blocks are "FLAGS[,cache[,cache...]]" separated by ';'.
 * Deviation: an unknown option letter is an error (the kernel skips it with a message).
 */
static int setup_slub_debug(struct parse_ctx *c, const char *value)
{
	const char *s = value ? value : "";

	while (*s) {
		for (; *s && *s != ',' && *s != ';'; s++) {
			if (!strchr("fzputao-", *s | 0x20)) {
				snprintf(c->err, c->errlen,
					 "slub_debug=%s: option '%c' unknown (F, Z, P, U, T, A, O "
					 "or -, then an optional ,cache list; blocks separated by "
					 ";)",
					 value, *s);
				return -EINVAL;
			}
		}
		while (*s && *s != ';')
			s++; /* the cache list */
		while (*s == ';')
			s++;
	}
	if (value && strlen(value) >= sizeof(c->p->slub_debug)) {
		snprintf(c->err, c->errlen, "slub_debug: value too long");
		return -EINVAL;
	}
	c->p->slub_debug_set = true;
	snprintf(c->p->slub_debug, sizeof(c->p->slub_debug), "%s", value ? value : "");
	return 0;
}

/* Models: mm/slub.c:setup_slub_min_order(). */
static int setup_slub_min_order(struct parse_ctx *c, const char *value)
{
	return parse_uint_param(c, "slub_min_order", value, (MAX_ORDER - 1), &c->p->slub_min_order);
}

/* Models: mm/slub.c:setup_slub_max_order() (values above MAX_ORDER - 1 are clamped). */
static int setup_slub_max_order(struct parse_ctx *c, const char *value)
{
	unsigned int v;
	int ret = parse_uint_param(c, "slub_max_order", value, 1000, &v);

	if (!ret)
		c->p->slub_max_order = (int)(v < (MAX_ORDER - 1) ? v : (MAX_ORDER - 1));
	return ret;
}

/* Models: mm/slub.c:setup_slub_min_objects(). */
static int setup_slub_min_objects(struct parse_ctx *c, const char *value)
{
	return parse_uint_param(c, "slub_min_objects", value, 32767, &c->p->slub_min_objects);
}

/* Models: mm/slab_common.c:setup_slab_nomerge() / setup_slab_merge(). */
static int setup_slab_nomerge(struct parse_ctx *c, const char *value)
{
	c->p->slab_nomerge = true;
	return 0;
}

static int setup_slab_merge(struct parse_ctx *c, const char *value)
{
	c->p->slab_nomerge = false;
	return 0;
}

/* Models: mm/memory.c:disable_randmaps(): norandmaps sets kernel.randomize_va_space to 0. */
static int disable_randmaps(struct parse_ctx *c, const char *value)
{
	(void)value;
	c->p->randomize_va_space = 0;
	return 0;
}

/* Models: mm/mmap.c:cmdline_parse_stack_guard_gap(): the gap in pages. */
static int cmdline_parse_stack_guard_gap(struct parse_ctx *c, const char *value)
{
	return parse_uint_param(c, "stack_guard_gap", value, 1UL << 30,
				&c->p->stack_guard_gap_pages);
}

/* One row per parameter: the name before '=', and its handler. */
#define KERNEL_PARAMS(X)                                                                           \
	X("mem", early_mem)                                                                        \
	X("cma", early_cma)                                                                        \
	X("kernelcore", early_kernelcore)                                                          \
	X("movablecore", early_movablecore)                                                        \
	X("memblock", early_memblock)                                                              \
	X("transparent_hugepage", setup_transparent_hugepage)                                      \
	X("rodata", set_debug_rodata)                                                              \
	X("init_on_alloc", early_init_on_alloc)                                                    \
	X("init_on_free", early_init_on_free)                                                      \
	X("slub_debug", setup_slub_debug)                                                          \
	X("slub_min_order", setup_slub_min_order)                                                  \
	X("slub_max_order", setup_slub_max_order)                                                  \
	X("slub_min_objects", setup_slub_min_objects)                                              \
	X("slab_nomerge", setup_slab_nomerge)                                                      \
	X("slub_nomerge", setup_slab_nomerge)                                                      \
	X("slab_merge", setup_slab_merge)                                                          \
	X("slub_merge", setup_slab_merge)                                                          \
	X("norandmaps", disable_randmaps)                                                          \
	X("stack_guard_gap", cmdline_parse_stack_guard_gap)

/* hugetlb's parameters: the pool ones (hugetlb_param) and the refused ones (not_modelled_yet). */
static const char *const hugetlb_params[] = {"hugepages", "hugepagesz", "default_hugepagesz"};
static const char *const hugetlb_refused[] = {"hugetlb_cma", "hugetlb_free_vmemmap"};

/*
 * Parameters of the reference kernel outside memory management (the console, the root file
 * system, logging, the watchdogs, interrupts, security modules): taken by their __setup or
 * early_param handlers there (built in the reference config), so not "unknown"; no effect on
 * the model. Names with a dot are module parameters, dropped before this list is consulted.
 * nokaslr is not here: arm64 reads it from the command line before parsing (its id-register
 * overrides), with no __setup handler, so 6.1 also lists it as unknown (the captures' boot
 * logs: "Unknown kernel command line parameters "nokaslr", will be passed to user space.").
 */
static const char other_kernel_params[] =
	" console earlycon root rootwait rootfstype rootdelay ro "
	"rw quiet loglevel ignore_loglevel debug init panic "
	"initrd noinitrd initcall_debug no_console_suspend "
	"rdinit rootflags nowatchdog nmi_watchdog softlockup_panic irqaffinity threadirqs "
	"noirqdebug reboot lpj clocksource lsm security audit ";

static const struct {
	const char *name;
	int (*handler)(struct parse_ctx *c, const char *value);
} kernel_params_table[] = {
#define KERNEL_PARAM_ROW(name, fn) {name, fn},
	KERNEL_PARAMS(KERNEL_PARAM_ROW)
#undef KERNEL_PARAM_ROW
};

int cmdline_for_each(const char *cmdline,
		     int (*fn)(void *arg, const char *param, const char *value), void *arg)
{
	char word[KMM_CMDLINE_MAX];
	const char *s = cmdline;

	while (*s) {
		size_t n = 0;
		bool quoted = false;
		char *eq;
		int ret;

		while (*s == ' ' || *s == '\t' || *s == '\n')
			s++;
		if (!*s)
			break;
		for (; *s && (quoted || (*s != ' ' && *s != '\t' && *s != '\n')); s++) {
			if (*s == '"') {
				quoted = !quoted;
				continue;
			}
			if (n + 1 < sizeof(word))
				word[n++] = *s;
		}
		word[n] = '\0';
		eq = strchr(word, '=');
		if (eq)
			*eq = '\0';
		ret = fn(arg, word, eq ? eq + 1 : NULL);
		if (ret)
			return ret;
	}
	return 0;
}

static bool in_list(const char *param, const char *const *list, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(param, list[i]) == 0)
			return true;
	return false;
}

/* Whether @param is one of the blank-separated words of @list (which starts and ends blank). */
static bool in_word_list(const char *param, const char *list)
{
	size_t n = strlen(param);

	for (const char *w = strstr(list, param); n && w; w = strstr(w + 1, param))
		if (w > list && w[-1] == ' ' && w[n] == ' ')
			return true;
	return false;
}

/* Appends " @word" to @buf (of KMM_CMDLINE_MAX + 2 bytes); false if it does not fit. */
static bool append_word(char *buf, const char *word)
{
	size_t len = strlen(buf), n = strlen(word);

	if (len + 1 + n + 1 > KMM_CMDLINE_MAX + 2)
		return false;
	buf[len] = ' ';
	memcpy(buf + len + 1, word, n + 1);
	return true;
}

/*
 * Models: init/main.c:unknown_bootoption(): a word no handler took. Module parameters
 * ("name.param") and the bootloader's BOOT_IMAGE= and kexec are dropped; bare words become
 * init's arguments, name=value its environment (replacing an earlier value of the name).
 * Collected in c->args and c->envs; print order is arguments, then environment.
 */
static void unknown_bootoption(struct parse_ctx *c, const char *param, const char *value)
{
	char word[KMM_CMDLINE_MAX], rest[KMM_CMDLINE_MAX + 2] = "";
	size_t plen = strlen(param);
	const char *w;

	if (strchr(param, '.') || strcmp(param, "BOOT_IMAGE") == 0 ||
	    strncmp(param, "kexec", 5) == 0)
		return;
	if (!value) {
		append_word(c->args, param);
		return;
	}
	if (snprintf(word, sizeof(word), "%s=%s", param, value) >= (int)sizeof(word))
		return; /* cannot happen: both halves come from one command line */
	/* The environment keeps one entry per name, where the name first appeared. */
	for (w = c->envs; *w;) {
		const char *start = w + 1, *end = strchr(start, ' ');
		size_t n = end ? (size_t)(end - start) : strlen(start);
		char entry[KMM_CMDLINE_MAX];

		memcpy(entry, start, n);
		entry[n] = 0;
		append_word(rest,
			    strncmp(entry, param, plen) == 0 && entry[plen] == '=' ? word : entry);
		if (strncmp(entry, param, plen) == 0 && entry[plen] == '=')
			word[0] = 0;
		w = start + n;
	}
	if (word[0])
		append_word(rest, word);
	memcpy(c->envs, rest, sizeof(rest));
}

static int parse_one(void *arg, const char *param, const char *value)
{
	struct parse_ctx *c = arg;

	for (size_t i = 0; i < sizeof(kernel_params_table) / sizeof(kernel_params_table[0]); i++) {
		if (strcmp(param, kernel_params_table[i].name) == 0)
			return kernel_params_table[i].handler(c, value);
	}
	if (in_list(param, hugetlb_params, sizeof(hugetlb_params) / sizeof(hugetlb_params[0])))
		return hugetlb_param(c, param, value);
	if (in_list(param, hugetlb_refused, sizeof(hugetlb_refused) / sizeof(hugetlb_refused[0])))
		return not_modelled_yet(c, param, value);
	if (!in_word_list(param, other_kernel_params))
		unknown_bootoption(c, param, value);
	return 0;
}

int parse_kernel_cmdline(const char *cmdline, struct kernel_params *p, char *err, size_t errlen)
{
	struct parse_ctx c = {.p = p, .err = err, .errlen = errlen};
	int ret;

	/* CONFIG_INIT_ON_ALLOC_DEFAULT_ON=y, CONFIG_INIT_ON_FREE_DEFAULT_ON unset. */
	*p = (struct kernel_params){.memory_limit = PHYS_ADDR_MAX,
				    .thp = -1,
				    .init_on_alloc = true,
				    .slub_max_order = -1,
				    .rodata = RODATA_FULL,
				    .randomize_va_space = 2,
				    .stack_guard_gap_pages = 256};
	ret = cmdline_for_each(cmdline, parse_one, &c);
	/* Both lists are words of the command line, which fits: so do they together. */
	{
		size_t a = strlen(c.args), e = strlen(c.envs);

		if (a + e < sizeof(p->unknown)) {
			memcpy(p->unknown, c.args, a);
			memcpy(p->unknown + a, c.envs, e + 1);
		}
	}
	return ret;
}
