/*
 * Charts of the storage phase: the latency distribution of each
 * (sub-phase, operation), read and write throughput per sub-phase, and
 * the metadata rates in per-rank directories against one shared one.
 * Drawn when the document has the phase; a phase that is not ok (its
 * numbers, if any, are not results), or a chart without numbers, says
 * why in one line instead.  Every entry of
 * the phase's ops array is a row: the height grows with them, no cap.
 */
#include "config.h"

#include "html.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#define STG_W 900
#define STG_ROW 22              /* one operation's row */
#define STG_WRITE "#a6dba0"     /* write bars beside read's signature */
#define STG_MD_SHARED "#c2a5cf" /* shared-directory bars */
#define STG_REF "#57606a"       /* the 1 ms line of the claim */

/* The latency statistics drawn, smallest first. */
static const char *const stat_keys[] = { "min", "p50", "p90", "p99",
					 "p99_9", "max" };
static const char *const stat_names[] = { "min", "p50", "p90", "p99",
					  "p99.9", "max" };
#define N_STATS 6

/* Sub-phases in words for labels; unknown ones as the document has them. */
static void put_sub(struct hpcp_text *t, const char *sub)
{
	static const char *const names[][2] = {
		{ "metadata_rank_dirs", "metadata, rank dirs" },
		{ "metadata_shared_dir", "metadata, shared dir" },
	};

	for (size_t i = 0; sub && i < sizeof(names) / sizeof(names[0]); i++)
		if (strcmp(sub, names[i][0]) == 0) {
			hpcp_put(t, "%s", names[i][1]);
			return;
		}
	hpcp_html_esc_n(t, sub ? sub : "?", 24);
}

static int is_sub(const cJSON *op, const char *sub)
{
	const char *s = hpcp_str_at(op, "subphase");

	return s && strcmp(s, sub) == 0;
}

static int is_metadata(const cJSON *op)
{
	return is_sub(op, "metadata_rank_dirs") ||
	       is_sub(op, "metadata_shared_dir");
}

/* A row's label, right-aligned before the plot. */
static void row_label(struct hpcp_text *t, const struct hpcp_frame *f,
		      double y, const cJSON *op, const char *what)
{
	hpcp_put(t, "<text class=\"hl\" x=\"%.1f\" y=\"%.1f\" "
		 "text-anchor=\"end\">", f->x - 8, y + 4);
	put_sub(t, hpcp_str_at(op, "subphase"));
	hpcp_put(t, " \u00b7 ");
	hpcp_html_esc_n(t, what ? what : "?", 24);
	hpcp_put(t, "</text>\n");
}

/* 10^e in units of base 1000: "100 µs", "1 ms", "10k". */
static void decade_label(char *b, size_t n, int e, const char *const *unit,
			 int nunit)
{
	int k = e < 0 ? 0 : e / 3;

	if (k >= nunit)
		k = nunit - 1;
	if (e - 3 * k < 0)
		hpcp_html_sfmt(b, n, "%.*f%s", 3 * k - e, pow(10, e - 3 * k),
			       unit[k]);
	else
		hpcp_html_sfmt(b, n, "%.0f%s", pow(10, e - 3 * k), unit[k]);
}

/* A vertical grid line at x with its tick and label under the plot;
 * the axis title once, after the last (label NULL). */
static void x_mark(struct hpcp_text *t, const struct hpcp_frame *f,
		   double x, const char *label)
{
	double yb = f->y + f->h;

	if (!label) {
		hpcp_put(t, "<text class=\"at\" x=\"%.1f\" y=\"%.1f\" "
			 "text-anchor=\"middle\">", f->x + f->w / 2, yb + 36);
		return;
	}
	hpcp_put(t, "<line class=\"gr\" x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" "
		 "y2=\"%.1f\"/>\n<line class=\"tk\" x1=\"%.1f\" y1=\"%.1f\" "
		 "x2=\"%.1f\" y2=\"%.1f\"/>\n<text x=\"%.1f\" y=\"%.1f\" "
		 "text-anchor=\"middle\">%s</text>\n", x, f->y, x, yb, x, yb,
		 x, yb + 5, x, yb + 17, label);
}

