#include "config.h"

#include <mpi.h>
#include <stdio.h>

#include "hpcp/report.h"
#include "hpcp/run.h"

int main(int argc, char **argv)
{
	int status;

	/* Before MPI_Init starts any thread: see hpcp/report.h. */
	hpcp_publish_init();
	/*
	 * MPI_THREAD_SINGLE on purpose: Open MPI 4.1 adds about 60 ns to an
	 * 8-byte shared-memory ping-pong at MPI_THREAD_FUNNELED (measured
	 * with bench/bare_pingpong), and no thread of ours calls MPI.
	 */
	status = hpcp_run_args(argc, argv, stdout);
	if (status >= 0)
		return status;
	MPI_Init(&argc, &argv);
	status = hpcp_run(argc, argv, MPI_COMM_WORLD, stdout);
	MPI_Finalize();
	return status;
}
