/*
 * kmmbench hostmem: the host never pays for simulated memory nobody wrote. A machine boots,
 * allocates 90 % of its RAM in order-9 blocks with the default init_on_alloc=1 (every block
 * zeroed), writes one word into every block, and frees them all. Reports the time of each
 * phase and the host RSS against the memory map (target: RSS after the allocation <= 1.1 x
 * mem_map + 32 MiB: zeroing RAM never written commits nothing), the host memory charged to
 * the budget, and the RSS after the free (the freed pageblocks give their pages back).
 */
#include <kmm/kmm.h>
#include <stdio.h>
#include <stdlib.h>

#include "bench.h"
#include "mm/mm_types.h"

#define BLOCK_ORDER 9

int bench_hostmem(struct bench *b)
{
	static const char *sizes[] = {"4G", "16G", "64G"};
	char metric[96], note[128];

	for (size_t s = 0; s < sizeof(sizes) / sizeof(sizes[0]); s++) {
		double alloc_ms[BENCH_MAX_RUNS], rss_mib[BENCH_MAX_RUNS], ratio[BENCH_MAX_RUNS],
			charged_mib[BENCH_MAX_RUNS], freed_mib[BENCH_MAX_RUNS],
			wrote_mib[BENCH_MAX_RUNS];
		struct kmm_config cfg;
		double memmap_mib;
		size_t want;

		kmm_config_init(&cfg);
		kmm_config_option(&cfg, "-m", sizes[s]);
		memmap_mib =
			(double)(kmm_config_ram_size(&cfg) >> 12) * sizeof(struct page) / (1 << 20);
		want = (size_t)(kmm_config_ram_size(&cfg) / 10 * 9 >> (12 + BLOCK_ORDER));
		for (int r = 0; r < b->runs; r++) {
			kmm_pfn_t *pfn = calloc(want, sizeof(*pfn));
			struct kmm_machine *m;
			uint64_t rss0 = bench_rss_bytes(), t0, t1, charged;
			size_t n = 0;

			if (!pfn || kmm_machine_create(&cfg, &m)) {
				fprintf(stderr, "kmmbench: -m %s: %s\n", sizes[s],
					kmm_last_error(NULL));
				free(pfn);
				return 1;
			}
			t0 = bench_now_ns();
			while (n < want && !kmm_alloc_pages(m, KMM_GFP_KERNEL | KMM___GFP_NOWARN,
							    BLOCK_ORDER, &pfn[n]))
				n++;
			t1 = bench_now_ns();
			if (n < want * 99 / 100) {
				fprintf(stderr, "kmmbench: -m %s: only %zu of %zu blocks: %s\n",
					sizes[s], n, want, kmm_last_error(m));
				kmm_machine_destroy(m);
				free(pfn);
				return 1;
			}
			alloc_ms[r] = (double)(t1 - t0) / 1e6;
			rss_mib[r] = (double)(bench_rss_bytes() - rss0) / (1 << 20);
			ratio[r] = rss_mib[r] / (1.1 * memmap_mib + 32);
			for (size_t i = 0; i < n; i++) {
				uint64_t v = i;
				kmm_phys_write(m, pfn[i] << 12, &v, sizeof(v));
			}
			kmm_host_mem(m, &charged, NULL);
			charged_mib[r] = (double)charged / (1 << 20);
			wrote_mib[r] = (double)(bench_rss_bytes() - rss0) / (1 << 20);
			for (size_t i = 0; i < n; i++)
				kmm_free_pages(m, pfn[i], BLOCK_ORDER);
			freed_mib[r] = (double)(bench_rss_bytes() - rss0) / (1 << 20);
			kmm_machine_destroy(m);
			free(pfn);
		}
		snprintf(metric, sizeof(metric), "allocate 90%% of -m %s (order 9, zeroed)",
			 sizes[s]);
		bench_figure(b, metric, "ms", alloc_ms, b->runs, NULL);
		snprintf(metric, sizeof(metric), "host RSS after allocating 90%% of -m %s",
			 sizes[s]);
		snprintf(note, sizeof(note), "mem_map %.0f MiB", memmap_mib);
		bench_figure(b, metric, "MiB", rss_mib, b->runs, note);
		snprintf(metric, sizeof(metric), "RSS / (1.1 x mem_map + 32 MiB), -m %s", sizes[s]);
		bench_figure(b, metric, "x", ratio, b->runs, "target <= 1");
		snprintf(metric, sizeof(metric), "host memory charged then, -m %s", sizes[s]);
		bench_figure(b, metric, "MiB", charged_mib, b->runs, NULL);
		snprintf(metric, sizeof(metric), "host RSS after writing a word per block, -m %s",
			 sizes[s]);
		bench_figure(b, metric, "MiB", wrote_mib, b->runs, NULL);
		snprintf(metric, sizeof(metric), "host RSS after freeing them all, -m %s",
			 sizes[s]);
		bench_figure(b, metric, "MiB", freed_mib, b->runs, NULL);
	}
	bench_note(b,
		   "RSS from /proc/self/statm (Linux); the budget charges each chunk written: "
		   "2 MiB where RAM + 1/8 fits in the budget and the host has THP (-host-granule "
		   "auto: -m 4G here), else 4 KiB");
	return 0;
}
