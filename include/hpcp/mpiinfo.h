/*
 * Which Open MPI components carry the traffic, learnt from the shared
 * objects the process has mapped: Open MPI unloads the point-to-point
 * layers (pml, mtl) it did not select, so the one left is the one in use;
 * every byte transport (btl) that initialised stays mapped.
 */
#ifndef HPCP_MPIINFO_H
#define HPCP_MPIINFO_H

struct hpcp_mpi_components {
	int known;            /* 0: not Open MPI, or built in statically */
	char pml[32];
	char mtl[32];
	char btls[160];       /* "self,tcp,vader" */
	char reason[128];     /* why unknown */
};

/* Rank-local; reads /proc/self/maps. */
void hpcp_mpi_components(struct hpcp_mpi_components *out);

#endif
