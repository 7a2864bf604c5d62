/*
 * Shared by src/phases/compute.c and compute_report.c only: the compute
 * phase's state and the reporting of its results (rank 0 fills the
 * phase's result node).  Not a phase: the phase is compute.c's.
 */
#ifndef HPCP_PHASES_COMPUTE_INT_H
#define HPCP_PHASES_COMPUTE_INT_H

#include <stdint.h>

#include "hpcp/counters.h"
#include "hpcp/cpupeak.h"
#include "hpcp/ctx.h"
#include "hpcp/interfere.h"
#include "hpcp/kernel.h"
#include "hpcp/pop.h"
#include "hpcp/report.h"

#define MAX_ROUNDS 256
/* Doubles of the reference work (compute.c), the same on every rank. */
#define REF_WIDTH 64

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

/* This rank's undisturbed round times and disturbance counts of a
 * kernel's rounds into st->mine. */
void hpcp_compute_round_summary(struct comp_state *st, int rounds);

/* Collective: per-node (node leaders) and whole-job (rank 0) sums of
 * each round's rate, and the best round of each. */
void hpcp_compute_combine_rates(struct comp_state *st, int rounds);

/* The POP metrics m, of a kernel or the whole phase, into out. */
void hpcp_compute_report_pop(struct hpcp_res *out,
			     const struct hpcp_ctx *ctx,
			     const struct hpcp_pop *m);

/* The robust load balance m into out; disturbed: per-rank counts of
 * disturbed rounds out of rounds, or NULL. */
void hpcp_compute_report_robust(struct hpcp_res *out,
				const struct hpcp_ctx *ctx,
				const struct hpcp_lb_robust *m, int rounds,
				const int *disturbed);

/*
 * Rank 0, after a kernel's rounds were gathered into st->all: its per-rank
 * and per-node results, rates, POP and robust load balance into kr, and
 * its share of the phase's totals into st.
 */
void hpcp_compute_report_kernel(struct comp_state *st,
				const struct hpcp_kernel *k,
				struct hpcp_res *kr, int rounds, int verified);

/* Which counters this run has, or why not. */
void hpcp_compute_report_counter_status(struct hpcp_res *out,
					const struct hpcp_counters_status *s);

#endif
