/* Snapshot/delta report steps (report_steps.c), listed in SCENARIO_STEPS. */
#ifndef KMM_SIM_REPORT_STEPS_H
#define KMM_SIM_REPORT_STEPS_H

#include "sim/scenario.h"

enum kmm_status step_report_quiet(struct scenario *sc, int argc, char **argv);
enum kmm_status step_report_value(struct scenario *sc, int argc, char **argv);
enum kmm_status step_report_echo(struct scenario *sc, int argc, char **argv);
enum kmm_status step_region_of(struct scenario *sc, int argc, char **argv);
enum kmm_status step_faults_self(struct scenario *sc, int argc, char **argv);
enum kmm_status step_faults_sbrk(struct scenario *sc, int argc, char **argv);
enum kmm_status step_faults_reap(struct scenario *sc, int argc, char **argv);
enum kmm_status step_faults_file_create(struct scenario *sc, int argc, char **argv);
enum kmm_status step_faults_file_mmap(struct scenario *sc, int argc, char **argv);
enum kmm_status step_faults_file_check(struct scenario *sc, int argc, char **argv);
enum kmm_status step_faults_file_close(struct scenario *sc, int argc, char **argv);
enum kmm_status step_faults_pinfo(struct scenario *sc, int argc, char **argv);
enum kmm_status step_faults_wtag(struct scenario *sc, int argc, char **argv);
enum kmm_status step_faults_rtag(struct scenario *sc, int argc, char **argv);
enum kmm_status step_faults_retouch(struct scenario *sc, int argc, char **argv);
enum kmm_status step_faults_call(struct scenario *sc, int argc, char **argv);
enum kmm_status step_faults_mremap(struct scenario *sc, int argc, char **argv);
enum kmm_status step_faults_status(struct scenario *sc, int argc, char **argv);
enum kmm_status step_faults_nonzero(struct scenario *sc, int argc, char **argv);
enum kmm_status step_faults_abc(struct scenario *sc, int argc, char **argv);
enum kmm_status step_faults_amap_aligned(struct scenario *sc, int argc, char **argv);
enum kmm_status step_faults_stack_touch(struct scenario *sc, int argc, char **argv);
enum kmm_status step_report_exp(struct scenario *sc, int argc, char **argv);
enum kmm_status step_snap(struct scenario *sc, int argc, char **argv);
enum kmm_status step_report_step(struct scenario *sc, int argc, char **argv);
enum kmm_status step_report_maps(struct scenario *sc, int argc, char **argv);
enum kmm_status step_report_maps_with(struct scenario *sc, int argc, char **argv);
enum kmm_status step_report_smaps(struct scenario *sc, int argc, char **argv);
enum kmm_status step_report_file(struct scenario *sc, int argc, char **argv);
/* The rows of SCENARIO_STEPS (scenario.c) for these steps. */
#define REPORT_SCENARIO_STEPS(X)                                                                   \
	X("report-quiet", "on|off", 1, 1, ANYTIME, step_report_quiet,                              \
	  "drop (on) or print (off) the output of steps other than report steps")                  \
	X("report-exp", "NAME [silent]", 1, 2, AFTER_BOOT, step_report_exp,                        \
	  "print @@@EXP NAME@@@ (unless silent); report-step labels are NAME.LABEL from here")     \
	X("snap", "TASK", 1, 1, AFTER_BOOT, step_snap,                                             \
	  "take a task's snapshot (faults, status, smaps_rollup, vmstat) quietly")                 \
	X("report-step", "TASK LABEL", 2, 2, AFTER_BOOT, step_report_step,                         \
	  "print the deltas since the task's last snapshot as the faults oracle does")             \
	X("report-maps", "TASK TAG ADDR LEN", 4, 4, AFTER_BOOT, step_report_maps,                  \
	  "print the task's maps lines around [ADDR, ADDR+LEN) (+-1 page)")                        \
	X("report-maps-with", "TASK TAG TEXT", 3, 3, AFTER_BOOT, step_report_maps_with,            \
	  "print the task's maps lines containing TEXT")                                           \
	X("report-smaps", "TASK TAG ADDR", 3, 3, AFTER_BOOT, step_report_smaps,                    \
	  "print the task's smaps block of the VMA holding ADDR")                                  \
	X("report-file", "TASK FILE", 2, 2, AFTER_BOOT, step_report_file,                          \
	  "print /proc/PID/FILE framed as @@@FILE /proc/self/FILE (N bytes)@@@")                   \
	X("report-value", "PATH ...", 1, SCENARIO_MAX_ARGS - 1, AFTER_BOOT, step_report_value,     \
	  "print PATH=<first line of the view> (or <missing>)")                                    \
	X("report-echo", "TEXT ...", 0, SCENARIO_MAX_ARGS - 1, ANYTIME, step_report_echo,          \
	  "print TEXT, even while report-quiet is on")                                             \
	X("region-of", "TASK REGION TEXT [nth=N]", 3, 4, AFTER_BOOT, step_region_of,               \
	  "name REGION the VMA of the Nth maps line containing TEXT (default: the first)")         \
	X("faults-self", "TASK", 1, 1, AFTER_BOOT, step_faults_self,                               \
	  "print personality=, pagesize=, sbrk0= (the break) as faults.c's first line")            \
	X("faults-sbrk", "TASK +N|-N", 2, 2, AFTER_BOOT, step_faults_sbrk,                         \
	  "move the break as sbrk() and print faults.c's line about it")                           \
	X("faults-reap", "TASK CHILD", 2, 2, AFTER_BOOT, step_faults_reap,                         \
	  "exit(0) CHILD and print its whole-life fault counts (getrusage RUSAGE_CHILDREN)")       \
	X("faults-file-create", "TASK PATH", 2, 2, AFTER_BOOT, step_faults_file_create,            \
	  "create and open experiment 9's 1 MiB file, written page by page")                       \
	X("faults-file-mmap", "TASK REGION private|shared", 3, 3, AFTER_BOOT,                      \
	  step_faults_file_mmap, "map that file read-write, private or shared, as REGION")         \
	X("faults-file-check", "TASK REGION", 2, 2, AFTER_BOOT, step_faults_file_check,            \
	  "pread the file's tags and count the private view's (faults.c after msync)")             \
	X("faults-file-close", "TASK PATH", 2, 2, AFTER_BOOT, step_faults_file_close,              \
	  "close and unlink that file")                                                            \
	X("faults-pinfo", "WHAT ADDR LEN", 3, 3, AFTER_BOOT, step_faults_pinfo,                    \
	  "print WHAT addr= len= end= addr_mod_2M= (faults.c's pinfo)")                            \
	X("faults-wtag", "TASK ADDR LEN TAG", 4, 4, AFTER_BOOT, step_faults_wtag,                  \
	  "store TAG^offset in word 0 of each page, as the task (faults.c's wtag)")                \
	X("faults-rtag", "TASK ADDR LEN TAG TEXT [suffix=S]", 5, 6, AFTER_BOOT, step_faults_rtag,  \
	  "load word 0 of each page; print TEXT=pages holding TAG^offset (TAG 0: their sum)")      \
	X("faults-nonzero", "TASK ADDR LEN TEXT", 4, 4, AFTER_BOOT, step_faults_nonzero,           \
	  "load every word; print TEXT=the non-zero ones")                                         \
	X("faults-abc", "TASK ADDR WHO", 3, 3, AFTER_BOOT, step_faults_abc,                        \
	  "print the A/B/C tag census and FNV-1a of 4 MiB (faults.c's abc)")                       \
	X("faults-amap-aligned", "TASK REGION LEN", 3, 3, AFTER_BOOT, step_faults_amap_aligned,    \
	  "map a 2 MiB-aligned anonymous region: over-map by 2 MiB and trim")                      \
	X("faults-stack-touch", "TASK LEN [silent]", 2, 3, AFTER_BOOT, step_faults_stack_touch,    \
	  "write one byte per page of LEN bytes below the stack's top page, top down")             \
	X("faults-retouch", "TASK", 1, 1, AFTER_BOOT, step_faults_retouch,                         \
	  "rewrite one byte of every resident page of every rw-p mapping (faults.c's retouch)")    \
	X("faults-call", "TASK mlock|munlock|msync ADDR LEN", 4, 4, AFTER_BOOT, step_faults_call,  \
	  "mlock, munlock or msync(MS_SYNC) the range; print NAME=0 or NAME=-1")                   \
	X("faults-mremap", "TASK WHAT SRC NEW OLDLEN NEWLEN [MREMAP_MAYMOVE]", 6, 7, AFTER_BOOT,   \
	  step_faults_mremap, "mremap SRC, name the result NEW, print faults.c's mremap line")     \
	X("faults-status", "TASK FIELD ...", 2, SCENARIO_MAX_ARGS - 1, AFTER_BOOT,                 \
	  step_faults_status, "print status FIELD=V ... of /proc/PID/status")

/* Frees the scenario's snapshots (host memory only). */
void scenario_report_free(struct scenario *sc);

#endif /* KMM_SIM_REPORT_STEPS_H */
