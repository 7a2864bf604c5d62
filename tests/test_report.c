/*
 * hpcprobe-report without MPI: the loader, the regression gate, the HTML
 * report, the summary, the findings and the exports, on the documents of
 * real runs in tests/data/results/ (see its README).  Links libhpcpreport
 * and libhpcpdoc only.
 */
#include "config.h"

#include <cJSON.h>
#include <errno.h>
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
	test_html();
	test_html_train();
	test_summary_and_exports();
	test_findings();
	test_parse_real();
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	if (system(cmd) != 0)
		tap_diag("temporary directory left behind");
	return tap_done();
}
