/* The human summary: hpcprobe prints it after a run, hpcprobe-report
 * --summary from a document; a projection of the document, never parsed. */
#include "config.h"

#include "hpcpdoc.h"
#include "hpcp/line.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int status_ok(const cJSON *phase)
{
	const char *s = hpcp_str_at(phase, "status");

	return s && strcmp(s, "ok") == 0;
}

static void print_host(const cJSON *host, FILE *out)
{
	const cJSON *topo = hpcp_at(host, "topology");
	const cJSON *ranks = hpcp_at(host, "ranks");
	const cJSON *dev;
	int efa = 0;

	fprintf(out, "  %-20s %d rank%s", hpcp_str_at(host, "name"),
		cJSON_GetArraySize(ranks),
		cJSON_GetArraySize(ranks) == 1 ? "" : "s");
	if (!cJSON_IsTrue(hpcp_at(topo, "available"))) {
		const char *why = hpcp_str_at(topo, "reason");

		fprintf(out, ", topology unknown (%s)\n", why ? why : "?");
		return;
	}
	cJSON_ArrayForEach(dev, hpcp_at(topo, "network_devices"))
		efa += cJSON_IsTrue(hpcp_at(dev, "efa"));
	fprintf(out,
		", %.0f package(s), %.0f cores, %.0f PUs, %.0f NUMA node(s), "
		"%.1f GiB, %d EFA adapter(s)\n",
		hpcp_num_at(topo, "packages_count", 0),
		hpcp_num_at(topo, "cores_count", 0), hpcp_num_at(topo, "pus_count", 0),
		hpcp_num_at(topo, "numa_nodes_count", 0),
		hpcp_num_at(topo, "memory_bytes", 0) / (1024.0 * 1024 * 1024), efa);
}

static void fmt_ns(double ns, char *buf, size_t len)
{
	if (ns < 0)
		snprintf(buf, len, "-");
	else if (ns < 1e6)
		snprintf(buf, len, "%.2f us", ns / 1e3);
	else
		snprintf(buf, len, "%.2f ms", ns / 1e6);
}

static void fmt_rate(const cJSON *v, char *buf, size_t len)
{
	if (!cJSON_IsNumber(v))
		snprintf(buf, len, "-");
	else if (v->valuedouble >= 1e9)
		snprintf(buf, len, "%.2f GB/s", v->valuedouble / 1e9);
	else
		snprintf(buf, len, "%.1f MB/s", v->valuedouble / 1e6);
}

/* A percentile, "n/a" when too few samples left it null (the table's
 * footnote says so), "-" when absent. */
static void fmt_pct(const cJSON *lat, const char *key, char *buf, size_t len)
{
	if (cJSON_IsNull(hpcp_at(lat, key)))
		snprintf(buf, len, "n/a");
	else
		fmt_ns(hpcp_num_at(lat, key, -1), buf, len);
}

/*
 * A size table: the entries of a phase's metric table (hpcp/metrics.h)
 * that have a summary column, one row per instance, keyed by size; head()
 * opens the rows of each outer element (a pair).  One distribution (p50,
 * p99, max) and one rate column.
 */
struct size_table {
	FILE *out;
	const char *rate;       /* the rate column's heading */
	void (*head)(const cJSON *outer, const cJSON *phase, FILE *out);
	const cJSON *outer;
	int started, na;
	char cell[4][24];       /* p50, p99, max, rate */
	const char *noisy;      /* the row's noisy-host reason */
};

static void size_table_end(struct size_table *st)
{
	if (st->started && st->na)
		fprintf(st->out, "    n/a (too few samples): the q-quantile "
				 "needs 1/(1-q) samples, p99 100\n");
}

