#include "config.h"

#include "hpcp/p2p.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hpcp/ctx.h"
#include "hpcp/log.h"
#include "hpcp/report.h"
#include "hpcp/watch.h"

#define TAG_ROWS 0x5051

struct hpcp_p2p *hpcp_p2p_new(struct hpcp_ctx *ctx, uint64_t min_bytes,
			      uint64_t max_bytes)
{
	const struct hpcp_config *cfg = &ctx->cfg;
	struct hpcp_p2p *h = calloc(1, sizeof(*h));

	if (!h)
		return NULL;
	h->ctx = ctx;
	/* --sizes may ask for anything a message can hold. */
	h->n_sizes = hpcp_probe_sizes(cfg, cfg->sizes_given ? 0 : min_bytes,
				      cfg->sizes_given ? HPCP_MAX_MSG_BYTES :
							 max_bytes,
				      h->sizes, HPCP_MAX_SIZES, &h->dropped);
	h->rows = calloc((size_t)h->n_sizes + 1, sizeof(*h->rows));
	h->peer_rows = calloc((size_t)h->n_sizes + 1, sizeof(*h->peer_rows));
	h->pairs = calloc((size_t)hpcp_pairs_cap(ctx->n_nodes),
			  sizeof(*h->pairs));
	if (!h->rows || !h->peer_rows || !h->pairs) {
		hpcp_p2p_free(h);
		return NULL;
	}
	h->n_pairs = hpcp_pairs_plan(ctx, h->pairs);
	return h;
}

void hpcp_p2p_free(struct hpcp_p2p *h)
{
	if (!h)
		return;
	free(h->rows);
	free(h->peer_rows);
	free(h->pairs);
	free(h);
}

uint64_t hpcp_p2p_max_bytes(const struct hpcp_p2p *h)
{
	uint64_t max = 0;

	for (int s = 0; s < h->n_sizes; s++)
		if (h->sizes[s] > max)
			max = h->sizes[s];
	return max;
}

int hpcp_p2p_measures(const struct hpcp_p2p *h)
{
	for (int p = 0; p < h->n_pairs; p++)
		if (h->ctx->rank == h->pairs[p].a ||
		    h->ctx->rank == h->pairs[p].b)
			return 1;
	return 0;
}

void hpcp_p2p_keep_sizes(struct hpcp_p2p *h, uint64_t max_bytes)
{
	int kept = 0;

	for (int s = 0; s < h->n_sizes; s++) {
		if (h->sizes[s] > max_bytes)
			h->dropped++;
		else
			h->sizes[kept++] = h->sizes[s];
	}
	h->n_sizes = kept;
}

/* The whole size sweep of one pair, on both of its ranks.  Rows from the
 * failing size on hold nothing measured, and the code of the failure. */
static int sweep(struct hpcp_p2p *h, const struct hpcp_p2p_transport *t,
		 void *state, int peer, int starts)
{
	const struct hpcp_config *cfg = &h->ctx->cfg;
	int rc = 0, failed_at = -1;

	for (int s = 0; s < h->n_sizes && rc == 0; s++) {
		struct hpcp_p2p_row *row = &h->rows[s];
		uint64_t bytes = h->sizes[s], loop_ns = 0;

		memset(row, 0, sizeof(*row));
		row->bytes = bytes;
		row->validated = -1;
		row->bw_bytes_per_s = -1;
		hpcp_probe_counts(cfg, &HPCP_COUNTS_LATENCY, bytes,
				  &row->iterations, &row->warmup);
		rc = t->ping(state, peer, starts, bytes, row->warmup,
			     row->iterations, &h->hist, &loop_ns);
		if (rc == 0 && starts) {
			hpcp_hist_summary(&h->hist, &row->lat);
			row->loop_mean_ns = (uint64_t)llround(
				(double)loop_ns / (2.0 * (double)row->iterations));
		}
		/* As osu_bw, from 1 byte: an empty message has no bandwidth
		 * (null in the document), whatever the transport. */
		if (rc == 0 && bytes > 0) {
			struct hpcp_config bw_cfg = *cfg;

			/* --iterations counts round trips, not windows. */
			bw_cfg.iterations_given = 0;
			bw_cfg.warmup_given = 0;
			hpcp_probe_counts(&bw_cfg, &HPCP_COUNTS_BANDWIDTH,
					  bytes, &row->bw_windows,
					  &row->bw_skip);
			rc = t->bandwidth(state, peer, starts, bytes,
					  row->bw_skip, row->bw_windows,
					  &row->bw_bytes_per_s);
		}
		if (rc == 0 && cfg->validate && t->validate && bytes > 0)
			rc = t->validate(state, peer, starts, bytes,
					 &row->validated);
		if (rc)
			failed_at = s;
	}
	for (int s = failed_at; s >= 0 && s < h->n_sizes; s++) {
		memset(&h->rows[s], 0, sizeof(h->rows[s]));
		h->rows[s].bytes = h->sizes[s];
		h->rows[s].failed = rc;
	}
	if (rc) {
		char what[256];

		t->describe(state, rc, what, sizeof(what));
		hpcp_log(HPCP_LOG_ERR,
			 "%s ping-pong with rank %d (%s) failed at %llu bytes: "
			 "%s",
			 t->name, peer,
			 h->ctx->hosts[h->ctx->ranks[peer].node].name,
			 (unsigned long long)h->sizes[failed_at], what);
	}
	return rc;
}

