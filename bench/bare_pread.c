/*
 * The reference for bench/compare-storage.sh: 4 KiB random preads at
 * iodepth 1, nothing but the loop, so the storage phase and fio can each be
 * read against the same floor.  JOBS processes (unbound, as fio's jobs and
 * the bench's ranks are), each with its own file of MIB MiB that it writes
 * and fsyncs first; buffered, each then reads its file whole so all of it
 * is in the page cache (fio's pre_read, the phase's just-written file);
 * direct, the file is opened O_DIRECT.  The jobs start together (a pipe
 * each, written once every job is ready) and each times every pread with
 * CLOCK_MONOTONIC before and after; every read is checked against what was
 * written, each word its block's number xor a word per place in the block
 * (a table that stays in L1), as both tools check theirs.
 *
 * Prints one line: iops p50_ns p99_ns, IOPS being all reads over the span
 * from the first start to the last check's end (the jobs share one
 * monotonic clock), the percentiles exact over every job's reads.
 *
 * usage: bare_pread DIR JOBS OPS MIB direct|buffered
 */
#include "config.h"   /* _GNU_SOURCE: O_DIRECT */

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bare_util.h"

#define BLOCK 4096u
#define WORDS (BLOCK / 8)
#define CHUNK_BLOCKS 512u   /* 2 MiB */

static uint64_t place[WORDS];

