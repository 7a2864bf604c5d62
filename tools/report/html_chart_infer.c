/*
 * Charts of the infer phase: latency percentiles against offered load
 * (the server search's points, the p99 target as a line), offline
 * throughput against batch size, rank 0's resident set over time and,
 * for --infer-remote, the mean transport against offered load.
 * Drawn when the phase is in the document; a phase that is not ok, or
 * without numbers, gets each figure's one-line reason instead.
 */
#include "config.h"

#include "html.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define INFER_P50 "#e6ab02"     /* p50 line; p99 and p99.9 use the signature */
#define INFER_GREY "#57606a"    /* the p99 target and the idle RSS, dashed */
#define INFER_W 900

/* A series: its key in the document and data-series, its legend. */
struct series {
	const char *key, *label, *colour;
	int dashed;
};

/* The percentiles drawn, in the order of the legend. */
static const struct series pcts[] = {
	{ "p50", "p50", INFER_P50, 0 },
	{ "p99", "p99", HPCP_SIG_INFER_LATENCY, 0 },
	{ "p99_9", "p99.9", HPCP_SIG_INFER_LATENCY, 1 },
};

#define N_PCTS (sizeof(pcts) / sizeof(pcts[0]))

static const struct series rss = { "rss", "resident set",
				   HPCP_SIG_INFER_MEMORY, 0 };

/* --infer-remote's transport chart: the mean transport, and the mean
 * latency it is part of. */
static const struct series trans[] = {
	{ "transport", "transport", HPCP_SIG_INFER_TRANSPORT, 0 },
	{ "latency", "latency", INFER_GREY, 1 },
};

/* A point of a chart: its x and the document object it came from. */
struct at {
	double x;
	const cJSON *o;
};

static int at_cmp(const void *a, const void *b)
{
	double x = ((const struct at *)a)->x, y = ((const struct at *)b)->x;

	return (x > y) - (x < y);
}

/* Ticks, grid and labels of a linear axis from lo to hi, every step. */
static void axis_lin(struct hpcp_text *t, const struct hpcp_frame *f,
		     double step, int is_x, const char *title)
{
	double lo = is_x ? f->xlo : f->ylo, hi = is_x ? f->xhi : f->yhi;
	double yb = f->y + f->h;

	for (long i = (long)ceil(lo / step - 1e-9); i * step <= hi + step / 2;
	     i++) {
		double v = i * step;
		char b[48];

		hpcp_html_sfmt(b, sizeof(b), "%.6g", v);
		if (is_x) {
			double x = hpcp_html_fx(f, v);

			hpcp_put(t, "<line class=\"gr\" x1=\"%.1f\" y1=\"%.1f\" "
				 "x2=\"%.1f\" y2=\"%.1f\"/>\n<text x=\"%.1f\" "
				 "y=\"%.1f\" text-anchor=\"middle\">%s</text>\n",
				 x, f->y, x, yb, x, yb + 17, b);
		} else {
			double y = hpcp_html_fy(f, v);

			hpcp_put(t, "<line class=\"gr\" x1=\"%.1f\" y1=\"%.1f\" "
				 "x2=\"%.1f\" y2=\"%.1f\"/>\n<text x=\"%.1f\" "
				 "y=\"%.1f\" text-anchor=\"end\">%s</text>\n",
				 f->x, y, f->x + f->w, y, f->x - 8, y + 4, b);
		}
	}
	if (is_x) {
		hpcp_put(t, "<text class=\"at\" x=\"%.1f\" y=\"%.1f\" "
			 "text-anchor=\"middle\">%s</text>\n",
			 f->x + f->w / 2, yb + 36, title);
	} else {
		double x = f->x - 56, y = f->y + f->h / 2;

		hpcp_put(t, "<text class=\"at\" x=\"%.1f\" y=\"%.1f\" "
			 "text-anchor=\"middle\" transform=\"rotate(-90 %.1f "
			 "%.1f)\">%s</text>\n", x, y, x, y, title);
	}
}

