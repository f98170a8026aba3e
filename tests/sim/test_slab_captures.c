/*
 * SLUB geometry against the real kernel: for each captured configuration
 * (shared/oracles/linux/captures/<config>/boot.slab_sysfs.txt and boot.slabinfo.txt), boot
 * the same CPU count and NUMA layout and compare
 *   - every kmalloc cache (kmalloc-, kmalloc-cg-, kmalloc-rcl-, dma-kmalloc- 128 .. 8k) and
 *     the two bootstrap caches: order, objects per slab, object size, slab size, alignment,
 *     cpu_partial, min_partial and the reclaim/DMA flags, and their /proc/slabinfo columns;
 *   - every other real cache of the capture (119 per boot), recreated here with its object
 *     size, alignment and flags: slab size, order, objects per slab, cpu_partial, min_partial.
 * The slab order depends on the CPU count (min_objects = 4 * (fls(nr_cpus) + 1)), so the
 * 1-CPU and 4-CPU captures check different orders (kmalloc-1k: order 1 vs 2).
 *
 * Caches whose capture shows the free pointer outside the object (slab_size = the aligned
 * object + a word: a constructor or SLAB_TYPESAFE_BY_RCU in the kernel) are recreated with a
 * constructor. The machine boots with slab_nomerge so that no recreated cache merges into
 * another.
 *
 * Also the "SLUB:" boot line.
 *
 * Covers: src/mm/slub.c (calculate_sizes, calculate_order, set_cpu_partial, min_partial),
 * src/mm/slab_common.c (kmalloc caches, calculate_alignment, create_boot_cache, slabinfo).
 */
#include "capture.h"
#include "kmm_test.h"

struct capture_config {
	const char *name;
	const char *mem;
	int cpus;
	bool numa2;
};

static const struct capture_config configs[] = {
	{"a57-smp1-1G", "1G", 1, false},       {"a57-smp1-4G", "4G", 1, false},
	{"a57-smp4-512M", "512M", 4, false},   {"debug-smp1-1G", "1G", 1, false},
	{"filecache-smp1-1G", "1G", 1, false}, {"zram-smp1-1G", "1G", 1, false},
	{"numa2-smp4-2G", "2G", 4, true},
};

struct sysfs_rec {
	char name[64];
	long order, objs, object_size, slab_size, align, cpu_partial, min_partial, reclaim, hwcache,
		dma;
};

static long kv(const char *line, const char *key)
{
	char k[48];
	const char *p;

	snprintf(k, sizeof(k), " %s=", key);
	p = strstr(line, k);
	if (!p)
		fail_msg("no %s in \"%s\"", key, line);
	return strtol(p + strlen(k), NULL, 10);
}

/* The real caches of a slab_sysfs capture (alias lines "A -> B" are skipped). */
static int parse_sysfs(const char *text, struct sysfs_rec *r, int max)
{
	int n = 0;

	for (const char *line = text; *line && n < max;) {
		const char *end = strchr(line, '\n');
		size_t len = end ? (size_t)(end - line) : strlen(line);
		char *l = strndup(line, len);

		if (l[0] != '#' && strstr(l, " order=")) {
			struct sysfs_rec *x = &r[n++];

			sscanf(l, "%63s", x->name);
			x->order = kv(l, "order");
			x->objs = kv(l, "objs_per_slab");
			x->object_size = kv(l, "object_size");
			x->slab_size = kv(l, "slab_size");
			x->align = kv(l, "align");
			x->cpu_partial = kv(l, "cpu_partial");
			x->min_partial = kv(l, "min_partial");
			x->reclaim = kv(l, "reclaim_account");
			x->hwcache = kv(l, "hwcache_align");
			x->dma = kv(l, "cache_dma");
		}
		free(l);
		line += len + (end != NULL);
	}
	return n;
}

static struct kmm_machine *boot_like(const struct capture_config *c, const char *append)
{
	struct kmm_config cfg;
	char smp[8];

	kmm_config_init(&cfg);
	snprintf(smp, sizeof(smp), "%d", c->cpus);
	kmm_config_option(&cfg, "-m", c->mem);
	kmm_config_option(&cfg, "-smp", smp);
	if (c->numa2) {
		kmm_config_option(&cfg, "-numa", "node,nodeid=0,mem=1G,cpus=0-1");
		kmm_config_option(&cfg, "-numa", "node,nodeid=1,mem=1G,cpus=2-3");
	}
	if (append)
		kmm_config_append(&cfg, append);
	return test_machine(&cfg);
}

