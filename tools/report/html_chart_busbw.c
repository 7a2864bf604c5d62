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

/* The series: MPI_Allreduce (the allreduce phase) and, when the fabric
 * phase ran one, the libfabric all-reduce on the same axes. */
struct busbw_series {
	const cJSON *src, *sizes;
	const char *colour, *dash, *label;
};

static int busbw_point(const cJSON *size, double *x, double *y)
{
	if (!hpcp_num_of(hpcp_at(size, "bytes"), x) || *x <= 0 ||
	    !hpcp_num_of(hpcp_at(size, "busbw_bytes_per_s"), y) || *y <= 0)
		return 0;
	*y /= 1e9;
	return 1;
}

static void busbw_line(struct hpcp_text *t, const struct hpcp_frame *f,
		       const struct busbw_series *s)
{
	const cJSON *size;
	int pen = 0;
	double x, y;

	hpcp_put(t, "<path class=\"ln\" stroke=\"%s\"%s d=\"", s->colour,
		 s->dash);
	cJSON_ArrayForEach(size, s->sizes) {
		if (!busbw_point(size, &x, &y)) {
			pen = 0;
			continue;
		}
		hpcp_put(t, "%s%.1f %.1f", pen ? " L" : "M",
			 hpcp_html_fx(f, x), hpcp_html_fy(f, y));
		pen = 1;
	}
	hpcp_put(t, "\"/>\n");
	cJSON_ArrayForEach(size, s->sizes)
		if (busbw_point(size, &x, &y))
			hpcp_put(t, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"3\" "
				    "fill=\"%s\"/>\n", hpcp_html_fx(f, x),
				 hpcp_html_fy(f, y), s->colour);
}

void hpcp_html_chart_busbw(struct hpcp_text *t, const cJSON *root)
{
	const cJSON *ar = hpcp_phase_at(root, "allreduce"), *size;
	const cJSON *far = hpcp_at(hpcp_phase_at(root, "fabric"), "allreduce");
	struct busbw_series ser[2];
	double xmin = INFINITY, xmax = -INFINITY, ymin = INFINITY,
	       ymax = -INFINITY, peak = -1, peak_x = 0;
	int npts = 0, zero = 0, n = 0;
	struct hpcp_frame f;
	int W = 900, H;

	if (hpcp_phase_ok(root, "allreduce"))
		ser[n++] = (struct busbw_series){ ar, hpcp_at(ar, "sizes"),
						  HPCP_SIG_BUSBW, "",
						  "MPI_Allreduce" };
	if (hpcp_phase_ok(root, "fabric") && far)
		ser[n++] = (struct busbw_series){
			far, hpcp_at(far, "sizes"), HPCP_SIG_BUSBW_FABRIC,
			" stroke-dasharray=\"6 3\"", "libfabric all-reduce"
		};
	for (int i = 0; i < n; i++)
		cJSON_ArrayForEach(size, ser[i].sizes) {
			double x, y;

			if (hpcp_num_of(hpcp_at(size, "bytes"), &x) && x <= 0)
				zero = 1;
			if (!busbw_point(size, &x, &y))
				continue;
			npts++;
			xmin = fmin(xmin, x);
			xmax = fmax(xmax, x);
			ymin = fmin(ymin, y);
			ymax = fmax(ymax, y);
			/* The peak marked is the first series' (MPI's when
			 * the allreduce phase ran). */
			if (i == 0 && y > peak) {
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
	H = (int)(f.y + f.h + 50 + 30 * n);
	hpcp_html_svg_open(t, W, H, "all-reduce bus bandwidth versus message size");
	hpcp_html_frame_box(t, &f);
	hpcp_html_axis_x_log2(t, &f, "message size (bytes, log\u2082 scale)");
	hpcp_html_axis_y_log10(t, &f, "bus bandwidth (GB/s, log scale)");
	for (int i = 0; i < n; i++)
		busbw_line(t, &f, &ser[i]);
	if (peak > 0)
		hpcp_put(t, "<circle class=\"ring\" cx=\"%.1f\" cy=\"%.1f\" "
			    "r=\"6.5\" stroke=\"%s\"/>\n",
			 hpcp_html_fx(&f, peak_x), hpcp_html_fy(&f, peak),
			 ser[0].colour);
	for (int i = 0; i < n; i++) {
		double ly = f.y + f.h + 60 + 24 * i, ranks;

		hpcp_put(t, "<line class=\"lg\" x1=\"%.1f\" y1=\"%.1f\" "
			    "x2=\"%.1f\" y2=\"%.1f\" stroke=\"%s\"%s/><text "
			    "x=\"%.1f\" y=\"%.1f\">%s bus bandwidth, ",
			 f.x, ly, f.x + 22, ly, ser[i].colour, ser[i].dash,
			 f.x + 28, ly + 4, ser[i].label);
		if (hpcp_num_of(hpcp_at(ser[i].src, "ranks"), &ranks))
			hpcp_put(t, "%.0f ranks", ranks);
		else
			hpcp_put(t, "all ranks");
		hpcp_put(t, "</text>\n");
		if (i == 0 && peak > 0) {
			char v[48], b[48];

			hpcp_html_fmt_val(v, sizeof(v), peak);
			hpcp_html_fmt_bytes(b, sizeof(b), peak_x);
			hpcp_put(t, "<text class=\"note\" x=\"%.1f\" "
				    "y=\"%.1f\">\u25ef peak %s GB/s at %s"
				    "</text>\n", f.x + 360, ly + 4, v, b);
		}
	}
	hpcp_put(t, "</svg>\n<figcaption>%s bus bandwidth (",
		 n == 2 ? "MPI_Allreduce (solid) and the libfabric all-reduce "
			  "(dashed)" : ser[0].label);
	{
		const char *def = hpcp_str_at(ar, "busbw_definition");

		hpcp_html_esc(t, def ? def : "algbw x 2(n-1)/n");
	}
	hpcp_put(t, "; 1 GB/s = 10\u2079 bytes/s) against message size.");
	if (zero)
		hpcp_put(t, " Size 0 is omitted from the log axis.");
	hpcp_put(t, "</figcaption>\n</figure>\n");
}
