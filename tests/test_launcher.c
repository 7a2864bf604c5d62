/* Launcher detection from made-up environments. */
#include "config.h"

#include <string.h>

#include "hpcp/launcher.h"
#include "tap.h"

static const char *lookup(const char *name, void *arg)
{
	for (const char *const *kv = arg; *kv; kv += 2)
		if (strcmp(kv[0], name) == 0)
			return kv[1];
	return NULL;
}

static const char *id(const struct hpcp_launcher *l, const char *key)
{
	for (int i = 0; i < l->n_ids; i++)
		if (strcmp(l->ids[i].key, key) == 0)
			return l->ids[i].value;
	return NULL;
}

int main(void)
{
	struct hpcp_launcher l;
	const char *none[] = { NULL };
	const char *mpirun[] = { "OMPI_COMM_WORLD_SIZE", "4",
				 "OMPI_COMM_WORLD_RANK", "0", NULL };
	const char *slurm[] = { "SLURM_JOB_ID", "1234", "SLURM_STEP_ID", "0",
				"SLURM_JOB_NUM_NODES", "3",
				"SLURM_JOB_NODELIST", "node[1-3]",
				"PMIX_RANK", "0", NULL };
	const char *batch[] = { "AWS_BATCH_JOB_ID", "abc-123#0",
				"AWS_BATCH_JOB_NODE_INDEX", "0",
				"AWS_BATCH_JOB_MAIN_NODE_INDEX", "0",
				"AWS_BATCH_JOB_NUM_NODES", "2",
				"AWS_BATCH_JOB_ATTEMPT", "1",
				"OMPI_COMM_WORLD_SIZE", "2", NULL };
	const char *batch_single[] = { "AWS_BATCH_JOB_ID", "abc", NULL };

	hpcp_launcher_detect(&l, lookup, none);
	tap_is_str(hpcp_launcher_name(l.kind), "unknown",
		   "no launcher variables: unknown");
	tap_is_int(l.n_ids, 0, "unknown launcher has no job ids");

	hpcp_launcher_detect(&l, lookup, mpirun);
	tap_is_str(hpcp_launcher_name(l.kind), "mpirun",
		   "OMPI_COMM_WORLD_SIZE: mpirun");
	tap_is_str(id(&l, "num_tasks"), "4", "mpirun: task count recorded");

	hpcp_launcher_detect(&l, lookup, slurm);
	tap_is_str(hpcp_launcher_name(l.kind), "slurm", "SLURM_JOB_ID: slurm");
	tap_is_str(id(&l, "job_id"), "1234", "slurm: job id");
	tap_is_str(id(&l, "step_id"), "0", "slurm: step id");
	tap_is_str(id(&l, "num_nodes"), "3", "slurm: node count");
	tap_is_str(id(&l, "nodelist"), "node[1-3]", "slurm: node list");

	hpcp_launcher_detect(&l, lookup, batch);
	tap_is_str(hpcp_launcher_name(l.kind), "aws-batch",
		   "AWS Batch multi-node wins over the mpirun inside it");
	tap_is_str(id(&l, "job_id"), "abc-123#0", "aws-batch: job id");
	tap_is_str(id(&l, "node_index"), "0", "aws-batch: node index");
	tap_is_str(id(&l, "main_node_index"), "0", "aws-batch: main node");
	tap_is_str(id(&l, "num_nodes"), "2", "aws-batch: node count");
	tap_is_str(id(&l, "attempt"), "1", "aws-batch: attempt");

	hpcp_launcher_detect(&l, lookup, batch_single);
	tap_ok(l.kind != HPCP_LAUNCHER_AWS_BATCH,
	       "a single-node Batch job (no node index) is not multi-node");
	return tap_done();
}
