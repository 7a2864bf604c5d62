/*
 * --infer-remote: the infer phase's server sweep with the network in the
 * path.  Client ranks send requests over MPI (ctx->comm, errors
 * returned) to the server ranks they are paired with; src/serve.c runs
 * both ends (hpcp_serve_ask, hpcp_serve_answer), this file carries the
 * messages.  A request is its index (8 bytes) and the model's input (the
 * mlp's 784 floats, or --infer-payload bytes); a reply the record struct
 * hpcp_serve_reply (32 bytes) and the model's output row (10 floats).
 * The server computes on the input that arrived and sends back what the
 * model returned; the client checks it against its own in-process pass.
 * Every buffer and MPI request is made before a point starts: nothing is
 * allocated while it runs.
 */
#include "config.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "hpcp/ctx.h"
#include "hpcp/serve.h"
#include "hpcp/watch.h"

#include "infer_int.h"

#define TAG_REQ 0x1f41
#define TAG_REP 0x1f42
#define REP_WORDS 4   /* struct hpcp_serve_reply as uint64_t words */
/* Sends in flight at most: a slot is reused after its send completed, so
 * an MPI request and buffer are held for the last SLOTS sends only, not
 * for a point's millions.  The server receives request i into slot
 * i % SLOTS once request i - SLOTS is answered (its input computed on,
 * its output sent): at most SLOTS requests are held, and a client more
 * than SLOTS ahead waits in MPI's queues.  Memory: SLOTS times a request
 * (3 KiB by default, 64 KiB at most) on each side. */
#define SLOTS REMOTE_SLOTS

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
	int peer, posted;
	uint64_t n, count;
	/* a request's message: the header and in_bytes (odd ones odd_bytes
	 * with the test hook), in a slot of stride bytes */
	size_t in_bytes, odd_bytes, stride;
	/* a reply's message: the record and out floats */
	size_t out, rep_bytes;
	unsigned char *req;  /* [SLOTS][stride]: client sends, server receives */
	unsigned char *rep;  /* server: [SLOTS][rep_bytes] sends; client: [1] */
	float *outs;         /* server: [SLOTS][out], the model's outputs */
	const float *pool;   /* client (mlp): the inputs it sends, by row */
	size_t d;            /* floats of a pool row */
	float *expect;       /* client (mlp): [POOL_ROWS][out], in-process */
	struct infer_remote_stats *rs;
	MPI_Request sreq[SLOTS];
	MPI_Request rreq;
};

/* The pool row a client sends as request i: another order than the
 * in-process server's (i % POOL_ROWS), so that a server computing on
 * anything but the input that came would answer wrongly. */
static size_t client_row(uint64_t i)
{
	return (size_t)((i * 37 + 1) % POOL_ROWS);
}

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

/* Server: the next request's receive, when its slot is free. */
static int post_request(struct io *io, uint64_t answered)
{
	int rc;

	if (io->posted || io->count >= io->n ||
	    io->count >= answered + SLOTS)
		return 0;
	rc = mpi_rc(MPI_Irecv(io->req + (io->count % SLOTS) * io->stride,
			      (int)io->stride, MPI_BYTE, io->peer, TAG_REQ,
			      io->comm, &io->rreq));
	io->posted = !rc;
	return rc;
}

/* Server: the arrivals so far, every one waiting taken now. */
static int io_received(void *arg, uint64_t answered, uint64_t *count)
{
	struct io *io = arg;
	int flag = 1, rc = post_request(io, answered), bytes;
	MPI_Status stat;
	uint64_t idx;

	while (!rc && io->posted && flag) {
		rc = mpi_rc(MPI_Test(&io->rreq, &flag, &stat));
		if (rc || !flag)
			break;
		io->posted = 0;
		memcpy(&idx, io->req + (io->count % SLOTS) * io->stride,
		       sizeof(idx));
		if (idx != io->count)
			return -EPROTO;
		MPI_Get_count(&stat, MPI_BYTE, &bytes);
		io->rs->bytes_in += (uint64_t)bytes;
		io->count++;
		rc = post_request(io, answered);
	}
	*count = io->count;
	return rc;
}

