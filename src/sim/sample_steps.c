/*
 * Scenario steps of the time series: the sampler of include/kmm/stats.h from a scenario.
 *
 *   sample COUNTERS [every=T]
 *                  starts sampling the comma-separated COUNTERS (any name kmm_stats_counter
 *                  takes) every T of simulated time: a number with ns, us (the default unit),
 *                  ms or s ("every=250us", "every=2ms"); a running sampler is replaced.
 *   sample-stop [block=NAME]
 *                  takes a last row, stops, and prints the rows as CSV ("t_ns,COUNTER,..."
 *                  then one line per row) between "@@@BEGIN NAME@@@" and "@@@END NAME@@@"
 *                  (NAME defaults to samples), the markers /init's blocks use, so
 *                  `kmmsim --json run` and the Python plotter find it in the output.
 *
 * Deviation: the kernel has no sampler; this stands for a script reading /proc every T while
 *            the workload runs, without the reading perturbing the machine.
 */
#include "sim/sample_steps.h"

#include <string.h>

/* "250us", "2ms", "1s", "500ns", "100" (us) into ns; false if malformed or 0. */
static bool parse_interval(const char *text, uint64_t *ns)
{
	static const struct {
		const char *suffix;
		uint64_t ns;
	} units[] = {{"ns", 1}, {"us", 1000}, {"ms", 1000000}, {"s", 1000000000}};
	size_t n = strspn(text, "0123456789");
	uint64_t v = 0, mult = 1000;

	if (!n || n > 12)
		return false;
	for (size_t i = 0; i < n; i++)
		v = v * 10 + (uint64_t)(text[i] - '0');
	if (text[n]) {
		mult = 0;
		for (size_t u = 0; u < sizeof(units) / sizeof(units[0]); u++)
			if (strcmp(text + n, units[u].suffix) == 0)
				mult = units[u].ns;
	}
	*ns = v * mult;
	return *ns != 0;
}

enum kmm_status step_sample(struct scenario *sc, int argc, char **argv)
{
	static const char *const keys[] = {"every", NULL};
	const char *vals[] = {"100us"};
	uint64_t ns;
	enum kmm_status st;

	if (!scenario_parse_opts(sc, argc, argv, 2, keys, vals))
		return KMM_EINVAL;
	if (!parse_interval(vals[0], &ns))
		return scenario_fail(sc, KMM_EINVAL,
				     "sample: every=%s is not an interval (a number with ns, us, "
				     "ms or s, not 0)",
				     vals[0]);
	st = kmm_sample_start(sc->m, ns, argv[1]);
	if (st)
		return scenario_fail(sc, st, "sample: %s", kmm_last_error(sc->m));
	return KMM_OK;
}

enum kmm_status step_sample_stop(struct scenario *sc, int argc, char **argv)
{
	static const char *const keys[] = {"block", NULL};
	const char *vals[] = {"samples"};
	enum kmm_status st;

	if (!scenario_parse_opts(sc, argc, argv, 1, keys, vals))
		return KMM_EINVAL;
	if (!vals[0][0] || strpbrk(vals[0], "@ \t"))
		return scenario_fail(sc, KMM_EINVAL, "sample-stop: bad block name '%s'", vals[0]);
	st = kmm_sample_stop(sc->m);
	if (st)
		return scenario_fail(sc, st, "sample-stop: %s", kmm_last_error(sc->m));
	sink_printf(&sc->out, "@@@BEGIN %s@@@\n", vals[0]);
	kmm_sample_csv(sc->m, sc->out.fn, sc->out.arg);
	sink_printf(&sc->out, "@@@END %s@@@\n", vals[0]);
	return KMM_OK;
}
