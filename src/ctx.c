#include "config.h"

#include "hpcp/ctx.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

/* Host names, host grouping and the node index of every rank. */
static int map_hosts(struct hpcp_ctx *ctx)
{
	char (*names)[HPCP_HOST_LEN];
	int *node_of = NULL;
	int len = 0;
	int rc;

	hpcp_mpi_or_die(MPI_Comm_split_type(ctx->comm, MPI_COMM_TYPE_SHARED,
					    0, MPI_INFO_NULL, &ctx->node_comm),
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
	MPI_Bcast(&ctx->node, 1, MPI_INT, 0, ctx->node_comm);
	MPI_Bcast(&ctx->n_nodes, 1, MPI_INT, 0, ctx->node_comm);

	memset(ctx->host, 0, sizeof(ctx->host));
	MPI_Get_processor_name(ctx->host, &len);
	names = calloc((size_t)ctx->size, sizeof(*names));
	node_of = calloc((size_t)ctx->size, sizeof(*node_of));
	ctx->ranks = calloc((size_t)ctx->size, sizeof(*ctx->ranks));
	ctx->hosts = calloc((size_t)ctx->n_nodes, sizeof(*ctx->hosts));
	rc = (!names || !node_of || !ctx->ranks || !ctx->hosts) ? -ENOMEM : 0;
	rc = hpcp_ctx_agree(ctx, rc);
	if (rc)
		goto out;
	rc = mpi_failed(MPI_Allgather(ctx->host, HPCP_HOST_LEN, MPI_CHAR,
				      names, HPCP_HOST_LEN, MPI_CHAR,
				      ctx->comm),
			"MPI_Allgather(host names)");
	if (!rc)
		rc = mpi_failed(MPI_Allgather(&ctx->node, 1, MPI_INT, node_of,
					      1, MPI_INT, ctx->comm),
				"MPI_Allgather(node index)");
	if (rc)
		goto out;
	for (int r = ctx->size - 1; r >= 0; r--) {
		struct hpcp_host_info *h = &ctx->hosts[node_of[r]];

		ctx->ranks[r].rank = r;
		ctx->ranks[r].node = node_of[r];
		h->n_ranks++;
		h->leader = r;   /* ends at the lowest rank */
		memcpy(h->name, names[r], HPCP_HOST_LEN);
		h->name[HPCP_HOST_LEN - 1] = '\0';
	}
out:
	free(names);
	free(node_of);
	return rc;
}

static int gather_bindings(struct hpcp_ctx *ctx)
{
	struct hpcp_cpuset self;
	char mine[HPCP_TOPO_CPUSET_LEN];
	char *all;
	int rc;

	if (hpcp_cpuset_self(&self) == 0)
		hpcp_cpuset_format(&self, mine, sizeof(mine));
	else
		snprintf(mine, sizeof(mine), "unknown");
	all = malloc((size_t)ctx->size * sizeof(mine));
	rc = hpcp_ctx_agree(ctx, all ? 0 : -ENOMEM);
	if (rc) {
		free(all);
		return rc;
	}
	rc = mpi_failed(MPI_Allgather(mine, sizeof(mine), MPI_CHAR, all,
				      sizeof(mine), MPI_CHAR, ctx->comm),
			"MPI_Allgather(bindings)");
	for (int r = 0; !rc && r < ctx->size; r++)
		memcpy(ctx->ranks[r].cpuset, all + (size_t)r * sizeof(mine),
		       sizeof(mine));
	free(all);
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
	if (ctx->leader_comm != MPI_COMM_NULL)
		MPI_Comm_free(&ctx->leader_comm);
	if (ctx->node_comm != MPI_COMM_NULL)
		MPI_Comm_free(&ctx->node_comm);
	if (ctx->comm != MPI_COMM_NULL && ctx->comm != 0)
		MPI_Comm_free(&ctx->comm);
	memset(ctx, 0, sizeof(*ctx));
}
