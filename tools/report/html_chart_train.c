/*
 * Charts of the train phase: the learning curve (loss and accuracy per
 * epoch) and where each rank's training step goes (data, compute,
 * exposed communication, skew, optimizer).  Drawn only when the phase
 * is ok: a run without training has no training charts.
 */
#include "config.h"

#include "html.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TRAIN_ACC "#dd1c77"     /* test accuracy, right axis */
#define TRAIN_TARGET "#57606a"  /* the target accuracy, dashed */
#define TRAIN_MAX_RANKS 4096    /* per-rank bars drawn */
#define TRAIN_W 900

/* The parts of a step, in the order the phase writes them (train.c). */
static const struct {
	const char *key, *label, *colour;
} parts[] = {
	{ "data", "data", "#8073ac" },
	{ "compute", "compute", HPCP_SIG_TRAIN_STEPS },
	{ "exposed_communication", "exposed communication", "#c51b7d" },
	{ "skew", "skew", "#fdb863" },
	{ "optimizer", "optimizer", "#b8e186" },
};

#define N_PARTS (sizeof(parts) / sizeof(parts[0]))

/* --- learning curve ---------------------------------------------------- */

/* The largest value of key over the epochs; 0 when none is a number. */
static double epochs_max(const cJSON *eps, const char *key)
{
	const cJSON *e;
	double max = 0, v;

	cJSON_ArrayForEach(e, eps)
		if (hpcp_num_of(hpcp_at(e, key), &v) && v > max)
			max = v;
	return max;
}

/* Whether any epoch has a number for key (an accuracy: not a regression). */
static int epochs_have(const cJSON *eps, const char *key)
{
	const cJSON *e;
	double v;

	cJSON_ArrayForEach(e, eps)
		if (hpcp_num_of(hpcp_at(e, key), &v))
			return 1;
	return 0;
}

/* Ticks and labels of a linear y axis; the grid with the left one only. */
static void axis_y(struct hpcp_text *t, const struct hpcp_frame *f,
		   double step, int right, const char *title)
{
	double xa = right ? f->x + f->w : f->x, d = right ? 1 : -1;
	double xt = xa + d * 52, yt = f->y + f->h / 2;

	for (int i = 0; i * step <= f->yhi + step / 2; i++) {
		double v = i * step, y = hpcp_html_fy(f, v);
		char b[48];

		hpcp_html_sfmt(b, sizeof(b), "%.10g", v);
		if (!right)
			hpcp_put(t, "<line class=\"gr\" x1=\"%.1f\" "
				 "y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\"/>\n",
				 f->x, y, f->x + f->w, y);
		hpcp_put(t, "<line class=\"tk\" x1=\"%.1f\" y1=\"%.1f\" "
			 "x2=\"%.1f\" y2=\"%.1f\"/>\n", xa, y, xa + d * 5, y);
		hpcp_put(t, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"%s\">"
			 "%s</text>\n", xa + d * 8, y + 4,
			 right ? "start" : "end", b);
	}
	hpcp_put(t, "<text class=\"at\" x=\"%.1f\" y=\"%.1f\" "
		 "text-anchor=\"middle\" transform=\"rotate(%d %.1f %.1f)\">"
		 "%s</text>\n", xt, yt, right ? 90 : -90, xt, yt, title);
}

/* Epochs 1..n along x, every one labelled while they fit. */
static void axis_x_epochs(struct hpcp_text *t, const struct hpcp_frame *f)
{
	double yb = f->y + f->h;
	int every = 1;

	while ((f->xhi - f->xlo) / every > 20)
		every = every < 5 ? 5 : every * 2;
	for (int e = (int)ceil(f->xlo); e <= f->xhi; e++) {
		double x = hpcp_html_fx(f, e);

		if (e % every && e != 1)
			continue;
		hpcp_put(t, "<line class=\"tk\" x1=\"%.1f\" y1=\"%.1f\" "
			 "x2=\"%.1f\" y2=\"%.1f\"/>\n", x, yb, x, yb + 5);
		hpcp_put(t, "<text x=\"%.1f\" y=\"%.1f\" "
			 "text-anchor=\"middle\">%d</text>\n", x, yb + 17, e);
	}
	hpcp_put(t, "<text class=\"at\" x=\"%.1f\" y=\"%.1f\" "
		 "text-anchor=\"middle\">epoch</text>\n", f->x + f->w / 2,
		 yb + 36);
}

