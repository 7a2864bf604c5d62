/*
 * A passthrough FUSE file system that delays reads by a known amount, for
 * the storage phase's truth tests (mpi_tests/storage-fuse.sh):
 *
 *   fusedelay [-d US] [-s US -e N] [-D open|write|read|reopen]
 *             [-r BYTES] [-w BYTES] [-c OFFSET] [-S] [-L FILE] SOURCE MNT
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
 * that gives back other bytes than it was given.  -S serves what a Lustre
 * client's statistics would say of the operations this file system
 * served, at MNT/.client/llite/fusedelay-0/stats in llite's format
 * (read_bytes and write_bytes with their sums, open, close, create,
 * unlink, mkdir, fsync; a counter still at 0 left out, as llite does), so
 * the phase's per-sub-phase deltas can be checked against a known answer.
 * -L serves FILE's bytes as every regular file's lustre.lov attribute (a
 * layout, as a Lustre client gives it).  Runs in the foreground until
 * unmounted (fusermount3 -u).
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
	int stats;                      /* -S */
	unsigned char *lov;             /* -L: the attribute's bytes */
	size_t lov_len;
} g;

/* -S: what the client saw, by llite counter. */
enum { C_READ, C_WRITE, C_OPEN, C_CLOSE, C_CREATE, C_UNLINK, C_MKDIR,
       C_FSYNC, N_C };
static const char *const c_name[N_C] = { "read_bytes", "write_bytes",
	"open", "close", "create", "unlink", "mkdir", "fsync" };
static struct {
	atomic_ulong n, sum, min, max;  /* sum, min and max: transfers */
} ctr[N_C];

static void count(int c, unsigned long bytes)
{
	unsigned long v;

	atomic_fetch_add(&ctr[c].n, 1);
	if (c != C_READ && c != C_WRITE)
		return;
	atomic_fetch_add(&ctr[c].sum, bytes);
	v = atomic_load(&ctr[c].min);
	while ((v == 0 || bytes < v) &&
	       !atomic_compare_exchange_weak(&ctr[c].min, &v, bytes))
		;
	v = atomic_load(&ctr[c].max);
	while (bytes > v &&
	       !atomic_compare_exchange_weak(&ctr[c].max, &v, bytes))
		;
}

/* The -S tree: directories down to the stats file. */
#define STATS_DIR "/.client"
#define STATS_FILE STATS_DIR "/llite/fusedelay-0/stats"
#define STATS_FH UINT64_MAX

static int virtual_path(const char *path)
{
	return g.stats && strncmp(path, STATS_DIR, strlen(STATS_DIR)) == 0 &&
	       (path[strlen(STATS_DIR)] == '\0' ||
		path[strlen(STATS_DIR)] == '/');
}

/* 0 and *st for a node of the tree; -ENOENT for anything else in it. */
static int virtual_attr(const char *path, struct stat *st)
{
	memset(st, 0, sizeof(*st));
	st->st_uid = getuid();
	st->st_gid = getgid();
	if (strcmp(path, STATS_FILE) == 0) {
		st->st_mode = S_IFREG | 0444;
		st->st_nlink = 1;
		st->st_size = 4096;     /* read past it: direct_io */
		return 0;
	}
	if (strcmp(path, STATS_DIR) == 0 ||
	    strcmp(path, STATS_DIR "/llite") == 0 ||
	    strcmp(path, STATS_DIR "/llite/fusedelay-0") == 0) {
		st->st_mode = S_IFDIR | 0555;
		st->st_nlink = 2;
		return 0;
	}
	return -ENOENT;
}

/* The stats file's text now, as llite prints it. */
static size_t stats_text(char *buf, size_t len)
{
	struct timespec t;
	size_t n;

	clock_gettime(CLOCK_REALTIME, &t);
	n = (size_t)snprintf(buf, len, "snapshot_time             "
			     "%lld.%09ld secs.nsecs\n", (long long)t.tv_sec,
			     t.tv_nsec);
	for (int c = 0; c < N_C && n < len; c++) {
		unsigned long k = atomic_load(&ctr[c].n);

		if (!k)
			continue;
		if (c == C_READ || c == C_WRITE)
			n += (size_t)snprintf(buf + n, len - n,
					      "%-25s %lu samples [bytes] %lu "
					      "%lu %lu\n", c_name[c], k,
					      atomic_load(&ctr[c].min),
					      atomic_load(&ctr[c].max),
					      atomic_load(&ctr[c].sum));
		else
			n += (size_t)snprintf(buf + n, len - n,
					      "%-25s %lu samples [reqs]\n",
					      c_name[c], k);
	}
	return n < len ? n : len - 1;
}

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

	if (virtual_path(path))
		return virtual_attr(path, st);
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
	if (virtual_path(path)) {
		struct stat st;
		const char *child = strcmp(path, STATS_DIR) == 0 ? "llite" :
			strcmp(path, STATS_DIR "/llite") == 0 ? "fusedelay-0" :
			"stats";

		if (virtual_attr(path, &st) || !S_ISDIR(st.st_mode))
			return -ENOTDIR;
		fill(buf, ".", NULL, 0, 0);
		fill(buf, "..", NULL, 0, 0);
		fill(buf, child, NULL, 0, 0);
		return 0;
	}
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

	if (virtual_path(path)) {
		if (strcmp(path, STATS_FILE) != 0)
			return -EISDIR;
		if ((fi->flags & O_ACCMODE) != O_RDONLY)
			return -EACCES;
		fi->fh = STATS_FH;
		fi->direct_io = 1;
		return 0;
	}
	if ((g.refuse_open || (g.refuse_reopen &&
			       (fi->flags & O_ACCMODE) != O_RDONLY)) &&
	    (fi->flags & O_DIRECT))
		return -EINVAL;
	real(p, sizeof(p), path);
	/* O_DIRECT is the kernel's business here; the source needs none. */
	fd = open(p, fi->flags & ~O_DIRECT);
	if (fd < 0)
		return -errno;
	count(C_OPEN, 0);
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
	if (virtual_path(path))
		return -EACCES;
	fd = open(p, (fi->flags & ~O_DIRECT) | O_CREAT, mode);
	if (fd < 0)
		return -errno;
	/* llite counts a create as a create and an open. */
	count(C_CREATE, 0);
	count(C_OPEN, 0);
	return opened(fi, fd);
}

