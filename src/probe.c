#include "config.h"

#include "hpcp/probe.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "hpcp/report.h"

void hpcp_probe_counts(const struct hpcp_config *cfg,
		       const struct hpcp_counts *defaults, uint64_t bytes,
		       uint64_t *iterations, uint64_t *warmup)
{
	int large = bytes > HPCP_LARGE_MESSAGE_BYTES;
	uint64_t it = large ? defaults->large_iterations :
			      defaults->small_iterations;
	uint64_t wu = large ? defaults->large_warmup : defaults->small_warmup;

	if (cfg->quick) {
		it = it / 10 ? it / 10 : 1;
		wu /= 10;
	}
	*iterations = cfg->iterations_given ? cfg->iterations : it;
	*warmup = cfg->warmup_given ? cfg->warmup : wu;
}

int hpcp_probe_sizes(const struct hpcp_config *cfg, uint64_t min,
		     uint64_t max, uint64_t *sizes, int cap, int *dropped)
{
	int n = 0;

	*dropped = 0;
	if (cfg->sizes_given) {
		for (int i = 0; i < cfg->n_sizes; i++) {
			if (cfg->sizes[i] < min || cfg->sizes[i] > max ||
			    n == cap) {
				(*dropped)++;
				continue;
			}
			sizes[n++] = cfg->sizes[i];
		}
		return n;
	}
	if (min == 0 && n < cap)
		sizes[n++] = 0;
	for (uint64_t s = min ? min : 1; s <= max && n < cap; s *= 2)
		sizes[n++] = s;
	return n;
}

uint64_t hpcp_probe_preemptions(void)
{
	struct rusage ru;

	/* Linux counts a switch away from a still-runnable task as
	 * involuntary, sched_yield to another task included. */
	if (getrusage(RUSAGE_THREAD, &ru) != 0)
		return 0;
	return (uint64_t)ru.ru_nivcsw;
}

void *hpcp_probe_alloc(size_t bytes)
{
	long page = sysconf(_SC_PAGESIZE);
	void *p = NULL;

	if (bytes == 0)
		bytes = 1;
	if (posix_memalign(&p, page > 0 ? (size_t)page : 4096, bytes) != 0)
		return NULL;
	memset(p, 0, bytes);
	return p;
}

static inline uint8_t pattern_byte(size_t i, uint64_t seed)
{
	uint64_t x = (uint64_t)i * 0x9e3779b97f4a7c15ull + seed;

	x ^= x >> 29;
	return (uint8_t)(x ^ (x >> 8));
}

void hpcp_pattern_fill(void *buf, size_t bytes, uint64_t seed)
{
	uint8_t *b = buf;

	for (size_t i = 0; i < bytes; i++)
		b[i] = pattern_byte(i, seed);
}

long long hpcp_pattern_check(const void *buf, size_t bytes, uint64_t seed)
{
	const uint8_t *b = buf;

	for (size_t i = 0; i < bytes; i++)
		if (b[i] != pattern_byte(i, seed))
			return (long long)i;
	return -1;
}

/* A percentile, or null when the sample count cannot support it. */
static void res_pct(struct hpcp_res *lat, const char *key, uint64_t v)
{
	if (v == HPCP_LAT_NONE)
		hpcp_res_null(lat, key);
	else
		hpcp_res_int(lat, key, (int64_t)v);
}

void hpcp_res_latency(struct hpcp_res *parent, const char *key,
		      const struct hpcp_lat_summary *s)
{
	struct hpcp_res *lat;
	char why[96];

	if (s->count == 0) {
		hpcp_res_null(parent, key);
		return;
	}
	lat = hpcp_res_object(parent, key);
	hpcp_res_int(lat, "min", (int64_t)s->min_ns);
	res_pct(lat, "p50", s->p50_ns);
	res_pct(lat, "p90", s->p90_ns);
	res_pct(lat, "p99", s->p99_ns);
	res_pct(lat, "p99_9", s->p99_9_ns);
	hpcp_res_int(lat, "max", (int64_t)s->max_ns);
	hpcp_res_int(lat, "mean", (int64_t)llround(s->mean_ns));
	if (hpcp_lat_reason(s, why, sizeof(why)) > 0)
		hpcp_res_str(lat, "percentiles_reason", why);
}

