/*
 * Trace formats and replay (include/kmm/replay.h): the lackey text and our binary format
 * decoded from hand-written bytes, bad input refused with its line or offset, the encoder's
 * round trip, and replays whose faults, RSS and TLB counters follow from the kernel's and the
 * TLB's rules, worked out by hand below.
 *
 *  - faults (mm/memory.c, private anonymous memory): a first read or fetch maps the zero page
 *    (one minor fault, no RSS), a first write a new page (one fault, one RSS page), a write
 *    after the zero page one more (write-protect) fault;
 *  - TLB (docs/mmu.md): fully associative L1 per side, unified L2 of sets x ways indexed by the
 *    page number; a cyclic walk over more pages than an LRU L1 holds misses every time.
 */
#include "kmm_test.h"

#include <kmm/replay.h>

#define PAGE  4096ULL
#define BASE  0x10000000ULL
#define CHUNK (2ULL << 20)

/* ---- decoding ---------------------------------------------------------------------- */

/* Decodes all of @text (as one chunk, eof) into @out; returns the status, *@n records. */
static enum kmm_status decode_all(enum kmm_trace_format fmt, const void *buf, size_t len,
				  struct kmm_trace_rec *out, size_t max, size_t *n,
				  struct kmm_trace_decoder *d)
{
	size_t used = 0;

	kmm_trace_decoder_init(d, fmt);
	return kmm_trace_decode(d, buf, len, true, out, max, n, &used);
}

static void test_lackey_records(void **state)
{
	static const char text[] = "==123== Lackey, an example Valgrind tool\n"
				   "--123-- a message\n"
				   "I  04017d0,3\n"
				   " L 1ffefffd98,8\n"
				   " S 0000abc0,4\n"
				   " M 7fff0010,16\n"
				   "\n"
				   "@mmap 20000000,10000\n"
				   "@munmap 20000000,1000\r\n";
	struct kmm_trace_rec r[8];
	struct kmm_trace_decoder d;
	size_t n = 0;

	(void)state;
	assert_int_equal(kmm_trace_detect(text, sizeof(text) - 1), KMM_TRACE_FMT_LACKEY);
	assert_int_equal(decode_all(KMM_TRACE_FMT_LACKEY, text, sizeof(text) - 1, r, 8, &n, &d),
			 KMM_OK);
	assert_int_equal(n, 6);
	assert_int_equal(r[0].op, KMM_TRACE_IFETCH);
	assert_int_equal(r[0].va, 0x4017d0);
	assert_int_equal(r[0].size, 3);
	assert_int_equal(r[1].op, KMM_TRACE_LOAD);
	assert_int_equal(r[1].va, 0x1ffefffd98ULL);
	assert_int_equal(r[1].size, 8);
	assert_int_equal(r[2].op, KMM_TRACE_STORE);
	assert_int_equal(r[2].va, 0xabc0);
	assert_int_equal(r[3].op, KMM_TRACE_MODIFY);
	assert_int_equal(r[3].size, 16); /* decimal */
	assert_int_equal(r[4].op, KMM_TRACE_MMAP);
	assert_int_equal(r[4].va, 0x20000000);
	assert_int_equal(r[4].size, 0x10000); /* hex */
	assert_int_equal(r[5].op, KMM_TRACE_MUNMAP);
	assert_int_equal(r[5].size, 0x1000);
	assert_int_equal(d.line, 9);
}

/* A line split across two chunks is kept whole: the first call stops before it. */
static void test_lackey_chunks(void **state)
{
	static const char text[] = " L 1000,8\n S 20";
	struct kmm_trace_rec r[4];
	struct kmm_trace_decoder d;
	size_t n = 0, used = 0;

	(void)state;
	kmm_trace_decoder_init(&d, KMM_TRACE_FMT_LACKEY);
	assert_int_equal(kmm_trace_decode(&d, text, sizeof(text) - 1, false, r, 4, &n, &used),
			 KMM_OK);
	assert_int_equal(n, 1);
	assert_int_equal(used, 10);
	assert_int_equal(kmm_trace_decode(&d, " S 2000,4\n", 10, true, r, 4, &n, &used), KMM_OK);
	assert_int_equal(n, 1);
	assert_int_equal(r[0].va, 0x2000);
	assert_int_equal(r[0].op, KMM_TRACE_STORE);
}

