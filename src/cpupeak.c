#include "config.h"

#include "hpcp/cpupeak.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int has_flag(const char *flags, const char *name)
{
	size_t n = strlen(name);

	for (const char *p = flags; (p = strstr(p, name)); p += n)
		if ((p == flags || p[-1] == ' ' || p[-1] == '\t') &&
		    (p[n] == ' ' || p[n] == '\n' || p[n] == '\0'))
			return 1;
	return 0;
}

void hpcp_cpu_peak_read(const char *cpuinfo, const char *cpufreq_max,
			struct hpcp_cpu_peak *out)
{
	char line[8192], flags[8192] = "";
	double mhz = 0, khz = 0;
	const char *width = NULL;
	FILE *f;

	memset(out, 0, sizeof(*out));
	f = fopen(cpuinfo, "r");
	if (!f) {
		snprintf(out->reason, sizeof(out->reason), "%s not readable",
			 cpuinfo);
		return;
	}
	/* The first processor's block is enough: cores of a host match. */
	while (fgets(line, sizeof(line), f)) {
		if (!flags[0] && strncmp(line, "flags", 5) == 0 &&
		    strchr(line, ':'))
			snprintf(flags, sizeof(flags), "%s",
				 strchr(line, ':') + 1);
		else if (mhz == 0 && strncmp(line, "cpu MHz", 7) == 0 &&
			 strchr(line, ':'))
			mhz = strtod(strchr(line, ':') + 1, NULL);
		if (line[0] == '\n' && flags[0])
			break;
	}
	fclose(f);
	f = fopen(cpufreq_max, "r");
	if (f) {
		if (fscanf(f, "%lf", &khz) != 1)
			khz = 0;
		fclose(f);
	}
	/* DP flops per cycle, assuming two FMA pipes where FMA exists. */
	if (has_flag(flags, "avx512f")) {
		out->flops_per_cycle = 32;
		width = "AVX-512, 2 FMA units assumed";
	} else if (has_flag(flags, "avx2") && has_flag(flags, "fma")) {
		out->flops_per_cycle = 16;
		width = "AVX2 with FMA, 2 FMA units assumed";
	} else if (has_flag(flags, "avx")) {
		out->flops_per_cycle = 8;
		width = "AVX, separate add and multiply";
	} else if (has_flag(flags, "sse2")) {
		out->flops_per_cycle = 4;
		width = "SSE2, separate add and multiply";
	}
	if (!width) {
		snprintf(out->reason, sizeof(out->reason),
			 "no known x86 vector flags in %s", cpuinfo);
		return;
	}
	if (khz > 0) {
		out->hz = khz * 1e3;
		snprintf(out->method, sizeof(out->method),
			 "%s x cpufreq maximum %.0f MHz", width, khz / 1e3);
	} else if (mhz > 0) {
		out->hz = mhz * 1e6;
		snprintf(out->method, sizeof(out->method),
			 "%s x cpu MHz %.0f from %s (no cpufreq: turbo not "
			 "known)", width, mhz, cpuinfo);
	} else {
		snprintf(out->reason, sizeof(out->reason),
			 "no clock frequency (cpufreq or cpu MHz)");
		return;
	}
	out->flops_per_s = out->hz * out->flops_per_cycle;
	out->known = 1;
}
