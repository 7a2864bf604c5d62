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
 * What needs no MPI, called before MPI_Init: parse and check argv, and
 * answer --help, --version and --list (the launcher's rank from the
 * environment decides who prints).  Returns -1 to go on, else the exit
 * status.  Bad input never starts MPI: an Open MPI singleton that starts
 * and stops at once was seen to crash in its teardown on a busy host.
 */
int hpcp_run_args(int argc, char **argv, FILE *out);

/*
 * Parse argv, run the selected phases over world and have rank 0 write the
 * document and print the summary on out.  Collective; MPI must be
 * initialised.  Returns the process exit status, the same on every rank.
 */
int hpcp_run(int argc, char **argv, MPI_Comm world, FILE *out);

#endif
