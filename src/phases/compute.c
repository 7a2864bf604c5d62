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
 * compute every rank also times the same fixed reference loop, so ranks
 * of one host whose cores ran at different speeds are seen.  The raw POP
 * values use wall time as they always did; beside them a robust load
 * balance from the undisturbed rounds, its interval and a noisy verdict
 * (pop.h).
 */
#include "config.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "hpcp/counters.h"
#include "hpcp/cpupeak.h"
#include "hpcp/ctx.h"
#include "hpcp/interfere.h"
#include "hpcp/kernel.h"
#include "hpcp/log.h"
#include "hpcp/phase.h"
#include "hpcp/pop.h"
#include "hpcp/report.h"
#include "hpcp/timer.h"
#include "hpcp/watch.h"

#define MAX_ROUNDS 256
/* The reference: the same fixed work on every rank before each round's
 * compute (a few tens of us, in L1).  A vCPU slowed by what the guest
 * cannot see (another tenant on the physical core, the host's clocks)
 * runs it slower; ranks of one host that run it at different speeds
 * make the load balance a property of the host, not of the work. */
#define REF_WIDTH 64
#define REF_ITERS 2000

static const struct hpcp_kernel *const kernels[] = {
	&hpcp_kernel_dgemm,
	&hpcp_kernel_triad,
	&hpcp_kernel_stencil,
	NULL,
};

/* One rank's account of one kernel; travels to rank 0 as MPI_BYTE. */
struct rank_rec {
	double factor;
	double useful_s, mpi_s, wall_s, cpu_s;
	double work, best_rate;
	/* Undisturbed round times: median and quartiles (s). */
	double med_s, q1_s, q3_s, min_s;
	double ref_s;                /* median reference time, undisturbed */
	double span_s;               /* barrier exit to the last compute end */
	double runq_s;               /* run-queue delay during compute */
	int undisturbed, disturbed, by_cpu, by_runq, by_steal;
	struct hpcp_counter_values cv;
};

struct comp_state {
	struct hpcp_ctx *ctx;
	struct hpcp_counters *counters;
	struct hpcp_counters_status cstat;
	uint64_t llc_bytes;          /* of this rank's host */
	uint64_t memory_bytes;
	double round_useful[MAX_ROUNDS], round_max[MAX_ROUNDS];
	unsigned round_why[MAX_ROUNDS];  /* HPCP_DISTURB_* of each round */
	double round_ref[MAX_ROUNDS];    /* the reference work's time */
	double ref_buf[REF_WIDTH];
	double scratch[MAX_ROUNDS];
	struct hpcp_interfere ifr;
	const char *ifr_missing;
	/* Node rates over the node's wall span (rank 0: [n_nodes]). */
	double *node_work, *node_span;
	/* Phase sums of the robust per-rank times (rank 0: [size] each). */
	double *ph_med, *ph_lo, *ph_hi;
	double *r_med, *r_lo, *r_hi, *r_work, *r_wait, *r_ref; /* rank 0 */
	int *r_und, *r_dist, *ph_dist, ph_rounds;
	int any_noisy, any_invalid;
	char noisy_kernels[HPCP_ROBUST_REASON_LEN];
	/* Rates of each round: the ranks run a round at once, so a node's
	 * (or the job's) rate is the best round of their sum, not the sum of
	 * each rank's best round. */
	double round_rate[MAX_ROUNDS], round_sum[MAX_ROUNDS];
	double *node_best;           /* rank 0: [n_nodes] */
	double total_best;
	struct rank_rec mine, *all;  /* all: rank 0 only */
	double *useful, *phase_useful;
	int *node;
	double phase_runtime, phase_ideal;
	struct hpcp_cpu_peak peak;
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
	return 1.0 + ctx->cfg.imbalance * ctx->rank / (ctx->size - 1);
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

static void report_pop(struct hpcp_res *out, const struct hpcp_ctx *ctx,
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

static void report_robust(struct hpcp_res *out, const struct hpcp_ctx *ctx,
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
	report_robust(kr, ctx, &m, rounds, st->r_dist);
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

static void report_kernel(struct comp_state *st, const struct hpcp_kernel *k,
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
	report_pop(kr, ctx, &m);
	kernel_robust(st, k, kr, rounds);
	st->phase_runtime += runtime;
	st->phase_ideal += ideal;
}

static double best_of(const double *v, int n)
{
	double best = 0;

	for (int i = 0; i < n; i++)
		best = v[i] > best ? v[i] : best;
	return best;
}

/* Per-node and whole-job rates: each round's sum, the best round. */
static void combine_rates(struct comp_state *st, int rounds)
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

/* This rank's undisturbed round times into its record. */
static void round_summary(struct comp_state *st, int rounds)
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
		volatile double sink;

		hpcp_watch_beat();
		/* The signals are read outside [t0, t1]: their cost is in
		 * neither useful nor (much) MPI time.  The reference runs
		 * outside the counters' window. */
		hpcp_interfere_begin(&st->ifr, &i0);
		r0 = hpcp_now_ns();
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
	round_summary(st, rounds);
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
		combine_rates(st, rounds);
	}
	if (rc == 0 && ctx->rank == 0) {
		hpcp_res_str(kr, "status", verified ? "ok" : "failed");
		if (!verified)
			hpcp_res_str(kr, "reason", kwhy);
		hpcp_res_str(kr, "work_unit", k->work_unit);
		k->describe(ks, kr);
		report_kernel(st, k, kr, rounds, verified);
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

static void report_counter_status(struct hpcp_res *out,
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

	hpcp_res_double(out, "imbalance_factor", ctx->cfg.imbalance);
	hpcp_res_double(out, "expected_load_balance_ratio",
			(2 + ctx->cfg.imbalance) / (2 + 2 * ctx->cfg.imbalance));
	hpcp_res_str(out, "time_definition",
		     "useful: the kernel's compute, per round; mpi: the round's "
		     "communication; wall: first round to last after a barrier; "
		     "cpu: the process's CPU time over the same span");
	report_counter_status(out, &st->cstat);
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
		report_pop(out, ctx, &m);
		if (ctx->size > 0 && st->ph_med[0] > 0) {
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
			report_robust(out, ctx, &r, st->ph_rounds,
				      st->ph_dist);
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
};
