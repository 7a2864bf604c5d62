#include "config.h"

#include "hpcp/timer.h"

#include <stdio.h>
#include <time.h>

uint64_t hpcp_timer_resolution_ns(void)
{
	struct timespec res;

	if (clock_getres(CLOCK_MONOTONIC, &res) != 0)
		return 0;
	return (uint64_t)res.tv_sec * 1000000000u + (uint64_t)res.tv_nsec;
}

#define OVERHEAD_BATCHES 15
#define OVERHEAD_READS 1000

uint64_t hpcp_timer_overhead_ns(void)
{
	uint64_t per[OVERHEAD_BATCHES];

	for (int b = 0; b < OVERHEAD_BATCHES; b++) {
		uint64_t t0 = hpcp_now_ns(), t1 = t0;

		for (int i = 0; i < OVERHEAD_READS; i++)
			t1 = hpcp_now_ns();
		per[b] = (t1 - t0 + OVERHEAD_READS / 2) / OVERHEAD_READS;
	}
	/* Insertion sort: a batch a preemption hit is a high outlier. */
	for (int i = 1; i < OVERHEAD_BATCHES; i++)
		for (int j = i; j > 0 && per[j - 1] > per[j]; j--) {
			uint64_t tmp = per[j];

			per[j] = per[j - 1];
			per[j - 1] = tmp;
		}
	return per[OVERHEAD_BATCHES / 2];
}

void hpcp_utc_now(char *buf, size_t len)
{
	struct timespec ts;
	struct tm tm;
	char base[24];

	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	strftime(base, sizeof(base), "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(buf, len, "%s.%03ldZ", base, ts.tv_nsec / 1000000L);
}
