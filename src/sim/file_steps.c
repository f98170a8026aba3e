/*
 * Scenario steps of files as a task uses them: open (or memfd_create) a file into a named
 * descriptor, pwrite/pread through the page cache, ftruncate, fsync, seals, unlink, msync of
 * a mapping, and the `mmap ... fd=FD` option of the task steps (task_steps.c) that maps one.
 *
 *   open TASK FD PATH [flags=O_RDWR|O_CREAT|O_TRUNC]   FD names the descriptor (scenario-wide)
 *   memfd TASK FD NAME [flags=MFD_ALLOW_SEALING|MFD_CLOEXEC]
 *   close TASK FD
 *   pwrite TASK FD OFF LEN [pattern=V] [expect=ok|refused]
 *                                         LEN bytes of the 64-bit little-endian word V
 *   pread TASK FD OFF LEN                 bytes read and their FNV-1a (as `checksum` prints)
 *   ftruncate TASK FD SIZE
 *   fsync TASK FD
 *   seal TASK FD F_SEAL_X|..              F_ADD_SEALS, then prints F_GET_SEALS
 *   unlink PATH
 *   msync TASK ADDR LEN [flags=MS_SYNC|MS_ASYNC|MS_INVALIDATE]
 *
 * A descriptor name stands for the fd number the open returned: a forked child uses the
 * same name for its copy of the descriptor. The names are host memory of the scenario only.
 *
 * The byte layout of pwrite's pattern: byte i of the file range is byte (OFF + i) % 8 of V
 * stored little-endian, so a range written by several pwrites reads as one pattern wherever
 * each piece starts (and `touch op=write` stores of V at 8-aligned addresses agree with it).
 */
#include "sim/file_steps.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "sim/task_steps.h"

#define FD_NAMES_MAX  64
#define FILE_IO_CHUNK (64u << 10)
#define FILE_IO_MAX   (1ULL << 32)
#define FNV_OFFSET    0xcbf29ce484222325ULL
#define FNV_PRIME     0x100000001b3ULL

struct named_fd {
	char name[32];
	int fd;
};

struct fd_names {
	struct named_fd fd[FD_NAMES_MAX];
	int nr;
};

void scenario_fd_names_free(struct scenario *sc)
{
	free(sc->fd_names);
	sc->fd_names = NULL;
}

static struct named_fd *find_fd(struct scenario *sc, const char *name)
{
	struct fd_names *n = sc->fd_names;

	for (int i = 0; n && i < n->nr; i++)
		if (strcmp(n->fd[i].name, name) == 0)
			return &n->fd[i];
	return NULL;
}

enum kmm_status scenario_fd(struct scenario *sc, const char *step, const char *name, int *fd)
{
	struct named_fd *f = find_fd(sc, name);

	if (!f)
		return scenario_fail(sc, KMM_ENOENT, "%s: no descriptor named '%s'", step, name);
	*fd = f->fd;
	return KMM_OK;
}

/* Room for descriptor name @name (checked before the call that opens it). */
static enum kmm_status fd_name_room(struct scenario *sc, const char *step, const char *name)
{
	struct fd_names *n;

	if (!sc->fd_names && !(sc->fd_names = calloc(1, sizeof(struct fd_names))))
		return scenario_fail(sc, KMM_EHOST, "%s: host memory exhausted", step);
	n = sc->fd_names;
	if (strlen(name) >= sizeof(n->fd[0].name) || (!find_fd(sc, name) && n->nr == FD_NAMES_MAX))
		return scenario_fail(sc, KMM_EINVAL,
				     "%s: too many descriptors or name '%s' too long", step, name);
	return KMM_OK;
}

static void fd_name_set(struct scenario *sc, const char *name, int fd)
{
	struct fd_names *n = sc->fd_names;
	struct named_fd *f = find_fd(sc, name);

	if (!f) {
		f = &n->fd[n->nr++];
		strcpy(f->name, name);
	}
	f->fd = fd;
}

