/*
 * Reading the captures of the reference kernel (tests/data/oracles/linux/captures/<config>/), for
 * the tests that compare the model with them (tests/sim/test_*_captures.c).
 */
#ifndef KMM_TEST_CAPTURE_H
#define KMM_TEST_CAPTURE_H

#include "kmm_test.h"

#define CAPTURE_MAX (1 << 20) /* the largest capture file, with room to spare */

/*
 * The text of capture @file of configuration @config, NUL-terminated, in memory the caller
 * frees; fails the test when the file cannot be read.
 */
static inline char *read_capture(const char *config, const char *file)
{
	char path[1024];
	char *buf = calloc(1, CAPTURE_MAX);
	FILE *f;
	size_t n;

	if (!buf)
		fail_msg("read_capture: out of memory");
	snprintf(path, sizeof(path), "%s/oracles/linux/captures/%s/%s", KMM_DATA_DIR, config, file);
	f = test_data_fopen(path);
	n = fread(buf, 1, CAPTURE_MAX - 1, f);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

#endif /* KMM_TEST_CAPTURE_H */
