#include "config.h"

#include "hpcp/stats.h"

#include <errno.h>
#include <math.h>
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

uint64_t hpcp_hist_quantile(const struct hpcp_hist *h, double q)
{
	uint64_t target, seen = 0;

	if (h->count == 0)
		return 0;
	if (q <= 0)
		return h->min_ns;
	target = (uint64_t)ceil(q * (double)h->count);
	if (target < 1)
		target = 1;
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

void hpcp_hist_summary(const struct hpcp_hist *h, struct hpcp_lat_summary *s)
{
	memset(s, 0, sizeof(*s));
	s->count = h->count;
	if (h->count == 0)
		return;
	s->min_ns = h->min_ns;
	s->max_ns = h->max_ns;
	s->p50_ns = hpcp_hist_quantile(h, 0.50);
	s->p90_ns = hpcp_hist_quantile(h, 0.90);
	s->p99_ns = hpcp_hist_quantile(h, 0.99);
	s->p99_9_ns = hpcp_hist_quantile(h, 0.999);
	s->mean_ns = (double)h->sum_ns / (double)h->count;
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
