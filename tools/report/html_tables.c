/*
 * The tables: phases, point-to-point sizes, all-reduce sizes, compute
 * kernels, checks and warnings.
 */
#include "config.h"

#include "html.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TABLE_MAX_PAIRS 8       /* per phase, in the size tables */

void hpcp_html_table_phases(struct hpcp_text *t, const cJSON *root)
{
	const cJSON *ph, *w;
	double v;

	hpcp_put(t, "<h2>Phases</h2>\n<table>\n<thead><tr><th>phase</th><th class=\"l\">"
	       "status</th><th>duration (s)</th><th class=\"l\">reason / warnings"
	       "</th></tr></thead>\n<tbody>\n");
	cJSON_ArrayForEach(ph, hpcp_at(root, "phases")) {
		int n = 0;

		hpcp_put(t, "<tr><td>");
		hpcp_html_esc(t, ph->string);
		hpcp_put(t, "</td><td class=\"l\">");
		hpcp_html_status_badge(t, hpcp_str_at(ph, "status"));
		hpcp_put(t, "</td><td>");
		if (hpcp_num_of(hpcp_at(ph, "duration_s"), &v))
			hpcp_put(t, "%.3f", v);
		hpcp_put(t, "</td><td class=\"l\">");
		if (hpcp_str_at(ph, "reason")) {
			hpcp_html_esc(t, hpcp_str_at(ph, "reason"));
			n++;
		}
		cJSON_ArrayForEach(w, hpcp_at(ph, "warnings")) {
			if (!cJSON_IsString(w))
				continue;
			hpcp_put(t, "%s", n++ ? "<br>" : "");
			hpcp_put(t, "\u26a0 ");
			hpcp_html_esc(t, w->valuestring);
		}
		hpcp_put(t, "</td></tr>\n");
	}
	hpcp_put(t, "</tbody>\n</table>\n");
}

/* A table cell for a missing percentile: "n/a" with the document's reason
 * as a tooltip when too few samples left it null, a dash when absent. */
static void put_na(struct hpcp_text *t, const cJSON *lat, const char *key)
{
	const char *why = hpcp_str_at(lat, "percentiles_reason");

	if (!cJSON_IsNull(hpcp_at(lat, key))) {
		hpcp_put(t, "\u2013");
		return;
	}
	hpcp_put(t, "<span class=\"na\" title=\"");
	hpcp_html_esc(t, why ? why : "too few samples");
	hpcp_put(t, "\">n/a</span>");
}

/*
 * Size tables from a phase's metric table (hpcp/metrics.h): the entries
 * with an HTML column, one row per instance keyed by size, one table per
 * outer element (a pair), at most max_tables of them.
 */
struct size_rows {
	struct hpcp_text *t;
	const cJSON *root;
	const char *what;
	int max_tables, tables, skip_row;
	const cJSON *outer;
	/* The table's caption, and extra columns after the metrics' (not
	 * metrics: a check, say); NULL: none. */
	void (*caption)(struct size_rows *r, const cJSON *outer);
	void (*tail_head)(struct hpcp_text *t);
	void (*tail_cell)(struct hpcp_text *t, const cJSON *elem);
	const struct hpcp_metric_table *tab;
	int group;    /* which group of entries with HTML columns: 0 first */
	size_t from, to;
};

static const char *const stat_names[] = { "p50", "p99", "max" };

static void size_head(struct size_rows *r, const struct hpcp_metric_value *v)
{
	struct hpcp_text *t = r->t;
	const char *key = "bytes";

	for (int i = 0; i < v->n_labels; i++)
		if (!v->label[i]->value && v->label[i]->level == v->depth - 1)
			key = v->label[i]->name;
	hpcp_put(t, "<table>\n<caption>");
	r->caption(r, r->outer);
	hpcp_put(t, "</caption>\n<thead><tr><th>");
	hpcp_html_esc(t, key);
	hpcp_put(t, "</th>");
	for (size_t i = r->from; i < r->to; i++) {
		const struct hpcp_metric *m = &r->tab->metrics[i];

		if (!m->html_column)
			continue;
		if (m->kind != HPCP_METRIC_LATENCY) {
			hpcp_put(t, "<th>%s</th>", m->html_column);
			continue;
		}
		for (unsigned k = 0; k < 3; k++)
			if (m->html_stats & (1u << k))
				hpcp_put(t, "<th>%s %s</th>", stat_names[k],
					 m->html_column);
	}
	if (r->tail_head)
		r->tail_head(t);
	hpcp_put(t, "</tr></thead>\n<tbody>\n");
}

