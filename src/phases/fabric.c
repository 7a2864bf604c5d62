/*
 * fabric: ping-pong straight over libfabric (EFA in production), beside
 * the MPI probe, on the same pairs and with the same statistics.
 *
 * Method: every rank opens an RDM endpoint of one provider (chosen on rank
 * 0: --fabric-provider, or efa when present, else the first RDM provider
 * with tagged messages); addresses are exchanged with MPI_Allgather.  The
 * pairs, sizes, counts and rows are the point-to-point harness's (p2p.h),
 * as in pingpong; the transport is src/fabric.c: each iteration a tagged
 * send against a pre-posted tagged receive, completions polled, half the
 * round trip histogrammed.  The clock is read once per iteration, so the
 * samples add up to the whole loop, whose mean is fi_pingpong's
 * usec/xfer.  Bandwidth: windows of 64 tagged sends and an
 * acknowledgement.  A wait without progress ends at 9/10 of the watchdog's
 * timeout, so the fabric's own diagnosis comes first (fabric.h).
 *
 * EFA counters: every rank of a pair reads its host's EFA hw_counters
 * (efa.h) before and after the pair's sweep; the deltas are recorded per
 * probe, and over efa the sender's tx_bytes must have grown by at least
 * the payload it sent: the proof that the traffic went over EFA.
 *
 * After the pairs, on the same endpoint, an all-reduce of float sums over
 * all ranks (fabric_ar.c, --fabric-allreduce ring|rd|auto) beside the
 * allreduce phase's MPI_Allreduce: the floor MPI's collective stands on.
 */
#include "config.h"

/* What the phase measures (hpcp/metrics.h): all of this file that the
 * report tool compiles (HPCP_METRICS_ONLY: no MPI). */
#include "hpcp/p2p_metrics.h"

/* The harness's labels, and the provider as an EMF dimension. */
static const struct hpcp_metric_label pair_latency_labels[] = {
	HPCP_P2P_LABEL_KIND,
	HPCP_P2P_LABEL_BYTES,
	{ .name = "provider", .level = -1, .path = "provider/name",
	  .emf = "Provider" },
	HPCP_P2P_LABEL_HOST,
	HPCP_P2P_LABEL_PEER_HOST,
	{ 0 },
};

static const struct hpcp_metric_label pair_bandwidth_labels[] = {
	HPCP_P2P_LABEL_KIND,
	HPCP_P2P_LABEL_BYTES,
	{ .name = "provider", .level = -1, .path = "provider/name",
	  .emf = "Provider" },
	HPCP_P2P_LABEL_HOST,
	{ 0 },
};

/* The all-reduce's rows: one algorithm each (auto picks per size). */
static const struct hpcp_metric_label allreduce_labels[] = {
	{ .name = "algorithm", .level = 0, .path = "algorithm",
	  .emf = "Algorithm", .prom = "algorithm" },
	{ .name = "bytes", .level = 0, .path = "bytes", .emf = "MsgSize",
	  .prom = "size_bytes" },
	{ .name = "provider", .level = -1, .path = "provider/name",
	  .emf = "Provider" },
	{ 0 },
};

