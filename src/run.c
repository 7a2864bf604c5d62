#include "config.h"

#include "hpcp/run.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hpcp/ctx.h"
#include "hpcp/line.h"
#include "hpcp/log.h"
#include "hpcp/opt.h"
#include "hpcp/phase.h"
#include "hpcp/report.h"
#include "hpcp/sampler.h"
#include "hpcp/timer.h"
#include "hpcp/watch.h"

#define REASON_LEN 512

/*
 * Agree on rc across ranks and, when it is an error, take the reason from
 * the lowest rank that reported that error, naming its rank and host.
 */
static int agree_with_reason(struct hpcp_ctx *ctx, int rc, char *why,
			     size_t len)
{
	int agreed = hpcp_ctx_agree(ctx, rc);
	int mine, first;
	char local[REASON_LEN];

	if (agreed == 0)
		return 0;
	mine = rc == agreed ? ctx->rank : ctx->size;
	MPI_Allreduce(&mine, &first, 1, MPI_INT, MPI_MIN, ctx->comm);
	if (ctx->rank == first) {
		if (ctx->size > 1)
			snprintf(local, sizeof(local), "rank %d (%s): %s",
				 ctx->rank, ctx->host,
				 why[0] ? why : strerror(-agreed));
		else
			snprintf(local, sizeof(local), "%s",
				 why[0] ? why : strerror(-agreed));
	}
	MPI_Bcast(local, sizeof(local), MPI_CHAR, first, ctx->comm);
	snprintf(why, len, "%s", local);
	return agreed;
}

static void print_list(FILE *out)
{
	for (int i = 0; hpcp_phases[i]; i++) {
		const struct hpcp_phase *p = hpcp_phases[i];
		char why[REASON_LEN] = "";
		int rc = hpcp_phase_available(p, why, sizeof(why));

		fprintf(out, "%-12s %-12s %s\n", p->name,
			rc ? "unavailable" : "available", rc ? why : p->summary);
	}
}

/*
 * A phase's option given without its phase is accepted (a launcher script
 * may pass it to every run), and said once, on rank 0, before the run.
 */
static void warn_unselected(const struct hpcp_config *cfg)
{
	char msg[REASON_LEN];

	for (int i = 0; hpcp_opt_unselected(cfg, i, msg, sizeof(msg)); i++) {
		hpcp_line_print(stderr, "hpcprobe: warning: ", "%s", msg);
	}
}

/* The command line alone; returns -1 to go on, else the exit status.
 * Every rank parses the same argv, so all reach the same verdict. */
static int command_line(int argc, char **argv, int rank, FILE *out,
			struct hpcp_config *cfg)
{
	char err[REASON_LEN];

	hpcp_log_identity(rank, NULL);
	if (hpcp_opt_parse(argc, argv, cfg, err, sizeof(err)) != 0) {
		hpcp_usage_error("%s", err);
		return HPCP_EXIT_USAGE;
	}
	switch (cfg->action) {
	case HPCP_ACTION_HELP:
		if (rank == 0)
			hpcp_opt_print_help(out);
		return HPCP_EXIT_OK;
	case HPCP_ACTION_VERSION:
		if (rank == 0)
			fprintf(out, "hpcprobe %s (git %s)\n", PACKAGE_VERSION,
				HPCP_GIT_COMMIT);
		return HPCP_EXIT_OK;
	case HPCP_ACTION_LIST:
		if (rank == 0)
			print_list(out);
		return HPCP_EXIT_OK;
	case HPCP_ACTION_RUN:
		break;
	}
	return -1;
}

/* The launcher's rank for this process before MPI exists (0 when started
 * alone), so that only one process prints. */
static int rank_from_env(void)
{
	const char *vars[] = { "OMPI_COMM_WORLD_RANK", "PMIX_RANK", "PMI_RANK",
			       "SLURM_PROCID", NULL };

	for (int i = 0; vars[i]; i++) {
		const char *v = getenv(vars[i]);
		char *end;
		long r;

		if (!v || !*v)
			continue;
		r = strtol(v, &end, 10);
		if (*end == '\0' && r >= 0 && r < 1L << 30)
			return (int)r;
	}
	return 0;
}

/*
 * Two outputs that are one file would replace each other (the document by
 * its projection), or mix two formats on stdout: refused before the run.
 */