static enum kmm_status call_failed(struct scenario *sc, const char *step, enum kmm_status st)
{
	return scenario_fail(sc, st, "%s: %s", step, kmm_last_error(sc->m));
}

/* TASK FD: the task's pid and the descriptor's number. */
static enum kmm_status task_fd(struct scenario *sc, const char *step, char **argv, kmm_pid_t *pid,
			       int *fd)
{
	enum kmm_status st;

	if ((st = scenario_task_pid(sc, step, argv[1], pid)))
		return st;
	return scenario_fd(sc, step, argv[2], fd);
}

static const struct flag_name open_names[] = {
	{"O_RDONLY", KMM_O_RDONLY}, {"O_WRONLY", KMM_O_WRONLY}, {"O_RDWR", KMM_O_RDWR},
	{"O_CREAT", KMM_O_CREAT},   {"O_TRUNC", KMM_O_TRUNC},	{NULL, 0}};

static const struct flag_name memfd_names[] = {
	{"MFD_CLOEXEC", KMM_MFD_CLOEXEC}, {"MFD_ALLOW_SEALING", KMM_MFD_ALLOW_SEALING}, {NULL, 0}};

static const struct flag_name seal_names[] = {{"F_SEAL_SEAL", KMM_F_SEAL_SEAL},
					      {"F_SEAL_SHRINK", KMM_F_SEAL_SHRINK},
					      {"F_SEAL_GROW", KMM_F_SEAL_GROW},
					      {"F_SEAL_WRITE", KMM_F_SEAL_WRITE},
					      {"F_SEAL_FUTURE_WRITE", KMM_F_SEAL_FUTURE_WRITE},
					      {NULL, 0}};

static const struct flag_name msync_names[] = {{"MS_ASYNC", KMM_MS_ASYNC},
					       {"MS_INVALIDATE", KMM_MS_INVALIDATE},
					       {"MS_SYNC", KMM_MS_SYNC},
					       {NULL, 0}};

enum kmm_status step_open(struct scenario *sc, int argc, char **argv)
{
	static const char *const keys[] = {"flags", NULL};
	const char *vals[1] = {"O_RDWR"};
	kmm_pid_t pid = 0;
	int flags = 0, fd = -1;
	enum kmm_status st;

	if ((st = scenario_task_pid(sc, "open", argv[1], &pid)))
		return st;
	if (!scenario_parse_opts(sc, argc, argv, 4, keys, vals) ||
	    !scenario_parse_flags(sc, "open", vals[0], open_names, &flags))
		return KMM_EINVAL;
	if ((st = fd_name_room(sc, "open", argv[2])))
		return st;
	if ((st = kmm_file_open(sc->m, pid, argv[3], flags, &fd)))
		return call_failed(sc, "open", st);
	fd_name_set(sc, argv[2], fd);
	sink_printf(&sc->out, "open %s: %s = fd %d (%s)\n", argv[1], argv[2], fd, argv[3]);
	return KMM_OK;
}

enum kmm_status step_memfd(struct scenario *sc, int argc, char **argv)
{
	static const char *const keys[] = {"flags", NULL};
	const char *vals[1] = {"MFD_ALLOW_SEALING"};
	kmm_pid_t pid = 0;
	int flags = 0, fd = -1;
	enum kmm_status st;

	if ((st = scenario_task_pid(sc, "memfd", argv[1], &pid)))
		return st;
	if (!scenario_parse_opts(sc, argc, argv, 4, keys, vals) ||
	    !scenario_parse_flags(sc, "memfd", vals[0], memfd_names, &flags))
		return KMM_EINVAL;
	if ((st = fd_name_room(sc, "memfd", argv[2])))
		return st;
	if ((st = kmm_memfd_create(sc->m, pid, argv[3], (unsigned)flags, &fd)))
		return call_failed(sc, "memfd", st);
	fd_name_set(sc, argv[2], fd);
	sink_printf(&sc->out, "memfd %s: %s = fd %d (memfd:%s)\n", argv[1], argv[2], fd, argv[3]);
	return KMM_OK;
}

