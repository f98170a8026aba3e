/*
 * Public swap API (include/kmm/swap.h): argument checks, then swapfile.c's swapon/swapoff
 * and the devices of page_io.c and zram.c. Arguments no caller of the syscalls could pass
 * (NULL config or name, an unknown kind, a host file for zram) are refused with KMM_EINVAL
 * before anything changes; the rest goes to the kernel's checks, whose errno becomes the
 * status with the kernel's reason in kmm_last_error.
 */
#include <kmm/swap.h>

#include <errno.h>
#include <string.h>

#include "drivers/zram.h"
#include "mm/swapfile.h"
#include "sim/api.h"

_Static_assert(KMM_SWAP_FLAG_PREFER == SWAP_FLAG_PREFER &&
		       KMM_SWAP_FLAG_PRIO_MASK == SWAP_FLAG_PRIO_MASK &&
		       KMM_SWAP_FLAG_DISCARD == SWAP_FLAG_DISCARD &&
		       KMM_SWAP_FLAG_DISCARD_ONCE == SWAP_FLAG_DISCARD_ONCE &&
		       KMM_SWAP_FLAG_DISCARD_PAGES == SWAP_FLAG_DISCARD_PAGES,
	       "public swapon flags differ from the kernel's");
_Static_assert((int)KMM_SWAP_PLAIN == (int)SWAP_DEV_PLAIN &&
		       (int)KMM_SWAP_ZRAM == (int)SWAP_DEV_ZRAM,
	       "public swap kinds differ from swapfile.h's");

static enum kmm_status swap_status(int err)
{
	switch (-err) {
	case 0:
		return KMM_OK;
	case ENOMEM:
		return KMM_ENOMEM;
	case EBUSY:
		return KMM_EBUSY;
	case EPERM:
		return KMM_EPERM;
	case EIO:
		return KMM_EIO;
	case ENOENT:
		return KMM_ENOENT;
	default:
		return KMM_EINVAL;
	}
}

static const char *swapon_reason(int err)
{
	switch (-err) {
	case EBUSY:
		return "the device is already swap (-EBUSY)";
	case EPERM:
		return "all MAX_SWAPFILES (28) swap types are in use (-EPERM)";
	case ENOMEM:
		return "no memory for the swap map (-ENOMEM)";
	case EIO:
		return "the host file cannot be opened (-EIO)";
	default:
		return "bad flags, or a size mkswap refuses (under 10 pages) or the host cannot "
		       "map "
		       "(-EINVAL)";
	}
}

API_BODY(swapon, { const struct kmm_swap_config *cfg; })
{
	const struct kmm_swap_config *c = p->cfg;
	struct swap_dev *dev;
	int err;

	if (!c || !c->name)
		return api_error(a, KMM_EINVAL, "NULL %s", !c ? "cfg" : "name (cfg->name)");
	if (c->kind != KMM_SWAP_PLAIN && c->kind != KMM_SWAP_ZRAM)
		return api_error(a, KMM_EINVAL, "kind %d: unknown device kind", (int)c->kind);
	if (c->kind == KMM_SWAP_ZRAM && (c->host_path || strncmp(c->name, "/dev/zram", 9)))
		return api_error(a, KMM_EINVAL,
				 "%s: a zram device is named /dev/zramN and has no host file",
				 c->name);
	if (c->kind == KMM_SWAP_PLAIN && c->zram_mem_limit)
		return api_error(a, KMM_EINVAL, "mem_limit is zram's");
	if (swap_find_zram(a->k, c->name))
		return api_error(a, KMM_EBUSY, "%s: %s", c->name, swapon_reason(-EBUSY));
	err = swap_dev_create(a->k, (enum swap_dev_kind)c->kind, c->name, c->bytes, c->host_path,
			      &dev);
	if (err == -EINVAL && !c->bytes)
		return api_error(a, KMM_EINVAL, "%s: size 0: a device needs pages (-EINVAL)",
				 c->name);
	if (err == -EINVAL && c->bytes / KMM_PAGE_SIZE > UINT32_MAX / 2)
		return api_error(a, KMM_EINVAL,
				 "%s: size %llu is above 2^31 pages, more than a swap map holds "
				 "(-EINVAL)",
				 c->name, (unsigned long long)c->bytes);
	if (err == -EINVAL)
		return api_error(a, KMM_EINVAL, "%s: the name is empty or too long (-EINVAL)",
				 c->name);
	if (err)
		return api_error(a, swap_status(err), "%s: %s", c->name, swapon_reason(err));
	if (swap_dev_zram(dev))
		zram_set_mem_limit(swap_dev_zram(dev), c->zram_mem_limit);
	err = sys_swapon(a->k, dev, c->swap_flags);
	if (err) {
		swap_dev_destroy(a->k, dev);
		if (err == -EINVAL && ((unsigned)c->swap_flags & ~(unsigned)SWAP_FLAGS_VALID))
			return api_error(
				a, KMM_EINVAL,
				"%s: flags %#x has bits outside SWAP_FLAGS_VALID (-EINVAL)",
				c->name, (unsigned)c->swap_flags);
		if (err == -EINVAL && c->bytes / KMM_PAGE_SIZE < MKSWAP_MIN_PAGES)
			return api_error(a, KMM_EINVAL,
					 "%s: size %llu is under 10 pages: mkswap refuses it "
					 "(-EINVAL)",
					 c->name, (unsigned long long)c->bytes);
		return api_error(a, swap_status(err), "%s: %s", c->name, swapon_reason(err));
	}
	return KMM_OK;
}

