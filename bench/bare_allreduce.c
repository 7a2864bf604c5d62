/*
 * The reference for bench/compare-mpi.sh: a bare MPI_Allreduce loop
 * (MPI_FLOAT, MPI_SUM, a barrier after each call outside the timing, as
 * osu_allreduce does).  Every rank stores its per-call times in a
 * preallocated array; after the loop one MPI_MAX reduction gives each
 * iteration's completion time (the longest call over the ranks), whose
 * exact median is compared with hpcprobe's p50.  The exact median of all
 * ranks' calls merged and the average of the per-rank means (OSU's "Avg
 * Latency") are printed beside it.
 *
 * usage: bare_allreduce BYTES ITERATIONS WARMUP
 * prints: bytes=B median_ns=M calls_median_ns=C mean_ns=A
 */
#include "config.h"

#include <mpi.h>

#include "bare_util.h"
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

int main(int argc, char **argv)
{
	int rank, size, bytes, iters, warmup, count;
	uint64_t *t, *all = NULL, *done = NULL, sum = 0;
	double mean, mean_sum = 0;
	float *s, *r;

	MPI_Init(&argc, &argv);
	MPI_Comm_rank(MPI_COMM_WORLD, &rank);
	MPI_Comm_size(MPI_COMM_WORLD, &size);
	if (argc != 4) {
		if (rank == 0)
			fprintf(stderr, "usage: bare_allreduce BYTES ITERATIONS WARMUP\n");
		MPI_Finalize();
		return 2;
	}
	bytes = atoi(argv[1]);
	iters = atoi(argv[2]);
	warmup = atoi(argv[3]);
	count = bytes / 4;
	/* Page-aligned and touched, as OSU and hpcprobe allocate them. */
	if (posix_memalign((void **)&s, 4096, ((size_t)count + 1) * sizeof(*s)) ||
	    posix_memalign((void **)&r, 4096, ((size_t)count + 1) * sizeof(*r)))
		MPI_Abort(MPI_COMM_WORLD, 1);
	memset(s, 0, ((size_t)count + 1) * sizeof(*s));
	memset(r, 0, ((size_t)count + 1) * sizeof(*r));
	t = calloc((size_t)iters, sizeof(*t));
	MPI_Barrier(MPI_COMM_WORLD);
	for (int i = 0; i < warmup + iters; i++) {
		uint64_t t0 = now_ns();

		MPI_Allreduce(s, r, count, MPI_FLOAT, MPI_SUM, MPI_COMM_WORLD);
		if (i >= warmup)
			t[i - warmup] = now_ns() - t0;
		MPI_Barrier(MPI_COMM_WORLD);
	}
	for (int i = 0; i < iters; i++)
		sum += t[i];
	mean = (double)sum / iters;
	if (rank == 0) {
		all = calloc((size_t)iters * size, sizeof(*all));
		done = calloc((size_t)iters, sizeof(*done));
	}
	MPI_Reduce(t, done, iters, MPI_UINT64_T, MPI_MAX, 0, MPI_COMM_WORLD);
	MPI_Gather(t, iters, MPI_UINT64_T, all, iters, MPI_UINT64_T, 0,
		   MPI_COMM_WORLD);
	MPI_Reduce(&mean, &mean_sum, 1, MPI_DOUBLE, MPI_SUM, 0, MPI_COMM_WORLD);
	if (rank == 0) {
		size_t n = (size_t)iters * size;

		qsort(all, n, sizeof(*all), cmp_u64);
		qsort(done, (size_t)iters, sizeof(*done), cmp_u64);
		printf("bytes=%d median_ns=%llu calls_median_ns=%llu "
		       "mean_ns=%.1f\n", bytes,
		       (unsigned long long)done[(iters + 1) / 2 - 1],
		       (unsigned long long)all[(n + 1) / 2 - 1],
		       mean_sum / size);
	}
	free(s);
	free(r);
	free(t);
	free(all);
	free(done);
	MPI_Finalize();
	return 0;
}
