/*
 * preflight: is this the environment the job needs, before an hour of a
 * cluster is spent on it?  Each check is one entry of the phase's checks[]
 * (and so of the document's), pass / skip / warn / fail with the value
 * found, the expectation and a one-line fix.
 *
 * Method.  The first rank of each node runs the node's checks
 * (src/pfcheck.c: EFA adapters, uverbs devices, libfabric's provider, Open
 * MPI's transport, memlock, /dev/shm, open files, hugepages, the FSx path,
 * the instance from IMDSv2) and sends them, with its software versions and
 * instance, to rank 0, which reports each check once: its worst status
 * over the nodes, that node's value, and the hosts at that status.  Rank 0
 * then judges the job: the scheduler's counts against the MPI world, the
 * same versions and instance type everywhere (a mismatch named by host),
 * the placement group and life-cycle, and the clocks.
 *
 * Clocks: rank 0's node leader exchanges ROUNDS messages with each other
 * leader in turn; in a round it reads CLOCK_REALTIME (t0), the peer answers
 * with its reading (t1), rank 0 reads again (t2).  The round with the
 * smallest t2 - t0 gives offset = t1 - (t0 + t2) / 2, and causality bounds
 * the true offset within (t2 - t0) / 2 of it: that is the uncertainty.
 *
 * With --preflight-strict a failed check fails the phase with -ECANCELED,
 * which ends the run before the other phases (run.c); otherwise the phase
 * is ok and the failures lead the summary.
 */
#include "config.h"

#include "hpcp/metrics.h"

static const struct hpcp_metric preflight_metrics[] = {
	{
		.each = "", .path = "failed_count", .unit = "count",
		.kind = HPCP_METRIC_COUNT, .better = HPCP_BETTER_LOWER,
		.column = "failed checks", .gate = "preflight.{key}",
		.emf = "PreflightFailedChecks", .emf_unit = "Count",
		.emf_scale = 1,
		.prom = "hpcprobe_preflight_failed_checks",
		.prom_help = "Preflight checks that failed.",
		.prom_scale = 1,
	},
	{
		.each = "", .path = "warned_count", .unit = "count",
		.kind = HPCP_METRIC_COUNT, .better = HPCP_BETTER_LOWER,
		.column = "warnings",
		.emf = "PreflightWarnedChecks", .emf_unit = "Count",
		.emf_scale = 1,
		.prom = "hpcprobe_preflight_warned_checks",
		.prom_help = "Preflight checks that warned.",
		.prom_scale = 1,
	},
	{
		.each = "", .path = "clock/max_abs_offset_ns", .unit = "ns",
		.kind = HPCP_METRIC_VALUE, .better = HPCP_BETTER_LOWER,
		.column = "largest clock offset",
		.emf = "ClockOffsetMax", .emf_unit = "Microseconds",
		.emf_scale = 1e-3,
		.prom = "hpcprobe_preflight_clock_offset_max_seconds",
		.prom_help = "Largest clock offset of a node against rank 0's.",
		.prom_scale = 1e-9,
	},
};

HPCP_PHASE_METRICS(preflight, preflight_metrics);

#ifndef HPCP_METRICS_ONLY

#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/statvfs.h>
#include <time.h>
#include <fcntl.h>
#include <unistd.h>

#include "hpcp/ctx.h"
#include "hpcp/efa.h"
#include "hpcp/fabric.h"
#include "hpcp/interfere.h"
#include "hpcp/mpiinfo.h"
#include "hpcp/opt.h"
#include "hpcp/pfcheck.h"
#include "hpcp/phase.h"
#include "hpcp/report.h"
#include "hpcp/timer.h"
#include "hpcp/watch.h"

/* Test only: this process's version string and clock, as if it were
 * another node's (version mismatches and offsets with a known answer). */
#define ENV_TEST_VERSION "HPCPROBE_TEST_VERSION"
#define ENV_TEST_CLOCK "HPCPROBE_TEST_CLOCK_OFFSET_NS"