static void size_cell(const struct hpcp_metric_value *v, void *arg)
{
	struct size_table *st = arg;
	const struct hpcp_metric *m = v->m;
	const cJSON *outer = v->depth > 1 ? v->bound[0] : v->phase;

	if (v->first) {
		if (!st->started || outer != st->outer) {
			size_table_end(st);
			st->started = 1;
			st->na = 0;
			st->outer = outer;
			if (st->head)
				st->head(outer, v->phase, st->out);
			fprintf(st->out, "    %10s  %11s  %11s  %11s  %12s\n",
				"bytes", "p50", "p99", "max", st->rate);
		}
		for (int i = 0; i < 4; i++)
			snprintf(st->cell[i], sizeof(st->cell[i]), "-");
		st->noisy = NULL;
	}
	if (m->column && m->kind == HPCP_METRIC_LATENCY) {
		fmt_pct(v->node, "p50", st->cell[0], sizeof(st->cell[0]));
		fmt_pct(v->node, "p99", st->cell[1], sizeof(st->cell[1]));
		fmt_ns(hpcp_num_at(v->node, "max", -1), st->cell[2],
		       sizeof(st->cell[2]));
		st->na |= cJSON_IsNull(hpcp_at(v->node, "p50")) ||
			  cJSON_IsNull(hpcp_at(v->node, "p99"));
	} else if (m->column) {
		fmt_rate(v->node, st->cell[3], sizeof(st->cell[3]));
	}
	if (v->noisy && m->noisy_reason) {
		const char *why = hpcp_str_at(v->elem, m->noisy_reason);

		st->noisy = why ? why : "";
	}
	if (!v->last)
		return;
	fprintf(st->out, "    %10.0f  %11s  %11s  %11s  %12s\n",
		hpcp_metric_row_key(v), st->cell[0], st->cell[1], st->cell[2],
		st->cell[3]);
	if (st->noisy)
		fprintf(st->out, "    %10s  noisy host: %s\n", "", st->noisy);
}

/* The size tables of phase name, from its metric table: the group-th
 * group of entries with summary columns (0: the first). */
static void print_size_tables(const cJSON *root, const char *name,
			      void (*head)(const cJSON *, const cJSON *,
					   FILE *),
			      int group, FILE *out)
{
	const struct hpcp_metric_table *t = hpcp_metric_table_find(name);
	struct size_table st = { .out = out, .rate = "", .head = head };
	size_t from, to;

	if (!t || (from = hpcp_metrics_columns(t, 0)) == t->n)
		return;
	to = hpcp_metrics_group_end(t, from);
	while (group-- > 0) {
		for (from = to; from < t->n && !t->metrics[from].column; from++)
			;
		if (from == t->n)
			return;
		to = hpcp_metrics_group_end(t, from);
	}
	for (size_t i = from; i < to; i++)
		if (t->metrics[i].column &&
		    t->metrics[i].kind != HPCP_METRIC_LATENCY)
			st.rate = t->metrics[i].column;
	hpcp_metrics_walk(root, t, from, to, size_cell, &st);
	size_table_end(&st);
}

/* Element i of an array member, as text: "?" when it is not a string (a
 * document the report tool reads may be anything). */
static const char *item_str(const cJSON *arr, int i)
{
	const cJSON *v = cJSON_GetArrayItem(arr, i);

	return cJSON_IsString(v) ? v->valuestring : "?";
}

/* Element i of an array member, as a number: NAN when it is not one. */
static double item_num(const cJSON *arr, int i)
{
	double d;

	return hpcp_num_of(cJSON_GetArrayItem(arr, i), &d) ? d : NAN;
}

static const char *or_q(const char *s)
{
	return s ? s : "?";
}

static void pingpong_pair_head(const cJSON *pair, const cJSON *ph, FILE *out)
{
	const cJSON *r = hpcp_at(pair, "ranks"), *h = hpcp_at(pair, "hosts");

	(void)ph;
	fprintf(out, "\n  pingpong %s, ranks %.0f-%.0f (%s - %s); "
		     "latency = half the round trip\n",
		or_q(hpcp_str_at(pair, "kind")), item_num(r, 0), item_num(r, 1),
		item_str(h, 0), item_str(h, 1));
}

