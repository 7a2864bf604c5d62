/*
 * infer: an inference server under open-loop load on every rank, its
 * latency percentiles against offered load, the highest load under a p99
 * target, the best batch size and its memory.
 *
 * Model.  The train phase's network: its trained weights when train ran
 * earlier in the job (hpcp/nnkeep.h), else seeded weights of the same
 * shape (784 - --train-hidden - 10; a forward pass costs the same).  A
 * batch's forward pass is the nn backend's (CBLAS sgemm), on inputs
 * gathered from a seeded pool.  --infer-model spin:USEC (tests) is a
 * busy-wait of USEC per batch: a service time known in advance.
 *
 * Method (src/serve.c does one load point).  Each rank runs its own
 * server: a generator thread and a server thread, each pinned to a CPU
 * of its own when the rank's CPU set has two for each of the node's
 * ranks (the choice is recorded).  Requests arrive
 * open loop at scheduled times (seeded Poisson, gamma gaps with
 * --infer-burst); latency runs from the scheduled arrival to completion,
 * split into queue wait and service.  Two sweeps:
 *   offline  batch sizes 1, 2, 4 ... --infer-max-batch, all requests
 *            queued at the start: throughput per batch size and the batch
 *            service time; the best batch size is the one of highest
 *            throughput whose service p99 is under the target;
 *   server   dynamic batching up to the best batch size (or the cap with
 *            --infer-rates), at offered rates searched as fractions of
 *            the offline capacity (or the rates given): a point meets the
 *            target when its job-wide p99 is under it at --infer-confidence
 *            by the stopping rule (hpcp_serve_judge); a point with fewer
 *            requests than the rule needs says "too few samples".
 * All ranks run each point at once; histograms are merged, rates summed,
 * exceedances summed for the verdict.  --infer-remote (infer_remote.c):
 * the server sweep's points run between paired client and server ranks
 * over MPI, the network in each request's latency; the offline sweep
 * stays in-process.  Memory: the resident set sampled
 * every 10 ms while points run (peak per point, at idle, over time).
 *
 * This file runs the phase; infer_report.c writes the results
 * (infer_int.h between them), src/serve.c runs a load point.
 */
#include "config.h"

#include "hpcp/metrics.h"

static const struct hpcp_metric_label point_labels[] = {
	{ .name = "offered", .level = 0, .path = "offered_per_s",
	  .prom = "offered_per_s" },
	{ 0 },
};

static const struct hpcp_metric_label batch_labels[] = {
	{ .name = "batch", .level = 0, .path = "batch_size",
	  .prom = "batch_size" },
	{ 0 },
};

static const struct hpcp_metric infer_metrics[] = {
	{
		.each = "", .path = "best/latency_ns", .unit = "ns",
		.kind = HPCP_METRIC_LATENCY, .better = HPCP_BETTER_LOWER,
		.gate = "infer.best.{stat}_ns", .gate_stats = HPCP_STAT_P99,
		.noisy = "best/noisy", .noisy_reason = "best/noisy_reason",
		.emf = "Latency", .emf_unit = "Milliseconds",
		.emf_scale = 1e-6,
	},
	{
		.each = "", .path = "best/rate_per_s", .unit = "requests/s",
		.kind = HPCP_METRIC_RATE, .better = HPCP_BETTER_HIGHER,
		.gate = "infer.best.{key}",
		.noisy = "best/noisy", .noisy_reason = "best/noisy_reason",
		.emf = "Throughput", .emf_unit = "Count/Second",
		.emf_scale = 1,
		.prom = "hpcprobe_infer_requests_per_second",
		.prom_help = "Highest job-wide request rate served with p99 "
			     "under the target.",
		.prom_scale = 1,
	},
	{
		.each = "", .path = "best/batch_size", .unit = "requests",
		.kind = HPCP_METRIC_COUNT, .better = HPCP_BETTER_HIGHER,
		.emf = "BestBatchSize", .emf_unit = "Count", .emf_scale = 1,
		.prom = "hpcprobe_infer_best_batch_size",
		.prom_help = "Batch size of highest offline throughput with "
			     "its service p99 under the target.",
		.prom_scale = 1,
	},
	{
		.each = "points/[]", .path = "latency_ns", .unit = "ns",
		.kind = HPCP_METRIC_LATENCY, .better = HPCP_BETTER_LOWER,
		.labels = point_labels,
		.column = "latency", .html_column = "ms", .html_scale = 1e-6,
		.html_stats = HPCP_STAT_P50 | HPCP_STAT_P99 | HPCP_STAT_MAX,
		.noisy = "noisy", .noisy_reason = "noisy_reason",
		.prom = "hpcprobe_infer_latency_seconds",
		.prom_help = "Request latency from scheduled arrival to "
			     "completion, all ranks merged, per offered load.",
		.prom_scale = 1e-9, .prom_count = "requests_count",
	},
	{
		.each = "points/[]", .path = "achieved_per_s",
		.unit = "requests/s", .kind = HPCP_METRIC_RATE,
		.better = HPCP_BETTER_HIGHER, .labels = point_labels,
		.column = "achieved req/s", .html_column = "achieved req/s",
		.html_scale = 1,
		.noisy = "noisy", .noisy_reason = "noisy_reason",
		.prom = "hpcprobe_infer_achieved_requests_per_second",
		.prom_help = "Requests completed per second, all ranks, per "
			     "offered load.",
		.prom_scale = 1,
	},
	{
		.each = "offline/[]", .path = "rate_per_s",
		.unit = "requests/s", .kind = HPCP_METRIC_RATE,
		.better = HPCP_BETTER_HIGHER, .labels = batch_labels,
		.column = "offline req/s", .html_column = "offline req/s",
		.html_scale = 1,
		.prom = "hpcprobe_infer_offline_requests_per_second",
		.prom_help = "Requests per second with the queue always "
			     "full, all ranks, per batch size.",
		.prom_scale = 1,
	},
};

HPCP_PHASE_METRICS(infer, infer_metrics);