static void frame_at(struct hpcp_frame *f, double plot_h)
{
	f->x = 84;
	f->y = 30;
	f->w = INFER_W - f->x - 30;
	f->h = plot_h;
}

/* [0, max] on whole steps of about n intervals; *step the step. */
static double up_to(double max, int n, double *step)
{
	*step = hpcp_html_nice_step(max > 0 ? max : 1, n);
	return ceil((max > 0 ? max : 1) / *step) * *step;
}

/* The legend of n series above the frame, one key every 110 px. */
static void legend(struct hpcp_text *t, const struct hpcp_frame *f,
		   const struct series *s, size_t n)
{
	for (size_t k = 0; k < n; k++) {
		double x = f->x + 110.0 * k;

		hpcp_put(t, "<g data-key=\"%s\"><line class=\"lg%s\" "
			 "x1=\"%.1f\" y1=\"12\" x2=\"%.1f\" y2=\"12\" "
			 "stroke=\"%s\"/><text x=\"%.1f\" y=\"16\">%s</text>"
			 "</g>\n", s[k].key, s[k].dashed ? " dash" : "", x,
			 x + 22, s[k].colour, x + 28, s[k].label);
	}
}

/* A dashed grey reference line across the frame at y = v, labelled. */
static void ref_line(struct hpcp_text *t, const struct hpcp_frame *f,
		     double v, const char *series, const char *label)
{
	double y = hpcp_html_fy(f, v);

	hpcp_put(t, "<line class=\"dash\" data-series=\"%s\" x1=\"%.1f\" "
		 "y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"%s\"/>\n"
		 "<text class=\"note\" x=\"%.1f\" y=\"%.1f\" "
		 "text-anchor=\"end\">%s</text>\n", series, f->x, y,
		 f->x + f->w, y, INFER_GREY, f->x + f->w - 4, y - 5, label);
}

/* --- latency against offered load ------------------------------------ */

/* Percentile k of point p in ms, when it is a positive number. */
static int pct_ms(const cJSON *p, const char *k, double *ms)
{
	double v;

	if (!hpcp_num_of(hpcp_at(hpcp_at(p, "latency_ns"), k), &v) || v <= 0)
		return 0;
	*ms = v / 1e6;
	return 1;
}

/* Whether point p has a percentile to draw. */
static int has_pct(const cJSON *p)
{
	double ms;
	int any = 0;

	for (size_t k = 0; k < N_PCTS; k++)
		any |= pct_ms(p, pcts[k].key, &ms);
	return any;
}

/* The points with an offered load and what has() asks, by offered load;
 * *n their count (-1 when out of memory). */
static struct at *load_points(const cJSON *pts, int (*has)(const cJSON *),
			      int *n)
{
	struct at *a = calloc((size_t)cJSON_GetArraySize(pts) + 1, sizeof(*a));
	const cJSON *p;
	double x;

	*n = a ? 0 : -1;
	if (!a)
		return NULL;
	cJSON_ArrayForEach(p, pts) {
		if (!hpcp_num_of(hpcp_at(p, "offered_per_s"), &x) || x < 0 ||
		    !has(p))
			continue;
		a[*n].x = x;
		a[(*n)++].o = p;
	}
	qsort(a, (size_t)*n, sizeof(*a), at_cmp);
	return a;
}

/* A load chart's figure opened and its points (free them), or NULL when
 * there is nothing to draw: the figure is then closed with why. */
static struct at *load_figure(struct hpcp_text *t, const cJSON *root,
			      const char *id, const char *title,
			      int (*has)(const cJSON *), const char *why,
			      const char *what, int *n)
{
	struct at *a;

	hpcp_html_fig_open(t, id, title);
	a = load_points(hpcp_at(hpcp_phase_at(root, "infer"), "points"), has,
			n);
	if (*n < 0) {
		t->oom = 1;
		hpcp_put(t, "</figure>\n");
		return NULL;
	}
	if (!*n || !hpcp_phase_ok(root, "infer")) {
		free(a);
		hpcp_html_figure_without_data(t, root, "infer", why, what);
		return NULL;
	}
	return a;
}

