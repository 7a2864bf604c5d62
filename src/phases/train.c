/*
 * train: data-parallel training of a multi-layer perceptron on a real
 * dataset (Fashion-MNIST by default), with the time of every step split
 * into where it went.
 *
 * Method.  The first rank of each node reads the dataset (IDX files) into
 * memory the node's ranks share (one copy a node), then each epoch
 * the same seeded shuffle on every rank orders the samples; global batch b
 * of B samples is split in P equal shards, rank r taking the r-th, so the
 * sequence of global batches is the same at any rank count.  A rank's
 * gradient is that of its shard's loss sum over B; summed by all-reduce
 * it is the gradient of the global batch's mean loss, applied by SGD with
 * momentum identically on every rank.  With overlap (the default) each
 * layer's gradient is all-reduced (MPI_Iallreduce) as soon as backward
 * has produced it, while backward goes on below; --train-overlap off
 * all-reduces after backward, blocking.  The step's loss sum and correct
 * count travel in one more small all-reduce.  A last partial global batch
 * of an epoch is dropped.
 *
 * A step is split per rank: data (gathering the shard, shuffled), compute
 * (forward and backward), then waiting for the all-reduces, then the
 * optimiser.  The wait is split after the run, from all ranks' per-step
 * times: the part until the slowest rank's gradient was in (ready = data
 * + compute, since the steps start together after the last step's
 * all-reduce) is skew; the rest is exposed communication.
 *
 * This file runs the phase; train_data.c reads and shards the data and
 * train_report.c writes the results (train_int.h between them).
 */
#include "config.h"

/* What the phase measures (hpcp/metrics.h): all of this file that the
 * report tool compiles (HPCP_METRICS_ONLY: no MPI). */
#include "hpcp/metrics.h"

static const struct hpcp_metric_label epoch_labels[] = {
	{ .name = "epoch", .level = 0, .path = "epoch", .emf = "Epoch",
	  .prom = "epoch" },
	{ 0 },
};

static const struct hpcp_metric train_metrics[] = {
	{
		.each = "epochs/[]", .path = "epoch_ns", .unit = "ns",
		.kind = HPCP_METRIC_VALUE, .better = HPCP_BETTER_LOWER,
		.labels = epoch_labels, .column = "epoch time",
		.html_column = "epoch s", .html_scale = 1e-9,
		.emf = "EpochTime", .emf_unit = "Seconds", .emf_scale = 1e-9,
		.prom = "hpcprobe_train_epoch_seconds",
		.prom_help = "Wall time of the epoch's training steps.",
		.prom_scale = 1e-9,
	},
	{
		.each = "epochs/[]", .path = "train_loss", .unit = "loss",
		.kind = HPCP_METRIC_VALUE, .better = HPCP_BETTER_LOWER,
		.labels = epoch_labels, .column = "train loss",
		.html_column = "train loss", .html_scale = 1,
		.emf = "TrainLoss", .emf_unit = "None", .emf_scale = 1,
		.prom = "hpcprobe_train_loss",
		.prom_help = "Mean training loss over the epoch's samples.",
		.prom_scale = 1,
	},
	{
		.each = "epochs/[]", .path = "test_accuracy_ratio",
		.unit = "ratio", .kind = HPCP_METRIC_RATIO,
		.better = HPCP_BETTER_HIGHER, .labels = epoch_labels,
		.column = "test accuracy", .html_column = "test accuracy",
		.html_scale = 1,
		.emf = "TestAccuracy", .emf_unit = "None", .emf_scale = 1,
		.prom = "hpcprobe_train_test_accuracy_ratio",
		.prom_help = "Test-set accuracy after the epoch.",
		.prom_scale = 1,
	},
	{
		.each = "", .path = "samples_per_s", .unit = "samples/s",
		.kind = HPCP_METRIC_RATE, .better = HPCP_BETTER_HIGHER,
		.gate = "train.{key}",
		.emf = "SamplesPerSecond", .emf_unit = "Count/Second",
		.emf_scale = 1,
		.prom = "hpcprobe_train_samples_per_second",
		.prom_help = "Training samples per second, all ranks.",
		.prom_scale = 1,
	},
	{
		.each = "", .path = "step_fractions/exposed_communication_ratio",
		.unit = "ratio", .kind = HPCP_METRIC_RATIO,
		.better = HPCP_BETTER_LOWER,
		.emf = "ExposedCommPercent", .emf_unit = "Percent",
		.emf_scale = 100,
		.prom = "hpcprobe_train_exposed_communication_ratio",
		.prom_help = "Share of a step spent waiting on the gradient "
			     "all-reduce after compute, beyond skew.",
		.prom_scale = 1,
	},
};

