/*
 * compute: real kernels (dgemm, triad, stencil) in bulk-synchronous rounds,
 * with per-rank useful, MPI, wall and CPU time, hardware counters where the
 * machine has them, and the POP load-balance metrics per kernel and for the
 * whole phase.
 *
 * Method: every kernel runs on every rank at once, after a barrier.  Each
 * round is compute (timed as useful, counters around it) then communicate
 * (timed as MPI, ending in a global collective).  Runtime T is the slowest
 * rank's wall time; the ideal runtime is the sum over rounds of the
 * slowest rank's useful time (pop.h).  --imbalance F gives rank r of N the
 * work factor 1 + F r/(N - 1), so the nominal load balance is
 * (2 + F)/(2 + 2F); the work actually done is in whole units (calls, rows),
 * so each kernel's expected value is avg/max of that work.  Results are
 * checked after the timed rounds.
 *
 * Interference: around each round's compute, the thread's CPU clock,
 * run-queue delay and the host's steal time are read (interfere.h); a
 * round the thread did not fully run is disturbed.  Before each round's
 * compute every rank also times the same reference work (a fixed amount
 * of the kernel's own work, or a fixed loop), so ranks of one host whose
 * cores ran the kernel at different speeds are seen.  The raw POP
 * values use wall time as they always did; beside them a robust load
 * balance from the undisturbed rounds, its interval and a noisy verdict
 * (pop.h).
 *
 * This file runs the phase; compute_report.c turns the gathered records
 * into its results (compute_int.h between them).
 */
#include "config.h"

/* What the phase measures (hpcp/metrics.h): all of this file that the
 * report tool compiles (HPCP_METRICS_ONLY: no MPI). */
#include "hpcp/metrics.h"

/* The POP efficiencies, one Prometheus family told apart by "metric". */
#define POP_LABELS(metric)                                                   \
	((const struct hpcp_metric_label[]){                                 \
		{ .name = "kernel", .value = "all", .prom = "kernel" },      \
		{ .name = "metric", .value = (metric), .prom = "metric" },   \
		{ 0 } })
#define POP_FAMILY                                                           \
	.prom = "hpcprobe_compute_efficiency_ratio",                        \
	.prom_help = "POP efficiencies (0-1) of the last run.",             \
	.prom_scale = 1

static const struct hpcp_metric_label rate_labels[] = {
	{ .name = "kernel", .level = 0, .prom = "kernel" },
	{ .name = "unit", .level = 0, .path = "work_unit", .prom = "unit" },
	{ .name = "host", .level = 1, .path = "host", .prom = "host" },
	{ 0 },
};

static const struct hpcp_metric_label kernel_labels[] = {
	{ .name = "kernel", .level = 0 },
	{ 0 },
};

