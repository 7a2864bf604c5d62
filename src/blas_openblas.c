/* The BLAS module over OpenBLAS's CBLAS (blas.h). */
#include "config.h"

#include <cblas.h>
#include <stdio.h>
#include <stdlib.h>

#include "hpcp/blas.h"

int hpcp_blas_available(char *why, size_t len)
{
	(void)why;
	(void)len;
	return 0;
}

void hpcp_blas_default_threads(void)
{
	if (!getenv("OPENBLAS_NUM_THREADS") && !getenv("OMP_NUM_THREADS"))
		openblas_set_num_threads(1);
}

void hpcp_blas_dgemm(int n, const double *a, const double *b, double *c)
{
	cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, n, n, n, 1.0, a,
		    n, b, n, 0.0, c, n);
}

void hpcp_blas_sgemm(int ta, int tb, int m, int n, int k, float alpha,
		     const float *a, int lda, const float *b, int ldb,
		     float beta, float *c, int ldc)
{
	cblas_sgemm(CblasRowMajor, ta ? CblasTrans : CblasNoTrans,
		    tb ? CblasTrans : CblasNoTrans, m, n, k, alpha, a, lda, b,
		    ldb, beta, c, ldc);
}

void hpcp_blas_info(struct hpcp_blas_info *info)
{
	snprintf(info->library, sizeof(info->library), "%s",
		 openblas_get_config());
	snprintf(info->core, sizeof(info->core), "%s",
		 openblas_get_corename());
	info->threads = openblas_get_num_threads();
}
