/*
 * hpcprobe-report without MPI: the loader, the regression gate, the HTML
 * report, the summary, the findings and the exports, on the documents of
 * real runs in tests/data/results/ (see its README).  Links libhpcpreport
 * and libhpcpdoc only.
 */
#include "config.h"

#include <cJSON.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hpcp/num.h"
#include "report.h"
#include "tap.h"

#define RESULTS HPCP_TEST_DATADIR "/results/"

static char tmpdir[] = "/tmp/hpcp-test-report.XXXXXX";

static char *slurp(const char *path)
{
	char err[256];

	return hpcp_doc_read_file(path, err, sizeof(err));
}

static void spit(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	if (f) {
		fputs(text, f);
		fclose(f);
	}
}

static cJSON *load(const char *name)
{
	char path[512], err[512];
	cJSON *root;

	snprintf(path, sizeof(path), RESULTS "%s", name);
	root = hpcp_doc_load(path, err, sizeof(err));
	if (!root)
		tap_diag(err);
	return root;
}

/* Whether the loader refuses text (as a file) with a message holding
 * want. */
static void refused(const char *text, const char *want, const char *what)
{
	char path[512], err[512] = "";
	cJSON *root;

	snprintf(path, sizeof(path), "%s/bad.json", tmpdir);
	spit(path, text);
	root = hpcp_doc_load(path, err, sizeof(err));
	tap_ok(!root && strstr(err, want) && strstr(err, path),
	       "loader refuses %s: %s", what, err);
	cJSON_Delete(root);
}

/* The gate's output and verdict for two documents. */
static int gate(const cJSON *a, const cJSON *b, double tol, char **out)
{
	char err[256] = "";
	size_t len = 0;
	FILE *f = open_memstream(out, &len);
	int rc;

	rc = hpcp_report_gate(a, b, tol, f, err, sizeof(err));
	fclose(f);
	if (rc < 0)
		tap_diag(err);
	return rc;
}

/* Scale every ping-pong p50 and p99 of root by factor. */
static void slow_down(cJSON *root, double factor)
{
	cJSON *pair, *size;

	cJSON_ArrayForEach(pair, (cJSON *)hpcp_at(hpcp_phase_at(root,
					"pingpong"), "pairs"))
		cJSON_ArrayForEach(size, (cJSON *)hpcp_at(pair, "sizes")) {
			cJSON *lat = (cJSON *)hpcp_at(size, "latency_ns");
			cJSON *v;

			if ((v = (cJSON *)hpcp_at(lat, "p50")) &&
			    cJSON_IsNumber(v))
				cJSON_SetNumberValue(v, v->valuedouble * factor);
			if ((v = (cJSON *)hpcp_at(lat, "p99")) &&
			    cJSON_IsNumber(v))
				cJSON_SetNumberValue(v, v->valuedouble * factor);
		}
}

static void test_loader(void)
{
	static const char *const fixtures[] = {
		"full-np4.json", "multinode-np4.json", "few-samples-np2.json",
		"fabric-unavailable-np2.json", "compute-imbalance-np4.json",
		"failed-np2.json", "train-np2.json",
	};
	char err[512] = "";
	cJSON *root;

	for (size_t i = 0; i < sizeof(fixtures) / sizeof(fixtures[0]); i++) {
		root = load(fixtures[i]);
		tap_ok(root && hpcp_str_at(root, "status"),
		       "loader reads %s (status %s)", fixtures[i],
		       root ? hpcp_str_at(root, "status") : "-");
		cJSON_Delete(root);
	}
	root = hpcp_doc_load(RESULTS "no-such-file.json", err, sizeof(err));
	tap_ok(!root && strstr(err, "No such file"),
	       "loader: a missing file is named with the reason: %s", err);
	refused("{\"schema\": ", "not JSON", "truncated JSON");
	refused("[1, 2]", "not JSON", "JSON that is not an object");
	refused("{\"schema\": {\"name\": \"other\", \"version\": \"1.0.0\"}}",
		"schema.name is not hpcprobe-results", "another schema");
	refused("{\"schema\": {\"name\": \"hpcprobe-results\"}}",
		"schema.version is missing", "a document without a version");
	refused("{\"schema\": {\"name\": \"hpcprobe-results\", "
		"\"version\": \"2.0.0\"}, \"status\": \"ok\", \"context\": {}, "
		"\"phases\": {}, \"run\": {}}",
		"schema version 2.0.0 is not supported", "a newer major");
	refused("{\"schema\": {\"name\": \"hpcprobe-results\", "
		"\"version\": \"1.0.0\"}, \"status\": \"ok\", \"context\": {}, "
		"\"run\": {}}",
		"lacks 'phases'", "a document without phases");
	{
		char path[512];
		FILE *f;

		snprintf(path, sizeof(path), "%s/binary.json", tmpdir);
		f = fopen(path, "wb");
		if (f) {
			fwrite("{\"a\":\0\1}", 1, 8, f);
			fclose(f);
		}
		root = hpcp_doc_load(path, err, sizeof(err));
		tap_ok(!root && strstr(err, "binary data"),
		       "loader refuses binary data: %s", err);
	}
	/* Big counters are written as raw digits: they read back exactly. */
	root = cJSON_Parse("{\"n\": 123456789012345678}");
	{
		double d = 0;

		tap_ok(hpcp_num_of(hpcp_at(root, "n"), &d) &&
		       d == 123456789012345678.0,
		       "a 64-bit counter reads back as a number");
		tap_ok(hpcp_num_at(root, "missing", -1) == -1 &&
		       hpcp_at(NULL, "x") == NULL && !hpcp_str_at(root, "n"),
		       "accessors: NULL-tolerant, typed");
	}
	cJSON_Delete(root);
}

/* The row of that many bytes in a "sizes" array (NULL: none). */
static cJSON *size_row(const cJSON *sizes, double bytes)
{
	cJSON *s;

	cJSON_ArrayForEach(s, (cJSON *)sizes)
		if (hpcp_num_at(s, "bytes", 0) == bytes)
			return s;
	return NULL;
}

/* The all-reduce phase's row of that many bytes in root (NULL: none). */
static cJSON *allreduce_size(cJSON *root, double bytes)
{
	return size_row(hpcp_at(hpcp_phase_at(root, "allreduce"), "sizes"),
			bytes);
}

