/* The infer phase's results (infer.c runs it; infer_int.h). */
#include "config.h"

#include <math.h>
#include <stdio.h>

#include "hpcp/ctx.h"
#include "hpcp/probe.h"
#include "hpcp/report.h"

#include "infer_int.h"

static void res_verdict(struct hpcp_res *o, const char *key,
			enum hpcp_serve_verdict v)
{
	hpcp_res_str(o, key, hpcp_serve_verdict_name(v));
}

void infer_res_hist(struct hpcp_res *o, const char *key,
		    const struct hpcp_hist *h)
{
	struct hpcp_lat_summary s;

	hpcp_hist_summary(h, &s);
	hpcp_res_latency(o, key, &s);
}

uint64_t infer_p99(const struct hpcp_hist *h)
{
	struct hpcp_lat_summary s;

	hpcp_hist_summary(h, &s);
	return s.p99_ns;
}

/* Mean and standard error of a class's transport. */
static void class_stats(const struct job_point *jp, int c, double *mean,
			double *se)
{
	double n = (double)jp->t_n[c];

	*mean = n ? jp->t_sum[c] / n : 0;
	*se = n > 1 ? sqrt(fmax(0, jp->t_sq[c] / n - *mean * *mean) /
			   (n - 1)) :
		      0;
}

/* A remote point's bytes both ways, as they arrived, and the clients'
 * check of the outputs (rank 0). */
static void report_data_path(const struct infer_state *st,
			     struct hpcp_res *o, const struct job_point *jp)
{
	struct hpcp_res *d = hpcp_res_object(o, "data_path");

	hpcp_res_int(d, "request_bytes_received", (int64_t)jp->req_bytes);
	hpcp_res_int(d, "reply_bytes_received", (int64_t)jp->rep_bytes);
	if (st->spin) {
		hpcp_res_str(d, "output_check", "none: the spin model computes "
			     "nothing (its outputs are zeros)");
		return;
	}
	hpcp_res_int(d, "outputs_checked_count", (int64_t)jp->checked);
	hpcp_res_int(d, "outputs_mismatched_count", (int64_t)jp->mismatched);
	hpcp_res_double(d, "outputs_max_abs_diff", jp->max_abs_diff);
	hpcp_res_double(d, "outputs_tolerance_ratio", REMOTE_OUTPUT_TOL);
	hpcp_res_str(d, "output_check", "each reply's output row against "
		     "the client's own forward pass of the input it sent "
		     "(same weights, batches of the largest size); off when "
		     "|remote - local| > tolerance x (1 + |local|): the "
		     "server's batches vary in size and BLAS may sum in "
		     "another order for another size");
}

/* The test hook's odd requests carrying more bytes: their transport
 * against the others' (rank 0). */
static void report_odd_payload(const struct infer_state *st,
			       struct hpcp_res *t, const struct job_point *jp)
{
	struct hpcp_res *h = hpcp_res_object(t, "injected_odd_payload");
	double m0, se0, m1, se1, noise;

	class_stats(jp, 0, &m0, &se0);
	class_stats(jp, 1, &m1, &se1);
	/* The classes differ by sampling alone within 3 standard errors
	 * of the difference. */
	noise = 3 * sqrt(se0 * se0 + se1 * se1);
	hpcp_res_str(h, "odd", "odd requests (test hook "
		     HPCP_ENV_TEST_INFER_ODD_PAYLOAD ")");
	hpcp_res_int(h, "odd_request_bytes",
		     (int64_t)(REMOTE_HEADER + st->rm.odd_payload));
	hpcp_res_int(h, "other_request_bytes",
		     (int64_t)(REMOTE_HEADER + st->rm.in_bytes));
	hpcp_res_int(h, "odd_count", (int64_t)jp->t_n[1]);
	hpcp_res_double(h, "odd_transport_mean_ns", m1);
	hpcp_res_double(h, "other_transport_mean_ns", m0);
	hpcp_res_double(h, "rise_ns", m1 - m0);
	hpcp_res_double(h, "noise_ns", noise);
	hpcp_res_bool(h, "resolved", m1 - m0 > noise);
}

/* A remote point's pairs, its transport and, with the test hook, the
 * held replies' rise (rank 0). */
