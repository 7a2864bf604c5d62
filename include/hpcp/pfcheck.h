/*
 * The preflight phase's checks, free of MPI: each judges what one node
 * (or rank 0, for the job) found and fills one struct hpcp_pf_check with
 * its status, the value found, what was expected and a one-line fix.  The
 * structures are fixed-size so that a node's results travel to rank 0 as
 * MPI_BYTE; src/phases/preflight.c gathers and reports them.
 *
 * What a check reads can be moved for tests: EFA devices (--efa-root,
 * as src/efa.c), the device tree /dev (HPCPROBE_DEV_ROOT: its
 * infiniband/uverbs* and shm), /proc (HPCPROBE_PROC_ROOT: its meminfo),
 * and the metadata service (HPCPROBE_IMDS_ENDPOINT, hpcp/imds.h).
 */
#ifndef HPCP_PFCHECK_H
#define HPCP_PFCHECK_H

#include <stddef.h>
#include <stdint.h>

#include "hpcp/launcher.h"   /* hpcp_getenv_fn */

#define HPCP_PF_ENV_DEV_ROOT "HPCPROBE_DEV_ROOT"
#define HPCP_PF_ENV_PROC_ROOT "HPCPROBE_PROC_ROOT"

/* In order of severity: the worst of a check over the nodes is reported. */
enum hpcp_pf_status {
	HPCP_PF_NONE,    /* not run here (an unused slot) */
	HPCP_PF_PASS,
	HPCP_PF_SKIP,    /* does not apply here; value says why */
	HPCP_PF_WARN,
	HPCP_PF_FAIL,
};

struct hpcp_pf_check {
	char name[32];          /* "limits.memlock" */
	int status;             /* enum hpcp_pf_status */
	char value[224];        /* what was found */
	char expected[160];
	char fix[288];          /* one line; "" when there is nothing to do */
};

/* "pass", "skip", "warn", "fail". */
const char *hpcp_pf_status_name(int status);

/* The instance, from the metadata service (hpcp_pf_instance_read). */
struct hpcp_pf_instance {
	int known;              /* the service answered with a valid type */
	char type[40];          /* "c5n.18xlarge" */
	char az[32];            /* "us-east-1a" */
	char group[128];        /* placement group; "" none */
	char lifecycle[16];     /* "on-demand", "spot" */
	char reason[224];       /* why not known, or what was malformed */
	/* Set by the caller (the preflight phase): how long asking took,
	 * and how much of it the thread waited for a CPU while runnable
	 * (run-queue delay; < 0 unknown): the wait on the service alone is
	 * the difference, bounded by its timeouts. */
	double lookup_s, lookup_runq_s;
};

/* Ask the metadata service (a second at most when nothing answers). */
void hpcp_pf_instance_read(struct hpcp_pf_instance *inst);

/*
 * Validate and store one answer: kind 't' type, 'z' zone, 'g' placement
 * group, 'l' life-cycle.  0, or -EPROTO (text left empty) when the answer
 * is not what the service gives (wrong characters, too long).
 */
int hpcp_pf_instance_field(struct hpcp_pf_instance *inst, char kind,
			   const char *text, size_t len);

/* EFA adapters (network cards) of an instance type; -1 unknown. */
int hpcp_pf_efa_expected(const char *type);

/* Whether EFA is wanted here: adapters found, or the type has some. */
int hpcp_pf_efa_wanted(int found, const struct hpcp_pf_instance *inst);

/* The judges.  multi: the job spans more than one node. */
void hpcp_pf_check_instance(const struct hpcp_pf_instance *inst, int found,
			    struct hpcp_pf_check *c);
void hpcp_pf_check_efa_adapters(int found,
				const struct hpcp_pf_instance *inst,
				struct hpcp_pf_check *c);
/* Opens every <devroot>/infiniband/uverbs* read-write. */
void hpcp_pf_check_uverbs(const char *devroot, int found, int wanted,
			  struct hpcp_pf_check *c);
/* rc, provider and note as hpcp_fabric_choose("auto") gave them. */
void hpcp_pf_check_provider(int rc, const char *provider, const char *note,
			    int wanted, struct hpcp_pf_check *c);
/* Open MPI's components: known 0 (another MPI) skips. */
void hpcp_pf_check_mpi(int known, const char *pml, const char *mtl,
		       const char *btls, int wanted, int multi,
		       struct hpcp_pf_check *c);
/* UINT64_MAX is unlimited. */
void hpcp_pf_check_memlock(uint64_t bytes, int wanted,
			   struct hpcp_pf_check *c);
/* rc 0 with the size of /dev/shm, or -errno when it could not be read. */
void hpcp_pf_check_shm(int rc, uint64_t bytes, struct hpcp_pf_check *c);
void hpcp_pf_check_open_files(uint64_t limit, int ranks,
			      struct hpcp_pf_check *c);

struct hpcp_pf_hugepages {
	long long total, free, size_kb;
};
/* /proc/meminfo's text: 0, or -EPROTO when a HugePages line is missing
 * or malformed. */
int hpcp_pf_parse_meminfo(const char *text, size_t len,
			  struct hpcp_pf_hugepages *h);
void hpcp_pf_check_hugepages(int rc, const struct hpcp_pf_hugepages *h,
			     struct hpcp_pf_check *c);

/* The Lustre statfs magic (LL_SUPER_MAGIC). */
#define HPCP_PF_LUSTRE_MAGIC 0x0BD00BD0UL
/*
 * The FSx path: c[0] exists and is a folder, c[1] Lustre (the magic),
 * c[2] writable (a file created, written, synced and removed), c[3] free
 * space.  path NULL: c[0] skip alone.
 */
void hpcp_pf_check_storage(const char *path, struct hpcp_pf_check c[4]);
void hpcp_pf_judge_fstype(unsigned long magic, struct hpcp_pf_check *c);
void hpcp_pf_judge_free(uint64_t bytes, struct hpcp_pf_check *c);

/* AWS Batch or Slurm variables against the MPI world. */
void hpcp_pf_check_scheduler(hpcp_getenv_fn get, void *arg, int ranks,
			     int nodes, struct hpcp_pf_check *c);

/*
 * The same value on every node: values[i] of hosts[i], n of them; ""
 * is unknown.  Pass when all known ones agree, fail naming every host
 * that differs from the most common value, skip when none is known.
 */
void hpcp_pf_check_same(const char *name, const char *what,
			const char *const *values, const char *const *hosts,
			int n, struct hpcp_pf_check *c);

/* Placement group and life-cycle over the nodes (multi-node jobs). */
void hpcp_pf_check_group(const char *const *groups, const char *const *hosts,
			 int n, struct hpcp_pf_check *c);
void hpcp_pf_check_lifecycle(const char *const *cycles,
			     const char *const *hosts, int n,
			     struct hpcp_pf_check *c);

/* Clock offsets against rank 0's host, ns, with their uncertainties. */
#define HPCP_PF_CLOCK_LIMIT_NS 1e6
void hpcp_pf_check_clocks(const double *offset_ns, const double *unc_ns,
			  const char *const *hosts, int n,
			  struct hpcp_pf_check *c);

#endif
