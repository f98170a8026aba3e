/*
 * Physical address space: RAM banks and MMIO ranges. See phys.h for the layout, the
 * accounting of host memory by touched chunks, and the invariants.
 *
 * Spec: Arm ARM D8.12 (external aborts): an access to a PA with nothing behind it is a
 * synchronous external abort; the MMU model turns a false return here into that fault.
 * Deviation: RAM is modelled as flat host memory: no caches, no shareability effects.
 */
#include "hw/phys.h"

#include "hw/board.h"

#include <inttypes.h>
#include <stdio.h>
#include <sys/mman.h>

/* Does the host back madvised anonymous memory with transparent huge pages? (Linux sysfs) */
static bool host_has_thp(void)
{
	char line[128] = "";
	FILE *f = fopen("/sys/kernel/mm/transparent_hugepage/enabled", "r");

	if (!f)
		return false;
	if (!fgets(line, sizeof(line), f))
		line[0] = 0;
	fclose(f);
	return strstr(line, "[always]") || strstr(line, "[madvise]");
}

/* The chunk size for @cfg's RAM (phys.h, "The chunk size"): its log2. */
static unsigned phys_granule_shift(const struct kmm_env *env, const struct kmm_config *cfg)
{
	uint64_t ram = 0;

	if (cfg->host_granule == PHYS_CHUNK)
		return PHYS_CHUNK_SHIFT;
	if (cfg->host_granule == (uint64_t)1 << PHYS_HUGE_SHIFT)
		return PHYS_HUGE_SHIFT;
	for (uint32_t i = 0; i < cfg->nr_banks; i++)
		ram += cfg->banks[i].size;
	/* All of RAM written, with an eighth more for the memory maps and metadata, fits. */
	return ram + ram / 8 <= env->host_budget && host_has_thp() ? PHYS_HUGE_SHIFT
								   : PHYS_CHUNK_SHIFT;
}

bool phys_init(struct hw_phys *phys, struct kmm_env *env, const struct kmm_config *cfg)
{
	memset(phys, 0, sizeof(*phys));
	phys->env = env;

	/* Banks in PA order (the config need not be sorted). */
	for (uint32_t i = 0; i < cfg->nr_banks; i++) {
		struct phys_bank b = {.base = cfg->banks[i].base,
				      .end = cfg->banks[i].base + cfg->banks[i].size};
		uint32_t j = phys->nr_banks++;
		while (j > 0 && phys->banks[j - 1].base > b.base) {
			phys->banks[j] = phys->banks[j - 1];
			j--;
		}
		phys->banks[j] = b;
	}
	phys->chunk_shift = phys_granule_shift(env, cfg);
	for (uint32_t i = 0; i < phys->nr_banks; i++) {
		struct phys_bank *b = &phys->banks[i];
		uint64_t chunks, size = b->end - b->base, slack;

		b->shift = phys->chunk_shift;
		chunks = (size + phys_chunk(b) - 1) >> b->shift;
		/* Room to align the first chunk to a host huge page; never touched, never charged.
		 */
		slack = b->shift > PHYS_CHUNK_SHIFT ? phys_chunk(b) : 0;
		b->backing = size + slack >= size ? env_alloc_backing(env, size + slack) : NULL;
		b->host = b->backing;
		if (b->host && slack)
			b->host = (uint8_t *)(((uintptr_t)b->backing + slack - 1) &
					      ~(uintptr_t)(slack - 1));
		b->touched = b->host ? env_alloc(env, (chunks + 63) / 64 * 8) : NULL;
		b->clean = b->touched ? env_alloc(env, (chunks + 63) / 64 * 8) : NULL;
		if (!b->clean) {
			env_error(env, KMM_EHOST,
				  "cannot reserve %" PRIu64
				  " MiB of host memory for the RAM bank at "
				  "0x%" PRIx64,
				  (b->end - b->base) >> 20, b->base);
			phys_fini(phys);
			return false;
		}
#if defined(MADV_NOHUGEPAGE) && defined(MADV_HUGEPAGE)
		/* 4 KiB chunks: a host huge page would commit 2 MiB where one chunk is charged. */
		madvise(b->host, (size_t)(chunks << b->shift),
			b->shift > PHYS_CHUNK_SHIFT ? MADV_HUGEPAGE : MADV_NOHUGEPAGE);
#endif
	}
	struct kmm_mmio_range layout[PHYS_MAX_MMIO];
	phys->nr_mmio = board_mmio_layout(cfg, layout, PHYS_MAX_MMIO);
	if (phys->nr_mmio > PHYS_MAX_MMIO)
		phys->nr_mmio = PHYS_MAX_MMIO; /* validation refuses more; stay in bounds */
	for (uint32_t i = 0; i < phys->nr_mmio; i++) {
		phys->mmio[i].base = layout[i].base;
		phys->mmio[i].end = layout[i].base + layout[i].size;
		memcpy(phys->mmio[i].name, layout[i].name, KMM_NAME_MAX);
	}
	return true;
}

