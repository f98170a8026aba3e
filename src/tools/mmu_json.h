/*
 * A small JSON reader for the MMU oracle corpora (one object per line). It parses a line in
 * place (strings are unescaped into the line buffer) into a flat array of nodes; children
 * are linked by index. Enough JSON for the arm-mmu-oracle-v1 format and for hand-written
 * corpora: objects, arrays, strings (with the common escapes), integers, true/false/null.
 */
#ifndef KMM_TOOLS_MMU_JSON_H
#define KMM_TOOLS_MMU_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum json_type { JSON_NULL, JSON_BOOL, JSON_NUM, JSON_STR, JSON_ARR, JSON_OBJ };

struct json_node {
	enum json_type type;
	int first;	 /* first child (arrays, objects), -1 if none */
	int next;	 /* next sibling, -1 if last */
	const char *key; /* member name inside an object, else NULL */
	const char *str; /* JSON_STR: NUL-terminated, unescaped */
	int64_t num;
	bool b;
};

struct json_doc {
	struct json_node *nodes;
	int n, cap;
	char err[128];
};

/* Parses the NUL-terminated @text (modified in place). Returns the root index or -1. */
int json_parse(struct json_doc *doc, char *text);
void json_free(struct json_doc *doc);

/* Member @key of object @obj, or -1. */
int json_get(const struct json_doc *doc, int obj, const char *key);
/* Value helpers: false if absent or of another type. */
bool json_str(const struct json_doc *doc, int node, const char **out);
bool json_int(const struct json_doc *doc, int node, int64_t *out);
/* A "0x..." string (or an integer) as uint64. */
bool json_hex(const struct json_doc *doc, int node, uint64_t *out);
bool json_bool(const struct json_doc *doc, int node, bool *out);
bool json_is_null(const struct json_doc *doc, int node);

#endif /* KMM_TOOLS_MMU_JSON_H */