static int io_reply(void *arg, const struct hpcp_serve_reply *r)
{
	struct io *io = arg;
	int k, rc = slot_of(io, r->index, &k);
	unsigned char *m = io->rep + (size_t)k * io->rep_bytes;
	uint64_t w[REP_WORDS] = { r->index, r->queue_ns, r->service_ns,
				  r->held_ns };

	if (rc)
		return rc;
	memcpy(m, w, sizeof(w));
	/* The output row the model left for this request. */
	memcpy(m + sizeof(w), io->outs + (size_t)k * io->out,
	       io->out * sizeof(float));
	return mpi_rc(MPI_Isend(m, (int)io->rep_bytes, MPI_BYTE, io->peer,
				TAG_REP, io->comm, &io->sreq[k]));
}

static int io_send(void *arg, uint64_t i)
{
	struct io *io = arg;
	int k, rc = slot_of(io, i, &k);
	unsigned char *m = io->req + (size_t)k * io->stride;
	size_t in = io->odd_bytes && (i & 1) ? io->odd_bytes : io->in_bytes;

	if (rc)
		return rc;
	memcpy(m, &i, sizeof(i));
	/* The client makes its request: the input row the model reads (the
	 * rest of a larger payload stays zeros). */
	if (io->pool)
		memcpy(m + REMOTE_HEADER, io->pool + client_row(i) * io->d,
		       io->d * sizeof(float));
	return mpi_rc(MPI_Isend(m, (int)(REMOTE_HEADER + in), MPI_BYTE,
				io->peer, TAG_REQ, io->comm, &io->sreq[k]));
}

/* Client: the reply's output against the in-process pass of its input. */
static void check_output(struct io *io, uint64_t index, const float *y)
{
	const float *e = io->expect + client_row(index) * io->out;
	int off = 0;

	for (size_t j = 0; j < io->out; j++) {
		float v;
		double diff;

		memcpy(&v, y + j, sizeof(v));
		diff = fabs((double)v - (double)e[j]);
		/* NaN compares false: counted off */
		if (!(diff <= REMOTE_OUTPUT_TOL * (1 + fabs((double)e[j]))))
			off = 1;
		if (diff > io->rs->max_abs_diff || diff != diff)
			io->rs->max_abs_diff = diff == diff ? diff : INFINITY;
	}
	io->rs->checked++;
	io->rs->mismatched += (uint64_t)off;
}

/* Client: a reply, when one has come. */
static int io_poll(void *arg, struct hpcp_serve_reply *r)
{
	struct io *io = arg;
	uint64_t w[REP_WORDS];
	int flag = 0, rc, bytes;
	MPI_Status stat;

	if (!io->posted)
		return 0;
	rc = mpi_rc(MPI_Test(&io->rreq, &flag, &stat));
	if (rc || !flag)
		return rc;
	io->posted = 0;
	MPI_Get_count(&stat, MPI_BYTE, &bytes);
	io->rs->bytes_in += (uint64_t)bytes;
	memcpy(w, io->rep, sizeof(w));
	*r = (struct hpcp_serve_reply){ .index = w[0], .queue_ns = w[1],
					.service_ns = w[2], .held_ns = w[3] };
	if (io->expect && r->index < io->n)
		check_output(io, r->index,
			     (const float *)(io->rep + sizeof(w)));
	if (++io->count < io->n) {
		rc = mpi_rc(MPI_Irecv(io->rep, (int)io->rep_bytes, MPI_BYTE,
				      io->peer, TAG_REP, io->comm,
				      &io->rreq));
		if (rc)
			return rc;
		io->posted = 1;
	}
	return 1;
}

/* Client, mlp: the outputs its own model gives the inputs it will send,
 * in batches of the largest size (before the point: not timed). */
static void expect_outputs(struct infer_state *st, struct io *io)
{
	int b = st->max_batch;
	double loss;

	for (int r = 0; r < POOL_ROWS; r += b) {
		int n = POOL_ROWS - r < b ? POOL_ROWS - r : b;

		memcpy(st->xb, st->pool + (size_t)r * io->d,
		       (size_t)n * io->d * sizeof(float));
		st->be->forward(st->nn, st->xb, st->yb, n, &loss, NULL);
		memcpy(io->expect + (size_t)r * io->out, st->be->output(st->nn),
		       (size_t)n * io->out * sizeof(float));
	}
}

