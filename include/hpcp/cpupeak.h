/*
 * A core's double-precision peak, estimated from what Linux says: vector
 * width and FMA from the CPU flags, clock from cpufreq's maximum or, in a
 * VM without cpufreq, /proc/cpuinfo's "cpu MHz".  It is an estimate and
 * the document says how it was made.
 */
#ifndef HPCP_CPUPEAK_H
#define HPCP_CPUPEAK_H

#include <stddef.h>

#define HPCP_CPUINFO_PATH "/proc/cpuinfo"
#define HPCP_CPUFREQ_MAX_PATH "/sys/devices/system/cpu/cpu0/cpufreq/cpuinfo_max_freq"

struct hpcp_cpu_peak {
	int known;
	double flops_per_s;      /* one core */
	double hz;
	int flops_per_cycle;
	char method[200];
	char reason[160];        /* when not known */
};

/* Rank-local; the paths are parameters so tests can use made-up files. */
void hpcp_cpu_peak_read(const char *cpuinfo, const char *cpufreq_max,
			struct hpcp_cpu_peak *out);

#endif
