/*
 * Sizes written on command lines: mem=, cma=, -m, -reserve, scenario steps. One parser for
 * the kernel's parameters and the simulator's options, so that both read "2G" alike.
 *
 * Models: lib/cmdline.c:memparse() (Linux 6.1): a number in C notation with a binary suffix.
 * memparse() is the kernel's, lenient (the number, its suffix, the rest left to the caller:
 * hugetlb's boot parameters use it as 6.1 does); parse_size() is the simulator's.
 * Deviation: parse_size is stricter than memparse: trailing garbage, an empty number or
 *         overflow is an error; "4GB" and "4GiB" (QEMU's spelling) are accepted.
 */
#include "lib/cmdline.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>

#include "lib/env.h"

/* The binary shift of a size suffix K, M, G, T, P or E (either case); 0 for anything else. */
static unsigned int size_suffix_shift(int c)
{
	static const char suffixes[] = "KMGTPE";

	for (unsigned int i = 0; suffixes[i]; i++)
		if (toupper(c) == suffixes[i])
			return 10 * (i + 1);
	return 0;
}

uint64_t memparse(const char *s, char **retptr)
{
	char *end;
	uint64_t v = strtoull(s, &end, 0);
	unsigned int shift = size_suffix_shift((unsigned char)*end);

	if (shift) {
		v <<= shift;
		end++;
	}
	if (retptr)
		*retptr = end;
	return v;
}

enum kmm_status parse_size(const char *text, uint64_t *out)
{
	const char *s = text;
	char *end;
	uint64_t v, mult = 1;
	unsigned int shift;

	if (!text || !isdigit((unsigned char)*s))
		return kmm_error_nomachine(KMM_EINVAL, "'%s' is not a size", text ? text : "");
	errno = 0;
	v = strtoull(s, &end, 0);
	if (errno == ERANGE)
		return kmm_error_nomachine(KMM_EINVAL, "size '%s' is too large", text);
	shift = size_suffix_shift((unsigned char)*end);
	if (shift) {
		mult <<= shift;
		end++;
	}
	/* QEMU and people write "4GB" / "4GiB": accept the unit letter B after a suffix. */
	if (mult > 1 && (end[0] == 'B' || (end[0] == 'i' && end[1] == 'B')))
		end += end[0] == 'i' ? 2 : 1;
	if (*end)
		return kmm_error_nomachine(
			KMM_EINVAL,
			"size '%s': unexpected '%s' after the number (suffixes: K, M, G, T, P, E)",
			text, end);
	if (v > UINT64_MAX / mult)
		return kmm_error_nomachine(KMM_EINVAL, "size '%s' is too large", text);
	*out = v * mult;
	return KMM_OK;
}