static const struct hpcp_metric compute_metrics[] = {
	/* The robust load balance, unless the host was too busy to measure
	 * it (it would raise false alarms). */
	{
		.each = "", .path = "load_balance_robust/load_balance_ratio",
		.unit = "ratio", .kind = HPCP_METRIC_RATIO,
		.better = HPCP_BETTER_HIGHER,
		.noisy = "load_balance_robust/noisy", .noisy_drops = 1,
		.gate = "compute.robust_load_balance_ratio",
	},
	/* The raw one: gated only from documents that predate the robust
	 * value (schema < 1.1). */
	{
		.each = "", .path = "load_balance/load_balance_ratio",
		.unit = "ratio", .kind = HPCP_METRIC_RATIO,
		.better = HPCP_BETTER_HIGHER,
		.labels = POP_LABELS("load_balance"),
		.gate = "compute.{key}", .gate_unless = "load_balance_robust",
		.emf = "LoadBalance", .emf_unit = "Percent", .emf_scale = 100,
		POP_FAMILY,
	},
	{
		.each = "", .path = "load_balance/parallel_efficiency_ratio",
		.unit = "ratio", .kind = HPCP_METRIC_RATIO,
		.better = HPCP_BETTER_HIGHER,
		.labels = POP_LABELS("parallel_efficiency"),
		/* Wall time: on a host too busy for the robust load balance
		 * it is shown, not judged. */
		.noisy = "load_balance_robust/noisy", .noisy_drops = 0,
		.gate = "compute.{key}",
		.emf = "ParallelEfficiency", .emf_unit = "Percent",
		.emf_scale = 100,
		POP_FAMILY,
	},
	{
		.each = "",
		.path = "load_balance/communication_efficiency_ratio",
		.unit = "ratio", .kind = HPCP_METRIC_RATIO,
		.better = HPCP_BETTER_HIGHER,
		.labels = POP_LABELS("communication_efficiency"),
		.emf = "CommunicationEfficiency", .emf_unit = "Percent",
		.emf_scale = 100,
		POP_FAMILY,
	},
	{
		.each = "",
		.path = "load_balance/serialization_efficiency_ratio",
		.unit = "ratio", .kind = HPCP_METRIC_RATIO,
		.better = HPCP_BETTER_HIGHER,
		.labels = POP_LABELS("serialization_efficiency"),
		POP_FAMILY,
	},
	{
		.each = "", .path = "load_balance/transfer_efficiency_ratio",
		.unit = "ratio", .kind = HPCP_METRIC_RATIO,
		.better = HPCP_BETTER_HIGHER,
		.labels = POP_LABELS("transfer_efficiency"),
		POP_FAMILY,
	},
	/* Work over the wall span (the deprecated sum of per-rank round
	 * rates, which overstates an imbalanced job, only from older
	 * documents). */
	{
		.each = "", .path = "kernels/dgemm/job_flops_per_s",
		.path_alt = "kernels/dgemm/total_flops_per_s",
		.unit = "flops/s", .kind = HPCP_METRIC_RATE,
		.better = HPCP_BETTER_HIGHER,
		.emf = "DgemmGflops", .emf_unit = "Count/Second",
		.emf_scale = 1e-9,
	},
	{
		.each = "", .path = "kernels/triad/job_bytes_per_s",
		.path_alt = "kernels/triad/total_bytes_per_s",
		.unit = "bytes/s", .kind = HPCP_METRIC_RATE,
		.better = HPCP_BETTER_HIGHER,
		.emf = "TriadBandwidth", .emf_unit = "Bytes/Second",
		.emf_scale = 1,
	},
	/* Work over the wall span; the deprecated sum of per-rank round
	 * rates only from older documents. */
	{
		.each = "kernels/*", .path = "job_{work_unit}_per_s",
		.path_alt = "total_{work_unit}_per_s", .unit = "work/s",
		.kind = HPCP_METRIC_RATE, .better = HPCP_BETTER_HIGHER,
		.labels = kernel_labels, .gate = "compute.{kernel}.{key}",
	},
	{
		.each = "kernels/*/per_node/[]",
		.path = "{work_unit}_per_s",
		.path_alt = "best_{work_unit}_per_s", .unit = "work/s",
		.kind = HPCP_METRIC_RATE, .better = HPCP_BETTER_HIGHER,
		.labels = rate_labels,
		.prom = "hpcprobe_compute_rate_per_second",
		.prom_help = "Kernel work per second per host: the host's "
			     "ranks' work over its wall span (flops, bytes or "
			     "cells).",
		.prom_scale = 1,
	},
};

HPCP_PHASE_METRICS(compute, compute_metrics);

#ifndef HPCP_METRICS_ONLY

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "hpcp/log.h"
#include "hpcp/opt.h"
#include "hpcp/phase.h"
#include "hpcp/timer.h"
#include "hpcp/watch.h"

#include "compute_int.h"

/* The reference of a kernel without its own (kernel.h): the same fixed
 * work on every rank before each round's compute (a few tens of us, in
 * L1).  A vCPU slowed by what the guest cannot see (another tenant on
 * the physical core, the host's clocks) runs it slower; ranks of one host
 * that run it at different speeds make the load balance a property of
 * the host, not of the work. */
#define REF_ITERS 2000

/* This phase's options (phase.h), parsed with the global ones. */
struct compute_opts {
	double imbalance;   /* extra work factor of the last rank, 0..10 */
};

static const struct compute_opts compute_defaults = { .imbalance = 0 };

