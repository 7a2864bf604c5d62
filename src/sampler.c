/*
 * The per-node utilisation sampler (hpcp/sampler.h): parsers, one
 * reading, the ring and its thread, and NVML through dlopen.
 *
 * Files are read relative to directory descriptors opened once, into
 * buffers of the sampler's own, so the loop allocates nothing.
 */
#include "config.h"

#include "hpcp/sampler.h"

#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "hpcp/efa.h"
#include "hpcp/timer.h"

static const char *const series_names[HPCP_S_COUNT] = {
	[HPCP_S_CPU_BUSY] = "cpu_busy",
	[HPCP_S_MEM_USED] = "memory_used",
	[HPCP_S_MEM_CACHED] = "memory_cached",
	[HPCP_S_NET_BPS] = "network_bytes_per_s",
	[HPCP_S_DISK_BPS] = "disk_bytes_per_s",
	[HPCP_S_DISK_BUSY] = "disk_busy",
	[HPCP_S_PSI_CPU] = "pressure_cpu",
	[HPCP_S_PSI_MEM] = "pressure_memory",
	[HPCP_S_PSI_IO] = "pressure_io",
	[HPCP_S_EFA_BPS] = "efa_bytes_per_s",
	[HPCP_S_GPU_UTIL] = "gpu_utilisation",
	[HPCP_S_GPU_MEM_USED] = "gpu_memory_used",
	[HPCP_S_GPU_POWER_W] = "gpu_power_w",
	[HPCP_S_GPU_SM_CLOCK_MHZ] = "gpu_sm_clock_mhz",
};

const char *hpcp_sampler_series_name(int series)
{
	return series >= 0 && series < HPCP_S_COUNT ? series_names[series] :
						      NULL;
}

/* --- parsers ------------------------------------------------------------ */

/* The next unsigned decimal field after blanks; -EINVAL when none. */
static int next_u64(const char **p, uint64_t *out)
{
	const char *s = *p;
	char *end;
	unsigned long long v;

	while (*s == ' ' || *s == '\t')
		s++;
	if (*s < '0' || *s > '9')
		return -EINVAL;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno)
		return -EINVAL;
	*out = v;
	*p = end;
	return 0;
}

int hpcp_sampler_parse_stat(const char *text, uint64_t *busy,
			    uint64_t *total)
{
	uint64_t v[10] = { 0 };
	const char *p = text;
	int n = 0;

	if (!text || strncmp(text, "cpu ", 4) != 0)
		return -EINVAL;
	p += 4;
	/* user nice system idle iowait irq softirq steal guest guest_nice;
	 * guest time is already in user, so it is not added again. */
	while (n < 8 && next_u64(&p, &v[n]) == 0)
		n++;
	if (n < 4)
		return -EINVAL;
	*busy = v[0] + v[1] + v[2] + v[5] + v[6] + v[7];
	*total = *busy + v[3] + v[4];
	return 0;
}

/* The kB value of "key:" at a line start; -ENOENT when absent. */
static int meminfo_key(const char *text, const char *key, uint64_t *kb)
{
	size_t len = strlen(key);

	for (const char *p = text; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : p) {
		if (strncmp(p, key, len) == 0 && p[len] == ':') {
			const char *q = p + len + 1;

			return next_u64(&q, kb);
		}
	}
	return -ENOENT;
}

int hpcp_sampler_parse_meminfo(const char *text, uint64_t *total_kb,
			       uint64_t *avail_kb, uint64_t *cached_kb)
{
	if (!text || meminfo_key(text, "MemTotal", total_kb) ||
	    meminfo_key(text, "MemAvailable", avail_kb) || *total_kb == 0)
		return -EINVAL;
	if (meminfo_key(text, "Cached", cached_kb))
		*cached_kb = 0;
	return 0;
}

int hpcp_sampler_parse_netdev(const char *text, uint64_t *bytes)
{
	const char *p = text;
	uint64_t sum = 0;
	int lines = 0;

	if (!text)
		return -EINVAL;
	/* Two heading lines, then "  name: rx_bytes ... (8 rx) tx_bytes". */
	for (; *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : p + strlen(p)) {
		const char *colon = strchr(p, ':');
		const char *eol = strchr(p, '\n');
		const char *name = p;
		uint64_t v[9];

		if (!colon || (eol && colon > eol))
			continue;
		while (*name == ' ')
			name++;
		if (colon - name == 2 && strncmp(name, "lo", 2) == 0) {
			lines++;
			continue;
		}
		p = colon + 1;
		for (int i = 0; i < 9; i++)
			if (next_u64(&p, &v[i]))
				return -EINVAL;
		sum += v[0] + v[8];
		lines++;
	}
	if (!lines)
		return -EINVAL;
	*bytes = sum;
	return 0;
}

