/*
 * triad: a[j] = b[j] + s c[j] over doubles, a variant of STREAM's Triad
 * (24 bytes counted per element; write-allocate traffic not counted, as in
 * STREAM).  Each array is at least 4 x the host's last-level cache divided
 * among the host's ranks, so the caches cannot hold it.  A round sweeps
 * lround(factor x n) elements (one whole pass at factor 1), continuing
 * cyclically where the last round stopped.  Rounds of n / 16, tried
 * first for more rounds a second, measured 4.5 % above a bare loop of
 * whole passes and n / 2 still 1.5-2.5 % above (bench/compare-compute.sh):
 * between rounds, untimed, the cache writes back the round's last stores,
 * a share of the traffic that grows as the round shrinks.  The best round
 * is the rank's bandwidth, as STREAM keeps the best of its repetitions.
 * Verified afterwards: every element swept equals b + s c exactly (the
 * values are small integers, so no rounding is involved).
 */
#include "config.h"

#include "hpcp/kernel.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "hpcp/probe.h"
#include "hpcp/report.h"

#define SCALAR 3.0
#define MIN_ELEMENTS (1ull << 20)
#define MAX_ELEMENTS (1ull << 25)    /* 256 MiB per array */

struct triad_state {
	uint64_t n;
	uint64_t llc_bytes;
	int rule_met;                  /* arrays >= 4 x the cache share */
	int rounds;
	uint64_t per_round;            /* elements swept in one round */
	uint64_t pos;                  /* where the next round starts */
	uint64_t swept;                /* elements swept so far */
	double *a, *b, *c;
	double sink;
};

static int triad_setup(const struct hpcp_kernel_args *args, void **state,
		       char *why, size_t len)
{
	struct triad_state *s = calloc(1, sizeof(*s));
	uint64_t n, want, cap = MAX_ELEMENTS;
	int ranks = args->ranks_on_host > 0 ? args->ranks_on_host : 1;

	if (!s) {
		snprintf(why, len, "out of memory");
		return -ENOMEM;
	}
	/* STREAM's rule: each array at least 4 x the cache it could sit in.
	 * Capped so the three arrays of all ranks stay within a quarter of
	 * the host's memory (and 256 MiB each): a VM may claim a huge L3. */
	want = 4 * args->llc_bytes / (uint64_t)ranks / sizeof(double);
	if (args->memory_bytes &&
	    args->memory_bytes / 4 / (uint64_t)ranks / 24 < cap)
		cap = args->memory_bytes / 4 / (uint64_t)ranks / 24;
	n = want < MIN_ELEMENTS ? MIN_ELEMENTS : want;
	if (n > cap)
		n = cap;
	s->n = n;
	s->rule_met = args->llc_bytes > 0 && n >= want;
	s->llc_bytes = args->llc_bytes;
	s->per_round = (uint64_t)llround(args->factor * (double)n);
	if (s->per_round < 1)
		s->per_round = 1;
	s->rounds = args->quick ? 12 : 30;
	s->a = hpcp_probe_alloc(n * sizeof(double));
	s->b = hpcp_probe_alloc(n * sizeof(double));
	s->c = hpcp_probe_alloc(n * sizeof(double));
	if (!s->a || !s->b || !s->c) {
		free(s->a);
		free(s->b);
		free(s->c);
		free(s);
		snprintf(why, len, "out of memory for 3 arrays of %llu doubles",
			 (unsigned long long)n);
		return -ENOMEM;
	}
	for (uint64_t j = 0; j < n; j++) {
		s->b[j] = (double)(j % 1024);
		s->c[j] = (double)(j % 512);
	}
	*state = s;
	return 0;
}

static int triad_rounds(const void *state)
{
	return ((const struct triad_state *)state)->rounds;
}

static double triad_work(const void *state)
{
	const struct triad_state *s = state;

	return 24.0 * (double)s->per_round;
}

static void sweep(double *restrict a, const double *restrict b,
		  const double *restrict c, uint64_t n)
{
	for (uint64_t j = 0; j < n; j++)
		a[j] = b[j] + SCALAR * c[j];
}

static void triad_compute(void *state)
{
	struct triad_state *s = state;

	uint64_t left = s->per_round;

	while (left > 0) {
		uint64_t len = s->n - s->pos < left ? s->n - s->pos : left;

		sweep(s->a + s->pos, s->b + s->pos, s->c + s->pos, len);
		s->pos = (s->pos + len) % s->n;
		left -= len;
	}
	s->swept += s->per_round;
}

static int triad_communicate(void *state, MPI_Comm comm)
{
	struct triad_state *s = state;
	double mine = s->a[s->n / 2];

	return MPI_Allreduce(&mine, &s->sink, 1, MPI_DOUBLE, MPI_SUM, comm) ==
			       MPI_SUCCESS ? 0 : -EIO;
}

static int triad_verify(void *state, MPI_Comm comm, int *correct, char *why,
			size_t len)
{
	struct triad_state *s = state;
	uint64_t checked = s->swept < s->n ? s->swept : s->n;
	int ok = 1;

	for (uint64_t j = 0; j < checked; j++)
		if (s->a[j] != (double)(j % 1024) + SCALAR * (double)(j % 512))
			ok = 0;
	if (MPI_Allreduce(MPI_IN_PLACE, &ok, 1, MPI_INT, MPI_LAND, comm) !=
	    MPI_SUCCESS) {
		snprintf(why, len, "MPI_Allreduce failed");
		return -EIO;
	}
	*correct = ok;
	if (!ok)
		snprintf(why, len, "triad result differs from b + s c");
	return 0;
}

static void triad_describe(const void *state, struct hpcp_res *out)
{
	const struct triad_state *s = state;

	hpcp_res_int(out, "array_elements_count", (int64_t)s->n);
	hpcp_res_int(out, "array_bytes", (int64_t)(s->n * sizeof(double)));
	hpcp_res_int(out, "llc_bytes", (int64_t)s->llc_bytes);
	hpcp_res_int(out, "rounds", s->rounds);
	hpcp_res_int(out, "round_elements_base_count",
		     (int64_t)s->n);
	hpcp_res_str(out, "round_definition",
		     "round_elements_base_count x work factor elements, "
		     "continuing cyclically through the arrays");
	hpcp_res_str(out, "bytes_definition",
		     "24 per element (STREAM Triad); best round per rank");
	hpcp_res_bool(out, "stream_variant", 1);
	hpcp_res_bool(out, "array_size_rule_met", s->rule_met);
	if (!s->rule_met)
		hpcp_res_str(out, "array_size_note",
			     s->llc_bytes ? "arrays capped below 4 x the "
					    "last-level cache share (memory "
					    "limit): caches may inflate the "
					    "figure" :
					  "last-level cache size unknown");
}

static void triad_teardown(void *state)
{
	struct triad_state *s = state;

	if (!s)
		return;
	free(s->a);
	free(s->b);
	free(s->c);
	free(s);
}

const struct hpcp_kernel hpcp_kernel_triad = {
	.name = "triad",
	.work_unit = "bytes",
	.no_expected_lb = "memory-bound: the ranks of a host share its memory "
			  "bandwidth, so the first rank to finish frees "
			  "bandwidth for the others and the load balance "
			  "comes out above what the work alone implies",
	.setup = triad_setup,
	.rounds = triad_rounds,
	.work_per_round = triad_work,
	.compute = triad_compute,
	.communicate = triad_communicate,
	.verify = triad_verify,
	.describe = triad_describe,
	.teardown = triad_teardown,
};