static void test_gate(void)
{
	cJSON *full = load("full-np4.json"), *slow, *few, *other;
	char *out = NULL, err[256] = "";
	int rc;

	rc = gate(full, full, 10, &out);
	tap_ok(rc == 0 && out && strstr(out, " 0 regressed beyond 10 %"),
	       "gate: a document against itself regresses nothing");
	tap_ok(out && strstr(out, "pingpong.intra_node.8B.p50_ns") &&
	       strstr(out, "allreduce.8B.p50_ns") &&
	       strstr(out, "compute.parallel_efficiency_ratio"),
	       "gate: ping-pong, all-reduce and compute metrics compared");
	free(out);

	slow = cJSON_Duplicate(full, 1);
	slow_down(slow, 2.0);
	rc = gate(full, slow, 10, &out);
	tap_ok(rc > 0 && out && strstr(out, "REGRESSED"),
	       "gate: latencies doubled regress (%d metrics)", rc);
	free(out);
	rc = gate(full, slow, 150, &out);
	tap_is_int(rc, 0, "gate: within a 150 % tolerance they do not");
	free(out);
	rc = gate(slow, full, 10, &out);
	tap_is_int(rc, 0, "gate: latencies halved are no regression");
	free(out);

	/* A rate measured on a busy host is shown and not judged, as its
	 * latencies are: the inference best rate halved regresses unless
	 * its point was noisy. */
	{
		cJSON *inf = load("infer-np2.json"), *half;
		cJSON *best;

		half = cJSON_Duplicate(inf, 1);
		best = (cJSON *)hpcp_at(hpcp_phase_at(half, "infer"), "best");
		cJSON_SetNumberValue(cJSON_GetObjectItem(best, "rate_per_s"),
				     hpcp_num_at(best, "rate_per_s", 0) / 2);
		rc = gate(inf, half, 10, &out);
		tap_ok(rc == 1 && out && strstr(out, "infer.best.rate_per_s") &&
		       strstr(strstr(out, "infer.best.rate_per_s"),
			      "REGRESSED"),
		       "gate: the inference rate halved regresses (%d)", rc);
		free(out);
		cJSON_AddBoolToObject(best, "noisy", 1);
		rc = gate(inf, half, 10, &out);
		tap_ok(rc == 0 && out && !strstr(out, "REGRESSED") &&
		       strstr(out, "infer.best.rate_per_s") &&
		       strstr(strstr(out, "infer.best.rate_per_s"),
			      "noisy host, not judged"),
		       "gate: the same from a noisy point is shown, not "
		       "judged");
		free(out);
		cJSON_Delete(half);
		cJSON_Delete(inf);
	}

	/* The all-reduce: its busbw from a noisy size is shown, not judged;
	 * its latency is compared only with a document whose latency_ns is
	 * the completion time too (1.1: all_calls_latency_ns beside it). */
	{
		cJSON *a = cJSON_Duplicate(full, 1), *b, *size8, *s, *v;
		const char *bus = "allreduce.8B.busbw_bytes_per_s";
		const char *lat = "allreduce.8B.p50_ns";

		cJSON_ReplaceItemInObjectCaseSensitive(allreduce_size(a, 8),
						       "noisy",
						       cJSON_CreateFalse());
		b = cJSON_Duplicate(a, 1);
		size8 = allreduce_size(b, 8);
		v = (cJSON *)hpcp_at(size8, "busbw_bytes_per_s");
		cJSON_SetNumberValue(v, v->valuedouble / 2);
		v = (cJSON *)hpcp_at(hpcp_at(size8, "latency_ns"), "p50");
		cJSON_SetNumberValue(v, v->valuedouble * 2);
		rc = gate(a, b, 10, &out);
		tap_ok(rc == 2 && out && strstr(out, bus) &&
		       strstr(strstr(out, bus), "REGRESSED") &&
		       strstr(out, lat) && strstr(strstr(out, lat), "REGRESSED"),
		       "gate: all-reduce busbw halved and p50 doubled at a "
		       "quiet size regress (%d)", rc);
		free(out);
		cJSON_ReplaceItemInObjectCaseSensitive(size8, "noisy",
						       cJSON_CreateTrue());
		rc = gate(a, b, 10, &out);
		tap_ok(rc == 0 && out && strstr(out, bus) &&
		       strstr(strstr(out, bus), "noisy host, not judged"),
		       "gate: the same from a noisy size: busbw shown, not "
		       "judged");
		free(out);
		cJSON_ArrayForEach(s, (cJSON *)hpcp_at(hpcp_phase_at(a,
						"allreduce"), "sizes"))
			cJSON_DeleteItemFromObjectCaseSensitive(
				s, "all_calls_latency_ns");
		rc = gate(a, b, 10, &out);
		tap_ok(rc == 0 && out && !strstr(out, lat) &&
		       strstr(out, "allreduce.8B.busbw"),
		       "gate: a 1.0 baseline's all-reduce p50 (every rank's "
		       "calls merged) is not compared with a completion p50");
		free(out);
		cJSON_Delete(b);
		cJSON_Delete(a);
	}

	/* Parallel efficiency is wall time: halved, it regresses on a quiet
	 * host and is shown, not judged, where the robust load balance says
	 * the host was too busy. */
	{
		const char *pe = "compute.parallel_efficiency_ratio";
		cJSON *a = cJSON_Duplicate(full, 1), *b, *rob, *lb;

		for (int quiet = 1; quiet >= 0; quiet--) {
			rob = (cJSON *)hpcp_at(hpcp_phase_at(a, "compute"),
					       "load_balance_robust");
			cJSON_ReplaceItemInObjectCaseSensitive(
				rob, "noisy", cJSON_CreateBool(!quiet));
			b = cJSON_Duplicate(a, 1);
			lb = (cJSON *)hpcp_at(hpcp_phase_at(b, "compute"),
					      "load_balance");
			cJSON_SetNumberValue(
				cJSON_GetObjectItem(lb,
					"parallel_efficiency_ratio"),
				hpcp_num_at(lb, "parallel_efficiency_ratio",
					    0) / 2);
			rc = gate(a, b, 10, &out);
			tap_ok(out && strstr(out, pe) &&
			       strstr(strstr(out, pe),
				      quiet ? "REGRESSED" :
					      "noisy host, not judged") &&
			       rc == quiet,
			       "gate: parallel efficiency halved %s (%d)",
			       quiet ? "regresses on a quiet host" :
				       "is shown, not judged, on a noisy one",
			       rc);
			free(out);
			cJSON_Delete(b);
		}
		cJSON_Delete(a);
	}

	/* A percentile too few samples support is null: never 0. */
	few = load("few-samples-np2.json");
	rc = gate(few, few, 10, &out);
	tap_ok(rc == 0 && out &&
	       strstr(out, "not compared (too few samples)") &&
	       !strstr(out, "8B.p99_ns                                          0"),
	       "gate: a null p99 is not compared");
	free(out);

	/* Nothing in common: an error, not a pass. */
	other = load("compute-imbalance-np4.json");
	cJSON_DeleteItemFromObjectCaseSensitive(
		(cJSON *)hpcp_at(other, "phases"), "compute");
	{
		FILE *f = fopen("/dev/null", "w");

		rc = hpcp_report_gate(full, other, 10, f, err, sizeof(err));
		fclose(f);
	}
	tap_ok(rc < 0 && strstr(err, "share no metric"),
	       "gate: documents without a common metric: %s", err);
	cJSON_Delete(other);
	cJSON_Delete(few);
	cJSON_Delete(slow);
	cJSON_Delete(full);
}

/* --- The gate on generated documents. -------------------------------- */

/* Every gated value of root's phases named in phases ("a,b,") made
 * factor times worse: read through the tables, as the gate reads. */
static void worse_value(const struct hpcp_metric_value *v, void *arg)
{
	static const char *const stats[] = { "p50", "p99" };
	const double *factor = arg;
	double f = v->m->better == HPCP_BETTER_LOWER ? *factor : 1 / *factor;

	if (!v->m->gate || !v->node)
		return;
	if (v->m->kind != HPCP_METRIC_LATENCY) {
		if (cJSON_IsNumber(v->node))
			cJSON_SetNumberValue((cJSON *)v->node,
					     v->node->valuedouble * f);
		return;
	}
	for (int i = 0; i < 2; i++) {
		cJSON *n = (cJSON *)hpcp_at(v->node, stats[i]);

		if (cJSON_IsNumber(n))
			cJSON_SetNumberValue(n, n->valuedouble * f);
	}
}

static void make_worse(cJSON *root, const char *phases, double factor)
{
	for (int t = 0; hpcp_metric_tables[t]; t++) {
		char want[64];

		snprintf(want, sizeof(want), "%s,",
			 hpcp_metric_tables[t]->phase);
		if (strstr(phases, want))
			hpcp_metrics_walk_all(root, hpcp_metric_tables[t],
					      worse_value, &factor);
	}
}

/*
 * full-np4.json with each point-to-point phase's one pair grown to two
 * (intra_node, inter_node) of nsizes sizes each (bytes 1..nsizes, copies
 * of the real rows): 2 x 2 x nsizes x 2 metrics, then all-reduce and the
 * fabric's all-reduce (made not noisy so that all of it is judged) and the
 * rest.
 */
static cJSON *big_doc(const cJSON *full, int nsizes)
{
	static const char *const p2p[] = { "pingpong", "fabric" };
	cJSON *doc = cJSON_Duplicate(full, 1), *size;

	for (int k = 0; k < 2; k++) {
		cJSON *pairs = (cJSON *)hpcp_at(hpcp_phase_at(doc, p2p[k]),
						"pairs");
		cJSON *pair = cJSON_GetArrayItem(pairs, 0), *inter;
		cJSON *rows = (cJSON *)hpcp_at(pair, "sizes");
		cJSON *grown = cJSON_CreateArray();
		int n = cJSON_GetArraySize(rows);

		for (int i = 0; i < nsizes; i++) {
			cJSON *row = cJSON_Duplicate(
				cJSON_GetArrayItem(rows, 1 + i % (n - 1)), 1);

			cJSON_SetNumberValue((cJSON *)hpcp_at(row, "bytes"),
					     i + 1);
			cJSON_AddItemToArray(grown, row);
		}
		cJSON_ReplaceItemInObjectCaseSensitive(pair, "sizes", grown);
		inter = cJSON_Duplicate(pair, 1);
		cJSON_ReplaceItemInObjectCaseSensitive(
			inter, "kind", cJSON_CreateString("inter_node"));
		cJSON_AddItemToArray(pairs, inter);
	}
	cJSON_ArrayForEach(size, (cJSON *)hpcp_at(hpcp_phase_at(doc,
					"allreduce"), "sizes"))
		cJSON_ReplaceItemInObjectCaseSensitive(size, "noisy",
						       cJSON_CreateFalse());
	cJSON_ArrayForEach(size, (cJSON *)hpcp_at(hpcp_at(hpcp_phase_at(doc,
					"fabric"), "allreduce"), "sizes"))
		cJSON_ReplaceItemInObjectCaseSensitive(size, "noisy",
						       cJSON_CreateFalse());
	return doc;
}

/* Lines of out starting with prefix and containing has (NULL: any). */
static int lines(const char *out, const char *prefix, const char *has)
{
	int n = 0;

	for (const char *l = out; l && *l;) {
		const char *e = strchr(l, '\n');
		size_t len = e ? (size_t)(e - l) : strlen(l);
		char *line = strndup(l, len);

		n += line && !strncmp(line, prefix, strlen(prefix)) &&
		     (!has || strstr(line, has));
		free(line);
		l += len + (e != NULL);
	}
	return n;
}

/* The last metric line of a gate's output (before the summary line). */
static char *last_metric(const char *out)
{
	const char *end = out + strlen(out) - 1, *l;

	while (end > out && end[-1] != '\n')   /* the summary line */
		end--;
	end--;                                 /* the newline before it */
	for (l = end; l > out && l[-1] != '\n'; l--)
		;
	return strndup(l, strcspn(l, " "));
}

