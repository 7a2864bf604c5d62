/*
 * POP efficiency metrics (multiplicative MPI model) from per-rank useful
 * time, the region's runtime and the per-round slowest useful time.
 *
 *   PE = avg(U) / T = LB x CommE          LB = avg(U) / max(U)
 *   CommE = max(U) / T = SerE x TE        SerE = max(U) / T_ideal
 *   TE = T_ideal / T                      T_ideal = sum_k max_p U(p, k)
 *   LB = LB_in x LB_out, LB_in = max_n(avg U on node n) / max(U),
 *                        LB_out = avg(U) / max_n(avg U on node n)
 *
 * T_ideal is the phase-max model: every round ends in a global collective,
 * which on an ideal network completes when the last rank arrives.  Pure
 * arithmetic, no MPI: rank 0 calls it on gathered vectors.
 */
#ifndef HPCP_POP_H
#define HPCP_POP_H

#define HPCP_POP_MODEL "pop-mpi-multiplicative"
#define HPCP_POP_IDEAL_METHOD "phase-max (bulk-synchronous rounds)"

struct hpcp_pop {
	int valid;                 /* 0: no useful time; ratios undefined */
	double load_balance;
	double load_balance_in_node;
	double load_balance_between_nodes;
	double communication_efficiency;
	double serialization_efficiency;
	double transfer_efficiency;
	double parallel_efficiency;
	double avg_useful_s, max_useful_s, runtime_s, ideal_runtime_s;
	double cov;                /* sample stddev / mean of U */
	int slowest_rank;          /* largest U */
};

/*
 * useful[p] (seconds) of n ranks, node[p] their node index (0..n_nodes-1),
 * runtime the region's T, ideal the region's T_ideal (sum over rounds of
 * the largest useful time).  Fills *out.
 */
void hpcp_pop_compute(const double *useful, const int *node, int n,
		      int n_nodes, double runtime, double ideal,
		      struct hpcp_pop *out);

#endif