static void size_cell(const struct hpcp_metric_value *v, void *arg)
{
	struct size_rows *r = arg;
	struct hpcp_text *t = r->t;
	const struct hpcp_metric *m = v->m;
	const cJSON *outer = v->depth > 1 ? v->bound[0] : v->phase;
	double x;

	if (v->first && (!r->tables || outer != r->outer)) {
		if (r->tables && r->tables <= r->max_tables)
			hpcp_put(t, "</tbody>\n</table>\n");
		r->outer = outer;
		if (r->tables++ < r->max_tables)
			size_head(r, v);
	}
	if (r->tables > r->max_tables)
		return;
	if (v->first) {
		char b[48];

		x = hpcp_metric_row_key(v);
		r->skip_row = !isfinite(x);
		if (r->skip_row)
			return;
		hpcp_html_fmt_bytes(b, sizeof(b), x);
		hpcp_put(t, "<tr><td>%s</td>", b);
	}
	if (r->skip_row)
		return;
	if (m->html_column && m->kind == HPCP_METRIC_LATENCY) {
		for (unsigned k = 0; k < 3; k++) {
			if (!(m->html_stats & (1u << k)))
				continue;
			hpcp_put(t, "<td>");
			x = hpcp_metric_num(v, stat_names[k]);
			if (isfinite(x))
				hpcp_html_put_val(t, x * m->html_scale);
			else
				put_na(t, v->node, stat_names[k]);
			hpcp_put(t, "</td>");
		}
	} else if (m->html_column) {
		x = hpcp_metric_num(v, NULL);
		hpcp_put(t, "<td>");
		if (!isfinite(x))
			hpcp_put(t, "\u2013");
		else if (m->kind == HPCP_METRIC_COUNT)
			hpcp_put(t, "%.0f", x * m->html_scale);
		else
			hpcp_html_put_val(t, x * m->html_scale);
		hpcp_put(t, "</td>");
	}
	if (v->last) {
		if (r->tail_cell)
			r->tail_cell(t, v->elem);
		hpcp_put(t, "</tr>\n");
	}
}

/* The size tables of r->tab; returns how many tables there were. */
static int size_tables(struct size_rows *r)
{
	r->from = hpcp_metrics_columns(r->tab, 1);
	if (r->from == r->tab->n)
		return 0;
	r->to = hpcp_metrics_group_end(r->tab, r->from);
	for (int g = 0; g < r->group; g++) {
		for (r->from = r->to; r->from < r->tab->n &&
				      !r->tab->metrics[r->from].html_column;
		     r->from++)
			;
		if (r->from == r->tab->n)
			return 0;
		r->to = hpcp_metrics_group_end(r->tab, r->from);
	}
	hpcp_metrics_walk(r->root, r->tab, r->from, r->to, size_cell, r);
	if (r->tables && r->tables <= r->max_tables)
		hpcp_put(r->t, "</tbody>\n</table>\n");
	return r->tables;
}

static void pair_caption(struct size_rows *r, const cJSON *pair)
{
	hpcp_html_pair_label(r->t, r->what, pair, 0);
}

void hpcp_html_table_pairs(struct hpcp_text *t, const cJSON *root, const char *phase,
			const char *what)
{
	struct size_rows r = { .t = t, .root = root, .what = what,
			       .max_tables = TABLE_MAX_PAIRS,
			       .caption = pair_caption,
			       .tab = hpcp_metric_table_find(phase) };
	size_t start = t->len;
	int total;

	if (!r.tab)
		return;
	hpcp_put(t, "<div class=\"tables\">\n");
	total = size_tables(&r);
	if (!total) {
		t->len = start;
		return;
	}
	hpcp_put(t, "</div>\n");
	if (total > TABLE_MAX_PAIRS) {
		/* what is a document's provider name: escaped like any. */
		hpcp_put(t, "<p class=\"small\">%d of %d ", TABLE_MAX_PAIRS,
			 total);
		hpcp_html_esc(t, what);
		hpcp_put(t, " pairs shown.</p>\n");
	}
}

static void allreduce_caption(struct size_rows *r, const cJSON *ar)
{
	hpcp_put(r->t, "MPI_Allreduce");
	if (hpcp_str_at(ar, "operation")) {
		hpcp_put(r->t, " (");
		hpcp_html_esc(r->t, hpcp_str_at(ar, "operation"));
		hpcp_put(r->t, ")");
	}
}

