/*
 * A passthrough FUSE file system that delays reads by a known amount, for
 * the storage phase's truth tests (mpi_tests/storage-fuse.sh):
 *
 *   fusedelay [-d US] [-s US -e N] [-D open|write|read|reopen]
 *             [-r BYTES] [-w BYTES] [-c OFFSET] SOURCE MNT
 *
 * mirrors SOURCE at MOUNTPOINT; every read sleeps US microseconds (-d)
 * before it is served, and every N-th read (counted over the whole file
 * system, -e) sleeps -s microseconds instead, so a fraction of exactly 1/N
 * of the reads is slow.  Files are opened direct_io: every read() of the
 * phase reaches this process, never the page cache.  -D refuses O_DIRECT
 * as some file systems do: "open" fails such an open with EINVAL, "write"
 * accepts the open and fails every write to the file with EINVAL (a file
 * system that checks direct I/O only when it is done), "read" likewise
 * every read (the writes before it succeed), "reopen" fails with EINVAL
 * only the O_DIRECT open of an existing file for writing (a file created
 * with O_DIRECT is written and read back; its rewrite is refused: the
 * storage phase's random writes, after its verified reads).  -r and -w
 * serve every read and write short, BYTES at most (the call returns that
 * count, no error).  -c returns byte OFFSET of every file inverted to any
 * read that covers it (the file itself keeps what was written): storage
 * that gives back other bytes than it was given.  Runs in the
 * foreground until unmounted (fusermount3 -u).
 */
#define FUSE_USE_VERSION 31

#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <fuse.h>
#include <limits.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <time.h>
#include <unistd.h>

static struct {
	char src[PATH_MAX];
	long delay_us, slow_us, every, short_read, short_write;
	long corrupt_at;                /* -c OFFSET + 1; 0 none */
	int refuse_open, refuse_write, refuse_read, refuse_reopen;
	atomic_ulong reads;
} g;

/* Which source descriptors were opened O_DIRECT by the client (-D write,
 * read): the kernel does not pass the open flags to write or read. */
#define MAX_FD 4096
static atomic_uchar direct_fd[MAX_FD];

/* The source descriptor as the handle; whether the client opened it
 * O_DIRECT noted for -D write and read. */
static int opened(struct fuse_file_info *fi, int fd)
{
	fi->fh = (uint64_t)fd;
	fi->direct_io = 1;
	if (fd < MAX_FD)
		direct_fd[fd] = (fi->flags & O_DIRECT) != 0;
	return 0;
}

static void real(char *buf, size_t len, const char *path)
{
	snprintf(buf, len, "%s%s", g.src, path);
}

static void sleep_us(long us)
{
	struct timespec t = { us / 1000000, (us % 1000000) * 1000 };

	while (us > 0 && nanosleep(&t, &t) != 0 && errno == EINTR)
		;
}

static int fd_getattr(const char *path, struct stat *st,
		      struct fuse_file_info *fi)
{
	char p[PATH_MAX];

	if (fi)
		return fstat((int)fi->fh, st) ? -errno : 0;
	real(p, sizeof(p), path);
	return lstat(p, st) ? -errno : 0;
}

static int fd_readdir(const char *path, void *buf, fuse_fill_dir_t fill,
		      off_t off, struct fuse_file_info *fi,
		      enum fuse_readdir_flags flags)
{
	char p[PATH_MAX];
	struct dirent *e;
	DIR *d;

	(void)off;
	(void)fi;
	(void)flags;
	real(p, sizeof(p), path);
	d = opendir(p);
	if (!d)
		return -errno;
	while ((e = readdir(d)) != NULL)
		if (fill(buf, e->d_name, NULL, 0, 0))
			break;
	closedir(d);
	return 0;
}