static const struct hpcp_metric fabric_metrics[] = {
	HPCP_P2P_LATENCY_METRIC("fabric", pair_latency_labels),
	HPCP_P2P_BANDWIDTH_METRIC("fabric", pair_bandwidth_labels),
	/* The all-reduce's rows, a size table of their own. */
	{
		.each = "allreduce/sizes/[]", .path = "latency_ns",
		.unit = "ns", .kind = HPCP_METRIC_LATENCY,
		.better = HPCP_BETTER_LOWER, .labels = allreduce_labels,
		.noisy = "noisy", .noisy_reason = "noisy_reason",
		.column = "all-reduce latency", .html_column = "\u00b5s",
		.html_scale = 1e-3,
		.html_stats = HPCP_STAT_P50 | HPCP_STAT_P99,
		.gate = "fabric.allreduce.{algorithm}.{bytes}B.{stat}_ns",
		.gate_stats = HPCP_STAT_P50,
		.emf = "AllreduceLatency", .emf_unit = "Microseconds",
		.emf_scale = 1e-3,
		.prom = "hpcprobe_fabric_allreduce_latency_seconds",
		.prom_help = "libfabric all-reduce completion time (longest "
			     "call over ranks), per algorithm.",
		.prom_scale = 1e-9, .prom_count = "samples_count",
	},
	/* Shown in the HTML table only. */
	{
		.each = "allreduce/sizes/[]", .path = "algbw_bytes_per_s",
		.unit = "bytes/s", .kind = HPCP_METRIC_RATE,
		.better = HPCP_BETTER_HIGHER, .labels = allreduce_labels,
		.html_column = "algbw GB/s", .html_scale = 1e-9,
	},
	{
		.each = "allreduce/sizes/[]", .path = "busbw_bytes_per_s",
		.unit = "bytes/s", .kind = HPCP_METRIC_RATE,
		.better = HPCP_BETTER_HIGHER, .labels = allreduce_labels,
		.noisy = "noisy",
		.column = "all-reduce busbw", .html_column = "busbw GB/s",
		.html_scale = 1e-9,
		.gate = "fabric.allreduce.{algorithm}.{bytes}B.{key}",
		.emf = "AllreduceBusBandwidth", .emf_unit = "Bytes/Second",
		.emf_scale = 1,
		.prom = "hpcprobe_fabric_allreduce_busbw_bytes_per_second",
		.prom_help = "libfabric all-reduce bus bandwidth, algbw x "
			     "2(n-1)/n, per algorithm.",
		.prom_scale = 1,
	},
	/* Above 1: MPI's collective stack adds time over the fabric. */
	{
		.each = "allreduce/sizes/[]", .path = "mpi_over_fabric_ratio",
		.unit = "ratio", .kind = HPCP_METRIC_RATIO,
		.better = HPCP_BETTER_LOWER, .labels = allreduce_labels,
		.html_column = "MPI/libfabric", .html_scale = 1,
		.emf = "AllreduceMpiOverFabric", .emf_unit = "None",
		.emf_scale = 1,
		.prom = "hpcprobe_fabric_allreduce_mpi_over_fabric_ratio",
		.prom_help = "MPI_Allreduce completion p50 over the libfabric "
			     "all-reduce's, per size.",
		.prom_scale = 1,
	},
};

HPCP_PHASE_METRICS(fabric, fabric_metrics);

#ifndef HPCP_METRICS_ONLY

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hpcp/ctx.h"
#include "hpcp/efa.h"
#include "hpcp/env.h"
#include "hpcp/fabric.h"
#include "hpcp/p2p.h"
#include "hpcp/phase.h"
#include "hpcp/probe.h"
#include "hpcp/report.h"
#include "hpcp/watch.h"
#include "fabric_int.h"

#define MIN_BYTES 8
#define MAX_BYTES (1u << 20)
#define TAG_EFA 0x4653

extern char **environ;

/* This phase's options (phase.h), parsed with the global ones. */
struct fabric_opts {
	const char *provider;   /* libfabric provider, or "auto" */
	const char *allreduce;  /* ring, rd or auto */
};

static const struct fabric_opts fabric_defaults = { .provider = "auto",
						    .allreduce = "auto" };

