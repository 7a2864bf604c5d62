/*
 * The sampler in a run (hpcp/sampler.h): started on each node's leader,
 * summarised there after the last phase, and gathered to rank 0 as one
 * fixed-size record per node, so rank 0 holds O(nodes x phases x series)
 * numbers and never a node's whole ring.
 */
#include "config.h"

#include "hpcp/sampler.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hpcp/ctx.h"
#include "hpcp/log.h"
#include "hpcp/phase.h"
#include "hpcp/report.h"

#define REASON_LEN 160
#define STAT_FIELDS 4   /* n, mean, p95, max */

/* Why this process's sampler did not start ("" when it did). */
static char start_reason[REASON_LEN];

void hpcp_util_start(const struct hpcp_ctx *ctx, struct hpcp_sampler **s)
{
	int rc;

	*s = NULL;
	start_reason[0] = '\0';
	if (ctx->leader_comm == MPI_COMM_NULL)
		return;
	if (!(ctx->cfg.sample_hz > 0)) {
		snprintf(start_reason, sizeof(start_reason),
			 "off (--sample-hz 0)");
		return;
	}
	rc = hpcp_sampler_start(s, ctx->cfg.sample_hz, ctx->cfg.efa_root);
	if (rc)
		snprintf(start_reason, sizeof(start_reason),
			 "the sampler did not start: %s", strerror(-rc));
}

/* One node's record: a head, then the doubles. */
struct head {
	char host[HPCP_HOST_LEN];
	char reason[REASON_LEN];       /* no sampler: why */
	char gpu_reason[REASON_LEN];   /* no GPU series: why */
	int started, n_points, merged, gpus, n_series;
	unsigned sources, gpu_unsupported;
	double hz;
};

static size_t n_stats(int n_phases)
{
	/* Each phase, then the whole run. */
	return (size_t)(n_phases + 1) * HPCP_S_COUNT * STAT_FIELDS;
}

_Static_assert(HPCP_SAMPLER_PHASES >= HPCP_MAX_PHASES,
	       "the sampler keeps every phase's times");

/* After the stats and the series rows: each phase's start and end. */
static size_t times_at(int n_phases)
{
	return n_stats(n_phases) +
	       (size_t)HPCP_SAMPLER_POINTS * (HPCP_S_COUNT + 1);
}

static size_t record_size(int n_phases)
{
	size_t d = times_at(n_phases) + 2 * (size_t)n_phases;

	return sizeof(struct head) + d * sizeof(double);
}

/* At most HPCP_SAMPLER_POINTS buckets of neighbouring points, each the
 * mean of its values and the time of its last point. */
static int downsample(const struct hpcp_sample_point *pts, int n,
		      double *out)
{
	int m = n < HPCP_SAMPLER_POINTS ? n : HPCP_SAMPLER_POINTS;

	for (int b = 0; b < m; b++) {
		int from = (int)((long long)b * n / m);
		int to = (int)((long long)(b + 1) * n / m);
		double *row = out + (size_t)b * (HPCP_S_COUNT + 1);

		row[0] = pts[to - 1].t_s;
		for (int k = 0; k < HPCP_S_COUNT; k++) {
			double sum = 0;
			int c = 0;

			for (int i = from; i < to; i++)
				if (!isnan(pts[i].v[k])) {
					sum += pts[i].v[k];
					c++;
				}
			row[1 + k] = c ? sum / c : NAN;
		}
	}
	return m;
}