#ifndef HPCP_METRICS_ONLY

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hpcp/blas.h"
#include "hpcp/ctx.h"
#include "hpcp/nn.h"
#include "hpcp/nnkeep.h"
#include "hpcp/num.h"
#include "hpcp/opt.h"
#include "hpcp/phase.h"
#include "hpcp/probe.h"
#include "hpcp/rand.h"
#include "hpcp/report.h"
#include "hpcp/serve.h"
#include "hpcp/stats.h"
#include "hpcp/timer.h"
#include "hpcp/log.h"
#include "hpcp/watch.h"

#include "infer_int.h"

#define QUICK_MAX_BATCH 16
#define QUICK_REQUESTS 600
#define MAX_RATES 8
/* Fashion-MNIST's shape, when train did not run. */
#define INPUTS 784
#define CLASSES 10


static const struct infer_opts infer_defaults = {
	.model = "mlp", .max_delay = "2ms", .p99 = "50ms", .client = "open",
	.max_batch = 64, .requests = 5000, .seed = 1, .burst = 1,
	.confidence = 0.99,
};

static int check_model(const char *v, char *err, size_t len)
{
	double us;

	if (strcmp(v, "mlp") == 0)
		return 0;
	if (strncmp(v, "spin:", 5) == 0 &&
	    hpcp_parse_real(v + 5, 1, 1e6, &us) == 0)
		return 0;
	snprintf(err, len, "expects mlp or spin:USEC (1..1000000)");
	return -EINVAL;
}

static int check_delay(const char *v, char *err, size_t len)
{
	double ns;

	if (hpcp_parse_duration(v, 10e9, &ns) == 0)
		return 0;
	snprintf(err, len, "expects a duration up to 10 s, e.g. 2ms");
	return -EINVAL;
}

static int check_target(const char *v, char *err, size_t len)
{
	double ns;

	if (hpcp_parse_duration(v, 100e9, &ns) == 0 && ns >= 1000)
		return 0;
	snprintf(err, len, "expects a duration from 1us to 100 s, e.g. 50ms");
	return -EINVAL;
}

static int parse_rates(const char *v, double *r, int *n)
{
	char buf[256];
	char *save = NULL, *tok;

	*n = 0;
	if (strlen(v) >= sizeof(buf) || !*v || v[strlen(v) - 1] == ',')
		return -EINVAL;
	strcpy(buf, v);
	for (tok = strtok_r(buf, ",", &save); tok;
	     tok = strtok_r(NULL, ",", &save)) {
		if (*n == MAX_RATES ||
		    hpcp_parse_real(tok, 0.001, 1e8, &r[*n]) != 0)
			return -EINVAL;
		(*n)++;
	}
	return *n && !strstr(v, ",,") && v[0] != ',' ? 0 : -EINVAL;
}

static int check_rates(const char *v, char *err, size_t len)
{
	double r[MAX_RATES];
	int n;

	if (parse_rates(v, r, &n) == 0)
		return 0;
	snprintf(err, len, "expects up to %d request rates per rank per "
		 "second, 0.001..1e8, comma-separated", MAX_RATES);
	return -EINVAL;
}

static int check_client(const char *v, char *err, size_t len)
{
	if (strcmp(v, "open") == 0 || strcmp(v, "coordinated") == 0)
		return 0;
	snprintf(err, len, "expects open or coordinated");
	return -EINVAL;
}

#define OFF(f) offsetof(struct infer_opts, f)

static const struct hpcp_opt infer_options[] = {
	{ .long_name = "infer-model", .kind = HPCP_OPT_STRING,
	  .metavar = "mlp|spin:USEC", .max_len = 32, .check = check_model,
	  .help = "the served model: the train phase's network, or (tests) "
		  "a busy-wait of USEC per batch",
	  .default_text = "mlp",
	  .value_offset = OFF(model), .given_offset = HPCP_OPT_NOT_TRACKED },
	{ .long_name = "infer-max-batch", .kind = HPCP_OPT_COUNT,
	  .metavar = "N",
	  .help = "largest batch; the offline sweep runs 1, 2, 4 ... N",
	  .default_text = "64 (16 with --quick)", .min = 1,
	  .max = HPCP_SERVE_MAX_BATCH,
	  .value_offset = OFF(max_batch),
	  .given_offset = OFF(max_batch_given) },
	{ .long_name = "infer-max-delay", .kind = HPCP_OPT_STRING,
	  .metavar = "TIME", .max_len = 32, .check = check_delay,
	  .help = "a partial batch runs when its oldest request has waited "
		  "this long",
	  .default_text = "2ms",
	  .value_offset = OFF(max_delay),
	  .given_offset = HPCP_OPT_NOT_TRACKED },
	{ .long_name = "infer-p99", .kind = HPCP_OPT_STRING,
	  .metavar = "TIME", .max_len = 32, .check = check_target,
	  .help = "the latency target: the highest load whose p99 stays "
		  "under it is searched",
	  .default_text = "50ms",
	  .value_offset = OFF(p99), .given_offset = HPCP_OPT_NOT_TRACKED },
	{ .long_name = "infer-confidence", .kind = HPCP_OPT_REAL,
	  .metavar = "X",
	  .help = "confidence of a load point's verdict (the stopping rule)",
	  .default_text = "0.99", .real_min = 0.5, .real_max = 0.9999,
	  .value_offset = OFF(confidence),
	  .given_offset = HPCP_OPT_NOT_TRACKED },
	{ .long_name = "infer-requests", .kind = HPCP_OPT_COUNT,
	  .metavar = "N",
	  .help = "requests per load point and rank",
	  .default_text = "5000 (600 with --quick)", .min = 1,
	  .max = HPCP_SERVE_MAX_REQUESTS,
	  .value_offset = OFF(requests),
	  .given_offset = OFF(requests_given) },
	{ .long_name = "infer-rates", .kind = HPCP_OPT_STRING,
	  .metavar = "LIST", .max_len = 128, .check = check_rates,
	  .help = "offered rates per rank (requests/s) to run instead of "
		  "the search, at the largest batch",
	  .default_text = "none (search)",
	  .value_offset = OFF(rates), .given_offset = HPCP_OPT_NOT_TRACKED },
	{ .long_name = "infer-burst", .kind = HPCP_OPT_REAL, .metavar = "CV",
	  .help = "coefficient of variation of the gaps between arrivals: "
		  "1 Poisson, more is burstier (gamma)",
	  .default_text = "1", .real_min = 0.1, .real_max = 10,
	  .value_offset = OFF(burst), .given_offset = HPCP_OPT_NOT_TRACKED },
	{ .long_name = "infer-seed", .kind = HPCP_OPT_COUNT, .metavar = "N",
	  .help = "seed of the arrivals, inputs and untrained weights",
	  .default_text = "1", .min = 0, .max = UINT64_MAX,
	  .value_offset = OFF(seed), .given_offset = HPCP_OPT_NOT_TRACKED },
	{ .long_name = "infer-stall", .kind = HPCP_OPT_STRING,
	  .metavar = "TIME", .max_len = 32, .check = check_delay,
	  .help = "fault injection: the server stops TIME once, half-way "
		  "through every load point",
	  .default_text = "none",
	  .value_offset = OFF(stall), .given_offset = HPCP_OPT_NOT_TRACKED },
	{ .long_name = "infer-client", .kind = HPCP_OPT_STRING,
	  .metavar = "open|coordinated", .max_len = 16,
	  .check = check_client,
	  .help = "test only: coordinated waits for each answer before the "
		  "next request, as closed-loop tools do",
	  .default_text = "open",
	  .value_offset = OFF(client), .given_offset = HPCP_OPT_NOT_TRACKED },
	{ .long_name = "infer-remote", .kind = HPCP_OPT_FLAG,
	  .help = "the server sweep with the network in the path: ranks on "
		  "the first half of the nodes serve, the others send them "
		  "requests over MPI (one node: even ranks serve, odd ones "
		  "ask); at least 2 ranks",
	  .default_text = "off (each rank serves itself)",
	  .value_offset = OFF(remote), .given_offset = HPCP_OPT_NOT_TRACKED },
	{ .long_name = "infer-payload", .kind = HPCP_OPT_COUNT,
	  .metavar = "BYTES",
	  .help = "with --infer-remote: the input bytes a request carries "
		  "(the mlp reads its 784 floats from the front, so at least "
		  "3136); at most 65536",
	  .default_text = "the model's input row: 784 floats, 3136 bytes "
			  "(spin: the same, standing in for the mlp)",
	  .min = 0, .max = REMOTE_MAX_PAYLOAD,
	  .value_offset = OFF(payload), .given_offset = OFF(payload_given) },
	{ .long_name = NULL },
};

