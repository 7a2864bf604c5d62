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

/*
 * Never recorded, whatever the prefix: a name holding one of these words,
 * in any case and anywhere (API_KEY, apikey, MyPassphrase), may name a
 * credential.  A refused tuning variable costs a line of context; a
 * recorded secret is copied wherever the document goes.  PASS covers
 * PASSWORD, PASSWD and PASSPHRASE.  KEY also refuses names like KEYVAL:
 * no tuning variable we know is spelled so, and a whole-word rule would
 * let APIKEY and KEYS through.
 */
static const char *const secret_words[] = {
	"KEY", "SECRET", "TOKEN", "PASS", "PWD", "CERT", "COOKIE",
	"CREDENTIAL", "AUTH", "PRIVATE", "SESSION", "SIGNATURE",
	/* Job keys that admit a process to the job's fabric endpoints:
	 * Open MPI's transport key (ORTE, OPAL and PMIx spellings) and the
	 * PSM2, PSM3 and OPX job UUID libfabric reads. */
	"PRECONDITION_TRANSPORTS", "UUID",
	NULL,
};

/*
 * Tuning variables that hold a word above but no secret, and change
 * numbers.  Exact names, case included, so no other name rides on them.
 */
static const char *const harmless_names[] = {
	"FI_OFI_RXM_ENABLE_PASSTHRU",     /* rxm steps aside for the core */
	"OMPI_MCA_btl_openib_pkey",       /* InfiniBand partition: public */
	"OMPI_MCA_mtl_psm_ib_pkey",       /* in sysfs, picks the fabric */
	"UCX_IB_PKEY",
	"OMPI_MCA_opal_net_private_ipv4", /* decides TCP reachability */
	NULL,
};

const char *const *hpcp_env_prefixes(void)
{
	return allowed_prefixes;
}

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
	for (int i = 0; harmless_names[i]; i++)
		if (strcmp(name, harmless_names[i]) == 0)
			return 1;
	for (int i = 0; secret_words[i]; i++)
		if (contains_word(name, secret_words[i]))
			return 0;
	return 1;
}
