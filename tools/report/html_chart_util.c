/*
 * The utilisation charts: each sampled series over the run, one small
 * chart a series and one line a host, with the phases as shaded bands
 * named along the time axis.  From the document's top-level utilisation
 * object (src/sampler_report.c): series.t_s is each host's time since
 * its own sampler started, and phase_times the phases on that clock.
 */
#include "config.h"

#include "html.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#define UTIL_W 460
#define UTIL_PLOT_H 120
#define UTIL_MAX_HOSTS 16      /* lines drawn per chart */
#define UTIL_BAND "#e8ecf2"    /* phase bands, alternating with ... */
#define UTIL_BAND2 "#f3eee4"

/* Host i's line colour: the signature first. */
static const char *const palette[] = {
	HPCP_SIG_UTIL, "#e66101", "#1b7837", "#b2182b",
	"#2166ac", "#bf812d", "#4d4d4d", "#c2a5cf",
};

#define N_PALETTE (sizeof(palette) / sizeof(palette[0]))

/* The series drawn, in this order; ratio: 0..1 drawn as 0..100 %. */
static const struct {
	const char *key, *title;
	int ratio;
} series[] = {
	{ "cpu_busy", "CPU busy", 1 },
	{ "memory_used", "Memory used", 1 },
	{ "network_bytes_per_s", "Network (bytes/s)", 0 },
	{ "efa_bytes_per_s", "EFA (bytes/s)", 0 },
	{ "disk_bytes_per_s", "Disk (bytes/s)", 0 },
	{ "gpu_utilisation", "GPU utilisation", 1 },
	{ "gpu_memory_used", "GPU memory used", 1 },
};

#define N_SERIES (sizeof(series) / sizeof(series[0]))

/* Whether host h has a point with both a time and a value of key; the
 * largest time and value seen go to *tmax and *vmax. */
static int host_range(const cJSON *h, const char *key, double *tmax,
		      double *vmax)
{
	const cJSON *se = hpcp_at(h, "series");
	const cJSON *ts = hpcp_at(se, "t_s"), *vs = hpcp_at(se, key);
	int n = cJSON_GetArraySize(ts), any = 0;
	double t, v;

	if (!cJSON_IsArray(vs) || cJSON_GetArraySize(vs) < n)
		n = cJSON_IsArray(vs) ? cJSON_GetArraySize(vs) : 0;
	for (int i = 0; i < n; i++) {
		if (!hpcp_num_of(cJSON_GetArrayItem(ts, i), &t) ||
		    !hpcp_num_of(cJSON_GetArrayItem(vs, i), &v) ||
		    !isfinite(t) || !isfinite(v))
			continue;
		any = 1;
		*tmax = fmax(*tmax, t);
		*vmax = fmax(*vmax, v);
	}
	return any;
}

/* The phase bands: those of the first host that has them. */
static const cJSON *band_host(const cJSON *hosts)
{
	const cJSON *h;

	cJSON_ArrayForEach(h, hosts)
		if (cJSON_GetArraySize(hpcp_at(h, "phase_times")) > 0)
			return h;
	return NULL;
}

/* Whether a phase_times entry has a usable interval. */
static int band_of(const cJSON *b, double *s, double *e)
{
	return hpcp_num_of(hpcp_at(b, "start_s"), s) &&
	       hpcp_num_of(hpcp_at(b, "end_s"), e) && isfinite(*s) &&
	       isfinite(*e) && *e >= *s && *s >= 0;
}

/* 1.5 M style: decimal prefixes, as rates are quoted. */
static void fmt_rate(char *b, size_t n, double v)
{
	static const char *const pfx[] = { "", "k", "M", "G", "T" };
	int p = 0;

	while (p < 4 && fabs(v) >= 1000) {
		v /= 1000;
		p++;
	}
	hpcp_html_sfmt(b, n, "%.3g%s", v, pfx[p]);
}

static void axis_y(struct hpcp_text *t, const struct hpcp_frame *f,
		   double step, int ratio)
{
	for (int i = 0; i * step <= f->yhi + step / 2; i++) {
		double v = i * step, y = hpcp_html_fy(f, v);
		char b[32];

		if (ratio)
			hpcp_html_sfmt(b, sizeof(b), "%.0f %%", 100 * v);
		else
			fmt_rate(b, sizeof(b), v);
		hpcp_put(t, "<line class=\"gr\" x1=\"%.1f\" y1=\"%.1f\" "
			 "x2=\"%.1f\" y2=\"%.1f\"/>\n<text x=\"%.1f\" "
			 "y=\"%.1f\" text-anchor=\"end\">%s</text>\n", f->x, y,
			 f->x + f->w, y, f->x - 6, y + 4, b);
	}
}

