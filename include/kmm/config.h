/*
 * Machine description: RAM banks, MMIO ranges, CPUs, NUMA nodes, early reservations and the
 * kernel command line.
 *
 * Defaults (kmm_config_init) model QEMU's `virt` machine as `qemu-system-aarch64 -M virt`
 * builds it: one node, 1 GiB of RAM in one bank at PA 0x4000_0000, 4 CPUs, the virt board's
 * devices (UART, RTC, GPIO, PCIe windows) as MMIO ranges, an empty command line, seed 1.
 *
 * The config is a plain value: fill it from C with the setters below, from QEMU-style options
 * with kmm_config_option(), or from a kernel command line with kmm_config_append().
 * Nothing is checked until kmm_config_validate() or kmm_machine_create().
 */
#ifndef KMM_CONFIG_H
#define KMM_CONFIG_H

#include <kmm/types.h>

#ifdef __cplusplus
extern "C" {
#endif

#define KMM_MAX_BANKS	 16
#define KMM_MAX_MMIO	 32
#define KMM_MAX_NODES	 16  /* CONFIG_NODES_SHIFT=4 in the reference kernel */
#define KMM_MAX_CPUS	 256 /* CONFIG_NR_CPUS=256 in the reference kernel */
#define KMM_MAX_RESERVES 64
#define KMM_CMDLINE_MAX	 2048 /* COMMAND_LINE_SIZE on arm64 */
#define KMM_NAME_MAX	 48
#define KMM_MAX_SYSCTLS	 16
#define KMM_MAX_COSTS	 64

/* Architectural limit of the model: 48-bit physical addresses (PA_BITS=48). */
#define KMM_PA_LIMIT ((kmm_pa_t)1 << 48)

/* Default RAM base of QEMU virt. */
#define KMM_VIRT_RAM_BASE ((kmm_pa_t)0x40000000)

struct kmm_ram_bank {
	kmm_pa_t base; /* page aligned */
	uint64_t size; /* page aligned, non-zero */
};

struct kmm_mmio_range {
	kmm_pa_t base;
	uint64_t size;
	char name[KMM_NAME_MAX]; /* as /proc/iomem shows it */
};

struct kmm_numa_node {
	uint64_t mem_size;  /* bytes of RAM, laid out after the previous node's */
	uint32_t cpu_first; /* CPUs cpu_first..cpu_last belong to this node ... */
	uint32_t cpu_last;  /* ... when has_cpus */
	bool has_cpus;
	bool present; /* nodeid was declared */
};

struct kmm_reserve {
	kmm_pa_t base; /* KMM_PA_ANY: placed by the boot code (top-down, like memblock) */
	uint64_t size;
};

/* Board: the devices around RAM. */
enum kmm_board {
	KMM_BOARD_VIRT = 0, /* QEMU virt: UART, RTC, GPIO, PCIe windows, placed as QEMU 7.2 does */
	KMM_BOARD_NONE = 1, /* no devices but the MMIO ranges added by hand */
};

struct kmm_config {
	enum kmm_board board;
	bool banks_set; /* RAM layout given (the default bank has been replaced) */
	uint32_t nr_banks;
	struct kmm_ram_bank banks[KMM_MAX_BANKS];

	uint32_t nr_mmio;
	struct kmm_mmio_range mmio[KMM_MAX_MMIO];

	uint32_t nr_cpus;

	/*
	 * The CPU model, as QEMU's -cpu names it: "cortex-a57" (the default: every capture in
	 * tests/data/oracles/linux was taken on one) or "max". It decides the ASID width and
	 * whether the MMU sets the access flag and dirty state itself (FEAT_HAFDBS: max only).
	 */
	char cpu_model[16];
	/* ASID width the CPUs report: 0 the model's (16 bits on both), or 8 (-cpu NAME,asidbits=8).
	 */
	uint32_t asid_bits;

	/*
	 * NUMA. nr_nodes == 0: no topology given; the kernel makes one node of all memory and
	 * all CPUs. Otherwise nodes[0..nr_nodes) are used, their memory laid out over the RAM
	 * banks in PA order; the sizes must add up to the RAM size (as QEMU requires).
	 */
	uint32_t nr_nodes;
	struct kmm_numa_node nodes[KMM_MAX_NODES];
	uint8_t distance[KMM_MAX_NODES][KMM_MAX_NODES]; /* 0: default (10 local, 20 remote) */

	uint32_t nr_reserves;
	struct kmm_reserve reserves[KMM_MAX_RESERVES];

	char cmdline[KMM_CMDLINE_MAX]; /* kernel command line (-append) */

	/* Tunables written after boot, in order, like `sysctl -w` (-sysctl NAME=VALUE). */
	uint32_t nr_sysctls;
	struct kmm_sysctl_setting {
		char name[64];
		char value[64];
	} sysctls[KMM_MAX_SYSCTLS];

	/*
	 * ARCH_KMALLOC_MINALIGN (arm64: ARCH_DMA_MINALIGN, 128): the smallest kmalloc cache is
	 * kmalloc-<this>. A power of two from 8 to 256; 8 switches on kmalloc-8 .. kmalloc-64 and
	 * kmalloc-96/192 as on architectures without DMA alignment needs.
	 */
	uint32_t kmalloc_minalign;

	uint64_t seed;	  /* PRNG seed: runs are reproducible for a given config and seed */
	uint32_t cpu_mhz; /* simulated CPU clock, for converting cycles to time (1000) */
	uint64_t fail_host_alloc_nth; /* testing: fail the Nth host allocation (0: never) */

	/*
	 * Cost table overrides (-cost NAME=CYCLES), applied over the defaults in order. The
	 * table, its defaults and what each row charges: /sys/kernel/debug/kmm/costs.
	 */
	uint32_t nr_costs;
	struct kmm_cost_setting {
		char name[32];
		uint32_t cycles;
	} costs[KMM_MAX_COSTS];

	/*
	 * Host-memory budget in bytes (-host-mem SIZE); 0: half of the host's available memory
	 * when the machine is created. The machine's RAM is charged as it is first written, its
	 * memory map and metadata as they are made; a machine whose memory map alone would not
	 * fit is refused at create (KMM_EHOST), and one that crosses the budget later stops
	 * (KMM_EHOST, the machine dead) instead of exhausting the host.
	 */
	uint64_t host_mem;

	/*
	 * How finely RAM's host memory is charged and given back (-host-granule 4K|2M|auto):
	 * 4096 or 2 MiB, or 0 (auto): 2 MiB chunks backed by host transparent huge pages where
	 * the host has them for madvised memory and all the RAM, plus an eighth, fits in the
	 * budget, else 4 KiB. 2 MiB chunks make first writes, migration copies and give-backs
	 * several times cheaper on a virtualised host; a word written charges its whole chunk.
	 */
	uint64_t host_granule;

	/*
	 * Progress of long steps (boot: the memory map, the hand-over to the buddy allocator),
	 * called now and then with what is being done and how far (in pages); once more with
	 * @what NULL when the step ends. NULL: no calls. The library prints nothing itself;
	 * kmmsim shows it on a terminal when a boot takes more than a second.
	 */
	void (*progress)(void *arg, const char *what, uint64_t done, uint64_t total);
	void *progress_arg;
};

/* Fills @cfg with the QEMU virt defaults described above (kmalloc_minalign 128). Never fails. */
KMM_API void kmm_config_init(struct kmm_config *cfg);

/* Replaces the RAM layout by one bank of @size bytes at 0x4000_0000 (QEMU's -m). */
KMM_API enum kmm_status kmm_config_set_ram(struct kmm_config *cfg, uint64_t size);

/* Adds a RAM bank. The first call after kmm_config_init() replaces the default bank. */
KMM_API enum kmm_status kmm_config_add_bank(struct kmm_config *cfg, kmm_pa_t base, uint64_t size);

/*
 * Adds an MMIO (device) range, in addition to the board's. A range inside an earlier one
 * (or the board's) nests under it in /proc/iomem; partial overlaps are refused at validation.
 */
KMM_API enum kmm_status kmm_config_add_mmio(struct kmm_config *cfg, kmm_pa_t base, uint64_t size,
					    const char *name);

/* Declares NUMA node @nid with @mem_size bytes and CPUs @cpu_first..@cpu_last (has_cpus). */
KMM_API enum kmm_status kmm_config_add_node(struct kmm_config *cfg, uint32_t nid, uint64_t mem_size,
					    bool has_cpus, uint32_t cpu_first, uint32_t cpu_last);

/* Sets the NUMA distance between @from and @to (both directions unless set separately). */
KMM_API enum kmm_status kmm_config_set_distance(struct kmm_config *cfg, uint32_t from, uint32_t to,
						uint32_t distance);

/* Adds an early boot reservation of @size bytes at @base (KMM_PA_ANY: boot code places it). */
KMM_API enum kmm_status kmm_config_add_reserve(struct kmm_config *cfg, uint64_t size,
					       kmm_pa_t base);

/* Adds a tunable to write after boot ("vm.min_free_kbytes", "8192"). */
KMM_API enum kmm_status kmm_config_add_sysctl(struct kmm_config *cfg, const char *name,
					      const char *value);

/*
 * Sets the cost of one modelled step ("buddy_rmqueue", "page_zero", "walk_read", ...) to
 * @cycles of the simulated CPU. KMM_EINVAL naming the problem for an unknown name; @cfg is
 * then unchanged. A second setting of the same name replaces the first.
 */
KMM_API enum kmm_status kmm_config_set_cost(struct kmm_config *cfg, const char *name,
					    uint32_t cycles);

/* Appends @params to the kernel command line (space separated, like -append). */
KMM_API enum kmm_status kmm_config_append(struct kmm_config *cfg, const char *params);

/*
 * Applies one QEMU-style machine option, as kmmsim takes it: @name is "-m", "-smp", "-cpu",
 * "-numa", "-append", "-reserve", "-ram", "-mmio", "-M", "-sysctl", "-seed",
 * "-kmalloc-minalign", "-cpu-mhz" or "-cost"; @value its argument. Returns KMM_EINVAL with the
 * reason in kmm_last_error(NULL) if either is malformed; @cfg is then unchanged.
 */
KMM_API enum kmm_status kmm_config_option(struct kmm_config *cfg, const char *name,
					  const char *value);

/* Writes the table of machine options (name, argument, help) through @out. */
KMM_API void kmm_config_options_help(kmm_sink_fn out, void *arg);

/* True if @name is a machine option kmm_config_option() takes. */
KMM_API bool kmm_config_is_option(const char *name);

/*
 * Checks the whole config: bank and MMIO overlaps and alignment, CPU count, NUMA layout, the
 * kernel command line. Returns KMM_OK, or KMM_EINVAL with kmm_last_error(NULL) naming the
 * first problem. Never changes @cfg.
 */
KMM_API enum kmm_status kmm_config_validate(const struct kmm_config *cfg);

/* Total bytes of RAM over all banks. */
KMM_API uint64_t kmm_config_ram_size(const struct kmm_config *cfg);

/*
 * Parses a size the way the kernel's memparse() does: a number (decimal, 0x hex or 0 octal)
 * with an optional K, M, G, T, P or E suffix (binary multiples). Unlike memparse, trailing
 * garbage, an empty number or overflow is an error: KMM_EINVAL.
 */
KMM_API enum kmm_status kmm_parse_size(const char *text, uint64_t *out);

/*
 * The MMIO ranges the machine will have: the board's (placed for this RAM layout) then the
 * ones added by hand. Writes up to @max entries to @out and returns how many there are.
 */
KMM_API uint32_t kmm_config_mmio_layout(const struct kmm_config *cfg, struct kmm_mmio_range *out,
					uint32_t max);

#ifdef __cplusplus
}
#endif

#endif /* KMM_CONFIG_H */
