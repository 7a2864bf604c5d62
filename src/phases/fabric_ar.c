/*
 * The fabric phase's all-reduce: float sums over all ranks straight on the
 * libfabric endpoint (src/fabric.c: a ring or recursive doubling on tagged
 * sends and receives), beside the allreduce phase's MPI_Allreduce with the
 * same sizes, counts and statistics, so the difference is MPI's collective
 * stack.
 *
 * Each timed iteration: the call, timed on every rank; then, outside the
 * timing, that iteration's result checked against the exact sum (small
 * integers in floats: exact in any order), the next iteration's input
 * written (it varies with the iteration and the rank) and a barrier over
 * the fabric, so no MPI call runs between the first and the last call.
 * After the loop: the per-iteration maxima over ranks (the completion time,
 * as in the allreduce phase), each rank's first wrong element, and one more
 * call compared bit for bit with MPI_Allreduce of the same input.
 */
#include "config.h"

#include <errno.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hpcp/ctx.h"
#include "hpcp/efa.h"
#include "hpcp/fabric.h"
#include "hpcp/hostload.h"
#include "hpcp/log.h"
#include "hpcp/pop.h"
#include "hpcp/probe.h"
#include "hpcp/report.h"
#include "hpcp/stats.h"
#include "hpcp/timer.h"
#include "hpcp/watch.h"
#include "fabric_int.h"

#define MIN_BYTES 4
#define MAX_BYTES (1u << 20)
/* At least this many warm-up calls set the pace, as the allreduce phase. */
#define MIN_CALIBRATION 10
#define WARM_SAMPLES 1024
/* Per-iteration maxima travel to rank 0 in pieces of this many. */
#define CHUNK 4096

/* What each rank sends rank 0 after a size. */
enum {
	V_P50, V_MEAN, V_PREEMPTED,
	V_BAD_ITER, V_BAD_ELEM, V_BAD_GOT, V_BAD_WANT, /* -1: none */
	V_BAD_ALG,                                    /* its algorithm */
	V_MPI_DIFF,                                   /* -1: identical */
	V_MPI_ALG,
	V_COUNT
};

/* MPI_LONG_INT's layout. */
struct long_int {
	long value;
	int rank;
};

struct ar {
	const struct hpcp_fabric_ar_job *job;
	struct hpcp_ctx *ctx;
	float *buf;                  /* the fabric's data buffer */
	float *input, *mpi_out;      /* the MPI comparison's */
	double warm[WARM_SAMPLES];
	struct hpcp_hist mine, completion;
	struct long_int *iter, *iter_max;
	uint64_t *set_completion;    /* rank 0: [size] */
	double *all;                 /* rank 0: [size][V_COUNT] */
	double v[V_COUNT];
	uint64_t preempted, pace_ns;
	uint64_t sent_floor;         /* bytes this rank must have sent */
	int corrupt_rank;            /* test hook, -1 off */
	long corrupt_elem;
	int noisy_sizes;
	int yield_why;               /* waits yield: YIELD_*, 0 not */
	struct hpcp_hostload_result hl;  /* the last size's, rank 0 */
};

/* Why the waits yield (the largest over ranks wins). */
enum { YIELD_MPI = 1, YIELD_OVERSUBSCRIBED = 2 };

/* Open MPI's mpi_yield_when_idle, as mpirun passes it to the ranks. */
static int mpi_yields(void)
{
	const char *v = getenv("OMPI_MCA_mpi_yield_when_idle");

	return v && (strcmp(v, "1") == 0 || strcmp(v, "true") == 0);
}

static const char *alg_name(enum hpcp_fabric_ar a)
{
	return a == HPCP_FABRIC_AR_RING ? "ring" : "rd";
}

int hpcp_fabric_ar_check_option(const char *v, char *err, size_t len)
{
	if (strcmp(v, "ring") == 0 || strcmp(v, "rd") == 0 ||
	    strcmp(v, "auto") == 0)
		return 0;
	snprintf(err, len, "expects ring, rd or auto");
	return -EINVAL;
}

/* Input of iteration k: (r % 7) + 1 + (k % 3)(r % 5) + (i + k) % 13, at
 * most 27 a rank, so every partial sum is an exact float. */
static float rank_part(int r, uint64_t k)
{
	return (float)(r % 7 + 1 + (int)(k % 3) * (r % 5));
}

static void fill(float *buf, size_t count, int rank, uint64_t k)
{
	float base = rank_part(rank, k);
	unsigned j = (unsigned)(k % 13);

	for (size_t i = 0; i < count; i++) {
		buf[i] = base + (float)j;
		j = j == 12 ? 0 : j + 1;
	}
}

