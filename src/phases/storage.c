/*
 * storage: IO500-style sub-phases on one directory (--storage-dir; on AWS
 * the FSx for Lustre mount), every operation timed, the data verified.
 *
 * Method.  Rank 0 makes a fresh subdirectory (mkdtemp) after checking the
 * free space and inodes there; all ranks work only inside it, and it is
 * removed at the end, after a failure, and from the watchdog thread when
 * the watchdog or a signal ends the job (hpcp_watch_on_end).  The work is
 * a list of steps, each started together (a barrier; its time is the
 * reference of the step's spans) and ended with an agreement, so one
 * rank's failure stops every rank at the same place:
 *   easy      a file per rank written in 2 MiB transfers, then fsync; read
 *             back by another rank, shifted by the ranks per node (the
 *             writer's page cache cannot serve it when ranks fill nodes)
 *   hard      one shared file, 47 008 B transfers interleaved by rank
 *             (IO500's ior-hard), fsync, read back shifted likewise
 *   random    a file per rank; 4 KiB reads, then 4 KiB writes, at random
 *             aligned offsets, one at a time (iodepth 1)
 *   metadata  create (open, write 3 901 B, close), stat, read, unlink of
 *             small files in a directory per rank, then in one shared one
 * Each call is timed alone into a histogram per (sub-phase, operation),
 * merged across ranks.  Throughput and operations per second are over the
 * step's wall span: from the first start to the last end across ranks,
 * each rank's times taken from the barrier that started the step (so no
 * clock is compared across nodes); a write's span runs to the end of its
 * fsync.  Every byte read is checked against a pattern of (seed, file,
 * offset), outside the timed call.  Before a file's reads, mincore says
 * how much of it the page cache already held.  --storage-direct opens the
 * easy and random files O_DIRECT; a file system that refuses it (EINVAL at
 * the open or at a transfer) makes that sub-phase unavailable with the
 * reason, everything it had recorded dropped: a buffered fallback would
 * put page-cache numbers under rows a user asked to be the servers'.
 */
#include "config.h"

#include "hpcp/metrics.h"

static const struct hpcp_metric_label op_labels[] = {
	{ .name = "subphase", .level = 0, .path = "subphase",
	  .emf = "Subphase", .prom = "subphase" },
	{ .name = "op", .level = 0, .path = "op", .emf = "Operation",
	  .prom = "op" },
	{ 0 },
};

static const struct hpcp_metric storage_metrics[] = {
	{
		.each = "ops/[]", .path = "latency_ns", .unit = "ns",
		.kind = HPCP_METRIC_LATENCY, .better = HPCP_BETTER_LOWER,
		.labels = op_labels, .column = "latency",
		.html_column = "latency", .html_scale = 1e-3,
		.html_stats = HPCP_STAT_P50 | HPCP_STAT_P99 | HPCP_STAT_MAX,
		.gate = "storage.{subphase}.{op}.latency.{stat}",
		.gate_stats = HPCP_STAT_P50 | HPCP_STAT_P99,
		.prom = "hpcprobe_storage_latency_seconds",
		.prom_help = "Latency of one storage operation, all ranks.",
		.prom_scale = 1e-9, .prom_count = "ops_count",
		.noisy = "noisy", .noisy_reason = "noisy_reason",
		.noisy_drops = 0,
	},
	{
		.each = "ops/[]", .path = "latency_ns/p99_9", .unit = "ns",
		.kind = HPCP_METRIC_VALUE, .better = HPCP_BETTER_LOWER,
		.labels = op_labels,
		.emf = "LatencyP999", .emf_unit = "Microseconds",
		.emf_scale = 1e-3,
	},
	{
		.each = "ops/[]", .path = "ops_per_s", .unit = "ops/s",
		.kind = HPCP_METRIC_RATE, .better = HPCP_BETTER_HIGHER,
		.labels = op_labels, .column = "ops/s",
		.html_column = "ops/s", .html_scale = 1,
		.gate = "storage.{subphase}.{op}.{key}",
		.noisy = "noisy", .noisy_reason = "noisy_reason",
		.emf = "IOPS", .emf_unit = "Count/Second", .emf_scale = 1,
		.prom = "hpcprobe_storage_ops_per_second",
		.prom_help = "Operations per second over the step's wall span, "
			     "all ranks.",
		.prom_scale = 1,
	},
	{
		.each = "ops/[]", .path = "read_bytes_per_s", .unit = "bytes/s",
		.kind = HPCP_METRIC_RATE, .better = HPCP_BETTER_HIGHER,
		.labels = op_labels, .column = "read B/s",
		.html_column = "read MB/s", .html_scale = 1e-6,
		.gate = "storage.{subphase}.{op}.{key}",
		.noisy = "noisy", .noisy_reason = "noisy_reason",
		.emf = "ReadThroughput", .emf_unit = "Bytes/Second",
		.emf_scale = 1,
		.prom = "hpcprobe_storage_read_bytes_per_second",
		.prom_help = "Bytes read over the step's wall span, all ranks.",
		.prom_scale = 1,
	},
	{
		.each = "ops/[]", .path = "write_bytes_per_s",
		.unit = "bytes/s", .kind = HPCP_METRIC_RATE,
		.better = HPCP_BETTER_HIGHER, .labels = op_labels,
		.column = "write B/s", .html_column = "write MB/s",
		.html_scale = 1e-6,
		.gate = "storage.{subphase}.{op}.{key}",
		.noisy = "noisy", .noisy_reason = "noisy_reason",
		.emf = "WriteThroughput", .emf_unit = "Bytes/Second",
		.emf_scale = 1,
		.prom = "hpcprobe_storage_write_bytes_per_second",
		.prom_help = "Bytes written over the step's wall span, until "
			     "the last fsync ends, all ranks.",
		.prom_scale = 1,
	},
	{
		.each = "ops/[]", .path = "page_cache_resident_ratio",
		.unit = "ratio", .kind = HPCP_METRIC_RATIO,
		.better = HPCP_BETTER_HIGHER, .labels = op_labels,
		.column = "in page cache", .html_column = "in page cache",
		.html_scale = 1,
		.emf = "CacheHitPercent", .emf_unit = "Percent",
		.emf_scale = 100,
		.prom = "hpcprobe_storage_page_cache_resident_ratio",
		.prom_help = "Share of the files' pages already in the page "
			     "cache before they were read (mincore).",
		.prom_scale = 1,
	},
};

HPCP_PHASE_METRICS(storage, storage_metrics);

#ifndef HPCP_METRICS_ONLY

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <time.h>
#include <unistd.h>

#include "hpcp/claim.h"
#include "hpcp/ctx.h"
#include "hpcp/fsutil.h"
#include "hpcp/hostload.h"
#include "hpcp/iopattern.h"
#include "hpcp/log.h"
#include "hpcp/lustre.h"
#include "hpcp/opt.h"
#include "hpcp/phase.h"
#include "hpcp/probe.h"
#include "hpcp/rand.h"
#include "hpcp/report.h"
#include "hpcp/stats.h"
#include "hpcp/timer.h"
#include "hpcp/watch.h"

#define MIB (1024ull * 1024ull)
#define EASY_XFER (2 * MIB)
#define HARD_XFER 47008ull
#define RND_XFER 4096ull
#define MD_BYTES 3901ull
#define PREFILL_XFER (2 * MIB)
#define BUF_BYTES (2 * MIB)
/* The claim the summary judges: 99.9 % of operations within 1 ms, at
 * 99 % confidence (the brief's "99.9 % of operations within 1 ms"). */
#define CLAIM_Q 0.999
#define CLAIM_CONF 0.99
#define CLAIM_NS 1000000ull
/* Test-only hooks (tests/ and mpi_tests/storage.sh). */
#define ENV_CORRUPT "HPCPROBE_TEST_STORAGE_CORRUPT"
#define ENV_STALL "HPCPROBE_TEST_STORAGE_STALL"
/* Nanoseconds added to each random read's check: a known verify_s. */
#define ENV_VERIFY_DELAY "HPCPROBE_TEST_STORAGE_VERIFY_DELAY_NS"
/* Where the Lustre client's statistics are (tests: a fixture tree, read
 * on any file system); by default debugfs, then /proc/fs/lustre. */
#define ENV_LUSTRE_ROOT "HPCPROBE_LUSTRE_ROOT"
#define N_SUBS 4

enum { SUB_EASY = 1, SUB_HARD = 2, SUB_RANDOM = 4, SUB_MD = 8 };
/* The sub-phases whose files --storage-direct opens with O_DIRECT. */
#define DIRECT_SUBS (SUB_EASY | SUB_RANDOM)

struct storage_opts {
	const char *dir;
	const char *subphases;
	uint64_t easy_mib, hard_xfers, random_mib, random_ops, md_files;
	uint64_t seed;
	int direct;
	int easy_given, hard_given, random_mib_given, random_ops_given;
	int md_given;
};

static const struct storage_opts storage_defaults = {
	.subphases = "easy,hard,random,metadata", .easy_mib = 64,
	.hard_xfers = 400, .random_mib = 16, .random_ops = 5000,
	.md_files = 500, .seed = 1,
};

static const struct { const char *name; int bit; } subphase_names[] = {
	{ "easy", SUB_EASY }, { "hard", SUB_HARD }, { "random", SUB_RANDOM },
	{ "metadata", SUB_MD },
};

