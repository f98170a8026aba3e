/*
 * SLUB: the slab allocator of Linux 6.1, over the buddy allocator, with its objects in
 * simulated RAM.
 *
 * A cache (struct kmem_cache) hands out objects of one size from slabs: compound pages whose
 * head struct page is the struct slab (slab.h). Free objects are chained through a free
 * pointer stored inside each free object at s->offset, obfuscated as ptr ^ s->random ^
 * swab(address of the pointer) (CONFIG_SLAB_FREELIST_HARDENED). Each simulated CPU has a
 * kmem_cache_cpu: the slab it allocates from (frozen; its free objects on c->freelist) and a
 * chain of frozen partial slabs; each node a list of partial slabs. Allocation takes the CPU
 * freelist (fast path), else refills from the slab, the CPU partials, the node partials, or
 * a new slab (___slab_alloc); freeing pushes onto the CPU freelist when the object is in the
 * CPU slab (fast path), else onto the slab's own freelist (__slab_free), freezing a slab that
 * was full onto the CPU partial list and discarding empty slabs beyond min_partial.
 *
 * Object layout (calculate_sizes; offsets from the object's address):
 *
 * | from                | what                                                        |
 * |---------------------|-------------------------------------------------------------|
 * | -red_left_pad       | left red zone (SLAB_RED_ZONE)                               |
 * | 0                   | the object; the free pointer sits in its middle unless it   |
 * |                     | must not be overwritten (ctor, RCU, poison, tiny red-zoned) |
 * | object_size         | right red zone / word padding                               |
 * | inuse               | free pointer when outside the object                        |
 * | then                | struct track x2 (SLAB_STORE_USER), kmalloc request size     |
 * | up to size          | padding to the alignment, POISON_INUSE with SLAB_POISON     |
 *
 * Models: mm/slub.c (Linux 6.1), with mm/slab.h's hooks.
 * Left out: memcg accounting (SLAB_ACCOUNT is a flag only), KASAN/KFENCE/kmemleak hooks,
 *         sysfs and debugfs, failslab, memory hotplug, CPU hotplug (every CPU is online),
 *         SLUB statistics, stack depot traces (tracks record the call site only).
 * Deviation: there is no RCU: SLAB_TYPESAFE_BY_RCU slabs are freed at once. Free pointers
 *         are validated on every use and every free is checked against the object map
 *         (slub_def.h): a corrupted free pointer cuts the freelist there and a bad free is
 *         refused, each with the report slub_debug would print; the kernel without
 *         slub_debug would follow the pointer or corrupt the freelist. The object map is host
 *         memory the kernel does not have: it is charged to the host-memory budget (its bits
 *         over present pages, RAM / 64) at kmem_cache_init.
 *
 * Invariants (slub_check):
 *  1. Every slab is a slab page (PG_slab on a compound head or order-0 page) of its cache's
 *     order or minimum order, with 0 <= inuse <= objects = oo_objects of that order.
 *  2. Each slab is in exactly one place: one CPU's slab, one CPU's partial chain, its node's
 *     partial list, its node's full list (SLAB_STORE_USER), or nowhere when full.
 *  3. CPU slabs and CPU partial slabs are frozen; listed and unlisted slabs are not; partial
 *     slabs have free objects; nr_partial is the partial list's length.
 *  4. Every free pointer decodes to an object of the same slab, and no object is on two
 *     freelists; slab->inuse = objects - (objects on slab->freelist).
 *  5. An object is allocated exactly when its object-map bit is set and it is on no freelist.
 *  6. nr_slabs and total_objects of each node equal the slabs found in the memory map.
 *  7. The node counters NR_SLAB_RECLAIMABLE_B / NR_SLAB_UNRECLAIMABLE_B equal the bytes of
 *     the slabs of reclaimable / other caches, plus the large kmalloc pages.
 */
#include "mm/page_place.h"
#include "mm/slab.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "lib/bug.h"
#include "lib/kernel.h"
#include "lib/sink.h"
#include "lib/trace.h"

#define KMM_FILE "mm/slub.c"

/* Models: lib/math/reciprocal_div.c:reciprocal_value(). */
static struct reciprocal_value reciprocal_value(uint32_t d)
{
	struct reciprocal_value r;
	int l = fls(d - 1);
	uint64_t m = ((1ull << 32) * ((1ull << l) - d)) / d + 1;

	r.m = (uint32_t)m;
	r.sh1 = (uint8_t)min(l, 1);
	r.sh2 = (uint8_t)max(l - 1, 0);
	return r;
}

static inline uint32_t reciprocal_divide(uint32_t a, struct reciprocal_value r)
{
	uint32_t t = (uint32_t)(((uint64_t)a * r.m) >> 32);

	return (t + ((a - t) >> r.sh1)) >> r.sh2;
}

/*
 * The divisibility test of struct kmem_cache's div_m: for off < 2^32 and size < 2^32, size
 * divides off exactly when off * ceil(2^64 / size) (mod 2^64) < ceil(2^64 / size) (Lemire,
 * Kaser and Kurz, "Faster remainder by direct computation", 2019): one multiply.
 */
static void set_size_divisor(struct kmem_cache *s, unsigned int size)
{
	s->div_m = UINT64_MAX / size + 1;
}

/*
 * memset(p, 0, n) for objects. Sizes of 16 to 256 bytes, the hot ones, take one jump into
 * a row of 16-byte stores the compiler inlines (plus one overlapping store when n is not a
 * multiple of 16): a call into memset costs more than the stores there.
 */
#define ZERO_ROWS_MAX 256

typedef uint8_t zero16_t __attribute__((vector_size(16), aligned(1), may_alias));

/* zero_object() for n <= ZERO_ROWS_MAX: no call. */
static inline void zero_object_small(uint8_t *p, unsigned int n)
{
	zero16_t z = {0};

	/* One zero register for all the rows (GCC would make one for each case label). */
#if defined(__x86_64__)
	__asm__("" : "+x"(z));
#elif defined(__aarch64__)
	__asm__("" : "+w"(z));
#endif
	if (n > ZERO_ROWS_MAX)
		__builtin_unreachable();
	if (n < 16) {
		for (unsigned int i = 0; i < n; i++)
			p[i] = 0;
		return;
	}
	if (n & 15)
		*(zero16_t *)(p + n - 16) = z;
	switch (n >> 4) {
#define ZERO_ROW(i)                                                                                \
	case i:                                                                                    \
		*(zero16_t *)(p + ((i)-1) * 16) = z;                                               \
		__attribute__((fallthrough))
		ZERO_ROW(16);
		ZERO_ROW(15);
		ZERO_ROW(14);
		ZERO_ROW(13);
		ZERO_ROW(12);
		ZERO_ROW(11);
		ZERO_ROW(10);
		ZERO_ROW(9);
		ZERO_ROW(8);
		ZERO_ROW(7);
		ZERO_ROW(6);
		ZERO_ROW(5);
		ZERO_ROW(4);
		ZERO_ROW(3);
		ZERO_ROW(2);
		ZERO_ROW(1);
#undef ZERO_ROW
	default:
		break;
	}
}

/* The simulated time zeroing @n bytes of an object takes (its cache lines). */
static inline void charge_zero(struct kmm_kernel *k, unsigned int n)
{
	env_charge_n(k->env, COST_obj_zero_line, (n + 63) / 64);
}

/* The fast paths' charges of @s, summed from the cost table once (slub_def.h). */
static void set_fast_charge(const struct kmm_kernel *k, struct kmem_cache *s)
{
	const uint32_t *cost = k->env->cost;

	s->fast_charge[0] = (uint32_t)cost[COST_slab_alloc_fast];
	s->fast_charge[1] =
		(uint32_t)(cost[COST_slab_alloc_fast] +
			   (s->object_size + 63) / 64 * (uint64_t)cost[COST_obj_zero_line]);
	s->fast_charge[2] = (uint32_t)cost[COST_slab_free_fast];
}

static inline void zero_object(uint8_t *p, unsigned int n)
{
	if (n > ZERO_ROWS_MAX)
		memset(p, 0, n);
	else
		zero_object_small(p, n);
}

/* @off (below 2^32) is a multiple of s->size. */
static inline bool size_divides(const struct kmem_cache *s, uint64_t off)
{
	return off * s->div_m < s->div_m;
}

static inline unsigned int order_objects(unsigned int order, unsigned int size)
{
	return ((unsigned int)PAGE_SIZE << order) / size;
}

static inline struct kmem_cache_order_objects oo_make(unsigned int order, unsigned int size)
{
	return (struct kmem_cache_order_objects){(order << OO_SHIFT) + order_objects(order, size)};
}

static inline bool kmem_cache_debug_flags(const struct kmem_cache *s, slab_flags_t flags)
{
	return s->flags & flags;
}

static inline bool kmem_cache_debug(const struct kmem_cache *s)
{
	return kmem_cache_debug_flags(s, SLAB_DEBUG_FLAGS);
}

static inline bool slub_debug_orig_size(const struct kmem_cache *s)
{
	return kmem_cache_debug_flags(s, SLAB_STORE_USER) && (s->flags & SLAB_KMALLOC);
}

static inline uint64_t fixup_red_left(const struct kmem_cache *s, uint64_t p)
{
	return kmem_cache_debug_flags(s, SLAB_RED_ZONE) ? p + s->red_left_pad : p;
}

static inline uint64_t restore_red_left(const struct kmem_cache *s, uint64_t p)
{
	return (s->flags & SLAB_RED_ZONE) ? p - s->red_left_pad : p;
}

static inline bool kmem_cache_has_cpu_partial(const struct kmem_cache *s)
{
	return !kmem_cache_debug(s);
}

enum { DEACTIVATE_TO_HEAD, DEACTIVATE_TO_TAIL };

/* ---- the object map ------------------------------------------------------------------ */

/* One bit per 8 bytes of the linear map: 512 bits, 64 bytes, per page. */
#define OBJMAP_BYTES_PER_PAGE_SHIFT (PAGE_SHIFT - 6)

/* The bit index of @x (below objmap_va0 it wraps to a huge index). */
static inline uint64_t objmap_index(const struct kmm_kernel *k, uint64_t x)
{
	return (x - k->kmem.objmap_va0) >> 3;
}

/* The word and bit of index @idx, which the caller knows is below objmap_bits. */
static inline uint64_t *objmap_word(const struct kmm_kernel *k, uint64_t idx, uint64_t *bit)
{
	*bit = 1ull << (idx & 63);
	return &k->kmem.objmap[idx >> 6];
}

static inline bool objmap_pos(const struct kmm_kernel *k, uint64_t x, uint64_t **word,
			      uint64_t *bit)
{
	uint64_t idx = objmap_index(k, x);

	if (idx >= k->kmem.objmap_bits)
		return false;
	*word = objmap_word(k, idx, bit);
	return true;
}

static inline bool objmap_test(const struct kmm_kernel *k, uint64_t x)
{
	uint64_t *w, b;

	return objmap_pos(k, x, &w, &b) && (*w & b);
}

static inline void objmap_set(struct kmm_kernel *k, uint64_t x, bool allocated)
{
	uint64_t *w, b;

	if (!objmap_pos(k, x, &w, &b))
		return;
	if (allocated)
		*w |= b;
	else
		*w &= ~b;
}

/* Sets @x's bit, for an @x known to be an object of a slab (every slab is in the map). */
static inline void objmap_mark(struct kmm_kernel *k, uint64_t x)
{
	uint64_t b, *w = objmap_word(k, objmap_index(k, x), &b);

	*w |= b;
}

/* Clears the bits of a whole slab (page aligned: whole words of the map). */
static void objmap_clear_range(struct kmm_kernel *k, uint64_t va, unsigned long len)
{
	uint64_t *w, b;

	if (objmap_pos(k, va, &w, &b))
		memset(w, 0, len / 8 / 8);
}

/* ---- free pointers ------------------------------------------------------------------- */

/*
 * Models: mm/slub.c:freelist_ptr(): the hardened encoding of free pointer @ptr stored at
 * @ptr_addr. The same function decodes.
 */
static inline uint64_t freelist_ptr(const struct kmem_cache *s, uint64_t ptr, uint64_t ptr_addr)
{
	return ptr ^ s->random ^ __builtin_bswap64(ptr_addr);
}

/* The raw free pointer of @object, decoded (0 if the word is not in RAM). */
static inline uint64_t get_freepointer(const struct kmm_kernel *k, const struct kmem_cache *s,
				       uint64_t object)
{
	const uint8_t *p = kmem_host(k, object + s->offset, 8);
	uint64_t raw;

	if (!p)
		return 0;
	memcpy(&raw, p, 8);
	return freelist_ptr(s, raw, object + s->offset);
}

/* Models: mm/slub.c:set_freepointer(), with its BUG_ON for a naive double free. */
static inline void set_freepointer(struct kmm_kernel *k, const struct kmem_cache *s,
				   uint64_t object, uint64_t fp)
{
	uint8_t *p = kmem_host(k, object + s->offset, 8);
	uint64_t raw;

	if (object == fp)
		__bug(k->env, BUG_SITE(418, "set_freepointer", "object == fp"),
		      "set_freepointer: object 0x%016" PRIx64 " freed twice in a row\n", object);
	if (!p)
		return;
	raw = freelist_ptr(s, fp, object + s->offset);
	memcpy(p, &raw, 8);
}

/* @object (not NULL) is an object boundary of the @objects objects from @base. */
static inline bool object_in_slab(const struct kmem_cache *s, uint64_t base, unsigned int objects,
				  uint64_t object)
{
	uint64_t off = restore_red_left(s, object) - base;

	return off < (uint64_t)objects * s->size && size_divides(s, off);
}

/* Models: mm/slub.c:check_valid_pointer(): NULL or an object boundary inside @slab. */
static inline bool check_valid_pointer(const struct kmm_kernel *k, const struct kmem_cache *s,
				       const struct slab *slab, uint64_t object)
{
	return !object || object_in_slab(s, slab_address(k, slab), slab->objects, object);
}

static inline unsigned int obj_to_index(const struct kmem_cache *s, uint64_t base, uint64_t obj)
{
	return reciprocal_divide((uint32_t)(restore_red_left(s, obj) - base), s->reciprocal_size);
}

/* The slab's bytes on the host (a slab is one compound page: contiguous in one bank). */
static inline uint8_t *slab_mem(const struct kmm_kernel *k, const struct slab *slab)
{
	return page_host(k, slab_page(slab), slab_size(slab));
}

/* ---- reports ------------------------------------------------------------------------- */

/* One report being composed: the kernel prints several pr_err lines; we raise one report. */
struct slab_report {
	char text[8192];
	size_t len;
};

/* (Never "= {0}": zeroing 8 KiB would cost more than the allocation paths themselves.) */
static inline void rep_init(struct slab_report *r)
{
	r->len = 0;
	r->text[0] = '\0';
}

static void KMM_PRINTF(2, 3) rep_printf(struct slab_report *r, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (r->len >= sizeof(r->text) - 1)
		return;
	va_start(ap, fmt);
	n = vsnprintf(r->text + r->len, sizeof(r->text) - r->len, fmt, ap);
	va_end(ap);
	if (n > 0)
		r->len = min(r->len + (size_t)n, sizeof(r->text) - 1);
}

/* Kernel taint bits kept in env->taint (kernel/panic.c: TAINT_BAD_PAGE, TAINT_WARN). */
#define TAINT_BAD_PAGE 5
#define TAINT_WARN     9

const char *slab_print_tainted(const struct kmm_kernel *k, char *buf, size_t len)
{
	/* taint_flags[] of 6.1: 19 flags; 'G' for no proprietary module, B bad page, W warn. */
	char flags[20] = "G                  ";
	unsigned t = k->env->taint;

	if (t & (1u << KMM_REPORT_ERROR))
		t |= 1u << TAINT_BAD_PAGE;
	if (t & (1u << KMM_REPORT_WARN))
		t |= 1u << TAINT_WARN;
	if (!(t & (1u << TAINT_BAD_PAGE | 1u << TAINT_WARN))) {
		snprintf(buf, len, "Not tainted");
		return buf;
	}
	if (t & (1u << TAINT_BAD_PAGE))
		flags[5] = 'B';
	if (t & (1u << TAINT_WARN))
		flags[9] = 'W';
	snprintf(buf, len, "Tainted: %s", flags);
	return buf;
}

const char *call_site_name(unsigned long addr, char *buf, size_t len)
{
	static const char *const names[] = {
#define SLAB_SITE_NAME(name) #name,
		SLAB_CALL_SITES(SLAB_SITE_NAME)
#undef SLAB_SITE_NAME
	};
	unsigned long off = addr - KIMAGE_TEXT;

	if (addr >= KIMAGE_TEXT && off / SITE_SPAN < NR_SLAB_CALL_SITES)
		snprintf(buf, len, "%s+0x%lx/0x%x", names[off / SITE_SPAN], off % SITE_SPAN,
			 SITE_SPAN);
	else
		snprintf(buf, len, "0x%lx", addr);
	return buf;
}

/* %pGp for a slab page: the flags word and the names of the set flags SLUB uses. */
static void rep_page_flags(struct slab_report *r, const struct page *page)
{
	static const struct {
		int bit;
		const char *name;
	} names[] = {{PG_active, "active"}, {PG_slab, "slab"}, {PG_head, "head"}};
	const char *sep = "";

	rep_printf(r, "0x%lx(", page->flags);
	for (size_t i = 0; i < ARRAY_SIZE(names); i++) {
		if (test_page_flag(page, names[i].bit)) {
			rep_printf(r, "%s%s", sep, names[i].name);
			sep = "|";
		}
	}
	rep_printf(r, "%snode=%d|zone=%d)", sep, page_to_nid(page), page_zonenum(page));
}

/* Models: lib/hexdump.c:print_hex_dump(DUMP_PREFIX_ADDRESS, 16, 1, ascii). */
static void print_section(const struct kmm_kernel *k, struct slab_report *r, const char *text,
			  uint64_t va, unsigned int length)
{
	const uint8_t *p = kmem_host(k, va, length ? length : 1);

	if (!p)
		return;
	for (unsigned int i = 0; i < length; i += 16) {
		unsigned int n = min(16u, length - i);
		char hex[64] = "", ascii[17] = "";
		size_t hl = 0;

		for (unsigned int j = 0; j < n; j++) {
			uint8_t c = p[i + j];

			hl += (size_t)snprintf(hex + hl, sizeof(hex) - hl, j ? " %02x" : "%02x", c);
			ascii[j] = c >= 0x20 && c < 0x7f ? (char)c : '.';
		}
		ascii[n] = '\0';
		rep_printf(r, "%s%016" PRIx64 ": %-49s%s\n", text, va + i, hex, ascii);
	}
}