/* The first wrong element of iteration k's result, or -1. */
static long first_wrong(const float *buf, size_t count, int n, uint64_t k,
			float *want)
{
	float base = 0;
	unsigned j = (unsigned)(k % 13);

	for (int r = 0; r < n; r++)
		base += rank_part(r, k);
	for (size_t i = 0; i < count; i++) {
		float w = base + (float)n * (float)j;

		if (buf[i] != w) {
			*want = w;
			return (long)i;
		}
		j = j == 12 ? 0 : j + 1;
	}
	return -1;
}

/* Calls and fabric barriers, untimed; the median iteration, max over
 * ranks: the pace the loop is stretched by, and auto's comparison. */
static int warm_up(struct ar *a, enum hpcp_fabric_ar alg, size_t count,
		   uint64_t n, uint64_t *pace)
{
	struct hpcp_fabric *f = a->job->fab;
	int rank = a->ctx->rank, kept = 0, rc;
	uint64_t prev, now, median_ns = 0, slowest = 0;
	double median, q1, q3;

	fill(a->buf, count, rank, 0);
	rc = hpcp_fabric_barrier(f, rank);
	prev = hpcp_now_ns();
	for (uint64_t i = 0; i < n && rc == 0; i++) {
		rc = hpcp_fabric_allreduce(f, rank, alg, count);
		if (rc == 0)
			rc = hpcp_fabric_barrier(f, rank);
		now = hpcp_now_ns();
		if (kept < WARM_SAMPLES)
			a->warm[kept++] = (double)(now - prev);
		prev = now;
	}
	a->sent_floor += n * hpcp_fabric_allreduce_sent_bytes(
				     alg, a->ctx->size, rank, count);
	rc = hpcp_ctx_agree(a->ctx, rc);
	if (rc)
		return rc;
	if (hpcp_round_stats(a->warm, kept, &median, &q1, &q3) == 0)
		median_ns = (uint64_t)llround(median);
	hpcp_mpi_or_die(MPI_Allreduce(&median_ns, &slowest, 1, MPI_UINT64_T,
				      MPI_MAX, a->ctx->comm),
			"MPI_Allreduce of the fabric all-reduce's pace");
	*pace = slowest;
	return 0;
}

/* No MPI, no allocation, no logging from the first call to the last. */
static int timed_loop(struct ar *a, enum hpcp_fabric_ar alg, size_t count,
		      uint64_t iterations)
{
	struct hpcp_fabric *f = a->job->fab;
	int rank = a->ctx->rank, n = a->ctx->size, rc;
	float want = 0;

	hpcp_hist_reset(&a->mine);
	a->v[V_BAD_ITER] = a->v[V_BAD_ELEM] = -1;
	a->v[V_BAD_GOT] = a->v[V_BAD_WANT] = 0;
	a->v[V_BAD_ALG] = alg;
	fill(a->buf, count, rank, 0);
	rc = hpcp_fabric_barrier(f, rank);
	a->preempted = hpcp_probe_preemptions();
	for (uint64_t k = 0; k < iterations && rc == 0; k++) {
		uint64_t t0 = hpcp_now_ns(), ns;
		long bad;

		rc = hpcp_fabric_allreduce(f, rank, alg, count);
		ns = hpcp_now_ns() - t0;
		if (rc)
			break;
		hpcp_hist_record(&a->mine, ns);
		a->iter[k].value = (long)ns;
		a->iter[k].rank = rank;
		if (rank == a->corrupt_rank && a->corrupt_elem < (long)count)
			a->buf[a->corrupt_elem] += 1;
		bad = first_wrong(a->buf, count, n, k, &want);
		if (bad >= 0 && a->v[V_BAD_ITER] < 0) {
			a->v[V_BAD_ITER] = (double)k;
			a->v[V_BAD_ELEM] = (double)bad;
			a->v[V_BAD_GOT] = a->buf[bad];
			a->v[V_BAD_WANT] = want;
		}
		fill(a->buf, count, rank, k + 1);
		rc = hpcp_fabric_barrier(f, rank);
	}
	a->preempted = hpcp_probe_preemptions() - a->preempted;
	a->sent_floor += iterations * hpcp_fabric_allreduce_sent_bytes(
					      alg, n, rank, count);
	hpcp_watch_waiting_on(HPCP_WATCH_ALL);
	return rc;
}