enum kmm_status step_close(struct scenario *sc, int argc, char **argv)
{
	kmm_pid_t pid = 0;
	int fd = -1;
	enum kmm_status st;

	(void)argc;
	if ((st = task_fd(sc, "close", argv, &pid, &fd)))
		return st;
	if ((st = kmm_file_close(sc->m, pid, fd)))
		return call_failed(sc, "close", st);
	return KMM_OK;
}

/* OFF LEN of pwrite/pread: LEN 1..4 GiB. */
static enum kmm_status io_args(struct scenario *sc, const char *step, char **argv, uint64_t *off,
			       uint64_t *len)
{
	if (!scenario_parse_u64(argv[3], off))
		return scenario_fail(sc, KMM_EINVAL, "%s: bad offset '%s'", step, argv[3]);
	if (!scenario_parse_u64(argv[4], len) || !*len || *len > FILE_IO_MAX)
		return scenario_fail(sc, KMM_EINVAL, "%s: bad length '%s'", step, argv[4]);
	return KMM_OK;
}

enum kmm_status step_pwrite(struct scenario *sc, int argc, char **argv)
{
	static const char *const keys[] = {"pattern", "expect", NULL};
	const char *vals[2] = {"0x5a5a5a5a5a5a5a5a", "ok"};
	bool refusal;
	uint64_t off = 0, len = 0, pattern, moved = 0;
	uint8_t buf[FILE_IO_CHUNK];
	kmm_pid_t pid = 0;
	int fd = -1;
	enum kmm_status st;

	if ((st = task_fd(sc, "pwrite", argv, &pid, &fd)) ||
	    (st = io_args(sc, "pwrite", argv, &off, &len)))
		return st;
	if (!scenario_parse_opts(sc, argc, argv, 5, keys, vals))
		return KMM_EINVAL;
	if (!scenario_parse_u64(vals[0], &pattern))
		return scenario_fail(sc, KMM_EINVAL, "pwrite: bad pattern '%s'", vals[0]);
	refusal = strcmp(vals[1], "refused") == 0;
	if (!refusal && strcmp(vals[1], "ok"))
		return scenario_fail(sc, KMM_EINVAL, "pwrite: expect=ok|refused, not '%s'",
				     vals[1]);
	while (moved < len) {
		uint64_t n = len - moved < sizeof(buf) ? len - moved : sizeof(buf), done = 0;

		for (uint64_t i = 0; i < n; i++)
			buf[i] = (uint8_t)(pattern >> (8 * ((off + moved + i) % 8)));
		st = kmm_file_pwrite(sc->m, pid, fd, buf, n, off + moved, &done);
		if (st && refusal) {
			sink_printf(&sc->out, "pwrite %s %s: refused: %s\n", argv[1], argv[2],
				    kmm_last_error(sc->m));
			return KMM_OK;
		}
		if (st)
			return call_failed(sc, "pwrite", st);
		moved += done;
		if (done < n)
			break;
	}
	sink_printf(&sc->out, "pwrite %s %s: %" PRIu64 " bytes at %" PRIu64 "\n", argv[1], argv[2],
		    moved, off);
	if (refusal)
		return scenario_fail(sc, KMM_EINVAL, "pwrite: expected a refusal, it wrote");
	return KMM_OK;
}

enum kmm_status step_pread(struct scenario *sc, int argc, char **argv)
{
	uint64_t off = 0, len = 0, moved = 0, hash = FNV_OFFSET;
	uint8_t buf[FILE_IO_CHUNK];
	kmm_pid_t pid = 0;
	int fd = -1;
	enum kmm_status st;

