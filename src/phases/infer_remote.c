/*
 * --infer-remote: the infer phase's server sweep with the network in the
 * path.  Client ranks send requests over MPI (ctx->comm, errors
 * returned) to the server ranks they are paired with; src/serve.c runs
 * both ends (hpcp_serve_ask, hpcp_serve_answer), this file carries the
 * messages.  A request is its index (8 bytes); a reply the fixed record
 * struct hpcp_serve_reply (32 bytes).  Every buffer and MPI request is
 * made before a point starts: nothing is allocated while it runs.
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "hpcp/ctx.h"
#include "hpcp/serve.h"
#include "hpcp/watch.h"

#include "infer_int.h"

#define TAG_REQ 0x1f41
#define TAG_REP 0x1f42
#define REP_WORDS 4   /* struct hpcp_serve_reply as uint64_t words */
/* Sends in flight at most: a slot is reused after its send completed (a
 * small message's is long over by then), so an MPI request and buffer
 * are held for the last SLOTS sends only, not for a point's millions. */
#define SLOTS 1024

void infer_remote_plan(const struct hpcp_ctx *ctx, struct infer_remote *rm)
{
	int half = ctx->n_nodes / 2, ns = 0, nc = 0, mine = -1;

	rm->role = ROLE_IDLE;
	rm->peer = -1;
	rm->same_node = ctx->n_nodes < 2;
	if (rm->same_node) {
		rm->pairs = ctx->size / 2;
		if (ctx->rank < 2 * rm->pairs) {
			rm->role = ctx->rank % 2 ? ROLE_CLIENT : ROLE_SERVER;
			rm->peer = ctx->rank ^ 1;
		}
	} else {
		for (int r = 0; r < ctx->size; r++) {
			int srv = ctx->ranks[r].node < half;

			if (r == ctx->rank)
				mine = srv ? ns : nc;
			*(srv ? &ns : &nc) += 1;
		}
		rm->pairs = ns < nc ? ns : nc;
		if (mine < rm->pairs) {
			int srv = ctx->ranks[ctx->rank].node < half;
			int k = 0;

			rm->role = srv ? ROLE_SERVER : ROLE_CLIENT;
			/* The peer: the other side's mine-th rank. */
			for (int r = 0; r < ctx->size; r++)
				if ((ctx->ranks[r].node < half) != srv &&
				    k++ == mine)
					rm->peer = r;
		}
	}
	rm->idle = ctx->size - 2 * rm->pairs;
}

struct io {
	MPI_Comm comm;
	int peer;
	uint64_t n, count, posted;
	uint64_t idx[SLOTS];             /* client: the requests in flight */
	uint64_t rep[SLOTS][REP_WORDS];  /* server: replies; client: [0] */
	uint64_t rbuf;                   /* server: the request arriving */
	MPI_Request sreq[SLOTS];
	MPI_Request rreq;
};

static int mpi_rc(int err)
{
	return err == MPI_SUCCESS ? 0 : -EIO;
}

/* Send i's slot, free: its previous send complete. */
static int slot_of(struct io *io, uint64_t i, int *slot)
{
	*slot = (int)(i % SLOTS);
	return mpi_rc(MPI_Wait(&io->sreq[*slot], MPI_STATUS_IGNORE));
}

/* Server: the arrivals so far, every one waiting taken now. */
static int io_received(void *arg, uint64_t *count)
{
	struct io *io = arg;
	int flag = 1, rc = 0;

	while (!rc && io->posted && flag) {
		rc = mpi_rc(MPI_Test(&io->rreq, &flag, MPI_STATUS_IGNORE));
		if (rc || !flag)
			break;
		io->posted = 0;
		if (io->rbuf != io->count)
			return -EPROTO;
		io->count++;
		if (io->count < io->n) {
			rc = mpi_rc(MPI_Irecv(&io->rbuf, 1, MPI_UINT64_T,
					      io->peer, TAG_REQ, io->comm,
					      &io->rreq));
			io->posted = !rc;
		}
	}
	*count = io->count;
	return rc;
}

