/* Clocks: monotonic nanoseconds for measuring, UTC wall time for the record. */
#ifndef HPCP_TIMER_H
#define HPCP_TIMER_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

/* Resolution of CLOCK_MONOTONIC, in nanoseconds (clock_getres). */
uint64_t hpcp_timer_resolution_ns(void);

/*
 * Cost of one hpcp_now_ns() call, in nanoseconds: the median over batches
 * of back-to-back reads.  Every probe sample contains one read.
 */
uint64_t hpcp_timer_overhead_ns(void);

/* Wall-clock time as "2026-11-27T02:15:51.123Z" into buf (>= 32 bytes). */
void hpcp_utc_now(char *buf, size_t len);

/* CLOCK_MONOTONIC in nanoseconds; a vDSO call, cheap enough for a timed loop. */
static inline uint64_t hpcp_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

#endif