static void report_remote(const struct infer_state *st, struct hpcp_res *o,
			  const struct job_point *jp)
{
	struct hpcp_res *t = hpcp_res_object(o, "transport");
	struct hpcp_res *a = hpcp_res_array(o, "pairs");
	double n = (double)(jp->t_n[0] + jp->t_n[1]);
	double lat = jp->lat.count ? (double)jp->lat.sum_ns /
					     (double)jp->lat.count : 0;
	uint64_t mn = jp->t_n[1] && jp->t_min[1] < jp->t_min[0] ?
			      jp->t_min[1] : jp->t_min[0];

	for (int i = 0; i < jp->n_pairs; i++) {
		const struct infer_pair *p = &jp->pairs[i];
		struct hpcp_res *e = hpcp_res_object(a, NULL);

		hpcp_res_int(e, "client_rank", p->client);
		hpcp_res_int(e, "server_rank", p->server);
		hpcp_res_int(e, "requests_count", (int64_t)p->requests);
		hpcp_res_double(e, "achieved_per_s", p->achieved);
		hpcp_res_double(e, "p99_ns", p->p99);
		hpcp_res_double(e, "transport_mean_ns", p->transport_mean);
	}
	hpcp_res_double(t, "mean_ns", n ? (jp->t_sum[0] + jp->t_sum[1]) / n :
					  0);
	hpcp_res_int(t, "min_ns", (int64_t)mn);
	hpcp_res_double(t, "latency_mean_ns", lat);
	hpcp_res_double(t, "queue_mean_ns", jp->queue.count ?
			(double)jp->queue.sum_ns / (double)jp->queue.count : 0);
	hpcp_res_double(t, "service_mean_ns", jp->service.count ?
			(double)jp->service.sum_ns / (double)jp->service.count :
			0);
	hpcp_res_double(t, "share_ratio", lat > 0 ? (jp->t_sum[0] +
					jp->t_sum[1]) / n / lat : 0);
	hpcp_res_int(t, "negative_count", (int64_t)jp->t_negative);
	hpcp_res_str(t, "definition", "per request: latency (scheduled "
		     "arrival to the reply's receipt, client clock) minus the "
		     "server's queue wait (receipt to batch start) and service "
		     "(batch start to completion): the network both ways, the "
		     "client's lateness and the server's reply");
	report_data_path(st, o, jp);
	if (st->rm.odd_payload > 0)
		report_odd_payload(st, t, jp);
	if (st->rm.hold_ns > 0) {
		struct hpcp_res *h = hpcp_res_object(t, "injected_reply_hold");
		double m0, se0, m1, se1, late, rise, noise;
		int noisy;
		char why[256];

		class_stats(jp, 0, &m0, &se0);
		class_stats(jp, 1, &m1, &se1);
		/* How much later than asked the server sent the held
		 * replies, beyond what it added to the others. */
		late = (jp->t_n[1] ? jp->held_sum[1] / (double)jp->t_n[1] : 0) -
		       st->rm.hold_ns -
		       (jp->t_n[0] ? jp->held_sum[0] / (double)jp->t_n[0] : 0);
		rise = m1 - m0;
		/* The rest of the two classes' transport differs by sampling
		 * alone: three standard errors of the difference. */
		noise = fmax(0, late) + 3 * sqrt(se0 * se0 + se1 * se1);
		noisy = !(rise >= st->rm.hold_ns &&
			  rise <= st->rm.hold_ns + noise);
		hpcp_res_double(h, "hold_ns", st->rm.hold_ns);
		hpcp_res_str(h, "held", "odd requests (test hook "
			     HPCP_ENV_TEST_INFER_REPLY_HOLD ")");
		hpcp_res_int(h, "held_count", (int64_t)jp->t_n[1]);
		hpcp_res_double(h, "held_transport_mean_ns", m1);
		hpcp_res_int(h, "held_transport_min_ns", (int64_t)jp->t_min[1]);
		hpcp_res_double(h, "other_transport_mean_ns", m0);
		hpcp_res_double(h, "rise_ns", rise);
		hpcp_res_double(h, "hold_late_mean_ns", late);
		hpcp_res_double(h, "noise_ns", noise);
		hpcp_res_bool(h, "noisy", noisy);
		if (noisy) {
			snprintf(why, sizeof(why), "the held replies' transport "
				 "rose %.0f ns, outside [%.0f, %.0f] (the hold, "
				 "plus the server's lateness %.0f ns and 3 "
				 "standard errors)", rise, st->rm.hold_ns,
				 st->rm.hold_ns + noise, late);
			hpcp_res_str(h, "noisy_reason", why);
		}
	}
}