static int fd_read(const char *path, char *buf, size_t n, off_t off,
		   struct fuse_file_info *fi)
{
	unsigned long k;
	ssize_t got;

	(void)path;
	if (fi->fh == STATS_FH) {
		char text[2048];
		size_t len = stats_text(text, sizeof(text));

		if (off < 0 || (size_t)off >= len)
			return 0;
		if (n > len - (size_t)off)
			n = len - (size_t)off;
		memcpy(buf, text + off, n);
		return (int)n;
	}
	k = atomic_fetch_add(&g.reads, 1) + 1;
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
	if (got < 0)
		return -errno;
	count(C_READ, (unsigned long)got);
	return (int)got;
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
	if (w < 0)
		return -errno;
	count(C_WRITE, (unsigned long)w);
	return (int)w;
}

static int fd_release(const char *path, struct fuse_file_info *fi)
{
	(void)path;
	if (fi->fh == STATS_FH)
		return 0;
	close((int)fi->fh);
	count(C_CLOSE, 0);
	return 0;
}

static int fd_fsync(const char *path, int datasync,
		    struct fuse_file_info *fi)
{
	(void)path;
	if (fi->fh == STATS_FH)
		return 0;
	count(C_FSYNC, 0);
	return (datasync ? fdatasync((int)fi->fh) : fsync((int)fi->fh)) ?
		       -errno : 0;
}

static int fd_unlink(const char *path)
{
	char p[PATH_MAX];

	if (virtual_path(path))
		return -EACCES;
	real(p, sizeof(p), path);
	if (unlink(p))
		return -errno;
	count(C_UNLINK, 0);
	return 0;
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

	if (virtual_path(path))
		return -EACCES;
	real(p, sizeof(p), path);
	if (mkdir(p, mode))
		return -errno;
	count(C_MKDIR, 0);
	return 0;
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

/* -L: the layout as lustre.lov of every regular file.  Without -L, as
 * before there was a getxattr here: ENOSYS, which the kernel remembers,
 * so no call reaches this process again. */
static int fd_getxattr(const char *path, const char *name, char *value,
		       size_t size)
{
	char p[PATH_MAX];
	struct stat st;

	if (!g.lov)
		return -ENOSYS;
	real(p, sizeof(p), path);
	if (virtual_path(path) || strcmp(name, "lustre.lov") != 0 ||
	    lstat(p, &st) || !S_ISREG(st.st_mode))
		return -ENODATA;
	if (size == 0)
		return (int)g.lov_len;
	if (size < g.lov_len)
		return -ERANGE;
	memcpy(value, g.lov, g.lov_len);
	return (int)g.lov_len;
}

/* An unlink is an unlink, also of a file whose release is still on its
 * way: not a rename to a hidden name, counted late and left behind. */
static void *fd_init(struct fuse_conn_info *conn, struct fuse_config *cfg)
{
	(void)conn;
	cfg->hard_remove = 1;
	return NULL;
}

static const struct fuse_operations ops = {
	.init = fd_init,
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
	.getxattr = fd_getxattr,
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

/* -L FILE: its bytes, at most 64 KiB (an attribute's limit). */
static int read_lov(const char *path)
{
	FILE *f = fopen(path, "rb");

	g.lov = malloc(65536);
	if (!f || !g.lov) {
		fprintf(stderr, "fusedelay: -L: cannot read '%s'\n", path);
		if (f)
			fclose(f);
		return -1;
	}
	g.lov_len = fread(g.lov, 1, 65536, f);
	fclose(f);
	if (g.lov_len == 0) {
		fprintf(stderr, "fusedelay: -L: '%s' is empty\n", path);
		return -1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	char *fargv[8];
	int c, fargc = 0;

	while ((c = getopt(argc, argv, "d:s:e:D:r:w:c:SL:")) != -1) {
		switch (c) {
		case 'd': g.delay_us = number(optarg, "-d"); break;
		case 's': g.slow_us = number(optarg, "-s"); break;
		case 'e': g.every = number(optarg, "-e"); break;
		case 'r': g.short_read = number(optarg, "-r"); break;
		case 'w': g.short_write = number(optarg, "-w"); break;
		case 'c': g.corrupt_at = number(optarg, "-c") + 1; break;
		case 'S': g.stats = 1; break;
		case 'L':
			if (read_lov(optarg))
				return 2;
			break;
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
				"[-c OFFSET] [-S] [-L FILE] SOURCE MOUNTPOINT\n");
			return 2;
		}
	}
	if (argc - optind != 2 || !realpath(argv[optind], g.src)) {
		fprintf(stderr, "usage: fusedelay [-d US] [-s US -e N] "
			"[-D open|write|read|reopen] [-r BYTES] [-w BYTES] "
			"[-c OFFSET] [-S] [-L FILE] SOURCE MOUNTPOINT (SOURCE "
			"an existing "
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