void phys_fini(struct hw_phys *phys)
{
	for (uint32_t i = 0; i < phys->nr_banks; i++) {
		env_free_backing(phys->env, phys->banks[i].backing);
		phys->banks[i].backing = NULL;
		env_free(phys->env, phys->banks[i].touched);
		env_free(phys->env, phys->banks[i].clean);
		phys->banks[i].host = NULL;
		phys->banks[i].touched = NULL;
		phys->banks[i].clean = NULL;
	}
	phys->nr_banks = 0;
}

/* Checks that every byte of [pa, pa+len) is RAM, possibly over adjacent banks. */
static bool phys_range_is_ram(const struct hw_phys *phys, kmm_pa_t pa, size_t len)
{
	while (len) {
		const struct phys_bank *b = phys_bank_of(phys, pa);
		uint64_t n;

		if (!b)
			return false;
		n = b->end - pa < len ? b->end - pa : len;
		pa += n;
		len -= n;
	}
	return true;
}

bool phys_read(const struct hw_phys *phys, kmm_pa_t pa, void *dst, size_t len)
{
	uint8_t *out = dst;

	if (len > UINT64_MAX - pa || !phys_range_is_ram(phys, pa, len))
		return false;
	while (len) {
		const struct phys_bank *b = phys_bank_of(phys, pa);
		uint64_t off = pa - b->base, n = phys_chunk(b) - (off & (phys_chunk(b) - 1));

		n = n < len ? n : len;
		if (phys_chunk_touched(b, off >> b->shift))
			memcpy(out, b->host + off, n);
		else
			memset(out, 0, n); /* never written: zero, and left uncommitted */
		out += n;
		pa += n;
		len -= n;
	}
	return true;
}

bool phys_write(const struct hw_phys *phys, kmm_pa_t pa, const void *src, size_t len)
{
	const uint8_t *in = src;

	if (len > UINT64_MAX - pa || !phys_range_is_ram(phys, pa, len))
		return false;
	while (len) {
		const struct phys_bank *b = phys_bank_of(phys, pa);
		uint64_t n = b->end - pa < len ? b->end - pa : len;
		memcpy(phys_to_host(phys, pa, n), in, n);
		in += n;
		pa += n;
		len -= n;
	}
	return true;
}

void phys_touch(const struct hw_phys *phys, const struct phys_bank *b, uint64_t off, size_t len)
{
	uint64_t first = off >> b->shift, last = (off + (len ? len - 1 : 0)) >> b->shift, n = 0;
	char what[96];

	for (uint64_t c = first; c <= last; c++) {
		uint64_t bit = (uint64_t)1 << (c % 64);

		if (b->touched[c / 64] & bit)
			continue;
		b->touched[c / 64] |= bit;
		if (b->clean[c / 64] & bit)
			b->clean[c / 64] &= ~bit; /* committed ahead: charged already */
		else
			n++;
	}
	if (!n)
		return;
	phys->env->host_touched += n << b->shift;
	snprintf(what, sizeof(what), "RAM written at PA 0x%" PRIx64, b->base + off);
	env_host_check(phys->env, what, n << b->shift);
}

