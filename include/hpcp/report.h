/*
 * The results document (contract v1 in PRODUCT.md) and its projections.
 *
 * Only src/doc*.c (building it, in libhpcp) and src/doc/ (reading and
 * projecting it, libhpcpdoc, shared with hpcprobe-report) know how the
 * document is represented (cJSON).  Phases fill their part through struct
 * hpcp_res, an opaque node that is either an object or an array: the
 * setters below take a key for an object and NULL for an array (append).  A NULL node is accepted and ignored, so a chain
 * of calls needs no checks; an allocation failure anywhere is remembered
 * and makes the next write fail.
 *
 * Everything here is rank-local and used on rank 0.
 */
#ifndef HPCP_REPORT_H
#define HPCP_REPORT_H

#include <limits.h>
#include <stdint.h>
#include <stdio.h>

#define HPCP_SCHEMA_NAME "hpcprobe-results"
#define HPCP_SCHEMA_VERSION "1.1.0"

struct hpcp_ctx;
struct hpcp_doc;
struct hpcp_peak_rss;
struct hpcp_res;

/* Nodes: new child object/array under key (or appended to an array). */
struct hpcp_res *hpcp_res_object(struct hpcp_res *parent, const char *key);
struct hpcp_res *hpcp_res_array(struct hpcp_res *parent, const char *key);

void hpcp_res_int(struct hpcp_res *parent, const char *key, int64_t v);
/* A non-finite v is stored as null: the document is strict JSON. */
void hpcp_res_double(struct hpcp_res *parent, const char *key, double v);
void hpcp_res_str(struct hpcp_res *parent, const char *key, const char *v);
void hpcp_res_bool(struct hpcp_res *parent, const char *key, int v);
void hpcp_res_null(struct hpcp_res *parent, const char *key);

/* Document status values of the contract. */
enum hpcp_run_status {
	HPCP_RUN_OK,
	HPCP_RUN_PARTIAL,
	HPCP_RUN_FAILED,
	HPCP_RUN_INTERRUPTED,
};

/* Phase status values of the contract. */
enum hpcp_phase_status {
	HPCP_PHASE_OK,
	HPCP_PHASE_SKIPPED,
	HPCP_PHASE_FAILED,
	HPCP_PHASE_UNAVAILABLE,
};

/* A new document with schema, tool and run.started_utc/argv filled. */
struct hpcp_doc *hpcp_doc_new(int argc, char **argv);
void hpcp_doc_free(struct hpcp_doc *doc);

/* run.config (the option table's echo) and context, from ctx. */
void hpcp_doc_set_context(struct hpcp_doc *doc, const struct hpcp_ctx *ctx);

/*
 * context.peak_rss (rank 0's and the largest of all ranks) and each
 * context.ranks[] entry's peak_rss_bytes, for n_ranks ranks.
 */
void hpcp_doc_set_peak_rss(struct hpcp_doc *doc,
			   const struct hpcp_peak_rss *rss, int n_ranks);

/* A fresh top-level object under key (replacing one of that name): what
 * spans the phases, such as the sampler's "utilisation". */
struct hpcp_res *hpcp_doc_top(struct hpcp_doc *doc, const char *key);

/* phases.<name>: a fresh object for the phase to fill. */
struct hpcp_res *hpcp_doc_phase(struct hpcp_doc *doc, const char *name);

/*
 * Close phases.<name>: status, reason (NULL for none) and duration.  The
 * phase's "warnings" entries are copied to the top-level warnings list.
 */
void hpcp_doc_phase_done(struct hpcp_doc *doc, const char *name,
			 enum hpcp_phase_status status, const char *reason,
			 double duration_s);

/*
 * Set status, run.finished_utc and duration.  complete = 0 marks a
 * document written between phases (run.complete false).
 */
void hpcp_doc_finish(struct hpcp_doc *doc, enum hpcp_run_status status,
		     int complete, double duration_s);

/*
 * Write the document to path atomically (a temporary file in the same
 * directory, fsync, rename), or to stdout for "-".  Returns 0 or a negative
 * errno code with a one-line reason in err.
 */
int hpcp_doc_write(struct hpcp_doc *doc, const char *path, char *err,
		   size_t errlen);

/*
 * Record how a run ended in the document already written at path, without
 * the in-memory document (the watchdog and signal path use it while the
 * main thread may be anywhere): run status, the running phase's status and
 * reason, finish time.  Atomic like hpcp_doc_write.  Returns 0 or -errno.
 */
int hpcp_doc_mark_file(const char *path, const char *run_status,
		       const char *phase, const char *phase_status,
		       const char *reason, double phase_s, char *err,
		       size_t errlen);

/*
 * CloudWatch Embedded Metric Format: one compact JSON line per metric
 * group (ping-pong and fabric per peer class and size, all-reduce per
 * size, compute efficiencies and rates), namespace ns, to path or "-".
 */
int hpcp_doc_write_emf(const struct hpcp_doc *doc, const char *path,
		       const char *ns, char *err, size_t errlen);

/* Prometheus textfile (node_exporter's textfile collector), atomically. */
int hpcp_doc_write_prom(const struct hpcp_doc *doc, const char *path,
			char *err, size_t errlen);

/* The human summary, a projection of the document. */
void hpcp_doc_print_summary(const struct hpcp_doc *doc, FILE *out);

/*
 * Whether path can be written as option's output (src/doc/publish.c): an existing, writable
 * directory and not a directory, device or pipe itself ("-" is stdout).
 * 0, or -errno with one line naming option and what it accepts.
 */
int hpcp_output_check(const char *path, const char *option, char *err,
		      size_t errlen);

/*
 * 1 when paths a and b (two outputs, or an output and an input) are one
 * file: both "-" (stdout); existing files with one device and inode
 * (hard or symbolic links included); new files of one name in one
 * directory (compared by device and inode too).  Else 0.
 */
int hpcp_output_same(const char *a, const char *b);

/*
 * Temporary files beside path (path.tmp.XXXXXX) left by writers that were
 * killed mid-write.  A writer holds a lock on its temporary file until it
 * is renamed into place, and the kernel drops the lock when the writer
 * dies: a file whose lock is free is removed (while holding the lock, so a
 * writer that just created it starts again); a locked one is a live
 * writer's and is left, as is one whose lock cannot be taken here (a file
 * system without locks, another owner's file).  Counts, and the first name
 * of each kind; 0, or -errno when the directory cannot be read.
 */
struct hpcp_stale {
	int removed, live, unknown, unknown_errno;
	char removed_name[PATH_MAX], live_name[PATH_MAX],
		unknown_name[PATH_MAX];
};
int hpcp_output_stale(const char *path, struct hpcp_stale *st);

/*
 * The mode of every file written (src/doc/publish.c): a new file gets 0666
 * less the umask, as open() would give; a replaced regular file keeps its
 * mode, owner and group.  The umask is read from /proc/self/status; this,
 * called at the start of main before any thread, takes it with umask()
 * (which sets it too) for kernels without that line.  Without either, a
 * new file stays 0600.
 */
void hpcp_publish_init(void);

const char *hpcp_phase_status_name(enum hpcp_phase_status s);

#endif