extern const struct hpcp_phase hpcp_phase_infer;
extern const struct hpcp_phase hpcp_phase_train;

static const struct infer_opts *opts_of(const struct hpcp_config *cfg)
{
	const struct infer_opts *o = hpcp_phase_opts(cfg, &hpcp_phase_infer);

	return o ? o : &infer_defaults;
}


/* Bad input that only the rank count shows: before anything runs. */
static int infer_check_job(const struct hpcp_config *cfg, int ranks,
			   char *err, size_t len)
{
	const struct infer_opts *o = opts_of(cfg);

	if (o->payload_given && !o->remote) {
		snprintf(err, len, "--infer-payload: only with --infer-remote "
			 "(in-process requests cross no network)");
		return -EINVAL;
	}
	if (o->payload_given && strcmp(o->model, "mlp") == 0 &&
	    o->payload < INPUTS * sizeof(float)) {
		snprintf(err, len, "--infer-payload %" PRIu64 ": the mlp "
			 "reads its %d-float input (%zu bytes) from each "
			 "request; give at least %zu", o->payload, INPUTS,
			 INPUTS * sizeof(float), INPUTS * sizeof(float));
		return -EINVAL;
	}
	if (o->remote && ranks < 2) {
		snprintf(err, len, "--infer-remote: needs at least 2 ranks (a "
			 "client and a server), the job has %d", ranks);
		return -EINVAL;
	}
	return 0;
}

static int run_spin(void *arg, uint64_t first, int n)
{
	const struct infer_state *st = arg;
	uint64_t end = hpcp_now_ns() + (uint64_t)st->spin_ns;

	/* Remote: its output rows stay zeros (it computes nothing). */
	(void)first;
	(void)n;
	while (hpcp_now_ns() < end)
		;
	return 0;
}

static int run_mlp(void *arg, uint64_t first, int n)
{
	struct infer_state *st = arg;
	size_t d = (size_t)st->spec.width[0];
	size_t k = (size_t)st->spec.width[st->spec.n_layers];
	const struct infer_remote *rm = &st->rm;
	double loss;

	/* Gather the batch's inputs: a server copies requests together.
	 * Remote: the inputs that came over the network. */
	for (int j = 0; j < n; j++) {
		uint64_t i = first + (uint64_t)j;
		const void *src = rm->in ?
			(const void *)(rm->in + (i % REMOTE_SLOTS) *
						rm->in_stride + REMOTE_HEADER) :
			(const void *)(st->pool + (i % POOL_ROWS) * d);

		memcpy(st->xb + (size_t)j * d, src, d * sizeof(float));
	}
	st->be->forward(st->nn, st->xb, st->yb, n, &loss, NULL);
	if (rm->out) {
		const float *y = st->be->output(st->nn);

		for (int j = 0; j < n; j++)
			memcpy(rm->out + ((first + (uint64_t)j) % REMOTE_SLOTS) *
						 k,
			       y + (size_t)j * k, k * sizeof(float));
	}
	return 0;
}

/* Every 10 ms of a point: the resident set, and the watchdog's beat while
 * the server answers (it completed requests since the last tick, or none
 * are waiting): a server that stops is the watchdog's to catch. */
