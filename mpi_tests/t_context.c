/*
 * The run context at 2 and 4 ranks: host grouping, names, bindings, the
 * gathered topology, and status agreement.  Each check is decided on every
 * rank and combined, so a wrong view on any rank fails the test.
 */
#include "config.h"

#include <errno.h>
#include <mpi.h>
#include <string.h>

#include "hpcp/cpuset.h"
#include "hpcp/ctx.h"
#include "tap.h"

static struct hpcp_ctx ctx;

static int all(int cond)
{
	int out = 0;

	MPI_Allreduce(&cond, &out, 1, MPI_INT, MPI_LAND, MPI_COMM_WORLD);
	return out;
}

static void check(int cond, const char *name)
{
	int verdict = all(cond);

	if (ctx.rank == 0)
		tap_ok(verdict, "%s", name);
}

int main(int argc, char **argv)
{
	struct hpcp_config cfg;
	char err[256], me[MPI_MAX_PROCESSOR_NAME];
	char *args[] = { "hpcprobe", NULL };
	int world_size, len = 0, sum = 0, names_ok = 1, sets_ok = 1;
	int rc;

	MPI_Init(&argc, &argv);
	MPI_Comm_size(MPI_COMM_WORLD, &world_size);
	hpcp_opt_parse(1, args, &cfg, err, sizeof(err));
	rc = hpcp_ctx_init(&ctx, MPI_COMM_WORLD, &cfg);
	check(rc == 0, "context set up on every rank");
	check(ctx.size == world_size, "size is the world size");
	check(ctx.comm != MPI_COMM_WORLD, "context uses a duplicate of world");
	{
		MPI_Errhandler eh;

		MPI_Comm_get_errhandler(ctx.comm, &eh);
		check(eh == MPI_ERRORS_RETURN,
		      "MPI errors return codes on the context's communicator");
		MPI_Errhandler_free(&eh);
	}
	check(ctx.n_nodes >= 1 && ctx.node >= 0 && ctx.node < ctx.n_nodes,
	      "node index within the node count");
	for (int h = 0; h < ctx.n_nodes; h++)
		sum += ctx.hosts[h].n_ranks;
	check(sum == ctx.size, "hosts' rank counts add up to the size");
	check(ctx.hosts[ctx.node].leader <= ctx.rank &&
	      ctx.ranks[ctx.hosts[ctx.node].leader].node == ctx.node,
	      "host leader is the lowest rank on the host");
	check(ctx.node_size == ctx.hosts[ctx.node].n_ranks,
	      "shared-memory group matches the host's rank count");
	MPI_Get_processor_name(me, &len);
	check(strcmp(ctx.hosts[ctx.node].name, me) == 0,
	      "own host name is recorded for own node");
	check(strcmp(ctx.host, me) == 0, "ctx.host is the processor name");
	for (int r = 0; r < ctx.size; r++) {
		struct hpcp_cpuset s;

		names_ok &= ctx.ranks[r].rank == r &&
			    ctx.ranks[r].node >= 0 &&
			    ctx.ranks[r].node < ctx.n_nodes;
		sets_ok &= hpcp_cpuset_parse(ctx.ranks[r].cpuset, &s) == 0 &&
			   hpcp_cpuset_count(&s) >= 1;
	}
	check(names_ok, "every rank is listed with a valid node");
	check(sets_ok, "every rank's cpuset is a non-empty CPU list");
	{
		struct hpcp_cpuset mine, listed;

		hpcp_cpuset_self(&mine);
		hpcp_cpuset_parse(ctx.ranks[ctx.rank].cpuset, &listed);
		check(memcmp(&mine, &listed, sizeof(mine)) == 0,
		      "own cpuset as gathered equals sched_getaffinity");
	}
	{
		int ok = ctx.host_topo == NULL;

		if (ctx.rank == 0) {
			ok = 1;
			for (int h = 0; h < ctx.n_nodes; h++)
				ok &= ctx.host_topo[h].valid &&
				      ctx.host_topo[h].pus >= 1;
		}
		check(ok, "rank 0 alone holds a valid topology of every host");
	}
	check(hpcp_ctx_agree(&ctx, ctx.rank == world_size - 1 ? -EIO : 0) ==
		      -EIO,
	      "one rank's error is every rank's agreed status");
	check(hpcp_ctx_agree(&ctx, 0) == 0, "all ok agrees on ok");
	hpcp_ctx_fini(&ctx);
	MPI_Barrier(MPI_COMM_WORLD);
	MPI_Comm_rank(MPI_COMM_WORLD, &rc);
	if (rc == 0)
		rc = tap_done();
	else
		rc = 0;
	MPI_Finalize();
	return rc;
}
