/*
 * compute: the reporting of its results (compute.c runs the phase).  Each
 * rank sums up its rounds (hpcp_compute_round_summary) and the round rates
 * are combined per node and job; then rank 0 turns the gathered per-rank
 * records into the phase's result node:
 * per-rank and per-node rates, counters, interference, the POP metrics and
 * the robust load balance with its expected value.
 */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "compute_int.h"

static double best_of(const double *v, int n)
{
	double best = 0;

	for (int i = 0; i < n; i++)
		best = v[i] > best ? v[i] : best;
	return best;
}

void hpcp_compute_combine_rates(struct comp_state *st, int rounds)
{
	struct hpcp_ctx *ctx = st->ctx;
	double node_best;

	hpcp_mpi_or_die(MPI_Reduce(st->round_rate, st->round_sum, rounds,
				   MPI_DOUBLE, MPI_SUM, 0, ctx->node_comm),
			"MPI_Reduce of a node's round rates");
	node_best = best_of(st->round_sum, rounds);
	if (ctx->leader_comm != MPI_COMM_NULL)
		hpcp_mpi_or_die(MPI_Gather(&node_best, 1, MPI_DOUBLE,
					   st->node_best, 1, MPI_DOUBLE, 0,
					   ctx->leader_comm),
				"MPI_Gather of the node rates");
	hpcp_mpi_or_die(MPI_Reduce(st->round_rate, st->round_sum, rounds,
				   MPI_DOUBLE, MPI_SUM, 0, ctx->comm),
			"MPI_Reduce of the job's round rates");
	st->total_best = best_of(st->round_sum, rounds);
}

void hpcp_compute_round_summary(struct comp_state *st, int rounds)
{
	struct rank_rec *rec = &st->mine;
	int n = 0;

	for (int r = 0; r < rounds; r++) {
		unsigned why = st->round_why[r];

		if (!why) {
			st->scratch[n++] = st->round_useful[r];
			continue;
		}
		rec->disturbed++;
		rec->by_cpu += !!(why & HPCP_DISTURB_CPU);
		rec->by_runq += !!(why & HPCP_DISTURB_RUNQ);
		rec->by_steal += !!(why & HPCP_DISTURB_STEAL);
	}
	rec->undisturbed = n;
	if (hpcp_round_stats(st->scratch, n, &rec->med_s, &rec->q1_s,
			     &rec->q3_s) != 0)
		rec->med_s = rec->q1_s = rec->q3_s = 0;
	rec->min_s = n > 0 ? st->scratch[0] : 0;   /* sorted above */
	n = 0;
	for (int r = 0; r < rounds; r++)
		if (!st->round_why[r])
			st->scratch[n++] = st->round_ref[r];
	{
		double q1, q3;

		if (hpcp_round_stats(st->scratch, n, &rec->ref_s, &q1, &q3))
			rec->ref_s = 0;
	}
}

