/* Segment medians of a timed loop (hpcp/level.h). */
#include "config.h"

#include <string.h>

#include "hpcp/level.h"
#include "hpcp/pop.h"

void hpcp_level_init(struct hpcp_level *l, uint64_t iterations)
{
	const uint64_t per_pass =
		(uint64_t)HPCP_LEVEL_SAMPLES * HPCP_LEVEL_MAX_SEGMENTS;

	memset(l, 0, sizeof(*l));
	l->every = iterations > per_pass ?
		(iterations + per_pass - 1) / per_pass : 1;
}

void hpcp_level_add(struct hpcp_level *l, uint64_t value)
{
	double q1, q3;

	if (l->segments >= HPCP_LEVEL_MAX_SEGMENTS)
		return;
	if (++l->skipped < l->every)
		return;
	l->skipped = 0;
	l->cur[l->kept++] = (double)value;
	if (l->kept < HPCP_LEVEL_SAMPLES)
		return;
	hpcp_round_stats(l->cur, HPCP_LEVEL_SAMPLES,
			 &l->median[l->segments++], &q1, &q3);
	l->kept = 0;
}

void hpcp_level_judge(struct hpcp_level *l, struct hpcp_level_result *r)
{
	int n = l->segments, trim;
	double q1, q3;

	memset(r, 0, sizeof(*r));
	r->segments = n;
	r->segment_iterations = (uint64_t)HPCP_LEVEL_SAMPLES * l->every;
	if (n < 1)
		return;
	/* Sorts the medians: the order statistics below index them. */
	hpcp_round_stats(l->median, n, &r->median, &q1, &q3);
	r->min = l->median[0];
	r->max = l->median[n - 1];
	/* Order statistics ceil(n / 10) in from each end: a slow stretch
	 * under a tenth of the loop holds the majority of at most that many
	 * segments, so it never reaches p90.  Below the judged count, the
	 * extremes (reported, not judged). */
	trim = n >= HPCP_LEVEL_MIN_SEGMENTS ? (n + 9) / 10 : 0;
	r->p10 = l->median[trim];
	r->p90 = l->median[n - 1 - trim];
	r->ratio = r->p10 > 0 ? r->p90 / r->p10 : 0;
	if (n < HPCP_LEVEL_MIN_SEGMENTS)
		return;
	r->judged = 1;
	r->shifted = r->ratio > HPCP_LEVEL_SHIFT_MAX;
}
