/* Peak estimate from made-up /proc/cpuinfo and cpufreq files. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hpcp/cpupeak.h"
#include "tap.h"

static char dir[] = "/tmp/hpcp-test-peak.XXXXXX";

static const char *write_file(const char *name, const char *text)
{
	static char path[4][256];
	static int next;
	char *p = path[next++ % 4];

	/* Four files at most: each keeps its own buffer. */
	FILE *f;

	snprintf(p, 256, "%s/%s", dir, name);
	f = fopen(p, "w");
	fputs(text, f);
	fclose(f);
	return p;
}

int main(void)
{
	struct hpcp_cpu_peak pk;
	const char *avx2, *avx512, *plain, *khz;

	if (!mkdtemp(dir))
		tap_skip_all("no temporary directory");
	avx2 = write_file("avx2", "processor\t: 0\ncpu MHz\t\t: 2500.000\n"
				  "flags\t\t: fpu sse2 avx avx2 fma\n\n"
				  "processor\t: 1\nflags\t\t: fpu\n");
	avx512 = write_file("avx512", "processor\t: 0\ncpu MHz\t\t: 2000.0\n"
				      "flags\t\t: sse2 avx avx2 fma avx512f\n");
	plain = write_file("plain", "processor\t: 0\ncpu MHz\t\t: 1000\n"
				    "flags\t\t: fpu vme\n");
	khz = write_file("khz", "3500000\n");

	hpcp_cpu_peak_read(avx2, "/nonexistent", &pk);
	tap_ok(pk.known && pk.flops_per_cycle == 16 && pk.hz == 2.5e9 &&
	       pk.flops_per_s == 40e9, "AVX2+FMA at 2.5 GHz: 40 GFLOP/s");
	tap_ok(strstr(pk.method, "cpu MHz") != NULL,
	       "without cpufreq the method says cpu MHz: %s", pk.method);
	hpcp_cpu_peak_read(avx2, khz, &pk);
	tap_ok(pk.known && pk.hz == 3.5e9 && strstr(pk.method, "cpufreq"),
	       "cpufreq maximum wins over cpu MHz");
	hpcp_cpu_peak_read(avx512, "/nonexistent", &pk);
	tap_ok(pk.known && pk.flops_per_cycle == 32,
	       "AVX-512: 32 flops per cycle");
	hpcp_cpu_peak_read(plain, "/nonexistent", &pk);
	tap_ok(!pk.known && pk.reason[0], "no vector flags: unknown, with "
	       "a reason: %s", pk.reason);
	hpcp_cpu_peak_read("/nonexistent", "/nonexistent", &pk);
	tap_ok(!pk.known && strstr(pk.reason, "not readable"),
	       "missing cpuinfo: unknown, with a reason");
	hpcp_cpu_peak_read(HPCP_CPUINFO_PATH, HPCP_CPUFREQ_MAX_PATH, &pk);
	printf("# this host: %s%s\n", pk.known ? pk.method : "unknown: ",
	       pk.known ? "" : pk.reason);
	unlink(avx2);
	unlink(avx512);
	unlink(plain);
	unlink(khz);
	rmdir(dir);
	return tap_done();
}
