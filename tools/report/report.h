/*
 * hpcprobe-report's parts (tools/report/): the command line, the
 * regression gate and the HTML report.  They read documents through
 * libhpcpdoc (src/doc/hpcpdoc.h) and link nothing that measures.
 */
#ifndef HPCP_TOOL_REPORT_H
#define HPCP_TOOL_REPORT_H

#include <stdio.h>

#include "doc/hpcpdoc.h"

/* The whole program behind main() (cli.c). */
int hpcp_report_main(int argc, char **argv);

/*
 * A self-contained HTML report of root (html_page.c and the html_*.c it
 * draws with): charts as inline SVG, no script and no network.  Written
 * through hpcp_publish.  Returns 0 or -errno with a reason.
 */
int hpcp_report_html(const cJSON *root, const char *path, char *err,
		     size_t errlen);

/* The same with a claims section (verdicts of hpcp_claims_judge) and a
 * cost section (hpcp_cost_of) when they are not NULL. */
int hpcp_report_html_with(const cJSON *root, const cJSON *verdicts,
			  const cJSON *cost, const char *path, char *err,
			  size_t errlen);

/* A JSON file read whole and parsed, or NULL with one line in err. */
cJSON *hpcp_report_read_json(const char *path, char *err, size_t errlen);

/*
 * The claims check (claims.c; the file's format is described there).
 * hpcp_claims_load: the claims file checked whole, or NULL with one line
 * in err.  hpcp_claims_judge: an array of verdicts, one per claim, and
 * *refuted the count of refuted claims (NULL when out of memory).
 */
cJSON *hpcp_claims_load(const char *path, char *err, size_t errlen);
cJSON *hpcp_claims_judge(const cJSON *claims, const cJSON *root,
			 int *refuted);
void hpcp_claims_print(const cJSON *verdicts, FILE *out);
/* The zero-exceedance sample count: ceil(ln(1 - c) / ln(q)). */
long hpcp_claims_samples_needed(double q, double c);

/*
 * Cost at list prices (cost.c).  hpcp_price_load: the price file checked,
 * with a price for type, or NULL with one line in err.  hpcp_cost_of: the
 * cost object of a document (NULL when out of memory).
 */
cJSON *hpcp_price_load(const char *path, const char *type, char *err,
		       size_t errlen);
cJSON *hpcp_cost_of(const cJSON *doc, const cJSON *prices, const char *type,
		    double checkpoint_s);
void hpcp_cost_print(const cJSON *cost, FILE *out);
/* Storage lifecycle savings (cost.c: the inventory's format): the
 * inventory checked (0, or -EINVAL with one line), then simulated into
 * cost.storage_lifecycle and printed. */
int hpcp_inventory_check(const cJSON *inv, const char *path, char *err,
			 size_t errlen);
void hpcp_cost_lifecycle(cJSON *cost, const cJSON *prices, const cJSON *inv);
void hpcp_cost_lifecycle_print(const cJSON *cost, FILE *out);
/* Expected hours of work_h on Spot, checkpoints at Young's interval
 * (*tau_h), each restart taking restart_h: exact under Poisson
 * interruptions (Daly), NAN when the checkpoint is not shorter than the
 * MTBI; *first: Young's first order (no restart). */
double hpcp_cost_spot_hours(double work_h, double ckpt_h, double restart_h,
			    double mtbf_h, double *tau_h, double *first);

/*
 * Compare every metric two documents share (latency percentiles lower is
 * better, bandwidths, rates and efficiencies higher is better), print one
 * line each on out.  Returns how many worsened beyond tolerance_pct, or -1
 * with err when there is nothing to compare (gate.c).
 */
int hpcp_report_gate(const cJSON *old, const cJSON *new, double tolerance_pct,
		     FILE *out, char *err, size_t errlen);

#endif