void hpcp_compute_report_pop(struct hpcp_res *out,
			     const struct hpcp_ctx *ctx,
			     const struct hpcp_pop *m)
{
	struct hpcp_res *lb = hpcp_res_object(out, "load_balance");

	hpcp_res_str(lb, "model", HPCP_POP_MODEL);
	hpcp_res_str(lb, "ideal_network_method", HPCP_POP_IDEAL_METHOD);
	if (!m->valid) {
		const char *keys[] = {
			"load_balance_ratio", "load_balance_in_node_ratio",
			"load_balance_between_nodes_ratio",
			"communication_efficiency_ratio",
			"serialization_efficiency_ratio",
			"transfer_efficiency_ratio", "parallel_efficiency_ratio",
			NULL
		};

		for (int i = 0; keys[i]; i++)
			hpcp_res_null(lb, keys[i]);
		hpcp_res_str(lb, "reason", "no useful time was measured");
		return;
	}
	hpcp_res_double(lb, "load_balance_ratio", m->load_balance);
	hpcp_res_double(lb, "load_balance_in_node_ratio",
			m->load_balance_in_node);
	hpcp_res_double(lb, "load_balance_between_nodes_ratio",
			m->load_balance_between_nodes);
	hpcp_res_double(lb, "communication_efficiency_ratio",
			m->communication_efficiency);
	hpcp_res_double(lb, "serialization_efficiency_ratio",
			m->serialization_efficiency);
	hpcp_res_double(lb, "transfer_efficiency_ratio",
			m->transfer_efficiency);
	hpcp_res_double(lb, "parallel_efficiency_ratio",
			m->parallel_efficiency);
	hpcp_res_int(lb, "runtime_ns", llround(m->runtime_s * 1e9));
	hpcp_res_int(lb, "ideal_runtime_ns", llround(m->ideal_runtime_s * 1e9));
	hpcp_res_int(lb, "avg_useful_ns", llround(m->avg_useful_s * 1e9));
	hpcp_res_int(lb, "max_useful_ns", llround(m->max_useful_s * 1e9));
	hpcp_res_double(lb, "useful_time_cov", m->cov);
	hpcp_res_int(lb, "slowest_rank", m->slowest_rank);
	hpcp_res_str(lb, "slowest_host",
		     ctx->hosts[ctx->ranks[m->slowest_rank].node].name);
}


static void report_counters(struct hpcp_res *rank, const struct rank_rec *r)
{
	struct hpcp_res *c = hpcp_res_object(rank, "counters");
	double ipc, flops;

	hpcp_counters_derive(&r->cv, r->useful_s, &ipc, &flops);
	if (r->cv.have_instructions)
		hpcp_res_int(c, "instructions_count", r->cv.instructions);
	if (r->cv.have_cycles)
		hpcp_res_int(c, "cycles_count", r->cv.cycles);
	if (r->cv.have_fp_ops)
		hpcp_res_int(c, "fp_ops_count", r->cv.fp_ops);
	if (ipc >= 0)
		hpcp_res_double(c, "instructions_per_cycle", ipc);
	if (flops >= 0)
		hpcp_res_double(c, "counted_flops_per_s", flops);
	if (r->cv.have_task_clock)
		hpcp_res_int(c, "task_clock_ns", r->cv.task_clock_ns);
}


void hpcp_compute_report_robust(struct hpcp_res *out,
				const struct hpcp_ctx *ctx,
				const struct hpcp_lb_robust *m, int rounds,
				const int *disturbed)
{
	struct hpcp_res *o = hpcp_res_object(out, "load_balance_robust");

	if (m->valid) {
		hpcp_res_double(o, "load_balance_ratio", m->load_balance);
		hpcp_res_double(o, "load_balance_low_ratio", m->low);
		hpcp_res_double(o, "load_balance_high_ratio", m->high);
		hpcp_res_int(o, "slowest_rank", m->slowest_rank);
		hpcp_res_str(o, "slowest_host",
			     ctx->hosts[ctx->ranks[m->slowest_rank].node].name);
	} else {
		hpcp_res_null(o, "load_balance_ratio");
		hpcp_res_null(o, "load_balance_low_ratio");
		hpcp_res_null(o, "load_balance_high_ratio");
	}
	hpcp_res_bool(o, "noisy", m->noisy);
	if (m->noisy)
		hpcp_res_str(o, "noisy_reason", m->noisy_reason);
	if (disturbed) {
		struct hpcp_res *d;

		hpcp_res_int(o, "rounds_count", rounds);
		d = hpcp_res_array(o, "disturbed_rounds_count");
		for (int r = 0; r < ctx->size; r++)
			hpcp_res_int(d, NULL, disturbed[r]);
	}
	hpcp_res_str(o, "definition", HPCP_ROBUST_DEFINITION);
}