HPCP_PHASE_METRICS(train, train_metrics);

#ifndef HPCP_METRICS_ONLY

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include "hpcp/blas.h"
#include "hpcp/ctx.h"
#include "hpcp/log.h"
#include "hpcp/nnkeep.h"
#include "hpcp/num.h"
#include "hpcp/opt.h"
#include "hpcp/phase.h"
#include "hpcp/rand.h"
#include "hpcp/report.h"
#include "hpcp/timer.h"
#include "hpcp/watch.h"

#include "train_int.h"

#define DEFAULT_EPOCHS 3
#define QUICK_EPOCHS 2
#define QUICK_SAMPLES 12000


static const struct train_opts train_defaults = {
	.data = TRAIN_DEFAULT_DATA, .hidden = "256,128", .overlap = "on",
	.epochs = DEFAULT_EPOCHS, .batch = 128, .samples = 0, .seed = 1,
	.lr = 0.05, .momentum = 0.9, .target = 0.85,
};

/* A duration: a number and ns, us, ms or s, up to 10 s. */
static int parse_duration(const char *s, double *ns)
{
	return hpcp_parse_duration(s, 10e9, ns);
}

static int check_duration(const char *v, char *err, size_t len)
{
	double ns;

	if (parse_duration(v, &ns) == 0)
		return 0;
	snprintf(err, len, "expects a duration up to 10 s, e.g. 500us, 5ms");
	return -EINVAL;
}

/* "R:DURATION": rank R, *ns. */
static int parse_straggler(const char *v, long *rank, double *ns)
{
	char *end;

	*rank = strtol(v, &end, 10);
	if (end == v || *end != ':' || *rank < 0 || *rank > 1L << 24)
		return -EINVAL;
	return parse_duration(end + 1, ns);
}

static int check_straggler(const char *v, char *err, size_t len)
{
	long r;
	double ns;

	if (parse_straggler(v, &r, &ns) == 0)
		return 0;
	snprintf(err, len, "expects RANK:DURATION, e.g. 1:5ms");
	return -EINVAL;
}

static int check_overlap(const char *v, char *err, size_t len)
{
	if (strcmp(v, "on") == 0 || strcmp(v, "off") == 0)
		return 0;
	snprintf(err, len, "expects on or off");
	return -EINVAL;
}

/* Hidden widths: "0" (none) or 1..HPCP_NN_MAX_LAYERS-1 widths 1..65536. */
static int parse_hidden(const char *v, int *w, int *n)
{
	const char *p = v;

	*n = 0;
	if (strcmp(v, "0") == 0)
		return 0;
	while (*p) {
		char *end;
		long x = strtol(p, &end, 10);

		if (end == p || x < 1 || x > 65536 ||
		    *n == HPCP_NN_MAX_LAYERS - 1)
			return -EINVAL;
		w[(*n)++] = (int)x;
		if (*end == ',' && end[1])
			end++;
		else if (*end)
			return -EINVAL;
		p = end;
	}
	return *n ? 0 : -EINVAL;
}

