/*
 * The regression gate of hpcprobe-report: the metrics two documents share,
 * their change, and a verdict against a tolerance.
 */
#include "config.h"

#include "report.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_METRICS 512

struct metric {
	char name[96];
	double value;       /* NaN: null in the document (not measured) */
	int lower_is_better;
	int noisy;   /* measured on a host too busy to judge it */
};

struct metric_set {
	int n;
	struct metric m[MAX_METRICS];
};

static double num(const cJSON *v)
{
	double d;

	return hpcp_num_of(v, &d) ? d : NAN;
}

/*
 * Add, or keep the worse of two values for one name (several pairs).  A
 * value that is null in the document (a percentile too few samples
 * support) is kept as NaN so the comparison can say so, never as 0; a
 * measured value replaces it.
 */
static void add_value(struct metric_set *s, const char *name, double v,
		      int lower)
{
	for (int i = 0; i < s->n; i++) {
		if (strcmp(s->m[i].name, name) != 0)
			continue;
		if (isnan(s->m[i].value) ||
		    (lower ? v > s->m[i].value : v < s->m[i].value))
			s->m[i].value = v;
		return;
	}
	if (s->n == MAX_METRICS)
		return;
	snprintf(s->m[s->n].name, sizeof(s->m[s->n].name), "%s", name);
	s->m[s->n].value = v;
	s->m[s->n].lower_is_better = lower;
	s->m[s->n].noisy = 0;
	s->n++;
}

static void add(struct metric_set *s, const char *name, double v, int lower)
{
	if (isfinite(v))
		add_value(s, name, v, lower);
}

/* A percentile: a number, or null kept as not measured. */
static void add_pct(struct metric_set *s, const char *name, const cJSON *v)
{
	if (cJSON_IsNull(v)) {
		for (int i = 0; i < s->n; i++)
			if (strcmp(s->m[i].name, name) == 0)
				return;
		add_value(s, name, NAN, 1);
	} else {
		add(s, name, num(v), 1);
	}
}

/* Mark a metric as measured on a host too busy to judge it. */
static void mark_noisy(struct metric_set *s, const char *name, int noisy)
{
	for (int i = 0; noisy && i < s->n; i++)
		if (strcmp(s->m[i].name, name) == 0)
			s->m[i].noisy = 1;
}

/* One instance of a gated table entry: its percentiles or its value. */
static void gate_value(const struct hpcp_metric_value *v, void *arg)
{
	static const char *const stats[] = { "p50", "p99" };
	struct metric_set *s = arg;
	const struct hpcp_metric *m = v->m;
	int lower = m->better == HPCP_BETTER_LOWER;
	char name[96];

	if (!m->gate || !v->node || (v->noisy && m->noisy_drops) ||
	    (m->gate_unless && hpcp_metric_at(v, v->elem, m->gate_unless,
					      NULL, 0)))
		return;
	if (m->kind != HPCP_METRIC_LATENCY) {
		if (hpcp_metric_name(v, m->gate, NULL, name, sizeof(name)) == 0)
			add(s, name, num(v->node), lower);
		return;
	}
	for (unsigned i = 0; i < 2; i++) {
		if (!(m->gate_stats & (1u << i)) ||
		    hpcp_metric_name(v, m->gate, stats[i], name,
				     sizeof(name)) != 0)
			continue;
		add_pct(s, name, hpcp_at(v->node, stats[i]));
		mark_noisy(s, name, v->noisy);
	}
}

/* Every gated metric of every phase's table (hpcp/metrics.h), instance
 * by instance so that a size's metrics stay together. */
static void collect(struct metric_set *s, const cJSON *root)
{
	s->n = 0;
	for (int t = 0; hpcp_metric_tables[t]; t++) {
		const struct hpcp_metric_table *tab = hpcp_metric_tables[t];

		for (size_t i = 0, end; i < tab->n; i = end) {
			end = hpcp_metrics_group_end(tab, i);
			hpcp_metrics_walk(root, tab, i, end, gate_value, s);
		}
	}
}

int hpcp_report_gate(const cJSON *old, const cJSON *new, double tolerance_pct,
		     FILE *out, char *err, size_t errlen)
{
	static struct metric_set a, b;
	int compared = 0, regressed = 0, noisy = 0;

	collect(&a, old);
	collect(&b, new);
	fprintf(out, "%-44s %14s %14s %9s  %s\n", "metric", "baseline", "new",
		"change", "verdict");
	for (int i = 0; i < b.n; i++) {
		const struct metric *nm = &b.m[i], *om = NULL;
		double change;
		int worse;

		for (int j = 0; j < a.n && !om; j++)
			if (strcmp(a.m[j].name, nm->name) == 0)
				om = &a.m[j];
		if (!om)
			continue;
		if (isnan(nm->value) || isnan(om->value)) {
			char a[24] = "n/a", b[24] = "n/a";

			if (!isnan(om->value))
				snprintf(a, sizeof(a), "%.6g", om->value);
			if (!isnan(nm->value))
				snprintf(b, sizeof(b), "%.6g", nm->value);
			fprintf(out, "%-44s %14s %14s %9s  %s\n", nm->name, a,
				b, "", "not compared (too few samples)");
			continue;
		}
		compared++;
		if (om->value == 0)
			change = nm->value == 0 ? 0 : INFINITY;
		else
			change = (nm->value - om->value) / fabs(om->value) * 100;
		worse = nm->lower_is_better ? change > tolerance_pct :
					      change < -tolerance_pct;
		/* A host too busy to measure cannot show a regression. */
		if (nm->noisy || om->noisy) {
			noisy++;
			worse = 0;
		}
		regressed += worse;
		fprintf(out, "%-44s %14.6g %14.6g %+8.1f%%  %s\n", nm->name,
			om->value, nm->value, isfinite(change) ? change : 999.9,
			worse ? "REGRESSED" :
			nm->noisy || om->noisy ? "noisy host, not judged" : "ok");
	}
	if (compared == 0) {
		snprintf(err, errlen, "the documents share no metric to compare");
		return -1;
	}
	fprintf(out, "%d metrics compared, %d regressed beyond %g %%",
		compared, regressed, tolerance_pct);
	if (noisy)
		fprintf(out, ", %d not judged (noisy host)", noisy);
	fprintf(out, "\n");
	return regressed;
}