static void axis_x(struct hpcp_text *t, const struct hpcp_frame *f)
{
	double step = hpcp_html_nice_step(f->xhi, 5), yb = f->y + f->h;

	for (int i = 0; i * step <= f->xhi + step / 1e6; i++) {
		double x = hpcp_html_fx(f, i * step);

		hpcp_put(t, "<line class=\"tk\" x1=\"%.1f\" y1=\"%.1f\" "
			 "x2=\"%.1f\" y2=\"%.1f\"/>\n<text x=\"%.1f\" "
			 "y=\"%.1f\" text-anchor=\"middle\">%.10g</text>\n", x,
			 yb, x, yb + 4, x, yb + 15, i * step);
	}
	hpcp_put(t, "<text class=\"at\" x=\"%.1f\" y=\"%.1f\" "
		 "text-anchor=\"middle\">s since the sampler started</text>\n",
		 f->x + f->w / 2, yb + 56);
}

/* Shaded bands, each named under the axis (two rows, so that short
 * neighbouring phases do not print over each other). */
static void bands(struct hpcp_text *t, const struct hpcp_frame *f,
		  const cJSON *bh)
{
	const cJSON *b;
	int i = 0;

	cJSON_ArrayForEach(b, hpcp_at(bh, "phase_times")) {
		double s, e, x0, x1;

		if (!b->string || !band_of(b, &s, &e))
			continue;
		x0 = hpcp_html_fx(f, fmin(s, f->xhi));
		x1 = hpcp_html_fx(f, fmin(e, f->xhi));
		hpcp_put(t, "<rect class=\"band\" data-phase=\"");
		hpcp_html_esc(t, b->string);
		hpcp_put(t, "\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" "
			 "height=\"%.1f\" fill=\"%s\"><title>", x0, f->y,
			 fmax(x1 - x0, 1), f->h, i % 2 ? UTIL_BAND2 : UTIL_BAND);
		hpcp_html_esc(t, b->string);
		hpcp_put(t, ": %.4f to %.4f s</title></rect>\n<text "
			 "class=\"hl\" x=\"%.1f\" y=\"%.1f\" "
			 "text-anchor=\"middle\">", s, e, (x0 + x1) / 2,
			 f->y + f->h + 28 + 11 * (i % 2));
		hpcp_html_esc_n(t, b->string, 16);
		hpcp_put(t, "</text>\n");
		i++;
	}
}

/* One host's line; a missing value breaks it. */
static void host_line(struct hpcp_text *t, const struct hpcp_frame *f,
		      const cJSON *h, const char *key, int ratio,
		      const char *colour)
{
	const cJSON *se = hpcp_at(h, "series");
	const cJSON *ts = hpcp_at(se, "t_s"), *vs = hpcp_at(se, key);
	int n = cJSON_GetArraySize(ts), pen = 0;
	double tv, v;

	if (cJSON_GetArraySize(vs) < n)
		n = cJSON_GetArraySize(vs);
	hpcp_put(t, "<path class=\"ln\" data-host=\"");
	hpcp_html_esc_n(t, hpcp_str_at(h, "host") ? hpcp_str_at(h, "host") :
		      "?", 64);
	hpcp_put(t, "\" stroke=\"%s\" d=\"", colour);
	for (int i = 0; i < n; i++) {
		if (!hpcp_num_of(cJSON_GetArrayItem(ts, i), &tv) ||
		    !hpcp_num_of(cJSON_GetArrayItem(vs, i), &v) ||
		    !isfinite(tv) || !isfinite(v)) {
			pen = 0;
			continue;
		}
		hpcp_put(t, "%c%.1f,%.1f ", pen ? 'L' : 'M',
			 hpcp_html_fx(f, tv),
			 hpcp_html_fy(f, ratio ? fmin(v, f->yhi) : v));
		pen = 1;
	}
	hpcp_put(t, "\"/>\n");
}

static void legend(struct hpcp_text *t, const cJSON *hosts)
{
	const cJSON *h;
	int i = 0;

	hpcp_put(t, "<p class=\"sub\">");
	cJSON_ArrayForEach(h, hosts) {
		if (i >= UTIL_MAX_HOSTS)
			break;
		hpcp_put(t, "%s<span style=\"color:%s\">\u25a0</span> ",
			 i ? " \u00b7 " : "", palette[i % N_PALETTE]);
		hpcp_html_esc_host(t, hpcp_str_at(h, "host") ?
				   hpcp_str_at(h, "host") : "?", 24);
		i++;
	}
	hpcp_put(t, "</p>\n");
}

