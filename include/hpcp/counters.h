/*
 * Hardware counters per kernel per rank, through PAPI.
 *
 * Only src/counters_papi.c includes papi.h; a build without PAPI links
 * src/counters_none.c, which says so.  Hardware events (instructions,
 * cycles, floating-point operations) are tried one by one and kept if they
 * can be added and started; when none can (a VM without a PMU gives
 * PAPI_ENOEVNT), the module falls back to the software event
 * perf::TASK-CLOCK and records why the hardware ones are missing.
 *
 * Rank-local; one counter set per process; not thread-safe.
 */
#ifndef HPCP_COUNTERS_H
#define HPCP_COUNTERS_H

#include <stddef.h>

struct hpcp_counters;

struct hpcp_counters_status {
	char backend[48];        /* "PAPI 7.0.0.0", or "none" */
	int hw_available;        /* at least one hardware event counts */
	char hw_reason[200];     /* why not (first failing event and error) */
	char hw_events[128];     /* events in use, "PAPI_TOT_INS,PAPI_TOT_CYC" */
	int sw_available;        /* perf::TASK-CLOCK counts */
	char sw_reason[200];
};

/* Counts of one measured region; have_* says which were counted. */
struct hpcp_counter_values {
	long long instructions, cycles, fp_ops, task_clock_ns;
	int have_instructions, have_cycles, have_fp_ops, have_task_clock;
};

/*
 * Set up what can count here and fill *status.  Returns 0 (even when only
 * software or no events count: status says which), or -ENOTSUP when the
 * build has no counter backend, or -EIO when PAPI itself cannot start;
 * *out is NULL then.
 */
int hpcp_counters_open(struct hpcp_counters **out,
		       struct hpcp_counters_status *status);

/* Start counting; stop adds the counts since start to *acc. */
int hpcp_counters_start(struct hpcp_counters *c);
int hpcp_counters_stop(struct hpcp_counters *c,
		       struct hpcp_counter_values *acc);

void hpcp_counters_close(struct hpcp_counters *c);

/*
 * Derived figures: instructions per cycle and counted floating-point
 * operations per second over seconds.  Each is -1 when its inputs were not
 * counted (or are zero).
 */
void hpcp_counters_derive(const struct hpcp_counter_values *v,
			  double seconds, double *ipc, double *flops_per_s);

#endif
