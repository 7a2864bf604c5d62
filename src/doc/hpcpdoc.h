/*
 * libhpcpdoc: what the MPI program (hpcprobe) and the report tool
 * (hpcprobe-report) both do with a results document, and nothing that
 * measures: cJSON and libc only, so the tool links no MPI, libfabric,
 * hwloc, PAPI or BLAS.
 *
 *   read.c     reading a document file; loading and checking one
 *   publish.c  atomic file writes and the output-path check
 *   text.c     a growing text buffer
 *   num.c      strict decimal parsing of command-line numbers
 *   findings.c what matters first, computed once for the summary and the
 *              HTML report's narrative
 *   summary.c  the human summary (stdout of hpcprobe, --summary of the tool)
 *   export.c   CloudWatch EMF and Prometheus projections
 *   metrics.c  the instances of a phase's metric table in a document
 *              (hpcp/metrics.h); the tables: atop src/phases/NAME.c
 *
 * The accessors below read a document NULL-tolerantly: a missing member
 * is NULL (or the default), never a crash.
 */
#ifndef HPCP_DOC_SHARED_H
#define HPCP_DOC_SHARED_H

#include <cJSON.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hpcp/metrics.h"
#include "hpcp/report.h"

/* --- Reading a document: NULL-tolerant. ------------------------------- */

static inline const cJSON *hpcp_at(const cJSON *obj, const char *key)
{
	return obj ? cJSON_GetObjectItemCaseSensitive(obj, key) : NULL;
}

static inline const char *hpcp_str_at(const cJSON *obj, const char *key)
{
	const cJSON *v = hpcp_at(obj, key);

	return cJSON_IsString(v) && v->valuestring ? v->valuestring : NULL;
}

/* A finite number, stored as a JSON number or as raw text (big integers
 * are written raw to stay exact; src/doc.c). */
static inline int hpcp_num_of(const cJSON *v, double *out)
{
	double d;
	char *end;

	if (cJSON_IsNumber(v)) {
		d = v->valuedouble;
	} else if (cJSON_IsRaw(v) && v->valuestring) {
		d = strtod(v->valuestring, &end);
		if (end == v->valuestring)
			return 0;
	} else {
		return 0;
	}
	if (!isfinite(d))
		return 0;
	*out = d;
	return 1;
}

static inline double hpcp_num_at(const cJSON *obj, const char *key,
				 double dflt)
{
	double d;

	return hpcp_num_of(hpcp_at(obj, key), &d) ? d : dflt;
}

static inline const cJSON *hpcp_phase_at(const cJSON *root, const char *name)
{
	return hpcp_at(hpcp_at(root, "phases"), name);
}

static inline int hpcp_phase_ok(const cJSON *root, const char *name)
{
	const char *s = hpcp_str_at(hpcp_phase_at(root, name), "status");

	return s && strcmp(s, "ok") == 0;
}

/* A metric table's object: phases.<phase>, or <phase> at the top. */
static inline const cJSON *hpcp_table_at(const cJSON *root,
					 const struct hpcp_metric_table *t)
{
	return t->top ? hpcp_at(root, t->phase) : hpcp_phase_at(root, t->phase);
}

static inline int hpcp_table_ok(const cJSON *root,
				const struct hpcp_metric_table *t)
{
	const char *s = hpcp_str_at(hpcp_table_at(root, t), "status");

	return s && strcmp(s, "ok") == 0;
}

/* --- read.c ------------------------------------------------------------ */

/*
 * The whole file at path as a NUL-terminated string (free it), or NULL
 * with one line in err: missing, unreadable, over 512 MiB or binary.
 */
char *hpcp_doc_read_file(const char *path, char *err, size_t errlen);

/*
 * A results document read back: JSON naming schema hpcprobe-results with
 * this major version, with status, context, phases and run.  Returns the
 * root (cJSON_Delete it) or NULL with one line in err.
 */
cJSON *hpcp_doc_load(const char *path, char *err, size_t errlen);

/* --- publish.c --------------------------------------------------------- */

/*
 * len bytes of text to path through a temporary file in the same directory,
 * fsync and rename(), or to stdout for "-".  Returns 0 or -errno with a
 * one-line reason in err; on error nothing is left at or beside path.
 * Its mode: see hpcp_publish_init in hpcp/report.h.
 * (hpcp_output_check, the path check before a run, is in hpcp/report.h.)
 */
int hpcp_publish(const char *text, size_t len, const char *path, char *err,
		 size_t errlen);

/* --- text.c: a growing buffer; a failed allocation is kept. ----------- */

