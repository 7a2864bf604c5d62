/* Writing the document: atomically, so a reader never sees half a file. */
#include "config.h"

#include "report_int.h"

#include "hpcp/timer.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static void dir_of(const char *path, char *dir, size_t len)
{
	const char *slash = strrchr(path, '/');

	if (!slash)
		snprintf(dir, len, ".");
	else if (slash == path)
		snprintf(dir, len, "/");
	else
		snprintf(dir, len, "%.*s", (int)(slash - path), path);
}

int hpcp_output_check(const char *path, const char *option, char *err,
		      size_t errlen)
{
	char dir[PATH_MAX];
	struct stat st;

	if (strcmp(path, "-") == 0)
		return 0;
	if (path[0] == '\0' || path[strlen(path) - 1] == '/') {
		snprintf(err, errlen, "%s: '%s' is not a file name",
			 option, path);
		return -EINVAL;
	}
	dir_of(path, dir, sizeof(dir));
	if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode)) {
		snprintf(err, errlen,
			 "%s: directory '%s' does not exist (accepted: a "
			 "file in an existing, writable directory, or -)",
			 option, dir);
		return -ENOENT;
	}
	if (access(dir, W_OK | X_OK) != 0) {
		snprintf(err, errlen,
			 "%s: directory '%s' is not writable (%s)", option,
			 dir, strerror(errno));
		return -EACCES;
	}
	if (stat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
		snprintf(err, errlen, "%s: '%s' is a directory", option, path);
		return -EISDIR;
	}
	/* The file is replaced by rename(): never do that to a device or a
	 * pipe (-o /dev/null would lose it); - is stdout. */
	if (stat(path, &st) == 0 && !S_ISREG(st.st_mode)) {
		snprintf(err, errlen,
			 "%s: '%s' is not a regular file (accepted: a "
			 "file name, or - for stdout)", option, path);
		return -EINVAL;
	}
	return 0;
}

static int write_all(int fd, const char *buf, size_t len)
{
	while (len) {
		ssize_t n = write(fd, buf, len);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}


int hpcp_doc_write(struct hpcp_doc *doc, const char *path, char *err,
		   size_t errlen)
{
	char *text;
	size_t len;
	int rc;

	if (!doc || hpcp_report_oom) {
		hpcp_report_oom = 0;
		snprintf(err, errlen, "out of memory building the document");
		return -ENOMEM;
	}
	text = cJSON_Print(doc->root);
	if (!text) {
		snprintf(err, errlen, "out of memory printing the document");
		return -ENOMEM;
	}
	len = strlen(text);
	if (strcmp(path, "-") == 0) {
		rc = write_all(STDOUT_FILENO, text, len);
		if (!rc)
			rc = write_all(STDOUT_FILENO, "\n", 1);
		cJSON_free(text);
		if (rc)
			snprintf(err, errlen, "writing to stdout: %s",
				 strerror(-rc));
		return rc;
	}

	{
		/* The document ends with a newline, like any text file. */
		char *line = malloc(len + 2);

		if (!line) {
			cJSON_free(text);
			snprintf(err, errlen, "out of memory");
			return -ENOMEM;
		}
		memcpy(line, text, len);
		memcpy(line + len, "\n", 2);
		rc = hpcp_report_publish(line, len + 1, path, err, errlen);
		free(line);
	}
	cJSON_free(text);
	return rc;
}

int hpcp_report_publish(const char *text, size_t len, const char *path,
			char *err, size_t errlen)
{
	char tmp[PATH_MAX];
	int fd, rc;

	if (strcmp(path, "-") == 0) {
		rc = write_all(STDOUT_FILENO, text, len);
		if (rc)
			snprintf(err, errlen, "writing to stdout: %s",
				 strerror(-rc));
		return rc;
	}
	/* Same directory as the target, so rename() cannot cross devices. */
	if (snprintf(tmp, sizeof(tmp), "%s.tmp.XXXXXX", path) >=
	    (int)sizeof(tmp)) {
		snprintf(err, errlen, "%s: path too long", path);
		return -ENAMETOOLONG;
	}
	fd = mkstemp(tmp);
	if (fd < 0) {
		rc = -errno;
		snprintf(err, errlen, "cannot create a file next to %s: %s",
			 path, strerror(-rc));
		return rc;
	}
	rc = write_all(fd, text, len);
	/* mkstemp makes 0600; results are meant to be shared. */
	if (!rc && fchmod(fd, 0644) != 0)
		rc = -errno;
	if (!rc && fsync(fd) != 0)
		rc = -errno;
	if (close(fd) != 0 && !rc)
		rc = -errno;
	if (!rc && rename(tmp, path) != 0)
		rc = -errno;
	if (rc) {
		unlink(tmp);
		snprintf(err, errlen, "writing %s: %s", path, strerror(-rc));
	}
	return rc;
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

static void set_str(cJSON *obj, const char *key, const char *value)
{
	set_item(obj, key, cJSON_CreateString(value));
}

int hpcp_doc_mark_file(const char *path, const char *run_status,
		       const char *phase, const char *phase_status,
		       const char *reason, double phase_s, char *err,
		       size_t errlen)
{
	FILE *f = fopen(path, "r");
	char *text = NULL, now[40];
	cJSON *root, *run, *phases, *ph, *warnings;
	long n;
	int rc;

	if (!f) {
		rc = -errno;
		snprintf(err, errlen, "%s: %s", path, strerror(-rc));
		return rc;
	}
	if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) > 0) {
		rewind(f);
		text = malloc((size_t)n + 1);
		if (text && fread(text, 1, (size_t)n, f) == (size_t)n)
			text[n] = '\0';
		else {
			free(text);
			text = NULL;
		}
	}
	fclose(f);
	root = text ? cJSON_Parse(text) : NULL;
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
		if (!ph) {
			ph = cJSON_CreateObject();
			if (ph)
				cJSON_AddItemToObject(phases, phase, ph);
		}
		if (ph) {
			set_str(ph, "status", phase_status);
			set_str(ph, "reason", reason);
			set_item(ph, "duration_s", cJSON_CreateNumber(phase_s));
		}
	}
	warnings = cJSON_GetObjectItemCaseSensitive(root, "warnings");
	if (cJSON_IsArray(warnings))
		cJSON_AddItemToArray(warnings, cJSON_CreateString(reason));
	text = cJSON_Print(root);
	cJSON_Delete(root);
	if (!text) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	{
		char *line = malloc(strlen(text) + 2);

		if (!line) {
			cJSON_free(text);
			snprintf(err, errlen, "out of memory");
			return -ENOMEM;
		}
		sprintf(line, "%s\n", text);
		rc = hpcp_report_publish(line, strlen(line), path, err, errlen);
		free(line);
	}
	cJSON_free(text);
	return rc;
}