/* Is chunk @c of @b touched, or (@clean_too) touched or clean? */
static inline bool chunk_in(const struct phys_bank *b, uint64_t c, bool clean_too)
{
	uint64_t w = b->touched[c / 64] | (clean_too ? b->clean[c / 64] : 0);

	return w >> (c % 64) & 1;
}

/*
 * Calls @fn on each run of touched chunks in the RAM of [pa, pa + len), clipped to the range;
 * @whole: only the chunks wholly inside it, and the clean chunks count as touched.
 */
static void phys_for_runs(const struct hw_phys *phys, kmm_pa_t pa, uint64_t len, bool whole,
			  void (*fn)(const struct hw_phys *phys, const struct phys_bank *b,
				     uint64_t off, uint64_t n))
{
	kmm_pa_t end = len > UINT64_MAX - pa ? UINT64_MAX : pa + len;

	for (uint32_t i = 0; i < phys->nr_banks; i++) {
		const struct phys_bank *b = &phys->banks[i];
		uint64_t lo = pa > b->base ? pa - b->base : 0,
			 hi = (end < b->end ? end : b->end) - b->base, c, stop;

		if (end <= b->base || pa >= b->end)
			continue;
		/* Chunks [c, stop): whole ones only for a discard, every one touched for a zero. */
		c = whole ? (lo + phys_chunk(b) - 1) >> b->shift : lo >> b->shift;
		stop = whole ? hi >> b->shift : (hi + phys_chunk(b) - 1) >> b->shift;
		while (c < stop) {
			uint64_t run;

			if (!(c % 64) && !(b->touched[c / 64] | (whole ? b->clean[c / 64] : 0))) {
				c += 64; /* 64 chunks never written */
				continue;
			}
			if (!chunk_in(b, c, whole)) {
				c++;
				continue;
			}
			for (run = c; run < stop && chunk_in(b, run, whole); run++)
				;
			{
				uint64_t o = c << b->shift, e = run << b->shift;

				o = o > lo ? o : lo;
				e = e < hi ? e : hi;
				fn(phys, b, o, e - o);
			}
			c = run;
		}
	}
}

static void zero_run(const struct hw_phys *phys, const struct phys_bank *b, uint64_t off,
		     uint64_t n)
{
	(void)phys;
	memset(b->host + off, 0, (size_t)n);
}

void phys_zero(const struct hw_phys *phys, kmm_pa_t pa, uint64_t len)
{
	phys_for_runs(phys, pa, len, false, zero_run);
}

static void discard_run(const struct hw_phys *phys, const struct phys_bank *b, uint64_t off,
			uint64_t n)
{
#ifdef MADV_DONTNEED
	if (madvise(b->host + off, (size_t)n, MADV_DONTNEED))
		return; /* not page aligned for this host: keep them */
	for (uint64_t c = off >> b->shift; c < (off + n) >> b->shift; c++) {
		b->touched[c / 64] &= ~((uint64_t)1 << (c % 64));
		b->clean[c / 64] &= ~((uint64_t)1 << (c % 64));
	}
	phys->env->host_touched -= n;
#else
	(void)phys, (void)b, (void)off, (void)n;
#endif
}

void phys_discard(const struct hw_phys *phys, kmm_pa_t pa, uint64_t len)
{
	phys_for_runs(phys, pa, len, true, discard_run);
}

#ifndef MADV_POPULATE_WRITE
#define MADV_POPULATE_WRITE 23 /* Linux 5.14 */
#endif

/* Populates chunks [c, stop) of @b (none touched or clean) and marks them clean. */
static bool commit_run(struct hw_phys *phys, struct phys_bank *b, uint64_t c, uint64_t stop)
{
	uint8_t *p = b->host + (c << b->shift);
	size_t n = (size_t)((stop - c) << b->shift);

	if (madvise(p, n, MADV_POPULATE_WRITE)) {
		/* EINVAL before 5.14, or ENOMEM: what was populated goes back, nothing charged */
		madvise(p, n, MADV_DONTNEED);
		phys->no_populate = true;
		return false;
	}
	for (; c < stop; c++)
		b->clean[c / 64] |= (uint64_t)1 << (c % 64);
	phys->env->host_touched += n;
	return true;
}

