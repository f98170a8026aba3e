/*
 * memblock against an independent model, over long random operation sequences.
 *
 * The model is a map of 128 units of 4 KiB at M = 0x4000_0000; each unit is memory or not
 * (with a node and flags) and reserved or not. Each operation is applied to both; after every
 * step memblock_check must hold and the arrays must describe exactly the model in the fewest
 * regions (one per maximal run of units with equal node and flags). Allocations are predicted
 * from the kernel's search rule applied to the model's free runs (a run is a stretch of one
 * memory region with no reservation, NOMAP excluded): top-down the highest run where
 * round_down(end - size, align) still lies in the run, bottom-up the lowest run where
 * round_up(start, align) leaves size bytes.
 */
#include "memblock_test.h"

#define M     DRAM_BASE
#define UNITS 128
#define UNIT  SZ_4K

struct unit {
	bool mem, res;
	int nid;
	unsigned flags;
};

struct model {
	struct unit u[UNITS];
	uint64_t rng;
};

static uint64_t rnd(struct model *md)
{
	/* xorshift64*: deterministic for a given seed. */
	md->rng ^= md->rng >> 12;
	md->rng ^= md->rng << 25;
	md->rng ^= md->rng >> 27;
	return md->rng * 0x2545f4914f6cdd1dULL;
}

static unsigned rnd_below(struct model *md, unsigned n)
{
	return (unsigned)(rnd(md) % n);
}

static phys_addr_t pa_of(unsigned unit)
{
	return M + (phys_addr_t)unit * UNIT;
}

/* Number of maximal runs of units that @in selects with equal node and flags. */
static unsigned long runs(const struct model *md, bool memory)
{
	unsigned long n = 0;

	for (unsigned i = 0; i < UNITS; i++) {
		const struct unit *a = &md->u[i], *p = i ? &md->u[i - 1] : NULL;
		bool in = memory ? a->mem : a->res;
		bool prev_in = p && (memory ? p->mem : p->res);

		if (!in)
			continue;
		if (!prev_in || (memory && (p->nid != a->nid || p->flags != a->flags)))
			n++;
	}
	return n;
}

static void compare(const struct mbt *t, const struct model *md)
{
	const struct memblock *mb = &t->mb;
	struct unit seen[UNITS];
	phys_addr_t mem_total = 0, res_total = 0;

	MB_CHECK(mb);
	memset(seen, 0, sizeof(seen));
	for (int pass = 0; pass < 2; pass++) {
		const struct memblock_type *type = pass ? &mb->reserved : &mb->memory;

		for (unsigned long i = 0; i < type->cnt; i++) {
			const struct memblock_region *r = &type->regions[i];

			if (!r->size)
				continue;
			assert_true(r->base >= M && r->base + r->size <= pa_of(UNITS));
			assert_int_equal(r->base % UNIT, 0);
			assert_int_equal(r->size % UNIT, 0);
			for (phys_addr_t a = r->base; a < r->base + r->size; a += UNIT) {
				struct unit *u = &seen[(a - M) / UNIT];

				if (pass) {
					u->res = true;
					assert_int_equal(r->nid, MAX_NUMNODES);
				} else {
					u->mem = true;
					u->nid = r->nid;
					u->flags = r->flags;
				}
			}
		}
	}
	for (unsigned i = 0; i < UNITS; i++) {
		const struct unit *want = &md->u[i], *got = &seen[i];

		if (got->mem != want->mem || got->res != want->res ||
		    (want->mem && (got->nid != want->nid || got->flags != want->flags)))
			fail_msg("unit %u (PA 0x%llx): memblock mem=%d nid=%d flags=%u res=%d, "
				 "model "
				 "mem=%d nid=%d flags=%u res=%d",
				 i, (unsigned long long)pa_of(i), got->mem, got->nid, got->flags,
				 got->res, want->mem, want->nid, want->flags, want->res);
		mem_total += want->mem ? UNIT : 0;
		res_total += want->res ? UNIT : 0;
	}
	assert_int_equal(mb->memory.total_size, mem_total);
	assert_int_equal(mb->reserved.total_size, res_total);
	assert_int_equal(mb->memory.regions[0].size ? mb->memory.cnt : 0, runs(md, true));
	assert_int_equal(mb->reserved.regions[0].size ? mb->reserved.cnt : 0, runs(md, false));
}

/* Is unit @i free for allocation, and does it continue the run of unit @i - 1? */
static bool unit_free(const struct model *md, unsigned i)
{
	const struct unit *u = &md->u[i];

	return u->mem && !u->res && !(u->flags & MEMBLOCK_NOMAP);
}

static bool same_region(const struct model *md, unsigned a, unsigned b)
{
	return md->u[a].nid == md->u[b].nid && md->u[a].flags == md->u[b].flags;
}