static const struct hpcp_opt compute_options[] = {
	{ .long_name = "imbalance", .kind = HPCP_OPT_REAL, .metavar = "F",
	  .help = "rank r of N does 1 + F r/(N-1) times the base work "
		  "(expected load balance (2+F)/(2+2F))",
	  .default_text = "0", .real_min = 0, .real_max = 10,
	  .value_offset = offsetof(struct compute_opts, imbalance),
	  .given_offset = HPCP_OPT_NOT_TRACKED },
	{ .long_name = NULL },
};

extern const struct hpcp_phase hpcp_phase_compute;

static double imbalance(const struct hpcp_ctx *ctx)
{
	const struct compute_opts *o =
		hpcp_phase_opts(&ctx->cfg, &hpcp_phase_compute);

	return o ? o->imbalance : compute_defaults.imbalance;
}

static const struct hpcp_kernel *const kernels[] = {
	&hpcp_kernel_dgemm,
	&hpcp_kernel_triad,
	&hpcp_kernel_stencil,
	NULL,
};

static double cpu_seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static double reference_work(double *v)
{
	for (int it = 0; it < REF_ITERS; it++)
		for (int j = 0; j < REF_WIDTH; j++)
			v[j] = v[j] * 0.999999 + 1e-6;
	return v[0];
}

static double work_factor(const struct hpcp_ctx *ctx)
{
	if (ctx->size < 2)
		return 1.0;
	return 1.0 + imbalance(ctx) * ctx->rank / (ctx->size - 1);
}

/* Each host's last-level cache and memory, known on rank 0, for all. */
static void share_llc(struct comp_state *st)
{
	struct hpcp_ctx *ctx = st->ctx;
	uint64_t *llc = calloc(2 * (size_t)ctx->n_nodes, sizeof(*llc));

	if (!llc)
		hpcp_die(71, "out of memory sharing the cache sizes");
	for (int h = 0; ctx->rank == 0 && h < ctx->n_nodes; h++) {
		const struct hpcp_host_topo *t = &ctx->host_topo[h];
		int best = 0;

		for (int c = 0; c < t->n_caches; c++) {
			if (strcmp(t->caches[c].type, "instruction") == 0 ||
			    t->caches[c].level < best)
				continue;
			best = t->caches[c].level;
			llc[h] = t->caches[c].size_bytes *
				 (uint64_t)t->caches[c].count;
		}
		llc[ctx->n_nodes + h] = t->memory_bytes;
	}
	hpcp_mpi_or_die(MPI_Bcast(llc, 2 * ctx->n_nodes, MPI_UINT64_T, 0,
				  ctx->comm),
			"MPI_Bcast of the cache sizes");
	st->llc_bytes = llc[ctx->node];
	st->memory_bytes = llc[ctx->n_nodes + ctx->node];
	free(llc);
}