/* The completion time of each iteration: its longest call, to rank 0. */
static void completion(struct ar *a, uint64_t iterations)
{
	struct hpcp_ctx *ctx = a->ctx;

	hpcp_hist_reset(&a->completion);
	if (a->set_completion)
		memset(a->set_completion, 0,
		       (size_t)ctx->size * sizeof(*a->set_completion));
	for (uint64_t at = 0; at < iterations; at += CHUNK) {
		int n = (int)(iterations - at < CHUNK ? iterations - at : CHUNK);

		hpcp_mpi_or_die(MPI_Reduce(a->iter + at, a->iter_max, n,
					   MPI_LONG_INT, MPI_MAXLOC, 0,
					   ctx->comm),
				"MPI_Reduce of the fabric all-reduce's "
				"completion times");
		for (int i = 0; i < n && ctx->rank == 0; i++) {
			hpcp_hist_record(&a->completion,
					 (uint64_t)a->iter_max[i].value);
			if (a->iter_max[i].rank >= 0 &&
			    a->iter_max[i].rank < ctx->size)
				a->set_completion[a->iter_max[i].rank]++;
		}
	}
}

/* One more call of alg on a fresh input (iteration k's), checked against
 * the exact sum and bit for bit against MPI_Allreduce of the same input:
 * the first difference of each goes into v unless one is there already. */
static int against_mpi(struct ar *a, enum hpcp_fabric_ar alg, size_t count,
		       uint64_t k)
{
	struct hpcp_ctx *ctx = a->ctx;
	float want = 0;
	long bad;
	int rc;

	fill(a->buf, count, ctx->rank, k);
	memcpy(a->input, a->buf, count * sizeof(float));
	rc = hpcp_fabric_allreduce(a->job->fab, ctx->rank, alg, count);
	a->sent_floor += hpcp_fabric_allreduce_sent_bytes(alg, ctx->size,
							  ctx->rank, count);
	hpcp_watch_waiting_on(HPCP_WATCH_ALL);
	rc = hpcp_ctx_agree(ctx, rc);
	if (rc)
		return rc;
	bad = first_wrong(a->buf, count, ctx->size, k, &want);
	if (bad >= 0 && a->v[V_BAD_ITER] < 0) {
		a->v[V_BAD_ITER] = (double)k;
		a->v[V_BAD_ELEM] = (double)bad;
		a->v[V_BAD_GOT] = a->buf[bad];
		a->v[V_BAD_WANT] = want;
		a->v[V_BAD_ALG] = alg;
	}
	hpcp_mpi_or_die(MPI_Allreduce(a->input, a->mpi_out, (int)count,
				      MPI_FLOAT, MPI_SUM, ctx->comm),
			"MPI_Allreduce of the fabric all-reduce's input");
	/* Bit for bit: memcmp, then the element for the diagnosis. */
	if (a->v[V_MPI_DIFF] < 0 &&
	    memcmp(a->buf, a->mpi_out, count * sizeof(float)) != 0)
		for (size_t i = 0; i < count; i++)
			if (memcmp(&a->buf[i], &a->mpi_out[i],
				   sizeof(float)) != 0) {
				a->v[V_MPI_DIFF] = (double)i;
				a->v[V_MPI_ALG] = alg;
				break;
			}
	return 0;
}

/*
 * Whether the size's samples measured the host.  Waits that yield count
 * every empty poll as an involuntary switch (hostload.h), so then only
 * the foreign CPU load during the size says whether other work ran;
 * otherwise the preemptions bound the disturbed iterations, as in the
 * allreduce phase.
 */
static void report_noise(struct ar *a, struct hpcp_res *row, uint64_t pre,
			 uint64_t iterations)
{
	char why[200];

	if (!a->yield_why) {
		a->noisy_sizes += hpcp_res_disturbed(row, pre, iterations,
						     NULL);
		hpcp_hostload_report(row, a->ctx, &a->hl);
		return;
	}
	hpcp_res_int(row, "preemptions_count", (int64_t)pre);
	hpcp_res_bool(row, "noisy", hpcp_hostload_report(row, a->ctx, &a->hl));
	if (!a->hl.noisy)
		return;
	a->noisy_sizes++;
	snprintf(why, sizeof(why),
		 "other work took %.0f %% of a kernel's CPUs (> %.0f %% + %.0f %% "
		 "resolution) while this size was measured: latencies include "
		 "waits for a time slice",
		 100 * a->hl.foreign_fraction, 100 * HPCP_FOREIGN_MAX,
		 100 * a->hl.resolution);
	hpcp_res_str(row, "noisy_reason", why);
}

