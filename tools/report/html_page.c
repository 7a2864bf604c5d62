/*
 * The HTML report's page: skeleton, stylesheet, header, the order of
 * the parts, the signature-colour comment and the entry point.
 */
#include "config.h"

#include "html.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define OUTLIER "#a63603"
#define LIST_MAX_HOSTS 16       /* in the header */

static void header(struct hpcp_text *t, const cJSON *root)
{
	const cJSON *ctx = hpcp_at(root, "context"), *run = hpcp_at(root, "run"), *h;
	const cJSON *mpi = hpcp_at(ctx, "mpi");
	double v, w;
	int n = 0, total = cJSON_GetArraySize(hpcp_at(ctx, "hosts"));

	hpcp_put(t, "<header>\n<h1>hpcprobe report</h1>\n<dl class=\"meta\">\n");
	hpcp_put(t, "<dt>Status</dt><dd>");
	hpcp_html_status_badge(t, hpcp_str_at(root, "status"));
	if (cJSON_IsFalse(hpcp_at(run, "complete")))
		hpcp_put(t, " (written between phases)");
	hpcp_put(t, "</dd>\n<dt>Tool</dt><dd>");
	hpcp_html_esc(t, hpcp_str_at(hpcp_at(root, "tool"), "name") ?
	    hpcp_str_at(hpcp_at(root, "tool"), "name") : "hpcprobe");
	hpcp_put(t, " ");
	hpcp_html_esc(t, hpcp_str_at(hpcp_at(root, "tool"), "version") ?
	    hpcp_str_at(hpcp_at(root, "tool"), "version") : "(version unknown)");
	if (hpcp_str_at(hpcp_at(root, "tool"), "git_commit")) {
		hpcp_put(t, " (");
		hpcp_html_esc(t, hpcp_str_at(hpcp_at(root, "tool"), "git_commit"));
		hpcp_put(t, ")");
	}
	hpcp_put(t, "</dd>\n<dt>Started (UTC)</dt><dd>");
	hpcp_html_esc(t, hpcp_str_at(run, "started_utc") ? hpcp_str_at(run, "started_utc") : "unknown");
	hpcp_put(t, "</dd>\n<dt>Duration</dt><dd>");
	if (hpcp_num_of(hpcp_at(run, "duration_s"), &v))
		hpcp_put(t, "%.2f s", v);
	else
		hpcp_put(t, "unknown");
	hpcp_put(t, "</dd>\n<dt>Ranks / nodes</dt><dd>");
	if (hpcp_num_of(hpcp_at(mpi, "ranks"), &v) && hpcp_num_of(hpcp_at(mpi, "nodes"), &w))
		hpcp_put(t, "%.0f ranks on %.0f node%s", v, w, w == 1 ? "" : "s");
	else
		hpcp_put(t, "unknown");
	hpcp_put(t, "</dd>\n<dt>Launcher</dt><dd>");
	hpcp_html_esc(t, hpcp_str_at(ctx, "launcher") ? hpcp_str_at(ctx, "launcher") : "unknown");
	hpcp_put(t, "</dd>\n<dt>MPI library</dt><dd>");
	hpcp_html_esc(t, hpcp_str_at(mpi, "library") ? hpcp_str_at(mpi, "library") : "unknown");
	hpcp_put(t, "</dd>\n<dt>Hosts</dt><dd>");
	cJSON_ArrayForEach(h, hpcp_at(ctx, "hosts")) {
		if (n >= LIST_MAX_HOSTS) {
			hpcp_put(t, " \u2026 and %d more", total - n);
			break;
		}
		hpcp_put(t, "%s", n++ ? ", " : "");
		hpcp_html_esc(t, hpcp_str_at(h, "name") ? hpcp_str_at(h, "name") : "?");
		if (cJSON_GetArraySize(hpcp_at(h, "ranks")) > 0)
			hpcp_put(t, " (%d rank%s)", cJSON_GetArraySize(hpcp_at(h, "ranks")),
			    cJSON_GetArraySize(hpcp_at(h, "ranks")) == 1 ? "" : "s");
	}
	if (!n)
		hpcp_put(t, "unknown");
	hpcp_put(t, "</dd>\n</dl>\n</header>\n");
}