/* Models: the dump_stack() that closes each SLUB report (no unwinder: the entry point). */
static void rep_dump_stack(const struct kmm_kernel *k, struct slab_report *r, const char *fn)
{
	char taint[48];
	int cpu = smp_processor_id(k);

	rep_printf(r, "CPU: %d PID: 0 Comm: swapper/%d %s 6.1.0-kmm #1\n", cpu, cpu,
		   slab_print_tainted(k, taint, sizeof(taint)));
	rep_printf(r, "Hardware name: linux,dummy-virt (DT)\nCall trace:\n %s\n", fn);
}

static void rep_raise_at(struct kmm_kernel *k, struct slab_report *r, enum kmm_report_kind kind,
			 const struct bug_site *site)
{
	bug_report(k->env, kind, site, "%s", r->text);
	if (kind == KMM_REPORT_ERROR)
		k->env->taint |= 1u << TAINT_BAD_PAGE; /* add_taint() after object_err etc. */
	else if (kind == KMM_REPORT_WARN)
		k->env->taint |= 1u << TAINT_WARN;
	r->len = 0;
	r->text[0] = '\0';
}

static void rep_raise(struct kmm_kernel *k, struct slab_report *r, enum kmm_report_kind kind,
		      const char *fn, const char *cond)
{
	rep_raise_at(k, r, kind, BUG_SITE(0, fn, cond));
}

/* Models: mm/slub.c:slab_bug(). */
static void slab_bug(const struct kmm_kernel *k, struct slab_report *r, const struct kmem_cache *s,
		     const char *what)
{
	char taint[48];

	rep_printf(
		r,
		"=============================================================================\n");
	rep_printf(r, "BUG %s (%s): %s\n", s->name, slab_print_tainted(k, taint, sizeof(taint)),
		   what);
	rep_printf(r, "----------------------------------------------------------------------------"
		      "-\n\n");
}