/* o.host_load, o.noisy and, when noisy, o.noisy_reason for a point
 * (rank 0). */
static void report_load(struct hpcp_res *o, const struct infer_state *st,
			const struct job_point *jp)
{
	hpcp_hostload_report_noisy(o, st->ctx, &jp->load,
				   "the CPUs during this load point",
				   "latencies include waits for a time slice");
}

/* A server point into the points array (rank 0). */
static void report_point(const struct infer_state *st, struct hpcp_res *arr,
			 const struct job_point *jp)
{
	struct hpcp_res *o = hpcp_res_object(arr, NULL), *b;
	double batches = 0, reqs = 0;

	report_load(o, st, jp);
	hpcp_res_double(o, "offered_per_s", jp->offered);
	hpcp_res_double(o, "offered_per_rank_per_s", jp->offered_per_rank);
	hpcp_res_double(o, "arrival_per_s", jp->arrival);
	hpcp_res_double(o, "achieved_per_s", jp->achieved);
	hpcp_res_int(o, "requests_count", (int64_t)jp->requests);
	hpcp_res_int(o, "max_batch_size", jp->max_batch);
	infer_res_hist(o, "latency_ns", &jp->lat);
	infer_res_hist(o, "latency_from_send_ns", &jp->lat_sent);
	infer_res_hist(o, "queue_ns", &jp->queue);
	infer_res_hist(o, "service_ns", &jp->service);
	hpcp_res_double(o, "queue_mean_ns", jp->queue_mean);
	hpcp_res_double(o, "service_mean_ns", jp->lat.count ?
			(double)jp->service.sum_ns / (double)jp->service.count :
			0);
	b = hpcp_res_array(o, "batch_sizes");
	for (int k = 1; k <= jp->max_batch; k++) {
		struct hpcp_res *e;

		if (!jp->batch_count[k])
			continue;
		e = hpcp_res_object(b, NULL);
		hpcp_res_int(e, "batch_size", k);
		hpcp_res_int(e, "batches_count", (int64_t)jp->batch_count[k]);
		batches += (double)jp->batch_count[k];
		reqs += (double)jp->batch_count[k] * k;
	}
	hpcp_res_double(o, "mean_batch_size", batches ? reqs / batches : 0);
	hpcp_res_int(o, "exceeding_count", (int64_t)jp->exceed);
	res_verdict(o, "verdict", jp->verdict);
	res_verdict(o, "verdict_p99_9", jp->verdict_999);
	hpcp_res_bool(o, "saturated", jp->saturated);
	hpcp_res_double(o, "gap_cv_ratio", jp->gap_cv);
	hpcp_res_double(o, "client_lateness_mean_ns", jp->lateness);
	hpcp_res_int(o, "peak_rss_bytes", (int64_t)jp->rss_peak);
	hpcp_res_int(o, "slowest_rank", jp->worst_rank);
	hpcp_res_double(o, "slowest_rank_p99_ns", jp->worst_p99);
	if (jp->n_pairs)
		report_remote(st, o, jp);
	/* The queueing check: a known service time at batch 1, in-process
	 * (remote, the queue wait starts at receipt, not at arrival). */
	if (st->spin && jp->max_batch == 1 && !jp->n_pairs) {
		struct hpcp_res *q = hpcp_res_object(o, "queueing");
		double rho = jp->arrival / st->ctx->size * st->spin_ns / 1e9;
		double md1 = hpcp_serve_md1_wait_ns(rho, st->spin_ns);
		double lam = jp->arrival / st->ctx->size / 1e9;
		double pk = hpcp_serve_pk_wait_ns(lam, jp->svc_mean,
						  jp->svc_m2);
		double cv = jp->svc_mean > 0 ?
				    sqrt(fmax(0, jp->svc_m2 - jp->svc_mean *
							       jp->svc_mean)) /
					    jp->svc_mean :
				    0;
		/* What the method cannot control: the client sending late,
		 * the server picking up late, the service time moving (a
		 * descheduled server).  Each adds to the wait measured. */
		double over = jp->lateness + jp->pickup;
		/* The same arrivals and measured service times through an
		 * ideal FIFO server (Lindley): what the queue waited beyond
		 * it, the server added by starting late after an idle spell
		 * (a thread's wake-up).  The mean pickup delay above hides
		 * this: it is spread over every batch, but each late start
		 * delays the whole busy period behind it. */
		double excess = jp->queue_mean - jp->lindley;
		int noisy = over > 0.03 * md1 || cv > 0.05 ||
			    excess > 0.03 * md1;
		char why[320];

		hpcp_res_str(q, "model", "M/D/1");
		hpcp_res_double(q, "rho_ratio", rho);
		hpcp_res_double(q, "nominal_service_ns", st->spin_ns);
		hpcp_res_double(q, "measured_service_mean_ns", jp->svc_mean);
		hpcp_res_double(q, "measured_service_cv_ratio", cv);
		hpcp_res_double(q, "md1_queue_mean_ns", md1);
		hpcp_res_double(q, "pk_queue_mean_ns", pk);
		hpcp_res_double(q, "ideal_queue_mean_ns", jp->ideal);
		hpcp_res_double(q, "lindley_queue_mean_ns", jp->lindley);
		hpcp_res_double(q, "measured_queue_mean_ns", jp->queue_mean);
		hpcp_res_double(q, "pickup_mean_ns", jp->pickup);
		hpcp_res_bool(q, "noisy", noisy);
		if (noisy) {
			/* A busy host: the server was descheduled mid-batch
			 * (service CV), or a thread woke late. */
			snprintf(why, sizeof(why), "client late %.0f ns and "
				 "server pickup %.0f ns on average (%.1f %% of "
				 "the M/D/1 wait); the queue waited %.0f ns "
				 "beyond an ideal FIFO server on the same "
				 "arrivals and service times (%.1f %%); service "
				 "time CV %.3f, mean %.0f ns against %.0f%s",
				 jp->lateness, jp->pickup, 100 * over / md1,
				 excess, 100 * excess / md1, cv, jp->svc_mean,
				 st->spin_ns, isfinite(pk) ? "" :
				 ": the measured service saturates the server");
			hpcp_res_str(q, "noisy_reason", why);
		}
	}
}

