/*
 * The run context: communicators, who runs where, the parsed options and
 * the launcher.  Built once, collectively, before the first phase.
 */
#ifndef HPCP_CTX_H
#define HPCP_CTX_H

#include <mpi.h>
#include <stdint.h>

#include "hpcp/launcher.h"
#include "hpcp/opt.h"
#include "hpcp/topo.h"

#define HPCP_HOST_LEN 256

/*
 * Test only: with this variable set to 1 (as seen by rank 0), every rank is
 * declared its own node, so one machine can stand in for many nodes.  The
 * document says so (context.mpi.node_grouping and a warning).
 */
#define HPCP_ENV_TEST_RANK_IS_NODE "HPCPROBE_TEST_RANK_IS_NODE"

struct hpcp_rank_info {
	int rank;
	int node;                           /* index into hosts */
	/* Binding as a list, "0-1"; rank 0 only (NULL elsewhere): only rank
	 * 0 reports it, so no other rank holds every rank's string. */
	const char *cpuset;
};

struct hpcp_host_info {
	char name[HPCP_HOST_LEN];
	int n_ranks;
	int leader;          /* lowest world rank on the host */
};

struct hpcp_ctx {
	MPI_Comm comm;         /* dup of the world, MPI_ERRORS_RETURN */
	MPI_Comm node_comm;    /* ranks sharing memory with this one */
	MPI_Comm leader_comm;  /* one rank per node; MPI_COMM_NULL elsewhere */
	int rank, size;
	int node_rank, node_size;
	int node, n_nodes;     /* this rank's host index and the count */
	char host[HPCP_HOST_LEN];

	/* Same on every rank: O(nodes) names, O(ranks) small integers (the
	 * pair planning and the watchdog need any rank's node). */
	struct hpcp_rank_info *ranks;   /* [size] */
	struct hpcp_host_info *hosts;   /* [n_nodes], ordered by leader */
	int rank_is_node;              /* HPCP_ENV_TEST_RANK_IS_NODE was set */
	struct hpcp_config cfg;
	char mpi_library[256];
	int mpi_version, mpi_subversion;
	int mpi_thread_level;          /* MPI_Query_thread */
	unsigned long long timer_resolution_ns;
	unsigned long long timer_overhead_ns;   /* one clock read, this rank */

	/* Rank 0 only. */
	struct hpcp_launcher launcher;
	struct hpcp_host_topo *host_topo;  /* [n_nodes] */
	char *cpusets;                     /* [size][HPCP_TOPO_CPUSET_LEN] */
};

/* Peak resident set sizes (getrusage ru_maxrss), valid on rank 0. */
struct hpcp_peak_rss {
	uint64_t rank0_bytes;
	uint64_t max_bytes;
	int max_rank;
	uint64_t *per_rank;   /* [size] on rank 0 (NULL if out of memory) */
};

/*
 * Collective over world.  Duplicates it, groups ranks by host, gathers host
 * names among the host leaders only (then shares them within each host),
 * bindings to rank 0 and each host's topology (read by the host's leader).
 * Returns 0 or a negative errno code (every rank gets the same).
 */
int hpcp_ctx_init(struct hpcp_ctx *ctx, MPI_Comm world,
		  const struct hpcp_config *cfg);

/* Collective; frees what init made. */
void hpcp_ctx_fini(struct hpcp_ctx *ctx);

/*
 * For collective calls: a failed collective leaves the communicator
 * undefined and the ranks out of step, so there is no safe way on but the
 * one MPI_Abort (hpcp_die), naming the call.  Returns when err is success.
 */
void hpcp_mpi_or_die(int err, const char *what);

/* This process's peak resident set so far (getrusage ru_maxrss, the
 * kernel's VmHWM), bytes; 0 unknown. */
uint64_t hpcp_peak_rss_self(void);

/*
 * Collective: every rank's peak RSS so far, gathered to rank 0 (8 bytes a
 * rank, as the bindings).  free(out->per_rank) after use.
 */
void hpcp_ctx_peak_rss(struct hpcp_ctx *ctx, struct hpcp_peak_rss *out);

/* Every rank's status agreed: the lowest (worst) code of all ranks. */
int hpcp_ctx_agree(struct hpcp_ctx *ctx, int rc);

#endif
