/*
 * A self-contained HTML report of a results document: a header, a
 * narrative written only from measured values, four inline-SVG charts and
 * compact tables.  No script, no external resources; printable.  Written
 * from the finished document through hpcp_report_publish; measures nothing.
 *
 * Signature colours: each chart's data marks use one colour that nothing
 * else on the page uses, so a screenshot can show that every chart drew.
 *
 *   chart-latency  #d62728  first latency series (p50 solid, p99 dashed);
 *                           other series use LAT_PALETTE below
 *   chart-busbw    #1f77b4  bus-bandwidth line and points
 *   chart-heatmap  #00441b  the cell(s) with the highest p50 (dark end of
 *                           the ramp, also the top of its legend bar);
 *                           cells without a value are #ddd5c7 ("n/a"),
 *                           a warm grey used nowhere else
 *   chart-load     #ff7f0e  useful-time bars (MPI time is #ffbb78)
 */
#include "config.h"

#include "report_int.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SIG_LATENCY "#d62728"
#define SIG_BUSBW "#1f77b4"
#define SIG_HEAT "#00441b"
#define SIG_LOAD "#ff7f0e"
#define LOAD_MPI "#ffbb78"
#define HEAT_NA "#ddd5c7"
#define OUTLIER "#a63603"

static const char *const LAT_PALETTE[] = {
	SIG_LATENCY, "#9467bd", "#8c564b", "#e377c2",
	"#17becf", "#bcbd22", "#393b79", "#637939",
};
#define LAT_MAX_SERIES ((int)(sizeof(LAT_PALETTE) / sizeof(LAT_PALETTE[0])))

#define TABLE_MAX_PAIRS 8       /* per phase, in the size tables */
#define LIST_MAX_HOSTS 16       /* in the header */
#define LOAD_MAX_RANKS 4096     /* per-rank bars drawn */

/* --- Reading the document --------------------------------------------- */

/* --- Output ------------------------------------------------------------- */

/* Format into a small buffer; output that does not fit is cut. */
__attribute__((format(printf, 3, 4)))
static void sfmt(char *b, size_t n, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	if (vsnprintf(b, n, fmt, ap) < 0 && n)
		b[0] = '\0';
	va_end(ap);
}

/*
 * s escaped for HTML text and attribute values, at most max characters
 * (code points; 0: all) with an ellipsis when cut.
 */
static void esc_n(struct text *t, const char *s, size_t max)
{
	size_t chars = 0;

	if (!s)
		return;
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if ((c & 0xc0) != 0x80 && max && ++chars > max) {
			put(t, "\u2026");
			return;
		}
		switch (c) {
		case '&': put(t, "&amp;"); break;
		case '<': put(t, "&lt;"); break;
		case '>': put(t, "&gt;"); break;
		case '"': put(t, "&quot;"); break;
		case '\'': put(t, "&#39;"); break;
		default:
			if (c < 0x20 && c != '\n' && c != '\t')
				put(t, " ");
			else
				put(t, "%c", c);
		}
	}
}

static void esc(struct text *t, const char *s)
{
	esc_n(t, s, 0);
}

/*
 * A host name for a label: up to its first dot (the short name) unless it
 * is a numeric address, then at most max characters.
 */
static void esc_host(struct text *t, const char *s, size_t max)
{
	const char *dot = s ? strchr(s, '.') : NULL;
	size_t n;
	char *cut;

	if (!dot || strspn(s, "0123456789.") == strlen(s) || dot == s) {
		esc_n(t, s, max);
		return;
	}
	n = (size_t)(dot - s);
	cut = malloc(n + 1);
	if (!cut) {
		t->oom = 1;
		return;
	}
	memcpy(cut, s, n);
	cut[n] = '\0';
	esc_n(t, cut, max);
	free(cut);
}

/* A value for people: about three significant digits, no exponent. */
static void fmt_val(char *b, size_t n, double v)
{
	double a = fabs(v);

	if (!isfinite(v))
		sfmt(b, n, "n/a");
	else if (a >= 1e15)
		sfmt(b, n, "%.3g", v);
	else if (a >= 100 || a == 0)
		sfmt(b, n, "%.0f", v);
	else if (a >= 10)
		sfmt(b, n, "%.1f", v);
	else if (a >= 1)
		sfmt(b, n, "%.2f", v);
	else if (a >= 0.01)
		sfmt(b, n, "%.3f", v);
	else
		sfmt(b, n, "%.2g", v);
}

static void put_val(struct text *t, double v)
{
	char b[48];

	fmt_val(b, sizeof(b), v);
	put(t, "%s", b);
}

/* A ratio such as a load balance: three decimals. */
static void put_ratio(struct text *t, double v)
{
	if (isfinite(v))
		put(t, "%.3f", v);
	else
		put(t, "n/a");
}

/* Bytes as 8, 1 KiB, 4 MiB (binary units when exact), else digits. */
static void fmt_bytes(char *b, size_t n, double v)
{
	const char *unit[] = { "KiB", "MiB", "GiB", "TiB" };
	int u = -1;

	while (u < 3 && v >= 1024 && fmod(v, 1024) == 0) {
		v /= 1024;
		u++;
	}
	if (u < 0)
		sfmt(b, n, "%.0f", v);
	else
		sfmt(b, n, "%.0f %s", v, unit[u]);
}

/* Axis label of 2^e bytes: 1, 4, 16 ... 1K, 4K ... 1M, 4M ... */
static void fmt_pow2(char *b, size_t n, int e)
{
	const char *sfx[] = { "", "K", "M", "G", "T", "P" };
	int k = e / 10;

	if (e < 0 || k > 5)
		sfmt(b, n, "2^%d", e);
	else
		sfmt(b, n, "%.0f%s", ldexp(1.0, e - 10 * k), sfx[k]);
}

/* The "status: reason" of a phase that is not ok, for captions. */
static void phase_state(struct text *t, const cJSON *root, const char *name)
{
	const cJSON *ph = phase_at(root, name);
	const char *s = str_at(ph, "status"), *r = str_at(ph, "reason");

	if (!ph) {
		put(t, "phase %s not in the document", name);
		return;
	}
	put(t, "%s ", name);
	esc(t, s ? s : "status unknown");
	if (r) {
		put(t, ": ");
		esc(t, r);
	}
}

/* Whether the run was asked for phase name (run.config.phases). */
static int phase_requested(const cJSON *root, const char *name)
{
	const cJSON *p;

	cJSON_ArrayForEach(p, at(at(at(root, "run"), "config"), "phases"))
		if (cJSON_IsString(p) && strcmp(p->valuestring, name) == 0)
			return 1;
	return 0;
}

/* A narrative sentence for a phase that is not ok. */
static void phase_sentence(struct text *t, const cJSON *root, const char *name,
			   const char *title)
{
	const cJSON *ph = phase_at(root, name);
	const char *s = str_at(ph, "status"), *r = str_at(ph, "reason");

	put(t, "The %s phase ", title);
	if (!ph)
		put(t, "%s", phase_requested(root, name) ?
		    "has no result in this document" : "was not requested");
	else if (!s)
		put(t, "has no status");
	else if (strcmp(s, "failed") == 0)
		put(t, "failed");
	else if (strcmp(s, "skipped") == 0 || strcmp(s, "unavailable") == 0)
		put(t, "was %s", s);
	else {
		put(t, "ended with status ");
		esc(t, s);
	}
	if (r) {
		put(t, ": ");
		esc(t, r);
	}
	put(t, ". ");
}

static void status_badge(struct text *t, const char *s)
{
	const char *cls = "warn";

	if (!s)
		s = "unknown";
	if (strcmp(s, "ok") == 0)
		cls = "ok";
	else if (strcmp(s, "failed") == 0 || strcmp(s, "interrupted") == 0)
		cls = "bad";
	put(t, "<span class=\"badge %s\">", cls);
	esc(t, s);
	put(t, "</span>");
}

/* A pair as "MPI intra-node r0–r1 (vm)" or "... (a ↔ b)". */
static void pair_label(struct text *t, const char *what, const cJSON *pair,
		       size_t host_max)
{
	const char *kind = str_at(pair, "kind");
	const cJSON *r = at(pair, "ranks"), *h = at(pair, "hosts");
	const cJSON *h0 = cJSON_GetArrayItem(h, 0), *h1 = cJSON_GetArrayItem(h, 1);
	double r0, r1;

	esc(t, what);
	if (kind && strcmp(kind, "intra_node") == 0)
		put(t, " intra-node");
	else if (kind && strcmp(kind, "inter_node") == 0)
		put(t, " inter-node");
	else if (kind) {
		put(t, " ");
		esc(t, kind);
	}
	if (num_of(cJSON_GetArrayItem(r, 0), &r0) &&
	    num_of(cJSON_GetArrayItem(r, 1), &r1))
		put(t, " r%.0f\u2013r%.0f", r0, r1);
	if (cJSON_IsString(h0)) {
		put(t, " (");
		esc_host(t, h0->valuestring, host_max);
		if (cJSON_IsString(h1) &&
		    strcmp(h0->valuestring, h1->valuestring) != 0) {
			put(t, " \u2194 ");
			esc_host(t, h1->valuestring, host_max);
		}
		put(t, ")");
	}
}

