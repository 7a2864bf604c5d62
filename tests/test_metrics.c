/*
 * The phases' metric tables (hpcp/metrics.h) and their walker
 * (src/doc/metrics.c), without MPI: every entry of every table, its
 * labels included, is found in a fixture document (tests/data/results/)
 * and resolves to a property the schema defines, so a table can drift
 * from neither; and the walker's instances on a fixture.
 */
#include "config.h"

#include <cJSON.h>
#include <math.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "doc/hpcpdoc.h"
#include "tap.h"

#include <dirent.h>
#include <stdlib.h>

#define RESULTS HPCP_TEST_DATADIR "/results/"
#define SEGS 16

/* Every document in tests/data/results/: a new phase's fixture is found
 * without an edit here. */
#define MAX_DOCS 64
static cJSON *docs[MAX_DOCS + 1];
static cJSON *full, *failed_doc;
static cJSON *schema;

static cJSON *load_json(const char *path)
{
	char err[512];
	char *text = hpcp_doc_read_file(path, err, sizeof(err));
	cJSON *root = text ? cJSON_Parse(text) : NULL;

	if (!root)
		tap_diag(text ? "not JSON" : err);
	free(text);
	return root;
}

/* --- the schema: does a path name a property it defines? ------------- */

static int resolves(const cJSON *s, char **seg, int n);

/* "{m}" stands for a word: a pattern property must match "x". */
static void instantiate(const char *seg, char *out, size_t len)
{
	size_t k = 0;

	for (const char *p = seg; *p && k + 1 < len; p++) {
		const char *end = *p == '{' ? strchr(p, '}') : NULL;

		if (end) {
			out[k++] = 'x';
			p = end;
		} else {
			out[k++] = *p;
		}
	}
	out[k] = '\0';
}

static int by_pattern(const cJSON *pp, const char *name, char **seg, int n)
{
	const cJSON *p;

	cJSON_ArrayForEach(p, pp) {
		regex_t re;
		int hit;

		if (regcomp(&re, p->string, REG_EXTENDED | REG_NOSUB) != 0)
			continue;
		hit = regexec(&re, name, 0, NULL, 0) == 0;
		regfree(&re);
		if (hit && resolves(p, seg, n))
			return 1;
	}
	return 0;
}

static int resolves(const cJSON *s, char **seg, int n)
{
	static const char *const branches[] = { "allOf", "anyOf", "oneOf",
						"then", "else", NULL };
	const char *ref = hpcp_str_at(s, "$ref");
	char name[128];
	const cJSON *c;

	if (!cJSON_IsObject(s))
		return 0;
	if (ref && !strncmp(ref, "#/$defs/", 8) &&
	    resolves(hpcp_at(hpcp_at(schema, "$defs"), ref + 8), seg, n))
		return 1;
	if (n == 0)
		return 1;
	for (int i = 0; branches[i]; i++) {
		c = hpcp_at(s, branches[i]);
		if (cJSON_IsObject(c) && resolves(c, seg, n))
			return 1;
		if (cJSON_IsArray(c)) {
			const cJSON *b;

			cJSON_ArrayForEach(b, c)
				if (resolves(b, seg, n))
					return 1;
		}
	}
	if (!strcmp(seg[0], "[]") || strspn(seg[0], "0123456789") ==
					     strlen(seg[0]))
		return resolves(hpcp_at(s, "items"), seg + 1, n - 1);
	if (!strcmp(seg[0], "*"))
		return resolves(hpcp_at(s, "additionalProperties"), seg + 1,
				n - 1);
	instantiate(seg[0], name, sizeof(name));
	return resolves(hpcp_at(hpcp_at(s, "properties"), name), seg + 1,
			n - 1) ||
	       by_pattern(hpcp_at(s, "patternProperties"), name, seg + 1,
			  n - 1) ||
	       resolves(hpcp_at(s, "additionalProperties"), seg + 1, n - 1);
}

/* Appends the '/'-separated segments of path (in buf) to seg. */
static int split(char *buf, char **seg, int n)
{
	for (char *tok = strtok(buf, "/"); tok && n < SEGS;
	     tok = strtok(NULL, "/"))
		seg[n++] = tok;
	return n;
}

/* phases/<phase>/<each, through wildcard `upto` (all: -1)>/<path>, or
 * <phase>/... for a top-level table. */
