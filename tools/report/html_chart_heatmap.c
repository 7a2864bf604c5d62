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

/*
 * At most this many rows and columns are drawn: a matrix of more hosts is
 * drawn in blocks of consecutive hosts, each cell the highest p50 of its
 * block (the worst link stays visible), and the caption says so.  Without
 * the cap a document listing 3 000 hosts drew 9 million cells (763 MB).
 */
#define HEAT_MAX_SIDE 64

/* The blocks drawn: side x side cells of up to per hosts each. */
struct heat {
	int n, side, per;
	double *v;       /* side * side: the block's highest p50, in us; NAN */
	char *outl;      /* side: the block holds an outlier host */
	const char **name;  /* side: the block's first host */
};

static int heat_gather(struct heat *h, const cJSON *hosts, const cJSON *mat,
		       const cJSON *outliers, int *cells, double *vmin,
		       double *vmax, int *nout)
{
	const cJSON *row, *c, *host;
	int i, j, side;

	h->per = (h->n + HEAT_MAX_SIDE - 1) / HEAT_MAX_SIDE;
	side = h->side = (h->n + h->per - 1) / h->per;
	h->v = malloc(sizeof(*h->v) * (size_t)side * (size_t)side);
	h->outl = calloc((size_t)side, 1);
	h->name = calloc((size_t)side, sizeof(*h->name));
	if (!h->v || !h->outl || !h->name)
		return -ENOMEM;
	for (i = 0; i < side * side; i++)
		h->v[i] = NAN;
	/* Walked as lists: indexing a cJSON array is linear per item. */
	i = 0;
	cJSON_ArrayForEach(host, hosts) {
		const char *name = cJSON_IsString(host) ? host->valuestring : "?";

		if (i % h->per == 0)
			h->name[i / h->per] = name;
		if (is_outlier(outliers, name)) {
			h->outl[i / h->per] = 1;
			(*nout)++;
		}
		i++;
	}
	i = 0;
	cJSON_ArrayForEach(row, mat) {
		if (i >= h->n)
			break;
		j = 0;
		cJSON_ArrayForEach(c, row) {
			double v, *cell;

			if (j >= h->n)
				break;
			if (hpcp_num_of(c, &v)) {
				(*cells)++;
				v /= 1e3;
				*vmin = fmin(*vmin, v);
				*vmax = fmax(*vmax, v);
				cell = &h->v[(i / h->per) * side + j / h->per];
				if (isnan(*cell) || v > *cell)
					*cell = v;
			}
			j++;
		}
		i++;
	}
	return 0;
}

static void heat_free(struct heat *h)
{
	free(h->v);
	free(h->outl);
	free(h->name);
}

void hpcp_html_chart_heatmap(struct hpcp_text *t, const cJSON *root)
{
	const cJSON *nm = hpcp_at(hpcp_phase_at(root, "pingpong"), "node_matrix");
	const cJSON *hosts = hpcp_at(nm, "hosts"), *mat = hpcp_at(nm, "p50_latency_ns");
	const cJSON *outliers = hpcp_at(nm, "outliers");
	int n = cJSON_GetArraySize(hosts), cells = 0, label_every = 1;
	double vmin = INFINITY, vmax = -INFINITY, cell, gx, gy;
	int W, H, labels_w = 130, legend_w = 150, nout = 0;
	struct heat hm = { 0 };

	hpcp_html_fig_open(t, "chart-heatmap", "Inter-node latency heat map");
	if (!hpcp_phase_ok(root, "pingpong") || !cJSON_IsArray(hosts) || n < 1) {
		hpcp_html_figure_without_data(t, root, "pingpong",
				    "the ping-pong phase has no node matrix",
				    "p50 latency between node pairs.");
		return;
	}
	hm.n = n;
	if (heat_gather(&hm, hosts, cJSON_IsArray(mat) ? mat : NULL, outliers,
			&cells, &vmin, &vmax, &nout) != 0) {
		heat_free(&hm);
		t->oom = 1;
		return;
	}
	/* From here on, n counts the rows drawn (blocks of hm.per hosts). */
	n = hm.side;
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
		for (int j = 0; j < n; j++) {
			double v = hm.v[i * n + j], x = gx + j * cell,
			       y = gy + i * cell;
			char col[16];
			int has = !isnan(v);
			double u = 0;

			if (has) {
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
		const char *name = hm.name[i] ? hm.name[i] : "?";
		int out = hm.outl[i];
		double cy = gy + i * cell + cell / 2, cx = gx + i * cell + cell / 2;
		int more = (i + 1) * hm.per > hm.n ? hm.n - i * hm.per - 1 :
						     hm.per - 1;

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
		if (more > 0)
			hpcp_put(t, " +%d", more);
		hpcp_put(t, "</text>\n<text class=\"%s\" x=\"%.1f\" y=\"%.1f\" "
		       "text-anchor=\"end\" transform=\"rotate(%d %.1f %.1f)\">",
		    out ? "hl out" : "hl", cx + 4, gy + n * cell + 10,
		    cell < 40 ? -90 : -40, cx + 4, gy + n * cell + 10);
		if (out)
			hpcp_put(t, "\u25b2 ");
		hpcp_html_esc_host(t, name, 14);
		if (more > 0)
			hpcp_put(t, " +%d", more);
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
	if (hm.per > 1)
		hpcp_put(t, " %d hosts, drawn as %d x %d blocks of up to %d "
		       "consecutive hosts (the first named, +k the others): "
		       "each cell is the highest p50 of its block's pairs.",
		    hm.n, n, n, hm.per);
	if (label_every > 1)
		hpcp_put(t, " Every %d%s %s is labelled.", label_every,
		    label_every == 2 ? "nd" : label_every == 3 ? "rd" : "th",
		    hm.per > 1 ? "block" : "host");
	hpcp_put(t, "</figcaption>\n</figure>\n");
	heat_free(&hm);
}