#define ROUNDS 32
#define QUICK_ROUNDS 16
#define TAG_CLOCK 0x70f
#define N_NODE_CHECKS 13
#define MAX_HOSTS_LISTED 8

struct preflight_opts {
	const char *fsx;
	int strict;
};

static const struct preflight_opts preflight_defaults = { 0 };

#define OFF(f) offsetof(struct preflight_opts, f)

static const struct hpcp_opt preflight_options[] = {
	{ .long_name = "preflight-fsx", .kind = HPCP_OPT_PATH,
	  .metavar = "DIR",
	  .help = "the FSx for Lustre mount to check: a folder, Lustre, "
		  "writable, with free space",
	  .default_text = "none (not checked)",
	  .value_offset = OFF(fsx), .given_offset = HPCP_OPT_NOT_TRACKED },
	{ .long_name = "preflight-strict", .kind = HPCP_OPT_FLAG,
	  .help = "a failed check ends the job, exit 1, before the other "
		  "phases",
	  .default_text = "off",
	  .value_offset = OFF(strict), .given_offset = HPCP_OPT_NOT_TRACKED },
	{ .long_name = NULL },
};

extern const struct hpcp_phase hpcp_phase_preflight;

/* What a node sends rank 0: fixed-size, as MPI_BYTE. */
struct node_report {
	char version[96];      /* hpcprobe */
	char mpi[160];
	char fabric[16];       /* libfabric */
	struct hpcp_pf_instance inst;
	struct hpcp_pf_check checks[N_NODE_CHECKS];
};

struct clock_row {
	long long offset_ns, unc_ns, rtt_ns;
};

static long long test_clock_offset(void)
{
	const char *v = getenv(ENV_TEST_CLOCK);
	char *end;
	long long x;

	if (!v || !*v)
		return 0;
	x = strtoll(v, &end, 10);
	return *end ? 0 : x;
}

static long long realtime_ns(long long shift)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec + shift;
}

static const char *env_or(const char *name, const char *dflt)
{
	const char *v = getenv(name);

	return v && *v ? v : dflt;
}

static uint64_t limit_of(int resource)
{
	struct rlimit rl;

	if (getrlimit(resource, &rl) != 0)
		return 0;
	return rl.rlim_cur == RLIM_INFINITY ? UINT64_MAX :
					      (uint64_t)rl.rlim_cur;
}

static void hugepages(struct hpcp_pf_check *c)
{
	char path[512], buf[16384];
	struct hpcp_pf_hugepages h = { 0, 0, 0 };
	ssize_t n = -1;
	int fd, rc;

	snprintf(path, sizeof(path), "%s/meminfo",
		 env_or(HPCP_PF_ENV_PROC_ROOT, "/proc"));
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd >= 0) {
		n = read(fd, buf, sizeof(buf) - 1);
		close(fd);
	}
	rc = n < 0 ? -ENOENT : hpcp_pf_parse_meminfo(buf, (size_t)n, &h);
	hpcp_pf_check_hugepages(rc, &h, c);
}

/* The node's own checks, on its first rank. */
/* The metadata service asked, timed with this thread's run-queue delay:
 * on a loaded host the wall time holds waits for a CPU the service's
 * timeout does not bound. */
static void instance_read_timed(struct hpcp_pf_instance *inst)
{
	struct hpcp_interfere f;
	struct hpcp_interfere_sample a, b;
	const char *why = NULL;
	uint64_t t0, t1;

	(void)hpcp_interfere_open(&f, &why);
	hpcp_interfere_begin(&f, &a);
	t0 = hpcp_now_ns();
	hpcp_pf_instance_read(inst);
	t1 = hpcp_now_ns();
	hpcp_interfere_end(&f, &b);
	inst->lookup_s = (double)(t1 - t0) / 1e9;
	inst->lookup_runq_s = f.schedstat_fd >= 0 ?
		(double)(b.runq_ns - a.runq_ns) / 1e9 : -1;
	hpcp_interfere_close(&f);
}