static void fabric_pair_head(const cJSON *pair, const cJSON *ph, FILE *out)
{
	const cJSON *prov = hpcp_at(ph, "provider");
	const cJSON *r = hpcp_at(pair, "ranks");

	fprintf(out, "\n  fabric %s over %s (%s), ranks %.0f-%.0f; "
		     "latency = half the round trip\n",
		or_q(hpcp_str_at(pair, "kind")),
		or_q(hpcp_str_at(prov, "name")),
		or_q(hpcp_str_at(prov, "domain")), item_num(r, 0),
		item_num(r, 1));
}

static void print_pingpong(const cJSON *root, const cJSON *ph, FILE *out)
{
	const cJSON *m = hpcp_at(ph, "node_matrix"), *o;
	int n_out = 0;

	print_size_tables(root, "pingpong", pingpong_pair_head, 0, out);
	if (cJSON_IsTrue(hpcp_at(hpcp_at(ph, "host_load"), "noisy")))
		fprintf(out, "\n  pairs: noisy host: %s\n",
			hpcp_str_at(hpcp_at(ph, "host_load"), "noisy_reason") ?
				hpcp_str_at(hpcp_at(ph, "host_load"), "noisy_reason") : "?");
	if (cJSON_GetArraySize(hpcp_at(m, "hosts")) < 2)
		return;
	fprintf(out, "\n  node matrix: %d hosts, %.0f pairs in %.0f rounds%s, "
		     "cluster median %.2f us, outliers: ",
		cJSON_GetArraySize(hpcp_at(m, "hosts")), hpcp_num_at(m, "pairs_count", 0),
		hpcp_num_at(m, "rounds_count", 0),
		cJSON_IsTrue(hpcp_at(m, "sampled")) ? " (sampled)" : "",
		hpcp_num_at(m, "cluster_median_latency_ns", 0) / 1e3);
	/* Each flagged host with the statistics that flagged it. */
	cJSON_ArrayForEach(o, hpcp_at(m, "outliers")) {
		const cJSON *d;
		int k = 0;

		if (!cJSON_IsString(o))
			continue;
		fprintf(out, "%s%s", n_out++ ? ", " : "", o->valuestring);
		cJSON_ArrayForEach(d, hpcp_at(m, "outlier_details"))
			if (hpcp_str_at(d, "host") && hpcp_str_at(d, "statistic") &&
			    strcmp(hpcp_str_at(d, "host"), o->valuestring) == 0)
				fprintf(out, "%s%s", k++ ? "+" : " (by ",
					hpcp_str_at(d, "statistic"));
		fprintf(out, "%s", k ? ")" : "");
	}
	fprintf(out, "%s", n_out ? "" : "none");
	if (hpcp_str_at(m, "outliers_reason"))
		fprintf(out, " (%s)", hpcp_str_at(m, "outliers_reason"));
	if (cJSON_IsTrue(hpcp_at(m, "noisy")))
		fprintf(out, "\n    noisy host: %s",
			hpcp_str_at(m, "noisy_reason") ? hpcp_str_at(m, "noisy_reason") : "?");
	fprintf(out, "\n");
}

/* Member prefix<unit>_per_s of k, compared in place: a key built in a
 * fixed buffer would miss a long unit. */
static const cJSON *rate_member(const cJSON *k, const char *prefix,
				const char *unit)
{
	size_t pl = strlen(prefix), ul = strlen(unit);
	const cJSON *c;

	cJSON_ArrayForEach(c, k)
		if (c->string && !strncmp(c->string, prefix, pl) &&
		    !strncmp(c->string + pl, unit, ul) &&
		    !strcmp(c->string + pl + ul, "_per_s"))
			return c;
	return NULL;
}

