/*
 * Which launcher started the job, and its job identifiers, read from the
 * environment.  Pure: the environment comes through a lookup function so
 * tests can pass a made-up one.
 */
#ifndef HPCP_LAUNCHER_H
#define HPCP_LAUNCHER_H

#define HPCP_LAUNCHER_MAX_IDS 16

enum hpcp_launcher_kind {
	HPCP_LAUNCHER_UNKNOWN,
	HPCP_LAUNCHER_MPIRUN,
	HPCP_LAUNCHER_SLURM,
	HPCP_LAUNCHER_AWS_BATCH,
};

struct hpcp_launcher_id {
	const char *key;     /* document key, e.g. "job_id" */
	char value[128];
};

struct hpcp_launcher {
	enum hpcp_launcher_kind kind;
	int n_ids;
	struct hpcp_launcher_id ids[HPCP_LAUNCHER_MAX_IDS];
};

typedef const char *(*hpcp_getenv_fn)(const char *name, void *arg);

/*
 * Fill *out.  AWS Batch multi-node wins over Slurm, which wins over a bare
 * mpirun: an MNP job runs mpirun inside Batch, and srun sets both.
 */
void hpcp_launcher_detect(struct hpcp_launcher *out, hpcp_getenv_fn get,
			  void *arg);

/* "mpirun", "slurm", "aws-batch" or "unknown". */
const char *hpcp_launcher_name(enum hpcp_launcher_kind kind);

#endif