/* A log10 x axis over the frame's decades. */
static void axis_x_log10(struct hpcp_text *t, const struct hpcp_frame *f,
			 const char *const *unit, int nunit, const char *title)
{
	char b[48];

	for (int e = (int)f->xlo; e <= (int)f->xhi; e++) {
		decade_label(b, sizeof(b), e, unit, nunit);
		x_mark(t, f, hpcp_html_fx(f, pow(10, e)), b);
	}
	x_mark(t, f, 0, NULL);
	hpcp_put(t, "%s</text>\n", title);
}

/* The decades covering [lo, hi] (both > 0) on x. */
static void x_decades(struct hpcp_frame *f, double lo, double hi)
{
	f->xlog = 10;
	f->xlo = floor(log10(lo));
	f->xhi = ceil(log10(hi));
	if (f->xhi <= f->xlo)
		f->xhi = f->xlo + 1;
}

static void frame_rows(struct hpcp_frame *f, double right, double h)
{
	f->x = 190;
	f->y = 30;
	f->w = STG_W - f->x - right;
	f->h = h;
}

/* --- latency distribution ---------------------------------------------- */

/* The op's latency statistics in ns (NAN when not positive numbers);
 * how many can be drawn. */
static int lat_stats(const cJSON *op, double v[N_STATS])
{
	const cJSON *lat = hpcp_at(op, "latency_ns");
	int n = 0;

	for (int k = 0; k < N_STATS; k++) {
		if (!hpcp_num_of(hpcp_at(lat, stat_keys[k]), &v[k]) ||
		    v[k] <= 0)
			v[k] = NAN;
		else
			n++;
	}
	return n;
}

static void lat_title(struct hpcp_text *t, const cJSON *op,
		      const double v[N_STATS])
{
	const char *why = hpcp_str_at(hpcp_at(op, "latency_ns"),
				      "percentiles_reason");
	double n;

	hpcp_put(t, "<title>");
	put_sub(t, hpcp_str_at(op, "subphase"));
	hpcp_put(t, " ");
	hpcp_html_esc(t, hpcp_str_at(op, "op"));
	hpcp_put(t, ":");
	for (int k = 0; k < N_STATS; k++) {
		hpcp_put(t, "%s %s ", k ? "," : "", stat_names[k]);
		hpcp_html_put_val(t, v[k] / 1e3);
	}
	hpcp_put(t, " \u00b5s");
	if (hpcp_num_of(hpcp_at(op, "ops_count"), &n))
		hpcp_put(t, " over %.0f operations", n);
	if (why) {
		hpcp_put(t, " (");
		hpcp_html_esc(t, why);
		hpcp_put(t, ")");
	}
	if (cJSON_IsTrue(hpcp_at(op, "noisy"))) {
		hpcp_put(t, "; noisy: ");
		hpcp_html_esc(t, hpcp_str_at(op, "noisy_reason") ?
			      hpcp_str_at(op, "noisy_reason") : "yes");
	}
	hpcp_put(t, "</title>");
}

static void lat_circle(struct hpcp_text *t, const struct hpcp_frame *f,
		       double v, double y, int filled)
{
	if (isfinite(v))
		hpcp_put(t, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"3.5\" "
			 "fill=\"%s\" stroke=\"%s\" stroke-width=\"1.5\"/>",
			 hpcp_html_fx(f, v), y, filled ? HPCP_SIG_STORAGE_LAT :
			 "#fff", HPCP_SIG_STORAGE_LAT);
}

static void lat_tick(struct hpcp_text *t, const struct hpcp_frame *f,
		     double v, double y, double half, double width)
{
	double x = hpcp_html_fx(f, v);

	if (isfinite(v))
		hpcp_put(t, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" "
			 "y2=\"%.1f\" stroke=\"%s\" stroke-width=\"%.1f\"/>",
			 x, y - half, x, y + half, HPCP_SIG_STORAGE_LAT, width);
}

/*
 * One operation: a line over the statistics it has, a box from p50 to
 * p90, ticks at min, p50 and max, circles at p99 (open) and p99.9.
 */
