/* Writing the document (atomically, through doc/publish.c) and marking
 * how a run ended in the file already written. */
#include "config.h"

#include "doc_int.h"

#include "hpcp/timer.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The document as text with a final newline, like any text file. */
static int publish_json(const cJSON *root, const char *path, char *err,
			size_t errlen)
{
	char *text = cJSON_Print(root), *line;
	size_t len;
	int rc;

	if (!text) {
		snprintf(err, errlen, "out of memory printing the document");
		return -ENOMEM;
	}
	len = strlen(text);
	line = malloc(len + 2);
	if (!line) {
		cJSON_free(text);
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	memcpy(line, text, len);
	memcpy(line + len, "\n", 2);
	cJSON_free(text);
	rc = hpcp_publish(line, len + 1, path, err, errlen);
	free(line);
	return rc;
}

int hpcp_doc_write(struct hpcp_doc *doc, const char *path, char *err,
		   size_t errlen)
{
	if (!doc || hpcp_doc_oom || doc->oom) {
		hpcp_doc_oom = 0;
		if (doc)
			doc->oom = 0;
		snprintf(err, errlen, "out of memory building the document");
		return -ENOMEM;
	}
	return publish_json(doc->root, path, err, errlen);
}

static void set_item(cJSON *obj, const char *key, cJSON *item)
{
	if (!item)
		return;
	if (cJSON_GetObjectItemCaseSensitive(obj, key))
		cJSON_ReplaceItemInObjectCaseSensitive(obj, key, item);
	else
		cJSON_AddItemToObject(obj, key, item);
}

/* Through the node API (src/doc.c), where strings are made UTF-8: a
 * reason may quote a host name. */
static void set_str(cJSON *obj, const char *key, const char *value)
{
	hpcp_res_str(hpcp_json_res(obj), key, value);
}

int hpcp_doc_mark_file(const char *path, const char *run_status,
		       const char *phase, const char *phase_status,
		       const char *reason, double phase_s, char *err,
		       size_t errlen)
{
	char *text, now[40];
	cJSON *root, *run, *phases, *ph, *warnings;
	int rc;

	text = hpcp_doc_read_file(path, err, errlen);
	if (!text)
		return -EINVAL;
	root = cJSON_Parse(text);
	free(text);
	if (!root) {
		snprintf(err, errlen, "%s: not a readable document", path);
		return -EINVAL;
	}
	run = cJSON_GetObjectItemCaseSensitive(root, "run");
	phases = cJSON_GetObjectItemCaseSensitive(root, "phases");
	set_str(root, "status", run_status);
	hpcp_utc_now(now, sizeof(now));
	if (run) {
		set_str(run, "finished_utc", now);
		set_item(run, "complete", cJSON_CreateBool(1));
		set_str(run, "end_reason", reason);
	}
	if (phases && phase) {
		ph = cJSON_GetObjectItemCaseSensitive(phases, phase);
		if (!ph)
			ph = hpcp_res_json(hpcp_res_object(hpcp_json_res(phases),
							   phase));
		if (ph) {
			set_str(ph, "status", phase_status);
			set_str(ph, "reason", reason);
			set_item(ph, "duration_s", cJSON_CreateNumber(phase_s));
		}
	}
	warnings = cJSON_GetObjectItemCaseSensitive(root, "warnings");
	if (cJSON_IsArray(warnings))
		set_str(warnings, NULL, reason);
	rc = publish_json(root, path, err, errlen);
	cJSON_Delete(root);
	return rc;
}
