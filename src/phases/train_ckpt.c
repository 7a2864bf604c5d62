/*
 * The train phase's checkpoints (--train-checkpoint-dir): what a restart
 * after a Spot interruption would need, written and read back for real.
 *
 * After each epoch (outside its timing) rank 0 writes the model's
 * parameters and the optimiser's state (the momentum velocity) to a fresh
 * subdirectory of the target: a temporary file written, fsynced, renamed
 * into place and the directory fsynced, the previous checkpoint removed;
 * that is the checkpoint's write time, what every rank of a real job
 * waits for.  Then it drops the file's pages from the page cache
 * (POSIX_FADV_DONTNEED: they are clean after the fsync), notes how much
 * is still resident, and reads the file back: the restart's read time,
 * and the bytes compared with what was written.  The other ranks wait at
 * a barrier, so the next epoch starts together.  An I/O error stops the
 * checkpoints with the reason (training goes on); bytes that read back
 * different are a fault of the storage: the phase fails naming the file
 * and the offset.  The subdirectory is removed at the end and from the
 * watchdog thread when the job is ended early.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include "hpcp/ctx.h"
#include "hpcp/fsutil.h"
#include "hpcp/log.h"
#include "hpcp/timer.h"
#include "hpcp/watch.h"

#include "train_int.h"

#define CKPT_MAGIC "HPCPCKP1"

/* Removal when the job ends another way: from the watchdog thread
 * (hpcp_watch_on_end: the watchdog, a signal) and from hpcp_die (a failed
 * collective), armed while the subdirectory exists; the first to come
 * removes it, the phase's own end included. */
static char end_dir[PATH_MAX];
static _Atomic int end_armed;

static void on_end(void *arg, char *note, size_t len)
{
	char why[320];

	(void)arg;
	if (!atomic_exchange(&end_armed, 0))
		return;
	if (hpcp_rmtree(end_dir, 50, why, sizeof(why)) == 0)
		snprintf(note, len, "checkpoints removed (%.240s)", end_dir);
	else
		snprintf(note, len, "checkpoints not all removed: %.240s", why);
}

static void on_die(void)
{
	char note[320];

	on_end(NULL, note, sizeof(note));
}

/* An I/O error once the directory exists: the checkpoints stop, failed. */
static void stop(struct train_ckpt *c, int rc, const char *fmt,
		 const char *path)
{
	c->status = rc;
	c->failed = 1;
	snprintf(c->why, sizeof(c->why), fmt, path, strerror(-rc));
}

int train_ckpt_bytes(const struct train_state *st, size_t *bytes)
{
	size_t floats = 0;

	for (int l = 0; l < st->spec.n_layers; l++) {
		size_t count;

		(void)st->be->params(st->nn, l, &count);
		floats += count;
	}
	*bytes = TRAIN_CKPT_HEADER + 2 * floats * sizeof(float);
	return 0;
}