static void report_model(const struct infer_state *st, struct hpcp_res *out)
{
	struct hpcp_res *m = hpcp_res_object(out, "model");

	if (st->spin) {
		hpcp_res_str(m, "kind", "spin");
		hpcp_res_double(m, "spin_ns", st->spin_ns);
		return;
	}
	hpcp_res_str(m, "kind", "mlp");
	hpcp_res_str(m, "weights", st->trained ? "trained" : "seeded");
	hpcp_res_str(m, "backend", st->be->name);
	{
		struct hpcp_res *w = hpcp_res_array(m, "layer_widths");

		for (int l = 0; l <= st->spec.n_layers; l++)
			hpcp_res_int(w, NULL, st->spec.width[l]);
	}
	{
		/* Forward only: the products' multiply-adds, 2 FLOP each. */
		double f = 0;

		for (int l = 0; l < st->spec.n_layers; l++)
			f += 2.0 * st->spec.width[l] * st->spec.width[l + 1];
		hpcp_res_double(m, "forward_flops_per_request", f);
	}
}

static void report_memory(const struct infer_state *st, struct hpcp_res *out)
{
	struct hpcp_res *m = hpcp_res_object(out, "memory"), *t;
	uint64_t peak = 0;

	hpcp_res_int(m, "idle_rss_bytes", (int64_t)st->rss_idle);
	for (int i = 0; i < st->rss_n; i++)
		if (st->rss_v[i] > peak)
			peak = st->rss_v[i];
	hpcp_res_int(m, "rank0_peak_rss_bytes", (int64_t)peak);
	hpcp_res_str(m, "definition", "rank 0's resident set, sampled every "
		     "10 ms or more while load points ran");
	t = hpcp_res_array(m, "timeline");
	for (int i = 0; i < st->rss_n; i++) {
		struct hpcp_res *e = hpcp_res_object(t, NULL);

		hpcp_res_double(e, "t_s", (double)st->rss_t[i] / 1e9);
		hpcp_res_int(e, "rss_bytes", (int64_t)st->rss_v[i]);
	}
}

/* Why the point with the lowest p99 missed when that p99 was under the
 * target: it fell behind its arrivals, or more requests exceeded the
 * target than the rule allows at the confidence asked. */
