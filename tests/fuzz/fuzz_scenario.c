/*
 * fuzz_scenario: the scenario language (docs/scenarios.md) with its machine options and
 * kernel parameters. The input is run by kmm_scenario_run() on a small base machine (-m
 * 128M -smp 2), its output to a null sink.
 *
 * To keep each run fast, inputs asking for much are skipped before running: a size or count
 * above 512M, a total of more than 1G over the machine lines, a COUNT above 4096 for the
 * allocating steps, -smp above 8, more than 64 lines. Lines whose numbers are addresses or
 * values (phys-*, load64, store64, ioremap, iounmap, vfree) are not capped.
 *
 * Checks: no sanitizer report; a failed scenario leaves a non-empty kmm_last_error(NULL).
 * A failing `check` step or a kernel BUG ends the scenario with an error, which is not a
 * finding by itself (the input may ask for a corruption, e.g. a phys-write64 over the
 * memory map); crashes, leaks and undefined behaviour are.
 */
#include <kmm/kmm.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FUZZ_MAX_SIZE  (512ull << 20)
#define FUZZ_MAX_TOTAL (1024ull << 20)
#define FUZZ_MAX_COUNT 4096ull
#define FUZZ_MAX_LINES 64

static void null_sink(void *arg, const char *text, size_t len)
{
	(void)arg;
	(void)text;
	(void)len;
}

static bool line_starts(const char *line, const char *word)
{
	size_t n = strlen(word);

	return strncmp(line, word, n) == 0 && (line[n] == ' ' || line[n] == '\t' || !line[n]);
}

/* The value of the number at the start of @tok (after any "key="), or 0 if none. */
static uint64_t token_value(const char *tok)
{
	const char *eq = strrchr(tok, '=');
	char num[32];
	size_t n = 0;
	uint64_t v;

	if (eq)
		tok = eq + 1;
	while (tok[n] && n < sizeof(num) - 1 && strchr("0123456789abcdefxABCDEFXKMGTPE", tok[n]))
		n++;
	memcpy(num, tok, n);
	num[n] = '\0';
	if (!n || kmm_parse_size(num, &v) != KMM_OK)
		return tok[0] >= '0' && tok[0] <= '9' ? UINT64_MAX : 0; /* overflow: too big */
	return v;
}

/* False if the scenario in @text asks for more than a fast run allows. */
static bool scenario_small(char *text)
{
	static const char *const exempt[] = {"phys-write64", "phys-read64", "load64", "store64",
					     "ioremap",	     "iounmap",	    "vfree",  "echo",
					     "expect",	     "show",	    "#"};
	static const struct {
		const char *step;
		unsigned arg; /* COUNT's position, the step being 0 */
	} counted[] = {{"alloc-pages", 2}, {"kmalloc", 2}, {"kmem-cache-alloc", 3}};
	uint64_t total = 0;
	unsigned lines = 0;

	for (char *line = strtok(text, "\n"); line; line = strtok(NULL, "\n")) {
		char *save = NULL, *tok;
		bool skip = false, machine;
		unsigned arg = 0, count_arg = 0;

		while (*line == ' ' || *line == '\t')
			line++;
		if (++lines > FUZZ_MAX_LINES)
			return false;
		for (size_t i = 0; i < sizeof(exempt) / sizeof(exempt[0]); i++)
			skip |= strncmp(line, exempt[i], strlen(exempt[i])) == 0;
		if (skip)
			continue;
		for (size_t i = 0; i < sizeof(counted) / sizeof(counted[0]); i++)
			if (line_starts(line, counted[i].step))
				count_arg = counted[i].arg;
		machine = line_starts(line, "machine") || line_starts(line, "append");
		for (tok = strtok_r(line, " \t,", &save); tok;
		     tok = strtok_r(NULL, " \t,", &save)) {
			uint64_t v = token_value(tok);
			if (v > FUZZ_MAX_SIZE)
				return false;
			if (count_arg && arg == count_arg && v > FUZZ_MAX_COUNT)
				return false;
			if (machine && v >= (1u << 20)) {
				total += v;
				if (total > FUZZ_MAX_TOTAL)
					return false;
			}
			if (machine && strcmp(tok, "-smp") == 0) {
				char *n = strtok_r(NULL, " \t,", &save);
				if (n && token_value(n) > 8)
					return false;
			}
			arg++;
		}
	}
	return true;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct kmm_config base;
	char *text, *scan;
	enum kmm_status st;

	if (size > 8192 || memchr(data, '\0', size))
		return 0;
	text = malloc(size + 1);
	scan = malloc(size + 1);
	if (!text || !scan)
		goto out;
	memcpy(text, data, size);
	text[size] = '\0';
	memcpy(scan, text, size + 1);
	if (!scenario_small(scan))
		goto out;
	kmm_config_init(&base);
	if (kmm_config_set_ram(&base, 128u << 20) != KMM_OK)
		abort();
	base.nr_cpus = 2;
	st = kmm_scenario_run(text, "fuzz", &base, null_sink, NULL);
	if (st != KMM_OK && !kmm_last_error(NULL)[0]) {
		fprintf(stderr, "fuzz_scenario: %s without a message\n", kmm_status_name(st));
		abort();
	}
out:
	free(text);
	free(scan);
	return 0;
}
