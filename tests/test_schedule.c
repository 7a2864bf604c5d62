/* The round-robin pair schedule, sampling, outliers and busbw. */
#include "config.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "hpcp/probe.h"
#include "hpcp/schedule.h"
#include "tap.h"

static void round_robin(void)
{
	int covered_all = 1, disjoint = 1, symmetric = 1, rounds_ok = 1;

	for (int n = 2; n <= 64; n++) {
		int rounds = hpcp_rr_rounds(n);
		int *met = calloc((size_t)n * n, sizeof(*met));

		rounds_ok &= rounds == (n % 2 ? n : n - 1);
		for (int r = 0; r < rounds; r++) {
			int *busy = calloc((size_t)n, sizeof(*busy));

			for (int me = 0; me < n; me++) {
				int p = hpcp_rr_partner(n, r, me);

				if (p < 0)
					continue;
				symmetric &= p != me &&
					     hpcp_rr_partner(n, r, p) == me;
				/* A rank in two pairs of one round would
				 * show up here twice. */
				disjoint &= busy[me]++ == 0;
				met[me * n + p]++;
			}
			free(busy);
		}
		for (int i = 0; i < n; i++)
			for (int j = 0; j < n; j++)
				if (i != j)
					covered_all &= met[i * n + j] == 1;
		free(met);
	}
	tap_ok(rounds_ok, "n - 1 rounds for even n, n for odd n (n = 2..64)");
	tap_ok(symmetric, "partners are mutual and never oneself");
	tap_ok(disjoint, "no rank appears twice in a round");
	tap_ok(covered_all, "every pair meets exactly once (n = 2..64)");
	tap_ok(hpcp_rr_rounds(1) == 0 && hpcp_rr_partner(1, 0, 0) == -1,
	       "one node: no rounds");
}

static void sampling(void)
{
	int rounds[1000];
	int n, spread = 1;

	n = hpcp_rr_sample(64, 0, rounds);
	tap_ok(n == 63, "no limit: all 63 rounds of 64 nodes");
	n = hpcp_rr_sample(1000, 5000, rounds);
	tap_ok(n == 10, "1000 nodes, 5000 pairs: 10 rounds of 500 pairs (%d)",
	       n);
	for (int i = 1; i < n; i++)
		spread &= rounds[i] > rounds[i - 1] && rounds[i] < 999;
	tap_ok(spread, "sampled rounds are distinct and in range");
	n = hpcp_rr_sample(10, 1, rounds);
	tap_ok(n == 1, "at least one round is measured");
	n = hpcp_rr_sample(10, 45, rounds);
	tap_ok(n == 9, "a limit of all pairs measures all rounds");
}

static void outliers(void)
{
	enum { N = 8 };
	double m[N * N], med[N], center, threshold;
	int out[N], found;

	for (int i = 0; i < N; i++)
		for (int j = 0; j < N; j++)
			m[i * N + j] = i == j ? -1 : 2000 + ((i + j) % 3) * 20;
	found = hpcp_find_outliers(N, m, med, out, &center, &threshold);
	tap_ok(found == 0, "uniform matrix (2.00-2.04 us): no outlier");

	for (int j = 0; j < N; j++)
		if (j != 5) {
			m[5 * N + j] += 500000;
			m[j * N + 5] += 500000;
		}
	found = hpcp_find_outliers(N, m, med, out, &center, &threshold);
	tap_ok(found == 1 && out[5], "one slow node (node 5) is found");
	tap_ok(med[5] > threshold && threshold > center,
	       "the slow node's median lies above the threshold");

	for (int i = 0; i < N * N; i++)
		m[i] = -1;
	m[0 * N + 1] = m[1 * N + 0] = 2000;
	found = hpcp_find_outliers(N, m, med, out, &center, &threshold);
	tap_ok(found == 0 && med[2] < 0,
	       "unmeasured pairs are ignored; fewer than 3 nodes flag none");
}

static void busbw(void)
{
	tap_ok(fabs(hpcp_allreduce_busbw(1e9, 2) - 1e9) < 1e-3,
	       "busbw at 2 ranks equals algbw");
	tap_ok(fabs(hpcp_allreduce_busbw(1e9, 4) - 1.5e9) < 1e-3,
	       "busbw at 4 ranks is 1.5 x algbw");
	tap_ok(fabs(hpcp_allreduce_busbw(1e9, 64) - 1e9 * 126 / 64) < 1e-3,
	       "busbw at 64 ranks is 2 x 63/64 x algbw");
	tap_ok(hpcp_allreduce_busbw(1e9, 1) == 0, "busbw at 1 rank is 0");
}

int main(void)
{
	round_robin();
	sampling();
	outliers();
	busbw();
	return tap_done();
}