static void why_missed(char *buf, size_t len, const struct infer_state *st,
		       const struct job_point *jp, uint64_t p99)
{
	int n;

	if (jp->verdict == HPCP_SERVE_TOO_FEW)
		n = snprintf(buf, len, "too few requests to judge it");
	else if ((double)p99 >= st->target_ns)
		n = snprintf(buf, len, "over the target");
	else if (jp->saturated)
		n = snprintf(buf, len, "under the target, but saturated: "
			     "%.0f req/s served of %.0f arriving",
			     jp->achieved, jp->arrival);
	else
		n = snprintf(buf, len, "under the target, but %llu of %llu "
			     "requests over it is more than p99 allows at "
			     "%g confidence",
			     (unsigned long long)jp->exceed,
			     (unsigned long long)jp->requests,
			     st->o->confidence);
	if (n >= 0 && (size_t)n < len && jp->load.noisy)
		snprintf(buf + n, len - (size_t)n, "; noisy host: other work "
			 "took %.0f %% of the CPUs",
			 100 * jp->load.foreign_fraction);
}

/* best: the best point, or null rates with the reason and the lowest
 * p99 seen (too few samples, or no load met the target, and why). */
static void report_best(struct hpcp_res *best, const struct infer_state *st,
			const struct job_point *pts, int n_pts, int best_i)
{
	double c = st->o->confidence;
	uint64_t low = UINT64_MAX;
	int low_i = -1;
	char r[400], why[240];

	if (best_i >= 0) {
		hpcp_res_double(best, "rate_per_s", pts[best_i].achieved);
		hpcp_res_double(best, "p99_ns",
				(double)infer_p99(&pts[best_i].lat));
		infer_res_hist(best, "latency_ns", &pts[best_i].lat);
		hpcp_res_double(best, "offered_per_s", pts[best_i].offered);
		report_load(best, st, &pts[best_i]);
		return;
	}
	for (int i = 0; i < n_pts; i++) {
		uint64_t p = infer_p99(&pts[i].lat);

		if (p == HPCP_LAT_NONE)
			p = pts[i].lat.max_ns;
		if (p < low) {
			low = p;
			low_i = i;
		}
	}
	hpcp_res_null(best, "rate_per_s");
	hpcp_res_null(best, "p99_ns");
	if (n_pts && pts[0].verdict == HPCP_SERVE_TOO_FEW) {
		snprintf(r, sizeof(r), "too few samples: %llu requests a "
			 "point, p99 needs %llu at %g confidence",
			 (unsigned long long)pts[0].requests,
			 (unsigned long long)hpcp_serve_samples_needed(0.99, c),
			 c);
	} else if (low_i >= 0) {
		why_missed(why, sizeof(why), st, &pts[low_i], low);
		snprintf(r, sizeof(r), "no load tried met p99 under %.3g ms; "
			 "the lowest p99 seen was %.3g ms (at %.0f req/s "
			 "offered): %s", st->target_ns / 1e6, (double)low / 1e6,
			 pts[low_i].offered, why);
	} else {
		/* Not reached: the server search runs at least one point. */
		snprintf(r, sizeof(r), "no load tried met p99 under %.3g ms: "
			 "no load point ran", st->target_ns / 1e6);
	}
	hpcp_res_str(best, "reason", r);
	if (low_i >= 0) {
		hpcp_res_double(best, "lowest_p99_ns", (double)low);
		report_load(best, st, &pts[low_i]);
	}
}

