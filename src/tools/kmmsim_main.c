/*
 * kmmsim: build a simulated machine, run a scenario or print views.
 *
 *   kmmsim [machine options] run [SCENARIO]
 *   kmmsim [machine options] proc PATH...
 *   kmmsim --json ... run|proc ...    (kmmsim_json.c, docs/json-schema.md)
 *   kmmsim plot KIND INPUT ...        (the Python plotter, docs/python.md)
 *
 * Machine options are QEMU's (-m, -smp, -numa, -append) plus -reserve, -ram, -mmio, -M, -seed;
 * they apply before the scenario's own "machine" lines.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "tools/kmmsim.h"

static void out_stdout(void *arg, const char *text, size_t len)
{
	fwrite(text, 1, len, (FILE *)arg);
}

/*
 * Where the documentation and the example scenarios are, for --help. The build-tree binary
 * points at the source tree; an installed one at <prefix>/share/doc/kmm and
 * <prefix>/share/kmm/scenarios, the prefix found from where the binary is (so an install
 * with `cmake --install --prefix P` is right too), or the configured install prefix.
 * KMMSIM_* come from CMakeLists.txt.
 */
static char doc_dir[8192], scenario_dir[8192];

static void find_paths(void)
{
	char exe[4096];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	const char *bindir = KMMSIM_INSTALL_BINDIR, *prefix = KMMSIM_INSTALL_PREFIX;
	size_t blen = strlen(bindir);
	char *slash;

	if (n > 0) {
		exe[n] = 0;
		slash = strrchr(exe, '/');
		if (slash)
			*slash = 0;
		if (strcmp(exe, KMMSIM_BUILD_DIR) == 0) {
			snprintf(doc_dir, sizeof(doc_dir), "%s/docs", KMMSIM_SOURCE_DIR);
			snprintf(scenario_dir, sizeof(scenario_dir), "%s/examples/scenarios",
				 KMMSIM_SOURCE_DIR);
			return;
		}
		if (bindir[0] != '/' && (size_t)(slash - exe) > blen + 1 &&
		    strcmp(slash - blen, bindir) == 0 && slash[-(long)blen - 1] == '/') {
			slash[-(long)blen - 1] = 0;
			prefix = exe;
		}
	}
	snprintf(doc_dir, sizeof(doc_dir), "%s%s%s", KMMSIM_INSTALL_DOCDIR[0] == '/' ? "" : prefix,
		 KMMSIM_INSTALL_DOCDIR[0] == '/' ? "" : "/", KMMSIM_INSTALL_DOCDIR);
	snprintf(scenario_dir, sizeof(scenario_dir), "%s%s%s/kmm/scenarios",
		 KMMSIM_INSTALL_DATADIR[0] == '/' ? "" : prefix,
		 KMMSIM_INSTALL_DATADIR[0] == '/' ? "" : "/", KMMSIM_INSTALL_DATADIR);
}

static void usage(FILE *f)
{
	find_paths();
	fprintf(f,
		"usage: kmmsim [machine options] COMMAND [ARGS]\n"
		"\n"
		"libkmm %s: Linux 6.1 arm64 memory management on a simulated machine.\n"
		"\n"
		"Commands:\n"
		"  run [SCENARIO]     run a scenario file ('-' for standard input); without one,\n"
		"                     the built-in default scenario\n"
		"                     (%s/default.kmm; more examples beside it)\n"
		"  proc PATH...       boot the machine and print the named views\n"
		"  views              list the view paths proc and show accept\n"
		"  plot KIND INPUT [-o OUT.png]  draw a picture with the Python package kmm\n"
		"                     (python3 -m kmm plot: KIND zone-map, free-orders,\n"
		"                     fragmentation, tlb, activity; INPUT a kmmsim --json run\n"
		"                     result or a sample-stop CSV; %s/python.md)\n"
		"  mmu-replay CORPUS...  replay ARMv8-A MMU test vectors (JSON Lines, plain or\n"
		"                     gzipped; the source tree's tests/data/oracles/mmu has\n"
		"                     QEMU's) through the MMU model; exit 0 only if every query\n"
		"                     matches (%s/mmu.md)\n"
		"  replay [--chunk SIZE] [--madvise ADVICE] [--pages 4k|thp|64k|2m] [--tlb "
		"K=V,...]\n"
		"         [--sample N] [--warm] [--json] [--quiet] TRACE\n"
		"                     replay a memory-access trace (valgrind lackey text or kmm\n"
		"                     binary, plain or gzipped) through a simulated task's TLB,\n"
		"                     walker and page faults (docs/replay.md)\n"
		"  trace-convert [--to binary|lackey] IN OUT\n"
		"                     convert a trace (OUT ending in .gz is gzipped)\n"
		"\n"
		"Machine options (defaults: QEMU virt, -m 1G -smp 4, one node):\n",
		kmm_version(), scenario_dir, doc_dir, doc_dir);
	kmm_config_options_help(out_stdout, f);
	fprintf(f,
		"\n"
		"Other options:\n"
		"  -h, --help         this text\n"
		"  --json             run and proc print one JSON object (%s/json-schema.md)\n"
		"  --quiet            no progress lines on the terminal\n"
		"  --version          print the version\n"
		"\n"
		"Scenario steps (one per line; '#' starts a comment; %s/scenarios.md):\n",
		doc_dir, doc_dir);
	kmm_scenario_help(out_stdout, f);
	fprintf(f, "\nExamples:\n"
		   "  kmmsim run\n"
		   "  kmmsim -m 4G -smp 2 -append \"mem=2G\" proc /proc/iomem\n"
		   "  kmmsim -m 2G -numa node,nodeid=0,mem=1G,cpus=0-1 "
		   "-numa node,nodeid=1,mem=1G,cpus=2-3 run my.kmm\n");
}