static void node_checks(struct hpcp_ctx *ctx, const struct preflight_opts *o,
			struct node_report *r)
{
	const char *dev = env_or(HPCP_PF_ENV_DEV_ROOT, "/dev");
	struct hpcp_efa_set *efa = calloc(1, sizeof(*efa));
	struct hpcp_mpi_components mc;
	struct hpcp_pf_check *c = r->checks;
	char prov[64] = "", note[256] = "", why[256] = "", shm[512];
	struct statvfs vfs;
	int found, wanted, rc;

	memset(r, 0, sizeof(*r));
	snprintf(r->version, sizeof(r->version), "%s",
		 env_or(ENV_TEST_VERSION, PACKAGE_VERSION " (git "
			HPCP_GIT_COMMIT ")"));
	snprintf(r->mpi, sizeof(r->mpi), "%.159s", ctx->mpi_library);
	hpcp_fabric_library_version(r->fabric, sizeof(r->fabric));
	instance_read_timed(&r->inst);
	hpcp_watch_beat();
	found = efa ? hpcp_efa_snapshot(hpcp_efa_root(ctx->cfg.efa_root), efa) : 0;
	free(efa);
	wanted = hpcp_pf_efa_wanted(found, &r->inst);

	hpcp_pf_check_instance(&r->inst, found, c++);
	hpcp_pf_check_efa_adapters(found, &r->inst, c++);
	hpcp_pf_check_uverbs(dev, found, wanted, c++);
	rc = hpcp_fabric_choose("auto", 0, prov, sizeof(prov), note,
				sizeof(note), why, sizeof(why));
	hpcp_pf_check_provider(rc, prov, rc ? why : note, wanted, c++);
	hpcp_mpi_components(&mc);
	hpcp_pf_check_mpi(mc.known, mc.pml, mc.mtl, mc.btls, wanted,
			  ctx->n_nodes > 1, c++);
	hpcp_pf_check_memlock(limit_of(RLIMIT_MEMLOCK), wanted, c++);
	snprintf(shm, sizeof(shm), "%s/shm", dev);
	rc = statvfs(shm, &vfs) == 0 ? 0 : -errno;
	hpcp_pf_check_shm(rc, rc ? 0 : (uint64_t)vfs.f_blocks * vfs.f_frsize,
			  c++);
	hpcp_pf_check_open_files(limit_of(RLIMIT_NOFILE), ctx->size, c++);
	hugepages(c++);
	hpcp_pf_check_storage(o->fsx, c);
}

/* Rank 0's leader against every other node's, in turn; rows on rank 0. */
static void clocks(struct hpcp_ctx *ctx, int rounds, struct clock_row *rows)
{
	long long shift = test_clock_offset();
	int me, n;

	if (ctx->leader_comm == MPI_COMM_NULL)
		return;
	MPI_Comm_rank(ctx->leader_comm, &me);
	MPI_Comm_size(ctx->leader_comm, &n);
	for (int p = 1; p < n; p++) {
		long long best = -1;

		if (me != 0 && me != p)
			continue;
		hpcp_watch_waiting_on(me == 0 ? ctx->hosts[p].leader : 0);
		for (int k = 0; k < rounds; k++) {
			long long t0, t1 = 0, t2;

			hpcp_watch_beat();
			if (me == p) {
				hpcp_mpi_or_die(MPI_Recv(&t0, 1, MPI_LONG_LONG,
							 0, TAG_CLOCK,
							 ctx->leader_comm,
							 MPI_STATUS_IGNORE),
						"preflight: clock round");
				t1 = realtime_ns(shift);
				hpcp_mpi_or_die(MPI_Send(&t1, 1, MPI_LONG_LONG,
							 0, TAG_CLOCK,
							 ctx->leader_comm),
						"preflight: clock answer");
				continue;
			}
			t0 = realtime_ns(shift);
			hpcp_mpi_or_die(MPI_Send(&t0, 1, MPI_LONG_LONG, p,
						 TAG_CLOCK, ctx->leader_comm),
					"preflight: clock round");
			hpcp_mpi_or_die(MPI_Recv(&t1, 1, MPI_LONG_LONG, p,
						 TAG_CLOCK, ctx->leader_comm,
						 MPI_STATUS_IGNORE),
					"preflight: clock answer");
			t2 = realtime_ns(shift);
			if (best < 0 || t2 - t0 < best) {
				best = t2 - t0;
				rows[p].rtt_ns = best;
				rows[p].unc_ns = (best + 1) / 2;
				rows[p].offset_ns = t1 - t0 - best / 2;
			}
		}
	}
	hpcp_watch_waiting_on(HPCP_WATCH_ALL);
}

