/* The train phase's results from its gathered records (train_int.h). */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "hpcp/ctx.h"
#include "hpcp/report.h"

#include "train_int.h"

const char *const train_part_names[TRAIN_PARTS] = {
	"data", "compute", "exposed_communication", "skew", "optimizer",
};

static void ns_or_null(struct hpcp_res *o, const char *key, double ns)
{
	if (ns >= 0)
		hpcp_res_int(o, key, llround(ns));
	else
		hpcp_res_null(o, key);
}

static void dataset(struct hpcp_res *out, const struct train_run_info *in)
{
	struct hpcp_res *d = hpcp_res_object(out, "dataset");

	hpcp_res_str(d, "dir", in->data_dir);
	hpcp_res_str(d, "train_images", in->train->files[0]);
	hpcp_res_str(d, "train_labels", in->train->files[1]);
	hpcp_res_str(d, "test_images", in->test->files[0]);
	hpcp_res_str(d, "test_labels", in->test->files[1]);
	hpcp_res_int(d, "train_samples_count", in->train->n);
	hpcp_res_int(d, "used_samples_count", in->n_train);
	hpcp_res_int(d, "test_samples_count", in->n_test);
	hpcp_res_int(d, "inputs_count", in->train->d);
	hpcp_res_str(d, "task", in->train->classes ? "classification" :
						     "regression");
	hpcp_res_int(d, "dropped_samples_per_epoch_count",
		     in->n_train - in->steps_per_epoch * in->global_batch);
}

static void model(struct hpcp_res *out, const struct train_run_info *in)
{
	struct hpcp_res *m = hpcp_res_object(out, "model");
	struct hpcp_res *w = hpcp_res_array(m, "layer_widths");
	double params = 0;

	hpcp_res_str(m, "backend", in->backend);
	for (int l = 0; l <= in->spec->n_layers; l++)
		hpcp_res_int(w, NULL, in->spec->width[l]);
	for (int l = 0; l < in->spec->n_layers; l++)
		params += (double)(in->spec->width[l] + 1) *
			  in->spec->width[l + 1];
	hpcp_res_str(m, "activation", "relu");
	hpcp_res_str(m, "loss", in->spec->loss == HPCP_NN_SOFTMAX_XENT ?
					"softmax_cross_entropy" :
					"half_squared_error");
	hpcp_res_str(m, "initialisation", in->spec->zero_init ?
			     "zeros (a linear model)" :
			     "He-uniform weights, zero biases, seeded");
	hpcp_res_int(m, "parameters_count", llround(params));
	hpcp_res_int(m, "parameter_bytes", (int64_t)in->mem.params);
	hpcp_res_int(m, "gradient_bytes", (int64_t)in->mem.grads);
	hpcp_res_int(m, "optimizer_bytes", (int64_t)in->mem.optimizer);
	hpcp_res_int(m, "activation_bytes", (int64_t)in->mem.activations);
	hpcp_res_double(m, "flops_per_sample", in->flops_per_sample);
	hpcp_res_str(m, "flops_definition",
		     "matrix products of one sample's forward and backward, "
		     "2 per multiply-add; biases and activations not counted");
	hpcp_res_double(m, "weights_sum", in->weights_sum);
	hpcp_res_double(m, "weights_abs_sum", in->weights_abs_sum);
	hpcp_res_bool(m, "weights_identical_on_all_ranks",
		      in->weights_identical);
}

static void config(struct hpcp_res *out, const struct train_run_info *in)
{
	struct hpcp_res *o = hpcp_res_object(out, "optimizer");

	hpcp_res_str(o, "name", "sgd_momentum");
	hpcp_res_double(o, "learning_rate", in->lr);
	hpcp_res_double(o, "momentum", in->momentum);
	hpcp_res_int(out, "ranks_count", in->ranks);
	hpcp_res_int(out, "global_batch_count", in->global_batch);
	hpcp_res_int(out, "local_batch_count", in->local_batch);
	hpcp_res_int(out, "steps_per_epoch_count", in->steps_per_epoch);
	hpcp_res_int(out, "epochs_count", in->epochs_run);
	hpcp_res_bool(out, "overlap", in->overlap);
	hpcp_res_int(out, "seed", (int64_t)in->seed);
	if (in->straggler_spec || in->input_delay_spec) {
		struct hpcp_res *f = hpcp_res_object(out, "injected");

		if (in->straggler_spec)
			hpcp_res_str(f, "straggler", in->straggler_spec);
		if (in->input_delay_spec)
			hpcp_res_str(f, "input_delay", in->input_delay_spec);
	}
}