/* Rank 0: the first corrupted payload and the first failure seen, for
 * the phase's reason. */
struct notes {
	char corrupt[256];
	char failure[1024];
};

static void note(const struct hpcp_p2p *h, const struct hpcp_p2p_transport *t,
		 void *state, const struct hpcp_pair *p,
		 const struct hpcp_p2p_row *rows, struct notes *n)
{
	const struct hpcp_ctx *ctx = h->ctx;

	for (int s = 0; s < h->n_sizes; s++) {
		if (!n->corrupt[0] && rows[s].validated == 0)
			snprintf(n->corrupt, sizeof(n->corrupt),
				 "payload corrupted at %llu bytes between "
				 "ranks %d and %d",
				 (unsigned long long)rows[s].bytes, p->a, p->b);
		if (!n->failure[0] && rows[s].failed) {
			char what[256];

			t->describe(state, rows[s].failed, what, sizeof(what));
			snprintf(n->failure, sizeof(n->failure),
				 "%s ping-pong between ranks %d (%s) and %d "
				 "(%s) failed at %llu bytes: %s",
				 t->name, p->a,
				 ctx->hosts[ctx->ranks[p->a].node].name, p->b,
				 ctx->hosts[ctx->ranks[p->b].node].name,
				 (unsigned long long)rows[s].bytes, what);
		}
	}
}

/* One round: the pairs of one kind measure at once, then report. */
static int round_of(struct hpcp_p2p *h, const struct hpcp_p2p_transport *t,
		    void *state, int inter, struct hpcp_res *out, char *why,
		    size_t len)
{
	struct hpcp_ctx *ctx = h->ctx;
	const int row_bytes = (int)((size_t)h->n_sizes * sizeof(*h->rows));
	struct notes notes = { "", "" };
	int rc = 0, peer = -1, waiting;

	for (int i = 0; i < h->n_pairs; i++) {
		const struct hpcp_pair *p = &h->pairs[i];

		if (p->inter != inter ||
		    (ctx->rank != p->a && ctx->rank != p->b))
			continue;
		peer = ctx->rank == p->a ? p->b : p->a;
		if (t->pair_begin)
			t->pair_begin(state, p);
		rc = sweep(h, t, state, peer, ctx->rank == p->a);
		if (t->pair_end)
			t->pair_end(state, p, rc);
	}
	/* From here a rank waits while other pairs measure; after a failure
	 * (a silent peer, most likely), on that peer above all. */
	waiting = rc && peer >= 0 ? peer : HPCP_WATCH_IDLE;
	hpcp_watch_waiting_on(waiting);
	/* The rows travel to rank 0 in pair order, after every pair of the
	 * round has measured: nothing of this crosses a timed loop. */
	for (int i = 0; i < h->n_pairs; i++) {
		const struct hpcp_pair *p = &h->pairs[i];
		const struct hpcp_p2p_row *rows = h->rows;

		if (p->inter != inter)
			continue;
		if (ctx->rank == p->a && p->a != 0)
			hpcp_mpi_or_die(MPI_Send(h->rows, row_bytes, MPI_BYTE,
						 0, TAG_ROWS, ctx->comm),
					"MPI_Send of point-to-point results");
		if (ctx->rank == 0 && p->a != 0) {
			/* Rank 0 (never in this pair) waits for another
			 * pair's results: a long sweep is not a silent peer. */
			hpcp_mpi_or_die(MPI_Recv(h->peer_rows, row_bytes,
						 MPI_BYTE, p->a, TAG_ROWS,
						 ctx->comm, MPI_STATUS_IGNORE),
					"MPI_Recv of point-to-point results");
			rows = h->peer_rows;
		}
		if (ctx->rank == 0) {
			struct hpcp_res *pair = hpcp_res_object(out, NULL);

			hpcp_res_pair_head(pair, ctx, p);
			hpcp_res_p2p_sizes(pair, rows, h->n_sizes,
					   ctx->cfg.validate && t->validate);
			note(h, t, state, p, rows, &notes);
		}
		if (t->pair_report)
			t->pair_report(state, p, rows, h->n_sizes);
	}
	hpcp_watch_waiting_on(waiting);
	/* Corrupted payloads fail the phase: the numbers of a path that
	 * loses data mean nothing. */
	if (rc == 0 && notes.corrupt[0])
		rc = -EBADMSG;
	rc = hpcp_ctx_agree(ctx, rc);
	if (rc == -EBADMSG)
		snprintf(why, len, "%s", notes.corrupt[0] ? notes.corrupt :
							    "payload corrupted");
	else if (rc && notes.failure[0])
		snprintf(why, len, "%s", notes.failure);
	else if (rc)
		snprintf(why, len, "%s error during %s-node ping-pong",
			 t->name, inter ? "inter" : "intra");
	return rc;
}

int hpcp_p2p_run(struct hpcp_p2p *h, const struct hpcp_p2p_transport *t,
		 void *state, struct hpcp_res *pairs, char *why, size_t len)
{
	int rc = 0;

	/* Intra-node pair alone, then the inter-node round at once. */
	for (int inter = 0; inter <= 1 && rc == 0; inter++)
		rc = round_of(h, t, state, inter, pairs, why, len);
	return rc;
}
