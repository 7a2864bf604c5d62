/*
 * EFA hardware counters from sysfs (see hpcp/efa.h).
 *
 * Everything is read relative to directory descriptors (openat and
 * friends) so that no full path is ever built: a long --efa-root
 * cannot truncate a path, and the tree cannot be swapped under us between
 * listing a directory and reading its files.  Directories are listed in
 * strcmp order so the output, and which entries are dropped when an array
 * is full, do not depend on readdir order.
 */
#include "config.h"
#include "hpcp/efa.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define EFA_VENDOR_ID 0x1d0f

/* A counter is at most 20 digits; sysfs adds a newline.  Room to spare. */
#define COUNTER_BUF 64

/*
 * Warnings go to a fixed array.  Once it is full the extra ones are only
 * counted, and at the end the last slot is replaced by a summary, so
 * n_warnings never exceeds HPCP_EFA_MAX_WARNINGS and callers can index
 * warnings[] up to n_warnings safely.
 */
struct warn_ctx {
	struct hpcp_efa_set *set;
	int extra;
};

__attribute__((format(printf, 2, 3)))
static void warn(struct warn_ctx *w, const char *fmt, ...)
{
	struct hpcp_efa_set *set = w->set;
	va_list ap;

	if (set->n_warnings >= HPCP_EFA_MAX_WARNINGS) {
		w->extra++;
		return;
	}
	va_start(ap, fmt);
	vsnprintf(set->warnings[set->n_warnings], sizeof(set->warnings[0]),
		  fmt, ap);
	va_end(ap);
	set->n_warnings++;
}

static void warn_finish(struct warn_ctx *w)
{
	struct hpcp_efa_set *set = w->set;

	if (!w->extra)
		return;
	/* The summary hides the last real warning too, hence + 1. */
	snprintf(set->warnings[HPCP_EFA_MAX_WARNINGS - 1],
		 sizeof(set->warnings[0]),
		 "... and %d more warnings not shown", w->extra + 1);
}

/* Copy a possibly long string, always NUL-terminated; 0 if it did not fit. */
static int copy_name(char *dst, size_t dst_len, const char *src)
{
	size_t len = strlen(src);

	if (len >= dst_len)
		return 0;
	memcpy(dst, src, len + 1);
	return 1;
}

/* Bounded string compare of fixed-size fields that may lack a NUL. */
static int field_eq(const char *a, const char *b, size_t len)
{
	return strncmp(a, b, len) == 0;
}

static int clamp(int n, int max)
{
	return n < 0 ? 0 : n > max ? max : n;
}

/*
 * Read a small file with a bounded loop: sysfs reports every attribute as
 * 4096 bytes long whatever it holds, so the size from stat is useless.
 * Returns 0 with *len set, EFBIG if the file does not fit in size - 1
 * bytes, or the errno of the failure.  buf is NUL-terminated on success.
 */
static int read_small(int dirfd, const char *path, char *buf, size_t size,
		      size_t *len)
{
	size_t total = 0;
	ssize_t n;
	char extra;
	int fd, err = 0;

	fd = openat(dirfd, path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NOFOLLOW);
	if (fd < 0)
		return errno;
	while (total < size - 1) {
		n = read(fd, buf + total, size - 1 - total);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			err = errno;
			break;
		}
		if (n == 0)
			break;
		total += (size_t)n;
	}
	if (!err && total == size - 1) {
		do
			n = read(fd, &extra, 1);
		while (n < 0 && errno == EINTR);
		if (n > 0)
			err = EFBIG;
		else if (n < 0)
			err = errno;
	}
	close(fd);
	if (err)
		return err;
	buf[total] = '\0';
	*len = total;
	return 0;
}

/*
 * A counter file holds a decimal unsigned 64-bit number and optionally
 * trailing whitespace.  Parsed by hand: strtoull would accept a sign,
 * leading blanks and hex, and hide an embedded NUL.  Returns NULL on
 * success, else why the text was rejected.
 */
const char *hpcp_efa_parse_counter(const char *s, size_t len, uint64_t *out)
{
	uint64_t v = 0;
	size_t i = 0, digits;

	while (i < len && isspace((unsigned char)s[i]))
		i++;
	if (i == len)
		return "empty";
	if (i)
		return "leading whitespace";
	while (i < len && s[i] >= '0' && s[i] <= '9') {
		unsigned d = (unsigned)(s[i] - '0');

		if (v > (UINT64_MAX - d) / 10)
			return "exceeds 64 bits";
		v = v * 10 + d;
		i++;
	}
	digits = i;
	if (!digits)
		return "not a decimal number";
	while (i < len && isspace((unsigned char)s[i]))
		i++;
	if (i != len)
		return "trailing garbage after the number";
	*out = v;
	return NULL;
}

