/*
 * Helpers for the buddy allocator tests: a booted machine with its kernel, zone and
 * free-list readers, the last report, and the kernel log. The tests reach into src/mm
 * (internal headers) to set up states and read the kernel's own structures.
 */
#ifndef KMM_BUDDY_TEST_H
#define KMM_BUDDY_TEST_H

#include "kmm_test.h"

#include <errno.h>

#include "lib/trace.h"
#include "mm/gfp.h"
#include "mm/internal.h"
#include "sim/machine.h"

/* A QEMU virt machine: @mem ("1G"), @smp CPUs, extra kernel parameters @append (or NULL). */
static inline struct kmm_machine *buddy_machine(const char *mem, const char *smp,
						const char *append)
{
	struct kmm_config cfg;

	kmm_config_init(&cfg);
	kmm_config_option(&cfg, "-m", mem);
	kmm_config_option(&cfg, "-smp", smp);
	if (append)
		kmm_config_append(&cfg, append);
	return test_machine(&cfg);
}

static inline struct kmm_kernel *K(struct kmm_machine *m)
{
	return &m->kernel;
}

static inline struct zone *zone_of(struct kmm_machine *m, int nid, int zid)
{
	return &m->kernel.node_data[nid]->node_zones[zid];
}

static inline void assert_check(struct kmm_machine *m)
{
	if (kmm_check(m) != KMM_OK)
		fail_msg("kmm_check: %s", kmm_last_error(m));
}

static inline unsigned long list_len(const struct list_head *h)
{
	unsigned long n = 0;

	for (const struct list_head *p = h->next; p != h; p = p->next)
		n++;
	return n;
}

static inline unsigned long nr_free_mt(const struct zone *z, unsigned order, int mt)
{
	return list_len(&z->free_area[order].free_list[mt]);
}

/* Pageblocks of @zone whose migratetype is @mt. */
static inline unsigned long blocks_of_type(struct kmm_machine *m, const struct zone *z, int mt)
{
	unsigned long n = 0;

	for (unsigned long pfn = z->zone_start_pfn; pfn < zone_end_pfn(z);
	     pfn += pageblock_nr_pages)
		if (pfn_valid(K(m), pfn) && get_pfnblock_migratetype(K(m), pfn) == mt)
			n++;
	return n;
}

/* The text of the newest report, or "" when there is none. */
static inline const char *last_report(struct kmm_machine *m)
{
	static struct kmm_report r;
	uint64_t n = kmm_report_count(m);

	if (!n || kmm_report_get(m, n, &r) != KMM_OK)
		return "";
	return r.text;
}

static void buddy_log_sink(void *arg, const char *text, size_t len)
{
	char **buf = arg;
	size_t old = *buf ? strlen(*buf) : 0;
	char *nb = realloc(*buf, old + len + 1);

	if (!nb)
		return;
	memcpy(nb + old, text, len);
	nb[old + len] = 0;
	*buf = nb;
}

/* The kernel log as one string (static storage: valid until the next call). */
static inline const char *kernel_log(struct kmm_machine *m)
{
	static char *buf;

	free(buf);
	buf = NULL;
	kmm_dmesg(m, buddy_log_sink, &buf);
	return buf ? buf : "";
}

#define assert_contains(hay, needle)                                                               \
	do {                                                                                       \
		if (!strstr((hay), (needle)))                                                      \
			fail_msg("expected \"%s\" in:\n%.2000s", (needle), (hay));                 \
	} while (0)

#endif /* KMM_BUDDY_TEST_H */