static uint64_t mix(uint64_t z)
{
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static void fill(uint64_t *w, uint64_t block)
{
	for (unsigned j = 0; j < WORDS; j++)
		w[j] = block ^ place[j];
}

static int check(const uint64_t *w, uint64_t block)
{
	uint64_t d = 0;

	for (unsigned j = 0; j < WORDS; j++)
		d |= w[j] ^ block ^ place[j];
	return d == 0;
}

struct shared {
	uint64_t start[64], end[64];
	int bad[64];
};

/* A job's failure, said with its cause; the parent sees the status. */
static int fail(const char *what, const char *path)
{
	fprintf(stderr, "bare_pread: %s %s: %s\n", what, path, strerror(errno));
	return 1;
}

static int job(const char *dir, int id, uint64_t ops, uint64_t mib,
	       int direct, int ready, int go, struct shared *sh,
	       uint64_t *lat)
{
	char path[4096];
	uint64_t blocks = mib * 1024 * 1024 / BLOCK, rng = 0x2545f4914f6cdd1dull * (uint64_t)(id + 1);
	uint64_t *buf;
	char c = 0;
	int fd;

	snprintf(path, sizeof(path), "%s/bare_pread.%d", dir, id);
	/* 2 MiB, as the phase's buffer (which reads into its start): a
	 * 4 KiB one from the heap made every pread 100-150 ns slower here. */
	if (posix_memalign((void **)&buf, BLOCK, 2u << 20))
		return fail("no memory for the buffer of", path);
	/* The latencies' pages touched now, not at the first store of each
	 * inside the loop. */
	memset(lat, 0, ops * sizeof(*lat));
	fd = open(path, O_CREAT | O_TRUNC | O_WRONLY, 0600);
	if (fd < 0)
		return fail("cannot create", path);
	/* 2 MiB a call, as the phase writes its file. */
	for (uint64_t b = 0; b < blocks; b += CHUNK_BLOCKS) {
		uint64_t n = blocks - b < CHUNK_BLOCKS ? blocks - b : CHUNK_BLOCKS;

		for (uint64_t k = 0; k < n; k++)
			fill(buf + k * WORDS, b + k);
		if (pwrite(fd, buf, n * BLOCK, (off_t)(b * BLOCK)) !=
		    (ssize_t)(n * BLOCK))
			return fail("cannot write", path);
	}
	if (fsync(fd) || close(fd))
		return fail("cannot fsync", path);
	fd = open(path, O_RDONLY | (direct ? O_DIRECT : 0));
	if (fd < 0)
		return fail("cannot open", path);
	for (uint64_t b = 0; !direct && b < blocks; b++)
		if (pread(fd, buf, BLOCK, (off_t)(b * BLOCK)) != BLOCK)
			return fail("cannot read", path);
	if (write(ready, &c, 1) != 1 || close(ready) || read(go, &c, 1) != 1)
		return fail("lost the start signal for", path);
	sh->start[id] = now_ns();
	for (uint64_t i = 0; i < ops; i++) {
		uint64_t b, t0, t1;

		rng ^= rng << 13;
		rng ^= rng >> 7;
		rng ^= rng << 17;
		b = rng % blocks;
		t0 = now_ns();
		if (pread(fd, buf, BLOCK, (off_t)(b * BLOCK)) != BLOCK)
			return fail("cannot read", path);
		t1 = now_ns();
		lat[i] = t1 - t0;
		if (!check(buf, b))
			sh->bad[id]++;
	}
	sh->end[id] = now_ns();
	close(fd);
	unlink(path);
	return 0;
}

int main(int argc, char **argv)
{
	int jobs, ready[2], go[2], failed = 0, bad = 0;
	uint64_t ops, mib, first = UINT64_MAX, last = 0, n;
	struct shared *sh;
	uint64_t *lat;

	if (argc != 6 || (jobs = atoi(argv[2])) < 1 || jobs > 64 ||
	    (ops = strtoull(argv[3], NULL, 10)) < 1 ||
	    (mib = strtoull(argv[4], NULL, 10)) < 1 ||
	    (strcmp(argv[5], "direct") && strcmp(argv[5], "buffered"))) {
		fprintf(stderr, "usage: bare_pread DIR JOBS(1-64) OPS MIB "
			"direct|buffered\n");
		return 2;
	}
	for (unsigned j = 0; j < WORDS; j++)
		place[j] = mix((j + 1) * 0x8cb92ba72f3d8dd7ull);
	n = (uint64_t)jobs * ops;
	sh = mmap(NULL, sizeof(*sh) + n * sizeof(*lat), PROT_READ | PROT_WRITE,
		  MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (sh == MAP_FAILED || pipe(ready) || pipe(go)) {
		perror("bare_pread");
		return 1;
	}
	lat = (uint64_t *)(sh + 1);
	for (int id = 0; id < jobs; id++) {
		pid_t p = fork();

		if (p < 0) {
			perror("bare_pread: fork");
			return 1;
		}
		if (p == 0) {
			close(ready[0]);
			close(go[1]);
			_exit(job(argv[1], id, ops, mib,
				  !strcmp(argv[5], "direct"), ready[1], go[0],
				  sh, lat + (uint64_t)id * ops));
		}
	}
	/* Only the jobs hold the write end of ready: a job that fails
	 * before it is ready ends the wait below with end of file. */
	close(ready[1]);
	close(go[0]);
	/* Every job ready (its file written and, buffered, cached), then
	 * all go at once. */
	for (int id = 0; id < jobs && !failed; id++) {
		char c;

		if (read(ready[0], &c, 1) != 1)
			failed = 1;
	}
	/* A job failed: no start; closing go ends the others' wait. */
	for (int id = 0; id < jobs && !failed; id++)
		if (write(go[1], "g", 1) != 1)
			failed = 1;
	close(go[1]);
	for (int id = 0; id < jobs; id++) {
		int st;

		if (wait(&st) < 0 || !WIFEXITED(st) || WEXITSTATUS(st))
			failed = 1;
	}
	if (failed) {
		fprintf(stderr, "bare_pread: a job failed\n");
		return 1;
	}
	for (int id = 0; id < jobs; id++) {
		first = sh->start[id] < first ? sh->start[id] : first;
		last = sh->end[id] > last ? sh->end[id] : last;
		bad += sh->bad[id];
	}
	if (bad) {
		fprintf(stderr, "bare_pread: %d reads did not match\n", bad);
		return 1;
	}
	qsort(lat, n, sizeof(*lat), cmp_u64);
	printf("%.0f %llu %llu\n", (double)n / ((double)(last - first) / 1e9),
	       (unsigned long long)lat[(n - 1) / 2],
	       (unsigned long long)lat[(n * 99 + 99) / 100 - 1]);
	return 0;
}
