/* POP formulas on hand-made per-rank times (metrics.md worked example). */
#include "config.h"

#include <math.h>

#include "hpcp/pop.h"
#include "tap.h"

static int near(double a, double b, double tol)
{
	return fabs(a - b) <= tol;
}

int main(void)
{
	/* 4 ranks, 2 rounds, T = 10 s; useful per round [5,3,3,2], [3,4,3,3]. */
	const double useful[4] = { 8, 7, 6, 5 };
	const int nodes[4] = { 0, 0, 1, 1 };
	const int one_node[4] = { 0, 0, 0, 0 };
	struct hpcp_pop m;

	hpcp_pop_compute(useful, nodes, 4, 2, 10.0, 5.0 + 4.0, &m);
	tap_ok(m.valid, "worked example is valid");
	tap_ok(near(m.parallel_efficiency, 0.65, 1e-12), "PE = 0.65");
	tap_ok(near(m.load_balance, 0.8125, 1e-12), "LB = 0.8125");
	tap_ok(near(m.communication_efficiency, 0.80, 1e-12), "CommE = 0.80");
	tap_ok(near(m.serialization_efficiency, 8.0 / 9.0, 1e-12),
	       "SerE = 8/9 with T_ideal = 9");
	tap_ok(near(m.transfer_efficiency, 0.90, 1e-12), "TE = 0.90");
	tap_ok(near(m.serialization_efficiency * m.transfer_efficiency,
		    m.communication_efficiency, 1e-12), "SerE x TE = CommE");
	tap_ok(near(m.load_balance * m.communication_efficiency,
		    m.parallel_efficiency, 1e-12), "LB x CommE = PE");
	tap_ok(near(m.load_balance_in_node, 0.9375, 1e-12),
	       "LB in node = 7.5/8 with nodes {0,1} {2,3}");
	tap_ok(near(m.load_balance_between_nodes, 6.5 / 7.5, 1e-12),
	       "LB between nodes = 6.5/7.5");
	tap_ok(near(m.load_balance_in_node * m.load_balance_between_nodes,
		    m.load_balance, 1e-12), "LB in x between = LB");
	tap_ok(near(m.cov, 0.1986, 1e-3), "CoV = 0.199 (sample stddev / mean)");
	tap_is_int(m.slowest_rank, 0, "slowest rank is rank 0");

	hpcp_pop_compute(useful, one_node, 4, 1, 10.0, 9.0, &m);
	tap_ok(near(m.load_balance_between_nodes, 1.0, 1e-12) &&
	       near(m.load_balance_in_node, m.load_balance, 1e-12),
	       "one node: all imbalance is within the node");

	{
		/* --imbalance F: rank r does 1 + F r/(N-1); LB = (2+F)/(2+2F). */
		double u[5];
		int n5[5] = { 0, 0, 0, 0, 0 };
		double f = 1.0;

		for (int r = 0; r < 5; r++)
			u[r] = 1 + f * r / 4.0;
		hpcp_pop_compute(u, n5, 5, 1, 2.0, 2.0, &m);
		tap_ok(near(m.load_balance, (2 + f) / (2 + 2 * f), 1e-12),
		       "linear imbalance F=1 over 5 ranks: LB = 0.75");
	}
	{
		const double zero[2] = { 0, 0 };
		const int n2[2] = { 0, 0 };

		hpcp_pop_compute(zero, n2, 2, 1, 1.0, 0.0, &m);
		tap_ok(!m.valid, "no useful time: metrics undefined, not NaN");
	}
	{
		const double u[2] = { 1.0, 1.0 };
		const int n2[2] = { 0, 0 };

		/* Timer rounding can make max U exceed T by a hair. */
		hpcp_pop_compute(u, n2, 2, 1, 0.999999, 0.999999, &m);
		tap_ok(m.communication_efficiency <= 1.0 &&
		       m.parallel_efficiency <= 1.0, "ratios never exceed 1");
	}
	return tap_done();
}
