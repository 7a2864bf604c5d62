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

static void pairs(struct metric_set *s, const cJSON *root, const char *phase)
{
	const cJSON *pair, *size;
	char name[96];

	cJSON_ArrayForEach(pair, hpcp_at(hpcp_at(hpcp_at(root, "phases"), phase), "pairs")) {
		const cJSON *kind = hpcp_at(pair, "kind");

		cJSON_ArrayForEach(size, hpcp_at(pair, "sizes")) {
			snprintf(name, sizeof(name), "%s.%s.%.0fB.p50_ns", phase,
				 cJSON_IsString(kind) ? kind->valuestring : "?",
				 num(hpcp_at(size, "bytes")));
			add_pct(s, name, hpcp_at(hpcp_at(size, "latency_ns"), "p50"));
			snprintf(name, sizeof(name), "%s.%s.%.0fB.p99_ns", phase,
				 cJSON_IsString(kind) ? kind->valuestring : "?",
				 num(hpcp_at(size, "bytes")));
			add_pct(s, name, hpcp_at(hpcp_at(size, "latency_ns"), "p99"));
		}
	}
}

static void collect(struct metric_set *s, const cJSON *root)
{
	const cJSON *size, *k;
	char name[96];

	s->n = 0;
	if (hpcp_phase_ok(root, "pingpong")) {
		pairs(s, root, "pingpong");
		add(s, "pingpong.node_matrix.cluster_median_ns",
		    num(hpcp_at(hpcp_at(hpcp_at(hpcp_at(root, "phases"), "pingpong"), "node_matrix"),
			   "cluster_median_latency_ns")), 1);
	}
	if (hpcp_phase_ok(root, "fabric"))
		pairs(s, root, "fabric");
	if (hpcp_phase_ok(root, "allreduce")) {
		cJSON_ArrayForEach(size, hpcp_at(hpcp_at(hpcp_at(root, "phases"), "allreduce"),
					    "sizes")) {
			snprintf(name, sizeof(name), "allreduce.%.0fB.p50_ns",
				 num(hpcp_at(size, "bytes")));
			add_pct(s, name, hpcp_at(hpcp_at(size, "latency_ns"), "p50"));
			mark_noisy(s, name, cJSON_IsTrue(hpcp_at(size, "noisy")));
			snprintf(name, sizeof(name),
				 "allreduce.%.0fB.busbw_bytes_per_s",
				 num(hpcp_at(size, "bytes")));
			add(s, name, num(hpcp_at(size, "busbw_bytes_per_s")), 0);
		}
	}
	if (hpcp_phase_ok(root, "compute")) {
		const cJSON *c = hpcp_at(hpcp_at(root, "phases"), "compute");
		const cJSON *rob = hpcp_at(c, "load_balance_robust");

		/* The robust value where the document has one, and only when
		 * the host let it be measured: a noisy host's load balance
		 * would raise false alarms.  The raw value only from
		 * documents that predate it (schema < 1.1). */
		if (rob && !cJSON_IsTrue(hpcp_at(rob, "noisy")))
			add(s, "compute.robust_load_balance_ratio",
			    num(hpcp_at(rob, "load_balance_ratio")), 0);
		else if (!rob)
			add(s, "compute.load_balance_ratio",
			    num(hpcp_at(hpcp_at(c, "load_balance"),
				   "load_balance_ratio")), 0);
		add(s, "compute.parallel_efficiency_ratio",
		    num(hpcp_at(hpcp_at(c, "load_balance"), "parallel_efficiency_ratio")),
		    0);
		cJSON_ArrayForEach(k, hpcp_at(c, "kernels")) {
			const cJSON *unit = hpcp_at(k, "work_unit");
			char key[48];

			if (!cJSON_IsString(unit))
				continue;
			/* Work over the wall span; the deprecated sum of
			 * per-rank round rates only from older documents. */
			snprintf(key, sizeof(key), "job_%s_per_s",
				 unit->valuestring);
			if (!hpcp_at(k, key))
				snprintf(key, sizeof(key), "total_%s_per_s",
					 unit->valuestring);
			snprintf(name, sizeof(name), "compute.%s.%s", k->string,
				 key);
			add(s, name, num(hpcp_at(k, key)), 0);
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
