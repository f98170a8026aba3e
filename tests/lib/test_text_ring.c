/*
 * The text rings of the kernel log and the trace buffer (src/lib/env.c): the text read out is
 * byte for byte what the former move-to-the-front buffer held (a reference model below), for
 * lines of every length and wraps at every offset; and appending costs the same whether the
 * ring is full or not (bug 11: with `trace all on`, every event once moved the whole 1 MiB).
 */
#include "kmm_test.h"

#include <time.h>

#include "lib/env.h"
#include "lib/sink.h"
#include "sim/machine.h"

/* The former buffer: the oldest whole lines moved out at the front. The reference. */
static void flat_append(char *buf, size_t *used, size_t cap, const char *text, size_t len)
{
	if (len > cap)
		len = cap;
	if (*used + len > cap) {
		size_t drop = *used + len - cap;
		char *nl = memchr(buf + drop, '\n', *used - drop);

		drop = nl ? (size_t)(nl - buf) + 1 : *used;
		memmove(buf, buf + drop, *used - drop);
		*used -= drop;
	}
	memcpy(buf + *used, text, len);
	*used += len;
}

static const char *ring_text(const struct text_ring *r)
{
	static char out[4096];
	struct sink_buf sb = {.buf = out, .cap = sizeof(out)};

	out[0] = 0;
	text_ring_read(r, sink_buf_fn, &sb);
	assert_int_equal(sb.needed, r->len);
	return out;
}

/* Random lines (1 to 300 bytes, a few without their newline) into rings of several sizes. */
static void test_text_ring_reads_as_the_flat_buffer(void **state)
{
	static const size_t caps[] = {1, 7, 64, 257, 1000};
	uint64_t x = 12345;

	for (size_t c = 0; c < sizeof(caps) / sizeof(caps[0]); c++) {
		char ringbuf[1000], flat[1001], line[300];
		struct text_ring r = {.buf = ringbuf, .cap = caps[c]};
		size_t used = 0;
		char why[128];

		for (int i = 0; i < 5000; i++) {
			size_t len;

			x = x * 6364136223846793005ull + 1442695040888963407ull;
			len = 1 + (x >> 33) % (i % 3 ? 40 : sizeof(line));
			for (size_t j = 0; j < len; j++)
				line[j] = (char)('a' + (i + j) % 26);
			if ((x >> 20) % 8)
				line[len - 1] = '\n';
			text_ring_append(&r, line, len);
			flat_append(flat, &used, caps[c], line, len);
			assert_int_equal(r.len, used);
			assert_true(text_ring_check(&r, "test", why, sizeof(why)));
			flat[used] = 0;
			assert_string_equal(ring_text(&r), flat);
			flat[used] = '?';
		}
		text_ring_clear(&r);
		assert_string_equal(ring_text(&r), "");
	}
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void fill_events(struct kmm_machine *m, int pairs)
{
	for (int i = 0; i < pairs; i++) {
		kmm_pfn_t pfn;

		assert_int_equal(kmm_alloc_pages(m, KMM_GFP_KERNEL, 0, &pfn), KMM_OK);
		assert_int_equal(kmm_free_pages(m, pfn, 0), KMM_OK);
	}
}

/*
 * With every event on, 200k events into a full trace buffer cost about what the first ones
 * into an empty buffer did: linear. (Moving the 1 MiB buffer per event made the full-buffer
 * phase about 100 times slower.) The bound is generous against a loaded host.
 */
static void test_text_ring_full_trace_buffer_stays_linear(void **state)
{
	struct kmm_machine *m = test_machine(NULL);
	uint64_t events;
	double t0, fill_s, full_s;

	assert_int_equal(kmm_trace_enable(m, "all", true), KMM_OK);
	t0 = now_s();
	fill_events(m, 2000);
	fill_s = now_s() - t0;
	events = m->env.trace_events;
	/* Past the 1 MiB: now every event drops a line. */
	while (m->env.trace_buf.len + 4096 < m->env.trace_buf.cap)
		fill_events(m, 1000);
	t0 = now_s();
	fill_events(m, 100000);
	full_s = now_s() - t0;
	events = m->env.trace_events - events;
	assert_true(events >= 200000);
	printf("# empty buffer: %.3f s for 2000 pairs; full: %.3f s for 100000\n", fill_s, full_s);
	if (full_s > 50 * 10 * fill_s + 1.0)
		fail_msg("100000 alloc/free pairs into a full trace buffer took %.3f s; 2000 into "
			 "an empty one %.3f s",
			 full_s, fill_s);
	assert_true(m->env.trace_buf.len <= m->env.trace_buf.cap);
	kmm_trace_enable(m, "all", false);
	test_machine_done(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_text_ring_reads_as_the_flat_buffer),
		cmocka_unit_test(test_text_ring_full_trace_buffer_stays_linear),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
