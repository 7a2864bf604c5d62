/*
 * The regression gate of hpcprobe-report: the metrics two documents share,
 * their change, and a verdict against a tolerance.
 */
#include "config.h"

#include "report_int.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_METRICS 512

struct metric {
	char name[96];
	double value;
	int lower_is_better;
};

struct metric_set {
	int n;
	struct metric m[MAX_METRICS];
};

static double num(const cJSON *v)
{
	double d;

	return num_of(v, &d) ? d : NAN;
}

/* Add, or keep the worse of two values for one name (several pairs). */
static void add(struct metric_set *s, const char *name, double v, int lower)
{
	if (!isfinite(v))
		return;
	for (int i = 0; i < s->n; i++) {
		if (strcmp(s->m[i].name, name) != 0)
			continue;
		if (lower ? v > s->m[i].value : v < s->m[i].value)
			s->m[i].value = v;
		return;
	}
	if (s->n == MAX_METRICS)
		return;
	snprintf(s->m[s->n].name, sizeof(s->m[s->n].name), "%s", name);
	s->m[s->n].value = v;
	s->m[s->n].lower_is_better = lower;
	s->n++;
}

static void pairs(struct metric_set *s, const cJSON *root, const char *phase)
{
	const cJSON *pair, *size;
	char name[96];

	cJSON_ArrayForEach(pair, at(at(at(root, "phases"), phase), "pairs")) {
		const cJSON *kind = at(pair, "kind");

		cJSON_ArrayForEach(size, at(pair, "sizes")) {
			snprintf(name, sizeof(name), "%s.%s.%.0fB.p50_ns", phase,
				 cJSON_IsString(kind) ? kind->valuestring : "?",
				 num(at(size, "bytes")));
			add(s, name, num(at(at(size, "latency_ns"), "p50")), 1);
			snprintf(name, sizeof(name), "%s.%s.%.0fB.p99_ns", phase,
				 cJSON_IsString(kind) ? kind->valuestring : "?",
				 num(at(size, "bytes")));
			add(s, name, num(at(at(size, "latency_ns"), "p99")), 1);
		}
	}
}

static void collect(struct metric_set *s, const cJSON *root)
{
	const cJSON *size, *k;
	char name[96];

	s->n = 0;
	if (phase_ok(root, "pingpong")) {
		pairs(s, root, "pingpong");
		add(s, "pingpong.node_matrix.cluster_median_ns",
		    num(at(at(at(at(root, "phases"), "pingpong"), "node_matrix"),
			   "cluster_median_latency_ns")), 1);
	}
	if (phase_ok(root, "fabric"))
		pairs(s, root, "fabric");
	if (phase_ok(root, "allreduce")) {
		cJSON_ArrayForEach(size, at(at(at(root, "phases"), "allreduce"),
					    "sizes")) {
			snprintf(name, sizeof(name), "allreduce.%.0fB.p50_ns",
				 num(at(size, "bytes")));
			add(s, name, num(at(at(size, "latency_ns"), "p50")), 1);
			snprintf(name, sizeof(name),
				 "allreduce.%.0fB.busbw_bytes_per_s",
				 num(at(size, "bytes")));
			add(s, name, num(at(size, "busbw_bytes_per_s")), 0);
		}
	}
	if (phase_ok(root, "compute")) {
		const cJSON *c = at(at(root, "phases"), "compute");
		const cJSON *rob = at(c, "load_balance_robust");

		/* The robust value where the document has one, and only when
		 * the host let it be measured: a noisy host's load balance
		 * would raise false alarms.  The raw value only from
		 * documents that predate it (schema < 1.1). */
		if (rob && !cJSON_IsTrue(at(rob, "noisy")))
			add(s, "compute.robust_load_balance_ratio",
			    num(at(rob, "load_balance_ratio")), 0);
		else if (!rob)
			add(s, "compute.load_balance_ratio",
			    num(at(at(c, "load_balance"),
				   "load_balance_ratio")), 0);
		add(s, "compute.parallel_efficiency_ratio",
		    num(at(at(c, "load_balance"), "parallel_efficiency_ratio")),
		    0);
		cJSON_ArrayForEach(k, at(c, "kernels")) {
			const cJSON *unit = at(k, "work_unit");
			char key[48];

			if (!cJSON_IsString(unit))
				continue;
			/* Work over the wall span; the deprecated sum of
			 * per-rank round rates only from older documents. */
			snprintf(key, sizeof(key), "job_%s_per_s",
				 unit->valuestring);
			if (!at(k, key))
				snprintf(key, sizeof(key), "total_%s_per_s",
					 unit->valuestring);
			snprintf(name, sizeof(name), "compute.%s.%s", k->string,
				 key);
			add(s, name, num(at(k, key)), 0);
		}
	}
}

int hpcp_report_gate(const cJSON *old, const cJSON *new, double tolerance_pct,
		     FILE *out, char *err, size_t errlen)
{
	static struct metric_set a, b;
	int compared = 0, regressed = 0;

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
		compared++;
		if (om->value == 0)
			change = nm->value == 0 ? 0 : INFINITY;
		else
			change = (nm->value - om->value) / fabs(om->value) * 100;
		worse = nm->lower_is_better ? change > tolerance_pct :
					      change < -tolerance_pct;
		regressed += worse;
		fprintf(out, "%-44s %14.6g %14.6g %+8.1f%%  %s\n", nm->name,
			om->value, nm->value, isfinite(change) ? change : 999.9,
			worse ? "REGRESSED" : "ok");
	}
	if (compared == 0) {
		snprintf(err, errlen, "the documents share no metric to compare");
		return -1;
	}
	fprintf(out, "%d metrics compared, %d regressed beyond %g %%\n",
		compared, regressed, tolerance_pct);
	return regressed;
}