/* Each bad line is refused naming its line (the third: two good lines come first). */
static void test_lackey_bad_input(void **state)
{
	static const struct {
		const char *line, *why;
	} bad[] = {
		{" L 1000", "truncated line"},
		{" L 1000,", "truncated line (no size)"},
		{" L ", "truncated line"},
		{" L 1000000000000,8", "outside the user half"},
		{" S 1000,0", "size 0"},
		{" S 1000,4097", "size above 4096"},
		{" X 1000,8", "unknown record"},
		{" L 10zz,8", "truncated line"},
		{" L 1000,8 junk", "unexpected characters"},
		{"\x01\x02\x03garbage", "binary garbage"},
		{" L 1000,8\xff", "binary garbage"},
		{"@mmap 1001,1000", "not page aligned"},
		{"@remap 1000,1000", "unknown event"},
	};
	struct kmm_trace_rec r[4];
	struct kmm_trace_decoder d;
	char text[128];

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		size_t n = 0;
		enum kmm_status st;

		snprintf(text, sizeof(text), " L 1000,8\nI  2000,4\n%s\n L 3000,8\n", bad[i].line);
		st = decode_all(KMM_TRACE_FMT_LACKEY, text, strlen(text), r, 4, &n, &d);
		if (st != KMM_EINVAL)
			fail_msg("'%s' accepted", bad[i].line);
		assert_int_equal(n, 2); /* the records before it are valid */
		if (!strstr(d.error, "line 3: ") || !strstr(d.error, bad[i].why))
			fail_msg("'%s': error '%s' lacks 'line 3: ' or '%s'", bad[i].line, d.error,
				 bad[i].why);
	}
	/* an access running past the end of the user half */
	{
		size_t n = 0;
		static const char t[] = " L ffffffffffff,8\n";
		assert_int_equal(decode_all(KMM_TRACE_FMT_LACKEY, t, sizeof(t) - 1, r, 4, &n, &d),
				 KMM_EINVAL);
		assert_non_null(strstr(d.error, "line 1: address outside the user half"));
	}
}

/* Binary: header + a load of 8 at 0x1000 (delta +0x1000: zigzag 0x2000 = 80 40), a store of
 * 3 bytes (size code 7, varint 3) at 0x0ff8 (delta -8: zigzag 15), an mmap event. */
static const uint8_t bin_ok[] = {
	'K', 'M', 'M', 'T', 'R', 'A', 'C', 'E', 1, 0, 0, 0, 0, 0, 0, 0,
	/* load, size code 3 (8 bytes) */
	0x0c, 0x80, 0x40,
	/* store, size code 7, size 3, zigzag(-8) = 15 */
	0x1d, 0x03, 0x0f,
	/* mmap event: 0x20000000 (varint 80 80 80 80 02), 0x1000 (80 20) */
	0x20, 0x80, 0x80, 0x80, 0x80, 0x02, 0x80, 0x20};

static void test_binary_records(void **state)
{
	struct kmm_trace_rec r[4];
	struct kmm_trace_decoder d;
	size_t n = 0;

	(void)state;
	assert_int_equal(kmm_trace_detect(bin_ok, sizeof(bin_ok)), KMM_TRACE_FMT_BINARY);
	assert_int_equal(decode_all(KMM_TRACE_FMT_BINARY, bin_ok, sizeof(bin_ok), r, 4, &n, &d),
			 KMM_OK);
	assert_int_equal(n, 3);
	assert_int_equal(r[0].op, KMM_TRACE_LOAD);
	assert_int_equal(r[0].va, 0x1000);
	assert_int_equal(r[0].size, 8);
	assert_int_equal(r[1].op, KMM_TRACE_STORE);
	assert_int_equal(r[1].va, 0xff8);
	assert_int_equal(r[1].size, 3);
	assert_int_equal(r[2].op, KMM_TRACE_MMAP);
	assert_int_equal(r[2].va, 0x20000000);
	assert_int_equal(r[2].size, 0x1000);
	assert_int_equal(d.offset, sizeof(bin_ok));
}

