/*
 * allreduce: MPI_Allreduce completion time over all ranks, per message size.
 *
 * Method (osu_allreduce -f, every iteration kept): MPI_FLOAT sums; after
 * the warm-up each rank times each call with CLOCK_MONOTONIC and waits at
 * a barrier outside the timing, so calls do not pipeline.
 *
 * The headline distribution is the completion time of each iteration: the
 * longest call over all ranks (MPI_MAXLOC reductions of the per-iteration
 * times, one per CHUNK iterations: between two calls, outside any call's
 * timing and before the barrier that separates them).  A
 * merged distribution of every rank's own call times is not a property of
 * the collective: ranks leave the barrier at different moments, so the
 * samples form one group per release position and the p50 falls between
 * them.  Each rank's own p50 and mean are kept as the per-rank view.
 * The slowest rank is the one whose call most often set the completion
 * time.  algbw = bytes / mean time (the average of the per-rank means,
 * OSU's "Avg Latency"); busbw = algbw x 2(n - 1)/n (nccl-tests) with n the
 * ranks, and again with n the nodes (what the network between nodes
 * carried, per node).  The sum is checked on a patterned buffer after the
 * timed loop.  The completion times' segment medians (hpcp/level.h) say
 * whether the host held one speed through the loop; a size during which
 * it did not is noisy.
 *
 * Each call is timed by two clock reads, not by one read per iteration as
 * the ping-pong is: the barrier between calls must stay outside the
 * sample.  The read's own cost is the context's timer_overhead_ns.
 */
#include "config.h"

/* What the phase measures (hpcp/metrics.h): all of this file that the
 * report tool compiles (HPCP_METRICS_ONLY: no MPI). */
#include "hpcp/metrics.h"

static const struct hpcp_metric_label size_labels[] = {
	{ .name = "bytes", .level = 0, .path = "bytes", .emf = "MsgSize",
	  .prom = "size_bytes" },
	{ 0 },
};

static const struct hpcp_metric allreduce_metrics[] = {
	{
		.each = "sizes/[]", .path = "latency_ns", .unit = "ns",
		.kind = HPCP_METRIC_LATENCY, .better = HPCP_BETTER_LOWER,
		.labels = size_labels, .noisy = "noisy",
		.noisy_reason = "noisy_reason",
		.column = "latency", .html_column = "\u00b5s",
		.html_scale = 1e-3, .html_stats = HPCP_STAT_P50 | HPCP_STAT_P99,
		.gate = "allreduce.{bytes}B.{stat}_ns",
		.gate_stats = HPCP_STAT_P50,
		/* Before 1.1 latency_ns merged every rank's calls: not the
		 * same quantity (all_calls_latency_ns is that one now). */
		.gate_if = "all_calls_latency_ns",
		.emf = "Latency", .emf_unit = "Microseconds",
		.emf_scale = 1e-3,
		.prom = "hpcprobe_allreduce_latency_seconds",
		.prom_help = "MPI_Allreduce completion time: each "
			     "iteration's longest call over all ranks.",
		.prom_scale = 1e-9, .prom_count = "samples_count",
	},
	/* Shown in the HTML table only. */
	{
		.each = "sizes/[]", .path = "algbw_bytes_per_s",
		.unit = "bytes/s", .kind = HPCP_METRIC_RATE,
		.better = HPCP_BETTER_HIGHER, .labels = size_labels,
		.html_column = "algbw GB/s", .html_scale = 1e-9,
	},
	{
		.each = "sizes/[]", .path = "busbw_bytes_per_s",
		.unit = "bytes/s", .kind = HPCP_METRIC_RATE,
		.better = HPCP_BETTER_HIGHER, .labels = size_labels,
		.column = "busbw", .html_column = "busbw GB/s",
		.html_scale = 1e-9, .noisy = "noisy",
		.noisy_reason = "noisy_reason",
		.gate = "allreduce.{bytes}B.{key}",
		.emf = "BusBandwidth", .emf_unit = "Bytes/Second",
		.emf_scale = 1,
		.prom = "hpcprobe_allreduce_busbw_bytes_per_second",
		.prom_help = "All-reduce bus bandwidth, algbw x 2(n-1)/n "
			     "with n the ranks.",
		.prom_scale = 1,
	},
	/* The rank whose call most often set the completion time. */
	{
		.each = "sizes/[]", .path = "slowest_rank", .unit = "rank",
		.kind = HPCP_METRIC_COUNT, .better = HPCP_BETTER_LOWER,
		.labels = size_labels,
		.html_column = "slowest rank", .html_scale = 1,
	},
};