static void test_gate_big(void)
{
	cJSON *full = load("full-np4.json"), *big, *bad;
	char *out = NULL, *last, want[128];
	int rc, compared = 0, tail_ok, compute_ok;

	big = big_doc(full, 500);
	rc = gate(big, big, 10, &out);
	{
		const char *s = out ? strstr(out, " metrics compared") : NULL;

		while (s && s > out && s[-1] != '\n')
			s--;
		compared = s ? atoi(s) : 0;
	}
	tap_ok(rc == 0 && compared >= 4000,
	       "gate: a document of %d metrics against itself: 0 regressed",
	       compared);
	/* What follows the point-to-point rows in walk order. */
	tail_ok = lines(out, "allreduce.", " ok") +
		  lines(out, "fabric.", " ok");
	tap_ok(tail_ok > 2000 && lines(out, "allreduce.", " ok") > 30,
	       "gate: all-reduce and fabric metrics after the first 512 "
	       "compared (%d)", tail_ok);
	compute_ok = lines(out, "compute.", " ok");
	last = out ? last_metric(out) : NULL;
	free(out);

	/* All-reduce, fabric and compute 10x worse: every one of them. */
	bad = cJSON_Duplicate(big, 1);
	make_worse(bad, "allreduce,fabric,compute,", 10);
	rc = gate(big, bad, 10, &out);
	tap_ok(rc == tail_ok + compute_ok && rc > 2000,
	       "gate: all-reduce, fabric and compute 10x worse in a big "
	       "document: each regressed (%d of %d)", rc,
	       tail_ok + compute_ok);
	tap_ok(out && lines(out, "allreduce.", " ok") == 0 &&
	       lines(out, "fabric.", " ok") == 0 &&
	       lines(out, "allreduce.", "REGRESSED") > 30 &&
	       lines(out, "fabric.", "REGRESSED") > 1900 &&
	       lines(out, "pingpong.", "REGRESSED") == 0,
	       "gate: none of them ok, no ping-pong one regressed");
	free(out);
	cJSON_Delete(bad);

	/* Only the very last metric (the fabric all-reduce's last size,
	 * busbw), 10x worse. */
	bad = cJSON_Duplicate(big, 1);
	{
		cJSON *sizes = (cJSON *)hpcp_at(hpcp_at(hpcp_phase_at(bad,
				"fabric"), "allreduce"), "sizes");
		cJSON *row = cJSON_GetArrayItem(sizes,
				cJSON_GetArraySize(sizes) - 1);
		cJSON *busbw = (cJSON *)hpcp_at(row, "busbw_bytes_per_s");

		snprintf(want, sizeof(want),
			 "fabric.allreduce.%s.%.0fB.busbw_bytes_per_s",
			 hpcp_str_at(row, "algorithm"),
			 hpcp_num_at(row, "bytes", 0));
		cJSON_SetNumberValue(busbw, busbw->valuedouble / 10);
	}
	rc = gate(big, bad, 10, &out);
	tap_ok(rc == 1 && last && !strcmp(last, want) &&
	       lines(out, want, "REGRESSED") == 1,
	       "gate: only the last metric of %d regressed: found (%s)",
	       compared, last ? last : "-");
	free(out);
	free(last);
	cJSON_Delete(bad);
	cJSON_Delete(big);
	cJSON_Delete(full);
}

/*
 * Names longer than any fixed buffer: two pair kinds of 300 bytes that
 * differ in their last one stay two metrics, neither dropped nor merged.
 */
static void test_gate_long_names(void)
{
	cJSON *full = load("full-np4.json"), *doc, *slow, *pairs, *pair;
	char kind[301], *out = NULL;
	int rc, n;

	doc = cJSON_Duplicate(full, 1);
	pairs = (cJSON *)hpcp_at(hpcp_phase_at(doc, "pingpong"), "pairs");
	pair = cJSON_GetArrayItem(pairs, 0);
	memset(kind, 'k', sizeof(kind) - 1);
	kind[sizeof(kind) - 1] = '\0';
	kind[299] = '1';
	cJSON_ReplaceItemInObjectCaseSensitive(pair, "kind",
					       cJSON_CreateString(kind));
	pair = cJSON_Duplicate(pair, 1);
	kind[299] = '2';
	cJSON_ReplaceItemInObjectCaseSensitive(pair, "kind",
					       cJSON_CreateString(kind));
	cJSON_AddItemToArray(pairs, pair);
	n = cJSON_GetArraySize(hpcp_at(pair, "sizes"));

	slow = cJSON_Duplicate(doc, 1);
	pair = cJSON_GetArrayItem(hpcp_at(hpcp_phase_at(slow, "pingpong"),
					  "pairs"), 1);
	{
		cJSON *size;

		cJSON_ArrayForEach(size, (cJSON *)hpcp_at(pair, "sizes")) {
			cJSON *p50 = (cJSON *)hpcp_at(hpcp_at(size,
						"latency_ns"), "p50");

			if (cJSON_IsNumber(p50))
				cJSON_SetNumberValue(p50, p50->valuedouble * 3);
		}
	}
	rc = gate(doc, slow, 10, &out);
	kind[299] = '1';
	tap_ok(rc == n && out && lines(out, "pingpong.", NULL) == 4 * n &&
	       strstr(out, kind),
	       "gate: 300-byte names kept whole and apart (%d of %d "
	       "regressed)", rc, n);
	free(out);
	cJSON_Delete(slow);

	/* A long work unit: the member path "job_{work_unit}_per_s" it
	 * expands to is found whole, and its metric gated. */
	{
		cJSON *triad = (cJSON *)hpcp_at(hpcp_at(hpcp_phase_at(doc,
					"compute"), "kernels"), "triad");
		char unit[201], member[256];
		double v = hpcp_num_at(triad, "job_bytes_per_s", 0);

		memset(unit, 'u', sizeof(unit) - 1);
		unit[sizeof(unit) - 1] = '\0';
		cJSON_ReplaceItemInObjectCaseSensitive(
			triad, "work_unit", cJSON_CreateString(unit));
		cJSON_DeleteItemFromObjectCaseSensitive(triad,
							"job_bytes_per_s");
		cJSON_DeleteItemFromObjectCaseSensitive(triad,
							"total_bytes_per_s");
		snprintf(member, sizeof(member), "job_%s_per_s", unit);
		cJSON_AddNumberToObject(triad, member, v);
		slow = cJSON_Duplicate(doc, 1);
		cJSON_SetNumberValue((cJSON *)hpcp_at(hpcp_at(hpcp_at(
			hpcp_phase_at(slow, "compute"), "kernels"), "triad"),
			member), v / 10);
		rc = gate(doc, slow, 10, &out);
		snprintf(member, sizeof(member), "compute.triad.job_%s_per_s",
			 unit);
		tap_ok(rc == 1 && lines(out, member, "REGRESSED") == 1,
		       "gate: a metric under a 200-byte work unit is read "
		       "and regressed (%d)", rc);
		free(out);
		{
			size_t len = 0;
			FILE *f = open_memstream(&out, &len);
			char *l;

			hpcp_summary_print(doc, f);
			fclose(f);
			l = out ? strstr(out, "    triad ") : NULL;
			tap_ok(l && strstr(l, "uuu/s total") &&
			       v > 0 &&
			       fabs(strtod(l + 10, NULL) - v) < v / 100,
			       "summary: the rate under a 200-byte work unit "
			       "is read (%g)", l ? strtod(l + 10, NULL) : -1);
			free(out);
		}
	}
	cJSON_Delete(slow);
	cJSON_Delete(doc);
	cJSON_Delete(full);
}

/*
 * A document whose names carry control bytes (ESC, CR, LF, BEL, DEL, the
 * C1 CSI 0x9b raw and in UTF-8) to forge a terminal's lines: the gate's
 * output holds no control byte but its own newlines, one metric a line.
 */
static void test_gate_control_bytes(void)
{
	static const char evil[] =
		"x\r\x1b[2K\x1b[1A0 metrics compared, 0 regressed beyond 10 %"
		"\n\x07\x7f\xc2\x9b" "31m\x9b" "0m\x1b]0;title\x07";
	cJSON *full = load("full-np4.json"), *doc, *pair, *kernels, *k;
	char name[256], *out = NULL;
	int rc, bad = 0, metrics = 0, other = 0;

	doc = cJSON_Duplicate(full, 1);
	cJSON_ArrayForEach(pair, (cJSON *)hpcp_at(hpcp_phase_at(doc,
					"pingpong"), "pairs")) {
		cJSON *hosts = cJSON_CreateArray();

		cJSON_AddItemToArray(hosts, cJSON_CreateString(evil));
		cJSON_AddItemToArray(hosts, cJSON_CreateString(evil));
		cJSON_ReplaceItemInObjectCaseSensitive(pair, "hosts", hosts);
		cJSON_ReplaceItemInObjectCaseSensitive(
			pair, "kind", cJSON_CreateString(evil));
	}
	/* A kernel's key is part of its metrics' names. */
	kernels = (cJSON *)hpcp_at(hpcp_phase_at(doc, "compute"), "kernels");
	k = cJSON_DetachItemFromObjectCaseSensitive(kernels, "dgemm");
	snprintf(name, sizeof(name), "dgemm%s", evil);
	cJSON_AddItemToObject(kernels, name, k);
	cJSON_ReplaceItemInObjectCaseSensitive(
		(cJSON *)hpcp_phase_at(doc, "fabric"), "provider",
		cJSON_CreateString(evil));

	rc = gate(doc, doc, 10, &out);
	for (const unsigned char *p = (const unsigned char *)out;
	     p && *p; p++)
		bad += *p != '\n' && (*p < 0x20 || *p >= 0x7f);
	for (const char *l = out; l && *l; l = strchr(l, '\n') + 1) {
		int is_metric = 0;

		for (int t = 0; hpcp_metric_tables[t]; t++) {
			const char *ph = hpcp_metric_tables[t]->phase;

			is_metric |= !strncmp(l, ph, strlen(ph)) &&
				     l[strlen(ph)] == '.';
		}
		metrics += is_metric;
		other += !is_metric;
		if (!strchr(l, '\n'))
			break;
	}
	tap_ok(rc == 0 && out && bad == 0,
	       "gate: control bytes in names are escaped (%d left)", bad);
	tap_ok(other == 2 && metrics > 100 &&
	       strstr(out, "pingpong.x\\x0d\\x1b[2K\\x1b[1A0 metrics") &&
	       strstr(out, "\\x0a\\x07\\x7f\\xc2\\x9b31m\\x9b0m") &&
	       strstr(out, "compute.dgemmx\\x0d"),
	       "gate: one line a metric (%d), only the heading and the "
	       "summary besides (%d)", metrics, other);
	free(out);
	cJSON_Delete(doc);
	cJSON_Delete(full);
}