/* "easy,random": the bits, or -EINVAL. */
static int parse_subphases(const char *v, int *bits)
{
	const char *p = v;

	*bits = 0;
	while (*p) {
		size_t n = strcspn(p, ",");
		int found = 0;

		for (size_t i = 0; i < sizeof(subphase_names) /
					   sizeof(subphase_names[0]); i++)
			if (strlen(subphase_names[i].name) == n &&
			    strncmp(p, subphase_names[i].name, n) == 0) {
				*bits |= subphase_names[i].bit;
				found = 1;
			}
		if (!found)
			return -EINVAL;
		p += n;
		if (*p == ',' && *++p == '\0')
			return -EINVAL;
	}
	return *bits ? 0 : -EINVAL;
}

static int check_subphases(const char *v, char *err, size_t len)
{
	int bits;

	if (parse_subphases(v, &bits) == 0)
		return 0;
	snprintf(err, len, "expects a comma list of easy, hard, random, "
		 "metadata");
	return -EINVAL;
}

#define OFF(f) offsetof(struct storage_opts, f)

static const struct hpcp_opt storage_options[] = {
	{ .long_name = "storage-dir", .kind = HPCP_OPT_PATH, .metavar = "DIR",
	  .help = "directory to measure (the FSx for Lustre mount on AWS); "
		  "the phase works in a fresh subdirectory and removes it",
	  .default_text = "none (the phase is unavailable)",
	  .value_offset = OFF(dir), .given_offset = HPCP_OPT_NOT_TRACKED },
	{ .long_name = "storage-subphases", .kind = HPCP_OPT_STRING,
	  .metavar = "LIST", .max_len = 64, .check = check_subphases,
	  .help = "which of easy, hard, random, metadata to run",
	  .default_text = "easy,hard,random,metadata",
	  .value_offset = OFF(subphases),
	  .given_offset = HPCP_OPT_NOT_TRACKED },
	{ .long_name = "storage-direct", .kind = HPCP_OPT_FLAG,
	  .help = "open the easy and random files with O_DIRECT (refused by "
		  "the file system: those sub-phases unavailable, with the "
		  "reason; no buffered fallback)",
	  .default_text = "off",
	  .value_offset = OFF(direct), .given_offset = HPCP_OPT_NOT_TRACKED },
	{ .long_name = "storage-easy-mib", .kind = HPCP_OPT_COUNT,
	  .metavar = "N", .help = "MiB each rank writes in the easy "
				  "sub-phase, in 2 MiB transfers (even)",
	  .default_text = "64 (16 with --quick)", .min = 2, .max = 1u << 20,
	  .value_offset = OFF(easy_mib), .given_offset = OFF(easy_given) },
	{ .long_name = "storage-hard-transfers", .kind = HPCP_OPT_COUNT,
	  .metavar = "N", .help = "47 008 B transfers each rank writes to "
				  "the shared file",
	  .default_text = "400 (100 with --quick)", .min = 1, .max = 1u << 24,
	  .value_offset = OFF(hard_xfers), .given_offset = OFF(hard_given) },
	{ .long_name = "storage-random-mib", .kind = HPCP_OPT_COUNT,
	  .metavar = "N", .help = "size of each rank's random-access file, "
				  "MiB",
	  .default_text = "16 (4 with --quick)", .min = 1, .max = 1u << 20,
	  .value_offset = OFF(random_mib),
	  .given_offset = OFF(random_mib_given) },
	{ .long_name = "storage-random-ops", .kind = HPCP_OPT_COUNT,
	  .metavar = "N", .help = "4 KiB random reads, and as many writes, "
				  "per rank",
	  .default_text = "5000 (1000 with --quick)", .min = 1,
	  .max = 1u << 26, .value_offset = OFF(random_ops),
	  .given_offset = OFF(random_ops_given) },
	{ .long_name = "storage-md-files", .kind = HPCP_OPT_COUNT,
	  .metavar = "N", .help = "small files per rank in each metadata "
				  "directory",
	  .default_text = "500 (100 with --quick)", .min = 1, .max = 1u << 24,
	  .value_offset = OFF(md_files), .given_offset = OFF(md_given) },
	{ .long_name = "storage-seed", .kind = HPCP_OPT_COUNT, .metavar = "N",
	  .help = "seed of the data pattern and the random offsets",
	  .default_text = "1", .min = 0, .max = UINT64_MAX,
	  .value_offset = OFF(seed), .given_offset = HPCP_OPT_NOT_TRACKED },
	{ .long_name = NULL },
};

extern const struct hpcp_phase hpcp_phase_storage;

/* The options with --quick applied to those not given. */
static struct storage_opts opts_of(const struct hpcp_config *cfg)
{
	const struct storage_opts *p =
		hpcp_phase_opts(cfg, &hpcp_phase_storage);
	struct storage_opts o = p ? *p : storage_defaults;

	if (cfg->quick) {
		if (!o.easy_given)
			o.easy_mib = 16;
		if (!o.hard_given)
			o.hard_xfers = 100;
		if (!o.random_mib_given)
			o.random_mib = 4;
		if (!o.random_ops_given)
			o.random_ops = 1000;
		if (!o.md_given)
			o.md_files = 100;
	}
	return o;
}

/* A target that cannot be used is bad input, before anything runs. */
static int storage_check_job(const struct hpcp_config *cfg, int ranks,
			     char *err, size_t len)
{
	struct storage_opts o = opts_of(cfg);
	struct statvfs vfs;
	struct stat st;

	(void)ranks;
	if (o.easy_mib % 2) {
		snprintf(err, len, "--storage-easy-mib: %llu is not a multiple "
			 "of 2 (the easy sub-phase writes 2 MiB transfers)",
			 (unsigned long long)o.easy_mib);
		return -EINVAL;
	}
	if (!o.dir)
		return 0;   /* unavailable, with the reason, at run time */
	if (stat(o.dir, &st) != 0) {
		snprintf(err, len, "--storage-dir: %s: %s", o.dir,
			 strerror(errno));
		return -EINVAL;
	}
	if (!S_ISDIR(st.st_mode)) {
		snprintf(err, len, "--storage-dir: %s is not a directory",
			 o.dir);
		return -EINVAL;
	}
	if ((statvfs(o.dir, &vfs) == 0 && (vfs.f_flag & ST_RDONLY)) ||
	    access(o.dir, W_OK | X_OK) != 0) {
		snprintf(err, len, "--storage-dir: %s is read-only (the phase "
			 "writes its files there)", o.dir);
		return -EINVAL;
	}
	return 0;
}

/* --- the steps ----------------------------------------------------------- */

enum slot {
	EASY_W, EASY_SYNC, EASY_R, HARD_W, HARD_SYNC, HARD_R, RND_R, RND_W,
	MDP_CREATE, MDP_STAT, MDP_READ, MDP_UNLINK,
	MDS_CREATE, MDS_STAT, MDS_READ, MDS_UNLINK, N_SLOTS
};

enum slot_kind { K_OTHER, K_READ, K_WRITE };

static const struct {
	const char *sub, *op;
	enum slot_kind kind;
	uint64_t xfer;      /* bytes per call; 0: not a transfer */
	int cache;          /* page-cache residency measured before it */
} slots[N_SLOTS] = {
	[EASY_W] = { "easy", "write", K_WRITE, EASY_XFER, 0 },
	[EASY_SYNC] = { "easy", "fsync", K_OTHER, 0, 0 },
	[EASY_R] = { "easy", "read", K_READ, EASY_XFER, 1 },
	[HARD_W] = { "hard", "write", K_WRITE, HARD_XFER, 0 },
	[HARD_SYNC] = { "hard", "fsync", K_OTHER, 0, 0 },
	[HARD_R] = { "hard", "read", K_READ, HARD_XFER, 1 },
	[RND_R] = { "random", "read", K_READ, RND_XFER, 1 },
	[RND_W] = { "random", "write", K_WRITE, RND_XFER, 0 },
	[MDP_CREATE] = { "metadata_rank_dirs", "create", K_OTHER, 0, 0 },
	[MDP_STAT] = { "metadata_rank_dirs", "stat", K_OTHER, 0, 0 },
	[MDP_READ] = { "metadata_rank_dirs", "read", K_OTHER, 0, 0 },
	[MDP_UNLINK] = { "metadata_rank_dirs", "unlink", K_OTHER, 0, 0 },
	[MDS_CREATE] = { "metadata_shared_dir", "create", K_OTHER, 0, 0 },
	[MDS_STAT] = { "metadata_shared_dir", "stat", K_OTHER, 0, 0 },
	[MDS_READ] = { "metadata_shared_dir", "read", K_OTHER, 0, 0 },
	[MDS_UNLINK] = { "metadata_shared_dir", "unlink", K_OTHER, 0, 0 },
};

/* Per rank, per slot: the span (ns from the step's barrier), bytes and
 * the page-cache residency seen before reading. */
struct slot_acc {
	int64_t first, last;
	uint64_t bytes, res_pages, tot_pages;
	int res_err;      /* -errno of a residency that could not be read */
	/* Time checking what the reads returned, from each call's end to
	 * its check's end: the part of IOPS that is the instrument's own
	 * (fio without verify does not check). */
	uint64_t verify_ns;
};

