/* Shared by src/report*.c only: the cJSON representation of the document. */
#ifndef HPCP_REPORT_INT_H
#define HPCP_REPORT_INT_H

#include <cJSON.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "hpcp/report.h"

/* Integers at or beyond this are stored as raw text to stay exact. */
#define HPCP_EXACT_PRINT_LIMIT 100000000000000ll

struct hpcp_doc {
	cJSON *root;
	cJSON *phases;     /* root.phases */
	cJSON *warnings;   /* root.warnings */
	cJSON *checks;     /* root.checks */
	int oom;           /* an allocation failed since the last write */
};

/* The node behind an opaque handle, and back. */
static inline cJSON *res_json(struct hpcp_res *r)
{
	return (cJSON *)r;
}

static inline struct hpcp_res *json_res(cJSON *j)
{
	return (struct hpcp_res *)j;
}

/*
 * len bytes of text to path through a temporary file in the same directory,
 * fsync and rename(), or to stdout for "-".  Returns 0 or -errno with a
 * one-line reason in err; on error nothing is left at or beside path.
 */
int hpcp_report_publish(const char *text, size_t len, const char *path,
			char *err, size_t errlen);

/*
 * hpcprobe-report: a results document read back (report_load.c).  Checks
 * it is JSON, names schema hpcprobe-results with major version 1 and has
 * status, context and phases; returns the root (cJSON_Delete it) or NULL
 * with one line in err.
 */
cJSON *hpcp_report_load(const char *path, char *err, size_t errlen);

/*
 * A self-contained HTML report of root (report_html.c): charts drawn as
 * inline SVG, no script and no network.  Written through
 * hpcp_report_publish.  Returns 0 or -errno with a reason.
 */
int hpcp_report_html(const cJSON *root, const char *path, char *err,
		     size_t errlen);

/*
 * Compare every metric two documents share (latency percentiles lower is
 * better, bandwidths, rates and efficiencies higher is better), print one
 * line each on out.  Returns how many worsened beyond tolerance_pct, or -1
 * with err when there is nothing to compare.
 */
int hpcp_report_gate(const cJSON *old, const cJSON *new, double tolerance_pct,
		     FILE *out, char *err, size_t errlen);

/*
 * A compute load_balance_robust object as text: "0.833 [0.821, 0.845]",
 * or "noisy host (disturbed rounds 3/40, 31/40; <reason>)" so that a
 * noisy value is never shown as a finding.  0 with buf "" when rb holds
 * neither (documents before schema 1.1).  report_summary.c.
 */
int hpcp_report_robust_lb(const cJSON *rb, char *buf, size_t len);

/* --- Reading a document: NULL-tolerant, shared by the report files. --- */

static inline const cJSON *at(const cJSON *obj, const char *key)
{
	return obj ? cJSON_GetObjectItemCaseSensitive(obj, key) : NULL;
}

static inline const char *str_at(const cJSON *obj, const char *key)
{
	const cJSON *v = at(obj, key);

	return cJSON_IsString(v) && v->valuestring ? v->valuestring : NULL;
}

/* A finite number, stored as a JSON number or as raw text (big integers
 * are written raw to stay exact; report.c). */
static inline int num_of(const cJSON *v, double *out)
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

static inline double num_at(const cJSON *obj, const char *key, double dflt)
{
	double d;

	return num_of(at(obj, key), &d) ? d : dflt;
}

static inline const cJSON *phase_at(const cJSON *root, const char *name)
{
	return at(at(root, "phases"), name);
}

static inline int phase_ok(const cJSON *root, const char *name)
{
	const char *s = str_at(phase_at(root, name), "status");

	return s && strcmp(s, "ok") == 0;
}

/* --- Writing text: a growing buffer; a failed allocation is kept. --- */

struct text {
	char *buf;
	size_t len, cap;
	int oom;
};

__attribute__((format(printf, 2, 3)))
void put(struct text *t, const char *fmt, ...);

/* Set by any failed allocation in the node API; cleared on write. */
extern int hpcp_report_oom;

#endif