static int outputs_apart(const struct hpcp_config *cfg, char *err,
			 size_t len)
{
	const char *path[] = { cfg->output, cfg->emf, cfg->prom };
	const char *name[] = { "--output", "--emf", "--prom" };

	for (int i = 0; i < 3; i++)
		for (int j = i + 1; j < 3; j++) {
			if (!path[i] || !path[j] ||
			    !hpcp_output_same(path[i], path[j]))
				continue;
			snprintf(err, len,
				 "%s and %s are one %s ('%s', '%s'): give "
				 "each output its own file", name[i], name[j],
				 strcmp(path[i], "-") ? "file" : "stream "
				 "(stdout)", path[i], path[j]);
			return -EINVAL;
		}
	return 0;
}

/*
 * Temporary files of an output left by a writer killed mid-write (an
 * earlier run ended by SIGKILL): removed when their writer is provably
 * gone, said in one line either way.
 */
static void clean_stale(const char *path)
{
	struct hpcp_stale st;

	if (!path || hpcp_output_stale(path, &st) != 0)
		return;
	if (st.removed)
		hpcp_line_print(stderr, "hpcprobe: warning: ",
				"removed %d temporary file%s left by a writer "
				"that was killed (%s)", st.removed,
				st.removed > 1 ? "s" : "", st.removed_name);
	if (st.live)
		hpcp_line_print(stderr, "hpcprobe: warning: ",
				"left %d temporary file%s of a writer still "
				"running (%s): another run writes %s",
				st.live, st.live > 1 ? "s" : "", st.live_name,
				path);
	if (st.unknown)
		hpcp_line_print(stderr, "hpcprobe: warning: ",
				"left %d temporary file%s whose writer may be "
				"alive (%s: cannot take its lock: %s)",
				st.unknown, st.unknown > 1 ? "s" : "",
				st.unknown_name, strerror(st.unknown_errno));
}

/* Rank 0's checks of the job as a whole: its outputs, and each phase's
 * for this many ranks.  0, or -EINVAL with err. */
static int job_checks(const struct hpcp_config *cfg, int size, char *err,
		      size_t len)
{
	int rc = hpcp_output_check(cfg->output, "--output", err, len);

	if (!rc && cfg->emf)
		rc = hpcp_output_check(cfg->emf, "--emf", err, len);
	if (!rc && cfg->prom)
		rc = hpcp_output_check(cfg->prom, "--prom", err, len);
	if (!rc)
		rc = outputs_apart(cfg, err, len);
	for (int i = 0; !rc && i < cfg->n_phases; i++) {
		const struct hpcp_phase *p = cfg->phases[i];

		if (p->check_job)
			rc = p->check_job(cfg, size, err, len);
	}
	if (!rc && cfg->prom && strcmp(cfg->prom, "-") == 0) {
		snprintf(err, len, "--prom: expects a file name (a textfile for "
			 "node_exporter), not -");
		rc = -EINVAL;
	}
	return rc;
}

/* Whether a launcher started this process (else it is the whole job). */
static int launched(void)
{
	const char *vars[] = { "OMPI_COMM_WORLD_RANK", "PMIX_RANK", "PMI_RANK",
			       "SLURM_PROCID", NULL };

	for (int i = 0; vars[i]; i++)
		if (getenv(vars[i]))
			return 1;
	return 0;
}

int hpcp_run_args(int argc, char **argv, FILE *out)
{
	struct hpcp_config cfg;
	char err[REASON_LEN];
	int rc = command_line(argc, argv, rank_from_env(), out, &cfg);

	/*
	 * Started alone, this process is the whole job: the job's checks need
	 * no MPI, and bad input ends here, before MPI_Init.  An Open MPI 4.1
	 * singleton started only to be finalised again crashed at exit
	 * (SIGSEGV after the message) about once in a few hundred such runs
	 * on a loaded host (tests/malformed.sh).  Under a launcher rank 0
	 * checks after MPI_Init, with its own view of the directories.
	 */
	if (rc < 0 && !launched() && job_checks(&cfg, 1, err, sizeof(err))) {
		hpcp_usage_error("%s", err);
		return HPCP_EXIT_USAGE;
	}
	return rc;
}

/* Everything before MPI work; returns -1 to go on, else the exit status. */
static int front_matter(int argc, char **argv, MPI_Comm world, FILE *out,
			struct hpcp_config *cfg)
{
	char err[REASON_LEN];
	int rank, size, rc;