/* Timed rounds of one kernel on this rank. */
static int run_rounds(struct comp_state *st, const struct hpcp_kernel *k,
		      void *ks, int rounds)
{
	struct rank_rec *rec = &st->mine;
	double work = k->work_per_round(ks);
	double cpu0, cpu1;
	uint64_t start, end, last_compute = 0;

	hpcp_mpi_or_die(MPI_Barrier(st->ctx->comm),
			"MPI_Barrier before a kernel");
	cpu0 = cpu_seconds();
	start = hpcp_now_ns();
	hpcp_watch_waiting_on(HPCP_WATCH_ALL);
	for (int r = 0; r < rounds; r++) {
		struct hpcp_interfere_sample i0, i1;
		uint64_t r0, r1, t0, t1, t2;
		volatile double sink = 0;

		hpcp_watch_beat();
		/* The signals are read outside [t0, t1]: their cost is in
		 * neither useful nor (much) MPI time.  The reference runs
		 * outside the counters' window. */
		hpcp_interfere_begin(&st->ifr, &i0);
		r0 = hpcp_now_ns();
		if (k->reference)
			k->reference(ks);
		else
			sink = reference_work(st->ref_buf);
		r1 = hpcp_now_ns();
		if (st->counters)
			hpcp_counters_start(st->counters);
		t0 = hpcp_now_ns();
		k->compute(ks);
		t1 = hpcp_now_ns();
		if (st->counters)
			hpcp_counters_stop(st->counters, &rec->cv);
		hpcp_interfere_end(&st->ifr, &i1);
		(void)sink;
		/* A failed collective leaves the ranks out of step. */
		if (k->communicate(ks, st->ctx->comm) != 0)
			hpcp_die(70, "%s: the round's communication failed",
				 k->name);
		t2 = hpcp_now_ns();
		st->round_useful[r] = (double)(t1 - t0) / 1e9;
		st->round_ref[r] = (double)(r1 - r0) / 1e9;
		st->round_why[r] = hpcp_interfere_disturbed(t1 - r0, &i0, &i1);
		if (i1.runq_ns > i0.runq_ns)
			rec->runq_s += (double)(i1.runq_ns - i0.runq_ns) / 1e9;
		last_compute = t1;
		rec->useful_s += st->round_useful[r];
		rec->mpi_s += (double)(t2 - t1) / 1e9;
		st->round_rate[r] = t1 > t0 ? work / st->round_useful[r] : 0;
		if (st->round_rate[r] > rec->best_rate)
			rec->best_rate = st->round_rate[r];
	}
	end = hpcp_now_ns();
	cpu1 = cpu_seconds();
	rec->wall_s = (double)(end - start) / 1e9;
	rec->span_s = last_compute > start ?
			      (double)(last_compute - start) / 1e9 : 0;
	rec->cpu_s = cpu1 - cpu0;
	rec->work = work * rounds;
	hpcp_compute_round_summary(st, rounds);
	/* A host's ranks share one monotonic clock: the node's span is its
	 * first start to its last compute end. */
	{
		double mine[2] = { -(double)start, (double)last_compute };
		double span[2], node_work;

		hpcp_mpi_or_die(MPI_Reduce(mine, span, 2, MPI_DOUBLE, MPI_MAX,
					   0, st->ctx->node_comm),
				"MPI_Reduce of a node's span");
		hpcp_mpi_or_die(MPI_Reduce(&rec->work, &node_work, 1,
					   MPI_DOUBLE, MPI_SUM, 0,
					   st->ctx->node_comm),
				"MPI_Reduce of a node's work");
		span[0] = (span[1] + span[0]) / 1e9;
		if (st->ctx->leader_comm != MPI_COMM_NULL) {
			hpcp_mpi_or_die(MPI_Gather(&node_work, 1, MPI_DOUBLE,
						   st->node_work, 1,
						   MPI_DOUBLE, 0,
						   st->ctx->leader_comm),
					"MPI_Gather of the node work");
			hpcp_mpi_or_die(MPI_Gather(span, 1, MPI_DOUBLE,
						   st->node_span, 1,
						   MPI_DOUBLE, 0,
						   st->ctx->leader_comm),
					"MPI_Gather of the node spans");
		}
	}
	return 0;
}

static int run_kernel(struct comp_state *st, const struct hpcp_kernel *k,
		      struct hpcp_res *kernels_out, char *why, size_t len)
{
	struct hpcp_ctx *ctx = st->ctx;
	struct hpcp_kernel_args args = {
		.comm = ctx->comm, .rank = ctx->rank, .size = ctx->size,
		.factor = work_factor(ctx), .quick = ctx->cfg.quick,
		.llc_bytes = st->llc_bytes, .memory_bytes = st->memory_bytes,
		.ranks_on_host = ctx->node_size,
	};
	struct hpcp_res *kr = hpcp_res_object(kernels_out, k->name);
	char kwhy[256] = "";
	void *ks = NULL;
	int rc, rounds = 0, verified = 0;