static struct hpcp_res *put_check(struct hpcp_res *arr,
				  const struct hpcp_pf_check *c)
{
	struct hpcp_res *e = hpcp_res_object(arr, NULL);

	hpcp_res_str(e, "name", c->name);
	hpcp_res_str(e, "status", hpcp_pf_status_name(c->status));
	hpcp_res_bool(e, "pass", c->status != HPCP_PF_FAIL);
	hpcp_res_str(e, "value", c->value);
	hpcp_res_str(e, "reference", c->expected);
	if (c->fix[0])
		hpcp_res_str(e, "fix", c->fix);
	return e;
}

struct tally {
	int n, failed, warned, passed, skipped;
	char first_fail[320];
};

static void count(struct tally *t, const struct hpcp_pf_check *c)
{
	t->n++;
	t->failed += c->status == HPCP_PF_FAIL;
	t->warned += c->status == HPCP_PF_WARN;
	t->passed += c->status == HPCP_PF_PASS;
	t->skipped += c->status == HPCP_PF_SKIP;
	if (c->status == HPCP_PF_FAIL && !t->first_fail[0])
		snprintf(t->first_fail, sizeof(t->first_fail), "%s: %.200s",
			 c->name, c->value);
}

/* Check i over the nodes: the worst status, the first node's entry at
 * it, and the hosts at it (the first MAX_HOSTS_LISTED, and how many). */
static void report_node_check(struct hpcp_res *arr, struct hpcp_ctx *ctx,
			      const struct node_report *nodes, int i,
			      struct tally *t)
{
	const struct hpcp_pf_check *w = NULL;
	struct hpcp_res *e, *hosts;
	int at = 0;

	for (int n = 0; n < ctx->n_nodes; n++) {
		const struct hpcp_pf_check *c = &nodes[n].checks[i];

		if (!w || c->status > w->status)
			w = c;
	}
	if (!w || w->status == HPCP_PF_NONE || !w->name[0])
		return;
	e = put_check(arr, w);
	count(t, w);
	hosts = hpcp_res_array(e, "hosts");
	for (int n = 0; n < ctx->n_nodes; n++) {
		if (nodes[n].checks[i].status != w->status)
			continue;
		if (at++ < MAX_HOSTS_LISTED)
			hpcp_res_str(hosts, NULL, ctx->hosts[n].name);
	}
	hpcp_res_int(e, "hosts_count", at);
}

static void job_check(struct hpcp_res *arr, const struct hpcp_pf_check *c,
		      struct tally *t)
{
	put_check(arr, c);
	count(t, c);
}

static const char *real_getenv(const char *name, void *arg)
{
	(void)arg;
	return getenv(name);
}

/* The job's checks and the nodes' facts, on rank 0. */
static void report_job(struct hpcp_ctx *ctx, struct hpcp_res *out,
		       struct hpcp_res *arr, const struct node_report *nodes,
		       const struct clock_row *rows, int rounds,
		       struct tally *t)
{
	int n = ctx->n_nodes;
	const char **h = calloc((size_t)n * 8, sizeof(*h));
	double *off = calloc((size_t)n * 2, sizeof(*off));
	struct hpcp_res *list, *clock;
	struct hpcp_pf_check c;
	long long worst = 0;

