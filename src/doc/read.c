/* Reading a results document back: hpcprobe-report, and hpcprobe marking
 * how a run ended in the file it wrote. */
#include "config.h"

#include "hpcpdoc.h"
#include "hpcp/line.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_DOCUMENT_BYTES (512L << 20)

char *hpcp_doc_read_file(const char *path, char *err, size_t errlen)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	long n;

	if (!f) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return NULL;
	}
	if (fseek(f, 0, SEEK_END) != 0 || (n = ftell(f)) < 0 ||
	    n > MAX_DOCUMENT_BYTES) {
		snprintf(err, errlen, "%s: not a readable file of at most "
				      "512 MiB", path);
		fclose(f);
		return NULL;
	}
	rewind(f);
	buf = malloc((size_t)n + 1);
	if (!buf || fread(buf, 1, (size_t)n, f) != (size_t)n) {
		snprintf(err, errlen, "%s: cannot read it", path);
		free(buf);
		fclose(f);
		return NULL;
	}
	buf[n] = '\0';
	fclose(f);
	if (memchr(buf, '\0', (size_t)n)) {
		snprintf(err, errlen, "%s: not a results document (binary data)",
			 path);
		free(buf);
		return NULL;
	}
	/* A document is untrusted input, and JSON is UTF-8: a stray byte
	 * (an older hpcprobe's raw host or environment name, or a hostile
	 * one) becomes '?' here, so nothing read on reaches an HTML page, a
	 * terminal or a projection as invalid UTF-8 (hpcp/line.h). */
	hpcp_utf8_fix(buf);
	return buf;
}

cJSON *hpcp_doc_load(const char *path, char *err, size_t errlen)
{
	char *text = hpcp_doc_read_file(path, err, errlen);
	const cJSON *schema, *name, *version;
	const char *required[] = { "status", "context", "phases", "run", NULL };
	cJSON *root;
	long major;

	if (!text)
		return NULL;
	root = cJSON_Parse(text);
	free(text);
	if (!root || !cJSON_IsObject(root)) {
		snprintf(err, errlen, "%s: not a results document (not JSON)",
			 path);
		cJSON_Delete(root);
		return NULL;
	}
	schema = cJSON_GetObjectItemCaseSensitive(root, "schema");
	name = cJSON_GetObjectItemCaseSensitive(schema, "name");
	version = cJSON_GetObjectItemCaseSensitive(schema, "version");
	if (!cJSON_IsString(name) ||
	    strcmp(name->valuestring, HPCP_SCHEMA_NAME) != 0) {
		snprintf(err, errlen, "%s: schema.name is not %s", path,
			 HPCP_SCHEMA_NAME);
		cJSON_Delete(root);
		return NULL;
	}
	if (!cJSON_IsString(version)) {
		snprintf(err, errlen, "%s: schema.version is missing", path);
		cJSON_Delete(root);
		return NULL;
	}
	/* Minor versions only add fields; a newer major may rename them. */
	major = strtol(version->valuestring, NULL, 10);
	if (major != strtol(HPCP_SCHEMA_VERSION, NULL, 10)) {
		snprintf(err, errlen,
			 "%s: schema version %s is not supported (this "
			 "hpcprobe-report reads %s.x)",
			 path, version->valuestring, "1");
		cJSON_Delete(root);
		return NULL;
	}
	for (int i = 0; required[i]; i++) {
		if (!cJSON_GetObjectItemCaseSensitive(root, required[i])) {
			snprintf(err, errlen, "%s: the document lacks '%s'", path,
				 required[i]);
			cJSON_Delete(root);
			return NULL;
		}
	}
	return root;
}
