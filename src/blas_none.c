/* The BLAS module of a build without OpenBLAS (blas.h): it says so. */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "hpcp/blas.h"

int hpcp_blas_available(char *why, size_t len)
{
	snprintf(why, len, "built without OpenBLAS (install libopenblas-dev, "
			   "configure --with-blas)");
	return -ENOTSUP;
}

void hpcp_blas_default_threads(void)
{
}

void hpcp_blas_dgemm(int n, const double *a, const double *b, double *c)
{
	(void)n;
	(void)a;
	(void)b;
	(void)c;
}

void hpcp_blas_info(struct hpcp_blas_info *info)
{
	memset(info, 0, sizeof(*info));
}

void hpcp_blas_sgemm(int ta, int tb, int m, int n, int k, float alpha,
		     const float *a, int lda, const float *b, int ldb,
		     float beta, float *c, int ldc)
{
	(void)ta, (void)tb, (void)m, (void)n, (void)k, (void)alpha;
	(void)a, (void)lda, (void)b, (void)ldb, (void)beta, (void)c;
	(void)ldc;
}