static int check_hidden(const char *v, char *err, size_t len)
{
	int w[HPCP_NN_MAX_LAYERS], n;

	if (parse_hidden(v, w, &n) == 0)
		return 0;
	snprintf(err, len, "expects 0 (no hidden layer) or up to %d widths "
		 "1..65536, comma-separated", HPCP_NN_MAX_LAYERS - 1);
	return -EINVAL;
}

#define OFF(f) offsetof(struct train_opts, f)

static const struct hpcp_opt train_options[] = {
	{ .long_name = "train-data", .kind = HPCP_OPT_PATH, .metavar = "DIR",
	  .help = "folder of IDX files train-{images,labels}-idxN-ubyte[.gz] "
		  "and t10k-...",
	  .default_text = TRAIN_DEFAULT_DATA " (Fashion-MNIST)",
	  .value_offset = OFF(data), .given_offset = HPCP_OPT_NOT_TRACKED },
	{ .long_name = "train-epochs", .kind = HPCP_OPT_COUNT, .metavar = "N",
	  .help = "passes over the training set",
	  .default_text = "3 (2 with --quick)", .min = 1, .max = 1000,
	  .value_offset = OFF(epochs), .given_offset = OFF(epochs_given) },
	{ .long_name = "train-batch", .kind = HPCP_OPT_COUNT, .metavar = "N",
	  .help = "global batch: samples per step over all ranks, a multiple "
		  "of the rank count",
	  .default_text = "128", .min = 1, .max = 1u << 20,
	  .value_offset = OFF(batch), .given_offset = HPCP_OPT_NOT_TRACKED },
	{ .long_name = "train-samples", .kind = HPCP_OPT_COUNT, .metavar = "N",
	  .help = "train on the first N samples; 0: all",
	  .default_text = "0 (12000 with --quick)", .min = 0, .max = 1u << 30,
	  .value_offset = OFF(samples), .given_offset = OFF(samples_given) },
	{ .long_name = "train-hidden", .kind = HPCP_OPT_STRING,
	  .metavar = "LIST", .max_len = 64,
	  .check = check_hidden,
	  .help = "hidden layer widths, comma-separated; 0: none (a linear "
		  "model)",
	  .default_text = "256,128",
	  .value_offset = OFF(hidden), .given_offset = HPCP_OPT_NOT_TRACKED },
	{ .long_name = "train-lr", .kind = HPCP_OPT_REAL, .metavar = "X",
	  .help = "learning rate of SGD with momentum",
	  .default_text = "0.05", .real_min = 1e-9, .real_max = 100,
	  .value_offset = OFF(lr), .given_offset = HPCP_OPT_NOT_TRACKED },
	{ .long_name = "train-momentum", .kind = HPCP_OPT_REAL, .metavar = "X",
	  .help = "momentum: v = m v + g, w -= lr v",
	  .default_text = "0.9", .real_min = 0, .real_max = 0.999,
	  .value_offset = OFF(momentum), .given_offset = HPCP_OPT_NOT_TRACKED },
	{ .long_name = "train-seed", .kind = HPCP_OPT_COUNT, .metavar = "N",
	  .help = "seed of the initial weights and the shuffles",
	  .default_text = "1", .min = 0, .max = UINT64_MAX,
	  .value_offset = OFF(seed), .given_offset = HPCP_OPT_NOT_TRACKED },
	{ .long_name = "train-overlap", .kind = HPCP_OPT_STRING,
	  .metavar = "on|off",
	  .check = check_overlap,
	  .help = "all-reduce each layer's gradient during backward (on) or "
		  "after it, blocking (off)",
	  .default_text = "on",
	  .value_offset = OFF(overlap), .given_offset = HPCP_OPT_NOT_TRACKED },
	{ .long_name = "train-target", .kind = HPCP_OPT_REAL, .metavar = "X",
	  .help = "test accuracy whose time to reach is reported",
	  .default_text = "0.85", .real_min = 0, .real_max = 1,
	  .value_offset = OFF(target), .given_offset = HPCP_OPT_NOT_TRACKED },
	{ .long_name = "train-straggler", .kind = HPCP_OPT_STRING,
	  .metavar = "R:TIME", .max_len = 32,
	  .check = check_straggler,
	  .help = "fault injection: rank R computes TIME longer every step",
	  .default_text = "none",
	  .value_offset = OFF(straggler),
	  .given_offset = HPCP_OPT_NOT_TRACKED },
	{ .long_name = "train-input-delay", .kind = HPCP_OPT_STRING,
	  .metavar = "TIME", .max_len = 32,
	  .check = check_duration,
	  .help = "fault injection: every rank waits TIME for its input "
		  "every step",
	  .default_text = "none",
	  .value_offset = OFF(input_delay),
	  .given_offset = HPCP_OPT_NOT_TRACKED },
	{ .long_name = "train-checkpoint-dir", .kind = HPCP_OPT_PATH,
	  .metavar = "DIR",
	  .help = "after each epoch write the model and optimiser state "
		  "there (the FSx mount on AWS), read it back and time both "
		  "(the Spot cost's checkpoint and restart times)",
	  .default_text = "none (no checkpoints)",
	  .value_offset = OFF(checkpoint_dir),
	  .given_offset = HPCP_OPT_NOT_TRACKED },
	{ .long_name = NULL },
};