static bool is_boot_cache(const char *name)
{
	return strstr(name, "kmalloc-") || !strcmp(name, "kmem_cache") ||
	       !strcmp(name, "kmem_cache_node");
}

#define SAME(what, ours, theirs)                                                                   \
	do {                                                                                       \
		if ((long)(ours) != (long)(theirs))                                                \
			fail_msg("%s %s: %s is %ld, the real kernel has %ld", c->name, r->name,    \
				 what, (long)(ours), (long)(theirs));                              \
	} while (0)

static void compare_geometry(const struct capture_config *c, const struct sysfs_rec *r,
			     const struct kmm_slab_info *in, bool flags_too)
{
	SAME("order", in->order, r->order);
	SAME("objs_per_slab", in->objects, r->objs);
	SAME("object_size", in->object_size, r->object_size);
	SAME("slab_size", in->size, r->slab_size);
	SAME("cpu_partial", in->cpu_partial, r->cpu_partial);
	SAME("min_partial", in->min_partial, r->min_partial);
	if (flags_too) {
		SAME("align", in->align, r->align);
		SAME("reclaim_account", !!(in->flags & KMM_SLAB_RECLAIM_ACCOUNT), r->reclaim);
		SAME("hwcache_align", !!(in->flags & KMM_SLAB_HWCACHE_ALIGN), r->hwcache);
		SAME("cache_dma", !!(in->flags & KMM_SLAB_CACHE_DMA), r->dma);
	}
}

/* kmalloc and bootstrap caches exist at boot with the kernel's geometry. */
static void test_slab_captures_kmalloc_caches(void **state)
{
	static struct sysfs_rec recs[256];

	for (size_t ci = 0; ci < sizeof(configs) / sizeof(configs[0]); ci++) {
		const struct capture_config *c = &configs[ci];
		char *text = read_capture(c->name, "boot.slab_sysfs.txt");
		int n = parse_sysfs(text, recs, 256), found = 0;
		struct kmm_machine *m = boot_like(c, NULL);

		for (int i = 0; i < n; i++) {
			const struct sysfs_rec *r = &recs[i];
			struct kmm_slab_info in;

			if (!is_boot_cache(r->name))
				continue;
			if (kmm_slab_info(m, r->name, &in) != KMM_OK)
				fail_msg("%s: no cache %s: %s", c->name, r->name,
					 kmm_last_error(m));
			compare_geometry(c, r, &in, true);
			found++;
		}
		/* 7 sizes (128 .. 8k) x 4 kinds, and the two bootstrap caches */
		assert_int_equal(found, 30);
		test_machine_done(m);
		free(text);
	}
}

/* Each /proc/slabinfo line of a boot cache has the capture's objsize, objperslab, pages. */
static void test_slab_captures_slabinfo_columns(void **state)
{
	for (size_t ci = 0; ci < sizeof(configs) / sizeof(configs[0]); ci++) {
		const struct capture_config *c = &configs[ci];
		char *theirs = read_capture(c->name, "boot.slabinfo.txt");
		struct kmm_machine *m = boot_like(c, NULL);
		char *ours = strdup(test_view(m, "/proc/slabinfo"));
		int lines = 0;

		/* The header lines are the kernel's, byte for byte. */
		assert_memory_equal(ours, theirs,
				    (size_t)(strchr(strchr(theirs, '\n') + 1, '\n') - theirs));
		for (const char *l = strchr(strchr(ours, '\n') + 1, '\n') + 1; *l;
		     l = strchr(l, '\n') + 1) {
			char name[64], pat[80];
			long a[5], b[5];
			const char *t;

			sscanf(l, "%63s %ld %ld %ld %ld %ld", name, &a[0], &a[1], &a[2], &a[3],
			       &a[4]);
			snprintf(pat, sizeof(pat), "\n%s ", name);
			t = strstr(theirs, pat);
			if (!t)
				fail_msg("%s: our cache %s is not in the real /proc/slabinfo",
					 c->name, name);
			sscanf(t + 1, "%*s %ld %ld %ld %ld %ld", &b[0], &b[1], &b[2], &b[3], &b[4]);
			if (a[2] != b[2] || a[3] != b[3] || a[4] != b[4])
				fail_msg("%s %s: objsize/objperslab/pagesperslab %ld/%ld/%ld, real "
					 "%ld/%ld/%ld",
					 c->name, name, a[2], a[3], a[4], b[2], b[3], b[4]);
			lines++;
		}
		/* the 30 boot caches, mm_struct, vm_area_struct, anon_vma, anon_vma_chain,
		 * task_struct and khugepaged_mm_slot */
		assert_int_equal(lines, 36);
		test_machine_done(m);
		free(ours);
		free(theirs);
	}
}

