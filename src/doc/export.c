/*
 * Projections of the document for monitoring systems: CloudWatch Embedded
 * Metric Format lines and a Prometheus textfile.  Both are written from
 * the finished document on rank 0, atomically, and measure nothing.
 */
#include "config.h"

#include "hpcpdoc.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define EMF_MAX_LINE 16000      /* Docker's awslogs splits above 16 KiB */
#define EMF_MAX_METRICS 100

static int publish(struct hpcp_text *t, const char *path, char *err, size_t len)
{
	if (t->oom) {
		snprintf(err, len, "out of memory");
		return -ENOMEM;
	}
	return hpcp_publish(t->buf ? t->buf : "", t->len, path, err,
				   len);
}

/* --- CloudWatch Embedded Metric Format ------------------------------- */

struct emf_metric {
	const char *name;
	const char *unit;
	double value;
};

/* Cluster name for the low-cardinality dimension: what the launcher says. */
static const char *cluster_of(const cJSON *root)
{
	const cJSON *job = hpcp_at(hpcp_at(root, "context"), "job");
	const char *c = hpcp_str_at(job, "cluster");

	if (!c)
		c = hpcp_str_at(job, "compute_environment");
	return c ? c : "default";
}

static void json_string(struct hpcp_text *t, const char *s)
{
	char *quoted;
	cJSON *tmp = cJSON_CreateString(s ? s : "");

	quoted = tmp ? cJSON_PrintUnformatted(tmp) : NULL;
	if (quoted)
		hpcp_put(t, "%s", quoted);
	else
		t->oom = 1;
	cJSON_free(quoted);
	cJSON_Delete(tmp);
}

/*
 * One EMF event: dims are key/value pairs (all strings), the metrics, and
 * the job id as a non-metric member (searchable in Logs Insights, never a
 * dimension: it would create a metric per job).
 */
static int emf_line(struct hpcp_text *t, const cJSON *root, const char *ns,
		    const char *const *dims, int n_dims,
		    const struct emf_metric *m, int n_metrics)
{
	struct timespec now;
	const char *job = hpcp_str_at(hpcp_at(hpcp_at(root, "context"), "job"), "job_id");
	size_t start = t->len;

	clock_gettime(CLOCK_REALTIME, &now);
	hpcp_put(t, "{\"_aws\":{\"Timestamp\":%lld,\"CloudWatchMetrics\":[{"
	       "\"Namespace\":",
	    (long long)now.tv_sec * 1000 + now.tv_nsec / 1000000);
	json_string(t, ns);
	hpcp_put(t, ",\"Dimensions\":[[");
	for (int i = 0; i < n_dims; i++) {
		hpcp_put(t, "%s", i ? "," : "");
		json_string(t, dims[2 * i]);
	}
	hpcp_put(t, "]],\"Metrics\":[");
	for (int i = 0; i < n_metrics; i++) {
		hpcp_put(t, "%s{\"Name\":", i ? "," : "");
		json_string(t, m[i].name);
		hpcp_put(t, ",\"Unit\":\"%s\"}", m[i].unit);
	}
	hpcp_put(t, "]}]}");
	for (int i = 0; i < n_dims; i++) {
		hpcp_put(t, ",");
		json_string(t, dims[2 * i]);
		hpcp_put(t, ":");
		json_string(t, dims[2 * i + 1]);
	}
	for (int i = 0; i < n_metrics; i++) {
		hpcp_put(t, ",");
		json_string(t, m[i].name);
		hpcp_put(t, ":%.10g", isfinite(m[i].value) ? m[i].value : 0.0);
	}
	hpcp_put(t, ",\"JobId\":");
	json_string(t, job ? job : "local");
	hpcp_put(t, ",\"Tool\":\"hpcprobe\"}\n");
	/* Our groups are small; a line that would not fit (a document's
	 * dimension value too long) is taken back rather than split by a log
	 * driver into invalid JSON, and counted: the export then fails. */
	if (!t->oom && t->len - start > EMF_MAX_LINE) {
		t->len = start;
		return 1;
	}
	return 0;
}

/* One line per instance of a group of entries (hpcp/metrics.h). */
struct emf_group {
	struct hpcp_text *t;
	const cJSON *root;
	const char *ns;
	const char *dims[2 * (2 + HPCP_METRIC_MAX_LABELS)];
	int nd, nm;
	int too_long;   /* lines over EMF_MAX_LINE, not written */
	struct emf_metric m[EMF_MAX_METRICS];
	char names[EMF_MAX_METRICS][64];
};

