/* Writing a file atomically, so a reader never sees half of it. */
#include "config.h"

#include "hpcpdoc.h"

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

int hpcp_publish(const char *text, size_t len, const char *path, char *err,
		 size_t errlen)
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