/* A log-scale y frame over [lo, hi] ms and offered loads up to xmax. */
static void load_frame(struct hpcp_frame *f, double lo, double hi,
		       double xmax, double *step)
{
	frame_at(f, 280);
	f->ylog = 10;
	f->ylo = floor(log10(lo));
	f->yhi = ceil(log10(hi));
	if (f->yhi <= f->ylo)
		f->yhi = f->ylo + 1;
	f->xhi = up_to(xmax, 6, step);
}

static void latency_point(struct hpcp_text *t, const struct hpcp_frame *f,
			  const struct at *a, int i)
{
	const cJSON *lat = hpcp_at(a->o, "latency_ns");
	double ms;

	hpcp_put(t, "<g data-point=\"%d\"><title>offered ", i);
	hpcp_html_put_val(t, a->x);
	hpcp_put(t, " req/s:");
	for (size_t k = 0; k < N_PCTS; k++) {
		hpcp_put(t, "%s %s ", k ? "," : "", pcts[k].label);
		if (pct_ms(a->o, pcts[k].key, &ms)) {
			hpcp_html_put_val(t, ms);
			hpcp_put(t, " ms");
		} else {
			hpcp_put(t, "n/a");
		}
	}
	if (hpcp_str_at(lat, "percentiles_reason")) {
		hpcp_put(t, " (");
		hpcp_html_esc(t, hpcp_str_at(lat, "percentiles_reason"));
		hpcp_put(t, ")");
	}
	if (cJSON_IsTrue(hpcp_at(a->o, "saturated")))
		hpcp_put(t, "; saturated");
	hpcp_put(t, "</title>");
	for (size_t k = 0; k < N_PCTS; k++)
		if (pct_ms(a->o, pcts[k].key, &ms))
			hpcp_put(t, "<circle data-pct=\"%s\" cx=\"%.1f\" "
				 "cy=\"%.1f\" r=\"3.5\" fill=\"%s\"/>",
				 pcts[k].key, hpcp_html_fx(f, a->x),
				 hpcp_html_fy(f, ms), pcts[k].colour);
	hpcp_put(t, "</g>\n");
}

static void latency_lines(struct hpcp_text *t, const struct hpcp_frame *f,
			  const struct at *a, int n)
{
	double ms;

	for (size_t k = 0; k < N_PCTS; k++) {
		hpcp_put(t, "<polyline class=\"ln%s\" data-series=\"%s\" "
			 "stroke=\"%s\" points=\"", pcts[k].dashed ? " dash" : "",
			 pcts[k].key, pcts[k].colour);
		for (int i = 0; i < n; i++)
			if (pct_ms(a[i].o, pcts[k].key, &ms))
				hpcp_put(t, "%.1f,%.1f ", hpcp_html_fx(f, a[i].x),
					 hpcp_html_fy(f, ms));
		hpcp_put(t, "\"/>\n");
	}
}

static void latency_caption(struct hpcp_text *t, const cJSON *ph, int more,
			    int no999)
{
	double v;

	hpcp_put(t, "<figcaption>Each point is one load of the server search, "
		 "all ranks' latencies merged: p50, p99 and p99.9 (dashed) "
		 "on a log scale");
	if (hpcp_str_at(ph, "latency_definition")) {
		hpcp_put(t, ", latency ");
		hpcp_html_esc(t, hpcp_str_at(ph, "latency_definition"));
	}
	hpcp_put(t, ".");
	if (hpcp_num_of(hpcp_at(ph, "target_p99_ns"), &v) && v > 0) {
		hpcp_put(t, " The dashed grey line is the p99 target, ");
		hpcp_html_put_val(t, v / 1e6);
		hpcp_put(t, " ms.");
	}
	if (no999)
		hpcp_put(t, " p99.9 n/a at %d point%s (too few samples).",
			 no999, no999 == 1 ? "" : "s");
	if (more)
		hpcp_put(t, " Not drawn: %d point%s without an offered load or "
			 "a latency.", more, more == 1 ? "" : "s");
	hpcp_put(t, "</figcaption>\n</figure>\n");
}