static int fd_open(const char *path, struct fuse_file_info *fi)
{
	char p[PATH_MAX];
	int fd;

	if ((g.refuse_open || (g.refuse_reopen &&
			       (fi->flags & O_ACCMODE) != O_RDONLY)) &&
	    (fi->flags & O_DIRECT))
		return -EINVAL;
	real(p, sizeof(p), path);
	/* O_DIRECT is the kernel's business here; the source needs none. */
	fd = open(p, fi->flags & ~O_DIRECT);
	if (fd < 0)
		return -errno;
	return opened(fi, fd);
}

static int fd_create(const char *path, mode_t mode,
		     struct fuse_file_info *fi)
{
	char p[PATH_MAX];
	int fd;

	if (g.refuse_open && (fi->flags & O_DIRECT))
		return -EINVAL;
	real(p, sizeof(p), path);
	fd = open(p, (fi->flags & ~O_DIRECT) | O_CREAT, mode);
	if (fd < 0)
		return -errno;
	return opened(fi, fd);
}

static int fd_read(const char *path, char *buf, size_t n, off_t off,
		   struct fuse_file_info *fi)
{
	unsigned long k = atomic_fetch_add(&g.reads, 1) + 1;
	ssize_t got;

	(void)path;
	if (g.refuse_read && fi->fh < MAX_FD && direct_fd[fi->fh])
		return -EINVAL;
	if (g.every > 0 && k % (unsigned long)g.every == 0)
		sleep_us(g.slow_us);
	else
		sleep_us(g.delay_us);
	if (g.short_read > 0 && n > (size_t)g.short_read)
		n = (size_t)g.short_read;
	got = pread((int)fi->fh, buf, n, off);
	if (got > 0 && g.corrupt_at > off &&
	    g.corrupt_at - 1 < off + (off_t)got)
		buf[g.corrupt_at - 1 - off] ^= (char)0xff;
	return got < 0 ? -errno : (int)got;
}

static int fd_write(const char *path, const char *buf, size_t n, off_t off,
		    struct fuse_file_info *fi)
{
	ssize_t w;

	(void)path;
	if (g.refuse_write && fi->fh < MAX_FD && direct_fd[fi->fh])
		return -EINVAL;
	if (g.short_write > 0 && n > (size_t)g.short_write)
		n = (size_t)g.short_write;
	w = pwrite((int)fi->fh, buf, n, off);
	return w < 0 ? -errno : (int)w;
}

static int fd_release(const char *path, struct fuse_file_info *fi)
{
	(void)path;
	close((int)fi->fh);
	return 0;
}

static int fd_fsync(const char *path, int datasync,
		    struct fuse_file_info *fi)
{
	(void)path;
	return (datasync ? fdatasync((int)fi->fh) : fsync((int)fi->fh)) ?
		       -errno : 0;
}

static int fd_unlink(const char *path)
{
	char p[PATH_MAX];

	real(p, sizeof(p), path);
	return unlink(p) ? -errno : 0;
}

static int fd_rename(const char *from, const char *to, unsigned int flags)
{
	char a[PATH_MAX], b[PATH_MAX];

	if (flags)
		return -EINVAL;         /* RENAME_NOREPLACE and the like */
	real(a, sizeof(a), from);
	real(b, sizeof(b), to);
	return rename(a, b) ? -errno : 0;
}

static int fd_mkdir(const char *path, mode_t mode)
{
	char p[PATH_MAX];

	real(p, sizeof(p), path);
	return mkdir(p, mode) ? -errno : 0;
}

static int fd_rmdir(const char *path)
{
	char p[PATH_MAX];

	real(p, sizeof(p), path);
	return rmdir(p) ? -errno : 0;
}

static int fd_truncate(const char *path, off_t size,
		       struct fuse_file_info *fi)
{
	char p[PATH_MAX];

	if (fi)
		return ftruncate((int)fi->fh, size) ? -errno : 0;
	real(p, sizeof(p), path);
	return truncate(p, size) ? -errno : 0;
}

static int fd_statfs(const char *path, struct statvfs *st)
{
	(void)path;
	return statvfs(g.src, st) ? -errno : 0;
}

