/*
 * The HTML report's parts (tools/report/html_*.c), split the way a
 * drawing tool is: the page (skeleton, CSS), SVG primitives (frames,
 * scales, axes), one file per chart, the narrative and the tables, and
 * the text helpers they all write with.  Internal to hpcprobe-report.
 *
 * Signature colours: each chart's data marks use one colour that nothing
 * else on the page uses, so a screenshot can show that every chart drew.
 *
 *   chart-latency  #d62728  first latency series (p50 solid, p99 dashed);
 *                           other series use LAT_PALETTE (html_chart_latency.c)
 *   chart-busbw    #1f77b4  bus-bandwidth line and points
 *   chart-heatmap  #00441b  the cell(s) with the highest p50 (dark end of
 *                           the ramp, also the top of its legend bar);
 *                           cells without a value are #ddd5c7 ("n/a"),
 *                           a warm grey used nowhere else
 *   chart-load     #ff7f0e  useful-time bars (MPI time is #ffbb78)
 *   chart-train-curve  #6a3d9a  train loss (solid) and test loss (dashed)
 *   chart-train-steps  #35978f  the compute part of each rank's bar
 *   chart-storage-latency     #b15928  every mark of the latency rows
 *   chart-storage-throughput  #1b7837  read bars (write is #a6dba0)
 *   chart-storage-metadata    #762a83  per-rank-directory bars (the shared
 *                                      directory's are #c2a5cf)
 *   chart-infer-latency  #1b9e77  infer p99 line and points (p50 and
 *                             p99.9 in other colours, html_chart_infer.c)
 *   chart-infer-batch  #d95f02  offline throughput bars
 *   chart-infer-memory  #7570b3  rank 0's resident set line
 *   chart-infer-transport  #e7298a  --infer-remote: mean transport line
 *                             and points (mean latency dashed grey)
 *   chart-util     #5e3c99  the first host's line in each utilisation chart
 */
#ifndef HPCP_TOOL_HTML_H
#define HPCP_TOOL_HTML_H

#include "report.h"


#define HPCP_SIG_LATENCY "#d62728"
#define HPCP_SIG_BUSBW "#1f77b4"
/* The libfabric all-reduce beside MPI's in the same chart. */
#define HPCP_SIG_BUSBW_FABRIC "#17becf"
#define HPCP_SIG_HEAT "#00441b"
#define HPCP_SIG_LOAD "#ff7f0e"
#define HPCP_SIG_TRAIN_CURVE "#6a3d9a"
#define HPCP_SIG_TRAIN_STEPS "#35978f"
#define HPCP_SIG_STORAGE_LAT "#b15928"
#define HPCP_SIG_STORAGE_BW "#1b7837"
#define HPCP_SIG_STORAGE_MD "#762a83"
#define HPCP_SIG_INFER_LATENCY "#1b9e77"
#define HPCP_SIG_INFER_BATCH "#d95f02"
#define HPCP_SIG_INFER_MEMORY "#7570b3"
#define HPCP_SIG_INFER_TRANSPORT "#e7298a"
#define HPCP_HEAT_NA "#ddd5c7"
#define HPCP_SIG_UTIL "#5e3c99"

/* Axis scales: 0 linear, 2 or 10 logarithmic.  lo/hi are transformed. */
struct hpcp_frame {
	double x, y, w, h;
	double xlo, xhi, ylo, yhi;
	int xlog, ylog;
};

/* --- html_fmt.c -------------------------------------------------------- */
__attribute__((format(printf, 3, 4)))
void hpcp_html_sfmt(char *b, size_t n, const char *fmt, ...);
void hpcp_html_esc_n(struct hpcp_text *t, const char *s, size_t max);
void hpcp_html_esc(struct hpcp_text *t, const char *s);
void hpcp_html_esc_host(struct hpcp_text *t, const char *s, size_t max);
void hpcp_html_fmt_val(char *b, size_t n, double v);
void hpcp_html_put_val(struct hpcp_text *t, double v);
void hpcp_html_put_ratio(struct hpcp_text *t, double v);
void hpcp_html_fmt_bytes(char *b, size_t n, double v);
void hpcp_html_fmt_pow2(char *b, size_t n, int e);
void hpcp_html_phase_state(struct hpcp_text *t, const cJSON *root, const char *name);
void hpcp_html_phase_sentence(struct hpcp_text *t, const cJSON *root, const char *name,
			   const char *title);