static void chart_latency(struct hpcp_text *t, const cJSON *root)
{
	const cJSON *ph = hpcp_phase_at(root, "infer");
	const cJSON *pts = hpcp_at(ph, "points");
	double lo = INFINITY, hi = 0, xmax = 0, step, ms, target = 0;
	struct hpcp_frame f = { 0 };
	struct at *a;
	int n, no999 = 0;

	a = load_figure(t, root, "chart-infer-latency",
			"Inference: latency against offered load", has_pct,
			"no load point has a latency",
			"Latency percentiles against offered load.", &n);
	if (!a)
		return;
	hpcp_num_of(hpcp_at(ph, "target_p99_ns"), &target);
	target = target > 0 ? target / 1e6 : 0;
	for (int i = 0; i < n; i++) {
		xmax = fmax(xmax, a[i].x);
		no999 += !pct_ms(a[i].o, "p99_9", &ms);
		for (size_t k = 0; k < N_PCTS; k++)
			if (pct_ms(a[i].o, pcts[k].key, &ms)) {
				lo = fmin(lo, ms);
				hi = fmax(hi, ms);
			}
	}
	if (target > 0) {
		lo = fmin(lo, target);
		hi = fmax(hi, target);
	}
	load_frame(&f, lo, hi, xmax, &step);
	hpcp_html_svg_open(t, INFER_W, (int)(f.y + f.h + 52),
			   "inference latency percentiles against offered load");
	legend(t, &f, pcts, N_PCTS);
	hpcp_html_axis_y_log10(t, &f, "latency (ms)");
	axis_lin(t, &f, step, 1, "offered load (requests/s, all ranks)");
	hpcp_html_frame_box(t, &f);
	if (target > 0) {
		char b[64], v[48];

		hpcp_html_fmt_val(v, sizeof(v), target);
		hpcp_html_sfmt(b, sizeof(b), "p99 target %s ms", v);
		ref_line(t, &f, target, "target", b);
	}
	latency_lines(t, &f, a, n);
	for (int i = 0; i < n; i++)
		latency_point(t, &f, &a[i], i);
	hpcp_put(t, "</svg>\n");
	latency_caption(t, ph, cJSON_GetArraySize(pts) - n, no999);
	free(a);
}

/* --- throughput against batch size ------------------------------------ */

/* Whether offline entry o has a batch size and a rate; them. */
static int batch_of(const cJSON *o, double *b, double *r)
{
	return hpcp_num_of(hpcp_at(o, "batch_size"), b) && *b >= 1 &&
	       hpcp_num_of(hpcp_at(o, "rate_per_s"), r) && *r >= 0;
}

static void batch_bar(struct hpcp_text *t, const struct hpcp_frame *f,
		      double b, double r, double x, double w)
{
	double y = hpcp_html_fy(f, r), yb = f->y + f->h;

	hpcp_put(t, "<g data-batch=\"%.0f\"><title>batch %.0f: ", b, b);
	hpcp_html_put_val(t, r);
	hpcp_put(t, " req/s</title><rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" "
		 "height=\"%.1f\" fill=\"%s\"/><text class=\"cv\" x=\"%.1f\" "
		 "y=\"%.1f\">", x, y, w, yb - y, HPCP_SIG_INFER_BATCH,
		 x + w / 2, y - 4);
	hpcp_html_put_val(t, r);
	hpcp_put(t, "</text><text x=\"%.1f\" y=\"%.1f\" "
		 "text-anchor=\"middle\">%.0f</text></g>\n", x + w / 2, yb + 17,
		 b);
}

