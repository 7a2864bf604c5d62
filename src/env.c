#include "config.h"

#include "hpcp/env.h"

#include <ctype.h>
#include <string.h>

static const char *const allowed_prefixes[] = {
	"FI_",           /* libfabric and its providers */
	"OMPI_MCA_",     /* Open MPI component choices and tuning */
	"PMIX_MCA_",
	"UCX_",
	"I_MPI_",
	"MPICH_",
	"SLURM_JOB_",
	"SLURM_STEP_",
	"SLURM_NTASKS",
	"SLURM_NNODES",
	"SLURM_CPUS_",
	"SLURM_CLUSTER_NAME",
	"SLURM_TASKS_PER_NODE",
	"AWS_BATCH_",
	"OPENBLAS_",
	"OMP_",
	"HPCPROBE_",
	NULL,
};

/* Never recorded, whatever the prefix: these name credentials. */
static const char *const secret_words[] = {
	"TOKEN", "SECRET", "PASSWORD", "PASSWD", "CREDENTIAL", "PRIVATE",
	"SESSION", "AUTH", NULL,
};

static int contains_word(const char *name, const char *word)
{
	size_t n = strlen(word);

	for (const char *p = name; *p; p++) {
		size_t i = 0;

		while (i < n && p[i] &&
		       toupper((unsigned char)p[i]) == (unsigned char)word[i])
			i++;
		if (i == n)
			return 1;
	}
	return 0;
}

int hpcp_env_allowed(const char *name)
{
	int listed = 0;

	if (!name || !*name)
		return 0;
	for (int i = 0; allowed_prefixes[i]; i++)
		if (strncmp(name, allowed_prefixes[i],
			    strlen(allowed_prefixes[i])) == 0)
			listed = 1;
	if (!listed)
		return 0;
	for (int i = 0; secret_words[i]; i++)
		if (contains_word(name, secret_words[i]))
			return 0;
	return 1;
}
