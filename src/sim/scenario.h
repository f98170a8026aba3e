/*
 * Scenario runner internals: the state a step handler sees. Steps are registered in the
 * SCENARIO_STEPS table in scenario.c; a step that belongs to a later subsystem is written
 * in that subsystem's own src/sim file and listed there.
 */
#ifndef KMM_SIM_SCENARIO_H
#define KMM_SIM_SCENARIO_H

#include <kmm/kmm.h>

#include "lib/sink.h"

#define SCENARIO_MAX_ARGS 32

struct scenario {
	const char *name; /* for messages */
	unsigned line;	  /* current line number */
	struct kmm_config cfg;
	struct kmm_machine *m; /* NULL until booted */
	struct sink out;
	void *page_sets;   /* page_steps.c: named sets of allocated blocks */
	void *vm_names;	   /* vmalloc_steps.c: named vmalloc/ioremap areas */
	void *slab_sets;   /* slab_steps.c: named caches and object sets */
	void *report;	   /* report_steps.c: per-task snapshots of the report steps */
	void *task_names;  /* task_steps.c: named tasks and regions */
	void *vmstat_mark; /* oom_steps.c: the vmstat-mark snapshot */
	void *fd_names;	   /* file_steps.c: named file descriptors */
};

/* A step handler: returns KMM_OK or a status with the reason set by scenario_fail(). */
typedef enum kmm_status (*scenario_step_fn)(struct scenario *sc, int argc, char **argv);

/* Records "NAME:LINE: message" as the scenario's error; returns @status. */
enum kmm_status scenario_fail(struct scenario *sc, enum kmm_status status, const char *fmt, ...)
	KMM_PRINTF(3, 4);

/* Boots the machine from sc->cfg if it is not booted yet. */
enum kmm_status scenario_boot(struct scenario *sc);

/*
 * Reads the "key=value" words argv[first..] into vals[j] for keys[j] (a NULL-terminated
 * list; vals keep their defaults otherwise). False, with the scenario's error set, on a word
 * without '=' or an unknown key. The words are cut at '=' in place.
 */
bool scenario_parse_opts(struct scenario *sc, int argc, char **argv, int first,
			 const char *const *keys, const char **vals);

/* Parses a number (0x hex, decimal) or a size with suffix; false if malformed. */
bool scenario_parse_u64(const char *text, uint64_t *out);

#endif /* KMM_SIM_SCENARIO_H */
