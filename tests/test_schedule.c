/* The round-robin pair schedule, sampling, the outlier rule (median polish
 * and its confirmation on every link) and busbw. */
#include "config.h"

#include <math.h>
#include <stdint.h>
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

/* A deterministic generator, so a failing matrix can be rebuilt. */
static uint64_t rng = 0x9e3779b97f4a7c15ull;

static double unit(void)
{
	rng ^= rng >> 12;
	rng ^= rng << 25;
	rng ^= rng >> 27;
	return (double)((rng * 0x2545f4914f6cdd1dull) >> 11) * 0x1.0p-53;
}

/* Symmetric n x n matrix: base(i, j) plus up to +-jitter ns of noise. */
static double *matrix_of(int n, double (*base)(int, int), double jitter)
{
	double *m = malloc((size_t)n * n * sizeof(*m));

	for (int i = 0; i < n; i++) {
		m[i * n + i] = -1;
		for (int j = i + 1; j < n; j++)
			m[i * n + j] = m[j * n + i] =
				base(i, j) + jitter * (2 * unit() - 1);
	}
	return m;
}

/* Island membership: the first 60 nodes, or a shuffled 60 of 100. */
static int island_a[100];

static double two_islands(int i, int j)
{
	if (island_a[i] && island_a[j])
		return 1500;
	if (!island_a[i] && !island_a[j])
		return 1600;
	return 1900;
}

static double flat(int i, int j)
{
	(void)i;
	(void)j;
	return 1500;
}

static int slow_node = -1, slow_node2 = -1;

/* +500 ns for each end that is slow (two slow nodes: +1000 between). */
static double one_slow(int i, int j)
{
	return 1500 + 500.0 * ((i == slow_node || j == slow_node) +
			       (i == slow_node2 || j == slow_node2));
}

static double islands_one_slow(int i, int j)
{
	return two_islands(i, j) + 500.0 * (i == slow_node || j == slow_node);
}

struct fitted {
	int found, first;
	double effect[100], excess[100];
	int out[100];
	struct hpcp_outlier_fit fit;
};

static void fit_matrix(int n, const double *m, struct fitted *f)
{
	f->found = hpcp_outliers_fit(n, m, f->effect, f->excess, f->out,
				     &f->fit);
	f->first = -1;
	for (int i = 0; i < n && f->first < 0; i++)
		if (f->out[i])
			f->first = i;
}

static void islands(void)
{
	struct fitted f;
	double *m;
	int loud = 1;

	for (int i = 0; i < 100; i++)
		island_a[i] = i < 60;
	m = matrix_of(100, two_islands, 0);
	fit_matrix(100, m, &f);
	tap_ok(f.found == 0, "two islands (60 at 1.5 us, 40 at 1.6 us, 1.9 us "
	       "across): nobody flagged (found %d)", f.found);
	for (int i = 60; i < 100; i++)
		loud &= f.effect[i] > f.fit.threshold &&
			f.excess[i] < f.fit.threshold;
	tap_ok(loud, "the smaller island's fitted effect exceeds the "
	       "threshold (%.0f > %.0f ns) but its best link does not (%.0f)",
	       f.effect[99], f.fit.threshold, f.excess[99]);
	free(m);

	for (int i = 0; i < 100; i++)  /* 60 of 100, shuffled */
		island_a[i] = 0;
	for (int placed = 0; placed < 60;) {
		int k = (int)(unit() * 100);

		placed += !island_a[k];
		island_a[k] = 1;
	}
	m = matrix_of(100, two_islands, 15);
	fit_matrix(100, m, &f);
	tap_ok(f.found == 0, "the same islands interleaved, with +-15 ns of "
	       "noise: nobody flagged (found %d)", f.found);
	free(m);

	for (int i = 0; i < 100; i++)
		island_a[i] = i < 90;
	m = matrix_of(100, two_islands, 15);
	fit_matrix(100, m, &f);
	tap_ok(f.found == 0, "islands of 90 and 10: nobody flagged (found %d)",
	       f.found);
	free(m);

	for (int i = 0; i < 100; i++)
		island_a[i] = i < 60;
	slow_node = 70;
	m = matrix_of(100, islands_one_slow, 15);
	fit_matrix(100, m, &f);
	tap_ok(f.found == 1 && f.out[70], "a slow node (+0.5 us) inside the "
	       "smaller island is flagged alone (found %d, first %d)",
	       f.found, f.first);
	free(m);
	slow_node = -1;
}