static void fill_record(const struct hpcp_ctx *ctx, struct hpcp_sampler *s,
			unsigned char *rec)
{
	struct head *h = (struct head *)rec;
	double *d = (double *)(rec + sizeof(*h));
	int np = ctx->cfg.n_phases;

	memset(rec, 0, record_size(np));
	snprintf(h->host, sizeof(h->host), "%s", ctx->host);
	snprintf(h->reason, sizeof(h->reason), "%s", start_reason);
	if (!s)
		return;
	hpcp_sampler_stop(s);
	{
		const struct hpcp_gpu *g = hpcp_sampler_gpu(s);
		const struct hpcp_sample_point *pts;

		pts = hpcp_sampler_points(s, &h->n_points, &h->merged);
		h->started = 1;
		h->hz = hpcp_sampler_hz(s);
		h->sources = hpcp_sampler_sources(s);
		h->gpus = g->count;
		h->gpu_unsupported = g->unsupported;
		snprintf(h->gpu_reason, sizeof(h->gpu_reason), "%s",
			 g->reason);
		for (int p = 0; p <= np; p++)
			for (int k = 0; k < HPCP_S_COUNT; k++) {
				struct hpcp_series_stats st;
				double *o = d + ((size_t)p * HPCP_S_COUNT + (size_t)k) *
						STAT_FIELDS;

				/* From every reading, not the merged
				 * points: exact max, p95 within the
				 * histogram's bound. */
				hpcp_sampler_summary(s, p == np ? -2 : p, k,
						     &st);
				o[0] = st.n;
				o[1] = st.mean;
				o[2] = st.p95;
				o[3] = st.max;
			}
		h->n_series = downsample(pts, h->n_points, d + n_stats(np));
		for (int p = 0; p < np; p++) {
			double *o = d + times_at(np) + 2 * (size_t)p;

			if (hpcp_sampler_phase_times(s, p, &o[0], &o[1]))
				o[0] = o[1] = NAN;
		}
	}
}

static const double *stat_of(const unsigned char *rec, int phase, int k)
{
	return (const double *)(rec + sizeof(struct head)) +
	       ((size_t)phase * HPCP_S_COUNT + (size_t)k) * STAT_FIELDS;
}

static void put_stats(struct hpcp_res *parent, const char *key,
		      const unsigned char *rec, int phase)
{
	struct hpcp_res *o = hpcp_res_object(parent, key);

	for (int k = 0; k < HPCP_S_COUNT; k++) {
		const double *st = stat_of(rec, phase, k);
		struct hpcp_res *x;

		if (st[0] == 0)
			continue;
		x = hpcp_res_object(o, hpcp_sampler_series_name(k));
		hpcp_res_int(x, "n", (int64_t)st[0]);
		hpcp_res_double(x, "mean", st[1]);
		hpcp_res_double(x, "p95", st[2]);
		hpcp_res_double(x, "max", st[3]);
	}
}

static void put_host(struct hpcp_res *hosts, const struct hpcp_ctx *ctx,
		     const unsigned char *rec)
{
	static const char *const gpu_fields[] = { "utilisation", "memory",
						  "power", "sm_clock" };
	static const char *const sources[] = { "stat", "meminfo", "net_dev",
					       "diskstats", "pressure_cpu",
					       "pressure_memory",
					       "pressure_io", "efa", "gpu" };
	const struct head *h = (const struct head *)rec;
	int np = ctx->cfg.n_phases;
	struct hpcp_res *o = hpcp_res_object(hosts, NULL), *a, *g, *ph, *se;
	const double *rows;

	hpcp_res_str(o, "host", h->host);
	if (!h->started) {
		hpcp_res_str(o, "reason", h->reason);
		return;
	}
	hpcp_res_int(o, "points", h->n_points);
	hpcp_res_double(o, "period_s", h->merged / h->hz);
	a = hpcp_res_array(o, "sources");
	for (unsigned i = 0; i < sizeof(sources) / sizeof(*sources); i++)
		if (h->sources & (1u << i))
			hpcp_res_str(a, NULL, sources[i]);
	g = hpcp_res_object(o, "gpu");
	hpcp_res_int(g, "count", h->gpus);
	if (h->gpus)
		hpcp_res_null(g, "reason");
	else
		hpcp_res_str(g, "reason", h->gpu_reason);
	a = hpcp_res_array(g, "not_supported");
	for (unsigned i = 0; i < 4; i++)
		if (h->gpu_unsupported & (1u << i))
			hpcp_res_str(a, NULL, gpu_fields[i]);
	ph = hpcp_res_object(o, "phases");
	for (int p = 0; p < np; p++)
		put_stats(ph, ctx->cfg.phases[p]->name, rec, p);
	put_stats(o, "run", rec, np);
	se = hpcp_res_object(o, "series");
	rows = (const double *)(rec + sizeof(struct head)) + n_stats(np);
	for (int k = -1; k < HPCP_S_COUNT; k++) {
		if (k >= 0 && stat_of(rec, np, k)[0] == 0)
			continue;
		a = hpcp_res_array(se, k < 0 ? "t_s" :
					   hpcp_sampler_series_name(k));
		for (int i = 0; i < h->n_series; i++)
			hpcp_res_double(a, NULL,
					rows[(size_t)i * (HPCP_S_COUNT + 1) +
					     (size_t)(k + 1)]);
	}
	rows = (const double *)(rec + sizeof(struct head)) + times_at(np);
	a = hpcp_res_object(o, "phase_times");
	for (int p = 0; p < np; p++) {
		struct hpcp_res *x;

		if (isnan(rows[2 * p]))
			continue;
		x = hpcp_res_object(a, ctx->cfg.phases[p]->name);
		hpcp_res_double(x, "start_s", rows[2 * p]);
		hpcp_res_double(x, "end_s", rows[2 * p + 1]);
	}
}

