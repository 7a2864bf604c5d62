/*
 * The claims check (hpcprobe-report --claims): each claim of a write-up
 * against the measured value in a results document.
 *
 * A claims file is {"claims": [ {...}, ... ]}, each claim:
 *   claim       what the write-up says (text, for the verdict line)
 *   metric      the value's path in the document: '/'-separated members;
 *               a digit segment indexes an array; "key=value" takes every
 *               element of an array whose member key prints as value
 *               (e.g. "kind=inter_node", "bytes=8"; "a=x&b=y" both);
 *               "*" every element or member
 *   comparison  "<", "<=", ">" or ">=": measured <comparison> value holds
 *   value       the claimed figure, in the document's unit
 *   percentile  optional, in (0, 1): metric is a latency distribution and
 *               its percentile is compared (p50, p90, p99, p99_9)
 *   confidence  optional, in (0, 1), default 0.95: a percentile claim
 *               needs n >= ceil(ln(1 - c) / ln(q)) samples (with that many
 *               and none beyond the q-quantile, the quantile lies below
 *               the largest sample with confidence c: zero-exceedance),
 *               read from samples_count beside the distribution
 *   unit        optional text, shown
 * Where the path takes several values, the claim must hold for every one
 * (the worst decides).  Verdicts: holds, refuted, not measured (no such
 * value, or the phase did not run), too few samples.
 */
#include "config.h"

#include "report.h"
#include "html.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A string member for printing: "" when absent. */
static const char *text_at(const cJSON *o, const char *key)
{
	const char *s = hpcp_str_at(o, key);

	return s ? s : "";
}

enum verdict { V_HOLDS, V_TOO_FEW, V_NOT_MEASURED, V_REFUTED };

static const char *const verdict_names[] = {
	[V_HOLDS] = "holds",
	[V_TOO_FEW] = "too few samples",
	[V_NOT_MEASURED] = "not measured",
	[V_REFUTED] = "refuted",
};

static int bad_claim(char *err, size_t errlen, const char *path, int i,
		     const char *what)
{
	snprintf(err, errlen, "%s: claim %d: %s", path, i + 1, what);
	return -EINVAL;
}

static int check_claim(const cJSON *c, const char *path, int i, char *err,
		       size_t errlen)
{
	static const char *const known[] = { "claim", "metric", "comparison",
					     "value", "percentile",
					     "confidence", "unit" };
	const char *cmp = hpcp_str_at(c, "comparison");
	const char *metric = hpcp_str_at(c, "metric");
	const cJSON *m;
	double d;

	if (!cJSON_IsObject(c))
		return bad_claim(err, errlen, path, i, "not an object");
	cJSON_ArrayForEach(m, c) {
		size_t k = 0;

		while (k < sizeof(known) / sizeof(*known) &&
		       strcmp(m->string, known[k]))
			k++;
		if (k == sizeof(known) / sizeof(*known))
			return bad_claim(err, errlen, path, i,
					 "unknown member (claim, metric, "
					 "comparison, value, percentile, "
					 "confidence, unit)");
	}
	if (!metric || !*metric)
		return bad_claim(err, errlen, path, i,
				 "metric must be a non-empty path");
	if (!cmp || (strcmp(cmp, "<") && strcmp(cmp, "<=") &&
		     strcmp(cmp, ">") && strcmp(cmp, ">=")))
		return bad_claim(err, errlen, path, i,
				 "comparison must be one of <, <=, >, >=");
	if (!cJSON_IsNumber(hpcp_at(c, "value")) ||
	    !hpcp_num_of(hpcp_at(c, "value"), &d))
		return bad_claim(err, errlen, path, i,
				 "value must be a finite number");
	if (hpcp_at(c, "percentile") &&
	    !(hpcp_num_of(hpcp_at(c, "percentile"), &d) && d > 0 && d < 1))
		return bad_claim(err, errlen, path, i,
				 "percentile must be a number in (0, 1)");
	if (hpcp_at(c, "confidence") &&
	    !(hpcp_num_of(hpcp_at(c, "confidence"), &d) && d > 0 && d < 1))
		return bad_claim(err, errlen, path, i,
				 "confidence must be a number in (0, 1)");
	if (hpcp_at(c, "claim") && !hpcp_str_at(c, "claim"))
		return bad_claim(err, errlen, path, i, "claim must be text");
	if (hpcp_at(c, "unit") && !hpcp_str_at(c, "unit"))
		return bad_claim(err, errlen, path, i, "unit must be text");
	return 0;
}

