/*
 * The per-node utilisation sampler.
 *
 * One thread on each node's leader rank, started before the first phase
 * and stopped after the last, reads the kernel's counters --sample-hz
 * times a second: /proc/stat (busy share of all CPUs), /proc/meminfo
 * (used, available, cached), /proc/net/dev (bytes/s, every interface but
 * lo), /proc/diskstats (bytes/s and busy share of whole disks),
 * /proc/pressure/{cpu,memory,io} (share of time some task stalled) when
 * the kernel has them, the EFA byte counters (efa.h) and the GPUs through
 * NVML loaded at run time.  The thread never calls MPI and allocates
 * nothing once started (but for a rare growth of its file buffer, when a
 * file outgrows the size found at open): every reading goes into each
 * series' summary of the running phase and of the whole run (count, sum,
 * exact max, p95 from a fixed histogram), and into a ring of fixed size
 * for the charts that, when full, merges neighbours in pairs (means), each
 * later point then being the mean of twice as many readings.
 *
 * Files are read under HPCPROBE_PROCFS_ROOT (default /proc), whether a
 * disk is a partition under HPCPROBE_SYSFS_ROOT (default /sys) and the EFA
 * counters under --efa-root's tree (efa.h), so tests use fake trees;
 * HPCPROBE_NVML_LIB names the NVML library (default libnvidia-ml.so.1).
 */
#ifndef HPCP_SAMPLER_H
#define HPCP_SAMPLER_H

#include <stddef.h>
#include <stdint.h>

#define HPCP_SAMPLER_ENV_PROCFS "HPCPROBE_PROCFS_ROOT"
#define HPCP_SAMPLER_ENV_NVML "HPCPROBE_NVML_LIB"
#define HPCP_SAMPLER_ENV_SYSFS "HPCPROBE_SYSFS_ROOT"
#define HPCP_SAMPLER_DEFAULT_PROCFS "/proc"
#define HPCP_SAMPLER_DEFAULT_SYSFS "/sys"
#define HPCP_SAMPLER_DEFAULT_NVML "libnvidia-ml.so.1"
#define HPCP_SAMPLER_DEFAULT_HZ 10.0
/* Points kept in the ring before neighbours are merged: 409 s at 10 Hz. */
#define HPCP_SAMPLER_RING 4096
/* Points of each series in the document, per host. */
#define HPCP_SAMPLER_POINTS 64
#define HPCP_SAMPLER_PHASES 32   /* phase times kept (>= HPCP_MAX_PHASES) */
#define HPCP_SAMPLER_MAX_GPUS 16
#define HPCP_SAMPLER_MAX_EFA_FILES 16

/* The series, in document order (hpcp_sampler_series_name). */
enum hpcp_series {
	HPCP_S_CPU_BUSY,          /* share of all CPUs' time, 0..1 */
	HPCP_S_MEM_USED,          /* (total - available) / total */
	HPCP_S_MEM_CACHED,        /* cached / total */
	HPCP_S_NET_BPS,           /* received + sent, bytes/s */
	HPCP_S_DISK_BPS,          /* read + written, bytes/s */
	HPCP_S_DISK_BUSY,         /* mean busy share of the whole disks */
	HPCP_S_PSI_CPU,           /* share of time some task waited */
	HPCP_S_PSI_MEM,
	HPCP_S_PSI_IO,
	HPCP_S_EFA_BPS,           /* tx + rx (+ RDMA read/write) bytes/s */
	HPCP_S_GPU_UTIL,          /* mean over GPUs, 0..1 */
	HPCP_S_GPU_MEM_USED,      /* used / total over GPUs */
	HPCP_S_GPU_POWER_W,       /* sum over GPUs */
	HPCP_S_GPU_SM_CLOCK_MHZ,  /* mean over GPUs */
	HPCP_S_COUNT
};

const char *hpcp_sampler_series_name(int series);

/* One reading of every counter (cumulative ones as read). */
struct hpcp_sample_raw {
	uint64_t t_ns;
	unsigned have;            /* bit per source, HPCP_SRC_* */
	uint64_t cpu_busy, cpu_total;            /* ticks */
	uint64_t mem_total_kb, mem_avail_kb, mem_cached_kb;
	uint64_t net_bytes;
	uint64_t disk_sectors, disk_io_ms;
	int disks;
	uint64_t psi_us[3];                      /* cpu, memory, io: some */
	uint64_t efa_bytes;
	/* GPUs: NAN where a field is not supported. */
	double gpu_util, gpu_mem_used, gpu_power_w, gpu_clock_mhz;
};

