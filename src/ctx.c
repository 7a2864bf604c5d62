#include "config.h"

#include "hpcp/ctx.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "hpcp/cpuset.h"
#include "hpcp/log.h"
#include "hpcp/timer.h"

static const char *real_getenv(const char *name, void *arg)
{
	(void)arg;
	return getenv(name);
}

void hpcp_mpi_or_die(int err, const char *what)
{
	char msg[MPI_MAX_ERROR_STRING];
	int len = 0;

	if (err == MPI_SUCCESS)
		return;
	MPI_Error_string(err, msg, &len);
	hpcp_die(70, "%s failed: %s; the ranks cannot stay in step", what,
		 msg);
}

uint64_t hpcp_peak_rss_self(void)
{
	struct rusage ru;

	/* Linux gives ru_maxrss in KiB. */
	if (getrusage(RUSAGE_SELF, &ru) == 0 && ru.ru_maxrss > 0)
		return (uint64_t)ru.ru_maxrss * 1024u;
	return 0;
}

void hpcp_ctx_peak_rss(struct hpcp_ctx *ctx, struct hpcp_peak_rss *out)
{
	uint64_t mine = hpcp_peak_rss_self();

	memset(out, 0, sizeof(*out));
	if (ctx->rank == 0) {
		out->per_rank = calloc((size_t)ctx->size,
				       sizeof(*out->per_rank));
		/* The others are already on their way into the gather. */
		if (!out->per_rank)
			hpcp_die(71, "out of memory gathering peak RSS");
	}
	hpcp_mpi_or_die(MPI_Gather(&mine, 1, MPI_UINT64_T, out->per_rank, 1,
				   MPI_UINT64_T, 0, ctx->comm),
			"MPI_Gather(peak RSS)");
	out->rank0_bytes = mine;
	for (int r = 0; ctx->rank == 0 && r < ctx->size; r++)
		if (out->per_rank[r] > out->max_bytes) {
			out->max_bytes = out->per_rank[r];
			out->max_rank = r;
		}
}

int hpcp_ctx_agree(struct hpcp_ctx *ctx, int rc)
{
	int agreed = rc;

	if (MPI_Allreduce(&rc, &agreed, 1, MPI_INT, MPI_MIN, ctx->comm) !=
	    MPI_SUCCESS)
		hpcp_die(70, "cannot agree on a status with the other ranks");
	return agreed;
}

static int mpi_failed(int err, const char *what)
{
	char msg[MPI_MAX_ERROR_STRING];
	int len = 0;

	if (err == MPI_SUCCESS)
		return 0;
	MPI_Error_string(err, msg, &len);
	hpcp_log(HPCP_LOG_ERR, "%s: %s", what, msg);
	return -EIO;
}

/*
 * The shared-memory split, or one node per rank in the test-only mode.
 * Rank 0's environment decides, so all ranks split the same way.
 */
static void split_nodes(struct hpcp_ctx *ctx)
{
	const char *v = getenv(HPCP_ENV_TEST_RANK_IS_NODE);

	ctx->rank_is_node = v && strcmp(v, "1") == 0;
	hpcp_mpi_or_die(MPI_Bcast(&ctx->rank_is_node, 1, MPI_INT, 0,
				  ctx->comm),
			"MPI_Bcast(node grouping)");
	if (ctx->rank_is_node)
		hpcp_mpi_or_die(MPI_Comm_split(ctx->comm, ctx->rank, 0,
					       &ctx->node_comm),
				"MPI_Comm_split(one node per rank)");
	else
		hpcp_mpi_or_die(MPI_Comm_split_type(ctx->comm,
						    MPI_COMM_TYPE_SHARED, 0,
						    MPI_INFO_NULL,
						    &ctx->node_comm),
				"MPI_Comm_split_type");
	MPI_Comm_rank(ctx->node_comm, &ctx->node_rank);
	MPI_Comm_size(ctx->node_comm, &ctx->node_size);
	hpcp_mpi_or_die(MPI_Comm_split(ctx->comm,
				       ctx->node_rank == 0 ? 0 : MPI_UNDEFINED,
				       ctx->rank, &ctx->leader_comm),
			"MPI_Comm_split");
	if (ctx->leader_comm != MPI_COMM_NULL) {
		MPI_Comm_rank(ctx->leader_comm, &ctx->node);
		MPI_Comm_size(ctx->leader_comm, &ctx->n_nodes);
	}
	hpcp_mpi_or_die(MPI_Bcast(&ctx->node, 1, MPI_INT, 0, ctx->node_comm),
			"MPI_Bcast(node index)");
	hpcp_mpi_or_die(MPI_Bcast(&ctx->n_nodes, 1, MPI_INT, 0,
				  ctx->node_comm),
			"MPI_Bcast(node count)");
}

