/* Foreign CPU load: the /proc/stat parser on fixture text and the share
 * arithmetic on known answers (hostload.h). */
#include "config.h"

#include <errno.h>
#include <math.h>
#include <stdint.h>

#include "hpcp/hostload.h"
#include "tap.h"

static int near(double a, double b)
{
	return fabs(a - b) < 1e-12;
}

int main(void)
{
	uint64_t busy = 7, steal = 7;
	double res = -1, f;

	/* user nice system idle iowait irq softirq steal guest guest_nice */
	tap_ok(hpcp_hostload_parse_stat("cpu  865859 1566 631627 416469 1715 "
					"0 14895 31547 0 0\ncpu0 1 2 3\n",
					&busy, &steal) == 0 &&
	       busy == 865859u + 1566u + 631627u && steal == 31547,
	       "stat: busy is user + nice + system, irq and softirq left out");
	tap_ok(hpcp_hostload_parse_stat("cpu0 1 2 3 4 5 6 7 8\n", &busy,
					&steal) == -EINVAL,
	       "stat: a per-CPU line is not the total");
	tap_ok(hpcp_hostload_parse_stat("cpu  1 2 3 4 5 6\n", &busy, &steal) ==
		       -EINVAL,
	       "stat: a line without the steal field is refused");
	tap_ok(hpcp_hostload_parse_stat("cpu  1 2 x 4 5 6 7 8\n", &busy,
					&steal) == -EINVAL,
	       "stat: a non-number is refused");

	/* 2 CPUs for 1 s at 100 ticks/s: 200 ticks of capacity.  The job
	 * used 0.5 s of CPU, the kernel counted 100 busy ticks (1 s) and 10
	 * ticks of steal (0.1 s): foreign = 0.6 s of 2 s. */
	f = hpcp_hostload_foreign(100, 10, 100, 0.5e9, 1e9, 2, &res);
	tap_ok(near(f, 0.3), "foreign share: (busy + steal - job) / (CPUs x "
			     "wall) = 0.3 (got %.6f)", f);
	tap_ok(near(res, 0.02), "resolution: 2 ticks over the wall time = 0.02 "
				"(got %.6f)", res);
	/* The job alone: its CPU time matches the kernel's busy time. */
	f = hpcp_hostload_foreign(150, 0, 100, 1.5e9, 1e9, 2, NULL);
	tap_ok(near(f, 0), "the job alone is no foreign load (got %.6f)", f);
	/* Tick sampling can count less than the job's exact CPU time. */
	f = hpcp_hostload_foreign(149, 0, 100, 1.5e9, 1e9, 2, NULL);
	tap_ok(f == 0, "a sampling shortfall clamps to 0, not below");
	f = hpcp_hostload_foreign(1000, 500, 100, 0, 1e9, 2, NULL);
	tap_ok(f == 1, "more than the CPUs can give clamps to 1");
	f = hpcp_hostload_foreign(100, 0, 100, 0, 0, 2, &res);
	tap_ok(f == 0 && res == 1, "no wall time: nothing judged, resolution 1");
	tap_ok(HPCP_FOREIGN_MAX > 0 && HPCP_FOREIGN_MAX < 0.5,
	       "the threshold leaves a p50 to most undisturbed samples");
	return tap_done();
}
