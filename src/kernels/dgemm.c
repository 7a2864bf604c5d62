/*
 * dgemm: C = A x B of n x n doubles through CBLAS (OpenBLAS), 2 n^3 flops
 * a call, one BLAS thread per rank unless OPENBLAS_NUM_THREADS says
 * otherwise (ranks x threads must not exceed the cores).  A round is
 * lround(8 x factor) calls; verified afterwards, HPCC-style, on sampled
 * entries against a plain dot product.  n = 128: the three matrices fit a
 * core's L2, so ranks share no resource while computing and the load
 * balance follows the work; a round is a few ms and 40 rounds give the
 * per-rank median round time something to stand on.
 */
#include "config.h"

#include "hpcp/kernel.h"

#include <errno.h>
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hpcp/blas.h"
#include "hpcp/probe.h"
#include "hpcp/report.h"

#define N 128
#define BASE_CALLS 8

struct dgemm_state {
	int n, calls, rounds;
	double *a, *b, *c;
	double sink;
};

static int dgemm_setup(const struct hpcp_kernel_args *args, void **state,
		       char *why, size_t len)
{
	struct dgemm_state *s;
	size_t bytes = (size_t)N * N * sizeof(double);
	int rc = hpcp_blas_available(why, len);

	if (rc)
		return rc;
	s = calloc(1, sizeof(*s));
	if (!s) {
		snprintf(why, len, "out of memory");
		return -ENOMEM;
	}
	s->n = N;
	s->calls = (int)lround(BASE_CALLS * args->factor);
	if (s->calls < 1)
		s->calls = 1;
	s->rounds = args->quick ? 16 : 40;
	s->a = hpcp_probe_alloc(bytes);
	s->b = hpcp_probe_alloc(bytes);
	s->c = hpcp_probe_alloc(bytes);
	if (!s->a || !s->b || !s->c) {
		free(s->a);
		free(s->b);
		free(s->c);
		free(s);
		snprintf(why, len, "out of memory for %d x %d matrices", N, N);
		return -ENOMEM;
	}
	for (int i = 0; i < N * N; i++) {
		s->a[i] = (double)((i * 7) % 13 - 6) / 8;
		s->b[i] = (double)((i * 5) % 11 - 5) / 4;
	}
	hpcp_blas_default_threads();
	*state = s;
	return 0;
}

static int dgemm_rounds(const void *state)
{
	return ((const struct dgemm_state *)state)->rounds;
}

static double dgemm_work(const void *state)
{
	const struct dgemm_state *s = state;

	return 2.0 * s->n * (double)s->n * s->n * s->calls;
}

static void dgemm_compute(void *state)
{
	struct dgemm_state *s = state;

	for (int k = 0; k < s->calls; k++)
		hpcp_blas_dgemm(s->n, s->a, s->b, s->c);
}

static void dgemm_reference(void *state)
{
	struct dgemm_state *s = state;

	hpcp_blas_dgemm(s->n, s->a, s->b, s->c);
}

static int dgemm_communicate(void *state, MPI_Comm comm)
{
	struct dgemm_state *s = state;
	double mine = s->c[0];

	return MPI_Allreduce(&mine, &s->sink, 1, MPI_DOUBLE, MPI_SUM, comm) ==
			       MPI_SUCCESS ? 0 : -EIO;
}

static int dgemm_verify(void *state, MPI_Comm comm, int *correct, char *why,
			size_t len)
{
	struct dgemm_state *s = state;
	int ok = 1, n = s->n;

	/* HPCC's test: scaled residual of sampled entries below 16. */
	for (int t = 0; t < 64; t++) {
		int i = (t * 37) % n, j = (t * 101 + 7) % n;
		double ref = 0, scale = 0;

		for (int k = 0; k < n; k++) {
			ref += s->a[i * n + k] * s->b[k * n + j];
			scale += fabs(s->a[i * n + k] * s->b[k * n + j]);
		}
		if (fabs(s->c[i * n + j] - ref) > 16.0 * n * DBL_EPSILON * scale)
			ok = 0;
	}
	if (MPI_Allreduce(MPI_IN_PLACE, &ok, 1, MPI_INT, MPI_LAND, comm) !=
	    MPI_SUCCESS) {
		snprintf(why, len, "MPI_Allreduce failed");
		return -EIO;
	}
	*correct = ok;
	if (!ok)
		snprintf(why, len, "dgemm result off by more than 16 scaled "
				   "residuals");
	return 0;
}

static void dgemm_describe(const void *state, struct hpcp_res *out)
{
	const struct dgemm_state *s = state;
	struct hpcp_res *blas = hpcp_res_object(out, "blas");
	const char *vars[] = { "OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS",
			       "OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE", NULL };
	struct hpcp_res *env;
	struct hpcp_blas_info info;

	hpcp_res_int(out, "matrix_n", s->n);
	hpcp_res_int(out, "calls_per_round_base", BASE_CALLS);
	hpcp_res_int(out, "rounds", s->rounds);
	hpcp_res_str(out, "flops_definition", "2 n^3 per call");
	hpcp_blas_info(&info);
	hpcp_res_str(blas, "library", info.library);
	hpcp_res_str(blas, "core", info.core);
	hpcp_res_int(blas, "threads_per_rank", info.threads);
	env = hpcp_res_object(blas, "environment");
	for (int i = 0; vars[i]; i++)
		if (getenv(vars[i]))
			hpcp_res_str(env, vars[i], getenv(vars[i]));
}

static void dgemm_teardown(void *state)
{
	struct dgemm_state *s = state;

	if (!s)
		return;
	free(s->a);
	free(s->b);
	free(s->c);
	free(s);
}

const struct hpcp_kernel hpcp_kernel_dgemm = {
	.name = "dgemm",
	.work_unit = "flops",
	.setup = dgemm_setup,
	.rounds = dgemm_rounds,
	.work_per_round = dgemm_work,
	.compute = dgemm_compute,
	.reference = dgemm_reference,
	.reference_definition = "one call of the same 128 x 128 dgemm, on the "
				"same matrices",
	.communicate = dgemm_communicate,
	.verify = dgemm_verify,
	.describe = dgemm_describe,
	.teardown = dgemm_teardown,
};