/* Rank 0: the subdirectory and the buffers; a reason when unavailable. */
void train_ckpt_open(struct train_state *st, const char *target)
{
	struct train_ckpt *c = &st->ckpt;
	struct statvfs v;
	int n;

	c->target = target;
	c->fs_type = hpcp_fs_type_name(hpcp_fs_magic(target));
	(void)train_ckpt_bytes(st, &c->bytes);
	/* Two files at a time: the new one and the one it replaces. */
	if (statvfs(target, &v) == 0 &&
	    (uint64_t)v.f_bavail * v.f_frsize < 2 * (uint64_t)c->bytes) {
		c->status = -ENOSPC;
		snprintf(c->why, sizeof(c->why), "%s has %llu bytes free, a "
			 "checkpoint needs %zu (two at a time)", target,
			 (unsigned long long)v.f_bavail * v.f_frsize,
			 2 * c->bytes);
		return;
	}
	c->image = malloc(c->bytes);
	c->back = malloc(c->bytes);
	c->write_ns = calloc((size_t)st->epochs, sizeof(double));
	c->read_ns = calloc((size_t)st->epochs, sizeof(double));
	c->cached = calloc((size_t)st->epochs, sizeof(double));
	if (!c->image || !c->back || !c->write_ns || !c->read_ns ||
	    !c->cached) {
		c->status = -ENOMEM;
		snprintf(c->why, sizeof(c->why), "out of memory for two "
			 "checkpoint images of %zu bytes", c->bytes);
		return;
	}
	n = snprintf(c->dir, sizeof(c->dir), "%s/hpcprobe-ckpt.XXXXXX",
		     target);
	if (n < 0 || (size_t)n >= sizeof(c->dir) || !mkdtemp(c->dir)) {
		c->status = n < 0 || (size_t)n >= sizeof(c->dir) ?
				    -ENAMETOOLONG : -errno;
		snprintf(c->why, sizeof(c->why), "cannot make a directory in "
			 "%s: %s", target, strerror(-c->status));
		c->dir[0] = '\0';
		return;
	}
	snprintf(end_dir, sizeof(end_dir), "%s", c->dir);
	atomic_store(&end_armed, 1);
	hpcp_watch_on_end(on_end, NULL);
	hpcp_die_on(on_die);
}

/* The model and its optimiser state, as a restart would load them. */
static void fill_image(struct train_state *st, int epoch)
{
	struct train_ckpt *c = &st->ckpt;
	unsigned char *p = c->image;
	uint64_t floats = (c->bytes - TRAIN_CKPT_HEADER) / sizeof(float);
	uint32_t e = (uint32_t)epoch, layers = (uint32_t)st->spec.n_layers;

	memset(p, 0, TRAIN_CKPT_HEADER);
	memcpy(p, CKPT_MAGIC, 8);
	memcpy(p + 8, &e, sizeof(e));
	memcpy(p + 12, &layers, sizeof(layers));
	memcpy(p + 16, &floats, sizeof(floats));
	p += TRAIN_CKPT_HEADER;
	for (int pass = 0; pass < 2; pass++)
		for (int l = 0; l < st->spec.n_layers; l++) {
			size_t count;
			const float *v = pass ? st->be->state(st->nn, l, &count)
					      : st->be->params(st->nn, l,
							       &count);

			memcpy(p, v, count * sizeof(float));
			p += count * sizeof(float);
		}
}