static void chart_batch(struct hpcp_text *t, const cJSON *root)
{
	const cJSON *ph = hpcp_phase_at(root, "infer"), *o;
	const cJSON *off = hpcp_at(ph, "offline");
	struct hpcp_frame f = { 0 };
	double b, r, max = 0, step, slot;
	int n = 0, i = 0, more;

	hpcp_html_fig_open(t, "chart-infer-batch",
			   "Inference: offline throughput against batch size");
	cJSON_ArrayForEach(o, off)
		if (batch_of(o, &b, &r)) {
			n++;
			max = fmax(max, r);
		}
	if (!n || !hpcp_phase_ok(root, "infer")) {
		hpcp_html_figure_without_data(t, root, "infer",
			"no batch size has a rate",
			"Offline throughput against batch size.");
		return;
	}
	more = cJSON_GetArraySize(off) - n;
	frame_at(&f, 240);
	f.yhi = up_to(max, 5, &step);
	f.xhi = 1;
	slot = f.w / n;
	hpcp_html_svg_open(t, INFER_W, (int)(f.y + f.h + 52),
			   "offline inference throughput per batch size");
	axis_lin(t, &f, step, 0, "requests/s (all ranks)");
	cJSON_ArrayForEach(o, off)
		if (batch_of(o, &b, &r))
			batch_bar(t, &f, b, r, f.x + slot * i++ + slot * 0.15,
				  slot * 0.7);
	hpcp_put(t, "<line class=\"axis\" x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" "
		 "y2=\"%.1f\"/>\n<text class=\"at\" x=\"%.1f\" y=\"%.1f\" "
		 "text-anchor=\"middle\">batch size</text>\n</svg>\n",
		 f.x, f.y + f.h, f.x + f.w, f.y + f.h, f.x + f.w / 2,
		 f.y + f.h + 36);
	hpcp_put(t, "<figcaption>Requests per second with every server's "
		 "queue always full, summed over ranks, at each batch size of "
		 "the offline sweep.");
	if (hpcp_num_of(hpcp_at(hpcp_at(ph, "best"), "batch_size"), &b))
		hpcp_put(t, " The server search chose batch size %.0f.", b);
	if (more)
		hpcp_put(t, " Not drawn: %d batch size%s without a rate.", more,
			 more == 1 ? "" : "s");
	hpcp_put(t, "</figcaption>\n</figure>\n");
}

/* --- memory over time --------------------------------------------------- */

static int sample_of(const cJSON *s, double *ts, double *mib)
{
	double v;

	if (!hpcp_num_of(hpcp_at(s, "t_s"), ts) ||
	    !hpcp_num_of(hpcp_at(s, "rss_bytes"), &v) || v < 0)
		return 0;
	*mib = v / (1024.0 * 1024.0);
	return 1;
}