static int io_reply(void *arg, const struct hpcp_serve_reply *r)
{
	struct io *io = arg;
	int k, rc = slot_of(io, r->index, &k);
	uint64_t *w = io->rep[k];

	if (rc)
		return rc;
	w[0] = r->index;
	w[1] = r->queue_ns;
	w[2] = r->service_ns;
	w[3] = r->held_ns;
	return mpi_rc(MPI_Isend(w, REP_WORDS, MPI_UINT64_T, io->peer, TAG_REP,
				io->comm, &io->sreq[k]));
}

static int io_send(void *arg, uint64_t i)
{
	struct io *io = arg;
	int k, rc = slot_of(io, i, &k);

	if (rc)
		return rc;
	io->idx[k] = i;
	return mpi_rc(MPI_Isend(&io->idx[k], 1, MPI_UINT64_T, io->peer,
				TAG_REQ, io->comm, &io->sreq[k]));
}

/* Client: a reply, when one has come. */
static int io_poll(void *arg, struct hpcp_serve_reply *r)
{
	struct io *io = arg;
	uint64_t *w = io->rep[0];
	int flag = 0, rc;

	if (!io->posted)
		return 0;
	rc = mpi_rc(MPI_Test(&io->rreq, &flag, MPI_STATUS_IGNORE));
	if (rc || !flag)
		return rc;
	io->posted = 0;
	*r = (struct hpcp_serve_reply){ .index = w[0], .queue_ns = w[1],
					.service_ns = w[2], .held_ns = w[3] };
	if (++io->count < io->n) {
		rc = mpi_rc(MPI_Irecv(w, REP_WORDS, MPI_UINT64_T, io->peer,
				      TAG_REP, io->comm, &io->rreq));
		if (rc)
			return rc;
		io->posted = 1;
	}
	return 1;
}

int infer_remote_run(struct infer_state *st, const struct hpcp_serve_cfg *cfg,
		     struct hpcp_serve_point *pt)
{
	const struct infer_remote *rm = &st->rm;
	struct io *io = calloc(1, sizeof(*io));
	struct hpcp_serve_io ops = { .received = io_received,
				     .reply = io_reply, .send = io_send,
				     .poll = io_poll, .arg = io };
	struct hpcp_serve_cfg c = *cfg;
	int rc = io ? 0 : -ENOMEM, srv = rm->role == ROLE_SERVER;

	memset(pt, 0, sizeof(*pt));
	if (io) {
		io->comm = st->ctx->comm;
		io->peer = rm->peer;
		io->n = cfg->requests;
		io->rreq = MPI_REQUEST_NULL;
		for (int i = 0; i < SLOTS; i++)
			io->sreq[i] = MPI_REQUEST_NULL;
	}
	/* Both ends ready, or neither starts. */
	rc = hpcp_ctx_agree(st->ctx, rc);
	if (!rc && (rm->role == ROLE_CLIENT || srv)) {
		hpcp_watch_waiting_on(rm->peer);
		rc = srv ? mpi_rc(MPI_Irecv(&io->rbuf, 1, MPI_UINT64_T,
					    io->peer, TAG_REQ, io->comm,
					    &io->rreq)) :
			   mpi_rc(MPI_Irecv(io->rep[0], REP_WORDS,
					    MPI_UINT64_T, io->peer, TAG_REP,
					    io->comm, &io->rreq));
		io->posted = !rc;
		if (!rc) {
			c.reply_hold_ns = (uint64_t)rm->hold_ns;
			rc = srv ? hpcp_serve_answer(&c, &ops, pt) :
				   hpcp_serve_ask(&c, &ops, pt);
		}
		if (io->posted) {
			/* Stopped early: the receive will not come. */
			MPI_Cancel(&io->rreq);
			MPI_Wait(&io->rreq, MPI_STATUS_IGNORE);
		}
		if (MPI_Waitall(SLOTS, io->sreq, MPI_STATUSES_IGNORE) && !rc)
			rc = -EIO;
		hpcp_watch_waiting_on(HPCP_WATCH_ALL);
	}
	if (rm->role == ROLE_IDLE) {
		hpcp_hist_reset(&pt->latency);
		hpcp_hist_reset(&pt->latency_sent);
		hpcp_hist_reset(&pt->queue);
		hpcp_hist_reset(&pt->service);
	}
	free(io);
	return rc;
}