/* Whether the sum was checked right: a check, not a metric. */
static void correct_head(struct hpcp_text *t)
{
	hpcp_put(t, "<th>correct</th>");
}

static void correct_cell(struct hpcp_text *t, const cJSON *size)
{
	hpcp_put(t, "<td>%s</td>",
	    cJSON_IsTrue(hpcp_at(size, "result_correct")) ? "yes" :
	    cJSON_IsFalse(hpcp_at(size, "result_correct")) ? "<b>no</b>" :
	    "\u2013");
}

void hpcp_html_table_allreduce(struct hpcp_text *t, const cJSON *root)
{
	struct size_rows r = { .t = t, .root = root, .max_tables = 1,
			       .caption = allreduce_caption,
			       .tail_head = correct_head,
			       .tail_cell = correct_cell,
			       .tab = hpcp_metric_table_find("allreduce") };

	if (r.tab)
		size_tables(&r);
}

static void fabric_ar_caption(struct size_rows *r, const cJSON *ph)
{
	const char *prov = hpcp_str_at(hpcp_at(ph, "provider"), "name");

	hpcp_put(r->t, "libfabric all-reduce over ");
	hpcp_html_esc(r->t, prov ? prov : "?");
	hpcp_put(r->t, " (--fabric-allreduce ");
	hpcp_html_esc(r->t, hpcp_str_at(hpcp_at(ph, "allreduce"),
				       "algorithm_requested") ?
				    hpcp_str_at(hpcp_at(ph, "allreduce"),
						"algorithm_requested") : "?");
	hpcp_put(r->t, "; MPI/libfabric: MPI_Allreduce's p50 over this one's)");
}

/* The algorithm timed and the checks: not metrics. */
static void fabric_ar_head(struct hpcp_text *t)
{
	hpcp_put(t, "<th>algorithm</th><th>correct</th><th>= MPI</th>");
}

static void fabric_ar_cell(struct hpcp_text *t, const cJSON *size)
{
	const char *alg = hpcp_str_at(size, "algorithm");

	hpcp_put(t, "<td>");
	hpcp_html_esc(t, alg ? alg : "\u2013");
	hpcp_put(t, "</td>");
	correct_cell(t, size);
	hpcp_put(t, "<td>%s</td>",
	    cJSON_IsTrue(hpcp_at(size, "matches_mpi")) ? "yes" :
	    cJSON_IsFalse(hpcp_at(size, "matches_mpi")) ? "<b>no</b>" :
	    "\u2013");
}

void hpcp_html_table_fabric_allreduce(struct hpcp_text *t, const cJSON *root)
{
	struct size_rows r = { .t = t, .root = root, .max_tables = 1,
			       .caption = fabric_ar_caption,
			       .tail_head = fabric_ar_head,
			       .tail_cell = fabric_ar_cell, .group = 1,
			       .tab = hpcp_metric_table_find("fabric") };

	if (r.tab)
		size_tables(&r);
}

void hpcp_html_table_compute(struct hpcp_text *t, const cJSON *root)
{
	const cJSON *c = hpcp_phase_at(root, "compute"), *k;

	if (!hpcp_phase_ok(root, "compute"))
		return;
	hpcp_put(t, "<table>\n<caption>Compute kernels</caption>\n<thead><tr>"
	       "<th>kernel</th><th class=\"l\">status</th><th>total rate</th>"
	       "<th>load balance</th><th>parallel eff.</th><th>slowest</th>"
	       "<th class=\"l\">notes</th></tr></thead>\n<tbody>\n");
	cJSON_ArrayForEach(k, hpcp_at(c, "kernels")) {
		const cJSON *lb = hpcp_at(k, "load_balance");
		double v;

		hpcp_put(t, "<tr><td>");
		hpcp_html_esc(t, k->string);
		hpcp_put(t, "</td><td class=\"l\">");
		hpcp_html_status_badge(t, hpcp_str_at(k, "status"));
		hpcp_put(t, "</td><td>");
		if (!hpcp_html_kernel_rate(t, k))
			hpcp_put(t, "\u2013");
		hpcp_put(t, "</td><td>");
		hpcp_html_put_ratio(t, hpcp_num_at(lb, "load_balance_ratio", NAN));
		{
			char rb[1024];

			if (hpcp_summary_robust_lb(hpcp_at(k, "load_balance_robust"),
						  rb, sizeof(rb))) {
				hpcp_put(t, "<br>robust ");
				hpcp_html_esc(t, rb);
			}
		}
		hpcp_put(t, "</td><td>");
		hpcp_html_put_ratio(t, hpcp_num_at(lb, "parallel_efficiency_ratio", NAN));
		hpcp_put(t, "</td><td>");
		if (hpcp_num_of(hpcp_at(lb, "slowest_rank"), &v)) {
			hpcp_put(t, "r%.0f", v);
			if (hpcp_str_at(lb, "slowest_host")) {
				hpcp_put(t, " (");
				hpcp_html_esc_n(t, hpcp_str_at(lb, "slowest_host"), 16);
				hpcp_put(t, ")");
			}
		}
		hpcp_put(t, "</td><td class=\"l\">");
		if (hpcp_str_at(k, "reason"))
			hpcp_html_esc(t, hpcp_str_at(k, "reason"));
		else if (hpcp_str_at(k, "array_size_note"))
			hpcp_html_esc(t, hpcp_str_at(k, "array_size_note"));
		hpcp_put(t, "</td></tr>\n");
	}
	hpcp_put(t, "</tbody>\n</table>\n");
}