extern const struct hpcp_phase hpcp_phase_train;

static const struct train_opts *opts_of(const struct hpcp_config *cfg)
{
	const struct train_opts *o = hpcp_phase_opts(cfg, &hpcp_phase_train);

	return o ? o : &train_defaults;
}

/* A checkpoint directory that cannot be one: bad input, before the run. */
static int check_checkpoint_dir(const char *dir, char *err, size_t len)
{
	struct statvfs vfs;
	struct stat st;

	if (!dir)
		return 0;
	if (stat(dir, &st) != 0) {
		snprintf(err, len, "--train-checkpoint-dir: %s: %s", dir,
			 strerror(errno));
		return -EINVAL;
	}
	if (!S_ISDIR(st.st_mode)) {
		snprintf(err, len, "--train-checkpoint-dir: %s is not a "
			 "directory", dir);
		return -EINVAL;
	}
	if ((statvfs(dir, &vfs) == 0 && (vfs.f_flag & ST_RDONLY)) ||
	    access(dir, W_OK | X_OK) != 0) {
		snprintf(err, len, "--train-checkpoint-dir: %s is read-only "
			 "(the checkpoints are written there)", dir);
		return -EINVAL;
	}
	return 0;
}

/* Bad input that only the rank count shows: before anything runs. */
static int train_check_job(const struct hpcp_config *cfg, int ranks,
			   char *err, size_t len)
{
	const struct train_opts *o = opts_of(cfg);
	long r;
	double ns;

	if (o->batch % (uint64_t)ranks != 0) {
		snprintf(err, len, "--train-batch: %llu is not a multiple of "
			 "the %d ranks (each rank takes an equal shard)",
			 (unsigned long long)o->batch, ranks);
		return -EINVAL;
	}
	if (o->straggler && parse_straggler(o->straggler, &r, &ns) == 0 &&
	    r >= ranks) {
		snprintf(err, len, "--train-straggler: rank %ld of %d ranks",
			 r, ranks);
		return -EINVAL;
	}
	return check_checkpoint_dir(o->checkpoint_dir, err, len);
}