/* The rings of one side, touched before the clock starts; 0 or -ENOMEM. */
static int io_init(struct infer_state *st, struct io *io, int srv)
{
	struct infer_remote *rm = &st->rm;
	size_t big = rm->odd_payload > rm->in_bytes ? rm->odd_payload :
						      rm->in_bytes;

	io->comm = st->ctx->comm;
	io->peer = rm->peer;
	io->rreq = MPI_REQUEST_NULL;
	for (int i = 0; i < SLOTS; i++)
		io->sreq[i] = MPI_REQUEST_NULL;
	io->in_bytes = rm->in_bytes;
	io->odd_bytes = rm->odd_payload;
	/* 8-byte aligned slots: the header and the floats after it */
	io->stride = (REMOTE_HEADER + big + 7) / 8 * 8;
	io->out = rm->out_floats;
	io->rep_bytes = REMOTE_REPLY_RECORD + io->out * sizeof(float);
	io->req = malloc(SLOTS * io->stride);
	io->rep = malloc((srv ? SLOTS : 1) * io->rep_bytes);
	io->outs = srv ? calloc(SLOTS * io->out, sizeof(float)) : NULL;
	if (!io->req || !io->rep || (srv && !io->outs))
		return -ENOMEM;
	memset(io->req, 0, SLOTS * io->stride);
	memset(io->rep, 0, (srv ? SLOTS : 1) * io->rep_bytes);
	if (!srv && !st->spin) {
		io->pool = st->pool;
		io->d = (size_t)st->spec.width[0];
		io->expect = malloc(POOL_ROWS * io->out * sizeof(float));
		if (!io->expect)
			return -ENOMEM;
		expect_outputs(st, io);
	}
	return 0;
}

static void io_free(struct io *io)
{
	if (!io)
		return;
	free(io->req);
	free(io->rep);
	free(io->outs);
	free(io->expect);
	free(io);
}

int infer_remote_run(struct infer_state *st, const struct hpcp_serve_cfg *cfg,
		     struct hpcp_serve_point *pt, struct infer_remote_stats *rs)
{
	struct infer_remote *rm = &st->rm;
	int srv = rm->role == ROLE_SERVER, busy = srv ||
						 rm->role == ROLE_CLIENT;
	struct io *io = busy ? calloc(1, sizeof(*io)) : NULL;
	struct hpcp_serve_io ops = { .received = io_received,
				     .reply = io_reply, .send = io_send,
				     .poll = io_poll, .arg = io };
	struct hpcp_serve_cfg c = *cfg;
	int rc = !busy || io ? 0 : -ENOMEM;

	memset(pt, 0, sizeof(*pt));
	memset(rs, 0, sizeof(*rs));
	if (io) {
		io->n = cfg->requests;
		io->rs = rs;
		rc = io_init(st, io, srv);
	}
	/* Both ends ready, or neither starts. */
	rc = hpcp_ctx_agree(st->ctx, rc);
	if (!rc && busy) {
		hpcp_watch_waiting_on(rm->peer);
		if (srv) {
			rc = post_request(io, 0);
		} else {
			rc = mpi_rc(MPI_Irecv(io->rep, (int)io->rep_bytes,
					      MPI_BYTE, io->peer, TAG_REP,
					      io->comm, &io->rreq));
			io->posted = !rc;
		}
		if (!rc) {
			c.reply_hold_ns = (uint64_t)rm->hold_ns;
			c.odd_class = rm->odd_payload > 0;
			if (srv) {
				/* The model reads the inputs that came and
				 * leaves its outputs for the replies. */
				rm->in = io->req;
				rm->in_stride = io->stride;
				rm->out = io->outs;
				rc = hpcp_serve_answer(&c, &ops, pt);
				rm->in = NULL;
				rm->out = NULL;
			} else {
				rc = hpcp_serve_ask(&c, &ops, pt);
			}
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
	io_free(io);
	return rc;
}