void hpcp_html_warnings_list(struct hpcp_text *t, const cJSON *root)
{
	const cJSON *w, *ch;
	int n = 0;

	hpcp_put(t, "<h2>Warnings</h2>\n");
	cJSON_ArrayForEach(w, hpcp_at(root, "warnings")) {
		if (!cJSON_IsString(w))
			continue;
		hpcp_put(t, "%s<li>", n++ ? "" : "<ul class=\"warn\">\n");
		hpcp_html_esc(t, w->valuestring);
		hpcp_put(t, "</li>\n");
	}
	hpcp_put(t, "%s", n ? "</ul>\n" : "<p>None.</p>\n");
	n = 0;
	cJSON_ArrayForEach(ch, hpcp_at(root, "checks")) {
		char *val;

		if (!n++)
			hpcp_put(t, "<h2>Checks</h2>\n<table>\n<thead><tr><th>check</th>"
			       "<th>value</th><th>pass</th></tr></thead>\n"
			       "<tbody>\n");
		hpcp_put(t, "<tr><td>");
		hpcp_html_esc(t, hpcp_str_at(ch, "name"));
		hpcp_put(t, "</td><td>");
		val = hpcp_at(ch, "value") ? cJSON_PrintUnformatted(hpcp_at(ch, "value")) :
		      NULL;
		hpcp_html_esc_n(t, val, 80);
		cJSON_free(val);
		hpcp_put(t, "</td><td>%s</td></tr>\n",
		    cJSON_IsTrue(hpcp_at(ch, "pass")) ? "yes" : "<b>no</b>");
	}
	if (n)
		hpcp_put(t, "</tbody>\n</table>\n");
}

/* One row per instance of a metric with an HTML column. */
static void other_row(const struct hpcp_metric_value *v, void *arg)
{
	struct hpcp_text *t = arg;
	const struct hpcp_metric *m = v->m;
	const char *stat[] = { "p50", "p99", "max" };

	if (!m->html_column || !v->node)
		return;
	hpcp_put(t, "<tr><td class=\"l\">");
	hpcp_html_esc(t, m->column ? m->column : m->path);
	for (int i = 0; i < v->n_labels; i++)
		if (v->label_value[i]) {
			hpcp_put(t, " ");
			hpcp_html_esc(t, v->label[i]->name);
			hpcp_put(t, "=");
			hpcp_html_esc(t, v->label_value[i]);
		}
	hpcp_put(t, "</td>");
	for (int i = 0; i < 3; i++) {
		double x = m->kind == HPCP_METRIC_LATENCY ?
				   hpcp_num_at(v->node, stat[i], NAN) :
			   i == 0 && cJSON_IsNumber(v->node) ?
				   v->node->valuedouble : NAN;

		if (isfinite(x))
			hpcp_put(t, "<td>%.4g</td>", x * m->html_scale);
		else
			hpcp_put(t, "<td>\u2013</td>");
	}
	hpcp_put(t, "<td class=\"l\">");
	hpcp_html_esc(t, m->html_column);
	hpcp_put(t, "%s</td></tr>\n", v->noisy ? " (noisy host)" : "");
}

