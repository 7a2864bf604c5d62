/*
 * Chart: point-to-point latency against message size (MPI ping-pong and
 * libfabric pairs), p50 solid and p99 dashed, on log-log axes.
 */
#include "config.h"

#include "html.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define LAT_MAX_SERIES ((int)(sizeof(LAT_PALETTE) / sizeof(LAT_PALETTE[0])))

static const char *const LAT_PALETTE[] = {
	HPCP_SIG_LATENCY, "#9467bd", "#8c564b", "#e377c2",
	"#17becf", "#bcbd22", "#393b79", "#637939",
};

struct lat_src {
	const char *phase;
	const char *what;     /* series label prefix */
	const cJSON *pairs;
};

static int lat_point(const cJSON *size, double *x, double *p50, double *p99)
{
	const cJSON *lat = hpcp_at(size, "latency_ns");

	if (!hpcp_num_of(hpcp_at(size, "bytes"), x) || *x <= 0)
		return 0;
	*p50 = hpcp_num_at(lat, "p50", NAN) / 1e3;
	*p99 = hpcp_num_at(lat, "p99", NAN) / 1e3;
	return 1;
}

/* A polyline through the positive finite points; gaps break it. */
static void lat_path(struct hpcp_text *t, const struct hpcp_frame *f, const cJSON *pair,
		     int p99, const char *colour)
{
	const cJSON *size;
	int pen = 0, any = 0;

	cJSON_ArrayForEach(size, hpcp_at(pair, "sizes")) {
		double x, a, b, y;

		if (!lat_point(size, &x, &a, &b)) {
			continue;
		}
		y = p99 ? b : a;
		if (!isfinite(y) || y <= 0) {
			pen = 0;
			continue;
		}
		if (!any)
			hpcp_put(t, "<path class=\"%s\" stroke=\"%s\" d=\"",
			    p99 ? "ln dash" : "ln", colour);
		any = 1;
		hpcp_put(t, "%s%.1f %.1f", pen ? " L" : "M", hpcp_html_fx(f, x), hpcp_html_fy(f, y));
		pen = 1;
	}
	if (any)
		hpcp_put(t, "\"/>\n");
	if (p99)
		return;
	cJSON_ArrayForEach(size, hpcp_at(pair, "sizes")) {
		double x, a, b;

		if (lat_point(size, &x, &a, &b) && isfinite(a) && a > 0)
			hpcp_put(t, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"2.6\" "
			       "fill=\"%s\"/>\n", hpcp_html_fx(f, x), hpcp_html_fy(f, a), colour);
	}
}

