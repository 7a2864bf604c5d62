/*
 * Latency statistics: a mergeable log-linear histogram over integer
 * nanoseconds.
 *
 * Values below 256 ns have a bucket each; above, every power of two is cut
 * into 128 equal buckets, so a bucket is at most 1/128 (0.8 %) of its
 * values wide and a percentile read at the bucket's midpoint is within
 * 1/256 (0.4 %) of the exact order statistic (exact below 256 ns).  min,
 * max, count and sum are exact.  The structure has a fixed size and no
 * pointers: recording allocates nothing and merging across ranks is a sum
 * of the bucket arrays.
 */
#ifndef HPCP_STATS_H
#define HPCP_STATS_H

#include <mpi.h>
#include <stddef.h>
#include <stdint.h>

#define HPCP_HIST_SUB_BITS 7
#define HPCP_HIST_SUB (1u << HPCP_HIST_SUB_BITS)
/* Octaves above the linear range; values beyond 2^44 ns (4.9 h) share the
 * last bucket (max stays exact). */
#define HPCP_HIST_MAX_EXP 44
#define HPCP_HIST_BUCKETS \
	(HPCP_HIST_SUB + (HPCP_HIST_MAX_EXP - HPCP_HIST_SUB_BITS) * HPCP_HIST_SUB)

struct hpcp_hist {
	uint64_t count;
	uint64_t min_ns;
	uint64_t max_ns;
	uint64_t sum_ns;
	uint64_t buckets[HPCP_HIST_BUCKETS];
};

/* A percentile the sample count cannot support (see hpcp_quantile_min_count). */
#define HPCP_LAT_NONE UINT64_MAX

/* What the document reports of a distribution.  A percentile is
 * HPCP_LAT_NONE when there are too few samples to estimate it. */
struct hpcp_lat_summary {
	uint64_t count;
	uint64_t min_ns, p50_ns, p90_ns, p99_ns, p99_9_ns, max_ns;
	double mean_ns;
};

void hpcp_hist_reset(struct hpcp_hist *h);

static inline unsigned hpcp_hist_index(uint64_t v)
{
	unsigned e;

	if (v < HPCP_HIST_SUB)
		return (unsigned)v;
	e = 63u - (unsigned)__builtin_clzll(v);
	if (e >= HPCP_HIST_MAX_EXP)
		return HPCP_HIST_BUCKETS - 1;
	return HPCP_HIST_SUB + (e - HPCP_HIST_SUB_BITS) * HPCP_HIST_SUB +
	       (unsigned)((v >> (e - HPCP_HIST_SUB_BITS)) & (HPCP_HIST_SUB - 1));
}

/* For timed loops: a handful of integer operations, no branches to speak
 * of, no allocation. */
static inline void hpcp_hist_record(struct hpcp_hist *h, uint64_t v)
{
	h->buckets[hpcp_hist_index(v)]++;
	h->count++;
	h->sum_ns += v;
	if (v < h->min_ns)
		h->min_ns = v;
	if (v > h->max_ns)
		h->max_ns = v;
}

/* Lowest value and width of bucket i. */
void hpcp_hist_bucket_range(unsigned i, uint64_t *lo, uint64_t *width);

/* dst += src. */
void hpcp_hist_merge(struct hpcp_hist *dst, const struct hpcp_hist *src);

/*
 * The nearest rank of the q-quantile among n sorted samples: ceil(q * n),
 * at least 1 and at most n.
 */
uint64_t hpcp_quantile_rank(double q, uint64_t n);

/*
 * Samples needed before the q-quantile says more than the maximum:
 * ceil(1 / (1 - q)) for q above the median (p90: 10, p99: 100,
 * p99.9: 1000); with fewer, the nearest rank is the largest sample.  The
 * median needs 1: the median of one sample is that sample.
 */
uint64_t hpcp_quantile_min_count(double q);

/*
 * The q-quantile (0 < q <= 1): the value with rank hpcp_quantile_rank(q,
 * count), reported as its bucket's midpoint and clamped to [min, max]; so
 * within 1/256 of the exact sample of that rank, exact below 256 ns and
 * at rank count (the max).  0 when empty.  Whether the count supports q is
 * the caller's question (hpcp_quantile_min_count).
 */
uint64_t hpcp_hist_quantile(const struct hpcp_hist *h, double q);

/* min, p50..p99.9, max, mean; a percentile with fewer samples than
 * hpcp_quantile_min_count is HPCP_LAT_NONE. */
void hpcp_hist_summary(const struct hpcp_hist *h, struct hpcp_lat_summary *s);

/*
 * Why some percentiles of s are missing, e.g. "too few samples for p99 and
 * p99.9: 50"; "" (returns 0) when none is.  Returns the length written.
 */
int hpcp_lat_reason(const struct hpcp_lat_summary *s, char *buf, size_t len);

/*
 * Collective over comm: the sum of every rank's histogram into *out on
 * root (out may be NULL elsewhere).  Returns 0 or -EIO.
 */
int hpcp_hist_reduce(const struct hpcp_hist *mine, struct hpcp_hist *out,
		     int root, MPI_Comm comm);

#endif