static void test_binary_bad_input(void **state)
{
	struct kmm_trace_rec r[4];
	struct kmm_trace_decoder d;
	uint8_t b[64];
	size_t n = 0;

	(void)state;
	/* truncated: the last record loses its last byte; refused at its offset (16) with eof */
	assert_int_equal(decode_all(KMM_TRACE_FMT_BINARY, bin_ok, 18, r, 4, &n, &d), KMM_EINVAL);
	assert_int_equal(n, 0);
	assert_non_null(strstr(d.error, "offset 16: truncated record"));
	/* ... but without eof it is only incomplete */
	{
		size_t used = 0;
		kmm_trace_decoder_init(&d, KMM_TRACE_FMT_BINARY);
		assert_int_equal(kmm_trace_decode(&d, bin_ok, 21, false, r, 4, &n, &used), KMM_OK);
		assert_int_equal(n, 1);
		assert_int_equal(used, 19);
	}
	/* garbage tag after the first record: offset 19 */
	memcpy(b, bin_ok, 19);
	b[19] = 0xff;
	assert_int_equal(decode_all(KMM_TRACE_FMT_BINARY, b, 20, r, 4, &n, &d), KMM_EINVAL);
	assert_int_equal(n, 1);
	assert_non_null(strstr(d.error, "offset 19: binary garbage"));
	/* a varint of 11 bytes */
	memcpy(b, bin_ok, 16);
	b[16] = 0x0c;
	memset(b + 17, 0x80, 11);
	b[28] = 0;
	assert_int_equal(decode_all(KMM_TRACE_FMT_BINARY, b, 29, r, 4, &n, &d), KMM_EINVAL);
	assert_non_null(strstr(d.error, "offset 16: binary garbage (a varint"));
	/* size 0 (size code 7, varint 0) */
	memcpy(b, bin_ok, 16);
	b[16] = 0x1c;
	b[17] = 0;
	b[18] = 2;
	assert_int_equal(decode_all(KMM_TRACE_FMT_BINARY, b, 19, r, 4, &n, &d), KMM_EINVAL);
	assert_non_null(strstr(d.error, "offset 16: size 0"));
	/* address 1 << 48: delta zigzag 1 << 49 = varint 80 80 80 80 80 80 80 01 */
	memcpy(b, bin_ok, 16);
	b[16] = 0x0c;
	memset(b + 17, 0x80, 7);
	b[24] = 0x01;
	assert_int_equal(decode_all(KMM_TRACE_FMT_BINARY, b, 25, r, 4, &n, &d), KMM_EINVAL);
	assert_non_null(strstr(d.error, "offset 16: address outside the user half"));
	/* not ours, or another version */
	assert_int_equal(
		decode_all(KMM_TRACE_FMT_BINARY, "KMMTRACX\1\0\0\0\0\0\0\0", 16, r, 4, &n, &d),
		KMM_EINVAL);
	assert_non_null(strstr(d.error, "offset 0: not a kmm binary trace"));
	memcpy(b, bin_ok, 16);
	b[8] = 2;
	assert_int_equal(decode_all(KMM_TRACE_FMT_BINARY, b, 16, r, 4, &n, &d), KMM_EINVAL);
	assert_non_null(strstr(d.error, "offset 0: unsupported"));
	/* NULL arguments */
	assert_int_equal(kmm_trace_decode(&d, NULL, 5, true, r, 4, &n, NULL), KMM_EINVAL);
}

