/*
 * QEMU-style machine options (-m, -smp, -numa, -append, ...) applied to a struct kmm_config.
 * kmmsim's command line and the scenario "machine" step both come through here, so the two
 * accept exactly the same words.
 */
#include <kmm/config.h>

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/cost.h"
#include "lib/env.h"

/* "key=value" pairs separated by commas; the first word may be a bare value. */
struct kv {
	char key[32];
	char value[256];
};

static int split_kv(const char *text, struct kv *out, int max)
{
	int n = 0;

	while (*text && n < max) {
		const char *comma = strchr(text, ',');
		size_t len = comma ? (size_t)(comma - text) : strlen(text);
		const char *eq = memchr(text, '=', len);

		memset(&out[n], 0, sizeof(out[n]));
		if (eq) {
			snprintf(out[n].key, sizeof(out[n].key), "%.*s", (int)(eq - text), text);
			snprintf(out[n].value, sizeof(out[n].value), "%.*s",
				 (int)(len - (size_t)(eq - text) - 1), eq + 1);
		} else {
			snprintf(out[n].value, sizeof(out[n].value), "%.*s", (int)len, text);
		}
		n++;
		text += len + (comma ? 1 : 0);
	}
	return *text ? -1 : n;
}

static enum kmm_status parse_u32(const char *text, uint32_t *out, const char *what)
{
	char *end;
	unsigned long long v;

	errno = 0;
	v = strtoull(text, &end, 10);
	if (!*text || *end || errno || v > UINT32_MAX || text[0] == '-')
		return kmm_error_nomachine(KMM_EINVAL, "%s: '%s' is not a number", what, text);
	*out = (uint32_t)v;
	return KMM_OK;
}

/* QEMU's -m: "[size=]N[suffix]"; a bare number is MiB. */
static enum kmm_status opt_m(struct kmm_config *cfg, const char *value)
{
	const char *v = strncmp(value, "size=", 5) == 0 ? value + 5 : value;
	size_t len = strlen(v);
	uint64_t size;

	if (kmm_parse_size(v, &size) != KMM_OK)
		return kmm_error_nomachine(KMM_EINVAL, "-m %s: expected a size such as 1G or 512M",
					   value);
	if (len && v[len - 1] >= '0' && v[len - 1] <= '9') {
		if (size > UINT64_MAX >> 20)
			return kmm_error_nomachine(KMM_EINVAL, "-m %s: too large", value);
		size <<= 20;
	}
	return kmm_config_set_ram(cfg, size);
}

/* QEMU's -smp: "N" or "cpus=N[,maxcpus=N]". */
static enum kmm_status opt_smp(struct kmm_config *cfg, const char *value)
{
	struct kv kv[8];
	int n = split_kv(value, kv, 8);
	uint32_t cpus = 0;

	if (n <= 0)
		return kmm_error_nomachine(KMM_EINVAL, "-smp %s: expected a CPU count", value);
	for (int i = 0; i < n; i++) {
		enum kmm_status st;
		if (!kv[i].key[0] || strcmp(kv[i].key, "cpus") == 0) {
			st = parse_u32(kv[i].value, &cpus, "-smp");
		} else if (strcmp(kv[i].key, "maxcpus") == 0) {
			uint32_t max = 0;
			st = parse_u32(kv[i].value, &max, "-smp maxcpus");
			if (!st && max != cpus)
				st = kmm_error_nomachine(KMM_EINVAL,
							 "-smp: CPU hotplug (maxcpus) is "
							 "not modelled");
		} else {
			st = kmm_error_nomachine(KMM_EINVAL,
						 "-smp: unsupported property '%s' "
						 "(use -smp N)",
						 kv[i].key);
		}
		if (st)
			return st;
	}
	if (cpus == 0 || cpus > KMM_MAX_CPUS)
		return kmm_error_nomachine(KMM_EINVAL, "-smp %s: the machine supports 1 to %d CPUs",
					   value, KMM_MAX_CPUS);
	cfg->nr_cpus = cpus;
	return KMM_OK;
}

static enum kmm_status parse_cpu_range(const char *text, uint32_t *first, uint32_t *last)
{
	char buf[64];
	char *dash;