static void epochs(struct hpcp_res *out, const struct train_run_info *in,
		   const struct train_epoch *ep)
{
	struct hpcp_res *a = hpcp_res_array(out, "epochs");
	int classify = in->spec->loss == HPCP_NN_SOFTMAX_XENT;

	for (int e = 0; e < in->epochs_run; e++) {
		struct hpcp_res *o = hpcp_res_object(a, NULL);

		hpcp_res_int(o, "epoch", e + 1);
		hpcp_res_double(o, "train_loss", ep[e].train_loss);
		hpcp_res_double(o, "test_loss", ep[e].test_loss);
		if (classify)
			hpcp_res_double(o, "test_accuracy_ratio",
					ep[e].test_accuracy);
		else
			hpcp_res_null(o, "test_accuracy_ratio");
		hpcp_res_int(o, "epoch_ns", llround(ep[e].epoch_ns));
		hpcp_res_int(o, "eval_ns", llround(ep[e].eval_ns));
		hpcp_res_double(o, "samples_per_s", ep[e].samples_per_s);
		hpcp_res_int(o, "elapsed_ns", llround(ep[e].elapsed_ns));
	}
}

static void outcome(struct hpcp_res *out, const struct train_run_info *in,
		    const struct train_epoch *ep)
{
	int classify = in->spec->loss == HPCP_NN_SOFTMAX_XENT;
	const struct train_epoch *last = in->epochs_run > 0 ?
						 &ep[in->epochs_run - 1] :
						 NULL;
	double steps_ns = 0;

	for (int e = 0; e < in->epochs_run; e++)
		steps_ns += ep[e].epoch_ns;
	if (last) {
		hpcp_res_double(out, "final_train_loss", last->train_loss);
		hpcp_res_double(out, "final_test_loss", last->test_loss);
	}
	if (last && classify)
		hpcp_res_double(out, "final_test_accuracy_ratio",
				last->test_accuracy);
	hpcp_res_double(out, "samples_per_s",
			steps_ns > 0 ? (double)in->epochs_run *
					       in->steps_per_epoch *
					       in->global_batch /
					       (steps_ns / 1e9) :
				       NAN);
	hpcp_res_str(out, "samples_per_s_definition",
		     "samples of all ranks' training steps / the epochs' wall "
		     "time (the shuffle and the steps; evaluation excluded)");
	hpcp_res_double(out, "model_flops_per_s",
			steps_ns > 0 ? in->flops_per_sample *
					       in->epochs_run *
					       in->steps_per_epoch *
					       in->global_batch /
					       (steps_ns / 1e9) :
				       NAN);
	if (classify)
		hpcp_res_double(out, "target_accuracy_ratio", in->target);
	if (in->target_epoch) {
		hpcp_res_int(out, "time_to_target_ns",
			     llround(in->target_ns));
		hpcp_res_int(out, "epochs_to_target_count", in->target_epoch);
	} else {
		hpcp_res_null(out, "time_to_target_ns");
		hpcp_res_null(out, "epochs_to_target_count");
		hpcp_res_str(out, "time_to_target_reason",
			     classify ? "the target accuracy was not reached" :
					"a regression has no accuracy");
	}
	hpcp_res_str(out, "time_to_target_definition",
		     "MLPerf-style: from before the dataset is read to the end "
		     "of the first evaluation at or above the target; includes "
		     "reading the data, building the model, the phase's "
		     "calibration (a few all-reduces and sgemm calls), training "
		     "and every evaluation; excludes MPI start-up, the "
		     "phases before and checkpoints (measured apart)");
	if (in->converged_epoch)
		hpcp_res_int(out, "converged_epoch", in->converged_epoch);
	else
		hpcp_res_null(out, "converged_epoch");
	hpcp_res_str(out, "converged_definition",
		     "the first epoch whose mean training loss changed by "
		     "less than 1 % from the epoch before");
}