struct hpcp_text {
	char *buf;
	size_t len, cap;
	int oom;
};

__attribute__((format(printf, 2, 3)))
void hpcp_put(struct hpcp_text *t, const char *fmt, ...);

/* --- findings.c -------------------------------------------------------- */

/* The message size a link is judged at: the small-message latency. */
#define HPCP_FINDINGS_SMALL_BYTES 8
#define HPCP_FINDINGS_MAX_PHASES 16

/*
 * The pairs of one kind (inter_node, intra_node) of a phase at 8 bytes.
 * The slowest link is the pair with the highest 8-byte p50 (the first of
 * equal ones), the fastest the lowest; pairs whose 8-byte p50 is null or
 * absent, and sizes other than 8 bytes, are not considered (the summary's
 * rule, which the HTML narrative follows since findings.c).
 */
struct hpcp_link_finding {
	int pairs_count;    /* pairs of the kind in the document */
	int n;              /* of them, with an 8-byte p50 */
	const cJSON *slowest_pair, *slowest_size;
	const cJSON *fastest_pair, *fastest_size;
	double slowest_p50_ns, fastest_p50_ns;
};

/* What matters first in a document, for the summary and the narrative. */
struct hpcp_findings {
	/* EFA: phases.fabric (NULL when not in the document). */
	const cJSON *fabric;
	int fabric_ok;
	int efa_known, efa_used;  /* fabric.efa_used is a boolean; its value */
	/* The slowest and fastest links, per phase and kind (phase ok only). */
	int pingpong_ok;
	struct hpcp_link_finding pingpong_inter, pingpong_intra;
	struct hpcp_link_finding fabric_inter, fabric_intra;
	/* Outlier nodes: pingpong.node_matrix (ping-pong ok), its host count. */
	const cJSON *matrix;
	int matrix_hosts;
	/* Load balance: phases.compute when ok; the robust value as text
	 * (hpcp_summary_robust_lb) in lb_text when the document has one. */
	const cJSON *compute;
	int lb_robust;
	char lb_text[1024];
	/* Noisy host: where a measurement says its host was too busy to be
	 * judged (then it is not a finding). */
	int noisy_pairs, noisy_matrix, noisy_compute, noisy_allreduce;
	/* Training: phases.train when ok, and what it found as one line:
	 * the target and when it was reached, where a step's time goes,
	 * the straggler. */
	const cJSON *train;
	char train_text[512];
	/* The libfabric all-reduce against MPI_Allreduce at one size (64 KiB,
	 * else the largest with both): "64 KiB all-reduce: MPI 48 us,
	 * libfabric ring 39 us: MPI's collective adds 23 %"; "" without. */
	char fabric_ar_text[256];
	/* Inference: phases.infer when ok, and its finding as one line. */
	const cJSON *infer;
	char infer_text[256];
	/* Storage: phases.storage when ok with a random 4 KiB read, and
	 * what it says of the "99.9 % within 1 ms" claim as one line. */
	const cJSON *storage;
	char storage_text[512];
	/* Phases that did not end ok, in document order: how many, the
	 * first HPCP_FINDINGS_MAX_PHASES of them in not_ok. */
	int n_not_ok;
	const cJSON *not_ok[HPCP_FINDINGS_MAX_PHASES];
};

void hpcp_findings_of(const cJSON *root, struct hpcp_findings *f);

/* Host i (0 or 1) of a pair, "?" when the document lacks it. */
const char *hpcp_pair_host(const cJSON *pair, int i);

/* --- summary.c --------------------------------------------------------- */

/* The human summary of a document (hpcprobe's stdout). */
void hpcp_summary_print(const cJSON *root, FILE *out);

/*
 * A compute load_balance_robust object as text: "0.833 [0.821, 0.845]",
 * or "noisy host (disturbed rounds 3/40, 31/40; <reason>)" so that a
 * noisy value is never shown as a finding.  0 with buf "" when rb holds
 * neither (documents before schema 1.1).
 */
int hpcp_summary_robust_lb(const cJSON *rb, char *buf, size_t len);

/*
 * A compute kernel's rate of work: job_<work_unit>_per_s, or
 * total_<work_unit>_per_s in documents that predate it.  1 with *v, 0
 * when it has neither.  Matched whole, whatever the unit's length.
 */
int hpcp_kernel_rate(const cJSON *k, double *v);

/* --- export.c ---------------------------------------------------------- */

/* CloudWatch Embedded Metric Format lines, namespace ns, to path or "-". */
int hpcp_export_emf(const cJSON *root, const char *path, const char *ns,
		    char *err, size_t errlen);