/* --- Chart frames ------------------------------------------------------- */

/* Axis scales: 0 linear, 2 or 10 logarithmic.  lo/hi are transformed. */
struct frame {
	double x, y, w, h;
	double xlo, xhi, ylo, yhi;
	int xlog, ylog;
};

/* A log2 (bytes) by log10 frame covering the data, on even powers of two
 * and whole decades, plot_h tall in a figure width wide. */
static void log_frame(struct frame *f, double xmin, double xmax, double ymin,
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

static double fx(const struct frame *f, double v)
{
	return f->x + (tr(v, f->xlog) - f->xlo) / (f->xhi - f->xlo) * f->w;
}

static double fy(const struct frame *f, double v)
{
	return f->y + f->h - (tr(v, f->ylog) - f->ylo) / (f->yhi - f->ylo) *
	       f->h;
}

static void fig_open(struct text *t, const char *id, const char *title)
{
	put(t, "<figure id=\"%s\">\n<h3>%s</h3>\n", id, title);
}

static void svg_open(struct text *t, int w, int h, const char *label)
{
	put(t, "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 %d %d\" "
	       "width=\"%d\" height=\"%d\" role=\"img\" aria-label=\"%s\">\n",
	    w, h, w, h, label);
}

static void no_data(struct text *t)
{
	put(t, "<p class=\"nodata\">no data: ");
}

/* A figure without data: why (the phase's state, or when_ok if the phase
 * ran), then the caption; closes the figure. */
static void figure_without_data(struct text *t, const cJSON *root,
				const char *phase, const char *when_ok,
				const char *caption)
{
	no_data(t);
	if (phase_ok(root, phase))
		put(t, "%s", when_ok);
	else
		phase_state(t, root, phase);
	put(t, "</p>\n<figcaption>%s</figcaption>\n</figure>\n", caption);
}

/* x axis of 2^e bytes, labelled at even exponents. */
static void axis_x_log2(struct text *t, const struct frame *f,
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
			put(t, "<line class=\"tk\" x1=\"%.1f\" y1=\"%.1f\" "
			       "x2=\"%.1f\" y2=\"%.1f\"/>\n", x, yb, x, yb + 3);
			continue;
		}
		fmt_pow2(b, sizeof(b), e);
		put(t, "<line class=\"gr\" x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" "
		       "y2=\"%.1f\"/>\n", x, f->y, x, yb);
		put(t, "<line class=\"tk\" x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" "
		       "y2=\"%.1f\"/>\n", x, yb, x, yb + 5);
		put(t, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">%s"
		       "</text>\n", x, yb + 17, b);
	}
	put(t, "<text class=\"at\" x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">"
	       "%s</text>\n", f->x + f->w / 2, yb + 36, title);
}

static void axis_y_title(struct text *t, const struct frame *f,
			 const char *title)
{
	double x = f->x - 52, y = f->y + f->h / 2;

	put(t, "<text class=\"at\" x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\" "
	       "transform=\"rotate(-90 %.1f %.1f)\">%s</text>\n",
	    x, y, x, y, title);
}

/* y axis in decades, minor ticks at 2..9 (labelled 2 and 5 when short). */
static void axis_y_log10(struct text *t, const struct frame *f,
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
			y = fy(f, v);
			if (k > 1 && !(few && (k == 2 || k == 5))) {
				put(t, "<line class=\"tk\" x1=\"%.1f\" y1=\"%.1f\" "
				       "x2=\"%.1f\" y2=\"%.1f\"/>\n",
				    f->x - 3, y, f->x, y);
				continue;
			}
			put(t, "<line class=\"%s\" x1=\"%.1f\" y1=\"%.1f\" "
			       "x2=\"%.1f\" y2=\"%.1f\"/>\n", k > 1 ? "gm" : "gr",
			    f->x, y, f->x + f->w, y);
			put(t, "<line class=\"tk\" x1=\"%.1f\" y1=\"%.1f\" "
			       "x2=\"%.1f\" y2=\"%.1f\"/>\n", f->x - 5, y, f->x, y);
			if (e >= 6 || e <= -4)
				sfmt(b, sizeof(b), "%de%d", k, e);
			else
				sfmt(b, sizeof(b), "%.*f", e < 0 ? -e : 0, v);
			put(t, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"end\">%s"
			       "</text>\n", f->x - 8, y + 4, b);
		}
	}
	axis_y_title(t, f, title);
}

static void frame_box(struct text *t, const struct frame *f)
{
	put(t, "<rect class=\"box\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" "
	       "height=\"%.1f\"/>\n", f->x, f->y, f->w, f->h);
}

/* A step of 1, 2 or 5 x 10^k giving about n intervals over [0, max]. */
static double nice_step(double max, int n)
{
	double raw = max / n, mag = pow(10, floor(log10(raw))), r = raw / mag;

	return (r <= 1 ? 1 : r <= 2 ? 2 : r <= 5 ? 5 : 10) * mag;
}

/* --- Latency chart ---------------------------------------------------- */

struct lat_src {
	const char *phase;
	const char *what;     /* series label prefix */
	const cJSON *pairs;
};

static int lat_point(const cJSON *size, double *x, double *p50, double *p99)
{
	const cJSON *lat = at(size, "latency_ns");

	if (!num_of(at(size, "bytes"), x) || *x <= 0)
		return 0;
	*p50 = num_at(lat, "p50", NAN) / 1e3;
	*p99 = num_at(lat, "p99", NAN) / 1e3;
	return 1;
}

/* A polyline through the positive finite points; gaps break it. */
static void lat_path(struct text *t, const struct frame *f, const cJSON *pair,
		     int p99, const char *colour)
{
	const cJSON *size;
	int pen = 0, any = 0;

	cJSON_ArrayForEach(size, at(pair, "sizes")) {
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
			put(t, "<path class=\"%s\" stroke=\"%s\" d=\"",
			    p99 ? "ln dash" : "ln", colour);
		any = 1;
		put(t, "%s%.1f %.1f", pen ? " L" : "M", fx(f, x), fy(f, y));
		pen = 1;
	}
	if (any)
		put(t, "\"/>\n");
	if (p99)
		return;
	cJSON_ArrayForEach(size, at(pair, "sizes")) {
		double x, a, b;

		if (lat_point(size, &x, &a, &b) && isfinite(a) && a > 0)
			put(t, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"2.6\" "
			       "fill=\"%s\"/>\n", fx(f, x), fy(f, a), colour);
	}
}