static void lat_row(struct hpcp_text *t, const struct hpcp_frame *f,
		    const cJSON *op, double y)
{
	double v[N_STATS], lo = NAN, hi = NAN, n;

	lat_stats(op, v);
	for (int k = 0; k < N_STATS; k++)
		if (isfinite(v[k])) {
			lo = isfinite(lo) ? lo : v[k];
			hi = v[k];
		}
	hpcp_put(t, "<g data-storage-lat=\"");
	hpcp_html_esc(t, hpcp_str_at(op, "subphase"));
	hpcp_put(t, "/");
	hpcp_html_esc(t, hpcp_str_at(op, "op"));
	hpcp_put(t, "\">");
	lat_title(t, op, v);
	hpcp_put(t, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" "
		 "stroke=\"%s\" stroke-width=\"1.2\"/>", hpcp_html_fx(f, lo), y,
		 hpcp_html_fx(f, hi), y, HPCP_SIG_STORAGE_LAT);
	if (isfinite(v[1]) && isfinite(v[2]))
		hpcp_put(t, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.2f\" "
			 "height=\"10\" fill=\"%s\" fill-opacity=\"0.3\" "
			 "stroke=\"%s\"/>", hpcp_html_fx(f, v[1]), y - 5,
			 hpcp_html_fx(f, v[2]) - hpcp_html_fx(f, v[1]),
			 HPCP_SIG_STORAGE_LAT, HPCP_SIG_STORAGE_LAT);
	lat_tick(t, f, v[0], y, 4, 1.2);
	lat_tick(t, f, v[5], y, 4, 1.2);
	lat_tick(t, f, v[1], y, 6, 2.5);
	lat_circle(t, f, v[3], y, 0);
	lat_circle(t, f, v[4], y, 1);
	hpcp_put(t, "</g>\n");
	if (hpcp_num_of(hpcp_at(op, "ops_count"), &n))
		hpcp_put(t, "<text class=\"hl\" x=\"%.1f\" y=\"%.1f\">%.0f "
			 "ops%s</text>\n", f->x + f->w + 8, y + 4, n,
			 cJSON_IsTrue(hpcp_at(op, "noisy")) ? ", noisy" : "");
}

static void lat_legend(struct hpcp_text *t, const struct hpcp_frame *f)
{
	double x = f->x;
	const char *c = HPCP_SIG_STORAGE_LAT;

	hpcp_put(t, "<line x1=\"%.1f\" y1=\"12\" x2=\"%.1f\" y2=\"12\" "
		 "stroke=\"%s\" stroke-width=\"1.2\"/><text x=\"%.1f\" "
		 "y=\"16\">min\u2013max</text>\n", x, x + 22, c, x + 28);
	x += 100;
	hpcp_put(t, "<rect x=\"%.1f\" y=\"7\" width=\"22\" height=\"10\" "
		 "fill=\"%s\" fill-opacity=\"0.3\" stroke=\"%s\"/><line "
		 "x1=\"%.1f\" y1=\"6\" x2=\"%.1f\" y2=\"18\" stroke=\"%s\" "
		 "stroke-width=\"2.5\"/><text x=\"%.1f\" y=\"16\">p50 (tick) "
		 "to p90</text>\n", x, c, c, x, x, c, x + 28);
	x += 150;
	hpcp_put(t, "<circle cx=\"%.1f\" cy=\"12\" r=\"3.5\" fill=\"#fff\" "
		 "stroke=\"%s\" stroke-width=\"1.5\"/><text x=\"%.1f\" "
		 "y=\"16\">p99</text>\n", x + 4, c, x + 14);
	x += 50;
	hpcp_put(t, "<circle cx=\"%.1f\" cy=\"12\" r=\"3.5\" fill=\"%s\" "
		 "stroke=\"%s\" stroke-width=\"1.5\"/><text x=\"%.1f\" "
		 "y=\"16\">p99.9</text>\n", x + 4, c, c, x + 14);
	x += 70;
	hpcp_put(t, "<line class=\"dash\" x1=\"%.1f\" y1=\"12\" x2=\"%.1f\" "
		 "y2=\"12\" stroke=\"%s\"/><text x=\"%.1f\" y=\"16\">1 ms"
		 "</text>\n", x, x + 22, STG_REF, x + 28);
}