/* Reads a whole file (or standard input); *len gets its length, NUL bytes included. */
static char *read_file(const char *path, size_t *lenp)
{
	FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
	char *buf = NULL;
	size_t len = 0, cap = 0, n;

	if (!f)
		return NULL;
	do {
		if (len + 4096 + 1 > cap) {
			char *nb;
			cap = cap ? cap * 2 : 8192;
			nb = realloc(buf, cap);
			if (!nb) {
				free(buf);
				buf = NULL;
				break;
			}
			buf = nb;
		}
		n = fread(buf + len, 1, 4096, f);
		len += n;
	} while (n > 0);
	if (buf)
		buf[len] = '\0';
	*lenp = len;
	if (f != stdin)
		fclose(f);
	return buf;
}

/*
 * A NUL byte would end the scenario text early and the rest would silently never run:
 * refuse it, naming where it is. Returns true if @text has none.
 */
static bool scenario_text_ok(const char *name, const char *text, size_t len)
{
	const char *nul = memchr(text, '\0', len);
	size_t line = 1, col = 1;

	if (!nul)
		return true;
	for (const char *c = text; c < nul; c++, col++)
		if (*c == '\n')
			line++, col = 0;
	fprintf(stderr, "kmmsim: %s:%zu:%zu: NUL byte in the scenario (it is text)\n", name, line,
		col);
	return false;
}

static bool json;
static int nopts;
static char **opts;

static int cmd_run(const struct kmm_config *cfg, int argc, char **argv)
{
	const char *name = argc > 1 ? argv[1] : "default.kmm";
	char *text = NULL;
	size_t len = 0;
	enum kmm_status st;

	if (argc > 2) {
		fprintf(stderr, "kmmsim: run takes one scenario file\n");
		return 2;
	}
	if (argc > 1) {
		text = read_file(argv[1], &len);
		if (!text) {
			fprintf(stderr, "kmmsim: cannot read scenario %s: %s\n", argv[1],
				strerror(errno));
			return 2;
		}
		if (!scenario_text_ok(argv[1], text, len)) {
			free(text);
			return 2;
		}
	}
	if (json) {
		int rc = kmmsim_json_run(cfg, nopts, opts, name,
					 text ? text : kmm_scenario_default());

		free(text);
		return rc;
	}
	st = kmm_scenario_run(text ? text : kmm_scenario_default(), name, cfg, out_stdout, stdout);
	free(text);
	fflush(stdout);
	if (st) {
		fprintf(stderr, "kmmsim: %s\n", kmm_last_error(NULL));
		return 1;
	}
	return 0;
}

static int cmd_proc(const struct kmm_config *cfg, int argc, char **argv)
{
	struct kmm_machine *m;
	int rc = 0;

	if (argc < 2) {
		fprintf(stderr, "kmmsim: proc needs at least one PATH (kmmsim views lists them)\n");
		return 2;
	}
	if (json)
		return kmmsim_json_proc(cfg, nopts, opts, argc, argv);
	if (kmm_machine_create(cfg, &m)) {
		fprintf(stderr, "kmmsim: %s\n", kmm_last_error(NULL));
		return 1;
	}
	for (int i = 1; i < argc; i++) {
		if (argc > 2)
			printf("== %s\n", argv[i]);
		if (kmm_proc_show(m, argv[i], out_stdout, stdout)) {
			fprintf(stderr, "kmmsim: %s\n", kmm_last_error(m));
			rc = 1;
		}
	}
	kmm_machine_destroy(m);
	return rc;
}