static void slow_nodes(void)
{
	struct fitted f;
	double *m;

	m = matrix_of(100, flat, 30);
	fit_matrix(100, m, &f);
	tap_ok(f.found == 0 && fabs(f.fit.typical - 1500) < 10,
	       "100 healthy nodes at 1.5 us +-30 ns: nobody flagged, typical "
	       "pair %.0f ns", f.fit.typical);
	free(m);

	slow_node = 37;
	m = matrix_of(100, one_slow, 30);
	fit_matrix(100, m, &f);
	tap_ok(f.found == 1 && f.out[37], "one slow node (+0.5 us on all its "
	       "pairs) among 100 is flagged alone (found %d, first %d)",
	       f.found, f.first);
	tap_ok(fabs(f.effect[37] - 500) < 30 && fabs(f.excess[37] - 500) < 100,
	       "its fitted effect is the 500 ns it was given (%.0f; best link "
	       "%.0f)", f.effect[37], f.excess[37]);
	tap_ok(f.fit.threshold >= 0.10 * f.fit.typical,
	       "the threshold never goes under 10 %% of a typical pair "
	       "(%.0f ns of %.0f)", f.fit.threshold, f.fit.typical);

	slow_node2 = 3;
	free(m);
	m = matrix_of(100, one_slow, 30);
	fit_matrix(100, m, &f);
	tap_ok(f.found == 2 && f.out[3] && f.out[37],
	       "two slow nodes, slow to each other too: both flagged (found "
	       "%d)", f.found);
	free(m);
	slow_node2 = -1;

	/* --max-pairs: 8 of 99 rounds measured, every node has 8 peers. */
	{
		int rounds[100], k = hpcp_rr_sample(100, 400, rounds);
		double *full = matrix_of(100, one_slow, 30);

		m = malloc(100 * 100 * sizeof(*m));
		for (int c = 0; c < 100 * 100; c++)
			m[c] = -1;
		for (int r = 0; r < k; r++)
			for (int i = 0; i < 100; i++) {
				int p = hpcp_rr_partner(100, rounds[r], i);

				if (p >= 0)
					m[i * 100 + p] = full[i * 100 + p];
			}
		fit_matrix(100, m, &f);
		tap_ok(f.found == 1 && f.out[37], "sampled matrix (%d rounds): "
		       "the slow node is still flagged alone (found %d)", k,
		       f.found);
		free(full);
		free(m);
	}
	slow_node = -1;
}

/* Normal p50 everywhere; node 12's pairs have a p99 of 40 us, not 4. */
static double p99_base(int i, int j)
{
	return i == 12 || j == 12 ? 40000 : 4000;
}

static void jitter(void)
{
	struct fitted f50, f99;
	double *m50 = matrix_of(100, flat, 30);
	double *m99 = matrix_of(100, p99_base, 400);

	fit_matrix(100, m50, &f50);
	fit_matrix(100, m99, &f99);
	tap_ok(f50.found == 0 && f99.found == 1 && f99.out[12],
	       "a jittery node (normal p50, p99 x10) is flagged by the p99 "
	       "matrix alone (p50 found %d, p99 found %d)", f50.found,
	       f99.found);
	free(m50);
	free(m99);
}

static void small(void)
{
	enum { N = 8 };
	double m[N * N], med[N], center;
	struct fitted f;

	/* Two nodes: one pair, which end is slow cannot be told. */
	m[0] = m[3] = -1;
	m[1] = m[2] = 900000;
	fit_matrix(2, m, &f);
	tap_ok(f.found == 0 && f.fit.nodes == 2 && f.fit.threshold == 0,
	       "2 nodes: nobody can be blamed, no threshold");

	/* Three nodes: the model is just determined, the slow one shows. */
	for (int i = 0; i < 3; i++)
		for (int j = 0; j < 3; j++)
			m[i * 3 + j] = i == j ? -1 : 50000 + 500000.0 * (i == 2 || j == 2);
	fit_matrix(3, m, &f);
	tap_ok(f.found == 1 && f.out[2] && fabs(f.effect[2] - 500000) < 1,
	       "3 nodes, one 500 us slower: flagged, effect %.0f ns",
	       f.effect[2]);
	for (int i = 0; i < 3; i++)
		for (int j = 0; j < 3; j++)
			m[i * 3 + j] = i == j ? -1 : 50000 + 1000 * ((i + j) % 2);
	fit_matrix(3, m, &f);
	tap_ok(f.found == 0, "3 nodes within 2 %%: nobody flagged");

	/* Four nodes, one behind a delay line (the cluster test's case). */
	for (int i = 0; i < 4; i++)
		for (int j = 0; j < 4; j++)
			m[i * 4 + j] = i == j ? -1 :
				       60000 + 3000 * unit() +
					       500000.0 * (i == 3 || j == 3);
	for (int i = 0; i < 4; i++)
		for (int j = 0; j < i; j++)
			m[i * 4 + j] = m[j * 4 + i];
	fit_matrix(4, m, &f);
	tap_ok(f.found == 1 && f.out[3], "4 nodes, one behind a 500 us delay: "
	       "flagged alone (found %d)", f.found);

	/* Uniform 8-node matrix, then node 5 slower by 500 us. */
	for (int i = 0; i < N; i++)
		for (int j = 0; j < N; j++)
			m[i * N + j] = i == j ? -1 : 2000 + ((i + j) % 3) * 20;
	fit_matrix(N, m, &f);
	tap_ok(f.found == 0, "8 nodes at 2.00-2.04 us: no outlier");
	for (int j = 0; j < N; j++)
		if (j != 5) {
			m[5 * N + j] += 500000;
			m[j * N + 5] += 500000;
		}
	fit_matrix(N, m, &f);
	tap_ok(f.found == 1 && f.out[5], "8 nodes, node 5 slower by 500 us: "
	       "flagged alone");

	/* Only one pair measured out of 8 nodes. */
	for (int i = 0; i < N * N; i++)
		m[i] = -1;
	m[0 * N + 1] = 2000;
	fit_matrix(N, m, &f);
	tap_ok(f.found == 0 && f.fit.nodes == 2 && isnan(f.effect[2]),
	       "unmeasured pairs are ignored (one triangle is enough); "
	       "fewer than 3 measured nodes flag none");
	tap_ok(hpcp_node_medians(N, m, med, &center) == 2 && med[0] == 2000 &&
	       med[1] == 2000 && med[2] < 0 && center == 2000,
	       "node medians: measured nodes only, -1 for the others");
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
	islands();
	slow_nodes();
	jitter();
	small();
	busbw();
	return tap_done();
}