/* The claim's bound, when 1 ms is on the axis. */
static void lat_ms_line(struct hpcp_text *t, const struct hpcp_frame *f)
{
	double x = hpcp_html_fx(f, 1e6);

	if (f->xlo <= 6 && f->xhi >= 6)
		hpcp_put(t, "<line class=\"dash\" data-series=\"1ms\" "
			 "x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" "
			 "stroke=\"%s\"/>\n", x, f->y, x, f->y + f->h,
			 STG_REF);
}

static void lat_caption(struct hpcp_text *t, const cJSON *ph, int left)
{
	double v;

	hpcp_put(t, "<figcaption>Every call timed alone and merged across "
		 "ranks, per sub-phase and operation (log scale). A "
		 "percentile is not drawn where too few operations support "
		 "it (its reason in the row's tooltip)");
	if (hpcp_num_of(hpcp_at(cJSON_GetArrayItem(hpcp_at(ph, "ops"), 0),
				"p99_9_min_count"), &v))
		hpcp_put(t, "; a p99.9 within 1 ms at 99 %% confidence needs "
			 "%.0f operations", v);
	hpcp_put(t, ". Rows marked noisy ran while other work held over a "
		 "quarter of the CPUs.");
	if (left)
		hpcp_put(t, " Not drawn: %d operation%s without a positive "
			 "latency.", left, left == 1 ? "" : "s");
	hpcp_put(t, "</figcaption>\n</figure>\n");
}

static void chart_latency(struct hpcp_text *t, const cJSON *root)
{
	static const char *const unit[] = { " ns", " \u00b5s", " ms", " s" };
	const cJSON *ph = hpcp_phase_at(root, "storage"), *op;
	double lo = INFINITY, hi = 0, v[N_STATS], y;
	struct hpcp_frame f = { 0 };
	int rows = 0, left = 0;

	cJSON_ArrayForEach(op, hpcp_at(ph, "ops")) {
		if (!lat_stats(op, v)) {
			left++;
			continue;
		}
		rows++;
		for (int k = 0; k < N_STATS; k++)
			if (isfinite(v[k])) {
				lo = fmin(lo, v[k]);
				hi = fmax(hi, v[k]);
			}
	}
	hpcp_html_fig_open(t, "chart-storage-latency",
			   "Storage: latency distribution per operation");
	if (!rows || !hpcp_phase_ok(root, "storage")) {
		hpcp_html_figure_without_data(t, root, "storage",
			"no operation has a latency",
			"Latency min, p50, p90, p99, p99.9 and max per "
			"sub-phase and operation.");
		return;
	}
	frame_rows(&f, 110, (double)rows * STG_ROW);
	x_decades(&f, lo, hi);
	hpcp_html_svg_open(t, STG_W, (int)(f.y + f.h + 52),
			   "storage latency per sub-phase and operation");
	lat_legend(t, &f);
	axis_x_log10(t, &f, unit, 4, "latency (log scale)");
	lat_ms_line(t, &f);
	y = f.y + STG_ROW / 2.0;
	cJSON_ArrayForEach(op, hpcp_at(ph, "ops")) {
		if (!lat_stats(op, v))
			continue;
		row_label(t, &f, y, op, hpcp_str_at(op, "op"));
		lat_row(t, &f, op, y);
		y += STG_ROW;
	}
	hpcp_html_frame_box(t, &f);
	hpcp_put(t, "</svg>\n");
	lat_caption(t, ph, left);
}

/* --- throughput ---------------------------------------------------------- */

static const struct {
	const char *key, *label, *colour;
} dirs[] = {
	{ "write_bytes_per_s", "write", STG_WRITE },
	{ "read_bytes_per_s", "read", HPCP_SIG_STORAGE_BW },
};

/* The bytes/s unit that keeps the largest value readable. */
static double rate_unit(double max, const char **name)
{
	static const struct {
		double div;
		const char *name;
	} u[] = { { 1e9, "GB/s" }, { 1e6, "MB/s" }, { 1e3, "kB/s" } };

	for (size_t i = 0; i < sizeof(u) / sizeof(u[0]); i++)
		if (max >= u[i].div) {
			*name = u[i].name;
			return u[i].div;
		}
	*name = "B/s";
	return 1;
}