int hpcp_kernel_rate(const cJSON *k, double *v)
{
	const char *unit = hpcp_str_at(k, "work_unit");
	const cJSON *m;

	if (!unit)
		return 0;
	/* The job rate over the wall span where the document has it;
	 * total_ (a sum of per-rank round rates) before. */
	m = rate_member(k, "job_", unit);
	if (!m)
		m = rate_member(k, "total_", unit);
	return hpcp_num_of(m, v);
}

int hpcp_summary_robust_lb(const cJSON *rb, char *buf, size_t len)
{
	const cJSON *d;
	size_t used = 0;
	double v;
	int n = 0;

#define ADD(...)                                                              \
	do {                                                                  \
		if (used < len)                                               \
			used += (size_t)snprintf(buf + used, len - used,      \
						 __VA_ARGS__);                \
	} while (0)
	buf[0] = '\0';
	if (!cJSON_IsObject(rb))
		return 0;
	if (cJSON_IsTrue(hpcp_at(rb, "noisy"))) {
		ADD("noisy host (");
		if (cJSON_IsArray(hpcp_at(rb, "disturbed_rounds_count"))) {
			ADD("disturbed rounds ");
			cJSON_ArrayForEach(d, hpcp_at(rb, "disturbed_rounds_count")) {
				if (n++ == 8) {
					ADD(", ...");
					break;
				}
				ADD("%s%.0f/%.0f", n > 1 ? ", " : "",
				    d->valuedouble, hpcp_num_at(rb, "rounds_count", 0));
			}
			ADD("; ");
		}
		ADD("%s)", hpcp_str_at(rb, "noisy_reason") ?
				   hpcp_str_at(rb, "noisy_reason") : "?");
		return 1;
	}
	if (!hpcp_num_of(hpcp_at(rb, "load_balance_ratio"), &v))
		return 0;
	ADD("%.3f [%.3f, %.3f]", v, hpcp_num_at(rb, "load_balance_low_ratio", v),
	    hpcp_num_at(rb, "load_balance_high_ratio", v));
#undef ADD
	return 1;
}

static void print_compute(const cJSON *ph, FILE *out)
{
	char rb[1024];

	const cJSON *k, *lb = hpcp_at(ph, "load_balance"), *c = hpcp_at(ph, "counters");

	/* The formula's value; each kernel with one prints its own, from
	 * the whole units of work it did (triad has none). */
	fprintf(out, "\n  compute (imbalance %.2f, nominal load balance "
		"(2+F)/(2+2F) %.3f)\n",
		hpcp_num_at(ph, "imbalance_factor", 0),
		hpcp_num_at(ph, "expected_load_balance_ratio", 0));
	cJSON_ArrayForEach(k, hpcp_at(ph, "kernels")) {
		const char *unit = hpcp_str_at(k, "work_unit");
		double rate;

		if (!status_ok(k)) {
			fprintf(out, "    %-8s %s: %s\n", k->string,
				hpcp_str_at(k, "status"), hpcp_str_at(k, "reason"));
			continue;
		}
		if (!hpcp_kernel_rate(k, &rate))
			rate = 0;
		fprintf(out, "    %-8s %12.3g %s/s total, load balance %.3f, "
			     "parallel efficiency %.3f\n",
			k->string, rate, unit,
			hpcp_num_at(hpcp_at(k, "load_balance"), "load_balance_ratio", -1),
			hpcp_num_at(hpcp_at(k, "load_balance"),
			       "parallel_efficiency_ratio", -1));
		if (hpcp_summary_robust_lb(hpcp_at(k, "load_balance_robust"), rb,
					  sizeof(rb))) {
			fprintf(out, "             robust load balance %s", rb);
			if (hpcp_num_at(k, "expected_load_balance_ratio", -1) >= 0)
				fprintf(out, ", expected %.3f from the work "
					     "done",
					hpcp_num_at(k, "expected_load_balance_ratio",
					       0));
			fprintf(out, "\n");
		}
	}
	fprintf(out, "    phase    load balance %.3f (in node %.3f, between "
		     "nodes %.3f), communication %.3f, parallel efficiency "
		     "%.3f; slowest rank %.0f on %s\n",
		hpcp_num_at(lb, "load_balance_ratio", -1),
		hpcp_num_at(lb, "load_balance_in_node_ratio", -1),
		hpcp_num_at(lb, "load_balance_between_nodes_ratio", -1),
		hpcp_num_at(lb, "communication_efficiency_ratio", -1),
		hpcp_num_at(lb, "parallel_efficiency_ratio", -1),
		hpcp_num_at(lb, "slowest_rank", -1),
		hpcp_str_at(lb, "slowest_host") ? hpcp_str_at(lb, "slowest_host") : "?");
	if (hpcp_summary_robust_lb(hpcp_at(ph, "load_balance_robust"), rb,
				  sizeof(rb)))
		fprintf(out, "    phase    robust load balance %s\n", rb);
	if (!cJSON_IsTrue(hpcp_at(c, "available")))
		fprintf(out, "    hardware counters unavailable: %s\n",
			hpcp_str_at(c, "reason") ? hpcp_str_at(c, "reason") : "?");
}

