/*
 * The small arithmetic every kernel file takes for granted, in one place: alignment,
 * rounding, min/max/clamp, bit searches and logarithms, ARRAY_SIZE and BIT.
 *
 * Models: include/linux/align.h, include/linux/math.h (round_up, round_down, DIV_ROUND_UP),
 *         include/linux/minmax.h, include/linux/log2.h, include/asm-generic/bitops/fls.h,
 *         fls64.h, __ffs.h, include/linux/kernel.h (ARRAY_SIZE), include/vdso/bits.h (BIT)
 *         (Linux 6.1).
 * Deviations: min/max/clamp are plain conditional expressions: no type check (the kernel's
 *         refuses mixed signedness at build time) and each argument may be evaluated twice, so
 *         arguments must have no side effects. ilog2/__ffs/__fls on 0 are undefined, as the
 *         kernel's are.
 *
 * Kernel-generic: no machine, no state; usable by src/mm, the arch code and src/sim.
 */
#ifndef KMM_LIB_KERNEL_H
#define KMM_LIB_KERNEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define ARRAY_SIZE(arr) (sizeof(arr) / sizeof((arr)[0]))
#define BIT(nr)		(1UL << (nr))
#define BIT_ULL(nr)	(1ULL << (nr))

/* ---- alignment and rounding: @a and @y are powers of two (round_up/down, ALIGN) -------- */

#define __ALIGN_MASK(x, mask) (((x) + (mask)) & ~(mask))
#define ALIGN(x, a)	      __ALIGN_MASK(x, (__typeof__(x))(a)-1)
#define ALIGN_DOWN(x, a)      ((x) & ~((__typeof__(x))(a)-1))
#define IS_ALIGNED(x, a)      (((x) & ((__typeof__(x))(a)-1)) == 0)

/* The kernel's mask forms: round_up(0, y) is 0 and a value at the top wraps to 0. */
#define __round_mask(x, y) ((__typeof__(x))((y)-1))
#define round_up(x, y)	   ((((x)-1) | __round_mask(x, y)) + 1)
#define round_down(x, y)   ((x) & ~__round_mask(x, y))

#define DIV_ROUND_UP(n, d) (((n) + (d)-1) / (d))

/* Any @y (not only powers of two), by division. */
#define roundup(x, y)	((((x) + ((y)-1)) / (y)) * (y))
#define rounddown(x, y) ((x) - ((x) % (y)))

/* ---- min, max, clamp -------------------------------------------------------------------- */

#define min(x, y)		   ((x) < (y) ? (x) : (y))
#define max(x, y)		   ((x) > (y) ? (x) : (y))
#define min_t(type, x, y)	   min((type)(x), (type)(y))
#define max_t(type, x, y)	   max((type)(x), (type)(y))
#define clamp(val, lo, hi)	   min(max(val, lo), hi)
#define clamp_t(type, val, lo, hi) min_t(type, max_t(type, val, lo), hi)

/* ---- bit searches (1-based for fls, 0-based for __ffs/__fls) ---------------------------- */

/* Models: fls(): the last (most significant) set bit, 1-based; 0 for 0. */
static inline int fls(unsigned int x)
{
	return x ? 32 - __builtin_clz(x) : 0;
}

/* Models: fls64(). */
static inline int fls64(uint64_t x)
{
	return x ? 64 - __builtin_clzll(x) : 0;
}

/* Models: __fls(): the last set bit, 0-based (undefined for 0). */
static inline unsigned int __fls(unsigned long x)
{
	return (unsigned int)(63 - __builtin_clzl(x));
}

/* Models: __ffs(): the first set bit, 0-based (undefined for 0). */
static inline unsigned int __ffs(unsigned long x)
{
	return (unsigned int)__builtin_ctzl(x);
}

/* ---- powers of two and logarithms --------------------------------------------------------- */

static inline bool is_power_of_2(unsigned long n)
{
	return n != 0 && (n & (n - 1)) == 0;
}

/* Models: ilog2() for a run-time value: floor(log2(n)), n > 0. */
static inline int ilog2(uint64_t n)
{
	return fls64(n) - 1;
}

/* Models: roundup_pow_of_two(): n > 0. */
static inline unsigned long roundup_pow_of_two(unsigned long n)
{
	return 1UL << fls64(n - 1);
}

/* Models: rounddown_pow_of_two(): n > 0. */
static inline unsigned long rounddown_pow_of_two(unsigned long n)
{
	return 1UL << (fls64(n) - 1);
}

/* Models: order_base_2(): ceil(log2(n)), 0 for n <= 1. */
static inline int order_base_2(unsigned long n)
{
	return n > 1 ? ilog2(n - 1) + 1 : 0;
}

#endif /* KMM_LIB_KERNEL_H */