/* <dev>/device/vendor is 0x1d0f.  Anything unreadable is just not EFA. */
static int is_efa(int rootfd, const char *dev)
{
	char path[300], buf[32], *start, *end;
	unsigned long vendor;
	size_t len;
	int n;

	n = snprintf(path, sizeof(path), "%s/device/vendor", dev);
	if (n < 0 || (size_t)n >= sizeof(path))
		return 0;
	if (read_small(rootfd, path, buf, sizeof(buf), &len))
		return 0;
	start = buf;
	while (isspace((unsigned char)*start))
		start++;
	end = start + strlen(start);
	while (end > start && isspace((unsigned char)end[-1]))
		*--end = '\0';
	if (!*start)
		return 0;
	errno = 0;
	vendor = strtoul(start, &end, 0);
	return !errno && !*end && vendor == EFA_VENDOR_ID;
}

static int skip_dots(const struct dirent *d)
{
	return d->d_name[0] != '.';
}

/* strcmp, not alphasort's strcoll: the order must not depend on locale. */
static int by_name(const struct dirent **a, const struct dirent **b)
{
	return strcmp((*a)->d_name, (*b)->d_name);
}

static void free_list(struct dirent **list, int n)
{
	int i;

	for (i = 0; i < n; i++)
		free(list[i]);
	free(list);
}

static int by_scope_name(const void *pa, const void *pb)
{
	const struct hpcp_efa_counter *a = pa, *b = pb;
	int c = strcmp(a->scope, b->scope);

	return c ? c : strcmp(a->name, b->name);
}

struct scan {
	struct warn_ctx *w;
	struct hpcp_efa_device *dev;
	int dropped;            /* valid counters beyond the array */
};

/* Read one counter file of directory dirfd into sc->dev. */
static void read_counter(struct scan *sc, int dirfd, const char *scope,
			 const char *name)
{
	struct hpcp_efa_device *dev = sc->dev;
	struct hpcp_efa_counter *c;
	char buf[COUNTER_BUF];
	const char *why;
	struct stat st;
	uint64_t value;
	size_t len;
	int err;

	/* A link is not a counter: never followed out of the tree. */
	if (fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0) {
		warn(sc->w, "%s/%s/%s: %s", dev->name, scope, name,
		     strerror(errno));
		return;
	}
	if (!S_ISREG(st.st_mode))
		return;
	if (strlen(name) >= sizeof(c->name)) {
		warn(sc->w, "%s/%s/%s: name too long", dev->name, scope, name);
		return;
	}
	err = read_small(dirfd, name, buf, sizeof(buf), &len);
	if (err) {
		warn(sc->w, "%s/%s/%s: %s", dev->name, scope, name,
		     err == EFBIG ? "too long for a counter" : strerror(err));
		return;
	}
	why = hpcp_efa_parse_counter(buf, len, &value);
	if (why) {
		warn(sc->w, "%s/%s/%s: %s", dev->name, scope, name, why);
		return;
	}
	if (dev->n_counters >= HPCP_EFA_MAX_COUNTERS) {
		sc->dropped++;
		return;
	}
	c = &dev->counters[dev->n_counters++];
	copy_name(c->name, sizeof(c->name), name);
	copy_name(c->scope, sizeof(c->scope), scope);
	c->value = value;
}

/*
 * Read every counter file of <devfd>/<sub> under scope.  A missing
 * directory is normal (a device without device-level counters).
 */
static void read_counter_dir(struct scan *sc, int devfd, const char *sub,
			     const char *scope)
{
	struct dirent **list;
	int dirfd, n, i;

	/* O_NOFOLLOW: hw_counters linked elsewhere (/etc) is not read, and
	 * names of files there never reach the document. */
	dirfd = openat(devfd, sub, O_RDONLY | O_DIRECTORY | O_CLOEXEC |
				   O_NOFOLLOW);
	if (dirfd < 0) {
		if (errno != ENOENT && errno != ENOTDIR && errno != ELOOP)
			warn(sc->w, "%s/%s: cannot open %s: %s", sc->dev->name,
			     scope, sub, strerror(errno));
		return;
	}
	n = scandirat(dirfd, ".", &list, skip_dots, by_name);
	if (n < 0) {
		warn(sc->w, "%s/%s: cannot list %s: %s", sc->dev->name, scope,
		     sub, strerror(errno));
		close(dirfd);
		return;
	}
	for (i = 0; i < n; i++) {
		/* An ib-core setting (update interval), not a counter. */
		if (!strcmp(list[i]->d_name, "lifespan"))
			continue;
		read_counter(sc, dirfd, scope, list[i]->d_name);
	}
	free_list(list, n);
	close(dirfd);
}