	MPI_Comm_rank(world, &rank);
	MPI_Comm_size(world, &size);
	rc = command_line(argc, argv, rank, out, cfg);
	if (rc >= 0)
		return rc;
	/* Only rank 0 writes, so its view of the directories decides. */
	rc = 0;
	if (rank == 0) {
		rc = job_checks(cfg, size, err, sizeof(err));
		if (rc)
			hpcp_usage_error("%s", err);
	}
	MPI_Bcast(&rc, 1, MPI_INT, 0, world);
	if (rc)
		return HPCP_EXIT_USAGE;
	if (rank == 0) {
		warn_unselected(cfg);
		clean_stale(cfg->output);
		clean_stale(cfg->emf);
		clean_stale(cfg->prom);
	}
	return -1;
}

/*
 * Rank 0 writes the document.  Between phases a failure is kept quiet (the
 * disk may recover, and the run goes on); the final write reports it in
 * one line and the exit status says so.
 */
static int save(struct hpcp_ctx *ctx, struct hpcp_doc *doc, int final)
{
	char err[REASON_LEN];
	int rc;

	/* The watchdog has written how the run ended; keep that.  One
	 * writer at a time (hpcp/watch.h). */
	if (ctx->rank != 0 || !hpcp_watch_write_begin())
		return 0;
	rc = hpcp_doc_write(doc, ctx->cfg.output, err, sizeof(err));
	/* On disk, the phase that ran is final: an interruption from now on
	 * is the run's, not the phase's. */
	if (!rc)
		hpcp_watch_phase_done();
	hpcp_watch_write_end();
	if (rc && final)
		hpcp_log(HPCP_LOG_ERR, "results not saved: %s", err);
	return rc;
}

/* The monitoring projections, after the final document. */
static int export(struct hpcp_ctx *ctx, struct hpcp_doc *doc)
{
	char err[REASON_LEN];
	int failed = 0;

	/* No temporary file left half-written by an ending process. */
	if (!hpcp_watch_write_begin())
		return 0;
	if (ctx->cfg.emf &&
	    hpcp_doc_write_emf(doc, ctx->cfg.emf, ctx->cfg.emf_namespace, err,
			       sizeof(err)) != 0) {
		hpcp_log(HPCP_LOG_ERR, "EMF not written: %s", err);
		failed = 1;
	}
	if (ctx->cfg.prom &&
	    hpcp_doc_write_prom(doc, ctx->cfg.prom, err, sizeof(err)) != 0) {
		hpcp_log(HPCP_LOG_ERR, "Prometheus textfile not written: %s",
			 err);
		failed = 1;
	}
	hpcp_watch_write_end();
	return failed;
}

struct tally {
	int ok, failed, unavailable;
};

/* Runs p; returns its agreed code (-ECANCELED: the run stops). */
static int run_phase(struct hpcp_ctx *ctx, struct hpcp_doc *doc,
		     const struct hpcp_phase *p, struct tally *t)
{
	char why[REASON_LEN] = "";
	struct hpcp_res *out = NULL;
	uint64_t start = hpcp_now_ns();
	enum hpcp_phase_status status;
	double secs;
	int rc;

	hpcp_watch_phase(p->name);
	hpcp_watch_waiting_on(HPCP_WATCH_ALL);
	hpcp_log(HPCP_LOG_INFO, "phase %s: started", p->name);
	rc = hpcp_phase_available(p, why, sizeof(why));
	rc = agree_with_reason(ctx, rc, why, sizeof(why));
	if (rc == 0) {
		if (ctx->rank == 0)
			out = hpcp_doc_phase(doc, p->name);
		rc = p->run(ctx, out, why, sizeof(why));
		hpcp_watch_waiting_on(HPCP_WATCH_ALL);
		rc = agree_with_reason(ctx, rc, why, sizeof(why));
	}
	secs = (double)(hpcp_now_ns() - start) / 1e9;
	if (rc == 0) {
		status = HPCP_PHASE_OK;
		t->ok++;
	} else if (rc == -ENOTSUP) {
		status = HPCP_PHASE_UNAVAILABLE;
		t->unavailable++;
	} else {
		status = HPCP_PHASE_FAILED;
		t->failed++;
	}
	if (ctx->rank == 0) {
		hpcp_doc_phase_done(doc, p->name, status, rc ? why : NULL,
				    secs);
		hpcp_log(HPCP_LOG_INFO, "phase %s: %s in %.2f s%s%s", p->name,
			 hpcp_phase_status_name(status), secs, rc ? ": " : "",
			 rc ? why : "");
	}
	return rc;
}

