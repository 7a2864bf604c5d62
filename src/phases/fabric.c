/*
 * fabric: ping-pong straight over libfabric (EFA in production), beside
 * the MPI probe, on the same pairs and with the same statistics.
 *
 * Method: every rank opens an RDM endpoint of one provider (chosen on rank
 * 0: --fabric-provider, or efa when present, else the first RDM provider
 * with tagged messages); addresses are exchanged with MPI_Allgather.  The
 * intra-node pair runs alone, then the first round of inter-node leader
 * pairs together.  Each size: warm-up, then each iteration timed (tagged
 * send, pre-posted tagged receive, completions polled) and half the round
 * trip histogrammed.  The clock is read once per iteration, so the samples
 * add up to the whole loop, whose mean is fi_pingpong's usec/xfer.
 * Bandwidth: windows of 64 tagged sends and an acknowledgement.
 *
 * EFA counters: every rank of a pair reads its host's EFA hw_counters
 * (efa.h) before and after the pair's sweep; the deltas are recorded per
 * probe, and over efa the sender's tx_bytes must have grown by at least
 * the payload it sent: the proof that the traffic went over EFA.
 */
#include "config.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hpcp/ctx.h"
#include "hpcp/efa.h"
#include "hpcp/env.h"
#include "hpcp/fabric.h"
#include "hpcp/pairs.h"
#include "hpcp/phase.h"
#include "hpcp/probe.h"
#include "hpcp/report.h"
#include "hpcp/watch.h"

#define MIN_BYTES 8
#define MAX_BYTES (1u << 20)
#define TAG_ROWS 0x4652
#define TAG_EFA 0x4653

extern char **environ;

/* This phase's options (phase.h), parsed with the global ones. */
struct fabric_opts {
	const char *provider;   /* libfabric provider, or "auto" */
};

static const struct fabric_opts fabric_defaults = { .provider = "auto" };