/* Models: mm/slub.c:slab_fix(): the FIX line that follows a BUG report. */
static void KMM_PRINTF(3, 4)
	rep_fix(struct slab_report *r, const struct kmem_cache *s, const char *fmt, ...)
{
	char line[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	rep_printf(r, "FIX %s: %s\n", s->name, line);
}

/* Models: mm/slub.c:print_slab_info(). */
static void print_slab_info(const struct kmm_kernel *k, struct slab_report *r,
			    const struct slab *slab)
{
	rep_printf(r, "Slab 0x%016" PRIx64 " objects=%u used=%u fp=0x%016" PRIx64 " flags=",
		   page_struct_va(k, slab_page(slab)), slab->objects, slab->inuse, slab->freelist);
	rep_page_flags(r, slab_page(slab));
	rep_printf(r, "\n");
}

/* ---- tracking (SLAB_STORE_USER): struct track in simulated memory ----------------------- */

/*
 * struct track as the reference kernel lays it out (CONFIG_STACKDEPOT):
 * | 0 addr (u64) | 8 handle (u32) | 12 cpu (int) | 16 pid (int) | 24 when (jiffies, u64) |
 */
enum track_item { TRACK_ALLOC, TRACK_FREE };

static inline unsigned int freeptr_outside_object(const struct kmem_cache *s)
{
	return s->offset >= s->inuse;
}

/* Models: mm/slub.c:get_info_end(). */
static inline unsigned int get_info_end(const struct kmem_cache *s)
{
	return freeptr_outside_object(s) ? s->inuse + 8 : s->inuse;
}

static inline uint64_t get_track(const struct kmem_cache *s, uint64_t object, enum track_item t)
{
	return object + get_info_end(s) + (uint64_t)t * TRACK_SIZE;
}

/* jiffies at HZ=250 from simulated time, from INITIAL_JIFFIES as the kernel counts. */
static uint64_t jiffies(const struct kmm_kernel *k)
{
	return 0xfffb6c20ull + env_time_ns(k->env) / 4000000u;
}

/* Models: mm/slub.c:set_track_update(). */
static void set_track(struct kmm_kernel *k, const struct kmem_cache *s, uint64_t object,
		      enum track_item alloc, unsigned long addr)
{
	uint8_t *p = kmem_host(k, get_track(s, object, alloc), TRACK_SIZE);
	uint64_t when = jiffies(k);
	int32_t cpu = smp_processor_id(k), pid = 0;
	uint32_t handle = 0;
	uint64_t a = addr;

	if (!p)
		return;
	memcpy(p, &a, 8);
	memcpy(p + 8, &handle, 4);
	memcpy(p + 12, &cpu, 4);
	memcpy(p + 16, &pid, 4);
	memcpy(p + 24, &when, 8);
}

/* Models: mm/slub.c:init_tracking(). */
static void init_tracking(struct kmm_kernel *k, const struct kmem_cache *s, uint64_t object)
{
	uint8_t *p;

	if (!(s->flags & SLAB_STORE_USER))
		return;
	p = kmem_host(k, get_track(s, object, TRACK_ALLOC), 2 * TRACK_SIZE);
	if (p)
		memset(p, 0, 2 * TRACK_SIZE);
}

/* Models: mm/slub.c:print_track(). */
static void print_track(const struct kmm_kernel *k, struct slab_report *r, const char *what,
			uint64_t track_va)
{
	const uint8_t *p = kmem_host(k, track_va, TRACK_SIZE);
	uint64_t addr, when;
	int32_t cpu, pid;
	char name[96];

	if (!p)
		return;
	memcpy(&addr, p, 8);
	memcpy(&cpu, p + 12, 4);
	memcpy(&pid, p + 16, 4);
	memcpy(&when, p + 24, 8);
	if (!addr)
		return;
	rep_printf(r, "%s in %s age=%" PRIu64 " cpu=%u pid=%d\n", what,
		   call_site_name((unsigned long)addr, name, sizeof(name)), jiffies(k) - when,
		   (unsigned)cpu, pid);
	rep_printf(r, "object allocation/free stack trace missing\n");
}

/* Models: mm/slub.c:print_tracking(). */
static void print_tracking(const struct kmm_kernel *k, struct slab_report *r,
			   const struct kmem_cache *s, uint64_t object)
{
	if (!(s->flags & SLAB_STORE_USER))
		return;
	print_track(k, r, "Allocated", get_track(s, object, TRACK_ALLOC));
	print_track(k, r, "Freed", get_track(s, object, TRACK_FREE));
}

/* Models: mm/slub.c:set_orig_size(). */
static void set_orig_size(struct kmm_kernel *k, const struct kmem_cache *s, uint64_t object,
			  unsigned int orig_size)
{
	uint8_t *p;

	if (!slub_debug_orig_size(s))
		return;
	p = kmem_host(k, object + get_info_end(s) + 2 * TRACK_SIZE, 4);
	if (p)
		memcpy(p, &orig_size, 4);
}

static inline unsigned int size_from_object(const struct kmem_cache *s)
{
	return (s->flags & SLAB_RED_ZONE) ? s->size - s->red_left_pad : s->size;
}

/* Models: mm/slub.c:print_trailer(). */
static void print_trailer(const struct kmm_kernel *k, struct slab_report *r,
			  const struct kmem_cache *s, const struct slab *slab, uint64_t p)
{
	uint64_t addr = slab_address(k, slab);
	unsigned int off;

	print_tracking(k, r, s, p);
	print_slab_info(k, r, slab);
	rep_printf(r, "Object 0x%016" PRIx64 " @offset=%" PRIu64 " fp=0x%016" PRIx64 "\n\n", p,
		   p - addr, get_freepointer(k, s, p));
	if (s->flags & SLAB_RED_ZONE)
		print_section(k, r, "Redzone  ", p - s->red_left_pad, s->red_left_pad);
	else if (p > addr + 16)
		print_section(k, r, "Bytes b4 ", p - 16, 16);
	print_section(k, r, "Object   ", p, min(s->object_size, (unsigned int)PAGE_SIZE));
	if (s->flags & SLAB_RED_ZONE)
		print_section(k, r, "Redzone  ", p + s->object_size, s->inuse - s->object_size);
	off = get_info_end(s);
	if (s->flags & SLAB_STORE_USER)
		off += 2 * TRACK_SIZE;
	if (slub_debug_orig_size(s))
		off += 4;
	if (off != size_from_object(s))
		print_section(k, r, "Padding  ", p + off, size_from_object(s) - off);
}

/* Models: mm/slub.c:object_err(), composed into @r (the caller raises it). */
static void object_err_r(const struct kmm_kernel *k, struct slab_report *r,
			 const struct kmem_cache *s, const struct slab *slab, uint64_t object,
			 const char *reason, const char *fn)
{
	slab_bug(k, r, s, reason);
	if (!object || !check_valid_pointer(k, s, slab, object)) {
		print_slab_info(k, r, slab);
		rep_printf(r, "Invalid pointer 0x%016" PRIx64 "\n", object);
	} else {
		print_trailer(k, r, s, slab, object);
	}
	rep_dump_stack(k, r, fn);
}

static void object_err(struct kmm_kernel *k, const struct kmem_cache *s, const struct slab *slab,
		       uint64_t object, const char *reason, const char *fn)
{
	struct slab_report r;

	rep_init(&r);

	object_err_r(k, &r, s, slab, object, reason, fn);
	rep_raise(k, &r, KMM_REPORT_ERROR, fn, reason);
}

/* Models: mm/slub.c:slab_err(), composed into @r. */
static void KMM_PRINTF(6, 7)
	slab_err_r(const struct kmm_kernel *k, struct slab_report *r, const struct kmem_cache *s,
		   const struct slab *slab, const char *fn, const char *fmt, ...)
{
	char buf[100];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	slab_bug(k, r, s, buf);
	print_slab_info(k, r, slab);
	rep_dump_stack(k, r, fn);
}

/*
 * Remembers that a corrupted free pointer cut one of @slab's freelists: the objects past the
 * cut are lost to the allocator (as in the kernel), which kmm_check then allows for @slab.
 */
static void slab_mark_corrupt(struct kmm_kernel *k, const struct slab *slab)
{
	struct kmem_globals *g = &k->kmem;
	unsigned long pfn = page_to_pfn(k, slab_page(slab));

	for (size_t i = 0; i < g->nr_corrupt_slabs; i++)
		if (g->corrupt_slabs[i] == pfn)
			return;
	if (g->nr_corrupt_slabs == g->cap_corrupt_slabs) {
		size_t cap = g->cap_corrupt_slabs ? 2 * g->cap_corrupt_slabs : 16;
		unsigned long *n = env_realloc(k->env, g->corrupt_slabs, cap * sizeof(*n));

		if (!n)
			return;
		g->corrupt_slabs = n;
		g->cap_corrupt_slabs = cap;
	}
	g->corrupt_slabs[g->nr_corrupt_slabs++] = pfn;
}

static void slab_unmark_corrupt(struct kmm_kernel *k, const struct slab *slab)
{
	struct kmem_globals *g = &k->kmem;
	unsigned long pfn = page_to_pfn(k, slab_page(slab));

	for (size_t i = 0; i < g->nr_corrupt_slabs; i++)
		if (g->corrupt_slabs[i] == pfn)
			g->corrupt_slabs[i] = g->corrupt_slabs[--g->nr_corrupt_slabs];
}

/*
 * Models: mm/slub.c:freelist_corrupted(), applied on every freelist walk (the kernel only
 * with SLAB_CONSISTENCY_CHECKS): @nextfree, read from *@freelist, is not an object of @slab.
 */
static bool freelist_corrupted(struct kmm_kernel *k, const struct kmem_cache *s,
			       const struct slab *slab, uint64_t *freelist, uint64_t nextfree,
			       const char *fn)
{
	struct slab_report r;

	rep_init(&r);

	if (check_valid_pointer(k, s, slab, nextfree) || !*freelist)
		return false;
	object_err_r(k, &r, s, slab, *freelist, "Freechain corrupt", fn);
	*freelist = 0;
	slab_mark_corrupt(k, slab);
	rep_fix(&r, s, "Isolate corrupted freechain");
	rep_raise(k, &r, KMM_REPORT_ERROR, fn, "Freechain corrupt");
	return true;
}

/*
 * The next free object after @object on a freelist of @slab, validated. On a corrupted free
 * pointer: the report, and 0, so the chain ends at @object.
 */
static uint64_t get_freepointer_checked(struct kmm_kernel *k, const struct kmem_cache *s,
					const struct slab *slab, uint64_t object, const char *fn)
{
	uint64_t next = get_freepointer(k, s, object);
	uint64_t cur = object;

	if (freelist_corrupted(k, s, slab, &cur, next, fn))
		return 0;
	return next;
}

/* ---- object debugging (slub_debug=F, Z, P, U, T) ------------------------------------- */

/* Models: mm/slub.c:init_object(): red zones and poison of a free (or active) object. */
static void init_object(struct kmm_kernel *k, const struct kmem_cache *s, uint64_t object,
			uint8_t val)
{
	uint8_t *p = kmem_host(k, object, s->inuse);

	if (!p)
		return;
	if (s->flags & SLAB_RED_ZONE)
		memset(p - s->red_left_pad, val, s->red_left_pad);
	if (s->flags & __OBJECT_POISON) {
		memset(p, POISON_FREE, s->object_size - 1);
		p[s->object_size - 1] = POISON_END;
	}
	if (s->flags & SLAB_RED_ZONE)
		memset(p + s->object_size, val, s->inuse - s->object_size);
}

/*
 * Models: mm/slub.c:check_bytes_and_report(): [start, start + bytes) must all be @value;
 * otherwise the "... overwritten" report, and the bytes are restored.
 */
static int check_bytes_and_report(struct kmm_kernel *k, const struct kmem_cache *s,
				  const struct slab *slab, uint64_t object, const char *what,
				  uint64_t start, uint8_t value, unsigned int bytes, const char *fn)
{
	struct slab_report r;

	rep_init(&r);
	uint8_t *p = kmem_host(k, start, bytes ? bytes : 1);
	uint64_t addr = slab_address(k, slab);
	unsigned int fault = 0, end;
	char what_buf[64];

	if (!p || !bytes)
		return 1;
	while (fault < bytes && p[fault] == value)
		fault++;
	if (fault == bytes)
		return 1;
	end = bytes;
	while (end > fault && p[end - 1] == value)
		end--;
	snprintf(what_buf, sizeof(what_buf), "%s overwritten", what);
	slab_bug(k, &r, s, what_buf);
	rep_printf(&r,
		   "0x%016" PRIx64 "-0x%016" PRIx64 " @offset=%" PRIu64
		   ". First byte 0x%x instead of 0x%x\n",
		   start + fault, start + end - 1, start + fault - addr, p[fault], value);
	print_trailer(k, &r, s, slab, object);
	rep_dump_stack(k, &r, fn);
	rep_fix(&r, s, "Restoring %s 0x%016" PRIx64 "-0x%016" PRIx64 "=0x%x", what, start + fault,
		start + end - 1, value);
	memset(p + fault, value, end - fault);
	rep_raise(k, &r, KMM_REPORT_ERROR, fn, what_buf);
	return 0;
}

/* Models: mm/slub.c:check_pad_bytes(). */
static int check_pad_bytes(struct kmm_kernel *k, const struct kmem_cache *s,
			   const struct slab *slab, uint64_t p, const char *fn)
{
	unsigned long off = get_info_end(s);

	if (s->flags & SLAB_STORE_USER) {
		off += 2 * TRACK_SIZE;
		if (s->flags & SLAB_KMALLOC)
			off += 4;
	}
	if (size_from_object(s) == off)
		return 1;
	return check_bytes_and_report(k, s, slab, p, "Object padding", p + off, POISON_INUSE,
				      size_from_object(s) - (unsigned int)off, fn);
}

/* Models: mm/slub.c:slab_pad_check(): the unused tail of a poisoned slab. */
static void slab_pad_check(struct kmm_kernel *k, const struct kmem_cache *s,
			   const struct slab *slab, const char *fn)
{
	struct slab_report r;

	rep_init(&r);
	uint64_t start, pad;
	unsigned long length, remainder;
	uint8_t *p;
	unsigned long fault = 0, end;

	if (!(s->flags & SLAB_POISON))
		return;
	start = slab_address(k, slab);
	length = slab_size(slab);
	remainder = length % s->size;
	if (!remainder)
		return;
	pad = start + length - remainder;
	p = kmem_host(k, pad, remainder);
	if (!p)
		return;
	while (fault < remainder && p[fault] == POISON_INUSE)
		fault++;
	if (fault == remainder)
		return;
	end = remainder;
	while (end > fault && p[end - 1] == POISON_INUSE)
		end--;
	slab_err_r(k, &r, s, slab, fn,
		   "Padding overwritten. 0x%016" PRIx64 "-0x%016" PRIx64 " @offset=%" PRIu64,
		   pad + fault, pad + end - 1, pad + fault - start);
	print_section(k, &r, "Padding ", pad, (unsigned int)remainder);
	rep_fix(&r, s, "Restoring %s 0x%016" PRIx64 "-0x%016" PRIx64 "=0x%x", "slab padding",
		pad + fault, pad + end - 1, POISON_INUSE);
	memset(p + fault, POISON_INUSE, end - fault);
	rep_raise(k, &r, KMM_REPORT_ERROR, fn, "Padding overwritten");
}

/* Models: mm/slub.c:check_object(). @val: SLUB_RED_ACTIVE or SLUB_RED_INACTIVE. */
static int check_object(struct kmm_kernel *k, const struct kmem_cache *s, const struct slab *slab,
			uint64_t object, uint8_t val, const char *fn)
{
	uint64_t endobject = object + s->object_size;

	if (s->flags & SLAB_RED_ZONE) {
		if (!check_bytes_and_report(k, s, slab, object, "Left Redzone",
					    object - s->red_left_pad, val, s->red_left_pad, fn))
			return 0;
		if (!check_bytes_and_report(k, s, slab, object, "Right Redzone", endobject, val,
					    s->inuse - s->object_size, fn))
			return 0;
	} else if ((s->flags & SLAB_POISON) && s->object_size < s->inuse) {
		check_bytes_and_report(k, s, slab, object, "Alignment padding", endobject,
				       POISON_INUSE, s->inuse - s->object_size, fn);
	}
	if (s->flags & SLAB_POISON) {
		if (val != SLUB_RED_ACTIVE && (s->flags & __OBJECT_POISON) &&
		    (!check_bytes_and_report(k, s, slab, object, "Poison", object, POISON_FREE,
					     s->object_size - 1, fn) ||
		     !check_bytes_and_report(k, s, slab, object, "End Poison", endobject - 1,
					     POISON_END, 1, fn)))
			return 0;
		check_pad_bytes(k, s, slab, object, fn);
	}
	if (!freeptr_outside_object(s) && val == SLUB_RED_ACTIVE)
		return 1; /* the free pointer overlaps the live object */
	if (!check_valid_pointer(k, s, slab, get_freepointer(k, s, object))) {
		object_err(k, s, slab, object, "Freepointer corrupt", fn);
		set_freepointer(k, s, object, 0);
		slab_mark_corrupt(k, slab);
		return 0;
	}
	return 1;
}

/* Models: mm/slub.c:check_slab(). */
static int check_slab(struct kmm_kernel *k, const struct kmem_cache *s, struct slab *slab,
		      const char *fn)
{
	struct slab_report r;

	rep_init(&r);
	unsigned int maxobj;

	if (!PageSlab(slab_page(slab))) {
		slab_err_r(k, &r, s, slab, fn, "Not a valid slab page");
		rep_raise(k, &r, KMM_REPORT_ERROR, fn, "Not a valid slab page");
		return 0;
	}
	maxobj = order_objects(slab_order(slab), s->size);
	if (slab->objects > maxobj) {
		slab_err_r(k, &r, s, slab, fn, "objects %u > max %u", slab->objects, maxobj);
		rep_raise(k, &r, KMM_REPORT_ERROR, fn, "objects > max");
		return 0;
	}
	if (slab->inuse > slab->objects) {
		slab_err_r(k, &r, s, slab, fn, "inuse %u > max %u", slab->inuse, slab->objects);
		rep_raise(k, &r, KMM_REPORT_ERROR, fn, "inuse > max");
		return 0;
	}
	if (slab->frozen) {
		slab_err_r(k, &r, s, slab, fn,
			   "Slab disabled since SLUB metadata consistency check failed");
		rep_raise(k, &r, KMM_REPORT_ERROR, fn, "slab disabled");
		return 0;
	}
	slab_pad_check(k, s, slab, fn);
	return 1;
}

/* Models: mm/slub.c:on_freelist(): is @search on @slab's freelist (fixing the counts). */
static int on_freelist(struct kmm_kernel *k, const struct kmem_cache *s, struct slab *slab,
		       uint64_t search, const char *fn)
{
	struct slab_report r;

	rep_init(&r);
	unsigned int nr = 0, max_objects;
	uint64_t fp = slab->freelist, object = 0;

	while (fp && nr <= slab->objects) {
		if (fp == search)
			return 1;
		if (!check_valid_pointer(k, s, slab, fp)) {
			if (object) {
				object_err(k, s, slab, object, "Freechain corrupt", fn);
				set_freepointer(k, s, object, 0);
				slab_mark_corrupt(k, slab);
			} else {
				slab_err_r(k, &r, s, slab, fn, "Freepointer corrupt");
				slab->freelist = 0;
				slab->inuse = slab->objects;
				slab_mark_corrupt(k, slab);
				rep_fix(&r, s, "Freelist cleared");
				rep_raise(k, &r, KMM_REPORT_ERROR, fn, "Freepointer corrupt");
				return 0;
			}
			break;
		}
		object = fp;
		fp = get_freepointer(k, s, object);
		nr++;
	}
	max_objects = min(order_objects(slab_order(slab), s->size), (unsigned)MAX_OBJS_PER_PAGE);
	if (slab->objects != max_objects) {
		slab_err_r(k, &r, s, slab, fn, "Wrong number of objects. Found %d but should be %d",
			   slab->objects, max_objects);
		slab->objects = max_objects;
		rep_fix(&r, s, "Number of objects adjusted");
		rep_raise(k, &r, KMM_REPORT_ERROR, fn, "Wrong number of objects");
	}
	if (slab->inuse != slab->objects - nr) {
		slab_err_r(k, &r, s, slab, fn,
			   "Wrong object count. Counter is %d but counted were %d", slab->inuse,
			   slab->objects - nr);
		slab->inuse = slab->objects - nr;
		rep_fix(&r, s, "Object count adjusted");
		rep_raise(k, &r, KMM_REPORT_ERROR, fn, "Wrong object count");
	}
	return search == 0;
}

/* Models: mm/slub.c:trace() (slub_debug=T). */
static void trace(struct kmm_kernel *k, const struct kmem_cache *s, const struct slab *slab,
		  uint64_t object, int alloc, const char *fn)
{
	struct slab_report r;

	rep_init(&r);

	if (!(s->flags & SLAB_TRACE))
		return;
	rep_printf(&r, "TRACE %s %s 0x%016" PRIx64 " inuse=%d fp=0x%016" PRIx64 "\n", s->name,
		   alloc ? "alloc" : "free", object, slab->inuse, slab->freelist);
	if (!alloc)
		print_section(k, &r, "Object ", object, s->object_size);
	rep_dump_stack(k, &r, fn);
	rep_raise(k, &r, KMM_REPORT_INFO, fn, "SLAB_TRACE");
}

/* Models: mm/slub.c:add_full() / remove_full(): full slabs are listed with STORE_USER. */
static void add_full(const struct kmem_cache *s, struct kmem_cache_node *n, struct slab *slab)
{
	if (s->flags & SLAB_STORE_USER)
		list_add(&slab->slab_list, &n->full);
}

static void remove_full(const struct kmem_cache *s, struct slab *slab)
{
	if (s->flags & SLAB_STORE_USER)
		list_del(&slab->slab_list);
}

static inline unsigned long node_nr_slabs(const struct kmem_cache_node *n)
{
	return (unsigned long)n->nr_slabs;
}

/* Models: mm/slub.c:inc_slabs_node() / dec_slabs_node(). */
static void inc_slabs_node(struct kmem_cache *s, int node, int objects)
{
	struct kmem_cache_node *n = get_node(s, node);

	if (n) { /* NULL while bootstrapping kmem_cache_node */
		n->nr_slabs++;
		n->total_objects += objects;
	}
}

static void dec_slabs_node(struct kmem_cache *s, int node, int objects)
{
	struct kmem_cache_node *n = get_node(s, node);

	n->nr_slabs--;
	n->total_objects -= objects;
}

/* Models: mm/slub.c:setup_object_debug() / setup_slab_debug(). */
static void setup_object_debug(struct kmm_kernel *k, const struct kmem_cache *s, uint64_t object)
{
	if (!kmem_cache_debug_flags(s, SLAB_STORE_USER | SLAB_RED_ZONE | __OBJECT_POISON))
		return;
	init_object(k, s, object, SLUB_RED_INACTIVE);
	init_tracking(k, s, object);
}

static void setup_slab_debug(struct kmm_kernel *k, const struct kmem_cache *s,
			     const struct slab *slab)
{
	uint8_t *p;

	if (!kmem_cache_debug_flags(s, SLAB_POISON))
		return;
	p = slab_mem(k, slab);
	if (p)
		memset(p, POISON_INUSE, slab_size(slab));
}

/* Models: mm/slub.c:alloc_consistency_checks(). */
static int alloc_consistency_checks(struct kmm_kernel *k, const struct kmem_cache *s,
				    struct slab *slab, uint64_t object, const char *fn)
{
	if (!check_slab(k, s, slab, fn))
		return 0;
	if (!check_valid_pointer(k, s, slab, object)) {
		object_err(k, s, slab, object, "Freelist Pointer check fails", fn);
		return 0;
	}
	return check_object(k, s, slab, object, SLUB_RED_INACTIVE, fn);
}

/* Models: mm/slub.c:alloc_debug_processing(). */
static bool alloc_debug_processing(struct kmm_kernel *k, const struct kmem_cache *s,
				   struct slab *slab, uint64_t object, unsigned int orig_size,
				   const char *fn)
{
	struct slab_report r;

	rep_init(&r);

	if ((s->flags & SLAB_CONSISTENCY_CHECKS) &&
	    !alloc_consistency_checks(k, s, slab, object, fn)) {
		if (PageSlab(slab_page(slab))) {
			/* Mark all objects used so nothing else is touched in this slab. */
			rep_fix(&r, s, "Marking all objects used");
			rep_raise(k, &r, KMM_REPORT_INFO, fn, "slab_fix");
			slab->inuse = slab->objects;
			slab->freelist = 0;
			slab->frozen = 1; /* consistency-failed slabs are marked frozen */
			slab_mark_corrupt(k, slab);
		}
		return false;
	}
	trace(k, s, slab, object, 1, fn);
	set_orig_size(k, s, object, orig_size);
	init_object(k, s, object, SLUB_RED_ACTIVE);
	return true;
}

/* Models: mm/slub.c:free_consistency_checks(). */
static int free_consistency_checks(struct kmm_kernel *k, const struct kmem_cache *s,
				   struct slab *slab, uint64_t object, const char *fn)
{
	struct slab_report r;

	rep_init(&r);

	if (!check_valid_pointer(k, s, slab, object)) {
		slab_err_r(k, &r, s, slab, fn, "Invalid object pointer 0x%016" PRIx64, object);
		rep_raise(k, &r, KMM_REPORT_ERROR, fn, "Invalid object pointer");
		return 0;
	}
	if (on_freelist(k, s, slab, object, fn)) {
		object_err(k, s, slab, object, "Object already free", fn);
		return 0;
	}
	if (!check_object(k, s, slab, object, SLUB_RED_ACTIVE, fn))
		return 0;
	if (s != slab->slab_cache) {
		if (!PageSlab(slab_page(slab))) {
			slab_err_r(k, &r, s, slab, fn,
				   "Attempt to free object(0x%016" PRIx64 ") outside of slab",
				   object);
			rep_raise(k, &r, KMM_REPORT_ERROR, fn, "outside of slab");
		} else if (!slab->slab_cache) {
			rep_printf(&r, "SLUB <none>: no slab for object 0x%016" PRIx64 ".\n",
				   object);
			rep_dump_stack(k, &r, fn);
			rep_raise(k, &r, KMM_REPORT_ERROR, fn, "no slab for object");
		} else {
			object_err(k, s, slab, object, "page slab pointer corrupt.", fn);
		}
		return 0;
	}
	return 1;
}

/*
 * Models: mm/slub.c:free_debug_processing(): checks the @bulk_cnt objects @head..@tail (a
 * chain through their free pointers); on success they are poisoned as free and leave the
 * object map. On failure nothing is freed.
 */
static bool free_debug_processing(struct kmm_kernel *k, const struct kmem_cache *s,
				  struct slab *slab, uint64_t head, uint64_t tail, int *bulk_cnt,
				  unsigned long addr, const char *fn)
{
	struct slab_report r;

	rep_init(&r);
	bool checks_ok = false;
	uint64_t object = head;
	int cnt = 0;

	if ((s->flags & SLAB_CONSISTENCY_CHECKS) && !check_slab(k, s, slab, fn))
		goto out;
	if ((int)slab->inuse < *bulk_cnt) {
		slab_err_r(k, &r, s, slab, fn,
			   "Slab has %d allocated objects but %d are to be freed\n", slab->inuse,
			   *bulk_cnt);
		rep_raise(k, &r, KMM_REPORT_ERROR, fn, "bulk count");
		goto out;
	}
	for (;;) {
		if (++cnt > *bulk_cnt)
			break;
		if ((s->flags & SLAB_CONSISTENCY_CHECKS) &&
		    !free_consistency_checks(k, s, slab, object, fn))
			goto out;
		if (s->flags & SLAB_STORE_USER)
			set_track(k, s, object, TRACK_FREE, addr);
		trace(k, s, slab, object, 0, fn);
		init_object(k, s, object, SLUB_RED_INACTIVE);
		if (object == tail) {
			checks_ok = true;
			break;
		}
		object = get_freepointer(k, s, object);
	}
	if (cnt != *bulk_cnt) {
		slab_err_r(k, &r, s, slab, fn, "Bulk free expected %d objects but found %d\n",
			   *bulk_cnt, cnt);
		rep_raise(k, &r, KMM_REPORT_ERROR, fn, "bulk count");
		*bulk_cnt = cnt;
	}
out:
	if (!checks_ok) {
		rep_fix(&r, s, "Object at 0x%016" PRIx64 " not freed", object);
		rep_raise(k, &r, KMM_REPORT_INFO, fn, "slab_fix");
		return false;
	}
	for (object = head;; object = get_freepointer(k, s, object)) {
		objmap_set(k, object, false);
		if (object == tail)
			break;
	}
	return true;
}

/* ---- slub_debug= ---------------------------------------------------------------------- */

/*
 * Models: mm/slub.c:parse_slub_debug_flags(): one ';'-separated block "FLAGS[,cache,...]".
 * Sets *@flags and *@slabs (the cache list, or NULL); returns the next block or NULL. The
 * command-line parser has already refused unknown letters.
 */
static const char *parse_slub_debug_flags(const char *str, slab_flags_t *flags, const char **slabs,
					  bool init, bool *higher_order_disable)
{
	while (*str == ';')
		str++;
	if (*str == ',') {
		*flags = DEBUG_DEFAULT_FLAGS; /* only a cache list: full debugging for those */
		goto check_slabs;
	}
	*flags = 0;
	for (; *str && *str != ',' && *str != ';'; str++) {
		switch (*str | 0x20) {
		case '-':
			*flags = 0;
			break;
		case 'f':
			*flags |= SLAB_CONSISTENCY_CHECKS;
			break;
		case 'z':
			*flags |= SLAB_RED_ZONE;
			break;
		case 'p':
			*flags |= SLAB_POISON;
			break;
		case 'u':
			*flags |= SLAB_STORE_USER;
			break;
		case 't':
			*flags |= SLAB_TRACE;
			break;
		case 'a':
			*flags |= SLAB_FAILSLAB;
			break;
		case 'o':
			if (init && higher_order_disable)
				*higher_order_disable = true;
			break;
		default:
			break;
		}
	}
check_slabs:
	*slabs = *str == ',' ? str + 1 : NULL;
	if (*str == ',')
		str++;
	while (*str && *str != ';')
		str++;
	while (*str == ';')
		str++;
	return *str ? str : NULL;
}

/* Models: mm/slub.c:setup_slub_debug() for "slub_debug" (@str NULL) or "slub_debug=STR". */
static void setup_slub_debug(struct kmem_globals *g, const char *str)
{
	slab_flags_t global_flags = DEBUG_DEFAULT_FLAGS, flags;
	bool changed = false, list_specified = false, hod = false;
	const char *slab_list, *p = str;

	if (str && *str) {
		while (p) {
			p = parse_slub_debug_flags(p, &flags, &slab_list, true, &hod);
			if (!slab_list) {
				global_flags = flags;
				changed = true;
			} else {
				list_specified = true;
			}
		}
		if (list_specified) {
			if (!changed)
				global_flags = 0; /* CONFIG_SLUB_DEBUG_ON is not set */
			g->slub_debug_string = str;
		}
	}
	g->slub_debug = global_flags;
	g->disable_higher_order_debug = hod;
}

slab_flags_t kmem_cache_flags(const struct kmm_kernel *k, unsigned int object_size,
			      slab_flags_t flags, const char *name)
{
	const struct kmem_globals *g = &k->kmem;
	slab_flags_t block_flags, slub_debug_local = g->slub_debug;
	const char *next_block = g->slub_debug_string, *iter;
	size_t len = strlen(name);

	if (flags & SLAB_NO_USER_FLAGS)
		return flags;
	if (flags & SLAB_NOLEAKTRACE)
		slub_debug_local &= ~SLAB_STORE_USER;
	while (next_block) {
		next_block = parse_slub_debug_flags(next_block, &block_flags, &iter, false, NULL);
		if (!iter)
			continue;
		while (*iter) {
			const char *end = strchr(iter, ',');
			const char *glob;
			size_t cmplen;

			if (!end)
				end = iter + strlen(iter);
			if (next_block && next_block < end)
				end = next_block - 1;
			glob = memchr(iter, '*', (size_t)(end - iter));
			cmplen = glob ? (size_t)(glob - iter) : max(len, (size_t)(end - iter));
			if (!strncmp(name, iter, cmplen))
				return flags | block_flags;
			if (!*end || *end == ';')
				break;
			iter = end + 1;
		}
	}
	return flags | slub_debug_local;
}

/* ---- hooks ---------------------------------------------------------------------------- */

/* Models: mm/slub.c:slab_free_hook() with init_on_free (no KASAN: never delays reuse). */
static void slab_free_hook(struct kmm_kernel *k, const struct kmem_cache *s, uint64_t x, bool init)
{
	uint8_t *p;
	unsigned int rsize;

	if (!init)
		return;
	p = kmem_host(k, x, s->size - (s->flags & SLAB_RED_ZONE ? s->red_left_pad : 0));
	if (!p)
		return;
	memset(p, 0, s->object_size);
	rsize = (s->flags & SLAB_RED_ZONE) ? s->red_left_pad : 0;
	memset(p + s->inuse, 0, s->size - s->inuse - rsize);
}

/*
 * Models: mm/slub.c:slab_free_freelist_hook(): runs the free hook on each object of the
 * chain @head..@tail and rebuilds the chain (the hook may have wiped the free pointers).
 */
static void slab_free_freelist_hook(struct kmm_kernel *k, const struct kmem_cache *s,
				    uint64_t *head, uint64_t *tail)
{
	uint64_t object, next = *head, old_tail = *tail ? *tail : *head;
	bool init = slab_want_init_on_free(k, s);

	if (!init)
		return; /* the hook does nothing: the chain stays as it is */
	*head = 0;
	*tail = 0;
	do {
		object = next;
		next = get_freepointer(k, s, object);
		slab_free_hook(k, s, object, true);
		set_freepointer(k, s, object, *head);
		*head = object;
		if (!*tail)
			*tail = object;
	} while (object != old_tail);
	if (*head == *tail)
		*tail = 0;
}

/* Models: mm/slub.c:setup_object(): debug initialisation, then the constructor. */
static uint64_t setup_object(struct kmm_kernel *k, const struct kmem_cache *s, uint64_t object)
{
	setup_object_debug(k, s, object);
	if (s->ctor) {
		uint8_t *mem = kmem_host(k, object, s->object_size);

		if (mem)
			s->ctor(s->ctor_arg, object, mem, s->object_size);
	}
	return object;
}

/*
 * Models: mm/slab.h:slab_post_alloc_hook(): zeroes with init_on_alloc / __GFP_ZERO; the
 * objects enter the object map.
 */
static void slab_post_alloc_hook(struct kmm_kernel *k, const struct kmem_cache *s, size_t size,
				 uint64_t *p, bool init)
{
	for (size_t i = 0; i < size; i++) {
		if (!p[i])
			continue;
		if (init) {
			uint8_t *mem = kmem_host(k, p[i], s->object_size);

			if (mem)
				zero_object(mem, s->object_size);
			charge_zero(k, s->object_size);
		}
		objmap_set(k, p[i], true);
	}
}

/* Models: mm/slub.c:maybe_wipe_obj_freeptr(). */
static void maybe_wipe_obj_freeptr(struct kmm_kernel *k, const struct kmem_cache *s, uint64_t obj)
{
	uint8_t *p;

	if (!slab_want_init_on_free(k, s) || !obj)
		return;
	p = kmem_host(k, obj + s->offset, 8);
	if (p)
		memset(p, 0, 8);
}

/* ---- slab pages ----------------------------------------------------------------------- */

/* Models: mm/slab.h:account_slab() / unaccount_slab(): the node's slab byte counters. */
static void account_slab(struct kmm_kernel *k, const struct slab *slab, unsigned int order,
			 const struct kmem_cache *s, long sign)
{
	pg_data_t *pgdat = NODE_DATA(k, slab_nid(slab));
	enum node_stat_item idx =
		(s->flags & SLAB_RECLAIM_ACCOUNT) ? NR_SLAB_RECLAIMABLE_B : NR_SLAB_UNRECLAIMABLE_B;

	pgdat->vm_stat[idx] += sign * (long)(PAGE_SIZE << order);
}

/* page->lru.next bit 1: the page came from the memalloc reserves (mm.h:page_is_pfmemalloc). */
static inline bool page_is_pfmemalloc(const struct page *page)
{
	return ((uintptr_t)page->lru.next & 2) != 0;
}

/* Models: mm/slub.c:alloc_slab_page(). */
static struct slab *alloc_slab_page(struct kmm_kernel *k, gfp_t flags, int node,
				    struct kmem_cache_order_objects oo)
{
	unsigned int order = oo_order(oo);
	struct page *page;
	bool pfmemalloc;
	struct slab *slab;

	if (node == NUMA_NO_NODE)
		page = alloc_pages(k, flags, order);
	else
		page = alloc_pages_node(k, node, flags, order);
	if (!page)
		return NULL;
	pfmemalloc = page_is_pfmemalloc(page);
	slab = page_slab(page);
	__SetPageSlab(page);
	if (pfmemalloc)
		set_page_flag(page, PG_active);
	return slab;
}

/* Models: mm/slub.c:init_cache_random_seq(): the sequence scaled to byte offsets. */
static int init_cache_random_seq(struct kmm_kernel *k, struct kmem_cache *s)
{
	unsigned int count = oo_objects(s->oo);
	int err;

	if (s->random_seq)
		return 0;
	err = cache_random_seq_create(k, s, count, GFP_KERNEL);
	if (err) {
		env_printk(k->env, "SLUB: Unable to initialize free list for %s\n", s->name);
		return err;
	}
	if (s->random_seq)
		for (unsigned int i = 0; i < count; i++)
			s->random_seq[i] *= s->size;
	return 0;
}

/* Models: mm/slub.c:init_freelist_randomization(). */
static void init_freelist_randomization(struct kmm_kernel *k)
{
	struct list_head *pos;

	for (pos = k->kmem.slab_caches.next; pos != &k->kmem.slab_caches; pos = pos->next)
		init_cache_random_seq(k, list_entry(pos, struct kmem_cache, list));
}

/* Models: mm/slub.c:next_freelist_entry(). */
static uint64_t next_freelist_entry(const struct kmem_cache *s, unsigned long *pos, uint64_t start,
				    unsigned long page_limit, unsigned long freelist_count)
{
	unsigned int idx;

	do {
		idx = s->random_seq[*pos];
		*pos += 1;
		if (*pos >= freelist_count)
			*pos = 0;
	} while (idx >= page_limit);
	return start + idx;
}

/* Models: mm/slub.c:shuffle_freelist(). The start position comes from the machine's PRNG. */
static bool shuffle_freelist(struct kmm_kernel *k, const struct kmem_cache *s, struct slab *slab)
{
	unsigned long idx, pos, page_limit, freelist_count;
	uint64_t start, cur, next;

	if (slab->objects < 2 || !s->random_seq)
		return false;
	freelist_count = oo_objects(s->oo);
	pos = (unsigned long)(((env_random(k->env) >> 32) * freelist_count) >> 32);
	page_limit = (unsigned long)slab->objects * s->size;
	start = fixup_red_left(s, slab_address(k, slab));
	cur = next_freelist_entry(s, &pos, start, page_limit, freelist_count);
	cur = setup_object(k, s, cur);
	slab->freelist = cur;
	for (idx = 1; idx < slab->objects; idx++) {
		next = next_freelist_entry(s, &pos, start, page_limit, freelist_count);
		next = setup_object(k, s, next);
		set_freepointer(k, s, cur, next);
		cur = next;
	}
	set_freepointer(k, s, cur, 0);
	return true;
}

/* Models: mm/slub.c:allocate_slab(): the preferred order, else the minimum one. */
static struct slab *allocate_slab(struct kmm_kernel *k, struct kmem_cache *s, gfp_t flags, int node)
{
	struct kmem_cache_order_objects oo = s->oo;
	struct slab *slab;
	gfp_t alloc_gfp;
	uint64_t start, p, next;

	flags |= s->allocflags;
	/* Let the preferred higher order fail under pressure: fall back to the minimum. */
	alloc_gfp = (flags | __GFP_NOWARN | __GFP_NORETRY) & ~__GFP_NOFAIL;
	if ((alloc_gfp & __GFP_DIRECT_RECLAIM) && oo_order(oo) > oo_order(s->min))
		alloc_gfp = (alloc_gfp | __GFP_NOMEMALLOC) & ~__GFP_RECLAIM;
	slab = alloc_slab_page(k, alloc_gfp, node, oo);
	if (!slab) {
		oo = s->min;
		alloc_gfp = flags;
		slab = alloc_slab_page(k, alloc_gfp, node, oo);
		if (!slab)
			return NULL;
	}
	slab->objects = oo_objects(oo);
	slab->inuse = 0;
	slab->frozen = 0;
	env_charge(k->env, COST_slab_new);
	env_charge_n(k->env, COST_slab_init_obj, slab->objects);
	account_slab(k, slab, oo_order(oo), s, 1);
	slab->slab_cache = s;
	setup_slab_debug(k, s, slab);
	if (!shuffle_freelist(k, s, slab)) {
		start = fixup_red_left(s, slab_address(k, slab));
		start = setup_object(k, s, start);
		slab->freelist = start;
		p = start;
		for (unsigned int idx = 0; idx + 1 < slab->objects; idx++) {
			next = setup_object(k, s, p + s->size);
			set_freepointer(k, s, p, next);
			p = next;
		}
		set_freepointer(k, s, p, 0);
	}
	return slab;
}

/* Models: mm/slub.c:new_slab(). */
static struct slab *new_slab(struct kmm_kernel *k, struct kmem_cache *s, gfp_t flags, int node)
{
	if (flags & GFP_SLAB_BUG_MASK)
		flags = kmalloc_fix_flags(k, flags);
	if (s->ctor && (flags & __GFP_ZERO)) {
		const struct bug_site *site =
			BUG_SITE(2001, "new_slab", "s->ctor && (flags & __GFP_ZERO)");

		if (__warn_once_first(k->env, site)) /* WARN_ON_ONCE */
			slab_warn(k, site, "new_slab\n ___slab_alloc", NULL, NULL);
	}
	return allocate_slab(k, s, flags & (GFP_RECLAIM_MASK | GFP_CONSTRAINT_MASK), node);
}

/* Models: mm/slub.c:__free_slab(). Deviation: no RCU, so free_slab() is this at once. */
static void free_slab(struct kmm_kernel *k, struct kmem_cache *s, struct slab *slab)
{
	struct page *page = slab_page(slab);
	unsigned int order = slab_order(slab);

	if (kmem_cache_debug_flags(s, SLAB_CONSISTENCY_CHECKS)) {
		uint64_t base = slab_address(k, slab), p;

		slab_pad_check(k, s, slab, "__free_slab");
		for (p = fixup_red_left(s, base); p < base + (uint64_t)slab->objects * s->size;
		     p += s->size)
			check_object(k, s, slab, p, SLUB_RED_INACTIVE, "__free_slab");
	}
	objmap_clear_range(k, slab_address(k, slab), slab_size(slab));
	slab_unmark_corrupt(k, slab);
	clear_page_flag(page, PG_active);
	__ClearPageSlab(page);
	page->mapping = NULL;
	account_slab(k, slab, order, s, -1);
	__free_pages(k, page, order);
}

/* Models: mm/slub.c:discard_slab(). */
static void discard_slab(struct kmm_kernel *k, struct kmem_cache *s, struct slab *slab)
{
	dec_slabs_node(s, slab_nid(slab), slab->objects);
	free_slab(k, s, slab);
}

/* Models: mm/slub.c:__add_partial() / add_partial() / remove_partial(). */
static void add_partial(struct kmem_cache_node *n, struct slab *slab, int tail)
{
	n->nr_partial++;
	if (tail == DEACTIVATE_TO_TAIL)
		list_add_tail(&slab->slab_list, &n->partial);
	else
		list_add(&slab->slab_list, &n->partial);
}

static void remove_partial(struct kmem_cache_node *n, struct slab *slab)
{
	list_del(&slab->slab_list);
	n->nr_partial--;
}

/*
 * The next free object for the debug allocation paths: with SLAB_CONSISTENCY_CHECKS the
 * kernel's alloc_debug_processing() checks the pointer itself (and disables the slab if it is
 * bad), so it is taken as it is; without, the model's check applies.
 */
static uint64_t get_freepointer_debug(struct kmm_kernel *k, const struct kmem_cache *s,
				      const struct slab *slab, uint64_t object, const char *fn)
{
	if (s->flags & SLAB_CONSISTENCY_CHECKS)
		return get_freepointer(k, s, object);
	return get_freepointer_checked(k, s, slab, object, fn);
}

/* Models: mm/slub.c:alloc_single_from_partial() (debug caches). */
static uint64_t alloc_single_from_partial(struct kmm_kernel *k, struct kmem_cache *s,
					  struct kmem_cache_node *n, struct slab *slab,
					  unsigned int orig_size)
{
	uint64_t object = slab->freelist;

	slab->freelist = get_freepointer_debug(k, s, slab, object, "alloc_single_from_partial");
	slab->inuse++;
	if (!alloc_debug_processing(k, s, slab, object, orig_size, "alloc_single_from_partial")) {
		if (PageSlab(slab_page(slab)))
			remove_partial(n, slab);
		return 0;
	}
	if (slab->inuse == slab->objects) {
		remove_partial(n, slab);
		add_full(s, n, slab);
	}
	return object;
}

/* Models: mm/slub.c:alloc_single_from_new_slab() (debug caches). */
static uint64_t alloc_single_from_new_slab(struct kmm_kernel *k, struct kmem_cache *s,
					   struct slab *slab, unsigned int orig_size)
{
	int nid = slab_nid(slab);
	struct kmem_cache_node *n = get_node(s, nid);
	uint64_t object = slab->freelist;

	slab->freelist = get_freepointer_debug(k, s, slab, object, "alloc_single_from_new_slab");
	slab->inuse = 1;
	if (!alloc_debug_processing(k, s, slab, object, orig_size, "alloc_single_from_new_slab"))
		return 0;
	if (slab->inuse == slab->objects)
		add_full(s, n, slab);
	else
		add_partial(n, slab, DEACTIVATE_TO_HEAD);
	inc_slabs_node(s, nid, slab->objects);
	return object;
}

/*
 * Models: mm/slub.c:acquire_slab(): takes @slab off the partial list, frozen; returns its
 * freelist (and with @mode takes all of it, marking every object in use).
 */
static uint64_t acquire_slab(struct kmem_cache_node *n, struct slab *slab, int mode)
{
	uint64_t freelist = slab->freelist;

	if (mode) {
		slab->inuse = slab->objects;
		slab->freelist = 0;
	}
	slab->frozen = 1;
	remove_partial(n, slab);
	return freelist;
}

static void put_cpu_partial(struct kmm_kernel *k, struct kmem_cache *s, struct slab *slab,
			    int drain);

/* Models: mm/slub.c:pfmemalloc_match(): memalloc-reserve slabs only for __GFP_MEMALLOC. */
static inline bool pfmemalloc_match(const struct slab *slab, gfp_t gfpflags)
{
	if (slab_test_pfmemalloc(slab))
		return (gfpflags & (__GFP_MEMALLOC | __GFP_NOMEMALLOC)) == __GFP_MEMALLOC;
	return true;
}

struct partial_context {
	struct slab **slab;
	gfp_t flags;
	unsigned int orig_size;
};

/* Models: mm/slub.c:get_partial_node(). */
static uint64_t get_partial_node(struct kmm_kernel *k, struct kmem_cache *s,
				 struct kmem_cache_node *n, struct partial_context *pc)
{
	struct list_head *pos, *tmp;
	uint64_t object = 0;
	unsigned int partial_slabs = 0;

	if (!n || !n->nr_partial)
		return 0;
	for (pos = n->partial.next, tmp = pos->next; pos != &n->partial;
	     pos = tmp, tmp = pos->next) {
		struct slab *slab = list_entry(pos, struct slab, slab_list);
		uint64_t t;

		if (!pfmemalloc_match(slab, pc->flags))
			continue;
		if (kmem_cache_debug(s)) {
			object = alloc_single_from_partial(k, s, n, slab, pc->orig_size);
			if (object)
				break;
			continue;
		}
		t = acquire_slab(n, slab, object == 0);
		if (!object) {
			*pc->slab = slab;
			object = t;
		} else {
			put_cpu_partial(k, s, slab, 0);
			partial_slabs++;
		}
		if (!kmem_cache_has_cpu_partial(s) || partial_slabs > s->cpu_partial_slabs / 2)
			break;
	}
	return object;
}

/*
 * Models: mm/slub.c:get_any_partial(): partial slabs of other nodes, by zonelist distance,
 * when the remote defrag ratio allows (get_cycles() is the simulated cycle counter).
 */
static uint64_t get_any_partial(struct kmm_kernel *k, struct kmem_cache *s,
				struct partial_context *pc)
{
	int nid = numa_node_id(k);
	int highest_zoneidx = gfp_zone(pc->flags);
	const struct zonelist *zl;

	if (!s->remote_node_defrag_ratio || k->env->cycles % 1024 > s->remote_node_defrag_ratio)
		return 0;
	if (highest_zoneidx < 0 || !NODE_DATA(k, nid))
		return 0;
	zl = &NODE_DATA(k, nid)->node_zonelists[(pc->flags & __GFP_THISNODE) ? ZONELIST_NOFALLBACK
									     : ZONELIST_FALLBACK];
	for (const struct zoneref *z = zl->_zonerefs; z->zone; z++) {
		struct kmem_cache_node *n;
		uint64_t object;

		if (z->zone_idx > highest_zoneidx)
			continue;
		n = get_node(s, z->zone->node);
		if (n && n->nr_partial > s->min_partial) {
			object = get_partial_node(k, s, n, pc);
			if (object)
				return object;
		}
	}
	return 0;
}

/* Models: mm/slub.c:get_partial(). */
static uint64_t get_partial(struct kmm_kernel *k, struct kmem_cache *s, int node,
			    struct partial_context *pc)
{
	int searchnode = node == NUMA_NO_NODE ? numa_node_id(k) : node;
	uint64_t object = get_partial_node(k, s, get_node(s, searchnode), pc);

	if (object || node != NUMA_NO_NODE)
		return object;
	return get_any_partial(k, s, pc);
}

/* ---- per-CPU slabs -------------------------------------------------------------------- */

/* TID_STEP is 1: the reference kernel is not CONFIG_PREEMPTION (PREEMPT_VOLUNTARY). */
static inline unsigned long next_tid(unsigned long tid)
{
	return tid + 1;
}

static inline struct kmem_cache_cpu *this_cpu_slab(const struct kmm_kernel *k,
						   const struct kmem_cache *s)
{
	return &s->cpu_slab[smp_processor_id(k)];
}

/* Sets c->slab and the model's cached view of it. */
static inline void cpu_slab_set(const struct kmm_kernel *k, struct kmem_cache_cpu *c,
				struct slab *slab)
{
	c->slab = slab;
	c->slab_va = slab ? slab_address(k, slab) : 0;
	c->slab_host = slab ? slab_mem(k, slab) : NULL;
	c->slab_bytes = slab ? (uint64_t)slab->objects * slab->slab_cache->size : 0;
}

/* Models: mm/slub.c:node_match(). */
static inline bool node_match(const struct slab *slab, int node)
{
	return node == NUMA_NO_NODE || slab_nid(slab) == node;
}

/*
 * Models: mm/slub.c:deactivate_slab(): merges the CPU freelist @freelist back into @slab,
 * unfreezes it and puts it where it belongs: the partial list, the full list, nowhere, or
 * back to the page allocator when empty and the node has min_partial partial slabs.
 */
static void deactivate_slab(struct kmm_kernel *k, struct kmem_cache *s, struct slab *slab,
			    uint64_t freelist)
{
	struct kmem_cache_node *n = get_node(s, slab_nid(slab));
	int tail = slab->freelist ? DEACTIVATE_TO_TAIL : DEACTIVATE_TO_HEAD;
	uint64_t iter = freelist, freelist_tail = 0, new_freelist;
	unsigned int free_delta = 0, inuse;

	/* Stage one: count the CPU freelist and find its tail. */
	while (iter) {
		uint64_t nextfree = get_freepointer(k, s, iter);

		if (freelist_corrupted(k, s, slab, &iter, nextfree, "deactivate_slab"))
			break;
		freelist_tail = iter;
		free_delta++;
		iter = nextfree;
	}
	/* Stage two: splice it in front of the slab's freelist and unfreeze. */
	inuse = slab->inuse;
	if (freelist_tail) {
		inuse -= free_delta;
		set_freepointer(k, s, freelist_tail, slab->freelist);
		new_freelist = freelist;
	} else {
		new_freelist = slab->freelist;
	}
	slab->freelist = new_freelist;
	slab->inuse = inuse;
	slab->frozen = 0;
	if (!inuse && n->nr_partial >= s->min_partial)
		discard_slab(k, s, slab);
	else if (new_freelist)
		add_partial(n, slab, tail);
	else
		add_full(s, n, slab); /* listed only with SLAB_STORE_USER */
}

/* Models: mm/slub.c:__unfreeze_partials(): CPU partial slabs to their nodes' lists. */
static void __unfreeze_partials(struct kmm_kernel *k, struct kmem_cache *s,
				struct slab *partial_slab)
{
	struct slab *slab, *slab_to_discard = NULL;

	while (partial_slab) {
		struct kmem_cache_node *n;

		slab = partial_slab;
		partial_slab = slab->next;
		n = get_node(s, slab_nid(slab));
		slab->frozen = 0;
		if (!slab->inuse && n->nr_partial >= s->min_partial) {
			slab->next = slab_to_discard;
			slab_to_discard = slab;
		} else {
			add_partial(n, slab, DEACTIVATE_TO_TAIL);
		}
	}
	while (slab_to_discard) {
		slab = slab_to_discard;
		slab_to_discard = slab_to_discard->next;
		discard_slab(k, s, slab);
	}
}

/* Models: mm/slub.c:unfreeze_partials_cpu(). */
static void unfreeze_partials_cpu(struct kmm_kernel *k, struct kmem_cache *s,
				  struct kmem_cache_cpu *c)
{
	struct slab *partial_slab = c->partial;

	c->partial = NULL;
	if (partial_slab)
		__unfreeze_partials(k, s, partial_slab);
}

/*
 * Models: mm/slub.c:put_cpu_partial(): a just-frozen slab onto this CPU's partial chain;
 * with @drain, a chain already at cpu_partial_slabs goes to the node lists first.
 */
static void put_cpu_partial(struct kmm_kernel *k, struct kmem_cache *s, struct slab *slab,
			    int drain)
{
	struct kmem_cache_cpu *c = this_cpu_slab(k, s);
	struct slab *oldslab = c->partial, *slab_to_unfreeze = NULL;
	int slabs = 0;

	if (oldslab) {
		if (drain && oldslab->slabs >= (int)s->cpu_partial_slabs) {
			slab_to_unfreeze = oldslab;
			oldslab = NULL;
		} else {
			slabs = oldslab->slabs;
		}
	}
	slab->slabs = slabs + 1;
	slab->next = oldslab;
	c->partial = slab;
	if (slab_to_unfreeze)
		__unfreeze_partials(k, s, slab_to_unfreeze);
}

/*
 * Models: mm/slub.c:__flush_cpu_slab(): deactivates @cpu's slab and unfreezes its partials.
 * The kernel runs this on @cpu (flush_cpu_slab from a work item), so the pages it frees go
 * to that CPU's pcp lists: the model runs it as @cpu too.
 */
static void __flush_cpu_slab(struct kmm_kernel *k, struct kmem_cache *s, int cpu)
{
	struct kmem_cache_cpu *c = &s->cpu_slab[cpu];
	uint64_t freelist = c->freelist;
	struct slab *slab = c->slab;
	int saved = k->env->cur_cpu;

	cpu_slab_set(k, c, NULL);
	c->freelist = 0;
	c->tid = next_tid(c->tid);
	k->env->cur_cpu = cpu;
	if (slab)
		deactivate_slab(k, s, slab, freelist);
	unfreeze_partials_cpu(k, s, c);
	k->env->cur_cpu = saved;
}

/* Models: mm/slub.c:flush_all(): every CPU that holds a slab or partials of @s. */
static void flush_all(struct kmm_kernel *k, struct kmem_cache *s)
{
	for (int cpu = 0; cpu < k->nr_cpus; cpu++) {
		const struct kmem_cache_cpu *c = &s->cpu_slab[cpu];

		if (c->slab || c->partial)
			__flush_cpu_slab(k, s, cpu);
	}
}

static int count_free(const struct slab *slab)
{
	return slab->objects - slab->inuse;
}

/* Models: mm/slub.c:count_partial(). */
static unsigned long count_partial(const struct kmem_cache_node *n,
				   int (*get_count)(const struct slab *))
{
	unsigned long x = 0;

	for (const struct list_head *pos = n->partial.next; pos != &n->partial; pos = pos->next)
		x += (unsigned long)get_count(list_entry(pos, struct slab, slab_list));
	return x;
}

/* Models: mm/slub.c:slab_out_of_memory() (no ratelimit: every failure is reported). */
static void slab_out_of_memory(struct kmm_kernel *k, const struct kmem_cache *s, gfp_t gfpflags,
			       int nid)
{
	struct slab_report r;

	rep_init(&r);
	struct kmem_cache_node *n;
	char gfp[256];
	int node;

	if (gfpflags & __GFP_NOWARN)
		return;
	rep_printf(&r, "SLUB: Unable to allocate memory on node %d, gfp=%#x(%s)\n", nid, gfpflags,
		   format_gfp(gfpflags, gfp, sizeof(gfp)));
	rep_printf(&r,
		   "  cache: %s, object size: %u, buffer size: %u, default order: %u, min "
		   "order: %u\n",
		   s->name, s->object_size, s->size, oo_order(s->oo), oo_order(s->min));
	if (oo_order(s->min) > get_order(s->object_size))
		rep_printf(&r, "  %s debugging increased min order, use slub_debug=O to disable.\n",
			   s->name);
	for_each_kmem_cache_node(k, s, node, n)
		rep_printf(&r, "  node %d: slabs: %ld, objs: %ld, free: %ld\n", node, n->nr_slabs,
			   n->total_objects, (long)count_partial(n, count_free));
	rep_raise(k, &r, KMM_REPORT_WARN, "slab_out_of_memory", "new_slab() failed");
}

/*
 * Models: mm/slub.c:get_freelist(): takes the whole freelist of the CPU slab; the slab
 * stays frozen while it had objects.
 */
static uint64_t get_freelist(struct slab *slab)
{
	uint64_t freelist = slab->freelist;

	slab->freelist = 0;
	slab->inuse = slab->objects;
	slab->frozen = freelist != 0;
	return freelist;
}

/*
 * Models: mm/slub.c:___slab_alloc(): the slow path. Refill from the CPU slab's own freelist,
 * else take a CPU partial slab, else a node partial slab, else a new slab.
 */
static uint64_t ___slab_alloc(struct kmm_kernel *k, struct kmem_cache *s, gfp_t gfpflags, int node,
			      unsigned long addr, struct kmem_cache_cpu *c, unsigned int orig_size)
{
	struct partial_context pc;
	struct slab *slab;
	uint64_t freelist;

	env_charge(k->env, COST_slab_alloc_slow);
	slab = c->slab;
	if (!slab) {
		if (node != NUMA_NO_NODE && !k->kmem.slab_nodes[node])
			node = NUMA_NO_NODE;
		goto new_slab;
	}
redo:
	if (!node_match(slab, node)) {
		if (!k->kmem.slab_nodes[node])
			node = NUMA_NO_NODE;
		else
			goto deactivate_slab;
	}
	if (!pfmemalloc_match(slab, gfpflags))
		goto deactivate_slab;
	freelist = c->freelist;
	if (freelist)
		goto load_freelist;
	freelist = get_freelist(slab);
	if (!freelist) {
		cpu_slab_set(k, c, NULL);
		c->tid = next_tid(c->tid);
		goto new_slab;
	}
load_freelist:
	c->freelist = get_freepointer_checked(k, s, c->slab, freelist, "___slab_alloc");
	c->tid = next_tid(c->tid);
	return freelist;

deactivate_slab:
	freelist = c->freelist;
	cpu_slab_set(k, c, NULL);
	c->freelist = 0;
	c->tid = next_tid(c->tid);
	deactivate_slab(k, s, slab, freelist);

new_slab:
	if (c->partial) {
		slab = c->partial;
		cpu_slab_set(k, c, slab);
		c->partial = slab->next;
		goto redo;
	}

new_objects:
	pc.flags = gfpflags;
	pc.slab = &slab;
	pc.orig_size = orig_size;
	freelist = get_partial(k, s, node, &pc);
	if (freelist) {
		if (kmem_cache_debug(s)) {
			if (s->flags & SLAB_STORE_USER)
				set_track(k, s, freelist, TRACK_ALLOC, addr);
			return freelist;
		}
		goto retry_load_slab;
	}
	slab = new_slab(k, s, gfpflags, node);
	if (!slab) {
		slab_out_of_memory(k, s, gfpflags, node);
		return 0;
	}
	if (kmem_cache_debug(s)) {
		freelist = alloc_single_from_new_slab(k, s, slab, orig_size);
		if (!freelist)
			goto new_objects;
		if (s->flags & SLAB_STORE_USER)
			set_track(k, s, freelist, TRACK_ALLOC, addr);
		return freelist;
	}
	/* Nobody else sees the new slab yet: take it whole. */
	freelist = slab->freelist;
	slab->freelist = 0;
	slab->inuse = slab->objects;
	slab->frozen = 1;
	inc_slabs_node(s, slab_nid(slab), slab->objects);
	if (!pfmemalloc_match(slab, gfpflags)) {
		/* Do not make further mismatched allocations easier. */
		deactivate_slab(k, s, slab,
				get_freepointer_checked(k, s, slab, freelist, "___slab_alloc"));
		return freelist;
	}

retry_load_slab:
	if (c->slab) {
		uint64_t flush_freelist = c->freelist;
		struct slab *flush_slab = c->slab;

		cpu_slab_set(k, c, NULL);
		c->freelist = 0;
		c->tid = next_tid(c->tid);
		deactivate_slab(k, s, flush_slab, flush_freelist);
		goto retry_load_slab;
	}
	cpu_slab_set(k, c, slab);
	goto load_freelist;
}

/*
 * The next free object after @object on this CPU's freelist, through the cached host view of
 * the CPU slab; validated like get_freepointer_checked().
 */
static inline uint64_t get_freepointer_fast(struct kmm_kernel *k, const struct kmem_cache *s,
					    const struct kmem_cache_cpu *c, uint64_t object)
{
	uint64_t raw, next, off;

	if (!c->slab_host)
		return get_freepointer_checked(k, s, c->slab, object, "slab_alloc_node");
	memcpy(&raw, c->slab_host + (object - c->slab_va) + s->offset, 8);
	next = freelist_ptr(s, raw, object + s->offset);
	off = next - c->slab_va;
	if (next && (off >= c->slab_bytes || !size_divides(s, off)))
		return get_freepointer_checked(k, s, c->slab, object, "slab_alloc_node");
	return next;
}

/*
 * The fast paths' entry points start on a cache line, so that their speed does not depend on
 * where the linker happens to place them (measured: the mixed kmalloc trace ran 1.6 times
 * slower in one of two builds that differed only in the calling program).
 */
#define SLAB_FAST_ENTRY __attribute__((aligned(64)))

/*
 * The lockless step of slab_alloc_node() in line, for the callers that need nothing else:
 * pops this CPU's freelist when it has an object whose free pointer decodes to 0 or to an
 * object of the CPU slab, and when the only hook to run is zeroing (init_on_free is off).
 * Returns the object, or 0 with nothing changed: the caller then takes the general path,
 * which also reports a corrupted free pointer. Invariant (slub_check): a CPU freelist is
 * never set without the CPU slab's host view.
 */
static inline __attribute__((always_inline)) uint64_t
slab_alloc_fast(struct kmm_kernel *k, struct kmem_cache *s, gfp_t gfpflags)
{
	struct kmem_cache_cpu *c = this_cpu_slab(k, s);
	uint64_t object = c->freelist, next, raw;
	uint8_t *mem;
	unsigned int size;
	bool init;

	if (__builtin_expect(!object || k->kmem.init_on_free, 0))
		return 0;
	mem = c->slab_host + (object - c->slab_va);
	memcpy(&raw, mem + s->offset, 8);
	next = freelist_ptr(s, raw, object + s->offset);
	init = s->init_alloc[(gfpflags & __GFP_ZERO) != 0];
	size = s->object_size;
	if (__builtin_expect(init && size > ZERO_ROWS_MAX, 0))
		return 0; /* memset's call belongs to the general path */
	if (__builtin_expect(next && (next - c->slab_va >= c->slab_bytes ||
				      !size_divides(s, next - c->slab_va)),
			     0))
		return 0;
	/* One charge, made before the stores: after byte stores k->env would be read again. */
	k->env->cycles += s->fast_charge[init];
	c->freelist = next;
	c->tid = next_tid(c->tid);
	objmap_mark(k, object);
	if (init)
		zero_object_small(mem, size);
	return object;
}

/*
 * Models: mm/slub.c:slab_alloc_node(): the fast path takes the head of this CPU's freelist;
 * anything else goes through ___slab_alloc(). Returns the object's VA or 0.
 */
static uint64_t slab_alloc_node(struct kmm_kernel *k, struct kmem_cache *s, gfp_t gfpflags,
				int node, unsigned long addr, size_t orig_size)
{
	struct kmem_cache_cpu *c = this_cpu_slab(k, s);
	uint64_t object = c->freelist;
	struct slab *slab = c->slab;
	uint8_t *mem;

	if (!object || !slab || !node_match(slab, node) || !c->slab_host) {
		object = ___slab_alloc(k, s, gfpflags, node, addr, c, (unsigned int)orig_size);
		maybe_wipe_obj_freeptr(k, s, object);
		slab_post_alloc_hook(k, s, 1, &object, slab_want_init_on_alloc(k, gfpflags, s));
		return object;
	}
	c->freelist = get_freepointer_fast(k, s, c, object);
	c->tid = next_tid(c->tid);
	env_charge(k->env, COST_slab_alloc_fast);
	/* The hooks, through the CPU slab's host view. */
	mem = c->slab_host + (object - c->slab_va);
	if (k->kmem.init_on_free)
		maybe_wipe_obj_freeptr(k, s, object);
	if (slab_want_init_on_alloc(k, gfpflags, s)) {
		zero_object(mem, s->object_size);
		charge_zero(k, s->object_size);
	}
	objmap_set(k, object, true);
	return object;
}

uint64_t __kmem_cache_alloc_node(struct kmm_kernel *k, struct kmem_cache *s, gfp_t flags, int node,
				 size_t orig_size, unsigned long caller)
{
	return slab_alloc_node(k, s, flags, node, caller, orig_size);
}

/* kmem_cache_alloc() beyond its fast path (out of line: the fast path stays a leaf). */
static __attribute__((noinline)) uint64_t kmem_cache_alloc_slow(struct kmm_kernel *k,
								struct kmem_cache *s, gfp_t flags)
{
	uint64_t ret = slab_alloc_node(k, s, flags, NUMA_NO_NODE, _RET_IP_(kmem_cache_alloc),
				       s->object_size);

	trace_kmem_cache_alloc(k, _RET_IP_(kmem_cache_alloc), ret, s, flags, NUMA_NO_NODE);
	return ret;
}

SLAB_FAST_ENTRY uint64_t kmem_cache_alloc(struct kmm_kernel *k, struct kmem_cache *s, gfp_t flags)
{
	uint64_t ret;

	if (__builtin_expect(trace_enabled(k->env, TRACE_kmem_cache_alloc), 0))
		return kmem_cache_alloc_slow(k, s, flags);
	ret = slab_alloc_fast(k, s, flags);
	return ret ? ret : kmem_cache_alloc_slow(k, s, flags);
}

uint64_t kmem_cache_alloc_node(struct kmm_kernel *k, struct kmem_cache *s, gfp_t flags, int node)
{
	uint64_t ret =
		slab_alloc_node(k, s, flags, node, _RET_IP_(kmem_cache_alloc_node), s->object_size);

	trace_kmem_cache_alloc(k, _RET_IP_(kmem_cache_alloc_node), ret, s, flags, node);
	return ret;
}

/*
 * kmalloc's common case in line: the size class from kmalloc_slab()'s one table, then the
 * CPU freelist step. 0 with nothing changed when the general path must run: sizes 0 and
 * above 8 KiB, a traced kmalloc event, anything slab_alloc_fast() leaves.
 */
static inline __attribute__((always_inline)) uint64_t kmalloc_fast(struct kmm_kernel *k,
								   size_t size, gfp_t flags)
{
	struct kmem_cache *s;

	if (__builtin_expect(
		    size - 1 >= KMALLOC_MAX_CACHE_SIZE || trace_enabled(k->env, TRACE_kmalloc), 0))
		return 0;
	s = kmalloc_slab(k, size, flags);
	return s ? slab_alloc_fast(k, s, flags) : 0;
}

/*
 * Models: include/linux/slab.h:kmalloc() with a size known only at run time, which calls
 * mm/slab_common.c:__kmalloc() -> __do_kmalloc_node() -> kmalloc_slab() and SLUB's
 * slab_alloc_node(). Deviation: the common case runs here in line (kmalloc_fast()); the rest
 * goes through __do_kmalloc_node() unchanged.
 */
SLAB_FAST_ENTRY uint64_t __kmalloc(struct kmm_kernel *k, size_t size, gfp_t flags)
{
	uint64_t ret = kmalloc_fast(k, size, flags);

	return ret ? ret : __do_kmalloc_node(k, size, flags, NUMA_NO_NODE, _RET_IP_(__kmalloc));
}

/* Models: mm/slab_common.c:__kmalloc_node_track_caller(), with kmalloc_fast() first. */
uint64_t __kmalloc_node_track_caller(struct kmm_kernel *k, size_t size, gfp_t flags, int node,
				     unsigned long caller)
{
	uint64_t ret = node == NUMA_NO_NODE ? kmalloc_fast(k, size, flags) : 0;

	return ret ? ret : __do_kmalloc_node(k, size, flags, node, caller);
}

/* Models: mm/slub.c:free_to_partial_list(): the free path of debug caches. */
static void free_to_partial_list(struct kmm_kernel *k, struct kmem_cache *s, struct slab *slab,
				 uint64_t head, uint64_t tail, int bulk_cnt, unsigned long addr)
{
	struct kmem_cache_node *n = get_node(s, slab_nid(slab));
	struct slab *slab_free = NULL;
	int cnt = bulk_cnt;

	if (free_debug_processing(k, s, slab, head, tail, &cnt, addr, "free_to_partial_list")) {
		uint64_t prior = slab->freelist;

		slab->inuse -= cnt;
		set_freepointer(k, s, tail, prior);
		slab->freelist = head;
		/* Empty and the node has enough partial slabs: discard, whichever list. */
		if (slab->inuse == 0 && n->nr_partial >= s->min_partial)
			slab_free = slab;
		if (!prior) {
			remove_full(s, slab); /* it was full */
			if (!slab_free)
				add_partial(n, slab, DEACTIVATE_TO_TAIL);
		} else if (slab_free) {
			remove_partial(n, slab);
		}
	}
	if (slab_free) {
		dec_slabs_node(s, slab_nid(slab_free), slab_free->objects);
		free_slab(k, s, slab_free);
	}
}

/*
 * Models: mm/slub.c:__slab_free(): @cnt objects @head..@tail (chained) back to @slab when it
 * is not this CPU's slab. A full slab gets frozen onto the CPU partial list; an empty one
 * goes back to the page allocator when the node has min_partial partial slabs.
 */
static void __slab_free(struct kmm_kernel *k, struct kmem_cache *s, struct slab *slab,
			uint64_t head, uint64_t tail, int cnt, unsigned long addr)
{
	struct kmem_cache_node *n = NULL;
	uint64_t prior;
	bool was_frozen, frozen;
	unsigned int inuse;

	env_charge(k->env, COST_slab_free_slow);
	if (kmem_cache_debug(s)) {
		free_to_partial_list(k, s, slab, head, tail, cnt, addr);
		return;
	}
	prior = slab->freelist;
	set_freepointer(k, s, tail, prior);
	was_frozen = slab->frozen;
	frozen = was_frozen;
	inuse = slab->inuse - (unsigned int)cnt;
	if ((!inuse || !prior) && !was_frozen) {
		if (kmem_cache_has_cpu_partial(s) && !prior)
			frozen = true; /* was on no list, will be partial: freeze it */
		else
			n = get_node(s, slab_nid(slab));
	}
	slab->freelist = head;
	slab->inuse = inuse;
	slab->frozen = frozen;
	if (!n) {
		if (!was_frozen && frozen)
			put_cpu_partial(k, s, slab, 1);
		return;
	}
	if (!inuse && n->nr_partial >= s->min_partial) {
		if (prior)
			remove_partial(n, slab);
		else
			remove_full(s, slab);
		discard_slab(k, s, slab);
		return;
	}
	if (!kmem_cache_has_cpu_partial(s) && !prior) {
		remove_full(s, slab);
		add_partial(n, slab, DEACTIVATE_TO_TAIL);
	}
}

/* Models: mm/slub.c:do_slab_free(): onto this CPU's freelist when @slab is its slab. */
static inline void do_slab_free(struct kmm_kernel *k, struct kmem_cache *s, struct slab *slab,
				uint64_t head, uint64_t tail, int cnt, unsigned long addr)
{
	uint64_t tail_obj = tail ? tail : head;
	struct kmem_cache_cpu *c = this_cpu_slab(k, s);

	if (slab != c->slab) {
		__slab_free(k, s, slab, head, tail_obj, cnt, addr);
		return;
	}
	if (c->slab_host && tail_obj != c->freelist) {
		uint64_t raw = freelist_ptr(s, c->freelist, tail_obj + s->offset);

		memcpy(c->slab_host + (tail_obj - c->slab_va) + s->offset, &raw, 8);
	} else {
		set_freepointer(k, s, tail_obj, c->freelist);
	}
	c->freelist = head;
	c->tid = next_tid(c->tid);
	env_charge(k->env, COST_slab_free_fast);
}

/* Models: mm/slub.c:slab_free(). */
static inline void slab_free(struct kmm_kernel *k, struct kmem_cache *s, struct slab *slab,
			     uint64_t head, uint64_t tail, int cnt, unsigned long addr)
{
	slab_free_freelist_hook(k, s, &head, &tail);
	do_slab_free(k, s, slab, head, tail, cnt, addr);
}

/* The report for a free slab_free_prepare() refuses (out of line: the paths stay lean). */
static __attribute__((noinline, cold)) void report_bad_free(struct kmm_kernel *k,
							    struct kmem_cache *s, struct slab *slab,
							    uint64_t x, const char *fn,
							    bool invalid)
{
	struct slab_report r;

	rep_init(&r);
	if (invalid)
		slab_err_r(k, &r, s, slab, fn, "Invalid object pointer 0x%016" PRIx64, x);
	else
		object_err_r(k, &r, s, slab, x, "Object already free", fn);
	rep_fix(&r, s, "Object at 0x%016" PRIx64 " not freed", x);
	rep_raise(k, &r, KMM_REPORT_ERROR, fn,
		  invalid ? "Invalid object pointer" : "Object already free");
}

/*
 * The model's check of one object about to be freed to @s (the kernel makes it only with
 * slub_debug=F, which then makes it itself): @x must be an allocated object of @slab.
 * False, with the report slub_debug=F would print, if not; then nothing is freed.
 */
static inline bool slab_free_prepare_at(struct kmm_kernel *k, struct kmem_cache *s,
					struct slab *slab, uint64_t base, uint64_t x,
					const char *fn)
{
	uint64_t *w, b;

	if (s->flags & SLAB_CONSISTENCY_CHECKS)
		return true;
	if (!object_in_slab(s, base, slab->objects, x)) {
		report_bad_free(k, s, slab, x, fn, true);
		return false;
	}
	if (!objmap_pos(k, x, &w, &b) || !(*w & b)) {
		report_bad_free(k, s, slab, x, fn, false);
		return false;
	}
	*w &= ~b;
	return true;
}

static inline bool slab_free_prepare(struct kmm_kernel *k, struct kmem_cache *s, struct slab *slab,
				     uint64_t x, const char *fn)
{
	return slab_free_prepare_at(k, s, slab, slab_address(k, slab), x, fn);
}

/*
 * The free fast path's step, in line: @x is an allocated object of this CPU's slab of @s when
 * it lies among that slab's objects, is 8-byte aligned and has its object-map bit set (only
 * object starts have bits, and objects start 8-byte aligned). Then it goes on the CPU
 * freelist, as do_slab_free() does, and true is returned. False changes nothing: the general
 * path runs, and reports a bad pointer. Debug caches have no CPU slab (slub_check), and with
 * init_on_free the free hook runs there.
 */
static inline __attribute__((always_inline)) bool slab_free_fast(struct kmm_kernel *k,
								 const struct kmem_cache *s,
								 struct kmem_cache_cpu *c,
								 uint64_t x)
{
	uint64_t off = x - c->slab_va, *w, b, raw;

	if (__builtin_expect(off >= c->slab_bytes || (x & 7) || k->kmem.init_on_free, 0))
		return false;
	w = objmap_word(k, objmap_index(k, x), &b);
	if (__builtin_expect(!(*w & b), 0))
		return false;
	*w &= ~b;
	raw = freelist_ptr(s, c->freelist, x + s->offset);
	memcpy(c->slab_host + off + s->offset, &raw, 8);
	c->freelist = x;
	c->tid = next_tid(c->tid);
	k->env->cycles += s->fast_charge[2];
	return true;
}

void __kmem_cache_free(struct kmm_kernel *k, struct kmem_cache *s, uint64_t x, unsigned long caller)
{
	struct slab *slab;

	if (slab_free_fast(k, s, this_cpu_slab(k, s), x))
		return;
	slab = virt_to_slab(k, x);

	if (!slab || !slab_free_prepare(k, s, slab, x, "kfree"))
		return;
	slab_free(k, s, slab, x, 0, 1, caller);
}

/*
 * kfree's common case in line: the slab from the memory map, then the CPU freelist step.
 * False with nothing changed when kfree_general() must run: a traced kfree event, anything
 * outside the memory map or not in a slab, anything slab_free_fast() leaves.
 */
static inline __attribute__((always_inline)) bool kfree_fast(struct kmm_kernel *k, uint64_t x)
{
	/* The object map spans the memory map's PFNs from objmap_va0 (which is __va() of
	 * vmemmap_base), 8 bytes a bit: the struct page is the bit's 512th. */
	uint64_t idx = objmap_index(k, x);
	struct page *page;
	struct kmem_cache *s;

	if (__builtin_expect(idx >= k->kmem.objmap_bits || trace_enabled(k->env, TRACE_kfree), 0))
		return false;
	/* The memory map is host memory over the whole PFN span, holes too (zero there). */
	page = compound_head(k->vmemmap + (idx >> (PAGE_SHIFT - 3)));
	if (!PageSlab(page))
		return false;
	s = page_slab(page)->slab_cache;
	return slab_free_fast(k, s, this_cpu_slab(k, s), x);
}

/*
 * Models: mm/slab_common.c:kfree(). Deviation: the common case runs here in line
 * (kfree_fast()); the rest goes through kfree_general() unchanged.
 */
SLAB_FAST_ENTRY void kfree(struct kmm_kernel *k, uint64_t x)
{
	if (!kfree_fast(k, x))
		kfree_general(k, x, _RET_IP_(kfree));
}

/* kfree() with the call site the trace event and the free track show. */
void kfree_caller(struct kmm_kernel *k, uint64_t x, unsigned long caller)
{
	if (!kfree_fast(k, x))
		kfree_general(k, x, caller);
}

/* Models: mm/slab.h:cache_from_obj() (CONFIG_SLAB_FREELIST_HARDENED makes it check). */
static struct kmem_cache *cache_from_obj(struct kmm_kernel *k, struct kmem_cache *s, uint64_t x)
{
	struct slab *slab = virt_to_slab(k, x);
	struct kmem_cache *cachep;

	if (!slab) {
		if (!virt_to_page_safe(k, x))
			slab_bad_address(k, "virt_to_cache\n kmem_cache_free", x);
		else
			slab_warn(k, BUG_SITE_IN("mm/slab.h", 630, "virt_to_cache", "!slab"),
				  "virt_to_cache\n kmem_cache_free",
				  "virt_to_cache: Object is not a Slab page!", NULL);
		return NULL;
	}
	cachep = slab->slab_cache;
	if (cachep != s) {
		struct slab_report r;

		rep_init(&r);
		char msg[256];

		snprintf(msg, sizeof(msg),
			 "cache_from_obj: Wrong slab cache. %s but object is from %s", s->name,
			 cachep->name);
		print_tracking(k, &r, cachep, x);
		slab_warn(k, BUG_SITE_IN("mm/slab.h", 666, "cache_from_obj", "cachep != s"),
			  "cache_from_obj\n kmem_cache_free", msg, r.len ? r.text : NULL);
	}
	return cachep;
}

/* kmem_cache_free() beyond its fast path (out of line: the fast path stays a leaf). */
static __attribute__((noinline)) void kmem_cache_free_slow(struct kmm_kernel *k,
							   struct kmem_cache *s, uint64_t x)
{
	struct slab *slab;

	s = cache_from_obj(k, s, x);
	if (!s)
		return;
	trace_kmem_cache_free(k, _RET_IP_(kmem_cache_free), x, s);
	slab = virt_to_slab(k, x);
	if (!slab_free_prepare(k, s, slab, x, "kmem_cache_free"))
		return;
	slab_free(k, s, slab, x, 0, 1, _RET_IP_(kmem_cache_free));
}

SLAB_FAST_ENTRY void kmem_cache_free(struct kmm_kernel *k, struct kmem_cache *s, uint64_t x)
{
	/* In this CPU's slab of @s, cache_from_obj() would find @s: no lookups. */
	if (__builtin_expect(trace_enabled(k->env, TRACE_kmem_cache_free), 0) ||
	    !slab_free_fast(k, s, this_cpu_slab(k, s), x))
		kmem_cache_free_slow(k, s, x);
}

/* Models: mm/slub.c:struct detached_freelist. */
struct detached_freelist {
	struct slab *slab;
	uint64_t tail, freelist;
	int cnt;
	struct kmem_cache *s;
};

/*
 * Models: mm/slub.c:build_detached_freelist(): from the end of @p, chains the objects of one
 * slab (looking at most three objects past a mismatch). Returns how many entries of @p are
 * left to do. Objects the model refuses (reported) are dropped from the chain.
 */
static size_t build_detached_freelist(struct kmm_kernel *k, struct kmem_cache *s, size_t size,
				      uint64_t *p, struct detached_freelist *df)
{
	int lookahead = 3;
	uint64_t object = p[--size], base, bytes;
	uint8_t *host;
	size_t same;

	df->slab = virt_to_slab(k, object);
	if (!s) {
		if (!df->slab) {
			free_large_kmalloc(k, object, "kmem_cache_free_bulk");
			return size;
		}
		df->s = df->slab->slab_cache;
	} else {
		df->s = cache_from_obj(k, s, object);
		if (!df->s) {
			df->slab = NULL;
			return size;
		}
	}
	if (!slab_free_prepare(k, df->s, df->slab, object, "kmem_cache_free_bulk")) {
		df->slab = NULL;
		return size;
	}
	df->tail = object;
	df->freelist = object;
	df->cnt = 1;
	set_freepointer(k, df->s, object, 0);
	base = slab_address(k, df->slab);
	bytes = slab_size(df->slab);
	host = slab_mem(k, df->slab);
	same = size;
	while (size) {
		object = p[--size];
		/* In the slab's pages: what virt_to_slab(object) == df->slab says. */
		if (object - base < bytes) {
			same--;
			if (size != same) {
				uint64_t t = p[size];

				p[size] = p[same];
				p[same] = t;
			}
			if (!slab_free_prepare_at(k, df->s, df->slab, base, object,
						  "kmem_cache_free_bulk"))
				continue;
			if (host && object != df->freelist) {
				uint64_t raw =
					freelist_ptr(df->s, df->freelist, object + df->s->offset);

				memcpy(host + (object - base) + df->s->offset, &raw, 8);
			} else {
				set_freepointer(k, df->s, object, df->freelist);
			}
			df->freelist = object;
			df->cnt++;
			continue;
		}
		if (!--lookahead)
			break;
	}
	return same;
}

void kmem_cache_free_bulk(struct kmm_kernel *k, struct kmem_cache *s, size_t size, uint64_t *p)
{
	while (size) {
		struct detached_freelist df;

		size = build_detached_freelist(k, s, size, p, &df);
		if (!df.slab)
			continue;
		slab_free(k, df.s, df.slab, df.freelist, df.tail, df.cnt,
			  _RET_IP_(kmem_cache_free_bulk));
	}
}

int kmem_cache_alloc_bulk(struct kmm_kernel *k, struct kmem_cache *s, gfp_t flags, size_t size,
			  uint64_t *p)
{
	struct kmem_cache_cpu *c = this_cpu_slab(k, s);
	bool init = slab_want_init_on_alloc(k, flags, s);
	size_t i;

	/* The hooks run per object here (the kernel runs them over the array at the end). */
	for (i = 0; i < size; i++) {
		uint64_t object = c->freelist;

		if (!object || !c->slab_host) {
			c->tid = next_tid(c->tid);
			p[i] = ___slab_alloc(k, s, flags, NUMA_NO_NODE,
					     _RET_IP_(kmem_cache_alloc_bulk), c, s->object_size);
			if (!p[i])
				goto error;
			maybe_wipe_obj_freeptr(k, s, p[i]);
			slab_post_alloc_hook(k, s, 1, &p[i], init);
			continue;
		}
		c->freelist = get_freepointer_fast(k, s, c, object);
		p[i] = object;
		env_charge(k->env, COST_slab_alloc_fast);
		maybe_wipe_obj_freeptr(k, s, object);
		if (init) {
			zero_object(c->slab_host + (object - c->slab_va), s->object_size);
			charge_zero(k, s->object_size);
		}
		objmap_set(k, object, true);
	}
	c->tid = next_tid(c->tid);
	return (int)i;
error:
	kmem_cache_free_bulk(k, s, i, p);
	return 0;
}

/* ---- cache geometry ------------------------------------------------------------------- */

/* Models: mm/slub.c:calc_slab_order(). */
static unsigned int calc_slab_order(const struct kmm_kernel *k, unsigned int size,
				    unsigned int min_objects, unsigned int max_order,
				    unsigned int fract_leftover)
{
	unsigned int min_order = k->kmem.slub_min_order, order;

	if (order_objects(min_order, size) > MAX_OBJS_PER_PAGE)
		return get_order((uint64_t)size * MAX_OBJS_PER_PAGE) - 1;
	for (order = max(min_order, get_order((uint64_t)min_objects * size)); order <= max_order;
	     order++) {
		unsigned int slab_size = (unsigned int)PAGE_SIZE << order;

		if (slab_size % size <= slab_size / fract_leftover)
			break;
	}
	return order;
}

/*
 * Models: mm/slub.c:calculate_order(): the lowest order that holds min_objects objects with
 * at most 1/16 of the slab wasted, then 1/8, 1/4; then fewer objects. min_objects is
 * 4 * (fls(nr_cpus) + 1) unless slub_min_objects= says otherwise (num_present_cpus() is 1
 * when the kmalloc caches are made, so the kernel takes nr_cpu_ids: the same number).
 */
static int calculate_order(const struct kmm_kernel *k, unsigned int size)
{
	unsigned int min_objects = k->kmem.slub_min_objects, max_objects, order;
	unsigned int max_order = k->kmem.slub_max_order;

	if (!min_objects)
		min_objects = 4 * ((unsigned int)fls((unsigned int)k->nr_cpus) + 1);
	max_objects = order_objects(max_order, size);
	min_objects = min(min_objects, max_objects);
	while (min_objects > 1) {
		for (unsigned int fraction = 16; fraction >= 4; fraction /= 2) {
			order = calc_slab_order(k, size, min_objects, max_order, fraction);
			if (order <= max_order)
				return (int)order;
		}
		min_objects--;
	}
	order = calc_slab_order(k, size, 1, max_order, 1);
	if (order <= max_order)
		return (int)order;
	order = calc_slab_order(k, size, 1, MAX_ORDER, 1);
	if (order < MAX_ORDER)
		return (int)order;
	return -ENOSYS;
}

/* Models: mm/slub.c:set_cpu_partial() and slub_set_cpu_partial(). */
static void set_cpu_partial(struct kmem_cache *s)
{
	unsigned int nr_objects;

	if (!kmem_cache_has_cpu_partial(s))
		nr_objects = 0;
	else if (s->size >= PAGE_SIZE)
		nr_objects = 6;
	else if (s->size >= 1024)
		nr_objects = 24;
	else if (s->size >= 256)
		nr_objects = 52;
	else
		nr_objects = 120;
	s->cpu_partial = nr_objects;
	/* Limit the slabs, assuming they are half full. */
	s->cpu_partial_slabs = (nr_objects * 2 + oo_objects(s->oo) - 1) / oo_objects(s->oo);
}

/* Models: mm/slub.c:calculate_sizes(): the object layout (table above) and the orders. */
static int calculate_sizes(const struct kmm_kernel *k, struct kmem_cache *s)
{
	slab_flags_t flags = s->flags;
	unsigned int size = ALIGN(s->object_size, 8u);
	int order;

	/* Poison the object itself only if nobody may touch it while free. */
	if ((flags & SLAB_POISON) && !(flags & SLAB_TYPESAFE_BY_RCU) && !s->ctor)
		s->flags |= __OBJECT_POISON;
	else
		s->flags &= ~__OBJECT_POISON;
	/* A red zone needs room after the object: add a word if there is no padding. */
	if ((flags & SLAB_RED_ZONE) && size == s->object_size)
		size += 8;
	s->inuse = size;
	if ((flags & (SLAB_TYPESAFE_BY_RCU | SLAB_POISON)) ||
	    ((flags & SLAB_RED_ZONE) && s->object_size < 8) || s->ctor) {
		/* The free pointer may not overwrite the object: put it after. */
		s->offset = size;
		size += 8;
	} else {
		/* In the middle, away from small overflows of the neighbours. */
		s->offset = ALIGN_DOWN(s->object_size / 2, 8u);
	}
	if (flags & SLAB_STORE_USER) {
		size += 2 * TRACK_SIZE;
		if (flags & SLAB_KMALLOC)
			size += 4; /* the kmalloc request size */
	}
	if (flags & SLAB_RED_ZONE) {
		/* Padding to catch writes before the object, and the left red zone. */
		size += 8;
		s->red_left_pad = ALIGN(8u, s->align);
		size += s->red_left_pad;
	}
	size = ALIGN(size, s->align);
	s->size = size;
	s->reciprocal_size = reciprocal_value(size);
	set_size_divisor(s, size);
	order = calculate_order(k, size);
	if (order < 0)
		return 0;
	s->allocflags = 0;
	if (order)
		s->allocflags |= __GFP_COMP;
	if (s->flags & SLAB_CACHE_DMA)
		s->allocflags |= GFP_DMA;
	if (s->flags & SLAB_CACHE_DMA32)
		s->allocflags |= GFP_DMA32;
	if (s->flags & SLAB_RECLAIM_ACCOUNT)
		s->allocflags |= __GFP_RECLAIMABLE;
	s->oo = oo_make((unsigned int)order, size);
	s->min = oo_make(get_order(size), size);
	return oo_objects(s->oo) != 0;
}

int kmem_cache_open_geometry(const struct kmm_kernel *k, struct kmem_cache *s, slab_flags_t flags)
{
	unsigned int ms;

	s->flags = kmem_cache_flags(k, s->size, flags, s->name);
	if (!calculate_sizes(k, s))
		return -EINVAL;
	if (k->kmem.disable_higher_order_debug && get_order(s->size) > get_order(s->object_size)) {
		/* slub_debug=O: drop the metadata that raised the minimum order. */
		s->flags &= ~DEBUG_METADATA_FLAGS;
		s->offset = 0;
		if (!calculate_sizes(k, s))
			return -EINVAL;
	}
	if (!(s->flags & (SLAB_CONSISTENCY_CHECKS | SLAB_STORE_USER | SLAB_TRACE)))
		s->flags |= __CMPXCHG_DOUBLE; /* arm64 has cmpxchg_double */
	ms = (unsigned int)ilog2(s->size) / 2;
	s->min_partial = max(min(ms, (unsigned int)MAX_PARTIAL), (unsigned int)MIN_PARTIAL);
	set_cpu_partial(s);
	s->remote_node_defrag_ratio = 1000;
	s->init_alloc[0] = slab_want_init_on_alloc(k, 0, s);
	s->init_alloc[1] = slab_want_init_on_alloc(k, __GFP_ZERO, s);
	set_fast_charge(k, s);
	return 0;
}

/* ---- per-node and per-CPU structures --------------------------------------------------- */

/* Models: mm/slub.c:init_kmem_cache_node(). */
static void init_kmem_cache_node(struct kmem_cache_node *n)
{
	n->nr_partial = 0;
	INIT_LIST_HEAD(&n->partial);
	n->nr_slabs = 0;
	n->total_objects = 0;
	INIT_LIST_HEAD(&n->full);
}

/* Models: mm/slub.c:alloc_kmem_cache_cpus() / init_kmem_cache_cpus(). */
static int alloc_kmem_cache_cpus(struct kmm_kernel *k, struct kmem_cache *s)
{
	s->cpu_slab = env_alloc(k->env, sizeof(*s->cpu_slab) * (size_t)k->nr_cpus);
	if (!s->cpu_slab)
		return 0;
	for (int cpu = 0; cpu < k->nr_cpus; cpu++)
		s->cpu_slab[cpu].tid = (unsigned long)cpu; /* init_tid() */
	return 1;
}

/*
 * Models: mm/slub.c:early_kmem_cache_node_alloc(): the first kmem_cache_node structure of a
 * node, cut by hand from a new slab of the kmem_cache_node cache itself.
 */
static int early_kmem_cache_node_alloc(struct kmm_kernel *k, int node)
{
	struct kmem_cache *kcn = k->kmem.kmem_cache_node;
	struct kmem_cache_node *n;
	struct slab *slab;
	uint64_t n_va;

	slab = new_slab(k, kcn, GFP_NOWAIT, node);
	if (!slab)
		return -ENOMEM;
	n = env_alloc(k->env, sizeof(*n));
	if (!n) {
		free_slab(k, kcn, slab);
		return -ENOMEM;
	}
	if (slab_nid(slab) != node) {
		env_printk(k->env, "SLUB: Unable to allocate memory from node %d\n", node);
		env_printk(k->env, "SLUB: Allocating a useless per node structure in order to "
				   "be able to continue\n");
	}
	n_va = slab->freelist;
	init_object(k, kcn, n_va, SLUB_RED_ACTIVE);
	init_tracking(k, kcn, n_va);
	slab->freelist = get_freepointer_checked(k, kcn, slab, n_va, "early_kmem_cache_node_alloc");
	slab->inuse = 1;
	objmap_set(k, n_va, true);
	n->va = n_va;
	kcn->node[node] = n;
	init_kmem_cache_node(n);
	inc_slabs_node(kcn, node, slab->objects);
	add_partial(n, slab, DEACTIVATE_TO_HEAD);
	return 0;
}

/* Models: mm/slub.c:free_kmem_cache_nodes(). */
static void free_kmem_cache_nodes(struct kmm_kernel *k, struct kmem_cache *s)
{
	struct kmem_cache_node *n;
	int node;

	for_each_kmem_cache_node(k, s, node, n)
	{
		s->node[node] = NULL;
		/*
		 * While the slab allocator is DOWN the only cache is kmem_cache_node itself, its
		 * node structures cut by hand from its own slabs and no per-CPU state to free
		 * through: a failed boot leaves those objects to the arena (the kernel panics).
		 */
		if (n->va && k->kmem.kmem_cache_node && k->kmem.slab_state != DOWN)
			kmem_cache_free(k, k->kmem.kmem_cache_node, n->va);
		env_free(k->env, n);
	}
}

void __kmem_cache_release(struct kmm_kernel *k, struct kmem_cache *s)
{
	cache_random_seq_destroy(k, s);
	env_free(k->env, s->cpu_slab);
	s->cpu_slab = NULL;
	free_kmem_cache_nodes(k, s);
}

/* Models: mm/slub.c:init_kmem_cache_nodes(). */
static int init_kmem_cache_nodes(struct kmm_kernel *k, struct kmem_cache *s)
{
	for (int node = 0; node < k->kmem.nr_node_ids; node++) {
		struct kmem_cache_node *n;
		uint64_t va;

		if (!k->kmem.slab_nodes[node])
			continue;
		if (k->kmem.slab_state == DOWN) {
			if (early_kmem_cache_node_alloc(k, node))
				return 0;
			continue;
		}
		n = env_alloc(k->env, sizeof(*n));
		va = n ? kmem_cache_alloc_node(k, k->kmem.kmem_cache_node, GFP_KERNEL, node) : 0;
		if (!va) {
			env_free(k->env, n);
			free_kmem_cache_nodes(k, s);
			return 0;
		}
		init_kmem_cache_node(n);
		n->va = va;
		s->node[node] = n;
	}
	return 1;
}

/* Models: mm/slub.c:kmem_cache_open(). */
static int kmem_cache_open(struct kmm_kernel *k, struct kmem_cache *s, slab_flags_t flags)
{
	s->random = env_random(k->env);
	if (kmem_cache_open_geometry(k, s, flags))
		goto error;
	if (k->kmem.slab_state >= UP && init_cache_random_seq(k, s))
		goto error;
	if (!init_kmem_cache_nodes(k, s))
		goto error;
	if (alloc_kmem_cache_cpus(k, s))
		return 0;
error:
	__kmem_cache_release(k, s);
	return -EINVAL;
}

int __kmem_cache_create(struct kmm_kernel *k, struct kmem_cache *s, slab_flags_t flags)
{
	return kmem_cache_open(k, s, flags);
}

/* Models: mm/slub.c:__kmem_cache_alias(). */
struct kmem_cache *__kmem_cache_alias(struct kmm_kernel *k, const char *name, unsigned int size,
				      unsigned int align, slab_flags_t flags, kmem_ctor_t ctor)
{
	struct kmem_cache *s = find_mergeable(k, size, align, flags, name, ctor);

	if (s) {
		s->refcount++;
		/* Clear the whole object on kzalloc. */
		s->object_size = max(s->object_size, size);
		s->inuse = max(s->inuse, ALIGN(size, 8u));
	}
	return s;
}

/* ---- shutdown and shrink -------------------------------------------------------------- */

/* Models: mm/slub.c:list_slab_objects(): the objects still allocated in @slab. */
static void list_slab_objects(struct kmm_kernel *k, struct kmem_cache *s, struct slab *slab,
			      const char *fn)
{
	struct slab_report r;

	rep_init(&r);
	uint64_t addr = slab_address(k, slab), p;

	slab_err_r(k, &r, s, slab, fn, "Objects remaining in %s on __kmem_cache_shutdown()",
		   s->name);
	for (p = fixup_red_left(s, addr); p < addr + (uint64_t)slab->objects * s->size;
	     p += s->size) {
		if (objmap_test(k, p)) {
			rep_printf(&r, "Object 0x%016" PRIx64 " @offset=%" PRIu64 "\n", p,
				   p - addr);
			print_tracking(k, &r, s, p);
		}
	}
	rep_raise(k, &r, KMM_REPORT_ERROR, fn, "objects remaining");
}

/* Models: mm/slub.c:free_partial(). */
static void free_partial(struct kmm_kernel *k, struct kmem_cache *s, struct kmem_cache_node *n)
{
	struct list_head discard, *pos, *tmp;

	INIT_LIST_HEAD(&discard);
	for (pos = n->partial.next, tmp = pos->next; pos != &n->partial;
	     pos = tmp, tmp = pos->next) {
		struct slab *slab = list_entry(pos, struct slab, slab_list);

		if (!slab->inuse) {
			remove_partial(n, slab);
			list_add(&slab->slab_list, &discard);
		} else {
			list_slab_objects(k, s, slab, "__kmem_cache_shutdown");
		}
	}
	for (pos = discard.next, tmp = pos->next; pos != &discard; pos = tmp, tmp = pos->next)
		discard_slab(k, s, list_entry(pos, struct slab, slab_list));
}

int __kmem_cache_shutdown(struct kmm_kernel *k, struct kmem_cache *s)
{
	struct kmem_cache_node *n;
	int node;

	flush_all(k, s);
	for_each_kmem_cache_node(k, s, node, n)
	{
		free_partial(k, s, n);
		if (n->nr_partial || node_nr_slabs(n))
			return 1;
	}
	return 0;
}

#define SHRINK_PROMOTE_MAX 32

/*
 * Models: mm/slub.c:__kmem_cache_do_shrink(): discards empty partial slabs and sorts the
 * rest, fullest first.
 */
static int __kmem_cache_do_shrink(struct kmm_kernel *k, struct kmem_cache *s)
{
	struct list_head discard, promote[SHRINK_PROMOTE_MAX], *pos, *tmp;
	struct kmem_cache_node *n;
	int node, ret = 0;

	for_each_kmem_cache_node(k, s, node, n)
	{
		INIT_LIST_HEAD(&discard);
		for (int i = 0; i < SHRINK_PROMOTE_MAX; i++)
			INIT_LIST_HEAD(&promote[i]);
		for (pos = n->partial.next, tmp = pos->next; pos != &n->partial;
		     pos = tmp, tmp = pos->next) {
			struct slab *slab = list_entry(pos, struct slab, slab_list);
			int free = slab->objects - slab->inuse;

			if (free == (int)slab->objects) {
				list_move(&slab->slab_list, &discard);
				n->nr_partial--;
				dec_slabs_node(s, node, slab->objects);
			} else if (free <= SHRINK_PROMOTE_MAX) {
				list_move(&slab->slab_list, &promote[free - 1]);
			}
		}
		/* Splice the fullest (fewest free) to the head of the partial list. */
		for (int i = SHRINK_PROMOTE_MAX - 1; i >= 0; i--) {
			while (!list_empty(&promote[i])) /* list_splice(promote + i, &n->partial) */
				list_move(promote[i].prev, &n->partial);
		}
		for (pos = discard.next, tmp = pos->next; pos != &discard;
		     pos = tmp, tmp = pos->next)
			free_slab(k, s, list_entry(pos, struct slab, slab_list));
		if (node_nr_slabs(n))
			ret = 1;
	}
	return ret;
}

int __kmem_cache_shrink(struct kmm_kernel *k, struct kmem_cache *s)
{
	flush_all(k, s);
	return __kmem_cache_do_shrink(k, s);
}

/* ---- boot ---------------------------------------------------------------------------- */

void slub_apply_params(struct kmm_kernel *k)
{
	struct kmem_globals *g = &k->kmem;
	const struct kernel_params *p = &k->params;
	unsigned int align = k->cfg->kmalloc_minalign ? k->cfg->kmalloc_minalign : 128;

	g->arch_kmalloc_minalign = align;
	g->kmalloc_min_size = max(align, 8u);
	g->kmalloc_shift_low = (unsigned int)ilog2(g->kmalloc_min_size);
	g->cache_line_size = 64; /* CTR_EL0.CWG of the Cortex-A57: "SLUB: HWalign=64" */
	g->slub_min_order = p->slub_min_order;
	g->slub_max_order = p->slub_max_order >= 0
				    ? min((unsigned)p->slub_max_order, (unsigned)MAX_ORDER - 1)
				    : PAGE_ALLOC_COSTLY_ORDER;
	g->slub_min_objects = p->slub_min_objects;
	g->slab_nomerge = p->slab_nomerge; /* CONFIG_SLAB_MERGE_DEFAULT=y */
	g->init_on_alloc = p->init_on_alloc;
	g->init_on_free = p->init_on_free;
	g->slub_debug = 0;
	g->slub_debug_string = NULL;
	if (p->slub_debug_set)
		setup_slub_debug(g, p->slub_debug);
	if ((g->init_on_alloc || g->init_on_free) && (g->slub_debug & SLAB_POISON))
		env_printk(k->env, "mem auto-init: SLAB_POISON will take precedence over "
				   "init_on_alloc/init_on_free\n");
}

/*
 * Models: mm/slub.c:bootstrap(): the boot-time cache becomes an object of kmem_cache; its
 * CPU slab is flushed (as the kernel does) and it joins the list of caches.
 */
static int bootstrap(struct kmm_kernel *k, struct kmem_cache *s)
{
	s->va = kmem_cache_zalloc(k, k->kmem.kmem_cache, GFP_NOWAIT);
	if (!s->va)
		return -ENOMEM;
	__flush_cpu_slab(k, s, smp_processor_id(k));
	list_add(&s->list, &k->kmem.slab_caches);
	return 0;
}

int kmem_cache_init(struct kmm_kernel *k)
{
	struct kmem_globals *g = &k->kmem;
	unsigned long pages = k->vmemmap_end - k->vmemmap_base;
	struct kmem_cache *kc, *kcn;

	slub_apply_params(k);
	INIT_LIST_HEAD(&g->slab_caches);
	g->objmap = env_alloc_backing(k->env, pages << OBJMAP_BYTES_PER_PAGE_SHIFT);
	if (!g->objmap)
		return -ENOMEM;
	g->objmap_va0 = __va(k, PFN_PHYS(k->vmemmap_base));
	g->objmap_bits = (uint64_t)pages << (PAGE_SHIFT - 3);
	g->nr_node_ids = 1;
	for (int nid = 0; nid < MAX_NUMNODES; nid++) {
		const pg_data_t *pgdat = NODE_DATA(k, nid);

		g->slab_nodes[nid] = pgdat && pgdat->node_present_pages; /* N_NORMAL_MEMORY */
		if (pgdat)
			g->nr_node_ids = nid + 1;
		if (pgdat) /* host memory: the map's bits over present pages may all be written */
			k->env->host_objmap += (uint64_t)pgdat->node_present_pages
					       << OBJMAP_BYTES_PER_PAGE_SHIFT;
	}
	if (!env_host_check(k->env, "the slab object map", k->env->host_objmap))
		return -ENOMEM;
	kcn = env_alloc(k->env, sizeof(*kcn));
	kc = env_alloc(k->env, sizeof(*kc));
	g->kmem_cache_node = kcn;
	g->kmem_cache = kc;
	if (!kcn || !kc)
		return -ENOMEM;
	/* sizeof(struct kmem_cache_node) is 64 in the reference kernel. */
	if (create_boot_cache(k, kcn, "kmem_cache_node", 64, SLAB_HWCACHE_ALIGN, 0, 0))
		return -ENOMEM;
	g->slab_state = PARTIAL;
	/* offsetof(struct kmem_cache, node) is 216 in the reference kernel. */
	if (create_boot_cache(k, kc, "kmem_cache", 216 + (unsigned)g->nr_node_ids * 8,
			      SLAB_HWCACHE_ALIGN, 0, 0))
		return -ENOMEM;
	if (bootstrap(k, kc) || bootstrap(k, kcn))
		return -ENOMEM;
	setup_kmalloc_cache_index_table(k);
	if (create_kmalloc_caches(k, 0))
		return -ENOMEM;
	init_freelist_randomization(k);
	env_printk(k->env, "SLUB: HWalign=%u, Order=%u-%u, MinObjects=%u, CPUs=%d, Nodes=%d\n",
		   g->cache_line_size, g->slub_min_order, g->slub_max_order, g->slub_min_objects,
		   k->nr_cpus, g->nr_node_ids);
	return 0;
}

static void kmem_cache_free_host(struct kmm_kernel *k, struct kmem_cache *s)
{
	if (!s)
		return;
	for (int nid = 0; nid < MAX_NUMNODES; nid++)
		env_free(k->env, s->node[nid]);
	env_free(k->env, s->cpu_slab);
	env_free(k->env, (void *)s->name);
	env_free(k->env, s);
}

void kmem_cache_fini(struct kmm_kernel *k)
{
	struct kmem_globals *g = &k->kmem;
	struct list_head *pos, *tmp;

	if (g->slab_caches.next) {
		for (pos = g->slab_caches.next, tmp = pos->next; pos != &g->slab_caches;
		     pos = tmp, tmp = pos->next) {
			struct kmem_cache *s = list_entry(pos, struct kmem_cache, list);

			if (s == g->kmem_cache)
				g->kmem_cache = NULL;
			if (s == g->kmem_cache_node)
				g->kmem_cache_node = NULL;
			kmem_cache_free_host(k, s);
		}
	}
	kmem_cache_free_host(k, g->kmem_cache); /* not listed yet when boot failed */
	kmem_cache_free_host(k, g->kmem_cache_node);
	env_free_backing(k->env, g->objmap);
	env_free(k->env, g->corrupt_slabs);
	memset(g, 0, sizeof(*g));
}

/* ---- views and checks ---------------------------------------------------------------- */

void get_slabinfo(const struct kmm_kernel *k, const struct kmem_cache *s, struct slabinfo *si)
{
	const struct kmem_cache_node *n;
	unsigned long nr_slabs = 0, nr_objs = 0, nr_free = 0;
	int node;

	for (node = 0; node < k->kmem.nr_node_ids; node++) {
		n = s->node[node];
		if (!n)
			continue;
		nr_slabs += node_nr_slabs(n);
		nr_objs += (unsigned long)n->total_objects;
		nr_free += count_partial(n, count_free);
	}
	si->active_objs = nr_objs - nr_free;
	si->num_objs = nr_objs;
	si->active_slabs = nr_slabs;
	si->num_slabs = nr_slabs;
	si->objects_per_slab = oo_objects(s->oo);
	si->cache_order = oo_order(s->oo);
}

/*
 * A WARN in the kernel's shape: "cut here", the optional WARN() message, the WARNING line
 * with the place, the CPU line, the call trace; then @after (printed after the WARN by the
 * caller, as free_large_kmalloc prints "object pointer:"). The machine is tainted W.
 */
void slab_warn(struct kmm_kernel *k, const struct bug_site *site, const char *trace,
	       const char *msg, const char *after)
{
	struct slab_report r;
	char where[256];

	rep_init(&r);

	rep_printf(&r, "------------[ cut here ]------------\n");
	if (msg)
		rep_printf(&r, "%s\n", msg);
	bug_warning_line(k->env, site, where, sizeof(where));
	rep_printf(&r, "%s\n", where);
	rep_dump_stack(k, &r, trace);
	rep_printf(&r, "---[ end trace 0000000000000000 ]---\n");
	if (after)
		rep_printf(&r, "%s\n", after);
	rep_raise_at(k, &r, KMM_REPORT_WARN, site);
}

/*
 * A kernel address with no memory behind it in the linear map: the kernel would take a
 * translation fault and oops here. The model reports it in those words and goes on.
 */
void slab_bad_address(struct kmm_kernel *k, const char *trace, uint64_t x)
{
	struct slab_report r;

	rep_init(&r);

	rep_printf(&r, "Unable to handle kernel paging request at virtual address %016" PRIx64 "\n",
		   x);
	rep_dump_stack(k, &r, trace);
	rep_raise(k, &r, KMM_REPORT_ERROR, trace, "not a linear-map address of RAM");
}

/* ---- kmm_check ------------------------------------------------------------------------ */

struct slub_check_ctx {
	const struct kmm_kernel *k;
	char *why;
	size_t whylen;
	uint64_t *listed;   /* one bit per PFN of the present sections: a slab seen on a list */
	unsigned int *slot; /* per section of the memory map: its place among the present ones */
	struct kmem_cache **caches;
	int nr_caches;
	long *nr_slabs, *nr_objs; /* [cache * MAX_NUMNODES + node] */
	long bytes[MAX_NUMNODES][2];
	uint64_t nr_large;
};

#define CHECK_FAIL(ctx, ...) (snprintf((ctx)->why, (ctx)->whylen, __VA_ARGS__), false)

/* The bit of @pfn (in a present section) in x->listed: sized by RAM, not by the PA span. */
static unsigned long check_listed_idx(const struct slub_check_ctx *x, unsigned long pfn)
{
	unsigned long off = pfn - x->k->vmemmap_base;

	return (unsigned long)x->slot[off >> PFN_SECTION_SHIFT] * PAGES_PER_SECTION +
	       (off & (PAGES_PER_SECTION - 1));
}

static bool slab_is_corrupt(const struct kmm_kernel *k, const struct slab *slab)
{
	unsigned long pfn = page_to_pfn(k, slab_page(slab));

	for (size_t i = 0; i < k->kmem.nr_corrupt_slabs; i++)
		if (k->kmem.corrupt_slabs[i] == pfn)
			return true;
	return false;
}

/* Marks @slab on its list walk; false if it was seen already (in two places). */
static bool check_mark_listed(struct slub_check_ctx *x, const struct kmem_cache *s,
			      const struct slab *slab, const char *where)
{
	const struct kmm_kernel *k = x->k;
	struct page *page = slab_page(slab);
	unsigned long idx;

	if (page < k->vmemmap || page >= k->vmemmap + (k->vmemmap_end - k->vmemmap_base) ||
	    !PageSlab(page))
		return CHECK_FAIL(x, "slub: %s: %s holds a page that is not a slab", s->name,
				  where);
	if (slab->slab_cache != s)
		return CHECK_FAIL(x, "slub: %s: %s holds a slab of cache %s", s->name, where,
				  slab->slab_cache ? slab->slab_cache->name : "(none)");
	idx = check_listed_idx(x, page_to_pfn(k, page));
	if (x->listed[idx / 64] >> (idx % 64) & 1)
		return CHECK_FAIL(x, "slub: %s: slab pfn %#lx is in two places (again on %s)",
				  s->name, page_to_pfn(k, page), where);
	x->listed[idx / 64] |= 1ull << (idx % 64);
	return true;
}

/* Invariants 2 and 3 for one cache: CPU slabs, CPU partials, node lists. */
static bool check_cache_lists(struct slub_check_ctx *x, const struct kmem_cache *s)
{
	const struct kmm_kernel *k = x->k;

	if (!s->cpu_slab)
		return CHECK_FAIL(x, "slub: %s has no per-CPU structures", s->name);
	if (s->init_alloc[0] != slab_want_init_on_alloc(k, 0, s) ||
	    s->init_alloc[1] != slab_want_init_on_alloc(k, __GFP_ZERO, s))
		return CHECK_FAIL(x, "slub: %s: the fast path's init_on_alloc bits are stale",
				  s->name);
	{
		struct kmem_cache t = {.object_size = s->object_size};

		set_fast_charge(k, &t);
		if (memcmp(t.fast_charge, s->fast_charge, sizeof(t.fast_charge)))
			return CHECK_FAIL(x, "slub: %s: the fast paths' charges are stale",
					  s->name);
	}
	for (int cpu = 0; cpu < k->nr_cpus; cpu++) {
		const struct kmem_cache_cpu *c = &s->cpu_slab[cpu];
		int len = 0, expect;

		if (c->freelist && !c->slab)
			return CHECK_FAIL(x, "slub: %s: cpu %d has a freelist but no slab", s->name,
					  cpu);
		/* What the fast paths rely on: the cached view of the CPU slab is current, and
		 * a debug cache has no CPU slab. */
		if (c->slab && (c->slab_va != slab_address(k, c->slab) ||
				c->slab_host != slab_mem(k, c->slab) ||
				c->slab_bytes != (uint64_t)c->slab->objects * s->size))
			return CHECK_FAIL(x, "slub: %s: cpu %d's cached slab view is stale",
					  s->name, cpu);
		if (c->slab && kmem_cache_debug(s))
			return CHECK_FAIL(x, "slub: debug cache %s has a slab on cpu %d", s->name,
					  cpu);
		if (c->slab && (!check_mark_listed(x, s, c->slab, "a CPU slab")))
			return false;
		if (c->slab && !c->slab->frozen)
			return CHECK_FAIL(x, "slub: %s: cpu %d's slab is not frozen", s->name, cpu);
		for (const struct slab *p = c->partial; p; p = p->next)
			len++;
		expect = len;
		for (const struct slab *p = c->partial; p; p = p->next, expect--) {
			if (!check_mark_listed(x, s, p, "a CPU partial list"))
				return false;
			if (!p->frozen || p->slabs != expect)
				return CHECK_FAIL(
					x,
					"slub: %s: cpu %d partial slab frozen=%d slabs=%d "
					"(expected frozen, %d)",
					s->name, cpu, p->frozen, p->slabs, expect);
		}
	}
	for (int node = 0; node < k->kmem.nr_node_ids; node++) {
		const struct kmem_cache_node *n = s->node[node];
		unsigned long nr = 0;

		if (!n) {
			if (k->kmem.slab_nodes[node])
				return CHECK_FAIL(x, "slub: %s has no structure for node %d",
						  s->name, node);
			continue;
		}
		for (const struct list_head *pos = n->partial.next; pos != &n->partial;
		     pos = pos->next, nr++) {
			const struct slab *slab = list_entry(pos, struct slab, slab_list);

			if (!check_mark_listed(x, s, slab, "a node partial list"))
				return false;
			if (slab->frozen || slab_nid(slab) != node ||
			    slab->inuse >= slab->objects || !slab->freelist)
				return CHECK_FAIL(x,
						  "slub: %s: node %d partial slab frozen=%d nid=%d "
						  "inuse=%u/%u freelist=%#" PRIx64,
						  s->name, node, slab->frozen, slab_nid(slab),
						  slab->inuse, slab->objects, slab->freelist);
		}
		if (nr != n->nr_partial)
			return CHECK_FAIL(x, "slub: %s: node %d nr_partial %lu, list holds %lu",
					  s->name, node, n->nr_partial, nr);
		for (const struct list_head *pos = n->full.next; pos != &n->full; pos = pos->next) {
			const struct slab *slab = list_entry(pos, struct slab, slab_list);

			if (!check_mark_listed(x, s, slab, "a node full list"))
				return false;
			if (slab->frozen || slab->inuse != slab->objects || slab->freelist)
				return CHECK_FAIL(x, "slub: %s: node %d full-list slab is not full",
						  s->name, node);
		}
	}
	return true;
}

/* Walks one freelist of @slab into @seen; false on a bad pointer or a repeated object. */
static bool check_freelist(struct slub_check_ctx *x, const struct kmem_cache *s,
			   const struct slab *slab, uint64_t head, uint64_t *seen,
			   unsigned int *count, const char *which)
{
	const struct kmm_kernel *k = x->k;
	uint64_t base = slab_address(k, slab);

	for (uint64_t p = head; p; p = get_freepointer(k, s, p)) {
		unsigned int i;

		if (!check_valid_pointer(k, s, slab, p))
			return CHECK_FAIL(x,
					  "slub: %s: %s of slab %#" PRIx64 " holds %#" PRIx64
					  ", not an object of the slab",
					  s->name, which, base, p);
		i = obj_to_index(s, base, p);
		if (seen[i / 64] >> (i % 64) & 1)
			return CHECK_FAIL(x, "slub: %s: object %#" PRIx64 " is free twice (%s)",
					  s->name, p, which);
		seen[i / 64] |= 1ull << (i % 64);
		(*count)++;
	}
	return true;
}

/* Invariants 1, 4 and 5 for one slab found in the memory map. */
static bool check_slab_objects(struct slub_check_ctx *x, const struct kmem_cache *s,
			       const struct slab *slab, bool listed)
{
	const struct kmm_kernel *k = x->k;
	uint64_t seen[(MAX_OBJS_PER_PAGE + 64) / 64];
	uint64_t base = slab_address(k, slab), first = fixup_red_left(s, base);
	unsigned int order = slab_order(slab), nr_free = 0, nr_cpu = 0;
	bool corrupt = slab_is_corrupt(k, slab);

	if (order != oo_order(s->oo) && order != oo_order(s->min))
		return CHECK_FAIL(x, "slub: %s: slab %#" PRIx64 " has order %u (cache: %u or %u)",
				  s->name, base, order, oo_order(s->oo), oo_order(s->min));
	if (slab->objects != min(order_objects(order, s->size), (unsigned)MAX_OBJS_PER_PAGE) ||
	    slab->inuse > slab->objects)
		return CHECK_FAIL(x, "slub: %s: slab %#" PRIx64 " objects=%u inuse=%u", s->name,
				  base, slab->objects, slab->inuse);
	if (!listed && !(slab->inuse == slab->objects && !slab->freelist &&
			 (slab->frozen ? kmem_cache_debug(s) : !(s->flags & SLAB_STORE_USER))))
		return CHECK_FAIL(x,
				  "slub: %s: slab %#" PRIx64 " is on no list but not full "
				  "(inuse=%u/%u frozen=%d)",
				  s->name, base, slab->inuse, slab->objects, slab->frozen);
	memset(seen, 0, sizeof(seen));
	if (!check_freelist(x, s, slab, slab->freelist, seen, &nr_free, "the slab freelist"))
		return false;
	if (slab->inuse != slab->objects - nr_free)
		return CHECK_FAIL(x, "slub: %s: slab %#" PRIx64 " inuse %u but %u of %u are free",
				  s->name, base, slab->inuse, nr_free, slab->objects);
	if (slab->frozen)
		for (int cpu = 0; cpu < k->nr_cpus; cpu++)
			if (s->cpu_slab[cpu].slab == slab &&
			    !check_freelist(x, s, slab, s->cpu_slab[cpu].freelist, seen, &nr_cpu,
					    "a CPU freelist"))
				return false;
	for (unsigned int i = 0; i < slab->objects; i++) {
		uint64_t p = first + (uint64_t)i * s->size;
		bool is_free = seen[i / 64] >> (i % 64) & 1, allocated = objmap_test(k, p);

		if (is_free && allocated)
			return CHECK_FAIL(x, "slub: %s: object %#" PRIx64 " is free and allocated",
					  s->name, p);
		if (!is_free && !allocated && !corrupt)
			return CHECK_FAIL(x,
					  "slub: %s: object %#" PRIx64 " is neither free nor "
					  "allocated",
					  s->name, p);
	}
	return true;
}

static int check_cache_index(const struct slub_check_ctx *x, const struct kmem_cache *s)
{
	for (int i = 0; i < x->nr_caches; i++)
		if (x->caches[i] == s)
			return i;
	return -1;
}

/* Invariants 1-7 over the memory map. */
static bool check_memory_map(struct slub_check_ctx *x)
{
	const struct kmm_kernel *k = x->k;
	unsigned long pfn = k->vmemmap_base;

	while (pfn < k->vmemmap_end) {
		const struct page *page;
		unsigned long idx;
		int ci, nid;

		if (!pfn_valid(k, pfn)) {
			pfn = (pfn | (PAGES_PER_SECTION - 1)) + 1;
			continue;
		}
		page = pfn_to_page(k, pfn);
		if (!PageTail(page) && PageSlab(page) && page_slab(page)->slab_cache) {
			/* (PG_slab without a cache: not SLUB's, e.g. left by bad_page()) */
			const struct slab *slab = page_slab(page);
			const struct kmem_cache *s = slab->slab_cache;

			if (PageTail(page))
				return CHECK_FAIL(x, "slub: PG_slab on tail page %#lx", pfn);
			ci = check_cache_index(x, s);
			if (ci < 0)
				return CHECK_FAIL(x, "slub: slab page %#lx of an unknown cache",
						  pfn);
			idx = check_listed_idx(x, pfn);
			if (!check_slab_objects(x, s, slab, x->listed[idx / 64] >> (idx % 64) & 1))
				return false;
			nid = slab_nid(slab);
			x->nr_slabs[ci * MAX_NUMNODES + nid]++;
			x->nr_objs[ci * MAX_NUMNODES + nid] += slab->objects;
			x->bytes[nid][!(s->flags & SLAB_RECLAIM_ACCOUNT)] += (long)slab_size(slab);
			pfn += 1ul << slab_order(slab);
		} else if (PageHead(page)) {
			if (PageLargeKmalloc(page)) {
				x->nr_large++;
				x->bytes[page_to_nid(page)][1] +=
					(long)(PAGE_SIZE << compound_order(page));
			}
			pfn += 1ul << compound_order(page);
		} else {
			pfn++;
		}
	}
	return true;
}

/* Invariants 6 and 7: the per-node counts and the vmstat byte counters. */
static bool check_counts(struct slub_check_ctx *x)
{
	const struct kmm_kernel *k = x->k;

	for (int ci = 0; ci < x->nr_caches; ci++) {
		const struct kmem_cache *s = x->caches[ci];

		for (int nid = 0; nid < k->kmem.nr_node_ids; nid++) {
			const struct kmem_cache_node *n = s->node[nid];
			long slabs = x->nr_slabs[ci * MAX_NUMNODES + nid];
			long objs = x->nr_objs[ci * MAX_NUMNODES + nid];

			if (!n ? slabs != 0 : n->nr_slabs != slabs || n->total_objects != objs)
				return CHECK_FAIL(x,
						  "slub: %s node %d counts %ld slabs/%ld objects, "
						  "memory map has %ld/%ld",
						  s->name, nid, n ? n->nr_slabs : 0,
						  n ? n->total_objects : 0, slabs, objs);
		}
	}
	if (x->nr_large != k->kmem.nr_large_kmalloc)
		return CHECK_FAIL(x, "slub: %" PRIu64 " large kmalloc pages, counter says %" PRIu64,
				  x->nr_large, k->kmem.nr_large_kmalloc);
	for (int nid = 0; nid < MAX_NUMNODES; nid++) {
		const pg_data_t *pgdat = NODE_DATA(k, nid);

		if (!pgdat)
			continue;
		if (pgdat->vm_stat[NR_SLAB_RECLAIMABLE_B] != x->bytes[nid][0] ||
		    pgdat->vm_stat[NR_SLAB_UNRECLAIMABLE_B] != x->bytes[nid][1])
			return CHECK_FAIL(x,
					  "slub: node %d slab counters %ld/%ld bytes, slabs hold "
					  "%ld/%ld",
					  nid, pgdat->vm_stat[NR_SLAB_RECLAIMABLE_B],
					  pgdat->vm_stat[NR_SLAB_UNRECLAIMABLE_B], x->bytes[nid][0],
					  x->bytes[nid][1]);
	}
	return true;
}

bool slub_check(const struct kmm_kernel *k, char *why, size_t whylen)
{
	struct slub_check_ctx x = {.k = k, .why = why, .whylen = whylen};
	unsigned long nsec = (k->vmemmap_end - k->vmemmap_base) >> PFN_SECTION_SHIFT, present = 0;
	const struct list_head *pos;
	bool ok = false;

	if (!k->kmem.slab_caches.next)
		return true; /* SLUB not up (boot failed or not reached) */
	for (pos = k->kmem.slab_caches.next; pos != &k->kmem.slab_caches; pos = pos->next)
		if (++x.nr_caches > 1 << 20)
			return CHECK_FAIL(&x, "slub: the cache list does not end");
	x.slot = env_alloc(k->env, sizeof(*x.slot) * (nsec + 1));
	for (unsigned long sec = 0; x.slot && sec < nsec; sec++)
		x.slot[sec] = k->section_present[sec] ? (unsigned int)present++ : 0;
	x.listed = env_alloc(k->env, (present * PAGES_PER_SECTION / 64 + 1) * 8);
	x.caches = env_alloc(k->env, sizeof(*x.caches) * (size_t)x.nr_caches);
	x.nr_slabs = env_alloc(k->env, sizeof(long) * MAX_NUMNODES * (size_t)x.nr_caches);
	x.nr_objs = env_alloc(k->env, sizeof(long) * MAX_NUMNODES * (size_t)x.nr_caches);
	if (!x.slot || !x.listed || !x.caches || !x.nr_slabs || !x.nr_objs) {
		snprintf(why, whylen, "slub: host memory exhausted during the check");
		goto out;
	}
	x.nr_caches = 0;
	for (pos = k->kmem.slab_caches.next; pos != &k->kmem.slab_caches; pos = pos->next)
		x.caches[x.nr_caches++] = list_entry(pos, struct kmem_cache, list);
	for (int i = 0; i < x.nr_caches; i++)
		if (!check_cache_lists(&x, x.caches[i]))
			goto out;
	ok = check_memory_map(&x) && check_counts(&x);
out:
	env_free(k->env, x.slot);
	env_free(k->env, x.listed);
	env_free(k->env, x.caches);
	env_free(k->env, x.nr_slabs);
	env_free(k->env, x.nr_objs);
	return ok;
}

/*
 * Row SLAB (page_place.h): the slab allocator's pages, found as check_memory_map() finds
 * them: every slab (PG_slab with a cache: full slabs are on no list) and every kmalloc_large
 * block. slub_check holds these against the caches' counters.
 */
bool slab_place_walk(const struct kmm_kernel *k, struct place_map *map)
{
	unsigned long pfn = k->vmemmap_base;

	if (!k->kmem.slab_caches.next)
		return true;
	while (pfn < k->vmemmap_end) {
		const struct page *page;
		unsigned long nr = 1;

		if (!pfn_valid(k, pfn)) {
			pfn = (pfn | (PAGES_PER_SECTION - 1)) + 1;
			continue;
		}
		page = pfn_to_page(k, pfn);
		if (PageHead(page))
			nr = 1UL << compound_order(page);
		if (((PageSlab(page) && page_slab(page)->slab_cache) ||
		     (PageHead(page) && PageLargeKmalloc(page))) &&
		    !place_claim(map, PLACE_SLAB, pfn, nr))
			return false;
		pfn += nr;
	}
	return true;
}
