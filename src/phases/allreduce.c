/*
 * allreduce: MPI_Allreduce latency over all ranks, per message size.
 *
 * Method (osu_allreduce -f, every iteration kept): MPI_FLOAT sums; after
 * the warm-up each rank times each call with CLOCK_MONOTONIC and waits at
 * a barrier outside the timing, so calls do not pipeline.  Every rank's
 * per-iteration times are merged after the loop into one distribution;
 * per-rank means give min/avg/max across ranks and the slowest rank.
 * algbw = bytes / mean time (the average of the per-rank means, OSU's
 * "Avg Latency"); busbw = algbw x 2(n - 1)/n (nccl-tests).  The sum is
 * checked on a patterned buffer after the timed loop.
 */
#include "config.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hpcp/ctx.h"
#include "hpcp/phase.h"
#include "hpcp/probe.h"
#include "hpcp/report.h"
#include "hpcp/log.h"
#include "hpcp/timer.h"
#include "hpcp/watch.h"

#define MIN_BYTES 4
#define MAX_BYTES (1u << 20)

struct ar_state {
	struct hpcp_ctx *ctx;
	float *sbuf, *rbuf;
	struct hpcp_hist mine, merged;
};

static int timed_loop(struct ar_state *st, int count, uint64_t warmup,
		      uint64_t iterations)
{
	MPI_Comm comm = st->ctx->comm;

	hpcp_hist_reset(&st->mine);
	hpcp_watch_waiting_on(HPCP_WATCH_ALL);
	hpcp_mpi_or_die(MPI_Barrier(comm), "MPI_Barrier before MPI_Allreduce");
	for (uint64_t i = 0; i < warmup + iterations; i++) {
		uint64_t t0;
		int rc;

		hpcp_watch_beat();
		t0 = hpcp_now_ns();
		rc = MPI_Allreduce(st->sbuf, st->rbuf, count, MPI_FLOAT,
				   MPI_SUM, comm);
		if (i >= warmup)
			hpcp_hist_record(&st->mine, hpcp_now_ns() - t0);
		/* Outside the timing: a failed collective ends the job. */
		hpcp_mpi_or_die(rc, "MPI_Allreduce");
		hpcp_mpi_or_die(MPI_Barrier(comm),
				"MPI_Barrier between MPI_Allreduce calls");
	}
	return 0;
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

struct rank_mean {
	double value;
	int rank;
};

static int one_size(struct ar_state *st, uint64_t bytes,
		    struct hpcp_res *sizes, int *correct)
{
	struct hpcp_ctx *ctx = st->ctx;
	int count = (int)(bytes / sizeof(float));
	uint64_t iterations, warmup;
	struct rank_mean mean, lo, hi;
	struct hpcp_lat_summary lat;
	double sum = 0, avg, algbw;
	struct hpcp_res *row, *means;
	int rc;

	hpcp_probe_counts(&ctx->cfg, &HPCP_COUNTS_COLLECTIVE, bytes,
			  &iterations, &warmup);
	rc = timed_loop(st, count, warmup, iterations);
	if (rc)
		return rc;
	if (hpcp_hist_reduce(&st->mine, &st->merged, 0, ctx->comm) != 0)
		hpcp_die(70, "merging the all-reduce histograms failed");
	mean.value = (double)st->mine.sum_ns / (double)iterations;
	mean.rank = ctx->rank;
	hpcp_mpi_or_die(MPI_Reduce(&mean, &lo, 1, MPI_DOUBLE_INT, MPI_MINLOC, 0,
				   ctx->comm), "MPI_Reduce of the fastest rank");
	hpcp_mpi_or_die(MPI_Reduce(&mean, &hi, 1, MPI_DOUBLE_INT, MPI_MAXLOC, 0,
				   ctx->comm), "MPI_Reduce of the slowest rank");
	hpcp_mpi_or_die(MPI_Reduce(&mean.value, &sum, 1, MPI_DOUBLE, MPI_SUM, 0,
				   ctx->comm), "MPI_Reduce of the rank means");
	check_sum(st, count, correct);
	if (ctx->rank != 0)
		return 0;

	avg = sum / ctx->size;
	algbw = avg > 0 ? (double)bytes / (avg / 1e9) : 0;
	hpcp_hist_summary(&st->merged, &lat);
	row = hpcp_res_object(sizes, NULL);
	hpcp_res_int(row, "bytes", (int64_t)bytes);
	hpcp_res_int(row, "elements_count", count);
	hpcp_res_str(row, "datatype", "MPI_FLOAT");
	hpcp_res_int(row, "iterations", (int64_t)iterations);
	hpcp_res_int(row, "warmup", (int64_t)warmup);
	hpcp_res_int(row, "samples_count", (int64_t)lat.count);
	hpcp_res_latency(row, "latency_ns", &lat);
	means = hpcp_res_object(row, "rank_mean_latency_ns");
	hpcp_res_int(means, "min", (int64_t)llround(lo.value));
	hpcp_res_int(means, "avg", (int64_t)llround(avg));
	hpcp_res_int(means, "max", (int64_t)llround(hi.value));
	hpcp_res_int(row, "fastest_rank", lo.rank);
	hpcp_res_int(row, "slowest_rank", hi.rank);
	hpcp_res_str(row, "slowest_host",
		     ctx->hosts[ctx->ranks[hi.rank].node].name);
	hpcp_res_double(row, "algbw_bytes_per_s", algbw);
	hpcp_res_double(row, "busbw_bytes_per_s",
			hpcp_allreduce_busbw(algbw, ctx->size));
	hpcp_res_bool(row, "result_correct", *correct);
	return 0;
}

static int allreduce_run(struct hpcp_ctx *ctx, struct hpcp_res *out,
			 char *why, size_t len)
{
	struct ar_state *st = calloc(1, sizeof(*st));
	uint64_t sizes[HPCP_MAX_SIZES];
	uint64_t max_bytes = MIN_BYTES;
	struct hpcp_res *arr;
	int n, dropped, rc;

	n = hpcp_probe_sizes(&ctx->cfg, MIN_BYTES,
			     ctx->cfg.sizes_given ? HPCP_MAX_MSG_BYTES :
						    MAX_BYTES,
			     sizes, HPCP_MAX_SIZES, &dropped);
	for (int s = 0; s < n; s++) {
		/* Whole floats only: 10 bytes are measured as 8. */
		sizes[s] -= sizes[s] % sizeof(float);
		if (sizes[s] > max_bytes)
			max_bytes = sizes[s];
	}
	if (st) {
		st->ctx = ctx;
		st->sbuf = hpcp_probe_alloc(max_bytes);
		st->rbuf = hpcp_probe_alloc(max_bytes);
	}
	rc = hpcp_ctx_agree(ctx, st && st->sbuf && st->rbuf ? 0 : -ENOMEM);
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
		     "time of one MPI_Allreduce call on one rank (CLOCK_MONOTONIC), "
		     "barrier between calls outside the timing; all ranks' "
		     "samples merged");
	hpcp_res_str(out, "busbw_definition", "algbw x 2(n-1)/n (nccl-tests)");
	hpcp_res_int(out, "ranks", ctx->size);
	if (dropped)
		hpcp_res_int(out, "sizes_dropped_count", dropped);
	arr = hpcp_res_array(out, "sizes");
	for (int s = 0; s < n; s++) {
		int correct = 0;

		rc = hpcp_ctx_agree(ctx, one_size(st, sizes[s], arr, &correct));
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
out:
	if (st) {
		free(st->sbuf);
		free(st->rbuf);
	}
	free(st);
	return rc;
}

const struct hpcp_phase hpcp_phase_allreduce = {
	.name = "allreduce",
	.summary = "MPI_Allreduce latency distributions, per-rank spread, "
		   "algbw and busbw per size",
	.run = allreduce_run,
};
