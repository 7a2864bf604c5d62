/* Writing a file atomically, so a reader never sees half of it. */
#include "config.h"

#include "hpcpdoc.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
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

/* What hpcp_publish adds to a path for its temporary file. */
#define TMP_SUFFIX ".tmp.XXXXXX"

int hpcp_output_check(const char *path, const char *option, char *err,
		      size_t errlen)
{
	char dir[PATH_MAX];
	const char *base;
	struct stat st;
	long name_max;

	if (strcmp(path, "-") == 0)
		return 0;
	if (path[0] == '\0' || path[strlen(path) - 1] == '/') {
		snprintf(err, errlen, "%s: '%s' is not a file name",
			 option, path);
		return -EINVAL;
	}
	/* The final write needs room for its temporary name beside the
	 * file: refuse now what would fail only after the run. */
	if (strlen(path) + sizeof(TMP_SUFFIX) > PATH_MAX) {
		snprintf(err, errlen,
			 "%s: the path is %zu bytes long; at most %zu are "
			 "accepted (PATH_MAX %d, less the temporary file's "
			 "suffix)", option, strlen(path),
			 (size_t)PATH_MAX - sizeof(TMP_SUFFIX), PATH_MAX);
		return -ENAMETOOLONG;
	}
	dir_of(path, dir, sizeof(dir));
	base = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
	name_max = pathconf(dir, _PC_NAME_MAX);
	if (name_max <= 0)
		name_max = NAME_MAX;
	if (strlen(base) + sizeof(TMP_SUFFIX) - 1 > (size_t)name_max) {
		snprintf(err, errlen,
			 "%s: the file name is %zu bytes long; at most %zu are "
			 "accepted here (the directory's limit %ld, less the "
			 "temporary file's suffix)", option, strlen(base),
			 (size_t)name_max - (sizeof(TMP_SUFFIX) - 1), name_max);
		return -ENAMETOOLONG;
	}
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

int hpcp_output_same(const char *a, const char *b)
{
	char da[PATH_MAX], db[PATH_MAX];
	struct stat sa, sb;
	const char *na, *nb;
	int ea, eb;

	if (strcmp(a, "-") == 0 || strcmp(b, "-") == 0)
		return strcmp(a, b) == 0;
	/* Existing files: one file whatever the names (hard links,
	 * symbolic links, "./x" and "x"). */
	ea = stat(a, &sa) == 0;
	eb = stat(b, &sb) == 0;
	if (ea || eb)
		return ea && eb && sa.st_dev == sb.st_dev &&
		       sa.st_ino == sb.st_ino;
	/* New files: one file when the same name in the same directory. */
	dir_of(a, da, sizeof(da));
	dir_of(b, db, sizeof(db));
	na = strrchr(a, '/') ? strrchr(a, '/') + 1 : a;
	nb = strrchr(b, '/') ? strrchr(b, '/') + 1 : b;
	if (strcmp(na, nb) != 0 || stat(da, &sa) != 0 || stat(db, &sb) != 0)
		return 0;
	return sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
}

/*
 * The umask, read without changing it.  umask() sets as it reads, and
 * hpcprobe publishes from its watchdog thread too, while MPI's threads
 * may create files: a umask(0)/umask(old) pair there would let them
 * create world-writable files in between.  /proc/self/status has the
 * value (Linux 4.7 and later); on older kernels, the value taken by
 * hpcp_publish_init at start, before any thread.  -1 when neither is
 * known.
 */
static int umask_at_start = -1;

void hpcp_publish_init(void)
{
	mode_t m = umask(0);

	umask(m);
	umask_at_start = (int)(m & 0777);
}

static int current_umask(void)
{
	char line[256];
	unsigned int m;
	int found = -1;
	FILE *f = fopen("/proc/self/status", "re");

	if (f) {
		while (found < 0 && fgets(line, sizeof(line), f))
			if (sscanf(line, "Umask: %o", &m) == 1)
				found = (int)(m & 0777);
		fclose(f);
	}
	return found >= 0 ? found : umask_at_start;
}

/*
 * Owner, group and mode for the file that replaces path: an existing
 * regular file keeps its own (as sed -i does), else what open(path, 0666)
 * would make.  lstat: a symbolic link is replaced by the file, not
 * followed, so its target's mode is not the one kept.  Best effort: only
 * root may give a file to another owner; when the old group cannot be kept
 * either, the group's bits go, so that our own group gains no access.
 * Never setuid, setgid or sticky bits on a data file.
 */
static int set_mode(int fd, const char *path)
{
	struct stat old, tmp;
	mode_t mode;
	int mask;

	if (lstat(path, &old) == 0 && S_ISREG(old.st_mode)) {
		mode = old.st_mode & 0777;
		if (fstat(fd, &tmp) != 0)
			return -errno;
		if ((tmp.st_uid != old.st_uid || tmp.st_gid != old.st_gid) &&
		    fchown(fd, old.st_uid, old.st_gid) != 0) {
			/* Keep at least the group if we may (our own groups). */
			if (tmp.st_gid != old.st_gid &&
			    fchown(fd, (uid_t)-1, old.st_gid) != 0)
				mode &= ~(mode_t)070;
		}
	} else {
		mask = current_umask();
		/* Unknown umask: mkstemp's 0600, never wider than asked. */
		if (mask < 0)
			return 0;
		mode = 0666 & ~(mode_t)mask;
	}
	return fchmod(fd, mode) != 0 ? -errno : 0;
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

/*
 * The writer holds an exclusive flock on its temporary file from creation
 * until the file is renamed into place: a lock the kernel drops when the
 * writer dies, however it dies, so that hpcp_output_stale can tell a file
 * left by a killed writer from one still being written.  A cleaner removes
 * a file only while holding its lock, so a writer that locks after that
 * finds its file gone (no links) and starts again.  1: locked (or the file
 * system has no locks: written unlocked, as before); 0: start again.
 */
static int lock_tmp(int fd)
{
	struct stat st;

	while (flock(fd, LOCK_EX) != 0)
		if (errno != EINTR)
			return 1;
	return fstat(fd, &st) != 0 || st.st_nlink > 0;
}

int hpcp_publish(const char *text, size_t len, const char *path, char *err,
		 size_t errlen)
{
	char tmp[PATH_MAX];
	int fd, rc, tries = 0;

	if (strcmp(path, "-") == 0) {
		rc = write_all(STDOUT_FILENO, text, len);
		if (rc)
			snprintf(err, errlen, "writing to stdout: %s",
				 strerror(-rc));
		return rc;
	}
	do {
		/* Same directory as the target, so rename() cannot cross
		 * devices. */
		if (snprintf(tmp, sizeof(tmp), "%s" TMP_SUFFIX, path) >=
		    (int)sizeof(tmp)) {
			snprintf(err, errlen, "%s: path too long", path);
			return -ENAMETOOLONG;
		}
		fd = mkstemp(tmp);
		if (fd < 0) {
			rc = -errno;
			snprintf(err, errlen,
				 "cannot create a file next to %s: %s", path,
				 strerror(-rc));
			return rc;
		}
		if (lock_tmp(fd))
			break;
		close(fd);
	} while (++tries < 3);
	if (tries == 3) {
		snprintf(err, errlen, "writing %s: its temporary file was "
			 "removed three times by another process", path);
		return -EAGAIN;
	}
	rc = write_all(fd, text, len);
	/* mkstemp makes 0600: the mode a plain open() would give, or the
	 * replaced file's. */
	if (!rc)
		rc = set_mode(fd, path);
	if (!rc && fsync(fd) != 0)
		rc = -errno;
	/* Renamed while still locked (closing drops the lock). */
	if (!rc && rename(tmp, path) != 0)
		rc = -errno;
	if (rc)
		unlink(tmp);
	if (close(fd) != 0 && !rc)
		rc = -errno;
	if (rc)
		snprintf(err, errlen, "writing %s: %s", path, strerror(-rc));
	return rc;
}

/* name is base + TMP_SUFFIX with its XXXXXX filled in by mkstemp. */
static int is_tmp_of(const char *name, const char *base)
{
	size_t n = strlen(base), k = sizeof(TMP_SUFFIX) - 1 - 6;

	if (strncmp(name, base, n) != 0 ||
	    strncmp(name + n, TMP_SUFFIX, k) != 0 || strlen(name + n + k) != 6)
		return 0;
	for (const char *c = name + n + k; *c; c++)
		if (!((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') ||
		      (*c >= '0' && *c <= '9')))
			return 0;
	return 1;
}

/* One candidate: 1 removed, 0 a live writer's, -errno cannot tell. */
static int remove_if_dead(const char *file)
{
	struct stat byname, byfd;
	int fd, rc;

	if (lstat(file, &byname) != 0)
		return 0; /* gone: renamed by its writer meanwhile */
	if (!S_ISREG(byname.st_mode))
		return -EINVAL;
	/* Read-write: over NFS flock is a POSIX lock, which needs it. */
	fd = open(file, O_RDWR | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT ? 0 : -errno;
	if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
		rc = errno == EWOULDBLOCK ? 0 : -errno;
		close(fd);
		return rc;
	}
	/* Still the file we locked (not renamed, nor replaced by a new
	 * temporary file of the same name)? */
	rc = 0;
	if (fstat(fd, &byfd) == 0 && lstat(file, &byname) == 0 &&
	    byfd.st_dev == byname.st_dev && byfd.st_ino == byname.st_ino)
		rc = unlink(file) == 0 ? 1 : -errno;
	close(fd);
	return rc;
}

int hpcp_output_stale(const char *path, struct hpcp_stale *st)
{
	char dir[PATH_MAX], file[PATH_MAX];
	const char *base;
	struct dirent *e;
	DIR *d;
	int rc;

	memset(st, 0, sizeof(*st));
	if (strcmp(path, "-") == 0)
		return 0;
	dir_of(path, dir, sizeof(dir));
	base = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
	d = opendir(dir);
	if (!d)
		return -errno;
	while ((e = readdir(d))) {
		if (!is_tmp_of(e->d_name, base))
			continue;
		if (snprintf(file, sizeof(file), "%s/%s", dir, e->d_name) >=
		    (int)sizeof(file))
			continue;
		rc = remove_if_dead(file);
		if (rc > 0) {
			if (!st->removed++)
				snprintf(st->removed_name,
					 sizeof(st->removed_name), "%s", file);
		} else if (rc == 0 && access(file, F_OK) == 0) {
			if (!st->live++)
				snprintf(st->live_name, sizeof(st->live_name),
					 "%s", file);
		} else if (rc < 0) {
			if (!st->unknown++) {
				snprintf(st->unknown_name,
					 sizeof(st->unknown_name), "%s", file);
				st->unknown_errno = -rc;
			}
		}
	}
	closedir(d);
	return 0;
}
