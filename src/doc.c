/* The results document under construction: nodes, phases, status. */
#include "config.h"

#include "doc_int.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hpcp/line.h"
#include "hpcp/timer.h"

int hpcp_doc_oom;

/*
 * s as valid UTF-8 (hpcp/line.h), allocated; NULL (and out of memory
 * noted) when it cannot be.  Argv, host names, environment names and
 * counter file names are bytes, JSON is UTF-8: every string and key
 * enters the document through here (attach and hpcp_res_str), so a stray
 * byte never makes the whole document unreadable to a strict reader.
 */
static char *utf8_copy(const char *s)
{
	char *c = strdup(s);

	if (!c)
		hpcp_doc_oom = 1;
	else
		hpcp_utf8_fix(c);
	return c;
}

/* Attach item under key (object) or at the end (array). */
static cJSON *attach(struct hpcp_res *parent, const char *key_in,
		     cJSON *item)
{
	cJSON *p = hpcp_res_json(parent);
	char *key = NULL;
	cJSON_bool ok;

	if (!item) {
		hpcp_doc_oom = 1;
		return NULL;
	}
	if (!p || (key_in && !(key = utf8_copy(key_in)))) {
		cJSON_Delete(item);
		return NULL;
	}
	if (cJSON_IsArray(p)) {
		ok = cJSON_AddItemToArray(p, item);
	} else if (key) {
		/* Replace, so a phase can update a value it set earlier. */
		if (cJSON_GetObjectItemCaseSensitive(p, key))
			ok = cJSON_ReplaceItemInObjectCaseSensitive(p, key,
								    item);
		else
			ok = cJSON_AddItemToObject(p, key, item);
	} else {
		ok = 0;
	}
	free(key);
	if (!ok) {
		cJSON_Delete(item);
		hpcp_doc_oom = 1;
		return NULL;
	}
	return item;
}

struct hpcp_res *hpcp_res_object(struct hpcp_res *parent, const char *key)
{
	if (!parent)
		return NULL;
	return hpcp_json_res(attach(parent, key, cJSON_CreateObject()));
}

struct hpcp_res *hpcp_res_array(struct hpcp_res *parent, const char *key)
{
	if (!parent)
		return NULL;
	return hpcp_json_res(attach(parent, key, cJSON_CreateArray()));
}

void hpcp_res_int(struct hpcp_res *parent, const char *key, int64_t v)
{
	char digits[24];

	if (!parent)
		return;
	/* cJSON prints doubles with 15 significant digits when that reads
	 * back "close enough", which rounds large counters; write those as
	 * raw decimal text instead. */
	if (v > -HPCP_EXACT_PRINT_LIMIT && v < HPCP_EXACT_PRINT_LIMIT) {
		attach(parent, key, cJSON_CreateNumber((double)v));
		return;
	}
	snprintf(digits, sizeof(digits), "%lld", (long long)v);
	attach(parent, key, cJSON_CreateRaw(digits));
}

void hpcp_res_double(struct hpcp_res *parent, const char *key, double v)
{
	if (parent)
		attach(parent, key,
		       isfinite(v) ? cJSON_CreateNumber(v) : cJSON_CreateNull());
}

void hpcp_res_str(struct hpcp_res *parent, const char *key, const char *v)
{
	char *clean;

	if (!parent)
		return;
	if (!v) {
		attach(parent, key, cJSON_CreateNull());
		return;
	}
	clean = utf8_copy(v);
	if (!clean)
		return;
	attach(parent, key, cJSON_CreateString(clean));
	free(clean);
}

void hpcp_res_bool(struct hpcp_res *parent, const char *key, int v)
{
	if (parent)
		attach(parent, key, cJSON_CreateBool(v ? 1 : 0));
}

void hpcp_res_null(struct hpcp_res *parent, const char *key)
{
	if (parent)
		attach(parent, key, cJSON_CreateNull());
}

const char *hpcp_phase_status_name(enum hpcp_phase_status s)
{
	switch (s) {
	case HPCP_PHASE_OK:
		return "ok";
	case HPCP_PHASE_SKIPPED:
		return "skipped";
	case HPCP_PHASE_FAILED:
		return "failed";
	default:
		return "unavailable";
	}
}

static const char *run_status_name(enum hpcp_run_status s)
{
	switch (s) {
	case HPCP_RUN_OK:
		return "ok";
	case HPCP_RUN_PARTIAL:
		return "partial";
	case HPCP_RUN_FAILED:
		return "failed";
	default:
		return "interrupted";
	}
}

struct hpcp_doc *hpcp_doc_new(int argc, char **argv)
{
	struct hpcp_doc *doc = calloc(1, sizeof(*doc));
	struct hpcp_res *root, *schema, *tool, *run, *args;
	char now[40];