static void print_allreduce(const cJSON *root, const cJSON *ph, FILE *out)
{
	fprintf(out, "\n  allreduce over %.0f ranks; latency = completion time "
		"(the slowest rank's call, per iteration)\n",
		hpcp_num_at(ph, "ranks", 0));
	print_size_tables(root, "allreduce", NULL, 0, out);
}

static void fabric_allreduce_head(const cJSON *ph, const cJSON *ph2,
				  FILE *out)
{
	const cJSON *ar = hpcp_at(ph, "allreduce");

	(void)ph2;
	fprintf(out, "\n  fabric all-reduce over %.0f ranks (%s, %s); latency "
		     "= completion time, as allreduce's\n",
		hpcp_num_at(ar, "ranks", 0),
		hpcp_str_at(hpcp_at(ph, "provider"), "name"),
		hpcp_str_at(ar, "algorithm_requested"));
}

static void print_fabric(const cJSON *root, FILE *out)
{
	print_size_tables(root, "fabric", fabric_pair_head, 0, out);
	print_size_tables(root, "fabric", fabric_allreduce_head, 1, out);
}

/* The sampler's finding: the least-used host over the run. */
static void print_utilisation(const cJSON *root, FILE *out)
{
	const cJSON *u = hpcp_at(root, "utilisation"), *h;
	const cJSON *cpu = hpcp_at(hpcp_at(u, "run"), "cpu_busy");
	const char *st = hpcp_str_at(u, "status");
	const char *least = hpcp_str_at(cpu, "least_used_host");
	double mine = NAN;

	if (st && strcmp(st, "ok")) {
		fprintf(out, "  utilisation not sampled: %s\n",
			hpcp_str_at(u, "reason") ? hpcp_str_at(u, "reason") :
						   "?");
		return;
	}
	if (!least)
		return;
	cJSON_ArrayForEach(h, hpcp_at(u, "hosts"))
		if (hpcp_str_at(h, "host") && !strcmp(hpcp_str_at(h, "host"),
						      least))
			mine = hpcp_num_at(hpcp_at(hpcp_at(h, "run"),
						   "cpu_busy"), "mean", NAN);
	fprintf(out, "  least-used host: %s (CPU busy %.0f %%, %.0f %% on "
		     "average over %.0f host(s); imbalance %.2f)\n",
		least, 100 * mine, 100 * hpcp_num_at(cpu, "mean", NAN),
		hpcp_num_at(cpu, "hosts", 0), hpcp_num_at(cpu, "imbalance", NAN));
}

/* The preflight's failed and warned checks, each with its fix: they say
 * whether the rest of the document can be trusted, so they come first. */
