/* The train phase's steps: the gradient all-reduces (overlapped or not),
 * one step timed in parts, the evaluation, the untimed references, and
 * after the run the split of each step's wait into skew and exposed
 * communication (train_int.h). */
#include "config.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "hpcp/blas.h"
#include "hpcp/ctx.h"
#include "hpcp/log.h"
#include "hpcp/timer.h"

#include "train_int.h"

#define CALIBRATION_REPS 9

static void bucket_ready(int layer, float *grad, size_t count, void *arg)
{
	struct train_buckets *b = arg;
	int flag, rc;

	(void)layer;
	if (!b->overlap)
		return;
	if (!b->first_start)
		b->first_start = hpcp_now_ns();
	rc = MPI_Iallreduce(MPI_IN_PLACE, grad, (int)count, MPI_FLOAT,
			    MPI_SUM, b->comm, &b->req[b->n++]);
	/* Open MPI moves a non-blocking collective on only inside MPI
	 * calls: one test per layer lets it run under the next layer. */
	if (!rc)
		rc = MPI_Testall(b->n, b->req, &flag, MPI_STATUSES_IGNORE);
	if (rc)
		b->err = rc;
}

static void spin_until(uint64_t end)
{
	while (hpcp_now_ns() < end)
		;
}

static void sleep_ns(double ns)
{
	struct timespec ts = { .tv_sec = (time_t)(ns / 1e9),
			       .tv_nsec = (long)fmod(ns, 1e9) };

	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
}

/* All of the step's gradients (and its loss) summed: blocking, or the
 * non-blocking ones started during backward completed. */
static void finish_allreduce(struct train_state *st)
{
	struct train_buckets *b = &st->b;
	int rc = 0;

	if (!b->overlap) {
		b->first_start = hpcp_now_ns();
		for (int l = st->spec.n_layers - 1; l >= 0 && !rc; l--) {
			size_t count;
			float *g = st->be->grad(st->nn, l, &count);

			rc = MPI_Allreduce(MPI_IN_PLACE, g, (int)count,
					   MPI_FLOAT, MPI_SUM, b->comm);
		}
		if (!rc)
			rc = MPI_Allreduce(b->stat, b->stat_sum, 2,
					   MPI_DOUBLE, MPI_SUM, b->comm);
	} else {
		rc = MPI_Waitall(b->n, b->req, MPI_STATUSES_IGNORE);
	}
	/* A failed collective leaves the ranks out of step. */
	if (rc || b->err)
		hpcp_die(70, "train: a gradient all-reduce failed");
}

/* One step; returns the global batch's loss sum. */
double train_step_run(struct train_state *st, int first, struct train_step *r)
{
	struct train_buckets *b = &st->b;
	uint64_t t0, t1, t2, t3, t4;
	int correct = 0;

	t0 = hpcp_now_ns();
	train_gather(&st->train, st->perm, first + st->ctx->rank * st->local_b,
		     st->local_b, st->x, st->y);
	if (st->input_ns > 0)
		sleep_ns(st->input_ns);
	t1 = hpcp_now_ns();
	if (st->straggler == st->ctx->rank)
		spin_until(t1 + (uint64_t)st->straggle_ns);
	st->be->forward(st->nn, st->x, st->y, st->local_b, &b->stat[0],
			&correct);
	b->stat[1] = correct;
	b->n = 0;
	b->first_start = 0;
	if (b->overlap &&
	    MPI_Iallreduce(b->stat, b->stat_sum, 2, MPI_DOUBLE, MPI_SUM,
			   b->comm, &b->req[b->n++]) != MPI_SUCCESS)
		b->err = 1;
	st->be->backward(st->nn, 1.0f / (float)(st->local_b *
						st->ctx->size),
			 bucket_ready, b);
	t2 = hpcp_now_ns();
	finish_allreduce(st);
	t3 = hpcp_now_ns();
	st->be->update(st->nn, (float)st->o->lr, (float)st->o->momentum);
	t4 = hpcp_now_ns();
	r->data = (double)(t1 - t0);
	r->compute = (double)(t2 - t1);
	r->wait = (double)(t3 - t2);
	r->optimizer = (double)(t4 - t3);
	r->step = (double)(t4 - t0);
	r->ready = (double)(t2 - t0);
	r->ar_span = (double)(t3 - (b->first_start > t0 ? b->first_start :
							   t2));
	return b->stat_sum[0];
}

/* The test set, each rank its contiguous part: loss and accuracy. */
void train_evaluate(struct train_state *st, double *loss, double *acc)
{
	struct hpcp_ctx *ctx = st->ctx;
	int n = st->test.n, lo = (int)((long long)n * ctx->rank / ctx->size);
	int hi = (int)((long long)n * (ctx->rank + 1) / ctx->size);
	double s[2] = { 0, 0 }, sum[2];

	for (int i = lo; i < hi; i += st->local_b) {
		int c = hi - i < st->local_b ? hi - i : st->local_b, right = 0;
		double l = 0;

		st->be->forward(st->nn, st->test.x + (size_t)i * st->test.d,
				st->test.y + (size_t)i * st->test.t, c, &l,
				&right);
		s[0] += l;
		s[1] += right;
	}
	hpcp_mpi_or_die(MPI_Allreduce(s, sum, 2, MPI_DOUBLE, MPI_SUM,
				      ctx->comm), "train: evaluation");
	*loss = sum[0] / n;
	*acc = sum[1] / n;
}

