/*
 * Chart: all-reduce bus bandwidth against message size.
 */
#include "config.h"

#include "html.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void hpcp_html_chart_busbw(struct hpcp_text *t, const cJSON *root)
{
	const cJSON *ar = hpcp_phase_at(root, "allreduce"), *size;
	double xmin = INFINITY, xmax = -INFINITY, ymin = INFINITY,
	       ymax = -INFINITY, peak = -1, peak_x = 0;
	int npts = 0, zero = 0, pen = 0;
	struct hpcp_frame f;
	int W = 900, H;

	if (hpcp_phase_ok(root, "allreduce"))
		cJSON_ArrayForEach(size, hpcp_at(ar, "sizes")) {
			double x, y;

			if (!hpcp_num_of(hpcp_at(size, "bytes"), &x))
				continue;
			if (x <= 0) {
				zero = 1;
				continue;
			}
			if (!hpcp_num_of(hpcp_at(size, "busbw_bytes_per_s"), &y) || y <= 0)
				continue;
			y /= 1e9;
			npts++;
			xmin = fmin(xmin, x);
			xmax = fmax(xmax, x);
			ymin = fmin(ymin, y);
			ymax = fmax(ymax, y);
			if (y > peak) {
				peak = y;
				peak_x = x;
			}
		}
	hpcp_html_fig_open(t, "chart-busbw", "All-reduce bus bandwidth by message size");
	if (!npts) {
		hpcp_html_figure_without_data(t, root, "allreduce",
				    "allreduce reported no positive bus "
				    "bandwidth",
				    "All-reduce bus bandwidth vs message size.");
		return;
	}
	hpcp_html_log_frame(&f, xmin, xmax, ymin, ymax, W, 280);
	H = (int)(f.y + f.h + 50 + 30);
	hpcp_html_svg_open(t, W, H, "all-reduce bus bandwidth versus message size");
	hpcp_html_frame_box(t, &f);
	hpcp_html_axis_x_log2(t, &f, "message size (bytes, log\u2082 scale)");
	hpcp_html_axis_y_log10(t, &f, "bus bandwidth (GB/s, log scale)");
	hpcp_put(t, "<path class=\"ln\" stroke=\"%s\" d=\"", HPCP_SIG_BUSBW);
	cJSON_ArrayForEach(size, hpcp_at(ar, "sizes")) {
		double x, y;

		if (!hpcp_num_of(hpcp_at(size, "bytes"), &x) || x <= 0)
			continue;
		if (!hpcp_num_of(hpcp_at(size, "busbw_bytes_per_s"), &y) || y <= 0) {
			pen = 0;
			continue;
		}
		hpcp_put(t, "%s%.1f %.1f", pen ? " L" : "M", hpcp_html_fx(&f, x), hpcp_html_fy(&f, y / 1e9));
		pen = 1;
	}
	hpcp_put(t, "\"/>\n");
	cJSON_ArrayForEach(size, hpcp_at(ar, "sizes")) {
		double x, y;

		if (hpcp_num_of(hpcp_at(size, "bytes"), &x) && x > 0 &&
		    hpcp_num_of(hpcp_at(size, "busbw_bytes_per_s"), &y) && y > 0)
			hpcp_put(t, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"3\" fill=\"%s\"/>\n",
			    hpcp_html_fx(&f, x), hpcp_html_fy(&f, y / 1e9), HPCP_SIG_BUSBW);
	}
	hpcp_put(t, "<circle class=\"ring\" cx=\"%.1f\" cy=\"%.1f\" r=\"6.5\" "
	       "stroke=\"%s\"/>\n", hpcp_html_fx(&f, peak_x), hpcp_html_fy(&f, peak), HPCP_SIG_BUSBW);
	{
		double ly = f.y + f.h + 60, ranks;
		char v[48], b[48];

		hpcp_html_fmt_val(v, sizeof(v), peak);
		hpcp_html_fmt_bytes(b, sizeof(b), peak_x);
		hpcp_put(t, "<line class=\"lg\" x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" "
		       "y2=\"%.1f\" stroke=\"%s\"/><text x=\"%.1f\" y=\"%.1f\">"
		       "bus bandwidth, ", f.x, ly, f.x + 22, ly, HPCP_SIG_BUSBW,
		    f.x + 28, ly + 4);
		if (hpcp_num_of(hpcp_at(ar, "ranks"), &ranks))
			hpcp_put(t, "%.0f ranks", ranks);
		else
			hpcp_put(t, "all ranks");
		hpcp_put(t, "</text>\n<text class=\"note\" x=\"%.1f\" y=\"%.1f\">"
		       "\u25ef peak %s GB/s at %s</text>\n", f.x + 260, ly + 4,
		    v, b);
	}
	hpcp_put(t, "</svg>\n<figcaption>MPI_Allreduce bus bandwidth (");
	{
		const char *def = hpcp_str_at(ar, "busbw_definition");

		hpcp_html_esc(t, def ? def : "algbw x 2(n-1)/n");
	}
	hpcp_put(t, "; 1 GB/s = 10\u2079 bytes/s) against message size.");
	if (zero)
		hpcp_put(t, " Size 0 is omitted from the log axis.");
	hpcp_put(t, "</figcaption>\n</figure>\n");
}
