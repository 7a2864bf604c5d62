/*
 * The run context at 2 and 4 ranks: host grouping, names, bindings, the
 * gathered topology, status agreement, and the test-only grouping with
 * one node per rank.  Each check is decided on every
 * rank and combined, so a wrong view on any rank fails the test.
 */
#include "config.h"

#include <errno.h>
#include <mpi.h>
#include <stdlib.h>
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

/* Rank 0's node map and host records, compared on every rank. */
static int same_map(const struct hpcp_ctx *c)
{
	int *map = calloc((size_t)c->size, sizeof(*map));
	struct hpcp_host_info *hosts = calloc((size_t)c->n_nodes,
					      sizeof(*hosts));
	int ok = map && hosts;

	for (int r = 0; ok && r < c->size; r++)
		map[r] = c->ranks[r].node;
	if (ok)
		memcpy(hosts, c->hosts, (size_t)c->n_nodes * sizeof(*hosts));
	MPI_Bcast(&ok, 1, MPI_INT, 0, MPI_COMM_WORLD);
	if (ok) {
		MPI_Bcast(map, c->size, MPI_INT, 0, MPI_COMM_WORLD);
		MPI_Bcast(hosts, c->n_nodes * (int)sizeof(*hosts), MPI_BYTE, 0,
			  MPI_COMM_WORLD);
		for (int r = 0; r < c->size; r++)
			ok &= map[r] == c->ranks[r].node;
		for (int h = 0; h < c->n_nodes; h++)
			ok &= strcmp(hosts[h].name, c->hosts[h].name) == 0 &&
			      hosts[h].leader == c->hosts[h].leader &&
			      hosts[h].n_ranks == c->hosts[h].n_ranks;
	}
	free(map);
	free(hosts);
	return ok;
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
		if (ctx.rank == 0)
			sets_ok &= ctx.ranks[r].cpuset &&
				   hpcp_cpuset_parse(ctx.ranks[r].cpuset,
						     &s) == 0 &&
				   hpcp_cpuset_count(&s) >= 1;
		else
			sets_ok &= ctx.ranks[r].cpuset == NULL;
	}
	check(names_ok, "every rank is listed with a valid node");
	check(sets_ok, "rank 0 alone holds every rank's cpuset, each a "
		       "non-empty CPU list");
	{
		struct hpcp_cpuset mine, listed;
		struct hpcp_cpuset *theirs = NULL;
		int ok = 1;

		hpcp_cpuset_self(&mine);
		if (ctx.rank == 0)
			theirs = calloc((size_t)world_size, sizeof(*theirs));
		MPI_Gather(&mine, sizeof(mine), MPI_BYTE, theirs,
			   sizeof(mine), MPI_BYTE, 0, MPI_COMM_WORLD);
		for (int r = 0; ctx.rank == 0 && r < world_size; r++) {
			ok &= theirs && hpcp_cpuset_parse(ctx.ranks[r].cpuset,
							  &listed) == 0 &&
			      memcmp(&theirs[r], &listed, sizeof(listed)) == 0;
		}
		free(theirs);
		check(ok, "each rank's cpuset as gathered equals its "
			  "sched_getaffinity");
	}
	check(same_map(&ctx), "every rank sees rank 0's node map and host "
			      "records");
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
	check(!ctx.rank_is_node, "without the test variable ranks are "
				 "grouped by shared memory");
	hpcp_ctx_fini(&ctx);

	/* Test-only grouping, set on rank 0 alone: rank 0 decides for all. */
	if (world_size > 1 && getenv(HPCP_ENV_TEST_RANK_IS_NODE) == NULL) {
		char want[HPCP_HOST_LEN + 16];
		int ok = 1;

		MPI_Comm_rank(MPI_COMM_WORLD, &rc);
		if (rc == 0)
			setenv(HPCP_ENV_TEST_RANK_IS_NODE, "1", 1);
		rc = hpcp_ctx_init(&ctx, MPI_COMM_WORLD, &cfg);
		check(rc == 0 && ctx.rank_is_node, "rank-is-node: set up, on "
						   "every rank");
		/* rc is agreed by every rank, so all take the same branch. */
		if (rc == 0) {
			check(ctx.n_nodes == world_size &&
			      ctx.node == ctx.rank && ctx.node_size == 1 &&
			      ctx.node_rank == 0 &&
			      ctx.leader_comm != MPI_COMM_NULL,
			      "rank-is-node: one node per rank, each its own "
			      "leader");
			for (int r = 0; r < ctx.size; r++)
				ok &= ctx.ranks[r].node == r &&
				      ctx.hosts[r].leader == r &&
				      ctx.hosts[r].n_ranks == 1;
			check(ok, "rank-is-node: rank r is node r, its leader, "
				  "alone");
			snprintf(want, sizeof(want), "%s#r%d", me, ctx.rank);
			check(strcmp(ctx.host, want) == 0 &&
			      strcmp(ctx.hosts[ctx.node].name, want) == 0,
			      "rank-is-node: host name is the processor name "
			      "+ #r<rank>");
			ok = 1;
			for (int a = 0; a < ctx.n_nodes; a++)
				for (int b = 0; b < a; b++)
					ok &= strcmp(ctx.hosts[a].name,
						     ctx.hosts[b].name) != 0;
			check(ok, "rank-is-node: host names are distinct");
			check(same_map(&ctx), "rank-is-node: every rank sees "
					      "the same map");
		}
		hpcp_ctx_fini(&ctx);
		unsetenv(HPCP_ENV_TEST_RANK_IS_NODE);
	}
	MPI_Barrier(MPI_COMM_WORLD);
	MPI_Comm_rank(MPI_COMM_WORLD, &rc);
	if (rc == 0)
		rc = tap_done();
	else
		rc = 0;
	MPI_Finalize();
	return rc;
}
