#include "config.h"

#include "hpcp/stats.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

void hpcp_hist_reset(struct hpcp_hist *h)
{
	memset(h, 0, sizeof(*h));
	h->min_ns = UINT64_MAX;
}

void hpcp_hist_bucket_range(unsigned i, uint64_t *lo, uint64_t *width)
{
	unsigned octave, sub;

	if (i < HPCP_HIST_SUB) {
		*lo = i;
		*width = 1;
		return;
	}
	octave = (i - HPCP_HIST_SUB) / HPCP_HIST_SUB;  /* 0: [128, 256) */
	sub = (i - HPCP_HIST_SUB) % HPCP_HIST_SUB;
	*width = 1ull << octave;
	*lo = (1ull << (octave + HPCP_HIST_SUB_BITS)) + (uint64_t)sub * *width;
}

void hpcp_hist_merge(struct hpcp_hist *dst, const struct hpcp_hist *src)
{
	if (src->count == 0)
		return;
	for (unsigned i = 0; i < HPCP_HIST_BUCKETS; i++)
		dst->buckets[i] += src->buckets[i];
	dst->count += src->count;
	dst->sum_ns += src->sum_ns;
	if (src->min_ns < dst->min_ns)
		dst->min_ns = src->min_ns;
	if (src->max_ns > dst->max_ns)
		dst->max_ns = src->max_ns;
}

uint64_t hpcp_quantile_rank(double q, uint64_t n)
{
	double x = q * (double)n;
	uint64_t r;

	if (n == 0)
		return 0;
	if (!(x > 0))
		return 1;
	if (x >= (double)n)
		return n;
	r = (uint64_t)ceil(x);
	if (r < 1)
		r = 1;
	return r > n ? n : r;
}

uint64_t hpcp_quantile_min_count(double q)
{
	double x;

	if (q <= 0.5)
		return 1;
	if (q >= 1)
		return UINT64_MAX;
	x = 1 / (1 - q);
	/* 1 / (1 - 0.9) is 10.000000000000002 in binary: a result within
	 * a few ulps of an integer is that integer. */
	if (fabs(x - (double)llround(x)) <= 1e-9 * x)
		return (uint64_t)llround(x);
	return (uint64_t)ceil(x);
}

uint64_t hpcp_hist_quantile(const struct hpcp_hist *h, double q)
{
	uint64_t target, seen = 0;

	if (h->count == 0)
		return 0;
	if (q <= 0)
		return h->min_ns;
	target = hpcp_quantile_rank(q, h->count);
	/* The top rank is the max, which is kept exactly. */
	if (target >= h->count)
		return h->max_ns;
	for (unsigned i = 0; i < HPCP_HIST_BUCKETS; i++) {
		uint64_t lo, width, v;

		seen += h->buckets[i];
		if (seen < target)
			continue;
		hpcp_hist_bucket_range(i, &lo, &width);
		v = lo + width / 2;
		if (v < h->min_ns)
			v = h->min_ns;
		if (v > h->max_ns)
			v = h->max_ns;
		return v;
	}
	return h->max_ns;
}

static uint64_t quantile_or_none(const struct hpcp_hist *h, double q)
{
	return h->count < hpcp_quantile_min_count(q) ? HPCP_LAT_NONE :
						       hpcp_hist_quantile(h, q);
}

void hpcp_hist_summary(const struct hpcp_hist *h, struct hpcp_lat_summary *s)
{
	memset(s, 0, sizeof(*s));
	s->count = h->count;
	if (h->count == 0)
		return;
	s->min_ns = h->min_ns;
	s->max_ns = h->max_ns;
	s->p50_ns = quantile_or_none(h, 0.50);
	s->p90_ns = quantile_or_none(h, 0.90);
	s->p99_ns = quantile_or_none(h, 0.99);
	s->p99_9_ns = quantile_or_none(h, 0.999);
	s->mean_ns = (double)h->sum_ns / (double)h->count;
}

int hpcp_lat_reason(const struct hpcp_lat_summary *s, char *buf, size_t len)
{
	const uint64_t v[] = { s->p50_ns, s->p90_ns, s->p99_ns, s->p99_9_ns };
	const char *name[] = { "p50", "p90", "p99", "p99.9" };
	int missing = 0, seen = 0, n = 0;

	if (len)
		buf[0] = 0;
	for (int i = 0; i < 4; i++)
		missing += v[i] == HPCP_LAT_NONE;
	if (!missing || !len)
		return 0;
	n = snprintf(buf, len, "too few samples for");
	for (int i = 0; i < 4 && n >= 0 && (size_t)n < len; i++) {
		if (v[i] != HPCP_LAT_NONE)
			continue;
		seen++;
		n += snprintf(buf + n, len - (size_t)n, "%s%s",
			      seen == 1 ? " " :
			      seen == missing ? " and " : ", ", name[i]);
	}
	if (n >= 0 && (size_t)n < len)
		n += snprintf(buf + n, len - (size_t)n, ": %llu",
			      (unsigned long long)s->count);
	return n < 0 ? 0 : ((size_t)n < len ? n : (int)len - 1);
}

int hpcp_hist_reduce(const struct hpcp_hist *mine, struct hpcp_hist *out,
		     int root, MPI_Comm comm)
{
	uint64_t head[2] = { mine->count, mine->sum_ns };
	uint64_t sums[2] = { 0, 0 };
	uint64_t lo = mine->min_ns, hi = mine->max_ns;
	int rank, rc;

	MPI_Comm_rank(comm, &rank);
	rc = MPI_Reduce(mine->buckets, rank == root ? out->buckets : NULL,
			HPCP_HIST_BUCKETS, MPI_UINT64_T, MPI_SUM, root, comm);
	if (rc == MPI_SUCCESS)
		rc = MPI_Reduce(head, sums, 2, MPI_UINT64_T, MPI_SUM, root,
				comm);
	if (rc == MPI_SUCCESS)
		rc = MPI_Reduce(&mine->min_ns, &lo, 1, MPI_UINT64_T, MPI_MIN,
				root, comm);
	if (rc == MPI_SUCCESS)
		rc = MPI_Reduce(&mine->max_ns, &hi, 1, MPI_UINT64_T, MPI_MAX,
				root, comm);
	if (rc != MPI_SUCCESS)
		return -EIO;
	if (rank == root) {
		out->count = sums[0];
		out->sum_ns = sums[1];
		out->min_ns = lo;
		out->max_ns = hi;
	}
	return 0;
}
