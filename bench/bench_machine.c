/*
 * kmmbench machine: the simulated hardware of several RAM sizes — environment (host arena),
 * RAM banks, MMIO, CPUs — created and destroyed without booting the kernel on it. Reports
 * the time of each and the host RSS the RAM adds before anything touches it (the lazy-commit
 * promise: 64 GiB of RAM under 64 MiB of RSS). `kmmbench boot` measures the kernel's boot.
 */
#include <kmm/kmm.h>
#include <stdio.h>

#include "bench.h"
#include "hw/hw.h"

int bench_machine(struct bench *b)
{
	static const char *sizes[] = {"1G", "4G", "16G", "64G", "256G"};
	char metric[96], err[256];

	for (size_t s = 0; s < sizeof(sizes) / sizeof(sizes[0]); s++) {
		double create_us[BENCH_MAX_RUNS], destroy_us[BENCH_MAX_RUNS],
			rss_mib[BENCH_MAX_RUNS];
		struct kmm_config cfg;

		kmm_config_init(&cfg);
		if (kmm_config_option(&cfg, "-m", sizes[s]) || kmm_config_validate(&cfg)) {
			fprintf(stderr, "kmmbench: %s\n", kmm_last_error(NULL));
			return 1;
		}
		for (int r = 0; r < b->runs; r++) {
			struct kmm_env env;
			struct kmm_hw hw;
			uint64_t rss0 = bench_rss_bytes(), t0 = bench_now_ns(), t1, t2;

			if (!env_init(&env, &cfg, err, sizeof(err)) || !hw_init(&hw, &env, &cfg)) {
				fprintf(stderr, "kmmbench: -m %s: %s%s\n", sizes[s], err,
					env.last_error);
				return 1;
			}
			t1 = bench_now_ns();
			rss_mib[r] = (double)(bench_rss_bytes() - rss0) / (1 << 20);
			hw_fini(&hw);
			env_fini(&env);
			t2 = bench_now_ns();
			create_us[r] = (double)(t1 - t0) / 1e3;
			destroy_us[r] = (double)(t2 - t1) / 1e3;
		}
		snprintf(metric, sizeof(metric), "create -m %s", sizes[s]);
		bench_figure(b, metric, "us", create_us, b->runs, NULL);
		snprintf(metric, sizeof(metric), "destroy -m %s", sizes[s]);
		bench_figure(b, metric, "us", destroy_us, b->runs, NULL);
		snprintf(metric, sizeof(metric), "host RSS added by -m %s (untouched)", sizes[s]);
		bench_figure(b, metric, "MiB", rss_mib, b->runs, NULL);
	}
	bench_note(b, "hardware only (no kernel boot); RSS from /proc/self/statm (Linux)");
	return 0;
}
