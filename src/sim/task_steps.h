/* Scenario steps of user space (task_steps.c), listed in SCENARIO_STEPS. */
#ifndef KMM_SIM_TASK_STEPS_H
#define KMM_SIM_TASK_STEPS_H

#include <kmm/task.h>

#include "sim/scenario.h"

enum kmm_status step_task(struct scenario *sc, int argc, char **argv);
enum kmm_status step_exec(struct scenario *sc, int argc, char **argv);
enum kmm_status step_fork(struct scenario *sc, int argc, char **argv);
enum kmm_status step_exit(struct scenario *sc, int argc, char **argv);
enum kmm_status step_task_cpu(struct scenario *sc, int argc, char **argv);
enum kmm_status step_mmap(struct scenario *sc, int argc, char **argv);
enum kmm_status step_munmap(struct scenario *sc, int argc, char **argv);
enum kmm_status step_brk(struct scenario *sc, int argc, char **argv);
enum kmm_status step_touch(struct scenario *sc, int argc, char **argv);
enum kmm_status step_checksum(struct scenario *sc, int argc, char **argv);
enum kmm_status step_task_info(struct scenario *sc, int argc, char **argv);
enum kmm_status step_task_show(struct scenario *sc, int argc, char **argv);
enum kmm_status step_tlb_stats(struct scenario *sc, int argc, char **argv);
enum kmm_status step_protect(struct scenario *sc, int argc, char **argv);
enum kmm_status step_advise(struct scenario *sc, int argc, char **argv);
enum kmm_status step_lock(struct scenario *sc, int argc, char **argv);
enum kmm_status step_remap(struct scenario *sc, int argc, char **argv);
enum kmm_status step_tlbi(struct scenario *sc, int argc, char **argv);
/* The rows of SCENARIO_STEPS (scenario.c) for these steps. */
#define TASK_SCENARIO_STEPS(X)                                                                     \
	X("task", "NAME [cpu=N]", 1, 2, AFTER_BOOT, step_task,                                     \
	  "create a task named NAME, exec'd as /bin/NAME")                                         \
	X("exec",                                                                                  \
	  "NAME [path=P] [text=N] [rodata=N] [data=N] [bss=N] [stack=N] [norandmaps=0|1] [gap=N] " \
	  "[relro=N] [rwoff=N]",                                                                   \
	  1, 11, AFTER_BOOT, step_exec,                                                            \
	  "replace a task's address space by a fresh exec (gap: text to RW segment; relro: "       \
	  "its read-only part)")                                                                   \
	X("fork", "PARENT CHILD", 2, 2, AFTER_BOOT, step_fork,                                     \
	  "fork a task; CHILD names the new one")                                                  \
	X("exit", "NAME [code=N]", 1, 2, AFTER_BOOT, step_exit, "exit a task (and reap it)")       \
	X("task-cpu", "NAME N", 2, 2, AFTER_BOOT, step_task_cpu, "move a task to CPU N")           \
	X("mmap", "NAME REGION LEN [prot=PROT_X|..] [flags=MAP_X|..] [addr=VA] [fd=FD] [off=N]",   \
	  3, 8, AFTER_BOOT, step_mmap,                                                             \
	  "map LEN bytes for a task (of file descriptor FD at off) and name the mapping REGION")   \
	X("munmap", "NAME ADDR LEN", 3, 3, AFTER_BOOT, step_munmap,                                \
	  "unmap [ADDR, ADDR+LEN) of a task (ADDR: REGION[+OFF] or a VA)")                         \
	X("brk", "NAME ADDR|+N|-N", 2, 2, AFTER_BOOT, step_brk, "move a task's program break")     \
	X("touch",                                                                                 \
	  "NAME ADDR LEN [op=read|write|exec] [order=seq|strided|random] [stride=N] [pattern=V] "  \
	  "[expect=ok|segv|bus]",                                                                  \
	  3, 8, AFTER_BOOT, step_touch, "access a range as the task, through its CPU's MMU")       \
	X("checksum", "NAME ADDR LEN", 3, 3, AFTER_BOOT, step_checksum,                            \
	  "print an FNV-1a hash of the bytes a task loads from a range")                           \
	X("task-info", "NAME", 1, 1, AFTER_BOOT, step_task_info,                                   \
	  "print a task's pid, state, CPU, fault counts, ASID and last signal")                    \
	X("task-show", "NAME VIEW ...", 2, SCENARIO_MAX_ARGS - 1, AFTER_BOOT, step_task_show,      \
	  "print /proc/<pid>/VIEW of a task (maps, smaps, status, ...)")                           \
	X("protect", "NAME ADDR LEN PROT_X|..", 4, 4, AFTER_BOOT, step_protect,                    \
	  "mprotect a range of a task")                                                            \
	X("advise", "NAME ADDR LEN MADV_X", 4, 4, AFTER_BOOT, step_advise,                         \
	  "madvise a range of a task")                                                             \
	X("lock", "NAME ADDR LEN", 3, 3, AFTER_BOOT, step_lock, "mlock a range of a task")         \
	X("unlock", "NAME ADDR LEN", 3, 3, AFTER_BOOT, step_lock, "munlock a range of a task")     \
	X("remap", "NAME REGION NEWLEN [flags=MREMAP_X|..] [addr=VA]", 3, 5, AFTER_BOOT,           \
	  step_remap, "mremap a region of a task (the region name follows the mapping)")           \
	X("tlb-stats", "CPU", 1, 1, AFTER_BOOT, step_tlb_stats,                                    \
	  "print a CPU's TLB hits, misses, walks and hit rate (since boot and since the last)")    \
	X("tlbi", "CPU OP [xt=N]", 2, 3, AFTER_BOOT, step_tlbi,                                    \
	  "execute TLBI OP (VMALLE1, VAE1IS, ASIDE1, ...) on CPU with operand register N")

/* A name of a flag table ("MAP_SHARED", KMM_MAP_SHARED); tables end with a NULL name. */
struct flag_name {
	const char *name;
	int value;
};

/* "A|B|C" of @table's names into *@out; false (the scenario failed, naming @step) if unknown. */
bool scenario_parse_flags(struct scenario *sc, const char *step, const char *text,
			  const struct flag_name *table, int *out);

/*
 * For other step files (added by the views helper; report_steps.c). The pid of the task
 * named @name; the address @text names (REGION, REGION+OFF or a number); (re)defining region
 * @name. Each returns KMM_OK, or fails the scenario naming @step (nothing changed).
 */
enum kmm_status scenario_task_pid(struct scenario *sc, const char *step, const char *name,
				  kmm_pid_t *pid);
enum kmm_status scenario_user_addr(struct scenario *sc, const char *step, const char *text,
				   kmm_va_t *va);
/* Names the task @pid @name (a new name, or the name moves to @pid). */
enum kmm_status scenario_task_name(struct scenario *sc, const char *step, const char *name,
				   kmm_pid_t pid);
enum kmm_status scenario_region_set(struct scenario *sc, const char *step, const char *name,
				    kmm_va_t va, uint64_t len);

/* The start and length of region @name; false (nothing written) if no region has that name. */
bool scenario_region_get(struct scenario *sc, const char *name, kmm_va_t *va, uint64_t *len);

/* Frees the scenario's task and region names (host memory only). */
void scenario_task_names_free(struct scenario *sc);

#endif /* KMM_SIM_TASK_STEPS_H */