static void bw_sub(struct hpcp_text *t, const cJSON *ph)
{
	const cJSON *fs = hpcp_at(ph, "filesystem"), *d = hpcp_at(ph, "direct");
	double v;

	hpcp_put(t, "<p class=\"sub\">");
	hpcp_html_esc(t, hpcp_str_at(fs, "type") ? hpcp_str_at(fs, "type") :
		      "file system unknown");
	if (hpcp_str_at(fs, "statfs_magic")) {
		hpcp_put(t, " (");
		hpcp_html_esc(t, hpcp_str_at(fs, "statfs_magic"));
		hpcp_put(t, ")");
	}
	hpcp_put(t, " \u00b7 %s", cJSON_IsTrue(hpcp_at(d, "used")) ?
		 "O_DIRECT" : "buffered");
	if (hpcp_num_of(hpcp_at(ph, "verified_bytes"), &v))
		hpcp_put(t, " \u00b7 %.0f bytes read back and verified", v);
	hpcp_put(t, "</p>\n");
}

static void bw_axis(struct hpcp_text *t, const struct hpcp_frame *f,
		    double step, double div, const char *unit)
{
	char b[64];

	for (int i = 0; i * step <= f->xhi + step / 2; i++) {
		hpcp_html_sfmt(b, sizeof(b), "%.10g", i * step / div);
		x_mark(t, f, hpcp_html_fx(f, i * step), b);
	}
	x_mark(t, f, 0, NULL);
	hpcp_put(t, "throughput (%s)</text>\n", unit);
}

static void bw_bar(struct hpcp_text *t, const struct hpcp_frame *f,
		   const cJSON *op, size_t d, double v, double y, double div,
		   const char *unit)
{
	double w = hpcp_html_fx(f, v) - f->x;

	hpcp_put(t, "<rect data-storage-bw=\"");
	hpcp_html_esc(t, hpcp_str_at(op, "subphase"));
	hpcp_put(t, "/%s\" x=\"%.1f\" y=\"%.1f\" width=\"%.2f\" "
		 "height=\"14\" fill=\"%s\"><title>", dirs[d].label, f->x,
		 y - 7, w, dirs[d].colour);
	put_sub(t, hpcp_str_at(op, "subphase"));
	hpcp_put(t, " %s: %.0f bytes/s</title></rect>\n", dirs[d].label, v);
	hpcp_put(t, "<text class=\"hl\" x=\"%.1f\" y=\"%.1f\">", f->x + w + 6,
		 y + 4);
	hpcp_html_put_val(t, v / div);
	hpcp_put(t, " %s</text>\n", unit);
}

static void bw_legend(struct hpcp_text *t, const struct hpcp_frame *f)
{
	for (size_t d = 0; d < 2; d++)
		hpcp_put(t, "<rect x=\"%.1f\" y=\"6\" width=\"14\" "
			 "height=\"12\" fill=\"%s\"/><text x=\"%.1f\" "
			 "y=\"16\">%s</text>\n", f->x + 90.0 * (double)d,
			 dirs[d].colour, f->x + 90.0 * (double)d + 20,
			 dirs[d].label);
}

