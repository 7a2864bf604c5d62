/*
 * A registry for the fuzz targets: the option parser needs phase names to
 * check --phases against, not the phases themselves (which would pull MPI,
 * hwloc and libfabric into the fuzzer).
 */
#include "config.h"

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
static const struct hpcp_phase pingpong = {
	.name = "pingpong", .summary = "stub", .run = never_run,
};
static const struct hpcp_phase fabric = {
	.name = "fabric", .summary = "stub", .unavailable = "stub",
};

const struct hpcp_phase *const hpcp_phases[] = {
	&topology,
	&pingpong,
	&fabric,
	NULL,
};
