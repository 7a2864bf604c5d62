/*
 * The reference for bench/compare-mpi.sh: a bare MPI_Send/MPI_Recv
 * ping-pong between ranks 0 and 1, nothing else.  Each iteration's round
 * trip goes into a preallocated array (one store), so the exact median can
 * be compared with hpcprobe's p50; the whole-loop mean is what OSU prints.
 *
 * usage: bare_pingpong BYTES ITERATIONS WARMUP
 * prints: bytes=B median_ns=M mean_ns=A (latency = half the round trip)
 */
#include "config.h"

#include <mpi.h>

#include "bare_util.h"
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	int rank, bytes, iters, warmup;
	uint64_t *rtt, start = 0, total;
	char *sbuf, *rbuf;
	long page = sysconf(_SC_PAGESIZE);

	MPI_Init(&argc, &argv);
	MPI_Comm_rank(MPI_COMM_WORLD, &rank);
	if (argc != 4) {
		if (rank == 0)
			fprintf(stderr, "usage: bare_pingpong BYTES ITERATIONS WARMUP\n");
		MPI_Finalize();
		return 2;
	}
	bytes = atoi(argv[1]);
	iters = atoi(argv[2]);
	warmup = atoi(argv[3]);
	/* Separate, page-aligned, touched buffers, as OSU allocates them. */
	if (posix_memalign((void **)&sbuf, (size_t)page, (size_t)bytes + 1) ||
	    posix_memalign((void **)&rbuf, (size_t)page, (size_t)bytes + 1))
		MPI_Abort(MPI_COMM_WORLD, 1);
	memset(sbuf, 'a', (size_t)bytes + 1);
	memset(rbuf, 'b', (size_t)bytes + 1);
	rtt = calloc((size_t)iters, sizeof(*rtt));
	MPI_Barrier(MPI_COMM_WORLD);
	for (int i = 0; i < warmup + iters; i++) {
		if (i == warmup)
			start = now_ns();
		if (rank == 0) {
			uint64_t t0 = now_ns();

			MPI_Send(sbuf, bytes, MPI_BYTE, 1, 1, MPI_COMM_WORLD);
			MPI_Recv(rbuf, bytes, MPI_BYTE, 1, 1, MPI_COMM_WORLD,
				 MPI_STATUS_IGNORE);
			if (i >= warmup)
				rtt[i - warmup] = now_ns() - t0;
		} else if (rank == 1) {
			MPI_Recv(rbuf, bytes, MPI_BYTE, 0, 1, MPI_COMM_WORLD,
				 MPI_STATUS_IGNORE);
			MPI_Send(sbuf, bytes, MPI_BYTE, 0, 1, MPI_COMM_WORLD);
		}
	}
	total = now_ns() - start;
	if (rank == 0) {
		qsort(rtt, (size_t)iters, sizeof(*rtt), cmp_u64);
		printf("bytes=%d median_ns=%.1f mean_ns=%.1f\n", bytes,
		       rtt[(iters + 1) / 2 - 1] / 2.0,
		       (double)total / (2.0 * iters));
	}
	free(sbuf);
	free(rbuf);
	free(rtt);
	MPI_Finalize();
	return 0;
}
