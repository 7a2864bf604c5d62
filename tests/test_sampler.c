/*
 * Unit test of the utilisation sampler (src/sampler.c):
 *   - a fake procfs and sysfs tree, two snapshots: exact deltas;
 *   - a fake NVML library (tests/fake_nvml.c): its values, and power "not
 *     supported", reported as such; an absent library is a reason;
 *   - mean, p95 and max of a series;
 *   - the ring: the thread's points, and a CPU hog pinned to one core
 *     reads 1/ncpus busy +- 0.1 for the host, unless other work ran (then
 *     "noisy", with the reason, measured independently from the hog's own
 *     CPU time).
 */
#define _GNU_SOURCE
#include "config.h"
#include "hpcp/sampler.h"

#include <errno.h>
#include <ftw.h>
#include <math.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "hpcp/timer.h"
#include "tap.h"

static char root[256];

static int write_file(const char *rel, const char *text)
{
	char path[512], *p;
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", root, rel);
	for (p = path + strlen(root) + 1; (p = strchr(p, '/')); p++) {
		*p = '\0';
		mkdir(path, 0755);
		*p = '/';
	}
	f = fopen(path, "w");
	if (!f)
		return 0;
	fputs(text, f);
	return fclose(f) == 0;
}

static int rm_entry(const char *path, const struct stat *st, int flag,
		    struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static int near(double got, double want, const char *name)
{
	int ok = fabs(got - want) <= 1e-12 * (fabs(want) + 1);

	if (!ok)
		printf("# %s: got %.17g, want %.17g\n", name, got, want);
	return tap_ok(ok, "%s", name);
}

#define NETDEV_HEAD \
	"Inter-|   Receive                                                |  Transmit\n" \
	" face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop fifo colls carrier compressed\n"

static void snapshot(int second)
{
	write_file("proc/stat", second ?
		   "cpu  400 0 150 1300 150 0 0 0 0 0\ncpu0 1 2 3 4\n" :
		   "cpu  100 0 50 800 50 0 0 0 0 0\ncpu0 1 2 3 4\n");
	write_file("proc/meminfo", second ?
		   "MemTotal:        1000000 kB\nMemFree:  1 kB\n"
		   "MemAvailable:     250000 kB\nBuffers: 5 kB\n"
		   "Cached:           100000 kB\nSwapCached: 7 kB\n" :
		   "MemTotal:        1000000 kB\nMemAvailable:     500000 kB\n"
		   "Cached:            50000 kB\n");
	write_file("proc/net/dev", second ?
		   NETDEV_HEAD
		   "    lo: 90000 1 0 0 0 0 0 0 90000 1 0 0 0 0 0 0\n"
		   "  eth0: 5000 3 0 0 0 0 0 0 4000 3 0 0 0 0 0 0\n" :
		   NETDEV_HEAD
		   "    lo: 5000 1 0 0 0 0 0 0 5000 1 0 0 0 0 0 0\n"
		   "  eth0: 1000 3 0 0 0 0 0 0 2000 3 0 0 0 0 0 0\n");
	/* sda1 (a partition) and loop0 change wildly: never counted. */
	write_file("proc/diskstats", second ?
		   "   8       0 sda 1 0 300 0 1 0 1100 0 0 500 0 0 0 0 0\n"
		   "   8       1 sda1 1 0 9999 0 1 0 9999 0 0 9999 0\n"
		   "   7       0 loop0 1 0 7777 0 1 0 7777 0 0 7777 0\n" :
		   "   8       0 sda 1 0 100 0 1 0 100 0 0 0 0 0 0 0 0\n"
		   "   8       1 sda1 1 0 0 0 1 0 0 0 0 0 0\n"
		   "   7       0 loop0 1 0 0 0 1 0 0 0 0 0 0\n");
	write_file("proc/pressure/cpu", second ?
		   "some avg10=0.00 avg60=0.00 avg300=0.00 total=1500000\n"
		   "full avg10=0.00 avg60=0.00 avg300=0.00 total=0\n" :
		   "some avg10=0.00 avg60=0.00 avg300=0.00 total=1000000\n"
		   "full avg10=0.00 avg60=0.00 avg300=0.00 total=0\n");
	/* No pressure/memory: that series is absent, not zero. */
	write_file("proc/pressure/io", second ?
		   "some avg10=0.00 avg60=0.00 avg300=0.00 total=200000\n" :
		   "some avg10=0.00 avg60=0.00 avg300=0.00 total=0\n");
	write_file("sys/rdmap0s6/device/vendor", "0x1d0f\n");
	write_file("sys/rdmap0s6/ports/1/hw_counters/tx_bytes",
		   second ? "21000\n" : "1000\n");
	write_file("sys/rdmap0s6/ports/1/hw_counters/rx_bytes",
		   second ? "20000\n" : "0\n");
	/* Not a byte counter: not summed. */
	write_file("sys/rdmap0s6/ports/1/hw_counters/tx_pkts",
		   second ? "777\n" : "1\n");
}

static void test_fixture(void)
{
	char path[512];
	struct hpcp_sampler *s;
	struct hpcp_sample_raw a, b;
	double v[HPCP_S_COUNT];
	int n, merged;

	snapshot(0);
	snprintf(path, sizeof(path), "%s/proc", root);
	setenv(HPCP_SAMPLER_ENV_PROCFS, path, 1);
	setenv(HPCP_SAMPLER_ENV_NVML, HPCP_TEST_FAKE_NVML, 1);
	snprintf(path, sizeof(path), "%s/sys", root);
	s = hpcp_sampler_open(path);
	if (!tap_ok(s != NULL, "sampler opens on the fixture tree"))
		return;
	hpcp_sampler_read(s, &a);
	snapshot(1);
	hpcp_sampler_read(s, &b);
	/* Exactly 2 s apart, for exact rates. */
	a.t_ns = 1000000000ull;
	b.t_ns = 3000000000ull;
	hpcp_sampler_derive(&a, &b, v);
	near(v[HPCP_S_CPU_BUSY], 0.4, "cpu busy: 400 of 1000 ticks");
	near(v[HPCP_S_MEM_USED], 0.75, "memory used: 1 - 250000/1000000");
	near(v[HPCP_S_MEM_CACHED], 0.1, "memory cached: 100000/1000000");
	near(v[HPCP_S_NET_BPS], 3000, "network: (4000 + 2000) B / 2 s, lo left out");
	near(v[HPCP_S_DISK_BPS], 1200.0 * 512 / 2,
	     "disk: 1200 sectors / 2 s, partition and loop left out");
	near(v[HPCP_S_DISK_BUSY], 0.25, "disk busy: 500 ms / 2 s, one disk");
	near(v[HPCP_S_PSI_CPU], 0.25, "cpu pressure: 0.5 s stalled / 2 s");
	tap_ok(isnan(v[HPCP_S_PSI_MEM]),
	       "memory pressure absent: no value (not 0)");
	near(v[HPCP_S_PSI_IO], 0.1, "io pressure: 0.2 s / 2 s");
	near(v[HPCP_S_EFA_BPS], 20000,
	     "EFA: (20000 tx + 20000 rx) B / 2 s, packets left out");
	near(v[HPCP_S_GPU_UTIL], 0.4, "GPU utilisation: mean of 30 % and 50 %");
	near(v[HPCP_S_GPU_MEM_USED], 0.25, "GPU memory: 8 of 32 GiB");
	near(v[HPCP_S_GPU_SM_CLOCK_MHZ], 1200, "GPU SM clock: mean of 1000 and 1400");
	tap_ok(isnan(v[HPCP_S_GPU_POWER_W]),
	       "GPU power not supported: no value");
	tap_is_int(hpcp_sampler_gpu(s)->count, 2, "fake NVML: two GPUs");
	tap_is_int(hpcp_sampler_gpu(s)->unsupported, HPCP_GPU_F_POWER,
		   "fake NVML: power, and only power, not supported");
	hpcp_sampler_points(s, &n, &merged);
	tap_is_int(n, 0, "no thread, no points");
	hpcp_sampler_free(s);

	/* A counter that went backwards gives no value, never a huge one. */
	b.net_bytes = a.net_bytes - 1;
	hpcp_sampler_derive(&a, &b, v);
	tap_ok(isnan(v[HPCP_S_NET_BPS]), "network counter reset: no value");
}

static void test_no_nvml(void)
{
	struct hpcp_gpu g;

	tap_is_int(hpcp_gpu_open(&g, "/nonexistent/libnvidia-ml.so.1"), 0,
		   "absent NVML: no GPU");
	tap_ok(strstr(g.reason, "no NVML") != NULL, "absent NVML: reason '%s'",
	       g.reason);
	tap_is_int(hpcp_gpu_open(&g, HPCP_TEST_FAKE_NVML), 2,
		   "fake NVML by path: two GPUs");
	tap_is_str(g.reason, "", "fake NVML: no reason");
	hpcp_gpu_close(&g);
}

static void test_parsers(void)
{
	uint64_t a, b, c;
	int d;

	tap_ok(hpcp_sampler_parse_stat("cpux 1 2 3", &a, &b) == -EINVAL,
	       "stat: a line that is not 'cpu ' is refused");
	tap_ok(hpcp_sampler_parse_meminfo("MemTotal: 0 kB\nMemAvailable: 0 kB\n",
					  &a, &b, &c) == -EINVAL,
	       "meminfo: total 0 refused");
	tap_ok(hpcp_sampler_parse_netdev(NETDEV_HEAD "eth0: 1 2\n", &a) ==
		       -EINVAL, "net/dev: a short line refused");
	tap_ok(hpcp_sampler_parse_diskstats("8 0 sda x\n", &a, &b, &d) ==
		       -EINVAL, "diskstats: a non-number refused");
	tap_ok(hpcp_sampler_parse_psi("full total=3\n", &a) == -EINVAL,
	       "pressure: no 'some' line refused");
}

static void test_stats(void)
{
	struct hpcp_sample_point pts[21];
	struct hpcp_series_stats st;

	for (int i = 0; i < 21; i++) {
		pts[i].t_s = i;
		pts[i].phase = i < 20 ? 0 : 1;
		for (int k = 0; k < HPCP_S_COUNT; k++)
			pts[i].v[k] = NAN;
		/* 1..20 in a shuffled order, then 100 in phase 1. */
		pts[i].v[HPCP_S_CPU_BUSY] = i < 20 ? (i * 7) % 20 + 1 : 100;
	}
	hpcp_sampler_stats(pts, 21, 0, HPCP_S_CPU_BUSY, &st);
	tap_is_int(st.n, 20, "stats: 20 points in phase 0");
	near(st.mean, 10.5, "stats: mean of 1..20");
	near(st.p95, 19, "stats: p95 (nearest rank 19 of 20)");
	near(st.max, 20, "stats: max");
	hpcp_sampler_stats(pts, 21, -2, HPCP_S_CPU_BUSY, &st);
	near(st.max, 100, "stats over the run: phase 1's point counted");
	hpcp_sampler_stats(pts, 21, 0, HPCP_S_NET_BPS, &st);
	tap_ok(st.n == 0 && isnan(st.mean), "stats: no values, n 0 and NAN");
}

static double cpu_s(const struct rusage *r)
{
	return (double)r->ru_utime.tv_sec + r->ru_utime.tv_usec / 1e6 +
	       (double)r->ru_stime.tv_sec + r->ru_stime.tv_usec / 1e6;
}

static void test_hog(void)
{
	struct hpcp_sampler *s;
	const struct hpcp_sample_point *pts;
	struct hpcp_series_stats st;
	struct rusage ru;
	struct timespec pause = { 2, 0 };
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	double want = ncpu > 0 ? 1.0 / (double)ncpu : 1, hog, foreign;
	uint64_t t0;
	int n, merged, rc;
	pid_t pid;

	unsetenv(HPCP_SAMPLER_ENV_PROCFS);
	unsetenv(HPCP_SAMPLER_ENV_NVML);
	pid = fork();
	if (pid == 0) {
		cpu_set_t one;
		volatile unsigned long x = 0;

		CPU_ZERO(&one);
		CPU_SET(0, &one);
		sched_setaffinity(0, sizeof(one), &one);
		for (;;)
			x++;
	}
	/* Let the hog start before the first reading. */
	nanosleep(&(struct timespec){ 0, 100000000 }, NULL);
	t0 = hpcp_now_ns();
	rc = hpcp_sampler_start(&s, 20, NULL);
	if (!tap_ok(rc == 0, "sampler thread starts at 20 Hz")) {
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
		return;
	}
	nanosleep(&pause, NULL);
	hpcp_sampler_stop(s);
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	getrusage(RUSAGE_CHILDREN, &ru);
	pts = hpcp_sampler_points(s, &n, &merged);
	tap_ok(n >= 30 && n <= 41, "about 40 points in 2 s at 20 Hz (%d)", n);
	hpcp_sampler_stats(pts, n, -2, HPCP_S_CPU_BUSY, &st);
	/* The hog's share of all CPUs over its life (sampled span + 0.1 s). */
	hog = cpu_s(&ru) /
	      ((double)(hpcp_now_ns() - t0) / 1e9 + 0.1) / (double)ncpu;
	foreign = st.mean - hog;
	printf("# host busy %.3f, the hog's own share %.3f, other work %.3f "
	       "(%ld CPUs)\n", st.mean, hog, foreign, ncpu);
	/* Whatever else ran, the host was at least as busy as the hog. */
	tap_ok(st.mean >= hog - 0.05, "host busy %.3f >= the hog's own share "
	       "%.3f (- 0.05)", st.mean, hog);
	if (fabs(st.mean - want) <= 0.1) {
		tap_ok(1, "hog on one of %ld CPUs reads %.3f busy (%.3f +- 0.1)",
		       ncpu, st.mean, want);
	} else if (foreign > 0.1 || hog < want - 0.1) {
		/* Other helpers' builds share this machine: the host was not
		 * ours alone, which the hog's own CPU time shows. */
		tap_ok(1, "noisy: hog on one of %ld CPUs reads %.3f busy, but "
		       "%s (the hog's own share %.3f)", ncpu, st.mean,
		       foreign > 0.1 ? "other work took the rest" :
				       "the hog was starved", hog);
	} else {
		tap_ok(0, "hog reads %.3f busy, want %.3f +- 0.1, and the host "
		       "was quiet (other work %.3f)", st.mean, want, foreign);
	}
	hpcp_sampler_free(s);
}

/* The phases' times are on the points' clock: each lies between the
 * test's own readings of that clock around the calls, bounds that hold
 * however loaded the machine is. */
static void test_phase_times(void)
{
	struct hpcp_sampler *s;
	struct timespec nap = { 0, 30000000 };
	uint64_t a, b, c, d, e, f;
	double st = -1, en = -1;
	int rc;

	a = hpcp_now_ns();
	rc = hpcp_sampler_start(&s, 20, NULL);
	b = hpcp_now_ns();
	if (!tap_ok(rc == 0, "phase times: the sampler starts"))
		return;
	nanosleep(&nap, NULL);
	c = hpcp_now_ns();
	hpcp_sampler_phase(s, 0);
	d = hpcp_now_ns();
	nanosleep(&nap, NULL);
	e = hpcp_now_ns();
	hpcp_sampler_phase(s, -1);
	f = hpcp_now_ns();
	hpcp_sampler_phase(s, 2);
	hpcp_sampler_stop(s);
	rc = hpcp_sampler_phase_times(s, 0, &st, &en);
	tap_ok(rc == 0 && st >= (double)(c - b) / 1e9 &&
	       st <= (double)(d - a) / 1e9 && en >= (double)(e - b) / 1e9 &&
	       en <= (double)(f - a) / 1e9 && en - st >= 0.03,
	       "phase 0 from %.4f to %.4f s, within the calls' clock "
	       "readings [%.4f, %.4f] and [%.4f, %.4f]", st, en,
	       (double)(c - b) / 1e9, (double)(d - a) / 1e9,
	       (double)(e - b) / 1e9, (double)(f - a) / 1e9);
	tap_ok(hpcp_sampler_phase_times(s, 1, &st, &en) == -ENOENT &&
	       hpcp_sampler_phase_times(s, 2, &st, &en) == -ENOENT &&
	       hpcp_sampler_phase_times(s, -1, &st, &en) == -ENOENT &&
	       hpcp_sampler_phase_times(s, HPCP_SAMPLER_PHASES, &st,
					&en) == -ENOENT,
	       "phase times: none for a phase not run, nor one not ended");
	hpcp_sampler_free(s);
}

int main(void)
{
	snprintf(root, sizeof(root), "/tmp/hpcp-sampler-XXXXXX");
	if (!mkdtemp(root))
		tap_skip_all("no temporary directory");
	test_fixture();
	test_no_nvml();
	test_parsers();
	test_stats();
	test_hog();
	test_phase_times();
	nftw(root, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
	return tap_done();
}