static void print_preflight(const cJSON *root, FILE *out)
{
	const cJSON *ph = hpcp_phase_at(root, "preflight"), *c;

	if (!ph || !hpcp_at(ph, "checks"))
		return;
	fprintf(out, "  preflight: %.0f checks, %.0f failed, %.0f warned\n",
		hpcp_num_at(ph, "checks_count", 0),
		hpcp_num_at(ph, "failed_count", 0),
		hpcp_num_at(ph, "warned_count", 0));
	cJSON_ArrayForEach(c, hpcp_at(ph, "checks")) {
		const char *st = hpcp_str_at(c, "status");
		const char *fix = hpcp_str_at(c, "fix");

		if (!st || (strcmp(st, "fail") != 0 && strcmp(st, "warn") != 0))
			continue;
		fprintf(out, "  %s %s: %s\n", strcmp(st, "fail") == 0 ?
			"FAIL" : "warn", hpcp_str_at(c, "name") ?
			hpcp_str_at(c, "name") : "?",
			hpcp_str_at(c, "value") ? hpcp_str_at(c, "value") : "?");
		if (fix)
			fprintf(out, "       fix: %s\n", fix);
	}
}

/* What matters first (findings.c): the preflight's failures, was EFA
 * used, the slowest node or link, balance, anything oversubscribed,
 * failed or unavailable. */
static void print_findings(const cJSON *root, FILE *out)
{
	const cJSON *item, *fab, *lb, *rob;
	struct hpcp_findings f;

	hpcp_findings_of(root, &f);
	fab = f.fabric;
	fprintf(out, "\nFindings\n");
	print_preflight(root, out);
	if (fab && f.fabric_ok)
		fprintf(out, "  EFA %s: fabric probe over %s (%s)\n",
			f.efa_used ? "used" : "not used",
			hpcp_str_at(hpcp_at(fab, "provider"), "name"),
			hpcp_str_at(hpcp_at(fab, "provider"), "note") ?
				hpcp_str_at(hpcp_at(fab, "provider"), "note") :
				"as requested");
	else if (fab)
		fprintf(out, "  EFA not measured: fabric %s (%s)\n",
			hpcp_str_at(fab, "status"),
			hpcp_str_at(fab, "reason") ?
				hpcp_str_at(fab, "reason") : "?");
	if (f.pingpong_ok) {
		const struct hpcp_link_finding *l = &f.pingpong_inter;
		const cJSON *o;
		int n = 0;

		if (l->n)
			fprintf(out, "  slowest inter-node link (8 B p50): "
				     "%.2f us between %s and %s\n",
				l->slowest_p50_ns / 1e3,
				hpcp_pair_host(l->slowest_pair, 0),
				hpcp_pair_host(l->slowest_pair, 1));
		l = &f.pingpong_intra;
		if (l->n)
			fprintf(out, "  intra-node 8 B p50: %.2f us on %s\n",
				l->slowest_p50_ns / 1e3,
				hpcp_pair_host(l->slowest_pair, 0));
		if (f.matrix_hosts >= 3) {
			fprintf(out, "  outlier nodes: ");
			cJSON_ArrayForEach(o, hpcp_at(f.matrix, "outliers"))
				if (cJSON_IsString(o))
					fprintf(out, "%s%s", n++ ? ", " : "",
						o->valuestring);
			fprintf(out, "%s%s\n", n ? "" : "none",
				f.noisy_matrix ?
					" (noisy host: not a finding)" : "");
		}
	}
	if (f.compute) {
		lb = hpcp_at(f.compute, "load_balance");
		rob = hpcp_at(f.compute, "load_balance_robust");
		/* A noisy host's load balance is not a finding. */
		if (f.noisy_compute)
			fprintf(out, "  load balance: %s\n", f.lb_text);
		else if (f.lb_text[0])
			fprintf(out, "  load balance %s (robust; raw %.3f), "
				     "parallel efficiency %.3f; slowest rank "
				     "%.0f on %s\n", f.lb_text,
				hpcp_num_at(lb, "load_balance_ratio", 0),
				hpcp_num_at(lb, "parallel_efficiency_ratio", 0),
				hpcp_num_at(rob, "slowest_rank", -1),
				hpcp_str_at(rob, "slowest_host") ?
					hpcp_str_at(rob, "slowest_host") : "?");
		else if (cJSON_IsNumber(hpcp_at(lb, "load_balance_ratio")))
			fprintf(out, "  load balance %.3f, parallel efficiency "
				     "%.3f; slowest rank %.0f on %s\n",
				hpcp_num_at(lb, "load_balance_ratio", 0),
				hpcp_num_at(lb, "parallel_efficiency_ratio", 0),
				hpcp_num_at(lb, "slowest_rank", -1),
				hpcp_str_at(lb, "slowest_host") ?
					hpcp_str_at(lb, "slowest_host") : "?");
	}
	if (f.fabric_ar_text[0])
		fprintf(out, "  %s\n", f.fabric_ar_text);
	if (f.train)
		fprintf(out, "  training: %s\n", f.train_text);
	if (f.infer)
		fprintf(out, "  inference: %s\n", f.infer_text);
	if (f.storage)
		fprintf(out, "  storage: %s\n", f.storage_text);
	print_utilisation(root, out);
	cJSON_ArrayForEach(item, hpcp_at(root, "warnings"))
		if (cJSON_IsString(item) && strstr(item->valuestring,
						   "oversubscribed"))
			fprintf(out, "  %s\n", item->valuestring);
	for (int i = 0; i < f.n_not_ok && i < HPCP_FINDINGS_MAX_PHASES; i++)
		fprintf(out, "  %s %s: %s\n", f.not_ok[i]->string,
			hpcp_str_at(f.not_ok[i], "status"),
			hpcp_str_at(f.not_ok[i], "reason") ?
				hpcp_str_at(f.not_ok[i], "reason") : "?");
	if (f.n_not_ok > HPCP_FINDINGS_MAX_PHASES)
		fprintf(out, "  and %d more phases not ok\n",
			f.n_not_ok - HPCP_FINDINGS_MAX_PHASES);
}