HPCP_PHASE_METRICS(allreduce, allreduce_metrics);

#ifndef HPCP_METRICS_ONLY

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hpcp/ctx.h"
#include "hpcp/hostload.h"
#include "hpcp/level.h"
#include "hpcp/phase.h"
#include "hpcp/pop.h"
#include "hpcp/probe.h"
#include "hpcp/report.h"
#include "hpcp/log.h"
#include "hpcp/timer.h"
#include "hpcp/watch.h"

#define MIN_BYTES 4
#define MAX_BYTES (1u << 20)
/* Per-iteration times are reduced every CHUNK iterations, between two
 * timed calls: memory stays fixed whatever --iterations says. */
#define CHUNK 4096

/* MPI_LONG_INT's layout. */
struct long_int {
	long value;
	int rank;
};

/* Warm-up iterations whose times set the pace (the first ones). */
#define WARM_SAMPLES 1024

struct ar_state {
	struct hpcp_ctx *ctx;
	uint64_t warmup_pace_ns;    /* the slowest rank's, last size */
	double warm[WARM_SAMPLES];  /* this rank's warm-up times, ns */
	float *sbuf, *rbuf;
	struct hpcp_hist mine, all_calls, completion;
	struct long_int iter[CHUNK], iter_max[CHUNK];
	uint64_t *set_completion;   /* rank 0: [size], iterations each rank set */
	struct hpcp_level level;    /* rank 0: the completion times' segments */
	uint64_t preempted;         /* this rank, during the last timed loop */
	int noisy_sizes;            /* rank 0 */
};

/* Rank 0 folds one chunk of per-iteration maxima into the completion
 * distribution; everyone else only contributes. */
static void reduce_chunk(struct ar_state *st, int n)
{
	struct hpcp_ctx *ctx = st->ctx;

	hpcp_mpi_or_die(MPI_Reduce(st->iter, st->iter_max, n, MPI_LONG_INT,
				   MPI_MAXLOC, 0, ctx->comm),
			"MPI_Reduce of the per-iteration completion times");
	if (ctx->rank != 0)
		return;
	for (int i = 0; i < n; i++) {
		hpcp_hist_record(&st->completion, (uint64_t)st->iter_max[i].value);
		hpcp_level_add(&st->level, (uint64_t)st->iter_max[i].value);
		if (st->iter_max[i].rank >= 0 &&
		    st->iter_max[i].rank < ctx->size)
			st->set_completion[st->iter_max[i].rank]++;
	}
}

/* Untimed calls (the warm-up); returns the median time of one iteration
 * (call and barrier): a median, so that one slow first call or one
 * preemption does not set the pace, and with it a loop of a millisecond
 * instead of fifty. */
static uint64_t warm_up(struct ar_state *st, int count, uint64_t n)
{
	MPI_Comm comm = st->ctx->comm;
	uint64_t prev, now;
	double median, q1, q3;
	int kept = 0;

	hpcp_watch_waiting_on(HPCP_WATCH_ALL);
	hpcp_mpi_or_die(MPI_Barrier(comm), "MPI_Barrier before MPI_Allreduce");
	prev = hpcp_now_ns();
	for (uint64_t i = 0; i < n; i++) {
		hpcp_watch_beat();
		hpcp_mpi_or_die(MPI_Allreduce(st->sbuf, st->rbuf, count,
					      MPI_FLOAT, MPI_SUM, comm),
				"MPI_Allreduce");
		hpcp_mpi_or_die(MPI_Barrier(comm),
				"MPI_Barrier between MPI_Allreduce calls");
		now = hpcp_now_ns();
		if (kept < WARM_SAMPLES)
			st->warm[kept++] = (double)(now - prev);
		prev = now;
	}
	if (hpcp_round_stats(st->warm, kept, &median, &q1, &q3) != 0)
		return 0;
	return (uint64_t)llround(median);
}