/* Caps of the summary and the EMF export say what they left out. */
static void test_caps_loud(void)
{
	cJSON *root = load("failed-np2.json"), *phases, *ph, *job;
	char *out = NULL, err[256] = "", path[512], want[64], *big;
	size_t len = 0;
	struct hpcp_findings fd;
	FILE *f;

	phases = (cJSON *)hpcp_at(root, "phases");
	for (int i = 0; i < 20; i++) {
		char name[16];

		snprintf(name, sizeof(name), "extra%d", i);
		ph = cJSON_AddObjectToObject(phases, name);
		cJSON_AddStringToObject(ph, "status", "failed");
		cJSON_AddStringToObject(ph, "reason", "generated");
	}
	hpcp_findings_of(root, &fd);
	f = open_memstream(&out, &len);
	hpcp_summary_print(root, f);
	fclose(f);
	snprintf(want, sizeof(want), "  and %d more phases not ok\n",
		 fd.n_not_ok - HPCP_FINDINGS_MAX_PHASES);
	tap_ok(fd.n_not_ok > 20 && out && strstr(out, want) &&
	       strstr(out, "extra14 failed") && !strstr(out, "extra15 failed"),
	       "summary: %d phases not ok, those beyond %d counted",
	       fd.n_not_ok, HPCP_FINDINGS_MAX_PHASES);
	free(out);
	cJSON_Delete(root);

	/* A cluster name that makes every EMF line too long: an error
	 * with the reason, and no file that silently lacks its metrics. */
	root = load("full-np4.json");
	job = (cJSON *)hpcp_at(hpcp_at(root, "context"), "job");
	big = malloc(20001);
	if (big && job) {
		memset(big, 'c', 20000);
		big[20000] = '\0';
		cJSON_DeleteItemFromObjectCaseSensitive(job, "cluster");
		cJSON_AddStringToObject(job, "cluster", big);
	}
	snprintf(path, sizeof(path), "%s/long.jsonl", tmpdir);
	tap_ok(hpcp_export_emf(root, path, "hpcprobe", err, sizeof(err)) < 0 &&
	       strstr(err, "over 16000 bytes") && access(path, F_OK) != 0,
	       "EMF: lines too long refused: %s", err);
	free(big);
	cJSON_Delete(root);
}

/* The HTML report of fixture name, as text (free it). */
static char *html_of(const cJSON *root, const char *name)
{
	char path[512], err[256] = "";

	snprintf(path, sizeof(path), "%s/%s.html", tmpdir, name);
	if (hpcp_report_html(root, path, err, sizeof(err)) != 0) {
		tap_diag(err);
		return NULL;
	}
	return slurp(path);
}

static void test_html(void)
{
	static const char *const charts[] = { "chart-latency", "chart-busbw",
					      "chart-heatmap", "chart-load" };
	cJSON *root = load("full-np4.json");
	char *h = html_of(root, "full"), err[256] = "";
	int n;

	tap_ok(h && !strncmp(h, "<!DOCTYPE html>", 15) &&
	       strstr(h, "</html>\n"), "html: a whole page");
	n = 0;
	for (size_t i = 0; h && i < 4; i++) {
		char id[48];

		snprintf(id, sizeof(id), "<figure id=\"%s\">", charts[i]);
		n += strstr(h, id) != NULL;
	}
	tap_is_int(n, 4, "html: the four charts");
	tap_ok(h && !strstr(h, "<script") && !strstr(h, "src=\"http") &&
	       !strstr(h, "href=\"http"), "html: no script, no network");
	tap_ok(h && strstr(h, "<!-- signature colours: chart-latency=#d62728 "
			      "chart-busbw=#1f77b4"),
	       "html: the signature colours of the charts drawn");
	tap_ok(h && strstr(h, "class=\"narrative\"") &&
	       strstr(h, "<h2>All-reduce</h2>") && strstr(h, "<h2>Compute</h2>"),
	       "html: narrative and tables");
	free(h);

	/* Values from the document are escaped, never markup. */
	cJSON_ReplaceItemInObjectCaseSensitive(
		(cJSON *)cJSON_GetArrayItem(hpcp_at(hpcp_at(root, "context"),
						    "hosts"), 0),
		"name", cJSON_CreateString("<b>evil</b>&\"host\""));
	h = html_of(root, "escaped");
	tap_ok(h && !strstr(h, "<b>evil") && strstr(h, "&lt;b&gt;evil"),
	       "html: a host name is escaped");
	{
		/* More pairs than the table shows: the note that says so
		 * names the provider, a document's string like any other. */
		cJSON *fb = (cJSON *)hpcp_phase_at(root, "fabric");
		cJSON *pairs = (cJSON *)hpcp_at(fb, "pairs");
		const cJSON *one = cJSON_GetArrayItem(pairs, 0);
		char *p;

		for (int i = 0; one && i < 9; i++)
			cJSON_AddItemToArray(pairs, cJSON_Duplicate(one, 1));
		cJSON_ReplaceItemInObjectCaseSensitive(
			(cJSON *)hpcp_at(fb, "provider"), "name",
			cJSON_CreateString("<img src=x onerror=alert(1)>"));
		free(h);
		h = html_of(root, "escaped-provider");
		p = h ? strstr(h, " pairs shown.</p>") : NULL;
		tap_ok(p && !strstr(h, "<img") &&
		       strstr(h, "&lt;img src=x onerror=alert(1)&gt; pairs shown"),
		       "html: the provider in the \"pairs shown\" note is escaped");
	}
	free(h);
	cJSON_Delete(root);

	root = load("multinode-np4.json");
	h = html_of(root, "multinode");
	tap_ok(h && strstr(h, "chart-heatmap=#00441b"),
	       "html: four nodes draw the heat map in its signature colour");
	free(h);
	cJSON_Delete(root);

	root = load("few-samples-np2.json");
	h = html_of(root, "few");
	tap_ok(h && strstr(h, "title=\"too few samples for p99 and p99.9: "
			      "50\">n/a<"),
	       "html: a null p99 is n/a with the reason");
	free(h);
	cJSON_Delete(root);

	root = load("failed-np2.json");
	h = html_of(root, "failed");
	tap_ok(h && strstr(h, "watchdog: rank 0 (vm) made no progress") &&
	       strstr(h, "badge bad"),
	       "html: a failed run says why, marked failed");
	free(h);
	cJSON_Delete(root);

	root = load("fabric-unavailable-np2.json");
	h = html_of(root, "fabric");
	tap_ok(h && strstr(h, "nosuchprov"),
	       "html: an unavailable fabric phase names the provider asked");
	free(h);
	cJSON_Delete(root);

	/* A document with no phase at all still makes a page. */
	root = cJSON_Parse("{\"schema\": {\"name\": \"hpcprobe-results\", "
			   "\"version\": \"1.1.0\"}, \"status\": \"failed\", "
			   "\"context\": {}, \"phases\": {}, \"run\": {}}");
	h = html_of(root, "empty");
	tap_ok(h && strstr(h, "no data") && strstr(h, "</html>"),
	       "html: a document without phases says no data");
	free(h);
	tap_ok(hpcp_report_html(root, "/nonexistent-dir/r.html", err,
				sizeof(err)) < 0 && err[0],
	       "html: an unwritable path fails with a reason: %s", err);
	cJSON_Delete(root);
}

/* How often s occurs in h. */
static int count(const char *h, const char *s)
{
	int n = 0;

	for (const char *p = h ? strstr(h, s) : NULL; p;
	     p = strstr(p + 1, s))
		n++;
	return n;
}

/* The straggler's bar is the one outlined: its group, then the mark,
 * before the next rank's group. */
static int straggler_marked(const char *h, int rank)
{
	char g[48];
	const char *bar, *mark, *next;

	snprintf(g, sizeof(g), "<g data-rank=\"%d\">", rank);
	bar = h ? strstr(h, g) : NULL;
	mark = bar ? strstr(bar, "data-straggler") : NULL;
	next = bar ? strstr(bar + 1, "<g data-rank=") : NULL;
	return mark && (!next || mark < next) &&
	       count(h, "data-straggler") == 1;
}

/* Documents without the train phase: neither train figure, no sentence. */
static void test_html_no_train(void)
{
	static const char *const fixtures[] = { "full-np4.json",
						"failed-np2.json" };
	int clean = 0;

	for (size_t i = 0; i < 2; i++) {
		cJSON *root = load(fixtures[i]);
		char *h = html_of(root, "no-train");

		clean += h && !strstr(h, "chart-train-curve") &&
			 !strstr(h, "chart-train-steps") &&
			 !strstr(h, "Training ") && strstr(h, "</html>");
		free(h);
		cJSON_Delete(root);
	}
	tap_is_int(clean, 2, "html: documents without the train phase have "
		   "no train figure");
}

