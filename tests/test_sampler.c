/*
 * Unit test of the utilisation sampler (src/sampler.c):
 *   - a fake procfs and sysfs tree, two snapshots: exact deltas;
 *   - a fake NVML library (tests/fake_nvml.c): its values, and power "not
 *     supported", reported as such; an absent library is a reason;
 *   - mean, p95 and max of a series, from a summary built reading by
 *     reading: after the ring merged its points twice, a one-reading spike
 *     is still the exact max, and the p95 within the histogram's bound of
 *     the raw readings' exact p95;
 *   - partitions told from disks by sysfs and by the kernel's naming rule
 *     (nvme0n10 after nvme0n1, xvdaa after xvda are disks);
 *   - a /proc/net/dev larger than 64 KiB is read whole, at open and when
 *     it grows later;
 *   - the ring: the thread's points, and a CPU hog pinned to one core
 *     reads 1/ncpus busy +- 0.1 for the host, unless other work ran (then
 *     "noisy", with the reason, measured independently from the hog's own
 *     CPU time).
 */
#define _GNU_SOURCE
#include "config.h"
#include "hpcp/sampler.h"

#include <errno.h>
#include <fcntl.h>
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
	/* No class/block there: the naming rule tells sda1 from sda. */
	snprintf(path, sizeof(path), "%s/no-sysfs", root);
	setenv(HPCP_SAMPLER_ENV_SYSFS, path, 1);
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
	tap_ok(hpcp_sampler_parse_diskstats("8 0 sda x\n", -1, &a, &b,
					       &d) ==
		       -EINVAL, "diskstats: a non-number refused");
	tap_ok(hpcp_sampler_parse_psi("full total=3\n", &a) == -EINVAL,
	       "pressure: no 'some' line refused");
}

static void test_stats(void)
{
	static struct hpcp_series_acc a, none;
	struct hpcp_series_stats st;

	/* 1..20 in a shuffled order. */
	for (int i = 0; i < 20; i++)
		hpcp_series_acc_add(&a, (i * 7) % 20 + 1);
	hpcp_series_acc_get(&a, &st);
	tap_is_int(st.n, 20, "stats: 20 readings");
	near(st.mean, 10.5, "stats: mean of 1..20");
	tap_ok(fabs(st.p95 - 19) <= 19 * HPCP_HIST_REL_ERR,
	       "stats: p95 %.4f, nearest rank 19 of 20 within %.2f %%",
	       st.p95, 100 * HPCP_HIST_REL_ERR);
	near(st.max, 20, "stats: max");
	hpcp_series_acc_add(&a, 100);
	hpcp_series_acc_get(&a, &st);
	near(st.max, 100, "stats: a later 100 is the max");
	hpcp_series_acc_get(&none, &st);
	tap_ok(st.n == 0 && isnan(st.mean) && isnan(st.p95) && isnan(st.max),
	       "stats: no values, n 0 and NAN");
	/* Every bin's middle is within the bound of every value in it, over
	 * the range of the histogram. */
	{
		double worst = 0;

		for (double v = 1e-9; v < 1e14; v *= 1.0137) {
			static struct hpcp_series_acc one;

			memset(&one, 0, sizeof(one));
			hpcp_series_acc_add(&one, v);
			hpcp_series_acc_add(&one, 2 * v);
			hpcp_series_acc_add(&one, v * 0.5);
			/* p95 of 3 values is the largest: exact by clamping;
			 * of 40 equal ones and one larger, the bin's. */
			for (int i = 0; i < 40; i++)
				hpcp_series_acc_add(&one, v);
			hpcp_series_acc_get(&one, &st);
			if (fabs(st.p95 - v) / v > worst)
				worst = fabs(st.p95 - v) / v;
		}
		tap_ok(worst <= HPCP_HIST_REL_ERR,
		       "stats: p95's worst relative error %.5f <= %.5f from "
		       "1e-9 to 1e14", worst, HPCP_HIST_REL_ERR);
	}
}

