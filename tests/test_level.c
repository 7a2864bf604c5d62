/* Level shifts inside a loop (hpcp/level.h) on synthetic series with a
 * known answer: one speed with noise and preemption spikes, two speeds
 * alternating call by call (a stationary mixture), a switch from 836 to
 * 1 500 ns part way, one slow stretch, and loops too short to judge. */
#include "config.h"

#include <math.h>

#include "hpcp/level.h"
#include "tap.h"

static struct hpcp_level lv;

/* value(i) for i < n, fed in order. */
static void feed(uint64_t n, uint64_t (*value)(uint64_t i, uint64_t n),
		 struct hpcp_level_result *r)
{
	hpcp_level_init(&lv, n);
	for (uint64_t i = 0; i < n; i++)
		hpcp_level_add(&lv, value(i, n));
	hpcp_level_judge(&lv, r);
}

static uint64_t lcg = 12345;

/* Uniform in [0, 1): a fixed LCG, so the series is the same every run. */
static double unit(void)
{
	lcg = lcg * 6364136223846793005ull + 1442695040888963407ull;
	return (double)(lcg >> 11) / 9007199254740992.0;
}

/* 836 ns +-5 %, and one call in 50 preempted (30 us). */
static uint64_t steady(uint64_t i, uint64_t n)
{
	(void)i, (void)n;
	if (unit() < 0.02)
		return 30000;
	return (uint64_t)(836 * (0.95 + 0.1 * unit()));
}

static uint64_t alternating(uint64_t i, uint64_t n)
{
	(void)n;
	return i % 2 ? 1500 : 836;
}

/* 836 ns for the first 55 %, then 1 500: the failed run's mixture. */
static uint64_t switched(uint64_t i, uint64_t n)
{
	return i < n * 55 / 100 ? 836 : 1500;
}

/* 836 ns, but 2 000 ns for stretch_per_mille of the loop, from
 * stretch_at per mille on. */
static uint64_t stretch_per_mille = 50, stretch_at = 500;

static uint64_t slow_stretch(uint64_t i, uint64_t n)
{
	uint64_t from = n * stretch_at / 1000;

	return i >= from && i < from + n * stretch_per_mille / 1000 ? 2000 : 836;
}

int main(void)
{
	struct hpcp_level_result r;

	feed(55000, steady, &r);
	tap_ok(r.judged && !r.shifted && r.segments == 61 &&
	       r.segment_iterations == 896,
	       "55 000 calls at one speed with 2 %% preempted: one in 7 kept, "
	       "61 segments of 896, no shift (p90/p10 %.3f)", r.ratio);
	tap_ok(r.median > 836 * 0.95 && r.median < 836 * 1.05,
	       "its segment medians centre on the speed (%.0f ns)", r.median);

	feed(8000, alternating, &r);
	tap_ok(r.judged && !r.shifted && r.min == r.max,
	       "836 and 1 500 ns alternating call by call: a stationary "
	       "mixture, every segment's median the same (%.0f)", r.median);

	feed(55000, switched, &r);
	tap_ok(r.judged && r.shifted && r.p10 == 836 && r.p90 == 1500,
	       "836 ns then 1 500 ns from 55 %%: shifted, p10 %.0f p90 %.0f, "
	       "ratio %.3f > %.1f", r.p10, r.p90, r.ratio,
	       HPCP_LEVEL_SHIFT_MAX);

	feed(55000, slow_stretch, &r);
	tap_ok(r.judged && !r.shifted && r.max == 2000,
	       "one slow stretch of 5 %% of the loop: seen in the max "
	       "segment (%.0f) but not a shift", r.max);

	/* Just under a tenth, wherever it falls, at 58 segments (60 000
	 * calls) and at 9 (1 200 calls): never a shift. */
	{
		int any = 0, at_most = 0;

		stretch_per_mille = 99;
		for (uint64_t n = 1200; n <= 60000; n += 58800)
			for (stretch_at = 0; stretch_at <= 900; stretch_at += 7) {
				feed(n, slow_stretch, &r);
				any |= r.shifted || !r.judged;
				at_most = r.segments > at_most ? r.segments :
								 at_most;
			}
		tap_ok(!any && at_most == 58,
		       "a slow stretch of 9.9 %% of the loop at any of 129 "
		       "places, in 9 and 58 segments: never a shift");
		stretch_per_mille = 150;
		stretch_at = 400;
		feed(60000, slow_stretch, &r);
		tap_ok(r.judged && r.shifted,
		       "a slow stretch of 15 %% of the loop: a shift (p90/p10 "
		       "%.3f)", r.ratio);
		stretch_per_mille = 50;
		stretch_at = 500;
	}

	feed(1000000, switched, &r);
	tap_ok(r.judged && r.shifted && r.segments == 63 &&
	       r.segment_iterations == 15744,
	       "1 000 000 calls: one sample in 123 kept, 63 segments of "
	       "15 744, the shift still seen");

	feed(1024, switched, &r);
	tap_ok(r.judged && r.shifted && r.segments == 8,
	       "1 024 calls: 8 segments of 128, enough to judge; shifted");

	feed(1000, switched, &r);
	tap_ok(!r.judged && !r.shifted && r.segments == 7,
	       "1 000 calls: 7 segments, too few to judge (%d needed)",
	       HPCP_LEVEL_MIN_SEGMENTS);

	feed(100, steady, &r);
	tap_ok(!r.judged && r.segments == 0 && r.ratio == 0,
	       "100 calls: no complete segment");
	return tap_done();
}
