#include "config.h"

#include "hpcp/schedule.h"

#include <stdlib.h>

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

int hpcp_find_outliers(int n, const double *matrix, double *node_median,
		       int *outlier, double *cluster_median,
		       double *threshold)
{
	double *row = malloc((size_t)(n > 0 ? n : 1) * sizeof(*row));
	double *meds = malloc((size_t)(n > 0 ? n : 1) * sizeof(*meds));
	double *dev = malloc((size_t)(n > 0 ? n : 1) * sizeof(*dev));
	int measured = 0, found = 0;
	double center, mad, spread;

	*cluster_median = 0;
	*threshold = 0;
	for (int i = 0; i < n; i++)
		outlier[i] = 0;
	if (!row || !meds || !dev) {
		free(row);
		free(meds);
		free(dev);
		return -1;
	}
	for (int i = 0; i < n; i++) {
		int k = 0;

		for (int j = 0; j < n; j++)
			if (j != i && matrix[i * n + j] >= 0)
				row[k++] = matrix[i * n + j];
		node_median[i] = k ? hpcp_median(row, k) : -1;
		if (k)
			meds[measured++] = node_median[i];
	}
	if (measured >= 3) {
		center = hpcp_median(meds, measured);
		for (int i = 0, k = 0; i < n; i++)
			if (node_median[i] >= 0) {
				double d = node_median[i] - center;

				dev[k++] = d < 0 ? -d : d;
			}
		mad = hpcp_median(dev, measured);
		/* 1.4826 scales MAD to a standard deviation for normal data. */
		spread = 3 * 1.4826 * mad;
		if (spread < 0.10 * center)
			spread = 0.10 * center;
		*cluster_median = center;
		*threshold = center + spread;
		for (int i = 0; i < n; i++) {
			outlier[i] = node_median[i] > *threshold;
			found += outlier[i];
		}
	} else if (measured > 0) {
		*cluster_median = hpcp_median(meds, measured);
	}
	free(row);
	free(meds);
	free(dev);
	return found;
}
