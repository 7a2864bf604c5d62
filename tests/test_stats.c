/*
 * The histogram against exact percentiles of known distributions
 * (10^6 samples each): every percentile within the documented bound of the
 * exact order statistic (1/256, exact below 256 ns); merging; the sample
 * counts a percentile needs and the null it gets below them; edge cases.
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

/*
 * Exact nearest-rank percentile, ranks in integers: p = num / den, rank
 * ceil(num * n / den), so no floating point stands between the test and
 * the definition.
 */
static uint64_t exact(const uint64_t *sorted, size_t n, uint64_t num,
		      uint64_t den)
{
	uint64_t rank = (num * n + den - 1) / den;

	return sorted[(rank ? rank : 1) - 1];
}

/* The documented bound: exact below 256 ns, else within 1/256. */
static int within_bound(uint64_t got, uint64_t want)
{
	uint64_t d = got > want ? got - want : want - got;

	return want < 256 ? d == 0 : d * 256 <= want;
}

static const double qs[] = { 0.5, 0.9, 0.99, 0.999 };
static const uint64_t q_num[] = { 500, 900, 990, 999 };
static const char *qn[] = { "p50", "p90", "p99", "p99.9" };

static void check_distribution(const char *name)
{
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
		uint64_t want = exact(samples, N, q_num[k], 1000);
		uint64_t got = hpcp_hist_quantile(&h, qs[k]);

		tap_ok(within_bound(got, want), "%s %s within 1/256 of the "
		       "exact sample (got %llu, exact %llu, error %.3f%%)",
		       name, qn[k], (unsigned long long)got,
		       (unsigned long long)want,
		       want ? fabs((double)got - (double)want) / (double)want *
				      100 : 0.0);
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

	for (int i = 0; i < N; i++)  /* 40 % at 300 ns, the rest 200 us */
		samples[i] = uniform01() < 0.4 ? 300 : 200000;
	check_distribution("two spikes");

	for (int i = 0; i < N; i++)  /* Pareto, alpha 1.2: heavy tail */
		samples[i] = (uint64_t)(800 / pow(1 - uniform01(), 1 / 1.2));
	check_distribution("pareto");

	for (int i = 0; i < N; i++)
		samples[i] = 4321;
	check_distribution("constant");

	for (int i = 0; i < N; i++)  /* below the linear limit: exact */
		samples[i] = (uint64_t)(uniform01() * 127);
	check_distribution("values < 128");

	for (int i = 0; i < N; i++)  /* around the first octave edges */
		samples[i] = 100 + (uint64_t)(uniform01() * 400);
	check_distribution("100..500 ns");
}

/*
 * Small samples: every size from 1 to 2000 of a spread distribution, each
 * percentile present exactly when the count supports it and then within
 * the bound of the exact sample of its rank.
 */
static void small_counts(void)
{
	static uint64_t v[2000];
	int present_ok = 1, bound_ok = 1, null_ok = 1, p50_ok = 1;
	uint64_t first_bad_n = 0;

	for (size_t n = 1; n <= 2000; n++) {
		struct hpcp_lat_summary s;
		const uint64_t *p[] = { &s.p50_ns, &s.p90_ns, &s.p99_ns,
					&s.p99_9_ns };
		const uint64_t need[] = { 1, 10, 100, 1000 };

		hpcp_hist_reset(&h);
		for (size_t i = 0; i < n; i++) {
			v[i] = 200 + (uint64_t)(uniform01() * 1e6);
			hpcp_hist_record(&h, v[i]);
		}
		qsort(v, n, sizeof(*v), cmp_u64);
		hpcp_hist_summary(&h, &s);
		for (int k = 0; k < 4; k++) {
			if (n < need[k]) {
				null_ok &= *p[k] == HPCP_LAT_NONE;
				continue;
			}
			present_ok &= *p[k] != HPCP_LAT_NONE;
			if (!within_bound(*p[k], exact(v, n, q_num[k], 1000))) {
				bound_ok = 0;
				first_bad_n = first_bad_n ? first_bad_n : n;
			}
		}
		p50_ok &= s.min_ns == v[0] && s.max_ns == v[n - 1];
	}
	tap_ok(null_ok, "n = 1..2000: p90 null below 10 samples, p99 below "
	       "100, p99.9 below 1000");
	tap_ok(present_ok, "n = 1..2000: every percentile present from its "
	       "minimum count on (p50 from 1 sample)");
	tap_ok(bound_ok, "n = 1..2000: present percentiles within 1/256 of "
	       "the exact nearest-rank sample (first failure at n = %llu)",
	       (unsigned long long)first_bad_n);
	tap_ok(p50_ok, "n = 1..2000: min and max exact");
}