/* One series as a polyline through the epochs that have a number. */
static void curve_line(struct hpcp_text *t, const struct hpcp_frame *f,
		       const cJSON *eps, const char *key, const char *colour,
		       int dashed)
{
	const cJSON *e;
	double x, y;

	hpcp_put(t, "<polyline class=\"ln%s\" data-series=\"%s\" "
		 "stroke=\"%s\" points=\"", dashed ? " dash" : "", key,
		 colour);
	cJSON_ArrayForEach(e, eps)
		if (hpcp_num_of(hpcp_at(e, "epoch"), &x) &&
		    hpcp_num_of(hpcp_at(e, key), &y))
			hpcp_put(t, "%.1f,%.1f ", hpcp_html_fx(f, x),
				 hpcp_html_fy(f, y));
	hpcp_put(t, "\"/>\n");
}

static void curve_point(struct hpcp_text *t, const struct hpcp_frame *f,
			double x, const cJSON *v, const char *colour)
{
	double y;

	if (hpcp_num_of(v, &y))
		hpcp_put(t, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"3.5\" "
			 "fill=\"%s\"/>", hpcp_html_fx(f, x),
			 hpcp_html_fy(f, y), colour);
}

/* Each epoch's points as one group, its values in a tooltip. */
static void curve_points(struct hpcp_text *t, const struct hpcp_frame *fl,
			 const struct hpcp_frame *fr, const cJSON *eps)
{
	const cJSON *e;
	double x;

	cJSON_ArrayForEach(e, eps) {
		const cJSON *acc = hpcp_at(e, "test_accuracy_ratio");

		if (!hpcp_num_of(hpcp_at(e, "epoch"), &x))
			continue;
		hpcp_put(t, "<g data-epoch=\"%.0f\"><title>epoch %.0f: train "
			 "loss ", x, x);
		hpcp_html_put_val(t, hpcp_num_at(e, "train_loss", NAN));
		hpcp_put(t, ", test loss ");
		hpcp_html_put_val(t, hpcp_num_at(e, "test_loss", NAN));
		if (cJSON_IsNumber(acc)) {
			hpcp_put(t, ", test accuracy ");
			hpcp_html_put_ratio(t, acc->valuedouble);
		}
		hpcp_put(t, "</title>");
		curve_point(t, fl, x, hpcp_at(e, "train_loss"),
			    HPCP_SIG_TRAIN_CURVE);
		curve_point(t, fl, x, hpcp_at(e, "test_loss"),
			    HPCP_SIG_TRAIN_CURVE);
		curve_point(t, fr, x, acc, TRAIN_ACC);
		hpcp_put(t, "</g>\n");
	}
}

static void legend_key(struct hpcp_text *t, double x, const char *colour,
		       int dashed, const char *label)
{
	hpcp_put(t, "<line class=\"lg%s\" x1=\"%.1f\" y1=\"12\" x2=\"%.1f\" "
		 "y2=\"12\" stroke=\"%s\"/><text x=\"%.1f\" y=\"16\">%s"
		 "</text>\n", dashed ? " dash" : "", x, x + 22, colour,
		 x + 28, label);
}