bool phys_commit(struct hw_phys *phys, kmm_pa_t pa, uint64_t len)
{
	struct phys_bank *b = (struct phys_bank *)phys_bank_of(phys, pa);
	uint64_t c, stop, more = 0;

	if (phys->no_populate || !b || !len || len > b->end - pa)
		return false;
	c = (pa - b->base) >> b->shift;
	stop = (pa - b->base + len + phys_chunk(b) - 1) >> b->shift;
	for (uint64_t i = c; i < stop; i++)
		more += chunk_in(b, i, true) ? 0 : phys_chunk(b);
	/* Never the cause of a crossing: the write that needs the memory reports it. */
	if (!more || env_host_charged(phys->env) + more > phys->env->host_budget)
		return false;
	while (c < stop) {
		uint64_t run;

		if (chunk_in(b, c, true)) {
			c++;
			continue;
		}
		for (run = c; run < stop && !chunk_in(b, run, true); run++)
			;
		if (!commit_run(phys, b, c, run))
			return false;
		c = run;
	}
	return true;
}

bool phys_is_ram(const struct hw_phys *phys, kmm_pa_t pa)
{
	return phys_bank_of(phys, pa) != NULL;
}

const struct phys_mmio *phys_mmio_of(const struct hw_phys *phys, kmm_pa_t pa)
{
	const struct phys_mmio *best = NULL;

	for (uint32_t i = 0; i < phys->nr_mmio; i++) {
		const struct phys_mmio *r = &phys->mmio[i];
		if (pa >= r->base && pa < r->end &&
		    (!best || r->end - r->base < best->end - best->base))
			best = r;
	}
	return best;
}

uint64_t phys_ram_size(const struct hw_phys *phys)
{
	uint64_t total = 0;

	for (uint32_t i = 0; i < phys->nr_banks; i++)
		total += phys->banks[i].end - phys->banks[i].base;
	return total;
}

bool phys_check(const struct hw_phys *phys, char *why, size_t whylen)
{
	uint64_t touched = 0;

	for (uint32_t i = 0; i < phys->nr_banks; i++) {
		const struct phys_bank *b = &phys->banks[i];

		if (b->end <= b->base || (b->base | b->end) & (KMM_PAGE_SIZE - 1)) {
			snprintf(why, whylen,
				 "phys: bank %u [0x%" PRIx64 "-0x%" PRIx64
				 ") is empty or not page aligned",
				 i, b->base, b->end);
			return false;
		}
		if (i > 0 && phys->banks[i - 1].end > b->base) {
			snprintf(why, whylen, "phys: banks %u and %u overlap or are out of order",
				 i - 1, i);
			return false;
		}
		if (!b->host || !b->touched || !b->clean) {
			snprintf(why, whylen, "phys: bank %u has no host backing", i);
			return false;
		}
		uint64_t words = (((b->end - b->base + phys_chunk(b) - 1) >> b->shift) + 63) / 64;

		for (uint64_t w = 0; w < words; w++) {
			uint64_t both = b->touched[w] & b->clean[w];

			if (both) {
				snprintf(why, whylen,
					 "phys: bank %u chunk %" PRIu64 " is touched and clean", i,
					 w * 64 + (uint64_t)__builtin_ctzll(both));
				return false;
			}
			touched += (uint64_t)__builtin_popcountll(b->touched[w] | b->clean[w])
				   << b->shift;
		}
		if (b->end > KMM_PA_LIMIT) {
			snprintf(why, whylen, "phys: bank %u ends beyond the 48-bit PA limit", i);
			return false;
		}
		for (uint32_t j = 0; j < phys->nr_mmio; j++) {
			const struct phys_mmio *r = &phys->mmio[j];
			if (r->base < b->end && b->base < r->end) {
				snprintf(why, whylen, "phys: bank %u overlaps MMIO range %s", i,
					 r->name);
				return false;
			}
		}
	}
	if (phys->nr_banks && touched != phys->env->host_touched) {
		snprintf(why, whylen,
			 "phys: %" PRIu64 " KiB of RAM marked touched or clean, %" PRIu64
			 " KiB charged",
			 touched >> 10, phys->env->host_touched >> 10);
		return false;
	}
	return true;
}
