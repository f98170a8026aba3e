/*
 * A small in-place JSON reader for the MMU oracle corpora. See mmu_json.h.
 *
 * Invariants:
 *  1. Every node index in first/next is < n or -1.
 *  2. A parse either returns a root whose subtree is complete, or -1 with err set.
 */
#include "tools/mmu_json.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define JSON_MAX_DEPTH 64

struct json_parser {
	struct json_doc *doc;
	char *p;
	int depth;
};

static int json_new(struct json_parser *ps, enum json_type type)
{
	struct json_doc *d = ps->doc;

	if (d->n == d->cap) {
		int cap = d->cap ? d->cap * 2 : 1024;
		struct json_node *nn = realloc(d->nodes, sizeof(*nn) * (size_t)cap);
		if (!nn) {
			snprintf(d->err, sizeof(d->err), "out of host memory");
			return -1;
		}
		d->nodes = nn;
		d->cap = cap;
	}
	d->nodes[d->n] = (struct json_node){.type = type, .first = -1, .next = -1};
	return d->n++;
}

static void json_ws(struct json_parser *ps)
{
	while (*ps->p == ' ' || *ps->p == '\t' || *ps->p == '\n' || *ps->p == '\r')
		ps->p++;
}

static int json_fail(struct json_parser *ps, const char *what)
{
	char near[24];
	size_t n = 0;

	if (!*ps->p) {
		snprintf(ps->doc->err, sizeof(ps->doc->err), "%s at the end of the line", what);
		return -1;
	}
	for (const char *c = ps->p; *c && n < sizeof(near) - 1; c++) /* printable excerpt */
		near[n++] = (*c >= 0x20 && *c < 0x7f) ? *c : '?';
	near[n] = '\0';
	snprintf(ps->doc->err, sizeof(ps->doc->err), "%s near \"%s\"", what, near);
	return -1;
}

/* Unescapes a string in place; returns its start, leaves p after the closing quote. */
static char *json_string(struct json_parser *ps)
{
	char *start = ++ps->p, *out = start;

	while (*ps->p && *ps->p != '"') {
		char c = *ps->p++;
		if (c == '\\') {
			c = *ps->p++;
			switch (c) {
			case 'n':
				c = '\n';
				break;
			case 't':
				c = '\t';
				break;
			case 'r':
				c = '\r';
				break;
			case 'b':
				c = '\b';
				break;
			case 'f':
				c = '\f';
				break;
			case 'u': /* keep ASCII only; others become '?' */
				for (int i = 0; i < 4; i++)
					if (!isxdigit((unsigned char)ps->p[i]))
						return NULL; /* short or not hex: stop at the NUL */
				c = (char)strtol(
					(char[5]){ps->p[0], ps->p[1], ps->p[2], ps->p[3], 0}, NULL,
					16);
				if ((unsigned char)c > 0x7f || !c)
					c = '?';
				ps->p += 4;
				break;
			case '\0':
				ps->p--; /* stay on the NUL */
				return NULL;
			default:
				break; /* \" \\ \/ */
			}
		}
		*out++ = c;
	}
	if (*ps->p != '"')
		return NULL;
	ps->p++;
	*out = '\0';
	return start;
}

static int json_value(struct json_parser *ps);

static int json_container(struct json_parser *ps, bool obj)
{
	int node = json_new(ps, obj ? JSON_OBJ : JSON_ARR), last = -1;
	char close = obj ? '}' : ']';

	if (node < 0)
		return -1;
	if (++ps->depth > JSON_MAX_DEPTH)
		return json_fail(ps, "nesting too deep");
	ps->p++;
	json_ws(ps);
	if (*ps->p == close) {
		ps->p++;
		ps->depth--;
		return node;
	}
	for (;;) {
		const char *key = NULL;
		int child;

		json_ws(ps);
		if (obj) {
			if (*ps->p != '"' || !(key = json_string(ps)))
				return json_fail(ps, "expected a member name");
			json_ws(ps);
			if (*ps->p != ':') /* not past a NUL: json_fail reads from p */
				return json_fail(ps, "expected ':'");
			ps->p++;
		}
		child = json_value(ps);
		if (child < 0)
			return -1;
		ps->doc->nodes[child].key = key;
		if (last < 0)
			ps->doc->nodes[node].first = child;
		else
			ps->doc->nodes[last].next = child;
		last = child;
		json_ws(ps);
		if (*ps->p == ',') {
			ps->p++;
			continue;
		}
		if (*ps->p == close) {
			ps->p++;
			ps->depth--;
			return node;
		}
		return json_fail(ps, obj ? "expected ',' or '}'" : "expected ',' or ']'");
	}
}