static void tick(void *arg, uint64_t sent, uint64_t done)
{
	struct infer_state *st = arg;
	uint64_t rss = hpcp_serve_rss_bytes();

	if (done != st->last_done || sent == done)
		hpcp_watch_beat();
	st->last_done = done;
	if (rss > st->rss_peak_point)
		st->rss_peak_point = rss;
	/* Keep at most RSS_SAMPLES over the run: when full, drop every
	 * other one and keep one sample in twice as many from then on. */
	if (++st->rss_skip < st->rss_every)
		return;
	st->rss_skip = 0;
	if (st->rss_n == RSS_SAMPLES) {
		for (int i = 0; i < RSS_SAMPLES / 2; i++) {
			st->rss_t[i] = st->rss_t[2 * i];
			st->rss_v[i] = st->rss_v[2 * i];
		}
		st->rss_n = RSS_SAMPLES / 2;
		st->rss_every *= 2;
	}
	st->rss_t[st->rss_n] = hpcp_now_ns() - st->t0;
	st->rss_v[st->rss_n++] = rss;
}

/* The model: the train phase's when it ran before, else seeded. */
static int build_model(struct infer_state *st, char *why, size_t len)
{
	const struct hpcp_nn_spec *kept = hpcp_nn_kept();
	int rc;
	uint64_t s = st->o->seed ^ 0x3c6ef372fe94f82bull;

	memset(&st->spec, 0, sizeof(st->spec));
	if (kept) {
		st->spec = *kept;
		st->trained = 1;
	} else {
		/* The train phase's default shape (its own --train-hidden
		 * is private to it): 784-256-128-10. */
		st->spec.n_layers = 3;
		st->spec.width[0] = INPUTS;
		st->spec.width[1] = 256;
		st->spec.width[2] = 128;
		st->spec.width[3] = CLASSES;
		st->spec.loss = HPCP_NN_SOFTMAX_XENT;
		st->spec.seed = st->o->seed;
	}
	st->spec.max_batch = st->max_batch;
	st->be = &hpcp_nn_cpu;
	rc = st->be->available(why, len);
	if (rc)
		return rc;
	rc = st->be->create(&st->spec, &st->nn, why, len);
	if (rc)
		return rc;
	if (st->trained && hpcp_nn_kept_load(st->be, st->nn) != 0) {
		snprintf(why, len, "the trained model's shape changed");
		return -EINVAL;
	}
	st->pool = malloc((size_t)POOL_ROWS * st->spec.width[0] *
			  sizeof(float));
	st->xb = malloc((size_t)st->max_batch * st->spec.width[0] *
			sizeof(float));
	/* Targets are not needed to infer; zeros keep forward's loss
	 * finite for either loss. */
	st->yb = calloc((size_t)st->max_batch *
				(size_t)st->spec.width[st->spec.n_layers],
			sizeof(float));
	if (!st->pool || !st->xb || !st->yb) {
		snprintf(why, len, "out of memory for the inputs");
		return -ENOMEM;
	}
	for (size_t i = 0; i < (size_t)POOL_ROWS * st->spec.width[0]; i++)
		st->pool[i] = (float)(hpcp_splitmix64(&s) >> 40) * 0x1.0p-24f;
	return 0;
}

/* Two CPUs of the rank's own for its two threads, when it has them. */
static void choose_binding(struct infer_state *st)
{
	cpu_set_t set;
	int cpus[2], n = 0, have;
	int want = 2 * st->ctx->node_size;

	st->gen_cpu = st->srv_cpu = -1;
	if (sched_getaffinity(0, sizeof(set), &set) != 0) {
		snprintf(st->binding, sizeof(st->binding),
			 "not pinned: the rank's CPU set is unknown");
		return;
	}
	have = CPU_COUNT(&set);
	/* Ranks bound to a core each see one CPU; unbound ranks of a node
	 * all see every CPU, and take two each by their node rank. */
	if (have >= want || (have >= 2 && st->ctx->node_size == 1)) {
		int skip = have >= want ? 2 * st->ctx->node_rank : 0;

		for (int c = 0; c < CPU_SETSIZE && n < 2; c++)
			if (CPU_ISSET(c, &set) && skip-- <= 0)
				cpus[n++] = c;
	}
	if (n == 2) {
		st->gen_cpu = cpus[0];
		st->srv_cpu = cpus[1];
		snprintf(st->binding, sizeof(st->binding),
			 "generator on CPU %d, server on CPU %d", cpus[0],
			 cpus[1]);
	} else {
		snprintf(st->binding, sizeof(st->binding),
			 "not pinned: %d CPU(s) for the %d threads of %d "
			 "rank(s) on the node", have, want,
			 st->ctx->node_size);
	}
}


/* Per-rank numbers a point gathers. */
struct rank_point {
	double achieved, arrival, svc_mean, svc_m2, queue_mean, lateness;
	double pickup, lindley, ideal, gap_cv, rss, p99;
	uint64_t requests, exceed;
	int role, peer;
	uint64_t t_n[2], t_min[2], t_negative;
	double t_sum[2], t_sq[2], held_sum[2];
	struct infer_remote_stats rs;
};

/* Rank 0: a remote point's pairs and transport from every rank's
 * numbers (n_pairs 0 when in-process). */