/* Parts of a step: each rank's share, then the job's (mean of ranks). */
static void steps(struct hpcp_res *out, const struct hpcp_ctx *ctx,
		  const struct train_run_info *in, const struct train_rank *r)
{
	struct hpcp_res *f = hpcp_res_object(out, "step_fractions");
	struct hpcp_res *a = hpcp_res_array(out, "per_rank");
	double share[TRAIN_PARTS] = { 0 }, best = -1, min_rate = -1;
	int bound = 0, straggler = 0, slowest = 0;

	for (int p = 0; p < in->ranks; p++) {
		struct hpcp_res *o = hpcp_res_object(a, NULL);
		struct hpcp_res *parts = hpcp_res_object(o, "parts");
		double sum = 0;

		for (int k = 0; k < TRAIN_PARTS; k++)
			sum += r[p].total[k];
		hpcp_res_int(o, "rank", p);
		hpcp_res_str(o, "host", ctx->hosts[ctx->ranks[p].node].name);
		for (int k = 0; k < TRAIN_PARTS; k++) {
			struct hpcp_res *q = hpcp_res_object(parts,
							     train_part_names[k]);

			hpcp_res_int(q, "total_ns", llround(r[p].total[k]));
			ns_or_null(q, "p50_ns", r[p].p50[k]);
			ns_or_null(q, "p99_ns", r[p].p99[k]);
			hpcp_res_double(q, "fraction_ratio",
					sum > 0 ? r[p].total[k] / sum : NAN);
			share[k] += sum > 0 ? r[p].total[k] / sum / in->ranks :
					      0;
		}
		ns_or_null(o, "step_p50_ns", r[p].step_p50);
		ns_or_null(o, "step_p99_ns", r[p].step_p99);
		hpcp_res_double(o, "samples_per_s", r[p].samples_per_s);
		hpcp_res_double(o, "compute_flops_per_s", r[p].flops_per_s);
		hpcp_res_double(o, "sgemm_reference_flops_per_s",
				r[p].sgemm_ref_flops_per_s);
		hpcp_res_double(o, "utilization_ratio",
				r[p].sgemm_ref_flops_per_s > 0 ?
					r[p].flops_per_s /
						r[p].sgemm_ref_flops_per_s :
					NAN);
		hpcp_res_int(o, "slowest_steps_count", r[p].slowest_steps);
		hpcp_res_int(o, "load_ns", llround(r[p].load_ns));
		hpcp_res_int(o, "peak_rss_bytes", llround(r[p].peak_rss_bytes));
		if (r[p].slowest_steps > slowest) {
			slowest = r[p].slowest_steps;
			straggler = p;
		}
		if (min_rate < 0 || r[p].samples_per_s < min_rate)
			min_rate = r[p].samples_per_s;
	}
	for (int k = 0; k < TRAIN_PARTS; k++) {
		char key[64];

		snprintf(key, sizeof(key), "%s_ratio", train_part_names[k]);
		hpcp_res_double(f, key, share[k]);
		if (share[k] > best) {
			best = share[k];
			bound = k;
		}
	}
	hpcp_res_str(f, "definition",
		     "per rank, each part's total over its steps / the sum of "
		     "the parts; the job's: the mean over ranks.  data: "
		     "gathering the shard; compute: forward and backward; "
		     "skew: waiting after compute until the slowest rank's "
		     "gradient was in; exposed_communication: the rest of the "
		     "wait for the all-reduces; optimizer: the SGD update");
	hpcp_res_str(out, "bound", train_part_names[bound]);
	hpcp_res_double(out, "slowest_rank_samples_per_s", min_rate);
	{
		struct hpcp_res *s = hpcp_res_object(out, "straggler");

		hpcp_res_int(s, "rank", straggler);
		hpcp_res_str(s, "host",
			     ctx->hosts[ctx->ranks[straggler].node].name);
		hpcp_res_int(s, "slowest_steps_count", slowest);
		hpcp_res_str(s, "definition",
			     "the rank whose gradient was in last (data + "
			     "compute) in the most steps");
	}
}

