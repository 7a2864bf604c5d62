/*
 * A phase's metric table (hpcp/metrics.h) walked over a document: every
 * concrete instance of every entry, with its labels and value, for the
 * gate and the exports, which then spell no document path themselves.
 */
#include "config.h"

#include "hpcpdoc.h"
#include "hpcp/num.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define SEG_MAX 64

/* One '/'-separated segment of *p into seg; advances *p.  0 at the end. */
static int next_seg(const char **p, char *seg, size_t len)
{
	size_t n = 0;

	if (!*p || !**p)
		return 0;
	while (**p && **p != '/') {
		if (n + 1 < len)
			seg[n++] = **p;
		(*p)++;
	}
	seg[n] = '\0';
	if (**p == '/')
		(*p)++;
	return 1;
}

/* The string member m of the innermost bound element that has it (of base
 * without v). */
static const char *scoped(const struct hpcp_metric_value *v,
			  const cJSON *base, const char *m)
{
	if (!v)
		return hpcp_str_at(base, m);
	for (int i = HPCP_METRIC_MAX_DEPTH - 1; i >= 0; i--)
		if (v->bound[i] && hpcp_str_at(v->bound[i], m))
			return hpcp_str_at(v->bound[i], m);
	return hpcp_str_at(v->phase, m);
}

/*
 * seg with each "{m}" replaced (scoped()), allocated to fit (free it): a
 * value cut to a fixed buffer could name another member, or none.  NULL
 * when a member is absent, the template is bad or memory runs out.
 */
static char *expand(const struct hpcp_metric_value *v, const cJSON *base,
		    const char *seg)
{
	char *out = NULL;
	size_t n = 0;

	/* Pass 0 measures, pass 1 writes. */
	for (int pass = 0; pass < 2; pass++) {
		n = 0;
		for (const char *s = seg; *s; s++) {
			const char *end, *val;
			char member[SEG_MAX];
			size_t l;

			if (*s != '{') {
				if (out)
					out[n] = *s;
				n++;
				continue;
			}
			end = strchr(s, '}');
			if (!end || (size_t)(end - s - 1) >= sizeof(member))
				goto fail;
			memcpy(member, s + 1, (size_t)(end - s - 1));
			member[end - s - 1] = '\0';
			val = scoped(v, base, member);
			if (!val)
				goto fail;
			l = strlen(val);
			if (out)
				memcpy(out + n, val, l);
			n += l;
			s = end;
		}
		if (!out && !(out = malloc(n + 1)))
			return NULL;
	}
	out[n] = '\0';
	return out;
fail:
	free(out);
	return NULL;
}

static int all_digits(const char *s)
{
	if (!*s)
		return 0;
	for (; *s; s++)
		if (!isdigit((unsigned char)*s))
			return 0;
	return 1;
}

const cJSON *hpcp_metric_at(const struct hpcp_metric_value *v,
			    const cJSON *base, const char *path, char **key)
{
	char seg[SEG_MAX], *name;
	const cJSON *node = base;

	if (key) {
		free(*key);
		*key = NULL;
	}
	while (node && next_seg(&path, seg, sizeof(seg))) {
		name = expand(v, base, seg);
		if (!name)
			return NULL;
		if (cJSON_IsArray(node) && all_digits(name))
			node = cJSON_GetArrayItem(node, atoi(name));
		else
			node = hpcp_at(node, name);
		if (key) {
			free(*key);
			*key = name;
		} else {
			free(name);
		}
	}
	return node;
}

struct walk {
	const cJSON *root;
	const struct hpcp_metric_table *t;
	size_t from, to;
	hpcp_metric_fn fn;
	void *arg;
	struct hpcp_metric_value v;
};

static void label_of(struct hpcp_metric_value *v,
		     const struct hpcp_metric_label *l, int i)
{
	const cJSON *base, *n;
	double d;

	v->label[i] = l;
	v->label_value[i] = NULL;
	if (l->value) {
		v->label_value[i] = l->value;
		return;
	}
	if (l->level >= HPCP_METRIC_MAX_DEPTH)
		return;
	base = l->level < 0 ? v->phase : v->bound[l->level];
	if (!base)
		return;
	if (!l->path) {
		v->label_value[i] = base->string;
		return;
	}
	n = hpcp_metric_at(v, base, l->path, NULL);
	if (cJSON_IsString(n)) {
		v->label_value[i] = n->valuestring;
	} else if (hpcp_num_of(n, &d)) {
		snprintf(v->label_buf[i], sizeof(v->label_buf[i]), "%.0f", d);
		v->label_value[i] = v->label_buf[i];
	}
}