static void chart_throughput(struct hpcp_text *t, const cJSON *root)
{
	const cJSON *ph = hpcp_phase_at(root, "storage"), *op;
	struct hpcp_frame f = { 0 };
	double max = 0, v, y, step, div;
	const char *unit;
	int bars = 0;

	cJSON_ArrayForEach(op, hpcp_at(ph, "ops"))
		for (size_t d = 0; d < 2; d++)
			if (hpcp_num_of(hpcp_at(op, dirs[d].key), &v) &&
			    v >= 0) {
				bars++;
				max = fmax(max, v);
			}
	hpcp_html_fig_open(t, "chart-storage-throughput",
			   "Storage: read and write throughput per sub-phase");
	if (!bars || !hpcp_phase_ok(root, "storage")) {
		hpcp_html_figure_without_data(t, root, "storage",
			"no read or write throughput was measured",
			"Read and write bytes/s per sub-phase.");
		return;
	}
	bw_sub(t, ph);
	div = rate_unit(max, &unit);
	step = hpcp_html_nice_step(max > 0 ? max : 1, 5);
	frame_rows(&f, 110, (double)bars * STG_ROW);
	f.xhi = ceil((max > 0 ? max : 1) / step) * step;
	hpcp_html_svg_open(t, STG_W, (int)(f.y + f.h + 52),
			   "storage throughput per sub-phase");
	bw_legend(t, &f);
	bw_axis(t, &f, step, div, unit);
	y = f.y + STG_ROW / 2.0;
	cJSON_ArrayForEach(op, hpcp_at(ph, "ops"))
		for (size_t d = 0; d < 2; d++) {
			if (!hpcp_num_of(hpcp_at(op, dirs[d].key), &v) ||
			    v < 0)
				continue;
			row_label(t, &f, y, op, dirs[d].label);
			bw_bar(t, &f, op, d, v, y, div, unit);
			y += STG_ROW;
		}
	hpcp_put(t, "<line class=\"axis\" x1=\"%.1f\" y1=\"%.1f\" "
		 "x2=\"%.1f\" y2=\"%.1f\"/>\n</svg>\n", f.x, f.y, f.x,
		 f.y + f.h);
	hpcp_put(t, "<figcaption>Bytes moved over the step's wall span (");
	hpcp_html_esc(t, hpcp_str_at(ph, "span_definition") ?
		      hpcp_str_at(ph, "span_definition") :
		      "first start to last end across ranks");
	hpcp_put(t, ")");
	if (hpcp_num_of(hpcp_at(ph, "readback_shift_ranks"), &v))
		hpcp_put(t, "; each file is read back by the rank %.0f on from "
			 "its writer, ranks in node order", v);
	/* Older documents do not say whether the reads crossed nodes. */
	if (cJSON_IsBool(hpcp_at(ph, "readback_other_node")))
		hpcp_put(t, cJSON_IsTrue(hpcp_at(ph, "readback_other_node")) ?
			 ", on another node" : ", not always on another node");
	hpcp_put(t, ".</figcaption>\n</figure>\n");
}

/* --- metadata rates ------------------------------------------------------ */

static int md_rate(const cJSON *op, double *v)
{
	return is_metadata(op) && hpcp_num_of(hpcp_at(op, "ops_per_s"), v) &&
	       *v > 0;
}

/* Whether an earlier drawn metadata entry has the same operation: rows
 * group by operation, in the order they first appear. */
static int md_seen(const cJSON *ops, const cJSON *op)
{
	const char *name = hpcp_str_at(op, "op");
	const cJSON *o;
	double v;

	cJSON_ArrayForEach(o, ops) {
		const char *n = hpcp_str_at(o, "op");

		if (o == op)
			return 0;
		if (md_rate(o, &v) && (n == name ||
				       (n && name && strcmp(n, name) == 0)))
			return 1;
	}
	return 0;
}

static int same_op(const cJSON *a, const cJSON *b)
{
	const char *x = hpcp_str_at(a, "op"), *y = hpcp_str_at(b, "op");

	return x == y || (x && y && strcmp(x, y) == 0);
}

static void md_bar(struct hpcp_text *t, const struct hpcp_frame *f,
		   const cJSON *op, double v, double y)
{
	int shared = is_sub(op, "metadata_shared_dir");
	double w = hpcp_html_fx(f, v) - f->x;

	hpcp_put(t, "<rect data-storage-md=\"");
	hpcp_html_esc(t, hpcp_str_at(op, "subphase"));
	hpcp_put(t, "/");
	hpcp_html_esc(t, hpcp_str_at(op, "op"));
	hpcp_put(t, "\" x=\"%.1f\" y=\"%.1f\" width=\"%.2f\" height=\"9\" "
		 "fill=\"%s\"><title>", f->x, y - 4.5, w,
		 shared ? STG_MD_SHARED : HPCP_SIG_STORAGE_MD);
	put_sub(t, hpcp_str_at(op, "subphase"));
	hpcp_put(t, " ");
	hpcp_html_esc(t, hpcp_str_at(op, "op"));
	hpcp_put(t, ": %.0f ops/s</title></rect>\n<text class=\"hl\" "
		 "x=\"%.1f\" y=\"%.1f\">", v, f->x + w + 6, y + 4);
	hpcp_html_put_val(t, v);
	hpcp_put(t, "</text>\n");
}

