/*
 * Foreign CPU load during a region of a phase: the CPU time a kernel spent
 * on anything but this job's ranks (other processes, and the hypervisor's
 * steal), as a share of that kernel's CPUs over the region.  A latency
 * measured while other work competed for the CPUs includes waits for a
 * time slice, which no per-process counter can separate from the wire:
 * with Open MPI's yield-when-idle, the ranks' own yields count as
 * involuntary switches and as run-queue delay, so only the kernel-wide
 * busy time minus the job's own CPU time says whether someone else ran.
 *
 * Ranks are grouped by kernel (/proc/sys/kernel/random/boot_id), not by
 * host name, so simulated nodes sharing one kernel (network namespaces)
 * are accounted as the one machine they are.  Collective on ctx->comm;
 * samples are taken outside timed loops.
 */
#ifndef HPCP_HOSTLOAD_H
#define HPCP_HOSTLOAD_H

#include <stdint.h>

#include "hpcp/ctx.h"

/* Above this share of a kernel's CPUs taken by foreign work (plus the
 * sampling resolution), the region's latencies measured the host.  A p50
 * stays put while fewer than half of the samples wait for a time slice;
 * a quarter leaves room, and stays above what a shared VM's steal and a
 * test's delay line take on their own (5-15 % measured here). */
#define HPCP_FOREIGN_MAX 0.25

struct hpcp_hostload {
	uint64_t t0_ns;
	uint64_t busy0, steal0;   /* /proc/stat ticks, node leaders */
	uint64_t cpu0_ns;         /* this process, getrusage */
	int stat_ok;
};

struct hpcp_hostload_result {      /* valid on rank 0 */
	int measured;              /* 0: /proc/stat unreadable somewhere */
	int kernels;               /* distinct kernels among the nodes */
	double foreign_fraction;   /* the worst kernel's */
	double resolution;         /* +- of that fraction (tick sampling) */
	int worst_node;            /* a node on the worst kernel */
	int noisy;                 /* fraction > HPCP_FOREIGN_MAX + resolution */
};

int hpcp_hostload_begin(struct hpcp_ctx *ctx, struct hpcp_hostload *h);
int hpcp_hostload_end(struct hpcp_ctx *ctx, struct hpcp_hostload *h,
		      struct hpcp_hostload_result *r);

struct hpcp_res;

/* Rank 0: parent.host_load = { measured, foreign_cpu_fraction,
 * resolution, threshold, kernels_count, worst_host, noisy, noisy_reason
 * | reason }.  Returns r->noisy. */
int hpcp_hostload_report(struct hpcp_res *parent, const struct hpcp_ctx *ctx,
			 const struct hpcp_hostload_result *r);
/* The same, then parent.noisy and, when noisy, parent.noisy_reason:
 * "other work took N % of <share>: <effect>" (share: "the CPUs during
 * this step"; effect: what the values then include).  Returns noisy. */
int hpcp_hostload_report_noisy(struct hpcp_res *parent,
			       const struct hpcp_ctx *ctx,
			       const struct hpcp_hostload_result *r,
			       const char *share, const char *effect);

/* For tests.  "cpu " line of /proc/stat: user + nice + system ticks and
 * steal ticks.  0 or -EINVAL. */
int hpcp_hostload_parse_stat(const char *text, uint64_t *busy_ticks,
			     uint64_t *steal_ticks);
/* Foreign share of ncpus x wall_ns: kernel busy plus steal, less the
 * job's CPU time; clamped to [0, 1].  *resolution (may be NULL) is the
 * error two tick samples per CPU counter can make. */
double hpcp_hostload_foreign(uint64_t busy_ticks, uint64_t steal_ticks,
			     long ticks_per_s, double job_cpu_ns,
			     double wall_ns, int ncpus, double *resolution);

#endif
