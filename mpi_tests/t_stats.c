/* The cross-rank histogram merge equals the histogram of all samples. */
#include "config.h"

#include <mpi.h>
#include <string.h>

#include "hpcp/stats.h"
#include "tap.h"

static struct hpcp_hist mine, merged, expected;

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
	if (rank == 0) {
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