static void chart_latency(struct text *t, const cJSON *root)
{
	struct lat_src src[2] = {
		{ "pingpong", "MPI", NULL },
		{ "fabric", "libfabric", NULL },
	};
	const char *prov = str_at(at(phase_at(root, "fabric"), "provider"),
				  "name");
	double xmin = INFINITY, xmax = -INFINITY, ymin = INFINITY,
	       ymax = -INFINITY;
	int nser = 0, total = 0, zero = 0, npts = 0;
	const cJSON *pair, *size;
	struct frame f;
	int W = 900, legend_rows, H;

	if (prov)
		src[1].what = prov;
	for (int s = 0; s < 2; s++) {
		if (!phase_ok(root, src[s].phase))
			continue;
		src[s].pairs = at(phase_at(root, src[s].phase), "pairs");
		cJSON_ArrayForEach(pair, src[s].pairs) {
			if (total++ >= LAT_MAX_SERIES)
				continue;
			nser++;
			cJSON_ArrayForEach(size, at(pair, "sizes")) {
				double x, a, b, bytes;

				if (num_of(at(size, "bytes"), &bytes) &&
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
	fig_open(t, "chart-latency", "Point-to-point latency by message size");
	if (!npts) {
		no_data(t);
		phase_state(t, root, "pingpong");
		put(t, "; ");
		phase_state(t, root, "fabric");
		put(t, "</p>\n<figcaption>Latency vs message size."
		       "</figcaption>\n</figure>\n");
		return;
	}
	log_frame(&f, xmin, xmax, ymin, ymax, W, 320);
	legend_rows = (nser + 1) / 2 + 1;
	H = (int)(f.y + f.h + 50 + legend_rows * 20 + 10);
	svg_open(t, W, H, "latency versus message size");
	frame_box(t, &f);
	axis_x_log2(t, &f, "message size (bytes, log\u2082 scale)");
	axis_y_log10(t, &f, "latency (\u00b5s, log scale)");
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
				put(t, "<line class=\"lg\" x1=\"%.1f\" y1=\"%.1f\" "
				       "x2=\"%.1f\" y2=\"%.1f\" stroke=\"%s\"/>\n",
				    lx, yy, lx + 22, yy, LAT_PALETTE[k]);
				put(t, "<text x=\"%.1f\" y=\"%.1f\">", lx + 28,
				    yy + 4);
				pair_label(t, src[s].what, pair, 16);
				put(t, "</text>\n");
				k++;
			}
		ly += ((nser + 1) / 2) * 20;
		put(t, "<line class=\"key\" x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" "
		       "y2=\"%.1f\"/><text x=\"%.1f\" y=\"%.1f\">p50 (median)"
		       "</text>\n", f.x, ly, f.x + 22, ly, f.x + 28, ly + 4);
		put(t, "<line class=\"key dash\" x1=\"%.1f\" y1=\"%.1f\" "
		       "x2=\"%.1f\" y2=\"%.1f\"/><text x=\"%.1f\" y=\"%.1f\">"
		       "p99</text>\n", f.x + 140, ly, f.x + 162, ly, f.x + 168,
		    ly + 4);
	}
	put(t, "</svg>\n<figcaption>One-way latency (");
	{
		const char *def = str_at(phase_at(root, "pingpong"),
					 "latency_definition");

		esc(t, def ? def : "as defined by each phase");
	}
	put(t, ") against message size; p50 solid with points, p99 dashed "
	       "(not drawn where too few samples, under 100, support it).");
	if (zero)
		put(t, " The 0-byte size cannot sit on a log axis and is omitted "
		       "here (see the tables).");
	if (total > LAT_MAX_SERIES)
		put(t, " The first %d of %d pairs are drawn.", LAT_MAX_SERIES,
		    total);
	for (int s = 0; s < 2; s++)
		if (!src[s].pairs) {
			put(t, " Not drawn: ");
			phase_state(t, root, src[s].phase);
			put(t, ".");
		}
	put(t, "</figcaption>\n</figure>\n");
}

/* --- All-reduce bus bandwidth chart ----------------------------------- */

static void chart_busbw(struct text *t, const cJSON *root)
{
	const cJSON *ar = phase_at(root, "allreduce"), *size;
	double xmin = INFINITY, xmax = -INFINITY, ymin = INFINITY,
	       ymax = -INFINITY, peak = -1, peak_x = 0;
	int npts = 0, zero = 0, pen = 0;
	struct frame f;
	int W = 900, H;

	if (phase_ok(root, "allreduce"))
		cJSON_ArrayForEach(size, at(ar, "sizes")) {
			double x, y;

			if (!num_of(at(size, "bytes"), &x))
				continue;
			if (x <= 0) {
				zero = 1;
				continue;
			}
			if (!num_of(at(size, "busbw_bytes_per_s"), &y) || y <= 0)
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
	fig_open(t, "chart-busbw", "All-reduce bus bandwidth by message size");
	if (!npts) {
		figure_without_data(t, root, "allreduce",
				    "allreduce reported no positive bus "
				    "bandwidth",
				    "All-reduce bus bandwidth vs message size.");
		return;
	}
	log_frame(&f, xmin, xmax, ymin, ymax, W, 280);
	H = (int)(f.y + f.h + 50 + 30);
	svg_open(t, W, H, "all-reduce bus bandwidth versus message size");
	frame_box(t, &f);
	axis_x_log2(t, &f, "message size (bytes, log\u2082 scale)");
	axis_y_log10(t, &f, "bus bandwidth (GB/s, log scale)");
	put(t, "<path class=\"ln\" stroke=\"%s\" d=\"", SIG_BUSBW);
	cJSON_ArrayForEach(size, at(ar, "sizes")) {
		double x, y;

		if (!num_of(at(size, "bytes"), &x) || x <= 0)
			continue;
		if (!num_of(at(size, "busbw_bytes_per_s"), &y) || y <= 0) {
			pen = 0;
			continue;
		}
		put(t, "%s%.1f %.1f", pen ? " L" : "M", fx(&f, x), fy(&f, y / 1e9));
		pen = 1;
	}
	put(t, "\"/>\n");
	cJSON_ArrayForEach(size, at(ar, "sizes")) {
		double x, y;

		if (num_of(at(size, "bytes"), &x) && x > 0 &&
		    num_of(at(size, "busbw_bytes_per_s"), &y) && y > 0)
			put(t, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"3\" fill=\"%s\"/>\n",
			    fx(&f, x), fy(&f, y / 1e9), SIG_BUSBW);
	}
	put(t, "<circle class=\"ring\" cx=\"%.1f\" cy=\"%.1f\" r=\"6.5\" "
	       "stroke=\"%s\"/>\n", fx(&f, peak_x), fy(&f, peak), SIG_BUSBW);
	{
		double ly = f.y + f.h + 60, ranks;
		char v[48], b[48];

		fmt_val(v, sizeof(v), peak);
		fmt_bytes(b, sizeof(b), peak_x);
		put(t, "<line class=\"lg\" x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" "
		       "y2=\"%.1f\" stroke=\"%s\"/><text x=\"%.1f\" y=\"%.1f\">"
		       "bus bandwidth, ", f.x, ly, f.x + 22, ly, SIG_BUSBW,
		    f.x + 28, ly + 4);
		if (num_of(at(ar, "ranks"), &ranks))
			put(t, "%.0f ranks", ranks);
		else
			put(t, "all ranks");
		put(t, "</text>\n<text class=\"note\" x=\"%.1f\" y=\"%.1f\">"
		       "\u25ef peak %s GB/s at %s</text>\n", f.x + 260, ly + 4,
		    v, b);
	}
	put(t, "</svg>\n<figcaption>MPI_Allreduce bus bandwidth (");
	{
		const char *def = str_at(ar, "busbw_definition");

		esc(t, def ? def : "algbw x 2(n-1)/n");
	}
	put(t, "; 1 GB/s = 10\u2079 bytes/s) against message size.");
	if (zero)
		put(t, " Size 0 is omitted from the log axis.");
	put(t, "</figcaption>\n</figure>\n");
}

/* --- Node-pair heat map ----------------------------------------------- */

static void ramp(double v, char *b, size_t n)
{
	/* light -> mid -> dark; v = 1 is exactly SIG_HEAT */
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
	sfmt(b, n, "#%02x%02x%02x", rgb[0], rgb[1], rgb[2]);
}

static int is_outlier(const cJSON *outliers, const char *host)
{
	const cJSON *o;

	cJSON_ArrayForEach(o, outliers)
		if (cJSON_IsString(o) && host && strcmp(o->valuestring, host) == 0)
			return 1;
	return 0;
}

static void chart_heatmap(struct text *t, const cJSON *root)
{
	const cJSON *nm = at(phase_at(root, "pingpong"), "node_matrix");
	const cJSON *hosts = at(nm, "hosts"), *mat = at(nm, "p50_latency_ns");
	const cJSON *outliers = at(nm, "outliers");
	int n = cJSON_GetArraySize(hosts), cells = 0, label_every = 1;
	double vmin = INFINITY, vmax = -INFINITY, cell, gx, gy;
	int W, H, labels_w = 130, legend_w = 150, nout = 0;

	fig_open(t, "chart-heatmap", "Inter-node latency heat map");
	if (!phase_ok(root, "pingpong") || !cJSON_IsArray(hosts) || n < 1) {
		figure_without_data(t, root, "pingpong",
				    "the ping-pong phase has no node matrix",
				    "p50 latency between node pairs.");
		return;
	}
	for (int i = 0; i < n; i++) {
		const cJSON *row = cJSON_GetArrayItem(mat, i);

		for (int j = 0; j < n; j++) {
			double v;

			if (num_of(cJSON_GetArrayItem(row, j), &v)) {
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
	svg_open(t, W, H, "p50 latency between node pairs");
	for (int i = 0; i < n; i++) {
		const cJSON *row = cJSON_GetArrayItem(mat, i);

		for (int j = 0; j < n; j++) {
			double v, x = gx + j * cell, y = gy + i * cell;
			char col[16];
			int has = num_of(cJSON_GetArrayItem(row, j), &v);
			double u = 0;

			if (has) {
				v /= 1e3;
				u = vmax > vmin ? (v - vmin) / (vmax - vmin) : 1;
				ramp(u, col, sizeof(col));
			}
			put(t, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" "
			       "height=\"%.1f\" fill=\"%s\" stroke=\"#fff\"/>\n",
			    x, y, cell, cell, has ? col : HEAT_NA);
			if (cell < 34)
				continue;
			if (has) {
				char b[48];

				fmt_val(b, sizeof(b), v);
				put(t, "<text class=\"cv%s\" x=\"%.1f\" "
				       "y=\"%.1f\">%s</text>\n",
				    u > 0.45 ? " dk" : "", x + cell / 2,
				    y + cell / 2 + 4, b);
			} else {
				put(t, "<text class=\"cv\" x=\"%.1f\" y=\"%.1f\">"
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
			put(t, "<rect class=\"outl\" x=\"%.1f\" y=\"%.1f\" "
			       "width=\"%.1f\" height=\"%.1f\"/>\n",
			    gx, gy + i * cell, n * cell, cell);
			put(t, "<rect class=\"outl\" x=\"%.1f\" y=\"%.1f\" "
			       "width=\"%.1f\" height=\"%.1f\"/>\n",
			    gx + i * cell, gy, cell, n * cell);
		}
		if (i % label_every && !out)
			continue;
		put(t, "<text class=\"%s\" x=\"%.1f\" y=\"%.1f\" "
		       "text-anchor=\"end\">", out ? "hl out" : "hl",
		    gx - 6, cy + 4);
		if (out)
			put(t, "\u25b2 ");
		esc_host(t, name, 18);
		put(t, "</text>\n<text class=\"%s\" x=\"%.1f\" y=\"%.1f\" "
		       "text-anchor=\"end\" transform=\"rotate(%d %.1f %.1f)\">",
		    out ? "hl out" : "hl", cx + 4, gy + n * cell + 10,
		    cell < 40 ? -90 : -40, cx + 4, gy + n * cell + 10);
		if (out)
			put(t, "\u25b2 ");
		esc_host(t, name, 14);
		put(t, "</text>\n");
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
			fmt_val(a, sizeof(a), vmin);
			fmt_val(b, sizeof(b), vmax);
			put(t, "<defs><linearGradient id=\"heat-ramp\" x1=\"0\" "
			       "y1=\"1\" x2=\"0\" y2=\"0\"><stop offset=\"0\" "
			       "stop-color=\"%s\"/><stop offset=\"0.5\" "
			       "stop-color=\"%s\"/><stop offset=\"1\" "
			       "stop-color=\"%s\"/></linearGradient></defs>\n",
			    s0, s1, s2);
			put(t, "<rect x=\"%.1f\" y=\"%.1f\" width=\"14\" "
			       "height=\"%.1f\" fill=\"url(#heat-ramp)\" "
			       "stroke=\"#8c959f\" stroke-width=\"0.5\"/>\n",
			    lx, ly, lh - 60);
			put(t, "<text x=\"%.1f\" y=\"%.1f\">max %s \u00b5s</text>\n",
			    lx + 20, ly + 10, b);
			put(t, "<text x=\"%.1f\" y=\"%.1f\">min %s \u00b5s</text>\n",
			    lx + 20, ly + lh - 62, a);
		}
		put(t, "<rect x=\"%.1f\" y=\"%.1f\" width=\"14\" height=\"14\" "
		       "fill=\"%s\"/><text x=\"%.1f\" y=\"%.1f\">n/a</text>\n",
		    lx, ly + lh - 44, HEAT_NA, lx + 20, ly + lh - 33);
		if (nout)
			put(t, "<rect class=\"outl\" x=\"%.1f\" y=\"%.1f\" "
			       "width=\"14\" height=\"14\"/><text x=\"%.1f\" "
			       "y=\"%.1f\">\u25b2 outlier</text>\n",
			    lx, ly + lh - 22, lx + 20, ly + lh - 11);
	}
	put(t, "<text class=\"at\" x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">"
	       "peer host</text>\n", gx + n * cell / 2, (double)H - 6);
	put(t, "<text class=\"at\" x=\"14\" y=\"%.1f\" text-anchor=\"middle\" "
	       "transform=\"rotate(-90 14 %.1f)\">host</text>\n",
	    gy + n * cell / 2, gy + n * cell / 2);
	put(t, "</svg>\n<figcaption>");
	if (!cells) {
		const char *r = str_at(nm, "reason");

		if (r)
			esc(t, r);
		else if (n == 1)
			put(t, "one host: no inter-node pairs");
		else
			put(t, "no node pair was measured");
		put(t, ". ");
	}
	put(t, "p50 latency (\u00b5s) between node leaders, ");
	{
		double b;

		if (num_of(at(nm, "message_bytes"), &b))
			put(t, "%.0f-byte messages, ", b);
	}
	esc(t, str_at(nm, "statistic") ? str_at(nm, "statistic") :
	    "p50 of half the round trip");
	put(t, "; %.0f pairs in %.0f rounds%s.", num_at(nm, "pairs_count", 0),
	    num_at(nm, "rounds_count", 0),
	    cJSON_IsTrue(at(nm, "sampled")) ? ", sampled" : "");
	if (nout) {
		const cJSON *o;
		int k = 0;

		put(t, " Outliers (outlined): ");
		cJSON_ArrayForEach(o, outliers) {
			const cJSON *d;
			int first = 1;

			if (!cJSON_IsString(o))
				continue;
			put(t, "%s", k++ ? ", " : "");
			esc(t, o->valuestring);
			/* which statistic flagged it: p50, p99 or both */
			cJSON_ArrayForEach(d, at(nm, "outlier_details")) {
				const char *h = str_at(d, "host");

				if (!h || strcmp(h, o->valuestring) != 0 ||
				    !str_at(d, "statistic"))
					continue;
				put(t, "%s", first ? " (by " : " and ");
				esc(t, str_at(d, "statistic"));
				first = 0;
			}
			if (!first)
				put(t, ")");
		}
		put(t, ".");
	}
	if (n > 1 && str_at(nm, "outlier_rule")) {
		put(t, " Outlier rule: ");
		esc(t, str_at(nm, "outlier_rule"));
		put(t, ".");
	}
	if (label_every > 1)
		put(t, " Every %d%s host is labelled.", label_every,
		    label_every == 2 ? "nd" : label_every == 3 ? "rd" : "th");
	put(t, "</figcaption>\n</figure>\n");
}

/* --- Per-rank load chart ---------------------------------------------- */

struct rank_load {
	double useful_ms, mpi_ms;
	const char *host;
	int seen;
};

static void chart_load(struct text *t, const cJSON *root)
{
	const cJSON *c = phase_at(root, "compute"), *k, *pr;
	const cJSON *lb = at(c, "load_balance");
	struct rank_load *r = NULL;
	int nr = 0, shown = 0, label_every = 1;
	double max = 0, slow = num_at(lb, "slowest_rank", -1);
	char kernels[256] = "";
	size_t kl = 0;

	fig_open(t, "chart-load", "Per-rank compute load");
	if (phase_ok(root, "compute")) {
		/* ranks: the highest rank number seen, capped */
		cJSON_ArrayForEach(k, at(c, "kernels")) {
			const char *s = str_at(k, "status");

			if (!s || strcmp(s, "ok") != 0)
				continue;
			cJSON_ArrayForEach(pr, at(k, "per_rank")) {
				double rk;

				if (num_of(at(pr, "rank"), &rk) && rk >= 0 &&
				    rk < LOAD_MAX_RANKS && rk + 1 > nr)
					nr = (int)rk + 1;
			}
		}
		if (nr > 0)
			r = calloc((size_t)nr, sizeof(*r));
		if (nr > 0 && !r) {
			t->oom = 1;
			return;
		}
		cJSON_ArrayForEach(k, at(c, "kernels")) {
			const char *s = str_at(k, "status");
			int used = 0;

			if (!s || strcmp(s, "ok") != 0)
				continue;
			cJSON_ArrayForEach(pr, at(k, "per_rank")) {
				double rk, u, m;

				if (!num_of(at(pr, "rank"), &rk) || rk < 0 ||
				    rk >= nr)
					continue;
				if (!num_of(at(pr, "useful_ns"), &u))
					u = 0;
				if (!num_of(at(pr, "mpi_ns"), &m))
					m = 0;
				r[(int)rk].useful_ms += u / 1e6;
				r[(int)rk].mpi_ms += m / 1e6;
				r[(int)rk].seen = 1;
				if (!r[(int)rk].host)
					r[(int)rk].host = str_at(pr, "host");
				used = 1;
			}
			if (used && kl < sizeof(kernels) - 1) {
				int w = snprintf(kernels + kl, sizeof(kernels) - kl,
						 "%s%s", kl ? ", " : "",
						 k->string ? k->string : "?");

				kl += w > 0 ? (size_t)w : 0;
				if (kl > sizeof(kernels) - 1)
					kl = sizeof(kernels) - 1;
			}
		}
		for (int i = 0; i < nr; i++)
			if (r[i].seen) {
				shown++;
				max = fmax(max, r[i].useful_ms + r[i].mpi_ms);
			}
	}
	if (!shown || !(max > 0)) {
		no_data(t);
		if (!phase_ok(root, "compute"))
			phase_state(t, root, "compute");
		else {
			int any = 0;

			put(t, "no kernel finished");
			cJSON_ArrayForEach(k, at(c, "kernels")) {
				put(t, "%s", any++ ? "; " : " (");
				esc(t, k->string);
				put(t, " ");
				esc(t, str_at(k, "status"));
				if (str_at(k, "reason")) {
					put(t, ": ");
					esc(t, str_at(k, "reason"));
				}
			}
			put(t, "%s", any ? ")" : "");
		}
		put(t, "</p>\n<figcaption>Useful and MPI time per rank."
		       "</figcaption>\n</figure>\n");
		free(r);
		return;
	}
	put(t, "<p class=\"sub\">load balance ");
	put_ratio(t, num_at(lb, "load_balance_ratio", NAN));
	{
		char rb[1024];

		/* Beside the raw value: the robust one, or "noisy host". */
		if (hpcp_report_robust_lb(at(c, "load_balance_robust"), rb,
					  sizeof(rb))) {
			put(t, " (robust: ");
			esc(t, rb);
			put(t, ")");
		}
	}
	put(t, " \u00b7 parallel efficiency ");
	put_ratio(t, num_at(lb, "parallel_efficiency_ratio", NAN));
	put(t, " \u00b7 communication efficiency ");
	put_ratio(t, num_at(lb, "communication_efficiency_ratio", NAN));
	if (isfinite(num_at(c, "expected_load_balance_ratio", NAN))) {
		put(t, " \u00b7 expected load balance ");
		put_ratio(t, num_at(c, "expected_load_balance_ratio", NAN));
		put(t, " for --imbalance ");
		put_val(t, num_at(c, "imbalance_factor", NAN));
	}
	put(t, "</p>\n");
	{
		double bar = 440.0 / shown, step = nice_step(max, 6), top;
		struct frame f;
		int W = 900, H, row = 0, slow_row = -1;

		if (bar > 26)
			bar = 26;
		if (bar < 3)
			bar = 3;
		while (bar * label_every < 13)
			label_every++;
		top = ceil(max / step) * step;
		for (int i = 0, nth = 0; i < nr; i++)
			if (r[i].seen) {
				if (slow == i)
					slow_row = nth;
				nth++;
			}
		f.xlog = f.ylog = 0;
		f.x = 150;
		f.y = 30;
		f.w = W - f.x - 90;
		f.h = bar * shown;
		f.xlo = 0;
		f.xhi = top;
		f.ylo = 0;
		f.yhi = 1;
		H = (int)(f.y + f.h + 52);
		svg_open(t, W, H, "useful and MPI time per rank");
		/* legend */
		put(t, "<rect x=\"%.1f\" y=\"6\" width=\"14\" height=\"12\" "
		       "fill=\"%s\"/><text x=\"%.1f\" y=\"16\">useful (kernel "
		       "compute)</text>\n", f.x, SIG_LOAD, f.x + 20);
		put(t, "<rect x=\"%.1f\" y=\"6\" width=\"14\" height=\"12\" "
		       "fill=\"%s\"/><text x=\"%.1f\" y=\"16\">MPI "
		       "(communication)</text>\n", f.x + 190, LOAD_MPI, f.x + 210);
		for (int i = 0; i * step <= top + step / 2; i++) {
			double v = i * step, x = fx(&f, v);
			char b[48];

			sfmt(b, sizeof(b), "%.10g", v);
			put(t, "<line class=\"gr\" x1=\"%.1f\" y1=\"%.1f\" "
			       "x2=\"%.1f\" y2=\"%.1f\"/>\n", x, f.y, x, f.y + f.h);
			put(t, "<line class=\"tk\" x1=\"%.1f\" y1=\"%.1f\" "
			       "x2=\"%.1f\" y2=\"%.1f\"/>\n", x, f.y + f.h, x,
			    f.y + f.h + 5);
			put(t, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">"
			       "%s</text>\n", x, f.y + f.h + 17, b);
		}
		put(t, "<text class=\"at\" x=\"%.1f\" y=\"%.1f\" "
		       "text-anchor=\"middle\">time summed over kernels (ms)"
		       "</text>\n", f.x + f.w / 2, f.y + f.h + 38);
		for (int i = 0; i < nr; i++) {
			double y, h = bar > 6 ? bar * 0.72 : bar * 0.85;
			double x0 = f.x, x1 = fx(&f, r[i].useful_ms),
			       x2 = fx(&f, r[i].useful_ms + r[i].mpi_ms);
			int is_slow = slow == i;

			if (!r[i].seen)
				continue;
			y = f.y + row * bar + (bar - h) / 2;
			put(t, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.2f\" "
			       "height=\"%.2f\" fill=\"%s\"/>\n", x0, y, x1 - x0,
			    h, SIG_LOAD);
			put(t, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.2f\" "
			       "height=\"%.2f\" fill=\"%s\"/>\n", x1, y, x2 - x1,
			    h, LOAD_MPI);
			if (is_slow)
				put(t, "<rect class=\"slow\" x=\"%.1f\" y=\"%.1f\" "
				       "width=\"%.2f\" height=\"%.2f\"/>\n"
				       "<text class=\"note\" x=\"%.1f\" y=\"%.1f\">"
				       "\u25c0 slowest</text>\n", x0, y, x2 - x0, h,
				    x2 + 6, y + h / 2 + 4);
			if (is_slow || (row % label_every == 0 &&
					(slow_row < 0 ||
					 abs(row - slow_row) >= label_every))) {
				put(t, "<text class=\"%s\" x=\"%.1f\" y=\"%.1f\" "
				       "text-anchor=\"end\">r%d", is_slow ? "hl b" :
				    "hl", f.x - 6, y + h / 2 + 4, i);
				if (r[i].host) {
					put(t, " (");
					esc_host(t, r[i].host, 14);
					put(t, ")");
				}
				put(t, "</text>\n");
			}
			row++;
		}
		put(t, "<line class=\"axis\" x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" "
		       "y2=\"%.1f\"/>\n", f.x, f.y, f.x, f.y + f.h);
		put(t, "</svg>\n");
	}
	put(t, "<figcaption>Per-rank time over all rounds of the kernels that "
	       "finished (");
	esc(t, kernels);
	put(t, "): useful time is the kernels' compute, MPI time their "
	       "communication, in milliseconds.");
	if (slow >= 0) {
		put(t, " The slowest rank, r%.0f", slow);
		if (str_at(lb, "slowest_host")) {
			put(t, " on ");
			esc(t, str_at(lb, "slowest_host"));
		}
		put(t, ", is outlined.");
	}
	if (label_every > 1)
		put(t, " Every %d%s rank is labelled.", label_every,
		    label_every == 2 ? "nd" : label_every == 3 ? "rd" : "th");
	cJSON_ArrayForEach(k, at(c, "kernels")) {
		const char *s = str_at(k, "status");

		if (s && strcmp(s, "ok") == 0)
			continue;
		put(t, " Kernel ");
		esc(t, k->string);
		put(t, " ");
		esc(t, s ? s : "without status");
		if (str_at(k, "reason")) {
			put(t, ": ");
			esc(t, str_at(k, "reason"));
		}
		put(t, " (not included).");
	}
	put(t, "</figcaption>\n</figure>\n");
	free(r);
}

/* --- Narrative ---------------------------------------------------------- */

/* The entries of one kind of pair at one size: the lowest and highest p50. */
struct pick {
	int n;              /* pairs with a finite p50 at bytes */
	double bytes;
	const cJSON *lo, *hi, *lo_pair, *hi_pair;
};

static int kind_is(const cJSON *pair, const char *kind)
{
	const char *k = str_at(pair, "kind");

	return k && strcmp(k, kind) == 0;
}

/* Prefer 8 bytes, else the smallest positive size any such pair has. */
static void pick_size(const cJSON *pairs, const char *kind, struct pick *pk)
{
	const cJSON *pair, *size;
	double best = INFINITY;

	memset(pk, 0, sizeof(*pk));
	cJSON_ArrayForEach(pair, pairs) {
		if (!kind_is(pair, kind))
			continue;
		cJSON_ArrayForEach(size, at(pair, "sizes")) {
			double b;

			if (!num_of(at(size, "bytes"), &b) || b <= 0 ||
			    !isfinite(num_at(at(size, "latency_ns"), "p50", NAN)))
				continue;
			if (b == 8 || (best != 8 && b < best))
				best = b;
		}
	}
	if (!isfinite(best))
		return;
	pk->bytes = best;
	cJSON_ArrayForEach(pair, pairs) {
		if (!kind_is(pair, kind))
			continue;
		cJSON_ArrayForEach(size, at(pair, "sizes")) {
			double b, v = num_at(at(size, "latency_ns"), "p50", NAN);

			if (!num_of(at(size, "bytes"), &b) || b != best ||
			    !isfinite(v))
				continue;
			pk->n++;
			if (!pk->lo || v < num_at(at(pk->lo, "latency_ns"), "p50", 0)) {
				pk->lo = size;
				pk->lo_pair = pair;
			}
			if (!pk->hi || v > num_at(at(pk->hi, "latency_ns"), "p50", 0)) {
				pk->hi = size;
				pk->hi_pair = pair;
			}
			break;
		}
	}
}

static void put_us(struct text *t, double ns)
{
	put_val(t, ns / 1e3);
	put(t, " \u00b5s");
}

static void put_pair_ranks(struct text *t, const cJSON *pair)
{
	const cJSON *r = at(pair, "ranks");
	double a, b;

	if (num_of(cJSON_GetArrayItem(r, 0), &a) &&
	    num_of(cJSON_GetArrayItem(r, 1), &b))
		put(t, "ranks %.0f\u2013%.0f", a, b);
	else
		put(t, "one pair");
}

/*
 * "p50 was X µs (p99 Y µs, half the round trip, K samples)" or, over
 * several pairs, "p50 ranged from X µs (ranks a–b) to Y µs (ranks c–d)
 * over N pairs (half the round trip)".
 */
static void pick_text(struct text *t, const struct pick *pk, int half)
{
	const cJSON *lat = at(pk->lo, "latency_ns");
	double v;

	if (pk->n == 1) {
		put(t, "p50 was ");
		put_us(t, num_at(lat, "p50", 0));
		put(t, " (");
		if (num_of(at(lat, "p99"), &v)) {
			put(t, "p99 ");
			put_us(t, v);
			put(t, ", ");
		} else if (cJSON_IsNull(at(lat, "p99"))) {
			put(t, "p99 n/a: too few samples, ");
		}
		if (half)
			put(t, "half the round trip, ");
		if (num_of(at(pk->lo, "samples_count"), &v))
			put(t, "%.0f samples, ", v);
		put_pair_ranks(t, pk->lo_pair);
		put(t, ")");
		return;
	}
	put(t, "p50 ranged from ");
	put_us(t, num_at(lat, "p50", 0));
	put(t, " (");
	put_pair_ranks(t, pk->lo_pair);
	put(t, ") to ");
	put_us(t, num_at(at(pk->hi, "latency_ns"), "p50", 0));
	put(t, " (");
	put_pair_ranks(t, pk->hi_pair);
	put(t, ") over %d pairs%s", pk->n, half ? " (half the round trip)" : "");
}

static int half_rtt(const cJSON *ph)
{
	const char *d = str_at(ph, "latency_definition");

	return d && strstr(d, "half the round trip") != NULL;
}

static void narrative_pingpong(struct text *t, const cJSON *root)
{
	const cJSON *pp = phase_at(root, "pingpong");
	const cJSON *pairs = at(pp, "pairs");
	struct pick inter, intra;
	int half = half_rtt(pp);

	pick_size(pairs, "inter_node", &inter);
	pick_size(pairs, "intra_node", &intra);
	if (inter.n) {
		put(t, "the %.0f-byte inter-node MPI ping-pong ", inter.bytes);
		pick_text(t, &inter, half);
	} else {
		put(t, "no inter-node MPI ping-pong pair was measured");
	}
	if (intra.n) {
		put(t, "; the %.0f-byte intra-node ", intra.bytes);
		if (!inter.n)
			put(t, "MPI ping-pong ");
		pick_text(t, &intra, half && !inter.n);
	}
	put(t, ". ");
}

static void narrative_fabric(struct text *t, const cJSON *root)
{
	const cJSON *fb = phase_at(root, "fabric");
	const cJSON *prov = at(fb, "provider");
	struct pick inter, intra;
	int half = half_rtt(fb);

	pick_size(at(fb, "pairs"), "inter_node", &inter);
	pick_size(at(fb, "pairs"), "intra_node", &intra);
	put(t, "Over libfabric provider ");
	esc(t, str_at(prov, "name") ? str_at(prov, "name") : "(unnamed)");
	if (str_at(prov, "domain")) {
		put(t, " (domain ");
		esc(t, str_at(prov, "domain"));
		put(t, ")");
	}
	if (!inter.n && !intra.n) {
		put(t, " no pair latency was reported. ");
	} else {
		if (inter.n) {
			put(t, " the %.0f-byte inter-node ", inter.bytes);
			pick_text(t, &inter, half);
		}
		if (intra.n) {
			put(t, "%s the %.0f-byte intra-node ", inter.n ? ";" : "",
			    intra.bytes);
			pick_text(t, &intra, half && !inter.n);
		}
		put(t, ". ");
	}
	if (cJSON_IsBool(at(fb, "efa_used"))) {
		put(t, "EFA was %sused", cJSON_IsTrue(at(fb, "efa_used")) ?
		    "" : "not ");
		if (!cJSON_IsTrue(at(fb, "efa_used")) && str_at(prov, "note")) {
			put(t, " (");
			esc(t, str_at(prov, "note"));
			put(t, ")");
		}
		put(t, ". ");
	}
}

static void narrative_allreduce(struct text *t, const cJSON *root)
{
	const cJSON *ar = phase_at(root, "allreduce"), *size, *pick = NULL;
	double b, best = -1, v, ranks;
	char sz[48];

	cJSON_ArrayForEach(size, at(ar, "sizes")) {
		if (!num_of(at(size, "bytes"), &b) ||
		    !num_of(at(size, "busbw_bytes_per_s"), &v))
			continue;
		if (b == 1048576) {
			pick = size;
			break;
		}
		if (b > best) {
			best = b;
			pick = size;
		}
	}
	if (!pick) {
		put(t, "The all-reduce phase reported no bus bandwidth. ");
		return;
	}
	fmt_bytes(sz, sizeof(sz), num_at(pick, "bytes", 0));
	put(t, "The %s all-reduce reached ", sz);
	put_val(t, num_at(pick, "busbw_bytes_per_s", 0) / 1e9);
	put(t, " GB/s bus bandwidth");
	if (num_of(at(ar, "ranks"), &ranks))
		put(t, " over %.0f ranks", ranks);
	if (num_of(at(at(pick, "latency_ns"), "p50"), &v)) {
		put(t, " (p50 ");
		put_us(t, v);
		put(t, " per call");
		if (num_of(at(pick, "samples_count"), &v))
			put(t, ", %.0f samples", v);
		put(t, ")");
	}
	put(t, ". ");
}

/* "2.5 GFLOP/s" from a kernel's total_<unit>_per_s. */
static int kernel_rate(struct text *t, const cJSON *k)
{
	const char *unit = str_at(k, "work_unit");
	char key[64];
	double v;

	if (!unit)
		return 0;
	/* Work over the wall span; the deprecated sum of per-rank round
	 * rates only in documents that lack it. */
	sfmt(key, sizeof(key), "job_%s_per_s", unit);
	if (!at(k, key))
		sfmt(key, sizeof(key), "total_%s_per_s", unit);
	if (!num_of(at(k, key), &v))
		return 0;
	if (strcmp(unit, "flops") == 0) {
		put_val(t, v / 1e9);
		put(t, " GFLOP/s");
	} else if (strcmp(unit, "bytes") == 0) {
		put_val(t, v / 1e9);
		put(t, " GB/s");
	} else {
		put_val(t, v / 1e6);
		put(t, " M");
		esc(t, unit);
		put(t, "/s");
	}
	return 1;
}

static void narrative_compute(struct text *t, const cJSON *root)
{
	const cJSON *c = phase_at(root, "compute"), *lb = at(c, "load_balance");
	const cJSON *k;
	double v;
	int n = 0;

	if (cJSON_IsTrue(at(at(c, "load_balance_robust"), "noisy"))) {
		char rb[1024];

		/* Not a finding: say why instead. */
		hpcp_report_robust_lb(at(c, "load_balance_robust"), rb,
				      sizeof(rb));
		put(t, "Compute load balance was not measurable: ");
		esc(t, rb);
		put(t, ". ");
	} else if (num_of(at(lb, "load_balance_ratio"), &v)) {
		char rb[1024];

		put(t, "Compute load balance was %.3f", v);
		if (hpcp_report_robust_lb(at(c, "load_balance_robust"), rb,
					  sizeof(rb))) {
			put(t, " raw, ");
			esc(t, rb);
			put(t, " from undisturbed rounds");
		}
		if (num_of(at(c, "expected_load_balance_ratio"), &v)) {
			put(t, " (expected %.3f for --imbalance ", v);
			put_val(t, num_at(c, "imbalance_factor", NAN));
			put(t, ")");
		}
		if (num_of(at(lb, "parallel_efficiency_ratio"), &v))
			put(t, ", parallel efficiency %.3f", v);
		if (num_of(at(lb, "slowest_rank"), &v)) {
			put(t, "; slowest rank %.0f", v);
			if (str_at(lb, "slowest_host")) {
				put(t, " on host ");
				esc(t, str_at(lb, "slowest_host"));
			}
		}
		put(t, ". ");
	} else {
		put(t, "The compute phase reported no load balance. ");
	}
	cJSON_ArrayForEach(k, at(c, "kernels")) {
		const char *s = str_at(k, "status");
		size_t mark = t->len;

		put(t, "%s", n ? ", " : "Kernel totals: ");
		esc(t, k->string);
		put(t, " ");
		if (s && strcmp(s, "ok") == 0) {
			if (!kernel_rate(t, k)) {
				t->len = t->oom ? t->len : mark;
				continue;
			}
		} else {
			esc(t, s ? s : "without status");
			if (str_at(k, "reason")) {
				put(t, " (");
				esc(t, str_at(k, "reason"));
				put(t, ")");
			}
		}
		n++;
	}
	if (n)
		put(t, ". ");
}

static void narrative(struct text *t, const cJSON *root)
{
	const cJSON *ctx = at(root, "context"), *mpi = at(ctx, "mpi");
	const char *lib = str_at(mpi, "library");
	double nodes, ranks;

	put(t, "<p class=\"narrative\">");
	if (cJSON_IsFalse(at(at(root, "run"), "complete")))
		put(t, "This document was written before the run finished. ");
	put(t, "%s", phase_ok(root, "pingpong") ? "On " : "The run used ");
	if (num_of(at(mpi, "nodes"), &nodes))
		put(t, "%.0f node%s", nodes, nodes == 1 ? "" : "s");
	else
		put(t, "an unknown number of nodes");
	if (num_of(at(mpi, "ranks"), &ranks))
		put(t, " with %.0f rank%s", ranks, ranks == 1 ? "" : "s");
	put(t, " (launcher ");
	esc(t, str_at(ctx, "launcher") ? str_at(ctx, "launcher") : "unknown");
	put(t, ", MPI ");
	if (lib) {
		/* up to the first comma: "Open MPI v4.1.4" */
		const char *comma = strchr(lib, ',');
		size_t n = comma ? (size_t)(comma - lib) : strlen(lib);
		char *shortlib = malloc(n + 1);

		if (shortlib) {
			memcpy(shortlib, lib, n);
			shortlib[n] = '\0';
			esc(t, shortlib);
			free(shortlib);
		} else {
			t->oom = 1;
		}
	} else {
		put(t, "unknown");
	}
	put(t, ")");
	if (phase_ok(root, "pingpong")) {
		put(t, ", ");
		narrative_pingpong(t, root);
	} else {
		put(t, ". ");
		phase_sentence(t, root, "pingpong", "MPI ping-pong");
	}
	if (phase_ok(root, "fabric"))
		narrative_fabric(t, root);
	else
		phase_sentence(t, root, "fabric", "libfabric");
	if (phase_ok(root, "allreduce"))
		narrative_allreduce(t, root);
	else
		phase_sentence(t, root, "allreduce", "all-reduce");
	if (phase_ok(root, "compute"))
		narrative_compute(t, root);
	else
		phase_sentence(t, root, "compute", "compute");
	if (phase_ok(root, "pingpong")) {
		const cJSON *nm = at(phase_at(root, "pingpong"), "node_matrix");
		const cJSON *o;
		int n = 0;

		put(t, "Outlier nodes: ");
		cJSON_ArrayForEach(o, at(nm, "outliers")) {
			if (!cJSON_IsString(o))
				continue;
			put(t, "%s", n++ ? ", " : "");
			esc(t, o->valuestring);
		}
		if (cJSON_IsTrue(at(nm, "noisy"))) {
			put(t, "%snoisy host, not a finding: ", n ? " (" : "none (");
			esc(t, str_at(nm, "noisy_reason") ?
				       str_at(nm, "noisy_reason") : "?");
			put(t, ")");
		} else if (!n) {
			put(t, "none");
			if (str_at(nm, "reason")) {
				put(t, " (");
				esc(t, str_at(nm, "reason"));
				put(t, ")");
			}
		}
		put(t, ". ");
	}
	if (phase_ok(root, "topology")) {
		const cJSON *h;
		int n = 0;

		put(t, "Oversubscribed hosts: ");
		cJSON_ArrayForEach(h, at(phase_at(root, "topology"), "hosts")) {
			if (!cJSON_IsTrue(at(h, "oversubscribed")))
				continue;
			put(t, "%s", n++ ? ", " : "");
			esc(t, str_at(h, "name") ? str_at(h, "name") : "?");
			if (num_of(at(h, "ranks_count"), &ranks) &&
			    num_of(at(h, "usable_pus_count"), &nodes))
				put(t, " (%.0f ranks on %.0f usable PUs)", ranks,
				    nodes);
		}
		put(t, "%s.", n ? "" : "none");
	} else {
		phase_sentence(t, root, "topology", "topology");
	}
	put(t, "</p>\n");
}

/* --- Header and tables ------------------------------------------------ */

static void header(struct text *t, const cJSON *root)
{
	const cJSON *ctx = at(root, "context"), *run = at(root, "run"), *h;
	const cJSON *mpi = at(ctx, "mpi");
	double v, w;
	int n = 0, total = cJSON_GetArraySize(at(ctx, "hosts"));

	put(t, "<header>\n<h1>hpcprobe report</h1>\n<dl class=\"meta\">\n");
	put(t, "<dt>Status</dt><dd>");
	status_badge(t, str_at(root, "status"));
	if (cJSON_IsFalse(at(run, "complete")))
		put(t, " (written between phases)");
	put(t, "</dd>\n<dt>Tool</dt><dd>");
	esc(t, str_at(at(root, "tool"), "name") ?
	    str_at(at(root, "tool"), "name") : "hpcprobe");
	put(t, " ");
	esc(t, str_at(at(root, "tool"), "version") ?
	    str_at(at(root, "tool"), "version") : "(version unknown)");
	if (str_at(at(root, "tool"), "git_commit")) {
		put(t, " (");
		esc(t, str_at(at(root, "tool"), "git_commit"));
		put(t, ")");
	}
	put(t, "</dd>\n<dt>Started (UTC)</dt><dd>");
	esc(t, str_at(run, "started_utc") ? str_at(run, "started_utc") : "unknown");
	put(t, "</dd>\n<dt>Duration</dt><dd>");
	if (num_of(at(run, "duration_s"), &v))
		put(t, "%.2f s", v);
	else
		put(t, "unknown");
	put(t, "</dd>\n<dt>Ranks / nodes</dt><dd>");
	if (num_of(at(mpi, "ranks"), &v) && num_of(at(mpi, "nodes"), &w))
		put(t, "%.0f ranks on %.0f node%s", v, w, w == 1 ? "" : "s");
	else
		put(t, "unknown");
	put(t, "</dd>\n<dt>Launcher</dt><dd>");
	esc(t, str_at(ctx, "launcher") ? str_at(ctx, "launcher") : "unknown");
	put(t, "</dd>\n<dt>MPI library</dt><dd>");
	esc(t, str_at(mpi, "library") ? str_at(mpi, "library") : "unknown");
	put(t, "</dd>\n<dt>Hosts</dt><dd>");
	cJSON_ArrayForEach(h, at(ctx, "hosts")) {
		if (n >= LIST_MAX_HOSTS) {
			put(t, " \u2026 and %d more", total - n);
			break;
		}
		put(t, "%s", n++ ? ", " : "");
		esc(t, str_at(h, "name") ? str_at(h, "name") : "?");
		if (cJSON_GetArraySize(at(h, "ranks")) > 0)
			put(t, " (%d rank%s)", cJSON_GetArraySize(at(h, "ranks")),
			    cJSON_GetArraySize(at(h, "ranks")) == 1 ? "" : "s");
	}
	if (!n)
		put(t, "unknown");
	put(t, "</dd>\n</dl>\n</header>\n");
}

static void table_phases(struct text *t, const cJSON *root)
{
	const cJSON *ph, *w;
	double v;

	put(t, "<h2>Phases</h2>\n<table>\n<thead><tr><th>phase</th><th class=\"l\">"
	       "status</th><th>duration (s)</th><th class=\"l\">reason / warnings"
	       "</th></tr></thead>\n<tbody>\n");
	cJSON_ArrayForEach(ph, at(root, "phases")) {
		int n = 0;

		put(t, "<tr><td>");
		esc(t, ph->string);
		put(t, "</td><td class=\"l\">");
		status_badge(t, str_at(ph, "status"));
		put(t, "</td><td>");
		if (num_of(at(ph, "duration_s"), &v))
			put(t, "%.3f", v);
		put(t, "</td><td class=\"l\">");
		if (str_at(ph, "reason")) {
			esc(t, str_at(ph, "reason"));
			n++;
		}
		cJSON_ArrayForEach(w, at(ph, "warnings")) {
			if (!cJSON_IsString(w))
				continue;
			put(t, "%s", n++ ? "<br>" : "");
			put(t, "\u26a0 ");
			esc(t, w->valuestring);
		}
		put(t, "</td></tr>\n");
	}
	put(t, "</tbody>\n</table>\n");
}

/* A table cell for a missing percentile: "n/a" with the document's reason
 * as a tooltip when too few samples left it null, a dash when absent. */
static void put_na(struct text *t, const cJSON *lat, const char *key)
{
	const char *why = str_at(lat, "percentiles_reason");

	if (!cJSON_IsNull(at(lat, key))) {
		put(t, "\u2013");
		return;
	}
	put(t, "<span class=\"na\" title=\"");
	esc(t, why ? why : "too few samples");
	put(t, "\">n/a</span>");
}

static void table_pairs(struct text *t, const cJSON *root, const char *phase,
			const char *what)
{
	const cJSON *pairs = at(phase_at(root, phase), "pairs"), *pair, *size;
	int n = 0, total = cJSON_GetArraySize(pairs);

	if (!phase_ok(root, phase) || total < 1)
		return;
	put(t, "<div class=\"tables\">\n");
	cJSON_ArrayForEach(pair, pairs) {
		if (n++ >= TABLE_MAX_PAIRS)
			break;
		put(t, "<table>\n<caption>");
		pair_label(t, what, pair, 0);
		put(t, "</caption>\n<thead><tr><th>bytes</th><th>p50 \u00b5s</th>"
		       "<th>p99 \u00b5s</th><th>max \u00b5s</th><th>bandwidth "
		       "MB/s</th></tr></thead>\n<tbody>\n");
		cJSON_ArrayForEach(size, at(pair, "sizes")) {
			const cJSON *lat = at(size, "latency_ns");
			const char *q[] = { "p50", "p99", "max" };
			char b[48];
			double v;

			if (!num_of(at(size, "bytes"), &v))
				continue;
			fmt_bytes(b, sizeof(b), v);
			put(t, "<tr><td>%s</td>", b);
			for (int i = 0; i < 3; i++) {
				put(t, "<td>");
				if (num_of(at(lat, q[i]), &v))
					put_val(t, v / 1e3);
				else
					put_na(t, lat, q[i]);
				put(t, "</td>");
			}
			put(t, "<td>");
			if (num_of(at(size, "bandwidth_bytes_per_s"), &v))
				put_val(t, v / 1e6);
			else
				put(t, "\u2013");
			put(t, "</td></tr>\n");
		}
		put(t, "</tbody>\n</table>\n");
	}
	put(t, "</div>\n");
	if (total > TABLE_MAX_PAIRS)
		put(t, "<p class=\"small\">%d of %d %s pairs shown.</p>\n",
		    TABLE_MAX_PAIRS, total, what);
}

static void table_allreduce(struct text *t, const cJSON *root)
{
	const cJSON *ar = phase_at(root, "allreduce"), *size;

	if (!phase_ok(root, "allreduce"))
		return;
	put(t, "<table>\n<caption>MPI_Allreduce");
	if (str_at(ar, "operation")) {
		put(t, " (");
		esc(t, str_at(ar, "operation"));
		put(t, ")");
	}
	put(t, "</caption>\n<thead><tr><th>bytes</th><th>p50 \u00b5s</th>"
	       "<th>p99 \u00b5s</th><th>algbw GB/s</th><th>busbw GB/s</th>"
	       "<th>slowest rank</th><th>correct</th></tr></thead>\n<tbody>\n");
	cJSON_ArrayForEach(size, at(ar, "sizes")) {
		const cJSON *lat = at(size, "latency_ns");
		char b[48];
		double v;

		if (!num_of(at(size, "bytes"), &v))
			continue;
		fmt_bytes(b, sizeof(b), v);
		put(t, "<tr><td>%s</td>", b);
		put(t, "<td>");
		if (num_of(at(lat, "p50"), &v))
			put_val(t, v / 1e3);
		else
			put_na(t, lat, "p50");
		put(t, "</td><td>");
		if (num_of(at(lat, "p99"), &v))
			put_val(t, v / 1e3);
		else
			put_na(t, lat, "p99");
		put(t, "</td><td>");
		if (num_of(at(size, "algbw_bytes_per_s"), &v))
			put_val(t, v / 1e9);
		put(t, "</td><td>");
		if (num_of(at(size, "busbw_bytes_per_s"), &v))
			put_val(t, v / 1e9);
		put(t, "</td><td>");
		if (num_of(at(size, "slowest_rank"), &v))
			put(t, "%.0f", v);
		put(t, "</td><td>%s</td></tr>\n",
		    cJSON_IsTrue(at(size, "result_correct")) ? "yes" :
		    cJSON_IsFalse(at(size, "result_correct")) ? "<b>no</b>" :
		    "\u2013");
	}
	put(t, "</tbody>\n</table>\n");
}

static void table_compute(struct text *t, const cJSON *root)
{
	const cJSON *c = phase_at(root, "compute"), *k;

	if (!phase_ok(root, "compute"))
		return;
	put(t, "<table>\n<caption>Compute kernels</caption>\n<thead><tr>"
	       "<th>kernel</th><th class=\"l\">status</th><th>total rate</th>"
	       "<th>load balance</th><th>parallel eff.</th><th>slowest</th>"
	       "<th class=\"l\">notes</th></tr></thead>\n<tbody>\n");
	cJSON_ArrayForEach(k, at(c, "kernels")) {
		const cJSON *lb = at(k, "load_balance");
		double v;

		put(t, "<tr><td>");
		esc(t, k->string);
		put(t, "</td><td class=\"l\">");
		status_badge(t, str_at(k, "status"));
		put(t, "</td><td>");
		if (!kernel_rate(t, k))
			put(t, "\u2013");
		put(t, "</td><td>");
		put_ratio(t, num_at(lb, "load_balance_ratio", NAN));
		{
			char rb[1024];

			if (hpcp_report_robust_lb(at(k, "load_balance_robust"),
						  rb, sizeof(rb))) {
				put(t, "<br>robust ");
				esc(t, rb);
			}
		}
		put(t, "</td><td>");
		put_ratio(t, num_at(lb, "parallel_efficiency_ratio", NAN));
		put(t, "</td><td>");
		if (num_of(at(lb, "slowest_rank"), &v)) {
			put(t, "r%.0f", v);
			if (str_at(lb, "slowest_host")) {
				put(t, " (");
				esc_n(t, str_at(lb, "slowest_host"), 16);
				put(t, ")");
			}
		}
		put(t, "</td><td class=\"l\">");
		if (str_at(k, "reason"))
			esc(t, str_at(k, "reason"));
		else if (str_at(k, "array_size_note"))
			esc(t, str_at(k, "array_size_note"));
		put(t, "</td></tr>\n");
	}
	put(t, "</tbody>\n</table>\n");
}

static void warnings_list(struct text *t, const cJSON *root)
{
	const cJSON *w, *ch;
	int n = 0;

	put(t, "<h2>Warnings</h2>\n");
	cJSON_ArrayForEach(w, at(root, "warnings")) {
		if (!cJSON_IsString(w))
			continue;
		put(t, "%s<li>", n++ ? "" : "<ul class=\"warn\">\n");
		esc(t, w->valuestring);
		put(t, "</li>\n");
	}
	put(t, "%s", n ? "</ul>\n" : "<p>None.</p>\n");
	n = 0;
	cJSON_ArrayForEach(ch, at(root, "checks")) {
		char *val;

		if (!n++)
			put(t, "<h2>Checks</h2>\n<table>\n<thead><tr><th>check</th>"
			       "<th>value</th><th>pass</th></tr></thead>\n"
			       "<tbody>\n");
		put(t, "<tr><td>");
		esc(t, str_at(ch, "name"));
		put(t, "</td><td>");
		val = at(ch, "value") ? cJSON_PrintUnformatted(at(ch, "value")) :
		      NULL;
		esc_n(t, val, 80);
		cJSON_free(val);
		put(t, "</td><td>%s</td></tr>\n",
		    cJSON_IsTrue(at(ch, "pass")) ? "yes" : "<b>no</b>");
	}
	if (n)
		put(t, "</tbody>\n</table>\n");
}

/* --- The page ----------------------------------------------------------- */

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
static void signature_comment(struct text *t, size_t from)
{
	static const char *const charts[][3] = {
		{ "chart-latency", SIG_LATENCY, NULL },
		{ "chart-busbw", SIG_BUSBW, NULL },
		{ "chart-heatmap", SIG_HEAT, HEAT_NA },
		{ "chart-load", SIG_LOAD, NULL },
	};
	char *copy;

	if (t->oom || !t->buf || from > t->len)
		return;
	copy = strndup(t->buf + from, t->len - from);
	if (!copy) {
		t->oom = 1;
		return;
	}
	put(t, "<!-- signature colours:");
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
				put(t, " %s=%s", charts[i][0], charts[i][c]);
				break;
			}
		}
		*end = '<';
	}
	put(t, " -->\n");
	free(copy);
}

static void page(struct text *t, const cJSON *root)
{
	size_t charts_start;

	const cJSON *sch = at(root, "schema");

	put(t, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n"
	       "<meta charset=\"utf-8\">\n"
	       "<meta name=\"viewport\" content=\"width=device-width, "
	       "initial-scale=1\">\n<title>hpcprobe report");
	if (str_at(at(root, "run"), "started_utc")) {
		put(t, " \u2013 ");
		esc(t, str_at(at(root, "run"), "started_utc"));
	}
	put(t, "</title>\n<style>\n%s</style>\n</head>\n<body>\n", CSS);
	header(t, root);
	narrative(t, root);
	put(t, "<h2>Charts</h2>\n");
	charts_start = t->len;
	chart_latency(t, root);
	chart_busbw(t, root);
	chart_heatmap(t, root);
	chart_load(t, root);
	signature_comment(t, charts_start);
	table_phases(t, root);
	if (phase_ok(root, "pingpong") || phase_ok(root, "fabric")) {
		put(t, "<h2>Point-to-point latency and bandwidth</h2>\n");
		table_pairs(t, root, "pingpong", "MPI");
		table_pairs(t, root, "fabric",
			    str_at(at(phase_at(root, "fabric"), "provider"),
				   "name") ?
			    str_at(at(phase_at(root, "fabric"), "provider"),
				   "name") : "libfabric");
	}
	if (phase_ok(root, "allreduce")) {
		put(t, "<h2>All-reduce</h2>\n");
		table_allreduce(t, root);
	}
	if (phase_ok(root, "compute")) {
		put(t, "<h2>Compute</h2>\n");
		table_compute(t, root);
	}
	warnings_list(t, root);
	put(t, "<footer>Generated by hpcprobe from a results document (schema ");
	esc(t, str_at(sch, "name") ? str_at(sch, "name") : "unknown");
	put(t, " ");
	esc(t, str_at(sch, "version") ? str_at(sch, "version") : "");
	put(t, "). Every figure on this page is a value of that document."
	       "</footer>\n</body>\n</html>\n");
}

int hpcp_report_html(const cJSON *root, const char *path, char *err,
		     size_t errlen)
{
	struct text t = { 0 };
	int rc;

	if (!cJSON_IsObject(root) || !path) {
		snprintf(err, errlen, "no results document to report");
		return -EINVAL;
	}
	page(&t, root);
	if (t.oom) {
		snprintf(err, errlen, "out of memory");
		free(t.buf);
		return -ENOMEM;
	}
	rc = hpcp_report_publish(t.buf, t.len, path, err, errlen);
	free(t.buf);
	return rc;
}