static int write_all(int fd, const unsigned char *p, size_t n)
{
	while (n > 0) {
		ssize_t w = write(fd, p, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return w < 0 ? -errno : -EIO;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

static int read_all(int fd, unsigned char *p, size_t n)
{
	while (n > 0) {
		ssize_t r = read(fd, p, n);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -errno;
		if (r == 0)
			return -ENODATA;      /* shorter than written */
		p += r;
		n -= (size_t)r;
	}
	return 0;
}

/* Write, fsync, rename, fsync the directory: the checkpoint's cost. */
static int write_one(struct train_ckpt *c, const char *tmp, const char *dst)
{
	int fd, dfd, rc;

	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0)
		return -errno;
	rc = write_all(fd, c->image, c->bytes);
	if (rc == 0 && fsync(fd) != 0)
		rc = -errno;
	if (close(fd) != 0 && rc == 0)
		rc = -errno;
	if (rc == 0 && rename(tmp, dst) != 0)
		rc = -errno;
	if (rc)
		return rc;
	dfd = open(c->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0)
		return -errno;
	/* Some file systems refuse fsync on a directory: nothing to wait. */
	if (fsync(dfd) != 0 && errno != EINVAL && errno != EROFS)
		rc = -errno;
	close(dfd);
	return rc;
}

/* The first byte that differs, for the diagnosis. */
static size_t first_difference(const unsigned char *a, const unsigned char *b,
			       size_t n)
{
	size_t i = 0;

	while (i < n && a[i] == b[i])
		i++;
	return i;
}

/* Rank 0, after epoch `epoch` (0-based): one checkpoint written and read
 * back.  Returns the time it took (ns), for the epochs' clock. */
double train_ckpt_write(struct train_state *st, int epoch)
{
	struct train_ckpt *c = &st->ckpt;
	char tmp[PATH_MAX + 32], dst[PATH_MAX + 32];
	uint64_t t0 = hpcp_now_ns(), t1, t2, t3, res = 0, tot = 0;
	int fd, rc;

	if (c->status || !c->dir[0])
		return 0;
	fill_image(st, epoch + 1);
	snprintf(tmp, sizeof(tmp), "%s/.epoch-%d.tmp", c->dir, epoch + 1);
	snprintf(dst, sizeof(dst), "%s/epoch-%d", c->dir, epoch + 1);
	t1 = hpcp_now_ns();
	rc = write_one(c, tmp, dst);
	t2 = hpcp_now_ns();
	if (rc) {
		stop(c, rc, "writing %s: %s", dst);
		(void)unlink(tmp);
		return (double)(hpcp_now_ns() - t0);
	}
	if (c->last[0])
		(void)unlink(c->last);
	snprintf(c->last, sizeof(c->last), "%s", dst);

	fd = open(dst, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		stop(c, -errno, "reading %s back: %s", dst);
		return (double)(hpcp_now_ns() - t0);
	}
	(void)posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED);
	if (hpcp_fs_resident(fd, c->bytes, &res, &tot) == 0 && tot > 0)
		c->cached[c->count] = (double)res / (double)tot;
	else
		c->cached[c->count] = -1;       /* not known */
	close(fd);
	t3 = hpcp_now_ns();
	fd = open(dst, O_RDONLY | O_CLOEXEC);
	rc = fd < 0 ? -errno : read_all(fd, c->back, c->bytes);
	if (fd >= 0)
		close(fd);
	c->write_ns[c->count] = (double)(t2 - t1);
	c->read_ns[c->count] = (double)(hpcp_now_ns() - t3);
	if (rc) {
		stop(c, rc, "reading %s back: %s", dst);
		return (double)(hpcp_now_ns() - t0);
	}
	if (memcmp(c->image, c->back, c->bytes) != 0) {
		size_t at = first_difference(c->image, c->back, c->bytes);

		c->status = -EIO;
		c->failed = c->corrupt = 1;
		snprintf(c->why, sizeof(c->why), "checkpoint %s read back "
			 "differs at offset %zu of %zu (wrote 0x%02x, read "
			 "0x%02x)", dst, at, c->bytes, c->image[at],
			 c->back[at]);
		return (double)(hpcp_now_ns() - t0);
	}
	c->count++;
	return (double)(hpcp_now_ns() - t0);
}

/* Rank 0: the subdirectory removed, the buffers freed. */
void train_ckpt_close(struct train_state *st)
{
	struct train_ckpt *c = &st->ckpt;
	char why[320];

	if (c->dir[0]) {
		if (!atomic_exchange(&end_armed, 0))
			snprintf(c->removed, sizeof(c->removed), "removal left "
				 "to the job's end (the watchdog or a signal "
				 "took it)");
		else if (hpcp_rmtree(c->dir, 5, why, sizeof(why)) == 0)
			snprintf(c->removed, sizeof(c->removed),
				 "removed %s", c->dir);
		else
			snprintf(c->removed, sizeof(c->removed),
				 "not all removed: %s", why);
		hpcp_watch_on_end(NULL, NULL);
		hpcp_die_on(NULL);
		c->dir[0] = '\0';
	}
	free(c->image);
	free(c->back);
	c->image = c->back = NULL;
}

void train_ckpt_free(struct train_state *st)
{
	struct train_ckpt *c = &st->ckpt;

	free(c->write_ns);
	free(c->read_ns);
	free(c->cached);
	c->write_ns = c->read_ns = c->cached = NULL;
}
