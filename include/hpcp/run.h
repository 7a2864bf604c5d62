/* The whole program as a library call, so tests can run it in-process. */
#ifndef HPCP_RUN_H
#define HPCP_RUN_H

#include <mpi.h>
#include <stdio.h>

enum hpcp_exit {
	HPCP_EXIT_OK = 0,      /* every selected phase ran or is unavailable */
	HPCP_EXIT_FAILED = 1,  /* a phase failed or the results were not saved */
	HPCP_EXIT_USAGE = 2,   /* bad input: nothing ran, nothing written */
};

/*
 * Parse argv, run the selected phases over world and have rank 0 write the
 * document and print the summary on out.  Collective; MPI must be
 * initialised.  Returns the process exit status, the same on every rank.
 */
int hpcp_run(int argc, char **argv, MPI_Comm world, FILE *out);

#endif