static void test_encode_round_trip(void **state)
{
	const struct kmm_trace_rec in[] = {
		{0x4017d0, 3, KMM_TRACE_IFETCH, 0},
		{0x1ffefffd98ULL, 8, KMM_TRACE_LOAD, 0},
		{0x1000, 4096, KMM_TRACE_STORE, 0},
		{0x20000000, 0x10000, KMM_TRACE_MMAP, 0},
		{0xfffffffffff0ULL, 16, KMM_TRACE_MODIFY, 0},
		{0x20000000, 0x1000, KMM_TRACE_MUNMAP, 0},
		{0x10, 1, KMM_TRACE_LOAD, 0},
	};
	const size_t n = sizeof(in) / sizeof(in[0]);
	struct kmm_trace_encoder e = {0};
	struct kmm_trace_rec out[8], bad = {0x1000, 0, KMM_TRACE_LOAD, 0};
	struct kmm_trace_decoder d;
	uint8_t buf[KMM_TRACE_ENCODE_MAX(8)];
	size_t len = 0, got = 0;

	(void)state;
	assert_int_equal(kmm_trace_encode(&e, in, n, buf, 20, &len), KMM_ERANGE);
	assert_int_equal(len, 0);
	assert_int_equal(kmm_trace_encode(&e, &bad, 1, buf, sizeof(buf), &len), KMM_EINVAL);
	assert_int_equal(kmm_trace_encode(&e, in, n, buf, sizeof(buf), &len), KMM_OK);
	assert_true(len <= KMM_TRACE_ENCODE_MAX(n));
	assert_int_equal(decode_all(KMM_TRACE_FMT_BINARY, buf, len, out, 8, &got, &d), KMM_OK);
	assert_int_equal(got, n);
	assert_memory_equal(in, out, sizeof(in));
}

/* ---- replay ------------------------------------------------------------------------ */

static struct kmm_machine *boot(void)
{
	struct kmm_config cfg;

	kmm_config_init(&cfg);
	cfg.nr_cpus = 1;
	assert_int_equal(kmm_config_set_ram(&cfg, 256ULL << 20), KMM_OK);
	return test_machine(&cfg);
}

static kmm_pid_t replay_task(struct kmm_machine *m)
{
	kmm_pid_t pid = 0;

	if (kmm_replay_task_create(m, "replay", 0, &pid))
		fail_msg("kmm_replay_task_create: %s", kmm_last_error(m));
	return pid;
}

static void run(struct kmm_machine *m, kmm_pid_t pid, const struct kmm_trace_rec *r, size_t n,
		const struct kmm_replay_opts *o, struct kmm_replay_stats *st)
{
	if (kmm_replay_run(m, pid, r, n, o, st))
		fail_msg("kmm_replay_run: %s", kmm_last_error(m));
	if (kmm_check(m))
		fail_msg("kmm_check: %s", kmm_last_error(m));
}

#define REC(page, off, size, op)                                                                   \
	{                                                                                          \
		BASE + (page)*PAGE + (off), (size), KMM_TRACE_##op, 0                              \
	}

/*
 * page 0: written (1 fault, RSS); page 1: read, then written (2 faults, RSS); page 2:
 * fetched (1 fault, zero page); pages 3 and 4: one store across them (2 faults, RSS 2);
 * page 0 again and a modify of page 1 (no fault). Faults 6, RSS 4 pages, one 2 MiB chunk.
 */
static void test_replay_faults_and_rss(void **state)
{
	const struct kmm_trace_rec r[] = {
		REC(0, 8, 8, STORE),	REC(1, 0, 4, LOAD),	REC(1, 16, 8, STORE),
		REC(2, 0, 4, IFETCH),	REC(3, 4092, 8, STORE), REC(0, 0, 8, LOAD),
		REC(1, 100, 4, MODIFY),
	};
	struct kmm_machine *m = boot();
	kmm_pid_t pid = replay_task(m);
	struct kmm_replay_stats st = {0};

	(void)state;
	run(m, pid, r, sizeof(r) / sizeof(r[0]), NULL, &st);
	assert_int_equal(st.accesses, 7);
	assert_int_equal(st.loads, 2);
	assert_int_equal(st.stores, 3);
	assert_int_equal(st.modifies, 1);
	assert_int_equal(st.ifetches, 1);
	assert_int_equal(st.minor_faults, 6);
	assert_int_equal(st.major_faults, 0);
	assert_int_equal(st.rss_pages, 4);
	assert_int_equal(st.peak_rss_pages, 4);
	assert_int_equal(st.mapped_bytes, CHUNK);
	assert_true(st.sim_ns > 0);
	/* the same again: everything mapped, no fault, nothing new mapped */
	memset(&st, 0, sizeof(st));
	run(m, pid, r, sizeof(r) / sizeof(r[0]), NULL, &st);
	assert_int_equal(st.minor_faults, 0);
	assert_int_equal(st.mapped_bytes, 0);
	assert_int_equal(st.rss_pages, 4);
	test_machine_done(m);
}