static const char CSS[] =
	":root{color-scheme:light}\n"
	"body{font:14px/1.5 system-ui,-apple-system,\"Segoe UI\",Roboto,"
	"\"Helvetica Neue\",Arial,\"Noto Sans\",\"Liberation Sans\",sans-serif;"
	"color:#1f2328;background:#fff;max-width:1000px;margin:24px auto;"
	"padding:0 24px}\n"
	"h1{font-size:26px;margin:0 0 8px;letter-spacing:-.01em}\n"
	"h2{font-size:18px;margin:32px 0 8px;padding-bottom:4px;"
	"border-bottom:1px solid #d0d7de}\n"
	"h3{font-size:15px;margin:0 0 6px}\n"
	"dl.meta{display:grid;grid-template-columns:max-content 1fr;"
	"gap:2px 16px;margin:0;font-size:13.5px}\n"
	"dl.meta dt{color:#57606a}dl.meta dd{margin:0}\n"
	".badge{display:inline-block;padding:0 8px;border-radius:10px;"
	"font-size:12px;font-weight:600;line-height:18px}\n"
	".badge.ok{color:#116329;background:#dafbe1}\n"
	".badge.warn{color:#7d4e00;background:#fff8c5}\n"
	".badge.bad{color:#a40e26;background:#ffebe9}\n"
	".narrative{font-size:15px;line-height:1.6;background:#f6f8fa;"
	"border-left:4px solid #8c959f;padding:12px 16px;margin:20px 0}\n"
	"figure{margin:20px 0;padding:14px 16px;border:1px solid #d0d7de;"
	"border-radius:6px;break-inside:avoid;page-break-inside:avoid}\n"
	"figure svg{display:block;max-width:100%;height:auto}\n"
	"figcaption{font-size:12.5px;color:#57606a;margin-top:8px}\n"
	".sub{margin:0 0 6px;font-size:13px;color:#424a53}\n"
	".nodata{margin:8px 0;padding:28px 16px;background:#f6f8fa;"
	"color:#57606a;font-style:italic;text-align:center}\n"
	"svg text{font-size:11.5px;fill:#424a53;"
	"font-variant-numeric:tabular-nums}\n"
	"svg .at{font-size:12px;fill:#1f2328;font-weight:600}\n"
	"svg .note{font-size:11.5px;fill:#1f2328;font-weight:600}\n"
	"svg .hl{font-size:11px}svg .b{font-weight:700;fill:#1f2328}\n"
	"svg .out{fill:" OUTLIER ";font-weight:700}\n"
	"svg .cv{font-size:10.5px;text-anchor:middle;fill:#1f2328}\n"
	"svg .cv.dk{fill:#fff}\n"
	"svg .box{fill:none;stroke:#8c959f;stroke-width:1}\n"
	"svg .axis{stroke:#8c959f;stroke-width:1}\n"
	"svg .gr{stroke:#e6e8eb;stroke-width:1}\n"
	"svg .gm{stroke:#f1f2f4;stroke-width:1}\n"
	"svg .tk{stroke:#8c959f;stroke-width:1}\n"
	"svg .ln{fill:none;stroke-width:2;stroke-linejoin:round}\n"
	"svg .lg{stroke-width:2.5}\n"
	"svg .ring{fill:none;stroke-width:1.5}\n"
	"svg .key{stroke:#57606a;stroke-width:2}\n"
	"svg .dash{stroke-dasharray:6 4;stroke-width:1.6}\n"
	"svg .outl{fill:none;stroke:" OUTLIER ";stroke-width:2}\n"
	"svg .slow{fill:none;stroke:#1f2328;stroke-width:1.5}\n"
	"table{border-collapse:collapse;font-size:12.5px;"
	"font-variant-numeric:tabular-nums;margin:8px 0 16px}\n"
	"caption{text-align:left;font-weight:600;padding:4px 0;font-size:13px}\n"
	"th,td{padding:3px 10px;text-align:right;"
	"border-bottom:1px solid #eaeef2;vertical-align:top}\n"
	"th{background:#f6f8fa;font-weight:600;border-bottom:1px solid #d0d7de}\n"
	"th:first-child,td:first-child,th.l,td.l{text-align:left}\n"
	".tables{display:flex;flex-wrap:wrap;gap:0 28px}\n"
	".small,footer{font-size:12px;color:#57606a}\n"
	".na{color:#57606a;cursor:help}\n"
	"ul.warn{padding-left:20px}\n"
	"footer{margin-top:32px;border-top:1px solid #d0d7de;padding-top:8px}\n"
	"@page{margin:14mm}\n"
	"@media print{body{margin:0;max-width:none;padding:0}"
	".narrative{border-left-color:#57606a}h2{break-after:avoid}}\n";