static void curve_target(struct hpcp_text *t, const struct hpcp_frame *fr,
			 double target)
{
	double y = hpcp_html_fy(fr, target);

	hpcp_put(t, "<line class=\"dash\" data-series=\"target\" "
		 "x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" "
		 "stroke=\"%s\"/>\n", fr->x, y, fr->x + fr->w, y,
		 TRAIN_TARGET);
	hpcp_put(t, "<text class=\"note\" x=\"%.1f\" y=\"%.1f\" "
		 "text-anchor=\"end\">target %.3g</text>\n",
		 fr->x + fr->w - 4, y - 5, target);
}

static void curve_sub(struct hpcp_text *t, const cJSON *ph)
{
	double v;

	hpcp_put(t, "<p class=\"sub\">final train loss ");
	hpcp_html_put_val(t, hpcp_num_at(ph, "final_train_loss", NAN));
	hpcp_put(t, " \u00b7 final test loss ");
	hpcp_html_put_val(t, hpcp_num_at(ph, "final_test_loss", NAN));
	if (hpcp_num_of(hpcp_at(ph, "final_test_accuracy_ratio"), &v)) {
		hpcp_put(t, " \u00b7 final test accuracy ");
		hpcp_html_put_ratio(t, v);
	}
	hpcp_put(t, " \u00b7 ");
	hpcp_html_put_val(t, hpcp_num_at(ph, "samples_per_s", NAN));
	hpcp_put(t, " samples/s");
	if (hpcp_num_of(hpcp_at(ph, "converged_epoch"), &v))
		hpcp_put(t, " \u00b7 converged at epoch %.0f", v);
	hpcp_put(t, "</p>\n");
}

/* Whether and when the target was reached, for the caption. */
static void curve_caption(struct hpcp_text *t, const cJSON *ph, int acc)
{
	double v;

	hpcp_put(t, "<figcaption>Mean training loss of each epoch (each "
		 "step's global batch, before its update, solid) and test "
		 "loss after it (dashed), left axis");
	if (!acc) {
		hpcp_put(t, "; a regression, so no accuracy.");
	} else {
		hpcp_put(t, "; test accuracy after each epoch on the right "
			 "axis");
		if (hpcp_num_of(hpcp_at(ph, "target_accuracy_ratio"), &v))
			hpcp_put(t, ", the dashed grey line its target %.3g",
				 v);
		hpcp_put(t, ".");
	}
	if (hpcp_num_of(hpcp_at(ph, "time_to_target_ns"), &v)) {
		hpcp_put(t, " The target was reached after ");
		hpcp_html_put_val(t, v / 1e9);
		hpcp_put(t, " s");
		if (hpcp_num_of(hpcp_at(ph, "epochs_to_target_count"), &v))
			hpcp_put(t, " (%.0f epoch%s)", v, v == 1 ? "" : "s");
		hpcp_put(t, ".");
	} else if (hpcp_str_at(ph, "time_to_target_reason")) {
		hpcp_put(t, " Time to target: n/a, ");
		hpcp_html_esc(t, hpcp_str_at(ph, "time_to_target_reason"));
		hpcp_put(t, ".");
	}
	hpcp_put(t, "</figcaption>\n</figure>\n");
}