/* MPI_Allreduce's p50 from the allreduce phase of this job, if it ran. */
static void report_ratio(struct hpcp_res *row, uint64_t bytes, uint64_t p50)
{
	uint64_t mpi;

	if (hpcp_probe_allreduce_p50(bytes, &mpi) != 0) {
		hpcp_res_null(row, "mpi_latency_p50_ns");
		hpcp_res_null(row, "mpi_over_fabric_ratio");
		hpcp_res_str(row, "mpi_over_fabric_reason",
			     "the allreduce phase did not measure this size in "
			     "this job");
		return;
	}
	hpcp_res_int(row, "mpi_latency_p50_ns", (int64_t)mpi);
	if (p50 == HPCP_LAT_NONE || p50 == 0) {
		hpcp_res_null(row, "mpi_over_fabric_ratio");
		hpcp_res_str(row, "mpi_over_fabric_reason",
			     "too few samples for the libfabric p50");
		return;
	}
	hpcp_res_double(row, "mpi_over_fabric_ratio",
			(double)mpi / (double)p50);
}

/* Rank 0: the row of one size; the verdict in why (0 or -EBADMSG). */
static int report_size(struct ar *a, struct hpcp_res *sizes, uint64_t bytes,
		       enum hpcp_fabric_ar alg, uint64_t iterations,
		       uint64_t osu_iterations, uint64_t warmup,
		       const uint64_t *calib, char *why, size_t len)
{
	struct hpcp_ctx *ctx = a->ctx;
	struct hpcp_lat_summary lat;
	struct hpcp_res *row, *o;
	double sum = 0, avg, algbw;
	uint64_t pre = 0;
	int lo = 0, hi = 0, setter = 0, bad = -1, diff = -1;

	for (int r = 0; r < ctx->size; r++) {
		const double *v = &a->all[V_COUNT * r];

		sum += v[V_MEAN];
		pre += (uint64_t)v[V_PREEMPTED];
		lo = v[V_MEAN] < a->all[V_COUNT * lo + V_MEAN] ? r : lo;
		hi = v[V_MEAN] > a->all[V_COUNT * hi + V_MEAN] ? r : hi;
		if (a->set_completion[r] > a->set_completion[setter])
			setter = r;
		if (bad < 0 && v[V_BAD_ITER] >= 0)
			bad = r;
		if (diff < 0 && v[V_MPI_DIFF] >= 0)
			diff = r;
	}
	avg = sum / ctx->size;
	algbw = avg > 0 ? (double)bytes / (avg / 1e9) : 0;
	hpcp_hist_summary(&a->completion, &lat);
	row = hpcp_res_object(sizes, NULL);
	hpcp_res_int(row, "bytes", (int64_t)bytes);
	hpcp_res_int(row, "elements_count", (int64_t)(bytes / sizeof(float)));
	hpcp_res_str(row, "algorithm", alg_name(alg));
	if (calib) {
		o = hpcp_res_object(row, "auto_warmup_pace_ns");
		hpcp_res_int(o, "ring", (int64_t)calib[HPCP_FABRIC_AR_RING]);
		hpcp_res_int(o, "rd", (int64_t)calib[HPCP_FABRIC_AR_RD]);
	}
	hpcp_res_int(row, "iterations", (int64_t)iterations);
	hpcp_res_int(row, "osu_iterations", (int64_t)osu_iterations);
	hpcp_res_int(row, "warmup", (int64_t)warmup);
	hpcp_res_int(row, "warmup_pace_ns", (int64_t)a->pace_ns);
	hpcp_res_int(row, "samples_count", (int64_t)lat.count);
	hpcp_res_latency(row, "latency_ns", &lat);
	o = hpcp_res_object(row, "rank_mean_latency_ns");
	hpcp_res_int(o, "min", llround(a->all[V_COUNT * lo + V_MEAN]));
	hpcp_res_int(o, "avg", llround(avg));
	hpcp_res_int(o, "max", llround(a->all[V_COUNT * hi + V_MEAN]));
	hpcp_res_int(row, "slowest_rank", setter);
	hpcp_res_double(row, "algbw_bytes_per_s", algbw);
	hpcp_res_double(row, "busbw_bytes_per_s",
			hpcp_allreduce_busbw(algbw, ctx->size));
	if (ctx->n_nodes >= 2) {
		hpcp_res_double(row, "busbw_nodes_bytes_per_s",
				hpcp_allreduce_busbw(algbw, ctx->n_nodes));
	} else {
		hpcp_res_null(row, "busbw_nodes_bytes_per_s");
		hpcp_res_str(row, "busbw_nodes_reason",
			     "one node: no traffic between nodes");
	}
	report_ratio(row, bytes, lat.p50_ns);
	hpcp_res_bool(row, "result_correct", bad < 0);
	hpcp_res_bool(row, "matches_mpi", diff < 0);
	o = hpcp_res_array(row, "checked_algorithms");
	hpcp_res_str(o, NULL, alg_name(alg));
	if (calib)
		hpcp_res_str(o, NULL, alg_name(alg == HPCP_FABRIC_AR_RING ?
						       HPCP_FABRIC_AR_RD :
						       HPCP_FABRIC_AR_RING));
	report_noise(a, row, pre, iterations);
	if (bad >= 0) {
		const double *v = &a->all[V_COUNT * bad];

		snprintf(why, len,
			 "libfabric all-reduce (%s) of %llu bytes gave a wrong "
			 "sum on rank %d at element %.0f (iteration %.0f: %.0f, "
			 "expected %.0f)",
			 alg_name((enum hpcp_fabric_ar)v[V_BAD_ALG]),
			 (unsigned long long)bytes, bad,
			 v[V_BAD_ELEM], v[V_BAD_ITER], v[V_BAD_GOT],
			 v[V_BAD_WANT]);
		return -EBADMSG;
	}
	if (diff >= 0) {
		snprintf(why, len,
			 "libfabric all-reduce (%s) of %llu bytes differs from "
			 "MPI_Allreduce of the same input on rank %d at element "
			 "%.0f",
			 alg_name((enum hpcp_fabric_ar)
					  a->all[V_COUNT * diff + V_MPI_ALG]),
			 (unsigned long long)bytes, diff,
			 a->all[V_COUNT * diff + V_MPI_DIFF]);
		return -EBADMSG;
	}
	return 0;
}