/*
 * 40 pages round robin, 10 rounds, with an LRU 32-entry L1 D-TLB: every access misses L1
 * (the page needed is always the one evicted 32 accesses ago... the least recent). After the
 * TLBs are emptied: the first round misses L2 too (40 walks; L2 is 256 x 4, each page its own
 * set), the other 9 rounds hit L2 (360). No fault (all resident from the first replay).
 */
static void test_replay_tlb_lru_by_hand(void **state)
{
	struct kmm_trace_rec r[400];
	struct kmm_machine *m = boot();
	kmm_pid_t pid = replay_task(m);
	struct kmm_replay_stats st = {0};
	struct kmm_tlb_geometry g;

	(void)state;
	for (unsigned i = 0; i < 400; i++)
		r[i] = (struct kmm_trace_rec){BASE + (i % 40) * PAGE, 8, KMM_TRACE_STORE, 0};
	run(m, pid, r, 400, NULL, &st);
	assert_int_equal(st.minor_faults, 40);
	kmm_tlb_geometry_default(&g);
	g.policy = KMM_TLB_LRU;
	assert_int_equal(kmm_tlb_set_geometry(m, &g), KMM_OK);
	memset(&st, 0, sizeof(st));
	run(m, pid, r, 400, NULL, &st);
	assert_int_equal(st.minor_faults, 0);
	assert_int_equal(st.tlb.hits[KMM_TLB_L1D], 0);
	assert_int_equal(st.tlb.misses[KMM_TLB_L1D], 400);
	assert_int_equal(st.tlb.misses[KMM_TLB_L2], 40);
	assert_int_equal(st.tlb.hits[KMM_TLB_L2], 360);
	assert_int_equal(st.tlb.walks, 40);
	assert_int_equal(st.tlb.hits[KMM_TLB_L1I] + st.tlb.misses[KMM_TLB_L1I], 0);
	/* 32 pages fit: after the first round every access hits L1 */
	memset(&st, 0, sizeof(st));
	for (unsigned i = 0; i < 320; i++)
		r[i].va = BASE + (i % 32) * PAGE;
	assert_int_equal(kmm_tlb_set_geometry(m, &g), KMM_OK);
	run(m, pid, r, 320, NULL, &st);
	assert_int_equal(st.tlb.misses[KMM_TLB_L1D], 32);
	assert_int_equal(st.tlb.hits[KMM_TLB_L1D], 288);
	test_machine_done(m);
}

/* Recorded events: a 64 KiB mmap, a store in it, its munmap; nothing is mapped on demand. */
static void test_replay_events(void **state)
{
	const struct kmm_trace_rec r[] = {
		{0x30000000, 0x10000, KMM_TRACE_MMAP, 0},
		{0x30000000 + 3 * PAGE, 8, KMM_TRACE_STORE, 0},
		{0x30000000 + 15 * PAGE, 8, KMM_TRACE_STORE, 0},
		{0x30000000, 0x10000, KMM_TRACE_MUNMAP, 0},
	};
	struct kmm_machine *m = boot();
	kmm_pid_t pid = replay_task(m);
	struct kmm_replay_stats st = {0};

	(void)state;
	run(m, pid, r, 3, NULL, &st);
	assert_int_equal(st.events, 1);
	assert_int_equal(st.minor_faults, 2);
	assert_int_equal(st.rss_pages, 2);
	assert_int_equal(st.mapped_bytes, 0);
	run(m, pid, r + 3, 1, NULL, &st);
	assert_int_equal(st.rss_pages, 0);
	assert_int_equal(st.peak_rss_pages, 2);
	test_machine_done(m);
}

