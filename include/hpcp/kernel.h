/*
 * Compute kernels of the compute phase.  A kernel runs in bulk-synchronous
 * rounds: compute (useful work, timed), then communicate (MPI, timed,
 * ending in a global collective), so useful and MPI time split cleanly and
 * the POP ideal-network model (pop.h) applies.  The compute phase does
 * the timing, counters and reporting; a kernel only does its work.
 */
#ifndef HPCP_KERNEL_H
#define HPCP_KERNEL_H

#include <mpi.h>
#include <stddef.h>
#include <stdint.h>

struct hpcp_res;

struct hpcp_kernel_args {
	MPI_Comm comm;
	int rank, size;
	double factor;          /* this rank's share of work, 1 = base */
	int quick;
	uint64_t llc_bytes;     /* last-level cache of this rank's host */
	uint64_t memory_bytes;  /* memory of this rank's host, 0 unknown */
	int ranks_on_host;
};

struct hpcp_kernel {
	const char *name;
	const char *work_unit;  /* what work_per_round counts: "flops" ... */
	const char *unavailable;  /* built without what it needs, or NULL */
	/* Why the load balance implied by the work done (avg/max of work)
	 * does not predict this kernel's, or NULL when it does: ranks that
	 * share no resource while computing. */
	const char *no_expected_lb;
	/* Collective.  0, -ENOTSUP (cannot run here) or -errno, with why. */
	int (*setup)(const struct hpcp_kernel_args *a, void **state,
		     char *why, size_t len);
	int (*rounds)(const void *state);
	/* This rank's work in one round, in work_unit. */
	double (*work_per_round)(const void *state);
	/* The useful work of one round: no MPI, no allocation. */
	void (*compute)(void *state);
	/* The speed reference timed before each round's compute: a fixed
	 * amount of this kernel's own work, the same on every rank whatever
	 * its factor, so unequal core speeds show as this kernel feels them
	 * (a generic loop is slowed by other things: 32 % apart on two vCPUs
	 * that ran dgemm 7 % apart).  NULL: the phase's fixed in-L1 loop,
	 * right for a kernel that streams memory, whose own work timed at
	 * one moment would time the memory's other users. */
	void (*reference)(void *state);
	const char *reference_definition;   /* what reference does */
	/* The MPI part of one round; ends in a global collective. */
	int (*communicate)(void *state, MPI_Comm comm);
	/* Collective, after the timed rounds: 1 when the result is right. */
	int (*verify)(void *state, MPI_Comm comm, int *correct, char *why,
		      size_t len);
	/* Rank 0: the kernel's parameters into its result object. */
	void (*describe)(const void *state, struct hpcp_res *out);
	void (*teardown)(void *state);
};

extern const struct hpcp_kernel hpcp_kernel_dgemm;
extern const struct hpcp_kernel hpcp_kernel_triad;
extern const struct hpcp_kernel hpcp_kernel_stencil;

#endif