/*
 * For tests and people: which colour each drawn chart painted its data
 * in, found in the figures just written (a chart with no data is left
 * out; a heat map of unmeasured cells paints only its n/a colour).
 */
static void signature_comment(struct hpcp_text *t, size_t from)
{
	static const char *const charts[][3] = {
		{ "chart-latency", HPCP_SIG_LATENCY, NULL },
		{ "chart-busbw", HPCP_SIG_BUSBW, NULL },
		{ "chart-heatmap", HPCP_SIG_HEAT, HPCP_HEAT_NA },
		{ "chart-load", HPCP_SIG_LOAD, NULL },
		{ "chart-train-curve", HPCP_SIG_TRAIN_CURVE, NULL },
		{ "chart-train-steps", HPCP_SIG_TRAIN_STEPS, NULL },
		{ "chart-infer-latency", HPCP_SIG_INFER_LATENCY, NULL },
		{ "chart-infer-batch", HPCP_SIG_INFER_BATCH, NULL },
		{ "chart-infer-memory", HPCP_SIG_INFER_MEMORY, NULL },
		{ "chart-infer-transport", HPCP_SIG_INFER_TRANSPORT, NULL },
		{ "chart-storage-latency", HPCP_SIG_STORAGE_LAT, NULL },
		{ "chart-storage-throughput", HPCP_SIG_STORAGE_BW, NULL },
		{ "chart-storage-metadata", HPCP_SIG_STORAGE_MD, NULL },
		{ "chart-util", HPCP_SIG_UTIL, NULL },
	};
	char *copy;

	if (t->oom || !t->buf || from > t->len)
		return;
	copy = strndup(t->buf + from, t->len - from);
	if (!copy) {
		t->oom = 1;
		return;
	}
	hpcp_put(t, "<!-- signature colours:");
	for (size_t i = 0; i < sizeof(charts) / sizeof(charts[0]); i++) {
		char id[48];
		char *fig, *end;

		snprintf(id, sizeof(id), "id=\"%s\"", charts[i][0]);
		fig = strstr(copy, id);
		end = fig ? strstr(fig, "</figure>") : NULL;
		if (!fig || !end)
			continue;
		*end = '\0';
		for (int c = 1; c < 3 && charts[i][c]; c++) {
			if (strstr(fig, charts[i][c])) {
				hpcp_put(t, " %s=%s", charts[i][0], charts[i][c]);
				break;
			}
		}
		*end = '<';
	}
	hpcp_put(t, " -->\n");
	free(copy);
}

