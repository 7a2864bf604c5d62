/* The environment allow-list: what changes numbers, never a secret. */
#include "config.h"

#include "hpcp/env.h"
#include "tap.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

/*
 * Written out here, not taken from env.c: dropping a word there must
 * fail here.  Each is checked in upper, lower and mixed case.
 */
static const char *const secret_words[] = {
	"KEY", "SECRET", "TOKEN", "PASS", "PASSWORD", "PASSWD", "PASSPHRASE",
	"PWD", "CERT", "COOKIE", "CREDENTIAL", "CREDENTIALS", "AUTH",
	"PRIVATE", "SESSION", "SIGNATURE", "PRECONDITION_TRANSPORTS", "UUID",
	NULL,
};

/* The names the review found recorded, the job key's other spellings,
 * and near misses of the exact harmless names. */
static const char *const regressions[] = {
	"HPCPROBE_API_KEY",
	"SLURM_JOB_PASSPHRASE",
	"AWS_BATCH_ACCESS_KEY_ID",
	"UCX_PWD",
	"FI_CERT",
	"OMPI_MCA_cookie",
	"OMPI_MCA_orte_precondition_transports",
	"OMPI_MCA_opal_precondition_transports",
	"PMIX_MCA_pmix_precondition_transports",
	"FI_PSM2_UUID",
	"FI_PSM3_UUID",
	"FI_OPX_UUID",
	"OMPI_MCA_btl_openib_pkey_secret",
	"ucx_ib_pkey",
	NULL,
};

/* Real tuning and job variables a run is reproduced from. */
static const char *const kept[] = {
	"FI_PROVIDER", "FI_EFA_USE_DEVICE_RDMA", "FI_EFA_FORK_SAFE",
	"FI_OFI_RXM_ENABLE_PASSTHRU", "OMPI_MCA_pml", "OMPI_MCA_btl",
	"OMPI_MCA_btl_tcp_if_include", "OMPI_MCA_mpi_yield_when_idle",
	"OMPI_MCA_ess_base_jobid", "OMPI_MCA_btl_openib_pkey",
	"OMPI_MCA_mtl_psm_ib_pkey", "OMPI_MCA_opal_net_private_ipv4",
	"PMIX_MCA_gds", "UCX_TLS", "UCX_NET_DEVICES", "UCX_IB_PKEY",
	"UCX_KEEPALIVE_INTERVAL", "I_MPI_FABRICS", "MPICH_ASYNC_PROGRESS",
	"SLURM_JOB_ID", "SLURM_STEP_ID", "SLURM_NTASKS", "SLURM_CPUS_PER_TASK",
	"AWS_BATCH_JOB_ID", "AWS_BATCH_JOB_NODE_INDEX", "OPENBLAS_NUM_THREADS",
	"OMP_NUM_THREADS", "OMP_PROC_BIND", "HPCPROBE_ARGS",
	NULL,
};

static void cased(char *out, size_t len, const char *word, int how)
{
	size_t i = 0;

	for (; word[i] && i + 1 < len; i++) {
		int c = (unsigned char)word[i];

		/* 0 as written, 1 lower, 2 Capitalised per letter run */
		if (how == 1 || (how == 2 && i > 0 && isalpha(word[i - 1])))
			c = tolower(c);
		out[i] = (char)c;
	}
	out[i] = '\0';
}

/*
 * Every allowed prefix crossed with every secret word, in each position a
 * real name uses (whole word, inside a name, glued into a word, at the
 * end) and each case; the prefix is kept as written, it is matched
 * case-sensitively.  Calls fn for each name, returns how many.
 */
static int crossed(const char *prefix, void (*fn)(const char *, int *),
		   int *arg)
{
	static const char *const shapes[] = {
		"%s%s", "%sX_%s_Y", "%sMY%sS", "%sa_b_%s", NULL,
	};
	int n = 0;

	for (int w = 0; secret_words[w]; w++)
		for (int how = 0; how < 3; how++) {
			char word[64], name[192];

			cased(word, sizeof(word), secret_words[w], how);
			for (int s = 0; shapes[s]; s++, n++) {
				snprintf(name, sizeof(name), shapes[s], prefix,
					 word);
				fn(name, arg);
			}
		}
	return n;
}

static void denied(const char *name, int *failures)
{
	if (!hpcp_env_allowed(name))
		return;
	/* One line per failure, not a TAP line per name: 3,000 names. */
	printf("# recorded but must not be: %s\n", name);
	(*failures)++;
}

static void print_name(const char *name, int *unused)
{
	(void)unused;
	printf("%s\n", name);
}

int main(int argc, char **argv)
{
	const char *const *prefixes = hpcp_env_prefixes();
	int n_prefixes = 0, cases = 0, failures = 0;

	/* --names: the same table for mpi_tests/secrets.sh to set in a real
	 * run's environment, so both tests cross the same names. */
	if (argc == 2 && strcmp(argv[1], "--names") == 0) {
		for (int p = 0; prefixes[p]; p++)
			crossed(prefixes[p], print_name, NULL);
		for (int i = 0; regressions[i]; i++)
			print_name(regressions[i], NULL);
		return 0;
	}

	for (int p = 0; prefixes[p]; p++) {
		int before = failures;

		n_prefixes++;
		cases += crossed(prefixes[p], denied, &failures);
		tap_ok(failures == before,
		       "%s + every secret word, every position and case: refused",
		       prefixes[p]);
	}
	tap_ok(n_prefixes >= 17, "the table crossed all %d prefixes (%d names)",
	       n_prefixes, cases);

	for (int i = 0; regressions[i]; i++)
		tap_ok(!hpcp_env_allowed(regressions[i]),
		       "%s is never recorded", regressions[i]);
	for (int i = 0; kept[i]; i++)
		tap_ok(hpcp_env_allowed(kept[i]), "%s is recorded", kept[i]);

	tap_ok(!hpcp_env_allowed("AWS_SECRET_ACCESS_KEY"),
	       "AWS_SECRET_ACCESS_KEY is never recorded");
	tap_ok(!hpcp_env_allowed("AWS_ACCESS_KEY_ID"),
	       "AWS_ACCESS_KEY_ID is not on the list");
	tap_ok(!hpcp_env_allowed("AWS_SESSION_TOKEN"),
	       "AWS_SESSION_TOKEN is never recorded");
	tap_ok(!hpcp_env_allowed("OMPI_MCA_BTL_OPENIB_PKEY") &&
	       !hpcp_env_allowed("FI_EFA_PKEY"),
	       "a harmless name is exact: another spelling is refused");
	tap_ok(!hpcp_env_allowed("HOME") && !hpcp_env_allowed("PATH") &&
	       !hpcp_env_allowed("SSH_AUTH_SOCK") && !hpcp_env_allowed("") &&
	       !hpcp_env_allowed(NULL) && !hpcp_env_allowed("fi_provider"),
	       "everything else stays out");
	return tap_done();
}