static const struct hpcp_opt fabric_options[] = {
	{ .long_name = "fabric-provider", .kind = HPCP_OPT_STRING,
	  .metavar = "NAME",
	  .help = "libfabric provider, e.g. efa, 'tcp;ofi_rxm', shm; auto: "
		  "efa when present, else the first RDM provider",
	  .default_text = "auto",
	  .value_offset = offsetof(struct fabric_opts, provider),
	  .given_offset = HPCP_OPT_NOT_TRACKED },
	{ .long_name = "fabric-allreduce", .kind = HPCP_OPT_STRING,
	  .metavar = "ring|rd|auto",
	  .check = hpcp_fabric_ar_check_option,
	  .help = "the libfabric all-reduce's algorithm: ring (reduce-scatter "
		  "+ all-gather), rd (recursive doubling) or auto (per size, "
		  "the faster in the warm-up)",
	  .default_text = "auto",
	  .value_offset = offsetof(struct fabric_opts, allreduce),
	  .given_offset = HPCP_OPT_NOT_TRACKED },
	{ .long_name = NULL },
};

extern const struct hpcp_phase hpcp_phase_fabric;

static const char *requested_provider(const struct hpcp_ctx *ctx)
{
	const struct fabric_opts *o =
		hpcp_phase_opts(&ctx->cfg, &hpcp_phase_fabric);

	return o ? o->provider : fabric_defaults.provider;
}

/* Where EFA counters are read: --efa-root's tree, else sysfs. */
static const char *efa_root(const struct hpcp_ctx *ctx)
{
	return hpcp_efa_root(ctx->cfg.efa_root);
}

static const char *requested_allreduce(const struct hpcp_ctx *ctx)
{
	const struct fabric_opts *o =
		hpcp_phase_opts(&ctx->cfg, &hpcp_phase_fabric);

	return o ? o->allreduce : fabric_defaults.allreduce;
}

struct fab_state {
	struct hpcp_ctx *ctx;
	struct hpcp_fabric *fab;
	struct hpcp_fabric_info info;
	struct hpcp_p2p *p2p;
	unsigned timeout_s;          /* the watchdog's */
	uint64_t wait_limit_ns;      /* the fabric's, from it */
	/* Per probe on a pair's ranks: counters before, after, and the
	 * deltas (or, on rank 0, a peer's deltas). */
	struct hpcp_efa_set before, after, delta, peer_delta;
	int efa_devices;
	/* Rank 0: where the counters, checks and warnings go. */
	struct hpcp_res *counters, *checks, *warnings;
	int warned;
	int stop_rank;               /* the test hook's rank, -1: none */
};

static void report_counters(struct hpcp_res *list, const struct hpcp_ctx *ctx,
			    const struct hpcp_pair *p, int rank,
			    const struct hpcp_efa_set *d,
			    struct hpcp_res *warnings, int *warned)
{
	struct hpcp_res *entry = hpcp_res_object(list, NULL);
	struct hpcp_res *devs, *arr;

	arr = hpcp_res_array(entry, "pair_ranks");
	hpcp_res_int(arr, NULL, p->a);
	hpcp_res_int(arr, NULL, p->b);
	hpcp_res_int(entry, "rank", rank);
	hpcp_res_str(entry, "host", ctx->hosts[ctx->ranks[rank].node].name);
	devs = hpcp_res_array(entry, "devices");
	for (int i = 0; i < d->n_devices; i++) {
		const struct hpcp_efa_device *dev = &d->devices[i];
		struct hpcp_res *o = hpcp_res_object(devs, NULL);
		struct hpcp_res *deltas = hpcp_res_object(o, "deltas");

		hpcp_res_str(o, "name", dev->name);
		/* Keys "port1.tx_bytes", "device.cmds_err": as found. */
		for (int c = 0; c < dev->n_counters; c++) {
			char key[80];

			snprintf(key, sizeof(key), "%s.%s",
				 dev->counters[c].scope, dev->counters[c].name);
			hpcp_res_int(deltas, key,
				     (int64_t)dev->counters[c].value);
		}
	}
	if (d->n_warnings) {
		arr = hpcp_res_array(entry, "skipped");
		for (int w = 0; w < d->n_warnings && w < HPCP_EFA_MAX_WARNINGS;
		     w++) {
			char msg[HPCP_HOST_LEN + sizeof(d->warnings[w]) + 32];

			hpcp_res_str(arr, NULL, d->warnings[w]);
			/* Once per run in the warnings, not once per probe. */
			if (*warned)
				continue;
			snprintf(msg, sizeof(msg), "EFA counter skipped on %s: %s",
				 ctx->hosts[ctx->ranks[rank].node].name,
				 d->warnings[w]);
			hpcp_res_str(warnings, NULL, msg);
		}
		*warned = 1;
	}
}