/* One line per instance of a metric with a summary column. */
static void other_metric(const struct hpcp_metric_value *v, void *arg)
{
	FILE *out = arg;
	const struct hpcp_metric *m = v->m;
	char a[24], b[24], c[24];

	if (!m->column || !v->node)
		return;
	fprintf(out, "    %-20s", m->column);
	for (int i = 0; i < v->n_labels; i++)
		if (v->label_value[i])
			fprintf(out, " %s=%s", v->label[i]->name,
				v->label_value[i]);
	if (m->kind == HPCP_METRIC_LATENCY) {
		fmt_pct(v->node, "p50", a, sizeof(a));
		fmt_pct(v->node, "p99", b, sizeof(b));
		fmt_ns(hpcp_num_at(v->node, "max", -1), c, sizeof(c));
		fprintf(out, "  p50 %s  p99 %s  max %s", a, b, c);
	} else if (cJSON_IsNumber(v->node) && m->unit &&
		   strcmp(m->unit, "ns") == 0) {
		fmt_ns(v->node->valuedouble, c, sizeof(c));
		fprintf(out, "  %s", c);
	} else if (cJSON_IsNumber(v->node)) {
		fprintf(out, "  %g %s", v->node->valuedouble,
			m->unit ? m->unit : "");
	} else {
		fprintf(out, "  n/a");
	}
	fprintf(out, "%s\n", v->noisy ? "  (noisy host)" : "");
}

/* The phases without a section of their own, from their metric tables
 * (those with a summary column). */
static void print_other_phases(const cJSON *root, FILE *out)
{
	for (int i = 0; hpcp_metric_tables[i]; i++) {
		const struct hpcp_metric_table *t = hpcp_metric_tables[i];

		if (hpcp_metrics_has_section(t->phase) ||
		    !hpcp_table_ok(root, t) ||
		    hpcp_metrics_columns(t, 0) == t->n)
			continue;
		fprintf(out, "\n  %s\n", t->phase);
		hpcp_metrics_walk_all(root, t, other_metric, out);
	}
}