static void emf_add(struct emf_group *g, const struct hpcp_metric *m,
		    const char *suffix, double v)
{
	if (g->nm == EMF_MAX_METRICS)
		return;
	snprintf(g->names[g->nm], sizeof(g->names[g->nm]), "%s%s", m->emf,
		 suffix);
	g->m[g->nm] = (struct emf_metric){ g->names[g->nm], m->emf_unit,
					   v * m->emf_scale };
	g->nm++;
}

static void emf_value(const struct hpcp_metric_value *v, void *arg)
{
	struct emf_group *g = arg;
	const struct hpcp_metric *m = v->m;
	double x;

	if (v->first) {
		/* Low-cardinality dimensions only: the table's EMF labels. */
		g->nm = 0;
		g->nd = 0;
		g->dims[g->nd++] = "Cluster";
		g->dims[g->nd++] = cluster_of(g->root);
		/* A top-level table's labels name the phase. */
		if (!v->table->top) {
			g->dims[g->nd++] = "Phase";
			g->dims[g->nd++] = v->table->phase;
		}
		for (int i = 0; i < v->n_labels; i++) {
			if (!v->label[i]->emf)
				continue;
			g->dims[g->nd++] = v->label[i]->emf;
			g->dims[g->nd++] = v->label_value[i];
		}
	}
	if (m->emf && m->kind == HPCP_METRIC_LATENCY &&
	    cJSON_IsObject(v->node)) {
		emf_add(g, m, "P50", hpcp_num_at(v->node, "p50", 0));
		/* A p99 too few samples support is null: not measured, so
		 * not sent (never as 0). */
		x = hpcp_metric_num(v, "p99");
		if (isfinite(x))
			emf_add(g, m, "P99", x);
	} else if (m->emf) {
		x = hpcp_metric_num(v, NULL);
		if (isfinite(x))
			emf_add(g, m, "", x);
	}
	if (v->last && g->nm)
		g->too_long += emf_line(g->t, g->root, g->ns, g->dims,
					g->nd / 2, g->m, g->nm);
}

/*
 * The cost estimate hpcprobe-report --price attached (root.cost; never in
 * hpcprobe's own document), in files of its own, apart from the run's
 * metrics (which hpcprobe exported already): a line per pricing, dimensions the
 * instance type and the pricing, the figures that have a value only (a
 * figure n/a is left out, never written as 0).  Dollars: CloudWatch has
 * no currency unit, so "None".
 */
static const struct cost_item {
	const char *key, *emf, *prom_item;
} cost_items[] = {
	{ "run", "CostRun", "run" },
	{ "per_epoch", "CostPerEpoch", "per_epoch" },
	{ "to_train_target", "CostToTrainTarget", "to_train_target" },
	{ "per_1k_requests", "CostPer1kRequests", "per_1k_requests" },
	{ "per_gb_written", "CostPerGBWritten", "per_gb_written" },
};
#define N_COST_ITEMS (sizeof(cost_items) / sizeof(cost_items[0]))

static const char *const pricing_key[2] = { "on_demand_usd", "spot_usd" };

static int emf_cost(struct hpcp_text *t, const cJSON *root, const char *ns)
{
	const cJSON *cost = hpcp_at(root, "cost");
	const char *type = hpcp_str_at(cost, "instance_type");
	const char *pricing[2] = { "OnDemand", "Spot" };
	struct emf_metric m[N_COST_ITEMS + 1];
	int too_long = 0;

	if (!cJSON_IsObject(cost) || !type)
		return 0;
	for (int p = 0; p < 2; p++) {
		const char *dims[4] = { "InstanceType", type, "Pricing",
					pricing[p] };
		int n = 0;

		for (size_t i = 0; i < N_COST_ITEMS; i++) {
			double v = hpcp_num_at(hpcp_at(cost, cost_items[i].key),
					       pricing_key[p], NAN);

			if (isfinite(v))
				m[n++] = (struct emf_metric){
					cost_items[i].emf, "None", v };
		}
		if (p == 1) {
			double v = hpcp_num_at(hpcp_at(cost, "spot_expected"),
					       "usd", NAN);

			if (isfinite(v))
				m[n++] = (struct emf_metric){
					"CostSpotExpectedRun", "None", v };
		}
		if (n)
			too_long += emf_line(t, root, ns, dims, 2, m, n);
	}
	return too_long;
}