static void read_ports(struct scan *sc, int devfd)
{
	char scope[sizeof(sc->dev->counters[0].scope)];
	struct dirent **list;
	int portsfd, portfd, n, i, len;

	portsfd = openat(devfd, "ports", O_RDONLY | O_DIRECTORY | O_CLOEXEC |
					 O_NOFOLLOW);
	if (portsfd < 0)
		return;
	n = scandirat(portsfd, ".", &list, skip_dots, by_name);
	if (n < 0) {
		warn(sc->w, "%s/ports: cannot list: %s", sc->dev->name,
		     strerror(errno));
		close(portsfd);
		return;
	}
	for (i = 0; i < n; i++) {
		const char *port = list[i]->d_name;

		len = snprintf(scope, sizeof(scope), "port%s", port);
		if (len < 0 || (size_t)len >= sizeof(scope)) {
			warn(sc->w, "%s/ports/%s: port name too long",
			     sc->dev->name, port);
			continue;
		}
		/* The port directory itself is not followed either. */
		portfd = openat(portsfd, port, O_RDONLY | O_DIRECTORY |
					       O_CLOEXEC | O_NOFOLLOW);
		if (portfd < 0)
			continue;
		read_counter_dir(sc, portfd, "hw_counters", scope);
		close(portfd);
	}
	free_list(list, n);
	close(portsfd);
}

/* Fill *dev from <rootfd>/<name>; 0 if the device directory is unusable. */
static int read_device(struct warn_ctx *w, int rootfd, const char *name,
		       struct hpcp_efa_device *dev)
{
	struct scan sc = { .w = w, .dev = dev };
	int devfd;