void hpcp_html_status_badge(struct hpcp_text *t, const char *s);
void hpcp_html_pair_label(struct hpcp_text *t, const char *what, const cJSON *pair,
		       size_t host_max);

/* --- html_svg.c -------------------------------------------------------- */
void hpcp_html_log_frame(struct hpcp_frame *f, double xmin, double xmax, double ymin,
		      double ymax, double width, double plot_h);
double hpcp_html_fx(const struct hpcp_frame *f, double v);
double hpcp_html_fy(const struct hpcp_frame *f, double v);
void hpcp_html_fig_open(struct hpcp_text *t, const char *id, const char *title);
void hpcp_html_svg_open(struct hpcp_text *t, int w, int h, const char *label);
void hpcp_html_no_data(struct hpcp_text *t);
void hpcp_html_figure_without_data(struct hpcp_text *t, const cJSON *root,
				const char *phase, const char *when_ok,
				const char *caption);
void hpcp_html_axis_x_log2(struct hpcp_text *t, const struct hpcp_frame *f,
			const char *title);
void hpcp_html_axis_y_log10(struct hpcp_text *t, const struct hpcp_frame *f,
			 const char *title);
void hpcp_html_frame_box(struct hpcp_text *t, const struct hpcp_frame *f);
double hpcp_html_nice_step(double max, int n);

/* --- html_chart_*.c: one figure each ----------------------------------- */
void hpcp_html_chart_latency(struct hpcp_text *t, const cJSON *root);
void hpcp_html_chart_busbw(struct hpcp_text *t, const cJSON *root);
void hpcp_html_chart_heatmap(struct hpcp_text *t, const cJSON *root);
void hpcp_html_chart_load(struct hpcp_text *t, const cJSON *root);
/* Both train figures when phases.train is ok, else nothing. */
void hpcp_html_chart_train(struct hpcp_text *t, const cJSON *root);
/* The three storage figures when the document has phases.storage (a
 * phase not ok: each says why), else nothing. */
void hpcp_html_chart_storage(struct hpcp_text *t, const cJSON *root);
/* The three infer figures when phases.infer is in the document. */
void hpcp_html_chart_infer(struct hpcp_text *t, const cJSON *root);
/* One small chart a sampled series, a line a host, phases as bands. */
void hpcp_html_chart_util(struct hpcp_text *t, const cJSON *root);

/* --- html_narrative.c -------------------------------------------------- */
int hpcp_html_kernel_rate(struct hpcp_text *t, const cJSON *k);
void hpcp_html_narrative(struct hpcp_text *t, const cJSON *root);

/* --- html_tables.c ----------------------------------------------------- */
void hpcp_html_table_phases(struct hpcp_text *t, const cJSON *root);
void hpcp_html_table_pairs(struct hpcp_text *t, const cJSON *root, const char *phase,
			const char *what);
void hpcp_html_table_allreduce(struct hpcp_text *t, const cJSON *root);
/* The fabric phase's all-reduce rows, when it has them. */
void hpcp_html_table_fabric_allreduce(struct hpcp_text *t, const cJSON *root);
void hpcp_html_table_compute(struct hpcp_text *t, const cJSON *root);
/* The phases without a section of their own, from their metric tables. */
void hpcp_html_tables_other(struct hpcp_text *t, const cJSON *root);
void hpcp_html_warnings_list(struct hpcp_text *t, const cJSON *root);
void hpcp_html_claims(struct hpcp_text *t, const cJSON *verdicts);
void hpcp_html_table_utilisation(struct hpcp_text *t, const cJSON *root);
void hpcp_html_cost(struct hpcp_text *t, const cJSON *cost);

#endif
