/*
 * A phase: one measurement or report step of a run, one file in
 * src/phases/, listed once in PHASE_SOURCES (Makefile.am), from which the
 * build writes the registry's list (src/phases/registry.c).
 *
 * Phases return data: they fill their result node (report.h) on rank 0 and
 * never print results or touch the document's representation.
 */
#ifndef HPCP_PHASE_H
#define HPCP_PHASE_H

#include <stddef.h>

/* HPCP_PHASE_METRICS, which defines the phase's phase_metrics. */
#include "hpcp/metrics.h"

struct hpcp_config;
struct hpcp_ctx;
struct hpcp_opt;
struct hpcp_res;

struct hpcp_phase {
	const char *name;         /* option and document name */
	const char *summary;      /* one line for --list and --help */
	/* Non-NULL: built without what it needs; the reason. */
	const char *unavailable;
	/*
	 * Rank-local check that it can run here (a device, a library at run
	 * time).  Returns 0, or -ENOTSUP with the reason in why.  NULL: always.
	 */
	int (*probe)(char *why, size_t len);
	/*
	 * Checks of the phase's options against the job (the rank count),
	 * before anything runs: 0, or -EINVAL with one line in err, which
	 * makes the run bad input (exit 2).  NULL: none.
	 */
	int (*check_job)(const struct hpcp_config *cfg, int ranks, char *err,
			 size_t len);
	/*
	 * Collective over ctx->comm.  out is the phase's result object on
	 * rank 0 and NULL elsewhere.  Returns 0; -ENOTSUP when it cannot run
	 * here (the phase is recorded "unavailable"); -ECANCELED when it
	 * failed and the run must stop (a gate: preflight with
	 * --preflight-strict; the phases after it are recorded "skipped");
	 * another negative errno code when it failed.  why gets the reason.
	 */
	int (*run)(struct hpcp_ctx *ctx, struct hpcp_res *out, char *why,
		   size_t len);
	/*
	 * The phase's own options (opt.h), NULL-terminated, or NULL: parsed
	 * and checked with the global ones, listed by --help under
	 * "<name> options:", echoed in the document's run.config.  Their
	 * value_offset and given_offset are into the phase's option struct,
	 * opts_size bytes (at most HPCP_PHASE_OPTS_BYTES), which starts as a
	 * copy of *opts_defaults; at run time hpcp_phase_opts() gives it.
	 * Set all three with HPCP_PHASE_OPTIONS.
	 */
	const struct hpcp_opt *opts;
	const void *opts_defaults;
	size_t opts_size;
	/*
	 * What the phase measures: &phase_metrics, defined at the top of
	 * the phase's file with HPCP_PHASE_METRICS (hpcp/metrics.h).  The
	 * same table, compiled apart, is listed in hpcp_metric_tables, which
	 * the outputs walk (the report tool has no phases);
	 * tests/test_registry.c checks the two agree.
	 */
	const struct hpcp_metric_table *metrics;
};

/* In a phase's initializer: its option table and its defaults, an object
 * of the phase's option struct. */
#define HPCP_PHASE_OPTIONS(table, defaults) \
	.opts = (table), .opts_defaults = &(defaults), \
	.opts_size = sizeof(defaults)

/* Every phase, available or not, in run order; NULL-terminated. */
extern const struct hpcp_phase *const hpcp_phases[];

/* The phase called name, or NULL. */
const struct hpcp_phase *hpcp_phase_find(const char *name);

/* Whether p can run here: 0, or -ENOTSUP with the reason in why. */
int hpcp_phase_available(const struct hpcp_phase *p, char *why, size_t len);

/* "topology, pingpong, ..." of all registered phases into buf. */
void hpcp_phase_names(char *buf, size_t len);

/* p's index in the registry, or -1. */
int hpcp_phase_index(const struct hpcp_phase *p);

/*
 * p's option values as parsed into cfg: a pointer to the phase's option
 * struct (cast it back), or NULL when p has no options or is not
 * registered.  Every rank parses the same argv, so every rank reads the
 * same values.
 */
const void *hpcp_phase_opts(const struct hpcp_config *cfg,
			    const struct hpcp_phase *p);

#endif