/* Across hosts, one phase (np: the run): per series the mean of the
 * hosts' means, the largest, imbalance = max / mean, the least-used host. */
static void put_across(struct hpcp_res *parent, const char *key,
		       const struct hpcp_ctx *ctx, const unsigned char *all,
		       size_t rsize, int phase)
{
	struct hpcp_res *o = hpcp_res_object(parent, key);

	for (int k = 0; k < HPCP_S_COUNT; k++) {
		double sum = 0, max = -INFINITY, min = INFINITY;
		int n = 0, least = -1;
		struct hpcp_res *x;

		for (int i = 0; i < ctx->n_nodes; i++) {
			const double *st = stat_of(all + (size_t)i * rsize,
						   phase, k);

			if (st[0] == 0 || isnan(st[1]))
				continue;
			sum += st[1];
			n++;
			if (st[1] > max)
				max = st[1];
			if (st[1] < min) {
				min = st[1];
				least = i;
			}
		}
		if (!n)
			continue;
		x = hpcp_res_object(o, hpcp_sampler_series_name(k));
		hpcp_res_int(x, "hosts", n);
		hpcp_res_double(x, "mean", sum / n);
		hpcp_res_double(x, "max", max);
		hpcp_res_double(x, "imbalance", sum > 0 ? max / (sum / n) : NAN);
		hpcp_res_str(x, "least_used_host",
			     ((const struct head *)(all + (size_t)least *
							  rsize))->host);
	}
}

static void put_doc(struct hpcp_doc *doc, const struct hpcp_ctx *ctx,
		    const unsigned char *all, size_t rsize)
{
	struct hpcp_res *u = hpcp_doc_top(doc, "utilisation"), *hosts, *ph;
	int np = ctx->cfg.n_phases, started = 0;

	for (int i = 0; i < ctx->n_nodes; i++)
		started += ((const struct head *)(all + (size_t)i * rsize))
				   ->started;
	if (!started) {
		hpcp_res_str(u, "status", ctx->cfg.sample_hz > 0 ?
					  "unavailable" : "skipped");
		hpcp_res_str(u, "reason",
			     ((const struct head *)all)->reason);
		return;
	}
	hpcp_res_str(u, "status", "ok");
	hpcp_res_double(u, "sample_hz", ctx->cfg.sample_hz);
	hpcp_res_int(u, "points_max", HPCP_SAMPLER_POINTS);
	hosts = hpcp_res_array(u, "hosts");
	for (int i = 0; i < ctx->n_nodes; i++)
		put_host(hosts, ctx, all + (size_t)i * rsize);
	ph = hpcp_res_object(u, "phases");
	for (int p = 0; p < np; p++)
		put_across(ph, ctx->cfg.phases[p]->name, ctx, all, rsize, p);
	put_across(u, "run", ctx, all, rsize, np);
}

void hpcp_util_finish(struct hpcp_ctx *ctx, struct hpcp_sampler **s,
		      struct hpcp_doc *doc)
{
	size_t rsize = record_size(ctx->cfg.n_phases);
	unsigned char *rec, *all = NULL;

	if (ctx->leader_comm == MPI_COMM_NULL)
		return;
	rec = malloc(rsize);
	if (ctx->rank == 0)
		all = malloc(rsize * (size_t)ctx->n_nodes);
	if (!rec || (ctx->rank == 0 && !all))
		hpcp_die(71, "out of memory gathering the utilisation");
	fill_record(ctx, *s, rec);
	hpcp_sampler_free(*s);
	*s = NULL;
	hpcp_mpi_or_die(MPI_Gather(rec, (int)rsize, MPI_BYTE, all, (int)rsize,
				   MPI_BYTE, 0, ctx->leader_comm),
			"MPI_Gather(utilisation)");
	if (ctx->rank == 0)
		put_doc(doc, ctx, all, rsize);
	free(rec);
	free(all);
}