static const struct hpcp_opt fabric_options[] = {
	{ .long_name = "fabric-provider", .kind = HPCP_OPT_STRING,
	  .metavar = "NAME",
	  .help = "libfabric provider, e.g. efa, 'tcp;ofi_rxm', shm; auto: "
		  "efa when present, else the first RDM provider",
	  .default_text = "auto",
	  .value_offset = offsetof(struct fabric_opts, provider),
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

struct fab_state {
	struct hpcp_ctx *ctx;
	struct hpcp_fabric *fab;
	struct hpcp_fabric_info info;
	uint64_t sizes[HPCP_MAX_SIZES];
	int n_sizes, dropped;
	struct hpcp_hist hist;
	struct hpcp_p2p_row *rows;
	/* Per probe on a pair's ranks: counters before, after, and the
	 * deltas (or, on rank 0, a peer's deltas). */
	struct hpcp_efa_set before, after, delta, peer_delta;
	int efa_devices;
	uint64_t payload_sent;
	struct hpcp_res *warnings;   /* rank 0: the phase's warnings */
	int warned;
};

static int sweep(struct fab_state *st, int peer, int starts)
{
	const struct hpcp_config *cfg = &st->ctx->cfg;
	int rc = 0;

	st->payload_sent = 0;
	for (int s = 0; s < st->n_sizes && rc == 0; s++) {
		struct hpcp_p2p_row *row = &st->rows[s];
		struct hpcp_config bw_cfg = *cfg;
		uint64_t loop_ns = 0;

		memset(row, 0, sizeof(*row));
		row->bytes = st->sizes[s];
		row->validated = -1;
		row->bw_bytes_per_s = -1;
		hpcp_probe_counts(cfg, &HPCP_COUNTS_LATENCY, row->bytes,
				  &row->iterations, &row->warmup);
		rc = hpcp_fabric_pingpong(st->fab, peer, starts, row->bytes,
					  row->warmup, row->iterations,
					  &st->hist, &loop_ns);
		if (rc)
			break;
		if (starts) {
			hpcp_hist_summary(&st->hist, &row->lat);
			row->loop_mean_ns = (uint64_t)llround(
				(double)loop_ns / (2.0 * (double)row->iterations));
		}
		st->payload_sent += row->bytes * (row->warmup + row->iterations);
		/* --iterations counts round trips, not bandwidth windows. */
		bw_cfg.iterations_given = 0;
		bw_cfg.warmup_given = 0;
		hpcp_probe_counts(&bw_cfg, &HPCP_COUNTS_BANDWIDTH, row->bytes,
				  &row->bw_windows, &row->bw_skip);
		rc = hpcp_fabric_bandwidth(st->fab, peer, starts, row->bytes,
					   row->bw_skip, row->bw_windows,
					   &row->bw_bytes_per_s);
		if (starts)
			st->payload_sent += row->bytes * 64 *
					    (row->bw_skip + row->bw_windows);
	}
	return rc;
}

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

/* Sweep one set of pairs (run together); rank 0 records them. */
static int run_pairs(struct fab_state *st, const struct hpcp_pair *pairs,
		     int n_pairs, int inter, struct hpcp_res *out_pairs,
		     struct hpcp_res *counters, struct hpcp_res *checks,
		     char *why, size_t len)
{
	struct hpcp_ctx *ctx = st->ctx;
	int rc = 0;
	size_t row_bytes = (size_t)st->n_sizes * sizeof(*st->rows);

	for (int i = 0; i < n_pairs; i++) {
		const struct hpcp_pair *p = &pairs[i];
		int mine = ctx->rank == p->a || ctx->rank == p->b;

		if (p->inter != inter)
			continue;
		if (!mine) {
			hpcp_watch_waiting_on(HPCP_WATCH_IDLE);
			continue;
		}
		if (st->efa_devices)
			hpcp_efa_snapshot(hpcp_efa_root(), &st->before);
		rc = sweep(st, ctx->rank == p->a ? p->b : p->a,
			   ctx->rank == p->a);
		if (st->efa_devices) {
			hpcp_efa_snapshot(hpcp_efa_root(), &st->after);
			hpcp_efa_delta(&st->before, &st->after, &st->delta);
			/* Keep the snapshot's skipped counters visible. */
			for (int w = 0; w < st->after.n_warnings &&
					st->delta.n_warnings <
						HPCP_EFA_MAX_WARNINGS;
			     w++)
				memcpy(st->delta.warnings[st->delta.n_warnings++],
				       st->after.warnings[w],
				       sizeof(st->after.warnings[w]));
		}
		if (rc)
			snprintf(why, len, "rank %d (%s): %s with rank %d",
				 ctx->rank, ctx->host, hpcp_fabric_strerror(rc),
				 ctx->rank == p->a ? p->b : p->a);
	}
	rc = hpcp_ctx_agree(ctx, rc);
	if (rc)
		return rc;
	/* Results and counters travel to rank 0 in a fixed order. */
	for (int i = 0; i < n_pairs; i++) {
		const struct hpcp_pair *p = &pairs[i];
		uint64_t payload = st->payload_sent;

		if (p->inter != inter)
			continue;
		if (ctx->rank == p->a && p->a != 0) {
			hpcp_mpi_or_die(MPI_Send(st->rows, (int)row_bytes,
						 MPI_BYTE, 0, TAG_ROWS,
						 ctx->comm),
					"MPI_Send of fabric results");
			hpcp_mpi_or_die(MPI_Send(&payload, 1, MPI_UINT64_T, 0,
						 TAG_ROWS, ctx->comm),
					"MPI_Send of the payload count");
		}
		if (ctx->rank == 0 && p->a != 0) {
			hpcp_watch_waiting_on(p->a);
			hpcp_mpi_or_die(MPI_Recv(st->rows, (int)row_bytes,
						 MPI_BYTE, p->a, TAG_ROWS,
						 ctx->comm, MPI_STATUS_IGNORE),
					"MPI_Recv of fabric results");
			hpcp_mpi_or_die(MPI_Recv(&payload, 1, MPI_UINT64_T,
						 p->a, TAG_ROWS, ctx->comm,
						 MPI_STATUS_IGNORE),
					"MPI_Recv of the payload count");
		}
		if (ctx->rank == 0) {
			struct hpcp_res *pair = hpcp_res_object(out_pairs, NULL);

			hpcp_res_pair_head(pair, ctx, p);
			hpcp_res_p2p_sizes(pair, st->rows, st->n_sizes, 0);
		}
		if (!st->efa_devices)
			continue;
		for (int side = 0; side < 2; side++) {
			int r = side ? p->b : p->a;

			if (ctx->rank == r && r != 0)
				hpcp_mpi_or_die(MPI_Send(&st->delta,
							 sizeof(st->delta),
							 MPI_BYTE, 0, TAG_EFA,
							 ctx->comm),
						"MPI_Send of EFA counters");
			if (ctx->rank != 0)
				continue;
			if (r != 0)
				hpcp_mpi_or_die(
					MPI_Recv(&st->peer_delta,
						 sizeof(st->peer_delta), MPI_BYTE,
						 r, TAG_EFA, ctx->comm,
						 MPI_STATUS_IGNORE),
					"MPI_Recv of EFA counters");
			else
				st->peer_delta = st->delta;
			report_counters(counters, ctx, p, r, &st->peer_delta,
					st->warnings, &st->warned);
			/* Only between hosts: on one host efa hands the
			 * bytes to shm, and the adapter never sees them. */
			if (side == 0 && p->inter &&
			    strcmp(st->info.provider, "efa") == 0)
				efa_check(checks, p, &st->peer_delta, payload);
		}
	}
	return 0;
}

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
	struct hpcp_pair *pairs = NULL;
	struct hpcp_res *arr = NULL, *counters = NULL, *checks = NULL;
	uint64_t max_bytes = MIN_BYTES;
	int rc, n_pairs = 0, probes = 0;

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
	rc = choose(st, provider, sizeof(provider), note, sizeof(note), why,
		    len);
	if (rc)
		goto out;

	/* Default sweep 8 B to 1 MiB; --sizes may ask for anything. */
	if (ctx->cfg.sizes_given)
		st->n_sizes = hpcp_probe_sizes(&ctx->cfg, 0, HPCP_MAX_MSG_BYTES,
					       st->sizes, HPCP_MAX_SIZES,
					       &st->dropped);
	else
		st->n_sizes = hpcp_probe_sizes(&ctx->cfg, MIN_BYTES, MAX_BYTES,
					       st->sizes, HPCP_MAX_SIZES,
					       &st->dropped);
	for (int s = 0; s < st->n_sizes; s++)
		if (st->sizes[s] > max_bytes)
			max_bytes = st->sizes[s];
	/* Every rank opens an endpoint (addresses are exchanged by rank),
	 * but only the ranks of a pair get buffers of the largest size. */
	pairs = calloc((size_t)hpcp_pairs_cap(ctx->n_nodes), sizeof(*pairs));
	rc = hpcp_ctx_agree(ctx, pairs ? 0 : -ENOMEM);
	if (rc) {
		snprintf(why, len, "out of memory");
		goto out;
	}
	n_pairs = hpcp_pairs_plan(ctx, pairs);
	for (int p = 0; p < n_pairs; p++)
		probes |= ctx->rank == pairs[p].a || ctx->rank == pairs[p].b;
	rc = hpcp_fabric_open(provider, probes ? max_bytes : 0, &st->fab,
			      &st->info, why, len);
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
	{
		int kept = 0;

		for (int s = 0; s < st->n_sizes; s++) {
			if (st->sizes[s] > st->info.max_msg_size)
				st->dropped++;
			else
				st->sizes[kept++] = st->sizes[s];
		}
		st->n_sizes = kept;
	}
	rc = hpcp_ctx_agree(ctx, connect_all(st, why, len));
	if (rc)
		goto out;

	st->rows = calloc((size_t)st->n_sizes + 1, sizeof(*st->rows));
	rc = hpcp_ctx_agree(ctx, st->rows ? 0 : -ENOMEM);
	if (rc) {
		snprintf(why, len, "out of memory");
		goto out;
	}
	st->efa_devices = hpcp_efa_snapshot(hpcp_efa_root(), &st->before);
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
		if (st->dropped)
			hpcp_res_int(out, "sizes_dropped_count", st->dropped);
		arr = hpcp_res_array(out, "pairs");
		checks = hpcp_res_array(out, "checks");
		st->warnings = hpcp_res_array(out, "warnings");
		if (st->efa_devices) {
			hpcp_res_str(out, "efa_counters_source",
				     hpcp_efa_root());
			counters = hpcp_res_array(out, "efa_counters");
		} else {
			char reason[256];

			hpcp_res_null(out, "efa_counters");
			snprintf(reason, sizeof(reason),
				 "no EFA device (PCI vendor 0x1d0f) under %s "
				 "on every host",
				 hpcp_efa_root());
			hpcp_res_str(out, "efa_counters_reason", reason);
		}
	}
	for (int inter = 0; inter <= 1 && rc == 0; inter++)
		rc = run_pairs(st, pairs, n_pairs, inter, arr, counters, checks,
			       why, len);
out:
	hpcp_fabric_close(st->fab);
	free(st->rows);
	free(st);
	free(pairs);
	return rc;
}

const struct hpcp_phase hpcp_phase_fabric = {
	.name = "fabric",
	.summary = "libfabric RDM ping-pong (EFA in production): latency "
		   "distributions, bandwidth, provider, EFA counter deltas",
	.run = fabric_run,
	HPCP_PHASE_OPTIONS(fabric_options, fabric_defaults),
};