	if (k->unavailable) {
		hpcp_res_str(kr, "status", "unavailable");
		hpcp_res_str(kr, "reason", k->unavailable);
		return 0;
	}
	rc = hpcp_ctx_agree(ctx, k->setup(&args, &ks, kwhy, sizeof(kwhy)));
	if (rc) {
		hpcp_res_str(kr, "status", rc == -ENOTSUP ? "unavailable" :
							     "failed");
		hpcp_res_str(kr, "reason", kwhy[0] ? kwhy : "setup failed");
		if (ks)
			k->teardown(ks);
		return rc == -ENOTSUP ? 0 : rc;
	}
	rounds = k->rounds(ks);
	if (rounds > MAX_ROUNDS)
		rounds = MAX_ROUNDS;
	memset(&st->mine, 0, sizeof(st->mine));
	st->mine.factor = args.factor;
	hpcp_log(HPCP_LOG_INFO, "compute: %s, %d rounds", k->name, rounds);
	rc = hpcp_ctx_agree(ctx, run_rounds(st, k, ks, rounds));
	if (rc == 0)
		rc = hpcp_ctx_agree(ctx, k->verify(ks, ctx->comm, &verified,
						   kwhy, sizeof(kwhy)));
	if (rc == 0) {
		hpcp_mpi_or_die(MPI_Gather(&st->mine, sizeof(st->mine), MPI_BYTE,
					   st->all, sizeof(st->mine), MPI_BYTE,
					   0, ctx->comm),
				"MPI_Gather of the per-rank records");
		hpcp_mpi_or_die(MPI_Reduce(st->round_useful, st->round_max,
					   rounds, MPI_DOUBLE, MPI_MAX, 0,
					   ctx->comm),
				"MPI_Reduce of the slowest round times");
		hpcp_compute_combine_rates(st, rounds);
	}
	if (rc == 0 && ctx->rank == 0) {
		hpcp_res_str(kr, "status", verified ? "ok" : "failed");
		if (!verified)
			hpcp_res_str(kr, "reason", kwhy);
		hpcp_res_str(kr, "work_unit", k->work_unit);
		k->describe(ks, kr);
		hpcp_compute_report_kernel(st, k, kr, rounds, verified);
	}
	k->teardown(ks);
	if (rc) {
		snprintf(why, len, "%s: MPI error during the rounds", k->name);
		return rc;
	}
	if (!verified) {
		snprintf(why, len, "%s: %s", k->name, kwhy);
		return -EBADMSG;
	}
	return 0;
}