static void chart_memory(struct hpcp_text *t, const cJSON *root)
{
	const cJSON *ph = hpcp_phase_at(root, "infer"), *s;
	const cJSON *mem = hpcp_at(ph, "memory"), *tl = hpcp_at(mem, "timeline");
	struct hpcp_frame f = { 0 };
	double ts, mib, lo = INFINITY, hi = 0, tmax = 0, idle = -1, ystep, xstep;
	double peak;
	int n = 0, more;

	hpcp_html_fig_open(t, "chart-infer-memory",
			   "Inference: resident memory over time");
	cJSON_ArrayForEach(s, tl)
		if (sample_of(s, &ts, &mib)) {
			n++;
			lo = fmin(lo, mib);
			hi = fmax(hi, mib);
			tmax = fmax(tmax, ts);
		}
	if (!n || !hpcp_phase_ok(root, "infer")) {
		hpcp_html_figure_without_data(t, root, "infer",
			"no memory sample", "Resident memory over time.");
		return;
	}
	more = cJSON_GetArraySize(tl) - n;
	peak = hi;
	if (hpcp_num_of(hpcp_at(mem, "idle_rss_bytes"), &idle) && idle > 0) {
		idle /= 1024.0 * 1024.0;
		lo = fmin(lo, idle);
		hi = fmax(hi, idle);
	}
	/* The range of the samples, not from 0: the growth is the story. */
	ystep = hpcp_html_nice_step(hi - lo > 0 ? hi - lo : fmax(hi, 1), 5);
	frame_at(&f, 220);
	f.ylo = floor(lo / ystep) * ystep;
	f.yhi = ceil(hi / ystep) * ystep;
	if (f.yhi <= f.ylo)
		f.yhi = f.ylo + ystep;
	f.xhi = up_to(tmax, 8, &xstep);
	hpcp_html_svg_open(t, INFER_W, (int)(f.y + f.h + 52),
			   "rank 0 resident memory over time");
	legend(t, &f, &rss, 1);
	axis_lin(t, &f, ystep, 0, "RSS (MiB)");
	axis_lin(t, &f, xstep, 1, "time in the phase (s)");
	hpcp_html_frame_box(t, &f);
	if (idle > 0)
		ref_line(t, &f, idle, "idle", "idle");
	hpcp_put(t, "<polyline class=\"ln\" data-series=\"rss\" "
		 "data-samples=\"%d\" stroke=\"%s\" points=\"", n,
		 HPCP_SIG_INFER_MEMORY);
	cJSON_ArrayForEach(s, tl)
		if (sample_of(s, &ts, &mib))
			hpcp_put(t, "%.1f,%.1f ", hpcp_html_fx(&f, ts),
				 hpcp_html_fy(&f, mib));
	hpcp_put(t, "\"/>\n</svg>\n<figcaption>");
	if (hpcp_str_at(mem, "definition")) {
		char *d = strdup(hpcp_str_at(mem, "definition"));

		if (d && d[0] >= 'a' && d[0] <= 'z')
			d[0] = (char)(d[0] - 'a' + 'A');
		hpcp_html_esc(t, d ? d : "");
		free(d);
		hpcp_put(t, ". ");
	}
	hpcp_put(t, "Peak ");
	hpcp_html_put_val(t, peak);
	hpcp_put(t, " MiB");
	if (idle > 0) {
		hpcp_put(t, ", idle (dashed grey) ");
		hpcp_html_put_val(t, idle);
		hpcp_put(t, " MiB");
	}
	hpcp_put(t, "; %d sample%s.", n, n == 1 ? "" : "s");
	if (more)
		hpcp_put(t, " Not drawn: %d sample%s without a time or a size.",
			 more, more == 1 ? "" : "s");
	hpcp_put(t, "</figcaption>\n</figure>\n");
}

/* --- transport against offered load (--infer-remote) ------------------ */

/* Point p's transport (k 0) or latency (k 1) mean in ms, when positive. */
static int trans_ms(const cJSON *p, size_t k, double *ms)
{
	double v;

	if (!hpcp_num_of(hpcp_at(hpcp_at(p, "transport"),
				 k ? "latency_mean_ns" : "mean_ns"), &v) ||
	    v <= 0)
		return 0;
	*ms = v / 1e6;
	return 1;
}

/* Whether point p has a transport to draw. */
static int has_transport(const cJSON *p)
{
	double ms;

	return trans_ms(p, 0, &ms);
}

static void trans_point(struct hpcp_text *t, const struct hpcp_frame *f,
			const struct at *a, int i)
{
	double ms, share;

	hpcp_put(t, "<g data-point=\"%d\"><title>offered ", i);
	hpcp_html_put_val(t, a->x);
	hpcp_put(t, " req/s: transport ");
	if (trans_ms(a->o, 0, &ms)) {
		hpcp_html_put_val(t, ms);
		hpcp_put(t, " ms");
	}
	if (trans_ms(a->o, 1, &ms)) {
		hpcp_put(t, " of a mean latency of ");
		hpcp_html_put_val(t, ms);
		hpcp_put(t, " ms");
	}
	if (hpcp_num_of(hpcp_at(hpcp_at(a->o, "transport"), "share_ratio"),
			&share)) {
		hpcp_put(t, " (");
		hpcp_html_put_val(t, 100 * share);
		hpcp_put(t, " %%)");
	}
	hpcp_put(t, "</title>");
	if (trans_ms(a->o, 0, &ms))
		hpcp_put(t, "<circle data-mean=\"transport\" cx=\"%.1f\" "
			 "cy=\"%.1f\" r=\"3.5\" fill=\"%s\"/>",
			 hpcp_html_fx(f, a->x), hpcp_html_fy(f, ms),
			 HPCP_SIG_INFER_TRANSPORT);
	hpcp_put(t, "</g>\n");
}

