/*
 * A phase: one measurement or report step of a run, one file in
 * src/phases/, one entry in the registry (src/phases/registry.c).
 *
 * Phases return data: they fill their result node (report.h) on rank 0 and
 * never print results or touch the document's representation.
 */
#ifndef HPCP_PHASE_H
#define HPCP_PHASE_H

#include <stddef.h>

struct hpcp_ctx;
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
	 * Collective over ctx->comm.  out is the phase's result object on
	 * rank 0 and NULL elsewhere.  Returns 0; -ENOTSUP when it cannot run
	 * here (the phase is recorded "unavailable"); another negative errno
	 * code when it failed.  why gets the reason in both cases.
	 */
	int (*run)(struct hpcp_ctx *ctx, struct hpcp_res *out, char *why,
		   size_t len);
};

/* Every phase, available or not, in run order; NULL-terminated. */
extern const struct hpcp_phase *const hpcp_phases[];

/* The phase called name, or NULL. */
const struct hpcp_phase *hpcp_phase_find(const char *name);

/* Whether p can run here: 0, or -ENOTSUP with the reason in why. */
int hpcp_phase_available(const struct hpcp_phase *p, char *why, size_t len);

/* "topology, pingpong, ..." of all registered phases into buf. */
void hpcp_phase_names(char *buf, size_t len);

#endif