static void remote_merge(struct job_point *jp, const struct rank_point *all,
			 int size)
{
	int k = 0;

	free(jp->pairs);
	jp->pairs = NULL;
	jp->n_pairs = 0;
	memset(jp->t_n, 0, sizeof(jp->t_n));
	memset(jp->t_min, 0, sizeof(jp->t_min));
	memset(jp->t_sum, 0, sizeof(jp->t_sum));
	memset(jp->t_sq, 0, sizeof(jp->t_sq));
	memset(jp->held_sum, 0, sizeof(jp->held_sum));
	jp->t_negative = 0;
	jp->req_bytes = jp->rep_bytes = jp->checked = jp->mismatched = 0;
	jp->max_abs_diff = 0;
	for (int r = 0; r < size; r++) {
		const struct infer_remote_stats *rs = &all[r].rs;

		k += all[r].role == ROLE_CLIENT;
		if (all[r].role == ROLE_SERVER)
			jp->req_bytes += rs->bytes_in;
		if (all[r].role != ROLE_CLIENT)
			continue;
		jp->rep_bytes += rs->bytes_in;
		jp->checked += rs->checked;
		jp->mismatched += rs->mismatched;
		if (rs->max_abs_diff > jp->max_abs_diff)
			jp->max_abs_diff = rs->max_abs_diff;
	}
	if (!k)
		return;
	jp->pairs = calloc((size_t)k, sizeof(*jp->pairs));
	if (!jp->pairs)
		hpcp_die(71, "infer: out of memory for a point's pairs");
	for (int r = 0; r < size; r++) {
		const struct rank_point *p = &all[r];
		struct infer_pair *q;
		double tn = (double)(p->t_n[0] + p->t_n[1]);

		if (p->role != ROLE_CLIENT)
			continue;
		q = &jp->pairs[jp->n_pairs++];
		q->client = r;
		q->server = p->peer;
		q->requests = p->requests;
		q->achieved = p->achieved;
		q->p99 = p->p99;
		q->transport_mean = tn ? (p->t_sum[0] + p->t_sum[1]) / tn : 0;
		for (int c = 0; c < 2; c++) {
			if (p->t_n[c] && (!jp->t_n[c] || p->t_min[c] <
							    jp->t_min[c]))
				jp->t_min[c] = p->t_min[c];
			jp->t_n[c] += p->t_n[c];
			jp->t_sum[c] += p->t_sum[c];
			jp->t_sq[c] += p->t_sq[c];
			jp->held_sum[c] += p->held_sum[c];
		}
		jp->t_negative += p->t_negative;
	}
}

/* Collective: one load point on every rank, merged into *jp on rank 0
 * (jp may be NULL elsewhere).  Returns 0 or the worst rank's code. */
static int point(struct infer_state *st, double rate, int max_batch,
		 uint64_t requests, uint64_t delay_ns,
		 struct hpcp_serve_point *pt, struct job_point *jp,
		 int *verdict_out)
{
	struct hpcp_ctx *ctx = st->ctx;
	struct hpcp_serve_cfg cfg = {
		.max_batch = max_batch, .max_delay_ns = delay_ns,
		.requests = requests, .rate_per_s = rate,
		.gap_cv = st->o->burst,
		.seed = st->o->seed * 0x9e3779b97f4a7c15ull +
			(uint64_t)ctx->rank * 7919u +
			(uint64_t)llround(rate * 1000),
		.target_ns = (uint64_t)st->target_ns,
		.stall_at = requests / 2,
		.stall_ns = rate > 0 ? (uint64_t)st->stall_ns : 0,
		.coordinated = strcmp(st->o->client, "coordinated") == 0,
		.nominal_service_ns = st->spin && max_batch == 1 ?
					      st->spin_ns : 0,
		.gen_cpu = st->gen_cpu, .srv_cpu = st->srv_cpu,
		.model = st->spin ? run_spin : run_mlp, .model_arg = st,
		.tick = tick, .tick_arg = st,
	};
	struct rank_point me = { 0 }, *all = NULL;
	struct infer_remote_stats rs = { 0 };
	struct hpcp_lat_summary s;
	struct hpcp_hostload load;
	struct hpcp_hostload_result load_res = { 0 };
	int rc, v = HPCP_SERVE_TOO_FEW;

	hpcp_mpi_or_die(MPI_Barrier(ctx->comm), "infer: a load point's start");
	st->rss_peak_point = hpcp_serve_rss_bytes();
	rc = hpcp_ctx_agree(ctx, hpcp_hostload_begin(ctx, &load));
	if (rc)
		return rc;
	/* The offline sweep (rate 0) stays in-process: it has no client. */
	if (st->o->remote && rate > 0)
		rc = infer_remote_run(st, &cfg, pt, &rs);
	else
		rc = hpcp_serve_run(&cfg, pt);
	rc = hpcp_ctx_agree(ctx, rc);
	if (rc)
		return rc;
	rc = hpcp_ctx_agree(ctx, hpcp_hostload_end(ctx, &load, &load_res));
	if (rc)
		return rc;
	hpcp_hist_summary(&pt->latency, &s);
	me = (struct rank_point){
		.achieved = pt->achieved_per_s, .arrival = pt->arrival_per_s,
		.svc_mean = pt->service_mean_ns, .svc_m2 = pt->service_m2_ns2,
		.queue_mean = pt->queue_mean_ns,
		.lateness = pt->lateness_mean_ns,
		.pickup = pt->pickup_mean_ns, .lindley = pt->lindley_ns,
		.ideal = pt->ideal_ns, .gap_cv = pt->gap_cv,
		.rss = (double)st->rss_peak_point,
		.p99 = s.p99_ns == HPCP_LAT_NONE ? (double)s.max_ns :
						   (double)s.p99_ns,
		.requests = pt->requests, .exceed = pt->exceed,
		.role = st->o->remote && rate > 0 ? st->rm.role : ROLE_LOCAL,
		.peer = st->rm.peer, .t_negative = pt->transport_negative,
		.rs = rs,
	};
	for (int c = 0; c < 2; c++) {
		me.t_n[c] = pt->transport_n[c];
		me.t_min[c] = pt->transport_min_ns[c];
		me.t_sum[c] = pt->transport_sum_ns[c];
		me.t_sq[c] = pt->transport_sq_ns2[c];
		me.held_sum[c] = pt->held_sum_ns[c];
	}
	if (ctx->rank == 0) {
		all = calloc((size_t)ctx->size, sizeof(*all));
		if (!all)
			hpcp_die(71, "infer: out of memory gathering a point");
	}
	hpcp_mpi_or_die(MPI_Gather(&me, sizeof(me), MPI_BYTE, all, sizeof(me),
				   MPI_BYTE, 0, ctx->comm),
			"infer: a point's per-rank numbers");
	if (hpcp_hist_reduce(&pt->latency, jp ? &jp->lat : NULL, 0,
			     ctx->comm) ||
	    hpcp_hist_reduce(&pt->latency_sent, jp ? &jp->lat_sent : NULL, 0,
			     ctx->comm) ||
	    hpcp_hist_reduce(&pt->queue, jp ? &jp->queue : NULL, 0,
			     ctx->comm) ||
	    hpcp_hist_reduce(&pt->service, jp ? &jp->service : NULL, 0,
			     ctx->comm))
		hpcp_die(70, "infer: merging a point's histograms");
	hpcp_mpi_or_die(MPI_Reduce(pt->batch_count,
				   jp ? jp->batch_count : NULL,
				   HPCP_SERVE_MAX_BATCH + 1, MPI_UINT64_T,
				   MPI_SUM, 0, ctx->comm),
			"infer: the batch sizes");
	if (ctx->rank == 0 && jp) {
		/* Request numbers are the clients', batch numbers the
		 * servers' (in-process, every rank is both). */
		double n = 0, ns = 0;

		for (int r = 0; r < ctx->size; r++) {
			n += all[r].role == ROLE_LOCAL ||
			     all[r].role == ROLE_CLIENT;
			ns += all[r].role == ROLE_LOCAL ||
			      all[r].role == ROLE_SERVER;
		}
		jp->max_batch = max_batch;
		jp->load = load_res;
		jp->offered_per_rank = rate;
		jp->offered = rate * n;
		jp->n_clients = (int)n;
		jp->achieved = jp->arrival = jp->svc_mean = jp->svc_m2 = 0;
		jp->queue_mean = jp->lateness = jp->pickup = jp->lindley = 0;
		jp->ideal = jp->gap_cv = 0;
		jp->requests = jp->exceed = 0;
		jp->rss_peak = 0;
		jp->worst_p99 = -1;
		remote_merge(jp, all, ctx->size);
		for (int r = 0; r < ctx->size; r++) {
			const struct rank_point *p = &all[r];
			int cli = p->role == ROLE_LOCAL || p->role == ROLE_CLIENT;
			int srv = p->role == ROLE_LOCAL || p->role == ROLE_SERVER;

			if (srv) {
				jp->svc_mean += p->svc_mean / ns;
				jp->svc_m2 += p->svc_m2 / ns;
				jp->pickup += p->pickup / ns;
			}
			if ((uint64_t)p->rss > jp->rss_peak) {
				jp->rss_peak = (uint64_t)p->rss;
				jp->rss_rank = r;
			}
			if (!cli)
				continue;
			jp->achieved += p->achieved;
			jp->arrival += p->arrival;
			jp->queue_mean += p->queue_mean / n;
			jp->lateness += p->lateness / n;
			jp->lindley += p->lindley / n;
			jp->ideal += p->ideal / n;
			jp->gap_cv += p->gap_cv / n;
			jp->requests += p->requests;
			jp->exceed += p->exceed;
			if (p->p99 > jp->worst_p99) {
				jp->worst_p99 = p->p99;
				jp->worst_rank = r;
			}
		}
		jp->verdict = hpcp_serve_judge(jp->requests, jp->exceed, 0.99,
					       st->o->confidence);
		jp->verdict_999 = hpcp_serve_judge(jp->requests, jp->exceed,
						   0.999, st->o->confidence);
		/* An open queue served slower than it fills grows without
		 * bound: given time, any target is missed. */
		jp->saturated = rate > 0 && jp->achieved < 0.9 * jp->arrival;
		if (jp->saturated && jp->verdict == HPCP_SERVE_MEETS)
			jp->verdict = jp->verdict_999 = HPCP_SERVE_MISSES;
		v = jp->verdict;
	}
	free(all);
	hpcp_mpi_or_die(MPI_Bcast(&v, 1, MPI_INT, 0, ctx->comm),
			"infer: a point's verdict");
	if (verdict_out)
		*verdict_out = v;
	return 0;
}





