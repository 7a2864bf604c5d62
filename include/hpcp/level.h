/*
 * Level shifts inside one timed loop.  A VM's cores change speed under the
 * guest (seen here: an 8-byte shared-memory all-reduce at 836 ns for
 * seconds, then at 1 500 ns); when that happens during a loop, its
 * distribution is a mixture of two hosts and its p50 falls wherever the
 * split puts it, unlike the p50 of any other run.  Cutting the loop into
 * consecutive segments and comparing their medians tells such a run from
 * one that ran at one speed, whatever the mixture of its single samples
 * (a bimodal collective that alternates call by call has equal segment
 * medians, and is not a shift).
 *
 * Samples are offered in iteration order; one in `every` is kept, so a
 * segment is HPCP_LEVEL_SAMPLES x every iterations and a loop of any
 * length has at most HPCP_LEVEL_MAX_SEGMENTS segments.  Fixed size, no
 * allocation.
 */
#ifndef HPCP_LEVEL_H
#define HPCP_LEVEL_H

#include <stdint.h>

#define HPCP_LEVEL_SAMPLES 128
#define HPCP_LEVEL_MAX_SEGMENTS 64
/* Fewer segments than this cannot tell a shift from one slow stretch. */
#define HPCP_LEVEL_MIN_SEGMENTS 8
/* p90 / p10 of the segment medians above this: the loop ran at more than
 * one speed.  p10 and p90 are ceil(n / 10) segments in from each end, so a
 * slow stretch under a tenth of the loop (which holds the majority of at
 * most that many segments) does not count. */
#define HPCP_LEVEL_SHIFT_MAX 1.2

struct hpcp_level {
	uint64_t every;      /* keep one sample in this many */
	uint64_t skipped;    /* since the last kept one */
	int kept;            /* in the current segment */
	int segments;        /* complete ones */
	double cur[HPCP_LEVEL_SAMPLES];
	double median[HPCP_LEVEL_MAX_SEGMENTS];
};

struct hpcp_level_result {
	int judged;                 /* 0: too few segments (see reason) */
	int segments;
	uint64_t segment_iterations;
	double min, p10, median, p90, max;
	double ratio;               /* p90 / p10 */
	int shifted;                /* ratio > HPCP_LEVEL_SHIFT_MAX */
};

/* For a loop of `iterations` samples. */
void hpcp_level_init(struct hpcp_level *l, uint64_t iterations);

/* Inside loops: a copy and a counter; a sort of HPCP_LEVEL_SAMPLES
 * doubles once per segment. */
void hpcp_level_add(struct hpcp_level *l, uint64_t value);

/* The complete segments' medians (a last, partial one is dropped).
 * Sorts l->median. */
void hpcp_level_judge(struct hpcp_level *l, struct hpcp_level_result *r);

#endif
