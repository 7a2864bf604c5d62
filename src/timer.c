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