static int json_value(struct json_parser *ps)
{
	int node;

	json_ws(ps);
	switch (*ps->p) {
	case '{':
		return json_container(ps, true);
	case '[':
		return json_container(ps, false);
	case '"': {
		char *s = json_string(ps);
		if (!s)
			return json_fail(ps, "unterminated string");
		node = json_new(ps, JSON_STR);
		if (node >= 0)
			ps->doc->nodes[node].str = s;
		return node;
	}
	case 't':
	case 'f':
	case 'n': {
		static const struct {
			const char *word;
			enum json_type t;
			bool b;
		} words[] = {{"true", JSON_BOOL, true},
			     {"false", JSON_BOOL, false},
			     {"null", JSON_NULL, false}};
		for (size_t i = 0; i < 3; i++) {
			size_t len = strlen(words[i].word);
			if (strncmp(ps->p, words[i].word, len) == 0) {
				ps->p += len;
				node = json_new(ps, words[i].t);
				if (node >= 0)
					ps->doc->nodes[node].b = words[i].b;
				return node;
			}
		}
		return json_fail(ps, "unknown literal");
	}
	default: {
		char *end;
		long long v = strtoll(ps->p, &end, 10);
		if (end == ps->p)
			return json_fail(ps, "unexpected character");
		if (*end == '.' || *end == 'e' ||
		    *end == 'E') /* fractions: keep the integer part */
			strtod(ps->p, &end);
		ps->p = end;
		node = json_new(ps, JSON_NUM);
		if (node >= 0)
			ps->doc->nodes[node].num = v;
		return node;
	}
	}
}

int json_parse(struct json_doc *doc, char *text)
{
	struct json_parser ps = {.doc = doc, .p = text};
	int root;

	doc->n = 0;
	doc->err[0] = '\0';
	root = json_value(&ps);
	if (root < 0)
		return -1;
	json_ws(&ps);
	if (*ps.p)
		return json_fail(&ps, "trailing characters");
	return root;
}

void json_free(struct json_doc *doc)
{
	free(doc->nodes);
	doc->nodes = NULL;
	doc->n = doc->cap = 0;
}

int json_get(const struct json_doc *doc, int obj, const char *key)
{
	if (obj < 0 || doc->nodes[obj].type != JSON_OBJ)
		return -1;
	for (int c = doc->nodes[obj].first; c >= 0; c = doc->nodes[c].next) {
		if (strcmp(doc->nodes[c].key, key) == 0)
			return c;
	}
	return -1;
}

bool json_str(const struct json_doc *doc, int node, const char **out)
{
	if (node < 0 || doc->nodes[node].type != JSON_STR)
		return false;
	*out = doc->nodes[node].str;
	return true;
}

bool json_int(const struct json_doc *doc, int node, int64_t *out)
{
	if (node < 0 || doc->nodes[node].type != JSON_NUM)
		return false;
	*out = doc->nodes[node].num;
	return true;
}

bool json_hex(const struct json_doc *doc, int node, uint64_t *out)
{
	const char *s;
	char *end;

	if (node >= 0 && doc->nodes[node].type == JSON_NUM) {
		*out = (uint64_t)doc->nodes[node].num;
		return true;
	}
	if (!json_str(doc, node, &s))
		return false;
	*out = strtoull(s, &end, 0);
	return end != s && *end == '\0';
}

bool json_bool(const struct json_doc *doc, int node, bool *out)
{
	if (node < 0 || doc->nodes[node].type != JSON_BOOL)
		return false;
	*out = doc->nodes[node].b;
	return true;
}

bool json_is_null(const struct json_doc *doc, int node)
{
	return node >= 0 && doc->nodes[node].type == JSON_NULL;
}