/* A phase that stopped the run: the ones after it are recorded as
 * skipped, with the reason. */
static void skip_rest(struct hpcp_ctx *ctx, struct hpcp_doc *doc, int from)
{
	char why[REASON_LEN];

	if (ctx->rank != 0)
		return;
	snprintf(why, sizeof(why), "not run: phase %s failed and stops the "
		 "run", ctx->cfg.phases[from - 1]->name);
	for (int i = from; i < ctx->cfg.n_phases; i++)
		hpcp_doc_phase_done(doc, ctx->cfg.phases[i]->name,
				    HPCP_PHASE_SKIPPED, why, 0);
}

static enum hpcp_run_status final_status(const struct tally *t)
{
	if (t->failed == 0)
		return HPCP_RUN_OK;
	return t->ok > 0 ? HPCP_RUN_PARTIAL : HPCP_RUN_FAILED;
}

int hpcp_run(int argc, char **argv, MPI_Comm world, FILE *out)
{
	struct hpcp_config cfg;
	struct hpcp_ctx ctx;
	struct hpcp_doc *doc = NULL;
	struct tally tally = { 0, 0, 0 };
	struct hpcp_sampler *sampler = NULL;
	uint64_t start = hpcp_now_ns();
	int streaming, saved, rc;

	rc = front_matter(argc, argv, world, out, &cfg);
	if (rc >= 0)
		return rc;

	rc = hpcp_ctx_init(&ctx, world, &cfg);
	if (rc) {
		hpcp_log(HPCP_LOG_ERR, "cannot set up the run: %s",
			 strerror(-rc));
		hpcp_ctx_fini(&ctx);
		return HPCP_EXIT_FAILED;
	}
	/* The document on stdout is written once, at the end. */
	streaming = strcmp(cfg.output, "-") == 0;
	if (ctx.rank == 0) {
		doc = hpcp_doc_new(argc, argv);
		if (!doc)
			hpcp_die(71, "out of memory creating the document");
		hpcp_doc_set_context(doc, &ctx);
		if (!streaming)
			save(&ctx, doc, 0);
	}
	rc = hpcp_watch_start(&ctx,
			      cfg.timeout_given ? (unsigned)cfg.timeout :
			      cfg.quick ? HPCP_QUICK_TIMEOUT_S :
					  HPCP_DEFAULT_TIMEOUT_S,
			      doc, ctx.rank == 0 ? cfg.output : NULL);
	if (rc)
		hpcp_log(HPCP_LOG_WARN, "no watchdog: %s", strerror(-rc));
	hpcp_util_start(&ctx, &sampler);
	for (int i = 0; i < cfg.n_phases; i++) {
		int stop;

		hpcp_sampler_phase(sampler, i);
		stop = run_phase(&ctx, doc, cfg.phases[i], &tally) ==
		       -ECANCELED;
		hpcp_sampler_phase(sampler, -1);
		if (stop)
			skip_rest(&ctx, doc, i + 1);
		if (ctx.rank == 0 && !streaming) {
			hpcp_doc_finish(doc, HPCP_RUN_PARTIAL, 0,
					(double)(hpcp_now_ns() - start) / 1e9);
			save(&ctx, doc, 0);
		}
		if (stop)
			break;
	}

	hpcp_watch_phase("finish");
	hpcp_util_finish(&ctx, &sampler, doc);
	saved = 0;
	{
		struct hpcp_peak_rss rss;

		hpcp_ctx_peak_rss(&ctx, &rss);
		hpcp_doc_set_peak_rss(doc, &rss, ctx.size);
		free(rss.per_rank);
	}
	if (ctx.rank == 0) {
		hpcp_doc_finish(doc, final_status(&tally), 1,
				(double)(hpcp_now_ns() - start) / 1e9);
		saved = save(&ctx, doc, 1);
		saved = export(&ctx, doc) ? -EIO : saved;
		hpcp_doc_print_summary(doc, streaming || (cfg.emf &&
					    strcmp(cfg.emf, "-") == 0) ?
						    stderr : out);
		hpcp_doc_free(doc);
	}
	saved = hpcp_ctx_agree(&ctx, saved);
	hpcp_watch_stop();
	hpcp_ctx_fini(&ctx);
	return (tally.failed || saved) ? HPCP_EXIT_FAILED : HPCP_EXIT_OK;
}