/* The train phase's figures, on a real run and on edited copies. */
static void test_html_train(void)
{
	cJSON *root = load("train-np2.json"), *e;
	const cJSON *ph = hpcp_phase_at(root, "train");
	struct hpcp_findings f;
	char *h = html_of(root, "train"), *out = NULL, want[600];
	size_t len = 0;
	FILE *m;

	tap_ok(h && strstr(h, "<figure id=\"chart-train-curve\">") &&
	       strstr(h, "<figure id=\"chart-train-steps\">") &&
	       !strstr(h, "<script"),
	       "html train: both figures, no script");
	tap_is_int(count(h, "<g data-rank="),
		   cJSON_GetArraySize(hpcp_at(ph, "per_rank")),
		   "html train: one bar per rank");
	tap_is_int(count(h, "<g data-epoch="),
		   cJSON_GetArraySize(hpcp_at(ph, "epochs")),
		   "html train: one point group per epoch");
	tap_ok(straggler_marked(h, (int)hpcp_num_at(hpcp_at(ph, "straggler"),
						    "rank", -1)),
	       "html train: the straggler's bar, and only it, is marked");
	tap_ok(h && strstr(h, "data-series=\"target\"") &&
	       strstr(h, "target 0.85") &&
	       strstr(h, "data-series=\"test_accuracy_ratio\""),
	       "html train: the accuracy line and its dashed target");
	tap_ok(h && strstr(h, "bound by exposed communication") &&
	       strstr(h, "chart-train-curve=#6a3d9a chart-train-steps="
			 "#35978f -->"),
	       "html train: the bound named, both signature colours");
	hpcp_findings_of(root, &f);
	m = open_memstream(&out, &len);
	hpcp_summary_print(root, m);
	fclose(m);
	snprintf(want, sizeof(want), "Training %s. ", f.train_text);
	tap_ok(f.train && h && strstr(h, want) && out &&
	       strstr(out, f.train_text),
	       "summary and narrative say the same of training: %s",
	       f.train_text);
	free(out);
	free(h);

	/* A regression: no accuracy, so no accuracy line nor target. */
	cJSON_ArrayForEach(e, (cJSON *)hpcp_at(ph, "epochs"))
		cJSON_ReplaceItemInObjectCaseSensitive(e,
			"test_accuracy_ratio", cJSON_CreateNull());
	h = html_of(root, "train-regression");
	tap_ok(h && strstr(h, "<figure id=\"chart-train-curve\">") &&
	       !strstr(h, "data-series=\"test_accuracy_ratio\"") &&
	       !strstr(h, "data-series=\"target\"") &&
	       !strstr(h, "fill=\"#dd1c77\"") &&
	       count(h, "<g data-epoch=") == 3 &&
	       strstr(h, "a regression, so no accuracy"),
	       "html train: null accuracies draw no accuracy line");
	free(h);

	/* Values of the document are escaped in the bars' labels. */
	cJSON_ReplaceItemInObjectCaseSensitive(
		(cJSON *)cJSON_GetArrayItem(hpcp_at(ph, "per_rank"), 1),
		"host", cJSON_CreateString("<i>h</i>"));
	cJSON_ReplaceItemInObjectCaseSensitive((cJSON *)ph, "bound",
		cJSON_CreateString("<b>x</b>"));
	h = html_of(root, "train-escaped");
	tap_ok(h && !strstr(h, "<i>h") && !strstr(h, "<b>x") &&
	       strstr(h, "&lt;i&gt;h") && strstr(h, "bound by &lt;b&gt;x"),
	       "html train: host and bound are escaped");
	free(h);

	/* A failed phase draws nothing, and the narrative says why. */
	cJSON_ReplaceItemInObjectCaseSensitive((cJSON *)ph, "status",
		cJSON_CreateString("failed"));
	h = html_of(root, "train-failed");
	tap_ok(h && !strstr(h, "chart-train") &&
	       strstr(h, "The training phase failed"),
	       "html train: a failed phase has no figure, a sentence");
	free(h);
	cJSON_Delete(root);
	test_html_no_train();
}

/* How many of the storage fixture's ops have what each chart draws:
 * a positive latency statistic, a read or write rate, a metadata rate. */
static void storage_expect(const cJSON *ph, int *lat, int *bw, int *md)
{
	static const char *const stats[] = { "min", "p50", "p90", "p99",
					     "p99_9", "max" };
	const cJSON *op;
	double v;

	*lat = *bw = *md = 0;
	cJSON_ArrayForEach(op, hpcp_at(ph, "ops")) {
		const char *sub = hpcp_str_at(op, "subphase");
		int any = 0;

		for (int k = 0; k < 6; k++)
			any |= hpcp_num_of(hpcp_at(hpcp_at(op, "latency_ns"),
						   stats[k]), &v) && v > 0;
		*lat += any;
		*bw += hpcp_num_of(hpcp_at(op, "read_bytes_per_s"), &v);
		*bw += hpcp_num_of(hpcp_at(op, "write_bytes_per_s"), &v);
		*md += sub && !strncmp(sub, "metadata_", 9) &&
		       hpcp_num_of(hpcp_at(op, "ops_per_s"), &v) && v > 0;
	}
}

/* The width of the throughput bar of sub-phase/direction key. */
static double bar_width(const char *h, const char *key)
{
	char a[96];
	const char *p, *w;

	snprintf(a, sizeof(a), "data-storage-bw=\"%s\"", key);
	p = h ? strstr(h, a) : NULL;
	w = p ? strstr(p, "width=\"") : NULL;
	return w ? strtod(w + 7, NULL) : NAN;
}

/* The storage phase's three figures on a real run and edited copies. */
static void test_html_storage(void)
{
	static const char *const figs[] = { "chart-storage-latency",
					    "chart-storage-throughput",
					    "chart-storage-metadata" };
	cJSON *root = load("storage-np2.json"), *op;
	const cJSON *ph = hpcp_phase_at(root, "storage");
	char *h = html_of(root, "storage"), id[64];
	int lat, bw, md, n = 0;
	double r;

	storage_expect(ph, &lat, &bw, &md);
	for (size_t i = 0; i < 3; i++) {
		snprintf(id, sizeof(id), "<figure id=\"%s\">", figs[i]);
		n += h && strstr(h, id) != NULL;
	}
	tap_ok(n == 3 && lat > 0 && bw > 0 && md > 0 && !strstr(h, "<script"),
	       "html storage: the three figures, no script");
	tap_is_int(count(h, "<g data-storage-lat="), lat,
		   "html storage: one latency row per operation with a latency");
	tap_is_int(count(h, "<rect data-storage-bw="), bw,
		   "html storage: one throughput bar per read or write rate");
	tap_is_int(count(h, "<rect data-storage-md="), md,
		   "html storage: one metadata bar per (directory kind, op)");
	/* Linear bars: their widths in the ratio of the rates. */
	r = hpcp_num_at(cJSON_GetArrayItem(hpcp_at(ph, "ops"), 2),
			"read_bytes_per_s", NAN) /
	    hpcp_num_at(cJSON_GetArrayItem(hpcp_at(ph, "ops"), 0),
			"write_bytes_per_s", NAN);
	tap_ok(fabs(bar_width(h, "easy/read") / bar_width(h, "easy/write") -
		    r) < 0.01 * r,
	       "html storage: easy read/write bar widths in the ratio of the "
	       "rates (%.3f)", r);
	tap_ok(h && strstr(h, "<!-- signature colours: chart-storage-latency="
			      "#b15928 chart-storage-throughput=#1b7837 "
			      "chart-storage-metadata=#762a83"),
	       "html storage: the three signature colours");
	free(h);

	/* A null latency and rate: that row and bar are left out, said so;
	 * the document's words are escaped. */
	op = cJSON_GetArrayItem(hpcp_at(ph, "ops"), 2);
	cJSON_ReplaceItemInObjectCaseSensitive(op, "latency_ns",
					       cJSON_CreateNull());
	cJSON_ReplaceItemInObjectCaseSensitive(op, "read_bytes_per_s",
					       cJSON_CreateNull());
	cJSON_ReplaceItemInObjectCaseSensitive(
		cJSON_GetArrayItem(hpcp_at(ph, "ops"), 0), "op",
		cJSON_CreateString("<i>w</i>"));
	h = html_of(root, "storage-null");
	tap_ok(count(h, "<g data-storage-lat=") == lat - 1 &&
	       count(h, "<rect data-storage-bw=") == bw - 1 &&
	       strstr(h, "Not drawn: 1 operation without a positive latency") &&
	       !strstr(h, "<i>w") && strstr(h, "&lt;i&gt;w&lt;/i&gt;"),
	       "html storage: a null latency and rate are not drawn, said so; "
	       "names escaped");
	free(h);

	/* A phase that did not run: each figure says why, none draws. */
	cJSON_ReplaceItemInObjectCaseSensitive((cJSON *)ph, "status",
		cJSON_CreateString("unavailable"));
	cJSON_AddStringToObject((cJSON *)ph, "reason", "no <space> left");
	h = html_of(root, "storage-unavailable");
	tap_ok(count(h, "no data: storage unavailable: no &lt;space&gt; "
			"left</p>") == 3 &&
	       !strstr(h, "data-storage-") && !strstr(h, "#b15928") &&
	       !strstr(h, "#1b7837") && !strstr(h, "#762a83"),
	       "html storage: an unavailable phase, three figures say why");
	free(h);
	cJSON_Delete(root);

	root = load("full-np4.json");
	h = html_of(root, "no-storage");
	tap_ok(h && !strstr(h, "chart-storage") && strstr(h, "</html>"),
	       "html storage: a document without the phase has no figure");
	free(h);
	cJSON_Delete(root);
}

/* How many entries of arr have a number at the path a[.b] (b may be
 * NULL): the fixture's own count of what a chart must draw. */