static void chart_curve(struct hpcp_text *t, const cJSON *root)
{
	const cJSON *ph = hpcp_phase_at(root, "train");
	const cJSON *eps = hpcp_at(ph, "epochs");
	int n = cJSON_GetArraySize(eps);
	int acc = epochs_have(eps, "test_accuracy_ratio");
	double loss = fmax(epochs_max(eps, "train_loss"),
			   epochs_max(eps, "test_loss"));
	double step, target;
	struct hpcp_frame fl = { 0 }, fr;

	hpcp_html_fig_open(t, "chart-train-curve",
			   "Training: loss and accuracy per epoch");
	if (n < 1 || !epochs_have(eps, "train_loss")) {
		hpcp_html_figure_without_data(t, root, "train",
					      "no epoch finished",
					      "Loss and accuracy per epoch.");
		return;
	}
	curve_sub(t, ph);
	step = hpcp_html_nice_step(loss > 0 ? loss : 1, 5);
	fl.x = 78;
	fl.y = 30;
	fl.w = TRAIN_W - 2 * fl.x;
	fl.h = 260;
	fl.xlo = 0.5;
	fl.xhi = epochs_max(eps, "epoch") + 0.5;
	fl.yhi = ceil((loss > 0 ? loss : 1) / step) * step;
	fr = fl;
	fr.yhi = 1;
	hpcp_html_svg_open(t, TRAIN_W, (int)(fl.y + fl.h + 52),
			   "training loss and test accuracy per epoch");
	legend_key(t, fl.x, HPCP_SIG_TRAIN_CURVE, 0, "train loss");
	legend_key(t, fl.x + 130, HPCP_SIG_TRAIN_CURVE, 1, "test loss");
	if (acc)
		legend_key(t, fl.x + 250, TRAIN_ACC, 0, "test accuracy");
	axis_y(t, &fl, step, 0, "loss");
	if (acc)
		axis_y(t, &fr, 0.2, 1, "test accuracy");
	axis_x_epochs(t, &fl);
	hpcp_html_frame_box(t, &fl);
	if (acc && hpcp_num_of(hpcp_at(ph, "target_accuracy_ratio"), &target))
		curve_target(t, &fr, target);
	curve_line(t, &fl, eps, "train_loss", HPCP_SIG_TRAIN_CURVE, 0);
	curve_line(t, &fl, eps, "test_loss", HPCP_SIG_TRAIN_CURVE, 1);
	if (acc)
		curve_line(t, &fr, eps, "test_accuracy_ratio", TRAIN_ACC, 0);
	curve_points(t, &fl, &fr, eps);
	hpcp_put(t, "</svg>\n");
	curve_caption(t, ph, acc);
}

/* --- where a step goes ------------------------------------------------- */

/* Whether pr is a rank drawn (a number below the cap); its number. */
static int drawn_rank(const cJSON *pr, int *rank)
{
	double r;

	if (!hpcp_num_of(hpcp_at(pr, "rank"), &r) || r < 0 ||
	    r >= TRAIN_MAX_RANKS)
		return 0;
	*rank = (int)r;
	return 1;
}

static void steps_legend(struct hpcp_text *t, const struct hpcp_frame *f)
{
	double x = f->x;

	for (size_t k = 0; k < N_PARTS; k++) {
		hpcp_put(t, "<rect x=\"%.1f\" y=\"6\" width=\"14\" "
			 "height=\"12\" fill=\"%s\"/><text x=\"%.1f\" "
			 "y=\"16\">%s</text>\n", x, parts[k].colour, x + 20,
			 parts[k].label);
		x += 26 + 7.0 * strlen(parts[k].label);
	}
}

/* x axis: the share of a step, 0 to 100 %. */
static void steps_axis(struct hpcp_text *t, const struct hpcp_frame *f)
{
	double yb = f->y + f->h;

	for (int p = 0; p <= 100; p += 20) {
		double x = hpcp_html_fx(f, p / 100.0);

		hpcp_put(t, "<line class=\"gr\" x1=\"%.1f\" y1=\"%.1f\" "
			 "x2=\"%.1f\" y2=\"%.1f\"/>\n", x, f->y, x, yb);
		hpcp_put(t, "<text x=\"%.1f\" y=\"%.1f\" "
			 "text-anchor=\"middle\">%d %%</text>\n", x, yb + 17,
			 p);
	}
	hpcp_put(t, "<text class=\"at\" x=\"%.1f\" y=\"%.1f\" "
		 "text-anchor=\"middle\">share of the rank's step time"
		 "</text>\n", f->x + f->w / 2, yb + 36);
}