struct st {
	struct hpcp_ctx *ctx;
	struct storage_opts o;
	int bits;
	char run[PATH_MAX];
	struct hpcp_hist *h;           /* [N_SLOTS] */
	struct slot_acc acc[N_SLOTS];
	uint64_t ref;                  /* the step's barrier, this rank */
	unsigned char *buf;            /* BUF_BYTES, page aligned */
	int *src;                      /* [size] whose file each rank reads */
	int shift;                     /* places on in (node, rank) order */
	int cross;                     /* every read back crosses nodes */
	int created;                   /* rank 0: the run dir exists */
	int refused;                   /* this step: O_DIRECT refused here */
	int off_bits;                  /* sub-phases refused O_DIRECT */
	char off_why[N_SUBS][320];     /* their reasons (every rank) */
	uint64_t verified_bytes;
	uint64_t verified_mark;        /* verified_bytes when the sub began */
	uint64_t corrupt_at;           /* test hook: offset + 1; 0 none */
	uint64_t verify_delay_ns;      /* test hook: 0 none */
	/* Lustre: counters read on each node's first rank around each
	 * sub-phase; the layout of the first data file (rank 0). */
	int lustre_on;
	const char *lustre_root;
	struct hpcp_lustre_counters lu_before, lu_delta[N_SUBS];
	int lu_err;
	char lu_why[200];
	int stripe_done, stripe_err;
	struct hpcp_lustre_layout layout;
	uint64_t layout_file_bytes;
	/* Foreign CPU load over each operation's step (rank 0's copy). */
	struct hpcp_hostload_result load[N_SLOTS];
	/* Test hook: the step to stop after ("setup": rank 1 and up before
	 * the setup's agreement; "die": rank 0 ends by hpcp_die there). */
	const char *stall;
};

/* File numbers of the pattern: one per file, the same on every rank. */
static uint64_t file_easy(int r) { return 0x1000000ull + (uint64_t)r; }
static uint64_t file_rnd(int r) { return 0x2000000ull + (uint64_t)r; }
#define FILE_HARD 0x3000000ull
static uint64_t file_md(int shared, int r, uint64_t i)
{
	return ((shared ? 5ull : 4ull) << 40) + ((uint64_t)r << 24) + i;
}

static void span(struct st *s, enum slot k, uint64_t t0, uint64_t t1)
{
	int64_t a = (int64_t)(t0 - s->ref), b = (int64_t)(t1 - s->ref);

	if (a < s->acc[k].first)
		s->acc[k].first = a;
	if (b > s->acc[k].last)
		s->acc[k].last = b;
}

/* One timed call's record: no allocation, no output. */
static inline void rec(struct st *s, enum slot k, uint64_t t0, uint64_t t1,
		       uint64_t bytes)
{
	hpcp_hist_record(&s->h[k], t1 - t0);
	span(s, k, t0, t1);
	s->acc[k].bytes += bytes;
	hpcp_watch_beat();
}

static int fail(char *why, size_t len, int e, const char *what,
		const char *path, uint64_t off)
{
	snprintf(why, len, "%s %s at offset %llu: %s", what, path,
		 (unsigned long long)off, e ? strerror(e) : "short transfer");
	return e ? -e : -EIO;
}

/* EINVAL on a file opened (or being opened) with O_DIRECT is the file
 * system refusing direct I/O, not a fault: recorded as such, so that the
 * step loop makes the sub-phase unavailable instead of failing the phase.
 * off UINT64_MAX: the open. */
static int io_fail(struct st *s, int direct, int e, const char *what,
		   const char *path, uint64_t off, char *why, size_t len)
{
	char at[48] = "";

	if (e != EINVAL || !direct)
		return fail(why, len, e, what, path,
			    off == UINT64_MAX ? 0 : off);
	s->refused = 1;
	if (off != UINT64_MAX)
		snprintf(at, sizeof(at), " at offset %llu",
			 (unsigned long long)off);
	snprintf(why, len, "O_DIRECT refused by %s at %s: %s%s: %s",
		 hpcp_fs_type_name(hpcp_fs_magic(s->o.dir)), path, what, at,
		 strerror(e));
	return -EINVAL;
}

/* Whether fd was opened with O_DIRECT (on a failure path only). */
static int is_direct(int fd)
{
	int fl = fcntl(fd, F_GETFL);

	return fl >= 0 && (fl & O_DIRECT);
}

/* One timed write of s->buf (xfer bytes at off) into slot k. */
static int timed_write(struct st *s, int fd, size_t xfer, uint64_t off,
		       enum slot k, const char *path, char *why, size_t len)
{
	uint64_t t0 = hpcp_now_ns();
	ssize_t w = pwrite(fd, s->buf, xfer, (off_t)off);
	uint64_t t1 = hpcp_now_ns();

	if (w != (ssize_t)xfer) {
		int e = w < 0 ? errno : 0;

		return io_fail(s, is_direct(fd), e, "write", path, off, why,
			       len);
	}
	rec(s, k, t0, t1, xfer);
	return 0;
}

/* The timed fsync that ends a write step: into its own slot, and the
 * write slot's span reaches its end.  off names the failure. */
static int timed_sync(struct st *s, int fd, enum slot sync, enum slot write,
		      const char *path, uint64_t off, char *why, size_t len)
{
	uint64_t t0 = hpcp_now_ns(), t1;

	if (fsync(fd) != 0)
		return fail(why, len, errno, "fsync", path, off);
	t1 = hpcp_now_ns();
	rec(s, sync, t0, t1, 0);
	span(s, write, t0, t1);
	return 0;
}

/* Open a data file, with O_DIRECT when asked for: no buffered fallback
 * (its numbers would be the page cache's under the name of direct I/O);
 * a refusal makes the sub-phase unavailable (io_fail). */
static int open_data(struct st *s, const char *path, int flags,
		     const char *what, char *why, size_t len)
{
	int fd = open(path, flags | (s->o.direct ? O_DIRECT : 0) | O_CLOEXEC,
		      0644);

	if (fd < 0)
		return io_fail(s, s->o.direct, errno, what, path, UINT64_MAX,
			       why, len);
	return fd;
}

static void residency(struct st *s, enum slot k, int fd, uint64_t bytes)
{
	uint64_t in, tot;
	int rc = hpcp_fs_resident(fd, bytes, &in, &tot);

	if (rc) {
		s->acc[k].res_err = rc;
		return;
	}
	s->acc[k].res_pages += in;
	s->acc[k].tot_pages += tot;
}

/* The name of a rank's file "<run>/<name>.<rank>". */
static void path_of(const struct st *s, char *buf, size_t len,
		    const char *name, int r)
{
	snprintf(buf, len, "%s/%s.%d", s->run, name, r);
}

static int verify(struct st *s, const unsigned char *buf, uint64_t n,
		  uint64_t file, uint64_t off, const char *path, char *why,
		  size_t len)
{
	int64_t bad = hpcp_iopat_check(buf, n, s->o.seed, file, off);

	if (bad < 0) {
		s->verified_bytes += n;
		return 0;
	}
	snprintf(why, len, "data mismatch in %s at offset %llu, read by rank "
		 "%d: 0x%02x where 0x%02x was written", path,
		 (unsigned long long)(off + (uint64_t)bad), s->ctx->rank,
		 buf[bad], hpcp_iopat_byte(s->o.seed, file,
					   off + (uint64_t)bad));
	return -EILSEQ;
}

/* The check of slot k's call that ended at t1 is done: its time, and
 * the span reaches its end (a read counts once its data is checked). */
static inline void verified(struct st *s, enum slot k, uint64_t t1)
{
	uint64_t t2 = hpcp_now_ns();

	s->acc[k].verify_ns += t2 - t1;
	span(s, k, t1, t2);
}

/* Rank 0, the first data file written: its Lustre layout. */
static void stripe_of(struct st *s, const char *path)
{
	if (!s->lustre_on || s->stripe_done || s->ctx->rank != 0)
		return;
	s->stripe_done = 1;
	s->stripe_err = hpcp_lustre_layout_of(path, &s->layout,
					      &s->layout_file_bytes);
}

static int sub_index(int bit)
{
	return bit == SUB_EASY ? 0 : bit == SUB_HARD ? 1 :
	       bit == SUB_RANDOM ? 2 : 3;
}

/* Around a sub-phase, on each node's first rank (the counters are the
 * node's client's). */
static void lustre_mark(struct st *s, int bit, int end)
{
	struct hpcp_lustre_counters now;

	if (!s->lustre_on || s->ctx->node_rank != 0 || s->lu_err)
		return;
	if (hpcp_lustre_snapshot(s->lustre_root, &now, s->lu_why,
				 sizeof(s->lu_why)) != 0) {
		s->lu_err = 1;
		return;
	}
	if (end)
		hpcp_lustre_delta(&s->lu_before, &now,
				  &s->lu_delta[sub_index(bit)]);
	else
		s->lu_before = now;
}

