/*
 * Memory-access trace formats: the text Valgrind's lackey tool writes, and our compact binary
 * format (kmm/replay.h has both layouts), decoded in a stream of byte chunks and encoded.
 *
 * The decoder is a pure function of its state and the bytes: no host I/O (the callers read
 * files, gzip included), no machine. It stops at whole lines or records so a caller can feed
 * a file in chunks; every refusal names the line (lackey) or the byte offset (binary) and
 * why, and nothing past the bad record is decoded.
 *
 * Models: nothing of the kernel. Lackey's line format is valgrind's lackey/lk_main.c output
 * (trace_instr/trace_load/trace_store/trace_modify), read as data.
 * Deviation: lackey's sizes above 4096 (none seen from real programs) are refused, as the
 *         replay's accesses are at most a page long.
 *
 * Invariants: none (no state beyond the decoder's counters, which only grow).
 */
#include <kmm/replay.h>

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#define TRACE_MAGIC	"KMMTRACE"
#define TRACE_VERSION	1u
#define TRACE_HDR_LEN	16
#define TRACE_TAG_EVENT 0x20u
#define TRACE_SIZE_VAR	7u

void kmm_trace_decoder_init(struct kmm_trace_decoder *d, enum kmm_trace_format fmt)
{
	memset(d, 0, sizeof(*d));
	d->format = fmt;
}

enum kmm_trace_format kmm_trace_detect(const void *buf, size_t len)
{
	return len >= 8 && memcmp(buf, TRACE_MAGIC, 8) == 0 ? KMM_TRACE_FMT_BINARY
							    : KMM_TRACE_FMT_LACKEY;
}

/* An access [va, va + size) the replay can take. Returns NULL or the reason. */
static const char *trace_access_bad(uint64_t va, uint64_t size)
{
	if (size == 0)
		return "size 0";
	if (size > KMM_TRACE_MAX_ACCESS)
		return "size above 4096";
	if (va >= KMM_TRACE_USER_END || size > KMM_TRACE_USER_END - va)
		return "address outside the user half (at or above 1 << 48)";
	return NULL;
}

static const char *trace_event_bad(uint64_t va, uint64_t size)
{
	if (!size || ((va | size) & (KMM_PAGE_SIZE - 1)))
		return "mapping not page aligned or empty";
	if (va >= KMM_TRACE_USER_END || size > KMM_TRACE_USER_END - va)
		return "mapping outside the user half (at or above 1 << 48)";
	return NULL;
}

/* ---- lackey text -------------------------------------------------------------------- */

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Parses "HEX,NUM" (@hex2: the second number hex too) filling the whole of [p, end). */
static const char *lackey_pair(const char *p, const char *end, bool hex2, uint64_t *a, uint64_t *b)
{
	uint64_t x = 0;
	int digits = 0, v;

	for (; p < end && (v = hexval(*p)) >= 0; p++, digits++) {
		if (x >> 60)
			return "address too long";
		x = x << 4 | (uint64_t)v;
	}
	if (!digits)
		return "truncated line (no address)";
	if (p == end || *p != ',')
		return "truncated line (no ',size')";
	*a = x;
	x = 0;
	digits = 0;
	for (p++; p < end; p++, digits++) {
		v = hex2 ? hexval(*p) : (*p >= '0' && *p <= '9' ? *p - '0' : -1);
		if (v < 0)
			break;
		if (x >> 56)
			return "number too long";
		x = x * (hex2 ? 16 : 10) + (uint64_t)v;
	}
	if (!digits)
		return "truncated line (no size)";
	while (p < end && (*p == ' ' || *p == '\r'))
		p++;
	if (p != end)
		return "unexpected characters after the size";
	*b = x;
	return NULL;
}

/* One line [p, end) (no newline). Returns NULL with *@have set if it gave a record. */
static const char *lackey_line(const char *p, const char *end, struct kmm_trace_rec *r, bool *have)
{
	uint64_t a = 0, b = 0;
	const char *why;

	*have = false;
	for (const char *c = p; c < end; c++) {
		if ((unsigned char)*c < 0x20 && *c != '\t' && *c != '\r')
			return "binary garbage (a control byte in a text trace)";
		if ((unsigned char)*c >= 0x7f)
			return "binary garbage (a byte that is not ASCII)";
	}
	if (p == end || (end - p == 1 && *p == '\r'))
		return NULL;
	if (end - p >= 2 && ((p[0] == '=' && p[1] == '=') || (p[0] == '-' && p[1] == '-')))
		return NULL; /* valgrind's own messages */
	if (*p == '@') {
		size_t n = (size_t)(end - p);
		bool unmap = n > 7 && memcmp(p, "@munmap ", 8) == 0;

		if (!unmap && !(n > 5 && memcmp(p, "@mmap ", 6) == 0))
			return "unknown event (expected @mmap or @munmap)";
		if ((why = lackey_pair(p + (unmap ? 8 : 6), end, true, &a, &b)))
			return why;
		if ((why = trace_event_bad(a, b)))
			return why;
		*r = (struct kmm_trace_rec){a, b, unmap ? KMM_TRACE_MUNMAP : KMM_TRACE_MMAP, 0};
		*have = true;
		return NULL;
	}
	if (end - p < 3)
		return "truncated line";
	if (p[0] == 'I' && p[1] == ' ' && p[2] == ' ')
		r->op = KMM_TRACE_IFETCH;
	else if (p[0] == ' ' && p[2] == ' ' && p[1] == 'L')
		r->op = KMM_TRACE_LOAD;
	else if (p[0] == ' ' && p[2] == ' ' && p[1] == 'S')
		r->op = KMM_TRACE_STORE;
	else if (p[0] == ' ' && p[2] == ' ' && p[1] == 'M')
		r->op = KMM_TRACE_MODIFY;
	else
		return "unknown record (expected 'I  ', ' L ', ' S ' or ' M ')";
	if ((why = lackey_pair(p + 3, end, false, &a, &b)))
		return why;
	if ((why = trace_access_bad(a, b)))
		return why;
	r->va = a;
	r->size = b;
	r->reserved = 0;
	*have = true;
	return NULL;
}