static int compute_run(struct hpcp_ctx *ctx, struct hpcp_res *out, char *why,
		       size_t len)
{
	struct comp_state *st = calloc(1, sizeof(*st));
	struct hpcp_res *kout;
	int rc, first_error = 0;

	if (st) {
		st->ctx = ctx;
		st->ifr.schedstat_fd = st->ifr.stat_fd = -1;
		for (int j = 0; j < REF_WIDTH; j++)
			st->ref_buf[j] = 1.0 + j;
		st->useful = calloc((size_t)ctx->size, sizeof(double));
		st->phase_useful = calloc((size_t)ctx->size, sizeof(double));
		st->node = calloc((size_t)ctx->size, sizeof(int));
		if (ctx->rank == 0) {
			st->all = calloc((size_t)ctx->size, sizeof(*st->all));
			st->node_best = calloc((size_t)ctx->n_nodes,
					       sizeof(*st->node_best));
			st->node_work = calloc((size_t)ctx->n_nodes,
					       sizeof(double));
			st->node_span = calloc((size_t)ctx->n_nodes,
					       sizeof(double));
			st->r_med = calloc(9 * (size_t)ctx->size,
					   sizeof(double));
			st->r_und = calloc(3 * (size_t)ctx->size, sizeof(int));
		}
		if (st->r_und) {
			st->r_dist = st->r_und + ctx->size;
			st->ph_dist = st->r_dist + ctx->size;
		}
		if (st->r_med) {
			st->r_lo = st->r_med + ctx->size;
			st->r_hi = st->r_lo + ctx->size;
			st->r_work = st->r_hi + ctx->size;
			st->ph_med = st->r_work + ctx->size;
			st->ph_lo = st->ph_med + ctx->size;
			st->ph_hi = st->ph_lo + ctx->size;
			st->r_wait = st->ph_hi + ctx->size;
			st->r_ref = st->r_wait + ctx->size;
		}
	}
	rc = !st || !st->useful || !st->phase_useful || !st->node ||
			     (ctx->rank == 0 &&
			      (!st->all || !st->node_best || !st->node_work ||
			       !st->node_span || !st->r_med || !st->r_und)) ?
		     -ENOMEM : 0;
	rc = hpcp_ctx_agree(ctx, rc);
	if (rc) {
		snprintf(why, len, "out of memory");
		goto out;
	}
	share_llc(st);
	for (int r = 0; r < ctx->size; r++)
		st->node[r] = ctx->ranks[r].node;
	/* Counters are optional: their absence is recorded, never fatal. */
	if (hpcp_counters_open(&st->counters, &st->cstat) != 0)
		st->counters = NULL;
	hpcp_cpu_peak_read(HPCP_CPUINFO_PATH, HPCP_CPUFREQ_MAX_PATH, &st->peak);
	/* Missing sources read as "not disturbing": recorded, not fatal. */
	(void)hpcp_interfere_open(&st->ifr, &st->ifr_missing);

	hpcp_res_double(out, "imbalance_factor", imbalance(ctx));
	hpcp_res_double(out, "expected_load_balance_ratio",
			(2 + imbalance(ctx)) / (2 + 2 * imbalance(ctx)));
	hpcp_res_str(out, "time_definition",
		     "useful: the kernel's compute, per round; mpi: the round's "
		     "communication; wall: first round to last after a barrier; "
		     "cpu: the process's CPU time over the same span");
	hpcp_compute_report_counter_status(out, &st->cstat);
	{
		struct hpcp_res *i = hpcp_res_object(out, "interference");

		hpcp_res_bool(i, "run_queue_delay_available",
			      st->ifr.schedstat_fd >= 0);
		hpcp_res_bool(i, "steal_available", st->ifr.stat_fd >= 0);
		if (st->ifr_missing)
			hpcp_res_str(i, "reason", st->ifr_missing);
		hpcp_res_str(i, "disturbed_definition",
			     "a round is disturbed when, around its compute, "
			     "wall - the thread's CPU time > max(20 us, 1 % of "
			     "wall), or the thread's run-queue delay "
			     "(/proc/thread-self/schedstat) or the host's "
			     "steal time (/proc/stat) grew (rank 0's view of "
			     "which signals exist)");
	}
	kout = hpcp_res_object(out, "kernels");
	for (int i = 0; kernels[i]; i++) {
		char kwhy[256] = "";

		rc = run_kernel(st, kernels[i], kout, kwhy, sizeof(kwhy));
		if (rc && !first_error) {
			first_error = rc;
			snprintf(why, len, "%s", kwhy);
		}
		if (rc == -EIO)
			break;   /* MPI itself failed: no point going on */
	}
	rc = first_error;
	if (ctx->rank == 0) {
		struct hpcp_pop m;

		hpcp_pop_compute(st->phase_useful, st->node, ctx->size,
				 ctx->n_nodes, st->phase_runtime,
				 st->phase_ideal, &m);
		hpcp_compute_report_pop(out, ctx, &m);
		/* Always there: a rank without an undisturbed round (a
		 * busy host) makes it noisy with the reason, never absent. */
		if (ctx->size > 0) {
			struct hpcp_lb_robust r;

			hpcp_lb_robust(st->ph_med, st->ph_lo, st->ph_hi, NULL,
				       NULL, ctx->size, 1, &r);
			/* A kernel without a robust value would be counted
			 * as no time at all; a noisy kernel's reason comes
			 * first. */
			r.valid &= !st->any_invalid;
			if (st->any_noisy) {
				r.noisy = 1;
				snprintf(r.noisy_reason,
					 sizeof(r.noisy_reason),
					 "%s", st->noisy_kernels);
			}
			hpcp_compute_report_robust(out, ctx, &r,
						   st->ph_rounds, st->ph_dist);
		}
	}
out:
	if (st) {
		hpcp_counters_close(st->counters);
		hpcp_interfere_close(&st->ifr);
		free(st->node_work);
		free(st->node_span);
		free(st->r_med);
		free(st->r_und);
		free(st->useful);
		free(st->phase_useful);
		free(st->node);
		free(st->all);
		free(st->node_best);
	}
	free(st);
	return rc;
}

const struct hpcp_phase hpcp_phase_compute = {
	.name = "compute",
	.summary = "dgemm, STREAM-style triad and a halo-exchange stencil: "
		   "rates, counters, POP load balance",
	.run = compute_run,
	HPCP_PHASE_OPTIONS(compute_options, compute_defaults),
	.metrics = &phase_metrics,
};

#endif /* !HPCP_METRICS_ONLY */