static int easy_write(struct st *s, char *why, size_t len)
{
	char path[PATH_MAX + 32];
	uint64_t n = s->o.easy_mib * MIB / EASY_XFER, off = 0;
	int r = s->ctx->rank, fd, rc = 0;

	path_of(s, path, sizeof(path), "easy", r);
	fd = open_data(s, path, O_CREAT | O_WRONLY | O_TRUNC, "cannot create",
		       why, len);
	if (fd < 0)
		return fd;
	for (uint64_t i = 0; i < n && !rc; i++, off += EASY_XFER) {
		hpcp_iopat_fill(s->buf, EASY_XFER, s->o.seed, file_easy(r),
				off);
		rc = timed_write(s, fd, EASY_XFER, off, EASY_W, path, why, len);
	}
	if (!rc)
		rc = timed_sync(s, fd, EASY_SYNC, EASY_W, path, off, why, len);
	close(fd);
	stripe_of(s, path);
	/* Test hook: one byte changed between the write and the read. */
	if (!rc && s->corrupt_at && r == 0) {
		unsigned char b;

		fd = open(path, O_RDWR | O_CLOEXEC);
		if (fd >= 0 && pread(fd, &b, 1, (off_t)(s->corrupt_at - 1)) ==
				       1) {
			b ^= 0xff;
			if (pwrite(fd, &b, 1, (off_t)(s->corrupt_at - 1)) != 1)
				rc = -EIO;
		}
		if (fd >= 0)
			close(fd);
	}
	return rc;
}

static int easy_read(struct st *s, char *why, size_t len)
{
	char path[PATH_MAX + 32];
	uint64_t n = s->o.easy_mib * MIB / EASY_XFER, t0, t1, off = 0;
	int w = s->src[s->ctx->rank], fd, rc = 0;

	path_of(s, path, sizeof(path), "easy", w);
	fd = open_data(s, path, O_RDONLY, "cannot open", why, len);
	if (fd < 0)
		return fd;
	residency(s, EASY_R, fd, n * EASY_XFER);
	for (uint64_t i = 0; i < n && !rc; i++, off += EASY_XFER) {
		ssize_t got;

		t0 = hpcp_now_ns();
		got = pread(fd, s->buf, EASY_XFER, (off_t)off);
		t1 = hpcp_now_ns();
		if (got != (ssize_t)EASY_XFER) {
			int e = got < 0 ? errno : 0;

			rc = io_fail(s, is_direct(fd), e, "read", path, off,
				     why, len);
			break;
		}
		rec(s, EASY_R, t0, t1, EASY_XFER);
		rc = verify(s, s->buf, EASY_XFER, file_easy(w), off, path,
			    why, len);
		verified(s, EASY_R, t1);
	}
	close(fd);
	return rc;
}

/* Transfer i of rank r in the shared file: interleaved by rank. */
static uint64_t hard_off(const struct st *s, uint64_t i, int r)
{
	return (i * (uint64_t)s->ctx->size + (uint64_t)r) * HARD_XFER;
}

static int hard_write(struct st *s, char *why, size_t len)
{
	char path[PATH_MAX + 32];
	uint64_t off = 0;
	int r = s->ctx->rank, fd, rc = 0;

	snprintf(path, sizeof(path), "%s/hard", s->run);
	/* 47 008 B is not block aligned: buffered, as IO500 runs it. */
	fd = open(path, O_CREAT | O_WRONLY | O_CLOEXEC, 0644);
	if (fd < 0)
		return fail(why, len, errno, "cannot open", path, 0);
	for (uint64_t i = 0; i < s->o.hard_xfers && !rc; i++) {
		off = hard_off(s, i, r);
		hpcp_iopat_fill(s->buf, HARD_XFER, s->o.seed, FILE_HARD, off);
		rc = timed_write(s, fd, HARD_XFER, off, HARD_W, path, why, len);
	}
	if (!rc)
		rc = timed_sync(s, fd, HARD_SYNC, HARD_W, path, off, why, len);
	close(fd);
	stripe_of(s, path);
	return rc;
}

static int hard_read(struct st *s, char *why, size_t len)
{
	char path[PATH_MAX + 32];
	int w = s->src[s->ctx->rank], fd, rc = 0;
	uint64_t t0, t1;

	snprintf(path, sizeof(path), "%s/hard", s->run);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return fail(why, len, errno, "cannot open", path, 0);
	residency(s, HARD_R, fd, hard_off(s, s->o.hard_xfers, 0));
	for (uint64_t i = 0; i < s->o.hard_xfers && !rc; i++) {
		uint64_t off = hard_off(s, i, w);
		ssize_t got;

		t0 = hpcp_now_ns();
		got = pread(fd, s->buf, HARD_XFER, (off_t)off);
		t1 = hpcp_now_ns();
		if (got != (ssize_t)HARD_XFER) {
			rc = fail(why, len, got < 0 ? errno : 0, "read", path,
				  off);
			break;
		}
		rec(s, HARD_R, t0, t1, HARD_XFER);
		rc = verify(s, s->buf, HARD_XFER, FILE_HARD, off, path, why,
			    len);
		verified(s, HARD_R, t1);
	}
	close(fd);
	return rc;
}

/* The random file, written whole before it is measured (not timed). */
static int rnd_prefill(struct st *s, char *why, size_t len)
{
	char path[PATH_MAX + 32];
	uint64_t size = s->o.random_mib * MIB;
	int r = s->ctx->rank, fd, rc = 0;

	path_of(s, path, sizeof(path), "random", r);
	fd = open_data(s, path, O_CREAT | O_WRONLY | O_TRUNC, "cannot create",
		       why, len);
	if (fd < 0)
		return fd;
	for (uint64_t off = 0; off < size && !rc; off += PREFILL_XFER) {
		uint64_t n = size - off < PREFILL_XFER ? size - off :
							 PREFILL_XFER;
		ssize_t w;

		hpcp_iopat_fill(s->buf, n, s->o.seed, file_rnd(r), off);
		w = pwrite(fd, s->buf, n, (off_t)off);
		if (w != (ssize_t)n) {
			int e = w < 0 ? errno : 0;

			rc = io_fail(s, is_direct(fd), e, "write", path, off,
				     why, len);
		}
		hpcp_watch_beat();
	}
	if (!rc && fsync(fd) != 0)
		rc = fail(why, len, errno, "fsync", path, 0);
	close(fd);
	stripe_of(s, path);
	return rc;
}

static int rnd_ops(struct st *s, enum slot k, char *why, size_t len)
{
	char path[PATH_MAX + 32];
	uint64_t pages = s->o.random_mib * MIB / RND_XFER, t0, t1;
	uint64_t rng = s->o.seed * 0x100000001b3ull + (uint64_t)s->ctx->rank +
		       (k == RND_W ? 0x5bd1e995ull : 0);
	int r = s->ctx->rank, fd, rc = 0;

	path_of(s, path, sizeof(path), "random", r);
	fd = open_data(s, path, k == RND_R ? O_RDONLY : O_WRONLY,
		       "cannot open", why, len);
	if (fd < 0)
		return fd;
	if (k == RND_R)
		residency(s, RND_R, fd, pages * RND_XFER);
	for (uint64_t i = 0; i < s->o.random_ops && !rc; i++) {
		uint64_t off = hpcp_splitmix64(&rng) % pages * RND_XFER;
		ssize_t got;

		if (k == RND_W) {
			/* The pattern is positional: a rewrite keeps the
			 * file checkable. */
			hpcp_iopat_fill(s->buf, RND_XFER, s->o.seed,
					file_rnd(r), off);
			t0 = hpcp_now_ns();
			got = pwrite(fd, s->buf, RND_XFER, (off_t)off);
			t1 = hpcp_now_ns();
		} else {
			t0 = hpcp_now_ns();
			got = pread(fd, s->buf, RND_XFER, (off_t)off);
			t1 = hpcp_now_ns();
		}
		if (got != (ssize_t)RND_XFER) {
			int e = got < 0 ? errno : 0;

			rc = io_fail(s, is_direct(fd), e,
				     k == RND_W ? "write" : "read", path, off,
				     why, len);
			break;
		}
		rec(s, k, t0, t1, RND_XFER);
		if (k != RND_R)
			continue;
		/* The gap between two timed calls is part of IOPS at
		 * iodepth 1: the check is an exclusive or per word against
		 * a 4 KiB table in L1 (hpcp/iopattern.h), as cheap as
		 * fio's verify=pattern.  Its time is verify_ns. */
		rc = verify(s, s->buf, RND_XFER, file_rnd(r), off, path, why,
			    len);
		if (s->verify_delay_ns) {
			struct timespec d = {
				.tv_sec = (time_t)(s->verify_delay_ns /
						   1000000000u),
				.tv_nsec = (long)(s->verify_delay_ns %
						  1000000000u) };

			nanosleep(&d, NULL);
		}
		verified(s, RND_R, t1);
	}
	close(fd);
	return rc;
}

static int rnd_read(struct st *s, char *why, size_t len)
{
	return rnd_ops(s, RND_R, why, len);
}

static int rnd_write(struct st *s, char *why, size_t len)
{
	return rnd_ops(s, RND_W, why, len);
}

/* Metadata: file i of this rank, in its own directory or the shared one. */
static void md_path(const struct st *s, int shared, uint64_t i, char *buf,
		    size_t len)
{
	if (shared)
		snprintf(buf, len, "%s/shared/r%d.f%llu", s->run,
			 s->ctx->rank, (unsigned long long)i);
	else
		snprintf(buf, len, "%s/r%d/f%llu", s->run, s->ctx->rank,
			 (unsigned long long)i);
}