static void report_interference(struct hpcp_res *rank,
				const struct rank_rec *r)
{
	struct hpcp_res *o = hpcp_res_object(rank, "interference");

	hpcp_res_int(o, "undisturbed_rounds_count", r->undisturbed);
	hpcp_res_int(o, "disturbed_rounds_count", r->disturbed);
	hpcp_res_int(o, "cpu_short_rounds_count", r->by_cpu);
	hpcp_res_int(o, "run_queue_rounds_count", r->by_runq);
	hpcp_res_int(o, "steal_rounds_count", r->by_steal);
	hpcp_res_int(o, "run_queue_delay_ns", llround(r->runq_s * 1e9));
	if (r->undisturbed > 0) {
		hpcp_res_int(o, "round_median_ns", llround(r->med_s * 1e9));
		hpcp_res_int(o, "round_q1_ns", llround(r->q1_s * 1e9));
		hpcp_res_int(o, "round_q3_ns", llround(r->q3_s * 1e9));
		hpcp_res_int(o, "round_min_ns", llround(r->min_s * 1e9));
		hpcp_res_int(o, "reference_median_ns", llround(r->ref_s * 1e9));
	} else {
		hpcp_res_null(o, "round_median_ns");
		hpcp_res_null(o, "round_q1_ns");
		hpcp_res_null(o, "round_q3_ns");
		hpcp_res_null(o, "round_min_ns");
		hpcp_res_null(o, "reference_median_ns");
		hpcp_res_str(o, "reason", "every round was disturbed");
	}
}


/* Robust LB of one kernel, its expected value from the work done, and
 * the per-rank robust times added to the phase's. */
static void kernel_robust(struct comp_state *st, const struct hpcp_kernel *k,
			  struct hpcp_res *kr, int rounds)
{
	const struct hpcp_ctx *ctx = st->ctx;
	struct hpcp_lb_robust m;

	for (int r = 0; r < ctx->size; r++) {
		st->r_med[r] = st->all[r].med_s;
		st->r_lo[r] = st->all[r].q1_s;
		st->r_hi[r] = st->all[r].q3_s;
		st->r_und[r] = st->all[r].undisturbed;
		st->r_dist[r] = st->all[r].disturbed;
		st->ph_dist[r] += st->all[r].disturbed;
		st->r_work[r] = st->all[r].work;
		st->r_wait[r] = st->all[r].useful_s > 0 ?
					st->all[r].runq_s / st->all[r].useful_s :
					0;
		st->ph_med[r] += st->all[r].med_s * rounds;
		st->ph_lo[r] += st->all[r].q1_s * rounds;
		st->ph_hi[r] += st->all[r].q3_s * rounds;
	}
	hpcp_lb_robust(st->r_med, st->r_lo, st->r_hi, st->r_und, st->r_wait,
		       ctx->size, rounds, &m);
	for (int r = 0; r < ctx->size; r++)
		st->r_ref[r] = st->all[r].ref_s;
	{
		int host = 0, fast = 0, slow = 0;
		double sp = hpcp_speed_spread(st->r_ref, st->node, ctx->size,
					      ctx->n_nodes, &host, &fast,
					      &slow);

		if (sp > HPCP_ROBUST_MAX_SPEED_SPREAD && !m.noisy) {
			m.noisy = 1;
			snprintf(m.noisy_reason, sizeof(m.noisy_reason),
				 "ranks %d and %d of %.64s ran the same reference "
				 "work %.0f %% apart in speed (%.1f and %.1f "
				 "us): the host's cores were not equally fast",
				 fast, slow, ctx->hosts[host].name, 100 * sp,
				 st->r_ref[fast] * 1e6, st->r_ref[slow] * 1e6);
		}
	}
	/* Timed against its own work: a rank's round in its own references
	 * per unit of its work must match the others', or something other
	 * than the work (a neighbour on shared resources, a clock change
	 * within a round) set the round times.  Seen once: robust LB 0.888
	 * for 0.833, nothing flagged. */
	if (k->reference && !m.noisy) {
		double lo = 0, hi = 0;
		int rlo = -1, rhi = -1;

		for (int r = 0; r < ctx->size; r++) {
			const struct rank_rec *a = &st->all[r];
			double per;

			if (!(a->ref_s > 0) || !(a->work > 0) || !(a->med_s > 0))
				continue;
			per = a->med_s / a->ref_s / a->work;
			if (rlo < 0 || per < lo) {
				lo = per;
				rlo = r;
			}
			if (rhi < 0 || per > hi) {
				hi = per;
				rhi = r;
			}
		}
		if (rlo >= 0 && hi > lo * (1 + HPCP_ROBUST_MAX_WORK_SPREAD)) {
			m.noisy = 1;
			snprintf(m.noisy_reason, sizeof(m.noisy_reason),
				 "rank %d's rounds took %.0f %% longer than "
				 "rank %d's for the same work, each against "
				 "its own reference: something other than the "
				 "work set the round times", rhi,
				 100 * (hi / lo - 1), rlo);
		}
	}
	hpcp_res_str(kr, "reference_definition",
		     k->reference_definition ? k->reference_definition :
					       "a fixed loop of multiply-adds "
					       "in L1");
	hpcp_compute_report_robust(kr, ctx, &m, rounds, st->r_dist);
	st->ph_rounds += rounds;
	st->any_invalid |= !m.valid;
	if (m.noisy) {
		size_t used = strlen(st->noisy_kernels);

		snprintf(st->noisy_kernels + used,
			 sizeof(st->noisy_kernels) - used, "%s%s (%s)",
			 used ? "; " : "", k->name, m.noisy_reason);
		st->any_noisy = 1;
	}
	if (k->no_expected_lb) {
		hpcp_res_null(kr, "expected_load_balance_ratio");
		hpcp_res_str(kr, "expected_load_balance_reason",
			     k->no_expected_lb);
	} else {
		double e = hpcp_lb_expected(st->r_work, ctx->size);

		if (e >= 0)
			hpcp_res_double(kr, "expected_load_balance_ratio", e);
		else
			hpcp_res_null(kr, "expected_load_balance_ratio");
		hpcp_res_str(kr, "expected_load_balance_definition",
			     "avg/max of the work each rank did (whole "
			     "calls, rows), the load balance on ranks of "
			     "equal speed");
	}
}