static int numbers_in(const cJSON *arr, const char *a, const char *b)
{
	const cJSON *e;
	double v;
	int n = 0;

	cJSON_ArrayForEach(e, arr)
		n += hpcp_num_of(b ? hpcp_at(hpcp_at(e, a), b) : hpcp_at(e, a),
				 &v);
	return n;
}

/* The coordinate pairs of the polyline of data-series series. */
static int polyline_points(const char *h, const char *series)
{
	char key[64];
	const char *p, *pts, *end;
	int n = 0;

	snprintf(key, sizeof(key), "data-series=\"%s\"", series);
	p = h ? strstr(h, key) : NULL;
	pts = p ? strstr(p, "points=\"") : NULL;
	end = pts ? strchr(pts + 8, '"') : NULL;
	for (const char *c = pts; c && c < end; c++)
		n += *c == ',';
	return n;
}

/* The figure id's text alone (a copy), NULL when it is not drawn. */
static char *figure_of(const char *h, const char *id)
{
	char key[64];
	const char *f, *end;

	snprintf(key, sizeof(key), "<figure id=\"%s\">", id);
	f = h ? strstr(h, key) : NULL;
	end = f ? strstr(f, "</figure>") : NULL;
	return end ? strndup(f, (size_t)(end - f)) : NULL;
}

/* The infer phase's three figures: their points and bars counted from
 * the fixture, edits (a null p99.9, a hostile string, a failed phase)
 * and documents without the phase. */
static void test_html_infer(void)
{
	static const char *const ids[] = { "chart-infer-latency",
					   "chart-infer-batch",
					   "chart-infer-memory" };
	cJSON *root = load("infer-np2.json"), *p;
	const cJSON *ph = hpcp_phase_at(root, "infer");
	const cJSON *pts = hpcp_at(ph, "points");
	int n999 = numbers_in(pts, "latency_ns", "p99_9");
	char *h = html_of(root, "infer"), *fig, want[80];
	int reasons = 0, absent = 0;

	fig = figure_of(h, "chart-infer-latency");
	tap_is_int(count(fig, "<g data-point="),
		   numbers_in(pts, "offered_per_s", NULL),
		   "html infer: one point group per load point");
	tap_ok(cJSON_GetArraySize(pts) > 0 &&
	       count(fig, "data-pct=\"p50\"") ==
	       numbers_in(pts, "latency_ns", "p50") &&
	       count(fig, "data-pct=\"p99\"") ==
	       numbers_in(pts, "latency_ns", "p99") &&
	       count(fig, "data-pct=\"p99_9\"") == n999 &&
	       polyline_points(fig, "p99") ==
	       numbers_in(pts, "latency_ns", "p99"),
	       "html infer: p50, p99, p99.9 marks and line as in the "
	       "document");
	snprintf(want, sizeof(want), "p99 target %.1f ms",
		 hpcp_num_at(ph, "target_p99_ns", NAN) / 1e6);
	tap_ok(fig && strstr(fig, "data-series=\"target\"") &&
	       strstr(fig, want), "html infer: the p99 target line (%s)",
	       want);
	free(fig);
	fig = figure_of(h, "chart-infer-batch");
	tap_is_int(count(fig, "<g data-batch="),
		   numbers_in(hpcp_at(ph, "offline"), "rate_per_s", NULL),
		   "html infer: one bar per offline batch size");
	free(fig);
	fig = figure_of(h, "chart-infer-memory");
	tap_is_int(polyline_points(fig, "rss"),
		   numbers_in(hpcp_at(hpcp_at(ph, "memory"), "timeline"),
			      "rss_bytes", NULL),
		   "html infer: one memory line point per sample");
	free(fig);
	tap_ok(h && strstr(h, "chart-infer-latency=#1b9e77 "
			      "chart-infer-batch=#d95f02 "
			      "chart-infer-memory=#7570b3"),
	       "html infer: the three signature colours");
	free(h);

	/* A null p99.9 is not drawn, and the caption says so; strings of
	 * the document are escaped. */
	p = cJSON_GetArrayItem(pts, 0);
	cJSON_ReplaceItemInObjectCaseSensitive(
		cJSON_GetObjectItemCaseSensitive(p, "latency_ns"), "p99_9",
		cJSON_CreateNull());
	cJSON_ReplaceItemInObjectCaseSensitive((cJSON *)ph,
		"latency_definition", cJSON_CreateString("<i>x</i>"));
	h = html_of(root, "infer-null");
	fig = figure_of(h, "chart-infer-latency");
	tap_ok(count(fig, "data-pct=\"p99_9\"") == n999 - 1 &&
	       count(fig, "<g data-point=") == cJSON_GetArraySize(pts) &&
	       strstr(fig, "p99.9 n/a at") && !strstr(fig, "<i>x") &&
	       strstr(fig, "&lt;i&gt;x"),
	       "html infer: a null p99.9 not drawn, strings escaped");
	free(fig);
	free(h);

	/* A failed phase: each figure says why in one line, draws nothing. */
	cJSON_ReplaceItemInObjectCaseSensitive((cJSON *)ph, "status",
		cJSON_CreateString("failed"));
	cJSON_AddStringToObject((cJSON *)ph, "reason", "<b>oom</b>");
	h = html_of(root, "infer-failed");
	for (size_t i = 0; i < 3; i++) {
		fig = figure_of(h, ids[i]);
		reasons += fig && strstr(fig, "no data: infer failed: "
					 "&lt;b&gt;oom") &&
			   !strstr(fig, "<svg") && !strstr(fig, "<b>oom");
		free(fig);
	}
	tap_is_int(reasons, 3, "html infer: a failed phase, three figures "
		   "with its reason and no drawing");
	free(h);

	/* Without the phase: no infer figure, the rest of the page. */
	cJSON_DeleteItemFromObjectCaseSensitive(
		cJSON_GetObjectItemCaseSensitive(root, "phases"), "infer");
	h = html_of(root, "infer-absent");
	absent += h && !strstr(h, "chart-infer") && strstr(h, "</html>");
	free(h);
	cJSON_Delete(root);
	root = load("full-np4.json");
	h = html_of(root, "infer-none");
	absent += h && !strstr(h, "chart-infer") && strstr(h, "</html>");
	free(h);
	cJSON_Delete(root);
	tap_is_int(absent, 2, "html infer: documents without the phase have "
		   "no infer figure");
}

/* --infer-remote's transport figure: a point and a line point per load
 * point with a transport, the bytes both ways from the document; no
 * figure for an in-process sweep. */
static void test_html_infer_transport(void)
{
	cJSON *root = load("infer-remote-np4.json");
	const cJSON *ph = hpcp_phase_at(root, "infer");
	const cJSON *pts = hpcp_at(ph, "points");
	int n = numbers_in(pts, "transport", "mean_ns");
	char *h = html_of(root, "infer-remote"), *fig, want[96];

	fig = figure_of(h, "chart-infer-transport");
	tap_ok(n > 0 && count(fig, "data-mean=\"transport\"") == n &&
	       count(fig, "<g data-point=") == n &&
	       polyline_points(fig, "transport") == n &&
	       polyline_points(fig, "latency") ==
	       numbers_in(pts, "transport", "latency_mean_ns"),
	       "html infer remote: a transport mark and line point per load "
	       "point (%d), the mean latency beside it", n);
	snprintf(want, sizeof(want), "Requests of %.0f bytes, replies of "
		 "%.0f bytes", hpcp_num_at(hpcp_at(ph, "remote"),
					   "request_bytes", NAN),
		 hpcp_num_at(hpcp_at(ph, "remote"), "reply_bytes", NAN));
	tap_ok(fig && strstr(fig, want) && strstr(h, "chart-infer-transport="
						  "#e7298a"),
	       "html infer remote: the caption's sizes (%s), the signature "
	       "colour", want);
	free(fig);
	free(h);
	/* A point without a transport is not drawn, and counted. */
	cJSON_DeleteItemFromObjectCaseSensitive(cJSON_GetArrayItem(pts, 0),
						"transport");
	h = html_of(root, "infer-remote-hole");
	fig = figure_of(h, "chart-infer-transport");
	tap_ok(count(fig, "data-mean=\"transport\"") == n - 1 &&
	       fig && strstr(fig, "Not drawn: 1 point without"),
	       "html infer remote: a point without a transport is not drawn, "
	       "the caption counts it");
	free(fig);
	free(h);
	cJSON_Delete(root);
	root = load("infer-np2.json");
	h = html_of(root, "infer-local");
	tap_ok(h && strstr(h, "chart-infer-latency") &&
	       !strstr(h, "chart-infer-transport"),
	       "html infer: an in-process sweep has no transport figure");
	free(h);
	cJSON_Delete(root);
}

/* The inference finding says "noisy host" exactly when its best point
 * was measured while other work held the CPUs. */
static void test_infer_finding_noisy(void)
{
	cJSON *root = load("infer-np2.json");
	cJSON *best = (cJSON *)hpcp_at(hpcp_phase_at(root, "infer"), "best");
	static const char noisy[] = "; noisy host: other work held the CPUs";
	struct hpcp_findings f;
	char quiet[256];

	hpcp_findings_of(root, &f);
	snprintf(quiet, sizeof(quiet), "%s", f.infer_text);
	cJSON_AddBoolToObject(best, "noisy", 1);
	hpcp_findings_of(root, &f);
	tap_ok(f.infer && !strstr(quiet, "noisy host") &&
	       strlen(f.infer_text) == strlen(quiet) + strlen(noisy) &&
	       strncmp(f.infer_text, quiet, strlen(quiet)) == 0 &&
	       strcmp(f.infer_text + strlen(quiet), noisy) == 0,
	       "infer finding: '%s' gains '%s' when its best point is noisy",
	       quiet, noisy);
	cJSON_Delete(root);
}

