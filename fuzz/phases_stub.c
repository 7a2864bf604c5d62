/*
 * A registry for the fuzz targets: the option parser needs phase names to
 * check --phases against, not the phases themselves (which would pull MPI,
 * hwloc and libfabric into the fuzzer).
 */
#include "config.h"

#include "hpcp/opt.h"
#include "hpcp/phase.h"

static int never_run(struct hpcp_ctx *ctx, struct hpcp_res *out, char *why,
		     size_t len)
{
	(void)ctx;
	(void)out;
	(void)why;
	(void)len;
	return -1;
}

static const struct hpcp_phase topology = {
	.name = "topology", .summary = "stub", .run = never_run,
};
/* A phase with an option of its own, as compute's, so the merging of
 * phase options is fuzzed too. */
struct compute_opts {
	double imbalance;
};

static const struct compute_opts compute_defaults = { 0 };

static const struct hpcp_opt compute_options[] = {
	{ .long_name = "imbalance", .kind = HPCP_OPT_REAL, .metavar = "F",
	  .help = "stub", .default_text = "0", .real_min = 0, .real_max = 10,
	  .value_offset = offsetof(struct compute_opts, imbalance),
	  .given_offset = HPCP_OPT_NOT_TRACKED },
	{ .long_name = NULL },
};

static const struct hpcp_phase compute = {
	.name = "compute", .summary = "stub", .run = never_run,
	HPCP_PHASE_OPTIONS(compute_options, compute_defaults),
};
static const struct hpcp_phase pingpong = {
	.name = "pingpong", .summary = "stub", .run = never_run,
};
static const struct hpcp_phase fabric = {
	.name = "fabric", .summary = "stub", .unavailable = "stub",
};

const struct hpcp_phase *const hpcp_phases[] = {
	&topology,
	&compute,
	&pingpong,
	&fabric,
	NULL,
};
