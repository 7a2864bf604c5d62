/*
 * Dense linear algebra for the dgemm kernel.
 *
 * Only src/blas_openblas.c includes cblas.h; a build without OpenBLAS
 * links src/blas_none.c, which says so (the pattern of counters_papi.c and
 * counters_none.c: one header, one file per build-time choice, no #ifdef
 * in the callers).
 */
#ifndef HPCP_BLAS_H
#define HPCP_BLAS_H

#include <stddef.h>

struct hpcp_blas_info {
	char library[256];   /* the library's own configuration string */
	char core[64];       /* the core type it tuned for */
	int threads;         /* threads per rank */
};

/* 0, or -ENOTSUP with the reason (what to install) in why. */
int hpcp_blas_available(char *why, size_t len);

/* One BLAS thread per rank unless OPENBLAS_NUM_THREADS or OMP_NUM_THREADS
 * says otherwise: ranks x threads must not exceed the cores. */
void hpcp_blas_default_threads(void);

/* C = A x B, n x n doubles, row-major. */
void hpcp_blas_dgemm(int n, const double *a, const double *b, double *c);

/* C = alpha op(A) op(B) + beta C in floats, row-major: op(A) is m x k,
 * op(B) k x n, C m x n; op transposes when ta (tb) is nonzero; lda, ldb,
 * ldc are the stored matrices' row lengths. */
void hpcp_blas_sgemm(int ta, int tb, int m, int n, int k, float alpha,
		     const float *a, int lda, const float *b, int ldb,
		     float beta, float *c, int ldc);

void hpcp_blas_info(struct hpcp_blas_info *info);

#endif
