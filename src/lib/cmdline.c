/*
 * Sizes written on command lines: mem=, cma=, -m, -reserve, scenario steps. One parser for
 * the kernel's parameters and the simulator's options, so that both read "2G" alike.
 *
 * Models: lib/cmdline.c:memparse() (Linux 6.1): a number in C notation with a binary suffix.
 * Deviation: stricter than memparse: trailing garbage, an empty number or overflow is an
 *         error; "4GB" and "4GiB" (QEMU's spelling) are accepted.
 */
#include "lib/cmdline.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>

#include "lib/env.h"

enum kmm_status parse_size(const char *text, uint64_t *out)
{
	const char *s = text;
	char *end;
	uint64_t v, mult = 1;

	if (!text || !isdigit((unsigned char)*s))
		return kmm_error_nomachine(KMM_EINVAL, "'%s' is not a size", text ? text : "");
	errno = 0;
	v = strtoull(s, &end, 0);
	if (errno == ERANGE)
		return kmm_error_nomachine(KMM_EINVAL, "size '%s' is too large", text);
	switch (toupper((unsigned char)*end)) {
	case 'E':
		mult <<= 10; /* fall through */
	case 'P':
		mult <<= 10; /* fall through */
	case 'T':
		mult <<= 10; /* fall through */
	case 'G':
		mult <<= 10; /* fall through */
	case 'M':
		mult <<= 10; /* fall through */
	case 'K':
		mult <<= 10;
		end++;
		break;
	default:
		break;
	}
	/* QEMU and people write "4GB" / "4GiB": accept the unit letter B after a suffix. */
	if (mult > 1 && (end[0] == 'B' || (end[0] == 'i' && end[1] == 'B')))
		end += end[0] == 'i' ? 2 : 1;
	if (*end)
		return kmm_error_nomachine(
			KMM_EINVAL, "size '%s': unexpected '%s' after the number", text, end);
	if (v > UINT64_MAX / mult)
		return kmm_error_nomachine(KMM_EINVAL, "size '%s' is too large", text);
	*out = v * mult;
	return KMM_OK;
}