static int one_size(struct ar *a, struct hpcp_res *sizes, uint64_t bytes,
		    enum hpcp_fabric_ar *choice, char *why, size_t len)
{
	struct hpcp_ctx *ctx = a->ctx;
	size_t count = bytes / sizeof(float);
	uint64_t iterations, warmup, osu, calib[2] = { 0, 0 };
	struct hpcp_hostload load;
	int automatic = strcmp(a->job->algorithm, "auto") == 0, rc;
	enum hpcp_fabric_ar alg = strcmp(a->job->algorithm, "ring") == 0 ?
					  HPCP_FABRIC_AR_RING :
					  HPCP_FABRIC_AR_RD;

	hpcp_probe_counts(&ctx->cfg, &HPCP_COUNTS_COLLECTIVE, bytes,
			  &iterations, &warmup);
	osu = iterations;
	if (!ctx->cfg.iterations_given && warmup < MIN_CALIBRATION)
		warmup = MIN_CALIBRATION;
	if (automatic) {
		/* Both warm up; the faster median iteration is timed. */
		rc = warm_up(a, HPCP_FABRIC_AR_RD, count, warmup,
			     &calib[HPCP_FABRIC_AR_RD]);
		if (rc == 0)
			rc = warm_up(a, HPCP_FABRIC_AR_RING, count, warmup,
				     &calib[HPCP_FABRIC_AR_RING]);
		alg = calib[HPCP_FABRIC_AR_RING] < calib[HPCP_FABRIC_AR_RD] ?
			      HPCP_FABRIC_AR_RING :
			      HPCP_FABRIC_AR_RD;
		a->pace_ns = calib[alg];
	} else {
		rc = warm_up(a, alg, count, warmup, &a->pace_ns);
	}
	*choice = alg;
	if (rc)
		goto failed;
	iterations = hpcp_probe_stretched(&ctx->cfg, a->pace_ns, iterations);
	a->iter = malloc(iterations * sizeof(*a->iter));
	rc = hpcp_ctx_agree(ctx, a->iter ? 0 : -ENOMEM);
	if (rc) {
		free(a->iter);
		a->iter = NULL;
		snprintf(why, len, "out of memory for %llu iteration times",
			 (unsigned long long)iterations);
		return rc;
	}
	rc = hpcp_ctx_agree(ctx, hpcp_hostload_begin(ctx, &load));
	if (rc == 0)
		rc = hpcp_ctx_agree(ctx, timed_loop(a, alg, count, iterations));
	if (rc == 0)
		rc = hpcp_ctx_agree(ctx, hpcp_hostload_end(ctx, &load, &a->hl));
	a->v[V_MPI_DIFF] = -1;
	/* Under auto the algorithm not timed is checked too. */
	if (rc == 0)
		rc = against_mpi(a, alg, count, iterations);
	if (rc == 0 && automatic)
		rc = against_mpi(a, alg == HPCP_FABRIC_AR_RING ?
					    HPCP_FABRIC_AR_RD :
					    HPCP_FABRIC_AR_RING,
				 count, iterations + 1);
	if (rc) {
		free(a->iter);
		a->iter = NULL;
		goto failed;
	}
	completion(a, iterations);
	free(a->iter);
	a->iter = NULL;
	a->v[V_P50] = (double)hpcp_hist_quantile(&a->mine, 0.5);
	a->v[V_MEAN] = (double)a->mine.sum_ns / (double)iterations;
	a->v[V_PREEMPTED] = (double)a->preempted;
	hpcp_mpi_or_die(MPI_Gather(a->v, V_COUNT, MPI_DOUBLE, a->all, V_COUNT,
				   MPI_DOUBLE, 0, ctx->comm),
			"MPI_Gather of the fabric all-reduce's per-rank view");
	if (ctx->rank == 0)
		rc = report_size(a, sizes, bytes, alg, iterations, osu, warmup,
				 automatic ? calib : NULL, why, len);
	return hpcp_ctx_agree(ctx, rc);
failed:
	snprintf(why, len, "libfabric all-reduce (%s) of %llu bytes failed: %s",
		 alg_name(alg), (unsigned long long)bytes,
		 rc == -ETIMEDOUT ? "no progress within the fabric's wait "
				    "limit (9/10 of --timeout)" :
				    hpcp_fabric_strerror(rc));
	return rc;
}