struct samples {
	unsigned calls;
	uint64_t at[8];
};

static void on_sample(void *arg, const struct kmm_replay_stats *st)
{
	struct samples *s = arg;

	if (s->calls < 8)
		s->at[s->calls] = st->accesses;
	s->calls++;
}

static void test_replay_samples(void **state)
{
	struct kmm_trace_rec r[100];
	struct samples s = {0};
	struct kmm_replay_opts o = {.sample_every = 30, .sample = on_sample, .sample_arg = &s};
	struct kmm_machine *m = boot();
	kmm_pid_t pid = replay_task(m);
	struct kmm_replay_stats st = {0};

	(void)state;
	for (unsigned i = 0; i < 100; i++)
		r[i] = (struct kmm_trace_rec){BASE + i * PAGE, 8, KMM_TRACE_STORE, 0};
	run(m, pid, r, 100, &o, &st);
	assert_int_equal(s.calls, 3);
	assert_int_equal(s.at[0], 30);
	assert_int_equal(s.at[1], 60);
	assert_int_equal(s.at[2], 90);
	assert_int_equal(st.peak_rss_pages, 100);
	test_machine_done(m);
}

static void test_replay_bad_input(void **state)
{
	struct kmm_machine *m = boot();
	kmm_pid_t pid = replay_task(m);
	struct kmm_replay_stats st = {0};
	struct kmm_replay_opts o = {.map_chunk = 3 * PAGE};
	struct kmm_trace_rec r[3] = {
		{BASE, 8, KMM_TRACE_LOAD, 0},
		{1ULL << 48, 8, KMM_TRACE_LOAD, 0},
		{BASE, 8, KMM_TRACE_LOAD, 0},
	};
	const char *e;

	(void)state;
	/* a bad record: refused before anything is replayed */
	assert_einval_mentions(kmm_replay_run(m, pid, r, 3, NULL, &st), kmm_last_error(m),
			       "record 1");
	assert_int_equal(st.accesses, 0);
	r[1].va = BASE;
	r[1].size = 0;
	assert_einval_mentions(kmm_replay_run(m, pid, r, 3, NULL, &st), kmm_last_error(m),
			       "record 1");
	r[1].size = 4097;
	assert_einval_mentions(kmm_replay_run(m, pid, r, 3, NULL, &st), kmm_last_error(m),
			       "record 1");
	r[1].size = 8;
	r[1].op = 9;
	assert_einval_mentions(kmm_replay_run(m, pid, r, 3, NULL, &st), kmm_last_error(m),
			       "record 1");
	r[1].op = KMM_TRACE_LOAD;
	assert_einval_mentions(kmm_replay_run(m, pid, r, 3, &o, &st), kmm_last_error(m),
			       "map_chunk");
	assert_einval_mentions(kmm_replay_run(m, pid, r, 3, NULL, NULL), kmm_last_error(m), "NULL");
	assert_int_equal(kmm_replay_run(m, 999, r, 3, NULL, &st), KMM_ESRCH);
	/* below vm.mmap_min_addr (32 KiB on arm64's default config): the mapping fails */
	r[1].va = 0x100;
	assert_einval_mentions(kmm_replay_run(m, pid, r, 3, NULL, &st), kmm_last_error(m),
			       "record 1: mapping 0x100 failed");
	e = kmm_last_error(m);
	assert_non_null(e);
	assert_int_equal(st.accesses, 1); /* the record before it was replayed */
	test_machine_done(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lackey_records),
		cmocka_unit_test(test_lackey_chunks),
		cmocka_unit_test(test_lackey_bad_input),
		cmocka_unit_test(test_binary_records),
		cmocka_unit_test(test_binary_bad_input),
		cmocka_unit_test(test_encode_round_trip),
		cmocka_unit_test(test_replay_faults_and_rss),
		cmocka_unit_test(test_replay_tlb_lru_by_hand),
		cmocka_unit_test(test_replay_events),
		cmocka_unit_test(test_replay_samples),
		cmocka_unit_test(test_replay_bad_input),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