	snprintf(buf, sizeof(buf), "%s", text);
	dash = strchr(buf, '-');
	if (dash)
		*dash = '\0';
	if (parse_u32(buf, first, "-numa cpus") ||
	    parse_u32(dash ? dash + 1 : buf, last, "-numa cpus"))
		return KMM_EINVAL;
	if (*first > *last)
		return kmm_error_nomachine(KMM_EINVAL, "-numa cpus=%s: empty range", text);
	return KMM_OK;
}

/* QEMU's -numa: "node,nodeid=N,mem=SIZE,cpus=A-B" or "dist,src=A,dst=B,val=D". */
static enum kmm_status opt_numa(struct kmm_config *cfg, const char *value)
{
	struct kv kv[8];
	int n = split_kv(value, kv, 8);
	uint32_t nid = UINT32_MAX, first = 0, last = 0, src = UINT32_MAX, dst = UINT32_MAX, val = 0;
	uint64_t mem = 0;
	bool has_cpus = false, has_mem = false;
	enum kmm_status st = KMM_OK;

	if (n <= 0 || kv[0].key[0])
		return kmm_error_nomachine(KMM_EINVAL, "-numa %s: expected node,... or dist,...",
					   value);
	bool node = strcmp(kv[0].value, "node") == 0;
	if (!node && strcmp(kv[0].value, "dist") != 0)
		return kmm_error_nomachine(KMM_EINVAL, "-numa %s: type '%s' is not node or dist",
					   value, kv[0].value);
	for (int i = 1; i < n && !st; i++) {
		const char *k = kv[i].key, *v = kv[i].value;
		if (node && strcmp(k, "nodeid") == 0)
			st = parse_u32(v, &nid, "-numa nodeid");
		else if (node && strcmp(k, "mem") == 0)
			st = kmm_parse_size(v, &mem), has_mem = true;
		else if (node && strcmp(k, "cpus") == 0 && !has_cpus)
			st = parse_cpu_range(v, &first, &last), has_cpus = true;
		else if (node && strcmp(k, "memdev") == 0)
			st = kmm_error_nomachine(KMM_EINVAL, "-numa memdev= is not supported: give "
							     "the node's size with mem=SIZE");
		else if (!node && strcmp(k, "src") == 0)
			st = parse_u32(v, &src, "-numa dist src");
		else if (!node && strcmp(k, "dst") == 0)
			st = parse_u32(v, &dst, "-numa dist dst");
		else if (!node && strcmp(k, "val") == 0)
			st = parse_u32(v, &val, "-numa dist val");
		else
			st = kmm_error_nomachine(KMM_EINVAL, "-numa %s: unsupported property '%s'",
						 value, k);
	}
	if (st)
		return st;
	if (!node) {
		if (src == UINT32_MAX || dst == UINT32_MAX || val == 0)
			return kmm_error_nomachine(KMM_EINVAL,
						   "-numa dist needs src=, dst= and val=");
		return kmm_config_set_distance(cfg, src, dst, val);
	}
	if (nid == UINT32_MAX)
		nid = cfg->nr_nodes; /* QEMU numbers nodes in order when nodeid is left out */
	if (!has_mem)
		return kmm_error_nomachine(KMM_EINVAL,
					   "-numa node,nodeid=%u: give its memory with "
					   "mem=SIZE",
					   nid);
	return kmm_config_add_node(cfg, nid, mem, has_cpus, first, last);
}

/* "SIZE[@PA]" (-reserve) and "SIZE@PA" (-ram, -mmio). */
static enum kmm_status parse_size_at(const char *value, uint64_t *size, kmm_pa_t *pa, bool need_pa,
				     const char *opt)
{
	char buf[128];
	size_t len = strlen(value);
	char *at;

	if (len >= sizeof(buf))
		return kmm_error_nomachine(KMM_EINVAL, "%s: argument too long", opt);
	memcpy(buf, value, len + 1);
	at = strchr(buf, '@');
	if (at)
		*at = '\0';
	if (kmm_parse_size(buf, size) != KMM_OK)
		return kmm_error_nomachine(KMM_EINVAL, "%s %s: expected SIZE%s", opt, value,
					   need_pa ? "@PA" : "[@PA]");
	*pa = KMM_PA_ANY;
	if (at && kmm_parse_size(at + 1, pa) != KMM_OK)
		return kmm_error_nomachine(KMM_EINVAL, "%s %s: '%s' is not an address", opt, value,
					   at + 1);
	if (!at && need_pa)
		return kmm_error_nomachine(KMM_EINVAL, "%s %s: expected SIZE@PA", opt, value);
	return KMM_OK;
}