void infer_report(struct hpcp_res *out, const struct infer_state *st,
		  const struct job_point *pts, int n_pts, int best_i,
		  int batch, int slow_rank, double slow_rate,
		  const struct hpcp_serve_point *pt)
{
	const struct hpcp_ctx *ctx = st->ctx;
	const struct infer_opts *o = st->o;
	struct hpcp_res *arr = hpcp_res_array(out, "points");
	struct hpcp_res *best = hpcp_res_object(out, "best"), *sl, *bi;

	for (int i = 0; i < n_pts; i++)
		report_point(st, arr, &pts[i]);
	hpcp_res_int(best, "batch_size", batch);
	report_best(best, st, pts, n_pts, best_i);
	hpcp_res_double(out, "target_p99_ns", st->target_ns);
	hpcp_res_double(out, "confidence_ratio", o->confidence);
	hpcp_res_int(out, "p99_needed_count",
		     (int64_t)hpcp_serve_samples_needed(0.99, o->confidence));
	hpcp_res_int(out, "p99_9_needed_count",
		     (int64_t)hpcp_serve_samples_needed(0.999, o->confidence));
	hpcp_res_int(out, "ranks_count", ctx->size);
	hpcp_res_int(out, "nodes_count", ctx->n_nodes);
	hpcp_res_int(out, "max_batch_size", st->max_batch);
	hpcp_res_double(out, "max_delay_ns", st->max_delay_ns);
	hpcp_res_int(out, "requests_per_point_count", (int64_t)st->requests);
	hpcp_res_double(out, "gap_cv_configured_ratio", o->burst);
	hpcp_res_str(out, "client", o->client);
	hpcp_res_str(out, "search", o->rates ? "given rates" :
			"fractions of the offline capacity");
	hpcp_res_str(out, "latency_definition", o->remote ?
		     "from the request's scheduled arrival to the client's "
		     "receipt of the reply (open loop)" :
		     "from the request's scheduled arrival to its completion "
		     "(open loop)");
	hpcp_res_str(out, "mode", o->remote ? "remote" : "local");
	if (o->remote) {
		struct hpcp_res *r = hpcp_res_object(out, "remote");

		hpcp_res_str(r, "placement", st->rm.same_node ?
			     "same-node" : "inter-node");
		if (st->rm.same_node)
			hpcp_res_str(r, "placement_note", "one node: even "
				     "ranks serve, odd ranks ask; the path is "
				     "MPI within the node, not a network");
		hpcp_res_int(r, "pairs_count", st->rm.pairs);
		hpcp_res_int(r, "server_nodes_count", st->rm.same_node ? 1 :
			     ctx->n_nodes / 2);
		hpcp_res_int(r, "idle_ranks_count", st->rm.idle);
		hpcp_res_str(r, "idle_ranks", "ranks without a partner (the "
			     "larger side's last ones) run no requests in the "
			     "server sweep");
		hpcp_res_str(r, "offline", "local: the offline sweep runs "
			     "each rank's own server in-process (a full queue "
			     "has no client)");
		hpcp_res_str(r, "capacity", "the search's fractions are of "
			     "one rank's offline capacity, per client");
		hpcp_res_int(r, "request_bytes", (int64_t)(REMOTE_HEADER +
							  st->rm.in_bytes));
		hpcp_res_int(r, "request_input_bytes",
			     (int64_t)st->rm.in_bytes);
		hpcp_res_int(r, "reply_bytes", (int64_t)(REMOTE_REPLY_RECORD +
				st->rm.out_floats * sizeof(float)));
		hpcp_res_int(r, "reply_output_bytes",
			     (int64_t)(st->rm.out_floats * sizeof(float)));
		hpcp_res_str(r, "request", o->payload_given ?
			     "an 8-byte index and --infer-payload bytes of "
			     "input (the model reads its input row from the "
			     "front)" : st->spin ?
			     "an 8-byte index and the mlp's input row (784 "
			     "floats): the spin model stands in for it" :
			     "an 8-byte index and the model's input row");
		hpcp_res_str(r, "reply", "the 32-byte timing record and the "
			     "model's output row");
		hpcp_res_int(r, "ring_slots_count", REMOTE_SLOTS);
		hpcp_res_str(r, "ring", "each side keeps its last 1024 "
			     "requests' buffers: the server takes request i "
			     "once request i - 1024 is answered");
	}
	if (st->stall_ns > 0)
		hpcp_res_double(out, "injected_stall_ns", st->stall_ns);
	report_model(st, out);
	if (slow_rank >= 0) {
		sl = hpcp_res_object(out, "slowest_server");
		hpcp_res_int(sl, "rank", slow_rank);
		hpcp_res_str(sl, "host",
			     ctx->hosts[ctx->ranks[slow_rank].node].name);
		hpcp_res_double(sl, "offline_rate_per_s", slow_rate);
	}
	bi = hpcp_res_object(out, "binding");
	hpcp_res_str(bi, "rank0", st->binding);
	hpcp_res_bool(bi, "pinned", pt->pinned);
	hpcp_res_int(bi, "generator_cpu", pt->gen_cpu);
	hpcp_res_int(bi, "server_cpu", pt->srv_cpu);
	report_memory(st, out);
}