/* Over efa, the sender's tx_bytes must cover what it sent. */
static void efa_check(struct hpcp_res *checks, const struct hpcp_pair *p,
		      const struct hpcp_efa_set *d, uint64_t payload)
{
	struct hpcp_res *c = hpcp_res_object(checks, NULL);
	uint64_t tx = hpcp_efa_sum(d, "tx_bytes");
	char name[96];

	snprintf(name, sizeof(name), "fabric.efa_tx_bytes.rank_%d", p->a);
	hpcp_res_str(c, "name", name);
	hpcp_res_int(c, "value", (int64_t)tx);
	hpcp_res_int(c, "reference", (int64_t)payload);
	hpcp_res_str(c, "rule", "EFA tx_bytes delta >= payload bytes sent");
	hpcp_res_bool(c, "pass", tx >= payload);
}

/* The transport: src/fabric.c's timed loops. */
static int ping(void *state, int peer, int starts, uint64_t bytes,
		uint64_t warmup, uint64_t iterations, struct hpcp_hist *hist,
		uint64_t *loop_ns)
{
	struct fab_state *st = state;

	if (st->stop_rank == st->ctx->rank) {
		st->stop_rank = -1;
		raise(SIGSTOP);
	}
	return hpcp_fabric_pingpong(st->fab, peer, starts, bytes, warmup,
				    iterations, hist, loop_ns);
}

static int bandwidth(void *state, int peer, int starts, uint64_t bytes,
		     uint64_t skip, uint64_t windows, double *bytes_per_s)
{
	struct fab_state *st = state;

	return hpcp_fabric_bandwidth(st->fab, peer, starts, bytes, skip,
				     windows, bytes_per_s);
}

static void describe(void *state, int rc, char *buf, size_t len)
{
	const struct fab_state *st = state;

	if (rc == -ETIMEDOUT)
		snprintf(buf, len,
			 "no progress for %.1f s (fabric waits end at 9/10 "
			 "of the watchdog's --timeout of %u s)",
			 (double)st->wait_limit_ns / 1e9, st->timeout_s);
	else
		snprintf(buf, len, "%s", hpcp_fabric_strerror(rc));
}

/* EFA counters just before and after a pair's sweep, on its ranks. */
static void efa_before(void *state, const struct hpcp_pair *p)
{
	struct fab_state *st = state;

	(void)p;
	if (st->efa_devices)
		hpcp_efa_snapshot(efa_root(st->ctx), &st->before);
}

static void efa_after(void *state, const struct hpcp_pair *p, int rc)
{
	struct fab_state *st = state;

	(void)p;
	(void)rc;
	if (!st->efa_devices)
		return;
	hpcp_efa_snapshot(efa_root(st->ctx), &st->after);
	hpcp_efa_delta(&st->before, &st->after, &st->delta);
	/* Keep the snapshot's skipped counters visible. */
	for (int w = 0; w < st->after.n_warnings &&
			st->delta.n_warnings < HPCP_EFA_MAX_WARNINGS;
	     w++)
		memcpy(st->delta.warnings[st->delta.n_warnings++],
		       st->after.warnings[w], sizeof(st->after.warnings[w]));
}

/* Both ranks' deltas to rank 0, in a fixed order; over efa, the check
 * that the sender's tx_bytes cover the payload of the rows. */
