/* POP formulas on hand-made per-rank times (metrics.md worked example);
 * the robust load balance, its interval and the noisy verdict on
 * synthetic round statistics with known answers. */
#include "config.h"

#include <math.h>
#include <string.h>

#include "hpcp/pop.h"
#include "tap.h"

static int near(double a, double b, double tol)
{
	return fabs(a - b) <= tol;
}

static double avg_over_max(const double *t, int n)
{
	double sum = 0, max = 0;

	for (int p = 0; p < n; p++) {
		sum += t[p];
		max = t[p] > max ? t[p] : max;
	}
	return sum / n / max;
}

static void robust_tests(void)
{
	struct hpcp_lb_robust m;
	double med, q1, q3;

	{
		double t5[5] = { 5, 1, 4, 2, 3 }, t4[4] = { 4, 1, 3, 2 };
		double t8[8] = { 8, 7, 6, 5, 4, 3, 2, 1 }, t1[1] = { 9 };

		tap_ok(hpcp_round_stats(t5, 5, &med, &q1, &q3) == 0 &&
		       med == 3 && q1 == 2 && q3 == 4,
		       "round stats of 1..5: median 3, quartiles 2 and 4");
		tap_ok(hpcp_round_stats(t4, 4, &med, &q1, &q3) == 0 &&
		       med == 2.5 && q1 == 1 && q3 == 4,
		       "round stats of 1..4: median 2.5, quartiles 1 and 4");
		tap_ok(hpcp_round_stats(t8, 8, &med, &q1, &q3) == 0 &&
		       med == 4.5 && q1 == 2 && q3 == 7,
		       "round stats of 8..1: median 4.5, quartiles 2 and 7");
		tap_ok(hpcp_round_stats(t1, 1, &med, &q1, &q3) == 0 &&
		       med == 9 && q1 == 9 && q3 == 9,
		       "one round: median and quartiles are that round");
		tap_ok(hpcp_round_stats(t1, 0, &med, &q1, &q3) < 0,
		       "no round: an error, not a value");
	}
	{
		/* Work 1 : 2, no spread: LB = 1.5/2, a point interval. */
		const double md[2] = { 1, 2 };
		const int und[2] = { 40, 40 };

		hpcp_lb_robust(md, md, md, und, NULL, 2, 40, &m);
		tap_ok(m.valid && !m.noisy && near(m.load_balance, 0.75, 1e-12) &&
		       near(m.low, 0.75, 1e-12) && near(m.high, 0.75, 1e-12) &&
		       m.slowest_rank == 1,
		       "robust LB of medians 1 and 2: 0.75 in [0.75, 0.75], "
		       "rank 1 slowest, not noisy");
	}
	{
		/* Quartiles +-0.1: high = (1.1 + 1.9)/(2 x 1.9), low = (2.1 +
		 * 0.9)/(2 x 2.1); width 0.075 > 0.05: noisy. */
		const double md[2] = { 1, 2 }, lo[2] = { 0.9, 1.9 };
		const double hi[2] = { 1.1, 2.1 };
		const int und[2] = { 40, 40 };

		hpcp_lb_robust(md, lo, hi, und, NULL, 2, 40, &m);
		tap_ok(m.valid && near(m.load_balance, 0.75, 1e-12) &&
		       near(m.high, 3.0 / 3.8, 1e-12) &&
		       near(m.low, 3.0 / 4.2, 1e-12),
		       "interval from quartiles: [3/4.2, 3/3.8] (%.6f, %.6f)",
		       m.low, m.high);
		tap_ok(m.noisy && strstr(m.noisy_reason, "interval"),
		       "interval 0.075 wide: noisy (%s)", m.noisy_reason);
	}
	{
		/* Three ranks: the closed-form extremes against a grid over
		 * the box, and attained at the points the proof names. */
		const double md[3] = { 1.0, 1.3, 1.25 };
		const double lo[3] = { 0.95, 1.2, 1.22 };
		const double hi[3] = { 1.2, 1.35, 1.28 };
		const int und[3] = { 30, 30, 30 };
		double gmin = 2, gmax = 0, t[3];
		double at_max[3] = { 1.2, 1.22, 1.22 };
		double at_min[3] = { 0.95, 1.35, 1.22 };

		hpcp_lb_robust(md, lo, hi, und, NULL, 3, 30, &m);
		for (int a = 0; a <= 40; a++)
			for (int b = 0; b <= 40; b++)
				for (int c = 0; c <= 40; c++) {
					double f;

					t[0] = lo[0] + (hi[0] - lo[0]) * a / 40;
					t[1] = lo[1] + (hi[1] - lo[1]) * b / 40;
					t[2] = lo[2] + (hi[2] - lo[2]) * c / 40;
					f = avg_over_max(t, 3);
					gmin = f < gmin ? f : gmin;
					gmax = f > gmax ? f : gmax;
				}
		tap_ok(m.low <= gmin + 1e-12 && m.high >= gmax - 1e-12,
		       "3 ranks: the interval holds every point of a 41^3 grid "
		       "over the box ([%.6f, %.6f] vs grid [%.6f, %.6f])",
		       m.low, m.high, gmin, gmax);
		tap_ok(near(m.high, avg_over_max(at_max, 3), 1e-12) &&
		       near(m.low, avg_over_max(at_min, 3), 1e-12),
		       "3 ranks: both ends are attained inside the box");
		tap_ok(near(m.load_balance, (1.0 + 1.3 + 1.25) / 3 / 1.3,
			    1e-12) && m.slowest_rank == 1,
		       "3 ranks: LB = avg/max of the medians, rank 1 slowest");
	}
	{
		const double md[2] = { 1, 1 };
		int und[2] = { 20, 20 };

		hpcp_lb_robust(md, md, md, und, NULL, 2, 40, &m);
		tap_ok(!m.noisy, "20 of 40 undisturbed (half) on each rank: "
				 "not noisy");
		und[0] = 19;
		hpcp_lb_robust(md, md, md, und, NULL, 2, 40, &m);
		tap_ok(m.noisy && m.valid &&
		       strcmp(m.noisy_reason, "rank 0: 19 of 40 rounds "
					      "undisturbed (20 needed)") == 0,
		       "19 of 40 on rank 0: noisy, the reason names the rank "
		       "and the counts (%s)", m.noisy_reason);
		und[0] = und[1] = 8;
		hpcp_lb_robust(md, md, md, und, NULL, 2, 10, &m);
		tap_ok(!m.noisy, "8 of 10: the floor of 8 rounds is met");
		und[1] = 7;
		hpcp_lb_robust(md, md, md, und, NULL, 2, 10, &m);
		tap_ok(m.noisy && strstr(m.noisy_reason, "rank 1: 7 of 10"),
		       "7 of 10: below the floor of 8, noisy");
	}
	{
		const double md[2] = { 1, 1 };
		const int und[2] = { 40, 40 };
		double wait[2] = { 0, 0.05 };

		hpcp_lb_robust(md, md, md, und, wait, 2, 40, &m);
		tap_ok(!m.noisy, "run-queue wait of 5 %% of compute: not noisy");
		wait[1] = 0.06;
		hpcp_lb_robust(md, md, md, und, wait, 2, 40, &m);
		tap_ok(m.noisy && m.valid &&
		       strstr(m.noisy_reason, "rank 1 waited on the run queue "
					      "for 6 %"),
		       "6 %% on rank 1: noisy, its core is shared (%s)",
		       m.noisy_reason);
	}
	{
		const double md[2] = { 1, 0 };
		const int und[2] = { 40, 0 };

		hpcp_lb_robust(md, md, md, und, NULL, 2, 40, &m);
		tap_ok(!m.valid && m.noisy &&
		       strstr(m.noisy_reason, "rank 1: no undisturbed round"),
		       "a rank with every round disturbed: no value, noisy "
		       "(%s)", m.noisy_reason);
	}
	{
		/* Reference speeds: compared within a host only. */
		const double ref[4] = { 50, 51, 60, 40 };
		const int node[4] = { 0, 0, 1, 1 }, own[4] = { 0, 1, 2, 3 };
		const double bad[2] = { 50, 0 };
		int h = -1, f = -1, sl = -1;

		tap_ok(near(hpcp_speed_spread(ref, node, 4, 2, &h, &f, &sl),
			    0.5, 1e-12) && h == 1 && f == 3 && sl == 2,
		       "speed spread: host 1, ranks 3 (40) and 2 (60), 50 %%");
		tap_ok(near(hpcp_speed_spread(ref, own, 4, 4, NULL, NULL, NULL),
			    0, 0),
		       "one rank per host: no spread (nodes differ: a finding, "
		       "not noise)");
		tap_ok(near(hpcp_speed_spread(ref, node, 2, 1, NULL, NULL, NULL),
			    0.02, 1e-12), "50 and 51 on one host: 2 %%");
		tap_ok(hpcp_speed_spread(bad, node, 2, 1, NULL, NULL, NULL) < 0,
		       "a rank without a reference time: no value");
	}
	{
		/* Expected LB from the work done: whole calls per rank. */
		const double w2[2] = { 8, 12 }, w3[2] = { 8, 10 };
		const double w4[4] = { 8, 11, 13, 16 }, w0[2] = { 0, 0 };

		tap_ok(near(hpcp_lb_expected(w2, 2), 10.0 / 12, 1e-12),
		       "expected LB of 8 and 12 calls: 10/12");
		tap_ok(near(hpcp_lb_expected(w3, 2), 0.9, 1e-12),
		       "8 and 10 calls (F = 0.3, 10.4 rounded): 0.9, not the "
		       "nominal (2+F)/(2+2F) = 0.885");
		tap_ok(near(hpcp_lb_expected(w4, 4), 12.0 / 16, 1e-12),
		       "8, 11, 13, 16 calls: 0.75");
		tap_ok(hpcp_lb_expected(w0, 2) < 0, "no work: no value");
	}
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
	robust_tests();
	return tap_done();
}