#define HPCP_SRC_STAT 0x1u
#define HPCP_SRC_MEMINFO 0x2u
#define HPCP_SRC_NET 0x4u
#define HPCP_SRC_DISK 0x8u
#define HPCP_SRC_PSI_CPU 0x10u
#define HPCP_SRC_PSI_MEM 0x20u
#define HPCP_SRC_PSI_IO 0x40u
#define HPCP_SRC_EFA 0x80u
#define HPCP_SRC_GPU 0x100u

/* The values of one interval from two readings; NAN where a source is
 * missing in either. */
void hpcp_sampler_derive(const struct hpcp_sample_raw *a,
			 const struct hpcp_sample_raw *b,
			 double v[HPCP_S_COUNT]);

/* Parsers, for tests: 0 or -EINVAL. */
int hpcp_sampler_parse_stat(const char *text, uint64_t *busy,
			    uint64_t *total);
int hpcp_sampler_parse_meminfo(const char *text, uint64_t *total_kb,
			       uint64_t *avail_kb, uint64_t *cached_kb);
int hpcp_sampler_parse_netdev(const char *text, uint64_t *bytes);
/* Whole disks only: a name with <name>/partition under class_block (a
 * directory descriptor of <sysfs>/class/block) is a partition; with
 * class_block < 0, or a name sysfs does not list, the kernel's naming
 * rule decides (a disk's name, "p" when it ends in a digit, digits). */
int hpcp_sampler_parse_diskstats(const char *text, int class_block,
				 uint64_t *sectors, uint64_t *io_ms,
				 int *disks);
int hpcp_sampler_parse_psi(const char *text, uint64_t *some_us);

/* GPUs through NVML, loaded at run time. */
struct hpcp_gpu {
	void *lib;
	int count;
	void *dev[HPCP_SAMPLER_MAX_GPUS];
	int (*util)(void *, void *);
	int (*mem)(void *, void *);
	int (*power)(void *, unsigned *);
	int (*clock)(void *, int, unsigned *);
	int (*shutdown)(void);
	unsigned unsupported;     /* bit per field found "not supported" */
	char reason[160];         /* why there are no GPU series */
};

#define HPCP_GPU_F_UTIL 0x1u
#define HPCP_GPU_F_MEM 0x2u
#define HPCP_GPU_F_POWER 0x4u
#define HPCP_GPU_F_CLOCK 0x8u

/* Load lib (NULL: HPCPROBE_NVML_LIB or the default), initialise NVML and
 * take the devices' handles.  Returns the GPU count; 0 with g->reason set
 * when there is no library, no GPU or NVML fails. */
int hpcp_gpu_open(struct hpcp_gpu *g, const char *lib);
/* Fill the reading's GPU fields (means, sums; NAN: not supported). */
void hpcp_gpu_read(struct hpcp_gpu *g, struct hpcp_sample_raw *r);
void hpcp_gpu_close(struct hpcp_gpu *g);

/* One point of the ring. */
struct hpcp_sample_point {
	double t_s;               /* end of the interval, since start */
	int phase;                /* phase index running then, -1 none */
	double v[HPCP_S_COUNT];
};

struct hpcp_sampler;

/* The sources opened (the EFA counters under efa_root, NULL: sysfs, and
 * the GPUs found), no thread; NULL when out of memory.
 * hpcp_sampler_read takes one reading now (tests). */
struct hpcp_sampler *hpcp_sampler_open(const char *efa_root);
void hpcp_sampler_read(struct hpcp_sampler *s, struct hpcp_sample_raw *r);
/* One period of the thread, for tests that drive a sampler from
 * hpcp_sampler_open without the thread: the first call takes the
 * baseline reading, every later one a reading into the summaries and the
 * ring.  Times are the clock's, so only series that do not depend on the
 * interval's length are exact with a fake tree. */