static void efa_report(void *state, const struct hpcp_pair *p,
		       const struct hpcp_p2p_row *rows, int n_rows)
{
	struct fab_state *st = state;
	struct hpcp_ctx *ctx = st->ctx;
	uint64_t payload = 0;

	if (!st->efa_devices)
		return;
	for (int s = 0; s < n_rows && ctx->rank == 0; s++)
		if (!rows[s].failed)
			payload += rows[s].bytes *
				   (rows[s].warmup + rows[s].iterations +
				    HPCP_P2P_WINDOW *
					    (rows[s].bw_skip + rows[s].bw_windows));
	for (int side = 0; side < 2; side++) {
		int r = side ? p->b : p->a;

		if (ctx->rank == r && r != 0)
			hpcp_mpi_or_die(MPI_Send(&st->delta, sizeof(st->delta),
						 MPI_BYTE, 0, TAG_EFA,
						 ctx->comm),
					"MPI_Send of EFA counters");
		if (ctx->rank != 0)
			continue;
		if (r != 0)
			hpcp_mpi_or_die(MPI_Recv(&st->peer_delta,
						 sizeof(st->peer_delta),
						 MPI_BYTE, r, TAG_EFA, ctx->comm,
						 MPI_STATUS_IGNORE),
					"MPI_Recv of EFA counters");
		else
			st->peer_delta = st->delta;
		report_counters(st->counters, ctx, p, r, &st->peer_delta,
				st->warnings, &st->warned);
		/* Only between hosts: on one host efa hands the bytes to
		 * shm, and the adapter never sees them. */
		if (side == 0 && p->inter &&
		    strcmp(st->info.provider, "efa") == 0)
			efa_check(st->checks, p, &st->peer_delta, payload);
	}
}

static const struct hpcp_p2p_transport fabric_transport = {
	.name = "libfabric",
	.ping = ping,
	.bandwidth = bandwidth,
	.describe = describe,
	.pair_begin = efa_before,
	.pair_end = efa_after,
	.pair_report = efa_report,
};

static void report_provider(struct hpcp_res *out, const struct fab_state *st,
			    const char *note)
{
	struct hpcp_res *prov = hpcp_res_object(out, "provider");
	struct hpcp_res *env;

	hpcp_res_str(prov, "name", st->info.provider);
	hpcp_res_str(prov, "fabric", st->info.fabric);
	hpcp_res_str(prov, "domain", st->info.domain);
	hpcp_res_str(prov, "version", st->info.version);
	hpcp_res_str(prov, "libfabric_version", st->info.library_version);
	hpcp_res_str(prov, "endpoint_type", st->info.ep_type);
	hpcp_res_str(prov, "caps", st->info.caps);
	/* Providers without a limit say SIZE_MAX. */
	if (st->info.max_msg_size >= (uint64_t)INT64_MAX)
		hpcp_res_null(prov, "max_msg_size_bytes");
	else
		hpcp_res_int(prov, "max_msg_size_bytes",
			     (int64_t)st->info.max_msg_size);
	hpcp_res_int(prov, "inject_size_bytes", (int64_t)st->info.inject_size);
	hpcp_res_bool(prov, "registers_buffers", st->info.mr_local);
	hpcp_res_str(prov, "requested", requested_provider(st->ctx));
	if (note && *note)
		hpcp_res_str(prov, "note", note);
	hpcp_res_bool(out, "efa_used", strcmp(st->info.provider, "efa") == 0);
	/* Everything libfabric reads from the environment changes numbers. */
	env = hpcp_res_object(prov, "environment");
	for (char **e = environ; e && *e; e++) {
		const char *eq = strchr(*e, '=');
		char key[128];

		if (strncmp(*e, "FI_", 3) != 0 || !eq ||
		    (size_t)(eq - *e) >= sizeof(key))
			continue;
		snprintf(key, sizeof(key), "%.*s", (int)(eq - *e), *e);
		if (hpcp_env_allowed(key))
			hpcp_res_str(env, key, eq + 1);
	}
}