static int by_value(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* The exact nearest-rank p95 and the max of v[0..n). */
static void exact(double *v, int n, double *p95, double *max)
{
	qsort(v, (size_t)n, sizeof(*v), by_value);
	*p95 = v[(int)ceil(0.95 * n) - 1];
	*max = v[n - 1];
}

/*
 * The sampler driven reading by reading on a fake /proc/stat: 10000
 * readings, enough for the ring to merge twice (4096 points), with one
 * reading at 100 % busy at 9000 amid 10..59 %.  The summaries come from
 * every reading: the max is that reading exactly, the p95 the raw
 * readings' within the histogram's bound, in the phase and the run.
 */
#define SPIKE_N 10000
#define SPIKE_AT 9000
#define PHASE1_FROM 9500
static void test_spike(void)
{
	static double raw[SPIKE_N], ph0[SPIKE_N], ph1[SPIKE_N];
	char path[512], text[128];
	struct hpcp_sampler *s;
	struct hpcp_series_stats st;
	const struct hpcp_sample_point *pts;
	uint64_t busy = 0, total = 0;
	double p95, max, ring_max = 0, sum = 0;
	int n, merged, n0 = 0, n1 = 0;

	snprintf(path, sizeof(path), "%s/spike/proc", root);
	setenv(HPCP_SAMPLER_ENV_PROCFS, path, 1);
	setenv(HPCP_SAMPLER_ENV_NVML, "/nonexistent/libnvidia-ml.so.1", 1);
	write_file("spike/proc/stat", "cpu  0 0 0 0 0 0 0 0 0 0\n");
	s = hpcp_sampler_open(NULL);
	if (!tap_ok(s != NULL, "spike: sampler opens on the fixture"))
		return;
	hpcp_sampler_step(s);            /* the baseline */
	hpcp_sampler_phase(s, 0);
	for (int i = 1; i <= SPIKE_N; i++) {
		uint64_t b = i == SPIKE_AT ? 100 : 10 + (uint64_t)(i * 37) % 50;

		busy += b;
		total += 100;
		snprintf(text, sizeof(text), "cpu  %llu 0 0 %llu 0 0 0 0 0 0\n",
			 (unsigned long long)busy,
			 (unsigned long long)(total - busy));
		write_file("spike/proc/stat", text);
		if (i == PHASE1_FROM)
			hpcp_sampler_phase(s, 1);
		hpcp_sampler_step(s);
		raw[i - 1] = (double)b / 100.0;
		sum += raw[i - 1];
		if (i < PHASE1_FROM)
			ph0[n0++] = raw[i - 1];
		else
			ph1[n1++] = raw[i - 1];
	}
	hpcp_sampler_phase(s, -1);
	pts = hpcp_sampler_points(s, &n, &merged);
	for (int i = 0; i < n; i++)
		if (pts[i].v[HPCP_S_CPU_BUSY] > ring_max)
			ring_max = pts[i].v[HPCP_S_CPU_BUSY];
	tap_ok(merged == 4 && ring_max < 1,
	       "spike: the ring merged twice (x%d) and its points averaged "
	       "the spike away (largest %.3f)", merged, ring_max);

	hpcp_sampler_summary(s, -2, HPCP_S_CPU_BUSY, &st);
	exact(raw, SPIKE_N, &p95, &max);
	tap_is_int(st.n, SPIKE_N, "spike: the run counts every reading");
	tap_ok(st.max == 1.0 && max == 1.0,
	       "spike: the run's max is the one reading at 100 %% exactly "
	       "(%.17g)", st.max);
	tap_ok(fabs(st.p95 - p95) <= p95 * HPCP_HIST_REL_ERR,
	       "spike: the run's p95 %.5f, the readings' %.5f (within %.2f %%)",
	       st.p95, p95, 100 * HPCP_HIST_REL_ERR);
	near(st.mean, sum / SPIKE_N, "spike: the run's mean of every reading");

	hpcp_sampler_summary(s, 0, HPCP_S_CPU_BUSY, &st);
	exact(ph0, n0, &p95, &max);
	tap_ok(st.n == n0 && st.max == 1.0 &&
	       fabs(st.p95 - p95) <= p95 * HPCP_HIST_REL_ERR,
	       "spike: phase 0, %d readings, max %.17g, p95 %.5f (exact %.5f)",
	       st.n, st.max, st.p95, p95);
	hpcp_sampler_summary(s, 1, HPCP_S_CPU_BUSY, &st);
	exact(ph1, n1, &p95, &max);
	tap_ok(st.n == n1 && st.max == max &&
	       fabs(st.p95 - p95) <= p95 * HPCP_HIST_REL_ERR,
	       "spike: phase 1 (no spike), %d readings, max %.2f (exact "
	       "%.2f), p95 %.5f (exact %.5f)", st.n, st.max, max, st.p95,
	       p95);
	hpcp_sampler_summary(s, 2, HPCP_S_CPU_BUSY, &st);
	tap_ok(st.n == 0, "spike: a phase not run has no readings");
	hpcp_sampler_free(s);
}

/* Sectors read as powers of two tell which lines were counted. */
#define DISKS \
	"259 0 nvme0n1 1 0 1 0 0 0 0 0 0 0 0\n" \
	"259 1 nvme0n1p1 1 0 2 0 0 0 0 0 0 0 0\n" \
	"259 2 nvme0n10 1 0 4 0 0 0 0 0 0 0 0\n" \
	"202 0 xvda 1 0 8 0 0 0 0 0 0 0 0\n" \
	"202 1 xvdaa 1 0 16 0 0 0 0 0 0 0 0\n" \
	"8 0 sda 1 0 32 0 0 0 0 0 0 0 0\n" \
	"8 1 sda1 1 0 64 0 0 0 0 0 0 0 0\n" \
	"179 0 mmcblk0 1 0 128 0 0 0 0 0 0 0 0\n" \
	"179 1 mmcblk0p2 1 0 256 0 0 0 0 0 0 0 0\n"

static void test_partitions(void)
{
	static const char *const disks[] = { "nvme0n1", "nvme0n10", "xvda",
					     "xvdaa", "sda", "mmcblk0" };
	static const char *const parts[] = { "nvme0n1p1", "sda1",
					     "mmcblk0p2" };
	char path[512];
	struct hpcp_sampler *s;
	struct hpcp_sample_raw r;
	uint64_t sec = 0, ms = 0;
	int n = 0, fd, rc;

	rc = hpcp_sampler_parse_diskstats(DISKS, -1, &sec, &ms, &n);
	tap_ok(rc == 0 && sec == 1 + 4 + 8 + 16 + 32 + 128 && n == 6,
	       "diskstats, naming rule: nvme0n10 and xvdaa are disks, "
	       "nvme0n1p1, sda1, mmcblk0p2 partitions (%llu sectors, %d "
	       "disks)", (unsigned long long)sec, n);
	for (size_t i = 0; i < sizeof(disks) / sizeof(*disks); i++) {
		snprintf(path, sizeof(path), "part/sys/class/block/%s/dev",
			 disks[i]);
		write_file(path, "1:0\n");
	}
	for (size_t i = 0; i < sizeof(parts) / sizeof(*parts); i++) {
		snprintf(path, sizeof(path),
			 "part/sys/class/block/%s/partition", parts[i]);
		write_file(path, "1\n");
	}
	/* sysfs says xvdaa is a partition here (made up): sysfs wins. */
	write_file("part/sys/class/block/xvdaa/partition", "1\n");
	snprintf(path, sizeof(path), "%s/part/sys/class/block", root);
	fd = open(path, O_RDONLY | O_DIRECTORY);
	rc = hpcp_sampler_parse_diskstats(DISKS, fd, &sec, &ms, &n);
	tap_ok(rc == 0 && sec == 1 + 4 + 8 + 32 + 128 && n == 5,
	       "diskstats, sysfs: its partition files decide (%llu sectors, "
	       "%d disks)", (unsigned long long)sec, n);
	close(fd);
	remove(path);

	/* Through the sampler, under HPCPROBE_SYSFS_ROOT. */
	snprintf(path, sizeof(path), "%s/part/sys/class/block/xvdaa/partition",
		 root);
	remove(path);
	write_file("part/proc/diskstats", DISKS);
	snprintf(path, sizeof(path), "%s/part/proc", root);
	setenv(HPCP_SAMPLER_ENV_PROCFS, path, 1);
	snprintf(path, sizeof(path), "%s/part/sys", root);
	setenv(HPCP_SAMPLER_ENV_SYSFS, path, 1);
	s = hpcp_sampler_open(NULL);
	if (!tap_ok(s != NULL, "partitions: sampler opens"))
		return;
	hpcp_sampler_read(s, &r);
	tap_ok((r.have & HPCP_SRC_DISK) && r.disk_sectors == 189 &&
	       r.disks == 6,
	       "sampler: 6 whole disks under HPCPROBE_SYSFS_ROOT, %llu "
	       "sectors (want 189)", (unsigned long long)r.disk_sectors);
	hpcp_sampler_free(s);
}

/* A /proc/net/dev of n interfaces, each 10^9 + i received and 2 10^9
 * sent: about 100 bytes a line. */
static uint64_t big_netdev(const char *rel, int n)
{
	char path[512];
	uint64_t sum = 0;
	FILE *f;

	write_file(rel, NETDEV_HEAD);
	snprintf(path, sizeof(path), "%s/%s", root, rel);
	f = fopen(path, "a");
	if (!f)
		return 0;
	for (int i = 0; i < n; i++) {
		fprintf(f, " veth%05d: %llu 11 0 0 0 0 0 0 %llu 22 0 0 0 0 0 "
			"0\n", i, 1000000000ull + (unsigned long long)i,
			2000000000ull);
		sum += 3000000000ull + (uint64_t)i;
	}
	fclose(f);
	return sum;
}

static void test_big_file(void)
{
	char path[512];
	struct hpcp_sampler *s;
	struct hpcp_sample_raw r;
	struct stat sb;
	uint64_t want;
	size_t cap;
	int grown;

	snprintf(path, sizeof(path), "%s/big/proc", root);
	setenv(HPCP_SAMPLER_ENV_PROCFS, path, 1);
	want = big_netdev("big/proc/net/dev", 1500);
	snprintf(path, sizeof(path), "%s/big/proc/net/dev", root);
	stat(path, &sb);
	s = hpcp_sampler_open(NULL);
	if (!tap_ok(s != NULL, "big file: sampler opens"))
		return;
	hpcp_sampler_read(s, &r);
	cap = hpcp_sampler_buf_size(s, &grown);
	tap_ok((r.have & HPCP_SRC_NET) && r.net_bytes == want && !grown &&
	       cap > (size_t)sb.st_size,
	       "net/dev of %lld bytes (> 64 KiB), 1500 interfaces: read "
	       "whole at open (buffer %zu), %llu bytes (want %llu)",
	       (long long)sb.st_size, cap, (unsigned long long)r.net_bytes,
	       (unsigned long long)want);
	/* Four times larger later: the buffer grows once or twice. */
	want = big_netdev("big/proc/net/dev", 6000);
	hpcp_sampler_read(s, &r);
	cap = hpcp_sampler_buf_size(s, &grown);
	tap_ok((r.have & HPCP_SRC_NET) && r.net_bytes == want && grown >= 1,
	       "net/dev grown to 6000 interfaces while sampling: read whole "
	       "(buffer grown %d times to %zu), %llu bytes", grown, cap,
	       (unsigned long long)r.net_bytes);
	hpcp_sampler_free(s);

	/* Small at open, large at the first reading: the same. */
	write_file("big/proc/net/dev", NETDEV_HEAD
		   "  eth0: 1 0 0 0 0 0 0 0 2 0 0 0 0 0 0 0\n");
	s = hpcp_sampler_open(NULL);
	if (!s)
		return;
	want = big_netdev("big/proc/net/dev", 1500);
	hpcp_sampler_read(s, &r);
	tap_ok((r.have & HPCP_SRC_NET) && r.net_bytes == want,
	       "net/dev small at open, > 64 KiB later: read whole, %llu "
	       "bytes (want %llu)", (unsigned long long)r.net_bytes,
	       (unsigned long long)want);
	hpcp_sampler_free(s);
}

static double cpu_s(const struct rusage *r)
{
	return (double)r->ru_utime.tv_sec + r->ru_utime.tv_usec / 1e6 +
	       (double)r->ru_stime.tv_sec + r->ru_stime.tv_usec / 1e6;
}

static void test_hog(void)
{
	struct hpcp_sampler *s;
	struct hpcp_series_stats st;
	struct rusage ru;
	struct timespec pause = { 2, 0 };
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	double want = ncpu > 0 ? 1.0 / (double)ncpu : 1, hog, foreign, span;
	uint64_t t0;
	int n, merged, rc, most;
	pid_t pid;

	unsetenv(HPCP_SAMPLER_ENV_PROCFS);
	unsetenv(HPCP_SAMPLER_ENV_SYSFS);
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
	/* The sleep ends late when this thread waits for a CPU, and the
	 * sampler goes on meanwhile: 20 Hz bounds the count over the span
	 * it ran, not over the 2 s asked for. */
	span = (double)(hpcp_now_ns() - t0) / 1e9;
	most = (int)(span * 20) + 1;
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	getrusage(RUSAGE_CHILDREN, &ru);
	hpcp_sampler_points(s, &n, &merged);
	hpcp_sampler_summary(s, -2, HPCP_S_CPU_BUSY, &st);
	/* The hog's share of all CPUs over its life (sampled span + 0.1 s). */
	hog = cpu_s(&ru) /
	      ((double)(hpcp_now_ns() - t0) / 1e9 + 0.1) / (double)ncpu;
	foreign = st.mean - hog;
	printf("# host busy %.3f, the hog's own share %.3f, other work %.3f "
	       "(%ld CPUs)\n", st.mean, hog, foreign, ncpu);
	/* 20 Hz bounds the count from above.  From below only a thread
	 * that got a CPU when it woke: 29 under the sanitizers beside other
	 * suites; judged when the host was the hog's and ours. */
	if (n >= 30 && n <= most)
		tap_ok(1, "about 40 points in 2 s at 20 Hz (%d, at most %d "
		       "in %.2f s)", n, most, span);
	else if (n <= most && (foreign > 0.1 || hog < want - 0.1))
		tap_ok(1, "about 40 points in 2 s at 20 Hz (%d) # SKIP noisy: "
		       "other work took %.3f of the CPUs, the hog had %.3f: "
		       "the sampler's thread waited for a CPU", n, foreign,
		       hog);
	else
		tap_ok(0, "about 40 points in 2 s at 20 Hz (%d, at most %d "
		       "in %.2f s)", n, most, span);
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
	test_spike();
	test_partitions();
	test_big_file();
	test_hog();
	test_phase_times();
	nftw(root, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
	return tap_done();
}
