/*
 * What the probes (pingpong, allreduce, fabric) share: size sweeps,
 * iteration counts, buffers and payload patterns, and the result rows they
 * hand to the report.  The point-to-point method itself is p2p.h.
 */
#ifndef HPCP_PROBE_H
#define HPCP_PROBE_H

#include <stddef.h>
#include <stdint.h>

#include "hpcp/opt.h"
#include "hpcp/stats.h"

struct hpcp_res;

/* OSU's switch between small- and large-message counts. */
#define HPCP_LARGE_MESSAGE_BYTES 8192

struct hpcp_counts {
	uint64_t small_iterations, small_warmup;   /* <= 8 KiB */
	uint64_t large_iterations, large_warmup;
};

/* OSU 7.2's defaults (c/util/osu_util.h). */
#define HPCP_COUNTS_LATENCY ((struct hpcp_counts){ 10000, 100, 1000, 10 })
#define HPCP_COUNTS_BANDWIDTH ((struct hpcp_counts){ 100, 10, 20, 2 })
#define HPCP_COUNTS_COLLECTIVE ((struct hpcp_counts){ 1000, 100, 100, 10 })

/*
 * Iterations and warm-up for one size: the defaults for its class, cut
 * tenfold by --quick (at least 1 iteration), unless --iterations or
 * --warmup say otherwise.
 */
void hpcp_probe_counts(const struct hpcp_config *cfg,
		       const struct hpcp_counts *defaults, uint64_t bytes,
		       uint64_t *iterations, uint64_t *warmup);

/*
 * The size sweep: --sizes when given (kept if within [min, max]), else
 * powers of two from min (0 included when min is 0) to max.  Returns the
 * count; *dropped gets how many given sizes fell outside the range.
 */
int hpcp_probe_sizes(const struct hpcp_config *cfg, uint64_t min,
		     uint64_t max, uint64_t *sizes, int cap, int *dropped);

/*
 * A float collective's sweep: hpcp_probe_sizes from min to max (to
 * HPCP_MAX_MSG_BYTES when --sizes was given), each cut to whole floats
 * (10 bytes are measured as 8); *max_bytes the largest (at least min).
 */
int hpcp_probe_float_sizes(const struct hpcp_config *cfg, uint64_t min,
			   uint64_t max, uint64_t *sizes, int *dropped,
			   uint64_t *max_bytes);

/*
 * Times the calling thread was switched out while runnable (preempted, or
 * gave the core away in sched_yield) so far: read before and after a timed
 * loop, the difference bounds how many of its iterations another process
 * disturbed.  0 when the count cannot be read.
 */
uint64_t hpcp_probe_preemptions(void);

/* A loop's samples are too disturbed to trust its p50 when more than this
 * share of its iterations may have been disturbed. */
#define HPCP_DISTURBED_MAX_RATIO 0.10

/* Page-aligned, touched (so first-use page faults are not timed). */
void *hpcp_probe_alloc(size_t bytes);

/* A payload that depends on seed and position, to catch corruption. */
void hpcp_pattern_fill(void *buf, size_t bytes, uint64_t seed);
/* Index of the first wrong byte, or -1 when the payload is intact. */
long long hpcp_pattern_check(const void *buf, size_t bytes, uint64_t seed);

/* One message size of a point-to-point probe, as the starting rank
 * measured it (fixed size: it travels to rank 0 as MPI_BYTE). */
struct hpcp_p2p_row {
	uint64_t bytes, iterations, warmup;
	struct hpcp_lat_summary lat;
	uint64_t loop_mean_ns;     /* whole loop / (2 * iterations) */
	double bw_bytes_per_s;     /* < 0: not measured */
	uint64_t bw_windows, bw_skip;
	int validated;             /* -1 not asked, 0 corrupt, 1 intact */
	int failed;                /* 0, or the code of the call that failed
				    * (at this size or a smaller one) */
};

/* "sizes": [...] of a pair from its rows. */
void hpcp_res_p2p_sizes(struct hpcp_res *pair,
			const struct hpcp_p2p_row *rows, int n_rows,
			int validate_asked);

/*
 * All-reduce bus bandwidth (nccl-tests): algbw x 2(n - 1)/n, comparable to
 * the link's peak whatever the rank count.  0 for n < 2.
 */
static inline double hpcp_allreduce_busbw(double algbw, int n)
{
	return n < 2 ? 0 : algbw * 2.0 * (n - 1) / n;
}

/*
 * A collective's timed loop of a few milliseconds catches the machine in
 * one state: unless --iterations says otherwise, the count is raised so
 * the loop lasts about 50 ms (5 ms with --quick) at pace_ns an iteration
 * (the slowest rank's median warm-up iteration), at most 100 times the
 * OSU count.  The allreduce phase's policy, shared by the fabric's.
 */
uint64_t hpcp_probe_stretched(const struct hpcp_config *cfg, uint64_t pace_ns,
			      uint64_t iterations);

/*
 * A size row's disturbance: preemptions_count, the bound ratio of
 * disturbed iterations (preempted / iterations, at most 1) and noisy, with
 * noisy_reason ("ranks were switched out P times in I iterations<who>;
 * the host is busy") when it exceeds HPCP_DISTURBED_MAX_RATIO.  Returns 1
 * when noisy.
 */
int hpcp_res_disturbed(struct hpcp_res *row, uint64_t preempted,
		       uint64_t iterations, const char *who);

/*
 * MPI_Allreduce's completion p50 per size, as the allreduce phase measured
 * it in this job (rank 0): the fabric phase's libfabric all-reduce reads it
 * for its MPI/libfabric ratio.  Get returns 0, or -ENOENT when that size
 * was not measured here.
 */
void hpcp_probe_note_allreduce(uint64_t bytes, uint64_t p50_ns);
int hpcp_probe_allreduce_p50(uint64_t bytes, uint64_t *p50_ns);

/* latency_ns {min, p50, p90, p99, p99_9, max, mean} under key; a
 * percentile too few samples support is null, and percentiles_reason says
 * why.  null when there is no sample. */
void hpcp_res_latency(struct hpcp_res *parent, const char *key,
		      const struct hpcp_lat_summary *s);

#endif