static int md_op(struct st *s, int shared, int op, char *why, size_t len)
{
	enum slot k = (shared ? MDS_CREATE : MDP_CREATE) + op;
	char path[PATH_MAX + 64];
	int rc = 0;

	for (uint64_t i = 0; i < s->o.md_files && !rc; i++) {
		uint64_t file = file_md(shared, s->ctx->rank, i), t0, t1;
		struct stat sb;
		ssize_t n = 0;
		int fd = 0, ok, e = 0;

		md_path(s, shared, i, path, sizeof(path));
		if (op == 0)
			hpcp_iopat_fill(s->buf, MD_BYTES, s->o.seed, file, 0);
		t0 = hpcp_now_ns();
		switch (op) {
		case 0:
			fd = open(path, O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC,
				  0644);
			if (fd >= 0) {
				n = write(fd, s->buf, MD_BYTES);
				e = n < 0 ? errno : 0;
				fd = close(fd) == 0 ? 0 : -1;
			}
			ok = fd == 0 && n == (ssize_t)MD_BYTES;
			break;
		case 1:
			ok = stat(path, &sb) == 0;
			break;
		case 2:
			fd = open(path, O_RDONLY | O_CLOEXEC);
			if (fd >= 0) {
				n = read(fd, s->buf, MD_BYTES);
				e = n < 0 ? errno : 0;
				fd = close(fd) == 0 ? 0 : -1;
			}
			ok = fd == 0 && n == (ssize_t)MD_BYTES;
			break;
		default:
			ok = unlink(path) == 0;
			break;
		}
		t1 = hpcp_now_ns();
		if (!ok) {
			static const char *what[] = { "create", "stat", "read",
						      "unlink" };

			/* A short transfer has no errno of its own: the
			 * count says what happened. */
			if (fd == 0 && n >= 0 && (op == 0 || op == 2)) {
				snprintf(why, len, "%s %s: %s %zd of %llu bytes",
					 what[op], path,
					 op == 0 ? "wrote" : "read", n,
					 (unsigned long long)MD_BYTES);
				return -EIO;
			}
			return fail(why, len, e ? e : errno, what[op], path,
				    0);
		}
		rec(s, k, t0, t1, 0);
		if (op == 1 && (uint64_t)sb.st_size != MD_BYTES) {
			snprintf(why, len, "stat %s: %lld bytes where %llu "
				 "were written", path, (long long)sb.st_size,
				 (unsigned long long)MD_BYTES);
			return -EILSEQ;
		}
		if (op == 2) {
			rc = verify(s, s->buf, MD_BYTES, file, 0, path, why,
				    len);
			verified(s, k, t1);
		}
	}
	return rc;
}

#define MD_STEP(fname, shared, op) \
	static int fname(struct st *s, char *why, size_t len) \
	{ return md_op(s, shared, op, why, len); }
MD_STEP(mdp_create, 0, 0)
MD_STEP(mdp_stat, 0, 1)
MD_STEP(mdp_read, 0, 2)
MD_STEP(mdp_unlink, 0, 3)
MD_STEP(mds_create, 1, 0)
MD_STEP(mds_stat, 1, 1)
MD_STEP(mds_read, 1, 2)
MD_STEP(mds_unlink, 1, 3)

/* The steps in order; slot and slot2 the operations each times (-1:
 * none), whose rows get the step's host load. */
static const struct step {
	const char *name;
	int sub;
	int (*fn)(struct st *s, char *why, size_t len);
	int slot, slot2;
} steps[] = {
	{ "easy_write", SUB_EASY, easy_write, EASY_W, EASY_SYNC },
	{ "easy_read", SUB_EASY, easy_read, EASY_R, -1 },
	{ "hard_write", SUB_HARD, hard_write, HARD_W, HARD_SYNC },
	{ "hard_read", SUB_HARD, hard_read, HARD_R, -1 },
	{ "random_prefill", SUB_RANDOM, rnd_prefill, -1, -1 },
	{ "random_read", SUB_RANDOM, rnd_read, RND_R, -1 },
	{ "random_write", SUB_RANDOM, rnd_write, RND_W, -1 },
	{ "md_rank_create", SUB_MD, mdp_create, MDP_CREATE, -1 },
	{ "md_rank_stat", SUB_MD, mdp_stat, MDP_STAT, -1 },
	{ "md_rank_read", SUB_MD, mdp_read, MDP_READ, -1 },
	{ "md_rank_unlink", SUB_MD, mdp_unlink, MDP_UNLINK, -1 },
	{ "md_shared_create", SUB_MD, mds_create, MDS_CREATE, -1 },
	{ "md_shared_stat", SUB_MD, mds_stat, MDS_STAT, -1 },
	{ "md_shared_read", SUB_MD, mds_read, MDS_READ, -1 },
	{ "md_shared_unlink", SUB_MD, mds_unlink, MDS_UNLINK, -1 },
};

/* Test hook: stop beating after a step, as a hung file system would. */
static void stall(void)
{
	struct timespec pause = { 1, 0 };

	/* As a rank in a collective would: a signal then reads as an
	 * interruption, not a dead peer. */
	hpcp_watch_waiting_on(HPCP_WATCH_ALL);
	for (;;)
		nanosleep(&pause, NULL);
}

/* --- setup and cleanup --------------------------------------------------- */

/* Removal when the job ends another way: from the watchdog thread
 * (hpcp_watch_on_end: the watchdog, a signal) and from hpcp_die, armed
 * from the moment the run dir exists until the phase removed it; the
 * first to come removes it. */
static char end_dir[PATH_MAX];
static _Atomic int end_armed;

static void on_end(void *arg, char *note, size_t len)
{
	char why[320];

	(void)arg;
	if (!atomic_exchange(&end_armed, 0))
		return;
	if (hpcp_rmtree(end_dir, 50, why, sizeof(why)) == 0)
		snprintf(note, len, "storage files removed (%.240s)", end_dir);
	else
		snprintf(note, len, "storage files not all removed: %.240s", why);
}

static void on_die(void)
{
	char note[320];

	on_end(NULL, note, sizeof(note));
}

static void end_arm(const char *dir)
{
	snprintf(end_dir, sizeof(end_dir), "%s", dir);
	atomic_store(&end_armed, 1);
	hpcp_watch_on_end(on_end, NULL);
	hpcp_die_on(on_die);
}

/* The phase's own removal at its end: 1 when it is the phase's to do
 * (the flag taken, so the watchdog's and the die hook's will not run
 * beside it), 0 when one of those already took it. */
static int end_take(void)
{
	return atomic_exchange(&end_armed, 0);
}

static void end_disarm(void)
{
	hpcp_watch_on_end(NULL, NULL);
	hpcp_die_on(NULL);
	atomic_store(&end_armed, 0);
}

/* Rank 0: the free-space and inode check, then the fresh directory.
 * -ENOTSUP with the figures when the target is too small. */
static int make_run_dir(struct st *s, char *why, size_t len)
{
	const struct storage_opts *o = &s->o;
	uint64_t ranks = (uint64_t)s->ctx->size, need = 0, files = 0;
	uint64_t avail;
	struct statvfs v;

	if (s->bits & SUB_EASY)
		need += o->easy_mib * MIB;
	if (s->bits & SUB_HARD)
		need += o->hard_xfers * HARD_XFER;
	if (s->bits & SUB_RANDOM)
		need += o->random_mib * MIB;
	if (s->bits & SUB_MD) {
		need += o->md_files * 8192;   /* a file a block or two */
		files += o->md_files;
	}
	/* All ranks' files, a tenth more and 16 MiB for the file system's
	 * own use of it. */
	need = need * ranks + need * ranks / 10 + 16 * MIB;
	files = files * ranks + 4 * ranks + 8;
	if (statvfs(o->dir, &v) != 0) {
		int e = errno;

		snprintf(why, len, "statvfs %s: %s", o->dir, strerror(e));
		return -e;
	}
	avail = (uint64_t)v.f_bavail * v.f_frsize;
	if (avail < need) {
		snprintf(why, len, "%s has %.1f MiB free, the phase needs "
			 "%.1f MiB (%llu ranks; smaller --storage-* sizes fit "
			 "less)", o->dir, (double)avail / (double)MIB,
			 (double)need / (double)MIB, (unsigned long long)ranks);
		return -ENOTSUP;
	}
	if (v.f_files && (uint64_t)v.f_favail < files) {
		snprintf(why, len, "%s has %llu free inodes, the phase needs "
			 "%llu", o->dir, (unsigned long long)v.f_favail,
			 (unsigned long long)files);
		return -ENOTSUP;
	}
	snprintf(s->run, sizeof(s->run), "%s/hpcprobe-storage-XXXXXX",
		 o->dir);
	if (!mkdtemp(s->run)) {
		int e = errno;

		snprintf(why, len, "cannot create a directory in %s: %s",
			 o->dir, strerror(e));
		return -e;
	}
	/* From here every way out removes it (storage_run's end, or
	 * on_end). */
	s->created = 1;
	end_arm(s->run);
	{
		char sub[PATH_MAX + 16];

		snprintf(sub, sizeof(sub), "%s/shared", s->run);
		if (mkdir(sub, 0755) != 0) {
			int e = errno;

			snprintf(why, len, "mkdir %s: %s", sub, strerror(e));
			return -e;
		}
	}
	return 0;
}

/* Every rank: the directory is visible (a file system all ranks share),
 * and its own metadata directory. */
