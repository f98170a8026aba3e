/*
 * The simulated machine: create, destroy, errors, reports, the clock, views and checks.
 *
 * A machine owns its hardware (RAM, MMIO, CPUs), one kernel instance, a simulated clock, a
 * kernel log and a report ring. Several machines can live in one process; a machine is
 * driven by one host thread at a time and is deterministic for a given config and seed.
 *
 * Error model (docs/errors.md):
 *   simulated outcome   -> KMM_ENOMEM / KMM_EFAULT, machine unchanged
 *   bad API argument    -> KMM_EINVAL + kmm_last_error(m), nothing changed
 *   kernel warning      -> normal result + a report, machine tainted
 *   kernel death (BUG)  -> KMM_EBUG + a report; afterwards only inspect, dump, destroy
 */
#ifndef KMM_MACHINE_H
#define KMM_MACHINE_H

#include <kmm/config.h>
#include <kmm/types.h>

#ifdef __cplusplus
extern "C" {
#endif

struct kmm_machine;

/*
 * Builds and boots a machine from @cfg (NULL: kmm_config_init defaults). On KMM_OK, *@out is
 * the new machine. On failure *@out is NULL and kmm_last_error(NULL) says why.
 */
KMM_API enum kmm_status kmm_machine_create(const struct kmm_config *cfg, struct kmm_machine **out);

/* Frees the machine and every host resource it holds, dead or alive. NULL is ignored. */
KMM_API void kmm_machine_destroy(struct kmm_machine *m);

/* The config the machine was built from (read-only). */
KMM_API const struct kmm_config *kmm_machine_config(const struct kmm_machine *m);

/*
 * Text of the last failed call on @m, or, with @m NULL, of the last failed call on this
 * thread that had no machine (config checks, kmm_machine_create). Never NULL; "" if none.
 */
KMM_API const char *kmm_last_error(const struct kmm_machine *m);

/* True once the simulated kernel has died (BUG, panic, failed invariant). */
KMM_API bool kmm_machine_dead(const struct kmm_machine *m);

/*
 * The simulated CPU that following calls run on: its per-CPU page lists, slabs and
 * statistics are the ones used, as kernel code running there would.
 */
KMM_API enum kmm_status kmm_cpu_set(struct kmm_machine *m, unsigned cpu);

/*
 * Simulated time since power-on, in nanoseconds, and in CPU cycles: the machine clock, which
 * timestamps show. Every modelled step charges its cost (/sys/kernel/debug/kmm/costs) to the
 * current CPU; the clock never goes backwards (docs/architecture.md, "Time").
 */
KMM_API uint64_t kmm_clock_ns(const struct kmm_machine *m);
KMM_API uint64_t kmm_clock_cycles(const struct kmm_machine *m);

/*
 * CPU @cpu's own clock and its busy time, in cycles: the clock stops while another CPU is
 * current and resumes at the machine clock; busy counts the work charged to it. 0 for a
 * CPU that does not exist.
 */
KMM_API uint64_t kmm_clock_cpu_cycles(const struct kmm_machine *m, unsigned cpu);
KMM_API uint64_t kmm_clock_cpu_busy_cycles(const struct kmm_machine *m, unsigned cpu);

/*
 * Runs every invariant check of every subsystem (physical memory, and what later layers
 * add). Returns KMM_OK, or KMM_ECORRUPT with the first violated invariant in kmm_last_error.
 * Never changes the machine.
 */
KMM_API enum kmm_status kmm_check(struct kmm_machine *m);

/*
 * Writes the view at @path (e.g. "/proc/iomem") into @buf, NUL-terminated. KMM_ENOENT for
 * an unknown path; KMM_ERANGE if @len is too small (then @buf holds a truncated prefix and
 * kmm_last_error gives the size needed).
 */
KMM_API enum kmm_status kmm_proc_read(struct kmm_machine *m, const char *path, char *buf,
				      size_t len);

/* Streams the view at @path through @sink. KMM_ENOENT for an unknown path. */
KMM_API enum kmm_status kmm_proc_show(struct kmm_machine *m, const char *path, kmm_sink_fn sink,
				      void *arg);

/*
 * Calls @fn for every view path the machine serves, in a stable order: the machine-wide
 * views, then (a booted @m) each live task's /proc/<pid>/<file> (maps, smaps, smaps_rollup,
 * status, statm, numa_maps, oom_score, oom_score_adj) and /sys/kernel/debug/kmm/ptdump/<pid>,
 * in pid order.
 */
KMM_API void kmm_proc_list(const struct kmm_machine *m, void (*fn)(void *arg, const char *path),
			   void *arg);

/*
 * Writes a tunable as `sysctl -w` would: @name "vm.min_free_kbytes" (or
 * "/proc/sys/vm/min_free_kbytes"), @value its text ("8192", "64 64 8 0"). The kernel's side
 * effects follow (watermarks, lowmem reserves, pcp sizes recomputed). KMM_ENOENT for an
 * unknown name, KMM_EINVAL for a value the kernel refuses (nothing changed then). Read a
 * tunable with kmm_proc_read(m, "/proc/sys/vm/NAME", ...). Write-only sysfs files take the
 * same call: "/sys/devices/system/node/nodeN/compact" compacts node N.
 */
KMM_API enum kmm_status kmm_sysctl(struct kmm_machine *m, const char *name, const char *value);

/*
 * Compacts memory as the kernel's interfaces do: @nid < 0 every node (vm.compact_memory), else
 * node @nid (its /sys/devices/system/node/nodeN/compact); @zone names one zone of that node
 * ("DMA", "DMA32", "Normal", "Movable"; NULL: every zone). Synchronous, whole zones. KMM_EINVAL
 * (nothing done) for an absent node, an unknown or empty zone, or a zone without a node.
 */
KMM_API enum kmm_status kmm_compact(struct kmm_machine *m, int nid, const char *zone);

/*
 * Runs @scans passes of khugepaged's scan now (each over khugepaged/pages_to_scan, as the
 * thread's passes are), collapsing what qualifies; the thread's own timer is left alone.
 * *@done (may be NULL) is the passes run: 0 when THP is off (enabled=never or < 512 MiB).
 * KMM_EINVAL for more than 1000000 passes at once.
 */
KMM_API enum kmm_status kmm_khugepaged_scan(struct kmm_machine *m, unsigned int scans,
					    unsigned int *done);

/* ---- Reports ---------------------------------------------------------------------- */

#define KMM_REPORT_KINDS(X)                                                                        \
	X(KMM_REPORT_INFO, "info")                                                                 \
	X(KMM_REPORT_WARN, "warning")                                                              \
	X(KMM_REPORT_ERROR, "error")                                                               \
	X(KMM_REPORT_BUG, "bug")

enum kmm_report_kind {
#define KMM_REPORT_ENUM(name, text) name,
	KMM_REPORT_KINDS(KMM_REPORT_ENUM)
#undef KMM_REPORT_ENUM
};

struct kmm_report {
	enum kmm_report_kind kind;
	const char *origin;    /* subsystem, e.g. "hw/phys", "mm/page_alloc" */
	const char *function;  /* the modeled function that raised it */
	const char *condition; /* the condition that held, e.g. "page_count(page) != 0" */
	uint64_t time_ns;      /* simulated time */
	int cpu;	       /* simulated CPU, -1 if none */
	uint64_t seq;	       /* 1, 2, ... in order of raising */
	const char *text;      /* the report in the kernel's wording (may be several lines) */
};

/* Called for every report as it is raised; the report is valid during the call only. */
typedef void (*kmm_report_fn)(void *arg, const struct kmm_report *report);

KMM_API void kmm_set_report_handler(struct kmm_machine *m, kmm_report_fn fn, void *arg);

/* Number of reports raised since creation (the ring keeps the last KMM_REPORT_RING). */
KMM_API uint64_t kmm_report_count(const struct kmm_machine *m);

#define KMM_REPORT_RING 256

/*
 * Copies report number @seq (1-based, as in struct kmm_report) into *@out; its strings stay
 * valid until the ring overwrites it. KMM_ENOENT if it is no longer (or not yet) in the ring.
 */
KMM_API enum kmm_status kmm_report_get(const struct kmm_machine *m, uint64_t seq,
				       struct kmm_report *out);

/* Writes the kernel log (what `dmesg` would print) through @sink. */
KMM_API void kmm_dmesg(const struct kmm_machine *m, kmm_sink_fn sink, void *arg);

/*
 * Host memory the machine is charged for (RAM written, the memory map, metadata) and its
 * budget (kmm_config.host_mem, or the default fixed at create), in bytes; NULL outputs are
 * skipped. Crossing the budget stops the machine: KMM_EHOST, then KMM_EDEAD.
 */
KMM_API void kmm_host_mem(const struct kmm_machine *m, uint64_t *charged, uint64_t *budget);

/* ---- Physical memory --------------------------------------------------------------- */

/*
 * The one bridge from a simulated PA to host memory: a host pointer valid for @len bytes
 * at @pa, or NULL if [pa, pa+len) is not wholly inside one RAM bank (MMIO, holes, or beyond).
 * The chunks it spans (4 KiB or 2 MiB, kmm_config.host_granule) are charged to the host-memory
 * budget (kmm_host_mem) from now on,
 * as the caller may write through it; kmm_phys_read charges nothing.
 */
KMM_API void *kmm_phys_to_host(struct kmm_machine *m, kmm_pa_t pa, size_t len);

/* Bounds-checked physical reads and writes; KMM_EFAULT if any byte is not RAM. */
KMM_API enum kmm_status kmm_phys_read(struct kmm_machine *m, kmm_pa_t pa, void *dst, size_t len);
KMM_API enum kmm_status kmm_phys_write(struct kmm_machine *m, kmm_pa_t pa, const void *src,
				       size_t len);

/* True if @pa is RAM / lies in an MMIO range. */
KMM_API bool kmm_phys_is_ram(const struct kmm_machine *m, kmm_pa_t pa);
KMM_API bool kmm_phys_is_mmio(const struct kmm_machine *m, kmm_pa_t pa);

#ifdef __cplusplus
}
#endif

#endif /* KMM_MACHINE_H */