/* Rank 0 picks the provider; every rank gets the same answer. */
static int choose(struct fab_state *st, char *provider, size_t plen,
		  char *note, size_t nlen, char *why, size_t len)
{
	struct hpcp_ctx *ctx = st->ctx;
	int rc = 0;

	if (ctx->rank == 0)
		rc = hpcp_fabric_choose(requested_provider(ctx),
					ctx->n_nodes == 1, provider, plen, note,
					nlen, why, len);
	MPI_Bcast(&rc, 1, MPI_INT, 0, ctx->comm);
	MPI_Bcast(provider, (int)plen, MPI_CHAR, 0, ctx->comm);
	MPI_Bcast(note, (int)nlen, MPI_CHAR, 0, ctx->comm);
	MPI_Bcast(why, (int)len, MPI_CHAR, 0, ctx->comm);
	return rc;
}

static int connect_all(struct fab_state *st, char *why, size_t len)
{
	struct hpcp_ctx *ctx = st->ctx;
	char mine[HPCP_FABRIC_ADDR_MAX] = { 0 };
	char *all = malloc((size_t)ctx->size * sizeof(mine));
	size_t alen = 0, longest = 0;
	int rc = all ? hpcp_fabric_address(st->fab, mine, &alen) : -ENOMEM;
	unsigned long long l = alen, lmax = 0;

	if (rc)
		snprintf(why, len, "fi_getname: %s", hpcp_fabric_strerror(rc));
	rc = hpcp_ctx_agree(st->ctx, rc);
	if (rc == 0) {
		hpcp_mpi_or_die(MPI_Allgather(mine, sizeof(mine), MPI_BYTE, all,
					      sizeof(mine), MPI_BYTE, ctx->comm),
				"MPI_Allgather of fabric addresses");
		hpcp_mpi_or_die(MPI_Allreduce(&l, &lmax, 1,
					      MPI_UNSIGNED_LONG_LONG, MPI_MAX,
					      ctx->comm),
				"MPI_Allreduce of address lengths");
		longest = (size_t)lmax;
		rc = hpcp_fabric_add_peers(st->fab, all, sizeof(mine), longest,
					   ctx->size, why, len);
	}
	free(all);
	return rc;
}