static int join_run_dir(struct st *s, char *why, size_t len)
{
	char sub[PATH_MAX + 16];
	struct stat sb;

	if (stat(s->run, &sb) != 0) {
		snprintf(why, len, "%s is not visible from this rank (the "
			 "storage directory must be a file system every node "
			 "shares): %s", s->run, strerror(errno));
		return -ENOTSUP;
	}
	snprintf(sub, sizeof(sub), "%s/r%d", s->run, s->ctx->rank);
	if (mkdir(sub, 0755) != 0) {
		int e = errno;

		snprintf(why, len, "mkdir %s: %s", sub, strerror(e));
		return -e;
	}
	return 0;
}

/* The ranks' status agreed, and the reason of the lowest failing rank
 * (with its rank and host) on every rank. */
static int agree(struct st *s, int rc, char *why, size_t len)
{
	struct hpcp_ctx *ctx = s->ctx;
	int agreed = hpcp_ctx_agree(ctx, rc), mine, first;
	char msg[512];

	if (!agreed)
		return 0;
	mine = rc ? ctx->rank : ctx->size;
	hpcp_mpi_or_die(MPI_Allreduce(&mine, &first, 1, MPI_INT, MPI_MIN,
				      ctx->comm), "storage: the failing rank");
	if (ctx->rank == first)
		snprintf(msg, sizeof(msg), "%s", why);
	hpcp_mpi_or_die(MPI_Bcast(msg, sizeof(msg), MPI_CHAR, first,
				  ctx->comm), "storage: the reason");
	if (ctx->rank != first)
		snprintf(why, len, "%s", msg);
	return agreed;
}

/* After a step of a sub-phase that uses O_DIRECT: when any rank's file
 * system refused it, the sub-phase is unavailable on every rank, with the
 * lowest such rank's reason; what it had recorded is dropped (no row is
 * half direct), and a refusal is no failure.  Returns the rank's code. */
static int direct_refusal(struct st *s, int bit, int local,
			  const char *why)
{
	struct hpcp_ctx *ctx = s->ctx;
	int mine = s->refused ? ctx->rank : ctx->size, first;
	char *msg = s->off_why[sub_index(bit)];
	size_t n = sizeof(s->off_why[0]);

	hpcp_mpi_or_die(MPI_Allreduce(&mine, &first, 1, MPI_INT, MPI_MIN,
				      ctx->comm), "storage: O_DIRECT refused");
	if (first == ctx->size)
		return local;
	if (ctx->rank == first)
		snprintf(msg, n, "%s", why);
	hpcp_mpi_or_die(MPI_Bcast(msg, (int)n, MPI_CHAR, first, ctx->comm),
			"storage: O_DIRECT refused");
	s->off_bits |= bit;
	/* What its reads checked goes with them. */
	s->verified_bytes = s->verified_mark;
	for (int k = 0; k < N_SLOTS; k++) {
		if (strcmp(slots[k].sub, subphase_names[sub_index(bit)].name))
			continue;
		hpcp_hist_reset(&s->h[k]);
		memset(&s->acc[k], 0, sizeof(s->acc[k]));
		s->acc[k].first = INT64_MAX;
		memset(&s->load[k], 0, sizeof(s->load[k]));
	}
	if (s->refused)
		local = 0;
	s->refused = 0;
	return local;
}

/* --- results ------------------------------------------------------------- */

struct merged {
	int64_t first[N_SLOTS], last[N_SLOTS];
	uint64_t bytes[N_SLOTS], res[N_SLOTS], tot[N_SLOTS];
	uint64_t verify[N_SLOTS], rank_ns[N_SLOTS];  /* sums over ranks */
	int res_err[N_SLOTS];
	uint64_t verified;
	uint64_t lu[N_SUBS][HPCP_LU_N];
	unsigned lu_found, lu_instances;
	int lu_err;
};

static void merge(struct st *s, struct hpcp_hist *all, struct merged *m)
{
	int64_t first[N_SLOTS], last[N_SLOTS];
	uint64_t sums[3][N_SLOTS], vsums[2][N_SLOTS];
	int err[N_SLOTS];
	MPI_Comm c = s->ctx->comm;

	for (int k = 0; k < N_SLOTS; k++) {
		first[k] = s->acc[k].first;
		last[k] = s->acc[k].last;
		sums[0][k] = s->acc[k].bytes;
		sums[1][k] = s->acc[k].res_pages;
		sums[2][k] = s->acc[k].tot_pages;
		err[k] = -s->acc[k].res_err;
		vsums[0][k] = s->acc[k].verify_ns;
		/* This rank's own span: its first start to its last end. */
		vsums[1][k] = s->acc[k].last > s->acc[k].first ?
			      (uint64_t)(s->acc[k].last - s->acc[k].first) : 0;
		if (hpcp_hist_reduce(&s->h[k], all ? &all[k] : NULL, 0, c))
			hpcp_die(70, "storage: merging the histograms");
	}
	hpcp_mpi_or_die(MPI_Reduce(first, m->first, N_SLOTS, MPI_INT64_T,
				   MPI_MIN, 0, c), "storage: spans");
	hpcp_mpi_or_die(MPI_Reduce(last, m->last, N_SLOTS, MPI_INT64_T,
				   MPI_MAX, 0, c), "storage: spans");
	hpcp_mpi_or_die(MPI_Reduce(sums, m->bytes, 3 * N_SLOTS, MPI_UINT64_T,
				   MPI_SUM, 0, c), "storage: bytes");
	hpcp_mpi_or_die(MPI_Reduce(vsums, m->verify, 2 * N_SLOTS,
				   MPI_UINT64_T, MPI_SUM, 0, c),
			"storage: verification time");
	hpcp_mpi_or_die(MPI_Reduce(err, m->res_err, N_SLOTS, MPI_INT, MPI_MAX,
				   0, c), "storage: page cache");
	hpcp_mpi_or_die(MPI_Reduce(&s->verified_bytes, &m->verified, 1,
				   MPI_UINT64_T, MPI_SUM, 0, c),
			"storage: verified bytes");
	{
		/* The node leaders' deltas; the other ranks add zeros. */
		uint64_t lu[N_SUBS][HPCP_LU_N];
		unsigned found = 0, inst = 0;

		for (int k = 0; k < N_SUBS; k++) {
			memcpy(lu[k], s->lu_delta[k].v, sizeof(lu[k]));
			found |= s->lu_delta[k].found;
			if (s->lu_delta[k].instances > inst)
				inst = s->lu_delta[k].instances;
		}
		hpcp_mpi_or_die(MPI_Reduce(lu, m->lu, N_SUBS * HPCP_LU_N,
					   MPI_UINT64_T, MPI_SUM, 0, c),
				"storage: Lustre counters");
		hpcp_mpi_or_die(MPI_Reduce(&found, &m->lu_found, 1,
					   MPI_UNSIGNED, MPI_BOR, 0, c),
				"storage: Lustre counters");
		hpcp_mpi_or_die(MPI_Reduce(&inst, &m->lu_instances, 1,
					   MPI_UNSIGNED, MPI_MAX, 0, c),
				"storage: Lustre counters");
		hpcp_mpi_or_die(MPI_Reduce(&s->lu_err, &m->lu_err, 1, MPI_INT,
					   MPI_MAX, 0, c),
				"storage: Lustre counters");
	}
}

/* Samples above CLAIM_NS, from the buckets (a bucket straddling it
 * counts as above: the claim is judged against the worse reading). */
static uint64_t above_claim(const struct hpcp_hist *h)
{
	uint64_t n = 0, lo, w;

	for (unsigned i = 0; i < HPCP_HIST_BUCKETS; i++) {
		if (!h->buckets[i])
			continue;
		hpcp_hist_bucket_range(i, &lo, &w);
		if (lo + w > CLAIM_NS + 1)
			n += h->buckets[i];
	}
	return n;
}