/*
 * The kernel names a partition after its disk: the disk's name, "p" when
 * that ends in a digit, then the number (sda1, nvme0n1p1, mmcblk0p2), so
 * nvme0n10 after nvme0n1, or xvdaa after xvda, is another disk.
 */
static int named_partition(const char *name, const char *disk)
{
	size_t len = strlen(disk);
	const char *p = name + len;

	if (strncmp(name, disk, len) != 0)
		return 0;
	if (len && disk[len - 1] >= '0' && disk[len - 1] <= '9' && *p++ != 'p')
		return 0;
	if (*p < '0' || *p > '9')
		return 0;
	while (*p >= '0' && *p <= '9')
		p++;
	return *p == '\0';
}

/* sysfs's word where it lists the name (a partition has a "partition"
 * file), else the naming rule against the disks seen before. */
static int is_partition(int class_block, const char *name,
			char seen[][32], int n_seen)
{
	char rel[48];

	if (class_block >= 0 &&
	    snprintf(rel, sizeof(rel), "%s/partition", name) <
		    (int)sizeof(rel)) {
		if (faccessat(class_block, rel, F_OK, 0) == 0)
			return 1;
		if (faccessat(class_block, name, F_OK, 0) == 0)
			return 0;
	}
	for (int i = 0; i < n_seen; i++)
		if (named_partition(name, seen[i]))
			return 1;
	return 0;
}

/*
 * Whole disks only: a partition and device-mapper or md volumes would
 * count their disks' bytes twice; loop and ram devices are no disks.
 */
int hpcp_sampler_parse_diskstats(const char *text, int class_block,
				 uint64_t *sectors, uint64_t *io_ms,
				 int *disks)
{
	char seen[64][32];
	int n_seen = 0, n_disks = 0, lines = 0;
	uint64_t sec = 0, ms = 0;

	if (!text)
		return -EINVAL;
	for (const char *p = text; *p;) {
		const char *eol = strchr(p, '\n');
		const char *q = p;
		uint64_t major, minor, f[10];
		char name[32];
		size_t len = 0;

		if (next_u64(&q, &major) || next_u64(&q, &minor))
			return -EINVAL;
		while (*q == ' ')
			q++;
		while (q[len] && q[len] != ' ' && len < sizeof(name) - 1)
			len++;
		memcpy(name, q, len);
		name[len] = '\0';
		q += len;
		/* reads merged sectors ms, writes merged sectors ms,
		 * in-flight, io_ms */
		for (int i = 0; i < 10; i++)
			if (next_u64(&q, &f[i]))
				return -EINVAL;
		lines++;
		/* The names first: they cost no system call. */
		if (strncmp(name, "loop", 4) && strncmp(name, "ram", 3) &&
		    strncmp(name, "dm-", 3) && strncmp(name, "md", 2) &&
		    strncmp(name, "zram", 4) &&
		    !is_partition(class_block, name, seen, n_seen)) {
			sec += f[2] + f[6];
			ms += f[9];
			n_disks++;
			if (n_seen < 64)
				memcpy(seen[n_seen++], name, len + 1);
		}
		p = eol ? eol + 1 : p + strlen(p);
	}
	if (!lines)
		return -EINVAL;
	*sectors = sec;
	*io_ms = ms;
	*disks = n_disks;
	return 0;
}

int hpcp_sampler_parse_psi(const char *text, uint64_t *some_us)
{
	const char *p = text ? strstr(text, "total=") : NULL;

	if (!text || strncmp(text, "some ", 5) != 0 || !p)
		return -EINVAL;
	p += 6;
	return next_u64(&p, some_us);
}

/* --- derived values ------------------------------------------------------ */

static double ratio(uint64_t num, uint64_t den)
{
	return den ? (double)num / (double)den : NAN;
}

static double delta(uint64_t a, uint64_t b)
{
	/* A counter that went backwards (wrap, reset) gives no value. */
	return b >= a ? (double)(b - a) : NAN;
}