/* The offline sweep's batch sizes: 1, 2, 4 ... below the cap, then the
 * cap.  Returns how many. */
static int batch_sizes(int cap, int *sizes)
{
	int n = 0;

	for (int b = 1; b < cap; b *= 2)
		sizes[n++] = b;
	sizes[n++] = cap;
	return n;
}

#define OFFLINE_ROUNDS 3

/* One size's offline rounds (rank 0). */
struct off_round {
	double rate, slow_rate;
	int slow_rank;
	uint64_t requests, rss;
	struct hpcp_lat_summary svc;
};

static int by_rate(const void *a, const void *b)
{
	const struct off_round *x = a, *y = b;

	return (x->rate > y->rate) - (x->rate < y->rate);
}

/* Collective: the offline sweep over sizes[0..n), OFFLINE_ROUNDS rounds
 * of every size, the sizes interleaved so that a busy spell of the host
 * hits one round of a size, not all: each size reports its median round.
 * Fills rate[] and p99[] (job, rank 0), slow_rank[] and slow_rate[]
 * (each size's slowest rank).  Returns 0 or the first error. */
static int offline(struct infer_state *st, struct hpcp_serve_point *pt,
		   struct job_point *jp, struct hpcp_res *arr,
		   const int *sizes, int n, double *rate, uint64_t *p99,
		   int *slow_rank, double *slow_rate)
{
	struct off_round rounds[16][OFFLINE_ROUNDS];

	for (int k = 0; k < OFFLINE_ROUNDS; k++)
		for (int i = 0; i < n; i++) {
			int b = sizes[i];
			/* The rounds share a point's requests. */
			uint64_t req = st->requests / OFFLINE_ROUNDS;
			double mine, *all = NULL, lo = INFINITY;
			struct off_round *r = &rounds[i][k];
			int rc;

			if (req < (uint64_t)b * 20)
				req = (uint64_t)b * 20;
			rc = point(st, 0, b, req, 0, pt, jp, NULL);
			if (rc)
				return rc;
			mine = pt->achieved_per_s;
			if (st->ctx->rank == 0) {
				all = calloc((size_t)st->ctx->size,
					     sizeof(*all));
				if (!all)
					hpcp_die(71, "infer: out of memory");
			}
			hpcp_mpi_or_die(MPI_Gather(&mine, 1, MPI_DOUBLE, all,
						   1, MPI_DOUBLE, 0,
						   st->ctx->comm),
					"infer: offline rates");
			if (st->ctx->rank == 0 && jp) {
				for (int q = 0; q < st->ctx->size; q++)
					if (all[q] < lo) {
						lo = all[q];
						r->slow_rank = q;
						r->slow_rate = all[q];
					}
				r->rate = jp->achieved;
				r->requests = jp->requests;
				r->rss = jp->rss_peak;
				hpcp_hist_summary(&jp->service, &r->svc);
			}
			free(all);
		}
	if (st->ctx->rank != 0)
		return 0;
	for (int i = 0; i < n; i++) {
		struct hpcp_res *o = hpcp_res_object(arr, NULL), *rr;
		struct off_round sorted[OFFLINE_ROUNDS], *m;

		memcpy(sorted, rounds[i], sizeof(sorted));
		qsort(sorted, OFFLINE_ROUNDS, sizeof(sorted[0]), by_rate);
		m = &sorted[OFFLINE_ROUNDS / 2];
		rate[i] = m->rate;
		p99[i] = m->svc.p99_ns;
		slow_rank[i] = m->slow_rank;
		slow_rate[i] = m->slow_rate;
		hpcp_res_int(o, "batch_size", sizes[i]);
		hpcp_res_int(o, "requests_count", (int64_t)m->requests);
		hpcp_res_double(o, "rate_per_s", rate[i]);
		rr = hpcp_res_array(o, "round_rates_per_s");
		for (int k = 0; k < OFFLINE_ROUNDS; k++)
			hpcp_res_double(rr, NULL, rounds[i][k].rate);
		hpcp_res_latency(o, "batch_service_ns", &m->svc);
		hpcp_res_int(o, "peak_rss_bytes", (int64_t)m->rss);
		hpcp_res_int(o, "slowest_rank", slow_rank[i]);
		hpcp_res_double(o, "slowest_rank_rate_per_s", slow_rate[i]);
	}
	return 0;
}