/* One rank's bar: its parts side by side, each with its share. */
static void steps_bar(struct hpcp_text *t, const struct hpcp_frame *f,
		      const cJSON *pr, int rank, double y, double h)
{
	const cJSON *ps = hpcp_at(pr, "parts");
	double x = f->x, v;

	hpcp_put(t, "<g data-rank=\"%d\">", rank);
	for (size_t k = 0; k < N_PARTS; k++) {
		double w;

		if (!hpcp_num_of(hpcp_at(hpcp_at(ps, parts[k].key),
					 "fraction_ratio"), &v) || v <= 0)
			continue;
		w = hpcp_html_fx(f, fmin(v, 1)) - f->x;
		hpcp_put(t, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.2f\" "
			 "height=\"%.2f\" fill=\"%s\"><title>r%d %s %.1f %%"
			 "</title></rect>", x, y, w, h, parts[k].colour, rank,
			 parts[k].label, 100 * v);
		x += w;
	}
	hpcp_put(t, "</g>\n");
}

static void steps_label(struct hpcp_text *t, const struct hpcp_frame *f,
			const cJSON *pr, int rank, double y, int is_slow)
{
	hpcp_put(t, "<text class=\"%s\" x=\"%.1f\" y=\"%.1f\" "
		 "text-anchor=\"end\">r%d", is_slow ? "hl b" : "hl", f->x - 6,
		 y, rank);
	if (hpcp_str_at(pr, "host")) {
		hpcp_put(t, " (");
		hpcp_html_esc_host(t, hpcp_str_at(pr, "host"), 14);
		hpcp_put(t, ")");
	}
	hpcp_put(t, "</text>\n");
}

static void steps_straggler(struct hpcp_text *t, const struct hpcp_frame *f,
			    double y, double h)
{
	hpcp_put(t, "<rect class=\"slow\" data-straggler=\"1\" x=\"%.1f\" "
		 "y=\"%.1f\" width=\"%.1f\" height=\"%.2f\"/>\n<text "
		 "class=\"note\" x=\"%.1f\" y=\"%.1f\">\u25c0 straggler"
		 "</text>\n", f->x, y, f->w, h, f->x + f->w + 6, y + h / 2 + 4);
}

/* The row of rank slow among the bars drawn; -1 when not drawn. */
static int straggler_row(const cJSON *ph, double slow)
{
	const cJSON *pr;
	int row = 0, rank;

	cJSON_ArrayForEach(pr, hpcp_at(ph, "per_rank")) {
		if (!drawn_rank(pr, &rank))
			continue;
		if (rank == slow)
			return row;
		row++;
	}
	return -1;
}

/*
 * The bars, one a rank in document order, labelled while they fit; the
 * straggler always, its neighbours not (their labels would overlap).
 */
static void steps_bars(struct hpcp_text *t, const struct hpcp_frame *f,
		       const cJSON *ph, double bar)
{
	double slow = hpcp_num_at(hpcp_at(ph, "straggler"), "rank", -1);
	double h = bar > 6 ? bar * 0.72 : bar * 0.85;
	const cJSON *pr;
	int row = 0, every = 1, rank, slow_row = straggler_row(ph, slow);

	while (bar * every < 13)
		every++;
	cJSON_ArrayForEach(pr, hpcp_at(ph, "per_rank")) {
		double y = f->y + row * bar + (bar - h) / 2;
		int is_slow;

		if (!drawn_rank(pr, &rank))
			continue;
		is_slow = row == slow_row;
		steps_bar(t, f, pr, rank, y, h);
		if (is_slow)
			steps_straggler(t, f, y, h);
		if (is_slow || (row % every == 0 &&
				(slow_row < 0 ||
				 abs(row - slow_row) >= every)))
			steps_label(t, f, pr, rank, y + h / 2 + 4, is_slow);
		row++;
	}
}

