/*
 * pingpong: MPI point-to-point latency and bandwidth between pairs of
 * ranks, and the all-pairs latency matrix of the nodes.
 *
 * Method (OSU osu_latency / osu_bw, with every iteration kept):
 * - Pairs, sizes, counts, bandwidth windows and rows: the point-to-point
 *   harness (p2p.h) over its MPI transport (src/p2p_mpi.c): MPI_Send +
 *   MPI_Recv round trips, one clock read per iteration, half of each into
 *   a histogram, the whole-loop mean (what OSU and IMB print) beside it;
 *   windows of 64 MPI_Isend and a 4-byte acknowledgement (osu_bw).
 * - Node matrix: every pair of node leaders, in n - 1 rounds of disjoint
 *   pairs, 8-byte p50 and p99 latency; outliers by median polish and a
 *   MAD rule on each (schedule.h).
 * Nothing is allocated, logged or formatted inside a timed loop.
 */
#include "config.h"

/* What the phase measures (hpcp/metrics.h): all of this file that the
 * report tool compiles (HPCP_METRICS_ONLY: no MPI). */
#include "hpcp/p2p_metrics.h"

static const struct hpcp_metric_label pair_latency_labels[] = {
	HPCP_P2P_LABEL_KIND,
	HPCP_P2P_LABEL_BYTES,
	HPCP_P2P_LABEL_HOST,
	HPCP_P2P_LABEL_PEER_HOST,
	{ 0 },
};

static const struct hpcp_metric_label pair_bandwidth_labels[] = {
	HPCP_P2P_LABEL_KIND,
	HPCP_P2P_LABEL_BYTES,
	HPCP_P2P_LABEL_HOST,
	{ 0 },
};

static const struct hpcp_metric pingpong_metrics[] = {
	HPCP_P2P_LATENCY_METRIC("pingpong", pair_latency_labels),
	HPCP_P2P_BANDWIDTH_METRIC("pingpong", pair_bandwidth_labels),
	{
		.each = "", .path = "node_matrix/cluster_median_latency_ns",
		.unit = "ns", .kind = HPCP_METRIC_COUNT,
		.better = HPCP_BETTER_LOWER,
		.gate = "pingpong.node_matrix.cluster_median_ns",
	},
};

HPCP_PHASE_METRICS(pingpong, pingpong_metrics);

#ifndef HPCP_METRICS_ONLY

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hpcp/ctx.h"
#include "hpcp/hostload.h"
#include "hpcp/log.h"
#include "hpcp/mpiinfo.h"
#include "hpcp/p2p.h"
#include "hpcp/phase.h"
#include "hpcp/probe.h"
#include "hpcp/report.h"
#include "hpcp/schedule.h"
#include "hpcp/watch.h"

#define MAX_BYTES (4u << 20)
#define MATRIX_BYTES 8

struct pp_state {
	struct hpcp_ctx *ctx;
	struct hpcp_p2p *p2p;
	struct hpcp_p2p_mpi mpi;   /* the transport's buffers and comm */
};

/* Rank 0: complete each row from the initiator's cells (the responder
 * learned nothing about its pair). */
static void mirror(double *matrix, int n)
{
	for (int i = 0; i < n; i++)
		for (int j = 0; j < i; j++)
			if (matrix[j * n + i] >= 0)
				matrix[i * n + j] = matrix[j * n + i];
}

/* Each leader measures its row of the matrices (p50 and p99 of each
 * pair's histogram); rank 0 gets all rows. */