static int build(struct train_state *st, char *why, size_t len)
{
	const struct train_opts *o = st->o;
	int hidden[HPCP_NN_MAX_LAYERS], nh = 0, rc;
	int classes = st->train.classes > st->test.classes ?
			      st->train.classes : st->test.classes;

	(void)parse_hidden(o->hidden, hidden, &nh);
	memset(&st->spec, 0, sizeof(st->spec));
	st->spec.n_layers = nh + 1;
	st->spec.width[0] = st->train.d;
	for (int i = 0; i < nh; i++)
		st->spec.width[i + 1] = hidden[i];
	st->spec.width[nh + 1] = classes ? classes : st->train.t;
	st->spec.loss = classes ? HPCP_NN_SOFTMAX_XENT : HPCP_NN_MSE;
	st->spec.max_batch = st->local_b;
	st->spec.seed = o->seed;
	/* A linear model's loss is convex: start it at 0, as a solver would;
	 * hidden layers need random weights to break their symmetry. */
	st->spec.zero_init = nh == 0;
	rc = st->be->available(why, len);
	if (rc)
		return rc;
	return st->be->create(&st->spec, &st->nn, why, len);
}

static uint64_t epoch_seed(uint64_t seed, int epoch)
{
	uint64_t s = seed ^ (0x5851f42d4c957f2dull * (uint64_t)(epoch + 1));

	return hpcp_splitmix64(&s);
}

static int setup(struct train_state *st, char *why, size_t len)
{
	const struct train_opts *o = st->o;
	struct hpcp_ctx *ctx = st->ctx;
	uint64_t samples = o->samples;
	long r = -1;
	int rc;

	if (!o->samples_given && ctx->cfg.quick)
		samples = QUICK_SAMPLES;
	st->epochs = (int)(!o->epochs_given && ctx->cfg.quick ? QUICK_EPOCHS :
								o->epochs);
	st->local_b = (int)(o->batch / (uint64_t)ctx->size);
	st->straggler = -1;
	if (o->straggler && parse_straggler(o->straggler, &r,
					    &st->straggle_ns) == 0)
		st->straggler = (int)r;
	if (o->input_delay)
		(void)parse_duration(o->input_delay, &st->input_ns);
	rc = hpcp_ctx_agree(ctx, train_load_node(st, why, len));
	if (rc) {
		if (!why[0])
			snprintf(why, len, "another rank could not read the "
				 "dataset (its log says why)");
		return rc == -ENOENT ? -ENOTSUP : rc;
	}
	st->n_train = samples && samples < (uint64_t)st->train.n ?
			      (int)samples : st->train.n;
	st->steps = st->n_train / (int)o->batch;
	if (st->steps < 1) {
		snprintf(why, len, "%d training samples: fewer than one global "
			 "batch of %llu", st->n_train,
			 (unsigned long long)o->batch);
		return -EINVAL;
	}
	rc = hpcp_ctx_agree(ctx, build(st, why, len));
	if (rc)
		return rc;
	st->perm = calloc((size_t)st->n_train, sizeof(*st->perm));
	st->x = calloc((size_t)st->local_b * st->train.d, sizeof(float));
	st->y = calloc((size_t)st->local_b * st->train.t, sizeof(float));
	st->rec = calloc((size_t)st->epochs * st->steps, sizeof(*st->rec));
	st->ep = calloc((size_t)st->epochs, sizeof(*st->ep));
	rc = st->perm && st->x && st->y && st->rec && st->ep ? 0 : -ENOMEM;
	if (hpcp_ctx_agree(ctx, rc)) {
		snprintf(why, len, "out of memory for %d steps",
			 st->epochs * st->steps);
		return -ENOMEM;
	}
	return 0;
}

/* Rank 0 writes and reads back; every rank waits, so the next epoch
 * starts together, and takes the time off its training clock. */
static void checkpoint(struct train_state *st, int epoch)
{
	uint64_t c0 = hpcp_now_ns();

	hpcp_watch_beat();
	if (st->ctx->rank == 0)
		(void)train_ckpt_write(st, epoch);
	hpcp_mpi_or_die(MPI_Barrier(st->ctx->comm),
			"train: waiting for the checkpoint");
	st->ckpt_ns += (double)(hpcp_now_ns() - c0);
}