static void ctor_nop(void *arg, kmm_va_t object, void *mem, size_t size)
{
	(void)arg;
	(void)object;
	(void)mem;
	(void)size;
}

static long align_up(long x, long a)
{
	return (x + a - 1) / a * a;
}

/* Every other real cache, recreated from its object size, alignment and flags. */
static void test_slab_captures_all_caches(void **state)
{
	static struct sysfs_rec recs[256];

	for (size_t ci = 0; ci < sizeof(configs) / sizeof(configs[0]); ci++) {
		const struct capture_config *c = &configs[ci];
		char *text = read_capture(c->name, "boot.slab_sysfs.txt");
		int n = parse_sysfs(text, recs, 256), done = 0, with_ctor = 0;
		struct kmm_machine *m = boot_like(c, "slab_nomerge");

		for (int i = 0; i < n; i++) {
			const struct sysfs_rec *r = &recs[i];
			bool fp_outside =
				r->slab_size != align_up(align_up(r->object_size, 8), r->align);
			uint32_t flags = (r->hwcache ? KMM_SLAB_HWCACHE_ALIGN : 0) |
					 (r->reclaim ? KMM_SLAB_RECLAIM_ACCOUNT : 0) |
					 (r->dma ? KMM_SLAB_CACHE_DMA : 0);
			struct kmm_slab_info in;
			kmm_cache_t cache;
			char name[80];

			if (is_boot_cache(r->name))
				continue;
			snprintf(name, sizeof(name), "t%.60s", r->name);
			if (kmm_kmem_cache_create(
				    m, name, (unsigned)r->object_size, (unsigned)r->align, flags,
				    fp_outside ? ctor_nop : NULL, NULL, &cache) != KMM_OK)
				fail_msg("%s: create %s: %s", c->name, name, kmm_last_error(m));
			assert_int_equal(kmm_kmem_cache_info(m, cache, &in), KMM_OK);
			compare_geometry(c, r, &in, false);
			SAME("align", in.align, r->align);
			done++;
			with_ctor += fp_outside;
		}
		assert_int_equal(done, n - 30);
		assert_true(with_ctor > 0);
		test_machine_done(m);
		free(text);
	}
}

static void dmesg_sink(void *arg, const char *text, size_t len)
{
	char **buf = arg;
	size_t old = *buf ? strlen(*buf) : 0;

	*buf = realloc(*buf, old + len + 1);
	memcpy(*buf + old, text, len);
	(*buf)[old + len] = '\0';
}

/* The "SLUB: HWalign=64, Order=0-3, MinObjects=0, CPUs=N, Nodes=N" boot line, word for word. */
static void test_slab_captures_boot_line(void **state)
{
	for (size_t ci = 0; ci < sizeof(configs) / sizeof(configs[0]); ci++) {
		const struct capture_config *c = &configs[ci];
		char *theirs = read_capture(c->name, "boot.dmesg.txt"), *ours = NULL;
		struct kmm_machine *m = boot_like(c, NULL);
		const char *line = strstr(theirs, "] SLUB: ");
		char want[128];

		assert_non_null(line);
		snprintf(want, sizeof(want), "%.*s", (int)(strchr(line, '\n') - line + 1), line);
		kmm_dmesg(m, dmesg_sink, &ours);
		if (!strstr(ours, want))
			fail_msg("%s: no \"%s\" in our log", c->name, want);
		free(ours);
		free(theirs);
		test_machine_done(m);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_slab_captures_kmalloc_caches),
		cmocka_unit_test(test_slab_captures_slabinfo_columns),
		cmocka_unit_test(test_slab_captures_all_caches),
		cmocka_unit_test(test_slab_captures_boot_line),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
