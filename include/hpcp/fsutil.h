/*
 * File-system helpers of the storage phase, without MPI: removing a tree
 * (also from the watchdog thread while the main thread may still write in
 * it), the page-cache residency of a file, and what a directory is on.
 */
#ifndef HPCP_FSUTIL_H
#define HPCP_FSUTIL_H

#include <stddef.h>
#include <stdint.h>

/*
 * Remove path and everything below it (no symbolic link followed), up to
 * `passes` times while something is left (a writer may still be adding
 * files).  0 when nothing is left, else -errno of the first failure with
 * what was left in why.  A missing path is success.
 */
int hpcp_rmtree(const char *path, int passes, char *why, size_t len);

/*
 * The pages of the open file fd's first `bytes` that are in the page
 * cache (mincore over a read-only mapping): *resident and *total pages.
 * 0, or -errno (a file system that cannot be mapped).
 */
int hpcp_fs_resident(int fd, uint64_t bytes, uint64_t *resident,
		     uint64_t *total);

/* The statfs magic of path's file system (0 on error) and its name when
 * known ("ext4", "tmpfs", "lustre", "fuse", ...; else "other"). */
unsigned long hpcp_fs_magic(const char *path);
const char *hpcp_fs_type_name(unsigned long magic);
#define HPCP_LUSTRE_SUPER_MAGIC 0x0BD00BD0ul

#endif
