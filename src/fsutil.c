#include "config.h"

#include "hpcp/fsutil.h"

#include <errno.h>
#include <ftw.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <time.h>
#include <unistd.h>

/* nftw has no user argument: the first failure of the running walk.
 * Callers are the main thread or the watchdog thread, never both at once
 * in practice; a mixed report would only blur the message. */
static int walk_err;
static char walk_path[256];

static int remove_one(const char *path, const struct stat *st, int flag,
		      struct FTW *ftw)
{
	int rc;

	(void)st;
	(void)ftw;
	rc = flag == FTW_DP ? rmdir(path) : unlink(path);
	if (rc != 0 && errno != ENOENT && !walk_err) {
		walk_err = errno;
		snprintf(walk_path, sizeof(walk_path), "%s", path);
	}
	return 0;   /* go on: remove all that can be */
}

int hpcp_rmtree(const char *path, int passes, char *why, size_t len)
{
	struct stat st;

	for (int p = 0; p < passes; p++) {
		if (lstat(path, &st) != 0 && errno == ENOENT)
			return 0;
		walk_err = 0;
		if (nftw(path, remove_one, 16, FTW_DEPTH | FTW_PHYS) != 0 &&
		    errno != ENOENT && !walk_err)
			walk_err = errno;
		if (lstat(path, &st) != 0 && errno == ENOENT)
			return 0;
		/* A writer may have added a file meanwhile: once more. */
		struct timespec pause = { 0, 20 * 1000000L };

		nanosleep(&pause, NULL);
	}
	if (!walk_err)
		walk_err = ENOTEMPTY;
	snprintf(why, len, "%s left behind: %s", walk_path[0] ? walk_path :
		 path, strerror(walk_err));
	return -walk_err;
}

int hpcp_fs_resident(int fd, uint64_t bytes, uint64_t *resident,
		     uint64_t *total)
{
	long page = sysconf(_SC_PAGESIZE);
	unsigned char vec[4096];
	uint64_t pages, done = 0, in = 0;
	void *map;

	*resident = *total = 0;
	if (bytes == 0)
		return 0;
	pages = (bytes + (uint64_t)page - 1) / (uint64_t)page;
	map = mmap(NULL, (size_t)bytes, PROT_READ, MAP_SHARED, fd, 0);
	if (map == MAP_FAILED)
		return -errno;
	/* In slices of vec's size: no allocation for any file size. */
	while (done < pages) {
		uint64_t n = pages - done < sizeof(vec) ? pages - done :
							  sizeof(vec);

		if (mincore((char *)map + done * (uint64_t)page,
			    (size_t)(n * (uint64_t)page), vec) != 0) {
			int e = errno;

			munmap(map, (size_t)bytes);
			return -e;
		}
		for (uint64_t i = 0; i < n; i++)
			in += vec[i] & 1;
		done += n;
	}
	munmap(map, (size_t)bytes);
	*resident = in;
	*total = pages;
	return 0;
}

unsigned long hpcp_fs_magic(const char *path)
{
	struct statfs s;

	if (statfs(path, &s) != 0)
		return 0;
	return (unsigned long)(unsigned int)s.f_type;
}

const char *hpcp_fs_type_name(unsigned long magic)
{
	static const struct { unsigned long magic; const char *name; } t[] = {
		{ HPCP_LUSTRE_SUPER_MAGIC, "lustre" },
		{ 0xEF53, "ext4" }, { 0x58465342, "xfs" },
		{ 0x01021994, "tmpfs" }, { 0x65735546, "fuse" },
		{ 0x6969, "nfs" }, { 0x9123683E, "btrfs" },
		{ 0x794c7630, "overlay" }, { 0x2FC12FC1, "zfs" },
	};

	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		if (t[i].magic == magic)
			return t[i].name;
	return "other";
}