/* The loop policy (hpcp_probe_stretched) at the slowest rank's pace: on
 * a VM, five default runs of 1 000 8-byte calls (1-2 ms) gave completion
 * p50s 1.3-1.4x apart, runs of 20 000 within 1.1x. */
#define MIN_CALIBRATION 10

static uint64_t stretched(struct ar_state *st, uint64_t per_iteration,
			  uint64_t iterations)
{
	const struct hpcp_ctx *ctx = st->ctx;
	uint64_t slowest = 0;

	hpcp_mpi_or_die(MPI_Allreduce(&per_iteration, &slowest, 1,
				      MPI_UINT64_T, MPI_MAX, ctx->comm),
			"MPI_Allreduce of the warm-up pace");
	st->warmup_pace_ns = slowest;
	return hpcp_probe_stretched(&ctx->cfg, slowest, iterations);
}

static int timed_loop(struct ar_state *st, int count, uint64_t iterations)
{
	MPI_Comm comm = st->ctx->comm;
	int filled = 0;

	hpcp_hist_reset(&st->mine);
	hpcp_hist_reset(&st->completion);
	hpcp_level_init(&st->level, iterations);
	if (st->set_completion)
		memset(st->set_completion, 0,
		       (size_t)st->ctx->size * sizeof(*st->set_completion));
	hpcp_watch_waiting_on(HPCP_WATCH_ALL);
	hpcp_mpi_or_die(MPI_Barrier(comm), "MPI_Barrier before MPI_Allreduce");
	st->preempted = hpcp_probe_preemptions();
	for (uint64_t i = 0; i < iterations; i++) {
		uint64_t t0, ns;
		int rc;

		hpcp_watch_beat();
		t0 = hpcp_now_ns();
		rc = MPI_Allreduce(st->sbuf, st->rbuf, count, MPI_FLOAT,
				   MPI_SUM, comm);
		ns = hpcp_now_ns() - t0;
		/* Outside the timing: a failed collective ends the job. */
		hpcp_mpi_or_die(rc, "MPI_Allreduce");
		hpcp_hist_record(&st->mine, ns);
		st->iter[filled].value = (long)ns;
		st->iter[filled].rank = st->ctx->rank;
		/* Every rank fills chunks in step: same counts. */
		if (++filled == CHUNK) {
			reduce_chunk(st, filled);
			filled = 0;
		}
		hpcp_mpi_or_die(MPI_Barrier(comm),
				"MPI_Barrier between MPI_Allreduce calls");
	}
	st->preempted = hpcp_probe_preemptions() - st->preempted;
	if (filled)
		reduce_chunk(st, filled);
	return 0;
}

/*
 * A rank switched out while runnable stalls at most the iteration it is
 * in, and so the completion time of that iteration: the sum over ranks
 * bounds the disturbed iterations.  Above HPCP_DISTURBED_MAX_RATIO the
 * p50 may sit among disturbed samples, and the size says so.
 */
static void report_noise(struct ar_state *st, struct hpcp_res *row,
			 uint64_t preempted, int most_rank, uint64_t most,
			 uint64_t iterations)
{
	char who[64];

	snprintf(who, sizeof(who), " (rank %d: %llu)", most_rank,
		 (unsigned long long)most);
	st->noisy_sizes += hpcp_res_disturbed(row, preempted, iterations, who);
}

/*
 * Whether the completion time kept one level through the loop (hpcp/
 * level.h).  When it did not, the host changed speed during the loop and
 * the p50 is a mixture of two hosts: the size is noisy with the figures.
 */
