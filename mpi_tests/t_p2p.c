/*
 * The point-to-point harness (src/p2p.c) at 2 and 4 ranks, over a made-up
 * transport whose answers are known: every size measured with its counts,
 * the rows from a failing size on marked failed on the starting rank and
 * named in rank 0's reason, a corrupted payload failing the run with its
 * pair and size, the transport's hooks called once per pair on the right
 * ranks; on one host (the intra-node pair) and with one node per rank (the
 * inter-node round at once).
 */
#include "config.h"

#include <errno.h>
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hpcp/ctx.h"
#include "hpcp/p2p.h"
#include "tap.h"

static struct hpcp_ctx ctx;

/* The made-up transport: latency bytes + 100 ns, bandwidth 1000 x bytes,
 * a failure at fail_bytes, a corrupted payload at corrupt_bytes. */
struct fake {
	uint64_t fail_bytes, corrupt_bytes;
	const struct hpcp_pair *plan;   /* the harness's pairs */
	int begun, ended, reported, order_ok, last;
};

static int fake_ping(void *state, int peer, int starts, uint64_t bytes,
		     uint64_t warmup, uint64_t iterations,
		     struct hpcp_hist *hist, uint64_t *loop_ns)
{
	struct fake *f = state;

	(void)peer;
	(void)warmup;
	hpcp_hist_reset(hist);
	if (bytes == f->fail_bytes)
		return -EPIPE;
	for (uint64_t i = 0; starts && i < iterations; i++)
		hpcp_hist_record(hist, bytes + 100);
	*loop_ns = 2 * iterations * (bytes + 100);
	return 0;
}

static int fake_bandwidth(void *state, int peer, int starts, uint64_t bytes,
			  uint64_t skip, uint64_t windows, double *bytes_per_s)
{
	(void)state;
	(void)peer;
	(void)skip;
	(void)windows;
	if (starts)
		*bytes_per_s = 1000.0 * (double)bytes;
	return 0;
}

static int fake_validate(void *state, int peer, int starts, uint64_t bytes,
			 int *intact)
{
	struct fake *f = state;

	(void)peer;
	if (starts)
		*intact = bytes != f->corrupt_bytes;
	return 0;
}

static void fake_describe(void *state, int rc, char *buf, size_t len)
{
	(void)state;
	snprintf(buf, len, "fake failure %d", rc);
}

static void fake_begin(void *state, const struct hpcp_pair *p)
{
	struct fake *f = state;

	f->begun += ctx.rank == p->a || ctx.rank == p->b;
}

static void fake_end(void *state, const struct hpcp_pair *p, int rc)
{
	struct fake *f = state;

	(void)rc;
	f->ended += ctx.rank == p->a || ctx.rank == p->b;
}

static void fake_report(void *state, const struct hpcp_pair *p,
			const struct hpcp_p2p_row *rows, int n_rows)
{
	struct fake *f = state;

	(void)rows;
	(void)n_rows;
	f->reported++;
	f->order_ok &= p - f->plan > f->last;
	f->last = (int)(p - f->plan);
}

static const struct hpcp_p2p_transport fake_transport = {
	.name = "fake",
	.ping = fake_ping,
	.bandwidth = fake_bandwidth,
	.validate = fake_validate,
	.describe = fake_describe,
	.pair_begin = fake_begin,
	.pair_end = fake_end,
	.pair_report = fake_report,
};

static int all(int cond)
{
	int out = 0;

	MPI_Allreduce(&cond, &out, 1, MPI_INT, MPI_LAND, MPI_COMM_WORLD);
	return out;
}

static void check(int cond, const char *what, const char *mode)
{
	int verdict = all(cond);

	if (ctx.rank == 0)
		tap_ok(verdict, "%s: %s", mode, what);
}

/* This rank's pairs, and whether it starts one. */
static int pairs_of(const struct hpcp_p2p *h, int *starts)
{
	int n = 0;

	*starts = 0;
	for (int i = 0; i < h->n_pairs; i++) {
		n += ctx.rank == h->pairs[i].a || ctx.rank == h->pairs[i].b;
		*starts |= ctx.rank == h->pairs[i].a;
	}
	return n;
}

