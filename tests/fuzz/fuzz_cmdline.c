/*
 * fuzz_cmdline: the kernel command line. The input is appended (kmm_config_append) to an
 * 80 MiB, one-CPU config (64 MiB is too small for QEMU virt to load a kernel into) and
 * validated (kmm_config_validate); short inputs that validate also boot a machine, which
 * must pass kmm_check() and not die.
 *
 * Checks: no sanitizer report; a refused append or validation leaves a non-empty
 * kmm_last_error(NULL); a refused append leaves the config unchanged; a machine built from
 * a valid command line boots (or is refused with a reason) and its invariants hold.
 */
#include <kmm/kmm.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FUZZ_BOOT_MAX 96 /* inputs up to this long also boot */

static void fuzz_fail(const char *what, const char *why)
{
	fprintf(stderr, "fuzz_cmdline: %s: %s\n", what, why);
	abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct kmm_config cfg, before;
	struct kmm_machine *m = NULL;
	enum kmm_status st;
	char *text;

	if (size >= KMM_CMDLINE_MAX * 2)
		return 0;
	text = malloc(size + 1);
	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	kmm_config_init(&cfg);
	if (kmm_config_set_ram(&cfg, 80u << 20) != KMM_OK)
		fuzz_fail("set_ram", kmm_last_error(NULL));
	cfg.nr_cpus = 1;
	before = cfg;
	st = kmm_config_append(&cfg, text);
	if (st != KMM_OK) {
		if (!kmm_last_error(NULL)[0])
			fuzz_fail("append refused without a reason", text);
		if (memcmp(&cfg, &before, sizeof(cfg)) != 0)
			fuzz_fail("refused append changed the config", text);
		goto out;
	}
	st = kmm_config_validate(&cfg);
	if (st != KMM_OK) {
		if (!kmm_last_error(NULL)[0])
			fuzz_fail("validate refused without a reason", text);
		goto out;
	}
	if (size > FUZZ_BOOT_MAX)
		goto out;
	st = kmm_machine_create(&cfg, &m);
	if (st != KMM_OK) {
		if (!kmm_last_error(NULL)[0])
			fuzz_fail("create refused without a reason", text);
		goto out;
	}
	if (kmm_machine_dead(m))
		fuzz_fail("machine died at boot", text);
	if (kmm_check(m) != KMM_OK)
		fuzz_fail(kmm_last_error(m), text);
out:
	kmm_machine_destroy(m);
	free(text);
	return 0;
}
