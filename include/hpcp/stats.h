/*
 * Latency statistics: a mergeable log-linear histogram over integer
 * nanoseconds.
 *
 * Values below 128 ns have a bucket each; above, every power of two is cut
 * into 128 equal buckets, so a bucket is at most 1/128 (0.8 %) of its
 * values wide and a percentile read at the bucket's midpoint is within
 * 0.4 %.  min, max, count and sum are exact.  The structure has a fixed
 * size and no pointers: recording allocates nothing and merging across
 * ranks is a sum of the bucket arrays.
 */
#ifndef HPCP_STATS_H
#define HPCP_STATS_H

#include <mpi.h>
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

/* What the document reports of a distribution. */
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
 * The q-quantile (0 < q <= 1): the value with rank ceil(q * count),
 * reported as its bucket's midpoint and clamped to [min, max].  0 when
 * empty.
 */
uint64_t hpcp_hist_quantile(const struct hpcp_hist *h, double q);

void hpcp_hist_summary(const struct hpcp_hist *h, struct hpcp_lat_summary *s);

/*
 * Collective over comm: the sum of every rank's histogram into *out on
 * root (out may be NULL elsewhere).  Returns 0 or -EIO.
 */
int hpcp_hist_reduce(const struct hpcp_hist *mine, struct hpcp_hist *out,
		     int root, MPI_Comm comm);

#endif
