/*
 * stencil: a 2-D Jacobi sweep (5-point average) on a grid split by rows
 * across the ranks; each round sweeps the local rows, then exchanges one
 * halo row with each neighbour and all-reduces the residual, as an
 * iterative solver does.  A rank holds lround(256 x factor) rows of 1024
 * columns.
 *
 * The grid starts as the plane u = x + 2y (global coordinates), which the
 * 5-point average maps onto itself exactly in floating point; after the
 * rounds every cell must still hold x + 2y, which checks the sweep and the
 * halo exchange together.
 */
#include "config.h"

#include "hpcp/kernel.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "hpcp/ctx.h"
#include "hpcp/probe.h"
#include "hpcp/report.h"

#define COLS 1024
#define BASE_ROWS 256
#define TAG_HALO 0x5354

struct stencil_state {
	int rows, cols, rounds;
	long long first_row;          /* global index of local row 1 */
	int up, down;                 /* neighbours, or MPI_PROC_NULL */
	double *u, *v;                /* (rows + 2) x (cols + 2) */
	double residual, global_residual;
};

#define AT(g, i, j) ((g)[(size_t)(i) * (size_t)(s->cols + 2) + (size_t)(j)])

static double plane(long long y, int x)
{
	return (double)x + 2.0 * (double)y;
}

static int stencil_setup(const struct hpcp_kernel_args *args, void **state,
			 char *why, size_t len)
{
	struct stencil_state *s;
	long long rows, before = 0;
	size_t cells;

	rows = llround(BASE_ROWS * args->factor);
	if (rows < 1)
		rows = 1;
	/* Where this rank's rows start in the global grid.  Collective, so
	 * before anything that could fail on one rank alone. */
	hpcp_mpi_or_die(MPI_Exscan(&rows, &before, 1, MPI_LONG_LONG, MPI_SUM,
				   args->comm),
			"MPI_Exscan of the stencil rows");
	s = calloc(1, sizeof(*s));
	if (!s) {
		snprintf(why, len, "out of memory");
		return -ENOMEM;
	}
	s->rows = (int)rows;
	s->cols = COLS;
	s->rounds = args->quick ? 24 : 60;
	s->first_row = args->rank == 0 ? 1 : before + 1;
	s->up = args->rank > 0 ? args->rank - 1 : MPI_PROC_NULL;
	s->down = args->rank < args->size - 1 ? args->rank + 1 : MPI_PROC_NULL;
	cells = (size_t)(s->rows + 2) * (size_t)(s->cols + 2);
	s->u = hpcp_probe_alloc(cells * sizeof(double));
	s->v = hpcp_probe_alloc(cells * sizeof(double));
	if (!s->u || !s->v) {
		free(s->u);
		free(s->v);
		free(s);
		snprintf(why, len, "out of memory for the grid");
		return -ENOMEM;
	}
	/* Halo rows and edge columns hold the plane too: they are the
	 * boundary condition where no neighbour overwrites them. */
	for (int i = 0; i < s->rows + 2; i++)
		for (int j = 0; j < s->cols + 2; j++)
			AT(s->u, i, j) = AT(s->v, i, j) =
				plane(s->first_row - 1 + i, j);
	*state = s;
	return 0;
}

static int stencil_rounds(const void *state)
{
	return ((const struct stencil_state *)state)->rounds;
}

static double stencil_work(const void *state)
{
	const struct stencil_state *s = state;

	return (double)s->rows * s->cols;
}

static void stencil_compute(void *state)
{
	struct stencil_state *s = state;
	double worst = 0;
	double *t;

	for (int i = 1; i <= s->rows; i++) {
		for (int j = 1; j <= s->cols; j++) {
			double next = 0.25 * (AT(s->u, i - 1, j) +
					      AT(s->u, i + 1, j) +
					      AT(s->u, i, j - 1) +
					      AT(s->u, i, j + 1));
			double d = fabs(next - AT(s->u, i, j));

			AT(s->v, i, j) = next;
			worst = d > worst ? d : worst;
		}
	}
	t = s->u;
	s->u = s->v;
	s->v = t;
	s->residual = worst;
}

static int stencil_communicate(void *state, MPI_Comm comm)
{
	struct stencil_state *s = state;
	int rc;

	/* First row up, bottom halo from below; last row down, top halo
	 * from above. */
	rc = MPI_Sendrecv(&AT(s->u, 1, 0), s->cols + 2, MPI_DOUBLE, s->up,
			  TAG_HALO, &AT(s->u, s->rows + 1, 0), s->cols + 2,
			  MPI_DOUBLE, s->down, TAG_HALO, comm,
			  MPI_STATUS_IGNORE);
	if (rc == MPI_SUCCESS)
		rc = MPI_Sendrecv(&AT(s->u, s->rows, 0), s->cols + 2,
				  MPI_DOUBLE, s->down, TAG_HALO,
				  &AT(s->u, 0, 0), s->cols + 2, MPI_DOUBLE,
				  s->up, TAG_HALO, comm, MPI_STATUS_IGNORE);
	if (rc == MPI_SUCCESS)
		rc = MPI_Allreduce(&s->residual, &s->global_residual, 1,
				   MPI_DOUBLE, MPI_MAX, comm);
	return rc == MPI_SUCCESS ? 0 : -EIO;
}

static int stencil_verify(void *state, MPI_Comm comm, int *correct,
			  char *why, size_t len)
{
	struct stencil_state *s = state;
	int ok = 1;

	for (int i = 1; i <= s->rows; i++)
		for (int j = 1; j <= s->cols; j++)
			if (AT(s->u, i, j) != plane(s->first_row - 1 + i, j))
				ok = 0;
	if (MPI_Allreduce(MPI_IN_PLACE, &ok, 1, MPI_INT, MPI_LAND, comm) !=
	    MPI_SUCCESS) {
		snprintf(why, len, "MPI_Allreduce failed");
		return -EIO;
	}
	*correct = ok;
	if (!ok)
		snprintf(why, len, "the grid left the plane x + 2y: sweep or "
				   "halo exchange is wrong");
	return 0;
}

static void stencil_describe(const void *state, struct hpcp_res *out)
{
	const struct stencil_state *s = state;

	hpcp_res_int(out, "columns_count", s->cols);
	hpcp_res_int(out, "rows_per_rank_base", BASE_ROWS);
	hpcp_res_int(out, "rounds", s->rounds);
	hpcp_res_str(out, "round_definition",
		     "one Jacobi sweep, a halo row to each neighbour, an "
		     "all-reduce of the residual");
}

static void stencil_teardown(void *state)
{
	struct stencil_state *s = state;

	if (!s)
		return;
	free(s->u);
	free(s->v);
	free(s);
}

const struct hpcp_kernel hpcp_kernel_stencil = {
	.name = "stencil",
	.work_unit = "cells",
	.setup = stencil_setup,
	.rounds = stencil_rounds,
	.work_per_round = stencil_work,
	.compute = stencil_compute,
	.communicate = stencil_communicate,
	.verify = stencil_verify,
	.describe = stencil_describe,
	.teardown = stencil_teardown,
};
