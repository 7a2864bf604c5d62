/* Reading a results document back: hpcprobe-report, and hpcprobe marking
 * how a run ended in the file it wrote. */
#include "config.h"

#include "hpcpdoc.h"
#include "hpcp/line.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define MAX_DOCUMENT_BYTES (512L << 20)

char *hpcp_doc_read_file(const char *path, char *err, size_t errlen)
{
	/* Non-blocking, and only a regular file is read: opening a FIFO for
	 * reading would wait for a writer that may never come, and a
	 * device (/dev/zero) never ends. */
	int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	struct stat st;
	char *buf = NULL;
	FILE *f = NULL;
	long n;

	if (fd < 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return NULL;
	}
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		snprintf(err, errlen, "%s: not a regular file (a results "
			 "document is read from a file, not a pipe or device)",
			 path);
		close(fd);
		return NULL;
	}
	if (fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK) != 0 ||
	    !(f = fdopen(fd, "rb"))) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		close(fd);
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

/* Three dot-separated runs of 1 to 9 digits. */
static int semver(const char *v)
{
	for (int part = 0; part < 3; part++) {
		int digits = 0;

		while (*v >= '0' && *v <= '9') {
			v++;
			digits++;
		}
		if (digits < 1 || digits > 9 || *v != (part < 2 ? '.' : '\0'))
			return 0;
		v++;
	}
	return 1;
}

cJSON *hpcp_doc_load(const char *path, char *err, size_t errlen)
{
	char *text = hpcp_doc_read_file(path, err, errlen);
	const cJSON *schema, *name, *version;
	const char *required[] = { "status", "context", "phases", "run", NULL };
	const char *end = NULL;
	cJSON *root;
	long major;

	if (!text)
		return NULL;
	/* One JSON value and nothing after it but white space: a document
	 * with a second object or garbage appended is not one document. */
	root = cJSON_ParseWithOpts(text, &end, 0);
	while (root && end && (*end == ' ' || *end == '\t' || *end == '\n' ||
			       *end == '\r'))
		end++;
	if (root && end && *end) {
		snprintf(err, errlen, "%s: not a results document (text after "
			 "the JSON value, at byte %zu)", path,
			 (size_t)(end - text));
		cJSON_Delete(root);
		free(text);
		return NULL;
	}
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
	/* MAJOR.MINOR.PATCH, digits only: "1garbage" or " 1.0" is no
	 * version, whatever strtol would make of it. */
	if (!semver(version->valuestring)) {
		snprintf(err, errlen, "%s: schema.version '%.64s' is not a "
			 "version (MAJOR.MINOR.PATCH)", path,
			 version->valuestring);
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