	if (!doc)
		return NULL;
	doc->root = cJSON_CreateObject();
	if (!doc->root) {
		free(doc);
		return NULL;
	}
	hpcp_doc_oom = 0;
	root = hpcp_json_res(doc->root);
	schema = hpcp_res_object(root, "schema");
	hpcp_res_str(schema, "name", HPCP_SCHEMA_NAME);
	hpcp_res_str(schema, "version", HPCP_SCHEMA_VERSION);
	hpcp_res_str(root, "status", "partial");
	tool = hpcp_res_object(root, "tool");
	hpcp_res_str(tool, "name", "hpcprobe");
	hpcp_res_str(tool, "version", PACKAGE_VERSION);
	hpcp_res_str(tool, "git_commit", HPCP_GIT_COMMIT);
	run = hpcp_res_object(root, "run");
	hpcp_utc_now(now, sizeof(now));
	hpcp_res_str(run, "started_utc", now);
	hpcp_res_null(run, "finished_utc");
	hpcp_res_double(run, "duration_s", 0.0);
	hpcp_res_bool(run, "complete", 0);
	args = hpcp_res_array(run, "argv");
	for (int i = 0; i < argc; i++)
		hpcp_res_str(args, NULL, argv[i]);
	hpcp_res_object(root, "context");
	doc->phases = hpcp_res_json(hpcp_res_object(root, "phases"));
	doc->warnings = hpcp_res_json(hpcp_res_array(root, "warnings"));
	doc->checks = hpcp_res_json(hpcp_res_array(root, "checks"));
	return doc;
}

void hpcp_doc_free(struct hpcp_doc *doc)
{
	if (!doc)
		return;
	cJSON_Delete(doc->root);
	free(doc);
}

struct hpcp_res *hpcp_doc_top(struct hpcp_doc *doc, const char *key)
{
	return doc ? hpcp_res_object(hpcp_json_res(doc->root), key) : NULL;
}

struct hpcp_res *hpcp_doc_phase(struct hpcp_doc *doc, const char *name)
{
	struct hpcp_res *ph;

	if (!doc)
		return NULL;
	ph = hpcp_res_object(hpcp_json_res(doc->phases), name);
	/* Status first in the file, so a reader sees it at the top. */
	hpcp_res_str(ph, "status", "failed");
	hpcp_res_str(ph, "reason", "did not finish");
	return ph;
}

void hpcp_doc_phase_done(struct hpcp_doc *doc, const char *name,
			 enum hpcp_phase_status status, const char *reason,
			 double duration_s)
{
	cJSON *ph, *warnings, *checks, *w;

	if (!doc)
		return;
	ph = cJSON_GetObjectItemCaseSensitive(doc->phases, name);
	if (!ph)
		ph = hpcp_res_json(hpcp_doc_phase(doc, name));
	if (!ph)
		return;
	hpcp_res_str(hpcp_json_res(ph), "status", hpcp_phase_status_name(status));
	if (reason && *reason)
		hpcp_res_str(hpcp_json_res(ph), "reason", reason);
	else
		cJSON_DeleteItemFromObjectCaseSensitive(ph, "reason");
	hpcp_res_double(hpcp_json_res(ph), "duration_s", duration_s);

	/* A phase's checks join the document's list, named by phase. */
	checks = cJSON_GetObjectItemCaseSensitive(ph, "checks");
	cJSON_ArrayForEach(w, checks) {
		cJSON *copy = cJSON_Duplicate(w, 1);

		if (!copy || !cJSON_AddItemToArray(doc->checks, copy)) {
			cJSON_Delete(copy);
			hpcp_doc_oom = 1;
		}
	}

	warnings = cJSON_GetObjectItemCaseSensitive(ph, "warnings");
	cJSON_ArrayForEach(w, warnings) {
		char line[1024];

		if (!cJSON_IsString(w))
			continue;
		snprintf(line, sizeof(line), "%s: %s", name, w->valuestring);
		hpcp_res_str(hpcp_json_res(doc->warnings), NULL, line);
	}
}

void hpcp_doc_finish(struct hpcp_doc *doc, enum hpcp_run_status status,
		     int complete, double duration_s)
{
	struct hpcp_res *root, *run;
	char now[40];

	if (!doc)
		return;
	root = hpcp_json_res(doc->root);
	run = hpcp_json_res(cJSON_GetObjectItemCaseSensitive(doc->root, "run"));
	hpcp_res_str(root, "status", run_status_name(status));
	hpcp_utc_now(now, sizeof(now));
	if (complete)
		hpcp_res_str(run, "finished_utc", now);
	else
		hpcp_res_null(run, "finished_utc");
	hpcp_res_double(run, "duration_s", duration_s);
	hpcp_res_bool(run, "complete", complete);
}

/* The projections of libhpcpdoc (src/doc/), on the document in memory. */
void hpcp_doc_print_summary(const struct hpcp_doc *doc, FILE *out)
{
	if (doc)
		hpcp_summary_print(doc->root, out);
}

int hpcp_doc_write_emf(const struct hpcp_doc *doc, const char *path,
		       const char *ns, char *err, size_t errlen)
{
	if (!doc) {
		snprintf(err, errlen, "no document");
		return -EINVAL;
	}
	return hpcp_export_emf(doc->root, path, ns, err, errlen);
}

int hpcp_doc_write_prom(const struct hpcp_doc *doc, const char *path,
			char *err, size_t errlen)
{
	if (!doc) {
		snprintf(err, errlen, "no document");
		return -EINVAL;
	}
	return hpcp_export_prom(doc->root, path, err, errlen);
}