/* Every rank's EFA tx_bytes delta against what it must have sent. */
static void report_efa(struct ar *a, struct hpcp_res *ar,
		       const struct hpcp_efa_set *before)
{
	const struct hpcp_fabric_ar_job *job = a->job;
	struct hpcp_ctx *ctx = a->ctx;
	struct hpcp_efa_set *after = malloc(sizeof(*after));
	struct hpcp_efa_set *delta = malloc(sizeof(*delta));
	uint64_t mine[2] = { 0, a->sent_floor }, *all = NULL;
	int judged = strcmp(job->provider, "efa") == 0 &&
		     ctx->n_nodes == ctx->size;
	struct hpcp_res *arr;

	if (after && delta) {
		hpcp_efa_snapshot(hpcp_efa_root(ctx->cfg.efa_root), after);
		hpcp_efa_delta(before, after, delta);
		mine[0] = hpcp_efa_sum(delta, "tx_bytes");
	}
	free(after);
	free(delta);
	if (ctx->rank == 0)
		all = calloc(2 * (size_t)ctx->size, sizeof(*all));
	hpcp_mpi_or_die(MPI_Gather(mine, 2, MPI_UINT64_T, all, 2,
				   MPI_UINT64_T, 0, ctx->comm),
			"MPI_Gather of the all-reduce's EFA tx_bytes");
	if (ctx->rank != 0 || !all) {
		free(all);
		return;
	}
	arr = hpcp_res_array(ar, "efa_tx_bytes");
	for (int r = 0; r < ctx->size; r++) {
		struct hpcp_res *e = hpcp_res_object(arr, NULL);

		hpcp_res_int(e, "rank", r);
		hpcp_res_int(e, "tx_bytes", (int64_t)all[2 * r]);
		hpcp_res_int(e, "sent_floor_bytes", (int64_t)all[2 * r + 1]);
		if (judged) {
			struct hpcp_res *c = hpcp_res_object(job->checks, NULL);
			char name[96];

			snprintf(name, sizeof(name),
				 "fabric.allreduce.efa_tx_bytes.rank_%d", r);
			hpcp_res_str(c, "name", name);
			hpcp_res_int(c, "value", (int64_t)all[2 * r]);
			hpcp_res_int(c, "reference", (int64_t)all[2 * r + 1]);
			hpcp_res_str(c, "rule",
				     "EFA tx_bytes delta >= the all-reduce "
				     "payload the rank sent (ring: 2(n-1)/n of "
				     "the buffer a call)");
			hpcp_res_bool(c, "pass", all[2 * r] >= all[2 * r + 1]);
		}
	}
	if (!judged)
		hpcp_res_str(ar, "efa_check_reason",
			     strcmp(job->provider, "efa") != 0 ?
				     "the provider is not efa" :
				     "ranks share a host: efa hands their "
				     "bytes to shm, the adapter never sees them");
	free(all);
}