static void report_level(struct ar_state *st, struct hpcp_res *row,
			 int already_noisy)
{
	struct hpcp_level_result lv;
	struct hpcp_res *o, *p;
	char why[300];

	hpcp_level_judge(&st->level, &lv);
	o = hpcp_res_object(row, "level_shift");
	hpcp_res_int(o, "segments_count", lv.segments);
	hpcp_res_int(o, "segment_iterations", (int64_t)lv.segment_iterations);
	if (lv.segments > 0) {
		p = hpcp_res_object(o, "segment_p50_ns");
		hpcp_res_double(p, "min", lv.min);
		hpcp_res_double(p, "p10", lv.p10);
		hpcp_res_double(p, "median", lv.median);
		hpcp_res_double(p, "p90", lv.p90);
		hpcp_res_double(p, "max", lv.max);
		hpcp_res_double(o, "p90_over_p10_ratio", lv.ratio);
	}
	if (!lv.judged) {
		hpcp_res_null(o, "shifted");
		snprintf(why, sizeof(why),
			 "%d complete segments of %llu iterations; %d are needed "
			 "to judge", lv.segments,
			 (unsigned long long)lv.segment_iterations,
			 HPCP_LEVEL_MIN_SEGMENTS);
		hpcp_res_str(o, "reason", why);
		return;
	}
	hpcp_res_bool(o, "shifted", lv.shifted);
	if (!lv.shifted || already_noisy)
		return;
	snprintf(why, sizeof(why),
		 "the completion time changed level during the loop: segment "
		 "p50s from %.0f to %.0f ns (p10 to p90 of %d segments of %llu "
		 "iterations, %.2fx > %.1fx); the host changed speed",
		 lv.p10, lv.p90, lv.segments,
		 (unsigned long long)lv.segment_iterations, lv.ratio,
		 HPCP_LEVEL_SHIFT_MAX);
	hpcp_res_bool(row, "noisy", 1);
	hpcp_res_str(row, "noisy_reason", why);
	st->noisy_sizes++;
}

/* Small integers stay exact in float sums, so the check is exact. */
static float value_at(int rank, int i)
{
	return (float)(rank % 7 + 1 + i % 13);
}

static void check_sum(struct ar_state *st, int count, int *correct)
{
	struct hpcp_ctx *ctx = st->ctx;
	float base = 0;
	int ok = 1;

	for (int i = 0; i < count; i++)
		st->sbuf[i] = value_at(ctx->rank, i);
	hpcp_mpi_or_die(MPI_Allreduce(st->sbuf, st->rbuf, count, MPI_FLOAT,
				      MPI_SUM, ctx->comm),
			"MPI_Allreduce of the checked sum");
	for (int r = 0; r < ctx->size; r++)
		base += (float)(r % 7 + 1);
	for (int i = 0; i < count; i++)
		ok &= st->rbuf[i] == base + (float)ctx->size * (float)(i % 13);
	hpcp_mpi_or_die(MPI_Allreduce(MPI_IN_PLACE, &ok, 1, MPI_INT, MPI_LAND,
				      ctx->comm),
			"MPI_Allreduce of the sum's verdict");
	*correct = ok;
}

/* What each rank sends rank 0 after a size: its own p50, mean and
 * preemptions.  Everything per rank in the row derives from these. */
#define PER_RANK 3

/* At most this many ranks are listed one by one per size; above, the
 * per-rank view is its extremes and median only. */