static void report_op(struct hpcp_res *ops, const struct st *s, int k,
		      const struct hpcp_hist *h, const struct merged *m)
{
	struct hpcp_res *e = hpcp_res_object(ops, NULL);
	struct hpcp_lat_summary sum;
	double span_s = (double)(m->last[k] - m->first[k]) / 1e9;
	uint64_t need = hpcp_claim_min_count(CLAIM_Q, CLAIM_CONF);
	uint64_t over = above_claim(h);

	hpcp_hist_summary(h, &sum);
	hpcp_res_str(e, "subphase", slots[k].sub);
	hpcp_res_str(e, "op", slots[k].op);
	/* Latencies taken while other work held the CPUs measured the host:
	 * said, so that nobody reads them as the file system's. */
	hpcp_hostload_report_noisy(e, s->ctx, &s->load[k],
				   "the CPUs during this step",
				   "latencies include waits for a time slice");
	hpcp_res_bool(e, "direct", s->o.direct &&
			  (strcmp(slots[k].sub, "easy") == 0 ||
			   strcmp(slots[k].sub, "random") == 0));
	if (slots[k].xfer)
		hpcp_res_int(e, "transfer_bytes", (int64_t)slots[k].xfer);
	hpcp_res_int(e, "ops_count", (int64_t)h->count);
	hpcp_res_int(e, "bytes", (int64_t)m->bytes[k]);
	hpcp_res_double(e, "span_s", span_s);
	hpcp_res_double(e, "ops_per_s", span_s > 0 ?
				(double)h->count / span_s : NAN);
	if (slots[k].kind == K_READ)
		hpcp_res_double(e, "read_bytes_per_s", span_s > 0 ?
				(double)m->bytes[k] / span_s : NAN);
	else if (slots[k].kind == K_WRITE)
		hpcp_res_double(e, "write_bytes_per_s", span_s > 0 ?
				(double)m->bytes[k] / span_s : NAN);
	hpcp_res_latency(e, "latency_ns", &sum);
	/* The reads' rates include checking the data; how much of the
	 * ranks' time that took, so a comparison with a tool that does not
	 * check (fio without verify) can take it out. */
	if (slots[k].kind == K_READ || k == MDP_READ || k == MDS_READ) {
		double rank_s = (double)m->rank_ns[k] / 1e9;

		hpcp_res_double(e, "verify_s", (double)m->verify[k] / 1e9);
		hpcp_res_double(e, "ranks_span_s", rank_s);
		hpcp_res_double(e, "verify_fraction", rank_s > 0 ?
				(double)m->verify[k] / 1e9 / rank_s : NAN);
	}
	hpcp_res_int(e, "p99_9_min_count", (int64_t)need);
	hpcp_res_int(e, "above_1ms_count", (int64_t)over);
	if (h->count >= need)
		hpcp_res_bool(e, "claim_p99_9_within_1ms",
			      hpcp_claim_holds(h->count, over, CLAIM_Q,
					       CLAIM_CONF));
	else
		hpcp_res_null(e, "claim_p99_9_within_1ms");
	if (!slots[k].cache)
		return;
	if (m->res_err[k] || m->tot[k] == 0) {
		hpcp_res_null(e, "page_cache_resident_ratio");
		hpcp_res_str(e, "page_cache_reason", m->res_err[k] ?
			     strerror(m->res_err[k]) : "no pages");
	} else {
		hpcp_res_double(e, "page_cache_resident_ratio",
				(double)m->res[k] / (double)m->tot[k]);
	}
}

static double ratio_or_nan(uint64_t a, uint64_t b)
{
	return b ? (double)a / (double)b : NAN;
}

/* The first data file's layout: for a composite (PFL) one every
 * component, and as stripe_count and stripe_size_bytes the stripes of the
 * component holding the most of the file, which its data mostly went
 * through. */
static void layout_out(const struct st *s, struct hpcp_res *lu)
{
	const struct hpcp_lustre_layout *l = &s->layout;
	int main_c = -1;
	struct hpcp_res *arr;
	char why[160];

	if (s->stripe_done && !s->stripe_err)
		main_c = hpcp_lustre_main_component(l, s->layout_file_bytes);
	if (main_c >= 0) {
		hpcp_res_int(lu, "stripe_count", l->c[main_c].stripe_count);
		hpcp_res_int(lu, "stripe_size_bytes", l->c[main_c].stripe_size);
	} else {
		if (!s->stripe_done)
			snprintf(why, sizeof(why), "no data file written");
		else if (s->stripe_err == -EINVAL)
			snprintf(why, sizeof(why), "an unknown or malformed "
				 "layout (the lustre.lov attribute)");
		else if (s->stripe_err)
			snprintf(why, sizeof(why), "lustre.lov: %s",
				 strerror(-s->stripe_err));
		else
			snprintf(why, sizeof(why), "no component of the "
				 "layout covers the file's %llu bytes",
				 (unsigned long long)s->layout_file_bytes);
		hpcp_res_null(lu, "stripe_count");
		hpcp_res_null(lu, "stripe_size_bytes");
		hpcp_res_str(lu, "stripe_reason", why);
	}
	if (!s->stripe_done || s->stripe_err)
		return;
	hpcp_res_str(lu, "layout", l->composite ? "composite" : "plain");
	hpcp_res_int(lu, "layout_file_bytes", (int64_t)s->layout_file_bytes);
	if (main_c >= 0)
		hpcp_res_int(lu, "stripe_component", main_c);
	hpcp_res_int(lu, "components_count", l->total);
	arr = hpcp_res_array(lu, "components");
	for (unsigned i = 0; i < l->n; i++) {
		const struct hpcp_lustre_component *c = &l->c[i];
		struct hpcp_res *o = hpcp_res_object(arr, NULL);

		hpcp_res_int(o, "start_bytes", (int64_t)c->start);
		/* LUSTRE_EOF (all ones): to the end of the file. */
		if (c->end == UINT64_MAX)
			hpcp_res_null(o, "end_bytes");
		else
			hpcp_res_int(o, "end_bytes", (int64_t)c->end);
		hpcp_res_str(o, "pattern", hpcp_lustre_pattern_name(c));
		hpcp_res_int(o, "stripe_count", c->stripe_count);
		hpcp_res_int(o, "stripe_size_bytes", c->stripe_size);
		if (c->extension)
			hpcp_res_int(o, "extension_size_bytes",
				     (int64_t)c->extension_size);
		hpcp_res_bool(o, "instantiated", c->instantiated);
		hpcp_res_int(o, "mirror", c->mirror);
	}
}

/* phases.storage.lustre: per sub-phase deltas of the clients' counters,
 * summed over the nodes, and the layout; or null with the reason. */
static void report_lustre(struct hpcp_res *out, const struct st *s,
			  const struct merged *m, unsigned long magic)
{
	static const char *const sub_names[N_SUBS] = { "easy", "hard",
						      "random", "metadata" };
	struct hpcp_res *lu, *subs, *o;

	if (!s->lustre_on || m->lu_err || !m->lu_found) {
		hpcp_res_null(out, "lustre");
		(void)magic;
		hpcp_res_str(out, "lustre_reason", !s->lustre_on ?
			     "not a Lustre file system" :
			     s->lu_why[0] ? s->lu_why :
			     "no Lustre client statistics on a node");
		return;
	}
	lu = hpcp_res_object(out, "lustre");
	hpcp_res_str(lu, "source", s->lustre_root ? s->lustre_root :
		     "/sys/kernel/debug/lustre, /proc/fs/lustre");
	/* The client's files do not say which mount is the target's: with
	 * more than one, the counters are every mount's. */
	hpcp_res_int(lu, "instances", m->lu_instances);
	if (m->lu_instances > 1) {
		char note[200];

		snprintf(note, sizeof(note), "counters summed over %u Lustre "
			 "client mounts (llite instances) on a node, not only "
			 "the target's", m->lu_instances);
		hpcp_res_str(lu, "note", note);
	}
	layout_out(s, lu);
	subs = hpcp_res_object(lu, "subphases");
	for (int k = 0; k < N_SUBS; k++) {
		const uint64_t *v = m->lu[k];

		/* A sub-phase dropped (O_DIRECT refused) has no counters
		 * either: they were its dropped work's. */
		if (!(s->bits & (1 << k)) || (s->off_bits & (1 << k)))
			continue;
		o = hpcp_res_object(subs, sub_names[k]);
		for (int i = 0; i < HPCP_LU_N; i++)
			hpcp_res_int(o, hpcp_lustre_counter_name(i),
				     (int64_t)v[i]);
		hpcp_res_double(o, "read_ahead_hit_ratio",
				ratio_or_nan(v[HPCP_LU_RA_HITS],
					     v[HPCP_LU_RA_HITS] +
						     v[HPCP_LU_RA_MISSES]));
		hpcp_res_double(o, "read_pages_per_rpc_mean",
				ratio_or_nan(v[HPCP_LU_READ_RPC_PAGES],
					     v[HPCP_LU_READ_RPCS]));
		hpcp_res_double(o, "write_pages_per_rpc_mean",
				ratio_or_nan(v[HPCP_LU_WRITE_RPC_PAGES],
					     v[HPCP_LU_WRITE_RPCS]));
		hpcp_res_double(o, "read_rpcs_in_flight_mean",
				ratio_or_nan(v[HPCP_LU_READ_INFLIGHT_SUM],
					     v[HPCP_LU_READ_RPCS]));
		hpcp_res_double(o, "write_rpcs_in_flight_mean",
				ratio_or_nan(v[HPCP_LU_WRITE_INFLIGHT_SUM],
					     v[HPCP_LU_WRITE_RPCS]));
	}
}