static void report_header(struct ar *a, struct hpcp_res *ar)
{
	hpcp_res_str(ar, "algorithm_requested", a->job->algorithm);
	hpcp_res_str(ar, "operation",
		     "float sum over all ranks, tagged sends and receives on "
		     "the RDM endpoint, buffers registered once");
	hpcp_res_str(ar, "algorithms_definition",
		     "ring: reduce-scatter then all-gather, 2(n-1) steps of "
		     "1/n of the buffer; rd: recursive doubling, log2 n steps "
		     "of the whole buffer, the first 2(n-p) ranks folded "
		     "pairwise into a power of two p (two steps more)");
	hpcp_res_str(ar, "latency_definition",
		     "completion time of each iteration: the longest call over "
		     "all ranks (CLOCK_MONOTONIC on each rank; the check, the "
		     "next input and a barrier over the fabric between calls, "
		     "outside the timing), as the allreduce phase");
	hpcp_res_str(ar, "check_definition",
		     "every timed iteration's result against the exact sum "
		     "(integers in floats, varying with the iteration and the "
		     "rank), outside the timing; then one more call of the "
		     "timed algorithm (under auto, of both) on a fresh input, "
		     "against the exact sum and bit for bit against "
		     "MPI_Allreduce of the same input; a difference fails the "
		     "phase naming the rank and the element");
	hpcp_res_str(ar, "busbw_definition",
		     "algbw x 2(n-1)/n, n = ranks; busbw_nodes_bytes_per_s: "
		     "n = nodes (null on one node)");
	hpcp_res_str(ar, "ratio_definition",
		     "MPI_Allreduce's completion p50 (the allreduce phase, "
		     "this job) / this completion p50: above 1, MPI's "
		     "collective adds time");
	if (strcmp(a->job->algorithm, "auto") == 0)
		hpcp_res_str(ar, "auto_definition",
			     "each size warms up both algorithms; the one "
			     "whose median iteration (call and barrier, slowest "
			     "rank) is shorter is timed; crossover_bytes: the "
			     "smallest size from which ring was chosen for "
			     "every larger size");
	hpcp_res_bool(ar, "waits_yield", a->yield_why != 0);
	if (a->yield_why)
		hpcp_res_str(ar, "waits_yield_reason",
			     a->yield_why == YIELD_OVERSUBSCRIBED ?
				     "a host runs more ranks than it has CPUs "
				     "online: each empty poll gives the core "
				     "away (sched_yield), as MPI's "
				     "yield_when_idle" :
				     "Open MPI's mpi_yield_when_idle is set, "
				     "so MPI's waits yield: each empty poll "
				     "gives the core away (sched_yield) too");
	hpcp_res_int(ar, "ranks", a->ctx->size);
	hpcp_res_int(ar, "nodes", a->ctx->n_nodes);
}

static int setup(struct ar *a, uint64_t max_bytes, char *why, size_t len)
{
	struct hpcp_ctx *ctx = a->ctx;
	const char *hook = getenv(HPCP_ENV_TEST_FABRIC_AR_CORRUPT);
	int rc;

	a->corrupt_rank = -1;
	if (hook && sscanf(hook, "%d:%ld", &a->corrupt_rank,
			   &a->corrupt_elem) != 2)
		a->corrupt_rank = -1;
	if (a->corrupt_rank >= 0 && ctx->rank == 0) {
		char msg[160];

		snprintf(msg, sizeof(msg),
			 "%s=%d:%ld: test only, the all-reduce's result is "
			 "corrupted on purpose", HPCP_ENV_TEST_FABRIC_AR_CORRUPT,
			 a->corrupt_rank, a->corrupt_elem);
		hpcp_res_str(a->job->warnings, NULL, msg);
	}
	rc = hpcp_fabric_coll_setup(a->job->fab, max_bytes / sizeof(float),
				    why, len);
	a->buf = hpcp_fabric_coll_buffer(a->job->fab);
	/* More ranks than CPUs on some host: spinning would starve a peer.
	 * And when Open MPI was told to yield while idle, the MPI side of
	 * the comparison waits that way: so do these waits. */
	a->yield_why = ctx->node_size > sysconf(_SC_NPROCESSORS_ONLN) ?
			       YIELD_OVERSUBSCRIBED :
		       mpi_yields() ? YIELD_MPI : 0;
	hpcp_mpi_or_die(MPI_Allreduce(MPI_IN_PLACE, &a->yield_why, 1,
				      MPI_INT, MPI_MAX, ctx->comm),
			"MPI_Allreduce of the hosts' oversubscription");
	hpcp_fabric_set_yield(a->job->fab, a->yield_why != 0);
	/* One untimed call of each algorithm first: connection-oriented
	 * providers (tcp;ofi_rxm) connect every pair they use here, not in
	 * the first size's warm-up, which auto compares. */
	if (rc == 0 && a->buf) {
		a->buf[0] = 0;
		rc = hpcp_fabric_allreduce(a->job->fab, ctx->rank,
					   HPCP_FABRIC_AR_RING, 1);
		if (rc == 0)
			rc = hpcp_fabric_allreduce(a->job->fab, ctx->rank,
						   HPCP_FABRIC_AR_RD, 1);
		if (rc == 0)
			rc = hpcp_fabric_barrier(a->job->fab, ctx->rank);
		hpcp_watch_waiting_on(HPCP_WATCH_ALL);
		if (rc)
			snprintf(why, len, "libfabric all-reduce: the first "
				 "call failed: %s", hpcp_fabric_strerror(rc));
	}
	a->input = hpcp_probe_alloc(max_bytes);
	a->mpi_out = hpcp_probe_alloc(max_bytes);
	a->iter_max = calloc(CHUNK, sizeof(*a->iter_max));
	if (ctx->rank == 0) {
		a->set_completion = calloc((size_t)ctx->size,
					   sizeof(*a->set_completion));
		a->all = calloc(V_COUNT * (size_t)ctx->size, sizeof(*a->all));
	}
	if (rc == 0 && (!a->input || !a->mpi_out || !a->iter_max ||
			(ctx->rank == 0 && (!a->set_completion || !a->all)))) {
		snprintf(why, len, "out of memory for the all-reduce");
		rc = -ENOMEM;
	}
	return hpcp_ctx_agree(ctx, rc);
}