static enum kmm_status decode_lackey(struct kmm_trace_decoder *d, const char *buf, size_t len,
				     bool eof, struct kmm_trace_rec *out, size_t max, size_t *nout,
				     size_t *used)
{
	size_t pos = 0, n = 0;

	while (n < max && pos < len) {
		const char *nl = memchr(buf + pos, '\n', len - pos);
		const char *end = nl ? nl : buf + len, *why;
		bool have;

		if (!nl && !eof)
			break; /* a partial line: wait for the rest */
		if ((why = lackey_line(buf + pos, end, &out[n], &have))) {
			snprintf(d->error, sizeof(d->error), "line %" PRIu64 ": %s", d->line + 1,
				 why);
			*nout = n;
			*used = pos;
			return KMM_EINVAL;
		}
		n += have;
		d->line++;
		d->offset += (size_t)(end - (buf + pos)) + (nl ? 1 : 0);
		pos = (size_t)(end - buf) + (nl ? 1 : 0);
	}
	*nout = n;
	*used = pos;
	return KMM_OK;
}

/* ---- binary ------------------------------------------------------------------------- */

/* A LEB128 varint at @p (< @end). Returns bytes read, 0 if truncated, -1 if too long. */
static int varint_get(const uint8_t *p, const uint8_t *end, uint64_t *v)
{
	uint64_t x = 0;

	for (int i = 0; i < 10; i++) {
		if (p + i >= end)
			return 0;
		if (i == 9 && p[i] > 1)
			return -1;
		x |= (uint64_t)(p[i] & 0x7f) << (7 * i);
		if (!(p[i] & 0x80)) {
			*v = x;
			return i + 1;
		}
	}
	return -1;
}

static size_t varint_put(uint8_t *p, uint64_t v)
{
	size_t n = 0;

	while (v >= 0x80) {
		p[n++] = (uint8_t)(v | 0x80);
		v >>= 7;
	}
	p[n++] = (uint8_t)v;
	return n;
}

/* One record at @p (< @end): 0 truncated, -1 bad (*@why), else its length. */
static int binary_record(struct kmm_trace_decoder *d, const uint8_t *p, const uint8_t *end,
			 struct kmm_trace_rec *r, const char **why)
{
	uint8_t tag = p[0];
	uint64_t a, b, size;
	int k, len = 1;

	if (tag & 0xc0) {
		*why = "binary garbage (tag bits 7:6 set)";
		return -1;
	}
	if (tag & TRACE_TAG_EVENT) {
		if ((tag & 3) > 1 || (tag & 0x1c)) {
			*why = "unknown event tag";
			return -1;
		}
		if ((k = varint_get(p + len, end, &a)) <= 0)
			goto varint;
		len += k;
		if ((k = varint_get(p + len, end, &b)) <= 0)
			goto varint;
		len += k;
		if ((*why = trace_event_bad(a, b)))
			return -1;
		*r = (struct kmm_trace_rec){a, b, (tag & 3) ? KMM_TRACE_MUNMAP : KMM_TRACE_MMAP, 0};
		return len;
	}
	size = 1ull << ((tag >> 2) & 7);
	if (((tag >> 2) & 7) == TRACE_SIZE_VAR) {
		if ((k = varint_get(p + len, end, &size)) <= 0)
			goto varint;
		len += k;
	}
	if ((k = varint_get(p + len, end, &b)) <= 0)
		goto varint;
	len += k;
	a = d->prev_va + ((b >> 1) ^ (0 - (b & 1))); /* zigzag */
	if ((*why = trace_access_bad(a, size)))
		return -1;
	*r = (struct kmm_trace_rec){a, size, tag & 3u, 0};
	d->prev_va = a;
	return len;
varint:
	if (k == 0)
		return 0;
	*why = "binary garbage (a varint longer than 64 bits)";
	return -1;
}