static enum kmm_status opt_reserve(struct kmm_config *cfg, const char *value)
{
	uint64_t size;
	kmm_pa_t pa;
	enum kmm_status st = parse_size_at(value, &size, &pa, false, "-reserve");

	return st ? st : kmm_config_add_reserve(cfg, size, pa);
}

static enum kmm_status opt_ram(struct kmm_config *cfg, const char *value)
{
	uint64_t size;
	kmm_pa_t pa;
	enum kmm_status st = parse_size_at(value, &size, &pa, true, "-ram");

	return st ? st : kmm_config_add_bank(cfg, pa, size);
}

/* "SIZE@PA[,name=NAME]" */
static enum kmm_status opt_mmio(struct kmm_config *cfg, const char *value)
{
	char buf[256];
	char *comma, *name = NULL;
	uint64_t size;
	kmm_pa_t pa;
	enum kmm_status st;

	snprintf(buf, sizeof(buf), "%s", value);
	comma = strchr(buf, ',');
	if (comma) {
		*comma = '\0';
		if (strncmp(comma + 1, "name=", 5) != 0)
			return kmm_error_nomachine(KMM_EINVAL,
						   "-mmio %s: expected SIZE@PA[,name=NAME]", value);
		name = comma + 6;
	}
	st = parse_size_at(buf, &size, &pa, true, "-mmio");
	return st ? st : kmm_config_add_mmio(cfg, pa, size, name);
}

static enum kmm_status opt_append(struct kmm_config *cfg, const char *value)
{
	return kmm_config_append(cfg, value);
}

static enum kmm_status opt_machine(struct kmm_config *cfg, const char *value)
{
	if (strcmp(value, "virt") == 0)
		cfg->board = KMM_BOARD_VIRT;
	else if (strcmp(value, "none") == 0)
		cfg->board = KMM_BOARD_NONE;
	else
		return kmm_error_nomachine(KMM_EINVAL, "-M %s: boards are virt and none", value);
	return KMM_OK;
}

/* "NAME=VALUE", like sysctl -w; NAME with or without the "vm." prefix. */
static enum kmm_status opt_sysctl(struct kmm_config *cfg, const char *value)
{
	char name[80];
	const char *eq = strchr(value, '=');

	if (!eq || eq == value || (size_t)(eq - value) >= sizeof(name) - 3)
		return kmm_error_nomachine(KMM_EINVAL, "-sysctl %s: expected NAME=VALUE", value);
	snprintf(name, sizeof(name), "%s%.*s", strncmp(value, "vm.", 3) ? "vm." : "",
		 (int)(eq - value), value);
	return kmm_config_add_sysctl(cfg, name, eq + 1);
}

static enum kmm_status opt_seed(struct kmm_config *cfg, const char *value)
{
	char *end;

	errno = 0;
	cfg->seed = strtoull(value, &end, 0);
	if (!*value || *end || errno)
		return kmm_error_nomachine(KMM_EINVAL, "-seed %s: expected a number", value);
	return KMM_OK;
}

static enum kmm_status opt_kmalloc_minalign(struct kmm_config *cfg, const char *value)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(value, &end, 0);
	if (!*value || *end || errno || v < 8 || v > 256 || (v & (v - 1)))
		return kmm_error_nomachine(KMM_EINVAL,
					   "-kmalloc-minalign %s: expected a power of two from 8 "
					   "to 256",
					   value);
	cfg->kmalloc_minalign = (uint32_t)v;
	return KMM_OK;
}

/* -host-mem SIZE: the machine's host-memory budget (a bare number is MiB, as for -m). */
static enum kmm_status opt_host_mem(struct kmm_config *cfg, const char *value)
{
	size_t len = strlen(value);
	uint64_t size;

	if (kmm_parse_size(value, &size) != KMM_OK || size == 0)
		return kmm_error_nomachine(
			KMM_EINVAL, "-host-mem %s: expected a size such as 4G or 512M", value);
	if (value[len - 1] >= '0' && value[len - 1] <= '9') {
		if (size > UINT64_MAX >> 20)
			return kmm_error_nomachine(KMM_EINVAL, "-host-mem %s: too large", value);
		size <<= 20;
	}
	cfg->host_mem = size;
	return KMM_OK;
}