int hpcp_fabric_ar_run(const struct hpcp_fabric_ar_job *job, char *why,
		       size_t len)
{
	struct ar *a = calloc(1, sizeof(*a));
	struct hpcp_ctx *ctx = job->ctx;
	uint64_t sizes[HPCP_MAX_SIZES], max_bytes = MIN_BYTES;
	struct hpcp_efa_set *before = NULL;
	struct hpcp_res *ar = NULL, *arr = NULL;
	int n, dropped, rc, crossover = -1;

	n = hpcp_probe_float_sizes(&ctx->cfg, MIN_BYTES, MAX_BYTES, sizes,
				   &dropped, &max_bytes);
	rc = hpcp_ctx_agree(ctx, a ? 0 : -ENOMEM);
	if (rc) {
		free(a);
		snprintf(why, len, "out of memory for the all-reduce");
		return rc;
	}
	a->job = job;
	a->ctx = ctx;
	rc = setup(a, max_bytes, why, len);
	if (rc)
		goto out;
	if (ctx->rank == 0) {
		ar = hpcp_res_object(job->out, "allreduce");
		report_header(a, ar);
		if (dropped)
			hpcp_res_int(ar, "sizes_dropped_count", dropped);
		arr = hpcp_res_array(ar, "sizes");
	}
	if (job->efa_devices) {
		before = malloc(sizeof(*before));
		if (before)
			hpcp_efa_snapshot(hpcp_efa_root(ctx->cfg.efa_root), before);
	}
	if (getenv(HPCP_ENV_TEST_FABRIC_AR_STOP) &&
	    atoi(getenv(HPCP_ENV_TEST_FABRIC_AR_STOP)) == ctx->rank) {
		if (ctx->rank == 0)
			hpcp_res_str(job->warnings, NULL, "test only: "
				     HPCP_ENV_TEST_FABRIC_AR_STOP " stops rank "
				     "0 before the all-reduce");
		raise(SIGSTOP);
	}
	for (int s = 0; s < n && rc == 0; s++) {
		enum hpcp_fabric_ar used;

		/* A provider's message limit caps what one step can carry. */
		if (sizes[s] > job->max_msg_size)
			continue;
		rc = one_size(a, arr, sizes[s], &used, why, len);
		if (used == HPCP_FABRIC_AR_RD)
			crossover = -1;
		else if (crossover < 0)
			crossover = s;
	}
	if (rc == 0 && before)
		report_efa(a, ar, before);
	if (rc == 0 && ctx->rank == 0) {
		/* A fixed algorithm has no crossover. */
		if (strcmp(job->algorithm, "auto") == 0 && crossover >= 0)
			hpcp_res_int(ar, "crossover_bytes",
				     (int64_t)sizes[crossover]);
		else if (strcmp(job->algorithm, "auto") == 0)
			hpcp_res_null(ar, "crossover_bytes");
		hpcp_res_bool(ar, "noisy", a->noisy_sizes > 0);
		if (a->noisy_sizes)
			hpcp_res_str(ar, "noisy_reason",
				     "sizes marked noisy: ranks were switched "
				     "out in more than 10 % of their iterations");
	}
out:
	free(before);
	free(a->input);
	free(a->mpi_out);
	free(a->iter_max);
	free(a->set_completion);
	free(a->all);
	free(a);
	return rc;
}
