/* The cross-rank histogram merge equals the histogram of all samples, and
 * which percentiles it can report follows the merged count. */
#include "config.h"

#include <mpi.h>
#include <string.h>

#include "hpcp/stats.h"
#include "tap.h"

static struct hpcp_hist mine, merged, expected, few, few_merged;

static uint64_t sample(int rank, int i)
{
	return 100 + (uint64_t)rank * 997 + (uint64_t)i * 31 % 50000;
}

int main(int argc, char **argv)
{
	int rank, size, rc, same;

	MPI_Init(&argc, &argv);
	MPI_Comm_rank(MPI_COMM_WORLD, &rank);
	MPI_Comm_size(MPI_COMM_WORLD, &size);
	hpcp_hist_reset(&mine);
	hpcp_hist_reset(&merged);
	hpcp_hist_reset(&expected);
	for (int i = 0; i < 10000 + rank; i++)
		hpcp_hist_record(&mine, sample(rank, i));
	rc = hpcp_hist_reduce(&mine, &merged, 0, MPI_COMM_WORLD);
	/* 30 samples per rank: too few for a p99 on any one rank. */
	hpcp_hist_reset(&few);
	hpcp_hist_reset(&few_merged);
	for (int i = 0; i < 30; i++)
		hpcp_hist_record(&few, sample(rank, i));
	if (rc == 0)
		rc = hpcp_hist_reduce(&few, &few_merged, 0, MPI_COMM_WORLD);
	if (rank == 0) {
		struct hpcp_lat_summary s;
		int total = 30 * size;

		hpcp_hist_summary(&few_merged, &s);
		tap_ok(s.count == (uint64_t)total &&
		       (s.p90_ns != HPCP_LAT_NONE) &&
		       (s.p99_ns == HPCP_LAT_NONE) == (total < 100) &&
		       s.p99_9_ns == HPCP_LAT_NONE,
		       "%d merged samples (30 a rank): p90 kept, p99 %s, "
		       "p99.9 null", total, total < 100 ? "null" : "kept");
		for (int r = 0; r < size; r++)
			for (int i = 0; i < 10000 + r; i++)
				hpcp_hist_record(&expected, sample(r, i));
		same = memcmp(&merged, &expected, sizeof(merged)) == 0;
		tap_ok(rc == 0, "reduce over %d ranks succeeds", size);
		tap_ok(same, "merged histogram equals the union of all samples");
		tap_ok(merged.count == (uint64_t)(10000 * size +
						  size * (size - 1) / 2),
		       "merged count is every rank's count");
		rc = tap_done();
	} else {
		rc = 0;
	}
	MPI_Finalize();
	return rc;
}
