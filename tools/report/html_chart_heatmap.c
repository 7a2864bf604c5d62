/*
 * Chart: the node matrix as a heat map of small-message p50 latency,
 * outlier hosts marked.
 */
#include "config.h"

#include "html.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void ramp(double v, char *b, size_t n)
{
	/* light -> mid -> dark; v = 1 is exactly HPCP_SIG_HEAT */
	static const double c[3][3] = {
		{ 229, 245, 249 }, { 102, 194, 164 }, { 0, 68, 27 },
	};
	int i = v > 0.5;
	double u = i ? (v - 0.5) * 2 : v * 2;
	int rgb[3];

	if (!(u >= 0))
		u = 0;
	if (u > 1)
		u = 1;
	for (int k = 0; k < 3; k++)
		rgb[k] = (int)lround(c[i][k] + (c[i + 1][k] - c[i][k]) * u);
	hpcp_html_sfmt(b, n, "#%02x%02x%02x", rgb[0], rgb[1], rgb[2]);
}

static int is_outlier(const cJSON *outliers, const char *host)
{
	const cJSON *o;

	cJSON_ArrayForEach(o, outliers)
		if (cJSON_IsString(o) && host && strcmp(o->valuestring, host) == 0)
			return 1;
	return 0;
}

void hpcp_html_chart_heatmap(struct hpcp_text *t, const cJSON *root)
{
	const cJSON *nm = hpcp_at(hpcp_phase_at(root, "pingpong"), "node_matrix");
	const cJSON *hosts = hpcp_at(nm, "hosts"), *mat = hpcp_at(nm, "p50_latency_ns");
	const cJSON *outliers = hpcp_at(nm, "outliers");
	int n = cJSON_GetArraySize(hosts), cells = 0, label_every = 1;
	double vmin = INFINITY, vmax = -INFINITY, cell, gx, gy;
	int W, H, labels_w = 130, legend_w = 150, nout = 0;

	hpcp_html_fig_open(t, "chart-heatmap", "Inter-node latency heat map");
	if (!hpcp_phase_ok(root, "pingpong") || !cJSON_IsArray(hosts) || n < 1) {
		hpcp_html_figure_without_data(t, root, "pingpong",
				    "the ping-pong phase has no node matrix",
				    "p50 latency between node pairs.");
		return;
	}
	for (int i = 0; i < n; i++) {
		const cJSON *row = cJSON_GetArrayItem(mat, i);

		for (int j = 0; j < n; j++) {
			double v;

			if (hpcp_num_of(cJSON_GetArrayItem(row, j), &v)) {
				cells++;
				vmin = fmin(vmin, v / 1e3);
				vmax = fmax(vmax, v / 1e3);
			}
		}
		if (is_outlier(outliers, cJSON_GetArrayItem(hosts, i)->valuestring))
			nout++;
	}
	cell = 560.0 / n;
	if (cell > 56)
		cell = 56;
	if (cell < 6)
		cell = 6;
	while (cell * label_every < 13)
		label_every++;
	gx = labels_w + 20;
	gy = 12;
	W = (int)(gx + n * cell + 24 + legend_w);
	if (W < 520)
		W = 520;
	H = (int)(gy + n * cell + (cell < 40 ? 130 : 110));
	hpcp_html_svg_open(t, W, H, "p50 latency between node pairs");
	for (int i = 0; i < n; i++) {
		const cJSON *row = cJSON_GetArrayItem(mat, i);

		for (int j = 0; j < n; j++) {
			double v, x = gx + j * cell, y = gy + i * cell;
			char col[16];
			int has = hpcp_num_of(cJSON_GetArrayItem(row, j), &v);
			double u = 0;

			if (has) {
				v /= 1e3;
				u = vmax > vmin ? (v - vmin) / (vmax - vmin) : 1;
				ramp(u, col, sizeof(col));
			}
			hpcp_put(t, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" "
			       "height=\"%.1f\" fill=\"%s\" stroke=\"#fff\"/>\n",
			    x, y, cell, cell, has ? col : HPCP_HEAT_NA);
			if (cell < 34)
				continue;
			if (has) {
				char b[48];

				hpcp_html_fmt_val(b, sizeof(b), v);
				hpcp_put(t, "<text class=\"cv%s\" x=\"%.1f\" "
				       "y=\"%.1f\">%s</text>\n",
				    u > 0.45 ? " dk" : "", x + cell / 2,
				    y + cell / 2 + 4, b);
			} else {
				hpcp_put(t, "<text class=\"cv\" x=\"%.1f\" y=\"%.1f\">"
				       "n/a</text>\n",
				    x + cell / 2, y + cell / 2 + 4);
			}
		}
	}
	/* outlier rows and columns outlined; host labels on both axes */
	for (int i = 0; i < n; i++) {
		const cJSON *h = cJSON_GetArrayItem(hosts, i);
		const char *name = cJSON_IsString(h) ? h->valuestring : "?";
		int out = is_outlier(outliers, name);
		double cy = gy + i * cell + cell / 2, cx = gx + i * cell + cell / 2;

		if (out) {
			hpcp_put(t, "<rect class=\"outl\" x=\"%.1f\" y=\"%.1f\" "
			       "width=\"%.1f\" height=\"%.1f\"/>\n",
			    gx, gy + i * cell, n * cell, cell);
			hpcp_put(t, "<rect class=\"outl\" x=\"%.1f\" y=\"%.1f\" "
			       "width=\"%.1f\" height=\"%.1f\"/>\n",
			    gx + i * cell, gy, cell, n * cell);
		}
		if (i % label_every && !out)
			continue;
		hpcp_put(t, "<text class=\"%s\" x=\"%.1f\" y=\"%.1f\" "
		       "text-anchor=\"end\">", out ? "hl out" : "hl",
		    gx - 6, cy + 4);
		if (out)
			hpcp_put(t, "\u25b2 ");
		hpcp_html_esc_host(t, name, 18);
		hpcp_put(t, "</text>\n<text class=\"%s\" x=\"%.1f\" y=\"%.1f\" "
		       "text-anchor=\"end\" transform=\"rotate(%d %.1f %.1f)\">",
		    out ? "hl out" : "hl", cx + 4, gy + n * cell + 10,
		    cell < 40 ? -90 : -40, cx + 4, gy + n * cell + 10);
		if (out)
			hpcp_put(t, "\u25b2 ");
		hpcp_html_esc_host(t, name, 14);
		hpcp_put(t, "</text>\n");
	}
	/* legend */
	{
		double lx = gx + n * cell + 28, ly = gy, lh = n * cell;

		if (lh < 120)
			lh = 120;
		if (cells) {
			char a[48], b[48], s0[16], s1[16], s2[16];

			ramp(0, s0, sizeof(s0));
			ramp(0.5, s1, sizeof(s1));
			ramp(1, s2, sizeof(s2));
			hpcp_html_fmt_val(a, sizeof(a), vmin);
			hpcp_html_fmt_val(b, sizeof(b), vmax);
			hpcp_put(t, "<defs><linearGradient id=\"heat-ramp\" x1=\"0\" "
			       "y1=\"1\" x2=\"0\" y2=\"0\"><stop offset=\"0\" "
			       "stop-color=\"%s\"/><stop offset=\"0.5\" "
			       "stop-color=\"%s\"/><stop offset=\"1\" "
			       "stop-color=\"%s\"/></linearGradient></defs>\n",
			    s0, s1, s2);
			hpcp_put(t, "<rect x=\"%.1f\" y=\"%.1f\" width=\"14\" "
			       "height=\"%.1f\" fill=\"url(#heat-ramp)\" "
			       "stroke=\"#8c959f\" stroke-width=\"0.5\"/>\n",
			    lx, ly, lh - 60);
			hpcp_put(t, "<text x=\"%.1f\" y=\"%.1f\">max %s \u00b5s</text>\n",
			    lx + 20, ly + 10, b);
			hpcp_put(t, "<text x=\"%.1f\" y=\"%.1f\">min %s \u00b5s</text>\n",
			    lx + 20, ly + lh - 62, a);
		}
		hpcp_put(t, "<rect x=\"%.1f\" y=\"%.1f\" width=\"14\" height=\"14\" "
		       "fill=\"%s\"/><text x=\"%.1f\" y=\"%.1f\">n/a</text>\n",
		    lx, ly + lh - 44, HPCP_HEAT_NA, lx + 20, ly + lh - 33);
		if (nout)
			hpcp_put(t, "<rect class=\"outl\" x=\"%.1f\" y=\"%.1f\" "
			       "width=\"14\" height=\"14\"/><text x=\"%.1f\" "
			       "y=\"%.1f\">\u25b2 outlier</text>\n",
			    lx, ly + lh - 22, lx + 20, ly + lh - 11);
	}
	hpcp_put(t, "<text class=\"at\" x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">"
	       "peer host</text>\n", gx + n * cell / 2, (double)H - 6);
	hpcp_put(t, "<text class=\"at\" x=\"14\" y=\"%.1f\" text-anchor=\"middle\" "
	       "transform=\"rotate(-90 14 %.1f)\">host</text>\n",
	    gy + n * cell / 2, gy + n * cell / 2);
	hpcp_put(t, "</svg>\n<figcaption>");
	if (!cells) {
		const char *r = hpcp_str_at(nm, "reason");

		if (r)
			hpcp_html_esc(t, r);
		else if (n == 1)
			hpcp_put(t, "one host: no inter-node pairs");
		else
			hpcp_put(t, "no node pair was measured");
		hpcp_put(t, ". ");
	}
	hpcp_put(t, "p50 latency (\u00b5s) between node leaders, ");
	{
		double b;

		if (hpcp_num_of(hpcp_at(nm, "message_bytes"), &b))
			hpcp_put(t, "%.0f-byte messages, ", b);
	}
	hpcp_html_esc(t, hpcp_str_at(nm, "statistic") ? hpcp_str_at(nm, "statistic") :
	    "p50 of half the round trip");
	hpcp_put(t, "; %.0f pairs in %.0f rounds%s.", hpcp_num_at(nm, "pairs_count", 0),
	    hpcp_num_at(nm, "rounds_count", 0),
	    cJSON_IsTrue(hpcp_at(nm, "sampled")) ? ", sampled" : "");
	if (nout) {
		const cJSON *o;
		int k = 0;

		hpcp_put(t, " Outliers (outlined): ");
		cJSON_ArrayForEach(o, outliers) {
			const cJSON *d;
			int first = 1;

			if (!cJSON_IsString(o))
				continue;
			hpcp_put(t, "%s", k++ ? ", " : "");
			hpcp_html_esc(t, o->valuestring);
			/* which statistic flagged it: p50, p99 or both */
			cJSON_ArrayForEach(d, hpcp_at(nm, "outlier_details")) {
				const char *h = hpcp_str_at(d, "host");

				if (!h || strcmp(h, o->valuestring) != 0 ||
				    !hpcp_str_at(d, "statistic"))
					continue;
				hpcp_put(t, "%s", first ? " (by " : " and ");
				hpcp_html_esc(t, hpcp_str_at(d, "statistic"));
				first = 0;
			}
			if (!first)
				hpcp_put(t, ")");
		}
		hpcp_put(t, ".");
	}
	if (n > 1 && hpcp_str_at(nm, "outlier_rule")) {
		hpcp_put(t, " Outlier rule: ");
		hpcp_html_esc(t, hpcp_str_at(nm, "outlier_rule"));
		hpcp_put(t, ".");
	}
	if (label_every > 1)
		hpcp_put(t, " Every %d%s host is labelled.", label_every,
		    label_every == 2 ? "nd" : label_every == 3 ? "rd" : "th");
	hpcp_put(t, "</figcaption>\n</figure>\n");
}