	hpcp_pf_check_scheduler(real_getenv, NULL, ctx->size, n, &c);
	job_check(arr, &c, t);
	if (!h || !off) {
		free(h);
		free(off);
		return;
	}
	for (int i = 0; i < n; i++) {
		h[i] = ctx->hosts[i].name;
		h[n + i] = nodes[i].version;
		h[2 * n + i] = nodes[i].mpi;
		h[3 * n + i] = nodes[i].fabric;
		h[4 * n + i] = nodes[i].inst.type;
		h[5 * n + i] = nodes[i].inst.az;
		h[6 * n + i] = nodes[i].inst.group;
		h[7 * n + i] = nodes[i].inst.lifecycle;
		off[i] = (double)rows[i].offset_ns;
		off[n + i] = (double)rows[i].unc_ns;
	}
	hpcp_pf_check_same("job.hpcprobe_version", "hpcprobe version", h + n,
			   h, n, &c);
	job_check(arr, &c, t);
	hpcp_pf_check_same("job.mpi_version", "MPI library", h + 2 * n, h, n,
			   &c);
	job_check(arr, &c, t);
	hpcp_pf_check_same("job.libfabric_version", "libfabric version",
			   h + 3 * n, h, n, &c);
	job_check(arr, &c, t);
	hpcp_pf_check_same("job.instance_type", "instance type", h + 4 * n, h,
			   n, &c);
	job_check(arr, &c, t);
	hpcp_pf_check_same("job.availability_zone", "availability zone",
			   h + 5 * n, h, n, &c);
	job_check(arr, &c, t);
	hpcp_pf_check_group(h + 6 * n, h, n, &c);
	job_check(arr, &c, t);
	hpcp_pf_check_lifecycle(h + 7 * n, h, n, &c);
	job_check(arr, &c, t);
	hpcp_pf_check_clocks(off, off + n, h, n, &c);
	job_check(arr, &c, t);

	list = hpcp_res_array(out, "nodes");
	for (int i = 0; i < n; i++) {
		struct hpcp_res *e = hpcp_res_object(list, NULL);
		struct hpcp_res *in = hpcp_res_object(e, "instance");
		const struct hpcp_pf_instance *inst = &nodes[i].inst;

		hpcp_res_str(e, "host", h[i]);
		hpcp_res_str(e, "hpcprobe_version", nodes[i].version);
		hpcp_res_str(e, "mpi_library", nodes[i].mpi);
		hpcp_res_str(e, "libfabric_version", nodes[i].fabric);
		if (inst->known) {
			hpcp_res_str(in, "type", inst->type);
			hpcp_res_str(in, "availability_zone", inst->az);
			hpcp_res_str(in, "life_cycle", inst->lifecycle);
			hpcp_res_str(in, "placement_group", inst->group);
		} else {
			hpcp_res_null(in, "type");
		}
		if (inst->reason[0])
			hpcp_res_str(in, "reason", inst->reason);
		hpcp_res_double(in, "lookup_s", inst->lookup_s);
		if (inst->lookup_runq_s >= 0)
			hpcp_res_double(in, "lookup_runq_s",
					inst->lookup_runq_s);
		else
			hpcp_res_null(in, "lookup_runq_s");
	}
	clock = hpcp_res_object(out, "clock");
	hpcp_res_str(clock, "method", "CLOCK_REALTIME against rank 0's "
		     "host: the round with the least round trip of "
		     "rounds_count, offset = t1 - (t0 + t2) / 2, uncertainty "
		     "= (t2 - t0) / 2 (causality bounds the true offset "
		     "within it)");
	hpcp_res_int(clock, "rounds_count", rounds);
	hpcp_res_str(clock, "reference_host", h[0]);
	list = hpcp_res_array(clock, "hosts");
	for (int i = 0; i < n; i++) {
		struct hpcp_res *e = hpcp_res_object(list, NULL);
		long long a = rows[i].offset_ns < 0 ? -rows[i].offset_ns :
						      rows[i].offset_ns;

		hpcp_res_str(e, "host", h[i]);
		hpcp_res_int(e, "offset_ns", rows[i].offset_ns);
		hpcp_res_int(e, "uncertainty_ns", rows[i].unc_ns);
		hpcp_res_int(e, "rtt_min_ns", rows[i].rtt_ns);
		if (a > worst)
			worst = a;
	}
	hpcp_res_int(clock, "max_abs_offset_ns", worst);
	free(h);
	free(off);
}