static int node_matrix(struct pp_state *st, double *matrix, double *p99,
		       int *rounds_run, int *rounds)
{
	struct hpcp_ctx *ctx = st->ctx;
	const struct hpcp_config *cfg = &ctx->cfg;
	struct hpcp_hist *hist = &st->p2p->hist;
	int n = ctx->n_nodes, rc = 0;
	double *row;
	uint64_t iterations, warmup;

	*rounds_run = hpcp_rr_sample(n, (long long)cfg->max_pairs, rounds);
	if (ctx->leader_comm == MPI_COMM_NULL) {
		/* Non-leaders wait while the leaders measure. */
		hpcp_watch_waiting_on(HPCP_WATCH_IDLE);
		return 0;
	}
	row = malloc(2 * (size_t)n * sizeof(*row));
	if (!row)
		hpcp_die(71, "out of memory for the node matrix");
	for (int j = 0; j < 2 * n; j++)
		row[j] = -1;
	hpcp_probe_counts(cfg, &HPCP_COUNTS_LATENCY, MATRIX_BYTES, &iterations,
			  &warmup);
	/* A matrix cell is a median and a p99: a thousand samples pin them
	 * down (p99 needs 100), and the matrix costs rounds x iterations
	 * round trips. */
	if (!cfg->iterations_given)
		iterations = cfg->quick ? 200 : 1000;
	for (int k = 0; k < *rounds_run; k++) {
		int other = hpcp_rr_partner(n, rounds[k], ctx->node);
		int prc;

		/* Rounds stay apart, so pairs of different rounds never
		 * overlap in time.  Every leader joins every round's barrier,
		 * also after a failed pair, so the leaders stay in step. */
		hpcp_watch_waiting_on(HPCP_WATCH_ALL);
		hpcp_mpi_or_die(MPI_Barrier(ctx->leader_comm),
				"MPI_Barrier between node-matrix rounds");
		if (other < 0 || rc) {
			hpcp_watch_waiting_on(HPCP_WATCH_IDLE);
			continue;
		}
		prc = hpcp_p2p_mpi.ping(&st->mpi, ctx->hosts[other].leader,
					ctx->node < other, MATRIX_BYTES, warmup,
					iterations, hist, NULL);
		if (prc) {
			rc = prc;
		} else if (ctx->node < other) {
			row[other] =
				(double)hpcp_hist_quantile(hist, 0.50);
			/* Too few samples for a p99: left unmeasured. */
			if (hist->count >= hpcp_quantile_min_count(0.99))
				row[n + other] = (double)hpcp_hist_quantile(
					hist, 0.99);
		}
	}
	hpcp_mpi_or_die(MPI_Gather(row, n, MPI_DOUBLE, matrix, n, MPI_DOUBLE,
				   0, ctx->leader_comm),
			"MPI_Gather of the node matrix");
	hpcp_mpi_or_die(MPI_Gather(row + n, n, MPI_DOUBLE, p99, n, MPI_DOUBLE,
				   0, ctx->leader_comm),
			"MPI_Gather of the node p99 matrix");
	if (ctx->rank == 0) {
		mirror(matrix, n);
		mirror(p99, n);
	}
	free(row);
	return rc;
}

/* A matrix of integer nanoseconds; null on the diagonal and where not
 * measured.  Returns the number of measured pairs. */
static int report_cells(struct hpcp_res *m, const char *key, int n,
			const double *matrix)
{
	struct hpcp_res *rows = hpcp_res_array(m, key);
	int pairs = 0;

	for (int i = 0; i < n; i++) {
		struct hpcp_res *row = hpcp_res_array(rows, NULL);

		for (int j = 0; j < n; j++) {
			if (i != j && matrix[i * n + j] >= 0) {
				hpcp_res_int(row, NULL,
					     (int64_t)matrix[i * n + j]);
				pairs += i < j;
			} else {
				hpcp_res_null(row, NULL);
			}
		}
	}
	return pairs;
}

static void res_ns_or_null(struct hpcp_res *o, const char *key, double v)
{
	if (isfinite(v))
		hpcp_res_int(o, key, (int64_t)llround(v));
	else
		hpcp_res_null(o, key);
}

/* One statistic's fit: the model, each node's effect and best link. */
static void report_fit(struct hpcp_res *model, const char *stat,
		       const struct hpcp_outlier_fit *fit, int n,
		       const double *effect, const double *excess)
{
	struct hpcp_res *o = hpcp_res_object(model, stat), *arr;

	hpcp_res_int(o, "nodes_count", fit->nodes);
	hpcp_res_int(o, "sweeps_count", fit->sweeps);
	if (fit->nodes == 0) {
		hpcp_res_str(o, "reason", "no measured pair");
		return;
	}
	res_ns_or_null(o, "typical_pair_latency_ns", fit->typical);
	res_ns_or_null(o, "effect_mad_ns", fit->mad);
	if (fit->threshold > 0)
		res_ns_or_null(o, "effect_threshold_ns", fit->threshold);
	else
		hpcp_res_null(o, "effect_threshold_ns");
	arr = hpcp_res_array(o, "node_effect_ns");
	for (int h = 0; h < n; h++)
		res_ns_or_null(arr, NULL, effect[h]);
	arr = hpcp_res_array(o, "best_link_excess_ns");
	for (int h = 0; h < n; h++)
		res_ns_or_null(arr, NULL, excess[h]);
}