static void print_path(void *arg, const char *path)
{
	printf("%s\n", path);
}

static int cmd_views(const struct kmm_config *cfg, int argc, char **argv)
{
	kmm_proc_list(NULL, print_path, NULL);
	return 0;
}

static const struct {
	const char *name;
	int (*fn)(const struct kmm_config *cfg, int argc, char **argv);
} commands[] = {
	{"run", cmd_run},
	{"proc", cmd_proc},
	{"views", cmd_views},
	{"mmu-replay", kmmsim_cmd_mmu_replay},
	{"replay", kmmsim_cmd_replay},
	{"trace-convert", kmmsim_cmd_trace_convert},
	{"plot", kmmsim_cmd_plot},
};

/*
 * Boot and scenario progress on a terminal (not with --quiet): nothing for the first second,
 * then one line on stderr, at most ten updates a second, erased when the boot or the
 * scenario ends.
 */
static void progress_tty(void *arg, const char *what, uint64_t done, uint64_t total)
{
	static struct timespec t0, last;
	static bool shown;
	struct timespec now;
	double since, since_last;

	(void)arg;
	clock_gettime(CLOCK_MONOTONIC, &now);
	if (!what) {
		if (shown)
			fputs("\r\033[K", stderr);
		shown = false;
		t0.tv_sec = 0;
		return;
	}
	if (!t0.tv_sec) {
		t0 = now;
		return;
	}
	since = (double)(now.tv_sec - t0.tv_sec) + (double)(now.tv_nsec - t0.tv_nsec) / 1e9;
	since_last =
		(double)(now.tv_sec - last.tv_sec) + (double)(now.tv_nsec - last.tv_nsec) / 1e9;
	if (since < 1.0 || (shown && since_last < 0.1))
		return;
	/* "scenario" comes from kmm_scenario_run, the other names from the boot */
	fprintf(stderr, "\r\033[Kkmmsim: %s%s %3u%% (%.0f s)",
		strcmp(what, "scenario") ? "booting: " : "", what,
		(unsigned)(total ? done * 100 / total : 0), since);
	shown = true;
	last = now;
}

int main(int argc, char **argv)
{
	struct kmm_config cfg;
	bool quiet = false;
	int i;

	kmm_config_init(&cfg);
	opts = calloc((size_t)argc + 1, sizeof(*opts));
	if (!opts) {
		fprintf(stderr, "kmmsim: out of memory\n");
		return 1;
	}
	for (i = 1; i < argc && argv[i][0] == '-' && argv[i][1]; i += 2) {
		if (strcmp(argv[i], "--json") == 0 || strcmp(argv[i], "--quiet") == 0) {
			*(argv[i][2] == 'j' ? &json : &quiet) = true;
			i--;
			continue;
		}
		if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
			usage(stdout);
			return 0;
		}
		if (strcmp(argv[i], "--version") == 0) {
			printf("kmmsim (libkmm) %s\n", kmm_version());
			return 0;
		}
		if (!kmm_config_is_option(argv[i])) {
			fprintf(stderr, "kmmsim: unknown option '%s' (kmmsim --help lists them)\n",
				argv[i]);
			return 2;
		}
		if (kmm_config_option(&cfg, argv[i], i + 1 < argc ? argv[i + 1] : NULL)) {
			fprintf(stderr, "kmmsim: %s\n", kmm_last_error(NULL));
			return 2;
		}
		opts[nopts++] = argv[i];
		opts[nopts++] = argv[i + 1];
	}
	if (!quiet && isatty(STDERR_FILENO))
		cfg.progress = progress_tty;
	if (i == argc) {
		usage(stderr);
		return 2;
	}
	for (size_t c = 0; c < sizeof(commands) / sizeof(commands[0]); c++) {
		if (strcmp(argv[i], commands[c].name) == 0)
			return commands[c].fn(&cfg, argc - i, argv + i);
	}
	fprintf(stderr, "kmmsim: unknown command '%s' (kmmsim --help lists them)\n", argv[i]);
	return 2;
}