/* The epochs; returns how many ran whole, *diverged set at a NaN. */
static int epochs(struct train_state *st, struct train_run_info *info,
		  char *diverged, size_t len)
{
	const struct train_opts *o = st->o;
	int B = (int)o->batch;

	hpcp_watch_waiting_on(HPCP_WATCH_ALL);
	for (int e = 0; e < st->epochs; e++) {
		struct train_epoch *ep = &st->ep[e];
		uint64_t e0 = hpcp_now_ns(), e1, e2;
		double loss = 0;

		train_shuffle(st->perm, st->n_train, epoch_seed(o->seed, e));
		for (int s = 0; s < st->steps; s++) {
			double l;

			hpcp_watch_beat();
			l = train_step_run(st, s * B, &st->rec[e * st->steps + s]);
			if (!isfinite(l)) {
				snprintf(diverged, len, "diverged at epoch %d "
					 "step %d (learning rate %g): the "
					 "training loss is %s", e + 1, s + 1,
					 o->lr, isnan(l) ? "not a number" :
							   "infinite");
				return e;
			}
			loss += l;
		}
		e1 = hpcp_now_ns();
		train_evaluate(st, &ep->test_loss, &ep->test_accuracy);
		e2 = hpcp_now_ns();
		ep->train_loss = loss / ((double)st->steps * B);
		ep->epoch_ns = (double)(e1 - e0);
		ep->eval_ns = (double)(e2 - e1);
		ep->samples_per_s = (double)st->steps * B / (ep->epoch_ns / 1e9);
		/* Checkpoints are measured apart: off the training clock. */
		ep->elapsed_ns = (double)(e2 - st->t_start) - st->ckpt_ns;
		if (!info->target_epoch && st->spec.loss ==
		    HPCP_NN_SOFTMAX_XENT && ep->test_accuracy >= o->target) {
			info->target_epoch = e + 1;
			info->target_ns = ep->elapsed_ns;
		}
		if (!info->converged_epoch && e > 0 &&
		    fabs(ep->train_loss - st->ep[e - 1].train_loss) <
			    TRAIN_CONVERGED_CHANGE * st->ep[e - 1].train_loss)
			info->converged_epoch = e + 1;
		if (o->checkpoint_dir)
			checkpoint(st, e);
	}
	return st->epochs;
}

static void fill_info(struct train_state *st, struct train_run_info *info,
		      int done)
{
	const struct train_opts *o = st->o;
	double grad = 0;

	for (int l = 0; l < st->spec.n_layers; l++) {
		size_t count;

		(void)st->be->grad(st->nn, l, &count);
		grad += (double)count * sizeof(float);
	}
	info->data_dir = o->data;
	info->ranks = st->ctx->size;
	info->local_batch = st->local_b;
	info->global_batch = (int)o->batch;
	info->epochs_run = done;
	info->steps_per_epoch = st->steps;
	info->overlap = st->b.overlap;
	info->n_train = st->n_train;
	info->n_test = st->test.n;
	info->lr = o->lr;
	info->momentum = o->momentum;
	info->target = o->target;
	info->seed = o->seed;
	info->spec = &st->spec;
	st->be->memory(st->nn, &info->mem);
	info->flops_per_sample = st->be->flops_per_sample(st->nn);
	info->grad_bytes = grad;
	info->straggler_spec = o->straggler;
	info->input_delay_spec = o->input_delay;
	info->backend = st->be->name;
	info->train = &st->train;
	info->test = &st->test;
	info->ckpt = &st->ckpt;
}