int hpcp_export_emf(const cJSON *root, const char *path, const char *ns,
		    char *err, size_t errlen)
{
	struct hpcp_text t = { 0 };
	static struct emf_group g;
	int rc;

	g = (struct emf_group){ .t = &t, .root = root, .ns = ns };
	for (int k = 0; hpcp_metric_tables[k]; k++) {
		const struct hpcp_metric_table *tab = hpcp_metric_tables[k];

		for (size_t i = 0, end; i < tab->n; i = end) {
			end = hpcp_metrics_group_end(tab, i);
			hpcp_metrics_walk(root, tab, i, end, emf_value, &g);
		}
	}
	if (g.too_long) {
		/* Not a file that silently lacks metrics. */
		snprintf(err, errlen, "%d EMF line%s over %d bytes (a "
			 "dimension such as the cluster name too long): "
			 "nothing written", g.too_long,
			 g.too_long == 1 ? "" : "s", EMF_MAX_LINE);
		rc = -EMSGSIZE;
	} else {
		rc = publish(&t, path, err, errlen);
	}
	free(t.buf);
	return rc;
}

/* --- Prometheus textfile ---------------------------------------------- */

static void prom_label_value(struct hpcp_text *t, const char *s)
{
	hpcp_put(t, "\"");
	for (; s && *s; s++) {
		if (*s == '\\' || *s == '"')
			hpcp_put(t, "\\%c", *s);
		else if (*s == '\n')
			hpcp_put(t, "\\n");
		else
			hpcp_put(t, "%c", *s);
	}
	hpcp_put(t, "\"");
}