static void steps_sub(struct hpcp_text *t, const cJSON *ph)
{
	const cJSON *fr = hpcp_at(ph, "step_fractions");
	char key[64];

	hpcp_put(t, "<p class=\"sub\">mean over ranks:");
	for (size_t k = 0; k < N_PARTS; k++) {
		hpcp_html_sfmt(key, sizeof(key), "%s_ratio", parts[k].key);
		hpcp_put(t, "%s %s ", k ? " \u00b7" : "", parts[k].label);
		hpcp_html_put_ratio(t, hpcp_num_at(fr, key, NAN));
	}
	hpcp_put(t, "</p>\n");
}

/* The bound as a label of the parts table, else the document's word. */
static void put_part(struct hpcp_text *t, const char *key)
{
	for (size_t k = 0; key && k < N_PARTS; k++)
		if (strcmp(key, parts[k].key) == 0) {
			hpcp_put(t, "%s", parts[k].label);
			return;
		}
	hpcp_html_esc(t, key ? key : "unknown");
}

static void steps_caption(struct hpcp_text *t, const cJSON *ph, int more)
{
	const cJSON *st = hpcp_at(ph, "straggler");
	double v;

	hpcp_put(t, "<figcaption>Each bar is one rank's training steps, "
		 "every part's total over the steps as a share of their "
		 "sum; skew is the wait after compute for the slowest "
		 "rank's gradient. The job is bound by ");
	put_part(t, hpcp_str_at(ph, "bound"));
	hpcp_put(t, ", the part with the largest mean share.");
	if (hpcp_num_of(hpcp_at(st, "rank"), &v)) {
		hpcp_put(t, " The straggler, r%.0f", v);
		if (hpcp_str_at(st, "host")) {
			hpcp_put(t, " on ");
			hpcp_html_esc(t, hpcp_str_at(st, "host"));
		}
		if (hpcp_num_of(hpcp_at(st, "slowest_steps_count"), &v))
			hpcp_put(t, " (its gradient in last in %.0f steps)",
				 v);
		hpcp_put(t, ", is outlined.");
	}
	if (more)
		hpcp_put(t, " Not drawn: %d rank%s without a number below "
			 "%d.", more, more == 1 ? "" : "s", TRAIN_MAX_RANKS);
	hpcp_put(t, "</figcaption>\n</figure>\n");
}

static void chart_steps(struct hpcp_text *t, const cJSON *root)
{
	const cJSON *ph = hpcp_phase_at(root, "train"), *pr;
	struct hpcp_frame f = { 0 };
	int shown = 0, more = 0, rank;
	double bar;

	hpcp_html_fig_open(t, "chart-train-steps",
			   "Where each training step goes, per rank");
	cJSON_ArrayForEach(pr, hpcp_at(ph, "per_rank")) {
		if (drawn_rank(pr, &rank))
			shown++;
		else
			more++;
	}
	if (!shown) {
		hpcp_html_figure_without_data(t, root, "train",
					      "no step was measured",
					      "The parts of a step per rank.");
		return;
	}
	steps_sub(t, ph);
	bar = fmin(26, fmax(3, 440.0 / shown));
	f.x = 150;
	f.y = 30;
	f.w = TRAIN_W - f.x - 90;
	f.h = bar * shown;
	f.xhi = 1;
	f.yhi = 1;
	hpcp_html_svg_open(t, TRAIN_W, (int)(f.y + f.h + 52),
			   "parts of a training step per rank");
	steps_legend(t, &f);
	steps_axis(t, &f);
	steps_bars(t, &f, ph, bar);
	hpcp_put(t, "<line class=\"axis\" x1=\"%.1f\" y1=\"%.1f\" "
		 "x2=\"%.1f\" y2=\"%.1f\"/>\n</svg>\n", f.x, f.y, f.x,
		 f.y + f.h);
	steps_caption(t, ph, more);
}

void hpcp_html_chart_train(struct hpcp_text *t, const cJSON *root)
{
	if (!hpcp_phase_ok(root, "train"))
		return;
	chart_curve(t, root);
	chart_steps(t, root);
}
