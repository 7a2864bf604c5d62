#include "config.h"

#include "hpcp/schedule.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

int hpcp_rr_rounds(int n)
{
	if (n < 2)
		return 0;
	return n % 2 ? n : n - 1;
}

int hpcp_rr_partner(int n, int round, int me)
{
	/* Circle method over m slots (a dummy slot when n is odd): slot
	 * m - 1 stays put, the others rotate; x meets (2r - x) mod (m - 1). */
	int m = n % 2 ? n + 1 : n;
	int ring = m - 1;
	int partner;

	if (n < 2 || me < 0 || me >= n || round < 0 || round >= ring)
		return -1;
	if (me == m - 1)
		partner = round;
	else if (me == round)
		partner = m - 1;
	else
		partner = ((2 * round - me) % ring + ring) % ring;
	return partner >= n ? -1 : partner;
}

int hpcp_rr_sample(int n, long long max_pairs, int *rounds)
{
	int total = hpcp_rr_rounds(n);
	long long per_round = n / 2;
	int want;

	if (total == 0)
		return 0;
	if (max_pairs <= 0 || max_pairs >= (long long)n * (n - 1) / 2) {
		want = total;
	} else {
		long long k = (max_pairs + per_round - 1) / per_round;

		want = k < 1 ? 1 : (k > total ? total : (int)k);
	}
	for (int j = 0; j < want; j++)
		rounds[j] = (int)((long long)j * total / want);
	return want;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

double hpcp_median(double *v, int n)
{
	if (n <= 0)
		return 0;
	qsort(v, (size_t)n, sizeof(*v), cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/* k-th smallest of v[0..n) (reorders v): Hoare's selection. */
static double select_kth(double *v, int n, int k)
{
	int lo = 0, hi = n - 1;

	while (lo < hi) {
		double pivot = v[lo + (hi - lo) / 2];
		int i = lo, j = hi;

		while (i <= j) {
			while (v[i] < pivot)
				i++;
			while (v[j] > pivot)
				j--;
			if (i <= j) {
				double t = v[i];

				v[i++] = v[j];
				v[j--] = t;
			}
		}
		if (k <= j)
			hi = j;
		else if (k >= i)
			lo = i;
		else
			break;
	}
	return v[k];
}

/* Median in linear time (reorders v); 0 for n == 0. */
static double fast_median(double *v, int n)
{
	double hi, lo;

	if (n <= 0)
		return 0;
	hi = select_kth(v, n, n / 2);
	if (n % 2)
		return hi;
	/* After selecting n/2, everything below it is in v[0..n/2). */
	lo = v[0];
	for (int i = 1; i < n / 2; i++)
		if (v[i] > lo)
			lo = v[i];
	return (lo + hi) / 2;
}

static int measured(double v)
{
	return v >= 0;   /* false for NaN too */
}

/* The pair (i, j) from either triangle, averaged when both are there. */
static double cell(int n, const double *m, int i, int j)
{
	double a = m[i * n + j], b = m[j * n + i];

	if (measured(a) && measured(b))
		return (a + b) / 2;
	return measured(a) ? a : measured(b) ? b : -1;
}

int hpcp_node_medians(int n, const double *matrix, double *node_median,
		      double *cluster_median)
{
	double *row = malloc((size_t)(n > 0 ? n : 1) * sizeof(*row));
	double *meds = malloc((size_t)(n > 0 ? n : 1) * sizeof(*meds));
	int count = 0;

	*cluster_median = 0;
	if (!row || !meds) {
		free(row);
		free(meds);
		return -ENOMEM;
	}
	for (int i = 0; i < n; i++) {
		int k = 0;

		for (int j = 0; j < n; j++)
			if (j != i && measured(cell(n, matrix, i, j)))
				row[k++] = cell(n, matrix, i, j);
		node_median[i] = k ? fast_median(row, k) : -1;
		if (k)
			meds[count++] = node_median[i];
	}
	*cluster_median = fast_median(meds, count);
	free(row);
	free(meds);
	return count;
}

#define POLISH_MAX_SWEEPS 200
#define POLISH_TOLERANCE_NS 0.001

int hpcp_outliers_fit(int n, const double *matrix, double *effect,
		      double *best_excess, int *outlier,
		      struct hpcp_outlier_fit *fit)
{
	size_t nn = (size_t)(n > 0 ? n : 1);
	double *r = malloc(nn * nn * sizeof(*r));   /* residuals, NaN: none */
	double *a = calloc(nn, sizeof(*a));
	double *step = malloc(nn * sizeof(*step));
	double *buf = malloc(nn * sizeof(*buf));
	int *has = calloc(nn, sizeof(*has));
	double *all = NULL;
	int cells = 0, rc = 0;

	memset(fit, 0, sizeof(*fit));
	for (int i = 0; i < n; i++) {
		outlier[i] = 0;
		effect[i] = NAN;
		best_excess[i] = NAN;
	}
	if (!r || !a || !step || !buf || !has) {
		rc = -ENOMEM;
		goto out;
	}
	/* Symmetric working copy; mu starts at the median of all pairs. */
	for (int i = 0; i < n; i++)
		for (int j = 0; j < n; j++) {
			double v = i == j ? -1 : cell(n, matrix, i, j);

			r[i * n + j] = measured(v) ? v : NAN;
			if (measured(v)) {
				has[i] = 1;
				cells += i < j;
			}
		}
	for (int i = 0; i < n; i++)
		fit->nodes += has[i];
	if (cells == 0)
		goto out;
	all = malloc((size_t)cells * sizeof(*all));
	if (!all) {
		rc = -ENOMEM;
		goto out;
	}
	{
		int k = 0;

		for (int i = 0; i < n; i++)
			for (int j = i + 1; j < n; j++)
				if (!isnan(r[i * n + j]))
					all[k++] = r[i * n + j];
		fit->mu = fast_median(all, k);
	}
	for (size_t c = 0; c < nn * nn; c++)
		r[c] -= fit->mu;
	for (fit->sweeps = 1; fit->sweeps <= POLISH_MAX_SWEEPS; fit->sweeps++) {
		double biggest = 0, m;
		int k = 0;

		for (int i = 0; i < n; i++) {
			int c = 0;

			for (int j = 0; j < n; j++)
				if (!isnan(r[i * n + j]))
					buf[c++] = r[i * n + j];
			step[i] = c ? fast_median(buf, c) / 2 : 0;
			if (fabs(step[i]) > biggest)
				biggest = fabs(step[i]);
		}
		for (int i = 0; i < n; i++) {
			a[i] += step[i];
			for (int j = 0; j < n; j++)
				r[i * n + j] -= step[i] + step[j];
		}
		/* Keep the effects centred: a shift of all a by m is 2m in
		 * mu, residuals unchanged. */
		for (int i = 0; i < n; i++)
			if (has[i])
				buf[k++] = a[i];
		m = fast_median(buf, k);
		for (int i = 0; i < n; i++)
			a[i] -= m;
		fit->mu += 2 * m;
		if (biggest <= POLISH_TOLERANCE_NS)
			break;
	}
	if (fit->sweeps > POLISH_MAX_SWEEPS)
		fit->sweeps = POLISH_MAX_SWEEPS;
	{
		int k = 0;

		for (int i = 0; i < n; i++)
			if (has[i])
				buf[k++] = a[i];
		fit->center = fast_median(buf, k);
		k = 0;
		for (int i = 0; i < n; i++)
			if (has[i])
				buf[k++] = fabs(a[i] - fit->center);
		fit->mad = fast_median(buf, k);
	}
	fit->typical = fit->mu + 2 * fit->center;
	for (int i = 0; i < n; i++) {
		double least = INFINITY;

		if (!has[i])
			continue;
		effect[i] = a[i] - fit->center;
		for (int j = 0; j < n; j++) {
			double v = i == j ? -1 : cell(n, matrix, i, j);

			if (measured(v) &&
			    v - (fit->mu + fit->center + a[j]) < least)
				least = v - (fit->mu + fit->center + a[j]);
		}
		best_excess[i] = least;
	}
	if (fit->nodes < 3)
		goto out;
	fit->threshold = HPCP_OUTLIER_K * 1.4826 * fit->mad;
	if (fit->threshold < HPCP_OUTLIER_FLOOR * fit->typical)
		fit->threshold = HPCP_OUTLIER_FLOOR * fit->typical;
	for (int i = 0; i < n; i++) {
		outlier[i] = has[i] && effect[i] > fit->threshold &&
			     best_excess[i] > fit->threshold;
		fit->found += outlier[i];
	}
out:
	free(all);
	free(r);
	free(a);
	free(step);
	free(buf);
	free(has);
	return rc ? rc : fit->found;
}
