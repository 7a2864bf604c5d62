/*
 * A least-squares problem with a known optimum, for the train phase's
 * truth test: lsq_data DIR N D SEED writes DIR/train-images-idx2-ubyte
 * (N x D features, uniform in [-1, 1]), DIR/train-labels-idx1-ubyte (N
 * targets y = x.w + b + noise) and a t10k pair of N/4 samples, all float32
 * IDX, then prints the optimum of the training set that LAPACK's dgels
 * (OpenBLAS) finds in double, as the train phase reports it:
 *   loss=<0.5 x mean squared residual> weights_sum=<sum of w and b>
 */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "hpcp/idx.h"
#include "hpcp/rand.h"

/* LAPACK's least squares by QR, column-major (Fortran). */
void dgels_(const char *trans, const int *m, const int *n, const int *nrhs,
	    double *a, const int *lda, double *b, const int *ldb,
	    double *work, const int *lwork, int *info);

static double uniform(uint64_t *s)
{
	return (double)(hpcp_splitmix64(s) >> 11) / 9007199254740992.0 * 2 -
	       1;
}

static int write_set(const char *dir, const char *prefix, int n, int d,
		     const double *w, double b, uint64_t *s, float *x,
		     float *y)
{
	char path[4096], why[512];
	uint32_t dims[2] = { (uint32_t)n, (uint32_t)d };

	for (int i = 0; i < n; i++) {
		double t = b + 0.1 * uniform(s);

		for (int j = 0; j < d; j++) {
			x[(size_t)i * d + j] = (float)uniform(s);
			t += w[j] * x[(size_t)i * d + j];
		}
		y[i] = (float)t;
	}
	snprintf(path, sizeof(path), "%s/%s-images-idx2-ubyte", dir, prefix);
	if (hpcp_idx_write_f32(path, 2, dims, x, why, sizeof(why)) == 0) {
		snprintf(path, sizeof(path), "%s/%s-labels-idx1-ubyte", dir,
			 prefix);
		if (hpcp_idx_write_f32(path, 1, dims, y, why, sizeof(why)) == 0)
			return 0;
	}
	fprintf(stderr, "lsq_data: %s\n", why);
	return 1;
}

int main(int argc, char **argv)
{
	int n, d, cols, one = 1, lwork = -1, info;
	uint64_t s;
	double *w, *a, *r, q, loss = 0, sum = 0;
	float *x, *y;

	if (argc != 5 || (n = atoi(argv[2])) < 8 || (d = atoi(argv[3])) < 1 ||
	    d > 64 || n < 2 * d) {
		fprintf(stderr, "usage: lsq_data DIR N D SEED (N >= 2 D)\n");
		return 2;
	}
	s = strtoull(argv[4], NULL, 10);
	cols = d + 1;
	w = calloc((size_t)cols, sizeof(*w));
	a = calloc((size_t)n * cols, sizeof(*a));
	r = calloc((size_t)n, sizeof(*r));
	x = calloc((size_t)n * d, sizeof(*x));
	y = calloc((size_t)n, sizeof(*y));
	if (!w || !a || !r || !x || !y)
		return 1;
	for (int j = 0; j <= d; j++)
		w[j] = 2 * uniform(&s);
	if (write_set(argv[1], "t10k", n / 4, d, w, w[d], &s, x, y) ||
	    write_set(argv[1], "train", n, d, w, w[d], &s, x, y))
		return 1;
	/* [X 1] in column-major, the targets as read back in float. */
	for (int i = 0; i < n; i++) {
		for (int j = 0; j < d; j++)
			a[(size_t)j * n + i] = x[(size_t)i * d + j];
		a[(size_t)d * n + i] = 1;
		r[i] = y[i];
	}
	dgels_("N", &n, &cols, &one, a, &n, r, &n, &q, &lwork, &info);
	lwork = (int)q;
	{
		double *work = malloc((size_t)lwork * sizeof(*work));

		if (!work)
			return 1;
		dgels_("N", &n, &cols, &one, a, &n, r, &n, work, &lwork,
		       &info);
		free(work);
	}
	if (info != 0) {
		fprintf(stderr, "lsq_data: dgels failed: info %d\n", info);
		return 1;
	}
	/* dgels leaves the solution in r[0..cols) and the residual's
	 * squares' sum in r[cols..n). */
	for (int j = 0; j < cols; j++)
		sum += r[j];
	for (int i = cols; i < n; i++)
		loss += r[i] * r[i];
	printf("loss=%.12g weights_sum=%.12g\n", 0.5 * loss / n, sum);
	free(w), free(a), free(r), free(x), free(y);
	return 0;
}