void hpcp_sampler_derive(const struct hpcp_sample_raw *a,
			 const struct hpcp_sample_raw *b,
			 double v[HPCP_S_COUNT])
{
	unsigned both = a->have & b->have;
	double dt = b->t_ns > a->t_ns ? (double)(b->t_ns - a->t_ns) / 1e9 : NAN;

	for (int i = 0; i < HPCP_S_COUNT; i++)
		v[i] = NAN;
	if (both & HPCP_SRC_STAT)
		v[HPCP_S_CPU_BUSY] = delta(a->cpu_busy, b->cpu_busy) /
				     delta(a->cpu_total, b->cpu_total);
	if (b->have & HPCP_SRC_MEMINFO) {
		v[HPCP_S_MEM_USED] = ratio(b->mem_total_kb - b->mem_avail_kb,
					   b->mem_total_kb);
		v[HPCP_S_MEM_CACHED] = ratio(b->mem_cached_kb,
					     b->mem_total_kb);
	}
	if (both & HPCP_SRC_NET)
		v[HPCP_S_NET_BPS] = delta(a->net_bytes, b->net_bytes) / dt;
	if (both & HPCP_SRC_DISK) {
		v[HPCP_S_DISK_BPS] =
			delta(a->disk_sectors, b->disk_sectors) * 512 / dt;
		if (b->disks > 0)
			v[HPCP_S_DISK_BUSY] =
				delta(a->disk_io_ms, b->disk_io_ms) / 1e3 /
				dt / b->disks;
	}
	for (int k = 0; k < 3; k++)
		if (both & (HPCP_SRC_PSI_CPU << k))
			v[HPCP_S_PSI_CPU + k] =
				delta(a->psi_us[k], b->psi_us[k]) / 1e6 / dt;
	if (both & HPCP_SRC_EFA)
		v[HPCP_S_EFA_BPS] = delta(a->efa_bytes, b->efa_bytes) / dt;
	if (b->have & HPCP_SRC_GPU) {
		v[HPCP_S_GPU_UTIL] = b->gpu_util;
		v[HPCP_S_GPU_MEM_USED] = b->gpu_mem_used;
		v[HPCP_S_GPU_POWER_W] = b->gpu_power_w;
		v[HPCP_S_GPU_SM_CLOCK_MHZ] = b->gpu_clock_mhz;
	}
	for (int i = 0; i < HPCP_S_COUNT; i++)
		if (!isfinite(v[i]))
			v[i] = NAN;
}

/* --- NVML, our own minimal declarations --------------------------------- */

#define NVML_SUCCESS 0
#define NVML_ERROR_NOT_SUPPORTED 3
#define NVML_CLOCK_SM 1

struct nvml_utilization {
	unsigned gpu, memory;            /* percent */
};
struct nvml_memory {
	unsigned long long total, free, used;   /* bytes */
};

int hpcp_gpu_open(struct hpcp_gpu *g, const char *lib)
{
	int (*init)(void);
	int (*count)(unsigned *);
	int (*handle)(unsigned, void **);
	unsigned n = 0;
	int rc;

	memset(g, 0, sizeof(*g));
	if (!lib)
		lib = getenv(HPCP_SAMPLER_ENV_NVML);
	if (!lib || !*lib)
		lib = HPCP_SAMPLER_DEFAULT_NVML;
	g->lib = dlopen(lib, RTLD_NOW | RTLD_LOCAL);
	if (!g->lib) {
		snprintf(g->reason, sizeof(g->reason),
			 "no NVML: %s cannot be loaded", lib);
		return 0;
	}
	*(void **)&init = dlsym(g->lib, "nvmlInit_v2");
	*(void **)&count = dlsym(g->lib, "nvmlDeviceGetCount_v2");
	*(void **)&handle = dlsym(g->lib, "nvmlDeviceGetHandleByIndex_v2");
	*(void **)&g->util = dlsym(g->lib, "nvmlDeviceGetUtilizationRates");
	*(void **)&g->mem = dlsym(g->lib, "nvmlDeviceGetMemoryInfo");
	*(void **)&g->power = dlsym(g->lib, "nvmlDeviceGetPowerUsage");
	*(void **)&g->clock = dlsym(g->lib, "nvmlDeviceGetClockInfo");
	*(void **)&g->shutdown = dlsym(g->lib, "nvmlShutdown");
	if (!init || !count || !handle || !g->util || !g->mem || !g->power ||
	    !g->clock || !g->shutdown) {
		snprintf(g->reason, sizeof(g->reason),
			 "no NVML: %s lacks the functions used", lib);
		dlclose(g->lib);
		g->lib = NULL;
		return 0;
	}
	rc = init();
	if (rc != NVML_SUCCESS) {
		snprintf(g->reason, sizeof(g->reason),
			 "NVML did not initialise (error %d)", rc);
		dlclose(g->lib);
		g->lib = NULL;
		return 0;
	}
	if (count(&n) != NVML_SUCCESS || n == 0) {
		snprintf(g->reason, sizeof(g->reason), "no GPU");
		hpcp_gpu_close(g);
		return 0;
	}
	for (unsigned i = 0; i < n && g->count < HPCP_SAMPLER_MAX_GPUS; i++)
		if (handle(i, &g->dev[g->count]) == NVML_SUCCESS)
			g->count++;
	if (!g->count) {
		snprintf(g->reason, sizeof(g->reason),
			 "NVML gave no handle of its %u GPUs", n);
		hpcp_gpu_close(g);
	}
	return g->count;
}