static void summary_render(const cJSON *root, FILE *out)
{
	const cJSON *context, *mpi, *item, *config;
	const char *output;

	if (!root)
		return;
	context = hpcp_at(root, "context");
	mpi = hpcp_at(context, "mpi");
	config = hpcp_at(hpcp_at(root, "run"), "config");

	fprintf(out, "hpcprobe %s: %s, %.0f rank(s) on %.0f node(s), "
		     "launcher %s, %.2f s\n",
		hpcp_str_at(hpcp_at(root, "tool"), "version"), hpcp_str_at(root, "status"),
		hpcp_num_at(mpi, "ranks", 0), hpcp_num_at(mpi, "nodes", 0),
		hpcp_str_at(context, "launcher") ? hpcp_str_at(context, "launcher") : "?",
		hpcp_num_at(hpcp_at(root, "run"), "duration_s", 0));
	if (hpcp_str_at(mpi, "library"))
		fprintf(out, "MPI: %s\n", hpcp_str_at(mpi, "library"));

	print_findings(root, out);

	fprintf(out, "\nHosts\n");
	cJSON_ArrayForEach(item, hpcp_at(context, "hosts"))
		print_host(item, out);

	fprintf(out, "\nPhases\n");
	cJSON_ArrayForEach(item, hpcp_at(root, "phases")) {
		const char *reason = hpcp_str_at(item, "reason");

		fprintf(out, "  %-14s %-12s %8.2f s%s%s\n", item->string,
			hpcp_str_at(item, "status"), hpcp_num_at(item, "duration_s", 0),
			reason ? "  " : "", reason ? reason : "");
	}

	item = hpcp_at(hpcp_at(root, "phases"), "compute");
	if (item && status_ok(item))
		print_compute(item, out);
	item = hpcp_at(hpcp_at(root, "phases"), "pingpong");
	if (item && status_ok(item))
		print_pingpong(root, item, out);
	item = hpcp_at(hpcp_at(root, "phases"), "allreduce");
	if (item && status_ok(item))
		print_allreduce(root, item, out);
	if (hpcp_phase_ok(root, "fabric"))
		print_fabric(root, out);
	print_other_phases(root, out);

	if (cJSON_GetArraySize(hpcp_at(root, "warnings")) > 0) {
		fprintf(out, "\nAll warnings\n");
		cJSON_ArrayForEach(item, hpcp_at(root, "warnings"))
			if (cJSON_IsString(item))
				fprintf(out, "  %s\n", item->valuestring);
	}
	output = hpcp_str_at(config, "output");
	if (output && strcmp(output, "-") != 0)
		fprintf(out, "\nResults: %s\n", output);
	fflush(out);
}

/*
 * The summary goes to a terminal: a document's strings (host names, keys,
 * reasons) may hold ESC, CR or C1 bytes.  Rendered whole, then written
 * line by line through hpcp_line_escape (hpcp/line.h), the one place
 * diagnostics are made printable.
 */
void hpcp_summary_print(const cJSON *root, FILE *out)
{
	char *text = NULL, *line, *esc;
	size_t len = 0;
	FILE *mem = open_memstream(&text, &len);

	if (!mem) {
		summary_render(root, out);
		return;
	}
	summary_render(root, mem);
	fclose(mem);
	esc = malloc(4 * len + 8);
	for (line = text; esc && line && *line;) {
		char *nl = strchr(line, '\n');

		if (nl)
			*nl = '\0';
		hpcp_line_escape(line, esc, 4 * len + 8);
		fputs(esc, out);
		if (nl)
			fputc('\n', out);
		line = nl ? nl + 1 : NULL;
	}
	if (!esc)
		fwrite(text, 1, len, out);
	free(esc);
	free(text);
}