void hpcp_html_chart_latency(struct hpcp_text *t, const cJSON *root)
{
	struct lat_src src[2] = {
		{ "pingpong", "MPI", NULL },
		{ "fabric", "libfabric", NULL },
	};
	const char *prov = hpcp_str_at(hpcp_at(hpcp_phase_at(root, "fabric"), "provider"),
				  "name");
	double xmin = INFINITY, xmax = -INFINITY, ymin = INFINITY,
	       ymax = -INFINITY;
	int nser = 0, total = 0, zero = 0, npts = 0;
	const cJSON *pair, *size;
	struct hpcp_frame f;
	int W = 900, legend_rows, H;

	if (prov)
		src[1].what = prov;
	for (int s = 0; s < 2; s++) {
		if (!hpcp_phase_ok(root, src[s].phase))
			continue;
		src[s].pairs = hpcp_at(hpcp_phase_at(root, src[s].phase), "pairs");
		cJSON_ArrayForEach(pair, src[s].pairs) {
			if (total++ >= LAT_MAX_SERIES)
				continue;
			nser++;
			cJSON_ArrayForEach(size, hpcp_at(pair, "sizes")) {
				double x, a, b, bytes;

				if (hpcp_num_of(hpcp_at(size, "bytes"), &bytes) &&
				    bytes == 0)
					zero = 1;
				if (!lat_point(size, &x, &a, &b))
					continue;
				for (int k = 0; k < 2; k++) {
					double y = k ? b : a;

					if (!isfinite(y) || y <= 0)
						continue;
					npts++;
					xmin = fmin(xmin, x);
					xmax = fmax(xmax, x);
					ymin = fmin(ymin, y);
					ymax = fmax(ymax, y);
				}
			}
		}
	}
	hpcp_html_fig_open(t, "chart-latency", "Point-to-point latency by message size");
	if (!npts) {
		hpcp_html_no_data(t);
		hpcp_html_phase_state(t, root, "pingpong");
		hpcp_put(t, "; ");
		hpcp_html_phase_state(t, root, "fabric");
		hpcp_put(t, "</p>\n<figcaption>Latency vs message size."
		       "</figcaption>\n</figure>\n");
		return;
	}
	hpcp_html_log_frame(&f, xmin, xmax, ymin, ymax, W, 320);
	legend_rows = (nser + 1) / 2 + 1;
	H = (int)(f.y + f.h + 50 + legend_rows * 20 + 10);
	hpcp_html_svg_open(t, W, H, "latency versus message size");
	hpcp_html_frame_box(t, &f);
	hpcp_html_axis_x_log2(t, &f, "message size (bytes, log\u2082 scale)");
	hpcp_html_axis_y_log10(t, &f, "latency (\u00b5s, log scale)");
	/* p99 under p50, series in order */
	for (int pass = 1; pass >= 0; pass--) {
		int k = 0;

		for (int s = 0; s < 2; s++)
			cJSON_ArrayForEach(pair, src[s].pairs) {
				if (k >= LAT_MAX_SERIES)
					break;
				lat_path(t, &f, pair, pass, LAT_PALETTE[k++]);
			}
	}
	/* legend: one entry per pair, then the line-style key */
	{
		int k = 0;
		double ly = f.y + f.h + 56;

		for (int s = 0; s < 2; s++)
			cJSON_ArrayForEach(pair, src[s].pairs) {
				double lx = f.x + (k % 2) * (f.w / 2);
				double yy = ly + (k / 2) * 20;

				if (k >= LAT_MAX_SERIES)
					break;
				hpcp_put(t, "<line class=\"lg\" x1=\"%.1f\" y1=\"%.1f\" "
				       "x2=\"%.1f\" y2=\"%.1f\" stroke=\"%s\"/>\n",
				    lx, yy, lx + 22, yy, LAT_PALETTE[k]);
				hpcp_put(t, "<text x=\"%.1f\" y=\"%.1f\">", lx + 28,
				    yy + 4);
				hpcp_html_pair_label(t, src[s].what, pair, 16);
				hpcp_put(t, "</text>\n");
				k++;
			}
		ly += ((nser + 1) / 2) * 20;
		hpcp_put(t, "<line class=\"key\" x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" "
		       "y2=\"%.1f\"/><text x=\"%.1f\" y=\"%.1f\">p50 (median)"
		       "</text>\n", f.x, ly, f.x + 22, ly, f.x + 28, ly + 4);
		hpcp_put(t, "<line class=\"key dash\" x1=\"%.1f\" y1=\"%.1f\" "
		       "x2=\"%.1f\" y2=\"%.1f\"/><text x=\"%.1f\" y=\"%.1f\">"
		       "p99</text>\n", f.x + 140, ly, f.x + 162, ly, f.x + 168,
		    ly + 4);
	}
	hpcp_put(t, "</svg>\n<figcaption>One-way latency (");
	{
		const char *def = hpcp_str_at(hpcp_phase_at(root, "pingpong"),
					 "latency_definition");

		hpcp_html_esc(t, def ? def : "as defined by each phase");
	}
	hpcp_put(t, ") against message size; p50 solid with points, p99 dashed "
	       "(not drawn where too few samples, under 100, support it).");
	if (zero)
		hpcp_put(t, " The 0-byte size cannot sit on a log axis and is omitted "
		       "here (see the tables).");
	if (total > LAT_MAX_SERIES)
		hpcp_put(t, " The first %d of %d pairs are drawn.", LAT_MAX_SERIES,
		    total);
	for (int s = 0; s < 2; s++)
		if (!src[s].pairs) {
			hpcp_put(t, " Not drawn: ");
			hpcp_html_phase_state(t, root, src[s].phase);
			hpcp_put(t, ".");
		}
	hpcp_put(t, "</figcaption>\n</figure>\n");
}
