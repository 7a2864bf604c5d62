#include "config.h"

#include <mpi.h>
#include <stdio.h>

#include "hpcp/run.h"

int main(int argc, char **argv)
{
	int provided;
	int status;

	MPI_Init_thread(&argc, &argv, MPI_THREAD_FUNNELED, &provided);
	status = hpcp_run(argc, argv, MPI_COMM_WORLD, stdout);
	MPI_Finalize();
	return status;
}