static int train_run(struct hpcp_ctx *ctx, struct hpcp_res *out, char *why,
		     size_t len)
{
	struct train_state *st = calloc(1, sizeof(*st));
	struct train_run_info info = { 0 };
	struct train_rank me = { 0 }, *all = NULL;
	char diverged[256] = "";
	int rc, done, n;

	if (!st) {
		snprintf(why, len, "out of memory");
		return -ENOMEM;
	}
	st->ctx = ctx;
	st->win = MPI_WIN_NULL;
	st->o = opts_of(&ctx->cfg);
	st->be = &hpcp_nn_cpu;
	st->b.comm = ctx->comm;
	st->b.overlap = strcmp(st->o->overlap, "on") == 0;
	/* Time to target runs from here: before the data is touched. */
	st->t_start = hpcp_now_ns();
	hpcp_blas_default_threads();
	rc = setup(st, why, len);
	if (rc)
		goto out;
	/* Untimed references.  The calibration's all-reduces sum into the
	 * gradient buffers, which every backward overwrites. */
	me.sgemm_ref_flops_per_s = train_sgemm_reference(st);
	info.ar_alone_ns = train_allreduce_alone(st);
	if (st->o->checkpoint_dir && ctx->rank == 0)
		train_ckpt_open(st, st->o->checkpoint_dir);
	done = epochs(st, &info, diverged, sizeof(diverged));
	if (ctx->rank == 0)
		train_ckpt_close(st);
	n = done * st->steps;
	if (n > 0) {
		rc = hpcp_ctx_agree(ctx, train_summarise(st, n, &me,
						   &info.ar_span_p50_ns));
		if (rc) {
			snprintf(why, len, "out of memory summarising");
			goto out;
		}
		train_rank_rates(st, n, &me);
	}
	train_weight_sums(st, &info.weights_sum, &info.weights_abs_sum);
	/* The infer phase serves this model when it runs later in the job. */
	if (done > 0 && !diverged[0])
		(void)hpcp_nn_keep(&st->spec, st->be, st->nn);
	{
		double w[2] = { info.weights_sum, -info.weights_sum }, m[2];

		hpcp_mpi_or_die(MPI_Allreduce(w, m, 2, MPI_DOUBLE, MPI_MAX,
					      ctx->comm),
				"train: the weights' checksums");
		info.weights_identical = m[0] == w[0] && -m[1] == w[0];
	}
	if (ctx->rank == 0)
		all = calloc((size_t)ctx->size, sizeof(*all));
	hpcp_mpi_or_die(MPI_Gather(&me, sizeof(me), MPI_BYTE, all, sizeof(me),
				   MPI_BYTE, 0, ctx->comm),
			"train: the per-rank summaries");
	if (ctx->rank == 0) {
		fill_info(st, &info, done);
		if (all)
			train_report(out, ctx, &info, st->ep, all);
	}
	if (diverged[0]) {
		snprintf(why, len, "%s", diverged);
		rc = -EDOM;
	} else if (ctx->rank == 0 && st->ckpt.corrupt) {
		/* The storage returned other bytes than it was given. */
		snprintf(why, len, "%s", st->ckpt.why);
		rc = -EIO;
	}
out:
	free(all);
	if (ctx->rank == 0)
		train_ckpt_close(st);   /* again after an early error: no-op */
	train_ckpt_free(st);
	if (st->nn)
		st->be->destroy(st->nn);
	if (st->win != MPI_WIN_NULL) {
		MPI_Win_free(&st->win);     /* the data lived there */
	} else {
		train_set_free(&st->train);
		train_set_free(&st->test);
	}
	free(st->perm);
	free(st->x);
	free(st->y);
	free(st->rec);
	free(st->ep);
	free(st);
	return rc;
}

const struct hpcp_phase hpcp_phase_train = {
	.name = "train",
	.summary = "data-parallel training of an MLP on Fashion-MNIST: epoch "
		   "time, loss, accuracy, samples/s, where each step goes",
	.run = train_run,
	.check_job = train_check_job,
	HPCP_PHASE_OPTIONS(train_options, train_defaults),
	.metrics = &phase_metrics,
};

#endif /* !HPCP_METRICS_ONLY */