static void prom_head(struct hpcp_text *t, const char *name, const char *type,
		      const char *help)
{
	hpcp_put(t, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

/* A summary sample set for one distribution (quantiles, sum, count),
 * its values times scale. */
static void prom_summary(struct hpcp_text *t, const char *name,
			 const char *labels, const cJSON *lat, double count,
			 double scale)
{
	const char *q[] = { "0.5", "p50", "0.9", "p90", "0.99", "p99",
			    "0.999", "p99_9" };
	double v;

	if (!cJSON_IsObject(lat))
		return;
	/* A quantile too few samples support is null in the document and
	 * left out here: a summary may carry any subset of quantiles. */
	for (int i = 0; i < 4; i++)
		if (hpcp_num_of(hpcp_at(lat, q[2 * i + 1]), &v))
			hpcp_put(t, "%s{%s,quantile=\"%s\"} %.9g\n", name, labels,
			    q[2 * i], v * scale);
	hpcp_put(t, "%s_sum{%s} %.9g\n", name, labels,
	    hpcp_num_at(lat, "mean", 0) * count * scale);
	hpcp_put(t, "%s_count{%s} %.0f\n", name, labels, count);
}

/* One sample of a table entry: phase first, then the entry's labels. */
static void prom_value(const struct hpcp_metric_value *v, void *arg)
{
	struct hpcp_text *t = arg, l = { 0 };
	const struct hpcp_metric *m = v->m;
	double x = hpcp_metric_num(v, NULL);

	if (!v->node)
		return;
	if (!v->table->top) {
		hpcp_put(&l, "phase=");
		prom_label_value(&l, v->table->phase);
	}
	for (int i = 0; i < v->n_labels; i++) {
		if (!v->label[i]->prom)
			continue;
		hpcp_put(&l, "%s%s=", l.len ? "," : "", v->label[i]->prom);
		prom_label_value(&l, v->label_value[i]);
	}
	if (l.oom)
		t->oom = 1;
	else if (m->kind == HPCP_METRIC_LATENCY)
		prom_summary(t, m->prom, l.buf, v->node,
			     hpcp_num_at(v->elem, m->prom_count, 0),
			     m->prom_scale);
	else if (isfinite(x))
		/* Ratios at the precision they are computed to. */
		hpcp_put(t, m->kind == HPCP_METRIC_RATIO ? "%s{%s} %.6g\n" :
			 "%s{%s} %.9g\n", m->prom, l.buf, x * m->prom_scale);
	free(l.buf);
}

/* Every exported metric of every phase's table, a family at a time. */
static void prom_tables(struct hpcp_text *t, const cJSON *root)
{
	for (int k = 0; hpcp_metric_tables[k]; k++) {
		const struct hpcp_metric_table *tab = hpcp_metric_tables[k];
		const char *family = NULL;

		if (!hpcp_table_ok(root, tab))
			continue;
		for (size_t i = 0; i < tab->n; i++) {
			const struct hpcp_metric *m = &tab->metrics[i];

			if (!m->prom)
				continue;
			if (!family || strcmp(family, m->prom) != 0)
				prom_head(t, m->prom,
					  m->kind == HPCP_METRIC_LATENCY ?
						  "summary" : "gauge",
					  m->prom_help);
			family = m->prom;
			hpcp_metrics_walk(root, tab, i, i + 1, prom_value, t);
		}
	}
}

/* The cost estimate (see emf_cost): one gauge family, a sample per
 * figure and pricing that has a value. */
static void prom_cost(struct hpcp_text *t, const cJSON *root)
{
	const cJSON *cost = hpcp_at(root, "cost");
	const char *type = hpcp_str_at(cost, "instance_type");
	const char *pricing[2] = { "on_demand", "spot" };
	int head = 0;

	if (!cJSON_IsObject(cost) || !type)
		return;
	for (size_t i = 0; i <= N_COST_ITEMS; i++)
		for (int p = 0; p < 2; p++) {
			const cJSON *o = i < N_COST_ITEMS ?
				hpcp_at(cost, cost_items[i].key) :
				hpcp_at(cost, "spot_expected");
			double v = hpcp_num_at(o, i < N_COST_ITEMS ?
					       pricing_key[p] : "usd", NAN);

			if (!isfinite(v) || (i == N_COST_ITEMS && p == 0))
				continue;
			if (!head++)
				prom_head(t, "hpcprobe_cost_usd", "gauge",
					  "List-price cost estimate of the "
					  "last run (hpcprobe-report "
					  "--price), US dollars.");
			hpcp_put(t, "hpcprobe_cost_usd{item=");
			prom_label_value(t, i < N_COST_ITEMS ?
					 cost_items[i].prom_item :
					 "spot_expected_run");
			hpcp_put(t, ",pricing=");
			prom_label_value(t, pricing[p]);
			hpcp_put(t, ",instance_type=");
			prom_label_value(t, type);
			hpcp_put(t, "} %.10g\n", v);
		}
}

int hpcp_export_prom(const cJSON *root, const char *path, char *err,
		     size_t errlen)
{
	const cJSON *mpi = hpcp_at(hpcp_at(root, "context"), "mpi");
	const cJSON *ph;
	struct hpcp_text t = { 0 };
	int rc;

	prom_head(&t, "hpcprobe_build_info", "gauge",
		  "Version of hpcprobe and the MPI library of the last run.");
	hpcp_put(&t, "hpcprobe_build_info{version=");
	prom_label_value(&t, hpcp_str_at(hpcp_at(root, "tool"), "version"));
	hpcp_put(&t, ",mpi=");
	prom_label_value(&t, hpcp_str_at(mpi, "library"));
	hpcp_put(&t, ",launcher=");
	prom_label_value(&t, hpcp_str_at(hpcp_at(root, "context"), "launcher"));
	hpcp_put(&t, "} 1\n");
	prom_head(&t, "hpcprobe_run_duration_seconds", "gauge",
		  "Wall time of the last run.");
	hpcp_put(&t, "hpcprobe_run_duration_seconds %.6g\n",
	    hpcp_num_at(hpcp_at(root, "run"), "duration_s", 0));
	prom_head(&t, "hpcprobe_run_ranks", "gauge", "MPI ranks of the last run.");
	hpcp_put(&t, "hpcprobe_run_ranks %.0f\n", hpcp_num_at(mpi, "ranks", 0));
	prom_head(&t, "hpcprobe_phase_ok", "gauge",
		  "1 when the phase ran and succeeded in the last run.");
	cJSON_ArrayForEach(ph, hpcp_at(root, "phases")) {
		hpcp_put(&t, "hpcprobe_phase_ok{phase=");
		prom_label_value(&t, ph->string);
		hpcp_put(&t, "} %d\n", strcmp(hpcp_str_at(ph, "status") ?
					 hpcp_str_at(ph, "status") : "", "ok") == 0);
	}
	prom_tables(&t, root);
	rc = publish(&t, path, err, errlen);
	free(t.buf);
	return rc;
}

int hpcp_export_cost_emf(const cJSON *root, const char *path, const char *ns,
			 char *err, size_t errlen)
{
	struct hpcp_text t = { 0 };
	int rc;

	if (emf_cost(&t, root, ns)) {
		snprintf(err, errlen, "an EMF cost line over %d bytes (the "
			 "instance type too long): nothing written",
			 EMF_MAX_LINE);
		rc = -EMSGSIZE;
	} else {
		rc = publish(&t, path, err, errlen);
	}
	free(t.buf);
	return rc;
}

int hpcp_export_cost_prom(const cJSON *root, const char *path, char *err,
			  size_t errlen)
{
	struct hpcp_text t = { 0 };
	int rc;

	prom_cost(&t, root);
	rc = publish(&t, path, err, errlen);
	free(t.buf);
	return rc;
}