/* A Prometheus textfile (node_exporter's textfile collector). */
int hpcp_export_prom(const cJSON *root, const char *path, char *err,
		     size_t errlen);

/* The cost estimate hpcprobe-report attached (root.cost) alone, as EMF
 * (metrics CostRun, CostPerEpoch, ... by InstanceType and Pricing) and as
 * the Prometheus gauge hpcprobe_cost_usd{item, pricing, instance_type}:
 * the figures that have a value. */
int hpcp_export_cost_emf(const cJSON *root, const char *path, const char *ns,
			 char *err, size_t errlen);
int hpcp_export_cost_prom(const cJSON *root, const char *path, char *err,
			  size_t errlen);

/* --- metrics.c: a phase's metric table walked over a document ---------- */

#define HPCP_METRIC_MAX_LABELS 8
#define HPCP_METRIC_MAX_DEPTH 4

/* One concrete metric: an entry of a table at one binding of its "each". */
struct hpcp_metric_value {
	const struct hpcp_metric_table *table;
	const struct hpcp_metric *m;
	const cJSON *phase;     /* phases.<table->phase> */
	const cJSON *elem;      /* what the last wildcard bound, or phase */
	const cJSON *bound[HPCP_METRIC_MAX_DEPTH];
	int depth;              /* wildcards bound */
	/* The value: a number (or raw number), null (not measured), a
	 * distribution object; NULL when the document lacks it. */
	const cJSON *node;
	/* path's last segment, as resolved (NULL: none); the walker's, grown
	 * to fit so that two long keys never collide cut short. */
	char *key;
	int noisy;              /* m->noisy is true here */
	int first, last;        /* first, last entry of its group here */
	int n_labels;
	const struct hpcp_metric_label *label[HPCP_METRIC_MAX_LABELS];
	const char *label_value[HPCP_METRIC_MAX_LABELS]; /* NULL: absent */
	/* A number label as %.0f: room for any double (DBL_MAX has 309
	 * digits), so that a huge size is named whole, never cut. */
	char label_buf[HPCP_METRIC_MAX_LABELS][320];
};

typedef void (*hpcp_metric_fn)(const struct hpcp_metric_value *v, void *arg);

/* The end of the group of entries from `from` on that share its "each". */
size_t hpcp_metrics_group_end(const struct hpcp_metric_table *t, size_t from);

/*
 * fn for each instance of entries [from, to) of t in root, instance by
 * instance (entries sharing one "each": each binding gives entry from,
 * then from + 1, ...; `first` and `last` mark the ends), also where the
 * value is absent (node NULL).  Nothing when the phase is not "ok".
 */
void hpcp_metrics_walk(const cJSON *root, const struct hpcp_metric_table *t,
		       size_t from, size_t to, hpcp_metric_fn fn, void *arg);

/* The first entry of t with a human-table column (summary: column;
 * HTML: html_column), or t->n. */
size_t hpcp_metrics_columns(const struct hpcp_metric_table *t, int html);

/* 1 when the summary and the HTML report present phase in a section of
 * their own; any other phase's metrics (a new phase's) are listed by
 * hpcp_metrics_walk_all(), so it shows with no edit to either. */
int hpcp_metrics_has_section(const char *phase);

/* fn for every instance of every entry of t, group by group. */
void hpcp_metrics_walk_all(const cJSON *root,
			   const struct hpcp_metric_table *t, hpcp_metric_fn fn,
			   void *arg);

/* The row key of an instance: the number of its label bound to the last
 * wildcard (the message size); NAN when it has none. */
double hpcp_metric_row_key(const struct hpcp_metric_value *v);

/* A value's number: v->node itself, or its percentile stat ("p50") for a
 * distribution; NAN when null, absent or not a finite number. */
double hpcp_metric_num(const struct hpcp_metric_value *v, const char *stat);

/* The member path (hpcp/metrics.h's syntax) of base, "{m}" read from the
 * innermost element v bound that has m (from base when v is NULL); NULL
 * when absent.  key (may be NULL): *key is freed and gets the last
 * segment as resolved, allocated (NULL when none resolved). */
const cJSON *hpcp_metric_at(const struct hpcp_metric_value *v,
			    const cJSON *base, const char *path, char **key);

/*
 * tmpl with "{label}", "{key}" and "{stat}" replaced (a label absent:
 * "?"), into buf.  Returns 0, or -ENOSPC when it did not fit.
 */
int hpcp_metric_name(const struct hpcp_metric_value *v, const char *tmpl,
		     const char *stat, char *buf, size_t len);

#endif