/* -host-granule 4K|2M|auto: the chunk by which RAM's host memory is charged (config.h). */
static enum kmm_status opt_host_granule(struct kmm_config *cfg, const char *value)
{
	if (!strcmp(value, "auto"))
		cfg->host_granule = 0;
	else if (!strcmp(value, "4K") || !strcmp(value, "4k"))
		cfg->host_granule = 4096;
	else if (!strcmp(value, "2M") || !strcmp(value, "2m"))
		cfg->host_granule = (uint64_t)2 << 20;
	else
		return kmm_error_nomachine(KMM_EINVAL, "-host-granule %s: expected 4K, 2M or auto",
					   value);
	return KMM_OK;
}

static enum kmm_status opt_cpu_mhz(struct kmm_config *cfg, const char *value)
{
	uint32_t mhz = 0;
	enum kmm_status st = parse_u32(value, &mhz, "-cpu-mhz");

	if (st)
		return st;
	if (mhz == 0)
		return kmm_error_nomachine(KMM_EINVAL, "-cpu-mhz %s: must not be zero", value);
	cfg->cpu_mhz = mhz;
	return KMM_OK;
}

/*
 * QEMU's -cpu: "cortex-a57" or "max", then properties. The one property is asidbits=8|16:
 * the ASID width the CPUs report in ID_AA64MMFR0_EL1 (both models have 16; 8 is for
 * experiments with frequent ASID rollovers). QEMU has no such property; kmmsim adds it here,
 * where the hardware is described, because the kernel reads the width from the hardware.
 */
static enum kmm_status opt_cpu(struct kmm_config *cfg, const char *value)
{
	struct kv kv[4];
	int n = split_kv(value, kv, 4);

	if (n < 1 || kv[0].key[0] ||
	    (strcmp(kv[0].value, "cortex-a57") != 0 && strcmp(kv[0].value, "max") != 0))
		return kmm_error_nomachine(KMM_EINVAL,
					   "-cpu %s: expected cortex-a57 or max, then "
					   "[,asidbits=8|16]",
					   value);
	snprintf(cfg->cpu_model, sizeof(cfg->cpu_model), "%.15s", kv[0].value);
	cfg->asid_bits = 0;
	for (int i = 1; i < n; i++) {
		if (strcmp(kv[i].key, "asidbits") != 0)
			return kmm_error_nomachine(KMM_EINVAL,
						   "-cpu %s: unknown property '%s' (known: "
						   "asidbits)",
						   value, kv[i].key[0] ? kv[i].key : kv[i].value);
		if (strcmp(kv[i].value, "8") != 0 && strcmp(kv[i].value, "16") != 0)
			return kmm_error_nomachine(KMM_EINVAL,
						   "-cpu %s: asidbits must be 8 or 16, not '%s'",
						   value, kv[i].value);
		cfg->asid_bits = (uint32_t)atoi(kv[i].value);
	}
	return KMM_OK;
}

/* "NAME=CYCLES": one row of the cost table (src/lib/cost.h). */
static enum kmm_status opt_cost(struct kmm_config *cfg, const char *value)
{
	char why[256];
	uint32_t cycles;
	int id;

	if (!cost_parse(value, &id, &cycles, why, sizeof(why)))
		return kmm_error_nomachine(KMM_EINVAL, "%s", why);
	return kmm_config_set_cost(cfg, cost_rows[id].name, cycles);
}