static void report_matrix(struct hpcp_res *out, const struct hpcp_ctx *ctx,
			  const double *matrix, const double *p99,
			  int rounds_run, const struct hpcp_hostload_result *load)
{
	struct hpcp_res *m = hpcp_res_object(out, "node_matrix");
	struct hpcp_res *arr, *model, *details;
	int n = ctx->n_nodes, total = hpcp_rr_rounds(n), pairs;
	size_t nn = (size_t)(n > 0 ? n : 1);
	double *med = malloc(nn * sizeof(*med));
	double *effect = malloc(2 * nn * sizeof(*effect));
	double *excess = malloc(2 * nn * sizeof(*excess));
	int *flag = malloc(2 * nn * sizeof(*flag));
	const char *stat[2] = { "p50", "p99" };
	struct hpcp_outlier_fit fit[2];
	double center = 0;

	hpcp_res_int(m, "message_bytes", MATRIX_BYTES);
	hpcp_res_str(m, "statistic", "p50 of half the round trip");
	hpcp_res_str(m, "schedule",
		     "round-robin over node leaders: disjoint pairs per round");
	arr = hpcp_res_array(m, "hosts");
	for (int h = 0; h < n; h++)
		hpcp_res_str(arr, NULL, ctx->hosts[h].name);
	pairs = report_cells(m, "p50_latency_ns", n, matrix);
	report_cells(m, "p99_latency_ns", n, p99);
	hpcp_res_int(m, "rounds_count", rounds_run);
	hpcp_res_int(m, "pairs_count", pairs);
	hpcp_res_bool(m, "sampled", rounds_run < total);
	if (n < 2)
		hpcp_res_str(m, "reason",
			     "one host: no inter-node pairs to measure");
	if (rounds_run < total) {
		char note[160];

		snprintf(note, sizeof(note),
			 "--max-pairs %llu: %d of %d rounds measured",
			 (unsigned long long)ctx->cfg.max_pairs, rounds_run,
			 total);
		hpcp_res_str(m, "sampling", note);
	}
	/* Another process's time slices show up as slow links: say so
	 * rather than present them as a finding. */
	hpcp_hostload_report_noisy(m, ctx, load,
				   "a kernel's CPUs during the matrix",
				   "links include waits for a time slice, "
				   "outliers are not a finding");
	arr = hpcp_res_array(m, "outliers");
	if (!med || !effect || !excess || !flag ||
	    hpcp_node_medians(n, matrix, med, &center) < 0 ||
	    hpcp_outliers_fit(n, matrix, effect, excess, flag, &fit[0]) < 0 ||
	    hpcp_outliers_fit(n, p99, effect + n, excess + n, flag + n,
			      &fit[1]) < 0) {
		hpcp_res_str(m, "outliers_reason",
			     "out of memory for the outlier rule");
		goto out;
	}
	/* A host flagged by either statistic, once, in host order. */
	for (int h = 0; h < n; h++)
		if (flag[h] || flag[n + h])
			hpcp_res_str(arr, NULL, ctx->hosts[h].name);
	details = hpcp_res_array(m, "outlier_details");
	for (int s = 0; s < 2; s++)
		for (int h = 0; h < n; h++) {
			struct hpcp_res *d;

			if (!flag[s * n + h])
				continue;
			d = hpcp_res_object(details, NULL);
			hpcp_res_str(d, "host", ctx->hosts[h].name);
			hpcp_res_str(d, "statistic", stat[s]);
			res_ns_or_null(d, "node_effect_ns", effect[s * n + h]);
			res_ns_or_null(d, "best_link_excess_ns",
				       excess[s * n + h]);
			res_ns_or_null(d, "effect_threshold_ns",
				       fit[s].threshold);
		}
	if (fit[0].nodes == 2)
		hpcp_res_str(m, "outliers_reason",
			     "2 nodes: one pair cannot tell which end is slow");
	else if (n >= 2 && fit[0].nodes < 3)
		hpcp_res_str(m, "outliers_reason",
			     "fewer than 3 nodes measured");
	arr = hpcp_res_array(m, "node_median_latency_ns");
	for (int h = 0; h < n; h++)
		res_ns_or_null(arr, NULL, med[h] >= 0 ? med[h] : NAN);
	if (center > 0)
		hpcp_res_int(m, "cluster_median_latency_ns",
			     (int64_t)llround(center));
	else
		hpcp_res_null(m, "cluster_median_latency_ns");
	/* Kept for readers of 1.0: where the rule's threshold sits on the
	 * latency scale of a node's link to a typical peer. */
	if (fit[0].threshold > 0)
		hpcp_res_int(m, "outlier_threshold_ns",
			     (int64_t)llround(fit[0].typical +
					      fit[0].threshold));
	else
		hpcp_res_null(m, "outlier_threshold_ns");
	model = hpcp_res_object(m, "outlier_model");
	hpcp_res_str(model, "model",
		     "latency(i, j) = mu + a_i + a_j, fitted by median polish "
		     "over the measured pairs; node effect = a_i - median(a)");
	for (int s = 0; s < 2; s++)
		report_fit(model, stat[s], &fit[s], n, effect + s * n,
			   excess + s * n);
	{
		char rule[400];

		snprintf(rule, sizeof(rule),
			 "on the p50 and on the p99 matrix: node effect > "
			 "max(%.1f x 1.4826 x MAD of the effects, %.0f %% of a "
			 "typical pair's latency) and, on every measured link, "
			 "latency - (mu + median(a) + a_peer) above the same "
			 "threshold (so a group of nodes fast to each other is "
			 "never flagged); needs >= 3 nodes",
			 HPCP_OUTLIER_K, HPCP_OUTLIER_FLOOR * 100);
		hpcp_res_str(m, "outlier_rule", rule);
	}
out:
	free(med);
	free(effect);
	free(excess);
	free(flag);
}