/* Every entry of the group at the binding in w->v. */
static void emit(struct walk *w)
{
	struct hpcp_metric_value *v = &w->v;

	for (size_t i = w->from; i < w->to; i++) {
		const struct hpcp_metric *m = &w->t->metrics[i];
		const struct hpcp_metric_label *l;

		v->m = m;
		v->first = i == w->from;
		v->last = i + 1 == w->to;
		v->node = hpcp_metric_at(v, v->elem, m->path, &v->key);
		if (!v->node && m->path_alt)
			v->node = hpcp_metric_at(v, v->elem, m->path_alt,
						 &v->key);
		v->noisy = m->noisy &&
			   cJSON_IsTrue(hpcp_metric_at(v, v->elem, m->noisy,
						       NULL));
		v->n_labels = 0;
		for (l = m->labels; l && l->name &&
		     v->n_labels < HPCP_METRIC_MAX_LABELS; l++) {
			label_of(v, l, v->n_labels);
			v->n_labels++;
		}
		w->fn(v, w->arg);
	}
}

static void walk_each(struct walk *w, const cJSON *node, const char *each,
		      int depth)
{
	char seg[SEG_MAX];
	const cJSON *child;

	if (!next_seg(&each, seg, sizeof(seg))) {
		w->v.elem = node;
		w->v.depth = depth;
		emit(w);
		return;
	}
	if (!strcmp(seg, "[]") || !strcmp(seg, "*")) {
		if (depth >= HPCP_METRIC_MAX_DEPTH ||
		    !(seg[0] == '[' ? cJSON_IsArray(node) : cJSON_IsObject(node)))
			return;
		cJSON_ArrayForEach(child, node) {
			w->v.bound[depth] = child;
			walk_each(w, child, each, depth + 1);
		}
		w->v.bound[depth] = NULL;
		return;
	}
	node = hpcp_at(node, seg);
	if (node)
		walk_each(w, node, each, depth);
}

size_t hpcp_metrics_group_end(const struct hpcp_metric_table *t, size_t from)
{
	size_t i = from + 1;

	while (i < t->n && !strcmp(t->metrics[i].each, t->metrics[from].each))
		i++;
	return i;
}

void hpcp_metrics_walk(const cJSON *root, const struct hpcp_metric_table *t,
		       size_t from, size_t to, hpcp_metric_fn fn, void *arg)
{
	struct walk w = { .root = root, .t = t, .from = from, .to = to,
			  .fn = fn, .arg = arg };

	if (from >= to || to > t->n || !hpcp_table_ok(root, t))
		return;
	w.v.table = t;
	w.v.phase = hpcp_table_at(root, t);
	walk_each(&w, w.v.phase, t->metrics[from].each, 0);
	free(w.v.key);
}

double hpcp_metric_num(const struct hpcp_metric_value *v, const char *stat)
{
	double d;
	const cJSON *n = stat ? hpcp_at(v->node, stat) : v->node;

	return hpcp_num_of(n, &d) ? d : NAN;
}

int hpcp_metric_name(const struct hpcp_metric_value *v, const char *tmpl,
		     const char *stat, char *buf, size_t len)
{
	size_t n = 0;

	for (const char *s = tmpl; *s; s++) {
		const char *end = *s == '{' ? strchr(s, '}') : NULL;
		const char *val = NULL;
		size_t klen;

		if (!end) {
			if (n + 1 < len)
				buf[n] = *s;
			n++;
			continue;
		}
		klen = (size_t)(end - s - 1);
		if (klen == 3 && !strncmp(s + 1, "key", 3))
			val = v->key ? v->key : "";
		else if (klen == 4 && !strncmp(s + 1, "stat", 4))
			val = stat;
		for (int i = 0; !val && i < v->n_labels; i++)
			if (strlen(v->label[i]->name) == klen &&
			    !strncmp(v->label[i]->name, s + 1, klen))
				val = v->label_value[i] ? v->label_value[i] :
							  "?";
		for (val = val ? val : "?"; *val; val++) {
			if (n + 1 < len)
				buf[n] = *val;
			n++;
		}
		s = end;
	}
	if (len)
		buf[n < len ? n : len - 1] = '\0';
	return n < len ? 0 : -ENOSPC;
}

size_t hpcp_metrics_columns(const struct hpcp_metric_table *t, int html)
{
	size_t i = 0;

	while (i < t->n && !(html ? t->metrics[i].html_column :
				    t->metrics[i].column))
		i++;
	return i;
}

double hpcp_metric_row_key(const struct hpcp_metric_value *v)
{
	double d;

	for (int i = 0; i < v->n_labels; i++)
		if (!v->label[i]->value && v->label[i]->level == v->depth - 1 &&
		    v->label_value[i] &&
		    hpcp_parse_real(v->label_value[i], -1e300, 1e300, &d) == 0)
			return d;
	return NAN;
}

int hpcp_metrics_has_section(const char *phase)
{
	static const char *const own[] = { "pingpong", "fabric", "allreduce",
					   "compute", NULL };

	for (int i = 0; phase && own[i]; i++)
		if (!strcmp(own[i], phase))
			return 1;
	return 0;
}

void hpcp_metrics_walk_all(const cJSON *root,
			   const struct hpcp_metric_table *t, hpcp_metric_fn fn,
			   void *arg)
{
	for (size_t from = 0, to; from < t->n; from = to) {
		to = hpcp_metrics_group_end(t, from);
		hpcp_metrics_walk(root, t, from, to, fn, arg);
	}
}
