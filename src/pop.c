#include "config.h"

#include "hpcp/pop.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Ratios are efficiencies in 0..1; rounding must not push them past 1. */
static double clamp01(double v)
{
	return v < 0 ? 0 : (v > 1 ? 1 : v);
}

void hpcp_pop_compute(const double *useful, const int *node, int n,
		      int n_nodes, double runtime, double ideal,
		      struct hpcp_pop *out)
{
	double sum = 0, max = 0, var = 0, best_node = 0;
	double *node_sum = calloc((size_t)(n_nodes > 0 ? n_nodes : 1),
				  sizeof(*node_sum));
	int *node_n = calloc((size_t)(n_nodes > 0 ? n_nodes : 1),
			     sizeof(*node_n));

	memset(out, 0, sizeof(*out));
	out->slowest_rank = -1;
	if (!node_sum || !node_n || n <= 0) {
		free(node_sum);
		free(node_n);
		return;
	}
	for (int p = 0; p < n; p++) {
		sum += useful[p];
		if (useful[p] > max || out->slowest_rank < 0) {
			max = useful[p];
			out->slowest_rank = p;
		}
		if (node[p] >= 0 && node[p] < n_nodes) {
			node_sum[node[p]] += useful[p];
			node_n[node[p]]++;
		}
	}
	out->avg_useful_s = sum / n;
	out->max_useful_s = max;
	out->runtime_s = runtime;
	out->ideal_runtime_s = ideal;
	for (int p = 0; p < n; p++)
		var += (useful[p] - out->avg_useful_s) *
		       (useful[p] - out->avg_useful_s);
	out->cov = n > 1 && out->avg_useful_s > 0 ?
			   sqrt(var / (n - 1)) / out->avg_useful_s :
			   0;
	for (int k = 0; k < n_nodes; k++)
		if (node_n[k] && node_sum[k] / node_n[k] > best_node)
			best_node = node_sum[k] / node_n[k];
	free(node_sum);
	free(node_n);
	if (max <= 0 || runtime <= 0 || ideal <= 0 || best_node <= 0)
		return;
	out->valid = 1;
	out->load_balance = clamp01(out->avg_useful_s / max);
	out->load_balance_in_node = clamp01(best_node / max);
	out->load_balance_between_nodes = clamp01(out->avg_useful_s / best_node);
	out->communication_efficiency = clamp01(max / runtime);
	out->serialization_efficiency = clamp01(max / ideal);
	out->transfer_efficiency = clamp01(ideal / runtime);
	out->parallel_efficiency = clamp01(out->avg_useful_s / runtime);
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

int hpcp_round_stats(double *t, int n, double *median, double *q1,
		     double *q3)
{
	if (n < 1)
		return -EINVAL;
	qsort(t, (size_t)n, sizeof(*t), cmp_double);
	*median = (t[(n - 1) / 2] + t[n / 2]) / 2;
	*q1 = t[(n - 1) / 4];
	*q3 = t[n - 1 - (n - 1) / 4];
	return 0;
}

/*
 * Extremes of f(t) = avg(t)/max(t) over lo[p] <= t[p] <= hi[p].
 * Largest: with M = max(t) >= L = max lo, each term min(hi, M)/M falls as
 * M grows, so M = L and t[p] = min(hi[p], L).  Smallest: for a max rank j
 * at value M, f >= (M + sum_{p != j} lo[p]) / (n M), falling in M, so
 * t[j] = hi[j], the others at lo; the least over the ranks j that can be
 * the max (hi[j] >= L).
 */
static void lb_box(const double *lo, const double *hi, int n, double *low,
		   double *high)
{
	double big_lo = 0, sum_lo = 0, sum = 0;

	for (int p = 0; p < n; p++) {
		big_lo = lo[p] > big_lo ? lo[p] : big_lo;
		sum_lo += lo[p];
	}
	for (int p = 0; p < n; p++)
		sum += hi[p] < big_lo ? hi[p] : big_lo;
	*high = big_lo > 0 ? sum / (n * big_lo) : 0;
	*low = 1;
	for (int j = 0; j < n; j++) {
		double f;

		if (hi[j] < big_lo || hi[j] <= 0)
			continue;
		f = (hi[j] + sum_lo - lo[j]) / (n * hi[j]);
		*low = f < *low ? f : *low;
	}
}

void hpcp_lb_robust(const double *med, const double *lo, const double *hi,
		    const int *undisturbed, const double *wait, int n,
		    int rounds, struct hpcp_lb_robust *out)
{
	double sum = 0, max = 0;
	int need = (int)ceil(HPCP_ROBUST_MIN_FRACTION * rounds);

	memset(out, 0, sizeof(*out));
	out->slowest_rank = -1;
	if (need < HPCP_ROBUST_MIN_ROUNDS)
		need = HPCP_ROBUST_MIN_ROUNDS;
	for (int p = 0; p < n; p++) {
		if (undisturbed && undisturbed[p] < need && !out->noisy) {
			out->noisy = 1;
			snprintf(out->noisy_reason, sizeof(out->noisy_reason),
				 "rank %d: %d of %d rounds undisturbed "
				 "(%d needed)", p, undisturbed[p], rounds,
				 need);
		}
		if (wait && wait[p] > HPCP_ROBUST_MAX_WAIT_FRACTION &&
		    !out->noisy) {
			out->noisy = 1;
			snprintf(out->noisy_reason, sizeof(out->noisy_reason),
				 "rank %d waited on the run queue for %.0f %% "
				 "of its compute time: its core is shared",
				 p, 100 * wait[p]);
		}
		if ((undisturbed && undisturbed[p] < 1) || !(med[p] > 0)) {
			out->noisy = 1;
			snprintf(out->noisy_reason, sizeof(out->noisy_reason),
				 "rank %d: no undisturbed round", p);
			return;
		}
		sum += med[p];
		if (med[p] > max) {
			max = med[p];
			out->slowest_rank = p;
		}
	}
	if (n < 1)
		return;
	out->valid = 1;
	out->load_balance = clamp01(sum / n / max);
	lb_box(lo, hi, n, &out->low, &out->high);
	out->low = clamp01(out->low);
	out->high = clamp01(out->high);
	if (!out->noisy && out->high - out->low > HPCP_ROBUST_MAX_WIDTH) {
		out->noisy = 1;
		snprintf(out->noisy_reason, sizeof(out->noisy_reason),
			 "load balance interval [%.3f, %.3f] wider than %.2f: "
			 "round times vary too much", out->low, out->high,
			 HPCP_ROBUST_MAX_WIDTH);
	}
}

double hpcp_lb_expected(const double *work, int n)
{
	double sum = 0, max = 0;

	for (int p = 0; p < n; p++) {
		sum += work[p];
		max = work[p] > max ? work[p] : max;
	}
	return n > 0 && max > 0 ? sum / n / max : -1;
}

double hpcp_speed_spread(const double *ref, const int *node, int n,
			 int n_nodes, int *host, int *fast, int *slow)
{
	int *lo = calloc((size_t)(n_nodes > 0 ? n_nodes : 1), 2 * sizeof(int));
	double worst = 0;

	if (!lo)
		return -1;
	/* Each host's fastest and slowest rank, then the widest host. */
	for (int h = 0; h < 2 * n_nodes; h++)
		lo[h] = -1;
	for (int p = 0; p < n; p++) {
		int h = node[p], *f = &lo[2 * (h < 0 ? 0 : h)], *sl = f + 1;

		if (!(ref[p] > 0) || h < 0 || h >= n_nodes) {
			free(lo);
			return -1;
		}
		if (*f < 0 || ref[p] < ref[*f])
			*f = p;
		if (*sl < 0 || ref[p] > ref[*sl])
			*sl = p;
	}
	for (int h = 0; h < n_nodes; h++) {
		int f = lo[2 * h], sl = lo[2 * h + 1];
		double s;

		if (f < 0 || f == sl)
			continue;
		s = ref[sl] / ref[f] - 1;
		if (s > worst) {
			worst = s;
			if (host)
				*host = h;
			if (fast)
				*fast = f;
			if (slow)
				*slow = sl;
		}
	}
	free(lo);
	return worst;
}