static void page(struct hpcp_text *t, const cJSON *root,
		 const cJSON *verdicts, const cJSON *cost)
{
	size_t charts_start;

	const cJSON *sch = hpcp_at(root, "schema");

	hpcp_put(t, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n"
	       "<meta charset=\"utf-8\">\n"
	       "<meta name=\"viewport\" content=\"width=device-width, "
	       "initial-scale=1\">\n<title>hpcprobe report");
	if (hpcp_str_at(hpcp_at(root, "run"), "started_utc")) {
		hpcp_put(t, " \u2013 ");
		hpcp_html_esc(t, hpcp_str_at(hpcp_at(root, "run"), "started_utc"));
	}
	hpcp_put(t, "</title>\n<style>\n%s</style>\n</head>\n<body>\n", CSS);
	header(t, root);
	hpcp_html_narrative(t, root);
	if (verdicts)
		hpcp_html_claims(t, verdicts);
	if (cost)
		hpcp_html_cost(t, cost);
	hpcp_put(t, "<h2>Charts</h2>\n");
	charts_start = t->len;
	hpcp_html_chart_latency(t, root);
	hpcp_html_chart_busbw(t, root);
	hpcp_html_chart_heatmap(t, root);
	hpcp_html_chart_load(t, root);
	hpcp_html_chart_train(t, root);
	hpcp_html_chart_infer(t, root);
	hpcp_html_chart_storage(t, root);
	hpcp_html_chart_util(t, root);
	signature_comment(t, charts_start);
	hpcp_html_table_phases(t, root);
	if (hpcp_phase_ok(root, "pingpong") || hpcp_phase_ok(root, "fabric")) {
		hpcp_put(t, "<h2>Point-to-point latency and bandwidth</h2>\n");
		hpcp_html_table_pairs(t, root, "pingpong", "MPI");
		hpcp_html_table_pairs(t, root, "fabric",
			    hpcp_str_at(hpcp_at(hpcp_phase_at(root, "fabric"), "provider"),
				   "name") ?
			    hpcp_str_at(hpcp_at(hpcp_phase_at(root, "fabric"), "provider"),
				   "name") : "libfabric");
	}
	if (hpcp_phase_ok(root, "allreduce") ||
	    hpcp_at(hpcp_phase_at(root, "fabric"), "allreduce")) {
		hpcp_put(t, "<h2>All-reduce</h2>\n");
		hpcp_html_table_allreduce(t, root);
		hpcp_html_table_fabric_allreduce(t, root);
	}
	if (hpcp_phase_ok(root, "compute")) {
		hpcp_put(t, "<h2>Compute</h2>\n");
		hpcp_html_table_compute(t, root);
	}
	hpcp_html_table_utilisation(t, root);
	hpcp_html_tables_other(t, root);
	hpcp_html_warnings_list(t, root);
	hpcp_put(t, "<footer>Generated by hpcprobe from a results document (schema ");
	hpcp_html_esc(t, hpcp_str_at(sch, "name") ? hpcp_str_at(sch, "name") : "unknown");
	hpcp_put(t, " ");
	hpcp_html_esc(t, hpcp_str_at(sch, "version") ? hpcp_str_at(sch, "version") : "");
	hpcp_put(t, "). Every figure on this page is a value of that document."
	       "</footer>\n</body>\n</html>\n");
}

int hpcp_report_html(const cJSON *root, const char *path, char *err,
		     size_t errlen)
{
	return hpcp_report_html_with(root, NULL, NULL, path, err, errlen);
}

int hpcp_report_html_with(const cJSON *root, const cJSON *verdicts,
			  const cJSON *cost, const char *path, char *err,
			  size_t errlen)
{
	struct hpcp_text t = { 0 };
	int rc;

	if (!cJSON_IsObject(root) || !path) {
		snprintf(err, errlen, "no results document to report");
		return -EINVAL;
	}
	page(&t, root, verdicts, cost);
	if (t.oom) {
		snprintf(err, errlen, "out of memory");
		free(t.buf);
		return -ENOMEM;
	}
	rc = hpcp_publish(t.buf, t.len, path, err, errlen);
	free(t.buf);
	return rc;
}