/* The storage finding, the sentence from the fixture's random
 * read row (580 888 IOPS, p99.9 16 576 ns, 10 000 reads, 2 above 1 ms,
 * all of the file cached), and its verdict from the row's claim. */
static void test_storage_finding(void)
{
	cJSON *root = load("storage-np2.json"), *op, *row = NULL;
	struct hpcp_findings f;

	cJSON_ArrayForEach(op, (cJSON *)hpcp_at(hpcp_phase_at(root, "storage"),
						"ops"))
		if (strcmp(hpcp_str_at(op, "subphase"), "random") == 0 &&
		    strcmp(hpcp_str_at(op, "op"), "read") == 0)
			row = op;
	hpcp_findings_of(root, &f);
	tap_is_str(f.storage_text,
		   "random 4 KiB read: 580 888 IOPS, p99.9 0.02 ms over "
		   "10 000 ops: the 1 ms claim holds at 99 % confidence "
		   "(2 above 1 ms); 100 % of the file was in the page cache",
		   "storage finding: the claim holds, in the issue's words");
	cJSON_ReplaceItemInObjectCaseSensitive(row, "claim_p99_9_within_1ms",
					       cJSON_CreateFalse());
	cJSON_ReplaceItemInObjectCaseSensitive(row, "noisy",
					       cJSON_CreateTrue());
	hpcp_findings_of(root, &f);
	tap_ok(strstr(f.storage_text, ": the 1 ms claim does not hold at "
				      "99 % confidence (2 above 1 ms)") &&
	       strstr(f.storage_text, "; noisy host: other work held the CPUs"),
	       "storage finding: refused, and a noisy row says so: %s",
	       f.storage_text);
	cJSON_Delete(root);
}

/* The figure chart-util of h, cut out (free it); NULL when absent. */
static char *util_figure(const char *h)
{
	const char *a = h ? strstr(h, "<figure id=\"chart-util\">") : NULL;
	const char *e = a ? strstr(a, "</figure>") : NULL;

	return e ? strndup(a, (size_t)(e - a)) : NULL;
}

/* Each chart of fig has lines host lines and bands phase bands. */
static int util_charts_each(const char *fig, int lines, int bands)
{
	int good = 0;

	for (const char *c = fig ? strstr(fig, "<svg") : NULL; c;
	     c = strstr(c + 1, "<svg")) {
		const char *end = strstr(c, "</svg>");
		char *one = end ? strndup(c, (size_t)(end - c)) : NULL;

		good += one && count(one, "data-host=") == lines &&
			count(one, "<rect class=\"band\"") == bands;
		free(one);
	}
	return good;
}

/* The utilisation charts (html_chart_util.c): counts from the fixture,
 * a band's place from its phase's start, the reasons without data. */
static void test_html_util(void)
{
	static const char *const keys[] = {
		"cpu_busy", "memory_used", "network_bytes_per_s",
		"efa_bytes_per_s", "disk_bytes_per_s", "gpu_utilisation",
		"gpu_memory_used" };
	cJSON *root = load("utilisation-np2.json");
	const cJSON *hosts = hpcp_at(hpcp_at(root, "utilisation"), "hosts");
	const cJSON *h0 = cJSON_GetArrayItem(hosts, 0), *h;
	const cJSON *pt = hpcp_at(h0, "phase_times");
	int n_hosts = cJSON_GetArraySize(hosts), n_phases =
		cJSON_GetArraySize(pt), n_charts = 0;
	double tmax = 0, s = hpcp_num_at(hpcp_at(pt, "pingpong"), "start_s",
					 NAN);
	char *html = html_of(root, "util"), *fig = util_figure(html);
	char want[96];

	for (size_t k = 0; k < sizeof(keys) / sizeof(*keys); k++)
		n_charts += cJSON_IsArray(hpcp_at(hpcp_at(h0, "series"),
						  keys[k]));
	/* The time axis ends at the last point or phase end, whichever is
	 * later. */
	cJSON_ArrayForEach(h, hosts) {
		const cJSON *ts = hpcp_at(hpcp_at(h, "series"), "t_s");

		tmax = fmax(tmax, cJSON_GetArrayItem(ts, cJSON_GetArraySize(
						  ts) - 1)->valuedouble);
	}
	cJSON_ArrayForEach(h, pt)
		tmax = fmax(tmax, hpcp_num_at(h, "end_s", 0));
	tap_ok(n_hosts == 2 && n_phases == 3 && n_charts == 6 && fig,
	       "html util: the figure, from 2 hosts, 3 phases, 6 series");
	tap_is_int(count(fig, "<g data-series="), n_charts,
		   "html util: one chart per series");
	tap_is_int(util_charts_each(fig, n_hosts, n_phases), n_charts,
		   "html util: each chart has a line per host and a band "
		   "per phase");
	tap_ok(fig && strstr(fig, "data-phase=\"topology\"") &&
	       strstr(fig, ">allreduce</text>") &&
	       strstr(fig, ">pingpong</text>") &&
	       strstr(fig, "data-host=\"vm#r1\""),
	       "html util: the phases named along the axis, hosts named");
	/* The frame: x 62 to 446 for 0 to tmax. */
	snprintf(want, sizeof(want), "data-phase=\"pingpong\" x=\"%.1f\"",
		 62 + s / tmax * 384);
	tap_ok(fig && strstr(fig, want), "html util: the pingpong band "
	       "starts where its phase started: %s", want);
	tap_ok(html && strstr(html, " chart-util=#5e3c99 -->"),
	       "html util: its signature colour");
	free(fig);
	free(html);

	/* Hosts are a document's strings: escaped. */
	cJSON_ReplaceItemInObjectCaseSensitive((cJSON *)h0, "host",
		cJSON_CreateString("<i>h</i>"));
	html = html_of(root, "util-escaped");
	tap_ok(html && !strstr(html, "<i>h") &&
	       strstr(html, "data-host=\"&lt;i&gt;h"),
	       "html util: a host name is escaped");
	free(html);

	/* Without phase times: lines, no bands, and the caption says so. */
	cJSON_DeleteItemFromObjectCaseSensitive((cJSON *)h0, "phase_times");
	cJSON_DeleteItemFromObjectCaseSensitive(
		(cJSON *)cJSON_GetArrayItem(hosts, 1), "phase_times");
	html = html_of(root, "util-nobands");
	fig = util_figure(html);
	tap_ok(util_charts_each(fig, n_hosts, 0) == n_charts &&
	       strstr(fig, "No phase bands: the document has no phase times"),
	       "html util: no phase times, no bands, said");
	free(fig);
	free(html);

	/* The sampler off: no chart, the reason. */
	cJSON_ReplaceItemInObjectCaseSensitive(root, "utilisation",
		cJSON_Parse("{\"status\":\"skipped\",\"reason\":"
			    "\"off (--sample-hz 0)\"}"));
	html = html_of(root, "util-skipped");
	fig = util_figure(html);
	tap_ok(fig && !strstr(fig, "<svg") &&
	       strstr(fig, "no data: utilisation skipped: off (--sample-hz "
			   "0)"), "html util: skipped, no chart, the reason");
	free(fig);
	free(html);
	cJSON_Delete(root);

	/* A document without utilisation. */
	root = load("full-np4.json");
	html = html_of(root, "util-none");
	fig = util_figure(html);
	tap_ok(fig && !strstr(fig, "<svg") &&
	       strstr(fig, "no data: the document has no utilisation") &&
	       !strstr(html, "chart-util="),
	       "html util: no utilisation object, no chart, the reason");
	free(fig);
	free(html);
	cJSON_Delete(root);
}

/* The fabric phase's all-reduce: its finding (known answers from the
 * fixture's 64 KiB row, and from a row set by hand), the busbw chart's
 * second series, its table, its Prometheus series per algorithm. */