void hpcp_compute_report_kernel(struct comp_state *st,
				const struct hpcp_kernel *k,
				struct hpcp_res *kr, int rounds, int verified)
{
	struct hpcp_ctx *ctx = st->ctx;
	char rate_key[48], best_key[48], total_key[48], job_key[48];
	double job_work = 0, job_span = 0;
	struct hpcp_res *ranks, *nodes;
	double runtime = 0, ideal = 0;
	struct hpcp_pop m;

	snprintf(rate_key, sizeof(rate_key), "%s_per_s", k->work_unit);
	snprintf(best_key, sizeof(best_key), "best_%s_per_s", k->work_unit);
	snprintf(total_key, sizeof(total_key), "total_%s_per_s", k->work_unit);
	snprintf(job_key, sizeof(job_key), "job_%s_per_s", k->work_unit);
	for (int k2 = 0; k2 < rounds; k2++)
		ideal += st->round_max[k2];
	ranks = hpcp_res_array(kr, "per_rank");
	for (int r = 0; r < ctx->size; r++) {
		const struct rank_rec *rec = &st->all[r];
		struct hpcp_res *o = hpcp_res_object(ranks, NULL);

		st->useful[r] = rec->useful_s;
		st->phase_useful[r] += rec->useful_s;
		runtime = rec->wall_s > runtime ? rec->wall_s : runtime;
		hpcp_res_int(o, "rank", r);
		hpcp_res_str(o, "host", ctx->hosts[ctx->ranks[r].node].name);
		hpcp_res_double(o, "work_factor", rec->factor);
		hpcp_res_int(o, "useful_ns", llround(rec->useful_s * 1e9));
		hpcp_res_int(o, "mpi_ns", llround(rec->mpi_s * 1e9));
		hpcp_res_int(o, "wall_ns", llround(rec->wall_s * 1e9));
		hpcp_res_int(o, "cpu_ns", llround(rec->cpu_s * 1e9));
		hpcp_res_double(o, "work", rec->work);
		hpcp_res_double(o, rate_key, rec->useful_s > 0 ?
					     rec->work / rec->useful_s : 0);
		hpcp_res_double(o, best_key, rec->best_rate);
		if (strcmp(k->work_unit, "flops") == 0) {
			if (!st->peak.known)
				hpcp_res_null(o, "peak_fraction_ratio");
			else if (rec->best_rate <= st->peak.flops_per_s)
				hpcp_res_double(o, "peak_fraction_ratio",
						rec->best_rate /
							st->peak.flops_per_s);
			else
				hpcp_res_null(o, "peak_fraction_ratio");
		}
		report_counters(o, rec);
		report_interference(o, rec);
		job_work += rec->work;
		job_span = rec->span_s > job_span ? rec->span_s : job_span;
	}
	/* Memory bandwidth is a per-node resource: the node's ranks
	 * together, in their best round. */
	nodes = hpcp_res_array(kr, "per_node");
	for (int h = 0; h < ctx->n_nodes; h++) {
		struct hpcp_res *o = hpcp_res_object(nodes, NULL);

		hpcp_res_str(o, "host", ctx->hosts[h].name);
		hpcp_res_double(o, best_key, st->node_best[h]);
		hpcp_res_double(o, "work", st->node_work[h]);
		hpcp_res_int(o, "span_ns", llround(st->node_span[h] * 1e9));
		hpcp_res_double(o, rate_key, st->node_span[h] > 0 ?
					     st->node_work[h] /
						     st->node_span[h] : 0);
	}
	hpcp_res_double(kr, total_key, st->total_best);
	hpcp_res_double(kr, job_key, job_span > 0 ? job_work / job_span : 0);
	hpcp_res_int(kr, "job_span_ns", llround(job_span * 1e9));
	hpcp_res_str(kr, "rate_definition",
		     "per_node <unit>_per_s: the node's ranks' total work over "
		     "the node's wall span, first start (the barrier before "
		     "the rounds) to last compute end, on the node's one "
		     "monotonic clock; job_<unit>_per_s: all work over the "
		     "longest per-rank span from that barrier (clocks of "
		     "different hosts are not compared, the barrier aligns "
		     "the starts to within its exit skew); best_ and total_ "
		     "(deprecated) sum per-rank round rates of ranks whose "
		     "rounds need not overlap");
	hpcp_res_bool(kr, "verified", verified);
	if (strcmp(k->work_unit, "flops") == 0) {
		struct hpcp_res *pk = hpcp_res_object(kr, "peak");

		if (st->peak.known) {
			hpcp_res_double(pk, "per_core_flops_per_s",
					st->peak.flops_per_s);
			hpcp_res_str(pk, "method", st->peak.method);
			hpcp_res_str(pk, "note",
				     "peak_fraction_ratio is null where a rank "
				     "ran above this estimate (a faster clock "
				     "than assumed)");
		} else {
			hpcp_res_null(pk, "per_core_flops_per_s");
			hpcp_res_str(pk, "reason", st->peak.reason);
		}
	}
	hpcp_pop_compute(st->useful, st->node, ctx->size, ctx->n_nodes,
			 runtime, ideal, &m);
	hpcp_compute_report_pop(kr, ctx, &m);
	kernel_robust(st, k, kr, rounds);
	st->phase_runtime += runtime;
	st->phase_ideal += ideal;
}


void hpcp_compute_report_counter_status(struct hpcp_res *out,
					const struct hpcp_counters_status *s)
{
	struct hpcp_res *c = hpcp_res_object(out, "counters");
	struct hpcp_res *sw;

	hpcp_res_bool(c, "available", s->hw_available);
	if (!s->hw_available)
		hpcp_res_str(c, "reason", s->hw_reason);
	else
		hpcp_res_str(c, "events", s->hw_events);
	hpcp_res_str(c, "backend", s->backend);
	sw = hpcp_res_object(c, "software");
	hpcp_res_bool(sw, "available", s->sw_available);
	if (s->sw_available)
		hpcp_res_str(sw, "events", "perf::TASK-CLOCK");
	else
		hpcp_res_str(sw, "reason", s->sw_reason);
}

