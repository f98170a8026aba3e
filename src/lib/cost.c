/*
 * The cost table (see cost.h): its rows and the NAME=VALUE parser that the config and the
 * views share. The machine's live copy is env->cost; env.c fills it.
 */
#include "lib/cost.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const struct cost_row cost_rows[NR_COSTS] = {
#define COST_ROW(name, def, what, source) {#name, def, what, source},
	COST_TABLE(COST_ROW)
#undef COST_ROW
};

int cost_find(const char *name)
{
	for (int i = 0; i < NR_COSTS; i++) {
		if (strcmp(name, cost_rows[i].name) == 0)
			return i;
	}
	return -1;
}

bool cost_parse(const char *text, int *id, uint32_t *value, char *why, size_t whylen)
{
	const char *eq = strchr(text, '=');
	char name[64], *end;
	unsigned long long v;

	if (!eq || eq == text || (size_t)(eq - text) >= sizeof(name)) {
		snprintf(why, whylen, "-cost %s: expected NAME=CYCLES", text);
		return false;
	}
	snprintf(name, sizeof(name), "%.*s", (int)(eq - text), text);
	*id = cost_find(name);
	if (*id < 0) {
		snprintf(why, whylen,
			 "-cost %s: no cost named '%s' (see /sys/kernel/debug/kmm/costs)", text,
			 name);
		return false;
	}
	errno = 0;
	v = strtoull(eq + 1, &end, 0);
	if (!eq[1] || *end || errno || eq[1] == '-' || v > UINT32_MAX) {
		snprintf(why, whylen, "-cost %s: '%s' is not a cycle count (0..%u)", text, eq + 1,
			 UINT32_MAX);
		return false;
	}
	*value = (uint32_t)v;
	return true;
}