static void chart_transport(struct hpcp_text *t, const cJSON *root)
{
	const cJSON *ph = hpcp_phase_at(root, "infer");
	const cJSON *pts = hpcp_at(ph, "points"), *rm = hpcp_at(ph, "remote");
	const char *mode = hpcp_str_at(ph, "mode");
	double lo = INFINITY, hi = 0, xmax = 0, step, ms, b;
	struct hpcp_frame f = { 0 };
	struct at *a;
	int n;

	/* Only a remote sweep has a transport to draw. */
	if (!mode || strcmp(mode, "remote") != 0)
		return;
	a = load_figure(t, root, "chart-infer-transport",
			"Inference (remote): transport against offered load",
			has_transport, "no load point has a transport",
			"Transport against offered load.", &n);
	if (!a)
		return;
	for (int i = 0; i < n; i++) {
		xmax = fmax(xmax, a[i].x);
		for (size_t k = 0; k < 2; k++)
			if (trans_ms(a[i].o, k, &ms)) {
				lo = fmin(lo, ms);
				hi = fmax(hi, ms);
			}
	}
	load_frame(&f, lo, hi, xmax, &step);
	hpcp_html_svg_open(t, INFER_W, (int)(f.y + f.h + 52),
			   "inference transport against offered load");
	legend(t, &f, trans, 2);
	hpcp_html_axis_y_log10(t, &f, "mean per request (ms)");
	axis_lin(t, &f, step, 1, "offered load (requests/s, all clients)");
	hpcp_html_frame_box(t, &f);
	for (size_t k = 0; k < 2; k++) {
		hpcp_put(t, "<polyline class=\"ln%s\" data-series=\"%s\" "
			 "stroke=\"%s\" points=\"", trans[k].dashed ? " dash" :
			 "", trans[k].key, trans[k].colour);
		for (int i = 0; i < n; i++)
			if (trans_ms(a[i].o, k, &ms))
				hpcp_put(t, "%.1f,%.1f ", hpcp_html_fx(&f, a[i].x),
					 hpcp_html_fy(&f, ms));
		hpcp_put(t, "\"/>\n");
	}
	for (int i = 0; i < n; i++)
		trans_point(t, &f, &a[i], i);
	hpcp_put(t, "</svg>\n<figcaption>Each point is one load of the "
		 "server search: the mean transport per request (latency "
		 "less the server's queue wait and service: the network both "
		 "ways, the client's lateness and the server's reply) and, "
		 "dashed grey, the mean latency it is part of, on a log "
		 "scale.");
	if (hpcp_num_of(hpcp_at(rm, "request_bytes"), &b)) {
		hpcp_put(t, " Requests of %.0f bytes", b);
		if (hpcp_num_of(hpcp_at(rm, "reply_bytes"), &b))
			hpcp_put(t, ", replies of %.0f bytes", b);
		hpcp_put(t, ".");
	}
	if (hpcp_str_at(rm, "placement")) {
		hpcp_put(t, " Placement: ");
		hpcp_html_esc(t, hpcp_str_at(rm, "placement"));
		hpcp_put(t, ".");
	}
	if (cJSON_GetArraySize(pts) - n)
		hpcp_put(t, " Not drawn: %d point%s without an offered load or "
			 "a transport.", cJSON_GetArraySize(pts) - n,
			 cJSON_GetArraySize(pts) - n == 1 ? "" : "s");
	hpcp_put(t, "</figcaption>\n</figure>\n");
	free(a);
}

void hpcp_html_chart_infer(struct hpcp_text *t, const cJSON *root)
{
	if (!hpcp_phase_at(root, "infer"))
		return;
	chart_latency(t, root);
	chart_transport(t, root);
	chart_batch(t, root);
	chart_memory(t, root);
}
