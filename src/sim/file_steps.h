/* Scenario steps of files (file_steps.c), listed in SCENARIO_STEPS. */
#ifndef KMM_SIM_FILE_STEPS_H
#define KMM_SIM_FILE_STEPS_H

#include <kmm/task.h>

#include "sim/scenario.h"

enum kmm_status step_open(struct scenario *sc, int argc, char **argv);
enum kmm_status step_memfd(struct scenario *sc, int argc, char **argv);
enum kmm_status step_close(struct scenario *sc, int argc, char **argv);
enum kmm_status step_pwrite(struct scenario *sc, int argc, char **argv);
enum kmm_status step_pread(struct scenario *sc, int argc, char **argv);
enum kmm_status step_ftruncate(struct scenario *sc, int argc, char **argv);
enum kmm_status step_fsync(struct scenario *sc, int argc, char **argv);
enum kmm_status step_seal(struct scenario *sc, int argc, char **argv);
enum kmm_status step_unlink(struct scenario *sc, int argc, char **argv);
enum kmm_status step_msync(struct scenario *sc, int argc, char **argv);

/* X(name, usage, min args, max args, phase, handler, help) rows for SCENARIO_STEPS. */
#define FILE_SCENARIO_STEPS(X)                                                                     \
	X("open", "TASK FD PATH [flags=O_X|..]", 3, 4, AFTER_BOOT, step_open,                      \
	  "open PATH as TASK (default O_RDWR) and name the descriptor FD")                         \
	X("memfd", "TASK FD NAME [flags=MFD_X|..]", 3, 4, AFTER_BOOT, step_memfd,                  \
	  "memfd_create as TASK (default MFD_ALLOW_SEALING) and name the descriptor FD")           \
	X("close", "TASK FD", 2, 2, AFTER_BOOT, step_close, "close a task's descriptor")           \
	X("pwrite", "TASK FD OFF LEN [pattern=V] [expect=ok|refused]", 4, 6, AFTER_BOOT,           \
	  step_pwrite,                                                                             \
	  "pwrite LEN bytes of the 64-bit word V (little-endian, by file offset) at OFF")          \
	X("pread", "TASK FD OFF LEN", 4, 4, AFTER_BOOT, step_pread,                                \
	  "pread LEN bytes at OFF; print the count and their FNV-1a")                              \
	X("ftruncate", "TASK FD SIZE", 3, 3, AFTER_BOOT, step_ftruncate,                           \
	  "ftruncate a file (pages beyond SIZE unmapped and dropped)")                             \
	X("fsync", "TASK FD", 2, 2, AFTER_BOOT, step_fsync, "fsync a file (write back, wait)")     \
	X("seal", "TASK FD F_SEAL_X|..", 3, 3, AFTER_BOOT, step_seal,                              \
	  "F_ADD_SEALS on a memfd, then print F_GET_SEALS")                                        \
	X("unlink", "PATH", 1, 1, AFTER_BOOT, step_unlink,                                         \
	  "remove a file's name (it lives on while open or mapped)")                               \
	X("msync", "TASK ADDR LEN [flags=MS_X|..]", 3, 4, AFTER_BOOT, step_msync,                  \
	  "msync a range of a task (default MS_SYNC)")

/*
 * The fd number descriptor name @name stands for, or a failure naming @step (KMM_ENOENT).
 * Used by the task steps' `mmap ... fd=FD`.
 */
enum kmm_status scenario_fd(struct scenario *sc, const char *step, const char *name, int *fd);

/* Frees the scenario's descriptor names (host memory only). */
void scenario_fd_names_free(struct scenario *sc);

#endif /* KMM_SIM_FILE_STEPS_H */