void hpcp_html_tables_other(struct hpcp_text *t, const cJSON *root)
{
	for (int i = 0; hpcp_metric_tables[i]; i++) {
		const struct hpcp_metric_table *tab = hpcp_metric_tables[i];

		if (hpcp_metrics_has_section(tab->phase) ||
		    !hpcp_table_ok(root, tab) ||
		    hpcp_metrics_columns(tab, 1) == tab->n)
			continue;
		hpcp_put(t, "<h2>");
		hpcp_html_esc(t, tab->phase);
		hpcp_put(t, "</h2>\n<table>\n<thead><tr><th class=\"l\">metric"
			    "</th><th>p50 or value</th><th>p99</th><th>max</th>"
			    "<th class=\"l\">unit</th></tr></thead>\n<tbody>\n");
		hpcp_metrics_walk_all(root, tab, other_row, t);
		hpcp_put(t, "</tbody>\n</table>\n");
	}
}

/* One cell: a ratio as a percentage, a rate in MB/s, or n/a. */
static void util_cell(struct hpcp_text *t, const cJSON *row, const char *series,
		      const char *stat, double scale)
{
	double v = hpcp_num_at(hpcp_at(row, series), stat, NAN);

	if (isfinite(v))
		hpcp_put(t, "<td>%.*f</td>", scale == 1 ? 2 : 1, v * scale);
	else
		hpcp_put(t, "<td>\u2013</td>");
}

static void util_row(struct hpcp_text *t, const char *name, const cJSON *row)
{
	const char *least = hpcp_str_at(hpcp_at(row, "cpu_busy"),
					"least_used_host");

	hpcp_put(t, "<tr><td class=\"l\">");
	hpcp_html_esc(t, name);
	hpcp_put(t, "</td>");
	util_cell(t, row, "cpu_busy", "mean", 100);
	util_cell(t, row, "cpu_busy", "max", 100);
	util_cell(t, row, "cpu_busy", "imbalance", 1);
	hpcp_put(t, "<td class=\"l\">");
	hpcp_html_esc_host(t, least ? least : "\u2013", 40);
	hpcp_put(t, "</td>");
	util_cell(t, row, "memory_used", "mean", 100);
	util_cell(t, row, "network_bytes_per_s", "mean", 1e-6);
	util_cell(t, row, "disk_bytes_per_s", "mean", 1e-6);
	util_cell(t, row, "gpu_utilisation", "mean", 100);
	util_cell(t, row, "gpu_memory_used", "mean", 100);
	hpcp_put(t, "</tr>\n");
}

/*
 * The sampler's figures across hosts, one row per phase and one for the
 * run: O(phases) rows whatever the node count (the per-host figures are
 * in the document and the monitoring outputs).
 */
void hpcp_html_table_utilisation(struct hpcp_text *t, const cJSON *root)
{
	const cJSON *u = hpcp_at(root, "utilisation"), *ph;
	const char *st = hpcp_str_at(u, "status");

	if (!st)
		return;
	hpcp_put(t, "<h2>Utilisation</h2>\n");
	if (strcmp(st, "ok")) {
		hpcp_put(t, "<p>Not sampled: ");
		hpcp_html_esc(t, hpcp_str_at(u, "reason") ?
				      hpcp_str_at(u, "reason") : st);
		hpcp_put(t, ".</p>\n");
		return;
	}
	hpcp_put(t, "<p>Means of the hosts' means, sampled at %g Hz on %d "
		 "host(s); imbalance = the busiest host's mean / the mean; "
		 "the least-used host by CPU.</p>\n<table>\n<thead><tr>"
		 "<th class=\"l\">phase</th><th>CPU busy %%</th>"
		 "<th>busiest host %%</th><th>imbalance</th>"
		 "<th class=\"l\">least-used host</th><th>memory used %%</th>"
		 "<th>network MB/s</th><th>disk MB/s</th><th>GPU busy %%</th>"
		 "<th>GPU memory %%</th></tr></thead>\n<tbody>\n",
		 hpcp_num_at(u, "sample_hz", 0),
		 cJSON_GetArraySize(hpcp_at(u, "hosts")));
	cJSON_ArrayForEach(ph, hpcp_at(u, "phases"))
		util_row(t, ph->string, ph);
	util_row(t, "whole run", hpcp_at(u, "run"));
	hpcp_put(t, "</tbody>\n</table>\n");
}