#define LIST_RANKS_MAX 64

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* Each rank's own p50 and mean: gathered to rank 0 and reported there. */
static void report_per_rank(struct ar_state *st, struct hpcp_res *row,
			    const double *all)
{
	struct hpcp_ctx *ctx = st->ctx;
	int n = ctx->size, lo = 0, hi = 0;
	struct hpcp_res *o;
	double *p50;

	p50 = malloc((size_t)n * sizeof(*p50));
	if (!p50)
		hpcp_die(71, "out of memory for the per-rank all-reduce view");
	for (int r = 0; r < n; r++) {
		p50[r] = all[PER_RANK * r];
		if (p50[r] < p50[lo])
			lo = r;
		if (p50[r] > p50[hi])
			hi = r;
	}
	o = hpcp_res_object(row, "per_rank_p50_ns");
	hpcp_res_int(o, "min", llround(all[PER_RANK * lo]));
	hpcp_res_int(o, "max", llround(all[PER_RANK * hi]));
	hpcp_res_int(o, "min_rank", lo);
	hpcp_res_int(o, "max_rank", hi);
	qsort(p50, (size_t)n, sizeof(*p50), cmp_double);
	hpcp_res_int(o, "median", llround(n % 2 ? p50[n / 2] :
					  (p50[n / 2 - 1] + p50[n / 2]) / 2));
	free(p50);
	if (n > LIST_RANKS_MAX)
		return;
	o = hpcp_res_array(row, "per_rank");
	for (int r = 0; r < n; r++) {
		struct hpcp_res *e = hpcp_res_object(o, NULL);

		hpcp_res_int(e, "rank", r);
		hpcp_res_str(e, "host", ctx->hosts[ctx->ranks[r].node].name);
		hpcp_res_int(e, "p50_ns", llround(all[PER_RANK * r]));
		hpcp_res_int(e, "mean_ns", llround(all[PER_RANK * r + 1]));
	}
}

/* The rank whose call most often set the iteration's completion time. */
static int completion_setter(const struct ar_state *st, uint64_t *times)
{
	int best = 0;

	for (int r = 1; r < st->ctx->size; r++)
		if (st->set_completion[r] > st->set_completion[best])
			best = r;
	*times = st->set_completion[best];
	return best;
}

static int one_size(struct ar_state *st, uint64_t bytes,
		    struct hpcp_res *sizes, double *all, int *correct)
{
	struct hpcp_ctx *ctx = st->ctx;
	int count = (int)(bytes / sizeof(float));
	uint64_t iterations, warmup, set_times = 0, default_iterations;
	struct hpcp_lat_summary lat, calls;
	double sum = 0, avg, algbw, mine[PER_RANK];
	struct hpcp_res *row, *means;
	uint64_t pre_sum = 0;
	int rc, setter, lo = 0, hi = 0, busiest = 0, noisy_before;

	hpcp_probe_counts(&ctx->cfg, &HPCP_COUNTS_COLLECTIVE, bytes,
			  &iterations, &warmup);
	default_iterations = iterations;
	if (!ctx->cfg.iterations_given && warmup < MIN_CALIBRATION)
		warmup = MIN_CALIBRATION;
	iterations = stretched(st, warm_up(st, count, warmup), iterations);
	rc = timed_loop(st, count, iterations);
	if (rc)
		return rc;
	if (hpcp_hist_reduce(&st->mine, &st->all_calls, 0, ctx->comm) != 0)
		hpcp_die(70, "merging the all-reduce histograms failed");
	check_sum(st, count, correct);
	mine[0] = (double)hpcp_hist_quantile(&st->mine, 0.5);
	mine[1] = (double)st->mine.sum_ns / (double)iterations;
	mine[2] = (double)st->preempted;
	hpcp_mpi_or_die(MPI_Gather(mine, PER_RANK, MPI_DOUBLE, all, PER_RANK,
				   MPI_DOUBLE, 0, ctx->comm),
			"MPI_Gather of the per-rank all-reduce times");
	if (ctx->rank != 0)
		return 0;

	for (int r = 0; r < ctx->size; r++) {
		const double *v = &all[PER_RANK * r];

		sum += v[1];
		pre_sum += (uint64_t)v[2];
		lo = v[1] < all[PER_RANK * lo + 1] ? r : lo;
		hi = v[1] > all[PER_RANK * hi + 1] ? r : hi;
		busiest = v[2] > all[PER_RANK * busiest + 2] ? r : busiest;
	}