/*
 * Host names, host grouping and the node index of every rank.  Only the
 * leaders exchange anything between nodes: one record per node, then each
 * node's member list; each leader hands the result to its own ranks over
 * shared memory.  So a host name crosses the network once per leader, not
 * once per rank pair (at 64 000 ranks a per-rank allgather of names moves
 * terabytes).
 */
static int map_hosts(struct hpcp_ctx *ctx)
{
	int *members = NULL, *all = NULL, *counts = NULL, *displs = NULL;
	int *node_of = NULL;
	int leader, len = 0;
	int rc;

	split_nodes(ctx);
	leader = ctx->leader_comm != MPI_COMM_NULL;
	memset(ctx->host, 0, sizeof(ctx->host));
	MPI_Get_processor_name(ctx->host, &len);
	if (ctx->rank_is_node) {
		char suffix[16];
		size_t n = (size_t)snprintf(suffix, sizeof(suffix), "#r%d",
					    ctx->rank);
		size_t keep = strnlen(ctx->host, HPCP_HOST_LEN - 1);

		/* Distinct names, and still the real host's to read. */
		if (keep > HPCP_HOST_LEN - 1 - n)
			keep = HPCP_HOST_LEN - 1 - n;
		memcpy(ctx->host + keep, suffix, n + 1);
	}
	ctx->ranks = calloc((size_t)ctx->size, sizeof(*ctx->ranks));
	ctx->hosts = calloc((size_t)ctx->n_nodes, sizeof(*ctx->hosts));
	if (ctx->node_rank == 0)
		members = calloc((size_t)ctx->node_size, sizeof(*members));
	if (leader) {
		all = calloc((size_t)ctx->size, sizeof(*all));
		counts = calloc((size_t)ctx->n_nodes, sizeof(*counts));
		displs = calloc((size_t)ctx->n_nodes, sizeof(*displs));
		node_of = all;
	} else {
		node_of = calloc((size_t)ctx->size, sizeof(*node_of));
	}
	rc = (!ctx->ranks || !ctx->hosts || (ctx->node_rank == 0 && !members) ||
	      !node_of || (leader && (!counts || !displs))) ? -ENOMEM : 0;
	rc = hpcp_ctx_agree(ctx, rc);
	if (rc)
		goto out;

	/* The world ranks of this node, in world order, at the leader. */
	hpcp_mpi_or_die(MPI_Gather(&ctx->rank, 1, MPI_INT, members, 1, MPI_INT,
				   0, ctx->node_comm),
			"MPI_Gather(node members)");
	if (leader) {
		struct hpcp_host_info me;

		memset(&me, 0, sizeof(me));
		memcpy(me.name, ctx->host, HPCP_HOST_LEN);
		me.name[HPCP_HOST_LEN - 1] = '\0';
		me.n_ranks = ctx->node_size;
		me.leader = ctx->rank;
		hpcp_mpi_or_die(MPI_Allgather(&me, (int)sizeof(me), MPI_BYTE,
					      ctx->hosts, (int)sizeof(me),
					      MPI_BYTE, ctx->leader_comm),
				"MPI_Allgather(host records)");
		for (int h = 0, at = 0; h < ctx->n_nodes; h++) {
			counts[h] = ctx->hosts[h].n_ranks;
			displs[h] = at;
			at += counts[h];
		}
		hpcp_mpi_or_die(MPI_Allgatherv(members, ctx->node_size, MPI_INT,
					       all, counts, displs, MPI_INT,
					       ctx->leader_comm),
				"MPI_Allgatherv(node members)");
		for (int h = 0; h < ctx->n_nodes; h++)
			for (int k = 0; k < counts[h]; k++)
				ctx->ranks[all[displs[h] + k]].node = h;
	}
	hpcp_mpi_or_die(MPI_Bcast(ctx->hosts,
				  ctx->n_nodes * (int)sizeof(*ctx->hosts),
				  MPI_BYTE, 0, ctx->node_comm),
			"MPI_Bcast(host records)");
	for (int r = 0; r < ctx->size; r++)
		ctx->ranks[r].rank = r;
	/* The node indices travel as ints, apart from the rank field. */
	if (leader)
		for (int r = 0; r < ctx->size; r++)
			all[r] = ctx->ranks[r].node;
	if (ctx->node_size > 1) {
		hpcp_mpi_or_die(MPI_Bcast(node_of, ctx->size, MPI_INT, 0,
					  ctx->node_comm),
				"MPI_Bcast(node map)");
		for (int r = 0; r < ctx->size; r++)
			ctx->ranks[r].node = node_of[r];
	}
out:
	if (!leader)
		free(node_of);
	free(members);
	free(all);
	free(counts);
	free(displs);
	return rc;
}