static void report_provenance(struct hpcp_res *out)
{
	struct hpcp_mpi_components c;
	struct hpcp_res *mpi = hpcp_res_object(out, "mpi_components");
	const char *vars[] = { "OMPI_MCA_pml", "OMPI_MCA_btl", "OMPI_MCA_mtl",
			       "OMPI_MCA_mtl_ofi_provider_include",
			       "OMPI_MCA_mpi_yield_when_idle", "FI_PROVIDER",
			       NULL };
	struct hpcp_res *req;

	hpcp_mpi_components(&c);
	if (c.known) {
		hpcp_res_str(mpi, "pml", c.pml);
		hpcp_res_str(mpi, "mtl", c.mtl[0] ? c.mtl : NULL);
		hpcp_res_str(mpi, "btls_loaded", c.btls);
		hpcp_res_str(mpi, "source", "component objects mapped on rank 0");
	} else {
		hpcp_res_null(mpi, "pml");
		hpcp_res_str(mpi, "reason", c.reason);
	}
	req = hpcp_res_object(mpi, "requested");
	for (int i = 0; vars[i]; i++) {
		const char *v = getenv(vars[i]);

		if (v)
			hpcp_res_str(req, vars[i], v);
	}
}

/* Buffer bytes this rank needs: 0 when it measures nothing. */
static uint64_t probe_bytes(const struct hpcp_ctx *ctx,
			    const struct hpcp_p2p *h, uint64_t max_bytes)
{
	if (hpcp_p2p_measures(h))
		return max_bytes;
	return ctx->leader_comm != MPI_COMM_NULL && ctx->n_nodes > 1 ?
		       MATRIX_BYTES :
		       0;
}