enum kmm_status kmm_swapon(struct kmm_machine *m, const struct kmm_swap_config *cfg)
{
	return API_CALL(m, API_USER, swapon, cfg);
}

API_BODY(swapoff, { const char *name; })
{
	int err;

	if (!p->name)
		return api_error(a, KMM_EINVAL, "NULL name");
	err = sys_swapoff(a->k, p->name);
	switch (-err) {
	case 0:
		return KMM_OK;
	case EBUSY:
		return api_error(a, KMM_EBUSY,
				 "%s: slots in use and try_to_unuse is not available yet "
				 "(-EBUSY; nothing lost)",
				 p->name);
	case ENOMEM:
		return api_error(a, KMM_ENOMEM,
				 "%s: not enough memory to take the swapped pages back (-ENOMEM)",
				 p->name);
	default:
		return api_error(a, swap_status(err), "%s: not an active swap device (-EINVAL)",
				 p->name);
	}
}

enum kmm_status kmm_swapoff(struct kmm_machine *m, const char *name)
{
	return API_CALL(m, API_USER, swapoff, name);
}

API_BODY(swap_stats, { struct kmm_swap_stats *st; })
{
	unsigned long fr, tot;
	struct kmm_swap_stats *st = p->st;

	if (!st)
		return api_error(a, KMM_EINVAL, "NULL stats");
	memset(st, 0, sizeof(*st));
	si_swapinfo(a->k, &fr, &tot);
	st->free_kb = (uint64_t)fr << (PAGE_SHIFT - 10);
	st->total_kb = (uint64_t)tot << (PAGE_SHIFT - 10);
	st->nr_devices = swap_nr_active(a->k);
	st->pswpin = a->k->vm_events[PSWPIN];
	st->pswpout = a->k->vm_events[PSWPOUT];
	st->pgpgin_kb = a->k->vm_events[PGPGIN] / 2;
	st->pgpgout_kb = a->k->vm_events[PGPGOUT] / 2;
	return KMM_OK;
}

enum kmm_status kmm_swap_stats(struct kmm_machine *m, struct kmm_swap_stats *st)
{
	return API_CALL(m, API_BOOTED, swap_stats, st);
}

API_BODY(zram_stat, {
	const char *name;
	struct kmm_zram_stat *st;
})
{
	struct zram_mm_stat z;
	const struct zram *zram;

	if (!p->name || !p->st)
		return api_error(a, KMM_EINVAL, "NULL %s", !p->name ? "name" : "stats");
	zram = swap_find_zram(a->k, p->name);
	if (!zram)
		return api_error(a, KMM_ENOENT, "%s: no active zram swap device", p->name);
	zram_mm_stat(zram, &z);
	*p->st = (struct kmm_zram_stat){z.orig_data_size,   z.compr_data_size, z.mem_used_total,
					z.mem_limit,	    z.mem_used_max,    z.same_pages,
					z.pages_compacted,  z.huge_pages,      z.huge_pages_since,
					zram_disksize(zram)};
	return KMM_OK;
}

enum kmm_status kmm_zram_stat(struct kmm_machine *m, const char *name, struct kmm_zram_stat *st)
{
	return API_CALL(m, API_BOOTED, zram_stat, name, st);
}
