/*
 * The regression gate of hpcprobe-report: the metrics two documents share,
 * their change, and a verdict against a tolerance.
 */
#include "config.h"

#include "report.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct metric {
	char *name;
	double value;       /* NaN: null in the document (not measured) */
	int lower_is_better;
	int noisy;   /* measured on a host too busy to judge it */
};

/*
 * Every gated metric of a document, in walk order, grown as needed: a cap
 * would drop the last in walk order (all-reduce, fabric) and pass their
 * regressions.
 * index: open addressing on the name (slot + 1, 0 empty), so that large
 * documents stay linear.
 */
struct metric_set {
	size_t n, cap;
	struct metric *m;
	size_t *index, slots;   /* slots: 4 x cap, a power of two */
	int oom;
};

static double num(const cJSON *v)
{
	double d;

	return hpcp_num_of(v, &d) ? d : NAN;
}

static size_t hash(const char *s)
{
	uint64_t h = 1469598103934665603ull;    /* FNV-1a */

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ull;
	return (size_t)h;
}

/* The slot of name: its metric's, or the empty one it would take. */
static size_t *slot_of(const struct metric_set *s, const char *name)
{
	size_t i = hash(name) & (s->slots - 1);

	while (s->index[i] && strcmp(s->m[s->index[i] - 1].name, name) != 0)
		i = (i + 1) & (s->slots - 1);
	return &s->index[i];
}

static struct metric *find(const struct metric_set *s, const char *name)
{
	size_t *slot = s->slots ? slot_of(s, name) : NULL;

	return slot && *slot ? &s->m[*slot - 1] : NULL;
}

/* Room for one more metric; 0 when memory ran out (then s->oom). */
static int grow(struct metric_set *s)
{
	size_t cap = s->cap ? 2 * s->cap : 256;
	struct metric *m;
	size_t *index;

	if (s->n < s->cap)
		return 1;
	m = realloc(s->m, cap * sizeof(*m));
	if (m)
		s->m = m;
	index = calloc(4 * cap, sizeof(*index));
	if (!m || !index) {
		free(index);
		s->oom = 1;
		return 0;
	}
	free(s->index);
	s->index = index;
	s->slots = 4 * cap;
	s->cap = cap;
	for (size_t i = 0; i < s->n; i++)
		*slot_of(s, s->m[i].name) = i + 1;
	return 1;
}

static void set_free(struct metric_set *s)
{
	for (size_t i = 0; i < s->n; i++)
		free(s->m[i].name);
	free(s->m);
	free(s->index);
	*s = (struct metric_set){ 0 };
}

/*
 * Add, or keep the worse of two values for one name (several pairs).  A
 * value that is null in the document (a percentile too few samples
 * support) is kept as NaN so the comparison can say so, never as 0; a
 * measured value replaces it.
 */
static void add_value(struct metric_set *s, const char *name, double v,
		      int lower)
{
	struct metric *m = find(s, name);

	if (m) {
		if (isnan(m->value) ||
		    (lower ? v > m->value : v < m->value))
			m->value = v;
		return;
	}
	if (s->oom || !grow(s))
		return;
	m = &s->m[s->n];
	if (!(m->name = strdup(name))) {
		s->oom = 1;
		return;
	}
	m->value = v;
	m->lower_is_better = lower;
	m->noisy = 0;
	*slot_of(s, name) = ++s->n;
}

static void add(struct metric_set *s, const char *name, double v, int lower)
{
	if (isfinite(v))
		add_value(s, name, v, lower);
}

/* A percentile: a number, or null kept as not measured. */
static void add_pct(struct metric_set *s, const char *name, const cJSON *v)
{
	if (cJSON_IsNull(v)) {
		if (!find(s, name))
			add_value(s, name, NAN, 1);
	} else {
		add(s, name, num(v), 1);
	}
}

/* Mark a metric as measured on a host too busy to judge it. */
static void mark_noisy(struct metric_set *s, const char *name, int noisy)
{
	struct metric *m = noisy ? find(s, name) : NULL;

	if (m)
		m->noisy = 1;
}

/* Name tmpl of v (hpcp_metric_name) into *buf, grown until it fits: a
 * name cut short could merge two metrics.  0, or -1 out of memory. */
static int name_of(const struct hpcp_metric_value *v, const char *tmpl,
		   const char *stat, char **buf, size_t *len)
{
	while (hpcp_metric_name(v, tmpl, stat, *buf, *len) != 0) {
		size_t l = *len ? 2 * *len : 128;
		char *b = realloc(*buf, l);

		if (!b)
			return -1;
		*buf = b;
		*len = l;
	}
	return 0;
}

struct collect {
	struct metric_set *s;
	char *name;
	size_t len;
};