static void test_fabric_allreduce(void)
{
	cJSON *root = load("full-np4.json"), *row;
	char *out = NULL, *h, err[256] = "", path[512], *text = NULL;
	size_t len = 0;
	FILE *f;

	/* MPI 206336 ns, ring 1200128 ns: 1 - 206336/1200128 = 0.828. */
	f = open_memstream(&out, &len);
	hpcp_summary_print(root, f);
	fclose(f);
	tap_ok(out && strstr(out, "  64 KiB all-reduce: MPI 206.3 us, "
				  "libfabric ring 1200.1 us: MPI's collective "
				  "takes 83 % less time (noisy host: not a "
				  "finding)\n") &&
	       strstr(out, "fabric all-reduce over 4 ranks (tcp;ofi_rxm, auto)"),
	       "summary: the fabric all-reduce's finding and size table");
	free(out);
	h = html_of(root, "fabric-ar");
	{
		const char *fig = h ? strstr(h, "<figure id=\"chart-busbw\">") : NULL;
		const char *end = fig ? strstr(fig, "</figure>") : NULL;
		const char *line = fig ? strstr(fig, "stroke=\"#17becf\"") : NULL;

		tap_ok(fig && end && line && line < end &&
		       strstr(fig, "libfabric all-reduce bus bandwidth, 4 "
				   "ranks") < end,
		       "html: the busbw chart draws MPI's and the libfabric "
		       "all-reduce's series");
	}
	tap_ok(h && strstr(h, "<caption>libfabric all-reduce over "
			      "tcp;ofi_rxm (--fabric-allreduce auto") &&
	       strstr(h, "<th>MPI/libfabric</th>") &&
	       strstr(h, "64 KiB all-reduce: MPI 206.3 us"),
	       "html: the fabric all-reduce's table and finding");
	free(h);
	snprintf(path, sizeof(path), "%s/far.prom", tmpdir);
	tap_ok(hpcp_export_prom(root, path, err, sizeof(err)) == 0 &&
	       (text = slurp(path)) &&
	       strstr(text, "hpcprobe_fabric_allreduce_latency_seconds{"
			    "phase=\"fabric\",algorithm=\"ring\","
			    "size_bytes=\"65536\",quantile=\"0.5\"} "
			    "0.001200128\n") &&
	       strstr(text, "hpcprobe_fabric_allreduce_busbw_bytes_per_second{"
			    "phase=\"fabric\",algorithm=\"rd\""),
	       "Prometheus: the fabric all-reduce per algorithm and size");
	free(text);

	/* MPI 48 us, ring 39 us, quiet: 48/39 = 1.231, adds 23 %. */
	row = size_row(hpcp_at(hpcp_at(hpcp_phase_at(root, "fabric"),
				       "allreduce"), "sizes"), 65536);
	if (row) {
		cJSON_ReplaceItemInObjectCaseSensitive(
			row, "mpi_latency_p50_ns", cJSON_CreateNumber(48000));
		cJSON_ReplaceItemInObjectCaseSensitive(
			(cJSON *)hpcp_at(row, "latency_ns"), "p50",
			cJSON_CreateNumber(39000));
		cJSON_ReplaceItemInObjectCaseSensitive(
			row, "mpi_over_fabric_ratio",
			cJSON_CreateNumber(48000.0 / 39000));
		cJSON_ReplaceItemInObjectCaseSensitive(row, "noisy",
						       cJSON_CreateFalse());
	}
	out = NULL;
	f = open_memstream(&out, &len);
	hpcp_summary_print(root, f);
	fclose(f);
	tap_ok(out && strstr(out, "  64 KiB all-reduce: MPI 48.0 us, "
				  "libfabric ring 39.0 us: MPI's collective "
				  "adds 23 %\n"),
	       "summary: MPI 48 us against ring 39 us: MPI's collective adds "
	       "23 %%");
	free(out);
	cJSON_Delete(root);
}

static void test_summary_and_exports(void)
{
	cJSON *root = load("failed-np2.json");
	char *out = NULL, err[256] = "", path[512], *text;
	size_t len = 0;
	FILE *f = open_memstream(&out, &len);
	int lines = 0, json = 0;

	hpcp_summary_print(root, f);
	fclose(f);
	tap_ok(out && strstr(out, "\nFindings\n") &&
	       strstr(out, "  pingpong failed: watchdog: rank 0 (vm)"),
	       "summary: findings name the failed phase and why");
	free(out);
	cJSON_Delete(root);

	root = load("full-np4.json");
	snprintf(path, sizeof(path), "%s/m.jsonl", tmpdir);
	tap_ok(hpcp_export_emf(root, path, "hpcprobe", err, sizeof(err)) == 0,
	       "EMF written: %s", err);
	text = slurp(path);
	for (char *l = text ? strtok(text, "\n") : NULL; l;
	     l = strtok(NULL, "\n")) {
		cJSON *line = cJSON_Parse(l);

		lines++;
		json += line && hpcp_at(hpcp_at(line, "_aws"),
					"CloudWatchMetrics") != NULL;
		cJSON_Delete(line);
	}
	tap_ok(lines > 0 && json == lines,
	       "EMF: %d lines, each a JSON object with _aws metrics", lines);
	free(text);
	snprintf(path, sizeof(path), "%s/m.prom", tmpdir);
	tap_ok(hpcp_export_prom(root, path, err, sizeof(err)) == 0 &&
	       (text = slurp(path)) &&
	       strstr(text, "# TYPE hpcprobe_allreduce_latency_seconds summary") &&
	       strstr(text, "hpcprobe_phase_ok{phase=\"compute\"} 1"),
	       "Prometheus textfile written: %s", err);
	free(text);
	cJSON_Delete(root);
}

/* The summary and the narrative name the same slowest link (findings.c):
 * the highest 8-byte p50 of a kind, and no other size stands in. */
static void test_findings(void)
{
	cJSON *root = load("multinode-np4.json"), *pair, *size;
	struct hpcp_findings f;
	char *out = NULL, *h;
	size_t len = 0;
	FILE *m;
	int ok8 = 1;

	hpcp_findings_of(root, &f);
	cJSON_ArrayForEach(pair, (cJSON *)hpcp_at(hpcp_phase_at(root,
					"pingpong"), "pairs"))
		cJSON_ArrayForEach(size, (cJSON *)hpcp_at(pair, "sizes")) {
			double p50 = hpcp_num_at(hpcp_at(size, "latency_ns"),
						 "p50", -1);

			if (hpcp_num_at(size, "bytes", 0) == 8 &&
			    strcmp(hpcp_str_at(pair, "kind"), "inter_node") == 0)
				ok8 &= p50 <= f.pingpong_inter.slowest_p50_ns &&
				       p50 >= f.pingpong_inter.fastest_p50_ns;
		}
	tap_ok(f.pingpong_ok && f.pingpong_inter.n == 2 &&
	       f.pingpong_inter.pairs_count == 2 && ok8 &&
	       f.pingpong_inter.slowest_p50_ns > f.pingpong_inter.fastest_p50_ns,
	       "findings: the slowest and fastest inter-node 8-byte links "
	       "(%.0f and %.0f ns over %d pairs)",
	       f.pingpong_inter.slowest_p50_ns,
	       f.pingpong_inter.fastest_p50_ns, f.pingpong_inter.n);
	tap_ok(f.matrix_hosts == 4 && f.n_not_ok == 0 && f.compute,
	       "findings: a 4-node matrix, no failed phase, compute measured");
	m = open_memstream(&out, &len);
	hpcp_summary_print(root, m);
	fclose(m);
	h = html_of(root, "findings");
	{
		char line[256], us[64];

		snprintf(line, sizeof(line), "slowest inter-node link (8 B "
			 "p50): %.2f us between %s and %s",
			 f.pingpong_inter.slowest_p50_ns / 1e3,
			 hpcp_pair_host(f.pingpong_inter.slowest_pair, 0),
			 hpcp_pair_host(f.pingpong_inter.slowest_pair, 1));
		snprintf(us, sizeof(us), "to %.2f \u00b5s (ranks %.0f\u2013",
			 f.pingpong_inter.slowest_p50_ns / 1e3,
			 cJSON_GetArrayItem(hpcp_at(f.pingpong_inter.slowest_pair,
						    "ranks"), 0)->valuedouble);
		tap_ok(out && strstr(out, line) && h && strstr(h, us) &&
		       strstr(h, "over 2 pairs"),
		       "summary and narrative name the same slowest link: %s",
		       line);
	}
	free(out);
	free(h);

	/* Without an 8-byte size there is no small-message finding: the
	 * narrative no longer falls back to another size. */
	cJSON_ArrayForEach(pair, (cJSON *)hpcp_at(hpcp_phase_at(root,
					"pingpong"), "pairs"))
		cJSON_ArrayForEach(size, (cJSON *)hpcp_at(pair, "sizes"))
			if (hpcp_num_at(size, "bytes", 0) == 8)
				cJSON_SetNumberValue(
					(cJSON *)hpcp_at(size, "bytes"), 4);
	hpcp_findings_of(root, &f);
	out = NULL;
	m = open_memstream(&out, &len);
	hpcp_summary_print(root, m);
	fclose(m);
	h = html_of(root, "no8");
	tap_ok(f.pingpong_inter.n == 0 && f.pingpong_inter.pairs_count == 2 &&
	       out && !strstr(out, "slowest inter-node link") && h &&
	       strstr(h, "no inter-node MPI ping-pong pair was measured at 8 "
			 "bytes") && !strstr(h, "4-byte"),
	       "no 8-byte size: neither the summary nor the narrative "
	       "names a slowest link");
	free(out);
	free(h);
	cJSON_Delete(root);
}

static void test_parse_real(void)
{
	double v = -1;

	tap_ok(hpcp_parse_real("12.5", 0, 1000, &v) == 0 && v == 12.5,
	       "--tolerance 12.5 parses");
	tap_ok(hpcp_parse_real("1001", 0, 1000, &v) == -ERANGE &&
	       hpcp_parse_real("nan", 0, 1000, &v) == -EINVAL &&
	       hpcp_parse_real("0x10", 0, 1000, &v) == -EINVAL &&
	       hpcp_parse_real(" 5", 0, 1000, &v) == -EINVAL &&
	       hpcp_parse_real("5%", 0, 1000, &v) == -EINVAL,
	       "out of range, nan, hex, spaces and units are refused");
}

int main(void)
{
	char cmd[600];

	if (!mkdtemp(tmpdir))
		tap_skip_all("cannot make a temporary directory");
	test_loader();
	test_gate();
	test_gate_big();
	test_gate_long_names();
	test_gate_control_bytes();
	test_html();
	test_html_train();
	test_html_storage();
	test_html_infer();
	test_html_infer_transport();
	test_infer_finding_noisy();
	test_storage_finding();
	test_html_util();
	test_summary_and_exports();
	test_fabric_allreduce();
	test_caps_loud();
	test_findings();
	test_parse_real();
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	if (system(cmd) != 0)
		tap_diag("temporary directory left behind");
	return tap_done();
}