static int in_schema(const struct hpcp_metric_table *tab, const char *each,
		     int upto, const char *path)
{
	char buf[512], *seg[SEGS];
	int n = tab->top ? 1 : 2, wild = -1, first = n;

	seg[0] = "phases";
	seg[n - 1] = (char *)tab->phase;
	snprintf(buf, sizeof(buf), "%s", each);
	n = split(buf, seg, n);
	if (upto >= 0) {
		for (int i = first; i < n; i++) {
			if (!strcmp(seg[i], "[]") || !strcmp(seg[i], "*"))
				wild++;
			if (wild == upto) {
				n = i + 1;
				break;
			}
		}
	}
	if (path) {
		char tail[256];

		snprintf(tail, sizeof(tail), "%s", path);
		n = split(tail, seg, n);
		return resolves(schema, seg, n);
	}
	return resolves(schema, seg, n);
}

/* --- the fixtures: is every entry measured somewhere? ------------------ */

struct found {
	int values;
	int labels[HPCP_METRIC_MAX_LABELS];
};

static void count(const struct hpcp_metric_value *v, void *arg)
{
	struct found *f = arg;

	if (!v->node)
		return;
	f->values++;
	for (int i = 0; i < v->n_labels; i++)
		f->labels[i] += v->label_value[i] != NULL;
}

static void check_tables(void)
{
	for (int t = 0; hpcp_metric_tables[t]; t++) {
		const struct hpcp_metric_table *tab = hpcp_metric_tables[t];

		for (size_t i = 0; i < tab->n; i++) {
			const struct hpcp_metric *m = &tab->metrics[i];
			const struct hpcp_metric_label *l;
			struct found f = { 0 };
			int k = 0;

			for (int d = 0; docs[d]; d++)
				hpcp_metrics_walk(docs[d], tab, i, i + 1, count,
						  &f);
			tap_ok(f.values > 0, "%s %s/%s: in a fixture",
			       tab->phase, m->each, m->path);
			tap_ok(in_schema(tab, m->each, -1, m->path),
			       "%s %s/%s: in the schema", tab->phase, m->each,
			       m->path);
			if (m->path_alt)
				tap_ok(in_schema(tab, m->each, -1,
						 m->path_alt),
				       "%s %s/%s: in the schema", tab->phase,
				       m->each, m->path_alt);
			if (m->noisy)
				tap_ok(in_schema(tab, m->each, -1,
						 m->noisy),
				       "%s %s/%s: in the schema", tab->phase,
				       m->each, m->noisy);
			/* A misspelt member would turn the gate off (gate_if)
			 * or never (gate_unless) for every document. */
			if (m->gate_if)
				tap_ok(in_schema(tab, m->each, -1, m->gate_if),
				       "%s %s/%s: gate_if in the schema",
				       tab->phase, m->each, m->gate_if);
			if (m->gate_unless)
				tap_ok(in_schema(tab, m->each, -1,
						 m->gate_unless),
				       "%s %s/%s: gate_unless in the schema",
				       tab->phase, m->each, m->gate_unless);
			for (l = m->labels; l && l->name; l++, k++) {
				if (l->value)
					continue;
				tap_ok(f.labels[k] > 0,
				       "%s %s/%s: label %s in a fixture",
				       tab->phase, m->each, m->path, l->name);
				tap_ok(in_schema(tab,
						 l->level < 0 ? "" : m->each,
						 l->level, l->path),
				       "%s %s: label %s in the schema",
				       tab->phase, m->path, l->name);
			}
		}
	}
}

/* --- the walker on full-np4.json --------------------------------------- */

struct seen {
	int n, first, last, noisy;
	char name[8][96];
	char kind[32], bytes[32], host[64];
	double p50;
};

static void note(const struct hpcp_metric_value *v, void *arg)
{
	struct seen *s = arg;

	if (s->n < 8)
		hpcp_metric_name(v, v->m->gate ? v->m->gate : "{key}", "p50",
				 s->name[s->n], sizeof(s->name[s->n]));
	if (s->n++ == 0) {
		/* Copies: a number's text lives in v. */
		snprintf(s->kind, sizeof(s->kind), "%s",
			 v->label_value[0] ? v->label_value[0] : "");
		snprintf(s->bytes, sizeof(s->bytes), "%s",
			 v->label_value[1] ? v->label_value[1] : "");
		snprintf(s->host, sizeof(s->host), "%s",
			 v->n_labels > 2 && v->label_value[2] ?
				 v->label_value[2] : "");
		s->p50 = hpcp_metric_num(v, "p50");
	}
	s->first += v->first;
	s->last += v->last;
	s->noisy += v->noisy;
}