static int setup(struct infer_state *st, char *why, size_t len)
{
	const struct infer_opts *o = st->o;
	struct hpcp_ctx *ctx = st->ctx;
	int rc = 0;

	st->max_batch = (int)(!o->max_batch_given && ctx->cfg.quick ?
				      QUICK_MAX_BATCH : o->max_batch);
	st->requests = !o->requests_given && ctx->cfg.quick ? QUICK_REQUESTS :
							       o->requests;
	(void)hpcp_parse_duration(o->max_delay, 10e9, &st->max_delay_ns);
	(void)hpcp_parse_duration(o->p99, 100e9, &st->target_ns);
	if (o->stall)
		(void)hpcp_parse_duration(o->stall, 10e9, &st->stall_ns);
	st->min_point_ns = (ctx->cfg.quick ? 5 : 20) * st->target_ns;
	if (o->remote) {
		const char *h = getenv(HPCP_ENV_TEST_INFER_REPLY_HOLD);
		const char *b = getenv(HPCP_ENV_TEST_INFER_ODD_PAYLOAD);
		double odd = 0;

		infer_remote_plan(ctx, &st->rm);
		/* The mlp's 784 floats in, 10 out; the spin model stands in
		 * for it with the same sizes (what a test of the path wants
		 * to carry).  A trained model's own widths are checked once
		 * it is built. */
		st->rm.in_bytes = o->payload_given ? (size_t)o->payload :
						     INPUTS * sizeof(float);
		st->rm.out_floats = CLASSES;
		if (h && hpcp_parse_duration(h, 1e9, &st->rm.hold_ns) != 0) {
			snprintf(why, len, "%s: expects a duration up to 1 s",
				 HPCP_ENV_TEST_INFER_REPLY_HOLD);
			rc = -EINVAL;
		}
		if (b && (hpcp_parse_real(b, 1, REMOTE_MAX_PAYLOAD, &odd) ||
			  odd != floor(odd) ||
			  odd < (double)st->rm.in_bytes)) {
			snprintf(why, len, "%s: expects bytes from the request's "
				 "%zu up to %d", HPCP_ENV_TEST_INFER_ODD_PAYLOAD,
				 st->rm.in_bytes, REMOTE_MAX_PAYLOAD);
			rc = -EINVAL;
		}
		st->rm.odd_payload = (uint64_t)odd;
	}
	st->spin = strncmp(o->model, "spin:", 5) == 0;
	if (st->spin) {
		double us = 0;

		(void)hpcp_parse_real(o->model + 5, 1, 1e6, &us);
		st->spin_ns = us * 1e3;
		/* A rank's bad hook stops every rank, not just its own. */
		return hpcp_ctx_agree(ctx, rc);
	}
	hpcp_blas_default_threads();
	if (!rc)
		rc = build_model(st, why, len);
	if (!rc && o->remote) {
		/* A trained model's widths, carried both ways. */
		size_t d = (size_t)st->spec.width[0] * sizeof(float);

		st->rm.out_floats = (size_t)st->spec.width[st->spec.n_layers];
		if (!o->payload_given)
			st->rm.in_bytes = d;
		if (st->rm.in_bytes < d) {
			snprintf(why, len, "--infer-payload: the model's input "
				 "is %zu bytes, more than %zu", d,
				 st->rm.in_bytes);
			rc = -EINVAL;
		}
	}
	return hpcp_ctx_agree(ctx, rc);
}


static int by_offered(const void *a, const void *b)
{
	const struct job_point *x = a, *y = b;

	return (x->offered > y->offered) - (x->offered < y->offered);
}

/* Collective: the server sweep.  Returns 0 or an error; rank 0 fills
 * points and *best_i (the best point's index into pts, -1 none). */