	avg = sum / ctx->size;
	algbw = avg > 0 ? (double)bytes / (avg / 1e9) : 0;
	hpcp_hist_summary(&st->completion, &lat);
	hpcp_hist_summary(&st->all_calls, &calls);
	setter = completion_setter(st, &set_times);
	row = hpcp_res_object(sizes, NULL);
	hpcp_res_int(row, "bytes", (int64_t)bytes);
	hpcp_res_int(row, "elements_count", count);
	hpcp_res_str(row, "datatype", "MPI_FLOAT");
	hpcp_res_int(row, "iterations", (int64_t)iterations);
	hpcp_res_int(row, "osu_iterations", (int64_t)default_iterations);
	hpcp_res_int(row, "warmup", (int64_t)warmup);
	hpcp_res_int(row, "warmup_pace_ns", (int64_t)st->warmup_pace_ns);
	hpcp_res_int(row, "samples_count", (int64_t)lat.count);
	hpcp_res_latency(row, "latency_ns", &lat);
	/* The fabric phase's libfabric all-reduce compares with it. */
	if (lat.p50_ns != HPCP_LAT_NONE)
		hpcp_probe_note_allreduce(bytes, lat.p50_ns);
	hpcp_res_int(row, "all_calls_samples_count", (int64_t)calls.count);
	hpcp_res_latency(row, "all_calls_latency_ns", &calls);
	means = hpcp_res_object(row, "rank_mean_latency_ns");
	hpcp_res_int(means, "min", llround(all[PER_RANK * lo + 1]));
	hpcp_res_int(means, "avg", llround(avg));
	hpcp_res_int(means, "max", llround(all[PER_RANK * hi + 1]));
	hpcp_res_int(row, "fastest_rank", lo);
	hpcp_res_int(row, "longest_mean_rank", hi);
	hpcp_res_int(row, "slowest_rank", setter);
	hpcp_res_str(row, "slowest_host",
		     ctx->hosts[ctx->ranks[setter].node].name);
	hpcp_res_double(row, "slowest_rank_completion_share_ratio",
			iterations ? (double)set_times / (double)iterations : 0);
	hpcp_res_double(row, "algbw_bytes_per_s", algbw);
	hpcp_res_double(row, "busbw_bytes_per_s",
			hpcp_allreduce_busbw(algbw, ctx->size));
	if (ctx->n_nodes >= 2)
		hpcp_res_double(row, "busbw_nodes_bytes_per_s",
				hpcp_allreduce_busbw(algbw, ctx->n_nodes));
	else {
		hpcp_res_null(row, "busbw_nodes_bytes_per_s");
		hpcp_res_str(row, "busbw_nodes_reason",
			     "one node: no traffic between nodes");
	}
	hpcp_res_bool(row, "result_correct", *correct);
	noisy_before = st->noisy_sizes;
	report_noise(st, row, pre_sum, busiest,
		     (uint64_t)all[PER_RANK * busiest + 2], iterations);
	report_level(st, row, st->noisy_sizes > noisy_before);
	report_per_rank(st, row, all);
	return 0;
}