static void report(struct hpcp_ctx *ctx, struct hpcp_res *out,
		   const struct preflight_opts *o,
		   const struct node_report *nodes,
		   const struct clock_row *rows, int rounds, struct tally *t)
{
	struct hpcp_res *arr = hpcp_res_array(out, "checks");

	hpcp_res_bool(out, "strict", o->strict);
	if (o->fsx)
		hpcp_res_str(out, "fsx_path", o->fsx);
	else
		hpcp_res_null(out, "fsx_path");
	for (int i = 0; i < N_NODE_CHECKS; i++)
		report_node_check(arr, ctx, nodes, i, t);
	report_job(ctx, out, arr, nodes, rows, rounds, t);
	hpcp_res_int(out, "checks_count", t->n);
	hpcp_res_int(out, "failed_count", t->failed);
	hpcp_res_int(out, "warned_count", t->warned);
	hpcp_res_int(out, "passed_count", t->passed);
	hpcp_res_int(out, "skipped_count", t->skipped);
}

static int preflight_run(struct hpcp_ctx *ctx, struct hpcp_res *out,
			 char *why, size_t len)
{
	const struct preflight_opts *o =
		hpcp_phase_opts(&ctx->cfg, &hpcp_phase_preflight);
	struct node_report *mine = calloc(1, sizeof(*mine)), *nodes = NULL;
	struct clock_row *rows = NULL;
	int rounds = ctx->cfg.quick ? QUICK_ROUNDS : ROUNDS, verdict[2] = { 0 };
	struct tally t;
	int rc = 0;

	if (!o)
		o = &preflight_defaults;
	if (ctx->rank == 0) {
		nodes = calloc((size_t)ctx->n_nodes, sizeof(*nodes));
		rows = calloc((size_t)ctx->n_nodes, sizeof(*rows));
	}
	rc = mine && (ctx->rank != 0 || (nodes && rows)) ? 0 : -ENOMEM;
	if (hpcp_ctx_agree(ctx, rc)) {
		snprintf(why, len, "out of memory for %d nodes' reports",
			 ctx->n_nodes);
		rc = -ENOMEM;
		goto out;
	}
	if (ctx->leader_comm != MPI_COMM_NULL) {
		node_checks(ctx, o, mine);
		hpcp_watch_waiting_on(HPCP_WATCH_ALL);
		hpcp_mpi_or_die(MPI_Gather(mine, sizeof(*mine), MPI_BYTE,
					   nodes, sizeof(*mine), MPI_BYTE, 0,
					   ctx->leader_comm),
				"preflight: the nodes' reports");
	}
	clocks(ctx, rounds, rows);
	if (ctx->rank == 0) {
		memset(&t, 0, sizeof(t));
		report(ctx, out, o, nodes, rows, rounds, &t);
		verdict[0] = t.failed;
		verdict[1] = o->strict;
		snprintf(why, len, "%d of %d checks failed (--preflight-strict)"
			 "; the first: %s", t.failed, t.n, t.first_fail);
	}
	hpcp_mpi_or_die(MPI_Bcast(verdict, 2, MPI_INT, 0, ctx->comm),
			"preflight: the verdict");
	rc = verdict[0] && verdict[1] ? -ECANCELED : 0;
	if (!rc)
		why[0] = '\0';
out:
	free(mine);
	free(nodes);
	free(rows);
	return rc;
}

const struct hpcp_phase hpcp_phase_preflight = {
	.name = "preflight",
	.summary = "is the environment right: EFA, limits, FSx, instance, "
		   "versions and clocks across nodes (checks with fixes)",
	.run = preflight_run,
	HPCP_PHASE_OPTIONS(preflight_options, preflight_defaults),
	.metrics = &phase_metrics,
};

#endif /* !HPCP_METRICS_ONLY */