/* Only rank 0 reports bindings, so only rank 0 holds them all. */
static int gather_bindings(struct hpcp_ctx *ctx)
{
	struct hpcp_cpuset self;
	char mine[HPCP_TOPO_CPUSET_LEN];
	int rc;

	if (hpcp_cpuset_self(&self) == 0)
		hpcp_cpuset_format(&self, mine, sizeof(mine));
	else
		snprintf(mine, sizeof(mine), "unknown");
	if (ctx->rank == 0)
		ctx->cpusets = malloc((size_t)ctx->size * sizeof(mine));
	rc = hpcp_ctx_agree(ctx, ctx->rank == 0 && !ctx->cpusets ? -ENOMEM :
								     0);
	if (rc)
		return rc;
	rc = mpi_failed(MPI_Gather(mine, sizeof(mine), MPI_CHAR, ctx->cpusets,
				   sizeof(mine), MPI_CHAR, 0, ctx->comm),
			"MPI_Gather(bindings)");
	for (int r = 0; !rc && ctx->rank == 0 && r < ctx->size; r++) {
		char *s = ctx->cpusets + (size_t)r * sizeof(mine);

		s[sizeof(mine) - 1] = '\0';
		ctx->ranks[r].cpuset = s;
	}
	return rc;
}

/* Each host's leader reads its topology; rank 0 gathers them. */
static int gather_topology(struct hpcp_ctx *ctx)
{
	struct hpcp_host_topo *mine = NULL;
	int rc = 0;

	if (ctx->leader_comm == MPI_COMM_NULL)
		return 0;
	mine = calloc(1, sizeof(*mine));
	if (ctx->rank == 0)
		ctx->host_topo = calloc((size_t)ctx->n_nodes,
					sizeof(*ctx->host_topo));
	if (!mine || (ctx->rank == 0 && !ctx->host_topo)) {
		/* Leaders must still join the gather: send an invalid entry. */
		hpcp_die(71, "out of memory reading the topology");
	}
	if (hpcp_topo_probe_host(mine) != 0)
		hpcp_log(HPCP_LOG_WARN, "topology: %s", mine->error);
	rc = mpi_failed(MPI_Gather(mine, (int)sizeof(*mine), MPI_BYTE,
				   ctx->host_topo, (int)sizeof(*mine),
				   MPI_BYTE, 0, ctx->leader_comm),
			"MPI_Gather(topology)");
	free(mine);
	return rc;
}

int hpcp_ctx_init(struct hpcp_ctx *ctx, MPI_Comm world,
		  const struct hpcp_config *cfg)
{
	int len = 0;
	int rc;

	memset(ctx, 0, sizeof(*ctx));
	ctx->node_comm = MPI_COMM_NULL;
	ctx->leader_comm = MPI_COMM_NULL;
	ctx->cfg = *cfg;
	if (MPI_Comm_dup(world, &ctx->comm) != MPI_SUCCESS)
		return -EIO;
	/* Errors come back as codes, so a failure is diagnosed, not fatal. */
	MPI_Comm_set_errhandler(ctx->comm, MPI_ERRORS_RETURN);
	MPI_Comm_rank(ctx->comm, &ctx->rank);
	MPI_Comm_size(ctx->comm, &ctx->size);
	MPI_Get_library_version(ctx->mpi_library, &len);
	/* Open MPI's string ends in a newline and can be long; keep line 1. */
	ctx->mpi_library[strcspn(ctx->mpi_library, "\n")] = '\0';
	MPI_Get_version(&ctx->mpi_version, &ctx->mpi_subversion);
	MPI_Query_thread(&ctx->mpi_thread_level);
	ctx->timer_resolution_ns = hpcp_timer_resolution_ns();
	ctx->timer_overhead_ns = hpcp_timer_overhead_ns();
	if (ctx->rank == 0)
		hpcp_launcher_detect(&ctx->launcher, real_getenv, NULL);

	rc = hpcp_ctx_agree(ctx, map_hosts(ctx));
	if (rc)
		return rc;
	hpcp_log_identity(ctx->rank, ctx->host);
	rc = hpcp_ctx_agree(ctx, gather_bindings(ctx));
	if (rc)
		return rc;
	return hpcp_ctx_agree(ctx, gather_topology(ctx));
}

void hpcp_ctx_fini(struct hpcp_ctx *ctx)
{
	free(ctx->ranks);
	free(ctx->hosts);
	free(ctx->host_topo);
	free(ctx->cpusets);
	if (ctx->leader_comm != MPI_COMM_NULL)
		MPI_Comm_free(&ctx->leader_comm);
	if (ctx->node_comm != MPI_COMM_NULL)
		MPI_Comm_free(&ctx->node_comm);
	if (ctx->comm != MPI_COMM_NULL && ctx->comm != 0)
		MPI_Comm_free(&ctx->comm);
	memset(ctx, 0, sizeof(*ctx));
}
