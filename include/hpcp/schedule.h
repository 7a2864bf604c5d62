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
 * The outlier rule: a node whose median latency to the others exceeds the
 * median of all nodes' medians by more than max(3 * 1.4826 * MAD, 10 % of
 * that median).  MAD is the median absolute deviation of the node medians;
 * the 10 % floor keeps a perfectly uniform cluster from flagging noise.
 *
 * matrix is n x n, row-major; entries < 0 were not measured (and the
 * diagonal is ignored).  node_median[i] gets each node's median (-1 when it
 * has no measured pair), outlier[i] 1 or 0.  Returns the number of
 * outliers; *cluster_median and *threshold get what the rule used.  Nodes
 * can only be told apart with at least 3 measured nodes.
 */
int hpcp_find_outliers(int n, const double *matrix, double *node_median,
		       int *outlier, double *cluster_median,
		       double *threshold);

/* Median of v[0..n) (reorders v).  0 for n == 0. */
double hpcp_median(double *v, int n);

#endif