	devfd = openat(rootfd, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (devfd < 0) {
		warn(w, "%s: cannot open: %s", name, strerror(errno));
		return 0;
	}
	copy_name(dev->name, sizeof(dev->name), name);
	read_counter_dir(&sc, devfd, "hw_counters", "device");
	read_ports(&sc, devfd);
	close(devfd);
	/*
	 * Directories were read in order and "device" sorts before "port*",
	 * so this is normally a no-op; it keeps the promise regardless.
	 */
	qsort(dev->counters, (size_t)dev->n_counters, sizeof(dev->counters[0]),
	      by_scope_name);
	if (sc.dropped)
		warn(w, "%s: %d counters dropped beyond %d", name, sc.dropped,
		     HPCP_EFA_MAX_COUNTERS);
	return 1;
}

const char *hpcp_efa_root(const char *given)
{
	/* Never the environment: a variable set for a test must not point a
	 * production run at another tree (issue 19). */
	return given && *given ? given : HPCP_EFA_DEFAULT_ROOT;
}

int hpcp_efa_snapshot(const char *root, struct hpcp_efa_set *out)
{
	struct warn_ctx w = { .set = out };
	struct dirent **list;
	int rootfd, n, i, extra_devices = 0;

	memset(out, 0, sizeof(*out));
	if (!root)
		return 0;
	rootfd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (rootfd < 0) {
		/* No InfiniBand class at all: simply no EFA on this node. */
		if (errno != ENOENT && errno != ENOTDIR)
			warn(&w, "%s: cannot open: %s", root, strerror(errno));
		return 0;
	}
	n = scandirat(rootfd, ".", &list, skip_dots, by_name);
	if (n < 0) {
		warn(&w, "%s: cannot list: %s", root, strerror(errno));
		close(rootfd);
		return 0;
	}
	for (i = 0; i < n; i++) {
		const char *name = list[i]->d_name;
		struct hpcp_efa_device *dev;

		if (!is_efa(rootfd, name))
			continue;
		if (out->n_devices >= HPCP_EFA_MAX_DEVICES) {
			extra_devices++;
			continue;
		}
		if (strlen(name) >= sizeof(dev->name)) {
			warn(&w, "%s: device name too long", name);
			continue;
		}
		dev = &out->devices[out->n_devices];
		if (read_device(&w, rootfd, name, dev))
			out->n_devices++;
		else
			memset(dev, 0, sizeof(*dev));
	}
	free_list(list, n);
	close(rootfd);
	if (extra_devices)
		warn(&w, "%d EFA devices ignored beyond %d", extra_devices,
		     HPCP_EFA_MAX_DEVICES);
	warn_finish(&w);
	return out->n_devices;
}

static const struct hpcp_efa_device *
find_device(const struct hpcp_efa_set *set, const char *name)
{
	int i, n = clamp(set->n_devices, HPCP_EFA_MAX_DEVICES);

	for (i = 0; i < n; i++)
		if (field_eq(set->devices[i].name, name,
			     sizeof(set->devices[i].name)))
			return &set->devices[i];
	return NULL;
}

static const struct hpcp_efa_counter *
find_counter(const struct hpcp_efa_device *dev, const char *scope,
	     const char *name)
{
	int i, n = clamp(dev->n_counters, HPCP_EFA_MAX_COUNTERS);

	for (i = 0; i < n; i++) {
		const struct hpcp_efa_counter *c = &dev->counters[i];

		if (field_eq(c->scope, scope, sizeof(c->scope)) &&
		    field_eq(c->name, name, sizeof(c->name)))
			return c;
	}
	return NULL;
}

/*
 * The sets may come from another rank as raw bytes, so counts are clamped
 * and names are compared and printed bounded by their field sizes.
 * Only the warnings of the delta itself (counters that went backwards)
 * are put in *out: the snapshot warnings are left in before and after for
 * the caller to report, so the same problem is not reported twice.
 * out must not alias before or after.
 */
int hpcp_efa_delta(const struct hpcp_efa_set *before,
		   const struct hpcp_efa_set *after, struct hpcp_efa_set *out)
{
	struct warn_ctx w = { .set = out };
	int i, j, n_dev, total = 0;

	memset(out, 0, sizeof(*out));
	n_dev = clamp(after->n_devices, HPCP_EFA_MAX_DEVICES);
	for (i = 0; i < n_dev; i++) {
		const struct hpcp_efa_device *a = &after->devices[i], *b;
		struct hpcp_efa_device *d;
		int n_cnt;

		b = find_device(before, a->name);
		if (!b)
			continue;
		d = &out->devices[out->n_devices++];
		memcpy(d->name, a->name, sizeof(d->name));
		d->name[sizeof(d->name) - 1] = '\0';
		n_cnt = clamp(a->n_counters, HPCP_EFA_MAX_COUNTERS);
		for (j = 0; j < n_cnt; j++) {
			const struct hpcp_efa_counter *ac = &a->counters[j];
			const struct hpcp_efa_counter *bc;
			struct hpcp_efa_counter *dc;

			bc = find_counter(b, ac->scope, ac->name);
			if (!bc)
				continue;
			if (ac->value < bc->value) {
				warn(&w, "%.*s/%.*s/%.*s: went backwards (driver reloaded?)",
				     (int)sizeof(a->name), a->name,
				     (int)sizeof(ac->scope), ac->scope,
				     (int)sizeof(ac->name), ac->name);
				continue;
			}
			dc = &d->counters[d->n_counters++];
			*dc = *ac;
			dc->scope[sizeof(dc->scope) - 1] = '\0';
			dc->name[sizeof(dc->name) - 1] = '\0';
			dc->value = ac->value - bc->value;
			total++;
		}
	}
	warn_finish(&w);
	return total;
}

/* Saturates rather than wrapping: a wrapped sum would look plausible. */
uint64_t hpcp_efa_sum(const struct hpcp_efa_set *set, const char *name)
{
	int i, j, n_dev, n_cnt;
	uint64_t sum = 0;

	if (!set || !name ||
	    strlen(name) >= sizeof(set->devices[0].counters[0].name))
		return 0;
	n_dev = clamp(set->n_devices, HPCP_EFA_MAX_DEVICES);
	for (i = 0; i < n_dev; i++) {
		const struct hpcp_efa_device *d = &set->devices[i];

		n_cnt = clamp(d->n_counters, HPCP_EFA_MAX_COUNTERS);
		for (j = 0; j < n_cnt; j++) {
			const struct hpcp_efa_counter *c = &d->counters[j];

			if (!field_eq(c->name, name, sizeof(c->name)))
				continue;
			if (sum > UINT64_MAX - c->value)
				sum = UINT64_MAX;
			else
				sum += c->value;
		}
	}
	return sum;
}