static int fd_utimens(const char *path, const struct timespec tv[2],
		      struct fuse_file_info *fi)
{
	char p[PATH_MAX];

	if (fi)
		return futimens((int)fi->fh, tv) ? -errno : 0;
	real(p, sizeof(p), path);
	return utimensat(AT_FDCWD, p, tv, AT_SYMLINK_NOFOLLOW) ? -errno : 0;
}

static int fd_chmod(const char *path, mode_t mode, struct fuse_file_info *fi)
{
	char p[PATH_MAX];

	(void)fi;
	real(p, sizeof(p), path);
	return chmod(p, mode) ? -errno : 0;
}

static const struct fuse_operations ops = {
	.getattr = fd_getattr,
	.readdir = fd_readdir,
	.open = fd_open,
	.create = fd_create,
	.read = fd_read,
	.write = fd_write,
	.release = fd_release,
	.fsync = fd_fsync,
	.unlink = fd_unlink,
	.rename = fd_rename,
	.mkdir = fd_mkdir,
	.rmdir = fd_rmdir,
	.truncate = fd_truncate,
	.statfs = fd_statfs,
	.utimens = fd_utimens,
	.chmod = fd_chmod,
};

static long number(const char *s, const char *what)
{
	char *end;
	long v = strtol(s, &end, 10);

	if (end == s || *end || v < 0) {
		fprintf(stderr, "fusedelay: %s: '%s' is not a count\n", what,
			s);
		exit(2);
	}
	return v;
}

int main(int argc, char **argv)
{
	char *fargv[8];
	int c, fargc = 0;

	while ((c = getopt(argc, argv, "d:s:e:D:r:w:c:")) != -1) {
		switch (c) {
		case 'd': g.delay_us = number(optarg, "-d"); break;
		case 's': g.slow_us = number(optarg, "-s"); break;
		case 'e': g.every = number(optarg, "-e"); break;
		case 'r': g.short_read = number(optarg, "-r"); break;
		case 'w': g.short_write = number(optarg, "-w"); break;
		case 'c': g.corrupt_at = number(optarg, "-c") + 1; break;
		case 'D':
			g.refuse_open = strcmp(optarg, "open") == 0;
			g.refuse_write = strcmp(optarg, "write") == 0;
			g.refuse_read = strcmp(optarg, "read") == 0;
			g.refuse_reopen = strcmp(optarg, "reopen") == 0;
			if (g.refuse_open || g.refuse_write || g.refuse_read ||
			    g.refuse_reopen)
				break;
			fprintf(stderr, "fusedelay: -D: '%s' is not open, "
				"write, read or reopen\n", optarg);
			return 2;
		default:
			fprintf(stderr, "usage: fusedelay [-d US] [-s US -e N] "
				"[-D open|write|read|reopen] [-r BYTES] [-w BYTES] "
				"[-c OFFSET] SOURCE MOUNTPOINT\n");
			return 2;
		}
	}
	if (argc - optind != 2 || !realpath(argv[optind], g.src)) {
		fprintf(stderr, "usage: fusedelay [-d US] [-s US -e N] "
			"[-D open|write|read|reopen] [-r BYTES] [-w BYTES] "
			"[-c OFFSET] SOURCE MOUNTPOINT (SOURCE an existing "
			"directory)\n");
		return 2;
	}
	fargv[fargc++] = argv[0];
	fargv[fargc++] = "-f";
	/* Others (the ranks) may use it; no attribute caching, so a stat
	 * is a round trip like a file system server's. */
	fargv[fargc++] = "-o";
	fargv[fargc++] = "allow_other,default_permissions,attr_timeout=0,"
			 "entry_timeout=0,negative_timeout=0,fsname=fusedelay";
	fargv[fargc++] = argv[optind + 1];
	fargv[fargc] = NULL;
	return fuse_main(fargc, fargv, &ops, NULL);
}
