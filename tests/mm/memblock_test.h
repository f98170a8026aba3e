/*
 * Shared fixture of the memblock tests: a struct memblock on a bare environment (no machine,
 * no kernel boot), optionally with simulated RAM (the default config's 1 GiB at 0x4000_0000)
 * so that zeroing can be observed. memblock_check() runs after every step (MB_CHECK) and at
 * teardown.
 */
#ifndef KMM_TEST_MEMBLOCK_H
#define KMM_TEST_MEMBLOCK_H

#include "kmm_test.h"

#include <kmm/config.h>

#include "hw/phys.h"
#include "lib/env.h"
#include "lib/sink.h"
#include "mm/memblock.h"

#define SZ_1K	0x400ULL
#define SZ_2K	0x800ULL
#define SZ_4K	0x1000ULL
#define SZ_8K	0x2000ULL
#define SZ_16K	0x4000ULL
#define SZ_64K	0x10000ULL
#define SZ_128K 0x20000ULL
#define SZ_256K 0x40000ULL
#define SZ_512K 0x80000ULL
#define SZ_1M	0x100000ULL
#define SZ_2M	0x200000ULL
#define SZ_4M	0x400000ULL
#define SZ_8M	0x800000ULL
#define SZ_16M	0x1000000ULL
#define SZ_64M	0x4000000ULL
#define SZ_256M 0x10000000ULL
#define SZ_512M 0x20000000ULL
#define SZ_1G	0x40000000ULL

#define DRAM_BASE 0x40000000ULL /* QEMU virt; also the start of the fixture's RAM */

struct mbt {
	struct kmm_config cfg;
	struct kmm_env env;
	struct hw_phys phys;
	bool have_phys;
	struct memblock mb;
};

static inline int mbt_setup_common(void **state, bool with_phys)
{
	struct mbt *t = calloc(1, sizeof(*t));
	char err[256];

	if (!t)
		return -1;
	kmm_config_init(&t->cfg);
	if (!env_init(&t->env, &t->cfg, err, sizeof(err))) {
		free(t);
		return -1;
	}
	if (with_phys) {
		if (!phys_init(&t->phys, &t->env, &t->cfg)) {
			env_fini(&t->env);
			free(t);
			return -1;
		}
		t->have_phys = true;
	}
	if (memblock_init(&t->mb, &t->env, with_phys ? &t->phys : NULL)) {
		if (with_phys)
			phys_fini(&t->phys);
		env_fini(&t->env);
		free(t);
		return -1;
	}
	*state = t;
	return 0;
}

static inline int mbt_setup(void **state)
{
	return mbt_setup_common(state, false);
}

static inline int mbt_setup_phys(void **state)
{
	return mbt_setup_common(state, true);
}

static inline int mbt_teardown(void **state)
{
	struct mbt *t = *state;
	char why[256];
	bool ok = memblock_check(&t->mb, why, sizeof(why));

	memblock_fini(&t->mb);
	if (t->have_phys)
		phys_fini(&t->phys);
	env_fini(&t->env);
	free(t);
	if (!ok)
		fail_msg("memblock_check at teardown: %s", why);
	return 0;
}

/* Starts a case over on a fresh memblock (same environment). */
static inline void mbt_reset(struct mbt *t)
{
	memblock_fini(&t->mb);
	assert_int_equal(memblock_init(&t->mb, &t->env, t->have_phys ? &t->phys : NULL), 0);
}

#define MB_CHECK(mbp)                                                                              \
	do {                                                                                       \
		char why__[256];                                                                   \
		if (!memblock_check((mbp), why__, sizeof(why__)))                                  \
			fail_msg("memblock_check: %s", why__);                                     \
	} while (0)

#define ASSERT_REGION(type, i, b, s)                                                               \
	do {                                                                                       \
		assert_true((unsigned long)(i) < (type).cnt);                                      \
		assert_int_equal((type).regions[i].base, (b));                                     \
		assert_int_equal((type).regions[i].size, (s));                                     \
	} while (0)

/* The kernel log as a NUL-terminated string (static buffer; tests are single-threaded). */
static inline const char *mbt_log(const struct mbt *t)
{
	static char buf[ENV_LOG_CAP + 1];
	struct sink_buf sb = {.buf = buf, .cap = sizeof(buf)};

	buf[0] = '\0';
	text_ring_read(&t->env.log, sink_buf_fn, &sb);
	return buf;
}

static inline void mbt_log_clear(struct mbt *t)
{
	text_ring_clear(&t->env.log);
}

/* Text of the most recent report, or "" if none was raised. */
static inline const struct kmm_report *mbt_last_report(const struct mbt *t)
{
	return &t->env.ring[t->env.report_seq % KMM_REPORT_RING].r;
}

/* Host pointer to simulated RAM (fixture with phys). */
static inline uint8_t *mbt_ram(const struct mbt *t, phys_addr_t pa, size_t len)
{
	uint8_t *p = phys_to_host(&t->phys, pa, len);

	assert_non_null(p);
	return p;
}

static inline bool mbt_all_bytes(const uint8_t *p, size_t len, uint8_t v)
{
	for (size_t i = 0; i < len; i++)
		if (p[i] != v)
			return false;
	return true;
}

#endif /* KMM_TEST_MEMBLOCK_H */
