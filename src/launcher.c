#include "config.h"

#include "hpcp/launcher.h"

#include <stdio.h>
#include <string.h>

struct env_map {
	const char *var;
	const char *key;
};

static const struct env_map aws_ids[] = {
	{ "AWS_BATCH_JOB_ID", "job_id" },
	{ "AWS_BATCH_JOB_ATTEMPT", "attempt" },
	{ "AWS_BATCH_JOB_NODE_INDEX", "node_index" },
	{ "AWS_BATCH_JOB_MAIN_NODE_INDEX", "main_node_index" },
	{ "AWS_BATCH_JOB_NUM_NODES", "num_nodes" },
	{ "AWS_BATCH_JQ_NAME", "queue" },
	{ "AWS_BATCH_CE_NAME", "compute_environment" },
	{ NULL, NULL },
};

static const struct env_map slurm_ids[] = {
	{ "SLURM_JOB_ID", "job_id" },
	{ "SLURM_STEP_ID", "step_id" },
	{ "SLURM_JOB_NAME", "job_name" },
	{ "SLURM_JOB_NODELIST", "nodelist" },
	{ "SLURM_JOB_NUM_NODES", "num_nodes" },
	{ "SLURM_NTASKS", "num_tasks" },
	{ "SLURM_JOB_PARTITION", "partition" },
	{ "SLURM_CLUSTER_NAME", "cluster" },
	{ "SLURM_ARRAY_JOB_ID", "array_job_id" },
	{ "SLURM_ARRAY_TASK_ID", "array_task_id" },
	{ NULL, NULL },
};

static const struct env_map mpirun_ids[] = {
	{ "OMPI_MCA_orte_ess_jobid", "job_id" },
	{ "PMIX_NAMESPACE", "pmix_namespace" },
	{ "OMPI_COMM_WORLD_SIZE", "num_tasks" },
	{ "PMI_SIZE", "num_tasks" },
	{ NULL, NULL },
};

static int has(hpcp_getenv_fn get, void *arg, const char *var)
{
	const char *v = get(var, arg);

	return v && *v;
}

static void collect(struct hpcp_launcher *out, const struct env_map *map,
		    hpcp_getenv_fn get, void *arg)
{
	for (; map->var && out->n_ids < HPCP_LAUNCHER_MAX_IDS; map++) {
		const char *v = get(map->var, arg);
		int dup = 0;

		if (!v || !*v)
			continue;
		for (int i = 0; i < out->n_ids; i++)
			dup |= strcmp(out->ids[i].key, map->key) == 0;
		if (dup)
			continue;
		out->ids[out->n_ids].key = map->key;
		snprintf(out->ids[out->n_ids].value,
			 sizeof(out->ids[out->n_ids].value), "%s", v);
		out->n_ids++;
	}
}

void hpcp_launcher_detect(struct hpcp_launcher *out, hpcp_getenv_fn get,
			  void *arg)
{
	memset(out, 0, sizeof(*out));
	if (has(get, arg, "AWS_BATCH_JOB_ID") &&
	    has(get, arg, "AWS_BATCH_JOB_NODE_INDEX")) {
		out->kind = HPCP_LAUNCHER_AWS_BATCH;
		collect(out, aws_ids, get, arg);
	} else if (has(get, arg, "SLURM_JOB_ID")) {
		out->kind = HPCP_LAUNCHER_SLURM;
		collect(out, slurm_ids, get, arg);
	} else if (has(get, arg, "OMPI_COMM_WORLD_SIZE") ||
		   has(get, arg, "PMIX_RANK") || has(get, arg, "PMI_RANK") ||
		   has(get, arg, "HYDRA_CONTROL_FD")) {
		out->kind = HPCP_LAUNCHER_MPIRUN;
		collect(out, mpirun_ids, get, arg);
	} else {
		out->kind = HPCP_LAUNCHER_UNKNOWN;
	}
}

const char *hpcp_launcher_name(enum hpcp_launcher_kind kind)
{
	switch (kind) {
	case HPCP_LAUNCHER_MPIRUN:
		return "mpirun";
	case HPCP_LAUNCHER_SLURM:
		return "slurm";
	case HPCP_LAUNCHER_AWS_BATCH:
		return "aws-batch";
	default:
		return "unknown";
	}
}
