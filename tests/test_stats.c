/*
 * The histogram against exact percentiles of known distributions
 * (10^6 samples each), merging, and edge cases.
 */
#include "config.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "hpcp/stats.h"
#include "tap.h"

#define N 1000000

static struct hpcp_hist h, a, b, u;
static uint64_t samples[N];

/* xorshift64*: deterministic, so a failure can be reproduced. */
static uint64_t rng_state = 0x2545f4914f6cdd1dull;

static double uniform01(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return (double)((rng_state * 0x2545f4914f6cdd1dull) >> 11) * 0x1.0p-53;
}

static int cmp_u64(const void *x, const void *y)
{
	uint64_t p = *(const uint64_t *)x, q = *(const uint64_t *)y;

	return (p > q) - (p < q);
}

/* Exact percentile with the same rank rule: ceil(q * n). */
static uint64_t exact(const uint64_t *sorted, double q)
{
	size_t rank = (size_t)ceil(q * N);

	return sorted[(rank ? rank : 1) - 1];
}

static void check_distribution(const char *name)
{
	const double qs[] = { 0.5, 0.9, 0.99, 0.999 };
	const char *qn[] = { "p50", "p90", "p99", "p99.9" };
	uint64_t sum = 0, lo = UINT64_MAX, hi = 0;
	struct hpcp_lat_summary s;

	hpcp_hist_reset(&h);
	for (int i = 0; i < N; i++) {
		hpcp_hist_record(&h, samples[i]);
		sum += samples[i];
		lo = samples[i] < lo ? samples[i] : lo;
		hi = samples[i] > hi ? samples[i] : hi;
	}
	qsort(samples, N, sizeof(*samples), cmp_u64);
	for (int k = 0; k < 4; k++) {
		double want = (double)exact(samples, qs[k]);
		double got = (double)hpcp_hist_quantile(&h, qs[k]);
		double err = fabs(got - want) / want;

		tap_ok(err <= 0.01, "%s %s within 1%% (got %.0f, exact %.0f, "
		       "error %.3f%%)", name, qn[k], got, want, err * 100);
	}
	hpcp_hist_summary(&h, &s);
	tap_ok(s.count == N && s.min_ns == lo && s.max_ns == hi,
	       "%s: count, min and max are exact", name);
	tap_ok(fabs(s.mean_ns - (double)sum / N) < 1e-6,
	       "%s: mean is exact", name);
	tap_ok(s.min_ns <= s.p50_ns && s.p50_ns <= s.p90_ns &&
	       s.p90_ns <= s.p99_ns && s.p99_ns <= s.p99_9_ns &&
	       s.p99_9_ns <= s.max_ns, "%s: percentiles are ordered", name);
}

static void distributions(void)
{
	for (int i = 0; i < N; i++)  /* 1 us .. 1 ms */
		samples[i] = 1000 + (uint64_t)(uniform01() * 999000);
	check_distribution("uniform");

	for (int i = 0; i < N; i++)  /* mean 20 us, 300 ns floor */
		samples[i] = 300 + (uint64_t)(-log(1 - uniform01()) * 20000);
	check_distribution("exponential");

	for (int i = 0; i < N; i++) {  /* 90 % near 2 us, 10 % near 50 us */
		double base = uniform01() < 0.9 ? 2000 : 50000;

		samples[i] = (uint64_t)(base * (0.95 + 0.1 * uniform01()));
	}
	check_distribution("bimodal");
}

static void merging(void)
{
	int same = 1;

	hpcp_hist_reset(&a);
	hpcp_hist_reset(&b);
	hpcp_hist_reset(&u);
	for (int i = 0; i < 100000; i++) {
		uint64_t v = (uint64_t)(uniform01() * 1e7);

		hpcp_hist_record(i % 3 ? &a : &b, v);
		hpcp_hist_record(&u, v);
	}
	hpcp_hist_merge(&a, &b);
	same = memcmp(&a, &u, sizeof(a)) == 0;
	tap_ok(same, "merge equals the histogram of the union");
	hpcp_hist_reset(&b);
	hpcp_hist_merge(&a, &b);
	tap_ok(memcmp(&a, &u, sizeof(a)) == 0,
	       "merging an empty histogram changes nothing");
}

static void edges(void)
{
	uint64_t lo, width;
	int exact_small = 1, contiguous = 1, bounded = 1;

	hpcp_hist_reset(&h);
	tap_ok(hpcp_hist_quantile(&h, 0.5) == 0, "empty histogram: p50 is 0");
	for (uint64_t v = 0; v < 128; v++)
		exact_small &= hpcp_hist_index(v) == v;
	tap_ok(exact_small, "values below 128 ns have a bucket each");
	for (unsigned i = 0; i + 1 < HPCP_HIST_BUCKETS; i++) {
		uint64_t lo2, w2;

		hpcp_hist_bucket_range(i, &lo, &width);
		hpcp_hist_bucket_range(i + 1, &lo2, &w2);
		contiguous &= lo + width == lo2;
		contiguous &= hpcp_hist_index(lo) == i &&
			      hpcp_hist_index(lo + width - 1) == i;
		if (lo >= 128)
			bounded &= (double)width / (double)lo <= 1.0 / 128;
	}
	tap_ok(contiguous, "buckets tile the range without gaps or overlaps");
	tap_ok(bounded, "every bucket is at most 1/128 of its values wide");
	hpcp_hist_record(&h, UINT64_MAX / 2);
	tap_ok(hpcp_hist_index(UINT64_MAX / 2) == HPCP_HIST_BUCKETS - 1 &&
	       h.max_ns == UINT64_MAX / 2 &&
	       hpcp_hist_quantile(&h, 0.5) == UINT64_MAX / 2,
	       "huge values land in the last bucket, max stays exact");
	hpcp_hist_reset(&h);
	hpcp_hist_record(&h, 1234567);
	tap_ok(hpcp_hist_quantile(&h, 0.5) == 1234567 &&
	       hpcp_hist_quantile(&h, 0.999) == 1234567,
	       "one sample: every percentile is that sample");
}

int main(void)
{
	distributions();
	merging();
	edges();
	return tap_done();
}
