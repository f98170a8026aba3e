/*
 * kmmbench machine: create and destroy machines of several RAM sizes. Reports the time of
 * kmm_machine_create and of kmm_machine_destroy, and the host RSS a machine adds before
 * anything touches its RAM (the lazy-commit promise: 64 GiB of RAM under 64 MiB of RSS).
 */
#include <kmm/kmm.h>
#include <stdio.h>

#include "bench.h"

int bench_machine(struct bench *b)
{
	static const char *sizes[] = {"1G", "4G", "16G", "64G", "256G"};
	char metric[96];

	for (size_t s = 0; s < sizeof(sizes) / sizeof(sizes[0]); s++) {
		double create_us[BENCH_MAX_RUNS], destroy_us[BENCH_MAX_RUNS], rss_mib[BENCH_MAX_RUNS];
		struct kmm_config cfg;

		kmm_config_init(&cfg);
		if (kmm_config_option(&cfg, "-m", sizes[s])) {
			fprintf(stderr, "kmmbench: %s\n", kmm_last_error(NULL));
			return 1;
		}
		for (int r = 0; r < b->runs; r++) {
			struct kmm_machine *m;
			uint64_t rss0 = bench_rss_bytes(), t0 = bench_now_ns(), t1, t2;

			if (kmm_machine_create(&cfg, &m)) {
				fprintf(stderr, "kmmbench: -m %s: %s\n", sizes[s], kmm_last_error(NULL));
				return 1;
			}
			t1 = bench_now_ns();
			rss_mib[r] = (double)(bench_rss_bytes() - rss0) / (1 << 20);
			kmm_machine_destroy(m);
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
	bench_note(b, "RSS from /proc/self/statm (Linux); 0 where the platform cannot tell");
	return 0;
}
