/*
 * The references for bench/compare-compute.sh, one process, nothing but
 * the loop: cblas_dgemm of the same size as hpcprobe's dgemm kernel (one
 * BLAS thread), and a STREAM-style triad over arrays of the given length.
 * Prints the best round of each, as the kernels report it.
 *
 * usage: bare_compute dgemm N CALLS ROUNDS | triad ELEMENTS ROUNDS
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#ifdef HAVE_BLAS
#include <cblas.h>
#endif

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void *page_alloc(size_t bytes)
{
	void *p = NULL;

	if (posix_memalign(&p, 4096, bytes))
		exit(1);
	memset(p, 0, bytes);
	return p;
}

static int dgemm(int n, int calls, int rounds)
{
#ifdef HAVE_BLAS
	double *a = page_alloc((size_t)n * n * 8), *b = page_alloc((size_t)n * n * 8);
	double *c = page_alloc((size_t)n * n * 8), best = 0;

	for (int i = 0; i < n * n; i++) {
		a[i] = (double)((i * 7) % 13 - 6) / 8;
		b[i] = (double)((i * 5) % 11 - 5) / 4;
	}
	openblas_set_num_threads(1);
	for (int r = 0; r < rounds; r++) {
		double t0 = now(), t;

		for (int k = 0; k < calls; k++)
			cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans,
				    n, n, n, 1.0, a, n, b, n, 0.0, c, n);
		t = now() - t0;
		if (2.0 * n * n * (double)n * calls / t > best)
			best = 2.0 * n * n * (double)n * calls / t;
	}
	printf("dgemm best_flops_per_s=%.6g\n", best);
	return 0;
#else
	(void)n, (void)calls, (void)rounds;
	fprintf(stderr, "built without OpenBLAS\n");
	return 2;
#endif
}

static int triad(size_t n, int rounds)
{
	double *a = page_alloc(n * 8), *b = page_alloc(n * 8);
	double *c = page_alloc(n * 8), best = 0;

	for (size_t j = 0; j < n; j++) {
		b[j] = (double)(j % 1024);
		c[j] = (double)(j % 512);
	}
	for (int r = 0; r < rounds; r++) {
		double t0 = now(), t;

		for (size_t j = 0; j < n; j++)
			a[j] = b[j] + 3.0 * c[j];
		t = now() - t0;
		if (24.0 * (double)n / t > best)
			best = 24.0 * (double)n / t;
	}
	printf("triad best_bytes_per_s=%.6g (a[1]=%g)\n", best, a[1]);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 5 && strcmp(argv[1], "dgemm") == 0)
		return dgemm(atoi(argv[2]), atoi(argv[3]), atoi(argv[4]));
	if (argc == 4 && strcmp(argv[1], "triad") == 0)
		return triad((size_t)atoll(argv[2]), atoi(argv[3]));
	fprintf(stderr, "usage: bare_compute dgemm N CALLS ROUNDS | "
			"triad ELEMENTS ROUNDS\n");
	return 2;
}