static void check_walker(cJSON *full, cJSON *failed)
{
	const struct hpcp_metric_table *pp = 
		hpcp_metric_table_find("pingpong");
	const struct hpcp_metric_table *ar = 
		hpcp_metric_table_find("allreduce");
	const struct hpcp_metric_table *cp = 
		hpcp_metric_table_find("compute");
	struct seen s = { 0 };
	size_t end = hpcp_metrics_group_end(pp, 0);

	tap_is_int((long long)end, 2, "pingpong's pairs group: 2 entries");
	hpcp_metrics_walk(full, pp, 0, 1, note, &s);
	tap_is_int(s.n, 24, "pingpong latency: one instance per size");
	tap_is_str(s.kind, "intra_node", "the pair's kind as a label");
	tap_is_str(s.bytes, "0", "the size's bytes as a label");
	tap_ok(s.host[0] != '\0', "the pair's first host as a label");
	tap_ok(isfinite(s.p50) && s.p50 > 0, "a distribution's p50");
	tap_is_str(s.name[0], "pingpong.intra_node.0B.p50_ns",
		   "the gate's name of an instance");
	tap_is_int(s.first + s.last, 48, "alone, first and last");

	memset(&s, 0, sizeof(s));
	hpcp_metrics_walk(full, ar, 0, hpcp_metrics_group_end(ar, 0), note,
			  &s);
	tap_is_int(s.n, 76, "allreduce: latency, algbw, busbw and the "
			    "slowest rank per size");
	tap_is_int(s.first, 19, "a group starts once per size");
	tap_is_int(s.last, 19, "and ends once");
	tap_is_str(s.name[0], "allreduce.4B.p50_ns", "latency first");
	tap_is_str(s.name[1], "algbw_bytes_per_s",
		   "then the same size's algbw (no gate name: its key)");
	tap_is_str(s.name[2], "allreduce.4B.busbw_bytes_per_s",
		   "then its busbw");

	memset(&s, 0, sizeof(s));
	for (size_t i = 0; i < cp->n; i++)
		if (!strcmp(cp->metrics[i].each, "kernels/*"))
			hpcp_metrics_walk(full, cp, i, i + 1, note, &s);
	tap_is_int(s.n, 3, "compute: one rate per kernel");
	tap_is_str(s.name[0], "compute.dgemm.job_flops_per_s",
		   "{work_unit} read from the kernel");

	memset(&s, 0, sizeof(s));
	hpcp_metrics_walk(failed, pp, 0, 2, note, &s);
	tap_is_int(s.n, 0, "a phase not ok: no instance");
}

static int is_json(const struct dirent *e)
{
	size_t len = strlen(e->d_name);

	return len > 5 && strcmp(e->d_name + len - 5, ".json") == 0;
}

int main(void)
{
	struct dirent **names = NULL;
	int n = 0, found = scandir(RESULTS, &names, is_json, alphasort);

	for (int i = 0; i < found; i++) {
		char path[512];

		if (n < MAX_DOCS) {
			snprintf(path, sizeof(path), RESULTS "%s",
				 names[i]->d_name);
			docs[n] = load_json(path);
			if (docs[n] && !strcmp(names[i]->d_name, "full-np4.json"))
				full = docs[n];
			if (docs[n] && !strcmp(names[i]->d_name, "failed-np2.json"))
				failed_doc = docs[n];
			n += docs[n] != NULL;
		}
		free(names[i]);
	}
	free(names);
	docs[n] = NULL;
	schema = load_json(HPCP_TEST_SCHEMA);
	tap_ok(n == found && n >= 6 && full && failed_doc && schema,
	       "the %d fixtures of tests/data/results/ and the schema load",
	       found);
	if (full && failed_doc && schema) {
		check_tables();
		check_walker(full, failed_doc);
	}
	for (int i = 0; docs[i]; i++)
		cJSON_Delete(docs[i]);
	cJSON_Delete(schema);
	return tap_done();
}
