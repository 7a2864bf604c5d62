#include "config.h"

#include "hpcp/counters.h"

/*
 * Compiled in every build (with or without PAPI) so reports can call it
 * unconditionally; it only looks at what was counted.
 */
void hpcp_counters_derive(const struct hpcp_counter_values *v,
			  double seconds, double *ipc, double *flops_per_s)
{
	double r_ipc = -1.0, r_flops = -1.0;

	if (v) {
		if (v->have_instructions && v->have_cycles && v->cycles > 0)
			r_ipc = (double)v->instructions / (double)v->cycles;
		/* "seconds > 0" is false for NaN too, which is intended. */
		if (v->have_fp_ops && seconds > 0)
			r_flops = (double)v->fp_ops / seconds;
	}
	if (ipc)
		*ipc = r_ipc;
	if (flops_per_s)
		*flops_per_s = r_flops;
}