static void run_all(const char *mode)
{
	struct hpcp_p2p *h = hpcp_p2p_new(&ctx, 0, 0);
	struct fake f = { .fail_bytes = 1, .corrupt_bytes = 1, .order_ok = 1,
			  .last = -1 };
	char why[1024] = "", want[1024];
	int rc, mine, starts, ok = 1;

	check(h != NULL && h->n_sizes == 3, "the sweep is --sizes", mode);
	if (!h)
		return;
	mine = pairs_of(h, &starts);
	f.plan = h->pairs;

	/* 1. Everything measured. */
	rc = hpcp_p2p_run(h, &fake_transport, &f, NULL, why, sizeof(why));
	check(rc == 0, "a clean run returns 0", mode);
	for (int s = 0; starts && s < h->n_sizes; s++) {
		const struct hpcp_p2p_row *r = &h->rows[s];

		ok &= !r->failed && r->iterations == 5 && r->warmup == 1 &&
		      r->lat.count == 5 && r->lat.p50_ns == r->bytes + 100 &&
		      r->loop_mean_ns == r->bytes + 100 &&
		      r->bw_bytes_per_s == 1000.0 * (double)r->bytes &&
		      r->bw_windows == 100 && r->validated == -1;
	}
	check(ok, "every size: counts, samples, loop mean, bandwidth", mode);
	check(f.begun == mine && f.ended == mine,
	      "pair_begin and pair_end once per pair, on its ranks", mode);
	check(f.reported == h->n_pairs && f.order_ok,
	      "pair_report once per pair on every rank, in pair order", mode);

	/* 2. A failure at 64 bytes: that row and the next ones failed. */
	f.fail_bytes = 64;
	rc = hpcp_p2p_run(h, &fake_transport, &f, NULL, why, sizeof(why));
	check(rc == -EPIPE, "a failing call: every rank returns its code",
	      mode);
	ok = 1;
	for (int s = 0; starts && s < h->n_sizes; s++)
		ok &= (h->rows[s].failed != 0) == (h->rows[s].bytes >= 64) &&
		      h->rows[s].bytes == h->sizes[s] &&
		      (h->rows[s].failed == 0 || h->rows[s].failed == -EPIPE);
	check(ok, "rows from the failing size on are marked failed", mode);
	snprintf(want, sizeof(want),
		 "fake ping-pong between ranks %d (%s) and %d (%s) failed at "
		 "64 bytes: fake failure %d",
		 h->pairs[0].a, ctx.hosts[ctx.ranks[h->pairs[0].a].node].name,
		 h->pairs[0].b, ctx.hosts[ctx.ranks[h->pairs[0].b].node].name,
		 -EPIPE);
	if (ctx.rank == 0 && strcmp(why, want) != 0)
		printf("# got \"%s\"\n# want \"%s\"\n", why, want);
	check(ctx.rank != 0 || strcmp(why, want) == 0,
	      "rank 0's reason names the first pair, the size, the cause",
	      mode);

	/* 3. --validate, a payload corrupted at 1024 bytes. */
	f.fail_bytes = 1;
	f.corrupt_bytes = 1024;
	ctx.cfg.validate = 1;
	rc = hpcp_p2p_run(h, &fake_transport, &f, NULL, why, sizeof(why));
	ctx.cfg.validate = 0;
	check(rc == -EBADMSG, "a corrupted payload fails the run", mode);
	snprintf(want, sizeof(want),
		 "payload corrupted at 1024 bytes between ranks %d and %d",
		 h->pairs[0].a, h->pairs[0].b);
	check(ctx.rank != 0 || strcmp(why, want) == 0,
	      "rank 0's reason names the pair and the size", mode);
	ok = 1;
	for (int s = 0; starts && s < h->n_sizes; s++)
		ok &= h->rows[s].validated == (h->rows[s].bytes != 1024);
	check(ok, "the rows say which payloads arrived intact", mode);
	hpcp_p2p_free(h);
}

int main(int argc, char **argv)
{
	struct hpcp_config cfg;
	char err[256];
	char *args[] = { "hpcprobe", "--sizes", "8,64,1024", "--iterations",
			 "5", "--warmup", "1", NULL };
	int world_size, rank;

	MPI_Init(&argc, &argv);
	MPI_Comm_rank(MPI_COMM_WORLD, &rank);
	MPI_Comm_size(MPI_COMM_WORLD, &world_size);
	if (hpcp_opt_parse(7, args, &cfg, err, sizeof(err)) != 0 ||
	    hpcp_ctx_init(&ctx, MPI_COMM_WORLD, &cfg) != 0) {
		if (rank == 0)
			printf("Bail out! no context: %s\n", err);
		MPI_Abort(MPI_COMM_WORLD, 1);
	}
	run_all("one host");
	hpcp_ctx_fini(&ctx);

	/* One node per rank: no intra-node pair, the inter-node round. */
	setenv(HPCP_ENV_TEST_RANK_IS_NODE, "1", 1);
	if (hpcp_ctx_init(&ctx, MPI_COMM_WORLD, &cfg) != 0)
		MPI_Abort(MPI_COMM_WORLD, 1);
	run_all("one node per rank");
	hpcp_ctx_fini(&ctx);

	MPI_Finalize();
	return rank == 0 ? tap_done() : 0;
}