void hpcp_res_p2p_sizes(struct hpcp_res *pair,
			const struct hpcp_p2p_row *rows, int n_rows,
			int validate_asked)
{
	struct hpcp_res *arr = hpcp_res_array(pair, "sizes");

	for (int s = 0; s < n_rows; s++) {
		const struct hpcp_p2p_row *r = &rows[s];
		struct hpcp_res *row;

		/* A size the pair never got to holds nothing to report. */
		if (r->failed)
			continue;
		row = hpcp_res_object(arr, NULL);

		hpcp_res_int(row, "bytes", (int64_t)r->bytes);
		hpcp_res_int(row, "iterations", (int64_t)r->iterations);
		hpcp_res_int(row, "warmup", (int64_t)r->warmup);
		hpcp_res_int(row, "samples_count", (int64_t)r->lat.count);
		hpcp_res_latency(row, "latency_ns", &r->lat);
		hpcp_res_int(row, "loop_mean_latency_ns",
			     (int64_t)r->loop_mean_ns);
		if (r->bw_bytes_per_s >= 0) {
			hpcp_res_double(row, "bandwidth_bytes_per_s",
					r->bw_bytes_per_s);
			hpcp_res_int(row, "bandwidth_windows_count",
				     (int64_t)r->bw_windows);
		} else {
			hpcp_res_null(row, "bandwidth_bytes_per_s");
		}
		if (validate_asked && r->bytes > 0)
			hpcp_res_bool(row, "payload_intact", r->validated == 1);
	}
}

/* One job runs each phase once: a fixed table, rank 0's, is enough. */
static struct {
	uint64_t bytes, p50_ns;
} mpi_allreduce[HPCP_MAX_SIZES];
static int n_mpi_allreduce;

void hpcp_probe_note_allreduce(uint64_t bytes, uint64_t p50_ns)
{
	for (int i = 0; i < n_mpi_allreduce; i++)
		if (mpi_allreduce[i].bytes == bytes) {
			mpi_allreduce[i].p50_ns = p50_ns;
			return;
		}
	if (n_mpi_allreduce == HPCP_MAX_SIZES)
		return;
	mpi_allreduce[n_mpi_allreduce].bytes = bytes;
	mpi_allreduce[n_mpi_allreduce++].p50_ns = p50_ns;
}

int hpcp_probe_allreduce_p50(uint64_t bytes, uint64_t *p50_ns)
{
	for (int i = 0; i < n_mpi_allreduce; i++)
		if (mpi_allreduce[i].bytes == bytes) {
			*p50_ns = mpi_allreduce[i].p50_ns;
			return 0;
		}
	return -ENOENT;
}

#define TARGET_LOOP_NS 50000000ull
#define MAX_STRETCH 100

uint64_t hpcp_probe_stretched(const struct hpcp_config *cfg, uint64_t pace_ns,
			      uint64_t iterations)
{
	uint64_t target, want;

	if (cfg->iterations_given || pace_ns == 0)
		return iterations;
	target = cfg->quick ? TARGET_LOOP_NS / 10 : TARGET_LOOP_NS;
	want = (target + pace_ns - 1) / pace_ns;
	if (want > iterations * MAX_STRETCH)
		want = iterations * MAX_STRETCH;
	return want > iterations ? want : iterations;
}

int hpcp_res_disturbed(struct hpcp_res *row, uint64_t preempted,
		       uint64_t iterations, const char *who)
{
	double ratio = iterations ? (double)preempted / (double)iterations : 0;
	char why[200];

	if (ratio > 1)
		ratio = 1;
	hpcp_res_int(row, "preemptions_count", (int64_t)preempted);
	hpcp_res_double(row, "disturbed_iterations_bound_ratio", ratio);
	hpcp_res_bool(row, "noisy", ratio > HPCP_DISTURBED_MAX_RATIO);
	if (ratio <= HPCP_DISTURBED_MAX_RATIO)
		return 0;
	snprintf(why, sizeof(why),
		 "ranks were switched out %llu times in %llu iterations%s; the "
		 "host is busy",
		 (unsigned long long)preempted, (unsigned long long)iterations,
		 who ? who : "");
	hpcp_res_str(row, "noisy_reason", why);
	return 1;
}

int hpcp_probe_float_sizes(const struct hpcp_config *cfg, uint64_t min,
			   uint64_t max, uint64_t *sizes, int *dropped,
			   uint64_t *max_bytes)
{
	int n = hpcp_probe_sizes(cfg, min,
				 cfg->sizes_given ? HPCP_MAX_MSG_BYTES : max,
				 sizes, HPCP_MAX_SIZES, dropped);

	*max_bytes = min;
	for (int s = 0; s < n; s++) {
		sizes[s] -= sizes[s] % sizeof(float);
		if (sizes[s] > *max_bytes)
			*max_bytes = sizes[s];
	}
	return n;
}