static void rank_rules(void)
{
	int rank_ok = 1;
	char why[96];
	struct hpcp_lat_summary s;

	/* Decimal q times n on an integer must not round up a rank. */
	for (uint64_t n = 1; n <= 100000; n++)
		for (int k = 0; k < 4; k++)
			rank_ok &= hpcp_quantile_rank(qs[k], n) ==
				   (q_num[k] * n + 999) / 1000;
	tap_ok(rank_ok, "nearest rank equals ceil(q n) in integers for p50.."
	       "p99.9, n = 1..100000");
	tap_ok(hpcp_quantile_min_count(0.5) == 1 &&
	       hpcp_quantile_min_count(0.9) == 10 &&
	       hpcp_quantile_min_count(0.99) == 100 &&
	       hpcp_quantile_min_count(0.999) == 1000 &&
	       hpcp_quantile_min_count(0.95) == 20,
	       "minimum counts: p50 1, p90 10, p95 20, p99 100, p99.9 1000");

	hpcp_hist_reset(&h);
	for (int i = 0; i < 100; i++)
		hpcp_hist_record(&h, 1000 + (uint64_t)i);
	hpcp_hist_summary(&h, &s);
	hpcp_lat_reason(&s, why, sizeof(why));
	tap_ok(s.p99_ns != HPCP_LAT_NONE && s.p99_9_ns == HPCP_LAT_NONE &&
	       strcmp(why, "too few samples for p99.9: 100") == 0,
	       "100 samples: p99 kept, p99.9 null: \"%s\"", why);
	hpcp_hist_reset(&h);
	for (int i = 0; i < 5; i++)
		hpcp_hist_record(&h, 1000 + (uint64_t)i);
	hpcp_hist_summary(&h, &s);
	hpcp_lat_reason(&s, why, sizeof(why));
	tap_ok(s.p50_ns == 1002 &&
	       strcmp(why, "too few samples for p90, p99 and p99.9: 5") == 0,
	       "5 samples: p50 is the 3rd value, the rest null: \"%s\"", why);
	hpcp_hist_reset(&h);
	/* 100 + i / 8: ranks map to known values, all in exact buckets. */
	for (int i = 0; i < 1000; i++)
		hpcp_hist_record(&h, 100 + (uint64_t)i / 8);
	hpcp_hist_summary(&h, &s);
	tap_ok(hpcp_lat_reason(&s, why, sizeof(why)) == 0 && !why[0] &&
	       s.p99_9_ns == 100 + 998 / 8 && s.p99_ns == 100 + 989 / 8 &&
	       s.p90_ns == 100 + 899 / 8 && s.p50_ns == 100 + 499 / 8,
	       "1000 samples: every percentile, no reason; p99.9 is the "
	       "999th value, p99 the 990th, p90 the 900th, p50 the 500th");
	hpcp_lat_reason(&s, why, 0);
	hpcp_hist_reset(&h);
	hpcp_hist_record(&h, 7);
	hpcp_hist_summary(&h, &s);
	hpcp_lat_reason(&s, why, 12);
	tap_ok(strlen(why) == 11, "a short buffer truncates the reason safely");
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
	       "one sample: every quantile read is that sample");
}

int main(void)
{
	distributions();
	small_counts();
	rank_rules();
	merging();
	edges();
	return tap_done();
}