void hpcp_sampler_step(struct hpcp_sampler *s);
/* The read buffer's size and how often a file outgrew it while sampling. */
size_t hpcp_sampler_buf_size(const struct hpcp_sampler *s, int *grown);

/*
 * Start the thread (rank-local), hz readings a second.  The EFA counters
 * and GPUs are found now.  Returns 0 or -errno (*out NULL).
 */
int hpcp_sampler_start(struct hpcp_sampler **out, double hz,
		       const char *efa_root);
/* The running phase, by index (-1 between phases); cheap, lock-free. */
void hpcp_sampler_phase(struct hpcp_sampler *s, int phase);
/* When the caller of hpcp_sampler_phase began and ended phase, in
 * seconds on the points' clock (since start): 0, or -ENOENT when the
 * phase did not both begin and end. */
int hpcp_sampler_phase_times(const struct hpcp_sampler *s, int phase,
			     double *start_s, double *end_s);
/* Stop and join the thread; the ring stays readable. */
void hpcp_sampler_stop(struct hpcp_sampler *s);
void hpcp_sampler_free(struct hpcp_sampler *s);

/* After stop: the points, their count and the merge factor. */
const struct hpcp_sample_point *hpcp_sampler_points(
	const struct hpcp_sampler *s, int *n, int *merged);
const struct hpcp_gpu *hpcp_sampler_gpu(const struct hpcp_sampler *s);
unsigned hpcp_sampler_sources(const struct hpcp_sampler *s);
double hpcp_sampler_hz(const struct hpcp_sampler *s);

/* mean, p95, max of one series; n the readings with a value.  NAN when
 * n is 0. */
struct hpcp_series_stats {
	int n;
	double mean, p95, max;
};

/*
 * A series' summary built reading by reading, of fixed size: the count,
 * sum and max are exact; the p95 (nearest rank) comes from a histogram of
 * HPCP_HIST_SUB bins an octave from 2^HPCP_HIST_MIN_EXP to
 * 2^(HPCP_HIST_MIN_EXP + HPCP_HIST_OCTAVES), reported as its bin's middle
 * clamped to [min, max]: within HPCP_HIST_REL_ERR of the exact p95
 * (relative) for values in that range; values at or below 0 (none of the
 * series has any) count as 0, smaller positive ones as the lowest bin,
 * larger ones as the highest.
 */
#define HPCP_HIST_SUB 32
#define HPCP_HIST_MIN_EXP (-32)
#define HPCP_HIST_OCTAVES 80
#define HPCP_HIST_BINS (1 + HPCP_HIST_OCTAVES * HPCP_HIST_SUB)
#define HPCP_HIST_REL_ERR (1.0 / (2 * HPCP_HIST_SUB))
struct hpcp_series_acc {
	uint32_t n;
	double sum, min, max;
	uint32_t bin[HPCP_HIST_BINS];
};
void hpcp_series_acc_add(struct hpcp_series_acc *a, double v);
void hpcp_series_acc_get(const struct hpcp_series_acc *a,
			 struct hpcp_series_stats *st);
/* After stop: the summary of a series over every reading of a phase
 * (phase -2: the whole run, between phases too). */
void hpcp_sampler_summary(const struct hpcp_sampler *s, int phase,
			  int series, struct hpcp_series_stats *st);

/* --- the run's side (src/sampler_report.c) -------------------------------- */

struct hpcp_ctx;
struct hpcp_doc;

/*
 * Rank-local: on a node's leader, start the sampler at ctx->cfg.sample_hz
 * (none when 0); *s stays NULL elsewhere.  A sampler that cannot start is
 * a reason in the document, never an error.
 */
void hpcp_util_start(const struct hpcp_ctx *ctx, struct hpcp_sampler **s);

/*
 * Collective over the node leaders (a no-op on other ranks): stop and
 * summarise each node's sampler, gather the summaries to rank 0, which
 * writes the document's "utilisation": per host and phase the mean, p95
 * and max of every series and the series themselves (at most
 * HPCP_SAMPLER_POINTS points); per phase across hosts the imbalance
 * (max / mean of the hosts' means) and the least-used host.  Frees *s.
 */
void hpcp_util_finish(struct hpcp_ctx *ctx, struct hpcp_sampler **s,
		      struct hpcp_doc *doc);

#endif
