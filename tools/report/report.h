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

/*
 * Compare every metric two documents share (latency percentiles lower is
 * better, bandwidths, rates and efficiencies higher is better), print one
 * line each on out.  Returns how many worsened beyond tolerance_pct, or -1
 * with err when there is nothing to compare (gate.c).
 */
int hpcp_report_gate(const cJSON *old, const cJSON *new, double tolerance_pct,
		     FILE *out, char *err, size_t errlen);

#endif
