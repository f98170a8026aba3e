/*
 * libkmm public API: memory-access traces of real programs, and their replay through a
 * simulated task's address space and MMU.
 *
 * Two trace formats (docs/replay.md):
 *  - lackey: the text `valgrind --tool=lackey --trace-mem=yes` writes, one access a line:
 *    "I  04017d0,3" (instruction fetch), " L 1ffefffd98,8" (load), " S addr,size" (store),
 *    " M addr,size" (modify: load and store of one location). Addresses are hex without 0x,
 *    sizes decimal. Valgrind's own lines ("==pid== ...", "--pid-- ...") and empty lines are
 *    skipped. Two extension lines carry recorded mappings: "@mmap addr,len" and
 *    "@munmap addr,len" (hex, hex).
 *  - binary (ours, for long traces): the 8 bytes "KMMTRACE", a little-endian u32 version (1)
 *    and a u32 0, then records. A record is a tag byte and varints (LEB128):
 *        tag bits 1:0  op (0 load, 1 store, 2 modify, 3 ifetch); for an event 0 mmap, 1 munmap
 *        tag bits 4:2  size code c: an access of 1 << c bytes (c 0..6), 7: a varint size follows
 *        tag bit  5    event: then a varint address and a varint length follow (no delta)
 *        tag bits 7:6  zero
 *    then (accesses) the zigzag varint of va minus the previous access's va (0 at the start).
 *
 * Bad input is refused with the line (lackey) or byte offset (binary) in the decoder's error:
 * a truncated line or record, an unknown op, an address outside the user half (at or above
 * 1 << 48) or an access that runs past it, a size of 0 or above 4096, bytes that are not text.
 */
#ifndef KMM_REPLAY_H
#define KMM_REPLAY_H

#include <kmm/mmu.h>
#include <kmm/task.h>
#include <kmm/types.h>