/* A field's value, or NAN remembered as unsupported. */
static int gpu_ok(struct hpcp_gpu *g, int rc, unsigned field)
{
	if (rc == NVML_ERROR_NOT_SUPPORTED)
		g->unsupported |= field;
	return rc == NVML_SUCCESS;
}

void hpcp_gpu_read(struct hpcp_gpu *g, struct hpcp_sample_raw *r)
{
	double util = 0, clock = 0, power = 0;
	unsigned long long used = 0, total = 0;
	int nu = 0, nc = 0, np = 0, nm = 0;

	if (!g->lib || !g->count)
		return;
	for (int i = 0; i < g->count; i++) {
		struct nvml_utilization u;
		struct nvml_memory m;
		unsigned mw, mhz;

		if (gpu_ok(g, g->util(g->dev[i], &u), HPCP_GPU_F_UTIL)) {
			util += u.gpu / 100.0;
			nu++;
		}
		if (gpu_ok(g, g->mem(g->dev[i], &m), HPCP_GPU_F_MEM)) {
			used += m.used;
			total += m.total;
			nm++;
		}
		if (gpu_ok(g, g->power(g->dev[i], &mw), HPCP_GPU_F_POWER)) {
			power += mw / 1000.0;
			np++;
		}
		if (gpu_ok(g, g->clock(g->dev[i], NVML_CLOCK_SM, &mhz),
			   HPCP_GPU_F_CLOCK)) {
			clock += mhz;
			nc++;
		}
	}
	r->gpu_util = nu ? util / nu : NAN;
	r->gpu_mem_used = nm && total ? (double)used / (double)total : NAN;
	r->gpu_power_w = np ? power : NAN;
	r->gpu_clock_mhz = nc ? clock / nc : NAN;
	r->have |= HPCP_SRC_GPU;
}

void hpcp_gpu_close(struct hpcp_gpu *g)
{
	if (!g->lib)
		return;
	g->shutdown();
	dlclose(g->lib);
	g->lib = NULL;
}

/* --- one reading --------------------------------------------------------- */

#define BUF_SMALL 4096
#define BUF_MIN 65536

struct hpcp_sampler {
	double hz;
	int procfd, efafd, blockfd;
	int n_efa;
	char efa_path[HPCP_SAMPLER_MAX_EFA_FILES][128];
	struct hpcp_gpu gpu;
	/* Sized at open to hold the largest file twice over; grown (and
	 * counted) only when a file outgrows it while sampling. */
	char *buf;
	size_t cap;
	int grown;
	unsigned sources;             /* what the first reading found */

	struct hpcp_sample_raw prev;
	int primed;
	uint64_t t0_ns;
	struct hpcp_sample_point *ring;   /* [HPCP_SAMPLER_RING] */
	int n, merged;
	/* The readings not yet in a ring point: their sums and counts. */
	int pending;
	double pend_sum[HPCP_S_COUNT];
	int pend_n[HPCP_S_COUNT];
	/* Every reading's summary: [phase][series], the run's last. */
	struct hpcp_series_acc *acc;

	_Atomic int phase;
	/* Written by hpcp_sampler_phase's caller only (the thread never
	 * reads them): the phases' bands in the report. */
	int ph_cur;
	double ph_start_s[HPCP_SAMPLER_PHASES], ph_end_s[HPCP_SAMPLER_PHASES];
	pthread_t thread;
	int running;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	int stop;
};