static void report(struct hpcp_res *out, struct st *s,
		   const struct hpcp_hist *all, const struct merged *m,
		   const char *cleanup_why, int cleaned)
{
	unsigned long magic = hpcp_fs_magic(s->o.dir);
	struct hpcp_res *o, *ops;

	hpcp_res_str(out, "dir", s->o.dir);
	hpcp_res_str(out, "run_dir", s->run);
	o = hpcp_res_object(out, "filesystem");
	{
		char hex[16];

		snprintf(hex, sizeof(hex), "0x%lx", magic);
		hpcp_res_str(o, "statfs_magic", hex);
	}
	hpcp_res_str(o, "type", hpcp_fs_type_name(magic));
	o = hpcp_res_object(out, "direct");
	hpcp_res_bool(o, "requested", s->o.direct);
	hpcp_res_bool(o, "used", s->o.direct && (s->bits & DIRECT_SUBS &
						 ~s->off_bits));
	if (s->off_bits) {
		char r[400];

		snprintf(r, sizeof(r), "%s (no buffered fallback: %s "
			 "unavailable)", s->off_why[sub_index(s->off_bits &
							      SUB_EASY ?
							      SUB_EASY :
							      SUB_RANDOM)],
			 (s->off_bits & DIRECT_SUBS) == DIRECT_SUBS ?
				 "easy and random" :
			 s->off_bits & SUB_EASY ? "easy" : "random");
		hpcp_res_str(o, "reason", r);
	} else if (s->o.direct && !(s->bits & DIRECT_SUBS)) {
		hpcp_res_str(o, "reason", "no sub-phase run uses O_DIRECT "
			     "(easy and random do)");
	}
	o = hpcp_res_object(out, "subphases_unavailable");
	for (int k = 0; k < N_SUBS; k++)
		if (s->off_bits & (1 << k))
			hpcp_res_str(o, subphase_names[k].name,
				     s->off_why[k]);
	hpcp_res_int(out, "readback_shift_ranks", s->shift);
	hpcp_res_bool(out, "readback_other_node", s->cross > 0);
	if (s->cross <= 0)
		hpcp_res_str(out, "readback_reason", s->ctx->size < 2 ?
			     "one rank: it reads back its own files" :
			     s->ctx->n_nodes < 2 ?
			     "one node: files read back by another rank of "
			     "the same node" :
			     "a node holds more than half the ranks: some "
			     "files read back on the node that wrote them");
	hpcp_res_int(out, "verified_bytes", (int64_t)m->verified);
	hpcp_res_str(out, "span_definition",
		     "first start to last end across ranks, from the barrier "
		     "that starts each step; a write's span includes its "
		     "fsync");
	hpcp_res_str(out, "claim",
		     "99.9 % of operations within 1 ms, at 99 % confidence "
		     "(one-sided binomial bound); needs p99_9_min_count "
		     "operations");
	ops = hpcp_res_array(out, "ops");
	for (int k = 0; k < N_SLOTS; k++)
		if (all[k].count)
			report_op(ops, s, k, &all[k], m);
	report_lustre(out, s, m, magic);
	o = hpcp_res_object(out, "cleanup");
	hpcp_res_bool(o, "removed", cleaned);
	if (!cleaned)
		hpcp_res_str(o, "reason", cleanup_why);
}

/* --- the phase ------------------------------------------------------------ */

static int storage_run(struct hpcp_ctx *ctx, struct hpcp_res *out, char *why,
		       size_t len)
{
	struct st *s = calloc(1, sizeof(*s));
	struct hpcp_hist *all = NULL;
	struct merged m;
	char cwhy[320] = "";
	int rc = 0, local = 0, cleaned = 0, made = 0, sub = 0;
	const char *env;

	if (!s) {
		snprintf(why, len, "out of memory");
		return -ENOMEM;
	}
	s->ctx = ctx;
	s->o = opts_of(&ctx->cfg);
	if (!s->o.dir) {
		snprintf(why, len, "no --storage-dir given (the directory to "
			 "measure, e.g. the FSx for Lustre mount)");
		free(s);
		return -ENOTSUP;
	}
	(void)parse_subphases(s->o.subphases, &s->bits);
	/* Whose file each rank reads back: another node's whenever the
	 * placement allows, every file once (ctx->ranks is the same on every
	 * rank, so is the plan). */
	{
		int *node = malloc((size_t)ctx->size * sizeof(*node));

		s->src = malloc((size_t)ctx->size * sizeof(*s->src));
		for (int r = 0; node && r < ctx->size; r++)
			node[r] = ctx->ranks[r].node;
		s->cross = node && s->src ?
			   hpcp_iopat_readback(node, ctx->size, s->src,
					       &s->shift) : -ENOMEM;
		free(node);
		/* Every rank or none: the steps are collective. */
		if (s->cross < 0)
			hpcp_die(71, "storage: out of memory for the read-back "
				 "plan");
	}
	env = getenv(ENV_CORRUPT);
	if (env && *env)
		s->corrupt_at = strtoull(env, NULL, 10) + 1;
	env = getenv(ENV_VERIFY_DELAY);
	if (env && *env)
		s->verify_delay_ns = strtoull(env, NULL, 10);
	s->stall = getenv(ENV_STALL);
	s->lustre_root = getenv(ENV_LUSTRE_ROOT);
	if (s->lustre_root && !*s->lustre_root)
		s->lustre_root = NULL;
	s->lustre_on = s->lustre_root ||
		       hpcp_fs_magic(s->o.dir) == HPCP_LUSTRE_SUPER_MAGIC;
	s->h = calloc(N_SLOTS, sizeof(*s->h));
	if (ctx->rank == 0)
		all = calloc(N_SLOTS, sizeof(*all));
	/* The histograms take part in collectives whatever happens. */
	if (!s->h || (ctx->rank == 0 && !all))
		hpcp_die(71, "storage: out of memory for the histograms");
	if (posix_memalign((void **)&s->buf, 4096, BUF_BYTES) != 0) {
		s->buf = NULL;
		snprintf(why, len, "out of memory");
		local = -ENOMEM;
	}
	for (int k = 0; k < N_SLOTS; k++) {
		hpcp_hist_reset(&s->h[k]);
		s->acc[k].first = INT64_MAX;
	}
	if (!local && ctx->rank == 0)
		local = make_run_dir(s, why, len);
	/* Test hooks: a peer stopped before the agreement; rank 0 ended by
	 * hpcp_die (as a failed collective would) once the directory is
	 * there. */
	if (s->stall && strcmp(s->stall, "setup") == 0 && ctx->rank != 0)
		stall();
	if (s->stall && strcmp(s->stall, "die") == 0 && s->created)
		hpcp_die(70, "storage: test hook: ending in setup");
	rc = agree(s, local, why, len);
	if (rc)
		goto out;
	made = 1;
	hpcp_mpi_or_die(MPI_Bcast(s->run, sizeof(s->run), MPI_CHAR, 0,
				  ctx->comm), "storage: the directory");
	if (ctx->rank != 0)
		end_arm(s->run);
	local = join_run_dir(s, why, len);
	rc = agree(s, local, why, len);
	for (size_t i = 0; !rc && i < sizeof(steps) / sizeof(steps[0]); i++) {
		struct hpcp_hostload hl;
		struct hpcp_hostload_result lr;

		if (!(steps[i].sub & s->bits) || (steps[i].sub & s->off_bits))
			continue;
		if (steps[i].sub != sub) {
			if (sub)
				lustre_mark(s, sub, 1);
			sub = steps[i].sub;
			lustre_mark(s, sub, 0);
			s->verified_mark = s->verified_bytes;
		}
		hpcp_hostload_begin(ctx, &hl);
		hpcp_mpi_or_die(MPI_Barrier(ctx->comm), "storage: a step");
		s->ref = hpcp_now_ns();
		local = steps[i].fn(s, why, len);
		if (s->stall && strcmp(s->stall, steps[i].name) == 0 &&
		    ctx->rank == 0)
			stall();
		hpcp_watch_waiting_on(HPCP_WATCH_ALL);
		hpcp_hostload_end(ctx, &hl, &lr);
		if (steps[i].slot >= 0)
			s->load[steps[i].slot] = lr;
		if (steps[i].slot2 >= 0)
			s->load[steps[i].slot2] = lr;
		if (s->o.direct && (steps[i].sub & DIRECT_SUBS))
			local = direct_refusal(s, steps[i].sub, local, why);
		rc = agree(s, local, why, len);
		/* An untimed setup step (the random file's prefill) is not
		 * the sub-phase's traffic: its counters start after it. */
		if (!rc && steps[i].slot < 0)
			lustre_mark(s, sub, 0);
	}
	if (sub)
		lustre_mark(s, sub, 1);
	/* Only the failing ranks return the error, so the run names them. */
	rc = local;
	/* Nothing measured: every sub-phase asked for refused O_DIRECT. */
	if (!rc && s->bits == s->off_bits) {
		snprintf(why, len, "%s (no buffered fallback)",
			 s->off_why[sub_index(s->off_bits & SUB_EASY ?
					      SUB_EASY : SUB_RANDOM)]);
		rc = -ENOTSUP;
	}
out:
	merge(s, all, &m);
	/* Done with the files, whatever happened. */
	hpcp_mpi_or_die(MPI_Barrier(ctx->comm), "storage: cleanup");
	if (s->created && end_take())
		cleaned = hpcp_rmtree(s->run, 5, cwhy, sizeof(cwhy)) == 0;
	else if (s->created)
		snprintf(cwhy, sizeof(cwhy), "removal left to the job's end "
			 "(the watchdog or a signal took it)");
	end_disarm();
	/* Set up in part: no document entry of its own to say so. */
	if (s->created && !made && !cleaned) {
		size_t n = strlen(why);

		snprintf(why + n, len - n, "; %s", cwhy);
	}
	if (ctx->rank == 0 && made)
		report(out, s, all, &m, cwhy, cleaned);
	if (made && ctx->rank == 0 && !cleaned && !rc) {
		snprintf(why, len, "%s", cwhy);
		rc = -EIO;
	}
	free(all);
	free(s->h);
	free(s->buf);
	free(s->src);
	free(s);
	return rc;
}

const struct hpcp_phase hpcp_phase_storage = {
	.name = "storage",
	.summary = "file-system I/O on --storage-dir (IO500-style easy, hard, "
		   "random 4 KiB, metadata): throughput, IOPS, latency "
		   "distributions, verified data",
	.run = storage_run,
	.check_job = storage_check_job,
	HPCP_PHASE_OPTIONS(storage_options, storage_defaults),
	.metrics = &phase_metrics,
};

#endif /* !HPCP_METRICS_ONLY */