cJSON *hpcp_report_read_json(const char *path, char *err, size_t errlen)
{
	char *text = hpcp_doc_read_file(path, err, errlen);
	cJSON *root;

	if (!text)
		return NULL;
	root = cJSON_Parse(text);
	free(text);
	if (!root)
		snprintf(err, errlen, "%s: not JSON", path);
	return root;
}

cJSON *hpcp_claims_load(const char *path, char *err, size_t errlen)
{
	cJSON *root = hpcp_report_read_json(path, err, errlen);
	const cJSON *list, *c;
	int i = 0;

	if (!root)
		return NULL;
	list = hpcp_at(root, "claims");
	if (!cJSON_IsArray(list) || cJSON_GetArraySize(list) == 0) {
		snprintf(err, errlen, "%s: expects {\"claims\": [...]} with at "
			 "least one claim", path);
		cJSON_Delete(root);
		return NULL;
	}
	cJSON_ArrayForEach(c, list) {
		if (check_claim(c, path, i++, err, errlen)) {
			cJSON_Delete(root);
			return NULL;
		}
	}
	return root;
}

/* --- resolving a path ---------------------------------------------------- */

/* Every match of a path, however many (a claim on hosts/... of a
 * thousand-node run judges each host); lost set when memory ran out. */
struct found {
	int n, cap, lost;
	const cJSON **node;
	const cJSON **parent;
};

static void found_add(struct found *f, const cJSON *node,
		      const cJSON *parent)
{
	if (f->n == f->cap) {
		int cap = f->cap ? 2 * f->cap : 64;
		const cJSON **n = realloc(f->node, sizeof(*n) * (size_t)cap);
		const cJSON **p;

		if (!n) {
			f->lost = 1;
			return;
		}
		f->node = n;
		p = realloc(f->parent, sizeof(*p) * (size_t)cap);
		if (!p) {
			f->lost = 1;
			return;
		}
		f->parent = p;
		f->cap = cap;
	}
	f->node[f->n] = node;
	f->parent[f->n++] = parent;
}

/* Whether element's member key prints as want. */
static int member_is(const cJSON *elem, const char *key, size_t klen,
		     const char *want)
{
	char k[64], num[64];
	const cJSON *m;
	double d;

	if (klen >= sizeof(k))
		return 0;
	memcpy(k, key, klen);
	k[klen] = '\0';
	m = hpcp_at(elem, k);
	if (cJSON_IsString(m))
		return !strcmp(m->valuestring, want);
	if (hpcp_num_of(m, &d)) {
		snprintf(num, sizeof(num), "%.15g", d);
		return !strcmp(num, want);
	}
	if (cJSON_IsBool(m))
		return !strcmp(want, cJSON_IsTrue(m) ? "true" : "false");
	return 0;
}

/* "k=v" or "k=v&k2=v2": every condition holds for the element. */
static int matches(const cJSON *elem, char *sel)
{
	for (char *c = sel; c;) {
		char *amp = strchr(c, '&'), *eq;

		if (amp)
			*amp = '\0';
		eq = strchr(c, '=');
		if (!eq || !member_is(elem, c, (size_t)(eq - c), eq + 1)) {
			if (amp)
				*amp = '&';
			return 0;
		}
		if (amp)
			*amp = '&';
		c = amp ? amp + 1 : NULL;
	}
	return 1;
}

static void resolve(const cJSON *node, const cJSON *parent, const char *path,
		    struct found *f)
{
	const char *slash, *eq;
	char seg[128];
	size_t len;

	if (!node)
		return;
	if (!*path) {
		found_add(f, node, parent);
		return;
	}
	slash = strchr(path, '/');
	len = slash ? (size_t)(slash - path) : strlen(path);
	if (len >= sizeof(seg))
		return;
	memcpy(seg, path, len);
	seg[len] = '\0';
	path += len + (slash ? 1 : 0);
	eq = strchr(seg, '=');
	if (eq && cJSON_IsArray(node)) {
		const cJSON *e;

		cJSON_ArrayForEach(e, node)
			if (matches(e, seg))
				resolve(e, node, path, f);
	} else if (!strcmp(seg, "*") && (cJSON_IsArray(node) ||
					 cJSON_IsObject(node))) {
		const cJSON *e;

		cJSON_ArrayForEach(e, node)
			resolve(e, node, path, f);
	} else if (cJSON_IsArray(node) && seg[0] >= '0' && seg[0] <= '9') {
		resolve(cJSON_GetArrayItem(node, atoi(seg)), node, path, f);
	} else {
		resolve(hpcp_at(node, seg), node, path, f);
	}
}

/* "p50" for 0.5, "p99_9" for 0.999. */
static void pkey(char *b, size_t n, double q)
{
	char num[32], *dot;

	snprintf(num, sizeof(num), "%.10g", q * 100);
	dot = strchr(num, '.');
	if (dot)
		*dot = '_';
	if (n > strlen(num) + 1) {
		b[0] = 'p';
		memcpy(b + 1, num, strlen(num) + 1);
	} else if (n) {
		b[0] = '\0';
	}
}