static int pingpong_run(struct hpcp_ctx *ctx, struct hpcp_res *out,
			char *why, size_t len)
{
	struct pp_state *st = calloc(1, sizeof(*st));
	double *matrix = NULL, *p99 = NULL;
	int *rounds = NULL;
	int rc, rounds_run = 0;
	uint64_t max_bytes = 0, buf_bytes = 0;
	struct hpcp_hostload load;
	struct hpcp_hostload_result load_res;

	if (ctx->size < 2) {
		free(st);
		snprintf(why, len, "needs at least 2 ranks");
		return -ENOTSUP;
	}
	rc = st ? 0 : -ENOMEM;
	if (st) {
		st->ctx = ctx;
		st->mpi.comm = ctx->comm;
		st->p2p = hpcp_p2p_new(ctx, 0, MAX_BYTES);
		if (st->p2p)
			max_bytes = hpcp_p2p_max_bytes(st->p2p);
		if (max_bytes < MATRIX_BYTES)
			max_bytes = MATRIX_BYTES;
		rounds = calloc((size_t)ctx->n_nodes + 1, sizeof(*rounds));
		if (ctx->rank == 0) {
			matrix = calloc((size_t)ctx->n_nodes * ctx->n_nodes,
					sizeof(*matrix));
			p99 = calloc((size_t)ctx->n_nodes * ctx->n_nodes,
				     sizeof(*p99));
		}
		if (!st->p2p || !rounds ||
		    (ctx->rank == 0 && (!matrix || !p99)))
			rc = -ENOMEM;
		/* Buffers only where they are used: the ranks of a measured
		 * pair (every size), else the node leaders (the matrix). */
		buf_bytes = rc ? 0 : probe_bytes(ctx, st->p2p, max_bytes);
		if (buf_bytes) {
			st->mpi.sbuf = hpcp_probe_alloc(buf_bytes);
			st->mpi.rbuf = hpcp_probe_alloc(buf_bytes);
			if (!st->mpi.sbuf || !st->mpi.rbuf)
				rc = -ENOMEM;
		}
	}
	rc = hpcp_ctx_agree(ctx, rc);
	if (rc) {
		snprintf(why, len, "out of memory for %llu-byte buffers",
			 (unsigned long long)max_bytes);
		goto out;
	}

	if (out) {
		hpcp_res_str(out, "latency_definition",
			     "half the round trip of MPI_Send + MPI_Recv; "
			     "CLOCK_MONOTONIC read once per iteration, so each "
			     "sample runs from the end of one round trip to the "
			     "end of the next (one clock read included, see "
			     "context.timer_overhead_ns) and the samples add up "
			     "to the whole loop");
		hpcp_res_str(out, "bandwidth_definition",
			     "bytes x 64 x windows / time, windows of 64 "
			     "MPI_Isend and a 4-byte ack (osu_bw)");
		if (st->p2p->dropped)
			hpcp_res_int(out, "sizes_dropped_count",
				     st->p2p->dropped);
		report_provenance(out);
	}
	rc = hpcp_ctx_agree(ctx, hpcp_hostload_begin(ctx, &load));
	if (rc) {
		snprintf(why, len, "MPI error before the ping-pong pairs");
		goto out;
	}
	rc = hpcp_p2p_run(st->p2p, &hpcp_p2p_mpi, &st->mpi,
			  hpcp_res_array(out, "pairs"), why, len);
	if (rc)
		goto out;
	rc = hpcp_hostload_end(ctx, &load, &load_res);
	if (rc == 0)
		rc = hpcp_hostload_begin(ctx, &load);
	rc = hpcp_ctx_agree(ctx, rc);
	if (rc) {
		snprintf(why, len, "MPI error after the ping-pong pairs");
		goto out;
	}
	if (out)
		hpcp_hostload_report(out, ctx, &load_res);
	rc = node_matrix(st, matrix, p99, &rounds_run, rounds);
	if (rc == 0)
		rc = hpcp_hostload_end(ctx, &load, &load_res);
	rc = hpcp_ctx_agree(ctx, rc);
	if (rc) {
		snprintf(why, len, "MPI error measuring the node matrix");
		goto out;
	}
	if (out)
		report_matrix(out, ctx, matrix, p99, rounds_run, &load_res);
out:
	if (st) {
		hpcp_p2p_free(st->p2p);
		free(st->mpi.sbuf);
		free(st->mpi.rbuf);
	}
	free(st);
	free(rounds);
	free(matrix);
	free(p99);
	return rc;
}

const struct hpcp_phase hpcp_phase_pingpong = {
	.name = "pingpong",
	.summary = "MPI ping-pong latency distributions and bandwidth per "
		   "size, intra- and inter-node; all-pairs node matrix",
	.run = pingpong_run,
	.metrics = &phase_metrics,
};

#endif /* !HPCP_METRICS_ONLY */