/* The kernel's search over the model's free runs; 0 if nothing fits. Units throughout. */
static phys_addr_t model_alloc(const struct model *md, unsigned size, unsigned align, bool bu)
{
	unsigned starts[UNITS], ends[UNITS], n = 0;

	for (unsigned i = 0; i < UNITS; i++) {
		if (!unit_free(md, i))
			continue;
		if (n && ends[n - 1] == i && same_region(md, i - 1, i))
			ends[n - 1] = i + 1;
		else {
			starts[n] = i;
			ends[n++] = i + 1;
		}
	}
	for (unsigned k = 0; k < n; k++) {
		unsigned r = bu ? k : n - 1 - k;
		unsigned lo = starts[r], hi = ends[r], cand;

		if (bu) {
			cand = (lo + align - 1) / align * align;
			if (cand < hi && hi - cand >= size)
				return pa_of(cand);
		} else {
			if (hi < size)
				continue;
			cand = (hi - size) / align * align;
			if (cand >= lo)
				return pa_of(cand);
		}
	}
	return 0;
}

static void run_sequence(struct mbt *t, uint64_t seed, int steps)
{
	struct memblock *mb = &t->mb;
	struct model md;

	memset(&md, 0, sizeof(md));
	md.rng = seed;
	for (int step = 0; step < steps; step++) {
		unsigned b = rnd_below(&md, UNITS);
		unsigned s = 1 + rnd_below(&md, UNITS - b);
		unsigned op = rnd_below(&md, 11);
		int nid = (int)rnd_below(&md, 3);
		phys_addr_t base = pa_of(b), size = (phys_addr_t)s * UNIT;
		unsigned flag = rnd_below(&md, 2) ? MEMBLOCK_NOMAP : MEMBLOCK_HOTPLUG;

		switch (op) {
		case 0:
		case 1: /* memblock_add_node: fills only what is not memory yet */
			assert_int_equal(memblock_add_node(mb, base, size, nid, MEMBLOCK_NONE), 0);
			for (unsigned i = b; i < b + s; i++)
				if (!md.u[i].mem)
					md.u[i] = (struct unit){.mem = true,
								.res = md.u[i].res,
								.nid = nid,
								.flags = 0};
			break;
		case 2:
			assert_int_equal(memblock_remove(mb, base, size), 0);
			for (unsigned i = b; i < b + s; i++)
				md.u[i].mem = false;
			break;
		case 3:
		case 4:
			assert_int_equal(memblock_reserve(mb, base, size), 0);
			for (unsigned i = b; i < b + s; i++)
				md.u[i].res = true;
			break;
		case 5:
			assert_int_equal(memblock_phys_free(mb, base, size), 0);
			for (unsigned i = b; i < b + s; i++)
				md.u[i].res = false;
			break;
		case 6:
			assert_int_equal(flag == MEMBLOCK_NOMAP
						 ? memblock_mark_nomap(mb, base, size)
						 : memblock_mark_hotplug(mb, base, size),
					 0);
			for (unsigned i = b; i < b + s; i++)
				if (md.u[i].mem)
					md.u[i].flags |= flag;
			break;
		case 7:
			assert_int_equal(flag == MEMBLOCK_NOMAP
						 ? memblock_clear_nomap(mb, base, size)
						 : memblock_clear_hotplug(mb, base, size),
					 0);
			for (unsigned i = b; i < b + s; i++)
				if (md.u[i].mem)
					md.u[i].flags &= ~flag;
			break;
		case 8:
			assert_int_equal(memblock_set_node(mb, base, size, &mb->memory, nid), 0);
			for (unsigned i = b; i < b + s; i++)
				if (md.u[i].mem)
					md.u[i].nid = nid;
			break;
		default: { /* an allocation in the current direction */
			unsigned usize = 1 + rnd_below(&md, 8);
			unsigned ualign = 1u << rnd_below(&md, 4);
			bool bu = rnd_below(&md, 2);
			phys_addr_t want = model_alloc(&md, usize, ualign, bu);

			memblock_set_bottom_up(mb, bu);
			assert_int_equal(memblock_phys_alloc_range(mb, (phys_addr_t)usize * UNIT,
								   (phys_addr_t)ualign * UNIT, M,
								   pa_of(UNITS)),
					 want);
			if (want)
				for (unsigned i = 0; i < usize; i++)
					md.u[(want - M) / UNIT + i].res = true;
			break;
		}
		}
		compare(t, &md);
	}
}

static void test_memblock_random_sequences_match_model(void **state)
{
	struct mbt *t = *state;
	static const uint64_t seeds[] = {1, 2, 3, 0x9e3779b97f4a7c15ULL, 42, 4242, 777, 31337};

	for (size_t i = 0; i < sizeof(seeds) / sizeof(seeds[0]); i++) {
		mbt_reset(t);
		run_sequence(t, seeds[i], 1500);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_memblock_random_sequences_match_model,
						mbt_setup, mbt_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
