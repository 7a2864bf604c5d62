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

void hpcp_html_table_pairs(struct hpcp_text *t, const cJSON *root, const char *phase,
			const char *what)
{
	const cJSON *pairs = hpcp_at(hpcp_phase_at(root, phase), "pairs"), *pair, *size;
	int n = 0, total = cJSON_GetArraySize(pairs);

	if (!hpcp_phase_ok(root, phase) || total < 1)
		return;
	hpcp_put(t, "<div class=\"tables\">\n");
	cJSON_ArrayForEach(pair, pairs) {
		if (n++ >= TABLE_MAX_PAIRS)
			break;
		hpcp_put(t, "<table>\n<caption>");
		hpcp_html_pair_label(t, what, pair, 0);
		hpcp_put(t, "</caption>\n<thead><tr><th>bytes</th><th>p50 \u00b5s</th>"
		       "<th>p99 \u00b5s</th><th>max \u00b5s</th><th>bandwidth "
		       "MB/s</th></tr></thead>\n<tbody>\n");
		cJSON_ArrayForEach(size, hpcp_at(pair, "sizes")) {
			const cJSON *lat = hpcp_at(size, "latency_ns");
			const char *q[] = { "p50", "p99", "max" };
			char b[48];
			double v;

			if (!hpcp_num_of(hpcp_at(size, "bytes"), &v))
				continue;
			hpcp_html_fmt_bytes(b, sizeof(b), v);
			hpcp_put(t, "<tr><td>%s</td>", b);
			for (int i = 0; i < 3; i++) {
				hpcp_put(t, "<td>");
				if (hpcp_num_of(hpcp_at(lat, q[i]), &v))
					hpcp_html_put_val(t, v / 1e3);
				else
					put_na(t, lat, q[i]);
				hpcp_put(t, "</td>");
			}
			hpcp_put(t, "<td>");
			if (hpcp_num_of(hpcp_at(size, "bandwidth_bytes_per_s"), &v))
				hpcp_html_put_val(t, v / 1e6);
			else
				hpcp_put(t, "\u2013");
			hpcp_put(t, "</td></tr>\n");
		}
		hpcp_put(t, "</tbody>\n</table>\n");
	}
	hpcp_put(t, "</div>\n");
	if (total > TABLE_MAX_PAIRS)
		hpcp_put(t, "<p class=\"small\">%d of %d %s pairs shown.</p>\n",
		    TABLE_MAX_PAIRS, total, what);
}

void hpcp_html_table_allreduce(struct hpcp_text *t, const cJSON *root)
{
	const cJSON *ar = hpcp_phase_at(root, "allreduce"), *size;

	if (!hpcp_phase_ok(root, "allreduce"))
		return;
	hpcp_put(t, "<table>\n<caption>MPI_Allreduce");
	if (hpcp_str_at(ar, "operation")) {
		hpcp_put(t, " (");
		hpcp_html_esc(t, hpcp_str_at(ar, "operation"));
		hpcp_put(t, ")");
	}
	hpcp_put(t, "</caption>\n<thead><tr><th>bytes</th><th>p50 \u00b5s</th>"
	       "<th>p99 \u00b5s</th><th>algbw GB/s</th><th>busbw GB/s</th>"
	       "<th>slowest rank</th><th>correct</th></tr></thead>\n<tbody>\n");
	cJSON_ArrayForEach(size, hpcp_at(ar, "sizes")) {
		const cJSON *lat = hpcp_at(size, "latency_ns");
		char b[48];
		double v;

		if (!hpcp_num_of(hpcp_at(size, "bytes"), &v))
			continue;
		hpcp_html_fmt_bytes(b, sizeof(b), v);
		hpcp_put(t, "<tr><td>%s</td>", b);
		hpcp_put(t, "<td>");
		if (hpcp_num_of(hpcp_at(lat, "p50"), &v))
			hpcp_html_put_val(t, v / 1e3);
		else
			put_na(t, lat, "p50");
		hpcp_put(t, "</td><td>");
		if (hpcp_num_of(hpcp_at(lat, "p99"), &v))
			hpcp_html_put_val(t, v / 1e3);
		else
			put_na(t, lat, "p99");
		hpcp_put(t, "</td><td>");
		if (hpcp_num_of(hpcp_at(size, "algbw_bytes_per_s"), &v))
			hpcp_html_put_val(t, v / 1e9);
		hpcp_put(t, "</td><td>");
		if (hpcp_num_of(hpcp_at(size, "busbw_bytes_per_s"), &v))
			hpcp_html_put_val(t, v / 1e9);
		hpcp_put(t, "</td><td>");
		if (hpcp_num_of(hpcp_at(size, "slowest_rank"), &v))
			hpcp_put(t, "%.0f", v);
		hpcp_put(t, "</td><td>%s</td></tr>\n",
		    cJSON_IsTrue(hpcp_at(size, "result_correct")) ? "yes" :
		    cJSON_IsFalse(hpcp_at(size, "result_correct")) ? "<b>no</b>" :
		    "\u2013");
	}
	hpcp_put(t, "</tbody>\n</table>\n");
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