static void comm(struct hpcp_res *out, const struct train_run_info *in,
		 const struct train_rank *r)
{
	struct hpcp_res *c = hpcp_res_object(out, "communication");
	double factor = in->ranks > 1 ? 2.0 * (in->ranks - 1) / in->ranks : 0;
	double exposed = 0;

	for (int p = 0; p < in->ranks; p++)
		exposed += r[p].p50[2] / in->ranks;
	hpcp_res_int(c, "gradient_bytes_per_step", llround(in->grad_bytes));
	hpcp_res_int(c, "buckets_count", in->spec->n_layers);
	hpcp_res_int(c, "allreduce_alone_ns", llround(in->ar_alone_ns));
	hpcp_res_int(c, "allreduce_span_p50_ns", llround(in->ar_span_p50_ns));
	hpcp_res_int(c, "exposed_p50_ns", llround(exposed));
	if (in->ranks > 1 && in->ar_span_p50_ns > 0)
		hpcp_res_double(c, "busbw_bytes_per_s",
				in->grad_bytes * factor /
					(in->ar_span_p50_ns / 1e9));
	else
		hpcp_res_null(c, "busbw_bytes_per_s");
	hpcp_res_str(c, "busbw_definition",
		     "gradient bytes x 2(n-1)/n, n the ranks, / the p50 over "
		     "steps of the longest rank's span from its first "
		     "gradient all-reduce's start to the last one's end: a "
		     "lower bound, the span also holds backward under overlap");
	if (in->ranks > 1 && in->ar_alone_ns > 0) {
		double h = 1 - exposed / in->ar_alone_ns;

		hpcp_res_double(c, "hidden_ratio", h < 0 ? 0 : h > 1 ? 1 : h);
	} else {
		hpcp_res_null(c, "hidden_ratio");
	}
	hpcp_res_str(c, "hidden_definition",
		     "1 - exposed communication (p50, mean of ranks) / the "
		     "same all-reduces run alone before training (p50 of 9), "
		     "clamped to [0, 1]");
}

/* min, p50, mean and max seconds of v[0..n) (sorted in place). */
static void seconds(struct hpcp_res *out, const char *key, double *v, int n)
{
	struct hpcp_res *o = hpcp_res_object(out, key);
	double p50, p99, sum = 0;

	for (int i = 0; i < n; i++)
		sum += v[i];
	train_percentiles(v, n, &p50, &p99);
	hpcp_res_double(o, "min", v[0] / 1e9);
	hpcp_res_double(o, "p50", p50 / 1e9);
	hpcp_res_double(o, "mean", sum / n / 1e9);
	hpcp_res_double(o, "max", v[n - 1] / 1e9);
}

static void checkpoint(struct hpcp_res *out, const struct train_run_info *in)
{
	const struct train_ckpt *c = in->ckpt;
	struct hpcp_res *o = hpcp_res_object(out, "checkpoint");
	double cached = -1;

	if (!c->target) {
		hpcp_res_str(o, "status", "skipped");
		hpcp_res_str(o, "reason", "no --train-checkpoint-dir");
		return;
	}
	hpcp_res_str(o, "status", c->status == 0 ? "ok" :
				  c->failed ? "failed" : "unavailable");
	if (c->status)
		hpcp_res_str(o, "reason", c->why);
	hpcp_res_str(o, "dir", c->target);
	hpcp_res_str(o, "fs_type", c->fs_type);
	hpcp_res_int(o, "bytes", (int64_t)c->bytes);
	hpcp_res_str(o, "contents", "a 32-byte header, the parameters and "
		     "the momentum velocity (float32)");
	hpcp_res_int(o, "count", c->count);
	hpcp_res_str(o, "definition",
		     "after each epoch, rank 0: write_s from the open of a "
		     "temporary file to the rename into place and the "
		     "directory's fsync, the file fsynced; then its pages "
		     "dropped (POSIX_FADV_DONTNEED) and read_s the whole file "
		     "read back, compared byte for byte; every rank waits; "
		     "epoch and elapsed times exclude it");
	if (c->count > 0) {
		seconds(o, "write_s", c->write_ns, c->count);
		seconds(o, "read_s", c->read_ns, c->count);
		for (int i = 0; i < c->count; i++)
			if (c->cached[i] > cached)
				cached = c->cached[i];
		if (cached >= 0)
			hpcp_res_double(o, "read_cached_fraction_max", cached);
		else
			hpcp_res_null(o, "read_cached_fraction_max");
		hpcp_res_bool(o, "verified", c->count > 0 && !c->corrupt);
	} else {
		hpcp_res_null(o, "write_s");
		hpcp_res_null(o, "read_s");
	}
	if (c->removed[0])
		hpcp_res_str(o, "cleanup", c->removed);
}

void train_report(struct hpcp_res *out, const struct hpcp_ctx *ctx,
		  const struct train_run_info *in,
		  const struct train_epoch *ep, const struct train_rank *r)
{
	dataset(out, in);
	model(out, in);
	config(out, in);
	epochs(out, in, ep);
	outcome(out, in, ep);
	checkpoint(out, in);
	if (in->epochs_run > 0) {
		steps(out, ctx, in, r);
		comm(out, in, r);
	}
}
