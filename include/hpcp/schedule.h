/*
 * Which nodes talk to which, and when: the round-robin ("circle") schedule
 * of the all-pairs node matrix, and the outlier rule applied to it.
 *
 * In every round each node has at most one partner, so pairs measured at
 * the same time never share an endpoint; n nodes need n - 1 rounds (n when
 * n is odd, one node idle per round) and every pair meets exactly once.
 */
#ifndef HPCP_SCHEDULE_H
#define HPCP_SCHEDULE_H

/* Rounds for n nodes: n - 1 for even n, n for odd n, 0 for n < 2. */
int hpcp_rr_rounds(int n);

/* Partner of node me in round r (0 <= r < rounds), or -1 when idle. */
int hpcp_rr_partner(int n, int round, int me);

/*
 * At most max_pairs pairs (0: all): how many rounds to run and which
 * (rounds[] gets the chosen round numbers, evenly spread; it must hold
 * hpcp_rr_rounds(n) entries).  Returns the count.
 */
int hpcp_rr_sample(int n, long long max_pairs, int *rounds);

/*
 * The outlier rule, applied to a node matrix (p50 or p99 latency).
 *
 * Model: latency(i, j) = mu + a_i + a_j + residual, fitted by median
 * polish on the symmetric matrix (off-diagonal cells only): each sweep
 * takes every node's median residual over its measured pairs and moves
 * half of it into a_i (half, because a cell holds two node terms; whole
 * steps oscillate), until no step exceeds 0.001 ns or 200 sweeps.  Node
 * effects are then taken relative to their median (the typical node).
 *
 * A node is an outlier when both hold:
 *   effect:  a_i - median(a) > threshold, where threshold =
 *            max(HPCP_OUTLIER_K x 1.4826 x MAD(a), HPCP_OUTLIER_FLOOR x
 *            the latency of a pair of typical nodes);
 *   on every link: its smallest excess over its measured peers,
 *            min_j latency(i, j) - (mu + median(a) + a_j), also exceeds the
 *            threshold.
 * The second condition is what keeps islands quiet: two groups of healthy
 * nodes with a slower path between them (60 nodes at 1.5 us, 40 at 1.6 us,
 * 1.9 us across) give the smaller group a large fitted effect, but its
 * nodes are fast to each other, which a slow node never is.  1.4826 scales
 * MAD to a standard deviation for normal data; K = 3.5 is the usual
 * modified z-score cut; the 10 % floor keeps noise and sub-percent
 * differences from ever being flagged.  At least 3 measured nodes are
 * needed: with 2, one pair cannot tell which end is slow.
 *
 * matrix is n x n, row-major; cells < 0 or NaN were not measured (either
 * of (i, j) and (j, i) may hold a pair; the diagonal is ignored).
 * effect[i] gets a_i - median(a) and best_excess[i] the smallest excess
 * (NaN for a node with no measured pair); outlier[i] 1 or 0.  Returns the
 * number of outliers, or -ENOMEM.
 */
#define HPCP_OUTLIER_K 3.5
#define HPCP_OUTLIER_FLOOR 0.10

struct hpcp_outlier_fit {
	int nodes;          /* nodes with at least one measured pair */
	int sweeps;         /* median-polish sweeps until stable */
	int found;          /* nodes flagged */
	double mu;          /* the model's constant */
	double center;      /* median node effect a (the typical node) */
	double typical;     /* mu + 2 x center: two typical nodes' latency */
	double mad;         /* median absolute deviation of the effects */
	double threshold;   /* what an effect must exceed (0: no rule) */
};

int hpcp_outliers_fit(int n, const double *matrix, double *effect,
		      double *best_excess, int *outlier,
		      struct hpcp_outlier_fit *fit);

/*
 * Each node's median latency to the others (-1 when it has no measured
 * pair) and the median of those (0 when none); same matrix convention.
 * Returns the number of nodes with a median, or -ENOMEM.
 */
int hpcp_node_medians(int n, const double *matrix, double *node_median,
		      double *cluster_median);

/* Median of v[0..n) (reorders v).  0 for n == 0. */
double hpcp_median(double *v, int n);

#endif