static void md_legend(struct hpcp_text *t, const struct hpcp_frame *f)
{
	hpcp_put(t, "<rect x=\"%.1f\" y=\"6\" width=\"14\" height=\"12\" "
		 "fill=\"%s\"/><text x=\"%.1f\" y=\"16\">per-rank "
		 "directories</text>\n", f->x, HPCP_SIG_STORAGE_MD, f->x + 20);
	hpcp_put(t, "<rect x=\"%.1f\" y=\"6\" width=\"14\" height=\"12\" "
		 "fill=\"%s\"/><text x=\"%.1f\" y=\"16\">one shared "
		 "directory</text>\n", f->x + 170, STG_MD_SHARED, f->x + 190);
}

/* Each operation's bars, every metadata entry of it in document order. */
static void md_rows(struct hpcp_text *t, const struct hpcp_frame *f,
		    const cJSON *ops)
{
	const cJSON *op, *o;
	double y = f->y + 6, v;

	cJSON_ArrayForEach(op, ops) {
		double top = y;

		if (!md_rate(op, &v) || md_seen(ops, op))
			continue;
		for (o = op; o; o = o->next)
			if (md_rate(o, &v) && same_op(o, op)) {
				y += 11;
				md_bar(t, f, o, v, y);
			}
		hpcp_put(t, "<text class=\"hl\" x=\"%.1f\" y=\"%.1f\" "
			 "text-anchor=\"end\">", f->x - 8, (top + y) / 2 + 9);
		hpcp_html_esc_n(t, hpcp_str_at(op, "op") ?
				hpcp_str_at(op, "op") : "?", 24);
		hpcp_put(t, "</text>\n");
		y += 12;
	}
}

static void chart_metadata(struct hpcp_text *t, const cJSON *root)
{
	static const char *const unit[] = { "", "k", "M", "G", "T" };
	const cJSON *ph = hpcp_phase_at(root, "storage"), *ops, *op;
	struct hpcp_frame f = { 0 };
	double lo = INFINITY, hi = 0, v;
	int bars = 0, groups = 0;

	ops = hpcp_at(ph, "ops");
	cJSON_ArrayForEach(op, ops)
		if (md_rate(op, &v)) {
			bars++;
			groups += !md_seen(ops, op);
			lo = fmin(lo, v);
			hi = fmax(hi, v);
		}
	hpcp_html_fig_open(t, "chart-storage-metadata",
			   "Storage: metadata rates, per-rank directories "
			   "and one shared directory");
	if (!bars || !hpcp_phase_ok(root, "storage")) {
		hpcp_html_figure_without_data(t, root, "storage",
			"no metadata rate was measured",
			"Create, stat, read and unlink operations/s.");
		return;
	}
	frame_rows(&f, 70, 11.0 * bars + 12.0 * groups + 6);
	x_decades(&f, lo, hi);
	hpcp_html_svg_open(t, STG_W, (int)(f.y + f.h + 52),
			   "storage metadata rates");
	md_legend(t, &f);
	axis_x_log10(t, &f, unit, 5, "operations/s across all ranks "
		     "(log scale)");
	md_rows(t, &f, ops);
	hpcp_put(t, "<line class=\"axis\" x1=\"%.1f\" y1=\"%.1f\" "
		 "x2=\"%.1f\" y2=\"%.1f\"/>\n</svg>\n", f.x, f.y, f.x,
		 f.y + f.h);
	hpcp_put(t, "<figcaption>Small-file create, stat, read and unlink, "
		 "each rank in its own directory and all ranks in one "
		 "shared directory (where a parallel file system serialises "
		 "on the directory's lock): operations over the step's wall "
		 "span.</figcaption>\n</figure>\n");
}

void hpcp_html_chart_storage(struct hpcp_text *t, const cJSON *root)
{
	if (!hpcp_phase_at(root, "storage"))
		return;
	chart_latency(t, root);
	chart_throughput(t, root);
	chart_metadata(t, root);
}