/* One instance of a gated table entry: its percentiles or its value. */
static void gate_value(const struct hpcp_metric_value *v, void *arg)
{
	static const char *const stats[] = { "p50", "p99" };
	struct collect *c = arg;
	struct metric_set *s = c->s;
	const struct hpcp_metric *m = v->m;
	int lower = m->better == HPCP_BETTER_LOWER;

	if (!m->gate || !v->node || (v->noisy && m->noisy_drops) ||
	    (m->gate_unless && hpcp_metric_at(v, v->elem, m->gate_unless,
					      NULL)) ||
	    (m->gate_if && !hpcp_metric_at(v, v->elem, m->gate_if, NULL)))
		return;
	if (m->kind != HPCP_METRIC_LATENCY) {
		if (name_of(v, m->gate, NULL, &c->name, &c->len) != 0) {
			s->oom = 1;
		} else {
			add(s, c->name, num(v->node), lower);
			/* A rate from a busy host is no more a finding than
			 * its latencies. */
			mark_noisy(s, c->name, v->noisy);
		}
		return;
	}
	for (unsigned i = 0; i < 2; i++) {
		if (!(m->gate_stats & (1u << i)))
			continue;
		if (name_of(v, m->gate, stats[i], &c->name, &c->len) != 0) {
			s->oom = 1;
			continue;
		}
		add_pct(s, c->name, hpcp_at(v->node, stats[i]));
		mark_noisy(s, c->name, v->noisy);
	}
}

/* Every gated metric of every phase's table (hpcp/metrics.h), instance
 * by instance so that a size's metrics stay together.  0, or -1 when
 * memory ran out (then the set is incomplete and must not be judged). */
static int collect(struct metric_set *s, const cJSON *root)
{
	struct collect c = { .s = s };

	for (int t = 0; hpcp_metric_tables[t]; t++) {
		const struct hpcp_metric_table *tab = hpcp_metric_tables[t];

		for (size_t i = 0, end; i < tab->n; i = end) {
			end = hpcp_metrics_group_end(tab, i);
			hpcp_metrics_walk(root, tab, i, end, gate_value, &c);
		}
	}
	free(c.name);
	return s->oom ? -1 : 0;
}

/*
 * name as printed: a document's keys, host and provider names may hold
 * any byte, and a terminal obeys escapes (ESC, C1 CSI 0x9b raw or in
 * UTF-8), CR and LF, which could forge lines such as "0 regressed".  Every
 * byte outside printable ASCII, and the backslash itself so that the
 * escape is unambiguous, is shown as \xHH or \\.  The one place names
 * are made printable; the result is in t (reused).
 */
static const char *printable(struct hpcp_text *t, const char *name)
{
	t->len = 0;
	hpcp_put(t, "%s", "");
	for (const unsigned char *p = (const unsigned char *)name; *p; p++) {
		if (*p == '\\')
			hpcp_put(t, "\\\\");
		else if (*p >= 0x20 && *p < 0x7f)
			hpcp_put(t, "%c", *p);
		else
			hpcp_put(t, "\\x%02x", *p);
	}
	return t->oom ? "?" : t->buf;
}

int hpcp_report_gate(const cJSON *old, const cJSON *new, double tolerance_pct,
		     FILE *out, char *err, size_t errlen)
{
	struct metric_set a = { 0 }, b = { 0 };
	struct hpcp_text pr = { 0 };
	int compared = 0, regressed = 0, noisy = 0, rc = -1;

	if (collect(&a, old) != 0 || collect(&b, new) != 0) {
		snprintf(err, errlen, "out of memory reading the metrics");
		goto out;
	}
	fprintf(out, "%-44s %14s %14s %9s  %s\n", "metric", "baseline", "new",
		"change", "verdict");
	for (size_t i = 0; i < b.n; i++) {
		const struct metric *nm = &b.m[i], *om = find(&a, nm->name);
		double change;
		int worse;

		if (!om)
			continue;
		if (isnan(nm->value) || isnan(om->value)) {
			char a[24] = "n/a", b[24] = "n/a";

			if (!isnan(om->value))
				snprintf(a, sizeof(a), "%.6g", om->value);
			if (!isnan(nm->value))
				snprintf(b, sizeof(b), "%.6g", nm->value);
			fprintf(out, "%-44s %14s %14s %9s  %s\n",
				printable(&pr, nm->name), a, b, "",
				"not compared (too few samples)");
			continue;
		}
		compared++;
		if (om->value == 0)
			change = nm->value == 0 ? 0 : INFINITY;
		else
			change = (nm->value - om->value) / fabs(om->value) * 100;
		worse = nm->lower_is_better ? change > tolerance_pct :
					      change < -tolerance_pct;
		/* A host too busy to measure cannot show a regression. */
		if (nm->noisy || om->noisy) {
			noisy++;
			worse = 0;
		}
		regressed += worse;
		fprintf(out, "%-44s %14.6g %14.6g %+8.1f%%  %s\n",
			printable(&pr, nm->name), om->value, nm->value,
			isfinite(change) ? change : 999.9,
			worse ? "REGRESSED" :
			nm->noisy || om->noisy ? "noisy host, not judged" : "ok");
	}
	if (compared == 0) {
		snprintf(err, errlen, "the documents share no metric to compare");
		goto out;
	}
	fprintf(out, "%d metrics compared, %d regressed beyond %g %%",
		compared, regressed, tolerance_pct);
	if (noisy)
		fprintf(out, ", %d not judged (noisy host)", noisy);
	fprintf(out, "\n");
	rc = regressed;
out:
	set_free(&a);
	set_free(&b);
	free(pr.buf);
	return rc;
}