static void one_chart(struct hpcp_text *t, const cJSON *hosts,
		      const cJSON *bh, size_t k, double tmax)
{
	struct hpcp_frame f = { 0 };
	const cJSON *h;
	double vmax = 0, ignore = 0, step;
	int i = 0;

	cJSON_ArrayForEach(h, hosts)
		if (i++ < UTIL_MAX_HOSTS)
			host_range(h, series[k].key, &ignore, &vmax);
	f.x = 62;
	f.y = 22;
	f.w = UTIL_W - f.x - 14;
	f.h = UTIL_PLOT_H;
	f.xhi = tmax;
	step = series[k].ratio ? 0.25 : hpcp_html_nice_step(vmax > 0 ? vmax :
							     1, 4);
	f.yhi = series[k].ratio ? 1 : ceil((vmax > 0 ? vmax : 1) / step) *
				      step;
	hpcp_html_svg_open(t, UTIL_W, (int)(f.y + f.h + 62),
			   series[k].title);
	hpcp_put(t, "<g data-series=\"%s\">\n<text class=\"at\" x=\"%.1f\" "
		 "y=\"14\">%s</text>\n", series[k].key, f.x,
		 series[k].title);
	if (bh)
		bands(t, &f, bh);
	axis_y(t, &f, step, series[k].ratio);
	axis_x(t, &f);
	hpcp_html_frame_box(t, &f);
	i = 0;
	cJSON_ArrayForEach(h, hosts) {
		if (i >= UTIL_MAX_HOSTS)
			break;
		ignore = 0;
		if (host_range(h, series[k].key, &ignore, &ignore))
			host_line(t, &f, h, series[k].key, series[k].ratio,
				  palette[i % N_PALETTE]);
		i++;
	}
	hpcp_put(t, "</g>\n</svg>\n");
}

static void caption(struct hpcp_text *t, const cJSON *u, const cJSON *bh,
		    int n_hosts)
{
	double v;

	hpcp_put(t, "<figcaption>Each host's samples over the run (means of "
		 "neighbouring readings, at most ");
	if (hpcp_num_of(hpcp_at(u, "points_max"), &v))
		hpcp_put(t, "%.0f", v);
	else
		hpcp_put(t, "a bounded number of");
	hpcp_put(t, " points a host), one line a host; time is since each "
		 "host's own sampler started.");
	if (bh) {
		hpcp_put(t, " Shaded: the phases, as ");
		hpcp_html_esc(t, hpcp_str_at(bh, "host") ?
			      hpcp_str_at(bh, "host") : "?");
		hpcp_put(t, " timed them.");
	} else {
		hpcp_put(t, " No phase bands: the document has no phase "
			 "times.");
	}
	if (n_hosts > UTIL_MAX_HOSTS)
		hpcp_put(t, " Not drawn: %d host%s after the first %d.",
			 n_hosts - UTIL_MAX_HOSTS,
			 n_hosts - UTIL_MAX_HOSTS == 1 ? "" : "s",
			 UTIL_MAX_HOSTS);
	hpcp_put(t, "</figcaption>\n</figure>\n");
}

/* Why there is nothing to draw; closes the figure. */
static void without_data(struct hpcp_text *t, const cJSON *u)
{
	const char *st = hpcp_str_at(u, "status");

	hpcp_html_no_data(t);
	if (!cJSON_IsObject(u)) {
		hpcp_put(t, "the document has no utilisation (the sampler "
			 "was not run)");
	} else if (st && strcmp(st, "ok") != 0) {
		hpcp_put(t, "utilisation ");
		hpcp_html_esc(t, st);
		if (hpcp_str_at(u, "reason")) {
			hpcp_put(t, ": ");
			hpcp_html_esc(t, hpcp_str_at(u, "reason"));
		}
	} else {
		hpcp_put(t, "no host has a sampled point");
	}
	hpcp_put(t, "</p>\n<figcaption>Utilisation of each host over the "
		 "run, with the phases as bands.</figcaption>\n</figure>\n");
}

void hpcp_html_chart_util(struct hpcp_text *t, const cJSON *root)
{
	const cJSON *u = hpcp_at(root, "utilisation");
	const cJSON *hosts = hpcp_at(u, "hosts"), *h, *bh, *b;
	double tmax = 0, vmax = 0, s, e;
	int drawn[N_SERIES] = { 0 }, any = 0;

	hpcp_html_fig_open(t, "chart-util",
			   "Utilisation over the run, per host");
	for (size_t k = 0; k < N_SERIES; k++) {
		int i = 0;

		cJSON_ArrayForEach(h, hosts)
			if (i++ < UTIL_MAX_HOSTS &&
			    host_range(h, series[k].key, &tmax, &vmax))
				drawn[k] = any = 1;
	}
	if (!any || !(tmax > 0) || strcmp(hpcp_str_at(u, "status") ?
					  hpcp_str_at(u, "status") : "",
					  "ok") != 0) {
		without_data(t, u);
		return;
	}
	bh = band_host(hosts);
	cJSON_ArrayForEach(b, hpcp_at(bh, "phase_times"))
		if (band_of(b, &s, &e))
			tmax = fmax(tmax, e);
	legend(t, hosts);
	hpcp_put(t, "<div style=\"display:flex;flex-wrap:wrap;gap:4px 12px\">"
		 "\n");
	for (size_t k = 0; k < N_SERIES; k++)
		if (drawn[k])
			one_chart(t, hosts, bh, k, tmax);
	hpcp_put(t, "</div>\n");
	caption(t, u, bh, cJSON_GetArraySize(hosts));
}