#ifdef __cplusplus
extern "C" {
#endif

struct kmm_machine;

enum kmm_trace_op {
	KMM_TRACE_LOAD,
	KMM_TRACE_STORE,
	KMM_TRACE_MODIFY, /* one translation, as a store */
	KMM_TRACE_IFETCH,
	KMM_TRACE_MMAP,	  /* [va, va + size) mapped anonymous private read/write (recorded) */
	KMM_TRACE_MUNMAP, /* [va, va + size) unmapped (recorded) */
};

/* One decoded record (24 bytes). */
struct kmm_trace_rec {
	kmm_va_t va;
	uint64_t size; /* accesses 1..KMM_TRACE_MAX_ACCESS; events: bytes, a page multiple */
	uint32_t op;   /* enum kmm_trace_op */
	uint32_t reserved;
};

#define KMM_TRACE_MAX_ACCESS 4096
#define KMM_TRACE_USER_END   (1ull << 48) /* first address outside the user half */

enum kmm_trace_format { KMM_TRACE_FMT_LACKEY, KMM_TRACE_FMT_BINARY };

/* Streaming decoder state; one per trace, zeroed by kmm_trace_decoder_init. */
struct kmm_trace_decoder {
	enum kmm_trace_format format;
	uint64_t line;	  /* lackey: lines consumed */
	uint64_t offset;  /* bytes consumed since the start of the trace */
	kmm_va_t prev_va; /* binary: the delta base */
	bool header_done;
	char error[240]; /* why the last kmm_trace_decode failed, with the line or offset */
};

KMM_API void kmm_trace_decoder_init(struct kmm_trace_decoder *d, enum kmm_trace_format fmt);

/* The format of a trace starting with @buf[0, @len): binary if it has the magic, else lackey. */
KMM_API enum kmm_trace_format kmm_trace_detect(const void *buf, size_t len);

/*
 * Decodes whole records from @buf[0, @len) (the next bytes of the trace) into @out, at most
 * @max. *@used is the bytes consumed: whole lines or records only, so the caller keeps the
 * rest and passes it again with more bytes; with @eof a partial record at the end is an
 * error. Returns KMM_OK, or KMM_EINVAL with d->error naming the line or offset (then *@nout
 * records before it are valid and *@used stops before it).
 */
KMM_API enum kmm_status kmm_trace_decode(struct kmm_trace_decoder *d, const void *buf, size_t len,
					 bool eof, struct kmm_trace_rec *out, size_t max,
					 size_t *nout, size_t *used);

/* Binary encoder state, zeroed before the first call. */
struct kmm_trace_encoder {
	kmm_va_t prev_va;
	bool header_done;
};

/* Bytes kmm_trace_encode needs at most for @n records. */
#define KMM_TRACE_ENCODE_MAX(n) (16 + 21 * (size_t)(n))

/*
 * Appends the binary encoding of @recs[0, @n) (the header first, on the first call) to @buf
 * (@cap bytes; KMM_TRACE_ENCODE_MAX(@n) is always enough); *@len is the bytes written.
 * KMM_EINVAL (nothing written) for a record the format cannot hold; KMM_ERANGE if @cap is
 * too small.
 */
KMM_API enum kmm_status kmm_trace_encode(struct kmm_trace_encoder *e,
					 const struct kmm_trace_rec *recs, size_t n, void *buf,
					 size_t cap, size_t *len);

/* ---- replay --------------------------------------------------------------------------- */

struct kmm_replay_stats {
	uint64_t accesses; /* records replayed (events excluded) */
	uint64_t loads, stores, modifies, ifetches, events;
	struct kmm_tlb_stats tlb;	     /* the task's CPU, over the replay */
	uint64_t minor_faults, major_faults; /* the task's, over the replay */
	/* RSS (the mm's counts plus the task's unsynced SPLIT_RSS_COUNTING cache): now, and the
	 * largest seen at a sample or batch end */
	uint64_t rss_pages, peak_rss_pages;
	uint64_t mapped_bytes; /* mapped on demand for untouched ranges */
	uint64_t sim_ns;       /* simulated time the replay took */
};

struct kmm_replay_opts {
	/* On-demand mapping: an access outside every VMA maps the aligned chunk of this size
	 * around it (clipped to the neighbouring VMAs), anonymous private read/write/exec.
	 * A power of two, 4 KiB..1 GiB; 0 means 2 MiB. */
	uint64_t map_chunk;
	int map_flags; /* extra MAP_* flags for those mappings (e.g. KMM_MAP_HUGETLB) */
	int madvise;   /* advice applied to each such mapping (KMM_MADV_HUGEPAGE, ...), 0 none */
	/* Each time st->accesses (which runs on across calls) reaches a multiple of
	 * @sample_every (0: never), @sample(@sample_arg, the stats so far). */
	uint64_t sample_every;
	void (*sample)(void *arg, const struct kmm_replay_stats *st);
	void *sample_arg;
};

/*
 * Creates task @comm on CPU @cpu with an empty address space (an exec's mappings removed),
 * for a trace to populate. *@pid is its pid.
 */
KMM_API enum kmm_status kmm_replay_task_create(struct kmm_machine *m, const char *comm,
					       unsigned cpu, kmm_pid_t *pid);

/*
 * Replays @recs[0, @n) as accesses and mapping events of task @pid, each access through its
 * CPU's TLB and walker with faults handled by the kernel; adds the counts to *@st (zero it
 * before the first batch; @opts NULL: defaults). Returns KMM_OK; KMM_EFAULT when the kernel
 * raised a signal on the task (the access's index in kmm_last_error, the records before it
 * replayed and counted); KMM_EINVAL for a bad record or option (nothing replayed).
 */
KMM_API enum kmm_status kmm_replay_run(struct kmm_machine *m, kmm_pid_t pid,
				       const struct kmm_trace_rec *recs, size_t n,
				       const struct kmm_replay_opts *opts,
				       struct kmm_replay_stats *st);

#ifdef __cplusplus
}
#endif

#endif /* KMM_REPLAY_H */
