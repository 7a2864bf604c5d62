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

/*
 * Robust load balance from undisturbed rounds (interfere.h).  A rank's
 * useful time is the median of its undisturbed round times x rounds, so a
 * rank descheduled for part of the run is not taken as slower; with equal
 * rounds on every rank LB = avg(median) / max(median).  The interval comes
 * from order statistics over rounds: each rank's time may lie anywhere
 * between its lower and upper quartile round time, and [low, high] are
 * the smallest and largest avg/max over that box (exact, closed form).
 */
#define HPCP_ROBUST_MIN_ROUNDS 8        /* undisturbed rounds, each rank */
#define HPCP_ROBUST_MIN_FRACTION 0.5    /* of its rounds, each rank */
#define HPCP_ROBUST_MAX_WIDTH 0.05      /* high - low above this: noisy */
/* Run-queue delay during a rank's compute above this fraction of its
 * compute time: its core is shared, and even its undisturbed rounds run
 * on caches the other task keeps evicting. */
#define HPCP_ROBUST_MAX_WAIT_FRACTION 0.05
/* Ranks of one host running the same reference work at speeds further
 * apart than this (max/min - 1): the host's cores were not equally fast,
 * for reasons the guest cannot see (another tenant on the core). */
#define HPCP_ROBUST_MAX_SPEED_SPREAD 0.03
/*
 * A kernel timed against one call of its own work (kernel.h reference):
 * each rank's median round, in its own references per unit of its work,
 * may differ across ranks by at most this, or something other than the
 * work set the round times and the load balance is noisy.
 */
#define HPCP_ROBUST_MAX_WORK_SPREAD 0.05

#define HPCP_ROBUST_DEFINITION \
	"rounds where wall - thread CPU time > max(20 us, 1 % of wall), or " \
	"the thread's run-queue delay or the host's steal time grew, are " \
	"disturbed and left out; each rank's useful time is the median of " \
	"its undisturbed round times x rounds; load_balance_ratio = avg/max " \
	"of those; low/high = the smallest and largest avg/max with each " \
	"rank anywhere between its lower and upper quartile round time; " \
	"noisy when a rank has fewer than 8 or fewer than half of its rounds " \
	"undisturbed, or waited on the run queue for more than 5 % of its " \
	"compute time, or ranks of one host ran the same reference work " \
	"(the kernel's reference_definition, before each round's compute) " \
	"at speeds more than 3 % apart, or one rank's median round per unit " \
	"of work, each against its own reference, was more than 5 % above " \
	"another's, or high - low > 0.05"

/* One rank's undisturbed round times: median and quartiles, as order
 * statistics (quartiles: elements (n-1)/4 and n-1-(n-1)/4 of the sorted
 * times; median: the middle one, or the mean of the middle two).  Sorts
 * t in place.  0, or -EINVAL when n < 1. */
int hpcp_round_stats(double *t, int n, double *median, double *q1,
		     double *q3);

#define HPCP_ROBUST_REASON_LEN 320

struct hpcp_lb_robust {
	int valid;            /* 0: some rank has no undisturbed round */
	double load_balance, low, high;
	int slowest_rank;     /* largest median */
	int noisy;
	char noisy_reason[HPCP_ROBUST_REASON_LEN];
};

/*
 * med[p], lo[p], hi[p]: rank p's median, lower and upper quartile (any
 * time unit, lo <= med <= hi); undisturbed[p] of rounds and wait[p], its
 * run-queue delay over its compute time (either NULL: not checked, e.g.
 * for sums over kernels).  Fills *out, including the noisy verdict
 * (HPCP_ROBUST_*).
 */
void hpcp_lb_robust(const double *med, const double *lo, const double *hi,
		    const int *undisturbed, const double *wait, int n,
		    int rounds, struct hpcp_lb_robust *out);

/*
 * The largest spread, max/min - 1, of ref[p] (each rank's median time of
 * the same reference work, > 0) among the ranks of one host (node[p] in
 * 0..n_nodes-1); *host, *fast and *slow (may be NULL) get that host and
 * its fastest and slowest rank.  0 when every host has one rank; -1 when
 * some ref is not positive or a node index is out of range.  Hosts are not compared with each other: a
 * slower node is a finding, not noise.
 */
double hpcp_speed_spread(const double *ref, const int *node, int n,
			 int n_nodes, int *host, int *fast, int *slow);

/* avg/max of per-rank work, the load balance that work alone implies on
 * ranks of equal speed; -1 when there is no work. */
double hpcp_lb_expected(const double *work, int n);

#endif