static int server(struct infer_state *st, int batch, double capacity,
		  struct hpcp_serve_point *pt, struct job_point *pts,
		  int *n_pts, int *best_i)
{
	double rates[MAX_RATES], lo = 0, hi = 0, f;
	int n_rates = 0, rc, v, meets_any = 0;
	int is0 = st->ctx->rank == 0;

	*n_pts = 0;
	*best_i = -1;
	if (st->o->rates) {
		(void)parse_rates(st->o->rates, rates, &n_rates);
		for (int i = 0; i < n_rates; i++) {
			rc = point(st, rates[i], batch, st->requests,
				   st->max_delay_ns, pt, is0 ? &pts[i] : NULL,
				   &v);
			if (rc)
				return rc;
			(*n_pts)++;
		}
	} else {
		/* Up in steps of capacity until a point misses, then two
		 * halvings of the gap; down by halves when the first
		 * misses.  Every rank takes the same path (the verdict is
		 * broadcast). */
		static const double up[] = { 0.25, 0.5, 0.75, 0.9, 1.0, 1.1 };
		size_t i = 0;

		f = up[0];
		while (*n_pts < MAX_POINTS) {
			/* Long enough that a queue filling faster than it
			 * drains shows in the p99 (at 1.1 x capacity the
			 * backlog's wait grows by a tenth of the time). */
			double want = f * capacity * st->min_point_ns / 1e9;
			uint64_t req = st->requests;

			if (want > (double)req)
				req = want < HPCP_SERVE_MAX_REQUESTS ?
					      (uint64_t)ceil(want) :
					      HPCP_SERVE_MAX_REQUESTS;
			rc = point(st, f * capacity, batch, req,
				   st->max_delay_ns, pt,
				   is0 ? &pts[*n_pts] : NULL, &v);
			if (rc)
				return rc;
			(*n_pts)++;
			if (v == HPCP_SERVE_TOO_FEW)
				break;  /* no point can pass */
			if (v == HPCP_SERVE_MEETS) {
				meets_any = 1;
				lo = f;
			} else {
				hi = f;
			}
			if (!hi) {
				if (++i == sizeof(up) / sizeof(up[0]))
					break;
				f = up[i];
			} else if (!meets_any) {
				if (f < 0.02)
					break;
				f /= 2;
			} else if (hi - lo > 0.03 && *n_pts < 10) {
				f = (lo + hi) / 2;
			} else {
				break;
			}
		}
	}
	if (is0)
		qsort(pts, (size_t)*n_pts, sizeof(*pts), by_offered);
	if (is0)
		for (int i = 0; i < *n_pts; i++)
			if (pts[i].verdict == HPCP_SERVE_MEETS &&
			    (*best_i < 0 ||
			     pts[i].achieved > pts[*best_i].achieved))
				*best_i = i;
	return 0;
}


static int infer_run(struct hpcp_ctx *ctx, struct hpcp_res *out, char *why,
		     size_t len)
{
	struct infer_state *st = calloc(1, sizeof(*st));
	struct hpcp_serve_point *pt = malloc(sizeof(*pt));
	struct job_point *jp = NULL, *pts = NULL;
	double rate[16], slow_rate[16];
	uint64_t p99[16];
	int sizes[16], slow_rank[16], n_off, best_b = -1, n_pts = 0;
	int best_i = -1;
	int rc;
	double capacity = 0;

	if (!st || !pt) {
		free(st);
		free(pt);
		snprintf(why, len, "out of memory");
		return -ENOMEM;
	}
	st->ctx = ctx;
	st->o = opts_of(&ctx->cfg);
	st->rss_every = 1;
	st->t0 = hpcp_now_ns();
	rc = setup(st, why, len);
	if (rc)
		goto out;
	if (ctx->rank == 0) {
		jp = calloc(1, sizeof(*jp));
		pts = calloc(MAX_POINTS, sizeof(*pts));
		if (!jp || !pts)
			hpcp_die(71, "infer: out of memory");
	}
	choose_binding(st);
	st->rss_idle = hpcp_serve_rss_bytes();
	hpcp_watch_waiting_on(HPCP_WATCH_ALL);

	/* Offline: throughput per batch size, the best one. */
	n_off = batch_sizes(st->max_batch, sizes);
	rc = offline(st, pt, jp, hpcp_res_array(out, "offline"), sizes, n_off,
		     rate, p99, slow_rank, slow_rate);
	if (rc) {
		snprintf(why, len, "the offline sweep failed: %s",
			 strerror(-rc));
		goto out;
	}
	if (ctx->rank == 0)
		for (int i = 0; i < n_off; i++)
			if (p99[i] != HPCP_LAT_NONE &&
			    (double)p99[i] <= st->target_ns &&
			    (best_b < 0 || rate[i] > rate[best_b]))
				best_b = i;
	{
		double sh[2] = { best_b, best_b >= 0 ? rate[best_b] :
					  (n_off ? rate[0] : 0) };

		hpcp_mpi_or_die(MPI_Bcast(sh, 2, MPI_DOUBLE, 0, ctx->comm),
				"infer: the best batch");
		best_b = (int)sh[0];
		capacity = sh[1] / ctx->size;
	}
	{
		/* No batch size under the target offline: batch 1, the
		 * lowest latency there is. */
		int batch = best_b >= 0 ? sizes[best_b] : 1;

		if (st->o->rates)
			batch = st->max_batch;
		rc = server(st, batch, capacity, pt, pts, &n_pts, &best_i);
		if (rc) {
			snprintf(why, len, "the server sweep failed: %s",
				 strerror(-rc));
			goto out;
		}
		if (ctx->rank == 0)
			infer_report(out, st, pts, n_pts, best_i, batch,
				     best_b >= 0 ? slow_rank[best_b] : -1,
				     best_b >= 0 ? slow_rate[best_b] : 0, pt);
	}
out:
	if (st->nn)
		st->be->destroy(st->nn);
	free(st->pool);
	free(st->xb);
	free(st->yb);
	free(st);
	free(pt);
	if (jp)
		free(jp->pairs);
	for (int i = 0; pts && i < MAX_POINTS; i++)
		free(pts[i].pairs);
	free(jp);
	free(pts);
	return rc;
}

const struct hpcp_phase hpcp_phase_infer = {
	.name = "infer",
	.summary = "an inference server under open-loop load: latency "
		   "percentiles, the highest load under a p99 target, the "
		   "best batch size, memory",
	.run = infer_run,
	.check_job = infer_check_job,
	HPCP_PHASE_OPTIONS(infer_options, infer_defaults),
	.metrics = &phase_metrics,
};

#endif /* !HPCP_METRICS_ONLY */