/*
 * The file at rel under dirfd into s->buf, whole; its length or -errno.
 * limit caps what is read (small files); 0 reads it all, growing the
 * buffer when it is full, which only a file larger than at open needs.
 */
static ssize_t read_at(struct hpcp_sampler *s, int dirfd, const char *rel,
		       size_t limit)
{
	ssize_t got;
	size_t len = 0;
	int fd;

	if (dirfd < 0 || !s->buf)
		return -ENOENT;
	fd = openat(dirfd, rel, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	for (;;) {
		size_t room = (limit && limit < s->cap ? limit : s->cap) - 1 -
			      len;

		if (!room) {
			char *b;

			if (limit)
				break;
			b = realloc(s->buf, s->cap * 2);
			if (!b) {
				close(fd);
				return -ENOMEM;
			}
			s->buf = b;
			s->cap *= 2;
			s->grown++;
			continue;
		}
		got = read(fd, s->buf + len, room);
		if (got <= 0)
			break;
		len += (size_t)got;
	}
	close(fd);
	s->buf[len] = '\0';
	return (ssize_t)len;
}

static void take(struct hpcp_sampler *s, struct hpcp_sample_raw *r)
{
	static const char *const psi[3] = { "pressure/cpu", "pressure/memory",
					    "pressure/io" };

	memset(r, 0, sizeof(*r));
	r->t_ns = hpcp_now_ns();
	if (read_at(s, s->procfd, "stat", 512) > 0 &&
	    hpcp_sampler_parse_stat(s->buf, &r->cpu_busy, &r->cpu_total) == 0)
		r->have |= HPCP_SRC_STAT;
	if (read_at(s, s->procfd, "meminfo", BUF_SMALL) > 0 &&
	    hpcp_sampler_parse_meminfo(s->buf, &r->mem_total_kb,
				       &r->mem_avail_kb,
				       &r->mem_cached_kb) == 0)
		r->have |= HPCP_SRC_MEMINFO;
	if (read_at(s, s->procfd, "net/dev", 0) > 0 &&
	    hpcp_sampler_parse_netdev(s->buf, &r->net_bytes) == 0)
		r->have |= HPCP_SRC_NET;
	if (read_at(s, s->procfd, "diskstats", 0) > 0 &&
	    hpcp_sampler_parse_diskstats(s->buf, s->blockfd,
					 &r->disk_sectors, &r->disk_io_ms,
					 &r->disks) == 0)
		r->have |= HPCP_SRC_DISK;
	for (int k = 0; k < 3; k++)
		if (read_at(s, s->procfd, psi[k], BUF_SMALL) > 0 &&
		    hpcp_sampler_parse_psi(s->buf, &r->psi_us[k]) == 0)
			r->have |= HPCP_SRC_PSI_CPU << k;
	if (s->n_efa) {
		int ok = 1;

		for (int i = 0; i < s->n_efa && ok; i++) {
			uint64_t v;
			ssize_t len = read_at(s, s->efafd, s->efa_path[i], 64);

			ok = len > 0 && !hpcp_efa_parse_counter(s->buf,
							(size_t)len, &v);
			r->efa_bytes += ok ? v : 0;
		}
		if (ok)
			r->have |= HPCP_SRC_EFA;
	}
	hpcp_gpu_read(&s->gpu, r);
}

/*
 * The EFA byte counters' files, found once (listing a directory
 * allocates): every device's tx/rx and RDMA read/write bytes.
 */
static void find_efa(struct hpcp_sampler *s, const char *efa_root)
{
	static const char *const names[] = { "tx_bytes", "rx_bytes",
					      "rdma_read_bytes",
					      "rdma_write_bytes" };
	struct hpcp_efa_set *set = malloc(sizeof(*set));
	const char *root = hpcp_efa_root(efa_root);

	s->efafd = -1;
	if (!set)
		return;
	if (hpcp_efa_snapshot(root, set) > 0)
		s->efafd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	for (int d = 0; s->efafd >= 0 && d < set->n_devices; d++) {
		const struct hpcp_efa_device *dev = &set->devices[d];

		for (int c = 0; c < dev->n_counters; c++) {
			const struct hpcp_efa_counter *k = &dev->counters[c];
			char *p = s->efa_path[s->n_efa];
			int match = 0, len;

			for (size_t i = 0; i < sizeof(names) / sizeof(*names);
			     i++)
				match |= !strcmp(k->name, names[i]);
			if (!match || s->n_efa == HPCP_SAMPLER_MAX_EFA_FILES)
				continue;
			if (!strcmp(k->scope, "device"))
				len = snprintf(p, sizeof(s->efa_path[0]),
					       "%s/hw_counters/%s", dev->name,
					       k->name);
			else if (!strncmp(k->scope, "port", 4))
				len = snprintf(p, sizeof(s->efa_path[0]),
					       "%s/ports/%s/hw_counters/%s",
					       dev->name, k->scope + 4,
					       k->name);
			else
				continue;
			if (len > 0 && (size_t)len < sizeof(s->efa_path[0]))
				s->n_efa++;
		}
	}
	free(set);
}

/* --- the ring and the summaries ------------------------------------------ */

void hpcp_series_acc_add(struct hpcp_series_acc *a, double v)
{
	int bin = 0;

	if (a->n == 0 || v < a->min)
		a->min = v;
	if (a->n == 0 || v > a->max)
		a->max = v;
	a->n++;
	a->sum += v;
	if (v > 0) {
		int e, o;
		double m = frexp(v, &e);     /* v = m 2^e, m in [0.5, 1) */

		o = e - 1 - HPCP_HIST_MIN_EXP;
		if (o < 0)
			bin = 1;
		else if (o >= HPCP_HIST_OCTAVES)
			bin = HPCP_HIST_BINS - 1;
		else
			bin = 1 + o * HPCP_HIST_SUB +
			      (int)((m - 0.5) * 2 * HPCP_HIST_SUB);
	}
	a->bin[bin]++;
}

void hpcp_series_acc_get(const struct hpcp_series_acc *a,
			 struct hpcp_series_stats *st)
{
	uint64_t rank, seen = 0;
	int b = 0;

	st->n = (int)a->n;
	st->mean = st->p95 = st->max = NAN;
	if (!a->n)
		return;
	st->mean = a->sum / a->n;
	st->max = a->max;
	/* Nearest rank: the smallest value with 95 % at or below, found in
	 * its bin; the bin's middle, within the values seen. */
	rank = (uint64_t)ceil(0.95 * a->n);
	while (b < HPCP_HIST_BINS - 1 && seen + a->bin[b] < rank)
		seen += a->bin[b++];
	if (b == 0) {
		st->p95 = 0;
	} else {
		int o = (b - 1) / HPCP_HIST_SUB, k = (b - 1) % HPCP_HIST_SUB;

		st->p95 = ldexp(0.5 + (k + 0.5) / (2 * HPCP_HIST_SUB),
				o + 1 + HPCP_HIST_MIN_EXP);
	}
	if (st->p95 < a->min)
		st->p95 = a->min;
	if (st->p95 > a->max)
		st->p95 = a->max;
}

/* Full: neighbours merge in pairs (means; the later one's phase) and
 * each later point takes twice as many readings. */
static void ring_halve(struct hpcp_sampler *s)
{
	int m = s->n / 2;

	for (int i = 0; i < m; i++) {
		struct hpcp_sample_point *a = &s->ring[2 * i];
		struct hpcp_sample_point *b = &s->ring[2 * i + 1];
		struct hpcp_sample_point *o = &s->ring[i];

		o->t_s = b->t_s;
		o->phase = b->phase;
		for (int k = 0; k < HPCP_S_COUNT; k++)
			o->v[k] = isnan(a->v[k]) ? b->v[k] :
				  isnan(b->v[k]) ? a->v[k] :
						   (a->v[k] + b->v[k]) / 2;
	}
	s->n = m;
	s->merged *= 2;
}

static void prime(struct hpcp_sampler *s)
{
	s->t0_ns = hpcp_now_ns();
	take(s, &s->prev);
	s->sources = s->prev.have;
	s->primed = 1;
}

static void tick(struct hpcp_sampler *s)
{
	struct hpcp_sample_raw cur;
	struct hpcp_sample_point *pt;
	double v[HPCP_S_COUNT];
	int ph = atomic_load_explicit(&s->phase, memory_order_relaxed);
	struct hpcp_series_acc *run = s->acc +
		(size_t)HPCP_SAMPLER_PHASES * HPCP_S_COUNT;

	take(s, &cur);
	hpcp_sampler_derive(&s->prev, &cur, v);
	s->prev = cur;
	/* Every reading counts in the summaries, whatever the ring keeps. */
	for (int k = 0; k < HPCP_S_COUNT; k++) {
		if (isnan(v[k]))
			continue;
		hpcp_series_acc_add(&run[k], v[k]);
		if (ph >= 0 && ph < HPCP_SAMPLER_PHASES)
			hpcp_series_acc_add(
				&s->acc[(size_t)ph * HPCP_S_COUNT + (size_t)k],
				v[k]);
		s->pend_sum[k] += v[k];
		s->pend_n[k]++;
	}
	/* After a merge, one point is the mean of `merged` readings. */
	if (++s->pending < s->merged)
		return;
	if (s->n == HPCP_SAMPLER_RING)
		ring_halve(s);
	pt = &s->ring[s->n++];
	pt->t_s = (double)(cur.t_ns - s->t0_ns) / 1e9;
	pt->phase = ph;
	for (int k = 0; k < HPCP_S_COUNT; k++) {
		pt->v[k] = s->pend_n[k] ? s->pend_sum[k] / s->pend_n[k] : NAN;
		s->pend_sum[k] = 0;
		s->pend_n[k] = 0;
	}
	s->pending = 0;
}

void hpcp_sampler_step(struct hpcp_sampler *s)
{
	if (!s->primed)
		prime(s);
	else
		tick(s);
}

static void *thread_main(void *arg)
{
	struct hpcp_sampler *s = arg;
	uint64_t period = (uint64_t)(1e9 / s->hz);
	struct timespec next;

	clock_gettime(CLOCK_MONOTONIC, &next);
	pthread_mutex_lock(&s->lock);
	while (!s->stop) {
		next.tv_nsec += (long)(period % 1000000000u);
		next.tv_sec += (time_t)(period / 1000000000u) +
			       next.tv_nsec / 1000000000;
		next.tv_nsec %= 1000000000;
		while (!s->stop &&
		       pthread_cond_timedwait(&s->cond, &s->lock, &next) !=
			       ETIMEDOUT)
			;
		if (s->stop)
			break;
		pthread_mutex_unlock(&s->lock);
		tick(s);
		pthread_mutex_lock(&s->lock);
		/* Late (a busy host): go on from now rather than catch up
		 * with a burst of readings. */
		{
			struct timespec now;

			clock_gettime(CLOCK_MONOTONIC, &now);
			if (now.tv_sec > next.tv_sec ||
			    (now.tv_sec == next.tv_sec &&
			     now.tv_nsec > next.tv_nsec))
				next = now;
		}
	}
	pthread_mutex_unlock(&s->lock);
	return NULL;
}

/* A directory under the root named by env (default def), or -1. */
static int open_dir(const char *env, const char *def, const char *rel)
{
	const char *root = getenv(env);
	char path[512];

	if (snprintf(path, sizeof(path), "%s%s", root && *root ? root : def,
		     rel) >= (int)sizeof(path))
		return -1;
	return open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
}

struct hpcp_sampler *hpcp_sampler_open(const char *efa_root)
{
	static const char *const big[] = { "net/dev", "diskstats" };
	struct hpcp_sampler *s = calloc(1, sizeof(*s));
	pthread_condattr_t ca;

	if (!s)
		return NULL;
	s->ring = calloc(HPCP_SAMPLER_RING, sizeof(*s->ring));
	s->acc = calloc((size_t)(HPCP_SAMPLER_PHASES + 1) * HPCP_S_COUNT,
			sizeof(*s->acc));
	s->cap = BUF_MIN;
	s->buf = malloc(s->cap);
	if (!s->ring || !s->acc || !s->buf) {
		free(s->ring);
		free(s->acc);
		free(s->buf);
		free(s);
		return NULL;
	}
	s->merged = 1;
	s->phase = -1;
	s->ph_cur = -1;
	for (int p = 0; p < HPCP_SAMPLER_PHASES; p++)
		s->ph_start_s[p] = s->ph_end_s[p] = NAN;
	s->procfd = open_dir(HPCP_SAMPLER_ENV_PROCFS,
			     HPCP_SAMPLER_DEFAULT_PROCFS, "");
	s->blockfd = open_dir(HPCP_SAMPLER_ENV_SYSFS,
			      HPCP_SAMPLER_DEFAULT_SYSFS, "/class/block");
	/* The large files read whole once, then room for twice the largest,
	 * so that only a file doubling in size grows the buffer later. */
	for (size_t i = 0; i < sizeof(big) / sizeof(*big); i++) {
		ssize_t len = read_at(s, s->procfd, big[i], 0);

		if (len > 0 && (size_t)len * 2 + 1 > s->cap) {
			char *b = realloc(s->buf, (size_t)len * 2 + 1);

			if (b) {
				s->buf = b;
				s->cap = (size_t)len * 2 + 1;
			}
		}
	}
	s->grown = 0;
	find_efa(s, efa_root);
	hpcp_gpu_open(&s->gpu, NULL);
	pthread_mutex_init(&s->lock, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&s->cond, &ca);
	pthread_condattr_destroy(&ca);
	return s;
}

void hpcp_sampler_read(struct hpcp_sampler *s, struct hpcp_sample_raw *r)
{
	take(s, r);
}

int hpcp_sampler_start(struct hpcp_sampler **out, double hz,
		       const char *efa_root)
{
	struct hpcp_sampler *s;
	int rc;

	*out = NULL;
	if (!(hz > 0))
		return -EINVAL;
	s = hpcp_sampler_open(efa_root);
	if (!s)
		return -ENOMEM;
	s->hz = hz;
	prime(s);
	rc = pthread_create(&s->thread, NULL, thread_main, s);
	if (rc) {
		hpcp_sampler_free(s);
		return -rc;
	}
	s->running = 1;
	*out = s;
	return 0;
}

void hpcp_sampler_phase(struct hpcp_sampler *s, int phase)
{
	double now;

	if (!s)
		return;
	now = (double)(hpcp_now_ns() - s->t0_ns) / 1e9;
	if (s->ph_cur >= 0 && s->ph_cur < HPCP_SAMPLER_PHASES)
		s->ph_end_s[s->ph_cur] = now;
	if (phase >= 0 && phase < HPCP_SAMPLER_PHASES)
		s->ph_start_s[phase] = now;
	s->ph_cur = phase;
	atomic_store_explicit(&s->phase, phase, memory_order_relaxed);
}

int hpcp_sampler_phase_times(const struct hpcp_sampler *s, int phase,
			     double *start_s, double *end_s)
{
	if (!s || phase < 0 || phase >= HPCP_SAMPLER_PHASES ||
	    isnan(s->ph_start_s[phase]) || isnan(s->ph_end_s[phase]))
		return -ENOENT;
	*start_s = s->ph_start_s[phase];
	*end_s = s->ph_end_s[phase];
	return 0;
}

void hpcp_sampler_stop(struct hpcp_sampler *s)
{
	if (!s || !s->running)
		return;
	pthread_mutex_lock(&s->lock);
	s->stop = 1;
	pthread_cond_signal(&s->cond);
	pthread_mutex_unlock(&s->lock);
	pthread_join(s->thread, NULL);
	s->running = 0;
}

void hpcp_sampler_free(struct hpcp_sampler *s)
{
	if (!s)
		return;
	hpcp_sampler_stop(s);
	hpcp_gpu_close(&s->gpu);
	if (s->procfd >= 0)
		close(s->procfd);
	if (s->efafd >= 0)
		close(s->efafd);
	if (s->blockfd >= 0)
		close(s->blockfd);
	pthread_cond_destroy(&s->cond);
	pthread_mutex_destroy(&s->lock);
	free(s->ring);
	free(s->acc);
	free(s->buf);
	free(s);
}

const struct hpcp_sample_point *hpcp_sampler_points(
	const struct hpcp_sampler *s, int *n, int *merged)
{
	*n = s->n;
	*merged = s->merged;
	return s->ring;
}

const struct hpcp_gpu *hpcp_sampler_gpu(const struct hpcp_sampler *s)
{
	return &s->gpu;
}

unsigned hpcp_sampler_sources(const struct hpcp_sampler *s)
{
	return s->sources;
}

double hpcp_sampler_hz(const struct hpcp_sampler *s)
{
	return s->hz;
}

size_t hpcp_sampler_buf_size(const struct hpcp_sampler *s, int *grown)
{
	*grown = s->grown;
	return s->cap;
}

void hpcp_sampler_summary(const struct hpcp_sampler *s, int phase,
			  int series, struct hpcp_series_stats *st)
{
	int p = phase == -2 ? HPCP_SAMPLER_PHASES : phase;

	if (p < 0 || p > HPCP_SAMPLER_PHASES || series < 0 ||
	    series >= HPCP_S_COUNT) {
		st->n = 0;
		st->mean = st->p95 = st->max = NAN;
		return;
	}
	hpcp_series_acc_get(&s->acc[(size_t)p * HPCP_S_COUNT +
				    (size_t)series], st);
}
