/*
 * Scenario steps of swap devices:
 *
 *   swapon DEV SIZE [prio=N] [file=HOSTPATH]     a plain disk: mkswap + swapon(2)
 *   swapoff DEV                                  swapoff(2)
 *   zram disksize=SIZE [dev=/dev/zramN] [mem_limit=SIZE] [prio=N]
 *                                                echo SIZE > disksize; mkswap; swapon
 *
 * prio=N is swapon -p N (SWAP_FLAG_PREFER, 0..32767); without it the kernel assigns -2,
 * -3, ... Each step prints the device's /proc/swaps figures once it is on.
 */
#include "sim/swap_steps.h"

#include <kmm/swap.h>

#include <inttypes.h>
#include <string.h>

#include "sim/machine.h"

static enum kmm_status parse_prio(struct scenario *sc, const char *step, const char *text,
				  int *flags)
{
	uint64_t prio;

	*flags = 0;
	if (!text)
		return KMM_OK;
	if (!scenario_parse_u64(text, &prio) || prio > KMM_SWAP_FLAG_PRIO_MASK)
		return scenario_fail(sc, KMM_EINVAL, "%s: prio '%s' is not 0..32767", step, text);
	*flags = KMM_SWAP_FLAG_PREFER | (int)prio;
	return KMM_OK;
}

static enum kmm_status do_swapon(struct scenario *sc, const char *step,
				 const struct kmm_swap_config *c)
{
	struct kmm_swap_stats st;
	enum kmm_status s = kmm_swapon(sc->m, c);

	if (s)
		return scenario_fail(sc, s, "%s: %s", step, kmm_last_error(sc->m));
	kmm_swap_stats(sc->m, &st);
	sink_printf(&sc->out, "%s %s: on; SwapTotal %" PRIu64 " kB, SwapFree %" PRIu64 " kB\n",
		    step, c->name, st.total_kb, st.free_kb);
	return KMM_OK;
}

enum kmm_status step_swapon(struct scenario *sc, int argc, char **argv)
{
	static const char *const keys[] = {"prio", "file", NULL};
	const char *vals[2] = {NULL, NULL};
	struct kmm_swap_config c = {.kind = KMM_SWAP_PLAIN, .name = argv[1]};
	enum kmm_status s;

	if (!scenario_parse_opts(sc, argc, argv, 3, keys, vals))
		return KMM_EINVAL;
	if (!scenario_parse_u64(argv[2], &c.bytes))
		return scenario_fail(sc, KMM_EINVAL, "swapon: bad size '%s'", argv[2]);
	if ((s = parse_prio(sc, "swapon", vals[0], &c.swap_flags)))
		return s;
	c.host_path = vals[1];
	return do_swapon(sc, "swapon", &c);
}

enum kmm_status step_swapoff(struct scenario *sc, int argc, char **argv)
{
	enum kmm_status s = kmm_swapoff(sc->m, argv[1]);

	(void)argc;
	if (s)
		return scenario_fail(sc, s, "swapoff: %s", kmm_last_error(sc->m));
	sink_printf(&sc->out, "swapoff %s: off\n", argv[1]);
	return KMM_OK;
}

enum kmm_status step_zram(struct scenario *sc, int argc, char **argv)
{
	static const char *const keys[] = {"disksize", "dev", "mem_limit", "prio", NULL};
	const char *vals[4] = {NULL, "/dev/zram0", "0", NULL};
	struct kmm_swap_config c = {.kind = KMM_SWAP_ZRAM};
	enum kmm_status s;

	if (!scenario_parse_opts(sc, argc, argv, 1, keys, vals))
		return KMM_EINVAL;
	if (!vals[0] || !scenario_parse_u64(vals[0], &c.bytes))
		return scenario_fail(sc, KMM_EINVAL, "zram: disksize=SIZE is needed");
	if (!scenario_parse_u64(vals[2], &c.zram_mem_limit))
		return scenario_fail(sc, KMM_EINVAL, "zram: bad mem_limit '%s'", vals[2]);
	if ((s = parse_prio(sc, "zram", vals[3], &c.swap_flags)))
		return s;
	c.name = vals[1];
	return do_swapon(sc, "zram", &c);
}