/* The step's buckets all-reduced alone, blocking: what overlap hides. */
double train_allreduce_alone(struct train_state *st)
{
	double t[CALIBRATION_REPS], p50, p99;

	for (int k = 0; k < CALIBRATION_REPS; k++) {
		uint64_t t0;

		hpcp_mpi_or_die(MPI_Barrier(st->ctx->comm), "train: barrier");
		t0 = hpcp_now_ns();
		for (int l = st->spec.n_layers - 1; l >= 0; l--) {
			size_t count;
			float *g = st->be->grad(st->nn, l, &count);

			hpcp_mpi_or_die(MPI_Allreduce(MPI_IN_PLACE, g,
						      (int)count, MPI_FLOAT,
						      MPI_SUM,
						      st->ctx->comm),
					"train: calibration all-reduce");
		}
		t[k] = (double)(hpcp_now_ns() - t0);
	}
	train_percentiles(t, CALIBRATION_REPS, &p50, &p99);
	return p50;
}

/* This rank's sgemm rate at the first layer's shape and its batch. */
double train_sgemm_reference(struct train_state *st)
{
	int m = st->local_b, k = st->spec.width[0], n = st->spec.width[1];
	size_t count;
	float *w = st->be->params(st->nn, 0, &count);
	float *out = calloc((size_t)m * n, sizeof(float));
	double best = 0;

	if (!out)
		return 0;
	for (int rep = 0; rep < CALIBRATION_REPS; rep++) {
		uint64_t t0 = hpcp_now_ns(), t1;

		hpcp_blas_sgemm(0, 1, m, n, k, 1.0f, st->x, k, w, k, 0.0f,
				out, n);
		t1 = hpcp_now_ns();
		if (t1 > t0 && 2.0 * m * n * k / ((double)(t1 - t0) / 1e9) >
				       best)
			best = 2.0 * m * n * k / ((double)(t1 - t0) / 1e9);
	}
	free(out);
	return best;
}

struct double_int {
	double v;
	int rank;
};

/*
 * After the run: each step's wait split into skew (until the slowest
 * rank's gradient was in) and exposed communication, per-part totals and
 * percentiles into me; the job's per-step all-reduce span (longest over
 * ranks) p50 into *span_p50.
 */
int train_summarise(struct train_state *st, int n, struct train_rank *me,
		     double *span_p50)
{
	struct hpcp_ctx *ctx = st->ctx;
	struct double_int *mine = calloc((size_t)n, sizeof(*mine));
	struct double_int *slow = calloc((size_t)n, sizeof(*slow));
	double *part = calloc((size_t)n, sizeof(*part));
	double *span = calloc((size_t)n, sizeof(*span));
	double p99;

	if (!mine || !slow || !part || !span) {
		free(mine), free(slow), free(part), free(span);
		return -ENOMEM;
	}
	for (int i = 0; i < n; i++) {
		mine[i].v = st->rec[i].ready;
		mine[i].rank = ctx->rank;
		part[i] = st->rec[i].ar_span;
	}
	hpcp_mpi_or_die(MPI_Allreduce(mine, slow, n, MPI_DOUBLE_INT,
				      MPI_MAXLOC, ctx->comm),
			"train: the steps' slowest ranks");
	hpcp_mpi_or_die(MPI_Allreduce(part, span, n, MPI_DOUBLE, MPI_MAX,
				      ctx->comm),
			"train: the steps' all-reduce spans");
	train_percentiles(span, n, span_p50, &p99);
	for (int k = 0; k < TRAIN_PARTS; k++) {
		me->total[k] = 0;
		for (int i = 0; i < n; i++) {
			const struct train_step *r = &st->rec[i];
			double skew = slow[i].v - r->ready;

			skew = skew < 0 ? 0 : skew > r->wait ? r->wait : skew;
			part[i] = k == 0 ? r->data : k == 1 ? r->compute :
				  k == 2 ? r->wait - skew : k == 3 ? skew :
				  r->optimizer;
			me->total[k] += part[i];
		}
		train_percentiles(part, n, &me->p50[k], &me->p99[k]);
	}
	me->slowest_steps = 0;
	for (int i = 0; i < n; i++) {
		me->slowest_steps += slow[i].rank == ctx->rank;
		part[i] = st->rec[i].step;
	}
	train_percentiles(part, n, &me->step_p50, &me->step_p99);
	free(mine), free(slow), free(part), free(span);
	return 0;
}

void train_rank_rates(struct train_state *st, int n, struct train_rank *me)
{
	double samples = (double)st->local_b * n;
	double busy = me->total[0] + me->total[1] + me->total[4];

	me->samples_per_s = busy > 0 ? samples / (busy / 1e9) : 0;
	me->flops_per_s = me->total[1] > 0 ?
				  st->be->flops_per_sample(st->nn) * samples /
					  (me->total[1] / 1e9) :
				  0;
	me->load_ns = st->load_ns;
	me->peak_rss_bytes = (double)hpcp_peak_rss_self();
}

void train_weight_sums(struct train_state *st, double *sum, double *abs_sum)
{
	*sum = *abs_sum = 0;
	for (int l = 0; l < st->spec.n_layers; l++) {
		size_t count;
		const float *p = st->be->params(st->nn, l, &count);

		for (size_t i = 0; i < count; i++) {
			*sum += p[i];
			*abs_sum += fabs(p[i]);
		}
	}
}