static enum kmm_status decode_binary(struct kmm_trace_decoder *d, const uint8_t *buf, size_t len,
				     bool eof, struct kmm_trace_rec *out, size_t max, size_t *nout,
				     size_t *used)
{
	size_t pos = 0, n = 0;
	const char *why = NULL;

	*nout = 0;
	*used = 0;
	if (!d->header_done) {
		if (len < TRACE_HDR_LEN && !eof)
			return KMM_OK;
		if (len < TRACE_HDR_LEN || memcmp(buf, TRACE_MAGIC, 8) != 0) {
			why = "not a kmm binary trace (no KMMTRACE header)";
			goto bad;
		}
		if (buf[8] != TRACE_VERSION || buf[9] || buf[10] || buf[11] || buf[12] || buf[13] ||
		    buf[14] || buf[15]) {
			why = "unsupported binary trace version";
			goto bad;
		}
		d->header_done = true;
		d->offset += TRACE_HDR_LEN;
		pos = TRACE_HDR_LEN;
	}
	while (n < max && pos < len) {
		int k = binary_record(d, buf + pos, buf + len, &out[n], &why);

		if (k < 0)
			goto bad;
		if (k == 0) {
			if (!eof)
				break;
			why = "truncated record at the end";
			goto bad;
		}
		pos += (size_t)k;
		d->offset += (size_t)k;
		n++;
	}
	*nout = n;
	*used = pos;
	return KMM_OK;
bad:
	snprintf(d->error, sizeof(d->error), "offset %" PRIu64 ": %s", d->offset, why);
	*nout = n;
	*used = pos;
	return KMM_EINVAL;
}

enum kmm_status kmm_trace_decode(struct kmm_trace_decoder *d, const void *buf, size_t len, bool eof,
				 struct kmm_trace_rec *out, size_t max, size_t *nout, size_t *used)
{
	size_t dn, du;

	if (!nout)
		nout = &dn;
	if (!used)
		used = &du;
	*nout = 0;
	*used = 0;
	if (!d || (!buf && len) || (!out && max)) {
		if (d)
			snprintf(d->error, sizeof(d->error), "NULL decoder, buffer or output");
		return KMM_EINVAL;
	}
	d->error[0] = 0;
	if (d->format == KMM_TRACE_FMT_BINARY)
		return decode_binary(d, buf, len, eof, out, max, nout, used);
	return decode_lackey(d, buf, len, eof, out, max, nout, used);
}

/* ---- encoder ------------------------------------------------------------------------ */

static size_t encode_one(struct kmm_trace_encoder *e, const struct kmm_trace_rec *r, uint8_t *p)
{
	size_t n = 0;
	uint64_t delta, z;
	unsigned code = TRACE_SIZE_VAR;

	if (r->op >= KMM_TRACE_MMAP) {
		p[n++] = (uint8_t)(TRACE_TAG_EVENT | (r->op == KMM_TRACE_MUNMAP));
		n += varint_put(p + n, r->va);
		n += varint_put(p + n, r->size);
		return n;
	}
	for (unsigned c = 0; c < TRACE_SIZE_VAR; c++) {
		if (r->size == 1ull << c)
			code = c;
	}
	p[n++] = (uint8_t)(code << 2 | r->op);
	if (code == TRACE_SIZE_VAR)
		n += varint_put(p + n, r->size);
	delta = r->va - e->prev_va;
	z = (delta << 1) ^ (uint64_t)((int64_t)delta >> 63);
	n += varint_put(p + n, z);
	e->prev_va = r->va;
	return n;
}

enum kmm_status kmm_trace_encode(struct kmm_trace_encoder *e, const struct kmm_trace_rec *recs,
				 size_t n, void *buf, size_t cap, size_t *len)
{
	uint8_t *p = buf, tmp[32];
	size_t pos = 0;

	if (len)
		*len = 0;
	if (!e || !len || (!recs && n) || !buf)
		return KMM_EINVAL;
	for (size_t i = 0; i < n; i++) {
		const struct kmm_trace_rec *r = &recs[i];
		if (r->op > KMM_TRACE_MUNMAP ||
		    (r->op >= KMM_TRACE_MMAP ? trace_event_bad(r->va, r->size)
					     : trace_access_bad(r->va, r->size)))
			return KMM_EINVAL;
	}
	{ /* a dry run: nothing is written unless all of it fits */
		struct kmm_trace_encoder dry = *e;
		size_t need = e->header_done ? 0 : TRACE_HDR_LEN;

		for (size_t i = 0; i < n; i++)
			need += encode_one(&dry, &recs[i], tmp);
		if (need > cap)
			return KMM_ERANGE;
	}
	if (!e->header_done) {
		memcpy(p, TRACE_MAGIC, 8);
		memset(p + 8, 0, 8);
		p[8] = TRACE_VERSION;
		pos = TRACE_HDR_LEN;
	}
	for (size_t i = 0; i < n; i++)
		pos += encode_one(e, &recs[i], p + pos);
	e->header_done = true;
	*len = pos;
	return KMM_OK;
}
