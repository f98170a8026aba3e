/*
 * kmmbench boot: create a machine and boot the kernel to a ready buddy allocator (memblock,
 * zones, the memory map, the hand-over, watermarks) for several RAM sizes. Reports the time,
 * struct page's size, and the host RSS after boot against the memory map's size
 * (target: <= 1.1 x mem_map + 32 MiB; 64 GiB boot <= 1 s).
 */
#include <kmm/kmm.h>
#include <stdio.h>

#include "bench.h"
#include "mm/mm_types.h"

int bench_boot(struct bench *b)
{
	static const char *sizes[] = {"1G", "4G", "16G", "64G"};
	char metric[96], note[128];

	for (size_t s = 0; s < sizeof(sizes) / sizeof(sizes[0]); s++) {
		double boot_ms[BENCH_MAX_RUNS], rss_mib[BENCH_MAX_RUNS], ratio[BENCH_MAX_RUNS];
		struct kmm_config cfg;
		double memmap_mib;

		kmm_config_init(&cfg);
		kmm_config_option(&cfg, "-m", sizes[s]);
		memmap_mib =
			(double)(kmm_config_ram_size(&cfg) >> 12) * sizeof(struct page) / (1 << 20);
		for (int r = 0; r < b->runs; r++) {
			struct kmm_machine *m;
			uint64_t rss0 = bench_rss_bytes(), t0 = bench_now_ns(), t1;

			if (kmm_machine_create(&cfg, &m)) {
				fprintf(stderr, "kmmbench: -m %s: %s\n", sizes[s],
					kmm_last_error(NULL));
				return 1;
			}
			t1 = bench_now_ns();
			rss_mib[r] = (double)(bench_rss_bytes() - rss0) / (1 << 20);
			ratio[r] = rss_mib[r] / (1.1 * memmap_mib + 32);
			kmm_machine_destroy(m);
			boot_ms[r] = (double)(t1 - t0) / 1e6;
		}
		snprintf(metric, sizeof(metric), "boot -m %s", sizes[s]);
		bench_figure(b, metric, "ms", boot_ms, b->runs, NULL);
		snprintf(metric, sizeof(metric), "host RSS after boot -m %s", sizes[s]);
		snprintf(note, sizeof(note), "mem_map %.0f MiB", memmap_mib);
		bench_figure(b, metric, "MiB", rss_mib, b->runs, note);
		snprintf(metric, sizeof(metric), "RSS / (1.1 x mem_map + 32 MiB), -m %s", sizes[s]);
		bench_figure(b, metric, "x", ratio, b->runs, "target <= 1");
	}
	bench_note(b, "sizeof(struct page) = %zu bytes", sizeof(struct page));
	return 0;
}