	(void)argc;
	if ((st = task_fd(sc, "pread", argv, &pid, &fd)) ||
	    (st = io_args(sc, "pread", argv, &off, &len)))
		return st;
	while (moved < len) {
		uint64_t n = len - moved < sizeof(buf) ? len - moved : sizeof(buf), done = 0;

		if ((st = kmm_file_pread(sc->m, pid, fd, buf, n, off + moved, &done)))
			return call_failed(sc, "pread", st);
		for (uint64_t i = 0; i < done; i++)
			hash = (hash ^ buf[i]) * FNV_PRIME;
		moved += done;
		if (done < n)
			break; /* the end of the file */
	}
	sink_printf(&sc->out,
		    "pread %s %s: %" PRIu64 " bytes at %" PRIu64 ", fnv1a %016" PRIx64 "\n",
		    argv[1], argv[2], moved, off, hash);
	return KMM_OK;
}

enum kmm_status step_ftruncate(struct scenario *sc, int argc, char **argv)
{
	uint64_t size;
	kmm_pid_t pid = 0;
	int fd = -1;
	enum kmm_status st;

	(void)argc;
	if ((st = task_fd(sc, "ftruncate", argv, &pid, &fd)))
		return st;
	if (!scenario_parse_u64(argv[3], &size))
		return scenario_fail(sc, KMM_EINVAL, "ftruncate: bad size '%s'", argv[3]);
	if ((st = kmm_file_truncate(sc->m, pid, fd, size)))
		return call_failed(sc, "ftruncate", st);
	return KMM_OK;
}

enum kmm_status step_fsync(struct scenario *sc, int argc, char **argv)
{
	kmm_pid_t pid = 0;
	int fd = -1;
	enum kmm_status st;

	(void)argc;
	if ((st = task_fd(sc, "fsync", argv, &pid, &fd)))
		return st;
	if ((st = kmm_file_fsync(sc->m, pid, fd)))
		return call_failed(sc, "fsync", st);
	return KMM_OK;
}

enum kmm_status step_seal(struct scenario *sc, int argc, char **argv)
{
	kmm_pid_t pid = 0;
	int fd = -1, seals = 0;
	enum kmm_status st;

	(void)argc;
	if ((st = task_fd(sc, "seal", argv, &pid, &fd)))
		return st;
	if (!scenario_parse_flags(sc, "seal", argv[3], seal_names, &seals))
		return KMM_EINVAL;
	if ((st = kmm_memfd_add_seals(sc->m, pid, fd, seals)) ||
	    (st = kmm_memfd_get_seals(sc->m, pid, fd, &seals)))
		return call_failed(sc, "seal", st);
	sink_printf(&sc->out, "seal %s %s: seals 0x%x\n", argv[1], argv[2], (unsigned)seals);
	return KMM_OK;
}

enum kmm_status step_unlink(struct scenario *sc, int argc, char **argv)
{
	enum kmm_status st;

	(void)argc;
	if ((st = kmm_file_unlink(sc->m, argv[1])))
		return call_failed(sc, "unlink", st);
	return KMM_OK;
}

enum kmm_status step_msync(struct scenario *sc, int argc, char **argv)
{
	static const char *const keys[] = {"flags", NULL};
	const char *vals[1] = {"MS_SYNC"};
	kmm_pid_t pid = 0;
	kmm_va_t va = 0;
	uint64_t len;
	int flags = 0;
	enum kmm_status st;

	if ((st = scenario_task_pid(sc, "msync", argv[1], &pid)) ||
	    (st = scenario_user_addr(sc, "msync", argv[2], &va)))
		return st;
	if (!scenario_parse_u64(argv[3], &len))
		return scenario_fail(sc, KMM_EINVAL, "msync: bad length '%s'", argv[3]);
	if (!scenario_parse_opts(sc, argc, argv, 4, keys, vals) ||
	    !scenario_parse_flags(sc, "msync", vals[0], msync_names, &flags))
		return KMM_EINVAL;
	if ((st = kmm_msync(sc->m, pid, va, len, flags)))
		return call_failed(sc, "msync", st);
	return KMM_OK;
}
