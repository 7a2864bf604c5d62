/*
 * The drawing primitives of the charts: a frame (plot area and its
 * linear or logarithmic scales), axes with ticks and grid, figures and
 * their "no data" state.  Every chart draws through these.
 */
#include "config.h"

#include "html.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A log2 (bytes) by log10 frame covering the data, on even powers of two
 * and whole decades, plot_h tall in a figure width wide. */
void hpcp_html_log_frame(struct hpcp_frame *f, double xmin, double xmax, double ymin,
		      double ymax, double width, double plot_h)
{
	f->xlog = 2;
	f->ylog = 10;
	f->xlo = floor(log2(xmin));
	f->xlo -= fmod(f->xlo, 2) != 0 ? 1 : 0;
	f->xhi = ceil(log2(xmax));
	f->xhi += fmod(f->xhi, 2) != 0 ? 1 : 0;
	if (f->xhi <= f->xlo)
		f->xhi = f->xlo + 2;
	f->ylo = floor(log10(ymin));
	f->yhi = ceil(log10(ymax));
	if (f->yhi <= f->ylo)
		f->yhi = f->ylo + 1;
	f->x = 78;
	f->y = 14;
	f->w = width - f->x - 24;
	f->h = plot_h;
}

static double tr(double v, int lg)
{
	return lg == 2 ? log2(v) : lg == 10 ? log10(v) : v;
}

double hpcp_html_fx(const struct hpcp_frame *f, double v)
{
	return f->x + (tr(v, f->xlog) - f->xlo) / (f->xhi - f->xlo) * f->w;
}

double hpcp_html_fy(const struct hpcp_frame *f, double v)
{
	return f->y + f->h - (tr(v, f->ylog) - f->ylo) / (f->yhi - f->ylo) *
	       f->h;
}

void hpcp_html_fig_open(struct hpcp_text *t, const char *id, const char *title)
{
	hpcp_put(t, "<figure id=\"%s\">\n<h3>%s</h3>\n", id, title);
}

void hpcp_html_svg_open(struct hpcp_text *t, int w, int h, const char *label)
{
	hpcp_put(t, "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 %d %d\" "
	       "width=\"%d\" height=\"%d\" role=\"img\" aria-label=\"%s\">\n",
	    w, h, w, h, label);
}

void hpcp_html_no_data(struct hpcp_text *t)
{
	hpcp_put(t, "<p class=\"nodata\">no data: ");
}

/* A figure without data: why (the phase's state, or when_ok if the phase
 * ran), then the caption; closes the figure. */
void hpcp_html_figure_without_data(struct hpcp_text *t, const cJSON *root,
				const char *phase, const char *when_ok,
				const char *caption)
{
	hpcp_html_no_data(t);
	if (hpcp_phase_ok(root, phase))
		hpcp_put(t, "%s", when_ok);
	else
		hpcp_html_phase_state(t, root, phase);
	hpcp_put(t, "</p>\n<figcaption>%s</figcaption>\n</figure>\n", caption);
}

/* x axis of 2^e bytes, labelled at even exponents. */
void hpcp_html_axis_x_log2(struct hpcp_text *t, const struct hpcp_frame *f,
			const char *title)
{
	int lo = (int)f->xlo, hi = (int)f->xhi, step = 2;
	double yb = f->y + f->h;

	while ((hi - lo) / step > 11)
		step *= 2;
	for (int e = lo; e <= hi; e++) {
		double x = f->x + (e - f->xlo) / (f->xhi - f->xlo) * f->w;
		char b[32];

		if ((e - lo) % step) {
			hpcp_put(t, "<line class=\"tk\" x1=\"%.1f\" y1=\"%.1f\" "
			       "x2=\"%.1f\" y2=\"%.1f\"/>\n", x, yb, x, yb + 3);
			continue;
		}
		hpcp_html_fmt_pow2(b, sizeof(b), e);
		hpcp_put(t, "<line class=\"gr\" x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" "
		       "y2=\"%.1f\"/>\n", x, f->y, x, yb);
		hpcp_put(t, "<line class=\"tk\" x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" "
		       "y2=\"%.1f\"/>\n", x, yb, x, yb + 5);
		hpcp_put(t, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">%s"
		       "</text>\n", x, yb + 17, b);
	}
	hpcp_put(t, "<text class=\"at\" x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">"
	       "%s</text>\n", f->x + f->w / 2, yb + 36, title);
}

static void axis_y_title(struct hpcp_text *t, const struct hpcp_frame *f,
			 const char *title)
{
	double x = f->x - 52, y = f->y + f->h / 2;

	hpcp_put(t, "<text class=\"at\" x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\" "
	       "transform=\"rotate(-90 %.1f %.1f)\">%s</text>\n",
	    x, y, x, y, title);
}

/* y axis in decades, minor ticks at 2..9 (labelled 2 and 5 when short). */
void hpcp_html_axis_y_log10(struct hpcp_text *t, const struct hpcp_frame *f,
			 const char *title)
{
	int lo = (int)f->ylo, hi = (int)f->yhi;
	int few = hi - lo <= 2;

	for (int e = lo; e <= hi; e++) {
		for (int k = 1; k <= 9; k++) {
			double v = k * pow(10, e), y;
			char b[48];

			if (e == hi && k > 1)
				break;
			y = hpcp_html_fy(f, v);
			if (k > 1 && !(few && (k == 2 || k == 5))) {
				hpcp_put(t, "<line class=\"tk\" x1=\"%.1f\" y1=\"%.1f\" "
				       "x2=\"%.1f\" y2=\"%.1f\"/>\n",
				    f->x - 3, y, f->x, y);
				continue;
			}
			hpcp_put(t, "<line class=\"%s\" x1=\"%.1f\" y1=\"%.1f\" "
			       "x2=\"%.1f\" y2=\"%.1f\"/>\n", k > 1 ? "gm" : "gr",
			    f->x, y, f->x + f->w, y);
			hpcp_put(t, "<line class=\"tk\" x1=\"%.1f\" y1=\"%.1f\" "
			       "x2=\"%.1f\" y2=\"%.1f\"/>\n", f->x - 5, y, f->x, y);
			if (e >= 6 || e <= -4)
				hpcp_html_sfmt(b, sizeof(b), "%de%d", k, e);
			else
				hpcp_html_sfmt(b, sizeof(b), "%.*f", e < 0 ? -e : 0, v);
			hpcp_put(t, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"end\">%s"
			       "</text>\n", f->x - 8, y + 4, b);
		}
	}
	axis_y_title(t, f, title);
}

void hpcp_html_frame_box(struct hpcp_text *t, const struct hpcp_frame *f)
{
	hpcp_put(t, "<rect class=\"box\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" "
	       "height=\"%.1f\"/>\n", f->x, f->y, f->w, f->h);
}

/* A step of 1, 2 or 5 x 10^k giving about n intervals over [0, max]. */
double hpcp_html_nice_step(double max, int n)
{
	double raw = max / n, mag = pow(10, floor(log10(raw))), r = raw / mag;

	return (r <= 1 ? 1 : r <= 2 ? 2 : r <= 5 ? 5 : 10) * mag;
}
