/*
 * Shared helpers for the CMocka tests: include order for cmocka, a machine fixture that runs
 * kmm_check() at teardown, and a view reader.
 */
#ifndef KMM_TEST_H
#define KMM_TEST_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <kmm/kmm.h>

/* Creates a machine from @cfg or fails the test with kmm_last_error. */
static inline struct kmm_machine *test_machine(const struct kmm_config *cfg)
{
	struct kmm_machine *m = NULL;
	enum kmm_status st = kmm_machine_create(cfg, &m);

	if (st != KMM_OK)
		fail_msg("kmm_machine_create: %s: %s", kmm_status_name(st), kmm_last_error(NULL));
	return m;
}

/* kmm_check must hold; then destroys the machine. */
static inline void test_machine_done(struct kmm_machine *m)
{
	enum kmm_status st = kmm_check(m);

	if (st != KMM_OK)
		fail_msg("kmm_check: %s", kmm_last_error(m));
	kmm_machine_destroy(m);
}

/*
 * Opens a file of the test data (tests/data, or the folder the KMM_DATA_DIR cache variable
 * names), or fails the test naming the file.
 */
static inline FILE *test_data_fopen(const char *path)
{
	FILE *f = fopen(path, "rb");

	if (!f)
		fail_msg("test data %s cannot be read (tests/data/README.md says what belongs "
			 "there)",
			 path);
	return f;
}

/* Reads a view into a static buffer (tests are single-threaded). */
static inline const char *test_view(struct kmm_machine *m, const char *path)
{
	static char buf[1 << 16];
	enum kmm_status st = kmm_proc_read(m, path, buf, sizeof(buf));

	if (st != KMM_OK)
		fail_msg("kmm_proc_read(%s): %s", path, kmm_last_error(m));
	return buf;
}

/* The number after "@field:" in /proc/@pid/@file (a kB figure of status or smaps). */
static inline long test_view_kb(struct kmm_machine *m, kmm_pid_t pid, const char *file,
				const char *field)
{
	char path[64], name[40];
	const char *p;

	snprintf(path, sizeof(path), "/proc/%d/%s", (int)pid, file);
	snprintf(name, sizeof(name), "\n%s:", field);
	p = strstr(test_view(m, path), name);
	assert_non_null(p);
	return strtol(p + strlen(name), NULL, 10);
}

/* Asserts that @st is @want and the error text @text mentions @needle. */
static inline void assert_error(enum kmm_status st, enum kmm_status want, const char *text,
				const char *needle)
{
	assert_int_equal(st, want);
	if (!strstr(text, needle))
		fail_msg("error text \"%s\" does not mention \"%s\"", text, needle);
}

/* Asserts that @st is KMM_EINVAL and the error text mentions @needle. */
#define assert_einval_mentions(st, text, needle)                                                   \
	do {                                                                                       \
		assert_int_equal((st), KMM_EINVAL);                                                \
		if (!strstr((text), (needle)))                                                     \
			fail_msg("error text \"%s\" does not mention \"%s\"", (text), (needle));   \
	} while (0)

#endif /* KMM_TEST_H */