static int compare(double x, const char *cmp, double v)
{
	if (!strcmp(cmp, "<"))
		return x < v;
	if (!strcmp(cmp, "<="))
		return x <= v;
	if (!strcmp(cmp, ">"))
		return x > v;
	return x >= v;
}

/* n = ceil(ln(1 - c) / ln(q)), the zero-exceedance sample count. */
long hpcp_claims_samples_needed(double q, double c)
{
	return (long)ceil(log(1 - c) / log(q) - 1e-9);
}

/* One claim: its verdict object {claim, metric, comparison, value,
 * verdict, measured, reason}. */
static enum verdict judge(const cJSON *c, const cJSON *root, cJSON *out)
{
	const char *metric = hpcp_str_at(c, "metric");
	const char *cmp = hpcp_str_at(c, "comparison");
	double v = hpcp_num_at(c, "value", 0);
	double q = hpcp_num_at(c, "percentile", NAN);
	double conf = hpcp_num_at(c, "confidence", 0.95);
	enum verdict worst = V_HOLDS;
	double shown = NAN;
	char reason[256] = "", key[32] = "";
	struct found *f = calloc(1, sizeof(*f));
	long need = 0;

	if (!f)
		return V_NOT_MEASURED;
	resolve(root, NULL, metric, f);
	if (!isnan(q)) {
		pkey(key, sizeof(key), q);
		need = hpcp_claims_samples_needed(q, conf);
	}
	if (!strncmp(metric, "phases/", 7)) {
		/* A phase that did not finish measured nothing to judge. */
		char name[64];
		size_t len = strcspn(metric + 7, "/");

		snprintf(name, sizeof(name), "%.*s", (int)len, metric + 7);
		if (hpcp_phase_at(root, name) && !hpcp_phase_ok(root, name))
			f->n = 0;
	}
	if (f->n == 0) {
		worst = V_NOT_MEASURED;
		snprintf(reason, sizeof(reason), "no %s in the document%s",
			 metric, hpcp_str_at(hpcp_at(root, "cost"), "reason") &&
					 !strncmp(metric, "cost/", 5) ?
				 " (cost: instance type unknown)" : "");
	}
	if (f->lost) {
		/* Judging only some matches could call a refuted claim held. */
		f->n = 0;
		worst = V_NOT_MEASURED;
		snprintf(reason, sizeof(reason), "out of memory listing the "
			 "matches of %s", metric);
	}
	for (int i = 0; i < f->n; i++) {
		const cJSON *n = f->node[i];
		enum verdict here = V_HOLDS;
		double x;

		if (!isnan(q)) {
			double count = hpcp_num_at(f->parent[i],
						   "samples_count", NAN);

			if (isnan(count))
				count = hpcp_num_at(n, "count", NAN);
			if (isnan(count) || count < (double)need) {
				here = V_TOO_FEW;
				if (worst < V_TOO_FEW)
					snprintf(reason, sizeof(reason),
						 "%.0f samples; the %s at "
						 "confidence %g needs %ld",
						 count, key, conf, need);
			}
			n = hpcp_at(n, key);
		}
		if (here == V_HOLDS && !hpcp_num_of(n, &x)) {
			here = cJSON_IsNull(n) ? V_TOO_FEW : V_NOT_MEASURED;
			if (worst < here)
				snprintf(reason, sizeof(reason), "%s%s%s",
					 metric, key[0] ? " " : "",
					 here == V_TOO_FEW ?
						 " is null (too few samples)" :
						 " is not a number");
		} else if (here == V_HOLDS) {
			if (!compare(x, cmp, v))
				here = V_REFUTED;
			/* Show the value that decides: the first refuting
			 * one, else the one nearest to failing. */
			if (here == V_REFUTED ?
				    worst < V_REFUTED :
				    worst == V_HOLDS &&
					    (isnan(shown) ||
					     fabs(x - v) < fabs(shown - v)))
				shown = x;
		}
		if (here > worst)
			worst = here;
	}
	free(f->node);
	free(f->parent);
	free(f);
	cJSON_AddStringToObject(out, "claim", hpcp_str_at(c, "claim") ?
						     hpcp_str_at(c, "claim") :
						     metric);
	cJSON_AddStringToObject(out, "metric", metric);
	cJSON_AddStringToObject(out, "comparison", cmp);
	cJSON_AddNumberToObject(out, "value", v);
	if (key[0])
		cJSON_AddStringToObject(out, "percentile", key);
	if (hpcp_str_at(c, "unit"))
		cJSON_AddStringToObject(out, "unit", hpcp_str_at(c, "unit"));
	cJSON_AddStringToObject(out, "verdict", verdict_names[worst]);
	if (!isnan(shown) && (worst == V_HOLDS || worst == V_REFUTED))
		cJSON_AddNumberToObject(out, "measured", shown);
	else
		cJSON_AddNullToObject(out, "measured");
	if (reason[0] && worst != V_HOLDS && worst != V_REFUTED)
		cJSON_AddStringToObject(out, "reason", reason);
	return worst;
}