/* One row per option: kmmsim --help prints this table. */
#define MACHINE_OPTIONS(X)                                                                         \
	X("-m", "SIZE", opt_m, "RAM size, one bank at 0x40000000 (bare number: MiB)")              \
	X("-smp", "N", opt_smp, "number of CPUs (1..256)")                                         \
	X("-cpu", "cortex-a57|max[,asidbits=8|16]", opt_cpu,                                       \
	  "CPU model (default cortex-a57, the captures' CPU; max adds hardware AF/dirty bits, "    \
	  "TLBI ranges; asidbits=8 for 8-bit ASIDs)")                                              \
	X("-numa", "node,nodeid=N,mem=SIZE[,cpus=A-B] | dist,src=A,dst=B,val=D", opt_numa,         \
	  "NUMA node (memory laid out in node order) or distance")                                 \
	X("-append", "\"CMDLINE\"", opt_append, "kernel command line parameters (mem=, ...)")      \
	X("-reserve", "SIZE[@PA]", opt_reserve,                                                    \
	  "early boot reservation (placed top-down "                                               \
	  "without @PA)")                                                                          \
	X("-ram", "SIZE@PA", opt_ram, "RAM bank (repeatable; replaces the default bank)")          \
	X("-mmio", "SIZE@PA[,name=NAME]", opt_mmio, "extra MMIO range")                            \
	X("-M", "virt|none", opt_machine, "board: QEMU virt devices, or none")                     \
	X("-sysctl", "NAME=VALUE", opt_sysctl, "write a vm tunable after boot (sysctl -w)")        \
	X("-seed", "N", opt_seed, "PRNG seed (runs are reproducible per seed)")                    \
	X("-kmalloc-minalign", "N", opt_kmalloc_minalign,                                          \
	  "ARCH_KMALLOC_MINALIGN (128; 8 gives kmalloc-8..64, -96, -192)")                         \
	X("-cpu-mhz", "N", opt_cpu_mhz, "simulated CPU clock: cycles to time (1000)")              \
	X("-cost", "NAME=CYCLES", opt_cost,                                                        \
	  "cost of one modelled step (/sys/kernel/debug/kmm/costs)")                               \
	X("-host-mem", "SIZE", opt_host_mem,                                                       \
	  "host memory the machine may use (bare number: MiB; default: half of the host's "        \
	  "available memory)")                                                                     \
	X("-host-granule", "4K|2M|auto", opt_host_granule,                                         \
	  "host memory charged per 4 KiB or per 2 MiB host huge page (auto: 2M when all the RAM "  \
	  "and an eighth more fit in the budget)")

static const struct {
	const char *name, *arg;
	enum kmm_status (*fn)(struct kmm_config *cfg, const char *value);
	const char *help;
} machine_options[] = {
#define MACHINE_OPTION_ROW(name, arg, fn, help) {name, arg, fn, help},
	MACHINE_OPTIONS(MACHINE_OPTION_ROW)
#undef MACHINE_OPTION_ROW
};

/*
 * A refused option's text names the option and the value given (include/kmm/types.h, "Error
 * texts"): the checks an option shares with the config setters name the config item only
 * ("RAM: size must not be zero"), so "-m 0: " goes in front of theirs.
 */
static void option_error_names(const char *name, const char *value)
{
	char why[512];
	size_t n = strlen(name);

	snprintf(why, sizeof(why), "%s", kmm_last_error(NULL));
	if (strncmp(why, name, n) == 0 && (why[n] == ' ' || why[n] == ':'))
		return;
	kmm_error_nomachine(KMM_EINVAL, "%s %.64s%s: %s", name, value,
			    strlen(value) > 64 ? "..." : "", why);
}

enum kmm_status kmm_config_option(struct kmm_config *cfg, const char *name, const char *value)
{
	struct kmm_config saved;
	enum kmm_status st;

	if (!cfg || !name)
		return kmm_error_nomachine(KMM_EINVAL, "kmm_config_option: NULL %s",
					   !cfg ? "config" : "name");
	for (size_t i = 0; i < sizeof(machine_options) / sizeof(machine_options[0]); i++) {
		if (strcmp(name, machine_options[i].name) != 0)
			continue;
		if (!value)
			return kmm_error_nomachine(KMM_EINVAL, "%s needs an argument: %s %s", name,
						   name, machine_options[i].arg);
		saved = *cfg;
		st = machine_options[i].fn(cfg, value);
		if (st) {
			*cfg = saved; /* a refused option leaves the config as it was */
			option_error_names(name, value);
		}
		return st;
	}
	return kmm_error_nomachine(KMM_EINVAL, "unknown machine option '%s'", name);
}

void kmm_config_options_help(kmm_sink_fn out, void *arg)
{
	char line[256];

	for (size_t i = 0; i < sizeof(machine_options) / sizeof(machine_options[0]); i++) {
		int n = snprintf(line, sizeof(line), "  %-8s %s\n  %8s   %s\n",
				 machine_options[i].name, machine_options[i].arg, "",
				 machine_options[i].help);
		out(arg, line, (size_t)n < sizeof(line) ? (size_t)n : sizeof(line) - 1);
	}
}

bool kmm_config_is_option(const char *name)
{
	for (size_t i = 0; i < sizeof(machine_options) / sizeof(machine_options[0]); i++) {
		if (strcmp(name, machine_options[i].name) == 0)
			return true;
	}
	return false;
}