static int allreduce_run(struct hpcp_ctx *ctx, struct hpcp_res *out,
			 char *why, size_t len)
{
	struct ar_state *st = calloc(1, sizeof(*st));
	uint64_t sizes[HPCP_MAX_SIZES];
	uint64_t max_bytes = MIN_BYTES;
	struct hpcp_res *arr;
	double *per_rank = NULL;   /* rank 0: PER_RANK values of each rank */
	int n, dropped, rc;
	struct hpcp_hostload load;
	struct hpcp_hostload_result load_res;

	n = hpcp_probe_float_sizes(&ctx->cfg, MIN_BYTES, MAX_BYTES, sizes,
				   &dropped, &max_bytes);
	if (st) {
		st->ctx = ctx;
		st->sbuf = hpcp_probe_alloc(max_bytes);
		st->rbuf = hpcp_probe_alloc(max_bytes);
		if (ctx->rank == 0) {
			st->set_completion = calloc((size_t)ctx->size,
						    sizeof(*st->set_completion));
			per_rank = calloc(PER_RANK * (size_t)ctx->size,
					  sizeof(*per_rank));
		}
	}
	rc = hpcp_ctx_agree(ctx, st && st->sbuf && st->rbuf &&
				 (ctx->rank != 0 ||
				  (st->set_completion && per_rank)) ? 0 : -ENOMEM);
	if (rc) {
		snprintf(why, len, "out of memory for %llu-byte buffers",
			 (unsigned long long)max_bytes);
		goto out;
	}
	if (n == 0) {
		snprintf(why, len, "no --sizes of at least %d bytes",
			 MIN_BYTES);
		rc = -ENOTSUP;
		goto out;
	}
	hpcp_res_str(out, "operation", "MPI_Allreduce, MPI_SUM");
	hpcp_res_str(out, "latency_definition",
		     "completion time of each iteration: the longest "
		     "MPI_Allreduce call over all ranks (CLOCK_MONOTONIC on "
		     "each rank, barrier between calls outside the timing)");
	hpcp_res_str(out, "all_calls_latency_definition",
		     "every rank's own call times merged: not a property of "
		     "the collective (ranks leave the barrier at different "
		     "moments; the samples form one group per release "
		     "position), kept for comparison with earlier documents");
	hpcp_res_str(out, "slowest_rank_definition",
		     "the rank whose call most often set the iteration's "
		     "completion time (share in "
		     "slowest_rank_completion_share_ratio)");
	hpcp_res_str(out, "busbw_definition",
		     "algbw x 2(n-1)/n (nccl-tests), n = ranks; "
		     "busbw_nodes_bytes_per_s: the same with n = nodes, what "
		     "the network between nodes carried per node (null on one "
		     "node)");
	hpcp_res_int(out, "nodes", ctx->n_nodes);
	hpcp_res_str(out, "iterations_policy",
		     ctx->cfg.iterations_given ?
			     "--iterations, exactly" :
			     "OSU's count (osu_iterations), raised so the "
			     "timed loop lasts about 50 ms (5 ms with --quick) "
			     "at the slowest rank's warm-up pace, at most "
			     "100x: a loop of a few ms sees the machine in one "
			     "state");
	hpcp_res_int(out, "ranks", ctx->size);
	if (dropped)
		hpcp_res_int(out, "sizes_dropped_count", dropped);
	arr = hpcp_res_array(out, "sizes");
	rc = hpcp_ctx_agree(ctx, hpcp_hostload_begin(ctx, &load));
	if (rc) {
		snprintf(why, len, "MPI error before the all-reduce");
		goto out;
	}
	for (int s = 0; s < n; s++) {
		int correct = 0;

		rc = hpcp_ctx_agree(ctx, one_size(st, sizes[s], arr, per_rank,
						  &correct));
		if (rc) {
			snprintf(why, len, "MPI error in MPI_Allreduce of %llu bytes",
				 (unsigned long long)sizes[s]);
			goto out;
		}
		if (!correct) {
			snprintf(why, len,
				 "MPI_Allreduce of %llu bytes returned a wrong sum",
				 (unsigned long long)sizes[s]);
			rc = -EBADMSG;
			goto out;
		}
	}
	rc = hpcp_ctx_agree(ctx, hpcp_hostload_end(ctx, &load, &load_res));
	if (rc) {
		snprintf(why, len, "MPI error after the all-reduce");
		goto out;
	}
	/* Other work on the CPUs moves the p50 as surely as preemptions. */
	if (out)
		hpcp_hostload_report(out, ctx, &load_res);
	if (ctx->rank == 0) {
		hpcp_res_bool(out, "noisy", st->noisy_sizes > 0);
		if (st->noisy_sizes)
			hpcp_res_str(out, "noisy_reason",
				     "sizes marked noisy: ranks were switched "
				     "out in more than 10 % of their "
				     "iterations, or the completion time "
				     "changed level during the loop (each "
				     "size's noisy_reason)");
	}
out:
	if (st) {
		free(st->sbuf);
		free(st->rbuf);
		free(st->set_completion);
	}
	free(per_rank);
	free(st);
	return rc;
}

const struct hpcp_phase hpcp_phase_allreduce = {
	.name = "allreduce",
	.summary = "MPI_Allreduce completion-time distributions, per-rank "
		   "view, algbw and busbw (ranks and nodes) per size",
	.run = allreduce_run,
	.metrics = &phase_metrics,
};

#endif /* !HPCP_METRICS_ONLY */