cJSON *hpcp_claims_judge(const cJSON *claims, const cJSON *root,
			 int *refuted)
{
	cJSON *out = cJSON_CreateArray();
	const cJSON *c;

	*refuted = 0;
	if (!out)
		return NULL;
	cJSON_ArrayForEach(c, hpcp_at(claims, "claims")) {
		cJSON *v = cJSON_CreateObject();

		if (!v || !cJSON_AddItemToArray(out, v)) {
			cJSON_Delete(v);
			cJSON_Delete(out);
			return NULL;
		}
		*refuted += judge(c, root, v) == V_REFUTED;
	}
	return out;
}

void hpcp_claims_print(const cJSON *verdicts, FILE *out)
{
	const cJSON *v;
	int count[4] = { 0 };

	fprintf(out, "Claims\n");
	cJSON_ArrayForEach(v, verdicts) {
		const char *unit = hpcp_str_at(v, "unit");
		double m = hpcp_num_at(v, "measured", NAN);

		for (int k = 0; k < 4; k++)
			count[k] += !strcmp(text_at(v, "verdict"),
					    verdict_names[k]);
		fprintf(out, "  %-15s %s: %s%s%s %s %g%s%s", text_at(v, "verdict"),
			text_at(v, "claim"), text_at(v, "metric"),
			hpcp_str_at(v, "percentile") ? " " : "",
			hpcp_str_at(v, "percentile") ?
				hpcp_str_at(v, "percentile") : "",
			text_at(v, "comparison"),
			hpcp_num_at(v, "value", 0), unit ? " " : "",
			unit ? unit : "");
		if (!isnan(m))
			fprintf(out, " (measured %g%s%s)", m, unit ? " " : "",
				unit ? unit : "");
		if (hpcp_str_at(v, "reason"))
			fprintf(out, " (%s)", hpcp_str_at(v, "reason"));
		fputc('\n', out);
	}
	fprintf(out, "  %d hold, %d refuted, %d not measured, %d too few "
		"samples\n", count[V_HOLDS], count[V_REFUTED],
		count[V_NOT_MEASURED], count[V_TOO_FEW]);
}

void hpcp_html_claims(struct hpcp_text *t, const cJSON *verdicts)
{
	const cJSON *v;

	if (!cJSON_IsArray(verdicts))
		return;
	hpcp_put(t, "<h2>Claims</h2>\n<table>\n<tr><th>claim</th>"
		 "<th>metric</th><th>claimed</th><th>measured</th>"
		 "<th>verdict</th></tr>\n");
	cJSON_ArrayForEach(v, verdicts) {
		char b[64];

		hpcp_put(t, "<tr><td>");
		hpcp_html_esc(t, hpcp_str_at(v, "claim"));
		hpcp_put(t, "</td><td>");
		hpcp_html_esc(t, hpcp_str_at(v, "metric"));
		if (hpcp_str_at(v, "percentile")) {
			hpcp_put(t, " ");
			hpcp_html_esc(t, hpcp_str_at(v, "percentile"));
		}
		hpcp_put(t, "</td><td>");
		hpcp_html_esc(t, hpcp_str_at(v, "comparison"));
		snprintf(b, sizeof(b), " %g", hpcp_num_at(v, "value", 0));
		hpcp_put(t, "%s", b);
		if (hpcp_str_at(v, "unit")) {
			hpcp_put(t, " ");
			hpcp_html_esc(t, hpcp_str_at(v, "unit"));
		}
		hpcp_put(t, "</td><td>");
		if (isnan(hpcp_num_at(v, "measured", NAN))) {
			hpcp_html_esc(t, hpcp_str_at(v, "reason") ?
				       hpcp_str_at(v, "reason") : "n/a");
		} else {
			snprintf(b, sizeof(b), "%g",
				 hpcp_num_at(v, "measured", 0));
			hpcp_put(t, "%s", b);
		}
		hpcp_put(t, "</td><td>");
		hpcp_html_esc(t, hpcp_str_at(v, "verdict"));
		hpcp_put(t, "</td></tr>\n");
	}
	hpcp_put(t, "</table>\n");
}
