/* The environment allow-list: what changes numbers, never a secret. */
#include "config.h"

#include "hpcp/env.h"
#include "tap.h"

int main(void)
{
	tap_ok(hpcp_env_allowed("FI_PROVIDER"), "FI_PROVIDER is recorded");
	tap_ok(hpcp_env_allowed("FI_EFA_USE_DEVICE_RDMA"), "FI_EFA_* recorded");
	tap_ok(hpcp_env_allowed("OMPI_MCA_pml"), "OMPI_MCA_pml recorded");
	tap_ok(hpcp_env_allowed("SLURM_JOB_ID"), "SLURM_JOB_ID recorded");
	tap_ok(hpcp_env_allowed("AWS_BATCH_JOB_NODE_INDEX"),
	       "AWS_BATCH_JOB_NODE_INDEX recorded");
	tap_ok(hpcp_env_allowed("OPENBLAS_NUM_THREADS"),
	       "OPENBLAS_NUM_THREADS recorded");
	tap_ok(!hpcp_env_allowed("AWS_SECRET_ACCESS_KEY"),
	       "AWS_SECRET_ACCESS_KEY is never recorded");
	tap_ok(!hpcp_env_allowed("AWS_ACCESS_KEY_ID"),
	       "AWS_ACCESS_KEY_ID is not on the list");
	tap_ok(!hpcp_env_allowed("AWS_SESSION_TOKEN"),
	       "AWS_SESSION_TOKEN is never recorded");
	tap_ok(!hpcp_env_allowed("AWS_BATCH_JOB_TOKEN"),
	       "a TOKEN under an allowed prefix is still refused");
	tap_ok(!hpcp_env_allowed("FI_EFA_Password"),
	       "PASSWORD in any case is refused");
	tap_ok(!hpcp_env_allowed("SLURM_JOB_SECRET"),
	       "SECRET under SLURM_JOB_ is refused");
	tap_ok(!hpcp_env_allowed("OMPI_MCA_credential_file"),
	       "CREDENTIAL in any case is refused");
	tap_ok(!hpcp_env_allowed("HOME") && !hpcp_env_allowed("PATH") &&
	       !hpcp_env_allowed("SSH_AUTH_SOCK") && !hpcp_env_allowed(""),
	       "everything else stays out");
	return tap_done();
}