static int fabric_run(struct hpcp_ctx *ctx, struct hpcp_res *out,
		      char *why, size_t len)
{
	struct fab_state *st = calloc(1, sizeof(*st));
	char provider[64] = "", note[256] = "";
	struct hpcp_res *arr = NULL;
	uint64_t max_bytes = MIN_BYTES;
	int rc;

	if (ctx->size < 2) {
		free(st);
		snprintf(why, len, "needs at least 2 ranks");
		return -ENOTSUP;
	}
	rc = hpcp_ctx_agree(ctx, st ? 0 : -ENOMEM);
	if (rc) {
		free(st);
		snprintf(why, len, "out of memory");
		return rc;
	}
	st->ctx = ctx;
	st->stop_rank = getenv(HPCP_ENV_TEST_FABRIC_PP_STOP) ?
				atoi(getenv(HPCP_ENV_TEST_FABRIC_PP_STOP)) : -1;
	st->timeout_s = hpcp_watch_timeout_s();
	if (!st->timeout_s)
		st->timeout_s = HPCP_DEFAULT_TIMEOUT_S;
	st->wait_limit_ns = hpcp_fabric_wait_limit_ns(st->timeout_s);
	rc = choose(st, provider, sizeof(provider), note, sizeof(note), why,
		    len);
	if (rc)
		goto out;

	/* Default sweep 8 B to 1 MiB; --sizes may ask for anything. */
	st->p2p = hpcp_p2p_new(ctx, MIN_BYTES, MAX_BYTES);
	rc = hpcp_ctx_agree(ctx, st->p2p ? 0 : -ENOMEM);
	if (rc) {
		snprintf(why, len, "out of memory");
		goto out;
	}
	if (hpcp_p2p_max_bytes(st->p2p) > max_bytes)
		max_bytes = hpcp_p2p_max_bytes(st->p2p);
	/* Every rank opens an endpoint (addresses are exchanged by rank),
	 * but only the ranks of a pair get buffers of the largest size. */
	rc = hpcp_fabric_open(provider,
			      hpcp_p2p_measures(st->p2p) ? max_bytes : 0,
			      st->wait_limit_ns, &st->fab, &st->info, why, len);
	rc = hpcp_ctx_agree(ctx, rc);
	if (rc) {
		/* The reason of rank 0 or a generic one; run.c names the
		 * first rank that failed. */
		if (!why[0])
			snprintf(why, len, "opening a %s endpoint failed",
				 provider);
		goto out;
	}
	/* Sizes the provider cannot carry are dropped, and said so. */
	hpcp_p2p_keep_sizes(st->p2p, st->info.max_msg_size);
	rc = hpcp_ctx_agree(ctx, connect_all(st, why, len));
	if (rc)
		goto out;

	st->efa_devices = hpcp_efa_snapshot(efa_root(st->ctx), &st->before);
	/* Counters are compared only if every rank can read them. */
	MPI_Allreduce(MPI_IN_PLACE, &st->efa_devices, 1, MPI_INT, MPI_MIN,
		      ctx->comm);

	if (out) {
		report_provider(out, st, note);
		hpcp_res_str(out, "latency_definition",
			     "half the round trip of a tagged send and a "
			     "pre-posted tagged receive, completions polled; "
			     "CLOCK_MONOTONIC read once per iteration, so each "
			     "sample runs from the end of one round trip to the "
			     "end of the next (re-posting the receive included) "
			     "and the samples add up to the whole loop, as "
			     "fi_pingpong times it");
		if (st->p2p->dropped)
			hpcp_res_int(out, "sizes_dropped_count",
				     st->p2p->dropped);
		arr = hpcp_res_array(out, "pairs");
		st->checks = hpcp_res_array(out, "checks");
		st->warnings = hpcp_res_array(out, "warnings");
		if (st->stop_rank >= 0)
			hpcp_res_str(st->warnings, NULL, "test only: "
				     HPCP_ENV_TEST_FABRIC_PP_STOP " stops a rank "
				     "as it enters its first ping-pong");
		if (st->efa_devices) {
			hpcp_res_str(out, "efa_counters_source",
				     efa_root(st->ctx));
			st->counters = hpcp_res_array(out, "efa_counters");
		} else {
			char reason[256];

			hpcp_res_null(out, "efa_counters");
			snprintf(reason, sizeof(reason),
				 "no EFA device (PCI vendor 0x1d0f) under %s "
				 "on every host",
				 efa_root(st->ctx));
			hpcp_res_str(out, "efa_counters_reason", reason);
		}
	}
	rc = hpcp_p2p_run(st->p2p, &fabric_transport, st, arr, why, len);
	if (rc == 0) {
		/* On the same endpoint: the collective's floor. */
		struct hpcp_fabric_ar_job job = {
			.ctx = ctx, .fab = st->fab,
			.algorithm = requested_allreduce(ctx),
			.provider = st->info.provider,
			.max_msg_size = st->info.max_msg_size,
			.efa_devices = st->efa_devices,
			.out = out, .checks = st->checks,
			.warnings = st->warnings,
		};

		rc = hpcp_fabric_ar_run(&job, why, len);
	}
out:
	hpcp_fabric_close(st->fab);
	hpcp_p2p_free(st->p2p);
	free(st);
	return rc;
}

const struct hpcp_phase hpcp_phase_fabric = {
	.name = "fabric",
	.summary = "libfabric RDM ping-pong and all-reduce (EFA in "
		   "production): latency distributions, bandwidth, ring and "
		   "recursive doubling beside MPI_Allreduce, provider, EFA "
		   "counter deltas",
	.run = fabric_run,
	.metrics = &phase_metrics,
	HPCP_PHASE_OPTIONS(fabric_options, fabric_defaults),
};

#endif /* !HPCP_METRICS_ONLY */
