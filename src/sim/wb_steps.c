/*
 * Scenario steps of the writeback part: generated files, sequential file reads and writes
 * through the page cache (what the filecache workload's `cat /mnt/data.bin > /dev/null`
 * does), with a checksum of the bytes moved so a run can compare them with the generator.
 *
 * The checksum is FNV-1a 64 over the bytes in file order.
 */
#include "sim/wb_steps.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "sim/task_steps.h"

#define WB_DEFAULT_CHUNK (128u << 10)
#define WB_MAX_CHUNK	 (16u << 20)

static uint64_t fnv1a(uint64_t h, const uint8_t *p, uint64_t n)
{
	for (uint64_t i = 0; i < n; i++) {
		h ^= p[i];
		h *= 0x100000001b3ULL;
	}
	return h;
}

#define FNV_OFFSET 0xcbf29ce484222325ULL

static enum kmm_status wb_fail(struct scenario *sc, const char *step, enum kmm_status st)
{
	return scenario_fail(sc, st, "%s: %s", step, kmm_last_error(sc->m));
}

enum kmm_status step_file_generated(struct scenario *sc, int argc, char **argv)
{
	static const char *const keys[] = {"seed", NULL};
	const char *vals[] = {"0"};
	uint64_t size, seed;
	enum kmm_status st;

	if (!scenario_parse_opts(sc, argc, argv, 3, keys, vals))
		return KMM_EINVAL;
	if (!scenario_parse_u64(argv[2], &size))
		return scenario_fail(sc, KMM_EINVAL, "file-generated: bad size '%s'", argv[2]);
	if (!scenario_parse_u64(vals[0], &seed))
		return scenario_fail(sc, KMM_EINVAL, "file-generated: bad seed '%s'", vals[0]);
	if ((st = kmm_file_create_generated(sc->m, argv[1], size, seed)))
		return wb_fail(sc, "file-generated", st);
	sink_printf(&sc->out, "file-generated %s: %" PRIu64 " bytes, seed %" PRIu64 "\n", argv[1],
		    size, seed);
	return KMM_OK;
}

static bool parse_chunk(struct scenario *sc, const char *step, const char *text, uint64_t *chunk)
{
	if (!scenario_parse_u64(text, chunk) || !*chunk || *chunk > WB_MAX_CHUNK) {
		scenario_fail(sc, KMM_EINVAL, "%s: chunk '%s' is not 1..%u", step, text,
			      WB_MAX_CHUNK);
		return false;
	}
	return true;
}

enum kmm_status step_file_read(struct scenario *sc, int argc, char **argv)
{
	static const char *const keys[] = {"chunk", NULL};
	const char *vals[] = {"131072"};
	uint64_t chunk, off = 0, done = 0, sum = FNV_OFFSET;
	enum kmm_status st;
	kmm_pid_t pid;
	uint8_t *buf;
	int fd;

	if (!scenario_parse_opts(sc, argc, argv, 3, keys, vals))
		return KMM_EINVAL;
	if (!parse_chunk(sc, "file-read", vals[0], &chunk))
		return KMM_EINVAL;
	if ((st = scenario_task_pid(sc, "file-read", argv[1], &pid)))
		return st;
	if ((st = kmm_file_open(sc->m, pid, argv[2], KMM_O_RDONLY, &fd)))
		return wb_fail(sc, "file-read", st);
	buf = malloc(chunk);
	if (!buf) {
		kmm_file_close(sc->m, pid, fd);
		return scenario_fail(sc, KMM_ENOMEM, "file-read: out of host memory");
	}
	for (;;) {
		st = kmm_file_pread(sc->m, pid, fd, buf, chunk, off, &done);
		if (st || !done)
			break;
		sum = fnv1a(sum, buf, done);
		off += done;
	}
	free(buf);
	if (st) {
		enum kmm_status ret = wb_fail(sc, "file-read", st);

		kmm_file_close(sc->m, pid, fd);
		return ret;
	}
	if ((st = kmm_file_close(sc->m, pid, fd)))
		return wb_fail(sc, "file-read", st);
	sink_printf(&sc->out, "file-read %s: %" PRIu64 " bytes, fnv1a 0x%016" PRIx64 "\n", argv[2],
		    off, sum);
	return KMM_OK;
}

enum kmm_status step_file_write(struct scenario *sc, int argc, char **argv)
{
	static const char *const keys[] = {"seed", "chunk", "fsync", NULL};
	const char *vals[] = {"0", "131072", "0"};
	uint64_t size, seed, chunk, do_fsync, off = 0, done, sum = FNV_OFFSET;
	enum kmm_status st = KMM_OK;
	kmm_pid_t pid;
	uint8_t *buf;
	int fd;

	if (!scenario_parse_opts(sc, argc, argv, 4, keys, vals))
		return KMM_EINVAL;
	if (!scenario_parse_u64(argv[3], &size))
		return scenario_fail(sc, KMM_EINVAL, "file-write: bad size '%s'", argv[3]);
	if (!scenario_parse_u64(vals[0], &seed))
		return scenario_fail(sc, KMM_EINVAL, "file-write: bad seed '%s'", vals[0]);
	if (!parse_chunk(sc, "file-write", vals[1], &chunk))
		return KMM_EINVAL;
	if (!scenario_parse_u64(vals[2], &do_fsync) || do_fsync > 1)
		return scenario_fail(sc, KMM_EINVAL, "file-write: fsync is 0 or 1");
	if ((st = scenario_task_pid(sc, "file-write", argv[1], &pid)))
		return st;
	if ((st = kmm_file_open(sc->m, pid, argv[2], KMM_O_RDWR | KMM_O_CREAT | KMM_O_TRUNC, &fd)))
		return wb_fail(sc, "file-write", st);
	buf = malloc(chunk);
	if (!buf) {
		kmm_file_close(sc->m, pid, fd);
		return scenario_fail(sc, KMM_ENOMEM, "file-write: out of host memory");
	}
	while (off < size) {
		uint64_t n = size - off < chunk ? size - off : chunk;

		kmm_file_generated_bytes(seed, off, buf, n);
		st = kmm_file_pwrite(sc->m, pid, fd, buf, n, off, &done);
		if (st || done != n)
			break;
		sum = fnv1a(sum, buf, n);
		off += n;
	}
	free(buf);
	if (!st && do_fsync)
		st = kmm_file_fsync(sc->m, pid, fd);
	if (st) {
		enum kmm_status ret = wb_fail(sc, "file-write", st);

		kmm_file_close(sc->m, pid, fd);
		return ret;
	}
	if ((st = kmm_file_close(sc->m, pid, fd)))
		return wb_fail(sc, "file-write", st);
	sink_printf(&sc->out, "file-write %s: %" PRIu64 " bytes, fnv1a 0x%016" PRIx64 "\n", argv[2],
		    off, sum);
	return KMM_OK;
}

enum kmm_status step_sync(struct scenario *sc, int argc, char **argv)
{
	enum kmm_status st = kmm_sync(sc->m);

	(void)argc;
	(void)argv;
	return st ? wb_fail(sc, "sync", st) : KMM_OK;
}

enum kmm_status step_idle(struct scenario *sc, int argc, char **argv)
{
	uint64_t ns;
	enum kmm_status st;

	(void)argc;
	if (!scenario_parse_u64(argv[1], &ns))
		return scenario_fail(sc, KMM_EINVAL, "idle: bad time '%s' (ns)", argv[1]);
	st = kmm_idle(sc->m, ns);
	return st ? wb_fail(sc, "idle", st) : KMM_OK;
}
